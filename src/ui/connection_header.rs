//! The header row above one connection's machines in the sidebar: its name, its state
//! ("3 machines", "Connecting…", "Lost connection to … — reconnecting…"), a menu
//! (Storage, Networks, a new machine here, Reconnect, Close), and — when it could not
//! connect — the sentence, Try Again, Run Setup Check and libvirt's words under Details.
//! Built when the list shows the row; its bindings to the [`ConnectionItem`] are returned
//! so the list can undo them when the row shows something else.

use adw::prelude::*;
use gettextrs::gettext;

use crate::i18n::gettext_f;
use crate::model::connection_item::ConnectionItem;

/// What a header's buttons ask for, for the connection `.0` (its URI).
#[derive(Debug, Clone)]
pub enum HeaderAsk {
    TryAgain(String),
    SetupCheck(String),
    NewVm(String),
    Storage(String),
    Networks(String),
    Close(String),
    /// Close it and take it off the connections menu (an address the user added).
    Forget(String),
}

/// The header for `item`; `ask` hears its buttons.
pub fn build(
    item: &ConnectionItem,
    ask: impl Fn(HeaderAsk) + Clone + 'static,
) -> (gtk::Widget, Vec<glib::Binding>) {
    let uri = item.uri();
    let title = item.title();
    let mut bindings = Vec::new();
    let root = gtk::Box::builder()
        .orientation(gtk::Orientation::Vertical)
        .spacing(6)
        .margin_start(6)
        .margin_end(6)
        .margin_top(12)
        .margin_bottom(4)
        .build();

    let top = gtk::Box::builder().spacing(8).build();
    let texts = gtk::Box::builder()
        .orientation(gtk::Orientation::Vertical)
        .hexpand(true)
        .build();
    let title_label = gtk::Label::builder()
        .label(&title)
        .xalign(0.0)
        .ellipsize(gtk::pango::EllipsizeMode::End)
        .css_classes(["heading"])
        .build();
    let status = gtk::Label::builder()
        .xalign(0.0)
        .wrap(true)
        .wrap_mode(gtk::pango::WrapMode::WordChar)
        .css_classes(["dim-label", "caption"])
        .build();
    bindings.push(
        item.bind_property("status", &status, "label")
            .sync_create()
            .build(),
    );
    texts.append(&title_label);
    texts.append(&status);
    top.append(&texts);
    // gtk::Spinner: AdwSpinner needs libadwaita 1.6, newer than our baseline.
    let spinner = gtk::Spinner::builder()
        .spinning(true)
        .valign(gtk::Align::Center)
        .build();
    bindings.push(
        item.bind_property("busy", &spinner, "visible")
            .sync_create()
            .build(),
    );
    top.append(&spinner);
    // Lost, waiting to reconnect: perhaps for hours (a host that is switched off). The
    // spinner redrew all that time — 8 % of a core with GTK's software renderer
    // (build-aux/lost-cpu) — so a still icon says it, beside the status line.
    let offline = gtk::Image::builder()
        .icon_name("network-offline-symbolic")
        .valign(gtk::Align::Center)
        .accessible_role(gtk::AccessibleRole::Presentation)
        .build();
    bindings.push(
        item.bind_property("phase", &offline, "visible")
            .transform_to(|_, phase: String| {
                Some(phase == crate::model::connection_item::Phase::Lost.name())
            })
            .sync_create()
            .build(),
    );
    top.append(&offline);
    top.append(&menu_button(item, &uri, &title, &ask, &mut bindings));
    root.append(&top);

    // Could not connect: why, and the ways out.
    let failed = gtk::Box::builder()
        .orientation(gtk::Orientation::Vertical)
        .spacing(8)
        .build();
    let advice = gtk::Label::builder()
        .xalign(0.0)
        .wrap(true)
        .wrap_mode(gtk::pango::WrapMode::WordChar)
        .build();
    bindings.push(
        item.bind_property("error-advice", &advice, "label")
            .sync_create()
            .build(),
    );
    failed.append(&advice);
    let buttons = gtk::Box::builder().spacing(8).build();
    buttons.append(&button(&gettext("Try Again"), true, {
        let (ask, uri) = (ask.clone(), uri.clone());
        move || ask(HeaderAsk::TryAgain(uri.clone()))
    }));
    let check = button(&gettext("Run Setup Check"), false, {
        let (ask, uri) = (ask.clone(), uri.clone());
        move || ask(HeaderAsk::SetupCheck(uri.clone()))
    });
    check.set_tooltip_text(Some(&gettext(
        "Check what virtual machines need on this computer, with fixes",
    )));
    // The setup check looks at this computer: no help for another one.
    check.set_visible(crate::backend::uri::local_and_session(&uri).0);
    buttons.append(&check);
    failed.append(&buttons);
    let details = crate::ui::widgets::details_label();
    bindings.push(
        item.bind_property("error-details", &details, "label")
            .sync_create()
            .build(),
    );
    failed.append(
        &gtk::Expander::builder()
            .label(gettext("Details"))
            .child(&details)
            .build(),
    );
    bindings.push(
        item.bind_property("failed", &failed, "visible")
            .sync_create()
            .build(),
    );
    root.append(&failed);

    // Connected, no machines: what that means, and how to make one.
    let empty = gtk::Box::builder()
        .orientation(gtk::Orientation::Vertical)
        .spacing(8)
        .build();
    empty.append(
        &gtk::Label::builder()
            .label(gettext(
                "This connection has no virtual machines yet. Machines of “This computer (system)” and of “My user session” are kept apart, each under its own heading here; open more connections from the menu at the top.",
            ))
            .xalign(0.0)
            .wrap(true)
            .css_classes(["dim-label"])
            .build(),
    );
    empty.append(&button(&gettext("New Virtual Machine"), true, {
        let (ask, uri) = (ask.clone(), uri.clone());
        move || ask(HeaderAsk::NewVm(uri.clone()))
    }));
    bindings.push(
        item.bind_property("empty", &empty, "visible")
            .sync_create()
            .build(),
    );
    root.append(&empty);
    (root.upcast(), bindings)
}

