//! Money in: bank statements imported and matched, the review queue, manual payments, and the
//! creditor's payment settings.
//!
//! Matching is `domain::matching` over the tenant's open items, line after line, each applied
//! proposal taken off the items before the next line is matched (two lines of one file never
//! pay the same euro twice). Everything a file does is written in one transaction by
//! `store::TenantStore::import_bank_lines`; a payment's effects (outstanding, promises,
//! pending messages, closure, receipt and thanks) are written with it.

use domain::bank::{BankEntry, Direction};
use domain::customer::{CustomerRef, Language};
use domain::ids::{CustomerId, InvoiceId};
use domain::matching::{CreditLine, MatchIndex, MatchSettings, OpenItem, Proposal, oldest_first};
use domain::money::Money;
use formats::bank::read_bank_file;
pub use formats::bank::{
    BankCsvMapping, BankFormat, BankProblem, Field as ProblemField, MappingError, MappingSpec,
};
use jiff::civil::Date;
use store::{
    AppliedPayment, BankImportMeta, BankImportOutcome, BankLineRecord, BankMappingRecord,
    ClosureRecord, LinePlan, NewBankLine, PaymentEffects, PaymentPlan, PaymentRecord,
    PaymentSettingsRecord, StoredProposal, WriteOff,
};

use crate::bilingual::Bilingual;
use crate::clock::Clock;
use crate::{Store, StoreError, TenantRecord};

#[derive(Debug, thiserror::Error)]
pub enum PaymentError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The file was refused: every problem, located.
    #[error("the bank file was refused ({} problem(s))", .0.len())]
    Rejected(Vec<BankProblem>),
    #[error("unknown customer {reference}")]
    UnknownCustomer { reference: String },
    #[error("unknown invoice {number}")]
    UnknownInvoice { number: String },
    #[error("bank line {id} does not exist")]
    UnknownLine { id: i64 },
    #[error("unknown CSV mapping {name:?} (known: {})", .known.join(", "))]
    UnknownMapping { name: String, known: Vec<String> },
    #[error(transparent)]
    Mapping(#[from] MappingError),
    #[error("{0}")]
    Invalid(Bilingual),
    /// A payment setting refused: the field (`auto_apply_threshold`, `amount_tolerance`,
    /// `write_off`) and why.
    #[error("{text}")]
    InvalidSetting {
        field: &'static str,
        text: Bilingual,
    },
}

impl PaymentError {
    /// The error in the user's language.
    pub fn describe(&self, language: Language) -> String {
        if language == Language::English {
            return self.to_string();
        }
        match self {
            PaymentError::Store(error) => error.to_string(),
            PaymentError::Rejected(problems) => format!(
                "le fichier bancaire a été refusé ({} problème(s))",
                problems.len()
            ),
            PaymentError::UnknownCustomer { reference } => format!("client inconnu : {reference}"),
            PaymentError::UnknownInvoice { number } => format!("facture inconnue : {number}"),
            PaymentError::UnknownLine { id } => format!("la ligne bancaire {id} n'existe pas"),
            PaymentError::UnknownMapping { name, known } => {
                format!(
                    "modèle CSV inconnu {name:?} (connus : {})",
                    known.join(", ")
                )
            }
            PaymentError::Mapping(error) => error.to_string(),
            PaymentError::Invalid(text) | PaymentError::InvalidSetting { text, .. } => {
                text.get(language).to_owned()
            }
        }
    }
}

/// The creditor's payment settings, defaults filled in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PaymentSettings {
    pub auto_apply_threshold: u8,
    pub amount_tolerance: Money,
    pub send_receipt: bool,
    pub send_thank_you: bool,
    /// A remainder a payment leaves at or below this is written off; zero: never (the default:
    /// giving money up is the creditor's decision).
    pub write_off: Money,
}

impl PaymentSettings {
    fn match_settings(&self) -> MatchSettings {
        MatchSettings {
            auto_apply_threshold: self.auto_apply_threshold,
            amount_tolerance_minor: self.amount_tolerance.minor(),
            ..MatchSettings::default()
        }
    }
}

pub async fn settings(
    store: &Store,
    tenant: &TenantRecord,
) -> Result<PaymentSettings, PaymentError> {
    let currency = tenant.profile.currency;
    Ok(match store.tenant(tenant.id).payment_settings().await? {
        Some(saved) => PaymentSettings {
            auto_apply_threshold: saved.auto_apply_threshold,
            amount_tolerance: Money::from_minor(saved.amount_tolerance_minor, currency),
            send_receipt: saved.send_receipt,
            send_thank_you: saved.send_thank_you,
            write_off: Money::from_minor(saved.write_off_minor, currency),
        },
        None => PaymentSettings {
            auto_apply_threshold: MatchSettings::DEFAULT_THRESHOLD,
            amount_tolerance: Money::from_minor(MatchSettings::DEFAULT_TOLERANCE_MINOR, currency),
            send_receipt: true,
            send_thank_you: true,
            write_off: Money::zero(currency),
        },
    })
}

/// What `relance payments settings set` may change; `None` keeps the value.
#[derive(Debug, Clone, Default)]
pub struct SettingsChange {
    pub auto_apply_threshold: Option<u8>,
    pub amount_tolerance: Option<String>,
    pub send_receipt: Option<bool>,
    pub send_thank_you: Option<bool>,
    /// The largest remainder written off, e.g. `5.00`; `0` turns it off.
    pub write_off: Option<String>,
}

