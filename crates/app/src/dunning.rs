//! Dunning use cases: the daily run, and everything a collector records around it (approvals,
//! promises, disputes, holds, incidents, contacts), with the scenarios and policies behind them.
//!
//! The daily run reads only the customers whose invoices' "next action" date has come, asks
//! `domain::engine` for each one's next step and writes the decisions in chunks, each in one
//! transaction. Actions are keyed by (customer, episode, step, channel) and every case carries
//! the date it next needs looking at, so running the same day twice writes nothing.

use std::borrow::Cow;
use std::collections::HashMap;

use domain::case::{DelayReason, DisputeOutcome, DisputeReason, Promise, PromiseStatus};
use domain::contact_policy::{ContactOutcome, ContactPolicy, ContactRecord};
use domain::customer::{Channel, CustomerKind, CustomerRef, Language};
use domain::engine::{CaseDecision, CaseInput, CaseItem, DebtorProfile, Outcome, Reason, decide};
use domain::explanation::Explanation;
use domain::ids::CustomerId;
use domain::money::Money;
use domain::scenario::{Scenario, StepChannel};
/// What the settings forms give and get back, for the pages that cannot see `formats`.
pub use formats::dunning_toml::{DAY_FIELDS, FormProblem, PolicyForm, StepForm};
use formats::dunning_toml::{
    TomlProblem, read_policy, read_policy_form, read_scenario, read_scenario_form, write_policy,
    write_scenario,
};
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Span, ZonedDateTime};
use store::{
    ActionFilter, ActionRecord, CaseBatch, CaseUpdate, CustomerFile, InvoiceFilter, InvoiceRecord,
    NewAction, RunWrites, SetAside, Store, StoreError, TenantRecord,
};

use crate::bilingual::Bilingual;
use crate::clock::Clock;

/// Customers decided and written per transaction.
const CHUNK: usize = 10_000;
/// Contact limits look back 30 days; one more covers a debtor whose date is behind ours.
const HISTORY_DAYS: i64 = 31;

#[derive(Debug, thiserror::Error)]
pub enum DunningError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Plans(Box<crate::plans::PlanError>),
    #[error("unknown customer {reference}")]
    UnknownCustomer { reference: String },
    #[error("unknown invoice {number}")]
    UnknownInvoice { number: String },
    #[error("unknown scenario {name:?} (known: {known})")]
    UnknownScenario { name: String, known: String },
    #[error("action {id} does not exist")]
    UnknownAction { id: i64 },
    #[error("action {id} is {status}: only {allowed} can be {verb}")]
    ActionNotMovable {
        id: i64,
        status: String,
        allowed: &'static str,
        verb: &'static str,
    },
    #[error("invoice {number} already has an open dispute")]
    AlreadyDisputed { number: String },
    #[error("invoice {number} has no open dispute")]
    NoOpenDispute { number: String },
    #[error("{what}: {problem}", problem = problem.describe(Language::English))]
    BadFile { what: String, problem: TomlProblem },
    #[error("the stored {what} cannot be read: {problem}", problem = problem.describe(Language::English))]
    BadStoredText { what: String, problem: TomlProblem },
    #[error("{}", .0.problem.describe(Language::English))]
    BadForm(FormProblem),
    #[error("{0}")]
    Invalid(Bilingual),
}

impl DunningError {
    /// The error in the user's language.
    pub fn describe(&self, language: Language) -> String {
        if language == Language::English {
            return self.to_string();
        }
        match self {
            DunningError::Store(error) => error.to_string(),
            DunningError::Plans(error) => error.describe(language),
            DunningError::UnknownCustomer { reference } => format!("client inconnu : {reference}"),
            DunningError::UnknownInvoice { number } => format!("facture inconnue : {number}"),
            DunningError::UnknownScenario { name, known } => {
                format!("scénario inconnu {name:?} (connus : {known})")
            }
            DunningError::UnknownAction { id } => format!("l'action {id} n'existe pas"),
            DunningError::ActionNotMovable { id, status, .. } => {
                format!("l'action {id} est à l'état {status} : elle n'attend plus de décision")
            }
            DunningError::AlreadyDisputed { number } => {
                format!("la facture {number} a déjà un litige ouvert")
            }
            DunningError::NoOpenDispute { number } => {
                format!("la facture {number} n'a pas de litige ouvert")
            }
            DunningError::BadFile { what, problem } => {
                format!("{what} : {}", problem.describe(language))
            }
            DunningError::BadStoredText { what, problem } => format!(
                "le texte enregistré de {what} est illisible : {}",
                problem.describe(language)
            ),
            DunningError::BadForm(form) => form.problem.describe(language),
            DunningError::Invalid(text) => text.get(language).to_owned(),
        }
    }
}

/// A promise of nothing.
pub(crate) fn positive_promise() -> Bilingual {
    Bilingual::new(
        "une promesse porte sur un montant positif",
        "a promise is for a positive amount",
    )
}

/// A promise for a day gone.
pub(crate) fn promise_past(due_on: Date) -> Bilingual {
    Bilingual::new(
        format!("la date promise {due_on} est déjà passée"),
        format!("the promised date {due_on} is already past"),
    )
}

