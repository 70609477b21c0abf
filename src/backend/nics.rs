//! A machine's network cards: where each is plugged in (a virtual network, a bridge of
//! this computer, or user-mode networking), its model, MAC address, link state and the IP
//! addresses it has (DHCP leases, or the guest agent). Changes edit the definition in place
//! (losing nothing); adding, removing and the link state also apply live.

use std::ffi::CStr;

use virt::connect::Connect;
use virt::domain::Domain;
use virt::sys;

use super::error::{BackendError, ErrorKind};
use super::xml_edit::{escape_attr, EditError, XmlDoc};

/// Where a card is plugged in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NicSource {
    Network(String),
    Bridge(String),
    /// qemu's user-mode networking: no admin rights needed, not reachable from outside.
    User,
    /// Anything else (direct, vhostuser…): shown, not changed.
    Other(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Nic {
    pub mac: String,
    pub source: NicSource,
    pub model: String,
    pub link_up: bool,
    pub ips: Vec<String>,
}

/// A machine's cards and what they can be plugged into.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NicsInfo {
    pub nics: Vec<Nic>,
    pub running: bool,
    pub networks: Vec<String>,
    pub bridges: Vec<String>,
    /// A user session ("My user session"): user-mode networking is its usual choice.
    pub session: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NicChange {
    Add {
        source: NicSource,
        model: String,
    },
    Remove {
        mac: String,
    },
    /// Plug the card `mac` elsewhere, change its model or MAC (at the next start when the
    /// machine runs).
    Set {
        mac: String,
        source: NicSource,
        model: String,
        new_mac: String,
    },
    /// Link up or down, live (and in the definition).
    Link {
        mac: String,
        up: bool,
    },
}

/// What is wrong with a MAC address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MacProblem {
    Malformed,
    /// The lowest bit of the first byte is set: a group address, not a card's.
    Multicast,
    AllZero,
    /// Another card of the machine has it.
    Duplicate,
}

/// Checks a MAC address ("52:54:00:12:34:56"), lower-cased on success.
pub fn check_mac(mac: &str, others: &[String]) -> Result<String, MacProblem> {
    let m = mac.trim().to_lowercase();
    let bytes: Vec<&str> = m.split(':').collect();
    if bytes.len() != 6
        || !bytes
            .iter()
            .all(|b| b.len() == 2 && b.chars().all(|c| c.is_ascii_hexdigit()))
    {
        return Err(MacProblem::Malformed);
    }
    let first = u8::from_str_radix(bytes[0], 16).map_err(|_| MacProblem::Malformed)?;
    if first & 1 == 1 {
        return Err(MacProblem::Multicast);
    }
    if bytes.iter().all(|b| *b == "00") {
        return Err(MacProblem::AllZero);
    }
    if others.iter().any(|o| o.eq_ignore_ascii_case(&m)) {
        return Err(MacProblem::Duplicate);
    }
    Ok(m)
}

/// A new MAC address in QEMU's range (52:54:00), random.
pub fn random_mac() -> String {
    let mut b = [0u8; 3];
    let random = std::fs::File::open("/dev/urandom").and_then(|mut f| {
        use std::io::Read;
        f.read_exact(&mut b)
    });
    if random.is_err() {
        // Without /dev/urandom, the clock's nanoseconds still differ from call to call.
        let n = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        b = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
    }
    format!("52:54:00:{:02x}:{:02x}:{:02x}", b[0], b[1], b[2])
}

fn source_xml(source: &NicSource) -> Option<String> {
    match source {
        NicSource::Network(n) => Some(format!("<source network='{}'/>", escape_attr(n))),
        NicSource::Bridge(b) => Some(format!("<source bridge='{}'/>", escape_attr(b))),
        _ => None,
    }
}

fn source_type(source: &NicSource) -> &str {
    match source {
        NicSource::Network(_) => "network",
        NicSource::Bridge(_) => "bridge",
        NicSource::User => "user",
        NicSource::Other(t) => t,
    }
}

