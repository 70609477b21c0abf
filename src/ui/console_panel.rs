//! The machine page's Console tab: the shown machine's screen inside Bilik's window
//! ([`SpiceView`]), while the tab is shown and the machine runs. SPICE serves one viewer
//! at a time, so while the machine's console is open elsewhere (Bilik's console window or
//! virt-viewer) the tab says so instead of taking the screen away from it; Full Screen
//! moves the screen into the console window, full screen.

use adw::prelude::*;
use gettextrs::gettext;
use relm4::prelude::*;

use super::spice_view::SpiceView;
use crate::backend::scancode;
use crate::model::VmObject;
use crate::ui::machine_target::Machine;

#[derive(Debug)]
pub enum ConsolePanelMsg {
    Show(Option<(Machine, VmObject)>),
    /// The tab became visible (true) or another one was chosen.
    Visible(bool),
    /// A machine's state changed.
    StateChanged(String),
    /// The console of machine `.0` is open elsewhere (true) or no longer (false).
    Elsewhere(String, bool),
    FullScreen,
    CtrlAltDel,
}

#[derive(Debug)]
pub enum ConsolePanelOutput {
    /// Open this machine's console window in full screen (the tab lets go of it).
    FullScreen { uuid: String, name: String },
}

pub struct ConsolePanel {
    machine: Option<(Machine, VmObject)>,
    visible: bool,
    /// Machines whose console is open elsewhere.
    elsewhere: std::collections::HashSet<String>,
    /// The screen while shown (made anew each time: one session per showing).
    view: Option<SpiceView>,
}

pub struct ConsolePanelWidgets {
    screen: gtk::Box,
}

impl ConsolePanel {
    /// Which page fits now, and the session with it.
    fn refresh(&mut self, root: &gtk::Stack, widgets: &ConsolePanelWidgets) {
        let page = match &self.machine {
            None => "off",
            Some((m, vm)) => {
                let local = crate::backend::uri::local_and_session(m.connection.uri()).0;
                if !vm.vm_state().is_active() {
                    "off"
                } else if !local {
                    "remote"
                } else if self.elsewhere.contains(&m.uuid) {
                    "elsewhere"
                } else {
                    "screen"
                }
            }
        };
        root.set_visible_child_name(page);
        let wanted = page == "screen" && self.visible;
        match (&self.view, wanted) {
            (None, true) => {
                let Some((m, _)) = &self.machine else { return };
                let view = SpiceView::new();
                widgets.screen.append(view.widget());
                view.open(m.connection.clone(), m.uuid.clone());
                view.widget().grab_focus();
                self.view = Some(view);
            }
            (Some(_), false) => self.end_session(widgets),
            _ => {}
        }
    }

    /// Ends the shown screen's session (the machine keeps running).
    fn end_session(&mut self, widgets: &ConsolePanelWidgets) {
        if let Some(view) = self.view.take() {
            view.close();
            widgets.screen.remove(view.widget());
        }
    }
}

impl Component for ConsolePanel {
    type CommandOutput = ();
    type Input = ConsolePanelMsg;
    type Output = ConsolePanelOutput;
    type Init = ();
    type Root = gtk::Stack;
    type Widgets = ConsolePanelWidgets;

    fn init_root() -> Self::Root {
        gtk::Stack::new()
    }

