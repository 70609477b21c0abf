//! Virtual networks on the real system libvirtd (which runs in its own network namespace:
//! nothing here touches the host's network): NAT, routed and isolated networks created and
//! checked with virsh, bad subnets and overlaps refused, a network-booting machine (iPXE,
//! emulated) getting a real DHCP lease that Bilik reads back, stopping a network in use
//! refused, and deleting.

mod common;

use std::time::{Duration, Instant};

use bilik::backend::networks::{self, NetAction, NetError, NetMode, NetProblem, NetSpec};
use common::{virsh, virsh_try, Conn};

const NETS: [&str; 4] = [
    "bilik-nat",
    "bilik-routed",
    "bilik-isolated",
    "bilik-overlap",
];
const VM: &str = "bilik-lease-vm";

fn spec(name: &str, mode: NetMode, subnet: &str) -> NetSpec {
    NetSpec {
        name: name.into(),
        mode,
        subnet: subnet.into(),
        dhcp: true,
        dhcp_start: String::new(),
        dhcp_end: String::new(),
        autostart: true,
    }
}

/// A change as the Networks dialog makes it (a typed call).
fn create(c: &Conn, spec: NetSpec) -> Result<(), NetError> {
    common::block_on(
        c.handle
            .connection()
            .call(move |c| Ok(networks::create(c, &spec))),
    )
    .expect("connected")
}

fn act(c: &Conn, name: &str, action: NetAction) -> Result<(), NetError> {
    let n = name.to_string();
    common::block_on(
        c.handle
            .connection()
            .call(move |c| Ok(networks::act(c, &n, &action))),
    )
    .expect("connected")
}

fn outcome(r: Result<(), NetError>) -> Result<(), String> {
    r.map_err(|e| format!("{e:?}"))
}

fn refused(r: Result<(), NetError>) -> NetProblem {
    match r {
        Err(NetError::Refused(p)) => p,
        other => panic!("should be refused, but {other:?}"),
    }
}

fn overview(c: &Conn) -> networks::Overview {
    common::block_on(c.handle.connection().call(networks::overview)).expect("the networks")
}

fn cleanup() {
    virsh_try(&["destroy", VM]);
    virsh_try(&["undefine", VM]);
    for n in NETS {
        virsh_try(&["net-destroy", n]);
        virsh_try(&["net-undefine", n]);
    }
}

