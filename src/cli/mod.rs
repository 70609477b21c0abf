//! `bilik` on the command line: the same machines as the window, from a terminal, through
//! the same backend functions (never a copy of them). Parsed by clap; completion by
//! clap_complete's environment-driven completer (machine names come from the chosen
//! connection, [`complete`]); a man page by clap_mangen. The subcommands' work is in
//! [`commands`]; `bilik` alone and `bilik open` start the window (see `crate::run`).
//!
//! Every help text and message goes through gettext: the derive gives the structure, and
//! [`command`] puts the translated words on it.

pub mod commands;
pub mod complete;
mod create;

use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};
use clap_complete::engine::ArgValueCompleter;
use gettextrs::gettext;

/// `bilik [--connect URI] [COMMAND]`.
#[derive(Parser, Debug)]
#[command(name = "bilik", version = crate::config::VERSION)]
pub struct Cli {
    #[arg(short = 'c', long, global = true, value_name = "URI",
          add = ArgValueCompleter::new(complete::connections))]
    pub connect: Option<String>,
    /// The old spelling of `bilik setup-check`, kept for scripts.
    #[arg(long, hide = true)]
    pub setup_check: bool,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Open {
        #[arg(add = ArgValueCompleter::new(complete::machines))]
        name: Option<String>,
    },
    List {
        #[arg(long)]
        all: bool,
        #[arg(long)]
        json: bool,
    },
    Start(Names),
    Shutdown(Names),
    Reboot(Names),
    ForceOff {
        #[command(flatten)]
        names: Names,
        #[arg(short = 'y', long)]
        yes: bool,
    },
    Pause(Names),
    Resume(Names),
    Console {
        #[arg(add = ArgValueCompleter::new(complete::machines))]
        name: String,
        #[arg(long)]
        fullscreen: bool,
    },
    Create(CreateArgs),
    SetupCheck {
        #[arg(long)]
        json: bool,
    },
    Completions {
        shell: ShellName,
    },
    /// The man page (roff), for the build.
    #[command(hide = true)]
    Manpage,
}

/// Machines by name.
#[derive(Args, Debug, Clone, PartialEq, Eq)]
pub struct Names {
    #[arg(required = true, value_name = "NAME",
          add = ArgValueCompleter::new(complete::machines))]
    pub names: Vec<String>,
}

#[derive(Args, Debug, Clone, PartialEq, Eq)]
pub struct CreateArgs {
    #[arg(long, value_name = "PATH", value_hint = clap::ValueHint::FilePath,
          add = ArgValueCompleter::new(complete::isos))]
    pub iso: std::path::PathBuf,
    #[arg(long)]
    pub name: Option<String>,
    #[arg(long, value_name = "MiB")]
    pub memory: Option<u64>,
    #[arg(long, value_name = "N")]
    pub cpus: Option<u32>,
    #[arg(long, value_name = "GiB")]
    pub disk: Option<u64>,
    #[arg(long)]
    pub express: bool,
    #[arg(long, value_name = "LOGIN", requires = "express")]
    pub user: Option<String>,
    #[arg(long, value_name = "FILE", requires = "express",
          value_hint = clap::ValueHint::FilePath)]
    pub password_file: Option<std::path::PathBuf>,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShellName {
    Bash,
    Fish,
    Zsh,
}

