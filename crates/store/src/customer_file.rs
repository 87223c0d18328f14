//! A customer's file: the debtor, its whole dunning history and its invoices, read together.
//!
//! It is the most read thing in the application (the staff page, the API, the portal, every
//! letter), so on SQLite its eight reads run as one request on a kept direct connection, in one
//! snapshot (see `kept`); PostgreSQL runs the same statements through its pool. Every
//! statement binds the customer rather than spelling it into the text, so that each stays
//! prepared from one customer to the next.

use domain::customer::CustomerRef;
use domain::ids::{CustomerId, InvoiceId};

use crate::dunning::{Readable, select_where};
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
fn file_sql<T: Readable>() -> String {
    select_where::<T>(&of_customer::<T>())
}

/// A customer's actions, unordered. Asked for in date order, SQLite (3.51) walks the index by
/// date, that is every action of the creditor, rather than the customer's few entries of the
/// index by customer, whatever its statistics say: 16 ms a file at a million invoices. They are
/// put in order here instead (`in_file_order`).
fn actions_sql() -> String {
    format!(
        "{} AND {}",
        ActionRecord::SELECT,
        of_customer::<ActionRecord>()
    )
}

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
    fn all<T: Readable>(
        connection: &rusqlite::Connection,
        tenant: i64,
        customer: i64,
    ) -> Result<Vec<T>, StoreError> {
        kept::read(connection, &file_sql::<T>(), [tenant, customer])
    }
    Ok(Parts {
        debtors: all(connection, tenant, customer)?,
        actions: in_file_order(kept::read(connection, &actions_sql(), [tenant, customer])?),
        contacts: all(connection, tenant, customer)?,
        promises: all(connection, tenant, customer)?,
        disputes: all(connection, tenant, customer)?,
        holds: all(connection, tenant, customer)?,
        incidents: all(connection, tenant, customer)?,
        invoices: if with_invoices {
            all(connection, tenant, customer)?
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
            Store::Postgres(_) => Parts {
                debtors: self
                    .of_customer(customer, &file_sql::<DebtorRecord>())
                    .await?,
                actions: in_file_order(self.of_customer(customer, &actions_sql()).await?),
                contacts: self
                    .of_customer(customer, &file_sql::<ContactLogRecord>())
                    .await?,
                promises: self
                    .of_customer(customer, &file_sql::<PromiseRecord>())
                    .await?,
                disputes: self
                    .of_customer(customer, &file_sql::<DisputeRecord>())
                    .await?,
                holds: self
                    .of_customer(customer, &file_sql::<HoldRecord>())
                    .await?,
                incidents: self
                    .of_customer(customer, &file_sql::<IncidentRecord>())
                    .await?,
                invoices: if with_invoices {
                    self.of_customer(customer, &file_sql::<InvoiceRecord>())
                        .await?
                } else {
                    Vec::new()
                },
            },
        };
        parts.file(customer)
    }

    /// The records `sql` reads for the customer, through the pool.
    async fn of_customer<T: Readable>(
        &self,
        customer: CustomerId,
        sql: &str,
    ) -> Result<Vec<T>, StoreError> {
        let sql = self.sql(sql);
        let rows: Vec<T::Row> = with_pool!(self.store, |pool| {
            sqlx::query_as(sql)
                .bind(self.tenant.0)
                .bind(customer.0)
                .fetch_all(pool)
                .await?
        });
        rows.into_iter().map(T::from_row).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::{actions_sql, file_sql};
    use crate::dunning::sqlite_dialect;
    use crate::{InvoiceRecord, Store};

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
                                  invoice_numbers, decided_on, scheduled_at, status, explanation, created_at, updated_at) \
               SELECT 1, 1 + i % 400, 1, 'step' || (i / 400), 'email', 0, 'courteous', 'reminder', '[]', '[]', \
                      date('2026-01-01', '+' || (i % 300) || ' days'), '2026-11-20T09:00:00Z', 'sent', '', '2026-11-20', '2026-11-20' \
               FROM n; \
             ANALYZE;",
        )
        .execute(pool)
        .await
        .unwrap();
        let mut plans = Vec::new();
        for sql in [actions_sql(), file_sql::<InvoiceRecord>()] {
            let explain = format!("EXPLAIN QUERY PLAN {}", sqlite_dialect(&sql));
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
