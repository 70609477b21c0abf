//! Storage pools and volumes: listing (with which machines use each volume), creating pools
//! of the types this host supports, start / stop / autostart / delete, and volumes: create,
//! grow, delete. Anything in use by a machine is refused with the machine's name.
//!
//! Stopping a pool ("pool-destroy") never touches its files: for a folder it only stops
//! libvirt from managing it, for NFS it unmounts.

use std::collections::HashMap;
use std::ffi::CStr;

use virt::connect::Connect;
use virt::storage_pool::StoragePool;
use virt::storage_vol::StorageVol;
use virt::sys;

use super::error::{BackendError, ErrorKind};
use super::xml_edit::escape_attr;

/// One pool as shown on the Storage page.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PoolInfo {
    pub name: String,
    /// libvirt's pool type: dir, netfs, logical, iscsi, disk, fs…
    pub kind: String,
    pub active: bool,
    pub autostart: bool,
    pub persistent: bool,
    pub capacity: u64,
    pub allocation: u64,
    pub available: u64,
    /// The folder (dir, netfs: the mount point) or device path.
    pub target: String,
    /// NFS server and export, for netfs.
    pub source_host: String,
    pub source_dir: String,
}

/// One volume of a pool.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct VolumeInfo {
    pub name: String,
    pub path: String,
    pub format: String,
    pub capacity: u64,
    pub allocation: u64,
    /// Names of the machines whose definition uses this volume.
    pub used_by: Vec<String>,
}

/// A pool to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PoolSpec {
    /// A folder on this computer (created if missing).
    Dir { path: String },
    /// An NFS export mounted by libvirt at `mount`.
    Netfs {
        host: String,
        export: String,
        mount: String,
    },
    /// An existing LVM volume group.
    Logical { vg: String },
    /// An iSCSI target; volumes are its LUNs.
    Iscsi { host: String, iqn: String },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PoolAction {
    Start,
    Stop,
    Autostart(bool),
    /// Remove the pool; `delete_folder` also removes its (empty) folder.
    Delete {
        delete_folder: bool,
    },
}

/// Why a storage request was refused before libvirt was asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StorageProblem {
    BadName(super::new_vm::NameProblem),
    PathNotAbsolute,
    /// The path exists and is not a folder (a file, a socket, a device).
    PathNotFolder,
    MissingHost,
    BadHost(char),
    ExportNotAbsolute,
    MissingField,
    ZeroSize,
    /// Larger than the pool's free space (bytes free).
    TooBig(u64),
    /// Smaller than now: shrinking would cut off data (current size in bytes).
    Shrink(u64),
    /// Machines use it (their names).
    InUse(Vec<String>),
    /// In use by running machines: shut them down first (their names).
    InUseRunning(Vec<String>),
}

/// Checks a pool name (the same rules as machine names; it names folders and commands).
pub fn check_pool_name(name: &str, existing: &[String]) -> Result<(), StorageProblem> {
    super::new_vm::check_name(name, existing).map_err(StorageProblem::BadName)
}

/// Checks what a new pool needs, field by field (the first problem).
pub fn check_pool_spec(spec: &PoolSpec) -> Result<(), StorageProblem> {
    let abs = |p: &str| p.starts_with('/');
    match spec {
        PoolSpec::Dir { path } => {
            if !abs(path) {
                return Err(StorageProblem::PathNotAbsolute);
            }
            if not_a_folder(path) {
                return Err(StorageProblem::PathNotFolder);
            }
        }
        PoolSpec::Netfs {
            host,
            export,
            mount,
        } => {
            check_host(host)?;
            if !abs(export) {
                return Err(StorageProblem::ExportNotAbsolute);
            }
            if !abs(mount) {
                return Err(StorageProblem::PathNotAbsolute);
            }
            if not_a_folder(mount) {
                return Err(StorageProblem::PathNotFolder);
            }
        }
        PoolSpec::Logical { vg } => {
            if vg.trim().is_empty() {
                return Err(StorageProblem::MissingField);
            }
        }
        PoolSpec::Iscsi { host, iqn } => {
            check_host(host)?;
            if iqn.trim().is_empty() {
                return Err(StorageProblem::MissingField);
            }
        }
    }
    Ok(())
}

