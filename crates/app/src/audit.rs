//! The audit log: every change made through the web pages, the API or the command line, and
//! every reading of a customer's file, kept append-only with who, when, what, on which customer
//! or record, and from which address.
//!
//! The web layer records each request it served once it knows the answer; an entry is written
//! after the change it reports, not in the change's transaction (a crash between the two loses
//! the entry, never the change).

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use store::{AuditFilter, NewAuditEntry};

use crate::accounts::{Account, AccountError, Permission};
use crate::clock::Clock;
use crate::{AuditRecord, Store, StoreError, TenantRecord};

/// How a change reached Relance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    Web,
    Api,
    Cli,
}

impl Via {
    pub fn code(self) -> &'static str {
        match self {
            Via::Web => "web",
            Via::Api => "api",
            Via::Cli => "cli",
        }
    }
}

/// Who acted: an account (in person or through its API token), or the system user running the
/// command line.
#[derive(Debug, Clone, Copy)]
pub enum Actor<'a> {
    Account(&'a Account),
    System(&'a str),
}

/// What happened, as the log keeps it.
#[derive(Debug, Clone, Copy)]
pub struct AuditEvent<'a> {
    pub via: Via,
    /// e.g. `POST /customers/{reference}/calls`.
    pub action: &'a str,
    pub customer_ref: Option<&'a str>,
    /// The record acted on, when it is not the customer itself.
    pub record: Option<RecordRef<'a>>,
    pub address: Option<&'a str>,
    pub status: Option<u16>,
}

/// A record by its kind and id, e.g. `action 12`, `token 3`, `bank-line 7`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordRef<'a> {
    pub kind: &'a str,
    pub id: i64,
}

/// Appends one entry to the creditor's log.
pub async fn record(
    store: &Store,
    tenant: domain::ids::TenantId,
    clock: Clock,
    actor: Actor<'_>,
    event: &AuditEvent<'_>,
) -> Result<i64, StoreError> {
    let (user, actor) = match actor {
        Actor::Account(account) => (Some(account.id), account.email.as_str()),
        Actor::System(name) => (None, name),
    };
    let handle = store.tenant(tenant);
    // An action belongs to a customer: the entry names it, so that filtering the log by
    // customer finds approvals and skips too.
    let owner = match (event.customer_ref, event.record) {
        (None, Some(RecordRef { kind: "action", id })) => match handle.action(id).await {
            Ok(action) => Some(action.customer_ref),
            Err(StoreError::NotFound { .. }) => None,
            Err(error) => return Err(error),
        },
        _ => None,
    };
    let record = event
        .record
        .map(|record| format!("{} {}", record.kind, record.id));
    handle
        .append_audit(&NewAuditEntry {
            at: clock.now(),
            user,
            actor: if actor.trim().is_empty() {
                "unknown"
            } else {
                actor
            },
            via: event.via.code(),
            action: event.action,
            customer_ref: event.customer_ref.or(owner.as_deref()),
            record: record.as_deref(),
            address: event.address,
            status: event.status,
        })
        .await
}

/// Which entries to show: every condition given must hold. Dates are calendar days in the
/// creditor's time zone, both included.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    /// An account's e-mail or name, in any case (or the command line's user).
    pub user: Option<String>,
    pub customer: Option<String>,
    pub since: Option<Date>,
    pub until: Option<Date>,
    pub offset: u32,
    pub limit: u32,
}

/// A page of entries, newest first, and how many entries meet the query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditPage {
    pub entries: Vec<AuditRecord>,
    pub total: i64,
}

/// The most entries one page shows.
pub const MAX_PAGE: u32 = 500;

/// Reads the log: an administrator's reading through the pages (`by`), or the operator's on
/// the command line (`None`).
pub async fn list(
    store: &Store,
    tenant: &TenantRecord,
    by: Option<&Account>,
    query: &AuditQuery,
) -> Result<AuditPage, AccountError> {
    if let Some(account) = by {
        account.require(Permission::Administer)?;
    }
    let zone = TimeZone::get(tenant.profile.time_zone.as_str()).unwrap_or(TimeZone::UTC);
    let start_of = |day: Date| -> Option<i64> {
        day.to_zoned_datetime(zone.clone())
            .ok()
            .map(|zoned| zoned.timestamp().as_second())
    };
    let filled = |text: &Option<String>| {
        text.as_deref()
            .map(str::trim)
            .filter(|text| !text.is_empty())
            .map(str::to_owned)
    };
    let (entries, total) = store
        .tenant(tenant.id)
        .audit_entries(&AuditFilter {
            actor: filled(&query.user),
            customer_ref: filled(&query.customer),
            since: query.since.and_then(start_of),
            until: query
                .until
                .and_then(|day| day.tomorrow().ok())
                .and_then(start_of),
            offset: query.offset,
            limit: query.limit.clamp(1, MAX_PAGE),
        })
        .await?;
    Ok(AuditPage { entries, total })
}

/// An entry's instant in the creditor's time zone, `2026-11-20 10:04:31`.
pub fn local_time(at: Timestamp, tenant: &TenantRecord) -> String {
    let zone = TimeZone::get(tenant.profile.time_zone.as_str()).unwrap_or(TimeZone::UTC);
    at.to_zoned_datetime(zone)
        .strftime("%Y-%m-%d %H:%M:%S")
        .to_string()
}
