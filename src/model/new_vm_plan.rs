//! What the new-machine wizard decides, without GTK: the proposal (memory, processors,
//! disk) from the system and this computer, the checks before Next, the machine to make,
//! the summary's sentences and the notes under the fields. The wizard
//! (`ui/new_vm/`) holds one [`NewVmPlan`], changes it from what the person does and shows
//! what it says; the unit tests below check its decisions directly.

use std::sync::Arc;

use gettextrs::gettext;

use crate::backend::express::{self, AnswerProblem};
use crate::backend::libosinfo::{Answers, Candidate};
use crate::backend::new_vm::{
    self, DiskBus, Firmware, HostFacts, Install, NameProblem, NetworkChoice, NewVm, Proposal,
};
use crate::backend::osinfo::OsDb;
use crate::backend::shared_folders::{self, Share};
use crate::i18n::gettext_f;

/// Where the new machine's system comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SourceKind {
    /// An installer disc image.
    #[default]
    Iso,
    /// An existing disk image, used in place.
    Import,
    /// Network boot (PXE).
    Network,
}

/// A size in bytes as people read it ("1.5 GiB").
pub fn size(bytes: u64) -> String {
    glib::format_size_full(bytes, glib::FormatSizeFlags::IEC_UNITS).to_string()
}

/// Memory as people say it: "512 MiB", "4 GiB", "3.5 GiB".
pub fn mib(m: u64) -> String {
    if m >= 1024 && m.is_multiple_of(1024) {
        format!("{} GiB", m / 1024)
    } else if m >= 1024 {
        format!("{:.1} GiB", m as f64 / 1024.0)
    } else {
        format!("{m} MiB")
    }
}

/// The wizard's steps: source, system, resources, name, summary.
pub const STEPS: usize = 5;

/// Everything the wizard knows and has chosen so far.
#[derive(Debug, Clone)]
pub struct NewVmPlan {
    /// The connection the machine is made on.
    pub uri: String,
    pub db: Option<Arc<OsDb>>,
    /// What the connection's host offers (memory, pools, names taken…).
    pub facts: HostFacts,
    /// This computer's keyboard layout (XKB name), if known.
    pub layout: Option<String>,
    /// The page shown (0 to STEPS - 1).
    pub step: usize,
    pub kind: SourceKind,
    pub path: String,
    /// A question to the connection or a file read is under way.
    pub busy: bool,
    /// The systems libosinfo recognised on the disc, its own first choice first.
    pub candidates: Vec<Candidate>,
    /// For a system picked by hand: osinfo-db's description of its installer disc (so
    /// that a disc newer than osinfo-db can still install itself).
    pub picked_media: Option<Candidate>,
    /// The format of an existing disk image (raw, qcow2…).
    pub import_format: String,
    pub os_id: Option<String>,
    pub proposal: Option<Proposal>,
    /// The system the resource fields were last filled for.
    pub filled_for: Option<Option<String>>,
    pub memory_mib: u64,
    pub vcpus: u32,
    pub disk_gib: u64,
    /// Index into `facts.pools`.
    pub pool: u32,
    pub name: String,
    /// The person typed a name: a new proposal no longer replaces it.
    pub name_touched: bool,
    /// Define only, to change the hardware before the first start.
    pub customise: bool,
    /// Express install, where the disc allows it (on unless the person turns it off).
    pub express: bool,
    pub user_login: String,
    pub user_realname: String,
    pub password: String,
    pub password_again: String,
    /// Windows' product key (may stay empty: Setup then asks for it once).
    pub product_key: String,
    /// Folders of this computer to share with the new machine.
    pub shared: Vec<String>,
    /// This computer's keyboard layout in words ("French (AZERTY)"), when known.
    pub layout_description: Option<String>,
    /// This computer's language (`fr_FR`) and time zone (`Europe/Paris`), for the guest.
    pub language: String,
    pub timezone: String,
}

