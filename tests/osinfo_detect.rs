//! Installer recognition and proposals against the system's real osinfo-db: small ISOs
//! built here with xorriso carry the volume ids of real installers.

mod common;

use std::path::{Path, PathBuf};
use std::time::Instant;

use bilik::backend::iso9660;
use bilik::backend::new_vm::{self, DiskBus, Firmware, HostFacts, NicModel};
use bilik::backend::osinfo::{Detected, OsDb};

/// Builds an ISO with the given volume id, system id and publisher.
pub fn make_iso(dir: &Path, file: &str, volume: &str, system: &str, publisher: &str) -> PathBuf {
    let content = dir.join(format!("{file}-content"));
    std::fs::create_dir_all(&content).unwrap();
    std::fs::write(content.join("README.TXT"), "test disc\n").unwrap();
    let out = dir.join(file);
    let mut cmd = std::process::Command::new("xorriso");
    cmd.args(["-as", "mkisofs", "-quiet", "-V", volume]);
    if !system.is_empty() {
        cmd.args(["-sysid", system]);
    }
    if !publisher.is_empty() {
        cmd.args(["-publisher", publisher]);
    }
    cmd.arg("-o").arg(&out).arg(&content);
    let st = cmd.output().expect("xorriso runs");
    assert!(
        st.status.success(),
        "{}",
        String::from_utf8_lossy(&st.stderr)
    );
    out
}

fn db() -> OsDb {
    let t = Instant::now();
    let db = OsDb::load_default();
    println!(
        "osinfo-db: {} systems loaded in {} ms",
        db.len(),
        t.elapsed().as_millis()
    );
    assert!(db.len() > 100, "osinfo-db is installed in the dev root");
    db
}

fn detect(db: &OsDb, iso: &Path) -> Option<Detected> {
    let info = iso9660::read(iso).expect("an ISO 9660 image");
    let t = Instant::now();
    let d = db.identify(&info);
    println!(
        "{:?} → {:?} in {} ms",
        info.volume_id,
        d,
        t.elapsed().as_millis()
    );
    d
}

#[test]
fn recognises_installers_by_their_volume_descriptor() {
    let db = db();
    let dir = common::scratch("osinfo");
    let fedora = make_iso(&dir, "fedora.iso", "Fedora-S-dvd-x86_64-40", "LINUX", "");
    let ubuntu = make_iso(&dir, "ubuntu.iso", "Ubuntu 24.04.1 LTS amd64", "", "");
    let windows = make_iso(
        &dir,
        "win.iso",
        "CCCOMA_X64FRE_EN-US_DV9",
        "",
        "MICROSOFT CORPORATION",
    );
    let other = make_iso(&dir, "other.iso", "MY_HOLIDAY_PHOTOS", "LINUX", "");

    let d = detect(&db, &fedora).expect("Fedora recognised");
    assert_eq!(d.os_id, "http://fedoraproject.org/fedora/40");
    assert_eq!(d.variant.as_deref(), Some("server"));
    let d = detect(&db, &ubuntu).expect("Ubuntu recognised");
    assert_eq!(d.os_id, "http://ubuntu.com/ubuntu/24.04");
    assert_eq!(db.display_name(&d), "Ubuntu Desktop 24.04 LTS");
    // Windows 10 and 11 discs carry the same labels; the newer system is proposed.
    let d = detect(&db, &windows).expect("Windows recognised");
    assert_eq!(d.os_id, "http://microsoft.com/win/11");
    // Without the publisher the Windows rule must not match.
    let nopub = make_iso(&dir, "nopub.iso", "CCCOMA_X64FRE_EN-US_DV9", "", "");
    assert_ne!(
        detect(&db, &nopub).map(|d| d.os_id),
        Some("http://microsoft.com/win/11".to_string())
    );
    assert_eq!(detect(&db, &other), None);

    // Not an ISO at all.
    let text = dir.join("notes.txt");
    std::fs::write(&text, "hello").unwrap();
    assert!(matches!(
        iso9660::read(&text),
        Err(iso9660::IsoError::NotAnIso)
    ));
    std::fs::remove_dir_all(&dir).unwrap();
}

fn host() -> HostFacts {
    HostFacts {
        memory_total: 16 << 30,
        memory_free: 12 << 30,
        cpus: 8,
        efi: true,
        secure_boot: true,
        tpm: true,
        kvm: true,
        ..HostFacts::default()
    }
}

#[test]
fn proposals_follow_osinfo_db() {
    let db = db();
    let h = host();

    let fedora = new_vm::propose(&db, Some("http://fedoraproject.org/fedora/40"), &h);
    println!("fedora40: {fedora:?}");
    assert_eq!(fedora.hardware.disk_bus, DiskBus::Virtio);
    assert_eq!(fedora.hardware.nic, NicModel::Virtio);
    assert!(!fedora.hardware.windows);
    assert_eq!(fedora.name_base, "fedora40");
    // Fedora's recommended values (inherited from older releases in the database).
    let (_, rec) = db.resources("http://fedoraproject.org/fedora/40", "x86_64");
    assert_eq!(Some(fedora.memory_mib << 20), rec.ram);
    assert_eq!(Some(fedora.disk_gib << 30), rec.storage);

    let ubuntu = new_vm::propose(&db, Some("http://ubuntu.com/ubuntu/24.04"), &h);
    println!("ubuntu24.04: {ubuntu:?}");
    assert_eq!(ubuntu.memory_mib, 4096);
    assert_eq!(ubuntu.disk_gib, 25);
    assert_eq!(ubuntu.min_memory_mib, Some(3072));

    let win11 = new_vm::propose(&db, Some("http://microsoft.com/win/11"), &h);
    println!("win11: {win11:?}");
    // No recommended values: the minimum (2 CPUs, 4 GiB, 64 GiB) plus a margin.
    assert_eq!(win11.vcpus, 2);
    assert_eq!(win11.memory_mib, 6144);
    assert_eq!(win11.disk_gib, 80);
    assert_eq!(
        win11.hardware.firmware,
        Firmware::Efi {
            secure_boot: true,
            tpm: true
        }
    );
    assert!(win11.hardware.efi_required && win11.hardware.windows);
    // Windows has no virtio drivers out of the box.
    assert_eq!(win11.hardware.disk_bus, DiskBus::Sata);
    assert_eq!(win11.hardware.nic, NicModel::E1000e);

    // A small host caps memory at half of what it has and vCPUs at what it has.
    let small = HostFacts {
        memory_total: 4 << 30,
        cpus: 1,
        ..host()
    };
    let u = new_vm::propose(&db, Some("http://ubuntu.com/ubuntu/24.04"), &small);
    assert_eq!(u.memory_mib, 3072, "never below the system's minimum");
    assert_eq!(u.vcpus, 1);

    let unknown = new_vm::propose(&db, None, &h);
    assert_eq!(
        (unknown.memory_mib, unknown.vcpus, unknown.disk_gib),
        (2048, 2, 20)
    );

    let g = db.generic();
    println!("generic: {g:?}");
    assert!(g
        .linux
        .as_deref()
        .unwrap()
        .starts_with("http://libosinfo.org/linux/"));
    assert_eq!(g.windows.as_deref(), Some("http://microsoft.com/win/11"));
    assert_eq!(g.other.as_deref(), Some("http://libosinfo.org/unknown"));
    assert!(db
        .search("ubuntu 24.04")
        .iter()
        .any(|e| e.id == "http://ubuntu.com/ubuntu/24.04"));
}
