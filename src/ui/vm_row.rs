//! One machine's row in the list: its state icon, its name, and under the name its state
//! and usage, small and dimmed.
//!
//! Drawn by hand instead of built from an image and labels, because GTK's list view makes
//! about 200 rows at once (whatever the window shows) and sizes every one of them: a label
//! lays out and shapes its text to know its size, this row knows its height from the
//! font's line height and shapes text only when it is drawn, which GTK does for the
//! dozen rows on screen. That is most of the time from "list received" to "list shown"
//! with thousands of machines.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;

use gtk::prelude::*;
use gtk::subclass::prelude::*;
use gtk::{gdk, glib, graphene, pango};

/// The state icon's size, and the gap between icon and text (as in GTK's own rows).
const ICON: i32 = 16;
const GAP: i32 = 12;
/// Between the name and the line under it.
const LINE_GAP: i32 = 2;

mod imp {
    use super::*;

    #[derive(Default, glib::Properties)]
    #[properties(wrapper_type = super::VmRow)]
    pub struct VmRow {
        /// The machine's name, in bold.
        #[property(get, set = Self::set_title)]
        title: RefCell<String>,
        /// State and usage ("Running · 12% CPU · 1.0 GiB").
        #[property(get, set = Self::set_subtitle)]
        subtitle: RefCell<String>,
        /// A symbolic icon for the state.
        #[property(get, set = Self::set_icon_name)]
        icon_name: RefCell<String>,
        /// Drawn faded: its connection is lost and the row shows the last known state.
        #[property(get, set = Self::set_dimmed)]
        dimmed: Cell<bool>,
    }

    impl VmRow {
        fn set_title(&self, v: String) {
            if *self.title.borrow() != v {
                self.title.replace(v);
                self.obj().queue_draw();
            }
        }
        fn set_subtitle(&self, v: String) {
            if *self.subtitle.borrow() != v {
                self.subtitle.replace(v);
                self.obj().queue_draw();
            }
        }
        fn set_dimmed(&self, v: bool) {
            if self.dimmed.replace(v) != v {
                self.obj().queue_draw();
            }
        }
        fn set_icon_name(&self, v: String) {
            if *self.icon_name.borrow() != v {
                self.icon_name.replace(v);
                self.obj().queue_draw();
            }
        }
    }

    #[glib::object_subclass]
    impl ObjectSubclass for VmRow {
        const NAME: &'static str = "BilikVmRow";
        type Type = super::VmRow;
        type ParentType = gtk::Widget;
    }

    #[glib::derived_properties]
    impl ObjectImpl for VmRow {}

    impl WidgetImpl for VmRow {
        fn request_mode(&self) -> gtk::SizeRequestMode {
            gtk::SizeRequestMode::ConstantSize
        }

        fn measure(&self, orientation: gtk::Orientation, _for_size: i32) -> (i32, i32, i32, i32) {
            match orientation {
                // The text is ellipsized: the pane decides the width.
                gtk::Orientation::Horizontal => (ICON + GAP, ICON + GAP + 160, -1, -1),
                _ => {
                    let (name, detail) = line_heights(&self.obj());
                    let h = (name + LINE_GAP + detail).max(ICON);
                    (h, h, -1, -1)
                }
            }
        }

