//! The generated invoices in Relance's invoice import format: English headers, commas, UTF-8,
//! decimal point, ISO dates, one row per invoice with its customer's columns repeated.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io;
use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;

use domain::customer::CustomerRef;
use domain::money::{Currency, Money};
use jiff::civil::Date;

use crate::PortfolioSpec;
use crate::customers::{GeneratedCustomer, customer_stream};
use crate::invoices::{BLOCK_INVOICES, CustomerTraits, InvoicePlan};

/// The header row, exactly as the importer expects it.
pub const INVOICE_CSV_HEADER: [&str; 13] = [
    "customer_ref",
    "customer_name",
    "invoice_number",
    "issue_date",
    "due_date",
    "amount",
    "outstanding",
    "currency",
    "email",
    "phone",
    "customer_kind",
    "country",
    "service_date",
];

/// The first columns of `INVOICE_CSV_HEADER`: the required ones and the outstanding amount.
const LEDGER_COLUMNS: usize = 7;

/// Which columns the generated CSV carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CsvColumns {
    /// Every column the importer reads: the customer's contact details, kind and country are
    /// repeated on each of its rows, and invoices carry their service date (about 150 bytes a
    /// row).
    Every,
    /// What a bare ledger export has: the customer's reference and name, the invoice's number,
    /// dates and amounts (about 86 bytes a row). The importer gives the rest its defaults.
    Ledger,
}

impl CsvColumns {
    /// The header row, exactly as the importer expects it.
    pub fn header(self) -> &'static [&'static str] {
        match self {
            CsvColumns::Every => &INVOICE_CSV_HEADER,
            CsvColumns::Ledger => &INVOICE_CSV_HEADER[..LEDGER_COLUMNS],
        }
    }
}

/// At most this many threads encode blocks; more would only wait for `out`.
const MAX_WORKERS: usize = 8;

/// Writes the portfolio as an invoice CSV, streaming, and returns the number of data rows.
///
/// Memory holds the customers in a compact form (about 150 bytes each) and a few blocks of rows,
/// never all the invoices. Blocks of rows are encoded on all cores and written in order: the
/// bytes are the same whatever the number of cores. Writes to `out` are one block (about
/// 600 kB) at a time, so `out` needs no `BufWriter`.
pub fn write_invoice_csv(spec: &PortfolioSpec, out: impl io::Write) -> io::Result<u64> {
    write_invoice_csv_columns(spec, CsvColumns::Every, out)
}

/// `write_invoice_csv` with the columns chosen: the rows are the same invoices either way.
pub fn write_invoice_csv_columns(
    spec: &PortfolioSpec,
    columns: CsvColumns,
    out: impl io::Write,
) -> io::Result<u64> {
    let workers = std::thread::available_parallelism()
        .map_or(1, NonZeroUsize::get)
        .min(MAX_WORKERS);
    write_invoice_csv_with(spec, columns, out, workers)
}

pub(crate) fn write_invoice_csv_with(
    spec: &PortfolioSpec,
    columns: CsvColumns,
    mut out: impl io::Write,
    workers: usize,
) -> io::Result<u64> {
    let encoder = BlockEncoder::new(spec, columns);
    let mut header = csv::Writer::from_writer(Vec::new());
    header.write_record(columns.header())?;
    out.write_all(
        &header
            .into_inner()
            .map_err(csv::IntoInnerError::into_error)?,
    )?;
    let blocks = encoder.plan.blocks();
    if workers <= 1 || blocks <= 1 {
        for block in 0..blocks {
            out.write_all(&encoder.encode(block)?)?;
        }
    } else {
        write_blocks_in_parallel(&encoder, &mut out, workers)?;
    }
    out.flush()?;
    Ok(spec.invoices)
}

