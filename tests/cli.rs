//! The `bilik` command line, run as a person runs it: against libvirt's test driver
//! (`test:///default`, and generated files of machines) and the real system libvirtd;
//! exit statuses, the words, and the JSON parsed back. Completion in the real shells of
//! the dev root (bash with bash-completion, fish, zsh), and the man page through man.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Instant;

use common::{virsh, virsh_try};

const BIN: &str = env!("CARGO_BIN_EXE_bilik");

/// Runs `bilik ARGS` in English, with the build tree's settings schema, stdin closed
/// (not a terminal).
fn bilik(args: &[&str]) -> Output {
    bilik_env(args, &[])
}

fn bilik_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    let schemas = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/gsettings");
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .env("LANGUAGE", "en")
        .env("LC_ALL", "C.UTF-8")
        .env("GSETTINGS_BACKEND", "memory")
        .env("GSETTINGS_SCHEMA_DIR", schemas)
        .env_remove("LIBVIRT_DEFAULT_URI")
        .stdin(Stdio::null());
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("bilik runs")
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn json(o: &Output) -> serde_json::Value {
    let (out, err) = text(o);
    assert_eq!(o.status.code(), Some(0), "{out}\n{err}");
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("not JSON ({e}): {out}"))
}

#[test]
fn list_shows_the_machines_as_text_and_json() {
    let v = json(&bilik(&[
        "-c",
        "test:///default",
        "list",
        "--all",
        "--json",
    ]));
    let rows = v.as_array().expect("an array");
    assert_eq!(rows.len(), 1);
    let test = &rows[0];
    assert_eq!(test["name"], "test");
    assert_eq!(test["state"], "running");
    assert_eq!(test["state_text"], "Running");
    assert_eq!(test["cpus"], 2);
    assert!(test["memory_mib"].as_u64().unwrap() > 0);
    assert_eq!(test["uuid"], "6695eb01-f6a4-8304-79aa-97f2502e193f");

    let o = bilik(&["-c", "test:///default", "list"]);
    let (out, _) = text(&o);
    assert_eq!(o.status.code(), Some(0));
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        lines[0].starts_with("Name") && lines[0].contains("State"),
        "{out}"
    );
    assert!(lines[1].starts_with("test  Running"), "{out}");
}

