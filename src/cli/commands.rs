//! The command line's subcommands, over the same backend functions and the same sentences
//! (crate::errors) as the window. Results go to stdout, problems to stderr with the exit
//! status 1 (2 for a command line clap refused, as clap does).

use std::io::{IsTerminal, Write as _};

use gettextrs::gettext;
use serde::Serialize;
use virt::connect::Connect;
use virt::sys;

use super::{Command, CreateArgs, ShellName};
use crate::backend::{self, LifecycleAction, VmState};
use crate::errors::UserMessage;
use crate::i18n::gettext_f;
use crate::model::vm_state;

/// Runs a subcommand other than the window's; the exit status.
pub fn execute(cmd: Command, connect: Option<String>) -> i32 {
    let uri = || {
        let settings = crate::settings::Settings::open().ok();
        crate::app::initial_uri(connect.clone(), settings.as_ref())
    };
    match cmd {
        Command::Open { .. } => unreachable!("the window is opened by crate::run"),
        Command::SetupCheck { json } => setup_check(&uri(), json),
        Command::Completions { shell } => completions(shell),
        Command::Manpage => manpage(),
        Command::List { all, json } => with_connection(&uri(), |c| list(c, all, json)),
        Command::Start(n) => with_connection(&uri(), |c| act(c, &n.names, LifecycleAction::Start)),
        Command::Shutdown(n) => {
            with_connection(&uri(), |c| act(c, &n.names, LifecycleAction::Shutdown))
        }
        Command::Reboot(n) => {
            with_connection(&uri(), |c| act(c, &n.names, LifecycleAction::Reboot))
        }
        Command::Pause(n) => with_connection(&uri(), |c| act(c, &n.names, LifecycleAction::Pause)),
        Command::Resume(n) => {
            with_connection(&uri(), |c| act(c, &n.names, LifecycleAction::Resume))
        }
        Command::ForceOff { names, yes } => {
            if !yes && !confirm_force_off(&names.names) {
                return 1;
            }
            with_connection(&uri(), |c| act(c, &names.names, LifecycleAction::ForceOff))
        }
        Command::Console { name, fullscreen } => {
            let u = uri();
            with_connection(&u, |c| console(c, &u, &name, fullscreen))
        }
        Command::Create(args) => {
            let u = uri();
            with_connection(&u, |c| create(c, &u, &args))
        }
    }
}

/// A sentence of the window's, on stderr: what happened, why and what to do, and
/// libvirt's own words.
fn say_problem(m: &UserMessage) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "bilik: {}", m.title);
    if !m.advice.is_empty() {
        let _ = writeln!(err, "  {}", m.advice);
    }
    if !m.details.is_empty() {
        // Translators: before libvirt's own message on the command line.
        let _ = writeln!(err, "  {} {}", gettext("Details:"), m.details);
    }
}

/// Opens the connection (the window's checks and sentences), runs `f` on it.
fn with_connection(uri: &str, f: impl FnOnce(&Connect) -> i32) -> i32 {
    // libvirt prints every error to stderr by default: Bilik says them itself.
    virt::error::clear_error_callback();
    if let Err(e) = backend::uri::parse(uri) {
        say_problem(&crate::errors::uri_error(uri, &e));
        return 1;
    }
    let conn = match backend::uri::open_within(uri, backend::uri::OPEN_TIME_LIMIT) {
        Ok(c) => c,
        Err(failure) => {
            let e = match failure {
                backend::uri::OpenFailure::Libvirt(e) => {
                    backend::BackendError::from_connect(uri, &e)
                }
                backend::uri::OpenFailure::NoAnswer(limit) => backend::BackendError::new(
                    backend::ErrorKind::NotAnswering,
                    format!("no answer from {uri} in {} s", limit.as_secs()),
                ),
            };
            say_problem(&crate::errors::connection_error(uri, &e));
            return 1;
        }
    };
    // Closed when dropped.
    f(&conn)
}

/// The machine called `name`: its UUID, or the window's sentence for a missing one.
fn lookup(conn: &Connect, name: &str) -> Result<String, UserMessage> {
    conn.lookup_domain_by_name(name)
        .and_then(|d| d.uuid_string())
        .map_err(|_| UserMessage {
            title: gettext_f("There is no machine called “{name}” here", &[("name", name)]),
            advice: gettext(
                "Check the name with “bilik list --all”. Machines of “This computer (system)” and of “My user session” are kept apart: choose the other one with --connect.",
            ),
            details: String::new(),
        })
}

