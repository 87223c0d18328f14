//! Payment plans (échéanciers): propose a schedule the customer can afford, accept it (a manager
//! approves one beyond the tenant's limits), follow it installment by installment, and let it
//! lapse as the agreement says when an installment stays unpaid after the grace period.
//!
//! A plan covers invoices' outstanding amounts. With `waive_charges`, the penalties and
//! indemnities of its invoices are waived while it runs, on condition: the waivers are withdrawn
//! if it lapses, and stay if it completes. While a plan is active, dunning leaves its invoices
//! aside (`domain::engine`); when it lapses, the case wakes and resumes where it stood.

use domain::customer::CustomerKind;
use domain::customer::Language;
use domain::ids::InvoiceId;
use domain::late_payment::{WaivedCharges, WaiverExtent};
use domain::money::Money;
use domain::plan::{
    Frequency, IncludedCharges, LimitExceeded, PlanError as ScheduleError, PlanLimits,
    PlanStanding, PlanState, ScheduleRequest, Split, propose as propose_schedule, standing,
};
use jiff::civil::Date;
use store::{
    InvoiceFilter, NewPlan, NewWaiver, PlanDocumentKind, PlanDocumentRecord, PlanEnd, PlanRecord,
    PlanSettings, PlanStatus, Store, StoreError, TenantRecord,
};

use crate::bilingual::Bilingual;
use crate::clock::Clock;
use crate::late_payment::{
    InputProblem, InputProblemKind, LawError, customer_id, customer_invoice, positive_amount,
};

#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("unknown customer {reference}")]
    UnknownCustomer { reference: String },
    #[error("payment plan {id} does not exist")]
    UnknownPlan { id: i64 },
    #[error("nothing was done: {}", describe(problems, Language::English))]
    Invalid { problems: Vec<InputProblem> },
    #[error("the schedule cannot be made: {0}")]
    Schedule(#[from] ScheduleError),
    #[error("payment plan {id} is {}: only a proposed plan can be {verb}", status.code())]
    NotProposed {
        id: i64,
        status: PlanStatus,
        verb: &'static str,
    },
    #[error(
        "payment plan {id} goes beyond the limits a collector may grant: a manager must approve it (--approved-by)"
    )]
    NeedsApproval { id: i64 },
    /// The agreement cannot be written (its template, or the PDF).
    #[error("{0}")]
    Document(Bilingual),
    #[error("the agreement of payment plan {id} changed since it was shown: read it again")]
    DocumentChanged { id: i64 },
}

impl From<LawError> for PlanError {
    fn from(error: LawError) -> PlanError {
        match error {
            LawError::Store(error) => PlanError::Store(error),
            LawError::UnknownCustomer { reference } => PlanError::UnknownCustomer { reference },
            LawError::Invalid { problems } => PlanError::Invalid { problems },
            other => PlanError::Store(StoreError::Corrupt {
                what: other.to_string(),
            }),
        }
    }
}

impl PlanError {
    pub fn describe(&self, language: Language) -> String {
        if language == Language::English {
            return self.to_string();
        }
        match self {
            PlanError::UnknownCustomer { reference } => format!("client inconnu : {reference}"),
            PlanError::UnknownPlan { id } => format!("l'échéancier {id} n'existe pas"),
            PlanError::Invalid { problems } => {
                format!("rien n'a été fait : {}", describe(problems, language))
            }
            PlanError::Schedule(error) => format!(
                "l'échéancier ne peut pas être établi : {}",
                schedule_error_fr(error)
            ),
            PlanError::NotProposed { id, status, verb } => format!(
                "l'échéancier {id} est {} : seul un échéancier proposé peut être {}",
                status_name(*status, language),
                match *verb {
                    "accepted" => "accepté",
                    _ => "annulé",
                }
            ),
            PlanError::NeedsApproval { id } => format!(
                "l'échéancier {id} dépasse ce qu'un chargé de recouvrement peut accorder : un responsable doit le valider (--approved-by)"
            ),
            PlanError::Store(error) => error.to_string(),
            PlanError::Document(error) => error.get(language).to_owned(),
            PlanError::DocumentChanged { id } => format!(
                "l'échéancier {id} a changé depuis qu'il vous a été présenté : relisez-le avant de l'accepter"
            ),
        }
    }
}

fn schedule_error_fr(error: &ScheduleError) -> String {
    match error {
        ScheduleError::NothingCovered => "le montant couvert doit être positif".to_owned(),
        ScheduleError::NoInstallment => "il faut au moins une échéance".to_owned(),
        ScheduleError::NonPositiveInstallment => "les échéances seraient nulles".to_owned(),
        ScheduleError::BadDownPayment => {
            "l'acompte doit être positif et inférieur au montant couvert".to_owned()
        }
        ScheduleError::CurrencyMismatch => "montants dans des devises différentes".to_owned(),
        ScheduleError::TooManyInstallments { max } => format!("plus de {max} échéances"),
        ScheduleError::DateOutOfRange => "date hors limites".to_owned(),
    }
}

