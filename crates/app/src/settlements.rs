//! Settlements other than a payment, as a collector or a manager records them: a credit note,
//! a settlement in kind, an assignment of the receivable, a write-off. Each takes its amount off
//! the invoice at once (dunning follows the new balance), with a reason and who decided it, and
//! stays on the customer's timeline and in the settlements report.

use domain::money::Money;
use domain::settlement::{SettlementKind, settled_amount};
use jiff::civil::Date;
use store::{NewSettlement, SettlementRecord, Store, TenantRecord};

use crate::clock::Clock;
use crate::late_payment::{
    InputProblem, InputProblemKind, LawError, customer_id, customer_invoice, positive_amount,
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
}

/// Records a settlement and takes it off the invoice. The same settlement recorded twice (same
/// invoice, kind, amount, day and reason) is recorded once.
pub async fn record(
    store: &Store,
    tenant: &TenantRecord,
    clock: Clock,
    request: &SettlementRequest<'_>,
) -> Result<SettlementRecord, LawError> {
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
        record.invoice == invoice
            && record.kind == kind
            && record.settled_on == request.on
            && record.reason == reason
            && amount.is_none_or(|amount| record.amount == amount)
    }) {
        return Ok(same);
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
    let id = handle
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
    Ok(handle
        .settlements(Some(customer), None)
        .await?
        .into_iter()
        .find(|record| record.id == id)
        .expect("the settlement just recorded"))
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