pub async fn change_settings(
    store: &Store,
    tenant: &TenantRecord,
    clock: Clock,
    change: &SettingsChange,
) -> Result<PaymentSettings, PaymentError> {
    let mut current = settings(store, tenant).await?;
    if let Some(threshold) = change.auto_apply_threshold {
        if threshold > 100 {
            return Err(PaymentError::InvalidSetting {
                field: "auto_apply_threshold",
                text: Bilingual::new(
                    format!("le seuil est une confiance de 0 à 100, pas {threshold}"),
                    format!("the threshold is a confidence from 0 to 100, not {threshold}"),
                ),
            });
        }
        current.auto_apply_threshold = threshold;
    }
    if let Some(text) = &change.amount_tolerance {
        let tolerance =
            Money::parse_decimal(text.trim(), tenant.profile.currency).map_err(|error| {
                PaymentError::InvalidSetting {
                    field: "amount_tolerance",
                    text: Bilingual::new(
                        format!("tolérance {text:?} : {error}"),
                        format!("tolerance {text:?}: {error}"),
                    ),
                }
            })?;
        if tolerance.is_negative() {
            return Err(PaymentError::InvalidSetting {
                field: "amount_tolerance",
                text: Bilingual::new(
                    "la tolérance ne peut pas être négative",
                    "the tolerance cannot be negative",
                ),
            });
        }
        current.amount_tolerance = tolerance;
    }
    if let Some(text) = &change.write_off {
        let write_off =
            Money::parse_decimal(text.trim(), tenant.profile.currency).map_err(|error| {
                PaymentError::InvalidSetting {
                    field: "write_off",
                    text: Bilingual::new(
                        format!("passage en perte {text:?} : {error}"),
                        format!("write-off {text:?}: {error}"),
                    ),
                }
            })?;
        if write_off.is_negative() {
            return Err(PaymentError::InvalidSetting {
                field: "write_off",
                text: Bilingual::new(
                    "le plafond de passage en perte ne peut pas être négatif",
                    "the write-off limit cannot be negative",
                ),
            });
        }
        current.write_off = write_off;
    }
    if let Some(receipt) = change.send_receipt {
        current.send_receipt = receipt;
    }
    if let Some(thanks) = change.send_thank_you {
        current.send_thank_you = thanks;
    }
    store
        .tenant(tenant.id)
        .save_payment_settings(
            &PaymentSettingsRecord {
                auto_apply_threshold: current.auto_apply_threshold,
                amount_tolerance_minor: current.amount_tolerance.minor(),
                send_receipt: current.send_receipt,
                send_thank_you: current.send_thank_you,
                write_off_minor: current.write_off.minor(),
            },
            clock.now(),
        )
        .await?;
    Ok(current)
}

/// What a bank import reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankImportReport {
    pub format: BankFormat,
    pub variant: String,
    pub statements: usize,
    /// Entries the file lists without the bank booking them (pending, information only).
    pub skipped: usize,
    pub outcome: BankImportOutcome,
}

/// Imports a bank file: every booked entry stored once, credits matched and applied or
/// queued, reversals undoing what they undo; all or nothing.
#[allow(clippy::too_many_arguments)]
pub async fn import_bank(
    store: &Store,
    tenant: &TenantRecord,
    clock: Clock,
    bytes: &[u8],
    file_name: &str,
    format: Option<BankFormat>,
    mapping: Option<&BankCsvMapping>,
    language: Language,
) -> Result<BankImportReport, PaymentError> {
    let file = read_bank_file(bytes, format, mapping).map_err(PaymentError::Rejected)?;
    let keys = file.dedup_keys();
    let handle = store.tenant(tenant.id);
    let settings = settings(store, tenant).await?;
    let match_settings = settings.match_settings();

    let mut pairs: Vec<(String, String)> = Vec::new();
    let mut entries: Vec<&BankEntry> = Vec::new();
    for (statement, statement_keys) in file.statements.iter().zip(&keys) {
        let account = statement
            .account
            .as_ref()
            .map(|account| account.as_str().to_owned())
            .unwrap_or_default();
        for (entry, key) in statement.entries.iter().zip(statement_keys) {
            pairs.push((account.clone(), key.as_str().to_owned()));
            entries.push(entry);
        }
    }
    let existing = handle.existing_bank_keys(&pairs).await?;
    // Built for the first new line only: a statement imported again (or a notification whose
    // entries a statement already brought) needs no index of every open item.
    let mut index: Option<MatchIndex> = None;
    // Every line's plan first, the lines once the index is gone: at millions of open items the
    // index and a hundred thousand lines together were the import's peak of memory.
    let mut plans = Vec::with_capacity(entries.len());
    for (pair, entry) in pairs.iter().zip(&entries) {
        plans.push(if existing.contains(pair) {
            // Stored already: the store counts it and leaves it alone.
            Plan::Decided(LinePlan::Outgoing)
        } else {
            let index = match &mut index {
                Some(index) => index,
                None => index.insert(matching_index(store, tenant).await?),
            };
            plan_for(index, entry, &match_settings)
        });
    }
    drop(index);
    let lines: Vec<NewBankLine> = pairs
        .into_iter()
        .zip(entries)
        .zip(plans)
        .map(|(((account, key), entry), plan)| new_line(account, key, entry, plan.into_line_plan()))
        .collect();
    let meta = BankImportMeta {
        file_name: file_name.to_owned(),
        format: file.format.code().to_owned(),
        file_hash: format!("{:032x}", xxhash_rust::xxh3::xxh3_128(bytes)),
        statements: u32::try_from(file.statements.len()).unwrap_or(u32::MAX),
    };
    let report = BankImportReport {
        format: file.format,
        variant: file.variant.clone(),
        statements: file.statements.len(),
        skipped: file
            .statements
            .iter()
            .map(|statement| statement.skipped.len())
            .sum(),
        outcome: BankImportOutcome::default(),
    };
    // The parsed file (a kilobyte an entry) is of no use while writing: the lines hold what is
    // stored.
    drop(keys);
    drop(file);
    let effects = effects(tenant, clock, &settings, language);
    let outcome = handle
        .import_bank_lines(&meta, lines, &effects, clock.now())
        .await?;
    Ok(BankImportReport { outcome, ..report })
}

