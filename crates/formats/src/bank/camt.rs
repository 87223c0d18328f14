//! ISO 20022 camt.053 (statement) and camt.054 (debit/credit notification), any version.
//!
//! The versions in use (001.02 to 001.10, Swiss and Belgian variants) name the same elements
//! the same way where a payment is concerned; what changed is where a few of them sit (a
//! party's name in `Nm` up to version 7, in `Pty/Nm` from 8; a transaction's amount in
//! `AmtDtls/TxAmt/Amt` in version 2, also in `Amt` from 3; the status as text up to 7, in
//! `Sts/Cd` from 8). The reader looks in every place, matches elements by local name and
//! takes the version from the namespace only to report it.
//!
//! Rules beyond the schema, each learnt from a real file (see decision 0007):
//! - only booked entries (`Sts` `BOOK`, or no status at all) are entries; pending and
//!   information-only entries are listed as skipped, never read as payments;
//! - a batch whose transaction details add up to the booked amount becomes one entry per
//!   transaction; otherwise it stays one entry for the booked amount;
//! - an entry without a booking date is booked on its value date, or on the only day its
//!   statement covers; otherwise it is a problem;
//! - an `IBAN` element whose check digits fail is kept as the account identifier as written.

use domain::bank::{
    AccountId, Balance, BankEntry, BankReferences, BankStatement, Batch, Counterparty,
    CreditorReference, Direction, Period, Remittance, SkippedEntry,
};
use domain::money::{Currency, Money};
use jiff::civil::Date;

use super::xml::{Node, XmlElement, XmlReader};
use super::{
    BankFile, BankFormat, BankProblem, BankProblemKind, Field, ISO_AMOUNT, Problems, clean_text,
    currency, decode, parse_amount, parse_iso_date,
};

/// The statement element of each message.
const STATEMENT: &str = "Stmt";
const NOTIFICATION: &str = "Ntfctn";

/// Reads a camt.053 or camt.054 file. With `expected`, a file of the other message is refused.
pub fn read_camt(bytes: &[u8], expected: Option<BankFormat>) -> Result<BankFile, Vec<BankProblem>> {
    let text =
        decode(bytes, !declares_single_byte_encoding(bytes)).map_err(|problem| vec![problem])?;
    let mut reader = XmlReader::new(&text);
    read_document(&mut reader, expected)
}

/// Whether the XML declaration names a single-byte encoding (Latin-1 or Windows-1252): the
/// only other encodings a bank file declares besides UTF-8.
fn declares_single_byte_encoding(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(200)];
    let head = String::from_utf8_lossy(head).to_ascii_lowercase();
    let Some(declaration) = head
        .strip_prefix("<?xml")
        .and_then(|rest| rest.split_once("?>"))
        .map(|(declaration, _)| declaration)
    else {
        return false;
    };
    [
        "iso-8859-1",
        "iso-8859-15",
        "latin1",
        "windows-1252",
        "cp1252",
    ]
    .iter()
    .any(|name| declaration.contains(name))
}

