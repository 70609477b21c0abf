//! # Bilik — a friendly virtual machine manager
//!
//! ## Where everything lives
//!
//! ```text
//! main.rs                    parses --connect, starts gettext and the relm4 app
//! app/mod.rs    App          the main window (AdwApplicationWindow); app/connections.rs
//!                            its open connections (which open at start, each its worker)
//!   └ AdwToastOverlay        toasts: a screen's own answers, failures with "Details"
//!     └ AdwNavigationSplitView
//!       ├ sidebar: AdwToolbarView
//!       │   ├ AdwHeaderBar   ui/connection_switcher.rs  ConnectionSwitcher (title widget:
//!       │   │                which connections are open, add an address)
//!       │   │                + main menu (Storage, Networks, Preferences, Setup Check, …)
//!       │   └ ui/vm_list.rs  VmList: search, sort, one virtualised GtkListView of every
//!       │                    open connection: per connection a header row
//!       │                    (ui/connection_header.rs: state, menu, the failure with Try
//!       │                    Again) then its ui/vm_row.rs rows (drawn by hand: sized
//!       │                    without laying out text); "no match" page
//!       └ content: ui/machine_view.rs MachineView — told only which machine is shown
//!         (and what libvirt pushed); no machine: a status page and no tab bar. Its tabs:
//!           ├ Overview  ui/vm_details.rs VmDetails (state + reason, uptime, graphs,
//!           │           lifecycle buttons) with the panels ui/agent_panel.rs,
//!           │           ui/nics_panel.rs, ui/shares_panel.rs, ui/usb_panel.rs
//!           ├ Console   ui/console_panel.rs
//!           ├ Hardware  ui/hardware_panel.rs     ├ Snapshots ui/snapshots_panel.rs
//!           └ XML       ui/xml_panel.rs
//! ui/console_panel.rs        the Console tab (the screen inside the machine's page)
//! ui/console_window.rs       Bilik's own console window: ui/spice_view.rs SpiceView (the
//!                            screen from spice-client-glib, keys as scancodes of
//!                            backend/scancode.rs, the pointer), ui/spice_agent.rs (clipboard,
//!                            resolution, file drop through the SPICE agent)
//! app/actions.rs             lifecycle, delete, start without shares, consoles (the window's
//!                            own questions to the connection); app/window.rs builds the
//!                            window, app/updates.rs applies what libvirt pushes
//! ui/new_vm/     NewVmWizard  AdwDialog: source → system (libosinfo) → resources → name,
//!                            express install (login, password, product key) and shared
//!                            folders → summary → creation (backend/new_vm/, work.rs off
//!                            the main thread); what it decides is model/new_vm_plan.rs
//!                            NewVmPlan (GTK-free, unit-tested); keyboard_layout.rs names
//!                            the layout (libxkbregistry)
//! ui/storage/, ui/networks/  the Storage and Networks dialogs
//! ui/add_connection.rs       "Add a Connection": system, session, or another computer over
//!                            SSH (the address shown; what SSH needs first, in words)
//! app/moving.rs              "Move…": a machine to this computer's other connection
//! ui/lifecycle.rs            confirmation dialogs (Force Off, Delete with disk choice)
//! ui/setup_check.rs SetupCheck  AdwDialog: is this computer ready? (backend/host_check.rs,
//!                            sentences in setup_text.rs); opens on first run and when a
//!                            local connection fails
//! ```
//!
//! ## Threads and data flow: a screen asks, and hears its own answer
//!
//! ```text
//! GTK main thread                       a worker thread per connection  libvirt-events thread
//! a screen ── Connection::call(f) ───▶  Worker (owns virt::Connect)   ◀── event callbacks
//!    ▲  (relm4 command: the future)      runs f(&Connect), in order       (backend/events.rs,
//!    └──────────── Result<T, BackendError> ◀┘                             backend/event_loop.rs)
//! App ◀── Update (what libvirt pushed: state, list, stats, changes) ─────────────┘
//! ```
//!
//! A panel is shown a [`ui::machine_target::Machine`] (connection, UUID, name) and asks
//! with `MachineTarget::ask`; a connection-wide dialog (storage, networks, the wizard)
//! asks with `ask_on`; a clone (minutes of copying) is a `ui::clone_job::CloneJob` of the
//! Hardware tab, on `Connection::call_long`. Answers are tagged with the machine they were for, so a late one is
//! dropped. Only what libvirt pushes travels on the shared update stream, and `App` routes
//! no replies; each connection's updates carry its worker's number, so they reach only its
//! own header and machines. The connections' workers start before GTK does
//! (`app::EarlyConnection`), so the machine lists load while the window is built;
//! libvirt's event loop is Bilik's own poll loop, which never touches GTK's main context.
//! The worker polls only statistics (one bulk call for the running machines) and checks
//! that answer against the states events gave: libvirt does not announce every change.
//!
//! * [`backend`] — GTK-free: the worker, plain feature functions over a connection, typed
//!   errors (see its own map).
//! * [`cli`] — `bilik COMMAND` in a terminal (clap, clap_complete, clap_mangen): the same
//!   backend functions and sentences; `bilik` alone, or a second `bilik` handed to the
//!   running window over D-Bus (GApplication's command line), opens the window.
//! * [`model`] — GObjects the views bind to ([`model::VmObject`]); a connection's model
//!   ([`model::connection_model::ConnectionModel`]) applies what libvirt pushed to its
//!   store ([`model::VmStore`]) in place and to its header's
//!   [`model::connection_item::ConnectionItem`], and the list view binds to both. The new-machine
//!   wizard's decisions: [`model::new_vm_plan::NewVmPlan`].
//! * [`errors`] — the one place where errors become translated sentences.
//! * [`renderer`] — GTK draws without OpenGL on a computer without a GPU (decided before
//!   GTK starts).
//! * [`logging`] — the `log` crate's lines go to GLib's log, domain "bilik".
//! * [`settings`] — typed GSettings keys; [`i18n`] — gettext helpers; [`config`] — build
//!   values from meson; [`mod@bench`] — opt-in figures for `build-aux/bench` and the
//!   list as shown for `build-aux/soak`.

