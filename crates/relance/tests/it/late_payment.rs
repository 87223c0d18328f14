//! `relance interest`, `statement`, `waiver`, `late-payment`, `mention` and `rates` as a
//! collector or an operator types them.

use std::path::{Path, PathBuf};

use super::{json, relance};

/// C1, a French business, owes 5,000 of an 8,000 invoice due on 10 February 2025 (3,000 paid,
/// no one knows when); C2 is a consumer.
const BOOKS: &str = "customer_ref,customer_name,invoice_number,issue_date,due_date,amount,outstanding,customer_kind\n\
    C1,Alpha SARL,F-1,2025-01-10,2025-02-10,8000.00,5000.00,b2b\n\
    C2,Jean Dupont,B-1,2025-01-28,2025-02-28,2500.00,2500.00,b2c\n";

/// A data directory with `BOOKS`, on SQLite or on the PostgreSQL URL given.
fn books(directory: &Path, database_url: Option<&str>) -> PathBuf {
    let data = directory.join("data");
    let mut init = vec!["init", "--company", "Atelier Dupont"];
    if let Some(url) = database_url {
        init.extend(["--database-url", url]);
    }
    relance(&data, &init).success();
    let export = directory.join("books.csv");
    std::fs::write(&export, BOOKS).unwrap();
    relance(&data, &["import", "invoices", export.to_str().unwrap()]).success();
    data
}

#[test]
fn interest_gives_the_v3_breakdown_in_the_promised_json_shape_without_any_books() {
    let directory = tempfile::tempdir().unwrap();
    let data = directory.path().join("nothing-here");
    // LAW.md V3: 10,000 due 2024-05-31, paid 2024-08-29, across 1 July.
    let v3 = [
        "interest",
        "--jurisdiction",
        "fr-b2b",
        "--amount",
        "10000.00",
        "--due",
        "2024-05-31",
        "--until",
        "2024-08-29",
    ];
    let output = json(
        &relance(&data, &[&v3[..], &["--format", "json"]].concat())
            .success()
            .stdout(),
    );
    for (key, value) in [
        ("principal", "10000.00"),
        ("interest", "353.42"),
        ("indemnity", "40.00"),
        ("total", "10393.42"),
    ] {
        assert_eq!(output[key], value, "{key} in {output}");
    }
    assert_eq!(
        output["periods"],
        serde_json::json!([
            {"from": "2024-06-01", "to": "2024-06-30", "days": 30, "rate": "14.50", "base": "10000.00", "interest": "119.18"},
            {"from": "2024-07-01", "to": "2024-08-29", "days": 60, "rate": "14.25", "base": "10000.00", "interest": "234.24"}
        ])
    );
    assert!(!data.exists(), "a one-off computation creates no books");

    let table = relance(&data, &v3).success().stdout();
    for expected in [
        "2024-07-01  2024-08-29     60  14,25 %",
        "taux BCE au 2024-07-01 (4,25 %) + 10,00 %",
        "Intérêts              : 353,42",
        "Indemnité forfaitaire : 40,00",
    ] {
        assert!(table.contains(expected), "{expected:?} in\n{table}");
    }
    let english = relance(&data, &[&["--lang", "en"], &v3[..]].concat())
        .success()
        .stdout();
    assert!(
        english
            .lines()
            .any(|line| line.starts_with("Interest:") && line.ends_with(" 353.42")),
        "{english}"
    );
}