fn read_document(
    reader: &mut XmlReader<'_>,
    expected: Option<BankFormat>,
) -> Result<BankFile, Vec<BankProblem>> {
    let one = |problem: BankProblem| vec![problem];
    let root = loop {
        match reader.next().map_err(one)? {
            Node::Start(root) => break root,
            Node::Text(_) | Node::End => {}
            Node::Eof => return Err(one(BankProblem::new(1, BankProblemKind::NoStatement))),
        }
    };
    let namespace = root
        .attributes
        .iter()
        .find(|(key, value)| key.starts_with("xmlns") && value.contains("camt."))
        .map(|(_, value)| value.clone());
    // The message element is the root's first child, or the root itself in files that leave
    // the `Document` wrapper out.
    let message = if root.name == "Document" {
        loop {
            match reader.next().map_err(one)? {
                Node::Start(message) => break message,
                Node::Text(_) => {}
                Node::End | Node::Eof => {
                    return Err(one(root.problem(BankProblemKind::NoStatement)));
                }
            }
        }
    } else {
        root
    };
    let (format, statement_name) = match message.name.as_str() {
        "BkToCstmrStmt" => (BankFormat::Camt053, STATEMENT),
        "BkToCstmrDbtCdtNtfctn" => (BankFormat::Camt054, NOTIFICATION),
        other => {
            let name = namespace
                .as_deref()
                .and_then(message_id)
                .map_or_else(|| other.to_owned(), |id| format!("{id} ({other})"));
            return Err(one(message
                .problem(BankProblemKind::UnsupportedMessage)
                .with_value(&name)));
        }
    };
    if let Some(expected) = expected
        && expected != format
    {
        return Err(one(message.problem(BankProblemKind::FormatMismatch {
            expected,
            found: format,
        })));
    }
    let variant = namespace
        .as_deref()
        .and_then(message_id)
        .unwrap_or_else(|| format.name().to_owned());
    let mut problems = Problems::default();
    let mut statements = Vec::new();
    let message_line = message.line;
    let message_path = message.path.clone();
    loop {
        match reader.next().map_err(one)? {
            Node::Start(child) if child.name == statement_name => {
                match read_statement(reader, child, &mut problems) {
                    Ok(Some(statement)) => statements.push(statement),
                    Ok(None) => {}
                    Err(fatal) => {
                        problems.push(fatal);
                        return problems.finish(unreachable_file());
                    }
                }
            }
            Node::Start(_) => reader.skip_element().map_err(one)?,
            Node::Text(_) => {}
            Node::End | Node::Eof => break,
        }
    }
    if statements.is_empty() && problems.is_empty() {
        problems.push(
            BankProblem::new(message_line, BankProblemKind::NoStatement)
                .at(Field::Element(message_path)),
        );
    }
    problems.finish(BankFile {
        format,
        variant,
        statements,
    })
}

/// A value for `Problems::finish` when problems are certain: never returned.
fn unreachable_file() -> BankFile {
    BankFile {
        format: BankFormat::Camt053,
        variant: String::new(),
        statements: Vec::new(),
    }
}

/// `camt.053.001.02` from `urn:iso:std:iso:20022:tech:xsd:camt.053.001.02`.
fn message_id(namespace: &str) -> Option<String> {
    namespace
        .rsplit(':')
        .next()
        .filter(|id| id.starts_with("camt."))
        .map(str::to_owned)
}

/// What the statement's header says, gathered before its entries (the schema puts the header
/// first).
#[derive(Default)]
struct Header {
    id: Option<String>,
    legal_sequence: Option<String>,
    electronic_sequence: Option<String>,
    period: Option<Period>,
    account: Option<AccountId>,
    account_currency: Option<Currency>,
    opening: Option<Balance>,
    previous_closing: Option<Balance>,
    closing: Option<Balance>,
}

impl Header {
    /// The day an entry without booking or value date was booked on, when the statement
    /// covers one day only.
    fn only_day(&self) -> Option<Date> {
        if let Some(period) = self.period
            && period.from == period.to
        {
            return Some(period.from);
        }
        match (self.opening.or(self.previous_closing), self.closing) {
            (Some(opening), Some(closing)) if opening.date == closing.date => Some(closing.date),
            _ => None,
        }
    }
}

/// Reads one `Stmt` or `Ntfctn`; `Ok(None)` when its problems were recorded. A problem that
/// stops the reading of the file (malformed XML, a refused entity) is the error.
fn read_statement(
    reader: &mut XmlReader<'_>,
    statement: XmlElement,
    problems: &mut Problems,
) -> Result<Option<BankStatement>, BankProblem> {
    let mut header = Header::default();
    let mut entries = Vec::new();
    let mut skipped = Vec::new();
    let mut first_entry_currency = None;
    let mut broken = false;
    loop {
        match reader.next()? {
            Node::Start(child) => {
                let child = reader.read_element(child)?;
                if child.name == "Ntry" {
                    match read_entry(&child, &header) {
                        Ok(EntryOutcome::Booked(mut lines)) => {
                            first_entry_currency.get_or_insert_with(|| lines[0].amount.currency());
                            entries.append(&mut lines);
                        }
                        Ok(EntryOutcome::Skipped(entry)) => skipped.push(entry),
                        Err(found) => {
                            broken = true;
                            for problem in found {
                                problems.push(problem);
                            }
                        }
                    }
                } else if let Err(found) = read_header_element(&child, &mut header) {
                    broken = true;
                    for problem in found {
                        problems.push(problem);
                    }
                }
            }
            Node::Text(_) => {}
            Node::End | Node::Eof => break,
        }
    }
    if broken {
        return Ok(None);
    }
    let currency = header
        .account_currency
        .or(header.opening.map(|balance| balance.amount.currency()))
        .or(header.closing.map(|balance| balance.amount.currency()))
        .or(first_entry_currency);
    let Some(currency) = currency else {
        problems.push(
            statement
                .problem(BankProblemKind::Missing)
                .with_value("Acct/Ccy"),
        );
        return Ok(None);
    };
    Ok(Some(BankStatement {
        account: header.account,
        currency,
        id: header.id,
        sequence: header.legal_sequence.or(header.electronic_sequence),
        period: header.period,
        opening_balance: header.opening.or(header.previous_closing),
        closing_balance: header.closing,
        entries,
        skipped,
    }))
}

