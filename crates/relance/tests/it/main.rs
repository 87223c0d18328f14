//! The real `relance` binary in a temporary data directory, as a user runs it.

mod audit;
mod bench_run;
mod customer;
mod delivery;
mod late_payment;
mod payments;
mod serve;
mod templates;

use std::path::Path;
use std::process::{Command, Output};

struct Run {
    output: Output,
}

impl Run {
    fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.output.stdout).into_owned()
    }

    fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).into_owned()
    }

    fn code(&self) -> i32 {
        self.output.status.code().unwrap_or(-1)
    }

    fn success(self) -> Run {
        assert!(
            self.output.status.success(),
            "exit {}\nstdout:\n{}\nstderr:\n{}",
            self.code(),
            self.stdout(),
            self.stderr()
        );
        self
    }
}

fn relance(data_dir: &Path, args: &[&str]) -> Run {
    relance_with(data_dir, args, &[])
}

/// `relance` with these environment variables set (and none of the ones that would choose
/// another database, language or creditor).
fn relance_with(data_dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_relance"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .env_remove("RELANCE_DATABASE_URL")
        .env_remove("RELANCE_LANG")
        .env_remove("RELANCE_TENANT")
        .envs(env.iter().copied())
        .output()
        .expect("the relance binary runs");
    Run { output }
}

/// Standard output read as JSON, or a failure that shows it.
fn json(stdout: &str) -> serde_json::Value {
    serde_json::from_str(stdout).unwrap_or_else(|error| panic!("{error}: {stdout}"))
}

const EXPORT: &str = "customer_ref,customer_name,invoice_number,issue_date,due_date,amount,outstanding\n\
C1,Alpha SARL,F-1,2026-09-01,2026-10-01,1000.00,1000.00\n\
C1,Alpha SARL,F-2,2026-10-01,2026-11-30,250.00,250.00\n\
C2,Beta SAS,F-3,2026-06-01,2026-07-01,99.90,0.00\n";

#[test]
fn init_import_list_and_age_from_the_command_line() {
    let directory = tempfile::tempdir().unwrap();
    let data = directory.path().join("data");
    let init = relance(
        &data,
        &[
            "init",
            "--company",
            "Atelier Dupont SARL",
            "--siren",
            "732829320",
        ],
    )
    .success();
    assert!(init.stdout().contains("Atelier Dupont SARL"));
    assert!(data.join("relance.db").exists());

    let file = directory.path().join("export.csv");
    std::fs::write(&file, EXPORT).unwrap();
    let import = relance(&data, &["import", "invoices", file.to_str().unwrap()]).success();
    assert!(import.stdout().contains("3 créées"), "{}", import.stdout());
    let again = relance(
        &data,
        &["--lang", "en", "import", "invoices", file.to_str().unwrap()],
    )
    .success();
    assert!(
        again.stdout().contains("identical to the last import"),
        "{}",
        again.stdout()
    );

    let customers = relance(&data, &["customers", "list", "--format", "json"]).success();
    let customers: serde_json::Value = serde_json::from_str(&customers.stdout()).unwrap();
    assert_eq!(customers[0]["customer_ref"], "C1");
    assert_eq!(customers[0]["outstanding"], "1250.00");

    let overdue = relance(
        &data,
        &[
            "invoices",
            "list",
            "--overdue",
            "--as-of",
            "2026-11-20",
            "--format",
            "csv",
        ],
    )
    .success();
    assert_eq!(
        overdue.stdout().lines().count(),
        2,
        "header and F-1: {}",
        overdue.stdout()
    );
    assert!(
        overdue
            .stdout()
            .contains("F-1,C1,Alpha SARL,2026-09-01,2026-10-01,1000.00,1000.00,EUR")
    );

    let aging = relance(
        &data,
        &[
            "report",
            "aging",
            "--as-of",
            "2026-11-20",
            "--format",
            "json",
        ],
    )
    .success();
    let aging: serde_json::Value = serde_json::from_str(&aging.stdout()).unwrap();
    assert_eq!(aging["as_of"], "2026-11-20");
    assert_eq!(aging["currency"], "EUR");
    assert_eq!(aging["total"], "1250.00");
    assert_eq!(
        aging["buckets"][0],
        serde_json::json!({"label": "not_due", "amount": "250.00"})
    );
    assert_eq!(
        aging["buckets"][2],
        serde_json::json!({"label": "31-60", "amount": "1000.00"})
    );
    assert_eq!(aging["customers"][0]["customer_ref"], "C1");
    assert_eq!(
        aging["customers"][0]["buckets"].as_array().unwrap().len(),
        5
    );

    let table = relance(&data, &["report", "aging", "--as-of", "2026-11-20"]).success();
    assert!(table.stdout().contains("Balance âgée au 2026-11-20"));
    assert!(
        table.stdout().contains("1\u{202f}250,00"),
        "{}",
        table.stdout()
    );
}

