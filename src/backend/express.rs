//! Express install: the guest's installer gets the person's answers in a file, so that it
//! asks nothing — not the language, not the keyboard (the user name and password arrive
//! as typed on the person's own keyboard: the seeds' azerty trap is gone), not the user.
//!
//! libosinfo renders osinfo-db's install script ([`super::libosinfo`]); this module checks
//! the answers, patches the known template bugs, puts the file where the installer looks
//! (Linux: appended to a copy of the installer's initrd, booted directly with libosinfo's
//! kernel command line) and starts the install as a transient definition with
//! `on_reboot=destroy`. The persistent definition stays the final machine; [`finish`]
//! starts it when the installer has rebooted, and removes the generated files (they hold
//! a password).

use std::io::Write as _;
use std::path::Path;

use virt::connect::Connect;
use virt::sys;

use super::error::{BackendError, ErrorKind};
use super::libosinfo::{Answers, Rendered};
use super::xml_edit::{escape_attr, EditError, XmlDoc};

/// Bilik's metadata on a machine being installed (see [`finish`]).
pub const INSTALL_NS: &str = "https://bilik.github.io/xmlns/install/1";

/// Why an answer cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnswerProblem {
    NoLogin,
    /// A Linux login name is lower-case letters, digits, `_` and `-`, starting with a
    /// letter or `_`.
    BadLogin(char),
    LoginStartsBadly,
    LoginTooLong,
    /// `root` exists already: the new user must be another one.
    RootLogin,
    NoPassword,
    PasswordsDiffer,
    /// Leading or trailing spaces are dropped by some installers: refused rather than lost.
    PasswordSpaces,
    /// A line break or other control character (it would end the answer in the file).
    ControlCharacter(Field),
    /// The installer's file puts this answer inside single quotes (kickstart).
    SingleQuote(Field),
    BadHostName,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Login,
    RealName,
    Password,
    HostName,
    ProductKey,
}

/// Checks a login name as Linux systems accept it (`useradd`'s default rule).
pub fn check_login(login: &str) -> Result<(), AnswerProblem> {
    let mut chars = login.chars();
    let Some(first) = chars.next() else {
        return Err(AnswerProblem::NoLogin);
    };
    if !(first.is_ascii_lowercase() || first == '_') {
        return Err(AnswerProblem::LoginStartsBadly);
    }
    if let Some(c) = login
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_' || *c == '-'))
    {
        return Err(AnswerProblem::BadLogin(c));
    }
    if login.len() > 32 {
        return Err(AnswerProblem::LoginTooLong);
    }
    if login == "root" {
        return Err(AnswerProblem::RootLogin);
    }
    Ok(())
}

/// Checks every answer before it is written into an answer file; `again` is the password
/// typed a second time.
pub fn check_answers(a: &Answers, again: &str) -> Result<(), AnswerProblem> {
    check_login(&a.user_login)?;
    for (field, value) in [
        (Field::Login, &a.user_login),
        (Field::RealName, &a.user_realname),
        (Field::Password, &a.user_password),
        (Field::HostName, &a.hostname),
        (Field::ProductKey, &a.product_key),
    ] {
        if value.chars().any(char::is_control) {
            return Err(AnswerProblem::ControlCharacter(field));
        }
    }
    if a.user_password.is_empty() {
        return Err(AnswerProblem::NoPassword);
    }
    if a.user_password != again {
        return Err(AnswerProblem::PasswordsDiffer);
    }
    if a.user_password.trim() != a.user_password {
        return Err(AnswerProblem::PasswordSpaces);
    }
    let host_ok = !a.hostname.is_empty()
        && a.hostname.len() <= 63
        && !a.hostname.starts_with('-')
        && a.hostname
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-');
    if !host_ok {
        return Err(AnswerProblem::BadHostName);
    }
    Ok(())
}

/// A host name for the guest from the machine's name: letters, digits and dashes.
pub fn host_name(machine: &str) -> String {
    let mut s: String = machine
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    s = s.trim_matches('-').to_string();
    s.truncate(63);
    if s.is_empty() {
        "machine".into()
    } else {
        s
    }
}