fn button(label: &str, suggested: bool, clicked: impl Fn() + 'static) -> gtk::Button {
    let b = gtk::Button::builder()
        .label(label)
        .halign(gtk::Align::Start)
        .build();
    if suggested {
        b.add_css_class("suggested-action");
    }
    b.connect_clicked(move |_| clicked());
    b
}

/// The connection's menu: what concerns the whole connection.
fn menu_button(
    item: &ConnectionItem,
    uri: &str,
    title: &str,
    ask: &(impl Fn(HeaderAsk) + Clone + 'static),
    bindings: &mut Vec<glib::Binding>,
) -> gtk::MenuButton {
    let items = gtk::Box::builder()
        .orientation(gtk::Orientation::Vertical)
        .build();
    // What it is exactly: its address, to copy into virsh or virt-manager.
    let address = gtk::Label::builder()
        .label(uri)
        .selectable(true)
        .xalign(0.0)
        .wrap(true)
        .wrap_mode(gtk::pango::WrapMode::WordChar)
        .max_width_chars(36)
        .margin_start(8)
        .margin_end(8)
        .margin_top(4)
        .margin_bottom(6)
        .css_classes(["monospace", "caption", "dim-label"])
        .build();
    items.append(&address);
    // What it is: computer, hypervisor, versions, processors and memory (once read).
    let facts = gtk::Label::builder()
        .xalign(0.0)
        .wrap(true)
        .wrap_mode(gtk::pango::WrapMode::WordChar)
        .max_width_chars(36)
        .selectable(true)
        .margin_start(8)
        .margin_end(8)
        .margin_bottom(6)
        .css_classes(["caption", "dim-label"])
        .build();
    bindings.push(
        item.bind_property("details", &facts, "label")
            .sync_create()
            .build(),
    );
    bindings.push(
        item.bind_property("details", &facts, "visible")
            .transform_to(|_, d: String| Some(!d.is_empty()))
            .sync_create()
            .build(),
    );
    items.append(&facts);
    let popover = gtk::Popover::builder().child(&items).build();
    type Make = fn(String) -> HeaderAsk;
    let mut entries: Vec<(String, Make)> = vec![
        (gettext("New Virtual Machine Here…"), HeaderAsk::NewVm),
        (gettext("Storage"), HeaderAsk::Storage),
        (gettext("Networks"), HeaderAsk::Networks),
        (gettext("Reconnect"), HeaderAsk::TryAgain),
        (gettext("Close Connection"), HeaderAsk::Close),
    ];
    if uri != crate::ui::connection_switcher::SYSTEM_URI
        && uri != crate::ui::connection_switcher::SESSION_URI
    {
        entries.push((gettext("Forget This Connection"), HeaderAsk::Forget));
    }
    let mut first: Option<gtk::Button> = None;
    for (label, make) in entries {
        let b = gtk::Button::builder()
            .label(&label)
            .css_classes(["flat"])
            .build();
        if let Some(l) = b.child().and_downcast::<gtk::Label>() {
            l.set_xalign(0.0);
        }
        let (ask, uri, p) = (ask.clone(), uri.to_string(), popover.clone());
        b.connect_clicked(move |_| {
            p.popdown();
            ask(make(uri.clone()));
        });
        items.append(&b);
        first.get_or_insert(b);
    }
    // The focus on the first command, not on the address (a selectable label would take
    // it, its text shown all selected as the menu opens).
    if let Some(first) = first {
        popover.connect_show(move |_| {
            first.grab_focus();
        });
    }
    let menu = gtk::MenuButton::builder()
        .icon_name("view-more-symbolic")
        .valign(gtk::Align::Center)
        .css_classes(["flat"])
        .popover(&popover)
        .tooltip_text(gettext("Connection menu"))
        .build();
    menu.update_property(&[gtk::accessible::Property::Label(&gettext_f(
        // Translators: {connection} is a connection's name, e.g. "My user session".
        "Menu of {connection}",
        &[("connection", title)],
    ))]);
    menu
}
