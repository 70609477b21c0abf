//! The one place where backend errors become sentences a person can act on: what happened,
//! then what to do. libvirt's own text stays available as `details`.

use gettextrs::gettext;

use crate::backend::new_vm::NameProblem;
use crate::backend::shared_folders::Gap;
use crate::backend::start_problem::StartProblem;
use crate::backend::uri::UriError;
use crate::backend::{BackendError, ErrorKind, LifecycleAction};
use crate::i18n::gettext_f;

/// A translated explanation of an error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserMessage {
    /// Short: what happened.
    pub title: String,
    /// One or two sentences: why, and what to do.
    pub advice: String,
    /// libvirt's raw message, shown under "Details".
    pub details: String,
}

/// Explains why a URI is not valid.
pub fn uri_error(uri: &str, e: &UriError) -> UserMessage {
    let valid = gettext(
        "Valid addresses look like qemu:///system, qemu:///session or qemu+ssh://user@host/system.",
    );
    let what = match e {
        UriError::Empty => gettext("The connection address is empty."),
        UriError::Whitespace => gettext("The connection address contains spaces."),
        UriError::MissingSlashes => gettext(
            "The address needs “://” after the driver name, and three slashes for this computer, as in qemu:///system.",
        ),
        UriError::UnknownDriver(d) => gettext_f(
            "“{driver}” is not a hypervisor driver libvirt knows. For QEMU/KVM machines the driver is “qemu”.",
            &[("driver", d)],
        ),
        UriError::UnknownTransport(t) => gettext_f(
            "“{transport}” is not a way to reach libvirt. Use ssh, tls, tcp or unix after the “+”.",
            &[("transport", t)],
        ),
        UriError::BadQemuPath { path, suggestion } => gettext_f(
            "“{path}” is not a QEMU connection type: it must be /system or /session. Did you mean {suggestion}?",
            &[("path", path), ("suggestion", suggestion)],
        ),
        UriError::BadTestPath(_) => gettext(
            "The test driver needs /default or the absolute path of a node XML file, as in test:///default.",
        ),
        UriError::TransportNeedsHost(t) => gettext_f(
            "A “{transport}” connection needs a host name, as in qemu+{transport}://user@host/system.",
            &[("transport", t)],
        ),
    };
    UserMessage {
        title: gettext_f("“{uri}” is not a valid connection address", &[("uri", uri)]),
        advice: format!("{what} {valid}"),
        details: uri.to_string(),
    }
}

/// Explains why a connection could not be opened or was lost.
pub fn connection_error(uri: &str, e: &BackendError) -> UserMessage {
    if let ErrorKind::InvalidUri(u) = &e.kind {
        return uri_error(uri, u);
    }
    let (title, advice) = match &e.kind {
        ErrorKind::DaemonNotRunning => (
            gettext("The libvirt service is not running"),
            gettext(
                "Bilik talks to virtual machines through the libvirt service, and it did not answer. Start it with “sudo systemctl enable --now libvirtd” (or virtqemud on newer systems), then try again.",
            ),
        ),
        ErrorKind::PermissionDenied => (
            gettext("You are not allowed to use this connection"),
            gettext(
                "System machines need the libvirt group: run “sudo usermod -aG libvirt $USER”, then log out and back in so the new group takes effect. Or use “My user session”, which needs no admin rights.",
            ),
        ),
        ErrorKind::HostUnreachable => (
            gettext("The remote computer could not be reached"),
            gettext(
                "Check the host name and that you can log in with “ssh user@host” without a password prompt (use ssh-copy-id), then try again.",
            ),
        ),
        ErrorKind::DriverMissing => (
            gettext("This kind of connection is not installed"),
            gettext(
                "libvirt has no driver for it on this computer. For QEMU/KVM install the packages qemu-system and libvirt-daemon-system (Debian, Ubuntu) or libvirt-daemon-kvm (Fedora).",
            ),
        ),
        ErrorKind::NotAnswering => (
            gettext_f("{uri} is not answering", &[("uri", uri)]),
            gettext(
                "Bilik waited 15 seconds for it. Its service may be stuck (restart libvirtd or virtqemud), or the remote computer may be off or out of reach. Try again, or open the Setup Check.",
            ),
        ),
        ErrorKind::ConnectionLost => (
            gettext_f("Lost connection to {uri}", &[("uri", uri)]),
            gettext("The libvirt service stopped or the network dropped. Bilik reconnects by itself when it is back."),
        ),
        ErrorKind::Ssh(problem) => ssh_problem(problem),
        _ => (
            gettext_f("Could not connect to {uri}", &[("uri", uri)]),
            gettext("libvirt reported an error; the details below say more."),
        ),
    };
    UserMessage {
        title,
        advice,
        details: e.raw.clone(),
    }
}

