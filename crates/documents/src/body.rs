//! A rendered body: lines, paragraph breaks and blocks.
//!
//! A line `@invoices`, `@statement` or `@payment` alone in the `text` or `html` part of a
//! template places a block: the invoices, the statement of account, the payment instructions.
//! Each block has three forms, so one template serves every channel: a list in the text of an
//! e-mail or a call script, a table in HTML, a drawn table (and an EPC QR code) in a PDF letter.
//!
//! Blocks are found in the template's source, before rendering, and replaced by a marker the
//! data cannot produce (a private-use character); a customer named "@payment" stays a name.

use domain::customer::Language;

use crate::context::MessageContext;

/// A block a template can place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Block {
    Invoices,
    Statement,
    Payment,
}

impl Block {
    pub const ALL: [Block; 3] = [Block::Invoices, Block::Statement, Block::Payment];

    pub fn code(&self) -> &'static str {
        match self {
            Block::Invoices => "invoices",
            Block::Statement => "statement",
            Block::Payment => "payment",
        }
    }

    fn parse(name: &str) -> Option<Block> {
        Block::ALL.into_iter().find(|block| block.code() == name)
    }

    fn marker(&self) -> String {
        format!("{MARK}{}{MARK}", self.code())
    }
}

/// U+E000, a private-use character: no customer data carries it.
const MARK: char = '\u{E000}';

/// A line of the source that is a block directive: `Ok(block)`, or the unknown name.
pub(crate) fn directive(line: &str) -> Option<Result<Block, String>> {
    let name = line.trim().strip_prefix('@')?;
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return None;
    }
    Some(Block::parse(name).ok_or_else(|| name.to_owned()))
}

/// The source with each valid directive line replaced by its marker (line count unchanged).
pub(crate) fn mark_blocks(source: &str) -> String {
    source
        .split('\n')
        .map(|line| match directive(line) {
            Some(Ok(block)) => block.marker(),
            _ => line.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// One item of a rendered body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyItem {
    Line(String),
    /// A paragraph break (one, however many blank lines the template left).
    Break,
    Block(Block),
}

/// A rendered `text` part: what a letter lays out and an e-mail prints.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Body {
    pub items: Vec<BodyItem>,
}

impl Body {
    /// Reads rendered text: trailing spaces go, blank lines collapse into one break, markers
    /// become blocks, and the body starts and ends with content.
    pub(crate) fn from_rendered(rendered: &str) -> Body {
        let mut items: Vec<BodyItem> = Vec::new();
        for line in rendered.lines() {
            let line = line.trim_end();
            let block = Block::ALL
                .into_iter()
                .find(|block| line.trim() == block.marker());
            match block {
                Some(block) => {
                    // A block stands on its own, as a paragraph.
                    if matches!(items.last(), Some(BodyItem::Line(_))) {
                        items.push(BodyItem::Break);
                    }
                    items.push(BodyItem::Block(block));
                    items.push(BodyItem::Break);
                }
                None if line.trim().is_empty() => {
                    if !matches!(items.last(), None | Some(BodyItem::Break)) {
                        items.push(BodyItem::Break);
                    }
                }
                None => items.push(BodyItem::Line(line.to_owned())),
            }
        }
        while matches!(items.last(), Some(BodyItem::Break)) {
            items.pop();
        }
        Body { items }
    }

    pub fn blocks(&self) -> impl Iterator<Item = Block> + '_ {
        self.items.iter().filter_map(|item| match item {
            BodyItem::Block(block) => Some(*block),
            _ => None,
        })
    }

    /// The body as plain text, blocks written out as lists.
    pub(crate) fn to_text(&self, context: &MessageContext) -> String {
        let mut text = String::new();
        for item in &self.items {
            match item {
                BodyItem::Line(line) => {
                    text.push_str(line);
                    text.push('\n');
                }
                BodyItem::Break => text.push('\n'),
                // A block's text ends with its own line break.
                BodyItem::Block(block) => text.push_str(&block_text(*block, context)),
            }
        }
        text
    }

    /// The body as HTML paragraphs, blocks as tables; every text escaped.
    pub(crate) fn to_html(&self, context: &MessageContext) -> String {
        let mut html = String::new();
        let mut paragraph: Vec<&str> = Vec::new();
        let flush = |paragraph: &mut Vec<&str>, html: &mut String| {
            if !paragraph.is_empty() {
                let lines: Vec<String> = paragraph.iter().map(|line| escape(line)).collect();
                html.push_str(&format!("<p>{}</p>\n", lines.join("<br>\n")));
                paragraph.clear();
            }
        };
        for item in &self.items {
            match item {
                BodyItem::Line(line) => paragraph.push(line),
                BodyItem::Break => flush(&mut paragraph, &mut html),
                BodyItem::Block(block) => {
                    flush(&mut paragraph, &mut html);
                    html.push_str(&block_html(*block, context));
                }
            }
        }
        flush(&mut paragraph, &mut html);
        html
    }
}

