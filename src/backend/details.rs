//! A machine's hardware (memory, processors, firmware, boot, CD-ROMs, autostart), its
//! snapshots and its XML. Memory and processors go through libvirt's own calls (libvirt
//! edits the definition); the CD-ROM and boot menu edit the XML in place; "Edit XML"
//! defines what the person wrote only after libvirt validated it.

use virt::connect::Connect;
use virt::domain::Domain;
use virt::sys;

use super::error::{BackendError, ErrorKind};
use super::types::DiskInfo;
use super::xml_edit::{escape_attr, EditError, XmlDoc};

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HardwareInfo {
    pub name: String,
    pub running: bool,
    pub persistent: bool,
    pub autostart: bool,
    /// A user session: "start with the computer" means with the user's own libvirt
    /// service (at login), not at boot.
    pub session: bool,
    /// At the next start (the definition).
    pub memory_mib: u64,
    pub max_memory_mib: u64,
    /// Now, while running.
    pub live_memory_mib: Option<u64>,
    pub vcpus: u32,
    pub max_vcpus: u32,
    pub live_vcpus: Option<u32>,
    pub uefi: bool,
    pub secure_boot: bool,
    pub tpm: bool,
    pub boot: Vec<String>,
    pub boot_menu: bool,
    /// (target, disc image or empty)
    pub cdroms: Vec<(String, String)>,
    pub disks: Vec<DiskInfo>,
    pub os_id: Option<String>,
    /// The machine's description (libvirt's `<description>`), a note for people.
    pub description: String,
    /// This computer's processor model could not be used when the machine was made, so it
    /// has QEMU's generic one (Bilik's note in the metadata).
    pub generic_cpu_fallback: bool,
    /// An express install is under way (its installer runs, or is to be finished).
    pub installing: Option<super::express::Stage>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HardwareChange {
    MemoryMib(u64),
    Vcpus(u32),
    Autostart(bool),
    BootMenu(bool),
    /// Put a disc image in the CD-ROM `target` (None: eject).
    Cdrom {
        target: String,
        iso: Option<String>,
    },
    Rename(String),
    /// Boot from these devices in this order ("cdrom", "hd", "network").
    BootOrder(Vec<String>),
    /// Add a disk: a new qcow2 volume of `size_gib` in `pool`, or an existing file.
    AddDisk {
        pool: String,
        size_gib: u64,
        existing: Option<String>,
    },
    /// Remove the disk at `target`; its file is deleted only when `delete_file`.
    RemoveDisk {
        target: String,
        delete_file: bool,
    },
    /// Add a USB tablet: the pointer then moves in and out of the console freely.
    AddTablet,
}

/// How a change landed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    /// In effect now (and kept).
    Live,
    /// Saved; takes effect at the next start.
    NextStart,
}

fn text_of(doc: &roxmltree::Document, path: &[&str]) -> Option<String> {
    let mut node = doc.root_element();
    for step in path {
        node = node.children().find(|c| c.has_tag_name(*step))?;
    }
    node.text().map(|t| t.trim().to_string())
}

fn kib_to_mib(node: Option<roxmltree::Node>) -> u64 {
    let Some(n) = node else { return 0 };
    let v: u64 = n.text().unwrap_or("0").trim().parse().unwrap_or(0);
    match n.attribute("unit").unwrap_or("KiB") {
        "b" | "bytes" => v >> 20,
        "KiB" | "k" => v >> 10,
        "MiB" | "M" => v,
        "GiB" | "G" => v << 10,
        "TiB" | "T" => v << 20,
        _ => v >> 10,
    }
}

