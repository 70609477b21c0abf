//! The libvirt backend. No GTK, relm4 or libadwaita in here (a test checks): it runs and
//! is tested without a display.
//!
//! Its shape: one thread per connection owns the `virt::Connect` ([`worker`]); feature
//! modules are plain functions over `&Connect` that return `Result<T, BackendError>`; a
//! screen runs one on the connection's thread with [`Connection::call`] and awaits the
//! answer; a long job (a clone's copy) is prepared there and runs on a thread of its own
//! ([`worker::Connection::call_long`]), its progress heard by the screen that started it. The
//! worker's own update stream carries only what libvirt pushes (the connection's state, the
//! machine list and its changes, statistics, pool / network / device changes). No feature
//! module imports the worker.
//!
//! * [`worker`]: the connection's thread: connects and reconnects with backoff, registers
//!   for events, polls statistics in one bulk call, runs typed calls in order; [`stats`]:
//!   that bulk call; [`events`] / [`event_loop`]: libvirt's events on a thread of their own.
//! * [`uri`]: checks connection URIs and names the wrong part; [`remote`]: SSH addresses,
//!   and the checks before an SSH connection opens (name, port, host key, login) that
//!   name what is the matter.
//! * [`error`]: libvirt failures sorted by code, domain and facts into kinds a person can
//!   act on; [`start_problem`]: why a machine did not start (a missing or unreadable file,
//!   KVM, shared folders, memory), from the facts rather than libvirt's words.
//! * [`types`]: plain data handed to the UI.
//! * Per machine: [`lifecycle`] (start, shut down, …, delete with the disks picked),
//!   [`details`] (hardware), [`snapshots`], [`machine_xml`], [`nics`] (network cards),
//!   [`shares`] (shared folders, with [`shared_folders`] for the XML and this computer's
//!   checks), [`agent_settings`] (clipboard, agents), [`usb`], [`uptime`], [`console`]
//!   (what a console needs; the virt-viewer command line) and [`viewer_window`] (raising
//!   an open console, X11), [`clone`] (a copy with progress, on a thread of its own),
//!   [`move_machine`] (to this computer's other connection, through two connections'
//!   streams, checked by SHA-256 before the original goes).
//! * [`xml_edit`]: edits libvirt XML in place, losing nothing; [`definition`]: a machine's
//!   next-start definition edited with it.
//! * Per connection: [`connection_facts`] (computer, hypervisor and versions, processors
//!   and memory), [`storage`] (pools and volumes), [`networks`] (virtual networks,
//!   subnet checks, DHCP leases), [`new_vm`] (host facts, proposals, creation) with
//!   [`osinfo`] (osinfo-db's facts for the proposal) and [`iso9660`] (is it a disc image).
//! * [`libosinfo`]: libosinfo's own answers — what a disc is, and the answer files it
//!   renders; [`express`]: express install (answers checked and patched, Bilik's own
//!   files where osinfo-db has none, the installer booted with them from its initrd or an
//!   answer disc, the install finished or started over).
//! * [`host_check`]: is this computer ready for virtual machines (KVM, packages, daemon,
//!   permissions, network, storage)? [`image_access`]: can qemu open a given disk image?

pub mod agent_settings;
pub mod clone;
pub mod connection_facts;
pub mod console;
pub mod definition;
pub mod details;
pub mod error;
pub mod event_loop;
pub mod events;
pub mod express;
pub mod host_check;
pub mod image_access;
pub mod iso9660;
pub mod libosinfo;
pub mod lifecycle;
pub mod machine_xml;
pub mod move_machine;
pub mod networks;
pub mod new_vm;
pub mod nics;
pub mod osinfo;
pub mod remote;
pub mod scancode;
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

pub use error::{ignored, BackendError, ErrorKind};
pub use types::{DiskInfo, DomainInfo, DomainStats, LifecycleAction, VmState};
pub use worker::{Connection, ConnectionHandle, Options, Request, Update};
