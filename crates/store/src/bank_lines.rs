//! Bank statements brought in and what their lines paid (migration `0011_bank_payments`).
//!
//! Every booked entry is stored once per tenant and account under its layered key, so a
//! repeated or overlapping statement creates nothing twice. A credit line is applied (a payment,
//! its allocations and their effects, in the import's transaction), or waits in the review
//! queue with the matcher's proposal. A reversal undoes what its original credit paid.
//!
//! The effects of an applied payment are written in the same transaction as the payment:
//! outstanding amounts (the `invoices_wake_customer` trigger puts the case in front of the
//! next run), pending promises it fulfils marked kept, scheduled or proposed actions listing
//! only invoices now paid cancelled with a note, and, when the customer owes nothing more, the
//! case's closure with a receipt and a thank-you queued as actions (each as the tenant wants).
//! The statements are written once in PostgreSQL's dialect and converted for SQLite.

use std::collections::HashSet;

use domain::explanation::Explanation;
use domain::ids::{CustomerId, InvoiceId, PaymentId};
use domain::matching::{MatchInputs, OpenItem};
use domain::money::{Currency, Money};
use domain::settlement::SettlementKind;
use jiff::Timestamp;
use jiff::civil::Date;

use crate::dunning::{INSERT_ACTION, NewAction, bind_action, corrupt, dialect, id_list};
use crate::settlements::INSERT_SETTLEMENT;

/// The receipt and thank-you of a closure: a new action, or the one of an earlier closure in
/// the same episode that an undone payment had cancelled, scheduled again.
pub(crate) fn requeue_sql() -> String {
    INSERT_ACTION.replace(
        "DO NOTHING",
        "DO UPDATE SET status = 'scheduled', status_note = NULL, invoice_ids = excluded.invoice_ids, \
         decided_on = excluded.decided_on, scheduled_at = excluded.scheduled_at, \
         explanation = excluded.explanation, reasons = excluded.reasons WHERE actions.status = 'cancelled'",
    )
}
use crate::sqlite_direct::{ForeignKeys, with_connection};
use crate::{Store, StoreError, TenantStore, parse_date, timestamp_text};

mod sqlite;

const INSERT_PAYMENT: &str = "INSERT INTO payments (tenant_id, customer_id, received_on, currency, amount_minor, reference, idempotency_key, created_at) \
             VALUES ($1, $2, $3::date, $4, $5, $6, $7, $8::timestamptz) ON CONFLICT (tenant_id, idempotency_key) DO NOTHING RETURNING id";
const PAYMENT_BY_KEY: &str =
    "SELECT id FROM payments WHERE tenant_id = $1 AND idempotency_key = $2";
const INVOICE_TO_PAY: &str = "SELECT outstanding_minor, currency, customer_id FROM invoices WHERE tenant_id = $1 AND id = $2";
const INSERT_ALLOCATION: &str = "INSERT INTO allocations (tenant_id, payment_id, invoice_id, amount_minor, created_at) VALUES ($1, $2, $3, $4, $5::timestamptz)";
const REDUCE_OUTSTANDING: &str = "UPDATE invoices SET outstanding_minor = outstanding_minor - $1 WHERE tenant_id = $2 AND id = $3";
/// What the customer still owes; read from the open invoices only (SQLite's covering index of
/// them), which changes nothing to the sum.
pub(crate) const CUSTOMER_BALANCE: &str = "SELECT CAST(COALESCE(SUM(outstanding_minor), 0) AS BIGINT) FROM invoices \
     WHERE tenant_id = $1 AND customer_id = $2 AND outstanding_minor > 0";
const KEEP_PROMISES: &str = "UPDATE promises SET status = 'kept', resolved_on = $1::date \
                     WHERE tenant_id = $2 AND customer_id = $3 AND status = 'pending' AND $4 <= balance_when_made_minor - amount_minor";
pub(crate) const PENDING_ACTIONS: &str = "SELECT id, invoice_ids FROM actions WHERE tenant_id = $1 AND customer_id = $2 \
                     AND (status = 'scheduled' OR status = 'awaiting_approval') AND step_key <> 'receipt' AND step_key <> 'thank_you'";
/// Whether any of an action's invoices is still owed (1) or none (0): the look stops at the
/// first one owed, where a count read every invoice of a customer's long list. The unary `+`
/// keeps the tenant's column from choosing the index: with it, SQLite read the covering index
/// of the tenant's open invoices from end to end (2.8 million entries at ten million invoices)
/// for every pending action, instead of looking the few ids up, and a bank import after a
/// daily run did not finish in fifteen minutes.
pub(crate) const STILL_OWED: &str = "SELECT CAST(CASE WHEN EXISTS (SELECT 1 FROM invoices WHERE +tenant_id = $1 AND id IN ({ids}) \
     AND outstanding_minor > 0) THEN 1 ELSE 0 END AS BIGINT)";
pub(crate) const CANCEL_ACTION: &str =
    "UPDATE actions SET status = 'cancelled', status_note = $1 WHERE tenant_id = $2 AND id = $3";
/// Bound to (tenant, customer, payment, settlement, closed on, note, now): a closure names what
/// settled the case, a payment or a settlement.
pub(crate) const INSERT_CLOSURE: &str = "INSERT INTO case_closures (tenant_id, customer_id, payment_id, settlement_id, closed_on, note, created_at) \
     VALUES ($1, $2, $3, $4, $5::date, $6, $7::timestamptz)";
pub(crate) const CLOSURE_CONTACT: &str = "SELECT CAST(COALESCE(d.episode, 0) AS BIGINT), c.email, CAST(CASE WHEN c.consent_email THEN 1 ELSE 0 END AS BIGINT) FROM customers c \
                         LEFT JOIN dunning_cases d ON d.tenant_id = c.tenant_id AND d.customer_id = c.id \
                         WHERE c.tenant_id = $1 AND c.id = $2";
pub(crate) const PAID_BY_DUE: &str =
    "SELECT id FROM invoices WHERE tenant_id = $1 AND id IN ({ids}) ORDER BY due_on, number";
/// The rows of an undone payment, each bound to (tenant, payment), after its allocations and
/// write-offs gave back what they took off invoices.
const UNDO_PAYMENT: [&str; 5] = [
    "DELETE FROM allocations WHERE tenant_id = $1 AND payment_id = $2",
    "DELETE FROM settlements WHERE tenant_id = $1 AND payment_id = $2",
    "UPDATE bank_lines SET payment_id = NULL WHERE tenant_id = $1 AND payment_id = $2",
    "UPDATE case_closures SET payment_id = NULL WHERE tenant_id = $1 AND payment_id = $2",
    "DELETE FROM payments WHERE tenant_id = $1 AND id = $2",
];
const CANCEL_RECEIPTS: &str = "UPDATE actions SET status = 'cancelled', status_note = $1 \
             WHERE tenant_id = $2 AND status = 'scheduled' AND (step_key = 'receipt' OR step_key = 'thank_you') \
             AND customer_id = (SELECT customer_id FROM payments WHERE tenant_id = $2 AND id = $3)";
/// What a payment took off invoices: its allocations, and the remainders written off with it.
const PAYMENT_ALLOCATIONS: &str = "SELECT invoice_id, amount_minor FROM allocations WHERE tenant_id = $1 AND payment_id = $2 \
     UNION ALL SELECT invoice_id, amount_minor FROM settlements WHERE tenant_id = $1 AND payment_id = $2 ORDER BY 1";
const INVOICE_CUSTOMER: &str = "SELECT customer_id FROM invoices WHERE tenant_id = $1 AND id = $2";
const RESTORE_OUTSTANDING: &str = "UPDATE invoices SET outstanding_minor = outstanding_minor + $1 WHERE tenant_id = $2 AND id = $3";
const OPEN_ITEMS: &str = "SELECT id, customer_id, number, iso(due_on), outstanding_minor, currency FROM invoices \
                 WHERE tenant_id = $1 AND outstanding_minor > 0";
