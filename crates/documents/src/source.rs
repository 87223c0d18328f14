//! A template as a user edits it: one text file with a part per output, each introduced by a
//! line such as `=== subject ===`.
//!
//! ```text
//! === subject ===
//! Facture {{ invoices[0].number }} en attente de règlement
//! === text ===
//! Bonjour,
//! …
//! @invoices
//! …
//! === sms ===
//! {{ creditor.name }} : …
//! ```
//!
//! Parts: `subject` (the e-mail subject and the letter's "Objet"), `text` (the e-mail's text
//! body, the letter's body, the call script), `html` (optional: the e-mail's HTML body, built
//! from the text when absent) and `sms` (optional: the text of an SMS). `subject` and `text` are
//! required. Each part keeps the line it starts on, so that a problem found while compiling or
//! rendering it is reported at its line in the file.

use std::fmt;

use crate::problem::{ProblemKind, TemplateProblem};

/// One output of a template.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Part {
    Subject,
    Text,
    Html,
    Sms,
}

impl Part {
    pub const ALL: [Part; 4] = [Part::Subject, Part::Text, Part::Html, Part::Sms];

    pub fn code(&self) -> &'static str {
        match self {
            Part::Subject => "subject",
            Part::Text => "text",
            Part::Html => "html",
            Part::Sms => "sms",
        }
    }

    pub fn parse(text: &str) -> Option<Part> {
        let wanted = text.trim().to_ascii_lowercase();
        Part::ALL.into_iter().find(|part| part.code() == wanted)
    }
}

impl fmt::Display for Part {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// The parts of a template, as written (not yet compiled).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateSource {
    pub subject: String,
    pub text: String,
    pub html: Option<String>,
    pub sms: Option<String>,
}

/// A source with the line of the file each part starts on (1-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocatedSource {
    pub source: TemplateSource,
    first_lines: [usize; 4],
}

impl LocatedSource {
    /// The file line of the part's first line.
    pub fn first_line(&self, part: Part) -> usize {
        self.first_lines[part as usize]
    }
}

impl TemplateSource {
    pub fn part(&self, part: Part) -> Option<&str> {
        match part {
            Part::Subject => Some(&self.subject),
            Part::Text => Some(&self.text),
            Part::Html => self.html.as_deref(),
            Part::Sms => self.sms.as_deref(),
        }
    }

    /// Reads a template file. Every problem of the file's layout is reported, with its line.
    pub fn parse(file: &str) -> Result<LocatedSource, Vec<TemplateProblem>> {
        let mut problems = Vec::new();
        let mut parts: [Option<(usize, Vec<&str>)>; 4] = Default::default();
        let mut current: Option<Part> = None;
        let mut ignoring = false;
        for (index, line) in file.lines().enumerate() {
            let number = index + 1;
            let trimmed = line.trim();
            if trimmed.starts_with("===") {
                let name = trimmed.trim_matches('=').trim();
                match Part::parse(name) {
                    Some(part) if parts[part as usize].is_some() => {
                        problems.push(TemplateProblem::at(number, ProblemKind::PartTwice { part }));
                        current = None;
                        ignoring = true;
                    }
                    Some(part) => {
                        parts[part as usize] = Some((number + 1, Vec::new()));
                        current = Some(part);
                        ignoring = false;
                    }
                    None => {
                        problems.push(TemplateProblem::at(
                            number,
                            ProblemKind::UnknownPart {
                                name: name.to_owned(),
                            },
                        ));
                        current = None;
                        ignoring = true;
                    }
                }
                continue;
            }
            match current {
                Some(part) => {
                    if let Some((_, lines)) = &mut parts[part as usize] {
                        lines.push(line);
                    }
                }
                None if ignoring || trimmed.is_empty() => {}
                None => {
                    problems.push(TemplateProblem::at(number, ProblemKind::TextOutsidePart));
                    ignoring = true;
                }
            }
        }
        let mut first_lines = [0; 4];
        let mut texts: [Option<String>; 4] = Default::default();
        for part in Part::ALL {
            if let Some((first, lines)) = &parts[part as usize] {
                // Blank lines around a part are layout, not content.
                let leading = lines.iter().take_while(|l| l.trim().is_empty()).count();
                let trailing = lines[leading..]
                    .iter()
                    .rev()
                    .take_while(|l| l.trim().is_empty())
                    .count();
                let body = &lines[leading..lines.len() - trailing];
                first_lines[part as usize] = first + leading;
                texts[part as usize] = Some(body.join("\n"));
            }
        }
        let end = file.lines().count() + 1;
        for part in [Part::Subject, Part::Text] {
            let missing = texts[part as usize]
                .as_deref()
                .is_none_or(|text| text.trim().is_empty());
            if missing {
                let line = parts[part as usize]
                    .as_ref()
                    .map_or(end, |(first, _)| first - 1);
                problems.push(TemplateProblem::at(line, ProblemKind::MissingPart { part }));
            }
        }
        if !problems.is_empty() {
            problems.sort_by_key(|problem| problem.line);
            return Err(problems);
        }
        let [subject, text, html, sms] = texts;
        Ok(LocatedSource {
            source: TemplateSource {
                subject: subject.expect("checked above"),
                text: text.expect("checked above"),
                html: html.filter(|html| !html.trim().is_empty()),
                sms: sms.filter(|sms| !sms.trim().is_empty()),
            },
            first_lines,
        })
    }

