//! A clone started from a machine's Hardware tab: the plan on the connection's thread, the
//! copy of the disks (minutes) on a thread of its own ([`crate::backend::Connection::call_long`]), its
//! progress heard by the tab, stopped by its Cancel button, and its end said in a toast.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use gettextrs::gettext;
use relm4::{Component, ComponentSender};

use crate::backend::{clone, BackendError, ErrorKind};
use crate::errors::UserMessage;
use crate::i18n::gettext_f;
use crate::ui::machine_target::Machine;

/// A clone under way.
#[derive(Debug)]
pub struct CloneJob {
    /// The machine being copied.
    pub source: String,
    cancel: Arc<AtomicBool>,
}

impl CloneJob {
    /// Clones `machine` as `name`. `progress(done, total)` hears the bytes copied (on the
    /// copy's thread: it must only hand them on); the end comes back to the screen as the
    /// command `answer(result)` with the new machine's UUID.
    pub fn start<C, P, A>(
        sender: &ComponentSender<C>,
        machine: &Machine,
        name: String,
        progress: P,
        answer: A,
    ) -> CloneJob
    where
        C: Component,
        C::CommandOutput: Send + 'static,
        P: Fn(u64, u64) + Send + Sync + 'static,
        A: FnOnce(Result<String, BackendError>) -> C::CommandOutput + Send + 'static,
    {
        let cancel = Arc::new(AtomicBool::new(false));
        let (uuid, stop) = (machine.uuid.clone(), cancel.clone());
        let progress: clone::Progress = Arc::new(progress);
        let n = name.clone();
        let job = machine.connection.call_long(
            move |c| clone::prepare(c, &uuid, &n),
            move |c, plan| clone::copy(c, &name, plan, &stop, &progress),
        );
        sender.oneshot_command(async move { answer(job.await) });
        CloneJob {
            source: machine.uuid.clone(),
            cancel,
        }
    }

    /// Asks the copy to stop; what it made so far is removed.
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::SeqCst);
    }
}

/// What a clone that did not end well says.
pub fn failure(source_name: &str, error: &BackendError) -> UserMessage {
    let cancelled = error.kind == ErrorKind::Cancelled;
    // (A stop that left a copy behind is not "nothing kept": the details name it.)
    UserMessage {
        title: if cancelled {
            gettext("Copy stopped: nothing of it was kept.")
        } else {
            gettext_f("Could not clone “{name}”", &[("name", source_name)])
        },
        advice: gettext(
            "Disks outside a storage pool cannot be copied by libvirt, and the machine must be shut off. The details say more.",
        ),
        details: error.raw.clone(),
    }
}
