//! What the window does with a machine as a whole — lifecycle actions, delete (with its
//! disk choice), "Start without the shared folders", opening a console — asked of the
//! connection as typed calls whose answers come back to the App as its own commands (no
//! reply is matched by hand, no request waits in a field).

use gettextrs::gettext;
use relm4::prelude::*;
use virt::connect::Connect;

use super::{App, AppCmd, AppMsg, AppWidgets};
use crate::backend::{lifecycle, BackendError, LifecycleAction};
use crate::errors;

impl App {
    /// Runs `f` on connection `uri`'s thread; `answer` turns its result into the App's
    /// command. With no such connection the answer is "not connected", at once.
    pub(super) fn ask<T, F, A>(&self, sender: &ComponentSender<Self>, uri: &str, f: F, answer: A)
    where
        T: Send + 'static,
        F: FnOnce(&Connect) -> Result<T, BackendError> + Send + 'static,
        A: FnOnce(Result<T, BackendError>) -> AppCmd + Send + 'static,
    {
        let conn = self.connection_for(uri);
        sender.oneshot_command(async move {
            match conn {
                Some(c) => answer(c.call(f).await),
                None => answer(Err(BackendError::not_connected())),
            }
        });
    }

    /// A lifecycle action (not Delete); its failure is said when it comes back.
    pub(super) fn act(
        &self,
        sender: &ComponentSender<Self>,
        uri: String,
        uuid: String,
        name: String,
        action: LifecycleAction,
    ) {
        let u = uuid.clone();
        self.ask(
            sender,
            &uri.clone(),
            move |c| lifecycle::act(c, &u, action),
            move |result| AppCmd::Acted {
                uri,
                uuid,
                name,
                action,
                result,
            },
        );
    }

    /// Delete, first step: the machine's disks, for the dialog that lists them.
    pub(super) fn ask_delete(
        &self,
        sender: &ComponentSender<Self>,
        uri: String,
        uuid: String,
        name: String,
    ) {
        let u = uuid.clone();
        self.ask(
            sender,
            &uri.clone(),
            move |c| lifecycle::disks(c, &u),
            move |disks| AppCmd::Disks {
                uri,
                uuid,
                name,
                disks,
            },
        );
    }

    /// Delete, confirmed: the machine and only the disk images picked by name.
    pub(super) fn delete(
        &self,
        sender: &ComponentSender<Self>,
        uri: String,
        uuid: String,
        delete_disks: Vec<String>,
    ) {
        let name = self.name_of(&uri, &uuid);
        let u = uuid.clone();
        self.ask(
            sender,
            &uri.clone(),
            move |c| lifecycle::delete(c, &u, &delete_disks),
            move |result| AppCmd::Acted {
                uri,
                uuid,
                name,
                action: LifecycleAction::Delete,
                result,
            },
        );
    }

    /// "Start without the shared folders" (offered when the shares stopped a start).
    pub(super) fn start_without_shares(
        &self,
        sender: &ComponentSender<Self>,
        uri: String,
        uuid: String,
    ) {
        let name = self.name_of(&uri, &uuid);
        let u = uuid.clone();
        self.ask(
            sender,
            &uri.clone(),
            move |c| crate::backend::shares::start_without(c, &u),
            move |result| AppCmd::Acted {
                uri,
                uuid,
                name,
                action: LifecycleAction::Start,
                result,
            },
        );
    }

    pub(super) fn name_of(&self, uri: &str, uuid: &str) -> String {
        self.conn(uri)
            .and_then(|c| c.model.store.get(uuid))
            .map(|v| v.name())
            .unwrap_or_else(|| uuid.to_string())
    }

    /// The machine's disks came: ask which to delete with it (none ticked).
    pub(super) fn disks_answered(
        &mut self,
        widgets: &AppWidgets,
        sender: &ComponentSender<Self>,
        uri: String,
        uuid: String,
        name: String,
        disks: Result<Vec<crate::backend::DiskInfo>, BackendError>,
    ) {
        let disks = match disks {
            Ok(d) => d,
            Err(e) => {
                return self.toast_error(
                    widgets,
                    errors::action_error(&name, LifecycleAction::Delete, &e),
                )
            }
        };
        let running = self
            .conn(&uri)
            .and_then(|c| c.model.store.get(&uuid))
            .is_some_and(|v| v.vm_state().is_active());
        let s = sender.clone();
        crate::ui::lifecycle::confirm_delete(
            &widgets.window,
            &name,
            running,
            &disks,
            move |chosen| s.input(AppMsg::ConfirmedDelete(uri.clone(), uuid.clone(), chosen)),
        );
    }

    /// An action's answer: success shows through libvirt's events; a failure is said. A
    /// machine that does not start is what the person waits on: the reason at once, in a
    /// dialog, with the way out where there is one.
    pub(super) fn acted(
        &mut self,
        widgets: &AppWidgets,
        sender: &ComponentSender<Self>,
        machine: super::Named,
        action: LifecycleAction,
        result: Result<(), BackendError>,
    ) {
        let super::Named { uri, uuid, name } = machine;
        let Err(error) = result else { return };
        let msg = errors::action_error(&name, action, &error);
        if action != LifecycleAction::Start {
            return self.toast_error(widgets, msg);
        }
        let shares = matches!(
            &error.kind,
            crate::backend::ErrorKind::StartProblem(p) if matches!(
                **p,
                crate::backend::start_problem::StartProblem::SharedFolders { .. }
            )
        );
        let s = sender.clone();
        let label = gettext("Start Without the Shared Folders");
        crate::ui::lifecycle::show_details_with(
            &widgets.window,
            &msg.title,
            &msg.advice,
            &msg.details,
            shares.then_some((label.as_str(), move || {
                s.input(AppMsg::StartWithoutShares(uri.clone(), uuid.clone()))
            })),
        );
    }
}
