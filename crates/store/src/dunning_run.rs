//! The daily run's reads and writes: which customers are due, everything the engine needs about
//! a batch of them, and the decisions written back.
//!
//! Schedule, don't scan: every customer has a case row from its creation (a trigger), and the
//! row carries the date the case next needs looking at (`dunning_cases.next_review_on`,
//! indexed). '0001-01-01' means now: a new customer, or a new fact (an invoice imported or
//! changed, a payment, a promise, an approval); '9999-12-31' means only a new fact wakes the
//! case, as for a customer an import created who owes nothing. A normal day reads the cases
//! whose date has come; a re-run of the same day reads none. Deciding a case rewrites that one
//! narrow row (progress and date together).
//!
//! On SQLite batches are read and written through two direct connections kept from one batch to
//! the next (`kept`: the reading one and the writing one, each with its page cache and its
//! statements prepared once): the batch's customer ids go into a temporary table that every
//! query joins, so a cold run (all customers) and a normal day (a few scattered ones) read each
//! table by index, once per batch, and the writes are prepared statements in one transaction. On PostgreSQL the same queries run
//! through the pool with the ids as a list.

use std::collections::HashMap;

use domain::ids::{CustomerId, InvoiceId};
use jiff::Timestamp;
use jiff::civil::Date;
use rusqlite::{Connection, TransactionBehavior, params};

use crate::dunning::{
    ActionTexts, CaseBatch, CaseRecord, CaseUpdate, ContactLogRecord, DebtorRecord, HoldRecord,
    INSERT_ACTION, IncidentRecord, OpenInvoice, PastAction, PolicyRecord, PromiseRecord, Readable,
    RunWrites, SetAside, StoredCase, bind_action, execute_action_with, id_list, select_by_customer,
    sqlite_dialect,
};
use crate::sqlite_direct::{ForeignKeys, empty_wal, store_error, with_connection};
use crate::{Store, StoreError, TenantStore, timestamp_text};

/// The review date meaning "only a new fact wakes this case".
pub(crate) const DORMANT: Date = jiff::civil::date(9999, 12, 31);

/// The review date meaning "at the next run".
pub(crate) const DUE_NOW: Date = jiff::civil::date(1, 1, 1);

/// The cases of the customers an import created (ids above `$2`) that owe nothing: they rest
/// until a new fact wakes them, instead of waiting for the run to find out (a third of a
/// typical ledger's customers).
pub(crate) const REST_NEW_CASES: &str = "UPDATE dunning_cases SET next_review_on = '9999-12-31'::date \
     WHERE tenant_id = $1 AND customer_id > $2 AND next_review_on = '0001-01-01'::date AND level IS NULL \
     AND NOT EXISTS (SELECT 1 FROM invoices i WHERE i.tenant_id = dunning_cases.tenant_id \
                     AND i.customer_id = dunning_cases.customer_id AND i.outstanding_minor > 0)";

const DUE_CUSTOMERS: &str = "SELECT customer_id FROM dunning_cases WHERE tenant_id = $1 AND next_review_on <= $2::date ORDER BY customer_id";

/// A case the run decided. The date moves only if no fact woke the case since the run read it
/// (`wake_count` unchanged); the progress is the run's in any case, as its actions are recorded.
const WRITE_CASE: &str = "UPDATE dunning_cases SET episode = $3, anchor_on = $4::date, level = $5, level_on = $6::date, \
     handed_off = $7, next_review_on = CASE WHEN wake_count = $9 THEN $8::date ELSE next_review_on END \
     WHERE tenant_id = $1 AND customer_id = $2";

/// A case without a row (a customer older than the rows' trigger cannot be, but the run does
/// not rely on it).
const INSERT_CASE: &str = "INSERT INTO dunning_cases (tenant_id, customer_id, episode, anchor_on, level, level_on, handed_off, next_review_on) \
     VALUES ($1, $2, $3, $4::date, $5, $6::date, $7, $8::date) ON CONFLICT (tenant_id, customer_id) DO NOTHING";

