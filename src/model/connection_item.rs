//! One open connection as a GObject: the header row above its machines in the sidebar
//! binds to it (its name, what state it is in, and — when it failed — why).

use glib::prelude::*;
use glib::subclass::prelude::*;

mod imp {
    use std::cell::{Cell, RefCell};

    use glib::prelude::*;
    use glib::subclass::prelude::*;

    #[derive(Default, glib::Properties)]
    #[properties(wrapper_type = super::ConnectionItem)]
    pub struct ConnectionItem {
        #[property(get, set)]
        pub uri: RefCell<String>,
        /// What a person calls it: "My user session", "lab@build-01 (remote)".
        #[property(get, set)]
        pub title: RefCell<String>,
        /// "connecting", "ready", "lost" or "failed" (see [`super::Phase`]).
        #[property(get, set)]
        pub phase: RefCell<String>,
        /// The line under the title: "3 machines", "Connecting…", "Lost … — reconnecting…".
        #[property(get, set)]
        pub status: RefCell<String>,
        /// How many machines it has (while ready).
        #[property(get, set)]
        pub machines: Cell<u32>,
        /// When it failed: the sentence, what to do, and libvirt's own words.
        #[property(get, set)]
        pub error_title: RefCell<String>,
        #[property(get, set)]
        pub error_advice: RefCell<String>,
        #[property(get, set)]
        pub error_details: RefCell<String>,
        /// Ready with no machines: the header offers to make one.
        #[property(get, set)]
        pub empty: Cell<bool>,
        /// Could not connect: the header says why, with Try Again.
        #[property(get, set)]
        pub failed: Cell<bool>,
        /// Opening the connection: the header's spinner turns. Not while a lost
        /// connection waits to be retried (see `connection_header`).
        #[property(get, set)]
        pub busy: Cell<bool>,
        /// What it is, for its menu: "build-01 · QEMU 10.0.0 · libvirt 11.3.0 · 4
        /// processors, 7.8 GiB" (empty until read).
        #[property(get, set)]
        pub details: RefCell<String>,
        /// What a screen reader says for the header row.
        #[property(get, set)]
        pub accessible_label: RefCell<String>,
    }

    #[glib::object_subclass]
    impl ObjectSubclass for ConnectionItem {
        const NAME: &'static str = "BilikConnectionItem";
        type Type = super::ConnectionItem;
    }

    #[glib::derived_properties]
    impl ObjectImpl for ConnectionItem {}
}

glib::wrapper! {
    pub struct ConnectionItem(ObjectSubclass<imp::ConnectionItem>);
}

/// Where a connection is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Connecting,
    Ready,
    /// Was up, dropped; the worker reconnects by itself.
    Lost,
    /// Could not connect (the sentence is in the error properties).
    Failed,
}

impl Phase {
    pub fn name(self) -> &'static str {
        match self {
            Phase::Connecting => "connecting",
            Phase::Ready => "ready",
            Phase::Lost => "lost",
            Phase::Failed => "failed",
        }
    }
}

impl ConnectionItem {
    pub fn new(uri: &str, title: &str) -> Self {
        let item: ConnectionItem = glib::Object::builder()
            .property("uri", uri)
            .property("title", title)
            .build();
        item.show(Phase::Connecting, 0);
        item
    }

    pub fn phase_now(&self) -> Phase {
        match self.imp().phase.borrow().as_str() {
            "ready" => Phase::Ready,
            "lost" => Phase::Lost,
            "failed" => Phase::Failed,
            _ => Phase::Connecting,
        }
    }

    /// Shows the connection in `phase` with `machines` machines; only what changed
    /// notifies.
    pub fn show(&self, phase: Phase, machines: u32) {
        use gettextrs::gettext;
        let status = match phase {
            Phase::Connecting => gettext("Connecting…"),
            Phase::Ready if machines == 0 => gettext("No virtual machines here"),
            Phase::Ready => crate::i18n::ngettext_f(
                "{n} machine",
                "{n} machines",
                machines,
                &[("n", &machines.to_string())],
            ),
            Phase::Lost => crate::i18n::gettext_f(
                "Lost connection to {uri} — reconnecting…",
                &[("uri", &self.uri())],
            ),
            Phase::Failed => self.error_title(),
        };
        if self.machines() != machines {
            self.set_machines(machines);
        }
        if self.phase() != phase.name() {
            self.set_phase(phase.name());
        }
        if self.status() != status {
            self.set_status(status.as_str());
        }
        let flags = [
            (
                machines == 0 && phase == Phase::Ready,
                self.empty(),
                "empty",
            ),
            (phase == Phase::Failed, self.failed(), "failed"),
            (phase == Phase::Connecting, self.busy(), "busy"),
        ];
        for (now, was, name) in flags {
            if now != was {
                self.set_property(name, now);
            }
        }
        let label = format!("{}: {status}", self.title());
        if self.accessible_label() != label {
            self.set_accessible_label(label);
        }
    }

    /// Shows why it could not connect.
    pub fn show_failure(&self, msg: &crate::errors::UserMessage) {
        self.set_error_title(msg.title.as_str());
        self.set_error_advice(msg.advice.as_str());
        self.set_error_details(msg.details.as_str());
        self.show(Phase::Failed, 0);
    }
}

/// The header menu's line about what a connection is: its computer, hypervisor, libvirt,
/// processors and memory.
pub fn facts_text(f: &crate::backend::connection_facts::ConnectionFacts) -> String {
    let hypervisor = match &f.hypervisor_version {
        Some(v) => format!("{} {v}", f.hypervisor),
        None => f.hypervisor.clone(),
    };
    let cpus = crate::i18n::ngettext_f(
        "{n} processor",
        "{n} processors",
        f.cpus,
        &[("n", &f.cpus.to_string())],
    );
    crate::i18n::gettext_f(
        // Translators: the computer's name · the hypervisor and its version · libvirt's
        // version · "4 processors", the memory ("7.8 GiB").
        "{host} · {hypervisor} · libvirt {version} · {cpus}, {memory}",
        &[
            ("host", &f.hostname),
            ("hypervisor", &hypervisor),
            ("version", &f.libvirt_version),
            ("cpus", &cpus),
            ("memory", &crate::model::vm_state::memory(f.memory_kib)),
        ],
    )
}
