//! The "Hardware" tab of a machine: memory and processors (now and at the next start),
//! firmware, boot, CD-ROMs (put a disc in or take it out while running), disks, autostart
//! and the name. Each change says whether it applied now or waits for the next start. The
//! tab asks the connection itself ([`MachineTarget::ask`] with [`details`]); a clone (a
//! long copy with progress) is a [`CloneJob`] of the tab's own.

use adw::prelude::*;
use gettextrs::gettext;
use relm4::prelude::*;

use crate::backend::details::{self, Applied, HardwareChange, HardwareInfo};
use crate::backend::BackendError;
use crate::i18n::gettext_f;
use crate::ui::clone_job::{self, CloneJob};
use crate::ui::machine_target::{Machine, MachineTarget};
use crate::ui::widgets::{group, header_button, panel_group, spin_row};

#[derive(Debug)]
pub enum HardwareMsg {
    /// The machine to show (with its connection), or none.
    Show(Option<Machine>),
    Refresh(String),
    /// The hardware as read (this tab's own question).
    Info(String, HardwareInfo),
    ApplyResources,
    Autostart(bool),
    BootMenu(bool),
    Eject(String),
    ChooseDisc(String),
    Insert(String, String),
    Rename,
    Describe,
    /// Start from choice index of BOOT_CHOICES.
    Boot(u32),
    AddDisk,
    /// New disk of this many GiB in the default pool, or an existing file.
    ConfirmedAddDisk(u64, String),
    RemoveDisk(String, String),
    ConfirmedRemoveDisk(String, bool),
    Clone,
    ConfirmedClone(String),
    CancelClone,
    /// Copy progress of a clone of this machine (bytes done, total); None when it ended.
    CloneProgress(String, Option<(u64, u64)>),
}

/// What "Start from" offers, as boot device lists.
const BOOT_CHOICES: [&[&str]; 3] = [&["hd"], &["cdrom", "hd"], &["network", "hd"]];

#[derive(Debug)]
pub enum HardwareOutput {
    /// A clone of this machine was made: show it (by its UUID).
    Cloned(String),
    /// The machine's operating system (libosinfo id) as read, for the overview.
    Os(String, Option<String>),
    /// Whether the machine is being installed by itself (express install).
    Installing(String, Option<crate::backend::express::Stage>),
}

/// The connection's answers, for the machine named first.
#[derive(Debug)]
pub enum HardwareCmd {
    Info(String, Result<HardwareInfo, BackendError>),
    Changed(String, Result<(String, Applied), BackendError>),
    /// The clone of machine `source` (named `source_name`) as `name` ended.
    Cloned {
        source: String,
        source_name: String,
        name: String,
        result: Result<String, BackendError>,
    },
}

pub struct HardwarePanel {
    target: MachineTarget,
    info: Option<HardwareInfo>,
    /// The clone under way (one at a time, as its progress bar is one).
    cloning: Option<CloneJob>,
}

pub struct HardwareWidgets {
    resources: adw::PreferencesGroup,
    memory_row: adw::ActionRow,
    memory: gtk::SpinButton,
    vcpus_row: adw::ActionRow,
    vcpus: gtk::SpinButton,
    firmware: adw::ActionRow,
    boot: adw::ComboRow,
    boot_menu: adw::SwitchRow,
    autostart: adw::SwitchRow,
    cd_group: adw::PreferencesGroup,
    cd_rows: Vec<adw::ActionRow>,
    disk_group: adw::PreferencesGroup,
    disk_rows: Vec<adw::ActionRow>,
    name: adw::EntryRow,
    rename: gtk::Button,
    description: adw::EntryRow,
    clone: gtk::Button,
    clone_progress: gtk::ProgressBar,
    clone_cancel: gtk::Button,
}

fn mib_text(m: u64) -> String {
    glib::format_size_full(m << 20, glib::FormatSizeFlags::IEC_UNITS).to_string()
}

fn boot_word(dev: &str) -> String {
    match dev {
        "cdrom" => gettext("CD-ROM"),
        "hd" => gettext("disk"),
        "network" => gettext("network"),
        "fd" => gettext("floppy"),
        other => other.to_string(),
    }
}

