//! Express install: the guest's installer gets the person's answers in a file, so that it
//! asks nothing — not the language, not the keyboard (the user name and password arrive
//! as typed on the person's own keyboard: the seeds' azerty trap is gone), not the user.
//!
//! libosinfo renders osinfo-db's install script ([`super::libosinfo`]); [`answers`] checks
//! the answers and patches the known template bugs; Bilik writes its own file only where
//! osinfo-db has none ([`autoinstall`]: Ubuntu 24.04 and later; [`windows`] adapts
//! Windows 10's file for Windows 11). [`media`] puts the file where the installer looks,
//! by [`Method`]: appended to the installer's initrd (booted directly with libosinfo's
//! kernel command line), or on a small second disc (Windows, Ubuntu). The install runs
//! as a transient definition with `on_reboot=destroy`; the persistent definition stays
//! the final machine, marked while it is being installed ([`Mark`]). [`finish`] starts it
//! when the installer has rebooted (installer disc ejected, booting its disk), and removes
//! the generated files (they hold a password).

mod answers;
mod autoinstall;
mod create;
mod media;
mod windows;

pub use answers::{
    check_answers, check_login, check_product_key, fstab_line, host_name, patch, AnswerProblem,
    Field,
};
pub use autoinstall::takes_autoinstall;
pub use create::create_and_install;

use std::path::PathBuf;

use virt::connect::Connect;
use virt::sys;

use super::error::{BackendError, ErrorKind};
use super::libosinfo::{Answers, Candidate, Injection, Rendered};
use super::xml_edit::{escape_attr, EditError, XmlDoc};

/// Where an express install is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// The installer runs (until its reboot).
    Installer,
    /// Windows' setup goes on in the installed machine (it restarts a few times).
    SetupGoesOn,
}

/// The stage of the install marked in a definition, if any.
pub fn stage(xml: &str) -> Option<Stage> {
    Mark::read(xml).map(|m| {
        if m.continuing {
            Stage::SetupGoesOn
        } else {
            Stage::Installer
        }
    })
}

/// Bilik's metadata on a machine being installed (see [`finish`]).
pub const INSTALL_NS: &str = "https://bilik.github.io/xmlns/install/1";

/// How the installer gets its answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// osinfo-db's file inside a copy of the installer's initrd, its kernel booted
    /// directly (Debian, Fedora, openSUSE…).
    Initrd,
    /// osinfo-db's files on a second CD-ROM (Windows: Setup looks on every disc).
    AnswerDisc,
    /// Bilik's autoinstall file on a `cidata` disc, the installer's kernel booted with
    /// `autoinstall` (Ubuntu 24.04 and later).
    Autoinstall,
}

/// How express install can answer the installer of this disc (None: it cannot, and the
/// person installs by hand). `c` is the disc as libosinfo recognised it (or osinfo-db's
/// installer disc for a system picked by hand).
pub fn method(c: &Candidate) -> Option<Method> {
    if c.short_id.starts_with("win") {
        return c.installer_script.then_some(Method::AnswerDisc);
    }
    if c.kernel.is_none() || c.initrd.is_none() {
        return None;
    }
    if c.installer_script {
        Some(Method::Initrd)
    } else if takes_autoinstall(&c.short_id) {
        Some(Method::Autoinstall)
    } else {
        None
    }
}

/// What the wizard (or the command line) asks for.
#[derive(Debug, Clone)]
pub struct Job {
    pub os_id: String,
    pub method: Method,
    /// The installer disc, and where kernel and initrd are on it (libosinfo's facts).
    pub iso: PathBuf,
    pub kernel: Option<String>,
    pub initrd: Option<String>,
    pub answers: Answers,
    /// Tags of the folders shared with the new machine: mounted at `/mnt/TAG` at boot.
    pub mounts: Vec<String>,
    /// The machine boots with UEFI.
    pub efi: bool,
    /// The storage pool the generated files go to (the qemu user reads them there, on
    /// any connection).
    pub pool: String,
}

