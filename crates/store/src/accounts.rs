//! Accounts of the web application (migration `0013_accounts`): users, sessions and API tokens;
//! and (migration `0021_memberships`) the creditors each account works for, with its role at
//! each, and the creditor a session works on. The store keeps only hashes of secrets; creating
//! and checking them is `app`'s job.

use domain::ids::TenantId;
use jiff::Timestamp;

use std::sync::LazyLock;

use crate::dunning::{Dialects, dialect};
use crate::sqlite_direct::store_error;
use crate::tenants::{PROFILE_COLUMNS, ProfileRow, tenant_from_row};
use crate::{Store, StoreError, TenantRecord, TenantStore, parse_timestamp, timestamp_text};

/// An account as stored: at a creditor it is a member of (`tenant`, with the role held there),
/// or, read by e-mail, at the creditor it was made in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRecord {
    pub id: i64,
    pub tenant: TenantId,
    pub email: String,
    pub display_name: String,
    /// `admin`, `manager`, `collector` or `viewer` (a CHECK of the foundation and of
    /// `memberships`).
    pub role: String,
    pub password_hash: Option<String>,
}

/// One creditor an account works for, and its role there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MembershipRecord {
    pub tenant: TenantId,
    pub company_name: String,
    pub role: String,
}

/// An API token as the administrators' page lists it (never its secret, which is not stored).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiTokenRecord {
    pub id: i64,
    pub name: String,
    /// The account it acts as.
    pub user_email: String,
    pub created_at: Timestamp,
    pub revoked_at: Option<Timestamp>,
}

/// A new account, its password already hashed.
#[derive(Debug, Clone, Copy)]
pub struct NewUser<'a> {
    pub email: &'a str,
    pub display_name: &'a str,
    pub role: &'a str,
    pub password_hash: &'a str,
}

type UserRow = (i64, i64, String, String, String, Option<String>);

const USER_COLUMNS: &str = "u.id, u.tenant_id, u.email, u.display_name, u.role, u.password_hash";
/// The account as a member of the creditor `m` names: that creditor and the role held there.
const MEMBER_COLUMNS: &str = "u.id, m.tenant_id, u.email, u.display_name, m.role, u.password_hash";

type TokenRow = (i64, i64, i64, String, String, String, Option<String>);

static API_TOKEN_USER: LazyLock<Dialects> = LazyLock::new(|| {
    Dialects::new(format!(
        "SELECT t.id, {MEMBER_COLUMNS} FROM api_tokens t JOIN users u ON u.id = t.user_id \
         JOIN memberships m ON m.user_id = t.user_id AND m.tenant_id = t.tenant_id \
         WHERE t.token_hash = $1 AND t.revoked_at IS NULL"
    ))
});

static TENANT_BY_ID: LazyLock<Dialects> = LazyLock::new(|| {
    Dialects::new(format!(
        "SELECT {PROFILE_COLUMNS} FROM tenants WHERE id = $1"
    ))
});

fn user(row: UserRow) -> UserRecord {
    let (id, tenant, email, display_name, role, password_hash) = row;
    UserRecord {
        id,
        tenant: TenantId(tenant),
        email,
        display_name,
        role,
        password_hash,
    }
}

impl Store {
    /// How many accounts the installation has (none: the first one is to be created).
    pub async fn user_count(&self) -> Result<i64, StoreError> {
        Ok(with_pool!(self, |pool| sqlx::query_scalar(
            "SELECT COUNT(*) FROM users"
        )
        .fetch_one(pool)
        .await?))
    }

    pub async fn user_by_email(&self, email: &str) -> Result<Option<UserRecord>, StoreError> {
        let sql = dialect(
            self,
            &format!("SELECT {USER_COLUMNS} FROM users u WHERE u.email = $1"),
        );
        let row: Option<UserRow> =
            with_pool!(self, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(email)
                .fetch_optional(pool)
                .await?);
        Ok(row.map(user))
    }

    /// The creditors an account works for and its role at each, by company name.
    pub async fn memberships(&self, user: i64) -> Result<Vec<MembershipRecord>, StoreError> {
        let sql = dialect(
            self,
            "SELECT m.tenant_id, t.company_name, m.role FROM memberships m \
             JOIN tenants t ON t.id = m.tenant_id WHERE m.user_id = $1 \
             ORDER BY t.company_name, m.tenant_id",
        );
        let rows: Vec<(i64, String, String)> =
            with_pool!(self, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(user)
                .fetch_all(pool)
                .await?);
        Ok(rows
            .into_iter()
            .map(|(tenant, company_name, role)| MembershipRecord {
                tenant: TenantId(tenant),
                company_name,
                role,
            })
            .collect())
    }

