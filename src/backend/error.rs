//! Typed backend errors. libvirt reports failures as a code, a domain and a message in the
//! user's language (libvirt's own translations); we sort them by code, domain and the facts
//! of this computer — never by the message — into the few situations a person can act on. The sentences themselves are
//! written in one place, `crate::errors`, so the backend stays free of UI text.

use std::fmt;

use virt::enumutil::Enum;
use virt::error::{Error as VirtError, ErrorDomain, ErrorNumber};

use super::uri::UriError;

/// What went wrong, as far as a person can do something about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorKind {
    /// The URI is malformed; nothing was attempted.
    InvalidUri(UriError),
    /// The libvirt daemon (libvirtd / virtqemud) is not running or its socket is missing.
    DaemonNotRunning,
    /// The daemon refused us: not in the `libvirt` group, polkit said no, etc.
    PermissionDenied,
    /// A remote host could not be reached (name, network, ssh).
    HostUnreachable,
    /// This libvirt has no driver for the URI's hypervisor (package not installed).
    DriverMissing,
    /// An open connection went away.
    ConnectionLost,
    /// Opening the connection got no answer in time (a stuck service, a host that
    /// stopped answering): libvirt's open has no time limit of its own.
    NotAnswering,
    /// The machine no longer exists (deleted meanwhile).
    NoSuchDomain,
    /// The action does not fit the machine's current state (e.g. already running).
    InvalidState,
    /// The hypervisor or driver cannot do this.
    Unsupported,
    /// A disk image could not be deleted because it is not managed by a storage pool.
    NotAVolume(String),
    /// A machine did not start, and the facts show why.
    StartProblem(Box<super::start_problem::StartProblem>),
    /// Snapshots need qcow2 disks; the machine has another format.
    SnapshotNeedsQcow2,
    /// A running UEFI machine cannot have a full snapshot here.
    SnapshotUefiRunning,
    /// A network could not start: its DHCP helper (dnsmasq) is not installed.
    NetworkNoDhcpHelper,
    /// A network could not start: something on this computer already uses its subnet.
    NetworkSubnetTaken,
    /// A pool's folder still holds files, so it was not deleted.
    PoolFolderNotEmpty,
    /// A network share (NFS) pool could not be mounted.
    PoolMountFailed,
    /// The person cancelled (a clone): nothing to explain.
    Cancelled,
    /// The connection is not open (being opened, lost and reconnecting, or closed): the
    /// request was not sent.
    NotConnected,
    /// Reading something failed (the machine's settings, its definition…).
    ReadFailed,
    /// Text given as a definition is not well-formed XML (the parser's words in raw).
    XmlMalformed,
    /// A definition given for one machine would define another (another <uuid>, or no
    /// <uuid> and another name): refused, so the editor never makes a second machine.
    XmlOtherMachine,
    /// A definition given for one machine names it otherwise (libvirt cannot rename
    /// through a definition; Rename does).
    XmlRenamed,
    /// An SSH connection cannot work, found by the checks before opening (see
    /// backend/remote.rs); ssh's own words in raw.
    Ssh(Box<super::remote::SshProblem>),
    /// A machine of this name (or UUID) is already on the connection it was to move to.
    MoveNameTaken(String),
    /// Anything else; the raw text explains.
    Other,
}

/// A failure from the backend: its kind and libvirt's own words (shown under "Details").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackendError {
    pub kind: ErrorKind,
    /// libvirt's message, unchanged.
    pub raw: String,
}

impl BackendError {
    pub fn new(kind: ErrorKind, raw: impl Into<String>) -> Self {
        BackendError {
            kind,
            raw: raw.into(),
        }
    }

    /// The answer to a call made while the connection is not open.
    pub fn not_connected() -> Self {
        BackendError::new(ErrorKind::NotConnected, "")
    }

    /// Sorts an error from reading something (not changing it): a failed read says so,
    /// unless the error says more (the machine is gone, the connection was lost).
    pub fn from_read(e: &VirtError) -> Self {
        let mut err = Self::from_op(e);
        if err.kind == ErrorKind::Other {
            err.kind = ErrorKind::ReadFailed;
        }
        err
    }