const DISPUTED_INVOICES: &str = "SELECT d.invoice_id FROM disputes d JOIN invoices i ON i.id = d.invoice_id \
     WHERE d.tenant_id = $1 AND i.outstanding_minor > 0 \
     AND (d.closed_on IS NULL OR d.outcome IN ('upheld', 'credit-note'))";

const PLANNED_INVOICES: &str = "SELECT pi.invoice_id FROM payment_plans p \
     JOIN payment_plan_invoices pi ON pi.plan_id = p.id WHERE p.tenant_id = $1 AND p.status = 'active'";

const RESOLVE_PROMISE: &str = "UPDATE promises SET status = $3, resolved_on = $4::date WHERE tenant_id = $1 AND id = $2 AND status = 'pending'";

/// What the run reads about a batch of customers, table by table; `who` is the condition on the
/// customer column that selects the batch.
struct BatchQueries {
    debtors: String,
    invoices: String,
    cases: String,
    actions: String,
    contacts: String,
    promises: String,
    holds: String,
    incidents: String,
    policies: String,
}

impl BatchQueries {
    fn new(who: &str, since: Date) -> BatchQueries {
        fn query<T: Readable>(who: &str, extra: &str) -> String {
            select_by_customer::<T>(&format!("{} {who}{extra}", T::CUSTOMER))
        }
        BatchQueries {
            debtors: query::<DebtorRecord>(who, ""),
            invoices: query::<OpenInvoice>(who, ""),
            cases: query::<CaseRecord>(who, ""),
            actions: query::<PastAction>(
                who,
                &format!(
                    " AND (a.decided_on >= '{since}'::date OR a.status = 'awaiting_approval')"
                ),
            ),
            contacts: query::<ContactLogRecord>(
                who,
                &format!(" AND occurred_on >= '{since}'::date"),
            ),
            promises: query::<PromiseRecord>(who, " AND status = 'pending'"),
            holds: query::<HoldRecord>(who, &format!(" AND until_on >= '{since}'::date")),
            incidents: query::<IncidentRecord>(who, " AND resolved_on IS NULL"),
            policies: query::<PolicyRecord>(who, ""),
        }
    }
}

fn cases_by_customer(cases: Vec<CaseRecord>) -> HashMap<CustomerId, StoredCase> {
    cases
        .into_iter()
        .map(|record| (record.customer, record.case))
        .collect()
}

fn policies_by_customer(policies: Vec<PolicyRecord>) -> HashMap<CustomerId, String> {
    policies
        .into_iter()
        .map(|policy| (policy.customer, policy.definition))
        .collect()
}

/// Puts a customer's case in front of the next run.
pub(crate) const WAKE_CUSTOMER: &str = "UPDATE dunning_cases SET next_review_on = '0001-01-01'::date, wake_count = wake_count + 1 WHERE tenant_id = $1 AND customer_id = $2";

