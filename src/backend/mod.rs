//! The libvirt backend. No GTK, relm4 or libadwaita in here (a test checks): it runs and
//! is tested without a display.
//!
//! * [`uri`]: checks connection URIs and names the wrong part.
//! * [`events`]: the safe event-registration wrapper; [`event_loop`]: libvirt's event loop
//!   on its own thread (a poll loop: libvirt's default one would run on GTK's main loop).
//! * [`worker`]: one thread per connection owning its `virt::Connect`; typed requests in,
//!   typed updates out; reconnects with backoff.
//! * [`stats`]: the one bulk statistics call and rate computation.
//! * [`error`]: libvirt failures sorted into kinds a person can act on.
//! * [`types`]: plain data handed to the UI.
//! * [`console`]: the virt-viewer command line and what a console needs from the XML;
//!   [`viewer_window`]: bringing an open console to the front (X11).
//! * [`xml_edit`]: edits libvirt XML in place, losing nothing; [`definition`]: a machine's
//!   next-start definition edited with it; [`agent_settings`]: the
//!   clipboard / agent settings of a machine built on it; [`shared_folders`]: virtiofs (the XML and this computer's checks),
//!   [`shares`]: sharing with a machine (plain functions);
//!   [`usb`]: host USB devices handed to a machine.
//! * [`host_check`]: is this computer ready for virtual machines (KVM, packages, daemon,
//!   permissions, network, storage)? [`image_access`]: can qemu open a given disk image?
//! * [`osinfo`]: the system's osinfo-db (OS facts, installer recognition) with
//!   [`iso9660`] reading discs; [`new_vm`]: proposals and the creation of new machines.
//! * [`networks`]: virtual networks (NAT, routed, isolated, bridged), subnet checks, DHCP
//!   leases.
//! * [`clone`]: copying a shut-off machine with its disks (on a thread of its own).
//! * [`details`]: a machine's hardware (memory, processors, CD-ROM, boot);
//!   [`snapshots`]: its snapshots (plain functions);
//!   [`machine_xml`]: its definition as XML (plain functions, asked through
//!   [`Connection::call`]).
//! * [`nics`]: a machine's network cards (plug in, model, MAC, link, addresses).
//! * [`storage`]: storage pools and volumes (create, start/stop, delete, grow), refusing
//!   anything a machine uses.
//! * [`start_problem`]: why a machine did not start (a missing or unreadable file, KVM,
//!   shared folders, memory), from the facts rather than libvirt's words.
//! * [`lifecycle`]: start, shut down, restart, force off, pause, resume (plain functions).
//! * [`uptime`]: since when a machine runs (its qemu process's start, read from /proc).

pub mod agent_settings;
pub mod clone;
pub mod console;
pub mod definition;
pub mod details;
pub mod error;
pub mod event_loop;
pub mod events;
pub mod host_check;
pub mod image_access;
pub mod iso9660;
pub mod lifecycle;
pub mod machine_xml;
pub mod networks;
pub mod new_vm;
pub mod nics;
pub mod osinfo;
pub mod shared_folders;
pub mod shares;
pub mod snapshots;
pub mod start_problem;
pub mod stats;
pub mod storage;
pub mod types;
pub mod uptime;
pub mod uri;
pub mod usb;
pub mod viewer_window;
pub mod worker;
pub mod xml_edit;

pub use error::{BackendError, ErrorKind};
pub use types::{DiskInfo, DomainInfo, DomainStats, LifecycleAction, VmState};
pub use worker::{Connection, ConnectionHandle, Options, Request, Update};
