//! Storage pools and volumes on the real system libvirtd: a folder pool through its whole
//! life, volumes created / grown / deleted, refusals while a machine uses them, a one-off
//! pool, an NFS pool whose server does not answer (loopback only), and 5000 volumes listed
//! through the test driver.

mod common;

use std::time::Instant;

use bilik::backend::storage::{
    self, Change as Op, PoolAction, PoolSpec, StorageError, StorageProblem, VolumeInfo,
};
use common::{block_on, virsh, virsh_try, Conn};

const POOL: &str = "bilik-storage-test";
const DIR: &str = "/var/lib/libvirt/bilik-storage-test";
const GIB: u64 = 1 << 30;

/// A change made as the Storage dialog makes it: a typed call to `storage::apply`.
fn send(c: &Conn, op: Op) -> Result<(), StorageError> {
    block_on(
        c.handle
            .connection()
            .call(move |c| Ok(storage::apply(c, op))),
    )
    .expect("connected")
}

/// The outcome of one storage change: Ok or the refusal / libvirt error, as text.
fn outcome(r: Result<(), StorageError>) -> Result<(), String> {
    r.map_err(|e| format!("{e:?}"))
}

fn refused(r: Result<(), StorageError>) -> StorageProblem {
    match r {
        Err(StorageError::Refused(p)) => p,
        other => panic!("should be refused, but {other:?}"),
    }
}

fn volumes(c: &Conn, pool: &str) -> Vec<VolumeInfo> {
    let p = pool.to_string();
    block_on(c.handle.connection().call(move |c| storage::volumes(c, &p))).expect("the volumes")
}

fn cleanup() {
    virsh_try(&["destroy", "bilik-storage-vm"]);
    virsh_try(&["undefine", "bilik-storage-vm"]);
    virsh_try(&["pool-destroy", POOL]);
    virsh_try(&["pool-delete", POOL]);
    virsh_try(&["pool-undefine", POOL]);
    let _ = std::fs::remove_dir_all(DIR);
}