/// An express install ready to start: the answer files rendered and patched.
#[derive(Debug, Clone)]
pub struct Request {
    pub iso: PathBuf,
    pub method: Method,
    pub kernel: Option<String>,
    pub initrd: Option<String>,
    /// The answer file (and its helpers).
    pub answers: Rendered,
    /// Added to the kernel command line after libosinfo's (tests: a serial console).
    pub extra_cmdline: String,
    pub pool: String,
}

/// Renders the answer files for `job` (libosinfo loaded on the calling thread, never the
/// GTK main thread).
pub fn request(job: &Job) -> Result<Request, String> {
    let mounts: Vec<String> = job
        .mounts
        .iter()
        .filter(|t| super::shared_folders::valid_tag(t) && !t.starts_with('.'))
        .cloned()
        .collect();
    let rendered = match job.method {
        Method::Autoinstall => {
            let hash = autoinstall::hash_password(&job.answers.user_password)?;
            Rendered {
                file_name: "user-data".into(),
                content: autoinstall::user_data(&job.answers, &hash, &mounts),
                helpers: vec![(
                    "meta-data".into(),
                    autoinstall::meta_data(&job.answers.hostname),
                )],
                command_line: Some("autoinstall ds=nocloud".into()),
                injection: Injection::Cdrom,
                profile: "desktop".into(),
            }
        }
        Method::Initrd | Method::AnswerDisc => {
            let db = super::libosinfo::Database::load()?;
            let mut rendered = db
                .install_script(&job.os_id, &job.answers)
                .ok_or_else(|| "osinfo-db has no answer file for this system".to_string())??;
            patch(&mut rendered, &job.answers, &[], &mounts, job.efi)
                .map_err(|p| format!("{p:?}"))?;
            rendered
        }
    };
    Ok(Request {
        iso: job.iso.clone(),
        method: job.method,
        kernel: job.kernel.clone(),
        initrd: job.initrd.clone(),
        answers: rendered,
        extra_cmdline: String::new(),
        pool: job.pool.clone(),
    })
}

/// What an install under way keeps in its machine's definition: the generated files
/// (volumes of a pool) and how to start the installer again.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Mark {
    pub kernel: Option<String>,
    pub initrd: Option<String>,
    pub cmdline: String,
    /// The answer disc.
    pub disc: Option<String>,
    /// The installer disc (ejected when the install is done).
    pub iso: Option<String>,
    /// Found stopped before its end, and said so.
    pub stopped: bool,
    /// Windows after its first reboot: Setup goes on in the installed machine and runs
    /// `windows.cmd` from the answer disc, which stays until the machine first stops.
    pub continuing: bool,
}

impl Mark {
    fn element(&self, with_ns: bool) -> String {
        let mut s = String::from(if with_ns {
            "<bilik:install xmlns:bilik='"
        } else {
            "<install"
        });
        if with_ns {
            s.push_str(INSTALL_NS);
            s.push('\'');
        }
        let mut attr = |name: &str, v: &str| {
            s.push_str(&format!(" {name}='{}'", escape_attr(v)));
        };
        for (name, v) in [
            ("kernel", &self.kernel),
            ("initrd", &self.initrd),
            ("disc", &self.disc),
            ("iso", &self.iso),
        ] {
            if let Some(v) = v {
                attr(name, v);
            }
        }
        attr("cmdline", &self.cmdline);
        if self.stopped {
            attr("stopped", "yes");
        }
        if self.continuing {
            attr("continuing", "yes");
        }
        s.push_str("/>");
        s
    }

    /// The mark in a definition, if it has one.
    pub fn read(xml: &str) -> Option<Mark> {
        let doc = roxmltree::Document::parse(xml).ok()?;
        let n = doc
            .descendants()
            .find(|n| n.has_tag_name((INSTALL_NS, "install")))?;
        let get = |name: &str| n.attribute(name).map(str::to_string);
        Some(Mark {
            kernel: get("kernel"),
            initrd: get("initrd"),
            cmdline: get("cmdline").unwrap_or_default(),
            disc: get("disc"),
            iso: get("iso"),
            stopped: n.attribute("stopped") == Some("yes"),
            continuing: n.attribute("continuing") == Some("yes"),
        })
    }

