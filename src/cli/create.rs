//! `bilik create`: the wizard's decisions without the window — the same recognition
//! (libosinfo), the same proposal checked against this computer, the same checks and the
//! same summary ([`NewVmPlan`]), and the same creation ([`express::create_and_install`]).

use std::io::Write as _;

use gettextrs::gettext;
use virt::connect::Connect;

use super::CreateArgs;
use crate::backend::{self, express, iso9660, libosinfo, new_vm};
use crate::errors::UserMessage;
use crate::i18n::gettext_f;
use crate::model::new_vm_plan::{NewVmPlan, SourceKind};

fn problem(title: String, advice: String) -> UserMessage {
    UserMessage {
        title,
        advice,
        details: String::new(),
    }
}

/// Plans and creates the machine; the exit status, or why not.
pub fn plan(conn: &Connect, uri: &str, args: &CreateArgs) -> Result<i32, UserMessage> {
    let path = std::fs::canonicalize(&args.iso).unwrap_or_else(|_| args.iso.clone());
    let cannot = |advice: String| problem(gettext("Cannot create the machine"), advice);
    iso9660::read(&path).map_err(|e| cannot(crate::ui::new_vm::work::iso_error(&e)))?;
    let candidates = libosinfo::Database::load()
        .and_then(|db| db.identify(&path))
        .unwrap_or_default();
    let Some(first) = candidates.first().cloned() else {
        return Err(cannot(gettext(
            "Bilik could not recognise this disc. Create the machine in the window, where you can pick its system.",
        )));
    };
    let facts = new_vm::host_facts(conn).map_err(|e| crate::errors::read_error(&e))?;
    let mut plan = NewVmPlan {
        uri: uri.to_string(),
        db: Some(crate::backend::osinfo::OsDb::shared()),
        facts,
        layout: crate::keyboard_layout::from_system(),
        kind: SourceKind::Iso,
        path: path.display().to_string(),
        os_id: Some(first.os_id.clone()),
        candidates,
        ..NewVmPlan::default()
    };
    plan.layout_description = plan
        .layout
        .as_deref()
        .and_then(crate::keyboard_layout::description);
    plan.fill_resources();
    if let Some(m) = args.memory {
        plan.memory_mib = m;
    }
    if let Some(n) = args.cpus {
        plan.vcpus = n;
    }
    if let Some(d) = args.disk {
        plan.disk_gib = d;
    }
    if let Some(n) = &args.name {
        plan.name = n.clone();
        plan.name_touched = true;
    }
    if let Err(p) = plan.name_check() {
        return Err(cannot(crate::errors::name_problem(&p)));
    }
    plan.express = args.express;
    if args.express {
        if !plan.express_possible() {
            return Err(cannot(gettext_f(
                "{system} cannot install itself from this disc: leave out --express and answer its installer in the console.",
                &[("system", &plan.os_name())],
            )));
        }
        let (login, realname) = crate::ui::new_vm::work::this_user();
        plan.user_login = args.user.clone().unwrap_or(login);
        plan.user_realname = realname;
        plan.language = crate::ui::new_vm::work::this_language();
        plan.timezone = glib::TimeZone::local().identifier().to_string();
        let (password, again) = read_password(args)?;
        plan.password = password;
        plan.password_again = again;
        if let Err(p) = plan.express_check() {
            return Err(cannot(crate::errors::answer_problem(&p)));
        }
    }
    let Some(spec) = plan.spec() else {
        return Err(cannot(gettext("Bilik has no proposal for this system.")));
    };
    // The summary the window shows before Create.
    {
        let mut out = std::io::stdout().lock();
        for (title, text) in plan.summary() {
            let _ = writeln!(out, "{title}: {text}");
        }
        if let Some(hint) = plan.keyboard_hint() {
            let _ = writeln!(out, "{hint}");
        }
    }
    let job = plan.express_job(&spec);
    let express = job.is_some();
    let name = spec.name.clone();
    let created = express::create_and_install(conn, &spec, job)
        .map_err(|e| crate::errors::create_error(&name, &e.step, &e.error))?;
    println!(
        "{}",
        gettext_f(
            "Created “{name}”. Its console: bilik console {name}",
            &[("name", &name)],
        )
    );
    for (dir, _) in &created.unshared {
        eprintln!(
            "bilik: {}",
            gettext_f(
                "“{name}” was made without sharing {folders}: its Shared folders tab says why",
                &[("name", &name), ("folders", dir)],
            )
        );
    }
    backend::ignored("flushing the output", std::io::stdout().flush());
    if express {
        return Ok(wait_for_install(uri, &created.uuid, &name));
    }
    Ok(0)
}