#[test]
fn list_reads_a_thousand_machines_in_one_call() {
    let dir = common::scratch("cli-list");
    let uri = common::node_file(&dir, 1000, 10);
    let t0 = Instant::now();
    let v = json(&bilik(&["-c", &uri, "list", "--all", "--json"]));
    println!("bilik list --all --json, 1000 machines: {:?}", t0.elapsed());
    let rows = v.as_array().unwrap();
    assert_eq!(rows.len(), 1000);
    assert_eq!(rows.iter().filter(|r| r["state"] == "running").count(), 100);
    assert!(rows
        .iter()
        .all(|r| r["cpus"] == 2 && r["memory_mib"] == 1024));
    // Without --all: the running ones.
    let running = json(&bilik(&["-c", &uri, "list", "--json"]));
    assert_eq!(running.as_array().unwrap().len(), 100);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn lifecycle_commands_say_what_happened_and_fail_with_the_windows_sentences() {
    // Every run starts the test driver afresh: "test" runs.
    let o = bilik(&["-c", "test:///default", "pause", "test"]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(text(&o).0, "Paused “test”.\n");

    let o = bilik(&["-c", "test:///default", "start", "test"]);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(1));
    assert!(err.starts_with("bilik: Could not start “test”\n"), "{err}");
    assert!(
        err.contains("The machine is not in a state that allows this"),
        "{err}"
    );
    assert!(
        err.contains("Details: "),
        "libvirt's words under Details: {err}"
    );

    let o = bilik(&["-c", "test:///default", "shutdown", "test", "nosuch"]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "one of two failed");
    assert!(out.contains("Asked “test” to shut down"), "{out}");
    assert!(
        err.contains("There is no machine called “nosuch” here"),
        "{err}"
    );

    // Force off asks first; without a terminal to ask on, it says to add --yes.
    let o = bilik(&["-c", "test:///default", "force-off", "test"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).1.contains("add --yes"), "{:?}", text(&o));
    let o = bilik(&["-c", "test:///default", "force-off", "--yes", "test"]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(text(&o).0, "Forced “test” off.\n");

    // A mistyped connection: the window's sentence.
    let o = bilik(&["-c", "qemu:///sytem", "list"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).1.contains("sytem"), "{:?}", text(&o));

    // A command line clap refuses: status 2, as clap does.
    let o = bilik(&["-c", "test:///default", "start"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).1.contains("<NAME>"), "{:?}", text(&o));
}

#[test]
fn the_setup_check_answers_as_text_and_json() {
    let o = bilik(&["-c", "test:///default", "setup-check", "--json"]);
    let (out, err) = text(&o);
    let code = o.status.code().unwrap();
    assert!((0..=2).contains(&code), "{out}{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    let findings = v.as_array().unwrap();
    assert!(findings.len() >= 5);
    for f in findings {
        assert!(["pass", "info", "warning", "fail"].contains(&f["verdict"].as_str().unwrap()));
        assert!(!f["check"].as_str().unwrap().is_empty());
    }
    // The status follows the worst finding.
    let worst = findings
        .iter()
        .map(|f| match f["verdict"].as_str().unwrap() {
            "fail" => 2,
            "warning" => 1,
            _ => 0,
        })
        .max()
        .unwrap();
    assert_eq!(code, worst);
    // The old spelling still works, as text.
    let old = bilik(&["-c", "test:///default", "--setup-check"]);
    assert_eq!(old.status.code(), Some(code));
    assert!(text(&old).0.lines().count() >= 5);
}

/// Indonesian compiled from po/id.po into a scratch folder.
fn indonesian() -> PathBuf {
    let locale = common::scratch("cli-locale");
    let dir = locale.join("id/LC_MESSAGES");
    std::fs::create_dir_all(&dir).unwrap();
    let po = Path::new(env!("CARGO_MANIFEST_DIR")).join("po/id.po");
    let st = Command::new("msgfmt")
        .arg("-o")
        .arg(dir.join("bilik.mo"))
        .arg(po)
        .status()
        .expect("msgfmt (the dev root has gettext)");
    assert!(st.success());
    locale
}

#[test]
fn help_and_messages_speak_indonesian_too() {
    let locale = indonesian();
    let o = bilik_env(
        &["--help"],
        &[
            ("LANGUAGE", "id"),
            // gettext ignores LANGUAGE in the C locale.
            ("LC_ALL", "id_ID.UTF-8"),
            ("BILIK_LOCALEDIR", locale.to_str().unwrap()),
        ],
    );
    let (out, _) = text(&o);
    assert_eq!(o.status.code(), Some(0));
    assert!(!out.contains("Starts machines"), "translated: {out}");
    let o = bilik_env(
        &["-c", "test:///default", "pause", "test"],
        &[
            ("LANGUAGE", "id"),
            ("LC_ALL", "id_ID.UTF-8"),
            ("BILIK_LOCALEDIR", locale.to_str().unwrap()),
        ],
    );
    assert!(!text(&o).0.contains("Paused"), "{:?}", text(&o));
    std::fs::remove_dir_all(&locale).ok();
}

/// A node file with machines whose names start alike, one with a space.
fn completion_node(dir: &Path) -> String {
    let mut xml = String::from("<node>");
    for name in ["test-one", "test two", "other"] {
        xml.push_str(&format!(
            "<domain type='test'><name>{name}</name><memory>65536</memory><vcpu>1</vcpu><os><type>hvm</type></os></domain>"
        ));
    }
    xml.push_str("</node>");
    let path = dir.join("names.xml");
    std::fs::write(&path, xml).unwrap();
    format!("test://{}", path.display())
}

/// A shell command with `bilik` first on the PATH (the scripts call it by name).
fn shell(program: &str, script: &str) -> String {
    let bin_dir = Path::new(BIN).parent().unwrap();
    let path = format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap());
    let o = Command::new(program)
        .args(["-c", script])
        .env("PATH", path)
        .env("LANGUAGE", "en")
        .env("GSETTINGS_BACKEND", "memory")
        .output()
        .unwrap_or_else(|e| panic!("{program} (the dev root has it): {e}"));
    let (out, err) = text(&o);
    assert!(o.status.success(), "{program}: {out}\n{err}");
    assert!(!err.contains("bilik:"), "nothing printed on the way: {err}");
    out
}

#[test]
fn fish_completes_machine_names_and_connections() {
    let dir = common::scratch("cli-fish");
    let uri = completion_node(&dir);
    let t0 = Instant::now();
    let out = shell(
        "fish",
        &format!("bilik completions fish | source; complete -C 'bilik -c {uri} start te'"),
    );
    println!("fish: {:?}", t0.elapsed());
    let got: Vec<&str> = out.lines().map(|l| l.split('\t').next().unwrap()).collect();
    assert_eq!(got, ["test two", "test-one"], "{out}");
    let out = shell(
        "fish",
        "bilik completions fish | source; complete -C 'bilik --connect qemu:///s'",
    );
    let got: Vec<&str> = out.lines().map(|l| l.split('\t').next().unwrap()).collect();
    assert!(
        got.contains(&"qemu:///system") && got.contains(&"qemu:///session"),
        "{out}"
    );
    // A connection that does not answer: no candidates, no message.
    let out = shell(
        "fish",
        "bilik completions fish | source; complete -C 'bilik -c test:///nowhere.xml start te'",
    );
    assert_eq!(out, "");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn completion_answers_from_a_thousand_machines() {
    // What fish runs at each Tab: one libvirt call for the names. The time is printed
    // (a figure, not a pass mark: the machine running the tests varies).
    let dir = common::scratch("cli-complete-1000");
    let uri = common::node_file(&dir, 1000, 0);
    let mut times = Vec::new();
    for _ in 0..5 {
        let t0 = Instant::now();
        let o = Command::new(BIN)
            .args(["--", "bilik", "-c", &uri, "start", "vm-0099"])
            .env("COMPLETE", "fish")
            .env("GSETTINGS_BACKEND", "memory")
            .output()
            .unwrap();
        times.push(t0.elapsed());
        let (out, err) = text(&o);
        assert!(o.status.success() && err.is_empty(), "{err}");
        let names: Vec<&str> = out.lines().map(|l| l.split('\t').next().unwrap()).collect();
        assert_eq!(names.len(), 10, "vm-00990 … vm-00999: {out}");
        assert!(names.iter().all(|n| n.starts_with("vm-0099")));
    }
    times.sort();
    println!(
        "completing a machine name among 1000 (test driver): best {:?}, median {:?}",
        times[0], times[2]
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn bash_completes_names_escaped() {
    let dir = common::scratch("cli-bash");
    let uri = completion_node(&dir);
    let path = uri.trim_start_matches("test:");
    // As readline hands the words over: COMP_WORDBREAKS splits the URI at ':'.
    let script = format!(
        "source /usr/share/bash-completion/bash_completion; source <(bilik completions bash); \
         COMP_WORDS=(bilik -c test : {path} start te); COMP_CWORD=6; COMP_TYPE=9; \
         COMP_LINE='bilik -c test:{path} start te'; COMP_POINT=${{#COMP_LINE}}; \
         _clap_complete_bilik bilik te start; printf '%s\\n' \"${{COMPREPLY[@]}}\"; \
         complete -p bilik"
    );
    let out = shell("bash", &script);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(&lines[..2], ["test\\ two", "test-one"], "{out}");
    assert!(lines[2].contains("-F _clap_complete_bilik bilik"), "{out}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn zsh_completes_machine_names() {
    // zsh's own completion widgets need a terminal; its _describe (which shows the
    // candidates) is replaced by one that prints them, and the completer function that
    // `bilik completions zsh` defines is called as the completion system would.
    let dir = common::scratch("cli-zsh");
    let uri = completion_node(&dir);
    let script = format!(
        "autoload -U compinit; compinit -u -D; source <(bilik completions zsh); \
         _describe() {{ print -l -- ${{(P)${{@[-1]}}}} }}; \
         words=(bilik -c {uri} start te); CURRENT=5; _clap_dynamic_completer_bilik; \
         print -- \"registered: $_comps[bilik]\""
    );
    let out = shell("zsh", &script);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines,
        [
            "test two",
            "test-one",
            "registered: _clap_dynamic_completer_bilik"
        ],
        "{out}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn the_man_page_renders() {
    let o = bilik(&["manpage"]);
    assert_eq!(o.status.code(), Some(0));
    let dir = common::scratch("cli-man");
    let page = dir.join("bilik.1");
    std::fs::write(&page, &o.stdout).unwrap();
    let man = Command::new("man")
        .arg("-l")
        .arg(&page)
        .env("MANWIDTH", "80")
        .env("MANPAGER", "cat")
        .output()
        .expect("man (the dev root has man-db)");
    let (out, err) = text(&man);
    assert!(man.status.success(), "{err}");
    for part in [
        "NAME",
        "SYNOPSIS",
        "--connect",
        "list",
        "force-off",
        "completions",
    ] {
        assert!(out.contains(part), "{part} in {out}");
    }
    std::fs::remove_dir_all(&dir).ok();
}

/// A tiny machine on the system daemon (SeaBIOS only, no disk).
fn define_tiny(name: &str) {
    let dir = common::scratch(name);
    let xml = dir.join("vm.xml");
    std::fs::write(
        &xml,
        format!(
            "<domain type='kvm'><name>{name}</name><memory unit='MiB'>64</memory><vcpu>1</vcpu>\
             <os><type arch='x86_64' machine='q35'>hvm</type></os><devices/></domain>"
        ),
    )
    .unwrap();
    virsh(&["define", xml.to_str().unwrap()]);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
#[ignore = "needs the system libvirtd"]
fn lifecycle_on_the_real_daemon() {
    const VM: &str = "bilik-cli-vm";
    virsh_try(&["destroy", VM]);
    virsh_try(&["undefine", VM]);
    define_tiny(VM);
    let sys = ["-c", common::SYSTEM];
    let run = |args: &[&str]| bilik(&[&sys[..], args].concat());
    let o = run(&["start", VM]);
    assert_eq!(o.status.code(), Some(0), "{:?}", text(&o));
    assert_eq!(virsh(&["domstate", VM]), "running");
    let v = json(&run(&["list", "--json"]));
    let row = v
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == VM)
        .expect("listed")
        .clone();
    assert_eq!(row["state"], "running");
    assert_eq!(row["cpus"], 1);
    assert_eq!(row["memory_mib"], 64);
    assert!(
        row["cpu_percent"].is_number(),
        "CPU use of a running machine: {row}"
    );
    assert_eq!(run(&["pause", VM]).status.code(), Some(0));
    assert_eq!(virsh(&["domstate", VM]), "paused");
    assert_eq!(run(&["resume", VM]).status.code(), Some(0));
    assert_eq!(virsh(&["domstate", VM]), "running");
    assert_eq!(run(&["force-off", "-y", VM]).status.code(), Some(0));
    assert_eq!(virsh(&["domstate", VM]), "shut off");
    let v = json(&run(&["list", "--all", "--json"]));
    let row = v
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == VM)
        .unwrap()
        .clone();
    assert_eq!(row["state"], "shut-off");
    assert!(row["cpu_percent"].is_null());
    // Paused while shut off: refused with the window's sentence.
    let o = run(&["pause", VM]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).1.contains("Could not pause"), "{:?}", text(&o));
    virsh_try(&["undefine", VM]);
}

#[test]
#[ignore = "needs the system libvirtd"]
fn create_installs_itself_from_the_command_line() {
    const VM: &str = "bilik-cli-express";
    let cleanup = || {
        virsh_try(&["destroy", VM]);
        virsh_try(&["undefine", VM, "--nvram", "--remove-all-storage"]);
        for v in ["install-kernel", "install-initrd"] {
            virsh_try(&["vol-delete", "--pool", "default", &format!("{VM}-{v}")]);
        }
    };
    cleanup();
    common::ensure_default_pool();
    virsh_try(&["net-start", "default"]);
    // A Debian 13 installer disc whose "installer" resets the machine at once, as it does
    // when it is done.
    let dir = PathBuf::from("/var/lib/libvirt/bilik-cli-express");
    let _ = std::fs::remove_dir_all(&dir);
    let content = dir.join("content/install.amd");
    std::fs::create_dir_all(&content).unwrap();
    std::fs::write(content.join("vmlinuz"), common::resetting_kernel()).unwrap();
    std::fs::write(content.join("initrd.gz"), b"stand-in initrd").unwrap();
    let iso = dir.join("debian-13.iso");
    common::bootable_iso(
        &dir.join("content"),
        &iso,
        "Debian trixie-DI-rc3 amd64 n",
        "",
        "",
    );
    Command::new("chmod")
        .args(["-R", "a+rX"])
        .arg(&dir)
        .status()
        .unwrap();
    let password = dir.join("password");
    std::fs::write(&password, "Qwerty-Azerty 12\n").unwrap();
    let t0 = Instant::now();
    let o = bilik(&[
        "-c",
        common::SYSTEM,
        "create",
        "--iso",
        iso.to_str().unwrap(),
        "--name",
        VM,
        "--memory",
        "256",
        "--disk",
        "1",
        "--express",
        "--user",
        "ana",
        "--password-file",
        password.to_str().unwrap(),
    ]);
    let (out, err) = text(&o);
    println!("{out}{err}create + install: {:?}", t0.elapsed());
    assert_eq!(o.status.code(), Some(0), "{out}{err}");
    // The wizard's summary, then the install's end.
    assert!(out.contains("Express install: Debian 13"), "{out}");
    assert!(out.contains("user “ana”"), "{out}");
    assert!(
        !out.contains("Qwerty-Azerty"),
        "the password is never printed"
    );
    assert!(
        out.contains(&format!("“{VM}” is installed and starts now.")),
        "{out}"
    );
    assert_eq!(virsh(&["domstate", VM]), "running");
    let vols = virsh(&["vol-list", "default"]);
    assert!(!vols.contains(&format!("{VM}-install")), "{vols}");
    // The same name again: the window's sentence, nothing made.
    let again = bilik(&[
        "-c",
        common::SYSTEM,
        "create",
        "--iso",
        iso.to_str().unwrap(),
        "--name",
        VM,
    ]);
    assert_eq!(again.status.code(), Some(1));
    assert!(
        text(&again).1.contains("This name is already used"),
        "{:?}",
        text(&again)
    );
    cleanup();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_service_that_never_answers_is_said_so_within_the_time_limit() {
    // A socket that takes the connection and stays silent, as a stuck daemon does.
    let dir = common::scratch("cli-silent");
    let uri = common::silent_service(&dir);
    let t0 = Instant::now();
    let o = bilik(&["-c", &uri, "setup-check", "--json"]);
    let took = t0.elapsed();
    println!("setup check on a silent service: {took:?}");
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(2), "{out}{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    let connection = v
        .as_array()
        .unwrap()
        .iter()
        .find(|f| {
            f["explanation"]
                .as_str()
                .unwrap_or("")
                .contains("is not answering")
        })
        .unwrap_or_else(|| panic!("the connection check says so: {out}"));
    assert_eq!(connection["verdict"], "fail");
    std::fs::remove_dir_all(&dir).ok();
}