/// Replaces each marker line of rendered HTML by the block's HTML.
pub(crate) fn expand_html_markers(rendered: &str, context: &MessageContext) -> String {
    rendered
        .lines()
        .map(|line| {
            match Block::ALL
                .into_iter()
                .find(|block| line.trim() == block.marker())
            {
                Some(block) => block_html(block, context),
                None => line.to_owned(),
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Wraps body HTML into a complete, self-contained e-mail document (inline styles only: mail
/// clients drop style sheets).
pub(crate) fn html_document(body: &str, subject: &str, language: Language) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n</head>\n<body style=\"margin:0;padding:24px;font-family:Helvetica,Arial,sans-serif;font-size:15px;line-height:1.5;color:#222;\">\n<div style=\"max-width:640px;\">\n{body}</div>\n</body>\n</html>\n",
        language.code(),
        escape(subject)
    )
}

/// The minimal HTML escaping for text and attribute values.
pub(crate) fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#x27;"),
            '/' => escaped.push_str("&#x2f;"),
            other => escaped.push(other),
        }
    }
    escaped
}

/// A block's content as a table, shared by the HTML and PDF forms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
    pub total: Option<Vec<String>>,
    /// Right-aligned columns (amounts, counts).
    pub numeric: Vec<bool>,
}

fn french(context: &MessageContext) -> bool {
    context.language() == Language::French
}

/// The invoices as a table.
pub fn invoices_table(context: &MessageContext) -> Table {
    let fr = french(context);
    let headers = if fr {
        [
            "Facture",
            "Date",
            "Échéance",
            "Montant TTC",
            "Reste dû",
            "Retard",
        ]
    } else {
        [
            "Invoice",
            "Date",
            "Due date",
            "Amount",
            "Outstanding",
            "Late",
        ]
    };
    let rows = context
        .invoices
        .iter()
        .map(|invoice| {
            vec![
                invoice.number.clone(),
                invoice.issued_on.clone(),
                invoice.due_on.clone(),
                invoice.amount.clone(),
                invoice.outstanding.clone(),
                if invoice.days_late > 0 {
                    format!("{} {}", invoice.days_late, if fr { "j" } else { "d" })
                } else {
                    String::new()
                },
            ]
        })
        .collect();
    Table {
        headers: headers.iter().map(|h| (*h).to_owned()).collect(),
        rows,
        total: (context.invoices.len() > 1).then(|| {
            vec![
                "Total".to_owned(),
                String::new(),
                String::new(),
                context.totals.amount.clone(),
                context.totals.outstanding.clone(),
                String::new(),
            ]
        }),
        numeric: vec![false, false, false, true, true, true],
    }
}

/// The statement of account as a table; `None` when there is none.
pub fn statement_table(context: &MessageContext) -> Option<Table> {
    let statement = context.statement.as_ref()?;
    let fr = french(context);
    let headers = if fr {
        [
            "Facture",
            "Échéance",
            "Principal",
            statement.interest_label.as_str(),
            "Indemnité",
            "Réglé",
            "Reste dû",
        ]
    } else {
        [
            "Invoice",
            "Due date",
            "Principal",
            statement.interest_label.as_str(),
            "Indemnity",
            "Paid",
            "Due",
        ]
    };
    let mut rows: Vec<Vec<String>> = statement
        .lines
        .iter()
        .map(|line| {
            vec![
                line.invoice.clone(),
                line.due_on.clone(),
                line.principal.clone(),
                line.interest.clone(),
                line.indemnity.clone(),
                line.paid.clone(),
                line.due.clone(),
            ]
        })
        .collect();
    if statement.has_costs {
        rows.push(vec![
            if fr {
                "Frais de recouvrement justifiés"
            } else {
                "Proven collection costs"
            }
            .to_owned(),
            String::new(),
            String::new(),
            String::new(),
            statement.costs.clone(),
            String::new(),
            statement.costs.clone(),
        ]);
    }
    Some(Table {
        headers: headers.iter().map(|h| (*h).to_owned()).collect(),
        rows,
        total: Some(vec![
            "Total".to_owned(),
            String::new(),
            statement.principal.clone(),
            statement.interest.clone(),
            statement.indemnity.clone(),
            statement.paid.clone(),
            statement.due.clone(),
        ]),
        numeric: vec![false, false, true, true, true, true, true],
    })
}

