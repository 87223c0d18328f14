//! The audit log (migration `0018_audit_log`): who changed what, or read which customer's file,
//! when and from where. Append-only: there is no update or delete here, and the database's
//! triggers refuse them from anywhere else.

use jiff::Timestamp;

use domain::ids::TenantId;

use crate::dunning::{dialect, sqlite_dialect};
use crate::sqlite_direct::store_error;
use crate::{Store, StoreError, TenantStore};

/// An entry to append.
#[derive(Debug, Clone, Copy)]
pub struct NewAuditEntry<'a> {
    pub at: Timestamp,
    /// The account, when a person or their token acted.
    pub user: Option<i64>,
    /// Who acted as written in the log: an account's e-mail, or the system user of the command
    /// line.
    pub actor: &'a str,
    /// `web`, `api` or `cli`.
    pub via: &'a str,
    /// What was done, e.g. `POST /customers/{reference}/calls` or `customer.view`.
    pub action: &'a str,
    pub customer_ref: Option<&'a str>,
    /// The record acted on, e.g. `action 12`.
    pub record: Option<&'a str>,
    /// The client's network address.
    pub address: Option<&'a str>,
    /// The HTTP status answered.
    pub status: Option<u16>,
}

/// An entry as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRecord {
    pub id: i64,
    pub at: Timestamp,
    pub actor: String,
    /// The account's name, when the entry names one.
    pub actor_name: Option<String>,
    pub via: String,
    pub action: String,
    pub customer_ref: Option<String>,
    pub record: Option<String>,
    pub address: Option<String>,
    pub status: Option<u16>,
}

/// Which entries to read: all conditions given must hold.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// An account's e-mail or name (any case), or the command line's user.
    pub actor: Option<String>,
    pub customer_ref: Option<String>,
    /// From this instant (Unix seconds), inclusive.
    pub since: Option<i64>,
    /// Before this instant (Unix seconds).
    pub until: Option<i64>,
    pub offset: u32,
    pub limit: u32,
}

type AuditRow = (
    i64,
    i64,
    String,
    Option<String>,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<i32>,
);

const INSERT_ENTRY: &str = "INSERT INTO {audit_log} (tenant_id, occurred_at, user_id, actor, via, action, customer_ref, record, address, status) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";

/// `sql` naming the log's table where the backend keeps it: on SQLite in its own file, attached
/// as `audit`. The name is always qualified there: an unqualified one is looked up in the main
/// file first, and on a fresh connection that lookup waited for a job holding the main file.
fn in_log(store: &Store, sql: &str) -> String {
    let table = match store {
        Store::Sqlite(..) => "audit.audit_log",
        Store::Postgres(_) => "audit_log",
    };
    dialect(store, &sql.replace("{audit_log}", table))
}