/// Why an SSH connection cannot work, and what to do: Bilik cannot answer ssh's questions
/// (password, host key), so the sentence gives the command that does it once.
fn ssh_problem(p: &crate::backend::remote::SshProblem) -> (String, String) {
    use crate::backend::remote::SshProblem;
    match p {
        SshProblem::UnknownName { host } => (
            gettext_f("No computer called “{host}” was found", &[("host", host)]),
            gettext(
                "Check the name, or use the computer’s address instead (for example 192.168.1.20). A name may use letters, digits, dots and dashes.",
            ),
        ),
        SshProblem::NoAnswer { host, port } => (
            gettext_f(
                // Translators: {port} is a number, {host} a computer's name or address.
                "Nothing answers on port {port} of {host}",
                &[("port", &port.to_string()), ("host", host)],
            ),
            gettext_f(
                "Check that {host} is on and reachable, that its SSH server runs, and that it listens on port {port} (22 unless it was changed). A firewall can also block the port.",
                &[("port", &port.to_string()), ("host", host)],
            ),
        ),
        SshProblem::HostKeyUnknown(t) => (
            gettext_f(
                "This computer has never connected to {host} over SSH",
                &[("host", &t.host)],
            ),
            gettext_f(
                "SSH first checks that {host} really is the computer you mean, by its key, and Bilik cannot answer that question for you. Run “{command}” once in a terminal, compare the fingerprint it shows with the one of {host}, answer “yes”, then Try Again.",
                &[("host", &t.host), ("command", &t.ssh_command())],
            ),
        ),
        SshProblem::Login(t) => (
            gettext_f(
                "Could not log in to {host} as {user} without a password",
                &[
                    ("host", &t.host),
                    ("user", t.user.as_deref().unwrap_or("?")),
                ],
            ),
            gettext_f(
                "Bilik cannot type a password into SSH: it needs a key that {host} accepts. If you have no key yet, make one with “ssh-keygen”; copy it to {host} with “{command}” (it asks for the password once), then Try Again.",
                &[("host", &t.host), ("command", &t.copy_id_command())],
            ),
        ),
    }
}

/// Explains why a machine could not be moved to the other connection (nothing was
/// removed where it was).
pub fn move_error(name: &str, e: &BackendError) -> UserMessage {
    let advice = match &e.kind {
        ErrorKind::MoveNameTaken(_) => gettext_f(
            "A machine called “{name}” is already there. Rename one of them (Hardware tab), then move again.",
            &[("name", name)],
        ),
        ErrorKind::NotAVolume(path) => gettext_f(
            "Its disk {path} is not in a storage pool, so libvirt cannot copy it. Add its folder as a pool (Storage), then move again.",
            &[("path", path)],
        ),
        ErrorKind::InvalidState => gettext("Shut the machine down first: only a machine that is off can move."),
        ErrorKind::NotConnected | ErrorKind::ConnectionLost => {
            gettext("A connection dropped during the move. Nothing was removed; try again once both are back.")
        }
        _ => gettext("Nothing was removed: the machine is still where it was. The details below say what went wrong."),
    };
    UserMessage {
        title: gettext_f("Could not move “{name}”", &[("name", name)]),
        advice,
        details: e.raw.clone(),
    }
}

