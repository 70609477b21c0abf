//! Express install with an answer disc, on the real system libvirtd: Windows (osinfo-db's
//! autounattend.xml and windows.cmd on a second CD-ROM) and Ubuntu 24.04 (Bilik's
//! autoinstall on a `cidata` disc, the installer's kernel booted with `autoinstall`).
//! The discs are made here under the volume labels libosinfo knows; their "installer" is
//! a boot record (Windows) or a kernel (Ubuntu) that resets the machine at once, as an
//! installer does when it is done. Checked: what the install boots with, what is on the
//! answer disc, and what is left when the install is done: the installer disc ejected,
//! the disk first to boot, the files with the password gone (Windows: when Setup, which
//! goes on in the installed machine and reads windows.cmd, is done, at its first stop).

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use bilik::backend::express::{self, Ended, Job, Method};
use bilik::backend::libosinfo::{Answers, Database};
use bilik::backend::new_vm::{self, Install, NetworkChoice, NewVm};
use common::{block_on, virsh, virsh_try, Conn};

const PASSWORD: &str = "Qwerty-Azerty 12 $(x) \"é\"";

fn answers(hostname: &str) -> Answers {
    Answers {
        user_login: "ana".into(),
        user_realname: "Ana Martin".into(),
        user_password: PASSWORD.into(),
        admin_password: PASSWORD.into(),
        hostname: hostname.into(),
        language: "fr_FR".into(),
        keyboard: "fr".into(),
        timezone: "Europe/Paris".into(),
        product_key: String::new(),
    }
}

fn cleanup(vm: &str) {
    virsh_try(&["destroy", vm]);
    virsh_try(&["undefine", vm, "--nvram", "--remove-all-storage"]);
    for v in ["install-kernel", "install-initrd", "install-answers.iso"] {
        virsh_try(&["vol-delete", "--pool", "default", &format!("{vm}-{v}")]);
    }
}

/// A disc of `content` under `label`, readable by libvirt's qemu user.
fn disc(dir: &Path, content: &Path, label: &str, publisher: &str) -> PathBuf {
    let iso = dir.join("installer.iso");
    common::bootable_iso(content, &iso, label, publisher, "");
    std::process::Command::new("chmod")
        .args(["-R", "a+rX"])
        .arg(dir)
        .status()
        .unwrap();
    iso
}

/// The files on a disc image, and the content of `file` on it.
fn read_disc(path: &str, file: &str) -> (String, String) {
    let ls = std::process::Command::new("xorriso")
        .args(["-indev", path, "-ls", "/"])
        .output()
        .unwrap();
    let out = std::env::temp_dir().join(format!("bilik-disc-{}-{file}", std::process::id()));
    let _ = std::fs::remove_file(&out);
    std::process::Command::new("xorriso")
        .args(["-osirrox", "on", "-indev", path, "-extract"])
        .arg(format!("/{file}"))
        .arg(&out)
        .output()
        .unwrap();
    let content = std::fs::read_to_string(&out).unwrap_or_default();
    let _ = std::fs::remove_file(&out);
    (String::from_utf8_lossy(&ls.stdout).into_owned(), content)
}

fn define(c: &Conn, vm: &str, os_id: &str, iso: &Path) -> String {
    let spec = NewVm {
        name: vm.into(),
        os_id: Some(os_id.into()),
        memory_mib: 256,
        vcpus: 1,
        install: Install::Iso(iso.display().to_string()),
        disk: Some(("default".into(), 1)),
        hardware: new_vm::Hardware {
            disk_bus: new_vm::DiskBus::Sata,
            nic: new_vm::NicModel::E1000e,
            video: new_vm::Video::Qxl,
            firmware: new_vm::Firmware::Bios,
            windows: false,
            efi_required: false,
        },
        network: NetworkChoice::Virtual("default".into()),
        start: false,
        shares: vec![],
    };
    block_on(
        c.handle
            .connection()
            .call(move |c| Ok(new_vm::create(c, &spec))),
    )
    .expect("connected")
    .expect("defined")
    .uuid
}

