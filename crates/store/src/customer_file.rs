//! A customer's file: the debtor, its whole dunning history and its invoices, read together.
//!
//! It is the most read thing in the application (the staff page, the API, the portal, every
//! letter), so on SQLite its eight reads run as one request on a kept direct connection, in one
//! snapshot (see `kept`); PostgreSQL runs the same statements through its pool. Every
//! statement binds the customer rather than spelling it into the text, so that each stays
//! prepared from one customer to the next.

use domain::customer::CustomerRef;
use domain::ids::{CustomerId, InvoiceId};

use std::sync::LazyLock;

use crate::dunning::{Dialects, Readable, select_where};
use crate::reads::{InvoiceRow, invoice_from_row};
use crate::sqlite_direct::store_error;
use crate::{
    ActionRecord, ContactLogRecord, CustomerFile, DebtorRecord, DisputeRecord, HoldRecord,
    IncidentRecord, InvoiceRecord, PromiseRecord, Store, StoreError, TenantStore, kept, parse_date,
};

type DisputeRow = (
    i64,
    i64,
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
);

impl Readable for DisputeRecord {
    type Row = DisputeRow;
    const SELECT: &'static str = "SELECT d.id, d.invoice_id, i.number, d.reason, d.note, iso(d.opened_on), iso(d.closed_on), d.outcome \
         FROM disputes d JOIN invoices i ON i.id = d.invoice_id WHERE d.tenant_id = $1";
    const CUSTOMER: &'static str = "i.customer_id";
    const ORDER: &'static str = "d.opened_on, d.id";

    fn from_row(row: DisputeRow) -> Result<Self, StoreError> {
        let (id, invoice, number, reason, note, opened, closed, outcome) = row;
        Ok(DisputeRecord {
            id,
            invoice: InvoiceId(invoice),
            invoice_number: number,
            reason,
            note,
            opened_on: parse_date(&opened)?,
            closed_on: closed.as_deref().map(parse_date).transpose()?,
            outcome,
        })
    }
}

impl Readable for InvoiceRecord {
    type Row = InvoiceRow;
    const SELECT: &'static str = "SELECT i.id, i.number, c.reference, c.legal_name, iso(i.issued_on), iso(i.due_on), iso(i.service_on), \
         i.currency, i.amount_minor, i.outstanding_minor \
         FROM invoices i JOIN customers c ON c.id = i.customer_id WHERE i.tenant_id = $1";
    const CUSTOMER: &'static str = "i.customer_id";
    const ORDER: &'static str = "i.due_on, i.number";

    fn from_row(row: InvoiceRow) -> Result<Self, StoreError> {
        invoice_from_row(row)
    }
}

/// The condition every read of the file shares: the customer, bound as `$2`.
fn of_customer<T: Readable>() -> String {
    format!("{} = $2", T::CUSTOMER)
}

/// The statement reading a customer's records of type `T`, in their order.
fn file_sql<T: Readable>() -> Dialects {
    Dialects::new(select_where::<T>(&of_customer::<T>()))
}

/// The file's statements, written once in each dialect.
struct FileSql {
    debtors: Dialects,
    actions: Dialects,
    contacts: Dialects,
    promises: Dialects,
    disputes: Dialects,
    holds: Dialects,
    incidents: Dialects,
    invoices: Dialects,
}

static FILE_SQL: LazyLock<FileSql> = LazyLock::new(|| FileSql {
    debtors: file_sql::<DebtorRecord>(),
    // Unordered. Asked for in date order, SQLite (3.51) walks the index by date, that is every
    // action of the creditor, rather than the customer's few entries of the index by customer,
    // whatever its statistics say: 16 ms a file at a million invoices. They are put in order
    // here instead (`in_file_order`).
    actions: Dialects::new(format!(
        "{} AND {}",
        ActionRecord::SELECT,
        of_customer::<ActionRecord>()
    )),
    contacts: file_sql::<ContactLogRecord>(),
    promises: file_sql::<PromiseRecord>(),
    disputes: file_sql::<DisputeRecord>(),
    holds: file_sql::<HoldRecord>(),
    incidents: file_sql::<IncidentRecord>(),
    invoices: file_sql::<InvoiceRecord>(),
});

/// `ActionRecord::ORDER` within one customer: by day, then as recorded.
fn in_file_order(mut actions: Vec<ActionRecord>) -> Vec<ActionRecord> {
    actions.sort_by_key(|action| (action.decided_on, action.id));
    actions
}

