//! Moving a shut-off machine between two connections of this computer — "I made it in
//! the wrong place": from "My user session" to "This computer (system)" or back. Its disks
//! are copied through libvirt (a download stream from the old connection into an upload
//! stream of a new volume in the other's "default" pool: neither side needs to read the
//! other's files), each copy is read back and compared by SHA-256 with the original, the
//! definition is defined there with the new disk paths (same name and UUID; a network card
//! on a network the other side does not have — a user session has none — on qemu's own
//! user-mode network instead, else it could not start there), and only then
//! are the machine and its disks removed where they were. Any failure before that removes
//! what was made on the other side and leaves the original as it was.

use sha2::{Digest, Sha256};
use virt::connect::Connect;
use virt::storage_vol::StorageVol;
use virt::stream::Stream;
use virt::sys;

use super::error::{BackendError, ErrorKind};

/// What a move did, for the sentence and the test.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Moved {
    pub uuid: String,
    pub name: String,
    /// Bytes copied, all disks.
    pub bytes: u64,
    /// Each disk's SHA-256 (as copied and read back), in the definition's order.
    pub sums: Vec<String>,
    /// Networks its cards were plugged into that the other connection does not have (a
    /// user session has none): those cards now use qemu's user-mode network.
    pub networks_left: Vec<String>,
}

fn op(e: virt::error::Error) -> BackendError {
    BackendError::from_op(&e)
}

/// Streams `vol`'s content out of its connection, handing each piece to `piece`.
fn download(
    conn: &Connect,
    vol: &StorageVol,
    mut piece: impl FnMut(&[u8]) -> Result<(), BackendError>,
) -> Result<u64, BackendError> {
    let stream = Stream::new(conn, 0).map_err(op)?;
    vol.download(&stream, 0, 0, 0).map_err(op)?;
    let mut buf = vec![0u8; 1 << 20];
    let mut total = 0u64;
    loop {
        let n = match stream.recv(&mut buf) {
            Ok(n) => n,
            Err(e) => {
                super::error::ignored("ending a failed download", stream.abort());
                return Err(op(e));
            }
        };
        if n <= 0 {
            break;
        }
        let n = n as usize;
        if let Err(e) = piece(&buf[..n]) {
            super::error::ignored("ending a download whose copy failed", stream.abort());
            return Err(e);
        }
        total += n as u64;
    }
    stream.finish().map_err(op)?;
    Ok(total)
}

/// The SHA-256 of a volume's content, read through its connection.
fn checksum(conn: &Connect, vol: &StorageVol) -> Result<String, BackendError> {
    let mut hash = Sha256::new();
    download(conn, vol, |b| {
        hash.update(b);
        Ok(())
    })?;
    Ok(format!("{:x}", hash.finalize()))
}

/// Copies `from` (of `src`) into `to` (of `dst`); returns bytes and the SHA-256 of what
/// was sent.
fn copy_volume(
    src: &Connect,
    from: &StorageVol,
    dst: &Connect,
    to: &StorageVol,
) -> Result<(u64, String), BackendError> {
    let up = Stream::new(dst, 0).map_err(op)?;
    to.upload(&up, 0, 0, 0).map_err(op)?;
    let mut hash = Sha256::new();
    let sent = download(src, from, |mut b| {
        hash.update(b);
        while !b.is_empty() {
            let n = up.send(b).map_err(op)?;
            if n <= 0 {
                return Err(BackendError::new(
                    ErrorKind::Other,
                    "the other connection stopped taking the disk's data".to_string(),
                ));
            }
            b = &b[n as usize..];
        }
        Ok(())
    });
    match sent {
        Ok(bytes) => {
            up.finish().map_err(op)?;
            Ok((bytes, format!("{:x}", hash.finalize())))
        }
        Err(e) => {
            super::error::ignored("ending an upload whose source failed", up.abort());
            Err(e)
        }
    }
}

/// The definition for `dst`: each `(old, new)` disk path replaced, and each card on a
/// network `dst` does not have moved to user-mode networking (else the machine could not
/// start there); everything else as it was. With the networks left behind.
fn for_the_other_side(
    dst: &Connect,
    xml: &str,
    paths: &[(String, String)],
) -> Result<(String, Vec<String>), BackendError> {
    use super::nics::{self, NicSource};
    let edit =
        |e: super::xml_edit::EditError| BackendError::new(ErrorKind::Other, format!("{e:?}"));
    let mut doc = super::xml_edit::XmlDoc::new(xml).map_err(edit)?;
    super::clone::point_disks_at(&mut doc, paths).map_err(edit)?;
    // The firmware's variables file is a path of the old side: libvirt makes a new one.
    if doc.exists(&["os", "nvram"]) {
        doc.remove(&["os", "nvram"]).map_err(edit)?;
    }
    let mut xml = doc.into_text();
    let mut left = Vec::new();
    for nic in nics::nics(&xml) {
        let NicSource::Network(network) = nic.source else {
            continue;
        };
        // Not there, or no networks at all (a user session): either way it cannot start.
        if dst.lookup_network_by_name(&network).is_err() {
            xml = nics::to_user_networking(&xml, &nic.mac).map_err(edit)?;
            if !left.contains(&network) {
                left.push(network);
            }
        }
    }
    Ok((xml, left))
}

