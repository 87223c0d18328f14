//! The dunning engine's state: scenarios and policies as written by the user, each customer's
//! case, the actions decided and the facts around them (contacts, promises, disputes, holds,
//! incidents).
//!
//! Statements are written once in PostgreSQL's dialect and converted for SQLite by `dialect`:
//! `$n` placeholders become `?n`, casts go, and `iso(date)` (a small SQL function of the
//! PostgreSQL schema that prints a date as ISO text) reads the stored text as it is.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

use domain::customer::{Channel, ChannelConsent, CustomerKind, CustomerRef};
use domain::engine::CaseProgress;
use domain::explanation::{Explanation, decode_reasons, encode_reasons};
use domain::ids::{CustomerId, InvoiceId};
use domain::money::{Currency, Money};
use domain::scenario::RiskSegment;
use jiff::Timestamp;
use jiff::civil::Date;

use crate::{Store, StoreError, TenantStore, parse_date, timestamp_text};

pub(crate) fn dialect(store: &Store, sql: &str) -> String {
    match store {
        Store::Postgres(_) => sql.to_owned(),
        Store::Sqlite(..) => sqlite_dialect(sql),
    }
}

/// A statement of a hot path written once in each dialect, rather than converted at each call.
pub(crate) struct Dialects {
    pub(crate) postgres: String,
    pub(crate) sqlite: String,
}

impl Dialects {
    pub(crate) fn new(postgres: String) -> Dialects {
        Dialects {
            sqlite: sqlite_dialect(&postgres),
            postgres,
        }
    }
}

pub(crate) fn sqlite_dialect(sql: &str) -> String {
    sql.replace("::date", "")
        .replace("::timestamptz", "")
        .replace("iso(", "(")
        .replace('$', "?")
}

pub(crate) fn id_list(ids: impl IntoIterator<Item = i64>) -> String {
    let mut text = String::new();
    for (index, id) in ids.into_iter().enumerate() {
        if index > 0 {
            text.push(',');
        }
        write!(text, "{id}").expect("writing to a string");
    }
    text
}

pub(crate) fn corrupt(what: impl Into<String>) -> StoreError {
    StoreError::Corrupt { what: what.into() }
}

/// Who a customer is, as far as contacting them goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DebtorRecord {
    pub id: CustomerId,
    pub reference: CustomerRef,
    pub legal_name: String,
    pub kind: CustomerKind,
    pub risk: RiskSegment,
    pub consent: ChannelConsent,
    pub preferred: Channel,
    pub time_zone: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub has_postal_address: bool,
    pub language: String,
    pub scenario: Option<String>,
}

/// An open invoice as the engine sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenInvoice {
    pub id: InvoiceId,
    pub customer: CustomerId,
    pub number: String,
    pub due_on: Date,
    pub service_on: Option<Date>,
    pub outstanding: Money,
}

/// The open invoices that dunning leaves aside, read once for a whole run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SetAside {
    /// Under an open dispute, or taken out of dunning by an upheld one.
    pub disputed: HashSet<InvoiceId>,
    /// Covered by an active payment plan.
    pub in_plan: HashSet<InvoiceId>,
}

/// A contact to log, with codes already checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NewContact<'a> {
    pub customer: CustomerId,
    pub channel: &'a str,
    pub outcome: &'a str,
    pub reason: Option<&'a str>,
    pub note: &'a str,
    pub on: Date,
}

/// An action as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionRecord {
    pub id: i64,
    pub customer: CustomerId,
    pub customer_ref: String,
    pub episode: u32,
    pub step_key: String,
    pub channel: String,
    pub companion: bool,
    pub tone: String,
    pub template: String,
    pub invoice_ids: Vec<InvoiceId>,
    pub invoice_numbers: Vec<String>,
    pub decided_on: Date,
    /// RFC 9557 text: the debtor's local time with offset and zone.
    pub scheduled_at: String,
    pub status: String,
    pub explanation: Explanation,
    pub status_note: Option<String>,
}

/// A recent action as the daily run weighs it: what it needs for the contact limits and for a
/// step awaiting approval, without the texts and lists an `ActionRecord` carries for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PastAction {
    pub customer: CustomerId,
    pub step_key: String,
    pub channel: String,
    pub companion: bool,
    pub status: String,
    /// The day it was (or is) due to go out, in the debtor's time zone.
    pub scheduled_on: Date,
}

/// An action to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAction {
    pub customer: CustomerId,
    pub episode: u32,
    pub step_key: String,
    pub channel: String,
    pub companion: bool,
    pub tone: String,
    pub template: String,
    pub invoice_ids: Vec<InvoiceId>,
    pub decided_on: Date,
    pub scheduled_at: String,
    pub status: &'static str,
    pub explanation: Explanation,
}

