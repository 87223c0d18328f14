//! A guarded XML reader over quick-xml for bank files: local names, exact lines, small trees.
//!
//! quick-xml never expands entities or fetches anything by itself; this layer makes the policy
//! explicit and total: a document type declaration is a problem (it is where entities would be
//! declared), an entity reference other than the five XML predefines or a character reference
//! is a problem, and nesting deeper than `DEPTH_MAX` is a problem. Namespaces are read as
//! prefixes and dropped: camt versions differ in their namespace, not in the element names a
//! reader needs, so elements are matched by local name and the namespace is only reported.
//!
//! A whole document is never built: the camt reader walks the statement level event by event
//! and builds an `XmlElement` tree for one entry at a time, so memory follows the largest entry,
//! not the file.

use quick_xml::events::Event;
use quick_xml::{Reader, XmlVersion};

use super::{BankProblem, BankProblemKind, Field};

/// Deeper than any ISO 20022 message nests (a camt.053 entry is about 12 levels deep).
const DEPTH_MAX: usize = 64;

/// An element with its children, as read from the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct XmlElement {
    /// The local name (namespace prefix dropped).
    pub(crate) name: String,
    /// The path of local names from the root, for problems: `Document/BkToCstmrStmt/Stmt`.
    pub(crate) path: String,
    /// The line of the start tag.
    pub(crate) line: u64,
    /// Attributes by local name, values unescaped.
    pub(crate) attributes: Vec<(String, String)>,
    /// The element's own text (character data and CDATA, references resolved).
    pub(crate) text: String,
    pub(crate) children: Vec<XmlElement>,
}

impl XmlElement {
    pub(crate) fn child(&self, name: &str) -> Option<&XmlElement> {
        self.children.iter().find(|child| child.name == name)
    }

    pub(crate) fn children<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a XmlElement> {
        self.children.iter().filter(move |child| child.name == name)
    }

    /// The element at `path` below this one, following the first child of each name.
    pub(crate) fn find(&self, path: &[&str]) -> Option<&XmlElement> {
        path.iter()
            .try_fold(self, |element, name| element.child(name))
    }

    /// The trimmed text at `path`, when there is some.
    pub(crate) fn text_at(&self, path: &[&str]) -> Option<&str> {
        self.find(path)
            .map(|element| element.text.trim())
            .filter(|text| !text.is_empty())
    }

    pub(crate) fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// A problem located at this element.
    pub(crate) fn problem(&self, kind: BankProblemKind) -> BankProblem {
        BankProblem::new(self.line, kind).at(Field::Element(self.path.clone()))
    }
}

/// What the reader meets next at the current level.
#[derive(Debug)]
pub(crate) enum Node {
    /// A start tag; its children have not been read (`XmlReader::read_element` reads them).
    Start(XmlElement),
    End,
    Text(String),
    Eof,
}

pub(crate) struct XmlReader<'a> {
    reader: Reader<&'a [u8]>,
    source: &'a str,
    /// Line counting is incremental: newlines up to `counted_to` make `line`.
    counted_to: usize,
    line: u64,
    /// Local names of the open elements.
    open: Vec<String>,
    /// An empty element `<a/>` was returned as a start: its end comes next.
    pending_end: bool,
}

