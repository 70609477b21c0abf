//! The system's osinfo-db (`/usr/share/osinfo`, the database virt-manager, GNOME Boxes and
//! cockpit use): operating systems, their recommended resources, the devices they have
//! drivers for and the firmware they need, for the wizard's proposal and its system list.
//!
//! This reads the XML files directly and follows `derives-from` for anything an entry
//! inherits. What a disc is, and answer files, are libosinfo's own answers
//! ([`super::libosinfo`]); Bilik keeps no list of operating systems of its own.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

/// The architecture Bilik creates machines for.
pub const HOST_ARCH: &str = std::env::consts::ARCH;

/// Resources as osinfo-db gives them (bytes for memory and storage).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Resources {
    pub n_cpus: Option<u32>,
    pub ram: Option<u64>,
    pub storage: Option<u64>,
}

#[derive(Debug, Clone)]
struct ResourceSet {
    arch: String,
    inherit: bool,
    minimum: Resources,
    recommended: Resources,
}

/// One operating system of the database.
#[derive(Debug, Clone, Default)]
pub struct OsEntry {
    pub id: String,
    pub short_id: String,
    /// In the user's language when the database has it.
    pub name: String,
    pub version: String,
    pub vendor: String,
    pub family: String,
    pub distro: String,
    pub derives_from: Option<String>,
    pub release_date: String,
    pub eol_date: String,
    /// osinfo-db lists installer media for it (a system one can install).
    has_media: bool,
    resources: Vec<ResourceSet>,
    /// Device ids, `false` where an entry says a device its parent has is not supported.
    devices: Vec<(String, bool)>,
    /// (arch, firmware type, supported)
    firmware: Vec<(String, String, bool)>,
}

/// The firmware an operating system needs or supports on this architecture.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FirmwareNeeds {
    pub efi_supported: bool,
    /// BIOS is marked unsupported (Windows 11): the machine must use UEFI.
    pub efi_required: bool,
}

/// Well-known device ids of osinfo-db (PCI vendor/device of the virtio devices).
pub mod device {
    pub const VIRTIO_BLOCK: [&str; 2] = [
        "http://pcisig.com/pci/1af4/1001",
        "http://pcisig.com/pci/1af4/1042",
    ];
    pub const VIRTIO_NET: [&str; 2] = [
        "http://pcisig.com/pci/1af4/1000",
        "http://pcisig.com/pci/1af4/1041",
    ];
    pub const VIRTIO_GPU: [&str; 1] = ["http://pcisig.com/pci/1af4/1050"];
}

#[derive(Debug, Default)]
pub struct OsDb {
    entries: HashMap<String, OsEntry>,
}

/// The database directories in libosinfo's order; later ones override earlier ones.
pub fn default_dirs() -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    match std::env::var_os("OSINFO_SYSTEM_DIR") {
        Some(d) => dirs.push(PathBuf::from(d)),
        None => dirs.push(PathBuf::from("/usr/share/osinfo")),
    }
    dirs.push(PathBuf::from("/etc/osinfo"));
    let config = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")));
    if let Some(c) = config {
        dirs.push(c.join("osinfo"));
    }
    dirs
}

/// The user's languages for names, most wanted first ("id_ID.UTF-8" → "id-ID", "id").
fn wanted_languages() -> Vec<String> {
    let raw = ["LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"]
        .iter()
        .filter_map(|v| std::env::var(v).ok())
        .find(|v| !v.is_empty())
        .unwrap_or_default();
    let mut out = Vec::new();
    for part in raw.split(':') {
        let base = part.split(['.', '@']).next().unwrap_or("");
        if base.is_empty() || base == "C" || base == "POSIX" {
            continue;
        }
        out.push(base.replace('_', "-"));
        if let Some((lang, _)) = base.split_once('_') {
            out.push(lang.to_string());
        }
    }
    out
}

fn collect_xml(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for p in paths {
        if p.is_dir() {
            collect_xml(&p, out);
        } else if p.extension().is_some_and(|e| e == "xml") {
            out.push(p);
        }
    }
}

fn text_of(node: roxmltree::Node) -> String {
    node.text().unwrap_or("").trim().to_string()
}

fn parse_resources(node: roxmltree::Node) -> Resources {
    let mut r = Resources::default();
    for c in node.children().filter(|c| c.is_element()) {
        let t = text_of(c);
        match c.tag_name().name() {
            "n-cpus" => r.n_cpus = t.parse().ok(),
            "ram" => r.ram = t.parse().ok(),
            "storage" => r.storage = t.parse().ok(),
            _ => {}
        }
    }
    r
}

impl OsDb {
    /// Loads the database from the usual places. An empty result means osinfo-db is not
    /// installed.
    pub fn load_default() -> OsDb {
        OsDb::load(&default_dirs())
    }

    /// The database from the usual places, read once per run and shared by every screen
    /// that names systems (call it off the main thread: the first call reads files).
    pub fn shared() -> std::sync::Arc<OsDb> {
        static DB: std::sync::OnceLock<std::sync::Arc<OsDb>> = std::sync::OnceLock::new();
        DB.get_or_init(|| std::sync::Arc::new(OsDb::load_default()))
            .clone()
    }

