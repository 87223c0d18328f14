//! `relance bench match`: bank-statement matching measured against the generator's answer key
//! (benchmark M1).
//!
//! Steps: generate a portfolio and import it; draw labelled credits over its open invoices
//! (`synthetic::labelled_bank_lines`) and write them as one camt.053 statement; import the
//! statement with Relance, end to end (parse, match, write the payments and the review queue),
//! timed; read back what each line became and compare with the answer key. In the same run, the
//! references: an exact-reference hash join (an invoice number written exactly as issued, or the
//! customer's RF reference and an invoice of exactly the amount) over the same lines, in memory;
//! and a matching pipeline in SQL run by DuckDB (`bench_match_duckdb.py`, through `python3`
//! with the PyPI package `duckdb`; when it cannot be imported the benchmark says so and goes
//! on). The three are printed side by side, scored against the same answer key.
//!
//! A line counts as right when the invoices it pays (or would pay) are exactly those of the
//! answer key. Precision is over auto-applied lines; recall is right auto-applied lines over
//! all lines; "suggested right" counts lines left for review whose suggestion is right.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::BufWriter;
use std::time::Instant;

use anyhow::{Context, bail};
use app::Store;
use app::clock::Clock;
use app::import::{ImportInput, ImportOptions, InvoiceFileFormat, NoProgress, import_invoices};
use app::setup::{initialise, select_tenant};
use clap::Args;
use domain::customer::Language;
use domain::identifiers::RfReference;
use synthetic::{LineKind, OpenInvoiceFact, PortfolioSpec};

use crate::bench_tools::{
    WorkDir, load_average, noisy_note, peak_rss_mib, remove_database, reset_peak_rss, rss_mib, say,
};

#[derive(Debug, Args)]
pub(crate) struct BenchMatchArgs {
    /// Bank credits to generate and match.
    #[arg(long, default_value_t = 10_000)]
    pub(crate) lines: usize,
    /// Invoices in the portfolio.
    #[arg(long, default_value_t = 100_000)]
    pub(crate) invoices: u64,
    #[arg(long, default_value_t = 1)]
    pub(crate) seed: u64,
    /// Where to put the generated files and database (default: a temporary directory).
    #[arg(long)]
    pub(crate) work_dir: Option<std::path::PathBuf>,
}

#[derive(Default, Clone, Copy)]
struct Score {
    lines: u64,
    applied: u64,
    applied_right: u64,
    suggested_right: u64,
}

impl Score {
    fn add(&mut self, applied: bool, right: bool) {
        self.lines += 1;
        if applied {
            self.applied += 1;
            if right {
                self.applied_right += 1;
            }
        } else if right {
            self.suggested_right += 1;
        }
    }

    fn row(&self, name: &str) -> String {
        let percent = |part: u64, whole: u64| {
            if whole == 0 {
                "—".to_owned()
            } else {
                format!("{:.2} %", part as f64 * 100.0 / whole as f64)
            }
        };
        format!(
            "  {name:<20} {:>7} lines  auto-applied {:>8}  precision {:>8}  recall {:>8}  suggested right {:>8}",
            self.lines,
            percent(self.applied, self.lines),
            percent(self.applied_right, self.applied),
            percent(self.applied_right, self.lines),
            percent(self.suggested_right, self.lines),
        )
    }
}