/// Reads the hardware facts from a definition.
pub fn hardware_from_xml(xml: &str) -> HardwareInfo {
    let mut h = HardwareInfo::default();
    let Ok(doc) = roxmltree::Document::parse(xml) else {
        return h;
    };
    let root = doc.root_element();
    let child = |tag: &str| root.children().find(|c| c.has_tag_name(tag));
    h.name = text_of(&doc, &["name"]).unwrap_or_default();
    h.description = text_of(&doc, &["description"]).unwrap_or_default();
    h.installing = super::express::stage(xml);
    h.generic_cpu_fallback = doc.descendants().any(|n| {
        n.has_tag_name((super::shared_folders::CPU_NOTE_NS, "cpu"))
            && n.attribute("fallback") == Some("generic")
    });
    h.max_memory_mib = kib_to_mib(child("memory"));
    h.memory_mib = match child("currentMemory") {
        Some(n) => kib_to_mib(Some(n)),
        None => h.max_memory_mib,
    };
    let vcpu = child("vcpu");
    h.max_vcpus = vcpu
        .and_then(|v| v.text())
        .and_then(|t| t.trim().parse().ok())
        .unwrap_or(1);
    h.vcpus = vcpu
        .and_then(|v| v.attribute("current"))
        .and_then(|c| c.parse().ok())
        .unwrap_or(h.max_vcpus);
    if let Some(os) = child("os") {
        h.uefi = os.attribute("firmware") == Some("efi")
            || os
                .children()
                .any(|c| c.has_tag_name("loader") && c.attribute("type") == Some("pflash"));
        h.secure_boot = os.descendants().any(|c| {
            (c.has_tag_name("feature")
                && c.attribute("name") == Some("secure-boot")
                && c.attribute("enabled") == Some("yes"))
                || (c.has_tag_name("loader") && c.attribute("secure") == Some("yes"))
        });
        h.boot = os
            .children()
            .filter(|c| c.has_tag_name("boot"))
            .filter_map(|c| c.attribute("dev").map(str::to_string))
            .collect();
        h.boot_menu = os
            .children()
            .any(|c| c.has_tag_name("bootmenu") && c.attribute("enable") == Some("yes"));
    }
    h.tpm = root.descendants().any(|c| c.has_tag_name("tpm"));
    h.disks = super::types::disks_from_xml(xml);
    h.cdroms = root
        .descendants()
        .filter(|d| d.has_tag_name("disk") && d.attribute("device") == Some("cdrom"))
        .map(|d| {
            let target = d
                .children()
                .find(|c| c.has_tag_name("target"))
                .and_then(|t| t.attribute("dev"))
                .unwrap_or_default()
                .to_string();
            let source = d
                .children()
                .find(|c| c.has_tag_name("source"))
                .and_then(|s| s.attribute("file"))
                .unwrap_or_default()
                .to_string();
            (target, source)
        })
        .collect();
    h.os_id = root
        .descendants()
        .find(|n| n.tag_name().name() == "os" && n.tag_name().namespace().is_some())
        .and_then(|n| n.attribute("id"))
        .map(str::to_string);
    h
}

/// The CD-ROM `target` of a definition with `iso` in it (or empty), as a `<disk>` element
/// for libvirt's update-device call; everything else of the element stays.
pub fn cdrom_device(xml: &str, target: &str, iso: Option<&str>) -> Result<String, EditError> {
    let doc = XmlDoc::new(xml)?;
    let mut out = None;
    let mut copy = doc.clone();
    copy.edit_child_where(
        &["devices"],
        "disk",
        |d| {
            d.attribute("device") == Some("cdrom")
                && d.children()
                    .any(|c| c.has_tag_name("target") && c.attribute("dev") == Some(target))
        },
        |disk| {
            if disk.exists(&["disk", "source"]) {
                disk.remove(&["disk", "source"])?;
            }
            if let Some(iso) = iso {
                disk.append_child(&["disk"], &format!("<source file='{}'/>", escape_attr(iso)))?;
            }
            out = Some(disk.text().to_string());
            Ok(())
        },
    )?;
    out.ok_or_else(|| EditError::NotFound(format!("CD-ROM {target}")))
}

/// Sets `<os><boot dev=…/>` to `devs`, in order (other boot settings stay).
pub fn set_boot_order(xml: &str, devs: &[String]) -> Result<String, EditError> {
    let mut doc = XmlDoc::new(xml)?;
    while doc.remove_child_where(&["os"], "boot", |_| true)? {}
    for d in devs {
        doc.append_child(&["os"], &format!("<boot dev='{}'/>", escape_attr(d)))?;
    }
    Ok(doc.into_text())
}

