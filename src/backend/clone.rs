//! Cloning a shut-off machine: a new name, new MAC addresses (libvirt makes them), its
//! disks copied into the same pools by libvirt (progress reported while copying; a cancel
//! stops after the disk being copied and removes what was made). Disc images (CD-ROMs) are
//! shared, not copied.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use virt::connect::Connect;
use virt::storage_vol::StorageVol;
use virt::sys;

use super::error::{BackendError, ErrorKind};
use super::xml_edit::{EditError, XmlDoc};

/// One disk to copy: its target, source volume and the new volume's name.
struct Copy {
    source: StorageVol,
    new_name: String,
    bytes: u64,
}

/// The clone's definition: new name, no UUID / MACs / NVRAM path (libvirt makes new
/// ones), disks pointing at the copies; everything else as it was.
pub fn clone_xml(
    xml: &str,
    name: &str,
    new_paths: &[(String, String)],
) -> Result<String, EditError> {
    let mut doc = XmlDoc::new(xml)?;
    let text = doc.text().to_string();
    let start = text
        .find("<name>")
        .ok_or(EditError::NotFound("name".into()))?;
    let end = text[start..]
        .find("</name>")
        .ok_or(EditError::NotFound("name".into()))?
        + start;
    let mut s = text.clone();
    s.replace_range(
        start + "<name>".len()..end,
        &super::xml_edit::escape_attr(name),
    );
    doc = XmlDoc::new(s)?;
    if doc.exists(&["uuid"]) {
        doc.remove(&["uuid"])?;
    }
    while doc.edit_child_where(
        &["devices"],
        "interface",
        |i| i.children().any(|c| c.has_tag_name("mac")),
        |i| i.remove(&["interface", "mac"]),
    )? {}
    if doc.exists(&["os", "nvram"]) {
        doc.remove(&["os", "nvram"])?;
    }
    point_disks_at(&mut doc, new_paths)?;
    Ok(doc.into_text())
}

/// Points each disk whose source file is `old` at `new` (for each `(old, new)`).
pub(super) fn point_disks_at(
    doc: &mut XmlDoc,
    paths: &[(String, String)],
) -> Result<(), EditError> {
    for (old, new) in paths {
        doc.edit_child_where(
            &["devices"],
            "disk",
            |d| {
                d.children()
                    .any(|c| c.has_tag_name("source") && c.attribute("file") == Some(old.as_str()))
            },
            |d| d.set_attr(&["disk", "source"], "file", new),
        )?;
    }
    Ok(())
}

/// A clone to copy: the source's definition and its disks to copy.
pub struct Plan {
    xml: String,
    copies: Vec<Copy>,
}

impl std::fmt::Debug for Plan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Plan({} disks)", self.copies.len())
    }
}

/// How far a copy is: bytes done of the total.
pub type Progress = Arc<dyn Fn(u64, u64) + Send + Sync>;

/// Checks that `uuid` can be cloned as `name` (shut off, a free name, disks in storage
/// pools) and plans the copies (each disk gets a free volume name in its own pool).
pub fn prepare(conn: &Connect, uuid: &str, name: &str) -> Result<Plan, BackendError> {
    let dom = conn
        .lookup_domain_by_uuid_string(uuid)
        .map_err(|e| BackendError::from_op(&e))?;
    if dom.is_active().unwrap_or(false) {
        return Err(BackendError::new(
            ErrorKind::InvalidState,
            "shut the machine down before cloning it".to_string(),
        ));
    }
    let existing: Vec<String> = conn
        .list_all_domains(0)
        .map(|d| d.iter().filter_map(|d| d.name().ok()).collect())
        .unwrap_or_default();
    super::new_vm::check_name(name, &existing)
        .map_err(|p| BackendError::new(ErrorKind::Other, format!("name: {p:?}")))?;
    let xml = dom
        .xml_desc(sys::VIR_DOMAIN_XML_INACTIVE | sys::VIR_DOMAIN_XML_SECURE)
        .map_err(|e| BackendError::from_op(&e))?;
    let mut copies = Vec::new();
    for d in super::types::disks_from_xml(&xml)
        .into_iter()
        .filter(|d| !d.is_cdrom)
    {
        let vol = conn.lookup_storage_vol_by_path(&d.path).map_err(|_| {
            BackendError::new(
                ErrorKind::NotAVolume(d.path.clone()),
                format!(
                    "{} is not in a storage pool, so libvirt cannot copy it",
                    d.path
                ),
            )
        })?;
        let pool = vol
            .lookup_storage_pool()
            .map_err(|e| BackendError::from_op(&e))?;
        let taken = pool.list_volumes().unwrap_or_default();
        let ext = d
            .path
            .rsplit_once('.')
            .map(|(_, e)| e)
            .filter(|e| e.len() <= 5);
        let new_name = (1..)
            .map(|n| {
                let base = if n == 1 {
                    format!("{name}-{}", d.target)
                } else {
                    format!("{name}-{}-{n}", d.target)
                };
                match ext {
                    Some(e) => format!("{base}.{e}"),
                    None => base,
                }
            })
            .find(|v| !taken.contains(v))
            .expect("a free name");
        let bytes = vol.info().map(|i| i.allocation).unwrap_or(0);
        copies.push(Copy {
            source: vol,
            new_name,
            bytes,
        });
    }
    Ok(Plan { xml, copies })
}

