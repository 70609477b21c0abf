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
    /// "My user session": the user has no subordinate user or group IDs (/etc/subuid,
    /// /etc/subgid), which virtiofsd needs when it runs as that user.
    NoSubordinateIds,
    /// "My user session": newuidmap / newgidmap (package uidmap) are missing.
    NoNewuidmap,
    /// "My user session": this computer does not let a program make a user namespace (a
    /// chroot or container, or a desktop that restricts them), so virtiofsd cannot run as
    /// the user.
    NoUserNamespace,
}

/// How an unprivileged virtiofsd maps IDs (libvirt's `<idmap>` for session machines): the
/// guest's root is the user, every other ID one of the user's subordinate IDs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdMap {
    pub uid: u32,
    pub gid: u32,
    /// First subordinate uid and how many (from /etc/subuid).
    pub subuid: (u32, u32),
    /// First subordinate gid and how many (from /etc/subgid).
    pub subgid: (u32, u32),
}

impl IdMap {
    /// The `<idmap>` element libvirt passes to virtiofsd as its uid/gid maps.
    pub fn xml(&self) -> String {
        // The guest's IDs 1… are the subordinate range, at most 65535 of them (the usual
        // size of a range, and all a guest's regular users need).
        let n = |c: u32| c.min(65535);
        format!(
            "<idmap><uid start='0' target='{}' count='1'/><uid start='1' target='{}' count='{}'/>\
             <gid start='0' target='{}' count='1'/><gid start='1' target='{}' count='{}'/></idmap>",
            self.uid,
            self.subuid.0,
            n(self.subuid.1),
            self.gid,
            self.subgid.0,
            n(self.subgid.1)
        )
    }
}

/// The first subordinate range of a user in /etc/subuid or /etc/subgid text (lines
/// `name-or-id:start:count`).
pub fn subordinate_range(text: &str, user: &str, id: u32) -> Option<(u32, u32)> {
    text.lines().find_map(|l| {
        let mut f = l.trim().split(':');
        let (who, start, count) = (f.next()?, f.next()?, f.next()?);
        if who != user && who.parse::<u32>().ok() != Some(id) {
            return None;
        }
        let (start, count) = (start.parse().ok()?, count.parse::<u32>().ok()?);
        (count > 0).then_some((start, count))
    })
}

/// Whether this process may make a user namespace: tried for real in a child process
/// (unshare(2) in a multi-threaded process is refused), which then runs `true`.
pub fn user_namespace_works() -> bool {
    use std::os::unix::process::CommandExt;
    let mut cmd = std::process::Command::new("true");
    cmd.stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    // SAFETY: unshare(2) is a plain system call, safe between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            if libc::unshare(libc::CLONE_NEWUSER) == 0 {
                Ok(())
            } else {
                Err(std::io::Error::last_os_error())
            }
        });
    }
    match cmd.status() {
        Ok(s) => s.success(),
        Err(e) => {
            log::debug!("no user namespace for virtiofsd: {e}");
            false
        }
    }
}