impl TenantStore<'_> {
    /// The customers whose case needs looking at on `today`, in id order.
    pub async fn customers_due(&self, today: Date) -> Result<Vec<CustomerId>, StoreError> {
        let ids: Vec<i64> = match self.store {
            Store::Sqlite(pool, _) => {
                let tenant = self.tenant.0;
                let sql = sqlite_dialect(DUE_CUSTOMERS);
                with_connection(pool, ForeignKeys::PerRow, move |connection| {
                    let mut statement = connection.prepare(&sql).map_err(store_error)?;
                    let rows = statement
                        .query_map(params![tenant, today.to_string()], |row| row.get(0))
                        .map_err(store_error)?;
                    rows.collect::<Result<_, _>>().map_err(store_error)
                })
                .await?
            }
            Store::Postgres(pool) => {
                sqlx::query_scalar(DUE_CUSTOMERS)
                    .bind(self.tenant.0)
                    .bind(today.to_string())
                    .fetch_all(pool)
                    .await?
            }
        };
        Ok(ids.into_iter().map(CustomerId).collect())
    }

    /// After a run's last batch is recorded: checkpoints what the batch writer left in the
    /// write-ahead log and empties its file (`sqlite_direct::empty_wal`). The writer leaves
    /// checkpoints to the reader (`load_cases`), whose last one came before the last batches were
    /// written. Nothing to do on PostgreSQL.
    pub async fn end_run(&self) -> Result<(), StoreError> {
        match self.store {
            Store::Sqlite(_, kept) => {
                kept.on_batch_writer(|connection| {
                    empty_wal(connection);
                    Ok(())
                })
                .await
            }
            Store::Postgres(_) => Ok(()),
        }
    }

    /// Forgets every case's schedule and level: the next run starts every case afresh (after a
    /// change of scenario or policy, or to measure a cold run). A case already at rest (no
    /// level, nothing owed, dormant) has nothing to start afresh and is left alone.
    pub async fn reset_dunning(&self) -> Result<(), StoreError> {
        let statements = [
            // Episodes are kept so the actions decided afresh get keys of their own.
            "UPDATE dunning_cases SET anchor_on = NULL, level = NULL, level_on = NULL, \
             next_review_on = '0001-01-01'::date, wake_count = wake_count + 1 WHERE tenant_id = $1 \
             AND (level IS NOT NULL OR anchor_on IS NOT NULL OR next_review_on <> '9999-12-31'::date \
                  OR EXISTS (SELECT 1 FROM invoices i WHERE i.tenant_id = dunning_cases.tenant_id \
                             AND i.customer_id = dunning_cases.customer_id AND i.outstanding_minor > 0))",
        ];
        with_pool!(self.store, |pool| {
            let mut tx = pool.begin().await?;
            for statement in statements {
                sqlx::query(self.sql(statement))
                    .bind(self.tenant.0)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
        });
        Ok(())
    }

    /// Puts a customer's case in front of the next run.
    pub async fn wake_customer(&self, customer: CustomerId) -> Result<(), StoreError> {
        let sql = self.sql(WAKE_CUSTOMER);
        with_pool!(self.store, |pool| {
            sqlx::query(sql)
                .bind(self.tenant.0)
                .bind(customer.0)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// The open invoices dunning leaves aside (disputed, or in an active payment plan), for a
    /// whole run. Read once rather than asked for each open invoice of every batch: those two
    /// correlated lookups per invoice were a sixth of the run's reading. An invoice named twice
    /// (two disputes, two plans) is one entry of the set.
    pub async fn set_aside_invoices(&self) -> Result<SetAside, StoreError> {
        let ids = |sql: &'static str| async move {
            let rows: Vec<i64> = with_pool!(self.store, |pool| {
                sqlx::query_scalar(self.sql(sql))
                    .bind(self.tenant.0)
                    .fetch_all(pool)
                    .await?
            });
            Ok::<_, StoreError>(rows.into_iter().map(InvoiceId).collect())
        };
        Ok(SetAside {
            disputed: ids(DISPUTED_INVOICES).await?,
            in_plan: ids(PLANNED_INVOICES).await?,
        })
    }

    /// Everything the engine needs about these customers; contacts from `since` on.
    pub async fn load_cases(
        &self,
        customers: &[CustomerId],
        since: Date,
    ) -> Result<CaseBatch, StoreError> {
        if customers.is_empty() {
            return Ok(CaseBatch::default());
        }
        match self.store {
            Store::Sqlite(_, kept) => {
                let tenant = self.tenant.0;
                let ids: Vec<i64> = customers.iter().map(|id| id.0).collect();
                kept.on_batch_reader(move |connection| {
                    let batch = load_direct(connection, tenant, &ids, since)?;
                    // The batch writer leaves the checkpoints to this side (see
                    // `Kept::on_batch_writer`); a passive one never waits for the writer.
                    connection
                        .query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))
                        .map_err(store_error)?;
                    Ok(batch)
                })
                .await
            }
            Store::Postgres(_) => {
                let queries = BatchQueries::new(
                    &format!("IN ({})", id_list(customers.iter().map(|id| id.0))),
                    since,
                );
                Ok(CaseBatch {
                    debtors: self.read_sql(&queries.debtors).await?,
                    invoices: self.read_sql(&queries.invoices).await?,
                    cases: cases_by_customer(self.read_sql(&queries.cases).await?),
                    actions: self.read_sql(&queries.actions).await?,
                    contacts: self.read_sql(&queries.contacts).await?,
                    promises: self.read_sql(&queries.promises).await?,
                    holds: self.read_sql(&queries.holds).await?,
                    incidents: self.read_sql(&queries.incidents).await?,
                    policies: policies_by_customer(self.read_sql(&queries.policies).await?),
                })
            }
        }
    }

    async fn read_sql<T: Readable>(&self, sql: &str) -> Result<Vec<T>, StoreError> {
        let rows: Vec<T::Row> = with_pool!(self.store, |pool| {
            sqlx::query_as(self.sql(sql))
                .bind(self.tenant.0)
                .fetch_all(pool)
                .await?
        });
        rows.into_iter().map(T::from_row).collect()
    }

    /// Writes the run's decisions for a batch of customers in one transaction. Actions are keyed
    /// by (customer, episode, step, channel): recording one twice records it once.
    pub async fn record_cases(
        &self,
        updates: Vec<CaseUpdate>,
        now: Timestamp,
    ) -> Result<RunWrites, StoreError> {
        let now = timestamp_text(now);
        let tenant = self.tenant.0;
        match self.store {
            Store::Sqlite(_, kept) => {
                // The writing is the run's longest stage, on a thread of its own: everything but
                // SQLite's work is done here, and what was written comes back to be freed here,
                // on the thread that allocated it (the allocator frees across threads at a cost).
                let cases: Vec<Option<CaseWrite>> = updates.iter().map(CaseWrite::of).collect();
                let texts: Vec<ActionTexts> = updates
                    .iter()
                    .flat_map(|update| &update.actions)
                    .map(ActionTexts::of)
                    .collect();
                let (writes, written) = kept
                    .on_batch_writer(move |connection| {
                        let writes =
                            record_direct(connection, tenant, &updates, &cases, &texts, &now)
                                .map_err(store_error)?;
                        Ok((writes, (updates, cases, texts)))
                    })
                    .await?;
                drop(written);
                Ok(writes)
            }
            Store::Postgres(pool) => {
                let mut writes = RunWrites::default();
                let mut tx = pool.begin().await?;
                for update in &updates {
                    if let Some(write) = CaseWrite::of(update) {
                        let query = sqlx::query(write.sql)
                            .bind(tenant)
                            .bind(write.customer)
                            .bind(write.episode)
                            .bind(write.anchor_on)
                            .bind(write.level)
                            .bind(write.level_on)
                            .bind(write.handed_off)
                            .bind(write.next_review_on);
                        let query = match write.wakes_seen {
                            Some(seen) => query.bind(seen),
                            None => query,
                        };
                        writes.cases += query.execute(&mut *tx).await?.rows_affected();
                    }
                    for action in &update.actions {
                        let result = bind_action(sqlx::query(INSERT_ACTION), tenant, action)
                            .execute(&mut *tx)
                            .await?;
                        writes.actions += result.rows_affected();
                    }
                    for (promise, status) in &update.promise_updates {
                        let result = sqlx::query(RESOLVE_PROMISE)
                            .bind(tenant)
                            .bind(promise)
                            .bind(*status)
                            .bind(now[..10].to_owned())
                            .execute(&mut *tx)
                            .await?;
                        writes.promises += result.rows_affected();
                    }
                }
                tx.commit().await?;
                Ok(writes)
            }
        }
    }
}

