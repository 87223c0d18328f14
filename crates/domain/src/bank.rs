//! Bank statements as the bank reports them: the statements of an account, their booked
//! entries (one movement of money each), and the keys that make a re-import harmless.
//!
//! The readers in `formats` turn camt.053/054, OFX, MT940 and mapped CSV files into these
//! values, so matching and storage see one shape whatever the bank sent. Nothing here decides
//! what a line pays: that is matching's job.
//!
//! Amounts are exact `Money` and never negative; the `Direction` says which way the money went
//! on the account, and `reversal` says the line undoes an earlier one (a returned direct debit,
//! a transfer sent back). A reversal's direction is its own: a returned direct debit is a debit
//! that undoes a credit, as ISO 20022 and SWIFT both define it.
//!
//! Deduplication ("layered keys"): banks often give no unique reference, and the same movement
//! reaches Relance again in an overlapping statement, a notification followed by the statement,
//! or the same file imported twice. `dedup_keys` gives every entry a stable key:
//! - when the bank gives a reference for the line (camt `AcctSvcrRef`, OFX `FITID`, MT940 bank
//!   reference, a mapped CSV reference column), the key is a hash of the account, that
//!   reference, the entry's position in its batch, its booking date, direction, reversal flag
//!   and amount (`r1-…`);
//! - otherwise a hash of the account, booking date, direction, reversal flag, amount,
//!   counterparty, remittance information and the other references (`c1-…`);
//! - in both layers, entries that would get the same key within one file are told apart by an
//!   occurrence counter (the first, the second…), so two identical card payments on the same day
//!   stay two payments while a re-import of the same day maps onto them again.
//!
//! The key never holds names, accounts or texts in clear: it is a 128-bit XXH3 hash, stable
//! across platforms and versions of Relance because its input is written field by field with
//! lengths, in a fixed order, and the layer prefix names the scheme.

use std::collections::HashMap;
use std::fmt;

use jiff::civil::Date;

use crate::identifiers::{Iban, RfReference};
use crate::money::{Currency, Money};

/// How a bank names an account: an IBAN when the file gives a valid one, otherwise the
/// identifier as written (a domestic account number, a card number, an IBAN whose check digits
/// fail in an anonymised file).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum AccountId {
    Iban(Iban),
    Other(String),
}

impl AccountId {
    /// The identifier written in a file; `None` when it is blank.
    pub fn parse(text: &str) -> Option<AccountId> {
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return None;
        }
        Some(match Iban::parse(trimmed) {
            Ok(iban) => AccountId::Iban(iban),
            Err(_) => AccountId::Other(trimmed.to_owned()),
        })
    }

    pub fn as_str(&self) -> &str {
        match self {
            AccountId::Iban(iban) => iban.as_str(),
            AccountId::Other(text) => text,
        }
    }

    pub fn iban(&self) -> Option<&Iban> {
        match self {
            AccountId::Iban(iban) => Some(iban),
            AccountId::Other(_) => None,
        }
    }
}

impl fmt::Display for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which way money moved on the statement's account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Money came in.
    Credit,
    /// Money went out.
    Debit,
}

impl Direction {
    pub fn opposite(self) -> Direction {
        match self {
            Direction::Credit => Direction::Debit,
            Direction::Debit => Direction::Credit,
        }
    }
}

/// A booked balance on a date; negative when the account is overdrawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Balance {
    pub amount: Money,
    pub date: Date,
}

/// The days a statement covers, both included, as the bank states them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: Date,
    pub to: Date,
}

/// One statement (or notification) of one account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankStatement {
    /// The account, when the file names it.
    pub account: Option<AccountId>,
    /// The account's currency (entries may still be in another one).
    pub currency: Currency,
    /// The bank's identifier of the statement (camt `Id`, MT940 `:20:`).
    pub id: Option<String>,
    /// The statement's sequence number (camt legal or electronic sequence, MT940 `:28C:`).
    pub sequence: Option<String>,
    pub period: Option<Period>,
    pub opening_balance: Option<Balance>,
    pub closing_balance: Option<Balance>,
    /// Booked entries, in file order.
    pub entries: Vec<BankEntry>,
    /// Entries the file reports but the bank has not booked (pending, information only): never
    /// payments, listed so that an import can say what it left out.
    pub skipped: Vec<SkippedEntry>,
}

