//! Settlements other than a payment: what reduces an invoice's balance when no money comes in.
//!
//! - A **credit note** corrects the invoice: the amount was never owed, so late-payment charges
//!   never ran on it.
//! - A **settlement in kind** (goods or services exchanged, at their value) pays on its day, like
//!   a payment: charges ran on it until then.
//! - An **assignment** transfers the receivable to a third party, with its accessories: the
//!   creditor claims nothing more on it.
//! - A **write-off** gives the balance up: nothing more is claimed on it.
//!
//! An assignment always takes the whole balance; the others take an amount, at most the balance
//! (a write-off defaults to the whole balance).

use crate::money::Money;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SettlementKind {
    CreditNote,
    InKind,
    Assignment,
    WriteOff,
}

impl SettlementKind {
    pub const ALL: [SettlementKind; 4] = [
        SettlementKind::CreditNote,
        SettlementKind::InKind,
        SettlementKind::Assignment,
        SettlementKind::WriteOff,
    ];

    pub fn code(&self) -> &'static str {
        match self {
            SettlementKind::CreditNote => "credit-note",
            SettlementKind::InKind => "in-kind",
            SettlementKind::Assignment => "assignment",
            SettlementKind::WriteOff => "write-off",
        }
    }

    pub fn parse(text: &str) -> Option<SettlementKind> {
        let text = text.trim().to_ascii_lowercase();
        SettlementKind::ALL
            .into_iter()
            .find(|kind| kind.code() == text)
    }

    /// Whether it counts as paid on its day for late-payment charges (a settlement in kind);
    /// otherwise the amount is taken off the invoice from the start.
    pub fn pays_on_its_day(&self) -> bool {
        matches!(self, SettlementKind::InKind)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SettlementError {
    #[error("the invoice owes nothing")]
    NothingOwed,
    #[error("a credit note or a settlement in kind needs an amount")]
    AmountRequired,
    #[error("an assignment transfers the whole balance: give no amount")]
    AssignmentTakesTheBalance,
    #[error("the amount must be positive")]
    NotPositive,
    #[error("the amount is more than the invoice's balance ({balance})")]
    MoreThanOwed { balance: Money },
    #[error("the amount is in another currency than the invoice")]
    CurrencyMismatch,
}

/// How much of `balance` a settlement of `kind` takes, given the `amount` asked (if any).
pub fn settled_amount(
    kind: SettlementKind,
    balance: Money,
    amount: Option<Money>,
) -> Result<Money, SettlementError> {
    if !balance.is_positive() {
        return Err(SettlementError::NothingOwed);
    }
    let amount = match (kind, amount) {
        (SettlementKind::Assignment, Some(_)) => {
            return Err(SettlementError::AssignmentTakesTheBalance);
        }
        (SettlementKind::Assignment | SettlementKind::WriteOff, None) => return Ok(balance),
        (SettlementKind::CreditNote | SettlementKind::InKind, None) => {
            return Err(SettlementError::AmountRequired);
        }
        (_, Some(amount)) => amount,
    };
    if amount.currency() != balance.currency() {
        return Err(SettlementError::CurrencyMismatch);
    }
    if !amount.is_positive() {
        return Err(SettlementError::NotPositive);
    }
    if amount.minor() > balance.minor() {
        return Err(SettlementError::MoreThanOwed { balance });
    }
    Ok(amount)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Currency;

    fn eur(minor: i64) -> Money {
        Money::from_minor(minor, Currency::EUR)
    }

    #[test]
    fn an_assignment_and_a_default_write_off_take_the_whole_balance() {
        let balance = eur(120_000);
        assert_eq!(
            settled_amount(SettlementKind::Assignment, balance, None),
            Ok(balance)
        );
        assert_eq!(
            settled_amount(SettlementKind::WriteOff, balance, None),
            Ok(balance)
        );
        assert_eq!(
            settled_amount(SettlementKind::WriteOff, balance, Some(eur(20_000))),
            Ok(eur(20_000))
        );
        assert_eq!(
            settled_amount(SettlementKind::Assignment, balance, Some(eur(1))),
            Err(SettlementError::AssignmentTakesTheBalance)
        );
    }

    #[test]
    fn a_credit_note_or_a_settlement_in_kind_takes_an_amount_within_the_balance() {
        let balance = eur(50_000);
        for kind in [SettlementKind::CreditNote, SettlementKind::InKind] {
            assert_eq!(
                settled_amount(kind, balance, Some(eur(50_000))),
                Ok(balance)
            );
            assert_eq!(
                settled_amount(kind, balance, None),
                Err(SettlementError::AmountRequired)
            );
            assert_eq!(
                settled_amount(kind, balance, Some(eur(50_001))),
                Err(SettlementError::MoreThanOwed { balance })
            );
            assert_eq!(
                settled_amount(kind, balance, Some(eur(0))),
                Err(SettlementError::NotPositive)
            );
        }
        assert_eq!(
            settled_amount(SettlementKind::CreditNote, eur(0), Some(eur(1))),
            Err(SettlementError::NothingOwed)
        );
        assert!(SettlementKind::InKind.pays_on_its_day());
        assert!(!SettlementKind::CreditNote.pays_on_its_day());
        assert_eq!(
            SettlementKind::parse(" Write-Off "),
            Some(SettlementKind::WriteOff)
        );
    }
}