/// A new disk's element: virtio, on the next free vdX name of the definition.
fn disk_xml(domain_xml: &str, path: &str, format: &str) -> String {
    let used: Vec<String> = super::types::disks_from_xml(domain_xml)
        .into_iter()
        .map(|d| d.target)
        .collect();
    let target = (b'a'..=b'z')
        .map(|c| format!("vd{}", c as char))
        .find(|t| !used.contains(t))
        .unwrap_or_else(|| "vdz".into());
    format!(
        "<disk type='file' device='disk'><driver name='qemu' type='{}' discard='unmap'/><source file='{}'/><target dev='{target}' bus='virtio'/></disk>",
        escape_attr(format),
        escape_attr(path)
    )
}

/// The `<disk>` element with target `target`, as text (for detaching it).
fn disk_element(xml: &str, target: &str) -> Option<String> {
    let doc = roxmltree::Document::parse(xml).ok()?;
    let node = doc.descendants().find(|d| {
        d.has_tag_name("disk")
            && d.children()
                .any(|c| c.has_tag_name("target") && c.attribute("dev") == Some(target))
    })?;
    Some(xml[node.range()].to_string())
}

/// The `<cpu><topology>` of a definition, if it has one: (attribute, value) pairs.
fn topology(xml: &str) -> Option<Vec<(String, u32)>> {
    let doc = roxmltree::Document::parse(xml).ok()?;
    let cpu = doc
        .root_element()
        .children()
        .find(|n| n.has_tag_name("cpu"))?;
    let topo = cpu.children().find(|n| n.has_tag_name("topology"))?;
    Some(
        topo.attributes()
            .map(|a| (a.name().to_string(), a.value().parse().unwrap_or(1)))
            .collect(),
    )
}

/// Sets a definition's number of processors, all of them on at start. libvirt refuses a
/// count that a `<cpu><topology>` does not multiply to, so the topology follows: the same
/// sockets with more or fewer cores when the count divides evenly, else one socket of `n`
/// cores (Windows client editions use at most two sockets).
pub fn set_vcpu_count(xml: &str, n: u32) -> Result<String, EditError> {
    let mut doc = XmlDoc::new(xml)?;
    doc.set_text(&["vcpu"], &n.to_string())?;
    let has_current = roxmltree::Document::parse(doc.text()).is_ok_and(|d| {
        d.root_element()
            .children()
            .any(|c| c.has_tag_name("vcpu") && c.attribute("current").is_some())
    });
    if has_current {
        doc.set_attr(&["vcpu"], "current", &n.to_string())?;
    }
    if let Some(topo) = topology(xml) {
        let get = |k: &str| {
            topo.iter()
                .find(|(a, _)| a == k)
                .map_or(1, |(_, v)| *v)
                .max(1)
        };
        let (sockets, dies, clusters, threads) =
            (get("sockets"), get("dies"), get("clusters"), get("threads"));
        let per_core_group = sockets * dies * clusters * threads;
        let mut set = |k: &str, v: u32| doc.set_attr(&["cpu", "topology"], k, &v.to_string());
        if n.is_multiple_of(per_core_group) {
            set("cores", n / per_core_group)?;
        } else {
            set("sockets", 1)?;
            set("cores", n)?;
            set("threads", 1)?;
            for k in ["dies", "clusters"] {
                if topo.iter().any(|(a, _)| a == k) {
                    set(k, 1)?;
                }
            }
        }
    }
    Ok(doc.into_text())
}

