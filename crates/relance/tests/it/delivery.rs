//! `relance dispatch` and `relance outbox` as a user runs them, against a real SMTP server on
//! loopback: a dispatcher that dies between a send and its record does not send that message
//! again (it becomes "delivery unknown" for a person to resolve) and the next one delivers the
//! rest; a second dispatch sends nothing. On SQLite and on PostgreSQL.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use test_support::sinks::SmtpSink;

use super::{json, relance};

const EXPORT: &str = "customer_ref,customer_name,invoice_number,issue_date,due_date,amount,outstanding,email\n\
    C1,Alpha SARL,F-1,2025-12-01,2026-01-05,1000.00,1000.00,compta@alpha.fr\n\
    C2,Bêta & Cie,F-2,2025-12-01,2026-01-05,250.00,250.00,factures@beta.fr\n\
    C3,Gamma SAS,F-3,2025-12-01,2026-01-05,99.90,99.90,paiements@gamma.fr\n";

fn books(directory: &Path, database_url: Option<&str>) -> PathBuf {
    let data = directory.join("data");
    let mut init = vec!["init", "--company", "Atelier Dupont"];
    if let Some(url) = database_url {
        init.extend(["--database-url", url]);
    }
    relance(&data, &init).success();
    let export = directory.join("export.csv");
    std::fs::write(&export, EXPORT).unwrap();
    relance(&data, &["import", "invoices", export.to_str().unwrap()]).success();
    relance(&data, &["run", "--date", "2026-01-06"]).success();
    data
}

/// `relance dispatch --now NOW` with the SMTP server's settings, and the test hook when asked.
fn dispatch(data: &Path, sink: &SmtpSink, now: &str, abort_after_send: bool) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_relance"));
    command
        .arg("--data-dir")
        .arg(data)
        .args(["--lang", "en", "dispatch", "--now", now])
        .env_remove("RELANCE_DATABASE_URL")
        .env_remove("RELANCE_TENANT")
        .env("RELANCE_SMTP_URL", sink.url())
        .env(
            "RELANCE_SMTP_FROM",
            "Atelier Dupont <compta@dupont.example>",
        )
        .env_remove("RELANCE_TEST_ABORT_AFTER_SEND");
    if abort_after_send {
        command.env("RELANCE_TEST_ABORT_AFTER_SEND", "1");
    }
    command.output().expect("the relance binary runs")
}

fn recipients(sink: &SmtpSink) -> Vec<String> {
    let mut to: Vec<String> = sink
        .received()
        .iter()
        .map(|mail| mail.header("to"))
        .collect();
    to.sort();
    to
}

#[tokio::test]
async fn a_crash_between_send_and_record_never_sends_twice_on_both_backends() {
    let directory = tempfile::tempdir().unwrap();
    crash_and_restart(&books(directory.path(), None));

    let Some(schema) = test_support::PostgresSchema::create().await else {
        return; // PostgreSQL is not configured for this run (CI always sets it).
    };
    let directory = tempfile::tempdir().unwrap();
    crash_and_restart(&books(directory.path(), Some(&schema.url)));
    schema.drop_schema().await;
}

