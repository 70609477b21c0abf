//! Confirmations for the actions that lose something: Force Off and Delete. Deleting keeps
//! every disk image unless the person ticks it by name.

use std::cell::RefCell;
use std::rc::Rc;

use adw::prelude::*;
use gettextrs::gettext;

use crate::backend::DiskInfo;
use crate::i18n::gettext_f;

/// Asks before forcing a machine off; calls `confirm` on "Force Off".
pub fn confirm_force_off(parent: &impl IsA<gtk::Widget>, name: &str, confirm: impl Fn() + 'static) {
    let dialog = adw::AlertDialog::new(
        Some(&gettext_f("Force off “{name}”?", &[("name", name)])),
        Some(&gettext(
            "This stops the machine at once, like pulling the power cable. Anything not saved inside it is lost. To stop it gently, use Shut Down instead.",
        )),
    );
    dialog.add_responses(&[
        ("cancel", &gettext("Cancel")),
        ("force-off", &gettext("Force Off")),
    ]);
    dialog.set_response_appearance("force-off", adw::ResponseAppearance::Destructive);
    dialog.set_default_response(Some("cancel"));
    dialog.set_close_response("cancel");
    dialog.connect_response(Some("force-off"), move |_, _| confirm());
    dialog.present(Some(parent));
}

/// Asks before deleting a machine. Lists its disk images with a check box each, all
/// unticked; calls `confirm` with the paths the person ticked.
pub fn confirm_delete(
    parent: &impl IsA<gtk::Widget>,
    name: &str,
    running: bool,
    disks: &[DiskInfo],
    confirm: impl Fn(Vec<String>) + 'static,
) {
    let mut body = gettext(
        "The machine’s settings, snapshots and firmware variables are removed. Disk images are kept unless you tick them below.",
    );
    if running {
        body.push(' ');
        body.push_str(&gettext("It is running and will be forced off first."));
    }
    let dialog = adw::AlertDialog::new(
        Some(&gettext_f("Delete “{name}”?", &[("name", name)])),
        Some(&body),
    );
    let chosen: Rc<RefCell<Vec<String>>> = Rc::default();
    if !disks.is_empty() {
        let list = gtk::ListBox::builder()
            .selection_mode(gtk::SelectionMode::None)
            .css_classes(["boxed-list"])
            .build();
        list.update_property(&[gtk::accessible::Property::Label(&gettext(
            "Disk images to delete",
        ))]);
        for disk in disks {
            let check = gtk::CheckButton::builder()
                .valign(gtk::Align::Center)
                .build();
            let title = if disk.is_cdrom {
                gettext_f("CD/DVD image {path}", &[("path", &disk.path)])
            } else {
                disk.path.clone()
            };
            // The row names the check box (its title is the path); this says what ticking does.
            check.update_property(&[gtk::accessible::Property::Description(&gettext(
                "Tick to delete this disk image file too",
            ))]);
            // Paths may contain & or <: plain text, not markup.
            let row = adw::ActionRow::builder()
                .use_markup(false)
                .title(title)
                .subtitle(gettext_f(
                    "Disk {target} — tick to delete the file too",
                    &[("target", &disk.target)],
                ))
                .activatable_widget(&check)
                .build();
            row.add_prefix(&check);
            let path = disk.path.clone();
            let chosen = chosen.clone();
            check.connect_toggled(move |c| {
                let mut v = chosen.borrow_mut();
                v.retain(|p| *p != path);
                if c.is_active() {
                    v.push(path.clone());
                }
            });
            list.append(&row);
        }
        dialog.set_extra_child(Some(&list));
    }
    dialog.add_responses(&[
        ("cancel", &gettext("Cancel")),
        ("delete", &gettext("Delete")),
    ]);
    dialog.set_response_appearance("delete", adw::ResponseAppearance::Destructive);
    dialog.set_default_response(Some("cancel"));
    dialog.set_close_response("cancel");
    dialog.connect_response(Some("delete"), move |_, _| confirm(chosen.borrow().clone()));
    dialog.present(Some(parent));
}

/// Shows an error's full text (the toast's "Details" button).
pub fn show_details(parent: &impl IsA<gtk::Widget>, title: &str, advice: &str, details: &str) {
    show_details_with(parent, title, advice, details, None::<(&str, fn())>);
}

/// [`show_details`] with a way out offered next to Close (e.g. "Start Without the Shared
/// Folders"): its label and what it does.
pub fn show_details_with(
    parent: &impl IsA<gtk::Widget>,
    title: &str,
    advice: &str,
    details: &str,
    way_out: Option<(&str, impl Fn() + 'static)>,
) {
    let dialog = adw::AlertDialog::new(Some(title), Some(advice));
    let label = crate::ui::widgets::details_label();
    label.set_label(details);
    let expander = gtk::Expander::builder()
        .label(gettext("Details"))
        .child(&label)
        .expanded(true)
        .build();
    if !details.is_empty() {
        dialog.set_extra_child(Some(&expander));
    }
    dialog.add_responses(&[("close", &gettext("Close"))]);
    if let Some((label, act)) = way_out {
        dialog.add_response("way-out", label);
        dialog.set_response_appearance("way-out", adw::ResponseAppearance::Suggested);
        dialog.set_default_response(Some("way-out"));
        dialog.connect_response(Some("way-out"), move |_, _| act());
    }
    dialog.present(Some(parent));
}
