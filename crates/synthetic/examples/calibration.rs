//! Prints the calibration figures of a benchmark portfolio: paid / partly paid / open shares,
//! median amount, payment-term mix, by behaviour. `cargo run --release -p synthetic --example
//! calibration -- [invoices] [seed]`.

use std::collections::BTreeMap;
use std::io::Write;

use synthetic::{PortfolioSpec, customers, for_each_invoice};

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let invoices: u64 = args.next().map_or(1_000_000, |text| {
        text.parse().expect("a number of invoices")
    });
    let seed: u64 = args.next().map_or(42, |text| text.parse().expect("a seed"));
    let spec = PortfolioSpec::benchmark(seed, invoices, jiff::civil::date(2025, 6, 30));
    let customers = customers(&spec);
    // Counts per behaviour: [paid, partial, open]; a BTreeMap so the report's order is stable.
    let mut by_behaviour: BTreeMap<&str, [u64; 3]> = BTreeMap::new();
    let mut amounts = Vec::with_capacity(usize::try_from(invoices).unwrap_or(0));
    let mut terms: BTreeMap<i32, u64> = BTreeMap::new();
    let mut index = BTreeMap::new();
    for (position, customer) in customers.iter().enumerate() {
        index.insert(customer.details.reference.clone(), position);
    }
    for_each_invoice(&spec, &customers, |invoice| {
        let details = &invoice.details;
        let behaviour = customers[index[details.customer()]].behaviour.code();
        let state = if details.outstanding().is_zero() {
            0
        } else if details.outstanding() == details.amount() {
            2
        } else {
            1
        };
        by_behaviour.entry(behaviour).or_default()[state] += 1;
        amounts.push(details.amount().minor());
        *terms
            .entry((details.due_on() - details.issued_on()).get_days())
            .or_default() += 1;
    });
    amounts.sort_unstable();
    let total = amounts.len() as f64;
    let mut out = std::io::stdout().lock();
    let mut all = [0_u64; 3];
    for (behaviour, counts) in &by_behaviour {
        let sum: u64 = counts.iter().sum();
        writeln!(
            out,
            "{behaviour:>20}: {:5.1} % of invoices, paid {:5.1} partial {:5.1} open {:5.1}",
            sum as f64 * 100.0 / total,
            counts[0] as f64 * 100.0 / sum as f64,
            counts[1] as f64 * 100.0 / sum as f64,
            counts[2] as f64 * 100.0 / sum as f64,
        )?;
        for (slot, count) in all.iter_mut().zip(counts) {
            *slot += count;
        }
    }
    writeln!(
        out,
        "all: paid {:.2} % partial {:.2} % open {:.2} %",
        all[0] as f64 * 100.0 / total,
        all[1] as f64 * 100.0 / total,
        all[2] as f64 * 100.0 / total
    )?;
    writeln!(
        out,
        "median amount: {:.2} EUR",
        amounts[amounts.len() / 2] as f64 / 100.0
    )?;
    for (term, count) in &terms {
        writeln!(
            out,
            "term {term:>2} days: {:.2} %",
            *count as f64 * 100.0 / total
        )?;
    }
    Ok(())
}
