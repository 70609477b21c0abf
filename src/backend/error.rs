//! Typed backend errors. libvirt reports failures as a code plus an English message; we
//! sort them into the few situations a person can act on. The sentences themselves are
//! written in one place, `crate::errors`, so the backend stays free of UI text.

use std::fmt;

use virt::enumutil::Enum;
use virt::error::{Error as VirtError, ErrorNumber};

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
    /// The connection is not open (being opened, lost and reconnecting, or closed): the
    /// request was not sent.
    NotConnected,
    /// Reading something failed (the machine's settings, its definition…).
    ReadFailed,
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

    /// Sorts an error from opening a connection.
    pub fn from_connect(e: &VirtError) -> Self {
        let msg = e.message().to_string();
        let lower = msg.to_lowercase();
        let kind = if lower.contains("no connection driver available")
            || lower.contains("no driver") && lower.contains("uri")
        {
            ErrorKind::DriverMissing
        } else if lower.contains("permission denied")
            || lower.contains("authentication")
            || lower.contains("not authorized")
            || lower.contains("polkit")
            || matches!(
                e.code(),
                Enum::Known(
                    ErrorNumber::AuthFailed
                        | ErrorNumber::AuthCancelled
                        | ErrorNumber::AuthUnavailable
                        | ErrorNumber::OperationDenied
                )
            )
        {
            ErrorKind::PermissionDenied
        } else if lower.contains("could not resolve")
            || lower.contains("name or service not known")
            || lower.contains("no route to host")
            || lower.contains("host key verification")
            || lower.contains("ssh")
            || lower.contains("network is unreachable")
            || lower.contains("timed out")
        {
            ErrorKind::HostUnreachable
        } else if lower.contains("failed to connect socket")
            || lower.contains("no such file or directory")
            || lower.contains("connection refused")
            || lower.contains("failed to find user record")
        {
            ErrorKind::DaemonNotRunning
        } else {
            Self::kind_of(e)
        };
        BackendError::new(kind, msg)
    }

    /// Sorts an error from an operation on an open connection.
    pub fn from_op(e: &VirtError) -> Self {
        BackendError::new(Self::kind_of(e), e.message())
    }

    fn kind_of(e: &VirtError) -> ErrorKind {
        let lower = e.message().to_lowercase();
        match e.code() {
            Enum::Known(ErrorNumber::NoDomain) => ErrorKind::NoSuchDomain,
            Enum::Known(ErrorNumber::OperationInvalid) => ErrorKind::InvalidState,
            Enum::Known(ErrorNumber::NoSupport) => ErrorKind::Unsupported,
            Enum::Known(ErrorNumber::OperationDenied) => ErrorKind::PermissionDenied,
            Enum::Known(ErrorNumber::NoConnect | ErrorNumber::InvalidConn) => {
                ErrorKind::ConnectionLost
            }
            _ if lower.contains("not running")
                || lower.contains("is already running")
                || lower.contains("already active")
                || lower.contains("not paused") =>
            {
                ErrorKind::InvalidState
            }
            _ if lower.contains("client socket is closed")
                || lower.contains("connection reset")
                || lower.contains("end of file while reading") =>
            {
                ErrorKind::ConnectionLost
            }
            _ => ErrorKind::Other,
        }
    }
}

impl fmt::Display for BackendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}: {}", self.kind, self.raw)
    }
}

impl std::error::Error for BackendError {}