/// The `<interface>` element of a new card.
pub fn interface_xml(source: &NicSource, model: &str, mac: &str) -> String {
    format!(
        "<interface type='{}'><mac address='{}'/>{}<model type='{}'/></interface>",
        source_type(source),
        escape_attr(mac),
        source_xml(source).unwrap_or_default(),
        escape_attr(model)
    )
}

/// The cards described in a domain XML.
pub fn nics(xml: &str) -> Vec<Nic> {
    let Ok(doc) = roxmltree::Document::parse(xml) else {
        return Vec::new();
    };
    let Some(devices) = doc
        .root_element()
        .children()
        .find(|c| c.has_tag_name("devices"))
    else {
        return Vec::new();
    };
    devices
        .children()
        .filter(|c| c.has_tag_name("interface"))
        .map(|i| {
            let child = |t: &str| i.children().find(|c| c.has_tag_name(t));
            let src = child("source");
            let kind = i.attribute("type").unwrap_or_default();
            let source = match kind {
                "network" => NicSource::Network(
                    src.and_then(|s| s.attribute("network"))
                        .unwrap_or_default()
                        .to_string(),
                ),
                "bridge" => NicSource::Bridge(
                    src.and_then(|s| s.attribute("bridge"))
                        .unwrap_or_default()
                        .to_string(),
                ),
                "user" => NicSource::User,
                other => NicSource::Other(other.to_string()),
            };
            Nic {
                mac: child("mac")
                    .and_then(|m| m.attribute("address"))
                    .unwrap_or_default()
                    .to_lowercase(),
                source,
                model: child("model")
                    .and_then(|m| m.attribute("type"))
                    .unwrap_or_default()
                    .to_string(),
                link_up: child("link").and_then(|l| l.attribute("state")) != Some("down"),
                ips: Vec::new(),
            }
        })
        .collect()
}

fn has_mac(mac: &str) -> impl Fn(roxmltree::Node) -> bool + '_ {
    move |n: roxmltree::Node| {
        n.children()
            .find(|c| c.has_tag_name("mac"))
            .and_then(|m| m.attribute("address"))
            .is_some_and(|a| a.eq_ignore_ascii_case(mac))
    }
}

/// Plugs the card `mac` into `source`, with `model` and `new_mac`, keeping everything else
/// of the element (PCI address, bandwidth, filters…).
pub fn set_nic(
    xml: &str,
    mac: &str,
    source: &NicSource,
    model: &str,
    new_mac: &str,
) -> Result<String, EditError> {
    let mut doc = XmlDoc::new(xml)?;
    let found = doc.edit_child_where(&["devices"], "interface", has_mac(mac), |i| {
        plug(i, source)?;
        i.ensure_child(&["interface"], "model", "<model type='virtio'/>")?;
        i.set_attr(&["interface", "model"], "type", model)?;
        i.ensure_child(&["interface"], "mac", "<mac address=''/>")?;
        i.set_attr(&["interface", "mac"], "address", new_mac)
    })?;
    if !found {
        return Err(EditError::NotFound(format!("interface {mac}")));
    }
    Ok(doc.into_text())
}

/// An `<interface>` element (as its own document) plugged into `source`; nothing else of
/// it changes, and nothing at all when it is already there.
fn plug(i: &mut XmlDoc, source: &NicSource) -> Result<(), EditError> {
    let current = nics(&format!("<domain><devices>{}</devices></domain>", i.text()));
    if current.first().map(|n| &n.source) == Some(source) {
        return Ok(());
    }
    i.set_attr(&["interface"], "type", source_type(source))?;
    if i.exists(&["interface", "source"]) {
        i.remove(&["interface", "source"])?;
    }
    if let Some(src) = source_xml(source) {
        i.append_child(&["interface"], &src)?;
    }
    Ok(())
}

