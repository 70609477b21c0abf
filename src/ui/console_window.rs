//! Bilik's own console window, one per machine: the machine's screen ([`SpiceView`]) with
//! a header bar that hides in full screen and comes back when the pointer touches the top
//! edge (libadwaita's pattern), Send Keys for what the desktop would keep for itself, and
//! the full-screen key from Preferences, which works while the guest has the keyboard.
//! While the screen has the keyboard, the desktop's own shortcuts are inhibited (where the
//! desktop allows it), so Alt+Tab, Super and Ctrl+Alt+F… reach the guest.

use adw::prelude::*;
use gettextrs::gettext;

use super::spice_view::{DropProblem, Phase, SpiceView};
use crate::backend::{scancode, Connection};
use crate::i18n::gettext_f;

/// virt-viewer's hotkey syntax ("shift+f11") as a GTK accelerator ("<Shift>F11").
pub fn accelerator(hotkey: &str) -> Option<String> {
    let mut out = String::new();
    let parts: Vec<&str> = hotkey.split('+').map(str::trim).collect();
    let (key, mods) = parts.split_last()?;
    for m in mods {
        out.push_str(match m.to_ascii_lowercase().as_str() {
            "ctrl" | "control" => "<Control>",
            "alt" => "<Alt>",
            "shift" => "<Shift>",
            "super" | "win" => "<Super>",
            _ => return None,
        });
    }
    let key = if key.len() > 1 && key.starts_with(['f', 'F']) && key[1..].parse::<u8>().is_ok() {
        key.to_ascii_uppercase()
    } else {
        key.to_string()
    };
    out.push_str(&key);
    Some(out)
}

/// A machine's console window (the caller keeps one per machine).
pub struct ConsoleWindow {
    window: adw::Window,
    view: SpiceView,
    toasts: adw::ToastOverlay,
    hotkey: String,
}

impl ConsoleWindow {
    /// What a newcomer would not know about this console, said once as it opens.
    pub fn hint(&self, settings: &crate::settings::Settings) {
        let text = gettext_f(
            // Translators: {key} is a key combination such as SHIFT+F11.
            "{key} switches full screen. The pointer moves in and out freely. Keys reach the machine by their place on the keyboard, and the machine’s own keyboard layout decides the letter: on a French (azerty) keyboard, the key marked A types q while the machine is set to US (qwerty). Set the machine’s layout to yours, or type as its layout says.",
            &[("key", &self.hotkey.to_uppercase())],
        );
        let toast = super::console::hint_toast_of(settings, &text);
        self.toasts.add_toast(toast);
    }

    pub fn present(&self) {
        self.window.present();
    }

    /// The machine runs (started anew, or resumed): after a stop, its screen is shown
    /// again.
    pub fn machine_running(&self) {
        if self.view.ended() {
            self.view.reopen();
        }
    }
}