fn crash_and_restart(data: &Path) {
    let sink = SmtpSink::start();
    // The dispatcher dies right after handing the first message over, before recording it.
    let crashed = dispatch(data, &sink, "2026-01-06T08:30:00Z", true);
    assert!(!crashed.status.success(), "the test hook did not stop it");
    let first = recipients(&sink);
    assert_eq!(first.len(), 1, "{first:?}");
    let sending = json(
        &relance(
            data,
            &["outbox", "list", "--status", "sending", "--format", "json"],
        )
        .success()
        .stdout(),
    );
    assert_eq!(sending.as_array().unwrap().len(), 1);
    let interrupted = sending[0]["id"].as_i64().unwrap();

    // Restarted once the interrupted send can no longer be in flight: that message is left
    // for a person, the others go.
    let restarted = dispatch(data, &sink, "2026-01-06T08:40:00Z", false);
    let said = String::from_utf8_lossy(&restarted.stdout).into_owned();
    assert!(restarted.status.success(), "{said}");
    assert!(
        said.contains(&format!("message {interrupted}: send interrupted")),
        "{said}"
    );
    assert_eq!(
        recipients(&sink),
        ["compta@alpha.fr", "factures@beta.fr", "paiements@gamma.fr"]
    );

    // Again: nothing more goes.
    let again = dispatch(data, &sink, "2026-01-06T09:00:00Z", false);
    assert!(again.status.success());
    assert_eq!(sink.received().len(), 3);

    let unknown = json(
        &relance(
            data,
            &[
                "outbox",
                "list",
                "--status",
                "delivery-unknown",
                "--format",
                "json",
            ],
        )
        .success()
        .stdout(),
    );
    assert_eq!(unknown.as_array().unwrap().len(), 1);
    assert_eq!(unknown[0]["id"].as_i64(), Some(interrupted));
    assert_eq!(unknown[0]["recipient"].as_str(), Some(first[0].as_str()));

    // The person checks with the customer and records it as sent.
    let resolved = relance(
        data,
        &[
            "--lang",
            "en",
            "outbox",
            "resolve",
            &interrupted.to_string(),
            "--sent",
        ],
    )
    .success();
    assert!(resolved.stdout().contains("recorded as sent"));
    let sent = json(
        &relance(
            data,
            &["outbox", "list", "--status", "sent", "--format", "json"],
        )
        .success()
        .stdout(),
    );
    assert_eq!(sent.as_array().unwrap().len(), 3);
    let actions = relance(
        data,
        &["actions", "list", "--status", "sent", "--format", "json"],
    )
    .success();
    assert_eq!(json(&actions.stdout()).as_array().unwrap().len(), 3);
    // A resolved message cannot be resolved again.
    let twice = relance(
        data,
        &["outbox", "resolve", &interrupted.to_string(), "--resend"],
    );
    assert_eq!(twice.code(), 1, "{}", twice.stderr());

    // Its content stays reachable.
    let shown = relance(
        data,
        &["--lang", "en", "outbox", "show", &interrupted.to_string()],
    )
    .success();
    assert!(
        shown.stdout().contains("Message-ID: <relance."),
        "{}",
        shown.stdout()
    );
}

#[test]
fn without_smtp_the_dispatcher_says_the_messages_wait() {
    let directory = tempfile::tempdir().unwrap();
    let data = books(directory.path(), None);
    let output = Command::new(env!("CARGO_BIN_EXE_relance"))
        .arg("--data-dir")
        .arg(&data)
        .args(["dispatch", "--now", "2026-01-06T08:30:00Z"])
        .env_remove("RELANCE_SMTP_URL")
        .env_remove("RELANCE_SMS_URL")
        .env_remove("RELANCE_SMS_PRESET")
        .env_remove("RELANCE_LANG")
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success());
    assert!(
        said.contains("3 e-mail(s) restent dans la file : aucun serveur SMTP n'est configuré"),
        "{said}"
    );
    let pending = json(
        &relance(
            &data,
            &["outbox", "list", "--status", "pending", "--format", "json"],
        )
        .success()
        .stdout(),
    );
    assert_eq!(pending.as_array().unwrap().len(), 3);

    // Saved with the creditor's settings instead: checked whole, passwords never shown.
    let sink = SmtpSink::start();
    let incomplete = relance(&data, &["delivery", "set", "--smtp-url", &sink.url()]);
    assert_eq!(incomplete.code(), 1);
    assert!(
        incomplete.stderr().contains("pas l'expéditeur"),
        "{}",
        incomplete.stderr()
    );
    let url = sink.url().replace("127.0.0.1", "relance:s3cret@127.0.0.1");
    let saved = relance(
        &data,
        &[
            "--lang",
            "en",
            "delivery",
            "set",
            "--smtp-url",
            &url,
            "--smtp-from",
            "Atelier Dupont <compta@dupont.example>",
        ],
    )
    .success();
    assert!(
        saved.stdout().contains("relance:***@127.0.0.1"),
        "{}",
        saved.stdout()
    );
    assert!(!saved.stdout().contains("s3cret"));
    // The sink asks for no login: keep the saved URL without one for the send.
    relance(&data, &["delivery", "set", "--smtp-url", &sink.url()]).success();
    let output = Command::new(env!("CARGO_BIN_EXE_relance"))
        .arg("--data-dir")
        .arg(&data)
        .args(["--lang", "en", "dispatch", "--now", "2026-01-06T08:30:00Z"])
        .env_remove("RELANCE_SMTP_URL")
        .env_remove("RELANCE_SMTP_FROM")
        .env_remove("RELANCE_SMS_URL")
        .env_remove("RELANCE_SMS_PRESET")
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&output.stdout);
    assert!(said.contains("3 sent"), "{said}");
    assert_eq!(sink.received().len(), 3);
    assert!(
        sink.received()
            .iter()
            .all(|mail| mail.header("from") == "Atelier Dupont <compta@dupont.example>")
    );
}