#[test]
fn a_rejected_file_exits_3_and_names_line_and_column() {
    let directory = tempfile::tempdir().unwrap();
    let data = directory.path().join("data");
    relance(&data, &["init", "--company", "Atelier"]).success();
    let file = directory.path().join("bad.csv");
    std::fs::write(
        &file,
        EXPORT.replace("2026-10-01,1000.00", "2026-10-01,mille"),
    )
    .unwrap();
    let run = relance(&data, &["import", "invoices", file.to_str().unwrap()]);
    assert_eq!(run.code(), 3);
    assert!(
        run.stderr().contains("rien n'a été importé"),
        "{}",
        run.stderr()
    );
    assert!(run.stderr().contains("ligne 2"), "{}", run.stderr());
    let english = relance(
        &data,
        &["--lang", "en", "import", "invoices", file.to_str().unwrap()],
    );
    assert!(english.stderr().contains("line 2"), "{}", english.stderr());
    let customers = relance(&data, &["customers", "list", "--format", "json"]).success();
    assert_eq!(customers.stdout().trim(), "[]");
}

#[test]
fn several_creditors_share_a_database_and_commands_ask_which_one() {
    let directory = tempfile::tempdir().unwrap();
    let data = directory.path().join("data");
    relance(&data, &["init", "--company", "Client Un"]).success();
    let again = relance(&data, &["init", "--company", "Client Deux"]);
    assert_eq!(again.code(), 1);
    assert!(
        again.stderr().contains("--add-creditor"),
        "{}",
        again.stderr()
    );
    relance(
        &data,
        &["init", "--company", "Client Deux", "--add-creditor"],
    )
    .success();

    let file = directory.path().join("export.csv");
    std::fs::write(&file, EXPORT).unwrap();
    let ambiguous = relance(&data, &["import", "invoices", file.to_str().unwrap()]);
    assert_eq!(ambiguous.code(), 1);
    assert!(
        ambiguous
            .stderr()
            .contains("1 = Client Un, 2 = Client Deux"),
        "{}",
        ambiguous.stderr()
    );
    relance(
        &data,
        &[
            "--tenant",
            "2",
            "import",
            "invoices",
            file.to_str().unwrap(),
        ],
    )
    .success();
    let second = relance(
        &data,
        &["--tenant", "2", "customers", "list", "--format", "json"],
    )
    .success();
    assert!(second.stdout().contains("Alpha SARL"));
    let first = relance(
        &data,
        &["--tenant", "1", "customers", "list", "--format", "json"],
    )
    .success();
    assert_eq!(first.stdout().trim(), "[]");
}

#[test]
fn commands_before_init_say_what_to_do() {
    let directory = tempfile::tempdir().unwrap();
    let run = relance(&directory.path().join("nothing"), &["report", "aging"]);
    assert_eq!(run.code(), 1);
    assert!(run.stderr().contains("relance init"), "{}", run.stderr());
}

#[test]
fn the_demo_prints_what_it_created_and_what_to_try() {
    let directory = tempfile::tempdir().unwrap();
    let data = directory.path().join("data");
    let run = relance(&data, &["demo", "--seed", "3", "--as-of", "2026-11-20"]).success();
    let stdout = run.stdout();
    assert!(stdout.contains(" clients / 3000 factures"), "{stdout}");
    assert!(stdout.contains("relance report aging"), "{stdout}");
    let aging = relance(
        &data,
        &[
            "report",
            "aging",
            "--as-of",
            "2026-11-20",
            "--format",
            "json",
        ],
    )
    .success();
    let aging: serde_json::Value = serde_json::from_str(&aging.stdout()).unwrap();
    assert!(aging["customers"].as_array().unwrap().len() > 50);
}

#[tokio::test]
async fn init_with_a_postgres_url_keeps_using_postgres() {
    let Some(schema) = test_support::PostgresSchema::create().await else {
        return; // PostgreSQL is not configured for this run (CI always sets it).
    };
    let directory = tempfile::tempdir().unwrap();
    let data = directory.path().join("data");
    relance(
        &data,
        &[
            "init",
            "--company",
            "Agence Nord",
            "--database-url",
            &schema.url,
        ],
    )
    .success();
    assert!(
        !data.join("relance.db").exists(),
        "no SQLite file when PostgreSQL is chosen"
    );
    let config = std::fs::read_to_string(data.join("relance.toml")).unwrap();
    assert!(config.contains("postgres://"));

    let file = directory.path().join("export.csv");
    std::fs::write(&file, EXPORT).unwrap();
    relance(&data, &["import", "invoices", file.to_str().unwrap()]).success();
    let aging = relance(
        &data,
        &[
            "report",
            "aging",
            "--as-of",
            "2026-11-20",
            "--format",
            "json",
        ],
    )
    .success();
    let aging: serde_json::Value = serde_json::from_str(&aging.stdout()).unwrap();
    assert_eq!(aging["total"], "1250.00");
    schema.drop_schema().await;
}

