//! Translation helpers. Sentences with values use named placeholders (`{name}`) so that
//! translators can move them; never build a translatable sentence with `format!`.

use gettextrs::gettext;

/// Sets up gettext for the whole process (call once, first thing in `main`).
pub fn init() {
    use gettextrs::{
        bind_textdomain_codeset, bindtextdomain, setlocale, textdomain, LocaleCategory,
    };
    // SAFETY: called first thing in main, before any other thread exists.
    unsafe { setlocale(LocaleCategory::LcAll, "") };
    // Failures leave the English strings in place, which is the right fallback.
    let package = crate::config::GETTEXT_PACKAGE;
    crate::backend::ignored(
        "no translations (bindtextdomain)",
        bindtextdomain(package, crate::config::localedir()),
    );
    crate::backend::ignored(
        "no translations (codeset)",
        bind_textdomain_codeset(package, "UTF-8"),
    );
    crate::backend::ignored("no translations (textdomain)", textdomain(package));
}

/// Translates `msgid`, then replaces each `{key}` with its value.
pub fn gettext_f(msgid: &str, args: &[(&str, &str)]) -> String {
    fill(gettext(msgid), args)
}

/// Plural form of [`gettext_f`]; `{n}` is always available.
pub fn ngettext_f(msgid: &str, plural: &str, n: u32, args: &[(&str, &str)]) -> String {
    let s = gettextrs::ngettext(msgid, plural, n).replace("{n}", &n.to_string());
    fill(s, args)
}

fn fill(mut s: String, args: &[(&str, &str)]) -> String {
    for (k, v) in args {
        s = s.replace(&format!("{{{k}}}"), v);
    }
    s
}

#[cfg(test)]
mod tests {
    #[test]
    fn fills_named_placeholders() {
        assert_eq!(
            super::fill(
                "Lost {uri} ({n})".into(),
                &[("uri", "qemu:///system"), ("n", "2")]
            ),
            "Lost qemu:///system (2)"
        );
    }
}
