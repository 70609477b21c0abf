//! The main window component: owns the open connections' worker handles, tells the
//! machine view which machine is chosen (its panels each ask the connection itself), hosts
//! the connections menu, toasts, the dialogs and keyboard shortcuts. Split by role:
//! `window.rs` builds it, `connections.rs` opens and closes connections, `updates.rs`
//! applies what libvirt pushes, `actions.rs` asks a connection for what the window does
//! with a machine.

mod actions;
mod connections;
mod moving;
mod updates;
mod window;

pub use connections::{asked_uri, initial_uris, EarlyConnection};

use adw::prelude::*;
use gettextrs::gettext;
use relm4::prelude::*;

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use crate::backend::console::{self, DisplayInfo};
use crate::backend::{LifecycleAction, Update};
use crate::errors::{self, UserMessage};
use crate::i18n::gettext_f;
use crate::model::connection_model::Change;
use crate::settings::{Key, Settings};
use crate::ui::connection_header::HeaderAsk;
use crate::ui::connection_switcher::{self, ConnectionSwitcher, SwitcherOutput};
use crate::ui::lifecycle;
use crate::ui::machine_view::{MachineView, MachineViewMsg, MachineViewOutput};
use crate::ui::networks::{NetworksDialog, NetworksMsg};
use crate::ui::new_vm::{NewVmWizard, WizardMsg, WizardOutput};
use crate::ui::setup_check::{SetupCheck, SetupMsg};
use crate::ui::storage::{StorageDialog, StorageMsg};
use crate::ui::vm_list::{VmList, VmListMsg, VmListOutput};

pub struct AppInit {
    pub settings: Settings,
    /// The connections to show, opened before GTK starts (see [`EarlyConnection`]).
    pub early: Vec<EarlyConnection>,
    /// `--connect` (or libvirt's variables) chose them: the saved list is left alone.
    pub connect_asked: bool,
    /// When Bilik started: the window appears at the latest [`SHOW_WINDOW_BY`] after this.
    pub started: std::time::Instant,
    /// `bilik open NAME`: the machine to show once the list has it.
    pub select: Option<String>,
}

thread_local! {
    /// The window's inbox, for a command line handed over by a second `bilik` (see
    /// [`remote_command`]). Main thread only.
    static INBOX: std::cell::RefCell<Option<relm4::Sender<AppMsg>>> =
        const { std::cell::RefCell::new(None) };
}

/// A second `bilik [--connect URI] [open NAME]` while Bilik runs: GApplication hands its
/// command line to this process, which opens that connection too and shows that
/// machine (no second window, no second libvirt connection).
pub fn remote_command(connect: Option<String>, select: Option<String>) {
    INBOX.with(|inbox| {
        if let Some(s) = inbox.borrow().as_ref() {
            if let Some(uri) = connect.filter(|u| !u.trim().is_empty()) {
                s.emit(AppMsg::OpenUri(uri));
            }
            if let Some(name) = select {
                s.emit(AppMsg::SelectByName(name));
            }
        }
    });
}

/// How long after start the window may wait before it appears. It appears as soon as it
/// has been prepared (styles and sizes computed in an idle callback, see `App::init`),
/// normally well before; this bounds a start whose main loop stays busy.
pub const SHOW_WINDOW_BY: std::time::Duration = std::time::Duration::from_millis(300);

