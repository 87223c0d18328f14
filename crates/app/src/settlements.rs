//! Settlements other than a payment, as a collector or a manager records them: a credit note,
//! a settlement in kind, an assignment of the receivable, a write-off. Each takes its amount off
//! the invoice at once (dunning follows the new balance), with a reason and who decided it, and
//! stays on the customer's timeline and in the settlements report. One that leaves the customer
//! owing nothing closes the case as a payment does (`payments::effects`: reminders stopped,
//! closure, receipt and thanks as the tenant wants). Undone, it gives back exactly what it took.

use domain::customer::Language;
use domain::money::Money;
use domain::settlement::{SettlementKind, settled_amount};
use jiff::civil::Date;
use store::{
    NewSettlement, SettlementOutcome, SettlementRecord, SettlementUndoing, Store, StoreError,
    TenantRecord, UndoneSettlement,
};

use crate::clock::Clock;
use crate::late_payment::{
    InputProblem, InputProblemKind, LawError, LawRecord, customer_id, customer_invoice,
    positive_amount,
};

/// A settlement as typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SettlementRequest<'a> {
    pub customer: &'a str,
    pub invoice: &'a str,
    /// `credit-note`, `in-kind`, `assignment` or `write-off`.
    pub kind: &'a str,
    /// Required for a credit note and a settlement in kind; none for an assignment; a write-off
    /// takes the whole balance without one.
    pub amount: Option<&'a str>,
    pub on: Date,
    pub reason: &'a str,
    pub by: &'a str,
    /// The assignee, or what was exchanged in kind.
    pub counterparty: &'a str,
    /// The language of the notes it writes on the file (a closure, a reminder stopped).
    pub language: Language,
}

/// A settlement recorded, with what it did to the case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settled {
    pub record: SettlementRecord,
    /// `None`: the same settlement was recorded already, and nothing was written.
    pub effects: Option<SettlementOutcome>,
}

/// Records a settlement and takes it off the invoice; when the customer owes nothing more, the
/// case closes as after a payment. The same settlement recorded twice (same invoice, kind,
/// amount, day and reason, not undone) is recorded once.
pub async fn record(
    store: &Store,
    tenant: &TenantRecord,
    clock: Clock,
    request: &SettlementRequest<'_>,
) -> Result<Settled, LawError> {
    let customer = customer_id(store, tenant, request.customer).await?;
    let handle = store.tenant(tenant.id);
    let today = clock.today_in(tenant.profile.time_zone.as_str());
    let mut problems = Vec::new();
    let kind = SettlementKind::parse(request.kind);
    if kind.is_none() {
        problems.push(InputProblem::new(
            "kind",
            request.kind,
            InputProblemKind::NotOneOf {
                known: SettlementKind::ALL
                    .iter()
                    .map(|kind| kind.code().to_owned())
                    .collect(),
            },
        ));
    }
    let amount = match request.amount {
        Some(text) => positive_amount("amount", text, tenant.profile.currency, &mut problems),
        None => None,
    };
    if request.on > today {
        problems.push(InputProblem::new(
            "on",
            &request.on.to_string(),
            InputProblemKind::InTheFuture { today },
        ));
    }
    for (field, text) in [("reason", request.reason), ("by", request.by)] {
        if text.trim().is_empty() {
            problems.push(InputProblem::new(field, text, InputProblemKind::Empty));
        }
    }
    if kind == Some(SettlementKind::Assignment) && request.counterparty.trim().is_empty() {
        problems.push(InputProblem::new(
            "counterparty",
            request.counterparty,
            InputProblemKind::Empty,
        ));
    }
    let invoice = customer_invoice(store, tenant, customer, request.invoice, &mut problems).await?;
    let (Some(kind), Some(invoice), true) = (kind, invoice, problems.is_empty()) else {
        return Err(LawError::Invalid { problems });
    };

    let reason = request.reason.trim();
    let recorded = handle.settlements(Some(customer), None).await?;
    if let Some(same) = recorded.into_iter().find(|record| {
        record.undone.is_none()
            && record.invoice == invoice
            && record.kind == kind
            && record.settled_on == request.on
            && record.reason == reason
            && amount.is_none_or(|amount| record.amount == amount)
    }) {
        return Ok(Settled {
            record: same,
            effects: None,
        });
    }
    let reference = handle.customer_details(customer).await?.reference;
    let balance = handle
        .invoices(&store::InvoiceFilter {
            customer: Some(reference),
            overdue_on: None,
        })
        .await?
        .into_iter()
        .find(|record| record.id == invoice)
        .map(|record| record.outstanding)
        .unwrap_or_else(|| Money::zero(tenant.profile.currency));
    let settled = settled_amount(kind, balance, amount).map_err(|error| LawError::Invalid {
        problems: vec![InputProblem::new(
            "amount",
            request.amount.unwrap_or(""),
            InputProblemKind::Settlement(error),
        )],
    })?;
    let settings = crate::payments::settings(store, tenant)
        .await
        .map_err(|error| match error {
            crate::payments::PaymentError::Store(error) => LawError::Store(error),
            other => LawError::Store(StoreError::Corrupt {
                what: other.to_string(),
            }),
        })?;
    let effects = store::PaymentEffects {
        cancel_note: match request.language {
            Language::French => format!(
                "annulée le {today} : les factures réclamées sont soldées ({})",
                kind_name(kind, Language::French)
            ),
            Language::English => format!(
                "cancelled on {today}: the invoices it claims are settled ({})",
                kind_name(kind, Language::English)
            ),
        },
        ..crate::payments::effects(tenant, clock, &settings, request.language)
    };
    let outcome = handle
        .add_settlement(
            &NewSettlement {
                customer,
                invoice,
                kind,
                amount: settled,
                outstanding_before: balance,
                settled_on: request.on,
                reason,
                decided_by: request.by.trim(),
                counterparty: request.counterparty.trim(),
            },
            &effects,
            clock.now(),
        )
        .await?
        .ok_or_else(|| LawError::Invalid {
            problems: vec![InputProblem::new(
                "invoice",
                request.invoice,
                InputProblemKind::ChangedMeanwhile,
            )],
        })?;
    let record = handle
        .settlements(Some(customer), None)
        .await?
        .into_iter()
        .find(|record| record.id == outcome.id)
        .expect("the settlement just recorded");
    Ok(Settled {
        record,
        effects: Some(outcome),
    })
}