/// A contact logged by a person (a call, a visit, a letter received back).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactLogRecord {
    pub id: i64,
    pub customer: CustomerId,
    pub channel: String,
    pub outcome: String,
    pub reason: Option<String>,
    pub note: String,
    pub occurred_on: Date,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PromiseRecord {
    pub id: i64,
    pub customer: CustomerId,
    pub amount: Money,
    pub balance_when_made: Money,
    pub due_on: Date,
    pub status: String,
    pub note: String,
    pub resolved_on: Option<Date>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisputeRecord {
    pub id: i64,
    pub invoice: InvoiceId,
    pub invoice_number: String,
    pub reason: String,
    pub note: String,
    pub opened_on: Date,
    pub closed_on: Option<Date>,
    pub outcome: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HoldRecord {
    pub customer: CustomerId,
    pub until: Date,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncidentRecord {
    pub id: i64,
    pub customer: CustomerId,
    pub note: String,
    pub opened_on: Date,
    pub resolved_on: Option<Date>,
}

/// Everything the daily run reads about a batch of customers, in one go per table.
#[derive(Debug, Clone, Default)]
pub struct CaseBatch {
    pub debtors: Vec<DebtorRecord>,
    pub invoices: Vec<OpenInvoice>,
    pub cases: HashMap<CustomerId, StoredCase>,
    pub actions: Vec<PastAction>,
    pub contacts: Vec<ContactLogRecord>,
    pub promises: Vec<PromiseRecord>,
    pub holds: Vec<HoldRecord>,
    pub incidents: Vec<IncidentRecord>,
    pub policies: HashMap<CustomerId, String>,
}

/// What the run writes for one customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseUpdate {
    pub customer: CustomerId,
    pub progress: CaseProgress,
    /// The date the case next needs looking at; `None`: only a new fact wakes it.
    pub next_review_on: Option<Date>,
    /// The case as read: an unchanged case is not written, and a fact recorded since the run
    /// read it (its wake count moved on) keeps the case due instead of being overwritten.
    pub previous: Option<StoredCase>,
    pub actions: Vec<NewAction>,
    pub promise_updates: Vec<(i64, &'static str)>,
}

/// What the run wrote, to prove that a second run writes nothing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunWrites {
    pub actions: u64,
    pub cases: u64,
    pub promises: u64,
}

impl RunWrites {
    pub fn total(&self) -> u64 {
        self.actions + self.cases + self.promises
    }

    pub fn add(&mut self, other: RunWrites) {
        self.actions += other.actions;
        self.cases += other.cases;
        self.promises += other.promises;
    }
}

pub(crate) type DebtorRow = (
    i64,
    String,
    String,
    String,
    String,
    bool,
    bool,
    bool,
    bool,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
    String,
    Option<String>,
);

type ActionRow = (
    i64,
    i64,
    String,
    i64,
    String,
    String,
    bool,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    Option<String>,
);

fn action_from_row(row: ActionRow) -> Result<ActionRecord, StoreError> {
    let (
        id,
        customer,
        customer_ref,
        episode,
        step_key,
        channel,
        companion,
        tone,
        template,
        invoice_ids,
        invoice_numbers,
        decided_on,
        scheduled_at,
        status,
        explanation,
        status_note,
    ) = row;
    let invoice_ids = invoice_ids
        .split(',')
        .filter(|part| !part.is_empty())
        .map(|part| part.parse().map(InvoiceId))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| corrupt(format!("action {id}: invoice ids")))?;
    let invoice_numbers: Vec<String> = serde_json::from_str(&invoice_numbers)
        .map_err(|_| corrupt(format!("action {id}: invoice numbers")))?;
    // The query tags the words with `w` and the reasons with `r`: one column, as a row of
    // sixteen is as wide as a tuple decodes.
    let explanation = match explanation.split_at_checked(1) {
        Some(("r", reasons)) => Explanation::Reasons(
            decode_reasons(reasons).map_err(|error| corrupt(format!("action {id}: {error}")))?,
        ),
        Some(("w", words)) => Explanation::Text(words.to_owned()),
        _ => return Err(corrupt(format!("action {id}: explanation"))),
    };
    Ok(ActionRecord {
        id,
        customer: CustomerId(customer),
        customer_ref,
        episode: u32::try_from(episode).map_err(|_| corrupt(format!("action {id}: episode")))?,
        step_key,
        channel,
        companion,
        tone,
        template,
        invoice_ids,
        invoice_numbers,
        decided_on: parse_date(&decided_on)?,
        scheduled_at,
        status,
        explanation,
        status_note,
    })
}

pub(crate) const INSERT_ACTION: &str = "INSERT INTO actions (tenant_id, customer_id, episode, step_key, channel, companion, tone, template, invoice_ids, \
     decided_on, scheduled_at, status, explanation, reasons) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::date, $11, $12, $13, $14) \
     ON CONFLICT (tenant_id, customer_id, episode, step_key, channel) DO NOTHING";

/// Every status an action can have, as the schema's CHECK lists them.
pub const ACTION_STATUSES: [&str; 5] = [
    "awaiting_approval",
    "scheduled",
    "skipped",
    "sent",
    "cancelled",
];

/// Which actions to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ActionFilter<'a> {
    pub decided_on: Option<Date>,
    pub customer: Option<CustomerId>,
    pub status: Option<&'a str>,
}

/// A record that the daily run and the customer file read: its query, and how a row becomes
/// it. The row is a tuple that sqlx (on either backend) and rusqlite (the run's direct SQLite
/// path) both decode, so each table's SQL and conversion are written once.
pub(crate) trait Readable: Sized {
    type Row: for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
        + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>
        + for<'r> TryFrom<&'r rusqlite::Row<'r>, Error = rusqlite::Error>
        + Send
        + Unpin;
    /// `SELECT … WHERE <tenant> = $1` in PostgreSQL's dialect; conditions follow with `AND`.
    const SELECT: &'static str;
    /// The column holding the customer's id, as conditions name it.
    const CUSTOMER: &'static str;
    const ORDER: &'static str;
    fn from_row(row: Self::Row) -> Result<Self, StoreError>;
    /// The same from a row of the run's direct SQLite path, where a record read by the
    /// million can borrow its text columns rather than copy each into a `String` first.
    fn from_sqlite_row(row: &rusqlite::Row<'_>) -> Result<Self, StoreError> {
        Self::from_row(Self::Row::try_from(row).map_err(crate::sqlite_direct::store_error)?)
    }
}

