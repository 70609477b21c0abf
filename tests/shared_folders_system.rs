//! Shared folders on the real system libvirtd: adding a share adds exactly the shared memory
//! backing and the virtiofs device (canonical dumpxml compared line by line); the machine
//! starts with virtiofsd serving the folder; removing restores the definition.

mod common;

use std::process::Command;

use bilik::backend::shared_folders::Share;
use bilik::backend::shares;
use common::{block_on, virsh_try as virsh, Conn};

const URI: &str = common::SYSTEM;
const VM: &str = "bilik-share-vm";

#[test]
#[ignore = "needs the system libvirtd"]
fn share_a_folder_with_virtiofs() {
    std::fs::create_dir_all("/var/tmp/bilik-share").unwrap();
    std::fs::write("/var/tmp/bilik-share/hello.txt", "hello").unwrap();
    let xml = format!(
        "<domain type='kvm'><name>{VM}</name><memory unit='MiB'>64</memory>\
         <os><type arch='x86_64'>hvm</type></os><features><acpi/></features><devices>\
         <graphics type='spice'><listen type='none'/></graphics></devices></domain>"
    );
    let _ = virsh(&["destroy", VM]);
    let _ = virsh(&["undefine", VM]);
    std::fs::write("/tmp/bilik-share-vm.xml", xml).unwrap();
    assert!(virsh(&["define", "/tmp/bilik-share-vm.xml"]).0);
    let uuid = virsh(&["domuuid", VM]).1.trim().to_string();

    let c = Conn::open(URI);
    c.domains();
    let conn = c.handle.connection();
    let u = uuid.clone();
    let info = block_on(conn.call(move |c| shares::info(c, &u))).expect("the shares");
    assert!(info.shares.is_empty() && !info.shared_memory);
    assert!(
        info.gaps.is_empty(),
        "this host can do virtiofs: {:?}",
        info.gaps
    );

    let before = virsh(&["dumpxml", "--inactive", VM]).1;
    let share = Share {
        tag: "bilik-share".into(),
        dir: "/var/tmp/bilik-share".into(),
    };
    let (u, sh) = (uuid.clone(), share.clone());
    block_on(conn.call(move |c| shares::add(c, &u, &sh))).expect("shared");
    let after = virsh(&["dumpxml", "--inactive", VM]).1;
    let mut rest: Vec<&str> = before.lines().collect();
    for line in after.lines() {
        match rest.iter().position(|l| *l == line) {
            Some(i) => {
                rest.remove(i);
            }
            None => {
                let l = line.trim();
                let ok = [
                    "<memoryBacking>",
                    "</memoryBacking>",
                    "<source type='memfd'/>",
                    "<access mode='shared'/>",
                    "<filesystem type='mount' accessmode='passthrough'>",
                    "<driver type='virtiofs'/>",
                    "<source dir='/var/tmp/bilik-share'/>",
                    "<target dir='bilik-share'/>",
                    "</filesystem>",
                    "<address type='pci'",
                ];
                assert!(
                    ok.iter().any(|p| l.starts_with(p)),
                    "unexpected line {l:?}\n{after}"
                );
            }
        }
    }
    assert!(rest.is_empty(), "lines lost: {rest:?}");

    // It starts, with virtiofsd serving the folder.
    let (ok, out) = virsh(&["start", VM]);
    assert!(ok, "{out}");
    let pgrep = Command::new("pgrep")
        .args(["-af", "virtiofsd"])
        .output()
        .unwrap();
    let procs = String::from_utf8_lossy(&pgrep.stdout).to_string();
    assert!(procs.contains("/var/tmp/bilik-share"), "virtiofsd: {procs}");
    assert!(virsh(&["dumpxml", VM])
        .1
        .contains("<target dir='bilik-share'/>"));

    // Its memory is shared now: a second folder is hot-added to the running machine.
    std::fs::create_dir_all("/var/tmp/bilik-share-2").unwrap();
    let u = uuid.clone();
    let pending = block_on(conn.call(move |c| {
        let second = Share {
            tag: "bilik-share-2".into(),
            dir: "/var/tmp/bilik-share-2".into(),
        };
        shares::add(c, &u, &second)
    }))
    .expect("shared")
    .pending_restart;
    assert!(!pending, "in effect now, and Bilik says so");
    let live = virsh(&["dumpxml", VM]).1;
    assert!(
        live.contains("<target dir='bilik-share-2'/>"),
        "hot-added: {live}"
    );
    let pgrep = Command::new("pgrep")
        .args(["-af", "virtiofsd"])
        .output()
        .unwrap();
    let procs = String::from_utf8_lossy(&pgrep.stdout).to_string();
    assert!(
        procs.contains("/var/tmp/bilik-share-2"),
        "a second virtiofsd: {procs}"
    );
    let _ = virsh(&["destroy", VM]);
    let u = uuid.clone();
    block_on(conn.call(move |c| shares::remove(c, &u, "bilik-share-2"))).expect("unshared");

    let u = uuid.clone();
    block_on(conn.call(move |c| shares::remove(c, &u, "bilik-share"))).expect("unshared");
    assert_eq!(
        virsh(&["dumpxml", "--inactive", VM]).1,
        before,
        "back as it was"
    );
    let _ = virsh(&["undefine", VM]);
}