/// In the order of an index, sorted by id afterwards: on SQLite, `ORDER BY id` read the narrow
/// covering index of the search and sorted a million rows in a temporary B-tree (0.6 s), or
/// read the wide table rows (0.35 s), where a sort in memory takes a few milliseconds.
const PAYERS: &str = "SELECT id, reference, legal_name FROM customers WHERE tenant_id = $1";
const PAYER_ACCOUNTS: &str = "SELECT DISTINCT p.customer_id, l.counterparty_account FROM bank_lines l JOIN payments p ON p.id = l.payment_id \
                 WHERE l.tenant_id = $1 AND l.counterparty_account <> '' AND (l.state = 'auto_applied' OR l.state = 'manual') \
                 AND p.customer_id IS NOT NULL";
const INSERT_IMPORT: &str = "INSERT INTO bank_imports (tenant_id, file_name, format, file_hash, statements, lines_read, created, duplicates, imported_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, 0, 0, $7::timestamptz) RETURNING id";
const INSERT_LINE: &str = "INSERT INTO bank_lines (tenant_id, import_id, account, dedup_key, source_line, booking_date, value_date, direction, reversal, \
                     currency, amount_minor, counterparty_name, counterparty_account, remittance, creditor_reference, bank_reference, end_to_end, \
                     mandate, state, confidence, explanation_fr, explanation_en, suggested_customer_id, suggestion, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6::date, $7::date, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, \
                     $25::timestamptz, $25::timestamptz) ON CONFLICT (tenant_id, account, dedup_key) DO NOTHING RETURNING id";
const SET_LINE_PAYMENT: &str =
    "UPDATE bank_lines SET payment_id = $1 WHERE tenant_id = $2 AND id = $3";
const ORIGINAL_CREDIT: &str = "SELECT id, payment_id FROM bank_lines WHERE tenant_id = $1 AND account = $2 AND direction = 'credit' \
                             AND reversal = 0 AND currency = $3 AND amount_minor = $4 AND booking_date <= $5::date AND state <> 'reversed' \
                             AND ((end_to_end <> '' AND end_to_end = $6) OR (mandate <> '' AND mandate = $7) \
                                  OR (counterparty_account <> '' AND counterparty_account = $8)) \
                             ORDER BY booking_date DESC, id DESC LIMIT 1";
const MARK_REVERSED: &str = "UPDATE bank_lines SET state = 'reversed', updated_at = $1::timestamptz WHERE tenant_id = $2 AND id = $3";
const LINK_REVERSAL: &str =
    "UPDATE bank_lines SET reverses_line_id = $1 WHERE tenant_id = $2 AND id = $3";
const REVERSAL_NOT_FOUND: &str = "UPDATE bank_lines SET state = 'unmatched', explanation_fr = $1, explanation_en = $2 WHERE tenant_id = $3 AND id = $4";
const DELETE_IMPORT: &str = "DELETE FROM bank_imports WHERE tenant_id = $1 AND id = $2";
const FINISH_IMPORT: &str =
    "UPDATE bank_imports SET created = $1, duplicates = $2 WHERE tenant_id = $3 AND id = $4";

/// A booked entry to store, with what to do with it once stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewBankLine {
    pub account: String,
    pub dedup_key: String,
    pub source_line: u64,
    pub booking_date: Date,
    pub value_date: Option<Date>,
    pub credit: bool,
    pub reversal: bool,
    pub amount: Money,
    pub counterparty_name: String,
    pub counterparty_account: String,
    pub remittance: String,
    pub creditor_reference: String,
    pub bank_reference: String,
    pub end_to_end: String,
    pub mandate: String,
    pub plan: LinePlan,
}

/// What the import does with a new line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinePlan {
    /// Money out that undoes nothing: recorded, not a payment.
    Outgoing,
    /// Money out undoing an earlier credit: its payment is undone when the credit is found.
    Reversal {
        not_found_fr: String,
        not_found_en: String,
    },
    /// A credit matched with enough confidence: paid now.
    Apply {
        proposal: StoredProposal,
        customer: CustomerId,
    },
    /// A credit waiting for review, with the matcher's proposal.
    Review { proposal: StoredProposal },
}

/// The matcher's proposal as stored on a line.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StoredProposal {
    pub customer: Option<CustomerId>,
    pub allocations: Vec<(InvoiceId, Money)>,
    pub confidence: u8,
    pub explanation_fr: String,
    pub explanation_en: String,
}

/// A payment to record and allocate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentPlan {
    pub customer: CustomerId,
    pub received_on: Date,
    pub amount: Money,
    pub reference: String,
    pub idempotency_key: String,
    /// Oldest first; an allocation larger than what the invoice still owes when written takes
    /// only that (the rest stays the customer's credit).
    pub allocations: Vec<(InvoiceId, Money)>,
}

/// What follows from a payment, as the tenant decided, in the words the caller chose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentEffects {
    pub today: Date,
    /// When the receipt and thank-you are to go (RFC 3339).
    pub scheduled_at: String,
    pub send_receipt: bool,
    pub send_thank_you: bool,
    /// The note on an action cancelled because everything it claims is paid.
    pub cancel_note: String,
    /// The note recorded with a closure.
    pub closure_note: String,
    pub receipt_explanation: String,
    pub thank_you_explanation: String,
    /// The note on a receipt or thank-you cancelled because its payment was undone.
    pub undo_note: String,
    /// Small remainders written off with the payment that leaves them; `None`: never.
    pub write_off: Option<WriteOff>,
}

/// The tenant's write-off of small remainders: when a payment is spent whole on invoices and
/// leaves one of them owing this much or less, the rest is written off as a settlement of the
/// payment (undone with it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteOff {
    /// The largest remainder written off (minor units of the payment's currency, above 0).
    pub up_to_minor: i64,
    pub reason: String,
    pub decided_by: String,
}

/// The remainders (invoice, amount) a payment's write-off settles: only when the whole
/// payment went to invoices (money left over is the customer's credit, not a shortfall).
fn written_off(effects: &PaymentEffects, left: i64, remainders: &[(i64, i64)]) -> Vec<(i64, i64)> {
    match &effects.write_off {
        Some(write_off) if left == 0 => remainders
            .iter()
            .copied()
            .filter(|&(_, remainder)| remainder > 0 && remainder <= write_off.up_to_minor)
            .collect(),
        _ => Vec::new(),
    }
}

/// What a reduction of a customer's balance stopped or closed (`close_if_settled!`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Closing {
    /// What the customer owes now, in minor units.
    pub(crate) balance: i64,
    pub(crate) actions_cancelled: u32,
    pub(crate) case_closed: bool,
    pub(crate) receipt_queued: bool,
    pub(crate) thank_you_queued: bool,
}

/// What recording a payment did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AppliedPayment {
    pub payment: Option<PaymentId>,
    /// Nothing was written: a payment with the same key exists.
    pub already_recorded: bool,
    pub allocated_minor: i64,
    pub unallocated_minor: i64,
    /// Remainders written off with the payment (see `WriteOff`): how many, how much.
    pub write_offs: u32,
    pub written_off_minor: i64,
    pub promises_kept: u32,
    pub actions_cancelled: u32,
    pub case_closed: bool,
    pub receipt_queued: bool,
    pub thank_you_queued: bool,
}

/// The file an import read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankImportMeta {
    pub file_name: String,
    pub format: String,
    pub file_hash: String,
    pub statements: u32,
}

/// What a bank import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BankImportOutcome {
    pub lines_read: u32,
    pub created: u32,
    pub duplicates: u32,
    pub applied: u32,
    pub queued: u32,
    pub outgoing: u32,
    pub reversals_applied: u32,
    pub reversals_queued: u32,
    /// Invoices whose small remainder was written off.
    pub write_offs: u32,
    pub cases_closed: u32,
    pub receipts_queued: u32,
    pub thanks_queued: u32,
}