    pub fn load(dirs: &[PathBuf]) -> OsDb {
        let langs = wanted_languages();
        let mut db = OsDb::default();
        for dir in dirs {
            let mut files = Vec::new();
            collect_xml(&dir.join("os"), &mut files);
            for f in files {
                let Ok(text) = std::fs::read_to_string(&f) else {
                    continue;
                };
                let Ok(doc) = roxmltree::Document::parse(&text) else {
                    continue;
                };
                for os in doc
                    .root_element()
                    .children()
                    .filter(|n| n.has_tag_name("os"))
                {
                    db.merge(os, &langs);
                }
            }
        }
        db
    }

    /// Adds an `<os>` element; a second element with the same id (the `*.d` folders)
    /// adds to the first.
    fn merge(&mut self, os: roxmltree::Node, langs: &[String]) {
        let Some(id) = os.attribute("id") else {
            return;
        };
        let e = self
            .entries
            .entry(id.to_string())
            .or_insert_with(|| OsEntry {
                id: id.to_string(),
                ..OsEntry::default()
            });
        let mut name_rank = usize::MAX;
        if !e.name.is_empty() {
            name_rank = langs.len();
        }
        for c in os.children().filter(|c| c.is_element()) {
            let lang = c.attribute(("http://www.w3.org/XML/1998/namespace", "lang"));
            match c.tag_name().name() {
                "short-id" if e.short_id.is_empty() => e.short_id = text_of(c),
                "name" => {
                    let rank = match lang {
                        None => langs.len(),
                        Some(l) => match langs.iter().position(|w| w == l) {
                            Some(p) => p,
                            None => continue,
                        },
                    };
                    if rank < name_rank || e.name.is_empty() {
                        e.name = text_of(c);
                        name_rank = rank;
                    }
                }
                "version" => e.version = text_of(c),
                "vendor" if lang.is_none() => e.vendor = text_of(c),
                "family" => e.family = text_of(c),
                "distro" => e.distro = text_of(c),
                "derives-from" => e.derives_from = c.attribute("id").map(str::to_string),
                "release-date" => e.release_date = text_of(c),
                "eol-date" => e.eol_date = text_of(c),
                "media" => e.has_media = true,
                "resources" => {
                    let find = |tag: &str| {
                        c.children()
                            .find(|n| n.has_tag_name(tag))
                            .map(parse_resources)
                            .unwrap_or_default()
                    };
                    e.resources.push(ResourceSet {
                        arch: c.attribute("arch").unwrap_or("all").to_string(),
                        inherit: c.attribute("inherit") == Some("true"),
                        minimum: find("minimum"),
                        recommended: find("recommended"),
                    });
                }
                "devices" => {
                    for d in c.children().filter(|n| n.has_tag_name("device")) {
                        if let Some(did) = d.attribute("id") {
                            let supported = d.attribute("supported") != Some("false");
                            e.devices.push((did.to_string(), supported));
                        }
                    }
                }
                "firmware" => {
                    if let (Some(arch), Some(kind)) = (c.attribute("arch"), c.attribute("type")) {
                        let supported = c.attribute("supported") != Some("false");
                        e.firmware
                            .push((arch.to_string(), kind.to_string(), supported));
                    }
                }
                _ => {}
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn get(&self, id: &str) -> Option<&OsEntry> {
        self.entries.get(id)
    }

    pub fn all(&self) -> impl Iterator<Item = &OsEntry> {
        self.entries.values()
    }

    /// The entry and its ancestors, nearest first (cycles cut).
    fn chain<'a>(&'a self, id: &str) -> Vec<&'a OsEntry> {
        let mut out = Vec::new();
        let mut seen = HashSet::new();
        let mut next = Some(id.to_string());
        while let Some(i) = next {
            if !seen.insert(i.clone()) {
                break;
            }
            let Some(e) = self.entries.get(&i) else {
                break;
            };
            out.push(e);
            next = e.derives_from.clone();
        }
        out
    }

    /// Minimum and recommended resources for `arch`, from the entry or the ancestor it
    /// inherits them from.
    pub fn resources(&self, id: &str, arch: &str) -> (Resources, Resources) {
        for e in self.chain(id) {
            let set = e
                .resources
                .iter()
                .find(|r| r.arch == arch)
                .or_else(|| e.resources.iter().find(|r| r.arch == "all"));
            match set {
                Some(s) if !s.inherit => return (s.minimum, s.recommended),
                _ => continue,
            }
        }
        (Resources::default(), Resources::default())
    }

    /// The devices the system has drivers for, inherited and minus those marked unsupported.
    pub fn devices(&self, id: &str) -> HashSet<String> {
        let mut set = HashSet::new();
        for e in self.chain(id).into_iter().rev() {
            for (d, supported) in &e.devices {
                if *supported {
                    set.insert(d.clone());
                } else {
                    set.remove(d);
                }
            }
        }
        set
    }

    pub fn supports_any(&self, id: &str, ids: &[&str]) -> bool {
        let devices = self.devices(id);
        ids.iter().any(|d| devices.contains(*d))
    }

    /// What firmware the system supports on `arch`, from the nearest entry that says.
    pub fn firmware(&self, id: &str, arch: &str) -> FirmwareNeeds {
        for e in self.chain(id) {
            let fw: Vec<_> = e.firmware.iter().filter(|f| f.0 == arch).collect();
            if fw.is_empty() {
                continue;
            }
            let efi_supported = fw.iter().any(|f| f.1 == "efi" && f.2);
            let bios_unsupported = fw.iter().any(|f| f.1 == "bios" && !f.2);
            return FirmwareNeeds {
                efi_supported,
                efi_required: efi_supported && bios_unsupported,
            };
        }
        FirmwareNeeds::default()
    }

    /// Whether the system is Windows (family winnt): it keeps its clock in local time and
    /// wants Hyper-V enlightenments.
    pub fn is_windows(&self, id: &str) -> bool {
        self.chain(id).iter().any(|e| e.family == "winnt")
    }

    /// Entries whose name, short id or version contains every word of `query`
    /// (case-insensitive), newest first. An empty query lists everything.
    pub fn search(&self, query: &str) -> Vec<&OsEntry> {
        let words: Vec<String> = query.split_whitespace().map(|w| w.to_lowercase()).collect();
        let mut out: Vec<&OsEntry> = self
            .entries
            .values()
            .filter(|e| {
                let hay = format!("{} {} {}", e.name, e.short_id, e.version).to_lowercase();
                words.iter().all(|w| hay.contains(w.as_str()))
            })
            .collect();
        sort_newest_first(&mut out);
        out
    }

    /// The generic entries offered when a disc is not recognised: the newest "Generic
    /// Linux", the newest desktop Windows, and "Unknown".
    pub fn generic(&self) -> Generic {
        let newest = |pred: &dyn Fn(&OsEntry) -> bool| {
            self.entries
                .values()
                .filter(|e| pred(e))
                .max_by(|a, b| a.release_date.cmp(&b.release_date).then(b.id.cmp(&a.id)))
                .map(|e| e.id.clone())
        };
        Generic {
            linux: newest(&|e| e.vendor == "Libosinfo" && e.family == "linux"),
            // Desktop Windows: the "win" distro without the server editions ("win2k…").
            windows: newest(&|e| {
                e.distro == "win"
                    && e.family == "winnt"
                    && !e.short_id.starts_with("win2k")
                    && e.has_media
            }),
            other: self
                .entries
                .values()
                .find(|e| e.short_id == "unknown")
                .map(|e| e.id.clone()),
        }
    }
}

/// The generic choices of the OS picker (ids into the database).
#[derive(Debug, Clone, Default)]
pub struct Generic {
    pub linux: Option<String>,
    pub windows: Option<String>,
    pub other: Option<String>,
}

fn sort_newest_first(v: &mut [&OsEntry]) {
    v.sort_by(|a, b| {
        b.release_date
            .cmp(&a.release_date)
            .then_with(|| a.name.cmp(&b.name))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn db_from(xml: &str) -> OsDb {
        let doc = roxmltree::Document::parse(xml).unwrap();
        let mut db = OsDb::default();
        for os in doc
            .root_element()
            .children()
            .filter(|n| n.has_tag_name("os"))
        {
            db.merge(os, &["id".to_string()]);
        }
        db
    }

    const SAMPLE: &str = r#"<libosinfo>
      <os id="p"><short-id>p1</short-id><name>Parent</name><family>linux</family>
        <resources arch="all"><minimum><n-cpus>1</n-cpus><ram>1024</ram></minimum>
          <recommended><ram>2048</ram><storage>4096</storage></recommended></resources>
        <devices><device id="a"/><device id="b"/></devices>
        <firmware arch="x86_64" type="efi"/>
        <media arch="x86_64"><iso><volume-id>^Parent-1</volume-id></iso></media>
      </os>
      <os id="c"><short-id>c2</short-id><name>Child</name><name xml:lang="id">Anak</name>
        <derives-from id="p"/><release-date>2024-01-01</release-date>
        <resources arch="all" inherit="true"/>
        <devices><device id="b" supported="false"/><device id="c"/></devices>
        <media arch="x86_64"><iso><volume-id>^Parent-1\.5</volume-id><system-id>LINUX</system-id></iso></media>
      </os>
    </libosinfo>"#;

    #[test]
    fn inherits_resources_devices_and_firmware() {
        let db = db_from(SAMPLE);
        let (min, rec) = db.resources("c", "x86_64");
        assert_eq!(min.ram, Some(1024));
        assert_eq!(rec.storage, Some(4096));
        let devices = db.devices("c");
        assert!(devices.contains("a") && devices.contains("c") && !devices.contains("b"));
        assert!(db.firmware("c", "x86_64").efi_supported);
        assert!(!db.firmware("c", "x86_64").efi_required);
        assert_eq!(db.get("c").unwrap().name, "Anak");
    }
}
