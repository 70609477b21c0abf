//! A machine's snapshots: list, take (internal, or disks only where firmware or disks rule
//! that out), describe, go back, delete. Plain functions over a connection, asked by the Snapshots
//! tab through [`super::Connection::call`].

use virt::connect::Connect;
use virt::domain::Domain;
use virt::domain_snapshot::DomainSnapshot;
use virt::sys;

use super::error::{BackendError, ErrorKind};
use super::xml_edit::{escape_attr, XmlDoc};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotInfo {
    pub name: String,
    pub description: String,
    /// Seconds since 1970.
    pub created: i64,
    /// The machine's state when it was taken (running, shutoff…).
    pub state: String,
    pub current: bool,
    /// Only the disks, kept in separate files (not the memory).
    pub external: bool,
}

fn text_of(doc: &roxmltree::Document, tag: &str) -> Option<String> {
    doc.root_element()
        .children()
        .find(|n| n.has_tag_name(tag))
        .and_then(|n| n.text())
        .map(|t| t.trim().to_string())
}

fn snapshot_info(s: &DomainSnapshot) -> Option<SnapshotInfo> {
    let xml = s.xml_desc(0).ok()?;
    let doc = roxmltree::Document::parse(&xml).ok()?;
    let external = doc.descendants().any(|n| {
        (n.has_tag_name("disk") && n.attribute("snapshot") == Some("external"))
            || (n.has_tag_name("memory") && n.attribute("snapshot") == Some("external"))
    });
    Some(SnapshotInfo {
        name: text_of(&doc, "name").unwrap_or_default(),
        description: text_of(&doc, "description").unwrap_or_default(),
        created: text_of(&doc, "creationTime")
            .and_then(|t| t.parse().ok())
            .unwrap_or(0),
        state: text_of(&doc, "state").unwrap_or_default(),
        current: s.is_current(0).unwrap_or(false),
        external,
    })
}

/// What in a machine's definition rules out an internal snapshot (read from the XML, not
/// from libvirt's translated message): a disk that is not qcow2, or UEFI variables in a
/// pflash file.
fn internal_obstacle(xml: &str, running: bool) -> Option<ErrorKind> {
    let doc = roxmltree::Document::parse(xml).ok()?;
    let raw_disk = doc
        .descendants()
        .filter(|n| n.has_tag_name("disk") && n.attribute("device").unwrap_or("disk") == "disk")
        .filter(|d| !d.children().any(|c| c.has_tag_name("readonly")))
        .any(|d| {
            d.children()
                .find(|c| c.has_tag_name("driver"))
                .and_then(|c| c.attribute("type"))
                .is_some_and(|t| t != "qcow2")
        });
    if raw_disk {
        return Some(ErrorKind::SnapshotNeedsQcow2);
    }
    let uefi = doc.descendants().any(|n| {
        (n.has_tag_name("loader") && n.attribute("type") == Some("pflash"))
            || n.has_tag_name("nvram")
            || (n.has_tag_name("os") && n.attribute("firmware") == Some("efi"))
    });
    (uefi && running).then_some(ErrorKind::SnapshotUefiRunning)
}

fn domain(conn: &Connect, uuid: &str) -> Result<Domain, BackendError> {
    conn.lookup_domain_by_uuid_string(uuid)
        .map_err(|e| BackendError::from_read(&e))
}

/// The machine's snapshots, newest first.
pub fn list(conn: &Connect, uuid: &str) -> Result<Vec<SnapshotInfo>, BackendError> {
    let d = domain(conn, uuid)?;
    let list = d
        .list_all_snapshots(0)
        .map_err(|e| BackendError::from_read(&e))?;
    let mut v: Vec<SnapshotInfo> = list.iter().filter_map(snapshot_info).collect();
    v.sort_by_key(|s| std::cmp::Reverse(s.created));
    Ok(v)
}

/// Takes a snapshot: internal (disks and, for a running machine, memory) where libvirt
/// can; for a shut-off machine whose firmware or disks rule that out, an external one of
/// the disks only. Returns whether it is external.
pub fn create(
    conn: &Connect,
    uuid: &str,
    name: &str,
    description: &str,
) -> Result<bool, BackendError> {
    let dom = domain(conn, uuid)?;
    let xml = format!(
        "<domainsnapshot><name>{}</name><description>{}</description></domainsnapshot>",
        escape_attr(name),
        escape_attr(description)
    );
    let Err(e) = dom.create_snapshot_xml(&xml, 0) else {
        return Ok(false);
    };
    let mut err = BackendError::from_op(&e);
    let running = dom.is_active().unwrap_or(false);
    let def = dom.xml_desc(0).unwrap_or_default();
    if err.kind == ErrorKind::Other {
        if let Some(kind) = internal_obstacle(&def, running) {
            err.kind = kind;
        }
    }
    // A raw disk or UEFI variables: a shut-off machine can still have an external
    // snapshot of its disks.
    if running || internal_obstacle(&def, true).is_none() {
        return Err(err);
    }
    dom.create_snapshot_xml(&xml, sys::VIR_DOMAIN_SNAPSHOT_CREATE_DISK_ONLY)
        .map(|_| true)
        .map_err(|e2| {
            let mut e2 = BackendError::from_op(&e2);
            e2.raw = format!("{}\n(internal snapshot: {})", e2.raw, err.raw);
            e2
        })
}

