//! Importing customers and invoices from a file: all or nothing, idempotent, and fast.
//!
//! The file is read twice and held in memory never (CSV files of ten million rows are common
//! in accounting exports):
//! 1. the whole file is hashed (a large one in two halves, on two threads); if it is byte for
//!    byte the file of this tenant's latest invoice import, nothing is read further and nothing
//!    is written;
//! 2. a validation pass parses every row and checks what only the whole file can show (an
//!    invoice number given twice, a customer whose name changes between rows); any problem
//!    rejects the file before anything is written, with every problem located by line and column.
//!    A large CSV file is validated in two halves on two threads, merged into exactly what one
//!    reader would have found (or read again in one piece when the halves cannot tell);
//! 3. a writing pass parses again and, in one transaction, writes only the customers and
//!    invoices that are new or whose content hash changed, in large batches.
//!
//! A customer's details are taken from its first row; its name, kind and country must agree on
//! every row. E-mail and phone on later rows do not override the first row's.

use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::hash::Hasher;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use domain::customer::CustomerDetails;
use domain::ids::{CustomerId, ImportId};
use domain::receivable::InvoiceDetails;
use formats::fec::{FecOptions, FecSummary, read_fec};
use formats::invoice_csv::{
    InvoiceCsvOptions, InvoiceCsvReader, InvoiceRow, TextEncoding, continuation_start,
};
use formats::problem::{Problem, ProblemKind};
use store::{
    CustomerUpsert, ImportCounts, ImportMeta, InvoiceUpsert, Store, StoreError, TenantRecord,
};
use xxhash_rust::xxh3::{Xxh3, xxh3_64, xxh3_64_with_seed};

use crate::clock::Clock;

/// The import kind recorded for invoice files (CSV and FEC alike: both feed the same ledger).
const INVOICE_IMPORT_KIND: &str = "invoices";
/// Problems listed in a rejection; the rest are counted.
const PROBLEMS_LISTED_MAX: usize = 100;
/// Invoices written per batch.
const WRITE_BATCH_ROWS: usize = 10_000;
/// Files from this size are validated in two halves, on two threads.
const HALVES_MIN_BYTES: u64 = 1 << 20;
/// How far past the middle of a file the second half's start is looked for.
const HALVES_SEARCH_BYTES: u64 = 1 << 20;

type Input<'a> = Box<dyn Read + Send + 'a>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvoiceFileFormat {
    Csv,
    Fec,
}

impl InvoiceFileFormat {
    /// The format a file's name suggests: a FEC is named `<SIREN>FEC<closing date>…`.
    pub fn from_file_name(name: &str) -> InvoiceFileFormat {
        let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
        let upper = base.to_ascii_uppercase();
        let fec = upper.len() > 12
            && upper.get(9..12) == Some("FEC")
            && upper[..9].bytes().all(|byte| byte.is_ascii_digit());
        if fec {
            InvoiceFileFormat::Fec
        } else {
            InvoiceFileFormat::Csv
        }
    }
}

/// Where the file's bytes come from: a path (read twice, streaming) or bytes in memory.
#[derive(Debug, Clone, Copy)]
pub enum ImportInput<'a> {
    Path(&'a Path),
    Bytes { name: &'a str, bytes: &'a [u8] },
}

impl<'a> ImportInput<'a> {
    fn name(&self) -> String {
        match self {
            ImportInput::Path(path) => path.file_name().map_or_else(
                || path.display().to_string(),
                |name| name.to_string_lossy().into_owned(),
            ),
            ImportInput::Bytes { name, .. } => (*name).to_owned(),
        }
    }

    fn unreadable(&self, source: std::io::Error) -> ImportError {
        ImportError::Unreadable {
            file: self.name(),
            source,
        }
    }

    /// The input in two parts cut just after a line in its middle (see
    /// `formats::invoice_csv::continuation_start`); `None` for small inputs and inputs with no
    /// such line near the middle.
    fn halves(&self) -> Result<Option<(Input<'a>, Input<'a>)>, ImportError> {
        let total = self.len();
        if total < HALVES_MIN_BYTES {
            return Ok(None);
        }
        let middle = total / 2;
        match self {
            ImportInput::Bytes { bytes, .. } => {
                let Ok(middle) = usize::try_from(middle) else {
                    return Ok(None);
                };
                let window = &bytes[middle..bytes.len().min(middle + HALVES_SEARCH_BYTES as usize)];
                Ok(continuation_start(window).map(|start| {
                    let (first, second) = bytes.split_at(middle + start);
                    (Box::new(first) as Input<'a>, Box::new(second) as Input<'a>)
                }))
            }
            ImportInput::Path(path) => {
                let open_at = |offset: u64| -> std::io::Result<File> {
                    let mut file = File::open(path)?;
                    file.seek(SeekFrom::Start(offset))?;
                    Ok(file)
                };
                let mut window = Vec::new();
                open_at(middle)
                    .and_then(|file| file.take(HALVES_SEARCH_BYTES).read_to_end(&mut window))
                    .map_err(|source| self.unreadable(source))?;
                let Some(start) = continuation_start(&window) else {
                    return Ok(None);
                };
                let cut = middle + start as u64;
                let first = open_at(0).map_err(|source| self.unreadable(source))?;
                let second = open_at(cut).map_err(|source| self.unreadable(source))?;
                // Unbuffered: the CSV reader buffers what it reads, and a buffer of ours in front
                // of it only copied every byte once more.
                Ok(Some((Box::new(first.take(cut)), Box::new(second))))
            }
        }
    }