/// What the run decided for one customer.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseOutcome {
    pub customer_ref: String,
    /// `act`, `wait`, `paused` or `idle`.
    pub outcome: &'static str,
    pub step: Option<String>,
    pub channels: Vec<String>,
    pub invoice_numbers: Vec<String>,
    pub scheduled_at: Option<ZonedDateTime>,
    pub requires_approval: bool,
    pub next_review_on: Option<Date>,
    pub explanation: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RunReport {
    pub date: Date,
    pub dry_run: bool,
    pub customers_examined: usize,
    /// Actions decided (one per channel of each step taken).
    pub actions_decided: usize,
    /// The outcomes `RunOptions::detail` asked for, in customer id order.
    pub outcomes: Vec<CaseOutcome>,
    pub writes: RunWrites,
}

impl RunReport {
    pub fn actions_decided(&self) -> usize {
        self.actions_decided
    }
}

/// Which customers' outcomes a run report lists. A cold run examines every customer: at a
/// million customers, keeping each one's explanation would cost a gigabyte for nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ReportDetail {
    /// The customers with an action decided.
    #[default]
    Acting,
    /// Every customer examined, with why nothing was done.
    Every,
    /// Counts only.
    CountsOnly,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunOptions {
    /// Default: today in the creditor's time zone.
    pub date: Option<Date>,
    pub dry_run: bool,
    /// The language the explanations are written in.
    pub language: Language,
    pub detail: ReportDetail,
}

/// The scenarios and policy a tenant works with: the saved ones, else the French defaults.
#[derive(Debug, Clone)]
pub struct DunningRules {
    pub scenarios: Vec<Scenario>,
    pub policy: ContactPolicy,
}

impl DunningRules {
    /// The customer's assigned scenario, or the default for its kind (also when the assigned one
    /// no longer exists).
    fn scenario_for(&self, name: Option<&str>, kind: CustomerKind) -> &Scenario {
        let find = |wanted: &str| self.scenarios.iter().find(|s| s.name() == wanted);
        name.and_then(find)
            .or_else(|| find(Scenario::default_name(kind)))
            .expect("the defaults are always present")
    }
}

pub async fn rules(store: &Store, tenant: &TenantRecord) -> Result<DunningRules, DunningError> {
    let handle = store.tenant(tenant.id);
    let mut scenarios = vec![Scenario::default_b2b(), Scenario::default_b2c()];
    for (name, text) in handle.scenarios().await? {
        let scenario = read_scenario(&text, tenant.profile.currency).map_err(|problem| {
            DunningError::BadStoredText {
                what: format!("scenario {name:?}"),
                problem,
            }
        })?;
        scenarios.retain(|known| known.name() != scenario.name());
        scenarios.push(scenario);
    }
    scenarios.sort_by(|a, b| a.name().cmp(b.name()));
    let policy = match handle.contact_policy(None).await? {
        Some(text) => read_policy(&text).map_err(|problem| DunningError::BadStoredText {
            what: "contact policy".to_owned(),
            problem,
        })?,
        None => ContactPolicy::french_default(),
    };
    Ok(DunningRules { scenarios, policy })
}

/// The daily run for one date.
pub async fn run_day(
    store: &Store,
    tenant: &TenantRecord,
    clock: Clock,
    options: RunOptions,
) -> Result<RunReport, DunningError> {
    let handle = store.tenant(tenant.id);
    let creditor_zone = tenant.profile.time_zone.as_str().to_owned();
    let today = options
        .date
        .unwrap_or_else(|| clock.today_in(&creditor_zone));
    let rules = rules(store, tenant).await?;
    let creditor_tz = TimeZone::get(&creditor_zone).unwrap_or(TimeZone::UTC);
    let since = today - Span::new().days(HISTORY_DAYS);

    // Plans that were honoured or fell into default end first, waking their customers, so this
    // run already resumes dunning on a lapsed plan's invoices.
    if !options.dry_run {
        crate::plans::review(store, tenant, clock, today)
            .await
            .map_err(|error| DunningError::Plans(Box::new(error)))?;
    }
    let due = handle.customers_due(today).await?;
    let set_aside = handle.set_aside_invoices().await?;
    let mut report = RunReport {
        date: today,
        dry_run: options.dry_run,
        customers_examined: due.len(),
        actions_decided: 0,
        outcomes: Vec::new(),
        writes: RunWrites::default(),
    };
    // Three stages run together, each on batches of its own, handed on through queues one batch
    // deep: the reading runs ahead, the writing (on SQLite each on a thread of its own) works
    // through what was decided, and the deciding runs here. Batches hold disjoint customers, so
    // the order of their reads and writes does not matter. In lockstep (each round waiting for
    // the slowest of the three) the two cores were a quarter idle: a commit's wait for the disk
    // held up the next read and decision as well.
    let (loaded_tx, loaded_rx) = tokio::sync::mpsc::channel::<CaseBatch>(1);
    let (decided_tx, decided_rx) = tokio::sync::mpsc::channel::<Vec<CaseUpdate>>(1);
    // Each stage owns its ends of the queues: one that stops on an error drops them, and the
    // others see the queue closed and stop too.
    let reading = async {
        let loaded_tx = loaded_tx;
        for chunk in due.chunks(CHUNK) {
            let batch = handle.load_cases(chunk, since).await?;
            // Closed: the deciding stopped on an error, reported from there.
            if loaded_tx.send(batch).await.is_err() {
                break;
            }
        }
        Ok::<(), StoreError>(())
    };
    let writing = async {
        let mut decided_rx = decided_rx;
        let mut writes = RunWrites::default();
        while let Some(updates) = decided_rx.recv().await {
            if !options.dry_run {
                writes.add(handle.record_cases(updates, clock.now()).await?);
            }
        }
        Ok::<RunWrites, StoreError>(writes)
    };
    let deciding = async {
        let (mut loaded_rx, decided_tx) = (loaded_rx, decided_tx);
        while let Some(batch) = loaded_rx.recv().await {
            let updates = decide_batch(
                &batch,
                &rules,
                &set_aside,
                &creditor_tz,
                today,
                &options,
                &mut report,
            )?;
            drop(batch);
            // Closed: the writing stopped on an error, reported from there.
            if decided_tx.send(updates).await.is_err() {
                break;
            }
        }
        Ok::<(), DunningError>(())
    };
    let (read, written, decided) = tokio::join!(reading, writing, deciding);
    decided?;
    report.writes = written?;
    read?;
    if !options.dry_run {
        handle.end_run().await?;
    }
    Ok(report)
}

