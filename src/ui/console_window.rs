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
    // Black around the guest's screen, as on a monitor (not the window's grey).
    let css = gtk::CssProvider::new();
    css.load_from_string(".bilik-console { background-color: black; }");
    gtk::style_context_add_provider_for_display(
        &gtk::prelude::WidgetExt::display(view.widget()),
        &css,
        gtk::STYLE_PROVIDER_PRIORITY_APPLICATION,
    );
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
    // Keys the desktop would take for itself.
    let keys_menu = gio::Menu::new();
    keys_menu.append(Some("Ctrl+Alt+Del"), Some("console.ctrl-alt-del"));
    for n in [1, 2, 7] {
        keys_menu.append(
            Some(&format!("Ctrl+Alt+F{n}")),
            Some(&format!("console.ctrl-alt-f{n}")),
        );
    }
    let send = gtk::MenuButton::builder()
        .icon_name("input-keyboard-symbolic")
        .menu_model(&keys_menu)
        .tooltip_text(gettext("Send Keys"))
        .build();
    send.update_property(&[gtk::accessible::Property::Label(&gettext("Send Keys"))]);
    header.pack_start(&send);
    let toolbar = adw::ToolbarView::new();
    toolbar.add_top_bar(&header);
    toolbar.set_content(Some(view.widget()));
    let window = adw::Window::builder()
        .title(gettext_f("{name} — Console", &[("name", name)]))
        .default_width(1024)
        .default_height(800)
        .content(&toolbar)
        .build();
    // Send Keys.
    let group = gio::SimpleActionGroup::new();
    let mut combos: Vec<(String, Vec<u32>)> =
        vec![("ctrl-alt-del".into(), scancode::CTRL_ALT_DEL.to_vec())];
    for n in [1u32, 2, 7] {
        // F1 is scancode 0x3b, F2 0x3c, … F7 0x41.
        combos.push((format!("ctrl-alt-f{n}"), vec![0x1d, 0x38, 0x3a + n]));
    }
    for (action, codes) in combos {
        let a = gio::SimpleAction::new(&action, None);
        let v = view.clone();
        a.connect_activate(move |_, _| v.send_keys(&codes));
        group.add_action(&a);
    }
    window.insert_action_group("console", Some(&group));
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
    let v = view.clone();
    window.connect_close_request(move |_| {
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