    fn open(&self) -> Result<Input<'a>, ImportError> {
        match self {
            ImportInput::Path(path) => {
                let file = File::open(path).map_err(|source| self.unreadable(source))?;
                Ok(Box::new(BufReader::with_capacity(1 << 20, file)))
            }
            ImportInput::Bytes { bytes, .. } => Ok(Box::new(*bytes)),
        }
    }

    fn len(&self) -> u64 {
        match self {
            ImportInput::Path(path) => std::fs::metadata(path)
                .map(|metadata| metadata.len())
                .unwrap_or(0),
            ImportInput::Bytes { bytes, .. } => bytes.len() as u64,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportOptions {
    pub format: InvoiceFileFormat,
    /// Payment term for files without due dates (FEC); default: the creditor's.
    pub payment_term_days: Option<u16>,
}

/// What an import did, row by row.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RowCounts {
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportReport {
    pub file_name: String,
    pub rows_read: u64,
    pub customers: RowCounts,
    pub invoices: RowCounts,
    /// The same file was already imported last time: it was not read again.
    pub already_imported: bool,
    /// The import's record, when something was written.
    pub import: Option<ImportId>,
    /// What the FEC reader noticed (unapplied credits, unbalanced entries).
    pub fec: Option<FecSummary>,
}

impl ImportReport {
    pub fn changed_anything(&self) -> bool {
        self.import.is_some()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("cannot read {file}: {source}")]
    Unreadable {
        file: String,
        source: std::io::Error,
    },
    #[error("{file} was rejected: {count} problem(s), nothing was imported", count = problems.len() as u64 + more)]
    Rejected {
        file: String,
        problems: Vec<Problem>,
        more: u64,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The phases a progress bar shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportPhase {
    Checking,
    Validating,
    Writing,
}

/// Receives progress: the phase, bytes done and bytes in total.
pub trait ImportProgress: Sync {
    fn update(&self, phase: ImportPhase, done: u64, total: u64);
}

/// Progress for callers that show none.
pub struct NoProgress;

impl ImportProgress for NoProgress {
    fn update(&self, _: ImportPhase, _: u64, _: u64) {}
}

/// Imports customers and invoices from one file into the tenant's books.
pub async fn import_invoices(
    store: &Store,
    tenant: &TenantRecord,
    input: ImportInput<'_>,
    options: ImportOptions,
    progress: &dyn ImportProgress,
    clock: Clock,
) -> Result<ImportReport, ImportError> {
    let file_name = input.name();
    let total = input.len();
    let scope = store.tenant(tenant.id);
    let latest = scope.latest_import(INVOICE_IMPORT_KIND).await?;
    // A file last imported before fingerprints were taken in halves is compared in the form
    // then recorded (no new record is made when nothing changed, so that form can stay).
    let whole = latest
        .as_ref()
        .is_some_and(|latest| recorded_whole(&latest.file_hash, total));
    let mut file_hash = if whole {
        hash_whole(&input, progress, total)?
    } else {
        fingerprint(&input, progress, total)?
    };
    if let Some(latest) = latest
        && latest.file_hash == file_hash
    {
        let rows = u64::try_from(latest.rows_read).unwrap_or(0);
        return Ok(ImportReport {
            file_name,
            rows_read: rows,
            customers: RowCounts::default(),
            invoices: RowCounts {
                unchanged: rows,
                ..RowCounts::default()
            },
            already_imported: true,
            import: None,
            fec: None,
        });
    }

    if whole && total >= HALVES_MIN_BYTES {
        file_hash = fingerprint(&input, progress, total)?;
    }
    let mut source = RowSource::open(input, options, tenant)?;
    let validated = validate(&mut source, &file_name, progress, total)?;
    let fec = source.fec_summary();

    let existing_customers = scope.customer_hashes().await?;
    let mut existing_invoices: Vec<(u64, i64)> = Vec::new();
    scope
        .for_each_invoice_hash(|number, hash| {
            existing_invoices.push((xxh3_64(number.as_bytes()), hash))
        })
        .await?;
    existing_invoices.sort_unstable();

    let meta = ImportMeta {
        kind: INVOICE_IMPORT_KIND.to_owned(),
        file_name: file_name.clone(),
        file_hash,
        started_at: clock.now(),
        expected_rows: validated.rows,
    };
    let mut tx = scope.begin_import(&meta).await?;
    let mut writer = Writer {
        customers: existing_customers
            .iter()
            .map(|(reference, id, _)| (reference_key(reference), (reference.clone(), *id)))
            .collect(),
    };
    let classifier = Classifier {
        customers: existing_customers
            .into_iter()
            .map(|(reference, _, hash)| (reference, hash))
            .collect(),
        seen_customers: HashSet::default(),
        invoices: existing_invoices,
        customer_counts: RowCounts::default(),
        invoice_counts: RowCounts::default(),
        rows_read: 0,
    };

    // The writing pass runs on two cores: a producer thread parses and classifies rows while
    // this task writes the previous batch (the database work happens on sqlx's own thread).
    let counter = Arc::new(AtomicU64::new(0));
    let rows = source.take_rows();
    let (sender, mut receiver) = tokio::sync::mpsc::channel::<Result<Batch, ImportError>>(2);
    let producer = {
        let counter = Arc::clone(&counter);
        let file_name = file_name.clone();
        std::thread::spawn(move || produce_batches(rows, classifier, counter, &file_name, &sender))
    };
    while let Some(batch) = receiver.recv().await {
        writer.write(&mut tx, &batch?).await?;
        progress.update(ImportPhase::Writing, counter.load(Ordering::Relaxed), total);
    }
    let classifier = match producer.join() {
        Ok(classifier) => classifier,
        Err(panic) => std::panic::resume_unwind(panic),
    };
    debug_assert_eq!(classifier.rows_read, validated.rows);
    let rows_read = classifier.rows_read;
    let (customer_counts, invoice_counts) = (classifier.customer_counts, classifier.invoice_counts);
    // What was learnt about the customers (a million of them in large files) is no longer
    // needed: freed before the index builds of the commit need memory.
    drop((classifier, writer));

    let changed = customer_counts.created
        + customer_counts.updated
        + invoice_counts.created
        + invoice_counts.updated;
    let import = if changed == 0 {
        // Nothing differs from what is stored: leave no trace, not even an import record.
        drop(tx);
        None
    } else {
        let as_i64 = |count: u64| i64::try_from(count).unwrap_or(i64::MAX);
        let counts = ImportCounts {
            rows_read: as_i64(rows_read),
            created: as_i64(invoice_counts.created),
            updated: as_i64(invoice_counts.updated),
            unchanged: as_i64(invoice_counts.unchanged),
        };
        Some(tx.commit(counts).await?)
    };
    Ok(ImportReport {
        file_name,
        rows_read,
        customers: customer_counts,
        invoices: invoice_counts,
        already_imported: false,
        import,
        fec,
    })
}

/// The fingerprint of a file recognised when it comes again: xxh3-128 of each half of its bytes
/// (cut at the middle byte, whatever is there), the halves hashed on two threads, and its
/// length. Hashed in one piece on one core, a ten-million-row file took a third of a second
/// before anything else could start, a tenth of the time to reject a bad one. Inputs too small
/// to be worth two threads keep the whole-file form (`hash_whole`).
fn fingerprint(
    input: &ImportInput<'_>,
    progress: &dyn ImportProgress,
    total: u64,
) -> Result<String, ImportError> {
    if total < HALVES_MIN_BYTES {
        return hash_whole(input, progress, total);
    }
    let middle = total / 2;
    let done = AtomicU64::new(0);
    let (first, second) = std::thread::scope(|scope| {
        let progress = (progress, &done, total);
        let second = scope.spawn(move || hash_range(input, middle, total - middle, progress));
        let first = hash_range(input, 0, middle, progress);
        (
            first,
            second
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
        )
    });
    Ok(format!(
        "{HALVES_FINGERPRINT}{:032x}-{:032x}:{total}",
        first?, second?
    ))
}

/// How `fingerprint` marks the two-halves form.
const HALVES_FINGERPRINT: &str = "xxh3-128-halves:";

/// How `hash_whole` marks its form, which imports recorded before the halves have.
const WHOLE_FINGERPRINT: &str = "xxh3-128:";

/// Whether `recorded` is a fingerprint of the whole-file form that a file of `total` bytes could
/// match: that file is then compared in that form.
fn recorded_whole(recorded: &str, total: u64) -> bool {
    recorded.starts_with(WHOLE_FINGERPRINT) && recorded.ends_with(&format!(":{total}"))
}

/// xxh3-128 of `length` bytes of the input from `start`; the progress counts the bytes hashed
/// by every thread (in `done`) out of `total`.
fn hash_range(
    input: &ImportInput<'_>,
    start: u64,
    length: u64,
    (progress, done, total): (&dyn ImportProgress, &AtomicU64, u64),
) -> Result<u128, ImportError> {
    let mut hasher = Xxh3::new();
    match input {
        ImportInput::Bytes { bytes, .. } => {
            let range = usize::try_from(start).unwrap_or(usize::MAX)
                ..usize::try_from(start + length).unwrap_or(usize::MAX);
            hasher.update(&bytes[range]);
        }
        ImportInput::Path(path) => {
            let mut file = File::open(path)
                .and_then(|mut file| file.seek(SeekFrom::Start(start)).map(|_| file))
                .map_err(|source| input.unreadable(source))?
                .take(length);
            // Small enough to stay in the core's cache between the copy and the hashing.
            let mut buffer = vec![0_u8; 128 << 10];
            loop {
                let read = file
                    .read(&mut buffer)
                    .map_err(|source| input.unreadable(source))?;
                if read == 0 {
                    break;
                }
                hasher.update(&buffer[..read]);
                let hashed = done.fetch_add(read as u64, Ordering::Relaxed) + read as u64;
                progress.update(ImportPhase::Checking, hashed, total);
            }
        }
    }
    Ok(hasher.digest128())
}

/// xxh3-128 of the whole input in one pass, and its length.
fn hash_whole(
    input: &ImportInput<'_>,
    progress: &dyn ImportProgress,
    total: u64,
) -> Result<String, ImportError> {
    let hash = hash_range(input, 0, total, (progress, &AtomicU64::new(0), total))?;
    Ok(format!("{WHOLE_FINGERPRINT}{hash:032x}:{total}"))
}

fn rejected(file: &str, mut problems: Vec<Problem>, more: u64) -> ImportError {
    let extra = problems.len().saturating_sub(PROBLEMS_LISTED_MAX) as u64;
    problems.truncate(PROBLEMS_LISTED_MAX);
    ImportError::Rejected {
        file: file.to_owned(),
        problems,
        more: more + extra,
    }
}

/// The rows of the file, readable twice.
enum RowSource<'a> {
    Csv {
        input: ImportInput<'a>,
        options: InvoiceCsvOptions,
    },
    Fec {
        rows: Vec<InvoiceRow>,
        summary: FecSummary,
    },
}

impl<'a> RowSource<'a> {
    fn open(
        input: ImportInput<'a>,
        options: ImportOptions,
        tenant: &TenantRecord,
    ) -> Result<RowSource<'a>, ImportError> {
        let profile = &tenant.profile;
        let country = profile
            .address
            .country
            .unwrap_or(domain::identifiers::CountryCode::FRANCE);
        match options.format {
            InvoiceFileFormat::Csv => Ok(RowSource::Csv {
                input,
                options: InvoiceCsvOptions {
                    default_currency: profile.currency,
                    default_country: country,
                    encoding: None,
                },
            }),
            InvoiceFileFormat::Fec => {
                let fec_options = FecOptions {
                    currency: profile.currency,
                    default_country: country,
                    payment_term_days: options
                        .payment_term_days
                        .unwrap_or(profile.default_payment_term_days),
                };
                let imported = read_fec(input.open()?, &fec_options)
                    .map_err(|problems| rejected(&input.name(), problems, 0))?;
                Ok(RowSource::Fec {
                    rows: imported.rows,
                    summary: imported.summary,
                })
            }
        }
    }

    /// The rows again, as an owned source the producer thread can read.
    fn take_rows(&mut self) -> OwnedRows {
        match self {
            RowSource::Csv {
                input: ImportInput::Path(path),
                options,
            } => OwnedRows::CsvFile {
                path: path.to_path_buf(),
                name: ImportInput::Path(path).name(),
                options: *options,
            },
            RowSource::Csv {
                input: ImportInput::Bytes { name, bytes },
                options,
            } => OwnedRows::CsvBytes {
                bytes: bytes.to_vec(),
                name: (*name).to_owned(),
                options: *options,
            },
            RowSource::Fec { rows, .. } => OwnedRows::Fec(std::mem::take(rows)),
        }
    }

    /// After the validation pass, the CSV's encoding is known: the writing pass must not guess
    /// again (a late Windows-1252 byte would otherwise decode early rows differently).
    fn fix_encoding(&mut self, encoding: TextEncoding) {
        if let RowSource::Csv { options, .. } = self {
            options.encoding = Some(encoding);
        }
    }

    fn fec_summary(&self) -> Option<FecSummary> {
        match self {
            RowSource::Fec { summary, .. } => Some(summary.clone()),
            RowSource::Csv { .. } => None,
        }
    }
}

/// The file's rows for the writing pass, owned so that another thread can read them.
enum OwnedRows {
    CsvFile {
        path: std::path::PathBuf,
        name: String,
        options: InvoiceCsvOptions,
    },
    CsvBytes {
        bytes: Vec<u8>,
        name: String,
        options: InvoiceCsvOptions,
    },
    Fec(Vec<InvoiceRow>),
}

type Rows = Box<dyn Iterator<Item = Result<InvoiceRow, Problem>> + Send>;

impl OwnedRows {
    fn read(self, counter: Arc<AtomicU64>) -> Result<Rows, ImportError> {
        let (inner, name, options): (Box<dyn Read + Send>, String, InvoiceCsvOptions) = match self {
            OwnedRows::Fec(rows) => return Ok(Box::new(rows.into_iter().map(Ok))),
            OwnedRows::CsvFile {
                path,
                name,
                options,
            } => {
                let file = File::open(&path).map_err(|source| ImportError::Unreadable {
                    file: name.clone(),
                    source,
                })?;
                (
                    Box::new(BufReader::with_capacity(1 << 20, file)),
                    name,
                    options,
                )
            }
            OwnedRows::CsvBytes {
                bytes,
                name,
                options,
            } => (Box::new(std::io::Cursor::new(bytes)), name, options),
        };
        let reader = CountingReader {
            inner,
            count: counter,
        };
        let csv = InvoiceCsvReader::new(reader, options)
            .map_err(|problem| rejected(&name, vec![problem], 0))?;
        Ok(Box::new(csv))
    }
}

struct CountingReader<R> {
    inner: R,
    count: Arc<AtomicU64>,
}

impl<R: Read> Read for CountingReader<R> {
    fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
        let read = self.inner.read(buffer)?;
        self.count.fetch_add(read as u64, Ordering::Relaxed);
        Ok(read)
    }
}

struct Validated {
    rows: u64,
}

/// What the validation pass learns from the rows of a file, or of part of one.
struct Checked {
    rows: u64,
    /// The first problems, in line order; `more` counts the others.
    problems: Vec<Problem>,
    more: u64,
    /// The hash of every row's invoice number, sorted once all rows are read; those of the rest
    /// of the file apart (see `then`), so that neither is copied into the other. Lines are
    /// looked for only when a number turns out to be given twice (8 bytes a row instead of 16:
    /// 80 MB at ten million rows).
    numbers: Vec<u64>,
    rest_numbers: Vec<u64>,
    /// By `reference_key`: the customer's identity hash and first line. A collision (odds about
    /// 1 in 10^13 for a million customers) would reject a valid file, never accept a bad one.
    customers: ByHash<(u64, u64)>,
    /// Rows read but not yet looked up in `customers`: (reference key, identity, line, end of
    /// the reference in `pending_references`).
    pending: Vec<(u64, u64, u64, usize)>,
    /// The pending rows' references, one after the other, for the problems.
    pending_references: String,
}

/// Fewer bytes than any invoice row takes (its number, customer, dates and amount): the
/// numbers' vector is reserved for a file's length divided by this, address space that is
/// only written as rows come, instead of growing by copies.
const ROW_BYTES_FEWEST: u64 = 64;

/// `Checked::customers` is reserved for one customer every this many rows of the (generous)
/// estimate: a ledger's map is then made at its final size instead of growing by rehashes,
/// each a copy of every entry into fresh memory. A file with more customers grows it as before.
const ROWS_PER_CUSTOMER_RESERVED: usize = 8;

/// Rows looked up in `Checked::customers` together. Among a million customers each lookup
/// misses the processor's caches; looked up in a tight loop of their own, rather than between
/// the parsing of one row and the next, the misses of several rows overlap.
const LOOKUPS_TOGETHER: usize = 256;

impl Checked {
    /// `rows`: about how many rows this part of the file holds (the numbers' vector is sized
    /// for them); `file_rows`: how many the whole file holds. A customer's rows are spread over
    /// the file, so each part may meet nearly every customer of the file: the customers' map
    /// is sized for the whole file's.
    fn new(rows: usize, file_rows: usize) -> Checked {
        Checked {
            rows: 0,
            problems: Vec::new(),
            more: 0,
            numbers: Vec::with_capacity(rows),
            rest_numbers: Vec::new(),
            customers: ByHash::with_capacity_and_hasher(
                file_rows / ROWS_PER_CUSTOMER_RESERVED,
                Default::default(),
            ),
            pending: Vec::with_capacity(LOOKUPS_TOGETHER),
            pending_references: String::new(),
        }
    }

    fn note(&mut self, problem: Problem) {
        // The rows before it first: problems are kept in line order.
        self.look_up_customers();
        self.list(problem);
    }

    /// Lists the problem among the first ones, or counts it.
    fn list(&mut self, problem: Problem) {
        if self.problems.len() < PROBLEMS_LISTED_MAX {
            self.problems.push(problem);
        } else {
            self.more += 1;
        }
    }

    fn row(&mut self, row: &InvoiceRow) {
        self.rows += 1;
        self.numbers
            .push(xxh3_64(row.invoice.number().as_str().as_bytes()));
        let reference = row.customer.reference.as_str();
        self.pending_references.push_str(reference);
        self.pending.push((
            reference_key(reference),
            customer_identity_hash(&row.customer),
            row.line,
            self.pending_references.len(),
        ));
        if self.pending.len() == LOOKUPS_TOGETHER {
            self.look_up_customers();
        }
    }

    /// Checks the pending rows' customers against their first rows.
    fn look_up_customers(&mut self) {
        let mut pending = std::mem::take(&mut self.pending);
        let mut start = 0;
        for (key, identity, line, end) in pending.drain(..) {
            let reference = &self.pending_references[start..end];
            start = end;
            match self.customers.entry(key) {
                Entry::Vacant(vacant) => {
                    vacant.insert((identity, line));
                }
                Entry::Occupied(first) if first.get().0 != identity => {
                    let first_line = first.get().1;
                    let problem = Problem::inconsistent_customer(line, reference, first_line);
                    self.list(problem);
                }
                Entry::Occupied(_) => {}
            }
        }
        self.pending = pending;
        self.pending_references.clear();
    }

    /// Once every row was given: the last lookups, the numbers sorted.
    fn finish(&mut self) {
        self.look_up_customers();
        self.numbers.sort_unstable();
    }

    /// Every row of `csv`, reporting progress when given some.
    /// `bytes`: the length of what `csv` reads, and `file_bytes` of the whole file, to size
    /// the numbers' vector and the customers' map (see `new`).
    fn csv<R: Read>(
        csv: &mut InvoiceCsvReader<R>,
        bytes: u64,
        file_bytes: u64,
        progress: Option<(&dyn ImportProgress, &AtomicU64, u64)>,
    ) -> Checked {
        let rows = |bytes: u64| usize::try_from(bytes / ROW_BYTES_FEWEST).unwrap_or(0);
        let mut checked = Checked::new(rows(bytes), rows(file_bytes));
        for (read, row) in csv.enumerate() {
            if let Some((progress, counter, total)) = progress
                && read.is_multiple_of(16_384)
            {
                progress.update(
                    ImportPhase::Validating,
                    counter.load(Ordering::Relaxed),
                    total,
                );
            }
            match row {
                Ok(row) => checked.row(&row),
                Err(problem) => checked.note(problem),
            }
        }
        // Here, on the thread that read the rows, rather than after the halves are joined.
        checked.finish();
        checked
    }

    /// Appends what was found in the rest of the file, whose lines were counted from 1 where
    /// it starts (line `offset + 1`). `None` when a customer's first row in `rest` differs from
    /// its first row here: `rest` compared its other rows with the wrong one.
    fn then(mut self, rest: Checked, offset: u64) -> Option<Checked> {
        for (key, (identity, _)) in &rest.customers {
            if self
                .customers
                .get(key)
                .is_some_and(|(first, _)| first != identity)
            {
                return None;
            }
        }
        self.rows += rest.rows;
        self.more += rest.more;
        for mut problem in rest.problems {
            problem.line += offset;
            if let ProblemKind::InconsistentCustomer { first_line }
            | ProblemKind::DuplicateInvoice { first_line } = &mut problem.kind
            {
                *first_line += offset;
            }
            self.note(problem);
        }
        self.rest_numbers = rest.numbers;
        // The customers map has served: only the first rows' identities were needed.
        Some(self)
    }
}

/// The validation pass: every row parsed, cross-row rules checked, nothing written.
fn validate(
    source: &mut RowSource<'_>,
    file_name: &str,
    progress: &dyn ImportProgress,
    total: u64,
) -> Result<Validated, ImportError> {
    let (checked, encoding) = match source {
        RowSource::Csv { input, options } => {
            let counter = Arc::new(AtomicU64::new(0));
            let progress = (progress, &*counter, total);
            let halves = validate_halves(input, *options, &counter, progress, file_name)?;
            let (mut checked, encoding) = match halves {
                Some(validated) => validated,
                None => {
                    counter.store(0, Ordering::Relaxed);
                    let reader = CountingReader {
                        inner: input.open()?,
                        count: Arc::clone(&counter),
                    };
                    let mut csv = InvoiceCsvReader::new(reader, *options)
                        .map_err(|problem| rejected(file_name, vec![problem], 0))?;
                    let checked = Checked::csv(&mut csv, total, total, Some(progress));
                    (checked, csv.encoding())
                }
            };
            let given_twice = given_twice(
                &std::mem::take(&mut checked.numbers),
                &std::mem::take(&mut checked.rest_numbers),
            );
            if !given_twice.is_empty() {
                let reader = input.open()?;
                let csv = InvoiceCsvReader::new(reader, *options)
                    .map_err(|problem| rejected(file_name, vec![problem], 0))?;
                let mut numbers: Vec<(u64, u64)> = csv
                    .filter_map(Result::ok)
                    .map(|row| (xxh3_64(row.invoice.number().as_str().as_bytes()), row.line))
                    .filter(|(hash, _)| given_twice.binary_search(hash).is_ok())
                    .collect();
                duplicate_numbers(&mut numbers, &mut |problem| checked.note(problem));
            }
            (checked, Some(encoding))
        }
        RowSource::Fec { rows, .. } => {
            let mut checked = Checked::new(rows.len(), rows.len());
            for row in rows.iter() {
                checked.row(row);
            }
            checked.finish();
            (checked, None)
        }
    };
    if !checked.problems.is_empty() {
        return Err(rejected(file_name, checked.problems, checked.more));
    }
    if let Some(encoding) = encoding {
        source.fix_encoding(encoding);
    }
    Ok(Validated { rows: checked.rows })
}

/// Validates a large CSV file in two halves on two threads; `None` when it cannot be cut, or
/// when the halves could not stand for one reader (cut inside a quoted value, encodings
/// detected differently, a customer whose first row differs between the halves): the caller
/// then reads the file in one piece.
fn validate_halves(
    input: &ImportInput<'_>,
    options: InvoiceCsvOptions,
    counter: &Arc<AtomicU64>,
    progress: (&dyn ImportProgress, &AtomicU64, u64),
    file_name: &str,
) -> Result<Option<(Checked, TextEncoding)>, ImportError> {
    let Some((first, second)) = input.halves()? else {
        return Ok(None);
    };
    let counting = |inner| CountingReader {
        inner,
        count: Arc::clone(counter),
    };
    let mut first = InvoiceCsvReader::new(counting(first), options)
        .map_err(|problem| rejected(file_name, vec![problem], 0))?;
    let mut second = first.continuation(counting(second));
    let whole = input.len();
    let half = whole / 2;
    let (checked, rest) = std::thread::scope(|scope| {
        let rest = scope.spawn(|| Checked::csv(&mut second, half, whole, None));
        let checked = Checked::csv(&mut first, half, whole, Some(progress));
        (checked, rest.join())
    });
    let rest = rest.unwrap_or_else(|panic| std::panic::resume_unwind(panic));
    if !first.ended_between_records() || !first.decodes_like(&second) {
        return Ok(None);
    }
    let offset = first.next_line() - 1;
    Ok(checked
        .then(rest, offset)
        .map(|checked| (checked, first.encoding_with(&second))))
}

/// The hashes found more than once in `first` and `rest` (each sorted), walked as one sorted
/// list.
fn given_twice(first: &[u64], rest: &[u64]) -> Vec<u64> {
    let (mut first, mut rest) = (first.iter().peekable(), rest.iter().peekable());
    let mut previous = None;
    let mut twice = Vec::new();
    loop {
        let next = match (first.peek(), rest.peek()) {
            (Some(a), Some(b)) if a <= b => first.next(),
            (Some(_), Some(_)) | (None, Some(_)) => rest.next(),
            (Some(_), None) => first.next(),
            (None, None) => break,
        };
        if next.is_some() && next == previous && twice.last() != next {
            twice.extend(next);
        }
        previous = next;
    }
    twice
}

/// Reports every invoice number given on more than one line, naming the first line, from the
/// (number hash, line) of the rows whose number was given twice.
fn duplicate_numbers(numbers: &mut [(u64, u64)], note: &mut dyn FnMut(Problem)) {
    numbers.sort_unstable();
    for pair in numbers.windows(2) {
        let ((first_hash, first_line), (hash, line)) = (pair[0], pair[1]);
        if first_hash == hash {
            note(Problem::duplicate_invoice(
                line.max(first_line),
                line.min(first_line),
            ));
        }
    }
}

/// Name, kind and country: what must agree on every row of a customer. The reference itself is
/// hashed too, so that two references whose `reference_key`s collide are told apart here (the
/// file is then rejected) instead of being merged later.
///
/// Chained one-shot hashes (each part seeds the next) rather than the streaming hasher: this runs
/// for every row of the file, and the streaming state costs more than the few bytes it hashes.
fn customer_identity_hash(customer: &CustomerDetails) -> u64 {
    [
        customer.reference.as_str(),
        customer.legal_name.as_str(),
        customer.kind.code(),
        customer.country.as_str(),
    ]
    .iter()
    .fold(0, |seed, part| xxh3_64_with_seed(part.as_bytes(), seed))
}

/// A map key that is already a good 64-bit hash (an xxh3 of a reference): hashing it again, as
/// the default SipHash does, would cost more than the lookup.
#[derive(Default)]
struct Prehashed(u64);

impl std::hash::Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only `write_u64` is expected; anything else is folded in, still correct.
        for &byte in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(byte);
        }
    }

    fn write_u64(&mut self, value: u64) {
        self.0 = value;
    }
}

