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
    LinePlan, NewBankLine, PaymentEffects, PaymentPlan, PaymentRecord, PaymentSettingsRecord,
    StoredProposal, WriteOff,
};
pub use bank_mappings::BankMappingRecord;
pub use connect::SqliteSettings;
pub use customer_details::{
    CustomerDetailsRecord, CustomerSettings, IncidentDetail, IncidentResolution, ResolvedIncidents,
};
pub use domain::explanation::Explanation;
pub use dunning::{
    ACTION_STATUSES, ActionFilter, ActionRecord, CaseBatch, CaseUpdate, ContactLogRecord,
    CustomerFile, DebtorRecord, DisputeRecord, HoldRecord, IncidentRecord, NewAction, NewContact,
    OpenInvoice, PastAction, PromiseRecord, RunWrites, SetAside, StoredCase,
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

/// A stored date. Its usual form, `YYYY-MM-DD`, is read directly rather than through the
/// general ISO 8601 parser: readers convert millions of them (the open items of a bank
/// import, the cases of a daily run).
fn parse_date(text: &str) -> Result<jiff::civil::Date, StoreError> {
    plain_date(text)
        .or_else(|| text.parse().ok())
        .ok_or_else(|| StoreError::Corrupt {
            what: format!("date {text:?}"),
        })
}

fn plain_date(text: &str) -> Option<jiff::civil::Date> {
    let bytes = text.as_bytes();
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return None;
    }
    let figures = |range: std::ops::Range<usize>| -> Option<i16> {
        bytes[range].iter().try_fold(0i16, |value, &byte| {
            byte.is_ascii_digit()
                .then(|| value * 10 + i16::from(byte - b'0'))
        })
    };
    let month = i8::try_from(figures(5..7)?).ok()?;
    let day = i8::try_from(figures(8..10)?).ok()?;
    jiff::civil::Date::new(figures(0..4)?, month, day).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_dates_read_alike_by_the_quick_path_and_the_general_parser() {
        for text in [
            "2026-11-20",
            "0001-01-01",
            "9999-12-31",
            "2024-02-29",
            "2026-01-05",
        ] {
            assert_eq!(
                parse_date(text).unwrap(),
                text.parse::<jiff::civil::Date>().unwrap()
            );
        }
        for bad in ["2026-02-30", "2026-13-01", "2026-1-01", "2026-11-2x", ""] {
            assert!(parse_date(bad).is_err(), "{bad}");
        }
    }
}
