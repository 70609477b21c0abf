//! The Storage dialog: the connection's storage pools (where disks are kept) and, per pool,
//! its volumes (the disk files). Pools: add (the types this host supports), start / stop,
//! autostart, delete; volumes: create, grow, delete, copy the path. Everything that could
//! lose data asks first and says what happens to the files.
//!
//! Lists come from the connection worker (the App forwards them); after every change the
//! worker sends fresh lists before the outcome.

use adw::prelude::*;
use gettextrs::gettext;
use relm4::prelude::*;
use relm4::typed_view::list::{RelmListItem, TypedListView};

use crate::backend::storage::{
    self, Change, PoolAction, PoolInfo, PoolSpec, PoolsOverview, StorageDone, StorageError,
    StorageProblem, VolumeInfo,
};
use crate::backend::{BackendError, Connection};
use crate::i18n::gettext_f;
use crate::ui::machine_target::ask_on;
use crate::ui::widgets::{
    button, entry, error_label, form_end, group, header_button, nav_dialog, nav_page, note_label,
    present_over, size_spin,
};

#[derive(Debug)]
pub enum StorageMsg {
    /// Opens over the window, for this connection.
    Open(adw::ApplicationWindow, Option<Connection>),
    Pools(Vec<PoolInfo>, Vec<String>),
    Volumes(String, Vec<VolumeInfo>),
    Done(String, StorageDone),
    Refused(String, StorageProblem),
    Failed(String, BackendError),
    /// A pool changed elsewhere (event): list again if showing.
    Changed,
    ShowPool(String),
    /// The navigation view went back to the pool list.
    Popped,
    StartStop,
    ConfirmedStop,
    Autostart(bool),
    DeletePool,
    ConfirmedDeletePool(bool),
    NewPool,
    PoolKind(u32),
    ChooseFolder,
    CreatePool,
    NewVolume,
    CreateVolume,
    GrowVolume,
    ConfirmedGrow,
    DeleteVolume,
    ConfirmedDeleteVolume,
    CopyPath,
    RevealPath,
    VolumeSelected,
}

/// The connection's answers.
#[derive(Debug)]
pub enum StorageCmd {
    Pools(Result<PoolsOverview, BackendError>),
    /// Volumes of a pool; `report`: a failure is said (not after a change, where a pool
    /// that just went away is no news).
    Volumes(String, bool, Result<Vec<VolumeInfo>, BackendError>),
    Done(String, StorageDone, Result<(), StorageError>),
}

/// The pool types Bilik offers a form for, in this order, if the host supports them.
const KINDS: [&str; 4] = ["dir", "netfs", "logical", "iscsi"];

fn kind_name(kind: &str) -> String {
    match kind {
        "dir" => gettext("Folder"),
        "netfs" => gettext("NFS network share"),
        "logical" => gettext("LVM volume group"),
        "iscsi" => gettext("iSCSI target"),
        "disk" => gettext("Whole disk"),
        "fs" => gettext("Formatted partition"),
        other => other.to_string(),
    }
}

fn kind_explain(kind: &str) -> String {
    match kind {
        "dir" => gettext(
            "A folder on this computer; each disk is a file in it. The simplest choice.",
        ),
        "netfs" => gettext(
            "A folder shared by another computer over NFS; libvirt mounts it while the pool runs.",
        ),
        "logical" => gettext(
            "An existing LVM volume group; each disk is a logical volume. For people who use LVM already.",
        ),
        "iscsi" => gettext(
            "Disks (LUNs) offered by an iSCSI server on the network. Volumes are made on the server, not here.",
        ),
        _ => String::new(),
    }
}

fn size(bytes: u64) -> String {
    glib::format_size_full(bytes, glib::FormatSizeFlags::IEC_UNITS).to_string()
}