async fn matching_index(store: &Store, tenant: &TenantRecord) -> Result<MatchIndex, PaymentError> {
    Ok(store.tenant(tenant.id).matching_inputs().await?.build())
}

/// A line's plan while the matching runs: a proposal keeps its evidence, rendered in words
/// once the index is gone (two languages, a few hundred bytes a line).
enum Plan {
    Decided(LinePlan),
    Matched(Proposal),
}

impl Plan {
    fn into_line_plan(self) -> LinePlan {
        let proposal = match self {
            Plan::Decided(plan) => return plan,
            Plan::Matched(proposal) => proposal,
        };
        let stored = StoredProposal {
            customer: proposal.customer,
            confidence: proposal.confidence,
            explanation_fr: proposal.explanation(Language::French),
            explanation_en: proposal.explanation(Language::English),
            allocations: proposal.allocations,
        };
        match (proposal.apply, proposal.customer) {
            (true, Some(customer)) => LinePlan::Apply {
                proposal: stored,
                customer,
            },
            _ => LinePlan::Review { proposal: stored },
        }
    }
}

fn plan_for(index: &mut MatchIndex, entry: &BankEntry, settings: &MatchSettings) -> Plan {
    match (entry.direction, entry.reversal) {
        (Direction::Debit, true) => Plan::Decided(LinePlan::Reversal {
            not_found_fr: "retour de paiement : le crédit d'origine n'a pas été trouvé, à vérifier"
                .to_owned(),
            not_found_en: "returned payment: the original credit was not found, to be checked"
                .to_owned(),
        }),
        (Direction::Debit, false) => Plan::Decided(LinePlan::Outgoing),
        // A credit that undoes a debit (a cancelled refund) is no customer's payment.
        (Direction::Credit, true) => Plan::Decided(LinePlan::Review {
            proposal: StoredProposal {
                explanation_fr: "crédit d'annulation d'un débit : à vérifier".to_owned(),
                explanation_en: "credit cancelling a debit: to be checked".to_owned(),
                ..StoredProposal::default()
            },
        }),
        (Direction::Credit, false) => {
            let text = remittance_text(entry);
            let creditor_reference = entry
                .remittance
                .creditor_reference
                .as_ref()
                .map(|reference| reference.reference().to_owned());
            let line = CreditLine {
                amount: entry.amount,
                counterparty_name: entry.counterparty.name.as_deref(),
                counterparty_account: entry
                    .counterparty
                    .account
                    .as_ref()
                    .map(|account| account.as_str()),
                remittance: &text,
                creditor_reference: creditor_reference.as_deref(),
            };
            let proposal = index.match_line(&line, settings);
            if proposal.apply && proposal.customer.is_some() {
                index.record_applied(&proposal);
            }
            Plan::Matched(proposal)
        }
    }
}

/// The texts a payer or bank wrote about a credit, where invoice numbers may be.
fn remittance_text(entry: &BankEntry) -> String {
    let mut text = entry.remittance.text();
    for reference in [
        &entry.references.end_to_end,
        &entry.references.customer,
        &entry.additional_info,
    ]
    .into_iter()
    .flatten()
    {
        text.push(' ');
        text.push_str(reference);
    }
    text
}

fn new_line(account: String, key: String, entry: &BankEntry, plan: LinePlan) -> NewBankLine {
    NewBankLine {
        account,
        dedup_key: key,
        source_line: entry.line,
        booking_date: entry.booking_date,
        value_date: entry.value_date,
        credit: entry.direction == Direction::Credit,
        reversal: entry.reversal,
        amount: entry.amount,
        counterparty_name: entry.counterparty.name.clone().unwrap_or_default(),
        counterparty_account: entry
            .counterparty
            .account
            .as_ref()
            .map(|account| account.as_str().to_owned())
            .unwrap_or_default(),
        remittance: entry.remittance.text(),
        creditor_reference: entry
            .remittance
            .creditor_reference
            .as_ref()
            .map(|reference| reference.reference().to_owned())
            .unwrap_or_default(),
        bank_reference: entry.references.bank.clone().unwrap_or_default(),
        end_to_end: entry.references.end_to_end.clone().unwrap_or_default(),
        mandate: entry.references.mandate.clone().unwrap_or_default(),
        plan,
    }
}

