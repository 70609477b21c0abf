//! "Network cards" of the selected machine: where each card is plugged in (a virtual
//! network, a bridge of this computer, or user-mode networking), its model, MAC address,
//! link, and the addresses it has. Adding, removing and the link apply at once; plugging a
//! card elsewhere waits for the next start of a running machine (Bilik says so).

use adw::prelude::*;
use gettextrs::gettext;
use relm4::prelude::*;

use crate::backend::definition::Saved;
use crate::backend::nics::{self, MacProblem, Nic, NicChange, NicSource, NicsInfo};
use crate::backend::BackendError;
use crate::i18n::gettext_f;
use crate::ui::machine_target::{Machine, MachineTarget};

#[derive(Debug)]
pub enum NicsMsg {
    /// The machine to show (with its connection), or none.
    Show(Option<Machine>),
    Refresh(String),
    /// The cards as read (from this panel's own question).
    Info(String, NicsInfo),
    Add,
    Remove(String),
    /// Card (by MAC), new plug-in choice index.
    Plug(String, u32),
    Model(String, u32),
    Mac(String, String),
    Link(String, bool),
    /// A card's row was opened or closed (kept across refreshes).
    Expanded(String, bool),
}

/// The connection's answers, for the machine named first.
#[derive(Debug)]
pub enum NicsCmd {
    Info(String, Result<NicsInfo, BackendError>),
    Changed(String, Result<Saved, BackendError>),
}

const MODELS: [&str; 2] = ["virtio", "e1000e"];

pub struct NicsPanel {
    target: MachineTarget,
    info: Option<NicsInfo>,
    /// A MAC address typed wrong, with the sentence (card MAC, sentence).
    mac_error: Option<(String, String)>,
    /// Cards whose rows are open.
    expanded: std::collections::HashSet<String>,
}

pub struct NicsWidgets {
    rows: Vec<adw::ExpanderRow>,
    empty: adw::ActionRow,
}

pub fn mac_problem(p: &MacProblem) -> String {
    match p {
        MacProblem::Malformed => gettext(
            "A MAC address is six pairs of hexadecimal digits separated by colons, such as 52:54:00:12:34:56.",
        ),
        MacProblem::Multicast => gettext(
            "This is a group (multicast) address: the first pair must be even, such as 52.",
        ),
        MacProblem::AllZero => gettext("00:00:00:00:00:00 is not a usable address."),
        MacProblem::Duplicate => gettext("Another card of this machine already has this address."),
    }
}

/// The choices a card can be plugged into, in the order the combo shows them.
fn choices(info: &NicsInfo) -> Vec<(NicSource, String)> {
    let mut v: Vec<(NicSource, String)> = info
        .networks
        .iter()
        .map(|n| {
            (
                NicSource::Network(n.clone()),
                gettext_f("Virtual network “{network}”", &[("network", n)]),
            )
        })
        .collect();
    v.extend(info.bridges.iter().map(|b| {
        (
            NicSource::Bridge(b.clone()),
            gettext_f("Bridge {bridge} of this computer", &[("bridge", b)]),
        )
    }));
    v.push((
        NicSource::User,
        gettext("User-mode networking (no admin rights; not reachable from outside)"),
    ));
    v
}

fn describe(nic: &Nic) -> String {
    match &nic.source {
        NicSource::Network(n) => gettext_f(
            "{model} card on the network “{network}”",
            &[("model", &nic.model), ("network", n)],
        ),
        NicSource::Bridge(b) => gettext_f(
            "{model} card on the bridge {bridge}",
            &[("model", &nic.model), ("bridge", b)],
        ),
        NicSource::User => gettext_f(
            "{model} card with user-mode networking",
            &[("model", &nic.model)],
        ),
        NicSource::Other(t) => gettext_f(
            "{model} card ({kind})",
            &[("model", &nic.model), ("kind", t)],
        ),
    }
}

impl NicsPanel {
    fn set(
        &self,
        sender: &ComponentSender<Self>,
        nic: &Nic,
        source: NicSource,
        model: String,
        new_mac: String,
    ) {
        self.send(
            sender,
            NicChange::Set {
                mac: nic.mac.clone(),
                source,
                model,
                new_mac,
            },
        );
    }

    fn nic(&self, mac: &str) -> Option<Nic> {
        self.info
            .as_ref()?
            .nics
            .iter()
            .find(|n| n.mac == mac)
            .cloned()
    }

    fn send(&self, sender: &ComponentSender<Self>, change: NicChange) {
        self.target.ask(
            sender,
            move |c, uuid| nics::change(c, uuid, &change),
            NicsCmd::Changed,
        );
    }

    fn read(&self, sender: &ComponentSender<Self>) {
        self.target.ask(sender, nics::info, NicsCmd::Info);
    }
}

impl Component for NicsPanel {
    type CommandOutput = NicsCmd;
    type Input = NicsMsg;
    type Output = ();
    type Init = ();
    type Root = adw::PreferencesGroup;
    type Widgets = NicsWidgets;

