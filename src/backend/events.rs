//! libvirt's event loop thread and a small safe wrapper over event registration.
//!
//! The `virt` crate wraps libvirt's default event loop but not
//! `virConnectDomainEventRegisterAny` and its network / storage-pool / close-callback
//! siblings. This module is the only place in Bilik that calls those C functions.
//!
//! Design:
//! * [`start_event_loop`] registers libvirt's default event implementation and runs it on
//!   one thread of its own, once per process, before any connection opens (libvirt
//!   requires that order for event delivery).
//! * Every callback does one thing: it copies the few identifiers it receives (UUID,
//!   name, event codes) into an owned [`LibvirtEvent`] and sends it into a channel. No
//!   libvirt API that talks to the daemon is called from the event thread: the connection
//!   worker does that when it receives the event.
//! * The `opaque` pointer handed to libvirt is a `Box<EventSink>` that libvirt frees through
//!   our `free_sender` callback when the registration is removed, so nothing leaks.
//! * [`Registrations`] keeps the callback ids and deregisters them all on drop, before the
//!   connection it holds a reference to is released.

use std::ffi::{c_char, c_int, c_uint, c_void, CStr};
use std::sync::{Arc, OnceLock};

use virt::connect::Connect;
use virt::sys;

/// Something libvirt told us, copied out of the callback.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LibvirtEvent {
    /// A domain was defined, started, stopped, paused… (`event` and `detail` are libvirt's
    /// `virDomainEventType` and its detail code).
    DomainLifecycle {
        uuid: String,
        name: String,
        event: i32,
        detail: i32,
    },
    /// A device was hot-plugged or removed.
    DomainDevice {
        uuid: String,
        added: bool,
        alias: String,
    },
    /// The domain's `<metadata>`, `<title>` or `<description>` changed.
    DomainMetadata { uuid: String },
    /// The guest agent connected (`connected == true`) or disconnected.
    DomainAgent { uuid: String, connected: bool },
    /// A virtual network was defined, started, stopped or undefined.
    Network { name: String, event: i32 },
    /// A storage pool was defined, started, stopped, undefined or refreshed.
    StoragePool { name: String, event: i32 },
    /// The connection closed (daemon gone, keepalive timeout, …); `reason` is libvirt's
    /// `virConnectCloseReason`.
    ConnectionClosed { reason: i32 },
}

static EVENT_LOOP: OnceLock<Result<(), String>> = OnceLock::new();

/// Starts libvirt's event loop on its own thread ([`super::event_loop`]: not libvirt's
/// GLib-based default, which would run on GTK's main loop). Safe to call many times; only
/// the first call does anything. Must run before the first connection is opened.
pub fn start_event_loop() -> Result<(), String> {
    EVENT_LOOP
        .get_or_init(|| {
            // libvirt prints every error to stderr by default; Bilik reports them itself.
            virt::error::clear_error_callback();
            super::event_loop::register()
        })
        .clone()
}

/// Where callbacks deliver events: usually a closure that sends into the worker's channel.
/// It must not block (it runs on libvirt's event thread).
pub type EventSink = Arc<dyn Fn(LibvirtEvent) + Send + Sync>;
type EventSender = EventSink;

/// Which registry a callback id belongs to.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Domain,
    Network,
    Pool,
}

/// Live event registrations on one connection. Dropping it deregisters everything.
pub struct Registrations {
    conn: sys::virConnectPtr,
    ids: Vec<(Kind, c_int)>,
    close_registered: bool,
}

// SAFETY: libvirt connection objects are thread-safe; the struct only holds a counted
// reference and integer ids.
unsafe impl Send for Registrations {}

