//! The new-machine wizard (an AdwDialog): 1 source (installer disc, existing disk, network
//! boot) → 2 operating system (recognised from the disc through osinfo-db, or picked) →
//! 3 memory, processors and disk (osinfo-db's recommendation, checked against the host) →
//! 4 name → 5 summary in words, with the keyboard-layout warning.
//!
//! Reading the disc, osinfo-db and the keyboard files runs off the main thread; the wizard
//! asks the connection itself for the host's facts and the creation (`ask_on`). What it
//! decides (proposal, checks, summary, notes) is a GTK-free [`NewVmPlan`]
//! (`model/new_vm_plan.rs`); here `build.rs` builds the pages, `render.rs` shows the plan,
//! this file handles the messages.

mod build;
mod render;
pub mod work;

use render::*;
use work::*;

use std::path::PathBuf;
use std::sync::Arc;

use adw::prelude::*;
use gettextrs::gettext;
use relm4::prelude::*;

use crate::backend::express;
use crate::backend::image_access::{self, AccessBlock};
use crate::backend::libosinfo::Candidate;
use crate::backend::new_vm::HostFacts;
use crate::backend::osinfo::OsDb;
use crate::errors::UserMessage;
use crate::i18n::gettext_f;
pub use crate::model::new_vm_plan::SourceKind;
use crate::model::new_vm_plan::{mib, NewVmPlan, STEPS};
use crate::settings::{Key, Settings};
use crate::ui::widgets::spin_row;

#[derive(Debug)]
pub enum WizardMsg {
    /// Opens over the window for the first of these connections (each: its URI, its
    /// name, and how to ask it); the person may pick another when there are several.
    Open(adw::ApplicationWindow, Vec<Place>),
    /// The connection at this position was picked.
    Place(u32),
    Facts(HostFacts),
    Kind(SourceKind),
    Path(String),
    Choose,
    Next,
    Back,
    Search(String),
    PickOs(String),
    Memory(u64),
    Vcpus(u32),
    DiskSize(u64),
    Pool(u32),
    Name(String),
    Customise(bool),
    /// Express install on or off, and its answers (typed on this computer's keyboard).
    Express(bool),
    UserLogin(String),
    RealName(String),
    Password(String),
    PasswordAgain(String),
    ProductKey(String),
    /// Shared folders: pick one to add, one picked, remove the n-th.
    AddShare,
    ShareChosen(String),
    RemoveShare(usize),
    AllowAccess,
    Create,
    /// The machine exists: close.
    Created,
    Failed(UserMessage),
}

#[derive(Debug)]
pub enum WizardOutput {
    /// A machine was made (the window shows it and, when it was started, its console).
    Created {
        /// The connection it was made on.
        uri: String,
        uuid: String,
        name: String,
        created: crate::backend::new_vm::Created,
    },
}

/// What reading the chosen source found.
#[derive(Debug)]
pub struct Inspection {
    db: Arc<OsDb>,
    layout: Option<String>,
    /// That layout in words.
    layout_description: Option<String>,
    result: Result<Found, String>,
}

#[derive(Debug)]
enum Found {
    /// The systems libosinfo recognised (none: unknown, or a disc that cannot start a
    /// computer).
    Iso(Vec<Candidate>),
    Disk(String),
    Nothing,
}

#[derive(Debug)]
pub enum WizardCmd {
    Inspected(Inspection),
    /// What the host offers (the connection's answer).
    Facts(Result<HostFacts, crate::backend::BackendError>),
    /// The creation's answer for machine `.0`.
    Created(
        String,
        Result<crate::backend::new_vm::Created, crate::backend::new_vm::CreateError>,
    ),
    /// The qemu user's access to the chosen file (system connections only).
    Access(Result<(), AccessBlock>),
    AccessFixed(Result<(), String>),
    /// This computer's user, language and time zone (for express install's answers).
    ThisComputer {
        login: String,
        realname: String,
        language: String,
        timezone: String,
        /// The keyboard layout GNOME gave, in words.
        layout_description: Option<String>,
    },
    /// osinfo-db's installer disc of a system picked by hand (None: it has none that
    /// installs itself).
    PickedMedia(String, Option<Candidate>),
}