    fn init(_: (), root: Self::Root, sender: ComponentSender<Self>) -> ComponentParts<Self> {
        let off = adw::StatusPage::builder()
            .icon_name("system-shutdown-symbolic")
            .title(gettext("The machine is off"))
            .description(gettext("Start it to see its screen here."))
            .build();
        let remote = adw::StatusPage::builder()
            .icon_name("network-server-symbolic")
            .title(gettext("This machine’s screen opens in virt-viewer"))
            .description(gettext(
                "Bilik shows the screen of machines on this computer. For a machine on another computer, use Open Console.",
            ))
            .build();
        let elsewhere = adw::StatusPage::builder()
            .icon_name("video-display-symbolic")
            .title(gettext("The screen is open in its own window"))
            .description(gettext(
                "A machine’s screen shows in one place at a time. Close that window to see it here.",
            ))
            .build();
        let bar = gtk::Box::builder()
            .orientation(gtk::Orientation::Horizontal)
            .spacing(6)
            .margin_start(6)
            .margin_end(6)
            .margin_top(6)
            .margin_bottom(6)
            .halign(gtk::Align::End)
            .build();
        let cad = gtk::Button::builder()
            .label("Ctrl+Alt+Del")
            .tooltip_text(gettext("Send Ctrl+Alt+Del to the machine"))
            .build();
        let s = sender.clone();
        cad.connect_clicked(move |_| s.input(ConsolePanelMsg::CtrlAltDel));
        let full = gtk::Button::builder()
            .icon_name("view-fullscreen-symbolic")
            .tooltip_text(gettext("Full Screen"))
            .build();
        full.update_property(&[gtk::accessible::Property::Label(&gettext("Full Screen"))]);
        let s = sender.clone();
        full.connect_clicked(move |_| s.input(ConsolePanelMsg::FullScreen));
        bar.append(&cad);
        bar.append(&full);
        let screen = gtk::Box::builder()
            .orientation(gtk::Orientation::Vertical)
            .css_classes(["bilik-console"])
            .build();
        let page = gtk::Box::new(gtk::Orientation::Vertical, 0);
        page.append(&bar);
        page.append(&screen);
        root.add_named(&off, Some("off"));
        root.add_named(&remote, Some("remote"));
        root.add_named(&elsewhere, Some("elsewhere"));
        root.add_named(&page, Some("screen"));
        root.set_visible_child_name("off");
        let model = ConsolePanel {
            machine: None,
            visible: false,
            elsewhere: Default::default(),
            view: None,
        };
        ComponentParts {
            model,
            widgets: ConsolePanelWidgets { screen },
        }
    }

    fn update_with_view(
        &mut self,
        widgets: &mut Self::Widgets,
        msg: ConsolePanelMsg,
        sender: ComponentSender<Self>,
        root: &Self::Root,
    ) {
        match msg {
            ConsolePanelMsg::Show(machine) => {
                // Another machine: the old one's session ends first.
                let same = match (&self.machine, &machine) {
                    (Some((a, _)), Some((b, _))) => a.uuid == b.uuid,
                    _ => false,
                };
                if !same {
                    self.end_session(widgets);
                }
                self.machine = machine;
            }
            ConsolePanelMsg::Visible(on) => self.visible = on,
            ConsolePanelMsg::StateChanged(uuid) => {
                if self.machine.as_ref().is_none_or(|(m, _)| m.uuid != uuid) {
                    return;
                }
                // Stopped (or restarted): a new session for a new qemu process.
                if self
                    .machine
                    .as_ref()
                    .is_some_and(|(_, vm)| !vm.vm_state().is_active())
                {
                    self.end_session(widgets);
                }
            }
            ConsolePanelMsg::Elsewhere(uuid, open) => {
                if open {
                    self.elsewhere.insert(uuid);
                } else {
                    self.elsewhere.remove(&uuid);
                }
            }
            ConsolePanelMsg::FullScreen => {
                if let Some((uuid, name)) = self
                    .machine
                    .as_ref()
                    .map(|(m, _)| (m.uuid.clone(), m.name.clone()))
                {
                    // Let go first: the window takes the screen over.
                    self.elsewhere.insert(uuid.clone());
                    self.refresh(root, widgets);
                    sender
                        .output(ConsolePanelOutput::FullScreen { uuid, name })
                        .ok();
                }
                return;
            }
            ConsolePanelMsg::CtrlAltDel => {
                if let Some(v) = &self.view {
                    v.send_keys(&scancode::CTRL_ALT_DEL);
                    v.widget().grab_focus();
                }
                return;
            }
        }
        self.refresh(root, widgets);
    }
}