#[test]
fn interest_imputes_payments_and_refuses_bad_values_or_uncovered_dates_clearly() {
    let directory = tempfile::tempdir().unwrap();
    let data = directory.path().join("data");
    // LAW.md V5 B: the partial payment pays the accrued interest first.
    let v5 = json(
        &relance(
            &data,
            &[
                "interest",
                "--jurisdiction",
                "fr-b2b",
                "--amount",
                "12000.00",
                "--due",
                "2025-01-31",
                "--until",
                "2025-04-30",
                "--payment",
                "2025-03-02:5000.00",
                "--payment",
                "2025-04-30:7281.25",
                "--format",
                "json",
            ],
        )
        .success()
        .stdout(),
    );
    assert_eq!(v5["interest"], "281.25");
    assert_eq!(v5["balance"], "40.00");
    assert_eq!(v5["payments"][0]["to_interest"], "129.70");
    assert_eq!(v5["periods"][1]["base"], "7129.70");

    let bad = relance(
        &data,
        &[
            "interest",
            "--jurisdiction",
            "fr",
            "--amount",
            "douze",
            "--due",
            "2025-01-31",
            "--until",
            "2025-04-30",
            "--payment",
            "2025-03-02",
        ],
    );
    assert_eq!(bad.code(), 1);
    let stderr = bad.stderr();
    for expected in [
        "erreur : rien n'a été fait, car :",
        "  --jurisdiction \"fr\" : régime inconnu",
        "  --amount \"douze\" : pas un montant en EUR",
        "  --payment \"2025-03-02\" : un paiement s'écrit DATE:MONTANT",
    ] {
        assert!(stderr.contains(expected), "{expected:?} in\n{stderr}");
    }

    let uncovered = relance(
        &data,
        &[
            "--lang",
            "en",
            "interest",
            "--jurisdiction",
            "fr-b2b",
            "--amount",
            "1000.00",
            "--due",
            "2026-06-15",
            "--until",
            "2026-08-01",
        ],
    );
    assert_eq!(uncovered.code(), 1);
    assert!(
        uncovered.stderr().contains(
            "the ECB rate on 2026-07-01 is not in the rate table (it covers 2008-10-15 to 2026-01-01); import the published rates with `relance rates import FILE`"
        ),
        "{}",
        uncovered.stderr()
    );
}

fn statement_json(data: &Path) -> serde_json::Value {
    json(
        &relance(
            data,
            &[
                "statement",
                "--customer",
                "C1",
                "--as-of",
                "2025-04-11",
                "--format",
                "json",
            ],
        )
        .success()
        .stdout(),
    )
}

/// The statement, a waiver given and withdrawn, the settings, the mention and a customer's own
/// rule set, all through the command line.
fn statement_waivers_settings_and_mention(data: &Path) {
    // LAW.md V2 on the 5,000 still owed; the 3,000 paid without a date counts as paid on time.
    let statement = statement_json(data);
    let invoice = &statement["invoices"][0];
    assert_eq!(invoice["invoice_number"], "F-1");
    assert_eq!(invoice["paid_without_date"], "3000.00");
    assert_eq!(invoice["interest"], "108.08");
    assert_eq!(invoice["indemnity"], "40.00");
    assert_eq!(invoice["status"], "claimed");
    assert_eq!(statement["jurisdiction"], "fr-b2b");
    assert_eq!(statement["totals"]["due"], "5148.08");

    let table = relance(
        data,
        &["statement", "--customer", "C1", "--as-of", "2025-04-11"],
    )
    .success()
    .stdout();
    for expected in [
        "Décompte de C1 (Alpha SARL) au 2025-04-11 — régime fr-b2b (selon le pays et le type) ; pénalités et indemnités réclamées dès l'échéance.",
        "paiement sans date (compté à l'échéance) de 3\u{202f}000,00",
        "Total dû             : 5\u{202f}148,08 EUR",
    ] {
        assert!(table.contains(expected), "{expected:?} in\n{table}");
    }
    let csv = relance(
        data,
        &[
            "statement",
            "--customer",
            "C1",
            "--as-of",
            "2025-04-11",
            "--format",
            "csv",
        ],
    )
    .success()
    .stdout();
    assert_eq!(
        csv,
        "invoice_number,due_date,amount,paid,interest,indemnity,waived,due,status\n\
         F-1,2025-02-10,8000.00,3000.00,108.08,40.00,0.00,5148.08,claimed\n"
    );

    let granted = relance(
        data,
        &[
            "waiver",
            "add",
            "--customer",
            "C1",
            "--percent",
            "50",
            "--what",
            "interest",
            "--reason",
            "accord du 11 avril",
            "--by",
            "Claire Martin",
        ],
    )
    .success()
    .stdout();
    assert!(
        granted.starts_with(
            "Remise 1 accordée à C1 : 50 % des intérêts de toutes les factures ; motif : accord du 11 avril ; par Claire Martin."
        ),
        "{granted}"
    );
    let waived = statement_json(data);
    assert_eq!(waived["invoices"][0]["interest_waived"], "54.04");
    assert_eq!(waived["totals"]["due"], "5094.04");
    assert_eq!(waived["waivers"][0]["interest_waived"], "54.04");

    relance(
        data,
        &["waiver", "withdraw", "1", "--reason", "échéance manquée"],
    )
    .success();
    assert_eq!(statement_json(data)["totals"]["due"], "5148.08");
    let listed = relance(data, &["waiver", "list", "--customer", "C1"])
        .success()
        .stdout();
    assert!(
        listed.contains("retirée le") && listed.contains("échéance manquée"),
        "{listed}"
    );
    let again = relance(data, &["waiver", "withdraw", "1", "--reason", "x"]);
    assert_eq!(again.code(), 1);
    assert!(
        again.stderr().contains("la remise 1 est déjà retirée"),
        "{}",
        again.stderr()
    );

    let never = json(
        &relance(
            data,
            &[
                "late-payment",
                "set",
                "--claim-from",
                "never",
                "--format",
                "json",
            ],
        )
        .success()
        .stdout(),
    );
    assert_eq!(never["claim_from"], "never");
    assert_eq!(never["changed"], serde_json::json!(["claim_from"]));
    assert_eq!(statement_json(data)["totals"]["due"], "5000.00");
    let bad = relance(data, &["late-payment", "set", "--day-count", "360"]);
    assert_eq!(bad.code(), 1);
    assert!(
        bad.stderr()
            .contains("--day-count \"360\" : valeur inconnue (possibles : actual-365, actual-366-in-leap-years)"),
        "{}",
        bad.stderr()
    );
    relance(data, &["late-payment", "set", "--claim-from", "due-date"]).success();
    let shown = relance(data, &["--lang", "en", "late-payment", "show"])
        .success()
        .stdout();
    assert!(
        shown.lines().any(|line| {
            line.starts_with("penalties and indemnities claimed from:")
                && line.ends_with(" due-date")
        }),
        "{shown}"
    );

    let mention = relance(data, &["--lang", "en", "mention"])
        .success()
        .stdout();
    assert!(
        mention.starts_with("Late payment: penalties are due from the day after the due date"),
        "{mention}"
    );
    let consumer = relance(data, &["mention", "--customer", "C2"])
        .success()
        .stdout();
    assert!(
        consumer.contains("à compter de la mise en demeure"),
        "{consumer}"
    );

    let set = json(
        &relance(
            data,
            &[
                "customer",
                "set",
                "C1",
                "--jurisdiction",
                "contract:8",
                "--format",
                "json",
            ],
        )
        .success()
        .stdout(),
    );
    assert_eq!(
        set["late_payment"],
        serde_json::json!({"jurisdiction": "contract:8.00", "effective_jurisdiction": "contract:8.00", "contract_rate": null})
    );
    // 5,000 at 8 % for 60 days, and no fixed indemnity under a contract rate.
    let contract = statement_json(data);
    assert_eq!(contract["invoices"][0]["interest"], "65.75");
    assert_eq!(contract["totals"]["due"], "5065.75");
    let refused = relance(data, &["customer", "set", "C1", "--contract-rate", "12"]);
    assert_eq!(refused.code(), 1);
    assert!(
        refused
            .stderr()
            .contains("--contract-rate \"12.00\" : un taux contractuel ne s'applique qu'en fr-b2b"),
        "{}",
        refused.stderr()
    );
}