/// A connection a new machine can go to: URI, name, and how to ask it.
pub type Place = (String, String, Option<crate::backend::Connection>);

pub struct NewVmWizard {
    settings: Settings,
    connection: Option<crate::backend::Connection>,
    /// The open connections it may go to.
    places: Vec<Place>,
    parent: Option<adw::ApplicationWindow>,
    /// What is known and chosen, and what follows from it (GTK-free, unit-tested).
    plan: NewVmPlan,
    source_error: Option<String>,
    access: Option<AccessBlock>,
    search: String,
    /// The search the system list was last filled for.
    listed: Option<String>,
    failure: Option<UserMessage>,
    /// The model changed the fields (a new proposal): write them into the widgets once.
    /// Otherwise the widgets lead, and writing back would race with their own signals.
    push_fields: bool,
}

impl NewVmWizard {
    /// Back to the first page with nothing chosen.
    fn reset(&mut self) {
        self.plan.reset();
        self.source_error = None;
        self.access = None;
        self.search.clear();
        self.failure = None;
    }
}

pub struct WizardWidgets {
    stack: gtk::Stack,
    title: adw::WindowTitle,
    back: gtk::Button,
    next: gtk::Button,
    create: gtk::Button,
    spinner: gtk::Spinner,
    // 1. source
    kind_checks: [gtk::CheckButton; 3],
    place_group: adw::PreferencesGroup,
    place_row: adw::ComboRow,
    place_model: gtk::StringList,
    path_group: adw::PreferencesGroup,
    path_row: adw::EntryRow,
    source_error: gtk::Label,
    allow_access: gtk::Button,
    // 2. system
    detected_row: adw::ActionRow,
    candidates_group: adw::PreferencesGroup,
    candidates_list: gtk::ListBox,
    // 4. express install (on the name page)
    express_group: adw::PreferencesGroup,
    express_switch: adw::SwitchRow,
    user_row: adw::EntryRow,
    realname_row: adw::EntryRow,
    password_row: adw::PasswordEntryRow,
    again_row: adw::PasswordEntryRow,
    express_note: gtk::Label,
    express_error: gtk::Label,
    product_key_row: adw::EntryRow,
    // 4. shared folders (on the name page)
    shares_group: adw::PreferencesGroup,
    shares_rows: Vec<adw::ActionRow>,
    search: gtk::SearchEntry,
    os_list: gtk::ListBox,
    generic_list: gtk::ListBox,
    // 3. resources
    memory_row: adw::ActionRow,
    memory: gtk::SpinButton,
    memory_note: gtk::Label,
    vcpus_row: adw::ActionRow,
    vcpus: gtk::SpinButton,
    disk_group: adw::PreferencesGroup,
    disk: gtk::SpinButton,
    pool: adw::ComboRow,
    pool_names: gtk::StringList,
    disk_note: gtk::Label,
    // 4. name
    name_row: adw::EntryRow,
    name_error: gtk::Label,
    // 5. summary
    summary: adw::PreferencesGroup,
    summary_rows: Vec<adw::ActionRow>,
    keyboard: gtk::Label,
    failure: gtk::Label,
    failure_details: gtk::Label,
    failure_box: gtk::Box,
}

fn note_label() -> gtk::Label {
    gtk::Label::builder()
        .wrap(true)
        .xalign(0.0)
        .margin_top(6)
        .css_classes(["dim-label"])
        .build()
}

fn error_label() -> gtk::Label {
    let l = note_label();
    l.set_css_classes(&["error"]);
    l.set_visible(false);
    l
}

