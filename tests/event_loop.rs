//! Bilik's libvirt event loop (src/backend/event_loop.rs) driven through libvirt's own public
//! event API, as libvirt's drivers use it: timeouts fire at their period, every round at 0,
//! never at -1; a callback may remove its own timeout; a handle reports a readable pipe;
//! every removed callback's free function runs exactly once, on the loop's thread.

use std::os::raw::{c_int, c_void};
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use virt::sys;

static FIRED: AtomicI32 = AtomicI32::new(0);
static FREED: AtomicI32 = AtomicI32::new(0);
static READS: AtomicI32 = AtomicI32::new(0);
static THREADS: Mutex<Vec<String>> = Mutex::new(Vec::new());

fn note_thread() {
    let name = std::thread::current().name().unwrap_or("?").to_string();
    THREADS.lock().unwrap().push(name);
}

unsafe extern "C" fn on_timer(timer: c_int, _opaque: *mut c_void) {
    note_thread();
    // The third call removes its own timeout, from inside the callback.
    if FIRED.fetch_add(1, Ordering::SeqCst) + 1 == 3 {
        assert_eq!(sys::virEventRemoveTimeout(timer), 0);
    }
}

unsafe extern "C" fn on_readable(_watch: c_int, fd: c_int, events: c_int, _opaque: *mut c_void) {
    note_thread();
    if events & sys::VIR_EVENT_HANDLE_READABLE as c_int != 0 {
        let mut buf = [0u8; 16];
        libc::read(fd, buf.as_mut_ptr().cast(), buf.len());
        READS.fetch_add(1, Ordering::SeqCst);
    }
}

unsafe extern "C" fn free_opaque(_opaque: *mut c_void) {
    note_thread();
    FREED.fetch_add(1, Ordering::SeqCst);
}

fn wait_until(what: &str, f: impl Fn() -> bool) {
    let end = Instant::now() + Duration::from_secs(5);
    while !f() {
        assert!(Instant::now() < end, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn timeouts_handles_and_free_functions() {
    bilik::backend::events::start_event_loop().expect("event loop");

    // A 20 ms timeout fires three times, then removes itself; its free function runs once.
    let t0 = Instant::now();
    let timer = unsafe {
        sys::virEventAddTimeout(20, Some(on_timer), std::ptr::null_mut(), Some(free_opaque))
    };
    assert!(timer > 0);
    wait_until("three timer calls and the free", || {
        FREED.load(Ordering::SeqCst) == 1
    });
    let took = t0.elapsed();
    assert_eq!(FIRED.load(Ordering::SeqCst), 3);
    assert!(
        took >= Duration::from_millis(55),
        "three 20 ms periods took {took:?}"
    );
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(
        FIRED.load(Ordering::SeqCst),
        3,
        "a removed timeout stays quiet"
    );
    assert_eq!(
        unsafe { sys::virEventRemoveTimeout(timer) },
        -1,
        "already removed"
    );

    // A disabled timeout (-1) never fires; enabled at 0 it fires on the next round.
    FIRED.store(10, Ordering::SeqCst);
    let idle = unsafe {
        sys::virEventAddTimeout(-1, Some(on_timer), std::ptr::null_mut(), Some(free_opaque))
    };
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(FIRED.load(Ordering::SeqCst), 10);
    unsafe { sys::virEventUpdateTimeout(idle, 0) };
    wait_until("the enabled timeout", || FIRED.load(Ordering::SeqCst) > 10);
    unsafe { sys::virEventUpdateTimeout(idle, -1) };
    assert_eq!(unsafe { sys::virEventRemoveTimeout(idle) }, 0);
    wait_until("the second free", || FREED.load(Ordering::SeqCst) == 2);

    // A handle on a pipe: writing makes it readable.
    let mut fds = [0 as c_int; 2];
    assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
    let watch = unsafe {
        sys::virEventAddHandle(
            fds[0],
            sys::VIR_EVENT_HANDLE_READABLE as c_int,
            Some(on_readable),
            std::ptr::null_mut(),
            Some(free_opaque),
        )
    };
    assert!(watch > 0);
    unsafe { libc::write(fds[1], b"x".as_ptr().cast(), 1) };
    wait_until("the pipe read", || READS.load(Ordering::SeqCst) == 1);
    assert_eq!(unsafe { sys::virEventRemoveHandle(watch) }, 0);
    wait_until("the third free", || FREED.load(Ordering::SeqCst) == 3);
    unsafe { libc::write(fds[1], b"y".as_ptr().cast(), 1) };
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(
        READS.load(Ordering::SeqCst),
        1,
        "a removed handle is not called"
    );
    unsafe {
        libc::close(fds[0]);
        libc::close(fds[1]);
    }

    // Everything ran on the loop's own thread, never on the caller's.
    let threads = THREADS.lock().unwrap();
    assert!(!threads.is_empty());
    assert!(
        threads.iter().all(|t| t == "libvirt-events"),
        "callbacks ran on {threads:?}"
    );
}