/// Whether `path` exists as something other than a folder (a file, a socket, a device):
/// libvirt could not keep disk images there.
fn not_a_folder(path: &str) -> bool {
    let p = std::path::Path::new(path);
    p.exists() && !p.is_dir()
}

fn check_host(host: &str) -> Result<(), StorageProblem> {
    if host.trim().is_empty() {
        return Err(StorageProblem::MissingHost);
    }
    match host
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']')))
    {
        Some(c) => Err(StorageProblem::BadHost(c)),
        None => Ok(()),
    }
}

/// The pool XML for `spec` (every value escaped).
pub fn pool_xml(name: &str, spec: &PoolSpec) -> String {
    let n = escape_attr(name);
    match spec {
        PoolSpec::Dir { path } => format!(
            "<pool type='dir'><name>{n}</name><target><path>{}</path></target></pool>",
            escape_attr(path)
        ),
        PoolSpec::Netfs {
            host,
            export,
            mount,
        } => format!(
            "<pool type='netfs'><name>{n}</name><source><host name='{}'/><dir path='{}'/><format type='nfs'/></source><target><path>{}</path></target></pool>",
            escape_attr(host),
            escape_attr(export),
            escape_attr(mount)
        ),
        PoolSpec::Logical { vg } => format!(
            "<pool type='logical'><name>{n}</name><source><name>{}</name><format type='lvm2'/></source><target><path>/dev/{}</path></target></pool>",
            escape_attr(vg),
            escape_attr(vg)
        ),
        PoolSpec::Iscsi { host, iqn } => format!(
            "<pool type='iscsi'><name>{n}</name><source><host name='{}'/><device path='{}'/></source><target><path>/dev/disk/by-path</path></target></pool>",
            escape_attr(host),
            escape_attr(iqn)
        ),
    }
}

/// The volume XML: a qcow2 or raw file of `capacity` bytes.
pub fn volume_xml(name: &str, format: &str, capacity: u64) -> String {
    format!(
        "<volume><name>{}</name><capacity unit='bytes'>{capacity}</capacity><target><format type='{}'/></target></volume>",
        escape_attr(name),
        escape_attr(format)
    )
}

/// Pool types libvirt can handle on this host (from its storage pool capabilities).
fn supported_types(conn: &virt::connect::Connect) -> Vec<String> {
    // SAFETY: a valid connection pointer; the returned string is ours to free.
    let xml = unsafe {
        let p = sys::virConnectGetStoragePoolCapabilities(conn.as_ptr(), 0);
        if p.is_null() {
            return vec!["dir".into(), "netfs".into()];
        }
        let s = CStr::from_ptr(p).to_string_lossy().into_owned();
        libc::free(p as *mut libc::c_void);
        s
    };
    let Ok(doc) = roxmltree::Document::parse(&xml) else {
        return vec!["dir".into()];
    };
    doc.descendants()
        .filter(|n| n.has_tag_name("pool") && n.attribute("supported") == Some("yes"))
        .filter_map(|n| n.attribute("type").map(str::to_string))
        .collect()
}

fn text_at(doc: &roxmltree::Document, path: &[&str], attr: Option<&str>) -> String {
    let mut node = doc.root_element();
    for step in path {
        match node.children().find(|c| c.has_tag_name(*step)) {
            Some(c) => node = c,
            None => return String::new(),
        }
    }
    match attr {
        Some(a) => node.attribute(a).unwrap_or_default().to_string(),
        None => node.text().unwrap_or_default().trim().to_string(),
    }
}

fn pool_info(pool: &StoragePool) -> Option<PoolInfo> {
    let name = pool.name().ok()?;
    let xml = pool.xml_desc(0).unwrap_or_default();
    let doc = roxmltree::Document::parse(&xml).ok();
    let (kind, target, host, dir) = match &doc {
        Some(d) => (
            d.root_element()
                .attribute("type")
                .unwrap_or_default()
                .to_string(),
            text_at(d, &["target", "path"], None),
            text_at(d, &["source", "host"], Some("name")),
            text_at(d, &["source", "dir"], Some("path")),
        ),
        None => Default::default(),
    };
    let active = pool.is_active().unwrap_or(false);
    let info = pool.info().ok();
    Some(PoolInfo {
        name,
        kind,
        active,
        autostart: pool.autostart().unwrap_or(false),
        persistent: pool.is_persistent().unwrap_or(true),
        capacity: info.as_ref().map_or(0, |i| i.capacity),
        allocation: info.as_ref().map_or(0, |i| i.allocation),
        available: info.as_ref().map_or(0, |i| i.available),
        target,
        source_host: host,
        source_dir: dir,
    })
}