/// Card `mac` on qemu's own user-mode network (private NAT inside the machine's process,
/// which any connection can start: a user session has no virtual networks), keeping its
/// MAC address, model and the rest of the element.
pub fn to_user_networking(xml: &str, mac: &str) -> Result<String, EditError> {
    let mut doc = XmlDoc::new(xml)?;
    if !doc.edit_child_where(&["devices"], "interface", has_mac(mac), |i| {
        plug(i, &NicSource::User)
    })? {
        return Err(EditError::NotFound(format!("interface {mac}")));
    }
    Ok(doc.into_text())
}

/// Sets the link state of card `mac` in a domain XML (or interface XML with `parent`).
pub fn set_link(xml: &str, mac: &str, up: bool) -> Result<String, EditError> {
    let mut doc = XmlDoc::new(xml)?;
    let state = if up { "up" } else { "down" };
    let found = doc.edit_child_where(&["devices"], "interface", has_mac(mac), |i| {
        i.ensure_child(&["interface"], "link", "<link state='up'/>")?;
        i.set_attr(&["interface", "link"], "state", state)
    })?;
    if !found {
        return Err(EditError::NotFound(format!("interface {mac}")));
    }
    Ok(doc.into_text())
}

/// The `<interface>` element of card `mac` in a domain XML, as text.
fn interface_text(xml: &str, mac: &str) -> Option<String> {
    let doc = roxmltree::Document::parse(xml).ok()?;
    let devices = doc
        .root_element()
        .children()
        .find(|c| c.has_tag_name("devices"))?;
    let node = devices
        .children()
        .find(|c| c.has_tag_name("interface") && has_mac(mac)(*c))?;
    Some(xml[node.range()].to_string())
}

/// (MAC, addresses) from libvirt's interface addresses for one source (lease / agent).
fn addresses(dom: &Domain, source: u32) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    // SAFETY: valid domain; libvirt allocates the array and the interfaces, which are freed
    // here with the matching functions (virt 0.5's wrapper leaks them).
    unsafe {
        let mut list: *mut sys::virDomainInterfacePtr = std::ptr::null_mut();
        let n = sys::virDomainInterfaceAddresses(dom.as_ptr(), &mut list, source, 0);
        if n < 0 {
            return out;
        }
        for i in 0..n as usize {
            let iface = *list.add(i);
            let mac = if (*iface).hwaddr.is_null() {
                String::new()
            } else {
                CStr::from_ptr((*iface).hwaddr)
                    .to_string_lossy()
                    .to_lowercase()
            };
            let mut ips = Vec::new();
            for a in 0..(*iface).naddrs as usize {
                let addr = (*iface).addrs.add(a);
                if !(*addr).addr.is_null() {
                    let ip = CStr::from_ptr((*addr).addr).to_string_lossy().into_owned();
                    // Loopback and link-local addresses say nothing useful.
                    if ip != "127.0.0.1" && ip != "::1" && !ip.starts_with("fe80:") {
                        ips.push(ip);
                    }
                }
            }
            out.push((mac, ips));
            sys::virDomainInterfaceFree(iface);
        }
        if !list.is_null() {
            libc::free(list as *mut libc::c_void);
        }
    }
    out
}

/// Whether `conn` is a user session ("My user session").
fn is_session(conn: &Connect) -> bool {
    conn.uri()
        .ok()
        .and_then(|u| super::uri::parse(&u).ok())
        .is_some_and(|p| p.path.starts_with("/session"))
}