pub(crate) async fn run(args: &BenchMatchArgs) -> anyhow::Result<()> {
    let work_dir = WorkDir::new(args.work_dir.as_ref())?;
    let work_dir = work_dir.path();
    let load_1m = load_average();
    say(format!(
        "bench match: {} lines over {} invoices, seed {}, work dir {}\nload average at start: {load_1m:.2}{}",
        args.lines,
        args.invoices,
        args.seed,
        work_dir.display(),
        noisy_note(load_1m)
    ))?;

    // The portfolio.
    let as_of = jiff::civil::date(2026, 11, 20);
    let spec = PortfolioSpec::benchmark(args.seed, args.invoices, as_of);
    let csv_path = work_dir.join("invoices.csv");
    let file = std::fs::File::create(&csv_path)
        .with_context(|| format!("cannot create {}", csv_path.display()))?;
    synthetic::write_invoice_csv(&spec, BufWriter::with_capacity(1 << 20, file))?;
    let database = work_dir.join("relance.db");
    remove_database(&database);
    let store = Store::open_sqlite(&database).await?;
    initialise(&store, &synthetic::demo_creditor(), Clock::System).await?;
    let tenant = select_tenant(&store, None).await?;
    let started = Instant::now();
    import_invoices(
        &store,
        &tenant,
        ImportInput::Path(&csv_path),
        ImportOptions {
            format: InvoiceFileFormat::Csv,
            payment_term_days: None,
        },
        &NoProgress,
        Clock::System,
    )
    .await?;
    let open = app::payments::open_invoices(&store, &tenant).await?;
    say(format!(
        "portfolio imported in {:.2} s: {} open invoices",
        started.elapsed().as_secs_f64(),
        open.len()
    ))?;
    // The day's run first, as in books a creditor collects: the statement then pays customers
    // with reminders pending, which the import cancels (a never-run portfolio hid a lookup
    // that scanned every open invoice for each pending action).
    let started = Instant::now();
    let run = app::dunning::run_day(
        &store,
        &tenant,
        Clock::System,
        app::dunning::RunOptions {
            date: Some(as_of),
            dry_run: false,
            language: Language::English,
            detail: app::dunning::ReportDetail::CountsOnly,
        },
    )
    .await?;
    say(format!(
        "the day's run before the statement: {} actions decided in {:.2} s",
        run.actions_decided,
        started.elapsed().as_secs_f64()
    ))?;

    // The labelled lines, as a statement.
    let facts: Vec<OpenInvoiceFact> = open
        .iter()
        .map(|item| OpenInvoiceFact {
            number: item.number.clone(),
            customer: item.customer_ref.clone(),
            customer_name: item.customer_name.clone(),
            outstanding_minor: item.outstanding.minor(),
        })
        .collect();
    let lines = synthetic::labelled_bank_lines(args.seed, args.lines, &facts);
    if lines.len() < args.lines {
        say(format!(
            "note: only {} lines could be drawn (each invoice is paid by one line at most)",
            lines.len()
        ))?;
    }
    let statement = synthetic::write_camt053(&lines, "FR1420041010050500013M02606", "2026-11-20");
    let statement_path = work_dir.join("statement.xml");
    std::fs::write(&statement_path, &statement)?;

    // Where the time goes, measured apart (the import below does both again).
    let started = Instant::now();
    let parsed = formats::bank::read_bank_file(statement.as_bytes(), None, None)
        .map_err(|problems| anyhow::anyhow!("the statement was refused: {problems:?}"))?;
    let parse_time = started.elapsed();
    let started = Instant::now();
    let inputs = store.tenant(tenant.id).matching_inputs().await?;
    let read_time = started.elapsed();
    let started = Instant::now();
    let mut index = inputs.build();
    let settings = domain::matching::MatchSettings::default();
    for entry in parsed.entries() {
        let text = entry.remittance.text();
        let reference = entry
            .remittance
            .creditor_reference
            .as_ref()
            .map(|reference| reference.reference().to_owned());
        let proposal = index.match_line(
            &domain::matching::CreditLine {
                amount: entry.amount,
                counterparty_name: entry.counterparty.name.as_deref(),
                counterparty_account: None,
                remittance: &text,
                creditor_reference: reference.as_deref(),
            },
            &settings,
        );
        if proposal.apply {
            index.record_applied(&proposal);
        }
    }
    let match_time = started.elapsed();
    say(format!(
        "apart: parsing {} entries {:.3} s; reading {} open invoices and the customers {:.3} s; indexing and matching in memory {:.3} s",
        parsed.entries().count(),
        parse_time.as_secs_f64(),
        index.item_count(),
        read_time.as_secs_f64(),
        match_time.as_secs_f64()
    ))?;
    drop((parsed, index));

    // Relance, end to end.
    let held_mib = rss_mib();
    reset_peak_rss();
    let started = Instant::now();
    let report = app::payments::import_bank(
        &store,
        &tenant,
        Clock::System,
        statement.as_bytes(),
        "statement.xml",
        None,
        None,
        Language::English,
    )
    .await?;
    let elapsed = started.elapsed();
    let peak_mib = peak_rss_mib();
    if report.outcome.created as usize != lines.len() {
        bail!(
            "the import stored {} lines of {}",
            report.outcome.created,
            lines.len()
        );
    }
    say(format!(
        "relance import bank (parse, match, write): {:.3} s for {} lines ({:.0} lines/s); applied {}, queued {}, cases closed {}",
        elapsed.as_secs_f64(),
        lines.len(),
        lines.len() as f64 / elapsed.as_secs_f64(),
        report.outcome.applied,
        report.outcome.queued,
        report.outcome.cases_closed
    ))?;
    say(format!(
        "memory: peak RSS {peak_mib} MiB during the import, {held_mib} MiB of it held before by the benchmark (portfolio facts, lines, statement): the import's own peak about {} MiB (benchmark X2: 512 MiB; `/usr/bin/time -v relance import bank` measures it alone)",
        peak_mib.saturating_sub(held_mib)
    ))?;

    // What each line became.
    let number_of: HashMap<i64, &str> = open
        .iter()
        .map(|item| (item.invoice.0, item.number.as_str()))
        .collect();
    let stored = app::payments::bank_lines(&store, &tenant).await?;
    let mut by_kind: BTreeMap<LineKind, Score> = BTreeMap::new();
    let mut total = Score::default();
    let mut wrong = Vec::new();
    for (line, record) in lines.iter().zip(&stored) {
        let paid: HashSet<&str> = record
            .suggestion
            .iter()
            .filter_map(|(invoice, _)| number_of.get(&invoice.0).copied())
            .collect();
        let expected: HashSet<&str> = line.invoices.iter().map(String::as_str).collect();
        let right = paid == expected;
        let applied = record.state == "auto_applied";
        if applied && !right && wrong.len() < 5 {
            let mut paid: Vec<&str> = paid.into_iter().collect();
            paid.sort_unstable();
            wrong.push(format!(
                "    line {} ({}): paid {paid:?}, answer {:?}; {}",
                record.id,
                line.kind.code(),
                line.invoices,
                record.explanation_en
            ));
        }
        by_kind.entry(line.kind).or_default().add(applied, right);
        total.add(applied, right);
    }
    say("relance matcher against the answer key:")?;
    for (kind, score) in &by_kind {
        say(score.row(kind.code()))?;
    }
    say(total.row("all"))?;
    if !wrong.is_empty() {
        say("  wrong auto-applied matches (first five):")?;
        for example in &wrong {
            say(example)?;
        }
    }

    // The reference: an exact-reference hash join over the same lines.
    let started = Instant::now();
    let by_number: HashMap<&str, &app::payments::OpenInvoiceView> = open
        .iter()
        .map(|item| (item.number.as_str(), item))
        .collect();
    let mut by_rf: HashMap<String, Vec<&app::payments::OpenInvoiceView>> = HashMap::new();
    for item in &open {
        by_rf
            .entry(
                RfReference::for_customer(&item.customer_ref)
                    .as_str()
                    .to_owned(),
            )
            .or_default()
            .push(item);
    }
    let mut reference_total = Score::default();
    let mut reference_by_kind: BTreeMap<LineKind, Score> = BTreeMap::new();
    for line in &lines {
        let mut paid: HashSet<&str> = HashSet::new();
        for token in line.remittance.split_whitespace() {
            if let Some(item) = by_number.get(token) {
                paid.insert(item.number.as_str());
            }
        }
        if paid.is_empty()
            && let Some(items) = line
                .creditor_reference
                .as_ref()
                .and_then(|rf| by_rf.get(rf))
        {
            // The customer's invoice of exactly the amount, when there is one.
            if let Some(item) = items
                .iter()
                .find(|item| item.outstanding.minor() == line.amount_minor)
            {
                paid.insert(item.number.as_str());
            }
        }
        let expected: HashSet<&str> = line.invoices.iter().map(String::as_str).collect();
        let applied = !paid.is_empty();
        let right = applied && paid == expected;
        reference_total.add(applied, right);
        reference_by_kind
            .entry(line.kind)
            .or_default()
            .add(applied, right);
    }
    let reference_time = started.elapsed();
    say(format!(
        "reference: exact-reference hash join (in memory, no parsing, no writing): {:.3} s",
        reference_time.as_secs_f64()
    ))?;
    for (kind, score) in &reference_by_kind {
        say(score.row(kind.code()))?;
    }
    say(reference_total.row("all"))?;

    let duckdb = duckdb_reference(work_dir, &open, &lines)?;
    say("side by side (same lines, same answer key):")?;
    say(format!(
        "{}  time {:.3} s (parse, match, write)",
        total.row("relance"),
        elapsed.as_secs_f64()
    ))?;
    say(format!(
        "{}  time {:.3} s (in memory)",
        reference_total.row("hash join"),
        reference_time.as_secs_f64()
    ))?;
    if let Some(duckdb) = duckdb {
        say(format!(
            "{}  time {:.3} s (SQL pipeline; {:.3} s with loading, {:.3} s with Python)",
            duckdb.score.row("duckdb sql"),
            duckdb.match_seconds,
            duckdb.load_seconds + duckdb.match_seconds,
            duckdb.process.as_secs_f64()
        ))?;
    }
    Ok(())
}

