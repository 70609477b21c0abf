//! Lifecycle actions on a machine (start, shut down, restart, force off, pause, resume) as
//! plain functions over a domain, with failures sorted by facts: an action the machine's
//! state does not allow (it changed meanwhile) is `InvalidState` whatever words libvirt
//! used — some drivers report it as an internal error, and the words are translated.

use virt::domain::Domain;

use super::error::{BackendError, ErrorKind};
use super::types::{LifecycleAction, VmState};

/// Runs `action` (not `Delete`, which has its own flow) on `dom`.
pub fn run(dom: &Domain, action: LifecycleAction) -> Result<(), BackendError> {
    let result = match action {
        LifecycleAction::Start => dom.create().map(drop),
        LifecycleAction::Shutdown => dom.shutdown().map(drop),
        LifecycleAction::Reboot => dom.reboot(0).map(drop),
        LifecycleAction::ForceOff => dom.destroy().map(drop),
        LifecycleAction::Pause => dom.suspend().map(drop),
        LifecycleAction::Resume => dom.resume().map(drop),
        LifecycleAction::Delete => {
            return Err(BackendError::new(
                ErrorKind::Unsupported,
                "delete is not a lifecycle call",
            ))
        }
    };
    result.map_err(|e| {
        let mut err = BackendError::from_op(&e);
        if err.kind == ErrorKind::Other {
            if let Ok(info) = dom.info() {
                if !action.allowed_in(VmState::from_raw(info.state.to_raw() as i32)) {
                    err.kind = ErrorKind::InvalidState;
                }
            }
        }
        err
    })
}