fn describe(problems: &[InputProblem], language: Language) -> String {
    problems
        .iter()
        .map(|problem| problem.option_line(language))
        .collect::<Vec<_>>()
        .join("; ")
}

/// A plan's status as a collector reads it.
pub fn status_name(status: PlanStatus, language: Language) -> &'static str {
    match (status, language) {
        (PlanStatus::Proposed, Language::French) => "proposé",
        (PlanStatus::Active, Language::French) => "en cours",
        (PlanStatus::Completed, Language::French) => "honoré",
        (PlanStatus::Lapsed, Language::French) => "caduc",
        (PlanStatus::Cancelled, Language::French) => "annulé",
        (PlanStatus::Proposed, Language::English) => "proposed",
        (PlanStatus::Active, Language::English) => "active",
        (PlanStatus::Completed, Language::English) => "completed",
        (PlanStatus::Lapsed, Language::English) => "lapsed",
        (PlanStatus::Cancelled, Language::English) => "cancelled",
    }
}

/// How the plan is split, as typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SplitRequest<'a> {
    Installments(u32),
    /// What the customer can afford per installment.
    Amount(&'a str),
}

/// A plan to propose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanRequest<'a> {
    pub customer: &'a str,
    /// Invoice numbers; none: every overdue invoice of the customer not already in a plan.
    pub invoices: &'a [String],
    pub split: SplitRequest<'a>,
    pub first_on: Date,
    /// `1w`, `2w`, `1m` or `3m`.
    pub every: &'a str,
    pub down_payment: Option<&'a str>,
    /// Waive penalties and indemnities on condition the plan is honoured.
    pub waive_charges: bool,
    pub by: &'a str,
}

/// A plan with where it stands today.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanView {
    pub plan: PlanRecord,
    /// `None` for a plan not running (proposed, or ended).
    pub standing: Option<PlanStanding>,
}

pub async fn settings(store: &Store, tenant: &TenantRecord) -> Result<PlanSettings, PlanError> {
    Ok(store
        .tenant(tenant.id)
        .plan_settings()
        .await?
        .unwrap_or_else(|| PlanSettings::defaults(tenant.profile.currency)))
}

/// Changes to the tenant's plan settings, as typed; `None`: unchanged.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SettingsChanges<'a> {
    pub max_installments: Option<u32>,
    pub min_installment: Option<&'a str>,
    pub max_months: Option<u32>,
    pub grace_days: Option<u32>,
    /// `none`, `penalties` or `all`: the accrued charges a plan covers.
    pub include_charges: Option<&'a str>,
}

pub async fn set_settings(
    store: &Store,
    tenant: &TenantRecord,
    clock: Clock,
    changes: &SettingsChanges<'_>,
) -> Result<PlanSettings, PlanError> {
    let mut settings = settings(store, tenant).await?;
    let mut problems = Vec::new();
    for (field, value) in [
        ("max_installments", changes.max_installments),
        ("max_months", changes.max_months),
    ] {
        if value == Some(0) {
            problems.push(InputProblem::new(field, "0", InputProblemKind::NotPositive));
        }
    }
    if let Some(text) = changes.min_installment {
        match Money::parse_decimal(text.trim(), tenant.profile.currency) {
            Ok(amount) if !amount.is_negative() => settings.limits.min_installment = amount,
            _ => problems.push(InputProblem::new(
                "min_installment",
                text,
                InputProblemKind::NotAnAmount {
                    currency: tenant.profile.currency,
                },
            )),
        }
    }
    if let Some(text) = changes.include_charges {
        match IncludedCharges::parse(text) {
            Some(included) => settings.include_charges = included,
            None => problems.push(InputProblem::new(
                "include_charges",
                text,
                InputProblemKind::NotOneOf {
                    known: IncludedCharges::ALL
                        .iter()
                        .map(|included| included.code().to_owned())
                        .collect(),
                },
            )),
        }
    }
    if !problems.is_empty() {
        return Err(PlanError::Invalid { problems });
    }
    let limits = &mut settings.limits;
    limits.max_installments = changes.max_installments.unwrap_or(limits.max_installments);
    limits.max_months = changes.max_months.unwrap_or(limits.max_months);
    settings.grace_days = changes.grace_days.unwrap_or(settings.grace_days);
    store
        .tenant(tenant.id)
        .save_plan_settings(&settings, clock.now())
        .await?;
    Ok(settings)
}

/// A plan as it would be proposed, before anything is recorded: what a collector looks at
/// before proposing it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    /// The invoices' balances and the charges included.
    pub covered: Money,
    pub charges: Money,
    pub installments: Vec<domain::plan::Installment>,
    /// The tenant limits it goes beyond (codes): then only a manager may grant it.
    pub exceeded: Vec<String>,
}

