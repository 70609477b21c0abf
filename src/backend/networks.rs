//! Virtual networks: list them (mode, subnet, DHCP, attached machines), create NAT /
//! routed / isolated / bridged ones with checked subnets, start / stop / autostart /
//! delete, and read DHCP leases. The three ways a machine reaches the network, in the
//! user's notes' words: NAT (the host hides the guest behind its own address), routed (the
//! host routes between guest and outside), bridge (as if plugged into the same switch).

use std::collections::HashMap;
use std::ffi::CStr;
use std::net::Ipv4Addr;

use virt::connect::Connect;
use virt::network::Network;
use virt::sys;

use super::error::{BackendError, ErrorKind};
use super::xml_edit::escape_attr;

/// How a network reaches the outside.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NetMode {
    Nat,
    Routed,
    /// No way out: machines see each other and this computer only.
    Isolated,
    /// Machines join an existing bridge of this computer (forward mode bridge).
    Bridge(String),
}

impl NetMode {
    pub fn word(&self) -> &'static str {
        match self {
            NetMode::Nat => "nat",
            NetMode::Routed => "route",
            NetMode::Isolated => "isolated",
            NetMode::Bridge(_) => "bridge",
        }
    }
}

/// An IPv4 subnet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Subnet {
    pub network: u32,
    pub prefix: u8,
}

impl Subnet {
    fn mask(self) -> u32 {
        if self.prefix == 0 {
            0
        } else {
            u32::MAX << (32 - self.prefix)
        }
    }
    pub fn contains(self, ip: u32) -> bool {
        ip & self.mask() == self.network
    }
    pub fn overlaps(self, other: Subnet) -> bool {
        let p = self.prefix.min(other.prefix);
        let m = if p == 0 { 0 } else { u32::MAX << (32 - p) };
        self.network & m == other.network & m
    }
    pub fn broadcast(self) -> u32 {
        self.network | !self.mask()
    }
    /// The host's address on the network (first usable).
    pub fn gateway(self) -> u32 {
        self.network + 1
    }
    pub fn to_cidr(self) -> String {
        format!("{}/{}", Ipv4Addr::from(self.network), self.prefix)
    }
}

/// A network as shown on the Networks page.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NetworkInfo {
    pub name: String,
    /// libvirt's forward mode: nat, route, open, bridge…; "isolated" without one.
    pub mode: String,
    pub active: bool,
    pub autostart: bool,
    pub persistent: bool,
    /// The bridge device (virbr0), or the host bridge for bridge mode.
    pub bridge: String,
    pub ipv4: String,
    pub ipv6: String,
    pub dhcp: Option<(String, String)>,
    /// Machines with a card on this network.
    pub machines: Vec<String>,
}

/// One DHCP lease, with the machine that has the MAC address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    pub mac: String,
    pub ip: String,
    pub hostname: String,
    pub machine: Option<String>,
}

/// A network to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetSpec {
    pub name: String,
    pub mode: NetMode,
    /// "192.168.100.0/24" (not for bridge mode).
    pub subnet: String,
    pub dhcp: bool,
    /// Empty: the whole subnet after the host's address.
    pub dhcp_start: String,
    pub dhcp_end: String,
    pub autostart: bool,
}

/// Why a network request was refused, naming the field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NetProblem {
    BadName(super::new_vm::NameProblem),
    /// The subnet is not of the form a.b.c.d/n.
    BadSubnet,
    /// The prefix must leave room for machines (8…29).
    PrefixRange,
    /// Host bits set: the network address of that subnet.
    NotNetworkAddress(String),
    BadAddress(String),
    /// A DHCP address outside the subnet (or the host's / broadcast address).
    DhcpOutside(String),
    DhcpOrder,
    /// Overlaps a libvirt network or a route of this computer (its name).
    Overlap(String),
    MissingBridge,
    NoSuchBridge(String),
    /// Running machines use it (their names).
    InUse(Vec<String>),
}