/// The order of a page of bank lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineOrder {
    /// By booking date, then as stored: the review queue.
    OldestFirst,
    /// The last stored first: what was applied lately.
    NewestStoredFirst,
}

/// A stored bank line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankLineRecord {
    pub id: i64,
    pub booking_date: Date,
    pub credit: bool,
    pub reversal: bool,
    pub amount: Money,
    pub counterparty_name: String,
    pub counterparty_account: String,
    pub remittance: String,
    pub creditor_reference: String,
    pub state: String,
    pub confidence: u8,
    pub explanation_fr: String,
    pub explanation_en: String,
    pub suggested_customer: Option<CustomerId>,
    pub suggestion: Vec<(InvoiceId, Money)>,
    pub payment: Option<PaymentId>,
}

/// The creditor's payment settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PaymentSettingsRecord {
    pub auto_apply_threshold: u8,
    pub amount_tolerance_minor: i64,
    pub send_receipt: bool,
    pub send_thank_you: bool,
    /// Remainders up to this are written off; 0: never.
    pub write_off_minor: i64,
}

/// A case closed by a payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClosureRecord {
    pub customer: CustomerId,
    pub closed_on: Date,
    pub payment: Option<PaymentId>,
    /// The settlement that closed it, when no payment did.
    pub settlement: Option<i64>,
    pub note: String,
    /// The day the case was opened again (the settlement that closed it was undone).
    pub reopened_on: Option<Date>,
}

/// A payment received from a customer, with what it paid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentRecord {
    pub id: PaymentId,
    pub received_on: Date,
    pub amount: Money,
    /// What is not allocated to an invoice: the customer's credit.
    pub unallocated: Money,
    pub reference: String,
    /// The invoices it paid, by number, and how much of each.
    pub allocations: Vec<(String, Money)>,
}

const LINE_COLUMNS: &str = "id, iso(booking_date), CASE WHEN reversal = 1 THEN 'reversal' ELSE direction END, currency, amount_minor, \
     counterparty_name, counterparty_account, remittance, creditor_reference, state, confidence, explanation_fr, \
     explanation_en, suggested_customer_id, suggestion, payment_id";

type LineRow = (
    i64,
    String,
    String,
    String,
    i64,
    String,
    String,
    String,
    String,
    String,
    i64,
    String,
    String,
    Option<i64>,
    String,
    Option<i64>,
);

fn line_from_row(row: LineRow) -> Result<BankLineRecord, StoreError> {
    let currency = currency(&row.3)?;
    Ok(BankLineRecord {
        id: row.0,
        booking_date: parse_date(&row.1)?,
        credit: row.2 == "credit",
        reversal: row.2 == "reversal",
        amount: Money::from_minor(row.4, currency),
        counterparty_name: row.5,
        counterparty_account: row.6,
        remittance: row.7,
        creditor_reference: row.8,
        state: row.9,
        confidence: u8::try_from(row.10).map_err(|_| corrupt("bank line confidence"))?,
        explanation_fr: row.11,
        explanation_en: row.12,
        suggested_customer: row.13.map(CustomerId),
        suggestion: parse_suggestion(&row.14, currency)?,
        payment: row.15.map(PaymentId),
    })
}

fn currency(code: &str) -> Result<Currency, StoreError> {
    Currency::from_code(code).map_err(|_| corrupt(format!("currency {code:?}")))
}

fn suggestion_text(allocations: &[(InvoiceId, Money)]) -> String {
    allocations
        .iter()
        .map(|(invoice, amount)| format!("{}:{}", invoice.0, amount.minor()))
        .collect::<Vec<_>>()
        .join(",")
}

fn parse_suggestion(text: &str, currency: Currency) -> Result<Vec<(InvoiceId, Money)>, StoreError> {
    if text.is_empty() {
        return Ok(Vec::new());
    }
    text.split(',')
        .map(|pair| {
            let (invoice, amount) = pair
                .split_once(':')
                .ok_or_else(|| corrupt(format!("suggestion {text:?}")))?;
            let invoice: i64 = invoice
                .parse()
                .map_err(|_| corrupt(format!("suggestion {text:?}")))?;
            let amount: i64 = amount
                .parse()
                .map_err(|_| corrupt(format!("suggestion {text:?}")))?;
            Ok((InvoiceId(invoice), Money::from_minor(amount, currency)))
        })
        .collect()
}

pub(crate) fn q(store: &Store, text: &str) -> sqlx::AssertSqlSafe<String> {
    sqlx::AssertSqlSafe(dialect(store, text))
}

/// The invoices a pending action claims.
pub(crate) fn action_invoices(action: i64, invoice_ids: &str) -> Result<Vec<i64>, StoreError> {
    invoice_ids
        .split(',')
        .filter(|id| !id.is_empty())
        .map(|id| id.parse::<i64>())
        .collect::<Result<_, _>>()
        .map_err(|_| corrupt(format!("action {action}: invoice ids")))
}

/// The receipt and thank-you a closure queues, as the tenant wants them: by e-mail when the
/// customer has an address and agreed to e-mail, else by letter; listing the invoices the
/// closing payment paid off (`paid`, oldest due first).
pub(crate) fn closure_actions(
    customer: CustomerId,
    episode: i64,
    email: Option<String>,
    consent_email: i64,
    paid: Vec<i64>,
    effects: &PaymentEffects,
) -> Result<Vec<(&'static str, NewAction)>, StoreError> {
    let channel = if email.as_deref().is_some_and(|e| !e.trim().is_empty()) && consent_email != 0 {
        "email"
    } else {
        "letter"
    };
    let episode = u32::try_from(episode).map_err(|_| corrupt("case episode"))?;
    let mut actions = Vec::new();
    for (wanted, key, explanation) in [
        (
            effects.send_receipt,
            "receipt",
            &effects.receipt_explanation,
        ),
        (
            effects.send_thank_you,
            "thank_you",
            &effects.thank_you_explanation,
        ),
    ] {
        if wanted {
            actions.push((
                key,
                NewAction {
                    customer,
                    episode,
                    step_key: key.to_owned(),
                    channel: channel.to_owned(),
                    companion: false,
                    tone: "courteous".to_owned(),
                    template: key.to_owned(),
                    invoice_ids: paid.iter().copied().map(InvoiceId).collect(),
                    decided_on: effects.today,
                    scheduled_at: effects.scheduled_at.clone(),
                    status: "scheduled",
                    explanation: Explanation::Text(explanation.clone()),
                },
            ));
        }
    }
    Ok(actions)
}

/// Runs `$body` (an async block's contents ending in `Ok::<_, StoreError>(…)`) in one
/// transaction on either backend: `BEGIN IMMEDIATE` on SQLite, the tenant's row locked on
/// PostgreSQL, so that two payment writers of one tenant take turns.
macro_rules! transaction {
    ($tenant_store:expr, |$tx:ident| $body:block) => {{
        let tenant_store = $tenant_store;
        match tenant_store.store {
            Store::Sqlite(pool, _) => {
                let mut $tx = pool.begin_with("BEGIN IMMEDIATE").await?;
                let result = async { $body }.await;
                match result {
                    Ok(value) => {
                        $tx.commit().await?;
                        Ok(value)
                    }
                    Err(error) => Err(error),
                }
            }
            Store::Postgres(pool) => {
                let mut $tx = pool.begin().await?;
                sqlx::query("SELECT id FROM tenants WHERE id = $1 FOR UPDATE")
                    .bind(tenant_store.tenant.0)
                    .execute(&mut *$tx)
                    .await?;
                let result = async { $body }.await;
                match result {
                    Ok(value) => {
                        $tx.commit().await?;
                        Ok(value)
                    }
                    Err(error) => Err(error),
                }
            }
        }
    }};
}