/// Who may propose or accept a plan that goes beyond `exceeded`: a collector within the
/// tenant's limits, a manager beyond them.
pub fn permission_to_grant(exceeded: &[String]) -> crate::accounts::Permission {
    if exceeded.is_empty() {
        crate::accounts::Permission::Work
    } else {
        crate::accounts::Permission::Approve
    }
}

/// The schedule `request` would give, checked as a proposal is, without recording it.
pub async fn draft(
    store: &Store,
    tenant: &TenantRecord,
    clock: Clock,
    request: &PlanRequest<'_>,
) -> Result<Draft, PlanError> {
    let prepared = prepare(store, tenant, clock, request).await?;
    Ok(Draft {
        covered: prepared.total,
        charges: prepared.charges,
        installments: prepared.proposal.schedule.installments,
        exceeded: prepared.exceeded,
    })
}

/// What a proposal computed from a request, before it is recorded.
struct Prepared {
    customer: domain::ids::CustomerId,
    open: Vec<PlanRecord>,
    invoices: Vec<store::InvoiceRecord>,
    covered: Vec<(InvoiceId, Money)>,
    total: Money,
    charges: Money,
    included: IncludedCharges,
    every: Frequency,
    proposal: domain::plan::Proposal,
    exceeded: Vec<String>,
}

/// Proposes a plan: its schedule, and whether a manager must approve it. Proposing the same plan
/// again returns the one proposed before.
pub async fn propose(
    store: &Store,
    tenant: &TenantRecord,
    clock: Clock,
    request: &PlanRequest<'_>,
) -> Result<PlanView, PlanError> {
    let Prepared {
        customer,
        open,
        invoices,
        covered,
        total,
        charges,
        included,
        every,
        proposal,
        exceeded,
    } = prepare(store, tenant, clock, request).await?;
    let handle = store.tenant(tenant.id);
    let same = open.iter().find(|plan| {
        plan.status == PlanStatus::Proposed
            && plan.every == every
            && plan.waive_charges == request.waive_charges
            && plan.installments == proposal.schedule.installments
            && plan.invoices.len() == covered.len()
            && covered
                .iter()
                .all(|(id, _)| plan.invoices.iter().any(|invoice| invoice.id == *id))
    });
    if let Some(plan) = same {
        return show(store, tenant, clock, plan.id).await;
    }
    // An invoice is in one plan at most.
    let mut conflicts = Vec::new();
    for (id, _) in &covered {
        if let Some(plan) = open
            .iter()
            .find(|plan| plan.invoices.iter().any(|invoice| invoice.id == *id))
        {
            let number = invoices
                .iter()
                .find(|invoice| invoice.id == *id)
                .map(|invoice| invoice.number.to_string())
                .unwrap_or_default();
            conflicts.push(InputProblem::new(
                "invoice",
                &number,
                InputProblemKind::InvoiceInPlan { plan: plan.id },
            ));
        }
    }
    if !conflicts.is_empty() {
        return Err(PlanError::Invalid {
            problems: conflicts,
        });
    }
    let id = handle
        .add_plan(
            &NewPlan {
                customer,
                covered: total,
                charges,
                included,
                every,
                waive_charges: request.waive_charges,
                exceeded: &exceeded,
                proposed_by: request.by.trim(),
                invoices: &covered,
                installments: &proposal.schedule.installments,
            },
            clock.now(),
        )
        .await?;
    show(store, tenant, clock, id).await
}