/// Every disk path of every machine, with the machine's name and whether it runs.
fn disk_users(conn: &virt::connect::Connect) -> HashMap<String, Vec<(String, bool)>> {
    let mut map: HashMap<String, Vec<(String, bool)>> = HashMap::new();
    let Ok(doms) = conn.list_all_domains(0) else {
        return map;
    };
    for d in doms {
        let (Ok(name), Ok(xml)) = (d.name(), d.xml_desc(sys::VIR_DOMAIN_XML_INACTIVE)) else {
            continue;
        };
        let running = d.is_active().unwrap_or(false);
        for disk in super::types::disks_from_xml(&xml) {
            map.entry(disk.path)
                .or_default()
                .push((name.clone(), running));
        }
    }
    map
}

fn names(users: &[(String, bool)]) -> Vec<String> {
    let mut v: Vec<String> = users.iter().map(|(n, _)| n.clone()).collect();
    v.sort();
    v.dedup();
    v
}

/// Why an action on `pool` failed, from facts (libvirt's message is translated): a folder
/// that still holds files, a network share that did not mount.
fn pool_obstacle(pool: &StoragePool, action: &PoolAction, local: bool) -> Option<ErrorKind> {
    let xml = pool.xml_desc(0).ok()?;
    let doc = roxmltree::Document::parse(&xml).ok()?;
    let kind = doc.root_element().attribute("type").unwrap_or_default();
    match action {
        PoolAction::Delete { .. } if local => {
            let path = doc
                .descendants()
                .find(|n| n.has_tag_name("target"))
                .and_then(|t| t.children().find(|c| c.has_tag_name("path")))
                .and_then(|p| p.text())?;
            let has_files = std::fs::read_dir(path).is_ok_and(|mut d| d.next().is_some());
            has_files.then_some(ErrorKind::PoolFolderNotEmpty)
        }
        PoolAction::Start if kind == "netfs" => Some(ErrorKind::PoolMountFailed),
        _ => None,
    }
}

fn storage_err(e: &virt::error::Error) -> StorageError {
    StorageError::Libvirt(BackendError::from_op(e))
}

/// The storage pools and the pool types this host supports.
#[derive(Debug, Clone, PartialEq)]
pub struct PoolsOverview {
    pub pools: Vec<PoolInfo>,
    /// Pool types libvirt supports on this host.
    pub supported: Vec<String>,
}

/// The connection's storage pools.
pub fn pools(conn: &Connect) -> Result<PoolsOverview, BackendError> {
    let supported = supported_types(conn);
    let mut pools: Vec<PoolInfo> = conn
        .list_all_storage_pools(0)
        .map_err(|e| BackendError::from_read(&e))?
        .iter()
        .filter_map(pool_info)
        .collect();
    pools.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(PoolsOverview { pools, supported })
}

/// The volumes of pool `pool_name` (none while it is stopped), with the machines using them.
pub fn volumes(conn: &Connect, pool_name: &str) -> Result<Vec<VolumeInfo>, BackendError> {
    let read = |e: virt::error::Error| BackendError::from_read(&e);
    let pool = conn.lookup_storage_pool_by_name(pool_name).map_err(read)?;
    let vols = if pool.is_active().map_err(read)? {
        // Files may have been added or removed behind libvirt's back; a failed refresh
        // still leaves the last known list, which is worth showing.
        if let Err(e) = pool.refresh(0) {
            log::debug!("refreshing pool {pool_name} failed ({e}); the last known list");
        }
        pool.list_all_volumes(0).map_err(read)?
    } else {
        Vec::new()
    };
    let users = disk_users(conn);
    let mut list: Vec<VolumeInfo> = vols
        .iter()
        .filter_map(|v| {
            let name = v.name().ok()?;
            let path = v.path().unwrap_or_default();
            let info = v.info().ok();
            let format = v
                .xml_desc(0)
                .ok()
                .and_then(|x| {
                    let d = roxmltree::Document::parse(&x).ok()?;
                    Some(text_at(&d, &["target", "format"], Some("type")))
                })
                .unwrap_or_default();
            Some(VolumeInfo {
                used_by: users.get(&path).map(|u| names(u)).unwrap_or_default(),
                name,
                path,
                format,
                capacity: info.as_ref().map_or(0, |i| i.capacity),
                allocation: info.as_ref().map_or(0, |i| i.allocation),
            })
        })
        .collect();
    list.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(list)
}