/// What the DuckDB pipeline did.
struct DuckdbRun {
    score: Score,
    load_seconds: f64,
    match_seconds: f64,
    /// The Python process, start to end.
    process: std::time::Duration,
}

const DUCKDB_SCRIPT: &str = include_str!("bench_match_duckdb.py");

/// The reference in SQL: the same lines matched by a pipeline DuckDB runs (see the script).
/// DuckDB comes from PyPI and only this benchmark uses it: without it, the benchmark says so
/// and goes on.
fn duckdb_reference(
    work_dir: &std::path::Path,
    open: &[app::payments::OpenInvoiceView],
    lines: &[synthetic::LabelledLine],
) -> anyhow::Result<Option<DuckdbRun>> {
    let available = std::process::Command::new("python3")
        .args(["-c", "import duckdb"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|status| status.success());
    if !available {
        say(
            "reference: DuckDB SQL pipeline skipped: python3 cannot import duckdb (`pip install duckdb` to run it)",
        )?;
        return Ok(None);
    }
    let quoted = |text: &str| format!("\"{}\"", text.replace('"', "\"\""));
    let mut invoices = String::from("number,customer,name,rf,outstanding\n");
    let mut rf_of: HashMap<&str, String> = HashMap::new();
    for item in open {
        let rf = rf_of.entry(item.customer_ref.as_str()).or_insert_with(|| {
            RfReference::for_customer(&item.customer_ref)
                .as_str()
                .to_owned()
        });
        invoices.push_str(&format!(
            "{},{},{},{},{}\n",
            quoted(&item.number),
            quoted(&item.customer_ref),
            quoted(&item.customer_name),
            quoted(rf),
            item.outstanding.minor()
        ));
    }
    std::fs::write(work_dir.join("invoices.csv"), invoices)?;
    let mut text = String::from("line,amount,payer,remittance,rf\n");
    for (index, line) in lines.iter().enumerate() {
        text.push_str(&format!(
            "{index},{},{},{},{}\n",
            line.amount_minor,
            quoted(line.payer_name.as_deref().unwrap_or("")),
            quoted(&line.remittance),
            quoted(line.creditor_reference.as_deref().unwrap_or(""))
        ));
    }
    std::fs::write(work_dir.join("lines.csv"), text)?;
    let script = work_dir.join("bench_match_duckdb.py");
    std::fs::write(&script, DUCKDB_SCRIPT)?;
    let started = Instant::now();
    let output = std::process::Command::new("python3")
        .arg(&script)
        .arg(work_dir)
        .output()
        .context("cannot run python3")?;
    let process = started.elapsed();
    if !output.status.success() {
        bail!(
            "the DuckDB pipeline failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let report = String::from_utf8_lossy(&output.stdout);
    let seconds = |key: &str| -> f64 {
        report
            .lines()
            .find_map(|line| line.strip_prefix(key))
            .and_then(|value| value.trim().parse().ok())
            .unwrap_or(f64::NAN)
    };
    let matches = std::fs::read_to_string(work_dir.join("duckdb_matches.csv"))?;
    let mut found: HashMap<usize, (bool, HashSet<&str>)> = HashMap::new();
    for row in matches.lines().skip(1) {
        let mut fields = row.splitn(3, ',');
        let (Some(line), Some(applied), Some(numbers)) =
            (fields.next(), fields.next(), fields.next())
        else {
            bail!("duckdb_matches.csv: unreadable row {row:?}");
        };
        found.insert(
            line.parse()
                .with_context(|| format!("duckdb_matches.csv: {row:?}"))?,
            (
                applied == "true",
                numbers
                    .trim_matches('"')
                    .split('|')
                    .filter(|n| !n.is_empty())
                    .collect(),
            ),
        );
    }
    let mut by_kind: BTreeMap<LineKind, Score> = BTreeMap::new();
    let mut score = Score::default();
    for (index, line) in lines.iter().enumerate() {
        let expected: HashSet<&str> = line.invoices.iter().map(String::as_str).collect();
        let (applied, right) = match found.get(&index) {
            Some((applied, paid)) => (*applied, *paid == expected),
            None => (false, false),
        };
        score.add(applied, right);
        by_kind.entry(line.kind).or_default().add(applied, right);
    }
    say(format!(
        "reference: DuckDB SQL pipeline (numbers in the text, RF reference, amount and name): {:.3} s loading, {:.3} s matching",
        seconds("load_seconds"),
        seconds("match_seconds")
    ))?;
    for (kind, kind_score) in &by_kind {
        say(kind_score.row(kind.code()))?;
    }
    say(score.row("all"))?;
    Ok(Some(DuckdbRun {
        score,
        load_seconds: seconds("load_seconds"),
        match_seconds: seconds("match_seconds"),
        process,
    }))
}