/// One machine in `bilik list`.
#[derive(Debug, Serialize)]
struct Row {
    name: String,
    uuid: String,
    /// running, paused, shut-off… (not translated, for scripts)
    state: &'static str,
    /// The state in words, in the person's language.
    state_text: String,
    cpus: Option<u64>,
    memory_mib: Option<u64>,
    /// For running machines, over half a second.
    cpu_percent: Option<f64>,
}

fn state_id(s: VmState) -> &'static str {
    match s {
        VmState::NoState => "no-state",
        VmState::Running => "running",
        VmState::Blocked => "blocked",
        VmState::Paused => "paused",
        VmState::ShuttingDown => "shutting-down",
        VmState::ShutOff => "shut-off",
        VmState::Crashed => "crashed",
        VmState::Suspended => "suspended",
    }
}

fn list(conn: &Connect, all: bool, json: bool) -> i32 {
    // The window's bulk call: one for every machine; a second, half a second later, for
    // the running machines' CPU use (a rate needs two readings).
    let groups = sys::VIR_DOMAIN_STATS_STATE
        | sys::VIR_DOMAIN_STATS_VCPU
        | sys::VIR_DOMAIN_STATS_BALLOON
        | sys::VIR_DOMAIN_STATS_CPU_TOTAL;
    let flags = if all {
        0
    } else {
        sys::VIR_CONNECT_GET_ALL_DOMAINS_STATS_ACTIVE
    };
    let read = |c: &Connect| backend::stats::all_domain_stats(c, groups, flags);
    let first = match read(conn) {
        Ok(r) => r,
        Err(e) => {
            say_problem(&crate::errors::read_error(
                &backend::BackendError::from_read(&e),
            ));
            return 1;
        }
    };
    let mut tracker = backend::stats::RateTracker::default();
    let t0 = std::time::Instant::now();
    tracker.update(&first, t0);
    let running = |r: &backend::stats::Record| r.to_info().state.is_active();
    let mut cpu = std::collections::HashMap::new();
    if first.iter().any(running) {
        std::thread::sleep(std::time::Duration::from_millis(500));
        if let Ok(second) = read(conn) {
            for s in tracker.update(&second, std::time::Instant::now()) {
                if let Some(p) = s.cpu_percent {
                    cpu.insert(s.uuid, p);
                }
            }
        }
    }
    let mut rows: Vec<Row> = first
        .iter()
        .map(|r| {
            let info = r.to_info();
            let mut cpus = r.u64("vcpu.current").or_else(|| r.u64("vcpu.maximum"));
            let mut memory_kib = r
                .u64("balloon.current")
                .or_else(|| r.u64("balloon.maximum"));
            if cpus.is_none() || memory_kib.is_none() {
                // Drivers without these statistics (libvirt's test driver): the
                // machine's own info, one call each, only for them.
                if let Ok(i) = conn
                    .lookup_domain_by_uuid_string(&r.uuid)
                    .and_then(|d| d.info())
                {
                    cpus = cpus.or(Some(u64::from(i.nr_virt_cpu)));
                    memory_kib = memory_kib.or(Some(i.memory));
                }
            }
            Row {
                name: r.name.clone(),
                uuid: r.uuid.clone(),
                state: state_id(info.state),
                state_text: vm_state::label(info.state),
                cpus,
                memory_mib: memory_kib.map(|k| k / 1024),
                cpu_percent: cpu
                    .get(&r.uuid)
                    .filter(|_| info.state.is_active())
                    .map(|p| (p * 10.0).round() / 10.0),
            }
        })
        .collect();
    rows.sort_by(|a, b| a.name.cmp(&b.name));
    let mut out = std::io::stdout().lock();
    if json {
        let text = serde_json::to_string_pretty(&rows).unwrap_or_else(|_| "[]".into());
        let _ = writeln!(out, "{text}");
        return 0;
    }
    if rows.is_empty() {
        let _ = writeln!(
            out,
            "{}",
            if all {
                gettext("No virtual machines here.")
            } else {
                gettext("No machine is running here (--all lists them all).")
            }
        );
        return 0;
    }
    let name_w = rows
        .iter()
        .map(|r| r.name.chars().count())
        .max()
        .unwrap_or(4)
        .max(4);
    let state_w = rows
        .iter()
        .map(|r| r.state_text.chars().count())
        .max()
        .unwrap_or(5)
        .max(5);
    let pad = |s: &str, w: usize| format!("{s}{}", " ".repeat(w.saturating_sub(s.chars().count())));
    let _ = writeln!(
        out,
        "{}  {}  {:>4}  {:>9}  {:>5}",
        pad(&gettext("Name"), name_w),
        pad(&gettext("State"), state_w),
        // Translators: column heading of `bilik list`: virtual processors.
        gettext("CPUs"),
        gettext("Memory"),
        // Translators: column heading of `bilik list`: processor use in percent.
        gettext("CPU %"),
    );
    for r in &rows {
        let _ = writeln!(
            out,
            "{}  {}  {:>4}  {:>9}  {:>5}",
            pad(&r.name, name_w),
            pad(&r.state_text, state_w),
            r.cpus.map(|c| c.to_string()).unwrap_or_default(),
            r.memory_mib
                .map(|m| vm_state::memory(m * 1024))
                .unwrap_or_default(),
            r.cpu_percent.map(|p| format!("{p:.0}")).unwrap_or_default(),
        );
    }
    0
}

