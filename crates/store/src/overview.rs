//! Reads of the web application's pages: a page of customers searched and sorted in SQL (a
//! portfolio of 100,000 customers is never loaded whole), the promises of a day, and the sales
//! of a period for the DSO.

use std::collections::HashMap;
use std::fmt::Write as _;

use domain::customer::{CustomerKind, CustomerRef};
use domain::identifiers::CountryCode;
use domain::ids::CustomerId;
use domain::money::{Currency, Money};
use jiff::civil::Date;

use crate::dunning::{ActionRecord, PromiseRecord, Readable, corrupt, id_list};
use crate::{CustomerSummary, Store, StoreError, TenantStore, parse_date};

/// The order of a customers page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CustomerSort {
    #[default]
    Reference,
    Name,
    /// Largest outstanding first.
    Outstanding,
}

/// Which customers a page shows.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CustomerQuery {
    /// Part of the reference or the name, in any case.
    pub search: Option<String>,
    /// Only customers with something outstanding.
    pub open_only: bool,
    pub sort: CustomerSort,
    pub offset: u32,
    pub limit: u32,
}

/// One page of customers and how many match in all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerPage {
    pub customers: Vec<CustomerSummary>,
    pub total: i64,
}

/// A promise with the customer who made it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PromiseOfCustomer {
    pub promise: PromiseRecord,
    pub customer_ref: String,
    pub customer_name: String,
}

