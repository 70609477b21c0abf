//! The sidebar header's connections menu: "This computer (system)", "My user session"
//! and the user's own URIs, each with a line saying what it is and a switch that opens it
//! (its machines listed under its own heading) or closes it. New URIs are checked before
//! they are saved or used.

use adw::prelude::*;
use gettextrs::gettext;
use relm4::prelude::*;

use crate::backend::uri;
use crate::errors;
use crate::i18n::gettext_f;
use crate::settings::{Key, Settings};

pub const SYSTEM_URI: &str = "qemu:///system";
pub const SESSION_URI: &str = "qemu:///session";

#[derive(Debug)]
pub enum SwitcherMsg {
    /// These connections are open now.
    SetOpen(Vec<String>),
    /// The person turned this connection on (true) or off.
    Toggle(String, bool),
    Add,
    /// Open this checked address (and remember it when it is not system or session).
    AddUri(String),
    /// Open the "Add a Connection" dialog.
    AddDialog,
    RemoveCustom(String),
}

#[derive(Debug)]
pub enum SwitcherOutput {
    Open(String),
    Close(String),
}

pub struct ConnectionSwitcher {
    settings: Settings,
    open: Vec<String>,
}

pub struct SwitcherWidgets {
    list: gtk::ListBox,
    entry: adw::EntryRow,
    error: gtk::Label,
    popover: gtk::Popover,
    title: gtk::Label,
}

/// The name a person sees for a URI.
pub fn display_name(uri: &str) -> String {
    match uri {
        SYSTEM_URI => gettext("This computer (system)"),
        SESSION_URI => gettext("My user session"),
        other => {
            let place = match crate::backend::remote::ssh_target(other) {
                Some(t) => Some(t.destination()),
                None => uri::parse(other)
                    .ok()
                    .filter(|p| !p.is_local())
                    .and_then(|p| p.host),
            };
            match place {
                // Translators: {place} is user@host of a connection to another computer.
                Some(place) => gettext_f("{place} (remote)", &[("place", &place)]),
                None => other.to_string(),
            }
        }
    }
}

/// Takes `uri` off the user's own connections.
pub fn forget_custom(settings: &Settings, uri: &str) {
    let customs: Vec<String> = settings
        .strv(Key::CustomConnections)
        .into_iter()
        .filter(|c| c != uri)
        .collect();
    settings.set_strv(Key::CustomConnections, &customs);
}

/// What a connection is, in a line.
pub fn explanation(uri: &str) -> String {
    match uri {
        SYSTEM_URI => gettext(
            "Machines for everyone on this computer, managed by the system service; can use all networking. Needs the libvirt group or admin rights.",
        ),
        SESSION_URI => gettext(
            "Your own machines, run as you with no admin rights. Networking is limited: the machines reach the internet but are not reachable from outside.",
        ),
        u if u.starts_with("test:") => gettext("libvirt’s test driver: pretend machines, for trying things out."),
        u if uri::parse(u).is_ok_and(|p| !p.is_local()) => gettext("Machines on another computer."),
        _ => gettext("A connection you added."),
    }
}