/// Fixes what osinfo-db's templates get wrong, and adds `extra` lines (a test's probes).
/// Also refuses answers a format cannot carry.
pub fn patch(r: &mut Rendered, a: &Answers, extra: &[String]) -> Result<(), AnswerProblem> {
    if r.file_name == "preseed.cfg" {
        r.content = patch_preseed(&r.content, a, extra);
        // The language is chosen before the installer reads its file: on the kernel
        // command line too (`locale=` is debian-installer/locale), or it asks for it.
        if !a.language.is_empty() {
            let line = r.command_line.take().unwrap_or_default();
            r.command_line = Some(format!("{line} locale={}", a.language).trim().to_string());
        }
    } else if r.file_name.eq_ignore_ascii_case("autounattend.xml") {
        r.content = patch_unattend(&r.content, &a.keyboard);
    } else if r.file_name.ends_with(".ks") {
        // Kickstart writes passwords and the full name inside single-quoted shell.
        for (field, value) in [
            (Field::Password, &a.user_password),
            (Field::RealName, &a.user_realname),
        ] {
            if value.contains('\'') {
                return Err(AnswerProblem::SingleQuote(field));
            }
        }
        for line in extra {
            r.content.push_str(line);
            r.content.push('\n');
        }
    }
    Ok(())
}

/// Debian's preseed, as osinfo-db (2025-06) writes it, fixed:
/// * `d-i passwd/username` lacks its `string` type: the login would arrive empty;
/// * the keyboard is only on the kernel command line: also in the file, for the installed
///   system's own keyboard setting;
/// * root gets a password and the user no `sudo`: root is locked instead and the user may
///   administer the system, as a desktop user expects;
/// * several `preseed/late_command` lines: debconf keeps only the last, so they are joined
///   into one.
pub fn patch_preseed(content: &str, a: &Answers, extra: &[String]) -> String {
    let mut out = Vec::new();
    let mut late: Vec<String> = Vec::new();
    let mut lines = content.lines().peekable();
    while let Some(line) = lines.next() {
        let t = line.trim_start();
        if let Some(rest) = t.strip_prefix("d-i preseed/late_command string") {
            // The command, with its continuation lines (ending in a backslash).
            let mut cmd = rest.trim().to_string();
            while cmd.ends_with('\\') {
                cmd.pop();
                match lines.next() {
                    Some(next) => {
                        cmd.push(' ');
                        cmd.push_str(next.trim());
                    }
                    None => break,
                }
            }
            let cmd = cmd.split_whitespace().collect::<Vec<_>>().join(" ");
            if !cmd.is_empty() {
                late.push(cmd);
            }
            continue;
        }
        if t.starts_with("d-i passwd/root-password") {
            continue;
        }
        if t.starts_with("d-i passwd/root-login") {
            out.push("d-i passwd/root-login boolean false".to_string());
            continue;
        }
        if let Some(rest) = t.strip_prefix("d-i passwd/username") {
            let value = rest.trim();
            let value = value.strip_prefix("string").map_or(value, str::trim);
            out.push(format!("d-i passwd/username string {value}"));
            continue;
        }
        out.push(line.to_string());
    }
    if !a.keyboard.is_empty() {
        out.push(format!(
            "d-i keyboard-configuration/xkb-keymap select {}",
            a.keyboard
        ));
    }
    out.extend(extra.iter().cloned());
    if !late.is_empty() {
        out.push(format!(
            "d-i preseed/late_command string {}",
            late.join(" ; ")
        ));
    }
    let mut s = out.join("\n");
    s.push('\n');
    s
}

