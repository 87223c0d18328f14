//! The audit log: every change made through the web pages, the API or the command line, and
//! every reading of a customer's file, kept append-only with who, when, what, on which customer
//! or record, and from which address.
//!
//! The web layer records each request it served once it knows the answer; an entry is written
//! after the change it reports, not in the change's transaction (a crash between the two loses
//! the entry, never the change).

use domain::ids::TenantId;
use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use store::{AuditFilter, NewAuditEntry};
use tokio::sync::{mpsc, oneshot};

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

/// An entry ready to append, owning its texts so that it can wait in `AuditWriter`'s queue.
#[derive(Debug, Clone)]
struct Entry {
    tenant: TenantId,
    at: Timestamp,
    user: Option<i64>,
    actor: String,
    via: Via,
    action: String,
    customer_ref: Option<String>,
    record: Option<String>,
    address: Option<String>,
    status: Option<u16>,
}

impl Entry {
    /// Reads what the entry names but the event does not say: the customer an action belongs
    /// to, so that filtering the log by customer finds approvals and skips too.
    async fn new(
        store: &Store,
        tenant: TenantId,
        clock: Clock,
        actor: Actor<'_>,
        event: &AuditEvent<'_>,
    ) -> Result<Entry, StoreError> {
        let (user, actor) = match actor {
            Actor::Account(account) => (Some(account.id), account.email.as_str()),
            Actor::System(name) => (None, name),
        };
        let owner = match (event.customer_ref, event.record) {
            (None, Some(RecordRef { kind: "action", id })) => {
                match store.tenant(tenant).action(id).await {
                    Ok(action) => Some(action.customer_ref),
                    Err(StoreError::NotFound { .. }) => None,
                    Err(error) => return Err(error),
                }
            }
            _ => None,
        };
        Ok(Entry {
            tenant,
            at: clock.now(),
            user,
            actor: if actor.trim().is_empty() {
                "unknown".to_owned()
            } else {
                actor.to_owned()
            },
            via: event.via,
            action: event.action.to_owned(),
            customer_ref: event.customer_ref.map(str::to_owned).or(owner),
            record: event
                .record
                .map(|record| format!("{} {}", record.kind, record.id)),
            address: event.address.map(str::to_owned),
            status: event.status,
        })
    }

    fn stored(&self) -> NewAuditEntry<'_> {
        NewAuditEntry {
            at: self.at,
            user: self.user,
            actor: &self.actor,
            via: self.via.code(),
            action: &self.action,
            customer_ref: self.customer_ref.as_deref(),
            record: self.record.as_deref(),
            address: self.address.as_deref(),
            status: self.status,
        }
    }
}

/// Appends one entry to the creditor's log.
pub async fn record(
    store: &Store,
    tenant: TenantId,
    clock: Clock,
    actor: Actor<'_>,
    event: &AuditEvent<'_>,
) -> Result<(), StoreError> {
    let entry = Entry::new(store, tenant, clock, actor, event).await?;
    store
        .append_audit_entries(&[(tenant, entry.stored())])
        .await
}

/// The most entries one commit carries.
const GROUP: usize = 512;

type Waiting = (Entry, oneshot::Sender<Result<(), String>>);

/// Appends entries in groups, for a server answering many requests at once.
///
/// One durable commit per reading of a customer file would cap a server at the disk's commit
/// rate (a few hundred to a few thousand a second). The writer takes every entry waiting when
/// it is free and appends them in one transaction; each `record` still returns only once its
/// own entry is committed, so an answer never leaves before its entry is kept.
#[derive(Debug, Clone)]
pub struct AuditWriter {
    queue: mpsc::Sender<Waiting>,
}

impl AuditWriter {
    /// Starts the writer on the current Tokio runtime; it stops when every handle is dropped.
    pub fn start(store: Store) -> AuditWriter {
        let (queue, mut waiting) = mpsc::channel::<Waiting>(4 * GROUP);
        tokio::spawn(async move {
            let mut group = Vec::with_capacity(GROUP);
            while waiting.recv_many(&mut group, GROUP).await > 0 {
                let entries: Vec<_> = group
                    .iter()
                    .map(|(entry, _)| (entry.tenant, entry.stored()))
                    .collect();
                let outcome = store
                    .append_audit_entries(&entries)
                    .await
                    .map_err(|error| error.to_string());
                drop(entries);
                for (_, done) in group.drain(..) {
                    // The request may have gone (its client hung up): nothing to tell.
                    let _ = done.send(outcome.clone());
                }
            }
        });
        AuditWriter { queue }
    }

    /// Appends one entry with the others waiting, and returns once it is committed.
    pub async fn record(
        &self,
        store: &Store,
        tenant: TenantId,
        clock: Clock,
        actor: Actor<'_>,
        event: &AuditEvent<'_>,
    ) -> Result<(), AuditWriteError> {
        let entry = Entry::new(store, tenant, clock, actor, event).await?;
        let (done, committed) = oneshot::channel();
        self.queue
            .send((entry, done))
            .await
            .map_err(|_| AuditWriteError::Stopped)?;
        committed
            .await
            .map_err(|_| AuditWriteError::Stopped)?
            .map_err(AuditWriteError::Group)
    }
}

/// Why `AuditWriter::record` could not keep an entry.
#[derive(Debug, thiserror::Error)]
pub enum AuditWriteError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the audit writer has stopped")]
    Stopped,
    #[error("the group of entries could not be written: {0}")]
    Group(String),
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
