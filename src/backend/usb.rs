//! USB devices of this computer, handed to a machine. libvirt lists them as node devices
//! (`usb_device` capability); attaching one means a `<hostdev type='usb'>` on the machine,
//! and while attached the device is gone from this computer.

/// A USB device of the host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsbDevice {
    /// libvirt's node device name (`usb_1_4`).
    pub name: String,
    pub vendor: String,
    pub product: String,
    /// `0x046d`-style ids.
    pub vendor_id: String,
    pub product_id: String,
    pub bus: u32,
    pub device: u32,
}

impl UsbDevice {
    /// What a person recognises: "Logitech, Inc. — USB Receiver".
    pub fn label(&self) -> String {
        match (self.vendor.is_empty(), self.product.is_empty()) {
            (false, false) => format!("{} — {}", self.vendor, self.product),
            (false, true) => self.vendor.clone(),
            (true, false) => self.product.clone(),
            (true, true) => format!("{}:{}", self.vendor_id, self.product_id),
        }
    }
}

/// Reads one node device XML (`virsh nodedev-dumpxml`); None if it is not a USB device.
pub fn parse_node_device(xml: &str) -> Option<UsbDevice> {
    let doc = roxmltree::Document::parse(xml).ok()?;
    let root = doc.root_element();
    let name = root
        .children()
        .find(|c| c.has_tag_name("name"))?
        .text()?
        .to_string();
    let cap = root
        .children()
        .find(|c| c.has_tag_name("capability") && c.attribute("type") == Some("usb_device"))?;
    let child = |n: &str| cap.children().find(|c| c.has_tag_name(n));
    let num = |n: &str| {
        child(n)
            .and_then(|c| c.text())
            .and_then(|t| t.trim().parse().ok())
    };
    Some(UsbDevice {
        name,
        vendor: child("vendor")
            .and_then(|c| c.text())
            .unwrap_or_default()
            .trim()
            .to_string(),
        product: child("product")
            .and_then(|c| c.text())
            .unwrap_or_default()
            .trim()
            .to_string(),
        vendor_id: child("vendor")?.attribute("id")?.to_string(),
        product_id: child("product")?.attribute("id")?.to_string(),
        bus: num("bus")?,
        device: num("device")?,
    })
}

/// The `<hostdev>` that gives `dev` to a machine (by bus address, so two identical sticks
/// are told apart).
pub fn hostdev_xml(dev: &UsbDevice) -> String {
    format!(
        "<hostdev mode='subsystem' type='usb' managed='yes'><source><vendor id='{}'/><product id='{}'/><address bus='{}' device='{}'/></source></hostdev>",
        dev.vendor_id, dev.product_id, dev.bus, dev.device
    )
}

/// Whether the machine's XML has `dev` attached (same vendor, product and address).
pub fn is_attached(domain_xml: &str, dev: &UsbDevice) -> bool {
    let Ok(doc) = roxmltree::Document::parse(domain_xml) else {
        return false;
    };
    doc.descendants()
        .filter(|n| n.has_tag_name("hostdev") && n.attribute("type") == Some("usb"))
        .filter_map(|h| h.children().find(|c| c.has_tag_name("source")))
        .any(|src| {
            let attr = |tag: &str, a: &str| {
                src.children()
                    .find(|c| c.has_tag_name(tag))
                    .and_then(|c| c.attribute(a))
                    .map(str::to_string)
            };
            let same_ids = attr("vendor", "id").as_deref() == Some(dev.vendor_id.as_str())
                && attr("product", "id").as_deref() == Some(dev.product_id.as_str());
            let address = attr("address", "bus").zip(attr("address", "device"));
            same_ids
                && address
                    .is_none_or(|(b, d)| b.parse() == Ok(dev.bus) && d.parse() == Ok(dev.device))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    const NODE: &str = "<device><name>usb_1_4</name><path>/sys/devices/x</path><parent>usb_usb1</parent>\
        <driver><name>usb</name></driver><capability type='usb_device'><bus>1</bus><device>4</device>\
        <product id='0xc52b'>Unifying Receiver</product><vendor id='0x046d'>Logitech, Inc.</vendor>\
        </capability></device>";

    #[test]
    fn parses_and_matches_attached_devices() {
        let d = parse_node_device(NODE).unwrap();
        assert_eq!(d.label(), "Logitech, Inc. — Unifying Receiver");
        assert_eq!((d.bus, d.device), (1, 4));
        let dom = format!("<domain><devices>{}</devices></domain>", hostdev_xml(&d));
        assert!(is_attached(&dom, &d));
        let other = UsbDevice {
            device: 5,
            ..d.clone()
        };
        assert!(!is_attached(&dom, &other));
        assert!(
            parse_node_device("<device><name>pci_0</name><capability type='pci'/></device>")
                .is_none()
        );
    }
}

/// The host's USB devices as a machine sees them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UsbState {
    /// Each device of this computer, with whether it is attached to the machine.
    pub devices: Vec<(UsbDevice, bool)>,
    /// Devices can be handed over only while the machine runs.
    pub running: bool,
}

/// The host's USB devices and which of them machine `uuid` has.
pub fn devices(conn: &virt::connect::Connect, uuid: &str) -> Result<UsbState, super::BackendError> {
    let read = |e: virt::error::Error| super::BackendError::from_read(&e);
    let dom = conn.lookup_domain_by_uuid_string(uuid).map_err(read)?;
    let live = dom.xml_desc(0).map_err(read)?;
    let devices = conn
        .list_all_node_devices(virt::sys::VIR_CONNECT_LIST_NODE_DEVICES_CAP_USB_DEV)
        .map_err(read)?
        .iter()
        .filter_map(|n| n.xml_desc(0).ok())
        .filter_map(|x| parse_node_device(&x))
        .map(|d| {
            let attached = is_attached(&live, &d);
            (d, attached)
        })
        .collect();
    Ok(UsbState {
        devices,
        running: dom.is_active().map_err(read)?,
    })
}

/// Attaches or detaches a host USB device (live; with `persistent`, the definition too).
pub fn change(
    conn: &virt::connect::Connect,
    uuid: &str,
    device: &UsbDevice,
    attach: bool,
    persistent: bool,
) -> Result<(), super::BackendError> {
    let op = |e: virt::error::Error| super::BackendError::from_op(&e);
    let dom = conn.lookup_domain_by_uuid_string(uuid).map_err(op)?;
    let xml = hostdev_xml(device);
    let mut flags = virt::sys::VIR_DOMAIN_AFFECT_LIVE;
    if persistent {
        flags |= virt::sys::VIR_DOMAIN_AFFECT_CONFIG;
    }
    if attach {
        dom.attach_device_flags(&xml, flags).map_err(op)
    } else {
        dom.detach_device_flags(&xml, flags).map_err(op)
    }
}