impl<'a> XmlReader<'a> {
    pub(crate) fn new(source: &'a str) -> XmlReader<'a> {
        let mut reader = Reader::from_str(source);
        let config = reader.config_mut();
        config.trim_text(false);
        config.check_end_names = true;
        XmlReader {
            reader,
            source,
            counted_to: 0,
            line: 1,
            open: Vec::new(),
            pending_end: false,
        }
    }

    fn line_at(&mut self, offset: u64) -> u64 {
        let offset = usize::try_from(offset)
            .unwrap_or(usize::MAX)
            .min(self.source.len());
        if offset >= self.counted_to {
            self.line += memchr::memchr_iter(
                b'\n',
                &self.source.as_bytes()[self.counted_to..offset],
            )
            .count() as u64;
            self.counted_to = offset;
        }
        self.line
    }

    fn path(&self) -> String {
        self.open.join("/")
    }

    /// The next node, refusing what bank files never need.
    pub(crate) fn next(&mut self) -> Result<Node, BankProblem> {
        if self.pending_end {
            self.pending_end = false;
            self.open.pop();
            return Ok(Node::End);
        }
        loop {
            let before = self.reader.buffer_position();
            let event = match self.reader.read_event() {
                Ok(event) => event,
                Err(error) => {
                    let line = self.line_at(self.reader.error_position());
                    return Err(BankProblem::new(
                        line,
                        BankProblemKind::MalformedXml {
                            reason: error.to_string(),
                        },
                    ));
                }
            };
            let line = self.line_at(before);
            match event {
                Event::Start(start) | Event::Empty(start) if self.open.len() >= DEPTH_MAX => {
                    let _ = start;
                    return Err(BankProblem::new(line, BankProblemKind::TooDeep)
                        .at(Field::Element(self.path())));
                }
                Event::Start(start) => {
                    let element = self.element(&start, line)?;
                    return Ok(Node::Start(element));
                }
                Event::Empty(start) => {
                    let element = self.element(&start, line)?;
                    self.pending_end = true;
                    return Ok(Node::Start(element));
                }
                Event::End(_) => {
                    self.open.pop();
                    return Ok(Node::End);
                }
                Event::Text(text) => {
                    return Ok(Node::Text(
                        text.xml_content(XmlVersion::Implicit1_0).into_owned(),
                    ));
                }
                Event::CData(data) => {
                    return Ok(Node::Text(
                        data.xml_content(XmlVersion::Implicit1_0).into_owned(),
                    ));
                }
                Event::GeneralRef(reference) => {
                    let resolved = match reference.resolve_char_ref() {
                        Ok(Some(character)) => Some(character.to_string()),
                        Ok(None) => {
                            quick_xml::escape::resolve_xml_entity(&reference).map(str::to_owned)
                        }
                        Err(_) => None,
                    };
                    return match resolved {
                        Some(text) => Ok(Node::Text(text)),
                        None => Err(BankProblem::new(line, BankProblemKind::EntityRefused)
                            .at(Field::Element(self.path()))
                            .with_value(&format!("&{};", &*reference))),
                    };
                }
                Event::DocType(_) => {
                    return Err(BankProblem::new(line, BankProblemKind::DtdRefused));
                }
                Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
                Event::Eof => {
                    if !self.open.is_empty() {
                        return Err(BankProblem::new(
                            line,
                            BankProblemKind::MalformedXml {
                                reason: format!("the file ends inside <{}>", self.path()),
                            },
                        ));
                    }
                    return Ok(Node::Eof);
                }
            }
        }
    }

    fn element(
        &mut self,
        start: &quick_xml::events::BytesStart<'_>,
        line: u64,
    ) -> Result<XmlElement, BankProblem> {
        let name = local(start.name().as_ref()).to_owned();
        self.open.push(name.clone());
        let path = self.path();
        let mut attributes = Vec::new();
        for attribute in start.attributes() {
            let invalid = |reason: String| {
                BankProblem::new(line, BankProblemKind::MalformedXml { reason })
                    .at(Field::Element(path.clone()))
            };
            let attribute = attribute.map_err(|error| invalid(error.to_string()))?;
            let value = attribute
                .normalized_value(XmlVersion::Implicit1_0)
                .map_err(|_| {
                    BankProblem::new(line, BankProblemKind::EntityRefused)
                        .at(Field::Element(path.clone()))
                        .with_value(&attribute.value)
                })?;
            let key: &str = attribute.key.as_ref();
            // `xmlns` and `xmlns:p` keep their full name: the camt reader reads the namespace.
            let key = if key.starts_with("xmlns") {
                key
            } else {
                local(key)
            };
            attributes.push((key.to_owned(), value.into_owned()));
        }
        Ok(XmlElement {
            name,
            path,
            line,
            attributes,
            text: String::new(),
            children: Vec::new(),
        })
    }

    /// Reads the children and text of `element`, just returned by `next` as a start, up to
    /// its end tag.
    pub(crate) fn read_element(&mut self, element: XmlElement) -> Result<XmlElement, BankProblem> {
        let mut stack = vec![element];
        loop {
            match self.next()? {
                Node::Start(child) => stack.push(child),
                Node::Text(text) => {
                    if let Some(open) = stack.last_mut() {
                        open.text.push_str(&text);
                    }
                }
                Node::End => {
                    let Some(done) = stack.pop() else {
                        unreachable!("the stack holds the element being read");
                    };
                    match stack.last_mut() {
                        Some(parent) => parent.children.push(done),
                        None => return Ok(done),
                    }
                }
                Node::Eof => unreachable!("`next` reports a file that ends inside an element"),
            }
        }
    }

    /// Skips what is left of an element whose start was just returned by `next`.
    pub(crate) fn skip_element(&mut self) -> Result<(), BankProblem> {
        let mut depth = 1_usize;
        while depth > 0 {
            match self.next()? {
                Node::Start(_) => depth += 1,
                Node::End => depth -= 1,
                Node::Text(_) => {}
                Node::Eof => unreachable!("`next` reports a file that ends inside an element"),
            }
        }
        Ok(())
    }
}

/// The name without its namespace prefix.
fn local(name: &str) -> &str {
    name.rsplit_once(':').map_or(name, |(_, local)| local)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_root(source: &str) -> Result<XmlElement, BankProblem> {
        let mut reader = XmlReader::new(source);
        loop {
            match reader.next()? {
                Node::Start(root) => return reader.read_element(root),
                Node::Text(_) => {}
                Node::End | Node::Eof => unreachable!("no root in {source}"),
            }
        }
    }

    #[test]
    fn elements_have_local_names_lines_and_paths() {
        let root = read_root(
            "<?xml version=\"1.0\"?>\n<d:Document xmlns:d=\"urn:x\">\n  <d:Amt Ccy=\"EUR\">1.00</d:Amt>\n  <Empty/>\n</d:Document>",
        )
        .unwrap();
        assert_eq!(root.name, "Document");
        assert_eq!(root.attribute("xmlns:d"), Some("urn:x"));
        let amount = root.child("Amt").unwrap();
        assert_eq!(
            (amount.line, amount.path.as_str(), amount.text.as_str()),
            (3, "Document/Amt", "1.00")
        );
        assert_eq!(amount.attribute("Ccy"), Some("EUR"));
        assert_eq!(root.child("Empty").map(|empty| empty.line), Some(4));
    }

    #[test]
    fn predefined_and_character_references_are_read() {
        let root = read_root("<a>Caf&#233; &amp; th&#xE9; &lt;3 <![CDATA[<raw>]]></a>").unwrap();
        assert_eq!(root.text, "Café & thé <3 <raw>");
    }

    #[test]
    fn declared_entities_and_document_types_are_refused() {
        let undeclared = read_root("<a>\n<b>&xxe;</b></a>").unwrap_err();
        assert_eq!(undeclared.kind, BankProblemKind::EntityRefused);
        assert_eq!(undeclared.line, 2);
        assert_eq!(undeclared.value.as_deref(), Some("&xxe;"));
        let doctype =
            read_root("<?xml version=\"1.0\"?>\n<!DOCTYPE a [<!ENTITY b \"c\">]>\n<a>&b;</a>")
                .unwrap_err();
        assert_eq!(
            (doctype.kind, doctype.line),
            (BankProblemKind::DtdRefused, 2)
        );
        let in_attribute = read_root("<a b=\"&c;\"/>").unwrap_err();
        assert_eq!(in_attribute.kind, BankProblemKind::EntityRefused);
    }

    #[test]
    fn malformed_documents_are_located() {
        let problem = read_root("<a>\n<b>\n</c>\n</a>").unwrap_err();
        assert!(matches!(problem.kind, BankProblemKind::MalformedXml { .. }));
        assert_eq!(problem.line, 3);
        let truncated = read_root("<a>\n<b>text").unwrap_err();
        assert!(matches!(
            truncated.kind,
            BankProblemKind::MalformedXml { .. }
        ));
    }

    #[test]
    fn nesting_is_bounded() {
        let deep = format!(
            "{}{}",
            "<a>".repeat(DEPTH_MAX + 1),
            "</a>".repeat(DEPTH_MAX + 1)
        );
        assert_eq!(read_root(&deep).unwrap_err().kind, BankProblemKind::TooDeep);
    }
}