#[derive(Debug)]
pub enum AppMsg {
    /// The wizard made a machine: show it (and its console when it was started).
    Created {
        uri: String,
        uuid: String,
        name: String,
        started: bool,
        generic_cpu: bool,
        /// Folders that could not be shared with it.
        unshared: Vec<String>,
    },
    /// "Start without the shared folders" for this machine (URI, UUID).
    StartWithoutShares(String, String),
    /// Show the machine called this (`bilik open NAME`), now or once the list has it.
    SelectByName(String),
    /// Show the window if it is not shown yet (at start: once prepared, or time is up).
    Present,
    /// Open this connection too (a second `bilik --connect`, the connections menu).
    OpenUri(String),
    CloseUri(String),
    /// A connection header's button.
    Header(HeaderAsk),
    /// A machine chosen in the list, with its connection's URI.
    Selected(Option<(String, crate::model::VmObject)>),
    /// An empty `uri` means the connection of the machine shown.
    Action {
        uri: String,
        uuid: String,
        name: String,
        action: LifecycleAction,
    },
    /// URI, UUID.
    ConfirmedForceOff(String, String),
    ConfirmedDelete(String, String, Vec<String>),
    ShowError(UserMessage),
    /// Some time after Shut Down: is the machine still on? (URI, UUID, name)
    CheckShutdown(String, String, String),
    OpenSetupCheck(Option<String>),
    /// An empty `uri` means the connection of the machine shown.
    OpenConsole {
        uri: String,
        uuid: String,
        name: String,
        fullscreen: Option<bool>,
        /// In Bilik's own console window (None: as Preferences say).
        in_bilik: Option<bool>,
    },
    /// Bilik's own console window of this machine was closed.
    OwnConsoleClosed(String),
    OpenPreferences,
    /// Open the new-machine wizard (on this connection; None: the one in view).
    NewVm(Option<String>),
    OpenStorage(Option<String>),
    OpenNetworks(Option<String>),
    /// Show machine `.1` of connection `.0` (empty: the shown machine's), a clone just
    /// made.
    ShowMachine(String, String),
    /// "Move…" on a machine of `uri` (empty: the shown machine's connection).
    Move {
        uri: String,
        uuid: String,
        name: String,
    },
    ConfirmedMove {
        from: String,
        to: String,
        uuid: String,
        name: String,
    },
}

/// Work finished off the main thread.
#[derive(Debug)]
pub enum AppCmd {
    /// An update from the worker of connection number `.0`.
    Backend(u64, Update),
    /// An express install's machine stopped: true when it was one, now started as
    /// installed.
    InstallEnded {
        uri: String,
        uuid: String,
        result: Result<crate::backend::express::Ended, crate::backend::BackendError>,
    },
    /// Whether these machines of connection `.0` are installing their system (express
    /// install).
    Installing(String, Vec<(String, bool)>),
    /// What connection `.0` is (its header menu says it).
    Facts(
        String,
        Result<crate::backend::connection_facts::ConnectionFacts, crate::backend::BackendError>,
    ),
    /// "Install Again" was answered.
    InstallRestarted {
        uri: String,
        uuid: String,
        result: Result<(), crate::backend::BackendError>,
    },
    /// An already open console was asked for; `raised` when it came to the front.
    ConsoleRaised { name: String, raised: bool },
    /// A console (virt-viewer) ended, well or not.
    ConsoleClosed {
        uuid: String,
        name: String,
        error: Result<(), crate::ui::console::ViewerError>,
    },
    /// A lifecycle action's answer (see app/actions.rs).
    Acted {
        uri: String,
        uuid: String,
        name: String,
        action: LifecycleAction,
        result: Result<(), crate::backend::BackendError>,
    },
    /// A machine's disks, for its delete dialog.
    Disks {
        uri: String,
        uuid: String,
        name: String,
        disks: Result<Vec<crate::backend::DiskInfo>, crate::backend::BackendError>,
    },
    /// A move ended (see app/moving.rs).
    Moved {
        to: String,
        uuid: String,
        name: String,
        result: Result<crate::backend::move_machine::Moved, crate::backend::BackendError>,
    },
    /// What a console needs, for the console asked for.
    Display {
        uri: String,
        uuid: String,
        name: String,
        fullscreen: bool,
        info: Result<DisplayInfo, crate::backend::BackendError>,
    },
}

/// A machine as the window's answers name it: its connection's URI, UUID and name.
#[derive(Debug, Clone)]
pub(crate) struct Named {
    pub uri: String,
    pub uuid: String,
    pub name: String,
}

