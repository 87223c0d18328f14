//! Report maths. The aged balance ("balance âgée") sorts what is owed by how late it is.

use std::collections::{BTreeMap, HashMap};

use jiff::civil::Date;

use crate::customer::CustomerRef;
use crate::money::{Currency, Money};
use crate::receivable::days_past_due;

/// The aging buckets: "not due", then one bucket per range of days past due, the last open-ended.
/// Stored as the inclusive upper bounds of the closed ranges, so that a user can choose others.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgingBuckets {
    upper_bounds: Vec<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("aging bucket bounds must be positive and increasing, got {bounds:?}")]
pub struct InvalidBuckets {
    pub bounds: Vec<u32>,
}

impl AgingBuckets {
    /// not_due, 1-30, 31-60, 61-90, 91+: the French accounting convention.
    pub fn standard() -> AgingBuckets {
        AgingBuckets {
            upper_bounds: vec![30, 60, 90],
        }
    }

    pub fn new(upper_bounds: Vec<u32>) -> Result<AgingBuckets, InvalidBuckets> {
        let increasing = upper_bounds.windows(2).all(|pair| pair[0] < pair[1]);
        if upper_bounds.first().is_some_and(|first| *first == 0) || !increasing {
            return Err(InvalidBuckets {
                bounds: upper_bounds,
            });
        }
        Ok(AgingBuckets { upper_bounds })
    }

    pub fn labels(&self) -> Vec<String> {
        let mut labels = vec!["not_due".to_owned()];
        let mut lower = 1;
        for upper in &self.upper_bounds {
            labels.push(format!("{lower}-{upper}"));
            lower = upper + 1;
        }
        labels.push(format!("{lower}+"));
        labels
    }

    fn len(&self) -> usize {
        self.upper_bounds.len() + 2
    }

    /// The bucket index for an item `days_late` days past its due date.
    pub fn index_of(&self, days_late: i32) -> usize {
        if days_late <= 0 {
            return 0;
        }
        let days = days_late.unsigned_abs();
        1 + self
            .upper_bounds
            .iter()
            .take_while(|upper| days > **upper)
            .count()
    }
}

