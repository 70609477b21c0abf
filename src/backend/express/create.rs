//! Making a machine, with or without express install.

use super::{request, start, Job};

/// Creates the machine and, with express install, starts its installer with the answers
/// (on the connection's thread; libosinfo is loaded here). The wizard's and the command
/// line's one way to make a machine.
pub fn create_and_install(
    c: &virt::connect::Connect,
    spec: &super::super::new_vm::NewVm,
    express: Option<Job>,
) -> Result<super::super::new_vm::Created, super::super::new_vm::CreateError> {
    use super::super::new_vm::{CreateError, CreateStep};
    let fail = |step, raw: String| CreateError {
        step,
        error: super::super::BackendError::new(super::super::ErrorKind::Other, raw),
    };
    // The answer file first: a refusal leaves nothing behind.
    let request = match &express {
        Some(job) => Some(request(job).map_err(|raw| fail(CreateStep::Define, raw))?),
        None => None,
    };
    let mut created = super::super::new_vm::create(c, spec)?;
    if let Some(req) = request {
        super::super::new_vm::start_network(c, &spec.network);
        if let Err(error) = start(c, &created.uuid, &req) {
            // As any creation that fails: nothing of it is left (its new disk included;
            // the installer disc stays).
            let disks: Vec<String> = super::super::lifecycle::disks(c, &created.uuid)
                .map(|d| {
                    d.into_iter()
                        .filter(|d| !d.is_cdrom)
                        .map(|d| d.path)
                        .collect()
                })
                .unwrap_or_default();
            super::super::error::ignored(
                "removing the machine whose install did not start",
                super::super::lifecycle::delete(c, &created.uuid, &disks),
            );
            return Err(CreateError {
                step: CreateStep::Start,
                error,
            });
        }
        created.started = true;
    }
    Ok(created)
}