/// The full query for records of type `T` meeting `condition`, in PostgreSQL's dialect.
pub(crate) fn select_where<T: Readable>(condition: &str) -> String {
    format!("{} AND {condition} ORDER BY {}", T::SELECT, T::ORDER)
}

/// The same, customer by customer: the order of the indexes the daily run reads by.
///
/// The customer's column is named once: SQLite reads `ORDER BY customer_id, customer_id,
/// due_on` as an order its index does not give and sorts every customer's rows again (at ten
/// million invoices, 0.5 s of the cold run's reading).
pub(crate) fn select_by_customer<T: Readable>(condition: &str) -> String {
    let customer_first = T::ORDER
        .strip_prefix(T::CUSTOMER)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with(','));
    if customer_first {
        format!("{} AND {condition} ORDER BY {}", T::SELECT, T::ORDER)
    } else {
        format!(
            "{} AND {condition} ORDER BY {}, {}",
            T::SELECT,
            T::CUSTOMER,
            T::ORDER
        )
    }
}

impl Readable for DebtorRecord {
    type Row = DebtorRow;
    const SELECT: &'static str = "SELECT id, reference, legal_name, kind, risk_segment, consent_email, consent_sms, consent_phone, \
         consent_letter, preferred_channel, time_zone, email, phone, address_line1 || postal_code || city, language, scenario \
         FROM customers WHERE +tenant_id = $1";
    // The unary plus keeps SQLite from scanning the tenant's whole (tenant, reference) index
    // when the rows wanted are a list of ids: debtors are always read by id.
    const CUSTOMER: &'static str = "id";
    const ORDER: &'static str = "id";

    fn from_row(row: DebtorRow) -> Result<Self, StoreError> {
        let (
            id,
            reference,
            legal_name,
            kind,
            risk,
            email,
            sms,
            phone,
            letter,
            preferred,
            time_zone,
            email_address,
            phone_number,
            address,
            language,
            scenario,
        ) = row;
        DebtorFields {
            id,
            reference: &reference,
            kind: &kind,
            risk: &risk,
            consent: ChannelConsent {
                email,
                sms,
                phone,
                letter,
            },
            preferred: &preferred,
            address: &address,
        }
        .into_record(
            legal_name,
            time_zone,
            email_address,
            phone_number,
            language,
            scenario,
        )
    }

    fn from_sqlite_row(row: &rusqlite::Row<'_>) -> Result<Self, StoreError> {
        let error = crate::sqlite_direct::store_error;
        let id: i64 = row.get(0).map_err(error)?;
        let what = || format!("customer {id}");
        let text = |column: usize| borrowed_text(row, column, what);
        let required = |column: usize| required_text(row, column, what);
        let owned = |column: usize| Ok::<_, StoreError>(text(column)?.map(str::to_owned));
        let flag = |column: usize| row.get::<_, bool>(column).map_err(error);
        DebtorFields {
            id,
            reference: required(1)?,
            kind: required(3)?,
            risk: required(4)?,
            consent: ChannelConsent {
                email: flag(5)?,
                sms: flag(6)?,
                phone: flag(7)?,
                letter: flag(8)?,
            },
            preferred: required(9)?,
            address: required(13)?,
        }
        .into_record(
            required(2)?.to_owned(),
            owned(10)?,
            owned(11)?,
            owned(12)?,
            required(14)?.to_owned(),
            owned(15)?,
        )
    }
}

/// A text column of a row of the run's direct SQLite path, borrowed from SQLite rather than
/// copied: records read by the million decode their codes and dates from it. `what` names
/// the record in the error.
fn borrowed_text<'r>(
    row: &'r rusqlite::Row<'_>,
    column: usize,
    what: impl Fn() -> String,
) -> Result<Option<&'r str>, StoreError> {
    row.get_ref(column)
        .map_err(crate::sqlite_direct::store_error)?
        .as_str_or_null()
        .map_err(|_| corrupt(format!("{}: column {column}", what())))
}

/// The same, for a column that may not be NULL.
fn required_text<'r>(
    row: &'r rusqlite::Row<'_>,
    column: usize,
    what: impl Fn() -> String,
) -> Result<&'r str, StoreError> {
    borrowed_text(row, column, &what)?
        .ok_or_else(|| corrupt(format!("{}: column {column}", what())))
}

/// The columns of a debtor that are checked and turned into domain values, borrowed from
/// whichever row they were read from.
struct DebtorFields<'a> {
    id: i64,
    reference: &'a str,
    kind: &'a str,
    risk: &'a str,
    consent: ChannelConsent,
    preferred: &'a str,
    address: &'a str,
}

