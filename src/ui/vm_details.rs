//! The content pane: the selected machine's name, state (with the reason in words), live
//! usage and its lifecycle buttons, which follow what the state allows.

use adw::prelude::*;
use gettextrs::gettext;
use relm4::prelude::*;

use std::time::{Duration, SystemTime};

use crate::backend::{LifecycleAction, VmState};
use crate::i18n::{gettext_f, ngettext_f};
use crate::model::{vm_state, VmObject};

#[derive(Debug)]
pub enum VmDetailsMsg {
    Show(Option<VmObject>),
    /// The shown machine's state changed.
    Refresh,
    Action(LifecycleAction),
    /// "Move…": to this computer's other connection.
    Move,
    /// Open the console: in full screen, in a window, or as the preferences say (None).
    Console(Option<bool>),
    /// "Open in Bilik's Console" (true) or "Open in virt-viewer".
    ConsoleIn(bool),
    /// The shown machine's operating system (from its libosinfo metadata), if known.
    Os(Option<String>),
    /// The last minutes of statistics of the shown machine.
    History(Vec<crate::model::stats_history::Sample>),
    /// The connection the shown machine is on (to ask it since when a machine runs).
    Connection(Option<crate::backend::Connection>),
    /// Time passed (every 30 s): the uptime line moves on.
    Tick,
    /// The shown machine is being installed by itself (express install).
    Installing(Option<crate::backend::express::Stage>),
}

#[derive(Debug)]
pub enum VmDetailsOutput {
    /// Move the machine to this computer's other connection (session ↔ system).
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
        /// In Bilik's own console (None: as Preferences say).
        in_bilik: Option<bool>,
    },
}

pub struct VmDetails {
    vm: Option<VmObject>,
    handler: Option<glib::SignalHandlerId>,
    /// The running machine whose start time was asked for, and the answer once it came.
    started: Option<(String, Option<SystemTime>)>,
    connection: Option<crate::backend::Connection>,
    /// Machines asked to shut down (while they still run), and when.
    shutting_down: std::collections::HashMap<String, std::time::Instant>,
}

/// How long a guest may take to react to a shutdown request before Bilik says it may not
/// answer at all (and offers Force Off).
pub const SHUTDOWN_PATIENCE: Duration = Duration::from_secs(15);

pub struct VmDetailsWidgets {
    stack: gtk::Stack,
    move_button: gtk::Button,
    title: gtk::Label,
    state_icon: gtk::Image,
    state: gtk::Label,
    reason: gtk::Label,
    uptime: gtk::Label,
    os: gtk::Label,
    os_line: gtk::Box,
    /// "Installing by itself — do not turn it off" (express install).
    installing: gtk::Label,
    usage: gtk::Label,
    buttons: Vec<(LifecycleAction, gtk::Button)>,
    console: adw::SplitButton,
    graphs: crate::ui::graphs::Graphs,
}

fn action_label(a: LifecycleAction) -> String {
    match a {
        LifecycleAction::Start => gettext("Start"),
        LifecycleAction::Shutdown => gettext("Shut Down"),
        LifecycleAction::Reboot => gettext("Restart"),
        LifecycleAction::ForceOff => gettext("Force Off"),
        LifecycleAction::Pause => gettext("Pause"),
        LifecycleAction::Resume => gettext("Resume"),
        LifecycleAction::Delete => gettext("Delete"),
    }
}

fn action_tooltip(a: LifecycleAction) -> String {
    match a {
        LifecycleAction::Start => gettext("Turn the machine on"),
        LifecycleAction::Shutdown => gettext(
            "Ask the guest system to shut down, as with a power button press. A guest that is still booting or has no ACPI support may ignore it: then use Force Off.",
        ),
        LifecycleAction::Reboot => gettext("Ask the guest system to restart"),
        LifecycleAction::ForceOff => gettext("Stop at once, like pulling the power cable"),
        LifecycleAction::Pause => gettext("Freeze the machine in memory; Resume continues where it was"),
        LifecycleAction::Resume => gettext("Continue a paused machine"),
        LifecycleAction::Delete => gettext("Remove the machine; you choose which disk images to delete"),
    }
}

const ACTIONS: [LifecycleAction; 7] = [
    LifecycleAction::Start,
    LifecycleAction::Shutdown,
    LifecycleAction::Reboot,
    LifecycleAction::Pause,
    LifecycleAction::Resume,
    LifecycleAction::ForceOff,
    LifecycleAction::Delete,
];