pub struct App {
    settings: Settings,
    /// The open connections, in the list's order (see app/connections.rs).
    connections: Vec<connections::Open>,
    /// Increases with every (re)opened connection; updates from older ones are dropped.
    generations: u64,
    /// `--connect` chose the connections: the saved list is left alone.
    connect_asked: bool,
    /// The machine shown, with its connection's URI.
    shown: Option<(String, crate::model::VmObject)>,
    /// "Moving …" while a move runs.
    moving_toast: Option<adw::Toast>,
    switcher: Controller<ConnectionSwitcher>,
    list: Controller<VmList>,
    /// The shown machine's tabs and panels.
    machine_view: Controller<MachineView>,
    setup: Controller<SetupCheck>,
    /// The dialogs are built the first time they open: the first frame comes sooner.
    wizard: Option<Controller<NewVmWizard>>,
    storage: Option<Controller<StorageDialog>>,
    networks: Option<Controller<NetworksDialog>>,
    /// The setup check opened by itself once already in this run.
    setup_auto_opened: bool,
    /// Machines whose console is open (one console per machine), with the viewer's process
    /// id once it runs (0 before).
    consoles: std::collections::HashMap<String, Arc<AtomicU32>>,
    /// A machine to show once the list has it (`bilik open NAME`).
    pending_select: Option<String>,
    /// Bilik's own console windows, one per machine.
    own_consoles: std::collections::HashMap<String, crate::ui::console_window::ConsoleWindow>,
}

pub struct AppWidgets {
    window: adw::ApplicationWindow,
    toasts: adw::ToastOverlay,
    split: adw::NavigationSplitView,
}

impl App {
    /// Shows the machine `bilik open NAME` asked for, when the list has it.
    fn select_pending(&mut self) {
        let Some(name) = &self.pending_select else {
            return;
        };
        let found = self.connections.iter().find_map(|c| {
            let store = c.model.store.model();
            (0..store.n_items())
                .filter_map(|i| store.item(i))
                .filter_map(|o| o.downcast::<crate::model::VmObject>().ok())
                .find(|o| o.name() == *name)
                .map(|o| (c.model.uri.clone(), o.uuid()))
        });
        if let Some((uri, uuid)) = found {
            self.pending_select = None;
            self.list.emit(VmListMsg::Select(uri, uuid));
        }
    }

    /// Shows a machine (or none) in the machine view.
    fn show_vm(&mut self, vm: Option<(String, crate::model::VmObject)>) {
        self.shown = vm.clone();
        let shown = vm.and_then(|(uri, vm)| Some((self.connection_for(&uri)?, vm)));
        self.machine_view.emit(MachineViewMsg::Show(shown));
    }

    fn emit_wizard(&self, msg: WizardMsg) {
        if let Some(w) = &self.wizard {
            w.emit(msg);
        }
    }

    fn emit_storage(&self, msg: StorageMsg) {
        if let Some(d) = &self.storage {
            d.emit(msg);
        }
    }

    fn emit_networks(&self, msg: NetworksMsg) {
        if let Some(d) = &self.networks {
            d.emit(msg);
        }
    }

    /// Builds the dialogs on first use.
    fn ensure_dialogs(&mut self, sender: &ComponentSender<Self>, which: &str) {
        match which {
            "wizard" if self.wizard.is_none() => {
                let w = NewVmWizard::builder()
                    .launch(self.settings.clone())
                    .forward(sender.input_sender(), |o| match o {
                        WizardOutput::Created {
                            uri,
                            uuid,
                            name,
                            created,
                        } => AppMsg::Created {
                            uri,
                            uuid,
                            name,
                            started: created.started,
                            generic_cpu: created.generic_cpu,
                            unshared: created.unshared.into_iter().map(|(dir, _)| dir).collect(),
                        },
                    });
                self.wizard = Some(w);
            }
            "storage" if self.storage.is_none() => {
                // It asks the connection itself.
                self.storage = Some(StorageDialog::builder().launch(()).detach());
            }
            "networks" if self.networks.is_none() => {
                // It asks the connection itself.
                self.networks = Some(NetworksDialog::builder().launch(()).detach());
            }
            _ => {}
        }
    }