async fn prepare(
    store: &Store,
    tenant: &TenantRecord,
    clock: Clock,
    request: &PlanRequest<'_>,
) -> Result<Prepared, PlanError> {
    let customer = customer_id(store, tenant, request.customer).await?;
    let handle = store.tenant(tenant.id);
    let today = clock.today_in(tenant.profile.time_zone.as_str());
    let currency = tenant.profile.currency;
    let mut problems = Vec::new();
    if request.first_on < today {
        problems.push(InputProblem::new(
            "first",
            &request.first_on.to_string(),
            InputProblemKind::InThePast { today },
        ));
    }
    let every = Frequency::parse(request.every);
    if every.is_none() {
        problems.push(InputProblem::new(
            "every",
            request.every,
            InputProblemKind::NotOneOf {
                known: ["1w", "2w", "1m", "3m"].map(str::to_owned).to_vec(),
            },
        ));
    }
    let split = match request.split {
        SplitRequest::Installments(count) => Some(Split::Installments(count)),
        SplitRequest::Amount(text) => {
            positive_amount("monthly", text, currency, &mut problems).map(Split::Amount)
        }
    };
    let down_payment = match request.down_payment {
        Some(text) => positive_amount("down_payment", text, currency, &mut problems),
        None => None,
    };
    if request.by.trim().is_empty() {
        problems.push(InputProblem::new("by", request.by, InputProblemKind::Empty));
    }

    let open: Vec<PlanRecord> = handle
        .plans(None, Some(customer))
        .await?
        .into_iter()
        .filter(|plan| matches!(plan.status, PlanStatus::Proposed | PlanStatus::Active))
        .collect();
    let active_plan = |invoice: InvoiceId| {
        open.iter().any(|plan| {
            plan.status == PlanStatus::Active
                && plan.invoices.iter().any(|covered| covered.id == invoice)
        })
    };
    let details = handle.customer_details(customer).await?;
    let invoices = handle
        .invoices(&InvoiceFilter {
            customer: Some(details.reference),
            overdue_on: None,
        })
        .await?;
    let mut covered: Vec<(InvoiceId, Money)> = Vec::new();
    if request.invoices.is_empty() {
        // Invoices a running plan already covers are left to it.
        for invoice in &invoices {
            if invoice.due_on < today
                && invoice.outstanding.is_positive()
                && invoice.outstanding.currency() == currency
                && !active_plan(invoice.id)
            {
                covered.push((invoice.id, invoice.outstanding));
            }
        }
        if covered.is_empty() {
            problems.push(InputProblem::new(
                "invoice",
                "",
                InputProblemKind::NothingOverdue { on: today },
            ));
        }
    }
    for number in request.invoices {
        let Some(id) = customer_invoice(store, tenant, customer, number, &mut problems).await?
        else {
            continue;
        };
        let invoice = invoices
            .iter()
            .find(|invoice| invoice.id == id)
            .expect("the customer's invoice is listed");
        if !invoice.outstanding.is_positive() {
            problems.push(InputProblem::new(
                "invoice",
                number,
                InputProblemKind::NothingOwedOnInvoice,
            ));
        } else if !covered.iter().any(|(covered, _)| *covered == id) {
            covered.push((id, invoice.outstanding));
        }
    }
    let (Some(every), Some(split), true) = (every, split, problems.is_empty()) else {
        return Err(PlanError::Invalid { problems });
    };

    let mut total = Money::zero(currency);
    for (_, outstanding) in &covered {
        total = total
            .checked_add(*outstanding)
            .map_err(|_| ScheduleError::CurrencyMismatch)?;
    }
    let settings = settings(store, tenant).await?;
    // Charges waived on condition are not charged in the plan; otherwise it covers what the
    // statement still claims of its invoices today, as the tenant settles.
    let included = if request.waive_charges {
        IncludedCharges::None
    } else {
        settings.include_charges
    };
    let charges = included_charges(
        store,
        tenant,
        clock,
        request.customer,
        today,
        &covered,
        included,
        details.kind == CustomerKind::Consumer,
    )
    .await?;
    let total = total
        .checked_add(charges)
        .map_err(|_| ScheduleError::CurrencyMismatch)?;
    let proposal = propose_schedule(
        &ScheduleRequest {
            covered: total,
            split,
            first_on: request.first_on,
            every,
            down_payment,
        },
        &settings.limits,
    )?;
    let exceeded: Vec<String> = proposal
        .exceeded
        .iter()
        .map(|limit| exceeded_code(limit).to_owned())
        .collect();
    Ok(Prepared {
        customer,
        open,
        invoices,
        covered,
        total,
        charges,
        included,
        every,
        proposal,
        exceeded,
    })
}

/// The accrued charges a plan of `covered` invoices includes: what the statement of `today`
/// (the same figures as `relance statement`, waivers applied) still claims of each.
#[allow(clippy::too_many_arguments)]
async fn included_charges(
    store: &Store,
    tenant: &TenantRecord,
    clock: Clock,
    customer: &str,
    today: Date,
    covered: &[(InvoiceId, Money)],
    included: IncludedCharges,
    consumer: bool,
) -> Result<Money, PlanError> {
    let mut charges = Money::zero(tenant.profile.currency);
    if included == IncludedCharges::None {
        return Ok(charges);
    }
    let statement =
        crate::late_payment::statement(store, tenant, clock, customer, Some(today)).await?;
    for (line, note) in statement.statement.lines.iter().zip(&statement.notes) {
        if covered.iter().any(|(invoice, _)| *invoice == note.id) {
            let line_charges = included
                .covered(line.due_interest, line.due_indemnity, consumer)
                .map_err(|_| ScheduleError::CurrencyMismatch)?;
            charges = charges
                .checked_add(line_charges)
                .map_err(|_| ScheduleError::CurrencyMismatch)?;
        }
    }
    Ok(charges)
}

fn exceeded_code(limit: &LimitExceeded) -> &'static str {
    match limit {
        LimitExceeded::TooManyInstallments { .. } => "max-installments",
        LimitExceeded::InstallmentTooSmall { .. } => "min-installment",
        LimitExceeded::TooLong { .. } => "max-months",
    }
}

/// What a limit code means, for a collector.
pub fn exceeded_text(code: &str, limits: &PlanLimits, language: Language) -> String {
    let fr = language == Language::French;
    match code {
        "max-installments" if fr => format!("plus de {} échéances", limits.max_installments),
        "max-installments" => format!("more than {} installments", limits.max_installments),
        "min-installment" if fr => format!(
            "échéances de moins de {}",
            limits.min_installment.to_decimal_string()
        ),
        "min-installment" => format!(
            "installments below {}",
            limits.min_installment.to_decimal_string()
        ),
        "max-months" if fr => format!("plus de {} mois", limits.max_months),
        "max-months" => format!("longer than {} months", limits.max_months),
        other => other.to_owned(),
    }
}

