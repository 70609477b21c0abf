//! The "XML" tab: the machine's definition as libvirt stores it, coloured, with a copy
//! button; "Edit XML" for experts, which libvirt validates before saving. A refused edit
//! shows libvirt's words and keeps what was typed.

use adw::prelude::*;
use gettextrs::gettext;
use relm4::prelude::*;

use crate::backend::{BackendError, Request};
use crate::ui::panel_target::PanelTarget;

#[derive(Debug)]
pub enum XmlMsg {
    Show(Option<String>),
    Refresh(String),
    Xml(String, String),
    Copy,
    Edit,
    Save,
    Cancel,
    Saved(String),
    Rejected(String, BackendError),
}

#[derive(Debug)]
pub enum XmlOutput {
    Request(Request),
}

pub struct XmlPanel {
    target: PanelTarget,
    xml: String,
    editing: bool,
    error: Option<String>,
}

pub struct XmlWidgets {
    group: adw::PreferencesGroup,
    view: gtk::TextView,
    buffer: gtk::TextBuffer,
    edit: gtk::Button,
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

impl Component for XmlPanel {
    type CommandOutput = ();
    type Input = XmlMsg;
    type Output = XmlOutput;
    type Init = ();
    type Root = adw::PreferencesPage;
    type Widgets = XmlWidgets;

    fn init_root() -> Self::Root {
        adw::PreferencesPage::new()
    }

    fn init(_: (), page: Self::Root, sender: ComponentSender<Self>) -> ComponentParts<Self> {
        let group = crate::ui::widgets::panel_group(
            &gettext("Definition (XML)"),
            &gettext(
                "Everything libvirt knows about this machine. Editing it is for experts: libvirt checks the text before saving, and a mistake is shown without losing what you typed.",
            ),
        );
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
            target: PanelTarget::default(),
            xml: String::new(),
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
        let ask = |uuid| {
            sender
                .output(XmlOutput::Request(Request::Xml { uuid }))
                .ok();
        };
        match msg {
            XmlMsg::Show(uuid) => {
                self.editing = false;
                self.error = None;
                self.target.show(uuid, &w.group, ask);
            }
            XmlMsg::Refresh(uuid) => {
                // Never replace what someone is typing.
                if !self.editing {
                    self.target.refresh(uuid, ask);
                }
            }
            XmlMsg::Xml(uuid, xml) => {
                if self.target.is(&uuid) && !self.editing {
                    w.group.set_visible(true);
                    if xml != self.xml {
                        colour(&w.buffer, &xml);
                        self.xml = xml;
                    }
                }
            }
            XmlMsg::Copy => {
                let (s, e) = w.buffer.bounds();
                page.clipboard().set_text(&w.buffer.text(&s, &e, false));
            }
            XmlMsg::Edit => self.editing = true,
            XmlMsg::Cancel => {
                self.editing = false;
                self.error = None;
                colour(&w.buffer, &self.xml);
            }
            XmlMsg::Save => {
                let (s, e) = w.buffer.bounds();
                let xml = w.buffer.text(&s, &e, false).to_string();
                if let Some(uuid) = self.target.get() {
                    sender
                        .output(XmlOutput::Request(Request::DefineXml {
                            uuid: uuid.clone(),
                            xml,
                        }))
                        .ok();
                }
            }
            XmlMsg::Saved(uuid) => {
                if self.target.is(&uuid) {
                    self.editing = false;
                    self.error = None;
                    self.xml.clear();
                    self.target.refresh(uuid, ask);
                }
            }
            XmlMsg::Rejected(uuid, e) => {
                if self.target.is(&uuid) {
                    self.error = Some(format!(
                        "{}\n{}",
                        gettext("libvirt refused this XML; nothing was changed. What you typed is still here:"),
                        e.raw
                    ));
                }
            }
        }
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