    fn toast_error(&self, widgets: &AppWidgets, msg: UserMessage) {
        // "Details" shows the advice and libvirt's own words.
        crate::ui::widgets::show_error_toast(&widgets.toasts, msg);
    }

    /// Starts virt-viewer for a machine (off the main thread, which also waits for it to
    /// end) and shows the console hints.
    fn launch_console(
        &mut self,
        widgets: &AppWidgets,
        sender: &ComponentSender<Self>,
        machine: Named,
        fullscreen: bool,
        info: &DisplayInfo,
    ) {
        let Named { uri, uuid, name } = machine;
        let opts = self.settings.console_options(fullscreen);
        if let Err(msg) = crate::ui::console::can_open(&name, info) {
            self.toast_error(widgets, msg);
            return;
        }
        let argv = console::viewer_argv(&uri, &uuid, &opts);
        let pid = Arc::new(AtomicU32::new(0));
        self.consoles.insert(uuid.clone(), pid.clone());
        // virt-viewer is a SPICE viewer too: the Console tab lets go meanwhile.
        self.machine_view
            .emit(MachineViewMsg::ConsoleElsewhere(uuid.clone(), true));
        // A console makes the SPICE agent connect: show its state afresh.
        self.machine_view
            .emit(MachineViewMsg::ConsoleOpened(uuid.clone()));
        sender.spawn_oneshot_command(move || {
            let error = crate::ui::console::run_viewer(&argv, &pid);
            AppCmd::ConsoleClosed { uuid, name, error }
        });
        if self.settings.boolean(Key::ShowConsoleHints) {
            widgets
                .toasts
                .add_toast(crate::ui::console::hint_toast(&self.settings, &opts, info));
        }
    }
}

impl Component for App {
    type CommandOutput = AppCmd;
    type Input = AppMsg;
    type Output = ();
    type Init = AppInit;
    type Root = adw::ApplicationWindow;
    type Widgets = AppWidgets;

    fn init_root() -> Self::Root {
        adw::ApplicationWindow::builder().title("Bilik").build()
    }

    fn init(
        init: AppInit,
        window: Self::Root,
        sender: ComponentSender<Self>,
    ) -> ComponentParts<Self> {
        window::build(init, window, sender)
    }

