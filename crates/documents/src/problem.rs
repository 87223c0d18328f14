//! What can be wrong with a template, located in its file and described in French or English.

use domain::customer::Language;

use crate::sms::SmsEncoding;
use crate::source::Part;

/// One problem of a template file: where it is and what it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateProblem {
    /// 1-based line in the template file.
    pub line: usize,
    /// 1-based column (in characters), when known.
    pub column: Option<usize>,
    pub kind: ProblemKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProblemKind {
    /// Text before the first `=== part ===` line.
    TextOutsidePart,
    UnknownPart {
        name: String,
    },
    PartTwice {
        part: Part,
    },
    MissingPart {
        part: Part,
    },
    /// The template language refused the text (an unclosed tag, an unknown filter…).
    Syntax {
        detail: String,
    },
    /// A variable that does not exist; `suggestion` is the closest one that does.
    UnknownVariable {
        name: String,
        suggestion: Option<&'static str>,
    },
    /// A variable of a group this template does not receive (`promise.amount` in a reminder).
    NotAvailable {
        name: String,
        group: &'static str,
        templates: String,
    },
    /// A line `@name` that names no block.
    UnknownBlock {
        name: String,
    },
    /// A block in a part that cannot hold one (the subject, an SMS).
    BlockNotAllowed {
        name: String,
        part: Part,
    },
    /// Rendering with the sample data failed (a typo in an attribute, a filter misused…).
    Render {
        detail: String,
    },
    /// The SMS would take more parts than allowed.
    SmsTooLong {
        segments: usize,
        allowed: usize,
        encoding: SmsEncoding,
        characters: usize,
    },
    /// The subject renders empty or on several lines.
    SubjectNotOneLine,
}

/// The template engine's words for what went wrong, and their French: the engine (minijinja)
/// says them in English. Longer phrases first, as each is replaced in turn.
const ENGINE_WORDS: &[(&str, &str)] = &[
    ("syntax error", "erreur de syntaxe"),
    ("undefined value", "valeur non définie"),
    ("unknown filter", "filtre inconnu"),
    ("unknown function", "fonction inconnue"),
    ("unknown test", "test inconnu"),
    ("unknown method", "méthode inconnue"),
    ("unknown block", "bloc inconnu"),
    ("invalid operation", "opération impossible"),
    ("too many arguments", "trop d'arguments"),
    ("missing argument", "argument manquant"),
    ("bad string escape", "échappement invalide"),
    ("not a primitive", "pas une valeur simple"),
    ("not a key type", "pas une clé"),
    ("cannot unpack", "impossible à décomposer"),
    ("unexpected end of input", "fin du texte inattendue"),
    (
        "expected end of variable block",
        "fin de variable « }} » attendue",
    ),
    ("expected end of block", "fin de bloc « %} » attendue"),
    ("unexpected", "inattendu :"),
    ("expected", "attendu :"),
];

/// What the template engine said, in `language`: in French, its known words are translated;
/// the part of the template it quotes (between backquotes) is left as written.
pub(crate) fn engine_detail(detail: &str, language: Language) -> String {
    if language == Language::English {
        return detail.to_owned();
    }
    let (said, quoted) = match detail.find(" (`") {
        Some(at) => detail.split_at(at),
        None => (detail, ""),
    };
    let mut said = said.to_owned();
    for (english, french) in ENGINE_WORDS {
        said = said.replace(english, french);
    }
    format!("{}{quoted}", said.replace(": ", " : "))
}

impl TemplateProblem {
    pub(crate) fn at(line: usize, kind: ProblemKind) -> TemplateProblem {
        TemplateProblem {
            line,
            column: None,
            kind,
        }
    }