/// Windows' answer file, as osinfo-db writes it, fixed:
/// * an empty product key (`<Key></Key>`, or `<ProductKey></ProductKey>`) stops Setup with
///   an error: omitted, so that Setup asks for one or uses the disc's generic key;
/// * no `InputLocale`: Setup would give the installed system a US keyboard. Set from this
///   computer's layout wherever the language is set (a layout Bilik cannot name for
///   Windows is left to Windows' default for the language).
pub fn patch_unattend(content: &str, keyboard: &str) -> String {
    let mut s = content.to_string();
    // <ProductKey><Key>  </Key></ProductKey> and <ProductKey>  </ProductKey>.
    while let Some(start) = s.find("<ProductKey>") {
        let Some(len) = s[start..].find("</ProductKey>") else {
            break;
        };
        let end = start + len + "</ProductKey>".len();
        let inner = &s[start + "<ProductKey>".len()..start + len];
        let key = inner
            .replace("<Key>", "")
            .replace("</Key>", "")
            .replace("<Key/>", "");
        if !key.trim().is_empty() {
            // A key was given: keep this one, look at the next.
            let rest = patch_unattend(&s[end..], "");
            s = format!("{}{rest}", &s[..end]);
            break;
        }
        // With its line, when it stands alone on it.
        let line_start = s[..start].rfind('\n').map_or(start, |i| i + 1);
        let from = if s[line_start..start].trim().is_empty() {
            line_start
        } else {
            start
        };
        let to = if s[end..].starts_with('\n') {
            end + 1
        } else {
            end
        };
        s.replace_range(from..to, "");
    }
    // <ProductKey/> as the XSLT writes an empty one: gone with its line.
    s = s
        .lines()
        .filter(|l| l.trim() != "<ProductKey/>")
        .map(|l| format!("{l}\n"))
        .collect::<String>();
    if !content.ends_with('\n') {
        s.pop();
    }
    if let Some(locale) = windows_input_locale(keyboard) {
        if !s.contains("<InputLocale>") {
            s = s.replace(
                "</UserLocale>",
                &format!("</UserLocale>\n<InputLocale>{locale}</InputLocale>"),
            );
        }
    }
    s
}

/// Windows' name for the keyboard of an XKB layout (its input locale).
pub fn windows_input_locale(xkb: &str) -> Option<&'static str> {
    Some(match xkb {
        "us" => "en-US",
        "gb" => "en-GB",
        "fr" => "fr-FR",
        "be" => "fr-BE",
        "ca" => "fr-CA",
        "ch" => "de-CH",
        "de" => "de-DE",
        "at" => "de-AT",
        "es" => "es-ES",
        "latam" => "es-MX",
        "it" => "it-IT",
        "pt" => "pt-PT",
        "br" => "pt-BR",
        "nl" => "nl-NL",
        "se" => "sv-SE",
        "no" => "nb-NO",
        "dk" => "da-DK",
        "fi" => "fi-FI",
        "pl" => "pl-PL",
        "cz" => "cs-CZ",
        "sk" => "sk-SK",
        "hu" => "hu-HU",
        "ru" => "ru-RU",
        "ua" => "uk-UA",
        "tr" => "tr-TR",
        "gr" => "el-GR",
        "jp" => "ja-JP",
        "kr" => "ko-KR",
        _ => return None,
    })
}

/// The installer's initrd with `name` added at its root: a second gzip'd newc cpio
/// archive after the first, which the kernel unpacks over it.
pub fn initrd_with(initrd: &[u8], name: &str, content: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut out = initrd.to_vec();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let size =
        u32::try_from(content.len()).map_err(|_| std::io::Error::other("answer file too large"))?;
    let mut w = cpio::newc::Builder::new(name)
        .mode(0o100600)
        .nlink(1)
        .write(&mut gz, size);
    w.write_all(content)?;
    w.finish()?;
    cpio::newc::trailer(&mut gz)?;
    out.extend(gz.finish()?);
    Ok(out)
}

/// Reads the file `inner` (e.g. `install.amd/vmlinuz`) out of the disc image `iso`.
pub fn read_from_iso(iso: &Path, inner: &str, scratch: &Path) -> Result<Vec<u8>, String> {
    let dest = scratch.join(inner.replace('/', "_"));
    let out = std::process::Command::new("xorriso")
        .args(["-osirrox", "on", "-indev"])
        .arg(iso)
        .arg("-extract")
        .arg(format!("/{}", inner.trim_start_matches('/')))
        .arg(&dest)
        .output()
        .map_err(|e| format!("xorriso: {e}"))?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).trim().to_string());
    }
    let bytes = std::fs::read(&dest).map_err(|e| e.to_string())?;
    super::error::ignored(
        "removing a file read from the disc",
        std::fs::remove_file(&dest),
    );
    Ok(bytes)
}

