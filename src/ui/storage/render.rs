//! Shows the Storage dialog's state: the pools' rows, the open pool's page, the forms and
//! what went wrong.

use adw::prelude::*;
use gettextrs::gettext;
use relm4::prelude::*;

use relm4::typed_view::list::RelmListItem;

use super::*;

/// A row of the volume list (virtualised: thousands of volumes stay smooth).
#[derive(Debug)]
pub(super) struct VolumeRow(pub(super) VolumeInfo);

pub(super) struct VolumeRowWidgets {
    item: glib::WeakRef<gtk::ListItem>,
    name: gtk::Label,
    detail: gtk::Label,
}

impl VolumeRow {
    fn detail(&self) -> String {
        let v = &self.0;
        let mut s = gettext_f(
            "{format} · {size} · {used} on disk",
            &[
                ("format", &v.format),
                ("size", &size(v.capacity)),
                ("used", &size(v.allocation)),
            ],
        );
        if !v.used_by.is_empty() {
            s.push_str(" · ");
            s.push_str(&gettext_f(
                "used by {machines}",
                &[("machines", &v.used_by.join(", "))],
            ));
        }
        s
    }
}

impl RelmListItem for VolumeRow {
    type Root = gtk::Box;
    type Widgets = VolumeRowWidgets;

    fn setup(item: &gtk::ListItem) -> (gtk::Box, VolumeRowWidgets) {
        let root = gtk::Box::builder()
            .orientation(gtk::Orientation::Vertical)
            .margin_start(12)
            .margin_end(12)
            .margin_top(6)
            .margin_bottom(6)
            .build();
        let name = gtk::Label::builder().xalign(0.0).build();
        let detail = gtk::Label::builder()
            .xalign(0.0)
            .css_classes(["dim-label", "caption"])
            .build();
        root.append(&name);
        root.append(&detail);
        let widgets = VolumeRowWidgets {
            item: item.downgrade(),
            name,
            detail,
        };
        (root, widgets)
    }

    fn bind(&mut self, w: &mut VolumeRowWidgets, _root: &mut gtk::Box) {
        let detail = self.detail();
        w.name.set_label(&self.0.name);
        w.detail.set_label(&detail);
        if let Some(item) = w.item.upgrade() {
            item.set_accessible_label(&format!("{}, {}", self.0.name, detail));
        }
    }
}

pub(super) fn pool_row(p: &PoolInfo) -> adw::ActionRow {
    let state = if p.active {
        gettext("Running")
    } else {
        gettext("Stopped")
    };
    let mut parts = vec![kind_name(&p.kind), state];
    if !p.target.is_empty() {
        parts.push(p.target.clone());
    }
    let row = adw::ActionRow::builder()
        .use_markup(false)
        .title(&p.name)
        .subtitle(parts.join(" · "))
        .activatable(true)
        .build();
    if p.active && p.capacity > 0 {
        let free = gtk::Label::builder()
            .label(gettext_f("{free} free", &[("free", &size(p.available))]))
            .css_classes(["dim-label"])
            .build();
        row.add_suffix(&free);
    }
    row.add_suffix(&gtk::Image::from_icon_name("go-next-symbolic"));
    row
}

impl StorageDialog {
    pub(super) fn render(&mut self, w: &mut StorageWidgets) {
        // Selection of the volume list.
        let sel = w.volumes.selection_model.selected();
        self.selected_volume = w
            .volumes
            .get_visible(sel)
            .map(|item| item.borrow().0.clone());
        if let Some(p) = self.pool().cloned() {
            w.type_row.set_subtitle(&kind_name(&p.kind));
            let location = if p.kind == "netfs" {
                gettext_f(
                    "{server}:{export}, mounted at {path}",
                    &[
                        ("server", &p.source_host),
                        ("export", &p.source_dir),
                        ("path", &p.target),
                    ],
                )
            } else {
                p.target.clone()
            };
            w.path_row.set_subtitle(&location);
            if p.active && p.capacity > 0 {
                w.space_row.set_subtitle(&gettext_f(
                    "{used} used of {total}, {free} free",
                    &[
                        ("used", &size(p.allocation)),
                        ("total", &size(p.capacity)),
                        ("free", &size(p.available)),
                    ],
                ));
                w.space_bar
                    .set_value(p.allocation as f64 / p.capacity.max(1) as f64);
                w.space_bar.set_visible(true);
            } else {
                w.space_row
                    .set_subtitle(&gettext("Unknown while the pool is stopped"));
                w.space_bar.set_visible(false);
            }
            w.state_row.set_subtitle(&if p.active {
                gettext("Running")
            } else {
                gettext("Stopped")
            });
            w.start_stop.set_label(&if p.active {
                gettext("Stop…")
            } else {
                gettext("Start")
            });
            if w.autostart.is_active() != p.autostart {
                w.autostart.set_active(p.autostart);
            }
            w.autostart.set_sensitive(p.persistent);
            w.new_volume.set_sensitive(p.active);
            w.volumes_empty.set_visible(self.volumes.is_empty());
            w.volumes_empty.set_label(&if p.active {
                gettext("No volumes yet.")
            } else {
                gettext("Start the pool to see its volumes.")
            });
        }
        // The field the last refusal was about is marked.
        let fields: [(&str, &gtk::Widget); 9] = [
            ("name", w.pool_name.upcast_ref()),
            ("folder", w.folder.upcast_ref()),
            ("nfs-host", w.nfs_host.upcast_ref()),
            ("export", w.nfs_export.upcast_ref()),
            ("vg", w.vg.upcast_ref()),
            ("iscsi-host", w.iscsi_host.upcast_ref()),
            ("iqn", w.iqn.upcast_ref()),
            ("size", w.volume_size.upcast_ref()),
            ("grow", w.grow_size.upcast_ref()),
        ];
        for (key, widget) in fields {
            if self.error_field == Some(key) {
                widget.add_css_class("error");
            } else {
                widget.remove_css_class("error");
            }
        }
        let has = self.selected_volume.is_some();
        w.grow.set_sensitive(has && !self.busy);
        w.delete_volume.set_sensitive(has && !self.busy);
        w.copy_path.set_sensitive(has);
        w.reveal.set_sensitive(has);
        w.start_stop.set_sensitive(!self.busy);

        // New-pool form: the fields of the chosen kind.
        let kind = self.kinds.get(self.kind).copied().unwrap_or("dir");
        w.kind_note.set_label(&kind_explain(kind));
        w.folder.set_visible(matches!(kind, "dir" | "netfs"));
        w.folder.set_title(&if kind == "netfs" {
            gettext("Mount point on this computer")
        } else {
            gettext("Folder")
        });
        w.nfs_host.set_visible(kind == "netfs");
        w.nfs_export.set_visible(kind == "netfs");
        w.vg.set_visible(kind == "logical");
        w.iscsi_host.set_visible(kind == "iscsi");
        w.iqn.set_visible(kind == "iscsi");
        if let Some(p) = self.pool() {
            w.volume_note.set_label(&gettext_f(
                "“{pool}” has {free} free.",
                &[("pool", &p.name), ("free", &size(p.available))],
            ));
        }

        let (text, details) = self.error.clone().unwrap_or_default();
        for l in [
            &w.pool_error,
            &w.new_pool_error,
            &w.new_volume_error,
            &w.grow_error,
        ] {
            l.set_visible(self.error.is_some());
            let full = if details.is_empty() {
                text.clone()
            } else {
                format!("{text}\n{details}")
            };
            l.set_label(&full);
        }
    }
}
