//! The backend against libvirt's test driver: real libvirt, no daemon.

mod common;

use std::time::Duration;

use bilik::backend::{ErrorKind, LifecycleAction, Options, Request, Update, VmState};
use common::{node_file, scratch, Conn};

const T: Duration = Duration::from_secs(20);

fn changed(c: &Conn, uuid: &str, state: VmState) -> i32 {
    c.wait(&format!("{uuid} to become {state:?}"), T, |u| match u {
        Update::DomainChanged(d) if d.uuid == uuid && d.state == state => Some(d.reason),
        _ => None,
    })
    .0
}

#[test]
fn lists_thousands_of_machines_in_one_update() {
    let dir = scratch("list");
    let uri = node_file(&dir, 2000, 2);
    let c = Conn::open(&uri);
    let (uri_back, before) = c.wait("Connected", T, |u| match u {
        Update::Connected { uri } => Some(uri.clone()),
        _ => None,
    });
    assert!(
        before.iter().all(|u| matches!(u, Update::Connecting)),
        "{before:?}"
    );
    assert_eq!(uri_back, uri);
    let list = c.domains();
    assert_eq!(list.len(), 2000);
    let running = list.iter().filter(|d| d.state == VmState::Running).count();
    assert_eq!(running, 1000);
    assert!(list
        .iter()
        .any(|d| d.name == "vm-01999" && d.state == VmState::ShutOff));
    let mut uuids: Vec<_> = list.iter().map(|d| d.uuid.as_str()).collect();
    uuids.sort();
    uuids.dedup();
    assert_eq!(uuids.len(), 2000, "no duplicates");
}

#[test]
fn lifecycle_actions_arrive_as_events() {
    let dir = scratch("lifecycle");
    let c = Conn::open(&node_file(&dir, 3, 1));
    let list = c.domains();
    let first = list
        .iter()
        .find(|d| d.name == "vm-00000")
        .expect("vm-00000");
    let vm = first.uuid.clone();
    assert_eq!(first.state, VmState::Running);
    // As the window asks: a typed call; success shows through the lifecycle events.
    let conn = c.handle.connection();
    let try_act = |action| {
        let u = vm.clone();
        common::block_on(conn.call(move |c| bilik::backend::lifecycle::act(c, &u, action)))
    };
    let act = |action| try_act(action).expect("the action");

    act(LifecycleAction::Pause);
    assert_eq!(changed(&c, &vm, VmState::Paused), 1, "paused by the user");
    act(LifecycleAction::Resume);
    changed(&c, &vm, VmState::Running);
    act(LifecycleAction::ForceOff);
    assert_eq!(changed(&c, &vm, VmState::ShutOff), 2, "reason: destroyed");
    // As the overview asks: the process's start (none here), else when the connection saw
    // the machine start.
    let started_at = |uuid: &str| {
        let u = uuid.to_string();
        let at = common::block_on(conn.call(move |c| bilik::backend::uptime::started_at(c, &u)))
            .expect("answered");
        at.or_else(|| conn.seen_start(uuid))
    };
    // Running since before Bilik connected: the test driver has no process to ask.
    let other = list
        .iter()
        .find(|d| d.name == "vm-00001")
        .expect("vm-00001");
    assert_eq!(other.state, VmState::Running);
    assert_eq!(started_at(&other.uuid), None);
    let before_start = std::time::SystemTime::now();
    act(LifecycleAction::Start);
    changed(&c, &vm, VmState::Running);
    // Seen starting: uptime counts from the event.
    let at = started_at(&vm).expect("the worker saw it start");
    assert!(at >= before_start && at <= std::time::SystemTime::now());
    act(LifecycleAction::Shutdown);
    assert_eq!(changed(&c, &vm, VmState::ShutOff), 1, "reason: shut down");

    // An action the state does not allow fails with a typed error and names the machine.
    let err = try_act(LifecycleAction::Pause).expect_err("a shut-off machine cannot pause");
    assert_eq!(err.kind, ErrorKind::InvalidState, "{err:?}");
    assert!(!err.raw.is_empty());
    let m = bilik::errors::action_error("vm-00000", LifecycleAction::Pause, &err);
    assert!(m.title.contains("vm-00000"), "{m:?}");
}

#[test]
fn delete_keeps_disks_unless_chosen_by_name() {
    let dir = scratch("delete");
    let c = Conn::open(&node_file(&dir, 2, 0));
    let mut list = c.domains();
    list.sort_by(|a, b| a.name.cmp(&b.name));
    for (i, d) in list.iter().enumerate() {
        let conn = c.handle.connection();
        let u = d.uuid.clone();
        let disks = common::block_on(conn.call(move |c| bilik::backend::lifecycle::disks(c, &u)))
            .expect("the disks");
        assert_eq!(disks.len(), 1);
        let path = disks[0].path.clone();
        assert_eq!(path, format!("/pool/vm-{i:05}.qcow2"));
        // The first machine is deleted alone, the second with its disk.
        let chosen = if i == 0 { vec![] } else { vec![path] };
        let u = d.uuid.clone();
        common::block_on(conn.call(move |c| bilik::backend::lifecycle::delete(c, &u, &chosen)))
            .expect("deleted");
        c.wait("DomainRemoved", T, |u| match u {
            Update::DomainRemoved { uuid } if *uuid == d.uuid => Some(()),
            _ => None,
        });
    }
    c.handle.send(Request::Reload);
    assert!(c.domains().is_empty());
}

