//! Consoles: Bilik shows a machine's screen with virt-viewer, as a separate process started
//! from an argument vector (never a shell). For local connections `--attach` makes libvirt
//! hand virt-viewer the display socket, so SPICE needs no network listener.

use std::path::Path;

use super::uri;

/// How to open a console.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsoleOptions {
    pub fullscreen: bool,
    /// virt-viewer hotkey syntax, e.g. `shift+f11`.
    pub toggle_fullscreen: String,
    /// e.g. `ctrl+alt`.
    pub release_cursor: String,
}

impl Default for ConsoleOptions {
    fn default() -> Self {
        ConsoleOptions {
            fullscreen: false,
            toggle_fullscreen: "shift+f11".into(),
            release_cursor: "ctrl+alt".into(),
        }
    }
}

/// The viewer programs Bilik can use, in order of preference.
pub const VIEWERS: &[&str] = &["/usr/bin/virt-viewer"];

/// Whether virt-viewer is installed (on the host, when Bilik runs in a Flatpak sandbox).
pub fn viewer_installed() -> bool {
    in_flatpak() || VIEWERS.iter().any(|p| Path::new(p).exists())
}

fn in_flatpak() -> bool {
    Path::new("/.flatpak-info").exists()
}

/// Checks a hotkey in virt-viewer's syntax: modifiers and one key joined by `+`.
pub fn valid_hotkey(s: &str) -> bool {
    let parts: Vec<&str> = s.split('+').collect();
    !s.is_empty()
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        && parts.len() <= 4
}

/// The argument vector that opens the console of the machine `uuid` on `conn_uri`.
pub fn viewer_argv(conn_uri: &str, uuid: &str, opts: &ConsoleOptions) -> Vec<String> {
    let mut argv = Vec::new();
    if in_flatpak() {
        // virt-viewer is not in the sandbox: run the host's (see flatpak/README.md).
        argv.extend(["flatpak-spawn".to_string(), "--host".to_string()]);
    }
    argv.extend([
        "virt-viewer".to_string(),
        "--connect".to_string(),
        conn_uri.to_string(),
        // Waits for the machine to start if it is not running yet, and reconnects when it
        // reboots.
        "--wait".to_string(),
        "--reconnect".to_string(),
    ]);
    if uri::parse(conn_uri).is_ok_and(|u| u.is_local()) {
        argv.push("--attach".to_string());
    }
    if opts.fullscreen {
        argv.push("--full-screen".to_string());
    }
    let mut hotkeys = Vec::new();
    if valid_hotkey(&opts.toggle_fullscreen) {
        hotkeys.push(format!("toggle-fullscreen={}", opts.toggle_fullscreen));
    }
    if valid_hotkey(&opts.release_cursor) {
        hotkeys.push(format!("release-cursor={}", opts.release_cursor));
    }
    if !hotkeys.is_empty() {
        argv.push(format!("--hotkeys={}", hotkeys.join(",")));
    }
    // The UUID, after "--": a machine name can never be read as an option.
    argv.extend(["--".to_string(), uuid.to_string()]);
    argv
}

/// What a console needs to know about the machine, read from its live XML.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DisplayInfo {
    /// The machine has a graphical display (SPICE or VNC).
    pub has_graphics: bool,
    pub spice: bool,
    /// The SPICE agent channel: None when the machine has none; Some(connected) otherwise.
    pub spice_agent: Option<bool>,
    /// The qemu guest agent channel, likewise.
    pub guest_agent: Option<bool>,
}

