//! A machine's details on the real system libvirtd: memory and processors changed offline
//! and live, a disc put in and taken out of the CD-ROM of a running machine, autostart and
//! rename, snapshots created / reverted / deleted, and the XML editor (valid XML defined,
//! invalid XML refused with libvirt's words and nothing changed). Every change is checked
//! with `virsh dumpxml`, and offline changes touch only their own lines.

mod common;

use std::time::{Duration, SystemTime};

use bilik::backend::details::{Applied, HardwareChange};
use bilik::backend::{machine_xml, snapshots};
use common::{attach_disk_file, block_on, change, hw, virsh, virsh_try, Conn};

const VM: &str = "bilik-details-vm";
const DIR: &str = "/var/lib/libvirt/bilik-details";

fn snapshot_names(c: &Conn, uuid: &str) -> Vec<String> {
    let u = uuid.to_string();
    block_on(c.handle.connection().call(move |c| snapshots::list(c, &u)))
        .expect("the snapshots")
        .into_iter()
        .map(|s| s.name)
        .collect()
}

/// A snapshot change made the way the Snapshots tab makes it (a typed call).
fn snapshot_call(
    c: &Conn,
    f: impl FnOnce(&virt::connect::Connect) -> Result<bool, bilik::backend::BackendError>
        + Send
        + 'static,
) -> bool {
    block_on(c.handle.connection().call(f)).expect("the snapshot change")
}

/// Lines of `after` not in `before` and the other way round.
fn diff(before: &str, after: &str) -> Vec<String> {
    let mut d: Vec<String> = after
        .lines()
        .filter(|l| !before.lines().any(|b| b == *l))
        .map(|l| format!("+{}", l.trim()))
        .collect();
    d.extend(
        before
            .lines()
            .filter(|l| !after.lines().any(|a| a == *l))
            .map(|l| format!("-{}", l.trim())),
    );
    d
}

fn iso(name: &str) -> String {
    let content = format!("{DIR}/{name}-content");
    std::fs::create_dir_all(&content).unwrap();
    std::fs::write(format!("{content}/README.TXT"), "x\n").unwrap();
    let path = format!("{DIR}/{name}.iso");
    let st = std::process::Command::new("xorriso")
        .args([
            "-as", "mkisofs", "-quiet", "-V", name, "-o", &path, &content,
        ])
        .status()
        .unwrap();
    assert!(st.success());
    path
}

fn cleanup() {
    for n in [VM, "bilik-details-renamed"] {
        virsh_try(&["destroy", n]);
        virsh_try(&["undefine", n, "--snapshots-metadata"]);
    }
    let _ = std::fs::remove_dir_all(DIR);
}

