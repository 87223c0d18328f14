//! A labelled set of bank credits over a portfolio's open invoices, for measuring the matcher:
//! each line says what a payer wrote and what it pays (the answer key).
//!
//! The kinds, in the shares a French SME's account shows them (the payer's name is always
//! given, as banks do, in varying forms):
//! - `CleanReference`: the customer's RF reference in the structured field, one invoice's
//!   amount or the sum of several;
//! - `ReferenceInNoise`: an invoice number in free text among other words, a date and an
//!   amount, with the spacing, prefixes, case and O/0 confusions people and OCR make;
//! - `Grouped`: two or three invoice numbers of one customer, the sum of their amounts;
//! - `Partial`: an invoice number and 30–70 % of what it owes;
//! - `Fees`: an invoice number and its amount less 0.10–1.00 of bank fees;
//! - `NameOnly`: only the payer's name and one invoice's amount;
//! - `AmountOnly`: one invoice's amount, nothing else.
//!
//! Every line pays invoices no other line pays, so the answer key does not depend on order.

use std::collections::HashMap;

use domain::identifiers::RfReference;
use rand::Rng;

use crate::rng_for;

/// An open invoice as the generator needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenInvoiceFact {
    pub number: String,
    /// The customer's code.
    pub customer: String,
    pub customer_name: String,
    pub outstanding_minor: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LineKind {
    CleanReference,
    ReferenceInNoise,
    Grouped,
    Partial,
    Fees,
    NameOnly,
    AmountOnly,
}

impl LineKind {
    pub const ALL: [LineKind; 7] = [
        LineKind::CleanReference,
        LineKind::ReferenceInNoise,
        LineKind::Grouped,
        LineKind::Partial,
        LineKind::Fees,
        LineKind::NameOnly,
        LineKind::AmountOnly,
    ];

    pub fn code(self) -> &'static str {
        match self {
            LineKind::CleanReference => "clean_reference",
            LineKind::ReferenceInNoise => "reference_in_noise",
            LineKind::Grouped => "grouped",
            LineKind::Partial => "partial",
            LineKind::Fees => "fees",
            LineKind::NameOnly => "name_only",
            LineKind::AmountOnly => "amount_only",
        }
    }

    /// Share of lines of this kind, in percent.
    fn share(self) -> u32 {
        match self {
            LineKind::CleanReference => 35,
            LineKind::ReferenceInNoise => 30,
            LineKind::Grouped => 10,
            LineKind::Partial => 6,
            LineKind::Fees => 5,
            LineKind::NameOnly => 8,
            LineKind::AmountOnly => 6,
        }
    }
}

/// One labelled bank credit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelledLine {
    pub kind: LineKind,
    pub amount_minor: i64,
    pub payer_name: Option<String>,
    pub remittance: String,
    pub creditor_reference: Option<String>,
    /// The answer: the customer's code and the invoices the payment is for.
    pub customer: String,
    pub invoices: Vec<String>,
}

/// Bank-lines stream of the seed, far from the portfolio's streams.
const BANK_LINES_STREAM: u64 = 1 << 40;