/// Decides every customer of a batch; counts and keeps outcomes in the report as asked.
fn decide_batch(
    batch: &CaseBatch,
    rules: &DunningRules,
    set_aside: &SetAside,
    creditor_tz: &TimeZone,
    today: Date,
    options: &RunOptions,
    report: &mut RunReport,
) -> Result<Vec<CaseUpdate>, DunningError> {
    let grouped = Grouped::new(batch, set_aside)?;
    let mut updates = Vec::with_capacity(batch.debtors.len());
    for debtor in &batch.debtors {
        let (update, outcome) = decide_one(
            &grouped,
            debtor,
            rules,
            creditor_tz,
            today,
            options.language,
            options.detail,
        )?;
        report.actions_decided += update.actions.len();
        updates.push(update);
        report.outcomes.extend(outcome);
    }
    Ok(updates)
}

/// One batch's rows, grouped by customer.
struct Grouped<'b> {
    invoices: HashMap<CustomerId, &'b [store::OpenInvoice]>,
    actions: HashMap<CustomerId, &'b [store::PastAction]>,
    contacts: HashMap<CustomerId, &'b [store::ContactLogRecord]>,
    promises: HashMap<CustomerId, &'b [store::PromiseRecord]>,
    holds: HashMap<CustomerId, Date>,
    incidents: HashMap<CustomerId, usize>,
    batch: &'b CaseBatch,
    set_aside: &'b SetAside,
}

impl<'b> Grouped<'b> {
    fn new(batch: &'b CaseBatch, set_aside: &'b SetAside) -> Result<Grouped<'b>, StoreError> {
        let mut holds = HashMap::new();
        for hold in &batch.holds {
            let until = holds.entry(hold.customer).or_insert(hold.until);
            *until = (*until).max(hold.until);
        }
        let mut incidents = HashMap::new();
        for incident in &batch.incidents {
            *incidents.entry(incident.customer).or_default() += 1;
        }
        Ok(Grouped {
            invoices: runs_by_customer(&batch.invoices, |row| row.customer, "open invoices")?,
            actions: runs_by_customer(&batch.actions, |row| row.customer, "actions")?,
            contacts: runs_by_customer(&batch.contacts, |row| row.customer, "contacts")?,
            promises: runs_by_customer(&batch.promises, |row| row.customer, "promises")?,
            holds,
            incidents,
            batch,
            set_aside,
        })
    }
}

/// Each customer's rows as one slice of `rows`, which the store reads customer by customer:
/// a batch of ten thousand customers then costs no list per customer.
fn runs_by_customer<'b, T>(
    rows: &'b [T],
    customer: impl Fn(&T) -> CustomerId,
    what: &str,
) -> Result<HashMap<CustomerId, &'b [T]>, StoreError> {
    let mut runs = HashMap::new();
    for run in rows.chunk_by(|a, b| customer(a) == customer(b)) {
        if runs.insert(customer(&run[0]), run).is_some() {
            return Err(StoreError::Corrupt {
                what: format!("the daily run's {what} are not read customer by customer"),
            });
        }
    }
    Ok(runs)
}