/// What follows, inside `$tx`, once a customer's balance came down (`$reduced`) by a payment or
/// a settlement (`$by`: the one or the other): scheduled or proposed actions listing only
/// invoices now settled are cancelled with a note, and when the customer owes nothing more the
/// case's closure is recorded with a receipt and a thank-you queued (each as the tenant wants).
/// `$settled` are the invoices it brought to zero, which the receipt names.
macro_rules! close_if_settled {
    ($tx:ident, $store:expr, $tenant:expr, $customer:expr, $settled:expr, $reduced:expr, $effects:expr, $now:expr, $by:expr) => {{
        let store: &Store = $store;
        let tenant: i64 = $tenant;
        let customer: CustomerId = $customer;
        let paid_invoices: &[i64] = $settled;
        let reduced: bool = $reduced;
        let effects: &PaymentEffects = $effects;
        let now: &str = $now;
        let (payment, settlement): (Option<i64>, Option<i64>) = $by;
        let mut closing = Closing::default();
        let balance: i64 = sqlx::query_scalar(q(store, $crate::bank_lines::CUSTOMER_BALANCE))
            .bind(tenant)
            .bind(customer.0)
            .fetch_one(&mut *$tx)
            .await?;
        // Pending messages that claim only invoices now paid are stopped before they go. A
        // customer who owes nothing more has no invoice left that a message could claim.
        let pending: Vec<(i64, String)> =
            sqlx::query_as(q(store, $crate::bank_lines::PENDING_ACTIONS))
                .bind(tenant)
                .bind(customer.0)
                .fetch_all(&mut *$tx)
                .await?;
        for (action, invoice_ids) in pending {
            let ids = $crate::bank_lines::action_invoices(action, &invoice_ids)?;
            if ids.is_empty() {
                continue;
            }
            let still_owed: i64 = if balance == 0 {
                0
            } else {
                sqlx::query_scalar(q(
                    store,
                    &$crate::bank_lines::STILL_OWED.replace("{ids}", &id_list(ids.iter().copied())),
                ))
                .bind(tenant)
                .fetch_one(&mut *$tx)
                .await?
            };
            if still_owed == 0 {
                sqlx::query(q(store, $crate::bank_lines::CANCEL_ACTION))
                    .bind(effects.cancel_note.clone())
                    .bind(tenant)
                    .bind(action)
                    .execute(&mut *$tx)
                    .await?;
                closing.actions_cancelled += 1;
            }
        }
        if balance == 0 && reduced {
            closing.case_closed = true;
            sqlx::query(q(store, $crate::bank_lines::INSERT_CLOSURE))
                .bind(tenant)
                .bind(customer.0)
                .bind(payment)
                .bind(settlement)
                .bind(effects.today.to_string())
                .bind(effects.closure_note.clone())
                .bind(now.to_owned())
                .execute(&mut *$tx)
                .await?;
            let (episode, email, consent_email): (i64, Option<String>, i64) =
                sqlx::query_as(q(store, $crate::bank_lines::CLOSURE_CONTACT))
                    .bind(tenant)
                    .bind(customer.0)
                    .fetch_one(&mut *$tx)
                    .await?;
            let paid: Vec<i64> = if paid_invoices.is_empty() {
                Vec::new()
            } else {
                sqlx::query_scalar(q(
                    store,
                    &$crate::bank_lines::PAID_BY_DUE
                        .replace("{ids}", &id_list(paid_invoices.iter().copied())),
                ))
                .bind(tenant)
                .fetch_all(&mut *$tx)
                .await?
            };
            for (key, action) in $crate::bank_lines::closure_actions(
                customer,
                episode,
                email,
                consent_email,
                paid,
                effects,
            )? {
                let written = bind_action(sqlx::query(q(store, &requeue_sql())), tenant, &action)
                    .execute(&mut *$tx)
                    .await?
                    .rows_affected();
                if written > 0 {
                    if key == "receipt" {
                        closing.receipt_queued = true;
                    } else {
                        closing.thank_you_queued = true;
                    }
                }
            }
        }
        closing.balance = balance;
        closing
    }};
}

/// Records a payment, allocates it and writes its effects, inside the transaction `$tx`.
macro_rules! apply_payment {
    ($tx:ident, $store:expr, $tenant:expr, $plan:expr, $effects:expr, $now:expr) => {{
        let store: &Store = $store;
        let tenant: i64 = $tenant;
        let plan: &PaymentPlan = $plan;
        let effects: &PaymentEffects = $effects;
        let now: &str = $now;
        let mut outcome = AppliedPayment::default();
        let inserted: Option<i64> = sqlx::query_scalar(q(store, INSERT_PAYMENT))
            .bind(tenant)
            .bind(plan.customer.0)
            .bind(plan.received_on.to_string())
            .bind(plan.amount.currency().code())
            .bind(plan.amount.minor())
            .bind(plan.reference.clone())
            .bind(plan.idempotency_key.clone())
            .bind(now.to_owned())
            .fetch_optional(&mut *$tx)
            .await?;
        match inserted {
            None => {
                outcome.already_recorded = true;
                let existing: i64 = sqlx::query_scalar(q(store, PAYMENT_BY_KEY))
                    .bind(tenant)
                    .bind(plan.idempotency_key.clone())
                    .fetch_one(&mut *$tx)
                    .await?;
                outcome.payment = Some(PaymentId(existing));
            }
            Some(payment) => {
                outcome.payment = Some(PaymentId(payment));
                let mut left = plan.amount.minor();
                let mut paid_invoices: Vec<i64> = Vec::new();
                let mut remainders: Vec<(i64, i64)> = Vec::new();
                for (invoice, wanted) in &plan.allocations {
                    if left <= 0 {
                        break;
                    }
                    let row: Option<(i64, String, i64)> = sqlx::query_as(q(store, INVOICE_TO_PAY))
                        .bind(tenant)
                        .bind(invoice.0)
                        .fetch_optional(&mut *$tx)
                        .await?;
                    let (outstanding, invoice_currency, owner) =
                        row.ok_or_else(|| StoreError::NotFound {
                            what: format!("invoice {invoice}"),
                        })?;
                    if owner != plan.customer.0 || invoice_currency != plan.amount.currency().code()
                    {
                        return Err(StoreError::RuleViolated {
                            message: format!(
                                "invoice {invoice} is not the payer's, or not in its currency"
                            ),
                        });
                    }
                    let take = wanted.minor().min(outstanding).min(left);
                    if take <= 0 {
                        continue;
                    }
                    sqlx::query(q(store, INSERT_ALLOCATION))
                        .bind(tenant)
                        .bind(payment)
                        .bind(invoice.0)
                        .bind(take)
                        .bind(now.to_owned())
                        .execute(&mut *$tx)
                        .await?;
                    sqlx::query(q(store, REDUCE_OUTSTANDING))
                        .bind(take)
                        .bind(tenant)
                        .bind(invoice.0)
                        .execute(&mut *$tx)
                        .await?;
                    left -= take;
                    outcome.allocated_minor += take;
                    if take == outstanding {
                        paid_invoices.push(invoice.0);
                    } else {
                        remainders.push((invoice.0, outstanding - take));
                    }
                }
                outcome.unallocated_minor = left;
                for (invoice, remainder) in written_off(effects, left, &remainders) {
                    sqlx::query(q(store, REDUCE_OUTSTANDING))
                        .bind(remainder)
                        .bind(tenant)
                        .bind(invoice)
                        .execute(&mut *$tx)
                        .await?;
                    let write_off = effects
                        .write_off
                        .as_ref()
                        .expect("a remainder is written off only with a tolerance");
                    sqlx::query(q(store, INSERT_SETTLEMENT))
                        .bind(tenant)
                        .bind(plan.customer.0)
                        .bind(invoice)
                        .bind(SettlementKind::WriteOff.code())
                        .bind(plan.amount.currency().code())
                        .bind(remainder)
                        .bind(plan.received_on.to_string())
                        .bind(write_off.reason.clone())
                        .bind(write_off.decided_by.clone())
                        .bind(String::new())
                        .bind(now.to_owned())
                        .bind(payment)
                        .fetch_one(&mut *$tx)
                        .await?;
                    outcome.write_offs += 1;
                    outcome.written_off_minor += remainder;
                    paid_invoices.push(invoice);
                }
                let closing = close_if_settled!(
                    $tx,
                    store,
                    tenant,
                    plan.customer,
                    &paid_invoices,
                    outcome.allocated_minor > 0,
                    effects,
                    now,
                    (Some(payment), None)
                );
                let balance = closing.balance;
                // A promise is kept once the balance has come down by what was promised.
                let kept = sqlx::query(q(store, KEEP_PROMISES))
                    .bind(effects.today.to_string())
                    .bind(tenant)
                    .bind(plan.customer.0)
                    .bind(balance)
                    .execute(&mut *$tx)
                    .await?
                    .rows_affected();
                outcome.promises_kept = u32::try_from(kept).unwrap_or(u32::MAX);
                outcome.actions_cancelled = closing.actions_cancelled;
                outcome.case_closed = closing.case_closed;
                outcome.receipt_queued = closing.receipt_queued;
                outcome.thank_you_queued = closing.thank_you_queued;
            }
        }
        outcome
    }};
}