/// Undoes settlement `id`: the invoice owes again what it took, the case it closed opens again
/// (its receipt and thanks not sent yet are cancelled), a plan completed since runs again, and
/// the settlement stays listed with who undid it, when and why. Undoing it again changes nothing.
pub async fn undo(
    store: &Store,
    tenant: &TenantRecord,
    clock: Clock,
    id: i64,
    by: &str,
    reason: &str,
    language: Language,
) -> Result<(SettlementRecord, UndoneSettlement), LawError> {
    let mut problems = Vec::new();
    for (field, text) in [("reason", reason), ("by", by)] {
        if text.trim().is_empty() {
            problems.push(InputProblem::new(field, text, InputProblemKind::Empty));
        }
    }
    if !problems.is_empty() {
        return Err(LawError::Invalid { problems });
    }
    let handle = store.tenant(tenant.id);
    let zone = tenant.profile.time_zone.as_str();
    let unknown = || LawError::UnknownRecord {
        record: LawRecord::Settlement,
        id,
    };
    let recorded = handle
        .settlements(None, None)
        .await?
        .into_iter()
        .find(|record| record.id == id)
        .ok_or_else(unknown)?;
    let today = clock.today_in(zone);
    let recorded_on = recorded
        .recorded_at
        .in_tz(zone)
        .map(|zoned| zoned.date())
        .unwrap_or(recorded.settled_on);
    let undoing = SettlementUndoing {
        by: by.trim(),
        reason: reason.trim(),
        today,
        recorded_on,
        cancel_note: match language {
            Language::French => "annulé : le règlement qui soldait le dossier a été annulé",
            Language::English => "cancelled: the settlement that closed the case was undone",
        },
    };
    let undone = handle
        .undo_settlement(id, &undoing, clock.now())
        .await
        .map_err(|error| match error {
            StoreError::NotFound { .. } => unknown(),
            other => other.into(),
        })?;
    let record = handle
        .settlements(Some(recorded.customer), None)
        .await?
        .into_iter()
        .find(|record| record.id == id)
        .ok_or_else(unknown)?;
    Ok((record, undone))
}

/// Settlements of a customer (all when `None`), settled from `from` on.
pub async fn list(
    store: &Store,
    tenant: &TenantRecord,
    customer: Option<&str>,
    from: Option<Date>,
) -> Result<Vec<SettlementRecord>, LawError> {
    let customer = match customer {
        Some(reference) => Some(customer_id(store, tenant, reference).await?),
        None => None,
    };
    Ok(store.tenant(tenant.id).settlements(customer, from).await?)
}

/// How a settlement is named to a collector.
pub fn kind_name(kind: SettlementKind, language: domain::customer::Language) -> &'static str {
    use domain::customer::Language::{English, French};
    match (kind, language) {
        (SettlementKind::CreditNote, French) => "avoir",
        (SettlementKind::CreditNote, English) => "credit note",
        (SettlementKind::InKind, French) => "règlement en nature",
        (SettlementKind::InKind, English) => "settlement in kind",
        (SettlementKind::Assignment, French) => "cession de créance",
        (SettlementKind::Assignment, English) => "assignment",
        (SettlementKind::WriteOff, French) => "passage en perte",
        (SettlementKind::WriteOff, English) => "write-off",
    }
}