pub(crate) fn effects(
    tenant: &TenantRecord,
    clock: Clock,
    settings: &PaymentSettings,
    language: Language,
) -> PaymentEffects {
    let today = clock.today_in(tenant.profile.time_zone.as_str());
    let fr = language == Language::French;
    PaymentEffects {
        today,
        // RFC 9557 with the zone, as the run writes its actions; now, in the creditor's zone.
        scheduled_at: clock
            .now()
            .in_tz(tenant.profile.time_zone.as_str())
            .map(|zoned| zoned.to_string())
            .unwrap_or_else(|_| {
                clock
                    .now()
                    .in_tz("UTC")
                    .map(|z| z.to_string())
                    .unwrap_or_default()
            }),
        send_receipt: settings.send_receipt,
        send_thank_you: settings.send_thank_you,
        cancel_note: if fr {
            format!("annulée le {today} : les factures réclamées sont payées")
        } else {
            format!("cancelled on {today}: the invoices it claims are paid")
        },
        closure_note: if fr {
            "dossier clos : le client ne doit plus rien".to_owned()
        } else {
            "case closed: the customer owes nothing more".to_owned()
        },
        receipt_explanation: if fr {
            "quittance : le client a tout réglé".to_owned()
        } else {
            "receipt: the customer has paid everything".to_owned()
        },
        thank_you_explanation: if fr {
            "remerciement après règlement complet".to_owned()
        } else {
            "thanks after full payment".to_owned()
        },
        undo_note: undo_note(language),
        write_off: settings.write_off.is_positive().then(|| WriteOff {
            up_to_minor: settings.write_off.minor(),
            reason: if fr {
                format!(
                    "reliquat laissé par un paiement, passé en perte (tolérance de {} {})",
                    settings.write_off.to_decimal_string(),
                    settings.write_off.currency().code()
                )
            } else {
                format!(
                    "remainder left by a payment, written off (tolerance {} {})",
                    settings.write_off.to_decimal_string(),
                    settings.write_off.currency().code()
                )
            },
            decided_by: if fr {
                "réglages des paiements".to_owned()
            } else {
                "payment settings".to_owned()
            },
        }),
    }
}

fn undo_note(language: Language) -> String {
    match language {
        Language::French => "annulée : le paiement a été défait".to_owned(),
        Language::English => "cancelled: the payment was undone".to_owned(),
    }
}

/// The review queue: credits waiting for a person, oldest first, with the matcher's proposal.
pub async fn review_queue(
    store: &Store,
    tenant: &TenantRecord,
) -> Result<Vec<ReviewItem>, PaymentError> {
    lines_in(store, tenant, &["suggested", "unmatched"]).await
}

/// A page of the review queue (oldest first), and how many lines wait in all: a statement
/// of 100,000 lines can leave thousands, each shown with its proposal.
pub async fn review_queue_page(
    store: &Store,
    tenant: &TenantRecord,
    offset: u32,
    limit: u32,
) -> Result<(i64, Vec<ReviewItem>), PaymentError> {
    page_of_lines(
        store,
        tenant,
        &["suggested", "unmatched"],
        store::LineOrder::OldestFirst,
        offset,
        Some(limit),
    )
    .await
}

/// The last `limit` lines that paid something (applied by the matcher or by hand), newest first.
pub async fn recently_applied(
    store: &Store,
    tenant: &TenantRecord,
    limit: u32,
) -> Result<Vec<ReviewItem>, PaymentError> {
    Ok(page_of_lines(
        store,
        tenant,
        &["auto_applied", "manual"],
        store::LineOrder::NewestStoredFirst,
        0,
        Some(limit),
    )
    .await?
    .1)
}

async fn page_of_lines(
    store: &Store,
    tenant: &TenantRecord,
    states: &[&str],
    order: store::LineOrder,
    offset: u32,
    limit: Option<u32>,
) -> Result<(i64, Vec<ReviewItem>), PaymentError> {
    let handle = store.tenant(tenant.id);
    let (total, lines) = handle.bank_lines_page(states, order, offset, limit).await?;
    let mut items = Vec::with_capacity(lines.len());
    for line in lines {
        items.push(review_item(&handle, line).await?);
    }
    Ok((total, items))
}

/// Every line state a bank line can be in.
pub const LINE_STATES: [&str; 8] = [
    "auto_applied",
    "suggested",
    "unmatched",
    "manual",
    "ignored",
    "reversed",
    "reversal",
    "outgoing",
];

/// The stored bank lines in one state (every state when `None`), oldest first, with what each
/// pays or would pay: to audit what was applied and why.
pub async fn list_lines(
    store: &Store,
    tenant: &TenantRecord,
    state: Option<&str>,
) -> Result<Vec<ReviewItem>, PaymentError> {
    match state {
        Some(state) if !LINE_STATES.contains(&state) => Err(PaymentError::Invalid(Bilingual::new(
            format!(
                "état inconnu {state:?} (connus : {})",
                LINE_STATES.join(", ")
            ),
            format!(
                "unknown state {state:?} (known: {})",
                LINE_STATES.join(", ")
            ),
        ))),
        Some(state) => lines_in(store, tenant, &[state]).await,
        None => lines_in(store, tenant, &LINE_STATES).await,
    }
}