    fn update_with_view(
        &mut self,
        widgets: &mut Self::Widgets,
        msg: Self::Input,
        sender: ComponentSender<Self>,
        root: &Self::Root,
    ) {
        match msg {
            AppMsg::SelectByName(name) => {
                self.pending_select = Some(name);
                self.select_pending();
                root.present();
            }
            AppMsg::OpenUri(uri) => {
                // Already open: a second `bilik --connect` with the same URI only raises.
                if self.conn(&uri).is_none() {
                    self.open_connection(&uri, &sender);
                }
                root.present();
            }
            AppMsg::CloseUri(uri) => self.close_connection(&uri),
            AppMsg::Header(ask) => match ask {
                HeaderAsk::TryAgain(uri) => self.try_again(&uri, &sender),
                HeaderAsk::SetupCheck(uri) => sender.input(AppMsg::OpenSetupCheck(Some(uri))),
                HeaderAsk::NewVm(uri) => sender.input(AppMsg::NewVm(Some(uri))),
                HeaderAsk::Storage(uri) => sender.input(AppMsg::OpenStorage(Some(uri))),
                HeaderAsk::Networks(uri) => sender.input(AppMsg::OpenNetworks(Some(uri))),
                HeaderAsk::Close(uri) => self.close_connection(&uri),
                HeaderAsk::Forget(uri) => {
                    self.close_connection(&uri);
                    connection_switcher::forget_custom(&self.settings, &uri);
                }
            },
            AppMsg::Present => {
                if !root.is_visible() {
                    crate::bench::mark("present");
                    root.present();
                    if !self.setup_auto_opened {
                        self.list.emit(VmListMsg::FocusList);
                    }
                }
            }
            AppMsg::Selected(vm) => {
                if vm.is_some() {
                    widgets.split.set_show_content(true);
                }
                self.show_vm(vm);
            }
            AppMsg::Action {
                uri,
                uuid,
                name,
                action,
            } => {
                let uri = self.resolve(uri, &uuid);
                match action {
                    LifecycleAction::ForceOff => {
                        let s = sender.clone();
                        lifecycle::confirm_force_off(&widgets.window, &name, move || {
                            s.input(AppMsg::ConfirmedForceOff(uri.clone(), uuid.clone()))
                        });
                    }
                    LifecycleAction::Delete => self.ask_delete(&sender, uri, uuid, name),
                    action => {
                        if action == LifecycleAction::Shutdown {
                            // Many guests ignore the ACPI request (still booting, no ACPI
                            // support, a dialog waiting inside). Say so instead of doing
                            // nothing.
                            let s = sender.clone();
                            let (r, u, n) = (uri.clone(), uuid.clone(), name.clone());
                            glib::timeout_add_local_once(
                                crate::ui::vm_details::SHUTDOWN_PATIENCE,
                                move || s.input(AppMsg::CheckShutdown(r, u, n)),
                            );
                        }
                        self.act(&sender, uri, uuid, name, action)
                    }
                }
            }
            AppMsg::CheckShutdown(uri, uuid, name) => {
                let still_on = self
                    .conn(&uri)
                    .and_then(|c| c.model.store.get(&uuid))
                    .is_some_and(|v| v.vm_state().is_active());
                if still_on {
                    let toast = adw::Toast::builder()
                        .custom_title(&crate::ui::widgets::wrapped_title(&gettext_f(
                            "“{name}” is still running: its system has not answered the request to shut down",
                            &[("name", &name)],
                        )))
                        .button_label(gettext("Force Off…"))
                        .timeout(0)
                        // Shown at once, not behind a console hint the person has read.
                        .priority(adw::ToastPriority::High)
                        .build();
                    // Force Off asks first, as from its own button.
                    let s = sender.clone();
                    toast.connect_button_clicked(move |_| {
                        s.input(AppMsg::Action {
                            uri: uri.clone(),
                            uuid: uuid.clone(),
                            name: name.clone(),
                            action: LifecycleAction::ForceOff,
                        })
                    });
                    widgets.toasts.add_toast(toast);
                }
            }
            AppMsg::ConfirmedForceOff(uri, uuid) => {
                let name = self.name_of(&uri, &uuid);
                self.act(&sender, uri, uuid, name, LifecycleAction::ForceOff)
            }
            AppMsg::StartWithoutShares(uri, uuid) => self.start_without_shares(&sender, uri, uuid),
            AppMsg::Created {
                uri,
                uuid,
                name,
                started,
                generic_cpu,
                unshared,
            } => {
                if !unshared.is_empty() {
                    // Its Shared folders tab says why (what this computer lacks).
                    let toast = adw::Toast::builder()
                        .custom_title(&crate::ui::widgets::wrapped_title(&gettext_f(
                            // Translators: {folders} is a list of folders of this computer.
                            "“{name}” was made without sharing {folders}: its Shared folders tab says why",
                            &[("name", &name), ("folders", &unshared.join(", "))],
                        )))
                        .timeout(10)
                        .priority(adw::ToastPriority::High)
                        .build();
                    widgets.toasts.add_toast(toast);
                }
                if generic_cpu {
                    // Decided at its first start, after the summary: said here, and in its
                    // Hardware tab.
                    let toast = adw::Toast::builder()
                        .custom_title(&crate::ui::widgets::wrapped_title(&gettext_f(
                            "“{name}” got a generic processor model: KVM here refused this computer’s own model",
                            &[("name", &name)],
                        )))
                        .timeout(10)
                        .priority(adw::ToastPriority::High)
                        .build();
                    widgets.toasts.add_toast(toast);
                }
                // Show the new machine; a started one gets its console, as the person
                // will install the system there next.
                self.list.emit(VmListMsg::Select(uri.clone(), uuid.clone()));
                if started {
                    sender.input(AppMsg::OpenConsole {
                        uri,
                        uuid,
                        name,
                        fullscreen: None,
                        in_bilik: None,
                    });
                }
            }
            AppMsg::ConfirmedDelete(uri, uuid, delete_disks) => {
                self.show_vm(None);
                self.delete(&sender, uri, uuid, delete_disks);
            }
            AppMsg::ShowError(msg) => self.toast_error(widgets, msg),
            AppMsg::Move { uri, uuid, name } => {
                let from = self.resolve(uri, &uuid);
                self.ask_move(widgets, &sender, from, uuid, name)
            }
            AppMsg::ConfirmedMove {
                from,
                to,
                uuid,
                name,
            } => self.start_move(widgets, &sender, from, to, uuid, name),
            AppMsg::ShowMachine(uri, uuid) => {
                let uri = self.resolve(uri, &uuid);
                self.list.emit(VmListMsg::Select(uri, uuid))
            }
            AppMsg::OpenPreferences => {
                crate::ui::preferences::show(&widgets.window, &self.settings)
            }
            AppMsg::OwnConsoleClosed(uuid) => {
                self.own_consoles.remove(&uuid);
                self.machine_view
                    .emit(MachineViewMsg::ConsoleElsewhere(uuid, false));
            }
            AppMsg::OpenConsole {
                uri,
                uuid,
                name,
                fullscreen,
                in_bilik,
            } => {
                let uri = self.resolve(uri, &uuid);
                let asked = in_bilik;
                let in_bilik = in_bilik.unwrap_or_else(|| self.settings.consoles_in_bilik());
                let local = crate::backend::uri::local_and_session(&uri).0;
                if in_bilik && !local && asked == Some(true) {
                    // Asked for by name: say why it is virt-viewer after all.
                    widgets.toasts.add_toast(crate::ui::widgets::wrapped_toast(&gettext(
                        "Machines on another computer open in virt-viewer: Bilik’s own console shows machines on this computer only.",
                    )));
                }
                if let Some(w) = self.own_consoles.get(&uuid) {
                    w.present();
                } else if in_bilik && local {
                    // Bilik's own console: libvirt hands it the display's sockets, which
                    // cannot travel over ssh (remote machines open in virt-viewer).
                    let Some(conn) = self.connection_for(&uri) else {
                        return;
                    };
                    let fullscreen =
                        fullscreen.unwrap_or_else(|| self.settings.boolean(Key::ConsoleFullscreen));
                    let (s, u) = (sender.clone(), uuid.clone());
                    let window = crate::ui::console_window::open(
                        conn,
                        &uuid,
                        &name,
                        fullscreen,
                        &self.settings.string(Key::HotkeyToggleFullscreen),
                        move || s.input(AppMsg::OwnConsoleClosed(u.clone())),
                    );
                    if self.settings.boolean(Key::ShowConsoleHints) {
                        window.hint(&self.settings);
                    }
                    // SPICE shows one viewer at a time: the Console tab lets go.
                    self.machine_view
                        .emit(MachineViewMsg::ConsoleElsewhere(uuid.clone(), true));
                    self.own_consoles.insert(uuid, window);
                } else if let Some(pid) = self.consoles.get(&uuid) {
                    // One console per machine: bring the open one to the front.
                    let pid = Some(pid.load(Ordering::Relaxed)).filter(|&p| p != 0);
                    sender.spawn_oneshot_command(move || {
                        let raised = crate::backend::viewer_window::raise(pid, &name);
                        AppCmd::ConsoleRaised { name, raised }
                    });
                } else {
                    let fullscreen =
                        fullscreen.unwrap_or_else(|| self.settings.boolean(Key::ConsoleFullscreen));
                    let u = uuid.clone();
                    self.ask(
                        &sender,
                        &uri.clone(),
                        move |c| console::display(c, &u),
                        move |info| AppCmd::Display {
                            uri,
                            uuid,
                            name,
                            fullscreen,
                            info,
                        },
                    );
                }
            }
            AppMsg::OpenNetworks(uri) => {
                self.ensure_dialogs(&sender, "networks");
                let conn = uri.or_else(|| self.default_uri());
                self.emit_networks(NetworksMsg::Open(
                    widgets.window.clone(),
                    conn.and_then(|u| self.connection_for(&u)),
                ))
            }
            AppMsg::OpenStorage(uri) => {
                self.ensure_dialogs(&sender, "storage");
                let conn = uri.or_else(|| self.default_uri());
                self.emit_storage(StorageMsg::Open(
                    widgets.window.clone(),
                    conn.and_then(|u| self.connection_for(&u)),
                ))
            }
            AppMsg::NewVm(uri) => {
                self.ensure_dialogs(&sender, "wizard");
                // The connection asked for (or the one in view) first, then the others.
                let first = uri.or_else(|| self.default_uri()).unwrap_or_default();
                let mut places: Vec<_> = self
                    .connections
                    .iter()
                    .map(|c| {
                        let uri = c.model.uri.clone();
                        let conn = self.connection_for(&uri);
                        (uri, c.model.item.title(), conn)
                    })
                    .collect();
                places.sort_by_key(|(u, _, _)| *u != first);
                self.emit_wizard(WizardMsg::Open(widgets.window.clone(), places))
            }
            AppMsg::OpenSetupCheck(uri) => {
                let uri = uri.or_else(|| self.default_uri()).unwrap_or_default();
                self.setup.emit(SetupMsg::Open(widgets.window.clone(), uri))
            }
        }
    }

