//! The Networks dialog: the connection's virtual networks, what each mode means in plain
//! words (NAT, routed, isolated, bridge), which machines use them and the addresses they
//! got (DHCP leases); add, start / stop, autostart, delete. The dialog asks the connection
//! itself (plain functions of [`networks`] through [`ask_on`]) and hears its own answers.

mod build;

use adw::prelude::*;
use gettextrs::gettext;
use relm4::prelude::*;

use crate::backend::networks::{
    self, Lease, NetAction, NetDone, NetError, NetMode, NetProblem, NetSpec, NetworkInfo, Overview,
};
use crate::backend::{BackendError, Connection};
use crate::i18n::gettext_f;
use crate::ui::machine_target::ask_on;
use crate::ui::widgets::{
    button, entry, error_label, form_end, group, header_button, nav_dialog, nav_page, note_label,
    present_over,
};

#[derive(Debug)]
pub enum NetworksMsg {
    /// Opens over the window, for this connection.
    Open(adw::ApplicationWindow, Option<Connection>),
    Networks(Vec<NetworkInfo>, Vec<String>, String),
    Leases(String, Vec<Lease>),
    Done(String, NetDone),
    Refused(String, NetProblem),
    Failed(String, BackendError),
    Changed,
    Show(String),
    Popped,
    StartStop,
    Autostart(bool),
    Delete,
    ConfirmedDelete,
    NewNetwork,
    Mode(u32),
    Create,
    RefreshLeases,
}

/// The connection's answers.
#[derive(Debug)]
pub enum NetworksCmd {
    Overview(Result<Overview, BackendError>),
    Leases(String, Result<Vec<Lease>, BackendError>),
    Done(String, NetDone, Result<(), NetError>),
}

/// The modes offered, in this order.
const MODES: [&str; 4] = ["nat", "route", "isolated", "bridge"];

pub fn mode_name(mode: &str) -> String {
    match mode {
        "nat" => gettext("NAT"),
        "route" => gettext("Routed"),
        "isolated" => gettext("Isolated"),
        "bridge" => gettext("Bridge"),
        "open" => gettext("Open"),
        other => other.to_string(),
    }
}

/// One paragraph per mode, in the user's terms.
pub fn mode_explain(mode: &str) -> String {
    match mode {
        "nat" => gettext(
            "This computer hides the machines behind its own address, like a home router: they reach the internet, but other computers cannot reach them. The usual choice.",
        ),
        "route" => gettext(
            "This computer routes between the machines and the outside: they get addresses of their own that others can reach, if your router knows the way to this subnet.",
        ),
        "isolated" => gettext(
            "No way out: the machines see each other and this computer only. Good for testing things safely.",
        ),
        "bridge" => gettext(
            "The machines join an existing bridge of this computer, as if plugged into the same switch: they get addresses from your real network and everyone can reach them.",
        ),
        _ => String::new(),
    }
}

fn mode_icon(mode: &str) -> &'static str {
    match mode {
        "nat" => "network-wired-symbolic",
        "route" => "network-transmit-receive-symbolic",
        "isolated" => "network-offline-symbolic",
        _ => "network-workgroup-symbolic",
    }
}

/// A sentence for a refusal, naming the field.
pub fn problem_text(p: &NetProblem) -> String {
    match p {
        NetProblem::BadName(n) => crate::errors::name_problem(n),
        NetProblem::BadSubnet => gettext(
            "Write the subnet as an address and a prefix length, such as 192.168.100.0/24.",
        ),
        NetProblem::PrefixRange => gettext(
            "The prefix length (after “/”) must be between 8 and 29; /24 gives room for 253 machines.",
        ),
        NetProblem::NotNetworkAddress(net) => gettext_f(
            "That address is inside a subnet; the subnet itself is written {subnet}.",
            &[("subnet", net)],
        ),
        NetProblem::BadAddress(a) => gettext_f(
            "“{address}” is not an IPv4 address (like 192.168.100.10).",
            &[("address", a)],
        ),
        NetProblem::DhcpOutside(a) => gettext_f(
            "{address} is not in the subnet (or is the host’s or broadcast address). Choose addresses inside it.",
            &[("address", a)],
        ),
        NetProblem::DhcpOrder => gettext("The first DHCP address must come before the last."),
        NetProblem::Overlap(with) => gettext_f(
            "This subnet overlaps “{other}”, which this computer already uses. Choose another, such as the one proposed.",
            &[("other", with)],
        ),
        NetProblem::MissingBridge => gettext("Choose the bridge to join."),
        NetProblem::NoSuchBridge(b) => gettext_f(
            "This computer has no bridge named “{bridge}”. Create it first (for example with NetworkManager), then choose it here.",
            &[("bridge", b)],
        ),
        NetProblem::InUse(names) => gettext_f(
            "{machines} is running on this network. Shut it down first.",
            &[("machines", &names.join(", "))],
        ),
    }
}

