//! Express install with a real installer on the real system libvirtd: Debian 13's own
//! installer (kernel and initrd from Debian's debian-installer-13-netboot-amd64) on a disc
//! made here under the volume label libosinfo knows, recognised by libosinfo, answered by
//! libosinfo's preseed (patched by Bilik) for user `ana` with the French keyboard, booted
//! directly under TCG (the nested KVM here cannot run this kernel) with a serial console
//! to a file. The serial log shows that the installer asked neither language, keyboard,
//! host name nor user, that debconf holds `fr` and `ana`, and that it got as far as the
//! network mirror (these machines have no internet: the install stops there).

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use bilik::backend::express::{self, Request};
use bilik::backend::libosinfo::{Answers, Database};
use bilik::backend::new_vm::{self, Install, NetworkChoice, NewVm};
use common::{block_on, virsh, virsh_try, Conn};

const VM: &str = "bilik-express-vm";
const SERIAL: &str = "/var/log/libvirt/qemu/bilik-express-vm.serial.log";
const IMAGES: &str = "/usr/lib/debian-installer/images/13/amd64/text/debian-installer/amd64";

fn cleanup() {
    virsh_try(&["destroy", VM]);
    virsh_try(&["undefine", VM, "--nvram", "--remove-all-storage"]);
    for v in ["install-kernel", "install-initrd"] {
        virsh_try(&["vol-delete", "--pool", "default", &format!("{VM}-{v}")]);
    }
    let _ = std::fs::remove_file(SERIAL);
}

/// Debian's installer kernel and initrd where a Debian netinst disc has them, under the
/// label of a Debian 13 disc that the dev root's osinfo-db (2025-06) knows.
fn debian_disc(dir: &Path) -> PathBuf {
    let content = dir.join("content");
    std::fs::create_dir_all(content.join("install.amd")).unwrap();
    for (from, to) in [("linux", "vmlinuz"), ("initrd.gz", "initrd.gz")] {
        std::fs::copy(
            format!("{IMAGES}/{from}"),
            content.join("install.amd").join(to),
        )
        .expect("the dev root has debian-installer-13-netboot-amd64");
    }
    let iso = dir.join("debian-13-netinst.iso");
    common::bootable_iso(&content, &iso, "Debian trixie-DI-rc3 amd64 n", "", "");
    // libvirt's qemu user reads the disc.
    std::process::Command::new("chmod")
        .args(["-R", "a+rX"])
        .arg(dir)
        .status()
        .unwrap();
    iso
}

