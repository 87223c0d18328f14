//! Bulk writes of an import, in one transaction: all of the file or nothing.
//!
//! The caller (the `app` import use case) has already read and validated the whole file and
//! knows which rows are new or changed; this type only writes them: on SQLite through a
//! connection and thread of the import's own (`sqlite_import`), one prepared statement re-bound
//! per row; on PostgreSQL in chunks of `UNNEST` arrays. Upserts update a row only when its
//! content hash differs, so writing an unchanged row costs a lookup, not a write.
//! Dropping an `ImportTransaction` without `commit` rolls everything back.

use std::collections::HashMap;

use domain::customer::CustomerDetails;
use domain::ids::{CustomerId, ImportId};
use domain::receivable::InvoiceDetails;
use jiff::Timestamp;
use sqlx::{Postgres, Transaction};

use crate::sqlite_import::SqliteImport;
use crate::{Store, StoreError, TenantStore, timestamp_text};

/// What is recorded about the imported file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportMeta {
    pub kind: String,
    pub file_name: String,
    pub file_hash: String,
    pub started_at: Timestamp,
    /// Invoice rows the import expects to write: a large import into a small table rebuilds
    /// the secondary indexes once at the end instead of updating them row by row.
    pub expected_rows: u64,
}

/// A customer to create or update, with the hash of its imported fields.
#[derive(Debug, Clone)]
pub struct CustomerUpsert<'a> {
    pub details: &'a CustomerDetails,
    pub row_hash: i64,
}

/// An invoice to create or update, with its customer's id and the hash of its fields.
#[derive(Debug, Clone)]
pub struct InvoiceUpsert<'a> {
    pub customer: CustomerId,
    pub invoice: &'a InvoiceDetails,
    pub row_hash: i64,
}

enum Tx {
    Sqlite(SqliteImport),
    Postgres {
        tx: Transaction<'static, Postgres>,
        /// The largest customer id when the import began: larger ones are its own.
        customers_before: i64,
    },
}

/// An open import: a database transaction and the import's record.
pub struct ImportTransaction {
    tx: Tx,
    tenant: i64,
    import: ImportId,
    now: String,
}

impl TenantStore<'_> {
    /// Starts an import: opens the transaction and records the import (its counts are set at
    /// commit).
    pub async fn begin_import(&self, meta: &ImportMeta) -> Result<ImportTransaction, StoreError> {
        let now = timestamp_text(meta.started_at);
        let (tx, import) = match self.store {
            Store::Sqlite(pool, _) => {
                let (import, id) =
                    SqliteImport::begin(pool, self.tenant.0, meta, now.clone()).await?;
                (Tx::Sqlite(import), id)
            }
            Store::Postgres(pool) => {
                let mut tx = pool.begin().await?;
                // One import per tenant at a time, across servers.
                sqlx::query("SELECT id FROM tenants WHERE id = $1 FOR UPDATE")
                    .bind(self.tenant.0)
                    .execute(&mut *tx)
                    .await?;
                let customers_before: i64 =
                    sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM customers")
                        .fetch_one(&mut *tx)
                        .await?;
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO imports (tenant_id, kind, file_name, file_hash, rows_read, created, updated, unchanged, imported_at) VALUES ($1, $2, $3, $4, 0, 0, 0, 0, $5::timestamptz) RETURNING id",
                )
                .bind(self.tenant.0)
                .bind(&meta.kind)
                .bind(&meta.file_name)
                .bind(&meta.file_hash)
                .bind(&now)
                .fetch_one(&mut *tx)
                .await?;
                (
                    Tx::Postgres {
                        tx,
                        customers_before,
                    },
                    id,
                )
            }
        };
        Ok(ImportTransaction {
            tx,
            tenant: self.tenant.0,
            import: ImportId(import),
            now,
        })
    }
}

