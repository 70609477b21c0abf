//! The "Snapshots" tab: the machine's saved states, newest first; take one (with the memory
//! of a running machine, so it comes back running), go back to one (asking first: what
//! changed since is lost), delete one. The tab asks the connection itself
//! ([`MachineTarget::ask`] with [`snapshots`]) and hears its own answers.

use adw::prelude::*;
use gettextrs::gettext;
use relm4::prelude::*;

use crate::backend::snapshots::{self, SnapshotInfo};
use crate::backend::BackendError;
use crate::i18n::gettext_f;
use crate::ui::machine_target::{Machine, MachineTarget};
use crate::ui::widgets::{entry, error_label, group, header_button, panel_group};

#[derive(Debug)]
pub enum SnapshotsMsg {
    /// The machine to show (with its connection), or none.
    Show(Option<Machine>),
    /// Something about this machine changed: list again.
    Refresh(String),
    Take,
    Revert(String),
    ConfirmedRevert(String),
    Delete(String),
    ConfirmedDelete(String),
    /// Change the description of the snapshot `.0` (asks for the new text first).
    Describe(String),
    ConfirmedDescribe(String, String),
}

/// The connection's answers, for the machine named first.
#[derive(Debug)]
pub enum SnapshotsCmd {
    List(String, Result<Vec<SnapshotInfo>, BackendError>),
    /// Taken (true: disks only), gone back to, or deleted.
    Done(String, Result<bool, BackendError>),
    /// A snapshot's description changed (the form to take one keeps what is typed there).
    Described(String, Result<(), BackendError>),
}

pub struct SnapshotsPanel {
    target: MachineTarget,
    list: Vec<SnapshotInfo>,
    error: Option<String>,
    note: Option<String>,
}

pub struct SnapshotsWidgets {
    take_group: adw::PreferencesGroup,
    name: adw::EntryRow,
    description: adw::EntryRow,
    list_group: adw::PreferencesGroup,
    rows: Vec<adw::ActionRow>,
    empty: adw::ActionRow,
    error: gtk::Label,
    note: gtk::Label,
}

fn when(secs: i64) -> String {
    glib::DateTime::from_unix_local(secs)
        .and_then(|d| d.format("%x %X"))
        .map(|s| s.to_string())
        .unwrap_or_default()
}

impl SnapshotsPanel {
    fn list(&self, sender: &ComponentSender<Self>) {
        self.target.ask(sender, snapshots::list, SnapshotsCmd::List);
    }

    /// Runs a change; its answer lists the snapshots again.
    fn change(
        &self,
        sender: &ComponentSender<Self>,
        f: impl FnOnce(&virt::connect::Connect, &str) -> Result<bool, BackendError> + Send + 'static,
    ) {
        self.target.ask(sender, f, SnapshotsCmd::Done);
    }
}

impl Component for SnapshotsPanel {
    type CommandOutput = SnapshotsCmd;
    type Input = SnapshotsMsg;
    type Output = ();
    type Init = ();
    type Root = adw::PreferencesPage;
    type Widgets = SnapshotsWidgets;

    fn init_root() -> Self::Root {
        adw::PreferencesPage::new()
    }

    fn init(_: (), page: Self::Root, sender: ComponentSender<Self>) -> ComponentParts<Self> {
        let take_group = panel_group(
            &gettext("Take a snapshot"),
            &gettext(
                "A snapshot saves the machine’s disks — and, while it runs, its memory — so you can come back to this moment later. Snapshots need qcow2 disks.",
            ),
        );
        let name = entry(&gettext("Snapshot name"));
        let description = entry(&gettext("Description (optional)"));
        let s = sender.clone();
        header_button(&take_group, &gettext("Take Snapshot"), move || {
            s.input(SnapshotsMsg::Take)
        })
        .add_css_class("suggested-action");
        take_group.add(&name);
        take_group.add(&description);
        let error = error_label();
        take_group.add(&error);
        let note = gtk::Label::builder()
            .wrap(true)
            .xalign(0.0)
            .margin_top(6)
            .css_classes(["dim-label"])
            .visible(false)
            .build();
        take_group.add(&note);
        page.add(&take_group);
        let list_group = group(&gettext("Snapshots"), "");
        let empty = adw::ActionRow::builder()
            .use_markup(false)
            .title(gettext("No snapshots yet."))
            .build();
        list_group.add(&empty);
        page.add(&list_group);
        let model = SnapshotsPanel {
            target: MachineTarget::default(),
            list: Vec::new(),
            error: None,
            note: None,
        };
        ComponentParts {
            model,
            widgets: SnapshotsWidgets {
                take_group,
                name,
                description,
                list_group,
                rows: Vec::new(),
                empty,
                error,
                note,
            },
        }
    }