fn call<T: Send + 'static>(
    c: &Conn,
    f: impl FnOnce(&virt::connect::Connect) -> Result<T, bilik::backend::BackendError> + Send + 'static,
) -> T {
    block_on(c.handle.connection().call(f)).expect("libvirt answers")
}

/// Waits until the machine has stopped by itself (the "installer" resets it).
fn wait_shut_off(vm: &str) {
    let t0 = Instant::now();
    while virsh(&["domstate", vm]) != "shut off" {
        assert!(
            t0.elapsed() < Duration::from_secs(60),
            "the installer's reset ended the install"
        );
        std::thread::sleep(Duration::from_millis(300));
    }
}

#[test]
#[ignore = "needs the system libvirtd"]
fn windows_reads_its_answers_from_a_second_disc() {
    const VM: &str = "bilik-express-win";
    cleanup(VM);
    common::ensure_default_pool();
    virsh_try(&["net-start", "default"]);
    let dir = PathBuf::from("/var/lib/libvirt/bilik-express-win");
    let _ = std::fs::remove_dir_all(&dir);
    let content = dir.join("content");
    std::fs::create_dir_all(&content).unwrap();
    std::fs::write(content.join("boot.bin"), common::resetting_boot_record()).unwrap();
    let iso = disc(
        &dir,
        &content,
        "CENA_X64FREV_EN-US_DV5",
        "MICROSOFT CORPORATION",
    );
    let db = Database::load().expect("osinfo-db");
    let found = db.identify(&iso).expect("read").remove(0);
    assert_eq!(found.os_id, "http://microsoft.com/win/10");
    assert_eq!(express::method(&found), Some(Method::AnswerDisc));

    let c = Conn::open(common::SYSTEM);
    let uuid = define(&c, VM, &found.os_id, &iso);
    let job = Job {
        os_id: found.os_id.clone(),
        method: Method::AnswerDisc,
        iso: iso.clone(),
        kernel: None,
        initrd: None,
        answers: answers("win-01"),
        mounts: vec![],
        efi: false,
        pool: "default".into(),
    };
    let req = express::request(&job).expect("rendered");
    let u = uuid.clone();
    call(&c, move |c| express::start(c, &u, &req));
    let live = virsh(&["dumpxml", VM]);
    assert!(!live.contains("<kernel>"), "Windows boots its own disc");
    let answer_disc = format!("/var/lib/libvirt/images/{VM}-install-answers.iso");
    assert!(live.contains(&answer_disc), "{live}");
    let (files, unattend) = read_disc(&answer_disc, "autounattend.xml");
    assert!(
        files.contains("autounattend.xml") && files.contains("windows.cmd"),
        "{files}"
    );
    let doc = roxmltree::Document::parse(&unattend).expect("well-formed");
    assert!(doc
        .descendants()
        .any(|n| n.text().is_some_and(|t| t.trim() == PASSWORD)));
    assert!(unattend.contains("<InputLocale>fr-FR</InputLocale>"));
    let mode = virsh(&[
        "vol-dumpxml",
        "--pool",
        "default",
        &format!("{VM}-install-answers.iso"),
    ]);
    assert!(mode.contains("<mode>0600</mode>"), "{mode}");

    // Setup's first phase ends in a reboot: Bilik starts the installed machine with the
    // answer disc still in (Setup goes on there and runs windows.cmd from it).
    wait_shut_off(VM);
    let u = uuid.clone();
    assert_eq!(
        call(&c, move |c| express::finish(c, &u)),
        Ended::SetupGoesOn
    );
    assert_eq!(virsh(&["domstate", VM]), "running");
    let installed = virsh(&["dumpxml", "--inactive", VM]);
    assert!(
        !installed.contains(&iso.display().to_string()),
        "the installer disc is out: {installed}"
    );
    assert!(installed.contains(&answer_disc));
    let boot: Vec<&str> = installed
        .lines()
        .filter(|l| l.contains("<boot dev="))
        .map(str::trim)
        .collect();
    assert_eq!(boot, ["<boot dev='hd'/>", "<boot dev='cdrom'/>"]);
    // Its first stop: Setup is done; the answers go.
    virsh(&["destroy", VM]);
    let u = uuid.clone();
    assert_eq!(
        call(&c, move |c| express::finish(c, &u)),
        Ended::NotInstalling
    );
    let after = virsh(&["dumpxml", "--inactive", VM]);
    assert!(
        !after.contains("answers.iso") && !after.contains("bilik:install"),
        "{after}"
    );
    let vols = virsh(&["vol-list", "default"]);
    assert!(!vols.contains(&format!("{VM}-install")), "{vols}");
    cleanup(VM);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
#[ignore = "needs the system libvirtd"]
fn ubuntu_autoinstalls_from_a_cidata_disc() {
    const VM: &str = "bilik-express-ubuntu";
    cleanup(VM);
    common::ensure_default_pool();
    virsh_try(&["net-start", "default"]);
    let dir = PathBuf::from("/var/lib/libvirt/bilik-express-ubuntu");
    let _ = std::fs::remove_dir_all(&dir);
    let content = dir.join("content");
    std::fs::create_dir_all(content.join("casper")).unwrap();
    std::fs::write(content.join("casper/vmlinuz"), common::resetting_kernel()).unwrap();
    std::fs::write(content.join("casper/initrd"), b"stand-in initrd").unwrap();
    let iso = disc(&dir, &content, "Ubuntu-Server 24.04.1 LTS amd64", "");
    let db = Database::load().expect("osinfo-db");
    let found = db.identify(&iso).expect("read").remove(0);
    assert_eq!(found.os_id, "http://ubuntu.com/ubuntu/24.04");
    assert_eq!(express::method(&found), Some(Method::Autoinstall));

    let c = Conn::open(common::SYSTEM);
    let uuid = define(&c, VM, &found.os_id, &iso);
    let job = Job {
        os_id: found.os_id.clone(),
        method: Method::Autoinstall,
        iso: iso.clone(),
        kernel: found.kernel.clone(),
        initrd: found.initrd.clone(),
        answers: answers("ubuntu-01"),
        mounts: vec!["Documents".into()],
        efi: false,
        pool: "default".into(),
    };
    let req = express::request(&job).expect("rendered");
    let u = uuid.clone();
    call(&c, move |c| express::start(c, &u, &req));
    let live = virsh(&["dumpxml", VM]);
    assert!(
        live.contains("<cmdline>autoinstall ds=nocloud</cmdline>"),
        "{live}"
    );
    let answer_disc = format!("/var/lib/libvirt/images/{VM}-install-answers.iso");
    assert!(live.contains(&answer_disc));
    let (files, user_data) = read_disc(&answer_disc, "user-data");
    assert!(
        files.contains("user-data") && files.contains("meta-data"),
        "{files}"
    );
    assert!(user_data.contains("  identity:\n") && !user_data.contains(PASSWORD));
    let label = std::process::Command::new("xorriso")
        .args(["-indev", &answer_disc, "-pvd_info"])
        .output()
        .unwrap();
    let label = String::from_utf8_lossy(&label.stdout);
    assert!(
        label.contains("Volume Id    : cidata"),
        "cloud-init looks for this label: {label}"
    );

    wait_shut_off(VM);
    let u = uuid.clone();
    assert_eq!(call(&c, move |c| express::finish(c, &u)), Ended::Installed);
    let installed = virsh(&["dumpxml", "--inactive", VM]);
    assert!(!installed.contains(&iso.display().to_string()));
    assert!(!installed.contains("answers.iso") && !installed.contains("bilik:install"));
    let vols = virsh(&["vol-list", "default"]);
    assert!(!vols.contains(&format!("{VM}-install")), "{vols}");
    cleanup(VM);
    let _ = std::fs::remove_dir_all(&dir);
}