pub mod app;
pub mod backend;
pub mod bench;
pub mod cli;
pub mod config;
pub mod errors;
pub mod i18n;
pub mod keyboard_layout;
pub mod logging;
pub mod model;
pub mod renderer;
pub mod settings;
pub mod setup_text;
pub mod ui;

use relm4::RelmApp;

/// Runs Bilik with the given command-line arguments (without the program name).
pub fn run(args: Vec<String>) -> i32 {
    let started = std::time::Instant::now();
    bench::mark("run");
    // First: it sets environment variables, which is only sound while no other thread runs.
    let renderer = renderer::choose();
    logging::init();
    i18n::init();
    // A shell asking what Tab offers (`COMPLETE=bash bilik -- …`): answered, then exit.
    // Before anything is printed.
    cli::complete_if_asked();
    if bench::enabled() {
        println!("bilik-bench: renderer {renderer:?}");
    }
    let parsed = match cli::parse(args.clone()) {
        Ok(c) => c,
        Err(e) => {
            // --help and --version end here too (status 0), as clap prints them.
            crate::backend::ignored("printing the command line's answer", e.print());
            return e.exit_code();
        }
    };
    if parsed.setup_check {
        // Works without the GSettings schema (e.g. straight from a build tree).
        let settings = settings::Settings::open().ok();
        let uri = app::initial_uri(parsed.connect, settings.as_ref());
        return cli::commands::setup_check(&uri, false);
    }
    let select = match parsed.command {
        None => None,
        Some(cli::Command::Open { name }) => name,
        Some(other) => return cli::commands::execute(other, parsed.connect),
    };
    window(args, parsed.connect, select, started)
}

/// The window, or — when Bilik already runs — this command line handed to it.
fn window(
    args: Vec<String>,
    connect: Option<String>,
    select: Option<String>,
    started: std::time::Instant,
) -> i32 {
    use gio::prelude::{ApplicationCommandLineExt, ApplicationExt, ApplicationExtManual};
    let application = adw::Application::builder()
        .application_id(config::APP_ID)
        .flags(gio::ApplicationFlags::HANDLES_COMMAND_LINE)
        .build();
    // Already running? Then it gets this command line (GApplication over D-Bus) and this
    // process ends when it has taken it: no second window, no libvirt connection of ours.
    // (Asked of the bus, not by registering here: registering as the first instance would
    // start the application before the window's code is connected to its start.)
    if running_elsewhere() {
        let argv: Vec<String> = std::iter::once("bilik".to_string()).chain(args).collect();
        return i32::from(application.run_with_args(&argv));
    }
    let settings = match settings::Settings::open() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("bilik: {e}");
            return 1;
        }
    };
    let connect_asked = app::asked_uri(connect.clone()).is_some();
    let uris = app::initial_uris(connect, Some(&settings));
    bench::mark("settings");
    // Connecting starts now, in parallel with GTK's start and the window's first frame.
    let early = uris.iter().map(|u| app::EarlyConnection::open(u)).collect();
    bench::mark("early-started");
    application.connect_startup(|_| bench::mark("gtk-started"));
    // This process's own command line opens the window; one handed over by a second
    // `bilik` opens a connection or shows a machine.
    application.connect_command_line(|app, line| {
        if !line.is_remote() {
            app.activate();
            return glib::ExitCode::SUCCESS;
        }
        let args: Vec<String> = line
            .arguments()
            .iter()
            .skip(1)
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        match cli::parse(args) {
            Ok(c) => {
                let name = match c.command {
                    Some(cli::Command::Open { name }) => name,
                    _ => None,
                };
                app::remote_command(c.connect, name);
                app.activate();
                glib::ExitCode::SUCCESS
            }
            Err(e) => {
                line.printerr_literal(&e.to_string());
                glib::ExitCode::from(2)
            }
        }
    });
    // The window appears once prepared (app::SHOW_WINDOW_BY at the latest); a later
    // activation (Bilik started again while running) brings it to the front.
    application.connect_activate(|app| {
        use gtk::prelude::{GtkApplicationExt, GtkWindowExt, WidgetExt};
        if let Some(w) = app.windows().first().filter(|w| w.is_visible()) {
            w.present();
        }
    });
    // GApplication must not see our own options.
    RelmApp::from_app(application)
        .visible_on_activate(false)
        .with_args(vec!["bilik".to_string()])
        .run::<app::App>(app::AppInit {
            settings,
            early,
            connect_asked,
            started,
            select,
        });
    0
}

/// Whether a Bilik window already runs in this desktop session (its application id is
/// owned on the session bus). No bus: no.
fn running_elsewhere() -> bool {
    use glib::prelude::ToVariant;
    let Ok(bus) = gio::bus_get_sync(gio::BusType::Session, None::<&gio::Cancellable>) else {
        return false;
    };
    bus.call_sync(
        Some("org.freedesktop.DBus"),
        "/org/freedesktop/DBus",
        "org.freedesktop.DBus",
        "NameHasOwner",
        Some(&(config::APP_ID,).to_variant()),
        glib::VariantTy::new("(b)").ok(),
        gio::DBusCallFlags::NONE,
        2000,
        None::<&gio::Cancellable>,
    )
    .ok()
    .and_then(|v| v.get::<(bool,)>())
    .is_some_and(|(owned,)| owned)
}