impl Default for NewVmPlan {
    fn default() -> Self {
        NewVmPlan {
            uri: String::new(),
            db: None,
            facts: HostFacts::default(),
            layout: None,
            step: 0,
            kind: SourceKind::Iso,
            path: String::new(),
            busy: false,
            candidates: Vec::new(),
            picked_media: None,
            import_format: "raw".into(),
            os_id: None,
            proposal: None,
            filled_for: None,
            memory_mib: 2048,
            vcpus: 2,
            disk_gib: 20,
            pool: 0,
            name: String::new(),
            name_touched: false,
            customise: false,
            express: true,
            user_login: String::new(),
            user_realname: String::new(),
            password: String::new(),
            password_again: String::new(),
            product_key: String::new(),
            shared: Vec::new(),
            layout_description: None,
            language: String::new(),
            timezone: String::new(),
        }
    }
}

impl NewVmPlan {
    /// Back to the first page with nothing chosen (the connection, osinfo-db and this
    /// computer's settings stay; a typed password does not).
    pub fn reset(&mut self) {
        let old = std::mem::take(self);
        *self = NewVmPlan {
            uri: old.uri,
            db: old.db,
            layout: old.layout,
            layout_description: old.layout_description,
            user_login: old.user_login,
            user_realname: old.user_realname,
            language: old.language,
            timezone: old.timezone,
            ..NewVmPlan::default()
        };
    }

    /// The disc lets its installer be answered by a file, and Bilik can put the file where
    /// it looks ([`express::method`]).
    pub fn express_possible(&self) -> bool {
        self.kind == SourceKind::Iso && self.express_media().is_some()
    }

    /// The chosen system's installer disc, when it can install itself: as recognised on
    /// the disc, else as osinfo-db describes it for a system picked by hand.
    pub fn express_media(&self) -> Option<&Candidate> {
        let id = self.os_id.as_ref()?;
        self.candidates
            .iter()
            .chain(self.picked_media.iter())
            .find(|c| &c.os_id == id && express::method(c).is_some())
    }

    /// How the installer gets its answers, when express install can answer it.
    pub fn express_method(&self) -> Option<express::Method> {
        self.express_media().and_then(express::method)
    }

    /// The chosen system is Windows (its express install asks for a product key).
    pub fn windows(&self) -> bool {
        self.express_method() == Some(express::Method::AnswerDisc)
    }

    /// The folders to share, with the names (tags) the machine mounts them by.
    pub fn shares(&self) -> Vec<Share> {
        let mut out: Vec<Share> = Vec::new();
        for dir in &self.shared {
            let tag = shared_folders::suggest_tag(std::path::Path::new(dir), &out);
            out.push(Share {
                tag,
                dir: dir.clone(),
            });
        }
        out
    }

    /// Express install will be used.
    pub fn express_on(&self) -> bool {
        self.express && self.express_possible() && !self.customise
    }

    /// The answers for the installer.
    pub fn answers(&self) -> Answers {
        Answers {
            user_login: self.user_login.trim().to_string(),
            user_realname: self.user_realname.trim().to_string(),
            user_password: self.password.clone(),
            admin_password: self.password.clone(),
            hostname: express::host_name(&self.name),
            language: self.language.clone(),
            keyboard: self.layout.clone().unwrap_or_default(),
            timezone: self.timezone.clone(),
            product_key: if self.windows() {
                self.product_key.trim().to_uppercase()
            } else {
                String::new()
            },
        }
    }

    /// What an express install of `spec` needs besides the machine (None: an ordinary
    /// install).
    pub fn express_job(&self, spec: &NewVm) -> Option<express::Job> {
        if !self.express_on() {
            return None;
        }
        let disc = self.express_media()?;
        Some(express::Job {
            os_id: disc.os_id.clone(),
            method: express::method(disc)?,
            iso: std::path::PathBuf::from(self.path.trim()),
            kernel: disc.kernel.clone(),
            initrd: disc.initrd.clone(),
            answers: self.answers(),
            mounts: self.shares().into_iter().map(|s| s.tag).collect(),
            efi: matches!(spec.hardware.firmware, Firmware::Efi { .. }),
            pool: spec
                .disk
                .as_ref()
                .map_or_else(|| "default".into(), |(p, _)| p.clone()),
        })
    }

    /// What is wrong with the express-install answers, if anything.
    pub fn express_check(&self) -> Result<(), AnswerProblem> {
        express::check_answers(&self.answers(), &self.password_again)?;
        if self.windows() {
            express::check_product_key(&self.answers().product_key)?;
        }
        Ok(())
    }