impl Component for VmDetails {
    /// Since when machine `.0` runs (None: nobody can tell).
    type CommandOutput = (String, Option<SystemTime>);
    type Input = VmDetailsMsg;
    type Output = VmDetailsOutput;
    /// The "Clipboard & display" panel, shown under the buttons.
    type Init = gtk::Widget;
    type Root = gtk::Stack;
    type Widgets = VmDetailsWidgets;

    fn init_root() -> Self::Root {
        // Not homogeneous: the hidden page must not set the window's minimum width.
        gtk::Stack::builder()
            .hhomogeneous(false)
            .vhomogeneous(false)
            .build()
    }

    fn init(
        panel: gtk::Widget,
        stack: Self::Root,
        sender: ComponentSender<Self>,
    ) -> ComponentParts<Self> {
        // No machine: MachineView shows its status page instead of this one.
        let nothing = gtk::Box::new(gtk::Orientation::Vertical, 0);

        let page = gtk::Box::builder()
            .orientation(gtk::Orientation::Vertical)
            .spacing(18)
            .margin_top(24)
            .margin_bottom(24)
            .margin_start(24)
            .margin_end(24)
            .build();
        let title = gtk::Label::builder()
            .xalign(0.0)
            .wrap(true)
            .css_classes(["title-1"])
            .build();
        let state_line = gtk::Box::new(gtk::Orientation::Horizontal, 8);
        let state_icon = gtk::Image::new();
        let state = gtk::Label::builder()
            .xalign(0.0)
            .css_classes(["title-4"])
            .build();
        state_line.append(&state_icon);
        state_line.append(&state);
        let reason = gtk::Label::builder()
            .xalign(0.0)
            .wrap(true)
            .css_classes(["dim-label"])
            .build();
        let uptime = gtk::Label::builder()
            .xalign(0.0)
            .css_classes(["dim-label"])
            .visible(false)
            .build();
        // Minutes are the finest unit shown: a tick every 30 s keeps the line current.
        let s = sender.clone();
        glib::timeout_add_seconds_local(30, move || {
            s.input(VmDetailsMsg::Tick);
            glib::ControlFlow::Continue
        });
        let usage = gtk::Label::builder()
            .xalign(0.0)
            .css_classes(["numeric"])
            .build();

        // Only the actions the current state allows are shown. A running machine's
        // buttons need about 650 px in one row: a flow box puts the last ones on a second
        // row when the pane is narrower, instead of making the window wider than it is.
        let bar = gtk::FlowBox::builder()
            .selection_mode(gtk::SelectionMode::None)
            .column_spacing(6)
            .row_spacing(6)
            .max_children_per_line(8)
            .homogeneous(false)
            .build();
        // The console: the main thing people open a machine for. The arrow offers the other
        // way (full screen or window) than the preference for this one time.
        let console_menu = gio::Menu::new();
        console_menu.append(
            Some(&gettext("Open in _Full Screen")),
            Some("details.console-fullscreen"),
        );
        console_menu.append(
            Some(&gettext("Open in a _Window")),
            Some("details.console-window"),
        );
        console_menu.append(
            Some(&gettext("Open in _Bilik’s Console")),
            Some("details.console-bilik"),
        );
        console_menu.append(
            Some(&gettext("Open in _virt-viewer")),
            Some("details.console-virt-viewer"),
        );
        let console = adw::SplitButton::builder()
            .label(gettext("Open Console"))
            .menu_model(&console_menu)
            .tooltip_text(gettext("Show the machine’s screen"))
            .dropdown_tooltip(gettext(
                "Open the console in full screen, in a window, or in the other viewer",
            ))
            .css_classes(["suggested-action"])
            .build();
        let s = sender.clone();
        console.connect_clicked(move |_| s.input(VmDetailsMsg::Console(None)));
        let group = gio::SimpleActionGroup::new();
        for (name, fullscreen) in [("console-fullscreen", true), ("console-window", false)] {
            let a = gio::SimpleAction::new(name, None);
            let s = sender.clone();
            a.connect_activate(move |_, _| s.input(VmDetailsMsg::Console(Some(fullscreen))));
            group.add_action(&a);
        }
        for (name, in_bilik) in [("console-bilik", true), ("console-virt-viewer", false)] {
            let a = gio::SimpleAction::new(name, None);
            let s = sender.clone();
            a.connect_activate(move |_, _| s.input(VmDetailsMsg::ConsoleIn(in_bilik)));
            group.add_action(&a);
        }
        stack.insert_action_group("details", Some(&group));
        flow_append(&bar, &console);
        let mut buttons = Vec::new();
        for action in ACTIONS {
            let b = gtk::Button::builder()
                .label(action_label(action))
                .tooltip_text(action_tooltip(action))
                .visible(false)
                .build();
            match action {
                LifecycleAction::Start | LifecycleAction::Resume => {
                    b.add_css_class("suggested-action")
                }
                LifecycleAction::ForceOff | LifecycleAction::Delete => {
                    b.add_css_class("destructive-action")
                }
                _ => {}
            }
            let s = sender.clone();
            b.connect_clicked(move |_| s.input(VmDetailsMsg::Action(action)));
            flow_append(&bar, &b);
            buttons.push((action, b));
        }
        let move_button = gtk::Button::builder()
            .label(gettext("Move…"))
            .tooltip_text(gettext(
                "Move it to this computer’s other connection: from your user session to the system, or back. Its disks are copied and checked first.",
            ))
            .visible(false)
            .build();
        let s = sender.clone();
        move_button.connect_clicked(move |_| s.input(VmDetailsMsg::Move));
        flow_append(&bar, &move_button);

        page.append(&title);
        page.append(&state_line);
        // osinfo-db has no logos: a generic computer icon stands beside the system's name.
        let os_line = gtk::Box::builder().spacing(8).visible(false).build();
        os_line.append(&gtk::Image::from_icon_name("computer-symbolic"));
        let os = gtk::Label::builder()
            .xalign(0.0)
            .css_classes(["dim-label"])
            .build();
        os_line.append(&os);
        page.append(&os_line);
        page.append(&reason);
        let installing = gtk::Label::builder()
            .xalign(0.0)
            .wrap(true)
            .css_classes(["warning"])
            .label(gettext(
                "Installing its system by itself — do not turn the machine off. Open the console to watch; when the installer is done, Bilik starts the installed system.",
            ))
            .visible(false)
            .build();
        page.append(&installing);
        page.append(&uptime);
        page.append(&usage);
        let graphs = crate::ui::graphs::Graphs::new();
        graphs.widget().set_visible(false);
        page.append(&bar);
        page.append(graphs.widget());
        page.append(&panel);
        let scrolled = gtk::ScrolledWindow::builder()
            .hscrollbar_policy(gtk::PolicyType::Never)
            .child(&adw::Clamp::builder().maximum_size(720).child(&page).build())
            .build();

        stack.add_named(&nothing, Some("none"));
        stack.add_named(&scrolled, Some("vm"));
        stack.set_visible_child_name("none");

        let widgets = VmDetailsWidgets {
            stack,
            title,
            state_icon,
            state,
            reason,
            uptime,
            os,
            os_line,
            installing,
            usage,
            buttons,
            move_button,
            console,
            graphs,
        };
        ComponentParts {
            model: VmDetails {
                vm: None,
                handler: None,
                shutting_down: Default::default(),
                started: None,
                connection: None,
            },
            widgets,
        }
    }

