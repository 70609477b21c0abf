//! One relm4 component per screen part; see the map in the crate root.

pub mod agent_panel;
pub mod clone_job;
pub mod connection_switcher;
pub mod console;
pub mod console_window;
pub mod graphs;
pub mod hardware_panel;
pub mod lifecycle;
pub mod machine_target;
pub mod machine_view;
pub mod networks;
pub mod new_vm;
pub mod nics_panel;
pub mod preferences;
pub mod setup_check;
pub mod shares_panel;
pub mod shortcuts;
pub mod snapshots_panel;
pub mod spice_view;
pub mod storage;
pub mod usb_panel;
pub mod vm_details;
pub mod vm_list;
pub mod vm_row;
pub mod widgets;
pub mod xml_panel;