/// A sentence for a refusal, naming the field or the machines.
pub fn problem_text(p: &StorageProblem) -> String {
    match p {
        StorageProblem::BadName(n) => crate::errors::name_problem(n),
        StorageProblem::PathNotAbsolute => gettext(
            "Give a full folder path, starting with “/”, such as /srv/kvm.",
        ),
        StorageProblem::PathIsFile => gettext(
            "This path is a file, not a folder. Choose a folder, or a path that does not exist yet (Bilik creates it).",
        ),
        StorageProblem::MissingHost => gettext("Give the server’s name or address."),
        StorageProblem::BadHost(c) => gettext_f(
            "“{char}” cannot be part of a server name. Use a name such as nas.local or an address such as 192.168.1.10.",
            &[("char", &c.to_string())],
        ),
        StorageProblem::ExportNotAbsolute => gettext(
            "The shared folder on the server is a full path, such as /srv/nfs/kvm.",
        ),
        StorageProblem::MissingField => gettext("Fill in this field."),
        StorageProblem::ZeroSize => gettext("The size must be more than zero."),
        StorageProblem::TooBig(free) => gettext_f(
            "That is more than the pool has free ({free}). Choose a smaller size or another pool.",
            &[("free", &size(*free))],
        ),
        StorageProblem::Shrink(now) => gettext_f(
            "Disks can only grow: it is {size} now, and shrinking would cut off what is stored at its end.",
            &[("size", &size(*now))],
        ),
        StorageProblem::InUse(names) => gettext_f(
            "Used by {machines}. Remove it from the machine first (or delete the machine and pick this disk).",
            &[("machines", &names.join(", "))],
        ),
        StorageProblem::InUseRunning(names) => gettext_f(
            "{machines} is running with this disk. Shut it down first.",
            &[("machines", &names.join(", "))],
        ),
    }
}

/// A row of the volume list (virtualised: thousands of volumes stay smooth).
#[derive(Debug)]
struct VolumeRow(VolumeInfo);

struct VolumeRowWidgets {
    item: glib::WeakRef<gtk::ListItem>,
    name: gtk::Label,
    detail: gtk::Label,
}

impl VolumeRow {
    fn detail(&self) -> String {
        let v = &self.0;
        let mut s = gettext_f(
            "{format} · {size} · {used} on disk",
            &[
                ("format", &v.format),
                ("size", &size(v.capacity)),
                ("used", &size(v.allocation)),
            ],
        );
        if !v.used_by.is_empty() {
            s.push_str(" · ");
            s.push_str(&gettext_f(
                "used by {machines}",
                &[("machines", &v.used_by.join(", "))],
            ));
        }
        s
    }
}

impl RelmListItem for VolumeRow {
    type Root = gtk::Box;
    type Widgets = VolumeRowWidgets;

    fn setup(item: &gtk::ListItem) -> (gtk::Box, VolumeRowWidgets) {
        let root = gtk::Box::builder()
            .orientation(gtk::Orientation::Vertical)
            .margin_start(12)
            .margin_end(12)
            .margin_top(6)
            .margin_bottom(6)
            .build();
        let name = gtk::Label::builder().xalign(0.0).build();
        let detail = gtk::Label::builder()
            .xalign(0.0)
            .css_classes(["dim-label", "caption"])
            .build();
        root.append(&name);
        root.append(&detail);
        let widgets = VolumeRowWidgets {
            item: item.downgrade(),
            name,
            detail,
        };
        (root, widgets)
    }

    fn bind(&mut self, w: &mut VolumeRowWidgets, _root: &mut gtk::Box) {
        let detail = self.detail();
        w.name.set_label(&self.0.name);
        w.detail.set_label(&detail);
        if let Some(item) = w.item.upgrade() {
            item.set_accessible_label(&format!("{}, {}", self.0.name, detail));
        }
    }
}

pub struct StorageDialog {
    parent: Option<adw::ApplicationWindow>,
    connection: Option<Connection>,
    pools: Vec<PoolInfo>,
    supported: Vec<String>,
    /// The pool whose page is open.
    current: Option<String>,
    volumes: Vec<VolumeInfo>,
    selected_volume: Option<VolumeInfo>,
    /// Pool kinds offered in the new-pool form (supported ones from KINDS).
    kinds: Vec<&'static str>,
    kind: usize,
    error: Option<(String, String)>,
    /// The form field the error is about (marked red).
    error_field: Option<&'static str>,
    busy: bool,
}

