//! Why a machine did not start, in terms a person can act on.
//!
//! libvirt reports a failed start as QEMU's or a helper's own words (translated where
//! libvirt's translations are installed), so Bilik does not read the message: after a
//! failure it looks at the facts the usual causes leave behind — a disk or ISO that is
//! missing or that the account running the machine cannot read, KVM that cannot be used,
//! shared folders whose helper (virtiofsd) could not start, not enough free memory — and
//! names the first one it finds. The raw message stays under "Details".

use std::path::Path;

use super::image_access;
use super::shared_folders;

/// The first cause found for a failed start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StartProblem {
    /// A disk image or ISO the machine uses does not exist.
    MissingFile(String),
    /// The account that runs the machine (`user`) cannot read `path`; `fix` is the
    /// command (an argument vector) that grants just that, when Bilik knows one.
    Unreadable {
        path: String,
        user: String,
        fix: Option<Vec<String>>,
    },
    /// The machine wants KVM, and KVM cannot be used here (no /dev/kvm, or no access).
    KvmUnusable,
    /// The machine has shared folders, and their helper program did not start (or cannot
    /// run as this user: `gaps`).
    SharedFolders {
        tags: Vec<String>,
        gaps: Vec<shared_folders::Gap>,
    },
    /// The machine wants more memory than this computer has free.
    NotEnoughMemory { needed_mib: u64, available_mib: u64 },
}

/// What the diagnosis looks at, gathered by the worker after the failure.
#[derive(Debug, Clone, Default)]
pub struct StartFacts {
    /// The definition that was started (the persistent one).
    pub xml: String,
    /// The connection is on this computer (files and /dev/kvm can be looked at).
    pub local: bool,
    /// It is a user session (qemu runs as this user, not as the system's qemu user).
    pub session: bool,
    /// Memory this computer can give a new machine (MemAvailable), in MiB.
    pub available_mib: Option<u64>,
    /// For a session: what stops an unprivileged virtiofsd (empty: nothing known).
    pub share_gaps: Vec<shared_folders::Gap>,
}

impl StartFacts {
    /// Gathers what only this computer can tell (for a local connection).
    pub fn gather(xml: String, local: bool, session: bool) -> StartFacts {
        let available_mib = local.then(available_mib).flatten();
        let share_gaps = if local && session && !shared_folders::shares(&xml).is_empty() {
            shared_folders::session_idmap().err().unwrap_or_default()
        } else {
            Vec::new()
        };
        StartFacts {
            xml,
            local,
            session,
            available_mib,
            share_gaps,
        }
    }
}

/// MemAvailable from /proc/meminfo, in MiB.
fn available_mib() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    text.lines().find_map(|l| {
        let kib: u64 = l
            .strip_prefix("MemAvailable:")?
            .trim()
            .trim_end_matches("kB")
            .trim()
            .parse()
            .ok()?;
        Some(kib / 1024)
    })
}

/// The files (disk images, ISOs, kernels) a definition makes qemu open.
fn files(xml: &str) -> Vec<String> {
    let Ok(doc) = roxmltree::Document::parse(xml) else {
        return Vec::new();
    };
    let disks = doc
        .descendants()
        .filter(|n| n.has_tag_name("disk") && n.attribute("type") == Some("file"))
        .filter_map(|d| {
            d.children()
                .find(|c| c.has_tag_name("source"))
                .and_then(|s| s.attribute("file"))
        });
    let boot = doc
        .descendants()
        .filter(|n| n.has_tag_name("kernel") || n.has_tag_name("initrd"))
        .filter_map(|n| n.text());
    disks.chain(boot).map(str::to_string).collect()
}

/// The memory a definition asks for, in MiB.
fn memory_mib(xml: &str) -> Option<u64> {
    let doc = roxmltree::Document::parse(xml).ok()?;
    let m = doc
        .root_element()
        .children()
        .find(|n| n.has_tag_name("memory"))?;
    let value: u64 = m.text()?.trim().parse().ok()?;
    let bytes = match m.attribute("unit").unwrap_or("KiB") {
        "b" | "bytes" => value,
        "KB" => value * 1000,
        "k" | "KiB" => value * 1024,
        "MB" => value * 1_000_000,
        "M" | "MiB" => value << 20,
        "GB" => value * 1_000_000_000,
        "G" | "GiB" => value << 30,
        _ => return None,
    };
    Some(bytes >> 20)
}

/// Whether this process may read `path` (a session's qemu runs as this user).
fn readable_by_me(path: &Path) -> bool {
    let Ok(c) = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()) else {
        return false;
    };
    // SAFETY: a valid NUL-terminated path.
    unsafe { libc::access(c.as_ptr(), libc::R_OK) == 0 }
}