/// How one decided case is written, if it changed: its statement and its values.
struct CaseWrite {
    /// `WRITE_CASE` or `INSERT_CASE`, in PostgreSQL's dialect.
    sql: &'static str,
    customer: i64,
    episode: i64,
    anchor_on: Option<String>,
    level: Option<i64>,
    level_on: Option<String>,
    handed_off: bool,
    next_review_on: String,
    /// The wake count read, for `WRITE_CASE`.
    wakes_seen: Option<i64>,
}

impl CaseWrite {
    fn of(update: &CaseUpdate) -> Option<CaseWrite> {
        let next = update.next_review_on.unwrap_or(DORMANT);
        let (sql, wakes_seen) = match &update.previous {
            Some(previous)
                if previous.progress == update.progress && previous.next_review_on == next =>
            {
                return None;
            }
            Some(previous) => (WRITE_CASE, Some(previous.wake_count)),
            None => (INSERT_CASE, None),
        };
        let progress = &update.progress;
        Some(CaseWrite {
            sql,
            customer: update.customer.0,
            episode: i64::from(progress.episode),
            anchor_on: progress.anchor_on.map(|date| date.to_string()),
            level: progress.level.map(|level| level as i64),
            level_on: progress.level_on.map(|date| date.to_string()),
            handed_off: progress.handed_off,
            next_review_on: next.to_string(),
            wakes_seen,
        })
    }
}