impl ConnectionSwitcher {
    fn rebuild(&self, widgets: &SwitcherWidgets, sender: &ComponentSender<Self>) {
        while let Some(row) = widgets.list.first_child() {
            widgets.list.remove(&row);
        }
        let customs = self.settings.strv(Key::CustomConnections);
        let mut uris = vec![SYSTEM_URI.to_string(), SESSION_URI.to_string()];
        uris.extend(customs.iter().cloned());
        for u in &self.open {
            if !uris.contains(u) {
                uris.push(u.clone());
            }
        }
        for u in uris {
            let title = if u == SYSTEM_URI || u == SESSION_URI {
                display_name(&u)
            } else {
                u.clone()
            };
            // Plain labels with a width cap: an AdwActionRow subtitle would stretch the
            // popover to the full length of its explanation.
            let texts = gtk::Box::builder()
                .orientation(gtk::Orientation::Vertical)
                .spacing(2)
                .hexpand(true)
                .build();
            texts.append(
                &gtk::Label::builder()
                    .label(&title)
                    .xalign(0.0)
                    .wrap(true)
                    .wrap_mode(gtk::pango::WrapMode::WordChar)
                    .max_width_chars(48)
                    .build(),
            );
            texts.append(
                &gtk::Label::builder()
                    .label(explanation(&u))
                    .xalign(0.0)
                    .wrap(true)
                    .max_width_chars(48)
                    .css_classes(["dim-label", "caption"])
                    .build(),
            );
            let line = gtk::Box::builder()
                .spacing(12)
                .margin_top(10)
                .margin_bottom(10)
                .margin_start(12)
                .margin_end(12)
                .build();
            line.append(&texts);
            let open = gtk::Switch::builder()
                .active(self.open.contains(&u))
                .valign(gtk::Align::Center)
                .build();
            open.update_property(&[gtk::accessible::Property::Label(&gettext_f(
                // Translators: {connection} is a connection's name, e.g. "My user session".
                "Show {connection}",
                &[("connection", &title)],
            ))]);
            let s = sender.clone();
            let uu = u.clone();
            open.connect_state_set(move |_, on| {
                s.input(SwitcherMsg::Toggle(uu.clone(), on));
                glib::Propagation::Proceed
            });
            if customs.contains(&u) {
                let remove = gtk::Button::builder()
                    .icon_name("user-trash-symbolic")
                    .valign(gtk::Align::Center)
                    .tooltip_text(gettext("Remove this connection from the list"))
                    .css_classes(["flat"])
                    .build();
                remove.update_property(&[gtk::accessible::Property::Label(
                    &crate::i18n::gettext_f("Remove connection {uri}", &[("uri", &u)]),
                )]);
                let s = sender.clone();
                let uu = u.clone();
                remove.connect_clicked(move |_| s.input(SwitcherMsg::RemoveCustom(uu.clone())));
                line.append(&remove);
            }
            line.append(&open);
            let row = gtk::ListBoxRow::builder()
                .child(&line)
                .activatable(true)
                .build();
            row.update_property(&[gtk::accessible::Property::Label(&title)]);
            row.connect_activate(move |_| open.set_active(!open.is_active()));
            widgets.list.append(&row);
        }
        let title = match self.open.as_slice() {
            [one] => display_name(one),
            [] => gettext("No connection"),
            many => crate::i18n::ngettext_f(
                "{n} connection",
                "{n} connections",
                many.len() as u32,
                &[("n", &many.len().to_string())],
            ),
        };
        widgets.title.set_label(&title);
    }
}

impl Component for ConnectionSwitcher {
    type CommandOutput = ();
    type Input = SwitcherMsg;
    type Output = SwitcherOutput;
    type Init = (Settings, Vec<String>);
    type Root = gtk::MenuButton;
    type Widgets = SwitcherWidgets;

    fn init_root() -> Self::Root {
        gtk::MenuButton::new()
    }

