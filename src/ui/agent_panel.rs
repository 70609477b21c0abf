//! "Clipboard & display" for the selected machine: whether the SPICE agent (copy-paste,
//! automatic screen size) and the qemu guest agent are there and connected, the SPICE
//! copy-paste and file-transfer switches, and how to install the agent in the guest. The
//! panel asks the connection itself ([`MachineTarget::ask`]).

use adw::prelude::*;
use gettextrs::gettext;
use relm4::prelude::*;

use crate::backend::agent_settings::{self, AgentSettings, GuestInstall};
use crate::backend::definition::{self, Saved};
use crate::backend::BackendError;
use crate::ui::machine_target::{Machine, MachineTarget};

#[derive(Debug)]
pub enum AgentPanelMsg {
    /// Show the settings of this machine, or nothing.
    Show(Option<Machine>),
    /// The agent connected or disconnected: read the settings again.
    Refresh(String),
    Switched,
    AddChannels,
    CopyCommand,
}

/// The connection's answers, for the machine named first.
#[derive(Debug)]
pub enum AgentPanelCmd {
    Settings(String, Result<AgentSettings, BackendError>),
    Saved(String, Result<Saved, BackendError>),
}

pub struct AgentPanel {
    target: MachineTarget,
    settings: Option<AgentSettings>,
    /// Set while the switches are being updated from libvirt, so that is not taken for a
    /// change by the person.
    updating: bool,
}

pub struct AgentPanelWidgets {
    spice_row: adw::ActionRow,
    guest_row: adw::ActionRow,
    add_channels: gtk::Button,
    copypaste: adw::SwitchRow,
    filetransfer: adw::SwitchRow,
    install_row: adw::ActionRow,
    copy: gtk::Button,
}

fn state_text(state: Option<bool>) -> String {
    match state {
        Some(true) => gettext("Connected"),
        Some(false) => {
            gettext("Not connected: not installed in the machine, or the machine is off")
        }
        None => gettext("Missing: the machine has no channel for it"),
    }
}

impl AgentPanel {
    fn read(&self, sender: &ComponentSender<Self>) {
        self.target
            .ask(sender, agent_settings::settings, AgentPanelCmd::Settings);
    }

    /// Saves a change to the definition; its answer is said and the settings read again.
    fn save(
        &self,
        sender: &ComponentSender<Self>,
        change: impl FnOnce(&str) -> Result<String, crate::backend::xml_edit::EditError>
            + Send
            + 'static,
    ) {
        self.target.ask(
            sender,
            move |c, uuid| definition::edit(c, uuid, change),
            AgentPanelCmd::Saved,
        );
    }
}

impl Component for AgentPanel {
    type CommandOutput = AgentPanelCmd;
    type Input = AgentPanelMsg;
    type Output = ();
    type Init = ();
    type Root = adw::PreferencesGroup;
    type Widgets = AgentPanelWidgets;

    fn init_root() -> Self::Root {
        // (The group title is markup: panel_group escapes the "&".)
        crate::ui::widgets::panel_group(
            &gettext("Clipboard & display"),
            &gettext(
                "Copy and paste between this computer and the machine, and a screen that follows the console window’s size, need the SPICE agent (spice-vdagent) inside the machine.",
            ),
        )
    }

    fn init(_: (), group: Self::Root, sender: ComponentSender<Self>) -> ComponentParts<Self> {
        let spice_row = adw::ActionRow::builder()
            .use_markup(false)
            .title(gettext("SPICE agent"))
            .build();
        let guest_row = adw::ActionRow::builder()
            .use_markup(false)
            .title(gettext("Guest agent (shutdown, IP addresses)"))
            .build();
        let add_channels = gtk::Button::builder()
            .label(gettext("Add Channels"))
            .valign(gtk::Align::Center)
            .tooltip_text(gettext(
                "Adds the agents’ channels to the machine. It takes effect after the next shutdown and start.",
            ))
            .visible(false)
            .build();
        let s = sender.clone();
        add_channels.connect_clicked(move |_| s.input(AgentPanelMsg::AddChannels));
        spice_row.add_suffix(&add_channels);
        let copypaste = adw::SwitchRow::builder()
            .title(gettext("Copy and paste"))
            .subtitle(gettext("Share the clipboard with this computer"))
            .build();
        let filetransfer = adw::SwitchRow::builder()
            .title(gettext("File transfer"))
            .subtitle(gettext(
                "Drop files onto the console to copy them into the machine",
            ))
            .build();
        for row in [&copypaste, &filetransfer] {
            let s = sender.clone();
            row.connect_active_notify(move |_| s.input(AgentPanelMsg::Switched));
        }
        let install_row = adw::ActionRow::builder()
            .use_markup(false)
            .title(gettext("Install the agent in the machine"))
            .subtitle_selectable(true)
            .build();
        let copy = gtk::Button::builder()
            .icon_name("edit-copy-symbolic")
            .valign(gtk::Align::Center)
            .tooltip_text(gettext("Copy the command"))
            .css_classes(["flat"])
            .build();
        copy.update_property(&[gtk::accessible::Property::Label(&gettext(
            "Copy the command",
        ))]);
        let s = sender.clone();
        copy.connect_clicked(move |_| s.input(AgentPanelMsg::CopyCommand));
        install_row.add_suffix(&copy);
        group.add(&spice_row);
        group.add(&guest_row);
        group.add(&copypaste);
        group.add(&filetransfer);
        group.add(&install_row);
        let widgets = AgentPanelWidgets {
            spice_row,
            guest_row,
            add_channels,
            copypaste,
            filetransfer,
            install_row,
            copy,
        };
        let model = AgentPanel {
            target: MachineTarget::default(),
            settings: None,
            updating: false,
        };
        ComponentParts { model, widgets }
    }

