//! Rendering results as a table for people, CSV for spreadsheets, JSON for programs.
//!
//! Amounts are decimal strings with the currency's decimals in CSV and JSON ("1234.56"), and
//! written the reader's way in tables (French: "1 234,56"). CSV text cells that a spreadsheet
//! would run as a formula are neutralised; amounts stay numbers.

use std::io::Write;

use domain::money::Money;

use crate::cli::Lang;

/// A table of text cells; numeric columns are right-aligned in the table rendering.
pub(crate) struct Table {
    pub(crate) headers: Vec<&'static str>,
    pub(crate) numeric: Vec<bool>,
    pub(crate) rows: Vec<Vec<String>>,
}

impl Table {
    pub(crate) fn render(&self) -> String {
        let mut widths: Vec<usize> = self
            .headers
            .iter()
            .map(|header| header.chars().count())
            .collect();
        for row in &self.rows {
            for (width, cell) in widths.iter_mut().zip(row) {
                *width = (*width).max(cell.chars().count());
            }
        }
        let mut out = String::new();
        let line = |cells: &[String], out: &mut String| {
            let mut parts = Vec::new();
            for (index, cell) in cells.iter().enumerate() {
                let pad = widths[index].saturating_sub(cell.chars().count());
                if self.numeric.get(index).copied().unwrap_or(false) {
                    parts.push(format!("{}{cell}", " ".repeat(pad)));
                } else {
                    parts.push(format!("{cell}{}", " ".repeat(pad)));
                }
            }
            out.push_str(parts.join("  ").trim_end());
            out.push('\n');
        };
        let headers: Vec<String> = self
            .headers
            .iter()
            .map(|header| (*header).to_owned())
            .collect();
        line(&headers, &mut out);
        let rule: Vec<String> = widths.iter().map(|width| "-".repeat(*width)).collect();
        line(&rule, &mut out);
        for row in &self.rows {
            line(row, &mut out);
        }
        out
    }

    /// CSV with a header row; text cells are escaped against formula injection.
    pub(crate) fn write_csv(&self, out: impl Write) -> anyhow::Result<()> {
        let mut writer = csv::Writer::from_writer(out);
        writer.write_record(&self.headers)?;
        for row in &self.rows {
            let cells: Vec<String> = row
                .iter()
                .enumerate()
                .map(|(index, cell)| {
                    if self.numeric.get(index).copied().unwrap_or(false) {
                        cell.clone()
                    } else {
                        neutralise_formula(cell)
                    }
                })
                .collect();
            writer.write_record(&cells)?;
        }
        writer.flush()?;
        Ok(())
    }
}

/// A spreadsheet runs a cell starting with `=`, `+`, `-`, `@`, tab or carriage return as a
/// formula; a leading apostrophe keeps it text.
fn neutralise_formula(cell: &str) -> String {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}"),
        _ => cell.to_owned(),
    }
}

/// An amount for people: "1 234,56" in French (narrow no-break space), "1,234.56" in English.
pub(crate) fn human_amount(money: Money, lang: Lang) -> String {
    let canonical = money.to_decimal_string();
    let (sign, unsigned) = canonical
        .strip_prefix('-')
        .map_or(("", canonical.as_str()), |rest| ("-", rest));
    let (whole, fraction) = unsigned
        .split_once('.')
        .map_or((unsigned, None), |(whole, fraction)| {
            (whole, Some(fraction))
        });
    let (group, decimal) = match lang {
        Lang::Fr => ('\u{202f}', ','),
        Lang::En => (',', '.'),
    };
    let mut grouped = String::new();
    for (index, digit) in whole.chars().enumerate() {
        if index > 0 && (whole.len() - index) % 3 == 0 {
            grouped.push(group);
        }
        grouped.push(digit);
    }
    match fraction {
        Some(fraction) => format!("{sign}{grouped}{decimal}{fraction}"),
        None => format!("{sign}{grouped}"),
    }
}

/// Lines of `label : value` with the values in one column; French puts its spaced colon after
/// the padding, English right after the label.
pub(crate) fn labelled(lines: &[(&str, String)], lang: Lang) -> String {
    let width = lines
        .iter()
        .map(|(label, _)| label.chars().count())
        .max()
        .unwrap_or(0);
    lines
        .iter()
        .map(|(label, value)| {
            let pad = " ".repeat(width - label.chars().count());
            match lang {
                Lang::Fr => format!("{label}{pad} : {value}"),
                Lang::En => format!("{label}:{pad} {value}"),
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

pub(crate) fn print_json(value: &impl serde::Serialize) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut stdout, value)?;
    writeln!(stdout)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use domain::money::Currency;

    use super::*;

    #[test]
    fn amounts_are_written_the_readers_way() {
        let money = Money::from_minor(-123_456_789, Currency::EUR);
        assert_eq!(human_amount(money, Lang::Fr), "-1\u{202f}234\u{202f}567,89");
        assert_eq!(human_amount(money, Lang::En), "-1,234,567.89");
        assert_eq!(
            human_amount(Money::from_minor(5, Currency::EUR), Lang::Fr),
            "0,05"
        );
    }

    #[test]
    fn csv_text_cells_cannot_become_formulas_but_amounts_stay_numbers() {
        let table = Table {
            headers: vec!["name", "amount"],
            numeric: vec![false, true],
            rows: vec![vec!["=HYPERLINK(\"x\")".into(), "-12.50".into()]],
        };
        let mut out = Vec::new();
        table.write_csv(&mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "name,amount\n\"'=HYPERLINK(\"\"x\"\")\",-12.50\n"
        );
    }

    #[test]
    fn tables_align_numbers_right() {
        let table = Table {
            headers: vec!["ref", "total"],
            numeric: vec![false, true],
            rows: vec![
                vec!["C1".into(), "5,00".into()],
                vec!["C22".into(), "1 000,00".into()],
            ],
        };
        assert_eq!(
            table.render(),
            "ref     total\n---  --------\nC1       5,00\nC22  1 000,00\n"
        );
    }
}
