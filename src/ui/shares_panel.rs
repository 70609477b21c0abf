//! "Shared folders" for the selected machine: folders of this computer that appear inside
//! it (virtiofs), with the commands to mount them in the guest, and — where virtiofs cannot
//! work — the scp fallback from the user's notes.

use adw::prelude::*;
use gettextrs::gettext;
use relm4::prelude::*;

use crate::backend::definition::Saved;
use crate::backend::shared_folders::{self, Share};
use crate::backend::shares::{self, SharesInfo};
use crate::backend::BackendError;
use crate::i18n::gettext_f;
use crate::ui::machine_target::{Machine, MachineTarget};

#[derive(Debug)]
pub enum SharesMsg {
    /// The machine to show (with its connection), or none.
    Show(Option<Machine>),
    /// The shares as read (this panel's own question).
    Info(String, SharesInfo),
    Refresh(String),
    Choose,
    Add(std::path::PathBuf),
    Remove(String),
    /// Share a set-aside folder again.
    ShareAgain(Share),
}

/// The connection's answers, for the machine named first.
#[derive(Debug)]
pub enum SharesCmd {
    Info(String, Result<SharesInfo, BackendError>),
    Changed(String, Result<Saved, BackendError>),
}

pub struct SharesPanel {
    target: MachineTarget,
    info: Option<SharesInfo>,
}

pub struct SharesWidgets {
    rows: Vec<gtk::Widget>,
    path_entry: adw::EntryRow,
    explain: adw::ActionRow,
    add: gtk::Button,
}

fn copy_button(text: String) -> gtk::Button {
    let b = gtk::Button::builder()
        .icon_name("edit-copy-symbolic")
        .valign(gtk::Align::Center)
        .tooltip_text(gettext("Copy"))
        .css_classes(["flat"])
        .build();
    b.update_property(&[gtk::accessible::Property::Label(&gettext("Copy"))]);
    b.connect_clicked(move |b| b.clipboard().set_text(&text));
    b
}

impl SharesPanel {
    fn read(&self, sender: &ComponentSender<Self>) {
        self.target.ask(sender, shares::info, SharesCmd::Info);
    }

    fn share(&self, sender: &ComponentSender<Self>, share: Share) {
        self.target.ask(
            sender,
            move |c, uuid| shares::add(c, uuid, &share),
            SharesCmd::Changed,
        );
    }
}

impl Component for SharesPanel {
    type CommandOutput = SharesCmd;
    type Input = SharesMsg;
    type Output = ();
    type Init = ();
    type Root = adw::PreferencesGroup;
    type Widgets = SharesWidgets;

    fn init_root() -> Self::Root {
        crate::ui::widgets::panel_group(
            &gettext("Shared folders"),
            &gettext(
                "A folder of this computer that appears inside the machine (virtiofs). It needs the machine’s memory to be shared with the helper program that serves the folder; Bilik turns that on, and it takes effect the next time the machine starts.",
            ),
        )
    }

    fn init(_: (), group: Self::Root, sender: ComponentSender<Self>) -> ComponentParts<Self> {
        let s = sender.clone();
        let add =
            crate::ui::widgets::header_button(&group, &gettext("Share a Folder…"), move || {
                s.input(SharesMsg::Choose)
            });
        let path_entry = adw::EntryRow::builder()
            .title(gettext("Or type the folder’s path"))
            .build();
        let share = gtk::Button::builder()
            .label(gettext("Share"))
            .tooltip_text(gettext("Share the folder typed here"))
            .valign(gtk::Align::Center)
            .build();
        let s = sender.clone();
        let e = path_entry.clone();
        let submit = move || {
            let text = e.text().trim().to_string();
            if !text.is_empty() {
                s.input(SharesMsg::Add(text.into()));
                e.set_text("");
            }
        };
        let submit2 = submit.clone();
        share.connect_clicked(move |_| submit());
        path_entry.connect_entry_activated(move |_| submit2());
        path_entry.add_suffix(&share);
        group.add(&path_entry);
        let explain = adw::ActionRow::builder()
            .use_markup(false)
            .subtitle_selectable(true)
            .visible(false)
            .build();
        group.add(&explain);
        let model = SharesPanel {
            target: MachineTarget::default(),
            info: None,
        };
        ComponentParts {
            model,
            widgets: SharesWidgets {
                rows: Vec::new(),
                path_entry: path_entry.clone(),
                explain,
                add,
            },
        }
    }

