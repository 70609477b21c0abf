//! One connection as the window knows it: its URI, its machines ([`VmStore`]) and its
//! header row ([`ConnectionItem`]), kept up to date from what libvirt pushes. The list view
//! binds to the store and the item; it is told only that the list changed ([`Change`]),
//! not what to put in it.

use crate::backend::Update;
use crate::model::connection_item::{ConnectionItem, Phase};
use crate::model::VmStore;

/// What an update did to the machine list (what the list view must redo).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// Nothing in the list.
    None,
    /// The whole list arrived (after connecting): `.0` machines.
    Listed(usize),
    /// A machine appeared, changed state or went away.
    Machines,
    /// Figures only (statistics): the rows redraw themselves.
    Figures,
}

#[derive(Debug, Clone)]
pub struct ConnectionModel {
    pub uri: String,
    pub store: VmStore,
    /// Its header row in the sidebar.
    pub item: ConnectionItem,
}

impl ConnectionModel {
    /// A connection to `uri` called `title`, with no machines known yet (a store of its
    /// own).
    pub fn new(uri: &str, title: &str) -> Self {
        ConnectionModel {
            uri: uri.to_string(),
            store: VmStore::default(),
            item: ConnectionItem::new(uri, title),
        }
    }

    /// Applies what libvirt pushed to the machines and to the header's state.
    pub fn apply(&self, update: &Update) -> Change {
        let change = self.apply_machines(update);
        let count = self.store.len() as u32;
        match update {
            Update::Connecting => self.item.show(Phase::Connecting, count),
            Update::Lost { .. }
            | Update::ConnectFailed {
                retrying_in: Some(_),
                ..
            } => self.item.show(Phase::Lost, count),
            Update::ConnectFailed {
                error,
                retrying_in: None,
            } => self
                .item
                .show_failure(&crate::errors::connection_error(&self.uri, error)),
            Update::Domains(_) => self.item.show(Phase::Ready, count),
            Update::DomainChanged(_) | Update::DomainRemoved { .. }
                if self.item.phase_now() == Phase::Ready =>
            {
                self.item.show(Phase::Ready, count)
            }
            _ => {}
        }
        change
    }

    fn apply_machines(&self, update: &Update) -> Change {
        match update {
            Update::Domains(list) => {
                self.store.replace(list);
                Change::Listed(list.len())
            }
            Update::DomainChanged(info) => {
                self.store.upsert(info);
                Change::Machines
            }
            Update::DomainRemoved { uuid } => {
                self.store.remove(uuid);
                Change::Machines
            }
            Update::Stats(stats) => {
                self.store.apply_stats(stats);
                Change::Figures
            }
            Update::Lost { .. } => {
                // Rows stay (it comes back in seconds, mostly), marked as not current.
                self.store.mark_unreachable();
                Change::Figures
            }
            Update::ConnectFailed {
                retrying_in: None, ..
            } => {
                // Could not connect at all: nothing of an earlier list is true any more.
                self.store.clear();
                Change::Machines
            }
            _ => Change::None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::{BackendError, DomainInfo, ErrorKind, VmState};
    use gio::prelude::*;

    fn info(uuid: &str, name: &str, state: VmState) -> DomainInfo {
        DomainInfo {
            uuid: uuid.into(),
            name: name.into(),
            state,
            reason: 0,
        }
    }

    #[test]
    fn updates_change_the_store_in_place() {
        let m = ConnectionModel::new("test:///default", "test");
        let view = m.store.clone(); // what the list view binds to
        let list = vec![
            info("a", "web", VmState::Running),
            info("b", "db", VmState::ShutOff),
        ];
        assert_eq!(m.item.phase_now(), Phase::Connecting);
        assert!(m.item.busy(), "opening: the spinner turns");
        assert_eq!(m.apply(&Update::Domains(list)), Change::Listed(2));
        assert_eq!(m.item.phase_now(), Phase::Ready);
        assert_eq!(m.item.machines(), 2);
        let web = view.get("a").expect("listed");
        assert_eq!(view.model().n_items(), 2);

        let changed = info("a", "web", VmState::Paused);
        assert_eq!(m.apply(&Update::DomainChanged(changed)), Change::Machines);
        assert_eq!(
            web.vm_state(),
            VmState::Paused,
            "the same object, changed in place"
        );
        assert_eq!(
            m.apply(&Update::DomainChanged(info("c", "new", VmState::ShutOff))),
            Change::Machines
        );
        assert_eq!(view.model().n_items(), 3);
        m.apply(&Update::DomainRemoved { uuid: "b".into() });
        assert!(view.get("b").is_none());
        assert_eq!(view.model().n_items(), 2);

        // Lost: the rows stay, each saying it is not current.
        let gone = BackendError::new(ErrorKind::ConnectionLost, "gone");
        assert_eq!(m.apply(&Update::Lost { error: gone }), Change::Figures);
        assert_eq!(m.item.phase_now(), Phase::Lost);
        assert!(web.unreachable() && web.accessible_label().ends_with(", not connected"));
        assert!(web.row_detail().ends_with(" · not connected"));

        // A reconnect's full list keeps the objects of machines still there, current again.
        m.apply(&Update::Domains(vec![info("a", "web", VmState::Running)]));
        assert_eq!(view.get("a").unwrap(), web);
        assert_eq!(view.len(), 1);
        assert!(!web.unreachable());
        assert_eq!(web.accessible_label(), "web, Running");

        let lost = BackendError::new(ErrorKind::ConnectionLost, "gone");
        assert_eq!(
            m.apply(&Update::ConnectFailed {
                error: lost.clone(),
                retrying_in: Some(std::time::Duration::from_secs(1)),
            }),
            Change::None,
            "while reconnecting the list stays"
        );
        assert_eq!(view.len(), 1);
        assert_eq!(m.item.phase_now(), Phase::Lost);
        assert!(
            !m.item.busy(),
            "waiting to reconnect, perhaps for hours: no spinner drawing frames all along"
        );
        m.apply(&Update::ConnectFailed {
            error: lost,
            retrying_in: None,
        });
        assert!(view.is_empty());
        assert_eq!(m.item.phase_now(), Phase::Failed);
        assert!(!m.item.error_title().is_empty(), "the header says why");
    }
}
