//! The content pane: the shown machine's tabs (Overview with its panels, Console, Hardware,
//! Snapshots, XML), or only a status page while no machine is chosen.
//!
//! It is told which machine to show and what libvirt pushed; every panel in it asks the
//! connection itself and hears its own answer. It keeps what the overview needs beyond a
//! panel's own questions: the last minutes of statistics of every machine (so a graph is
//! full when its machine is chosen) and the name of the shown machine's system.

use std::sync::Arc;

use adw::prelude::*;
use gettextrs::gettext;
use relm4::prelude::*;

use crate::backend::osinfo::OsDb;
use crate::backend::{Connection, DomainStats, LifecycleAction};
use crate::model::stats_history::StatsHistory;
use crate::model::VmObject;
use crate::ui::agent_panel::{AgentPanel, AgentPanelMsg};
use crate::ui::console_panel::{ConsolePanel, ConsolePanelMsg, ConsolePanelOutput};
use crate::ui::hardware_panel::{HardwareMsg, HardwareOutput, HardwarePanel};
use crate::ui::machine_target::Machine;
use crate::ui::nics_panel::{NicsMsg, NicsPanel};
use crate::ui::shares_panel::{SharesMsg, SharesPanel};
use crate::ui::snapshots_panel::{SnapshotsMsg, SnapshotsPanel};
use crate::ui::usb_panel::{UsbMsg, UsbPanel};
use crate::ui::vm_details::{VmDetails, VmDetailsMsg, VmDetailsOutput};
use crate::ui::xml_panel::{XmlMsg, XmlPanel};

#[derive(Debug)]
pub enum MachineViewMsg {
    /// Show this machine of this connection, or none.
    Show(Option<(Connection, VmObject)>),
    /// A machine's state changed (libvirt's lifecycle event): what can change live did too.
    StateChanged(String),
    /// A machine's guest agent or devices changed.
    DevicesChanged(String),
    /// A machine's console opened: its SPICE agent connects now.
    ConsoleOpened(String),
    /// New statistics of all running machines.
    Stats(Vec<DomainStats>),
    /// A machine is gone: its statistics with it.
    Removed(String),
    /// The complete list (its UUIDs) arrived: the statistics of machines not in it go.
    Listed(std::collections::HashSet<String>),
    /// Another connection: nothing of the old one is kept.
    Reset,
    /// Show the overview tab.
    Overview,
    /// The Hardware tab read the machine's system (libosinfo id).
    Os(String, Option<String>),
    /// The Hardware tab made a clone (its UUID).
    Cloned(String),
    /// The Hardware tab read whether the machine is being installed by itself.
    Installing(String, Option<crate::backend::express::Stage>),
    /// Machine `.0`'s console is open in a window of its own (true) or no longer.
    ConsoleElsewhere(String, bool),
    /// The shown tab changed (its name).
    TabShown(String),
}

#[derive(Debug)]
pub enum MachineViewOutput {
    /// Move the shown machine to this computer's other connection.
    Move { uuid: String, name: String },
    Action {
        uuid: String,
        name: String,
        action: LifecycleAction,
    },
    OpenConsole {
        uuid: String,
        name: String,
        fullscreen: Option<bool>,
        in_bilik: Option<bool>,
    },
    /// A clone was made: show it (its UUID).
    Cloned(String),
}

pub struct MachineView {
    details: Controller<VmDetails>,
    agent: Controller<AgentPanel>,
    shares: Controller<SharesPanel>,
    usb: Controller<UsbPanel>,
    nics: Controller<NicsPanel>,
    hardware: Controller<HardwarePanel>,
    snapshots: Controller<SnapshotsPanel>,
    xml: Controller<XmlPanel>,
    console: Controller<ConsolePanel>,
    /// The shown machine's UUID.
    shown: Option<String>,
    history: StatsHistory,
    /// The shown machine's libosinfo id, and osinfo-db once read (off the main thread, the
    /// first time a system is named).
    os_id: Option<String>,
    osdb: Option<Arc<OsDb>>,
    osdb_asked: bool,
}

pub struct MachineViewWidgets {
    pages: gtk::Stack,
    tabs: adw::ViewStack,
    tab_switcher: adw::ViewSwitcher,
}

impl MachineView {
    /// Names the shown machine's system in the overview.
    fn show_os(&mut self, sender: &ComponentSender<Self>) {
        let Some(id) = self.os_id.clone() else {
            self.details.emit(VmDetailsMsg::Os(None));
            return;
        };
        match &self.osdb {
            Some(db) => {
                let name = db.get(&id).map(|e| e.name.clone()).unwrap_or(id);
                self.details.emit(VmDetailsMsg::Os(Some(name)));
            }
            None if !self.osdb_asked => {
                self.osdb_asked = true;
                sender.spawn_oneshot_command(OsDb::shared);
            }
            None => {}
        }
    }
}

