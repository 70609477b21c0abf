//! Moving a shut-off machine to this computer's other connection (user session ↔
//! system): asked first, in words, then done off the main thread with both connections
//! (backend/move_machine.rs: copied, checked, then removed where it was).

use adw::prelude::*;
use gettextrs::gettext;
use relm4::prelude::*;

use super::{App, AppCmd, AppMsg, AppWidgets};
use crate::backend::BackendError;
use crate::i18n::gettext_f;
use crate::ui::connection_switcher::{display_name, SESSION_URI, SYSTEM_URI};

impl App {
    /// "Move…": where to (the other local connection, open and connected), and asked.
    pub(super) fn ask_move(
        &self,
        widgets: &AppWidgets,
        sender: &ComponentSender<Self>,
        from: String,
        uuid: String,
        name: String,
    ) {
        let to = if from == SYSTEM_URI {
            SESSION_URI
        } else {
            SYSTEM_URI
        };
        if self.connection_for(to).is_none() {
            let toast = crate::ui::widgets::wrapped_toast(&gettext_f(
                "To move “{name}”, open “{place}” too (the connections menu at the top).",
                &[("name", &name), ("place", &display_name(to))],
            ));
            toast.set_timeout(10);
            widgets.toasts.add_toast(toast);
            return;
        }
        let dialog = adw::AlertDialog::new(
            Some(&gettext_f(
                "Move “{name}” to {place}?",
                &[("name", &name), ("place", &display_name(to))],
            )),
            Some(&gettext_f(
                "Its settings and disks are copied to {place} and each copy is checked against the original; then “{name}” and its disks are removed from {here}. This can take minutes for a large disk. Nothing is removed if anything goes wrong.",
                &[
                    ("name", &name),
                    ("place", &display_name(to)),
                    ("here", &display_name(&from)),
                ],
            )),
        );
        dialog.add_response("cancel", &gettext("Cancel"));
        dialog.add_response("move", &gettext("Move"));
        dialog.set_response_appearance("move", adw::ResponseAppearance::Suggested);
        dialog.set_default_response(Some("cancel"));
        dialog.set_close_response("cancel");
        let (s, to) = (sender.clone(), to.to_string());
        dialog.connect_response(None, move |_, response| {
            if response == "move" {
                s.input(AppMsg::ConfirmedMove {
                    from: from.clone(),
                    to: to.clone(),
                    uuid: uuid.clone(),
                    name: name.clone(),
                });
            }
        });
        dialog.present(Some(&widgets.window));
    }

    /// Confirmed: both connections are handed to a thread of its own (a copy of minutes
    /// must not hold either connection's other questions).
    pub(super) fn start_move(
        &mut self,
        widgets: &AppWidgets,
        sender: &ComponentSender<Self>,
        from: String,
        to: String,
        uuid: String,
        name: String,
    ) {
        let (Some(src), Some(dst)) = (self.connection_for(&from), self.connection_for(&to)) else {
            return;
        };
        self.show_vm(None);
        let toast = crate::ui::widgets::wrapped_toast(&gettext_f(
            "Moving “{name}” to {place}…",
            &[("name", &name), ("place", &display_name(&to))],
        ));
        toast.set_timeout(0);
        widgets.toasts.add_toast(toast.clone());
        self.moving_toast = Some(toast);
        sender.oneshot_command(async move {
            // The copy runs as a long job of the old connection (a thread of its own, so
            // neither connection stops answering), with the other connection handed in.
            let result = match dst.call(|c| Ok(c.clone())).await {
                Ok(dst) => {
                    let u = uuid.clone();
                    src.call_long(
                        |_| Ok(()),
                        move |src, ()| crate::backend::move_machine::move_machine(src, &dst, &u),
                    )
                    .await
                }
                Err(e) => Err(e),
            };
            AppCmd::Moved {
                to,
                uuid,
                name,
                result,
            }
        });
    }

    /// The move's answer: where it is now (shown there), or why not (nothing removed).
    pub(super) fn moved(
        &mut self,
        widgets: &AppWidgets,
        to: String,
        uuid: String,
        name: String,
        result: Result<crate::backend::move_machine::Moved, BackendError>,
    ) {
        if let Some(t) = self.moving_toast.take() {
            t.dismiss();
        }
        match result {
            Ok(m) => {
                log::info!(
                    "moved {} to {to}: {} bytes, sha256 {:?}",
                    m.name,
                    m.bytes,
                    m.sums
                );
                let done = gettext_f(
                    "“{name}” is now in {place}; its disks were copied and checked.",
                    &[("name", &name), ("place", &display_name(&to))],
                );
                if m.networks_left.is_empty() {
                    let toast = crate::ui::widgets::wrapped_toast(&done);
                    toast.set_priority(adw::ToastPriority::High);
                    widgets.toasts.add_toast(toast);
                } else {
                    // A user session has no virtual networks: a card on one could not start
                    // there, so it now uses qemu's own private network. Too long for a
                    // toast (one line), and worth reading: a dialog.
                    let networks = m
                        .networks_left
                        .iter()
                        .map(|n| format!("“{n}”"))
                        .collect::<Vec<_>>()
                        .join(", ");
                    let dialog = adw::AlertDialog::new(
                        Some(&done),
                        Some(&gettext_f(
                            // Translators: {networks} is one or more network names, quoted.
                            "{place} has no network {networks}, so its network card now uses a private network of its own: the machine reaches the internet, but other computers cannot reach it.",
                            &[("place", &display_name(&to)), ("networks", &networks)],
                        )),
                    );
                    dialog.add_response("ok", &gettext("OK"));
                    dialog.present(Some(&widgets.window));
                }
                self.list
                    .emit(crate::ui::vm_list::VmListMsg::Select(to, uuid));
            }
            Err(e) => self.toast_error(widgets, crate::errors::move_error(&name, &e)),
        }
    }
}
