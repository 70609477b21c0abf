//! USB devices on the real system libvirtd: attach the host's first USB device to a running
//! machine and detach it again, checked in the live XML. Skipped, saying so, when the host
//! has no USB device (as the CI machines: no USB bus at all).

mod common;

use bilik::backend::usb;
use common::{block_on, virsh_try, Conn};

const URI: &str = common::SYSTEM;
const VM: &str = "bilik-usb-vm";

#[test]
#[ignore = "needs the system libvirtd"]
fn attach_and_detach_a_host_usb_device() {
    let xml = format!(
        "<domain type='kvm'><name>{VM}</name><memory unit='MiB'>64</memory>\
         <os><type arch='x86_64'>hvm</type></os><devices>\
         <controller type='usb' model='qemu-xhci'/></devices></domain>"
    );
    std::fs::write("/tmp/bilik-usb-vm.xml", xml).unwrap();
    virsh_try(&["destroy", VM]);
    virsh_try(&["undefine", VM]);
    virsh_try(&["define", "/tmp/bilik-usb-vm.xml"]);
    virsh_try(&["start", VM]);
    let uuid = virsh_try(&["domuuid", VM]).1.trim().to_string();
    let c = Conn::open(URI);
    c.domains();
    let conn = c.handle.connection();
    let list = |_: &Conn| {
        let u = uuid.clone();
        let state = block_on(conn.call(move |c| usb::devices(c, &u))).expect("the devices");
        assert!(state.running);
        state.devices
    };
    let change = |dev: &bilik::backend::usb::UsbDevice, attach: bool| {
        let (u, d) = (uuid.clone(), dev.clone());
        block_on(conn.call(move |c| usb::change(c, &u, &d, attach, false))).expect("changed");
    };
    let devices = list(&c);
    // The list matches libvirt's own.
    let names: Vec<String> = virsh_try(&["nodedev-list", "--cap", "usb_device"])
        .1
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_string)
        .collect();
    assert_eq!(devices.len(), names.len());
    if let Some((dev, attached)) = devices.first().cloned() {
        assert!(!attached);
        change(&dev, true);
        assert!(list(&c).iter().any(|(d, a)| *d == dev && *a), "attached");
        assert!(virsh_try(&["dumpxml", VM]).1.contains(&dev.vendor_id));
        change(&dev, false);
        assert!(list(&c).iter().all(|(d, a)| *d != dev || !*a), "detached");
    } else {
        eprintln!("skipped attach/detach: this host has no USB device (nodedev-list --cap usb_device is empty)");
    }
    virsh_try(&["destroy", VM]);
    virsh_try(&["undefine", VM]);
}