fn decide_one(
    grouped: &Grouped<'_>,
    debtor: &store::DebtorRecord,
    rules: &DunningRules,
    creditor_tz: &TimeZone,
    today: Date,
    language: Language,
    detail: ReportDetail,
) -> Result<(CaseUpdate, Option<CaseOutcome>), DunningError> {
    let customer = debtor.id;
    let invoices = grouped.invoices.get(&customer).copied().unwrap_or_default();
    let items: Vec<CaseItem> = invoices
        .iter()
        .map(|invoice| CaseItem {
            invoice: invoice.id,
            due_on: invoice.due_on,
            outstanding: invoice.outstanding,
            disputed: grouped.set_aside.disputed.contains(&invoice.id),
            in_plan: grouped.set_aside.in_plan.contains(&invoice.id),
        })
        .collect();
    let time_zone = debtor
        .time_zone
        .as_deref()
        .and_then(|name| TimeZone::get(name).ok())
        .unwrap_or_else(|| creditor_tz.clone());
    let profile = DebtorProfile {
        kind: debtor.kind,
        risk: debtor.risk,
        consent: debtor.consent,
        preferred: debtor.preferred,
        time_zone,
        has_email: debtor.email.is_some(),
        has_phone: debtor.phone.is_some(),
        has_postal_address: debtor.has_postal_address,
    };

    let actions = grouped.actions.get(&customer).copied().unwrap_or_default();
    let mut contacts: Vec<ContactRecord> = actions
        .iter()
        .filter(|action| {
            !action.companion
                && matches!(
                    action.status.as_str(),
                    "scheduled" | "sent" | "awaiting_approval"
                )
        })
        .filter_map(|action| {
            let channel = StepChannel::parse(&action.channel)
                .ok()?
                .contact_channel()?;
            Some(ContactRecord {
                on: action.scheduled_on,
                channel,
                outcome: ContactOutcome::Sent,
            })
        })
        .collect();
    for logged in grouped.contacts.get(&customer).copied().unwrap_or_default() {
        if let (Some(channel), Some(outcome)) = (
            Channel::parse(&logged.channel),
            ContactOutcome::parse(&logged.outcome),
        ) {
            contacts.push(ContactRecord {
                on: logged.occurred_on,
                channel,
                outcome,
            });
        }
    }
    let awaiting = actions
        .iter()
        .find(|action| action.status == "awaiting_approval")
        .map(|action| action.step_key.as_str());

    let mut promise_updates = Vec::new();
    let mut promise = None;
    let mut broken_promise = None;
    for record in grouped.promises.get(&customer).copied().unwrap_or_default() {
        let currency = record.amount.currency();
        let balance: i64 = invoices
            .iter()
            .filter(|invoice| invoice.outstanding.currency() == currency)
            .map(|invoice| invoice.outstanding.minor())
            .sum();
        let value = Promise {
            amount: record.amount,
            due_on: record.due_on,
            balance_when_made: record.balance_when_made,
        };
        match value.status(
            Money::from_minor(balance, currency),
            today,
            rules.policy.promise_grace_days,
        ) {
            PromiseStatus::Pending => promise = Some(value),
            PromiseStatus::Kept => promise_updates.push((record.id, PromiseStatus::Kept.code())),
            PromiseStatus::Broken => {
                promise_updates.push((record.id, PromiseStatus::Broken.code()));
                broken_promise = Some(value);
            }
        }
    }

    let policy = match grouped.batch.policies.get(&customer) {
        Some(text) => {
            Cow::Owned(
                read_policy(text).map_err(|problem| DunningError::BadStoredText {
                    what: format!("contact policy of customer {}", debtor.reference),
                    problem,
                })?,
            )
        }
        None => Cow::Borrowed(&rules.policy),
    };
    let scenario = rules.scenario_for(debtor.scenario.as_deref(), debtor.kind);
    let previous = grouped.batch.cases.get(&customer).cloned();
    let progress = previous
        .as_ref()
        .map(|case| case.progress.clone())
        .unwrap_or_default();
    let decision = decide(&CaseInput {
        today,
        debtor: &profile,
        items: &items,
        scenario,
        policy: &policy,
        progress: &progress,
        contacts: &contacts,
        promise,
        broken_promise,
        hold_until: grouped.holds.get(&customer).copied(),
        incident: grouped.incidents.contains_key(&customer),
        awaiting_approval: awaiting,
    });
    let mut new_actions = Vec::new();
    if let Outcome::Act(step) = &decision.outcome {
        for contact in &step.contacts {
            new_actions.push(NewAction {
                customer,
                episode: decision.progress.episode,
                step_key: step.step_key.clone(),
                channel: contact.channel.code().to_owned(),
                companion: contact.companion,
                tone: step.tone.code().to_owned(),
                template: step.template.clone(),
                invoice_ids: step.invoices.clone(),
                decided_on: today,
                scheduled_at: step.scheduled_at.to_string(),
                status: if step.requires_approval {
                    "awaiting_approval"
                } else {
                    "scheduled"
                },
                explanation: Explanation::Reasons(decision.reasons.clone()),
            });
        }
    }
    let listed = match detail {
        ReportDetail::Acting => !new_actions.is_empty(),
        ReportDetail::Every => true,
        ReportDetail::CountsOnly => false,
    };
    // Put into words only for the report: most cases of a cold run have nothing to do, and a
    // summary lists none.
    let outcome = listed.then(|| outcome_of(&decision, debtor, invoices, language));
    let update = CaseUpdate {
        customer,
        progress: decision.progress,
        previous,
        actions: new_actions,
        next_review_on: decision.next_review_on,
        promise_updates,
    };
    Ok((update, outcome))
}

/// A decision as the run's report lists it.
fn outcome_of(
    decision: &CaseDecision,
    debtor: &store::DebtorRecord,
    invoices: &[store::OpenInvoice],
    language: Language,
) -> CaseOutcome {
    let mut outcome = CaseOutcome {
        customer_ref: debtor.reference.as_str().to_owned(),
        outcome: match decision.outcome {
            Outcome::Act(_) => "act",
            Outcome::Wait => "wait",
            Outcome::Paused => "paused",
            Outcome::Idle => "idle",
        },
        step: None,
        channels: Vec::new(),
        invoice_numbers: Vec::new(),
        scheduled_at: None,
        requires_approval: false,
        next_review_on: decision.next_review_on,
        explanation: decision.explain(language),
    };
    if let Outcome::Act(step) = &decision.outcome {
        let number_of = |id| {
            invoices
                .iter()
                .find(|invoice: &&store::OpenInvoice| invoice.id == id)
                .map(|invoice| invoice.number.clone())
                .unwrap_or_default()
        };
        outcome.step = Some(step.step_key.clone());
        outcome.channels = step
            .contacts
            .iter()
            .map(|c| c.channel.code().to_owned())
            .collect();
        outcome.invoice_numbers = step.invoices.iter().map(|id| number_of(*id)).collect();
        outcome.scheduled_at = Some(step.scheduled_at.clone());
        outcome.requires_approval = step.requires_approval;
    }
    outcome
}