/// What was done, in words.
fn done(action: LifecycleAction, name: &str) -> String {
    let n = [("name", name)];
    match action {
        LifecycleAction::Start => gettext_f("Started “{name}”.", &n),
        LifecycleAction::Shutdown => {
            gettext_f("Asked “{name}” to shut down (its system decides when).", &n)
        }
        LifecycleAction::Reboot => gettext_f("Asked “{name}” to restart.", &n),
        LifecycleAction::ForceOff => gettext_f("Forced “{name}” off.", &n),
        LifecycleAction::Pause => gettext_f("Paused “{name}”.", &n),
        LifecycleAction::Resume => gettext_f("Resumed “{name}”.", &n),
        LifecycleAction::Delete => gettext_f("Deleted “{name}”.", &n),
    }
}

fn act(conn: &Connect, names: &[String], action: LifecycleAction) -> i32 {
    let mut status = 0;
    for name in names {
        let result = lookup(conn, name).and_then(|uuid| {
            backend::lifecycle::act(conn, &uuid, action)
                .map_err(|e| crate::errors::action_error(name, action, &e))
        });
        match result {
            Ok(()) => println!("{}", done(action, name)),
            Err(m) => {
                say_problem(&m);
                status = 1;
            }
        }
    }
    status
}

/// Asks on the terminal before forcing machines off; without a terminal, says to add
/// --yes.
fn confirm_force_off(names: &[String]) -> bool {
    let list = names.join(", ");
    if !std::io::stdin().is_terminal() {
        eprintln!(
            "bilik: {}",
            gettext_f(
                "Forcing {names} off loses unsaved work in them: add --yes to do it without a question.",
                &[("names", &list)],
            )
        );
        return false;
    }
    eprint!(
        "{} ",
        gettext_f(
            // Translators: the answer is read as yes when it starts with the first letter of the translation of “yes” (or with “y”).
            "Force {names} off now? Unsaved work in them is lost. [y/N]",
            &[("names", &list)],
        )
    );
    let mut answer = String::new();
    if std::io::stdin().read_line(&mut answer).is_err() {
        return false;
    }
    let answer = answer.trim().to_lowercase();
    let yes = gettext("yes").to_lowercase();
    !answer.is_empty()
        && (answer.starts_with('y') || yes.chars().next().is_some_and(|c| answer.starts_with(c)))
}