pub fn parse_ip(s: &str) -> Option<u32> {
    s.trim().parse::<Ipv4Addr>().ok().map(u32::from)
}

/// Parses "a.b.c.d/n" (the network address of the subnet).
pub fn parse_subnet(s: &str) -> Result<Subnet, NetProblem> {
    let (ip, prefix) = s.trim().split_once('/').ok_or(NetProblem::BadSubnet)?;
    let ip = parse_ip(ip).ok_or(NetProblem::BadSubnet)?;
    let prefix: u8 = prefix.parse().map_err(|_| NetProblem::BadSubnet)?;
    if !(8..=29).contains(&prefix) {
        return Err(NetProblem::PrefixRange);
    }
    let net = Subnet {
        network: ip,
        prefix,
    };
    let real = Subnet {
        network: ip & net.mask(),
        prefix,
    };
    if real.network != ip {
        return Err(NetProblem::NotNetworkAddress(real.to_cidr()));
    }
    Ok(real)
}

/// The DHCP range for `subnet`: the given addresses, or everything after the host's.
pub fn dhcp_range(subnet: Subnet, start: &str, end: &str) -> Result<(u32, u32), NetProblem> {
    let first = subnet.gateway() + 1;
    let last = subnet.broadcast() - 1;
    let parse = |s: &str, default: u32| -> Result<u32, NetProblem> {
        if s.trim().is_empty() {
            return Ok(default);
        }
        let ip = parse_ip(s).ok_or_else(|| NetProblem::BadAddress(s.trim().to_string()))?;
        if !subnet.contains(ip) || ip < first || ip > last {
            return Err(NetProblem::DhcpOutside(s.trim().to_string()));
        }
        Ok(ip)
    };
    let (a, b) = (parse(start, first)?, parse(end, last)?);
    if a > b {
        return Err(NetProblem::DhcpOrder);
    }
    Ok((a, b))
}

/// IPv4 routes of this computer (interface, subnet) from /proc/net/route.
pub fn host_routes() -> Vec<(String, Subnet)> {
    let text = std::fs::read_to_string("/proc/net/route").unwrap_or_default();
    text.lines()
        .skip(1)
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            if f.len() < 8 {
                return None;
            }
            let dest = u32::from_str_radix(f[1], 16).ok()?.swap_bytes();
            let mask = u32::from_str_radix(f[7], 16).ok()?.swap_bytes();
            // The default route (0/0) overlaps everything and says nothing.
            (mask != 0).then(|| {
                (
                    f[0].to_string(),
                    Subnet {
                        network: dest & mask,
                        prefix: mask.count_ones() as u8,
                    },
                )
            })
        })
        .collect()
}