type ByHash<V> = HashMap<u64, V, std::hash::BuildHasherDefault<Prehashed>>;

fn customer_hash(customer: &CustomerDetails) -> i64 {
    let mut hasher = Xxh3::new();
    let email = customer.email.as_ref().map_or("", |email| email.as_str());
    let phone = customer.phone.as_ref().map_or("", |phone| phone.as_str());
    for part in [
        customer.reference.as_str(),
        customer.legal_name.as_str(),
        customer.kind.code(),
        customer.country.as_str(),
        email,
        phone,
    ] {
        hasher.write(part.as_bytes());
        hasher.write_u8(0x1f);
    }
    hasher.finish() as i64
}

fn invoice_hash(invoice: &InvoiceDetails) -> i64 {
    let mut hasher = Xxh3::new();
    let mut text = |part: &str| {
        hasher.write(part.as_bytes());
        hasher.write_u8(0x1f);
    };
    text(invoice.customer().as_str());
    text(invoice.number().as_str());
    text(invoice.amount().currency().code());
    let mut date = |date: Option<jiff::civil::Date>| match date {
        Some(date) => {
            hasher.write_i16(date.year());
            hasher.write_i8(date.month());
            hasher.write_i8(date.day());
        }
        None => hasher.write_u8(0),
    };
    date(Some(invoice.issued_on()));
    date(Some(invoice.due_on()));
    date(invoice.service_on());
    hasher.write_i64(invoice.amount().minor());
    hasher.write_i64(invoice.outstanding().minor());
    hasher.finish() as i64
}

