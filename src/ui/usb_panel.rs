//! "USB devices" for the selected machine: the USB devices of this computer, each with a
//! switch that hands it to the running machine (and back). The panel asks the connection
//! itself ([`MachineTarget::ask`] with [`usb`]).

use adw::prelude::*;
use gettextrs::gettext;
use relm4::prelude::*;

use crate::backend::usb::{self, UsbDevice, UsbState};
use crate::backend::BackendError;
use crate::i18n::gettext_f;
use crate::ui::machine_target::{Machine, MachineTarget};

#[derive(Debug)]
pub enum UsbMsg {
    /// The machine to show (with its connection), or none.
    Show(Option<Machine>),
    Refresh(String),
    Toggled(usize),
}

/// The connection's answers, for the machine named first.
#[derive(Debug)]
pub enum UsbCmd {
    Devices(String, Result<UsbState, BackendError>),
    Changed(String, Result<(), BackendError>),
}

pub struct UsbPanel {
    target: MachineTarget,
    devices: Vec<(UsbDevice, bool)>,
    updating: bool,
}

pub struct UsbWidgets {
    rows: Vec<adw::SwitchRow>,
    empty: adw::ActionRow,
    persistent: adw::SwitchRow,
}

impl UsbPanel {
    fn list(&self, sender: &ComponentSender<Self>) {
        self.target.ask(sender, usb::devices, UsbCmd::Devices);
    }
}

impl Component for UsbPanel {
    type CommandOutput = UsbCmd;
    type Input = UsbMsg;
    type Output = ();
    type Init = ();
    type Root = adw::PreferencesGroup;
    type Widgets = UsbWidgets;

    fn init_root() -> Self::Root {
        crate::ui::widgets::panel_group(
            &gettext("USB devices"),
            &gettext(
                "Hand a USB device of this computer to the running machine. While attached, the device disappears from this computer. In the console, virt-viewer’s menu (File → USB device selection) can do the same for the console’s duration.",
            ),
        )
    }

    fn init(_: (), group: Self::Root, _sender: ComponentSender<Self>) -> ComponentParts<Self> {
        let persistent = adw::SwitchRow::builder()
            .title(gettext("Keep attached after the machine restarts"))
            .build();
        let empty = adw::ActionRow::builder()
            .use_markup(false)
            .title(gettext("No USB devices found on this computer."))
            .visible(false)
            .build();
        group.add(&persistent);
        group.add(&empty);
        ComponentParts {
            model: UsbPanel {
                target: MachineTarget::default(),
                devices: Vec::new(),
                updating: false,
            },
            widgets: UsbWidgets {
                rows: Vec::new(),
                empty,
                persistent,
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
            UsbMsg::Show(target) => {
                // Hidden until this machine's answer comes.
                group.set_visible(false);
                self.target = MachineTarget::new(target);
                self.list(&sender);
            }
            UsbMsg::Refresh(uuid) => {
                if self.target.is(&uuid) {
                    self.list(&sender);
                }
            }
            UsbMsg::Toggled(i) => {
                let (Some((dev, attached)), Some(row)) = (self.devices.get(i), widgets.rows.get(i))
                else {
                    return;
                };
                // Only a change by the person (filling the rows in also notifies).
                if self.updating || row.is_active() == *attached {
                    return;
                }
                let (device, attach) = (dev.clone(), row.is_active());
                let persistent = widgets.persistent.is_active();
                self.target.ask(
                    &sender,
                    move |c, uuid| usb::change(c, uuid, &device, attach, persistent),
                    UsbCmd::Changed,
                );
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
            UsbCmd::Devices(uuid, _) | UsbCmd::Changed(uuid, _) if !self.target.is(&uuid) => {}
            UsbCmd::Devices(_, Ok(state)) => self.show_devices(widgets, state, &sender, group),
            UsbCmd::Devices(_, Err(e)) => {
                // Without the list there is nothing to switch: the reason, once.
                log::debug!("USB devices: {e}");
                crate::ui::widgets::toast_error(group, crate::errors::read_error(&e));
            }
            UsbCmd::Changed(_, result) => {
                if let Err(e) = result {
                    crate::ui::widgets::toast_error(
                        group,
                        crate::errors::usb_error(self.target.name(), &e),
                    );
                }
                // The switches show what is true now, changed or not.
                self.list(&sender);
            }
        }
    }
}

impl UsbPanel {
    fn show_devices(
        &mut self,
        widgets: &mut UsbWidgets,
        state: UsbState,
        sender: &ComponentSender<Self>,
        group: &adw::PreferencesGroup,
    ) {
        let UsbState { devices, running } = state;
        self.updating = true;
        group.set_visible(true);
        for r in widgets.rows.drain(..) {
            group.remove(&r);
        }
        for (i, (dev, attached)) in devices.iter().enumerate() {
            let row = adw::SwitchRow::builder()
                .use_markup(false)
                .title(dev.label())
                .subtitle(gettext_f(
                    "Bus {bus}, device {device} · {ids}",
                    &[
                        ("bus", &dev.bus.to_string()),
                        ("device", &dev.device.to_string()),
                        ("ids", &format!("{}:{}", dev.vendor_id, dev.product_id)),
                    ],
                ))
                .active(*attached)
                // Live attach needs a running machine.
                .sensitive(running)
                .build();
            let s = sender.clone();
            row.connect_active_notify(move |_| s.input(UsbMsg::Toggled(i)));
            group.add(&row);
            widgets.rows.push(row);
        }
        widgets.empty.set_visible(devices.is_empty());
        widgets.persistent.set_visible(!devices.is_empty());
        self.devices = devices;
        self.updating = false;
    }
}