#[tokio::test]
async fn statements_follow_waivers_settings_and_customer_terms() {
    let directory = tempfile::tempdir().unwrap();
    statement_waivers_settings_and_mention(&books(directory.path(), None));

    let Some(schema) = test_support::PostgresSchema::create().await else {
        return; // PostgreSQL is not configured for this run (CI always sets it).
    };
    let directory = tempfile::tempdir().unwrap();
    statement_waivers_settings_and_mention(&books(directory.path(), Some(&schema.url)));
    schema.drop_schema().await;
}

#[test]
fn a_rate_table_is_exported_edited_and_imported_all_or_nothing() {
    let directory = tempfile::tempdir().unwrap();
    let data = books(directory.path(), None);
    let legal = relance(
        &data,
        &["rates", "show", "--kind", "fr-legal", "--format", "csv"],
    )
    .success()
    .stdout();
    assert!(
        legal.starts_with("semester_start,creditor_category,rate_percent,source\n"),
        "{legal}"
    );
    let v8 = [
        "interest",
        "--jurisdiction",
        "fr-b2c",
        "--amount",
        "2500.00",
        "--due",
        "2025-02-28",
        "--notice-date",
        "2025-03-10",
        "--until",
        "2025-05-09",
        "--format",
        "json",
    ];
    assert_eq!(
        json(&relance(&data, &v8).success().stdout())["interest"],
        "15.25"
    );

    let bad = directory.path().join("bad.csv");
    std::fs::write(
        &bad,
        legal.replacen(",all_other_cases,3.71,", ",all_other_cases,3.7.1,", 1),
    )
    .unwrap();
    let refused = relance(&data, &["rates", "import", bad.to_str().unwrap()]);
    assert_eq!(refused.code(), 3);
    assert!(
        refused
            .stderr()
            .contains("refusé : 1 problème(s), rien n'a été importé.")
            && refused
                .stderr()
                .contains("colonne « rate_percent » : « 3.7.1 » n'est pas un taux"),
        "{}",
        refused.stderr()
    );
    assert_eq!(
        json(&relance(&data, &v8).success().stdout())["interest"],
        "15.25",
        "nothing changed"
    );

    let edited = directory.path().join("legal.csv");
    std::fs::write(
        &edited,
        legal.replacen(",all_other_cases,3.71,", ",all_other_cases,4.00,", 1),
    )
    .unwrap();
    let imported = relance(&data, &["rates", "import", edited.to_str().unwrap()])
        .success()
        .stdout();
    assert!(imported.contains("Table fr-legal importée"), "{imported}");
    // 2,500 at 4.00 % for 60 days.
    assert_eq!(
        json(&relance(&data, &v8).success().stdout())["interest"],
        "16.44"
    );
    let again = relance(
        &data,
        &["--lang", "en", "rates", "import", edited.to_str().unwrap()],
    )
    .success()
    .stdout();
    assert!(again.contains("identical to the table in force"), "{again}");
    let shown = json(
        &relance(&data, &["rates", "show", "--format", "json"])
            .success()
            .stdout(),
    );
    assert_eq!(shown[0]["origin"], "builtin");
    assert_eq!(shown[1]["origin"], "imported");
    let all_as_csv = relance(&data, &["rates", "show", "--format", "csv"]);
    assert_eq!(all_as_csv.code(), 1, "one table per file");
}

