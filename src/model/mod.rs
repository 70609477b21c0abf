//! The model layer: GObjects the views bind to, fed by backend updates, and the
//! GTK-free state of the screens that decide things (the new-machine wizard's plan).

pub mod connection_item;
pub mod connection_model;
pub mod new_vm_plan;
pub mod stats_history;
pub mod vm_object;
pub mod vm_state;
pub mod vm_store;

pub use vm_object::VmObject;
pub use vm_store::VmStore;
