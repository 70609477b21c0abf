//! Connections to another computer over SSH (`qemu+ssh://user@host:port/system`): the
//! address built from what a person fills in, and the checks made before libvirt opens
//! one, so that a failure is named by facts — the name does not resolve, nothing answers
//! on the port, this computer does not know the host's key yet, the login needs a
//! password — instead of by the text of ssh's or libvirt's message.
//!
//! libvirt runs the `ssh` program with `no_tty=1` (ssh's batch mode): it can never ask for
//! a password or a host key, and neither can Bilik. No value reaches a shell: `ssh` and
//! `ssh-keygen` get them as separate arguments, after `--` where an option could start.

use std::net::{TcpStream, ToSocketAddrs};
use std::process::{Command, Stdio};
use std::time::Duration;

use super::error::{BackendError, ErrorKind};

/// Where an SSH connection goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SshTarget {
    pub user: Option<String>,
    pub host: String,
    pub port: u16,
}

impl SshTarget {
    /// `user@host`, or `host` (what ssh and ssh-copy-id take).
    pub fn destination(&self) -> String {
        match &self.user {
            Some(u) => format!("{u}@{}", self.host),
            None => self.host.clone(),
        }
    }

    /// The command a person runs to log in once (and answer the host-key question).
    pub fn ssh_command(&self) -> String {
        match self.port {
            22 => format!("ssh {}", self.destination()),
            p => format!("ssh -p {p} {}", self.destination()),
        }
    }

    /// The command that copies the person's key to the host.
    pub fn copy_id_command(&self) -> String {
        match self.port {
            22 => format!("ssh-copy-id {}", self.destination()),
            p => format!("ssh-copy-id -p {p} {}", self.destination()),
        }
    }

    /// How known_hosts names the host: `host`, or `[host]:port` for another port.
    fn known_hosts_name(&self) -> String {
        let host = self.host.trim_start_matches('[').trim_end_matches(']');
        match self.port {
            22 => host.to_string(),
            p => format!("[{host}]:{p}"),
        }
    }
}

/// Why an SSH connection cannot work, found before libvirt tries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SshProblem {
    /// The host name does not resolve.
    UnknownName { host: String },
    /// Nothing accepts a connection on that port (refused, or no answer in time).
    NoAnswer { host: String, port: u16 },
    /// This computer's known_hosts has no key for the host: ssh in batch mode refuses.
    HostKeyUnknown(SshTarget),
    /// ssh could not log in without asking (no key the host accepts).
    Login(SshTarget),
}

/// Whether a user or host name can be given to ssh: letters, digits and `.-_:` (and the
/// brackets of an IPv6 address), never starting with `-` (ssh would take it as an
/// option).
pub fn plain_name(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with('-')
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || ".-_:[]".contains(c))
}

/// The address for user `user` (may be empty: ssh's default) on `host`, port `port`,
/// machines of that computer's system or of that user's session.
pub fn ssh_uri(user: &str, host: &str, port: u16, session: bool) -> String {
    let user = user.trim();
    let host = host.trim();
    let host = if host.contains(':') && !host.starts_with('[') {
        format!("[{host}]")
    } else {
        host.to_string()
    };
    let who = if user.is_empty() {
        String::new()
    } else {
        format!("{user}@")
    };
    let port = if port == 22 {
        String::new()
    } else {
        format!(":{port}")
    };
    let path = if session { "session" } else { "system" };
    format!("qemu+ssh://{who}{host}{port}/{path}?no_tty=1")
}

/// The SSH target of `uri`, when it is an ssh connection (`+ssh`, libvirt's default
/// transport for a remote qemu URI without one too).
pub fn ssh_target(uri: &str) -> Option<SshTarget> {
    let parsed = super::uri::parse(uri).ok()?;
    let authority = parsed.host?;
    match parsed.transport.as_deref() {
        Some("ssh") => {}
        None if parsed.driver == "qemu" => {}
        _ => return None,
    }
    let (user, hostport) = match authority.rsplit_once('@') {
        Some((u, h)) => (Some(u.to_string()), h),
        None => (None, authority.as_str()),
    };
    // "[v6]:port", "[v6]", "host:port", "host".
    let (host, port) = if let Some(rest) = hostport.strip_prefix('[') {
        let (h, after) = rest.split_once(']')?;
        let port = after.strip_prefix(':').map(str::parse).transpose().ok()?;
        (format!("[{h}]"), port)
    } else {
        match hostport.split_once(':') {
            Some((h, p)) => (h.to_string(), Some(p.parse().ok()?)),
            None => (hostport.to_string(), None),
        }
    };
    Some(SshTarget {
        user,
        host,
        port: port.unwrap_or(22),
    })
}

/// How long the port check waits for an answer.
const PORT_WAIT: Duration = Duration::from_secs(5);

