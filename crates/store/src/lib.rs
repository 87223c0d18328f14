//! Persistence for Relance: SQLite (the embedded default) and PostgreSQL (shared installs).
//!
//! `Store` is one concrete type over both backends, so that `app` never becomes generic over a
//! database. Each backend has its own migrations (`migrations/sqlite`, `migrations/postgres`)
//! and, where the dialects differ (dates, bulk inserts), its own SQL; one contract test suite
//! (`tests/it`) runs every operation on both.
//!
//! Every read and write of a tenant's data goes through a `TenantStore`, the handle that puts
//! `tenant_id` into each query: there is no way to ask for "all customers" of the database.
//! Rows are converted to domain types here; nothing above this crate sees SQL or sqlx.
//!
//! This crate does not decide anything: validation, hashing and classification of imported
//! rows happen in `app` and `domain`.

/// Runs the same query-building code on whichever pool the store holds. sqlx's query types are
/// specific to a backend, so the body is expanded once per backend; the SQL text passed to it
/// is chosen per backend by the caller where the dialects differ.
macro_rules! with_pool {
    ($store:expr, |$pool:ident| $body:expr) => {
        match $store {
            $crate::Store::Sqlite($pool, _) => $body,
            $crate::Store::Postgres($pool) => $body,
        }
    };
}

mod accounts;
mod audit;
#[macro_use]
mod bank_lines;
mod bank_mappings;
mod connect;
mod customer_details;
mod customer_file;
mod dunning;
mod dunning_run;
mod error;
mod idempotency;
mod import;
mod kept;
mod late_payment;
mod migrate;
mod outbox;
mod overview;
mod payments;
mod plans;
mod portal;
mod reads;
mod recovery;
pub mod reference;
mod settlements;
mod sqlite_direct;
mod sqlite_import;
mod templates;
mod tenants;

pub use accounts::{ApiTokenRecord, MembershipRecord, NewUser, UserRecord};
pub use audit::{AuditFilter, AuditRecord, NewAuditEntry};
pub use bank_lines::{
    AppliedPayment, BankImportMeta, BankImportOutcome, BankLineRecord, ClosureRecord, LineOrder,
    LinePlan, NewBankLine, OpenItemRecord, PayerRecord, PaymentEffects, PaymentPlan, PaymentRecord,
    PaymentSettingsRecord, StoredProposal, WriteOff,
};
pub use bank_mappings::BankMappingRecord;
pub use connect::SqliteSettings;
pub use customer_details::{
    CustomerDetailsRecord, CustomerSettings, IncidentDetail, IncidentResolution, ResolvedIncidents,
};
pub use dunning::{
    ACTION_STATUSES, ActionFilter, ActionRecord, CaseBatch, CaseUpdate, ContactLogRecord,
    CustomerFile, DebtorRecord, DisputeRecord, HoldRecord, IncidentRecord, NewAction, NewContact,
    OpenInvoice, PromiseRecord, RunWrites, StoredCase,
};
pub use error::StoreError;
pub use idempotency::{IdempotencyClaim, StoredResponse};
pub use import::{CustomerUpsert, ImportCounts, ImportMeta, ImportTransaction, InvoiceUpsert};
pub use late_payment::{
    CustomerTermsRecord, InvoicePayment, NewWaiver, RateTableRecord, WaiverRecord,
};
pub use outbox::{
    CancelReason, Claim, DeliverySettingsRecord, FailedContact, Finish, NewOutboxMessage,
    OUTBOX_STATUSES, OutboxRecord, Resolution,
};
pub use overview::{CustomerPage, CustomerQuery, CustomerSort, PromiseOfCustomer};
pub use payments::NewPayment;
pub use plans::{
    NewPlan, PlanDocumentKind, PlanDocumentRecord, PlanEnd, PlanInvoice, PlanRecord, PlanSettings,
    PlanStatus,
};
pub use portal::{PortalEventRecord, PortalLinkRecord};
pub use reads::{CustomerSummary, ImportRecord, InvoiceFilter, InvoiceRecord};
pub use recovery::{
    CollectionCostRecord, NewCollectionCost, NewRecoveryStep, RecoveryStepKind, RecoveryStepRecord,
};
pub use settlements::{
    NewSettlement, SettlementOutcome, SettlementRecord, SettlementUndo, SettlementUndoing,
    UndoneSettlement,
};
pub use templates::TemplateRecord;
pub use tenants::TenantRecord;

use domain::ids::TenantId;
use std::sync::Arc;

use kept::Kept;
use sqlx::{PgPool, SqlitePool};

/// The database, whichever backend holds it. Cheap to clone (pools are reference-counted).
#[derive(Clone, Debug)]
pub enum Store {
    /// The pool, and the kept direct connections of the hot paths (`kept`).
    Sqlite(SqlitePool, Arc<Kept>),
    Postgres(PgPool),
}

/// A view of the store limited to one tenant's rows.
#[derive(Clone, Copy, Debug)]
pub struct TenantStore<'a> {
    store: &'a Store,
    tenant: TenantId,
}

impl Store {
    /// The handle through which every query about `tenant`'s data goes.
    pub fn tenant(&self, tenant: TenantId) -> TenantStore<'_> {
        TenantStore {
            store: self,
            tenant,
        }
    }

    pub async fn close(&self) {
        match self {
            Store::Sqlite(pool, _) => pool.close().await,
            Store::Postgres(pool) => pool.close().await,
        }
    }
}

impl TenantStore<'_> {
    pub fn id(&self) -> TenantId {
        self.tenant
    }
}

/// Timestamps are stored as RFC 3339 text in SQLite and `timestamptz` in PostgreSQL.
fn timestamp_text(at: jiff::Timestamp) -> String {
    at.to_string()
}

fn parse_timestamp(text: &str) -> Result<jiff::Timestamp, StoreError> {
    text.parse().map_err(|_| StoreError::Corrupt {
        what: format!("instant {text:?}"),
    })
}

fn parse_date(text: &str) -> Result<jiff::civil::Date, StoreError> {
    text.parse().map_err(|_| StoreError::Corrupt {
        what: format!("date {text:?}"),
    })
}
