//! Generated invoices, streamed in issue-date order so that 10 M never sit in memory.
//!
//! The model, from the team's performance spec:
//! - issue dates uniform over the `history_days` days ending on `as_of`: the number of invoices
//!   of each day is drawn (a multinomial, as a chain of binomials) so that invoice numbers can
//!   follow issue dates without sorting;
//! - amounts log-normal, median €400, σ = 1.3, clamped to [€1, €5,000,000];
//! - payment terms 0/30/45/60 days with probabilities 5/50/20/25 %;
//! - customer skew `rank = floor(N · u²)`: customer `C000001` holds the most invoices;
//! - payments follow the customer's behaviour (itself drawn from its payer type), with
//!   log-normal delays around the due date.
//!
//! Work happens on day numbers (`i32` offsets into a precomputed calendar) rather than with
//! `jiff` spans, which are much slower than an index.

use std::convert::Infallible;

use domain::customer::CustomerRef;
use domain::money::{Currency, Money};
use domain::receivable::{InvoiceDates, InvoiceDetails, InvoiceNumber};
use jiff::civil::Date;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Binomial, Distribution, LogNormal};

use crate::customers::{Behaviour, GeneratedCustomer, PayerType, weighted};
use crate::{
    BLOCK_STREAM_BASE, DAY_COUNT_STREAM, PortfolioSpec, cents_rounded_half_away_from_zero,
    push_digits, rng_for,
};

/// An invoice with what happened to it by `as_of`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedInvoice {
    pub details: InvoiceDetails,
    /// The day it was paid in full, if that was on or before `as_of`.
    pub paid_on: Option<Date>,
    /// The customer contests it; it stays unpaid.
    pub disputed: bool,
}

/// Log-normal distributions as (median, ln of the median, σ). The logarithms are written out
/// rather than computed with `f64::ln`, whose last bit may differ between C libraries; a test
/// checks them.
type LogNormalParameters = (f64, f64, f64);
const AMOUNT_EUR: LogNormalParameters = (400.0, 5.991_464_547_107_982, 1.3);
/// Days around the due date plus `ON_TIME_SHIFT_DAYS` for those who pay on time.
const ON_TIME: LogNormalParameters = (5.0, 1.609_437_912_434_100_3, 0.5);
const FORGETS: LogNormalParameters = (12.0, 2.484_906_649_788_000_4, 0.35);
const IN_DIFFICULTY: LogNormalParameters = (60.0, 4.094_344_562_222_1, 0.45);
const BALANCE_GAP: LogNormalParameters = (45.0, 3.806_662_489_770_319_6, 0.8);
const AMOUNT_MIN_CENTS: i64 = 100;
const AMOUNT_MAX_CENTS: i64 = 500_000_000;

/// Payment terms in days and their probabilities in percent.
const PAYMENT_TERMS: &[(i32, u32)] = &[(0, 5), (30, 50), (45, 20), (60, 25)];
const LONGEST_TERM_DAYS: i32 = 60;
/// The service is delivered up to this many days before the invoice is issued.
const SERVICE_LEAD_DAYS_MAX: i32 = 10;

/// Share of a `Disputes` customer's invoices that are disputed, in percent.
const DISPUTED_PERCENT: u32 = 10;
/// Share of a `LateInDifficulty` customer's invoices never paid, in percent.
const DIFFICULTY_UNPAID_PERCENT: u32 = 40;
/// Share of a `PaysInParts` customer's invoices paid in two instalments, in percent.
const SPLIT_PERCENT: u32 = 85;
/// Share of split invoices whose balance is still unpaid long after the first instalment.
const BALANCE_UNPAID_PERCENT: u32 = 62;
/// The first instalment is this share of the amount, in basis points (30–70 %).
const INSTALMENT_BASIS_POINTS: std::ops::RangeInclusive<i64> = 3_000..=7_000;

/// Invoices are drawn in blocks of this many consecutive numbers, each block from its own ChaCha
/// stream: a block's invoices depend only on the spec and the block's number, so blocks can be
/// generated in any order, or in parallel, with the same result.
pub(crate) const BLOCK_INVOICES: u64 = 4_096;

/// Calls `visit` with each invoice of the portfolio, in issue-date order, numbered
/// `F{year of issue}-{sequence:06}` with one sequence over the whole portfolio.
///
/// # Panics
/// If the spec asks for invoices but `customers` is empty.
pub fn for_each_invoice(
    spec: &PortfolioSpec,
    customers: &[GeneratedCustomer],
    mut visit: impl FnMut(GeneratedInvoice),
) {
    let traits: Vec<CustomerTraits> = customers
        .iter()
        .map(|customer| (customer.payer_type, customer.behaviour))
        .collect();
    let reference = |index: usize| customers[index].details.reference.clone();
    let plan = InvoicePlan::new(spec);
    for block in 0..plan.blocks() {
        let never: Result<(), Infallible> =
            plan.generate_block(block, &traits, &reference, &mut |invoice, _| {
                visit(invoice);
                Ok(())
            });
        let Ok(()) = never;
    }
}

