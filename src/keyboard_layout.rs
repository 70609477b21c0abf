//! The host's keyboard layout. A new guest starts with a US layout until its system is set
//! up, so a person typing on azerty or qwertz gets other letters than they think while
//! choosing a user name and password (the user's notes: avoid a, m, q, w, z). Bilik warns
//! before installing when the host's layout is not US.

use gio::prelude::*;

/// The first layout of GNOME's input sources, if GNOME's schema is installed and set.
/// (Reads GSettings: call on the main thread.)
pub fn from_gnome() -> Option<String> {
    const SCHEMA: &str = "org.gnome.desktop.input-sources";
    let source = gio::SettingsSchemaSource::default()?;
    source.lookup(SCHEMA, true)?;
    let settings = gio::Settings::new(SCHEMA);
    let sources = settings.value("sources");
    // a(ss): [('xkb', 'fr+oss'), …]
    let first = sources.iter().next()?;
    let (kind, layout): (String, String) = first.get()?;
    (kind == "xkb").then(|| base(&layout)).flatten()
}

/// The layout from the environment (XKB_DEFAULT_LAYOUT, used by Wayland compositors) or
/// the system's keyboard configuration files. Reads files: call off the main thread.
pub fn from_system() -> Option<String> {
    if let Some(l) = std::env::var("XKB_DEFAULT_LAYOUT")
        .ok()
        .and_then(|v| base(&v))
    {
        return Some(l);
    }
    for (file, key) in [
        ("/etc/default/keyboard", "XKBLAYOUT"),
        ("/etc/vconsole.conf", "XKBLAYOUT"),
        ("/etc/vconsole.conf", "KEYMAP"),
    ] {
        let Ok(text) = std::fs::read_to_string(file) else {
            continue;
        };
        for line in text.lines() {
            if let Some(v) = line
                .trim()
                .strip_prefix(key)
                .and_then(|r| r.strip_prefix('='))
            {
                if let Some(l) = base(v.trim().trim_matches('"')) {
                    return Some(l);
                }
            }
        }
    }
    None
}

/// "fr+oss,us" → "fr"; "de-latin1" → "de".
fn base(v: &str) -> Option<String> {
    let first = v.split(',').next()?.trim();
    let name = first.split(['+', '(', '-']).next()?.trim().to_lowercase();
    (!name.is_empty()).then_some(name)
}

/// Whether a guest's US layout will surprise someone used to `layout`.
pub fn differs_from_us(layout: &str) -> bool {
    !matches!(layout, "us" | "en")
}

#[cfg(test)]
mod tests {
    #[test]
    fn takes_the_first_layout_without_variant() {
        assert_eq!(super::base("fr+oss,us").as_deref(), Some("fr"));
        assert_eq!(super::base("de-latin1").as_deref(), Some("de"));
        assert_eq!(super::base("").as_deref(), None);
        assert!(!super::differs_from_us("us"));
        assert!(super::differs_from_us("be"));
    }
}