/// Moves machine `uuid` from `src` to `dst` (see the module's words).
pub fn move_machine(src: &Connect, dst: &Connect, uuid: &str) -> Result<Moved, BackendError> {
    let dom = src.lookup_domain_by_uuid_string(uuid).map_err(op)?;
    if dom.is_active().unwrap_or(false) {
        return Err(BackendError::new(
            ErrorKind::InvalidState,
            "shut the machine down before moving it".to_string(),
        ));
    }
    let name = dom.name().map_err(op)?;
    if dst.lookup_domain_by_name(&name).is_ok() || dst.lookup_domain_by_uuid_string(uuid).is_ok() {
        return Err(BackendError::new(
            ErrorKind::MoveNameTaken(name.clone()),
            format!("{name} already exists on the other connection"),
        ));
    }
    let xml = dom
        .xml_desc(sys::VIR_DOMAIN_XML_INACTIVE | sys::VIR_DOMAIN_XML_SECURE)
        .map_err(op)?;
    let pool = super::new_vm::default_pool(dst)?;
    let taken = pool.list_volumes().unwrap_or_default();
    let mut made: Vec<StorageVol> = Vec::new();
    let undo = |made: &[StorageVol]| {
        for v in made {
            super::error::ignored("removing a copy of a failed move", v.delete(0));
        }
    };
    let (mut paths, mut sums, mut bytes, mut originals) =
        (Vec::new(), Vec::new(), 0u64, Vec::new());
    for d in super::types::disks_from_xml(&xml)
        .into_iter()
        .filter(|d| !d.is_cdrom)
    {
        let from = match src.lookup_storage_vol_by_path(&d.path) {
            Ok(v) => v,
            Err(_) => {
                undo(&made);
                return Err(BackendError::new(
                    ErrorKind::NotAVolume(d.path.clone()),
                    format!(
                        "{} is not in a storage pool, so libvirt cannot copy it",
                        d.path
                    ),
                ));
            }
        };
        let capacity = from.info().map(|i| i.capacity).map_err(op)?;
        let format = from
            .xml_desc(0)
            .ok()
            .and_then(|x| {
                roxmltree::Document::parse(&x).ok().and_then(|doc| {
                    doc.descendants()
                        .find(|n| n.has_tag_name("format"))
                        .and_then(|n| n.attribute("type").map(str::to_string))
                })
            })
            .unwrap_or_else(|| "raw".to_string());
        let file = d.path.rsplit('/').next().unwrap_or(&name).to_string();
        let vol_name = (1..)
            .map(|n| {
                if n == 1 {
                    file.clone()
                } else {
                    format!("{n}-{file}")
                }
            })
            .find(|v| !taken.contains(v) && !made.iter().any(|m| m.name().ok().as_ref() == Some(v)))
            .expect("a free volume name");
        let vol_xml = format!(
            "<volume><name>{}</name><capacity unit='bytes'>{capacity}</capacity><target><format type='{}'/></target></volume>",
            super::xml_edit::escape_attr(&vol_name),
            super::xml_edit::escape_attr(&format)
        );
        let to = match StorageVol::create_xml(&pool, &vol_xml, 0) {
            Ok(v) => v,
            Err(e) => {
                undo(&made);
                return Err(op(e));
            }
        };
        made.push(to.clone());
        let copied = copy_volume(src, &from, dst, &to).and_then(|(n, sent)| {
            // Read back from the other side: what is there is what was sent.
            let there = checksum(dst, &to)?;
            if there != sent {
                return Err(BackendError::new(
                    ErrorKind::Other,
                    format!(
                        "the copy of {} differs from the original ({sent} / {there})",
                        d.path
                    ),
                ));
            }
            Ok((n, sent))
        });
        let (n, sum) = match copied {
            Ok(c) => c,
            Err(e) => {
                undo(&made);
                return Err(e);
            }
        };
        bytes += n;
        sums.push(sum);
        paths.push((d.path.clone(), to.path().map_err(op)?));
        originals.push(from);
    }
    let defined = for_the_other_side(dst, &xml, &paths)
        .and_then(|(x, left)| dst.define_domain_xml(&x).map_err(op).map(|_| left));
    let networks_left = match defined {
        Ok(left) => left,
        Err(e) => {
            undo(&made);
            return Err(e);
        }
    };
    // Verified and defined there: now the original goes, with its disks.
    dom.undefine_flags(sys::VIR_DOMAIN_UNDEFINE_NVRAM | sys::VIR_DOMAIN_UNDEFINE_MANAGED_SAVE)
        .map_err(op)?;
    for v in originals {
        super::error::ignored("removing a moved machine's old disk", v.delete(0));
    }
    Ok(Moved {
        uuid: uuid.to_string(),
        name,
        bytes,
        sums,
        networks_left,
    })
}