fn snapshot(conn: &Connect, uuid: &str, name: &str) -> Result<DomainSnapshot, BackendError> {
    let d = domain(conn, uuid)?;
    Domain::lookup_snapshot_by_name(&d, name, 0).map_err(|e| BackendError::from_op(&e))
}

/// Goes back to the snapshot `name` (what changed since is lost: the tab asks first).
pub fn revert(conn: &Connect, uuid: &str, name: &str) -> Result<(), BackendError> {
    snapshot(conn, uuid, name)?
        .revert(0)
        .map_err(|e| BackendError::from_op(&e))
}

/// Deletes the snapshot `name`; the machine stays as it is.
pub fn delete(conn: &Connect, uuid: &str, name: &str) -> Result<(), BackendError> {
    snapshot(conn, uuid, name)?
        .delete(0)
        .map_err(|e| BackendError::from_op(&e))
}

/// Gives the snapshot `name` a new description (empty: none). libvirt has no call for it:
/// the snapshot's own XML, with only its `<description>` changed, is defined again over it
/// ("redefine"), so its disks, memory and place in the tree stay as they are.
pub fn describe(
    conn: &Connect,
    uuid: &str,
    name: &str,
    description: &str,
) -> Result<(), BackendError> {
    let snap = snapshot(conn, uuid, name)?;
    let xml = snap
        .xml_desc(sys::VIR_DOMAIN_SNAPSHOT_XML_SECURE)
        .map_err(|e| BackendError::from_read(&e))?;
    let edited = with_description(&xml, description)
        .map_err(|e| BackendError::new(ErrorKind::Other, format!("{e:?}")))?;
    let dom = domain(conn, uuid)?;
    let mut flags = sys::VIR_DOMAIN_SNAPSHOT_CREATE_REDEFINE;
    if snap.is_current(0).unwrap_or(false) {
        // Redefining the current snapshot without this flag would make it not current.
        flags |= sys::VIR_DOMAIN_SNAPSHOT_CREATE_CURRENT;
    }
    dom.create_snapshot_xml(&edited, flags)
        .map(|_| ())
        .map_err(|e| BackendError::from_op(&e))
}

/// The snapshot XML with its description set to `text` (removed when empty), nothing
/// else changed.
fn with_description(xml: &str, text: &str) -> Result<String, super::xml_edit::EditError> {
    let mut doc = XmlDoc::new(xml)?;
    let has = doc.exists(&["domainsnapshot", "description"]);
    match (has, text.is_empty()) {
        (true, true) => doc.remove(&["domainsnapshot", "description"])?,
        (true, false) => doc.set_text(&["domainsnapshot", "description"], text)?,
        (false, true) => {}
        (false, false) => doc.append_child(
            &["domainsnapshot"],
            &format!("<description>{}</description>", escape_attr(text)),
        )?,
    }
    Ok(doc.into_text())
}

#[cfg(test)]
mod describe_tests {
    use super::with_description;

    const SNAP: &str = "<domainsnapshot>\n  <name>before</name>\n  <description>old</description>\n  <state>shutoff</state>\n  <creationTime>1</creationTime>\n  <domain type='kvm'><name>vm</name><description>the machine's own</description></domain>\n</domainsnapshot>\n";

    #[test]
    fn only_the_snapshots_own_description_changes() {
        let out = with_description(SNAP, "after <the> update & more").unwrap();
        assert!(out.contains("<description>after &lt;the&gt; update &amp; more</description>"));
        // The machine's description inside the snapshot is the machine's, kept as it was.
        assert!(out.contains("<description>the machine's own</description>"));
        assert_eq!(
            out.replace("after &lt;the&gt; update &amp; more", "old"),
            SNAP
        );
    }

    #[test]
    fn an_empty_description_removes_it_and_a_new_one_is_added() {
        let none = with_description(SNAP, "").unwrap();
        assert!(!none.contains("<description>old</description>"));
        assert!(none.contains("<state>shutoff</state>"));
        let again = with_description(&none, "new").unwrap();
        assert!(again.contains("<description>new</description>"));
        assert!(again.contains("<description>the machine's own</description>"));
    }
}