/// A new connection to the graphical console of machine `uuid` (its first SPICE or VNC
/// display), handed over by libvirt as a file descriptor: Bilik's own console needs no
/// listening port and no password (`virDomainOpenGraphicsFD`, local connections only: a
/// descriptor cannot travel over ssh). Each SPICE channel takes one.
pub fn graphics_fd(
    conn: &virt::connect::Connect,
    uuid: &str,
) -> Result<std::os::fd::OwnedFd, super::BackendError> {
    use std::os::fd::FromRawFd;
    let dom = conn
        .lookup_domain_by_uuid_string(uuid)
        .map_err(|e| super::BackendError::from_read(&e))?;
    let fd = dom
        .open_graphics_fd(0, virt::sys::VIR_DOMAIN_OPEN_GRAPHICS_SKIPAUTH)
        .map_err(|e| super::BackendError::from_op(&e))?;
    // SAFETY: libvirt gives us a new descriptor that nothing else owns.
    Ok(unsafe { std::os::fd::OwnedFd::from_raw_fd(fd as i32) })
}

/// Reads [`DisplayInfo`] from a domain XML.
/// What a console of machine `uuid` needs, read from its live definition.
pub fn display(
    conn: &virt::connect::Connect,
    uuid: &str,
) -> Result<DisplayInfo, super::BackendError> {
    let read = |e: virt::error::Error| super::BackendError::from_read(&e);
    let xml = conn
        .lookup_domain_by_uuid_string(uuid)
        .map_err(read)?
        .xml_desc(0)
        .map_err(read)?;
    Ok(display_info(&xml))
}

pub fn display_info(xml: &str) -> DisplayInfo {
    let Ok(doc) = roxmltree::Document::parse(xml) else {
        return DisplayInfo::default();
    };
    let graphics: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("graphics"))
        .collect();
    let channel_state = |name: &str| {
        doc.descendants()
            .filter(|n| n.has_tag_name("channel"))
            .find_map(|ch| {
                let target = ch.children().find(|c| c.has_tag_name("target"))?;
                (target.attribute("name") == Some(name))
                    .then(|| target.attribute("state") == Some("connected"))
            })
    };
    DisplayInfo {
        has_graphics: graphics
            .iter()
            .any(|g| matches!(g.attribute("type"), Some("spice") | Some("vnc"))),
        spice: graphics
            .iter()
            .any(|g| g.attribute("type") == Some("spice")),
        spice_agent: channel_state("com.redhat.spice.0"),
        guest_agent: channel_state("org.qemu.guest_agent.0"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argv_for_local_and_remote() {
        let o = ConsoleOptions::default();
        let a = viewer_argv("qemu:///system", "6695eb01-f6a4-8304-79aa-000000000000", &o);
        assert_eq!(
            a,
            [
                "virt-viewer",
                "--connect",
                "qemu:///system",
                "--wait",
                "--reconnect",
                "--attach",
                "--hotkeys=toggle-fullscreen=shift+f11,release-cursor=ctrl+alt",
                "--",
                "6695eb01-f6a4-8304-79aa-000000000000"
            ]
        );
        let fs = ConsoleOptions {
            fullscreen: true,
            toggle_fullscreen: "bad key!".into(),
            ..o
        };
        let a = viewer_argv("qemu+ssh://me@host/system", "u", &fs);
        assert!(!a.contains(&"--attach".to_string()), "remote: no --attach");
        assert!(a.contains(&"--full-screen".to_string()));
        assert!(a.contains(&"--hotkeys=release-cursor=ctrl+alt".to_string()));
    }

    #[test]
    fn agent_states_from_xml() {
        let xml = "<domain><devices>\
            <graphics type='spice'/>\
            <channel type='spicevmc'><target type='virtio' name='com.redhat.spice.0' state='connected'/></channel>\
            <channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0' state='disconnected'/></channel>\
            </devices></domain>";
        let d = display_info(xml);
        assert!(d.has_graphics && d.spice);
        assert_eq!(d.spice_agent, Some(true));
        assert_eq!(d.guest_agent, Some(false));
        let d = display_info("<domain><devices/></domain>");
        assert_eq!(d, DisplayInfo::default());
        assert!(valid_hotkey("ctrl+alt") && valid_hotkey("shift+f11") && !valid_hotkey("ctrl+"));
    }
}