fn read_header_element(element: &XmlElement, header: &mut Header) -> Result<(), Vec<BankProblem>> {
    match element.name.as_str() {
        "Id" => header.id = clean_text(&element.text),
        "LglSeqNb" => header.legal_sequence = clean_text(&element.text),
        "ElctrncSeqNb" => header.electronic_sequence = clean_text(&element.text),
        "FrToDt" => {
            let from = optional_date(element, &["FrDtTm"]).map_err(|problem| vec![problem])?;
            let to = optional_date(element, &["ToDtTm"]).map_err(|problem| vec![problem])?;
            if let (Some(from), Some(to)) = (from, to) {
                header.period = Some(Period { from, to });
            }
        }
        "Acct" => {
            header.account = account_id(element);
            if let Some(code) = element.child("Ccy") {
                header.account_currency = Some(
                    currency(&code.text)
                        .map_err(|kind| vec![code.problem(kind).with_value(&code.text)])?,
                );
            }
        }
        "Bal" => {
            let code = element
                .text_at(&["Tp", "CdOrPrtry", "Cd"])
                .or_else(|| element.text_at(&["Tp", "CdOrPrtry", "Prtry"]))
                .unwrap_or("");
            let slot = match code {
                "OPBD" => &mut header.opening,
                "PRCD" => &mut header.previous_closing,
                "CLBD" => &mut header.closing,
                // Available, interim and forward balances say nothing about what was booked.
                _ => return Ok(()),
            };
            *slot = Some(read_balance(element)?);
        }
        _ => {}
    }
    Ok(())
}

fn read_balance(element: &XmlElement) -> Result<Balance, Vec<BankProblem>> {
    let mut problems = Vec::new();
    let amount = required(element, "Amt").and_then(read_amount);
    // The schema requires the indicator; a Lithuanian bank leaves it out on positive
    // balances, which is the only reading that makes its statements add up.
    let direction = match element.child("CdtDbtInd") {
        Some(indicator) => read_direction(indicator).map(Some),
        None => Ok(None),
    };
    let date = required(element, "Dt").and_then(|date| required_date(date, &[]));
    let (Ok(amount), Ok(direction), Ok(date)) = (
        amount.map_err(|problem| problems.push(problem)),
        direction.map_err(|problem| problems.push(problem)),
        date.map_err(|problem| problems.push(problem)),
    ) else {
        return Err(problems);
    };
    let amount = match direction {
        Some(Direction::Debit) => Money::from_minor(-amount.minor(), amount.currency()),
        Some(Direction::Credit) | None => amount,
    };
    Ok(Balance { amount, date })
}

enum EntryOutcome {
    Booked(Vec<BankEntry>),
    Skipped(SkippedEntry),
}