/// Explains why a lifecycle action failed on machine `name`.
pub fn action_error(name: &str, action: LifecycleAction, e: &BackendError) -> UserMessage {
    let title = match action {
        LifecycleAction::Start => gettext_f("Could not start “{name}”", &[("name", name)]),
        LifecycleAction::Shutdown => gettext_f("Could not shut down “{name}”", &[("name", name)]),
        LifecycleAction::Reboot => gettext_f("Could not restart “{name}”", &[("name", name)]),
        LifecycleAction::ForceOff => gettext_f("Could not force off “{name}”", &[("name", name)]),
        LifecycleAction::Pause => gettext_f("Could not pause “{name}”", &[("name", name)]),
        LifecycleAction::Resume => gettext_f("Could not resume “{name}”", &[("name", name)]),
        LifecycleAction::Delete => gettext_f("Could not delete “{name}”", &[("name", name)]),
    };
    let advice = match &e.kind {
        ErrorKind::NoSuchDomain => gettext("The machine no longer exists; it was probably deleted elsewhere."),
        ErrorKind::InvalidState => gettext("The machine is not in a state that allows this; its state may just have changed."),
        ErrorKind::PermissionDenied => gettext("You are not allowed to do this on this connection."),
        ErrorKind::Unsupported => gettext("This hypervisor does not support this action."),
        ErrorKind::ConnectionLost => gettext("The connection to libvirt was lost. Bilik reconnects by itself."),
        ErrorKind::StartProblem(p) => start_problem(p),
        ErrorKind::NotAVolume(path) => gettext_f(
            "The disk image {path} is not in a storage pool, so Bilik did not delete it. Delete the file yourself if you no longer need it.",
            &[("path", path)],
        ),
        _ => gettext("libvirt reported an error; the details say more."),
    };
    UserMessage {
        title,
        advice,
        details: e.raw.clone(),
    }
}

/// Why a machine did not start, and what to do (see [`crate::backend::start_problem`]).
fn start_problem(p: &StartProblem) -> String {
    match p {
        StartProblem::MissingFile(path) => gettext_f(
            "The file {path}, a disk or installer disc of this machine, is not there. Put it back, or take it out of the machine in its Hardware tab (a disc: Eject).",
            &[("path", path)],
        ),
        StartProblem::Unreadable { path, user, fix: Some(fix) } => gettext_f(
            // Translators: {user} is the system account that runs machines (libvirt-qemu), {command} a command to type.
            "Machines of “This computer (system)” run as the user {user}, who cannot open {path}. Give that one user access with: sudo {command}",
            &[("user", user), ("path", path), ("command", &fix.join(" "))],
        ),
        StartProblem::Unreadable { path, .. } => gettext_f(
            "Machines of “My user session” run as you, and you cannot read {path}. Give yourself read access to it, or copy it into your home folder.",
            &[("path", path)],
        ),
        StartProblem::KvmUnusable => gettext(
            "The machine uses KVM (the processor’s virtualisation), and KVM cannot be used here: /dev/kvm is missing or you may not open it. Turn on virtualisation (VT-x or AMD-V) in the computer’s firmware settings and join the kvm group; the Setup Check in the main menu says which.",
        ),
        StartProblem::SharedFolders { tags, gaps } => {
            let mut out = gettext_f(
                // Translators: {tags} is a list of shared-folder names, separated by commas.
                "Its shared folders ({tags}) could not be served: the helper program that shares them with the machine (virtiofsd) did not start.",
                &[("tags", &tags.join(", "))],
            );
            for g in gaps {
                out.push(' ');
                out.push_str(&share_gap(*g));
            }
            out.push(' ');
            out.push_str(&gettext(
                "Start it without them: they stay in its Shared folders list, to share again later.",
            ));
            out
        }
        StartProblem::NotEnoughMemory {
            needed_mib,
            available_mib,
        } => gettext_f(
            "The machine needs {needed} MiB of memory and this computer has {available} MiB free. Close programs or other machines, or give it less memory in its Hardware tab.",
            &[
                ("needed", &needed_mib.to_string()),
                ("available", &available_mib.to_string()),
            ],
        ),
    }
}

