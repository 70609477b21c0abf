//! A machine's "Clipboard & display" settings: the SPICE agent channel (copy-paste,
//! automatic resolution), the qemu guest agent channel, and the SPICE clipboard and
//! file-transfer switches. Read from the XML; changed by editing the persistent XML in place
//! (see [`super::xml_edit`]), so nothing else in the definition changes.

use super::xml_edit::{EditError, XmlDoc};

const SPICE_AGENT: &str = "com.redhat.spice.0";
const GUEST_AGENT: &str = "org.qemu.guest_agent.0";
const LIBOSINFO_NS: &str = "http://libosinfo.org/xmlns/libvirt/domain/1.0";

/// What the settings page shows.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AgentSettings {
    /// The machine has a SPICE display (the switches apply to it).
    pub has_spice: bool,
    /// Copy-paste between this computer and the machine (SPICE default: on).
    pub copypaste: bool,
    /// Dragging files into the console (SPICE default: on).
    pub filetransfer: bool,
    /// The SPICE agent channel: None = no channel; Some(connected) from the live XML.
    pub spice_agent: Option<bool>,
    pub guest_agent: Option<bool>,
    /// The guest OS from libosinfo metadata, e.g. `http://debian.org/debian/12`.
    pub os_id: Option<String>,
}

fn yes(v: Option<&str>) -> bool {
    v != Some("no")
}

/// Reads the settings: switches and channels from the persistent definition, agent states
/// from the running one (`live` may equal `persistent` for a stopped machine).
pub fn read(live: &str, persistent: &str) -> AgentSettings {
    let mut s = AgentSettings::default();
    let Ok(doc) = roxmltree::Document::parse(persistent) else {
        return s;
    };
    let spice = doc
        .descendants()
        .find(|n| n.has_tag_name("graphics") && n.attribute("type") == Some("spice"));
    s.has_spice = spice.is_some();
    s.copypaste = spice.is_some_and(|g| {
        yes(g
            .children()
            .find(|c| c.has_tag_name("clipboard"))
            .and_then(|c| c.attribute("copypaste")))
    });
    s.filetransfer = spice.is_some_and(|g| {
        yes(g
            .children()
            .find(|c| c.has_tag_name("filetransfer"))
            .and_then(|c| c.attribute("enable")))
    });
    s.os_id = doc
        .descendants()
        .find(|n| n.tag_name().name() == "os" && n.tag_name().namespace() == Some(LIBOSINFO_NS))
        .and_then(|n| n.attribute("id"))
        .map(str::to_string);
    let live_info = super::console::display_info(live);
    let defined = super::console::display_info(persistent);
    s.spice_agent = defined
        .spice_agent
        .map(|_| live_info.spice_agent.unwrap_or(false));
    s.guest_agent = defined
        .guest_agent
        .map(|_| live_info.guest_agent.unwrap_or(false));
    s
}

/// Sets SPICE's copy-and-paste switch in `persistent` XML, and nothing else: off writes
/// `<clipboard copypaste='no'/>`; on removes it again (on is libvirt's default), so that
/// off and on again gives back the definition as it was.
pub fn set_copypaste(persistent: &str, on: bool) -> Result<String, EditError> {
    set_switch(persistent, "clipboard", "copypaste", on)
}

/// Sets SPICE's file-transfer switch in `persistent` XML, as [`set_copypaste`] does.
pub fn set_filetransfer(persistent: &str, on: bool) -> Result<String, EditError> {
    set_switch(persistent, "filetransfer", "enable", on)
}

/// `<graphics type='spice'><ELEMENT ATTR='no'/>` when off; the element gone when on (when
/// it holds nothing else: an element with more in it keeps it, with ATTR='yes').
fn set_switch(persistent: &str, element: &str, attr: &str, on: bool) -> Result<String, EditError> {
    let mut d = XmlDoc::new(persistent)?;
    let g = ["devices", "graphics[type=spice]"];
    let path = ["devices", "graphics[type=spice]", element];
    if on {
        let only_the_switch = |n: roxmltree::Node| {
            n.attributes().all(|a| a.name() == attr) && !n.children().any(|c| c.is_element())
        };
        if !d.remove_child_where(
            &["domain", "devices", "graphics[type=spice]"],
            element,
            only_the_switch,
        )? && d.exists(&path)
        {
            d.set_attr(&path, attr, "yes")?;
        }
    } else {
        d.ensure_child(&g, element, &format!("<{element} {attr}='no'/>"))?;
        d.set_attr(&path, attr, "no")?;
    }
    Ok(d.into_text())
}

/// Adds the SPICE agent and qemu guest agent channels where missing.
pub fn add_agent_channels(persistent: &str) -> Result<String, EditError> {
    let mut d = XmlDoc::new(persistent)?;
    let info = super::console::display_info(persistent);
    if info.spice && info.spice_agent.is_none() {
        d.append_child(
            &["devices"],
            &format!(
                "<channel type='spicevmc'><target type='virtio' name='{SPICE_AGENT}'/></channel>"
            ),
        )?;
    }
    if info.guest_agent.is_none() {
        d.append_child(
            &["devices"],
            &format!("<channel type='unix'><target type='virtio' name='{GUEST_AGENT}'/></channel>"),
        )?;
    }
    Ok(d.into_text())
}

