//! The backend against the real system libvirtd and qemu/KVM in the dev root
//! (`build-aux/test` starts them with build-aux/libvirtd-ctl and runs these #[ignore]d tests
//! with --include-ignored).
//! One test function, because it stops and restarts the daemon.

mod common;

use std::process::Command;
use std::time::Duration;

use bilik::backend::{LifecycleAction, Options, Update, VmState};
use common::{virsh, Conn};

const URI: &str = common::SYSTEM;
const T: Duration = Duration::from_secs(30);

fn libvirtd(action: &str) {
    let ok = Command::new("build-aux/libvirtd-ctl")
        .arg(action)
        .status()
        .expect("libvirtd-ctl runs")
        .success();
    assert!(ok, "libvirtd-ctl {action}");
}

/// A tiny machine with no OS (SeaBIOS only), KVM, SPICE, two disk volumes.
fn define_vm(name: &str, pool_dir: &str) -> String {
    for disk in ["a", "b"] {
        virsh(&[
            "vol-create-as",
            "bilik-test",
            &format!("{name}-{disk}.qcow2"),
            "16M",
            "--format",
            "qcow2",
        ]);
    }
    let xml = format!(
        "<domain type='kvm'><name>{name}</name><memory unit='MiB'>64</memory><vcpu>1</vcpu>\
         <os><type arch='x86_64'>hvm</type></os><features><acpi/></features>\
         <devices>\
         <disk type='file' device='disk'><driver name='qemu' type='qcow2'/>\
           <source file='{pool_dir}/{name}-a.qcow2'/><target dev='vda' bus='virtio'/></disk>\
         <disk type='file' device='disk'><driver name='qemu' type='qcow2'/>\
           <source file='{pool_dir}/{name}-b.qcow2'/><target dev='vdb' bus='virtio'/></disk>\
         <graphics type='spice'><listen type='none'/></graphics>\
         <video><model type='virtio'/></video><memballoon model='virtio'/>\
         </devices></domain>"
    );
    let path = std::env::temp_dir().join(format!("{name}.xml"));
    std::fs::write(&path, xml).unwrap();
    virsh(&["define", path.to_str().unwrap()]);
    virsh(&["domuuid", name])
}

fn state_of(c: &Conn, uuid: &str, state: VmState) -> i32 {
    c.wait(&format!("{state:?}"), T, |u| match u {
        Update::DomainChanged(d) if d.uuid == uuid && d.state == state => Some(d.reason),
        _ => None,
    })
    .0
}

#[test]
#[ignore = "needs the system libvirtd"]
fn real_libvirtd_lifecycle_stats_delete_and_reconnect() {
    let pool_dir = "/var/lib/libvirt/bilik-test";
    std::fs::create_dir_all(pool_dir).unwrap();
    if virsh(&["pool-list", "--all", "--name"])
        .lines()
        .all(|l| l.trim() != "bilik-test")
    {
        virsh(&["pool-create-as", "bilik-test", "dir", "--target", pool_dir]);
    }
    let name = format!("bilik-sys-{}", std::process::id());
    let options = Options {
        stats_interval: Duration::from_millis(300),
        max_backoff: Duration::from_secs(2),
        ..Options::default()
    };
    let c = Conn::open_with(URI, options);
    c.domains();

    // Defining elsewhere (virsh) shows up through the event, not by polling.
    let uuid = define_vm(&name, pool_dir);
    let reason = state_of(&c, &uuid, VmState::ShutOff);
    assert_eq!(reason, 0);

    // As the window asks: typed calls; success shows through the lifecycle events.
    let conn = c.handle.connection();
    let act = |action| {
        let u = uuid.clone();
        common::block_on(conn.call(move |c| bilik::backend::lifecycle::act(c, &u, action)))
            .unwrap_or_else(|e| panic!("{action:?} failed: {e:?}"))
    };
    act(LifecycleAction::Start);
    state_of(&c, &uuid, VmState::Running);
    assert_eq!(virsh(&["domstate", &name]), "running");

    // Real figures from the bulk statistics call: memory at once, CPU from the second round.
    let (mem, _) = c.wait("memory figure", T, |u| match u {
        Update::Stats(s) => s.iter().find(|s| s.uuid == uuid).and_then(|s| s.memory_kib),
        _ => None,
    });
    assert_eq!(mem, 64 * 1024);
    let (cpu, _) = c.wait("CPU figure", T, |u| match u {
        Update::Stats(s) => s
            .iter()
            .find(|s| s.uuid == uuid)
            .and_then(|s| s.cpu_percent),
        _ => None,
    });
    assert!((0.0..=100.0).contains(&cpu));

    act(LifecycleAction::Pause);
    assert_eq!(
        state_of(&c, &uuid, VmState::Paused),
        1,
        "paused by the user"
    );
    assert_eq!(virsh(&["domstate", &name]), "paused");
    act(LifecycleAction::Resume);
    state_of(&c, &uuid, VmState::Running);

    // The daemon dies while the machine runs: Bilik says so, reconnects by itself, and the
    // list comes back complete and without duplicates.
    libvirtd("kill");
    c.wait("Lost", T, |u| {
        matches!(u, Update::Lost { .. }).then_some(())
    });
    libvirtd("start");
    let (list, _) = c.wait("the list after reconnecting", T, |u| match u {
        Update::Domains(l) => Some(l.clone()),
        _ => None,
    });
    let ours: Vec<_> = list.iter().filter(|d| d.uuid == uuid).collect();
    assert_eq!(ours.len(), 1, "exactly once: {list:?}");
    assert_eq!(
        ours[0].state,
        VmState::Running,
        "qemu kept running meanwhile"
    );

    act(LifecycleAction::ForceOff);
    assert_eq!(
        state_of(&c, &uuid, VmState::ShutOff),
        2,
        "reason: destroyed"
    );
    assert_eq!(virsh(&["domstate", &name]), "shut off");

    // Delete, choosing only the second disk by name: the first stays.
    let u = uuid.clone();
    let disks = common::block_on(conn.call(move |c| bilik::backend::lifecycle::disks(c, &u)))
        .expect("the disks");
    let paths: Vec<_> = disks.iter().map(|d| d.path.clone()).collect();
    let a = format!("{pool_dir}/{name}-a.qcow2");
    let b = format!("{pool_dir}/{name}-b.qcow2");
    assert_eq!(paths, [a.clone(), b.clone()]);
    let (u, chosen) = (uuid.clone(), vec![b.clone()]);
    common::block_on(conn.call(move |c| bilik::backend::lifecycle::delete(c, &u, &chosen)))
        .expect("deleted");
    c.wait("DomainRemoved", T, |u| match u {
        Update::DomainRemoved { uuid: u } if *u == uuid => Some(()),
        _ => None,
    });
    assert!(std::path::Path::new(&a).exists(), "unchosen disk kept");
    assert!(!std::path::Path::new(&b).exists(), "chosen disk deleted");
    let vols = virsh(&["vol-list", "bilik-test"]);
    assert!(
        vols.contains(&format!("{name}-a.qcow2")) && !vols.contains(&format!("{name}-b.qcow2"))
    );
    assert!(!virsh(&["list", "--all", "--name"])
        .lines()
        .any(|l| l == name));
    virsh(&[
        "vol-delete",
        "--pool",
        "bilik-test",
        &format!("{name}-a.qcow2"),
    ]);
}