/// Why folders cannot be shared with a machine here.
pub fn share_gap(g: Gap) -> String {
    match g {
        Gap::NoVirtiofs => gettext("This hypervisor cannot share folders (no virtiofs)."),
        Gap::NoMemfd => gettext("This hypervisor cannot share the machine’s memory (no memfd)."),
        Gap::NoVirtiofsd => gettext(
            "virtiofsd is not installed on this computer: install the package virtiofsd.",
        ),
        Gap::OldLibvirtForSession => gettext(
            "“My user session” needs libvirt 10.0 or newer for shared folders; use “This computer (system)” or update libvirt.",
        ),
        Gap::NoSubordinateIds => gettext(
            "In “My user session” the program that shares folders runs as you and needs a range of extra user and group IDs for you, which this computer does not have (/etc/subuid and /etc/subgid). An administrator can add them: sudo usermod --add-subuids 100000-165535 --add-subgids 100000-165535 $USER",
        ),
        Gap::NoNewuidmap => gettext(
            "In “My user session” the program that shares folders needs newuidmap and newgidmap: install the package uidmap.",
        ),
        Gap::NoUserNamespace => gettext(
            "In “My user session” the program that shares folders runs as you in a user namespace, and this computer does not let you make one (some systems restrict them; a container or chroot cannot). Share folders with machines of “This computer (system)” instead.",
        ),
    }
}

/// Explains why creating a machine failed (everything made before the failure was removed).
pub fn create_error(
    name: &str,
    step: &crate::backend::new_vm::CreateStep,
    e: &BackendError,
) -> UserMessage {
    use crate::backend::new_vm::CreateStep;
    let advice = match step {
        CreateStep::Name => gettext(
            "A machine with this name already exists on this connection. Go back and choose another name.",
        ),
        CreateStep::Pool => gettext(
            "The storage pool for the disk could not be found or started. Run the Setup Check from the main menu, or pick another pool.",
        ),
        CreateStep::Volume => gettext(
            "The disk could not be created: the pool may be full or not writable. Choose a smaller disk or another pool.",
        ),
        CreateStep::Define => gettext(
            "libvirt refused the machine’s settings. The details say which part; nothing was created.",
        ),
        CreateStep::Start => gettext(
            "The machine could not start, so Bilik removed it and its new disk again. The details say why; a common cause is a disc image that the system user running machines cannot read.",
        ),
    };
    let advice = match e.kind {
        ErrorKind::ConnectionLost => gettext(
            "The connection to libvirt was lost while creating; nothing was kept. Try again once it is back.",
        ),
        ErrorKind::PermissionDenied => gettext(
            "libvirt refused: this account may not create machines on this connection. Use “My user session”, or join the libvirt group.",
        ),
        _ => advice,
    };
    UserMessage {
        title: gettext_f("Could not create “{name}”", &[("name", name)]),
        advice,
        details: e.raw.clone(),
    }
}

/// Explains why reading something of a machine failed (its definition, its settings).
pub fn read_error(e: &BackendError) -> UserMessage {
    let (title, advice) = match &e.kind {
        ErrorKind::NotConnected | ErrorKind::ConnectionLost => (
            gettext("Not connected to libvirt right now"),
            gettext("Bilik reconnects by itself; this shows again once the connection is back."),
        ),
        ErrorKind::NoSuchDomain => (
            gettext("This machine no longer exists"),
            gettext("It was probably deleted elsewhere."),
        ),
        ErrorKind::PermissionDenied => (
            gettext("Could not read this machine’s settings"),
            gettext("libvirt does not let this account read them on this connection."),
        ),
        _ => (
            gettext("Could not read this machine’s settings"),
            gettext("libvirt reported an error while reading; the details say more."),
        ),
    };
    UserMessage {
        title,
        advice,
        details: e.raw.clone(),
    }
}

/// What a saved change says: at once, or at the machine's next start.
pub fn saved(saved: &crate::backend::definition::Saved) -> String {
    if saved.pending_restart {
        gettext_f(
            "Saved. It takes effect the next time “{name}” is shut down and started.",
            &[("name", &saved.name)],
        )
    } else {
        gettext("Saved.")
    }
}