    fn update_with_view(
        &mut self,
        widgets: &mut Self::Widgets,
        msg: Self::Input,
        sender: ComponentSender<Self>,
        _root: &Self::Root,
    ) {
        match msg {
            VmDetailsMsg::Show(vm) => {
                if let (Some(old), Some(h)) = (self.vm.take(), self.handler.take()) {
                    old.disconnect(h);
                }
                if let Some(vm) = &vm {
                    let s = sender.clone();
                    // Any property change (state, usage, name) refreshes the pane.
                    self.handler =
                        Some(vm.connect_notify_local(None, move |_, _| {
                            s.input(VmDetailsMsg::Refresh)
                        }));
                }
                self.vm = vm;
            }
            VmDetailsMsg::Refresh | VmDetailsMsg::Tick => {}
            VmDetailsMsg::Connection(c) => {
                self.connection = c;
                return;
            }
            VmDetailsMsg::Installing(stage) => {
                use crate::backend::express::Stage;
                widgets.installing.set_visible(stage.is_some());
                widgets.installing.set_label(&match stage {
                    Some(Stage::SetupGoesOn) => gettext(
                        "Windows is finishing its setup by itself — it restarts a few times; do not turn the machine off. Bilik removes the disc with its answers when the machine first stops.",
                    ),
                    _ => gettext(
                        "Installing its system by itself — do not turn the machine off. Open the console to watch; when the installer is done, Bilik starts the installed system.",
                    ),
                });
                return;
            }
            VmDetailsMsg::Os(name) => {
                widgets.os_line.set_visible(name.is_some());
                widgets.os.set_label(&name.map_or(String::new(), |n| {
                    gettext_f("Operating system: {system}", &[("system", &n)])
                }));
                return;
            }
            VmDetailsMsg::History(samples) => {
                // Only a running machine has figures; a stopped one shows no graph.
                let running = self.vm.as_ref().is_some_and(|v| v.vm_state().is_active());
                widgets
                    .graphs
                    .set(if running { samples } else { Vec::new() });
                return;
            }
            VmDetailsMsg::Console(fullscreen) => {
                if let Some(vm) = &self.vm {
                    sender
                        .output(VmDetailsOutput::OpenConsole {
                            uuid: vm.uuid(),
                            name: vm.name(),
                            fullscreen,
                            in_bilik: None,
                        })
                        .ok();
                }
            }
            VmDetailsMsg::ConsoleIn(in_bilik) => {
                if let Some(vm) = &self.vm {
                    sender
                        .output(VmDetailsOutput::OpenConsole {
                            uuid: vm.uuid(),
                            name: vm.name(),
                            fullscreen: None,
                            in_bilik: Some(in_bilik),
                        })
                        .ok();
                }
            }
            VmDetailsMsg::Move => {
                if let Some(vm) = &self.vm {
                    sender
                        .output(VmDetailsOutput::Move {
                            uuid: vm.uuid(),
                            name: vm.name(),
                        })
                        .ok();
                }
            }
            VmDetailsMsg::Action(action) => {
                if let Some(vm) = &self.vm {
                    if action == LifecycleAction::Shutdown {
                        // The guest may take a while, or never answer: say at once that it
                        // was asked, and again when the patience has run out.
                        self.shutting_down
                            .insert(vm.uuid(), std::time::Instant::now());
                        let s = sender.clone();
                        glib::timeout_add_local_once(SHUTDOWN_PATIENCE, move || {
                            s.input(VmDetailsMsg::Refresh)
                        });
                    }
                    sender
                        .output(VmDetailsOutput::Action {
                            uuid: vm.uuid(),
                            name: vm.name(),
                            action,
                        })
                        .ok();
                }
            }
        }
        let Some(vm) = &self.vm else {
            widgets.stack.set_visible_child_name("none");
            return;
        };
        widgets.stack.set_visible_child_name("vm");
        let state: VmState = vm.vm_state();
        widgets.title.set_label(&vm.name());
        widgets.state_icon.set_icon_name(Some(&vm.state_icon()));
        widgets.state.set_label(&vm.state_label());
        if !state.is_active() {
            self.shutting_down.remove(&vm.uuid());
        }
        let reason = match self.shutting_down.get(&vm.uuid()) {
            Some(asked) if asked.elapsed() >= SHUTDOWN_PATIENCE => Some(gettext(
                "Its system has not reacted to the request to shut down. A machine with no operating system yet, or one without ACPI, never does: use Force Off.",
            )),
            Some(_) => Some(gettext("Shutting down — asked the system in the machine…")),
            None => vm_state::reason(state, vm.reason()),
        };
        widgets.reason.set_visible(reason.is_some());
        widgets
            .reason
            .set_label(reason.as_deref().unwrap_or_default());
        // Asked once each time the machine is seen running (a new start is a new process).
        if state.is_active() {
            let uuid = vm.uuid();
            if self.started.as_ref().map(|(u, _)| u) != Some(&uuid) {
                self.started = Some((uuid.clone(), None));
                // Its qemu process's start where one can be read, else when the connection
                // saw it start (from libvirt's event), else nobody can tell.
                let conn = self.connection.clone();
                let u = uuid.clone();
                crate::ui::machine_target::ask_on(
                    self.connection.as_ref(),
                    &sender,
                    move |c| crate::backend::uptime::started_at(c, &u),
                    move |at| {
                        let seen = conn.as_ref().and_then(|c| c.seen_start(&uuid));
                        let at = at.ok().flatten().or(seen);
                        (uuid, at)
                    },
                );
            }
        } else {
            self.started = None;
        }
        let uptime = self
            .started
            .as_ref()
            .and_then(|(_, at)| *at)
            .map(|at| uptime_words(SystemTime::now().duration_since(at).unwrap_or_default()));
        widgets.uptime.set_visible(uptime.is_some());
        widgets
            .uptime
            .set_label(uptime.as_deref().unwrap_or_default());
        widgets.usage.set_visible(!vm.usage().is_empty());
        widgets.usage.set_label(&vm.usage());
        // virt-viewer --wait shows a stopped machine as soon as it starts, but a newcomer
        // expects the screen of a running one.
        flow_show(&widgets.console, state.is_active());
        for (action, button) in &widgets.buttons {
            flow_show(button, action.allowed_in(state));
        }
        // Session ↔ system of this computer only (a remote machine is not moved here).
        let local_qemu = self.connection.as_ref().is_some_and(|c| {
            let (local, _) = crate::backend::uri::local_and_session(c.uri());
            local && c.uri().starts_with("qemu:")
        });
        flow_show(&widgets.move_button, local_qemu && !state.is_active());
    }