/// One `Ntry`: one entry, one per transaction of a batch broken down, or a skipped entry.
fn read_entry(entry: &XmlElement, header: &Header) -> Result<EntryOutcome, Vec<BankProblem>> {
    let mut problems = Vec::new();
    let amount = required(entry, "Amt")
        .and_then(read_amount)
        .map_err(|problem| problems.push(problem));
    let direction = required(entry, "CdtDbtInd")
        .and_then(read_direction)
        .map_err(|problem| problems.push(problem));
    let status = entry
        .text_at(&["Sts", "Cd"])
        .or_else(|| entry.text_at(&["Sts"]))
        .unwrap_or("BOOK")
        .to_owned();
    let reversal = entry
        .text_at(&["RvslInd"])
        .is_some_and(|flag| flag.eq_ignore_ascii_case("true") || flag == "1");
    let booked_on = optional_date(entry, &["BookgDt"]).map_err(|problem| problems.push(problem));
    let value_date = optional_date(entry, &["ValDt"]).map_err(|problem| problems.push(problem));
    let (Ok(amount), Ok(direction), Ok(booked_on), Ok(value_date)) =
        (amount, direction, booked_on, value_date)
    else {
        return Err(problems);
    };
    if status != "BOOK" {
        return Ok(EntryOutcome::Skipped(SkippedEntry {
            line: entry.line,
            status,
            amount,
            direction,
        }));
    }
    let Some(booking_date) = booked_on.or(value_date).or_else(|| header.only_day()) else {
        return Err(vec![entry.problem(BankProblemKind::MissingBookingDate)]);
    };
    let transactions: Vec<&XmlElement> = entry
        .children("NtryDtls")
        .flat_map(|details| details.children("TxDtls"))
        .collect();
    let declared_count = entry
        .children("NtryDtls")
        .filter_map(|details| details.text_at(&["Btch", "NbOfTxs"]))
        .filter_map(|count| count.parse::<u32>().ok())
        .max()
        .unwrap_or(1);
    let base = BankEntry {
        line: entry.line,
        booking_date,
        value_date,
        amount,
        direction,
        reversal,
        return_reason: None,
        counterparty: Counterparty::default(),
        remittance: Remittance::default(),
        references: BankReferences {
            bank: entry
                .text_at(&["AcctSvcrRef"])
                .and_then(BankReferences::clean),
            entry: entry.text_at(&["NtryRef"]).and_then(BankReferences::clean),
            ..BankReferences::default()
        },
        transaction_code: transaction_code(entry),
        additional_info: entry.text_at(&["AddtlNtryInf"]).and_then(clean_text),
        batch: None,
    };
    let own_account = header.account.as_ref();
    if transactions.len() >= 2 {
        let amounts = transaction_amounts(&transactions, &base)?;
        if let Some(amounts) = amounts {
            let count = u32::try_from(transactions.len()).unwrap_or(u32::MAX);
            let parts = transactions
                .iter()
                .zip(amounts)
                .zip(1..)
                .map(|((transaction, (amount, direction)), index)| {
                    let mut line = details(&base, transaction, own_account, true);
                    line.amount = amount;
                    line.direction = direction;
                    line.batch = Some(Batch::Part { index, count });
                    line
                })
                .collect();
            return Ok(EntryOutcome::Booked(parts));
        }
        let mut whole = merged_details(&base, &transactions, own_account);
        whole.batch = Some(Batch::Whole {
            count: declared_count.max(u32::try_from(transactions.len()).unwrap_or(u32::MAX)),
        });
        return Ok(EntryOutcome::Booked(vec![whole]));
    }
    let mut line = match transactions.first() {
        Some(transaction) => details(&base, transaction, own_account, false),
        None => base,
    };
    if declared_count > 1 {
        line.batch = Some(Batch::Whole {
            count: declared_count,
        });
    }
    Ok(EntryOutcome::Booked(vec![line]))
}