impl ImportTransaction {
    /// Creates or updates customers and returns their ids by reference.
    pub async fn upsert_customers(
        &mut self,
        customers: &[CustomerUpsert<'_>],
    ) -> Result<HashMap<String, CustomerId>, StoreError> {
        match &mut self.tx {
            Tx::Sqlite(import) => import.upsert_customers(customers).await,
            Tx::Postgres { tx, .. } => {
                let mut ids = HashMap::with_capacity(customers.len());
                for chunk in customers.chunks(5_000) {
                    let column =
                        |get: fn(&CustomerDetails) -> Option<String>| -> Vec<Option<String>> {
                            chunk.iter().map(|customer| get(customer.details)).collect()
                        };
                    let rows: Vec<(String, i64)> = sqlx::query_as(POSTGRES_CUSTOMER_UPSERT)
                        .bind(self.tenant)
                        .bind(&self.now)
                        .bind(column(|details| {
                            Some(details.reference.as_str().to_owned())
                        }))
                        .bind(column(|details| Some(details.legal_name.clone())))
                        .bind(column(|details| Some(details.kind.code().to_owned())))
                        .bind(column(|details| Some(details.country.as_str().to_owned())))
                        .bind(column(|details| Some(details.language().code().to_owned())))
                        .bind(column(|details| {
                            details
                                .email
                                .as_ref()
                                .map(|email| email.as_str().to_owned())
                        }))
                        .bind(column(|details| {
                            details
                                .phone
                                .as_ref()
                                .map(|phone| phone.as_str().to_owned())
                        }))
                        .bind(
                            chunk
                                .iter()
                                .map(|customer| customer.row_hash)
                                .collect::<Vec<i64>>(),
                        )
                        .fetch_all(&mut **tx)
                        .await?;
                    ids.extend(
                        rows.into_iter()
                            .map(|(reference, id)| (reference, CustomerId(id))),
                    );
                }
                Ok(ids)
            }
        }
    }

    /// Creates or updates a batch of invoices (any size; it is split into statements here).
    pub async fn upsert_invoices(
        &mut self,
        invoices: &[InvoiceUpsert<'_>],
    ) -> Result<(), StoreError> {
        match &mut self.tx {
            Tx::Sqlite(import) => import.upsert_invoices(invoices).await?,
            Tx::Postgres { tx, .. } => {
                for chunk in invoices.chunks(10_000) {
                    let texts =
                        |get: fn(&InvoiceDetails) -> Option<String>| -> Vec<Option<String>> {
                            chunk.iter().map(|row| get(row.invoice)).collect()
                        };
                    sqlx::query(POSTGRES_INVOICE_UPSERT)
                        .bind(self.tenant)
                        .bind(self.import.0)
                        .bind(chunk.iter().map(|row| row.customer.0).collect::<Vec<i64>>())
                        .bind(texts(|invoice| Some(invoice.number().as_str().to_owned())))
                        .bind(texts(|invoice| Some(invoice.issued_on().to_string())))
                        .bind(texts(|invoice| Some(invoice.due_on().to_string())))
                        .bind(texts(|invoice| {
                            invoice.service_on().map(|date| date.to_string())
                        }))
                        .bind(texts(|invoice| {
                            Some(invoice.amount().currency().code().to_owned())
                        }))
                        .bind(
                            chunk
                                .iter()
                                .map(|row| row.invoice.amount().minor())
                                .collect::<Vec<i64>>(),
                        )
                        .bind(
                            chunk
                                .iter()
                                .map(|row| row.invoice.outstanding().minor())
                                .collect::<Vec<i64>>(),
                        )
                        .bind(chunk.iter().map(|row| row.row_hash).collect::<Vec<i64>>())
                        .execute(&mut **tx)
                        .await?;
                    // The rows given are new or changed: their customers' cases need looking at.
                    let mut customers: Vec<i64> = chunk.iter().map(|row| row.customer.0).collect();
                    customers.sort_unstable();
                    customers.dedup();
                    sqlx::query(
                        "UPDATE dunning_cases SET next_review_on = DATE '0001-01-01', wake_count = wake_count + 1 \
                         WHERE tenant_id = $1 AND customer_id = ANY($2)",
                    )
                    .bind(self.tenant)
                    .bind(customers)
                    .execute(&mut **tx)
                    .await?;
                }
            }
        }
        Ok(())
    }

    /// Records the import's counts and commits everything.
    pub async fn commit(self, counts: ImportCounts) -> Result<ImportId, StoreError> {
        let values = [
            counts.rows_read,
            counts.created,
            counts.updated,
            counts.unchanged,
        ];
        match self.tx {
            Tx::Sqlite(import) => import.commit(counts).await?,
            Tx::Postgres {
                mut tx,
                customers_before,
            } => {
                sqlx::query(crate::dunning_run::REST_NEW_CASES)
                    .bind(self.tenant)
                    .bind(customers_before)
                    .execute(&mut *tx)
                    .await?;
                let mut query = sqlx::query(
                    "UPDATE imports SET rows_read = $1, created = $2, updated = $3, unchanged = $4 WHERE id = $5 AND tenant_id = $6",
                );
                for value in values {
                    query = query.bind(value);
                }
                query
                    .bind(self.import.0)
                    .bind(self.tenant)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
            }
        }
        Ok(self.import)
    }
}

/// The counts an import reports.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportCounts {
    pub rows_read: i64,
    pub created: i64,
    pub updated: i64,
    pub unchanged: i64,
}

const POSTGRES_CUSTOMER_UPSERT: &str = "INSERT INTO customers (tenant_id, created_at, updated_at, reference, legal_name, kind, country, language, email, phone, row_hash) \
    SELECT $1, $2::timestamptz, $2::timestamptz, r, n, k, c, l, e, p, h \
    FROM UNNEST($3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::bigint[]) AS t(r, n, k, c, l, e, p, h) \
    ON CONFLICT (tenant_id, reference) DO UPDATE SET legal_name = EXCLUDED.legal_name, kind = EXCLUDED.kind, \
    country = EXCLUDED.country, language = EXCLUDED.language, \
    email = COALESCE(EXCLUDED.email, customers.email), phone = COALESCE(EXCLUDED.phone, customers.phone), \
    row_hash = EXCLUDED.row_hash, updated_at = EXCLUDED.updated_at \
    WHERE customers.row_hash <> EXCLUDED.row_hash RETURNING reference, id";

const POSTGRES_INVOICE_UPSERT: &str = "INSERT INTO invoices (tenant_id, import_id, customer_id, number, issued_on, due_on, service_on, currency, amount_minor, outstanding_minor, row_hash) \
    SELECT $1, $2, c, n, i::date, d::date, s::date, cur, a, o, h \
    FROM UNNEST($3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::bigint[], $10::bigint[], $11::bigint[]) AS t(c, n, i, d, s, cur, a, o, h) \
    ON CONFLICT (tenant_id, number) DO UPDATE SET customer_id = EXCLUDED.customer_id, issued_on = EXCLUDED.issued_on, \
    due_on = EXCLUDED.due_on, service_on = EXCLUDED.service_on, currency = EXCLUDED.currency, \
    amount_minor = EXCLUDED.amount_minor, outstanding_minor = EXCLUDED.outstanding_minor, \
    row_hash = EXCLUDED.row_hash, import_id = EXCLUDED.import_id \
    WHERE invoices.row_hash <> EXCLUDED.row_hash";