#[test]
fn the_daily_run_from_the_command_line_records_once_and_explains() {
    let directory = tempfile::tempdir().unwrap();
    let data = directory.path().join("data");
    relance(&data, &["init", "--company", "Atelier Dupont"]).success();
    let export = directory.path().join("export.csv");
    let with_emails = "customer_ref,customer_name,invoice_number,issue_date,due_date,amount,outstanding,email\n\
                       C1,Alpha SARL,F-1,2026-09-01,2026-10-01,1000.00,1000.00,compta@alpha.fr\n\
                       C1,Alpha SARL,F-2,2026-10-01,2026-11-30,250.00,250.00,compta@alpha.fr\n\
                       C2,Beta SAS,F-3,2026-06-01,2026-07-01,99.90,0.00,compta@beta.fr\n";
    std::fs::write(&export, with_emails).unwrap();
    relance(&data, &["import", "invoices", export.to_str().unwrap()]).success();

    let dry = relance(
        &data,
        &[
            "run",
            "--date",
            "2026-11-24",
            "--dry-run",
            "--format",
            "json",
        ],
    )
    .success();
    let dry: serde_json::Value = serde_json::from_str(&dry.stdout()).unwrap();
    assert_eq!(dry["rows_written"], 0);
    assert_eq!(dry["actions"], 1);

    let first = relance(&data, &["--lang", "en", "run", "--date", "2026-11-24"]).success();
    assert!(
        first.stdout().contains("1 action(s) decided"),
        "{}",
        first.stdout()
    );
    let again = relance(&data, &["run", "--date", "2026-11-24", "--format", "json"]).success();
    let again: serde_json::Value = serde_json::from_str(&again.stdout()).unwrap();
    assert_eq!(again["rows_written"], 0);

    let actions = relance(&data, &["actions", "list", "--format", "json"]).success();
    let actions: serde_json::Value = serde_json::from_str(&actions.stdout()).unwrap();
    let action = &actions[0];
    assert_eq!(action["customer_ref"], "C1");
    assert_eq!(action["invoice_numbers"], serde_json::json!(["F-1"]));
    assert_eq!(action["step"], "first_reminder");
    assert_eq!(action["channel"], "email");
    assert_eq!(action["tone"], "courteous");
    assert_eq!(action["status"], "scheduled");
    assert_eq!(action["scheduled_at"], "2026-11-24T09:00:00+01:00");
    // Decided by a run in English, explained in the reader's language.
    assert!(
        action["explanation"]
            .as_str()
            .unwrap()
            .starts_with("J+1, étape « first_reminder » (échéance dépassée de 54 j)"),
        "{action}"
    );
    let english = relance(
        &data,
        &["--lang", "en", "actions", "list", "--format", "json"],
    )
    .success();
    let english: serde_json::Value = serde_json::from_str(&english.stdout()).unwrap();
    assert!(
        english[0]["explanation"]
            .as_str()
            .unwrap()
            .starts_with("J+1, step 'first_reminder' (54 days past due)"),
        "{english}"
    );

    let file = relance(&data, &["customer", "show", "C1"]).success();
    assert!(
        file.stdout().contains("first_reminder"),
        "{}",
        file.stdout()
    );
    assert!(file.stdout().contains("2026-10-01"));

    let next_day = relance(
        &data,
        &["--lang", "en", "run", "--date", "2026-12-01", "--summary"],
    )
    .success();
    assert_eq!(
        next_day.stdout().trim(),
        "2026-12-01: 1 customer(s) examined, 1 action(s) decided, 2 row(s) written",
        "a scheduled run prints its counts, not each decision"
    );
}

#[test]
fn a_scenario_file_is_shown_edited_and_refused_with_its_line_when_wrong() {
    let directory = tempfile::tempdir().unwrap();
    let data = directory.path().join("data");
    relance(&data, &["init", "--company", "Atelier Dupont"]).success();
    let shown = relance(&data, &["scenario", "show", "b2b-fr"])
        .success()
        .stdout();
    let hasty = shown
        .replace("name = \"b2b-fr\"", "name = \"hasty\"")
        .replace("offset_days = 45", "offset_days = 20");
    let file = directory.path().join("hasty.toml");
    std::fs::write(&file, hasty).unwrap();
    let refused = relance(&data, &["scenario", "import", file.to_str().unwrap()]);
    assert_ne!(refused.code(), 0);
    assert!(refused.stderr().contains("ligne"), "{}", refused.stderr());
    assert!(
        refused.stderr().contains("offset_days"),
        "{}",
        refused.stderr()
    );

    let missing = relance(
        &data,
        &[
            "promise",
            "add",
            "--customer",
            "NOPE",
            "--amount",
            "10",
            "--date",
            "2030-01-01",
        ],
    );
    assert_ne!(missing.code(), 0);
    assert!(missing.stderr().contains("NOPE"), "{}", missing.stderr());
}
