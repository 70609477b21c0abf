//! All machines of one connection: a `gio::ListStore` of [`VmObject`]s plus an index by
//! UUID, updated in place from backend updates (no rebuilds except on a full reload).

use std::collections::HashMap;

use gio::prelude::*;

use crate::backend::{DomainInfo, DomainStats};
use crate::model::VmObject;

#[derive(Debug)]
pub struct VmStore {
    store: gio::ListStore,
    by_uuid: HashMap<String, VmObject>,
}

impl Default for VmStore {
    fn default() -> Self {
        VmStore {
            store: gio::ListStore::new::<VmObject>(),
            by_uuid: HashMap::new(),
        }
    }
}

impl VmStore {
    /// The list model the views show.
    pub fn model(&self) -> &gio::ListStore {
        &self.store
    }

    pub fn len(&self) -> usize {
        self.by_uuid.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_uuid.is_empty()
    }

    pub fn get(&self, uuid: &str) -> Option<&VmObject> {
        self.by_uuid.get(uuid)
    }

    /// Replaces the content with a complete list (after (re)connecting). Machines that are
    /// still there keep their objects, so a selection survives a reconnect.
    pub fn replace(&mut self, list: &[DomainInfo]) {
        let mut kept = HashMap::with_capacity(list.len());
        let objects: Vec<VmObject> = list
            .iter()
            .map(|info| {
                let obj = match self.by_uuid.remove(&info.uuid) {
                    Some(obj) => {
                        obj.apply(info);
                        obj
                    }
                    None => VmObject::new(info),
                };
                kept.insert(info.uuid.clone(), obj.clone());
                obj
            })
            .collect();
        self.by_uuid = kept;
        // One items-changed signal for the whole list.
        self.store.splice(0, self.store.n_items(), &objects);
    }

    /// Adds or updates one machine.
    pub fn upsert(&mut self, info: &DomainInfo) {
        match self.by_uuid.get(&info.uuid) {
            Some(obj) => obj.apply(info),
            None => {
                let obj = VmObject::new(info);
                self.store.append(&obj);
                self.by_uuid.insert(info.uuid.clone(), obj);
            }
        }
    }

    pub fn remove(&mut self, uuid: &str) {
        if let Some(obj) = self.by_uuid.remove(uuid) {
            if let Some(pos) = self.store.find(&obj) {
                self.store.remove(pos);
            }
        }
    }

    pub fn apply_stats(&self, stats: &[DomainStats]) {
        for s in stats {
            if let Some(obj) = self.by_uuid.get(&s.uuid) {
                obj.apply_stats(s);
            }
        }
    }

    pub fn clear(&mut self) {
        self.by_uuid.clear();
        self.store.remove_all();
    }
}
