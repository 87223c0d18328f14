//! SWIFT MT940 customer statements, as banks actually send them.
//!
//! A file holds one or more statements, each opened by `:20:` and closed by a `-` line; what
//! surrounds them (SWIFT envelopes `{1:…}{2:…}{4:`, bank headers such as `ABNANL2A` / `940`,
//! control bytes) is not part of any statement and is skipped. A field runs from its tag to the
//! next tag; its continuation lines are kept as lines.
//!
//! Fields read: `:20:` (statement reference), `:25:` (account), `:28:`/`:28C:` (sequence),
//! `:60F:`/`:60M:` (opening balance, which gives the currency), `:61:` (a statement line),
//! `:86:` (the information for the line before it), `:62F:`/`:62M:` (closing balance). Others
//! (`:21:`, `:64:`, `:65:`, non-standard `:NS:`) carry nothing a payment needs.
//!
//! `:86:` comes in three shapes, read as follows:
//! - German structured (`166?00GUTSCHRIFT?20…?32…`): a business code, then `?nn` sub-fields:
//!   `?20`–`?29` and `?60`–`?63` remittance (with the SEPA keywords `EREF+`, `MREF+`, `KREF+`,
//!   `SVWZ+`, `ABWA+`…), `?30` bank code or BIC, `?31` (or Polish `?38`) account, `?32`–`?33`
//!   name, `?34` return reason. The sub-fields are glued without separator, as banks cut them
//!   at fixed widths in the middle of words;
//! - Dutch structured (`/EREF/…/CNTP/iban/bic/name/city/REMI/USTD//text/`);
//! - free text, kept line by line.
//!
//! Reversals are the `RC` and `RD` marks of `:61:`, and the German business codes of returned
//! payments: 109 (SEPA direct debit returned) and 159 (SEPA credit transfer returned), and the
//! older 009 (direct debit returned) (Deutsche Kreditwirtschaft, DFÜ-Abkommen Anlage 3).

use domain::bank::{
    AccountId, Balance, BankEntry, BankReferences, BankStatement, Counterparty, CreditorReference,
    Direction, Remittance,
};
use domain::money::{Currency, Money};
use jiff::civil::Date;

use super::{
    AmountStyle, BankFile, BankFormat, BankProblem, BankProblemKind, Field, Problems, clean_text,
    currency, decode, digits, make_date, numbered_lines, parse_amount,
};

const MT940_AMOUNT: AmountStyle = AmountStyle {
    decimal: ',',
    signed: false,
    grouping: false,
};

/// German business codes (Geschäftsvorfallcodes) of returned payments.
const RETURN_BUSINESS_CODES: [&str; 3] = ["009", "109", "159"];

/// One field: its tag, the line of the tag, and its lines (the first one after the tag).
#[derive(Debug)]
struct Tagged<'a> {
    tag: &'a str,
    line: u64,
    lines: Vec<&'a str>,
}

impl Tagged<'_> {
    fn problem(&self, kind: BankProblemKind) -> BankProblem {
        BankProblem::new(self.line, kind).at(Field::Tag(format!(":{}:", self.tag)))
    }

    fn first(&self) -> &str {
        self.lines.first().copied().unwrap_or("")
    }
}

/// Reads an MT940 file: every statement in it.
pub fn read_mt940(bytes: &[u8]) -> Result<BankFile, Vec<BankProblem>> {
    let text = decode(bytes, false).map_err(|problem| vec![problem])?;
    let mut problems = Problems::default();
    let mut statements = Vec::new();
    for message in messages(&text, &mut problems) {
        if let Some(statement) = read_statement(&message, &mut problems) {
            statements.push(statement);
        }
    }
    if statements.is_empty() && problems.is_empty() {
        problems.push(BankProblem::new(1, BankProblemKind::NoStatement));
    }
    problems.finish(BankFile {
        format: BankFormat::Mt940,
        variant: "MT940".to_owned(),
        statements,
    })
}

