//! The answer files of express install, rendered by libosinfo from the dev root's
//! osinfo-db and patched by Bilik, with hostile answers: quotes, `$(…)`, backslashes,
//! XML markup, non-ASCII names and an empty product key. Each file must carry every answer
//! exactly, inside its own syntax, and nothing else.

use bilik::backend::express::{self, AnswerProblem, Field};
use bilik::backend::libosinfo::{Answers, Database, Rendered};

const PASSWORD: &str = "$(reboot)`id` \\ \"x\" <b>&amp; é";

fn hostile() -> Answers {
    Answers {
        user_login: "ana".into(),
        user_realname: "Zoë <Ana> & \"Ñ\" $(id)".into(),
        user_password: PASSWORD.into(),
        admin_password: PASSWORD.into(),
        hostname: "web-01".into(),
        language: "fr_FR".into(),
        keyboard: "fr".into(),
        timezone: "Europe/Paris".into(),
        product_key: String::new(),
    }
}

fn render(db: &Database, os: &str, a: &Answers) -> Rendered {
    render_with(db, os, a, &[], false)
}

fn render_with(db: &Database, os: &str, a: &Answers, mounts: &[String], efi: bool) -> Rendered {
    let mut r = db
        .install_script(os, a)
        .unwrap_or_else(|| panic!("osinfo-db has a script for {os}"))
        .expect("rendered");
    express::patch(&mut r, a, &[], mounts, efi).expect("patched");
    println!(
        "{os}: {} ({}, {:?}), {} bytes, command line {:?}",
        r.file_name,
        r.profile,
        r.injection,
        r.content.len(),
        r.command_line
    );
    r
}

#[test]
fn debian_preseed_carries_the_answers_line_by_line() {
    let db = Database::load().expect("osinfo-db");
    let a = hostile();
    express::check_answers(&a, PASSWORD).expect("printable answers are accepted");
    let r = render(&db, "http://debian.org/debian/13", &a);
    assert_eq!(r.file_name, "preseed.cfg");
    let c = &r.content;
    assert!(c.contains("d-i passwd/username string ana\n"), "{c}");
    assert!(c.contains(&format!("d-i passwd/user-password password {PASSWORD}\n")));
    assert!(c.contains(&format!(
        "d-i passwd/user-password-again password {PASSWORD}\n"
    )));
    assert!(c.contains("d-i passwd/user-fullname string Zoë <Ana> & \"Ñ\" $(id)\n"));
    assert!(c.contains("d-i keyboard-configuration/xkb-keymap select fr\n"));
    assert!(c.contains("d-i debian-installer/locale string fr_FR\n"));
    assert!(c.contains("d-i time/zone select Europe/Paris\n"));
    assert!(c.contains("d-i netcfg/get_hostname string web-01\n"));
    assert!(c.contains("d-i passwd/root-login boolean false\n"));
    assert!(
        !c.contains("root-password"),
        "root is locked; the user has sudo"
    );
    // The agents a newcomer's machine needs, from osinfo-db's own script.
    assert!(
        c.contains("qemu-guest-agent") && c.contains("spice-vdagent"),
        "{c}"
    );
    // One late command: debconf keeps only the last.
    assert_eq!(c.matches("preseed/late_command").count(), 1);
    // The password is on its own lines only: no answer leaks into a command.
    for line in c.lines().filter(|l| l.contains("$(reboot)")) {
        assert!(line.starts_with("d-i passwd/user-password"), "{line}");
    }
    assert_eq!(
        r.command_line.as_deref(),
        Some("keyboard-configuration/xkb-keymap=fr debconf/priority=critical locale=fr_FR")
    );
}

#[test]
fn a_line_break_in_an_answer_never_reaches_a_file() {
    let mut a = hostile();
    a.user_password = "x\nd-i passwd/root-login boolean true".into();
    assert_eq!(
        express::check_answers(&a, &a.user_password.clone()),
        Err(AnswerProblem::ControlCharacter(Field::Password))
    );
}