    fn update_cmd_with_view(
        &mut self,
        widgets: &mut Self::Widgets,
        (uuid, at): Self::CommandOutput,
        sender: ComponentSender<Self>,
        root: &Self::Root,
    ) {
        if let Some((asked, answer)) = &mut self.started {
            if *asked == uuid {
                *answer = at;
                self.update_with_view(widgets, VmDetailsMsg::Tick, sender, root);
            }
        }
    }
}

/// How long a machine has been up, in words: "Up for 2 hours, 5 minutes".
pub fn uptime_words(up: Duration) -> String {
    let minutes = up.as_secs() / 60;
    let (days, hours, mins) = (minutes / 1440, (minutes / 60) % 24, minutes % 60);
    let n = |x: u64| u32::try_from(x).unwrap_or(u32::MAX);
    let day = |x| ngettext_f("{n} day", "{n} days", n(x), &[]);
    let hour = |x| ngettext_f("{n} hour", "{n} hours", n(x), &[]);
    let minute = |x| ngettext_f("{n} minute", "{n} minutes", n(x), &[]);
    let both = |larger: String, smaller: String| {
        gettext_f(
            "{larger}, {smaller}",
            &[("larger", &larger), ("smaller", &smaller)],
        )
    };
    let time = match (days, hours) {
        (0, 0) if mins == 0 => return gettext("Started less than a minute ago"),
        (0, 0) => minute(mins),
        (0, _) => both(hour(hours), minute(mins)),
        _ => both(day(days), hour(hours)),
    };
    gettext_f("Up for {time}", &[("time", &time)])
}

