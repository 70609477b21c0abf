//! The new-machine wizard (an AdwDialog): 1 source (installer disc, existing disk, network
//! boot) → 2 operating system (recognised from the disc through osinfo-db, or picked) →
//! 3 memory, processors and disk (osinfo-db's recommendation, checked against the host) →
//! 4 name → 5 summary in words, with the keyboard-layout warning.
//!
//! Reading the disc, osinfo-db and the keyboard files runs off the main thread; host facts
//! and the creation itself go through the connection worker (the App forwards them).

use std::path::PathBuf;
use std::sync::Arc;

use adw::prelude::*;
use gettextrs::gettext;
use relm4::prelude::*;

use crate::backend::image_access::{self, AccessBlock};
use crate::backend::iso9660::{self, IsoError};
use crate::backend::new_vm::{
    self, DiskBus, Firmware, HostFacts, Install, NameProblem, NetworkChoice, NewVm, Proposal,
};
use crate::backend::osinfo::{Detected, OsDb};
use crate::errors::UserMessage;
use crate::i18n::gettext_f;
use crate::settings::{Key, Settings};
use crate::ui::widgets::spin_row;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKind {
    Iso,
    Import,
    Network,
}

#[derive(Debug)]
pub enum WizardMsg {
    /// Show the wizard over `parent` for the connection `uri`.
    /// Opens over the window for this connection (its URI, and how to ask it).
    Open(
        adw::ApplicationWindow,
        String,
        Option<crate::backend::Connection>,
    ),
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
    AllowAccess,
    Create,
    /// The machine exists: close.
    Created,
    Failed(UserMessage),
    /// osinfo-db, read by the App at start (saves reading it again here).
    Db(Arc<OsDb>),
}