impl DebtorFields<'_> {
    fn into_record(
        self,
        legal_name: String,
        time_zone: Option<String>,
        email: Option<String>,
        phone: Option<String>,
        language: String,
        scenario: Option<String>,
    ) -> Result<DebtorRecord, StoreError> {
        let id = self.id;
        let bad = |what: &str| corrupt(format!("customer {id}: {what}"));
        Ok(DebtorRecord {
            id: CustomerId(id),
            reference: CustomerRef::parse(self.reference).map_err(|_| bad("reference"))?,
            legal_name,
            kind: CustomerKind::parse(self.kind).map_err(|_| bad("kind"))?,
            risk: RiskSegment::parse(self.risk).map_err(|_| bad("risk segment"))?,
            consent: self.consent,
            preferred: Channel::parse(self.preferred).ok_or_else(|| bad("preferred channel"))?,
            time_zone,
            email,
            phone,
            has_postal_address: !self.address.trim().is_empty(),
            language,
            scenario,
        })
    }
}

type OpenInvoiceRow = (i64, i64, String, String, Option<String>, String, i64);

impl Readable for OpenInvoice {
    type Row = OpenInvoiceRow;
    const SELECT: &'static str = "SELECT i.id, i.customer_id, i.number, iso(i.due_on), iso(i.service_on), i.currency, i.outstanding_minor \
         FROM invoices i WHERE i.tenant_id = $1 AND i.outstanding_minor > 0";
    const CUSTOMER: &'static str = "i.customer_id";
    const ORDER: &'static str = "i.customer_id, i.due_on, i.number";

    fn from_row(row: OpenInvoiceRow) -> Result<Self, StoreError> {
        let (id, customer, number, due_on, service_on, currency, outstanding) = row;
        let currency = Currency::from_code(&currency)
            .map_err(|_| corrupt(format!("invoice {id}: currency")))?;
        Ok(OpenInvoice {
            id: InvoiceId(id),
            customer: CustomerId(customer),
            number,
            due_on: parse_date(&due_on)?,
            service_on: service_on.as_deref().map(parse_date).transpose()?,
            outstanding: Money::from_minor(outstanding, currency),
        })
    }

    fn from_sqlite_row(row: &rusqlite::Row<'_>) -> Result<Self, StoreError> {
        let error = crate::sqlite_direct::store_error;
        let what = || "open invoice".to_owned();
        let text = |column: usize| borrowed_text(row, column, what);
        let required = |column: usize| required_text(row, column, what);
        let id: i64 = row.get(0).map_err(error)?;
        let currency = Currency::from_code(required(5)?)
            .map_err(|_| corrupt(format!("invoice {id}: currency")))?;
        Ok(OpenInvoice {
            id: InvoiceId(id),
            customer: CustomerId(row.get(1).map_err(error)?),
            number: required(2)?.to_owned(),
            due_on: parse_date(required(3)?)?,
            service_on: text(4)?.map(parse_date).transpose()?,
            outstanding: Money::from_minor(row.get(6).map_err(error)?, currency),
        })
    }
}

/// A customer's case as stored: its progress, the day it next needs looking at and how many
/// facts have woken it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCase {
    pub progress: CaseProgress,
    pub next_review_on: Date,
    pub wake_count: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CaseRecord {
    pub(crate) customer: CustomerId,
    pub(crate) case: StoredCase,
}

type CaseRow = (
    i64,
    i64,
    Option<String>,
    Option<i64>,
    Option<String>,
    bool,
    String,
    i64,
);

impl Readable for CaseRecord {
    type Row = CaseRow;
    const SELECT: &'static str = "SELECT customer_id, episode, iso(anchor_on), level, iso(level_on), handed_off, iso(next_review_on), wake_count \
         FROM dunning_cases WHERE tenant_id = $1";
    const CUSTOMER: &'static str = "customer_id";
    const ORDER: &'static str = "customer_id";

    fn from_row(row: CaseRow) -> Result<Self, StoreError> {
        let (customer, episode, anchor_on, level, level_on, handed_off, next_review_on, wake_count) =
            row;
        Ok(CaseRecord {
            customer: CustomerId(customer),
            case: StoredCase {
                progress: CaseProgress {
                    episode: u32::try_from(episode).map_err(|_| corrupt("case episode"))?,
                    anchor_on: anchor_on.as_deref().map(parse_date).transpose()?,
                    level: level
                        .map(usize::try_from)
                        .transpose()
                        .map_err(|_| corrupt("case level"))?,
                    level_on: level_on.as_deref().map(parse_date).transpose()?,
                    handed_off,
                },
                next_review_on: parse_date(&next_review_on)?,
                wake_count,
            },
        })
    }
}

impl Readable for ActionRecord {
    type Row = ActionRow;
    const SELECT: &'static str = "SELECT a.id, a.customer_id, c.reference, a.episode, a.step_key, a.channel, a.companion, a.tone, \
         a.template, a.invoice_ids, a.invoice_numbers, iso(a.decided_on), a.scheduled_at, a.status, \
         CASE WHEN a.reasons IS NULL THEN 'w' || a.explanation ELSE 'r' || a.reasons END, a.status_note \
         FROM actions_listed a JOIN customers c ON c.id = a.customer_id WHERE a.tenant_id = $1";
    const CUSTOMER: &'static str = "a.customer_id";
    const ORDER: &'static str = "a.decided_on, c.reference, a.id";

    fn from_row(row: ActionRow) -> Result<Self, StoreError> {
        action_from_row(row)
    }
}

type PastActionRow = (i64, String, String, bool, String, String);