/// The payment instructions, label and value.
pub fn payment_rows(context: &MessageContext) -> Vec<(String, String)> {
    let fr = french(context);
    let payment = &context.payment;
    let mut rows = Vec::new();
    let mut add = |french: &str, english: &str, value: &str| {
        if !value.is_empty() {
            rows.push((
                if fr { french } else { english }.to_owned(),
                value.to_owned(),
            ));
        }
    };
    add("Bénéficiaire", "Beneficiary", &payment.beneficiary);
    add("IBAN", "IBAN", &payment.iban);
    add("BIC", "BIC", &payment.bic);
    add("Montant", "Amount", &payment.amount);
    add(
        "Référence à rappeler",
        "Reference to quote",
        &payment.reference,
    );
    rows
}

/// The heading above the statement: its date.
pub fn statement_heading(context: &MessageContext) -> Option<String> {
    let statement = context.statement.as_ref()?;
    Some(if french(context) {
        format!("Décompte arrêté au {}", statement.as_of)
    } else {
        format!("Statement of account as of {}", statement.as_of)
    })
}

pub fn payment_heading(context: &MessageContext) -> &'static str {
    match (french(context), context.payment.has_iban) {
        (true, true) => "Règlement par virement",
        (true, false) => "Règlement",
        (false, true) => "Payment by bank transfer",
        (false, false) => "Payment",
    }
}

fn block_text(block: Block, context: &MessageContext) -> String {
    let fr = french(context);
    match block {
        Block::Invoices => {
            let mut text = String::new();
            for invoice in &context.invoices {
                let line = match (fr, invoice.days_late > 0) {
                    (true, true) => format!(
                        "- Facture {} du {}, échue le {} : {} restant dus ({} {} de retard)",
                        invoice.number,
                        invoice.issued_on,
                        invoice.due_on,
                        invoice.outstanding,
                        invoice.days_late,
                        if invoice.days_late == 1 {
                            "jour"
                        } else {
                            "jours"
                        }
                    ),
                    (true, false) => format!(
                        "- Facture {} du {}, échéance le {} : {}",
                        invoice.number, invoice.issued_on, invoice.due_on, invoice.outstanding
                    ),
                    (false, true) => format!(
                        "- Invoice {} of {}, due {}: {} outstanding ({} {} overdue)",
                        invoice.number,
                        invoice.issued_on,
                        invoice.due_on,
                        invoice.outstanding,
                        invoice.days_late,
                        if invoice.days_late == 1 {
                            "day"
                        } else {
                            "days"
                        }
                    ),
                    (false, false) => format!(
                        "- Invoice {} of {}, due {}: {}",
                        invoice.number, invoice.issued_on, invoice.due_on, invoice.outstanding
                    ),
                };
                text.push_str(&line);
                text.push('\n');
            }
            if context.invoices.len() > 1 {
                text.push_str(&if fr {
                    format!("Total restant dû : {}\n", context.totals.outstanding)
                } else {
                    format!("Total outstanding: {}\n", context.totals.outstanding)
                });
            }
            text
        }
        Block::Statement => {
            let Some(statement) = &context.statement else {
                return String::new();
            };
            let label = statement.interest_label.to_lowercase();
            let mut text = format!(
                "{}{}\n",
                statement_heading(context).unwrap_or_default(),
                if fr { " :" } else { ":" }
            );
            for line in &statement.lines {
                let mut parts = vec![
                    format!("principal {}", line.principal),
                    format!("{label} {}", line.interest),
                ];
                if statement.has_indemnity {
                    parts.push(format!(
                        "{} {}",
                        if fr { "indemnité" } else { "indemnity" },
                        line.indemnity
                    ));
                }
                parts.push(format!(
                    "{} {}",
                    if fr { "déjà réglé" } else { "already paid" },
                    line.paid
                ));
                parts.push(format!(
                    "{} {}",
                    if fr { "reste dû" } else { "due" },
                    line.due
                ));
                text.push_str(&if fr {
                    format!(
                        "- Facture {} (échue le {}) : {}\n",
                        line.invoice,
                        line.due_on,
                        parts.join(", ")
                    )
                } else {
                    format!(
                        "- Invoice {} (due {}): {}\n",
                        line.invoice,
                        line.due_on,
                        parts.join(", ")
                    )
                });
            }
            let mut parts = vec![
                format!("principal {}", statement.principal),
                format!("{label} {}", statement.interest),
            ];
            if statement.has_indemnity {
                parts.push(format!(
                    "{} {}",
                    if fr { "indemnités" } else { "indemnities" },
                    statement.indemnity
                ));
            }
            if statement.has_costs {
                parts.push(format!(
                    "{} {}",
                    if fr {
                        "frais de recouvrement justifiés"
                    } else {
                        "proven collection costs"
                    },
                    statement.costs
                ));
            }
            parts.push(format!(
                "{} {}",
                if fr { "déjà réglé" } else { "already paid" },
                statement.paid
            ));
            text.push_str(&if fr {
                format!("Total dû : {} ({})\n", statement.due, parts.join(", "))
            } else {
                format!("Total due: {} ({})\n", statement.due, parts.join(", "))
            });
            if !statement.rate_note.is_empty() {
                text.push_str(&statement.rate_note);
                text.push('\n');
            }
            text
        }
        Block::Payment => {
            let mut text = format!(
                "{}{}\n",
                payment_heading(context),
                if fr { " :" } else { ":" }
            );
            for (label, value) in payment_rows(context) {
                text.push_str(&if fr {
                    format!("  {label} : {value}\n")
                } else {
                    format!("  {label}: {value}\n")
                });
            }
            text
        }
    }
}