/// Workers take the next block number, encode the block and hand it over; this thread writes
/// the blocks in number order as they become available.
fn write_blocks_in_parallel(
    encoder: &BlockEncoder,
    out: &mut impl io::Write,
    workers: usize,
) -> io::Result<()> {
    let blocks = encoder.plan.blocks();
    let next_block = AtomicU64::new(0);
    std::thread::scope(|scope| {
        // Bounded, so that workers wait rather than pile blocks up when `out` is slow.
        let (sender, receiver) = mpsc::sync_channel::<(u64, io::Result<Vec<u8>>)>(2 * workers);
        for _ in 0..workers {
            let sender = sender.clone();
            let next_block = &next_block;
            scope.spawn(move || {
                loop {
                    let block = next_block.fetch_add(1, Ordering::Relaxed);
                    // A send fails once the writer has given up (an error on `out`): stop then.
                    if block >= blocks || sender.send((block, encoder.encode(block))).is_err() {
                        break;
                    }
                }
            });
        }
        drop(sender);
        // Blocks arrive roughly in order; the few that overtake wait here for their turn.
        let mut waiting = BTreeMap::new();
        let mut next_to_write = 0;
        for (block, bytes) in receiver {
            waiting.insert(block, bytes);
            while let Some(bytes) = waiting.remove(&next_to_write) {
                out.write_all(&bytes?)?;
                next_to_write += 1;
            }
        }
        debug_assert_eq!(next_to_write, blocks);
        Ok(())
    })
}

/// Turns blocks of generated invoices into CSV rows. Shared read-only by the workers.
struct BlockEncoder {
    plan: InvoicePlan,
    traits: Vec<CustomerTraits>,
    columns: CustomerColumns,
    written: CsvColumns,
}

impl BlockEncoder {
    fn new(spec: &PortfolioSpec, written: CsvColumns) -> BlockEncoder {
        let capacity = usize::try_from(spec.customers).unwrap_or(0);
        let mut traits = Vec::with_capacity(capacity);
        let mut columns = CustomerColumns::with_capacity(capacity);
        // Each customer is reduced to what the rows repeat as soon as it is drawn, so the full
        // `GeneratedCustomer`s are never all in memory.
        for customer in customer_stream(spec) {
            traits.push((customer.payer_type, customer.behaviour));
            columns.push(&customer);
        }
        BlockEncoder {
            plan: InvoicePlan::new(spec),
            traits,
            columns,
            written,
        }
    }

    /// The CSV rows of one block, written by the csv crate (which quotes a field only when it
    /// must).
    fn encode(&self, block: u64) -> io::Result<Vec<u8>> {
        let capacity = usize::try_from(BLOCK_INVOICES).expect("small") * ROW_BYTES_GUESS;
        let mut writer = csv::WriterBuilder::new()
            .buffer_capacity(1 << 16)
            .from_writer(Vec::with_capacity(capacity));
        let (mut issued, mut due, mut service) = ([0; 10], [0; 10], [0; 10]);
        // The reference is read back from the columns, which the row needs anyway, so that each
        // row touches one customer record only.
        let reference = |index: usize| {
            CustomerRef::parse(self.columns.get(index)[0]).expect("copied from a valid reference")
        };
        // Most outstanding amounts are nothing or the whole amount: their text is known already.
        let nothing_outstanding = Money::zero(Currency::EUR).to_decimal_string();
        self.plan.generate_block(
            block,
            &self.traits,
            &reference,
            &mut |invoice, customer_index| {
                let [reference, name, email, phone, kind, country] =
                    self.columns.get(customer_index);
                let details = &invoice.details;
                let amount = details.amount().to_decimal_string();
                let outstanding = if details.outstanding() == details.amount() {
                    Cow::Borrowed(amount.as_str())
                } else if details.outstanding().is_zero()
                    && details.outstanding().currency() == Currency::EUR
                {
                    Cow::Borrowed(nothing_outstanding.as_str())
                } else {
                    Cow::Owned(details.outstanding().to_decimal_string())
                };
                let service_date = match details.service_on() {
                    Some(date) => iso_date(date, &mut service),
                    None => &[],
                };
                let currency = details.amount().currency();
                let row = [
                    reference.as_bytes(),
                    name.as_bytes(),
                    details.number().as_str().as_bytes(),
                    iso_date(details.issued_on(), &mut issued),
                    iso_date(details.due_on(), &mut due),
                    amount.as_bytes(),
                    outstanding.as_bytes(),
                    currency.code().as_bytes(),
                    email.as_bytes(),
                    phone.as_bytes(),
                    kind.as_bytes(),
                    country.as_bytes(),
                    service_date,
                ];
                writer.write_record(&row[..self.written.header().len()])
            },
        )?;
        writer.into_inner().map_err(csv::IntoInnerError::into_error)
    }
}

