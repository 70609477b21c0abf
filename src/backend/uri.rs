//! Checking a libvirt connection URI before handing it to libvirt, so that a typo such as
//! `qemu:///sys-tem` gets a sentence saying which part is wrong instead of libvirt's
//! terse "no connection driver available" or a long timeout.
//!
//! Form: `driver[+transport]://[user@][host[:port]]/path[?param=value&…]`
//! (see <https://libvirt.org/uri.html>).

/// Hypervisor drivers libvirt knows about.
const DRIVERS: &[&str] = &[
    "qemu",
    "test",
    "lxc",
    "xen",
    "libxl",
    "vbox",
    "vmwareplayer",
    "vmwarews",
    "vmwarefusion",
    "esx",
    "gsx",
    "vpx",
    "hyperv",
    "bhyve",
    "ch",
    "vz",
    "openvz",
    "parallels",
    "uml",
    "phyp",
];

/// Ways to reach a remote libvirt daemon.
const TRANSPORTS: &[&str] = &["unix", "ssh", "libssh", "libssh2", "tls", "tcp", "ext"];

/// A problem with a URI, precise enough to say which part is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UriError {
    Empty,
    /// Contains spaces or control characters.
    Whitespace,
    /// No `://` after the driver (e.g. `qemu:/system`, `qemu//system`).
    MissingSlashes,
    /// Unknown driver (`kvm:///system`).
    UnknownDriver(String),
    /// Unknown transport after `+` (`qemu+sh://host/system`).
    UnknownTransport(String),
    /// A QEMU URI whose path is not /system or /session (`qemu:///sys-tem`);
    /// carries the path and the closest valid one.
    BadQemuPath {
        path: String,
        suggestion: String,
    },
    /// `test://` needs `/default` or an absolute path to a node XML file.
    BadTestPath(String),
    /// A transport given for a local URI that needs a host (`qemu+ssh:///system`).
    TransportNeedsHost(String),
}

/// A URI that passed the checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedUri {
    pub driver: String,
    pub transport: Option<String>,
    pub host: Option<String>,
    pub path: String,
}

impl ParsedUri {
    /// True when the daemon is on this computer (no host part, or an explicit unix socket).
    pub fn is_local(&self) -> bool {
        self.host.is_none()
    }
}

/// Opens `uri`. A local user session is tried a second time after a moment when its
/// service did not answer: libvirt starts that service on demand, and one that is just
/// stopping after its idle time (120 s) refuses the first try.
pub fn open(uri: &str) -> Result<virt::connect::Connect, virt::error::Error> {
    match virt::connect::Connect::open(Some(uri)) {
        Err(e) if local_and_session(uri) == (true, true) => {
            log::debug!("the session service did not answer ({e}); once more");
            std::thread::sleep(std::time::Duration::from_millis(700));
            virt::connect::Connect::open(Some(uri))
        }
        other => other,
    }
}

/// How long opening a connection may take before Bilik says it is not answering.
pub const OPEN_TIME_LIMIT: std::time::Duration = std::time::Duration::from_secs(15);

/// Why [`open_within`] has no connection.
#[derive(Debug)]
pub enum OpenFailure {
    Libvirt(virt::error::Error),
    /// No answer within the time limit. The open goes on, abandoned, on a thread of its
    /// own; whatever it gets at last is closed there.
    NoAnswer(std::time::Duration),
}

/// [`open`] with a time limit: libvirt's open waits for ever for a service that accepts
/// and never answers (or a remote host that stopped answering).
pub fn open_within(
    uri: &str,
    limit: std::time::Duration,
) -> Result<virt::connect::Connect, OpenFailure> {
    let (tx, rx) = std::sync::mpsc::channel();
    let u = uri.to_string();
    let spawned = std::thread::Builder::new()
        .name("bilik-open".into())
        .spawn(move || {
            let result = open(&u);
            // No receiver: the caller stopped waiting; the connection (if any) closes here.
            if let Err(std::sync::mpsc::SendError(Ok(late))) = tx.send(result) {
                log::debug!("{u} answered after the time limit; closing that connection");
                drop(late);
            }
        });
    if let Err(e) = spawned {
        log::debug!("no thread to open {uri} on ({e}); opening without a time limit");
        return open(uri).map_err(OpenFailure::Libvirt);
    }
    match rx.recv_timeout(limit) {
        Ok(result) => result.map_err(OpenFailure::Libvirt),
        Err(_) => Err(OpenFailure::NoAnswer(limit)),
    }
}