impl HardwarePanel {
    fn request(&self, sender: &ComponentSender<Self>, change: HardwareChange) {
        self.target.ask(
            sender,
            move |c, uuid| details::change(c, uuid, &change),
            HardwareCmd::Changed,
        );
    }

    fn read(&self, sender: &ComponentSender<Self>) {
        self.target
            .ask(sender, details::hardware, HardwareCmd::Info);
    }
}

impl Component for HardwarePanel {
    type CommandOutput = HardwareCmd;
    type Input = HardwareMsg;
    type Output = HardwareOutput;
    type Init = ();
    type Root = adw::PreferencesPage;
    type Widgets = HardwareWidgets;

    fn init_root() -> Self::Root {
        adw::PreferencesPage::new()
    }

    fn init(_: (), page: Self::Root, sender: ComponentSender<Self>) -> ComponentParts<Self> {
        let resources = panel_group(
            &gettext("Memory and processors"),
            &gettext(
                "A running machine can shrink its memory, or grow it back up to the size it started with; more than that, and processor changes, apply at the next start.",
            ),
        );
        let s = sender.clone();
        header_button(&resources, &gettext("Apply"), move || {
            s.input(HardwareMsg::ApplyResources)
        })
        .add_css_class("suggested-action");
        let (memory_row, memory) = spin_row(
            &gettext("Memory (MiB)"),
            gtk::Adjustment::new(1024.0, 64.0, 1.0e7, 256.0, 1024.0, 0.0),
        );
        let (vcpus_row, vcpus) = spin_row(
            &gettext("Processors"),
            gtk::Adjustment::new(1.0, 1.0, 512.0, 1.0, 2.0, 0.0),
        );
        resources.add(&memory_row);
        resources.add(&vcpus_row);
        page.add(&resources);

        let boot_group = group(&gettext("Firmware and start"), "");
        let prop = |t: String| {
            adw::ActionRow::builder()
                .use_markup(false)
                .title(t)
                .css_classes(["property"])
                .build()
        };
        let firmware = prop(gettext("Firmware"));
        // The choice shown whole under the title: at the row's end it was cut off.
        let boot = adw::ComboRow::builder()
            .use_markup(false)
            .title(gettext("Start from"))
            .use_subtitle(true)
            .model(&gtk::StringList::new(&[
                &gettext("The disk"),
                &gettext("The CD-ROM, then the disk"),
                &gettext("The network, then the disk"),
            ]))
            .build();
        let s = sender.clone();
        boot.connect_selected_notify(move |r| s.input(HardwareMsg::Boot(r.selected())));
        let boot_menu = adw::SwitchRow::builder()
            .use_markup(false)
            .title(gettext("Boot menu"))
            .subtitle(gettext("Press Esc at start to pick the boot device"))
            .build();
        let s = sender.clone();
        boot_menu.connect_active_notify(move |r| s.input(HardwareMsg::BootMenu(r.is_active())));
        let autostart = adw::SwitchRow::builder()
            .use_markup(false)
            .title(gettext("Start with the computer"))
            .build();
        let s = sender.clone();
        autostart.connect_active_notify(move |r| s.input(HardwareMsg::Autostart(r.is_active())));
        boot_group.add(&firmware);
        boot_group.add(&boot);
        boot_group.add(&boot_menu);
        boot_group.add(&autostart);
        page.add(&boot_group);

        let cd_group = group(
            &gettext("CD-ROM"),
            &gettext("Put a disc image in or take it out, even while the machine runs."),
        );
        page.add(&cd_group);
        let disk_group = group(
            &gettext("Disks"),
            &gettext("Removing a disk keeps its file unless you pick it."),
        );
        let s = sender.clone();
        header_button(&disk_group, &gettext("Add Disk…"), move || {
            s.input(HardwareMsg::AddDisk)
        });
        page.add(&disk_group);

        let name_group = group(
            &gettext("Name"),
            &gettext("A machine can be renamed while it is shut off."),
        );
        let name = adw::EntryRow::builder()
            .use_markup(false)
            .title(gettext("Name"))
            .build();
        let rename = gtk::Button::builder()
            .label(gettext("Rename"))
            .valign(gtk::Align::Center)
            .build();
        let s = sender.clone();
        rename.connect_clicked(move |_| s.input(HardwareMsg::Rename));
        name.add_suffix(&rename);
        name_group.add(&name);
        // A note for people ("the test server for the accounts team"), kept by libvirt.
        let description = adw::EntryRow::builder()
            .use_markup(false)
            .title(gettext("Description"))
            .show_apply_button(true)
            .build();
        let s = sender.clone();
        description.connect_apply(move |_| s.input(HardwareMsg::Describe));
        name_group.add(&description);
        let clone = gtk::Button::builder()
            .label(gettext("Clone…"))
            .valign(gtk::Align::Center)
            .tooltip_text(gettext(
                "Make a copy of this machine with copies of its disks",
            ))
            .build();
        clone.update_property(&[gtk::accessible::Property::Label(&gettext("Clone…"))]);
        let s = sender.clone();
        clone.connect_clicked(move |_| s.input(HardwareMsg::Clone));
        name_group.set_header_suffix(Some(&clone));
        let clone_box = gtk::Box::builder().spacing(12).margin_top(12).build();
        let clone_progress = gtk::ProgressBar::builder()
            .hexpand(true)
            .valign(gtk::Align::Center)
            .show_text(true)
            .build();
        clone_progress.update_property(&[gtk::accessible::Property::Label(&gettext(
            "Copying the disks",
        ))]);
        let clone_cancel = gtk::Button::with_label(&gettext("Stop Copying"));
        let s = sender.clone();
        clone_cancel.connect_clicked(move |_| s.input(HardwareMsg::CancelClone));
        clone_box.append(&clone_progress);
        clone_box.append(&clone_cancel);
        clone_progress.set_visible(false);
        clone_cancel.set_visible(false);
        name_group.add(&clone_box);
        page.add(&name_group);

        let model = HardwarePanel {
            target: MachineTarget::default(),
            info: None,
            cloning: None,
        };
        ComponentParts {
            model,
            widgets: HardwareWidgets {
                resources,
                memory_row,
                memory,
                vcpus_row,
                vcpus,
                firmware,
                boot,
                boot_menu,
                autostart,
                cd_group,
                cd_rows: Vec::new(),
                disk_group,
                disk_rows: Vec::new(),
                name,
                rename,
                description,
                clone,
                clone_progress,
                clone_cancel,
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
            HardwareMsg::Show(target) => {
                self.info = None;
                // Hidden until this machine's answer comes.
                w.resources.set_visible(false);
                self.target = MachineTarget::new(target);
                self.read(&sender);
            }
            HardwareMsg::Refresh(uuid) => {
                if self.target.is(&uuid) {
                    self.read(&sender);
                }
            }
            HardwareMsg::Info(uuid, info) => {
                if self.target.is(&uuid) && self.info.as_ref() != Some(&info) {
                    self.info = Some(info);
                    self.render(w, &sender);
                }
            }
            HardwareMsg::ApplyResources => {
                let Some(info) = self.info.clone() else {
                    return;
                };
                let mem = w.memory.value() as u64;
                let n = w.vcpus.value() as u32;
                if mem != info.memory_mib {
                    self.request(&sender, HardwareChange::MemoryMib(mem));
                }
                if n != info.vcpus {
                    self.request(&sender, HardwareChange::Vcpus(n));
                }
            }
            HardwareMsg::Autostart(on) => {
                if self.info.as_ref().is_some_and(|i| i.autostart != on) {
                    self.request(&sender, HardwareChange::Autostart(on));
                }
            }
            HardwareMsg::BootMenu(on) => {
                if self.info.as_ref().is_some_and(|i| i.boot_menu != on) {
                    self.request(&sender, HardwareChange::BootMenu(on));
                }
            }
            HardwareMsg::Eject(target) => {
                self.request(&sender, HardwareChange::Cdrom { target, iso: None })
            }
            HardwareMsg::ChooseDisc(target) => {
                let filter = gtk::FileFilter::new();
                filter.set_name(Some(&gettext("Disc images (ISO)")));
                filter.add_pattern("*.iso");
                filter.add_pattern("*.ISO");
                let filters = gio::ListStore::new::<gtk::FileFilter>();
                filters.append(&filter);
                let dialog = gtk::FileDialog::builder()
                    .title(gettext("Choose a Disc Image"))
                    .modal(true)
                    .filters(&filters)
                    .build();
                let s = sender.clone();
                let window = page.root().and_downcast::<gtk::Window>();
                dialog.open(window.as_ref(), None::<&gio::Cancellable>, move |res| {
                    if let Ok(Some(path)) = res.map(|f| f.path()) {
                        s.input(HardwareMsg::Insert(
                            target.clone(),
                            path.display().to_string(),
                        ));
                    }
                });
            }
            HardwareMsg::Insert(target, iso) => {
                if !iso.trim().is_empty() {
                    self.request(
                        &sender,
                        HardwareChange::Cdrom {
                            target,
                            iso: Some(iso.trim().to_string()),
                        },
                    )
                }
            }
            HardwareMsg::Boot(i) => {
                let Some(info) = &self.info else { return };
                let want: Vec<String> = BOOT_CHOICES
                    .get(i as usize)
                    .map(|c| c.iter().map(|s| s.to_string()).collect())
                    .unwrap_or_default();
                if !want.is_empty() && want != info.boot {
                    self.request(&sender, HardwareChange::BootOrder(want));
                }
            }
            HardwareMsg::AddDisk => {
                let d = adw::AlertDialog::new(
                    Some(&gettext("Add a disk")),
                    Some(&gettext(
                        "A new, empty disk file in the storage pool “default” — or give the path of an existing disk image to use it instead.",
                    )),
                );
                let g = adw::PreferencesGroup::new();
                let (size_row, size) = crate::ui::widgets::size_spin(&gettext("Size (GiB)"), 20.0);
                let path = crate::ui::widgets::entry(&gettext("Existing disk image (optional)"));
                g.add(&size_row);
                g.add(&path);
                d.set_extra_child(Some(&g));
                d.add_response("cancel", &gettext("Cancel"));
                d.add_response("add", &gettext("Add Disk"));
                d.set_response_appearance("add", adw::ResponseAppearance::Suggested);
                d.set_close_response("cancel");
                let s = sender.clone();
                d.connect_response(None, move |_, r| {
                    if r == "add" {
                        s.input(HardwareMsg::ConfirmedAddDisk(
                            size.value() as u64,
                            path.text().trim().to_string(),
                        ))
                    }
                });
                d.present(page.root().as_ref());
            }
            HardwareMsg::ConfirmedAddDisk(gib, path) => {
                self.request(
                    &sender,
                    HardwareChange::AddDisk {
                        pool: "default".into(),
                        size_gib: gib,
                        existing: (!path.is_empty()).then_some(path),
                    },
                );
            }
            HardwareMsg::RemoveDisk(target, path) => {
                let d = adw::AlertDialog::new(
                    Some(&gettext_f("Remove the disk {target}?", &[("target", &target)])),
                    Some(&gettext(
                        "The machine no longer sees this disk. Its file stays on this computer unless you tick it below.",
                    )),
                );
                // A switch row rather than a check button: GTK 4.18 gives check buttons no
                // accessible action, so screen-reader users could not tick it.
                let check = adw::SwitchRow::builder()
                    .use_markup(false)
                    .title(gettext_f("Also delete the file {path}", &[("path", &path)]))
                    .build();
                let g = adw::PreferencesGroup::new();
                g.add(&check);
                d.set_extra_child(Some(&g));
                d.add_response("cancel", &gettext("Cancel"));
                d.add_response("remove", &gettext("Remove"));
                d.set_response_appearance("remove", adw::ResponseAppearance::Destructive);
                d.set_close_response("cancel");
                let s = sender.clone();
                d.connect_response(None, move |_, r| {
                    if r == "remove" {
                        s.input(HardwareMsg::ConfirmedRemoveDisk(
                            target.clone(),
                            check.is_active(),
                        ))
                    }
                });
                d.present(page.root().as_ref());
            }
            HardwareMsg::ConfirmedRemoveDisk(target, delete_file) => self.request(
                &sender,
                HardwareChange::RemoveDisk {
                    target,
                    delete_file,
                },
            ),
            HardwareMsg::Clone => {
                let Some(info) = &self.info else { return };
                let d = adw::AlertDialog::new(
                    Some(&gettext_f("Clone “{name}”", &[("name", &info.name)])),
                    Some(&gettext(
                        "The copy gets its own disks (copied into the same storage pools), a new identity and new network addresses. Disc images in the CD-ROM are shared.",
                    )),
                );
                let g = adw::PreferencesGroup::new();
                let entry = crate::ui::widgets::entry(&gettext("Name of the copy"));
                entry.set_text(&format!("{}-clone", info.name));
                g.add(&entry);
                d.set_extra_child(Some(&g));
                d.add_response("cancel", &gettext("Cancel"));
                d.add_response("clone", &gettext("Clone"));
                d.set_response_appearance("clone", adw::ResponseAppearance::Suggested);
                d.set_close_response("cancel");
                let s = sender.clone();
                d.connect_response(None, move |_, r| {
                    if r == "clone" {
                        s.input(HardwareMsg::ConfirmedClone(entry.text().trim().to_string()))
                    }
                });
                d.present(page.root().as_ref());
            }
            HardwareMsg::ConfirmedClone(name) => {
                if let (Some(machine), None) = (self.target.machine(), &self.cloning) {
                    let input = sender.input_sender().clone();
                    let uuid = machine.uuid.clone();
                    let (source, source_name) = (machine.uuid.clone(), machine.name.clone());
                    let n = name.clone();
                    self.cloning = Some(CloneJob::start(
                        &sender,
                        machine,
                        name,
                        move |done, total| {
                            input.emit(HardwareMsg::CloneProgress(
                                uuid.clone(),
                                Some((done, total)),
                            ))
                        },
                        move |result| HardwareCmd::Cloned {
                            source,
                            source_name,
                            name: n,
                            result,
                        },
                    ));
                    w.clone_progress.set_fraction(0.0);
                    w.clone_progress
                        .set_text(Some(&gettext("Starting to copy…")));
                    w.clone_progress.set_visible(true);
                    w.clone_cancel.set_visible(true);
                }
            }
            HardwareMsg::CancelClone => {
                if let Some(job) = &self.cloning {
                    job.cancel();
                }
            }
            HardwareMsg::CloneProgress(uuid, p) => {
                if !self.target.is(&uuid) {
                    return;
                }
                match p {
                    Some((done, total)) => {
                        let f = (done as f64 / total.max(1) as f64).clamp(0.0, 1.0);
                        w.clone_progress.set_visible(true);
                        w.clone_cancel.set_visible(true);
                        w.clone_progress.set_fraction(f);
                        w.clone_progress.set_text(Some(&gettext_f(
                            "Copying the disks: {percent} %",
                            &[("percent", &format!("{:.0}", f * 100.0))],
                        )));
                    }
                    None => {
                        w.clone_progress.set_visible(false);
                        w.clone_cancel.set_visible(false);
                    }
                }
            }
            HardwareMsg::Describe => {
                let text = w.description.text().trim().to_string();
                if self.info.as_ref().is_some_and(|i| i.description != text) {
                    self.target.ask(
                        &sender,
                        move |c, uuid| details::set_description(c, uuid, &text),
                        // Said like any change that is in effect at once.
                        |uuid, r| {
                            HardwareCmd::Changed(uuid, r.map(|()| (String::new(), Applied::Live)))
                        },
                    );
                }
            }
            HardwareMsg::Rename => {
                let new = w.name.text().trim().to_string();
                if self.info.as_ref().is_some_and(|i| i.name != new) && !new.is_empty() {
                    self.request(&sender, HardwareChange::Rename(new));
                }
            }
        }
    }

    fn update_cmd(
        &mut self,
        answer: Self::CommandOutput,
        sender: ComponentSender<Self>,
        page: &Self::Root,
    ) {
        self.answered(answer, &sender, page);
    }
}

impl HardwarePanel {
    fn answered(
        &mut self,
        answer: HardwareCmd,
        sender: &ComponentSender<Self>,
        page: &adw::PreferencesPage,
    ) {
        match answer {
            HardwareCmd::Cloned {
                source,
                source_name,
                name,
                result,
            } => {
                self.cloning = None;
                sender.input(HardwareMsg::CloneProgress(source, None));
                match result {
                    Ok(new_uuid) => {
                        crate::ui::widgets::toast(
                            page,
                            &gettext_f("“{name}” is ready.", &[("name", &name)]),
                        );
                        if sender.output(HardwareOutput::Cloned(new_uuid)).is_err() {
                            log::debug!("a clone ended after the window closed");
                        }
                    }
                    Err(e) => {
                        crate::ui::widgets::toast_error(page, clone_job::failure(&source_name, &e))
                    }
                }
            }
            HardwareCmd::Info(uuid, _) | HardwareCmd::Changed(uuid, _)
                if !self.target.is(&uuid) => {}
            HardwareCmd::Info(uuid, Ok(info)) => {
                sender
                    .output(HardwareOutput::Os(uuid.clone(), info.os_id.clone()))
                    .ok();
                sender
                    .output(HardwareOutput::Installing(uuid.clone(), info.installing))
                    .ok();
                sender.input(HardwareMsg::Info(uuid, info));
            }
            HardwareCmd::Info(_, Err(e)) => {
                crate::ui::widgets::toast_error(page, crate::errors::read_error(&e))
            }
            HardwareCmd::Changed(_, result) => {
                match result {
                    Ok((_, Applied::Live)) => crate::ui::widgets::toast(page, &gettext("Changed.")),
                    Ok((name, Applied::NextStart)) => crate::ui::widgets::toast(
                        page,
                        &gettext_f(
                            "Saved. It takes effect the next time “{name}” is shut down and started.",
                            &[("name", &name)],
                        ),
                    ),
                    Err(e) => crate::ui::widgets::toast_error(
                        page,
                        crate::errors::change_error(self.target.name(), &e),
                    ),
                }
                self.read(sender);
            }
        }
    }

