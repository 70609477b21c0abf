//! What the wizard decides from what it knows: the proposal (memory, processors, disk) from
//! the system and this computer, the checks before Next, the machine to make, the
//! summary's sentences and the notes under the fields.

use gettextrs::gettext;

use super::*;

impl NewVmWizard {
    pub(super) fn reset(&mut self) {
        self.step = 0;
        self.busy = false;
        self.source_error = None;
        self.access = None;
        self.detected = None;
        self.os_id = None;
        self.search.clear();
        self.proposal = None;
        self.filled_for = None;
        self.name.clear();
        self.name_touched = false;
        self.customise = false;
        self.failure = None;
        self.facts = HostFacts::default();
    }

    pub(super) fn is_local_system(&self) -> bool {
        self.uri == "qemu:///system"
    }

    pub(super) fn propose(&mut self) {
        if let Some(db) = &self.db {
            self.proposal = Some(new_vm::propose(db, self.os_id.as_deref(), &self.facts));
        }
    }

    /// Fills the resource fields from the proposal when the system changed.
    pub(super) fn fill_resources(&mut self) {
        let key = Some(self.os_id.clone());
        if self.filled_for == key {
            return;
        }
        self.propose();
        if let Some(p) = &self.proposal {
            self.memory_mib = p.memory_mib;
            self.vcpus = p.vcpus;
            self.disk_gib = p.disk_gib;
            self.filled_for = key;
            if !self.name_touched {
                self.name = new_vm::suggest_name(&p.name_base, &self.facts.names);
            }
            self.push_fields = true;
        }
    }

    pub(super) fn os_name(&self) -> String {
        match (&self.db, &self.os_id) {
            (Some(db), Some(id)) => match &self.detected {
                Some(d) if &d.os_id == id => db.display_name(d),
                _ => db.get(id).map(|e| e.name.clone()).unwrap_or(id.clone()),
            },
            _ => gettext("Unknown system"),
        }
    }

    pub(super) fn name_check(&self) -> Result<(), NameProblem> {
        new_vm::check_name(&self.name, &self.facts.names)
    }

    pub(super) fn chosen_pool(&self) -> Option<&new_vm::PoolSpace> {
        self.facts.pools.get(self.pool as usize)
    }

    pub(super) fn spec(&self) -> Option<NewVm> {
        let p = self.proposal.as_ref()?;
        let install = match self.kind {
            SourceKind::Iso => Install::Iso(self.path.clone()),
            SourceKind::Import => Install::Import {
                path: self.path.clone(),
                format: self.import_format.clone(),
            },
            SourceKind::Network => Install::Network,
        };
        let disk = match self.kind {
            SourceKind::Import => None,
            _ => Some((
                self.chosen_pool()
                    .map(|p| p.name.clone())
                    .unwrap_or_else(|| "default".into()),
                self.disk_gib,
            )),
        };
        let network = if self.facts.session || self.facts.default_network.is_none() {
            NetworkChoice::User
        } else {
            NetworkChoice::Virtual("default".into())
        };
        Some(NewVm {
            name: self.name.clone(),
            os_id: self.os_id.clone(),
            memory_mib: self.memory_mib,
            vcpus: self.vcpus,
            install,
            disk,
            hardware: p.hardware,
            network,
            start: !self.customise,
        })
    }

    pub(super) fn can_go_on(&self) -> bool {
        !self.busy
            && match self.step {
                0 => self.kind == SourceKind::Network || !self.path.trim().is_empty(),
                1 => self.os_id.is_some(),
                2 => self.memory_mib > 0 && self.vcpus > 0,
                3 => self.name_check().is_ok(),
                _ => self.proposal.is_some(),
            }
    }