/// Adds a button to the action bar; its flow box cell does not take the focus itself
/// (Tab goes from button to button).
fn flow_append(bar: &gtk::FlowBox, w: &impl IsA<gtk::Widget>) {
    bar.append(w);
    if let Some(cell) = w.parent() {
        cell.set_focusable(false);
    }
}

/// Shows or hides a button of the action bar with its cell (a hidden button in a visible
/// cell would leave a gap).
fn flow_show(w: &impl IsA<gtk::Widget>, visible: bool) {
    w.set_visible(visible);
    if let Some(cell) = w.parent() {
        cell.set_visible(visible);
    }
}

#[cfg(test)]
mod tests {
    use super::uptime_words;
    use std::time::Duration;

    #[test]
    fn uptime_in_words() {
        let m = |x: u64| Duration::from_secs(x * 60);
        assert_eq!(
            uptime_words(Duration::from_secs(59)),
            "Started less than a minute ago"
        );
        assert_eq!(uptime_words(m(1)), "Up for 1 minute");
        assert_eq!(uptime_words(m(125)), "Up for 2 hours, 5 minutes");
        assert_eq!(uptime_words(m(60)), "Up for 1 hour, 0 minutes");
        assert_eq!(
            uptime_words(m(3 * 1440 + 4 * 60 + 59)),
            "Up for 3 days, 4 hours"
        );
    }
}