#[test]
fn fedora_kickstart_keeps_passwords_inside_single_quotes() {
    let db = Database::load().expect("osinfo-db");
    let a = hostile();
    let r = render(&db, "http://fedoraproject.org/fedora/40", &a);
    assert_eq!(r.file_name, "fedora.ks");
    // Inside single quotes the shell expands nothing: $(reboot) stays text.
    assert!(
        r.content
            .contains(&format!("echo '{PASSWORD}' |passwd --stdin ana")),
        "{}",
        r.content
    );
    // A single quote would end the quoting: refused with a sentence instead.
    let mut q = hostile();
    q.user_password = "it's".into();
    q.admin_password = "it's".into();
    let mut r = db
        .install_script("http://fedoraproject.org/fedora/40", &q)
        .unwrap()
        .unwrap();
    assert_eq!(
        express::patch(&mut r, &q, &[], &[], false),
        Err(AnswerProblem::SingleQuote(Field::Password))
    );
}

#[test]
fn opensuse_autoyast_is_well_formed_xml_with_the_answers_as_text() {
    let db = Database::load().expect("osinfo-db");
    let a = hostile();
    let r = render(&db, "http://opensuse.org/opensuse/15.5", &a);
    assert_eq!(r.file_name, "autoinst.xml");
    let doc = roxmltree::Document::parse(&r.content).expect("well-formed XML");
    let texts: Vec<&str> = doc.descendants().filter_map(|n| n.text()).collect();
    assert!(
        texts.contains(&PASSWORD),
        "the password, escaped, reads back as typed"
    );
    assert!(texts.iter().any(|t| t.contains("Zoë <Ana>")));
}

#[test]
fn windows_answer_file_has_the_keyboard_and_no_empty_key() {
    let db = Database::load().expect("osinfo-db");
    let a = hostile();
    let r = render(&db, "http://microsoft.com/win/10", &a);
    assert!(
        r.file_name.eq_ignore_ascii_case("autounattend.xml"),
        "{}",
        r.file_name
    );
    let doc = roxmltree::Document::parse(&r.content).expect("well-formed XML");
    let text_of = |tag: &str| -> Vec<String> {
        doc.descendants()
            .filter(|n| n.tag_name().name() == tag)
            .map(|n| n.text().unwrap_or("").trim().to_string())
            .collect()
    };
    assert!(
        text_of("InputLocale").iter().all(|l| l == "fr-FR") && !text_of("InputLocale").is_empty(),
        "{}",
        r.content
    );
    assert!(
        text_of("Key").iter().all(|k| !k.is_empty()),
        "no empty <Key> (it stops Setup)"
    );
    for pk in doc
        .descendants()
        .filter(|n| n.tag_name().name() == "ProductKey")
    {
        let all: String = pk.descendants().filter_map(|n| n.text()).collect();
        assert!(!all.trim().is_empty(), "an empty ProductKey: {}", r.content);
    }
    let texts: Vec<&str> = doc.descendants().filter_map(|n| n.text()).collect();
    assert!(texts.iter().any(|t| t.contains(PASSWORD)), "{}", r.content);
    // With a key, it is kept.
    let mut k = hostile();
    k.product_key = "VK7JG-NPHTM-C97JM-9MPGT-3V66T".into();
    let r = render(&db, "http://microsoft.com/win/10", &k);
    assert!(r.content.contains("VK7JG-NPHTM-C97JM-9MPGT-3V66T"));
}

#[test]
fn windows_gets_its_helper_script_from_the_same_disc() {
    let db = Database::load().expect("osinfo-db");
    let r = render(&db, "http://microsoft.com/win/10", &hostile());
    // On a CD-ROM (E:, after the installer's D:), not libosinfo's default floppy (A:).
    assert!(
        r.content.contains("cmd /C E:\\windows.cmd"),
        "{}",
        r.content
    );
    let names: Vec<&str> = r.helpers.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["windows.cmd"]);
}

#[test]
fn windows_11_uses_windows_10s_file_made_for_uefi() {
    let db = Database::load().expect("osinfo-db");
    let a = hostile();
    // osinfo-db has no script of Windows 11's own: Windows 10's, rendered for 11.
    let r = render_with(&db, "http://microsoft.com/win/11", &a, &[], true);
    assert!(r.file_name.eq_ignore_ascii_case("autounattend.xml"));
    let doc = roxmltree::Document::parse(&r.content).expect("well-formed XML");
    let types: Vec<&str> = doc
        .descendants()
        .filter(|n| n.tag_name().name() == "Type")
        .filter_map(|n| n.text())
        .collect();
    assert_eq!(types, ["EFI", "MSR", "Primary"], "GPT: {}", r.content);
    let install_to = doc
        .descendants()
        .find(|n| n.tag_name().name() == "InstallTo")
        .expect("InstallTo");
    let partition = install_to
        .descendants()
        .find(|n| n.tag_name().name() == "PartitionID")
        .and_then(|n| n.text());
    assert_eq!(partition, Some("3"));
    assert!(r.content.contains("BypassNRO"));
    let texts: Vec<&str> = doc.descendants().filter_map(|n| n.text()).collect();
    assert!(texts.iter().any(|t| t.contains(PASSWORD)));
    assert!(texts.iter().any(|t| t.trim() == "ana"));
}