/// Opens machine `name`'s console window.
pub fn open(
    connection: Connection,
    uuid: &str,
    name: &str,
    fullscreen: bool,
    hotkey: &str,
    on_close: impl Fn() + 'static,
) -> ConsoleWindow {
    let view = SpiceView::new();
    let title = adw::WindowTitle::new(name, &gettext("Connecting…"));
    let header = adw::HeaderBar::builder().title_widget(&title).build();
    let trigger = accelerator(hotkey)
        .and_then(|a| gtk::ShortcutTrigger::parse_string(&a))
        .or_else(|| gtk::ShortcutTrigger::parse_string("<Shift>F11"));
    let full = gtk::Button::builder()
        .icon_name("view-fullscreen-symbolic")
        .tooltip_text(gettext_f(
            // Translators: {key} is a key combination such as <Shift>F11.
            "Full Screen ({key})",
            &[("key", &hotkey.to_uppercase())],
        ))
        .build();
    full.update_property(&[gtk::accessible::Property::Label(&gettext("Full Screen"))]);
    header.pack_end(&full);
    // Keys the desktop would take for itself (buttons, not a menu model: each has its
    // name for screen readers).
    let keys_box = gtk::Box::new(gtk::Orientation::Vertical, 0);
    let keys_popover = gtk::Popover::builder().child(&keys_box).build();
    let send = gtk::Button::builder()
        .icon_name("input-keyboard-symbolic")
        .tooltip_text(gettext("Send Keys"))
        .build();
    keys_popover.set_parent(&send);
    let p = keys_popover.clone();
    send.connect_clicked(move |_| p.popup());
    send.update_property(&[gtk::accessible::Property::Label(&gettext("Send Keys"))]);
    header.pack_start(&send);
    // Without the agent in the machine: what to install (said after a moment, once the
    // agent had its chance to connect).
    let banner = adw::Banner::new(&gettext(
        "Copy and paste, dropping files and a screen that follows this window need the SPICE agent in the machine: install spice-vdagent there (Windows: the SPICE guest tools), then restart it.",
    ));
    // When the machine is off, a page says so over the (last) screen.
    let off = adw::StatusPage::builder()
        .icon_name("system-shutdown-symbolic")
        .title(gettext("The machine is off"))
        .description(gettext(
            "Its screen comes back here when it starts. Closing this window never stops the machine.",
        ))
        .build();
    let pages = gtk::Stack::new();
    pages.add_named(view.widget(), Some("screen"));
    pages.add_named(&off, Some("off"));
    let toasts = adw::ToastOverlay::new();
    toasts.set_child(Some(&pages));
    let v = view.clone();
    header.pack_start(&super::spice_usb::menu_button(move || v.session(), &toasts));
    // A machine without a tablet takes the pointer as moves: it lags and drifts from
    // this computer's (GTK 4 cannot capture the pointer as virt-viewer does). A tablet
    // is the cure.
    let tablet = adw::Banner::builder()
        .title(gettext(
            "This machine has no USB tablet, so its pointer follows yours in steps and may drift. A tablet makes it follow exactly.",
        ))
        .button_label(gettext("Add a Tablet"))
        .build();
    let toolbar = adw::ToolbarView::new();
    toolbar.add_top_bar(&header);
    toolbar.add_top_bar(&banner);
    toolbar.add_top_bar(&tablet);
    toolbar.set_content(Some(&toasts));
    // The header says where the console is, and whether the agent runs.
    let phase = std::rc::Rc::new(std::cell::Cell::new(Phase::Connecting));
    let agent = std::rc::Rc::new(std::cell::Cell::new(false));
    let say = {
        let (phase, agent, title, v) = (phase.clone(), agent.clone(), title.clone(), view.clone());
        move || {
            title.set_subtitle(&match (phase.get(), agent.get(), v.copypaste()) {
                (Phase::Connecting, ..) => gettext("Connecting…"),
                (Phase::Connected, true, true) => gettext("Connected · SPICE agent running"),
                (Phase::Connected, true, false) => {
                    gettext("Connected · SPICE agent running · copy and paste off")
                }
                (Phase::Connected, false, true) => gettext("Connected · no SPICE agent"),
                (Phase::Connected, false, false) => {
                    gettext("Connected · no SPICE agent · copy and paste off")
                }
                (Phase::Ended, ..) => gettext("Machine off"),
            })
        }
    };
    let b = tablet.clone();
    view.connect_relative(move |relative| b.set_revealed(relative));
    let (c, u, t, n) = (
        connection.clone(),
        uuid.to_string(),
        toasts.clone(),
        name.to_string(),
    );
    tablet.connect_button_clicked(move |b| {
        b.set_revealed(false);
        let (c, u, t, n) = (c.clone(), u.clone(), t.clone(), n.clone());
        glib::MainContext::default().spawn_local(async move {
            let change = crate::backend::details::HardwareChange::AddTablet;
            let r = c
                .call(move |conn| crate::backend::details::change(conn, &u, &change))
                .await;
            match r {
                Ok((_, crate::backend::details::Applied::Live)) => t.add_toast(
                    crate::ui::widgets::wrapped_toast(&gettext("A tablet was added.")),
                ),
                Ok((_, crate::backend::details::Applied::NextStart)) => {
                    t.add_toast(crate::ui::widgets::wrapped_toast(&gettext(
                        "A tablet was added: it works from the machine’s next start.",
                    )))
                }
                Err(e) => {
                    crate::ui::widgets::show_error_toast(&t, crate::errors::change_error(&n, &e))
                }
            }
        });
    });
    let (a, b, say_agent) = (agent.clone(), banner.clone(), say.clone());
    view.connect_agent(move |on| {
        a.set(on);
        b.set_revealed(!on);
        say_agent();
    });
    let (p, pg, a, b, v) = (
        phase.clone(),
        pages.clone(),
        agent.clone(),
        banner.clone(),
        view.clone(),
    );
    view.connect_phase(move |now| {
        p.set(now);
        if now != Phase::Connected {
            a.set(false);
            b.set_revealed(false);
        }
        pg.set_visible_child_name(if now == Phase::Ended { "off" } else { "screen" });
        if now == Phase::Connected {
            v.widget().grab_focus();
            // Without the agent after a moment (it had its chance to connect): say what
            // to install.
            let (a, b, p) = (a.clone(), b.clone(), p.clone());
            glib::timeout_add_local_once(std::time::Duration::from_secs(8), move || {
                if !a.get() && p.get() == Phase::Connected {
                    b.set_revealed(true);
                }
            });
        }
        say();
    });
    let t = toasts.clone();
    let files_done: std::rc::Rc<dyn Fn(Result<usize, DropProblem>)> = std::rc::Rc::new(move |r| {
        let text = match r {
            Ok(n) => gettext_f(
                // Translators: {n} is a number of files.
                "{n} file(s) copied into the machine (its Downloads folder).",
                &[("n", &n.to_string())],
            ),
            Err(DropProblem::NoAgent) => {
                gettext("Files can be dropped here once the SPICE agent runs in the machine.")
            }
            Err(DropProblem::SwitchedOff) => gettext(
                "File transfer is off for this machine: turn it on in its Clipboard and files settings (it applies from its next start).",
            ),
            Err(DropProblem::Failed(e)) => gettext_f(
                "The files could not be copied into the machine: {error}",
                &[("error", &e)],
            ),
        };
        t.add_toast(crate::ui::widgets::wrapped_toast(&text));
    });
    view.accept_files(files_done.clone());
    let window = adw::Window::builder()
        .title(gettext_f("{name} — Console", &[("name", name)]))
        .default_width(1024)
        .default_height(800)
        .content(&toolbar)
        .build();
    // Files into the machine: a chooser as well as dropping (dropping is for the mouse
    // only).
    let send_files = gtk::Button::builder()
        .icon_name("document-send-symbolic")
        .tooltip_text(gettext("Send Files to the Machine…"))
        .build();
    send_files.update_property(&[gtk::accessible::Property::Label(&gettext(
        "Send Files to the Machine…",
    ))]);
    header.pack_start(&send_files);
    let (w, v) = (window.clone(), view.clone());
    send_files.connect_clicked(move |_| {
        let dialog = gtk::FileDialog::builder()
            .title(gettext("Send Files to the Machine"))
            .modal(true)
            .build();
        let (v, done) = (v.clone(), files_done.clone());
        dialog.open_multiple(Some(&w), None::<&gio::Cancellable>, move |r| match r {
            Ok(list) => {
                let files: Vec<gio::File> = (0..list.n_items())
                    .filter_map(|i| list.item(i).and_downcast::<gio::File>())
                    .collect();
                v.send_files(&files, done);
            }
            Err(e) => log::debug!("no files chosen: {e}"),
        });
    });
    // Send Keys.
    let mut combos: Vec<(String, Vec<u32>)> =
        vec![("Ctrl+Alt+Del".into(), scancode::CTRL_ALT_DEL.to_vec())];
    for n in 1u32..=12 {
        // F1–F10 are scancodes 0x3b–0x44, F11 and F12 0x57 and 0x58.
        let f = if n <= 10 { 0x3a + n } else { 0x4c + n };
        combos.push((format!("Ctrl+Alt+F{n}"), vec![0x1d, 0x38, f]));
    }
    combos.push(("Print".into(), vec![0x100 | 0x37]));
    for (label, codes) in combos {
        let b = gtk::Button::builder()
            .label(&label)
            .css_classes(["flat"])
            .build();
        let (v, p) = (view.clone(), keys_popover.clone());
        b.connect_clicked(move |_| {
            p.popdown();
            v.send_keys(&codes);
            v.widget().grab_focus();
        });
        keys_box.append(&b);
    }
    // Full screen: the button, and the key (caught before the guest sees it).
    let w = window.clone();
    full.connect_clicked(move |_| w.fullscreen());
    let shortcuts = gtk::ShortcutController::new();
    shortcuts.set_propagation_phase(gtk::PropagationPhase::Capture);
    let w = window.clone();
    shortcuts.add_shortcut(gtk::Shortcut::new(
        trigger,
        Some(gtk::CallbackAction::new(move |_, _| {
            if w.is_fullscreen() {
                w.unfullscreen();
            } else {
                w.fullscreen();
            }
            glib::Propagation::Stop
        })),
    ));
    window.add_controller(shortcuts);
    // In full screen the header bar hides, and slides in at the top edge.
    let t = toolbar.clone();
    window.connect_fullscreened_notify(move |w| t.set_reveal_top_bars(!w.is_fullscreen()));
    let edge = gtk::EventControllerMotion::new();
    let (t, w) = (toolbar.clone(), window.clone());
    edge.connect_motion(move |_, _, y| {
        if w.is_fullscreen() {
            if y < 4.0 {
                t.set_reveal_top_bars(true);
            } else if y > 64.0 {
                t.set_reveal_top_bars(false);
            }
        }
    });
    window.add_controller(edge);
    // The desktop's shortcuts go to the guest while its screen has the keyboard.
    let focus = gtk::EventControllerFocus::new();
    let w = window.clone();
    focus.connect_enter(move |_| {
        if let Some(top) = w.surface().and_downcast::<gtk::gdk::Toplevel>() {
            top.inhibit_system_shortcuts(None::<&gtk::gdk::Event>);
        }
    });
    let w = window.clone();
    focus.connect_leave(move |_| {
        if let Some(top) = w.surface().and_downcast::<gtk::gdk::Toplevel>() {
            top.restore_system_shortcuts();
        }
    });
    view.widget().add_controller(focus);
    let (v, p) = (view.clone(), keys_popover.clone());
    window.connect_close_request(move |_| {
        // A popover set on a button by hand is taken off it by hand.
        p.unparent();
        v.close();
        on_close();
        glib::Propagation::Proceed
    });
    view.open(connection, uuid.to_string());
    if fullscreen {
        window.fullscreen();
    }
    window.present();
    view.widget().grab_focus();
    ConsoleWindow {
        window,
        view,
        toasts,
        hotkey: hotkey.to_string(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn hotkeys_become_accelerators() {
        assert_eq!(
            super::accelerator("shift+f11").as_deref(),
            Some("<Shift>F11")
        );
        assert_eq!(
            super::accelerator("ctrl+alt+f").as_deref(),
            Some("<Control><Alt>f")
        );
        assert_eq!(super::accelerator("hyper+x"), None);
    }
}