/// Machine `uuid`'s network cards (with their addresses while it runs) and what they can
/// be plugged into.
pub fn info(conn: &Connect, uuid: &str) -> Result<NicsInfo, BackendError> {
    let read = |e: virt::error::Error| BackendError::from_read(&e);
    let dom = conn.lookup_domain_by_uuid_string(uuid).map_err(read)?;
    let running = dom.is_active().map_err(read)?;
    let inactive = dom.xml_desc(sys::VIR_DOMAIN_XML_INACTIVE).map_err(read)?;
    let mut list = nics(&inactive);
    if running {
        let live = nics(&dom.xml_desc(0).map_err(read)?);
        let mut found = addresses(&dom, sys::VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_LEASE);
        found.extend(addresses(
            &dom,
            sys::VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_AGENT,
        ));
        for n in &mut list {
            if let Some(l) = live.iter().find(|l| l.mac == n.mac) {
                n.link_up = l.link_up;
            }
            for (mac, ips) in &found {
                if *mac == n.mac {
                    for ip in ips {
                        if !n.ips.contains(ip) {
                            n.ips.push(ip.clone());
                        }
                    }
                }
            }
        }
    }
    let networks = conn
        .list_all_networks(0)
        .map_err(read)?
        .iter()
        .filter_map(|n| n.name().ok())
        .collect();
    Ok(NicsInfo {
        nics: list,
        running,
        networks,
        bridges: super::networks::host_bridges(),
        session: is_session(conn),
    })
}

