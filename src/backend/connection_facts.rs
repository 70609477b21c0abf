//! What a connection is, for its header menu (as virt-manager's Connection Details shows
//! it): the computer's name, the hypervisor and its version, libvirt's version there, and
//! the computer's processors and memory. Read once each time the connection opens.

use virt::connect::Connect;

use super::error::BackendError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionFacts {
    /// The computer's name ("build-01").
    pub hostname: String,
    /// The driver libvirt names ("QEMU", "TEST").
    pub hypervisor: String,
    /// Its version ("10.0.0"), when the driver says.
    pub hypervisor_version: Option<String>,
    /// libvirt's version on that computer (the daemon's, over a remote connection).
    pub libvirt_version: String,
    /// Logical processors and memory (KiB) of the computer.
    pub cpus: u32,
    pub memory_kib: u64,
}

/// libvirt's versions are one number: major × 1 000 000 + minor × 1000 + release.
fn version(v: u32) -> String {
    format!("{}.{}.{}", v / 1_000_000, (v / 1000) % 1000, v % 1000)
}

/// Reads them (each a call to the daemon; a part the driver does not give stays empty).
pub fn read(conn: &Connect) -> Result<ConnectionFacts, BackendError> {
    let op = |e: virt::error::Error| BackendError::from_op(&e);
    let node = conn.node_info().map_err(op)?;
    // This computer's name from the kernel: libvirt's own asks the name service for the
    // full name, which can wait seconds (and logs a warning) where the name does not
    // resolve — common on desktops. A remote daemon's comes from the daemon.
    let local = conn
        .uri()
        .is_ok_and(|u| super::uri::local_and_session(&u).0);
    let kernel_name = local
        .then(|| std::fs::read_to_string("/proc/sys/kernel/hostname").ok())
        .flatten();
    let hostname = match kernel_name {
        Some(name) => name.trim().to_string(),
        None => conn.hostname().map_err(op)?,
    };
    Ok(ConnectionFacts {
        hostname,
        hypervisor: conn.driver_type().map_err(op)?,
        // 0 is "unknown" (a driver without a version).
        hypervisor_version: conn.hyp_version().ok().filter(|v| *v > 0).map(version),
        libvirt_version: version(conn.lib_version().map_err(op)?),
        cpus: node.cpus,
        memory_kib: node.memory,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_in_words() {
        assert_eq!(version(11_003_000), "11.3.0");
        assert_eq!(version(10_000_001), "10.0.1");
    }

    #[test]
    fn the_test_driver_answers() {
        let conn = Connect::open(Some("test:///default")).expect("libvirt's test driver");
        let facts = read(&conn).expect("facts");
        assert_eq!(facts.hypervisor, "TEST");
        assert!(facts.cpus > 0 && facts.memory_kib > 0, "{facts:?}");
        assert!(facts
            .libvirt_version
            .starts_with(|c: char| c.is_ascii_digit()));
        assert!(!facts.hostname.is_empty());
    }
}
