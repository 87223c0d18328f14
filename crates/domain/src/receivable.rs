//! Receivables: invoices and credit notes, and what is still owed on them.
//!
//! An invoice's `outstanding` is what remains to be paid after payments and credits; it is
//! never negative and never above the invoice amount (checked here and by the database).

use std::fmt;

use jiff::civil::Date;

use crate::customer::{CustomerRef, REFERENCE_LENGTH_MAX};
use crate::money::Money;

/// An invoice number as the creditor issued it; unique within a tenant.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct InvoiceNumber(String);

impl InvoiceNumber {
    pub fn parse(text: &str) -> Result<InvoiceNumber, InvoiceError> {
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err(InvoiceError::EmptyNumber);
        }
        // At most as many characters as bytes: only longer texts need counting.
        if trimmed.len() > REFERENCE_LENGTH_MAX && trimmed.chars().count() > REFERENCE_LENGTH_MAX {
            return Err(InvoiceError::NumberTooLong {
                number: trimmed.to_owned(),
                max: REFERENCE_LENGTH_MAX,
            });
        }
        Ok(InvoiceNumber(trimmed.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for InvoiceNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Display for InvoiceNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvoiceError {
    #[error("the invoice number is empty")]
    EmptyNumber,
    #[error("the invoice number {number:?} is longer than {max} characters")]
    NumberTooLong { number: String, max: usize },
    #[error("the amount {amount} is not positive (credit notes are not invoices)")]
    AmountNotPositive { amount: Money },
    #[error("the outstanding amount {outstanding} is negative")]
    OutstandingNegative { outstanding: Money },
    #[error("the outstanding amount {outstanding} is larger than the invoice amount {amount}")]
    OutstandingAboveAmount { outstanding: Money, amount: Money },
    #[error("the outstanding amount is in {outstanding} but the invoice in {amount}")]
    CurrencyMismatch { outstanding: Money, amount: Money },
    #[error("the due date {due_on} is before the issue date {issued_on}")]
    DueBeforeIssue { issued_on: Date, due_on: Date },
}

/// Open while something is owed, paid once nothing is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InvoiceStatus {
    Open,
    Paid,
}

impl InvoiceStatus {
    pub fn code(&self) -> &'static str {
        match self {
            InvoiceStatus::Open => "open",
            InvoiceStatus::Paid => "paid",
        }
    }
}

/// An invoice as a source file or the user states it. Construction checks the money invariants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceDetails {
    number: InvoiceNumber,
    customer: CustomerRef,
    issued_on: Date,
    due_on: Date,
    service_on: Option<Date>,
    amount: Money,
    outstanding: Money,
}

/// The dates of an invoice: issue, due and, when known, the date of the service or delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvoiceDates {
    pub issued_on: Date,
    pub due_on: Date,
    pub service_on: Option<Date>,
}

impl InvoiceDetails {
    pub fn new(
        number: InvoiceNumber,
        customer: CustomerRef,
        dates: InvoiceDates,
        amount: Money,
        outstanding: Money,
    ) -> Result<InvoiceDetails, InvoiceError> {
        if amount.currency() != outstanding.currency() {
            return Err(InvoiceError::CurrencyMismatch {
                outstanding,
                amount,
            });
        }
        if !amount.is_positive() {
            return Err(InvoiceError::AmountNotPositive { amount });
        }
        if outstanding.is_negative() {
            return Err(InvoiceError::OutstandingNegative { outstanding });
        }
        if outstanding.minor() > amount.minor() {
            return Err(InvoiceError::OutstandingAboveAmount {
                outstanding,
                amount,
            });
        }
        if dates.due_on < dates.issued_on {
            return Err(InvoiceError::DueBeforeIssue {
                issued_on: dates.issued_on,
                due_on: dates.due_on,
            });
        }
        Ok(InvoiceDetails {
            number,
            customer,
            issued_on: dates.issued_on,
            due_on: dates.due_on,
            service_on: dates.service_on,
            amount,
            outstanding,
        })
    }

    pub fn number(&self) -> &InvoiceNumber {
        &self.number
    }

    pub fn customer(&self) -> &CustomerRef {
        &self.customer
    }

    pub fn issued_on(&self) -> Date {
        self.issued_on
    }

    pub fn due_on(&self) -> Date {
        self.due_on
    }

    pub fn service_on(&self) -> Option<Date> {
        self.service_on
    }

    pub fn amount(&self) -> Money {
        self.amount
    }

    pub fn outstanding(&self) -> Money {
        self.outstanding
    }

    pub fn status(&self) -> InvoiceStatus {
        status_of(self.outstanding)
    }
}

pub fn status_of(outstanding: Money) -> InvoiceStatus {
    if outstanding.is_zero() {
        InvoiceStatus::Paid
    } else {
        InvoiceStatus::Open
    }
}

/// Whole days from the due date to `as_of`: positive when late, zero or negative before.
pub fn days_past_due(due_on: Date, as_of: Date) -> i32 {
    // The span between two civil dates is expressed in days only, so this is exact.
    (as_of - due_on).get_days()
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::*;
    use crate::money::Currency;

    fn eur(minor: i64) -> Money {
        Money::from_minor(minor, Currency::EUR)
    }

    fn invoice(
        amount: Money,
        outstanding: Money,
        issued_on: Date,
        due_on: Date,
    ) -> Result<InvoiceDetails, InvoiceError> {
        InvoiceDetails::new(
            InvoiceNumber::parse("F-001").unwrap(),
            CustomerRef::parse("C1").unwrap(),
            InvoiceDates {
                issued_on,
                due_on,
                service_on: None,
            },
            amount,
            outstanding,
        )
    }

    #[test]
    fn an_invoice_with_nothing_outstanding_is_paid() {
        let paid = invoice(eur(1000), eur(0), date(2025, 1, 10), date(2025, 2, 9)).unwrap();
        assert_eq!(paid.status(), InvoiceStatus::Paid);
        let open = invoice(eur(1000), eur(1), date(2025, 1, 10), date(2025, 2, 9)).unwrap();
        assert_eq!(open.status(), InvoiceStatus::Open);
    }

    #[test]
    fn outstanding_stays_between_zero_and_the_amount() {
        let day = date(2025, 1, 10);
        assert!(matches!(
            invoice(eur(1000), eur(-1), day, day),
            Err(InvoiceError::OutstandingNegative { .. })
        ));
        assert!(matches!(
            invoice(eur(1000), eur(1001), day, day),
            Err(InvoiceError::OutstandingAboveAmount { .. })
        ));
        assert!(matches!(
            invoice(eur(0), eur(0), day, day),
            Err(InvoiceError::AmountNotPositive { .. })
        ));
    }

    #[test]
    fn due_date_cannot_precede_issue_date() {
        assert!(matches!(
            invoice(eur(1000), eur(1000), date(2025, 1, 10), date(2025, 1, 9)),
            Err(InvoiceError::DueBeforeIssue { .. })
        ));
    }

    #[test]
    fn the_first_day_late_is_the_day_after_the_due_date() {
        let due_on = date(2025, 2, 28);
        assert_eq!(days_past_due(due_on, date(2025, 2, 28)), 0);
        assert_eq!(days_past_due(due_on, date(2025, 3, 1)), 1);
        assert_eq!(days_past_due(due_on, date(2025, 2, 25)), -3);
        assert_eq!(days_past_due(date(2024, 2, 28), date(2024, 3, 1)), 2);
    }
}