/// `count` labelled credits over `open` (as many as the open invoices allow).
pub fn labelled_bank_lines(seed: u64, count: usize, open: &[OpenInvoiceFact]) -> Vec<LabelledLine> {
    let mut rng = rng_for(seed, BANK_LINES_STREAM);
    let mut by_customer: HashMap<&str, Vec<usize>> = HashMap::new();
    for (index, invoice) in open.iter().enumerate() {
        by_customer
            .entry(invoice.customer.as_str())
            .or_default()
            .push(index);
    }
    let mut customers: Vec<&str> = by_customer.keys().copied().collect();
    customers.sort_unstable();
    let mut used = vec![false; open.len()];
    let mut lines = Vec::with_capacity(count);
    let mut attempts = 0usize;
    while lines.len() < count && attempts < count * 20 {
        attempts += 1;
        let kind = draw_kind(&mut rng);
        let customer = customers[rng.random_range(0..customers.len())];
        let free: Vec<usize> = by_customer[customer]
            .iter()
            .copied()
            .filter(|&index| !used[index])
            .collect();
        let wanted = match kind {
            LineKind::Grouped => rng.random_range(2..=3),
            LineKind::CleanReference if rng.random_range(0..4) == 0 => 2,
            _ => 1,
        };
        if free.len() < wanted {
            continue;
        }
        // Name-only, amount-only and reference lines take a customer's oldest-first invoices
        // the way a payer settling its account would; others pick any.
        let start = rng.random_range(0..=free.len() - wanted);
        let chosen: Vec<usize> = free[start..start + wanted].to_vec();
        for &index in &chosen {
            used[index] = true;
        }
        let invoices: Vec<&OpenInvoiceFact> = chosen.iter().map(|&i| &open[i]).collect();
        let total: i64 = invoices.iter().map(|i| i.outstanding_minor).sum();
        let name = invoices[0].customer_name.clone();
        let mut line = LabelledLine {
            kind,
            amount_minor: total,
            payer_name: Some(payer_form(&mut rng, &name)),
            remittance: String::new(),
            creditor_reference: None,
            customer: customer.to_owned(),
            invoices: invoices.iter().map(|i| i.number.clone()).collect(),
        };
        match kind {
            LineKind::CleanReference => {
                line.creditor_reference =
                    Some(RfReference::for_customer(customer).as_str().to_owned());
            }
            LineKind::ReferenceInNoise => {
                line.remittance = noisy_text(&mut rng, &invoices[0].number, total);
            }
            LineKind::Grouped => {
                let numbers: Vec<String> = invoices
                    .iter()
                    .map(|i| written_number(&mut rng, &i.number, false))
                    .collect();
                line.remittance = format!("REGLEMENT FACTURES {}", numbers.join(" "));
            }
            LineKind::Partial => {
                let share = rng.random_range(30..=70);
                line.amount_minor = (total * share / 100).max(1);
                line.remittance = format!(
                    "ACOMPTE {}",
                    written_number(&mut rng, &invoices[0].number, false)
                );
            }
            LineKind::Fees => {
                let fee = rng.random_range(10..=100).min(total - 1);
                line.amount_minor = total - fee.max(0);
                line.remittance = format!(
                    "VIR INTL {}",
                    written_number(&mut rng, &invoices[0].number, false)
                );
            }
            LineKind::NameOnly => {
                line.remittance =
                    ["VIREMENT", "PAIEMENT", "VIR SEPA", ""][rng.random_range(0..4)].to_owned();
            }
            LineKind::AmountOnly => {
                line.payer_name = None;
            }
        }
        if line.amount_minor > 0 {
            lines.push(line);
        }
    }
    lines
}

fn draw_kind(rng: &mut impl Rng) -> LineKind {
    let mut draw = rng.random_range(0..100u32);
    for kind in LineKind::ALL {
        if draw < kind.share() {
            return kind;
        }
        draw -= kind.share();
    }
    LineKind::AmountOnly
}

/// How a bank shows the payer's name: as registered, upper-cased, without its legal form, or
/// cut at 24 characters.
fn payer_form(rng: &mut impl Rng, name: &str) -> String {
    match rng.random_range(0..4) {
        0 => name.to_owned(),
        1 => name.to_uppercase(),
        2 => name
            .split_whitespace()
            .filter(|word| !matches!(*word, "SARL" | "SAS" | "SA" | "EURL" | "SASU" | "SCI"))
            .collect::<Vec<_>>()
            .join(" ")
            .to_uppercase(),
        _ => name.to_uppercase().chars().take(24).collect(),
    }
}

/// An invoice number as someone writes it; with `ocr`, a 0 may become an O.
fn written_number(rng: &mut impl Rng, number: &str, ocr: bool) -> String {
    let mut text = match rng.random_range(0..5) {
        0 => number.to_owned(),
        1 => number.to_lowercase(),
        2 => number.replace('-', " "),
        3 => number.replace('-', "/"),
        _ => number.replace('-', ""),
    };
    if ocr
        && rng.random_range(0..3) == 0
        && let Some(position) = text.rfind('0')
    {
        text.replace_range(position..=position, "O");
    }
    let prefix = ["", "FACT ", "FA-", "FACTURE N ", "INV "][rng.random_range(0..5)];
    format!("{prefix}{text}")
}

