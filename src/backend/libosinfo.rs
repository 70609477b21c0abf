//! libosinfo, the C library virt-manager, GNOME Boxes and cockpit use, for what it alone
//! should decide: what an installer disc is ([`Database::identify`]) and the answer files
//! of osinfo-db's install scripts ([`Database::install_script`], rendered by libosinfo's
//! own XSLT).
//!
//! Bound by hand over `libosinfo-sys` (the raw C API): the `libosinfo` crate builds against
//! Debian 13's libosinfo 1.12 and glib 0.22, but keeps its method traits private, so none
//! of its methods can be called from outside it. About twenty C functions are used here,
//! each wrapped where it is called; libosinfo objects are held as `glib::Object`s, so
//! their references are counted by glib.
//!
//! libosinfo's objects are not thread-safe: a [`Database`] is loaded and used on one thread
//! (never the GTK main thread: loading reads osinfo-db, about 0.3 s).

use std::ffi::{c_char, CStr, CString};
use std::path::Path;
use std::ptr;

use glib::translate::{from_glib_full, from_glib_none};
use libosinfo_sys as ffi;

/// A libosinfo object we hold a reference to.
struct Obj(glib::Object);

impl Obj {
    /// Takes the reference the caller was given (C "transfer full").
    ///
    /// # Safety
    /// `p` is null or a GObject the caller owns a reference to.
    unsafe fn full<T>(p: *mut T) -> Option<Obj> {
        (!p.is_null()).then(|| Obj(unsafe { from_glib_full(p as *mut glib::gobject_ffi::GObject) }))
    }

    /// Adds a reference of our own (C "transfer none", or when unsure: at worst a leak).
    ///
    /// # Safety
    /// `p` is null or a live GObject.
    unsafe fn none<T>(p: *mut T) -> Option<Obj> {
        (!p.is_null()).then(|| Obj(unsafe { from_glib_none(p as *mut glib::gobject_ffi::GObject) }))
    }

    fn ptr<T>(&self) -> *mut T {
        use glib::prelude::ObjectType;
        self.0.as_ptr() as *mut T
    }
}

/// A string libosinfo keeps (transfer none).
fn borrowed(p: *const c_char) -> Option<String> {
    // SAFETY: libosinfo returns NUL-terminated UTF-8 strings or null.
    (!p.is_null()).then(|| unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned())
}

/// A string libosinfo gave us (transfer full): copied, then freed.
fn owned(p: *mut c_char) -> Option<String> {
    let s = borrowed(p);
    if !p.is_null() {
        // SAFETY: allocated by glib for us.
        unsafe { glib::ffi::g_free(p as glib::ffi::gpointer) };
    }
    s
}

fn take_error(e: *mut glib::ffi::GError) -> String {
    // SAFETY: a GError libosinfo set for us.
    let e: glib::Error = unsafe { from_glib_full(e) };
    e.message().to_string()
}

fn cstring(s: &str) -> CString {
    CString::new(s.replace('\0', "")).expect("no NUL left")
}

/// One system a disc matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// libosinfo's id, e.g. `http://debian.org/debian/13`.
    pub os_id: String,
    /// Its name, e.g. "Debian 13", with the edition when the disc names one.
    pub name: String,
    pub short_id: String,
    /// The disc's own answer: can its installer read an answer file (express install)?
    pub installer_script: bool,
    /// Where the installer's kernel and initrd are on the disc (direct kernel boot).
    pub kernel: Option<String>,
    pub initrd: Option<String>,
}

/// What an answer file needs: the person's own answers and this computer's settings.
/// Every text is checked by [`super::express::check_answers`] before it gets here. Its
/// `Debug` hides the passwords (they never reach a log).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Answers {
    pub user_login: String,
    pub user_realname: String,
    pub user_password: String,
    /// Also the administrator's password where the system asks for one.
    pub admin_password: String,
    pub hostname: String,
    /// e.g. `fr_FR`
    pub language: String,
    /// XKB layout, e.g. `fr`
    pub keyboard: String,
    /// e.g. `Europe/Paris`
    pub timezone: String,
    /// Windows' product key (empty: none).
    pub product_key: String,
}

