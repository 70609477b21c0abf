//! The sidebar header's connection switcher: "This computer (system)", "My user session"
//! and the user's own URIs, each with a line saying what it is. New URIs are checked before
//! they are saved or used.

use adw::prelude::*;
use gettextrs::gettext;
use relm4::prelude::*;

use crate::backend::uri;
use crate::errors;
use crate::settings::{Key, Settings};

pub const SYSTEM_URI: &str = "qemu:///system";
pub const SESSION_URI: &str = "qemu:///session";

#[derive(Debug)]
pub enum SwitcherMsg {
    /// Show `uri` as the current connection.
    SetCurrent(String),
    Choose(String),
    Add,
    RemoveCustom(String),
}

#[derive(Debug)]
pub enum SwitcherOutput {
    Switch(String),
}

pub struct ConnectionSwitcher {
    settings: Settings,
    current: String,
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
        other => other.to_string(),
    }
}

fn explanation(uri: &str) -> String {
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
        if !uris.contains(&self.current) {
            uris.push(self.current.clone());
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
            if u == self.current {
                let check = gtk::Image::from_icon_name("object-select-symbolic");
                check.update_property(&[gtk::accessible::Property::Label(&gettext(
                    "Current connection",
                ))]);
                line.append(&check);
            }
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
            let row = gtk::ListBoxRow::builder()
                .child(&line)
                .activatable(true)
                .build();
            row.update_property(&[gtk::accessible::Property::Label(&title)]);
            let s = sender.clone();
            let uu = u.clone();
            row.connect_activate(move |_| s.input(SwitcherMsg::Choose(uu.clone())));
            widgets.list.append(&row);
        }
        widgets.title.set_label(&display_name(&self.current));
    }
}

impl Component for ConnectionSwitcher {
    type CommandOutput = ();
    type Input = SwitcherMsg;
    type Output = SwitcherOutput;
    type Init = (Settings, String);
    type Root = gtk::MenuButton;
    type Widgets = SwitcherWidgets;

    fn init_root() -> Self::Root {
        gtk::MenuButton::new()
    }

    fn init(
        (settings, current): Self::Init,
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
        button.set_tooltip_text(Some(&gettext("Switch connection")));
        button.update_property(&[gtk::accessible::Property::Label(&gettext("Connection"))]);
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

        let model = ConnectionSwitcher { settings, current };
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
            SwitcherMsg::SetCurrent(u) => self.current = u,
            SwitcherMsg::Choose(u) => {
                widgets.popover.popdown();
                if u != self.current {
                    self.current = u.clone();
                    sender.output(SwitcherOutput::Switch(u)).ok();
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
                        let mut customs = self.settings.strv(Key::CustomConnections);
                        if text != SYSTEM_URI && text != SESSION_URI && !customs.contains(&text) {
                            customs.push(text.clone());
                            self.settings.set_strv(Key::CustomConnections, &customs);
                        }
                        widgets.popover.popdown();
                        self.current = text.clone();
                        sender.output(SwitcherOutput::Switch(text)).ok();
                    }
                }
            }
            SwitcherMsg::RemoveCustom(u) => {
                let customs: Vec<String> = self
                    .settings
                    .strv(Key::CustomConnections)
                    .into_iter()
                    .filter(|c| *c != u)
                    .collect();
                self.settings.set_strv(Key::CustomConnections, &customs);
            }
        }
        self.rebuild(widgets, &sender);
    }
}
