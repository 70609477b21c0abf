//! The console's USB menu: this computer's USB devices, each passed into the machine over
//! SPICE (usbredir) or taken back with a switch. Bilik's machines have two redirection
//! channels; a machine without any says so. Nothing is passed without being asked
//! (spice-client-glib's automatic redirection stays off).

use adw::prelude::*;
use gettextrs::gettext;
use spice_client_glib as spice;

use crate::errors::{usb_redirect_error, UsbRedirectProblem};

/// The USB button of a console's header bar; `session` gives the current SPICE session
/// (none while the machine is off), errors are said in `toasts`.
pub fn menu_button(
    session: impl Fn() -> Option<spice::Session> + 'static,
    toasts: &adw::ToastOverlay,
) -> gtk::MenuButton {
    let list = gtk::Box::builder()
        .orientation(gtk::Orientation::Vertical)
        .spacing(6)
        .margin_start(6)
        .margin_end(6)
        .margin_top(6)
        .margin_bottom(6)
        .build();
    let popover = gtk::Popover::builder().child(&list).build();
    let button = gtk::MenuButton::builder()
        .icon_name("media-removable-symbolic")
        .tooltip_text(gettext("USB Devices"))
        .popover(&popover)
        .build();
    button.update_property(&[gtk::accessible::Property::Label(&gettext("USB Devices"))]);
    let toasts = toasts.clone();
    // Filled each time it opens: devices come and go.
    popover.connect_show(move |_| {
        while let Some(child) = list.first_child() {
            list.remove(&child);
        }
        fill(&list, session(), &toasts);
    });
    button
}

fn note(list: &gtk::Box, text: &str) {
    list.append(
        &gtk::Label::builder()
            .label(text)
            .wrap(true)
            .max_width_chars(40)
            .xalign(0.0)
            .build(),
    );
}

fn fill(list: &gtk::Box, session: Option<spice::Session>, toasts: &adw::ToastOverlay) {
    let Some(session) = session else {
        note(
            list,
            &gettext("Start the machine to pass USB devices into it."),
        );
        return;
    };
    let manager = match spice::UsbDeviceManager::get(&session) {
        Ok(m) => m,
        Err(e) => {
            log::info!("no USB redirection here: {e}");
            note(
                list,
                &gettext("USB devices cannot be passed over the console on this computer."),
            );
            // What the SPICE client said (e.g. no USB bus to read), as Details.
            let details = gtk::Label::builder()
                .label(e.message())
                .wrap(true)
                .max_width_chars(40)
                .xalign(0.0)
                .css_classes(["dim-label", "caption"])
                .selectable(true)
                .build();
            list.append(&details);
            return;
        }
    };
    let devices = manager.devices();
    let channels = manager.free_channels()
        + devices
            .iter()
            .filter(|d| manager.is_device_connected(d))
            .count() as i32;
    if channels == 0 {
        note(
            list,
            &gettext("This machine has no USB redirection channels. Add a device in its Hardware → USB Devices instead."),
        );
        return;
    }
    if devices.is_empty() {
        note(
            list,
            &gettext("No USB devices are plugged into this computer."),
        );
        return;
    }
    note(
        list,
        &gettext("Passed into the machine, a device is gone from this computer until you switch it off here."),
    );
    for mut device in devices {
        let name = device
            .description(Some("%s %s"))
            .map(|d| d.to_string())
            .unwrap_or_else(|| gettext("USB device"));
        let switch = gtk::CheckButton::builder()
            .label(&name)
            .active(manager.is_device_connected(&device))
            .build();
        let (m, t) = (manager.clone(), toasts.clone());
        switch.connect_toggled(move |b| {
            let (t, name, b2) = (t.clone(), name.clone(), b.clone());
            if !b.is_active() {
                m.disconnect_device_async(&device, gio::Cancellable::NONE, |r| {
                    if let Err(e) = r {
                        log::info!("taking a USB device back: {e}");
                    }
                });
                return;
            }
            let fail = move |problem, raw: &str| {
                b2.set_active(false);
                crate::ui::widgets::show_error_toast(&t, usb_redirect_error(&name, problem, raw));
            };
            if m.free_channels() == 0 {
                fail(UsbRedirectProblem::NoFreeChannel, "");
                return;
            }
            if let Err(e) = m.can_redirect_device(&device) {
                fail(problem(&e), e.message());
                return;
            }
            m.connect_device_async(&device, gio::Cancellable::NONE, move |r| {
                if let Err(e) = r {
                    fail(problem(&e), e.message());
                }
            });
        });
        list.append(&switch);
    }
}

/// The SPICE client's error, typed.
fn problem(e: &glib::Error) -> UsbRedirectProblem {
    match e.kind::<spice::ClientError>() {
        Some(spice::ClientError::UsbDeviceRejected) => UsbRedirectProblem::Refused,
        Some(spice::ClientError::UsbDeviceLost) => UsbRedirectProblem::Gone,
        Some(spice::ClientError::UsbService) => UsbRedirectProblem::NotAllowed,
        _ if e.matches(gio::IOErrorEnum::PermissionDenied) => UsbRedirectProblem::NotAllowed,
        _ => UsbRedirectProblem::Other,
    }
}