impl Registrations {
    /// Registers Bilik's domain, network, storage-pool and close callbacks on `conn`, each
    /// forwarding into the sink `tx`. Event kinds the driver does not support (e.g. some events on
    /// the test driver) are skipped; the lifecycle events are required.
    pub fn register(conn: &Connect, tx: &EventSender) -> Result<Registrations, virt::error::Error> {
        // SAFETY: `as_ptr` gives the live connection pointer; we take our own reference so
        // it outlives the `Connect` if the caller drops that first.
        let ptr = unsafe { conn.as_ptr() };
        unsafe { sys::virConnectRef(ptr) };
        let mut regs = Registrations {
            conn: ptr,
            ids: Vec::new(),
            close_registered: false,
        };

        // SAFETY (all registrations below): the callback signatures match the event ids
        // (libvirt casts them back by id), the opaque box is freed by `free_sender`.
        unsafe {
            regs.domain(
                sys::VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                std::mem::transmute::<
                    unsafe extern "C" fn(
                        sys::virConnectPtr,
                        sys::virDomainPtr,
                        c_int,
                        c_int,
                        *mut c_void,
                    ),
                    unsafe extern "C" fn(sys::virConnectPtr, sys::virDomainPtr, *mut c_void),
                >(on_domain_lifecycle),
                tx,
            )?;
            regs.network(tx)?;
            regs.pool(tx)?;
            // Optional events: absent on some drivers, never fatal.
            super::error::ignored(
                "an optional event this driver does not offer",
                regs.domain(
                    sys::VIR_DOMAIN_EVENT_ID_DEVICE_ADDED,
                    std::mem::transmute::<
                        unsafe extern "C" fn(
                            sys::virConnectPtr,
                            sys::virDomainPtr,
                            *const c_char,
                            *mut c_void,
                        ),
                        unsafe extern "C" fn(sys::virConnectPtr, sys::virDomainPtr, *mut c_void),
                    >(on_device_added),
                    tx,
                ),
            );
            super::error::ignored(
                "an optional event this driver does not offer",
                regs.domain(
                    sys::VIR_DOMAIN_EVENT_ID_DEVICE_REMOVED,
                    std::mem::transmute::<
                        unsafe extern "C" fn(
                            sys::virConnectPtr,
                            sys::virDomainPtr,
                            *const c_char,
                            *mut c_void,
                        ),
                        unsafe extern "C" fn(sys::virConnectPtr, sys::virDomainPtr, *mut c_void),
                    >(on_device_removed),
                    tx,
                ),
            );
            super::error::ignored(
                "an optional event this driver does not offer",
                regs.domain(
                    sys::VIR_DOMAIN_EVENT_ID_METADATA_CHANGE,
                    std::mem::transmute::<
                        unsafe extern "C" fn(
                            sys::virConnectPtr,
                            sys::virDomainPtr,
                            c_int,
                            *const c_char,
                            *mut c_void,
                        ),
                        unsafe extern "C" fn(sys::virConnectPtr, sys::virDomainPtr, *mut c_void),
                    >(on_metadata),
                    tx,
                ),
            );
            super::error::ignored(
                "an optional event this driver does not offer",
                regs.domain(
                    sys::VIR_DOMAIN_EVENT_ID_AGENT_LIFECYCLE,
                    std::mem::transmute::<
                        unsafe extern "C" fn(
                            sys::virConnectPtr,
                            sys::virDomainPtr,
                            c_int,
                            c_int,
                            *mut c_void,
                        ),
                        unsafe extern "C" fn(sys::virConnectPtr, sys::virDomainPtr, *mut c_void),
                    >(on_agent),
                    tx,
                ),
            );
            // The test driver has no close callback support: not an error.
            let opaque = Box::into_raw(Box::new(tx.clone())) as *mut c_void;
            if sys::virConnectRegisterCloseCallback(ptr, Some(on_close), opaque, Some(free_sender))
                == 0
            {
                regs.close_registered = true;
            } else {
                drop(Box::from_raw(opaque as *mut EventSender));
            }
        }
        Ok(regs)
    }