/// `%text%` for LIKE, with LIKE's own wildcards taken literally.
fn like_pattern(text: &str) -> String {
    let mut pattern = String::from("%");
    for character in text.to_lowercase().chars() {
        if matches!(character, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(character);
    }
    pattern.push('%');
    pattern
}

impl TenantStore<'_> {
    /// A page of customers with their totals. Searching and sorting happen in SQL; the totals
    /// are read for the page's customers only, except when the order or the filter needs the
    /// outstanding of every customer (then from the open invoices alone).
    pub async fn customer_page(&self, query: &CustomerQuery) -> Result<CustomerPage, StoreError> {
        let currency = self.profile().await?.currency;
        let search = query
            .search
            .as_deref()
            .map(str::trim)
            .filter(|text| !text.is_empty())
            .map(like_pattern);
        let mut condition = String::from("c.tenant_id = $1");
        if search.is_some() {
            condition.push_str(match self.store {
                // SQLite's LIKE ignores the case of ASCII letters, and its lower() folds those
                // alone: the same matches, read from the covering index `customers_search`
                // without calling lower() on every customer (three times faster).
                Store::Sqlite(..) => {
                    " AND (c.reference LIKE $2 ESCAPE '\\' OR c.legal_name LIKE $2 ESCAPE '\\')"
                }
                Store::Postgres(_) => {
                    " AND (lower(c.reference) LIKE $2 ESCAPE '\\' OR lower(c.legal_name) LIKE $2 ESCAPE '\\')"
                }
            });
        }
        let needs_totals = query.open_only || query.sort == CustomerSort::Outstanding;
        let open = "(SELECT customer_id, SUM(CASE WHEN currency = '{currency}' THEN outstanding_minor ELSE 0 END) AS due \
             FROM invoices WHERE tenant_id = $1 AND outstanding_minor > 0 GROUP BY customer_id) o"
            .replace("{currency}", currency.code());
        let from = if needs_totals {
            let join = if query.open_only { "JOIN" } else { "LEFT JOIN" };
            format!("customers c {join} {open} ON o.customer_id = c.id")
        } else {
            "customers c".to_owned()
        };
        let order = match query.sort {
            CustomerSort::Reference => "c.reference",
            CustomerSort::Name => "c.legal_name, c.reference",
            CustomerSort::Outstanding => "COALESCE(o.due, 0) DESC, c.reference",
        };
        let mut page_sql = format!("SELECT c.id FROM {from} WHERE {condition} ORDER BY {order}");
        write!(page_sql, " LIMIT {} OFFSET {}", query.limit, query.offset).expect("string");
        let count_sql = format!("SELECT COUNT(*) FROM {from} WHERE {condition}");
        let page_sql = self.sql(&page_sql);
        let count_sql = self.sql(&count_sql);
        let (ids, total): (Vec<i64>, i64) = with_pool!(self.store, |pool| {
            let mut page = sqlx::query_scalar(page_sql).bind(self.tenant.0);
            let mut count = sqlx::query_scalar(count_sql).bind(self.tenant.0);
            if let Some(pattern) = &search {
                page = page.bind(pattern.clone());
                count = count.bind(pattern.clone());
            }
            (page.fetch_all(pool).await?, count.fetch_one(pool).await?)
        });
        if ids.is_empty() {
            return Ok(CustomerPage {
                customers: Vec::new(),
                total,
            });
        }
        // Every figure comes from an index alone: the count of invoices from the index by
        // customer, the open ones from the covering index of open items. Summing the invoices
        // themselves read every row of the page's customers: half a second for the first page
        // of a million customers, whose first references have thousands of invoices each. The
        // unary plus keeps SQLite on the ids rather than the tenant's whole index of names.
        let listed = id_list(ids.iter().copied());
        let totals_sql = self.sql(&format!(
            "SELECT c.id, c.reference, c.legal_name, c.kind, c.country, c.email, c.phone, \
             (SELECT COUNT(*) FROM invoices i WHERE i.tenant_id = $1 AND i.customer_id = c.id), \
             CAST(COALESCE(o.open, 0) AS BIGINT), CAST(COALESCE(o.due, 0) AS BIGINT) \
             FROM customers c LEFT JOIN ( \
                 SELECT customer_id, COUNT(*) AS open, \
                 SUM(CASE WHEN currency = $2 THEN outstanding_minor ELSE 0 END) AS due \
                 FROM invoices WHERE tenant_id = $1 AND outstanding_minor > 0 AND customer_id IN ({listed}) \
                 GROUP BY customer_id \
             ) o ON o.customer_id = c.id \
             WHERE +c.tenant_id = $1 AND c.id IN ({listed})"
        ));
        type Row = (
            i64,
            String,
            String,
            String,
            String,
            Option<String>,
            Option<String>,
            i64,
            i64,
            i64,
        );
        let rows: Vec<Row> = with_pool!(self.store, |pool| sqlx::query_as(totals_sql)
            .bind(self.tenant.0)
            .bind(currency.code())
            .fetch_all(pool)
            .await?);
        let mut by_id: HashMap<i64, CustomerSummary> = HashMap::with_capacity(rows.len());
        for (id, reference, legal_name, kind, country, email, phone, invoices, open, due) in rows {
            let bad = |what: &str| corrupt(format!("customer {id}: {what}"));
            by_id.insert(
                id,
                CustomerSummary {
                    id: CustomerId(id),
                    reference: CustomerRef::parse(&reference).map_err(|_| bad("reference"))?,
                    legal_name,
                    kind: CustomerKind::parse(&kind).map_err(|_| bad("kind"))?,
                    country: CountryCode::parse(&country).map_err(|_| bad("country"))?,
                    email,
                    phone,
                    invoices,
                    open_invoices: open,
                    outstanding: Money::from_minor(due, currency),
                },
            );
        }
        Ok(CustomerPage {
            customers: ids.iter().filter_map(|id| by_id.remove(id)).collect(),
            total,
        })
    }

    /// How many actions were decided on a day and/or have a status, and `limit` of them from
    /// `offset` in the order they were decided: a dashboard shows a few of thousands, the API
    /// pages through them. (The queue's order, by customer reference, would join and sort every
    /// one of them at each call.)
    pub async fn actions_sample(
        &self,
        decided_on: Option<Date>,
        status: Option<&str>,
        offset: u32,
        limit: u32,
    ) -> Result<(i64, Vec<ActionRecord>), StoreError> {
        let mut condition = String::from("1 = 1");
        if let Some(day) = decided_on {
            write!(condition, " AND a.decided_on = '{day}'::date").expect("string");
        }
        if let Some(status) = status {
            let status = crate::ACTION_STATUSES
                .iter()
                .find(|known| **known == status)
                .ok_or_else(|| StoreError::NotFound {
                    what: format!("action status {status:?}"),
                })?;
            write!(condition, " AND a.status = '{status}'").expect("string");
        }
        self.counted_actions(&condition, "a.id", offset, limit)
            .await
    }

    /// A page of the day's queue: what waits for approval, whenever decided, then the actions
    /// decided on `day`, each group by customer reference; with how many there are in all. A
    /// cold run's day holds hundreds of thousands of actions: the page is cut in SQL.
    pub async fn action_queue(
        &self,
        day: Date,
        offset: u32,
        limit: u32,
    ) -> Result<(i64, Vec<ActionRecord>), StoreError> {
        let condition = format!("(a.status = 'awaiting_approval' OR a.decided_on = '{day}'::date)");
        self.counted_actions(
            &condition,
            "CASE WHEN a.status = 'awaiting_approval' THEN 0 ELSE 1 END, c.reference, a.id",
            offset,
            limit,
        )
        .await
    }

    /// How many actions meet `condition`, and `limit` of them from `offset` in `order`.
    async fn counted_actions(
        &self,
        condition: &str,
        order: &str,
        offset: u32,
        limit: u32,
    ) -> Result<(i64, Vec<ActionRecord>), StoreError> {
        let count_sql = self.sql(&format!(
            "SELECT COUNT(*) FROM actions a WHERE a.tenant_id = $1 AND {condition}"
        ));
        let list_sql = self.sql(&format!(
            "{} AND {condition} ORDER BY {order} LIMIT {limit} OFFSET {offset}",
            ActionRecord::SELECT
        ));
        let (count, rows): (i64, Vec<<ActionRecord as Readable>::Row>) =
            with_pool!(self.store, |pool| {
                (
                    sqlx::query_scalar(count_sql)
                        .bind(self.tenant.0)
                        .fetch_one(pool)
                        .await?,
                    sqlx::query_as(list_sql)
                        .bind(self.tenant.0)
                        .fetch_all(pool)
                        .await?,
                )
            });
        let actions = rows
            .into_iter()
            .map(ActionRecord::from_row)
            .collect::<Result<Vec<_>, _>>()?;
        Ok((count, actions))
    }

    /// Pending promises due on `day`.
    pub async fn promises_due_on(&self, day: Date) -> Result<Vec<PromiseOfCustomer>, StoreError> {
        self.promises_of_customers(&format!(
            "p.status = 'pending' AND p.due_on = '{day}'::date"
        ))
        .await
    }

    /// Promises found broken on or after `since`.
    pub async fn promises_broken_since(
        &self,
        since: Date,
    ) -> Result<Vec<PromiseOfCustomer>, StoreError> {
        self.promises_of_customers(&format!(
            "p.status = 'broken' AND p.resolved_on >= '{since}'::date"
        ))
        .await
    }

    async fn promises_of_customers(
        &self,
        condition: &str,
    ) -> Result<Vec<PromiseOfCustomer>, StoreError> {
        let sql = self.sql(&format!(
            "SELECT p.id, p.customer_id, p.currency, p.amount_minor, p.balance_when_made_minor, iso(p.due_on), \
             p.status, p.note, iso(p.resolved_on), c.reference, c.legal_name \
             FROM promises p JOIN customers c ON c.id = p.customer_id \
             WHERE p.tenant_id = $1 AND {condition} ORDER BY c.reference, p.id"
        ));
        type Row = (
            i64,
            i64,
            String,
            i64,
            i64,
            String,
            String,
            String,
            Option<String>,
            String,
            String,
        );
        let rows: Vec<Row> = with_pool!(self.store, |pool| sqlx::query_as(sql)
            .bind(self.tenant.0)
            .fetch_all(pool)
            .await?);
        rows.into_iter()
            .map(
                |(
                    id,
                    customer,
                    currency,
                    amount,
                    balance,
                    due,
                    status,
                    note,
                    resolved,
                    reference,
                    name,
                )| {
                    let currency = Currency::from_code(&currency)
                        .map_err(|_| corrupt(format!("promise {id}: currency")))?;
                    Ok(PromiseOfCustomer {
                        promise: PromiseRecord {
                            id,
                            customer: CustomerId(customer),
                            amount: Money::from_minor(amount, currency),
                            balance_when_made: Money::from_minor(balance, currency),
                            due_on: parse_date(&due)?,
                            status,
                            note,
                            resolved_on: resolved.as_deref().map(parse_date).transpose()?,
                        },
                        customer_ref: reference,
                        customer_name: name,
                    })
                },
            )
            .collect()
    }

    /// What is outstanding, summed by due date and currency: the aged balance's totals, read
    /// from the day totals the ledger's triggers keep (a few hundred rows, whatever the number of
    /// invoices).
    pub async fn open_amounts_by_due_date(&self) -> Result<Vec<(Date, Money)>, StoreError> {
        let sql = self.sql(
            "SELECT iso(day), currency, open_due_minor FROM ledger_day_totals \
             WHERE tenant_id = $1 AND open_due_minor <> 0 ORDER BY day, currency",
        );
        let rows: Vec<(String, String, i64)> = with_pool!(self.store, |pool| sqlx::query_as(sql)
            .bind(self.tenant.0)
            .fetch_all(pool)
            .await?);
        rows.into_iter()
            .map(|(due_on, currency, minor)| {
                let currency = Currency::from_code(&currency)
                    .map_err(|_| corrupt(format!("an invoice's currency {currency:?}")))?;
                Ok((parse_date(&due_on)?, Money::from_minor(minor, currency)))
            })
            .collect()
    }

    /// The amounts invoiced in `currency` with an issue date from `from` to `to` inclusive (the
    /// sales a DSO divides by), from the day totals.
    pub async fn invoiced_between(
        &self,
        from: Date,
        to: Date,
        currency: Currency,
    ) -> Result<Money, StoreError> {
        let sql = self.sql(
            "SELECT CAST(COALESCE(SUM(issued_minor), 0) AS BIGINT) FROM ledger_day_totals \
             WHERE tenant_id = $1 AND currency = $2 AND day >= $3::date AND day <= $4::date",
        );
        let minor: i64 = with_pool!(self.store, |pool| sqlx::query_scalar(sql)
            .bind(self.tenant.0)
            .bind(currency.code())
            .bind(from.to_string())
            .bind(to.to_string())
            .fetch_one(pool)
            .await?);
        Ok(Money::from_minor(minor, currency))
    }
}

#[cfg(test)]
mod tests {
    use super::like_pattern;

    #[test]
    fn a_search_takes_like_wildcards_literally() {
        assert_eq!(like_pattern("Dupont"), "%dupont%");
        assert_eq!(like_pattern("50%_x"), "%50\\%\\_x%");
    }
}