pub struct NetworksDialog {
    parent: Option<adw::ApplicationWindow>,
    connection: Option<Connection>,
    networks: Vec<NetworkInfo>,
    bridges: Vec<String>,
    free_subnet: String,
    current: Option<String>,
    leases: Vec<Lease>,
    mode: usize,
    error: Option<String>,
    /// The form field the error is about (marked red).
    error_field: Option<&'static str>,
}

pub struct NetworksWidgets {
    nav: adw::NavigationView,
    toasts: adw::ToastOverlay,
    list_group: adw::PreferencesGroup,
    rows: Vec<adw::ActionRow>,
    default_hint: adw::Banner,
    // one network
    page: adw::NavigationPage,
    about: adw::PreferencesGroup,
    mode_row: adw::ActionRow,
    subnet_row: adw::ActionRow,
    dhcp_row: adw::ActionRow,
    bridge_row: adw::ActionRow,
    machines_row: adw::ActionRow,
    state_row: adw::ActionRow,
    start_stop: gtk::Button,
    autostart: adw::SwitchRow,
    leases_group: adw::PreferencesGroup,
    lease_rows: Vec<adw::ActionRow>,
    error: gtk::Label,
    // new network
    new_page: adw::NavigationPage,
    name: adw::EntryRow,
    mode_row_new: adw::ComboRow,
    mode_note: gtk::Label,
    subnet: adw::EntryRow,
    dhcp: adw::SwitchRow,
    dhcp_start: adw::EntryRow,
    dhcp_end: adw::EntryRow,
    bridge: adw::ComboRow,
    bridges: gtk::StringList,
    bridge_note: gtk::Label,
    new_autostart: adw::SwitchRow,
    new_error: gtk::Label,
}

impl NetworksDialog {
    fn current(&self) -> Option<&NetworkInfo> {
        let n = self.current.as_ref()?;
        self.networks.iter().find(|x| &x.name == n)
    }

    fn list(&self, sender: &ComponentSender<Self>) {
        ask_on(
            self.connection.as_ref(),
            sender,
            networks::overview,
            NetworksCmd::Overview,
        );
    }

    fn leases(&self, sender: &ComponentSender<Self>, name: String) {
        let n = name.clone();
        ask_on(
            self.connection.as_ref(),
            sender,
            move |c| networks::leases_of(c, &n),
            move |r| NetworksCmd::Leases(name, r),
        );
    }

    /// A change: its answer lists the networks again, then says how it went.
    fn change(
        &self,
        sender: &ComponentSender<Self>,
        name: String,
        what: NetDone,
        f: impl FnOnce(&virt::connect::Connect) -> Result<(), NetError> + Send + 'static,
    ) {
        // The outcome travels inside the call's answer (its own error type).
        ask_on(
            self.connection.as_ref(),
            sender,
            move |c| Ok(f(c)),
            move |r: Result<Result<(), NetError>, BackendError>| {
                NetworksCmd::Done(name, what, r.unwrap_or_else(|e| Err(NetError::Libvirt(e))))
            },
        );
    }
}

impl Component for NetworksDialog {
    type CommandOutput = NetworksCmd;
    type Input = NetworksMsg;
    type Output = ();
    type Init = ();
    type Root = adw::Dialog;
    type Widgets = NetworksWidgets;

    fn init_root() -> Self::Root {
        adw::Dialog::builder()
            .title(gettext("Networks"))
            .content_width(680)
            .content_height(720)
            .build()
    }

    fn init(_: (), dialog: Self::Root, sender: ComponentSender<Self>) -> ComponentParts<Self> {
        build::build((), dialog, sender)
    }