/// What drives a customer's payments. Kept apart from the customer's other facts: customers are
/// picked at random, and a million of these two-byte pairs stay in cache where a million
/// `GeneratedCustomer`s would not.
pub(crate) type CustomerTraits = (PayerType, Behaviour);

/// The part of the generation shared by all blocks: the distributions, the calendar and how
/// many invoices each day of the history gets.
pub(crate) struct InvoicePlan {
    seed: u64,
    invoices: u64,
    model: Model,
    /// `day_ends[d]`: how many invoices are issued on days `0..=d` of the history. Invoice
    /// number `s` (from 1) is issued on the first day whose end is at least `s`.
    day_ends: Vec<u64>,
}

impl InvoicePlan {
    pub(crate) fn new(spec: &PortfolioSpec) -> InvoicePlan {
        let mut rng = rng_for(spec.seed, DAY_COUNT_STREAM);
        let days = spec.history_days.max(1);
        let mut remaining = spec.invoices;
        let mut day_ends = Vec::with_capacity(usize::try_from(days).expect("u32 fits usize"));
        for day in 0..days {
            // Of the invoices still to place, each falls on this day with probability
            // 1 / (days left): the counts are then exactly multinomial over the days.
            let days_left = days - day;
            let count = if days_left == 1 || remaining == 0 {
                remaining
            } else {
                Binomial::new(remaining, 1.0 / f64::from(days_left))
                    .expect("a probability in (0, 1)")
                    .sample(&mut rng)
            };
            remaining -= count;
            day_ends.push(spec.invoices - remaining);
        }
        InvoicePlan {
            seed: spec.seed,
            invoices: spec.invoices,
            model: Model::new(spec),
            day_ends,
        }
    }

    pub(crate) fn blocks(&self) -> u64 {
        self.invoices.div_ceil(BLOCK_INVOICES)
    }

    /// Calls `visit` with the invoices of block `block` and their customer's index, stopping at
    /// the first error `visit` returns (a full disk when writing CSV).
    pub(crate) fn generate_block<E>(
        &self,
        block: u64,
        customers: &[CustomerTraits],
        reference: &impl Fn(usize) -> CustomerRef,
        visit: &mut impl FnMut(GeneratedInvoice, usize) -> Result<(), E>,
    ) -> Result<(), E> {
        assert!(
            !customers.is_empty(),
            "a portfolio with invoices needs at least one customer"
        );
        let mut rng = rng_for(self.seed, BLOCK_STREAM_BASE + block);
        let first = block * BLOCK_INVOICES + 1;
        let last = ((block + 1) * BLOCK_INVOICES).min(self.invoices);
        let mut day = self.day_ends.partition_point(|end| *end < first);
        let mut number = String::new();
        let (mut issued, mut year) = (0, 0);
        for sequence in first..=last {
            if sequence == first || sequence > self.day_ends[day] {
                while sequence > self.day_ends[day] {
                    day += 1;
                }
                issued = self.model.calendar.window_start
                    + i32::try_from(day).expect("history fits i32");
                year = self.model.calendar.date(issued).year();
            }
            invoice_number(&mut number, year, sequence);
            let customer_index = skewed_rank(&mut rng, customers.len());
            let (payer, behaviour) = customers[customer_index];
            let invoice = self.model.invoice(
                &mut rng,
                &number,
                reference(customer_index),
                payer,
                behaviour,
                issued,
            );
            visit(invoice, customer_index)?;
        }
        Ok(())
    }
}

/// `F{year}-{sequence:06}` into `buffer`, by hand: `format!` costs more than the rest of an
/// invoice's numbers together.
fn invoice_number(buffer: &mut String, year: i16, sequence: u64) {
    buffer.clear();
    buffer.push('F');
    push_digits(buffer, u64::from(year.unsigned_abs()), 4);
    buffer.push('-');
    push_digits(buffer, sequence, 6);
}

/// `floor(N · u²)`: customer 0 gets a share 1/√N of the invoices, the top 1 % of customers 10 %.
fn skewed_rank(rng: &mut ChaCha8Rng, customers: usize) -> usize {
    let u: f64 = rng.random();
    // `as` truncates toward zero, which is the floor for this non-negative product.
    ((customers as f64 * u * u) as usize).min(customers - 1)
}

/// Precomputed dates, indexed by day number, from the earliest service date to the latest due
/// date.
struct Calendar {
    dates: Vec<Date>,
    window_start: i32,
    as_of: i32,
}