async fn lines_in(
    store: &Store,
    tenant: &TenantRecord,
    states: &[&str],
) -> Result<Vec<ReviewItem>, PaymentError> {
    Ok(page_of_lines(
        store,
        tenant,
        states,
        store::LineOrder::OldestFirst,
        0,
        None,
    )
    .await?
    .1)
}

/// A line with its suggestion (or what it paid) in the words of the books.
async fn review_item(
    handle: &store::TenantStore<'_>,
    line: BankLineRecord,
) -> Result<ReviewItem, PaymentError> {
    let mut numbers = Vec::new();
    for (invoice, amount) in &line.suggestion {
        numbers.push((handle.invoice_number(*invoice).await?, *amount));
    }
    let customer = match line.suggested_customer {
        Some(customer) => Some(handle.customer_reference(customer).await?),
        None => None,
    };
    Ok(ReviewItem {
        line,
        customer,
        invoices: numbers,
    })
}

/// One stored bank line, whatever its state.
pub async fn line(
    store: &Store,
    tenant: &TenantRecord,
    id: i64,
) -> Result<ReviewItem, PaymentError> {
    let handle = store.tenant(tenant.id);
    let record = handle
        .bank_line(id)
        .await?
        .ok_or(PaymentError::UnknownLine { id })?;
    review_item(&handle, record).await
}

/// A line of the review queue with its suggestion in the words of the books.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewItem {
    pub line: BankLineRecord,
    /// The suggested customer's reference.
    pub customer: Option<String>,
    /// The suggested allocations, by invoice number.
    pub invoices: Vec<(String, Money)>,
}

/// Pays invoices with a bank credit by hand. The invoices must be one customer's; the line's
/// amount goes to them oldest first, and what is left is the customer's credit.
pub async fn match_line(
    store: &Store,
    tenant: &TenantRecord,
    clock: Clock,
    line: i64,
    invoice_numbers: &[String],
    language: Language,
) -> Result<AppliedPayment, PaymentError> {
    let handle = store.tenant(tenant.id);
    let record = handle
        .bank_line(line)
        .await?
        .ok_or(PaymentError::UnknownLine { id: line })?;
    if invoice_numbers.is_empty() {
        return Err(PaymentError::Invalid(Bilingual::new(
            "indiquez au moins une facture à payer",
            "name at least one invoice to pay",
        )));
    }
    if matches!(record.state.as_str(), "manual" | "auto_applied") {
        // The same match asked again changes nothing; another one needs an unmatch first.
        let mut paid = Vec::new();
        for (invoice, _) in &record.suggestion {
            paid.push(handle.invoice_number(*invoice).await?);
        }
        let mut asked: Vec<String> = invoice_numbers.to_vec();
        asked.sort();
        asked.dedup();
        paid.sort();
        if paid == asked {
            return Ok(AppliedPayment {
                payment: record.payment,
                already_recorded: true,
                ..AppliedPayment::default()
            });
        }
        return Err(PaymentError::Invalid(Bilingual::new(
            format!(
                "la ligne bancaire {line} paie déjà {} : défaites d'abord ce rapprochement (`relance payments unmatch {line}`)",
                paid.join(", ")
            ),
            format!(
                "bank line {line} already pays {}: undo it first with `relance payments unmatch {line}`",
                paid.join(", ")
            ),
        )));
    }
    let (customer, items) = customer_items(store, tenant, invoice_numbers).await?;
    let refs: Vec<&OpenItem> = items.iter().collect();
    let (allocations, _) = oldest_first(&refs, record.amount);
    let plan = PaymentPlan {
        customer,
        received_on: record.booking_date,
        amount: record.amount,
        reference: if record.creditor_reference.is_empty() {
            record.remittance.chars().take(140).collect()
        } else {
            record.creditor_reference.clone()
        },
        idempotency_key: format!("bank-line:{line}"),
        allocations,
    };
    let settings = settings(store, tenant).await?;
    Ok(handle
        .match_bank_line(
            line,
            &plan,
            &effects(tenant, clock, &settings, language),
            clock.now(),
        )
        .await?)
}

/// The open items of the invoices named, which must all be one customer's.
async fn customer_items(
    store: &Store,
    tenant: &TenantRecord,
    numbers: &[String],
) -> Result<(CustomerId, Vec<OpenItem>), PaymentError> {
    let handle = store.tenant(tenant.id);
    let mut customer = None;
    let mut ids: Vec<InvoiceId> = Vec::new();
    for number in numbers {
        let (invoice, owner) =
            handle
                .invoice_by_number(number)
                .await
                .map_err(|error| match error {
                    StoreError::NotFound { .. } => PaymentError::UnknownInvoice {
                        number: number.clone(),
                    },
                    other => other.into(),
                })?;
        if customer.is_some_and(|known| known != owner) {
            return Err(PaymentError::Invalid(Bilingual::new(
                format!(
                    "la facture {number} est celle d'un autre client : un paiement paie les factures d'un seul client"
                ),
                format!(
                    "invoice {number} is another customer's: one payment pays one customer's invoices"
                ),
            )));
        }
        customer = Some(owner);
        ids.push(invoice);
    }
    let customer = customer.expect("at least one invoice");
    let items = handle
        .open_items_of(customer)
        .await?
        .into_iter()
        .filter(|item| ids.contains(&item.invoice))
        .collect();
    Ok((customer, items))
}

