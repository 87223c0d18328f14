//! What happens around a customer's case besides reminders: why they are late, the promises
//! they make, the invoices they dispute.

use jiff::Span;
use jiff::civil::Date;

use crate::money::Money;

/// The reason for the delay, asked on every contact: it decides what to do next.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DelayReason {
    Forgot,
    CashFlow,
    Dispute,
    WrongEntity,
    BadFaith,
    Insolvency,
    Other,
}

impl DelayReason {
    pub const ALL: [DelayReason; 7] = [
        DelayReason::Forgot,
        DelayReason::CashFlow,
        DelayReason::Dispute,
        DelayReason::WrongEntity,
        DelayReason::BadFaith,
        DelayReason::Insolvency,
        DelayReason::Other,
    ];

    pub fn code(&self) -> &'static str {
        match self {
            DelayReason::Forgot => "forgot",
            DelayReason::CashFlow => "cash-flow",
            DelayReason::Dispute => "dispute",
            DelayReason::WrongEntity => "wrong-entity",
            DelayReason::BadFaith => "bad-faith",
            DelayReason::Insolvency => "insolvency",
            DelayReason::Other => "other",
        }
    }

    pub fn parse(text: &str) -> Option<DelayReason> {
        let wanted = text.trim().to_ascii_lowercase().replace('_', "-");
        DelayReason::ALL
            .into_iter()
            .find(|reason| reason.code() == wanted)
    }
}

/// Why a customer disputes an invoice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DisputeReason {
    NotReceived,
    Defective,
    PriceDisagreement,
    AlreadyPaid,
    NotOrdered,
    Other,
}

impl DisputeReason {
    pub const ALL: [DisputeReason; 6] = [
        DisputeReason::NotReceived,
        DisputeReason::Defective,
        DisputeReason::PriceDisagreement,
        DisputeReason::AlreadyPaid,
        DisputeReason::NotOrdered,
        DisputeReason::Other,
    ];

    pub fn code(&self) -> &'static str {
        match self {
            DisputeReason::NotReceived => "not-received",
            DisputeReason::Defective => "defective",
            DisputeReason::PriceDisagreement => "price",
            DisputeReason::AlreadyPaid => "already-paid",
            DisputeReason::NotOrdered => "not-ordered",
            DisputeReason::Other => "other",
        }
    }

    pub fn parse(text: &str) -> Option<DisputeReason> {
        let wanted = text.trim().to_ascii_lowercase().replace('_', "-");
        DisputeReason::ALL
            .into_iter()
            .find(|reason| reason.code() == wanted)
    }
}

/// How a dispute ended. Upheld: the customer was right and the invoice leaves dunning for good
/// (it is to be cancelled or credited); rejected: dunning resumes; credit-note: a credit note
/// settles it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DisputeOutcome {
    Upheld,
    Rejected,
    CreditNote,
}

impl DisputeOutcome {
    pub const ALL: [DisputeOutcome; 3] = [
        DisputeOutcome::Upheld,
        DisputeOutcome::Rejected,
        DisputeOutcome::CreditNote,
    ];

    pub fn code(&self) -> &'static str {
        match self {
            DisputeOutcome::Upheld => "upheld",
            DisputeOutcome::Rejected => "rejected",
            DisputeOutcome::CreditNote => "credit-note",
        }
    }

    pub fn parse(text: &str) -> Option<DisputeOutcome> {
        let wanted = text.trim().to_ascii_lowercase().replace('_', "-");
        DisputeOutcome::ALL
            .into_iter()
            .find(|outcome| outcome.code() == wanted)
    }

    /// Only a rejected dispute puts the invoice back into dunning.
    pub fn resumes_dunning(&self) -> bool {
        matches!(self, DisputeOutcome::Rejected)
    }
}

/// A promise to pay an amount by a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Promise {
    pub amount: Money,
    pub due_on: Date,
    /// What the customer owed when promising; paying brings the balance down by the amount.
    pub balance_when_made: Money,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PromiseStatus {
    Pending,
    Kept,
    Broken,
}

impl PromiseStatus {
    pub fn code(&self) -> &'static str {
        match self {
            PromiseStatus::Pending => "pending",
            PromiseStatus::Kept => "kept",
            PromiseStatus::Broken => "broken",
        }
    }
}

impl Promise {
    /// Kept as soon as the balance has come down by the promised amount; broken once the date
    /// and the grace days have passed without it.
    pub fn status(&self, balance_now: Money, today: Date, grace_days: u16) -> PromiseStatus {
        let paid = self.balance_when_made.minor() - balance_now.minor();
        if paid >= self.amount.minor() {
            PromiseStatus::Kept
        } else if today > self.last_day(grace_days) {
            PromiseStatus::Broken
        } else {
            PromiseStatus::Pending
        }
    }

    /// The last day the case stays paused for this promise.
    pub fn last_day(&self, grace_days: u16) -> Date {
        self.due_on + Span::new().days(i64::from(grace_days))
    }
}

#[cfg(test)]
#[allow(clippy::inconsistent_digit_grouping)] // cents grouped as euros_cents
mod tests {
    use super::*;
    use crate::money::Currency;
    use jiff::civil::date;

    fn eur(minor: i64) -> Money {
        Money::from_minor(minor, Currency::EUR)
    }

    fn promise() -> Promise {
        Promise {
            amount: eur(500_00),
            due_on: date(2026, 12, 4),
            balance_when_made: eur(1_200_00),
        }
    }

    #[test]
    fn a_promise_is_kept_when_the_promised_amount_comes_in() {
        assert_eq!(
            promise().status(eur(700_00), date(2026, 12, 2), 3),
            PromiseStatus::Kept
        );
    }

    #[test]
    fn a_promise_waits_through_its_grace_days_then_breaks() {
        let promise = promise();
        assert_eq!(
            promise.status(eur(1_000_00), date(2026, 12, 7), 3),
            PromiseStatus::Pending
        );
        assert_eq!(
            promise.status(eur(1_000_00), date(2026, 12, 8), 3),
            PromiseStatus::Broken
        );
    }

    #[test]
    fn codes_are_read_with_dashes_or_underscores() {
        assert_eq!(DelayReason::parse("cash_flow"), Some(DelayReason::CashFlow));
        assert_eq!(
            DisputeOutcome::parse("credit-note"),
            Some(DisputeOutcome::CreditNote)
        );
        assert_eq!(
            DisputeReason::parse("price"),
            Some(DisputeReason::PriceDisagreement)
        );
        assert_eq!(DelayReason::parse("moon"), None);
    }
}