impl Component for NewVmWizard {
    type CommandOutput = WizardCmd;
    type Input = WizardMsg;
    type Output = WizardOutput;
    type Init = Settings;
    type Root = adw::Dialog;
    type Widgets = WizardWidgets;

    fn init_root() -> Self::Root {
        adw::Dialog::builder()
            .title(gettext("New Virtual Machine"))
            .content_width(620)
            .content_height(680)
            .build()
    }

    fn init(
        settings: Settings,
        dialog: Self::Root,
        sender: ComponentSender<Self>,
    ) -> ComponentParts<Self> {
        build::build(settings, dialog, sender)
    }

    fn update_with_view(
        &mut self,
        widgets: &mut Self::Widgets,
        msg: Self::Input,
        sender: ComponentSender<Self>,
        dialog: &Self::Root,
    ) {
        match msg {
            WizardMsg::Place(i) => {
                let Some((uri, _, connection)) = self.places.get(i as usize).cloned() else {
                    return;
                };
                if uri == self.plan.uri {
                    return;
                }
                // What the host offers (networks, pools, KVM) is that connection's.
                self.plan.uri = uri;
                self.connection = connection;
                crate::ui::machine_target::ask_on(
                    self.connection.as_ref(),
                    &sender,
                    crate::backend::new_vm::host_facts,
                    WizardCmd::Facts,
                );
            }
            WizardMsg::Open(parent, places) => {
                self.reset();
                let Some((uri, _, connection)) = places.first().cloned() else {
                    return;
                };
                self.plan.uri = uri;
                self.connection = connection;
                let names: Vec<&str> = places.iter().map(|(_, n, _)| n.as_str()).collect();
                self.places = places.clone();
                widgets
                    .place_model
                    .splice(0, widgets.place_model.n_items(), &names);
                widgets.place_row.set_selected(0);
                widgets.place_group.set_visible(places.len() > 1);
                self.plan.layout = crate::keyboard_layout::from_gnome();
                // What express install gives the new system, from this computer (the user
                // database and the time zone file are read off the main thread).
                for row in [&widgets.user_row, &widgets.realname_row] {
                    row.set_text("");
                }
                widgets.password_row.set_text("");
                widgets.again_row.set_text("");
                self.plan.user_login.clear();
                self.plan.user_realname.clear();
                let layout = self.plan.layout.clone();
                sender.spawn_oneshot_command(move || {
                    let (login, realname) = this_user();
                    WizardCmd::ThisComputer {
                        login,
                        realname,
                        language: this_language(),
                        timezone: glib::TimeZone::local().identifier().to_string(),
                        layout_description: layout
                            .as_deref()
                            .and_then(crate::keyboard_layout::description),
                    }
                });
                widgets.kind_checks[0].set_active(true);
                self.plan.kind = SourceKind::Iso;
                widgets.path_row.set_text("");
                widgets.name_row.set_text("");
                widgets.search.set_text("");
                self.parent = Some(parent.clone());
                crate::ui::widgets::present_over(dialog, &parent);
                widgets.path_row.grab_focus();
                crate::ui::machine_target::ask_on(
                    self.connection.as_ref(),
                    &sender,
                    crate::backend::new_vm::host_facts,
                    WizardCmd::Facts,
                );
            }
            WizardMsg::Facts(f) => {
                self.plan.facts = f;
                // The proposal depends on the host: redo it if the fields were filled.
                self.plan.filled_for = None;
                if self.plan.step >= 2 && self.plan.fill_resources() {
                    self.push_fields = true;
                }
                widgets.pool_names.splice(
                    0,
                    widgets.pool_names.n_items(),
                    &self
                        .plan
                        .facts
                        .pools
                        .iter()
                        .map(|p| {
                            if p.path.is_empty() {
                                p.name.clone()
                            } else {
                                format!("{} — {}", p.name, p.path)
                            }
                        })
                        .collect::<Vec<_>>()
                        .iter()
                        .map(String::as_str)
                        .collect::<Vec<_>>(),
                );
                widgets.pool.set_visible(!self.plan.facts.pools.is_empty());
                self.plan.pool = 0;
            }
            WizardMsg::Kind(k) => {
                self.plan.kind = k;
                self.source_error = None;
                self.access = None;
                self.plan.candidates.clear();
            }
            WizardMsg::Path(p) => {
                if p != self.plan.path {
                    self.plan.path = p;
                    self.source_error = None;
                    self.access = None;
                }
            }
            WizardMsg::Choose => {
                let title = match self.plan.kind {
                    SourceKind::Import => gettext("Choose a Disk Image"),
                    _ => gettext("Choose a Disc Image"),
                };
                let filter = gtk::FileFilter::new();
                match self.plan.kind {
                    SourceKind::Import => {
                        filter.set_name(Some(&gettext("Disk images")));
                        for p in ["*.qcow2", "*.img", "*.raw"] {
                            filter.add_pattern(p);
                        }
                    }
                    _ => {
                        filter.set_name(Some(&gettext("Disc images (ISO)")));
                        filter.add_pattern("*.iso");
                        filter.add_pattern("*.ISO");
                    }
                }
                let filters = gio::ListStore::new::<gtk::FileFilter>();
                filters.append(&filter);
                let file_dialog = gtk::FileDialog::builder()
                    .title(title)
                    .modal(true)
                    .filters(&filters)
                    .build();
                let last = self.settings.string(Key::LastImageFolder);
                if !last.is_empty() {
                    file_dialog.set_initial_folder(Some(&gio::File::for_path(&last)));
                }
                let row = widgets.path_row.clone();
                let settings = self.settings.clone();
                file_dialog.open(
                    self.parent.as_ref(),
                    None::<&gio::Cancellable>,
                    move |res| {
                        if let Ok(Some(path)) = res.map(|f| f.path()) {
                            if let Some(dir) = path.parent() {
                                settings
                                    .set_string(Key::LastImageFolder, &dir.display().to_string());
                            }
                            // Setting the text sends WizardMsg::Path.
                            row.set_text(&path.display().to_string());
                        }
                    },
                );
            }
            WizardMsg::Next => {
                if !self.plan.can_go_on() {
                    if self.plan.step == 3 {
                        self.plan.name_touched = true;
                    }
                } else {
                    match self.plan.step {
                        0 => {
                            self.plan.busy = true;
                            self.source_error = None;
                            let (db, kind) = (self.plan.db.clone(), self.plan.kind);
                            let path = self.plan.path.trim().to_string();
                            sender.spawn_oneshot_command(move || {
                                WizardCmd::Inspected(inspect(db, kind, path))
                            });
                        }
                        1 => {
                            if self.plan.fill_resources() {
                                self.push_fields = true;
                            }
                            self.plan.step = 2;
                        }
                        4 => {}
                        s => self.plan.step = s + 1,
                    }
                }
            }
            WizardMsg::Back => {
                if self.plan.step > 0 && !self.plan.busy {
                    self.plan.step -= 1;
                    self.failure = None;
                }
            }
            WizardMsg::Search(q) => {
                self.search = q;
            }
            WizardMsg::PickOs(id) => {
                if !id.is_empty() {
                    self.plan.os_id = Some(id.clone());
                    let recognised = self.plan.candidates.iter().any(|c| c.os_id == id);
                    if self.plan.kind == SourceKind::Iso && !recognised {
                        // Picked by hand: can its installer disc still answer itself?
                        sender.spawn_oneshot_command(move || {
                            let media = crate::backend::libosinfo::Database::load()
                                .ok()
                                .and_then(|db| db.installer_media(&id));
                            WizardCmd::PickedMedia(id, media)
                        });
                    }
                }
            }
            WizardMsg::Memory(m) => self.plan.memory_mib = m,
            WizardMsg::Vcpus(n) => self.plan.vcpus = n,
            WizardMsg::DiskSize(g) => self.plan.disk_gib = g,
            WizardMsg::Pool(i) => self.plan.pool = i,
            WizardMsg::Name(n) => {
                if n != self.plan.name {
                    self.plan.name = n;
                    self.plan.name_touched = true;
                }
            }
            WizardMsg::Customise(c) => self.plan.customise = c,
            WizardMsg::Express(on) => self.plan.express = on,
            WizardMsg::UserLogin(s) => self.plan.user_login = s,
            WizardMsg::ProductKey(s) => self.plan.product_key = s,
            WizardMsg::AddShare => {
                let dialog = gtk::FileDialog::builder()
                    .title(gettext("Share a Folder"))
                    .modal(true)
                    .build();
                let s = sender.clone();
                dialog.select_folder(self.parent.as_ref(), None::<&gio::Cancellable>, move |r| {
                    match r {
                        Ok(f) => {
                            if let Some(p) = f.path() {
                                s.input(WizardMsg::ShareChosen(p.display().to_string()));
                            }
                        }
                        // Cancelled, or the portal failed: nothing chosen.
                        Err(e) => log::debug!("no folder chosen: {e}"),
                    }
                });
            }
            WizardMsg::ShareChosen(dir) => {
                if !self.plan.shared.contains(&dir) {
                    self.plan.shared.push(dir);
                }
            }
            WizardMsg::RemoveShare(i) => {
                if i < self.plan.shared.len() {
                    self.plan.shared.remove(i);
                }
            }
            WizardMsg::RealName(s) => self.plan.user_realname = s,
            WizardMsg::Password(s) => self.plan.password = s,
            WizardMsg::PasswordAgain(s) => self.plan.password_again = s,
            WizardMsg::AllowAccess => {
                if let Some(block) = self.access.clone() {
                    self.plan.busy = true;
                    sender.spawn_oneshot_command(move || {
                        WizardCmd::AccessFixed(
                            crate::ui::setup_check::run_privileged(&block.fix).map_err(
                                |e| match e {
                                    crate::ui::setup_check::FixError::Failed(s) => s,
                                    crate::ui::setup_check::FixError::NoPkexec(cmd) => cmd,
                                },
                            ),
                        )
                    });
                }
            }
            WizardMsg::Create => {
                if let Some(spec) = self.plan.spec() {
                    if self.plan.name_check().is_ok() {
                        self.plan.busy = true;
                        self.failure = None;
                        let name = spec.name.clone();
                        let express = self.plan.express_job(&spec);
                        // The creation's own error type travels inside the call's answer.
                        crate::ui::machine_target::ask_on(
                            self.connection.as_ref(),
                            &sender,
                            move |c| Ok(express::create_and_install(c, &spec, express)),
                            move |r| {
                                WizardCmd::Created(
                                    name,
                                    r.unwrap_or_else(|error| {
                                        Err(crate::backend::new_vm::CreateError {
                                            step: crate::backend::new_vm::CreateStep::Define,
                                            error,
                                        })
                                    }),
                                )
                            },
                        );
                    }
                }
            }
            WizardMsg::Created => {
                self.plan.busy = false;
                dialog.close();
            }
            WizardMsg::Failed(msg) => {
                self.plan.busy = false;
                self.failure = Some(msg);
            }
        }
        self.render(widgets, &sender);
    }