/// Undoes what a line paid; the invoices owe again what it had paid, and the line waits in
/// the queue.
pub async fn unmatch_line(
    store: &Store,
    tenant: &TenantRecord,
    clock: Clock,
    line: i64,
    language: Language,
) -> Result<Money, PaymentError> {
    let handle = store.tenant(tenant.id);
    if handle.bank_line(line).await?.is_none() {
        return Err(PaymentError::UnknownLine { id: line });
    }
    Ok(handle
        .unmatch_bank_line(line, &undo_note(language), clock.now())
        .await?)
}

/// Sets a waiting line aside: it is not a customer's payment.
pub async fn ignore_line(
    store: &Store,
    tenant: &TenantRecord,
    clock: Clock,
    line: i64,
) -> Result<(), PaymentError> {
    let handle = store.tenant(tenant.id);
    if handle.bank_line(line).await?.is_none() {
        return Err(PaymentError::UnknownLine { id: line });
    }
    Ok(handle.ignore_bank_line(line, clock.now()).await?)
}

/// A payment received outside a bank file.
#[derive(Debug, Clone)]
pub struct ManualPayment<'a> {
    pub customer: &'a str,
    pub amount: &'a str,
    pub received_on: Date,
    /// Invoices it pays; none: the customer's oldest first.
    pub invoices: &'a [String],
    pub reference: &'a str,
}

/// Records a manual payment. The same payment (customer, amount, day, reference, invoices)
/// recorded twice is recorded once.
pub async fn add_payment(
    store: &Store,
    tenant: &TenantRecord,
    clock: Clock,
    payment: &ManualPayment<'_>,
    language: Language,
) -> Result<AppliedPayment, PaymentError> {
    let handle = store.tenant(tenant.id);
    let reference =
        CustomerRef::parse(payment.customer).map_err(|_| PaymentError::UnknownCustomer {
            reference: payment.customer.to_owned(),
        })?;
    let customer = handle
        .customer_id(&reference)
        .await
        .map_err(|error| match error {
            StoreError::NotFound { .. } => PaymentError::UnknownCustomer {
                reference: payment.customer.to_owned(),
            },
            other => other.into(),
        })?;
    let amount =
        Money::parse_decimal(payment.amount.trim(), tenant.profile.currency).map_err(|error| {
            PaymentError::Invalid(Bilingual::new(
                format!("montant {:?} : {error}", payment.amount),
                format!("amount {:?}: {error}", payment.amount),
            ))
        })?;
    if !amount.is_positive() {
        return Err(PaymentError::Invalid(Bilingual::new(
            "un paiement est un montant positif",
            "a payment is a positive amount",
        )));
    }
    let items: Vec<OpenItem> = if payment.invoices.is_empty() {
        handle.open_items_of(customer).await?
    } else {
        let (owner, items) = customer_items(store, tenant, payment.invoices).await?;
        if owner != customer {
            return Err(PaymentError::Invalid(Bilingual::new(
                format!(
                    "les factures indiquées ne sont pas celles de {}",
                    payment.customer
                ),
                format!("the invoices named are not {}'s", payment.customer),
            )));
        }
        items
    };
    let refs: Vec<&OpenItem> = items.iter().collect();
    let (allocations, _) = oldest_first(&refs, amount);
    let key = format!(
        "manual:{:032x}",
        xxhash_rust::xxh3::xxh3_128(
            format!(
                "{}\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{}",
                customer.0,
                amount.minor(),
                payment.received_on,
                payment.reference.trim(),
                payment.invoices.join(",")
            )
            .as_bytes()
        )
    );
    let plan = PaymentPlan {
        customer,
        received_on: payment.received_on,
        amount,
        reference: payment.reference.trim().to_owned(),
        idempotency_key: key,
        allocations,
    };
    let settings = settings(store, tenant).await?;
    Ok(handle
        .record_manual_payment(
            &plan,
            &effects(tenant, clock, &settings, language),
            clock.now(),
        )
        .await?)
}

/// A customer's closed cases and credit balance, for the customer file.
pub async fn customer_payments(
    store: &Store,
    tenant: &TenantRecord,
    customer: CustomerId,
) -> Result<(Vec<ClosureRecord>, Vec<Money>), PaymentError> {
    let handle = store.tenant(tenant.id);
    Ok((
        handle.case_closures(customer).await?,
        handle.credit_balance(customer).await?,
    ))
}

/// What a customer paid: every payment with the invoices it paid, the case's closures, and
/// the credit balance (what was paid beyond the invoices), for the API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerPayments {
    pub payments: Vec<PaymentRecord>,
    pub closures: Vec<ClosureRecord>,
    pub credit: Vec<Money>,
}

/// A customer's payments by reference; another creditor's customer is unknown.
pub async fn payments_of(
    store: &Store,
    tenant: &TenantRecord,
    reference: &str,
) -> Result<CustomerPayments, PaymentError> {
    let unknown = || PaymentError::UnknownCustomer {
        reference: reference.to_owned(),
    };
    let parsed = CustomerRef::parse(reference).map_err(|_| unknown())?;
    let handle = store.tenant(tenant.id);
    let customer = handle
        .customer_id(&parsed)
        .await
        .map_err(|error| match error {
            StoreError::NotFound { .. } => unknown(),
            other => other.into(),
        })?;
    let (closures, credit) = customer_payments(store, tenant, customer).await?;
    Ok(CustomerPayments {
        payments: handle.customer_payments(customer).await?,
        closures,
        credit,
    })
}