pub struct StorageWidgets {
    nav: adw::NavigationView,
    toasts: adw::ToastOverlay,
    pools_group: adw::PreferencesGroup,
    pool_rows: Vec<adw::ActionRow>,
    // pool page
    pool_page: adw::NavigationPage,
    type_row: adw::ActionRow,
    path_row: adw::ActionRow,
    space_row: adw::ActionRow,
    space_bar: gtk::LevelBar,
    state_row: adw::ActionRow,
    start_stop: gtk::Button,
    autostart: adw::SwitchRow,
    volumes: TypedListView<VolumeRow, gtk::SingleSelection>,
    volumes_empty: gtk::Label,
    grow: gtk::Button,
    delete_volume: gtk::Button,
    copy_path: gtk::Button,
    reveal: gtk::Button,
    new_volume: gtk::Button,
    pool_error: gtk::Label,
    // new pool page
    new_pool_page: adw::NavigationPage,
    pool_name: adw::EntryRow,
    kind_row: adw::ComboRow,
    kind_names: gtk::StringList,
    kind_note: gtk::Label,
    folder: adw::EntryRow,
    nfs_host: adw::EntryRow,
    nfs_export: adw::EntryRow,
    vg: adw::EntryRow,
    iscsi_host: adw::EntryRow,
    iqn: adw::EntryRow,
    persistent: adw::SwitchRow,
    pool_autostart: adw::SwitchRow,
    new_pool_error: gtk::Label,
    // new volume page
    new_volume_page: adw::NavigationPage,
    volume_name: adw::EntryRow,
    format_row: adw::ComboRow,
    volume_size: gtk::SpinButton,
    volume_unit: adw::ComboRow,
    volume_note: gtk::Label,
    new_volume_error: gtk::Label,
    // grow page
    grow_page: adw::NavigationPage,
    grow_size: gtk::SpinButton,
    grow_note: gtk::Label,
    grow_error: gtk::Label,
}

impl StorageDialog {
    fn pool(&self) -> Option<&PoolInfo> {
        let name = self.current.as_ref()?;
        self.pools.iter().find(|p| &p.name == name)
    }

    fn list(&self, sender: &ComponentSender<Self>) {
        ask_on(
            self.connection.as_ref(),
            sender,
            storage::pools,
            StorageCmd::Pools,
        );
    }

    fn volumes(&self, sender: &ComponentSender<Self>, pool: String, report: bool) {
        let p = pool.clone();
        ask_on(
            self.connection.as_ref(),
            sender,
            move |c| storage::volumes(c, &p),
            move |r| StorageCmd::Volumes(pool, report, r),
        );
    }

    /// Runs a change; its answer lists again, then says how it went.
    fn run(&self, sender: &ComponentSender<Self>, change: Change) {
        let (pool, what) = change.outcome();
        // The outcome travels inside the call's answer (its own error type).
        ask_on(
            self.connection.as_ref(),
            sender,
            move |c| Ok(storage::apply(c, change)),
            move |r: Result<Result<(), StorageError>, BackendError>| {
                StorageCmd::Done(
                    pool,
                    what,
                    r.unwrap_or_else(|e| Err(StorageError::Libvirt(e))),
                )
            },
        );
    }

    fn fail(&mut self, title: String, details: String) {
        self.busy = false;
        self.error = Some((title, details));
    }
}

impl Component for StorageDialog {
    type CommandOutput = StorageCmd;
    type Input = StorageMsg;
    type Output = ();
    type Init = ();
    type Root = adw::Dialog;
    type Widgets = StorageWidgets;

    fn init_root() -> Self::Root {
        adw::Dialog::builder()
            .title(gettext("Storage"))
            .content_width(680)
            .content_height(720)
            .build()
    }

