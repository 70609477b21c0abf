//! Is this computer ready for virtual machines? The checks of the user's first two
//! documents (install qemu + libvirt, daemon running, allowed to talk to it, `virsh list
//! --all` works), done by reading the system itself: device files, binaries, sockets,
//! /etc/group, and libvirt. GTK-free and blocking: run it off the main thread.
//!
//! Each check gives a [`Verdict`], a typed [`Finding`] (turned into sentences in
//! `crate::setup_text`) and, where one exists, a [`Fix`]: a fixed argument vector to run
//! through pkexec, a libvirt call Bilik makes itself, or a command to copy.

use std::ffi::CString;
use std::path::{Path, PathBuf};

use virt::connect::Connect;

use super::error::{BackendError, ErrorKind};

/// The outcome of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verdict {
    Pass,
    /// Fine as it is; worth knowing (e.g. what a session's networking cannot do).
    Info,
    Warning,
    Fail,
}

/// Something needed for virtual machines that may be missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Component {
    Qemu,
    LibvirtDaemon,
    LibvirtClient,
    VirtViewer,
    Virtiofsd,
    OsinfoDb,
}

impl Component {
    pub const ALL: [Component; 6] = [
        Component::Qemu,
        Component::LibvirtDaemon,
        Component::LibvirtClient,
        Component::VirtViewer,
        Component::Virtiofsd,
        Component::OsinfoDb,
    ];

    /// Files whose presence shows the component is installed (any one is enough).
    pub fn paths(self) -> &'static [&'static str] {
        match self {
            Component::Qemu => &[
                "/usr/bin/qemu-system-x86_64",
                "/usr/libexec/qemu-kvm",
                "/usr/bin/qemu-kvm",
                "/usr/bin/qemu-system-aarch64",
            ],
            Component::LibvirtDaemon => &["/usr/sbin/libvirtd", "/usr/sbin/virtqemud"],
            Component::LibvirtClient => &["/usr/bin/virsh"],
            Component::VirtViewer => &["/usr/bin/virt-viewer", "/usr/bin/remote-viewer"],
            Component::Virtiofsd => &[
                "/usr/libexec/virtiofsd",
                "/usr/lib/qemu/virtiofsd",
                "/usr/bin/virtiofsd",
            ],
            Component::OsinfoDb => &["/usr/share/osinfo/VERSION", "/usr/share/osinfo/os"],
        }
    }

    /// The package that provides it on `family`.
    pub fn package(self, family: Distro) -> &'static str {
        use Component::*;
        use Distro::*;
        match (self, family) {
            (Qemu, Debian) => "qemu-system-x86",
            (Qemu, Fedora) | (Qemu, Suse) => "qemu-kvm",
            (Qemu, Arch) => "qemu-desktop",
            (LibvirtDaemon, Debian) => "libvirt-daemon-system",
            (LibvirtDaemon, Fedora) => "libvirt-daemon-kvm",
            (LibvirtDaemon, Suse) => "libvirt-daemon",
            (LibvirtDaemon, Arch) => "libvirt",
            (LibvirtClient, Debian) => "libvirt-clients",
            (LibvirtClient, Fedora) | (LibvirtClient, Suse) => "libvirt-client",
            (LibvirtClient, Arch) => "libvirt",
            (VirtViewer, _) => "virt-viewer",
            (Virtiofsd, _) => "virtiofsd",
            (OsinfoDb, _) => "osinfo-db",
        }
    }
}

/// Distribution families, for package names and install commands (from /etc/os-release).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Distro {
    Debian,
    Fedora,
    Suse,
    Arch,
}

impl Distro {
    /// Reads `ID` and `ID_LIKE` from an os-release file.
    pub fn detect(os_release: &Path) -> Option<Distro> {
        let text = std::fs::read_to_string(os_release).ok()?;
        let mut ids = Vec::new();
        for line in text.lines() {
            if let Some(v) = line
                .strip_prefix("ID=")
                .or_else(|| line.strip_prefix("ID_LIKE="))
            {
                ids.extend(v.trim_matches('"').split_whitespace().map(str::to_string));
            }
        }
        ids.iter().find_map(|id| match id.as_str() {
            "debian" | "ubuntu" => Some(Distro::Debian),
            "fedora" | "rhel" | "centos" => Some(Distro::Fedora),
            "suse" | "opensuse" | "opensuse-tumbleweed" | "opensuse-leap" => Some(Distro::Suse),
            "arch" => Some(Distro::Arch),
            _ => None,
        })
    }