/// Runs every day from `from` to `to`, as the scheduler would.
pub async fn simulate(
    store: &Store,
    tenant: &TenantRecord,
    clock: Clock,
    from: Date,
    to: Date,
    language: Language,
) -> Result<Vec<RunReport>, DunningError> {
    if to < from {
        return Err(DunningError::Invalid(Bilingual::new(
            format!("la simulation finit ({to}) avant de commencer ({from})"),
            format!("the simulation ends ({to}) before it starts ({from})"),
        )));
    }
    let mut reports = Vec::new();
    let mut day = from;
    while day <= to {
        let options = RunOptions {
            date: Some(day),
            dry_run: false,
            language,
            detail: ReportDetail::Acting,
        };
        reports.push(run_day(store, tenant, clock, options).await?);
        day = day.tomorrow().map_err(|_| {
            DunningError::Invalid(Bilingual::new("date hors limites", "date out of range"))
        })?;
    }
    Ok(reports)
}

async fn customer_id(
    store: &Store,
    tenant: &TenantRecord,
    reference: &str,
) -> Result<CustomerId, DunningError> {
    let unknown = || DunningError::UnknownCustomer {
        reference: reference.to_owned(),
    };
    let reference = CustomerRef::parse(reference).map_err(|_| unknown())?;
    match store.tenant(tenant.id).customer_id(&reference).await {
        Ok(id) => Ok(id),
        Err(StoreError::NotFound { .. }) => Err(unknown()),
        Err(error) => Err(error.into()),
    }
}

async fn invoice_of(
    store: &Store,
    tenant: &TenantRecord,
    number: &str,
) -> Result<(domain::ids::InvoiceId, CustomerId), DunningError> {
    match store
        .tenant(tenant.id)
        .invoice_by_number(number.trim())
        .await
    {
        Ok(found) => Ok(found),
        Err(StoreError::NotFound { .. }) => Err(DunningError::UnknownInvoice {
            number: number.to_owned(),
        }),
        Err(error) => Err(error.into()),
    }
}

fn known_status(status: Option<&str>) -> Result<(), DunningError> {
    match status {
        Some(status) if !store::ACTION_STATUSES.contains(&status) => {
            Err(DunningError::Invalid(Bilingual::new(
                format!(
                    "statut inconnu {status:?} (connus : {})",
                    store::ACTION_STATUSES.join(", ")
                ),
                format!(
                    "unknown status {status:?} (known: {})",
                    store::ACTION_STATUSES.join(", ")
                ),
            )))
        }
        _ => Ok(()),
    }
}

/// The actions decided on `date` (with `status`, when given), `limit` of them from `offset`
/// in the order they were decided, and how many there are in all: what the API pages through
/// (a cold run's day holds hundreds of thousands). `limit` is capped at `MAX_ACTIONS_PAGE`.
pub async fn page_of_actions(
    store: &Store,
    tenant: &TenantRecord,
    date: Date,
    status: Option<&str>,
    offset: u32,
    limit: u32,
) -> Result<(i64, Vec<ActionRecord>), DunningError> {
    known_status(status)?;
    Ok(store
        .tenant(tenant.id)
        .actions_sample(Some(date), status, offset, limit.clamp(1, MAX_ACTIONS_PAGE))
        .await?)
}

/// The largest page of actions served at once.
pub const MAX_ACTIONS_PAGE: u32 = 1_000;

pub async fn list_actions(
    store: &Store,
    tenant: &TenantRecord,
    date: Option<Date>,
    customer: Option<&str>,
    status: Option<&str>,
) -> Result<Vec<ActionRecord>, DunningError> {
    known_status(status)?;
    let customer = match customer {
        Some(reference) => Some(customer_id(store, tenant, reference).await?),
        None => None,
    };
    Ok(store
        .tenant(tenant.id)
        .actions(&ActionFilter {
            decided_on: date,
            customer,
            status,
        })
        .await?)
}

/// A manager approves a step that needed it: it is scheduled, and a hand-off takes effect.
pub async fn approve_action(
    store: &Store,
    tenant: &TenantRecord,
    id: i64,
) -> Result<ActionRecord, DunningError> {
    move_action(store, tenant, id, &["awaiting_approval"], "scheduled", None).await
}

/// Skips an action with the reason given; the case moves on from it.
pub async fn skip_action(
    store: &Store,
    tenant: &TenantRecord,
    id: i64,
    reason: &str,
) -> Result<ActionRecord, DunningError> {
    move_action(
        store,
        tenant,
        id,
        &["awaiting_approval", "scheduled"],
        "skipped",
        Some(reason),
    )
    .await
}