    /// Records a session whose secret hashes to `token_hash`, working on `tenant`, valid until
    /// `expires_at` (Unix seconds).
    pub async fn create_session(
        &self,
        token_hash: &str,
        user: i64,
        tenant: TenantId,
        csrf_token: &str,
        now: Timestamp,
        expires_at: i64,
    ) -> Result<(), StoreError> {
        let sql = dialect(
            self,
            "INSERT INTO sessions (token_hash, user_id, tenant_id, csrf_token, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5::timestamptz, $6)",
        );
        with_pool!(self, |pool| sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(token_hash)
            .bind(user)
            .bind(tenant.0)
            .bind(csrf_token)
            .bind(timestamp_text(now))
            .bind(expires_at)
            .execute(pool)
            .await?
            .rows_affected());
        Ok(())
    }

    /// Moves a session still valid at `now` (Unix seconds) to another creditor, if its account
    /// is a member there; returns whether it moved. The membership is checked in the same
    /// statement, so that no session ever names a creditor its account does not work for.
    pub async fn switch_session(
        &self,
        token_hash: &str,
        tenant: TenantId,
        now: i64,
    ) -> Result<bool, StoreError> {
        let sql = dialect(
            self,
            "UPDATE sessions SET tenant_id = $2 WHERE token_hash = $1 AND expires_at > $3 \
             AND EXISTS (SELECT 1 FROM memberships m \
                         WHERE m.user_id = sessions.user_id AND m.tenant_id = $2)",
        );
        Ok(
            with_pool!(self, |pool| sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(token_hash)
                .bind(tenant.0)
                .bind(now)
                .execute(pool)
                .await?
                .rows_affected())
                > 0,
        )
    }

    /// The account, as a member of the session's creditor, and the CSRF token of a session still
    /// valid at `now` (Unix seconds). A session whose account is no longer a member of its
    /// creditor names nobody.
    pub async fn session(
        &self,
        token_hash: &str,
        now: i64,
    ) -> Result<Option<(UserRecord, String)>, StoreError> {
        let sql = dialect(
            self,
            &format!(
                "SELECT {MEMBER_COLUMNS}, s.csrf_token FROM sessions s JOIN users u ON u.id = s.user_id \
                 JOIN memberships m ON m.user_id = s.user_id AND m.tenant_id = s.tenant_id \
                 WHERE s.token_hash = $1 AND s.expires_at > $2"
            ),
        );
        type Row = (i64, i64, String, String, String, Option<String>, String);
        let row: Option<Row> = with_pool!(self, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(token_hash)
            .bind(now)
            .fetch_optional(pool)
            .await?);
        Ok(row.map(|(id, tenant, email, name, role, hash, csrf)| {
            (user((id, tenant, email, name, role, hash)), csrf)
        }))
    }

    /// Ends a session (logout); returns whether there was one.
    pub async fn delete_session(&self, token_hash: &str) -> Result<bool, StoreError> {
        let sql = dialect(self, "DELETE FROM sessions WHERE token_hash = $1");
        Ok(
            with_pool!(self, |pool| sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(token_hash)
                .execute(pool)
                .await?
                .rows_affected())
                > 0,
        )
    }

    /// The token's id, the account behind an API token that was not revoked as a member of the
    /// creditor the token was made for, and that creditor: read at every API request, so on
    /// SQLite in one request on a kept connection (see `kept`).
    pub async fn api_token_user(
        &self,
        token_hash: &str,
    ) -> Result<Option<(i64, UserRecord, TenantRecord)>, StoreError> {
        let found = match self {
            Store::Sqlite(_, kept) => {
                let token_hash = token_hash.to_owned();
                kept.read(move |connection| {
                    let token: Option<TokenRow> = connection
                        .prepare_cached(&API_TOKEN_USER.sqlite)
                        .and_then(|mut statement| {
                            statement
                                .query_map([&token_hash], |row| TokenRow::try_from(row))?
                                .next()
                                .transpose()
                        })
                        .map_err(store_error)?;
                    let Some(token) = token else {
                        return Ok(None);
                    };
                    let tenant: ProfileRow = connection
                        .prepare_cached(&TENANT_BY_ID.sqlite)
                        .and_then(|mut statement| {
                            statement.query_row([token.2], |row| ProfileRow::try_from(row))
                        })
                        .map_err(store_error)?;
                    Ok(Some((token, tenant)))
                })
                .await?
            }
            Store::Postgres(pool) => {
                let token: Option<TokenRow> =
                    sqlx::query_as(sqlx::AssertSqlSafe(API_TOKEN_USER.postgres.as_str()))
                        .bind(token_hash)
                        .fetch_optional(pool)
                        .await?;
                match token {
                    Some(token) => {
                        let tenant: ProfileRow =
                            sqlx::query_as(sqlx::AssertSqlSafe(TENANT_BY_ID.postgres.as_str()))
                                .bind(token.2)
                                .fetch_one(pool)
                                .await?;
                        Some((token, tenant))
                    }
                    None => None,
                }
            }
        };
        found
            .map(|((token, id, tenant, email, name, role, hash), profile)| {
                Ok((
                    token,
                    user((id, tenant, email, name, role, hash)),
                    tenant_from_row(profile)?,
                ))
            })
            .transpose()
    }
}

