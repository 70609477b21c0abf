//! USB devices on the real system libvirtd: attach the host's first USB device to a running
//! machine and detach it again, checked in the live XML. Skipped, saying so, when the host
//! has no USB device (as the CI machines: no USB bus at all).

mod common;

use std::time::Duration;

use bilik::backend::{Request, Update};
use common::{virsh_try, Conn};

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
    let list = |c: &Conn| {
        c.handle.send(Request::UsbDevices { uuid: uuid.clone() });
        c.wait("UsbDevices", Duration::from_secs(20), |u| match u {
            Update::UsbDevices { devices, .. } => Some(devices.clone()),
            _ => None,
        })
        .0
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
        c.handle.send(Request::Usb {
            uuid: uuid.clone(),
            device: dev.clone(),
            attach: true,
            persistent: false,
        });
        assert!(list(&c).iter().any(|(d, a)| *d == dev && *a), "attached");
        assert!(virsh_try(&["dumpxml", VM]).1.contains(&dev.vendor_id));
        c.handle.send(Request::Usb {
            uuid: uuid.clone(),
            device: dev.clone(),
            attach: false,
            persistent: false,
        });
        assert!(list(&c).iter().all(|(d, a)| *d != dev || !*a), "detached");
    } else {
        eprintln!("skipped attach/detach: this host has no USB device (nodedev-list --cap usb_device is empty)");
    }
    virsh_try(&["destroy", VM]);
    virsh_try(&["undefine", VM]);
}
