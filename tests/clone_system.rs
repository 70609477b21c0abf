//! Cloning on the real system libvirtd: a shut-off machine with a disk in a pool and a
//! network card becomes a second machine with its own UUID, MAC address and a copy of the
//! disk; the original is untouched; a running machine is refused.

mod common;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

use bilik::backend::{clone, BackendError};
use common::{block_on, virsh, virsh_try, Conn};

const VM: &str = "bilik-clone-src";
const CLONE: &str = "bilik-clone-copy";

/// Clones the way the Hardware tab does: the plan on the connection's thread, the copy on
/// a thread of its own. Answers the new UUID and how many progress reports came.
fn clone_as(c: &Conn, uuid: &str, name: &str) -> (Result<String, BackendError>, usize) {
    clone_with(c, uuid, name, false)
}

fn clone_with(
    c: &Conn,
    uuid: &str,
    name: &str,
    cancelled: bool,
) -> (Result<String, BackendError>, usize) {
    let reports = Arc::new(AtomicUsize::new(0));
    let r = reports.clone();
    let progress: clone::Progress = Arc::new(move |_, _| {
        r.fetch_add(1, Ordering::SeqCst);
    });
    let cancel = Arc::new(AtomicBool::new(cancelled));
    let (u, n, n2) = (uuid.to_string(), name.to_string(), name.to_string());
    let result = block_on(c.handle.connection().call_long(
        move |c| clone::prepare(c, &u, &n),
        move |c, plan| clone::copy(c, &n2, plan, &cancel, &progress),
    ));
    (result, reports.load(Ordering::SeqCst))
}

fn cleanup() {
    for n in [VM, CLONE] {
        virsh_try(&["destroy", n]);
        virsh_try(&["undefine", n, "--remove-all-storage"]);
    }
    virsh_try(&["vol-delete", "--pool", "default", "bilik-clone-src.qcow2"]);
}

#[test]
#[ignore = "needs the system libvirtd"]
fn clone_a_shut_off_machine() {
    cleanup();
    common::ensure_default_pool();
    virsh(&[
        "vol-create-as",
        "default",
        "bilik-clone-src.qcow2",
        "256M",
        "--format",
        "qcow2",
    ]);
    let disk = virsh(&["vol-path", "--pool", "default", "bilik-clone-src.qcow2"]);
    let xml = format!(
        "<domain type='qemu'><name>{VM}</name><memory unit='MiB'>64</memory>\
         <os><type arch='x86_64'>hvm</type></os><devices>\
         <disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='{disk}'/>\
         <target dev='vda' bus='virtio'/></disk>\
         <interface type='network'><mac address='52:54:00:be:33:01'/><source network='default'/></interface>\
         </devices></domain>"
    );
    std::fs::write("/tmp/bilik-clone-src.xml", xml).unwrap();
    virsh(&["define", "/tmp/bilik-clone-src.xml"]);
    let uuid = virsh(&["domuuid", VM]);
    let before = virsh(&["dumpxml", "--inactive", VM]);
    let c = Conn::open(common::SYSTEM);
    c.domains();
    // Cancel pressed: a typed "cancelled", and nothing of the copy is left.
    let (result, _) = clone_with(&c, &uuid, CLONE, true);
    let err = result.expect_err("cancelled");
    assert_eq!(err.kind, bilik::backend::ErrorKind::Cancelled, "{err:?}");
    assert!(!virsh_try(&["domuuid", CLONE]).0, "no clone defined");
    assert!(!virsh(&["vol-list", "default"]).contains(&format!("{CLONE}-vda.qcow2")));
    let (result, progress) = clone_as(&c, &uuid, CLONE);
    let new_uuid = result.expect("cloned");
    println!("cloned as {new_uuid} after {progress} progress updates");
    assert!(progress >= 1);
    assert_ne!(new_uuid, uuid);
    assert_eq!(virsh(&["domuuid", CLONE]), new_uuid);
    let copy = virsh(&["dumpxml", "--inactive", CLONE]);
    assert!(!copy.contains("52:54:00:be:33:01"), "a new MAC address");
    assert!(copy.contains("<source network='default'/>"));
    assert!(!copy.contains(&format!("'{disk}'")), "its own disk");
    assert!(copy.contains(&format!("{CLONE}-vda.qcow2")));
    assert!(virsh(&["vol-list", "default"]).contains(&format!("{CLONE}-vda.qcow2")));
    assert_eq!(
        virsh(&["dumpxml", "--inactive", VM]),
        before,
        "the original is untouched"
    );

    // A running machine is not cloned. (Other tests may have stopped the default network.)
    virsh_try(&["net-start", "default"]);
    virsh(&["start", VM]);
    let (result, _) = clone_as(&c, &uuid, "bilik-clone-other");
    let err = result.expect_err("a running machine must not be cloned");
    assert!(err.raw.contains("shut the machine down"));
    cleanup();
}