/// Whether `uri` is on this computer, and whether it is a user session ("My user
/// session", a remote one too).
pub fn local_and_session(uri: &str) -> (bool, bool) {
    let parsed = parse(uri).ok();
    let local = parsed.as_ref().is_some_and(|p| p.is_local());
    let session = parsed
        .as_ref()
        .is_some_and(|p| p.path.starts_with("/session"));
    (local, session)
}

/// Checks `uri` and splits it into its parts.
pub fn parse(uri: &str) -> Result<ParsedUri, UriError> {
    let uri = uri.trim();
    if uri.is_empty() {
        return Err(UriError::Empty);
    }
    if uri.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(UriError::Whitespace);
    }
    let Some((scheme, rest)) = uri.split_once("://") else {
        return Err(UriError::MissingSlashes);
    };
    let (driver, transport) = match scheme.split_once('+') {
        Some((d, t)) => (d, Some(t)),
        None => (scheme, None),
    };
    let driver = driver.to_ascii_lowercase();
    if !DRIVERS.contains(&driver.as_str()) {
        return Err(UriError::UnknownDriver(driver));
    }
    if let Some(t) = transport {
        if !TRANSPORTS.contains(&t) {
            return Err(UriError::UnknownTransport(t.to_string()));
        }
    }
    let (authority, path_and_query) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    let path = path_and_query
        .split_once('?')
        .map_or(path_and_query, |(p, _)| p)
        .to_string();
    let host = (!authority.is_empty()).then(|| authority.to_string());
    if let Some(t) = transport {
        if host.is_none() && t != "unix" && t != "ext" {
            return Err(UriError::TransportNeedsHost(t.to_string()));
        }
    }
    match driver.as_str() {
        "qemu" => {
            let p = path.trim_end_matches('/');
            if !matches!(p, "/system" | "/session" | "/embed") {
                return Err(UriError::BadQemuPath {
                    path: path.clone(),
                    suggestion: closest(p, &["/system", "/session"]).to_string(),
                });
            }
        }
        "test" if path != "/default" && (path.len() < 2 || !path.starts_with('/')) => {
            return Err(UriError::BadTestPath(path.clone()));
        }
        _ => {}
    }
    Ok(ParsedUri {
        driver,
        transport: transport.map(str::to_string),
        host,
        path,
    })
}

/// The candidate with the smallest edit distance to `word`.
fn closest<'a>(word: &str, candidates: &[&'a str]) -> &'a str {
    candidates
        .iter()
        .min_by_key(|c| edit_distance(word, c))
        .copied()
        .unwrap_or(candidates[0])
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur.push((prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_usual_uris() {
        for ok in [
            "qemu:///system",
            "qemu:///session",
            "qemu+ssh://root@host.example/system",
            "qemu+ssh://user@10.0.0.2:2222/system?keyfile=/k",
            "qemu+unix:///system?socket=/run/libvirt/libvirt-sock",
            "test:///default",
            "test:///var/tmp/node.xml",
            "lxc:///",
        ] {
            assert!(parse(ok).is_ok(), "{ok} should be valid: {:?}", parse(ok));
        }
        let p = parse("qemu+ssh://me@box/system").unwrap();
        assert_eq!(p.host.as_deref(), Some("me@box"));
        assert_eq!(p.transport.as_deref(), Some("ssh"));
        assert!(!p.is_local());
        assert!(parse("qemu:///system").unwrap().is_local());
    }

    #[test]
    fn names_the_wrong_part() {
        assert_eq!(
            parse("qemu:///sys-tem"),
            Err(UriError::BadQemuPath {
                path: "/sys-tem".into(),
                suggestion: "/system".into()
            })
        );
        assert!(matches!(
            parse("qemu:///sesion"),
            Err(UriError::BadQemuPath { suggestion, .. }) if suggestion == "/session"
        ));
        assert_eq!(parse("qemu:/system"), Err(UriError::MissingSlashes));
        assert_eq!(parse("qemu//system"), Err(UriError::MissingSlashes));
        assert_eq!(
            parse("kvm:///system"),
            Err(UriError::UnknownDriver("kvm".into()))
        );
        assert_eq!(
            parse("qemu+sh://h/system"),
            Err(UriError::UnknownTransport("sh".into()))
        );
        assert_eq!(
            parse("qemu+ssh:///system"),
            Err(UriError::TransportNeedsHost("ssh".into()))
        );
        assert_eq!(parse("  "), Err(UriError::Empty));
        assert_eq!(parse("qemu:///sys tem"), Err(UriError::Whitespace));
        assert_eq!(parse("test://"), Err(UriError::BadTestPath("".into())));
    }
}