    /// The file a user edits: `parse(to_file())` gives the same source back.
    pub fn to_file(&self) -> String {
        let mut file = String::new();
        for part in Part::ALL {
            if let Some(text) = self.part(part) {
                file.push_str(&format!("=== {part} ===\n{text}\n"));
            }
        }
        file
    }

    /// The source with the lines its parts have in `to_file()`: where a stored template's
    /// problems are reported.
    pub fn located(&self) -> LocatedSource {
        let mut first_lines = [0; 4];
        let mut line = 1;
        for part in Part::ALL {
            if let Some(text) = self.part(part) {
                first_lines[part as usize] = line + 1;
                line += 1 + text.lines().count().max(1);
            }
        }
        LocatedSource {
            source: self.clone(),
            first_lines,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_reads_into_parts_that_remember_their_lines() {
        let file = "\n=== subject ===\nBonjour {{ customer.name }}\n=== text ===\n\nLigne 1\n\nLigne 3\n\n=== sms ===\nSMS\n";
        let located = TemplateSource::parse(file).unwrap();
        assert_eq!(located.source.subject, "Bonjour {{ customer.name }}");
        assert_eq!(located.source.text, "Ligne 1\n\nLigne 3");
        assert_eq!(located.source.html, None);
        assert_eq!(located.source.sms.as_deref(), Some("SMS"));
        assert_eq!(located.first_line(Part::Subject), 3);
        assert_eq!(located.first_line(Part::Text), 6);
        assert_eq!(located.first_line(Part::Sms), 11);
    }

    #[test]
    fn to_file_reads_back_the_same_and_locates_as_it_lays_out() {
        let source = TemplateSource {
            subject: "S".to_owned(),
            text: "a\n\nb".to_owned(),
            html: Some("<p>x</p>".to_owned()),
            sms: None,
        };
        let file = source.to_file();
        let parsed = TemplateSource::parse(&file).unwrap();
        assert_eq!(parsed.source, source);
        assert_eq!(parsed, source.located());
    }

    #[test]
    fn layout_problems_are_all_reported_with_their_lines() {
        let file = "hello\n=== subjet ===\nx\n=== text ===\n=== text ===\ny\n";
        let problems = TemplateSource::parse(file).unwrap_err();
        let found: Vec<(usize, ProblemKind)> = problems
            .into_iter()
            .map(|problem| (problem.line, problem.kind))
            .collect();
        assert_eq!(
            found,
            vec![
                (1, ProblemKind::TextOutsidePart),
                (
                    2,
                    ProblemKind::UnknownPart {
                        name: "subjet".to_owned()
                    }
                ),
                (4, ProblemKind::MissingPart { part: Part::Text }),
                (5, ProblemKind::PartTwice { part: Part::Text }),
                (
                    7,
                    ProblemKind::MissingPart {
                        part: Part::Subject
                    }
                ),
            ]
        );
    }
}