/// What the writing pass hands from the producer thread to the writer: new or changed rows.
#[derive(Default)]
struct Batch {
    customers: Vec<(CustomerDetails, i64)>,
    /// Each invoice with the hash of its customer's reference (see `reference_key`).
    invoices: Vec<(u64, InvoiceDetails, i64)>,
}

/// Customers are looked up by a 64-bit hash of their reference on the hot path, which spares an
/// allocation per row; a collision between two references of one file is checked for in the
/// validation pass.
fn reference_key(reference: &str) -> u64 {
    xxh3_64(reference.as_bytes())
}

/// The producer's state: what is already stored, what this file has shown, the counts.
struct Classifier {
    /// Reference → content hash of the tenant's stored customers.
    customers: HashMap<String, i64>,
    seen_customers: HashSet<u64, std::hash::BuildHasherDefault<Prehashed>>,
    /// (hash of the number, content hash) of the tenant's stored invoices, sorted.
    invoices: Vec<(u64, i64)>,
    customer_counts: RowCounts,
    invoice_counts: RowCounts,
    rows_read: u64,
}

impl Classifier {
    /// Counts the row and adds to the batch what must be written.
    fn classify(&mut self, row: InvoiceRow, batch: &mut Batch) {
        self.rows_read += 1;
        self.classify_customer(&row.customer, batch);
        let row_hash = invoice_hash(&row.invoice);
        let number_hash = xxh3_64(row.invoice.number().as_str().as_bytes());
        let previous = self
            .invoices
            .binary_search_by(|(hash, _)| hash.cmp(&number_hash))
            .ok()
            .map(|index| self.invoices[index].1);
        match previous {
            None => self.invoice_counts.created += 1,
            Some(previous) if previous == row_hash => {
                self.invoice_counts.unchanged += 1;
                return;
            }
            Some(_) => self.invoice_counts.updated += 1,
        }
        batch.invoices.push((
            reference_key(row.customer.reference.as_str()),
            row.invoice,
            row_hash,
        ));
    }