/// How to install the SPICE agent in the guest, by its OS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GuestInstall {
    Apt,
    Dnf,
    Zypper,
    Pacman,
    Windows,
    Unknown,
}

impl GuestInstall {
    /// From a libosinfo OS id (`http://debian.org/debian/12`, `http://fedoraproject.org/fedora/40`…).
    pub fn for_os(os_id: Option<&str>) -> GuestInstall {
        let Some(id) = os_id else {
            return GuestInstall::Unknown;
        };
        let id = id.to_ascii_lowercase();
        if id.contains("debian") || id.contains("ubuntu") || id.contains("mint") {
            GuestInstall::Apt
        } else if id.contains("fedora")
            || id.contains("redhat")
            || id.contains("centos")
            || id.contains("rocky")
            || id.contains("almalinux")
        {
            GuestInstall::Dnf
        } else if id.contains("opensuse") || id.contains("suse") {
            GuestInstall::Zypper
        } else if id.contains("archlinux") || id.contains("manjaro") {
            GuestInstall::Pacman
        } else if id.contains("microsoft.com/win") {
            GuestInstall::Windows
        } else {
            GuestInstall::Unknown
        }
    }

    /// The command to run inside the guest (None for Windows: an installer to download).
    pub fn command(self) -> Option<&'static str> {
        match self {
            GuestInstall::Apt => Some("sudo apt install spice-vdagent qemu-guest-agent"),
            GuestInstall::Dnf => Some("sudo dnf install spice-vdagent qemu-guest-agent"),
            GuestInstall::Zypper => Some("sudo zypper install spice-vdagent qemu-guest-agent"),
            GuestInstall::Pacman => Some("sudo pacman -S spice-vdagent qemu-guest-agent"),
            GuestInstall::Windows | GuestInstall::Unknown => None,
        }
    }
}

/// Machine `uuid`'s clipboard and agent settings, from both of its definitions.
pub fn settings(
    conn: &virt::connect::Connect,
    uuid: &str,
) -> Result<AgentSettings, super::BackendError> {
    let failed = |e: virt::error::Error| super::BackendError::from_read(&e);
    let dom = conn.lookup_domain_by_uuid_string(uuid).map_err(failed)?;
    let persistent = dom
        .xml_desc(virt::sys::VIR_DOMAIN_XML_INACTIVE)
        .map_err(failed)?;
    let live = dom.xml_desc(0).map_err(failed)?;
    Ok(read(&live, &persistent))
}

/// The Copy and paste and File transfer switches the running machine has now (its live
/// definition: a change made since waits for its next start).
pub fn live_switches(
    conn: &virt::connect::Connect,
    uuid: &str,
) -> Result<(bool, bool), super::BackendError> {
    let failed = |e: virt::error::Error| super::BackendError::from_read(&e);
    let dom = conn.lookup_domain_by_uuid_string(uuid).map_err(failed)?;
    let live = dom.xml_desc(0).map_err(failed)?;
    let s = read(&live, &live);
    Ok((s.copypaste, s.filetransfer))
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOM: &str = "<domain type='kvm'>
  <name>a</name>
  <metadata>
    <libosinfo:libosinfo xmlns:libosinfo='http://libosinfo.org/xmlns/libvirt/domain/1.0'>
      <libosinfo:os id='http://debian.org/debian/12'/>
    </libosinfo:libosinfo>
  </metadata>
  <devices>
    <graphics type='spice' autoport='yes'>
      <listen type='address'/>
    </graphics>
  </devices>
</domain>
";

    #[test]
    fn reads_defaults_and_os() {
        let s = read(DOM, DOM);
        assert!(s.has_spice && s.copypaste && s.filetransfer);
        assert_eq!(s.spice_agent, None);
        assert_eq!(s.os_id.as_deref(), Some("http://debian.org/debian/12"));
        assert_eq!(GuestInstall::for_os(s.os_id.as_deref()), GuestInstall::Apt);
        assert_eq!(
            GuestInstall::for_os(Some("http://microsoft.com/win/11")),
            GuestInstall::Windows
        );
    }

    #[test]
    fn switches_and_channels_round_trip() {
        let x = set_copypaste(DOM, false).unwrap();
        let s = read(&x, &x);
        assert!(!s.copypaste && s.filetransfer);
        assert!(
            !x.contains("filetransfer"),
            "only what changed is written: {x}"
        );
        let x = set_copypaste(&x, true).unwrap();
        let x = set_filetransfer(&x, false).unwrap();
        let s = read(&x, &x);
        assert!(s.copypaste && !s.filetransfer);
        assert!(!x.contains("clipboard"), "back on: removed again: {x}");
        // Off and on again: the definition as it was (up to libvirt's formatting).
        let back = set_filetransfer(&x, true).unwrap();
        assert!(
            !back.contains("filetransfer") && !back.contains("clipboard"),
            "{back}"
        );
        let x = add_agent_channels(&x).unwrap();
        let s = read(&x, &x);
        assert_eq!((s.spice_agent, s.guest_agent), (Some(false), Some(false)));
        // Idempotent.
        assert_eq!(add_agent_channels(&x).unwrap(), x);
    }
}