/// Explains why a change to machine `name` could not be saved.
pub fn change_error(name: &str, e: &BackendError) -> UserMessage {
    let advice = match e.kind {
        ErrorKind::NotConnected | ErrorKind::ConnectionLost => {
            gettext("The connection to libvirt was lost; try again once it is back.")
        }
        ErrorKind::NoSuchDomain => {
            gettext("The machine no longer exists; it was probably deleted elsewhere.")
        }
        ErrorKind::PermissionDenied => {
            gettext("You are not allowed to do this on this connection.")
        }
        _ => gettext("libvirt refused the change; the details say more."),
    };
    UserMessage {
        title: gettext_f("Could not change “{name}”", &[("name", name)]),
        advice,
        details: e.raw.clone(),
    }
}

/// Explains why a USB device could not be handed to machine `name` or taken back.
pub fn usb_error(name: &str, e: &BackendError) -> UserMessage {
    let advice = match e.kind {
        ErrorKind::Unsupported => {
            gettext("This hypervisor cannot hand USB devices to a running machine.")
        }
        ErrorKind::InvalidState => gettext("The machine must be running to take a USB device."),
        ErrorKind::PermissionDenied => gettext(
            "libvirt refused: this account may not hand devices of this computer to machines.",
        ),
        ErrorKind::NotConnected | ErrorKind::ConnectionLost => {
            gettext("The connection to libvirt was lost; try again once it is back.")
        }
        _ => gettext("libvirt refused; the details say why."),
    };
    UserMessage {
        title: gettext_f("Could not change “{name}”", &[("name", name)]),
        advice,
        details: e.raw.clone(),
    }
}

/// Why a machine, pool or volume name cannot be used.
/// Why an edited definition was not saved (the expert XML editor), with what was said.
pub fn xml_refused(e: &BackendError) -> String {
    let sentence = match e.kind {
        ErrorKind::XmlMalformed => gettext(
            "This is not a machine’s definition in well-formed XML, so nothing was saved: fix the place named below (a tag left open, a quote or a “<” or “&” in a value). What you typed is still here.",
        ),
        ErrorKind::XmlOtherMachine => gettext(
            "This definition is of another machine, so nothing was saved: keep this machine’s <uuid> line (and, without it, its name). To make another machine, use Clone.",
        ),
        ErrorKind::XmlRenamed => gettext(
            "The name cannot change here, so nothing was saved: keep this machine’s <name> line, and rename it with Rename on its Hardware page.",
        ),
        _ => gettext(
            "libvirt refused this XML; nothing was changed. What you typed is still here:",
        ),
    };
    format!("{sentence}\n{}", e.raw)
}

/// Why passing a USB device into a machine over SPICE failed (from the SPICE client's
/// typed errors; kept GTK- and SPICE-free here).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UsbRedirectProblem {
    /// This computer did not allow Bilik to use the device (permissions, ACL helper, polkit).
    NotAllowed,
    /// The machine refused it.
    Refused,
    /// Unplugged meanwhile.
    Gone,
    /// All of the machine's redirection channels carry a device already.
    NoFreeChannel,
    Other,
}

/// The sentence for a USB device `device` that could not go into the machine.
pub fn usb_redirect_error(device: &str, p: UsbRedirectProblem, raw: &str) -> UserMessage {
    let advice = match p {
        UsbRedirectProblem::NotAllowed => gettext(
            "This computer did not let Bilik use the device. Passing a device over the console needs permission to open it (spice-client-glib's USB helper, allowed by polkit): ask the computer’s administrator, or add the device in the machine’s Hardware → USB Devices, which libvirt opens for the machine.",
        ),
        UsbRedirectProblem::Refused => gettext(
            "The machine refused the device. Some devices cannot be passed over the console; try Hardware → USB Devices.",
        ),
        UsbRedirectProblem::Gone => gettext("The device was unplugged. Plug it in again and retry."),
        UsbRedirectProblem::NoFreeChannel => gettext(
            "All of this machine’s USB redirection channels carry a device already: take one out first.",
        ),
        UsbRedirectProblem::Other => gettext("Try again, or add it in the machine’s Hardware → USB Devices."),
    };
    UserMessage {
        title: gettext_f(
            // Translators: {device} is a USB device's description, e.g. "SanDisk Cruzer".
            "“{device}” could not be passed into the machine",
            &[("device", device)],
        ),
        advice,
        details: raw.to_string(),
    }
}

