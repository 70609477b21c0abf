//! The connection worker's per-machine settings: clipboard and agents, shared folders and
//! USB devices. Persistent changes edit the definition in place (see [`super::xml_edit`]);
//! these run on the worker thread like everything else of the connection.

use virt::domain::Domain;
use virt::sys;

use super::error::BackendError;
use super::uri;
use super::worker::{Update, Worker};

/// A machine's shared folders and what stands in their way.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SharesInfo {
    pub shares: Vec<super::shared_folders::Share>,
    /// Shared memory in the definition (needed for virtiofs).
    pub shared_memory: bool,
    /// The machine runs without shared memory: shares wait for the next start.
    pub pending_restart: bool,
    pub gaps: Vec<super::shared_folders::Gap>,
    /// Shares set aside so that the machine could start ("Start without the shared
    /// folders"), kept to be shared again.
    pub set_aside: Vec<super::shared_folders::Share>,
    /// The machine's first IPv4 address from the DHCP leases (for the scp fallback).
    pub address: Option<String>,
}

impl Worker {
    /// A machine with its persistent (next start) and live definitions.
    pub(super) fn definitions(&self, uuid: &str) -> Option<(Domain, String, String)> {
        let dom = self.conn().lookup_domain_by_uuid_string(uuid).ok()?;
        let persistent = dom
            .xml_desc(sys::VIR_DOMAIN_XML_INACTIVE)
            .unwrap_or_default();
        let live = dom.xml_desc(0).unwrap_or_default();
        Some((dom, persistent, live))
    }

    pub(super) fn send_shares(&mut self, uuid: &str) {
        let Some((dom, persistent, live)) = self.definitions(uuid) else {
            return;
        };
        let running = dom.is_active().unwrap_or(false);
        let virttype = roxmltree::Document::parse(&persistent)
            .ok()
            .and_then(|d| d.root_element().attribute("type").map(str::to_string));
        let caps = self
            .conn()
            .domain_capabilities(None, None, None, virttype.as_deref(), 0)
            .unwrap_or_default();
        let version = self.conn().lib_version().unwrap_or(0);
        let (local, session) = self.local_session();
        let address = running
            .then(|| {
                dom.interface_addresses(sys::VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_LEASE, 0)
                    .ok()
            })
            .flatten()
            .and_then(|ifaces| {
                ifaces
                    .into_iter()
                    .flat_map(|i| i.addrs)
                    .find(|a| a.typed == 0)
                    .map(|a| a.addr)
            });
        let mut gaps = super::shared_folders::gaps(&caps, version, session, local);
        if gaps.is_empty() {
            if let Some(Err(more)) = self.session_idmap() {
                gaps.extend(more);
            }
        }
        let info = SharesInfo {
            shares: super::shared_folders::shares(&persistent),
            shared_memory: super::shared_folders::has_shared_memory(&persistent),
            pending_restart: running && !super::shared_folders::has_shared_memory(&live),
            gaps,
            set_aside: super::shared_folders::set_aside_shares(&persistent),
            address,
        };
        (self.sink)(Update::SharedFolders {
            uuid: uuid.to_string(),
            info,
        });
    }

    /// Whether the connection is on this computer, and whether it is a user session.
    pub(super) fn local_session(&self) -> (bool, bool) {
        let parsed = uri::parse(&self.uri).ok();
        let local = parsed.as_ref().is_some_and(|p| p.is_local());
        let session = parsed
            .as_ref()
            .is_some_and(|p| p.path.starts_with("/session"));
        (local, session)
    }

    /// On a local user session: the ID map an unprivileged virtiofsd needs, or what stops
    /// it (checked for real each time: ranges, newuidmap, a user namespace). None elsewhere.
    fn session_idmap(
        &self,
    ) -> Option<Result<super::shared_folders::IdMap, Vec<super::shared_folders::Gap>>> {
        match self.local_session() {
            (true, true) => Some(super::shared_folders::session_idmap()),
            _ => None,
        }
    }

    /// Edits the persistent definition in place with `change` and defines it again: the
    /// rest of the XML stays as libvirt had it. A running machine gets it at the next start.
    pub(super) fn edit_persistent(
        &mut self,
        uuid: &str,
        change: impl FnOnce(&str) -> Result<String, super::xml_edit::EditError>,
    ) {
        match self.save_persistent(uuid, change) {
            Ok((name, active)) => self.saved(uuid, name, active),
            Err(error) => (self.sink)(Update::SettingsFailed {
                uuid: uuid.to_string(),
                error,
            }),
        }
    }