    /// The summary, one row per fact, in words.
    pub(super) fn summary(&self) -> Vec<(String, String)> {
        let mut rows = Vec::new();
        let Some(p) = &self.proposal else {
            return rows;
        };
        rows.push((gettext("System"), self.os_name()));
        rows.push((
            gettext("Installs from"),
            match self.kind {
                SourceKind::Iso => gettext_f(
                    "The disc {path}, then boots from the new disk",
                    &[("path", &self.path)],
                ),
                SourceKind::Import => gettext_f(
                    "The existing disk {path} ({format}), used in place",
                    &[("path", &self.path), ("format", &self.import_format)],
                ),
                SourceKind::Network => gettext("The network (PXE), then the new disk"),
            },
        ));
        rows.push((
            gettext("Memory and processors"),
            gettext_f(
                "{memory} of memory, {n} processors",
                &[
                    ("memory", &mib(self.memory_mib)),
                    ("n", &self.vcpus.to_string()),
                ],
            ),
        ));
        if self.kind != SourceKind::Import {
            let pool = self
                .chosen_pool()
                .map(|p| p.name.clone())
                .unwrap_or_else(|| "default".into());
            rows.push((
                gettext("Disk"),
                gettext_f(
                    "A new {size} disk (qcow2) in the storage pool “{pool}”; it takes only the space the system uses",
                    &[("size", &mib(self.disk_gib * 1024)), ("pool", &pool)],
                ),
            ));
        }
        let devices = match p.hardware.disk_bus {
            DiskBus::Virtio => {
                gettext("Fast virtio disk and network card: this system has the drivers built in")
            }
            DiskBus::Sata => gettext(
                "SATA disk and e1000e network card, which this system knows without extra drivers",
            ),
        };
        rows.push((gettext("Devices"), devices));
        let firmware = match p.hardware.firmware {
            Firmware::Efi {
                secure_boot: true,
                tpm: true,
            } => gettext(
                "UEFI with Secure Boot and an emulated TPM 2.0 chip: this system requires them",
            ),
            Firmware::Efi { .. } if p.hardware.efi_required => gettext(
                "UEFI. This system also wants Secure Boot and a TPM chip, which this computer cannot provide (packages ovmf and swtpm)",
            ),
            Firmware::Efi { .. } => gettext("UEFI (the modern PC firmware)"),
            Firmware::Bios => gettext("BIOS (the classic PC firmware)"),
        };
        rows.push((gettext("Firmware"), firmware));
        let network = match self.spec().map(|s| s.network) {
            Some(NetworkChoice::Virtual(_)) => gettext(
                "The “default” network (NAT): the machine reaches the internet through this computer; other computers cannot reach it",
            ),
            _ if self.facts.session => gettext(
                "User-mode networking, as this is your user session: it needs no admin rights and the machine reaches the internet, but nothing outside can reach the machine",
            ),
            _ => gettext(
                "User-mode networking, because this connection has no “default” network: the machine reaches the internet, but nothing outside can reach it",
            ),
        };
        rows.push((gettext("Network"), network));
        rows.push((
            gettext("Clipboard and display"),
            gettext(
                "SPICE display with the agent channel for copy-paste and automatic resolution (install spice-vdagent in the guest), the QEMU guest agent channel, a tablet pointer so the cursor is never captured, and USB redirection",
            ),
        ));
        rows
    }

    pub(super) fn keyboard_hint(&self) -> Option<String> {
        let layout = self.layout.as_deref()?;
        crate::keyboard_layout::differs_from_us(layout).then(|| {
            gettext_f(
                "Your keyboard layout is “{layout}”, but the new machine starts with a US (qwerty) layout. While installing, pick a user name and password without a, m, q, w, z and y, and type digits on the number row, not the numpad (or turn Num Lock on). Change the guest’s layout once it is installed.",
                &[("layout", layout)],
            )
        })
    }

    pub(super) fn memory_note(&self) -> String {
        let mut parts = Vec::new();
        if let Some(p) = &self.proposal {
            if let Some(min) = p.min_memory_mib {
                parts.push(gettext_f(
                    "{system} needs at least {min}.",
                    &[("system", &self.os_name()), ("min", &mib(min))],
                ));
            }
        }
        if self.facts.memory_total > 0 {
            parts.push(gettext_f(
                "This computer has {total}, {free} of it free now.",
                &[
                    ("total", &size(self.facts.memory_total)),
                    ("free", &size(self.facts.memory_free)),
                ],
            ));
            if self.memory_mib << 20 > self.facts.memory_free {
                parts.push(gettext(
                    "That is more than is free now: the machine may fail to start, or make this computer slow. Close other programs or choose less.",
                ));
            }
        }
        parts.join(" ")
    }

    pub(super) fn disk_note(&self) -> String {
        let mut parts = vec![gettext(
            "The disk is a file that grows as the system writes to it, up to this size.",
        )];
        match self.chosen_pool() {
            Some(pool) if pool.active && (self.disk_gib << 30) > pool.available => {
                parts.push(gettext_f(
                    "The pool “{pool}” has only {free} free: the machine will stop when the disk fills it. Choose a smaller size or another pool.",
                    &[("pool", &pool.name), ("free", &size(pool.available))],
                ))
            }
            Some(pool) if pool.active => parts.push(gettext_f(
                "“{pool}” has {free} free.",
                &[("pool", &pool.name), ("free", &size(pool.available))],
            )),
            Some(pool) => parts.push(gettext_f(
                "The pool “{pool}” is stopped; Bilik starts it.",
                &[("pool", &pool.name)],
            )),
            None => parts.push(gettext_f(
                "This connection has no storage pool yet: Bilik creates “default” in {path}.",
                &[(
                    "path",
                    &new_vm::default_pool_dir(self.facts.session)
                        .display()
                        .to_string(),
                )],
            )),
        }
        parts.join(" ")
    }
}
