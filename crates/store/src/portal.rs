//! The debtor portal (migration `0014_portal`): personal links, kept as the hash of their secret,
//! and what the debtor did on the portal. Making and checking secrets is `app`'s job.

use domain::customer::CustomerRef;
use domain::ids::{CustomerId, TenantId};
use jiff::Timestamp;
use jiff::civil::Date;

use crate::dunning::dialect;
use crate::{Store, StoreError, TenantStore, parse_date, timestamp_text};

/// A link as found by its secret's hash, live or not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortalLinkRecord {
    pub tenant: TenantId,
    pub customer: CustomerId,
    pub customer_ref: CustomerRef,
    /// Unix seconds.
    pub expires_at: i64,
    pub revoked: bool,
}

/// Something the debtor did on the portal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortalEventRecord {
    pub id: i64,
    /// `promise`, `dispute`, `plan` (a plan proposed) or `plan-request` (left to a collector).
    pub kind: String,
    pub note: String,
    pub occurred_on: Date,
}

impl Store {
    /// The link whose secret hashes to `token_hash`, with its customer.
    pub async fn portal_link(
        &self,
        token_hash: &str,
    ) -> Result<Option<PortalLinkRecord>, StoreError> {
        let sql = dialect(
            self,
            "SELECT l.tenant_id, l.customer_id, c.reference, l.expires_at, l.revoked_at IS NOT NULL \
             FROM portal_links l JOIN customers c ON c.id = l.customer_id AND c.tenant_id = l.tenant_id \
             WHERE l.token_hash = $1",
        );
        type Row = (i64, i64, String, i64, bool);
        let row: Option<Row> = with_pool!(self, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(token_hash)
            .fetch_optional(pool)
            .await?);
        row.map(|(tenant, customer, reference, expires_at, revoked)| {
            Ok(PortalLinkRecord {
                tenant: TenantId(tenant),
                customer: CustomerId(customer),
                customer_ref: CustomerRef::parse(&reference).map_err(|_| StoreError::Corrupt {
                    what: format!("customer reference {reference:?}"),
                })?,
                expires_at,
                revoked,
            })
        })
        .transpose()
    }
}

impl TenantStore<'_> {
    /// Records a link to `customer`'s page whose secret hashes to `token_hash`.
    pub async fn create_portal_link(
        &self,
        customer: CustomerId,
        token_hash: &str,
        now: Timestamp,
        expires_at: i64,
    ) -> Result<i64, StoreError> {
        let sql = self.sql(
            "INSERT INTO portal_links (tenant_id, customer_id, token_hash, created_at, expires_at) \
             VALUES ($1, $2, $3, $4::timestamptz, $5) RETURNING id",
        );
        Ok(with_pool!(self.store, |pool| sqlx::query_scalar(sql)
            .bind(self.tenant.0)
            .bind(customer.0)
            .bind(token_hash)
            .bind(timestamp_text(now))
            .bind(expires_at)
            .fetch_one(pool)
            .await?))
    }

    /// Revokes every link of `customer` not revoked yet; returns how many.
    pub async fn revoke_portal_links(
        &self,
        customer: CustomerId,
        now: Timestamp,
    ) -> Result<u64, StoreError> {
        let sql = self.sql(
            "UPDATE portal_links SET revoked_at = $3::timestamptz \
             WHERE tenant_id = $1 AND customer_id = $2 AND revoked_at IS NULL",
        );
        Ok(with_pool!(self.store, |pool| sqlx::query(sql)
            .bind(self.tenant.0)
            .bind(customer.0)
            .bind(timestamp_text(now))
            .execute(pool)
            .await?
            .rows_affected()))
    }

    /// The creditor's `(link_days, promise_max_days)`, if it set them.
    pub async fn portal_settings(&self) -> Result<Option<(i64, i64)>, StoreError> {
        let sql = self
            .sql("SELECT link_days, promise_max_days FROM portal_settings WHERE tenant_id = $1");
        Ok(with_pool!(self.store, |pool| sqlx::query_as(sql)
            .bind(self.tenant.0)
            .fetch_optional(pool)
            .await?))
    }

    pub async fn save_portal_settings(
        &self,
        link_days: i64,
        promise_max_days: i64,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let sql = self.sql(
            "INSERT INTO portal_settings (tenant_id, link_days, promise_max_days, updated_at) \
             VALUES ($1, $2, $3, $4::timestamptz) \
             ON CONFLICT (tenant_id) DO UPDATE SET link_days = excluded.link_days, \
             promise_max_days = excluded.promise_max_days, updated_at = excluded.updated_at",
        );
        with_pool!(self.store, |pool| sqlx::query(sql)
            .bind(self.tenant.0)
            .bind(link_days)
            .bind(promise_max_days)
            .bind(timestamp_text(now))
            .execute(pool)
            .await?
            .rows_affected());
        Ok(())
    }

    /// Whether `customer` has a link neither revoked nor expired at `now` (Unix seconds).
    pub async fn has_live_portal_link(
        &self,
        customer: CustomerId,
        now: i64,
    ) -> Result<bool, StoreError> {
        let sql = self.sql(
            "SELECT COUNT(*) FROM portal_links \
             WHERE tenant_id = $1 AND customer_id = $2 AND revoked_at IS NULL AND expires_at > $3",
        );
        let count: i64 = with_pool!(self.store, |pool| sqlx::query_scalar(sql)
            .bind(self.tenant.0)
            .bind(customer.0)
            .bind(now)
            .fetch_one(pool)
            .await?);
        Ok(count > 0)
    }

    pub async fn add_portal_event(
        &self,
        customer: CustomerId,
        kind: &str,
        note: &str,
        on: Date,
        now: Timestamp,
    ) -> Result<i64, StoreError> {
        let sql = self.sql(
            "INSERT INTO portal_events (tenant_id, customer_id, kind, note, occurred_on, created_at) \
             VALUES ($1, $2, $3, $4, $5::date, $6::timestamptz) RETURNING id",
        );
        Ok(with_pool!(self.store, |pool| sqlx::query_scalar(sql)
            .bind(self.tenant.0)
            .bind(customer.0)
            .bind(kind)
            .bind(note)
            .bind(on.to_string())
            .bind(timestamp_text(now))
            .fetch_one(pool)
            .await?))
    }

    /// What `customer` did on the portal, oldest first.
    pub async fn portal_events(
        &self,
        customer: CustomerId,
    ) -> Result<Vec<PortalEventRecord>, StoreError> {
        let sql = self.sql(
            "SELECT id, kind, note, iso(occurred_on) FROM portal_events \
             WHERE tenant_id = $1 AND customer_id = $2 ORDER BY occurred_on, id",
        );
        let rows: Vec<(i64, String, String, String)> =
            with_pool!(self.store, |pool| sqlx::query_as(sql)
                .bind(self.tenant.0)
                .bind(customer.0)
                .fetch_all(pool)
                .await?);
        rows.into_iter()
            .map(|(id, kind, note, on)| {
                Ok(PortalEventRecord {
                    id,
                    kind,
                    note,
                    occurred_on: parse_date(&on)?,
                })
            })
            .collect()
    }
}