/// Creates a pool (a one-off one, or defined, started and maybe started with the
/// computer); bad input is refused before libvirt is asked, and a pool that does not
/// start is removed again.
pub fn create_pool(
    conn: &Connect,
    name: &str,
    spec: &PoolSpec,
    persistent: bool,
    autostart: bool,
) -> Result<(), StorageError> {
    let existing: Vec<String> = conn
        .list_all_storage_pools(0)
        .map(|p| p.iter().filter_map(|p| p.name().ok()).collect())
        .unwrap_or_default();
    check_pool_name(name, &existing).map_err(StorageError::Refused)?;
    check_pool_spec(spec).map_err(StorageError::Refused)?;
    let xml = pool_xml(name, spec);
    // Folder-like pools get their folder made (with the permissions libvirt wants).
    let buildable = matches!(spec, PoolSpec::Dir { .. } | PoolSpec::Netfs { .. });
    if !persistent {
        // A one-off pool: exists until stopped or the host restarts.
        let flags = if buildable {
            sys::VIR_STORAGE_POOL_CREATE_WITH_BUILD
        } else {
            0
        };
        conn.create_storage_pool_xml(&xml, flags)
            .map_err(|e| storage_err(&e))?;
        return Ok(());
    }
    let pool = conn
        .define_storage_pool_xml(&xml, 0)
        .map_err(|e| storage_err(&e))?;
    let started = (|| {
        if buildable {
            pool.build(0)?;
        }
        pool.create(0)?;
        if autostart {
            pool.set_autostart(true)?;
        }
        Ok::<_, virt::error::Error>(())
    })();
    if let Err(e) = started {
        // Nothing half-made stays: stop, remove a folder we made if still empty, undefine.
        let mut err = storage_err(&e);
        if let StorageError::Libvirt(error) = &mut err {
            if error.kind == ErrorKind::Other {
                if let Some(kind) = pool_obstacle(&pool, &PoolAction::Start, true) {
                    error.kind = kind;
                }
            }
        }
        super::error::ignored("stopping the pool that did not start", pool.destroy());
        if buildable {
            super::error::ignored("removing its new folder", pool.delete(0));
        }
        super::error::ignored("removing the pool that did not start", pool.undefine());
        return Err(err);
    }
    Ok(())
}

/// Starts, stops, deletes a pool or sets its autostart; deleting one whose volumes a
/// machine uses is refused, naming it.
pub fn pool_action(conn: &Connect, name: &str, action: &PoolAction) -> Result<(), StorageError> {
    let pool = conn
        .lookup_storage_pool_by_name(name)
        .map_err(|e| storage_err(&e))?;
    let r = match action {
        PoolAction::Start => pool.create(0),
        PoolAction::Stop => pool.destroy(),
        PoolAction::Autostart(on) => pool.set_autostart(*on).map(|_| ()),
        PoolAction::Delete { delete_folder } => {
            let users = pool_users(conn, &pool);
            if !users.is_empty() {
                return Err(StorageError::Refused(StorageProblem::InUse(users)));
            }
            let was_active = pool.is_active().unwrap_or(false);
            let persistent = pool.is_persistent().unwrap_or(true);
            (|| {
                if was_active {
                    pool.destroy()?;
                }
                if *delete_folder && persistent {
                    // libvirt removes the folder only when it is empty; if it refuses,
                    // the pool is put back as it was.
                    if let Err(e) = pool.delete(0) {
                        if was_active {
                            super::error::ignored(
                                "starting the pool again after a refused delete",
                                pool.create(0),
                            );
                        }
                        return Err(e);
                    }
                }
                if persistent {
                    pool.undefine()?;
                }
                Ok(())
            })()
        }
    };
    r.map_err(|e| {
        let mut err = storage_err(&e);
        if let StorageError::Libvirt(error) = &mut err {
            if error.kind == ErrorKind::Other {
                let local = conn
                    .uri()
                    .ok()
                    .and_then(|u| super::uri::parse(&u).ok())
                    .is_some_and(|u| u.is_local());
                if let Some(kind) = pool_obstacle(&pool, action, local) {
                    error.kind = kind;
                }
            }
        }
        err
    })
}

