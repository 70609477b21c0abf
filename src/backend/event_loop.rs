//! libvirt's event loop, on a thread of its own.
//!
//! Why not `virEventRegisterDefaultImpl`: since libvirt 6 the default implementation is
//! built on GLib and attaches its watches to GLib's *global default* main context, the one
//! GTK's main loop owns. The thread meant to run it then waits for that context forever
//! while the GTK main thread dispatches libvirt's socket reads and timers; and a connection
//! opened before GTK starts would make that thread take the context from GTK (GApplication
//! then refuses to run). So Bilik registers this small poll(2) loop instead
//! (`virEventRegisterImpl`), with the semantics libvirt documents for an implementation:
//!
//! * handles watch a file descriptor for libvirt's READABLE / WRITABLE (ERROR and HANGUP
//!   are always reported); timeouts fire every `frequency` ms, every iteration when 0,
//!   never when -1;
//! * callbacks may add, update or remove handles and timeouts, so no lock is held while
//!   one runs;
//! * a removed handle's or timeout's free function runs later, from the loop, never inside
//!   the remove call (libvirt may hold its own locks there);
//! * any change wakes the loop (a self-pipe), so the next poll sees it.

use std::os::raw::{c_int, c_void};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use virt::sys;

/// libvirt's opaque pointer, handed back to its own callbacks only on the loop thread.
#[derive(Clone, Copy)]
struct Opaque(*mut c_void);
// SAFETY: Bilik never dereferences it; libvirt's callbacks that do are thread-safe (libvirt
// requires event implementations to be callable from any thread).
unsafe impl Send for Opaque {}

struct Handle {
    id: c_int,
    fd: c_int,
    events: c_int,
    cb: sys::virEventHandleCallback,
    opaque: Opaque,
    ff: sys::virFreeCallback,
    removed: bool,
}

struct Timer {
    id: c_int,
    /// Milliseconds; -1 disabled, 0 every iteration.
    frequency: c_int,
    due: Instant,
    cb: sys::virEventTimeoutCallback,
    opaque: Opaque,
    ff: sys::virFreeCallback,
    removed: bool,
}

struct State {
    handles: Vec<Handle>,
    timers: Vec<Timer>,
    next_id: c_int,
}

static STATE: Mutex<State> = Mutex::new(State {
    handles: Vec::new(),
    timers: Vec::new(),
    next_id: 1,
});

/// The self-pipe: [read end, write end].
static WAKE: OnceLock<[c_int; 2]> = OnceLock::new();

fn state() -> std::sync::MutexGuard<'static, State> {
    // A panic in a callback cannot poison this lock (none runs under it), but be robust.
    STATE.lock().unwrap_or_else(|e| e.into_inner())
}

fn wake() {
    if let Some(&[_, w]) = WAKE.get() {
        let b = 1u8;
        // SAFETY: writing one byte from a valid buffer to our own non-blocking pipe; a full
        // pipe already guarantees a wake-up, so the result does not matter.
        unsafe { libc::write(w, (&b as *const u8).cast(), 1) };
    }
}

/// Registers this implementation with libvirt and starts its thread. Call once, before any
/// connection opens.
pub fn register() -> Result<(), String> {
    let mut fds = [0 as c_int; 2];
    // SAFETY: pipe2 fills two descriptors into a valid array.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_NONBLOCK | libc::O_CLOEXEC) } != 0 {
        return Err(format!("pipe2: {}", std::io::Error::last_os_error()));
    }
    WAKE.set(fds)
        .map_err(|_| "libvirt's event loop was registered twice".to_string())?;
    // SAFETY: the functions below follow the signatures and rules libvirt documents for
    // virEventRegisterImpl; they stay valid for the life of the process.
    unsafe {
        sys::virEventRegisterImpl(
            Some(add_handle),
            Some(update_handle),
            Some(remove_handle),
            Some(add_timeout),
            Some(update_timeout),
            Some(remove_timeout),
        )
    };
    std::thread::Builder::new()
        .name("libvirt-events".into())
        .spawn(move || loop {
            run_once(fds[0]);
        })
        .map_err(|e| e.to_string())?;
    Ok(())
}

