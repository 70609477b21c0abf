//! "Add a Connection": this computer's system, my user session, or another computer over
//! SSH (user, computer, port, its system or that user's session), with the address it
//! makes shown as it is typed, and in words what SSH needs first (a key: Bilik cannot type
//! a password). The address goes through the same checks as one typed by hand.

use adw::prelude::*;
use gettextrs::gettext;

use crate::backend::remote;
use crate::i18n::gettext_f;
use crate::ui::connection_switcher::{explanation, SESSION_URI, SYSTEM_URI};

/// What the form says now: the address, or why there is none yet.
fn address(kind: u32, user: &str, host: &str, port: f64, session: bool) -> Result<String, String> {
    match kind {
        0 => Ok(SYSTEM_URI.to_string()),
        1 => Ok(SESSION_URI.to_string()),
        _ => {
            let (user, host) = (user.trim(), host.trim());
            if host.is_empty() {
                return Err(gettext("Type the other computer’s name or address."));
            }
            if !remote::plain_name(host) {
                return Err(gettext_f(
                    "“{host}” cannot be a computer’s name: use letters, digits, dots and dashes, or an address such as 192.168.1.20.",
                    &[("host", host)],
                ));
            }
            if !user.is_empty() && !remote::plain_name(user) {
                return Err(gettext_f(
                    "“{user}” cannot be a user name: use letters, digits, dots, dashes and underscores.",
                    &[("user", user)],
                ));
            }
            let uri = remote::ssh_uri(user, host, port as u16, session);
            crate::backend::uri::parse(&uri)
                .map(|_| uri.clone())
                .map_err(|e| crate::errors::uri_error(&uri, &e).advice)
        }
    }
}

/// Shows the dialog over `parent`'s window; `added` gets the address chosen.
pub fn show(parent: &impl IsA<gtk::Widget>, added: impl Fn(String) + 'static) {
    let dialog = adw::Dialog::builder()
        .title(gettext("Add a Connection"))
        .content_width(460)
        .build();
    let page = adw::PreferencesPage::new();

    let kind = adw::ComboRow::builder()
        .title(gettext("Machines of"))
        .model(&gtk::StringList::new(&[
            &gettext("This computer (system)"),
            &gettext("My user session"),
            &gettext("Another computer, over SSH"),
        ]))
        .selected(2)
        .build();
    let what = adw::PreferencesGroup::new();
    what.add(&kind);
    page.add(&what);

    let remote_group = adw::PreferencesGroup::builder()
        .title(gettext("The other computer"))
        .build();
    let user = adw::EntryRow::builder()
        .title(gettext("Your user name on that computer"))
        .text(std::env::var("USER").unwrap_or_default())
        .build();
    let host = adw::EntryRow::builder()
        .title(gettext("Its name or address"))
        .build();
    let (port_row, port) = crate::ui::widgets::spin_row(
        &gettext("SSH port"),
        gtk::Adjustment::new(22.0, 1.0, 65535.0, 1.0, 10.0, 0.0),
    );
    port_row.set_subtitle(&gettext("22 unless its SSH server was set up otherwise"));
    let side = adw::ComboRow::builder()
        .title(gettext("Which machines there"))
        .model(&gtk::StringList::new(&[
            &gettext("Its system’s (needs the libvirt group there)"),
            &gettext("That user’s own session"),
        ]))
        .build();
    remote_group.add(&user);
    remote_group.add(&host);
    remote_group.add(&port_row);
    remote_group.add(&side);
    page.add(&remote_group);

    let result = adw::PreferencesGroup::new();
    let shown = gtk::Label::builder()
        .xalign(0.0)
        .wrap(true)
        .wrap_mode(gtk::pango::WrapMode::WordChar)
        .selectable(true)
        .build();
    let note = gtk::Label::builder()
        .xalign(0.0)
        .wrap(true)
        .css_classes(["dim-label"])
        .build();
    let problem = gtk::Label::builder()
        .xalign(0.0)
        .wrap(true)
        .css_classes(["error"])
        .visible(false)
        .build();
    let texts = gtk::Box::builder()
        .orientation(gtk::Orientation::Vertical)
        .spacing(8)
        .build();
    texts.append(&shown);
    texts.append(&note);
    texts.append(&problem);
    result.add(&texts);
    page.add(&result);

    let connect = gtk::Button::builder()
        .label(gettext("Connect"))
        .css_classes(["suggested-action"])
        .build();
    let header = adw::HeaderBar::new();
    header.pack_end(&connect);
    let view = adw::ToolbarView::new();
    view.add_top_bar(&header);
    view.set_content(Some(&page));
    dialog.set_child(Some(&view));

    // The address and the advice follow what is typed.
    let refresh = {
        let (kind, user, host, port, side) = (
            kind.clone(),
            user.clone(),
            host.clone(),
            port.clone(),
            side.clone(),
        );
        let (shown, note, remote_group, connect) = (
            shown.clone(),
            note.clone(),
            remote_group.clone(),
            connect.clone(),
        );
        move || {
            let k = kind.selected();
            remote_group.set_visible(k == 2);
            let made = address(
                k,
                &user.text(),
                &host.text(),
                port.value(),
                side.selected() == 1,
            );
            connect.set_sensitive(made.is_ok());
            match &made {
                Ok(uri) => {
                    shown.add_css_class("monospace");
                    shown.set_label(&gettext_f("Address: {uri}", &[("uri", uri)]))
                }
                Err(why) => {
                    shown.remove_css_class("monospace");
                    shown.set_label(why)
                }
            }
            let advice = match (k, made.as_deref().ok().and_then(remote::ssh_target)) {
                (2, Some(t)) => gettext_f(
                    "Bilik logs in with SSH and cannot type a password or answer SSH’s questions. Set up a key first, in a terminal: “{copy}” (it asks for the password once), then “{ssh}” once to accept the computer’s key.",
                    &[("copy", &t.copy_id_command()), ("ssh", &t.ssh_command())],
                ),
                (0, _) => explanation(SYSTEM_URI),
                (1, _) => explanation(SESSION_URI),
                _ => String::new(),
            };
            note.set_label(&advice);
            note.set_visible(!advice.is_empty());
        }
    };
    refresh();
    let r = refresh.clone();
    kind.connect_selected_notify(move |_| r());
    let r = refresh.clone();
    side.connect_selected_notify(move |_| r());
    let r = refresh.clone();
    port.connect_value_notify(move |_| r());
    let r = refresh.clone();
    user.connect_changed(move |_| r());
    let r = refresh.clone();
    host.connect_changed(move |_| r());

    let d = dialog.clone();
    connect.connect_clicked(move |_| {
        match address(
            kind.selected(),
            &user.text(),
            &host.text(),
            port.value(),
            side.selected() == 1,
        ) {
            Ok(uri) => {
                d.close();
                added(uri);
            }
            Err(why) => {
                problem.set_label(&why);
                problem.set_visible(true);
            }
        }
    });
    dialog.present(Some(parent));
}