impl Calendar {
    fn new(spec: &PortfolioSpec) -> Calendar {
        let history = i32::try_from(spec.history_days.max(1)).expect("history fits i32");
        let before_as_of = history - 1 + SERVICE_LEAD_DAYS_MAX;
        let first = spec
            .as_of
            .checked_sub(jiff::Span::new().days(before_as_of))
            .expect("the history starts after year -9999");
        let len = before_as_of + 1 + LONGEST_TERM_DAYS;
        let mut dates = Vec::with_capacity(usize::try_from(len).expect("positive"));
        let mut date = first;
        for _ in 0..len {
            dates.push(date);
            date = date.tomorrow().expect("due dates stay before year 9999");
        }
        Calendar {
            dates,
            window_start: SERVICE_LEAD_DAYS_MAX,
            as_of: before_as_of,
        }
    }

    fn date(&self, day: i32) -> Date {
        self.dates[usize::try_from(day).expect("days are within the calendar")]
    }
}

/// How late a customer pays in full, relative to the due date.
#[derive(Debug, Clone, Copy)]
enum Timing {
    OnTime,
    Forgets,
    InDifficulty,
}

impl Timing {
    /// The timing of `Disputes` and `PaysInParts` customers' payments: their payer type's.
    fn of(payer: PayerType) -> Timing {
        match payer {
            PayerType::Good => Timing::OnTime,
            PayerType::Slow => Timing::Forgets,
            PayerType::Bad | PayerType::Defaulter => Timing::InDifficulty,
        }
    }
}

/// The fixed distributions, built once per portfolio.
struct Model {
    calendar: Calendar,
    currency: Currency,
    amount: LogNormal<f64>,
    /// Days around the due date, shifted by `ON_TIME_SHIFT_DAYS` so that the median is the due
    /// date itself: most customers pay on the day, some a few days early or late.
    on_time: LogNormal<f64>,
    /// Days late for `Forgets`, kept within 1–3 weeks.
    forgets: LogNormal<f64>,
    /// Days late for `InDifficulty`, kept within 1–4 months.
    in_difficulty: LogNormal<f64>,
    /// Days between a first instalment and the balance.
    balance_gap: LogNormal<f64>,
}

/// The on-time draw's median, taken off so that the median payment falls on the due date.
const ON_TIME_SHIFT_DAYS: f64 = ON_TIME.0;
const FORGETS_DAYS: (i32, i32) = (7, 21);
const IN_DIFFICULTY_DAYS: (i32, i32) = (30, 120);

fn log_normal((_median, ln_median, sigma): LogNormalParameters) -> LogNormal<f64> {
    LogNormal::new(ln_median, sigma).expect("a finite median and a positive sigma")
}

/// A drawn number of days as a whole number of days, rounding half away from zero.
fn whole_days(days: f64) -> i32 {
    // The cast saturates on the (astronomically rare) tail draws beyond i32.
    days.round() as i32
}

impl Model {
    fn new(spec: &PortfolioSpec) -> Model {
        Model {
            calendar: Calendar::new(spec),
            currency: Currency::EUR,
            amount: log_normal(AMOUNT_EUR),
            on_time: log_normal(ON_TIME),
            forgets: log_normal(FORGETS),
            in_difficulty: log_normal(IN_DIFFICULTY),
            balance_gap: log_normal(BALANCE_GAP),
        }
    }

    fn invoice(
        &self,
        rng: &mut ChaCha8Rng,
        number: &str,
        customer: CustomerRef,
        payer: PayerType,
        behaviour: Behaviour,
        issued: i32,
    ) -> GeneratedInvoice {
        let euros = self.amount.sample(rng);
        let amount =
            cents_rounded_half_away_from_zero(euros).clamp(AMOUNT_MIN_CENTS, AMOUNT_MAX_CENTS);
        let term = weighted(rng, PAYMENT_TERMS);
        let due = issued + term;
        let service = issued - rng.random_range(0..=SERVICE_LEAD_DAYS_MAX);
        let settlement = self.settle(rng, payer, behaviour, issued, due, amount);

        let number = InvoiceNumber::parse(number).expect("numbers are short");
        let dates = InvoiceDates {
            issued_on: self.calendar.date(issued),
            due_on: self.calendar.date(due),
            service_on: Some(self.calendar.date(service)),
        };
        let details = InvoiceDetails::new(
            number,
            customer,
            dates,
            Money::from_minor(amount, self.currency),
            Money::from_minor(settlement.outstanding, self.currency),
        )
        .expect("the generator keeps the invoice invariants");
        GeneratedInvoice {
            details,
            paid_on: settlement.paid_on.map(|day| self.calendar.date(day)),
            disputed: settlement.disputed,
        }
    }

