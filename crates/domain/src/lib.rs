//! The pure core of Relance.
//!
//! Everything Relance knows about money, customers, receivables and reports, as plain values and
//! pure functions. This crate does no I/O, reads no clock, draws no random numbers and knows no
//! file format, database or protocol: facts (including `today`) come in as arguments, decisions
//! and figures go out as values. The other crates parse into these types (`formats`), store them
//! (`store`) and orchestrate them (`app`).
//!
//! - `ids`: typed identifiers of stored records.
//! - `money`: `Money` in integer minor units of a `Currency`; exact, checked arithmetic.
//! - `identifiers`: validated legal and banking identifiers (SIREN, IBAN, ISO 11649 creditor
//!   references, country codes).
//! - `creditor`: the business that is owed money (a tenant's profile).
//! - `customer`: the creditor's customers (debtors), their kind, language and contact consent.
//! - `receivable`: invoices and credit notes, their balances and status.
//! - `payment`: payments and their allocations to invoices, with the invariants that bind them.
//! - `bank`: bank statements and their booked entries as every bank format reads into them,
//!   and the layered keys that keep a re-imported entry from becoming a second payment.
//! - `matching`: which open invoices a bank credit pays, how sure, and why (RF references,
//!   invoice numbers in the text, known accounts, names, amounts and sums of amounts).
//! - `report`: report maths, starting with the aged balance.
//! - `calendar`: public holidays (France, Alsace-Moselle) and the date of Easter.
//! - `contact_hours`: when a debtor may be contacted, on the debtor's own clock.
//! - `scenario`: escalation ladders as data, with the two French defaults.
//! - `contact_policy`: how often and through what a debtor may be contacted.
//! - `case`: reasons for delay, promises, disputes.
//! - `engine`: the next step for one customer on one day, with its reasons.
//! - `late_payment`: late-payment interest, penalties and indemnities per jurisdiction, from
//!   dated rate tables; statements of account; the mandatory invoice mention.

pub mod bank;
pub mod calendar;
pub mod case;
pub mod contact_hours;
pub mod contact_policy;
pub mod creditor;
pub mod customer;
pub mod engine;
pub mod explanation;
pub mod identifiers;
pub mod ids;
pub mod late_payment;
pub mod matching;
pub mod money;
pub mod payment;
pub mod plan;
pub mod receivable;
pub mod report;
pub mod scenario;
pub mod settlement;