/// How the customer's acceptance was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Acceptance<'a> {
    /// Who approved a plan beyond the limits (a manager); not needed within them.
    pub approved_by: Option<&'a str>,
    /// Where the signed copy is kept, or how the customer agreed.
    pub note: &'a str,
    /// The signed copy, scanned: kept with the plan.
    pub signed_copy: Option<SignedCopy<'a>>,
}

/// A file the customer signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignedCopy<'a> {
    pub file_name: &'a str,
    pub content: &'a [u8],
}

/// The customer accepted the plan (a signed copy is on file): it starts, dunning leaves its
/// invoices aside, and the conditional waiver is granted. Accepting an active plan again changes
/// nothing.
pub async fn accept(
    store: &Store,
    tenant: &TenantRecord,
    clock: Clock,
    id: i64,
    acceptance: &Acceptance<'_>,
) -> Result<PlanView, PlanError> {
    let plan = plan(store, tenant, id).await?;
    if already_accepted(&plan)? {
        // A signed copy brought after the acceptance is kept, once.
        keep_signed_copy(store, tenant, clock, id, acceptance.signed_copy).await?;
        return show(store, tenant, clock, id).await;
    }
    let approved_by = acceptance
        .approved_by
        .map(str::trim)
        .filter(|name| !name.is_empty());
    if !plan.exceeded.is_empty() && approved_by.is_none() {
        return Err(PlanError::NeedsApproval { id });
    }
    let today = clock.today_in(tenant.profile.time_zone.as_str());
    let pdf = agreement(store, tenant, clock, id, Some(today)).await?;
    if !activate(
        store,
        tenant,
        clock,
        &plan,
        Activation {
            approved_by,
            how: "paper",
            note: acceptance.note.trim(),
            agreement: &pdf,
        },
    )
    .await?
    {
        return show(store, tenant, clock, id).await;
    }
    keep_signed_copy(store, tenant, clock, id, acceptance.signed_copy).await?;
    show(store, tenant, clock, id).await
}

/// Whether `plan` was accepted already (accepting it again changes nothing); an error when it
/// can no longer be accepted (ended or cancelled).
fn already_accepted(plan: &PlanRecord) -> Result<bool, PlanError> {
    match plan.status {
        PlanStatus::Active => Ok(true),
        PlanStatus::Proposed => Ok(false),
        status => Err(PlanError::NotProposed {
            id: plan.id,
            status,
            verb: "accepted",
        }),
    }
}

/// How a plan is accepted.
struct Activation<'a> {
    approved_by: Option<&'a str>,
    /// `paper` or `portal`.
    how: &'a str,
    note: &'a str,
    /// The agreement as accepted, kept with its SHA-256.
    agreement: &'a [u8],
}

/// Starts a proposed plan: its status, the agreement kept, the conditional waivers, the case
/// woken. False when it was no longer proposed (someone else accepted it meanwhile).
async fn activate(
    store: &Store,
    tenant: &TenantRecord,
    clock: Clock,
    plan: &PlanRecord,
    activation: Activation<'_>,
) -> Result<bool, PlanError> {
    let handle = store.tenant(tenant.id);
    let id = plan.id;
    if !handle
        .activate_plan(
            id,
            activation.approved_by,
            activation.how,
            activation.note,
            clock.now(),
        )
        .await?
    {
        return Ok(false);
    }
    // A conditional waiver, or the charges the plan took over: either way the statement stops
    // claiming them on the plan's invoices while it holds, and claims them again if it lapses.
    let consumer = handle.customer_details(plan.customer).await?.kind == CustomerKind::Consumer;
    let waived = if plan.waive_charges {
        Some((WaivedCharges::Both, waiver_reason(id)))
    } else if plan.charges.is_positive() {
        plan.included
            .taken_over(consumer)
            .map(|charges| (charges, included_reason(id)))
    } else {
        None
    };
    if let Some((charges, reason)) = waived {
        let granted_by = activation.approved_by.unwrap_or(plan.proposed_by.as_str());
        for invoice in &plan.invoices {
            handle
                .add_waiver(
                    &NewWaiver {
                        customer: plan.customer,
                        invoice: Some(invoice.id),
                        extent: WaiverExtent::Full,
                        charges,
                        reason: &reason,
                        granted_by,
                    },
                    clock.now(),
                )
                .await?;
        }
    }
    handle
        .add_plan_document(
            id,
            PlanDocumentKind::Agreement,
            &format!("echeancier-{id}.pdf"),
            &crate::accounts::sha256_hex(activation.agreement),
            activation.agreement,
            clock.now(),
        )
        .await?;
    handle.wake_customer(plan.customer).await?;
    Ok(true)
}