/// The command line's definition with its words in the person's language.
pub fn command() -> clap::Command {
    let sub = |c: clap::Command, about: String| c.about(about);
    let names_help = gettext("Names of virtual machines");
    Cli::command()
        .about(gettext(
            "A friendly virtual machine manager: without a command, opens the window.",
        ))
        .mut_arg("connect", |a| {
            a.help(gettext(
                "The libvirt connection, e.g. qemu:///system or qemu:///session (as the window chooses it when left out)",
            ))
        })
        .mut_subcommand("open", |c| {
            sub(
                c,
                gettext("Opens the window, with this machine selected"),
            )
            .mut_arg("name", |a| a.help(gettext("A virtual machine's name")))
        })
        .mut_subcommand("list", |c| {
            sub(
                c,
                gettext("Lists the running machines: state, processors, memory, CPU use"),
            )
            .mut_arg("all", |a| a.help(gettext("Also the machines that are not running")))
            .mut_arg("json", |a| a.help(gettext("As JSON, for scripts")))
        })
        .mut_subcommand("start", |c| {
            sub(c, gettext("Starts machines")).mut_arg("names", |a| a.help(&names_help))
        })
        .mut_subcommand("shutdown", |c| {
            sub(
                c,
                gettext("Asks machines to shut down (their system decides, as with a power button)"),
            )
            .mut_arg("names", |a| a.help(&names_help))
        })
        .mut_subcommand("reboot", |c| {
            sub(c, gettext("Asks machines to restart")).mut_arg("names", |a| a.help(&names_help))
        })
        .mut_subcommand("force-off", |c| {
            sub(
                c,
                gettext("Turns machines off at once, like pulling the power cable (unsaved work in them is lost)"),
            )
            .mut_arg("names", |a| a.help(&names_help))
            .mut_arg("yes", |a| a.help(gettext("Do not ask for confirmation")))
        })
        .mut_subcommand("pause", |c| {
            sub(c, gettext("Pauses machines")).mut_arg("names", |a| a.help(&names_help))
        })
        .mut_subcommand("resume", |c| {
            sub(c, gettext("Resumes paused machines")).mut_arg("names", |a| a.help(&names_help))
        })
        .mut_subcommand("console", |c| {
            sub(c, gettext("Opens a machine's console, as the window does"))
                .mut_arg("name", |a| a.help(gettext("A virtual machine's name")))
                .mut_arg("fullscreen", |a| a.help(gettext("Full screen")))
        })
        .mut_subcommand("create", |c| {
            sub(
                c,
                gettext("Creates a machine from an installer disc, with the window's choices"),
            )
            .mut_arg("iso", |a| a.help(gettext("The installer disc (.iso)")))
            .mut_arg("name", |a| a.help(gettext("Its name (default: from the system)")))
            .mut_arg("memory", |a| a.help(gettext("Memory in MiB (default: proposed for the system)")))
            .mut_arg("cpus", |a| a.help(gettext("Processors (default: proposed)")))
            .mut_arg("disk", |a| a.help(gettext("Disk size in GiB (default: proposed)")))
            .mut_arg("express", |a| {
                a.help(gettext(
                    "Express install: the system installs itself and asks nothing (the password is asked here, without echo)",
                ))
            })
            .mut_arg("user", |a| a.help(gettext("The new system's user (default: yours)")))
            .mut_arg("password_file", |a| {
                a.help(gettext("Read the password from this file instead of the terminal"))
            })
        })
        .mut_subcommand("setup-check", |c| {
            sub(
                c,
                gettext("Checks whether this computer is ready for virtual machines (exit 0 ready, 1 warnings, 2 problems)"),
            )
            .mut_arg("json", |a| a.help(gettext("As JSON, for scripts")))
        })
        .mut_subcommand("completions", |c| {
            sub(
                c,
                gettext("Prints the completion script for a shell (Tab completes machine names)"),
            )
            .mut_arg("shell", |a| a.help(gettext("bash, fish or zsh")))
        })
}

/// Parses `args` (without the program's name).
pub fn parse(args: Vec<String>) -> Result<Cli, clap::Error> {
    let matches =
        command().try_get_matches_from(std::iter::once("bilik".to_string()).chain(args))?;
    Cli::from_arg_matches(&matches)
}

/// Answers the shell's completion request, if this run is one (`COMPLETE=bash bilik -- …`),
/// and exits. Nothing else may write to stdout before.
pub fn complete_if_asked() {
    clap_complete::CompleteEnv::with_factory(command).complete();
}