    fn update_cmd_with_view(
        &mut self,
        widgets: &mut Self::Widgets,
        cmd: Self::CommandOutput,
        sender: ComponentSender<Self>,
        _root: &Self::Root,
    ) {
        match cmd {
            AppCmd::Backend(generation, update) => {
                if let Some(i) = self.by_generation(generation) {
                    self.handle_update(widgets, &sender, i, update);
                }
            }
            AppCmd::Facts(uri, facts) => match (self.conn(&uri), facts) {
                (Some(c), Ok(f)) => c
                    .model
                    .item
                    .set_details(crate::model::connection_item::facts_text(&f)),
                (_, Err(e)) => log::debug!("what {uri} is, for its menu: {}", e.raw),
                (None, _) => {}
            },
            AppCmd::Installing(uri, marks) => {
                if let Some(c) = self.conn(&uri) {
                    for (uuid, on) in marks {
                        c.model.store.set_installing(&uuid, on);
                    }
                }
            }
            AppCmd::InstallEnded { uri, uuid, result } => {
                log::debug!("machine {uuid} stopped; express install ended: {result:?}");
                let name = self.name_of(&uri, &uuid);
                use crate::backend::express::Ended;
                match result {
                    Ok(ended @ (Ended::Installed | Ended::SetupGoesOn)) => {
                        let text = if ended == Ended::SetupGoesOn {
                            gettext_f(
                                "“{name}”: Windows is installed and finishes its setup inside the machine now.",
                                &[("name", &name)],
                            )
                        } else {
                            gettext_f("“{name}” is installed and starts now.", &[("name", &name)])
                        };
                        let toast = crate::ui::widgets::wrapped_toast(&text);
                        toast.set_priority(adw::ToastPriority::High);
                        toast.set_timeout(10);
                        widgets.toasts.add_toast(toast);
                    }
                    Ok(Ended::Interrupted) => {
                        // Forced off before its end: its disk is kept, and the installer
                        // can start over with the answers it was given.
                        let toast = adw::Toast::builder()
                            .custom_title(&crate::ui::widgets::wrapped_title(&gettext_f(
                                "The install of “{name}” was stopped before its end. Its disk is kept; the installer can start over.",
                                &[("name", &name)],
                            )))
                            .button_label(gettext("Install Again"))
                            .priority(adw::ToastPriority::High)
                            .timeout(0)
                            .build();
                        let (s, u) = (sender.clone(), uuid.clone());
                        let connection = self.connection_for(&uri);
                        toast.connect_button_clicked(move |_| {
                            let (conn, uuid, uri) = (connection.clone(), u.clone(), uri.clone());
                            s.oneshot_command(async move {
                                let result = match conn {
                                    Some(c) => {
                                        let u = uuid.clone();
                                        c.call(move |c| crate::backend::express::restart(c, &u))
                                            .await
                                    }
                                    None => Err(crate::backend::BackendError::not_connected()),
                                };
                                AppCmd::InstallRestarted { uri, uuid, result }
                            });
                        });
                        widgets.toasts.add_toast(toast);
                    }
                    // Not being installed, or deleted meanwhile: nothing to say.
                    Ok(Ended::NotInstalling) => {}
                    // Bilik's own check, not something the person did: said only when it
                    // tells them something (a toast "Not connected…" showed for machines
                    // nobody touched when libvirtd restarted as they stopped). Logged above.
                    Err(e) if !errors::worth_showing_unasked(&e) => {}
                    Err(e) => self.toast_error(widgets, errors::read_error(&e)),
                }
            }
            AppCmd::InstallRestarted { uri, uuid, result } => match result {
                Ok(()) => sender.input(AppMsg::OpenConsole {
                    name: self.name_of(&uri, &uuid),
                    uri,
                    uuid,
                    fullscreen: None,
                    in_bilik: None,
                }),
                Err(e) => {
                    let name = self.name_of(&uri, &uuid);
                    self.toast_error(widgets, errors::change_error(&name, &e))
                }
            },
            AppCmd::ConsoleRaised { name, raised } => {
                if !raised {
                    // Wayland lets no program raise another's window: say where it is.
                    // The answer to a click: shown at once, before the console hint.
                    let toast = crate::ui::widgets::wrapped_toast(&gettext_f(
                        "The console of “{name}” is already open: switch to it with Alt+Tab or in the overview.",
                        &[("name", &name)],
                    ));
                    toast.set_priority(adw::ToastPriority::High);
                    widgets.toasts.add_toast(toast);
                }
            }
            AppCmd::Acted {
                uri,
                uuid,
                name,
                action,
                result,
            } => self.acted(widgets, &sender, Named { uri, uuid, name }, action, result),
            AppCmd::Disks {
                uri,
                uuid,
                name,
                disks,
            } => self.disks_answered(widgets, &sender, uri, uuid, name, disks),
            AppCmd::Moved {
                to,
                uuid,
                name,
                result,
            } => self.moved(widgets, to, uuid, name, result),
            AppCmd::Display {
                uri,
                uuid,
                name,
                fullscreen,
                info,
            } => match info {
                Ok(info) => self.launch_console(
                    widgets,
                    &sender,
                    Named { uri, uuid, name },
                    fullscreen,
                    &info,
                ),
                Err(e) => self.toast_error(widgets, errors::read_error(&e)),
            },
            AppCmd::ConsoleClosed { uuid, name, error } => {
                self.consoles.remove(&uuid);
                self.machine_view
                    .emit(MachineViewMsg::ConsoleElsewhere(uuid.clone(), false));
                if let Err(e) = error {
                    self.toast_error(widgets, crate::ui::console::viewer_error(&name, e));
                }
            }
        }
    }
}

/// The one connection a command in a terminal uses: `--connect`, then
/// `LIBVIRT_DEFAULT_URI`, then `VIRSH_DEFAULT_CONNECT_URI`, then the last one used; with
/// none of those, the user session for a normal user (no admin rights needed) and the
/// system for root.
pub fn initial_uri(connect_arg: Option<String>, settings: Option<&Settings>) -> String {
    let nonempty = |s: String| (!s.trim().is_empty()).then_some(s);
    connections::asked_uri(connect_arg)
        .or_else(|| settings.and_then(|s| nonempty(s.string(Key::LastConnection))))
        .unwrap_or_else(|| {
            // SAFETY: getuid has no failure mode.
            if unsafe { libc::getuid() } == 0 {
                connection_switcher::SYSTEM_URI.to_string()
            } else {
                connection_switcher::SESSION_URI.to_string()
            }
        })
}
