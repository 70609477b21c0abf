//! Opening a machine's console: whether it can be opened (and why not, in words), running
//! virt-viewer, and the hints shown when it opens.

use std::sync::atomic::{AtomicU32, Ordering};

use gettextrs::gettext;

use crate::backend::console::{self, ConsoleOptions, DisplayInfo};
use crate::errors::UserMessage;
use crate::i18n::gettext_f;
use crate::settings::{Key, Settings};

/// Explains why the console of `name` cannot open, if it cannot (from what libvirt said;
/// a missing viewer is found when starting it, off the main thread).
pub fn can_open(name: &str, info: &DisplayInfo) -> Result<(), UserMessage> {
    if !info.has_graphics {
        return Err(UserMessage {
            title: gettext_f("“{name}” has no screen to show", &[("name", name)]),
            advice: gettext(
                "It has no SPICE or VNC display. Machines made by Bilik have one; add a display in the machine’s hardware to see its screen.",
            ),
            details: String::new(),
        });
    }
    Ok(())
}

/// Why a console ended badly.
#[derive(Debug)]
pub enum ViewerError {
    /// virt-viewer is not installed.
    Missing,
    /// It ran and failed; what it said.
    Failed(String),
}

/// The sentence for a console that could not open.
pub fn viewer_error(name: &str, e: ViewerError) -> UserMessage {
    match e {
        ViewerError::Missing => UserMessage {
            title: gettext("virt-viewer is not installed"),
            advice: gettext(
                "Bilik shows a machine’s screen with virt-viewer. Install the package virt-viewer (sudo apt install virt-viewer, or sudo dnf install virt-viewer), then try again.",
            ),
            details: console::VIEWERS.join(", "),
        },
        ViewerError::Failed(raw) => UserMessage {
            title: gettext_f("The console of “{name}” could not open", &[("name", name)]),
            advice: gettext("virt-viewer reported an error; the details say more."),
            details: raw,
        },
    }
}

/// Runs the viewer and waits for it to end (call off the main thread); `pid` receives its
/// process id once it runs, to find its window later.
pub fn run_viewer(argv: &[String], pid: &AtomicU32) -> Result<(), ViewerError> {
    if !console::viewer_installed() {
        return Err(ViewerError::Missing);
    }
    // An argument vector, never a shell string.
    match std::process::Command::new(&argv[0])
        .args(&argv[1..])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .and_then(|child| {
            pid.store(child.id(), Ordering::Relaxed);
            child.wait_with_output()
        }) {
        Ok(out) if out.status.success() => Ok(()),
        Ok(out) => Err(ViewerError::Failed(
            String::from_utf8_lossy(&out.stderr).trim().to_string(),
        )),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(ViewerError::Missing),
        Err(e) => Err(ViewerError::Failed(format!("{}: {e}", argv[0]))),
    }
}

/// The hint shown when a console opens: the keys that release the cursor and switch full
/// screen, and, without the SPICE agent, what copy-paste needs.
pub fn hint_toast(settings: &Settings, opts: &ConsoleOptions, info: &DisplayInfo) -> adw::Toast {
    hint_toast_of(settings, &hint_text(opts, info))
}

/// A console hint `hint` as a long toast, with "Don't Show Again" (which turns the hints
/// off in Preferences).
pub fn hint_toast_of(settings: &Settings, hint: &str) -> adw::Toast {
    let toast = adw::Toast::builder()
        .custom_title(&crate::ui::widgets::wrapped_title(hint))
        .button_label(gettext("Don’t Show Again"))
        .timeout(20)
        .build();
    let s = settings.clone();
    toast.connect_button_clicked(move |_| s.set_boolean(Key::ShowConsoleHints, false));
    toast
}

/// The console's keys in words (and what copy and paste needs without the agent): the
/// window's hint, and what `bilik console` prints.
pub fn hint_text(opts: &ConsoleOptions, info: &DisplayInfo) -> String {
    let mut hint = gettext_f(
        "In the console, {release} gives the mouse back and {fullscreen} switches full screen.",
        &[
            ("release", &opts.release_cursor.to_uppercase()),
            ("fullscreen", &opts.toggle_fullscreen.to_uppercase()),
        ],
    );
    if info.spice_agent != Some(true) {
        hint.push(' ');
        hint.push_str(&gettext(
            "Copy and paste with this computer and automatic screen size need spice-vdagent installed in the machine’s system (then restart it).",
        ));
    }
    hint
}