impl std::fmt::Debug for Answers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Answers")
            .field("user_login", &self.user_login)
            .field("user_realname", &self.user_realname)
            .field("user_password", &"(hidden)")
            .field("admin_password", &"(hidden)")
            .field("hostname", &self.hostname)
            .field("language", &self.language)
            .field("keyboard", &self.keyboard)
            .field("timezone", &self.timezone)
            .finish_non_exhaustive()
    }
}

/// An answer file rendered by libosinfo (it holds the password: its `Debug` shows only
/// its name and size).
#[derive(Clone, PartialEq, Eq)]
pub struct Rendered {
    /// The name the installer looks for (`preseed.cfg`, `autounattend.xml`…).
    pub file_name: String,
    pub content: String,
    /// Files that go beside it (name, content), e.g. Windows' `windows.cmd`.
    pub helpers: Vec<(String, String)>,
    /// What the kernel command line must add (direct kernel boot), if anything.
    pub command_line: Option<String>,
    /// How the installer finds the file.
    pub injection: Injection,
    /// The script's profile ("desktop" or "jeos").
    pub profile: String,
}

impl std::fmt::Debug for Rendered {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rendered")
            .field("file_name", &self.file_name)
            .field("bytes", &self.content.len())
            .field(
                "helpers",
                &self.helpers.iter().map(|(n, _)| n).collect::<Vec<_>>(),
            )
            .field("command_line", &self.command_line)
            .field("injection", &self.injection)
            .field("profile", &self.profile)
            .finish()
    }
}

/// How an answer file reaches the installer (libosinfo's injection methods).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Injection {
    /// Inside the initrd (Debian, Ubuntu's old installer, Fedora, openSUSE).
    Initrd,
    /// On a disk or disc of its own (Windows: a second CD-ROM).
    Disk,
    Cdrom,
    Floppy,
    Web,
}

/// The loaded osinfo-db, through libosinfo.
pub struct Database {
    db: Obj,
    // The loader owns the database.
    _loader: Obj,
}

impl Database {
    /// Loads osinfo-db from its usual places (the system's, the local admin's, the user's).
    pub fn load() -> Result<Database, String> {
        // SAFETY: plain libosinfo calls; the loader owns the database it returns (transfer
        // none), which is why both are kept together.
        unsafe {
            let loader = Obj::full(ffi::osinfo_loader_new()).ok_or("no libosinfo loader")?;
            let mut err = ptr::null_mut();
            ffi::osinfo_loader_process_default_path(loader.ptr(), &mut err);
            if !err.is_null() {
                return Err(take_error(err));
            }
            let db = Obj::none(ffi::osinfo_loader_get_db(loader.ptr())).ok_or("no database")?;
            Ok(Database {
                db,
                _loader: loader,
            })
        }
    }

    /// The systems the disc at `path` matches, libosinfo's own first choice first. Empty:
    /// the disc is readable but libosinfo does not know it.
    pub fn identify(&self, path: &Path) -> Result<Vec<Candidate>, String> {
        let location = cstring(&path.to_string_lossy());
        // SAFETY: libosinfo calls with live objects; references as annotated by libosinfo.
        unsafe {
            let mut err = ptr::null_mut();
            let media = Obj::full(ffi::osinfo_media_create_from_location(
                location.as_ptr(),
                ptr::null_mut(),
                &mut err,
            ));
            if !err.is_null() {
                return Err(take_error(err));
            }
            let media = media.ok_or("libosinfo read nothing")?;
            let Some(list) = Obj::full(ffi::osinfo_db_identify_medialist(
                self.db.ptr(),
                media.ptr(),
            )) else {
                return Ok(Vec::new());
            };
            let n = ffi::osinfo_list_get_length(list.ptr());
            let mut out: Vec<Candidate> = Vec::new();
            for i in 0..n {
                let Some(m) = Obj::none(ffi::osinfo_list_get_nth(list.ptr(), i)) else {
                    continue;
                };
                let Some(os) = Obj::full(ffi::osinfo_media_get_os(m.ptr())) else {
                    continue;
                };
                let os_id = borrowed(ffi::osinfo_entity_get_id(os.ptr())).unwrap_or_default();
                let mut name = borrowed(ffi::osinfo_product_get_name(os.ptr())).unwrap_or_default();
                if let Some(variants) = Obj::full(ffi::osinfo_media_get_os_variants(m.ptr())) {
                    if ffi::osinfo_list_get_length(variants.ptr()) == 1 {
                        if let Some(v) = Obj::none(ffi::osinfo_list_get_nth(variants.ptr(), 0)) {
                            if let Some(vname) = borrowed(ffi::osinfo_os_variant_get_name(v.ptr()))
                            {
                                name = vname;
                            }
                        }
                    }
                }
                let c = Candidate {
                    os_id,
                    name,
                    short_id: borrowed(ffi::osinfo_product_get_short_id(os.ptr()))
                        .unwrap_or_default(),
                    installer_script: takes_script(&m, &os),
                    kernel: borrowed(ffi::osinfo_media_get_kernel_path(m.ptr())),
                    initrd: borrowed(ffi::osinfo_media_get_initrd_path(m.ptr())),
                };
                // Several media entries of one system (editions, sizes): once.
                if !out.iter().any(|o| o.os_id == c.os_id) {
                    out.push(c);
                }
            }
            Ok(out)
        }
    }

