//! Editing libvirt XML without losing anything: every change splices the original text at
//! the byte positions the parser reports, so elements, attributes, comments, namespaces and
//! formatting Bilik does not touch stay exactly as they were. Never regenerate a document
//! from a partial struct.
//!
//! Elements are found by a path of steps from the root, each `name` or `name[attr=value]`,
//! e.g. `["devices", "graphics[type=spice]", "clipboard"]`.

use std::ops::Range;

/// A document being edited.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XmlDoc {
    text: String,
}

/// Why an edit could not be made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EditError {
    /// The text is not well-formed XML (the parser's message).
    Parse(String),
    /// No element at this path.
    NotFound(String),
    /// A character XML cannot hold (a control character such as NUL): refused rather
    /// than written into an ill-formed definition (found by fuzzing, see fuzz/).
    BadCharacter(char),
}

/// The first character of `value` that XML 1.0 cannot hold, if any.
fn bad_character(value: &str) -> Option<char> {
    value.chars().find(|&c| {
        (c < ' ' && !matches!(c, '\t' | '\n' | '\r')) || c == '\u{fffe}' || c == '\u{ffff}'
    })
}

struct Step<'a> {
    name: &'a str,
    attr: Option<(&'a str, &'a str)>,
}

fn parse_step(step: &str) -> Step<'_> {
    match step.split_once('[') {
        Some((name, rest)) => {
            let cond = rest.trim_end_matches(']');
            let attr = cond.split_once('=').map(|(k, v)| (k, v.trim_matches('\'')));
            Step { name, attr }
        }
        None => Step {
            name: step,
            attr: None,
        },
    }
}

/// Escapes a value for an attribute in single quotes (libvirt's own style).
pub fn escape_attr(value: &str) -> String {
    value
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('\'', "&apos;")
        .replace('"', "&quot;")
        // Kept as they are: a parser turns them into spaces in an attribute otherwise.
        .replace('\t', "&#9;")
        .replace('\n', "&#10;")
        .replace('\r', "&#13;")
}

/// Where an element's pieces are in the text.
struct Located {
    /// The whole element, `<name …>` to the end of `</name>` (or `/>`).
    whole: Range<usize>,
    /// Position right after the last attribute (or the name): where a new attribute goes.
    attr_insert: usize,
    /// For self-closing elements, the position of `/>`; otherwise None.
    self_closing_at: Option<usize>,
    /// Start of the end tag `</name>`, if any.
    end_tag: Option<usize>,
    /// The value range of the attribute that was asked about, if present.
    attr_value: Option<Range<usize>>,
}