#[test]
fn the_registered_letter_list_and_the_call_tasks_from_the_command_line() {
    let directory = tempfile::tempdir().unwrap();
    let data = directory.path().join("data");
    relance(
        &data,
        &[
            "init",
            "--company",
            "Atelier Dupont",
            "--iban",
            "FR7630006000011234567890189",
        ],
    )
    .success();
    let export = directory.path().join("export.csv");
    std::fs::write(&export, EXPORT).unwrap();
    relance(&data, &["import", "invoices", export.to_str().unwrap()]).success();
    relance(
        &data,
        &[
            "customer",
            "set",
            "C2",
            "--address-line1",
            "4 rue Mercière",
            "--postal-code",
            "69002",
            "--city",
            "Lyon",
            "--phone",
            "+33478000000",
        ],
    )
    .success();
    relance(
        &data,
        &["simulate", "--from", "2026-01-06", "--to", "2026-02-10"],
    )
    .success();
    let waiting = json(
        &relance(
            &data,
            &[
                "actions",
                "list",
                "--customer",
                "C2",
                "--status",
                "awaiting_approval",
                "--format",
                "json",
            ],
        )
        .success()
        .stdout(),
    );
    let notice = waiting
        .as_array()
        .unwrap()
        .iter()
        .find(|action| action["channel"] == "registered_letter")
        .unwrap_or_else(|| panic!("no formal notice: {waiting}"));
    relance(
        &data,
        &[
            "actions",
            "approve",
            &notice["id"].as_i64().unwrap().to_string(),
        ],
    )
    .success();
    let day = notice["decided_on"].as_str().unwrap();

    let list = relance(
        &data,
        &[
            "--lang",
            "en",
            "letter",
            "--registered-list",
            day,
            "--format",
            "csv",
        ],
    )
    .success()
    .stdout();
    let mut lines = list.lines();
    assert_eq!(
        lines.next(),
        Some("recipient,address,reference,customer,pages,weight_g")
    );
    let row = lines.next().unwrap_or_else(|| panic!("{list}"));
    assert!(
        row.starts_with("Bêta & Cie,\"4 rue Mercière, 69002 Lyon"),
        "{row}"
    );
    assert!(row.contains(",RF"), "{row}");
    assert_eq!(lines.next(), None);

    let actions = json(
        &relance(
            &data,
            &["actions", "list", "--customer", "C2", "--format", "json"],
        )
        .success()
        .stdout(),
    );
    let call_day = actions
        .as_array()
        .unwrap()
        .iter()
        .find(|action| action["channel"] == "phone_task")
        .unwrap_or_else(|| panic!("no phone step: {actions}"))["decided_on"]
        .as_str()
        .unwrap()
        .to_owned();
    let calls = relance(&data, &["calls", "--date", &call_day])
        .success()
        .stdout();
    assert!(calls.contains("Bêta & Cie (C2) — +33478000000"), "{calls}");
    assert!(calls.contains("250,00"), "{calls}");
    assert!(calls.lines().count() > 10, "the script follows: {calls}");
}

