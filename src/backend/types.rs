//! Plain data the backend hands to the UI: no libvirt handles, no GTK.

/// A machine's run state, as libvirt's `virDomainState`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum VmState {
    #[default]
    NoState,
    Running,
    /// Running but waiting on a resource; shown as running.
    Blocked,
    Paused,
    ShuttingDown,
    ShutOff,
    Crashed,
    /// Suspended by the guest's power management (S3/S4).
    Suspended,
}

impl VmState {
    pub fn from_raw(state: i32) -> VmState {
        match state {
            1 => VmState::Running,
            2 => VmState::Blocked,
            3 => VmState::Paused,
            4 => VmState::ShuttingDown,
            5 => VmState::ShutOff,
            6 => VmState::Crashed,
            7 => VmState::Suspended,
            _ => VmState::NoState,
        }
    }

    /// Whether a qemu process exists for the machine (it has an id, uses memory and CPU).
    pub fn is_active(self) -> bool {
        !matches!(self, VmState::ShutOff | VmState::Crashed | VmState::NoState)
    }
}

/// One machine as shown in the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DomainInfo {
    pub uuid: String,
    pub name: String,
    pub state: VmState,
    /// libvirt's reason code for `state` (why it paused, how it stopped…).
    pub reason: i32,
}

/// Figures from one statistics round for one running machine. Rates are per second since
/// the previous round; `None` until two rounds have been seen.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DomainStats {
    pub uuid: String,
    pub cpu_percent: Option<f64>,
    /// Memory the guest has (balloon), KiB.
    pub memory_kib: Option<u64>,
    pub disk_read_bps: Option<f64>,
    pub disk_write_bps: Option<f64>,
    pub net_rx_bps: Option<f64>,
    pub net_tx_bps: Option<f64>,
}

/// Lifecycle actions Bilik offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LifecycleAction {
    Start,
    /// ACPI power button: the guest decides.
    Shutdown,
    Reboot,
    /// Immediate stop, like pulling the power cable.
    ForceOff,
    Pause,
    Resume,
    Delete,
}

impl LifecycleAction {
    /// Whether the action makes sense in `state` (the UI greys out the others).
    pub fn allowed_in(self, state: VmState) -> bool {
        use VmState::*;
        match self {
            LifecycleAction::Start => matches!(state, ShutOff | Crashed | NoState),
            LifecycleAction::Shutdown | LifecycleAction::Reboot => {
                matches!(state, Running | Blocked)
            }
            LifecycleAction::ForceOff => {
                matches!(
                    state,
                    Running | Blocked | Paused | ShuttingDown | Crashed | Suspended
                )
            }
            LifecycleAction::Pause => matches!(state, Running | Blocked),
            LifecycleAction::Resume => matches!(state, Paused),
            LifecycleAction::Delete => true,
        }
    }
}

/// A disk of a machine, for the delete dialog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiskInfo {
    /// Guest device name (`vda`, `sda`, `hdc`).
    pub target: String,
    /// Path on the host (file or block device), or `pool/volume` when libvirt names it so.
    pub path: String,
    /// True for CD/DVD images (installers), which are rarely meant to be deleted.
    pub is_cdrom: bool,
}

/// The disks of a domain XML: file and block sources, and pool volumes as `pool/volume`.
pub fn disks_from_xml(xml: &str) -> Vec<DiskInfo> {
    let Ok(doc) = roxmltree::Document::parse(xml) else {
        return Vec::new();
    };
    doc.descendants()
        .filter(|n| n.has_tag_name("disk"))
        .filter(|n| matches!(n.attribute("device"), None | Some("disk") | Some("cdrom")))
        .filter_map(|disk| {
            let source = disk.children().find(|c| c.has_tag_name("source"))?;
            let path = source
                .attribute("file")
                .or_else(|| source.attribute("dev"))
                .map(str::to_string)
                .or_else(|| {
                    Some(format!(
                        "{}/{}",
                        source.attribute("pool")?,
                        source.attribute("volume")?
                    ))
                })?;
            let target = disk
                .children()
                .find(|c| c.has_tag_name("target"))
                .and_then(|t| t.attribute("dev"))
                .unwrap_or_default()
                .to_string();
            Some(DiskInfo {
                target,
                path,
                is_cdrom: disk.attribute("device") == Some("cdrom"),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_file_block_and_volume_disks() {
        let xml = r#"<domain type='kvm'><name>a</name><devices>
            <disk type='file' device='disk'><source file='/var/lib/libvirt/images/a.qcow2'/><target dev='vda'/></disk>
            <disk type='block' device='disk'><source dev='/dev/vg/b'/><target dev='vdb'/></disk>
            <disk type='volume' device='disk'><source pool='default' volume='c.qcow2'/><target dev='vdc'/></disk>
            <disk type='file' device='cdrom'><source file='/iso/debian.iso'/><target dev='sda'/></disk>
            <disk type='file' device='cdrom'><target dev='sdb'/></disk>
            <disk type='file' device='floppy'><source file='/f.img'/><target dev='fda'/></disk>
          </devices></domain>"#;
        let disks = disks_from_xml(xml);
        let paths: Vec<_> = disks.iter().map(|d| d.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "/var/lib/libvirt/images/a.qcow2",
                "/dev/vg/b",
                "default/c.qcow2",
                "/iso/debian.iso"
            ]
        );
        assert!(disks[3].is_cdrom && !disks[0].is_cdrom);
        assert_eq!(disks[0].target, "vda");
    }
}