/// Copies the disks and defines the clone; on a failure or `cancel`, what was copied so far
/// is removed again. Returns the new machine's UUID.
pub fn copy(
    conn: &Connect,
    name: &str,
    plan: Plan,
    cancel: &AtomicBool,
    progress: &Progress,
) -> Result<String, BackendError> {
    copy_all(conn, &plan.xml, name, plan.copies, cancel, progress)
}

fn copy_all(
    conn: &Connect,
    xml: &str,
    name: &str,
    copies: Vec<Copy>,
    cancel: &AtomicBool,
    progress: &Progress,
) -> Result<String, BackendError> {
    let total: u64 = copies.iter().map(|c| c.bytes).sum::<u64>().max(1);
    let mut done = 0u64;
    let mut made: Vec<StorageVol> = Vec::new();
    let mut paths = Vec::new();
    // Nothing half-made stays: the copies made so far go again, and one that cannot is
    // named in the error's details.
    let undo = |made: &[StorageVol], mut err: BackendError| -> BackendError {
        for v in made {
            if let Err(e) = v.delete(0) {
                // Something was kept after all: no longer a plain cancellation.
                if err.kind == ErrorKind::Cancelled {
                    err.kind = ErrorKind::Other;
                }
                err.raw.push_str(&format!(
                    "\nThe copy {} could not be removed again: {e}",
                    v.path().unwrap_or_default()
                ));
            }
        }
        err
    };
    let cancelled = || BackendError::new(ErrorKind::Cancelled, "");
    for c in &copies {
        if cancel.load(Ordering::SeqCst) {
            return Err(undo(&made, cancelled()));
        }
        let pool = c
            .source
            .lookup_storage_pool()
            .map_err(|e| undo(&made, BackendError::from_op(&e)))?;
        let src_xml = c
            .source
            .xml_desc(0)
            .map_err(|e| undo(&made, BackendError::from_op(&e)))?;
        let format = roxmltree::Document::parse(&src_xml)
            .ok()
            .and_then(|d| {
                d.descendants()
                    .find(|n| n.has_tag_name("format"))
                    .and_then(|n| n.attribute("type").map(str::to_string))
            })
            .unwrap_or_else(|| "raw".into());
        let capacity = c.source.info().map(|i| i.capacity).unwrap_or(0);
        let new_xml = super::storage::volume_xml(&c.new_name, &format, capacity);
        // The copy blocks this thread; a second one reports how far it is.
        let watching = Arc::new(AtomicBool::new(true));
        let watcher = {
            let (conn, watching) = (conn.clone(), watching.clone());
            let (pool_name, vol_name) = (pool.name().unwrap_or_default(), c.new_name.clone());
            let base = done;
            let progress = progress.clone();
            std::thread::spawn(move || {
                while watching.load(Ordering::SeqCst) {
                    std::thread::sleep(Duration::from_millis(500));
                    let now = conn
                        .lookup_storage_pool_by_name(&pool_name)
                        .and_then(|p| p.lookup_storage_vol_by_name(&vol_name))
                        .and_then(|v| v.info())
                        .map(|i| i.allocation)
                        .unwrap_or(0);
                    progress(base + now, total);
                }
            })
        };
        let r = StorageVol::create_xml_from(&pool, &new_xml, &c.source, 0);
        watching.store(false, Ordering::SeqCst);
        if watcher.join().is_err() {
            log::debug!("the copy's progress watcher panicked; the copy itself is unaffected");
        }
        match r {
            Ok(v) => {
                paths.push((
                    c.source.path().unwrap_or_default(),
                    v.path().unwrap_or_default(),
                ));
                made.push(v);
                done += c.bytes;
                progress(done, total);
            }
            Err(e) => return Err(undo(&made, BackendError::from_op(&e))),
        }
    }
    if cancel.load(Ordering::SeqCst) {
        return Err(undo(&made, cancelled()));
    }
    let new_xml = clone_xml(xml, name, &paths)
        .map_err(|e| undo(&made, BackendError::new(ErrorKind::Other, format!("{e:?}"))))?;
    conn.define_domain_xml(&new_xml)
        .map(|d| d.uuid_string().unwrap_or_default())
        .map_err(|e| undo(&made, BackendError::from_op(&e)))
}

#[cfg(test)]
mod tests {
    #[test]
    fn clone_xml_drops_identity_and_moves_disks() {
        let xml = "<domain><name>a</name><uuid>1234</uuid><os><nvram>/n/a_VARS.fd</nvram></os><devices>\n<disk type='file' device='disk'><source file='/p/a.qcow2'/><target dev='vda'/></disk>\n<interface type='network'><mac address='52:54:00:00:00:01'/><source network='default'/></interface>\n</devices></domain>";
        let out =
            super::clone_xml(xml, "b", &[("/p/a.qcow2".into(), "/p/b-vda.qcow2".into())]).unwrap();
        assert!(out.contains("<name>b</name>"));
        assert!(!out.contains("<uuid>") && !out.contains("<mac") && !out.contains("nvram"));
        assert!(out.contains("/p/b-vda.qcow2") && out.contains("<source network='default'/>"));
    }
}
