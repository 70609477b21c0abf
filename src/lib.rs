//! # Bilik — a friendly virtual machine manager
//!
//! ## Where everything lives
//!
//! ```text
//! main.rs                    parses --connect, starts gettext and the relm4 app
//! app/mod.rs    App          the main window (AdwApplicationWindow)
//!   └ AdwToastOverlay        toasts: a screen's own answers, failures with "Details"
//!     └ AdwNavigationSplitView
//!       ├ sidebar: AdwToolbarView
//!       │   ├ AdwHeaderBar   ui/connection_switcher.rs  ConnectionSwitcher (title widget)
//!       │   │                + main menu (Storage, Networks, Preferences, Setup Check, …)
//!       │   ├ AdwBanner      "Lost connection to … — reconnecting…"
//!       │   └ ui/vm_list.rs  VmList: search, sort, virtualised GtkListView of
//!       │                    ui/vm_row.rs rows (drawn by hand: sized without laying out text),
//!       │                    status pages (connecting / empty / no match / error + Try Again)
//!       └ content: ui/machine_view.rs MachineView — told only which machine is shown
//!         (and what libvirt pushed); no machine: a status page and no tab bar. Its tabs:
//!           ├ Overview  ui/vm_details.rs VmDetails (state + reason, uptime, graphs,
//!           │           lifecycle buttons) with the panels ui/agent_panel.rs,
//!           │           ui/nics_panel.rs, ui/shares_panel.rs, ui/usb_panel.rs
//!           ├ Hardware  ui/hardware_panel.rs     ├ Snapshots ui/snapshots_panel.rs
//!           └ XML       ui/xml_panel.rs
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
//! ui/lifecycle.rs            confirmation dialogs (Force Off, Delete with disk choice)
//! ui/setup_check.rs SetupCheck  AdwDialog: is this computer ready? (backend/host_check.rs,
//!                            sentences in setup_text.rs); opens on first run and when a
//!                            local connection fails
//! ```
//!
//! ## Threads and data flow: a screen asks, and hears its own answer
//!
//! ```text
//! GTK main thread                       connection worker thread       libvirt-events thread
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
//! no replies. The first connection's worker starts before GTK does
//! (`app::EarlyConnection`), so the machine list loads while the window is built;
//! libvirt's event loop is Bilik's own poll loop, which never touches GTK's main context.
//!
//! * [`backend`] — GTK-free: the worker, plain feature functions over a connection, typed
//!   errors (see its own map).
//! * [`model`] — GObjects the views bind to ([`model::VmObject`]); a connection's model
//!   ([`model::connection_model::ConnectionModel`]) applies what libvirt pushed to its
//!   store ([`model::VmStore`]) in place, and the list view binds to that store. The new-machine
//!   wizard's decisions: [`model::new_vm_plan::NewVmPlan`].
//! * [`errors`] — the one place where errors become translated sentences.
//! * [`renderer`] — GTK draws without OpenGL on a computer without a GPU (decided before
//!   GTK starts).
//! * [`logging`] — the `log` crate's lines go to GLib's log, domain "bilik".
//! * [`settings`] — typed GSettings keys; [`i18n`] — gettext helpers; [`config`] — build
//!   values from meson; [`mod@bench`] — opt-in figures for `build-aux/bench`.

pub mod app;
pub mod backend;
pub mod bench;
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
    if bench::enabled() {
        println!("bilik-bench: renderer {renderer:?}");
    }
    logging::init();
    i18n::init();
    let mut connect = None;
    let mut setup_check = false;
    let mut it = args.into_iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "-c" | "--connect" => connect = it.next(),
            a if a.starts_with("--connect=") => connect = Some(a["--connect=".len()..].to_string()),
            "-h" | "--help" => {
                println!(
                    "Usage: bilik [--connect URI] [--setup-check]\n\n  -c, --connect URI   libvirt connection to open, e.g. qemu:///system\n      --setup-check   print whether this computer is ready for virtual machines"
                );
                return 0;
            }
            "--setup-check" => setup_check = true,
            "--version" => {
                println!("bilik {}", config::VERSION);
                return 0;
            }
            other => {
                eprintln!("bilik: unknown argument “{other}” (try --help)");
                return 2;
            }
        }
    }
    if setup_check {
        // Works without the GSettings schema (e.g. straight from a build tree).
        let settings = settings::Settings::open().ok();
        return print_setup_check(&app::initial_uri(connect, settings.as_ref()));
    }
    let settings = match settings::Settings::open() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("bilik: {e}");
            return 1;
        }
    };
    let uri = app::initial_uri(connect, Some(&settings));
    bench::mark("settings");
    // Connecting starts now, in parallel with GTK's start and the window's first frame.
    let early = app::EarlyConnection::open(&uri);
    bench::mark("early-started");
    let application = adw::Application::builder()
        .application_id(config::APP_ID)
        .build();
    gio::prelude::ApplicationExt::connect_startup(&application, |_| bench::mark("gtk-started"));
    // The window appears once prepared (app::SHOW_WINDOW_BY at the latest); a later
    // activation (Bilik started again while running) brings it to the front.
    gio::prelude::ApplicationExt::connect_activate(&application, |app| {
        use gtk::prelude::{GtkApplicationExt, GtkWindowExt, WidgetExt};
        if let Some(w) = app.windows().first().filter(|w| w.is_visible()) {
            w.present();
        }
    }); // GApplication must not see our own options.
    RelmApp::from_app(application)
        .visible_on_activate(false)
        .with_args(vec!["bilik".to_string()])
        .run::<app::App>(app::AppInit {
            settings,
            uri,
            early,
            started,
        });
    0
}

/// `bilik --setup-check`: the setup check as text. Exit status 0 when ready, 1 with
/// warnings, 2 when something must be fixed.
fn print_setup_check(uri: &str) -> i32 {
    use backend::host_check::{self, Fix, Verdict};
    let results = host_check::run_all(&host_check::Host::current(uri));
    for r in &results {
        let mark = match r.verdict {
            Verdict::Pass => "PASS",
            Verdict::Info => "INFO",
            Verdict::Warning => "WARN",
            Verdict::Fail => "FAIL",
        };
        println!(
            "{mark}  {}: {}",
            setup_text::title(r.id),
            setup_text::explain(r)
        );
        if let Some(fix) = &r.fix {
            match fix {
                Fix::Privileged(argv) => println!("      fix: sudo {}", argv.join(" ")),
                Fix::Copy(cmd) => println!("      fix: {cmd}"),
                Fix::Libvirt(_) => println!("      fix: {}", setup_text::fix_hint(fix)),
            }
        }
    }
    match results.iter().map(|r| r.verdict).max() {
        Some(Verdict::Fail) => 2,
        Some(Verdict::Warning) => 1,
        _ => 0,
    }
}