impl Readable for PastAction {
    type Row = PastActionRow;
    // `scheduled_at` is RFC 9557 text whose date is the local one: its first ten characters.
    const SELECT: &'static str = "SELECT a.customer_id, a.step_key, a.channel, a.companion, a.status, \
         substr(a.scheduled_at, 1, 10) FROM actions a WHERE a.tenant_id = $1";
    const CUSTOMER: &'static str = "a.customer_id";
    const ORDER: &'static str = "a.decided_on, a.id";

    fn from_row(row: PastActionRow) -> Result<Self, StoreError> {
        let (customer, step_key, channel, companion, status, scheduled_on) = row;
        Ok(PastAction {
            customer: CustomerId(customer),
            step_key,
            channel,
            companion,
            status,
            scheduled_on: parse_date(&scheduled_on)?,
        })
    }
}

type ContactRow = (i64, i64, String, String, Option<String>, String, String);

impl Readable for ContactLogRecord {
    type Row = ContactRow;
    const SELECT: &'static str = "SELECT id, customer_id, channel, outcome, reason, note, iso(occurred_on) FROM contacts \
         WHERE tenant_id = $1";
    const CUSTOMER: &'static str = "customer_id";
    const ORDER: &'static str = "occurred_on, id";

    fn from_row(row: ContactRow) -> Result<Self, StoreError> {
        let (id, customer, channel, outcome, reason, note, on) = row;
        Ok(ContactLogRecord {
            id,
            customer: CustomerId(customer),
            channel,
            outcome,
            reason,
            note,
            occurred_on: parse_date(&on)?,
        })
    }
}

type PromiseRow = (
    i64,
    i64,
    String,
    i64,
    i64,
    String,
    String,
    String,
    Option<String>,
);

impl Readable for PromiseRecord {
    type Row = PromiseRow;
    const SELECT: &'static str = "SELECT id, customer_id, currency, amount_minor, balance_when_made_minor, iso(due_on), status, note, \
         iso(resolved_on) FROM promises WHERE tenant_id = $1";
    const CUSTOMER: &'static str = "customer_id";
    const ORDER: &'static str = "due_on, id";

    fn from_row(row: PromiseRow) -> Result<Self, StoreError> {
        let (id, customer, currency, amount, balance, due_on, status, note, resolved) = row;
        let currency = Currency::from_code(&currency)
            .map_err(|_| corrupt(format!("promise {id}: currency")))?;
        Ok(PromiseRecord {
            id,
            customer: CustomerId(customer),
            amount: Money::from_minor(amount, currency),
            balance_when_made: Money::from_minor(balance, currency),
            due_on: parse_date(&due_on)?,
            status,
            note,
            resolved_on: resolved.as_deref().map(parse_date).transpose()?,
        })
    }
}

impl Readable for HoldRecord {
    type Row = (i64, String, String);
    const SELECT: &'static str =
        "SELECT customer_id, iso(until_on), reason FROM holds WHERE tenant_id = $1";
    const CUSTOMER: &'static str = "customer_id";
    const ORDER: &'static str = "until_on, id";

    fn from_row((customer, until, reason): (i64, String, String)) -> Result<Self, StoreError> {
        Ok(HoldRecord {
            customer: CustomerId(customer),
            until: parse_date(&until)?,
            reason,
        })
    }
}

type IncidentRow = (i64, i64, String, String, Option<String>);

impl Readable for IncidentRecord {
    type Row = IncidentRow;
    const SELECT: &'static str = "SELECT id, customer_id, note, iso(opened_on), iso(resolved_on) FROM incidents \
         WHERE tenant_id = $1";
    const CUSTOMER: &'static str = "customer_id";
    const ORDER: &'static str = "opened_on, id";

    fn from_row(row: IncidentRow) -> Result<Self, StoreError> {
        let (id, customer, note, opened, resolved) = row;
        Ok(IncidentRecord {
            id,
            customer: CustomerId(customer),
            note,
            opened_on: parse_date(&opened)?,
            resolved_on: resolved.as_deref().map(parse_date).transpose()?,
        })
    }
}

/// A customer's own contact policy, as the user wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PolicyRecord {
    pub(crate) customer: CustomerId,
    pub(crate) definition: String,
}

impl Readable for PolicyRecord {
    type Row = (i64, String);
    const SELECT: &'static str = "SELECT customer_id, definition FROM contact_policies WHERE tenant_id = $1 AND customer_id IS NOT NULL";
    const CUSTOMER: &'static str = "customer_id";
    const ORDER: &'static str = "customer_id";

    fn from_row((customer, definition): (i64, String)) -> Result<Self, StoreError> {
        Ok(PolicyRecord {
            customer: CustomerId(customer),
            definition,
        })
    }
}

