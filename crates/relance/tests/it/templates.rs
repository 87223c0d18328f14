//! `relance template …` and `relance letter` as a user types them: show gives the file edit
//! takes back, a broken edit is refused with its line and column (exit 3), a preview writes
//! its PDF; on SQLite and on PostgreSQL.

use std::path::{Path, PathBuf};

use super::relance;

const EXPORT: &str = "customer_ref,customer_name,invoice_number,issue_date,due_date,amount,outstanding,email\n\
    C1,Alpha SARL,F-1,2026-01-10,2026-02-09,1000.00,1000.00,compta@alpha.fr\n";

/// A data directory with one overdue customer, on SQLite or on the PostgreSQL URL given.
fn books(directory: &Path, database_url: Option<&str>) -> PathBuf {
    let data = directory.join("data");
    let mut init = vec![
        "init",
        "--company",
        "Atelier Dupont",
        "--iban",
        "FR7630006000011234567890189",
    ];
    if let Some(url) = database_url {
        init.extend(["--database-url", url]);
    }
    relance(&data, &init).success();
    let export = directory.join("export.csv");
    std::fs::write(&export, EXPORT).unwrap();
    relance(&data, &["import", "invoices", export.to_str().unwrap()]).success();
    data
}

#[tokio::test]
async fn show_edit_preview_and_reset_a_template_on_both_backends() {
    let directory = tempfile::tempdir().unwrap();
    show_edit_preview_and_reset(directory.path(), &books(directory.path(), None));

    let Some(schema) = test_support::PostgresSchema::create().await else {
        return; // PostgreSQL is not configured for this run (CI always sets it).
    };
    let directory = tempfile::tempdir().unwrap();
    show_edit_preview_and_reset(
        directory.path(),
        &books(directory.path(), Some(&schema.url)),
    );
    schema.drop_schema().await;
}

fn show_edit_preview_and_reset(directory: &Path, data: &Path) {
    let list = relance(data, &["template", "list"]).success();
    assert!(list.stdout().contains("formal_notice"), "{}", list.stdout());

    // What show prints, edit takes back unchanged.
    let shown = relance(
        data,
        &["template", "show", "second_reminder", "--lang", "en"],
    )
    .success();
    assert!(
        shown
            .stdout()
            .starts_with("=== subject ===\nSecond reminder")
    );
    let file = directory.join("second.txt");
    std::fs::write(&file, shown.stdout().replace("Hello,", "Good morning,")).unwrap();
    let edit = relance(
        data,
        &[
            "template",
            "edit",
            "second_reminder",
            "--file",
            file.to_str().unwrap(),
            "--lang",
            "en",
        ],
    )
    .success();
    assert!(edit.stdout().contains("saved"), "{}", edit.stdout());
    let listed = relance(data, &["template", "list", "--format", "json"]).success();
    let listed: serde_json::Value = serde_json::from_str(&listed.stdout()).unwrap();
    let second = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|template| template["key"] == "second_reminder")
        .unwrap();
    assert_eq!(second["edited"], serde_json::json!(["en"]));
    assert_eq!(second["sms"], serde_json::json!(true));

    // A typo is refused with where it is; nothing is saved.
    std::fs::write(
        &file,
        "=== subject ===\nRappel\n=== text ===\nBonjour {{ customer.nmae }},\n",
    )
    .unwrap();
    let refused = relance(
        data,
        &[
            "template",
            "edit",
            "first_reminder",
            "--file",
            file.to_str().unwrap(),
        ],
    );
    assert_eq!(refused.code(), 3, "{}", refused.stderr());
    assert!(
        refused.stderr().contains("ligne 4, colonne 12 : variable inconnue customer.nmae (vouliez-vous dire customer.name ?)"),
        "{}",
        refused.stderr()
    );
    let still = relance(data, &["template", "show", "first_reminder"]).success();
    assert!(still.stdout().contains("Sauf erreur de notre part"));

    // A preview with the customer's data, as text and as a PDF letter.
    let pdf = directory.join("preview.pdf");
    let preview = relance(
        data,
        &[
            "template",
            "preview",
            "second_reminder",
            "--lang",
            "en",
            "--customer",
            "C1",
            "--date",
            "2026-03-02",
            "--pdf",
            pdf.to_str().unwrap(),
        ],
    )
    .success();
    assert!(
        preview.stdout().contains("Good morning,"),
        "{}",
        preview.stdout()
    );
    assert!(
        preview.stdout().contains("Invoice F-1"),
        "{}",
        preview.stdout()
    );
    assert!(preview.stdout().contains("SMS ("), "{}", preview.stdout());
    assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF-"));

    let reset = relance(data, &["template", "reset", "second_reminder"]).success();
    assert!(reset.stdout().contains("1 version"), "{}", reset.stdout());
    let variables = relance(data, &["template", "show", "--variables"]).success();
    assert!(variables.stdout().contains("statement.due"));

    // A letter needs an action or --batch; an unknown one is said in the chosen language.
    let missing = relance(data, &["letter", "--out", "x.pdf"]);
    assert_eq!(missing.code(), 2);
    let unknown = relance(data, &["letter", "--action", "999", "--out", "x.pdf"]);
    assert_eq!(unknown.code(), 1);
    assert!(
        unknown.stderr().contains("l'action 999 n'existe pas"),
        "{}",
        unknown.stderr()
    );
}