/// The statements of the file, each as its fields in order.
fn messages<'a>(text: &'a str, problems: &mut Problems) -> Vec<Vec<Tagged<'a>>> {
    let mut messages = Vec::new();
    let mut current: Option<Vec<Tagged<'a>>> = None;
    for (number, raw) in numbered_lines(text) {
        // Control bytes (SOH, ETX) frame messages in some files; they are never content.
        let line = raw.trim_matches(|c: char| c.is_control() && c != '\t');
        if let Some((tag, rest)) = tag_of(line) {
            if tag == "20" {
                if let Some(done) = current.take() {
                    messages.push(done);
                }
                current = Some(Vec::new());
            }
            match current.as_mut() {
                Some(fields) => fields.push(Tagged {
                    tag,
                    line: number,
                    lines: vec![rest],
                }),
                None => problems.push(
                    BankProblem::new(number, BankProblemKind::OutsideStatement)
                        .at(Field::Tag(format!(":{tag}:"))),
                ),
            }
            continue;
        }
        if ends_message(line) {
            if let Some(done) = current.take() {
                messages.push(done);
            }
            continue;
        }
        // Envelopes, bank headers and blank lines outside a field carry nothing.
        if line.starts_with('{') || line.trim().is_empty() {
            continue;
        }
        if let Some(field) = current.as_mut().and_then(|fields| fields.last_mut()) {
            field.lines.push(line);
        }
    }
    if let Some(done) = current {
        messages.push(done);
    }
    messages
}

/// `(tag, rest)` for a line starting with a field tag: two digits and an optional letter, or
/// the non-standard `NS`.
fn tag_of(line: &str) -> Option<(&str, &str)> {
    let rest = line.strip_prefix(':')?;
    let (tag, content) = rest.split_once(':')?;
    let bytes = tag.as_bytes();
    let standard = matches!(bytes.len(), 2 | 3)
        && bytes[..2].iter().all(u8::is_ascii_digit)
        && bytes.get(2).is_none_or(u8::is_ascii_alphabetic);
    (standard || tag == "NS").then_some((tag, content))
}

/// The end of a message: `-` alone, or followed by `}` (SWIFT envelope) or `XXX` (ING).
fn ends_message(line: &str) -> bool {
    let Some(rest) = line.trim_end().strip_prefix('-') else {
        return false;
    };
    rest.is_empty() || rest.starts_with('}') || rest.bytes().all(|byte| byte == b'X')
}