/// What the debtor gives to accept a plan in the portal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OnlineAcceptance<'a> {
    /// The name the debtor typed, as a signature.
    pub typed_name: &'a str,
    /// The debtor ticked "I accept this agreement".
    pub consent: bool,
    /// Where the acceptance came from.
    pub ip: &'a str,
    /// The SHA-256 of the agreement the debtor was shown (`agreement_fingerprint`): the plan
    /// starts only if it is still exactly that document.
    pub document_sha256: &'a str,
}

/// The SHA-256 of plan `id`'s agreement as it reads today: what the portal shows and asks the
/// debtor to accept.
pub async fn agreement_fingerprint(
    store: &Store,
    tenant: &TenantRecord,
    clock: Clock,
    id: i64,
) -> Result<String, PlanError> {
    let today = clock.today_in(tenant.profile.time_zone.as_str());
    let pdf = agreement(store, tenant, clock, id, Some(today)).await?;
    Ok(crate::accounts::sha256_hex(&pdf))
}

/// The debtor accepts a proposed plan in the portal: a typed name, explicit consent, the time,
/// the address it came from and the fingerprint of the exact document accepted are recorded,
/// and the document is kept. A plan beyond the creditor's limits waits for a manager; a document
/// that changed since it was shown (a new day, a new figure) must be read again.
pub async fn accept_online(
    store: &Store,
    tenant: &TenantRecord,
    clock: Clock,
    id: i64,
    acceptance: &OnlineAcceptance<'_>,
) -> Result<PlanView, PlanError> {
    let plan = plan(store, tenant, id).await?;
    if already_accepted(&plan)? {
        return show(store, tenant, clock, id).await;
    }
    let mut problems = Vec::new();
    let typed_name = acceptance.typed_name.trim();
    if typed_name.is_empty() {
        problems.push(InputProblem::new(
            "name",
            acceptance.typed_name,
            InputProblemKind::Empty,
        ));
    }
    if !acceptance.consent {
        problems.push(InputProblem::new("consent", "", InputProblemKind::Empty));
    }
    if !problems.is_empty() {
        return Err(PlanError::Invalid { problems });
    }
    if !plan.exceeded.is_empty() {
        return Err(PlanError::NeedsApproval { id });
    }
    let today = clock.today_in(tenant.profile.time_zone.as_str());
    let pdf = agreement(store, tenant, clock, id, Some(today)).await?;
    let sha256 = crate::accounts::sha256_hex(&pdf);
    if sha256 != acceptance.document_sha256.trim() {
        return Err(PlanError::DocumentChanged { id });
    }
    let note = format!(
        "accepté en ligne par « {typed_name} », consentement exprès, le {}, depuis {}, document SHA-256 {sha256}",
        clock.now(),
        acceptance.ip
    );
    activate(
        store,
        tenant,
        clock,
        &plan,
        Activation {
            approved_by: None,
            how: "portal",
            note: &note,
            agreement: &pdf,
        },
    )
    .await?;
    show(store, tenant, clock, id).await
}

async fn keep_signed_copy(
    store: &Store,
    tenant: &TenantRecord,
    clock: Clock,
    id: i64,
    copy: Option<SignedCopy<'_>>,
) -> Result<(), PlanError> {
    if let Some(copy) = copy {
        store
            .tenant(tenant.id)
            .add_plan_document(
                id,
                PlanDocumentKind::SignedCopy,
                copy.file_name,
                &crate::accounts::sha256_hex(copy.content),
                copy.content,
                clock.now(),
            )
            .await?;
    }
    Ok(())
}

/// The documents kept with plan `id` (the agreement accepted, the signed copy).
pub async fn documents(
    store: &Store,
    tenant: &TenantRecord,
    id: i64,
) -> Result<Vec<PlanDocumentRecord>, PlanError> {
    plan(store, tenant, id).await?;
    Ok(store.tenant(tenant.id).plan_documents(id).await?)
}

/// The content of plan `id`'s document of `kind`, when one is kept.
pub async fn document(
    store: &Store,
    tenant: &TenantRecord,
    id: i64,
    kind: PlanDocumentKind,
) -> Result<Option<Vec<u8>>, PlanError> {
    plan(store, tenant, id).await?;
    Ok(store.tenant(tenant.id).plan_document(id, kind).await?)
}

/// Cancels a plan not yet accepted, or stops a running one by mutual agreement: its waivers are
/// withdrawn and dunning resumes.
pub async fn cancel(
    store: &Store,
    tenant: &TenantRecord,
    clock: Clock,
    id: i64,
    reason: &str,
) -> Result<PlanView, PlanError> {
    if reason.trim().is_empty() {
        return Err(PlanError::Invalid {
            problems: vec![InputProblem::new("reason", reason, InputProblemKind::Empty)],
        });
    }
    let plan = plan(store, tenant, id).await?;
    let today = clock.today_in(tenant.profile.time_zone.as_str());
    let end = PlanEnd {
        status: PlanStatus::Cancelled,
        on: today,
        reason: reason.trim(),
    };
    if !store.tenant(tenant.id).end_plan(id, &end).await? {
        return Err(PlanError::NotProposed {
            id,
            status: plan.status,
            verb: "cancelled",
        });
    }
    withdraw_waivers(store, tenant, clock, &plan, reason.trim()).await?;
    store.tenant(tenant.id).wake_customer(plan.customer).await?;
    show(store, tenant, clock, id).await
}