/// An entry the file reports without booking it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedEntry {
    pub line: u64,
    /// The status as the file writes it (`PDNG`, `INFO`…).
    pub status: String,
    pub amount: Money,
    pub direction: Direction,
}

/// One booked movement of money, as a matcher sees it.
///
/// A batch that the bank breaks down into transactions whose amounts add up to the booked
/// amount becomes one entry per transaction (`Batch::Part`), so that each payer is matched on
/// its own; a batch without a usable breakdown stays one entry (`Batch::Whole`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankEntry {
    /// The physical line of the file where the entry (or its transaction) starts.
    pub line: u64,
    pub booking_date: Date,
    pub value_date: Option<Date>,
    /// Never negative: the direction carries the sign.
    pub amount: Money,
    pub direction: Direction,
    /// The entry undoes an earlier one: camt `RvslInd`, MT940 `RC`/`RD` marks and the German
    /// return transaction codes, nothing in OFX (which has no such indicator).
    pub reversal: bool,
    /// Why a payment came back, as the bank codes it (`AC06`, `MD06`, a German `?34` code).
    pub return_reason: Option<String>,
    pub counterparty: Counterparty,
    pub remittance: Remittance,
    pub references: BankReferences,
    /// The bank's transaction code: ISO `PMNT/RCDT/ESCT`, a proprietary code, an MT940 type
    /// such as `NTRF` (with the German business code when given), an OFX `TRNTYPE`.
    pub transaction_code: Option<String>,
    /// The bank's own description of the entry (camt `AddtlNtryInf`/`AddtlTxInf`, MT940
    /// supplementary details).
    pub additional_info: Option<String>,
    pub batch: Option<Batch>,
}

impl BankEntry {
    /// The amount with its sign: positive for a credit, negative for a debit.
    pub fn signed_amount(&self) -> Money {
        match self.direction {
            Direction::Credit => self.amount,
            Direction::Debit => Money::from_minor(-self.amount.minor(), self.amount.currency()),
        }
    }

    pub fn is_credit(&self) -> bool {
        self.direction == Direction::Credit
    }
}

/// Where an entry stands in a batch the bank booked as one line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Batch {
    /// Transaction `index` (from 1) of the `count` the bank listed for one booked line.
    Part { index: u32, count: u32 },
    /// A line standing for `count` transactions that the file does not break down usably.
    Whole { count: u32 },
}

/// The other party of a movement: the payer of a credit, the payee of a debit (for a reversal,
/// the party of the movement it undoes).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counterparty {
    pub name: Option<String>,
    pub account: Option<AccountId>,
    /// The BIC of the counterparty's bank, or a domestic bank code.
    pub bic: Option<String>,
}

/// What the payer said about the payment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Remittance {
    /// Free text, one item per line or field of the file.
    pub lines: Vec<String>,
    /// A structured creditor reference, when the payer used one.
    pub creditor_reference: Option<CreditorReference>,
}

impl Remittance {
    /// The free text as one line.
    pub fn text(&self) -> String {
        self.lines.join(" ")
    }
}

/// A structured creditor reference from a bank file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CreditorReference {
    /// An ISO 11649 reference whose check digits hold: one that Relance may have issued.
    Rf(RfReference),
    /// Any other scheme (Swiss ISR and QR references, Belgian structured communications,
    /// a national scheme), or an `RF…` text whose check digits fail, kept as written.
    Other {
        scheme: Option<String>,
        reference: String,
    },
}

impl CreditorReference {
    /// The reference a file gives, with the scheme it names; `None` when the reference is
    /// blank. An `RF` reference is recognised by its check digits whatever the scheme says.
    pub fn from_file(scheme: Option<&str>, reference: &str) -> Option<CreditorReference> {
        let reference = reference.trim();
        if reference.is_empty() {
            return None;
        }
        if let Ok(rf) = RfReference::parse(reference) {
            return Some(CreditorReference::Rf(rf));
        }
        Some(CreditorReference::Other {
            scheme: scheme
                .map(str::trim)
                .filter(|scheme| !scheme.is_empty())
                .map(str::to_owned),
            reference: reference.to_owned(),
        })
    }

