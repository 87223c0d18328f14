//! Times the invoice CSV reader on a file: `cargo run --release -p formats --example
//! invoice_csv_throughput -- rows.csv`. A hand check, not a test: timings depend on the machine.

#![allow(clippy::print_stdout)]

use std::time::Instant;

use domain::identifiers::CountryCode;
use domain::money::Currency;
use formats::invoice_csv::{InvoiceCsvOptions, InvoiceCsvReader};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .ok_or("usage: invoice_csv_throughput FILE")?;
    let file = std::fs::File::open(&path)?;
    let options = InvoiceCsvOptions {
        default_currency: Currency::EUR,
        default_country: CountryCode::FRANCE,
        encoding: None,
    };
    let started = Instant::now();
    let reader = InvoiceCsvReader::new(file, options)?;
    let (mut rows, mut problems, mut total) = (0_u64, 0_u64, 0_i64);
    for result in reader {
        match result {
            Ok(row) => {
                rows += 1;
                total = total.wrapping_add(row.invoice.outstanding().minor());
            }
            Err(_) => problems += 1,
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "{rows} rows, {problems} problems in {seconds:.2} s: {:.2} M rows/s (checksum {total})",
        (rows + problems) as f64 / seconds / 1e6
    );
    Ok(())
}