#[test]
#[ignore = "needs the system libvirtd"]
fn debian_installs_itself_with_the_french_keyboard_and_asks_nothing() {
    cleanup();
    common::ensure_default_pool();
    virsh_try(&["net-start", "default"]);
    let dir = PathBuf::from("/var/lib/libvirt/bilik-express");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let iso = debian_disc(&dir);

    // What the wizard does: libosinfo recognises the disc and renders its answer file.
    let db = Database::load().expect("osinfo-db");
    let disc = db.identify(&iso).expect("read").remove(0);
    assert_eq!(disc.os_id, "http://debian.org/debian/13");
    assert!(
        disc.installer_script,
        "libosinfo: this disc takes an answer file"
    );
    let answers = Answers {
        user_login: "ana".into(),
        user_realname: "Ana Martin".into(),
        user_password: "Qwerty-Azerty 12".into(),
        admin_password: "Qwerty-Azerty 12".into(),
        hostname: express::host_name(VM),
        // On a serial console the installer offers only C and English (it cannot know
        // what the terminal shows); the keyboard is the trap, and it stays French.
        language: "en_US".into(),
        keyboard: "fr".into(),
        timezone: "Europe/Paris".into(),
        product_key: String::new(),
    };
    express::check_answers(&answers, "Qwerty-Azerty 12").expect("good answers");
    let mut rendered = db
        .install_script(&disc.os_id, &answers)
        .expect("osinfo-db has Debian's preseed")
        .expect("rendered");
    // The test's own probe: what debconf holds, printed on the serial console.
    let probe = "d-i preseed/early_command string echo BILIK-PROBE keymap=$(debconf-get keyboard-configuration/xkb-keymap) user=$(debconf-get passwd/username) > /dev/ttyS0".to_string();
    express::patch(&mut rendered, &answers, &[probe], &[], false).expect("patched");
    assert!(rendered.content.contains("d-i passwd/username string ana"));
    println!(
        "libosinfo: {} ({}), command line {:?}",
        rendered.file_name, rendered.profile, rendered.command_line
    );

    let c = Conn::open(common::SYSTEM);
    c.domains();
    let spec = NewVm {
        name: VM.into(),
        os_id: Some(disc.os_id.clone()),
        memory_mib: 1024,
        vcpus: 1,
        install: Install::Iso(iso.display().to_string()),
        disk: Some(("default".into(), 4)),
        hardware: new_vm::Hardware {
            disk_bus: new_vm::DiskBus::Virtio,
            nic: new_vm::NicModel::Virtio,
            video: new_vm::Video::Virtio,
            firmware: new_vm::Firmware::Bios,
            windows: false,
            efi_required: false,
        },
        network: NetworkChoice::Virtual("default".into()),
        start: false,
        shares: vec![],
    };
    let created = block_on(
        c.handle
            .connection()
            .call(move |c| Ok(new_vm::create(c, &spec))),
    )
    .expect("connected")
    .expect("defined");
    // Under TCG, with the serial console in a file (the test's eyes).
    let xml = virsh(&["dumpxml", "--inactive", VM])
        .lines()
        .filter(|l| !l.contains("<cpu mode='host-passthrough'"))
        .collect::<Vec<_>>()
        .join("\n")
        .replace("<domain type='kvm'", "<domain type='qemu'")
        .replace(
            "</devices>",
            &format!("<serial type='file'><source path='{SERIAL}'/></serial></devices>"),
        );
    std::fs::write(dir.join("vm.xml"), &xml).unwrap();
    virsh(&["define", &dir.join("vm.xml").display().to_string()]);

    let req = Request {
        iso: iso.clone(),
        method: express::method(&disc).expect("express install answers this installer"),
        kernel: Some(
            disc.kernel
                .clone()
                .expect("libosinfo knows the kernel's path"),
        ),
        initrd: Some(disc.initrd.clone().expect("and the initrd's")),
        answers: rendered,
        extra_cmdline: "console=ttyS0,115200n8".into(),
        pool: "default".into(),
    };
    let uuid = created.uuid.clone();
    block_on(
        c.handle
            .connection()
            .call(move |c| express::start(c, &uuid, &req)),
    )
    .expect("the install starts");
    assert_eq!(virsh(&["domstate", VM]), "running");
    let live = virsh(&["dumpxml", VM]);
    assert!(live.contains("<on_reboot>destroy</on_reboot>"), "{live}");
    assert!(live.contains("-install-kernel</kernel>"));
    let persistent = virsh(&["dumpxml", "--inactive", VM]);
    assert!(
        !persistent.contains("<kernel>"),
        "the final definition boots its disk"
    );
    assert!(persistent.contains("bilik:install"));
    let uuid = created.uuid.clone();
    let marked = block_on(
        c.handle
            .connection()
            .call(move |c| express::installing(c, &uuid)),
    )
    .expect("read");
    assert!(marked.is_some());
    // The Hardware tab's answer says so (the overview shows "Installing … do not turn
    // the machine off").
    let uuid = created.uuid.clone();
    let hw = block_on(
        c.handle
            .connection()
            .call(move |c| bilik::backend::details::hardware(c, &uuid)),
    )
    .expect("read");
    assert_eq!(hw.installing, Some(express::Stage::Installer));

    // Watch the installer on its serial console.
    let t0 = Instant::now();
    let mut log = String::new();
    let reached = |log: &str| {
        let l = log.to_lowercase();
        l.contains("mirror") || l.contains("miroir")
    };
    while t0.elapsed() < Duration::from_secs(600) && !reached(&log) {
        std::thread::sleep(Duration::from_secs(5));
        log = String::from_utf8_lossy(&std::fs::read(SERIAL).unwrap_or_default()).into_owned();
        if virsh(&["domstate", VM]) != "running" {
            break;
        }
    }
    let secs = t0.elapsed().as_secs();
    let tail: String = log
        .chars()
        .rev()
        .take(3000)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    assert!(
        reached(&log),
        "the installer reached the mirror step; after {secs} s its serial log ends with:\n{tail}"
    );
    println!("reached the mirror step after {secs} s under TCG");
    assert!(
        log.contains("BILIK-PROBE keymap=fr user=ana"),
        "debconf holds the French keyboard and the login"
    );
    for question in [
        "Choose the language",
        "Choose language",
        "Select a language",
        "Keymap to use",
        "Configure the keyboard",
        "Hostname:",
        "Full name for the new user",
        "Username for your account",
        "Choisir la langue",
        "Choix de la langue",
        "Disposition de clavier",
        "Nom de la machine",
        "Nom complet du nouvel utilisateur",
    ] {
        assert!(!log.contains(question), "the installer asked: {question}");
    }

    // Forced off before its end (no internet here): an interrupted install keeps its
    // files, and can start over with them.
    virsh(&["destroy", VM]);
    let uuid = created.uuid.clone();
    let ended = block_on(
        c.handle
            .connection()
            .call(move |c| express::finish(c, &uuid)),
    )
    .expect("read");
    assert_eq!(ended, express::Ended::Interrupted);
    let uuid = created.uuid.clone();
    let again = block_on(
        c.handle
            .connection()
            .call(move |c| express::finish(c, &uuid)),
    )
    .expect("read");
    assert_eq!(again, express::Ended::NotInstalling, "said once per stop");
    assert!(virsh(&["vol-list", "default"]).contains("-install-initrd"));
    let uuid = created.uuid.clone();
    block_on(
        c.handle
            .connection()
            .call(move |c| express::restart(c, &uuid)),
    )
    .expect("the installer starts over");
    assert!(virsh(&["dumpxml", VM]).contains("-install-kernel</kernel>"));
    virsh(&["destroy", VM]);
    // Given up: the files with the password go, the machine stays.
    let uuid = created.uuid.clone();
    block_on(
        c.handle
            .connection()
            .call(move |c| express::abandon(c, &uuid)),
    )
    .expect("abandoned");
    let vols = virsh(&["vol-list", "default"]);
    assert!(
        !vols.contains("-install-"),
        "the files with the password are gone: {vols}"
    );
    assert!(!virsh(&["dumpxml", "--inactive", VM]).contains("bilik:install"));
    cleanup();
    let _ = std::fs::remove_dir_all(&dir);
}
