//! Creating machines on the real system libvirtd: from a generated Fedora installer disc
//! with osinfo-db's proposal, checked with `virsh dumpxml`; and failures that must leave
//! nothing behind.

mod common;

use bilik::backend::iso9660;
use bilik::backend::new_vm::{self, CreateStep, HostFacts, Install, NetworkChoice, NewVm};
use bilik::backend::osinfo::OsDb;
use common::{block_on, virsh, virsh_try, Conn};

const VM: &str = "bilik-wizard-vm";

fn facts(c: &Conn) -> HostFacts {
    block_on(c.handle.connection().call(new_vm::host_facts)).expect("the host's facts")
}

/// Creates a machine as the wizard does (a typed call).
fn create(c: &Conn, spec: NewVm) -> Result<new_vm::Created, new_vm::CreateError> {
    block_on(
        c.handle
            .connection()
            .call(move |c| Ok(new_vm::create(c, &spec))),
    )
    .expect("connected")
}

fn cleanup(name: &str) {
    virsh_try(&["destroy", name]);
    virsh_try(&["undefine", name, "--nvram", "--tpm", "--remove-all-storage"]);
}

fn volumes() -> String {
    virsh_try(&["vol-list", "default"]).1
}

fn make_iso(dir: &std::path::Path) -> std::path::PathBuf {
    let content = dir.join("content");
    std::fs::create_dir_all(&content).unwrap();
    std::fs::write(content.join("README.TXT"), "test\n").unwrap();
    let iso = dir.join("Fedora-Server-dvd-x86_64-40.iso");
    common::bootable_iso(&content, &iso, "Fedora-S-dvd-x86_64-40", "", "");
    iso
}

