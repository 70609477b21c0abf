//! Proposals against the system's real osinfo-db. (What a disc is, is libosinfo's answer:
//! see osinfo_agrees.rs.)

mod common;

use std::time::Instant;

use bilik::backend::new_vm::{self, DiskBus, Firmware, HostFacts, NicModel};
use bilik::backend::osinfo::OsDb;

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
