//! A phone call's outcome captured in one go (the call workspace of the web pages): the
//! contact, and the promise or dispute that came out of it. Every value is checked before
//! anything is written, so a mistyped amount never leaves a contact logged without its promise.

use domain::case::{DelayReason, DisputeReason};
use domain::contact_policy::ContactOutcome;
use domain::customer::CustomerRef;
use domain::money::Money;
use jiff::civil::Date;
use store::{ActionRecord, Store, StoreError, TenantRecord};

use crate::bilingual::Bilingual;
use crate::clock::Clock;
use crate::dunning::{ContactEntry, DunningError, add_promise, log_contact, open_dispute};

/// What the collector entered after a call.
#[derive(Debug, Clone, Copy)]
pub struct CallOutcome<'a> {
    pub customer: &'a str,
    /// `reached`, `no-answer`, `wrong-number`.
    pub outcome: &'a str,
    /// Why the debtor is late (required when reached).
    pub reason: Option<&'a str>,
    /// A promise: amount (decimal text) and date.
    pub promise: Option<(&'a str, Date)>,
    /// A dispute: invoice number and reason code.
    pub dispute: Option<(&'a str, &'a str)>,
    pub note: &'a str,
}

/// What a call recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallRecorded {
    pub contact: i64,
    pub promise: Option<i64>,
    pub dispute: Option<i64>,
}

/// Checks every part of the call, then logs the contact and records the promise and dispute.
pub async fn record_call(
    store: &Store,
    tenant: &TenantRecord,
    clock: Clock,
    call: &CallOutcome<'_>,
) -> Result<CallRecorded, DunningError> {
    let invalid = |fr: String, en: String| DunningError::Invalid(Bilingual::new(fr, en));
    let outcome = ContactOutcome::parse(call.outcome)
        .filter(|outcome| *outcome != ContactOutcome::Sent)
        .ok_or_else(|| {
            invalid(
                format!("issue d'appel inconnue {:?}", call.outcome),
                format!("unknown call outcome {:?}", call.outcome),
            )
        })?;
    let reason = call.reason.map(str::trim).filter(|text| !text.is_empty());
    if let Some(reason) = reason
        && DelayReason::parse(reason).is_none()
    {
        return Err(invalid(
            format!("motif de retard inconnu {reason:?}"),
            format!("unknown reason for the delay {reason:?}"),
        ));
    }
    if outcome == ContactOutcome::Reached && reason.is_none() {
        return Err(invalid(
            "le débiteur a été joint : dites pourquoi il est en retard".into(),
            "the debtor was reached: say why they are late".into(),
        ));
    }
    if outcome != ContactOutcome::Reached && (call.promise.is_some() || call.dispute.is_some()) {
        return Err(invalid(
            "une promesse ou un litige suppose d'avoir joint le débiteur".into(),
            "a promise or a dispute needs the debtor reached".into(),
        ));
    }
    if let Some((amount, due_on)) = call.promise {
        let money =
            Money::parse_decimal(amount.trim(), tenant.profile.currency).map_err(|error| {
                invalid(
                    format!("montant promis {amount:?} : {error}"),
                    format!("promised amount {amount:?}: {error}"),
                )
            })?;
        if !money.is_positive() {
            return Err(DunningError::Invalid(crate::dunning::positive_promise()));
        }
        if due_on < clock.today_in(tenant.profile.time_zone.as_str()) {
            return Err(DunningError::Invalid(crate::dunning::promise_past(due_on)));
        }
    }
    let unknown_customer = || DunningError::UnknownCustomer {
        reference: call.customer.to_owned(),
    };
    let reference = CustomerRef::parse(call.customer).map_err(|_| unknown_customer())?;
    let customer = match store.tenant(tenant.id).customer_id(&reference).await {
        Ok(id) => id,
        Err(StoreError::NotFound { .. }) => return Err(unknown_customer()),
        Err(error) => return Err(error.into()),
    };
    if let Some((number, reason)) = call.dispute {
        if DisputeReason::parse(reason).is_none() {
            return Err(invalid(
                format!("motif de litige inconnu {reason:?}"),
                format!("unknown dispute reason {reason:?}"),
            ));
        }
        match store
            .tenant(tenant.id)
            .invoice_by_number(number.trim())
            .await
        {
            // An invoice of another customer is not this call's to dispute.
            Ok((_, owner)) if owner == customer => {}
            Ok(_) => {
                return Err(DunningError::UnknownInvoice {
                    number: number.to_owned(),
                });
            }
            Err(StoreError::NotFound { .. }) => {
                return Err(DunningError::UnknownInvoice {
                    number: number.to_owned(),
                });
            }
            Err(error) => return Err(error.into()),
        }
    }
    let contact = log_contact(
        store,
        tenant,
        clock,
        &ContactEntry {
            customer: call.customer,
            channel: "phone",
            outcome: outcome.code(),
            reason,
            note: call.note,
            on: None,
        },
    )
    .await?;
    let promise = match call.promise {
        Some((amount, due_on)) => Some(
            add_promise(
                store,
                tenant,
                clock,
                call.customer,
                amount,
                due_on,
                call.note,
            )
            .await?,
        ),
        None => None,
    };
    let dispute = match call.dispute {
        Some((number, reason)) => {
            Some(open_dispute(store, tenant, clock, number, reason, call.note).await?)
        }
        None => None,
    };
    Ok(CallRecorded {
        contact,
        promise,
        dispute,
    })
}

/// One recorded action.
pub async fn action(
    store: &Store,
    tenant: &TenantRecord,
    id: i64,
) -> Result<ActionRecord, DunningError> {
    match store.tenant(tenant.id).action(id).await {
        Ok(action) => Ok(action),
        Err(StoreError::NotFound { .. }) => Err(DunningError::UnknownAction { id }),
        Err(error) => Err(error.into()),
    }
}