    /// The generated files.
    fn volumes(&self) -> impl Iterator<Item = &String> {
        [&self.kernel, &self.initrd, &self.disc]
            .into_iter()
            .flatten()
    }

    /// `xml` (the final definition) with this mark in its metadata.
    fn put(&self, xml: &str) -> Result<String, EditError> {
        let mut doc = XmlDoc::new(xml)?;
        if !doc.exists(&["domain", "metadata"]) {
            doc.append_child(&["domain"], "<metadata/>")?;
        }
        doc.append_child(&["domain", "metadata"], &self.element(true))?;
        Ok(doc.into_text())
    }

    /// Rewrites the mark of the machine `dom` (None: removes it).
    fn save(this: Option<&Mark>, dom: &virt::domain::Domain) -> Result<(), BackendError> {
        let element = this.map(|m| m.element(false));
        dom.set_metadata(
            sys::VIR_DOMAIN_METADATA_ELEMENT as i32,
            element.as_deref(),
            Some("bilik"),
            Some(INSTALL_NS),
            sys::VIR_DOMAIN_AFFECT_CONFIG,
        )
        .map_err(|e| BackendError::from_op(&e))
    }
}

/// The install's transient definition: the final machine booting the installer's kernel
/// directly (when there is one) with the answer disc (when there is one), destroyed (not
/// restarted) when the installer reboots.
pub fn install_xml(final_xml: &str, mark: &Mark) -> Result<String, EditError> {
    let mut doc = XmlDoc::new(final_xml)?;
    if let (Some(kernel), Some(initrd)) = (&mark.kernel, &mark.initrd) {
        doc.append_child(
            &["domain", "os"],
            &format!(
                "<kernel>{}</kernel><initrd>{}</initrd><cmdline>{}</cmdline>",
                escape_attr(kernel),
                escape_attr(initrd),
                escape_attr(&mark.cmdline)
            ),
        )?;
    }
    if let Some(disc) = &mark.disc {
        doc.append_child(&["domain", "devices"], &answer_cdrom(final_xml, disc))?;
    }
    if doc.exists(&["domain", "on_reboot"]) {
        doc.set_text(&["domain", "on_reboot"], "destroy")?;
    } else {
        doc.append_child(&["domain"], "<on_reboot>destroy</on_reboot>")?;
    }
    Ok(doc.into_text())
}