    /// The install command for `packages`, as an argument vector.
    pub fn install_argv(self, packages: &[&str]) -> Vec<String> {
        let mut argv: Vec<String> = match self {
            Distro::Debian => vec!["apt-get".into(), "install".into(), "-y".into()],
            Distro::Fedora => vec!["dnf".into(), "install".into(), "-y".into()],
            Distro::Suse => vec![
                "zypper".into(),
                "--non-interactive".into(),
                "install".into(),
            ],
            Distro::Arch => vec![
                "pacman".into(),
                "-S".into(),
                "--needed".into(),
                "--noconfirm".into(),
            ],
        };
        argv.extend(packages.iter().map(|p| p.to_string()));
        argv
    }
}

/// What a check found, for the sentence shown to the person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finding {
    KvmReady {
        api_version: i32,
    },
    KvmMissing,
    KvmNoAccess,
    KvmBroken,
    PackagesPresent,
    PackagesMissing {
        missing: Vec<Component>,
    },
    DaemonRunning {
        socket: String,
    },
    DaemonStopped {
        modular: bool,
    },
    /// root, or a session connection: no group needed.
    NoGroupNeeded,
    /// Session connections: libvirt starts a per-user service by itself.
    SessionDaemon,
    /// Remote connections: the service runs on the other computer.
    RemoteDaemon,
    InGroup {
        user: String,
        group: String,
    },
    NotInGroup {
        user: String,
        group: String,
    },
    /// In the group in /etc/group, but this login session started before that.
    GroupNotActive {
        user: String,
        group: String,
    },
    Connected {
        uri: String,
        machines: usize,
    },
    ConnectFailed {
        uri: String,
        error: BackendError,
    },
    NetworkReady,
    NetworkMissing,
    NetworkInactive,
    NetworkNoAutostart,
    /// Session connections: /etc/qemu/bridge.conf does not let them use virbr0.
    SessionBridgeNotAllowed,
    SessionBridgeAllowed,
    PoolReady {
        name: String,
        available: u64,
    },
    PoolLowSpace {
        name: String,
        available: u64,
    },
    PoolMissing,
    PoolInactive {
        name: String,
    },
    Skipped,
}

