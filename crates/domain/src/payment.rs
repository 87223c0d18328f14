//! Payments received and their allocation to invoices ("lettrage").
//!
//! The invariants: an allocation is positive, the allocations of a payment never exceed it, and
//! an allocation never takes an invoice's outstanding below zero. The database enforces the same
//! rules with constraints; these functions let the caller refuse before writing.

use crate::money::{Money, MoneyError};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AllocationError {
    #[error("an allocation must be positive, got {amount}")]
    NotPositive { amount: Money },
    #[error("allocating {amount} would exceed the payment: {unallocated} left to allocate")]
    ExceedsPayment { amount: Money, unallocated: Money },
    #[error("allocating {amount} would exceed the invoice's outstanding {outstanding}")]
    ExceedsOutstanding { amount: Money, outstanding: Money },
    #[error(transparent)]
    Money(#[from] MoneyError),
}

/// The state of one payment and one invoice before an allocation between them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AllocationCheck {
    pub payment_amount: Money,
    pub already_allocated: Money,
    pub invoice_outstanding: Money,
}

/// Checks an allocation and returns the invoice's new outstanding amount.
pub fn allocate(check: AllocationCheck, amount: Money) -> Result<Money, AllocationError> {
    if !amount.is_positive() {
        return Err(AllocationError::NotPositive { amount });
    }
    let unallocated = check.payment_amount.checked_sub(check.already_allocated)?;
    if amount.checked_sub(unallocated)?.is_positive() {
        return Err(AllocationError::ExceedsPayment {
            amount,
            unallocated,
        });
    }
    let remaining = check.invoice_outstanding.checked_sub(amount)?;
    if remaining.is_negative() {
        return Err(AllocationError::ExceedsOutstanding {
            amount,
            outstanding: check.invoice_outstanding,
        });
    }
    Ok(remaining)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Currency;

    fn eur(minor: i64) -> Money {
        Money::from_minor(minor, Currency::EUR)
    }

    fn check(payment: i64, allocated: i64, outstanding: i64) -> AllocationCheck {
        AllocationCheck {
            payment_amount: eur(payment),
            already_allocated: eur(allocated),
            invoice_outstanding: eur(outstanding),
        }
    }

    #[test]
    fn an_allocation_reduces_the_outstanding() {
        assert_eq!(
            allocate(check(10_000, 0, 12_000), eur(10_000)),
            Ok(eur(2_000))
        );
        assert_eq!(
            allocate(check(10_000, 4_000, 6_000), eur(6_000)),
            Ok(eur(0))
        );
    }

    #[test]
    fn allocations_never_exceed_the_payment() {
        assert!(matches!(
            allocate(check(10_000, 4_000, 50_000), eur(6_001)),
            Err(AllocationError::ExceedsPayment { .. })
        ));
    }

    #[test]
    fn allocations_never_take_an_invoice_below_zero() {
        assert!(matches!(
            allocate(check(10_000, 0, 5_000), eur(5_001)),
            Err(AllocationError::ExceedsOutstanding { .. })
        ));
    }

    #[test]
    fn allocations_are_positive_and_in_one_currency() {
        assert!(matches!(
            allocate(check(100, 0, 100), eur(0)),
            Err(AllocationError::NotPositive { .. })
        ));
        let usd = Money::from_minor(10, Currency::from_code("USD").unwrap());
        assert!(matches!(
            allocate(check(100, 0, 100), usd),
            Err(AllocationError::Money(_))
        ));
    }
}
