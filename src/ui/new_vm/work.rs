//! The wizard's work off the main thread: reading the chosen file and this computer's
//! settings, and (on the connection's thread) creating the machine.

use std::path::PathBuf;
use std::sync::Arc;

use gettextrs::gettext;

use super::{Found, Inspection};
use crate::backend::iso9660::{self, IsoError};
use crate::backend::libosinfo::Candidate;
use crate::backend::osinfo::OsDb;
use crate::i18n::gettext_f;
use crate::model::new_vm_plan::SourceKind;

pub fn iso_error(e: &IsoError) -> String {
    match e {
        IsoError::NotAnIso => gettext(
            "This file is not a disc image (ISO 9660). Choose the installer’s .iso file, or “Import an existing disk image” for a disk.",
        ),
        IsoError::Unreadable(raw) => gettext_f(
            "Bilik cannot read this file ({error}). Check the path and that you may read it.",
            &[("error", raw)],
        ),
    }
}

/// This computer's user: login (when Linux would accept it in a new system) and full name.
pub fn this_user() -> (String, String) {
    let login = glib::user_name().to_string_lossy().into_owned();
    let login = if crate::backend::express::check_login(&login).is_ok() {
        login
    } else {
        String::new()
    };
    let real = glib::real_name().to_string_lossy().into_owned();
    let real = if real == "Unknown" {
        String::new()
    } else {
        real
    };
    (login, real)
}

/// This computer's language as installers take it (`fr_FR`), from the usual variables.
pub fn this_language() -> String {
    ["LC_ALL", "LC_MESSAGES", "LANG"]
        .iter()
        .filter_map(|v| std::env::var(v).ok())
        .map(|l| l.split(['.', '@']).next().unwrap_or("").to_string())
        .find(|l| !l.is_empty() && l != "C" && l != "POSIX")
        .unwrap_or_else(|| "en_US".into())
}

/// The systems libosinfo recognises on the disc at `path` (loaded here, off the main
/// thread: libosinfo's objects stay on the thread that made them).
fn recognise(path: &std::path::Path) -> Vec<Candidate> {
    let found = crate::backend::libosinfo::Database::load().and_then(|db| db.identify(path));
    found.unwrap_or_else(|e| {
        // A disc that cannot start a computer, or osinfo-db missing: the person picks.
        log::debug!("libosinfo did not recognise {}: {e}", path.display());
        Vec::new()
    })
}

/// Reads the chosen source off the main thread.
pub(super) fn inspect(db: Option<Arc<OsDb>>, kind: SourceKind, path: String) -> Inspection {
    let db = db.unwrap_or_else(OsDb::shared);
    let layout = crate::keyboard_layout::from_system();
    let p = PathBuf::from(&path);
    let result = match kind {
        SourceKind::Network => Ok(Found::Nothing),
        _ if path.is_empty() => Err(gettext("Choose a file first.")),
        _ if !p.is_absolute() => Err(gettext(
            "Give the full path of the file, starting with “/”, or use “Choose File”.",
        )),
        _ if p.is_dir() => Err(gettext("This is a folder. Choose a file inside it.")),
        _ if !p.exists() => Err(gettext_f(
            "There is no file at {path}. Check the spelling, or use “Choose File”.",
            &[("path", &path)],
        )),
        // A disc image (Bilik's own check, for the sentence), then what libosinfo sees.
        SourceKind::Iso => match iso9660::read(&p) {
            Ok(_) => Ok(Found::Iso(recognise(&p))),
            Err(e) => Err(iso_error(&e)),
        },
        SourceKind::Import => match iso9660::disk_image_format(&p) {
            Ok(f) => Ok(Found::Disk(f.to_string())),
            Err(e) => Err(gettext_f(
                "Bilik cannot read this file ({error}). Check the path and that you may read it.",
                &[("error", &e.to_string())],
            )),
        },
    };
    let layout_description = layout
        .as_deref()
        .and_then(crate::keyboard_layout::description);
    Inspection {
        db,
        layout,
        layout_description,
        result,
    }
}