/// Waits (on libvirt's events, through a connection worker as the window's) until the
/// installer is done, then finishes the install as the window does: the generated files
/// go, the installer disc is ejected and the installed machine starts.
fn wait_for_install(uri: &str, uuid: &str, name: &str) -> i32 {
    use crate::backend::{ConnectionHandle, Options, Update, VmState};
    println!(
        "{}",
        gettext_f(
            "The system installs itself now; this takes a while. Watch it with: bilik console {name} — Ctrl+C leaves it installing (the window finishes it then).",
            &[("name", name)],
        )
    );
    let (tx, rx) = std::sync::mpsc::channel();
    let handle = match ConnectionHandle::open(
        uri,
        Options::default(),
        Box::new(move |u| {
            // The receiver is gone only when this function returned.
            let _ = tx.send(u);
        }),
    ) {
        Ok(h) => h,
        Err(e) => {
            eprintln!("bilik: {}", crate::errors::connection_error(uri, &e).title);
            return 1;
        }
    };
    for update in rx {
        let stopped = match &update {
            Update::Domains(list) => list
                .iter()
                .any(|d| d.uuid == uuid && d.state == VmState::ShutOff),
            Update::DomainChanged(d) => d.uuid == uuid && d.state == VmState::ShutOff,
            Update::DomainRemoved { uuid: u } if u == uuid => {
                eprintln!(
                    "bilik: {}",
                    gettext_f("“{name}” was deleted meanwhile.", &[("name", name)])
                );
                return 1;
            }
            _ => false,
        };
        if !stopped {
            continue;
        }
        let u = uuid.to_string();
        let ended = glib::MainContext::new()
            .block_on(handle.connection().call(move |c| express::finish(c, &u)));
        match ended {
            Ok(express::Ended::Installed) => {
                println!(
                    "{}",
                    gettext_f("“{name}” is installed and starts now.", &[("name", name)])
                );
                return 0;
            }
            Ok(express::Ended::SetupGoesOn) => {
                println!(
                    "{}",
                    gettext_f(
                        "“{name}”: Windows is installed and finishes its setup inside the machine now.",
                        &[("name", name)],
                    )
                );
                return 0;
            }
            Ok(express::Ended::Interrupted) => {
                eprintln!(
                    "bilik: {}",
                    gettext_f(
                        "“{name}” stopped before its system was installed. Its disk is kept; start the install again from the window (Install Again).",
                        &[("name", name)],
                    )
                );
                return 1;
            }
            // One stop is told in several events: the next one.
            Ok(express::Ended::NotInstalling) => continue,
            Err(e) => {
                eprintln!("bilik: {}", crate::errors::read_error(&e).title);
                return 1;
            }
        }
    }
    1
}

/// The password from `--password-file` (its first line), else typed twice on the
/// terminal without echo. Never from an argument: those are visible to every user.
fn read_password(args: &CreateArgs) -> Result<(String, String), UserMessage> {
    if let Some(file) = &args.password_file {
        let text = std::fs::read_to_string(file).map_err(|e| {
            problem(
                gettext("Cannot read the password file"),
                gettext_f(
                    "{path}: {error}",
                    &[
                        ("path", &file.display().to_string()),
                        ("error", &e.to_string()),
                    ],
                ),
            )
        })?;
        let line = text.lines().next().unwrap_or("").to_string();
        return Ok((line.clone(), line));
    }
    let ask = |prompt: String| {
        rpassword::prompt_password(prompt).map_err(|e| {
            problem(
                gettext("Cannot read the password"),
                gettext_f(
                    "Type it on a terminal, or give it in a file with --password-file ({error}).",
                    &[("error", &e.to_string())],
                ),
            )
        })
    };
    let first = ask(gettext("Password for the new system’s user: "))?;
    let again = ask(gettext("The same password again: "))?;
    Ok((first, again))
}