pub fn name_problem(p: &NameProblem) -> String {
    match p {
        NameProblem::Empty => gettext("Fill in a name."),
        NameProblem::TooLong => gettext_f(
            "The name is too long: at most {n} characters.",
            &[("n", &crate::backend::new_vm::MAX_NAME_LEN.to_string())],
        ),
        NameProblem::BadCharacter(c) => gettext_f(
            // Translators: {char} is a character, or its name ("a space", "a line break").
            "{char} cannot be part of a name. Use letters, digits, dots, dashes and underscores.",
            &[("char", &character(*c))],
        ),
        NameProblem::BadStart => gettext("A name cannot start with a dot or a dash."),
        NameProblem::Taken => {
            gettext("This name is already used on this connection. Choose another name.")
        }
    }
}

/// A character as a sentence shows it: in quotes when it can be seen, else by name (a
/// space, a line break, or its code point for an invisible one such as a direction mark).
pub fn character(c: char) -> String {
    match c {
        ' ' => gettext("A space"),
        '\n' | '\r' => gettext("A line break"),
        '\t' => gettext("A tab"),
        c if c.is_control() || is_invisible(c) => gettext_f(
            // Translators: {code} is a Unicode code point such as U+202E.
            "The invisible character {code}",
            &[("code", &format!("U+{:04X}", c as u32))],
        ),
        c => format!("“{c}”"),
    }
}

/// Format characters that change how text shows without showing themselves (direction
/// marks and overrides, joiners, the byte order mark).
fn is_invisible(c: char) -> bool {
    matches!(c as u32, 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x2069 | 0xFEFF | 0xAD)
}

/// Says what is wrong with an express-install answer and how to fix it.
pub fn answer_problem(p: &crate::backend::express::AnswerProblem) -> String {
    use crate::backend::express::{AnswerProblem as P, Field};
    let field = |f: &Field| match f {
        Field::Login => gettext("The user name"),
        Field::RealName => gettext("The full name"),
        Field::Password => gettext("The password"),
        Field::HostName => gettext("The machine’s name"),
        Field::ProductKey => gettext("The product key"),
    };
    match p {
        P::NoLogin => gettext("Give a user name: the login of the new system’s user."),
        P::BadLogin(c) => gettext_f(
            // Translators: {char} is a character, or its name ("A space").
            "{char} cannot be part of a user name. Use lower-case letters (a–z), digits, “-” and “_”.",
            &[("char", &character(*c))],
        ),
        P::LoginStartsBadly => gettext("A user name starts with a lower-case letter (a–z) or “_”."),
        P::LoginTooLong => gettext("A user name has at most 32 characters."),
        P::RootLogin => gettext("“root” is the system’s administrator account already: choose another user name."),
        P::NoPassword => gettext("Give a password, twice."),
        P::PasswordsDiffer => gettext("The two passwords differ: type the same password twice."),
        P::PasswordSpaces => gettext("A password cannot start or end with a space: some installers drop them, and you would be locked out."),
        P::ControlCharacter(f) => gettext_f(
            // Translators: {field} is “The user name”, “The full name”, “The password”…
            "{field} contains a line break or another invisible character. Type it again without it.",
            &[("field", &field(f))],
        ),
        P::SingleQuote(f) => gettext_f(
            // Translators: {field} is “The password” or “The full name”.
            "{field} cannot contain “'” for this system’s installer. Choose one without it.",
            &[("field", &field(f))],
        ),
        P::BadHostName => gettext("The machine’s name gives the new system its computer name: use letters, digits and “-” only (no spaces or dots), at most 63."),
        P::BadProductKey => gettext("A product key is five groups of five letters or digits, such as XXXXX-XXXXX-XXXXX-XXXXX-XXXXX. Leave it empty and Windows asks for it during its setup."),
    }
}

