//! The "XML" tab: the machine's definition as libvirt stores it, coloured, with a copy
//! button; "Edit XML" for experts, which libvirt validates before saving. A refused edit
//! shows libvirt's words and keeps what was typed.
//!
//! The tab asks the connection itself ([`crate::backend::Connection::call`] with the plain functions of
//! [`machine_xml`]) and hears its own answers as commands; nothing passes through `App`.

use adw::prelude::*;
use gettextrs::gettext;
use relm4::prelude::*;

use crate::backend::machine_xml::{self, MachineXml};
use crate::backend::BackendError;
use crate::ui::machine_target::{Machine, MachineTarget};

#[derive(Debug)]
pub enum XmlMsg {
    /// The machine to show (with the connection to ask), or none.
    Show(Option<Machine>),
    /// Something about this machine changed: read it again (unless someone is typing).
    Refresh(String),
    /// Show the running machine's definition (true) or the next start's.
    ShowLive(bool),
    Copy,
    Edit,
    Save,
    Cancel,
}

/// The connection's answers.
#[derive(Debug)]
pub enum XmlCmd {
    Read(String, Result<MachineXml, BackendError>),
    Defined(String, Result<MachineXml, BackendError>),
}

pub struct XmlPanel {
    /// The machine shown and the connection it is on.
    target: MachineTarget,
    xml: String,
    /// What the running machine runs with (None while it is off).
    live: Option<String>,
    show_live: bool,
    editing: bool,
    error: Option<String>,
}

pub struct XmlWidgets {
    group: adw::PreferencesGroup,
    view: gtk::TextView,
    buffer: gtk::TextBuffer,
    edit: gtk::Button,
    which: gtk::Box,
    next_start: gtk::ToggleButton,
    running_now: gtk::ToggleButton,
    save: gtk::Button,
    cancel: gtk::Button,
    error: gtk::Label,
}

/// Byte ranges of the parts to colour: (start, end, tag name).
pub fn highlight(text: &str) -> Vec<(usize, usize, &'static str)> {
    let mut out = Vec::new();
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if text[i..].starts_with("<!--") {
            let end = text[i..].find("-->").map_or(b.len(), |e| i + e + 3);
            out.push((i, end, "comment"));
            i = end;
        } else if b[i] == b'<' {
            // Element name.
            let mut j = i + 1;
            if j < b.len() && b[j] == b'/' {
                j += 1;
            }
            while j < b.len() && !b[j].is_ascii_whitespace() && b[j] != b'>' && b[j] != b'/' {
                j += 1;
            }
            out.push((i, j, "element"));
            // Attributes until '>'.
            while j < b.len() && b[j] != b'>' {
                if b[j] == b'\'' || b[j] == b'"' {
                    let q = b[j];
                    let end = text[j + 1..]
                        .find(q as char)
                        .map_or(b.len(), |e| j + 1 + e + 1);
                    out.push((j, end, "value"));
                    j = end;
                } else if b[j].is_ascii_alphabetic() {
                    let start = j;
                    while j < b.len() && (b[j].is_ascii_alphanumeric() || b"-_:.".contains(&b[j])) {
                        j += 1;
                    }
                    out.push((start, j, "attribute"));
                } else {
                    j += 1;
                }
            }
            let end = (j + 1).min(b.len());
            out.push((j.min(b.len()), end, "element"));
            i = end;
        } else {
            i += 1;
        }
    }
    out
}

fn colour(buffer: &gtk::TextBuffer, text: &str) {
    buffer.set_text(text);
    // Offsets in characters, as GtkTextBuffer counts them.
    let char_at = |byte: usize| text[..byte].chars().count() as i32;
    for (s, e, tag) in highlight(text) {
        let start = buffer.iter_at_offset(char_at(s));
        let end = buffer.iter_at_offset(char_at(e));
        buffer.apply_tag_by_name(tag, &start, &end);
    }
}

/// What the next-start definition is (the tab's description).
fn next_start_text() -> String {
    gettext(
        "The definition libvirt uses the next time the machine starts: everything it knows about this machine. Editing it is for experts: libvirt checks the text before saving, and a mistake is shown without losing what you typed.",
    )
}

impl XmlPanel {
    fn shown(&self) -> &str {
        match (&self.live, self.show_live) {
            (Some(live), true) => live,
            _ => &self.xml,
        }
    }
}

impl Component for XmlPanel {
    type CommandOutput = XmlCmd;
    type Input = XmlMsg;
    type Output = ();
    type Init = ();
    type Root = adw::PreferencesPage;
    type Widgets = XmlWidgets;

    fn init_root() -> Self::Root {
        adw::PreferencesPage::new()
    }