/// Applies a card change; says whether it waits for the machine's next start.
pub fn change(
    conn: &Connect,
    uuid: &str,
    change: &NicChange,
) -> Result<super::definition::Saved, BackendError> {
    let op = |e: virt::error::Error| BackendError::from_op(&e);
    let bad = |e: EditError| BackendError::new(ErrorKind::Other, format!("{e:?}"));
    let dom = conn.lookup_domain_by_uuid_string(uuid).map_err(op)?;
    let name = dom.name().map_err(op)?;
    let running = dom.is_active().map_err(op)?;
    let persistent = dom.is_persistent().unwrap_or(true);
    let both = sys::VIR_DOMAIN_AFFECT_LIVE
        | if persistent {
            sys::VIR_DOMAIN_AFFECT_CONFIG
        } else {
            0
        };
    let inactive = dom
        .xml_desc(sys::VIR_DOMAIN_XML_INACTIVE | sys::VIR_DOMAIN_XML_SECURE)
        .map_err(op)?;
    let saved = |pending_restart| super::definition::Saved {
        name: name.clone(),
        pending_restart,
    };
    match change {
        NicChange::Add { source, model } => {
            let macs: Vec<String> = nics(&inactive).into_iter().map(|n| n.mac).collect();
            let mac = loop {
                let m = random_mac();
                if !macs.contains(&m) {
                    break m;
                }
            };
            let xml = interface_xml(source, model, &mac);
            if running {
                // Hot-plugged and kept: the same card (same MAC) in both.
                dom.attach_device_flags(&xml, both).map_err(op)?;
            } else {
                let mut doc = XmlDoc::new(inactive).map_err(bad)?;
                doc.append_child(&["devices"], &xml).map_err(bad)?;
                conn.define_domain_xml(doc.text()).map_err(op)?;
            }
            Ok(saved(false))
        }
        NicChange::Remove { mac } => {
            if running {
                let live = dom.xml_desc(0).map_err(op)?;
                let iface = interface_text(&live, mac)
                    .ok_or_else(|| BackendError::new(ErrorKind::Other, format!("no card {mac}")))?;
                dom.detach_device_flags(&iface, both).map_err(op)?;
                // The guest's system must let go of the card; until it does (or when it
                // runs no system) the card stays until the next shutdown.
                let still = dom
                    .xml_desc(0)
                    .map(|x| interface_text(&x, mac).is_some())
                    .unwrap_or(false);
                return Ok(saved(still));
            }
            let mut doc = XmlDoc::new(inactive).map_err(bad)?;
            doc.remove_child_where(&["devices"], "interface", has_mac(mac))
                .map_err(bad)?;
            conn.define_domain_xml(doc.text()).map_err(op)?;
            Ok(saved(false))
        }
        NicChange::Set {
            mac,
            source,
            model,
            new_mac,
        } => {
            let others: Vec<String> = nics(&inactive)
                .into_iter()
                .map(|n| n.mac)
                .filter(|m| !m.eq_ignore_ascii_case(mac))
                .collect();
            let new_mac = check_mac(new_mac, &others)
                .map_err(|p| BackendError::new(ErrorKind::Other, format!("MAC address: {p:?}")))?;
            let edited = set_nic(&inactive, mac, source, model, &new_mac).map_err(bad)?;
            conn.define_domain_xml(&edited).map_err(op)?;
            Ok(saved(running))
        }
        NicChange::Link { mac, up } => {
            if running {
                let live = dom.xml_desc(0).map_err(op)?;
                let edited = set_link(&live, mac, *up).map_err(bad)?;
                let iface = interface_text(&edited, mac)
                    .ok_or_else(|| BackendError::new(ErrorKind::Other, format!("no card {mac}")))?;
                dom.update_device_flags(&iface, sys::VIR_DOMAIN_AFFECT_LIVE)
                    .map_err(op)?;
            }
            if persistent {
                let edited = set_link(&inactive, mac, *up).map_err(bad)?;
                conn.define_domain_xml(&edited).map_err(op)?;
            }
            Ok(saved(false))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn macs() {
        assert_eq!(
            check_mac("52:54:00:AB:cd:01", &[]),
            Ok("52:54:00:ab:cd:01".into())
        );
        assert_eq!(check_mac("52:54:00:ab:cd", &[]), Err(MacProblem::Malformed));
        assert_eq!(
            check_mac("01:00:5e:00:00:01", &[]),
            Err(MacProblem::Multicast)
        );
        assert_eq!(
            check_mac("00:00:00:00:00:00", &[]),
            Err(MacProblem::AllZero)
        );
        assert_eq!(
            check_mac("52:54:00:00:00:01", &["52:54:00:00:00:01".into()]),
            Err(MacProblem::Duplicate)
        );
        assert!(check_mac(&random_mac(), &[]).is_ok());
    }

    #[test]
    fn set_nic_keeps_the_rest() {
        let xml = "<domain><devices>\n    <interface type='network'>\n      <mac address='52:54:00:00:00:01'/>\n      <source network='default'/>\n      <bandwidth><inbound average='1000'/></bandwidth>\n      <model type='e1000e'/>\n      <address type='pci' bus='0x01'/>\n    </interface>\n  </devices></domain>";
        let out = set_nic(
            xml,
            "52:54:00:00:00:01",
            &NicSource::User,
            "virtio",
            "52:54:00:00:00:02",
        )
        .unwrap();
        assert!(out.contains("<interface type='user'>"));
        assert!(!out.contains("<source"));
        assert!(out.contains("<bandwidth><inbound average='1000'/></bandwidth>"));
        assert!(out.contains("<address type='pci' bus='0x01'/>"));
        assert!(out.contains("<model type='virtio'/>"));
        assert!(out.contains("52:54:00:00:00:02"));
        let down = set_link(&out, "52:54:00:00:00:02", false).unwrap();
        assert!(down.contains("<link state='down'/>"));
        assert!(!nics(&down)[0].link_up);
    }

    #[test]
    fn user_networking_keeps_mac_model_and_address() {
        let xml = "<domain><devices><interface type='network'><mac address='52:54:00:00:00:01'/><source network='default' portgroup='x'/><model type='e1000e'/><address type='pci' bus='0x01'/></interface><interface type='bridge'><mac address='52:54:00:00:00:02'/><source bridge='br0'/></interface></devices></domain>";
        let out = to_user_networking(xml, "52:54:00:00:00:01").unwrap();
        assert_eq!(
            out,
            "<domain><devices><interface type='user'><mac address='52:54:00:00:00:01'/><model type='e1000e'/><address type='pci' bus='0x01'/></interface><interface type='bridge'><mac address='52:54:00:00:00:02'/><source bridge='br0'/></interface></devices></domain>"
        );
        assert_eq!(to_user_networking(&out, "52:54:00:00:00:01").unwrap(), out);
        assert!(to_user_networking(xml, "52:54:00:00:00:09").is_err());
    }
}