pub async fn show(
    store: &Store,
    tenant: &TenantRecord,
    clock: Clock,
    id: i64,
) -> Result<PlanView, PlanError> {
    let plan = plan(store, tenant, id).await?;
    let today = clock.today_in(tenant.profile.time_zone.as_str());
    view(store, tenant, plan, today).await
}

/// Plans in `status` (any if `None`) of a customer (any if `None`), oldest first.
pub async fn list(
    store: &Store,
    tenant: &TenantRecord,
    clock: Clock,
    status: Option<PlanStatus>,
    customer: Option<&str>,
) -> Result<Vec<PlanView>, PlanError> {
    let customer = match customer {
        Some(reference) => Some(customer_id(store, tenant, reference).await?),
        None => None,
    };
    let today = clock.today_in(tenant.profile.time_zone.as_str());
    let mut views = Vec::new();
    for plan in store.tenant(tenant.id).plans(status, customer).await? {
        views.push(view(store, tenant, plan, today).await?);
    }
    Ok(views)
}

/// The written agreement of plan `id` as a PDF to print and sign, bearing `date` (default:
/// today), in the customer's language.
pub async fn agreement(
    store: &Store,
    tenant: &TenantRecord,
    clock: Clock,
    id: i64,
    date: Option<Date>,
) -> Result<Vec<u8>, PlanError> {
    let plan = plan(store, tenant, id).await?;
    let date = date.unwrap_or_else(|| clock.today_in(tenant.profile.time_zone.as_str()));
    let grace_days = settings(store, tenant).await?.grace_days;
    let (rendered, context) =
        crate::templates::plan_agreement(store, tenant, &plan, grace_days, date)
            .await
            .map_err(|error| {
                PlanError::Document(Bilingual::of(|language| error.describe(language)))
            })?;
    documents::pdf::letter_pdf(&documents::pdf::Letter {
        rendered: &rendered,
        context: &context,
    })
    .map_err(|error| PlanError::Document(Bilingual::of(|language| error.describe(language))))
}

/// What the daily review of running plans changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlanReview {
    pub completed: Vec<i64>,
    pub lapsed: Vec<i64>,
    /// Messages queued: reminders before an installment, confirmations of installments paid,
    /// reminders of a missed one within grace.
    pub messages: usize,
}

/// Days before an installment its reminder goes out.
pub const REMINDER_DAYS: i64 = 3;

/// Follows every running plan on `today`: a plan paid in full is completed (its waivers stay);
/// one with an installment unpaid after the grace period lapses (its waivers are withdrawn and
/// dunning resumes). Running it twice on the same day changes nothing the second time.
pub async fn review(
    store: &Store,
    tenant: &TenantRecord,
    clock: Clock,
    today: Date,
) -> Result<PlanReview, PlanError> {
    let handle = store.tenant(tenant.id);
    let grace_days = settings(store, tenant).await?.grace_days;
    let mut review = PlanReview::default();
    for plan in handle.plans(Some(PlanStatus::Active), None).await? {
        let schedule = domain::plan::Schedule {
            installments: plan.installments.clone(),
        };
        let standing = standing(&schedule, plan.paid(), today, grace_days)?;
        let (status, reason) = match standing.state {
            PlanState::Completed => (PlanStatus::Completed, "échéancier honoré".to_owned()),
            PlanState::Defaulted { installment } => (
                PlanStatus::Lapsed,
                format!("échéance n° {installment} impayée après le délai de grâce"),
            ),
            PlanState::OnTrack | PlanState::Late { .. } => {
                review.messages += plan_messages(store, tenant, &plan, &standing, today).await?;
                continue;
            }
        };
        let end = PlanEnd {
            status,
            on: today,
            reason: &reason,
        };
        if !handle.end_plan(plan.id, &end).await? {
            continue;
        }
        if status == PlanStatus::Lapsed {
            withdraw_waivers(store, tenant, clock, &plan, &reason).await?;
            review.lapsed.push(plan.id);
        } else {
            review.completed.push(plan.id);
        }
        handle.wake_customer(plan.customer).await?;
    }
    Ok(review)
}