    fn update_with_view(
        &mut self,
        widgets: &mut Self::Widgets,
        msg: Self::Input,
        sender: ComponentSender<Self>,
        group: &Self::Root,
    ) {
        match msg {
            SharesMsg::Show(target) => {
                self.info = None;
                // Hidden until this machine's answer comes.
                group.set_visible(false);
                self.target = MachineTarget::new(target);
                self.read(&sender);
            }
            SharesMsg::Refresh(uuid) => {
                if self.target.is(&uuid) {
                    self.read(&sender);
                }
            }
            SharesMsg::Choose => {
                let dialog = gtk::FileDialog::builder()
                    .title(gettext("Choose a Folder to Share"))
                    .modal(true)
                    .build();
                let s = sender.clone();
                let window = group.root().and_downcast::<gtk::Window>();
                dialog.select_folder(window.as_ref(), None::<&gio::Cancellable>, move |res| {
                    if let Ok(Some(path)) = res.map(|f| f.path()) {
                        s.input(SharesMsg::Add(path));
                    }
                });
            }
            SharesMsg::Add(path) => {
                if let Some(info) = &self.info {
                    let share = Share {
                        tag: shared_folders::suggest_tag(&path, &info.shares),
                        dir: path.display().to_string(),
                    };
                    self.share(&sender, share);
                }
            }
            SharesMsg::ShareAgain(share) => self.share(&sender, share),
            SharesMsg::Remove(tag) => self.target.ask(
                &sender,
                move |c, uuid| shares::remove(c, uuid, &tag),
                SharesCmd::Changed,
            ),
            SharesMsg::Info(uuid, info) => {
                if !self.target.is(&uuid) {
                    return;
                }
                group.set_visible(true);
                for r in widgets.rows.drain(..) {
                    group.remove(&r);
                }
                for share in &info.shares {
                    let row = adw::ExpanderRow::builder()
                        .use_markup(false)
                        .title(&share.tag)
                        .subtitle(gettext_f(
                            "{folder} on this computer",
                            &[("folder", &share.dir)],
                        ))
                        .build();
                    let remove = gtk::Button::builder()
                        .icon_name("user-trash-symbolic")
                        .valign(gtk::Align::Center)
                        .tooltip_text(gettext("Stop sharing this folder (its files stay)"))
                        .css_classes(["flat"])
                        .build();
                    remove.update_property(&[gtk::accessible::Property::Label(&gettext_f(
                        "Stop sharing {tag}",
                        &[("tag", &share.tag)],
                    ))]);
                    let s = sender.clone();
                    let tag = share.tag.clone();
                    remove.connect_clicked(move |_| s.input(SharesMsg::Remove(tag.clone())));
                    row.add_suffix(&remove);
                    let (mount, fstab) = shared_folders::guest_commands(&share.tag);
                    for (title, text) in [
                        (gettext("Mount it inside a Linux machine"), mount),
                        (
                            gettext("…or every time it starts: a line for /etc/fstab"),
                            fstab,
                        ),
                    ] {
                        // The mount command has `&&`: plain text before it arrives.
                        let r = adw::ActionRow::builder().subtitle_selectable(true).build();
                        crate::ui::widgets::set_plain_text(&r, &title, Some(&text));
                        r.add_suffix(&copy_button(text));
                        row.add_row(&r);
                    }
                    row.add_row(
                        &adw::ActionRow::builder()
                            .use_markup(false)
                            .title(gettext(
                                "Windows machines need the virtio-win drivers and WinFsp installed to see shared folders.",
                            ))
                            .build(),
                    );
                    group.add(&row);
                    widgets.rows.push(row.upcast());
                }
                for share in &info.set_aside {
                    let row = adw::ActionRow::builder()
                        .use_markup(false)
                        .title(&share.tag)
                        .subtitle(gettext_f(
                            "{folder} — set aside so that the machine could start; not shared now",
                            &[("folder", &share.dir)],
                        ))
                        .build();
                    let again = gtk::Button::builder()
                        .label(gettext("Share Again"))
                        .valign(gtk::Align::Center)
                        .sensitive(info.gaps.is_empty())
                        .tooltip_text(gettext("Share this folder with the machine again"))
                        .build();
                    again.update_property(&[gtk::accessible::Property::Label(&gettext_f(
                        "Share {tag} again",
                        &[("tag", &share.tag)],
                    ))]);
                    let s = sender.clone();
                    let sh = share.clone();
                    again.connect_clicked(move |_| s.input(SharesMsg::ShareAgain(sh.clone())));
                    row.add_suffix(&again);
                    let forget = gtk::Button::builder()
                        .icon_name("user-trash-symbolic")
                        .valign(gtk::Align::Center)
                        .tooltip_text(gettext("Forget this folder (its files stay)"))
                        .css_classes(["flat"])
                        .build();
                    forget.update_property(&[gtk::accessible::Property::Label(&gettext_f(
                        "Stop sharing {tag}",
                        &[("tag", &share.tag)],
                    ))]);
                    let s = sender.clone();
                    let tag = share.tag.clone();
                    forget.connect_clicked(move |_| s.input(SharesMsg::Remove(tag.clone())));
                    row.add_suffix(&forget);
                    group.add(&row);
                    widgets.rows.push(row.upcast());
                }
                // Explain what stands in the way, with the scp fallback; or the restart.
                let mut lines: Vec<String> = info
                    .gaps
                    .iter()
                    .map(|g| crate::errors::share_gap(*g))
                    .collect();
                if !info.gaps.is_empty() {
                    let ip = info.address.clone().unwrap_or_else(|| "IP-ADDRESS".into());
                    lines.push(gettext_f(
                        "Instead, copy files over the network with scp (openssh-server in the machine): scp FILE user@{ip}:/home/user/ — and run “ssh-copy-id user@{ip}” once to stop typing the password each time.",
                        &[("ip", &ip)],
                    ));
                } else if info.pending_restart && !info.shares.is_empty() {
                    lines.push(gettext(
                        "The shares appear after the machine is shut down and started again (its memory is not shared yet).",
                    ));
                }
                widgets.explain.set_visible(!lines.is_empty());
                widgets.explain.set_title(&lines.join("\n"));
                widgets.add.set_sensitive(info.gaps.is_empty());
                widgets.path_entry.set_sensitive(info.gaps.is_empty());
                self.info = Some(info);
            }
        }
    }

    fn update_cmd(
        &mut self,
        answer: Self::CommandOutput,
        sender: ComponentSender<Self>,
        root: &Self::Root,
    ) {
        match answer {
            SharesCmd::Info(uuid, _) | SharesCmd::Changed(uuid, _) if !self.target.is(&uuid) => {}
            SharesCmd::Info(uuid, Ok(info)) => sender.input(SharesMsg::Info(uuid, info)),
            SharesCmd::Info(_, Err(e)) => {
                crate::ui::widgets::toast_error(root, crate::errors::read_error(&e))
            }
            SharesCmd::Changed(_, result) => {
                self.target.say_saved(root, result);
                self.read(&sender);
            }
        }
    }
}
