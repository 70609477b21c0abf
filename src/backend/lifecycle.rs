//! Lifecycle actions on a machine (start, shut down, restart, force off, pause, resume) as
//! plain functions over a domain, with failures sorted by facts: an action the machine's
//! state does not allow (it changed meanwhile) is `InvalidState` whatever words libvirt
//! used — some drivers report it as an internal error, and the words are translated.

use virt::connect::Connect;
use virt::domain::Domain;
use virt::sys;

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

fn domain(conn: &Connect, uuid: &str) -> Result<Domain, BackendError> {
    conn.lookup_domain_by_uuid_string(uuid)
        .map_err(|e| BackendError::from_op(&e))
}

/// Runs `action` on machine `uuid`. A start that fails is explained from the facts it
/// leaves (see [`super::start_problem`]).
pub fn act(conn: &Connect, uuid: &str, action: LifecycleAction) -> Result<(), BackendError> {
    if action == LifecycleAction::Delete {
        return delete(conn, uuid, &[]);
    }
    let dom = domain(conn, uuid)?;
    run(&dom, action).map_err(|err| {
        if action == LifecycleAction::Start {
            super::start_problem::explain(conn, &dom, err)
        } else {
            err
        }
    })
}

/// Machine `uuid`'s disks and discs (for the delete dialog, which lists them by name).
pub fn disks(conn: &Connect, uuid: &str) -> Result<Vec<super::DiskInfo>, BackendError> {
    let xml = domain(conn, uuid)?
        .xml_desc(0)
        .map_err(|e| BackendError::from_read(&e))?;
    Ok(super::types::disks_from_xml(&xml))
}

/// Deletes machine `uuid` (forced off first) with what belongs to it (snapshots' metadata,
/// a managed save, firmware variables, the TPM's state). Of its disk images only those
/// named in `delete_disks` go; a file that cannot be deleted is said, the others still go.
pub fn delete(conn: &Connect, uuid: &str, delete_disks: &[String]) -> Result<(), BackendError> {
    let op = |e: virt::error::Error| BackendError::from_op(&e);
    let dom = domain(conn, uuid)?;
    if dom.is_active().map_err(op)? {
        dom.destroy().map_err(op)?;
    }
    // An express install under way: its generated files (they hold a password) go too.
    super::error::ignored(
        "removing an express install's files",
        super::express::abandon(conn, uuid),
    );
    if dom.is_persistent().unwrap_or(true) {
        let full = sys::VIR_DOMAIN_UNDEFINE_MANAGED_SAVE
            | sys::VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA
            | sys::VIR_DOMAIN_UNDEFINE_CHECKPOINTS_METADATA
            | sys::VIR_DOMAIN_UNDEFINE_NVRAM
            | sys::VIR_DOMAIN_UNDEFINE_TPM;
        // Older drivers reject unknown flags: retry with the basic set.
        dom.undefine_flags(full)
            .or_else(|e| {
                log::debug!("undefine with every flag refused ({e}); the basic set");
                dom.undefine_flags(
                    sys::VIR_DOMAIN_UNDEFINE_MANAGED_SAVE
                        | sys::VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA,
                )
            })
            .map_err(op)?;
    }
    let mut failed: Option<BackendError> = None;
    for path in delete_disks {
        let res = conn
            .lookup_storage_vol_by_path(path)
            .map_err(|e| BackendError::new(ErrorKind::NotAVolume(path.clone()), e.message()))
            .and_then(|vol| vol.delete(0).map_err(|e| BackendError::from_op(&e)));
        if let Err(err) = res {
            // The first is said; every one is in its details.
            match &mut failed {
                None => failed = Some(err),
                Some(first) => {
                    first.raw.push('\n');
                    first.raw.push_str(&err.raw);
                }
            }
        }
    }
    failed.map_or(Ok(()), Err)
}
