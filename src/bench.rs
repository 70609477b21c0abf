//! Opt-in measurements for `build-aux/bench` (set `BILIK_BENCH=1`): Bilik prints one line
//! when the complete machine list has been shown, with the longest main-loop stall seen
//! until then. Nothing runs when the variable is unset.
//!
//! Two more for `build-aux/soak` and the benchmark's event storm, each off unless its
//! variable is set: `BILIK_BENCH_STALLS=1` keeps watching the main loop and prints every
//! stall of 20 ms or more with the time it ended; `BILIK_LIST_FILE=path` writes the list as
//! shown (name and state of every row, and whether the connection is up) to `path` after
//! each change, so that a script can compare it with `virsh list --all`.

use std::cell::Cell;
use std::rc::Rc;
use std::time::{Duration, Instant};

thread_local! {
    static MONITOR: Cell<Option<Rc<Stalls>>> = const { Cell::new(None) };
}

struct Stalls {
    last: Cell<Instant>,
    max: Cell<Duration>,
    reported: Cell<bool>,
}

pub fn enabled() -> bool {
    std::env::var_os("BILIK_BENCH").is_some()
}

static STARTED: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();

/// Prints how long after `run()` began a step was reached (only under `BILIK_BENCH`), to
/// see where the time to the first list goes.
pub fn mark(step: &str) {
    if enabled() {
        let since = STARTED.get_or_init(Instant::now).elapsed();
        println!(
            "bilik-bench: mark {step} {:.1} ms",
            since.as_secs_f64() * 1000.0
        );
    }
}

/// Starts watching the main loop: a 5 ms timer whose lateness is the stall.
pub fn start() {
    if !enabled() {
        return;
    }
    glib::idle_add_local_once(|| mark("first-idle"));
    let s = Rc::new(Stalls {
        last: Cell::new(Instant::now()),
        max: Cell::new(Duration::ZERO),
        reported: Cell::new(false),
    });
    let t = s.clone();
    glib::timeout_add_local(Duration::from_millis(5), move || {
        if t.reported.get() {
            // Measured; a 5 ms timer would otherwise show up in the idle CPU figure.
            return glib::ControlFlow::Break;
        }
        let now = Instant::now();
        let gap = now.duration_since(t.last.get());
        if gap > t.max.get() {
            t.max.set(gap);
        }
        t.last.set(now);
        glib::ControlFlow::Continue
    });
    MONITOR.with(|m| m.set(Some(s)));
    if std::env::var_os("BILIK_BENCH_STALLS").is_some() {
        watch_stalls();
    }
}

/// A 5 ms timer that never stops: every lateness of 20 ms or more is printed with the
/// moment it ended (CLOCK_MONOTONIC, as Python's `time.monotonic()`), so that a script can
/// take the longest stall inside a period of its own (the storm).
/// With each stall, the CPU time the main thread used during it (`cpu-ms`): a stall with
/// little of it is the thread waiting for a core the host gave to others, not Bilik's work.
fn watch_stalls() {
    let last = Cell::new((Instant::now(), thread_cpu()));
    glib::timeout_add_local(Duration::from_millis(5), move || {
        let (now, cpu) = (Instant::now(), thread_cpu());
        let (then, cpu_then) = last.replace((now, cpu));
        let gap = now.duration_since(then);
        if gap >= Duration::from_millis(20) {
            println!(
                "bilik-bench: stall at={:.3} ms={:.1} cpu-ms={:.1}",
                glib::monotonic_time() as f64 / 1e6,
                gap.as_secs_f64() * 1000.0,
                (cpu - cpu_then).as_secs_f64() * 1000.0
            );
        }
        glib::ControlFlow::Continue
    });
}

/// CPU time used by the calling thread.
fn thread_cpu() -> Duration {
    let mut t = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes the timespec it is given.
    if unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) } != 0 {
        return Duration::ZERO;
    }
    Duration::new(t.tv_sec as u64, t.tv_nsec as u32)
}

thread_local! {
    /// `BILIK_LIST_FILE`: whether the connection is up, and whether a write is due.
    static LIST_FILE: Cell<(bool, bool)> = const { Cell::new((false, false)) };
}