/// Bridges of this computer (for bridge mode): /sys/class/net/*/bridge.
pub fn host_bridges() -> Vec<String> {
    let mut out: Vec<String> = std::fs::read_dir("/sys/class/net")
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .filter(|e| e.path().join("bridge").is_dir())
                .filter_map(|e| e.file_name().into_string().ok())
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

fn subnet_of(ip: &str, prefix: &str, netmask: &str) -> Option<Subnet> {
    let ip = parse_ip(ip)?;
    let prefix = match prefix.parse::<u8>() {
        Ok(p) => p,
        Err(_) => parse_ip(netmask)?.count_ones() as u8,
    };
    let s = Subnet { network: 0, prefix };
    Some(Subnet {
        network: ip & s.mask(),
        prefix,
    })
}

/// The first private /24 (192.168.100.0 upwards) clear of `taken`.
pub fn free_subnet(taken: &[Subnet]) -> Subnet {
    (100u32..=254)
        .chain(1..100)
        .map(|c| Subnet {
            network: u32::from(Ipv4Addr::new(192, 168, c as u8, 0)),
            prefix: 24,
        })
        .find(|s| !taken.iter().any(|t| t.overlaps(*s)))
        .unwrap_or(Subnet {
            network: u32::from(Ipv4Addr::new(10, 200, 0, 0)),
            prefix: 24,
        })
}

/// The network XML for a checked spec.
pub fn network_xml(spec: &NetSpec, subnet: Option<Subnet>, dhcp: Option<(u32, u32)>) -> String {
    let mut s = format!("<network><name>{}</name>", escape_attr(&spec.name));
    match &spec.mode {
        NetMode::Nat => s.push_str("<forward mode='nat'/>"),
        NetMode::Routed => s.push_str("<forward mode='route'/>"),
        NetMode::Isolated => {}
        NetMode::Bridge(br) => {
            s.push_str(&format!(
                "<forward mode='bridge'/><bridge name='{}'/>",
                escape_attr(br)
            ));
        }
    }
    if let Some(net) = subnet {
        s.push_str(&format!(
            "<ip address='{}' prefix='{}'>",
            Ipv4Addr::from(net.gateway()),
            net.prefix
        ));
        if let Some((a, b)) = dhcp {
            s.push_str(&format!(
                "<dhcp><range start='{}' end='{}'/></dhcp>",
                Ipv4Addr::from(a),
                Ipv4Addr::from(b)
            ));
        }
        s.push_str("</ip>");
    }
    s.push_str("</network>");
    s
}

fn network_info(
    net: &Network,
    users: &HashMap<String, Vec<(String, bool)>>,
) -> Option<NetworkInfo> {
    let name = net.name().ok()?;
    let xml = net.xml_desc(0).ok()?;
    let doc = roxmltree::Document::parse(&xml).ok()?;
    let root = doc.root_element();
    fn child<'a, 'i>(n: roxmltree::Node<'a, 'i>, tag: &str) -> Option<roxmltree::Node<'a, 'i>> {
        n.children().find(|c| c.has_tag_name(tag))
    }
    let mode = child(root, "forward")
        .map(|f| f.attribute("mode").unwrap_or("nat").to_string())
        .unwrap_or_else(|| "isolated".to_string());
    let bridge = child(root, "bridge")
        .and_then(|b| b.attribute("name"))
        .unwrap_or_default()
        .to_string();
    let mut ipv4 = String::new();
    let mut ipv6 = String::new();
    let mut dhcp = None;
    for ip in root.children().filter(|c| c.has_tag_name("ip")) {
        let addr = ip.attribute("address").unwrap_or_default();
        let v6 = ip.attribute("family") == Some("ipv6");
        if v6 {
            ipv6 = format!("{addr}/{}", ip.attribute("prefix").unwrap_or("64"));
            continue;
        }
        if let Some(sn) = subnet_of(
            addr,
            ip.attribute("prefix").unwrap_or_default(),
            ip.attribute("netmask").unwrap_or_default(),
        ) {
            ipv4 = sn.to_cidr();
        }
        if let Some(r) = child(ip, "dhcp").and_then(|d| child(d, "range")) {
            dhcp = Some((
                r.attribute("start").unwrap_or_default().to_string(),
                r.attribute("end").unwrap_or_default().to_string(),
            ));
        }
    }
    let mut machines: Vec<String> = users
        .get(&name)
        .map(|u| u.iter().map(|(n, _)| n.clone()).collect())
        .unwrap_or_default();
    machines.sort();
    machines.dedup();
    Some(NetworkInfo {
        name,
        mode,
        active: net.is_active().unwrap_or(false),
        autostart: net.autostart().unwrap_or(false),
        persistent: net.is_persistent().unwrap_or(true),
        bridge,
        ipv4,
        ipv6,
        dhcp,
        machines,
    })
}

/// Machines (name, running) per network name.
type UsersByNetwork = HashMap<String, Vec<(String, bool)>>;

/// For each network name, the machines with a card on it (and whether they run); and
/// each MAC address's machine.
fn network_users(conn: &virt::connect::Connect) -> (UsersByNetwork, HashMap<String, String>) {
    let mut by_net: UsersByNetwork = HashMap::new();
    let mut by_mac = HashMap::new();
    let Ok(doms) = conn.list_all_domains(0) else {
        return (by_net, by_mac);
    };
    for d in doms {
        let (Ok(name), Ok(xml)) = (d.name(), d.xml_desc(0)) else {
            continue;
        };
        let running = d.is_active().unwrap_or(false);
        let Ok(doc) = roxmltree::Document::parse(&xml) else {
            continue;
        };
        for iface in doc.descendants().filter(|n| n.has_tag_name("interface")) {
            let source = iface.children().find(|c| c.has_tag_name("source"));
            if iface.attribute("type") == Some("network") {
                if let Some(net) = source.and_then(|s| s.attribute("network")) {
                    by_net
                        .entry(net.to_string())
                        .or_default()
                        .push((name.clone(), running));
                }
            }
            if let Some(mac) = iface
                .children()
                .find(|c| c.has_tag_name("mac"))
                .and_then(|m| m.attribute("address"))
            {
                by_mac.insert(mac.to_lowercase(), name.clone());
            }
        }
    }
    (by_net, by_mac)
}

/// The DHCP leases of `net` (libvirt's own dnsmasq bookkeeping).
fn leases(net: &Network) -> Result<Vec<(String, String, String)>, BackendError> {
    let mut out = Vec::new();
    // SAFETY: valid network pointer; libvirt allocates the array and each lease, which are
    // freed here with the matching functions.
    unsafe {
        let mut list: *mut sys::virNetworkDHCPLeasePtr = std::ptr::null_mut();
        let n = sys::virNetworkGetDHCPLeases(net.as_ptr(), std::ptr::null(), &mut list, 0);
        if n < 0 {
            return Err(BackendError::from_op(&virt::error::Error::last_error()));
        }
        let s = |p: *mut libc::c_char| {
            if p.is_null() {
                String::new()
            } else {
                CStr::from_ptr(p).to_string_lossy().into_owned()
            }
        };
        for i in 0..n as usize {
            let l = *list.add(i);
            out.push((s((*l).mac), s((*l).ipaddr), s((*l).hostname)));
            sys::virNetworkDHCPLeaseFree(l);
        }
        if !list.is_null() {
            libc::free(list as *mut libc::c_void);
        }
    }
    Ok(out)
}

/// What a network request did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NetDone {
    Created,
    Changed,
    Deleted,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NetAction {
    Start,
    Stop,
    Autostart(bool),
    Delete,
}

/// Why a network request did not go through: Bilik refused it (and says why), or libvirt
/// did.
#[derive(Debug, Clone)]
pub enum NetError {
    Refused(NetProblem),
    Libvirt(BackendError),
}

impl From<BackendError> for NetError {
    fn from(e: BackendError) -> Self {
        NetError::Libvirt(e)
    }
}

/// The virtual networks, this computer's bridges and a free subnet to propose.
#[derive(Debug, Clone, PartialEq)]
pub struct Overview {
    pub networks: Vec<NetworkInfo>,
    pub bridges: Vec<String>,
    pub free_subnet: String,
}

fn is_local(conn: &Connect) -> bool {
    conn.uri()
        .ok()
        .and_then(|u| super::uri::parse(&u).ok())
        .is_some_and(|u| u.is_local())
}

/// Why network `name` could not start, from the facts of this computer (libvirt's message
/// is translated): its DHCP helper is missing, or something else already uses its subnet.
fn network_obstacle(conn: &Connect, name: &str) -> Option<ErrorKind> {
    if !is_local(conn) {
        return None;
    }
    let dnsmasq = ["/usr/sbin/dnsmasq", "/usr/bin/dnsmasq", "/sbin/dnsmasq"]
        .iter()
        .any(|p| std::path::Path::new(p).exists());
    let net = conn.lookup_network_by_name(name).ok()?;
    let info = network_info(&net, &HashMap::new())?;
    let subnet = parse_subnet(&info.ipv4).ok()?;
    if !dnsmasq {
        return Some(ErrorKind::NetworkNoDhcpHelper);
    }
    taken_subnets(conn, Some(name))
        .iter()
        .any(|(_, taken)| taken.overlaps(subnet))
        .then_some(ErrorKind::NetworkSubnetTaken)
}

fn taken_subnets(conn: &Connect, except: Option<&str>) -> Vec<(String, Subnet)> {
    let mut taken: Vec<(String, Subnet)> = host_routes();
    match conn.list_all_networks(0) {
        Ok(nets) => {
            for n in nets {
                let Some(name) = n.name().ok() else { continue };
                if Some(name.as_str()) == except {
                    continue;
                }
                if let Some(sn) =
                    network_info(&n, &HashMap::new()).and_then(|i| parse_subnet(&i.ipv4).ok())
                {
                    taken.push((name, sn));
                }
            }
        }
        Err(e) => log::debug!("no network list for the subnet check ({e}): routes only"),
    }
    taken
}

/// The virtual networks, this computer's bridges and a free subnet.
pub fn overview(conn: &Connect) -> Result<Overview, BackendError> {
    let (users, _) = network_users(conn);
    let nets = conn
        .list_all_networks(0)
        .map_err(|e| BackendError::from_read(&e))?;
    let mut networks: Vec<NetworkInfo> = nets
        .iter()
        .filter_map(|n| network_info(n, &users))
        .collect();
    networks.sort_by(|a, b| a.name.cmp(&b.name));
    let taken: Vec<Subnet> = taken_subnets(conn, None).into_iter().map(|t| t.1).collect();
    Ok(Overview {
        networks,
        bridges: host_bridges(),
        free_subnet: free_subnet(&taken).to_cidr(),
    })
}

/// The addresses network `name` handed out, with the machine each card belongs to.
pub fn leases_of(conn: &Connect, name: &str) -> Result<Vec<Lease>, BackendError> {
    let (_, by_mac) = network_users(conn);
    let net = conn
        .lookup_network_by_name(name)
        .map_err(|e| BackendError::from_read(&e))?;
    Ok(leases(&net)?
        .into_iter()
        .map(|(mac, ip, hostname)| Lease {
            machine: by_mac.get(&mac.to_lowercase()).cloned(),
            mac,
            ip,
            hostname,
        })
        .collect())
}

/// Names a libvirt failure about network `name` from the facts.
fn explained(conn: &Connect, name: &str, e: &virt::error::Error) -> NetError {
    let mut error = BackendError::from_op(e);
    if error.kind == ErrorKind::Other {
        if let Some(kind) = network_obstacle(conn, name) {
            error.kind = kind;
        }
    }
    NetError::Libvirt(error)
}

/// Creates and starts a network; a bad name, subnet or bridge is refused before libvirt
/// is asked, and a network that does not start is removed again.
pub fn create(conn: &Connect, spec: &NetSpec) -> Result<(), NetError> {
    let existing: Vec<String> = conn
        .list_all_networks(0)
        .map_err(|e| BackendError::from_read(&e))?
        .iter()
        .filter_map(|n| n.name().ok())
        .collect();
    super::new_vm::check_name(&spec.name, &existing)
        .map_err(|e| NetError::Refused(NetProblem::BadName(e)))?;
    let (subnet, dhcp) = match &spec.mode {
        NetMode::Bridge(br) => {
            if br.trim().is_empty() {
                return Err(NetError::Refused(NetProblem::MissingBridge));
            }
            // Only this computer's bridges can be checked; a remote host's are its own.
            if is_local(conn) && !host_bridges().contains(br) {
                return Err(NetError::Refused(NetProblem::NoSuchBridge(br.clone())));
            }
            (None, None)
        }
        _ => {
            let sn = parse_subnet(&spec.subnet).map_err(NetError::Refused)?;
            if let Some((who, _)) = taken_subnets(conn, None)
                .into_iter()
                .find(|(_, t)| t.overlaps(sn))
            {
                return Err(NetError::Refused(NetProblem::Overlap(who)));
            }
            let dhcp = if spec.dhcp {
                Some(dhcp_range(sn, &spec.dhcp_start, &spec.dhcp_end).map_err(NetError::Refused)?)
            } else {
                None
            };
            (Some(sn), dhcp)
        }
    };
    let xml = network_xml(spec, subnet, dhcp);
    let net = conn
        .define_network_xml(&xml)
        .map_err(|e| NetError::Libvirt(BackendError::from_op(&e)))?;
    let started = net.create().and_then(|_| {
        if spec.autostart {
            net.set_autostart(true).map(|_| ())
        } else {
            Ok(())
        }
    });
    if let Err(e) = started {
        let err = explained(conn, &spec.name, &e);
        // Nothing half-made stays.
        if let Err(e) = net.destroy() {
            log::debug!("removing the network that did not start: stop: {e}");
        }
        if let Err(e) = net.undefine() {
            log::debug!("removing the network that did not start: undefine: {e}");
        }
        return Err(err);
    }
    Ok(())
}

/// Starts, stops, deletes network `name` or sets its autostart. Stopping or deleting a
/// network that running machines use is refused, naming them.
pub fn act(conn: &Connect, name: &str, action: &NetAction) -> Result<(), NetError> {
    let net = conn
        .lookup_network_by_name(name)
        .map_err(|e| NetError::Libvirt(BackendError::from_op(&e)))?;
    if matches!(action, NetAction::Stop | NetAction::Delete) {
        let (users, _) = network_users(conn);
        let running: Vec<String> = users
            .get(name)
            .map(|u| {
                u.iter()
                    .filter(|(_, r)| *r)
                    .map(|(n, _)| n.clone())
                    .collect()
            })
            .unwrap_or_default();
        if !running.is_empty() && net.is_active().unwrap_or(false) {
            return Err(NetError::Refused(NetProblem::InUse(running)));
        }
    }
    let r = match action {
        NetAction::Start => net.create().map(drop),
        NetAction::Stop => net.destroy(),
        NetAction::Autostart(on) => net.set_autostart(*on).map(|_| ()),
        NetAction::Delete => (|| {
            if net.is_active()? {
                net.destroy()?;
            }
            if net.is_persistent()? {
                net.undefine()?;
            }
            Ok(())
        })(),
    };
    r.map_err(|e| explained(conn, name, &e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subnets() {
        let s = parse_subnet("192.168.100.0/24").unwrap();
        assert_eq!(s.to_cidr(), "192.168.100.0/24");
        assert_eq!(parse_subnet("192.168.100.0"), Err(NetProblem::BadSubnet));
        assert_eq!(parse_subnet("192.168.300.0/24"), Err(NetProblem::BadSubnet));
        assert_eq!(parse_subnet("10.0.0.0/31"), Err(NetProblem::PrefixRange));
        assert_eq!(
            parse_subnet("192.168.100.7/24"),
            Err(NetProblem::NotNetworkAddress("192.168.100.0/24".into()))
        );
        assert!(s.overlaps(parse_subnet("192.168.100.128/25").unwrap()));
        assert!(!s.overlaps(parse_subnet("192.168.101.0/24").unwrap()));
        assert_eq!(
            dhcp_range(s, "", "").map(|(a, b)| (Ipv4Addr::from(a), Ipv4Addr::from(b))),
            Ok((
                Ipv4Addr::new(192, 168, 100, 2),
                Ipv4Addr::new(192, 168, 100, 254)
            ))
        );
        assert_eq!(
            dhcp_range(s, "192.168.101.5", ""),
            Err(NetProblem::DhcpOutside("192.168.101.5".into()))
        );
        assert_eq!(
            dhcp_range(s, "192.168.100.200", "192.168.100.100"),
            Err(NetProblem::DhcpOrder)
        );
        let taken = vec![parse_subnet("192.168.100.0/24").unwrap()];
        assert_eq!(free_subnet(&taken).to_cidr(), "192.168.101.0/24");
    }
}
