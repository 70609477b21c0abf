//! A machine's persistent definition (what it gets at its next start) edited in place: the
//! change is a function from the XML libvirt keeps to the new XML (see [`super::xml_edit`]),
//! so nothing else in the definition changes. A plain function over a connection.

use virt::connect::Connect;
use virt::sys;

use super::error::{BackendError, ErrorKind};
use super::xml_edit::EditError;

/// A change that was saved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Saved {
    /// The machine's name (for the sentence that says so).
    pub name: String,
    /// The machine runs: the change takes effect the next time it starts.
    pub pending_restart: bool,
}

/// Edits machine `uuid`'s persistent definition with `change` and defines it again.
pub fn edit(
    conn: &Connect,
    uuid: &str,
    change: impl FnOnce(&str) -> Result<String, EditError>,
) -> Result<Saved, BackendError> {
    let dom = conn
        .lookup_domain_by_uuid_string(uuid)
        .map_err(|e| BackendError::from_op(&e))?;
    let name = dom.name().map_err(|e| BackendError::from_read(&e))?;
    let xml = dom
        .xml_desc(sys::VIR_DOMAIN_XML_INACTIVE | sys::VIR_DOMAIN_XML_SECURE)
        .map_err(|e| BackendError::from_read(&e))?;
    let edited = change(&xml).map_err(|e| BackendError::new(ErrorKind::Other, format!("{e:?}")))?;
    conn.define_domain_xml(&edited)
        .map_err(|e| BackendError::from_op(&e))?;
    Ok(Saved {
        name,
        pending_restart: dom.is_active().map_err(|e| BackendError::from_read(&e))?,
    })
}