/// What an unprivileged virtiofsd needs on this computer, checked for the current user
/// (a local "My user session"): the ID map to write, or what is missing.
pub fn session_idmap() -> Result<IdMap, Vec<Gap>> {
    // SAFETY: getuid/getgid cannot fail.
    let (uid, gid) = unsafe { (libc::getuid(), libc::getgid()) };
    let user = std::env::var("USER")
        .ok()
        .or_else(|| {
            let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
            passwd.lines().find_map(|l| {
                let f: Vec<&str> = l.split(':').collect();
                (f.len() > 2 && f[2].parse::<u32>().ok() == Some(uid)).then(|| f[0].to_string())
            })
        })
        .unwrap_or_default();
    let read = |p: &str| std::fs::read_to_string(p).unwrap_or_default();
    let subuid = subordinate_range(&read("/etc/subuid"), &user, uid);
    let subgid = subordinate_range(&read("/etc/subgid"), &user, gid);
    let mut gaps = Vec::new();
    if subuid.is_none() || subgid.is_none() {
        gaps.push(Gap::NoSubordinateIds);
    }
    if ![
        "/usr/bin/newuidmap",
        "/bin/newuidmap",
        "/usr/sbin/newuidmap",
    ]
    .iter()
    .any(|p| Path::new(p).exists())
    {
        gaps.push(Gap::NoNewuidmap);
    }
    if !user_namespace_works() {
        gaps.push(Gap::NoUserNamespace);
    }
    match (subuid, subgid) {
        (Some(subuid), Some(subgid)) if gaps.is_empty() => Ok(IdMap {
            uid,
            gid,
            subuid,
            subgid,
        }),
        _ => Err(gaps),
    }
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

/// The `<filesystem>` device for a share; `idmap` for a session machine.
pub fn filesystem_xml(share: &Share, idmap: Option<&IdMap>) -> String {
    format!(
        "<filesystem type='mount' accessmode='passthrough'><driver type='virtiofs'/>{}<source dir='{}'/><target dir='{}'/></filesystem>",
        idmap.map(IdMap::xml).unwrap_or_default(),
        escape_attr(&share.dir),
        escape_attr(&share.tag)
    )
}

/// Adds a share to a persistent definition: shared memory (if not there yet) and the device
/// (with `idmap` on a session connection).
pub fn add_share(
    persistent: &str,
    share: &Share,
    idmap: Option<&IdMap>,
) -> Result<String, EditError> {
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
    d.append_child(&["devices"], &filesystem_xml(share, idmap))?;
    set_aside_remove(&mut d, &share.tag)?;
    Ok(d.into_text())
}

/// Removes the share `tag` (active or set aside); with `drop_shared_memory`, also the memory backing Bilik added
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
    set_aside_remove(&mut d, tag)?;
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

/// Bilik's namespace in a machine's `<metadata>` for shares set aside to let it start.
/// (libvirt keeps one element per namespace there: each note has its own.)
pub const METADATA_NS: &str = "https://bilik.github.io/xmlns/shares/1";

/// Bilik's note that the machine has a generic processor because this computer's own
/// model could not be used (see `new_vm`).
pub const CPU_NOTE_NS: &str = "https://bilik.github.io/xmlns/cpu/1";

/// Shares set aside ("Start without the shared folders"): kept in the machine's metadata,
/// not in its devices, so the machine starts; the panel offers to share them again.
pub fn set_aside_shares(xml: &str) -> Vec<Share> {
    let Ok(doc) = roxmltree::Document::parse(xml) else {
        return Vec::new();
    };
    doc.descendants()
        .filter(|n| n.has_tag_name((METADATA_NS, "share")))
        .filter_map(|n| {
            Some(Share {
                tag: n.attribute("tag")?.to_string(),
                dir: n.attribute("dir")?.to_string(),
            })
        })
        .collect()
}

/// Writes the set-aside list into `<metadata>` (removing Bilik's element, and a
/// `<metadata>` left empty, when the list is empty).
fn write_set_aside(d: &mut XmlDoc, list: &[Share]) -> Result<(), EditError> {
    let ours = |n: roxmltree::Node| n.tag_name().namespace() == Some(METADATA_NS);
    if d.exists(&["metadata"]) {
        d.remove_child_where(&["metadata"], "shares", ours)?;
    }
    if list.is_empty() {
        let empty = roxmltree::Document::parse(d.text()).is_ok_and(|doc| {
            doc.root_element()
                .children()
                .find(|n| n.has_tag_name("metadata"))
                .is_some_and(|m| !m.children().any(|c| c.is_element()))
        });
        if empty {
            d.remove(&["metadata"])?;
        }
        return Ok(());
    }
    let items: String = list
        .iter()
        .map(|s| {
            format!(
                "<bilik:share tag='{}' dir='{}'/>",
                escape_attr(&s.tag),
                escape_attr(&s.dir)
            )
        })
        .collect();
    if !d.exists(&["metadata"]) {
        d.append_child(&["domain"], "<metadata/>")?;
    }
    d.append_child(
        &["metadata"],
        &format!("<bilik:shares xmlns:bilik='{METADATA_NS}'>{items}</bilik:shares>"),
    )
}

/// Drops `tag` from the set-aside list (it is shared again, or no longer wanted).
fn set_aside_remove(d: &mut XmlDoc, tag: &str) -> Result<(), EditError> {
    let list = set_aside_shares(d.text());
    if list.iter().any(|s| s.tag == tag) {
        let rest: Vec<Share> = list.into_iter().filter(|s| s.tag != tag).collect();
        write_set_aside(d, &rest)?;
    }
    Ok(())
}

/// Sets every virtiofs share aside: the devices leave the definition (with the shared
/// memory Bilik added for them) and are kept in Bilik's metadata, so the machine can start.
pub fn set_aside_all(persistent: &str) -> Result<String, EditError> {
    let active = shares(persistent);
    let mut text = persistent.to_string();
    for s in &active {
        text = remove_share(&text, &s.tag, true)?;
    }
    let mut d = XmlDoc::new(text)?;
    let mut list = set_aside_shares(d.text());
    list.extend(active);
    write_set_aside(&mut d, &list)?;
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
        let x = add_share(DOM, &share, None).unwrap();
        assert!(has_shared_memory(&x));
        assert_eq!(shares(&x), std::slice::from_ref(&share));
        assert!(x.contains("source dir='/home/me/My Docs &amp; more'"));
        let back = remove_share(&x, "docs", true).unwrap();
        assert_eq!(back, DOM);
        // Without dropping, the shared memory stays.
        assert!(has_shared_memory(&remove_share(&x, "docs", false).unwrap()));
    }

    #[test]
    fn session_shares_carry_the_idmap() {
        let map = IdMap {
            uid: 1000,
            gid: 1000,
            subuid: (100000, 65536),
            subgid: (200000, 65536),
        };
        let share = Share {
            tag: "dl".into(),
            dir: "/home/me/Downloads".into(),
        };
        let x = add_share(DOM, &share, Some(&map)).unwrap();
        let doc = roxmltree::Document::parse(&x).unwrap();
        let ids: Vec<(&str, &str, &str, &str)> = doc
            .descendants()
            .filter(|n| n.has_tag_name("uid") || n.has_tag_name("gid"))
            .map(|n| {
                (
                    n.tag_name().name(),
                    n.attribute("start").unwrap(),
                    n.attribute("target").unwrap(),
                    n.attribute("count").unwrap(),
                )
            })
            .collect();
        assert_eq!(
            ids,
            [
                ("uid", "0", "1000", "1"),
                ("uid", "1", "100000", "65535"),
                ("gid", "0", "1000", "1"),
                ("gid", "1", "200000", "65535")
            ]
        );
        assert_eq!(shares(&x), [share]);
    }

    #[test]
    fn subordinate_ranges_by_name_or_id() {
        let text = "root:100000:65536\nbilik:165536:65536\n1001:231072:0\n";
        assert_eq!(
            subordinate_range(text, "bilik", 1000),
            Some((165536, 65536))
        );
        assert_eq!(subordinate_range(text, "x", 0), None);
        // A range of 0 IDs is no range.
        assert_eq!(subordinate_range(text, "y", 1001), None);
        assert_eq!(subordinate_range("1002:5:10", "z", 1002), Some((5, 10)));
    }

    #[test]
    fn set_aside_and_share_again() {
        let share = Share {
            tag: "dl".into(),
            dir: "/home/me/Down & loads".into(),
        };
        let with = add_share(DOM, &share, None).unwrap();
        let aside = set_aside_all(&with).unwrap();
        assert!(shares(&aside).is_empty() && !has_shared_memory(&aside));
        assert_eq!(set_aside_shares(&aside), std::slice::from_ref(&share));
        // Sharing it again takes it off the set-aside list: the definition is as with it.
        assert_eq!(add_share(&aside, &share, None).unwrap(), with);
        // "Stop sharing" on a set-aside share forgets it.
        assert_eq!(remove_share(&aside, "dl", true).unwrap(), DOM);
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