    fn update_with_view(
        &mut self,
        w: &mut Self::Widgets,
        msg: Self::Input,
        sender: ComponentSender<Self>,
        dialog: &Self::Root,
    ) {
        match msg {
            NetworksMsg::Open(parent, connection) => {
                self.parent = Some(parent.clone());
                self.connection = connection;
                self.current = None;
                self.error = None;
                w.nav.pop_to_tag("networks");
                present_over(dialog, &parent);
                self.list(&sender);
            }
            NetworksMsg::Changed => {
                if dialog.parent().is_some() {
                    self.list(&sender);
                }
            }
            NetworksMsg::Networks(nets, bridges, free) => {
                self.networks = nets;
                self.bridges = bridges;
                self.free_subnet = free;
                for r in w.rows.drain(..) {
                    w.list_group.remove(&r);
                }
                for n in &self.networks {
                    let mut parts = vec![mode_name(&n.mode)];
                    parts.push(if n.active {
                        gettext("Running")
                    } else {
                        gettext("Stopped")
                    });
                    if !n.ipv4.is_empty() {
                        parts.push(n.ipv4.clone());
                    }
                    if !n.machines.is_empty() {
                        parts.push(crate::i18n::ngettext_f(
                            "{n} machine",
                            "{n} machines",
                            n.machines.len() as u32,
                            &[],
                        ));
                    }
                    let row = adw::ActionRow::builder()
                        .use_markup(false)
                        .title(&n.name)
                        .subtitle(parts.join(" · "))
                        .activatable(true)
                        .build();
                    row.add_prefix(&gtk::Image::from_icon_name(mode_icon(&n.mode)));
                    row.add_suffix(&gtk::Image::from_icon_name("go-next-symbolic"));
                    let s = sender.clone();
                    let name = n.name.clone();
                    row.connect_activated(move |_| s.input(NetworksMsg::Show(name.clone())));
                    w.list_group.add(&row);
                    w.rows.push(row);
                }
                let default_manual = self
                    .networks
                    .iter()
                    .any(|n| n.name == "default" && n.persistent && !n.autostart);
                w.default_hint.set_visible(default_manual);
                w.bridges.splice(
                    0,
                    w.bridges.n_items(),
                    &self.bridges.iter().map(String::as_str).collect::<Vec<_>>(),
                );
            }
            NetworksMsg::Show(name) => {
                self.current = Some(name.clone());
                self.error = None;
                self.leases.clear();
                w.page.set_title(&name);
                if w.nav.visible_page().and_then(|p| p.tag()).as_deref() != Some("network") {
                    w.nav.push(&w.page);
                }
                self.leases(&sender, name);
            }
            NetworksMsg::RefreshLeases => {
                if let Some(n) = self.current.clone() {
                    self.leases(&sender, n);
                }
            }
            NetworksMsg::Leases(net, leases) => {
                if self.current.as_deref() == Some(net.as_str()) {
                    self.leases = leases;
                }
            }
            NetworksMsg::Popped => {
                if w.nav.visible_page().and_then(|p| p.tag()).as_deref() == Some("networks") {
                    self.current = None;
                }
                self.error = None;
            }
            NetworksMsg::StartStop => {
                if let Some(n) = self.current().cloned() {
                    let action = if n.active {
                        NetAction::Stop
                    } else {
                        NetAction::Start
                    };
                    let name = n.name.clone();
                    self.change(&sender, n.name, NetDone::Changed, move |c| {
                        networks::act(c, &name, &action)
                    });
                }
            }
            NetworksMsg::Autostart(on) => {
                if let Some(n) = self.current().cloned() {
                    if n.autostart != on && n.persistent {
                        let name = n.name.clone();
                        self.change(&sender, n.name, NetDone::Changed, move |c| {
                            networks::act(c, &name, &NetAction::Autostart(on))
                        });
                    }
                }
            }
            NetworksMsg::Delete => {
                let Some(n) = self.current().cloned() else {
                    return;
                };
                let body = if n.machines.is_empty() {
                    gettext("No machine uses it. This cannot be undone.")
                } else {
                    gettext_f(
                        "{machines} have a network card on it: they will not start until you move the card to another network.",
                        &[("machines", &n.machines.join(", "))],
                    )
                };
                let d = adw::AlertDialog::new(
                    Some(&gettext_f(
                        "Delete the network “{network}”?",
                        &[("network", &n.name)],
                    )),
                    Some(&body),
                );
                d.add_response("cancel", &gettext("Cancel"));
                d.add_response("delete", &gettext("Delete"));
                d.set_response_appearance("delete", adw::ResponseAppearance::Destructive);
                d.set_close_response("cancel");
                let s = sender.clone();
                d.connect_response(None, move |_, r| {
                    if r == "delete" {
                        s.input(NetworksMsg::ConfirmedDelete)
                    }
                });
                d.present(Some(dialog));
            }
            NetworksMsg::ConfirmedDelete => {
                if let Some(n) = self.current.clone() {
                    let name = n.clone();
                    self.change(&sender, n, NetDone::Deleted, move |c| {
                        networks::act(c, &name, &NetAction::Delete)
                    });
                }
            }
            NetworksMsg::NewNetwork => {
                self.error = None;
                let names: Vec<String> = self.networks.iter().map(|n| n.name.clone()).collect();
                w.name
                    .set_text(&crate::backend::new_vm::suggest_name("network", &names));
                w.subnet.set_text(&self.free_subnet);
                w.mode_row_new.set_selected(0);
                self.mode = 0;
                w.nav.push(&w.new_page);
            }
            NetworksMsg::Mode(i) => self.mode = i as usize,
            NetworksMsg::Create => {
                let t = |e: &adw::EntryRow| e.text().trim().to_string();
                let mode = match MODES.get(self.mode).copied().unwrap_or("nat") {
                    "route" => NetMode::Routed,
                    "isolated" => NetMode::Isolated,
                    "bridge" => NetMode::Bridge(
                        self.bridges
                            .get(w.bridge.selected() as usize)
                            .cloned()
                            .unwrap_or_default(),
                    ),
                    _ => NetMode::Nat,
                };
                self.error = None;
                let spec = NetSpec {
                    name: t(&w.name),
                    mode,
                    subnet: t(&w.subnet),
                    dhcp: w.dhcp.is_active(),
                    dhcp_start: t(&w.dhcp_start),
                    dhcp_end: t(&w.dhcp_end),
                    autostart: w.new_autostart.is_active(),
                };
                self.change(&sender, spec.name.clone(), NetDone::Created, move |c| {
                    networks::create(c, &spec)
                });
            }
            NetworksMsg::Done(name, what) => {
                self.error = None;
                self.error_field = None;
                let text = match what {
                    NetDone::Created => {
                        w.nav.pop_to_tag("networks");
                        gettext_f("Network “{network}” created.", &[("network", &name)])
                    }
                    NetDone::Deleted => {
                        w.nav.pop_to_tag("networks");
                        self.current = None;
                        gettext_f("Network “{network}” deleted.", &[("network", &name)])
                    }
                    NetDone::Changed => String::new(),
                };
                if !text.is_empty() {
                    w.toasts.add_toast(crate::ui::widgets::wrapped_toast(&text));
                }
            }
            NetworksMsg::Refused(_, p) => {
                self.error_field = match p {
                    NetProblem::BadName(_) => Some("name"),
                    NetProblem::BadSubnet
                    | NetProblem::PrefixRange
                    | NetProblem::NotNetworkAddress(_)
                    | NetProblem::Overlap(_) => Some("subnet"),
                    NetProblem::BadAddress(_)
                    | NetProblem::DhcpOutside(_)
                    | NetProblem::DhcpOrder => Some("dhcp"),
                    NetProblem::MissingBridge | NetProblem::NoSuchBridge(_) => Some("bridge"),
                    NetProblem::InUse(_) => None,
                };
                self.error = Some(problem_text(&p))
            }
            NetworksMsg::Failed(_, e) => {
                let m = crate::errors::network_error(&e);
                self.error = Some(format!("{} {}\n{}", m.title, m.advice, m.details));
            }
        }
        self.render(w);
    }