fn read_statement(fields: &[Tagged<'_>], problems: &mut Problems) -> Option<BankStatement> {
    let mut broken = false;
    let mut report = |problem: BankProblem, broken: &mut bool| {
        problems.push(problem);
        *broken = true;
    };
    let field = |tags: &[&str]| fields.iter().find(|field| tags.contains(&field.tag));
    let id = field(&["20"]).and_then(|field| clean_text(field.first()));
    let account = field(&["25"]).and_then(|field| AccountId::parse(field.first()));
    let sequence = field(&["28C", "28"]).and_then(|field| clean_text(field.first()));
    let Some(opening_field) = field(&["60F", "60M"]) else {
        let start = &fields[0];
        report(
            start.problem(BankProblemKind::Missing).with_value(":60F:"),
            &mut broken,
        );
        return None;
    };
    let opening = match balance(opening_field) {
        Ok(balance) => Some(balance),
        Err(problem) => {
            report(problem, &mut broken);
            None
        }
    };
    let closing = match field(&["62F", "62M"]).map(balance) {
        Some(Ok(balance)) => Some(balance),
        Some(Err(problem)) => {
            report(problem, &mut broken);
            None
        }
        None => None,
    };
    let (Some((opening, currency)), closing) = (opening, closing) else {
        return None;
    };
    let mut entries = Vec::new();
    let mut index = 0;
    while index < fields.len() {
        let line_field = &fields[index];
        index += 1;
        if line_field.tag != "61" {
            continue;
        }
        let information = fields
            .get(index..)
            .unwrap_or_default()
            .iter()
            .take_while(|next| next.tag == "86")
            .collect::<Vec<_>>();
        index += information.len();
        match statement_line(line_field, &information, currency) {
            Ok(entry) => entries.push(entry),
            Err(found) => {
                for problem in found {
                    report(problem, &mut broken);
                }
            }
        }
    }
    if broken {
        return None;
    }
    Some(BankStatement {
        account,
        currency,
        id,
        sequence,
        period: None,
        opening_balance: Some(opening),
        closing_balance: closing.map(|(balance, _)| balance),
        entries,
        skipped: Vec::new(),
    })
}

/// `C110522EUR3236,28`: mark, date, currency, amount.
fn balance(field: &Tagged<'_>) -> Result<(Balance, Currency), BankProblem> {
    let text = field.first().trim();
    let malformed = || {
        field
            .problem(BankProblemKind::MalformedField {
                expected: "C or D, YYMMDD, currency, amount",
            })
            .with_value(text)
    };
    if text.len() < 11
        || !text.is_char_boundary(1)
        || !text.is_char_boundary(7)
        || !text.is_char_boundary(10)
    {
        return Err(malformed());
    }
    let negative = match &text[..1] {
        "C" => false,
        "D" => true,
        _ => return Err(malformed()),
    };
    let date = short_date(&text[1..7]).ok_or_else(|| {
        field
            .problem(BankProblemKind::InvalidDate)
            .with_value(&text[1..7])
    })?;
    let code = &text[7..10];
    let currency = currency(code).map_err(|kind| field.problem(kind).with_value(code))?;
    let amount = parse_amount(&text[10..], currency, MT940_AMOUNT).map_err(|reason| {
        field
            .problem(BankProblemKind::InvalidAmount(reason))
            .with_value(&text[10..])
    })?;
    let amount = if negative {
        Money::from_minor(-amount.minor(), currency)
    } else {
        amount
    };
    Ok((Balance { amount, date }, currency))
}

/// A `YYMMDD` date; years 70 to 99 are the 1900s (SWIFT's own century rule for MT940 dates
/// is not written down; every bank reads them this way).
fn short_date(text: &str) -> Option<Date> {
    let bytes = text.as_bytes();
    if bytes.len() != 6 {
        return None;
    }
    let year = digits(&bytes[0..2])?;
    let year = if year >= 70 { 1900 + year } else { 2000 + year };
    make_date(year, digits(&bytes[2..4])?, digits(&bytes[4..6])?)
}

/// The parts of a `:61:` field's first line.
struct LineFields<'a> {
    value_date: Date,
    entry_date: Option<Date>,
    direction: Direction,
    reversal: bool,
    amount_text: &'a str,
    transaction_type: &'a str,
    customer_reference: &'a str,
    /// Text after the 16 characters of the customer reference (before `//`): some banks put
    /// the counterparty there.
    overflow: &'a str,
    bank_reference: &'a str,
}

/// Splits `YYMMDD[MMDD](C|D|RC|RD)[funds code]amount(type)(reference)[//bank reference]`.
fn split_line(text: &str) -> Option<LineFields<'_>> {
    let bytes = text.as_bytes();
    if bytes.len() < 6 || !bytes[..6].iter().all(u8::is_ascii_digit) {
        return None;
    }
    let value_date = short_date(&text[..6])?;
    let mut position = 6;
    let mut entry_date = None;
    if bytes.len() >= 10 && bytes[6..10].iter().all(u8::is_ascii_digit) {
        let month = digits(&bytes[6..8])?;
        let day = digits(&bytes[8..10])?;
        // The entry date has no year: it is the value date's, or the one before or after
        // when the two dates straddle a new year.
        let value_month = i16::from(value_date.month());
        let year = value_date.year()
            + if month - value_month > 6 {
                -1
            } else if value_month - month > 6 {
                1
            } else {
                0
            };
        entry_date = Some(make_date(year, month, day)?);
        position = 10;
    }
    let rest = &text[position..];
    let (direction, reversal, rest) = if let Some(rest) = rest.strip_prefix("RC") {
        (Direction::Debit, true, rest)
    } else if let Some(rest) = rest.strip_prefix("RD") {
        (Direction::Credit, true, rest)
    } else if let Some(rest) = rest.strip_prefix('C') {
        (Direction::Credit, false, rest)
    } else if let Some(rest) = rest.strip_prefix('D') {
        (Direction::Debit, false, rest)
    } else {
        return None;
    };
    // The optional funds code is the third letter of the currency code.
    let rest = match rest.as_bytes().first() {
        Some(byte) if byte.is_ascii_alphabetic() => &rest[1..],
        _ => rest,
    };
    let amount_end = rest
        .find(|c: char| !(c.is_ascii_digit() || c == ','))
        .unwrap_or(rest.len());
    let amount_text = &rest[..amount_end];
    let rest = &rest[amount_end..];
    if amount_text.is_empty() || rest.len() < 4 || !rest.is_char_boundary(4) {
        return None;
    }
    let transaction_type = rest[..4].trim();
    let rest = &rest[4..];
    let (references, bank_reference) = match rest.split_once("//") {
        Some((references, bank)) => (references, bank.trim()),
        None => (rest, ""),
    };
    // The reference has 16 characters at most; what follows is not part of it, unless the
    // 16th character is inside a word (ASN writes an 18-character IBAN there).
    let mut cut = references
        .char_indices()
        .nth(16)
        .map_or(references.len(), |(index, _)| index);
    if cut < references.len() && cut > 0 {
        let before = references[..cut].chars().next_back();
        if before.is_some_and(|c| !c.is_whitespace()) {
            cut += references[cut..]
                .find(char::is_whitespace)
                .unwrap_or(references.len() - cut);
        }
    }
    Some(LineFields {
        value_date,
        entry_date,
        direction,
        reversal,
        amount_text,
        transaction_type,
        customer_reference: references[..cut].trim(),
        overflow: references[cut..].trim(),
        bank_reference,
    })
}