/// The install's transient definition: the final machine booting the installer's kernel
/// directly, destroyed (not restarted) when the installer reboots.
pub fn install_xml(
    final_xml: &str,
    kernel: &str,
    initrd: &str,
    cmdline: &str,
) -> Result<String, EditError> {
    let mut doc = XmlDoc::new(final_xml)?;
    doc.append_child(
        &["domain", "os"],
        &format!(
            "<kernel>{}</kernel><initrd>{}</initrd><cmdline>{}</cmdline>",
            escape_attr(kernel),
            escape_attr(initrd),
            escape_attr(cmdline)
        ),
    )?;
    if doc.exists(&["domain", "on_reboot"]) {
        doc.set_text(&["domain", "on_reboot"], "destroy")?;
    } else {
        doc.append_child(&["domain"], "<on_reboot>destroy</on_reboot>")?;
    }
    Ok(doc.into_text())
}

/// What an express install needs from the wizard (or a test).
#[derive(Debug, Clone)]
pub struct Request {
    /// The installer disc.
    pub iso: std::path::PathBuf,
    /// Where kernel and initrd are on the disc (libosinfo's media facts).
    pub kernel: String,
    pub initrd: String,
    /// The answer file, rendered and patched.
    pub answers: Rendered,
    /// Added to the kernel command line after libosinfo's (tests: a serial console).
    pub extra_cmdline: String,
    /// The storage pool the generated kernel and initrd go to (the qemu user reads them
    /// there, on any connection).
    pub pool: String,
}

/// The request for an express install of `os_id` from the disc `iso`: libosinfo loaded
/// (on the calling thread), the answer file rendered and patched.
pub fn request(
    os_id: &str,
    iso: &Path,
    kernel: &str,
    initrd: &str,
    answers: &Answers,
    pool: &str,
) -> Result<Request, String> {
    let db = super::libosinfo::Database::load()?;
    let mut rendered = db
        .install_script(os_id, answers)
        .ok_or_else(|| "osinfo-db has no answer file for this system".to_string())??;
    patch(&mut rendered, answers, &[]).map_err(|p| format!("{p:?}"))?;
    Ok(Request {
        iso: iso.to_path_buf(),
        kernel: kernel.to_string(),
        initrd: initrd.to_string(),
        answers: rendered,
        extra_cmdline: String::new(),
        pool: pool.to_string(),
    })
}