    fn update_with_view(
        &mut self,
        widgets: &mut Self::Widgets,
        msg: Self::Input,
        sender: ComponentSender<Self>,
        group: &Self::Root,
    ) {
        match msg {
            AgentPanelMsg::Show(target) => {
                self.settings = None;
                // Hidden until this machine's answer comes.
                group.set_visible(false);
                self.target = MachineTarget::new(target);
                self.read(&sender);
            }
            AgentPanelMsg::Refresh(uuid) => {
                if self.target.is(&uuid) {
                    self.read(&sender);
                }
            }
            AgentPanelMsg::Switched => {
                // Only a change by the person: setting the switches from libvirt's values
                // also notifies (and those messages arrive after `updating` is reset).
                let (copypaste, filetransfer) = (
                    widgets.copypaste.is_active(),
                    widgets.filetransfer.is_active(),
                );
                let unchanged = self
                    .settings
                    .as_ref()
                    .is_none_or(|s| s.copypaste == copypaste && s.filetransfer == filetransfer);
                if self.updating || unchanged {
                    return;
                }
                // Only the switch that changed is written.
                let was_copypaste = self.settings.as_ref().is_some_and(|s| s.copypaste);
                self.save(&sender, move |xml| {
                    if copypaste != was_copypaste {
                        agent_settings::set_copypaste(xml, copypaste)
                    } else {
                        agent_settings::set_filetransfer(xml, filetransfer)
                    }
                });
            }
            AgentPanelMsg::AddChannels => self.save(&sender, agent_settings::add_agent_channels),
            AgentPanelMsg::CopyCommand => {
                let cmd = self
                    .settings
                    .as_ref()
                    .and_then(|s| GuestInstall::for_os(s.os_id.as_deref()).command());
                if let Some(cmd) = cmd {
                    group.clipboard().set_text(cmd);
                }
            }
        }
    }

    fn update_cmd_with_view(
        &mut self,
        widgets: &mut Self::Widgets,
        answer: Self::CommandOutput,
        sender: ComponentSender<Self>,
        group: &Self::Root,
    ) {
        match answer {
            AgentPanelCmd::Settings(uuid, _) | AgentPanelCmd::Saved(uuid, _)
                if !self.target.is(&uuid) => {}
            AgentPanelCmd::Settings(_, Ok(settings)) => self.show(widgets, settings, group),
            AgentPanelCmd::Settings(_, Err(e)) => {
                log::debug!("agent settings: {e}");
                crate::ui::widgets::toast_error(group, crate::errors::read_error(&e));
            }
            AgentPanelCmd::Saved(_, result) => {
                self.target.say_saved(group, result);
                // The switches show what is true now, saved or not.
                self.read(&sender);
            }
        }
    }
}

impl AgentPanel {
    fn show(
        &mut self,
        widgets: &mut AgentPanelWidgets,
        settings: AgentSettings,
        group: &adw::PreferencesGroup,
    ) {
        self.updating = true;
        group.set_visible(true);
        widgets
            .spice_row
            .set_subtitle(&state_text(settings.spice_agent));
        widgets
            .guest_row
            .set_subtitle(&state_text(settings.guest_agent));
        widgets.add_channels.set_visible(
            (settings.has_spice && settings.spice_agent.is_none())
                || settings.guest_agent.is_none(),
        );
        widgets.copypaste.set_active(settings.copypaste);
        widgets.filetransfer.set_active(settings.filetransfer);
        widgets.copypaste.set_sensitive(settings.has_spice);
        widgets.filetransfer.set_sensitive(settings.has_spice);
        let install = GuestInstall::for_os(settings.os_id.as_deref());
        let text = match (install, install.command()) {
            (_, Some(cmd)) => format!("{cmd}\n{}", gettext("Then restart the machine.")),
            (GuestInstall::Windows, None) => gettext(
                "Install “spice-guest-tools” from the SPICE project’s download page inside Windows, then restart it.",
            ),
            _ => gettext(
                "Install the packages spice-vdagent and qemu-guest-agent with the machine’s package manager, then restart it.",
            ),
        };
        widgets.install_row.set_subtitle(&text);
        widgets.copy.set_visible(install.command().is_some());
        self.settings = Some(settings);
        self.updating = false;
    }
}
