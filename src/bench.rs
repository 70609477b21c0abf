//! Opt-in measurements for `build-aux/bench` (set `BILIK_BENCH=1`): Bilik prints one line
//! when the complete machine list has been shown, with the longest main-loop stall seen
//! until then. Nothing runs when the variable is unset.

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
