//! Application-wide actions and their keyboard shortcuts (quit, shortcuts window, about).

use adw::prelude::*;
use gettextrs::gettext;

/// Application actions and their shortcuts: quit (Ctrl+Q), keyboard shortcuts (Ctrl+?),
/// about.
pub fn install_actions(window: &adw::ApplicationWindow) {
    let app = relm4::main_application();
    let quit = gio::SimpleAction::new("quit", None);
    let w = window.clone();
    // Closing the window (rather than app.quit()) runs close-request, which saves its size.
    quit.connect_activate(move |_, _| w.close());
    app.add_action(&quit);
    app.set_accels_for_action("app.quit", &["<Control>q"]);

    let about = gio::SimpleAction::new("about", None);
    let w = window.clone();
    about.connect_activate(move |_, _| {
        let dialog = adw::AboutDialog::builder()
            .application_name("Bilik")
            .application_icon(crate::config::APP_ID)
            .developer_name(gettext("The Bilik developers"))
            .version(crate::config::VERSION)
            .comments(gettext(
                "Create and run virtual machines. Bilik manages QEMU/KVM machines through libvirt, and explains each step on the way.",
            ))
            .license_type(gtk::License::Gpl30)
            // Translators: put your names here, one per line.
            .translator_credits(gettext("translator-credits"))
            .build();
        dialog.present(Some(&w));
    });
    app.add_action(&about);

    let shortcuts = gio::SimpleAction::new("shortcuts", None);
    let w = window.clone();
    shortcuts.connect_activate(move |_, _| shortcuts_window(&w).present());
    app.add_action(&shortcuts);
    app.set_accels_for_action("app.shortcuts", &["<Control>question"]);
}

fn shortcuts_window(parent: &adw::ApplicationWindow) -> gtk::ShortcutsWindow {
    let group = gtk::ShortcutsGroup::builder()
        .title(gettext("General"))
        .build();
    for (accel, title) in [
        ("<Control>n", gettext("New virtual machine")),
        ("<Control>question", gettext("Show keyboard shortcuts")),
        ("<Control>q", gettext("Quit")),
        ("F10", gettext("Open the main menu")),
    ] {
        group.add_shortcut(
            &gtk::ShortcutsShortcut::builder()
                .accelerator(accel)
                .title(title)
                .build(),
        );
    }
    let section = gtk::ShortcutsSection::builder()
        .section_name("main")
        .build();
    section.add_group(&group);
    let window = gtk::ShortcutsWindow::builder()
        .title(gettext("Keyboard Shortcuts"))
        .transient_for(parent)
        .modal(true)
        .build();
    window.add_section(&section);
    window
}