    /// How many callbacks are registered (for tests).
    pub fn count(&self) -> usize {
        self.ids.len() + usize::from(self.close_registered)
    }

    unsafe fn domain(
        &mut self,
        id: c_uint,
        cb: unsafe extern "C" fn(sys::virConnectPtr, sys::virDomainPtr, *mut c_void),
        tx: &EventSender,
    ) -> Result<(), virt::error::Error> {
        let opaque = Box::into_raw(Box::new(tx.clone())) as *mut c_void;
        let ret = sys::virConnectDomainEventRegisterAny(
            self.conn,
            std::ptr::null_mut(),
            id as c_int,
            Some(cb),
            opaque,
            Some(free_sender),
        );
        if ret < 0 {
            // libvirt does not call freecb when registration fails.
            drop(Box::from_raw(opaque as *mut EventSender));
            return Err(virt::error::Error::last_error());
        }
        self.ids.push((Kind::Domain, ret));
        Ok(())
    }

    unsafe fn network(&mut self, tx: &EventSender) -> Result<(), virt::error::Error> {
        let opaque = Box::into_raw(Box::new(tx.clone())) as *mut c_void;
        let ret = sys::virConnectNetworkEventRegisterAny(
            self.conn,
            std::ptr::null_mut(),
            sys::VIR_NETWORK_EVENT_ID_LIFECYCLE as c_int,
            Some(std::mem::transmute::<
                unsafe extern "C" fn(
                    sys::virConnectPtr,
                    sys::virNetworkPtr,
                    c_int,
                    c_int,
                    *mut c_void,
                ),
                unsafe extern "C" fn(sys::virConnectPtr, sys::virNetworkPtr, *mut c_void),
            >(on_network)),
            opaque,
            Some(free_sender),
        );
        if ret < 0 {
            drop(Box::from_raw(opaque as *mut EventSender));
            return Err(virt::error::Error::last_error());
        }
        self.ids.push((Kind::Network, ret));
        Ok(())
    }

    unsafe fn pool(&mut self, tx: &EventSender) -> Result<(), virt::error::Error> {
        let opaque = Box::into_raw(Box::new(tx.clone())) as *mut c_void;
        let ret = sys::virConnectStoragePoolEventRegisterAny(
            self.conn,
            std::ptr::null_mut(),
            sys::VIR_STORAGE_POOL_EVENT_ID_LIFECYCLE as c_int,
            Some(std::mem::transmute::<
                unsafe extern "C" fn(
                    sys::virConnectPtr,
                    sys::virStoragePoolPtr,
                    c_int,
                    c_int,
                    *mut c_void,
                ),
                unsafe extern "C" fn(sys::virConnectPtr, sys::virStoragePoolPtr, *mut c_void),
            >(on_pool)),
            opaque,
            Some(free_sender),
        );
        if ret < 0 {
            drop(Box::from_raw(opaque as *mut EventSender));
            return Err(virt::error::Error::last_error());
        }
        self.ids.push((Kind::Pool, ret));
        Ok(())
    }
}

impl Drop for Registrations {
    fn drop(&mut self) {
        // SAFETY: the ids were returned by the matching register calls on this connection,
        // which we hold a reference to until the end of this function. Failures are ignored:
        // on a dead connection libvirt has already dropped the callbacks (and freed the
        // opaque data through `free_sender`).
        unsafe {
            for (kind, id) in self.ids.drain(..) {
                match kind {
                    Kind::Domain => sys::virConnectDomainEventDeregisterAny(self.conn, id),
                    Kind::Network => sys::virConnectNetworkEventDeregisterAny(self.conn, id),
                    Kind::Pool => sys::virConnectStoragePoolEventDeregisterAny(self.conn, id),
                };
            }
            if self.close_registered {
                sys::virConnectUnregisterCloseCallback(self.conn, Some(on_close));
            }
            sys::virConnectClose(self.conn);
        }
    }
}