    fn init_root() -> Self::Root {
        crate::ui::widgets::panel_group(
            &gettext("Network cards"),
            &gettext(
                "How the machine reaches the network. A virtual network with NAT is the usual choice; user-mode networking needs no admin rights, but nothing outside can reach the machine.",
            ),
        )
    }

    fn init(_: (), group: Self::Root, sender: ComponentSender<Self>) -> ComponentParts<Self> {
        let s = sender.clone();
        crate::ui::widgets::header_button(&group, &gettext("Add Card"), move || {
            s.input(NicsMsg::Add)
        });
        let empty = adw::ActionRow::builder()
            .use_markup(false)
            .title(gettext("No network card: the machine is offline."))
            .visible(false)
            .build();
        group.add(&empty);
        let model = NicsPanel {
            target: MachineTarget::default(),
            info: None,
            mac_error: None,
            expanded: Default::default(),
        };
        ComponentParts {
            model,
            widgets: NicsWidgets {
                rows: Vec::new(),
                empty,
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
            NicsMsg::Show(target) => {
                self.info = None;
                self.expanded.clear();
                self.mac_error = None;
                // Hidden until this machine's answer comes.
                group.set_visible(false);
                self.target = MachineTarget::new(target);
                self.read(&sender);
                return;
            }
            NicsMsg::Refresh(uuid) => {
                if self.target.is(&uuid) {
                    self.read(&sender);
                }
                return;
            }
            NicsMsg::Info(uuid, info) => {
                if !self.target.is(&uuid) {
                    return;
                }
                // Events often repeat what is shown: rebuilding would close open rows.
                if self.info.as_ref() == Some(&info) {
                    return;
                }
                group.set_description(Some(&if info.session {
                    gettext(
                        "How the machine reaches the network. In “My user session” user-mode networking is the usual choice: the machine reaches the internet with no admin rights, but nothing outside can reach it. A virtual network (NAT) would need the administrator to allow its bridge in /etc/qemu/bridge.conf.",
                    )
                } else {
                    gettext(
                        "How the machine reaches the network. A virtual network with NAT is the usual choice; user-mode networking needs no admin rights, but nothing outside can reach the machine.",
                    )
                }));
                self.info = Some(info);
            }
            NicsMsg::Add => {
                let Some(info) = &self.info else { return };
                // The usual choice: the "default" NAT network where there is one.
                let source = if info.networks.iter().any(|n| n == "default") {
                    NicSource::Network("default".into())
                } else {
                    NicSource::User
                };
                self.send(
                    &sender,
                    NicChange::Add {
                        source,
                        model: "virtio".into(),
                    },
                );
                return;
            }
            NicsMsg::Remove(mac) => {
                self.send(&sender, NicChange::Remove { mac });
                return;
            }
            NicsMsg::Plug(mac, i) => {
                let (Some(nic), Some(info)) = (self.nic(&mac), &self.info) else {
                    return;
                };
                if let Some((source, _)) = choices(info).into_iter().nth(i as usize) {
                    if source != nic.source {
                        self.set(&sender, &nic, source, nic.model.clone(), nic.mac.clone());
                    }
                }
                return;
            }
            NicsMsg::Model(mac, i) => {
                let Some(nic) = self.nic(&mac) else { return };
                let model = MODELS.get(i as usize).copied().unwrap_or("virtio");
                if model != nic.model {
                    self.set(
                        &sender,
                        &nic,
                        nic.source.clone(),
                        model.into(),
                        nic.mac.clone(),
                    );
                }
                return;
            }
            NicsMsg::Mac(mac, new_mac) => {
                let Some(nic) = self.nic(&mac) else { return };
                let others: Vec<String> = self
                    .info
                    .iter()
                    .flat_map(|i| i.nics.iter())
                    .filter(|n| n.mac != mac)
                    .map(|n| n.mac.clone())
                    .collect();
                match nics::check_mac(&new_mac, &others) {
                    Ok(m) => {
                        self.mac_error = None;
                        if m != nic.mac {
                            self.set(&sender, &nic, nic.source.clone(), nic.model.clone(), m);
                        }
                    }
                    Err(p) => self.mac_error = Some((mac, mac_problem(&p))),
                }
            }
            NicsMsg::Expanded(mac, open) => {
                if open {
                    self.expanded.insert(mac);
                } else {
                    self.expanded.remove(&mac);
                }
                return;
            }
            NicsMsg::Link(mac, up) => {
                if self.nic(&mac).is_some_and(|n| n.link_up != up) {
                    self.send(&sender, NicChange::Link { mac, up });
                }
                return;
            }
        }
        self.render(widgets, &sender, group);
    }

    fn update_cmd(
        &mut self,
        answer: Self::CommandOutput,
        sender: ComponentSender<Self>,
        root: &Self::Root,
    ) {
        match answer {
            NicsCmd::Info(uuid, _) | NicsCmd::Changed(uuid, _) if !self.target.is(&uuid) => {}
            NicsCmd::Info(uuid, Ok(info)) => sender.input(NicsMsg::Info(uuid, info)),
            // A failed read says so (it once said "Could not change").
            NicsCmd::Info(_, Err(e)) => {
                crate::ui::widgets::toast_error(root, crate::errors::read_error(&e))
            }
            NicsCmd::Changed(_, result) => {
                self.target.say_saved(root, result);
                self.read(&sender);
            }
        }
    }
}

impl NicsPanel {
    fn render(
        &self,
        widgets: &mut NicsWidgets,
        sender: &ComponentSender<Self>,
        group: &adw::PreferencesGroup,
    ) {
        let Some(info) = &self.info else { return };
        group.set_visible(true);
        for r in widgets.rows.drain(..) {
            group.remove(&r);
        }
        widgets.empty.set_visible(info.nics.is_empty());
        let options = choices(info);
        for nic in &info.nics {
            let addresses = if nic.ips.is_empty() {
                if info.running {
                    gettext("no address yet")
                } else {
                    gettext("off")
                }
            } else {
                nic.ips.join(", ")
            };
            let row = adw::ExpanderRow::builder()
                .use_markup(false)
                .title(describe(nic))
                .subtitle(gettext_f(
                    "MAC {mac} · {addresses}",
                    &[("mac", &nic.mac), ("addresses", &addresses)],
                ))
                .build();
            let remove = gtk::Button::builder()
                .icon_name("user-trash-symbolic")
                .valign(gtk::Align::Center)
                .tooltip_text(gettext("Remove this card"))
                .css_classes(["flat"])
                .build();
            remove.update_property(&[gtk::accessible::Property::Label(&gettext_f(
                "Remove the card {mac}",
                &[("mac", &nic.mac)],
            ))]);
            let s = sender.clone();
            let mac = nic.mac.clone();
            remove.connect_clicked(move |_| s.input(NicsMsg::Remove(mac.clone())));
            row.add_suffix(&remove);

            let labels: Vec<String> = options.iter().map(|(_, l)| l.clone()).collect();
            let plug = adw::ComboRow::builder()
                .use_markup(false)
                .title(gettext("Plugged into"))
                .model(&gtk::StringList::new(
                    &labels.iter().map(String::as_str).collect::<Vec<_>>(),
                ))
                .build();
            if let Some(i) = options.iter().position(|(s, _)| *s == nic.source) {
                plug.set_selected(i as u32);
            }
            let s = sender.clone();
            let mac = nic.mac.clone();
            plug.connect_selected_notify(move |r| {
                s.input(NicsMsg::Plug(mac.clone(), r.selected()))
            });
            row.add_row(&plug);

            let model = adw::ComboRow::builder()
                .use_markup(false)
                .title(gettext("Model"))
                .subtitle(gettext(
                    "virtio is fastest; e1000e for old systems without virtio drivers",
                ))
                .model(&gtk::StringList::new(&MODELS))
                .build();
            if let Some(i) = MODELS.iter().position(|m| *m == nic.model) {
                model.set_selected(i as u32);
            }
            let s = sender.clone();
            let mac = nic.mac.clone();
            model.connect_selected_notify(move |r| {
                s.input(NicsMsg::Model(mac.clone(), r.selected()))
            });
            row.add_row(&model);

            let mac_row = adw::EntryRow::builder()
                .use_markup(false)
                .title(gettext("MAC address"))
                .text(&nic.mac)
                .build();
            // A named button rather than the entry row's unnamed apply icon, so screen
            // readers can reach it.
            let change = gtk::Button::builder()
                .label(gettext("Change"))
                .tooltip_text(gettext("Change the MAC address"))
                .valign(gtk::Align::Center)
                .build();
            let s = sender.clone();
            let mac = nic.mac.clone();
            let e = mac_row.clone();
            change
                .connect_clicked(move |_| s.input(NicsMsg::Mac(mac.clone(), e.text().to_string())));
            let s = sender.clone();
            let mac = nic.mac.clone();
            mac_row.connect_entry_activated(move |e| {
                s.input(NicsMsg::Mac(mac.clone(), e.text().to_string()))
            });
            mac_row.add_suffix(&change);
            row.add_row(&mac_row);
            if let Some((m, sentence)) = &self.mac_error {
                if *m == nic.mac {
                    let l = adw::ActionRow::builder()
                        .use_markup(false)
                        .title(sentence)
                        .css_classes(["error"])
                        .build();
                    row.add_row(&l);
                    row.set_expanded(true);
                }
            }

            let link = adw::SwitchRow::builder()
                .use_markup(false)
                .title(gettext("Cable plugged in"))
                .subtitle(gettext(
                    "Off: the machine sees its card unplugged (applies at once)",
                ))
                .active(nic.link_up)
                .build();
            let s = sender.clone();
            let mac = nic.mac.clone();
            link.connect_active_notify(move |r| s.input(NicsMsg::Link(mac.clone(), r.is_active())));
            row.add_row(&link);

            row.set_expanded(self.expanded.contains(&nic.mac));
            let s = sender.clone();
            let mac = nic.mac.clone();
            row.connect_expanded_notify(move |r| {
                s.input(NicsMsg::Expanded(mac.clone(), r.is_expanded()))
            });
            group.add(&row);
            widgets.rows.push(row);
        }
    }
}
