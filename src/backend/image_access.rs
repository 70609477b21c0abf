//! Can the user qemu runs system machines as reach a disk image or ISO? Every parent folder
//! must be enterable and the file readable, decided the way the kernel does: owner, POSIX ACL
//! entries, group, others. A private home folder is the usual obstacle; the fix is one ACL
//! entry for that one user, offered as a fixed `setfacl` argument vector.

use std::ffi::CString;
use std::path::{Path, PathBuf};

/// The account qemu runs system machines as: `user = "…"` in /etc/libvirt/qemu.conf, else
/// the distribution's default (libvirt-qemu on Debian, qemu on Fedora). Name, uid, gid.
pub fn qemu_user() -> Option<(String, u32, u32)> {
    let conf = std::fs::read_to_string("/etc/libvirt/qemu.conf").unwrap_or_default();
    let configured = conf.lines().find_map(|l| {
        let l = l.trim();
        let v = l
            .strip_prefix("user")?
            .trim_start()
            .strip_prefix('=')?
            .trim();
        Some(v.trim_matches('"').to_string())
    });
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    let lookup = |name: &str| {
        passwd.lines().find_map(|l| {
            let f: Vec<&str> = l.split(':').collect();
            (f.len() > 3 && f[0] == name)
                .then(|| Some((name.to_string(), f[2].parse().ok()?, f[3].parse().ok()?)))
                .flatten()
        })
    };
    match configured {
        Some(name) => lookup(&name),
        None => lookup("libvirt-qemu").or_else(|| lookup("qemu")),
    }
}

/// Where `user` (uid, groups) is stopped on the way to reading `path`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessBlock {
    /// The folder it cannot enter, or the file it cannot read.
    pub at: PathBuf,
    pub user: String,
    /// The fixed command that grants just that (an ACL entry for that one user).
    pub fix: Vec<String>,
}

/// Checks that the qemu user can reach `path` (every parent folder enterable, the file
/// readable), the way the kernel decides: owner, ACL user entries, group, others.
pub fn image_access(path: &Path, user: &str, uid: u32, gids: &[u32]) -> Result<(), AccessBlock> {
    if uid == 0 {
        return Ok(());
    }
    let mut parts = Vec::new();
    let mut p = path.to_path_buf();
    while let Some(parent) = p.parent() {
        parts.push((parent.to_path_buf(), 0o1u32)); // execute: enter the folder
        p = parent.to_path_buf();
    }
    parts.reverse();
    parts.push((path.to_path_buf(), 0o4)); // read the file
    for (at, want) in parts {
        if at.as_os_str().is_empty() {
            continue;
        }
        if !allowed(&at, uid, gids, want) {
            let perm = if want == 0o1 { "x" } else { "r" };
            return Err(AccessBlock {
                fix: vec![
                    "setfacl".into(),
                    "-m".into(),
                    format!("u:{user}:{perm}"),
                    at.display().to_string(),
                ],
                at,
                user: user.to_string(),
            });
        }
    }
    Ok(())
}

fn allowed(path: &Path, uid: u32, gids: &[u32], want: u32) -> bool {
    use std::os::unix::fs::MetadataExt;
    let Ok(meta) = std::fs::metadata(path) else {
        return false;
    };
    let mode = meta.mode();
    if meta.uid() == uid {
        return (mode >> 6) & want != 0;
    }
    let acl = read_acl(path);
    let mask = acl
        .iter()
        .find(|e| e.0 == ACL_MASK)
        .map_or(0o7, |e| e.1 as u32);
    if let Some(e) = acl.iter().find(|e| e.0 == ACL_USER && e.2 == uid) {
        return (e.1 as u32) & mask & want != 0;
    }
    let in_owner_group = gids.contains(&meta.gid());
    let group_perm = (mode >> 3) & 0o7;
    let named_groups: Vec<u32> = acl
        .iter()
        .filter(|e| e.0 == ACL_GROUP && gids.contains(&e.2))
        .map(|e| e.1 as u32)
        .collect();
    if in_owner_group || !named_groups.is_empty() {
        // With an ACL, the group bits of the mode are the mask.
        let owner_group = if acl.is_empty() {
            group_perm
        } else {
            group_perm & mask
        };
        let any = named_groups.iter().any(|p| p & mask & want != 0)
            || (in_owner_group && owner_group & want != 0);
        return any;
    }
    mode & want != 0
}

const ACL_USER: u16 = 0x02;
const ACL_GROUP: u16 = 0x08;
const ACL_MASK: u16 = 0x10;

/// The POSIX access ACL of `path` as (tag, perm, id) entries, from its
/// `system.posix_acl_access` extended attribute (version 2, 8-byte entries).
fn read_acl(path: &Path) -> Vec<(u16, u16, u32)> {
    let Ok(c) = CString::new(path.as_os_str().as_encoded_bytes()) else {
        return Vec::new();
    };
    let name = c"system.posix_acl_access";
    let mut buf = vec![0u8; 1024];
    // SAFETY: buffer and length match; the kernel writes at most len bytes.
    let n = unsafe {
        libc::getxattr(
            c.as_ptr(),
            name.as_ptr(),
            buf.as_mut_ptr().cast(),
            buf.len(),
        )
    };
    if n < 4 {
        return Vec::new();
    }
    buf[4..n as usize]
        .chunks_exact(8)
        .map(|e| {
            (
                u16::from_le_bytes([e[0], e[1]]),
                u16::from_le_bytes([e[2], e[3]]),
                u32::from_le_bytes([e[4], e[5], e[6], e[7]]),
            )
        })
        .collect()
}
