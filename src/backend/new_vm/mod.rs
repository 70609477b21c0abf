//! Creating a machine: what the host offers ([`HostFacts`]), the proposal for an operating
//! system from osinfo-db ([`propose`]), the new machine's domain XML ([`domain_xml`], in
//! `domain_xml.rs`) and the creation steps, which leave nothing behind when one fails.

mod domain_xml;

pub use domain_xml::domain_xml;
use domain_xml::x;

use virt::connect::Connect;
use virt::sys;

use super::error::{BackendError, ErrorKind};
use super::osinfo::{self, OsDb};
use super::xml_edit::{escape_attr, XmlDoc};

/// What the wizard needs to know about the host and the connection.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HostFacts {
    /// Bytes.
    pub memory_total: u64,
    pub memory_free: u64,
    pub cpus: u32,
    pub pools: Vec<PoolSpace>,
    /// Names of the machines that exist (a new name must differ).
    pub names: Vec<String>,
    /// A user session (`qemu:///session`): no virtual networks of its own.
    pub session: bool,
    /// Hardware virtualisation (KVM) works for new machines.
    pub kvm: bool,
    pub efi: bool,
    pub secure_boot: bool,
    pub tpm: bool,
    /// The `default` network: None when missing, else whether it runs.
    pub default_network: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolSpace {
    pub name: String,
    pub path: String,
    pub active: bool,
    /// Bytes free (0 when the pool is not running).
    pub available: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiskBus {
    Virtio,
    Sata,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NicModel {
    Virtio,
    E1000e,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Video {
    Virtio,
    Qxl,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Firmware {
    Bios,
    Efi { secure_boot: bool, tpm: bool },
}

/// The devices chosen for the guest's drivers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hardware {
    pub disk_bus: DiskBus,
    pub nic: NicModel,
    pub video: Video,
    pub firmware: Firmware,
    /// Windows: clock in local time, Hyper-V enlightenments.
    pub windows: bool,
    /// The system requires UEFI (Windows 11); when the host cannot, creation is refused.
    pub efi_required: bool,
}

/// What Bilik proposes for an operating system on this host.
#[derive(Debug, Clone, PartialEq)]
pub struct Proposal {
    pub memory_mib: u64,
    pub vcpus: u32,
    pub disk_gib: u64,
    /// The system's own minimum, when osinfo-db knows it.
    pub min_memory_mib: Option<u64>,
    pub min_disk_gib: Option<u64>,
    pub hardware: Hardware,
    /// A short name to start from ("fedora40").
    pub name_base: String,
}

const MIB: u64 = 1024 * 1024;
const GIB: u64 = 1024 * MIB;

/// Defaults when osinfo-db has nothing: enough for a current Linux desktop installer.
const FALLBACK_MEMORY_MIB: u64 = 2048;
const FALLBACK_VCPUS: u32 = 2;
const FALLBACK_DISK_GIB: u64 = 20;

fn round_up(v: u64, step: u64) -> u64 {
    v.div_ceil(step) * step
}

/// Resources and devices for `os_id` (None: unknown system) on this host. Recommended
/// values come first; without them the minimum plus half again; memory never more than
/// half the host's, vCPUs never more than the host has.
pub fn propose(db: &OsDb, os_id: Option<&str>, host: &HostFacts) -> Proposal {
    let arch = osinfo::HOST_ARCH;
    let (min, rec) = os_id.map(|id| db.resources(id, arch)).unwrap_or_default();
    let min_mib = min.ram.map(|b| b.div_ceil(MIB));
    let mut memory_mib = rec
        .ram
        .map(|b| b.div_ceil(MIB))
        .or_else(|| min_mib.map(|m| round_up(m + m / 2, 256)))
        .unwrap_or(FALLBACK_MEMORY_MIB);
    if host.memory_total > 0 {
        let half = host.memory_total / MIB / 2 / 256 * 256;
        memory_mib = memory_mib.min(half.max(min_mib.unwrap_or(0)));
    }
    let mut vcpus = rec
        .n_cpus
        .or(min.n_cpus.map(|n| n.max(FALLBACK_VCPUS)))
        .unwrap_or(FALLBACK_VCPUS);
    if host.cpus > 0 {
        vcpus = vcpus.min(host.cpus);
    }
    let min_disk = min.storage.map(|b| b.div_ceil(GIB));
    let disk_gib = rec
        .storage
        .map(|b| b.div_ceil(GIB))
        .or_else(|| min_disk.map(|d| d + d / 4))
        .unwrap_or(FALLBACK_DISK_GIB);

    let (hardware, name_base) = match os_id {
        Some(id) => {
            let fw = db.firmware(id, arch);
            let firmware = if fw.efi_required {
                // Windows 11 also insists on Secure Boot and a TPM 2.0 chip.
                Firmware::Efi {
                    secure_boot: host.secure_boot,
                    tpm: host.tpm,
                }
            } else {
                // BIOS boots every system's installer, including those that also support
                // UEFI (virt-manager 4 would pick UEFI for those). UEFI guests fail under
                // nested KVM on some hosts ("emulation failure" in the firmware), which is
                // where many people first try virtual machines.
                Firmware::Bios
            };
            let virtio_disk = db.supports_any(id, &osinfo::device::VIRTIO_BLOCK);
            let virtio_net = db.supports_any(id, &osinfo::device::VIRTIO_NET);
            let virtio_gpu = db.supports_any(id, &osinfo::device::VIRTIO_GPU);
            let short = db.get(id).map(|e| e.short_id.clone()).unwrap_or_default();
            (
                Hardware {
                    disk_bus: if virtio_disk {
                        DiskBus::Virtio
                    } else {
                        DiskBus::Sata
                    },
                    nic: if virtio_net {
                        NicModel::Virtio
                    } else {
                        NicModel::E1000e
                    },
                    video: if virtio_gpu {
                        Video::Virtio
                    } else {
                        Video::Qxl
                    },
                    firmware,
                    windows: db.is_windows(id),
                    efi_required: fw.efi_required,
                },
                short,
            )
        }
        None => (
            Hardware {
                disk_bus: DiskBus::Sata,
                nic: NicModel::E1000e,
                video: Video::Qxl,
                firmware: Firmware::Bios,
                windows: false,
                efi_required: false,
            },
            String::new(),
        ),
    };
    Proposal {
        memory_mib,
        vcpus,
        disk_gib,
        min_memory_mib: min_mib,
        min_disk_gib: min_disk,
        hardware,
        name_base: sanitize_name(&name_base),
    }
}

/// What is wrong with a machine name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NameProblem {
    Empty,
    TooLong,
    BadCharacter(char),
    BadStart,
    Taken,
}

pub const MAX_NAME_LEN: usize = 64;

fn name_char_ok(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '-' | '_' | '.')
}

/// Names become file names (the disk) and command-line words: letters, digits, dot, dash
/// and underscore, not starting with a dot or dash, unique on the connection.
pub fn check_name(name: &str, existing: &[String]) -> Result<(), NameProblem> {
    if name.is_empty() {
        return Err(NameProblem::Empty);
    }
    if name.chars().count() > MAX_NAME_LEN {
        return Err(NameProblem::TooLong);
    }
    if let Some(c) = name.chars().find(|c| !name_char_ok(*c)) {
        return Err(NameProblem::BadCharacter(c));
    }
    if name.starts_with(['.', '-']) {
        return Err(NameProblem::BadStart);
    }
    if existing.iter().any(|n| n == name) {
        return Err(NameProblem::Taken);
    }
    Ok(())
}

fn sanitize_name(s: &str) -> String {
    let cleaned: String = s
        .chars()
        .map(|c| if name_char_ok(c) { c } else { '-' })
        .collect();
    cleaned
        .trim_start_matches(['.', '-'])
        .chars()
        .take(MAX_NAME_LEN - 4)
        .collect()
}

/// `base` ("fedora40"), or `base-2`, `base-3`… whichever is free.
pub fn suggest_name(base: &str, existing: &[String]) -> String {
    let base = match sanitize_name(base) {
        b if b.is_empty() => "machine".to_string(),
        b => b,
    };
    if check_name(&base, existing).is_ok() {
        return base;
    }
    (2..)
        .map(|n| format!("{base}-{n}"))
        .find(|n| check_name(n, existing).is_ok())
        .expect("some suffix is free")
}

/// Where the machine starts from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Install {
    /// Boot an installer disc (CD-ROM first, then the new disk).
    Iso(String),
    /// Use an existing disk image as the machine's disk.
    Import { path: String, format: String },
    /// No disc: boot from the network (PXE), then the disk.
    Network,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NetworkChoice {
    /// A libvirt virtual network (the `default` NAT network).
    Virtual(String),
    /// qemu's user-mode networking (session connections).
    User,
}

/// Everything the wizard decided.
#[derive(Debug, Clone, PartialEq)]
pub struct NewVm {
    pub name: String,
    pub os_id: Option<String>,
    pub memory_mib: u64,
    pub vcpus: u32,
    pub install: Install,
    /// A new qcow2 volume (pool, GiB); None when importing.
    pub disk: Option<(String, u64)>,
    pub hardware: Hardware,
    pub network: NetworkChoice,
    /// Start the machine once defined ("Customise before install" leaves it off).
    pub start: bool,
    /// Folders of this computer shared with the machine (virtiofs), before its first
    /// start.
    pub shares: Vec<super::shared_folders::Share>,
}

/// Why creating failed, and at which step (all steps before it were undone).
#[derive(Debug, Clone, PartialEq)]
pub enum CreateStep {
    Name,
    Pool,
    Volume,
    Define,
    Start,
}

/// Reads firmware / TPM support from domain capabilities XML.
fn parse_domcaps(xml: &str, facts: &mut HostFacts) {
    let Ok(doc) = roxmltree::Document::parse(xml) else {
        return;
    };
    let values = |parent: Option<roxmltree::Node>, name: &str| -> Vec<String> {
        parent
            .and_then(|p| {
                p.children()
                    .find(|c| c.has_tag_name("enum") && c.attribute("name") == Some(name))
            })
            .map(|e| {
                e.children()
                    .filter(|c| c.has_tag_name("value"))
                    .filter_map(|c| c.text().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    let root = doc.root_element();
    let os = root
        .children()
        .find(|c| c.has_tag_name("os") && c.attribute("supported") == Some("yes"));
    facts.efi = values(os, "firmware").iter().any(|v| v == "efi");
    let loader = os.and_then(|o| o.children().find(|c| c.has_tag_name("loader")));
    facts.secure_boot = facts.efi && values(loader, "secure").iter().any(|v| v == "yes");
    let tpm = root
        .children()
        .find(|c| c.has_tag_name("devices"))
        .and_then(|d| {
            d.children()
                .find(|c| c.has_tag_name("tpm") && c.attribute("supported") == Some("yes"))
        });
    facts.tpm = values(tpm, "backendModel").iter().any(|v| v == "emulator");
}

/// The folder of a missing `default` pool, as libvirt's packages set it up.
pub fn default_pool_dir(session: bool) -> std::path::PathBuf {
    if session {
        let data = std::env::var_os("XDG_DATA_HOME")
            .map(std::path::PathBuf::from)
            .or_else(|| {
                std::env::var_os("HOME").map(|h| std::path::PathBuf::from(h).join(".local/share"))
            })
            .unwrap_or_default();
        data.join("libvirt/images")
    } else {
        std::path::PathBuf::from("/var/lib/libvirt/images")
    }
}

fn is_session(conn: &Connect) -> bool {
    conn.uri()
        .ok()
        .and_then(|u| super::uri::parse(&u).ok())
        .is_some_and(|u| u.path == "/session")
}

/// Collects [`HostFacts`] for the wizard (what is unknown stays at its default).
pub fn host_facts(conn: &Connect) -> Result<HostFacts, BackendError> {
    let session = is_session(conn);
    let mut facts = HostFacts {
        session,
        ..HostFacts::default()
    };
    if let Ok(info) = conn.node_info() {
        facts.memory_total = info.memory * 1024;
        facts.cpus = info.cpus;
    }
    facts.memory_free = conn.free_memory().unwrap_or(0);
    if let Ok(doms) = conn.list_all_domains(0) {
        facts.names = doms.iter().filter_map(|d| d.name().ok()).collect();
    }
    if let Ok(pools) = conn.list_all_storage_pools(0) {
        for p in pools {
            let Ok(name) = p.name() else { continue };
            let active = p.is_active().unwrap_or(false);
            let path = p
                .xml_desc(0)
                .ok()
                .and_then(|x| pool_path(&x))
                .unwrap_or_default();
            let available = if active {
                p.info().map(|i| i.available).unwrap_or(0)
            } else {
                0
            };
            facts.pools.push(PoolSpace {
                name,
                path,
                active,
                available,
            });
        }
        facts.pools.sort_by(|a, b| {
            (b.name == "default")
                .cmp(&(a.name == "default"))
                .then(a.name.cmp(&b.name))
        });
    }
    let arch = osinfo::HOST_ARCH;
    match conn.domain_capabilities(None, Some(arch), Some("q35"), Some("kvm"), 0) {
        Ok(xml) => {
            facts.kvm = true;
            parse_domcaps(&xml, &mut facts);
        }
        Err(_) => {
            if let Ok(xml) = conn.domain_capabilities(None, Some(arch), Some("q35"), None, 0) {
                parse_domcaps(&xml, &mut facts);
            }
        }
    }
    if !session {
        facts.default_network = conn
            .lookup_network_by_name("default")
            .ok()
            .map(|n| n.is_active().unwrap_or(false));
    }
    Ok(facts)
}

/// A machine that was made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Created {
    pub uuid: String,
    /// It was started (its console opens next).
    pub started: bool,
    /// This computer's processor model could not be used; it got a generic one.
    pub generic_cpu: bool,
    /// Folders that could not be shared (the machine was made without them), with why.
    pub unshared: Vec<(String, BackendError)>,
}

/// Creating failed at `step`; nothing it made is left.
#[derive(Debug, Clone, PartialEq)]
pub struct CreateError {
    pub step: CreateStep,
    pub error: BackendError,
}

/// Creates the machine; on failure removes what it made and says at which step.
pub fn create(conn: &Connect, spec: &NewVm) -> Result<Created, CreateError> {
    // KVM when the host has it, else plain (slow) emulation.
    let kvm = conn
        .domain_capabilities(None, Some(osinfo::HOST_ARCH), Some("q35"), Some("kvm"), 0)
        .is_ok();
    let (uuid, unshared) =
        try_create(conn, spec, kvm).map_err(|(step, error)| CreateError { step, error })?;
    let generic_cpu = conn
        .lookup_domain_by_uuid_string(&uuid)
        .and_then(|d| d.xml_desc(sys::VIR_DOMAIN_XML_INACTIVE))
        .is_ok_and(|x| super::details::hardware_from_xml(&x).generic_cpu_fallback);
    Ok(Created {
        uuid,
        started: spec.start,
        generic_cpu,
        unshared,
    })
}

/// Folders that could not be shared with a new machine, with why.
type Unshared = Vec<(String, BackendError)>;

fn try_create(
    conn: &Connect,
    spec: &NewVm,
    kvm: bool,
) -> Result<(String, Unshared), (CreateStep, BackendError)> {
    let err = |step: CreateStep, e: &virt::error::Error| (step, BackendError::from_op(e));
    if conn.lookup_domain_by_name(&spec.name).is_ok() {
        return Err((
            CreateStep::Name,
            BackendError::new(
                ErrorKind::Other,
                format!("a domain named '{}' already exists", spec.name),
            ),
        ));
    }
    // 1. The disk.
    let mut created_volume = None;
    let disk_path = match (&spec.install, &spec.disk) {
        (Install::Import { path, .. }, _) => Some(path.clone()),
        (_, Some((pool_name, gib))) => {
            let pool = match conn.lookup_storage_pool_by_name(pool_name) {
                Ok(p) => p,
                Err(_) if pool_name == "default" => match create_default_pool(conn) {
                    Ok(p) => p,
                    // Someone else may have made it meanwhile.
                    Err(e) => conn
                        .lookup_storage_pool_by_name("default")
                        .map_err(|_| (CreateStep::Pool, e))?,
                },
                Err(e) => return Err(err(CreateStep::Pool, &e)),
            };
            if !pool.is_active().unwrap_or(false) {
                pool.create(0).map_err(|e| err(CreateStep::Pool, &e))?;
            }
            let existing = pool.list_volumes().unwrap_or_default();
            let vol_name = (1..)
                .map(|n| {
                    if n == 1 {
                        format!("{}.qcow2", spec.name)
                    } else {
                        format!("{}-{n}.qcow2", spec.name)
                    }
                })
                .find(|v| !existing.contains(v))
                .expect("a free volume name");
            let vol_xml = format!(
                "<volume><name>{}</name><capacity unit='GiB'>{gib}</capacity><target><format type='qcow2'/></target></volume>",
                x(&vol_name)
            );
            let vol = virt::storage_vol::StorageVol::create_xml(&pool, &vol_xml, 0)
                .map_err(|e| err(CreateStep::Volume, &e))?;
            let path = vol.path().map_err(|e| err(CreateStep::Volume, &e));
            let path = match path {
                Ok(p) => p,
                Err(e) => {
                    super::error::ignored("removing the new disk again", vol.delete(0));
                    return Err(e);
                }
            };
            created_volume = Some(vol);
            Some(path)
        }
        _ => None,
    };
    let undo_volume = |v: &Option<virt::storage_vol::StorageVol>| {
        if let Some(v) = v {
            // Best effort: the error already being reported matters more.
            super::error::ignored("removing the new disk again", v.delete(0));
        }
    };
    // 2. The definition.
    let xml = domain_xml(spec, disk_path.as_deref(), kvm);
    let dom = match conn.define_domain_xml(&xml) {
        Ok(d) => d,
        Err(e) => {
            undo_volume(&created_volume);
            return Err(err(CreateStep::Define, &e));
        }
    };
    let uuid = dom.uuid_string().unwrap_or_default();
    // Shared folders, as the Shared folders tab adds them (with the shared memory they
    // need). One that cannot be shared here is left out and said, not a failed creation.
    let mut unshared = Vec::new();
    for share in &spec.shares {
        if let Err(e) = super::shares::add(conn, &uuid, share) {
            log::debug!("sharing {} with the new machine: {}", share.dir, e.raw);
            unshared.push((share.dir.clone(), e));
        }
    }
    if !spec.start {
        return Ok((uuid, unshared));
    }
    // 3. Start it (the default network first, if it is stopped).
    start_network(conn, &spec.network);
    let mut started = dom.create();
    if let Err(e) = &started {
        // Under nested virtualisation KVM may refuse some of the host CPU's features
        // ("failed to set MSR …", in the user's language): fall back to QEMU's default
        // CPU model, which always starts, rather than fail the whole creation. Decided
        // by what can be changed (a KVM machine with the host's CPU), not by the words.
        let host_cpu = dom
            .xml_desc(sys::VIR_DOMAIN_XML_INACTIVE)
            .is_ok_and(|x| x.contains("mode='host-passthrough'"));
        log::debug!("starting the new machine failed ({e}); host CPU: {host_cpu}");
        if kvm && host_cpu {
            let plain = dom
                .xml_desc(sys::VIR_DOMAIN_XML_INACTIVE)
                .ok()
                .and_then(|x| with_generic_cpu(&x));
            if let Some(xml) = plain {
                if conn.define_domain_xml(&xml).is_ok() {
                    started = dom.create();
                }
            }
        }
    }
    if let Err(e) = started {
        let error = err(CreateStep::Start, &e);
        let flags = sys::VIR_DOMAIN_UNDEFINE_NVRAM | sys::VIR_DOMAIN_UNDEFINE_TPM;
        if dom.undefine_flags(flags).is_err() {
            super::error::ignored(
                "removing the machine that did not start",
                dom.undefine_flags(sys::VIR_DOMAIN_UNDEFINE_NVRAM),
            );
        }
        undo_volume(&created_volume);
        return Err(error);
    }
    Ok((uuid, unshared))
}

/// Starts the machine's virtual network if it is stopped (before the machine starts). If
/// it cannot start, the machine's start fails and says why.
pub fn start_network(conn: &Connect, network: &NetworkChoice) {
    if let NetworkChoice::Virtual(net) = network {
        if let Ok(n) = conn.lookup_network_by_name(net) {
            if !n.is_active().unwrap_or(true) {
                super::error::ignored("starting the machine's network", n.create());
            }
        }
    }
}

/// The definition with QEMU's default CPU model instead of the host's own (which KVM
/// under nested virtualisation may refuse), remembered in Bilik's metadata so that the
/// Hardware tab can say why it is generic. None: nothing to change.
pub fn with_generic_cpu(xml: &str) -> Option<String> {
    if !xml.contains("mode='host-passthrough'") {
        return None;
    }
    let mut doc = XmlDoc::new(xml).ok()?;
    doc.remove(&["domain", "cpu"]).ok()?;
    // Windows' Hyper-V enlightenments and clock need MSRs that the same nested KVM
    // refuses ("failed to set MSR 0x40000073", "… 0x40000021"); Windows runs without
    // them, a little slower.
    if doc.exists(&["domain", "features", "hyperv"]) {
        doc.remove(&["domain", "features", "hyperv"]).ok()?;
    }
    if doc.exists(&["domain", "clock"]) {
        doc.remove_child_where(&["domain", "clock"], "timer", |t| {
            t.attribute("name") == Some("hypervclock")
        })
        .ok()?;
    }
    if !doc.exists(&["metadata"]) {
        doc.append_child(&["domain"], "<metadata/>").ok()?;
    }
    doc.append_child(
        &["metadata"],
        &format!(
            "<bilik:cpu xmlns:bilik='{}' fallback='generic'/>",
            super::shared_folders::CPU_NOTE_NS
        ),
    )
    .ok()?;
    Some(doc.into_text())
}

/// The connection's "default" pool, made (and started) when it is missing.
pub fn default_pool(conn: &Connect) -> Result<virt::storage_pool::StoragePool, BackendError> {
    let pool = match conn.lookup_storage_pool_by_name("default") {
        Ok(p) => p,
        Err(_) => match create_default_pool(conn) {
            Ok(p) => p,
            // Someone else may have made it meanwhile.
            Err(e) => conn.lookup_storage_pool_by_name("default").map_err(|_| e)?,
        },
    };
    if !pool.is_active().unwrap_or(false) {
        pool.create(0).map_err(|e| BackendError::from_op(&e))?;
    }
    Ok(pool)
}

fn create_default_pool(conn: &Connect) -> Result<virt::storage_pool::StoragePool, BackendError> {
    let dir = default_pool_dir(is_session(conn));
    let xml = format!(
        "<pool type='dir'><name>default</name><target><path>{}</path></target></pool>",
        x(&dir.display().to_string())
    );
    let op = |e: virt::error::Error| BackendError::from_op(&e);
    let pool = conn.define_storage_pool_xml(&xml, 0).map_err(op)?;
    pool.build(0).map_err(op)?;
    pool.create(0).map_err(op)?;
    pool.set_autostart(true).map_err(op)?;
    Ok(pool)
}

fn pool_path(xml: &str) -> Option<String> {
    let doc = roxmltree::Document::parse(xml).ok()?;
    doc.descendants()
        .find(|n| n.has_tag_name("target"))?
        .children()
        .find(|n| n.has_tag_name("path"))?
        .text()
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        let existing = vec!["fedora40".to_string(), "fedora40-2".to_string()];
        assert_eq!(suggest_name("fedora40", &existing), "fedora40-3");
        assert_eq!(suggest_name("win11", &existing), "win11");
        assert_eq!(check_name("a/b", &[]), Err(NameProblem::BadCharacter('/')));
        assert_eq!(check_name("-x", &[]), Err(NameProblem::BadStart));
        assert_eq!(check_name("fedora40", &existing), Err(NameProblem::Taken));
        assert_eq!(check_name("", &[]), Err(NameProblem::Empty));
        assert_eq!(suggest_name("", &[]), "machine");
    }

    #[test]
    fn reads_domain_capabilities() {
        let caps = r#"<domainCapabilities><os supported='yes'><enum name='firmware'><value>bios</value><value>efi</value></enum>
          <loader supported='yes'><enum name='secure'><value>no</value><value>yes</value></enum></loader></os>
          <devices><tpm supported='yes'><enum name='backendModel'><value>passthrough</value><value>emulator</value></enum></tpm></devices></domainCapabilities>"#;
        let mut f = HostFacts::default();
        parse_domcaps(caps, &mut f);
        assert!(f.efi && f.secure_boot && f.tpm);
    }
}