/// Queues the courteous messages a running plan calls for on `today`, by e-mail where the
/// customer has one and consents (a plan's messages are not worth a letter): each under its own
/// key (`plan-ID-before-N`, `plan-ID-paid-N`, `plan-ID-missed-N`), so none is queued twice.
async fn plan_messages(
    store: &Store,
    tenant: &TenantRecord,
    plan: &PlanRecord,
    standing: &PlanStanding,
    today: Date,
) -> Result<usize, PlanError> {
    let handle = store.tenant(tenant.id);
    let details = handle.customer_details(plan.customer).await?;
    if details.settings.email.is_none() || !details.settings.consent.email {
        return Ok(0);
    }
    let mut messages: Vec<(String, &'static str, String)> = Vec::new();
    // Installments paid since acceptance, the down payment included; the last one completes
    // the plan and is thanked by the receipt instead.
    for installment in plan.installments.iter().take(standing.paid as usize) {
        messages.push((
            format!("plan-{}-paid-{}", plan.id, installment.number),
            "plan_installment_received",
            format!(
                "installment {} of plan {} paid",
                installment.number, plan.id
            ),
        ));
    }
    match (standing.state, standing.next) {
        (PlanState::OnTrack, Some((installment, _)))
            if (installment.due_on - today).get_days() <= REMINDER_DAYS as i32
                && installment.due_on >= today =>
        {
            messages.push((
                format!("plan-{}-before-{}", plan.id, installment.number),
                "plan_installment_reminder",
                format!(
                    "installment {} of plan {} falls due on {}",
                    installment.number, plan.id, installment.due_on
                ),
            ));
        }
        (
            PlanState::Late {
                installment,
                grace_ends_on,
            },
            _,
        ) => {
            messages.push((
                format!("plan-{}-missed-{installment}", plan.id),
                "plan_installment_missed",
                format!(
                    "installment {installment} of plan {} unpaid, grace until {grace_ends_on}",
                    plan.id
                ),
            ));
        }
        _ => {}
    }
    let zone = jiff::tz::TimeZone::get(tenant.profile.time_zone.as_str())
        .unwrap_or(jiff::tz::TimeZone::UTC);
    let scheduled_at = today
        .to_zoned_datetime(zone)
        .map_err(|_| ScheduleError::DateOutOfRange)?
        .to_string();
    let already: Vec<String> = handle
        .actions(&store::ActionFilter {
            decided_on: None,
            customer: Some(plan.customer),
            status: None,
        })
        .await?
        .into_iter()
        .map(|action| action.step_key)
        .collect();
    let mut queued = 0;
    for (step_key, template, explanation) in messages {
        if already.contains(&step_key) {
            continue;
        }
        handle
            .propose_action(&store::NewAction {
                customer: plan.customer,
                episode: 0,
                step_key,
                channel: "email".to_owned(),
                companion: false,
                tone: "courteous".to_owned(),
                template: template.to_owned(),
                invoice_ids: plan.invoices.iter().map(|invoice| invoice.id).collect(),
                decided_on: today,
                scheduled_at: scheduled_at.clone(),
                status: "scheduled",
                explanation: store::Explanation::Text(explanation),
            })
            .await?;
        queued += 1;
    }
    Ok(queued)
}

async fn plan(store: &Store, tenant: &TenantRecord, id: i64) -> Result<PlanRecord, PlanError> {
    match store.tenant(tenant.id).plan(id).await {
        Ok(plan) => Ok(plan),
        Err(StoreError::NotFound { .. }) => Err(PlanError::UnknownPlan { id }),
        Err(error) => Err(error.into()),
    }
}

async fn view(
    store: &Store,
    tenant: &TenantRecord,
    plan: PlanRecord,
    today: Date,
) -> Result<PlanView, PlanError> {
    let standing = if plan.status == PlanStatus::Active {
        let grace_days = settings(store, tenant).await?.grace_days;
        let schedule = domain::plan::Schedule {
            installments: plan.installments.clone(),
        };
        Some(standing(&schedule, plan.paid(), today, grace_days)?)
    } else {
        None
    };
    Ok(PlanView { plan, standing })
}

/// The reason the conditional waivers of plan `id` are recorded with, which also finds them.
fn waiver_reason(id: i64) -> String {
    format!("Échéancier n° {id} : remise conditionnée au respect de l'échéancier")
}

/// The reason the charges plan `id` took over are set aside in the statement with.
fn included_reason(id: i64) -> String {
    format!("Échéancier n° {id} : pénalités incluses dans l'échéancier, réclamées par lui")
}

async fn withdraw_waivers(
    store: &Store,
    tenant: &TenantRecord,
    clock: Clock,
    plan: &PlanRecord,
    why: &str,
) -> Result<(), PlanError> {
    let handle = store.tenant(tenant.id);
    let reasons = [waiver_reason(plan.id), included_reason(plan.id)];
    for waiver in handle.waivers_of(plan.customer).await? {
        if !waiver.is_withdrawn() && reasons.contains(&waiver.reason) {
            handle
                .withdraw_waiver(
                    waiver.id,
                    &format!("Échéancier n° {} : {why}", plan.id),
                    clock.now(),
                )
                .await?;
        }
    }
    Ok(())
}