/// Names the cause of a failed start of `dom` in `err`'s kind, when the facts show one
/// (libvirt's own words stay the details).
pub fn explain(
    conn: &virt::connect::Connect,
    dom: &virt::domain::Domain,
    mut err: super::BackendError,
) -> super::BackendError {
    if err.kind != super::ErrorKind::Other {
        return err;
    }
    let xml = dom
        .xml_desc(virt::sys::VIR_DOMAIN_XML_INACTIVE)
        .unwrap_or_default();
    let (local, session) = conn
        .uri()
        .map(|u| super::uri::local_and_session(&u))
        .unwrap_or((false, false));
    if let Some(p) = diagnose(&StartFacts::gather(xml, local, session)) {
        err.kind = super::ErrorKind::StartProblem(Box::new(p));
    }
    err
}

/// The first cause found, or None when the facts show none (then only libvirt's words
/// can say).
pub fn diagnose(f: &StartFacts) -> Option<StartProblem> {
    if f.local {
        for file in files(&f.xml) {
            let path = Path::new(&file);
            if !path.exists() {
                return Some(StartProblem::MissingFile(file));
            }
            if f.session {
                if !readable_by_me(path) {
                    let user = std::env::var("USER").unwrap_or_default();
                    return Some(StartProblem::Unreadable {
                        path: file,
                        user,
                        fix: None,
                    });
                }
            } else if let Some((user, uid, gid)) = image_access::qemu_user() {
                if let Err(block) = image_access::image_access(path, &user, uid, &[gid]) {
                    return Some(StartProblem::Unreadable {
                        path: block.at.display().to_string(),
                        user,
                        fix: Some(block.fix),
                    });
                }
            }
        }
        let kvm = roxmltree::Document::parse(&f.xml)
            .is_ok_and(|d| d.root_element().attribute("type") == Some("kvm"));
        if kvm {
            let usable = if f.session {
                std::fs::OpenOptions::new()
                    .read(true)
                    .write(true)
                    .open("/dev/kvm")
                    .is_ok()
            } else {
                Path::new("/dev/kvm").exists()
            };
            if !usable {
                return Some(StartProblem::KvmUnusable);
            }
        }
    }
    let tags: Vec<String> = shared_folders::shares(&f.xml)
        .into_iter()
        .map(|s| s.tag)
        .collect();
    if !tags.is_empty() {
        return Some(StartProblem::SharedFolders {
            tags,
            gaps: f.share_gaps.clone(),
        });
    }
    match (memory_mib(&f.xml), f.available_mib) {
        (Some(needed_mib), Some(available_mib)) if needed_mib > available_mib => {
            Some(StartProblem::NotEnoughMemory {
                needed_mib,
                available_mib,
            })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dom(devices: &str, memory: &str) -> String {
        format!(
            "<domain type='qemu'><name>a</name><memory unit='MiB'>{memory}</memory><os><type>hvm</type></os><devices>{devices}</devices></domain>"
        )
    }

    #[test]
    fn a_missing_iso_is_named() {
        let f = StartFacts {
            xml: dom(
                "<disk type='file' device='cdrom'><source file='/nonexistent/debian.iso'/><target dev='sda'/></disk>",
                "64",
            ),
            local: true,
            session: true,
            ..StartFacts::default()
        };
        assert_eq!(
            diagnose(&f),
            Some(StartProblem::MissingFile("/nonexistent/debian.iso".into()))
        );
        // On a remote host this computer's files say nothing.
        assert_eq!(diagnose(&StartFacts { local: false, ..f }), None);
    }

    #[test]
    fn shares_then_memory() {
        let share = "<filesystem type='mount'><driver type='virtiofs'/><source dir='/tmp'/><target dir='tmp'/></filesystem>";
        let f = StartFacts {
            xml: dom(share, "64"),
            local: true,
            session: true,
            available_mib: Some(32),
            share_gaps: vec![shared_folders::Gap::NoUserNamespace],
        };
        assert_eq!(
            diagnose(&f),
            Some(StartProblem::SharedFolders {
                tags: vec!["tmp".into()],
                gaps: vec![shared_folders::Gap::NoUserNamespace]
            })
        );
        let f = StartFacts {
            xml: dom("", "4"),
            available_mib: Some(2),
            ..f
        };
        assert_eq!(
            diagnose(&f),
            Some(StartProblem::NotEnoughMemory {
                needed_mib: 4,
                available_mib: 2
            })
        );
        assert_eq!(memory_mib(&dom("", "4").replace("MiB", "GiB")), Some(4096));
    }
}