fn toml_string(text: &str) -> String {
    serde_json::to_string(text).unwrap()
}

/// `relance demo` then `relance run` on a working day: the e-mails scheduled for that day.
fn demo_day(directory: &Path, database_url: Option<&str>) -> (PathBuf, usize) {
    let data = directory.join("data");
    if let Some(url) = database_url {
        // Later commands find the database where `relance init --database-url` records it.
        std::fs::create_dir_all(&data).unwrap();
        std::fs::write(
            data.join("relance.toml"),
            format!("database_url = {}\n", toml_string(url)),
        )
        .unwrap();
    }
    relance(&data, &["demo", "--as-of", "2026-03-03"]).success();
    relance(&data, &["run", "--date", "2026-03-03"]).success();
    let scheduled = json(
        &relance(
            &data,
            &[
                "actions",
                "list",
                "--date",
                "2026-03-03",
                "--status",
                "scheduled",
                "--format",
                "json",
            ],
        )
        .success()
        .stdout(),
    );
    let emails = scheduled
        .as_array()
        .unwrap()
        .iter()
        .filter(|action| action["channel"] == "email")
        .count();
    assert!(emails > 20, "{scheduled}");
    (data, emails)
}

#[tokio::test]
async fn the_demos_first_day_is_delivered_once_even_by_two_dispatchers_at_once() {
    let directory = tempfile::tempdir().unwrap();
    two_dispatchers(directory.path(), None);

    let Some(schema) = test_support::PostgresSchema::create().await else {
        return; // PostgreSQL is not configured for this run (CI always sets it).
    };
    let directory = tempfile::tempdir().unwrap();
    two_dispatchers(directory.path(), Some(&schema.url));
    schema.drop_schema().await;
}

fn two_dispatchers(directory: &Path, database_url: Option<&str>) {
    let (data, emails) = demo_day(directory, database_url);
    let sink = SmtpSink::start();
    let start = || {
        Command::new(env!("CARGO_BIN_EXE_relance"))
            .arg("--data-dir")
            .arg(&data)
            .args(["dispatch", "--now", "2026-03-03T10:30:00+01:00"])
            .env_remove("RELANCE_DATABASE_URL")
            .env_remove("RELANCE_TENANT")
            .env_remove("RELANCE_TEST_ABORT_AFTER_SEND")
            .env("RELANCE_SMTP_URL", sink.url())
            .env("RELANCE_SMTP_FROM", "Comptabilité <compta@demo.example>")
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("the relance binary starts")
    };
    let (mut first, mut second) = (start(), start());
    assert!(first.wait().unwrap().success());
    assert!(second.wait().unwrap().success());

    let received = sink.received();
    let mut ids: Vec<String> = received
        .iter()
        .map(|mail| mail.header("message_id"))
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), received.len(), "a message went twice");
    let sent = json(
        &relance(
            &data,
            &["outbox", "list", "--status", "sent", "--format", "json"],
        )
        .success()
        .stdout(),
    );
    assert_eq!(sent.as_array().unwrap().len(), received.len());
    let all = json(
        &relance(&data, &["outbox", "list", "--format", "json"])
            .success()
            .stdout(),
    );
    // Every e-mail of the day became one message, and every message left (the demo's
    // addresses are all accepted).
    assert_eq!(all.as_array().unwrap().len(), emails);
    assert_eq!(received.len(), emails);

    // A third dispatch sends nothing.
    let again = Command::new(env!("CARGO_BIN_EXE_relance"))
        .arg("--data-dir")
        .arg(&data)
        .args(["dispatch", "--now", "2026-03-03T11:00:00+01:00"])
        .env_remove("RELANCE_DATABASE_URL")
        .env("RELANCE_SMTP_URL", sink.url())
        .env("RELANCE_SMTP_FROM", "compta@demo.example")
        .output()
        .unwrap();
    assert!(again.status.success());
    assert_eq!(sink.received().len(), emails);
}