/// The amount and direction of each transaction of a batch when they add up to the booked
/// amount, in its currency; `None` when they do not (the breakdown is then not used).
fn transaction_amounts(
    transactions: &[&XmlElement],
    entry: &BankEntry,
) -> Result<Option<Vec<(Money, Direction)>>, Vec<BankProblem>> {
    let mut amounts = Vec::with_capacity(transactions.len());
    let mut problems = Vec::new();
    let mut complete = true;
    for transaction in transactions {
        let amount = transaction
            .child("Amt")
            .or_else(|| transaction.find(&["AmtDtls", "TxAmt", "Amt"]));
        let Some(amount) = amount else {
            complete = false;
            continue;
        };
        let direction = match transaction.child("CdtDbtInd") {
            Some(indicator) => read_direction(indicator),
            None => Ok(entry.direction),
        };
        match (read_amount(amount), direction) {
            (Ok(amount), Ok(direction)) => amounts.push((amount, direction)),
            (amount, direction) => {
                problems.extend(amount.err());
                problems.extend(direction.err());
            }
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    if !complete
        || amounts
            .iter()
            .any(|(amount, _)| amount.currency() != entry.amount.currency())
    {
        return Ok(None);
    }
    let signed = |amount: Money, direction: Direction| match direction {
        Direction::Credit => i128::from(amount.minor()),
        Direction::Debit => -i128::from(amount.minor()),
    };
    let total: i128 = amounts
        .iter()
        .map(|&(amount, direction)| signed(amount, direction))
        .sum();
    Ok((total == signed(entry.amount, entry.direction)).then_some(amounts))
}

/// The entry completed with what one transaction's details say. `part` is true for a
/// transaction of a batch broken down, whose own bank reference comes first.
fn details(
    base: &BankEntry,
    transaction: &XmlElement,
    own_account: Option<&AccountId>,
    part: bool,
) -> BankEntry {
    let mut line = base.clone();
    if part {
        line.line = transaction.line;
    }
    let references = transaction.child("Refs");
    let reference = |name: &str| {
        references
            .and_then(|references| references.text_at(&[name]))
            .and_then(BankReferences::clean)
    };
    let own_reference = reference("AcctSvcrRef");
    line.references.bank = if part {
        own_reference.or(base.references.bank.clone())
    } else {
        base.references.bank.clone().or(own_reference)
    };
    line.references.end_to_end = reference("EndToEndId");
    line.references.transaction = reference("TxId");
    line.references.instruction = reference("InstrId");
    line.references.mandate = reference("MndtId");
    line.references.cheque = reference("ChqNb");
    line.counterparty = counterparty(transaction, base.direction, base.reversal, own_account);
    line.remittance = remittance(transaction);
    line.return_reason = transaction
        .text_at(&["RtrInf", "Rsn", "Cd"])
        .or_else(|| transaction.text_at(&["RtrInf", "Rsn", "Prtry"]))
        .map(str::to_owned);
    if let Some(code) = transaction_code(transaction) {
        line.transaction_code = Some(code);
    }
    if let Some(info) = transaction.text_at(&["AddtlTxInf"]).and_then(clean_text) {
        line.additional_info = Some(info);
    }
    line
}

/// One entry for a batch whose breakdown cannot be used: what its transactions agree on, and
/// all their texts, so nothing a matcher could use is lost.
fn merged_details(
    base: &BankEntry,
    transactions: &[&XmlElement],
    own_account: Option<&AccountId>,
) -> BankEntry {
    let mut line = base.clone();
    let parties: Vec<Counterparty> = transactions
        .iter()
        .map(|transaction| counterparty(transaction, base.direction, base.reversal, own_account))
        .collect();
    if parties.windows(2).all(|pair| pair[0] == pair[1]) {
        line.counterparty = parties.into_iter().next().unwrap_or_default();
    }
    let remittances: Vec<Remittance> = transactions.iter().map(|tx| remittance(tx)).collect();
    let references: Vec<&CreditorReference> = remittances
        .iter()
        .filter_map(|remittance| remittance.creditor_reference.as_ref())
        .collect();
    let same_reference = references.windows(2).all(|pair| pair[0] == pair[1]);
    if same_reference {
        line.remittance.creditor_reference = references.first().map(|&reference| reference.clone());
    }
    for remittance in &remittances {
        line.remittance
            .lines
            .extend(remittance.lines.iter().cloned());
        if !same_reference && let Some(reference) = &remittance.creditor_reference {
            line.remittance.lines.push(reference.reference().to_owned());
        }
    }
    line.return_reason = transactions.iter().find_map(|transaction| {
        transaction
            .text_at(&["RtrInf", "Rsn", "Cd"])
            .map(str::to_owned)
    });
    line
}

/// The other party: the payer of a credit, the payee of a debit; for a reversal, the party of
/// the movement it undoes. When the file names only the other side, or names the statement's
/// own account on the expected side, the other side is taken (never the own account).
fn counterparty(
    transaction: &XmlElement,
    direction: Direction,
    reversal: bool,
    own_account: Option<&AccountId>,
) -> Counterparty {
    let original = if reversal {
        direction.opposite()
    } else {
        direction
    };
    let (preferred, other) = match original {
        Direction::Credit => ("Dbtr", "Cdtr"),
        Direction::Debit => ("Cdtr", "Dbtr"),
    };
    let preferred = party(transaction, preferred);
    let other = party(transaction, other);
    let is_own =
        |party: &Counterparty| party.account.is_some() && party.account.as_ref() == own_account;
    let named = |party: &Counterparty| party.name.is_some() || party.account.is_some();
    // Some banks swap the roles (the statement's own account given as the payee of a debit);
    // the own account is never the counterparty.
    if named(&preferred) && !is_own(&preferred) {
        return preferred;
    }
    if named(&other) && !is_own(&other) {
        return other;
    }
    if is_own(&preferred) {
        Counterparty::default()
    } else {
        preferred
    }
}

fn party(transaction: &XmlElement, role: &str) -> Counterparty {
    let parties = transaction.child("RltdPties");
    let name = parties.and_then(|parties| {
        parties
            .text_at(&[role, "Nm"])
            .or_else(|| parties.text_at(&[role, "Pty", "Nm"]))
            .or_else(|| parties.text_at(&[&format!("Ultmt{role}"), "Nm"]))
            .or_else(|| parties.text_at(&[&format!("Ultmt{role}"), "Pty", "Nm"]))
            .and_then(clean_text)
    });
    let account = parties
        .and_then(|parties| parties.child(&format!("{role}Acct")))
        .and_then(account_id);
    let bic = transaction
        .find(&["RltdAgts", &format!("{role}Agt"), "FinInstnId"])
        .and_then(|institution| {
            institution
                .text_at(&["BICFI"])
                .or_else(|| institution.text_at(&["BIC"]))
                .map(str::to_owned)
        });
    Counterparty { name, account, bic }
}

/// `Id/IBAN` or `Id/Othr/Id` of an account element.
fn account_id(account: &XmlElement) -> Option<AccountId> {
    account
        .text_at(&["Id", "IBAN"])
        .or_else(|| account.text_at(&["Id", "Othr", "Id"]))
        .and_then(AccountId::parse)
}

fn remittance(transaction: &XmlElement) -> Remittance {
    let mut remittance = Remittance::default();
    let Some(information) = transaction.child("RmtInf") else {
        return remittance;
    };
    remittance.lines.extend(
        information
            .children("Ustrd")
            .filter_map(|text| clean_text(&text.text)),
    );
    for structured in information.children("Strd") {
        if let Some(reference) = structured.child("CdtrRefInf")
            && remittance.creditor_reference.is_none()
        {
            let scheme = reference
                .text_at(&["Tp", "CdOrPrtry", "Cd"])
                .or_else(|| reference.text_at(&["Tp", "CdOrPrtry", "Prtry"]));
            if let Some(text) = reference.text_at(&["Ref"]) {
                remittance.creditor_reference = CreditorReference::from_file(scheme, text);
            }
        }
        // The numbers of the documents paid (invoice numbers) are what a matcher looks for.
        remittance.lines.extend(
            structured
                .children("RfrdDocInf")
                .filter_map(|document| document.text_at(&["Nb"]))
                .filter_map(clean_text),
        );
        remittance.lines.extend(
            structured
                .children("AddtlRmtInf")
                .filter_map(|text| clean_text(&text.text)),
        );
    }
    remittance
}

/// `PMNT/RCDT/ESCT` from the ISO domain, family and sub-family, else the proprietary code.
fn transaction_code(element: &XmlElement) -> Option<String> {
    let code = element.child("BkTxCd")?;
    if let Some(domain) = code.child("Domn") {
        let parts: Vec<&str> = [
            domain.text_at(&["Cd"]),
            domain.text_at(&["Fmly", "Cd"]),
            domain.text_at(&["Fmly", "SubFmlyCd"]),
        ]
        .into_iter()
        .flatten()
        .collect();
        if !parts.is_empty() {
            return Some(parts.join("/"));
        }
    }
    code.text_at(&["Prtry", "Cd"]).map(str::to_owned)
}

fn required<'e>(parent: &'e XmlElement, name: &str) -> Result<&'e XmlElement, BankProblem> {
    parent
        .child(name)
        .ok_or_else(|| parent.problem(BankProblemKind::Missing).with_value(name))
}

