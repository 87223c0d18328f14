//! Rendering templates with minijinja, and checking a template before it is saved.
//!
//! The environment is strict: an unknown variable or attribute is an error, never blank text
//! (`UndefinedBehavior::Strict`); the `html` part is auto-escaped, the others are plain text;
//! block tags on their own line leave no blank line behind (`trim_blocks`, `lstrip_blocks`).
//! `check` finds every problem a template has, with its line and column in the file: layout,
//! syntax, unknown variables (by static analysis, so a typo inside a branch the sample does not
//! take is found too), blocks, then renders it with the sample data for both kinds of customer
//! and every tone, and measures its SMS.

use domain::customer::{CustomerKind, Language};
use domain::scenario::Tone;
use minijinja::syntax::SyntaxConfig;
use minijinja::value::Serde;
use minijinja::{AutoEscape, Environment, UndefinedBehavior, Value};

use crate::body::{Block, Body, directive, expand_html_markers, html_document, mark_blocks};
use crate::catalog::Builtin;
use crate::context::MessageContext;
use crate::problem::{ProblemKind, TemplateProblem};
use crate::sample::sample_context;
use crate::sms::{SmsEncoding, SmsLength, sms_length, to_sms_text};
use crate::source::{LocatedSource, Part, TemplateSource};
use crate::variables;

/// The most SMS one message may take: beyond, it is a letter's job.
pub const SMS_SEGMENTS_MAX: usize = 3;

/// A template rendered for one customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub key: String,
    pub language: Language,
    pub subject: String,
    /// The e-mail's text body (or the call script), blocks written out.
    pub text: String,
    /// A complete HTML document for the e-mail.
    pub html: String,
    pub sms: Option<RenderedSms>,
    /// The body as a letter lays it out.
    pub body: Body,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedSms {
    pub text: String,
    pub length: SmsLength,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RenderError {
    #[error("template {key}, part {part}, line {line}{}: {detail}", column.map(|c| format!(", column {c}")).unwrap_or_default())]
    Template {
        key: String,
        part: Part,
        line: usize,
        column: Option<usize>,
        detail: String,
    },
    #[error("template {key} needs the statement of account, which cannot be computed: {reason}")]
    StatementUnavailable { key: String, reason: String },
    #[error(
        "template {key}: the SMS would take {segments} messages ({characters} characters, {}); at most {SMS_SEGMENTS_MAX}",
        encoding.code()
    )]
    SmsTooLong {
        key: String,
        segments: usize,
        characters: usize,
        encoding: SmsEncoding,
    },
    #[error("template {key}: the subject renders empty or on several lines")]
    SubjectNotOneLine { key: String },
}

impl RenderError {
    /// The error in `language` (the page's or the command line's, not the message's).
    pub fn describe(&self, language: Language) -> String {
        if language == Language::English {
            return self.to_string();
        }
        match self {
            RenderError::Template {
                key,
                part,
                line,
                column,
                detail,
            } => format!(
                "modèle {key}, partie {part}, ligne {line}{} : {}",
                column
                    .map(|column| format!(", colonne {column}"))
                    .unwrap_or_default(),
                crate::problem::engine_detail(detail, language)
            ),
            RenderError::StatementUnavailable { key, reason } => format!(
                "le modèle {key} a besoin du décompte, qui ne peut pas être calculé : {reason}"
            ),
            RenderError::SmsTooLong {
                key,
                segments,
                characters,
                encoding,
            } => format!(
                "modèle {key} : le SMS prendrait {segments} messages ({characters} caractères, {}) ; {SMS_SEGMENTS_MAX} au plus",
                encoding.code()
            ),
            RenderError::SubjectNotOneLine { key } => {
                format!("modèle {key} : l'objet est vide ou tient sur plusieurs lignes")
            }
        }
    }
}

fn environment<'source>() -> Environment<'source> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_syntax(
        SyntaxConfig::builder()
            .trim_blocks(true)
            .lstrip_blocks(true)
            .build()
            .expect("the default delimiters are valid"),
    );
    env.set_auto_escape_callback(|name| {
        if name.ends_with(".html") {
            AutoEscape::Html
        } else {
            AutoEscape::None
        }
    });
    // Keeps the spans errors are located with.
    env.set_debug(true);
    env
}

