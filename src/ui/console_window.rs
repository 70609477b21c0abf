//! Bilik's own console window, one per machine: the machine's screen ([`SpiceView`]) with
//! a header bar that hides in full screen and comes back when the pointer touches the top
//! edge (libadwaita's pattern), Send Keys for what the desktop would keep for itself, and
//! the full-screen key from Preferences, which works while the guest has the keyboard.
//! While the screen has the keyboard, the desktop's own shortcuts are inhibited (where the
//! desktop allows it), so Alt+Tab, Super and Ctrl+Alt+F… reach the guest.

use adw::prelude::*;
use gettextrs::gettext;

use super::spice_view::SpiceView;
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

/// Opens machine `name`'s console window (the caller keeps one per machine).
pub fn open(
    connection: Connection,
    uuid: &str,
    name: &str,
    fullscreen: bool,
    hotkey: &str,
    on_close: impl Fn() + 'static,
) -> adw::Window {
    let view = SpiceView::new();
    let header = adw::HeaderBar::builder()
        .title_widget(&adw::WindowTitle::new(name, &gettext("Console")))
        .build();
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
    let toasts = adw::ToastOverlay::new();
    toasts.set_child(Some(view.widget()));
    let toolbar = adw::ToolbarView::new();
    toolbar.add_top_bar(&header);
    toolbar.add_top_bar(&banner);
    toolbar.set_content(Some(&toasts));
    let agent = std::rc::Rc::new(std::cell::Cell::new(false));
    let a = agent.clone();
    let b = banner.clone();
    view.connect_agent(move |on| {
        a.set(on);
        b.set_revealed(!on);
    });
    let (a, b) = (agent.clone(), banner.clone());
    glib::timeout_add_local_once(std::time::Duration::from_secs(8), move || {
        if !a.get() {
            b.set_revealed(true);
        }
    });
    let t = toasts.clone();
    view.accept_files(move |r| {
        let text = match r {
            Ok(n) => gettext_f(
                // Translators: {n} is a number of files.
                "{n} file(s) copied into the machine (its Downloads folder).",
                &[("n", &n.to_string())],
            ),
            Err(e) if e.is_empty() => {
                gettext("Files can be dropped here once the SPICE agent runs in the machine.")
            }
            Err(e) => gettext_f(
                "The files could not be copied into the machine: {error}",
                &[("error", &e)],
            ),
        };
        t.add_toast(adw::Toast::new(&glib::markup_escape_text(&text)));
    });
    let window = adw::Window::builder()
        .title(gettext_f("{name} — Console", &[("name", name)]))
        .default_width(1024)
        .default_height(800)
        .content(&toolbar)
        .build();
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
    window
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
