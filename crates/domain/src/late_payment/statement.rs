//! The statement of account (décompte) of one customer: each invoice with its payments,
//! interest and indemnity, and the total due.
//!
//! Each invoice is its own claim, computed and rounded on its own (LAW.md C4): the totals are
//! sums of rounded per-invoice figures, never a rounding of pooled interest (V7: 35.94, not
//! 35.95).

use jiff::civil::Date;

use crate::money::{Currency, Money, MoneyError};
use crate::receivable::InvoiceNumber;

use super::interest::{Claim, LateInterest, LatePaymentError, late_interest};
use super::rules::{LatePaymentSettings, LatePaymentTerms};
use super::tables::RateTables;

/// One invoice of the statement and the terms it falls under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementEntry {
    pub invoice: InvoiceNumber,
    pub claim: Claim,
    pub terms: LatePaymentTerms,
}

/// One invoice's figures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementLine {
    pub invoice: InvoiceNumber,
    pub due_on: Date,
    pub late_interest: LateInterest,
}

/// Sums over the statement's invoices.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatementTotals {
    pub principal: Money,
    pub interest: Money,
    pub indemnity: Money,
    /// `principal + interest + indemnity`.
    pub total: Money,
    pub paid: Money,
    /// What is still due: `total - paid`.
    pub due: Money,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    pub as_of: Date,
    pub currency: Currency,
    /// In the order the entries were given.
    pub lines: Vec<StatementLine>,
    pub totals: StatementTotals,
}

impl Statement {
    /// Whether any invoice has a figure a person must review before it is claimed.
    pub fn needs_review(&self) -> bool {
        self.lines
            .iter()
            .any(|line| line.late_interest.needs_review())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StatementError {
    #[error("invoice {invoice}: {source}")]
    Invoice {
        invoice: InvoiceNumber,
        source: LatePaymentError,
    },
    #[error("invoice {invoice} is in {found}, the statement in {expected}")]
    CurrencyMismatch {
        invoice: InvoiceNumber,
        expected: Currency,
        found: Currency,
    },
    #[error("a waiver in {found} on a statement in {expected}")]
    WaiverCurrencyMismatch { expected: Currency, found: Currency },
    #[error("collection costs in {found} on a statement in {expected}")]
    CostsCurrencyMismatch { expected: Currency, found: Currency },
    #[error("the statement's totals are too large")]
    Overflow,
}

impl From<MoneyError> for StatementError {
    fn from(_: MoneyError) -> StatementError {
        // Currencies are checked per invoice first, so only an overflow is left.
        StatementError::Overflow
    }
}

/// The statement of account in `currency` as of `as_of`: every entry computed through that day.
pub fn statement_of_account(
    currency: Currency,
    entries: &[StatementEntry],
    as_of: Date,
    tables: &RateTables,
    settings: &LatePaymentSettings,
) -> Result<Statement, StatementError> {
    let zero = Money::zero(currency);
    let mut totals = StatementTotals {
        principal: zero,
        interest: zero,
        indemnity: zero,
        total: zero,
        paid: zero,
        due: zero,
    };
    let mut lines = Vec::with_capacity(entries.len());
    for entry in entries {
        let found = entry.claim.principal.currency();
        if found != currency {
            return Err(StatementError::CurrencyMismatch {
                invoice: entry.invoice.clone(),
                expected: currency,
                found,
            });
        }
        let figures = late_interest(&entry.claim, &entry.terms, as_of, tables, settings).map_err(
            |source| StatementError::Invoice {
                invoice: entry.invoice.clone(),
                source,
            },
        )?;
        totals = StatementTotals {
            principal: totals.principal.checked_add(figures.principal)?,
            interest: totals.interest.checked_add(figures.interest)?,
            indemnity: totals.indemnity.checked_add(figures.indemnity)?,
            total: totals.total.checked_add(figures.total)?,
            paid: totals.paid.checked_add(figures.paid)?,
            due: totals.due.checked_add(figures.balance.total)?,
        };
        lines.push(StatementLine {
            invoice: entry.invoice.clone(),
            due_on: entry.claim.due_on,
            late_interest: figures,
        });
    }
    Ok(Statement {
        as_of,
        currency,
        lines,
        totals,
    })
}
