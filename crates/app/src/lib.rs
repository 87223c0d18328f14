//! Relance's use cases: one function per operation a user can ask for, shared by the command
//! line and (later) the web application.
//!
//! Each use case reads what it needs through `store`, calls `domain` for every decision and
//! figure, and writes the result in one transaction. Nothing here parses files (that is
//! `formats`) or prints (that is the binary); time comes in as a value from `Clock`.
//!
//! - `setup`: create a creditor (tenant) and find the one to work on.
//! - `import`: import customers and invoices from a CSV or FEC file, all or nothing.
//! - `queries`: customer and invoice lists, and the aged balance.
//! - `customer_details`: what a collector completes or corrects about a customer (contact
//!   details, consent, time zone, language, risk segment, scenario), and closing incidents.
//! - `dunning`: the daily run and what collectors record around it (promises, disputes, holds,
//!   incidents, contacts, approvals), with the scenarios and contact policy behind it.
//! - `late_payment`: late-payment law: a customer's statement of account (décompte), one-off
//!   interest, the rate tables in force and their replacement, the tenant's late-payment
//!   policy, waivers, and the mandatory mention for invoices and terms of sale.
//! - `templates`: the message templates (list, show, edit with checks, reset, preview with a
//!   customer's data or the sample) and the PDF letters of recorded actions and print batches.
//! - `payments`: bank statements imported and matched to open invoices, the review queue,
//!   manual payments, and what a payment does (promises kept, messages stopped, the case closed
//!   with a receipt and thanks).
//! - `delivery`: the dispatcher (the outbox filled from scheduled e-mail and SMS actions,
//!   each message sent once inside the debtor's hours, retried, failed or left for a person
//!   when its delivery is unknown) and the outbox's list, content and resolutions.
//! - `accounts`: accounts of the web application, their roles, sessions and API tokens.
//! - `calls`: a call's outcome (contact, promise, dispute) checked whole, then recorded.
//! - `overview`: the dashboard's figures and lists, and pages of customers.
//! - `demo`: a realistic demo portfolio, imported through the same path as a user's file.

pub mod accounts;
pub mod audit;
pub mod bilingual;
pub mod calls;
pub mod clock;
pub mod customer_details;
pub mod delivery;
pub mod demo;
pub mod dunning;
pub mod idempotency;
pub mod import;
pub mod late_payment;
pub mod overview;
pub mod payments;
pub mod plans;
pub mod portal;
pub mod queries;
pub mod recovery;
pub mod settlements;
pub mod setup;
pub mod templates;

/// Yardsticks the benchmarks measure Relance against, on the same SQLite file.
pub use store::reference;
pub use store::{
    ActionFilter, ActionRecord, ApiTokenRecord, AppliedPayment, AuditRecord, BankLineRecord,
    CollectionCostRecord, ContactLogRecord, CustomerDetailsRecord, CustomerFile, CustomerPage,
    CustomerQuery, CustomerSettings, CustomerSort, CustomerSummary, CustomerTermsRecord,
    DebtorRecord, DisputeRecord, HoldRecord, IncidentDetail, IncidentRecord, InvoiceFilter,
    InvoiceRecord, PaymentRecord, PlanDocumentKind, PlanRecord, PlanSettings, PlanStatus,
    PromiseOfCustomer, PromiseRecord, RecoveryStepKind, RecoveryStepRecord, SettlementRecord,
    Store, StoreError, TenantRecord, WaiverRecord,
};