    fn classify_customer(&mut self, customer: &CustomerDetails, batch: &mut Batch) {
        if !self
            .seen_customers
            .insert(reference_key(customer.reference.as_str()))
        {
            return;
        }
        let hash = customer_hash(customer);
        match self.customers.get(customer.reference.as_str()) {
            None => self.customer_counts.created += 1,
            Some(existing) if *existing == hash => {
                self.customer_counts.unchanged += 1;
                return;
            }
            Some(_) => self.customer_counts.updated += 1,
        }
        batch.customers.push((customer.clone(), hash));
    }
}

/// The producer thread: reads the rows again, classifies them and sends batches of what must
/// be written. Returns the classifier, whose counts make the report.
fn produce_batches(
    rows: OwnedRows,
    mut classifier: Classifier,
    counter: Arc<AtomicU64>,
    file_name: &str,
    sender: &tokio::sync::mpsc::Sender<Result<Batch, ImportError>>,
) -> Classifier {
    let produced = (|| -> Result<(), ImportError> {
        let mut batch = Batch::default();
        for row in rows.read(counter)? {
            let row = row.map_err(|problem| rejected(file_name, vec![problem], 0))?;
            classifier.classify(row, &mut batch);
            if batch.invoices.len() >= WRITE_BATCH_ROWS
                && sender
                    .blocking_send(Ok(std::mem::take(&mut batch)))
                    .is_err()
            {
                // The writer stopped (an error it reports itself): nothing more to do.
                return Ok(());
            }
        }
        let _ = sender.blocking_send(Ok(batch));
        Ok(())
    })();
    if let Err(error) = produced {
        let _ = sender.blocking_send(Err(error));
    }
    classifier
}

