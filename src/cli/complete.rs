//! What Tab offers on the command line (clap_complete's dynamic completers). They run in
//! the completion request itself (`COMPLETE=bash bilik -- …`): fast (one libvirt call for
//! the machines), and silent on error (no candidates rather than a message in the
//! person's prompt).

use std::ffi::OsStr;

use clap_complete::engine::{CompletionCandidate, PathCompleter, ValueCompleter};

use crate::settings::{Key, Settings};
use crate::ui::connection_switcher::{SESSION_URI, SYSTEM_URI};

/// The `--connect` value typed so far on the line being completed (the words after `--`).
/// bash splits words at `:` (COMP_WORDBREAKS), so `qemu:///system` may arrive as `qemu`,
/// `:`, `///system`: joined again.
fn typed_connection() -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    let start = args.iter().position(|a| a == "--").map_or(0, |i| i + 1);
    connection_in(&args[start..])
}

fn connection_in(words: &[String]) -> Option<String> {
    let mut found = None;
    let mut i = 0;
    while i < words.len() {
        let w = &words[i];
        if (w == "-c" || w == "--connect") && i + 1 < words.len() {
            let mut value = words[i + 1].clone();
            i += 2;
            while i < words.len() && (words[i] == ":" || value.ends_with(':')) {
                value.push_str(&words[i]);
                i += 1;
            }
            found = Some(value);
            continue;
        } else if let Some(v) = w.strip_prefix("--connect=") {
            found = Some(v.to_string());
        }
        i += 1;
    }
    found.filter(|v| !v.is_empty())
}

/// Whether the shell asking is bash (its registration passes these variables): bash
/// inserts a candidate as it is, so a space in a name must come escaped.
fn for_bash() -> bool {
    std::env::var_os("_CLAP_COMPLETE_COMP_TYPE").is_some()
}

fn bash_escape(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if " \t'\"\\$`!&;|<>()*?[]{}#~".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn bash_unescape(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    let mut chars = word.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.extend(chars.next()),
            '\'' | '"' => {}
            c => out.push(c),
        }
    }
    out
}

/// The names of the machines of the chosen connection (resolved as the window resolves
/// its first one) that start with what was typed.
pub fn machines(current: &OsStr) -> Vec<CompletionCandidate> {
    let Some(current) = current.to_str() else {
        return Vec::new();
    };
    let bash = for_bash();
    let current = if bash {
        bash_unescape(current)
    } else {
        current.to_string()
    };
    // No message may reach the prompt: libvirt's own printing is off.
    virt::error::clear_error_callback();
    let settings = Settings::open().ok();
    let uri = crate::app::initial_uri(typed_connection(), settings.as_ref());
    // A service that does not answer must not hold the prompt up.
    let Ok(conn) = crate::backend::uri::open_within(&uri, std::time::Duration::from_secs(2)) else {
        return Vec::new();
    };
    let mut names: Vec<String> = conn
        .list_all_domains(0)
        .map(|doms| doms.iter().filter_map(|d| d.name().ok()).collect())
        .unwrap_or_default();
    drop(conn);
    names.retain(|n| n.starts_with(&current));
    names.sort();
    names
        .into_iter()
        .map(|n| CompletionCandidate::new(if bash { bash_escape(&n) } else { n }))
        .collect()
}

/// The connections Bilik knows: this computer's, your session, and the ones added in the
/// window (saved in its settings).
pub fn connections(current: &OsStr) -> Vec<CompletionCandidate> {
    let current = current.to_str().unwrap_or("");
    let mut uris = vec![SYSTEM_URI.to_string(), SESSION_URI.to_string()];
    if let Ok(s) = Settings::open() {
        uris.extend(s.strv(Key::CustomConnections));
    }
    uris.dedup();
    uris.into_iter()
        .filter(|u| u.starts_with(current))
        .map(CompletionCandidate::new)
        .collect()
}

/// Disc images (files ending in .iso) and folders to look into.
pub fn isos(current: &OsStr) -> Vec<CompletionCandidate> {
    PathCompleter::any()
        .filter(|p| p.is_dir() || p.extension().is_some_and(|e| e.eq_ignore_ascii_case("iso")))
        .complete(current)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_connection_is_found_in_bash_split_words() {
        let w = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(
            connection_in(&w(&["bilik", "-c", "qemu", ":", "///system", "start", "x"])).as_deref(),
            Some("qemu:///system")
        );
        assert_eq!(
            connection_in(&w(&["bilik", "--connect", "test:///tmp/n.xml", "start"])).as_deref(),
            Some("test:///tmp/n.xml")
        );
        assert_eq!(
            connection_in(&w(&["bilik", "--connect=qemu:///session", "list"])).as_deref(),
            Some("qemu:///session")
        );
        assert_eq!(connection_in(&w(&["bilik", "start"])), None);
    }

    #[test]
    fn bash_gets_names_escaped() {
        assert_eq!(bash_escape("test two"), "test\\ two");
        assert_eq!(bash_escape("a'b$c"), "a\\'b\\$c");
        assert_eq!(bash_unescape("test\\ t"), "test t");
        assert_eq!(bash_unescape("'test t"), "test t");
    }
}