/// The answer disc's CD-ROM, on the next free SATA name after the installer disc's.
fn answer_cdrom(xml: &str, disc: &str) -> String {
    // Every disk's name, an empty CD-ROM's too.
    let used: Vec<String> = roxmltree::Document::parse(xml)
        .map(|doc| {
            doc.descendants()
                .filter(|n| {
                    n.has_tag_name("target") && n.parent().is_some_and(|p| p.has_tag_name("disk"))
                })
                .filter_map(|n| n.attribute("dev").map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let target = (b'b'..=b'z')
        .map(|c| format!("sd{}", c as char))
        .find(|t| !used.contains(t))
        .unwrap_or_else(|| "sdz".into());
    format!(
        "<disk type='file' device='cdrom'><driver name='qemu' type='raw'/><source file='{}'/><target dev='{target}' bus='sata'/><readonly/></disk>",
        escape_attr(disc)
    )
}

/// Starts the install of the defined (shut-off) machine `uuid`.
pub fn start(conn: &Connect, uuid: &str, req: &Request) -> Result<(), BackendError> {
    let op = |e: virt::error::Error| BackendError::from_op(&e);
    let other = |raw: String| BackendError::new(ErrorKind::Other, raw);
    let dom = conn.lookup_domain_by_uuid_string(uuid).map_err(op)?;
    let name = dom.name().map_err(|e| BackendError::from_read(&e))?;
    let mut mark = Mark {
        iso: Some(req.iso.display().to_string()),
        ..Mark::default()
    };
    // Undoes what was stored so far when a later step fails.
    let undo = |mark: &Mark| {
        for v in mark.volumes() {
            media::remove_volume(conn, v);
        }
    };
    let stored = (|| {
        if let (Some(kernel), Some(initrd)) = (&req.kernel, &req.initrd) {
            let scratch = media::tempdir()?;
            let read = |inner: &str| media::read_from_iso(&req.iso, inner, &scratch);
            let files = (read(kernel), read(initrd));
            super::error::ignored("removing the scratch folder", std::fs::remove_dir(&scratch));
            let (kernel, mut initrd) = (files.0.map_err(other)?, files.1.map_err(other)?);
            if req.method == Method::Initrd {
                initrd = media::initrd_with(
                    &initrd,
                    &req.answers.file_name,
                    req.answers.content.as_bytes(),
                )
                .map_err(|e| other(e.to_string()))?;
            }
            let kernel_name = format!("{name}-install-kernel");
            mark.kernel = Some(media::upload(conn, &req.pool, &kernel_name, &kernel)?);
            let initrd_name = format!("{name}-install-initrd");
            mark.initrd = Some(media::upload(conn, &req.pool, &initrd_name, &initrd)?);
        }
        if req.method != Method::Initrd {
            let mut files = vec![(req.answers.file_name.clone(), req.answers.content.clone())];
            files.extend(req.answers.helpers.iter().cloned());
            let label = if req.method == Method::Autoinstall {
                "cidata"
            } else {
                "ANSWERS"
            };
            let disc = media::answer_disc(&files, label).map_err(other)?;
            let disc_name = format!("{name}-install-answers.iso");
            mark.disc = Some(media::upload(conn, &req.pool, &disc_name, &disc)?);
        }
        Ok::<(), BackendError>(())
    })();
    if let Err(e) = stored {
        undo(&mark);
        return Err(e);
    }
    mark.cmdline = [
        req.answers.command_line.as_deref().unwrap_or(""),
        req.extra_cmdline.as_str(),
    ]
    .join(" ")
    .trim()
    .to_string();
    let final_xml = dom
        .xml_desc(sys::VIR_DOMAIN_XML_INACTIVE | sys::VIR_DOMAIN_XML_SECURE)
        .map_err(|e| BackendError::from_read(&e))?;
    let xml = match install_xml(&final_xml, &mark) {
        Ok(x) => x,
        Err(e) => {
            undo(&mark);
            return Err(other(format!("{e:?}")));
        }
    };
    // Remembered in the final definition: when the installer has rebooted, `finish`
    // removes these files and starts the machine as it will stay.
    let marked = mark
        .put(&final_xml)
        .map_err(|e| other(format!("{e:?}")))
        .and_then(|x| conn.define_domain_xml(&x).map_err(op));
    if let Err(e) = marked {
        undo(&mark);
        return Err(e);
    }
    let mut started = conn.create_domain_xml(&xml, 0).map(|_| ());
    if let Err(e) = &started {
        // As at a first start (see new_vm::create): KVM may refuse the host's own CPU
        // model; the install and the final machine then get QEMU's default model.
        log::debug!("starting the install failed ({e}); trying a generic CPU");
        let generic = (
            super::new_vm::with_generic_cpu(&xml),
            mark.put(&final_xml)
                .ok()
                .and_then(|x| super::new_vm::with_generic_cpu(&x)),
        );
        if let (Some(install), Some(marked)) = generic {
            if conn.define_domain_xml(&marked).is_ok() {
                started = conn.create_domain_xml(&install, 0).map(|_| ());
            }
        }
    }
    if let Err(e) = started {
        log::debug!("the install did not start: {e}");
        undo(&mark);
        super::error::ignored(
            "putting the definition back after a failed install start",
            conn.define_domain_xml(&final_xml),
        );
        return Err(op(e));
    }
    Ok(())
}

/// Machine `uuid` and its persistent definition (where the install mark is).
fn definition(conn: &Connect, uuid: &str) -> Result<(virt::domain::Domain, String), BackendError> {
    let dom = conn
        .lookup_domain_by_uuid_string(uuid)
        .map_err(|e| BackendError::from_op(&e))?;
    let xml = dom
        .xml_desc(sys::VIR_DOMAIN_XML_INACTIVE | sys::VIR_DOMAIN_XML_SECURE)
        .map_err(|e| BackendError::from_read(&e))?;
    Ok((dom, xml))
}

/// The install under way on machine `uuid`, if any.
pub fn installing(conn: &Connect, uuid: &str) -> Result<Option<Mark>, BackendError> {
    let (_, xml) = definition(conn, uuid)?;
    Ok(Mark::read(&xml))
}

/// The running machines whose system is installing itself (their definitions carry the
/// install mark): one metadata read per running machine, after the list is shown.
pub fn installs_under_way(conn: &Connect) -> Result<Vec<String>, BackendError> {
    let running = conn
        .list_all_domains(sys::VIR_CONNECT_LIST_DOMAINS_ACTIVE)
        .map_err(|e| BackendError::from_read(&e))?;
    Ok(running
        .iter()
        .filter(|d| {
            let ns = std::ffi::CString::new(INSTALL_NS).expect("no NUL");
            // SAFETY: a live domain; libvirt returns a string we free, or null (no such
            // metadata: not installing).
            unsafe {
                let p = sys::virDomainGetMetadata(
                    d.as_ptr(),
                    sys::VIR_DOMAIN_METADATA_ELEMENT as i32,
                    ns.as_ptr(),
                    sys::VIR_DOMAIN_AFFECT_CONFIG,
                );
                if p.is_null() {
                    false
                } else {
                    libc::free(p.cast());
                    true
                }
            }
        })
        .filter_map(|d| d.uuid_string().ok())
        .collect())
}

/// How an express install's machine stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    /// Not an express install (or it is still running).
    NotInstalling,
    /// The installer rebooted (with `on_reboot=destroy` libvirt says "shut down"): the
    /// generated files are gone and the installed machine started.
    Installed,
    /// Forced off (or crashed) before its end: the files stay, so that the installer can
    /// start again ([`restart`]).
    Interrupted,
    /// Windows' first phase is done: the installed machine started, and Windows' setup
    /// goes on there (with the answer disc, until its first stop).
    SetupGoesOn,
}

/// After an express install's machine stopped: when the installer rebooted, removes the
/// generated files (the answers' password is in them), clears the mark, ejects the
/// installer disc (it would start the installer again) and starts the installed machine.
pub fn finish(conn: &Connect, uuid: &str) -> Result<Ended, BackendError> {
    let (dom, xml) = definition(conn, uuid)?;
    let Some(mark) = Mark::read(&xml) else {
        return Ok(Ended::NotInstalling);
    };
    let (mut state, mut reason) = (0, 0);
    // SAFETY: plain out-parameters of a live domain.
    if unsafe { sys::virDomainGetState(dom.as_ptr(), &mut state, &mut reason, 0) } < 0 {
        return Err(BackendError::new(ErrorKind::Other, "no state".to_string()));
    }
    if state != sys::VIR_DOMAIN_SHUTOFF as i32 {
        return Ok(Ended::NotInstalling);
    }
    if mark.continuing {
        // Windows' Setup has finished in the installed machine by its first stop: the
        // answer disc goes.
        abandon(conn, uuid)?;
        return Ok(Ended::NotInstalling);
    }
    if reason != sys::VIR_DOMAIN_SHUTOFF_SHUTDOWN as i32 {
        // Said once per stop (libvirt tells of one stop in several events): the mark
        // remembers it until the installer starts again.
        if mark.stopped {
            return Ok(Ended::NotInstalling);
        }
        Mark::save(
            Some(&Mark {
                stopped: true,
                ..mark
            }),
            &dom,
        )?;
        return Ok(Ended::Interrupted);
    }
    let windows = mark.disc.is_some() && mark.kernel.is_none();
    let installed = installed_xml(&xml, &mark, windows)
        .map_err(|e| BackendError::new(ErrorKind::Other, format!("{e:?}")))?;
    conn.define_domain_xml(&installed)
        .map_err(|e| BackendError::from_op(&e))?;
    for v in [&mark.kernel, &mark.initrd].into_iter().flatten() {
        media::remove_volume(conn, v);
    }
    if !windows {
        if let Some(disc) = &mark.disc {
            media::remove_volume(conn, disc);
        }
    }
    dom.create().map_err(|e| BackendError::from_op(&e))?;
    Ok(if windows {
        Ended::SetupGoesOn
    } else {
        Ended::Installed
    })
}

/// The final definition once the installer is done: the installer disc ejected and the
/// disk first to boot; Windows keeps its answer disc (Setup's next steps read it) and a
/// mark that says so; the others lose the mark.
fn installed_xml(xml: &str, mark: &Mark, windows: bool) -> Result<String, EditError> {
    let mut out = xml.to_string();
    if let Some(iso) = &mark.iso {
        let mut doc = XmlDoc::new(&out)?;
        let holds_iso = |d: roxmltree::Node| {
            d.attribute("device") == Some("cdrom")
                && d.children()
                    .any(|c| c.has_tag_name("source") && c.attribute("file") == Some(iso.as_str()))
        };
        while doc.edit_child_where(&["domain", "devices"], "disk", holds_iso, |disk| {
            disk.remove(&["disk", "source"])
        })? {}
        out = doc.into_text();
    }
    out = super::details::set_boot_order(&out, &["hd".to_string(), "cdrom".to_string()])?;
    let mut doc = XmlDoc::new(&out)?;
    doc.remove_child_where(&["domain", "metadata"], "install", |n| {
        n.tag_name().namespace() == Some(INSTALL_NS)
    })?;
    let mut out = doc.into_text();
    if windows {
        if let Some(disc) = &mark.disc {
            let mut doc = XmlDoc::new(&out)?;
            doc.append_child(&["domain", "devices"], &answer_cdrom(&out, disc))?;
            out = doc.into_text();
            out = Mark {
                continuing: true,
                disc: Some(disc.clone()),
                ..Mark::default()
            }
            .put(&out)?;
        }
    }
    Ok(out)
}

/// Removes an express install's generated files and its mark (the machine stays; an
/// answer disc still attached is taken out of it).
pub fn abandon(conn: &Connect, uuid: &str) -> Result<(), BackendError> {
    let (dom, xml) = definition(conn, uuid)?;
    let Some(mark) = Mark::read(&xml) else {
        return Ok(());
    };
    if mark.continuing {
        if let Some(disc) = &mark.disc {
            let detached = without_disc(&xml, disc)
                .map_err(|e| BackendError::new(ErrorKind::Other, format!("{e:?}")))?;
            conn.define_domain_xml(&detached)
                .map_err(|e| BackendError::from_op(&e))?;
        }
    }
    for v in mark.volumes() {
        media::remove_volume(conn, v);
    }
    Mark::save(None, &dom)
}

/// Starts an interrupted express install again, from the beginning, with the files it
/// kept (the answers are in them: nothing needs typing again).
pub fn restart(conn: &Connect, uuid: &str) -> Result<(), BackendError> {
    let (dom, xml) = definition(conn, uuid)?;
    let Some(mark) = Mark::read(&xml).filter(|m| !m.continuing) else {
        return Err(BackendError::new(
            ErrorKind::Other,
            "this machine has no install to start again".to_string(),
        ));
    };
    let install = install_xml(&xml, &mark)
        .map_err(|e| BackendError::new(ErrorKind::Other, format!("{e:?}")))?;
    Mark::save(
        Some(&Mark {
            stopped: false,
            ..mark
        }),
        &dom,
    )?;
    conn.create_domain_xml(&install, 0)
        .map(|_| ())
        .map_err(|e| BackendError::from_op(&e))
}

/// `xml` with the CD-ROM holding `disc` removed.
fn without_disc(xml: &str, disc: &str) -> Result<String, EditError> {
    let mut doc = XmlDoc::new(xml)?;
    doc.remove_child_where(&["domain", "devices"], "disk", |d| {
        d.attribute("device") == Some("cdrom")
            && d.children()
                .any(|c| c.has_tag_name("source") && c.attribute("file") == Some(disc))
    })?;
    Ok(doc.into_text())
}

#[cfg(test)]
mod tests {
    use super::*;

    const FINAL: &str = "<domain type='kvm'>\n  <name>vm</name>\n  <os>\n    <type arch='x86_64'>hvm</type>\n    <boot dev='cdrom'/>\n    <boot dev='hd'/>\n  </os>\n  <on_reboot>restart</on_reboot>\n  <devices>\n    <disk type='file' device='disk'><source file='/p/vm.qcow2'/><target dev='vda' bus='virtio'/></disk>\n    <disk type='file' device='cdrom'><driver name='qemu' type='raw'/><source file='/isos/inst.iso'/><target dev='sda' bus='sata'/><readonly/></disk>\n  </devices>\n</domain>\n";

    #[test]
    fn the_install_boots_the_kernel_and_ends_at_the_reboot() {
        let mark = Mark {
            kernel: Some("/p/k".into()),
            initrd: Some("/p/i & j".into()),
            cmdline: "auto a=b 'c'".into(),
            iso: Some("/isos/inst.iso".into()),
            ..Mark::default()
        };
        let x = install_xml(FINAL, &mark).unwrap();
        assert!(x.contains(
            "<kernel>/p/k</kernel><initrd>/p/i &amp; j</initrd><cmdline>auto a=b &apos;c&apos;</cmdline>"
        ), "{x}");
        assert!(x.contains("<on_reboot>destroy</on_reboot>"));
        assert!(!x.contains("restart"));
        assert!(!x.contains("answers"));
        let marked = mark.put(FINAL).unwrap();
        assert_eq!(Mark::read(&marked), Some(mark.clone()));
        assert_eq!(Mark::read(FINAL), None);
        // Installed: the installer disc ejected, the disk first, no mark.
        let done = installed_xml(&marked, &mark, false).unwrap();
        assert!(
            !done.contains("/isos/inst.iso") && done.contains("device='cdrom'"),
            "{done}"
        );
        let hd = done.find("<boot dev='hd'/>").expect("boots its disk");
        assert!(hd < done.find("<boot dev='cdrom'/>").unwrap(), "{done}");
        assert_eq!(Mark::read(&done), None);
        assert!(done.contains("/p/vm.qcow2"));
    }

    #[test]
    fn windows_keeps_its_answer_disc_until_setup_is_done() {
        let mark = Mark {
            disc: Some("/p/vm-install-answers.iso".into()),
            iso: Some("/isos/inst.iso".into()),
            ..Mark::default()
        };
        let x = install_xml(FINAL, &mark).unwrap();
        assert!(!x.contains("<kernel>"));
        assert!(
            x.contains("<source file='/p/vm-install-answers.iso'/><target dev='sdb' bus='sata'/>"),
            "{x}"
        );
        let done = installed_xml(&mark.put(FINAL).unwrap(), &mark, true).unwrap();
        assert!(
            done.contains(
                "<source file='/p/vm-install-answers.iso'/><target dev='sdb' bus='sata'/>"
            ),
            "{done}"
        );
        let left = Mark::read(&done).expect("still marked");
        assert!(left.continuing && left.kernel.is_none());
        assert_eq!(left.disc.as_deref(), Some("/p/vm-install-answers.iso"));
        let detached = without_disc(&done, "/p/vm-install-answers.iso").unwrap();
        assert!(
            !detached.contains("answers.iso</") && !detached.contains("sdb"),
            "{detached}"
        );
    }

    #[test]
    fn which_installers_express_install_answers() {
        let disc = |short: &str, script: bool, kernel: bool| Candidate {
            os_id: format!("http://x/{short}"),
            name: short.into(),
            short_id: short.into(),
            installer_script: script,
            kernel: kernel.then(|| "k".to_string()),
            initrd: kernel.then(|| "i".to_string()),
        };
        assert_eq!(method(&disc("debian13", true, true)), Some(Method::Initrd));
        assert_eq!(method(&disc("debian13", true, false)), None);
        assert_eq!(
            method(&disc("win10", true, false)),
            Some(Method::AnswerDisc)
        );
        assert_eq!(
            method(&disc("win11", true, false)),
            Some(Method::AnswerDisc)
        );
        assert_eq!(method(&disc("win11", false, false)), None);
        assert_eq!(
            method(&disc("ubuntu24.04", false, true)),
            Some(Method::Autoinstall)
        );
        assert_eq!(method(&disc("ubuntu22.04", false, true)), None);
        assert_eq!(method(&disc("fedora40", false, true)), None);
    }
}