    fn init(_: (), page: Self::Root, sender: ComponentSender<Self>) -> ComponentParts<Self> {
        let group =
            crate::ui::widgets::panel_group(&gettext("Definition (XML)"), &next_start_text());
        let buttons = gtk::Box::builder()
            .spacing(6)
            .valign(gtk::Align::Center)
            .build();
        let copy = gtk::Button::builder()
            .icon_name("edit-copy-symbolic")
            .tooltip_text(gettext("Copy the XML"))
            .valign(gtk::Align::Center)
            .build();
        copy.update_property(&[gtk::accessible::Property::Label(&gettext("Copy the XML"))]);
        let edit = gtk::Button::with_label(&gettext("Edit XML"));
        let save = gtk::Button::builder()
            .label(gettext("Save"))
            .css_classes(["suggested-action"])
            .visible(false)
            .build();
        let cancel = gtk::Button::builder()
            .label(gettext("Cancel"))
            .visible(false)
            .build();
        for (b, m) in [(&copy, 0), (&edit, 1), (&cancel, 2), (&save, 3)] {
            let s = sender.clone();
            b.connect_clicked(move |_| {
                s.input(match m {
                    0 => XmlMsg::Copy,
                    1 => XmlMsg::Edit,
                    2 => XmlMsg::Cancel,
                    _ => XmlMsg::Save,
                })
            });
            buttons.append(b);
        }
        group.set_header_suffix(Some(&buttons));
        // While the machine runs: which definition is shown.
        let which = gtk::Box::builder()
            .css_classes(["linked"])
            .halign(gtk::Align::Start)
            .margin_bottom(12)
            .visible(false)
            .build();
        let next_start = gtk::ToggleButton::builder()
            .label(gettext("Next start"))
            .tooltip_text(gettext(
                "What the machine gets the next time it starts (editable)",
            ))
            .active(true)
            .build();
        let running_now = gtk::ToggleButton::builder()
            .label(gettext("Running now"))
            .tooltip_text(gettext("What the running machine has now (read-only)"))
            .group(&next_start)
            .build();
        let s = sender.clone();
        running_now.connect_toggled(move |b| s.input(XmlMsg::ShowLive(b.is_active())));
        which.append(&next_start);
        which.append(&running_now);
        group.add(&which);
        let buffer = gtk::TextBuffer::new(None);
        for (name, colour, bold) in [
            ("element", "#1c71d8", true),
            ("attribute", "#9141ac", false),
            ("value", "#26a269", false),
            ("comment", "#77767b", false),
        ] {
            let tag = gtk::TextTag::builder()
                .name(name)
                .foreground(colour)
                .weight(if bold { 700 } else { 400 })
                .build();
            buffer.tag_table().add(&tag);
        }
        let view = gtk::TextView::builder()
            .buffer(&buffer)
            .monospace(true)
            .editable(false)
            .wrap_mode(gtk::WrapMode::None)
            .top_margin(8)
            .bottom_margin(8)
            .left_margin(8)
            .right_margin(8)
            .css_classes(["card"])
            .build();
        view.update_property(&[gtk::accessible::Property::Label(&gettext("Machine XML"))]);
        let scrolled = gtk::ScrolledWindow::builder()
            .min_content_height(420)
            .child(&view)
            .build();
        group.add(&scrolled);
        let error = gtk::Label::builder()
            .wrap(true)
            .xalign(0.0)
            .margin_top(12)
            .selectable(true)
            .css_classes(["error"])
            .visible(false)
            .build();
        group.add(&error);
        page.add(&group);
        let model = XmlPanel {
            target: MachineTarget::default(),
            xml: String::new(),
            live: None,
            show_live: false,
            editing: false,
            error: None,
        };
        ComponentParts {
            model,
            widgets: XmlWidgets {
                group,
                view,
                buffer,
                edit,
                which,
                next_start,
                running_now,
                save,
                cancel,
                error,
            },
        }
    }