/// A typical row's length, to size a block's buffer once.
const ROW_BYTES_GUESS: usize = 160;

/// The customer columns of the CSV, for every customer, end to end in one string: rows pick
/// customers at random, and one contiguous record per customer costs one or two cache misses
/// where a `CustomerDetails` and its separate strings cost five or six.
struct CustomerColumns {
    text: String,
    /// Per customer: where its columns start in `text` and the length of each.
    records: Vec<(usize, [u16; 6])>,
}

impl CustomerColumns {
    fn with_capacity(customers: usize) -> CustomerColumns {
        CustomerColumns {
            text: String::with_capacity(customers * 100),
            records: Vec::with_capacity(customers),
        }
    }

    fn push(&mut self, customer: &GeneratedCustomer) {
        let details = &customer.details;
        let columns = [
            details.reference.as_str(),
            details.legal_name.as_str(),
            details.email.as_ref().map_or("", |email| email.as_str()),
            details.phone.as_ref().map_or("", |phone| phone.as_str()),
            details.kind.code(),
            details.country.as_str(),
        ];
        let start = self.text.len();
        let lengths = columns.map(|column| {
            self.text.push_str(column);
            u16::try_from(column.len()).expect("generated names and addresses are short")
        });
        self.records.push((start, lengths));
    }

    fn get(&self, index: usize) -> [&str; 6] {
        let (mut start, lengths) = self.records[index];
        lengths.map(|length| {
            let column = &self.text[start..start + usize::from(length)];
            start += usize::from(length);
            column
        })
    }
}

/// `YYYY-MM-DD` into `buffer`, without the allocation of `Date`'s `Display`: three dates a row
/// at a million rows a second is where it shows.
fn iso_date(date: Date, buffer: &mut [u8; 10]) -> &[u8] {
    // Generated dates are within years 1000–9999 unless `as_of` is absurd; the digits of a year
    // outside would be wrong, so such years are refused loudly.
    let year = u16::try_from(date.year())
        .ok()
        .filter(|year| (1000..=9999).contains(year));
    let year = year.expect("generated dates have four-digit years");
    let digit = |value: u16| b'0' + u8::try_from(value % 10).expect("a digit");
    let (month, day) = (date.month().unsigned_abs(), date.day().unsigned_abs());
    *buffer = [
        digit(year / 1000),
        digit(year / 100),
        digit(year / 10),
        digit(year),
        b'-',
        b'0' + month / 10,
        b'0' + month % 10,
        b'-',
        b'0' + day / 10,
        b'0' + day % 10,
    ];
    &buffer[..]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bytes_do_not_depend_on_the_number_of_threads() {
        let spec =
            PortfolioSpec::benchmark(3, 3 * BLOCK_INVOICES + 17, jiff::civil::date(2025, 6, 30));
        let write = |workers| {
            let mut bytes = Vec::new();
            write_invoice_csv_with(&spec, CsvColumns::Every, &mut bytes, workers).unwrap();
            bytes
        };
        let sequential = write(1);
        assert_eq!(write(2), sequential);
        assert_eq!(write(5), sequential);
    }

    #[test]
    fn an_empty_portfolio_is_a_header_alone() {
        let mut spec = PortfolioSpec::demo(1, jiff::civil::date(2025, 6, 30));
        (spec.customers, spec.invoices) = (0, 0);
        let mut bytes = Vec::new();
        assert_eq!(write_invoice_csv(&spec, &mut bytes).unwrap(), 0);
        assert_eq!(
            bytes,
            format!("{}\n", INVOICE_CSV_HEADER.join(",")).into_bytes()
        );
    }

    #[test]
    fn iso_dates_match_jiff() {
        let mut buffer = [0; 10];
        for date in [
            jiff::civil::date(2025, 1, 3),
            jiff::civil::date(1999, 12, 31),
            jiff::civil::date(2024, 2, 29),
        ] {
            assert_eq!(iso_date(date, &mut buffer), date.to_string().as_bytes());
        }
    }
}