    /// What the customer has paid of the invoice by `as_of`.
    fn settle(
        &self,
        rng: &mut ChaCha8Rng,
        payer: PayerType,
        behaviour: Behaviour,
        issued: i32,
        due: i32,
        amount: i64,
    ) -> Settlement {
        let as_of = self.calendar.as_of;
        let unpaid = Settlement {
            outstanding: amount,
            paid_on: None,
            disputed: false,
        };
        // Nobody pays before receiving the invoice. Saturating: a far tail draw means "later
        // than as_of", never an overflow.
        let pay_day = |timing: Timing, rng: &mut ChaCha8Rng| {
            due.saturating_add(self.delay(timing, rng)).max(issued)
        };
        let in_full = |timing: Timing, rng: &mut ChaCha8Rng| {
            let day = pay_day(timing, rng);
            if day <= as_of {
                Settlement {
                    outstanding: 0,
                    paid_on: Some(day),
                    disputed: false,
                }
            } else {
                unpaid
            }
        };
        let percent = |rng: &mut ChaCha8Rng| rng.random_range(0..100_u32);
        match behaviour {
            Behaviour::NeverPays => unpaid,
            Behaviour::PaysOnTime => in_full(Timing::OnTime, rng),
            Behaviour::Forgets => in_full(Timing::Forgets, rng),
            Behaviour::LateInDifficulty => {
                if percent(rng) < DIFFICULTY_UNPAID_PERCENT {
                    unpaid
                } else {
                    in_full(Timing::InDifficulty, rng)
                }
            }
            Behaviour::Disputes => {
                if percent(rng) < DISPUTED_PERCENT {
                    Settlement {
                        disputed: true,
                        ..unpaid
                    }
                } else {
                    in_full(Timing::of(payer), rng)
                }
            }
            Behaviour::PaysInParts => {
                let timing = Timing::of(payer);
                if percent(rng) >= SPLIT_PERCENT {
                    return in_full(timing, rng);
                }
                let first = pay_day(timing, rng);
                if first > as_of {
                    return unpaid;
                }
                let share = rng.random_range(INSTALMENT_BASIS_POINTS);
                // Integer cents, rounded half away from zero (all values are positive), and kept
                // strictly between nothing and everything so that the invoice is partly paid.
                let instalment = ((amount * share + 5_000) / 10_000).clamp(1, amount - 1);
                let balance_never_paid = percent(rng) < BALANCE_UNPAID_PERCENT;
                let balance_day =
                    first.saturating_add(whole_days(self.balance_gap.sample(rng)).max(1));
                if !balance_never_paid && balance_day <= as_of {
                    Settlement {
                        outstanding: 0,
                        paid_on: Some(balance_day),
                        disputed: false,
                    }
                } else {
                    Settlement {
                        outstanding: amount - instalment,
                        paid_on: None,
                        disputed: false,
                    }
                }
            }
        }
    }

    /// Days from the due date to the payment (negative: early).
    fn delay(&self, timing: Timing, rng: &mut ChaCha8Rng) -> i32 {
        match timing {
            Timing::OnTime => whole_days(self.on_time.sample(rng) - ON_TIME_SHIFT_DAYS),
            Timing::Forgets => {
                whole_days(self.forgets.sample(rng)).clamp(FORGETS_DAYS.0, FORGETS_DAYS.1)
            }
            Timing::InDifficulty => whole_days(self.in_difficulty.sample(rng))
                .clamp(IN_DIFFICULTY_DAYS.0, IN_DIFFICULTY_DAYS.1),
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Settlement {
    outstanding: i64,
    paid_on: Option<i32>,
    disputed: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_written_out_logarithms_are_those_of_the_medians() {
        for (median, ln_median, _) in [AMOUNT_EUR, ON_TIME, FORGETS, IN_DIFFICULTY, BALANCE_GAP] {
            assert!((median.ln() - ln_median).abs() < 1e-12, "{median}");
        }
    }

    #[test]
    fn invoice_numbers_carry_the_year_and_a_six_digit_sequence() {
        let mut number = String::new();
        invoice_number(&mut number, 2025, 123);
        assert_eq!(number, "F2025-000123");
        invoice_number(&mut number, 2024, 12_345_678);
        assert_eq!(number, "F2024-12345678");
    }

    #[test]
    fn the_day_counts_add_up_to_the_invoices() {
        let spec = PortfolioSpec::benchmark(1, 10_007, jiff::civil::date(2025, 6, 30));
        let plan = InvoicePlan::new(&spec);
        assert_eq!(plan.day_ends.len(), 731);
        assert_eq!(plan.day_ends.last(), Some(&10_007));
        assert!(plan.day_ends.windows(2).all(|pair| pair[0] <= pair[1]));
        assert_eq!(plan.blocks(), 3);
    }
}