        fn snapshot(&self, snapshot: &gtk::Snapshot) {
            let obj = self.obj();
            let (width, height) = (obj.width(), obj.height());
            let rtl = obj.direction() == gtk::TextDirection::Rtl;
            // Faded like an insensitive widget (GTK's "dim" opacity for disabled rows),
            // by drawing in a fainter colour rather than through an opacity layer: a layer
            // is an offscreen picture per row for GTK's software renderer.
            let faded = |c: gdk::RGBA, by: f32| {
                gdk::RGBA::new(c.red(), c.green(), c.blue(), c.alpha() * by)
            };
            let color = faded(obj.color(), if self.dimmed.get() { 0.5 } else { 1.0 });

            let icon_name = self.icon_name.borrow();
            if !icon_name.is_empty() {
                let icon = gtk::IconTheme::for_display(&obj.display()).lookup_icon(
                    &icon_name,
                    &[],
                    ICON,
                    obj.scale_factor(),
                    obj.direction(),
                    gtk::IconLookupFlags::empty(),
                );
                let x = if rtl { width - ICON } else { 0 };
                snapshot.save();
                snapshot.translate(&graphene::Point::new(
                    x as f32,
                    ((height - ICON) / 2) as f32,
                ));
                icon.snapshot_symbolic(snapshot, ICON as f64, ICON as f64, &[color]);
                snapshot.restore();
            }

            let text_width = (width - ICON - GAP).max(0);
            let x = if rtl { 0 } else { ICON + GAP };
            let name = line(&obj, &self.title.borrow(), text_width, false);
            let detail = line(&obj, &self.subtitle.borrow(), text_width, true);
            let (name_h, detail_h) = line_heights(&obj);
            let top = (height - name_h - LINE_GAP - detail_h) / 2;
            snapshot.save();
            snapshot.translate(&graphene::Point::new(x as f32, top as f32));
            snapshot.append_layout(&name, &color);
            snapshot.translate(&graphene::Point::new(0.0, (name_h + LINE_GAP) as f32));
            // libadwaita's dim-label: the text color at 55 %.
            snapshot.append_layout(&detail, &faded(color, 0.55));
            snapshot.restore();
        }
    }
}

glib::wrapper! {
    pub struct VmRow(ObjectSubclass<imp::VmRow>) @extends gtk::Widget,
        @implements gtk::Accessible, gtk::Buildable, gtk::ConstraintTarget;
}

impl Default for VmRow {
    fn default() -> Self {
        glib::Object::new()
    }
}

/// The font of the second line: smaller, as Pango's "small" (and libadwaita's caption).
fn small(font: &pango::FontDescription) -> pango::FontDescription {
    let mut small = font.clone();
    let size = (f64::from(font.size()) * pango::SCALE_SMALL) as i32;
    if font.is_size_absolute() {
        small.set_absolute_size(f64::from(size));
    } else {
        small.set_size(size);
    }
    small
}

/// One line of text, bold (the name) or small (the details), ellipsized to `width`.
fn line(widget: &VmRow, text: &str, width: i32, detail: bool) -> pango::Layout {
    let layout = widget.create_pango_layout(Some(text));
    let attrs = pango::AttrList::new();
    if detail {
        if let Some(font) = widget.pango_context().font_description() {
            attrs.insert(pango::AttrFontDesc::new(&small(&font)));
        }
        // Figures in columns (libadwaita's "numeric").
        attrs.insert(pango::AttrFontFeatures::new("tnum=1"));
    } else {
        attrs.insert(pango::AttrInt::new_weight(pango::Weight::Bold));
    }
    layout.set_attributes(Some(&attrs));
    layout.set_width(width * pango::SCALE);
    layout.set_ellipsize(pango::EllipsizeMode::End);
    layout.set_single_paragraph_mode(true);
    if widget.direction() == gtk::TextDirection::Rtl {
        layout.set_alignment(pango::Alignment::Right);
    }
    layout
}

thread_local! {
    /// Line heights by font: the same for every row, and asked for by every row.
    static HEIGHTS: RefCell<HashMap<String, (i32, i32)>> = RefCell::new(HashMap::new());
}

/// The heights of the name's and the details' lines in pixels, from the font's metrics
/// (no text is laid out).
fn line_heights(widget: &VmRow) -> (i32, i32) {
    let context = widget.pango_context();
    let Some(font) = context.font_description() else {
        return (17, 14);
    };
    let key = font.to_str().to_string();
    if let Some(h) = HEIGHTS.with(|c| c.borrow().get(&key).copied()) {
        return h;
    }
    let height = |f: &pango::FontDescription| {
        let m = context.metrics(Some(f), None);
        let h = if m.height() > 0 {
            m.height()
        } else {
            m.ascent() + m.descent()
        };
        (h + pango::SCALE - 1) / pango::SCALE
    };
    let mut bold = font.clone();
    bold.set_weight(pango::Weight::Bold);
    let h = (height(&bold), height(&small(&font)));
    HEIGHTS.with(|c| c.borrow_mut().insert(key, h));
    h
}