/// An `Amt` element: the amount in its `Ccy`.
fn read_amount(element: &XmlElement) -> Result<Money, BankProblem> {
    let code = element
        .attribute("Ccy")
        .ok_or_else(|| element.problem(BankProblemKind::Missing).with_value("Ccy"))?;
    let currency = currency(code).map_err(|kind| element.problem(kind).with_value(code))?;
    parse_amount(&element.text, currency, ISO_AMOUNT).map_err(|reason| {
        element
            .problem(BankProblemKind::InvalidAmount(reason))
            .with_value(&element.text)
    })
}

fn read_direction(element: &XmlElement) -> Result<Direction, BankProblem> {
    match element.text.trim() {
        "CRDT" => Ok(Direction::Credit),
        "DBIT" => Ok(Direction::Debit),
        other => Err(element
            .problem(BankProblemKind::NotOneOf {
                expected: "CRDT, DBIT",
            })
            .with_value(other)),
    }
}

/// The date of a `Dt`/`DtTm` choice (or of a date-time element itself) at `path`, when there.
fn optional_date(parent: &XmlElement, path: &[&str]) -> Result<Option<Date>, BankProblem> {
    match parent.find(path) {
        Some(element) => required_date(element, &[]).map(Some),
        None => Ok(None),
    }
}

