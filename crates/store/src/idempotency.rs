//! Idempotency keys of API writes (migration `0019_idempotency_keys`): the first answer given
//! to a key, per creditor and token, with the fingerprint of the request it answered.

use crate::{StoreError, TenantStore};

/// An answer as kept for replay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredResponse {
    pub status: u16,
    pub content_type: String,
    pub body: Vec<u8>,
}

/// What claiming a key found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdempotencyClaim {
    /// The key was free (or had expired): the request is to be served, then its answer kept.
    New,
    /// The key is known: the fingerprint of its request, and its answer once there is one.
    Known {
        request_hash: String,
        response: Option<StoredResponse>,
    },
}

type KnownRow = (String, Option<i32>, Option<String>, Option<Vec<u8>>);

impl TenantStore<'_> {
    /// Takes `key` for a request with this fingerprint, unless the token holds it already.
    /// Expired keys of the tenant are forgotten first.
    pub async fn claim_idempotency_key(
        &self,
        token: i64,
        key: &str,
        request_hash: &str,
        now: i64,
        expires_at: i64,
    ) -> Result<IdempotencyClaim, StoreError> {
        let forget =
            self.sql("DELETE FROM idempotency_keys WHERE tenant_id = $1 AND expires_at <= $2");
        with_pool!(self.store, |pool| sqlx::query(forget)
            .bind(self.tenant.0)
            .bind(now)
            .execute(pool)
            .await?
            .rows_affected());
        let insert = self.sql(
            "INSERT INTO idempotency_keys (tenant_id, token_id, key, request_hash, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (tenant_id, token_id, key) DO NOTHING",
        );
        let inserted = with_pool!(self.store, |pool| sqlx::query(insert)
            .bind(self.tenant.0)
            .bind(token)
            .bind(key)
            .bind(request_hash)
            .bind(now)
            .bind(expires_at)
            .execute(pool)
            .await?
            .rows_affected());
        if inserted > 0 {
            return Ok(IdempotencyClaim::New);
        }
        let select = self.sql(
            "SELECT request_hash, status, content_type, body FROM idempotency_keys \
             WHERE tenant_id = $1 AND token_id = $2 AND key = $3",
        );
        let row: Option<KnownRow> = with_pool!(self.store, |pool| sqlx::query_as(select)
            .bind(self.tenant.0)
            .bind(token)
            .bind(key)
            .fetch_optional(pool)
            .await?);
        // Forgotten between the insert and the read (it expired just then): free again.
        let Some((request_hash, status, content_type, body)) = row else {
            return Ok(IdempotencyClaim::New);
        };
        let response = status.map(|status| StoredResponse {
            status: u16::try_from(status).unwrap_or(500),
            content_type: content_type.unwrap_or_default(),
            body: body.unwrap_or_default(),
        });
        Ok(IdempotencyClaim::Known {
            request_hash,
            response,
        })
    }

    /// Keeps the answer given to the request that claimed `key`.
    pub async fn complete_idempotency_key(
        &self,
        token: i64,
        key: &str,
        response: &StoredResponse,
    ) -> Result<(), StoreError> {
        let sql = self.sql(
            "UPDATE idempotency_keys SET status = $4, content_type = $5, body = $6 \
             WHERE tenant_id = $1 AND token_id = $2 AND key = $3",
        );
        with_pool!(self.store, |pool| sqlx::query(sql)
            .bind(self.tenant.0)
            .bind(token)
            .bind(key)
            .bind(i32::from(response.status))
            .bind(&response.content_type)
            .bind(&response.body)
            .execute(pool)
            .await?
            .rows_affected());
        Ok(())
    }

    /// Frees a key whose request could not be served (a server error): it may be tried again.
    pub async fn release_idempotency_key(&self, token: i64, key: &str) -> Result<(), StoreError> {
        let sql = self.sql(
            "DELETE FROM idempotency_keys WHERE tenant_id = $1 AND token_id = $2 AND key = $3 AND status IS NULL",
        );
        with_pool!(self.store, |pool| sqlx::query(sql)
            .bind(self.tenant.0)
            .bind(token)
            .bind(key)
            .execute(pool)
            .await?
            .rows_affected());
        Ok(())
    }
}