    /// For a system picked by hand (a disc libosinfo did not recognise, such as a newer
    /// release than osinfo-db knows): its installer disc as osinfo-db describes it for this
    /// computer's architecture, when express install can answer its installer
    /// ([`super::express::method`]). Express install then assumes the disc is laid out the
    /// same (it says so if the kernel is not there).
    pub fn installer_media(&self, os_id: &str) -> Option<Candidate> {
        let id = cstring(os_id);
        // SAFETY: libosinfo calls with live objects (references taken where unsure).
        unsafe {
            let os = Obj::none(ffi::osinfo_db_get_os(self.db.ptr(), id.as_ptr()))?;
            let name = borrowed(ffi::osinfo_product_get_name(os.ptr())).unwrap_or_default();
            let short_id = borrowed(ffi::osinfo_product_get_short_id(os.ptr())).unwrap_or_default();
            let list = Obj::none(ffi::osinfo_os_get_media_list(os.ptr()))?;
            for i in 0..ffi::osinfo_list_get_length(list.ptr()) {
                let Some(m) = Obj::none(ffi::osinfo_list_get_nth(list.ptr(), i)) else {
                    continue;
                };
                let arch = borrowed(ffi::osinfo_media_get_architecture(m.ptr()));
                let kernel = borrowed(ffi::osinfo_media_get_kernel_path(m.ptr()));
                let initrd = borrowed(ffi::osinfo_media_get_initrd_path(m.ptr()));
                let c = Candidate {
                    os_id: os_id.to_string(),
                    name: name.clone(),
                    short_id: short_id.clone(),
                    installer_script: takes_script(&m, &os),
                    kernel,
                    initrd,
                };
                if arch.as_deref() == Some(std::env::consts::ARCH)
                    && super::express::method(&c).is_some()
                {
                    return Some(c);
                }
            }
            None
        }
    }

    /// The system's name, if libosinfo knows the id.
    pub fn os_name(&self, os_id: &str) -> Option<String> {
        let id = cstring(os_id);
        // SAFETY: transfer none; the database outlives the call.
        unsafe {
            let os = ffi::osinfo_db_get_os(self.db.ptr(), id.as_ptr());
            (!os.is_null()).then(|| borrowed(ffi::osinfo_product_get_name(os as *mut _)))?
        }
    }

    /// Whether osinfo-db has an answer file for the system `os_id` (any profile).
    pub fn has_install_script(&self, os_id: &str) -> bool {
        let id = cstring(os_id);
        // SAFETY: transfer none; the database outlives the call.
        unsafe {
            let os = ffi::osinfo_db_get_os(self.db.ptr(), id.as_ptr());
            match Obj::none(os) {
                Some(os) => has_script(&os),
                None => false,
            }
        }
    }