fn required_date(element: &XmlElement, path: &[&str]) -> Result<Date, BankProblem> {
    let element = element.find(path).ok_or_else(|| {
        element
            .problem(BankProblemKind::Missing)
            .with_value(&path.join("/"))
    })?;
    let holder = element
        .child("Dt")
        .or_else(|| element.child("DtTm"))
        .unwrap_or(element);
    parse_iso_date(&holder.text).ok_or_else(|| {
        holder
            .problem(BankProblemKind::InvalidDate)
            .with_value(&holder.text)
    })
}

#[cfg(test)]
mod tests {
    use domain::bank::KeyLayer;

    use super::*;

    fn statement_xml(entries: &str) -> String {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">
  <BkToCstmrStmt>
    <GrpHdr><MsgId>M1</MsgId></GrpHdr>
    <Stmt>
      <Id>S1</Id>
      <Acct><Id><IBAN>FR7630006000011234567890189</IBAN></Id><Ccy>EUR</Ccy></Acct>
      {entries}
    </Stmt>
  </BkToCstmrStmt>
</Document>"#
        )
    }

    fn read(xml: &str) -> Result<BankFile, Vec<BankProblem>> {
        read_camt(xml.as_bytes(), None)
    }

    #[test]
    fn an_rf_reference_is_read_as_one() {
        let file = read(&statement_xml(
            r#"<Ntry>
        <Amt Ccy="EUR">1200.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>
        <BookgDt><Dt>2026-03-02</Dt></BookgDt>
        <NtryDtls><TxDtls>
          <RltdPties><Dbtr><Pty><Nm>Atelier Dupont SARL</Nm></Pty></Dbtr>
            <DbtrAcct><Id><IBAN>DE89370400440532013000</IBAN></Id></DbtrAcct></RltdPties>
          <RmtInf><Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry></Tp>
            <Ref>RF18539007547034</Ref></CdtrRefInf></Strd></RmtInf>
        </TxDtls></NtryDtls>
      </Ntry>"#,
        ))
        .unwrap();
        let entry = file.entries().next().unwrap();
        assert!(matches!(
            &entry.remittance.creditor_reference,
            Some(CreditorReference::Rf(rf)) if rf.as_str() == "RF18539007547034"
        ));
        assert_eq!(
            entry.counterparty.name.as_deref(),
            Some("Atelier Dupont SARL")
        );
        assert!(matches!(
            entry.counterparty.account,
            Some(AccountId::Iban(_))
        ));
        assert_eq!(file.variant, "camt.053.001.08");
        assert_eq!(file.dedup_keys()[0][0].layer(), KeyLayer::Content);
    }

    #[test]
    fn sub_cent_amounts_are_refused_with_their_element() {
        let problems = read(&statement_xml(
            r#"<Ntry><Amt Ccy="EUR">8.855</Amt><CdtDbtInd>CRDT</CdtDbtInd>
        <BookgDt><Dt>2026-03-02</Dt></BookgDt></Ntry>"#,
        ))
        .unwrap_err();
        assert_eq!(problems.len(), 1);
        assert_eq!(
            problems[0].to_string(),
            "line 8, element \"Document/BkToCstmrStmt/Stmt/Ntry/Amt\": \"8.855\" has more decimals than EUR allows (2); Relance does not round amounts from a bank"
        );
    }

    #[test]
    fn every_bad_entry_is_reported() {
        let problems = read(&statement_xml(
            r#"<Ntry><Amt Ccy="EUR">1,00</Amt><CdtDbtInd>CREDIT</CdtDbtInd>
        <BookgDt><Dt>2026-03-02</Dt></BookgDt></Ntry>
      <Ntry><Amt Ccy="XYZ">1.00</Amt><CdtDbtInd>DBIT</CdtDbtInd>
        <BookgDt><Dt>2026-02-30</Dt></BookgDt></Ntry>
      <Ntry><Amt Ccy="EUR">1.00</Amt><CdtDbtInd>DBIT</CdtDbtInd>
        <BookgDt><Dt>2026-03-31</Dt></BookgDt></Ntry>"#,
        ))
        .unwrap_err();
        let kinds: Vec<(u64, &BankProblemKind)> = problems
            .iter()
            .map(|problem| (problem.line, &problem.kind))
            .collect();
        assert_eq!(
            kinds,
            vec![
                (
                    8,
                    &BankProblemKind::InvalidAmount(crate::problem::AmountError::NotANumber)
                ),
                (
                    8,
                    &BankProblemKind::NotOneOf {
                        expected: "CRDT, DBIT"
                    }
                ),
                (10, &BankProblemKind::UnknownCurrency),
                (11, &BankProblemKind::InvalidDate),
            ]
        );
    }

    #[test]
    fn a_camt052_report_is_not_read_as_a_statement() {
        let problems = read(
            r#"<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.052.001.02">
<BkToCstmrAcctRpt><Rpt/></BkToCstmrAcctRpt></Document>"#,
        )
        .unwrap_err();
        assert_eq!(problems[0].kind, BankProblemKind::UnsupportedMessage);
        assert_eq!(
            problems[0].value.as_deref(),
            Some("camt.052.001.02 (BkToCstmrAcctRpt)")
        );
        assert_eq!(problems[0].line, 2);
    }

    #[test]
    fn a_statement_asked_for_as_a_notification_is_refused() {
        let problems =
            read_camt(statement_xml("").as_bytes(), Some(BankFormat::Camt054)).unwrap_err();
        assert_eq!(
            problems[0].kind,
            BankProblemKind::FormatMismatch {
                expected: BankFormat::Camt054,
                found: BankFormat::Camt053
            }
        );
    }

    #[test]
    fn a_latin1_file_that_says_so_is_read() {
        let xml = statement_xml(
            "<Ntry><Amt Ccy=\"EUR\">1.00</Amt><CdtDbtInd>CRDT</CdtDbtInd>\
             <BookgDt><Dt>2026-03-02</Dt></BookgDt><AddtlNtryInf>VIR SOCI@T@</AddtlNtryInf></Ntry>",
        );
        let latin1 = |declared: &str| -> Vec<u8> {
            xml.replace("UTF-8", declared)
                .bytes()
                .map(|byte| if byte == b'@' { 0xE9 } else { byte })
                .collect()
        };
        let file = read_camt(&latin1("ISO-8859-1"), None).unwrap();
        assert_eq!(
            file.entries().next().unwrap().additional_info.as_deref(),
            Some("VIR SOCI\u{e9}T\u{e9}")
        );
        let problems = read_camt(&latin1("UTF-8"), None).unwrap_err();
        assert_eq!(
            (problems[0].line, &problems[0].kind),
            (8, &BankProblemKind::InvalidText)
        );
    }
}