/// An open invoice with its customer's code and name (the benchmark's answer key is written
/// against these).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenInvoiceView {
    pub invoice: InvoiceId,
    pub number: String,
    pub customer_ref: String,
    pub customer_name: String,
    pub outstanding: Money,
}

pub async fn open_invoices(
    store: &Store,
    tenant: &TenantRecord,
) -> Result<Vec<OpenInvoiceView>, PaymentError> {
    let handle = store.tenant(tenant.id);
    let items = handle.pick_open_items(Some).await?;
    let mut customers: Vec<CustomerId> = items.iter().map(|item| item.customer).collect();
    customers.sort_unstable();
    customers.dedup();
    let mut names = std::collections::HashMap::with_capacity(customers.len());
    for chunk in customers.chunks(10_000) {
        for (id, reference, name) in handle.customer_names(chunk.iter().copied()).await? {
            names.insert(id, (reference, name));
        }
    }
    let mut views: Vec<OpenInvoiceView> = items
        .into_iter()
        .filter_map(|item| {
            let (reference, name) = names.get(&item.customer)?.clone();
            Some(OpenInvoiceView {
                invoice: item.invoice,
                number: item.number,
                customer_ref: reference,
                customer_name: name,
                outstanding: item.outstanding,
            })
        })
        .collect();
    views.sort_by(|a, b| a.number.cmp(&b.number));
    Ok(views)
}

/// Every stored bank line in the order it was stored.
pub async fn bank_lines(
    store: &Store,
    tenant: &TenantRecord,
) -> Result<Vec<BankLineRecord>, PaymentError> {
    let mut lines = store.tenant(tenant.id).bank_lines_in(&LINE_STATES).await?;
    lines.sort_by_key(|line| line.id);
    Ok(lines)
}

/// The usual French bank export, as `relance import bank --mapping french` reads it without
/// other options: `;`, decimal comma, dd/mm/yyyy, euros, columns `Date`, `Libellé`, `Montant`.
pub fn french_csv_mapping() -> BankCsvMapping {
    MappingSpec::default()
        .mapping()
        .expect("the built-in mapping's settings are valid")
}

/// Why an open invoice is offered for a bank line, strongest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum CandidateReason {
    /// The matcher's suggestion pays it.
    Suggested,
    /// The line's text cites its number.
    NamedInText,
    /// It is the suggested customer's.
    SameCustomer,
    /// It owes exactly the line's amount.
    SameAmount,
}

impl CandidateReason {
    pub fn code(self) -> &'static str {
        match self {
            CandidateReason::Suggested => "suggested",
            CandidateReason::NamedInText => "named",
            CandidateReason::SameCustomer => "customer",
            CandidateReason::SameAmount => "amount",
        }
    }

    /// The reason in a collector's words (the review page and `relance payments candidates`).
    pub fn describe(self, language: Language) -> &'static str {
        match (self, language) {
            (CandidateReason::Suggested, Language::French) => "proposition du rapprochement",
            (CandidateReason::Suggested, Language::English) => "the matcher's suggestion",
            (CandidateReason::NamedInText, Language::French) => "numéro cité dans le libellé",
            (CandidateReason::NamedInText, Language::English) => "number cited in the label",
            (CandidateReason::SameCustomer, Language::French) => "même client",
            (CandidateReason::SameCustomer, Language::English) => "same customer",
            (CandidateReason::SameAmount, Language::French) => "même montant",
            (CandidateReason::SameAmount, Language::English) => "same amount",
        }
    }
}

/// An open invoice a collector may pay with a bank line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub invoice: OpenInvoiceView,
    pub due_on: Date,
    pub reason: CandidateReason,
}

/// The most candidates offered for one line.
pub const MAX_CANDIDATES: usize = 30;

/// The open invoices a bank line may pay, ranked: those the suggestion pays, those its text
/// cites, the suggested customer's other ones, those owing exactly its amount; then by due
/// date. For matching by hand.
pub async fn candidates(
    store: &Store,
    tenant: &TenantRecord,
    line: i64,
) -> Result<(ReviewItem, Vec<Candidate>), PaymentError> {
    let handle = store.tenant(tenant.id);
    let item = self::line(store, tenant, line).await?;
    let record = &item.line;
    let cited: Vec<String> = domain::matching::number_candidates(&format!(
        "{} {}",
        record.remittance, record.creditor_reference
    ))
    .into_iter()
    .map(|(number, _)| number)
    .collect();
    let suggested: Vec<InvoiceId> = record.suggestion.iter().map(|(id, _)| *id).collect();
    let (suggested_customer, amount) = (record.suggested_customer, record.amount);
    let reason = move |open: &OpenItem| {
        if suggested.contains(&open.invoice) {
            Some(CandidateReason::Suggested)
        } else if !cited.is_empty()
            && cited.contains(&domain::matching::canonical_number(&open.number))
        {
            Some(CandidateReason::NamedInText)
        } else if suggested_customer == Some(open.customer) {
            Some(CandidateReason::SameCustomer)
        } else if open.outstanding == amount {
            Some(CandidateReason::SameAmount)
        } else {
            None
        }
    };
    // Only the candidates are kept from the pass over the open invoices, and only the names
    // of the customers shown are read: the review of one line among millions of invoices.
    let mut ranked: Vec<(CandidateReason, OpenItem)> = handle
        .pick_open_items(move |open| Some((reason(&open)?, open)))
        .await?;
    ranked.sort_by(|(a_reason, a), (b_reason, b)| {
        a_reason
            .cmp(b_reason)
            .then(a.due_on.cmp(&b.due_on))
            .then(a.number.cmp(&b.number))
    });
    ranked.truncate(MAX_CANDIDATES);
    let names: std::collections::HashMap<CustomerId, (String, String)> = handle
        .customer_names(ranked.iter().map(|(_, open)| open.customer))
        .await?
        .into_iter()
        .map(|(id, reference, name)| (id, (reference, name)))
        .collect();
    let found = ranked
        .into_iter()
        .filter_map(|(reason, open)| {
            let (reference, name) = names.get(&open.customer)?.clone();
            Some(Candidate {
                due_on: open.due_on,
                reason,
                invoice: OpenInvoiceView {
                    invoice: open.invoice,
                    number: open.number,
                    customer_ref: reference,
                    customer_name: name,
                    outstanding: open.outstanding,
                },
            })
        })
        .collect();
    Ok((item, found))
}