    fn init(
        (settings, open): Self::Init,
        button: Self::Root,
        sender: ComponentSender<Self>,
    ) -> ComponentParts<Self> {
        let title = gtk::Label::builder()
            .ellipsize(gtk::pango::EllipsizeMode::End)
            .css_classes(["heading"])
            .build();
        let inner = gtk::Box::new(gtk::Orientation::Horizontal, 6);
        inner.append(&title);
        inner.append(&gtk::Image::from_icon_name("pan-down-symbolic"));
        button.set_child(Some(&inner));
        button.set_tooltip_text(Some(&gettext(
            "Open or close connections: each open one lists its machines under its own heading",
        )));
        button.update_property(&[gtk::accessible::Property::Label(&gettext("Connections"))]);
        button.add_css_class("flat");

        let list = gtk::ListBox::builder()
            .selection_mode(gtk::SelectionMode::None)
            .css_classes(["boxed-list"])
            .build();
        list.update_property(&[gtk::accessible::Property::Label(&gettext("Connections"))]);
        list.connect_row_activated(|_, row| {
            row.emit_by_name::<()>("activate", &[]);
        });
        let add_list = gtk::ListBox::builder()
            .selection_mode(gtk::SelectionMode::None)
            .css_classes(["boxed-list"])
            .build();
        let entry = adw::EntryRow::builder()
            .title(gettext(
                "Add a connection address, e.g. qemu+ssh://user@host/system",
            ))
            .build();
        // A visible button, not the row's apply button (which appears only while typing):
        // a newcomer sees at once how to add what they typed.
        let add = gtk::Button::builder()
            .label(gettext("Add"))
            .valign(gtk::Align::Center)
            .tooltip_text(gettext("Check this address and connect to it"))
            .build();
        let s = sender.clone();
        add.connect_clicked(move |_| s.input(SwitcherMsg::Add));
        entry.add_suffix(&add);
        let s = sender.clone();
        entry.connect_entry_activated(move |_| s.input(SwitcherMsg::Add));
        add_list.append(&entry);
        let error = gtk::Label::builder()
            .wrap(true)
            .xalign(0.0)
            .visible(false)
            .max_width_chars(48)
            .css_classes(["error", "caption"])
            .build();
        let content = gtk::Box::builder()
            .orientation(gtk::Orientation::Vertical)
            .spacing(12)
            .margin_top(6)
            .margin_bottom(6)
            .margin_start(6)
            .margin_end(6)
            .build();
        content.append(&list);
        let add_dialog = gtk::Button::builder()
            .label(gettext("Add Connection…"))
            .tooltip_text(gettext(
                "Another computer over SSH, or this computer’s system or session",
            ))
            .build();
        let s = sender.clone();
        add_dialog.connect_clicked(move |_| s.input(SwitcherMsg::AddDialog));
        content.append(&add_dialog);
        content.append(&add_list);
        content.append(&error);
        // Cap the width so the explanations wrap instead of stretching the popover.
        let scroller = gtk::ScrolledWindow::builder()
            .hscrollbar_policy(gtk::PolicyType::Never)
            .propagate_natural_width(true)
            .propagate_natural_height(true)
            .max_content_width(420)
            .max_content_height(640)
            .child(&content)
            .build();
        let popover = gtk::Popover::builder().child(&scroller).build();
        button.set_popover(Some(&popover));

        let model = ConnectionSwitcher { settings, open };
        let widgets = SwitcherWidgets {
            list,
            entry,
            error,
            popover,
            title,
        };
        model.rebuild(&widgets, &sender);
        ComponentParts { model, widgets }
    }

    fn update_with_view(
        &mut self,
        widgets: &mut Self::Widgets,
        msg: Self::Input,
        sender: ComponentSender<Self>,
        _root: &Self::Root,
    ) {
        match msg {
            SwitcherMsg::SetOpen(open) => {
                if open == self.open {
                    return;
                }
                self.open = open;
            }
            SwitcherMsg::Toggle(u, on) => {
                if on == self.open.contains(&u) {
                    return;
                }
                if on {
                    self.open.push(u.clone());
                    sender.output(SwitcherOutput::Open(u)).ok();
                } else {
                    self.open.retain(|o| *o != u);
                    sender.output(SwitcherOutput::Close(u)).ok();
                }
            }
            SwitcherMsg::Add => {
                let text = widgets.entry.text().trim().to_string();
                match uri::parse(&text) {
                    Err(e) => {
                        let m = errors::uri_error(&text, &e);
                        widgets
                            .error
                            .set_label(&format!("{}\n{}", m.title, m.advice));
                        widgets.error.set_visible(true);
                        return;
                    }
                    Ok(_) => {
                        widgets.error.set_visible(false);
                        widgets.entry.set_text("");
                        sender.input(SwitcherMsg::AddUri(text));
                    }
                }
            }
            SwitcherMsg::AddUri(text) => {
                let mut customs = self.settings.strv(Key::CustomConnections);
                if text != SYSTEM_URI && text != SESSION_URI && !customs.contains(&text) {
                    customs.push(text.clone());
                    self.settings.set_strv(Key::CustomConnections, &customs);
                }
                widgets.popover.popdown();
                if !self.open.contains(&text) {
                    self.open.push(text.clone());
                    sender.output(SwitcherOutput::Open(text)).ok();
                }
            }
            SwitcherMsg::AddDialog => {
                widgets.popover.popdown();
                let s = sender.clone();
                crate::ui::add_connection::show(&widgets.title, move |uri| {
                    s.input(SwitcherMsg::AddUri(uri))
                });
                return;
            }
            SwitcherMsg::RemoveCustom(u) => forget_custom(&self.settings, &u),
        }
        self.rebuild(widgets, &sender);
    }
}