#[test]
fn debian_mounts_the_shared_folders_at_boot() {
    let db = Database::load().expect("osinfo-db");
    let r = render_with(
        &db,
        "http://debian.org/debian/13",
        &hostile(),
        &["Documents".into(), "src-2".into()],
        false,
    );
    let late: Vec<&str> = r
        .content
        .lines()
        .filter(|l| l.contains("preseed/late_command"))
        .collect();
    assert_eq!(late.len(), 1, "{}", r.content);
    assert!(late[0].contains(
        "mkdir -p /target/mnt/Documents ; echo 'Documents /mnt/Documents virtiofs defaults,nofail 0 0' >> /target/etc/fstab ; mkdir -p /target/mnt/src-2"
    ), "{}", late[0]);
    // The template's own late commands are still there (the agents' set-up).
    assert!(
        late[0].starts_with("d-i preseed/late_command string in-target"),
        "{}",
        late[0]
    );
}

#[test]
fn ubuntu_autoinstall_reads_back_as_typed() {
    let mut a = hostile();
    a.user_realname = "Zoë \"$(id)\": - [x] #no \\ 'q'".into();
    let job = express::Job {
        os_id: "http://ubuntu.com/ubuntu/24.04".into(),
        method: express::Method::Autoinstall,
        iso: "/nowhere.iso".into(),
        kernel: Some("casper/vmlinuz".into()),
        initrd: Some("casper/initrd".into()),
        answers: a.clone(),
        mounts: vec!["Documents".into(), "..".into()],
        efi: false,
        pool: "default".into(),
    };
    let req = express::request(&job).expect("rendered");
    assert_eq!(req.answers.file_name, "user-data");
    assert_eq!(
        req.answers.command_line.as_deref(),
        Some("autoinstall ds=nocloud")
    );
    // Read back by PyYAML, the parser cloud-init and subiquity use.
    let mut py = std::process::Command::new("python3")
        .args([
            "-c",
            "import json, sys, yaml; print(json.dumps(yaml.safe_load(sys.stdin)))",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("python3 (the dev root has it, with python3-yaml)");
    std::io::Write::write_all(
        &mut py.stdin.take().unwrap(),
        req.answers.content.as_bytes(),
    )
    .unwrap();
    let out = py.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", req.answers.content);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let ai = &v["autoinstall"];
    assert_eq!(ai["version"], 1);
    assert_eq!(ai["identity"]["realname"], a.user_realname.as_str());
    assert_eq!(ai["identity"]["username"], "ana");
    assert_eq!(ai["identity"]["hostname"], "web-01");
    assert_eq!(ai["keyboard"]["layout"], "fr");
    assert_eq!(ai["timezone"], "Europe/Paris");
    assert_eq!(ai["locale"], "fr_FR.UTF-8");
    let hash = ai["identity"]["password"].as_str().unwrap();
    assert!(
        sha_crypt::sha512_check(PASSWORD, hash).is_ok(),
        "the hash is of the password"
    );
    assert!(!req.answers.content.contains(PASSWORD));
    let packages: Vec<&str> = ai["packages"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p.as_str())
        .collect();
    assert_eq!(packages, ["spice-vdagent", "qemu-guest-agent"]);
    // ".." is no folder name to mount: left out.
    let late: Vec<&str> = ai["late-commands"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p.as_str())
        .collect();
    assert_eq!(
        late,
        [
            "mkdir -p /target/mnt/Documents",
            "echo 'Documents /mnt/Documents virtiofs defaults,nofail 0 0' >> /target/etc/fstab"
        ]
    );
    assert_eq!(req.answers.helpers[0].0, "meta-data");
}