/// The file's parts as read, before the debtor is known to exist.
struct Parts {
    debtors: Vec<DebtorRecord>,
    actions: Vec<ActionRecord>,
    contacts: Vec<ContactLogRecord>,
    promises: Vec<PromiseRecord>,
    disputes: Vec<DisputeRecord>,
    holds: Vec<HoldRecord>,
    incidents: Vec<IncidentRecord>,
    invoices: Vec<InvoiceRecord>,
}

impl Parts {
    fn file(
        mut self,
        customer: CustomerId,
    ) -> Result<(CustomerFile, Vec<InvoiceRecord>), StoreError> {
        let debtor = self.debtors.pop().ok_or_else(|| StoreError::NotFound {
            what: format!("customer {customer}"),
        })?;
        Ok((
            CustomerFile {
                debtor,
                actions: self.actions,
                contacts: self.contacts,
                promises: self.promises,
                disputes: self.disputes,
                holds: self.holds,
                incidents: self.incidents,
            },
            self.invoices,
        ))
    }
}

/// The SQLite side: every read on one connection, in the snapshot `kept` opens.
fn read_direct(
    connection: &rusqlite::Connection,
    tenant: i64,
    customer: i64,
    with_invoices: bool,
) -> Result<Parts, StoreError> {
    let sql = &*FILE_SQL;
    let ids = [tenant, customer];
    Ok(Parts {
        debtors: kept::read(connection, &sql.debtors.sqlite, ids)?,
        actions: in_file_order(kept::read(connection, &sql.actions.sqlite, ids)?),
        contacts: kept::read(connection, &sql.contacts.sqlite, ids)?,
        promises: kept::read(connection, &sql.promises.sqlite, ids)?,
        disputes: kept::read(connection, &sql.disputes.sqlite, ids)?,
        holds: kept::read(connection, &sql.holds.sqlite, ids)?,
        incidents: kept::read(connection, &sql.incidents.sqlite, ids)?,
        invoices: if with_invoices {
            kept::read(connection, &sql.invoices.sqlite, ids)?
        } else {
            Vec::new()
        },
    })
}

impl TenantStore<'_> {
    /// Everything about one customer for its file (every action, contact, promise, dispute,
    /// hold and incident, oldest first) and every invoice, by due date.
    pub async fn customer_file_and_invoices(
        &self,
        customer: CustomerId,
    ) -> Result<(CustomerFile, Vec<InvoiceRecord>), StoreError> {
        self.read_file(customer, true).await
    }

    /// The same, the customer named by its reference: one request on SQLite.
    pub async fn customer_file_by_reference(
        &self,
        reference: &CustomerRef,
    ) -> Result<(CustomerFile, Vec<InvoiceRecord>), StoreError> {
        let Store::Sqlite(_, kept) = self.store else {
            let customer = self.customer_id(reference).await?;
            return self.read_file(customer, true).await;
        };
        let tenant = self.tenant.0;
        let text = reference.as_str().to_owned();
        let (customer, parts) = kept
            .read(move |connection| {
                let customer: Option<i64> = connection
                    .prepare_cached(
                        "SELECT id FROM customers WHERE tenant_id = ?1 AND reference = ?2",
                    )
                    .and_then(|mut statement| {
                        statement
                            .query_map(rusqlite::params![tenant, text], |row| row.get(0))?
                            .next()
                            .transpose()
                    })
                    .map_err(store_error)?;
                let customer = customer.ok_or_else(|| StoreError::NotFound {
                    what: format!("customer {text}"),
                })?;
                Ok((customer, read_direct(connection, tenant, customer, true)?))
            })
            .await?;
        parts.file(CustomerId(customer))
    }

    /// Everything about one customer for its file, without its invoices.
    pub async fn customer_file(&self, customer: CustomerId) -> Result<CustomerFile, StoreError> {
        Ok(self.read_file(customer, false).await?.0)
    }

    async fn read_file(
        &self,
        customer: CustomerId,
        with_invoices: bool,
    ) -> Result<(CustomerFile, Vec<InvoiceRecord>), StoreError> {
        let tenant = self.tenant.0;
        let parts = match self.store {
            Store::Sqlite(_, kept) => {
                kept.read(move |connection| {
                    read_direct(connection, tenant, customer.0, with_invoices)
                })
                .await?
            }
            Store::Postgres(pool) => {
                let sql = &*FILE_SQL;
                let ids = (tenant, customer.0);
                Parts {
                    debtors: of_customer_pg(pool, &sql.debtors.postgres, ids).await?,
                    actions: in_file_order(of_customer_pg(pool, &sql.actions.postgres, ids).await?),
                    contacts: of_customer_pg(pool, &sql.contacts.postgres, ids).await?,
                    promises: of_customer_pg(pool, &sql.promises.postgres, ids).await?,
                    disputes: of_customer_pg(pool, &sql.disputes.postgres, ids).await?,
                    holds: of_customer_pg(pool, &sql.holds.postgres, ids).await?,
                    incidents: of_customer_pg(pool, &sql.incidents.postgres, ids).await?,
                    invoices: if with_invoices {
                        of_customer_pg(pool, &sql.invoices.postgres, ids).await?
                    } else {
                        Vec::new()
                    },
                }
            }
        };
        parts.file(customer)
    }
}

