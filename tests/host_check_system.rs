//! The host setup check under real conditions in the dev root: the real daemon stopped and
//! running, a user in and not in the libvirt group, the default network stopped, /dev/kvm
//! missing and unreadable, a package missing, no default storage pool. Each asserts the
//! verdict and the fix offered. One test function: it changes the system for its duration.

mod common;

use std::path::Path;
use std::process::Command;

use bilik::backend::host_check::{
    self, CheckId, Component, Finding, Fix, Host, LibvirtFix, Verdict,
};
use bilik::backend::image_access;

const URI: &str = common::SYSTEM;

fn sh(cmd: &str, args: &[&str]) -> (bool, String) {
    let out = Command::new(cmd).args(args).output().expect(cmd);
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr),
    )
}

/// Renames a file for the guard's lifetime (a missing device or binary, for real).
struct Hidden(&'static str);
impl Hidden {
    fn new(path: &'static str) -> Hidden {
        std::fs::rename(path, format!("{path}.bilik-test")).expect("hide");
        Hidden(path)
    }
}
impl Drop for Hidden {
    fn drop(&mut self) {
        std::fs::rename(format!("{}.bilik-test", self.0), self.0).expect("restore");
    }
}

fn host_as(user: &str, active_gids: Vec<u32>) -> Host {
    Host {
        user: user.to_string(),
        uid: 1000,
        active_gids,
        ..Host::current(URI)
    }
}

fn libvirt_gid() -> u32 {
    let g = std::fs::read_to_string("/etc/group").unwrap();
    g.lines()
        .find(|l| l.starts_with("libvirt:"))
        .and_then(|l| l.split(':').nth(2))
        .and_then(|s| s.parse().ok())
        .expect("group libvirt")
}

#[test]
#[ignore = "needs the system libvirtd"]
fn setup_check_under_real_conditions() {
    let host = Host::current(URI);

    // KVM: present, missing, unreadable for an ordinary user.
    let r = host_check::check_kvm(&host);
    assert_eq!(r.verdict, Verdict::Pass, "{r:?}");
    assert!(
        matches!(r.finding, Finding::KvmReady { api_version: 12 }),
        "{r:?}"
    );
    {
        let _gone = Hidden::new("/dev/kvm");
        let r = host_check::check_kvm(&host);
        assert_eq!(
            (r.verdict, &r.finding),
            (Verdict::Fail, &Finding::KvmMissing)
        );
    }
    sh("chmod", &["600", "/dev/kvm"]);
    let (_, out) = sh(
        "runuser",
        &[
            "-u",
            "bilik",
            "--",
            "target/debug/bilik",
            "--setup-check",
            "--connect",
            URI,
        ],
    );
    sh("chmod", &["660", "/dev/kvm"]);
    assert!(
        out.contains("FAIL  Hardware virtualisation (KVM): /dev/kvm exists but you may not use it")
            && out.contains("fix: sudo usermod -aG kvm bilik"),
        "{out}"
    );

    // A package missing: the binary's absence, and the install command for Debian.
    {
        // Both viewers come from the virt-viewer package.
        let _gone = (
            Hidden::new("/usr/bin/virt-viewer"),
            Hidden::new("/usr/bin/remote-viewer"),
        );
        let r = host_check::check_packages(&host);
        assert_eq!(r.verdict, Verdict::Warning);
        assert_eq!(
            r.finding,
            Finding::PackagesMissing {
                missing: vec![Component::VirtViewer]
            }
        );
        assert_eq!(
            r.fix,
            Some(Fix::Privileged(vec![
                "apt-get".into(),
                "install".into(),
                "-y".into(),
                "virt-viewer".into()
            ]))
        );
    }
    assert_eq!(host_check::check_packages(&host).verdict, Verdict::Pass);

    // The daemon stopped, then running.
    sh("build-aux/libvirtd-ctl", &["stop"]);
    let r = host_check::check_daemon(&host);
    sh("build-aux/libvirtd-ctl", &["start"]);
    assert_eq!(r.verdict, Verdict::Fail);
    assert_eq!(r.finding, Finding::DaemonStopped { modular: false });
    assert_eq!(
        r.fix,
        Some(Fix::Privileged(vec![
            "systemctl".into(),
            "enable".into(),
            "--now".into(),
            "libvirtd.socket".into()
        ]))
    );
    assert_eq!(host_check::check_daemon(&host).verdict, Verdict::Pass);

    // Group membership, from the real /etc/group.
    let gid = libvirt_gid();
    let r = host_check::check_permissions(&host_as("bilik", vec![1000, gid]));
    assert_eq!(r.verdict, Verdict::Pass, "{r:?}");
    let r = host_check::check_permissions(&host_as("bilik", vec![1000]));
    assert_eq!(
        r.verdict,
        Verdict::Warning,
        "in /etc/group, not in this session: {r:?}"
    );
    assert!(matches!(r.finding, Finding::GroupNotActive { .. }));
    let _ = sh("useradd", &["--no-create-home", "bilik-nogroup"]);
    let r = host_check::check_permissions(&host_as("bilik-nogroup", vec![1001]));
    assert_eq!(r.verdict, Verdict::Fail);
    assert_eq!(
        r.fix,
        Some(Fix::Privileged(vec![
            "usermod".into(),
            "-aG".into(),
            "libvirt".into(),
            "bilik-nogroup".into()
        ]))
    );

    // The connection test: `virsh list --all` equivalent.
    let (r, conn) = host_check::check_connection(&host);
    assert_eq!(r.verdict, Verdict::Pass, "{r:?}");
    let conn = conn.expect("connection");

    // The default network stopped: the fix starts it (and sets autostart).
    let _ = common::virsh_try(&["net-destroy", "default"]);
    let r = host_check::check_network(&host, Some(&conn));
    assert_eq!(
        (r.verdict, &r.finding),
        (Verdict::Fail, &Finding::NetworkInactive),
        "{r:?}"
    );
    assert_eq!(r.fix, Some(Fix::Libvirt(LibvirtFix::StartNetwork)));
    host_check::apply_libvirt_fix(URI, &LibvirtFix::StartNetwork).expect("start network");
    let r = host_check::check_network(&host, Some(&conn));
    assert_eq!(r.verdict, Verdict::Pass, "{r:?}");

    // No default pool: the fix creates it in /var/lib/libvirt/images.
    let _ = common::virsh_try(&["pool-destroy", "default"]);
    let _ = common::virsh_try(&["pool-undefine", "default"]);
    let r = host_check::check_storage(&host, Some(&conn));
    assert_eq!(
        (r.verdict, &r.finding),
        (Verdict::Warning, &Finding::PoolMissing)
    );
    let Some(Fix::Libvirt(fix)) = r.fix else {
        panic!("no fix: {r:?}")
    };
    assert_eq!(
        fix,
        LibvirtFix::CreateDefaultPool("/var/lib/libvirt/images".into())
    );
    host_check::apply_libvirt_fix(URI, &fix).expect("create pool");
    let r = host_check::check_storage(&host, Some(&conn));
    assert!(
        matches!(
            r.finding,
            Finding::PoolReady { .. } | Finding::PoolLowSpace { .. }
        ),
        "{r:?}"
    );
    assert!(Path::new("/var/lib/libvirt/images").is_dir());

    // A disk image in a private folder: the qemu user is stopped at the folder; the offered
    // ACL entry (run here as root, as pkexec would) lets it through, nothing else changes.
    let (qemu, quid, qgid) = image_access::qemu_user().expect("qemu user");
    assert_eq!(qemu, "libvirt-qemu");
    let private = Path::new("/tmp/bilik-private");
    let _ = std::fs::remove_dir_all(private);
    std::fs::create_dir_all(private.join("isos")).unwrap();
    std::fs::write(private.join("isos/debian.iso"), b"iso").unwrap();
    sh("chmod", &["700", "/tmp/bilik-private"]);
    sh("chmod", &["755", "/tmp/bilik-private/isos"]);
    sh("chmod", &["644", "/tmp/bilik-private/isos/debian.iso"]);
    let iso = private.join("isos/debian.iso");
    let block = image_access::image_access(&iso, &qemu, quid, &[qgid]).expect_err("blocked");
    assert_eq!(block.at, private);
    assert_eq!(
        block.fix,
        ["setfacl", "-m", "u:libvirt-qemu:x", "/tmp/bilik-private"]
    );
    let (ok, out) = sh(
        &block.fix[0],
        &block.fix[1..]
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
    );
    assert!(ok, "{out}");
    assert_eq!(
        image_access::image_access(&iso, &qemu, quid, &[qgid]),
        Ok(())
    );
    // An unreadable file is named itself.
    sh("chmod", &["600", "/tmp/bilik-private/isos/debian.iso"]);
    let block = image_access::image_access(&iso, &qemu, quid, &[qgid]).expect_err("unreadable");
    assert_eq!(block.at, iso);
    assert_eq!(block.fix[2], "u:libvirt-qemu:r");
    std::fs::remove_dir_all(private).unwrap();

    // The whole page is fast on a healthy host.
    let t0 = std::time::Instant::now();
    let all = host_check::run_all(&host);
    let took = t0.elapsed();
    eprintln!("setup check: {} checks in {took:?}", all.len());
    assert_eq!(all.len(), 7);
    assert!(all
        .iter()
        .all(|r| r.id != CheckId::Kvm || r.verdict == Verdict::Pass));
}