/// The name of the built-in mapping: the French convention (`MappingSpec::default()`).
pub const FRENCH_MAPPING: &str = "french";

fn check_mapping_name(name: &str) -> Result<&str, PaymentError> {
    let name = name.trim();
    let valid = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if !valid {
        return Err(PaymentError::Invalid(Bilingual::new(
            format!("nom de modèle {name:?} : 1 à 64 lettres, chiffres, '-', '_' ou '.'"),
            format!("mapping name {name:?}: 1 to 64 letters, digits, '-', '_' or '.'"),
        )));
    }
    if name.eq_ignore_ascii_case(FRENCH_MAPPING) {
        return Err(PaymentError::Invalid(Bilingual::new(
            format!(
                "{FRENCH_MAPPING:?} est le modèle fourni : enregistrez le vôtre sous un autre nom"
            ),
            format!("{FRENCH_MAPPING:?} is the built-in mapping: save yours under another name"),
        )));
    }
    Ok(name)
}

/// Saves a CSV mapping under a name (replacing one of that name), once its settings are
/// checked.
pub async fn save_mapping(
    store: &Store,
    tenant: &TenantRecord,
    clock: Clock,
    name: &str,
    spec: &MappingSpec,
) -> Result<(), PaymentError> {
    let name = check_mapping_name(name)?;
    let mapping = spec.mapping()?;
    store
        .tenant(tenant.id)
        .save_bank_mapping(
            &BankMappingRecord {
                name: name.to_owned(),
                definition: MappingSpec::of(&mapping).to_toml(),
            },
            clock.now(),
        )
        .await?;
    Ok(())
}

/// The mappings an import can use: the built-in one, then the tenant's, by name.
pub async fn mappings(
    store: &Store,
    tenant: &TenantRecord,
) -> Result<Vec<(String, MappingSpec)>, PaymentError> {
    let mut all = vec![(FRENCH_MAPPING.to_owned(), MappingSpec::default())];
    for saved in store.tenant(tenant.id).bank_mappings().await? {
        let spec = kept_spec(&saved)?;
        all.push((saved.name, spec));
    }
    Ok(all)
}

fn kept_spec(saved: &BankMappingRecord) -> Result<MappingSpec, PaymentError> {
    MappingSpec::from_toml(&saved.definition).map_err(|error| {
        StoreError::Corrupt {
            what: format!("CSV mapping {:?}: {error}", saved.name),
        }
        .into()
    })
}

/// The settings of a mapping by name: `french` or one the tenant saved.
pub async fn mapping_spec(
    store: &Store,
    tenant: &TenantRecord,
    name: &str,
) -> Result<MappingSpec, PaymentError> {
    let name = name.trim();
    if name.eq_ignore_ascii_case(FRENCH_MAPPING) {
        return Ok(MappingSpec::default());
    }
    match store.tenant(tenant.id).bank_mapping(name).await? {
        Some(saved) => kept_spec(&saved),
        None => Err(unknown_mapping(store, tenant, name).await?),
    }
}

async fn unknown_mapping(
    store: &Store,
    tenant: &TenantRecord,
    name: &str,
) -> Result<PaymentError, PaymentError> {
    let known = mappings(store, tenant)
        .await?
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    Ok(PaymentError::UnknownMapping {
        name: name.to_owned(),
        known,
    })
}

/// Deletes a saved mapping; the built-in one stays.
pub async fn delete_mapping(
    store: &Store,
    tenant: &TenantRecord,
    name: &str,
) -> Result<(), PaymentError> {
    let name = name.trim();
    if name.eq_ignore_ascii_case(FRENCH_MAPPING) {
        return Err(PaymentError::Invalid(Bilingual::new(
            format!("{FRENCH_MAPPING:?} est fourni et ne peut pas être supprimé"),
            format!("{FRENCH_MAPPING:?} is built in and cannot be deleted"),
        )));
    }
    if store.tenant(tenant.id).delete_bank_mapping(name).await? {
        Ok(())
    } else {
        Err(unknown_mapping(store, tenant, name).await?)
    }
}
