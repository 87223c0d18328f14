//! The store's contract: every operation behaves the same on SQLite and PostgreSQL.

mod bank_lines;
mod customer_details;
mod durability;
mod fixtures;
mod imports;
mod late_payment;
mod ledger_totals;
mod money_rules;
mod outbox;
mod templates;
mod tenancy;
