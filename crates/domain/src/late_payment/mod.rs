//! Late-payment law: interest, penalties and fixed indemnities per jurisdiction, from dated rate
//! tables, explained period by period.
//!
//! - `Rate` and `HalfYear`: exact annual rates (hundredths of a basis point) and the
//!   half-years rates are fixed for.
//! - `RateTables`: the ECB main refinancing rate, the French legal interest rate per semester
//!   and category, the German base rate. Values, not code: `formats::rate_tables` reads them
//!   from the CSV files compiled in or supplied by the operator. A date a table does not cover
//!   is an error, never a zero.
//! - `Jurisdiction` (`fr-b2b`, `fr-b2c`, `de-b2b`, `de-b2c`, `eu`, `contract:RATE`), the
//!   `LatePaymentTerms` of a customer, and the `LatePaymentSettings` for the points the law
//!   leaves open (day count in leap years, imputation of partial payments, the French B2B floor,
//!   the post-judgment increase).
//! - `late_interest`: one invoice's interest, indemnity and balance, with its periods.
//! - `statement_of_account`: a customer's invoices together, each rounded on its own.
//! - `claimed_statement`: the statement as the creditor claims it, with its `LatePaymentPolicy`
//!   (from when it claims: never, from the formal notice, from the due date) and the `Waiver`s
//!   it granted; `Jurisdiction::for_customer` chooses a customer's rule set from its country and
//!   kind.
//! - `late_payment_mention`: the mention invoices and terms of sale must carry, in French and
//!   English.
//!
//! The sources, the worked examples the tests reproduce and the open questions are in the
//! shared legal notes (LAW.md); the module documentation of `interest` states every convention.

#![deny(clippy::float_arithmetic)]

mod claim;
mod interest;
mod mention;
mod rate;
mod rules;
mod statement;
mod tables;

pub use claim::{
    ClaimStart, ClaimStatus, ClaimedLine, ClaimedStatement, ClaimedTotals, CostsNotClaimed,
    LatePaymentPolicy, ProvenCosts, Share, ShareError, WaivedCharges, Waiver, WaiverEffect,
    WaiverExtent, claimed_statement,
};
pub use interest::{
    Balance, Claim, ClaimPayment, ExactAmount, InterestPeriod, LateInterest, LatePaymentError,
    PaymentImputation, RateBasis, Remark, late_interest,
};
pub use mention::{EarlyPaymentDiscount, late_payment_mention};
pub use rate::{Half, HalfYear, HalfYearError, Rate, RateError};
pub use rules::{
    BelowFloorPolicy, ContractRate, ContractRateError, CreditorKind, DayCount, InterestStart,
    Jurisdiction, JurisdictionError, LatePaymentSettings, LatePaymentTerms, PaymentOrder,
    PostJudgmentIncrease, StatutoryRateFloor,
};
pub use statement::{
    Statement, StatementEntry, StatementError, StatementLine, StatementTotals, statement_of_account,
};
pub use tables::{
    EcbRateChange, EcbRates, FrenchLegalRates, GermanBaseRate, GermanBaseRates, LegalRate,
    LegalRateCategory, RateTable, RateTableError, RateTableKind, RateTables,
};
