//! The Storage dialog's widgets as built when it is first opened: the pools page, a pool's page with its volumes, and the forms (new pool, new volume, grow). What the dialog does is in mod.rs.

use adw::prelude::*;
use gettextrs::gettext;
use relm4::prelude::*;

use super::*;

/// Builds the widgets and the model (the body of `StorageDialog::init`).
pub(super) fn build(
    _init: (),
    dialog: adw::Dialog,
    sender: ComponentSender<StorageDialog>,
) -> ComponentParts<StorageDialog> {
    let (nav, toasts) = nav_dialog(&dialog);

    // Pools.
    let page = adw::PreferencesPage::new();
    let pools_group = group(
        &gettext("Storage pools"),
        &gettext(
            "A storage pool is a place where machines’ disks are kept: a folder on this computer, a network share, an LVM group… Stopping a pool never deletes its files.",
        ),
    );
    let s = sender.clone();
    header_button(&pools_group, &gettext("Add Pool…"), move || {
        s.input(StorageMsg::NewPool)
    });
    page.add(&pools_group);
    nav.add(&nav_page(&gettext("Storage"), "pools", &page));
    let s = sender.clone();
    nav.connect_popped(move |_, _| s.input(StorageMsg::Popped));

    // One pool.
    let page = adw::PreferencesPage::new();
    let about = adw::PreferencesGroup::new();
    let prop = |title: String| {
        adw::ActionRow::builder()
            .use_markup(false)
            .title(title)
            .css_classes(["property"])
            .subtitle_selectable(true)
            .build()
    };
    let type_row = prop(gettext("Type"));
    let path_row = prop(gettext("Location"));
    let space_row = prop(gettext("Space"));
    let space_bar = gtk::LevelBar::builder()
        .width_request(160)
        .valign(gtk::Align::Center)
        .build();
    space_bar.update_property(&[gtk::accessible::Property::Label(&gettext("Space used"))]);
    space_row.add_suffix(&space_bar);
    let state_row = prop(gettext("State"));
    let start_stop = button(&gettext("Start"));
    let s = sender.clone();
    start_stop.connect_clicked(move |_| s.input(StorageMsg::StartStop));
    state_row.add_suffix(&start_stop);
    let autostart = adw::SwitchRow::builder()
        .use_markup(false)
        .title(gettext("Start with the computer"))
        .subtitle(gettext("Machines with disks here need it running"))
        .build();
    let s = sender.clone();
    autostart.connect_active_notify(move |r| s.input(StorageMsg::Autostart(r.is_active())));
    for r in [&type_row, &path_row, &space_row, &state_row] {
        about.add(r);
    }
    about.add(&autostart);
    let delete_pool = gtk::Button::builder()
        .label(gettext("Delete Pool…"))
        .halign(gtk::Align::Start)
        .margin_top(12)
        .css_classes(["destructive-action"])
        .build();
    let s = sender.clone();
    delete_pool.connect_clicked(move |_| s.input(StorageMsg::DeletePool));
    about.add(&delete_pool);
    let pool_error = error_label();
    about.add(&pool_error);
    page.add(&about);
    let vol_group = group(
        &gettext("Volumes"),
        &gettext("The disk files in this pool, and the machines that use them."),
    );
    let s = sender.clone();
    let new_volume = header_button(&vol_group, &gettext("New Volume…"), move || {
        s.input(StorageMsg::NewVolume)
    });
    let volumes: TypedListView<VolumeRow, gtk::SingleSelection> = TypedListView::new();
    volumes.view.add_css_class("boxed-list");
    volumes
        .view
        .update_property(&[gtk::accessible::Property::Label(&gettext("Volumes"))]);
    let s = sender.clone();
    volumes
        .selection_model
        .connect_selected_notify(move |_| s.input(StorageMsg::VolumeSelected));
    let scrolled = gtk::ScrolledWindow::builder()
        .min_content_height(260)
        .max_content_height(360)
        .propagate_natural_height(true)
        .child(&volumes.view)
        .build();
    vol_group.add(&scrolled);
    let volumes_empty = note_label();
    vol_group.add(&volumes_empty);
    let actions = gtk::Box::builder().spacing(6).margin_top(6).build();
    let grow = button(&gettext("Grow…"));
    let delete_volume = button(&gettext("Delete…"));
    delete_volume.add_css_class("destructive-action");
    let copy_path = button(&gettext("Copy Path"));
    let reveal = button(&gettext("Show in Folder"));
    let s = sender.clone();
    reveal.connect_clicked(move |_| s.input(StorageMsg::RevealPath));
    let s = sender.clone();
    grow.connect_clicked(move |_| s.input(StorageMsg::GrowVolume));
    let s = sender.clone();
    delete_volume.connect_clicked(move |_| s.input(StorageMsg::DeleteVolume));
    let s = sender.clone();
    copy_path.connect_clicked(move |_| s.input(StorageMsg::CopyPath));
    for b in [&grow, &delete_volume, &copy_path, &reveal] {
        actions.append(b);
    }
    vol_group.add(&actions);
    page.add(&vol_group);
    let pool_page = nav_page("", "pool", &page);

    // New pool.
    let page = adw::PreferencesPage::new();
    let g = group(
        &gettext("New storage pool"),
        &gettext("Where should the disks of your machines be kept?"),
    );
    let pool_name = entry(&gettext("Name"));
    let kind_names = gtk::StringList::new(&[]);
    let kind_row = adw::ComboRow::builder()
        .use_markup(false)
        .title(gettext("Type"))
        .model(&kind_names)
        .build();
    let s = sender.clone();
    kind_row.connect_selected_notify(move |r| s.input(StorageMsg::PoolKind(r.selected())));
    g.add(&pool_name);
    g.add(&kind_row);
    let kind_note = note_label();
    g.add(&kind_note);
    page.add(&g);
    let fields = adw::PreferencesGroup::new();
    let folder = entry(&gettext("Folder"));
    let choose = gtk::Button::builder()
        .icon_name("folder-open-symbolic")
        .valign(gtk::Align::Center)
        .tooltip_text(gettext("Choose Folder"))
        .css_classes(["flat"])
        .build();
    choose.update_property(&[gtk::accessible::Property::Label(&gettext("Choose Folder"))]);
    let s = sender.clone();
    choose.connect_clicked(move |_| s.input(StorageMsg::ChooseFolder));
    folder.add_suffix(&choose);
    let nfs_host = entry(&gettext("NFS server"));
    let nfs_export = entry(&gettext("Shared folder on the server"));
    let vg = entry(&gettext("Volume group"));
    let iscsi_host = entry(&gettext("iSCSI server"));
    let iqn = entry(&gettext("Target name (IQN)"));
    for e in [&folder, &nfs_host, &nfs_export, &vg, &iscsi_host, &iqn] {
        fields.add(e);
    }
    page.add(&fields);
    let options = adw::PreferencesGroup::new();
    let persistent = adw::SwitchRow::builder()
        .use_markup(false)
        .title(gettext("Keep after a restart"))
        .subtitle(gettext(
            "Off: a one-off pool that disappears when stopped or when the computer restarts (its files stay)",
        ))
        .active(true)
        .build();
    let pool_autostart = adw::SwitchRow::builder()
        .use_markup(false)
        .title(gettext("Start with the computer"))
        .active(true)
        .build();
    persistent
        .bind_property("active", &pool_autostart, "sensitive")
        .sync_create()
        .build();
    options.add(&persistent);
    options.add(&pool_autostart);
    let s = sender.clone();
    let new_pool_error = form_end(&options, &gettext("Create Pool"), move || {
        s.input(StorageMsg::CreatePool)
    });
    page.add(&options);
    let new_pool_page = nav_page(&gettext("Add Pool"), "new-pool", &page);

    // New volume.
    let page = adw::PreferencesPage::new();
    let g = group(
        &gettext("New volume"),
        &gettext("A new, empty disk file in this pool."),
    );
    let volume_name = entry(&gettext("Name"));
    let format_row = adw::ComboRow::builder()
        .use_markup(false)
        .title(gettext("Format"))
        .subtitle(gettext(
            "qcow2 grows as it fills and allows snapshots; raw is a plain file, a little faster",
        ))
        .model(&gtk::StringList::new(&["qcow2", "raw"]))
        .build();
    let (size_row, volume_size) = size_spin(&gettext("Size"), 20.0);
    // MiB, GiB, TiB: the power of 1024 (in bytes) is 2, 3, 4.
    let volume_unit = adw::ComboRow::builder()
        .use_markup(false)
        .title(gettext("Unit"))
        .model(&gtk::StringList::new(&["MiB", "GiB", "TiB"]))
        .selected(1)
        .build();
    g.add(&volume_name);
    g.add(&format_row);
    g.add(&size_row);
    g.add(&volume_unit);
    let volume_note = note_label();
    g.add(&volume_note);
    let s = sender.clone();
    let new_volume_error = form_end(&g, &gettext("Create Volume"), move || {
        s.input(StorageMsg::CreateVolume)
    });
    page.add(&g);
    let new_volume_page = nav_page(&gettext("New Volume"), "new-volume", &page);

    // Grow a volume.
    let page = adw::PreferencesPage::new();
    let g = group(
        &gettext("Grow the volume"),
        &gettext(
            "Disks can only grow. Afterwards, grow the partition inside the machine too (for example with GNOME Disks or growpart).",
        ),
    );
    let (grow_row, grow_size) = size_spin(&gettext("New size (GiB)"), 20.0);
    g.add(&grow_row);
    let grow_note = note_label();
    g.add(&grow_note);
    let s = sender.clone();
    let grow_error = form_end(&g, &gettext("Grow"), move || {
        s.input(StorageMsg::ConfirmedGrow)
    });
    page.add(&g);
    let grow_page = nav_page(&gettext("Grow Volume"), "grow", &page);

    let model = StorageDialog {
        parent: None,
        connection: None,
        pools: Vec::new(),
        supported: Vec::new(),
        current: None,
        volumes: Vec::new(),
        selected_volume: None,
        kinds: vec!["dir"],
        kind: 0,
        error: None,
        error_field: None,
        busy: false,
    };
    let widgets = StorageWidgets {
        nav,
        toasts,
        pools_group,
        pool_rows: Vec::new(),
        pool_page,
        type_row,
        path_row,
        space_row,
        space_bar,
        state_row,
        start_stop,
        autostart,
        volumes,
        volumes_empty,
        grow,
        delete_volume,
        copy_path,
        reveal,
        new_volume,
        pool_error,
        new_pool_page,
        pool_name,
        kind_row,
        kind_names,
        kind_note,
        folder,
        nfs_host,
        nfs_export,
        vg,
        iscsi_host,
        iqn,
        persistent,
        pool_autostart,
        new_pool_error,
        new_volume_page,
        volume_name,
        format_row,
        volume_size,
        volume_unit,
        volume_note,
        new_volume_error,
        grow_page,
        grow_size,
        grow_note,
        grow_error,
    };
    ComponentParts { model, widgets }
}