    /// Sorts an error from opening the connection `uri`, by libvirt's code and domain and
    /// the facts of this computer — never by the message, which libvirt translates.
    pub fn from_connect(uri: &str, e: &VirtError) -> Self {
        let parsed = super::uri::parse(uri).ok();
        let kind = match (e.code(), e.domain()) {
            (Enum::Known(ErrorNumber::NoConnect), _) => ErrorKind::DriverMissing,
            (
                Enum::Known(
                    ErrorNumber::AuthFailed
                    | ErrorNumber::AuthCancelled
                    | ErrorNumber::AuthUnavailable
                    | ErrorNumber::OperationDenied,
                ),
                _,
            ) => ErrorKind::PermissionDenied,
            // The transport failed: ssh or the network for a remote host; for this
            // computer, the daemon's socket (missing, or not ours to use).
            (_, Enum::Known(ErrorDomain::Rpc)) => match &parsed {
                Some(p) if !p.is_local() => ErrorKind::HostUnreachable,
                Some(p) if p.driver == "qemu" => local_socket_problem(uri, p),
                _ => Self::kind_of(e),
            },
            _ => Self::kind_of(e),
        };
        BackendError::new(kind, e.message())
    }

    /// Sorts an error from an operation on an open connection.
    pub fn from_op(e: &VirtError) -> Self {
        BackendError::new(Self::kind_of(e), e.message())
    }

    /// By libvirt's error code and domain only.
    fn kind_of(e: &VirtError) -> ErrorKind {
        match (e.code(), e.domain()) {
            (Enum::Known(ErrorNumber::NoDomain), _) => ErrorKind::NoSuchDomain,
            (Enum::Known(ErrorNumber::OperationInvalid), _) => ErrorKind::InvalidState,
            (Enum::Known(ErrorNumber::NoSupport | ErrorNumber::ConfigUnsupported), _) => {
                ErrorKind::Unsupported
            }
            (
                Enum::Known(
                    ErrorNumber::OperationDenied
                    | ErrorNumber::AuthFailed
                    | ErrorNumber::AuthUnavailable,
                ),
                _,
            ) => ErrorKind::PermissionDenied,
            (Enum::Known(ErrorNumber::NoConnect | ErrorNumber::InvalidConn), _) => {
                ErrorKind::ConnectionLost
            }
            // On an open connection, a failure of the transport itself ("client socket is
            // closed", "end of file while reading") means the connection is gone.
            (_, Enum::Known(ErrorDomain::Rpc)) => ErrorKind::ConnectionLost,
            _ => ErrorKind::Other,
        }
    }
}

/// Why a local qemu connection could not be opened, from the daemon's socket: there but
/// not ours to use (the libvirt group), or not there / not answering (the service).
fn local_socket_problem(uri: &str, p: &super::uri::ParsedUri) -> ErrorKind {
    let explicit = uri
        .split_once('?')
        .into_iter()
        .flat_map(|(_, q)| q.split('&'))
        .find_map(|kv| kv.strip_prefix("socket="))
        .map(|s| vec![std::path::PathBuf::from(s)]);
    let candidates = explicit.unwrap_or_else(|| {
        let dir = if p.path.starts_with("/session") {
            std::env::var_os("XDG_RUNTIME_DIR")
                .map(|d| std::path::PathBuf::from(d).join("libvirt"))
                .unwrap_or_default()
        } else {
            std::path::PathBuf::from("/run/libvirt")
        };
        ["virtqemud-sock", "libvirt-sock"]
            .iter()
            .map(|n| dir.join(n))
            .collect()
    });
    let Some(socket) = candidates.iter().find(|s| s.exists()) else {
        return ErrorKind::DaemonNotRunning;
    };
    let Ok(c) = std::ffi::CString::new(socket.as_os_str().as_encoded_bytes()) else {
        return ErrorKind::DaemonNotRunning;
    };
    // SAFETY: a valid NUL-terminated path.
    if unsafe { libc::access(c.as_ptr(), libc::R_OK | libc::W_OK) } != 0 {
        ErrorKind::PermissionDenied
    } else {
        ErrorKind::DaemonNotRunning
    }
}

/// Logs an error that is ignored on purpose (at debug level, with `why`): nothing a person
/// could do about it, but a developer can find it (`G_MESSAGES_DEBUG=bilik`).
pub fn ignored<T, E: fmt::Display>(why: &str, result: Result<T, E>) {
    if let Err(e) = result {
        log::debug!("{why}: {e}");
    }
}

impl fmt::Display for BackendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}: {}", self.kind, self.raw)
    }
}

impl std::error::Error for BackendError {}