#[test]
#[ignore = "needs the system libvirtd"]
fn networks_of_every_kind_and_a_real_lease() {
    cleanup();
    let c = Conn::open(common::SYSTEM);
    c.domains();
    let free = overview(&c).free_subnet;
    println!("proposed free subnet: {free}");
    assert!(networks::parse_subnet(&free).is_ok());

    let r = create(&c, spec("bilik-nat", NetMode::Nat, "192.168.150.0/24"));
    assert_eq!(outcome(r), Ok(()));
    let xml = virsh(&["net-dumpxml", "bilik-nat"]);
    for needle in [
        "<forward mode='nat'>",
        "<ip address='192.168.150.1' prefix='24'>",
        "<range start='192.168.150.2' end='192.168.150.254'/>",
    ] {
        assert!(xml.contains(needle), "{needle} missing:\n{xml}");
    }
    assert!(virsh(&["net-info", "bilik-nat"]).contains("Autostart:      yes"));

    // Overlaps: another libvirt network, and one of this computer's own routes.
    let r = create(
        &c,
        spec("bilik-overlap", NetMode::Nat, "192.168.150.128/25"),
    );
    assert_eq!(refused(r), NetProblem::Overlap("bilik-nat".into()));
    if let Some((iface, route)) = networks::host_routes()
        .into_iter()
        .find(|(_, s)| s.prefix >= 8)
    {
        let cidr = route.to_cidr();
        let cidr = if route.prefix > 29 {
            format!("{}/24", cidr.split('/').next().unwrap())
        } else {
            cidr
        };
        let r = create(&c, spec("bilik-overlap", NetMode::Nat, &cidr));
        let p = refused(r);
        println!("host route {iface} {cidr}: {p:?}");
        assert!(matches!(
            p,
            NetProblem::Overlap(_) | NetProblem::NotNetworkAddress(_)
        ));
    }
    // Malformed input, each named.
    for (subnet, want) in [
        ("192.168.160.0", NetProblem::BadSubnet),
        ("192.168.160.0/30", NetProblem::PrefixRange),
        (
            "192.168.160.9/24",
            NetProblem::NotNetworkAddress("192.168.160.0/24".into()),
        ),
    ] {
        let r = create(&c, spec("bilik-overlap", NetMode::Nat, subnet));
        assert_eq!(refused(r), want, "{subnet}");
    }
    let mut outside = spec("bilik-overlap", NetMode::Nat, "192.168.160.0/24");
    outside.dhcp_start = "192.168.161.10".into();
    let r = create(&c, outside);
    assert_eq!(refused(r), NetProblem::DhcpOutside("192.168.161.10".into()));
    let r = create(
        &c,
        spec(
            "bilik-overlap",
            NetMode::Bridge("bilik-no-such-br".into()),
            "",
        ),
    );
    assert_eq!(
        refused(r),
        NetProblem::NoSuchBridge("bilik-no-such-br".into())
    );
    assert!(!virsh_try(&["net-info", "bilik-overlap"]).0, "nothing made");

    // Routed and isolated.
    let r = create(
        &c,
        spec("bilik-routed", NetMode::Routed, "192.168.151.0/24"),
    );
    assert_eq!(outcome(r), Ok(()));
    assert!(virsh(&["net-dumpxml", "bilik-routed"]).contains("<forward mode='route'/>"));
    let mut iso = spec("bilik-isolated", NetMode::Isolated, "192.168.152.0/24");
    iso.dhcp = false;
    iso.autostart = false;
    let r = create(&c, iso);
    assert_eq!(outcome(r), Ok(()));
    let xml = virsh(&["net-dumpxml", "bilik-isolated"]);
    assert!(
        !xml.contains("<forward") && !xml.contains("<dhcp>"),
        "{xml}"
    );

    // A machine that boots from the network asks dnsmasq for an address (iPXE, emulated
    // so that nested KVM plays no part); Bilik reads the lease back with its name.
    let vm = format!(
        "<domain type='qemu'><name>{VM}</name><memory unit='MiB'>128</memory>\
         <os><type arch='x86_64'>hvm</type><boot dev='network'/></os><devices>\
         <interface type='network'><source network='bilik-nat'/><model type='virtio'/>\
         <mac address='52:54:00:be:11:01'/></interface></devices></domain>"
    );
    std::fs::write("/tmp/bilik-lease-vm.xml", vm).unwrap();
    virsh(&["define", "/tmp/bilik-lease-vm.xml"]);
    virsh(&["start", VM]);
    let t = Instant::now();
    let lease = loop {
        let leases = common::block_on(
            c.handle
                .connection()
                .call(|c| networks::leases_of(c, "bilik-nat")),
        )
        .expect("the leases");
        if let Some(l) = leases.into_iter().find(|l| l.mac == "52:54:00:be:11:01") {
            break l;
        }
        assert!(t.elapsed() < Duration::from_secs(90), "no lease after 90 s");
        std::thread::sleep(Duration::from_secs(2));
    };
    println!("lease after {:?}: {lease:?}", t.elapsed());
    assert!(lease.ip.starts_with("192.168.150."));
    assert_eq!(lease.machine.as_deref(), Some(VM));

    let nets = overview(&c).networks;
    let nat = nets.iter().find(|n| n.name == "bilik-nat").unwrap();
    assert_eq!(nat.machines, vec![VM.to_string()]);
    assert_eq!(nat.mode, "nat");
    assert_eq!(nat.ipv4, "192.168.150.0/24");

    // In use by a running machine: stopping or deleting is refused, naming it.
    let r = act(&c, "bilik-nat", NetAction::Stop);
    assert_eq!(refused(r), NetProblem::InUse(vec![VM.into()]));
    virsh(&["destroy", VM]);
    virsh(&["undefine", VM]);
    for n in ["bilik-nat", "bilik-routed", "bilik-isolated"] {
        let r = act(&c, n, NetAction::Delete);
        assert_eq!(outcome(r), Ok(()), "{n}");
        assert!(!virsh_try(&["net-info", n]).0);
    }
    cleanup();
}
