//! Preferences: how consoles open (full screen, hotkeys, hints). Bound to GSettings.

use adw::prelude::*;
use gettextrs::gettext;

use crate::backend::console::valid_hotkey;
use crate::settings::{Key, Settings};

/// Shows the preferences over `parent`.
pub fn show(parent: &impl IsA<gtk::Widget>, settings: &Settings) {
    let dialog = adw::PreferencesDialog::builder()
        .title(gettext("Preferences"))
        .build();
    let page = adw::PreferencesPage::new();
    let consoles = adw::PreferencesGroup::builder()
        .title(gettext("Consoles"))
        .description(gettext(
            "A console shows a machine’s screen. While you work in it, the machine has your keyboard: the keys below switch full screen and, in virt-viewer, give the mouse back.",
        ))
        .build();
    let fullscreen = adw::SwitchRow::builder()
        .title(gettext("Open consoles in full screen"))
        .subtitle(gettext(
            "The arrow next to “Open Console” does the other for one time.",
        ))
        .build();
    settings.bind(Key::ConsoleFullscreen, &fullscreen, "active");
    consoles.add(&fullscreen);
    // Where consoles open: Bilik's own window, or virt-viewer (the one before it).
    let viewers = ["bilik", "virt-viewer"];
    let viewer = adw::ComboRow::builder()
        .title(gettext("Open consoles in"))
        .subtitle(gettext(
            "Machines on another computer always open in virt-viewer.",
        ))
        .model(&gtk::StringList::new(&[
            &gettext("Bilik"),
            &gettext("virt-viewer"),
        ]))
        .build();
    let now = settings.string(Key::ConsoleViewer);
    viewer.set_selected(viewers.iter().position(|v| *v == now).unwrap_or(0) as u32);
    let s = settings.clone();
    viewer.connect_selected_notify(move |row| {
        if let Some(v) = viewers.get(row.selected() as usize) {
            s.set_string(Key::ConsoleViewer, v);
        }
    });
    consoles.add(&viewer);

    for (key, title, subtitle) in [
        (
            Key::HotkeyReleaseCursor,
            gettext("Release the mouse cursor"),
            gettext("Keys that give the mouse back to this computer, e.g. ctrl+alt."),
        ),
        (
            Key::HotkeyToggleFullscreen,
            gettext("Switch full screen"),
            gettext("Keys that leave or enter full screen, e.g. shift+f11."),
        ),
    ] {
        let row = adw::EntryRow::builder()
            .title(format!("{title} — {subtitle}"))
            .text(settings.string(key))
            .show_apply_button(true)
            .build();
        let s = settings.clone();
        row.connect_apply(move |row| {
            let text = row.text().trim().to_lowercase();
            if valid_hotkey(&text) {
                row.remove_css_class("error");
                s.set_string(key, &text);
            } else {
                // Said on the field itself; nothing is saved.
                row.add_css_class("error");
                row.set_title(&gettext(
                    "Not a key combination: write keys joined by “+”, such as ctrl+alt or shift+f11.",
                ));
            }
        });
        consoles.add(&row);
    }

    let hints = adw::SwitchRow::builder()
        .title(gettext("Show hints when a console opens"))
        .subtitle(gettext(
            "How to release the cursor, switch full screen and share the clipboard.",
        ))
        .build();
    settings.bind(Key::ShowConsoleHints, &hints, "active");
    consoles.add(&hints);
    page.add(&consoles);
    dialog.add(&page);
    dialog.present(Some(parent));
}