/// Starts the install of the defined (shut-off) machine `uuid`.
pub fn start(conn: &Connect, uuid: &str, req: &Request) -> Result<(), BackendError> {
    let op = |e: virt::error::Error| BackendError::from_op(&e);
    let other = |raw: String| BackendError::new(ErrorKind::Other, raw);
    let dom = conn.lookup_domain_by_uuid_string(uuid).map_err(op)?;
    let name = dom.name().map_err(|e| BackendError::from_read(&e))?;
    let scratch = tempdir()?;
    let read = |inner: &str| read_from_iso(&req.iso, inner, &scratch);
    let kernel = read(&req.kernel).map_err(other);
    let initrd = read(&req.initrd).map_err(other);
    super::error::ignored("removing the scratch folder", std::fs::remove_dir(&scratch));
    let (kernel, initrd) = (kernel?, initrd?);
    let initrd = initrd_with(
        &initrd,
        &req.answers.file_name,
        req.answers.content.as_bytes(),
    )
    .map_err(|e| other(e.to_string()))?;
    let kernel_path = upload(conn, &req.pool, &format!("{name}-install-kernel"), &kernel)?;
    let initrd_path = match upload(conn, &req.pool, &format!("{name}-install-initrd"), &initrd) {
        Ok(p) => p,
        Err(e) => {
            remove_volume(conn, &kernel_path);
            return Err(e);
        }
    };
    let cmdline = [
        req.answers.command_line.as_deref().unwrap_or(""),
        req.extra_cmdline.as_str(),
    ]
    .join(" ")
    .trim()
    .to_string();
    let final_xml = dom
        .xml_desc(sys::VIR_DOMAIN_XML_INACTIVE | sys::VIR_DOMAIN_XML_SECURE)
        .map_err(|e| BackendError::from_read(&e))?;
    let undo = || {
        remove_volume(conn, &kernel_path);
        remove_volume(conn, &initrd_path);
    };
    let xml = match install_xml(&final_xml, &kernel_path, &initrd_path, &cmdline) {
        Ok(x) => x,
        Err(e) => {
            undo();
            return Err(other(format!("{e:?}")));
        }
    };
    // Remembered in the final definition: when the installer has rebooted, `finish`
    // removes these files and starts the machine as it will stay.
    let marked = mark_installing(&final_xml, &kernel_path, &initrd_path, &cmdline)
        .map_err(|e| other(format!("{e:?}")))
        .and_then(|x| conn.define_domain_xml(&x).map_err(op));
    if let Err(e) = marked {
        undo();
        return Err(e);
    }
    let mut started = conn.create_domain_xml(&xml, 0).map(|_| ());
    if let Err(e) = &started {
        // As at a first start (see new_vm::create): KVM may refuse the host's own CPU
        // model; the install and the final machine then get QEMU's default model.
        log::debug!("starting the install failed ({e}); trying a generic CPU");
        let generic = (
            super::new_vm::with_generic_cpu(&xml),
            mark_installing(&final_xml, &kernel_path, &initrd_path, &cmdline)
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
        undo();
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

/// The install's files, if machine `uuid` is being installed.
pub fn installing(conn: &Connect, uuid: &str) -> Result<Option<(String, String)>, BackendError> {
    let (_, xml) = definition(conn, uuid)?;
    Ok(install_mark(&xml))
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
}

/// After an express install's machine stopped: when the installer rebooted, removes the
/// generated kernel and initrd (the answers' password is in it), clears the mark and
/// starts the installed machine.
pub fn finish(conn: &Connect, uuid: &str) -> Result<Ended, BackendError> {
    let (dom, xml) = definition(conn, uuid)?;
    if install_mark(&xml).is_none() {
        return Ok(Ended::NotInstalling);
    }
    let (mut state, mut reason) = (0, 0);
    // SAFETY: plain out-parameters of a live domain.
    if unsafe { sys::virDomainGetState(dom.as_ptr(), &mut state, &mut reason, 0) } < 0 {
        return Err(BackendError::new(ErrorKind::Other, "no state".to_string()));
    }
    if state != sys::VIR_DOMAIN_SHUTOFF as i32 {
        return Ok(Ended::NotInstalling);
    }
    if reason != sys::VIR_DOMAIN_SHUTOFF_SHUTDOWN as i32 {
        // Said once per stop (libvirt tells of one stop in several events): the mark
        // remembers it until the installer starts again.
        if install_stopped(&xml) {
            return Ok(Ended::NotInstalling);
        }
        set_stopped(&dom, &xml, true)?;
        return Ok(Ended::Interrupted);
    }
    abandon(conn, uuid)?;
    dom.create().map_err(|e| BackendError::from_op(&e))?;
    Ok(Ended::Installed)
}

/// Removes an express install's generated files and its mark (the machine stays).
pub fn abandon(conn: &Connect, uuid: &str) -> Result<(), BackendError> {
    let (dom, xml) = definition(conn, uuid)?;
    let Some((kernel, initrd)) = install_mark(&xml) else {
        return Ok(());
    };
    remove_volume(conn, &kernel);
    remove_volume(conn, &initrd);
    dom.set_metadata(
        sys::VIR_DOMAIN_METADATA_ELEMENT as i32,
        None,
        Some("bilik"),
        Some(INSTALL_NS),
        sys::VIR_DOMAIN_AFFECT_CONFIG,
    )
    .map_err(|e| BackendError::from_op(&e))
}

/// Starts an interrupted express install again, from the beginning, with the files it
/// kept (the answers are in them: nothing needs typing again).
pub fn restart(conn: &Connect, uuid: &str) -> Result<(), BackendError> {
    let (dom, xml) = definition(conn, uuid)?;
    let Some((kernel, initrd)) = install_mark(&xml) else {
        return Err(BackendError::new(
            ErrorKind::Other,
            "this machine has no install to start again".to_string(),
        ));
    };
    let cmdline = install_cmdline(&xml).unwrap_or_default();
    let install = install_xml(&xml, &kernel, &initrd, &cmdline)
        .map_err(|e| BackendError::new(ErrorKind::Other, format!("{e:?}")))?;
    set_stopped(&dom, &xml, false)?;
    conn.create_domain_xml(&install, 0)
        .map(|_| ())
        .map_err(|e| BackendError::from_op(&e))
}

/// The install was found stopped before its end (and said so).
fn install_stopped(xml: &str) -> bool {
    roxmltree::Document::parse(xml).ok().is_some_and(|doc| {
        doc.descendants().any(|n| {
            n.has_tag_name((INSTALL_NS, "install")) && n.attribute("stopped") == Some("yes")
        })
    })
}

/// Rewrites the install mark with `stopped` set or cleared.
fn set_stopped(dom: &virt::domain::Domain, xml: &str, stopped: bool) -> Result<(), BackendError> {
    let Some((kernel, initrd)) = install_mark(xml) else {
        return Ok(());
    };
    let mark = format!(
        "<install kernel='{}' initrd='{}' cmdline='{}'{}/>",
        escape_attr(&kernel),
        escape_attr(&initrd),
        escape_attr(&install_cmdline(xml).unwrap_or_default()),
        if stopped { " stopped='yes'" } else { "" }
    );
    dom.set_metadata(
        sys::VIR_DOMAIN_METADATA_ELEMENT as i32,
        Some(&mark),
        Some("bilik"),
        Some(INSTALL_NS),
        sys::VIR_DOMAIN_AFFECT_CONFIG,
    )
    .map_err(|e| BackendError::from_op(&e))
}

fn mark_installing(
    xml: &str,
    kernel: &str,
    initrd: &str,
    cmdline: &str,
) -> Result<String, EditError> {
    let mut doc = XmlDoc::new(xml)?;
    if !doc.exists(&["domain", "metadata"]) {
        doc.append_child(&["domain"], "<metadata/>")?;
    }
    doc.append_child(
        &["domain", "metadata"],
        &format!(
            "<bilik:install xmlns:bilik='{INSTALL_NS}' kernel='{}' initrd='{}' cmdline='{}'/>",
            escape_attr(kernel),
            escape_attr(initrd),
            escape_attr(cmdline)
        ),
    )?;
    Ok(doc.into_text())
}

/// The kernel and initrd of an install under way, from the definition's metadata.
pub fn install_mark(xml: &str) -> Option<(String, String)> {
    let doc = roxmltree::Document::parse(xml).ok()?;
    let n = doc
        .descendants()
        .find(|n| n.has_tag_name((INSTALL_NS, "install")))?;
    Some((n.attribute("kernel")?.into(), n.attribute("initrd")?.into()))
}

/// The kernel command line of an install under way, from the definition's metadata.
fn install_cmdline(xml: &str) -> Option<String> {
    let doc = roxmltree::Document::parse(xml).ok()?;
    let n = doc
        .descendants()
        .find(|n| n.has_tag_name((INSTALL_NS, "install")))?;
    n.attribute("cmdline").map(str::to_string)
}

/// A private scratch folder (mode 0700): what is read from the disc passes through it.
fn tempdir() -> Result<std::path::PathBuf, BackendError> {
    use std::os::unix::fs::DirBuilderExt;
    let dir = std::env::temp_dir().join(format!(
        "bilik-express-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos())
    ));
    std::fs::DirBuilder::new()
        .mode(0o700)
        .create(&dir)
        .map_err(|e| BackendError::new(ErrorKind::Other, e.to_string()))?;
    Ok(dir)
}

/// Stores `bytes` as a new volume of the pool `pool` (libvirt writes it, owned by the
/// qemu user's side, readable by nobody else); answers its path.
fn upload(conn: &Connect, pool: &str, name: &str, bytes: &[u8]) -> Result<String, BackendError> {
    let op = |e: virt::error::Error| BackendError::from_op(&e);
    let pool = conn.lookup_storage_pool_by_name(pool).map_err(op)?;
    if let Ok(old) = pool.lookup_storage_vol_by_name(name) {
        // A leftover of an install that was abandoned.
        super::error::ignored("removing an old install file", old.delete(0));
    }
    let xml = format!(
        "<volume><name>{}</name><capacity unit='bytes'>{}</capacity><target><format type='raw'/><permissions><mode>0600</mode></permissions></target></volume>",
        escape_attr(name),
        bytes.len()
    );
    let vol = virt::storage_vol::StorageVol::create_xml(&pool, &xml, 0).map_err(op)?;
    let stream = virt::stream::Stream::new(conn, 0).map_err(op)?;
    let sent = vol
        .upload(&stream, 0, bytes.len() as u64, 0)
        .and_then(|()| {
            let mut rest = bytes;
            while !rest.is_empty() {
                let n = stream.send(&rest[..rest.len().min(1 << 20)])?;
                rest = &rest[usize::try_from(n).unwrap_or(0)..];
            }
            stream.finish()
        });
    if let Err(e) = sent {
        super::error::ignored("removing a half-written install file", vol.delete(0));
        return Err(op(e));
    }
    vol.path().map_err(op)
}

fn remove_volume(conn: &Connect, path: &str) {
    match conn.lookup_storage_vol_by_path(path) {
        Ok(v) => super::error::ignored("removing an install file", v.delete(0)),
        Err(e) => log::debug!("install file {path} already gone: {e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answers() -> Answers {
        Answers {
            user_login: "ana".into(),
            user_realname: "Ana Lúcia d'Arc".into(),
            user_password: "$(reboot) \\ 'x\" é".into(),
            admin_password: "$(reboot) \\ 'x\" é".into(),
            hostname: "web-01".into(),
            language: "fr_FR".into(),
            keyboard: "fr".into(),
            timezone: "Europe/Paris".into(),
            product_key: String::new(),
        }
    }

    #[test]
    fn logins_follow_the_linux_rule() {
        assert_eq!(check_login("ana"), Ok(()));
        assert_eq!(check_login("_svc-1"), Ok(()));
        assert_eq!(check_login(""), Err(AnswerProblem::NoLogin));
        assert_eq!(check_login("Ana"), Err(AnswerProblem::LoginStartsBadly));
        assert_eq!(check_login("1ana"), Err(AnswerProblem::LoginStartsBadly));
        assert_eq!(check_login("ana maria"), Err(AnswerProblem::BadLogin(' ')));
        assert_eq!(check_login("anaé"), Err(AnswerProblem::BadLogin('é')));
        assert_eq!(check_login("root"), Err(AnswerProblem::RootLogin));
        assert_eq!(
            check_login(&"a".repeat(33)),
            Err(AnswerProblem::LoginTooLong)
        );
    }

    #[test]
    fn answers_that_would_break_the_file_are_refused() {
        let a = answers();
        assert_eq!(check_answers(&a, &a.user_password), Ok(()));
        assert_eq!(
            check_answers(&a, "other"),
            Err(AnswerProblem::PasswordsDiffer)
        );
        let mut b = a.clone();
        b.user_password = "pass\nd-i passwd/root-login boolean true".into();
        assert_eq!(
            check_answers(&b, &b.user_password),
            Err(AnswerProblem::ControlCharacter(Field::Password))
        );
        let mut b = a.clone();
        b.user_realname = "Ana\r".into();
        assert_eq!(
            check_answers(&b, &a.user_password),
            Err(AnswerProblem::ControlCharacter(Field::RealName))
        );
        let mut b = a.clone();
        b.user_password = " secret".into();
        assert_eq!(
            check_answers(&b, " secret"),
            Err(AnswerProblem::PasswordSpaces)
        );
        let mut b = a.clone();
        b.hostname = "web_01".into();
        assert_eq!(
            check_answers(&b, &a.user_password),
            Err(AnswerProblem::BadHostName)
        );
        assert_eq!(host_name("Debian 13 (test)"), "debian-13--test");
        assert_eq!(host_name("--"), "machine");
    }

    const PRESEED: &str = "d-i passwd/root-login boolean true
d-i passwd/root-password password x
d-i passwd/root-password-again password x
d-i passwd/username ana
d-i preseed/late_command string in-target sed -i '/cdrom/d' /etc/apt/sources.list
d-i preseed/late_command string \\
    mkdir /mnt/m ; \\
    cp a b
d-i preseed/late_command string in-target \\
    touch /root/osinfo-install-successful
";

    #[test]
    fn debians_preseed_is_fixed() {
        let out = patch_preseed(PRESEED, &answers(), &["d-i x/y string z".into()]);
        assert!(out.contains("d-i passwd/username string ana\n"), "{out}");
        assert!(out.contains("d-i passwd/root-login boolean false"));
        assert!(!out.contains("root-password"), "{out}");
        assert!(out.contains("d-i keyboard-configuration/xkb-keymap select fr"));
        assert!(out.contains("d-i x/y string z"));
        let late: Vec<&str> = out
            .lines()
            .filter(|l| l.contains("preseed/late_command"))
            .collect();
        assert_eq!(
            late,
            ["d-i preseed/late_command string in-target sed -i '/cdrom/d' /etc/apt/sources.list ; mkdir /mnt/m ; cp a b ; in-target touch /root/osinfo-install-successful"]
        );
        // Already typed: left as is.
        let again = patch_preseed("d-i passwd/username string ana\n", &answers(), &[]);
        assert!(again.contains("d-i passwd/username string ana\n"));
    }

    #[test]
    fn windows_gets_the_keyboard_and_no_empty_key() {
        let xml = "<a>\n  <UserData>\n    <ProductKey>\n      <Key>\n      </Key>\n    </ProductKey>\n  </UserData>\n  <UserLocale>fr-FR</UserLocale>\n  <ProductKey></ProductKey>\n  <ProductKey/>\n  <ProductKey>ABCDE-12345</ProductKey>\n</a>\n";
        let out = patch_unattend(xml, "fr");
        assert_eq!(
            out,
            "<a>\n  <UserData>\n  </UserData>\n  <UserLocale>fr-FR</UserLocale>\n<InputLocale>fr-FR</InputLocale>\n  <ProductKey>ABCDE-12345</ProductKey>\n</a>\n"
        );
        assert!(!patch_unattend(xml, "xx").contains("InputLocale"));
    }

    #[test]
    fn kickstart_refuses_single_quotes() {
        let mut r = Rendered {
            file_name: "fedora.ks".into(),
            content: String::new(),
            command_line: None,
            injection: super::super::libosinfo::Injection::Initrd,
            profile: "desktop".into(),
        };
        assert_eq!(
            patch(&mut r, &answers(), &[]),
            Err(AnswerProblem::SingleQuote(Field::Password))
        );
    }

    #[test]
    fn the_answer_file_is_appended_to_the_initrd_as_a_cpio_archive() {
        let first = b"FIRST ARCHIVE".to_vec();
        let out = initrd_with(&first, "preseed.cfg", b"d-i a/b string c\n").unwrap();
        assert!(out.starts_with(&first));
        let mut gz = flate2::read::GzDecoder::new(&out[first.len()..]);
        let mut cpio_bytes = Vec::new();
        std::io::Read::read_to_end(&mut gz, &mut cpio_bytes).unwrap();
        let reader = cpio::NewcReader::new(&cpio_bytes[..]).unwrap();
        assert_eq!(reader.entry().name(), "preseed.cfg");
        assert_eq!(reader.entry().mode(), 0o100600);
        let mut content = String::new();
        let mut reader = reader;
        std::io::Read::read_to_string(&mut reader, &mut content).unwrap();
        assert_eq!(content, "d-i a/b string c\n");
    }

    #[test]
    fn the_install_boots_the_kernel_and_ends_at_the_reboot() {
        let final_xml = "<domain type='kvm'>\n  <name>vm</name>\n  <os>\n    <type arch='x86_64'>hvm</type>\n    <boot dev='cdrom'/>\n  </os>\n  <on_reboot>restart</on_reboot>\n</domain>\n";
        let x = install_xml(final_xml, "/p/k", "/p/i & j", "auto a=b").unwrap();
        assert!(x.contains(
            "<kernel>/p/k</kernel><initrd>/p/i &amp; j</initrd><cmdline>auto a=b</cmdline>"
        ));
        assert!(x.contains("<on_reboot>destroy</on_reboot>"));
        assert!(!x.contains("restart"));
        let marked = mark_installing(final_xml, "/p/k", "/p/i", "a=b 'c'").unwrap();
        assert_eq!(
            install_mark(&marked),
            Some(("/p/k".to_string(), "/p/i".to_string()))
        );
        assert_eq!(install_cmdline(&marked).as_deref(), Some("a=b 'c'"));
        assert_eq!(install_mark(final_xml), None);
    }
}