#[test]
#[ignore = "needs the system libvirtd"]
fn creates_a_running_machine_with_the_proposed_devices() {
    cleanup(VM);
    let dir = common::scratch("wizard");
    let iso = make_iso(&dir);
    let db = OsDb::load_default();
    let detected = bilik::backend::libosinfo::Database::load()
        .expect("osinfo-db")
        .identify(&iso)
        .expect("read")
        .into_iter()
        .next()
        .expect("recognised");

    let c = Conn::open(common::SYSTEM);
    c.domains();
    let f = facts(&c);
    println!("host facts: {f:?}");
    assert!(f.memory_total > 0 && f.cpus > 0);
    assert!(!f.session);
    let p = new_vm::propose(&db, Some(&detected.os_id), &f);
    println!("proposal: {p:?}");
    let spec = NewVm {
        name: VM.into(),
        os_id: Some(detected.os_id.clone()),
        // Small, to keep the test light: the disc boots nothing anyway.
        memory_mib: 256,
        vcpus: 1,
        install: Install::Iso(iso.display().to_string()),
        disk: Some(("default".into(), 1)),
        hardware: p.hardware,
        network: NetworkChoice::Virtual("default".into()),
        start: true,
        shares: vec![],
    };
    let created = create(&c, spec).unwrap_or_else(|e| panic!("{e:?}"));
    assert!(created.started);
    let uuid = created.uuid;
    assert_eq!(virsh(&["domstate", VM]), "running");
    assert_eq!(virsh(&["domuuid", VM]), uuid);
    let xml = virsh(&["dumpxml", VM]);
    for needle in [
        "machine='pc-q35",
        "<libosinfo:os id=\"http://fedoraproject.org/fedora/40\"/>",
        "<target dev='vda' bus='virtio'/>",
        "<model type='virtio'/>",
        "<source network='default'",
        "name='com.redhat.spice.0'",
        "name='org.qemu.guest_agent.0'",
        "<input type='tablet' bus='usb'>",
        "<graphics type='spice'",
        "<redirdev bus='usb' type='spicevmc'>",
        "<rng model='virtio'>",
        "<boot dev='cdrom'/>",
        "Fedora-Server-dvd-x86_64-40.iso",
        "<readonly/>",
    ] {
        assert!(xml.contains(needle), "{needle} missing from:\n{xml}");
    }
    // Free PCIe ports remain for hot-plugging: attach a network card live.
    let nic =
        "<interface type='network'><source network='default'/><model type='virtio'/></interface>";
    std::fs::write("/tmp/bilik-wizard-nic.xml", nic).unwrap();
    virsh(&["attach-device", VM, "/tmp/bilik-wizard-nic.xml", "--live"]);
    let boot_cd = xml.find("<boot dev='cdrom'/>").unwrap();
    assert!(
        xml[boot_cd..].contains("<boot dev='hd'/>"),
        "CD first, then disk"
    );
    assert!(
        !xml.contains("firmware='efi'"),
        "BIOS unless the system requires UEFI"
    );
    assert!(volumes().contains(&format!("{VM}.qcow2")));
    cleanup(VM);
    assert!(!volumes().contains(&format!("{VM}.qcow2")));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
#[ignore = "needs the system libvirtd"]
fn a_failed_creation_leaves_nothing_behind() {
    let name = "bilik-wizard-fail";
    cleanup(name);
    let c = Conn::open(common::SYSTEM);
    c.domains();
    let f = facts(&c);
    let db = OsDb::load_default();
    let p = new_vm::propose(&db, Some("http://libosinfo.org/linux/2024"), &f);
    let spec = NewVm {
        name: name.into(),
        os_id: Some("http://libosinfo.org/linux/2024".into()),
        memory_mib: 128,
        vcpus: 1,
        install: Install::Network,
        disk: Some(("default".into(), 1)),
        hardware: p.hardware,
        // The machine is defined, but cannot start: its network does not exist.
        network: NetworkChoice::Virtual("bilik-no-such-network".into()),
        start: true,
        shares: vec![],
    };
    let new_vm::CreateError { step, error } =
        create(&c, spec.clone()).expect_err("should not start");
    println!("{step:?}: {}", error.raw);
    assert_eq!(step, CreateStep::Start);
    assert!(error.raw.contains("bilik-no-such-network"));
    assert!(
        !virsh_try(&["domstate", name]).0,
        "the definition was removed"
    );
    assert!(
        !volumes().contains(&format!("{name}.qcow2")),
        "the volume was removed"
    );

    // A name that exists is refused before anything is made.
    let xml = format!(
        "<domain type='kvm'><name>{name}</name><memory unit='MiB'>64</memory>\
         <os><type arch='x86_64'>hvm</type></os></domain>"
    );
    let file = std::env::temp_dir().join("bilik-wizard-taken.xml");
    std::fs::write(&file, xml).unwrap();
    virsh(&["define", file.to_str().unwrap()]);
    let before = volumes();
    let step = create(&c, spec).expect_err("the name is taken").step;
    assert_eq!(step, CreateStep::Name);
    assert_eq!(volumes(), before);
    cleanup(name);
    std::fs::remove_file(file).unwrap();
}

#[test]
#[ignore = "needs the system libvirtd"]
fn windows_11_gets_uefi_secure_boot_and_a_tpm() {
    let name = "bilik-wizard-win11";
    cleanup(name);
    let c = Conn::open(common::SYSTEM);
    c.domains();
    let f = facts(&c);
    assert!(
        f.efi && f.secure_boot && f.tpm,
        "ovmf and swtpm are installed: {f:?}"
    );
    let db = OsDb::load_default();
    let id = "http://microsoft.com/win/11";
    let p = new_vm::propose(&db, Some(id), &f);
    let spec = NewVm {
        name: name.into(),
        os_id: Some(id.into()),
        memory_mib: p.memory_mib,
        vcpus: p.vcpus,
        install: Install::Network,
        disk: Some(("default".into(), 1)),
        hardware: p.hardware,
        network: NetworkChoice::Virtual("default".into()),
        // Defined only: Windows would not boot from nothing anyway.
        start: false,
        shares: vec![],
    };
    let created = create(&c, spec).unwrap_or_else(|e| panic!("{e:?}"));
    assert!(!created.started, "should only be defined");
    assert_eq!(virsh(&["domstate", name]), "shut off");
    let xml = virsh(&["dumpxml", "--inactive", name]);
    for needle in [
        "<os firmware='efi'>",
        "<feature enabled='yes' name='secure-boot'/>",
        "<feature enabled='yes' name='enrolled-keys'/>",
        "<smm state='on'/>",
        "<tpm model='tpm-crb'>",
        "<backend type='emulator' version='2.0'/>",
        "<target dev='sda' bus='sata'/>",
        "<model type='e1000e'/>",
        "<hyperv mode='custom'>",
        "<clock offset='localtime'>",
        "<boot dev='network'/>",
    ] {
        assert!(xml.contains(needle), "{needle} missing from:\n{xml}");
    }
    cleanup(name);
}

#[test]
#[ignore = "needs the system libvirtd"]
fn importing_a_disk_uses_it_in_place() {
    let name = "bilik-wizard-import";
    cleanup(name);
    let dir = std::path::PathBuf::from("/var/lib/libvirt/bilik-import-test");
    std::fs::create_dir_all(&dir).unwrap();
    let disk = dir.join("existing system.qcow2");
    let st = std::process::Command::new("qemu-img")
        .args(["create", "-q", "-f", "qcow2"])
        .arg(&disk)
        .arg("1G")
        .status()
        .unwrap();
    assert!(st.success());
    assert_eq!(iso9660::disk_image_format(&disk).unwrap(), "qcow2");
    let c = Conn::open(common::SYSTEM);
    c.domains();
    let f = facts(&c);
    let before = volumes();
    let db = OsDb::load_default();
    let id = "http://libosinfo.org/linux/2024";
    let p = new_vm::propose(&db, Some(id), &f);
    let spec = NewVm {
        name: name.into(),
        os_id: Some(id.into()),
        memory_mib: 128,
        vcpus: 1,
        install: Install::Import {
            path: disk.display().to_string(),
            format: "qcow2".into(),
        },
        disk: None,
        hardware: p.hardware,
        network: NetworkChoice::User,
        start: true,
        shares: vec![],
    };
    create(&c, spec).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(virsh(&["domstate", name]), "running");
    let xml = virsh(&["dumpxml", name]);
    for needle in [
        "<driver name='qemu' type='qcow2' discard='unmap'/>",
        "existing system.qcow2",
        "<interface type='user'>",
    ] {
        assert!(xml.contains(needle), "{needle} missing from:\n{xml}");
    }
    assert!(!xml.contains("device='cdrom'"));
    // (Other tests of this file make volumes meanwhile: look for this machine's name only.)
    let after = volumes();
    assert!(
        !after.contains(name) && !before.contains(name),
        "no new volume for an imported disk: {after}"
    );
    virsh_try(&["destroy", name]);
    virsh(&["undefine", name]);
    assert!(disk.exists(), "the imported disk is the person's: kept");
    std::fs::remove_dir_all(&dir).unwrap();
}