async fn move_action(
    store: &Store,
    tenant: &TenantRecord,
    id: i64,
    from: &[&'static str],
    to: &'static str,
    note: Option<&str>,
) -> Result<ActionRecord, DunningError> {
    let handle = store.tenant(tenant.id);
    let action = match handle.action(id).await {
        Ok(action) => action,
        Err(StoreError::NotFound { .. }) => return Err(DunningError::UnknownAction { id }),
        Err(error) => return Err(error.into()),
    };
    // The companions of a step (an e-mail copy of a registered letter) follow its main action.
    let siblings: Vec<ActionRecord> = handle
        .actions(&ActionFilter {
            decided_on: Some(action.decided_on),
            customer: Some(action.customer),
            status: None,
        })
        .await?
        .into_iter()
        .filter(|other| other.step_key == action.step_key && other.episode == action.episode)
        .collect();
    if !handle.set_action_status(id, from, to, note).await? {
        return Err(DunningError::ActionNotMovable {
            id,
            status: action.status,
            allowed: if from.len() == 1 {
                "actions awaiting approval"
            } else {
                "actions awaiting approval or scheduled"
            },
            verb: if to == "skipped" {
                "skipped"
            } else {
                "approved"
            },
        });
    }
    for sibling in siblings.iter().filter(|other| other.id != id) {
        handle.set_action_status(sibling.id, from, to, note).await?;
    }
    if to == "scheduled"
        && StepChannel::parse(&action.channel).is_ok_and(|channel| channel.is_handoff())
    {
        handle.set_handed_off(action.customer).await?;
    }
    handle.wake_customer(action.customer).await?;
    Ok(handle.action(id).await?)
}

pub async fn add_promise(
    store: &Store,
    tenant: &TenantRecord,
    clock: Clock,
    customer: &str,
    amount: &str,
    due_on: Date,
    note: &str,
) -> Result<i64, DunningError> {
    let id = customer_id(store, tenant, customer).await?;
    let currency = tenant.profile.currency;
    let amount = Money::parse_decimal(amount.trim(), currency).map_err(|error| {
        DunningError::Invalid(Bilingual::new(
            format!("montant {amount:?} : {error}"),
            format!("amount {amount:?}: {error}"),
        ))
    })?;
    if !amount.is_positive() {
        return Err(DunningError::Invalid(positive_promise()));
    }
    let today = clock.today_in(tenant.profile.time_zone.as_str());
    if due_on < today {
        return Err(DunningError::Invalid(promise_past(due_on)));
    }
    let handle = store.tenant(tenant.id);
    let balance: i64 = handle
        .invoices(&InvoiceFilter {
            customer: Some(CustomerRef::parse(customer).map_err(|_| {
                DunningError::UnknownCustomer {
                    reference: customer.to_owned(),
                }
            })?),
            overdue_on: None,
        })
        .await?
        .iter()
        .filter(|invoice| invoice.outstanding.currency() == currency)
        .map(|invoice| invoice.outstanding.minor())
        .sum();
    let promise = handle
        .add_promise(
            id,
            amount,
            Money::from_minor(balance, currency),
            due_on,
            note,
            clock.now(),
        )
        .await?;
    Ok(promise)
}

pub async fn open_dispute(
    store: &Store,
    tenant: &TenantRecord,
    clock: Clock,
    number: &str,
    reason: &str,
    note: &str,
) -> Result<i64, DunningError> {
    let reason = DisputeReason::parse(reason).ok_or_else(|| {
        let known: Vec<&str> = DisputeReason::ALL.iter().map(|r| r.code()).collect();
        DunningError::Invalid(Bilingual::new(
            format!(
                "motif de litige inconnu {reason:?} (connus : {})",
                known.join(", ")
            ),
            format!(
                "unknown dispute reason {reason:?} (known: {})",
                known.join(", ")
            ),
        ))
    })?;
    let (invoice, customer) = invoice_of(store, tenant, number).await?;
    let handle = store.tenant(tenant.id);
    let today = clock.today_in(tenant.profile.time_zone.as_str());
    let id = match handle
        .open_dispute(invoice, reason.code(), note, today, clock.now())
        .await
    {
        Ok(id) => id,
        Err(StoreError::AlreadyExists { .. }) => {
            return Err(DunningError::AlreadyDisputed {
                number: number.to_owned(),
            });
        }
        Err(error) => return Err(error.into()),
    };
    handle.wake_customer(customer).await?;
    Ok(id)
}

pub async fn close_dispute(
    store: &Store,
    tenant: &TenantRecord,
    clock: Clock,
    number: &str,
    outcome: &str,
) -> Result<DisputeOutcome, DunningError> {
    let outcome = DisputeOutcome::parse(outcome).ok_or_else(|| {
        DunningError::Invalid(Bilingual::new(
            format!("issue inconnue {outcome:?} (upheld, rejected, credit-note)"),
            format!("unknown outcome {outcome:?} (upheld, rejected, credit-note)"),
        ))
    })?;
    let (invoice, customer) = invoice_of(store, tenant, number).await?;
    let handle = store.tenant(tenant.id);
    let today = clock.today_in(tenant.profile.time_zone.as_str());
    if !handle.close_dispute(invoice, outcome.code(), today).await? {
        return Err(DunningError::NoOpenDispute {
            number: number.to_owned(),
        });
    }
    handle.wake_customer(customer).await?;
    Ok(outcome)
}

pub async fn hold(
    store: &Store,
    tenant: &TenantRecord,
    clock: Clock,
    customer: &str,
    until: Date,
    reason: &str,
) -> Result<(), DunningError> {
    if reason.trim().is_empty() {
        return Err(DunningError::Invalid(Bilingual::new(
            "une suspension demande un motif",
            "a hold needs a reason",
        )));
    }
    let id = customer_id(store, tenant, customer).await?;
    let handle = store.tenant(tenant.id);
    handle
        .add_hold(id, until, reason.trim(), clock.now())
        .await?;
    handle.wake_customer(id).await?;
    Ok(())
}

/// An aggressive debtor: every contact stops and the legal route is proposed for approval.
pub async fn report_incident(
    store: &Store,
    tenant: &TenantRecord,
    clock: Clock,
    customer: &str,
    note: &str,
    language: Language,
) -> Result<i64, DunningError> {
    if note.trim().is_empty() {
        return Err(DunningError::Invalid(Bilingual::new(
            "décrivez l'incident dans une note",
            "describe the incident in a note",
        )));
    }
    let id = customer_id(store, tenant, customer).await?;
    let handle = store.tenant(tenant.id);
    let today = clock.today_in(tenant.profile.time_zone.as_str());
    let incident = handle
        .add_incident(id, note.trim(), today, clock.now())
        .await?;
    let invoices: Vec<InvoiceRecord> = handle
        .invoices(&InvoiceFilter {
            customer: CustomerRef::parse(customer).ok(),
            overdue_on: Some(today),
        })
        .await?;
    let creditor_tz = TimeZone::get(tenant.profile.time_zone.as_str()).unwrap_or(TimeZone::UTC);
    let scheduled_at = today.to_zoned_datetime(creditor_tz).map_err(|error| {
        DunningError::Invalid(Bilingual::new(error.to_string(), error.to_string()))
    })?;
    handle
        .propose_action(&NewAction {
            customer: id,
            episode: 0,
            step_key: format!("incident-{incident}"),
            channel: StepChannel::Legal.code().to_owned(),
            companion: false,
            tone: "formal".to_owned(),
            template: "legal_route".to_owned(),
            invoice_ids: invoices.iter().map(|invoice| invoice.id).collect(),
            decided_on: today,
            scheduled_at: scheduled_at.to_string(),
            status: "awaiting_approval",
            explanation: Explanation::Text(format!(
                "{} ({})",
                Reason::Incident.describe(language),
                note.trim()
            )),
        })
        .await?;
    handle.wake_customer(id).await?;
    Ok(incident)
}

pub struct ContactEntry<'a> {
    pub customer: &'a str,
    pub channel: &'a str,
    pub outcome: &'a str,
    pub reason: Option<&'a str>,
    pub note: &'a str,
    pub on: Option<Date>,
}

