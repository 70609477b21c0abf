//! The splicing XML editor (every change Bilik makes to a machine's definition): random
//! edits on random well-formed domain XML. An edit that succeeds gives well-formed XML in
//! which every element outside the edited one is still there, attributes and all.
#![no_main]

use arbitrary::Arbitrary;
use bilik::backend::xml_edit::XmlDoc;
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
enum Edit {
    SetAttr {
        path: u8,
        name: String,
        value: String,
    },
    SetText {
        path: u8,
        value: String,
    },
    AppendChild {
        path: u8,
        child: String,
        attr: String,
    },
    Ensure {
        path: u8,
        child: String,
    },
    Remove {
        path: u8,
    },
}

#[derive(Arbitrary, Debug)]
struct Input {
    xml: String,
    edits: Vec<Edit>,
}

const BASE: &str = "<domain type='kvm' xmlns:q='http://libvirt.org/schemas/domain/qemu/1.0'>\n  <name>vm</name>\n  <memory unit='KiB'>1048576</memory>\n  <os><type arch='x86_64'>hvm</type><boot dev='hd'/></os>\n  <devices>\n    <disk type='file' device='disk'><source file='/a &amp; b.qcow2'/><target dev='vda'/></disk>\n    <graphics type='spice'><listen type='none'/></graphics>\n    <!-- a comment -->\n  </devices>\n  <q:commandline><q:arg value='-x'/></q:commandline>\n</domain>\n";

const PATHS: &[&[&str]] = &[
    &["domain"],
    &["domain", "name"],
    &["domain", "memory"],
    &["domain", "os"],
    &["domain", "os", "boot"],
    &["domain", "devices"],
    &["domain", "devices", "disk"],
    &["domain", "devices", "graphics[type=spice]"],
    &["domain", "devices", "graphics[type=spice]", "clipboard"],
    &["devices", "disk", "source"],
    &["domain", "metadata"],
];

/// Every element as (its path of names, its attributes), outside `skip` (an element path
/// prefix): what an edit of `skip` must leave alone.
fn elements(xml: &str, skip: &[&str]) -> Vec<String> {
    let doc = roxmltree::Document::parse(xml).expect("well-formed");
    let mut out: Vec<String> = doc
        .descendants()
        .filter(|n| n.is_element())
        .filter_map(|n| {
            let path: Vec<&str> = n
                .ancestors()
                .filter(|a| a.is_element())
                .map(|a| a.tag_name().name())
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            let bare: Vec<&str> = skip.iter().map(|s| s.split('[').next().unwrap()).collect();
            let inside = path.len() >= bare.len() && path[..bare.len()] == bare[..]
                || (bare.first() != Some(&"domain") && path.windows(bare.len()).any(|w| w == bare));
            if inside {
                return None;
            }
            let mut attrs: Vec<String> = n
                .attributes()
                .map(|a| format!("{}={}", a.name(), a.value()))
                .collect();
            attrs.sort();
            Some(format!("{}[{}]", path.join("/"), attrs.join(",")))
        })
        .collect();
    out.sort();
    out
}

fn clean(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .take(12)
        .collect()
}

fuzz_target!(|input: Input| {
    let xml = match roxmltree::Document::parse(&input.xml) {
        Ok(d) if d.root_element().has_tag_name("domain") => input.xml.clone(),
        _ => BASE.to_string(),
    };
    let Ok(mut doc) = XmlDoc::new(xml.clone()) else {
        return;
    };
    for edit in input.edits.iter().take(8) {
        let before = doc.text().to_string();
        let (path, result) = match edit {
            Edit::SetAttr { path, name, value } => {
                let p = PATHS[*path as usize % PATHS.len()];
                let name = clean(name);
                if name.is_empty() || !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
                    continue;
                }
                (p, doc.set_attr(p, &name, value))
            }
            Edit::SetText { path, value } => {
                let p = PATHS[*path as usize % PATHS.len()];
                (p, doc.set_text(p, value))
            }
            Edit::AppendChild { path, child, attr } => {
                let p = PATHS[*path as usize % PATHS.len()];
                let child = clean(child);
                if child.is_empty() || !child.starts_with(|c: char| c.is_ascii_alphabetic()) {
                    continue;
                }
                let xml = format!(
                    "<{child} a='{}'/>",
                    bilik::backend::xml_edit::escape_attr(attr)
                );
                (p, doc.append_child(p, &xml))
            }
            Edit::Ensure { path, child } => {
                let p = PATHS[*path as usize % PATHS.len()];
                let child = clean(child);
                if child.is_empty() || !child.starts_with(|c: char| c.is_ascii_alphabetic()) {
                    continue;
                }
                (p, doc.ensure_child(p, &child, &format!("<{child}/>")))
            }
            Edit::Remove { path } => {
                let p = PATHS[*path as usize % PATHS.len()];
                if p.len() == 1 {
                    continue; // the root stays
                }
                (p, doc.remove(p))
            }
        };
        let after = doc.text().to_string();
        if result.is_err() {
            assert_eq!(before, after, "a refused edit changes nothing");
            continue;
        }
        roxmltree::Document::parse(&after)
            .unwrap_or_else(|e| panic!("{edit:?} gave ill-formed XML ({e}):\n{after}"));
        assert_eq!(
            elements(&before, path),
            elements(&after, path),
            "{edit:?} changed elements outside {path:?}"
        );
    }
});