#[test]
#[ignore = "needs the system libvirtd"]
fn hardware_snapshots_and_xml() {
    cleanup();
    // Added disks go to the "default" pool.
    common::ensure_default_pool();
    std::fs::create_dir_all(DIR).unwrap();
    let disc1 = iso("DISC_ONE");
    let disc2 = iso("DISC_TWO");
    let disk = format!("{DIR}/disk.qcow2");
    assert!(std::process::Command::new("qemu-img")
        .args(["create", "-q", "-f", "qcow2", &disk, "1G"])
        .status()
        .unwrap()
        .success());
    // Emulated (TCG), so nested KVM plays no part.
    let xml = format!(
        "<domain type='qemu'><name>{VM}</name><memory unit='MiB'>512</memory>\
         <currentMemory unit='MiB'>256</currentMemory><vcpu current='1'>2</vcpu>\
         <os><type arch='x86_64'>hvm</type><boot dev='hd'/></os><features><acpi/></features>\
         <devices><disk type='file' device='disk'><driver name='qemu' type='qcow2'/>\
         <source file='{disk}'/><target dev='vda' bus='virtio'/></disk>\
         <disk type='file' device='cdrom'><driver name='qemu' type='raw'/><source file='{disc1}'/>\
         <target dev='sda' bus='sata'/><readonly/></disk><memballoon model='virtio'/></devices></domain>"
    );
    std::fs::write("/tmp/bilik-details-vm.xml", xml).unwrap();
    virsh(&["define", "/tmp/bilik-details-vm.xml"]);
    let uuid = virsh(&["domuuid", VM]);
    let c = Conn::open(common::SYSTEM);
    c.domains();

    let h = hw(&c, &uuid);
    assert_eq!((h.memory_mib, h.max_memory_mib), (256, 512));
    assert_eq!((h.vcpus, h.max_vcpus), (1, 2));
    assert_eq!(h.cdroms, vec![("sda".to_string(), disc1.clone())]);
    assert!(!h.uefi && !h.running);

    // Offline: memory (past the old maximum) and processors; only those lines change.
    let before = virsh(&["dumpxml", "--inactive", VM]);
    assert_eq!(
        change(&c, &uuid, HardwareChange::MemoryMib(768)),
        Applied::Live
    );
    assert_eq!(change(&c, &uuid, HardwareChange::Vcpus(2)), Applied::Live);
    let after = virsh(&["dumpxml", "--inactive", VM]);
    let d = diff(&before, &after);
    println!("offline changes: {d:#?}");
    assert!(
        after.contains("<memory unit='KiB'>786432</memory>"),
        "{after}"
    );
    assert!(after.contains("<currentMemory unit='KiB'>786432</currentMemory>"));
    assert!(
        d.iter().all(|l| l.contains("emory") || l.contains("<vcpu")),
        "{d:?}"
    );
    // Autostart, boot menu, rename (shut off only).
    change(&c, &uuid, HardwareChange::Autostart(true));
    assert!(virsh(&["dominfo", VM]).contains("Autostart:      enable"));
    change(&c, &uuid, HardwareChange::Autostart(false));
    change(&c, &uuid, HardwareChange::BootMenu(true));
    assert!(virsh(&["dumpxml", "--inactive", VM]).contains("<bootmenu enable='yes'/>"));
    change(
        &c,
        &uuid,
        HardwareChange::Rename("bilik-details-renamed".into()),
    );
    assert_eq!(virsh(&["domname", &uuid]), "bilik-details-renamed");
    change(&c, &uuid, HardwareChange::Rename(VM.into()));

    // A description: a note for people, set and removed as the Hardware tab does it.
    let describe = |text: &'static str| {
        let u = uuid.clone();
        block_on(
            c.handle
                .connection()
                .call(move |c| bilik::backend::details::set_description(c, &u, text)),
        )
        .expect("described")
    };
    describe("Builds & tests <everything>");
    assert!(virsh(&["dumpxml", "--inactive", VM])
        .contains("<description>Builds &amp; tests &lt;everything&gt;</description>"));
    assert_eq!(hw(&c, &uuid).description, "Builds & tests <everything>");
    describe("");
    assert!(!virsh(&["dumpxml", "--inactive", VM]).contains("<description>"));
    assert_eq!(hw(&c, &uuid).description, "");

    // Boot order, and disks: a new volume added then removed with its file; an existing
    // file added then removed with its file kept.
    change(
        &c,
        &uuid,
        HardwareChange::BootOrder(vec!["cdrom".into(), "hd".into()]),
    );
    let x = virsh(&["dumpxml", "--inactive", VM]);
    let cd = x.find("<boot dev='cdrom'/>").expect("cdrom first");
    assert!(x[cd..].contains("<boot dev='hd'/>"), "{x}");
    change(
        &c,
        &uuid,
        HardwareChange::AddDisk {
            pool: "default".into(),
            size_gib: 1,
            existing: None,
        },
    );
    let h = hw(&c, &uuid);
    let added = h
        .disks
        .iter()
        .find(|d| d.target == "vdb")
        .expect("a second disk")
        .path
        .clone();
    assert!(std::path::Path::new(&added).exists());
    change(
        &c,
        &uuid,
        HardwareChange::RemoveDisk {
            target: "vdb".into(),
            delete_file: true,
        },
    );
    assert!(!virsh(&["dumpxml", "--inactive", VM]).contains("vdb"));
    assert!(
        !std::path::Path::new(&added).exists(),
        "its file was picked: deleted"
    );
    let spare = format!("{DIR}/spare.qcow2");
    assert!(std::process::Command::new("qemu-img")
        .args(["create", "-q", "-f", "qcow2", &spare, "1G"])
        .status()
        .unwrap()
        .success());
    attach_disk_file(&c, &uuid, &spare);
    assert!(virsh(&["dumpxml", "--inactive", VM]).contains(&spare));
    change(
        &c,
        &uuid,
        HardwareChange::RemoveDisk {
            target: "vdb".into(),
            delete_file: false,
        },
    );
    assert!(!virsh(&["dumpxml", "--inactive", VM]).contains(&spare));
    assert!(std::path::Path::new(&spare).exists(), "not picked: kept");

    // A snapshot of the shut-off machine, then one of it running (with its memory).
    let u = uuid.clone();
    let external = snapshot_call(&c, move |c| {
        snapshots::create(c, &u, "clean", "before anything")
    });
    println!("snapshot of the shut-off machine, external: {external}");
    let before_start = SystemTime::now();
    virsh(&["start", VM]);

    // Uptime: the start time of the machine's qemu process, read from /proc.
    let u = uuid.clone();
    let at = block_on(
        c.handle
            .connection()
            .call(move |c| bilik::backend::uptime::started_at(c, &u)),
    )
    .expect("answered");
    let at = at.expect("a running qemu machine has a start time");
    let slack = Duration::from_secs(2);
    assert!(
        at + slack >= before_start && at <= SystemTime::now() + slack,
        "started at {at:?}, the start was asked for at {before_start:?}"
    );
    // /proc's boot time has whole seconds: the figure may be up to a second early.
    let offset = match at.duration_since(before_start) {
        Ok(d) => d.as_secs_f64(),
        Err(e) => -e.duration().as_secs_f64(),
    };
    println!("qemu process started {offset:+.2} s after the start was asked for");

    // Live: memory within what it started with goes through the balloon, which only moves
    // when the guest's driver answers (this machine runs no system: "at the next start").
    let applied = change(&c, &uuid, HardwareChange::MemoryMib(512));
    let live = virsh(&["dumpxml", VM]);
    println!("balloon to 512 MiB: {applied:?}");
    assert_eq!(
        applied == Applied::Live,
        live.contains("<currentMemory unit='KiB'>524288</currentMemory>"),
        "Bilik says Live exactly when the live size changed"
    );
    assert_eq!(hw(&c, &uuid).memory_mib, 512);
    // More than it started with: saved for the next start.
    assert_eq!(
        change(&c, &uuid, HardwareChange::MemoryMib(1024)),
        Applied::NextStart
    );
    assert_eq!(hw(&c, &uuid).memory_mib, 1024);

    // CD-ROM of the running machine: eject, then another disc.
    change(
        &c,
        &uuid,
        HardwareChange::Cdrom {
            target: "sda".into(),
            iso: None,
        },
    );
    let live = virsh(&["dumpxml", VM]);
    assert!(!live.contains(&disc1), "ejected: {live}");
    change(
        &c,
        &uuid,
        HardwareChange::Cdrom {
            target: "sda".into(),
            iso: Some(disc2.clone()),
        },
    );
    assert!(virsh(&["dumpxml", VM]).contains(&disc2));
    assert_eq!(
        hw(&c, &uuid).cdroms,
        vec![("sda".to_string(), disc2.clone())]
    );

    if !external {
        let u = uuid.clone();
        snapshot_call(&c, move |c| snapshots::create(c, &u, "running", ""));
        let names = snapshot_names(&c, &uuid);
        assert!(names.contains(&"running".to_string()) && names.contains(&"clean".to_string()));
        // Revert to the shut-off one: the machine is off again.
        let u = uuid.clone();
        snapshot_call(&c, move |c| {
            snapshots::revert(c, &u, "clean").map(|()| false)
        });
        assert_eq!(virsh(&["domstate", VM]), "shut off");
        let u = uuid.clone();
        snapshot_call(&c, move |c| {
            snapshots::delete(c, &u, "running").map(|()| false)
        });
        assert_eq!(snapshot_names(&c, &uuid), vec!["clean".to_string()]);
    }
    virsh_try(&["destroy", VM]);

    // A snapshot's description changed afterwards (added after the move to typed calls: the
    // backend function and the tab's button were all it took). Only the description
    // changes; the snapshot stays the current one.
    let before = virsh(&["snapshot-dumpxml", VM, "clean"]);
    let u = uuid.clone();
    snapshot_call(&c, move |c| {
        snapshots::describe(c, &u, "clean", "fresh system, nothing installed").map(|()| false)
    });
    let after = virsh(&["snapshot-dumpxml", VM, "clean"]);
    assert!(
        after.contains("<description>fresh system, nothing installed</description>"),
        "{after}"
    );
    assert_eq!(
        diff(&before, &after),
        vec![
            "+<description>fresh system, nothing installed</description>".to_string(),
            "-<description>before anything</description>".to_string()
        ]
    );
    assert_eq!(virsh(&["snapshot-current", "--name", VM]), "clean");

    // XML: a valid edit is defined; an invalid one is refused and changes nothing. Called
    // the way the XML tab calls it: through the connection's thread, answered by a future.
    let conn = c.handle.connection();
    let u = uuid.clone();
    let defs = block_on(conn.call(move |c| machine_xml::read(c, &u))).expect("read");
    assert!(defs.running.is_none(), "shut off: no running definition");
    let edited = defs
        .next_start
        .replacen("</name>", "</name>\n  <title>Edited by hand</title>", 1);
    let u = uuid.clone();
    let after = block_on(conn.call(move |c| machine_xml::define(c, &u, &edited)))
        .expect("a valid edit is defined");
    assert!(after.next_start.contains("<title>Edited by hand</title>"));
    assert!(virsh(&["dumpxml", "--inactive", VM]).contains("<title>Edited by hand</title>"));
    let before = virsh(&["dumpxml", "--inactive", VM]);
    let bad = before.replacen("<devices>", "<devices>\n    <bogus-device/>", 1);
    let u = uuid.clone();
    let err = block_on(conn.call(move |c| machine_xml::define(c, &u, &bad)))
        .expect_err("invalid XML must be refused");
    println!("refused: {}", err.raw);
    assert!(!err.raw.is_empty());
    // A machine that is gone is a failed read, not a refused edit.
    let err = block_on(conn.call(|c| machine_xml::read(c, "00000000-0000-0000-0000-000000000001")))
        .expect_err("no such machine");
    assert_eq!(err.kind, bilik::backend::ErrorKind::NoSuchDomain, "{err:?}");
    assert_eq!(virsh(&["dumpxml", "--inactive", VM]), before);
    cleanup();
}