/// A contact made by a person; the reason for the delay is asked whenever the debtor was reached.
pub async fn log_contact(
    store: &Store,
    tenant: &TenantRecord,
    clock: Clock,
    entry: &ContactEntry<'_>,
) -> Result<i64, DunningError> {
    let channel = Channel::parse(entry.channel).ok_or_else(|| {
        DunningError::Invalid(Bilingual::new(
            format!(
                "canal inconnu {:?} (email, sms, phone, letter)",
                entry.channel
            ),
            format!(
                "unknown channel {:?} (email, sms, phone, letter)",
                entry.channel
            ),
        ))
    })?;
    let outcome = ContactOutcome::parse(entry.outcome)
        .filter(|outcome| *outcome != ContactOutcome::Sent)
        .ok_or_else(|| {
            DunningError::Invalid(Bilingual::new(
                format!(
                    "issue inconnue {:?} (reached, no-answer, wrong-number, bounced)",
                    entry.outcome
                ),
                format!(
                    "unknown outcome {:?} (reached, no-answer, wrong-number, bounced)",
                    entry.outcome
                ),
            ))
        })?;
    let reason = match entry.reason {
        Some(text) => Some(DelayReason::parse(text).ok_or_else(|| {
            let known: Vec<&str> = DelayReason::ALL.iter().map(|r| r.code()).collect();
            DunningError::Invalid(Bilingual::new(
                format!("motif inconnu {text:?} (connus : {})", known.join(", ")),
                format!("unknown reason {text:?} (known: {})", known.join(", ")),
            ))
        })?),
        None if outcome == ContactOutcome::Reached => {
            return Err(DunningError::Invalid(Bilingual::new(
                "le débiteur a été joint : dites pourquoi il est en retard avec --reason",
                "the debtor was reached: say why they are late with --reason",
            )));
        }
        None => None,
    };
    let id = customer_id(store, tenant, entry.customer).await?;
    let today = clock.today_in(tenant.profile.time_zone.as_str());
    let handle = store.tenant(tenant.id);
    let contact = handle
        .log_contact(
            &store::NewContact {
                customer: id,
                channel: channel.code(),
                outcome: outcome.code(),
                reason: reason.map(|reason| reason.code()),
                note: entry.note,
                on: entry.on.unwrap_or(today),
            },
            clock.now(),
        )
        .await?;
    handle.wake_customer(id).await?;
    Ok(contact)
}

/// Assigns a scenario to a customer (`None`: back to the default for its kind).
pub async fn assign_scenario(
    store: &Store,
    tenant: &TenantRecord,
    customer: &str,
    name: Option<&str>,
) -> Result<(), DunningError> {
    let id = customer_id(store, tenant, customer).await?;
    if let Some(name) = name {
        let rules = rules(store, tenant).await?;
        if !rules
            .scenarios
            .iter()
            .any(|scenario| scenario.name() == name)
        {
            let known: Vec<&str> = rules.scenarios.iter().map(|s| s.name()).collect();
            return Err(DunningError::UnknownScenario {
                name: name.to_owned(),
                known: known.join(", "),
            });
        }
    }
    let handle = store.tenant(tenant.id);
    handle.assign_scenario(id, name).await?;
    handle.wake_customer(id).await?;
    Ok(())
}

/// Validates and saves a scenario file; returns its name.
pub async fn import_scenario(
    store: &Store,
    tenant: &TenantRecord,
    clock: Clock,
    file_name: &str,
    text: &str,
) -> Result<String, DunningError> {
    let scenario =
        read_scenario(text, tenant.profile.currency).map_err(|problem| DunningError::BadFile {
            what: file_name.to_owned(),
            problem,
        })?;
    save_scenario(store, tenant, clock, &scenario).await
}

/// Validates and saves a scenario edited in a form (the checks of `import_scenario`); returns
/// its name. A refused form saves nothing.
pub async fn save_scenario_form(
    store: &Store,
    tenant: &TenantRecord,
    clock: Clock,
    name: &str,
    steps: &[StepForm],
) -> Result<String, DunningError> {
    let scenario =
        read_scenario_form(name, steps, tenant.profile.currency).map_err(DunningError::BadForm)?;
    save_scenario(store, tenant, clock, &scenario).await
}

