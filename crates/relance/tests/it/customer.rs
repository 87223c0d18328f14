//! `relance customer set|show` and `relance incident [open|resolve]` as a collector types them.

use std::path::Path;

use super::{json, relance};

const EXPORT: &str = "customer_ref,customer_name,invoice_number,issue_date,due_date,amount,outstanding,email\n\
    C1,Alpha SARL,F-1,2026-09-01,2026-10-01,1000.00,1000.00,compta@alpha.fr\n";

/// A data directory with one overdue customer, on SQLite or on the PostgreSQL URL given.
fn books(directory: &Path, database_url: Option<&str>) -> std::path::PathBuf {
    let data = directory.join("data");
    let mut init = vec!["init", "--company", "Atelier Dupont"];
    if let Some(url) = database_url {
        init.extend(["--database-url", url]);
    }
    relance(&data, &init).success();
    let export = directory.join("export.csv");
    std::fs::write(&export, EXPORT).unwrap();
    relance(&data, &["import", "invoices", export.to_str().unwrap()]).success();
    data
}

fn set_show_and_change_nothing(data: &Path) {
    let set = relance(
        data,
        &[
            "customer",
            "set",
            "C1",
            "--risk-segment",
            "high",
            "--time-zone",
            "America/Martinique",
            "--language",
            "en",
            "--preferred-channel",
            "letter",
            "--phone",
            "06 12 34 56 78",
            "--address-line1",
            "4 rue Mercière",
            "--postal-code",
            "69002",
            "--city",
            "Lyon",
            "--consent",
            "sms=yes",
            "--consent",
            "phone=no",
            "--format",
            "json",
        ],
    )
    .success();
    let set = json(&set.stdout());
    assert_eq!(set["customer_ref"], "C1");
    assert_eq!(set["risk_segment"], "high");
    assert_eq!(set["time_zone"], "America/Martinique");
    assert_eq!(set["effective_time_zone"], "America/Martinique");
    assert_eq!(set["language"], "en");
    assert_eq!(set["preferred_channel"], "letter");
    assert_eq!(set["email"], "compta@alpha.fr");
    assert_eq!(set["phone"], "06 12 34 56 78");
    assert_eq!(
        set["address"],
        serde_json::json!({"line1": "4 rue Mercière", "line2": "", "postal_code": "69002", "city": "Lyon", "country": "FR"})
    );
    assert_eq!(
        set["consent"],
        serde_json::json!({"email": true, "sms": true, "phone": false, "letter": true})
    );
    assert_eq!(set["scenario"], serde_json::Value::Null);
    assert_eq!(set["effective_scenario"], "b2b-fr");
    assert_eq!(
        set["changed"],
        serde_json::json!([
            "risk_segment",
            "time_zone",
            "language",
            "preferred_channel",
            "phone",
            "address_line1",
            "postal_code",
            "city",
            "consent"
        ])
    );

    let same = relance(
        data,
        &[
            "customer",
            "set",
            "C1",
            "--language",
            "en",
            "--consent",
            "sms=yes",
        ],
    )
    .success();
    assert!(
        same.stdout()
            .starts_with("C1 : rien à modifier, tout est déjà ainsi."),
        "{}",
        same.stdout()
    );

    let shown = relance(data, &["customer", "show", "C1"])
        .success()
        .stdout();
    for line in [
        "Segment de risque : high",
        "Fuseau horaire    : America/Martinique",
        "Langue            : en",
        "Canal préféré     : letter",
        "Téléphone         : 06 12 34 56 78",
        "Adresse           : 4 rue Mercière, 69002 Lyon, FR",
        "Consentements     : email oui, sms oui, phone non, letter oui",
        "Scénario          : b2b-fr (par défaut)",
    ] {
        assert!(shown.contains(line), "{line:?} in\n{shown}");
    }
    let shown = json(
        &relance(data, &["customer", "show", "C1", "--format", "json"])
            .success()
            .stdout(),
    );
    assert_eq!(shown["name"], "Alpha SARL");
    assert_eq!(shown["time_zone"], "America/Martinique");
    assert_eq!(shown["consent"]["phone"], false);
    assert_eq!(shown["invoices"][0]["invoice_number"], "F-1");
}

#[tokio::test]
async fn customer_set_changes_only_what_is_given_and_show_displays_it() {
    let directory = tempfile::tempdir().unwrap();
    set_show_and_change_nothing(&books(directory.path(), None));

    let Some(schema) = test_support::PostgresSchema::create().await else {
        return; // PostgreSQL is not configured for this run (CI always sets it).
    };
    let directory = tempfile::tempdir().unwrap();
    set_show_and_change_nothing(&books(directory.path(), Some(&schema.url)));
    schema.drop_schema().await;
}