    fn update_with_view(
        &mut self,
        w: &mut Self::Widgets,
        msg: Self::Input,
        sender: ComponentSender<Self>,
        page: &Self::Root,
    ) {
        match msg {
            XmlMsg::Show(target) => {
                self.editing = false;
                self.show_live = false;
                self.error = None;
                self.xml.clear();
                self.live = None;
                // Hidden until this machine's answer comes.
                w.group.set_visible(false);
                self.target = MachineTarget::new(target);
                self.read(&sender);
            }
            XmlMsg::Refresh(uuid) => {
                // Never replace what someone is typing.
                if !self.editing && self.shows(&uuid) {
                    self.read(&sender);
                }
            }
            XmlMsg::ShowLive(on) => {
                if on != self.show_live && !self.editing {
                    self.show_live = on && self.live.is_some();
                    colour(&w.buffer, self.shown());
                }
            }
            XmlMsg::Copy => {
                let (s, e) = w.buffer.bounds();
                page.clipboard().set_text(&w.buffer.text(&s, &e, false));
            }
            XmlMsg::Edit => {
                // Only the next start's definition can be edited.
                if self.show_live {
                    self.show_live = false;
                    colour(&w.buffer, &self.xml);
                }
                self.editing = true;
            }
            XmlMsg::Cancel => {
                self.editing = false;
                self.error = None;
                colour(&w.buffer, &self.xml);
            }
            XmlMsg::Save => {
                let (s, e) = w.buffer.bounds();
                let xml = w.buffer.text(&s, &e, false).to_string();
                self.target.ask(
                    &sender,
                    move |c, uuid| machine_xml::define(c, uuid, &xml),
                    XmlCmd::Defined,
                );
            }
        }
        self.render(w);
    }

    fn update_cmd_with_view(
        &mut self,
        w: &mut Self::Widgets,
        answer: Self::CommandOutput,
        _sender: ComponentSender<Self>,
        page: &Self::Root,
    ) {
        match answer {
            XmlCmd::Read(uuid, answer) => {
                // An answer for a machine no longer shown, or while someone types: dropped.
                if !self.shows(&uuid) || self.editing {
                    return;
                }
                w.group.set_visible(true);
                match answer {
                    Ok(defs) => {
                        self.error = None;
                        self.loaded(w, defs);
                    }
                    Err(e) => {
                        // A failed read is a read failure, not a refused edit.
                        let m = crate::errors::read_error(&e);
                        self.error = Some(format!("{}\n{}", m.title, m.advice));
                        log::debug!("reading the XML of {uuid} failed: {}", e.raw);
                    }
                }
            }
            XmlCmd::Defined(uuid, answer) => {
                if !self.shows(&uuid) {
                    return;
                }
                match answer {
                    Ok(defs) => {
                        self.editing = false;
                        self.error = None;
                        self.xml.clear();
                        self.loaded(w, defs);
                        if let Some(toasts) = page
                            .ancestor(adw::ToastOverlay::static_type())
                            .and_downcast::<adw::ToastOverlay>()
                        {
                            toasts.add_toast(crate::ui::widgets::wrapped_toast(&gettext("Saved.")));
                        }
                    }
                    Err(e) if e.kind == crate::backend::ErrorKind::NotConnected => {
                        let m = crate::errors::read_error(&e);
                        self.error = Some(format!("{}\n{}", m.title, m.advice));
                    }
                    Err(e) => self.error = Some(crate::errors::xml_refused(&e)),
                }
            }
        }
        self.render(w);
    }
}

impl XmlPanel {
    fn shows(&self, uuid: &str) -> bool {
        self.target.is(uuid)
    }

    /// Asks the connection for the shown machine's definitions.
    fn read(&self, sender: &ComponentSender<Self>) {
        self.target.ask(sender, machine_xml::read, XmlCmd::Read);
    }

    fn loaded(&mut self, w: &XmlWidgets, defs: MachineXml) {
        let changed = defs.next_start != self.xml || defs.running != self.live;
        self.xml = defs.next_start;
        self.live = defs.running;
        if self.live.is_none() {
            self.show_live = false;
        }
        if changed {
            colour(&w.buffer, self.shown());
        }
    }

    fn render(&self, w: &XmlWidgets) {
        w.which.set_visible(self.live.is_some());
        w.running_now.set_active(self.show_live);
        w.next_start.set_active(!self.show_live);
        w.which.set_sensitive(!self.editing);
        w.group.set_description(Some(&glib::markup_escape_text(&if self.show_live {
            gettext(
                "What the running machine has now, read-only. Changes saved for the next start are not in it until the machine is shut down and started again.",
            )
        } else {
            next_start_text()
        })));
        w.view.set_editable(self.editing);
        w.view.set_cursor_visible(self.editing);
        w.edit.set_visible(!self.editing);
        w.save.set_visible(self.editing);
        w.cancel.set_visible(self.editing);
        w.error.set_visible(self.error.is_some());
        w.error.set_label(self.error.as_deref().unwrap_or(""));
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn colours_elements_attributes_values_comments() {
        let t = "<a x='1'><!-- c --><b/></a>";
        let parts: Vec<(&str, &str)> = super::highlight(t)
            .into_iter()
            .map(|(s, e, k)| (&t[s..e], k))
            .collect();
        assert!(parts.contains(&("<a", "element")));
        assert!(parts.contains(&("x", "attribute")));
        assert!(parts.contains(&("'1'", "value")));
        assert!(parts.contains(&("<!-- c -->", "comment")));
        assert!(parts.contains(&("</a", "element")));
    }
}
