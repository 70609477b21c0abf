//! # Bilik — a friendly virtual machine manager
//!
//! ## Where everything lives
//!
//! ```text
//! main.rs                    parses --connect, starts gettext and the relm4 app
//! app.rs        App          the main window (AdwApplicationWindow)
//!   └ AdwToastOverlay        failed actions appear as toasts with a "Details" button
//!     └ AdwNavigationSplitView
//!       ├ sidebar: AdwToolbarView
//!       │   ├ AdwHeaderBar   ui/connection_switcher.rs  ConnectionSwitcher (title widget)
//!       │   │                + main menu (Keyboard Shortcuts, About)
//!       │   ├ AdwBanner      "Lost connection to … — reconnecting…"
//!       │   └ ui/vm_list.rs  VmList: search, sort, virtualised GtkListView,
//!       │                    status pages (connecting / empty / no match / error + Try Again)
//!       └ content: AdwToolbarView
//!           └ ui/vm_details.rs VmDetails: name, state + reason, usage, lifecycle buttons
//! ui/lifecycle.rs            confirmation dialogs (Force Off, Delete with disk choice)
//! ```
//!
//! ## Threads and data flow
//!
//! ```text
//! GTK main thread                      connection worker thread        libvirt-events thread
//! App ──Request──▶ ConnectionHandle ──▶ Worker (owns virt::Connect) ◀── event callbacks
//!  ▲                                     │  one bulk stats call / 2 s      (backend/events.rs)
//!  └──────────── Update (via relm4 sender) ◀┘
//! ```
//!
//! * [`backend`] — GTK-free: URI checks, the worker, the event wrapper, stats, typed errors.
//! * [`model`] — GObjects the views bind to ([`model::VmObject`]) and the per-connection
//!   store ([`model::VmStore`]) that applies updates in place.
//! * [`errors`] — the one place where errors become translated sentences.
//! * [`settings`] — typed GSettings keys; [`i18n`] — gettext helpers; [`config`] — build
//!   values from meson; [`bench`] — opt-in figures for `build-aux/bench`.

pub mod app;
pub mod backend;
pub mod bench;
pub mod config;
pub mod errors;
pub mod i18n;
pub mod model;
pub mod settings;
pub mod ui;

use relm4::RelmApp;

/// Runs Bilik with the given command-line arguments (without the program name).
pub fn run(args: Vec<String>) -> i32 {
    i18n::init();
    let mut connect = None;
    let mut it = args.into_iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "-c" | "--connect" => connect = it.next(),
            a if a.starts_with("--connect=") => connect = Some(a["--connect=".len()..].to_string()),
            "-h" | "--help" => {
                println!(
                    "Usage: bilik [--connect URI]\n\n  -c, --connect URI   libvirt connection to open, e.g. qemu:///system"
                );
                return 0;
            }
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
    let settings = match settings::Settings::open() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("bilik: {e}");
            return 1;
        }
    };
    let uri = app::initial_uri(connect, &settings);
    let application = adw::Application::builder()
        .application_id(config::APP_ID)
        .build();
    // GApplication must not see our own options.
    RelmApp::from_app(application)
        .with_args(vec!["bilik".to_string()])
        .run::<app::App>(app::AppInit { settings, uri });
    0
}