    pub fn is_local_system(&self) -> bool {
        self.uri == "qemu:///system"
    }

    pub fn propose(&mut self) {
        if let Some(db) = &self.db {
            self.proposal = Some(new_vm::propose(db, self.os_id.as_deref(), &self.facts));
        }
    }

    /// Fills the resource fields from the proposal when the system changed; true when it
    /// did (the form shows the new values).
    pub fn fill_resources(&mut self) -> bool {
        let key = Some(self.os_id.clone());
        if self.filled_for == key {
            return false;
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
            return true;
        }
        false
    }

    /// The chosen system's name: as libosinfo named it from the disc (with the edition
    /// the disc holds), else osinfo-db's name.
    pub fn os_name(&self) -> String {
        let Some(id) = &self.os_id else {
            return gettext("Unknown system");
        };
        if let Some(c) = self.candidates.iter().find(|c| &c.os_id == id) {
            return c.name.clone();
        }
        self.db
            .as_ref()
            .and_then(|db| db.get(id).map(|e| e.name.clone()))
            .unwrap_or_else(|| id.clone())
    }

    /// The chosen system is one of those recognised on the disc.
    pub fn recognised(&self) -> bool {
        self.os_id
            .as_ref()
            .is_some_and(|id| self.candidates.iter().any(|c| &c.os_id == id))
    }

    pub fn name_check(&self) -> Result<(), NameProblem> {
        new_vm::check_name(&self.name, &self.facts.names)
    }

    pub fn chosen_pool(&self) -> Option<&new_vm::PoolSpace> {
        self.facts.pools.get(self.pool as usize)
    }

    pub fn spec(&self) -> Option<NewVm> {
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
        let mut hardware = p.hardware;
        if self.express_on() && !self.windows() {
            // Secure Boot and a directly booted installer kernel do not mix reliably.
            if let Firmware::Efi { tpm, .. } = hardware.firmware {
                hardware.firmware = Firmware::Efi {
                    secure_boot: false,
                    tpm,
                };
            }
        }
        Some(NewVm {
            name: self.name.clone(),
            os_id: self.os_id.clone(),
            memory_mib: self.memory_mib,
            vcpus: self.vcpus,
            install,
            disk,
            hardware,
            network,
            // Express install: defined here, then started with the installer's answers.
            start: !self.customise && !self.express_on(),
            shares: self.shares(),
        })
    }

    pub fn can_go_on(&self) -> bool {
        !self.busy
            && match self.step {
                0 => self.kind == SourceKind::Network || !self.path.trim().is_empty(),
                1 => self.os_id.is_some(),
                2 => self.memory_mib > 0 && self.vcpus > 0,
                3 => {
                    self.name_check().is_ok()
                        && (!self.express_on() || self.express_check().is_ok())
                }
                _ => self.proposal.is_some(),
            }
    }