const TABLE_STYLE: &str = "border-collapse:collapse;margin:12px 0;font-size:14px;";
const CELL_STYLE: &str = "border-bottom:1px solid #ddd;padding:4px 8px;";

fn table_html(table: &Table) -> String {
    let cell = |text: &str, numeric: bool, tag: &str, bold: bool| {
        let align = if numeric {
            "text-align:right;"
        } else {
            "text-align:left;"
        };
        let weight = if bold { "font-weight:bold;" } else { "" };
        format!(
            "<{tag} style=\"{CELL_STYLE}{align}{weight}white-space:nowrap;\">{}</{tag}>",
            escape(text)
        )
    };
    let mut html = format!("<table style=\"{TABLE_STYLE}\">\n<tr>");
    for (index, header) in table.headers.iter().enumerate() {
        html.push_str(&cell(header, table.numeric[index], "th", true));
    }
    html.push_str("</tr>\n");
    for row in table.rows.iter().chain(table.total.iter()) {
        let bold = table.total.as_ref() == Some(row);
        html.push_str("<tr>");
        for (index, value) in row.iter().enumerate() {
            html.push_str(&cell(value, table.numeric[index], "td", bold));
        }
        html.push_str("</tr>\n");
    }
    html.push_str("</table>\n");
    html
}

fn block_html(block: Block, context: &MessageContext) -> String {
    match block {
        Block::Invoices => table_html(&invoices_table(context)),
        Block::Statement => match (statement_heading(context), statement_table(context)) {
            (Some(heading), Some(table)) => format!(
                "<p><strong>{}</strong></p>\n{}<p style=\"font-size:12px;color:#666;\">{}</p>\n",
                escape(&heading),
                table_html(&table),
                escape(
                    context
                        .statement
                        .as_ref()
                        .map_or("", |s| s.rate_note.as_str())
                )
            ),
            _ => String::new(),
        },
        Block::Payment => {
            let mut html = format!(
                "<p><strong>{}</strong></p>\n<table style=\"{TABLE_STYLE}\">\n",
                escape(payment_heading(context))
            );
            for (label, value) in payment_rows(context) {
                html.push_str(&format!(
                    "<tr><td style=\"{CELL_STYLE}\">{}</td><td style=\"{CELL_STYLE}font-weight:bold;\">{}</td></tr>\n",
                    escape(&label),
                    escape(&value)
                ));
            }
            html.push_str("</table>\n");
            html
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directives_are_lines_with_a_block_name_only() {
        assert_eq!(directive("@invoices"), Some(Ok(Block::Invoices)));
        assert_eq!(directive("  @payment "), Some(Ok(Block::Payment)));
        assert_eq!(directive("@invoice"), Some(Err("invoice".to_owned())));
        assert_eq!(directive("écrivez à @compta"), None);
        assert_eq!(directive("@ home"), None);
        assert_eq!(directive("contact@example.com"), None);
    }

    #[test]
    fn a_body_keeps_one_break_between_paragraphs_and_blocks_apart() {
        let marked = mark_blocks("Bonjour,\n\n\n\nVoici :\n@invoices\nMerci.  \n\n");
        let body = Body::from_rendered(&marked);
        assert_eq!(
            body.items,
            vec![
                BodyItem::Line("Bonjour,".to_owned()),
                BodyItem::Break,
                BodyItem::Line("Voici :".to_owned()),
                BodyItem::Break,
                BodyItem::Block(Block::Invoices),
                BodyItem::Break,
                BodyItem::Line("Merci.".to_owned()),
            ]
        );
        // Data that looks like a directive is not one: only the template's own lines are.
        let body = Body::from_rendered("@payment");
        assert_eq!(body.items, vec![BodyItem::Line("@payment".to_owned())]);
    }

    #[test]
    fn escaping_covers_markup_and_quotes() {
        assert_eq!(
            escape("<b>Lefèvre & Fils</b> \"x\" 'y'"),
            "&lt;b&gt;Lefèvre &amp; Fils&lt;&#x2f;b&gt; &quot;x&quot; &#x27;y&#x27;"
        );
    }
}
