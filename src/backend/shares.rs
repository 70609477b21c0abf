//! A machine's shared folders (virtiofs) against libvirt: what is shared and what stands in
//! the way, sharing and unsharing (in the definition, and at once where the running
//! machine's memory is already shared), and "Start without the shared folders". Plain
//! functions over a connection, asked by the Shared folders panel through
//! [`super::Connection::call`]; the XML work is in [`super::shared_folders`].

use virt::connect::Connect;
use virt::domain::Domain;
use virt::sys;

use super::definition::{self, Saved};
use super::error::{BackendError, ErrorKind};
use super::shared_folders::{self, Gap, IdMap, Share};

/// A machine's shared folders and what stands in their way.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SharesInfo {
    pub shares: Vec<Share>,
    /// Shared memory in the definition (needed for virtiofs).
    pub shared_memory: bool,
    /// The machine runs without shared memory: shares wait for the next start.
    pub pending_restart: bool,
    pub gaps: Vec<Gap>,
    /// Shares set aside so that the machine could start ("Start without the shared
    /// folders"), kept to be shared again.
    pub set_aside: Vec<Share>,
    /// The machine's first IPv4 address from the DHCP leases (for the scp fallback).
    pub address: Option<String>,
}

/// Whether `conn` is on this computer, and whether it is a user session.
pub fn local_session(conn: &Connect) -> (bool, bool) {
    conn.uri()
        .map(|u| super::uri::local_and_session(&u))
        .unwrap_or((false, false))
}

/// On a local user session: the ID map an unprivileged virtiofsd needs, or what stops it
/// (checked for real each time: ranges, newuidmap, a user namespace). None elsewhere.
fn session_idmap(conn: &Connect) -> Option<Result<IdMap, Vec<Gap>>> {
    match local_session(conn) {
        (true, true) => Some(shared_folders::session_idmap()),
        _ => None,
    }
}

fn domain(conn: &Connect, uuid: &str) -> Result<Domain, BackendError> {
    conn.lookup_domain_by_uuid_string(uuid)
        .map_err(|e| BackendError::from_read(&e))
}

/// Machine `uuid`'s shares and what this host can do.
pub fn info(conn: &Connect, uuid: &str) -> Result<SharesInfo, BackendError> {
    let read = |e: virt::error::Error| BackendError::from_read(&e);
    let dom = domain(conn, uuid)?;
    let persistent = dom.xml_desc(sys::VIR_DOMAIN_XML_INACTIVE).map_err(read)?;
    let live = dom.xml_desc(0).map_err(read)?;
    let running = dom.is_active().map_err(read)?;
    let virttype = roxmltree::Document::parse(&persistent)
        .ok()
        .and_then(|d| d.root_element().attribute("type").map(str::to_string));
    // What the hypervisor offers; without an answer, nothing is offered (said as gaps).
    let caps = conn
        .domain_capabilities(None, None, None, virttype.as_deref(), 0)
        .unwrap_or_else(|e| {
            log::debug!("no domain capabilities ({e}): sharing is not offered");
            String::new()
        });
    let version = conn.lib_version().map_err(read)?;
    let (local, session) = local_session(conn);
    let address = running
        .then(|| {
            dom.interface_addresses(sys::VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_LEASE, 0)
                .ok()
        })
        .flatten()
        .and_then(|ifaces| {
            ifaces
                .into_iter()
                .flat_map(|i| i.addrs)
                .find(|a| a.typed == 0)
                .map(|a| a.addr)
        });
    let mut gaps = shared_folders::gaps(&caps, version, session, local);
    if gaps.is_empty() {
        if let Some(Err(more)) = session_idmap(conn) {
            gaps.extend(more);
        }
    }
    Ok(SharesInfo {
        shares: shared_folders::shares(&persistent),
        shared_memory: shared_folders::has_shared_memory(&persistent),
        pending_restart: running && !shared_folders::has_shared_memory(&live),
        gaps,
        set_aside: shared_folders::set_aside_shares(&persistent),
        address,
    })
}

/// Adds or removes a share on the running machine too, when its memory is shared.
/// Returns whether the running machine has the change now.
fn live_share(
    dom: &Domain,
    share: &Share,
    add: bool,
    idmap: Option<&IdMap>,
) -> Result<bool, BackendError> {
    if !dom.is_active().unwrap_or(false) {
        return Ok(false);
    }
    let live = dom.xml_desc(0).map_err(|e| BackendError::from_read(&e))?;
    if !shared_folders::has_shared_memory(&live) {
        return Ok(false);
    }
    let xml = shared_folders::filesystem_xml(share, idmap);
    let res = if add {
        dom.attach_device_flags(&xml, sys::VIR_DOMAIN_AFFECT_LIVE)
    } else {
        dom.detach_device_flags(&xml, sys::VIR_DOMAIN_AFFECT_LIVE)
    };
    res.map(|()| true).map_err(|e| BackendError::from_op(&e))
}

/// Shares a folder: in the definition (with the shared memory it needs), and at once where
/// the running machine's memory is already shared. On a session where virtiofs cannot run
/// as the user nothing is saved: such a share would stop the machine from starting.
pub fn add(conn: &Connect, uuid: &str, share: &Share) -> Result<Saved, BackendError> {
    let idmap = match session_idmap(conn) {
        None => None,
        Some(Ok(map)) => Some(map),
        Some(Err(gaps)) => {
            return Err(BackendError::new(
                ErrorKind::Unsupported,
                format!("virtiofs cannot run as this user here: {gaps:?}"),
            ))
        }
    };
    let mut saved = definition::edit(conn, uuid, |xml| {
        shared_folders::add_share(xml, share, idmap.as_ref())
    })?;
    if saved.pending_restart {
        let dom = domain(conn, uuid)?;
        // Hot-added when the running machine's memory is already shared.
        saved.pending_restart = !live_share(&dom, share, true, idmap.as_ref())?;
    }
    Ok(saved)
}

/// Stops sharing `tag` (an active share, or one set aside); the folder's files stay.
pub fn remove(conn: &Connect, uuid: &str, tag: &str) -> Result<Saved, BackendError> {
    let dom = domain(conn, uuid)?;
    let live = dom
        .xml_desc(0)
        .map(|x| shared_folders::shares(&x))
        .map_err(|e| BackendError::from_read(&e))?
        .into_iter()
        .find(|s| s.tag == tag);
    let saved = definition::edit(conn, uuid, |xml| {
        shared_folders::remove_share(xml, tag, true)
    })?;
    if let Some(share) = live {
        live_share(&dom, &share, false, None)?;
    }
    Ok(saved)
}

/// "Start without the shared folders": sets every share aside (kept in Bilik's metadata,
/// offered again in the panel), then starts the machine.
pub fn start_without(conn: &Connect, uuid: &str) -> Result<(), BackendError> {
    definition::edit(conn, uuid, shared_folders::set_aside_all)?;
    let dom = domain(conn, uuid)?;
    super::lifecycle::run(&dom, super::types::LifecycleAction::Start)
}