    fn update_cmd_with_view(
        &mut self,
        widgets: &mut Self::Widgets,
        cmd: Self::CommandOutput,
        sender: ComponentSender<Self>,
        _dialog: &Self::Root,
    ) {
        match cmd {
            WizardCmd::Facts(Ok(f)) => sender.input(WizardMsg::Facts(f)),
            WizardCmd::Facts(Err(e)) => {
                // The proposal then rests on defaults; the creation says what is wrong.
                log::debug!("host facts for the wizard: {e}");
            }
            WizardCmd::Created(name, Ok(created)) => {
                sender
                    .output(WizardOutput::Created {
                        uri: self.plan.uri.clone(),
                        uuid: created.uuid.clone(),
                        name,
                        created,
                    })
                    .ok();
                sender.input(WizardMsg::Created);
            }
            WizardCmd::Created(name, Err(e)) => sender.input(WizardMsg::Failed(
                crate::errors::create_error(&name, &e.step, &e.error),
            )),
            WizardCmd::Inspected(ins) => {
                self.plan.busy = false;
                if self.plan.db.is_none() {
                    self.fill_generic(widgets, &ins.db);
                }
                self.plan.db = Some(ins.db);
                if self.plan.layout.is_none() {
                    self.plan.layout = ins.layout;
                    self.plan.layout_description = ins.layout_description;
                }
                match ins.result {
                    Err(e) => self.source_error = Some(e),
                    Ok(found) => {
                        match found {
                            Found::Iso(candidates) => {
                                // libosinfo's own first choice, the others offered.
                                self.plan.os_id = candidates.first().map(|c| c.os_id.clone());
                                self.plan.candidates = candidates;
                            }
                            Found::Disk(format) => {
                                self.plan.import_format = format;
                                self.plan.candidates.clear();
                            }
                            Found::Nothing => self.plan.candidates.clear(),
                        }
                        if self.plan.kind != SourceKind::Network && self.plan.is_local_system() {
                            // Libvirt's qemu runs as its own user: check it can open the file.
                            self.plan.busy = true;
                            let path = PathBuf::from(self.plan.path.trim());
                            sender.spawn_oneshot_command(move || {
                                WizardCmd::Access(match image_access::qemu_user() {
                                    Some((user, uid, gid)) => {
                                        image_access::image_access(&path, &user, uid, &[gid])
                                    }
                                    None => Ok(()),
                                })
                            });
                        } else {
                            self.plan.step = 1;
                        }
                    }
                }
            }
            WizardCmd::Access(res) => {
                self.plan.busy = false;
                match res {
                    Ok(()) => {
                        self.access = None;
                        self.plan.step = 1;
                    }
                    Err(block) => {
                        self.source_error = Some(gettext_f(
                            "Virtual machines run as the system user “{user}”, who cannot open {path}. “Allow Access” gives that one user access to it, nobody else; or move the file to /var/lib/libvirt/images.",
                            &[("user", &block.user), ("path", &block.at.display().to_string())],
                        ));
                        self.access = Some(block);
                    }
                }
            }
            WizardCmd::ThisComputer {
                login,
                realname,
                language,
                timezone,
                layout_description,
            } => {
                if layout_description.is_some() {
                    self.plan.layout_description = layout_description;
                }
                // Unless the person typed there already.
                if self.plan.user_login.is_empty() && self.plan.user_realname.is_empty() {
                    widgets.user_row.set_text(&login);
                    widgets.realname_row.set_text(&realname);
                    self.plan.user_login = login;
                    self.plan.user_realname = realname;
                }
                self.plan.language = language;
                self.plan.timezone = timezone;
            }
            WizardCmd::PickedMedia(id, media) => {
                if self.plan.os_id.as_deref() == Some(id.as_str()) {
                    self.plan.picked_media = media;
                }
            }
            WizardCmd::AccessFixed(res) => {
                self.plan.busy = false;
                match res {
                    Ok(()) => {
                        self.access = None;
                        self.source_error = None;
                        sender.input(WizardMsg::Next);
                    }
                    Err(cmd_or_error) => {
                        self.source_error = Some(gettext_f(
                            "Bilik could not change the access itself. Run this as administrator, then press Next: {command}",
                            &[("command", &cmd_or_error)],
                        ));
                    }
                }
            }
        }
        self.render(widgets, &sender);
    }
}
