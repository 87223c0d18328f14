//! One seeded generator of realistic portfolios serves the demo, the tests and every benchmark.
//!
//! A `PortfolioSpec` (seed, sizes, `as_of`, history) fully determines the output: the same spec
//! gives byte-identical customers, invoices and CSV on any machine. All randomness comes from
//! ChaCha8 seeded with the spec's `seed` (never the thread RNG, never the clock), with one ChaCha
//! stream per purpose so that drawing customers does not shift the invoices. Floats are only
//! used to draw numbers; every amount becomes integer cents once, rounded half away from zero,
//! and is a domain `Money` from then on.
//!
//! - `customers`: French businesses and consumers with a payer type and a behaviour.
//! - `for_each_invoice`: invoices streamed one at a time (10 M fit in constant memory).
//! - `write_invoice_csv`: the same stream in Relance's invoice import format;
//!   `write_invoice_csv_columns` with a bare ledger's columns only.
//! - `labelled_bank_lines`: bank credits over open invoices with their answer key (references,
//!   references in noise, grouped payments, partials, fees, name only, amount only), and
//!   `write_camt053` to put them in a statement.
//! - `demo_creditor`: the French SME the demo collects for.
//!
//! Portability: ChaCha and rand's integer and float sampling are specified bit for bit, and
//! rand_distr computes `exp`/`ln` with the pure-Rust `libm` (unless something in the build
//! turns on num-traits' `std`), so the draws do not depend on the platform's C library. Even a
//! one-ulp difference could only show where a draw falls exactly on a cent or day boundary.

mod bank_lines;
mod creditor;
mod csv_export;
mod customers;
mod identifiers;
mod invoices;
mod words;

use jiff::civil::Date;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

pub use bank_lines::{LabelledLine, LineKind, OpenInvoiceFact, labelled_bank_lines, write_camt053};
pub use creditor::demo_creditor;
pub use csv_export::{
    CsvColumns, INVOICE_CSV_HEADER, write_invoice_csv, write_invoice_csv_columns,
};
pub use customers::{Behaviour, GeneratedCustomer, PayerType, customers};
pub use invoices::{GeneratedInvoice, for_each_invoice};

/// Two years and a day: enough for every aging bucket and a year-on-year comparison.
pub const DEFAULT_HISTORY_DAYS: u32 = 731;
/// Share of consumers (B2C) among customers when nothing else is said.
pub const DEFAULT_CONSUMER_SHARE_PERCENT: u8 = 8;

/// Everything that determines a generated portfolio.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortfolioSpec {
    pub seed: u64,
    pub customers: u32,
    pub invoices: u64,
    /// The day the portfolio is looked at: the last possible issue date, and the date up to
    /// which payments are known.
    pub as_of: Date,
    /// Issue dates are spread uniformly over this many days ending on `as_of` (0 counts as 1).
    pub history_days: u32,
    /// Share of consumers among customers, 0 to 100.
    pub consumer_share_percent: u8,
}

impl PortfolioSpec {
    /// The demo tenant: 300 customers, 3,000 invoices over about 18 months.
    pub fn demo(seed: u64, as_of: Date) -> Self {
        PortfolioSpec {
            seed,
            customers: 300,
            invoices: 3_000,
            as_of,
            history_days: 548,
            consumer_share_percent: DEFAULT_CONSUMER_SHARE_PERCENT,
        }
    }

    /// A benchmark portfolio: ten invoices per customer on average, two years of history.
    pub fn benchmark(seed: u64, invoices: u64, as_of: Date) -> Self {
        let customers = u32::try_from((invoices / 10).max(1)).unwrap_or(u32::MAX);
        PortfolioSpec {
            seed,
            customers,
            invoices,
            as_of,
            history_days: DEFAULT_HISTORY_DAYS,
            consumer_share_percent: DEFAULT_CONSUMER_SHARE_PERCENT,
        }
    }
}

/// ChaCha streams: each purpose draws from its own stream of the seed, so that adding a draw to
/// one never changes what another produces.
const CUSTOMER_STREAM: u64 = 1;
/// How many invoices each day of the history gets.
const DAY_COUNT_STREAM: u64 = 2;
/// Invoice block `b` draws from stream `BLOCK_STREAM_BASE + b`, far from the streams above.
const BLOCK_STREAM_BASE: u64 = 1 << 32;

fn rng_for(seed: u64, stream: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(stream);
    rng
}

/// The one place a drawn float becomes money: euros (or any two-decimal currency's major unit)
/// to integer cents, rounding half away from zero as French invoicing does.
fn cents_rounded_half_away_from_zero(major: f64) -> i64 {
    // `f64::round` rounds half away from zero; the `as` cast saturates, and callers clamp first.
    (major * 100.0).round() as i64
}

/// The decimal digits of `value`, left-padded with zeros to at least `width`, without the cost
/// of `format!` (this runs for every invoice and customer).
fn push_digits(buffer: &mut String, value: u64, width: usize) {
    let mut digits = [b'0'; 20];
    let mut rest = value;
    let mut start = digits.len();
    while rest > 0 || start == digits.len() {
        start -= 1;
        digits[start] = b'0' + u8::try_from(rest % 10).expect("a digit");
        rest /= 10;
    }
    let start = start.min(digits.len() - width.min(digits.len()));
    for digit in &digits[start..] {
        buffer.push(char::from(*digit));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cents_round_half_away_from_zero() {
        assert_eq!(cents_rounded_half_away_from_zero(0.125), 13);
        assert_eq!(cents_rounded_half_away_from_zero(-0.125), -13);
        assert_eq!(cents_rounded_half_away_from_zero(0.124), 12);
        assert_eq!(cents_rounded_half_away_from_zero(400.0), 40_000);
    }

    #[test]
    fn digits_are_zero_padded_to_the_width() {
        let mut buffer = String::new();
        for (value, width, expected) in [
            (123, 6, "000123"),
            (0, 1, "0"),
            (0, 0, "0"),
            (1_234_567, 6, "1234567"),
        ] {
            buffer.clear();
            push_digits(&mut buffer, value, width);
            assert_eq!(buffer, expected);
        }
    }

    #[test]
    fn benchmark_has_ten_invoices_per_customer_and_at_least_one_customer() {
        let as_of = jiff::civil::date(2025, 6, 30);
        assert_eq!(
            PortfolioSpec::benchmark(1, 1_000_000, as_of).customers,
            100_000
        );
        assert_eq!(PortfolioSpec::benchmark(1, 5, as_of).customers, 1);
    }
}