impl TenantStore<'_> {
    /// Creates an account made in this tenant and its membership here, together.
    pub async fn create_user(&self, new: &NewUser<'_>, now: Timestamp) -> Result<i64, StoreError> {
        let insert_user = self.sql(
            "INSERT INTO users (tenant_id, email, display_name, role, password_hash, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6::timestamptz) RETURNING id",
        );
        let insert_membership = self.sql(
            "INSERT INTO memberships (user_id, tenant_id, role, created_at) \
             VALUES ($1, $2, $3, $4::timestamptz)",
        );
        with_pool!(self.store, |pool| {
            let mut tx = pool.begin().await?;
            let id: i64 = sqlx::query_scalar(insert_user)
                .bind(self.tenant.0)
                .bind(new.email)
                .bind(new.display_name)
                .bind(new.role)
                .bind(new.password_hash)
                .bind(timestamp_text(now))
                .fetch_one(&mut *tx)
                .await?;
            sqlx::query(insert_membership)
                .bind(id)
                .bind(self.tenant.0)
                .bind(new.role)
                .bind(timestamp_text(now))
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(id)
        })
    }

    /// Makes an existing account a member of this tenant with `role`, or changes the role it
    /// holds here. Returns the role it held before, if any.
    pub async fn grant_membership(
        &self,
        user: i64,
        role: &str,
        now: Timestamp,
    ) -> Result<Option<String>, StoreError> {
        let current =
            self.sql("SELECT role FROM memberships WHERE tenant_id = $1 AND user_id = $2");
        let upsert = self.sql(
            "INSERT INTO memberships (user_id, tenant_id, role, created_at) \
             VALUES ($2, $1, $3, $4::timestamptz) \
             ON CONFLICT (user_id, tenant_id) DO UPDATE SET role = excluded.role",
        );
        with_pool!(self.store, |pool| {
            let mut tx = pool.begin().await?;
            let before: Option<String> = sqlx::query_scalar(current)
                .bind(self.tenant.0)
                .bind(user)
                .fetch_optional(&mut *tx)
                .await?;
            sqlx::query(upsert)
                .bind(self.tenant.0)
                .bind(user)
                .bind(role)
                .bind(timestamp_text(now))
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(before)
        })
    }

    /// The tenant's members, by e-mail, each with the role held here.
    pub async fn users(&self) -> Result<Vec<UserRecord>, StoreError> {
        let sql = self.sql(&format!(
            "SELECT {MEMBER_COLUMNS} FROM memberships m JOIN users u ON u.id = m.user_id \
             WHERE m.tenant_id = $1 ORDER BY u.email"
        ));
        let rows: Vec<UserRow> = with_pool!(self.store, |pool| sqlx::query_as(sql)
            .bind(self.tenant.0)
            .fetch_all(pool)
            .await?);
        Ok(rows.into_iter().map(user).collect())
    }

    /// Records an API token (its hash) made by `user`; returns its id.
    pub async fn create_api_token(
        &self,
        user: i64,
        name: &str,
        token_hash: &str,
        now: Timestamp,
    ) -> Result<i64, StoreError> {
        let sql = self.sql(
            "INSERT INTO api_tokens (tenant_id, user_id, name, token_hash, created_at) \
             VALUES ($1, $2, $3, $4, $5::timestamptz) RETURNING id",
        );
        Ok(with_pool!(self.store, |pool| sqlx::query_scalar(sql)
            .bind(self.tenant.0)
            .bind(user)
            .bind(name)
            .bind(token_hash)
            .bind(timestamp_text(now))
            .fetch_one(pool)
            .await?))
    }

    /// The tenant's API tokens, newest first.
    pub async fn api_tokens(&self) -> Result<Vec<ApiTokenRecord>, StoreError> {
        let sql = self.sql(&format!(
            "SELECT t.id, t.name, u.email, {}, {} FROM api_tokens t JOIN users u ON u.id = t.user_id \
             WHERE t.tenant_id = $1 ORDER BY t.id DESC",
            self.instant("t.created_at"),
            self.instant("t.revoked_at"),
        ));
        let rows: Vec<(i64, String, String, String, Option<String>)> =
            with_pool!(self.store, |pool| sqlx::query_as(sql)
                .bind(self.tenant.0)
                .fetch_all(pool)
                .await?);
        rows.into_iter()
            .map(|(id, name, user_email, created_at, revoked_at)| {
                Ok(ApiTokenRecord {
                    id,
                    name,
                    user_email,
                    created_at: parse_timestamp(&created_at)?,
                    revoked_at: revoked_at.as_deref().map(parse_timestamp).transpose()?,
                })
            })
            .collect()
    }

    /// Revokes one of the tenant's tokens; a token revoked already keeps its first revocation.
    /// Returns whether the tenant has such a token.
    pub async fn revoke_api_token(&self, id: i64, now: Timestamp) -> Result<bool, StoreError> {
        let sql = self.sql(
            "UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, $3::timestamptz) \
             WHERE tenant_id = $1 AND id = $2",
        );
        Ok(with_pool!(self.store, |pool| sqlx::query(sql)
            .bind(self.tenant.0)
            .bind(id)
            .bind(timestamp_text(now))
            .execute(pool)
            .await?
            .rows_affected())
            > 0)
    }
}