impl XmlDoc {
    pub fn new(text: impl Into<String>) -> Result<XmlDoc, EditError> {
        let text = text.into();
        roxmltree::Document::parse(&text).map_err(|e| EditError::Parse(e.to_string()))?;
        Ok(XmlDoc { text })
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn into_text(self) -> String {
        self.text
    }

    fn locate(&self, path: &[&str], attr: Option<&str>) -> Result<Located, EditError> {
        let doc =
            roxmltree::Document::parse(&self.text).map_err(|e| EditError::Parse(e.to_string()))?;
        let node = find_node(&doc, path).ok_or_else(|| EditError::NotFound(path.join("/")))?;
        let whole = node.range();
        let text = &self.text;
        let name_end = whole.start + 1 + qualified_name_len(&text[whole.start + 1..]);
        let after_attrs = node
            .attributes()
            .map(|a| a.range().end)
            .max()
            .unwrap_or(name_end)
            .max(name_end);
        let gt = after_attrs + text[after_attrs..].find('>').expect("a start tag ends");
        let self_closing = text[..gt].ends_with('/');
        let end_tag = (!self_closing)
            .then(|| whole.start + text[whole.clone()].rfind("</").expect("end tag"));
        let attr_value = attr.and_then(|name| {
            node.attributes()
                .find(|a| a.name() == name && a.namespace().is_none())
                .map(|a| a.range_value())
        });
        Ok(Located {
            whole,
            attr_insert: after_attrs,
            self_closing_at: self_closing.then_some(gt - 1),
            end_tag,
            attr_value,
        })
    }

    /// Whether an element exists at `path`.
    pub fn exists(&self, path: &[&str]) -> bool {
        self.locate(path, None).is_ok()
    }

    /// Sets attribute `name` of the element at `path` (adds it if missing).
    pub fn set_attr(&mut self, path: &[&str], name: &str, value: &str) -> Result<(), EditError> {
        if let Some(c) = bad_character(value) {
            return Err(EditError::BadCharacter(c));
        }
        let at = self.locate(path, Some(name))?;
        let value = escape_attr(value);
        match at.attr_value {
            Some(r) => self.text.replace_range(r, &value),
            None => self
                .text
                .insert_str(at.attr_insert, &format!(" {name}='{value}'")),
        }
        Ok(())
    }

    /// Adds `xml` as the last child of the element at `path`, indented like its siblings.
    /// A fragment that is not well-formed XML (a value escaped but holding a character XML
    /// cannot hold) is refused, and the document stays as it was.
    pub fn append_child(&mut self, path: &[&str], xml: &str) -> Result<(), EditError> {
        if let Some(c) = bad_character(xml) {
            return Err(EditError::BadCharacter(c));
        }
        let before = self.text.clone();
        self.insert_child(path, xml)?;
        // Checked in place (its prefixes may be declared above it).
        if let Err(e) = roxmltree::Document::parse(&self.text) {
            self.text = before;
            return Err(EditError::Parse(e.to_string()));
        }
        Ok(())
    }

    fn insert_child(&mut self, path: &[&str], xml: &str) -> Result<(), EditError> {
        let at = self.locate(path, None)?;
        let line_start = self.text[..at.whole.start].rfind('\n').map_or(0, |i| i + 1);
        let indent: String = self.text[line_start..at.whole.start]
            .chars()
            .take_while(|c| c.is_whitespace())
            .collect();
        match (at.self_closing_at, at.end_tag) {
            (Some(slash), _) => {
                // <devices/> → <devices>\n  child\n</devices>
                let name = &self.text[at.whole.start + 1..at.attr_insert];
                let name = name.split_whitespace().next().unwrap_or(name).to_string();
                let replacement = format!(">\n{indent}  {xml}\n{indent}</{name}>");
                self.text.replace_range(slash..slash + 2, &replacement);
            }
            (None, Some(end)) => {
                let end_line_start = self.text[..end].rfind('\n').map_or(0, |i| i + 1);
                if self.text[end_line_start..end].trim().is_empty() {
                    self.text
                        .insert_str(end_line_start, &format!("{indent}  {xml}\n"));
                } else {
                    self.text.insert_str(end, xml);
                }
            }
            (None, None) => unreachable!("an element either self-closes or has an end tag"),
        }
        Ok(())
    }

    /// Makes sure an element `child` (a step, e.g. `clipboard`) exists under `path`, adding
    /// `xml` when it does not.
    pub fn ensure_child(&mut self, path: &[&str], child: &str, xml: &str) -> Result<(), EditError> {
        let mut full: Vec<&str> = path.to_vec();
        full.push(child);
        if !self.exists(&full) {
            self.append_child(path, xml)?;
        }
        Ok(())
    }

    /// Sets the text of the element at `path` (an element holding only text, like
    /// `<vcpu>`), keeping its attributes.
    pub fn set_text(&mut self, path: &[&str], value: &str) -> Result<(), EditError> {
        if let Some(c) = bad_character(value) {
            return Err(EditError::BadCharacter(c));
        }
        let at = self.locate(path, None)?;
        let value = escape_attr(value);
        match (at.self_closing_at, at.end_tag) {
            (Some(slash), _) => {
                let name = &self.text[at.whole.start + 1..at.attr_insert];
                let name = name.split_whitespace().next().unwrap_or(name).to_string();
                self.text
                    .replace_range(slash..slash + 2, &format!(">{value}</{name}>"));
            }
            (None, Some(end)) => {
                let open_end = at.attr_insert
                    + self.text[at.attr_insert..]
                        .find('>')
                        .expect("a start tag ends")
                    + 1;
                if self.text[open_end..end].contains('<') {
                    return Err(EditError::NotFound(format!(
                        "{} (holds elements)",
                        path.join("/")
                    )));
                }
                self.text.replace_range(open_end..end, &value);
            }
            (None, None) => unreachable!("an element either self-closes or has an end tag"),
        }
        Ok(())
    }

    /// Removes the element at `path` (with its line, when it stands alone on one).
    pub fn remove(&mut self, path: &[&str]) -> Result<(), EditError> {
        let at = self.locate(path, None)?;
        self.remove_range(at.whole);
        Ok(())
    }
}

/// The element at `path`. The first step may name the root element itself (`["domain"]`
/// is the root; `["devices"]` and `["domain", "devices"]` are the same element).
fn find_node<'a, 'i>(
    doc: &'a roxmltree::Document<'i>,
    path: &[&str],
) -> Option<roxmltree::Node<'a, 'i>> {
    let mut node = doc.root_element();
    let mut steps = path.iter().peekable();
    if let Some(first) = steps.peek() {
        if node.has_tag_name(parse_step(first).name) {
            steps.next();
        }
    }
    for step in steps {
        let s = parse_step(step);
        node = node
            .children()
            .filter(|c| c.is_element() && c.tag_name().name() == s.name)
            .find(|c| match s.attr {
                Some((k, v)) => c.attribute(k) == Some(v),
                None => true,
            })?;
    }
    Some(node)
}

impl XmlDoc {
    /// Removes the first child element `child` of the element at `parent` for which `pred`
    /// holds (with its line, when it stands alone on one). Returns whether one was removed.
    pub fn remove_child_where(
        &mut self,
        parent: &[&str],
        child: &str,
        pred: impl Fn(roxmltree::Node) -> bool,
    ) -> Result<bool, EditError> {
        let Some(range) = self.child_range(parent, child, pred)? else {
            return Ok(false);
        };
        self.remove_range(range);
        Ok(true)
    }

