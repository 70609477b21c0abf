//! Shared folders with virtiofs: a folder of this computer appears inside the machine.
//!
//! virtiofs needs the machine's memory to be shared with the helper program (virtiofsd) that
//! serves the folder, so Bilik adds `<memoryBacking><source type='memfd'/><access
//! mode='shared'/></memoryBacking>` besides the `<filesystem>` device. Memory backing only
//! changes while the machine is off; the XML is edited in place (see [`super::xml_edit`]).

use std::path::Path;

use super::xml_edit::{escape_attr, EditError, XmlDoc};

/// One shared folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Share {
    /// The name the guest mounts (`mount -t virtiofs TAG /mnt/TAG`).
    pub tag: String,
    /// The folder on this computer.
    pub dir: String,
}

/// What stops virtiofs on this host or connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gap {
    /// The hypervisor does not offer virtiofs filesystems.
    NoVirtiofs,
    /// It cannot share memory through memfd.
    NoMemfd,
    /// virtiofsd is not installed.
    NoVirtiofsd,
    /// Session connections need libvirt 10.0 or newer for virtiofs.
    OldLibvirtForSession,
}

/// What the host can do, from `virsh domcapabilities` XML.
pub fn gaps(domcaps: &str, libvirt_version: u32, session: bool, local: bool) -> Vec<Gap> {
    let mut out = Vec::new();
    let doc = roxmltree::Document::parse(domcaps).ok();
    let has_value = |element: &str, value: &str| {
        doc.as_ref().is_some_and(|d| {
            d.descendants()
                .filter(|n| n.has_tag_name(element))
                .any(|n| {
                    n.descendants()
                        .any(|v| v.has_tag_name("value") && v.text() == Some(value))
                })
        })
    };
    if !has_value("filesystem", "virtiofs") {
        out.push(Gap::NoVirtiofs);
    }
    if !has_value("memoryBacking", "memfd") {
        out.push(Gap::NoMemfd);
    }
    // Only checkable for this computer; a remote host reports through domcapabilities.
    if local
        && ![
            "/usr/libexec/virtiofsd",
            "/usr/lib/qemu/virtiofsd",
            "/usr/bin/virtiofsd",
        ]
        .iter()
        .any(|p| Path::new(p).exists())
    {
        out.push(Gap::NoVirtiofsd);
    }
    if session && libvirt_version < 10_000_000 {
        out.push(Gap::OldLibvirtForSession);
    }
    out
}

/// The virtiofs shares of a domain XML.
pub fn shares(xml: &str) -> Vec<Share> {
    let Ok(doc) = roxmltree::Document::parse(xml) else {
        return Vec::new();
    };
    doc.descendants()
        .filter(|n| n.has_tag_name("filesystem"))
        .filter(|n| {
            n.children()
                .any(|c| c.has_tag_name("driver") && c.attribute("type") == Some("virtiofs"))
        })
        .filter_map(|n| {
            let child = |name: &str, attr: &str| {
                n.children()
                    .find(|c| c.has_tag_name(name))
                    .and_then(|c| c.attribute(attr))
                    .map(str::to_string)
            };
            Some(Share {
                tag: child("target", "dir")?,
                dir: child("source", "dir")?,
            })
        })
        .collect()
}

/// Whether the machine's memory is shared (virtiofs can then be added while it runs).
pub fn has_shared_memory(xml: &str) -> bool {
    roxmltree::Document::parse(xml).is_ok_and(|d| {
        d.descendants()
            .filter(|n| n.has_tag_name("memoryBacking"))
            .any(|mb| {
                mb.children()
                    .any(|c| c.has_tag_name("access") && c.attribute("mode") == Some("shared"))
            })
    })
}

/// A tag for a folder: its name, lowercased, letters, digits, `-` and `_` only, unique.
pub fn suggest_tag(dir: &Path, existing: &[Share]) -> String {
    let base: String = dir
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let base = if base.trim_matches('_').is_empty() {
        "shared".to_string()
    } else {
        base
    };
    let taken = |t: &str| existing.iter().any(|s| s.tag == t);
    if !taken(&base) {
        return base;
    }
    (2..)
        .map(|i| format!("{base}{i}"))
        .find(|t| !taken(t))
        .expect("a free tag")
}

/// Whether a tag is usable: non-empty, at most 36 bytes, no spaces or slashes.
pub fn valid_tag(tag: &str) -> bool {
    !tag.is_empty()
        && tag.len() <= 36
        && tag
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
}