fn collision(reference: &str, other: &str) -> StoreError {
    StoreError::Corrupt {
        what: format!("customer references {reference:?} and {other:?} share a 64-bit hash"),
    }
}

/// The writer's state: the reference and id of every customer known so far, by `reference_key`.
/// Each lookup compares the reference, so a hash collision aborts the import (nothing is
/// written) instead of giving an invoice to the wrong customer.
struct Writer {
    customers: HashMap<u64, (String, CustomerId)>,
}

impl Writer {
    async fn write(
        &mut self,
        tx: &mut store::ImportTransaction,
        batch: &Batch,
    ) -> Result<(), StoreError> {
        if !batch.customers.is_empty() {
            let upserts: Vec<CustomerUpsert> = batch
                .customers
                .iter()
                .map(|(details, row_hash)| CustomerUpsert {
                    details,
                    row_hash: *row_hash,
                })
                .collect();
            for (reference, id) in tx.upsert_customers(&upserts).await? {
                match self.customers.entry(reference_key(&reference)) {
                    Entry::Occupied(known) if known.get().0 != reference => {
                        return Err(collision(&reference, &known.get().0));
                    }
                    Entry::Occupied(mut known) => known.get_mut().1 = id,
                    Entry::Vacant(vacant) => {
                        vacant.insert((reference, id));
                    }
                }
            }
        }
        if !batch.invoices.is_empty() {
            let upserts = batch
                .invoices
                .iter()
                .map(|(key, invoice, row_hash)| {
                    let customer = match self.customers.get(key) {
                        Some((known, _)) if known != invoice.customer().as_str() => {
                            return Err(collision(invoice.customer().as_str(), known));
                        }
                        Some((_, id)) => Some(*id),
                        None => None,
                    };
                    let customer = customer.ok_or_else(|| StoreError::NotFound {
                        what: format!(
                            "customer {} of invoice {}",
                            invoice.customer(),
                            invoice.number()
                        ),
                    })?;
                    Ok(InvoiceUpsert {
                        customer,
                        invoice,
                        row_hash: *row_hash,
                    })
                })
                .collect::<Result<Vec<_>, StoreError>>()?;
            tx.upsert_invoices(&upserts).await?;
        }
        Ok(())
    }
}