    /// Edits the first child element `child` of `parent` for which `pred` holds, in place:
    /// `edit` gets that element as a document of its own (its root is the child), and the
    /// result is spliced back. Returns whether one was found.
    pub fn edit_child_where(
        &mut self,
        parent: &[&str],
        child: &str,
        pred: impl Fn(roxmltree::Node) -> bool,
        edit: impl FnOnce(&mut XmlDoc) -> Result<(), EditError>,
    ) -> Result<bool, EditError> {
        let Some(range) = self.child_range(parent, child, pred)? else {
            return Ok(false);
        };
        let mut sub = XmlDoc::new(self.text[range.clone()].to_string())?;
        edit(&mut sub)?;
        self.text.replace_range(range, sub.text());
        Ok(true)
    }

    /// Where the first child element `child` of `parent` for which `pred` holds is.
    fn child_range(
        &self,
        parent: &[&str],
        child: &str,
        pred: impl Fn(roxmltree::Node) -> bool,
    ) -> Result<Option<Range<usize>>, EditError> {
        let doc =
            roxmltree::Document::parse(&self.text).map_err(|e| EditError::Parse(e.to_string()))?;
        let p = find_node(&doc, parent).ok_or_else(|| EditError::NotFound(parent.join("/")))?;
        Ok(p.children()
            .find(|c| c.is_element() && c.tag_name().name() == child && pred(*c))
            .map(|n| n.range()))
    }