    fn update_with_view(
        &mut self,
        w: &mut Self::Widgets,
        msg: Self::Input,
        sender: ComponentSender<Self>,
        page: &Self::Root,
    ) {
        match msg {
            SnapshotsMsg::Show(target) => {
                self.list.clear();
                self.error = None;
                self.note = None;
                // Hidden until this machine's answer comes.
                w.take_group.set_visible(false);
                self.target = MachineTarget::new(target);
                self.list(&sender);
            }
            SnapshotsMsg::Refresh(uuid) => {
                if self.target.is(&uuid) {
                    self.list(&sender);
                }
                return;
            }
            SnapshotsMsg::Take => {
                let name = w.name.text().trim().to_string();
                if let Err(p) = crate::backend::new_vm::check_name(
                    &name,
                    &self.list.iter().map(|s| s.name.clone()).collect::<Vec<_>>(),
                ) {
                    self.error = Some(crate::errors::name_problem(&p));
                } else {
                    self.error = None;
                    let description = w.description.text().trim().to_string();
                    self.change(&sender, move |c, uuid| {
                        snapshots::create(c, uuid, &name, &description)
                    });
                }
            }
            SnapshotsMsg::Revert(name) => {
                let d = adw::AlertDialog::new(
                    Some(&gettext_f("Go back to “{snapshot}”?", &[("snapshot", &name)])),
                    Some(&gettext(
                        "The machine returns to the moment of the snapshot. Everything that changed since — files, installed programs, and for a running machine what was open — is lost, unless you take a snapshot first.",
                    )),
                );
                d.add_response("cancel", &gettext("Cancel"));
                d.add_response("revert", &gettext("Go Back"));
                d.set_response_appearance("revert", adw::ResponseAppearance::Destructive);
                d.set_close_response("cancel");
                let s = sender.clone();
                d.connect_response(None, move |_, r| {
                    if r == "revert" {
                        s.input(SnapshotsMsg::ConfirmedRevert(name.clone()))
                    }
                });
                d.present(page.root().as_ref());
                return;
            }
            SnapshotsMsg::ConfirmedRevert(name) => {
                self.change(&sender, move |c, uuid| {
                    snapshots::revert(c, uuid, &name).map(|()| false)
                });
                return;
            }
            SnapshotsMsg::Delete(name) => {
                let d = adw::AlertDialog::new(
                    Some(&gettext_f(
                        "Delete the snapshot “{snapshot}”?",
                        &[("snapshot", &name)],
                    )),
                    Some(&gettext(
                        "The machine stays as it is now; only the saved moment is gone.",
                    )),
                );
                d.add_response("cancel", &gettext("Cancel"));
                d.add_response("delete", &gettext("Delete"));
                d.set_response_appearance("delete", adw::ResponseAppearance::Destructive);
                d.set_close_response("cancel");
                let s = sender.clone();
                d.connect_response(None, move |_, r| {
                    if r == "delete" {
                        s.input(SnapshotsMsg::ConfirmedDelete(name.clone()))
                    }
                });
                d.present(page.root().as_ref());
                return;
            }
            SnapshotsMsg::Describe(name) => {
                let old = self
                    .list
                    .iter()
                    .find(|s| s.name == name)
                    .map(|s| s.description.clone())
                    .unwrap_or_default();
                let d = adw::AlertDialog::new(
                    Some(&gettext_f(
                        "Describe the snapshot “{snapshot}”",
                        &[("snapshot", &name)],
                    )),
                    Some(&gettext(
                        "A few words on what this moment was, to find it again later. Only the description changes.",
                    )),
                );
                let text = gtk::Entry::builder()
                    .text(&old)
                    .activates_default(true)
                    .build();
                text.update_property(&[gtk::accessible::Property::Label(&gettext("Description"))]);
                d.set_extra_child(Some(&text));
                d.add_response("cancel", &gettext("Cancel"));
                d.add_response("save", &gettext("Save"));
                d.set_response_appearance("save", adw::ResponseAppearance::Suggested);
                d.set_default_response(Some("save"));
                d.set_close_response("cancel");
                let s = sender.clone();
                d.connect_response(None, move |_, r| {
                    let new = text.text().trim().to_string();
                    if r == "save" && new != old {
                        s.input(SnapshotsMsg::ConfirmedDescribe(name.clone(), new))
                    }
                });
                d.present(page.root().as_ref());
                return;
            }
            SnapshotsMsg::ConfirmedDescribe(name, text) => {
                self.target.ask(
                    &sender,
                    move |c, uuid| snapshots::describe(c, uuid, &name, &text),
                    SnapshotsCmd::Described,
                );
                return;
            }
            SnapshotsMsg::ConfirmedDelete(name) => {
                self.change(&sender, move |c, uuid| {
                    snapshots::delete(c, uuid, &name).map(|()| false)
                });
                return;
            }
        }
        self.render(w, &sender);
    }