fn noisy_text(rng: &mut impl Rng, number: &str, amount_minor: i64) -> String {
    let written = written_number(rng, number, true);
    let words = [
        "VIR",
        "SEPA",
        "REGLEMENT",
        "MERCI",
        "CDE 4471",
        "REF CLIENT",
        "PAIEMENT",
    ];
    let first = words[rng.random_range(0..words.len())];
    let last = words[rng.random_range(0..words.len())];
    let day = rng.random_range(1..=28);
    format!(
        "{first} {written} DU {day:02}/10/2026 {},{:02} EUR {last}",
        amount_minor / 100,
        amount_minor % 100
    )
}

/// The lines as one camt.053.001.02 statement of `account`, booked on `day`, each with an
/// end-to-end id `SYN-{index}`.
pub fn write_camt053(lines: &[LabelledLine], account: &str, day: &str) -> String {
    let mut out = String::with_capacity(lines.len() * 600 + 1_000);
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.02\"><BkToCstmrStmt>\n");
    out.push_str("<GrpHdr><MsgId>SYNTHETIC</MsgId><CreDtTm>2026-11-20T18:00:00+01:00</CreDtTm></GrpHdr>\n<Stmt><Id>SYN</Id>");
    out.push_str(&format!(
        "<Acct><Id><IBAN>{account}</IBAN></Id><Ccy>EUR</Ccy></Acct>\n"
    ));
    for (index, line) in lines.iter().enumerate() {
        out.push_str(&format!(
            "<Ntry><Amt Ccy=\"EUR\">{}.{:02}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>{day}</Dt></BookgDt>\
             <NtryDtls><TxDtls><Refs><EndToEndId>SYN-{index}</EndToEndId></Refs>",
            line.amount_minor / 100,
            line.amount_minor % 100
        ));
        if let Some(name) = &line.payer_name {
            out.push_str(&format!(
                "<RltdPties><Dbtr><Nm>{}</Nm></Dbtr></RltdPties>",
                xml_escape(name)
            ));
        }
        out.push_str("<RmtInf>");
        if !line.remittance.is_empty() {
            out.push_str(&format!("<Ustrd>{}</Ustrd>", xml_escape(&line.remittance)));
        }
        if let Some(reference) = &line.creditor_reference {
            out.push_str(&format!(
                "<Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry><Issr>ISO</Issr></Tp><Ref>{reference}</Ref></CdtrRefInf></Strd>"
            ));
        }
        out.push_str("</RmtInf></TxDtls></NtryDtls></Ntry>\n");
    }
    out.push_str("</Stmt></BkToCstmrStmt></Document>\n");
    out
}

fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn open() -> Vec<OpenInvoiceFact> {
        (0..400)
            .map(|i| OpenInvoiceFact {
                number: format!("F2026-{i:06}"),
                customer: format!("C{:04}", i / 4),
                customer_name: format!("Client {} SARL", i / 4),
                outstanding_minor: 1_000 + i * 13,
            })
            .collect()
    }

    #[test]
    fn the_same_seed_gives_the_same_lines_and_each_invoice_is_paid_by_one_line_at_most() {
        let first = labelled_bank_lines(7, 80, &open());
        assert_eq!(first, labelled_bank_lines(7, 80, &open()));
        assert_ne!(first, labelled_bank_lines(8, 80, &open()));
        let mut seen = std::collections::HashSet::new();
        for line in &first {
            for number in &line.invoices {
                assert!(seen.insert(number.clone()), "{number} paid twice");
            }
        }
        assert!(first.len() >= 60);
    }

    #[test]
    fn every_kind_appears_with_its_answer() {
        let lines = labelled_bank_lines(1, 90, &open());
        for kind in LineKind::ALL {
            assert!(lines.iter().any(|line| line.kind == kind), "{kind:?}");
        }
        for line in lines.iter().filter(|l| l.kind == LineKind::Grouped) {
            assert!(line.invoices.len() >= 2);
        }
        let camt = write_camt053(&lines, "FR1420041010050500013M02606", "2026-11-20");
        assert_eq!(camt.matches("<Ntry>").count(), lines.len());
    }
}