fn to_poll(events: c_int) -> libc::c_short {
    let mut p = 0;
    if events & sys::VIR_EVENT_HANDLE_READABLE as c_int != 0 {
        p |= libc::POLLIN;
    }
    if events & sys::VIR_EVENT_HANDLE_WRITABLE as c_int != 0 {
        p |= libc::POLLOUT;
    }
    p
}

fn from_poll(revents: libc::c_short) -> c_int {
    let mut e = 0;
    let map = [
        (libc::POLLIN, sys::VIR_EVENT_HANDLE_READABLE),
        (libc::POLLOUT, sys::VIR_EVENT_HANDLE_WRITABLE),
        (libc::POLLERR, sys::VIR_EVENT_HANDLE_ERROR),
        (libc::POLLNVAL, sys::VIR_EVENT_HANDLE_ERROR),
        (libc::POLLHUP, sys::VIR_EVENT_HANDLE_HANGUP),
    ];
    for (p, v) in map {
        if revents & p != 0 {
            e |= v as c_int;
        }
    }
    e
}

/// One round: wait for a descriptor or the next timeout, run what is due, then free what
/// was removed.
fn run_once(wake_fd: c_int) {
    let now = Instant::now();
    let (mut fds, ids, timeout) = {
        let st = state();
        let mut fds = vec![libc::pollfd {
            fd: wake_fd,
            events: libc::POLLIN,
            revents: 0,
        }];
        let mut ids = vec![0];
        for h in st.handles.iter().filter(|h| !h.removed && h.events != 0) {
            fds.push(libc::pollfd {
                fd: h.fd,
                events: to_poll(h.events),
                revents: 0,
            });
            ids.push(h.id);
        }
        let next = st
            .timers
            .iter()
            .filter(|t| !t.removed && t.frequency >= 0)
            .map(|t| t.due.saturating_duration_since(now))
            .min();
        let timeout = next.map_or(-1, |d| {
            // Round up: waking a little early would only spin.
            c_int::try_from(d.as_millis() + u128::from(d.subsec_nanos() % 1_000_000 != 0))
                .unwrap_or(c_int::MAX)
        });
        (fds, ids, timeout)
    };
    // SAFETY: fds is a valid array of fds.len() pollfd structures.
    let n = unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, timeout) };
    if n < 0 {
        // EINTR; anything else is retried on the next round too.
        return;
    }
    if fds[0].revents != 0 {
        let mut buf = [0u8; 64];
        // SAFETY: reading into a valid buffer from our own non-blocking pipe.
        while unsafe { libc::read(wake_fd, buf.as_mut_ptr().cast(), buf.len()) } > 0 {}
    }

    // Timers first, as libvirt's own loops did.
    let now = Instant::now();
    let due: Vec<c_int> = state()
        .timers
        .iter()
        .filter(|t| !t.removed && t.frequency >= 0 && t.due <= now)
        .map(|t| t.id)
        .collect();
    for id in due {
        let call = {
            let mut st = state();
            st.timers
                .iter_mut()
                .find(|t| t.id == id && !t.removed && t.frequency >= 0)
                .map(|t| {
                    t.due = now + Duration::from_millis(t.frequency as u64);
                    (t.cb, t.opaque)
                })
        };
        if let Some((Some(cb), opaque)) = call {
            // SAFETY: libvirt's callback with the opaque pointer it registered.
            unsafe { cb(id, opaque.0) };
        }
    }

    for (pfd, &id) in fds.iter().zip(&ids).skip(1) {
        if pfd.revents == 0 {
            continue;
        }
        let call = state()
            .handles
            .iter()
            .find(|h| h.id == id && !h.removed)
            .map(|h| (h.cb, h.opaque, h.fd));
        if let Some((Some(cb), opaque, fd)) = call {
            // SAFETY: as above.
            unsafe { cb(id, fd, from_poll(pfd.revents), opaque.0) };
        }
    }

    // Free what was removed, outside the lock (a free function may call back into us).
    let freed: Vec<(sys::virFreeCallback, Opaque)> = {
        let mut st = state();
        let mut out = Vec::new();
        st.handles.retain(|h| {
            if h.removed {
                out.push((h.ff, h.opaque));
            }
            !h.removed
        });
        st.timers.retain(|t| {
            if t.removed {
                out.push((t.ff, t.opaque));
            }
            !t.removed
        });
        out
    };
    for (ff, opaque) in freed {
        if let Some(ff) = ff {
            // SAFETY: libvirt's free function for its own opaque pointer, called once.
            unsafe { ff(opaque.0) };
        }
    }
}