fn json_statement_of(data: &Path, customer: &str, as_of: &str) -> serde_json::Value {
    json(
        &relance(
            data,
            &[
                "statement",
                "--customer",
                customer,
                "--as-of",
                as_of,
                "--format",
                "json",
            ],
        )
        .success()
        .stdout(),
    )
}

#[test]
fn notices_and_costs_recorded_outside_relance_change_the_statement_until_withdrawn() {
    let directory = tempfile::tempdir().unwrap();
    let data = books(directory.path(), None);
    // C2 is a consumer: no interest until a formal notice.
    let before = json_statement_of(&data, "C2", "2025-05-09");
    assert_eq!(before["totals"]["due"], "2500.00");

    let recorded = relance(
        &data,
        &[
            "recovery",
            "notice",
            "--customer",
            "C2",
            "--on",
            "2025-03-10",
            "--reference",
            "LRAR 1A 234",
        ],
    )
    .success()
    .stdout();
    assert!(recorded.contains("B-1"), "{recorded}");
    // LAW.md V8: 60 days at 3.71 % from 11 March.
    let after = json_statement_of(&data, "C2", "2025-05-09");
    assert_eq!(after["invoices"][0]["formal_notice_date"], "2025-03-10");
    assert_eq!(after["invoices"][0]["interest"], "15.25");
    assert_eq!(after["totals"]["due"], "2515.25");

    let refused = relance(
        &data,
        &[
            "--lang",
            "en",
            "recovery",
            "cost",
            "--customer",
            "C2",
            "--amount",
            "120.00",
            "--on",
            "2025-04-01",
            "--description",
            "Bailiff",
        ],
    );
    assert_eq!(refused.code(), 1);
    assert!(
        refused
            .stderr()
            .contains("collection costs stay with the creditor"),
        "{}",
        refused.stderr()
    );

    relance(
        &data,
        &[
            "recovery",
            "cost",
            "--customer",
            "C1",
            "--amount",
            "300.00",
            "--on",
            "2025-04-01",
            "--description",
            "Huissier : sommation de payer",
        ],
    )
    .success();
    let with_costs = json_statement_of(&data, "C1", "2025-04-11");
    assert_eq!(
        with_costs["costs"],
        serde_json::json!({"proven": "300.00", "covered_by_indemnities": "40.00", "claimed": "260.00", "not_claimed": null})
    );
    // V2 on the 5,000 owed: 108.08 and 40 EUR, then the costs beyond the indemnity.
    assert_eq!(with_costs["totals"]["due"], "5408.08");

    let listed = json(
        &relance(
            &data,
            &["recovery", "list", "--customer", "C1", "--format", "json"],
        )
        .success()
        .stdout(),
    );
    let id = listed["costs"][0]["id"].as_i64().unwrap().to_string();
    relance(
        &data,
        &[
            "recovery",
            "withdraw",
            "cost",
            &id,
            "--reason",
            "facture d'huissier refusée",
        ],
    )
    .success();
    let withdrawn = json_statement_of(&data, "C1", "2025-04-11");
    assert_eq!(withdrawn["costs"], serde_json::Value::Null);
    assert_eq!(withdrawn["totals"]["due"], "5148.08");
}