    /// `line 3, column 12: unknown variable customer.nmae (did you mean customer.name?)`
    pub fn describe(&self, language: Language) -> String {
        let place = match (self.column, language) {
            (Some(column), Language::French) => format!("ligne {}, colonne {column}", self.line),
            (Some(column), Language::English) => format!("line {}, column {column}", self.line),
            (None, Language::French) => format!("ligne {}", self.line),
            (None, Language::English) => format!("line {}", self.line),
        };
        let what = match (&self.kind, language) {
            (ProblemKind::TextOutsidePart, Language::French) => {
                "texte hors de toute partie (commencez par une ligne « === subject === »)"
                    .to_owned()
            }
            (ProblemKind::TextOutsidePart, Language::English) => {
                "text outside any part (start with a line \"=== subject ===\")".to_owned()
            }
            (ProblemKind::UnknownPart { name }, Language::French) => {
                format!("partie inconnue « {name} » (parties : subject, text, html, sms)")
            }
            (ProblemKind::UnknownPart { name }, Language::English) => {
                format!("unknown part \"{name}\" (parts: subject, text, html, sms)")
            }
            (ProblemKind::PartTwice { part }, Language::French) => {
                format!("la partie « {part} » apparaît deux fois")
            }
            (ProblemKind::PartTwice { part }, Language::English) => {
                format!("the part \"{part}\" is given twice")
            }
            (ProblemKind::MissingPart { part }, Language::French) => {
                format!("la partie « {part} » manque ou est vide")
            }
            (ProblemKind::MissingPart { part }, Language::English) => {
                format!("the part \"{part}\" is missing or empty")
            }
            (ProblemKind::Syntax { detail }, Language::French) => {
                let detail = detail.strip_prefix("syntax error: ").unwrap_or(detail);
                format!("erreur de syntaxe : {}", engine_detail(detail, language))
            }
            (ProblemKind::Syntax { detail }, Language::English) => {
                format!("syntax error: {detail}")
            }
            (ProblemKind::UnknownVariable { name, suggestion }, Language::French) => {
                let hint = suggestion
                    .map(|s| format!(" (vouliez-vous dire {s} ?)"))
                    .unwrap_or_default();
                format!(
                    "variable inconnue {name}{hint} ; `relance template show --variables` les liste"
                )
            }
            (ProblemKind::UnknownVariable { name, suggestion }, Language::English) => {
                let hint = suggestion
                    .map(|s| format!(" (did you mean {s}?)"))
                    .unwrap_or_default();
                format!(
                    "unknown variable {name}{hint}; `relance template show --variables` lists them"
                )
            }
            (
                ProblemKind::NotAvailable {
                    name,
                    group,
                    templates,
                },
                Language::French,
            ) => format!(
                "{name} n'existe pas dans ce modèle : les variables {group}.* ne sont fournies qu'à {templates}"
            ),
            (
                ProblemKind::NotAvailable {
                    name,
                    group,
                    templates,
                },
                Language::English,
            ) => format!(
                "{name} does not exist in this template: {group}.* variables are given to {templates} only"
            ),
            (ProblemKind::UnknownBlock { name }, Language::French) => {
                format!("bloc inconnu @{name} (blocs : @invoices, @statement, @payment)")
            }
            (ProblemKind::UnknownBlock { name }, Language::English) => {
                format!("unknown block @{name} (blocks: @invoices, @statement, @payment)")
            }
            (ProblemKind::BlockNotAllowed { name, part }, Language::French) => {
                format!("le bloc @{name} n'a pas sa place dans la partie « {part} »")
            }
            (ProblemKind::BlockNotAllowed { name, part }, Language::English) => {
                format!("the block @{name} cannot be used in the \"{part}\" part")
            }
            (ProblemKind::Render { detail }, Language::French) => {
                format!(
                    "le rendu avec les données d'exemple échoue : {}",
                    engine_detail(detail, language)
                )
            }
            (ProblemKind::Render { detail }, Language::English) => {
                format!("rendering with the sample data fails: {detail}")
            }
            (
                ProblemKind::SmsTooLong {
                    segments,
                    allowed,
                    encoding,
                    characters,
                },
                Language::French,
            ) => format!(
                "le SMS compte {characters} caractères ({}) et prendrait {segments} SMS ; {allowed} au plus",
                encoding.code()
            ),
            (
                ProblemKind::SmsTooLong {
                    segments,
                    allowed,
                    encoding,
                    characters,
                },
                Language::English,
            ) => format!(
                "the SMS has {characters} characters ({}) and would take {segments} messages; {allowed} at most",
                encoding.code()
            ),
            (ProblemKind::SubjectNotOneLine, Language::French) => {
                "l'objet doit tenir sur une ligne, non vide".to_owned()
            }
            (ProblemKind::SubjectNotOneLine, Language::English) => {
                "the subject must be one line, not empty".to_owned()
            }
        };
        match language {
            Language::French => format!("{place} : {what}"),
            Language::English => format!("{place}: {what}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_engines_words_are_said_in_french_and_the_quoted_template_is_left_as_written() {
        let detail =
            "syntax error: unexpected end of input, expected end of block (`{% if expected %}`)";
        assert_eq!(
            engine_detail(detail, Language::French),
            "erreur de syntaxe : fin du texte inattendue, fin de bloc « %} » attendue (`{% if expected %}`)"
        );
        assert_eq!(engine_detail(detail, Language::English), detail);
        assert_eq!(
            engine_detail("undefined value (`customer.nmae`)", Language::French),
            "valeur non définie (`customer.nmae`)"
        );
    }
}