    fn update_cmd(
        &mut self,
        answer: Self::CommandOutput,
        sender: ComponentSender<Self>,
        _root: &Self::Root,
    ) {
        let msg = match answer {
            NetworksCmd::Overview(Ok(o)) => {
                NetworksMsg::Networks(o.networks, o.bridges, o.free_subnet)
            }
            NetworksCmd::Overview(Err(e)) => NetworksMsg::Failed(String::new(), e),
            NetworksCmd::Leases(name, Ok(l)) => NetworksMsg::Leases(name, l),
            NetworksCmd::Leases(name, Err(e)) => NetworksMsg::Failed(name, e),
            NetworksCmd::Done(name, what, result) => {
                // A fresh list first (the change is in it), then the outcome.
                self.list(&sender);
                match result {
                    Ok(()) => NetworksMsg::Done(name, what),
                    Err(NetError::Refused(p)) => NetworksMsg::Refused(name, p),
                    Err(NetError::Libvirt(e)) => NetworksMsg::Failed(name, e),
                }
            }
        };
        sender.input(msg);
    }
}

impl NetworksDialog {
    fn render(&mut self, w: &mut NetworksWidgets) {
        if let Some(n) = self.current().cloned() {
            w.about
                .set_description(Some(&glib::markup_escape_text(&mode_explain(&n.mode))));
            w.mode_row.set_subtitle(&mode_name(&n.mode));
            let subnet = match (n.ipv4.is_empty(), n.ipv6.is_empty()) {
                (true, true) => gettext("None (the bridge’s own network)"),
                (false, true) => n.ipv4.clone(),
                (true, false) => n.ipv6.clone(),
                (false, false) => format!("{}, {}", n.ipv4, n.ipv6),
            };
            w.subnet_row.set_subtitle(&subnet);
            w.dhcp_row.set_subtitle(&match &n.dhcp {
                Some((a, b)) => gettext_f("{first} to {last}", &[("first", a), ("last", b)]),
                None => gettext("Off: machines need a fixed address"),
            });
            w.bridge_row.set_subtitle(&n.bridge);
            w.machines_row.set_subtitle(&if n.machines.is_empty() {
                gettext("None")
            } else {
                n.machines.join(", ")
            });
            w.state_row.set_subtitle(&if n.active {
                gettext("Running")
            } else {
                gettext("Stopped")
            });
            w.start_stop.set_label(&if n.active {
                gettext("Stop")
            } else {
                gettext("Start")
            });
            if w.autostart.is_active() != n.autostart {
                w.autostart.set_active(n.autostart);
            }
            w.autostart.set_sensitive(n.persistent);
            for r in w.lease_rows.drain(..) {
                w.leases_group.remove(&r);
            }
            let rows: Vec<adw::ActionRow> = if self.leases.is_empty() {
                vec![adw::ActionRow::builder()
                    .use_markup(false)
                    .title(gettext("No address given out yet"))
                    .subtitle(gettext(
                        "A machine asks for one while its system starts; press Refresh later.",
                    ))
                    .build()]
            } else {
                self.leases
                    .iter()
                    .map(|l| {
                        let who = l
                            .machine
                            .clone()
                            .or_else(|| (!l.hostname.is_empty()).then(|| l.hostname.clone()))
                            .unwrap_or_else(|| gettext("Unknown machine"));
                        adw::ActionRow::builder()
                            .use_markup(false)
                            .title(format!("{who}: {}", l.ip))
                            .subtitle(gettext_f("MAC address {mac}", &[("mac", &l.mac)]))
                            .subtitle_selectable(true)
                            .build()
                    })
                    .collect()
            };
            for r in rows {
                w.leases_group.add(&r);
                w.lease_rows.push(r);
            }
        }
        let mode = MODES.get(self.mode).copied().unwrap_or("nat");
        w.mode_note.set_label(&mode_explain(mode));
        let bridged = mode == "bridge";
        w.subnet.set_visible(!bridged);
        w.dhcp.set_visible(!bridged);
        w.dhcp_start.set_visible(!bridged && w.dhcp.is_active());
        w.dhcp_end.set_visible(!bridged && w.dhcp.is_active());
        w.bridge.set_visible(bridged && !self.bridges.is_empty());
        w.bridge_note.set_visible(bridged);
        w.bridge_note.set_label(&if self.bridges.is_empty() {
            gettext(
                "This computer has no bridge yet. Create one first (for example with NetworkManager: a “Bridge” connection holding your wired card), then come back.",
            )
        } else {
            gettext("Machines on this network take addresses from your real network’s router.")
        });
        let fields: [(&str, &gtk::Widget); 5] = [
            ("name", w.name.upcast_ref()),
            ("subnet", w.subnet.upcast_ref()),
            ("dhcp", w.dhcp_start.upcast_ref()),
            ("dhcp", w.dhcp_end.upcast_ref()),
            ("bridge", w.bridge.upcast_ref()),
        ];
        for (key, widget) in fields {
            if self.error.is_some() && self.error_field == Some(key) {
                widget.add_css_class("error");
            } else {
                widget.remove_css_class("error");
            }
        }
        let text = self.error.clone().unwrap_or_default();
        for l in [&w.error, &w.new_error] {
            l.set_visible(self.error.is_some());
            l.set_label(&text);
        }
    }
}