/// Machines using any volume of `pool` (by path under its folder or volume paths).
fn pool_users(conn: &Connect, pool: &StoragePool) -> Vec<String> {
    let users = disk_users(conn);
    let target = pool
        .xml_desc(0)
        .ok()
        .and_then(|x| {
            let d = roxmltree::Document::parse(&x).ok()?;
            Some(text_at(&d, &["target", "path"], None))
        })
        .unwrap_or_default();
    let pool_name = pool.name().unwrap_or_default();
    let mut out: Vec<String> = users
        .iter()
        .filter(|(path, _)| {
            (!target.is_empty() && path.starts_with(&format!("{}/", target.trim_end_matches('/'))))
                || path.starts_with(&format!("{pool_name}/"))
        })
        .flat_map(|(_, u)| names(u))
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Creates a volume in `pool`; a taken name, no size or too big a size are refused.
pub fn create_volume(
    conn: &Connect,
    pool: &str,
    name: &str,
    format: &str,
    capacity: u64,
) -> Result<(), StorageError> {
    {
        let p = conn
            .lookup_storage_pool_by_name(pool)
            .map_err(|e| storage_err(&e))?;
        let existing = p.list_volumes().unwrap_or_default();
        super::new_vm::check_name(name, &existing)
            .map_err(|e| StorageError::Refused(StorageProblem::BadName(e)))?;
        if capacity == 0 {
            return Err(StorageError::Refused(StorageProblem::ZeroSize));
        }
        let available = p.info().map(|i| i.available).unwrap_or(u64::MAX);
        if capacity > available {
            return Err(StorageError::Refused(StorageProblem::TooBig(available)));
        }
        virt::storage_vol::StorageVol::create_xml(&p, &volume_xml(name, format, capacity), 0)
            .map_err(|e| storage_err(&e))?;
        Ok(())
    }
}

fn volume(conn: &Connect, pool: &str, name: &str) -> Result<StorageVol, StorageError> {
    conn.lookup_storage_pool_by_name(pool)
        .and_then(|p| p.lookup_storage_vol_by_name(name))
        .map_err(|e| storage_err(&e))
}

/// Grows a volume (never shrinks it; not while a running machine uses it).
pub fn resize_volume(
    conn: &Connect,
    pool: &str,
    name: &str,
    capacity: u64,
) -> Result<(), StorageError> {
    {
        let vol = volume(conn, pool, name)?;
        let info = vol.info().map_err(|e| storage_err(&e))?;
        if capacity < info.capacity {
            return Err(StorageError::Refused(StorageProblem::Shrink(info.capacity)));
        }
        let path = vol.path().unwrap_or_default();
        let users = disk_users(conn);
        if let Some(u) = users.get(&path) {
            let running: Vec<String> = u
                .iter()
                .filter(|(_, r)| *r)
                .map(|(n, _)| n.clone())
                .collect();
            if !running.is_empty() {
                return Err(StorageError::Refused(StorageProblem::InUseRunning(running)));
            }
        }
        // Only the growth must fit: the file is sparse.
        let p = conn
            .lookup_storage_pool_by_name(pool)
            .map_err(|e| storage_err(&e))?;
        let available = p.info().map(|i| i.available).unwrap_or(u64::MAX);
        if capacity - info.capacity > available {
            return Err(StorageError::Refused(StorageProblem::TooBig(available)));
        }
        vol.resize(capacity, 0).map_err(|e| storage_err(&e))?;
        Ok(())
    }
}

/// Deletes a volume no machine uses (one in use is refused, naming the machines).
pub fn delete_volume(conn: &Connect, pool: &str, name: &str) -> Result<(), StorageError> {
    {
        let vol = volume(conn, pool, name)?;
        let path = vol.path().unwrap_or_default();
        if let Some(u) = disk_users(conn).get(&path) {
            return Err(StorageError::Refused(StorageProblem::InUse(names(u))));
        }
        vol.delete(0).map_err(|e| storage_err(&e))?;
        Ok(())
    }
}

/// A change to the connection's storage, as the Storage dialog makes it.
#[derive(Debug, Clone)]
pub enum Change {
    Pool {
        pool: String,
        action: PoolAction,
    },
    CreatePool {
        name: String,
        spec: PoolSpec,
        persistent: bool,
        autostart: bool,
    },
    CreateVolume {
        pool: String,
        name: String,
        format: String,
        capacity: u64,
    },
    ResizeVolume {
        pool: String,
        name: String,
        capacity: u64,
    },
    DeleteVolume {
        pool: String,
        name: String,
    },
}

impl Change {
    /// The pool it is about, and what it does when it works.
    pub fn outcome(&self) -> (String, StorageDone) {
        match self {
            Change::Pool {
                pool,
                action: PoolAction::Delete { .. },
            } => (pool.clone(), StorageDone::PoolDeleted),
            Change::Pool { pool, .. } => (pool.clone(), StorageDone::PoolChanged),
            Change::CreatePool { name, .. } => (name.clone(), StorageDone::PoolCreated),
            Change::CreateVolume { pool, .. } => (pool.clone(), StorageDone::VolumeCreated),
            Change::ResizeVolume { pool, .. } => (pool.clone(), StorageDone::VolumeResized),
            Change::DeleteVolume { pool, .. } => (pool.clone(), StorageDone::VolumeDeleted),
        }
    }
}

/// Makes `change` with its function above.
pub fn apply(conn: &Connect, change: Change) -> Result<(), StorageError> {
    match change {
        Change::Pool { pool, action } => pool_action(conn, &pool, &action),
        Change::CreatePool {
            name,
            spec,
            persistent,
            autostart,
        } => create_pool(conn, &name, &spec, persistent, autostart),
        Change::CreateVolume {
            pool,
            name,
            format,
            capacity,
        } => create_volume(conn, &pool, &name, &format, capacity),
        Change::ResizeVolume {
            pool,
            name,
            capacity,
        } => resize_volume(conn, &pool, &name, capacity),
        Change::DeleteVolume { pool, name } => delete_volume(conn, &pool, &name),
    }
}

/// What a storage request did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StorageDone {
    PoolCreated,
    PoolChanged,
    PoolDeleted,
    VolumeCreated,
    VolumeResized,
    VolumeDeleted,
}