impl TenantStore<'_> {
    pub(crate) fn sql(&self, text: &str) -> sqlx::AssertSqlSafe<String> {
        sqlx::AssertSqlSafe(dialect(self.store, text))
    }

    /// The records of type `T` meeting `condition` (in PostgreSQL's dialect), through the pool.
    pub(crate) async fn read_where<T: Readable>(
        &self,
        condition: &str,
    ) -> Result<Vec<T>, StoreError> {
        let sql = self.sql(&select_where::<T>(condition));
        let rows: Vec<T::Row> = with_pool!(self.store, |pool| {
            sqlx::query_as(sql)
                .bind(self.tenant.0)
                .fetch_all(pool)
                .await?
        });
        rows.into_iter().map(T::from_row).collect()
    }

    /// Records one action outside the daily run (the legal route proposed after an incident).
    pub async fn propose_action(&self, action: &NewAction) -> Result<(), StoreError> {
        let sql = dialect(self.store, INSERT_ACTION);
        with_pool!(self.store, |pool| {
            bind_action(sqlx::query(sqlx::AssertSqlSafe(sql)), self.tenant.0, action)
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(())
    }

    pub async fn actions(
        &self,
        filter: &ActionFilter<'_>,
    ) -> Result<Vec<ActionRecord>, StoreError> {
        let mut condition = "1 = 1".to_owned();
        if let Some(date) = filter.decided_on {
            write!(condition, " AND a.decided_on = '{date}'::date").expect("string");
        }
        if let Some(customer) = filter.customer {
            write!(condition, " AND a.customer_id = {}", customer.0).expect("string");
        }
        if let Some(status) = filter.status {
            let status = ACTION_STATUSES
                .iter()
                .find(|known| **known == status)
                .ok_or_else(|| StoreError::NotFound {
                    what: format!("action status {status:?}"),
                })?;
            write!(condition, " AND a.status = '{status}'").expect("string");
        }
        self.read_where::<ActionRecord>(&condition).await
    }

    pub async fn action(&self, id: i64) -> Result<ActionRecord, StoreError> {
        self.read_where::<ActionRecord>(&format!("a.id = {id}"))
            .await?
            .pop()
            .ok_or_else(|| StoreError::NotFound {
                what: format!("action {id}"),
            })
    }

    /// Moves an action from one status to another; false when it was not in `from`.
    pub async fn set_action_status(
        &self,
        id: i64,
        from: &[&str],
        to: &str,
        note: Option<&str>,
    ) -> Result<bool, StoreError> {
        let allowed = from
            .iter()
            .map(|status| format!("'{}'", status.replace('\'', "")))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = self.sql(&format!(
            "UPDATE actions SET status = $3, status_note = COALESCE($4, status_note) \
             WHERE tenant_id = $1 AND id = $2 AND status IN ({allowed})"
        ));
        let result = with_pool!(self.store, |pool| {
            sqlx::query(sql)
                .bind(self.tenant.0)
                .bind(id)
                .bind(to)
                .bind(note)
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(result == 1)
    }

    pub async fn set_handed_off(&self, customer: CustomerId) -> Result<(), StoreError> {
        let sql = self.sql(
            "INSERT INTO dunning_cases (tenant_id, customer_id, episode, handed_off) VALUES ($1, $2, 0, TRUE) \
             ON CONFLICT (tenant_id, customer_id) DO UPDATE SET handed_off = TRUE",
        );
        with_pool!(self.store, |pool| {
            sqlx::query(sql)
                .bind(self.tenant.0)
                .bind(customer.0)
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(())
    }

    pub async fn customer_id(&self, reference: &CustomerRef) -> Result<CustomerId, StoreError> {
        let sql = self.sql("SELECT id FROM customers WHERE tenant_id = $1 AND reference = $2");
        let id: Option<i64> = with_pool!(self.store, |pool| {
            sqlx::query_scalar(sql)
                .bind(self.tenant.0)
                .bind(reference.as_str())
                .fetch_optional(pool)
                .await?
        });
        id.map(CustomerId).ok_or_else(|| StoreError::NotFound {
            what: format!("customer {reference}"),
        })
    }

    /// The invoice with this number and its customer.
    pub async fn invoice_by_number(
        &self,
        number: &str,
    ) -> Result<(InvoiceId, CustomerId), StoreError> {
        let sql =
            self.sql("SELECT id, customer_id FROM invoices WHERE tenant_id = $1 AND number = $2");
        let row: Option<(i64, i64)> = with_pool!(self.store, |pool| {
            sqlx::query_as(sql)
                .bind(self.tenant.0)
                .bind(number)
                .fetch_optional(pool)
                .await?
        });
        row.map(|(invoice, customer)| (InvoiceId(invoice), CustomerId(customer)))
            .ok_or_else(|| StoreError::NotFound {
                what: format!("invoice {number}"),
            })
    }

    pub async fn assign_scenario(
        &self,
        customer: CustomerId,
        name: Option<&str>,
    ) -> Result<(), StoreError> {
        let sql = self.sql("UPDATE customers SET scenario = $3 WHERE tenant_id = $1 AND id = $2");
        with_pool!(self.store, |pool| {
            sqlx::query(sql)
                .bind(self.tenant.0)
                .bind(customer.0)
                .bind(name)
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(())
    }

    /// The scenarios the tenant saved, as (name, TOML text).
    pub async fn scenarios(&self) -> Result<Vec<(String, String)>, StoreError> {
        let sql =
            self.sql("SELECT name, definition FROM scenarios WHERE tenant_id = $1 ORDER BY name");
        Ok(with_pool!(self.store, |pool| {
            sqlx::query_as(sql)
                .bind(self.tenant.0)
                .fetch_all(pool)
                .await?
        }))
    }

    pub async fn save_scenario(
        &self,
        name: &str,
        definition: &str,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let sql = self.sql(
            "INSERT INTO scenarios (tenant_id, name, definition, updated_at) VALUES ($1, $2, $3, $4::timestamptz) \
             ON CONFLICT (tenant_id, name) DO UPDATE SET definition = excluded.definition, updated_at = excluded.updated_at",
        );
        with_pool!(self.store, |pool| {
            sqlx::query(sql)
                .bind(self.tenant.0)
                .bind(name)
                .bind(definition)
                .bind(timestamp_text(now))
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(())
    }

    /// The tenant's contact policy (customer `None`) or a customer's override, as TOML text.
    pub async fn contact_policy(
        &self,
        customer: Option<CustomerId>,
    ) -> Result<Option<String>, StoreError> {
        let sql = match customer {
            None => self.sql("SELECT definition FROM contact_policies WHERE tenant_id = $1 AND customer_id IS NULL"),
            Some(customer) => self.sql(&format!(
                "SELECT definition FROM contact_policies WHERE tenant_id = $1 AND customer_id = {}",
                customer.0
            )),
        };
        Ok(with_pool!(self.store, |pool| {
            sqlx::query_scalar(sql)
                .bind(self.tenant.0)
                .fetch_optional(pool)
                .await?
        }))
    }

    /// The references of the customers with a contact policy of their own, in order.
    pub async fn contact_policy_overrides(&self) -> Result<Vec<String>, StoreError> {
        let sql = self.sql(
            "SELECT c.reference FROM contact_policies p JOIN customers c ON c.id = p.customer_id \
             WHERE p.tenant_id = $1 AND c.tenant_id = $1 ORDER BY c.reference",
        );
        Ok(with_pool!(self.store, |pool| {
            sqlx::query_scalar(sql)
                .bind(self.tenant.0)
                .fetch_all(pool)
                .await?
        }))
    }

    pub async fn save_contact_policy(
        &self,
        customer: Option<CustomerId>,
        definition: &str,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let delete = match customer {
            None => self
                .sql("DELETE FROM contact_policies WHERE tenant_id = $1 AND customer_id IS NULL"),
            Some(customer) => self.sql(&format!(
                "DELETE FROM contact_policies WHERE tenant_id = $1 AND customer_id = {}",
                customer.0
            )),
        };
        let insert = self.sql(
            "INSERT INTO contact_policies (tenant_id, customer_id, definition, updated_at) VALUES ($1, $2, $3, $4::timestamptz)",
        );
        with_pool!(self.store, |pool| {
            let mut tx = pool.begin().await?;
            sqlx::query(delete)
                .bind(self.tenant.0)
                .execute(&mut *tx)
                .await?;
            sqlx::query(insert)
                .bind(self.tenant.0)
                .bind(customer.map(|id| id.0))
                .bind(definition)
                .bind(timestamp_text(now))
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
        });
        Ok(())
    }

    /// Records a promise to pay and wakes the customer's case.
    pub async fn add_promise(
        &self,
        customer: CustomerId,
        amount: Money,
        balance_when_made: Money,
        due_on: Date,
        note: &str,
        now: Timestamp,
    ) -> Result<i64, StoreError> {
        let sql = self.sql(
            "INSERT INTO promises (tenant_id, customer_id, currency, amount_minor, balance_when_made_minor, due_on, status, note, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6::date, 'pending', $7, $8::timestamptz) RETURNING id",
        );
        let wake = self.sql(crate::dunning_run::WAKE_CUSTOMER);
        // The promise and the wake of its case in one transaction: one durable commit, and no
        // promise the next run would not look at.
        Ok(with_pool!(self.store, |pool| {
            let mut transaction = pool.begin().await?;
            let id = sqlx::query_scalar(sql)
                .bind(self.tenant.0)
                .bind(customer.0)
                .bind(amount.currency().code())
                .bind(amount.minor())
                .bind(balance_when_made.minor())
                .bind(due_on.to_string())
                .bind(note)
                .bind(timestamp_text(now))
                .fetch_one(&mut *transaction)
                .await?;
            sqlx::query(wake)
                .bind(self.tenant.0)
                .bind(customer.0)
                .execute(&mut *transaction)
                .await?;
            transaction.commit().await?;
            id
        }))
    }

    pub async fn open_dispute(
        &self,
        invoice: InvoiceId,
        reason: &str,
        note: &str,
        today: Date,
        now: Timestamp,
    ) -> Result<i64, StoreError> {
        let sql = self.sql(
            "INSERT INTO disputes (tenant_id, invoice_id, reason, note, opened_on, created_at) VALUES ($1, $2, $3, $4, $5::date, $6::timestamptz) RETURNING id",
        );
        Ok(with_pool!(self.store, |pool| {
            sqlx::query_scalar(sql)
                .bind(self.tenant.0)
                .bind(invoice.0)
                .bind(reason)
                .bind(note)
                .bind(today.to_string())
                .bind(timestamp_text(now))
                .fetch_one(pool)
                .await?
        }))
    }

    /// Closes the invoice's open dispute; false when there was none.
    pub async fn close_dispute(
        &self,
        invoice: InvoiceId,
        outcome: &str,
        today: Date,
    ) -> Result<bool, StoreError> {
        let sql = self.sql(
            "UPDATE disputes SET closed_on = $3::date, outcome = $4 WHERE tenant_id = $1 AND invoice_id = $2 AND closed_on IS NULL",
        );
        let result = with_pool!(self.store, |pool| {
            sqlx::query(sql)
                .bind(self.tenant.0)
                .bind(invoice.0)
                .bind(today.to_string())
                .bind(outcome)
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(result == 1)
    }

    pub async fn add_hold(
        &self,
        customer: CustomerId,
        until: Date,
        reason: &str,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let sql = self.sql(
            "INSERT INTO holds (tenant_id, customer_id, until_on, reason, created_at) VALUES ($1, $2, $3::date, $4, $5::timestamptz)",
        );
        with_pool!(self.store, |pool| {
            sqlx::query(sql)
                .bind(self.tenant.0)
                .bind(customer.0)
                .bind(until.to_string())
                .bind(reason)
                .bind(timestamp_text(now))
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(())
    }

    pub async fn add_incident(
        &self,
        customer: CustomerId,
        note: &str,
        today: Date,
        now: Timestamp,
    ) -> Result<i64, StoreError> {
        let sql = self.sql(
            "INSERT INTO incidents (tenant_id, customer_id, note, opened_on, created_at) VALUES ($1, $2, $3, $4::date, $5::timestamptz) RETURNING id",
        );
        Ok(with_pool!(self.store, |pool| {
            sqlx::query_scalar(sql)
                .bind(self.tenant.0)
                .bind(customer.0)
                .bind(note)
                .bind(today.to_string())
                .bind(timestamp_text(now))
                .fetch_one(pool)
                .await?
        }))
    }

    pub async fn log_contact(
        &self,
        contact: &NewContact<'_>,
        now: Timestamp,
    ) -> Result<i64, StoreError> {
        let sql = self.sql(
            "INSERT INTO contacts (tenant_id, customer_id, channel, outcome, reason, note, occurred_on, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7::date, $8::timestamptz) RETURNING id",
        );
        Ok(with_pool!(self.store, |pool| {
            sqlx::query_scalar(sql)
                .bind(self.tenant.0)
                .bind(contact.customer.0)
                .bind(contact.channel)
                .bind(contact.outcome)
                .bind(contact.reason)
                .bind(contact.note)
                .bind(contact.on.to_string())
                .bind(timestamp_text(now))
                .fetch_one(pool)
                .await?
        }))
    }
}

/// A customer's whole dunning history.
#[derive(Debug, Clone)]
pub struct CustomerFile {
    pub debtor: DebtorRecord,
    pub actions: Vec<ActionRecord>,
    pub contacts: Vec<ContactLogRecord>,
    pub promises: Vec<PromiseRecord>,
    pub disputes: Vec<DisputeRecord>,
    pub holds: Vec<HoldRecord>,
    pub incidents: Vec<IncidentRecord>,
}

/// The columns of an action stored as text that its fields do not hold as such.
pub(crate) struct ActionTexts {
    invoice_ids: String,
    decided_on: String,
    explanation: String,
    reasons: Option<String>,
}

impl ActionTexts {
    pub(crate) fn of(action: &NewAction) -> ActionTexts {
        let (explanation, reasons) = explanation_columns(&action.explanation);
        ActionTexts {
            invoice_ids: id_list(action.invoice_ids.iter().map(|id| id.0)),
            decided_on: action.decided_on.to_string(),
            explanation,
            reasons,
        }
    }
}

/// An explanation as the columns `explanation` and `reasons` keep it: the engine's reasons in
/// their compact form (and no words), or the words alone.
fn explanation_columns(explanation: &Explanation) -> (String, Option<String>) {
    match explanation {
        Explanation::Reasons(reasons) => (String::new(), Some(encode_reasons(reasons))),
        Explanation::Text(text) => (text.clone(), None),
    }
}

/// `INSERT_ACTION` (or a statement with its parameters) run through a direct SQLite connection.
pub(crate) fn execute_action(
    statement: &mut rusqlite::Statement<'_>,
    tenant: i64,
    action: &NewAction,
) -> rusqlite::Result<usize> {
    execute_action_with(statement, tenant, action, &ActionTexts::of(action))
}

/// The same, with the action's texts already made.
pub(crate) fn execute_action_with(
    statement: &mut rusqlite::Statement<'_>,
    tenant: i64,
    action: &NewAction,
    texts: &ActionTexts,
) -> rusqlite::Result<usize> {
    statement.execute(rusqlite::params![
        tenant,
        action.customer.0,
        i64::from(action.episode),
        action.step_key,
        action.channel,
        action.companion,
        action.tone,
        action.template,
        texts.invoice_ids,
        texts.decided_on,
        action.scheduled_at,
        action.status,
        texts.explanation,
        texts.reasons,
    ])
}

pub(crate) fn bind_action<'q, DB: sqlx::Database>(
    query: sqlx::query::Query<'q, DB, <DB as sqlx::Database>::Arguments>,
    tenant: i64,
    action: &NewAction,
) -> sqlx::query::Query<'q, DB, <DB as sqlx::Database>::Arguments>
where
    i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    bool: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    String: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    Option<String>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    &'static str: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    let (explanation, reasons) = explanation_columns(&action.explanation);
    query
        .bind(tenant)
        .bind(action.customer.0)
        .bind(i64::from(action.episode))
        .bind(action.step_key.clone())
        .bind(action.channel.clone())
        .bind(action.companion)
        .bind(action.tone.clone())
        .bind(action.template.clone())
        .bind(id_list(action.invoice_ids.iter().map(|id| id.0)))
        .bind(action.decided_on.to_string())
        .bind(action.scheduled_at.clone())
        .bind(action.status)
        .bind(explanation)
        .bind(reasons)
}