/// The list changed (or the connection's state did: `up`): under `BILIK_LIST_FILE`, the
/// rows of `model` are written there at most every 50 ms, on a thread of their own, after
/// a line with the heap's bytes in use and held (glibc's `mallinfo2`).
pub fn list_changed(model: &gio::ListStore, up: Option<bool>) {
    let Some(path) = std::env::var_os("BILIK_LIST_FILE") else {
        return;
    };
    let (was_up, due) = LIST_FILE.get();
    LIST_FILE.set((up.unwrap_or(was_up), true));
    if due {
        return;
    }
    let model = model.clone();
    glib::timeout_add_local_once(Duration::from_millis(50), move || {
        use gio::prelude::*;
        let (up, _) = LIST_FILE.get();
        LIST_FILE.set((up, false));
        // The heap in use next to the RSS the soak reads: memory that is still in use
        // grows with a leak; memory only kept by the allocator does not.
        // SAFETY: mallinfo2 only reads glibc's counters.
        let heap = unsafe { libc::mallinfo2() };
        let mut text = format!(
            "connection {}\nheap in-use={} held={}\n",
            if up { "up" } else { "down" },
            heap.uordblks + heap.hblkhd,
            heap.arena + heap.hblkhd
        );
        for vm in model.iter::<crate::model::VmObject>().flatten() {
            text.push_str(&format!("{}\t{:?}\n", vm.name(), vm.vm_state()));
        }
        list_writer(std::path::PathBuf::from(path), text);
    });
}

/// Writes the lists in order on one thread (a later list never overwritten by an earlier
/// one), each through a temporary file and a rename so that a reader sees whole lists.
fn list_writer(path: std::path::PathBuf, text: String) {
    use std::sync::mpsc::{channel, Sender};
    use std::sync::{Mutex, OnceLock};
    static WRITER: OnceLock<Mutex<Sender<(std::path::PathBuf, String)>>> = OnceLock::new();
    let tx = WRITER.get_or_init(|| {
        let (tx, rx) = channel::<(std::path::PathBuf, String)>();
        std::thread::spawn(move || {
            for (path, text) in rx {
                let tmp = path.with_extension("tmp");
                if let Err(e) =
                    std::fs::write(&tmp, text).and_then(|()| std::fs::rename(&tmp, &path))
                {
                    log::warn!("could not write the list to {}: {e}", path.display());
                }
            }
        });
        Mutex::new(tx)
    });
    if let Ok(tx) = tx.lock() {
        crate::backend::error::ignored(
            "writing the list (its thread ended)",
            tx.send((path, text)),
        );
    }
}

thread_local! {
    /// Console pictures since the last report, and when that period began.
    static FRAMES: Cell<(u32, Option<Instant>)> = const { Cell::new((0, None)) };
}

/// A new picture of a console's screen was handed to GTK (`build-aux/bench-console`):
/// every 5 s a line "bilik-bench: console-frames n=N seconds=S".
pub fn console_frame() {
    if !enabled() {
        return;
    }
    FRAMES.with(|f| {
        let (n, since) = f.get();
        let now = Instant::now();
        let since = since.unwrap_or(now);
        let elapsed = now.duration_since(since);
        if elapsed >= Duration::from_secs(5) {
            println!(
                "bilik-bench: console-frames n={} seconds={:.3}",
                n + 1,
                elapsed.as_secs_f64()
            );
            f.set((0, Some(now)));
        } else {
            f.set((n + 1, Some(since)));
        }
    });
}

/// Called when a complete list of `n` machines was handed to `view`: reports once a frame
/// showing it has been painted (after the window is mapped, if it is not yet).
pub fn list_applied(n: usize, view: &gtk::Widget) {
    if !enabled() {
        return;
    }
    after_next_paint(view, move || {
        MONITOR.with(|m| {
            let s = m.take();
            if let Some(s) = &s {
                if !s.reported.replace(true) {
                    mark("list-painted");
                    println!(
                        "bilik-bench: list-shown machines={n} max-stall-ms={:.1}",
                        s.max.get().as_secs_f64() * 1000.0
                    );
                }
            }
            m.set(s);
        });
    });
}

/// Runs `f` once, after the next frame that paints `widget`.
fn after_next_paint(widget: &gtk::Widget, f: impl FnOnce() + 'static) {
    use gtk::prelude::*;
    let Some(clock) = widget.frame_clock().filter(|_| widget.is_mapped()) else {
        let handler = Rc::new(Cell::new(None));
        let (h, f) = (handler.clone(), Cell::new(Some(f)));
        handler.set(Some(widget.connect_map(move |w| {
            if let (Some(id), Some(f)) = (h.take(), f.take()) {
                w.disconnect(id);
                after_next_paint(w, f);
            }
        })));
        return;
    };
    let handler = Rc::new(Cell::new(None));
    let (h, f, c) = (handler.clone(), Cell::new(Some(f)), clock.clone());
    handler.set(Some(clock.connect_after_paint(move |_| {
        if let (Some(id), Some(f)) = (h.take(), f.take()) {
            f();
            // Not from inside the emission.
            let c = c.clone();
            glib::idle_add_local_once(move || c.disconnect(id));
        }
    })));
    widget.queue_draw();
}
