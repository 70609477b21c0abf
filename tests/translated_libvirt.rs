//! libvirt translates its messages (Debian's libvirt-l10n, installed in the dev root): with
//! libvirt speaking French, every error is still sorted into the right kind — by code,
//! domain and the facts of this computer, never by text — and gets the right advice.
//! Its own test binary: the locale is set for the whole process.

mod common;

use std::time::Duration;

use bilik::backend::{ErrorKind, Update};
use common::Conn;

fn failure(uri: &str) -> bilik::backend::BackendError {
    let c = Conn::open(uri);
    c.wait("ConnectFailed", Duration::from_secs(30), |u| match u {
        Update::ConnectFailed { error, .. } => Some(error.clone()),
        Update::Domains(_) => panic!("{uri} connected"),
        _ => None,
    })
    .0
}

#[test]
fn advice_is_right_when_libvirt_speaks_french() {
    // SAFETY: set before any other thread of this test binary starts using the locale.
    unsafe {
        std::env::set_var("LANGUAGE", "fr");
        std::env::set_var("LC_ALL", "fr_FR.UTF-8");
        assert!(
            !libc::setlocale(libc::LC_ALL, c"".as_ptr()).is_null(),
            "the fr_FR.UTF-8 locale is missing (build-aux/devenv generates it)"
        );
    }

    // The test driver runs in this process, so its words follow this process's locale
    // (the system daemon's follow the daemon's): it really speaks French here, or the test
    // would prove nothing.
    let e = failure("test:///nonexistent/node.xml");
    println!("test driver: {}", e.raw);
    assert!(
        !e.raw.contains("Failed to open file"),
        "libvirt did not translate: {}",
        e.raw
    );

    let e = failure("lxc:///system");
    println!("lxc: {}", e.raw);
    assert_eq!(e.kind, ErrorKind::DriverMissing, "{e:?}");
    let m = bilik::errors::connection_error("lxc:///system", &e);
    assert!(m.advice.contains("libvirt-daemon-system"), "{m:?}");

    // A closed port is found by Bilik's own check, whatever language ssh or libvirt speak.
    let e = failure("qemu+ssh://nobody@127.0.0.1:1/system?no_tty=1");
    println!("ssh: {}", e.raw);
    assert!(
        matches!(&e.kind, ErrorKind::Ssh(p) if matches!(**p,
            bilik::backend::remote::SshProblem::NoAnswer { port: 1, .. })),
        "{e:?}"
    );

    let e = failure("qemu+unix:///system?socket=/nonexistent/libvirt-sock");
    println!("socket: {}", e.raw);
    assert_eq!(e.kind, ErrorKind::DaemonNotRunning, "{e:?}");

    // Operations on an open connection (the test driver: real libvirt, no daemon).
    let conn = virt::connect::Connect::open(Some("test:///default")).expect("test driver");
    let err = conn
        .lookup_domain_by_name("no-such-machine")
        .map(drop)
        .map_err(|e| bilik::backend::BackendError::from_op(&e))
        .expect_err("no such machine");
    println!("lookup: {}", err.raw);
    assert_eq!(err.kind, ErrorKind::NoSuchDomain, "{err:?}");
    let running = conn
        .lookup_domain_by_name("test")
        .expect("the test machine");
    let err = bilik::backend::lifecycle::run(&running, bilik::backend::LifecycleAction::Start)
        .expect_err("already running");
    println!("start: {}", err.raw);
    assert_eq!(err.kind, ErrorKind::InvalidState, "{err:?}");
    let m = bilik::errors::action_error("test", bilik::backend::LifecycleAction::Start, &err);
    assert!(m.advice.contains("not in a state"), "{m:?}");
}
