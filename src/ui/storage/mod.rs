//! The Storage dialog: the connection's storage pools (where disks are kept) and, per pool,
//! its volumes (the disk files). Pools: add (the types this host supports), start / stop,
//! autostart, delete; volumes: create, grow, delete, copy the path. Everything that could
//! lose data asks first and says what happens to the files.
//!
//! The dialog asks the connection itself (the plain functions of [`storage`] through
//! [`ask_on`]); after every change it lists again before it says the outcome. `build.rs`
//! builds its widgets, `render.rs` shows its state.

mod build;
mod render;

use render::{pool_row, VolumeRow};

use adw::prelude::*;
use gettextrs::gettext;
use relm4::prelude::*;
use relm4::typed_view::list::TypedListView;

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
        StorageProblem::PathNotFolder => gettext(
            "This path is a file (or a socket or device), not a folder. Choose a folder, or a path that does not exist yet (Bilik creates it).",
        ),
        StorageProblem::MissingHost => gettext("Give the server’s name or address."),
        StorageProblem::BadHost(c) => gettext_f(
            // Translators: {char} is a character, or its name ("A space").
            "{char} cannot be part of a server name. Use a name such as nas.local or an address such as 192.168.1.10.",
            &[("char", &crate::errors::character(*c))],
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
        build::build((), dialog, sender)
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
                                toasts.add_toast(crate::ui::widgets::wrapped_toast(&gettext(
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
                    w.toasts
                        .add_toast(crate::ui::widgets::wrapped_toast(&gettext_f(
                            "Copied {path}",
                            &[("path", &v.path)],
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
                    w.toasts.add_toast(crate::ui::widgets::wrapped_toast(&text));
                }
            }
            StorageMsg::Refused(_, problem) => {
                let text = problem_text(&problem);
                let kind = self.kinds.get(self.kind).copied().unwrap_or("dir");
                self.error_field = match problem {
                    StorageProblem::BadName(_) => Some("name"),
                    StorageProblem::PathNotAbsolute | StorageProblem::PathNotFolder => {
                        Some("folder")
                    }
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