    fn render(&self, w: &mut HardwareWidgets, sender: &ComponentSender<Self>) {
        let Some(h) = &self.info else { return };
        w.resources.set_visible(true);
        w.memory.set_value(h.memory_mib as f64);
        w.vcpus.set_value(h.vcpus as f64);
        w.memory_row.set_subtitle(&match h.live_memory_mib {
            Some(now) => gettext_f(
                "Now {now} (it started with {max}); at the next start {next}",
                &[
                    ("now", &mib_text(now)),
                    ("max", &mib_text(h.max_memory_mib)),
                    ("next", &mib_text(h.memory_mib)),
                ],
            ),
            None => mib_text(h.memory_mib),
        });
        let mut cpu_text = match h.live_vcpus {
            Some(now) => gettext_f(
                "Now {now}; at the next start {next}",
                &[("now", &now.to_string()), ("next", &h.vcpus.to_string())],
            ),
            None => String::new(),
        };
        if h.generic_cpu_fallback {
            if !cpu_text.is_empty() {
                cpu_text.push('\n');
            }
            cpu_text.push_str(&gettext(
                "A generic processor model: this computer’s own model could not be used here (KVM refused some of its features), so some programs in the machine may run slower.",
            ));
        }
        w.vcpus_row.set_subtitle(&cpu_text);
        let mut fw = if h.uefi {
            gettext("UEFI")
        } else {
            gettext("BIOS")
        };
        if h.secure_boot {
            fw.push_str(&gettext(", Secure Boot on"));
        }
        if h.tpm {
            fw.push_str(&gettext(", emulated TPM"));
        }
        w.firmware.set_subtitle(&fw);
        match BOOT_CHOICES
            .iter()
            .position(|c| c.iter().map(|s| s.to_string()).collect::<Vec<_>>() == h.boot)
        {
            Some(i) => {
                w.boot.set_selected(i as u32);
                // The row shows its choice as the subtitle (use-subtitle), which a custom
                // order below may have replaced: put the choice's words back.
                let words = w
                    .boot
                    .selected_item()
                    .and_downcast::<gtk::StringObject>()
                    .map(|s| s.string().to_string())
                    .unwrap_or_default();
                w.boot.set_subtitle(&words);
            }
            None => w.boot.set_subtitle(
                &h.boot
                    .iter()
                    .map(|d| boot_word(d))
                    .collect::<Vec<_>>()
                    .join(" → "),
            ),
        }
        w.boot_menu.set_active(h.boot_menu);
        w.autostart.set_active(h.autostart);
        w.autostart.set_subtitle(&if h.session {
            gettext(
                "In “My user session” it starts when your own libvirt service starts (when you log in and Bilik or another libvirt program connects), not when the computer boots",
            )
        } else {
            gettext("It starts when the computer boots")
        });
        w.autostart.set_sensitive(h.persistent);
        for r in w.cd_rows.drain(..) {
            w.cd_group.remove(&r);
        }
        w.cd_group.set_visible(!h.cdroms.is_empty());
        for (target, source) in &h.cdroms {
            let row = adw::ActionRow::builder()
                .use_markup(false)
                .title(if source.is_empty() {
                    gettext("Empty")
                } else {
                    source.clone()
                })
                .subtitle(gettext_f("Drive {target}", &[("target", target)]))
                .build();
            let eject = gtk::Button::builder()
                .label(gettext("Eject"))
                .valign(gtk::Align::Center)
                .sensitive(!source.is_empty())
                .build();
            let s = sender.clone();
            let t = target.clone();
            eject.connect_clicked(move |_| s.input(HardwareMsg::Eject(t.clone())));
            let insert = gtk::Button::builder()
                .label(gettext("Insert Disc…"))
                .valign(gtk::Align::Center)
                .build();
            let s = sender.clone();
            let t = target.clone();
            insert.connect_clicked(move |_| s.input(HardwareMsg::ChooseDisc(t.clone())));
            row.add_suffix(&eject);
            row.add_suffix(&insert);
            w.cd_group.add(&row);
            w.cd_rows.push(row);
        }
        for r in w.disk_rows.drain(..) {
            w.disk_group.remove(&r);
        }
        for d in h.disks.iter().filter(|d| !d.is_cdrom) {
            let row = adw::ActionRow::builder()
                .use_markup(false)
                .title(&d.path)
                .subtitle(gettext_f("Drive {target}", &[("target", &d.target)]))
                .subtitle_selectable(true)
                .build();
            let remove = gtk::Button::builder()
                .label(gettext("Remove…"))
                .valign(gtk::Align::Center)
                .build();
            remove.update_property(&[gtk::accessible::Property::Description(&gettext_f(
                "Remove the disk {target}",
                &[("target", &d.target)],
            ))]);
            let s = sender.clone();
            let (t, p) = (d.target.clone(), d.path.clone());
            remove.connect_clicked(move |_| s.input(HardwareMsg::RemoveDisk(t.clone(), p.clone())));
            row.add_suffix(&remove);
            w.disk_group.add(&row);
            w.disk_rows.push(row);
        }

        w.name.set_text(&h.name);
        if w.description.text() != h.description {
            w.description.set_text(&h.description);
        }
        w.rename.set_sensitive(!h.running);
        w.clone.set_sensitive(!h.running);
        // A greyed-out button must say why (its tooltip and accessible description).
        let why = if h.running {
            gettext("Shut the machine down to clone it: its disks must not change while they are copied")
        } else {
            gettext("Make a copy of this machine with copies of its disks")
        };
        w.clone.set_tooltip_text(Some(&why));
        w.clone
            .update_property(&[gtk::accessible::Property::Description(&why)]);
    }
}
