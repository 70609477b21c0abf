//! Sentences for the host setup check: what each check found, in plain words, and what the
//! fix does. The backend (`backend::host_check`) only reports typed findings.

use gettextrs::gettext;

use crate::backend::host_check::{CheckId, CheckResult, Component, Finding, Fix, LibvirtFix};
use crate::i18n::gettext_f;

/// The check's name.
pub fn title(id: CheckId) -> String {
    match id {
        CheckId::Kvm => gettext("Hardware virtualisation (KVM)"),
        CheckId::Packages => gettext("Software"),
        CheckId::Daemon => gettext("The libvirt service"),
        CheckId::Permissions => gettext("Permission to use libvirt"),
        CheckId::Connection => gettext("Connection test"),
        CheckId::Network => gettext("Networking"),
        CheckId::Storage => gettext("Storage for disk images"),
    }
}

fn component(c: Component) -> String {
    match c {
        Component::Qemu => gettext("QEMU (runs the machines)"),
        Component::LibvirtDaemon => gettext("the libvirt service"),
        Component::LibvirtClient => gettext("the virsh command"),
        Component::VirtViewer => gettext("virt-viewer (shows a machine’s screen)"),
        Component::Virtiofsd => gettext("virtiofsd (shared folders)"),
        Component::OsinfoDb => gettext("osinfo-db (facts about operating systems)"),
    }
}

fn size(bytes: u64) -> String {
    format!("{:.1} GiB", bytes as f64 / (1024.0 * 1024.0 * 1024.0))
}

/// One line explaining the finding.
pub fn explain(r: &CheckResult) -> String {
    match &r.finding {
        Finding::KvmReady { .. } => gettext("KVM works: machines run at nearly full speed."),
        Finding::KvmMissing => gettext(
            "There is no /dev/kvm. Turn on virtualisation (Intel VT-x or AMD-V) in the computer’s BIOS/UEFI settings, or load the kvm_intel or kvm_amd module. Without it machines still run, but slowly.",
        ),
        Finding::KvmNoAccess => gettext(
            "/dev/kvm exists but you may not use it. Add yourself to the kvm group, then log out and back in.",
        ),
        Finding::KvmBroken => gettext("/dev/kvm does not answer as expected; the details say more."),
        Finding::PackagesPresent => gettext("Everything needed is installed."),
        Finding::PackagesMissing { missing } => {
            let list: Vec<String> = missing.iter().map(|c| component(*c)).collect();
            gettext_f("Not installed: {list}.", &[("list", &list.join(", "))])
        }
        Finding::DaemonRunning { .. } => gettext("The libvirt service is running."),
        Finding::DaemonStopped { .. } => gettext(
            "The libvirt service is not running, so machines of “This computer (system)” cannot be shown or started. Starting it also makes it start with the computer.",
        ),
        Finding::NoGroupNeeded => gettext("No special group is needed for this connection."),
        Finding::SessionDaemon => gettext(
            "For “My user session”, libvirt starts a service of your own by itself when Bilik connects.",
        ),
        Finding::RemoteDaemon => gettext("The service runs on the other computer; the connection test checks it."),
        Finding::InGroup { user, group } => gettext_f(
            "{user} is in the {group} group.",
            &[("user", user), ("group", group)],
        ),
        Finding::NotInGroup { user, group } => gettext_f(
            "{user} is not in the {group} group, which system machines need. After adding it, log out and back in.",
            &[("user", user), ("group", group)],
        ),
        Finding::GroupNotActive { user, group } => gettext_f(
            "{user} was added to the {group} group, but this login session started before that. Log out and back in.",
            &[("user", user), ("group", group)],
        ),
        Finding::Connected { uri, machines } => crate::i18n::ngettext_f(
            "Connected to {uri} — {n} machine.",
            "Connected to {uri} — {n} machines.",
            *machines as u32,
            &[("uri", uri)],
        ),
        Finding::ConnectFailed { uri, error } => {
            let m = crate::errors::connection_error(uri, error);
            format!("{} {}", m.title, m.advice)
        }
        Finding::NetworkReady => gettext("The “default” NAT network is running and starts with the computer."),
        Finding::NetworkMissing => gettext(
            "There is no “default” network, so new machines have no network card connected. It lets machines reach the internet through this computer (NAT).",
        ),
        Finding::NetworkInactive => gettext(
            "The “default” network is stopped: machines that use it cannot start.",
        ),
        Finding::NetworkNoAutostart => gettext(
            "The “default” network is running but will not start with the computer; machines using it would fail to start after a reboot.",
        ),
        Finding::SessionBridgeAllowed => gettext(
            "Session machines may use the “default” network through virbr0.",
        ),
        Finding::SessionBridgeNotAllowed => gettext(
            "Session machines use user-mode networking: they reach the internet but cannot be reached from outside. To put them on the “default” network instead, /etc/qemu/bridge.conf must allow virbr0.",
        ),
        Finding::PoolReady { name, available } => gettext_f(
            "Pool “{name}” is ready, {free} free.",
            &[("name", name), ("free", &size(*available))],
        ),
        Finding::PoolLowSpace { name, available } => gettext_f(
            "Pool “{name}” has only {free} free; a new machine’s disk usually needs 20 GiB or more.",
            &[("name", name), ("free", &size(*available))],
        ),
        Finding::PoolMissing => gettext(
            "There is no storage pool named “default”, where new disk images go. Bilik can create it.",
        ),
        Finding::PoolInactive { name } => gettext_f(
            "Pool “{name}” is stopped. Starting a pool does not change its files.",
            &[("name", name)],
        ),
        Finding::Skipped => gettext("Not checked: it needs a working connection."),
    }
}

/// The label of the button that applies `fix`.
pub fn fix_label(fix: &Fix) -> String {
    match fix {
        Fix::Privileged(_) => gettext("Fix…"),
        Fix::Copy(_) => gettext("Copy Command"),
        Fix::Libvirt(LibvirtFix::StartNetwork) => gettext("Start Network"),
        Fix::Libvirt(LibvirtFix::AutostartNetwork) => gettext("Start Automatically"),
        Fix::Libvirt(LibvirtFix::StartPool(_)) => gettext("Start Pool"),
        Fix::Libvirt(LibvirtFix::CreateDefaultPool(_)) => gettext("Create Pool"),
    }
}

/// What the fix will do, shown as the button's tooltip and under the row.
pub fn fix_hint(fix: &Fix) -> String {
    match fix {
        Fix::Privileged(argv) => gettext_f(
            "Runs “{command}” as administrator (you will be asked for your password).",
            &[("command", &argv.join(" "))],
        ),
        Fix::Copy(cmd) => gettext_f("Run this in a terminal: {command}", &[("command", cmd)]),
        Fix::Libvirt(LibvirtFix::CreateDefaultPool(dir)) => gettext_f(
            "Creates a pool “default” in {path}.",
            &[("path", &dir.display().to_string())],
        ),
        Fix::Libvirt(_) => gettext("Bilik does this through libvirt."),
    }
}
