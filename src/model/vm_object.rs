//! One virtual machine as a GObject, so list rows can bind to its properties and update in
//! place when an event or a statistics round changes it.

use glib::subclass::prelude::*;

use crate::backend::{DomainInfo, DomainStats, VmState};
use crate::model::vm_state;

mod imp {
    use std::cell::{Cell, RefCell};

    use glib::prelude::*;
    use glib::subclass::prelude::*;

    #[derive(Default, glib::Properties)]
    #[properties(wrapper_type = super::VmObject)]
    pub struct VmObject {
        #[property(get, set)]
        pub uuid: RefCell<String>,
        #[property(get, set)]
        pub name: RefCell<String>,
        /// libvirt's raw state number (see `VmState::from_raw`).
        #[property(get, set)]
        pub state: Cell<i32>,
        #[property(get, set)]
        pub reason: Cell<i32>,
        /// The state in words, translated.
        #[property(get, set)]
        pub state_label: RefCell<String>,
        #[property(get, set)]
        pub state_icon: RefCell<String>,
        /// "12 % CPU · 1.0 GiB" for running machines, empty otherwise.
        #[property(get, set)]
        pub usage: RefCell<String>,
        #[property(get, set)]
        pub cpu_percent: Cell<f64>,
        #[property(get, set)]
        pub memory_kib: Cell<u64>,
        /// What a screen reader says for the row: name and state in words.
        #[property(get, set)]
        pub accessible_label: RefCell<String>,
        /// The list row's line under the name: the state, and the usage of a running
        /// machine ("Running · 12% CPU · 1.0 GiB").
        #[property(get, set)]
        pub row_detail: RefCell<String>,
        /// Its system is installing itself (express install): the row says so.
        #[property(get, set)]
        pub installing: Cell<bool>,
        /// Its connection's name, when another open connection has a machine of the same
        /// name (the row says which is which); empty otherwise.
        #[property(get, set)]
        pub place: RefCell<String>,
        /// Its connection is lost (reconnecting): what the row shows is the last known
        /// state, dimmed, and the row says "not connected".
        #[property(get, set)]
        pub unreachable: Cell<bool>,
    }

    #[glib::object_subclass]
    impl ObjectSubclass for VmObject {
        const NAME: &'static str = "BilikVmObject";
        type Type = super::VmObject;
    }

    #[glib::derived_properties]
    impl ObjectImpl for VmObject {}
}

glib::wrapper! {
    pub struct VmObject(ObjectSubclass<imp::VmObject>);
}

impl VmObject {
    /// A new object, its fields written directly: nothing can be bound to it yet, so
    /// there is nobody to notify (thousands are made at once when a list arrives).
    pub fn new(info: &DomainInfo) -> Self {
        let obj: VmObject = glib::Object::new();
        let imp = obj.imp();
        let label = vm_state::label(info.state);
        *imp.uuid.borrow_mut() = info.uuid.clone();
        *imp.name.borrow_mut() = info.name.clone();
        imp.state.set(state_raw(info.state));
        imp.reason.set(info.reason);
        *imp.state_icon.borrow_mut() = vm_state::icon(info.state).to_string();
        *imp.accessible_label.borrow_mut() = format!("{}, {label}", info.name);
        *imp.row_detail.borrow_mut() = row_detail(&label, "");
        *imp.state_label.borrow_mut() = label;
        obj
    }

    pub fn vm_state(&self) -> VmState {
        VmState::from_raw(self.state())
    }

    /// Applies a fresh state; only changed properties notify.
    pub fn apply(&self, info: &DomainInfo) {
        if self.name() != info.name {
            self.set_name(info.name.as_str());
        }
        let raw = state_raw(info.state);
        if self.state() != raw || self.reason() != info.reason || self.state_label().is_empty() {
            self.set_reason(info.reason);
            self.set_state_label(vm_state::label(info.state));
            self.set_state_icon(vm_state::icon(info.state));
            self.set_state(raw);
            if !info.state.is_active() {
                self.set_usage("");
                self.set_cpu_percent(0.0);
                self.set_memory_kib(0u64);
            }
        }
        self.update_row_detail();
    }

    /// Marks the machine as installing its system (express install) or not.
    pub fn set_installing_now(&self, on: bool) {
        if self.installing() != on {
            self.set_installing(on);
            self.update_row_detail();
        }
    }

    /// Names its connection in the row (empty: not needed).
    pub fn set_place_now(&self, place: &str) {
        if self.place() != place {
            self.set_place(place);
            self.update_row_detail();
        }
    }

    /// Its connection is lost (`true`) or back (`false`).
    pub fn set_unreachable_now(&self, on: bool) {
        if self.unreachable() != on {
            self.set_unreachable(on);
            self.update_row_detail();
        }
    }

    /// The row's words and what a screen reader says: name and state ("Installing its
    /// system" rather than "Running" while express install works), and the usage.
    fn update_row_detail(&self) {
        let state = if self.installing() && self.vm_state().is_active() {
            gettextrs::gettext("Installing its system")
        } else {
            self.state_label()
        };
        let place = self.place();
        let mut a11y = if place.is_empty() {
            format!("{}, {state}", self.name())
        } else {
            format!("{}, {state}, {place}", self.name())
        };
        let mut detail = row_detail(&state, &self.usage());
        if !place.is_empty() {
            detail = format!("{detail} · {place}");
        }
        if self.unreachable() {
            // The state is the last one heard before the connection went away.
            let words = gettextrs::gettext("not connected");
            a11y = format!("{a11y}, {words}");
            detail = format!("{} · {words}", row_detail(&state, ""));
        }
        if self.accessible_label() != a11y {
            self.set_accessible_label(a11y);
        }
        if self.row_detail() != detail {
            self.set_row_detail(detail);
        }
    }

    /// Applies one statistics round.
    pub fn apply_stats(&self, s: &DomainStats) {
        let cpu = s.cpu_percent.unwrap_or(0.0);
        let mem = s.memory_kib.unwrap_or(0);
        // Drivers without figures (libvirt's test driver) give neither: say nothing then.
        let usage = match (s.cpu_percent, s.memory_kib) {
            (Some(c), Some(m)) => crate::i18n::gettext_f(
                // xgettext:no-c-format
                "{cpu}% CPU · {memory}",
                &[
                    ("cpu", &format!("{c:.0}")),
                    ("memory", &vm_state::memory(m)),
                ],
            ),
            (None, Some(m)) => vm_state::memory(m),
            (Some(c), None) => crate::i18n::gettext_f(
                // xgettext:no-c-format
                "{cpu}% CPU",
                &[("cpu", &format!("{c:.0}"))],
            ),
            (None, None) => String::new(),
        };
        if self.usage() != usage {
            self.set_usage(usage);
            self.update_row_detail();
        }
        if (self.cpu_percent() - cpu).abs() > f64::EPSILON {
            self.set_cpu_percent(cpu);
        }
        if self.memory_kib() != mem {
            self.set_memory_kib(mem);
        }
    }
}

/// "state · usage", or the state alone.
fn row_detail(state: &str, usage: &str) -> String {
    if usage.is_empty() {
        state.to_string()
    } else {
        format!("{state} · {usage}")
    }
}

fn state_raw(s: VmState) -> i32 {
    match s {
        VmState::NoState => 0,
        VmState::Running => 1,
        VmState::Blocked => 2,
        VmState::Paused => 3,
        VmState::ShuttingDown => 4,
        VmState::ShutOff => 5,
        VmState::Crashed => 6,
        VmState::Suspended => 7,
    }
}
