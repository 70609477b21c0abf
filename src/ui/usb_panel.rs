//! "USB devices" for the selected machine: the USB devices of this computer, each with a
//! switch that hands it to the running machine (and back).

use adw::prelude::*;
use gettextrs::gettext;
use relm4::prelude::*;

use crate::backend::usb::UsbDevice;
use crate::backend::Request;
use crate::i18n::gettext_f;
use crate::ui::panel_target::PanelTarget;

#[derive(Debug)]
pub enum UsbMsg {
    Show(Option<String>),
    Devices(String, Vec<(UsbDevice, bool)>, bool),
    Refresh(String),
    Toggled(usize),
}

#[derive(Debug)]
pub enum UsbOutput {
    Request(Request),
}

pub struct UsbPanel {
    target: PanelTarget,
    devices: Vec<(UsbDevice, bool)>,
    updating: bool,
}

pub struct UsbWidgets {
    rows: Vec<adw::SwitchRow>,
    empty: adw::ActionRow,
    persistent: adw::SwitchRow,
}

impl Component for UsbPanel {
    type CommandOutput = ();
    type Input = UsbMsg;
    type Output = UsbOutput;
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
                target: PanelTarget::default(),
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
        let request = |r| {
            sender.output(UsbOutput::Request(r)).ok();
        };
        match msg {
            UsbMsg::Show(uuid) => {
                self.target
                    .show(uuid, group, |uuid| request(Request::UsbDevices { uuid }));
            }
            UsbMsg::Refresh(uuid) => self
                .target
                .refresh(uuid, |uuid| request(Request::UsbDevices { uuid })),
            UsbMsg::Devices(uuid, devices, running) => {
                if !self.target.is(&uuid) {
                    return;
                }
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
            UsbMsg::Toggled(i) => {
                let (Some(uuid), Some((dev, attached)), Some(row)) =
                    (self.target.get(), self.devices.get(i), widgets.rows.get(i))
                else {
                    return;
                };
                // Only a change by the person (filling the rows in also notifies).
                if self.updating || row.is_active() == *attached {
                    return;
                }
                request(Request::Usb {
                    uuid: uuid.clone(),
                    device: dev.clone(),
                    attach: row.is_active(),
                    persistent: widgets.persistent.is_active(),
                });
            }
        }
    }
}
