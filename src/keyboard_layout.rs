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

/// libxkbregistry, libxkbcommon's reader of the layouts xkeyboard-config knows (what
/// GNOME's and KDE's keyboard settings list): the few calls that name a layout.
mod registry {
    use std::ffi::{c_char, c_int, c_void};

    pub const NO_FLAGS: c_int = 0;

    #[link(name = "xkbregistry")]
    unsafe extern "C" {
        pub fn rxkb_context_new(flags: c_int) -> *mut c_void;
        pub fn rxkb_context_parse_default_ruleset(ctx: *mut c_void) -> bool;
        pub fn rxkb_context_unref(ctx: *mut c_void) -> *mut c_void;
        pub fn rxkb_layout_first(ctx: *mut c_void) -> *mut c_void;
        pub fn rxkb_layout_next(layout: *mut c_void) -> *mut c_void;
        pub fn rxkb_layout_get_name(layout: *mut c_void) -> *const c_char;
        pub fn rxkb_layout_get_variant(layout: *mut c_void) -> *const c_char;
        pub fn rxkb_layout_get_description(layout: *mut c_void) -> *const c_char;
    }
}

/// The layout `layout` (an XKB name such as `fr`, or `fr+azerty`) in words, as
/// xkeyboard-config describes it ("French", "French (AZERTY)"), in the person's language
/// (xkeyboard-config's own translations). None: no such layout. Parses the XKB rules
/// (a few milliseconds): call off the main thread.
pub fn description(layout: &str) -> Option<String> {
    use std::ffi::CStr;
    let (name, variant) = match layout.split_once('+') {
        Some((n, v)) => (n, v),
        None => (layout, ""),
    };
    let text = |p: *const std::ffi::c_char| {
        // SAFETY: libxkbregistry's strings live as long as its context.
        (!p.is_null()).then(|| unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned())
    };
    // SAFETY: a context of our own, used and released here; the layouts belong to it.
    unsafe {
        let ctx = registry::rxkb_context_new(registry::NO_FLAGS);
        if ctx.is_null() {
            return None;
        }
        let mut found = None;
        if registry::rxkb_context_parse_default_ruleset(ctx) {
            let mut l = registry::rxkb_layout_first(ctx);
            while !l.is_null() {
                if text(registry::rxkb_layout_get_name(l)).as_deref() == Some(name)
                    && text(registry::rxkb_layout_get_variant(l)).unwrap_or_default() == variant
                {
                    found = text(registry::rxkb_layout_get_description(l));
                    break;
                }
                l = registry::rxkb_layout_next(l);
            }
        }
        registry::rxkb_context_unref(ctx);
        found.map(|d| gettextrs::dgettext("xkeyboard-config", d))
    }
}

/// A layout for a sentence: its description and code ("French (fr)"), or its code alone.
pub fn describe(description: Option<&str>, code: &str) -> String {
    let code = if code.is_empty() { "us" } else { code };
    match description {
        Some(d) => format!("“{d}” ({code})"),
        None => format!("“{code}”"),
    }
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

    #[test]
    fn layouts_are_named_by_xkeyboard_config() {
        // The test runs in English (LANGUAGE unset or C): xkeyboard-config's own words.
        assert_eq!(super::description("fr").as_deref(), Some("French"));
        assert_eq!(
            super::description("fr+azerty").as_deref(),
            Some("French (AZERTY)")
        );
        assert_eq!(super::description("de").as_deref(), Some("German"));
        assert_eq!(super::description("zz"), None);
        assert_eq!(super::describe(Some("French"), "fr"), "“French” (fr)");
        assert_eq!(super::describe(None, ""), "“us”");
    }
}
