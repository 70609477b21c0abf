//! The Networks dialog's widgets as built when it is first opened: the networks page, a network's page and the new-network form. What the dialog does is in mod.rs.

use adw::prelude::*;
use gettextrs::gettext;
use relm4::prelude::*;

use super::*;

/// Builds the widgets and the model (the body of `NetworksDialog::init`).
pub(super) fn build(
    _init: (),
    dialog: adw::Dialog,
    sender: ComponentSender<NetworksDialog>,
) -> ComponentParts<NetworksDialog> {
    let (nav, toasts) = nav_dialog(&dialog);

    // The list.
    let page = adw::PreferencesPage::new();
    let list_group = group(
        &gettext("Virtual networks"),
        &gettext(
            "A virtual network connects machines to each other and, depending on its mode, to the outside. Machines on “My user session” use user-mode networking instead.",
        ),
    );
    let s = sender.clone();
    header_button(&list_group, &gettext("Add Network…"), move || {
        s.input(NetworksMsg::NewNetwork)
    });
    page.add(&list_group);
    let default_hint = adw::Banner::builder()
        .title(gettext(
            "The “default” network does not start with the computer: machines using it cannot start after a reboot.",
        ))
        .button_label(gettext("Start It Automatically"))
        .revealed(true)
        .visible(false)
        .build();
    let s = sender.clone();
    default_hint.connect_button_clicked(move |_| {
        s.input(NetworksMsg::Show("default".into()));
        s.input(NetworksMsg::Autostart(true));
    });
    let list_box = gtk::Box::new(gtk::Orientation::Vertical, 0);
    list_box.append(&default_hint);
    list_box.append(&page);
    page.set_vexpand(true);
    nav.add(&nav_page(&gettext("Networks"), "networks", &list_box));
    let s = sender.clone();
    nav.connect_popped(move |_, _| s.input(NetworksMsg::Popped));

    // One network.
    let page = adw::PreferencesPage::new();
    // The mode's explanation is the group's description, above its rows.
    let about = adw::PreferencesGroup::new();
    let prop = |t: String| {
        adw::ActionRow::builder()
            .use_markup(false)
            .title(t)
            .css_classes(["property"])
            .subtitle_selectable(true)
            .build()
    };
    let mode_row = prop(gettext("Mode"));
    let subnet_row = prop(gettext("Subnet"));
    let dhcp_row = prop(gettext("DHCP"));
    let bridge_row = prop(gettext("Bridge device"));
    let machines_row = prop(gettext("Machines"));
    let state_row = prop(gettext("State"));
    let start_stop = button(&gettext("Start"));
    let s = sender.clone();
    start_stop.connect_clicked(move |_| s.input(NetworksMsg::StartStop));
    state_row.add_suffix(&start_stop);
    for r in [
        &mode_row,
        &subnet_row,
        &dhcp_row,
        &bridge_row,
        &machines_row,
        &state_row,
    ] {
        about.add(r);
    }
    let autostart = adw::SwitchRow::builder()
        .use_markup(false)
        .title(gettext("Start with the computer"))
        .build();
    let s = sender.clone();
    autostart.connect_active_notify(move |r| s.input(NetworksMsg::Autostart(r.is_active())));
    about.add(&autostart);
    let delete = gtk::Button::builder()
        .label(gettext("Delete Network…"))
        .halign(gtk::Align::Start)
        .margin_top(12)
        .css_classes(["destructive-action"])
        .build();
    let s = sender.clone();
    delete.connect_clicked(move |_| s.input(NetworksMsg::Delete));
    about.add(&delete);
    let error = error_label();
    about.add(&error);
    page.add(&about);
    let leases_group = group(
        &gettext("Addresses given out"),
        &gettext("The address each machine received from this network (DHCP)."),
    );
    let s = sender.clone();
    header_button(&leases_group, &gettext("Refresh"), move || {
        s.input(NetworksMsg::RefreshLeases)
    });
    page.add(&leases_group);
    let net_page = nav_page("", "network", &page);

    // New network.
    let page = adw::PreferencesPage::new();
    let g = group(
        &gettext("New virtual network"),
        &gettext("How should its machines reach the outside?"),
    );
    let name = entry(&gettext("Name"));
    let mode_row_new = adw::ComboRow::builder()
        .use_markup(false)
        .title(gettext("Mode"))
        .model(&gtk::StringList::new(
            &MODES
                .iter()
                .map(|m| mode_name(m))
                .collect::<Vec<_>>()
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>(),
        ))
        .build();
    let s = sender.clone();
    mode_row_new.connect_selected_notify(move |r| s.input(NetworksMsg::Mode(r.selected())));
    g.add(&name);
    g.add(&mode_row_new);
    let mode_note = note_label();
    g.add(&mode_note);
    page.add(&g);
    let fields = adw::PreferencesGroup::new();
    let subnet = entry(&gettext("Subnet (IPv4)"));
    let dhcp = adw::SwitchRow::builder()
        .use_markup(false)
        .title(gettext("Give out addresses (DHCP)"))
        .subtitle(gettext("Machines get an address by themselves"))
        .active(true)
        .build();
    let dhcp_start = entry(&gettext("First DHCP address (optional)"));
    let dhcp_end = entry(&gettext("Last DHCP address (optional)"));
    dhcp.bind_property("active", &dhcp_start, "visible")
        .sync_create()
        .build();
    dhcp.bind_property("active", &dhcp_end, "visible")
        .sync_create()
        .build();
    let bridges = gtk::StringList::new(&[]);
    let bridge = adw::ComboRow::builder()
        .use_markup(false)
        .title(gettext("Bridge of this computer"))
        .model(&bridges)
        .build();
    let bridge_note = note_label();
    for w in [
        subnet.upcast_ref::<gtk::Widget>(),
        dhcp.upcast_ref(),
        dhcp_start.upcast_ref(),
        dhcp_end.upcast_ref(),
        bridge.upcast_ref(),
    ] {
        fields.add(w);
    }
    fields.add(&bridge_note);
    page.add(&fields);
    let opts = adw::PreferencesGroup::new();
    let new_autostart = adw::SwitchRow::builder()
        .use_markup(false)
        .title(gettext("Start with the computer"))
        .active(true)
        .build();
    opts.add(&new_autostart);
    let s = sender.clone();
    let new_error = form_end(&opts, &gettext("Create Network"), move || {
        s.input(NetworksMsg::Create)
    });
    page.add(&opts);
    let new_page = nav_page(&gettext("Add Network"), "new-network", &page);

    let model = NetworksDialog {
        parent: None,
        connection: None,
        networks: Vec::new(),
        bridges: Vec::new(),
        free_subnet: String::new(),
        current: None,
        leases: Vec::new(),
        mode: 0,
        error: None,
        error_field: None,
    };
    let widgets = NetworksWidgets {
        nav,
        toasts,
        list_group,
        rows: Vec::new(),
        default_hint,
        page: net_page,
        about,
        mode_row,
        subnet_row,
        dhcp_row,
        bridge_row,
        machines_row,
        state_row,
        start_stop,
        autostart,
        leases_group,
        lease_rows: Vec::new(),
        error,
        new_page,
        name,
        mode_row_new,
        mode_note,
        subnet,
        dhcp,
        dhcp_start,
        dhcp_end,
        bridge,
        bridges,
        bridge_note,
        new_autostart,
        new_error,
    };
    ComponentParts { model, widgets }
}
