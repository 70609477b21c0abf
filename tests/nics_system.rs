//! A machine's network cards on the real system libvirtd (its own network namespace): a
//! network-booting machine (iPXE, emulated) on a NAT network shows the address it leased;
//! a user-mode card is hot-plugged and removed; the link goes down live; moving a card
//! elsewhere waits for the next start and changes only that card in the definition.

mod common;

use std::time::{Duration, Instant};

use bilik::backend::nics::{self, NicChange, NicSource, NicsInfo};
use common::{block_on, virsh, virsh_try, Conn};

const VM: &str = "bilik-nic-vm";
const NET: &str = "bilik-nic-net";
const MAC: &str = "52:54:00:be:22:01";

fn nics(c: &Conn, uuid: &str) -> NicsInfo {
    let u = uuid.to_string();
    block_on(c.handle.connection().call(move |c| nics::info(c, &u))).expect("the cards")
}

/// A card change as the panel makes it; whether it waits for the next start.
fn try_change(c: &Conn, uuid: &str, ch: NicChange) -> Result<bool, bilik::backend::BackendError> {
    let u = uuid.to_string();
    block_on(
        c.handle
            .connection()
            .call(move |c| nics::change(c, &u, &ch)),
    )
    .map(|s| s.pending_restart)
}

fn change(c: &Conn, uuid: &str, ch: NicChange) -> bool {
    try_change(c, uuid, ch).expect("changed")
}

fn cleanup() {
    virsh_try(&["destroy", VM]);
    virsh_try(&["undefine", VM]);
    virsh_try(&["net-destroy", NET]);
    virsh_try(&["net-undefine", NET]);
}

#[test]
#[ignore = "needs the system libvirtd"]
fn cards_live_and_in_the_definition() {
    cleanup();
    let net = format!(
        "<network><name>{NET}</name><forward mode='nat'/><ip address='192.168.155.1' \
         prefix='24'><dhcp><range start='192.168.155.10' end='192.168.155.99'/></dhcp></ip></network>"
    );
    std::fs::write("/tmp/bilik-nic-net.xml", net).unwrap();
    virsh(&["net-define", "/tmp/bilik-nic-net.xml"]);
    virsh(&["net-start", NET]);
    // A card with settings Bilik does not know (tune): they must survive its edits.
    let vm = format!(
        "<domain type='qemu'><name>{VM}</name><memory unit='MiB'>128</memory>\
         <os><type arch='x86_64'>hvm</type><boot dev='network'/></os>\
         <features><acpi/></features><devices>\
         <interface type='network'><mac address='{MAC}'/><source network='{NET}'/>\
         <tune><sndbuf>0</sndbuf></tune><model type='virtio'/></interface>\
         </devices></domain>"
    );
    std::fs::write("/tmp/bilik-nic-vm.xml", vm).unwrap();
    virsh(&["define", "/tmp/bilik-nic-vm.xml"]);
    virsh(&["start", VM]);
    let uuid = virsh(&["domuuid", VM]);
    let c = Conn::open(common::SYSTEM);
    c.domains();

    // The address iPXE leased shows on the card.
    let t = Instant::now();
    let info = loop {
        let info = nics(&c, &uuid);
        if info.nics.first().is_some_and(|n| !n.ips.is_empty()) {
            break info;
        }
        assert!(
            t.elapsed() < Duration::from_secs(90),
            "no address: {info:?}"
        );
        std::thread::sleep(Duration::from_secs(2));
    };
    println!("after {:?}: {info:?}", t.elapsed());
    assert!(info.running);
    assert!(info.networks.contains(&NET.to_string()));
    let card = &info.nics[0];
    assert_eq!(card.mac, MAC);
    assert_eq!(card.source, NicSource::Network(NET.into()));
    assert!(card.ips[0].starts_with("192.168.155."), "{:?}", card.ips);

    // Hot-plug a user-mode card: live and in the definition, same MAC.
    assert!(!change(
        &c,
        &uuid,
        NicChange::Add {
            source: NicSource::User,
            model: "e1000e".into()
        }
    ));
    let info = nics(&c, &uuid);
    assert_eq!(info.nics.len(), 2);
    let added = info.nics[1].mac.clone();
    assert!(virsh(&["dumpxml", VM]).contains(&added));
    assert!(virsh(&["dumpxml", "--inactive", VM]).contains(&added));

    // Link down, live.
    change(
        &c,
        &uuid,
        NicChange::Link {
            mac: MAC.into(),
            up: false,
        },
    );
    let live = virsh(&["dumpxml", VM]);
    assert!(live.contains("<link state='down'/>"), "{live}");
    assert!(!nics(&c, &uuid).nics[0].link_up);
    change(
        &c,
        &uuid,
        NicChange::Link {
            mac: MAC.into(),
            up: true,
        },
    );

    // Remove the hot-plugged card.
    // (Unplugging live needs the guest's system to let go of the card; this machine runs
    // no system, so only the definition is sure to lose it at once.)
    change(&c, &uuid, NicChange::Remove { mac: added.clone() });
    assert!(!virsh(&["dumpxml", "--inactive", VM]).contains(&added));
    println!(
        "still plugged in live after the request: {}",
        virsh(&["dumpxml", VM]).contains(&added)
    );

    // Move the first card to user-mode with a new model and MAC: waits for the next start,
    // and only that card's lines change in libvirt's canonical definition.
    let before = virsh(&["dumpxml", "--inactive", VM]);
    let pending = change(
        &c,
        &uuid,
        NicChange::Set {
            mac: MAC.into(),
            source: NicSource::User,
            model: "e1000e".into(),
            new_mac: "52:54:00:be:22:02".into(),
        },
    );
    assert!(pending, "a running machine takes it at the next start");
    let after = virsh(&["dumpxml", "--inactive", VM]);
    let removed: Vec<&str> = before.lines().filter(|l| !after.contains(l)).collect();
    let added_lines: Vec<&str> = after.lines().filter(|l| !before.contains(l)).collect();
    println!("removed {removed:#?}\nadded {added_lines:#?}");
    assert!(
        after.contains("<sndbuf>0</sndbuf>"),
        "unknown settings kept"
    );
    assert!(after.contains("<interface type='user'>"));
    for l in removed.iter().chain(added_lines.iter()) {
        assert!(
            l.contains("interface")
                || l.contains("mac address")
                || l.contains("source network")
                || l.contains("model type"),
            "unexpected change: {l}"
        );
    }
    // A bad MAC is refused and changes nothing.
    let err = try_change(
        &c,
        &uuid,
        NicChange::Set {
            mac: "52:54:00:be:22:02".into(),
            source: NicSource::User,
            model: "e1000e".into(),
            new_mac: "01:00:5e:00:00:01".into(),
        },
    )
    .expect_err("a multicast MAC must be refused");
    assert!(err.raw.contains("Multicast"), "{err:?}");
    assert_eq!(virsh(&["dumpxml", "--inactive", VM]), after);
    cleanup();
}