#[test]
fn no_statistics_updates_without_figures() {
    // The test driver answers the bulk statistics call with the "state" group only: no CPU
    // or memory figures. Bilik then sends the UI nothing (no empty rounds of thousands of
    // rows); tests/backend_system.rs checks real figures from qemu.
    let dir = scratch("stats");
    let options = Options {
        stats_interval: Duration::from_millis(100),
        ..Options::default()
    };
    let c = Conn::open_with(&node_file(&dir, 10, 2), options);
    let list = c.domains();
    assert_eq!(
        list.iter().filter(|d| d.state == VmState::Running).count(),
        5
    );
    std::thread::sleep(Duration::from_millis(1000));
    let later: Vec<Update> = c.rx.try_iter().collect();
    assert!(
        !later.iter().any(|u| matches!(u, Update::Stats(_))),
        "{later:?}"
    );
}

#[test]
fn bad_uris_and_missing_files_are_explained() {
    let err = bilik::backend::ConnectionHandle::open(
        "qemu:///sys-tem",
        Options::default(),
        Box::new(|_| {}),
    )
    .err()
    .expect("invalid URI is refused before connecting");
    assert!(matches!(err.kind, ErrorKind::InvalidUri(_)));
    let msg = bilik::errors::connection_error("qemu:///sys-tem", &err);
    assert!(
        msg.advice.contains("/sys-tem") && msg.advice.contains("/system"),
        "{msg:?}"
    );

    let c = Conn::open("test:///nonexistent/node.xml");
    let (error, _) = c.wait("ConnectFailed", T, |u| match u {
        Update::ConnectFailed { error, retrying_in } => {
            assert!(
                retrying_in.is_none(),
                "no automatic retry of a first failure"
            );
            Some(error.clone())
        }
        _ => None,
    });
    assert!(error.raw.contains("nonexistent"), "{error:?}");
}

#[test]
fn many_connections_open_and_close_cleanly() {
    let dir = scratch("churn");
    let uri = node_file(&dir, 5, 1);
    for _ in 0..30 {
        let c = Conn::open(&uri);
        assert_eq!(c.domains().len(), 5);
    }
}

#[test]
fn usb_devices_are_listed_and_refusals_explained() {
    let dir = scratch("usb");
    let path = dir.join("usb.xml");
    std::fs::write(
        &path,
        "<node>\
         <domain type='test'><name>usbvm</name><memory>1024</memory><os><type>hvm</type></os>\
         <devices><controller type='usb' index='0' model='piix3-uhci'/></devices></domain>\
         <device><name>usb_1_4</name><parent>computer</parent><capability type='usb_device'>\
         <bus>1</bus><device>4</device><product id='0xc52b'>Unifying Receiver</product>\
         <vendor id='0x046d'>Logitech, Inc.</vendor></capability></device>\
         <device><name>usb_2_7</name><parent>computer</parent><capability type='usb_device'>\
         <bus>2</bus><device>7</device><product id='0x5591'>Ultra Fit</product>\
         <vendor id='0x0781'>SanDisk Corp.</vendor></capability></device>\
         </node>",
    )
    .unwrap();
    let c = Conn::open(&format!("test://{}", path.display()));
    let uuid = c.domains()[0].uuid.clone();
    let conn = c.handle.connection();
    let u = uuid.clone();
    let state = common::block_on(conn.call(move |c| bilik::backend::usb::devices(c, &u)))
        .expect("the devices");
    assert!(state.running);
    let devices = state.devices;
    let mut labels: Vec<_> = devices.iter().map(|(d, a)| (d.label(), *a)).collect();
    labels.sort();
    assert_eq!(
        labels,
        [
            ("Logitech, Inc. — Unifying Receiver".to_string(), false),
            ("SanDisk Corp. — Ultra Fit".to_string(), false)
        ]
    );
    // The test driver cannot hot-plug host devices: the refusal comes back typed, with
    // libvirt's words for the details.
    let (u, d) = (uuid.clone(), devices[0].0.clone());
    let error =
        common::block_on(conn.call(move |c| bilik::backend::usb::change(c, &u, &d, true, false)))
            .expect_err("the test driver cannot hot-plug");
    println!("refused: {error:?}");
    assert!(!error.raw.is_empty(), "{error:?}");
    let m = bilik::errors::usb_error("usbvm", &error);
    assert!(m.title.contains("usbvm"), "{m:?}");
}

/// A failed read is said as a read failure: reading the cards or the snapshots of a
/// machine that is gone was once reported as "Could not change …".
#[test]
fn a_failed_read_is_not_a_failed_change() {
    let c = Conn::open("test:///default");
    c.domains();
    let conn = c.handle.connection();
    let gone = "00000000-0000-0000-0000-0000000000aa";
    let e = common::block_on(conn.call(|c| bilik::backend::nics::info(c, gone)))
        .expect_err("no such machine");
    assert_eq!(e.kind, ErrorKind::NoSuchDomain, "{e:?}");
    let m = bilik::errors::read_error(&e);
    assert!(!m.title.contains("change"), "{m:?}");
    let e = common::block_on(conn.call(|c| bilik::backend::snapshots::list(c, gone)))
        .expect_err("no such machine");
    assert_eq!(e.kind, ErrorKind::NoSuchDomain, "{e:?}");
    let e = common::block_on(conn.call(|c| bilik::backend::details::hardware(c, gone)))
        .expect_err("no such machine");
    assert_eq!(e.kind, ErrorKind::NoSuchDomain, "{e:?}");
}
