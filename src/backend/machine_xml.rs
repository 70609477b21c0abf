//! A machine's definition as XML: read (the next start's, and the running one's) and
//! defined again after an expert's edit. Plain functions over a connection, called through
//! [`super::Connection::call`] by the XML tab.

use virt::connect::Connect;
use virt::domain::Domain;
use virt::sys;

use super::error::{BackendError, ErrorKind};

/// The two definitions of a machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MachineXml {
    /// What the machine gets at its next start (the persistent definition).
    pub next_start: String,
    /// What a running machine runs with now (None while it is off).
    pub running: Option<String>,
}

fn domain(conn: &Connect, uuid: &str) -> Result<Domain, BackendError> {
    conn.lookup_domain_by_uuid_string(uuid)
        .map_err(|e| BackendError::from_read(&e))
}

/// Reads a machine's definitions.
pub fn read(conn: &Connect, uuid: &str) -> Result<MachineXml, BackendError> {
    let d = domain(conn, uuid)?;
    let next_start = d
        .xml_desc(sys::VIR_DOMAIN_XML_INACTIVE)
        .map_err(|e| BackendError::from_read(&e))?;
    // A running machine may differ from its next start (a change waiting for it).
    let running = if d.is_active().map_err(|e| BackendError::from_read(&e))? {
        Some(d.xml_desc(0).map_err(|e| BackendError::from_read(&e))?)
    } else {
        None
    };
    Ok(MachineXml {
        next_start,
        running,
    })
}

/// Defines an edited definition after libvirt validated it against its schema; the
/// machine must stay the same one (same UUID). Returns the definitions as libvirt keeps
/// them now.
pub fn define(conn: &Connect, uuid: &str, xml: &str) -> Result<MachineXml, BackendError> {
    let doc = roxmltree::Document::parse(xml)
        .map_err(|e| BackendError::new(ErrorKind::XmlMalformed, e.to_string()))?;
    let field = |tag: &str| {
        doc.root_element()
            .children()
            .find(|n| n.has_tag_name(tag))
            .and_then(|n| n.text())
            .unwrap_or_default()
            .trim()
            .to_string()
    };
    if doc.root_element().tag_name().name() != "domain" {
        return Err(BackendError::new(
            ErrorKind::XmlMalformed,
            format!(
                "<{}> where a machine's definition has <domain>",
                doc.root_element().tag_name().name()
            ),
        ));
    }
    let new_uuid = field("uuid");
    if !new_uuid.is_empty() && !new_uuid.eq_ignore_ascii_case(uuid) {
        return Err(BackendError::new(
            ErrorKind::XmlOtherMachine,
            format!("<uuid>{new_uuid}</uuid> is not this machine's ({uuid})"),
        ));
    }
    let dom = conn
        .lookup_domain_by_uuid_string(uuid)
        .map_err(|e| BackendError::from_op(&e))?;
    let name = dom.name().map_err(|e| BackendError::from_read(&e))?;
    if field("name") != name {
        // Without a <uuid>, libvirt finds the machine by name: another name would make a
        // new machine. With it, libvirt refuses a new name.
        return Err(if new_uuid.is_empty() {
            BackendError::new(
                ErrorKind::XmlOtherMachine,
                format!("no <uuid>, and <name> is not {name}"),
            )
        } else {
            BackendError::new(ErrorKind::XmlRenamed, format!("<name> is not {name}"))
        });
    }
    conn.define_domain_xml_flags(xml, sys::VIR_DOMAIN_DEFINE_VALIDATE)
        .map_err(|e| BackendError::from_op(&e))?;
    read(conn, uuid)
}
