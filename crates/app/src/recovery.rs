//! Recovery steps taken outside Relance and proven collection costs, recorded by a collector so
//! that the statement of account counts them: a formal notice sent by a lawyer or a bailiff
//! (consumers' interest runs from it), a money judgment (the 5-point increase of the legal rate
//! runs two months after it became enforceable and was served), and the collection costs the
//! creditor can prove beyond the fixed indemnities.
//!
//! Recording the same step or the same costs twice records them once. Nothing is deleted: a
//! record made by mistake is withdrawn, with a reason.

use std::collections::HashMap;

use domain::customer::Language;
use domain::ids::{CustomerId, InvoiceId};
use jiff::civil::Date;
use store::{
    CollectionCostRecord, InvoiceFilter, NewCollectionCost, NewRecoveryStep, RecoveryStepKind,
    RecoveryStepRecord, Store, TenantRecord,
};

use crate::clock::Clock;
use crate::late_payment::{
    InputProblem, InputProblemKind, LawError, LawRecord, customer_id, customer_invoice, found,
    positive_amount, required_reason, terms_of,
};

/// A formal notice or a judgment to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecoveryStepRequest<'a> {
    pub customer: &'a str,
    /// Invoice numbers; none: every invoice of the customer overdue and unpaid on `occurred_on`.
    pub invoices: &'a [String],
    pub kind: RecoveryStepKind,
    /// The notice's sending day, or the day the judgment became enforceable.
    pub occurred_on: Date,
    /// The day the judgment was served (signification); the increase runs two months after the
    /// later of the two days.
    pub served_on: Option<Date>,
    /// The registered letter's number, the judgment's docket number…
    pub reference: &'a str,
    pub note: &'a str,
}

/// Records a formal notice or a judgment for each invoice it concerns; returns the records in
/// force for them (those recorded before included, so a repeat records nothing).
pub async fn record_step(
    store: &Store,
    tenant: &TenantRecord,
    clock: Clock,
    request: &RecoveryStepRequest<'_>,
) -> Result<Vec<RecoveryStepRecord>, LawError> {
    let customer = customer_id(store, tenant, request.customer).await?;
    let today = clock.today_in(tenant.profile.time_zone.as_str());
    let mut problems = Vec::new();
    let day_field = match request.kind {
        RecoveryStepKind::FormalNotice => "on",
        RecoveryStepKind::Judgment => "enforceable_on",
    };
    not_in_future(day_field, request.occurred_on, today, &mut problems);
    if let Some(served_on) = request.served_on {
        not_in_future("served_on", served_on, today, &mut problems);
    }
    let mut invoices = Vec::new();
    for number in request.invoices {
        if let Some(invoice) =
            customer_invoice(store, tenant, customer, number, &mut problems).await?
            && !invoices.contains(&invoice)
        {
            invoices.push(invoice);
        }
    }
    if request.invoices.is_empty() {
        invoices = unpaid_overdue_on(store, tenant, customer, request.occurred_on).await?;
        if invoices.is_empty() {
            problems.push(InputProblem::new(
                "invoice",
                "",
                InputProblemKind::NothingOverdue {
                    on: request.occurred_on,
                },
            ));
        }
    }
    if !problems.is_empty() {
        return Err(LawError::Invalid { problems });
    }

    let handle = store.tenant(tenant.id);
    let same = |record: &RecoveryStepRecord| {
        !record.is_withdrawn()
            && record.kind == request.kind
            && record.occurred_on == request.occurred_on
            && record.served_on == request.served_on
    };
    let existing = handle.recovery_steps_of(customer).await?;
    let new: Vec<InvoiceId> = invoices
        .iter()
        .copied()
        .filter(|invoice| {
            !existing
                .iter()
                .any(|record| record.invoice == *invoice && same(record))
        })
        .collect();
    if !new.is_empty() {
        handle
            .add_recovery_step(
                &NewRecoveryStep {
                    customer,
                    invoices: &new,
                    kind: request.kind,
                    occurred_on: request.occurred_on,
                    served_on: request.served_on,
                    reference: request.reference.trim(),
                    note: request.note.trim(),
                },
                clock.now(),
            )
            .await?;
    }
    Ok(handle
        .recovery_steps_of(customer)
        .await?
        .into_iter()
        .filter(|record| invoices.contains(&record.invoice) && same(record))
        .collect())
}

/// Proven collection costs to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CollectionCostRequest<'a> {
    pub customer: &'a str,
    /// In the creditor's currency, as typed (`250.00`).
    pub amount: &'a str,
    pub incurred_on: Date,
    /// What they were: "Huissier : signification", "Avocat : mise en demeure"…
    pub description: &'a str,
}

/// Records collection costs the creditor can prove; refused for a customer whose rule set has no
/// fixed indemnity (a consumer). A repeat of the same costs records nothing.
pub async fn record_cost(
    store: &Store,
    tenant: &TenantRecord,
    clock: Clock,
    request: &CollectionCostRequest<'_>,
) -> Result<CollectionCostRecord, LawError> {
    let customer = customer_id(store, tenant, request.customer).await?;
    let today = clock.today_in(tenant.profile.time_zone.as_str());
    let mut problems = Vec::new();
    let amount = positive_amount(
        "amount",
        request.amount,
        tenant.profile.currency,
        &mut problems,
    );
    not_in_future("on", request.incurred_on, today, &mut problems);
    let description = request.description.trim();
    if description.is_empty() {
        problems.push(InputProblem::new(
            "description",
            request.description,
            InputProblemKind::Empty,
        ));
    }
    let jurisdiction = terms_of(store, tenant, customer)
        .await?
        .effective
        .jurisdiction;
    if jurisdiction.recovery_indemnity().is_none() {
        problems.push(InputProblem::new(
            "customer",
            request.customer,
            InputProblemKind::CostsNotChargeable { jurisdiction },
        ));
    }
    let (Some(amount), true) = (amount, problems.is_empty()) else {
        return Err(LawError::Invalid { problems });
    };

    let handle = store.tenant(tenant.id);
    let recorded = handle.collection_costs_of(customer).await?;
    if let Some(same) = recorded.into_iter().find(|record| {
        !record.is_withdrawn()
            && record.amount == amount
            && record.incurred_on == request.incurred_on
            && record.description == description
    }) {
        return Ok(same);
    }
    let id = handle
        .add_collection_cost(
            &NewCollectionCost {
                customer,
                amount,
                incurred_on: request.incurred_on,
                description,
            },
            clock.now(),
        )
        .await?;
    Ok(handle.collection_cost(id).await?)
}