async fn save_scenario(
    store: &Store,
    tenant: &TenantRecord,
    clock: Clock,
    scenario: &Scenario,
) -> Result<String, DunningError> {
    store
        .tenant(tenant.id)
        .save_scenario(scenario.name(), &write_scenario(scenario), clock.now())
        .await?;
    Ok(scenario.name().to_owned())
}

pub fn scenario_text(scenario: &Scenario) -> String {
    write_scenario(scenario)
}

/// Validates and saves a contact policy, the tenant's or a customer's override.
pub async fn import_policy(
    store: &Store,
    tenant: &TenantRecord,
    clock: Clock,
    customer: Option<&str>,
    file_name: &str,
    text: &str,
) -> Result<(), DunningError> {
    let policy = read_policy(text).map_err(|problem| DunningError::BadFile {
        what: file_name.to_owned(),
        problem,
    })?;
    save_policy(store, tenant, clock, customer, &policy).await
}

/// Validates and saves a contact policy edited in a form (the checks of `import_policy`), the
/// tenant's or a customer's override. A refused form saves nothing.
pub async fn save_policy_form(
    store: &Store,
    tenant: &TenantRecord,
    clock: Clock,
    customer: Option<&str>,
    form: &PolicyForm,
) -> Result<(), DunningError> {
    let policy = read_policy_form(form).map_err(DunningError::BadForm)?;
    save_policy(store, tenant, clock, customer, &policy).await
}

async fn save_policy(
    store: &Store,
    tenant: &TenantRecord,
    clock: Clock,
    customer: Option<&str>,
    policy: &ContactPolicy,
) -> Result<(), DunningError> {
    let customer = match customer {
        Some(reference) => Some(customer_id(store, tenant, reference).await?),
        None => None,
    };
    store
        .tenant(tenant.id)
        .save_contact_policy(customer, &write_policy(policy), clock.now())
        .await?;
    Ok(())
}

/// The policy in force for the tenant, or for a customer (its override when it has one), and
/// whether it is the customer's own.
pub async fn policy_in_force(
    store: &Store,
    tenant: &TenantRecord,
    customer: Option<&str>,
) -> Result<(ContactPolicy, bool), DunningError> {
    if let Some(reference) = customer {
        let id = customer_id(store, tenant, reference).await?;
        if let Some(text) = store.tenant(tenant.id).contact_policy(Some(id)).await? {
            let policy = read_policy(&text).map_err(|problem| DunningError::BadStoredText {
                what: format!("contact policy of {reference}"),
                problem,
            })?;
            return Ok((policy, true));
        }
    }
    Ok((rules(store, tenant).await?.policy, false))
}

/// The customers with a contact policy of their own.
pub async fn policy_overrides(
    store: &Store,
    tenant: &TenantRecord,
) -> Result<Vec<String>, DunningError> {
    Ok(store.tenant(tenant.id).contact_policy_overrides().await?)
}

/// The policy in force (a customer's override when it has one) as TOML text.
pub async fn policy_text(
    store: &Store,
    tenant: &TenantRecord,
    customer: Option<&str>,
) -> Result<String, DunningError> {
    if let Some(reference) = customer {
        let id = customer_id(store, tenant, reference).await?;
        if let Some(text) = store.tenant(tenant.id).contact_policy(Some(id)).await? {
            return Ok(text);
        }
    }
    Ok(write_policy(&rules(store, tenant).await?.policy))
}

/// The customer's whole file: invoices and every dunning fact.
pub async fn customer_file(
    store: &Store,
    tenant: &TenantRecord,
    reference: &str,
) -> Result<(CustomerFile, Vec<InvoiceRecord>), DunningError> {
    let unknown = || DunningError::UnknownCustomer {
        reference: reference.to_owned(),
    };
    let parsed = CustomerRef::parse(reference).map_err(|_| unknown())?;
    match store
        .tenant(tenant.id)
        .customer_file_by_reference(&parsed)
        .await
    {
        Err(StoreError::NotFound { .. }) => Err(unknown()),
        found => Ok(found?),
    }
}

/// Forgets every case's level and schedule (after a change of rules, or for a cold run).
pub async fn reset(store: &Store, tenant: &TenantRecord) -> Result<(), DunningError> {
    Ok(store.tenant(tenant.id).reset_dunning().await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_customers_rows_are_taken_as_one_slice_of_the_batch() {
        let rows = [(1, "a"), (1, "b"), (2, "c"), (5, "d"), (5, "e"), (5, "f")];
        let runs = runs_by_customer(&rows, |row| CustomerId(row.0), "rows").unwrap();
        assert_eq!(runs.len(), 3);
        assert_eq!(runs[&CustomerId(1)], &rows[0..2]);
        assert_eq!(runs[&CustomerId(2)], &rows[2..3]);
        assert_eq!(runs[&CustomerId(5)], &rows[3..6]);
        assert!(
            runs_by_customer(&[] as &[(i64, &str)], |row| CustomerId(row.0), "rows")
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn rows_not_read_customer_by_customer_are_refused_rather_than_decided_on_in_part() {
        let rows = [(1, "a"), (2, "b"), (1, "c")];
        let error = runs_by_customer(&rows, |row| CustomerId(row.0), "open invoices").unwrap_err();
        assert!(
            matches!(&error, StoreError::Corrupt { what } if what.contains("open invoices")),
            "{error:?}"
        );
    }
}