#[test]
fn customer_set_refuses_bad_values_naming_each_option() {
    let directory = tempfile::tempdir().unwrap();
    let data = books(directory.path(), None);
    let bad = [
        "customer",
        "set",
        "C1",
        "--time-zone",
        "Europe/Lyon",
        "--email",
        "compta",
        "--consent",
        "sms",
        "--risk-segment",
        "normal",
        "--language",
        "fr",
    ];
    let refused = relance(&data, &bad);
    assert_eq!(refused.code(), 1);
    let stderr = refused.stderr();
    for line in [
        "erreur : C1 : rien n'a été modifié, car :",
        "  --risk-segment \"normal\" : valeur inconnue (possibles : low, standard, high)",
        "  --time-zone \"Europe/Lyon\" : fuseau horaire inconnu",
        "  --email \"compta\" : pas une adresse e-mail",
        "  --consent \"sms\" : s'écrit CANAL=yes ou CANAL=no",
    ] {
        assert!(stderr.contains(line), "{line:?} in\n{stderr}");
    }
    let english = relance(&data, &[&["--lang", "en"], &bad[..]].concat());
    assert!(
        english
            .stderr()
            .contains("--time-zone \"Europe/Lyon\": unknown time zone (expected an IANA name"),
        "{}",
        english.stderr()
    );

    let incomplete = relance(
        &data,
        &["customer", "set", "C1", "--address-line1", "4 rue Mercière"],
    );
    assert_eq!(incomplete.code(), 1);
    assert!(
        incomplete
            .stderr()
            .contains("adresse incomplète : il manque code postal, ville"),
        "{}",
        incomplete.stderr()
    );

    let shown = json(
        &relance(&data, &["customer", "show", "C1", "--format", "json"])
            .success()
            .stdout(),
    );
    assert_eq!(
        shown["time_zone"],
        serde_json::Value::Null,
        "nothing written"
    );
    assert_eq!(shown["address"]["line1"], "");

    let unknown = relance(&data, &["customer", "set", "NOPE", "--language", "en"]);
    assert_eq!(unknown.code(), 1);
    assert!(
        unknown.stderr().contains("client inconnu : NOPE"),
        "{}",
        unknown.stderr()
    );
}

#[test]
fn an_incident_is_opened_in_either_form_and_resolved_so_that_reminders_resume() {
    let directory = tempfile::tempdir().unwrap();
    let data = books(directory.path(), None);
    let none = relance(&data, &["incident", "resolve", "--customer", "C1"]);
    assert_eq!(none.code(), 1);
    assert!(
        none.stderr().contains("C1 n'a aucun incident ouvert"),
        "{}",
        none.stderr()
    );

    // The form that came first, and the subcommand.
    let bare = relance(
        &data,
        &["incident", "--customer", "C1", "--note", "propos agressifs"],
    )
    .success();
    assert!(
        bare.stdout().contains("incident enregistré"),
        "{}",
        bare.stdout()
    );
    relance(
        &data,
        &["incident", "open", "--customer", "C1", "--note", "menaces"],
    )
    .success();
    let missing_note = relance(&data, &["incident", "--customer", "C1"]);
    assert_eq!(missing_note.code(), 2, "{}", missing_note.stderr());

    let paused = json(
        &relance(&data, &["run", "--date", "2026-11-24", "--format", "json"])
            .success()
            .stdout(),
    );
    assert_eq!(paused["actions"], 0, "no contact during an incident");

    let resolved = relance(
        &data,
        &[
            "--lang",
            "en",
            "incident",
            "resolve",
            "--customer",
            "C1",
            "--note",
            "apologised",
        ],
    )
    .success();
    assert_eq!(
        resolved.stdout().trim(),
        "C1: 2 incident(s) resolved; 2 legal route proposal(s) cancelled; the reminders resume at the next `relance run`"
    );
    let awaiting = relance(
        &data,
        &[
            "actions",
            "list",
            "--status",
            "awaiting_approval",
            "--format",
            "json",
        ],
    )
    .success();
    assert_eq!(awaiting.stdout().trim(), "[]");

    let resumed = json(
        &relance(&data, &["run", "--date", "2026-11-24", "--format", "json"])
            .success()
            .stdout(),
    );
    assert_eq!(resumed["actions"], 1, "{resumed}");
    assert_eq!(resumed["decisions"][0]["step"], "first_reminder");

    let file = relance(&data, &["customer", "show", "C1"])
        .success()
        .stdout();
    assert!(file.contains("incident résolu"), "{file}");
    assert!(file.contains("apologised"), "{file}");
}