    fn remove_range(&mut self, mut r: Range<usize>) {
        let line_start = self.text[..r.start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = self.text[r.end..]
            .find('\n')
            .map_or(self.text.len(), |i| r.end + i + 1);
        if self.text[line_start..r.start].trim().is_empty()
            && self.text[r.end..line_end].trim().is_empty()
        {
            r = line_start..line_end;
        }
        self.text.replace_range(r, "");
    }
}

fn qualified_name_len(s: &str) -> usize {
    s.find(|c: char| c.is_whitespace() || c == '>' || c == '/')
        .unwrap_or(s.len())
}

#[cfg(test)]
mod tests {
    #[test]
    fn characters_xml_cannot_hold_are_refused() {
        // Found by build-aux/fuzz (xml_edit): a NUL written into <name> made the
        // definition ill-formed.
        let mut d = XmlDoc::new("<domain><name>vm</name></domain>").unwrap();
        assert_eq!(
            d.set_text(&["domain", "name"], "\0"),
            Err(EditError::BadCharacter('\0'))
        );
        assert_eq!(
            d.set_attr(&["domain", "name"], "a", "x\u{1b}y"),
            Err(EditError::BadCharacter('\u{1b}'))
        );
        // …and in a child added (found next: an escaped value holding a NUL).
        assert_eq!(
            d.append_child(&["domain"], "<uu a='\0'/>"),
            Err(EditError::BadCharacter('\0'))
        );
        assert!(matches!(
            d.append_child(&["domain"], "<open>"),
            Err(EditError::Parse(_))
        ));
        assert_eq!(d.text(), "<domain><name>vm</name></domain>");
        // Line breaks and tabs stay what they are, in text and in attributes.
        d.set_attr(&["domain", "name"], "a", "one\ntwo\tthree")
            .unwrap();
        let doc = roxmltree::Document::parse(d.text()).unwrap();
        let name = doc.descendants().find(|n| n.has_tag_name("name")).unwrap();
        assert_eq!(name.attribute("a"), Some("one\ntwo\tthree"));
    }

    use super::*;

    const XML: &str = "<domain type='kvm' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>
  <name>a</name>
  <!-- a comment Bilik must keep -->
  <metadata>
    <app1:foo xmlns:app1='http://example.org/'>keep &amp; me</app1:foo>
  </metadata>
  <devices>
    <graphics type='spice' autoport='yes'>
      <listen type='address'/>
    </graphics>
    <graphics type='vnc'/>
    <channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/></channel>
  </devices>
  <qemu:commandline>
    <qemu:arg value='-no-reboot'/>
  </qemu:commandline>
</domain>
";

    #[test]
    fn edits_touch_only_their_place() {
        let mut d = XmlDoc::new(XML).unwrap();
        d.ensure_child(
            &["devices", "graphics[type=spice]"],
            "clipboard",
            "<clipboard copypaste='no'/>",
        )
        .unwrap();
        d.set_attr(
            &["devices", "graphics[type=spice]", "clipboard"],
            "copypaste",
            "yes",
        )
        .unwrap();
        d.ensure_child(&["devices", "graphics[type=vnc]"], "x", "<x a='1'/>")
            .unwrap();
        let t = d.text();
        assert!(t.contains(
            "      <listen type='address'/>\n      <clipboard copypaste='yes'/>\n    </graphics>"
        ), "{t}");
        assert!(
            t.contains("<graphics type='vnc'>\n      <x a='1'/>\n    </graphics>"),
            "{t}"
        );
        // Everything else is byte-identical.
        for keep in [
            "<!-- a comment Bilik must keep -->",
            "<app1:foo xmlns:app1='http://example.org/'>keep &amp; me</app1:foo>",
            "<qemu:arg value='-no-reboot'/>",
            "<graphics type='spice' autoport='yes'>",
        ] {
            assert!(t.contains(keep), "{keep} lost");
        }
        // Attributes get added beside the existing ones, values escaped.
        d.set_attr(&["devices", "graphics[type=spice]"], "passwd", "a'b<c")
            .unwrap();
        assert!(d
            .text()
            .contains("<graphics type='spice' autoport='yes' passwd='a&apos;b&lt;c'>"));
        // Removing takes the whole line.
        d.remove(&["devices", "graphics[type=vnc]"]).unwrap();
        assert!(!d.text().contains("vnc"));
        assert!(d.text().contains("    </graphics>\n    <channel"));
        assert_eq!(
            d.set_attr(&["devices", "nothing"], "a", "b"),
            Err(EditError::NotFound("devices/nothing".into()))
        );
    }

    #[test]
    fn removing_and_re_adding_restores_the_text() {
        let mut d = XmlDoc::new(XML).unwrap();
        d.remove(&["devices", "channel"]).unwrap();
        d.append_child(
            &["devices"],
            "<channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/></channel>",
        )
        .unwrap();
        assert_eq!(d.text(), XML);
    }
}