/// One open item as the aged balance needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenItem {
    pub customer: CustomerRef,
    pub due_on: Date,
    pub outstanding: Money,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BucketAmount {
    pub label: String,
    pub amount: Money,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerAging {
    pub customer: CustomerRef,
    pub total: Money,
    pub buckets: Vec<BucketAmount>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgingReport {
    pub as_of: Date,
    pub currency: Currency,
    pub total: Money,
    pub buckets: Vec<BucketAmount>,
    /// Customers with something outstanding, largest total first (then by reference).
    pub customers: Vec<CustomerAging>,
    /// Outstanding amounts in other currencies, left out of this report.
    pub other_currencies: BTreeMap<Currency, Money>,
}

/// The aged balance of `items` on `as_of`, in `currency`. Items with nothing outstanding are
/// skipped; items in another currency are totalled apart in `other_currencies`.
pub fn aged_balance(
    as_of: Date,
    currency: Currency,
    buckets: &AgingBuckets,
    items: impl IntoIterator<Item = OpenItem>,
) -> AgingReport {
    let labels = buckets.labels();
    let mut totals = vec![0_i64; buckets.len()];
    let mut per_customer: HashMap<CustomerRef, Vec<i64>> = HashMap::new();
    let mut other_currencies: BTreeMap<Currency, Money> = BTreeMap::new();
    for item in items {
        if item.outstanding.is_zero() {
            continue;
        }
        if item.outstanding.currency() != currency {
            let total = other_currencies
                .entry(item.outstanding.currency())
                .or_insert_with(|| Money::zero(item.outstanding.currency()));
            *total = total
                .checked_add(item.outstanding)
                .expect("outstanding totals fit in i64");
            continue;
        }
        let index = buckets.index_of(days_past_due(item.due_on, as_of));
        let minor = item.outstanding.minor();
        totals[index] = totals[index]
            .checked_add(minor)
            .expect("outstanding totals fit in i64");
        let row = per_customer
            .entry(item.customer)
            .or_insert_with(|| vec![0; buckets.len()]);
        row[index] += minor;
    }
    let to_buckets = |amounts: &[i64]| -> Vec<BucketAmount> {
        labels
            .iter()
            .zip(amounts)
            .map(|(label, minor)| BucketAmount {
                label: label.clone(),
                amount: Money::from_minor(*minor, currency),
            })
            .collect()
    };
    let mut customers: Vec<CustomerAging> = per_customer
        .into_iter()
        .map(|(customer, amounts)| CustomerAging {
            customer,
            total: Money::from_minor(amounts.iter().sum(), currency),
            buckets: to_buckets(&amounts),
        })
        .collect();
    customers.sort_by(|left, right| {
        right
            .total
            .minor()
            .cmp(&left.total.minor())
            .then_with(|| left.customer.cmp(&right.customer))
    });
    AgingReport {
        as_of,
        currency,
        total: Money::from_minor(totals.iter().sum(), currency),
        buckets: to_buckets(&totals),
        customers,
        other_currencies,
    }
}

/// The totals alone of the aged balance on `as_of` (no customer rows), from amounts
/// outstanding summed by due date: what a dashboard shows, read from a few hundred sums rather
/// than every open invoice. The same buckets and currency rules as `aged_balance`.
pub fn aged_totals(
    as_of: Date,
    currency: Currency,
    buckets: &AgingBuckets,
    amounts_by_due_date: impl IntoIterator<Item = (Date, Money)>,
) -> AgingReport {
    let mut totals = vec![0_i64; buckets.len()];
    let mut other_currencies: BTreeMap<Currency, Money> = BTreeMap::new();
    for (due_on, amount) in amounts_by_due_date {
        if amount.currency() != currency {
            let total = other_currencies
                .entry(amount.currency())
                .or_insert_with(|| Money::zero(amount.currency()));
            *total = total
                .checked_add(amount)
                .expect("outstanding totals fit in i64");
            continue;
        }
        let index = buckets.index_of(days_past_due(due_on, as_of));
        totals[index] = totals[index]
            .checked_add(amount.minor())
            .expect("outstanding totals fit in i64");
    }
    AgingReport {
        as_of,
        currency,
        total: Money::from_minor(totals.iter().sum(), currency),
        buckets: buckets
            .labels()
            .into_iter()
            .zip(&totals)
            .map(|(label, minor)| BucketAmount {
                label,
                amount: Money::from_minor(*minor, currency),
            })
            .collect(),
        customers: Vec::new(),
        other_currencies,
    }
}

impl AgingReport {
    /// What is past due: the total less the bucket of items not yet due.
    pub fn overdue(&self) -> Money {
        let not_due: i64 = self
            .buckets
            .iter()
            .filter(|bucket| bucket.label == "not_due")
            .map(|bucket| bucket.amount.minor())
            .sum();
        Money::from_minor(self.total.minor() - not_due, self.currency)
    }
}

/// Days sales outstanding by the standard (count-free) method: what is owed divided by what
/// was invoiced over the last `period_days`, times the period. Rounded to the nearest whole day,
/// halves up. `None` when nothing was invoiced in the period or the currencies differ: the
/// ratio then means nothing.
pub fn days_sales_outstanding(
    outstanding: Money,
    invoiced: Money,
    period_days: u32,
) -> Option<i64> {
    if invoiced.currency() != outstanding.currency() || invoiced.minor() <= 0 {
        return None;
    }
    let numerator = i128::from(outstanding.minor()) * i128::from(period_days);
    let denominator = i128::from(invoiced.minor());
    i64::try_from((2 * numerator + denominator).div_euclid(2 * denominator)).ok()
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::*;

    fn item(customer: &str, due_on: Date, minor: i64) -> OpenItem {
        OpenItem {
            customer: CustomerRef::parse(customer).unwrap(),
            due_on,
            outstanding: Money::from_minor(minor, Currency::EUR),
        }
    }

    fn amounts(buckets: &[BucketAmount]) -> Vec<i64> {
        buckets.iter().map(|bucket| bucket.amount.minor()).collect()
    }

    proptest::proptest! {
        /// The dashboard's totals, read from sums by due date, are the full report's totals.
        #[test]
        fn totals_from_sums_by_due_date_are_the_aged_balances(
            rows in proptest::collection::vec((0_u8..6, -200_i32..200, 0_i64..1_000_000, proptest::bool::ANY), 0..60)
        ) {
            let as_of = date(2026, 11, 20);
            let items: Vec<OpenItem> = rows
                .iter()
                .map(|(customer, offset, minor, euros)| OpenItem {
                    customer: CustomerRef::parse(&format!("C{customer}")).unwrap(),
                    due_on: as_of.checked_add(jiff::Span::new().days(i64::from(*offset))).unwrap(),
                    outstanding: Money::from_minor(*minor, if *euros { Currency::EUR } else { Currency::from_code("USD").unwrap() }),
                })
                .collect();
            let mut by_day: BTreeMap<(Date, Currency), i64> = BTreeMap::new();
            for item in &items {
                *by_day.entry((item.due_on, item.outstanding.currency())).or_default() += item.outstanding.minor();
            }
            let full = aged_balance(as_of, Currency::EUR, &AgingBuckets::standard(), items);
            let totals = aged_totals(
                as_of,
                Currency::EUR,
                &AgingBuckets::standard(),
                by_day.into_iter().map(|((due_on, currency), minor)| (due_on, Money::from_minor(minor, currency))),
            );
            proptest::prop_assert_eq!(totals.total, full.total);
            proptest::prop_assert_eq!(&totals.buckets, &full.buckets);
            // Zero amounts are skipped by the full report, counted as zero here.
            let nonzero = |map: &BTreeMap<Currency, Money>| -> Vec<(Currency, i64)> {
                map.iter().filter(|(_, money)| !money.is_zero()).map(|(c, m)| (*c, m.minor())).collect()
            };
            proptest::prop_assert_eq!(nonzero(&totals.other_currencies), nonzero(&full.other_currencies));
            proptest::prop_assert!(totals.customers.is_empty());
        }
    }

    #[test]
    fn standard_labels_follow_the_french_convention() {
        assert_eq!(
            AgingBuckets::standard().labels(),
            ["not_due", "1-30", "31-60", "61-90", "91+"]
        );
    }

    #[test]
    fn bucket_edges_are_inclusive_on_their_upper_bound() {
        let buckets = AgingBuckets::standard();
        let cases = [
            (-5, 0),
            (0, 0),
            (1, 1),
            (30, 1),
            (31, 2),
            (60, 2),
            (61, 3),
            (90, 3),
            (91, 4),
            (4000, 4),
        ];
        for (days, expected) in cases {
            assert_eq!(buckets.index_of(days), expected, "{days} days late");
        }
    }

    #[test]
    fn items_are_summed_by_bucket_and_by_customer() {
        let as_of = date(2026, 11, 20);
        let report = aged_balance(
            as_of,
            Currency::EUR,
            &AgingBuckets::standard(),
            [
                item("C1", date(2026, 11, 20), 100),
                item("C1", date(2026, 10, 21), 200),
                item("C2", date(2026, 10, 20), 400),
                item("C2", date(2026, 5, 1), 800),
                item("C3", date(2026, 1, 1), 0),
            ],
        );
        assert_eq!(report.total.minor(), 1500);
        assert_eq!(amounts(&report.buckets), [100, 200, 400, 0, 800]);
        let refs: Vec<&str> = report
            .customers
            .iter()
            .map(|c| c.customer.as_str())
            .collect();
        assert_eq!(
            refs,
            ["C2", "C1"],
            "largest first; nothing outstanding means not listed"
        );
        assert_eq!(amounts(&report.customers[1].buckets), [100, 200, 0, 0, 0]);
    }

    #[test]
    fn other_currencies_are_reported_apart() {
        let usd = Currency::from_code("USD").unwrap();
        let report = aged_balance(
            date(2026, 11, 20),
            Currency::EUR,
            &AgingBuckets::standard(),
            [
                item("C1", date(2026, 11, 1), 100),
                OpenItem {
                    customer: CustomerRef::parse("C9").unwrap(),
                    due_on: date(2026, 11, 1),
                    outstanding: Money::from_minor(999, usd),
                },
            ],
        );
        assert_eq!(report.total.minor(), 100);
        assert_eq!(
            report.other_currencies.get(&usd).map(Money::minor),
            Some(999)
        );
    }

    #[test]
    fn custom_buckets_must_increase() {
        assert!(AgingBuckets::new(vec![15, 45]).is_ok());
        assert!(AgingBuckets::new(vec![30, 30]).is_err());
        assert!(AgingBuckets::new(vec![0, 30]).is_err());
        assert_eq!(
            AgingBuckets::new(vec![15, 45]).unwrap().labels(),
            ["not_due", "1-15", "16-45", "46+"]
        );
    }

    #[test]
    fn dso_is_owed_over_invoiced_times_the_period_rounded_half_up() {
        let eur = |minor| Money::from_minor(minor, Currency::EUR);
        assert_eq!(
            days_sales_outstanding(eur(100_000), eur(300_000), 90),
            Some(30)
        );
        // 1/4 of 90 days is 22.5 days: halves go up.
        assert_eq!(days_sales_outstanding(eur(1), eur(4), 90), Some(23));
        // 1/7 of 90 days is 12.86 days.
        assert_eq!(days_sales_outstanding(eur(1), eur(7), 90), Some(13));
        assert_eq!(days_sales_outstanding(eur(0), eur(7), 90), Some(0));
    }

    #[test]
    fn dso_needs_sales_in_the_period_and_one_currency() {
        let eur = |minor| Money::from_minor(minor, Currency::EUR);
        assert_eq!(days_sales_outstanding(eur(100), eur(0), 90), None);
        assert_eq!(
            days_sales_outstanding(
                eur(100),
                Money::from_minor(100, Currency::from_code("USD").unwrap()),
                90
            ),
            None
        );
    }

    #[test]
    fn overdue_is_the_total_less_what_is_not_yet_due() {
        let as_of = date(2026, 6, 30);
        let report = aged_balance(
            as_of,
            Currency::EUR,
            &AgingBuckets::standard(),
            [
                item("C1", date(2026, 7, 15), 1_000),
                item("C1", date(2026, 6, 1), 250),
                item("C2", date(2026, 1, 1), 50),
            ],
        );
        assert_eq!(report.overdue(), Money::from_minor(300, Currency::EUR));
    }
}