/// The records `sql` reads for the customer, through PostgreSQL's pool.
async fn of_customer_pg<T: Readable>(
    pool: &sqlx::PgPool,
    sql: &str,
    (tenant, customer): (i64, i64),
) -> Result<Vec<T>, StoreError> {
    let rows: Vec<T::Row> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(tenant)
        .bind(customer)
        .fetch_all(pool)
        .await?;
    rows.into_iter().map(T::from_row).collect()
}

#[cfg(test)]
mod tests {
    use super::FILE_SQL;
    use crate::Store;

    #[tokio::test]
    async fn a_customers_actions_and_invoices_are_read_through_the_indexes_by_customer() {
        let directory =
            std::env::temp_dir().join(format!("relance-file-plan-{}", std::process::id()));
        std::fs::create_dir_all(&directory).unwrap();
        let store = Store::open_sqlite(&directory.join("plan.db"))
            .await
            .unwrap();
        let Store::Sqlite(pool, _) = &store else {
            unreachable!("opened as SQLite")
        };
        // Many actions of other customers, on many days: the index by date is tempting.
        sqlx::raw_sql(
            "INSERT INTO tenants (company_name, country, time_zone, currency, default_payment_term_days, language, created_at) \
               VALUES ('Atelier', 'FR', 'Europe/Paris', 'EUR', 30, 'fr', '2026-11-20T09:00:00Z'); \
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 400) \
             INSERT INTO customers (tenant_id, reference, legal_name, kind, country, language, row_hash, created_at, updated_at) \
               SELECT 1, 'C' || i, 'Client ' || i, 'b2b', 'FR', 'fr', i, '2026-11-20', '2026-11-20' FROM n; \
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000) \
             INSERT INTO actions (tenant_id, customer_id, episode, step_key, channel, companion, tone, template, invoice_ids, \
                                  decided_on, scheduled_at, status, explanation) \
               SELECT 1, 1 + i % 400, 1, 'step' || (i / 400), 'email', 0, 'courteous', 'reminder', '', \
                      date('2026-01-01', '+' || (i % 300) || ' days'), '2026-11-20T09:00:00Z', 'sent', '' \
               FROM n; \
             ANALYZE;",
        )
        .execute(pool)
        .await
        .unwrap();
        let mut plans = Vec::new();
        for sql in [&FILE_SQL.actions.sqlite, &FILE_SQL.invoices.sqlite] {
            let explain = format!("EXPLAIN QUERY PLAN {sql}");
            let rows: Vec<(i64, i64, i64, String)> = sqlx::query_as(sqlx::AssertSqlSafe(explain))
                .bind(1)
                .bind(7)
                .fetch_all(pool)
                .await
                .unwrap();
            plans.push(
                rows.into_iter()
                    .map(|(.., detail)| detail)
                    .collect::<Vec<_>>()
                    .join("\n"),
            );
        }
        store.close().await;
        let _ = std::fs::remove_dir_all(&directory);
        let [actions, invoices] = &plans[..] else {
            unreachable!("two plans")
        };
        assert!(
            actions.contains("(tenant_id=? AND customer_id=?)")
                && !actions.contains("actions_by_date"),
            "{actions}"
        );
        assert!(
            invoices.contains("invoices_by_customer (tenant_id=? AND customer_id=?)"),
            "{invoices}"
        );
    }
}