/// A customer's recovery steps and collection costs, withdrawn ones too, in the order recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecoveryFile {
    pub steps: Vec<RecoveryStepRecord>,
    pub costs: Vec<CollectionCostRecord>,
}

pub async fn recovery_file(
    store: &Store,
    tenant: &TenantRecord,
    reference: &str,
) -> Result<RecoveryFile, LawError> {
    let customer = customer_id(store, tenant, reference).await?;
    let handle = store.tenant(tenant.id);
    Ok(RecoveryFile {
        steps: handle.recovery_steps_of(customer).await?,
        costs: handle.collection_costs_of(customer).await?,
    })
}

pub async fn withdraw_step(
    store: &Store,
    tenant: &TenantRecord,
    clock: Clock,
    id: i64,
    reason: &str,
) -> Result<RecoveryStepRecord, LawError> {
    required_reason(reason)?;
    let handle = store.tenant(tenant.id);
    let record = LawRecord::RecoveryStep;
    found(handle.recovery_step(id).await, record, id)?;
    if !handle
        .withdraw_recovery_step(id, reason.trim(), clock.now())
        .await?
    {
        return Err(LawError::AlreadyWithdrawn { record, id });
    }
    Ok(handle.recovery_step(id).await?)
}

pub async fn withdraw_cost(
    store: &Store,
    tenant: &TenantRecord,
    clock: Clock,
    id: i64,
    reason: &str,
) -> Result<CollectionCostRecord, LawError> {
    required_reason(reason)?;
    let handle = store.tenant(tenant.id);
    let record = LawRecord::CollectionCost;
    found(handle.collection_cost(id).await, record, id)?;
    if !handle
        .withdraw_collection_cost(id, reason.trim(), clock.now())
        .await?
    {
        return Err(LawError::AlreadyWithdrawn { record, id });
    }
    Ok(handle.collection_cost(id).await?)
}

/// What the steps in force say about each invoice as of a day, for its statement line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct RecordedSteps {
    /// The first formal notice recorded for the invoice, sent by `as_of`.
    pub notices: HashMap<InvoiceId, Date>,
    /// The day the post-judgment increase counts from: the later of the day the judgment became
    /// enforceable and the day it was served (Cass., see LAW.md 2.2); the first such judgment.
    pub judgments: HashMap<InvoiceId, Date>,
}

pub(crate) fn recorded_steps(records: &[RecoveryStepRecord], as_of: Date) -> RecordedSteps {
    let mut steps = RecordedSteps::default();
    for record in records.iter().filter(|record| !record.is_withdrawn()) {
        let (map, day) = match record.kind {
            RecoveryStepKind::FormalNotice => (&mut steps.notices, record.occurred_on),
            RecoveryStepKind::Judgment => (
                &mut steps.judgments,
                record.served_on.map_or(record.occurred_on, |served_on| {
                    served_on.max(record.occurred_on)
                }),
            ),
        };
        if day <= as_of {
            map.entry(record.invoice)
                .and_modify(|first| *first = (*first).min(day))
                .or_insert(day);
        }
    }
    steps
}

/// The customer's invoices due before `day` that were not fully paid on it (payments received
/// after it, or still owed).
async fn unpaid_overdue_on(
    store: &Store,
    tenant: &TenantRecord,
    customer: CustomerId,
    day: Date,
) -> Result<Vec<InvoiceId>, LawError> {
    let handle = store.tenant(tenant.id);
    let details = handle.customer_details(customer).await?;
    let invoices = handle
        .invoices(&InvoiceFilter {
            customer: Some(details.reference),
            overdue_on: None,
        })
        .await?;
    let payments = handle.invoice_payments(customer).await?;
    let mut unpaid = Vec::new();
    for invoice in invoices.into_iter().filter(|invoice| invoice.due_on < day) {
        let mut received_after = 0_i64;
        for payment in payments
            .iter()
            .filter(|payment| payment.invoice == invoice.id)
        {
            if payment.received_on > day {
                received_after = received_after.saturating_add(payment.amount.minor());
            }
        }
        if invoice.outstanding.minor().saturating_add(received_after) > 0 {
            unpaid.push(invoice.id);
        }
    }
    Ok(unpaid)
}

fn not_in_future(field: &'static str, day: Date, today: Date, problems: &mut Vec<InputProblem>) {
    if day > today {
        problems.push(InputProblem::new(
            field,
            &day.to_string(),
            InputProblemKind::InTheFuture { today },
        ));
    }
}

/// How a step is named to a collector.
pub fn step_name(kind: RecoveryStepKind, language: Language) -> &'static str {
    match (kind, language) {
        (RecoveryStepKind::FormalNotice, Language::French) => "mise en demeure",
        (RecoveryStepKind::FormalNotice, Language::English) => "formal notice",
        (RecoveryStepKind::Judgment, Language::French) => "jugement",
        (RecoveryStepKind::Judgment, Language::English) => "judgment",
    }
}