#[test]
#[ignore = "needs the system libvirtd"]
fn a_folder_pool_and_its_volumes() {
    cleanup();
    let c = Conn::open(common::SYSTEM);
    c.domains();

    // Bad input is refused field by field, before libvirt is asked.
    let r = send(
        &c,
        Op::CreatePool {
            name: "bad name".into(),
            spec: PoolSpec::Dir { path: DIR.into() },
            persistent: true,
            autostart: true,
        },
    );
    assert!(matches!(refused(r), StorageProblem::BadName(_)));
    let r = send(
        &c,
        Op::CreatePool {
            name: POOL.into(),
            spec: PoolSpec::Dir {
                path: "/etc/hostname".into(),
            },
            persistent: true,
            autostart: true,
        },
    );
    assert_eq!(refused(r), StorageProblem::PathNotFolder);

    // Create: the folder is made, the pool runs and starts with the host.
    let r = send(
        &c,
        Op::CreatePool {
            name: POOL.into(),
            spec: PoolSpec::Dir { path: DIR.into() },
            persistent: true,
            autostart: true,
        },
    );
    assert_eq!(outcome(r), Ok(()));
    assert!(std::path::Path::new(DIR).is_dir());
    let info = virsh(&["pool-info", POOL]);
    assert!(
        info.contains("running") && info.contains("Autostart:      yes"),
        "{info}"
    );

    // Volumes: create, list, grow, refuse to shrink.
    let r = send(
        &c,
        Op::CreateVolume {
            pool: POOL.into(),
            name: "data.qcow2".into(),
            format: "qcow2".into(),
            capacity: GIB,
        },
    );
    assert_eq!(outcome(r), Ok(()));
    let vols = volumes(&c, POOL);
    assert_eq!(vols.len(), 1);
    assert_eq!(
        (
            vols[0].name.as_str(),
            vols[0].format.as_str(),
            vols[0].capacity
        ),
        ("data.qcow2", "qcow2", GIB)
    );
    let r = send(
        &c,
        Op::CreateVolume {
            pool: POOL.into(),
            name: "huge.raw".into(),
            format: "raw".into(),
            capacity: 1 << 60,
        },
    );
    assert!(matches!(refused(r), StorageProblem::TooBig(_)));
    let r = send(
        &c,
        Op::ResizeVolume {
            pool: POOL.into(),
            name: "data.qcow2".into(),
            capacity: 2 * GIB,
        },
    );
    assert_eq!(outcome(r), Ok(()));
    assert!(virsh(&["vol-info", "--pool", POOL, "data.qcow2"]).contains("2.00 GiB"));
    let r = send(
        &c,
        Op::ResizeVolume {
            pool: POOL.into(),
            name: "data.qcow2".into(),
            capacity: GIB,
        },
    );
    assert_eq!(refused(r), StorageProblem::Shrink(2 * GIB));

    // A machine uses the volume: deleting it, or the pool, is refused and names the machine.
    let path = format!("{DIR}/data.qcow2");
    let xml = format!(
        "<domain type='kvm'><name>bilik-storage-vm</name><memory unit='MiB'>64</memory>\
         <os><type arch='x86_64'>hvm</type></os><devices><disk type='file' device='disk'>\
         <driver name='qemu' type='qcow2'/><source file='{path}'/><target dev='vda' bus='virtio'/>\
         </disk></devices></domain>"
    );
    std::fs::write("/tmp/bilik-storage-vm.xml", xml).unwrap();
    virsh(&["define", "/tmp/bilik-storage-vm.xml"]);
    let vols = volumes(&c, POOL);
    assert_eq!(vols[0].used_by, vec!["bilik-storage-vm".to_string()]);
    let r = send(
        &c,
        Op::DeleteVolume {
            pool: POOL.into(),
            name: "data.qcow2".into(),
        },
    );
    assert_eq!(
        refused(r),
        StorageProblem::InUse(vec!["bilik-storage-vm".into()])
    );
    let r = send(
        &c,
        Op::Pool {
            pool: POOL.into(),
            action: PoolAction::Delete {
                delete_folder: false,
            },
        },
    );
    assert_eq!(
        refused(r),
        StorageProblem::InUse(vec!["bilik-storage-vm".into()])
    );
    virsh(&["undefine", "bilik-storage-vm"]);
    let r = send(
        &c,
        Op::DeleteVolume {
            pool: POOL.into(),
            name: "data.qcow2".into(),
        },
    );
    assert_eq!(outcome(r), Ok(()));
    assert!(!std::path::Path::new(&path).exists());

    // Stop keeps the files; start again; autostart off.
    std::fs::write(format!("{DIR}/keep-me.img"), b"data").unwrap();
    let r = send(
        &c,
        Op::Pool {
            pool: POOL.into(),
            action: PoolAction::Stop,
        },
    );
    assert_eq!(outcome(r), Ok(()));
    assert!(virsh(&["pool-info", POOL]).contains("inactive"));
    assert!(std::path::Path::new(&format!("{DIR}/keep-me.img")).exists());
    let r = send(
        &c,
        Op::Pool {
            pool: POOL.into(),
            action: PoolAction::Start,
        },
    );
    assert_eq!(outcome(r), Ok(()));
    let r = send(
        &c,
        Op::Pool {
            pool: POOL.into(),
            action: PoolAction::Autostart(false),
        },
    );
    assert_eq!(outcome(r), Ok(()));
    assert!(virsh(&["pool-info", POOL]).contains("Autostart:      no"));
    let listed = volumes(&c, POOL);
    assert!(
        listed.iter().any(|v| v.name == "keep-me.img"),
        "refreshed: {listed:?}"
    );

    // Delete with "remove the folder": libvirt refuses while it holds files; the pool stays.
    let r = send(
        &c,
        Op::Pool {
            pool: POOL.into(),
            action: PoolAction::Delete {
                delete_folder: true,
            },
        },
    );
    let r = outcome(r);
    println!("delete a non-empty folder: {r:?}");
    assert!(r.is_err());
    assert!(
        virsh(&["pool-info", POOL]).contains("running"),
        "the pool is still there, running as before"
    );
    std::fs::remove_file(format!("{DIR}/keep-me.img")).unwrap();
    let r = send(
        &c,
        Op::Pool {
            pool: POOL.into(),
            action: PoolAction::Delete {
                delete_folder: true,
            },
        },
    );
    assert_eq!(outcome(r), Ok(()));
    assert!(!virsh_try(&["pool-info", POOL]).0);
    assert!(!std::path::Path::new(DIR).exists());
    cleanup();
}

