//! A new machine's domain XML, written whole (there is nothing to preserve yet), every
//! value escaped.

use std::fmt::Write as _;

use super::*;

/// PCIe ports of a new machine: its own devices take about eight, the rest stay free for
/// hot-plugging (virt-manager does the same).
const PCIE_PORTS: usize = 14;

/// The guest sees the host's own CPU: fastest, and what virt-manager does.
const HOST_CPU: &str = "  <cpu mode='host-passthrough' check='none' migratable='on'/>\n";

/// Escapes a value for XML text or a single-quoted attribute.
pub(super) fn x(s: &str) -> String {
    escape_attr(s)
}

/// The complete domain XML for a new machine; `disk_path` is the new or imported disk.
pub fn domain_xml(spec: &NewVm, disk_path: Option<&str>, kvm: bool) -> String {
    let hw = &spec.hardware;
    let mut s = String::new();
    let dtype = if kvm { "kvm" } else { "qemu" };
    let _ = writeln!(s, "<domain type='{dtype}'>");
    let _ = writeln!(s, "  <name>{}</name>", x(&spec.name));
    if let Some(os) = &spec.os_id {
        // Later screens (clipboard instructions, details) read the system from here.
        let _ = writeln!(
            s,
            "  <metadata>\n    <libosinfo:libosinfo xmlns:libosinfo='http://libosinfo.org/xmlns/libvirt/domain/1.0'>\n      <libosinfo:os id='{}'/>\n    </libosinfo:libosinfo>\n  </metadata>",
            x(os)
        );
    }
    let _ = writeln!(s, "  <memory unit='MiB'>{}</memory>", spec.memory_mib);
    let _ = writeln!(
        s,
        "  <currentMemory unit='MiB'>{}</currentMemory>",
        spec.memory_mib
    );
    let _ = writeln!(s, "  <vcpu>{}</vcpu>", spec.vcpus);
    match hw.firmware {
        Firmware::Bios => s.push_str("  <os>\n"),
        Firmware::Efi { .. } => s.push_str("  <os firmware='efi'>\n"),
    }
    let _ = writeln!(
        s,
        "    <type arch='{}' machine='q35'>hvm</type>",
        osinfo::HOST_ARCH
    );
    if let Firmware::Efi { secure_boot, .. } = hw.firmware {
        let on = if secure_boot { "yes" } else { "no" };
        let _ = writeln!(
            s,
            "    <firmware>\n      <feature enabled='{on}' name='secure-boot'/>\n      <feature enabled='{on}' name='enrolled-keys'/>\n    </firmware>"
        );
    }
    match spec.install {
        Install::Iso(_) => s.push_str("    <boot dev='cdrom'/>\n    <boot dev='hd'/>\n"),
        Install::Import { .. } => s.push_str("    <boot dev='hd'/>\n"),
        Install::Network => s.push_str("    <boot dev='network'/>\n    <boot dev='hd'/>\n"),
    }
    s.push_str("  </os>\n  <features>\n    <acpi/>\n    <apic/>\n");
    if matches!(
        hw.firmware,
        Firmware::Efi {
            secure_boot: true,
            ..
        }
    ) {
        // Secure Boot firmware only runs with System Management Mode.
        s.push_str("    <smm state='on'/>\n");
    }
    if hw.windows {
        s.push_str("    <hyperv mode='custom'>\n      <relaxed state='on'/>\n      <vapic state='on'/>\n      <spinlocks state='on' retries='8191'/>\n    </hyperv>\n");
    }
    s.push_str("  </features>\n");
    if kvm {
        s.push_str(HOST_CPU);
    }
    let offset = if hw.windows { "localtime" } else { "utc" };
    let _ = writeln!(s, "  <clock offset='{offset}'>\n    <timer name='rtc' tickpolicy='catchup'/>\n    <timer name='pit' tickpolicy='delay'/>\n    <timer name='hpet' present='no'/>");
    if hw.windows {
        s.push_str("    <timer name='hypervclock' present='yes'/>\n");
    }
    s.push_str("  </clock>\n  <pm>\n    <suspend-to-mem enabled='no'/>\n    <suspend-to-disk enabled='no'/>\n  </pm>\n  <devices>\n");

    let (disk_dev, cd_dev) = match hw.disk_bus {
        DiskBus::Virtio => ("vda", "sda"),
        DiskBus::Sata => ("sda", "sdb"),
    };
    let bus = match hw.disk_bus {
        DiskBus::Virtio => "virtio",
        DiskBus::Sata => "sata",
    };
    if let Some(path) = disk_path {
        let format = match &spec.install {
            Install::Import { format, .. } => format.as_str(),
            _ => "qcow2",
        };
        let _ = writeln!(
            s,
            "    <disk type='file' device='disk'>\n      <driver name='qemu' type='{}' discard='unmap'/>\n      <source file='{}'/>\n      <target dev='{disk_dev}' bus='{bus}'/>\n    </disk>",
            x(format),
            x(path)
        );
    }
    if let Install::Iso(iso) = &spec.install {
        let _ = writeln!(
            s,
            "    <disk type='file' device='cdrom'>\n      <driver name='qemu' type='raw'/>\n      <source file='{}'/>\n      <target dev='{cd_dev}' bus='sata'/>\n      <readonly/>\n    </disk>",
            x(iso)
        );
    }
    s.push_str("    <controller type='usb' model='qemu-xhci' ports='15'/>\n");
    // On q35 every hot-plugged device (network card, disk, shared folder) needs a free
    // PCIe port. Ports given here are used by the defined devices first (about eight), so
    // give enough that some stay free.
    s.push_str("    <controller type='pci' index='0' model='pcie-root'/>\n");
    for _ in 0..PCIE_PORTS {
        s.push_str("    <controller type='pci' model='pcie-root-port'/>\n");
    }
    let model = match hw.nic {
        NicModel::Virtio => "virtio",
        NicModel::E1000e => "e1000e",
    };
    match &spec.network {
        NetworkChoice::Virtual(net) => {
            let _ = writeln!(
                s,
                "    <interface type='network'>\n      <source network='{}'/>\n      <model type='{model}'/>\n    </interface>",
                x(net)
            );
        }
        NetworkChoice::User => {
            let _ = writeln!(
                s,
                "    <interface type='user'>\n      <model type='{model}'/>\n    </interface>"
            );
        }
    }
    // Clipboard and resolution (spice-vdagent), the qemu guest agent, an absolute
    // pointer so the cursor is never captured, USB redirection, randomness.
    s.push_str(
        "    <channel type='spicevmc'>\n      <target type='virtio' name='com.redhat.spice.0'/>\n    </channel>\n    <channel type='unix'>\n      <target type='virtio' name='org.qemu.guest_agent.0'/>\n    </channel>\n    <input type='tablet' bus='usb'/>\n    <graphics type='spice' autoport='yes'>\n      <listen type='address' address='127.0.0.1'/>\n      <image compression='off'/>\n    </graphics>\n    <sound model='ich9'/>\n    <audio id='1' type='spice'/>\n",
    );
    let video = match hw.video {
        Video::Virtio => "virtio",
        Video::Qxl => "qxl",
    };
    let _ = writeln!(
        s,
        "    <video>\n      <model type='{video}' primary='yes'/>\n    </video>"
    );
    s.push_str("    <redirdev bus='usb' type='spicevmc'/>\n    <redirdev bus='usb' type='spicevmc'/>\n    <memballoon model='virtio'/>\n    <rng model='virtio'>\n      <backend model='random'>/dev/urandom</backend>\n    </rng>\n");
    if let Firmware::Efi { tpm: true, .. } = hw.firmware {
        s.push_str("    <tpm model='tpm-crb'>\n      <backend type='emulator' version='2.0'/>\n    </tpm>\n");
    }
    s.push_str("  </devices>\n</domain>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_escapes_every_value() {
        let spec = NewVm {
            name: "a&b".into(),
            os_id: Some("http://x/'y".into()),
            memory_mib: 1024,
            vcpus: 1,
            install: Install::Iso("/tmp/<x>.iso".into()),
            disk: None,
            hardware: Hardware {
                disk_bus: DiskBus::Virtio,
                nic: NicModel::Virtio,
                video: Video::Virtio,
                firmware: Firmware::Bios,
                windows: false,
                efi_required: false,
            },
            network: NetworkChoice::User,
            start: false,
            shares: vec![],
        };
        let xml = domain_xml(&spec, Some("/d/a'b.qcow2"), true);
        let doc = roxmltree::Document::parse(&xml).expect("well-formed");
        assert_eq!(
            doc.descendants()
                .find(|n| n.has_tag_name("name"))
                .unwrap()
                .text(),
            Some("a&b")
        );
        assert!(xml.contains("/tmp/&lt;x&gt;.iso"));
        assert!(xml.contains("a&apos;b.qcow2"));
    }
}
