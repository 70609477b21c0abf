//! USB devices on the real system libvirtd: attach the host's first USB device to a running
//! machine and detach it again, checked in the live XML. Skipped, saying so, when the host
//! has no USB device (as the CI machines: no USB bus at all).

mod common;

use std::process::Command;
use std::time::Duration;

use bilik::backend::{Request, Update};
use common::Conn;

const URI: &str = "qemu:///system";
const VM: &str = "bilik-usb-vm";

fn virsh(args: &[&str]) -> String {
    let out = Command::new("virsh")
        .arg("-c")
        .arg(URI)
        .args(args)
        .output()
        .expect("virsh");
    String::from_utf8_lossy(&out.stdout).to_string()
}

#[test]
fn attach_and_detach_a_host_usb_device() {
    if std::env::var_os("BILIK_SYSTEM_LIBVIRT").is_none() {
        eprintln!("skipped: run through build-aux/test, which starts the system libvirtd");
        return;
    }
    let xml = format!(
        "<domain type='kvm'><name>{VM}</name><memory unit='MiB'>64</memory>\
         <os><type arch='x86_64'>hvm</type></os><devices>\
         <controller type='usb' model='qemu-xhci'/></devices></domain>"
    );
    std::fs::write("/tmp/bilik-usb-vm.xml", xml).unwrap();
    virsh(&["destroy", VM]);
    virsh(&["undefine", VM]);
    virsh(&["define", "/tmp/bilik-usb-vm.xml"]);
    virsh(&["start", VM]);
    let uuid = virsh(&["domuuid", VM]).trim().to_string();
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
    let names: Vec<String> = virsh(&["nodedev-list", "--cap", "usb_device"])
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
        assert!(virsh(&["dumpxml", VM]).contains(&dev.vendor_id));
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
    virsh(&["destroy", VM]);
    virsh(&["undefine", VM]);
}