    pub fn reference(&self) -> &str {
        match self {
            CreditorReference::Rf(rf) => rf.as_str(),
            CreditorReference::Other { reference, .. } => reference,
        }
    }
}

/// The references a file gives for an entry, each as written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BankReferences {
    /// The bank's own reference of the line: camt `AcctSvcrRef` (of the transaction, else of
    /// the entry), OFX `FITID`, MT940 bank reference (after `//`), a mapped CSV column.
    /// The first layer of the deduplication keys.
    pub bank: Option<String>,
    /// camt `NtryRef`.
    pub entry: Option<String>,
    /// The reference for the account owner: MT940 `:61:` customer reference, OFX `REFNUM`,
    /// a German `KREF+`.
    pub customer: Option<String>,
    /// The payer's end-to-end identifier (camt `EndToEndId`, German `EREF+`, Dutch `/EREF/`).
    pub end_to_end: Option<String>,
    /// camt `TxId`.
    pub transaction: Option<String>,
    /// camt `InstrId`.
    pub instruction: Option<String>,
    /// The direct-debit mandate (camt `MndtId`, German `MREF+`, Dutch `/MARF/`).
    pub mandate: Option<String>,
    /// A cheque number (camt `ChqNb`, OFX `CHECKNUM`).
    pub cheque: Option<String>,
}

impl BankReferences {
    /// A reference as a file writes it, or `None` when it is blank or one of the placeholders
    /// banks write for "no reference" (`NONREF`, `NOTPROVIDED`): those identify nothing and
    /// would make unrelated lines look alike.
    pub fn clean(text: &str) -> Option<String> {
        let trimmed = text.trim();
        let placeholder = ["NONREF", "NOTPROVIDED", "NOT PROVIDED", "NONE", "N/A"]
            .iter()
            .any(|placeholder| trimmed.eq_ignore_ascii_case(placeholder));
        if trimmed.is_empty() || placeholder {
            None
        } else {
            Some(trimmed.to_owned())
        }
    }
}

/// Which layer of the scheme gave a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyLayer {
    /// The bank's reference for the line.
    BankReference,
    /// The line's content.
    Content,
}

/// The stable key that identifies one entry across imports (see the module documentation).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DedupKey(String);

impl DedupKey {
    const BANK_REFERENCE_PREFIX: &'static str = "r1-";
    const CONTENT_PREFIX: &'static str = "c1-";

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn layer(&self) -> KeyLayer {
        if self.0.starts_with(Self::BANK_REFERENCE_PREFIX) {
            KeyLayer::BankReference
        } else {
            KeyLayer::Content
        }
    }
}

impl fmt::Display for DedupKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The key of every entry of the statements of one file, in the same order
/// (`keys[statement][entry]`). Occurrences are counted over the whole file, so the keys of a
/// file never repeat.
pub fn dedup_keys(statements: &[BankStatement]) -> Vec<Vec<DedupKey>> {
    let mut seen: HashMap<(KeyLayer, u128), u32> = HashMap::new();
    statements
        .iter()
        .map(|statement| {
            statement
                .entries
                .iter()
                .map(|entry| {
                    let (layer, base) = base_hash(statement.account.as_ref(), entry);
                    let occurrence = seen.entry((layer, base)).or_insert(0);
                    *occurrence += 1;
                    let mut input = KeyInput::default();
                    input.u128(base);
                    input.u64(u64::from(*occurrence));
                    let prefix = match layer {
                        KeyLayer::BankReference => DedupKey::BANK_REFERENCE_PREFIX,
                        KeyLayer::Content => DedupKey::CONTENT_PREFIX,
                    };
                    DedupKey(format!("{prefix}{:032x}", input.finish()))
                })
                .collect()
        })
        .collect()
}