/// Where a minijinja error is, in the part's source: (line in the part, column, detail).
fn locate_error(error: &minijinja::Error, source: &str) -> (usize, Option<usize>, String) {
    let range = error.range().filter(|range| range.end <= source.len());
    let (line, column) = match &range {
        Some(range) => {
            let before = &source[..range.start];
            let line = before.matches('\n').count() + 1;
            let line_start = before.rfind('\n').map_or(0, |index| index + 1);
            (
                line,
                Some(source[line_start..range.start].chars().count() + 1),
            )
        }
        None => (error.line().unwrap_or(1), None),
    };
    let mut detail = match error.detail() {
        Some(detail) => format!("{}: {detail}", error.kind()),
        None => error.kind().to_string(),
    };
    if let Some(range) = range {
        let snippet = source[range].trim();
        if !snippet.is_empty() && snippet.len() <= 80 && !snippet.contains('\n') {
            detail.push_str(&format!(" (`{snippet}`)"));
        }
    }
    (line, column, detail)
}

fn part_name(key: &str, part: Part) -> String {
    format!("{key}.{part}")
}

/// Renders one part; errors located in the part's source. An environment costs a few
/// microseconds: each part gets its own, which ties the source's lifetime to nothing else.
fn render_part(
    key: &str,
    part: Part,
    marked: &str,
    context: &Value,
) -> Result<String, (usize, Option<usize>, String)> {
    let name = part_name(key, part);
    let env = environment();
    let template = env
        .template_from_named_str(&name, marked)
        .map_err(|error| locate_error(&error, marked))?;
    template
        .render(context)
        .map_err(|error| locate_error(&error, marked))
}

/// Renders `source` (the built-in or a tenant's edit of `builtin`) with `context`.
pub fn render(
    builtin: &Builtin,
    source: &TemplateSource,
    context: &MessageContext,
) -> Result<Rendered, RenderError> {
    let key = builtin.key;
    let located = source.located();
    let value = Value::from(Serde(context));
    let run = |part: Part, text: &str| -> Result<String, RenderError> {
        let marked = mark_blocks(text);
        render_part(key, part, &marked, &value).map_err(|(line, column, detail)| {
            // A statement that could not be computed is the reason, not a typo.
            if let Some(reason) = context.statement_unavailable()
                && uses_statement(&marked)
            {
                return RenderError::StatementUnavailable {
                    key: key.to_owned(),
                    reason: reason.to_owned(),
                };
            }
            RenderError::Template {
                key: key.to_owned(),
                part,
                line: located.first_line(part) + line - 1,
                column,
                detail,
            }
        })
    };

    let subject = run(Part::Subject, &source.subject)?;
    let subject = subject.trim().to_owned();
    if subject.is_empty() || subject.contains('\n') {
        return Err(RenderError::SubjectNotOneLine {
            key: key.to_owned(),
        });
    }
    let body = Body::from_rendered(&run(Part::Text, &source.text)?);
    if body.blocks().any(|block| block == Block::Statement)
        && let Some(reason) = context.statement_unavailable()
    {
        return Err(RenderError::StatementUnavailable {
            key: key.to_owned(),
            reason: reason.to_owned(),
        });
    }
    let text = body.to_text(context);
    let language = context.language();
    let html = match &source.html {
        Some(html) => {
            let rendered = expand_html_markers(&run(Part::Html, html)?, context);
            if rendered.contains("<html") {
                rendered
            } else {
                html_document(&rendered, &subject, language)
            }
        }
        None => html_document(&body.to_html(context), &subject, language),
    };
    let sms = match &source.sms {
        Some(sms) => {
            let text = to_sms_text(&run(Part::Sms, sms)?);
            let length = sms_length(&text);
            if length.segments > SMS_SEGMENTS_MAX {
                return Err(RenderError::SmsTooLong {
                    key: key.to_owned(),
                    segments: length.segments,
                    characters: text.chars().count(),
                    encoding: length.encoding,
                });
            }
            Some(RenderedSms { text, length })
        }
        None => None,
    };
    Ok(Rendered {
        key: key.to_owned(),
        language,
        subject,
        text,
        html,
        sms,
        body,
    })
}

fn uses_statement(marked: &str) -> bool {
    environment()
        .template_from_str(marked)
        .map(|template| template.undeclared_variables(false).contains("statement"))
        .unwrap_or(false)
}