/// Adds an entry made by `push` under a fresh id, then wakes the loop to see it.
fn add(push: impl FnOnce(&mut State, c_int)) -> c_int {
    let id = {
        let mut st = state();
        let id = st.next_id;
        st.next_id = st.next_id.checked_add(1).unwrap_or(1);
        push(&mut st, id);
        id
    };
    wake();
    id
}

unsafe extern "C" fn add_handle(
    fd: c_int,
    events: c_int,
    cb: sys::virEventHandleCallback,
    opaque: *mut c_void,
    ff: sys::virFreeCallback,
) -> c_int {
    add(|st, id| {
        st.handles.push(Handle {
            id,
            fd,
            events,
            cb,
            opaque: Opaque(opaque),
            ff,
            removed: false,
        })
    })
}

/// What handles and timeouts share: an id, and a mark for removal.
trait Entry {
    fn id(&self) -> c_int;
    fn removed(&self) -> bool;
    fn remove(&mut self);
}

macro_rules! entry {
    ($t:ty) => {
        impl Entry for $t {
            fn id(&self) -> c_int {
                self.id
            }
            fn removed(&self) -> bool {
                self.removed
            }
            fn remove(&mut self) {
                self.removed = true;
            }
        }
    };
}
entry!(Handle);
entry!(Timer);

/// Changes the live entry `id` of one list with `f`, then wakes the loop to see it. False
/// when there is no such entry.
fn change<T: Entry>(
    list: impl FnOnce(&mut State) -> &mut Vec<T>,
    id: c_int,
    f: impl FnOnce(&mut T),
) -> bool {
    let found = {
        let mut st = state();
        list(&mut st)
            .iter_mut()
            .find(|e| e.id() == id && !e.removed())
            .map(f)
            .is_some()
    };
    wake();
    found
}

/// libvirt's convention for a removal: 0 done, -1 no such id.
fn removal<T: Entry>(list: impl FnOnce(&mut State) -> &mut Vec<T>, id: c_int) -> c_int {
    if change(list, id, |e| e.remove()) {
        0
    } else {
        -1
    }
}

unsafe extern "C" fn update_handle(watch: c_int, events: c_int) {
    change(|st| &mut st.handles, watch, |h| h.events = events);
}

unsafe extern "C" fn remove_handle(watch: c_int) -> c_int {
    removal(|st| &mut st.handles, watch)
}

unsafe extern "C" fn add_timeout(
    frequency: c_int,
    cb: sys::virEventTimeoutCallback,
    opaque: *mut c_void,
    ff: sys::virFreeCallback,
) -> c_int {
    add(|st, id| {
        st.timers.push(Timer {
            id,
            frequency,
            due: Instant::now() + Duration::from_millis(frequency.max(0) as u64),
            cb,
            opaque: Opaque(opaque),
            ff,
            removed: false,
        })
    })
}

unsafe extern "C" fn update_timeout(timer: c_int, frequency: c_int) {
    change(
        |st| &mut st.timers,
        timer,
        |t| {
            t.frequency = frequency;
            t.due = Instant::now() + Duration::from_millis(frequency.max(0) as u64);
        },
    );
}

unsafe extern "C" fn remove_timeout(timer: c_int) -> c_int {
    removal(|st| &mut st.timers, timer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn poll_flags_map_both_ways() {
        let rw = (sys::VIR_EVENT_HANDLE_READABLE | sys::VIR_EVENT_HANDLE_WRITABLE) as c_int;
        assert_eq!(to_poll(rw), libc::POLLIN | libc::POLLOUT);
        assert_eq!(
            from_poll(libc::POLLIN | libc::POLLHUP),
            (sys::VIR_EVENT_HANDLE_READABLE | sys::VIR_EVENT_HANDLE_HANGUP) as c_int
        );
        assert_eq!(
            from_poll(libc::POLLNVAL),
            sys::VIR_EVENT_HANDLE_ERROR as c_int
        );
    }
}