fn statement_line(
    field: &Tagged<'_>,
    information: &[&Tagged<'_>],
    currency: Currency,
) -> Result<BankEntry, Vec<BankProblem>> {
    let first = field.first().trim();
    let Some(parts) = split_line(first) else {
        return Err(vec![
            field
                .problem(BankProblemKind::MalformedField {
                    expected: "YYMMDD[MMDD], C, D, RC or RD, amount, type, reference",
                })
                .with_value(first),
        ]);
    };
    let amount = parse_amount(parts.amount_text, currency, MT940_AMOUNT).map_err(|reason| {
        vec![
            field
                .problem(BankProblemKind::InvalidAmount(reason))
                .with_value(parts.amount_text),
        ]
    })?;
    let mut supplementary: Vec<String> = field.lines[1..]
        .iter()
        .filter_map(|line| clean_text(line))
        .collect();
    if let Some(overflow) = clean_text(parts.overflow) {
        supplementary.insert(0, overflow);
    }
    let customer_reference = BankReferences::clean(parts.customer_reference);
    let mut entry = BankEntry {
        line: field.line,
        booking_date: parts.entry_date.unwrap_or(parts.value_date),
        value_date: Some(parts.value_date),
        amount,
        direction: parts.direction,
        reversal: parts.reversal,
        return_reason: None,
        counterparty: Counterparty::default(),
        remittance: Remittance::default(),
        references: BankReferences {
            bank: BankReferences::clean(parts.bank_reference),
            customer: customer_reference.clone(),
            ..BankReferences::default()
        },
        transaction_code: clean_text(parts.transaction_type),
        additional_info: (!supplementary.is_empty()).then(|| supplementary.join(" ")),
        batch: None,
    };
    // Dutch banks (ASN) put the counterparty's IBAN in the reference and its name on the
    // supplementary line.
    if let Some(reference) = &customer_reference
        && shaped_like_iban(reference)
    {
        entry.counterparty.account = AccountId::parse(reference);
        entry.counterparty.name = supplementary.first().cloned();
    }
    let lines: Vec<&str> = information
        .iter()
        .flat_map(|field| field.lines.iter().copied())
        .collect();
    if !lines.is_empty() {
        read_information(&lines, &mut entry);
    }
    Ok(entry)
}

/// Two letters, two digits and 11 to 30 letters or digits: an IBAN, whether or not its check
/// digits hold (anonymised files break them).
fn shaped_like_iban(text: &str) -> bool {
    let bytes = text.as_bytes();
    (15..=34).contains(&bytes.len())
        && bytes[..2].iter().all(u8::is_ascii_uppercase)
        && bytes[2..4].iter().all(u8::is_ascii_digit)
        && bytes[4..].iter().all(u8::is_ascii_alphanumeric)
}

/// Fills the entry from its `:86:` lines, in whichever of the three shapes they are.
fn read_information(lines: &[&str], entry: &mut BankEntry) {
    let joined: String = lines.concat();
    let trimmed = joined.trim_start();
    let bytes = trimmed.as_bytes();
    if bytes.len() > 4 && bytes[..3].iter().all(u8::is_ascii_digit) && bytes[3] == b'?' {
        read_german(trimmed, entry);
    } else if trimmed.starts_with('/') && dutch_codes(trimmed).len() > 1 {
        read_dutch(trimmed, entry);
    } else {
        entry
            .remittance
            .lines
            .extend(lines.iter().filter_map(|line| clean_text(line)));
        read_labelled_counterparty(lines, entry);
    }
}

/// `REK: NL65INGB0123456789/NAAM: PICQER`, as Knab and other Dutch banks write the
/// counterparty in free text.
fn read_labelled_counterparty(lines: &[&str], entry: &mut BankEntry) {
    for line in lines {
        let Some(start) = line.find("REK: ") else {
            continue;
        };
        let rest = &line[start + 5..];
        let (account, rest) = rest.split_once('/').unwrap_or((rest, ""));
        if entry.counterparty.account.is_none() {
            entry.counterparty.account = AccountId::parse(account);
        }
        if let Some(name) = rest.trim_start().strip_prefix("NAAM: ")
            && entry.counterparty.name.is_none()
        {
            entry.counterparty.name = clean_text(name);
        }
    }
}

/// `?nn` sub-fields of a German structured `:86:`, after its three-digit business code.
fn german_subfields(text: &str) -> Vec<(u8, String)> {
    let mut subfields: Vec<(u8, String)> = Vec::new();
    let mut rest = &text[3..];
    while let Some(start) = rest.find('?') {
        let after = &rest[start + 1..];
        let number = after
            .get(..2)
            .filter(|number| number.bytes().all(|byte| byte.is_ascii_digit()))
            .and_then(|number| number.parse::<u8>().ok());
        match number {
            Some(number) => {
                let content = &after[2..];
                let end = next_subfield(content).unwrap_or(content.len());
                subfields.push((number, content[..end].to_owned()));
                rest = &content[end..];
            }
            None => {
                // A stray `?` (a truncated sub-field) belongs to the text before it.
                if let Some((_, last)) = subfields.last_mut() {
                    last.push('?');
                }
                rest = after;
            }
        }
    }
    subfields
}

/// Where the next `?nn` starts in `text`.
fn next_subfield(text: &str) -> Option<usize> {
    text.match_indices('?')
        .map(|(index, _)| index)
        .find(|&index| {
            text.as_bytes()
                .get(index + 1..index + 3)
                .is_some_and(|number| number.iter().all(u8::is_ascii_digit))
        })
}

fn read_german(text: &str, entry: &mut BankEntry) {
    let code = &text[..3];
    if RETURN_BUSINESS_CODES.contains(&code) {
        entry.reversal = true;
    }
    entry.transaction_code = Some(match &entry.transaction_code {
        Some(kind) => format!("{kind}/{code}"),
        None => code.to_owned(),
    });
    let subfields = german_subfields(text);
    let glued = |wanted: &dyn Fn(u8) -> bool| -> String {
        subfields
            .iter()
            .filter(|(number, _)| wanted(*number))
            .map(|(_, content)| content.as_str())
            .collect()
    };
    let remittance = glued(&|number| (20..=29).contains(&number) || (60..=63).contains(&number));
    let name = glued(&|number| number == 32 || number == 33);
    let account = glued(&|number| number == 38);
    let account = if account.trim().is_empty() {
        glued(&|number| number == 31)
    } else {
        account
    };
    entry.counterparty.name = clean_text(&name).or(entry.counterparty.name.take());
    if let Some(account) = AccountId::parse(&account) {
        entry.counterparty.account = Some(account);
    }
    entry.counterparty.bic = clean_text(&glued(&|number| number == 30));
    if entry.reversal {
        entry.return_reason = clean_text(&glued(&|number| number == 34));
    }
    if let Some(posting_text) = clean_text(&glued(&|number| number == 0)) {
        entry.additional_info = Some(match entry.additional_info.take() {
            Some(info) => format!("{posting_text} {info}"),
            None => posting_text,
        });
    }
    read_sepa_keywords(&remittance, entry);
}

/// The SEPA keywords German banks write in the remittance sub-fields.
const SEPA_KEYWORDS: [&str; 12] = [
    "EREF+", "KREF+", "MREF+", "CRED+", "DEBT+", "SVWZ+", "ABWA+", "ABWE+", "COAM+", "OAMT+",
    "IBAN+", "BIC+",
];

fn read_sepa_keywords(text: &str, entry: &mut BankEntry) {
    let mut starts: Vec<(usize, &str)> = SEPA_KEYWORDS
        .iter()
        .flat_map(|keyword| {
            text.match_indices(keyword)
                .map(move |(index, _)| (index, *keyword))
        })
        .collect();
    starts.sort_unstable();
    let before = &text[..starts.first().map_or(text.len(), |(index, _)| *index)];
    let mut free_text: Vec<String> = clean_text(before).into_iter().collect();
    for (position, &(index, keyword)) in starts.iter().enumerate() {
        let end = starts
            .get(position + 1)
            .map_or(text.len(), |(next, _)| *next);
        let value = clean_text(&text[index + keyword.len()..end]);
        match keyword {
            "EREF+" => {
                entry.references.end_to_end = value.as_deref().and_then(BankReferences::clean)
            }
            "KREF+" => entry.references.customer = value.as_deref().and_then(BankReferences::clean),
            "MREF+" => entry.references.mandate = value.as_deref().and_then(BankReferences::clean),
            "SVWZ+" => free_text.extend(value),
            "ABWA+" | "ABWE+" if entry.counterparty.name.is_none() => {
                entry.counterparty.name = value;
            }
            _ => {}
        }
    }
    entry.remittance.lines.extend(free_text);
}

/// The Dutch codes that can open a value in a structured `:86:` (NVB standard).
const DUTCH_CODES: [&str; 16] = [
    "TRTP", "IBAN", "BIC", "NAME", "REMI", "EREF", "MARF", "CSID", "CNTP", "RTRN", "ORDP", "BENM",
    "ULTD", "ULTC", "PURP", "ADDR",
];

/// `(code, value)` pairs of a Dutch structured `:86:`; a value keeps its inner slashes.
fn dutch_codes(text: &str) -> Vec<(&'static str, String)> {
    let mut pairs: Vec<(&'static str, String)> = Vec::new();
    for token in text.split('/') {
        match DUTCH_CODES.iter().find(|code| **code == token) {
            Some(code) => pairs.push((code, String::new())),
            None => {
                if let Some((_, value)) = pairs.last_mut()
                    && (!value.is_empty() || !token.is_empty())
                {
                    if !value.is_empty() {
                        value.push('/');
                    }
                    value.push_str(token);
                }
            }
        }
    }
    pairs
}

fn read_dutch(text: &str, entry: &mut BankEntry) {
    for (code, value) in dutch_codes(text) {
        let value = value.trim_matches('/');
        match code {
            "EREF" => entry.references.end_to_end = BankReferences::clean(value),
            "MARF" => entry.references.mandate = BankReferences::clean(value),
            "RTRN" => entry.return_reason = clean_text(value),
            "NAME" => entry.counterparty.name = clean_text(value),
            "IBAN" => entry.counterparty.account = AccountId::parse(value),
            "BIC" => entry.counterparty.bic = clean_text(value),
            "CNTP" | "ORDP" | "BENM" => {
                // account / BIC / name / city
                let parts: Vec<&str> = value.split('/').collect();
                if let Some(account) = parts.first().and_then(|part| AccountId::parse(part)) {
                    entry.counterparty.account = Some(account);
                }
                if let Some(bic) = parts.get(1).and_then(|part| clean_text(part)) {
                    entry.counterparty.bic = Some(bic);
                }
                if let Some(name) = parts.get(2).and_then(|part| clean_text(part)) {
                    entry.counterparty.name = Some(name);
                }
            }
            "REMI" => {
                // USTD//free text, or STRD/CUR/reference (a structured creditor reference).
                let (kind, rest) = value.split_once('/').unwrap_or((value, ""));
                let rest = rest.trim_matches('/');
                if kind == "STRD" {
                    let (scheme, reference) = rest.split_once('/').unwrap_or(("", rest));
                    entry.remittance.creditor_reference =
                        CreditorReference::from_file(Some(scheme), reference);
                } else if let Some(text) = clean_text(rest) {
                    entry.remittance.lines.push(text);
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::*;

    fn read(text: &str) -> Result<BankFile, Vec<BankProblem>> {
        read_mt940(text.as_bytes())
    }

    #[test]
    fn entry_dates_take_the_year_of_their_value_date_across_new_year() {
        let line = split_line("1912310102C10,NTRFNONREF").unwrap();
        assert_eq!(line.value_date, date(2019, 12, 31));
        assert_eq!(line.entry_date, Some(date(2020, 1, 2)));
        let line = split_line("2001021231D10,NTRFNONREF").unwrap();
        assert_eq!(line.entry_date, Some(date(2019, 12, 31)));
    }

    #[test]
    fn marks_funds_codes_and_references_are_told_apart() {
        let line = split_line("0709040904RCR204,88NRTINONREF").unwrap();
        assert_eq!(
            (
                line.direction,
                line.reversal,
                line.amount_text,
                line.transaction_type
            ),
            (Direction::Debit, true, "204,88", "NRTI")
        );
        let line = split_line("1407290729C500NTRF29-07-2014 10:05//B4G29PGDCK1QFV3E").unwrap();
        assert_eq!(
            (
                line.amount_text,
                line.customer_reference,
                line.bank_reference
            ),
            ("500", "29-07-2014 10:05", "B4G29PGDCK1QFV3E")
        );
        let line = split_line("110527D000000001213,28N0440121470966      W.P. Jansen   ").unwrap();
        assert_eq!(
            (line.customer_reference, line.overflow),
            ("0121470966", "W.P. Jansen")
        );
        assert!(split_line("1105240524X9,N192NONREF").is_none());
        assert!(split_line("11052").is_none());
    }

    #[test]
    fn a_dutch_structured_line_gives_counterparty_and_references() {
        let file = read(
            ":20:940S140102\n:25:NL20INGB0001234567\n:28C:1\n:60F:C140101EUR100,00\n\
             :61:1401020102C12,50NTRFEREF//00000000001\n\
             :86:/EREF/F2026-0131//CNTP/NL91ABNA0417164300/ABNANL2A/ATELIER DUPONT/PARIS/REMI/STRD/SCOR/RF18539007547034/\n\
             :62F:C140102EUR112,50\n-\n",
        )
        .unwrap();
        let entry = file.entries().next().unwrap();
        assert_eq!(entry.references.end_to_end.as_deref(), Some("F2026-0131"));
        assert_eq!(entry.counterparty.name.as_deref(), Some("ATELIER DUPONT"));
        assert_eq!(
            entry.counterparty.account.as_ref().map(AccountId::as_str),
            Some("NL91ABNA0417164300")
        );
        assert!(matches!(
            entry.remittance.creditor_reference,
            Some(CreditorReference::Rf(_))
        ));
        assert_eq!(entry.references.bank.as_deref(), Some("00000000001"));
    }

    #[test]
    fn bad_fields_are_located_and_all_reported() {
        let problems = read(
            ":20:X\n:25:1\n:60F:C140101EUR100,00\n:61:1401020102C12,505NTRFNONREF\n\
             :61:1402300230C1,00NTRFNONREF\n:62F:C140102XXX112,50\n-\n",
        )
        .unwrap_err();
        let found: Vec<(u64, String)> = problems
            .iter()
            .map(|problem| (problem.line, problem.to_string()))
            .collect();
        assert_eq!(
            found,
            vec![
                (4, "line 4, field \":61:\": \"12,505\" has more decimals than EUR allows (2); Relance does not round amounts from a bank".to_owned()),
                (5, "line 5, field \":61:\": \"1402300230C1,00NTRFNONREF\" does not have the expected layout (YYMMDD[MMDD], C, D, RC or RD, amount, type, reference)".to_owned()),
                (6, "line 6, field \":62F:\": \"XXX\" is not a currency Relance knows".to_owned()),
            ]
        );
    }

    #[test]
    fn a_field_before_any_statement_is_refused() {
        let problems = read(":25:1\n:20:X\n:60F:C140101EUR1,\n-\n").unwrap_err();
        assert_eq!(problems[0].kind, BankProblemKind::OutsideStatement);
        assert_eq!(problems[0].line, 1);
    }
}