impl Store {
    /// Appends entries of any creditors in one transaction: one durable commit for a group of
    /// requests that finished together.
    pub async fn append_audit_entries(
        &self,
        entries: &[(TenantId, NewAuditEntry<'_>)],
    ) -> Result<(), StoreError> {
        match self {
            // One blocking call for the group, on the log's own file (its main database there).
            Store::Sqlite(_, kept) => {
                let rows: Vec<OwnedEntry> = entries.iter().map(OwnedEntry::from).collect();
                let sql = sqlite_dialect(&INSERT_ENTRY.replace("{audit_log}", "audit_log"));
                kept.on_audit_file(move |connection| {
                    let transaction = connection.transaction().map_err(store_error)?;
                    {
                        let mut insert = transaction.prepare_cached(&sql).map_err(store_error)?;
                        for row in &rows {
                            insert
                                .execute(rusqlite::params![
                                    row.tenant,
                                    row.at,
                                    row.user,
                                    row.actor,
                                    row.via,
                                    row.action,
                                    row.customer_ref,
                                    row.record,
                                    row.address,
                                    row.status,
                                ])
                                .map_err(store_error)?;
                        }
                    }
                    transaction.commit().map_err(store_error)
                })
                .await
            }
            Store::Postgres(pool) => {
                let sql = in_log(self, INSERT_ENTRY);
                let mut transaction = pool.begin().await?;
                for (tenant, entry) in entries {
                    sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
                        .bind(tenant.0)
                        .bind(entry.at.as_second())
                        .bind(entry.user)
                        .bind(entry.actor)
                        .bind(entry.via)
                        .bind(entry.action)
                        .bind(entry.customer_ref)
                        .bind(entry.record)
                        .bind(entry.address)
                        .bind(entry.status.map(i32::from))
                        .execute(&mut *transaction)
                        .await?;
                }
                transaction.commit().await?;
                Ok(())
            }
        }
    }
}

/// An entry's values, owned, to cross to a blocking thread.
struct OwnedEntry {
    tenant: i64,
    at: i64,
    user: Option<i64>,
    actor: String,
    via: String,
    action: String,
    customer_ref: Option<String>,
    record: Option<String>,
    address: Option<String>,
    status: Option<i64>,
}

impl From<&(TenantId, NewAuditEntry<'_>)> for OwnedEntry {
    fn from((tenant, entry): &(TenantId, NewAuditEntry<'_>)) -> OwnedEntry {
        OwnedEntry {
            tenant: tenant.0,
            at: entry.at.as_second(),
            user: entry.user,
            actor: entry.actor.to_owned(),
            via: entry.via.to_owned(),
            action: entry.action.to_owned(),
            customer_ref: entry.customer_ref.map(str::to_owned),
            record: entry.record.map(str::to_owned),
            address: entry.address.map(str::to_owned),
            status: entry.status.map(i64::from),
        }
    }
}

impl TenantStore<'_> {
    /// A page of entries meeting `filter`, newest first, and how many meet it.
    pub async fn audit_entries(
        &self,
        filter: &AuditFilter,
    ) -> Result<(Vec<AuditRecord>, i64), StoreError> {
        // Every condition is always present and switched off by a NULL, so that one text with
        // fixed placeholders serves every combination.
        let condition = "a.tenant_id = $1 \
             AND ($2 IS NULL OR lower(a.actor) = lower($2) OR lower(u.display_name) = lower($2)) \
             AND ($3 IS NULL OR a.customer_ref = $3) \
             AND ($4 IS NULL OR a.occurred_at >= $4) \
             AND ($5 IS NULL OR a.occurred_at < $5)";
        // The account is named if it still works for this creditor (an agency's account may be
        // a member of several).
        let from = "FROM {audit_log} a LEFT JOIN memberships m \
             ON m.user_id = a.user_id AND m.tenant_id = a.tenant_id \
             LEFT JOIN users u ON u.id = m.user_id";
        let rows_sql = sqlx::AssertSqlSafe(in_log(
            self.store,
            &format!(
                "SELECT a.id, a.occurred_at, a.actor, u.display_name, a.via, a.action, a.customer_ref, \
                 a.record, a.address, a.status {from} WHERE {condition} ORDER BY a.id DESC LIMIT $6 OFFSET $7"
            ),
        ));
        let count_sql = sqlx::AssertSqlSafe(in_log(
            self.store,
            &format!("SELECT COUNT(*) {from} WHERE {condition}"),
        ));
        let actor = filter.actor.as_deref().map(str::trim);
        let customer = filter.customer_ref.as_deref().map(str::trim);
        let rows: Vec<AuditRow> = with_pool!(self.store, |pool| sqlx::query_as(rows_sql)
            .bind(self.tenant.0)
            .bind(actor)
            .bind(customer)
            .bind(filter.since)
            .bind(filter.until)
            .bind(i64::from(filter.limit))
            .bind(i64::from(filter.offset))
            .fetch_all(pool)
            .await?);
        let total: i64 = with_pool!(self.store, |pool| sqlx::query_scalar(count_sql)
            .bind(self.tenant.0)
            .bind(actor)
            .bind(customer)
            .bind(filter.since)
            .bind(filter.until)
            .fetch_one(pool)
            .await?);
        let records = rows
            .into_iter()
            .map(
                |(
                    id,
                    at,
                    actor,
                    actor_name,
                    via,
                    action,
                    customer_ref,
                    record,
                    address,
                    status,
                )| {
                    Ok(AuditRecord {
                        id,
                        at: Timestamp::from_second(at).map_err(|_| StoreError::Corrupt {
                            what: format!("audit entry {id}: instant {at}"),
                        })?,
                        actor,
                        actor_name,
                        via,
                        action,
                        customer_ref,
                        record,
                        address,
                        status: status.and_then(|code| u16::try_from(code).ok()),
                    })
                },
            )
            .collect::<Result<Vec<_>, StoreError>>()?;
        Ok((records, total))
    }
}