/// The SQLite side of `load_cases`: one read transaction, the batch's ids in a temporary table.
fn load_direct(
    connection: &mut Connection,
    tenant: i64,
    ids: &[i64],
    since: Date,
) -> Result<CaseBatch, StoreError> {
    // Every table is read from the same snapshot.
    let transaction = connection.transaction().map_err(store_error)?;
    transaction
        .execute_batch(
            "CREATE TEMP TABLE IF NOT EXISTS run_customers (id INTEGER PRIMARY KEY); DELETE FROM temp.run_customers;",
        )
        .map_err(store_error)?;
    {
        let mut insert = transaction
            .prepare_cached("INSERT INTO temp.run_customers (id) VALUES (?1)")
            .map_err(store_error)?;
        for id in ids {
            insert.execute([id]).map_err(store_error)?;
        }
    }
    let queries = BatchQueries::new("IN (SELECT id FROM temp.run_customers)", since);
    let connection = &*transaction;
    // One debtor and one case per customer, and a few open invoices each (2.8 on average in
    // a generated portfolio): sized once rather than grown by copying.
    let customers = ids.len();
    let batch = CaseBatch {
        debtors: read_direct(connection, tenant, &queries.debtors, customers)?,
        invoices: read_direct(connection, tenant, &queries.invoices, 4 * customers)?,
        cases: cases_by_customer(read_direct(connection, tenant, &queries.cases, customers)?),
        actions: read_direct(connection, tenant, &queries.actions, 0)?,
        contacts: read_direct(connection, tenant, &queries.contacts, 0)?,
        promises: read_direct(connection, tenant, &queries.promises, 0)?,
        holds: read_direct(connection, tenant, &queries.holds, 0)?,
        incidents: read_direct(connection, tenant, &queries.incidents, 0)?,
        policies: policies_by_customer(read_direct(connection, tenant, &queries.policies, 0)?),
    };
    Ok(batch)
}

fn read_direct<T: Readable>(
    connection: &Connection,
    tenant: i64,
    sql: &str,
    expected: usize,
) -> Result<Vec<T>, StoreError> {
    let mut statement = connection
        .prepare_cached(&sqlite_dialect(sql))
        .map_err(store_error)?;
    let mut rows = statement.query([tenant]).map_err(store_error)?;
    let mut records = Vec::with_capacity(expected);
    while let Some(row) = rows.next().map_err(store_error)? {
        records.push(T::from_sqlite_row(row)?);
    }
    Ok(records)
}