/// The `<filesystem>` device for a share.
pub fn filesystem_xml(share: &Share) -> String {
    format!(
        "<filesystem type='mount' accessmode='passthrough'><driver type='virtiofs'/><source dir='{}'/><target dir='{}'/></filesystem>",
        escape_attr(&share.dir),
        escape_attr(&share.tag)
    )
}

/// Adds a share to a persistent definition: shared memory (if not there yet) and the device.
pub fn add_share(persistent: &str, share: &Share) -> Result<String, EditError> {
    let mut d = XmlDoc::new(persistent)?;
    if !d.exists(&["memoryBacking"]) {
        d.append_child(
            &["domain"],
            "<memoryBacking><source type='memfd'/><access mode='shared'/></memoryBacking>",
        )?;
    } else {
        // Keep what is there (hugepages, a file source…); memory only needs to be shared.
        d.ensure_child(&["memoryBacking"], "access", "<access mode='shared'/>")?;
        d.set_attr(&["memoryBacking", "access"], "mode", "shared")?;
        d.ensure_child(&["memoryBacking"], "source", "<source type='memfd'/>")?;
    }
    d.append_child(&["devices"], &filesystem_xml(share))?;
    Ok(d.into_text())
}

/// Removes the share `tag`; with `drop_shared_memory`, also the memory backing Bilik added
/// (only when no virtiofs share is left).
pub fn remove_share(
    persistent: &str,
    tag: &str,
    drop_shared_memory: bool,
) -> Result<String, EditError> {
    let mut d = XmlDoc::new(persistent)?;
    d.remove_child_where(&["devices"], "filesystem", |n| {
        n.children()
            .any(|c| c.has_tag_name("target") && c.attribute("dir") == Some(tag))
    })?;
    if drop_shared_memory && shares(d.text()).is_empty() {
        // Only a backing exactly like Bilik's: anything more (hugepages…) was someone's choice.
        let plain = roxmltree::Document::parse(d.text()).is_ok_and(|doc| {
            doc.descendants()
                .find(|n| n.has_tag_name("memoryBacking"))
                .is_some_and(|mb| {
                    mb.children()
                        .filter(|c| c.is_element())
                        .all(|c| c.has_tag_name("source") || c.has_tag_name("access"))
                })
        });
        if plain {
            d.remove(&["memoryBacking"])?;
        }
    }
    Ok(d.into_text())
}

/// What to type inside a Linux guest to mount the share, and the /etc/fstab line.
pub fn guest_commands(tag: &str) -> (String, String) {
    (
        format!("sudo mkdir -p /mnt/{tag} && sudo mount -t virtiofs {tag} /mnt/{tag}"),
        format!("{tag} /mnt/{tag} virtiofs defaults 0 0"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOM: &str = "<domain type='kvm'>
  <name>a</name>
  <memory unit='MiB'>64</memory>
  <devices>
    <graphics type='spice'/>
  </devices>
</domain>
";

    #[test]
    fn add_then_remove_restores_the_definition() {
        let share = Share {
            tag: "docs".into(),
            dir: "/home/me/My Docs & more".into(),
        };
        let x = add_share(DOM, &share).unwrap();
        assert!(has_shared_memory(&x));
        assert_eq!(shares(&x), std::slice::from_ref(&share));
        assert!(x.contains("source dir='/home/me/My Docs &amp; more'"));
        let back = remove_share(&x, "docs", true).unwrap();
        assert_eq!(back, DOM);
        // Without dropping, the shared memory stays.
        assert!(has_shared_memory(&remove_share(&x, "docs", false).unwrap()));
    }

    #[test]
    fn tags_and_gaps() {
        let one = [Share {
            tag: "docs".into(),
            dir: "/d".into(),
        }];
        assert_eq!(suggest_tag(Path::new("/home/me/Docs"), &one), "docs2");
        assert_eq!(suggest_tag(Path::new("/home/me/My Files"), &[]), "my_files");
        assert!(valid_tag("my_files") && !valid_tag("a b") && !valid_tag(""));
        let caps = "<domainCapabilities><memoryBacking><enum name='sourceType'><value>memfd</value></enum></memoryBacking>\
            <devices><filesystem><enum name='driverType'><value>virtiofs</value></enum></filesystem></devices></domainCapabilities>";
        assert!(!gaps(caps, 11_003_000, true, false).contains(&Gap::NoVirtiofs));
        assert_eq!(
            gaps(caps, 9_000_000, true, false),
            [Gap::OldLibvirtForSession]
        );
        assert_eq!(
            gaps("<domainCapabilities/>", 11_000_000, false, false),
            [Gap::NoVirtiofs, Gap::NoMemfd]
        );
        assert_eq!(
            guest_commands("docs").1,
            "docs /mnt/docs virtiofs defaults 0 0"
        );
    }
}