#[derive(Debug)]
pub enum WizardOutput {
    /// A machine was made (the window shows it and, when it was started, its console).
    Created {
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
    result: Result<Found, String>,
}

#[derive(Debug)]
enum Found {
    Iso(Option<Detected>),
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
}

const STEPS: usize = 5;

pub struct NewVmWizard {
    settings: Settings,
    uri: String,
    connection: Option<crate::backend::Connection>,
    parent: Option<adw::ApplicationWindow>,
    db: Option<Arc<OsDb>>,
    facts: HostFacts,
    layout: Option<String>,
    step: usize,
    kind: SourceKind,
    path: String,
    busy: bool,
    source_error: Option<String>,
    access: Option<AccessBlock>,
    detected: Option<Detected>,
    import_format: String,
    os_id: Option<String>,
    search: String,
    /// The search the system list was last filled for.
    listed: Option<String>,
    proposal: Option<Proposal>,
    /// The OS the resource fields were last filled for.
    filled_for: Option<Option<String>>,
    memory_mib: u64,
    vcpus: u32,
    disk_gib: u64,
    pool: u32,
    name: String,
    name_touched: bool,
    customise: bool,
    failure: Option<UserMessage>,
    /// The model changed the fields (a new proposal): write them into the widgets once.
    /// Otherwise the widgets lead, and writing back would race with their own signals.
    push_fields: bool,
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
    path_group: adw::PreferencesGroup,
    path_row: adw::EntryRow,
    source_error: gtk::Label,
    allow_access: gtk::Button,
    // 2. system
    detected_row: adw::ActionRow,
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

fn size(bytes: u64) -> String {
    glib::format_size_full(bytes, glib::FormatSizeFlags::IEC_UNITS).to_string()
}

/// Memory as people say it: "512 MiB", "4 GiB", "3.5 GiB".
fn mib(m: u64) -> String {
    if m >= 1024 && m.is_multiple_of(1024) {
        format!("{} GiB", m / 1024)
    } else if m >= 1024 {
        format!("{:.1} GiB", m as f64 / 1024.0)
    } else {
        format!("{m} MiB")
    }
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

fn iso_error(e: &IsoError) -> String {
    match e {
        IsoError::NotAnIso => gettext(
            "This file is not a disc image (ISO 9660). Choose the installer’s .iso file, or “Import an existing disk image” for a disk.",
        ),
        IsoError::Unreadable(raw) => gettext_f(
            "Bilik cannot read this file ({error}). Check the path and that you may read it.",
            &[("error", raw)],
        ),
    }
}

/// Reads the chosen source off the main thread.
fn inspect(db: Option<Arc<OsDb>>, kind: SourceKind, path: String) -> Inspection {
    let db = db.unwrap_or_else(|| Arc::new(OsDb::load_default()));
    let layout = crate::keyboard_layout::from_system();
    let p = PathBuf::from(&path);
    let result = match kind {
        SourceKind::Network => Ok(Found::Nothing),
        _ if path.is_empty() => Err(gettext("Choose a file first.")),
        _ if !p.is_absolute() => Err(gettext(
            "Give the full path of the file, starting with “/”, or use “Choose File”.",
        )),
        _ if p.is_dir() => Err(gettext("This is a folder. Choose a file inside it.")),
        _ if !p.exists() => Err(gettext_f(
            "There is no file at {path}. Check the spelling, or use “Choose File”.",
            &[("path", &path)],
        )),
        SourceKind::Iso => match iso9660::read(&p) {
            Ok(info) => Ok(Found::Iso(db.identify(&info))),
            Err(e) => Err(iso_error(&e)),
        },
        SourceKind::Import => match iso9660::disk_image_format(&p) {
            Ok(f) => Ok(Found::Disk(f.to_string())),
            Err(e) => Err(gettext_f(
                "Bilik cannot read this file ({error}). Check the path and that you may read it.",
                &[("error", &e.to_string())],
            )),
        },
    };
    Inspection { db, layout, result }
}

impl NewVmWizard {
    fn reset(&mut self) {
        self.step = 0;
        self.busy = false;
        self.source_error = None;
        self.access = None;
        self.detected = None;
        self.os_id = None;
        self.search.clear();
        self.proposal = None;
        self.filled_for = None;
        self.name.clear();
        self.name_touched = false;
        self.customise = false;
        self.failure = None;
        self.facts = HostFacts::default();
    }

    fn is_local_system(&self) -> bool {
        self.uri == "qemu:///system"
    }

    fn propose(&mut self) {
        if let Some(db) = &self.db {
            self.proposal = Some(new_vm::propose(db, self.os_id.as_deref(), &self.facts));
        }
    }

    /// Fills the resource fields from the proposal when the system changed.
    fn fill_resources(&mut self) {
        let key = Some(self.os_id.clone());
        if self.filled_for == key {
            return;
        }
        self.propose();
        if let Some(p) = &self.proposal {
            self.memory_mib = p.memory_mib;
            self.vcpus = p.vcpus;
            self.disk_gib = p.disk_gib;
            self.filled_for = key;
            if !self.name_touched {
                self.name = new_vm::suggest_name(&p.name_base, &self.facts.names);
            }
            self.push_fields = true;
        }
    }

    fn os_name(&self) -> String {
        match (&self.db, &self.os_id) {
            (Some(db), Some(id)) => match &self.detected {
                Some(d) if &d.os_id == id => db.display_name(d),
                _ => db.get(id).map(|e| e.name.clone()).unwrap_or(id.clone()),
            },
            _ => gettext("Unknown system"),
        }
    }

    fn name_check(&self) -> Result<(), NameProblem> {
        new_vm::check_name(&self.name, &self.facts.names)
    }

    fn chosen_pool(&self) -> Option<&new_vm::PoolSpace> {
        self.facts.pools.get(self.pool as usize)
    }

    fn spec(&self) -> Option<NewVm> {
        let p = self.proposal.as_ref()?;
        let install = match self.kind {
            SourceKind::Iso => Install::Iso(self.path.clone()),
            SourceKind::Import => Install::Import {
                path: self.path.clone(),
                format: self.import_format.clone(),
            },
            SourceKind::Network => Install::Network,
        };
        let disk = match self.kind {
            SourceKind::Import => None,
            _ => Some((
                self.chosen_pool()
                    .map(|p| p.name.clone())
                    .unwrap_or_else(|| "default".into()),
                self.disk_gib,
            )),
        };
        let network = if self.facts.session || self.facts.default_network.is_none() {
            NetworkChoice::User
        } else {
            NetworkChoice::Virtual("default".into())
        };
        Some(NewVm {
            name: self.name.clone(),
            os_id: self.os_id.clone(),
            memory_mib: self.memory_mib,
            vcpus: self.vcpus,
            install,
            disk,
            hardware: p.hardware,
            network,
            start: !self.customise,
        })
    }

    fn can_go_on(&self) -> bool {
        !self.busy
            && match self.step {
                0 => self.kind == SourceKind::Network || !self.path.trim().is_empty(),
                1 => self.os_id.is_some(),
                2 => self.memory_mib > 0 && self.vcpus > 0,
                3 => self.name_check().is_ok(),
                _ => self.proposal.is_some(),
            }
    }

    /// The summary, one row per fact, in words.
    fn summary(&self) -> Vec<(String, String)> {
        let mut rows = Vec::new();
        let Some(p) = &self.proposal else {
            return rows;
        };
        rows.push((gettext("System"), self.os_name()));
        rows.push((
            gettext("Installs from"),
            match self.kind {
                SourceKind::Iso => gettext_f(
                    "The disc {path}, then boots from the new disk",
                    &[("path", &self.path)],
                ),
                SourceKind::Import => gettext_f(
                    "The existing disk {path} ({format}), used in place",
                    &[("path", &self.path), ("format", &self.import_format)],
                ),
                SourceKind::Network => gettext("The network (PXE), then the new disk"),
            },
        ));
        rows.push((
            gettext("Memory and processors"),
            gettext_f(
                "{memory} of memory, {n} processors",
                &[
                    ("memory", &mib(self.memory_mib)),
                    ("n", &self.vcpus.to_string()),
                ],
            ),
        ));
        if self.kind != SourceKind::Import {
            let pool = self
                .chosen_pool()
                .map(|p| p.name.clone())
                .unwrap_or_else(|| "default".into());
            rows.push((
                gettext("Disk"),
                gettext_f(
                    "A new {size} disk (qcow2) in the storage pool “{pool}”; it takes only the space the system uses",
                    &[("size", &mib(self.disk_gib * 1024)), ("pool", &pool)],
                ),
            ));
        }
        let devices = match p.hardware.disk_bus {
            DiskBus::Virtio => {
                gettext("Fast virtio disk and network card: this system has the drivers built in")
            }
            DiskBus::Sata => gettext(
                "SATA disk and e1000e network card, which this system knows without extra drivers",
            ),
        };
        rows.push((gettext("Devices"), devices));
        let firmware = match p.hardware.firmware {
            Firmware::Efi {
                secure_boot: true,
                tpm: true,
            } => gettext(
                "UEFI with Secure Boot and an emulated TPM 2.0 chip: this system requires them",
            ),
            Firmware::Efi { .. } if p.hardware.efi_required => gettext(
                "UEFI. This system also wants Secure Boot and a TPM chip, which this computer cannot provide (packages ovmf and swtpm)",
            ),
            Firmware::Efi { .. } => gettext("UEFI (the modern PC firmware)"),
            Firmware::Bios => gettext("BIOS (the classic PC firmware)"),
        };
        rows.push((gettext("Firmware"), firmware));
        let network = match self.spec().map(|s| s.network) {
            Some(NetworkChoice::Virtual(_)) => gettext(
                "The “default” network (NAT): the machine reaches the internet through this computer; other computers cannot reach it",
            ),
            _ if self.facts.session => gettext(
                "User-mode networking, as this is your user session: it needs no admin rights and the machine reaches the internet, but nothing outside can reach the machine",
            ),
            _ => gettext(
                "User-mode networking, because this connection has no “default” network: the machine reaches the internet, but nothing outside can reach it",
            ),
        };
        rows.push((gettext("Network"), network));
        rows.push((
            gettext("Clipboard and display"),
            gettext(
                "SPICE display with the agent channel for copy-paste and automatic resolution (install spice-vdagent in the guest), the QEMU guest agent channel, a tablet pointer so the cursor is never captured, and USB redirection",
            ),
        ));
        rows
    }

    fn keyboard_hint(&self) -> Option<String> {
        let layout = self.layout.as_deref()?;
        crate::keyboard_layout::differs_from_us(layout).then(|| {
            gettext_f(
                "Your keyboard layout is “{layout}”, but the new machine starts with a US (qwerty) layout. While installing, pick a user name and password without a, m, q, w, z and y, and type digits on the number row, not the numpad (or turn Num Lock on). Change the guest’s layout once it is installed.",
                &[("layout", layout)],
            )
        })
    }

    fn memory_note(&self) -> String {
        let mut parts = Vec::new();
        if let Some(p) = &self.proposal {
            if let Some(min) = p.min_memory_mib {
                parts.push(gettext_f(
                    "{system} needs at least {min}.",
                    &[("system", &self.os_name()), ("min", &mib(min))],
                ));
            }
        }
        if self.facts.memory_total > 0 {
            parts.push(gettext_f(
                "This computer has {total}, {free} of it free now.",
                &[
                    ("total", &size(self.facts.memory_total)),
                    ("free", &size(self.facts.memory_free)),
                ],
            ));
            if self.memory_mib << 20 > self.facts.memory_free {
                parts.push(gettext(
                    "That is more than is free now: the machine may fail to start, or make this computer slow. Close other programs or choose less.",
                ));
            }
        }
        parts.join(" ")
    }

    fn disk_note(&self) -> String {
        let mut parts = vec![gettext(
            "The disk is a file that grows as the system writes to it, up to this size.",
        )];
        match self.chosen_pool() {
            Some(pool) if pool.active && (self.disk_gib << 30) > pool.available => {
                parts.push(gettext_f(
                    "The pool “{pool}” has only {free} free: the machine will stop when the disk fills it. Choose a smaller size or another pool.",
                    &[("pool", &pool.name), ("free", &size(pool.available))],
                ))
            }
            Some(pool) if pool.active => parts.push(gettext_f(
                "“{pool}” has {free} free.",
                &[("pool", &pool.name), ("free", &size(pool.available))],
            )),
            Some(pool) => parts.push(gettext_f(
                "The pool “{pool}” is stopped; Bilik starts it.",
                &[("pool", &pool.name)],
            )),
            None => parts.push(gettext_f(
                "This connection has no storage pool yet: Bilik creates “default” in {path}.",
                &[(
                    "path",
                    &new_vm::default_pool_dir(self.facts.session)
                        .display()
                        .to_string(),
                )],
            )),
        }
        parts.join(" ")
    }
}

fn page(title: &str, description: &str) -> (adw::PreferencesPage, adw::PreferencesGroup) {
    let page = adw::PreferencesPage::new();
    let group = adw::PreferencesGroup::builder()
        .title(glib::markup_escape_text(title))
        .description(glib::markup_escape_text(description))
        .build();
    page.add(&group);
    (page, group)
}

/// Choosing a row (click, keyboard or a screen reader's selection) picks its system.
fn pick_on_select(list: &gtk::ListBox, sender: &ComponentSender<NewVmWizard>) {
    let s = sender.clone();
    list.connect_row_selected(move |_, row| {
        if let Some(row) = row {
            s.input(WizardMsg::PickOs(row.widget_name().to_string()));
        }
    });
}

/// A system's row: its name, its short id, and a check mark shown while it is the choice.
fn os_row(id: &str, title: &str, subtitle: &str) -> adw::ActionRow {
    let row = adw::ActionRow::builder().activatable(true).build();
    crate::ui::widgets::set_plain_text(&row, title, Some(subtitle));
    // The row's name carries the osinfo id (see `pick_on_select`).
    row.set_widget_name(id);
    let mark = gtk::Image::builder()
        .icon_name("object-select-symbolic")
        .visible(false)
        .css_classes(["accent"])
        .build();
    mark.update_property(&[gtk::accessible::Property::Label(&gettext("Chosen"))]);
    row.add_suffix(&mark);
    row
}

/// The check mark of a row made by [`os_row`].
fn chosen_mark(row: &gtk::Widget) -> Option<gtk::Image> {
    let mut stack = vec![row.clone()];
    while let Some(w) = stack.pop() {
        if let Some(img) = w.downcast_ref::<gtk::Image>() {
            if img.icon_name().as_deref() == Some("object-select-symbolic") {
                return Some(img.clone());
            }
        }
        let mut c = w.first_child();
        while let Some(x) = c {
            c = x.next_sibling();
            stack.push(x);
        }
    }
    None
}

/// Selects the row of system `id` in `list` (none if it is not there), and marks it: a
/// boxed list does not highlight its selected row, so the choice shows a check mark, and
/// its accessible state says "selected".
fn sync_selection(list: &gtk::ListBox, id: Option<&str>) -> bool {
    let mut child = list.first_child();
    let mut found = false;
    while let Some(c) = child {
        if let Some(row) = c.downcast_ref::<gtk::ListBoxRow>() {
            let chosen = Some(row.widget_name().as_str()) == id;
            if chosen {
                found = true;
                if !row.is_selected() {
                    list.select_row(Some(row));
                }
            }
            if let Some(mark) = chosen_mark(row.upcast_ref()) {
                mark.set_visible(chosen);
            }
            row.update_state(&[gtk::accessible::State::Selected(Some(chosen))]);
        }
        child = c.next_sibling();
    }
    if !found && list.selected_row().is_some() {
        list.unselect_all();
    }
    found
}

fn fill_os_list(list: &gtk::ListBox, db: &OsDb, query: &str, chosen: Option<&str>) {
    while let Some(child) = list.first_child() {
        list.remove(&child);
    }
    // The newest first; a short list keeps typing instant — the search narrows it.
    let mut found = db.search(query).into_iter().take(40).collect::<Vec<_>>();
    // The current choice (e.g. recognised from the disc) is always there to be seen.
    if query.is_empty() {
        if let Some(e) = chosen.and_then(|id| db.get(id)) {
            if !found.iter().any(|f| f.id == e.id) {
                found.insert(0, e);
            }
        }
    }
    for e in found {
        list.append(&os_row(&e.id, &e.name, &e.short_id));
    }
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
        let title = adw::WindowTitle::new(&gettext("New Virtual Machine"), "");
        let header = adw::HeaderBar::builder().title_widget(&title).build();
        let stack = gtk::Stack::builder()
            .transition_type(gtk::StackTransitionType::SlideLeftRight)
            .vexpand(true)
            .build();

        // 1. Source.
        let (p1, g1) = page(
            &gettext("How will the machine start?"),
            &gettext("Most people install a system from a disc image (.iso file) they downloaded."),
        );
        let kinds = [
            (
                gettext("Install from a disc image (ISO)"),
                gettext("An installer file such as Fedora, Ubuntu, Debian or Windows"),
                SourceKind::Iso,
            ),
            (
                gettext("Import an existing disk image"),
                gettext(
                    "A qcow2 or raw disk with a system already installed; it is used where it is",
                ),
                SourceKind::Import,
            ),
            (
                gettext("Empty machine (network boot)"),
                gettext(
                    "No disc: the machine starts from the network (PXE), then from its new disk",
                ),
                SourceKind::Network,
            ),
        ];
        let mut checks = Vec::new();
        for (t, sub, kind) in kinds {
            let check = gtk::CheckButton::new();
            check.update_property(&[gtk::accessible::Property::Label(&t)]);
            if let Some(first) = checks.first() {
                check.set_group(Some(first));
            }
            let row = adw::ActionRow::builder().activatable_widget(&check).build();
            crate::ui::widgets::set_plain_text(&row, &t, Some(&sub));
            row.add_prefix(&check);
            let s = sender.clone();
            check.connect_toggled(move |c| {
                if c.is_active() {
                    s.input(WizardMsg::Kind(kind));
                }
            });
            g1.add(&row);
            checks.push(check);
        }
        checks[0].set_active(true);
        let kind_checks: [gtk::CheckButton; 3] = checks.try_into().expect("three kinds");
        let path_group = adw::PreferencesGroup::new();
        let path_row = adw::EntryRow::builder()
            .use_markup(false)
            .title(gettext("File"))
            .build();
        let choose = gtk::Button::builder()
            .icon_name("document-open-symbolic")
            .valign(gtk::Align::Center)
            .tooltip_text(gettext("Choose File"))
            .css_classes(["flat"])
            .build();
        choose.update_property(&[gtk::accessible::Property::Label(&gettext("Choose File"))]);
        let s = sender.clone();
        choose.connect_clicked(move |_| s.input(WizardMsg::Choose));
        path_row.add_suffix(&choose);
        let s = sender.clone();
        path_row.connect_changed(move |e| s.input(WizardMsg::Path(e.text().to_string())));
        let s = sender.clone();
        path_row.connect_entry_activated(move |_| s.input(WizardMsg::Next));
        path_group.add(&path_row);
        let source_error = error_label();
        path_group.add(&source_error);
        let allow_access = gtk::Button::builder()
            .label(gettext("Allow Access"))
            .halign(gtk::Align::Start)
            .margin_top(6)
            .visible(false)
            .build();
        let s = sender.clone();
        allow_access.connect_clicked(move |_| s.input(WizardMsg::AllowAccess));
        path_group.add(&allow_access);
        p1.add(&path_group);
        stack.add_named(&p1, Some("source"));

        // 2. Operating system.
        let (p2, g2) = page(
            &gettext("Operating system"),
            &gettext("Bilik sets memory, disk and devices to what this system needs."),
        );
        let detected_row = adw::ActionRow::builder().use_markup(false).build();
        g2.add(&detected_row);
        let generic_group = adw::PreferencesGroup::builder()
            .title(glib::markup_escape_text(&gettext("Not in the list?")))
            .build();
        let generic_list = gtk::ListBox::builder().css_classes(["boxed-list"]).build();
        generic_list.update_property(&[gtk::accessible::Property::Label(&gettext(
            "Generic systems",
        ))]);
        pick_on_select(&generic_list, &sender);
        generic_group.add(&generic_list);
        let list_group = adw::PreferencesGroup::builder()
            .title(glib::markup_escape_text(&gettext("All systems")))
            .build();
        let search = gtk::SearchEntry::builder()
            .placeholder_text(gettext("Search by name or version"))
            .build();
        search.update_property(&[gtk::accessible::Property::Label(&gettext("Search systems"))]);
        let s = sender.clone();
        search.connect_search_changed(move |e| s.input(WizardMsg::Search(e.text().to_string())));
        list_group.add(&search);
        let os_list = gtk::ListBox::builder()
            .css_classes(["boxed-list"])
            .margin_top(12)
            .build();
        os_list.update_property(&[gtk::accessible::Property::Label(&gettext(
            "Operating systems",
        ))]);
        pick_on_select(&os_list, &sender);
        list_group.add(&os_list);
        // As a person reads it: the systems, then what to pick when it is not among them.
        p2.add(&list_group);
        p2.add(&generic_group);
        stack.add_named(&p2, Some("system"));

        // 3. Resources.
        let (p3, g3) = page(
            &gettext("Memory, processors and disk"),
            &gettext("Proposed from what the system recommends; you can change them later."),
        );
        let (memory_row, memory) = spin_row(
            &gettext("Memory (MiB)"),
            gtk::Adjustment::new(2048.0, 128.0, 1.0e7, 256.0, 1024.0, 0.0),
        );
        let s = sender.clone();
        memory.connect_value_changed(move |r| s.input(WizardMsg::Memory(r.value() as u64)));
        g3.add(&memory_row);
        let memory_note = note_label();
        g3.add(&memory_note);
        let (vcpus_row, vcpus) = spin_row(
            &gettext("Processors"),
            gtk::Adjustment::new(2.0, 1.0, 512.0, 1.0, 2.0, 0.0),
        );
        let s = sender.clone();
        vcpus.connect_value_changed(move |r| s.input(WizardMsg::Vcpus(r.value() as u32)));
        g3.add(&vcpus_row);
        let disk_group = adw::PreferencesGroup::new();
        let (disk_row, disk) = spin_row(
            &gettext("Disk size (GiB)"),
            gtk::Adjustment::new(20.0, 1.0, 65536.0, 1.0, 10.0, 0.0),
        );
        let s = sender.clone();
        disk.connect_value_changed(move |r| s.input(WizardMsg::DiskSize(r.value() as u64)));
        disk_group.add(&disk_row);
        let pool_names = gtk::StringList::new(&[]);
        // The choice is shown whole under the title (a pool's folder is long; at the row's
        // end it was cut off).
        let pool = adw::ComboRow::builder()
            .use_markup(false)
            .title(gettext("Storage pool: where the disk file is kept"))
            .use_subtitle(true)
            .model(&pool_names)
            .build();
        let s = sender.clone();
        pool.connect_selected_notify(move |r| s.input(WizardMsg::Pool(r.selected())));
        disk_group.add(&pool);
        let disk_note = note_label();
        disk_group.add(&disk_note);
        p3.add(&disk_group);
        stack.add_named(&p3, Some("resources"));

        // 4. Name.
        let (p4, g4) = page(
            &gettext("Name"),
            &gettext("The name appears in the list and names the machine’s disk file."),
        );
        let name_row = adw::EntryRow::builder()
            .use_markup(false)
            .title(gettext("Name"))
            .build();
        let s = sender.clone();
        name_row.connect_changed(move |e| s.input(WizardMsg::Name(e.text().to_string())));
        let s = sender.clone();
        name_row.connect_entry_activated(move |_| s.input(WizardMsg::Next));
        g4.add(&name_row);
        let name_error = error_label();
        g4.add(&name_error);
        stack.add_named(&p4, Some("name"));

        // 5. Summary.
        let (p5, summary) = page(
            &gettext("Ready to create"),
            &gettext("This is what Bilik will make."),
        );
        let options = adw::PreferencesGroup::new();
        let customise = adw::SwitchRow::builder()
            .use_markup(false)
            .title(gettext("Customise before install"))
            .subtitle(gettext(
                "Create the machine without starting it and show its details, to change the hardware first",
            ))
            .build();
        let s = sender.clone();
        customise.connect_active_notify(move |r| s.input(WizardMsg::Customise(r.is_active())));
        options.add(&customise);
        let keyboard = note_label();
        keyboard.set_css_classes(&["warning"]);
        keyboard.set_visible(false);
        options.add(&keyboard);
        let failure_box = gtk::Box::builder()
            .orientation(gtk::Orientation::Vertical)
            .spacing(6)
            .visible(false)
            .build();
        let failure = error_label();
        failure.set_visible(true);
        let failure_details = gtk::Label::builder()
            .wrap(true)
            .xalign(0.0)
            .selectable(true)
            .css_classes(["dim-label", "monospace"])
            .build();
        let expander = gtk::Expander::builder()
            .label(gettext("Details"))
            .child(&failure_details)
            .build();
        failure_box.append(&failure);
        failure_box.append(&expander);
        options.add(&failure_box);
        p5.add(&options);
        stack.add_named(&p5, Some("summary"));

        // Bottom bar: Back, then Next or Create.
        let back = gtk::Button::with_label(&gettext("Back"));
        let next = gtk::Button::builder()
            .label(gettext("Next"))
            .css_classes(["suggested-action"])
            .build();
        let create = gtk::Button::builder()
            .label(gettext("Create"))
            .css_classes(["suggested-action"])
            .visible(false)
            .build();
        let spinner = gtk::Spinner::builder().visible(false).build();
        let s = sender.clone();
        back.connect_clicked(move |_| s.input(WizardMsg::Back));
        let s = sender.clone();
        next.connect_clicked(move |_| s.input(WizardMsg::Next));
        let s = sender.clone();
        create.connect_clicked(move |_| s.input(WizardMsg::Create));
        let bar = gtk::CenterBox::builder()
            .margin_start(12)
            .margin_end(12)
            .margin_top(6)
            .margin_bottom(6)
            .build();
        bar.set_start_widget(Some(&back));
        let end = gtk::Box::new(gtk::Orientation::Horizontal, 12);
        end.append(&spinner);
        end.append(&next);
        end.append(&create);
        bar.set_end_widget(Some(&end));

        let view = adw::ToolbarView::new();
        view.add_top_bar(&header);
        view.set_content(Some(&stack));
        view.add_bottom_bar(&bar);
        dialog.set_child(Some(&view));

        let model = NewVmWizard {
            settings,
            uri: String::new(),
            connection: None,
            parent: None,
            db: None,
            facts: HostFacts::default(),
            layout: None,
            step: 0,
            kind: SourceKind::Iso,
            path: String::new(),
            busy: false,
            source_error: None,
            access: None,
            detected: None,
            import_format: "raw".into(),
            os_id: None,
            search: String::new(),
            listed: None,
            proposal: None,
            filled_for: None,
            memory_mib: 2048,
            vcpus: 2,
            disk_gib: 20,
            pool: 0,
            name: String::new(),
            name_touched: false,
            customise: false,
            failure: None,
            push_fields: false,
        };
        let widgets = WizardWidgets {
            stack,
            title,
            back,
            next,
            create,
            spinner,
            kind_checks,
            path_group,
            path_row,
            source_error,
            allow_access,
            detected_row,
            search,
            os_list,
            generic_list,
            memory_row,
            memory,
            memory_note,
            vcpus_row,
            vcpus,
            disk_group,
            disk,
            pool,
            pool_names,
            disk_note,
            name_row,
            name_error,
            summary,
            summary_rows: Vec::new(),
            keyboard,
            failure,
            failure_details,
            failure_box,
        };
        ComponentParts { model, widgets }
    }

    fn update_with_view(
        &mut self,
        widgets: &mut Self::Widgets,
        msg: Self::Input,
        sender: ComponentSender<Self>,
        dialog: &Self::Root,
    ) {
        match msg {
            WizardMsg::Open(parent, uri, connection) => {
                self.reset();
                self.uri = uri;
                self.connection = connection;
                self.layout = crate::keyboard_layout::from_gnome();
                widgets.kind_checks[0].set_active(true);
                self.kind = SourceKind::Iso;
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
                self.facts = f;
                // The proposal depends on the host: redo it if the fields were filled.
                self.filled_for = None;
                if self.step >= 2 {
                    self.fill_resources();
                }
                widgets.pool_names.splice(
                    0,
                    widgets.pool_names.n_items(),
                    &self
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
                widgets.pool.set_visible(!self.facts.pools.is_empty());
                self.pool = 0;
            }
            WizardMsg::Kind(k) => {
                self.kind = k;
                self.source_error = None;
                self.access = None;
                self.detected = None;
            }
            WizardMsg::Path(p) => {
                if p != self.path {
                    self.path = p;
                    self.source_error = None;
                    self.access = None;
                }
            }
            WizardMsg::Choose => {
                let title = match self.kind {
                    SourceKind::Import => gettext("Choose a Disk Image"),
                    _ => gettext("Choose a Disc Image"),
                };
                let filter = gtk::FileFilter::new();
                match self.kind {
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
                if !self.can_go_on() {
                    if self.step == 3 {
                        self.name_touched = true;
                    }
                } else {
                    match self.step {
                        0 => {
                            self.busy = true;
                            self.source_error = None;
                            let (db, kind) = (self.db.clone(), self.kind);
                            let path = self.path.trim().to_string();
                            sender.spawn_oneshot_command(move || {
                                WizardCmd::Inspected(inspect(db, kind, path))
                            });
                        }
                        1 => {
                            self.fill_resources();
                            self.step = 2;
                        }
                        4 => {}
                        s => self.step = s + 1,
                    }
                }
            }
            WizardMsg::Back => {
                if self.step > 0 && !self.busy {
                    self.step -= 1;
                    self.failure = None;
                }
            }
            WizardMsg::Search(q) => {
                self.search = q;
            }
            WizardMsg::PickOs(id) => {
                if !id.is_empty() {
                    self.os_id = Some(id);
                }
            }
            WizardMsg::Memory(m) => self.memory_mib = m,
            WizardMsg::Vcpus(n) => self.vcpus = n,
            WizardMsg::DiskSize(g) => self.disk_gib = g,
            WizardMsg::Pool(i) => self.pool = i,
            WizardMsg::Name(n) => {
                if n != self.name {
                    self.name = n;
                    self.name_touched = true;
                }
            }
            WizardMsg::Customise(c) => self.customise = c,
            WizardMsg::AllowAccess => {
                if let Some(block) = self.access.clone() {
                    self.busy = true;
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
                if let Some(spec) = self.spec() {
                    if self.name_check().is_ok() {
                        self.busy = true;
                        self.failure = None;
                        let name = spec.name.clone();
                        // The creation's own error type travels inside the call's answer.
                        crate::ui::machine_target::ask_on(
                            self.connection.as_ref(),
                            &sender,
                            move |c| Ok(crate::backend::new_vm::create(c, &spec)),
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
                self.busy = false;
                dialog.close();
            }
            WizardMsg::Failed(msg) => {
                self.busy = false;
                self.failure = Some(msg);
            }
            WizardMsg::Db(db) => {
                if self.db.is_none() {
                    self.fill_generic(widgets, &db);
                    self.db = Some(db);
                }
            }
        }
        self.render(widgets);
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
                self.busy = false;
                if self.db.is_none() {
                    self.fill_generic(widgets, &ins.db);
                }
                self.db = Some(ins.db);
                if self.layout.is_none() {
                    self.layout = ins.layout;
                }
                match ins.result {
                    Err(e) => self.source_error = Some(e),
                    Ok(found) => {
                        match found {
                            Found::Iso(d) => {
                                self.os_id = d.as_ref().map(|d| d.os_id.clone());
                                self.detected = d;
                            }
                            Found::Disk(format) => {
                                self.import_format = format;
                                self.detected = None;
                            }
                            Found::Nothing => self.detected = None,
                        }
                        if self.kind != SourceKind::Network && self.is_local_system() {
                            // Libvirt's qemu runs as its own user: check it can open the file.
                            self.busy = true;
                            let path = PathBuf::from(self.path.trim());
                            sender.spawn_oneshot_command(move || {
                                WizardCmd::Access(match image_access::qemu_user() {
                                    Some((user, uid, gid)) => {
                                        image_access::image_access(&path, &user, uid, &[gid])
                                    }
                                    None => Ok(()),
                                })
                            });
                        } else {
                            self.step = 1;
                        }
                    }
                }
            }
            WizardCmd::Access(res) => {
                self.busy = false;
                match res {
                    Ok(()) => {
                        self.access = None;
                        self.step = 1;
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
            WizardCmd::AccessFixed(res) => {
                self.busy = false;
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
        self.render(widgets);
    }
}

impl NewVmWizard {
    fn fill_generic(&self, widgets: &WizardWidgets, db: &OsDb) {
        let g = db.generic();
        for (title, subtitle, id) in [
            (
                gettext("Generic Linux"),
                gettext("Any recent Linux distribution"),
                g.linux,
            ),
            (
                gettext("Generic Windows"),
                gettext("A recent desktop Windows"),
                g.windows,
            ),
            (
                gettext("Other"),
                gettext("Anything else: safe, slower devices"),
                g.other,
            ),
        ] {
            let Some(id) = id else { continue };
            widgets.generic_list.append(&os_row(&id, &title, &subtitle));
        }
    }

    fn render(&mut self, w: &mut WizardWidgets) {
        let names = ["source", "system", "resources", "name", "summary"];
        if w.stack.visible_child_name().as_deref() != Some(names[self.step]) {
            w.stack.set_visible_child_name(names[self.step]);
        }
        w.title.set_subtitle(&gettext_f(
            "Step {n} of {total}",
            &[
                ("n", &(self.step + 1).to_string()),
                ("total", &STEPS.to_string()),
            ],
        ));
        w.back.set_sensitive(self.step > 0 && !self.busy);
        w.next.set_visible(self.step < STEPS - 1);
        w.next.set_sensitive(self.can_go_on());
        w.create.set_visible(self.step == STEPS - 1);
        w.create
            .set_sensitive(self.step == STEPS - 1 && self.can_go_on() && self.name_check().is_ok());
        w.spinner.set_visible(self.busy);
        w.spinner.set_spinning(self.busy);

        // 1. Source.
        w.path_group.set_visible(self.kind != SourceKind::Network);
        w.path_row.set_title(&match self.kind {
            SourceKind::Import => gettext("Disk image file"),
            _ => gettext("Disc image file (.iso)"),
        });
        w.source_error.set_visible(self.source_error.is_some());
        w.source_error
            .set_label(self.source_error.as_deref().unwrap_or(""));
        w.allow_access.set_visible(self.access.is_some());

        // 2. System.
        if self.step == 1 {
            let (title, subtitle) = match (&self.detected, self.kind) {
                (Some(_), _) if self.os_id == self.detected.as_ref().map(|d| d.os_id.clone()) => (
                    gettext_f("Recognised: {system}", &[("system", &self.os_name())]),
                    gettext(
                        "Bilik read this from the disc. If it is wrong, pick the right one below.",
                    ),
                ),
                (_, SourceKind::Iso) if self.os_id.is_none() => (
                    gettext("Bilik could not recognise this disc"),
                    gettext("Pick the system below (type to search), or a generic choice."),
                ),
                _ if self.os_id.is_none() => (
                    gettext("Which system is it?"),
                    gettext("Pick it below (type to search), or a generic choice."),
                ),
                _ => (
                    gettext_f("Chosen: {system}", &[("system", &self.os_name())]),
                    gettext("Pick another one below to change it."),
                ),
            };
            w.detected_row.set_title(&title);
            w.detected_row.set_subtitle(&subtitle);
            if let Some(db) = &self.db {
                if self.listed.as_deref() != Some(self.search.as_str()) {
                    fill_os_list(&w.os_list, db, &self.search, self.os_id.as_deref());
                    self.listed = Some(self.search.clone());
                }
            }
            let in_list = sync_selection(&w.os_list, self.os_id.as_deref());
            let generic = sync_selection(&w.generic_list, self.os_id.as_deref());
            // A choice made before the list was filled (recognised from the disc) must be
            // there to be seen: fill it again with the choice in it.
            if let (Some(db), false, false) = (&self.db, in_list, generic) {
                if self.os_id.is_some() && self.search.is_empty() {
                    fill_os_list(&w.os_list, db, &self.search, self.os_id.as_deref());
                    sync_selection(&w.os_list, self.os_id.as_deref());
                }
            }
        }

        // 3. Resources.
        let push = std::mem::take(&mut self.push_fields);
        if self.step == 2 || push {
            let max_mem = (self.facts.memory_total >> 20)
                .max(self.memory_mib)
                .max(1024) as f64;
            w.memory.adjustment().set_upper(max_mem);
            if push {
                w.memory.set_value(self.memory_mib as f64);
            }
            let max_cpus = (self.facts.cpus.max(1)).max(self.vcpus) as f64;
            w.vcpus.adjustment().set_upper(max_cpus);
            if push {
                w.vcpus.set_value(self.vcpus as f64);
            }
            w.memory_row.set_subtitle(&mib(self.memory_mib));
            w.vcpus_row.set_subtitle(&gettext_f(
                "This computer has {n}",
                &[("n", &self.facts.cpus.to_string())],
            ));
            if push {
                w.disk.set_value(self.disk_gib as f64);
            }
            if w.pool.selected() != self.pool && (self.pool as usize) < self.facts.pools.len() {
                w.pool.set_selected(self.pool);
            }
            w.memory_note.set_label(&self.memory_note());
            w.disk_group.set_visible(self.kind != SourceKind::Import);
            w.disk_note.set_label(&self.disk_note());
        }

        // 4. Name.
        if push {
            w.name_row.set_text(&self.name);
        }
        let problem = self.name_check().err();
        w.name_error
            .set_visible(problem.is_some() && (self.name_touched || !self.name.is_empty()));
        w.name_error.set_label(
            &problem
                .as_ref()
                .map(crate::errors::name_problem)
                .unwrap_or_default(),
        );

        // 5. Summary.
        if self.step == 4 {
            for r in w.summary_rows.drain(..) {
                w.summary.remove(&r);
            }
            for (title, text) in self.summary() {
                let row = adw::ActionRow::builder()
                    .use_markup(false)
                    .title(&title)
                    .subtitle(&text)
                    .css_classes(["property"])
                    .build();
                w.summary.add(&row);
                w.summary_rows.push(row);
            }
            let hint = self.keyboard_hint();
            w.keyboard.set_visible(hint.is_some());
            w.keyboard.set_label(hint.as_deref().unwrap_or(""));
        }
        w.failure_box.set_visible(self.failure.is_some());
        if let Some(f) = &self.failure {
            w.failure.set_label(&format!("{} {}", f.title, f.advice));
            w.failure_details.set_label(&f.details);
        }
    }
}