/// Explains a failed snapshot operation.
pub fn snapshot_error(e: &BackendError) -> UserMessage {
    let advice = match e.kind {
        ErrorKind::SnapshotNeedsQcow2 => gettext(
            "Snapshots need disks in the qcow2 format; this machine has a raw disk. Convert it (qemu-img convert) or copy the disk file instead.",
        ),
        ErrorKind::SnapshotUefiRunning => gettext(
            "This libvirt cannot take a full snapshot of a UEFI machine while it runs. Shut it down first: Bilik then saves its disks in an external snapshot.",
        ),
        _ => gettext("libvirt refused; the details say why."),
    };
    UserMessage {
        title: gettext("The snapshot did not work."),
        advice,
        details: e.raw.clone(),
    }
}

/// Explains a failed network operation (libvirt refused it).
pub fn network_error(e: &BackendError) -> UserMessage {
    let advice = match e.kind {
        ErrorKind::PermissionDenied => gettext(
            "libvirt refused: this account may not change networks on this connection.",
        ),
        ErrorKind::ConnectionLost => {
            gettext("The connection to libvirt was lost; try again once it is back.")
        }
        ErrorKind::NetworkSubnetTaken => gettext(
            "Something on this computer already uses this subnet or bridge name. Choose another subnet.",
        ),
        ErrorKind::NetworkNoDhcpHelper => gettext(
            "The DHCP service for the network could not start: is the package dnsmasq-base installed?",
        ),
        _ => gettext("libvirt refused; the details say why."),
    };
    UserMessage {
        title: gettext("The network change did not work."),
        advice,
        details: e.raw.clone(),
    }
}

/// Explains a failed storage operation (libvirt refused it).
pub fn storage_error(e: &BackendError) -> UserMessage {
    let advice = match e.kind {
        ErrorKind::PermissionDenied => gettext(
            "libvirt refused: this account may not change storage on this connection.",
        ),
        ErrorKind::ConnectionLost => gettext("The connection to libvirt was lost; try again once it is back."),
        ErrorKind::PoolFolderNotEmpty => gettext(
            "The folder still holds files, so libvirt left it (and the pool) in place. Delete the files first, or keep the folder.",
        ),
        ErrorKind::PoolMountFailed => gettext(
            "The network share could not be mounted: check the server’s name, that it is on and shares this folder with this computer, and that NFS support is installed (package nfs-common).",
        ),
        _ => gettext("libvirt refused; the details say why."),
    };
    UserMessage {
        title: gettext("The storage change did not work."),
        advice,
        details: e.raw.clone(),
    }
}

/// Whether an error met by a check that Bilik made by itself (not at the person's request)
/// is worth showing. Not when the machine is gone (deleted elsewhere: nothing to check) nor
/// when the connection went meanwhile: its header already says "Lost connection…", and a
/// toast about a machine nobody touched only makes a person wonder what they did.
pub fn worth_showing_unasked(e: &BackendError) -> bool {
    !matches!(
        e.kind,
        ErrorKind::NoSuchDomain | ErrorKind::NotConnected | ErrorKind::ConnectionLost
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_uri_error_gets_a_sentence_naming_the_part() {
        let m = uri_error(
            "qemu:///sys-tem",
            &crate::backend::uri::parse("qemu:///sys-tem").unwrap_err(),
        );
        assert!(
            m.advice.contains("/sys-tem") && m.advice.contains("/system"),
            "{m:?}"
        );
        let m = uri_error("kvm:///system", &UriError::UnknownDriver("kvm".into()));
        assert!(m.advice.contains("“kvm”"));
    }

    #[test]
    fn connection_errors_keep_the_raw_text() {
        let e = BackendError::new(ErrorKind::PermissionDenied, "authentication unavailable");
        let m = connection_error("qemu:///system", &e);
        assert!(m.advice.contains("libvirt group"));
        assert_eq!(m.details, "authentication unavailable");
    }

    #[test]
    fn unasked_checks_keep_quiet_about_a_lost_connection() {
        for (kind, shown) in [
            (ErrorKind::ConnectionLost, false),
            (ErrorKind::NotConnected, false),
            (ErrorKind::NoSuchDomain, false),
            (ErrorKind::PermissionDenied, true),
            (ErrorKind::Other, true),
        ] {
            let e = BackendError::new(kind.clone(), "raw");
            assert_eq!(worth_showing_unasked(&e), shown, "{kind:?}");
        }
    }
}