/// Turns the boot menu on or off in a definition. Off is libvirt's default: a
/// `<bootmenu>` that would say only `enable='no'` is removed rather than written, so turning
/// the menu on and off again leaves the definition as it was.
pub fn set_boot_menu(xml: &str, on: bool) -> Result<String, EditError> {
    let mut doc = XmlDoc::new(xml)?;
    if on {
        doc.ensure_child(&["os"], "bootmenu", "<bootmenu enable='yes'/>")?;
        doc.set_attr(&["os", "bootmenu"], "enable", "yes")?;
    } else if doc.exists(&["os", "bootmenu"]) {
        let only_enable = roxmltree::Document::parse(doc.text()).is_ok_and(|d| {
            d.descendants()
                .find(|n| n.has_tag_name("bootmenu"))
                .is_some_and(|n| n.attributes().all(|a| a.name() == "enable"))
        });
        if only_enable {
            doc.remove(&["os", "bootmenu"])?;
        } else {
            doc.set_attr(&["os", "bootmenu"], "enable", "no")?;
        }
    }
    Ok(doc.into_text())
}

/// Names of the machines whose definition uses the file `path`.
fn disk_users_of(conn: &Connect, path: &str) -> Vec<String> {
    let Ok(doms) = conn.list_all_domains(0) else {
        return Vec::new();
    };
    doms.iter()
        .filter(|d| {
            d.xml_desc(sys::VIR_DOMAIN_XML_INACTIVE)
                .map(|x| {
                    super::types::disks_from_xml(&x)
                        .iter()
                        .any(|disk| disk.path == path)
                })
                .unwrap_or(false)
        })
        .filter_map(|d| d.name().ok())
        .collect()
}

fn domain(conn: &Connect, uuid: &str) -> Result<Domain, BackendError> {
    conn.lookup_domain_by_uuid_string(uuid)
        .map_err(|e| BackendError::from_read(&e))
}

/// Machine `uuid`'s hardware: the next start's, with what a running machine has now.
pub fn hardware(conn: &Connect, uuid: &str) -> Result<HardwareInfo, BackendError> {
    let read = |e: virt::error::Error| BackendError::from_read(&e);
    let dom = domain(conn, uuid)?;
    let xml = dom.xml_desc(sys::VIR_DOMAIN_XML_INACTIVE).map_err(read)?;
    let mut h = hardware_from_xml(&xml);
    h.running = dom.is_active().map_err(read)?;
    h.persistent = dom.is_persistent().unwrap_or(true);
    h.autostart = dom.autostart().unwrap_or(false);
    h.session = conn
        .uri()
        .is_ok_and(|u| super::uri::local_and_session(&u).1);
    if h.running {
        let l = hardware_from_xml(&dom.xml_desc(0).map_err(read)?);
        h.live_memory_mib = Some(l.memory_mib);
        h.live_vcpus = Some(l.vcpus);
        // What is in the drive now.
        h.cdroms = l.cdroms;
    }
    Ok(h)
}

/// Sets the machine's description (a note for people, libvirt's `<description>`): in the
/// definition, and at once on a running machine. An empty text removes it.
pub fn set_description(conn: &Connect, uuid: &str, text: &str) -> Result<(), BackendError> {
    let dom = conn
        .lookup_domain_by_uuid_string(uuid)
        .map_err(|e| BackendError::from_op(&e))?;
    let mut flags = sys::VIR_DOMAIN_AFFECT_CONFIG;
    if dom.is_active().map_err(|e| BackendError::from_read(&e))? {
        flags |= sys::VIR_DOMAIN_AFFECT_LIVE;
    }
    let text = (!text.is_empty()).then_some(text);
    dom.set_metadata(
        sys::VIR_DOMAIN_METADATA_DESCRIPTION as i32,
        text,
        None,
        None,
        flags,
    )
    .map_err(|e| BackendError::from_op(&e))
}

/// Makes a hardware change: the machine's name (after a rename) and whether the change is
/// in effect now or at the next start.
pub fn change(
    conn: &Connect,
    uuid: &str,
    change: &HardwareChange,
) -> Result<(String, Applied), BackendError> {
    try_change_hardware(conn, uuid, change)
}

