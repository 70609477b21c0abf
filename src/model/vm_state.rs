//! A machine's state in words and icons. libvirt's state *reason* matters to a person
//! ("paused because the disk is full" is not "paused by you"), so it is said too.

use gettextrs::gettext;

use crate::backend::VmState;

/// The state in one or two words, as in the list.
pub fn label(state: VmState) -> String {
    match state {
        VmState::Running | VmState::Blocked => gettext("Running"),
        VmState::Paused => gettext("Paused"),
        VmState::ShuttingDown => gettext("Shutting down"),
        VmState::ShutOff => gettext("Shut off"),
        VmState::Crashed => gettext("Crashed"),
        VmState::Suspended => gettext("Suspended"),
        VmState::NoState => gettext("Unknown"),
    }
}

/// A symbolic icon for the state.
pub fn icon(state: VmState) -> &'static str {
    match state {
        VmState::Running | VmState::Blocked => "media-playback-start-symbolic",
        VmState::Paused | VmState::Suspended => "media-playback-pause-symbolic",
        VmState::ShuttingDown => "system-shutdown-symbolic",
        VmState::ShutOff => "media-playback-stop-symbolic",
        VmState::Crashed => "dialog-error-symbolic",
        VmState::NoState => "dialog-question-symbolic",
    }
}

/// Why the machine is in its state, when that is worth saying (libvirt's reason codes:
/// virDomainPausedReason, virDomainShutoffReason, virDomainCrashedReason).
pub fn reason(state: VmState, reason: i32) -> Option<String> {
    let text = match (state, reason) {
        (VmState::Paused, 0) => gettext(
            "Paused by the hypervisor for an unknown reason. The machine's log may say why; Force Off and start it again if Resume does not help.",
        ),
        (VmState::Paused, 1) => gettext("Paused by you."),
        (VmState::Paused, 2) => gettext("Paused while moving to another host."),
        (VmState::Paused, 3) | (VmState::Paused, 4) => gettext("Paused while its memory is saved."),
        (VmState::Paused, 5) => gettext(
            "Paused because a disk could not be read or written, often because the disk holding its image is full. Free some space, then resume.",
        ),
        (VmState::Paused, 6) => gettext("Paused by its watchdog device."),
        (VmState::Paused, 7) | (VmState::Paused, 9) => gettext("Paused while a snapshot is taken or restored."),
        (VmState::Paused, 8) => gettext("Paused while shutting down."),
        (VmState::Paused, 10) => gettext("Paused because the guest system crashed."),
        (VmState::Paused, 11) => gettext("Paused while starting."),
        (VmState::ShutOff, 1) => gettext("The guest shut itself down."),
        (VmState::ShutOff, 2) => gettext("Forced off."),
        (VmState::ShutOff, 3) => gettext("Stopped after a crash."),
        (VmState::ShutOff, 5) => gettext("Saved: starting it restores where it was."),
        (VmState::ShutOff, 6) => gettext("It failed to start. The machine's log says why."),
        (VmState::ShutOff, 8) => gettext("Stopped when the libvirt service restarted."),
        (VmState::Crashed, 1) => gettext("The guest system panicked (the equivalent of a blue screen)."),
        (VmState::Crashed, _) => gettext("The hypervisor process ended unexpectedly."),
        (VmState::Suspended, _) => gettext("The guest put itself to sleep."),
        _ => return None,
    };
    Some(text)
}

/// Memory in KiB as a short human figure ("1.5 GiB").
pub fn memory(kib: u64) -> String {
    let mib = kib as f64 / 1024.0;
    if mib >= 1024.0 {
        format!("{:.1} GiB", mib / 1024.0)
    } else {
        format!("{mib:.0} MiB")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_for_states_and_reasons() {
        assert_eq!(label(VmState::Running), "Running");
        assert_eq!(label(VmState::ShutOff), "Shut off");
        assert!(reason(VmState::Paused, 5).unwrap().contains("disk"));
        assert!(reason(VmState::Running, 1).is_none());
        assert_eq!(memory(2 * 1024 * 1024), "2.0 GiB");
        assert_eq!(memory(512 * 1024), "512 MiB");
    }
}