/// Every problem of a template of `builtin` written in `language`, located in its file.
pub fn check(
    builtin: &Builtin,
    language: Language,
    located: &LocatedSource,
) -> Result<(), Vec<TemplateProblem>> {
    let mut problems = Vec::new();
    let source = &located.source;
    let mut compiled_parts = Vec::new();
    for part in Part::ALL {
        let Some(text) = source.part(part) else {
            continue;
        };
        let first_line = located.first_line(part);
        let before = problems.len();
        for (index, line) in text.split('\n').enumerate() {
            match directive(line) {
                Some(Err(name)) => problems.push(TemplateProblem {
                    line: first_line + index,
                    column: Some(line.find('@').map_or(1, |at| at + 1)),
                    kind: ProblemKind::UnknownBlock { name },
                }),
                Some(Ok(block)) if matches!(part, Part::Subject | Part::Sms) => {
                    problems.push(TemplateProblem::at(
                        first_line + index,
                        ProblemKind::BlockNotAllowed {
                            name: block.code().to_owned(),
                            part,
                        },
                    ));
                }
                _ => {}
            }
        }
        let marked = mark_blocks(text);
        let name = part_name(builtin.key, part);
        let env = environment();
        let template = match env.template_from_named_str(&name, &marked) {
            Ok(template) => template,
            Err(error) => {
                let (line, column, detail) = locate_error(&error, &marked);
                problems.push(TemplateProblem {
                    line: first_line + line - 1,
                    column,
                    kind: ProblemKind::Syntax { detail },
                });
                continue;
            }
        };
        let mut names: Vec<String> = template.undeclared_variables(true).into_iter().collect();
        names.sort();
        for name in names {
            if let Err(kind) = variables::check(&name, builtin) {
                let (line, column) = find_name(&marked, &name);
                problems.push(TemplateProblem {
                    line: first_line + line - 1,
                    column,
                    kind,
                });
            }
        }
        if problems.len() == before {
            compiled_parts.push(part);
        }
    }
    // Only a template whose every part compiled is rendered: one problem at a time otherwise.
    if problems.is_empty() {
        'parts: for part in compiled_parts {
            for kind in [CustomerKind::Business, CustomerKind::Consumer] {
                for tone in Tone::ALL {
                    let context = sample_context(builtin, language, kind, Some(tone));
                    if let Some(problem) = check_rendering(builtin, located, part, &context) {
                        problems.push(problem);
                        continue 'parts;
                    }
                }
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        problems.sort_by_key(|problem| (problem.line, problem.column));
        Err(problems)
    }
}

fn check_rendering(
    builtin: &Builtin,
    located: &LocatedSource,
    part: Part,
    context: &MessageContext,
) -> Option<TemplateProblem> {
    let text = located.source.part(part)?;
    let first_line = located.first_line(part);
    let marked = mark_blocks(text);
    let value = Value::from(Serde(context));
    let rendered = match render_part(builtin.key, part, &marked, &value) {
        Ok(rendered) => rendered,
        Err((line, column, detail)) => {
            return Some(TemplateProblem {
                line: first_line + line - 1,
                column,
                kind: ProblemKind::Render { detail },
            });
        }
    };
    match part {
        Part::Subject => {
            let subject = rendered.trim();
            (subject.is_empty() || subject.contains('\n'))
                .then(|| TemplateProblem::at(first_line, ProblemKind::SubjectNotOneLine))
        }
        Part::Sms => {
            let text = to_sms_text(&rendered);
            let length = sms_length(&text);
            (length.segments > SMS_SEGMENTS_MAX).then(|| {
                TemplateProblem::at(
                    first_line,
                    ProblemKind::SmsTooLong {
                        segments: length.segments,
                        allowed: SMS_SEGMENTS_MAX,
                        encoding: length.encoding,
                        characters: text.chars().count(),
                    },
                )
            })
        }
        Part::Text | Part::Html => None,
    }
}

/// Where `name` first appears inside a tag of `source`: (line, column), 1-based. Static
/// analysis names a variable but not its place; its first occurrence is where a reader looks.
fn find_name(source: &str, name: &str) -> (usize, Option<usize>) {
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    for (index, line) in source.split('\n').enumerate() {
        let mut from = 0;
        while let Some(found) = line[from..].find(name) {
            let start = from + found;
            let end = start + name.len();
            let before_ok = line[..start]
                .chars()
                .next_back()
                .is_none_or(|c| !is_word(c) && c != '.');
            let after_ok = line[end..].chars().next().is_none_or(|c| !is_word(c));
            if before_ok && after_ok {
                return (index + 1, Some(line[..start].chars().count() + 1));
            }
            from = end;
        }
    }
    (1, None)
}

#[cfg(test)]
mod tests {
    use domain::scenario::Tone;

    use super::*;
    use crate::catalog::{BUILTINS, builtin};
    use crate::context::StatementFacts;
    use crate::sms::SmsEncoding;

    fn first_reminder() -> &'static Builtin {
        builtin("first_reminder").unwrap()
    }

    fn edited(text: &str) -> LocatedSource {
        TemplateSource::parse(text).unwrap()
    }

    fn problems(file: &str) -> Vec<(usize, Option<usize>, ProblemKind)> {
        check(first_reminder(), Language::French, &edited(file))
            .unwrap_err()
            .into_iter()
            .map(|problem| (problem.line, problem.column, problem.kind))
            .collect()
    }

    /// Every built-in template, in both languages, for both kinds of customer and every tone:
    /// it passes the checks an edit must pass, renders, and says what it must.
    #[test]
    fn every_built_in_template_renders_in_both_languages() {
        for builtin in BUILTINS {
            for language in Language::ALL {
                let source = builtin.source(language);
                assert_eq!(
                    check(builtin, language, &source.located()),
                    Ok(()),
                    "{} ({})",
                    builtin.key,
                    language.code()
                );
                for kind in [CustomerKind::Business, CustomerKind::Consumer] {
                    for tone in Tone::ALL {
                        let context = sample_context(builtin, language, kind, Some(tone));
                        let rendered = render(builtin, &source, &context).unwrap_or_else(|error| {
                            panic!("{} ({}): {error}", builtin.key, language.code())
                        });
                        assert!(!rendered.subject.is_empty());
                        assert!(
                            rendered.text.contains(&context.creditor.name)
                                || builtin.key == "call_script"
                        );
                        assert!(rendered.html.contains("<!DOCTYPE html>"));
                        assert!(!rendered.text.contains('\u{E000}'), "{}", builtin.key);
                        assert!(
                            !rendered.text.contains("\n\n\n"),
                            "{}: {}",
                            builtin.key,
                            rendered.text
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn the_formal_notice_states_the_statement_the_deadline_and_what_follows() {
        let notice = builtin("formal_notice").unwrap();
        let context = sample_context(notice, Language::French, CustomerKind::Business, None);
        let rendered = render(notice, &notice.source(Language::French), &context).unwrap();
        let statement = context.statement.as_ref().unwrap();
        for expected in [
            "Mise en demeure de payer",
            "Décompte arrêté au 20 mai 2026",
            "L441-10",
            "D441-5",
            "dans un délai de 8 jours",
            "article 1344 du Code civil",
            "injonction de payer",
            "solution amiable",
            statement.due.as_str(),
            "F-2026-0131",
        ] {
            assert!(
                rendered.text.contains(expected) || rendered.subject.contains(expected),
                "{expected:?} missing from:\n{}",
                rendered.text
            );
        }
        assert!(statement.has_interest && statement.has_indemnity);
        // The transfer asked for is the statement's total, penalties included.
        assert_eq!(context.payment.amount, statement.due);
        // A consumer is told of legal interest from the notice, never of the 40 EUR indemnity.
        let consumer = sample_context(notice, Language::French, CustomerKind::Consumer, None);
        let rendered = render(notice, &notice.source(Language::French), &consumer).unwrap();
        assert!(rendered.text.contains("1231-6"), "{}", rendered.text);
        assert!(!rendered.text.contains("40 €"), "{}", rendered.text);
        assert!(!rendered.text.contains("D441-5"), "{}", rendered.text);
    }

    #[test]
    fn the_second_reminder_follows_the_tone_of_its_step() {
        let second = builtin("second_reminder").unwrap();
        let source = second.source(Language::French);
        let firm = sample_context(
            second,
            Language::French,
            CustomerKind::Business,
            Some(Tone::Firm),
        );
        let text = render(second, &source, &firm).unwrap().text;
        assert!(
            text.contains("au plus tard") && text.contains("40 €"),
            "{text}"
        );
        let courteous = sample_context(second, Language::French, CustomerKind::Consumer, None);
        let text = render(second, &source, &courteous).unwrap().text;
        assert!(
            text.contains("Pourriez-vous") && !text.contains("40 €"),
            "{text}"
        );
    }

    /// What the seeds forbid: no threat, and nobody but the debtor is ever mentioned.
    #[test]
    fn messages_to_the_debtor_mention_no_third_party_and_no_threat() {
        let forbidden = [
            "famille",
            "proche",
            "employeur",
            "voisin",
            "menace",
            "huissier",
            "family",
            "relative",
            "employer",
            "neighbour",
            "threat",
            "bailiff",
        ];
        for builtin in BUILTINS.iter().filter(|b| b.key != "call_script") {
            for language in Language::ALL {
                let context = sample_context(builtin, language, CustomerKind::Business, None);
                let rendered = render(builtin, &builtin.source(language), &context).unwrap();
                let all = format!("{} {} {:?}", rendered.subject, rendered.text, rendered.sms)
                    .to_lowercase();
                for word in forbidden {
                    assert!(!all.contains(word), "{}: {word}", builtin.key);
                }
            }
        }
    }

    #[test]
    fn a_typo_in_a_variable_is_an_error_with_its_place_never_blank_text() {
        let file = "=== subject ===\nBonjour\n=== text ===\nBonjour {{ customer.nmae }},\n";
        assert_eq!(
            problems(file),
            vec![(
                4,
                Some(12),
                ProblemKind::UnknownVariable {
                    name: "customer.nmae".to_owned(),
                    suggestion: Some("customer.name")
                }
            )]
        );
        // Inside a branch the sample data never takes, too.
        let file = "=== subject ===\nBonjour\n=== text ===\n{% if false %}\n{{ totals.outstandng }}\n{% endif %}\n";
        assert!(matches!(
            problems(file).as_slice(),
            [(5, Some(4), ProblemKind::UnknownVariable { .. })]
        ));
        // A typo in a loop variable's attribute is found by rendering the sample.
        let file = "=== subject ===\nBonjour\n=== text ===\n{% for invoice in invoices %}\n- {{ invoice.numbr }}\n{% endfor %}\n";
        let found = problems(file);
        assert!(
            matches!(found.as_slice(), [(5, Some(_), ProblemKind::Render { detail })] if detail.contains("invoice.numbr")),
            "{found:?}"
        );
        // And rendering with real data fails rather than print a blank.
        let source = edited(file).source;
        let context = sample_context(
            first_reminder(),
            Language::French,
            CustomerKind::Business,
            None,
        );
        assert!(matches!(
            render(first_reminder(), &source, &context),
            Err(RenderError::Template {
                part: Part::Text,
                line: 5,
                ..
            })
        ));
    }

    #[test]
    fn syntax_errors_and_unknown_blocks_are_located() {
        let file = "=== subject ===\nBonjour\n=== text ===\nLigne\n{% if customer.is_business %}\nPro\n@facture\n=== sms ===\n@payment\n";
        let found = problems(file);
        assert_eq!(found.len(), 3, "{found:?}");
        // The unclosed `if` is found where the text ends without its `endif`.
        assert!(
            matches!(&found[0], (6, Some(1), ProblemKind::Syntax { detail }) if detail.contains("expected end of block")),
            "{found:?}"
        );
        assert!(
            matches!(&found[1], (7, Some(1), ProblemKind::UnknownBlock { name }) if name == "facture")
        );
        assert!(matches!(
            found[2],
            (
                9,
                None,
                ProblemKind::BlockNotAllowed {
                    part: Part::Sms,
                    ..
                }
            )
        ));
        let described = TemplateProblem {
            line: 4,
            column: Some(12),
            kind: ProblemKind::UnknownVariable {
                name: "customer.nmae".to_owned(),
                suggestion: Some("customer.name"),
            },
        };
        assert_eq!(
            described.describe(Language::English),
            "line 4, column 12: unknown variable customer.nmae (did you mean customer.name?); `relance template show --variables` lists them"
        );
    }

    #[test]
    fn a_group_of_another_template_is_refused() {
        let file = "=== subject ===\nBonjour\n=== text ===\nMerci pour {{ promise.amount }}\n";
        let found = problems(file);
        assert!(
            matches!(
                found.as_slice(),
                [(
                    4,
                    Some(15),
                    ProblemKind::NotAvailable {
                        group: "promise",
                        ..
                    }
                )]
            ),
            "{found:?}"
        );
    }

    #[test]
    fn html_parts_are_escaped_and_text_parts_are_not() {
        let builtin = first_reminder();
        let context = sample_context(builtin, Language::French, CustomerKind::Business, None);
        assert!(context.customer.name.contains('&'));
        let rendered = render(builtin, &builtin.source(Language::French), &context).unwrap();
        // Derived HTML.
        assert!(rendered.html.contains("Lefèvre &amp; Fils") || !rendered.html.contains("Lefèvre"));
        assert!(rendered.html.contains("<table"));
        assert!(rendered.html.contains("F-2026-0131"));
        // An explicit html part: auto-escaped, blocks expanded.
        let file = "=== subject ===\nBonjour\n=== text ===\nBonjour {{ customer.name }}\n=== html ===\n<p>Bonjour {{ customer.name }}</p>\n@invoices\n";
        let source = edited(file).source;
        assert_eq!(check(builtin, Language::French, &source.located()), Ok(()));
        let rendered = render(builtin, &source, &context).unwrap();
        assert!(
            rendered
                .html
                .contains("<p>Bonjour Boulangerie Lefèvre &amp; Fils</p>"),
            "{}",
            rendered.html
        );
        assert!(rendered.html.contains("<table"));
        assert!(rendered.text.contains("Bonjour Boulangerie Lefèvre & Fils"));
        // A name that is markup stays text.
        let mut hostile = context.clone();
        hostile.customer.name = "<script>alert(1)</script>".to_owned();
        let rendered = render(builtin, &source, &hostile).unwrap();
        assert!(!rendered.html.contains("<script>"));
        assert!(rendered.html.contains("&lt;script&gt;"));
    }

    #[test]
    fn built_in_sms_stay_in_gsm_7_and_short() {
        for builtin in BUILTINS {
            for language in Language::ALL {
                let source = builtin.source(language);
                if source.sms.is_none() {
                    continue;
                }
                for kind in [CustomerKind::Business, CustomerKind::Consumer] {
                    let context = sample_context(builtin, language, kind, None);
                    let sms = render(builtin, &source, &context).unwrap().sms.unwrap();
                    assert_eq!(
                        sms.length.encoding,
                        SmsEncoding::Gsm7,
                        "{}: {}",
                        builtin.key,
                        sms.text
                    );
                    assert!(
                        sms.length.segments <= 2,
                        "{}: {} ({:?})",
                        builtin.key,
                        sms.text,
                        sms.length
                    );
                }
            }
        }
        assert!(
            builtin("formal_warning")
                .unwrap()
                .source(Language::French)
                .sms
                .is_some()
        );
    }

    #[test]
    fn an_sms_too_long_is_refused() {
        let long = "Bonjour {{ customer.name }}, ".repeat(30);
        let file = format!("=== subject ===\nS\n=== text ===\nT\n=== sms ===\n{long}\n");
        assert!(matches!(
            problems(&file).as_slice(),
            [(6, None, ProblemKind::SmsTooLong { allowed: 3, .. })]
        ));
    }

    #[test]
    fn a_statement_that_cannot_be_computed_stops_the_letter_with_its_reason() {
        let notice = builtin("formal_notice").unwrap();
        let mut context = sample_context(notice, Language::French, CustomerKind::Business, None);
        context.statement = None;
        context.letter.statement_unavailable =
            Some("the ECB rate on 2026-07-01 is not in the rate table".to_owned());
        let error = render(notice, &notice.source(Language::French), &context).unwrap_err();
        assert!(
            matches!(&error, RenderError::StatementUnavailable { reason, .. } if reason.contains("2026-07-01")),
            "{error}"
        );
        // A reminder does not need it.
        let reminder = first_reminder();
        assert!(render(reminder, &reminder.source(Language::French), &context).is_ok());
        let _ = StatementFacts::Unavailable {
            reason: String::new(),
        };
    }
}