    /// Renders the system's answer file (profile `desktop`, else `jeos`) with libosinfo,
    /// and the helper files of the same profile that go beside it (Windows: `windows.cmd`,
    /// which the answer file runs from the same disc). A system without scripts of its own
    /// uses those of the system it derives from (Windows 11: Windows 10's), rendered for
    /// itself. None: osinfo-db has no script for this system.
    pub fn install_script(
        &self,
        os_id: &str,
        answers: &Answers,
    ) -> Option<Result<Rendered, String>> {
        let id = cstring(os_id);
        // SAFETY: libosinfo calls with live objects; strings are copied in by libosinfo.
        unsafe {
            let os = Obj::none(ffi::osinfo_db_get_os(self.db.ptr(), id.as_ptr()))?;
            let mut scripts = ranked_scripts(&os);
            if scripts.is_empty() {
                let parents = Obj::full(ffi::osinfo_product_get_related(
                    os.ptr(),
                    ffi::OSINFO_PRODUCT_RELATIONSHIP_DERIVES_FROM,
                ))?;
                for i in 0..ffi::osinfo_list_get_length(parents.ptr()) {
                    if let Some(parent) = Obj::none(ffi::osinfo_list_get_nth(parents.ptr(), i)) {
                        scripts = ranked_scripts(&parent);
                    }
                    if !scripts.is_empty() {
                        break;
                    }
                }
            }
            let (_, main, profile) = scripts.first()?;
            let profile = profile.clone();
            let config = config(answers)?;
            let c = config.ptr::<ffi::OsinfoInstallConfig>();
            // Inside the initrd where the script allows it (Linux installers booted from
            // their kernel), else on a CD-ROM (Windows; libosinfo's default is a floppy).
            let methods = ffi::osinfo_install_script_get_injection_methods(main.ptr());
            let method = if methods & ffi::OSINFO_INSTALL_SCRIPT_INJECTION_METHOD_INITRD != 0 {
                ffi::OSINFO_INSTALL_SCRIPT_INJECTION_METHOD_INITRD
            } else if methods & ffi::OSINFO_INSTALL_SCRIPT_INJECTION_METHOD_CDROM != 0 {
                ffi::OSINFO_INSTALL_SCRIPT_INJECTION_METHOD_CDROM
            } else {
                ffi::osinfo_install_script_get_preferred_injection_method(main.ptr())
            };
            let injection = match method {
                m if m == ffi::OSINFO_INSTALL_SCRIPT_INJECTION_METHOD_INITRD => Injection::Initrd,
                m if m == ffi::OSINFO_INSTALL_SCRIPT_INJECTION_METHOD_DISK => Injection::Disk,
                m if m == ffi::OSINFO_INSTALL_SCRIPT_INJECTION_METHOD_FLOPPY => Injection::Floppy,
                m if m == ffi::OSINFO_INSTALL_SCRIPT_INJECTION_METHOD_WEB => Injection::Web,
                _ => Injection::Cdrom,
            };
            let mut files = Vec::new();
            for (_, script, _) in scripts.iter().filter(|(_, _, p)| *p == profile) {
                ffi::osinfo_install_script_set_preferred_injection_method(script.ptr(), method);
                let mut err = ptr::null_mut();
                let text = owned(ffi::osinfo_install_script_generate(
                    script.ptr(),
                    os.ptr(),
                    c,
                    ptr::null_mut(),
                    &mut err,
                ));
                if !err.is_null() {
                    return Some(Err(take_error(err)));
                }
                let name = borrowed(ffi::osinfo_install_script_get_expected_filename(
                    script.ptr(),
                ))
                .unwrap_or_else(|| format!("answers-{}.cfg", files.len()));
                files.push((name, text.unwrap_or_default()));
            }
            // Only a script booted with the installer's kernel has a command line (for
            // the others libosinfo renders the whole stylesheet's text).
            let command_line = owned(ffi::osinfo_install_script_generate_command_line(
                main.ptr(),
                os.ptr(),
                c,
            ))
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty() && injection == Injection::Initrd);
            let mut files = files.into_iter();
            let (file_name, content) = files.next()?;
            Some(Ok(Rendered {
                file_name,
                content,
                helpers: files.collect(),
                command_line,
                injection,
                profile,
            }))
        }
    }
}