fn console(conn: &Connect, uri: &str, name: &str, fullscreen: bool) -> i32 {
    let uuid = match lookup(conn, name) {
        Ok(u) => u,
        Err(m) => {
            say_problem(&m);
            return 1;
        }
    };
    let info = match backend::console::display(conn, &uuid) {
        Ok(i) => i,
        Err(e) => {
            say_problem(&crate::errors::read_error(&e));
            return 1;
        }
    };
    if let Err(m) = crate::ui::console::can_open(name, &info) {
        say_problem(&m);
        return 1;
    }
    let opts = match crate::settings::Settings::open() {
        Ok(s) => s.console_options(fullscreen),
        Err(_) => backend::console::ConsoleOptions {
            fullscreen,
            ..Default::default()
        },
    };
    if !backend::console::viewer_installed() {
        say_problem(&crate::ui::console::viewer_error(
            name,
            crate::ui::console::ViewerError::Missing,
        ));
        return 1;
    }
    let argv = backend::console::viewer_argv(uri, &uuid, &opts);
    // Started as the window starts it (an argument vector, no shell), and left running on
    // its own: the terminal is free again.
    match std::process::Command::new(&argv[0])
        .args(&argv[1..])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
    {
        Ok(_) => {
            println!("{}", crate::ui::console::hint_text(&opts, &info));
            0
        }
        Err(e) => {
            say_problem(&crate::ui::console::viewer_error(
                name,
                crate::ui::console::ViewerError::Failed(e.to_string()),
            ));
            1
        }
    }
}

fn create(conn: &Connect, uri: &str, args: &CreateArgs) -> i32 {
    match super::create::plan(conn, uri, args) {
        Ok(code) => code,
        Err(m) => {
            say_problem(&m);
            1
        }
    }
}

/// `bilik setup-check`: the window's setup check as text or JSON. Exit status 0 when
/// ready, 1 with warnings, 2 when something must be fixed.
pub fn setup_check(uri: &str, json: bool) -> i32 {
    use backend::host_check::{self, Fix, Verdict};
    let results = host_check::run_all(&host_check::Host::current(uri));
    let verdict_id = |v: Verdict| match v {
        Verdict::Pass => "pass",
        Verdict::Info => "info",
        Verdict::Warning => "warning",
        Verdict::Fail => "fail",
    };
    let fix_text = |fix: &Fix| match fix {
        Fix::Privileged(argv) => format!("sudo {}", argv.join(" ")),
        Fix::Copy(cmd) => cmd.clone(),
        Fix::Libvirt(_) => crate::setup_text::fix_hint(fix),
    };
    if json {
        #[derive(Serialize)]
        struct Finding {
            check: String,
            verdict: &'static str,
            explanation: String,
            fix: Option<String>,
        }
        let findings: Vec<Finding> = results
            .iter()
            .map(|r| Finding {
                check: crate::setup_text::title(r.id),
                verdict: verdict_id(r.verdict),
                explanation: crate::setup_text::explain(r),
                fix: r.fix.as_ref().map(fix_text),
            })
            .collect();
        println!(
            "{}",
            serde_json::to_string_pretty(&findings).unwrap_or_else(|_| "[]".into())
        );
    } else {
        for r in &results {
            let mark = match r.verdict {
                Verdict::Pass => "PASS",
                Verdict::Info => "INFO",
                Verdict::Warning => "WARN",
                Verdict::Fail => "FAIL",
            };
            println!(
                "{mark}  {}: {}",
                crate::setup_text::title(r.id),
                crate::setup_text::explain(r)
            );
            if let Some(fix) = &r.fix {
                // Translators: before a command that fixes a problem, in `bilik setup-check`.
                println!("      {} {}", gettext("fix:"), fix_text(fix));
            }
        }
    }
    match results.iter().map(|r| r.verdict).max() {
        Some(Verdict::Fail) => 2,
        Some(Verdict::Warning) => 1,
        _ => 0,
    }
}

fn completions(shell: ShellName) -> i32 {
    use clap_complete::env::EnvCompleter;
    let completer: &dyn EnvCompleter = match shell {
        ShellName::Bash => &clap_complete::env::Bash,
        ShellName::Fish => &clap_complete::env::Fish,
        ShellName::Zsh => &clap_complete::env::Zsh,
    };
    let mut out = std::io::stdout().lock();
    let mut written = completer.write_registration("COMPLETE", "bilik", "bilik", "bilik", &mut out);
    if shell == ShellName::Zsh && written.is_ok() {
        // Installed as site-functions/_bilik, zsh runs the file as the function `_bilik`
        // at the first Tab: complete then too (sourced, it only registers).
        written = out.write_all(
            b"if [ \"$funcstack[1]\" = \"_bilik\" ]; then\n    _clap_dynamic_completer_bilik \"$@\"\nfi\n",
        );
    }
    match written {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("bilik: {e}");
            1
        }
    }
}

fn manpage() -> i32 {
    let man = clap_mangen::Man::new(super::command());
    match man.render(&mut std::io::stdout().lock()) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("bilik: {e}");
            1
        }
    }
}
