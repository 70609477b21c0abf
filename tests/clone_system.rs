//! Cloning on the real system libvirtd: a shut-off machine with a disk in a pool and a
//! network card becomes a second machine with its own UUID, MAC address and a copy of the
//! disk; the original is untouched; a running machine is refused.

mod common;

use std::time::Duration;

use bilik::backend::{Request, Update};
use common::{virsh, virsh_try, Conn};

const VM: &str = "bilik-clone-src";
const CLONE: &str = "bilik-clone-copy";

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
    c.handle.send(Request::Clone {
        uuid: uuid.clone(),
        name: CLONE.into(),
    });
    let (new_uuid, seen) = c.wait("Cloned", Duration::from_secs(120), |u| match u {
        Update::Cloned { new_uuid, .. } => Some(new_uuid.clone()),
        Update::CloneFailed { error, .. } => panic!("{error:?}"),
        _ => None,
    });
    let progress = seen
        .iter()
        .filter(|u| matches!(u, Update::CloneProgress { .. }))
        .count();
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
    c.handle.send(Request::Clone {
        uuid: uuid.clone(),
        name: "bilik-clone-other".into(),
    });
    let err = c
        .wait("CloneFailed", Duration::from_secs(30), |u| match u {
            Update::CloneFailed { error, .. } => Some(error.clone()),
            Update::Cloned { .. } => panic!("a running machine must not be cloned"),
            _ => None,
        })
        .0;
    assert!(err.raw.contains("shut the machine down"));
    cleanup();
}