    /// The summary, one row per fact, in words.
    pub fn summary(&self) -> Vec<(String, String)> {
        let mut rows = Vec::new();
        let Some(p) = &self.proposal else {
            return rows;
        };
        rows.push((gettext("System"), self.os_name()));
        if self.express_on() {
            let a = self.answers();
            let keyboard =
                crate::keyboard_layout::describe(self.layout_description.as_deref(), &a.keyboard);
            let facts = [
                ("system", self.os_name()),
                ("user", a.user_login.clone()),
                ("keyboard", keyboard),
                (
                    "language",
                    if a.language.is_empty() {
                        "en_US".into()
                    } else {
                        a.language.clone()
                    },
                ),
                (
                    "timezone",
                    if a.timezone.is_empty() {
                        "UTC".into()
                    } else {
                        a.timezone.clone()
                    },
                ),
                ("host", a.hostname.clone()),
            ];
            let facts: Vec<(&str, &str)> = facts.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let text = if self.windows() {
                gettext_f(
                    // Translators: {system} is a system's name ("Windows 11"), {user} a login name, {keyboard} a keyboard layout in words ("French (AZERTY)").
                    "{system} installs itself and asks nothing: user “{user}” (an administrator), keyboard {keyboard} like this computer, language {language}, time zone {timezone}, computer name {host}. The answers are on a small second disc, which Bilik removes when Windows’ setup is done. Install the SPICE guest tools afterwards for copy and paste.",
                    &facts,
                )
            } else {
                gettext_f(
                    // Translators: {system} is a system's name ("Debian 13"), {user} a login name, {keyboard} a keyboard layout in words ("French (AZERTY)").
                    "{system} installs itself and asks nothing: user “{user}” (who may administer it), keyboard {keyboard} like this computer, language {language}, time zone {timezone}, computer name {host}. spice-vdagent and qemu-guest-agent are installed with it. It boots the installer directly, with firmware without Secure Boot.",
                    &facts,
                )
            };
            rows.push((gettext("Express install"), text));
        }
        let shares = self.shares();
        if !shares.is_empty() {
            let list = shares
                .iter()
                .map(|s| {
                    if self.express_on() && !self.windows() {
                        gettext_f(
                            // Translators: {folder} is a folder of this computer, {mount} where the new machine shows it (/mnt/NAME).
                            "{folder} (in the machine: {mount})",
                            &[("folder", &s.dir), ("mount", &format!("/mnt/{}", s.tag))],
                        )
                    } else {
                        gettext_f(
                            // Translators: {folder} is a folder of this computer, {tag} the name the machine mounts it by.
                            "{folder} (mount name “{tag}”)",
                            &[("folder", &s.dir), ("tag", &s.tag)],
                        )
                    }
                })
                .collect::<Vec<_>>()
                .join(", ");
            let how = if self.express_on() && !self.windows() {
                gettext("The new system mounts them at every start, nothing to set up inside.")
            } else if self.windows() {
                gettext("Windows needs virtio-win and WinFsp installed to see them (the machine’s Shared folders tab says how).")
            } else {
                gettext("Mount them inside the machine once its system is installed (its Shared folders tab shows the command).")
            };
            rows.push((gettext("Shared folders"), format!("{list}. {how}")));
        }
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

    pub fn keyboard_hint(&self) -> Option<String> {
        if self.express_on() {
            // The installer gets the keyboard in its answer file: no trap to warn about.
            return None;
        }
        let layout = self.layout.as_deref()?;
        crate::keyboard_layout::differs_from_us(layout).then(|| {
            gettext_f(
                "Your keyboard layout is “{layout}”, but the new machine starts with a US (qwerty) layout. While installing, pick a user name and password without a, m, q, w, z and y, and type digits on the number row, not the numpad (or turn Num Lock on). Change the guest’s layout once it is installed.",
                &[("layout", layout)],
            )
        })
    }

    pub fn memory_note(&self) -> String {
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

    pub fn disk_note(&self) -> String {
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

#[cfg(test)]
mod tests {
    //! Decisions checked against the osinfo-db installed here (the dev root's package).
    use super::*;
    use crate::backend::new_vm::PoolSpace;

    const GIB: u64 = 1 << 30;
    const DEBIAN: &str = "http://debian.org/debian/12";

    fn host() -> HostFacts {
        HostFacts {
            memory_total: 8 * GIB,
            memory_free: 6 * GIB,
            cpus: 4,
            pools: vec![PoolSpace {
                name: "default".into(),
                path: "/var/lib/libvirt/images".into(),
                active: true,
                available: 100 * GIB,
            }],
            names: vec!["debian12".into()],
            session: false,
            kvm: true,
            efi: true,
            secure_boot: true,
            tpm: true,
            default_network: Some(true),
        }
    }

    fn plan_for(os: Option<&str>) -> NewVmPlan {
        let db = OsDb::shared();
        assert!(
            db.get(DEBIAN).is_some(),
            "osinfo-db is installed and knows Debian 12"
        );
        NewVmPlan {
            uri: "qemu:///system".into(),
            db: Some(db),
            facts: host(),
            os_id: os.map(str::to_string),
            path: "/isos/debian-12.iso".into(),
            ..NewVmPlan::default()
        }
    }

    #[test]
    fn the_proposal_follows_the_system_within_this_computer_once() {
        let mut plan = plan_for(Some(DEBIAN));
        assert!(plan.fill_resources(), "a new system fills the fields");
        let p = plan.proposal.clone().expect("a proposal");
        assert!(plan.memory_mib >= p.min_memory_mib.unwrap_or(0));
        assert!(plan.vcpus >= 1 && plan.vcpus <= 4, "{}", plan.vcpus);
        assert!(plan.disk_gib >= p.min_disk_gib.unwrap_or(1));
        // "debian12" is taken on this connection: the next free name.
        assert_eq!(plan.name, "debian12-2");
        assert!(
            !plan.fill_resources(),
            "the same system: the fields stay as edited"
        );
        plan.memory_mib = 3000;
        plan.name = "mine".into();
        plan.name_touched = true;
        plan.os_id = Some("http://fedoraproject.org/fedora/40".into());
        assert!(plan.fill_resources());
        assert_eq!(plan.name, "mine", "a name the person typed is kept");
    }

    #[test]
    fn next_needs_what_each_step_asks_for() {
        let mut plan = plan_for(None);
        plan.path.clear();
        assert!(!plan.can_go_on(), "no file chosen");
        plan.kind = SourceKind::Network;
        assert!(plan.can_go_on(), "network boot needs no file");
        plan.step = 1;
        assert!(!plan.can_go_on(), "no system chosen");
        plan.os_id = Some(DEBIAN.into());
        assert!(plan.can_go_on());
        plan.step = 3;
        plan.name = "debian12".into();
        assert!(!plan.can_go_on(), "the name is taken");
        plan.name = "new one".into();
        assert!(!plan.can_go_on(), "a space is not allowed");
        plan.name = "new-one".into();
        assert!(plan.can_go_on());
        plan.busy = true;
        assert!(!plan.can_go_on(), "not while a question is under way");
    }

    #[test]
    fn the_machine_to_make_and_the_summary_agree() {
        let mut plan = plan_for(Some(DEBIAN));
        plan.fill_resources();
        let spec = plan.spec().expect("a machine to make");
        assert_eq!(spec.network, NetworkChoice::Virtual("default".into()));
        assert_eq!(spec.disk, Some(("default".into(), plan.disk_gib)));
        assert!(matches!(spec.install, Install::Iso(ref p) if p == "/isos/debian-12.iso"));
        assert!(spec.start);
        let summary = plan.summary();
        let text = |label: &str| {
            summary
                .iter()
                .find(|(l, _)| l == label)
                .map(|(_, t)| t.clone())
                .unwrap_or_default()
        };
        assert!(text("System").contains("Debian"), "{summary:?}");
        assert!(text("Installs from").contains("/isos/debian-12.iso"));
        assert!(text("Network").contains("“default” network (NAT)"));

        // The same on the user session: user-mode networking, and the summary says why.
        plan.facts.session = true;
        plan.customise = true;
        let spec = plan.spec().unwrap();
        assert_eq!(spec.network, NetworkChoice::User);
        assert!(!spec.start, "customise first: defined, not started");
        assert!(plan
            .summary()
            .iter()
            .any(|(_, t)| t.contains("as this is your user session")));
    }

    #[test]
    fn notes_warn_about_memory_and_pool_space() {
        let mut plan = plan_for(Some(DEBIAN));
        plan.fill_resources();
        plan.memory_mib = 7 * 1024;
        assert!(
            plan.memory_note().contains("more than is free now"),
            "{}",
            plan.memory_note()
        );
        plan.memory_mib = 1024;
        assert!(!plan.memory_note().contains("more than is free now"));

        plan.disk_gib = 200;
        assert!(
            plan.disk_note().contains("has only 100.0\u{a0}GiB free"),
            "{}",
            plan.disk_note()
        );
        plan.facts.pools[0].active = false;
        assert!(plan.disk_note().contains("is stopped; Bilik starts it"));
        plan.facts.pools.clear();
        assert!(plan.disk_note().contains("creates “default” in"));
    }

    #[test]
    fn the_keyboard_warning_is_for_layouts_other_than_us() {
        let mut plan = plan_for(None);
        assert_eq!(plan.keyboard_hint(), None, "layout unknown");
        plan.layout = Some("us".into());
        assert_eq!(plan.keyboard_hint(), None);
        plan.layout = Some("fr".into());
        assert!(plan.keyboard_hint().unwrap().contains("“fr”"));
    }

    #[test]
    fn a_disc_that_fits_several_systems_names_the_one_chosen() {
        let candidate = |id: &str, name: &str| Candidate {
            os_id: id.into(),
            name: name.into(),
            short_id: String::new(),
            installer_script: true,
            kernel: None,
            initrd: None,
        };
        let mut plan = plan_for(Some("http://microsoft.com/win/11"));
        plan.candidates = vec![
            candidate("http://microsoft.com/win/11", "Microsoft Windows 11"),
            candidate("http://microsoft.com/win/10", "Microsoft Windows 10 Pro"),
        ];
        assert!(plan.recognised());
        plan.os_id = Some("http://microsoft.com/win/10".into());
        assert!(plan.recognised());
        assert_eq!(
            plan.os_name(),
            "Microsoft Windows 10 Pro",
            "the disc's edition"
        );
        plan.os_id = Some(DEBIAN.into());
        assert!(!plan.recognised(), "picked from the whole list");
        assert_eq!(plan.os_name(), "Debian 12");
    }

    #[test]
    fn express_install_when_the_disc_takes_an_answer_file() {
        let mut plan = plan_for(Some("http://debian.org/debian/13"));
        plan.layout = Some("fr".into());
        plan.fill_resources();
        assert!(
            !plan.express_possible(),
            "nothing known of its installer disc yet"
        );
        let netinst = Candidate {
            os_id: "http://debian.org/debian/13".into(),
            name: "Debian 13".into(),
            short_id: "debian13".into(),
            installer_script: true,
            kernel: Some("install.amd/vmlinuz".into()),
            initrd: Some("install.amd/initrd.gz".into()),
        };
        // Picked by hand (a disc newer than osinfo-db): osinfo-db's netinst description.
        plan.picked_media = Some(netinst.clone());
        assert!(plan.express_possible() && !plan.recognised());
        plan.picked_media = None;
        plan.candidates = vec![netinst];
        assert!(plan.express_possible() && plan.express_on());
        // The keyboard trap is gone: no warning, the layout goes to the installer.
        assert_eq!(plan.keyboard_hint(), None);
        plan.name = "my debian".into();
        plan.user_login = "ana".into();
        plan.step = 3;
        assert!(!plan.can_go_on(), "no password yet");
        plan.password = "s3cret pass".into();
        plan.password_again = "s3cret pas".into();
        assert_eq!(plan.express_check(), Err(AnswerProblem::PasswordsDiffer));
        plan.password_again = "s3cret pass".into();
        plan.name = "my-debian".into();
        assert!(plan.can_go_on());
        let a = plan.answers();
        assert_eq!(
            (
                a.user_login.as_str(),
                a.keyboard.as_str(),
                a.hostname.as_str()
            ),
            ("ana", "fr", "my-debian")
        );
        assert_eq!(a.admin_password, a.user_password);
        let spec = plan.spec().unwrap();
        assert!(
            !spec.start,
            "defined, then started with the installer's answers"
        );
        assert!(
            !matches!(
                spec.hardware.firmware,
                Firmware::Efi {
                    secure_boot: true,
                    ..
                }
            ),
            "no Secure Boot with a directly booted installer"
        );
        let summary = plan.summary();
        let express = summary
            .iter()
            .find(|(l, _)| l == "Express install")
            .map(|(_, t)| t.as_str())
            .unwrap_or_default();
        assert!(
            express.contains("user “ana”") && express.contains("keyboard “fr”"),
            "{express}"
        );
        // Turned off: the ordinary install, with the keyboard warning back.
        plan.express = false;
        assert!(!plan.express_on());
        assert!(plan.keyboard_hint().is_some());
        assert!(plan.spec().unwrap().start);
    }

    #[test]
    fn starting_over_keeps_the_connection_and_the_database() {
        let mut plan = plan_for(Some(DEBIAN));
        plan.layout = Some("fr".into());
        plan.fill_resources();
        plan.step = 4;
        plan.reset();
        assert_eq!(plan.step, 0);
        assert_eq!(plan.os_id, None);
        assert!(plan.proposal.is_none() && plan.name.is_empty());
        assert_eq!(plan.uri, "qemu:///system");
        assert!(plan.db.is_some());
        assert_eq!(plan.layout.as_deref(), Some("fr"));
    }
}