/// The install scripts of `os`, the main answer file first: profile "desktop" before
/// "jeos", and for Windows the unattend file before its helper scripts (windows.cmd,
/// windows.reg).
///
/// # Safety
/// `os` is a live OsinfoOs.
unsafe fn ranked_scripts(os: &Obj) -> Vec<(u8, Obj, String)> {
    let mut scripts = Vec::new();
    unsafe {
        let Some(list) = Obj::full(ffi::osinfo_os_get_install_script_list(os.ptr())) else {
            return scripts;
        };
        for i in 0..ffi::osinfo_list_get_length(list.ptr()) {
            let Some(sc) = Obj::none(ffi::osinfo_list_get_nth(list.ptr(), i)) else {
                continue;
            };
            let profile = borrowed(ffi::osinfo_install_script_get_profile(sc.ptr()));
            let file = borrowed(ffi::osinfo_install_script_get_expected_filename(sc.ptr()))
                .unwrap_or_default()
                .to_lowercase();
            let rank = match profile.as_deref() {
                Some("desktop") => 0,
                Some("jeos") => 2,
                _ => continue,
            } + u8::from(file.ends_with(".cmd") || file.ends_with(".reg"));
            scripts.push((rank, sc, profile.unwrap_or_default()));
        }
    }
    scripts.sort_by_key(|(rank, _, _)| *rank);
    scripts
}

/// libosinfo's install configuration holding the answers (and this computer's
/// architecture).
fn config(answers: &Answers) -> Option<Obj> {
    // SAFETY: a new object of ours; libosinfo copies the strings in.
    unsafe {
        let config_id = cstring("http://bilik.github.io/install-config");
        let config = Obj::full(ffi::osinfo_install_config_new(config_id.as_ptr()))?;
        let c = config.ptr::<ffi::OsinfoInstallConfig>();
        let set = |f: unsafe extern "C" fn(*mut ffi::OsinfoInstallConfig, *const c_char),
                   v: &str| {
            if !v.is_empty() {
                let v = cstring(v);
                f(c, v.as_ptr());
            }
        };
        set(
            ffi::osinfo_install_config_set_user_login,
            &answers.user_login,
        );
        set(
            ffi::osinfo_install_config_set_user_realname,
            &answers.user_realname,
        );
        set(
            ffi::osinfo_install_config_set_user_password,
            &answers.user_password,
        );
        set(
            ffi::osinfo_install_config_set_admin_password,
            &answers.admin_password,
        );
        set(ffi::osinfo_install_config_set_hostname, &answers.hostname);
        set(
            ffi::osinfo_install_config_set_l10n_language,
            &answers.language,
        );
        set(
            ffi::osinfo_install_config_set_l10n_keyboard,
            &answers.keyboard,
        );
        set(
            ffi::osinfo_install_config_set_l10n_timezone,
            &answers.timezone,
        );
        set(
            ffi::osinfo_install_config_set_reg_product_key,
            &answers.product_key,
        );
        let arch = cstring(std::env::consts::ARCH);
        ffi::osinfo_install_config_set_hardware_arch(c, arch.as_ptr());
        Some(config)
    }
}

/// Whether the disc's installer takes an answer file: the disc does not say it cannot
/// (osinfo-db's `installer-script="false"`, e.g. live discs), and osinfo-db has a script
/// for its system or for the system it derives from (Windows 11 has none of its own and
/// uses Windows 10's, see [`Database::install_script`]). libosinfo's own
/// `osinfo_media_supports_installer_script` looks at the system's own scripts only.
///
/// # Safety
/// `media` is a live OsinfoMedia, `os` a live OsinfoOs.
unsafe fn takes_script(media: &Obj, os: &Obj) -> bool {
    unsafe {
        let key = cstring("installer-script");
        let says = borrowed(ffi::osinfo_entity_get_param_value(
            media.ptr(),
            key.as_ptr(),
        ));
        if says.as_deref() == Some("false") {
            return false;
        }
        if has_script(os) {
            return true;
        }
        Obj::full(ffi::osinfo_product_get_related(
            os.ptr(),
            ffi::OSINFO_PRODUCT_RELATIONSHIP_DERIVES_FROM,
        ))
        .is_some_and(|parents| {
            (0..ffi::osinfo_list_get_length(parents.ptr())).any(|i| {
                Obj::none(ffi::osinfo_list_get_nth(parents.ptr(), i))
                    .is_some_and(|p| has_script(&p))
            })
        })
    }
}

/// Whether the system has any install script.
///
/// # Safety
/// `os` is a live OsinfoOs.
unsafe fn has_script(os: &Obj) -> bool {
    unsafe {
        Obj::full(ffi::osinfo_os_get_install_script_list(os.ptr()))
            .is_some_and(|l| ffi::osinfo_list_get_length(l.ptr()) > 0)
    }
}