fn try_change_hardware(
    conn: &Connect,
    uuid: &str,
    change: &HardwareChange,
) -> Result<(String, Applied), BackendError> {
    let op = |e: virt::error::Error| BackendError::from_op(&e);
    let bad = |e: EditError| BackendError::new(ErrorKind::Other, format!("{e:?}"));
    let dom = domain(conn, uuid)?;
    let name = dom.name().unwrap_or_default();
    let running = dom.is_active().unwrap_or(false);
    let config = sys::VIR_DOMAIN_AFFECT_CONFIG;
    let live = sys::VIR_DOMAIN_AFFECT_LIVE;
    let applied = match change {
        HardwareChange::MemoryMib(mib) => {
            let kib = mib << 10;
            let info = hardware_from_xml(&dom.xml_desc(sys::VIR_DOMAIN_XML_INACTIVE).map_err(op)?);
            // The maximum first when growing past it, so current ≤ maximum holds.
            if *mib > info.max_memory_mib || !running {
                dom.set_memory_flags(kib, config | sys::VIR_DOMAIN_MEM_MAXIMUM)
                    .map_err(op)?;
            }
            dom.set_memory_flags(kib, config).map_err(op)?;
            // Live, through the balloon, up to what the machine started with.
            let live_max = hardware_from_xml(&dom.xml_desc(0).map_err(op)?).max_memory_mib;
            // The balloon only moves when the guest's driver answers: say "now" only
            // when libvirt sees the new size.
            if running
                && *mib <= live_max
                && dom.set_memory_flags(kib, live).is_ok()
                && dom
                    .xml_desc(0)
                    .is_ok_and(|x| hardware_from_xml(&x).memory_mib == *mib)
            {
                Applied::Live
            } else if running {
                Applied::NextStart
            } else {
                Applied::Live
            }
        }
        HardwareChange::Vcpus(n) => {
            let inactive = dom
                .xml_desc(sys::VIR_DOMAIN_XML_INACTIVE | sys::VIR_DOMAIN_XML_SECURE)
                .map_err(op)?;
            let info = hardware_from_xml(&inactive);
            if (*n > info.max_vcpus || !running) && topology(&inactive).is_some() {
                // The maximum and the CPU topology must change together.
                let edited = set_vcpu_count(&inactive, *n).map_err(bad)?;
                conn.define_domain_xml(&edited).map_err(op)?;
            } else if *n > info.max_vcpus || !running {
                dom.set_vcpus_flags(*n, config | sys::VIR_DOMAIN_VCPU_MAXIMUM)
                    .map_err(op)?;
            }
            dom.set_vcpus_flags(*n, config).map_err(op)?;
            if running && dom.set_vcpus_flags(*n, live).is_ok() {
                Applied::Live
            } else if running {
                Applied::NextStart
            } else {
                Applied::Live
            }
        }
        HardwareChange::Autostart(on) => {
            dom.set_autostart(*on).map_err(op)?;
            Applied::Live
        }
        HardwareChange::BootMenu(on) => {
            let xml = dom
                .xml_desc(sys::VIR_DOMAIN_XML_INACTIVE | sys::VIR_DOMAIN_XML_SECURE)
                .map_err(op)?;
            let edited = set_boot_menu(&xml, *on).map_err(bad)?;
            conn.define_domain_xml(&edited).map_err(op)?;
            if running {
                Applied::NextStart
            } else {
                Applied::Live
            }
        }
        HardwareChange::Cdrom { target, iso } => {
            // Built from the live definition when running, so the drive's live
            // address matches; kept in the definition as well.
            let flags = if running { live | config } else { config };
            let xml = dom
                .xml_desc(if running {
                    0
                } else {
                    sys::VIR_DOMAIN_XML_INACTIVE
                })
                .map_err(op)?;
            let device = cdrom_device(&xml, target, iso.as_deref()).map_err(bad)?;
            dom.update_device_flags(&device, flags).map_err(op)?;
            Applied::Live
        }
        HardwareChange::BootOrder(devs) => {
            let xml = dom
                .xml_desc(sys::VIR_DOMAIN_XML_INACTIVE | sys::VIR_DOMAIN_XML_SECURE)
                .map_err(op)?;
            let edited = set_boot_order(&xml, devs).map_err(bad)?;
            conn.define_domain_xml(&edited).map_err(op)?;
            if running {
                Applied::NextStart
            } else {
                Applied::Live
            }
        }
        HardwareChange::AddDisk {
            pool,
            size_gib,
            existing,
        } => {
            let xml = dom
                .xml_desc(sys::VIR_DOMAIN_XML_INACTIVE | sys::VIR_DOMAIN_XML_SECURE)
                .map_err(op)?;
            let (path, format, made) = match existing {
                Some(p) => {
                    let f =
                        super::iso9660::disk_image_format(std::path::Path::new(p)).unwrap_or("raw");
                    (p.clone(), f.to_string(), None)
                }
                None => {
                    let p = conn.lookup_storage_pool_by_name(pool).map_err(op)?;
                    let taken = p.list_volumes().unwrap_or_default();
                    let vol_name = (1..)
                        .map(|n| format!("{name}-disk{n}.qcow2"))
                        .find(|v| !taken.contains(v))
                        .expect("a free name");
                    let vol = virt::storage_vol::StorageVol::create_xml(
                        &p,
                        &super::storage::volume_xml(&vol_name, "qcow2", size_gib << 30),
                        0,
                    )
                    .map_err(op)?;
                    (vol.path().map_err(op)?, "qcow2".to_string(), Some(vol))
                }
            };
            let device = disk_xml(&xml, &path, &format);
            let r = if running {
                dom.attach_device_flags(&device, live | config)
            } else {
                dom.attach_device_flags(&device, config)
            };
            if let Err(e) = r {
                // Nothing half-made: the new volume goes again (or the details say it
                // could not).
                let mut err = op(e);
                if let Some(Err(e)) = made.map(|v| v.delete(0)) {
                    err.raw
                        .push_str(&format!("\nThe new volume could not be removed again: {e}"));
                }
                return Err(err);
            }
            Applied::Live
        }
        HardwareChange::RemoveDisk {
            target,
            delete_file,
        } => {
            let xml = dom
                .xml_desc(if running {
                    0
                } else {
                    sys::VIR_DOMAIN_XML_INACTIVE
                })
                .map_err(op)?;
            let disk = hardware_from_xml(&xml)
                .disks
                .into_iter()
                .find(|d| &d.target == target)
                .ok_or_else(|| BackendError::new(ErrorKind::Other, format!("no disk {target}")))?;
            let element = disk_element(&xml, target)
                .ok_or_else(|| BackendError::new(ErrorKind::Other, format!("no disk {target}")))?;
            // Everything that could stop the file's deletion is checked before anything
            // changes.
            let vol = if *delete_file {
                if running {
                    return Err(BackendError::new(
                        ErrorKind::InvalidState,
                        "shut the machine down to delete a disk's file; removing the disk alone works while it runs".to_string(),
                    ));
                }
                let others: Vec<String> = disk_users_of(conn, &disk.path)
                    .into_iter()
                    .filter(|n| *n != name)
                    .collect();
                if !others.is_empty() {
                    return Err(BackendError::new(
                        ErrorKind::Other,
                        format!(
                            "{} also use(s) {}: the file must stay",
                            others.join(", "),
                            disk.path
                        ),
                    ));
                }
                Some(conn.lookup_storage_vol_by_path(&disk.path).map_err(|_| {
                    BackendError::new(
                        ErrorKind::NotAVolume(disk.path.clone()),
                        format!("{} is not in a storage pool", disk.path),
                    )
                })?)
            } else {
                None
            };
            let flags = if running { live | config } else { config };
            dom.detach_device_flags(&element, flags).map_err(op)?;
            if let Some(vol) = vol {
                vol.delete(0).map_err(op)?;
            }
            Applied::Live
        }
        HardwareChange::AddTablet => {
            const TABLET: &str = "<input type='tablet' bus='usb'/>";
            // Into the running machine too where QEMU can (a USB device plugged in).
            if running && dom.attach_device_flags(TABLET, live | config).is_ok() {
                Applied::Live
            } else {
                dom.attach_device_flags(TABLET, config).map_err(op)?;
                if running {
                    Applied::NextStart
                } else {
                    Applied::Live
                }
            }
        }
        HardwareChange::Rename(new) => {
            if running {
                return Err(BackendError::new(
                    ErrorKind::InvalidState,
                    "a running machine cannot be renamed".to_string(),
                ));
            }
            dom.rename(new, 0).map_err(op)?;
            Applied::Live
        }
    };
    let name = match change {
        HardwareChange::Rename(new) => new.clone(),
        _ => name,
    };
    Ok((name, applied))
}