    /// Says a change was saved (`pending_restart`: it waits for the next start).
    fn saved(&mut self, uuid: &str, name: String, pending_restart: bool) {
        (self.sink)(Update::SettingsSaved {
            uuid: uuid.to_string(),
            name,
            pending_restart,
        });
    }

    /// Edits the persistent definition; Ok(machine name, whether it runs).
    fn save_persistent(
        &mut self,
        uuid: &str,
        change: impl FnOnce(&str) -> Result<String, super::xml_edit::EditError>,
    ) -> Result<(String, bool), BackendError> {
        let saved = super::definition::edit(self.conn(), uuid, change)?;
        Ok((saved.name, saved.pending_restart))
    }

    pub(super) fn shares_of(&self, uuid: &str, flags: u32) -> Vec<super::shared_folders::Share> {
        self.conn()
            .lookup_domain_by_uuid_string(uuid)
            .and_then(|d| d.xml_desc(flags))
            .map(|x| super::shared_folders::shares(&x))
            .unwrap_or_default()
    }

    /// Adds or removes a share on the running machine too, when its memory is shared
    /// (otherwise the change waits for the next start).
    /// Returns whether the running machine has the change now.
    pub(super) fn live_share(
        &mut self,
        uuid: &str,
        share: &super::shared_folders::Share,
        add: bool,
    ) -> bool {
        let Ok(dom) = self.conn().lookup_domain_by_uuid_string(uuid) else {
            return false;
        };
        if !dom.is_active().unwrap_or(false) {
            return false;
        }
        let live = dom.xml_desc(0).unwrap_or_default();
        if !super::shared_folders::has_shared_memory(&live) {
            return false;
        }
        let idmap = self.session_idmap().and_then(Result::ok);
        let xml = super::shared_folders::filesystem_xml(share, idmap.as_ref());
        let res = if add {
            dom.attach_device_flags(&xml, sys::VIR_DOMAIN_AFFECT_LIVE)
        } else {
            dom.detach_device_flags(&xml, sys::VIR_DOMAIN_AFFECT_LIVE)
        };
        match res {
            Ok(()) => true,
            Err(e) => {
                (self.sink)(Update::SettingsFailed {
                    uuid: uuid.to_string(),
                    error: BackendError::from_op(&e),
                });
                false
            }
        }
    }

    pub(super) fn add_share(&mut self, uuid: &str, share: &super::shared_folders::Share) {
        // A session machine's share needs the ID map; where virtiofs cannot run as the
        // user, nothing is saved (the panel says why): a share there stops the machine.
        let idmap = match self.session_idmap() {
            None => None,
            Some(Ok(map)) => Some(map),
            Some(Err(_)) => return self.send_shares(uuid),
        };
        match self.save_persistent(uuid, |xml| {
            super::shared_folders::add_share(xml, share, idmap.as_ref())
        }) {
            Ok((name, active)) => {
                // Hot-added when the running machine's memory is already shared.
                let now = active && self.live_share(uuid, share, true);
                self.saved(uuid, name, active && !now);
            }
            Err(error) => (self.sink)(Update::SettingsFailed {
                uuid: uuid.to_string(),
                error,
            }),
        }
        self.send_shares(uuid);
    }

    pub(super) fn remove_share(&mut self, uuid: &str, tag: &str, drop_shared_memory: bool) {
        let live = self.shares_of(uuid, 0).into_iter().find(|s| s.tag == tag);
        self.edit_persistent(uuid, |xml| {
            super::shared_folders::remove_share(xml, tag, drop_shared_memory)
        });
        if let Some(share) = live {
            self.live_share(uuid, &share, false);
        }
        self.send_shares(uuid);
    }

    /// "Start without the shared folders": sets every share aside (kept in Bilik's
    /// metadata, offered again in the panel), then starts the machine.
    pub(super) fn start_without_shares(&mut self, uuid: &str) {
        if let Err(error) = self.save_persistent(uuid, super::shared_folders::set_aside_all) {
            (self.sink)(Update::SettingsFailed {
                uuid: uuid.to_string(),
                error,
            });
            return;
        }
        self.send_shares(uuid);
        self.lifecycle(uuid, super::types::LifecycleAction::Start);
    }
}