/// The layer and the hash of everything but the occurrence counter.
fn base_hash(account: Option<&AccountId>, entry: &BankEntry) -> (KeyLayer, u128) {
    let mut input = KeyInput::default();
    input.text(account.map_or("", AccountId::as_str));
    input.text(&entry.booking_date.to_string());
    input.text(match entry.direction {
        Direction::Credit => "C",
        Direction::Debit => "D",
    });
    input.u64(u64::from(entry.reversal));
    input.u64(entry.amount.minor().unsigned_abs());
    input.text(entry.amount.currency().code());
    let position = match entry.batch {
        Some(Batch::Part { index, .. }) => u64::from(index),
        Some(Batch::Whole { .. }) | None => 0,
    };
    input.u64(position);
    if let Some(reference) = &entry.references.bank {
        input.text("bank");
        input.text(reference);
        return (KeyLayer::BankReference, input.finish());
    }
    input.text("content");
    input.text(&normalised(
        entry.counterparty.name.as_deref().unwrap_or(""),
    ));
    input.text(
        entry
            .counterparty
            .account
            .as_ref()
            .map_or("", AccountId::as_str),
    );
    input.text(&normalised(&entry.remittance.lines.join(" ")));
    input.text(
        entry
            .remittance
            .creditor_reference
            .as_ref()
            .map_or("", CreditorReference::reference),
    );
    let references = &entry.references;
    for reference in [
        &references.entry,
        &references.customer,
        &references.end_to_end,
        &references.transaction,
        &references.instruction,
        &references.mandate,
        &references.cheque,
    ] {
        input.text(reference.as_deref().unwrap_or(""));
    }
    (KeyLayer::Content, input.finish())
}

/// Upper case with runs of whitespace made one space: two exports of the same line that differ
/// only in padding or case (fixed-width MT940 fields, a bank that upper-cases) get one key.
fn normalised(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_uppercase()
}

/// The input of a key, written so that no two different field lists give the same bytes: each
/// text is preceded by its length.
#[derive(Default)]
struct KeyInput {
    bytes: Vec<u8>,
}

impl KeyInput {
    fn text(&mut self, text: &str) {
        self.u64(text.len() as u64);
        self.bytes.extend_from_slice(text.as_bytes());
    }

    fn u64(&mut self, value: u64) {
        self.bytes.extend_from_slice(&value.to_le_bytes());
    }

    fn u128(&mut self, value: u128) {
        self.bytes.extend_from_slice(&value.to_le_bytes());
    }

    fn finish(&self) -> u128 {
        xxhash_rust::xxh3::xxh3_128(&self.bytes)
    }
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::*;

    fn eur(minor: i64) -> Money {
        Money::from_minor(minor, Currency::EUR)
    }

    fn entry(day: i8, minor: i64, text: &str) -> BankEntry {
        BankEntry {
            line: 1,
            booking_date: date(2026, 3, day),
            value_date: None,
            amount: eur(minor),
            direction: Direction::Credit,
            reversal: false,
            return_reason: None,
            counterparty: Counterparty {
                name: Some("ACME SARL".into()),
                account: AccountId::parse("FR76 3000 6000 0112 3456 7890 189"),
                bic: None,
            },
            remittance: Remittance {
                lines: vec![text.to_owned()],
                creditor_reference: None,
            },
            references: BankReferences::default(),
            transaction_code: None,
            additional_info: None,
            batch: None,
        }
    }

    fn statement(entries: Vec<BankEntry>) -> BankStatement {
        BankStatement {
            account: AccountId::parse("FR7630006000011234567890189"),
            currency: Currency::EUR,
            id: None,
            sequence: None,
            period: None,
            opening_balance: None,
            closing_balance: None,
            entries,
            skipped: Vec::new(),
        }
    }

    fn keys(entries: Vec<BankEntry>) -> Vec<DedupKey> {
        dedup_keys(&[statement(entries)]).remove(0)
    }

    #[test]
    fn an_overlapping_statement_gives_the_shared_entries_the_same_keys() {
        let march = keys(vec![
            entry(1, 1000, "F-1"),
            entry(2, 2000, "F-2"),
            entry(3, 3000, "F-3"),
        ]);
        let overlap = keys(vec![
            entry(2, 2000, "F-2"),
            entry(3, 3000, "F-3"),
            entry(4, 4000, "F-4"),
        ]);
        assert_eq!(march[1..], overlap[..2]);
        assert_ne!(march[0], overlap[2]);
    }

    #[test]
    fn identical_lines_of_one_file_are_told_apart_by_their_occurrence() {
        let twice = keys(vec![entry(2, 450, "CB CAFE"), entry(2, 450, "CB CAFE")]);
        assert_ne!(twice[0], twice[1]);
        let again = keys(vec![entry(2, 450, "CB CAFE"), entry(2, 450, "CB CAFE")]);
        assert_eq!(twice, again);
    }