#[cfg(test)]
mod tests {
    use super::*;

    const XML: &str = "<domain type='kvm'><name>v</name><memory unit='KiB'>2097152</memory><currentMemory unit='KiB'>1048576</currentMemory><vcpu placement='static' current='1'>4</vcpu><os firmware='efi'><type>hvm</type><boot dev='cdrom'/><boot dev='hd'/></os><devices>\n<disk type='file' device='cdrom'><driver name='qemu' type='raw'/><source file='/a.iso'/><target dev='sda' bus='sata'/><readonly/></disk>\n</devices></domain>";

    #[test]
    fn reads_hardware() {
        let h = hardware_from_xml(XML);
        assert_eq!((h.memory_mib, h.max_memory_mib), (1024, 2048));
        assert_eq!((h.vcpus, h.max_vcpus), (1, 4));
        assert!(h.uefi && !h.secure_boot);
        assert_eq!(h.boot, vec!["cdrom", "hd"]);
        assert_eq!(h.cdroms, vec![("sda".to_string(), "/a.iso".to_string())]);
    }

    #[test]
    fn cdrom_and_boot_menu_keep_the_rest() {
        let ejected = cdrom_device(XML, "sda", None).unwrap();
        assert!(!ejected.contains("<source"));
        assert!(ejected.contains("<readonly/>") && ejected.contains("<driver name='qemu'"));
        let put = cdrom_device(XML, "sda", Some("/b'c.iso")).unwrap();
        assert!(put.contains("<source file='/b&apos;c.iso'/>"));
        let menu = set_boot_menu(XML, true).unwrap();
        assert!(menu.contains("<bootmenu enable='yes'/>"));
        assert!(menu.contains("<boot dev='cdrom'/><boot dev='hd'/>"));
        // Processors: the topology follows the count.
        let topo = "<domain><vcpu placement='static' current='1'>2</vcpu>\
            <cpu mode='custom'><model>qemu64</model><topology sockets='2' dies='1' cores='1' threads='1'/></cpu></domain>";
        let four = set_vcpu_count(topo, 4).unwrap();
        assert!(
            four.contains("<vcpu placement='static' current='4'>4</vcpu>"),
            "{four}"
        );
        assert!(
            four.contains("<topology sockets='2' dies='1' cores='2' threads='1'/>"),
            "{four}"
        );
        let three = set_vcpu_count(topo, 3).unwrap();
        assert!(
            three.contains("<topology sockets='1' dies='1' cores='3' threads='1'/>"),
            "{three}"
        );
        assert!(three.contains("<model>qemu64</model>"));
        let plain = set_vcpu_count("<domain><vcpu>1</vcpu></domain>", 6).unwrap();
        assert_eq!(plain, "<domain><vcpu>6</vcpu></domain>");
        // Off again: back to no element (libvirt's default), not an explicit "no".
        assert_eq!(set_boot_menu(&menu, false).unwrap(), XML);
        // A menu with a timeout keeps it when switched off.
        let timed = menu.replace(
            "<bootmenu enable='yes'/>",
            "<bootmenu enable='yes' timeout='3000'/>",
        );
        let off = set_boot_menu(&timed, false).unwrap();
        assert!(
            off.contains("<bootmenu enable='no' timeout='3000'/>"),
            "{off}"
        );
    }
}