/// The SQLite side of `record_cases`: one write transaction, prepared statements. `cases` is
/// `updates`' writes, one for each, and `texts` their actions' texts, in order.
fn record_direct(
    connection: &mut Connection,
    tenant: i64,
    updates: &[CaseUpdate],
    cases: &[Option<CaseWrite>],
    texts: &[ActionTexts],
    now: &str,
) -> rusqlite::Result<RunWrites> {
    let mut writes = RunWrites::default();
    let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
    {
        let mut write_case = transaction.prepare_cached(&sqlite_dialect(WRITE_CASE))?;
        let mut insert_case = transaction.prepare_cached(&sqlite_dialect(INSERT_CASE))?;
        let mut insert_action = transaction.prepare_cached(&sqlite_dialect(INSERT_ACTION))?;
        let mut resolve_promise = transaction.prepare_cached(&sqlite_dialect(RESOLVE_PROMISE))?;
        let today = &now[..10];
        let mut texts = texts.iter();
        for (update, case) in updates.iter().zip(cases) {
            if let Some(write) = case {
                let values = params![
                    tenant,
                    write.customer,
                    write.episode,
                    write.anchor_on,
                    write.level,
                    write.level_on,
                    write.handed_off,
                    write.next_review_on,
                ];
                let written = match write.wakes_seen {
                    Some(seen) => {
                        let mut all = values.to_vec();
                        all.push(&seen);
                        write_case.execute(all.as_slice())?
                    }
                    None => insert_case.execute(values)?,
                };
                writes.cases += written as u64;
            }
            for (action, texts) in update.actions.iter().zip(&mut texts) {
                writes.actions +=
                    execute_action_with(&mut insert_action, tenant, action, texts)? as u64;
            }
            for (promise, status) in &update.promise_updates {
                writes.promises +=
                    resolve_promise.execute(params![tenant, promise, status, today])? as u64;
            }
        }
    }
    transaction.commit()?;
    Ok(writes)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every customer of a cold run has a debtor row, a case row and a few open invoices: those
    /// three are read in the order of their indexes. (The other tables hold a few rows for a
    /// few customers, sorted customer by customer.)
    #[tokio::test]
    async fn the_tables_read_for_every_customer_come_in_index_order_without_a_sort() {
        let directory =
            std::env::temp_dir().join(format!("relance-run-plan-{}", std::process::id()));
        std::fs::create_dir_all(&directory).unwrap();
        let path = directory.join("plan.db");
        Store::open_sqlite(&path).await.unwrap().close().await;
        let connection = crate::sqlite_direct::open(&path, ForeignKeys::PerRow).unwrap();
        connection
            .execute_batch("CREATE TEMP TABLE run_customers (id INTEGER PRIMARY KEY)")
            .unwrap();
        let queries = BatchQueries::new(
            "IN (SELECT id FROM temp.run_customers)",
            jiff::civil::date(2026, 1, 1),
        );
        let plans: Vec<String> = [&queries.debtors, &queries.invoices, &queries.cases]
            .into_iter()
            .map(|sql| {
                let mut explain = connection
                    .prepare(&format!("EXPLAIN QUERY PLAN {}", sqlite_dialect(sql)))
                    .unwrap();
                let plan: Vec<String> = explain
                    .query_map([1], |row| row.get::<_, String>(3))
                    .unwrap()
                    .collect::<Result<_, _>>()
                    .unwrap();
                format!("{sql}\n{}", plan.join("\n"))
            })
            .collect();
        drop(connection);
        let _ = std::fs::remove_dir_all(&directory);
        for plan in &plans {
            assert!(!plan.contains("TEMP B-TREE"), "{plan}");
        }
        assert!(
            plans[1].contains("COVERING INDEX open_invoices_by_customer"),
            "{}",
            plans[1]
        );
    }
}