impl Component for MachineView {
    type CommandOutput = Arc<OsDb>;
    type Input = MachineViewMsg;
    type Output = MachineViewOutput;
    type Init = ();
    type Root = adw::ToolbarView;
    type Widgets = MachineViewWidgets;

    fn init_root() -> Self::Root {
        adw::ToolbarView::new()
    }

    fn init(_: (), root: Self::Root, sender: ComponentSender<Self>) -> ComponentParts<Self> {
        // Panels that ask the connection themselves are detached: nothing comes back here.
        let agent = AgentPanel::builder().launch(()).detach();
        let shares = SharesPanel::builder().launch(()).detach();
        let usb = UsbPanel::builder().launch(()).detach();
        let nics = NicsPanel::builder().launch(()).detach();
        let panels = gtk::Box::new(gtk::Orientation::Vertical, 24);
        panels.append(agent.widget());
        panels.append(nics.widget());
        panels.append(shares.widget());
        panels.append(usb.widget());
        let details = VmDetails::builder().launch(panels.upcast()).forward(
            sender.output_sender(),
            |o| match o {
                VmDetailsOutput::Action { uuid, name, action } => {
                    MachineViewOutput::Action { uuid, name, action }
                }
                VmDetailsOutput::Move { uuid, name } => MachineViewOutput::Move { uuid, name },
                VmDetailsOutput::OpenConsole {
                    uuid,
                    name,
                    fullscreen,
                    in_bilik,
                } => MachineViewOutput::OpenConsole {
                    uuid,
                    name,
                    fullscreen,
                    in_bilik,
                },
            },
        );
        let hardware = HardwarePanel::builder()
            .launch(())
            .forward(sender.input_sender(), |o| match o {
                HardwareOutput::Cloned(uuid) => MachineViewMsg::Cloned(uuid),
                HardwareOutput::Os(uuid, os) => MachineViewMsg::Os(uuid, os),
                HardwareOutput::Installing(uuid, on) => MachineViewMsg::Installing(uuid, on),
            });
        let snapshots = SnapshotsPanel::builder().launch(()).detach();
        let console =
            ConsolePanel::builder()
                .launch(())
                .forward(sender.output_sender(), |o| match o {
                    ConsolePanelOutput::FullScreen { uuid, name } => {
                        MachineViewOutput::OpenConsole {
                            uuid,
                            name,
                            fullscreen: Some(true),
                            in_bilik: Some(true),
                        }
                    }
                });
        let xml = XmlPanel::builder().launch(()).detach();

        let tabs = adw::ViewStack::new();
        for (widget, name, title, icon) in [
            (
                details.widget().clone().upcast::<gtk::Widget>(),
                "overview",
                gettext("Overview"),
                "computer-symbolic",
            ),
            (
                console.widget().clone().upcast(),
                "console",
                gettext("Console"),
                "video-display-symbolic",
            ),
            (
                hardware.widget().clone().upcast(),
                "hardware",
                gettext("Hardware"),
                "preferences-system-symbolic",
            ),
            (
                snapshots.widget().clone().upcast(),
                "snapshots",
                gettext("Snapshots"),
                "document-open-recent-symbolic",
            ),
            (
                xml.widget().clone().upcast(),
                "xml",
                gettext("XML"),
                "text-x-generic-symbolic",
            ),
        ] {
            tabs.add_titled_with_icon(&widget, Some(name), &title, icon);
        }
        let s = sender.clone();
        tabs.connect_visible_child_name_notify(move |t| {
            s.input(MachineViewMsg::TabShown(
                t.visible_child_name()
                    .map(|n| n.to_string())
                    .unwrap_or_default(),
            ));
        });
        // No machine: no tabs to choose from, only a sentence saying what to do.
        let tab_switcher = adw::ViewSwitcher::builder()
            .stack(&tabs)
            // Icons above their labels: five tabs fit beside the list in a 1000-pixel
            // window (side by side they were cut to "Overvi…").
            .policy(adw::ViewSwitcherPolicy::Narrow)
            .visible(false)
            .build();
        let header = adw::HeaderBar::builder()
            .title_widget(&tab_switcher)
            .build();
        let nothing = adw::StatusPage::builder()
            .icon_name("computer-symbolic")
            .title(gettext("No machine selected"))
            .description(gettext(
                "Pick a virtual machine in the list to see and control it.",
            ))
            .build();
        let pages = gtk::Stack::builder()
            .hhomogeneous(false)
            .vhomogeneous(false)
            .build();
        pages.add_named(&nothing, Some("none"));
        pages.add_named(&tabs, Some("machine"));
        pages.set_visible_child_name("none");
        root.add_top_bar(&header);
        root.set_content(Some(&pages));

        let model = MachineView {
            details,
            agent,
            shares,
            usb,
            nics,
            hardware,
            snapshots,
            xml,
            console,
            shown: None,
            history: StatsHistory::default(),
            os_id: None,
            osdb: None,
            osdb_asked: false,
        };
        let widgets = MachineViewWidgets {
            pages,
            tabs,
            tab_switcher,
        };
        ComponentParts { model, widgets }
    }