/// Undoes a payment inside `$tx`: its allocations go back to the invoices they paid, the
/// payment goes. Returns the amount given back to invoices.
macro_rules! undo_payment {
    ($tx:ident, $store:expr, $tenant:expr, $payment:expr, $note:expr) => {{
        let store: &Store = $store;
        let tenant: i64 = $tenant;
        let payment: i64 = $payment;
        let note: &str = $note;
        // A receipt or thank-you not sent yet no longer holds once the payment is undone.
        sqlx::query(q(store, CANCEL_RECEIPTS))
            .bind(note.to_owned())
            .bind(tenant)
            .bind(payment)
            .execute(&mut *$tx)
            .await?;
        let allocations: Vec<(i64, i64)> = sqlx::query_as(q(store, PAYMENT_ALLOCATIONS))
            .bind(tenant)
            .bind(payment)
            .fetch_all(&mut *$tx)
            .await?;
        let mut restored = 0i64;
        for (invoice, amount) in &allocations {
            sqlx::query(q(store, RESTORE_OUTSTANDING))
                .bind(*amount)
                .bind(tenant)
                .bind(*invoice)
                .execute(&mut *$tx)
                .await?;
            restored += amount;
        }
        for statement in UNDO_PAYMENT {
            sqlx::query(q(store, statement))
                .bind(tenant)
                .bind(payment)
                .execute(&mut *$tx)
                .await?;
        }
        restored
    }};
}