    fn update_cmd_with_view(
        &mut self,
        w: &mut Self::Widgets,
        answer: Self::CommandOutput,
        sender: ComponentSender<Self>,
        _page: &Self::Root,
    ) {
        match answer {
            // An answer about a machine no longer shown is dropped.
            SnapshotsCmd::List(uuid, _)
            | SnapshotsCmd::Done(uuid, _)
            | SnapshotsCmd::Described(uuid, _)
                if !self.target.is(&uuid) =>
            {
                return
            }
            SnapshotsCmd::Described(_, Ok(())) => {
                self.error = None;
                self.list(&sender);
            }
            SnapshotsCmd::Described(_, Err(e)) => {
                let m = crate::errors::change_error(self.target.name(), &e);
                self.error = Some(format!("{} {}\n{}", m.title, m.advice, m.details));
            }
            SnapshotsCmd::List(_, Ok(list)) => {
                w.take_group.set_visible(true);
                self.list = list;
            }
            SnapshotsCmd::List(_, Err(e)) => {
                // A failed read is said as such, not as a failed snapshot.
                w.take_group.set_visible(true);
                let m = crate::errors::read_error(&e);
                self.error = Some(format!("{} {}\n{}", m.title, m.advice, m.details));
            }
            SnapshotsCmd::Done(_, Ok(external)) => {
                self.error = None;
                w.name.set_text("");
                w.description.set_text("");
                self.note = external.then(|| {
                    gettext(
                        "This machine’s firmware or disks do not allow a full snapshot, so Bilik saved its disks only, in separate files (an external snapshot).",
                    )
                });
                self.list(&sender);
            }
            SnapshotsCmd::Done(_, Err(e)) => {
                let m = crate::errors::snapshot_error(&e);
                self.error = Some(format!("{} {}\n{}", m.title, m.advice, m.details));
                self.list(&sender);
            }
        }
        self.render(w, &sender);
    }
}

impl SnapshotsPanel {
    fn render(&self, w: &mut SnapshotsWidgets, sender: &ComponentSender<Self>) {
        w.error.set_visible(self.error.is_some());
        w.error.set_label(self.error.as_deref().unwrap_or(""));
        w.note.set_visible(self.note.is_some());
        w.note.set_label(self.note.as_deref().unwrap_or(""));
        for r in w.rows.drain(..) {
            w.list_group.remove(&r);
        }
        w.empty.set_visible(self.list.is_empty());
        for snap in &self.list {
            let mut sub = when(snap.created);
            let state = match snap.state.as_str() {
                "running" => gettext("taken while running (with its memory)"),
                "shutoff" => gettext("taken while shut off"),
                "paused" => gettext("taken while paused"),
                other => other.to_string(),
            };
            sub.push_str(" · ");
            sub.push_str(&state);
            if snap.external {
                sub.push_str(" · ");
                sub.push_str(&gettext("disks only"));
            }
            if snap.current {
                sub.push_str(" · ");
                sub.push_str(&gettext("the machine started from here"));
            }
            if !snap.description.is_empty() {
                sub.push('\n');
                sub.push_str(&snap.description);
            }
            let row = adw::ActionRow::builder()
                .use_markup(false)
                .title(&snap.name)
                .subtitle(sub)
                .build();
            let revert = gtk::Button::builder()
                .label(gettext("Go Back…"))
                .valign(gtk::Align::Center)
                .tooltip_text(gettext_f(
                    "Go back to “{snapshot}”",
                    &[("snapshot", &snap.name)],
                ))
                .build();
            let s = sender.clone();
            let n = snap.name.clone();
            revert.connect_clicked(move |_| s.input(SnapshotsMsg::Revert(n.clone())));
            let delete = gtk::Button::builder()
                .icon_name("user-trash-symbolic")
                .valign(gtk::Align::Center)
                .css_classes(["flat"])
                .tooltip_text(gettext("Delete this snapshot"))
                .build();
            delete.update_property(&[gtk::accessible::Property::Label(&gettext_f(
                "Delete the snapshot {snapshot}",
                &[("snapshot", &snap.name)],
            ))]);
            let s = sender.clone();
            let n = snap.name.clone();
            delete.connect_clicked(move |_| s.input(SnapshotsMsg::Delete(n.clone())));
            let describe = gtk::Button::builder()
                .icon_name("document-edit-symbolic")
                .valign(gtk::Align::Center)
                .css_classes(["flat"])
                .tooltip_text(gettext("Change the description"))
                .build();
            describe.update_property(&[gtk::accessible::Property::Label(&gettext_f(
                "Describe the snapshot {snapshot}",
                &[("snapshot", &snap.name)],
            ))]);
            let s = sender.clone();
            let n = snap.name.clone();
            describe.connect_clicked(move |_| s.input(SnapshotsMsg::Describe(n.clone())));
            row.add_suffix(&revert);
            row.add_suffix(&describe);
            row.add_suffix(&delete);
            w.list_group.add(&row);
            w.rows.push(row);
        }
    }
}
