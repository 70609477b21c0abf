//! Small live graphs of the last few minutes (CPU, memory, disk, network) drawn with cairo:
//! one or two lines per graph, scaled to the largest value shown (CPU to 100 %). GTK only
//! draws what is on screen, so a hidden window costs nothing.

use std::cell::RefCell;
use std::rc::Rc;

use gtk::prelude::*;

use crate::model::stats_history::{Sample, KEEP};

type Series = fn(&Sample) -> f64;
/// The figure shown beside a graph's title.
type Reading = fn(&[Sample]) -> String;
/// Title, lines, fixed top of the scale (None: the largest value), reading.
type Spec = (String, Vec<Series>, Option<f64>, Reading);

struct Chart {
    area: gtk::DrawingArea,
    value: gtk::Label,
}

pub struct Graphs {
    root: gtk::Grid,
    samples: Rc<RefCell<Vec<Sample>>>,
    charts: Vec<(Chart, Reading)>,
}

fn rate(bps: f64) -> String {
    format!(
        "{}/s",
        glib::format_size_full(bps.max(0.0) as u64, glib::FormatSizeFlags::DEFAULT)
    )
}

const COLOURS: [(f64, f64, f64); 2] = [(0.21, 0.52, 0.89), (0.90, 0.38, 0.0)];

impl Graphs {
    pub fn new() -> Graphs {
        let root = gtk::Grid::builder()
            .column_spacing(18)
            .row_spacing(6)
            .column_homogeneous(true)
            .build();
        let samples: Rc<RefCell<Vec<Sample>>> = Rc::default();
        let specs: Vec<Spec> = vec![
            (
                gettextrs::gettext("CPU"),
                vec![|s: &Sample| s.cpu_percent],
                Some(100.0),
                |v: &[Sample]| {
                    v.last()
                        .map(|s| format!("{:.0} %", s.cpu_percent))
                        .unwrap_or_default()
                },
            ),
            (
                gettextrs::gettext("Memory"),
                vec![|s: &Sample| s.memory_kib as f64],
                None,
                |v: &[Sample]| {
                    v.last()
                        .map(|s| crate::model::vm_state::memory(s.memory_kib))
                        .unwrap_or_default()
                },
            ),
            (
                gettextrs::gettext("Disk read / write"),
                vec![|s: &Sample| s.disk_read_bps, |s: &Sample| s.disk_write_bps],
                None,
                |v: &[Sample]| {
                    v.last()
                        .map(|s| format!("{} / {}", rate(s.disk_read_bps), rate(s.disk_write_bps)))
                        .unwrap_or_default()
                },
            ),
            (
                gettextrs::gettext("Network in / out"),
                vec![|s: &Sample| s.net_rx_bps, |s: &Sample| s.net_tx_bps],
                None,
                |v: &[Sample]| {
                    v.last()
                        .map(|s| format!("{} / {}", rate(s.net_rx_bps), rate(s.net_tx_bps)))
                        .unwrap_or_default()
                },
            ),
        ];
        let mut charts = Vec::new();
        for (i, (title, series, fixed_max, text)) in specs.into_iter().enumerate() {
            let b = gtk::Box::new(gtk::Orientation::Vertical, 4);
            let head = gtk::Box::new(gtk::Orientation::Horizontal, 6);
            head.append(
                &gtk::Label::builder()
                    .label(&title)
                    .xalign(0.0)
                    .hexpand(true)
                    .css_classes(["caption-heading"])
                    .build(),
            );
            let value = gtk::Label::builder()
                .xalign(1.0)
                .css_classes(["caption", "numeric", "dim-label"])
                .build();
            head.append(&value);
            let area = gtk::DrawingArea::builder()
                .content_height(56)
                .hexpand(true)
                .css_classes(["card"])
                .build();
            area.update_property(&[gtk::accessible::Property::Label(&title)]);
            let data = samples.clone();
            let lines = series.clone();
            area.set_draw_func(move |_, cr, w, h| {
                let v = data.borrow();
                let (w, h) = (w as f64, h as f64);
                let max = fixed_max.unwrap_or_else(|| {
                    v.iter()
                        .flat_map(|s| lines.iter().map(move |f| f(s)))
                        .fold(1.0, f64::max)
                        * 1.15
                });
                let step = w / (KEEP.max(2) - 1) as f64;
                let start = w - step * (v.len().saturating_sub(1)) as f64;
                for (k, f) in lines.iter().enumerate() {
                    let (r, g, b) = COLOURS[k % COLOURS.len()];
                    cr.set_source_rgb(r, g, b);
                    cr.set_line_width(1.5);
                    for (i, s) in v.iter().enumerate() {
                        let x = start + step * i as f64;
                        let y = h - 3.0 - (f(s) / max).clamp(0.0, 1.0) * (h - 6.0);
                        if i == 0 {
                            cr.move_to(x, y);
                        } else {
                            cr.line_to(x, y);
                        }
                    }
                    // Drawing fails only on a broken cairo context; nothing to show then.
                    crate::backend::ignored("drawing a graph", cr.stroke());
                }
            });
            b.append(&head);
            b.append(&area);
            root.attach(&b, (i % 2) as i32, (i / 2) as i32, 1, 1);
            charts.push((Chart { area, value }, text));
        }
        Graphs {
            root,
            samples,
            charts,
        }
    }

    pub fn widget(&self) -> &gtk::Grid {
        &self.root
    }

    /// Shows these samples (the oldest first); an empty list hides the graphs.
    pub fn set(&self, samples: Vec<Sample>) {
        self.root.set_visible(!samples.is_empty());
        for (chart, text) in &self.charts {
            let t = text(&samples);
            chart.value.set_label(&t);
            chart
                .area
                .update_property(&[gtk::accessible::Property::Description(&t)]);
        }
        *self.samples.borrow_mut() = samples;
        for (chart, _) in &self.charts {
            chart.area.queue_draw();
        }
    }
}

impl Default for Graphs {
    fn default() -> Self {
        Self::new()
    }
}