#[test]
fn a_payment_plan_is_proposed_accepted_and_listed_from_the_command_line() {
    let directory = tempfile::tempdir().unwrap();
    let data = books(directory.path(), None);
    let first = "2030-01-31".to_owned();
    let proposed = json(
        &relance(
            &data,
            &[
                "plan",
                "propose",
                "--customer",
                "C1",
                "--monthly",
                "2000",
                "--first",
                &first,
                "--waive-penalties",
                "--by",
                "Camille Durand",
                "--format",
                "json",
            ],
        )
        .success()
        .stdout(),
    );
    assert_eq!(proposed["status"], "proposed");
    assert_eq!(proposed["covered"], "5000.00");
    let amounts: Vec<&str> = proposed["installments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|installment| installment["amount"].as_str().unwrap())
        .collect();
    assert_eq!(amounts, ["2000.00", "2000.00", "1000.00"]);
    assert_eq!(proposed["needs_approval"], false);
    let id = proposed["id"].as_i64().unwrap().to_string();

    let pdf = directory.path().join("agreement.pdf");
    relance(
        &data,
        &[
            "plan",
            "agreement",
            &id,
            "--out",
            pdf.to_str().unwrap(),
            "--date",
            "2030-01-15",
        ],
    )
    .success();
    let text = std::process::Command::new("pdftotext")
        .args([pdf.to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext (poppler-utils) runs");
    let text = String::from_utf8_lossy(&text.stdout).replace(['\u{202F}', '\u{A0}'], " ");
    for expected in [
        "Échéancier de paiement n° 1",
        "Échéance n° 3 : 1 000,00 €, au plus tard le 31 mars 2030",
        "renonce aux",
        "Bon pour accord",
        "Fait le 15 janvier 2030",
    ] {
        assert!(text.contains(expected), "{expected:?} in\n{text}");
    }

    let scan = directory.path().join("signed.pdf");
    std::fs::write(&scan, b"%PDF-1.4 a scanned signature").unwrap();
    let accepted = relance(
        &data,
        &[
            "plan",
            "accept",
            &id,
            "--note",
            "signé le 24/11",
            "--signed-copy",
            scan.to_str().unwrap(),
        ],
    )
    .success()
    .stdout();
    assert!(accepted.contains("en cours"), "{accepted}");
    // The exact agreement accepted and the signed copy are kept, with their fingerprints.
    let documents = relance(&data, &["plan", "documents", &id])
        .success()
        .stdout();
    assert!(
        documents.contains("agreement") && documents.contains("signed-copy"),
        "{documents}"
    );
    let kept = directory.path().join("kept.pdf");
    relance(
        &data,
        &[
            "plan",
            "documents",
            &id,
            "--kind",
            "agreement",
            "--out",
            kept.to_str().unwrap(),
        ],
    )
    .success();
    let kept_bytes = std::fs::read(&kept).unwrap();
    assert!(kept_bytes.starts_with(b"%PDF"));
    let sha = std::process::Command::new("sha256sum")
        .arg(&kept)
        .output()
        .unwrap();
    let sha = String::from_utf8_lossy(&sha.stdout);
    let sha = sha.split_whitespace().next().unwrap();
    assert!(documents.contains(sha), "{sha} in {documents}");
    let listed = relance(&data, &["plan", "list", "--status", "active"])
        .success()
        .stdout();
    assert!(
        listed.contains("C1") && listed.contains("en cours") && listed.contains("2030-03-31"),
        "{listed}"
    );

    let refused = relance(
        &data,
        &[
            "--lang",
            "en",
            "plan",
            "propose",
            "--customer",
            "C1",
            "--installments",
            "3",
            "--first",
            "2020-01-01",
        ],
    );
    assert_eq!(refused.code(), 1);
    assert!(
        refused
            .stderr()
            .contains("--first \"2020-01-01\": a date in the past"),
        "{}",
        refused.stderr()
    );
    let settings = relance(
        &data,
        &[
            "plan",
            "settings",
            "--max-installments",
            "6",
            "--grace-days",
            "10",
        ],
    )
    .success()
    .stdout();
    assert!(
        settings.contains('6') && settings.contains("10"),
        "{settings}"
    );
}