    fn update_with_view(
        &mut self,
        widgets: &mut Self::Widgets,
        msg: MachineViewMsg,
        sender: ComponentSender<Self>,
        _root: &Self::Root,
    ) {
        match msg {
            MachineViewMsg::Show(shown) => {
                let machine = shown.as_ref().map(|(connection, vm)| Machine {
                    connection: connection.clone(),
                    uuid: vm.uuid(),
                    name: vm.name(),
                });
                if shown.is_none() {
                    widgets.tabs.set_visible_child_name("overview");
                }
                widgets.tab_switcher.set_visible(shown.is_some());
                widgets.pages.set_visible_child_name(if shown.is_some() {
                    "machine"
                } else {
                    "none"
                });
                self.shown = machine.as_ref().map(|m| m.uuid.clone());
                self.usb.emit(UsbMsg::Show(machine.clone()));
                self.shares.emit(SharesMsg::Show(machine.clone()));
                self.agent.emit(AgentPanelMsg::Show(machine.clone()));
                self.nics.emit(NicsMsg::Show(machine.clone()));
                self.hardware.emit(HardwareMsg::Show(machine.clone()));
                self.snapshots.emit(SnapshotsMsg::Show(machine.clone()));
                self.console.emit(ConsolePanelMsg::Show(
                    machine
                        .clone()
                        .zip(shown.as_ref().map(|(_, vm)| vm.clone())),
                ));
                self.xml.emit(XmlMsg::Show(machine));
                let (connection, vm) = shown.unzip();
                self.details.emit(VmDetailsMsg::Connection(connection));
                self.details.emit(VmDetailsMsg::Show(vm));
                self.os_id = None;
                self.details.emit(VmDetailsMsg::Os(None));
                let samples = self
                    .shown
                    .as_ref()
                    .map(|u| self.history.get(u))
                    .unwrap_or_default();
                self.details.emit(VmDetailsMsg::History(samples));
            }
            MachineViewMsg::ConsoleElsewhere(uuid, open) => {
                self.console.emit(ConsolePanelMsg::Elsewhere(uuid, open));
            }
            MachineViewMsg::TabShown(name) => {
                self.console
                    .emit(ConsolePanelMsg::Visible(name == "console"));
            }
            MachineViewMsg::StateChanged(uuid) => {
                self.console
                    .emit(ConsolePanelMsg::StateChanged(uuid.clone()));
                self.usb.emit(UsbMsg::Refresh(uuid.clone()));
                self.hardware.emit(HardwareMsg::Refresh(uuid.clone()));
                self.snapshots.emit(SnapshotsMsg::Refresh(uuid.clone()));
                self.xml.emit(XmlMsg::Refresh(uuid.clone()));
                self.nics.emit(NicsMsg::Refresh(uuid));
            }
            MachineViewMsg::DevicesChanged(uuid) => {
                self.shares.emit(SharesMsg::Refresh(uuid.clone()));
                self.nics.emit(NicsMsg::Refresh(uuid.clone()));
                self.hardware.emit(HardwareMsg::Refresh(uuid.clone()));
                self.agent.emit(AgentPanelMsg::Refresh(uuid));
            }
            MachineViewMsg::ConsoleOpened(uuid) => {
                self.agent.emit(AgentPanelMsg::Refresh(uuid));
            }
            MachineViewMsg::Stats(stats) => {
                self.history.push(&stats);
                if let Some(uuid) = &self.shown {
                    if stats.iter().any(|s| &s.uuid == uuid) {
                        self.details
                            .emit(VmDetailsMsg::History(self.history.get(uuid)));
                    }
                }
            }
            MachineViewMsg::Removed(uuid) => self.history.forget(&uuid),
            MachineViewMsg::Listed(uuids) => self.history.keep_only(&uuids),
            MachineViewMsg::Reset => self.history.clear(),
            MachineViewMsg::Installing(uuid, on) => {
                if self.shown.as_deref() == Some(uuid.as_str()) {
                    self.details.emit(VmDetailsMsg::Installing(on));
                }
            }
            MachineViewMsg::Cloned(uuid) => {
                if sender.output(MachineViewOutput::Cloned(uuid)).is_err() {
                    log::debug!("a clone made after the window closed");
                }
            }
            MachineViewMsg::Overview => widgets.tabs.set_visible_child_name("overview"),
            MachineViewMsg::Os(uuid, os) => {
                if self.shown.as_deref() == Some(uuid.as_str()) && self.os_id != os {
                    self.os_id = os;
                    self.show_os(&sender);
                }
            }
        }
    }

    fn update_cmd(&mut self, db: Arc<OsDb>, sender: ComponentSender<Self>, _root: &Self::Root) {
        self.osdb = Some(db);
        self.show_os(&sender);
    }
}