/// A way to fix a failed check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fix {
    /// Run this fixed command as administrator through `pkexec` (argument vector, no shell).
    Privileged(Vec<String>),
    /// Bilik does it itself through libvirt.
    Libvirt(LibvirtFix),
    /// Safer left to the person: a command to copy.
    Copy(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LibvirtFix {
    StartNetwork,
    AutostartNetwork,
    StartPool(String),
    CreateDefaultPool(PathBuf),
}

/// Which check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckId {
    Kvm,
    Packages,
    Daemon,
    Permissions,
    Connection,
    Network,
    Storage,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckResult {
    pub id: CheckId,
    pub verdict: Verdict,
    pub finding: Finding,
    pub fix: Option<Fix>,
    /// Raw facts (errno text, libvirt's message) for "Details".
    pub details: String,
}

/// Where the checks look; `Host::current` for real use, tests change the user.
#[derive(Debug, Clone)]
pub struct Host {
    pub uri: String,
    pub user: String,
    pub uid: u32,
    /// Group ids of this process (the login session's active groups).
    pub active_gids: Vec<u32>,
    pub group_file: PathBuf,
    pub os_release: PathBuf,
    pub kvm_device: PathBuf,
    pub run_dir: PathBuf,
    pub bridge_conf: PathBuf,
}

impl Host {
    /// This process's user and groups, checking the connection `uri`.
    pub fn current(uri: &str) -> Host {
        // SAFETY: getuid/getgroups have no preconditions; the buffer is sized first.
        let uid = unsafe { libc::getuid() };
        let mut gids = vec![0 as libc::gid_t; 256];
        let n = unsafe { libc::getgroups(gids.len() as i32, gids.as_mut_ptr()) };
        gids.truncate(n.max(0) as usize);
        gids.push(unsafe { libc::getgid() });
        Host {
            uri: uri.to_string(),
            user: user_name(uid).unwrap_or_else(|| uid.to_string()),
            uid,
            active_gids: gids,
            group_file: "/etc/group".into(),
            os_release: "/etc/os-release".into(),
            kvm_device: "/dev/kvm".into(),
            run_dir: "/run".into(),
            bridge_conf: "/etc/qemu/bridge.conf".into(),
        }
    }

    fn is_session(&self) -> bool {
        self.uri.contains("/session")
    }

    fn is_local_qemu(&self) -> bool {
        self.uri.starts_with("qemu:///")
    }
}

fn user_name(uid: u32) -> Option<String> {
    let text = std::fs::read_to_string("/etc/passwd").ok()?;
    text.lines().find_map(|l| {
        let f: Vec<&str> = l.split(':').collect();
        (f.len() > 2 && f[2] == uid.to_string()).then(|| f[0].to_string())
    })
}

fn result(id: CheckId, verdict: Verdict, finding: Finding) -> CheckResult {
    CheckResult {
        id,
        verdict,
        finding,
        fix: None,
        details: String::new(),
    }
}

/// Runs every check, in the order a newcomer would fix them.
pub fn run_all(host: &Host) -> Vec<CheckResult> {
    // libvirt prints every error to stderr by default; the findings carry them instead.
    virt::error::clear_error_callback();
    let mut out = vec![
        check_kvm(host),
        check_packages(host),
        check_daemon(host),
        check_permissions(host),
    ];
    let (conn_result, conn) = check_connection(host);
    out.push(conn_result);
    out.push(check_network(host, conn.as_ref()));
    out.push(check_storage(host, conn.as_ref()));
    out
}

const KVM_GET_API_VERSION: libc::c_ulong = 0xAE00;

/// Opens the device and asks its API version: nested hosts hide vmx/svm from
/// /proc/cpuinfo yet KVM works, so the flags prove nothing.
pub fn check_kvm(host: &Host) -> CheckResult {
    let id = CheckId::Kvm;
    let path = CString::new(host.kvm_device.as_os_str().as_encoded_bytes()).expect("no NUL");
    // SAFETY: plain open/ioctl/close on a path we own the string of.
    let fd = unsafe { libc::open(path.as_ptr(), libc::O_RDWR | libc::O_CLOEXEC) };
    if fd < 0 {
        let err = std::io::Error::last_os_error();
        let (finding, fix) = match err.raw_os_error() {
            Some(libc::ENOENT) | Some(libc::ENXIO) | Some(libc::ENODEV) => {
                (Finding::KvmMissing, None)
            }
            Some(libc::EACCES) | Some(libc::EPERM) => (
                Finding::KvmNoAccess,
                Some(Fix::Privileged(vec![
                    "usermod".into(),
                    "-aG".into(),
                    "kvm".into(),
                    host.user.clone(),
                ])),
            ),
            _ => (Finding::KvmBroken, None),
        };
        let mut r = result(id, Verdict::Fail, finding);
        r.fix = fix;
        r.details = format!("{}: {err}", host.kvm_device.display());
        return r;
    }
    let version = unsafe { libc::ioctl(fd, KVM_GET_API_VERSION as _, 0) };
    unsafe { libc::close(fd) };
    if version < 0 {
        let mut r = result(id, Verdict::Fail, Finding::KvmBroken);
        r.details = format!("KVM_GET_API_VERSION: {}", std::io::Error::last_os_error());
        return r;
    }
    let mut r = result(
        id,
        Verdict::Pass,
        Finding::KvmReady {
            api_version: version,
        },
    );
    r.details = format!("{}: KVM API version {version}", host.kvm_device.display());
    r
}

fn installed(c: Component) -> bool {
    c.paths().iter().any(|p| Path::new(p).exists())
}

pub fn check_packages(host: &Host) -> CheckResult {
    let missing: Vec<Component> = Component::ALL
        .into_iter()
        .filter(|c| !installed(*c))
        .collect();
    if missing.is_empty() {
        return result(CheckId::Packages, Verdict::Pass, Finding::PackagesPresent);
    }
    // Without qemu or the daemon nothing runs; the others cost a feature each.
    let essential = missing
        .iter()
        .any(|c| matches!(c, Component::Qemu | Component::LibvirtDaemon));
    let mut r = result(
        CheckId::Packages,
        if essential {
            Verdict::Fail
        } else {
            Verdict::Warning
        },
        Finding::PackagesMissing {
            missing: missing.clone(),
        },
    );
    r.details = missing
        .iter()
        .map(|c| format!("{c:?}: none of {}", c.paths().join(", ")))
        .collect::<Vec<_>>()
        .join("\n");
    if let Some(d) = Distro::detect(&host.os_release) {
        let mut pkgs: Vec<&str> = missing.iter().map(|c| c.package(d)).collect();
        pkgs.dedup();
        r.fix = Some(Fix::Privileged(d.install_argv(&pkgs)));
    }
    r
}

/// Whether the system daemon's socket (libvirtd's or virtqemud's) accepts this user: the
/// rule for opening "This computer (system)" beside the user session at start.
pub fn system_daemon_lets_us_in() -> bool {
    ["libvirt-sock", "virtqemud-sock"].iter().any(|name| {
        std::os::unix::net::UnixStream::connect(Path::new("/run/libvirt").join(name)).is_ok()
    })
}

/// The system daemon's socket: monolithic libvirtd or modular virtqemud.
pub fn check_daemon(host: &Host) -> CheckResult {
    let id = CheckId::Daemon;
    if !host.is_local_qemu() {
        return result(id, Verdict::Pass, Finding::RemoteDaemon);
    }
    if host.is_session() {
        // libvirt starts the per-user daemon itself when Bilik connects.
        return result(id, Verdict::Pass, Finding::SessionDaemon);
    }
    let dir = host.run_dir.join("libvirt");
    for name in ["libvirt-sock", "virtqemud-sock"] {
        let sock = dir.join(name);
        if std::os::unix::net::UnixStream::connect(&sock).is_ok() {
            let mut r = result(
                id,
                Verdict::Pass,
                Finding::DaemonRunning {
                    socket: sock.display().to_string(),
                },
            );
            r.details = sock.display().to_string();
            return r;
        }
    }
    let modular =
        !Path::new("/usr/sbin/libvirtd").exists() && Path::new("/usr/sbin/virtqemud").exists();
    let unit = if modular {
        "virtqemud.socket"
    } else {
        "libvirtd.socket"
    };
    let mut r = result(id, Verdict::Fail, Finding::DaemonStopped { modular });
    r.fix = Some(Fix::Privileged(vec![
        "systemctl".into(),
        "enable".into(),
        "--now".into(),
        unit.into(),
    ]));
    r.details = format!(
        "no answer on {}/libvirt-sock or virtqemud-sock",
        dir.display()
    );
    r
}

/// Group membership as /etc/group says, and whether this login session has it.
pub fn check_permissions(host: &Host) -> CheckResult {
    let id = CheckId::Permissions;
    if host.uid == 0 || host.is_session() || !host.is_local_qemu() {
        return result(id, Verdict::Pass, Finding::NoGroupNeeded);
    }
    let group = "libvirt".to_string();
    let text = std::fs::read_to_string(&host.group_file).unwrap_or_default();
    let entry = text.lines().find_map(|l| {
        let f: Vec<&str> = l.split(':').collect();
        (f.len() >= 4 && f[0] == group).then(|| (f[2].parse::<u32>().ok(), f[3].to_string()))
    });
    let user = host.user.clone();
    let Some((gid, members)) = entry else {
        let mut r = result(id, Verdict::Fail, Finding::NotInGroup { user, group });
        r.details = format!("no group libvirt in {}", host.group_file.display());
        return r;
    };
    let member = members.split(',').any(|m| m.trim() == host.user);
    let active = gid.is_some_and(|g| host.active_gids.contains(&g));
    let (verdict, finding) = match (member, active) {
        (_, true) => (Verdict::Pass, Finding::InGroup { user, group }),
        (true, false) => (Verdict::Warning, Finding::GroupNotActive { user, group }),
        (false, false) => (Verdict::Fail, Finding::NotInGroup { user, group }),
    };
    let mut r = result(id, verdict, finding);
    if verdict == Verdict::Fail {
        r.fix = Some(Fix::Privileged(vec![
            "usermod".into(),
            "-aG".into(),
            "libvirt".into(),
            host.user.clone(),
        ]));
    }
    r.details = format!(
        "libvirt: members {members}; this session's groups {:?}",
        host.active_gids
    );
    r
}

/// The equivalent of `virsh list --all` on the connection.
pub fn check_connection(host: &Host) -> (CheckResult, Option<Connect>) {
    // With the window's time limit: a stuck service must not hold the check up.
    let listed = super::uri::open_within(&host.uri, super::uri::OPEN_TIME_LIMIT)
        .map_err(|f| match f {
            super::uri::OpenFailure::Libvirt(e) => {
                let raw = e.message().to_string();
                (BackendError::from_connect(&host.uri, &e), raw)
            }
            super::uri::OpenFailure::NoAnswer(limit) => {
                let raw = format!("no answer in {} s", limit.as_secs());
                (BackendError::new(ErrorKind::NotAnswering, raw.clone()), raw)
            }
        })
        .and_then(|conn| match conn.list_all_domains(0) {
            Ok(doms) => Ok((conn, doms.len())),
            Err(e) => Err((BackendError::from_op(&e), e.message().to_string())),
        });
    let uri = host.uri.clone();
    match listed {
        Ok((conn, machines)) => (
            result(
                CheckId::Connection,
                Verdict::Pass,
                Finding::Connected { uri, machines },
            ),
            Some(conn),
        ),
        Err((error, raw)) => {
            let mut r = result(
                CheckId::Connection,
                Verdict::Fail,
                Finding::ConnectFailed { uri, error },
            );
            r.details = raw;
            (r, None)
        }
    }
}

/// The `default` NAT network: exists, active, starts with the host. Session connections
/// cannot manage it; they need /etc/qemu/bridge.conf to allow virbr0 to use it.
pub fn check_network(host: &Host, conn: Option<&Connect>) -> CheckResult {
    let id = CheckId::Network;
    if host.is_session() {
        let text = std::fs::read_to_string(&host.bridge_conf).unwrap_or_default();
        let allowed = text.lines().any(|l| {
            let l = l.trim();
            l == "allow virbr0" || l == "allow all"
        });
        return if allowed {
            result(id, Verdict::Pass, Finding::SessionBridgeAllowed)
        } else {
            // Normal for a session (its machines use user-mode networking): only information,
            // with the line to add for whoever wants the "default" network there.
            let mut r = result(id, Verdict::Info, Finding::SessionBridgeNotAllowed);
            r.fix = Some(Fix::Copy(format!(
                "echo 'allow virbr0' | sudo tee -a {}",
                host.bridge_conf.display()
            )));
            r.details = format!("{}: no “allow virbr0”", host.bridge_conf.display());
            r
        };
    }
    let Some(conn) = conn else {
        return result(id, Verdict::Warning, Finding::Skipped);
    };
    let net = match conn.lookup_network_by_name("default") {
        Ok(n) => n,
        Err(e) => {
            let mut r = result(id, Verdict::Warning, Finding::NetworkMissing);
            r.fix = Some(Fix::Copy(
                "sudo virsh net-define /usr/share/libvirt/networks/default.xml && sudo virsh net-autostart default && sudo virsh net-start default".into(),
            ));
            r.details = e.message().to_string();
            return r;
        }
    };
    if !net.is_active().unwrap_or(false) {
        let mut r = result(id, Verdict::Fail, Finding::NetworkInactive);
        r.fix = Some(Fix::Libvirt(LibvirtFix::StartNetwork));
        return r;
    }
    if !net.autostart().unwrap_or(false) {
        let mut r = result(id, Verdict::Warning, Finding::NetworkNoAutostart);
        r.fix = Some(Fix::Libvirt(LibvirtFix::AutostartNetwork));
        return r;
    }
    result(id, Verdict::Pass, Finding::NetworkReady)
}

const LOW_SPACE: u64 = 10 * 1024 * 1024 * 1024;

/// A storage pool named `default` (where new disks go), active, with room.
pub fn check_storage(host: &Host, conn: Option<&Connect>) -> CheckResult {
    let id = CheckId::Storage;
    let Some(conn) = conn else {
        return result(id, Verdict::Warning, Finding::Skipped);
    };
    let pool = match conn.lookup_storage_pool_by_name("default") {
        Ok(p) => p,
        Err(e) => {
            let dir = if host.is_session() {
                std::env::var_os("HOME")
                    .map(PathBuf::from)
                    .unwrap_or_default()
                    .join(".local/share/libvirt/images")
            } else {
                PathBuf::from("/var/lib/libvirt/images")
            };
            let mut r = result(id, Verdict::Warning, Finding::PoolMissing);
            r.fix = Some(Fix::Libvirt(LibvirtFix::CreateDefaultPool(dir)));
            r.details = e.message().to_string();
            return r;
        }
    };
    let name = pool.name().unwrap_or_else(|_| "default".into());
    if !pool.is_active().unwrap_or(false) {
        let mut r = result(
            id,
            Verdict::Fail,
            Finding::PoolInactive { name: name.clone() },
        );
        r.fix = Some(Fix::Libvirt(LibvirtFix::StartPool(name)));
        return r;
    }
    let available = pool.info().map(|i| i.available).unwrap_or(0);
    let mut r = if available < LOW_SPACE {
        result(
            id,
            Verdict::Warning,
            Finding::PoolLowSpace { name, available },
        )
    } else {
        result(id, Verdict::Pass, Finding::PoolReady { name, available })
    };
    r.details = format!("{available} bytes free");
    r
}

/// Runs a libvirt fix on the connection `uri`.
pub fn apply_libvirt_fix(uri: &str, fix: &LibvirtFix) -> Result<(), BackendError> {
    let conn = super::uri::open(uri).map_err(|e| BackendError::from_connect(uri, &e))?;
    let op = |e: virt::error::Error| BackendError::from_op(&e);
    match fix {
        LibvirtFix::StartNetwork => {
            let net = conn.lookup_network_by_name("default").map_err(op)?;
            net.create().map_err(op)?;
            // A started default network should also come back after a reboot.
            net.set_autostart(true).map_err(op)?;
        }
        LibvirtFix::AutostartNetwork => {
            conn.lookup_network_by_name("default")
                .map_err(op)?
                .set_autostart(true)
                .map_err(op)?;
        }
        LibvirtFix::StartPool(name) => {
            let pool = conn.lookup_storage_pool_by_name(name).map_err(op)?;
            pool.create(0).map_err(op)?;
            pool.set_autostart(true).map_err(op)?;
        }
        LibvirtFix::CreateDefaultPool(dir) => {
            let xml = format!(
                "<pool type='dir'><name>default</name><target><path>{}</path></target></pool>",
                xml_escape(&dir.display().to_string())
            );
            let pool = conn.define_storage_pool_xml(&xml, 0).map_err(op)?;
            // Creates the folder if missing (with the permissions libvirt wants).
            pool.build(0).map_err(op)?;
            pool.create(0).map_err(op)?;
            pool.set_autostart(true).map_err(op)?;
        }
    }
    Ok(())
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('\'', "&apos;")
        .replace('"', "&quot;")
}

/// The program that runs privileged fixes: pkexec asks for the admin password itself.
pub fn pkexec_argv(argv: &[String]) -> Vec<String> {
    let mut v = vec!["pkexec".to_string()];
    v.extend(argv.iter().cloned());
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distro_and_install_command() {
        let dir = std::env::temp_dir().join(format!("bilik-osr-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("os-release");
        std::fs::write(&f, "NAME=\"Ubuntu\"\nID=ubuntu\nID_LIKE=debian\n").unwrap();
        assert_eq!(Distro::detect(&f), Some(Distro::Debian));
        std::fs::write(&f, "ID=fedora\n").unwrap();
        assert_eq!(Distro::detect(&f), Some(Distro::Fedora));
        std::fs::write(
            &f,
            "ID=\"opensuse-tumbleweed\"\nID_LIKE=\"opensuse suse\"\n",
        )
        .unwrap();
        assert_eq!(Distro::detect(&f), Some(Distro::Suse));
        assert_eq!(
            Distro::Debian.install_argv(&["virt-viewer"]),
            ["apt-get", "install", "-y", "virt-viewer"]
        );
        assert_eq!(
            Component::LibvirtDaemon.package(Distro::Fedora),
            "libvirt-daemon-kvm"
        );
    }

    #[test]
    fn escapes_pool_paths() {
        assert_eq!(xml_escape("/a'b<c>&"), "/a&apos;b&lt;c&gt;&amp;");
    }
}