impl TenantStore<'_> {
    /// The keys among `keys` (account, key) already stored.
    pub async fn existing_bank_keys(
        &self,
        keys: &[(String, String)],
    ) -> Result<HashSet<(String, String)>, StoreError> {
        if let Store::Sqlite(pool, _) = self.store {
            let (tenant, keys) = (self.tenant.0, keys.to_vec());
            return with_connection(pool, ForeignKeys::PerRow, move |connection| {
                sqlite::existing_keys(connection, tenant, keys)
            })
            .await;
        }
        let mut found = HashSet::new();
        for chunk in keys.chunks(500) {
            let placeholders: Vec<String> =
                (0..chunk.len()).map(|i| format!("${}", i + 2)).collect();
            let sql = format!(
                "SELECT account, dedup_key FROM bank_lines WHERE tenant_id = $1 AND dedup_key IN ({})",
                placeholders.join(", ")
            );
            let rows: Vec<(String, String)> = with_pool!(self.store, |pool| {
                let mut query = sqlx::query_as(q(self.store, &sql)).bind(self.tenant.0);
                for (_, key) in chunk {
                    query = query.bind(key.clone());
                }
                query.fetch_all(pool).await?
            });
            found.extend(rows);
        }
        // The query matched keys only; a key of another account is another line.
        let wanted: HashSet<&(String, String)> = keys.iter().collect();
        found.retain(|pair| wanted.contains(pair));
        Ok(found)
    }

    /// The open invoices and the customers the matcher works with; a customer's accounts are
    /// those its attributed payments came from.
    pub async fn matching_inputs(&self) -> Result<MatchInputs, StoreError> {
        let tenant = self.tenant.0;
        match self.store {
            Store::Sqlite(pool, _) => {
                with_connection(pool, ForeignKeys::PerRow, move |connection| {
                    sqlite::matching_inputs(connection, tenant)
                })
                .await
            }
            Store::Postgres(pool) => {
                let items: Vec<OpenItemRow> = sqlx::query_as(OPEN_ITEMS)
                    .bind(tenant)
                    .fetch_all(pool)
                    .await?;
                let customers: Vec<(i64, String, String)> =
                    sqlx::query_as(PAYERS).bind(tenant).fetch_all(pool).await?;
                let accounts: Vec<(i64, String)> = sqlx::query_as(PAYER_ACCOUNTS)
                    .bind(tenant)
                    .fetch_all(pool)
                    .await?;
                let mut inputs = MatchInputs::with_capacity(items.len(), customers.len());
                for (invoice, customer, number, due, outstanding, code) in items {
                    inputs.add_item(
                        InvoiceId(invoice),
                        CustomerId(customer),
                        &number,
                        parse_date(&due)?,
                        Money::from_minor(outstanding, currency(&code)?),
                    );
                }
                for (id, reference, name) in customers {
                    inputs.add_customer(CustomerId(id), &reference, &name);
                }
                for (customer, account) in accounts {
                    inputs.add_account(CustomerId(customer), &account);
                }
                Ok(inputs)
            }
        }
    }

    /// What `pick` makes of each open invoice it wants. Each is read, offered and dropped unless
    /// picked, so that looking for a handful among millions (the candidates of one line in the
    /// review queue) holds only the handful.
    pub async fn pick_open_items<T: Send + 'static>(
        &self,
        pick: impl Fn(OpenItem) -> Option<T> + Send + 'static,
    ) -> Result<Vec<T>, StoreError> {
        let tenant = self.tenant.0;
        match self.store {
            Store::Sqlite(pool, _) => {
                with_connection(pool, ForeignKeys::PerRow, move |connection| {
                    sqlite::pick_open_items(connection, tenant, pick)
                })
                .await
            }
            Store::Postgres(pool) => {
                let rows: Vec<OpenItemRow> = sqlx::query_as(OPEN_ITEMS)
                    .bind(tenant)
                    .fetch_all(pool)
                    .await?;
                let mut picked = Vec::new();
                for row in rows {
                    picked.extend(pick(open_item_of_row(row)?));
                }
                Ok(picked)
            }
        }
    }

    /// The reference and name of each of these customers of the tenant.
    pub async fn customer_names(
        &self,
        customers: impl IntoIterator<Item = CustomerId>,
    ) -> Result<Vec<(CustomerId, String, String)>, StoreError> {
        let ids = id_list(customers.into_iter().map(|customer| customer.0));
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!("{PAYERS} AND id IN ({ids})");
        let rows: Vec<(i64, String, String)> = with_pool!(self.store, |pool| {
            sqlx::query_as(q(self.store, &sql))
                .bind(self.tenant.0)
                .fetch_all(pool)
                .await?
        });
        Ok(rows
            .into_iter()
            .map(|(id, reference, name)| (CustomerId(id), reference, name))
            .collect())
    }

    /// One customer's open invoices, oldest due first: what a payment recorded by hand can pay.
    pub async fn open_items_of(&self, customer: CustomerId) -> Result<Vec<OpenItem>, StoreError> {
        let sql = format!("{OPEN_ITEMS} AND customer_id = $2 ORDER BY due_on, number, id");
        let rows: Vec<OpenItemRow> = with_pool!(self.store, |pool| {
            sqlx::query_as(q(self.store, &sql))
                .bind(self.tenant.0)
                .bind(customer.0)
                .fetch_all(pool)
                .await?
        });
        rows.into_iter().map(open_item_of_row).collect()
    }

    /// Stores a bank file's lines and does what each plan says, all in one transaction. Lines
    /// already stored (same account and key) are counted as duplicates and left alone; a file
    /// that brings nothing new leaves no trace. Given a `Vec`, the lines are moved to the
    /// writing thread rather than copied.
    pub async fn import_bank_lines(
        &self,
        meta: &BankImportMeta,
        lines: impl Into<Vec<NewBankLine>>,
        effects: &PaymentEffects,
        now: Timestamp,
    ) -> Result<BankImportOutcome, StoreError> {
        let lines: Vec<NewBankLine> = lines.into();
        let now = timestamp_text(now);
        let store = self.store;
        let tenant = self.tenant.0;
        if let Store::Sqlite(pool, _) = store {
            let (meta, effects) = (meta.clone(), effects.clone());
            return with_connection(pool, ForeignKeys::PerRow, move |connection| {
                sqlite::import(connection, tenant, &meta, &lines, &effects, &now)
            })
            .await;
        }
        let lines = &lines;
        transaction!(self, |tx| {
            let mut outcome = BankImportOutcome {
                lines_read: u32::try_from(lines.len()).unwrap_or(u32::MAX),
                ..BankImportOutcome::default()
            };
            let import: i64 = sqlx::query_scalar(q(store, INSERT_IMPORT))
                .bind(tenant)
                .bind(meta.file_name.clone())
                .bind(meta.format.clone())
                .bind(meta.file_hash.clone())
                .bind(i64::from(meta.statements))
                .bind(i64::from(outcome.lines_read))
                .bind(now.clone())
                .fetch_one(&mut *tx)
                .await?;
            for line in lines {
                let (state, proposal) = line_state(&line.plan);
                let empty = StoredProposal::default();
                let proposal = proposal.unwrap_or(&empty);
                let inserted: Option<i64> = sqlx::query_scalar(q(store, INSERT_LINE))
                    .bind(tenant)
                    .bind(import)
                    .bind(line.account.clone())
                    .bind(line.dedup_key.clone())
                    .bind(i64::try_from(line.source_line).unwrap_or(i64::MAX))
                    .bind(line.booking_date.to_string())
                    .bind(line.value_date.map(|date| date.to_string()))
                    .bind(if line.credit { "credit" } else { "debit" })
                    .bind(i64::from(line.reversal))
                    .bind(line.amount.currency().code())
                    .bind(line.amount.minor())
                    .bind(line.counterparty_name.clone())
                    .bind(line.counterparty_account.clone())
                    .bind(line.remittance.clone())
                    .bind(line.creditor_reference.clone())
                    .bind(line.bank_reference.clone())
                    .bind(line.end_to_end.clone())
                    .bind(line.mandate.clone())
                    .bind(state)
                    .bind(i64::from(proposal.confidence))
                    .bind(proposal.explanation_fr.clone())
                    .bind(proposal.explanation_en.clone())
                    .bind(proposal.customer.map(|customer| customer.0))
                    .bind(suggestion_text(&proposal.allocations))
                    .bind(now.clone())
                    .fetch_optional(&mut *tx)
                    .await?;
                let Some(id) = inserted else {
                    outcome.duplicates += 1;
                    continue;
                };
                outcome.created += 1;
                match &line.plan {
                    LinePlan::Outgoing => outcome.outgoing += 1,
                    LinePlan::Review { .. } => outcome.queued += 1,
                    LinePlan::Apply { customer, proposal } => {
                        let plan = line_payment(line, *customer, proposal, id);
                        let applied = apply_payment!(tx, store, tenant, &plan, effects, &now);
                        sqlx::query(q(store, SET_LINE_PAYMENT))
                            .bind(applied.payment.map(|payment| payment.0))
                            .bind(tenant)
                            .bind(id)
                            .execute(&mut *tx)
                            .await?;
                        outcome.count_applied(&applied);
                    }
                    LinePlan::Reversal {
                        not_found_fr,
                        not_found_en,
                    } => {
                        // The credit it undoes: same account, amount and currency, booked no
                        // later, and the same end-to-end id, mandate or payer account.
                        let original: Option<(i64, Option<i64>)> =
                            sqlx::query_as(q(store, ORIGINAL_CREDIT))
                                .bind(tenant)
                                .bind(line.account.clone())
                                .bind(line.amount.currency().code())
                                .bind(line.amount.minor())
                                .bind(line.booking_date.to_string())
                                .bind(line.end_to_end.clone())
                                .bind(line.mandate.clone())
                                .bind(line.counterparty_account.clone())
                                .fetch_optional(&mut *tx)
                                .await?;
                        match original {
                            Some((original, payment)) => {
                                if let Some(payment) = payment {
                                    let _ = undo_payment!(
                                        tx,
                                        store,
                                        tenant,
                                        payment,
                                        &effects.undo_note
                                    );
                                }
                                sqlx::query(q(store, MARK_REVERSED))
                                    .bind(now.clone())
                                    .bind(tenant)
                                    .bind(original)
                                    .execute(&mut *tx)
                                    .await?;
                                sqlx::query(q(store, LINK_REVERSAL))
                                    .bind(original)
                                    .bind(tenant)
                                    .bind(id)
                                    .execute(&mut *tx)
                                    .await?;
                                outcome.reversals_applied += 1;
                            }
                            None => {
                                sqlx::query(q(store, REVERSAL_NOT_FOUND))
                                    .bind(not_found_fr.clone())
                                    .bind(not_found_en.clone())
                                    .bind(tenant)
                                    .bind(id)
                                    .execute(&mut *tx)
                                    .await?;
                                outcome.reversals_queued += 1;
                                outcome.queued += 1;
                            }
                        }
                    }
                }
            }
            if outcome.created == 0 {
                sqlx::query(q(store, DELETE_IMPORT))
                    .bind(tenant)
                    .bind(import)
                    .execute(&mut *tx)
                    .await?;
            } else {
                sqlx::query(q(store, FINISH_IMPORT))
                    .bind(i64::from(outcome.created))
                    .bind(i64::from(outcome.duplicates))
                    .bind(tenant)
                    .bind(import)
                    .execute(&mut *tx)
                    .await?;
            }
            Ok::<_, StoreError>(outcome)
        })
    }

    /// Records a payment that came some other way than a bank file (a cheque, cash), with its
    /// allocations and effects, in one transaction.
    pub async fn record_manual_payment(
        &self,
        plan: &PaymentPlan,
        effects: &PaymentEffects,
        now: Timestamp,
    ) -> Result<AppliedPayment, StoreError> {
        let now = timestamp_text(now);
        let store = self.store;
        let tenant = self.tenant.0;
        transaction!(self, |tx| {
            let applied = apply_payment!(tx, store, tenant, plan, effects, &now);
            Ok::<_, StoreError>(applied)
        })
    }

    /// Pays invoices with a credit line by hand: the line must be a credit that nothing pays
    /// yet (waiting in the queue, or set aside).
    pub async fn match_bank_line(
        &self,
        line: i64,
        plan: &PaymentPlan,
        effects: &PaymentEffects,
        now: Timestamp,
    ) -> Result<AppliedPayment, StoreError> {
        let now = timestamp_text(now);
        let store = self.store;
        let tenant = self.tenant.0;
        transaction!(self, |tx| {
            let row: Option<(String, i64, String)> = sqlx::query_as(q(
                store,
                "SELECT direction, reversal, state FROM bank_lines WHERE tenant_id = $1 AND id = $2",
            ))
            .bind(tenant)
            .bind(line)
            .fetch_optional(&mut *tx)
            .await?;
            let (direction, reversal, state) = row.ok_or_else(|| StoreError::NotFound {
                what: format!("bank line {line}"),
            })?;
            if direction != "credit" || reversal != 0 {
                return Err(StoreError::RuleViolated {
                    message: format!("bank line {line} is not money received"),
                });
            }
            if !matches!(state.as_str(), "suggested" | "unmatched" | "ignored") {
                return Err(StoreError::RuleViolated {
                    message: format!("bank line {line} is {state}, not waiting for a match"),
                });
            }
            let applied = apply_payment!(tx, store, tenant, plan, effects, &now);
            sqlx::query(q(
                store,
                "UPDATE bank_lines SET state = 'manual', payment_id = $1, updated_at = $2::timestamptz, \
                 suggested_customer_id = $5, suggestion = $6 WHERE tenant_id = $3 AND id = $4",
            ))
            .bind(applied.payment.map(|payment| payment.0))
            .bind(now.clone())
            .bind(tenant)
            .bind(line)
            .bind(plan.customer.0)
            .bind(suggestion_text(&plan.allocations))
            .execute(&mut *tx)
            .await?;
            Ok::<_, StoreError>(applied)
        })
    }

    /// Undoes what a line paid: its allocations go back to the invoices, its payment goes, and
    /// the line waits in the queue again. Returns the amount given back to invoices.
    pub async fn unmatch_bank_line(
        &self,
        line: i64,
        note: &str,
        now: Timestamp,
    ) -> Result<Money, StoreError> {
        let now = timestamp_text(now);
        let store = self.store;
        let tenant = self.tenant.0;
        transaction!(self, |tx| {
            let row: Option<(String, Option<i64>, String)> = sqlx::query_as(q(
                store,
                "SELECT state, payment_id, currency FROM bank_lines WHERE tenant_id = $1 AND id = $2",
            ))
            .bind(tenant)
            .bind(line)
            .fetch_optional(&mut *tx)
            .await?;
            let (state, payment, code) = row.ok_or_else(|| StoreError::NotFound {
                what: format!("bank line {line}"),
            })?;
            let Some(payment) =
                payment.filter(|_| matches!(state.as_str(), "auto_applied" | "manual"))
            else {
                return Err(StoreError::RuleViolated {
                    message: format!("bank line {line} is {state}: it pays nothing to undo"),
                });
            };
            let restored = undo_payment!(tx, store, tenant, payment, note);
            sqlx::query(q(
                store,
                "UPDATE bank_lines SET state = 'unmatched', updated_at = $1::timestamptz WHERE tenant_id = $2 AND id = $3",
            ))
            .bind(now.clone())
            .bind(tenant)
            .bind(line)
            .execute(&mut *tx)
            .await?;
            Ok::<_, StoreError>(Money::from_minor(restored, currency(&code)?))
        })
    }

    /// Sets a waiting line aside (not a customer's payment).
    pub async fn ignore_bank_line(&self, line: i64, now: Timestamp) -> Result<(), StoreError> {
        let now = timestamp_text(now);
        let changed = with_pool!(self.store, |pool| {
            sqlx::query(q(
                self.store,
                "UPDATE bank_lines SET state = 'ignored', updated_at = $1::timestamptz \
                 WHERE tenant_id = $2 AND id = $3 AND (state = 'suggested' OR state = 'unmatched')",
            ))
            .bind(now)
            .bind(self.tenant.0)
            .bind(line)
            .execute(pool)
            .await?
            .rows_affected()
        });
        if changed == 0 {
            return Err(StoreError::RuleViolated {
                message: format!("bank line {line} is not waiting for review"),
            });
        }
        Ok(())
    }

    /// One stored line.
    pub async fn bank_line(&self, line: i64) -> Result<Option<BankLineRecord>, StoreError> {
        let sql = format!("SELECT {LINE_COLUMNS} FROM bank_lines WHERE tenant_id = $1 AND id = $2");
        let row: Option<LineRow> = with_pool!(self.store, |pool| {
            sqlx::query_as(q(self.store, &sql))
                .bind(self.tenant.0)
                .bind(line)
                .fetch_optional(pool)
                .await?
        });
        row.map(line_from_row).transpose()
    }

    /// Lines in the given states, oldest first (the review queue: `suggested`, `unmatched`).
    pub async fn bank_lines_in(&self, states: &[&str]) -> Result<Vec<BankLineRecord>, StoreError> {
        Ok(self
            .bank_lines_page(states, LineOrder::OldestFirst, 0, None)
            .await?
            .1)
    }

    /// How many lines are in the given states, and `limit` of them (all when `None`) from
    /// `offset` in `order`: a statement of 100,000 lines is never read whole for a page.
    pub async fn bank_lines_page(
        &self,
        states: &[&str],
        order: LineOrder,
        offset: u32,
        limit: Option<u32>,
    ) -> Result<(i64, Vec<BankLineRecord>), StoreError> {
        let list: Vec<String> = states
            .iter()
            .filter(|state| state.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
            .map(|state| format!("'{state}'"))
            .collect();
        if list.is_empty() {
            return Ok((0, Vec::new()));
        }
        let condition = format!("tenant_id = $1 AND state IN ({})", list.join(", "));
        let order = match order {
            LineOrder::OldestFirst => "booking_date, id",
            LineOrder::NewestStoredFirst => "id DESC",
        };
        let cut = match limit {
            Some(limit) => format!(" LIMIT {limit} OFFSET {offset}"),
            None => String::new(),
        };
        let sql = format!(
            "SELECT {LINE_COLUMNS} FROM bank_lines WHERE {condition} ORDER BY {order}{cut}"
        );
        let count_sql = format!("SELECT COUNT(*) FROM bank_lines WHERE {condition}");
        let (rows, count): (Vec<LineRow>, i64) = with_pool!(self.store, |pool| {
            (
                sqlx::query_as(q(self.store, &sql))
                    .bind(self.tenant.0)
                    .fetch_all(pool)
                    .await?,
                sqlx::query_scalar(q(self.store, &count_sql))
                    .bind(self.tenant.0)
                    .fetch_one(pool)
                    .await?,
            )
        });
        Ok((
            count,
            rows.into_iter()
                .map(line_from_row)
                .collect::<Result<_, _>>()?,
        ))
    }

    /// The creditor's payment settings; `None` when it kept the defaults.
    pub async fn payment_settings(&self) -> Result<Option<PaymentSettingsRecord>, StoreError> {
        let row: Option<(i64, i64, i64, i64, i64)> = with_pool!(self.store, |pool| {
            sqlx::query_as(q(
                self.store,
                "SELECT auto_apply_threshold, amount_tolerance_minor, send_receipt, send_thank_you, write_off_minor FROM payment_settings WHERE tenant_id = $1",
            ))
            .bind(self.tenant.0)
            .fetch_optional(pool)
            .await?
        });
        row.map(|(threshold, tolerance, receipt, thanks, write_off)| {
            Ok(PaymentSettingsRecord {
                auto_apply_threshold: u8::try_from(threshold)
                    .map_err(|_| corrupt("auto-apply threshold"))?,
                amount_tolerance_minor: tolerance,
                send_receipt: receipt != 0,
                send_thank_you: thanks != 0,
                write_off_minor: write_off,
            })
        })
        .transpose()
    }

    pub async fn save_payment_settings(
        &self,
        settings: &PaymentSettingsRecord,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        with_pool!(self.store, |pool| {
            sqlx::query(q(
                self.store,
                "INSERT INTO payment_settings (tenant_id, auto_apply_threshold, amount_tolerance_minor, send_receipt, send_thank_you, updated_at, write_off_minor) \
                 VALUES ($1, $2, $3, $4, $5, $6::timestamptz, $7) ON CONFLICT (tenant_id) DO UPDATE SET \
                 auto_apply_threshold = excluded.auto_apply_threshold, amount_tolerance_minor = excluded.amount_tolerance_minor, \
                 send_receipt = excluded.send_receipt, send_thank_you = excluded.send_thank_you, updated_at = excluded.updated_at, \
                 write_off_minor = excluded.write_off_minor",
            ))
            .bind(self.tenant.0)
            .bind(i64::from(settings.auto_apply_threshold))
            .bind(settings.amount_tolerance_minor)
            .bind(i64::from(settings.send_receipt))
            .bind(i64::from(settings.send_thank_you))
            .bind(timestamp_text(now))
            .bind(settings.write_off_minor)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// The closures of a customer's case, oldest first.
    pub async fn case_closures(
        &self,
        customer: CustomerId,
    ) -> Result<Vec<ClosureRecord>, StoreError> {
        type ClosureRow = (String, Option<i64>, Option<i64>, String, Option<String>);
        let rows: Vec<ClosureRow> = with_pool!(self.store, |pool| {
            sqlx::query_as(q(
                self.store,
                "SELECT iso(closed_on), payment_id, settlement_id, note, iso(reopened_on) FROM case_closures \
                 WHERE tenant_id = $1 AND customer_id = $2 ORDER BY closed_on, id",
            ))
            .bind(self.tenant.0)
            .bind(customer.0)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter()
            .map(|(closed, payment, settlement, note, reopened)| {
                Ok(ClosureRecord {
                    customer,
                    closed_on: parse_date(&closed)?,
                    payment: payment.map(PaymentId),
                    settlement,
                    note,
                    reopened_on: reopened.as_deref().map(parse_date).transpose()?,
                })
            })
            .collect()
    }

    /// An invoice's number.
    pub async fn invoice_number(&self, invoice: InvoiceId) -> Result<String, StoreError> {
        let number: Option<String> = with_pool!(self.store, |pool| {
            sqlx::query_scalar(q(
                self.store,
                "SELECT number FROM invoices WHERE tenant_id = $1 AND id = $2",
            ))
            .bind(self.tenant.0)
            .bind(invoice.0)
            .fetch_optional(pool)
            .await?
        });
        number.ok_or_else(|| StoreError::NotFound {
            what: format!("invoice {invoice}"),
        })
    }

    /// A customer's reference (code).
    pub async fn customer_reference(&self, customer: CustomerId) -> Result<String, StoreError> {
        let reference: Option<String> = with_pool!(self.store, |pool| {
            sqlx::query_scalar(q(
                self.store,
                "SELECT reference FROM customers WHERE tenant_id = $1 AND id = $2",
            ))
            .bind(self.tenant.0)
            .bind(customer.0)
            .fetch_optional(pool)
            .await?
        });
        reference.ok_or_else(|| StoreError::NotFound {
            what: format!("customer {customer}"),
        })
    }

    /// A customer's payments, oldest first, each with the invoices it paid.
    pub async fn customer_payments(
        &self,
        customer: CustomerId,
    ) -> Result<Vec<PaymentRecord>, StoreError> {
        type PaymentRow = (i64, String, String, i64, i64, String);
        let rows: Vec<PaymentRow> = with_pool!(self.store, |pool| {
            sqlx::query_as(q(
                self.store,
                "SELECT id, iso(received_on), currency, amount_minor, allocated_minor, reference FROM payments \
                 WHERE tenant_id = $1 AND customer_id = $2 ORDER BY received_on, id",
            ))
            .bind(self.tenant.0)
            .bind(customer.0)
            .fetch_all(pool)
            .await?
        });
        let allocations: Vec<(i64, String, i64)> = with_pool!(self.store, |pool| {
            sqlx::query_as(q(
                self.store,
                "SELECT a.payment_id, i.number, a.amount_minor FROM allocations a \
                 JOIN payments p ON p.tenant_id = a.tenant_id AND p.id = a.payment_id \
                 JOIN invoices i ON i.tenant_id = a.tenant_id AND i.id = a.invoice_id \
                 WHERE a.tenant_id = $1 AND p.customer_id = $2 ORDER BY a.id",
            ))
            .bind(self.tenant.0)
            .bind(customer.0)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter()
            .map(|(id, received, code, amount, allocated, reference)| {
                let currency = currency(&code)?;
                Ok(PaymentRecord {
                    id: PaymentId(id),
                    received_on: parse_date(&received)?,
                    amount: Money::from_minor(amount, currency),
                    unallocated: Money::from_minor(amount - allocated, currency),
                    reference,
                    allocations: allocations
                        .iter()
                        .filter(|(payment, _, _)| *payment == id)
                        .map(|(_, number, minor)| {
                            (number.clone(), Money::from_minor(*minor, currency))
                        })
                        .collect(),
                })
            })
            .collect()
    }

    /// A customer's unallocated payments: its credit balance, per currency (minor units).
    pub async fn credit_balance(&self, customer: CustomerId) -> Result<Vec<Money>, StoreError> {
        let rows: Vec<(String, i64)> = with_pool!(self.store, |pool| {
            sqlx::query_as(q(
                self.store,
                "SELECT currency, CAST(SUM(amount_minor - allocated_minor) AS BIGINT) FROM payments \
                 WHERE tenant_id = $1 AND customer_id = $2 GROUP BY currency HAVING SUM(amount_minor - allocated_minor) > 0 ORDER BY currency",
            ))
            .bind(self.tenant.0)
            .bind(customer.0)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter()
            .map(|(code, minor)| Ok(Money::from_minor(minor, currency(&code)?)))
            .collect()
    }
}

/// The state a new line is stored in, and the matcher's proposal it keeps.
fn line_state(plan: &LinePlan) -> (&'static str, Option<&StoredProposal>) {
    match plan {
        LinePlan::Outgoing => ("outgoing", None),
        LinePlan::Reversal { .. } => ("reversal", None),
        LinePlan::Apply { proposal, .. } => ("auto_applied", Some(proposal)),
        LinePlan::Review { proposal } => (
            if proposal.customer.is_some() || !proposal.allocations.is_empty() {
                "suggested"
            } else {
                "unmatched"
            },
            Some(proposal),
        ),
    }
}

/// An open item as sqlx reads `OPEN_ITEMS`.
type OpenItemRow = (i64, i64, String, String, i64, String);

fn open_item_of_row(
    (invoice, customer, number, due, outstanding, code): OpenItemRow,
) -> Result<OpenItem, StoreError> {
    open_item(invoice, customer, number, &due, outstanding, &code)
}

fn open_item(
    invoice: i64,
    customer: i64,
    number: String,
    due: &str,
    outstanding: i64,
    code: &str,
) -> Result<OpenItem, StoreError> {
    Ok(OpenItem {
        invoice: InvoiceId(invoice),
        customer: CustomerId(customer),
        number,
        due_on: parse_date(due)?,
        outstanding: Money::from_minor(outstanding, currency(code)?),
    })
}

/// The payment an applied line makes: keyed by the line, so that it is recorded once.
fn line_payment(
    line: &NewBankLine,
    customer: CustomerId,
    proposal: &StoredProposal,
    id: i64,
) -> PaymentPlan {
    PaymentPlan {
        customer,
        received_on: line.booking_date,
        amount: line.amount,
        reference: line_reference(line),
        idempotency_key: format!("bank-line:{id}"),
        allocations: proposal.allocations.clone(),
    }
}

impl BankImportOutcome {
    fn count_applied(&mut self, applied: &AppliedPayment) {
        self.applied += 1;
        self.cases_closed += u32::from(applied.case_closed);
        self.receipts_queued += u32::from(applied.receipt_queued);
        self.write_offs += applied.write_offs;
        self.thanks_queued += u32::from(applied.thank_you_queued);
    }
}

fn line_reference(line: &NewBankLine) -> String {
    let mut reference = line.creditor_reference.clone();
    if reference.is_empty() {
        reference = line.remittance.chars().take(140).collect();
    }
    reference
}