#[test]
#[ignore = "needs the system libvirtd"]
fn one_off_and_unreachable_nfs_pools() {
    let c = Conn::open(common::SYSTEM);
    c.domains();
    let dir = "/var/lib/libvirt/bilik-oneoff";
    let r = send(
        &c,
        Op::CreatePool {
            name: "bilik-oneoff".into(),
            spec: PoolSpec::Dir { path: dir.into() },
            persistent: false,
            autostart: false,
        },
    );
    assert_eq!(outcome(r), Ok(()));
    let info = virsh(&["pool-info", "bilik-oneoff"]);
    assert!(info.contains("Persistent:     no"), "{info}");
    let r = send(
        &c,
        Op::Pool {
            pool: "bilik-oneoff".into(),
            action: PoolAction::Stop,
        },
    );
    assert_eq!(outcome(r), Ok(()));
    assert!(
        !virsh_try(&["pool-info", "bilik-oneoff"]).0,
        "gone once stopped"
    );
    let _ = std::fs::remove_dir_all(dir);

    // An NFS server that does not answer (loopback, nothing listening): fails cleanly.
    let mount = "/var/lib/libvirt/bilik-nfs-mount";
    let t = Instant::now();
    let r = send(
        &c,
        Op::CreatePool {
            name: "bilik-nfs".into(),
            spec: PoolSpec::Netfs {
                host: "127.0.0.1".into(),
                export: "/srv/nothing".into(),
                mount: mount.into(),
            },
            persistent: true,
            autostart: true,
        },
    );
    let r = outcome(r);
    println!("unreachable NFS after {:?}: {r:?}", t.elapsed());
    assert!(r.is_err());
    assert!(!virsh_try(&["pool-info", "bilik-nfs"]).0, "nothing defined");
    assert!(!std::path::Path::new(mount).exists(), "mount point removed");
}

#[test]
fn five_thousand_volumes_through_the_test_driver() {
    let dir = common::scratch("volumes");
    let mut vols = String::new();
    for i in 0..5000 {
        vols.push_str(&format!(
            "<volume><name>vol{i:05}.qcow2</name><capacity unit='MiB'>{}</capacity>\
             <target><format type='qcow2'/></target></volume>",
            i % 100 + 1
        ));
    }
    let node = format!(
        "<node><pool type='dir'><name>big</name><capacity>1000000000000</capacity>\
         <available>900000000000</available><target><path>/big</path></target>{vols}</pool></node>"
    );
    let path = dir.join("node.xml");
    std::fs::write(&path, node).unwrap();
    let c = Conn::open(&format!("test://{}", path.display()));
    c.domains();
    let o = block_on(c.handle.connection().call(storage::pools)).expect("the pools");
    let (pools, supported) = (o.pools, o.supported);
    println!("test driver pools: {pools:?}, supported types {supported:?}");
    assert!(pools.iter().any(|p| p.name == "big"));
    let t = Instant::now();
    let list = volumes(&c, "big");
    println!("5000 volumes listed in {} ms", t.elapsed().as_millis());
    assert_eq!(list.len(), 5000);
    assert_eq!(list[42].name, "vol00042.qcow2");
    std::fs::remove_dir_all(dir).unwrap();
}
