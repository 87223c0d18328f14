//! Measures how fast `write_invoice_csv` produces rows, writing to a sink (generation and
//! formatting, not the disk) or to a file if one is named. `cargo run --release -p synthetic
//! --example throughput -- [invoices] [file]`; the target is at least 1 M rows/s.

use std::io::{self, Write};
use std::time::Instant;

use synthetic::{PortfolioSpec, write_invoice_csv};

/// Counts the bytes it is given and drops them.
struct CountingSink(u64);

impl Write for CountingSink {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.0 += bytes.len() as u64;
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn main() -> io::Result<()> {
    let invoices: u64 = std::env::args().nth(1).map_or(10_000_000, |text| {
        text.parse().expect("a number of invoices")
    });
    let spec = PortfolioSpec::benchmark(42, invoices, jiff::civil::date(2025, 6, 30));
    let mut sink = CountingSink(0);
    let started = Instant::now();
    let rows = match std::env::args().nth(2) {
        Some(path) => {
            let rows = write_invoice_csv(&spec, std::fs::File::create(&path)?)?;
            sink.0 = std::fs::metadata(&path)?.len();
            rows
        }
        None => write_invoice_csv(&spec, &mut sink)?,
    };
    let seconds = started.elapsed().as_secs_f64();
    writeln!(
        io::stdout().lock(),
        "{rows} rows, {} MB, in {seconds:.2} s: {:.2} M rows/s",
        sink.0 / 1_000_000,
        rows as f64 / seconds / 1e6
    )
}
