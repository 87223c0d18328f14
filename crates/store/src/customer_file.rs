//! A customer's file: the debtor, its whole dunning history and its invoices, read together.
//!
//! It is the most read thing in the application (the staff page, the API, the portal, every
//! letter), so on SQLite its eight reads run as one request on a kept direct connection, in one
//! snapshot (see `readers`); PostgreSQL runs the same statements through its pool. Every
//! statement binds the customer rather than spelling it into the text, so that each stays
//! prepared from one customer to the next.

use domain::customer::CustomerRef;
use domain::ids::{CustomerId, InvoiceId};

use crate::dunning::{Readable, select_where};
use crate::reads::{InvoiceRow, invoice_from_row};
use crate::sqlite_direct::store_error;
use crate::{
    ActionRecord, ContactLogRecord, CustomerFile, DebtorRecord, DisputeRecord, HoldRecord,
    IncidentRecord, InvoiceRecord, PromiseRecord, Store, StoreError, TenantStore, parse_date,
    readers,
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

/// The SQLite side: every read on one connection, in the snapshot `readers` opens.
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
        readers::read_where(connection, &of_customer::<T>(), [tenant, customer])
    }
    Ok(Parts {
        debtors: all(connection, tenant, customer)?,
        actions: all(connection, tenant, customer)?,
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
        let Store::Sqlite(_, readers) = self.store else {
            let customer = self.customer_id(reference).await?;
            return self.read_file(customer, true).await;
        };
        let tenant = self.tenant.0;
        let text = reference.as_str().to_owned();
        let (customer, parts) = readers
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
            Store::Sqlite(_, readers) => {
                readers
                    .read(move |connection| {
                        read_direct(connection, tenant, customer.0, with_invoices)
                    })
                    .await?
            }
            Store::Postgres(_) => Parts {
                debtors: self.of_customer(customer).await?,
                actions: self.of_customer(customer).await?,
                contacts: self.of_customer(customer).await?,
                promises: self.of_customer(customer).await?,
                disputes: self.of_customer(customer).await?,
                holds: self.of_customer(customer).await?,
                incidents: self.of_customer(customer).await?,
                invoices: if with_invoices {
                    self.of_customer(customer).await?
                } else {
                    Vec::new()
                },
            },
        };
        parts.file(customer)
    }

    async fn of_customer<T: Readable>(&self, customer: CustomerId) -> Result<Vec<T>, StoreError> {
        let sql = self.sql(&select_where::<T>(&of_customer::<T>()));
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