    fn init(_: (), dialog: Self::Root, sender: ComponentSender<Self>) -> ComponentParts<Self> {
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

    fn update_with_view(
        &mut self,
        w: &mut Self::Widgets,
        msg: Self::Input,
        sender: ComponentSender<Self>,
        dialog: &Self::Root,
    ) {
        match msg {
            StorageMsg::Open(parent, connection) => {
                self.parent = Some(parent.clone());
                self.connection = connection;
                self.current = None;
                self.error = None;
                w.nav.pop_to_tag("pools");
                present_over(dialog, &parent);
                self.list(&sender);
            }
            StorageMsg::Changed => {
                if dialog.parent().is_some() {
                    self.list(&sender);
                }
            }
            StorageMsg::Pools(pools, supported) => {
                self.pools = pools;
                self.supported = supported;
                self.kinds = KINDS
                    .iter()
                    .copied()
                    .filter(|k| self.supported.iter().any(|s| s == k))
                    .collect();
                if self.kinds.is_empty() {
                    self.kinds = vec!["dir"];
                }
                for r in w.pool_rows.drain(..) {
                    w.pools_group.remove(&r);
                }
                for p in &self.pools {
                    let row = pool_row(p);
                    let s = sender.clone();
                    let name = p.name.clone();
                    row.connect_activated(move |_| s.input(StorageMsg::ShowPool(name.clone())));
                    w.pools_group.add(&row);
                    w.pool_rows.push(row);
                }
            }
            StorageMsg::ShowPool(name) => {
                self.current = Some(name.clone());
                self.error = None;
                self.volumes.clear();
                self.selected_volume = None;
                w.volumes.clear();
                w.pool_page.set_title(&name);
                if w.nav.visible_page().and_then(|p| p.tag()).as_deref() != Some("pool") {
                    w.nav.push(&w.pool_page);
                }
                self.volumes(&sender, name, true);
            }
            StorageMsg::Popped => {
                if w.nav.visible_page().and_then(|p| p.tag()).as_deref() == Some("pools") {
                    self.current = None;
                }
                self.error = None;
            }
            StorageMsg::Volumes(pool, volumes) => {
                if self.current.as_deref() == Some(pool.as_str()) {
                    w.volumes.clear();
                    w.volumes
                        .extend_from_iter(volumes.iter().cloned().map(VolumeRow));
                    self.volumes = volumes;
                }
            }
            StorageMsg::StartStop => {
                let Some(p) = self.pool().cloned() else {
                    return;
                };
                if p.active {
                    let body = if p.kind == "netfs" {
                        gettext(
                            "Stopping unmounts the NFS share. No file is deleted, here or on the server. Machines with disks in it cannot start until the pool runs again.",
                        )
                    } else {
                        gettext(
                            "Stopping does not delete any file: libvirt only stops managing the pool. Machines with disks in it cannot start until it runs again.",
                        )
                    };
                    let d = adw::AlertDialog::new(
                        Some(&gettext_f("Stop “{pool}”?", &[("pool", &p.name)])),
                        Some(&body),
                    );
                    d.add_response("cancel", &gettext("Cancel"));
                    d.add_response("stop", &gettext("Stop"));
                    d.set_close_response("cancel");
                    let s = sender.clone();
                    d.connect_response(None, move |_, r| {
                        if r == "stop" {
                            s.input(StorageMsg::ConfirmedStop)
                        }
                    });
                    d.present(Some(dialog));
                } else {
                    self.busy = true;
                    self.run(
                        &sender,
                        Change::Pool {
                            pool: p.name,
                            action: PoolAction::Start,
                        },
                    );
                }
            }
            StorageMsg::ConfirmedStop => {
                if let Some(p) = self.current.clone() {
                    self.busy = true;
                    self.run(
                        &sender,
                        Change::Pool {
                            pool: p,
                            action: PoolAction::Stop,
                        },
                    );
                }
            }
            StorageMsg::Autostart(on) => {
                if let Some(p) = self.pool().cloned() {
                    if p.autostart != on && p.persistent {
                        self.run(
                            &sender,
                            Change::Pool {
                                pool: p.name,
                                action: PoolAction::Autostart(on),
                            },
                        );
                    }
                }
            }
            StorageMsg::DeletePool => {
                let Some(p) = self.pool().cloned() else {
                    return;
                };
                let body = if p.kind == "netfs" {
                    gettext(
                        "Bilik stops the pool (unmounting the share) and forgets it. The files on the server are not touched.",
                    )
                } else {
                    gettext_f(
                        "Bilik stops the pool and forgets it. The files in {path} stay where they are, unless you also delete the folder — which only works when it is empty.",
                        &[("path", &p.target)],
                    )
                };
                let d = adw::AlertDialog::new(
                    Some(&gettext_f(
                        "Delete the pool “{pool}”?",
                        &[("pool", &p.name)],
                    )),
                    Some(&body),
                );
                d.add_response("cancel", &gettext("Cancel"));
                d.add_response("forget", &gettext("Delete Pool, Keep Files"));
                if p.kind == "dir" && p.persistent {
                    d.add_response("folder", &gettext("Delete Pool and Empty Folder"));
                    d.set_response_appearance("folder", adw::ResponseAppearance::Destructive);
                }
                d.set_close_response("cancel");
                let s = sender.clone();
                d.connect_response(None, move |_, r| match r {
                    "forget" => s.input(StorageMsg::ConfirmedDeletePool(false)),
                    "folder" => s.input(StorageMsg::ConfirmedDeletePool(true)),
                    _ => {}
                });
                d.present(Some(dialog));
            }
            StorageMsg::ConfirmedDeletePool(delete_folder) => {
                if let Some(p) = self.current.clone() {
                    self.busy = true;
                    self.run(
                        &sender,
                        Change::Pool {
                            pool: p,
                            action: PoolAction::Delete { delete_folder },
                        },
                    );
                }
            }
            StorageMsg::NewPool => {
                self.error = None;
                self.error_field = None;
                let names: Vec<String> = self.kinds.iter().map(|k| kind_name(k)).collect();
                w.kind_names.splice(
                    0,
                    w.kind_names.n_items(),
                    &names.iter().map(String::as_str).collect::<Vec<_>>(),
                );
                self.kind = 0;
                w.kind_row.set_selected(0);
                w.pool_name.set_text(&crate::backend::new_vm::suggest_name(
                    "pool",
                    &self
                        .pools
                        .iter()
                        .map(|p| p.name.clone())
                        .collect::<Vec<_>>(),
                ));
                w.nav.push(&w.new_pool_page);
            }
            StorageMsg::PoolKind(i) => self.kind = i as usize,
            StorageMsg::ChooseFolder => {
                let fd = gtk::FileDialog::builder()
                    .title(gettext("Choose a Folder for the Pool"))
                    .modal(true)
                    .build();
                let row = w.folder.clone();
                fd.select_folder(
                    self.parent.as_ref(),
                    None::<&gio::Cancellable>,
                    move |res| {
                        if let Ok(Some(path)) = res.map(|f| f.path()) {
                            row.set_text(&path.display().to_string());
                        }
                    },
                );
            }
            StorageMsg::CreatePool => {
                let kind = self.kinds.get(self.kind).copied().unwrap_or("dir");
                let t = |e: &adw::EntryRow| e.text().trim().to_string();
                let spec = match kind {
                    "netfs" => PoolSpec::Netfs {
                        host: t(&w.nfs_host),
                        export: t(&w.nfs_export),
                        mount: t(&w.folder),
                    },
                    "logical" => PoolSpec::Logical { vg: t(&w.vg) },
                    "iscsi" => PoolSpec::Iscsi {
                        host: t(&w.iscsi_host),
                        iqn: t(&w.iqn),
                    },
                    _ => PoolSpec::Dir { path: t(&w.folder) },
                };
                self.busy = true;
                self.error = None;
                self.run(
                    &sender,
                    Change::CreatePool {
                        name: t(&w.pool_name),
                        spec,
                        persistent: w.persistent.is_active(),
                        autostart: w.persistent.is_active() && w.pool_autostart.is_active(),
                    },
                );
            }
            StorageMsg::NewVolume => {
                self.error = None;
                self.error_field = None;
                let names: Vec<String> = self.volumes.iter().map(|v| v.name.clone()).collect();
                w.volume_name
                    .set_text(&crate::backend::new_vm::suggest_name("disk.qcow2", &names));
                w.nav.push(&w.new_volume_page);
            }
            StorageMsg::CreateVolume => {
                let Some(pool) = self.current.clone() else {
                    return;
                };
                let format = if w.format_row.selected() == 1 {
                    "raw"
                } else {
                    "qcow2"
                };
                self.busy = true;
                self.error = None;
                self.run(
                    &sender,
                    Change::CreateVolume {
                        pool,
                        name: w.volume_name.text().trim().to_string(),
                        format: format.into(),
                        capacity: (w.volume_size.value() as u64)
                            << (20 + 10 * w.volume_unit.selected().min(2)),
                    },
                );
            }
            StorageMsg::GrowVolume => {
                if let Some(v) = self.selected_volume.clone() {
                    self.error = None;
                    let gib = v.capacity.div_ceil(1 << 30);
                    w.grow_size.adjustment().set_lower(1.0);
                    w.grow_size.set_value((gib + 10) as f64);
                    w.grow_note.set_label(&gettext_f(
                        "“{volume}” is {size} now.",
                        &[("volume", &v.name), ("size", &size(v.capacity))],
                    ));
                    w.nav.push(&w.grow_page);
                }
            }
            StorageMsg::ConfirmedGrow => {
                if let (Some(pool), Some(v)) = (self.current.clone(), self.selected_volume.clone())
                {
                    self.busy = true;
                    self.error = None;
                    self.run(
                        &sender,
                        Change::ResizeVolume {
                            pool,
                            name: v.name,
                            capacity: (w.grow_size.value() as u64) << 30,
                        },
                    );
                }
            }
            StorageMsg::DeleteVolume => {
                let Some(v) = self.selected_volume.clone() else {
                    return;
                };
                let d = adw::AlertDialog::new(
                    Some(&gettext_f("Delete “{volume}”?", &[("volume", &v.name)])),
                    Some(&gettext_f(
                        "The file {path} and everything stored in it are deleted for good.",
                        &[("path", &v.path)],
                    )),
                );
                d.add_response("cancel", &gettext("Cancel"));
                d.add_response("delete", &gettext("Delete"));
                d.set_response_appearance("delete", adw::ResponseAppearance::Destructive);
                d.set_close_response("cancel");
                let s = sender.clone();
                d.connect_response(None, move |_, r| {
                    if r == "delete" {
                        s.input(StorageMsg::ConfirmedDeleteVolume)
                    }
                });
                d.present(Some(dialog));
            }
            StorageMsg::ConfirmedDeleteVolume => {
                if let (Some(pool), Some(v)) = (self.current.clone(), self.selected_volume.clone())
                {
                    self.busy = true;
                    self.run(&sender, Change::DeleteVolume { pool, name: v.name });
                }
            }
            StorageMsg::VolumeSelected => {}
            StorageMsg::RevealPath => {
                if let Some(v) = &self.selected_volume {
                    // The file manager shows the folder with the file selected (this
                    // computer's files only: a remote host's are not here).
                    let launcher = gtk::FileLauncher::new(Some(&gio::File::for_path(&v.path)));
                    let toasts = w.toasts.clone();
                    launcher.open_containing_folder(
                        self.parent.as_ref(),
                        None::<&gio::Cancellable>,
                        move |r| {
                            if r.is_err() {
                                toasts.add_toast(adw::Toast::new(&gettext(
                                    "No file manager could show this folder.",
                                )));
                            }
                        },
                    );
                }
            }
            StorageMsg::CopyPath => {
                if let Some(v) = &self.selected_volume {
                    dialog.clipboard().set_text(&v.path);
                    w.toasts.add_toast(adw::Toast::new(&gettext_f(
                        "Copied {path}",
                        &[("path", &glib::markup_escape_text(&v.path))],
                    )));
                }
            }
            StorageMsg::Done(pool, what) => {
                self.busy = false;
                self.error = None;
                self.error_field = None;
                let text = match what {
                    StorageDone::PoolCreated => {
                        w.nav.pop_to_tag("pools");
                        gettext_f("Pool “{pool}” created.", &[("pool", &pool)])
                    }
                    StorageDone::PoolDeleted => {
                        w.nav.pop_to_tag("pools");
                        self.current = None;
                        gettext_f("Pool “{pool}” deleted.", &[("pool", &pool)])
                    }
                    StorageDone::PoolChanged => String::new(),
                    StorageDone::VolumeCreated => {
                        w.nav.pop_to_tag("pool");
                        gettext("Volume created.")
                    }
                    StorageDone::VolumeResized => {
                        w.nav.pop_to_tag("pool");
                        gettext("Volume grown.")
                    }
                    StorageDone::VolumeDeleted => gettext("Volume deleted."),
                };
                if !text.is_empty() {
                    w.toasts
                        .add_toast(adw::Toast::new(&glib::markup_escape_text(&text)));
                }
            }
            StorageMsg::Refused(_, problem) => {
                let text = problem_text(&problem);
                let kind = self.kinds.get(self.kind).copied().unwrap_or("dir");
                self.error_field = match problem {
                    StorageProblem::BadName(_) => Some("name"),
                    StorageProblem::PathNotAbsolute | StorageProblem::PathIsFile => Some("folder"),
                    StorageProblem::MissingHost | StorageProblem::BadHost(_) => {
                        Some(if kind == "iscsi" {
                            "iscsi-host"
                        } else {
                            "nfs-host"
                        })
                    }
                    StorageProblem::ExportNotAbsolute => Some("export"),
                    StorageProblem::MissingField => {
                        Some(if kind == "iscsi" { "iqn" } else { "vg" })
                    }
                    StorageProblem::ZeroSize | StorageProblem::TooBig(_) => Some("size"),
                    StorageProblem::Shrink(_) => Some("grow"),
                    _ => None,
                };
                self.fail(text, String::new());
            }
            StorageMsg::Failed(_, error) => {
                self.error_field = None;
                let msg = crate::errors::storage_error(&error);
                self.fail(format!("{} {}", msg.title, msg.advice), msg.details);
            }
        }
        self.render(w);
    }

    fn update_cmd(
        &mut self,
        answer: Self::CommandOutput,
        sender: ComponentSender<Self>,
        _root: &Self::Root,
    ) {
        let msg = match answer {
            StorageCmd::Pools(Ok(o)) => StorageMsg::Pools(o.pools, o.supported),
            StorageCmd::Pools(Err(e)) => StorageMsg::Failed(String::new(), e),
            StorageCmd::Volumes(pool, _, Ok(v)) => StorageMsg::Volumes(pool, v),
            StorageCmd::Volumes(pool, true, Err(e)) => StorageMsg::Failed(pool, e),
            StorageCmd::Volumes(pool, false, Err(e)) => {
                log::debug!("volumes of {pool} after a change: {e}");
                return;
            }
            StorageCmd::Done(pool, what, result) => {
                // Fresh lists first (the change is in them), then the outcome.
                self.list(&sender);
                if !pool.is_empty() && what != StorageDone::PoolDeleted {
                    self.volumes(&sender, pool.clone(), false);
                }
                match result {
                    Ok(()) => StorageMsg::Done(pool, what),
                    Err(StorageError::Refused(p)) => StorageMsg::Refused(pool, p),
                    Err(StorageError::Libvirt(e)) => StorageMsg::Failed(pool, e),
                }
            }
        };
        sender.input(msg);
    }
}

fn pool_row(p: &PoolInfo) -> adw::ActionRow {
    let state = if p.active {
        gettext("Running")
    } else {
        gettext("Stopped")
    };
    let mut parts = vec![kind_name(&p.kind), state];
    if !p.target.is_empty() {
        parts.push(p.target.clone());
    }
    let row = adw::ActionRow::builder()
        .use_markup(false)
        .title(&p.name)
        .subtitle(parts.join(" · "))
        .activatable(true)
        .build();
    if p.active && p.capacity > 0 {
        let free = gtk::Label::builder()
            .label(gettext_f("{free} free", &[("free", &size(p.available))]))
            .css_classes(["dim-label"])
            .build();
        row.add_suffix(&free);
    }
    row.add_suffix(&gtk::Image::from_icon_name("go-next-symbolic"));
    row
}

impl StorageDialog {
    fn render(&mut self, w: &mut StorageWidgets) {
        // Selection of the volume list.
        let sel = w.volumes.selection_model.selected();
        self.selected_volume = w
            .volumes
            .get_visible(sel)
            .map(|item| item.borrow().0.clone());
        if let Some(p) = self.pool().cloned() {
            w.type_row.set_subtitle(&kind_name(&p.kind));
            let location = if p.kind == "netfs" {
                gettext_f(
                    "{server}:{export}, mounted at {path}",
                    &[
                        ("server", &p.source_host),
                        ("export", &p.source_dir),
                        ("path", &p.target),
                    ],
                )
            } else {
                p.target.clone()
            };
            w.path_row.set_subtitle(&location);
            if p.active && p.capacity > 0 {
                w.space_row.set_subtitle(&gettext_f(
                    "{used} used of {total}, {free} free",
                    &[
                        ("used", &size(p.allocation)),
                        ("total", &size(p.capacity)),
                        ("free", &size(p.available)),
                    ],
                ));
                w.space_bar
                    .set_value(p.allocation as f64 / p.capacity.max(1) as f64);
                w.space_bar.set_visible(true);
            } else {
                w.space_row
                    .set_subtitle(&gettext("Unknown while the pool is stopped"));
                w.space_bar.set_visible(false);
            }
            w.state_row.set_subtitle(&if p.active {
                gettext("Running")
            } else {
                gettext("Stopped")
            });
            w.start_stop.set_label(&if p.active {
                gettext("Stop…")
            } else {
                gettext("Start")
            });
            if w.autostart.is_active() != p.autostart {
                w.autostart.set_active(p.autostart);
            }
            w.autostart.set_sensitive(p.persistent);
            w.new_volume.set_sensitive(p.active);
            w.volumes_empty.set_visible(self.volumes.is_empty());
            w.volumes_empty.set_label(&if p.active {
                gettext("No volumes yet.")
            } else {
                gettext("Start the pool to see its volumes.")
            });
        }
        // The field the last refusal was about is marked.
        let fields: [(&str, &gtk::Widget); 9] = [
            ("name", w.pool_name.upcast_ref()),
            ("folder", w.folder.upcast_ref()),
            ("nfs-host", w.nfs_host.upcast_ref()),
            ("export", w.nfs_export.upcast_ref()),
            ("vg", w.vg.upcast_ref()),
            ("iscsi-host", w.iscsi_host.upcast_ref()),
            ("iqn", w.iqn.upcast_ref()),
            ("size", w.volume_size.upcast_ref()),
            ("grow", w.grow_size.upcast_ref()),
        ];
        for (key, widget) in fields {
            if self.error_field == Some(key) {
                widget.add_css_class("error");
            } else {
                widget.remove_css_class("error");
            }
        }
        let has = self.selected_volume.is_some();
        w.grow.set_sensitive(has && !self.busy);
        w.delete_volume.set_sensitive(has && !self.busy);
        w.copy_path.set_sensitive(has);
        w.reveal.set_sensitive(has);
        w.start_stop.set_sensitive(!self.busy);

        // New-pool form: the fields of the chosen kind.
        let kind = self.kinds.get(self.kind).copied().unwrap_or("dir");
        w.kind_note.set_label(&kind_explain(kind));
        w.folder.set_visible(matches!(kind, "dir" | "netfs"));
        w.folder.set_title(&if kind == "netfs" {
            gettext("Mount point on this computer")
        } else {
            gettext("Folder")
        });
        w.nfs_host.set_visible(kind == "netfs");
        w.nfs_export.set_visible(kind == "netfs");
        w.vg.set_visible(kind == "logical");
        w.iscsi_host.set_visible(kind == "iscsi");
        w.iqn.set_visible(kind == "iscsi");
        if let Some(p) = self.pool() {
            w.volume_note.set_label(&gettext_f(
                "“{pool}” has {free} free.",
                &[("pool", &p.name), ("free", &size(p.available))],
            ));
        }

        let (text, details) = self.error.clone().unwrap_or_default();
        for l in [
            &w.pool_error,
            &w.new_pool_error,
            &w.new_volume_error,
            &w.grow_error,
        ] {
            l.set_visible(self.error.is_some());
            let full = if details.is_empty() {
                text.clone()
            } else {
                format!("{text}\n{details}")
            };
            l.set_label(&full);
        }
    }
}