    #[test]
    fn padding_and_case_do_not_change_a_content_key() {
        let first = keys(vec![entry(2, 2000, "Facture  F-2")]);
        let second = keys(vec![entry(2, 2000, "FACTURE F-2 ")]);
        assert_eq!(first, second);
        assert_eq!(first[0].layer(), KeyLayer::Content);
        assert!(first[0].as_str().starts_with("c1-"));
        assert_eq!(first[0].as_str().len(), 3 + 32);
    }

    #[test]
    fn a_bank_reference_keys_the_line_whatever_its_text() {
        let mut with_reference = entry(2, 2000, "F-2");
        with_reference.references.bank = Some("20260302-0001".into());
        let mut retold = entry(2, 2000, "Payment of invoice F-2, thank you");
        retold.references.bank = Some("20260302-0001".into());
        let first = keys(vec![with_reference.clone()]);
        assert_eq!(first[0].layer(), KeyLayer::BankReference);
        assert_eq!(first, keys(vec![retold]));
        // The same reference on a line of another amount is another line.
        let mut other_amount = with_reference.clone();
        other_amount.amount = eur(2001);
        assert_ne!(first, keys(vec![other_amount]));
        // A reversal that repeats the reference of what it undoes keeps its own key.
        let mut reversal = with_reference;
        reversal.direction = Direction::Debit;
        reversal.reversal = true;
        assert_ne!(first, keys(vec![reversal]));
    }

    #[test]
    fn the_parts_of_a_batch_sharing_one_reference_get_their_own_keys() {
        let part = |index| {
            let mut line = entry(2, 500, "");
            line.references.bank = Some("123456CHCAFEBABE".into());
            line.batch = Some(Batch::Part { index, count: 2 });
            line
        };
        let parts = keys(vec![part(1), part(2)]);
        assert_ne!(parts[0], parts[1]);
        assert_eq!(parts, keys(vec![part(1), part(2)]));
    }

    #[test]
    fn the_same_line_on_another_account_is_another_line() {
        let mut other = statement(vec![entry(2, 2000, "F-2")]);
        other.account = AccountId::parse("DE89370400440532013000");
        let ours = dedup_keys(&[statement(vec![entry(2, 2000, "F-2")])]);
        assert_ne!(ours, dedup_keys(&[other]));
    }

    #[test]
    fn placeholders_are_no_references() {
        assert_eq!(BankReferences::clean(" NONREF "), None);
        assert_eq!(BankReferences::clean("NOTPROVIDED"), None);
        assert_eq!(BankReferences::clean(""), None);
        assert_eq!(
            BankReferences::clean(" 0724710345 "),
            Some("0724710345".into())
        );
    }

    #[test]
    fn account_identifiers_are_ibans_when_their_check_digits_hold() {
        assert!(matches!(
            AccountId::parse("NL77 ABNA 0574 9087 65"),
            Some(AccountId::Iban(_))
        ));
        assert_eq!(
            AccountId::parse("NL46ABNA0499998748"),
            Some(AccountId::Other("NL46ABNA0499998748".into()))
        );
        assert_eq!(AccountId::parse("  "), None);
    }

    #[test]
    fn creditor_references_are_rf_when_their_check_digits_hold() {
        assert!(matches!(
            CreditorReference::from_file(Some("SCOR"), "RF18 5390 0754 7034"),
            Some(CreditorReference::Rf(_))
        ));
        assert_eq!(
            CreditorReference::from_file(Some("SCOR"), "4654654654654654"),
            Some(CreditorReference::Other {
                scheme: Some("SCOR".into()),
                reference: "4654654654654654".into()
            })
        );
        assert_eq!(CreditorReference::from_file(None, " "), None);
    }

    #[test]
    fn signed_amounts_follow_the_direction() {
        let mut line = entry(2, 2000, "");
        assert_eq!(line.signed_amount(), eur(2000));
        line.direction = Direction::Debit;
        assert_eq!(line.signed_amount(), eur(-2000));
        assert!(!line.is_credit());
    }
}
