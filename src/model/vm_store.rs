//! All machines of one connection: a `gio::ListStore` of [`VmObject`]s plus an index by
//! UUID, updated in place from backend updates (no rebuilds except on a full reload).
//!
//! A handle: clones share one store. The connection's model
//! ([`super::connection_model::ConnectionModel`]) applies what libvirt pushed to it; the list
//! view binds to the same store and is only told that it changed.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use gio::prelude::*;

use crate::backend::{DomainInfo, DomainStats};
use crate::model::VmObject;

#[derive(Debug, Clone)]
pub struct VmStore {
    store: gio::ListStore,
    by_uuid: Rc<RefCell<HashMap<String, VmObject>>>,
}

impl Default for VmStore {
    fn default() -> Self {
        VmStore {
            store: gio::ListStore::new::<VmObject>(),
            by_uuid: Default::default(),
        }
    }
}

impl VmStore {
    /// The list model the views show.
    pub fn model(&self) -> &gio::ListStore {
        &self.store
    }

    pub fn len(&self) -> usize {
        self.by_uuid.borrow().len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_uuid.borrow().is_empty()
    }

    /// Its machines (a snapshot: the store may change after).
    pub fn objects(&self) -> Vec<VmObject> {
        self.by_uuid.borrow().values().cloned().collect()
    }

    /// The UUIDs of its machines.
    pub fn uuids(&self) -> Vec<String> {
        self.by_uuid.borrow().keys().cloned().collect()
    }

    pub fn get(&self, uuid: &str) -> Option<VmObject> {
        self.by_uuid.borrow().get(uuid).cloned()
    }

    /// Replaces the content with a complete list (after (re)connecting). Machines that are
    /// still there keep their objects, so a selection survives a reconnect.
    pub fn replace(&self, list: &[DomainInfo]) {
        let mut kept = HashMap::with_capacity(list.len());
        let mut by_uuid = self.by_uuid.borrow_mut();
        let objects: Vec<VmObject> = list
            .iter()
            .map(|info| {
                let obj = match by_uuid.remove(&info.uuid) {
                    Some(obj) => {
                        obj.apply(info);
                        obj.set_unreachable_now(false);
                        obj
                    }
                    None => VmObject::new(info),
                };
                kept.insert(info.uuid.clone(), obj.clone());
                obj
            })
            .collect();
        *by_uuid = kept;
        // Released before GTK hears of the change (its handlers may read the store).
        drop(by_uuid);
        // One items-changed signal for the whole list.
        self.store.splice(0, self.store.n_items(), &objects);
    }

    /// The connection went away: every row says so until the next complete list.
    pub fn mark_unreachable(&self) {
        // Collected first: the rows hear of it while the map is free again.
        let objects: Vec<VmObject> = self.by_uuid.borrow().values().cloned().collect();
        for obj in objects {
            obj.set_unreachable_now(true);
        }
    }

    /// Adds or updates one machine.
    pub fn upsert(&self, info: &DomainInfo) {
        let known = self.get(&info.uuid);
        match known {
            Some(obj) => obj.apply(info),
            None => {
                let obj = VmObject::new(info);
                self.by_uuid
                    .borrow_mut()
                    .insert(info.uuid.clone(), obj.clone());
                self.store.append(&obj);
            }
        }
    }

    pub fn remove(&self, uuid: &str) {
        let gone = self.by_uuid.borrow_mut().remove(uuid);
        if let Some(obj) = gone {
            if let Some(pos) = self.store.find(&obj) {
                self.store.remove(pos);
            }
        }
    }

    /// Marks which machines are installing their system (express install).
    pub fn set_installing(&self, uuid: &str, on: bool) {
        if let Some(obj) = self.get(uuid) {
            obj.set_installing_now(on);
        }
    }

    pub fn apply_stats(&self, stats: &[DomainStats]) {
        let by_uuid = self.by_uuid.borrow();
        for s in stats {
            if let Some(obj) = by_uuid.get(&s.uuid) {
                obj.apply_stats(s);
            }
        }
    }

    pub fn clear(&self) {
        self.by_uuid.borrow_mut().clear();
        self.store.remove_all();
    }
}
