//! The command line's changes in the audit log: each changing command, and each reading of a
//! customer's file, is an entry by the system user, through the command line; readings of lists
//! and reports, dry runs and failed commands are not.

use std::path::Path;

use crate::{EXPORT, Run, json, relance_with};

/// `relance` as the system user `camille` runs it.
fn relance_as(data_dir: &Path, args: &[&str]) -> Run {
    relance_with(data_dir, args, &[("RELANCE_USER", "camille")])
}

/// The log's entries, newest first, as (who, via, what, customer, record).
fn log(data: &Path, tenant: &str) -> Vec<(String, String, String, String, String)> {
    let listed = relance_as(
        data,
        &["--tenant", tenant, "audit", "list", "--format", "json"],
    )
    .success();
    let text = |value: &serde_json::Value| value.as_str().unwrap_or_default().to_owned();
    json(&listed.stdout())["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| {
            (
                text(&entry["actor"]),
                text(&entry["via"]),
                text(&entry["action"]),
                text(&entry["customer"]),
                text(&entry["record"]),
            )
        })
        .collect()
}

#[test]
fn the_command_lines_changes_and_file_readings_are_in_the_audit_log_with_their_author() {
    let directory = tempfile::tempdir().unwrap();
    let data = directory.path().join("data");
    let file = directory.path().join("export.csv");
    std::fs::write(&file, EXPORT).unwrap();
    let path = file.to_str().unwrap();
    relance_as(&data, &["init", "--company", "Atelier Dupont SARL"]).success();
    relance_as(&data, &["import", "invoices", path]).success();
    let promise = |amount: &str| {
        relance_as(
            &data,
            &[
                "promise",
                "add",
                "--customer",
                "C1",
                "--amount",
                amount,
                "--date",
                "2026-12-15",
            ],
        )
    };
    promise("500.00").success();
    // A refused command changed nothing: no entry.
    let refused = promise("cinq");
    assert_ne!(refused.code(), 0);
    // Readings of lists and reports, and a dry run: no entry.
    relance_as(&data, &["customers", "list"]).success();
    relance_as(&data, &["report", "aging", "--as-of", "2026-11-20"]).success();
    relance_as(&data, &["actions", "list"]).success();
    relance_as(&data, &["run", "--date", "2026-11-20", "--dry-run"]).success();
    // A customer's file read is recorded, as on the web.
    relance_as(&data, &["customer", "show", "C1"]).success();
    relance_as(
        &data,
        &[
            "hold",
            "--customer",
            "C2",
            "--until",
            "2026-12-31",
            "--reason",
            "litige",
        ],
    )
    .success();

    let entries = log(&data, "1");
    let entry = |what: &str, customer: &str| {
        (
            "camille".to_owned(),
            "cli".to_owned(),
            what.to_owned(),
            customer.to_owned(),
            String::new(),
        )
    };
    assert_eq!(
        entries,
        [
            entry("hold", "C2"),
            entry("customer show", "C1"),
            entry("promise add", "C1"),
            entry("import invoices", ""),
            entry("init", ""),
        ]
    );
    let by_customer = relance_as(
        &data,
        &["audit", "list", "--customer", "C1", "--format", "json"],
    )
    .success();
    assert_eq!(json(&by_customer.stdout())["total"], 2);
}

#[test]
fn a_second_creditors_commands_go_to_its_own_log_and_roles_are_given_to_existing_accounts_only() {
    let directory = tempfile::tempdir().unwrap();
    let data = directory.path().join("data");
    relance_as(&data, &["init", "--company", "Agence SARL"]).success();
    let added = relance_as(&data, &["init", "--company", "Client SA", "--add-creditor"]).success();
    assert!(
        added.stdout().contains("créancier n° 2"),
        "{}",
        added.stdout()
    );
    relance_as(
        &data,
        &["--tenant", "2", "portal", "settings", "--link-days", "30"],
    )
    .success();
    // No account has this e-mail: said in French, nothing recorded.
    let unknown = relance_as(
        &data,
        &[
            "--tenant",
            "2",
            "user",
            "grant",
            "--email",
            "agent@agence.example",
            "--role",
            "viewer",
        ],
    );
    assert_ne!(unknown.code(), 0);
    assert!(
        unknown.stderr().contains("aucun compte n'a l'adresse"),
        "{}",
        unknown.stderr()
    );
    let actions = |tenant| {
        log(&data, tenant)
            .into_iter()
            .map(|(_, _, what, _, _)| what)
            .collect::<Vec<_>>()
    };
    assert_eq!(actions("1"), ["init"]);
    assert_eq!(actions("2"), ["portal settings", "init"]);
}

#[test]
fn an_existing_account_is_given_a_role_on_another_creditor_from_the_command_line() {
    let directory = tempfile::tempdir().unwrap();
    let data = directory.path().join("data");
    // The demo's administrator is an account of the first creditor.
    drop(crate::serve::serve(&data, &["--demo"]));
    relance_as(&data, &["init", "--company", "Client SA", "--add-creditor"]).success();
    let granted = relance_as(
        &data,
        &[
            "--tenant",
            "2",
            "user",
            "grant",
            "--email",
            "Admin@Demo.relance.fr",
            "--role",
            "viewer",
        ],
    )
    .success();
    assert!(
        granted
            .stdout()
            .contains("Rôle donné : admin@demo.relance.fr → Client SA (viewer)"),
        "{}",
        granted.stdout()
    );
    let members = |tenant| {
        let listed = relance_as(
            &data,
            &["--tenant", tenant, "user", "list", "--format", "json"],
        )
        .success();
        json(&listed.stdout())
    };
    assert_eq!(members("2")[0]["email"], "admin@demo.relance.fr");
    assert_eq!(members("2")[0]["role"], "viewer");
    assert_eq!(members("1")[0]["role"], "admin", "its role at home is kept");
    let entries = log(&data, "2");
    assert_eq!(entries[0].2, "user grant");
    assert_eq!(entries[0].0, "camille");
}