/// The checks before opening: the name, the port, the host key, the login. The first
/// that fails says why; `Err` carries ssh's own words when it ran.
pub fn preflight(t: &SshTarget) -> Result<(), (SshProblem, String)> {
    if !plain_name(&t.host) || t.user.as_deref().is_some_and(|u| !plain_name(u)) {
        return Err((
            SshProblem::UnknownName {
                host: t.host.clone(),
            },
            String::new(),
        ));
    }
    let bare = t.host.trim_start_matches('[').trim_end_matches(']');
    let addrs: Vec<_> = match (bare, t.port).to_socket_addrs() {
        Ok(a) => a.collect(),
        Err(e) => {
            return Err((
                SshProblem::UnknownName {
                    host: t.host.clone(),
                },
                e.to_string(),
            ))
        }
    };
    let mut last = String::new();
    let reached = addrs
        .iter()
        .any(|a| match TcpStream::connect_timeout(a, PORT_WAIT) {
            Ok(_) => true,
            Err(e) => {
                last = format!("{a}: {e}");
                false
            }
        });
    if !reached {
        return Err((
            SshProblem::NoAnswer {
                host: t.host.clone(),
                port: t.port,
            },
            last,
        ));
    }
    if !host_key_known(t) {
        return Err((
            SshProblem::HostKeyUnknown(t.clone()),
            format!("no key for {} in known_hosts", t.known_hosts_name()),
        ));
    }
    // Log in as libvirt will (batch mode: no question asked) and run nothing but `true`:
    // ssh's status 255 is its own failure; the remote `true` gives 0.
    let out = Command::new("ssh")
        .args(["-o", "BatchMode=yes", "-o", "ConnectTimeout=10", "-T", "-p"])
        .arg(t.port.to_string())
        .arg("--")
        .arg(t.destination())
        .arg("true")
        .stdin(Stdio::null())
        .output();
    match out {
        Ok(o) if o.status.success() => Ok(()),
        Ok(o) => Err((
            SshProblem::Login(t.clone()),
            String::from_utf8_lossy(&o.stderr).trim().to_string(),
        )),
        // No ssh program: libvirt cannot use it either; its own error will say so.
        Err(e) => {
            log::debug!("ssh could not run for the login check: {e}");
            Ok(())
        }
    }
}

/// Whether this user's known_hosts (or the system's) has a key for the host.
fn host_key_known(t: &SshTarget) -> bool {
    let name = t.known_hosts_name();
    let home = std::env::var_os("HOME").map(std::path::PathBuf::from);
    let mut files: Vec<std::path::PathBuf> = Vec::new();
    if let Some(h) = home {
        files.push(h.join(".ssh/known_hosts"));
    }
    files.push("/etc/ssh/ssh_known_hosts".into());
    files.iter().filter(|f| f.exists()).any(|f| {
        Command::new("ssh-keygen")
            .arg("-F")
            .arg(&name)
            .arg("-f")
            .arg(f)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    })
}

impl BackendError {
    pub fn ssh(problem: SshProblem, raw: String) -> Self {
        BackendError::new(ErrorKind::Ssh(Box::new(problem)), raw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_built_and_read_back() {
        let uri = ssh_uri("lab", "build-01", 22, false);
        assert_eq!(uri, "qemu+ssh://lab@build-01/system?no_tty=1");
        assert!(super::super::uri::parse(&uri).is_ok());
        let t = ssh_target(&uri).unwrap();
        assert_eq!(
            (t.user.as_deref(), t.host.as_str(), t.port),
            (Some("lab"), "build-01", 22)
        );
        let uri = ssh_uri("", "fe80::1", 2222, true);
        assert_eq!(uri, "qemu+ssh://[fe80::1]:2222/session?no_tty=1");
        let t = ssh_target(&uri).unwrap();
        assert_eq!(
            (t.user.as_deref(), t.host.as_str(), t.port),
            (None, "[fe80::1]", 2222)
        );
        assert_eq!(t.known_hosts_name(), "[fe80::1]:2222");
        assert_eq!(ssh_target("qemu:///system"), None);
        assert_eq!(ssh_target("qemu+tcp://h/system"), None);
        assert_eq!(
            ssh_target("qemu+ssh://u@h:2200/system")
                .unwrap()
                .copy_id_command(),
            "ssh-copy-id -p 2200 u@h"
        );
    }

    #[test]
    fn names_that_ssh_would_read_as_options_are_refused() {
        assert!(plain_name("build-01.lab"));
        assert!(!plain_name("-oProxyCommand=x"));
        assert!(!plain_name("a b"));
        assert!(!plain_name("a;b"));
        assert!(!plain_name(""));
        let t = SshTarget {
            user: None,
            host: "-oProxyCommand=touch".into(),
            port: 22,
        };
        assert!(matches!(
            preflight(&t),
            Err((SshProblem::UnknownName { .. }, _))
        ));
    }

    #[test]
    fn a_closed_port_is_found_before_ssh_runs() {
        // A port just freed on this computer: nothing listens there.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let t = SshTarget {
            user: None,
            host: "127.0.0.1".into(),
            port,
        };
        assert!(matches!(
            preflight(&t),
            Err((SshProblem::NoAnswer { .. }, _))
        ));
    }
}