/// Why a storage request did not go through: Bilik refused it (and says why), or libvirt
/// did.
#[derive(Debug, Clone)]
pub enum StorageError {
    Refused(StorageProblem),
    Libvirt(BackendError),
}

impl From<BackendError> for StorageError {
    fn from(e: BackendError) -> Self {
        StorageError::Libvirt(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_fields() {
        assert_eq!(
            check_pool_spec(&PoolSpec::Dir {
                path: "relative/dir".into()
            }),
            Err(StorageProblem::PathNotAbsolute)
        );
        assert_eq!(
            check_pool_spec(&PoolSpec::Dir {
                path: "/etc/hostname".into()
            }),
            Err(StorageProblem::PathNotFolder)
        );
        assert_eq!(
            check_pool_spec(&PoolSpec::Netfs {
                host: "nas home".into(),
                export: "/srv".into(),
                mount: "/mnt/x".into()
            }),
            Err(StorageProblem::BadHost(' '))
        );
        assert_eq!(
            check_pool_spec(&PoolSpec::Netfs {
                host: "nas".into(),
                export: "srv".into(),
                mount: "/mnt/x".into()
            }),
            Err(StorageProblem::ExportNotAbsolute)
        );
        assert!(check_pool_name("srv-kvm", &[]).is_ok());
        assert!(check_pool_name("srv kvm", &[]).is_err());
    }

    #[test]
    fn xml_is_escaped() {
        let x = pool_xml(
            "p",
            &PoolSpec::Dir {
                path: "/a'b&c".into(),
            },
        );
        assert!(x.contains("/a&apos;b&amp;c"));
        roxmltree::Document::parse(&x).unwrap();
        let v = volume_xml("d<1>", "qcow2", 5);
        roxmltree::Document::parse(&v).unwrap();
    }
}