unsafe extern "C" fn free_sender(opaque: *mut c_void) {
    drop(Box::from_raw(opaque as *mut EventSender));
}

unsafe fn sender<'a>(opaque: *mut c_void) -> &'a EventSender {
    &*(opaque as *const EventSender)
}

unsafe fn cstr(p: *const c_char) -> String {
    if p.is_null() {
        String::new()
    } else {
        CStr::from_ptr(p).to_string_lossy().into_owned()
    }
}

/// UUID and name of a domain: both are local fields of the handle, no daemon round trip.
unsafe fn domain_ids(dom: sys::virDomainPtr) -> (String, String) {
    let mut buf = [0 as c_char; sys::VIR_UUID_STRING_BUFLEN as usize];
    let uuid = if sys::virDomainGetUUIDString(dom, buf.as_mut_ptr()) == 0 {
        cstr(buf.as_ptr())
    } else {
        String::new()
    };
    (uuid, cstr(sys::virDomainGetName(dom)))
}

unsafe extern "C" fn on_domain_lifecycle(
    _c: sys::virConnectPtr,
    dom: sys::virDomainPtr,
    event: c_int,
    detail: c_int,
    opaque: *mut c_void,
) {
    let (uuid, name) = domain_ids(dom);
    (sender(opaque))(LibvirtEvent::DomainLifecycle {
        uuid,
        name,
        event,
        detail,
    });
}

unsafe extern "C" fn on_device_added(
    _c: sys::virConnectPtr,
    dom: sys::virDomainPtr,
    alias: *const c_char,
    opaque: *mut c_void,
) {
    let (uuid, _) = domain_ids(dom);
    (sender(opaque))(LibvirtEvent::DomainDevice {
        uuid,
        added: true,
        alias: cstr(alias),
    });
}

unsafe extern "C" fn on_device_removed(
    _c: sys::virConnectPtr,
    dom: sys::virDomainPtr,
    alias: *const c_char,
    opaque: *mut c_void,
) {
    let (uuid, _) = domain_ids(dom);
    (sender(opaque))(LibvirtEvent::DomainDevice {
        uuid,
        added: false,
        alias: cstr(alias),
    });
}

unsafe extern "C" fn on_metadata(
    _c: sys::virConnectPtr,
    dom: sys::virDomainPtr,
    _type: c_int,
    _nsuri: *const c_char,
    opaque: *mut c_void,
) {
    let (uuid, _) = domain_ids(dom);
    (sender(opaque))(LibvirtEvent::DomainMetadata { uuid });
}

unsafe extern "C" fn on_agent(
    _c: sys::virConnectPtr,
    dom: sys::virDomainPtr,
    state: c_int,
    _reason: c_int,
    opaque: *mut c_void,
) {
    let (uuid, _) = domain_ids(dom);
    let connected = state == sys::VIR_CONNECT_DOMAIN_EVENT_AGENT_LIFECYCLE_STATE_CONNECTED as c_int;
    (sender(opaque))(LibvirtEvent::DomainAgent { uuid, connected });
}

unsafe extern "C" fn on_network(
    _c: sys::virConnectPtr,
    net: sys::virNetworkPtr,
    event: c_int,
    _detail: c_int,
    opaque: *mut c_void,
) {
    let name = cstr(sys::virNetworkGetName(net));
    (sender(opaque))(LibvirtEvent::Network { name, event });
}

unsafe extern "C" fn on_pool(
    _c: sys::virConnectPtr,
    pool: sys::virStoragePoolPtr,
    event: c_int,
    _detail: c_int,
    opaque: *mut c_void,
) {
    let name = cstr(sys::virStoragePoolGetName(pool));
    (sender(opaque))(LibvirtEvent::StoragePool { name, event });
}

unsafe extern "C" fn on_close(_c: sys::virConnectPtr, reason: c_int, opaque: *mut c_void) {
    (sender(opaque))(LibvirtEvent::ConnectionClosed { reason });
}
