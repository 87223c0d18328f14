//! Money in from the command line: a bank statement imported (and again), the review queue,
//! matching and unmatching by hand, a manual payment, the settings, and a refused file.

use crate::{json, relance};

const BOOKS: &str = "customer_ref,customer_name,invoice_number,issue_date,due_date,amount,outstanding,email\n\
LATE,Retard SARL,F2026-0131,2026-10-01,2026-11-02,1200.00,1200.00,compta@retard.fr\n\
LATE,Retard SARL,F2026-0145,2026-10-15,2026-11-19,300.00,300.00,compta@retard.fr\n\
SOON,Bientot Distribution SAS,F2026-0200,2026-10-23,2026-11-23,500.00,500.00,\n";

const STATEMENT: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><GrpHdr><MsgId>M</MsgId><CreDtTm>2026-11-20T10:00:00</CreDtTm></GrpHdr>
<Stmt><Id>S</Id><CreDtTm>2026-11-20T10:00:00</CreDtTm><Acct><Id><IBAN>FR1420041010050500013M02606</IBAN></Id><Ccy>EUR</Ccy></Acct>
<Ntry><Amt Ccy="EUR">1500.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>2026-11-20</Dt></BookgDt><NtryDtls><TxDtls><RltdPties><Dbtr><Nm>RETARD</Nm></Dbtr></RltdPties><RmtInf><Ustrd>FACT F2026-0131 ET F2026-O145</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>
<Ntry><Amt Ccy="EUR">500.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>2026-11-20</Dt></BookgDt><NtryDtls><TxDtls><RltdPties><Dbtr><Nm>BIENTOT DISTRIB</Nm></Dbtr></RltdPties><RmtInf><Ustrd>VIREMENT</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>
</Stmt></BkToCstmrStmt></Document>
"#;

#[test]
fn a_bank_statement_pays_closes_and_queues_from_the_command_line() {
    let directory = tempfile::tempdir().unwrap();
    let data = directory.path().join("data");
    relance(&data, &["init", "--company", "Atelier"]).success();
    let books = directory.path().join("books.csv");
    std::fs::write(&books, BOOKS).unwrap();
    relance(&data, &["import", "invoices", books.to_str().unwrap()]).success();
    let statement = directory.path().join("statement.xml");
    std::fs::write(&statement, STATEMENT).unwrap();
    let file = statement.to_str().unwrap();

    let first = json(
        &relance(&data, &["import", "bank", file, "--output", "json"])
            .success()
            .stdout(),
    );
    assert_eq!(first["created"], 2);
    assert_eq!(first["applied"], 1);
    assert_eq!(first["queued"], 1);
    assert_eq!(first["cases_closed"], 1);
    assert_eq!(first["receipts_queued"], 1);
    let again = relance(&data, &["--lang", "en", "import", "bank", file]).success();
    assert!(
        again.stdout().contains("0 created, 2 already imported"),
        "{}",
        again.stdout()
    );

    let applied = json(
        &relance(
            &data,
            &[
                "payments",
                "lines",
                "--state",
                "auto_applied",
                "--format",
                "json",
            ],
        )
        .success()
        .stdout(),
    );
    assert_eq!(applied.as_array().unwrap().len(), 1);
    assert_eq!(applied[0]["customer_ref"], "LATE");
    assert!(
        applied[0]["explanation"]
            .as_str()
            .unwrap()
            .contains("F2026-0131")
    );
    let queue = json(
        &relance(&data, &["payments", "review", "--format", "json"])
            .success()
            .stdout(),
    );
    assert_eq!(queue.as_array().unwrap().len(), 1);
    assert_eq!(queue[0]["customer_ref"], "SOON");
    assert_eq!(queue[0]["suggestion"][0]["invoice_number"], "F2026-0200");
    let line = queue[0]["line"].as_i64().unwrap().to_string();
    let candidates = json(
        &relance(
            &data,
            &["payments", "candidates", &line, "--format", "json"],
        )
        .success()
        .stdout(),
    );
    assert_eq!(
        candidates[0]["reason"], "suggested",
        "the matcher's suggestion comes first: {candidates}"
    );
    assert_eq!(candidates[0]["invoice_number"], "F2026-0200");
    assert_eq!(candidates[0]["customer_ref"], "SOON");
    let unknown = relance(&data, &["payments", "candidates", "999999"]);
    assert_eq!(unknown.code(), 1);
    assert!(
        unknown
            .stderr()
            .contains("la ligne bancaire 999999 n'existe pas"),
        "{}",
        unknown.stderr()
    );
    let table = relance(&data, &["--lang", "en", "payments", "candidates", &line]).success();
    assert!(
        table.stdout().contains("the matcher's suggestion"),
        "{}",
        table.stdout()
    );

    let matched = relance(
        &data,
        &["--lang", "en", "payments", "match", &line, "F2026-0200"],
    )
    .success();
    assert!(
        matched.stdout().contains("case closed"),
        "{}",
        matched.stdout()
    );
    let undone = relance(&data, &["--lang", "en", "payments", "unmatch", &line]).success();
    assert!(undone.stdout().contains("owed again"));
    relance(&data, &["payments", "ignore", &line]).success();
    let empty = json(
        &relance(&data, &["payments", "review", "--format", "json"])
            .success()
            .stdout(),
    );
    assert!(empty.as_array().unwrap().is_empty());

    let cheque = [
        "payment",
        "add",
        "--customer",
        "SOON",
        "--amount",
        "200",
        "--on",
        "2026-11-20",
        "--reference",
        "CHQ 7",
        "--format",
        "json",
    ];
    let paid = json(&relance(&data, &cheque).success().stdout());
    assert_eq!(paid["allocated"], "200.00");
    assert_eq!(paid["case_closed"], false);
    assert_eq!(
        json(&relance(&data, &cheque).success().stdout())["already_recorded"],
        true
    );

    let shown = json(
        &relance(&data, &["customer", "show", "LATE", "--format", "json"])
            .success()
            .stdout(),
    );
    assert_eq!(shown["closures"].as_array().unwrap().len(), 1);
    let actions = json(
        &relance(
            &data,
            &["actions", "list", "--customer", "LATE", "--format", "json"],
        )
        .success()
        .stdout(),
    );
    let steps: Vec<&str> = actions
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["step"].as_str().unwrap())
        .collect();
    assert!(
        steps.contains(&"receipt") && steps.contains(&"thank_you"),
        "{steps:?}"
    );

    relance(
        &data,
        &[
            "payments",
            "settings",
            "set",
            "--threshold",
            "97",
            "--thank-you",
            "no",
        ],
    )
    .success();
    let settings = json(
        &relance(&data, &["payments", "settings", "show", "--format", "json"])
            .success()
            .stdout(),
    );
    assert_eq!(settings["auto_apply_threshold"], 97);
    assert_eq!(settings["thank_you"], false);

    let bad = directory.path().join("bad.ofx");
    std::fs::write(&bad, "OFXHEADER:100\n<OFX><BANKMSGSRSV1><STMTTRNRS><STMTRS><CURDEF>EUR<BANKTRANLIST>\n<STMTTRN><TRNTYPE>CREDIT<DTPOSTED>20261120<TRNAMT>12,3,4<FITID>1</STMTTRN>\n</BANKTRANLIST></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>\n").unwrap();
    let refused = relance(
        &data,
        &["--lang", "en", "import", "bank", bad.to_str().unwrap()],
    );
    assert_eq!(refused.code(), 3, "{}", refused.stderr());
    assert!(refused.stderr().contains("line 3"), "{}", refused.stderr());
}

#[test]
fn a_settlement_closes_the_case_and_undoing_it_opens_it_again_from_the_command_line() {
    let directory = tempfile::tempdir().unwrap();
    let data = directory.path().join("data");
    relance(&data, &["init", "--company", "Atelier"]).success();
    let books = directory.path().join("books.csv");
    std::fs::write(&books, BOOKS).unwrap();
    relance(&data, &["import", "invoices", books.to_str().unwrap()]).success();
    for (invoice, kind, amount) in [
        ("F2026-0145", "credit-note", Some("300.00")),
        ("F2026-0131", "write-off", None),
    ] {
        let mut args = vec![
            "--lang",
            "en",
            "settlement",
            "add",
            "--customer",
            "LATE",
            "--invoice",
            invoice,
            "--kind",
            kind,
            "--on",
            "2026-11-20",
            "--reason",
            "commercial agreement",
            "--by",
            "Claire Martin",
        ];
        if let Some(amount) = amount {
            args.extend(["--amount", amount]);
        }
        let added = relance(&data, &args).success();
        assert_eq!(
            added
                .stdout()
                .contains("case closed, receipt queued, thank-you queued"),
            kind == "write-off",
            "{}",
            added.stdout()
        );
    }
    let file = json(
        &relance(&data, &["customer", "show", "LATE", "--format", "json"])
            .success()
            .stdout(),
    );
    assert_eq!(file["closures"][0]["settlement"], 2);
    assert!(file["closures"][0]["reopened_on"].is_null());

    let undo = [
        "--lang",
        "en",
        "settlement",
        "undo",
        "2",
        "--reason",
        "written off by mistake",
        "--by",
        "Camille Durand",
    ];
    let undone = relance(&data, &undo).success();
    assert!(
        undone
            .stdout()
            .contains("Settlement #2 undone: invoice F2026-0131 owes 1,200.00")
            && undone.stdout().contains("the case is open again"),
        "{}",
        undone.stdout()
    );
    let twice = relance(&data, &undo).success();
    assert!(twice.stdout().contains("undone already: nothing changed"));
    let listed = json(
        &relance(&data, &["settlement", "list", "--format", "json"])
            .success()
            .stdout(),
    );
    assert_eq!(listed[1]["undone_by"], "Camille Durand");
    assert_eq!(listed[1]["undo_reason"], "written off by mistake");
    assert!(listed[0]["undone_by"].is_null());
    let file = json(
        &relance(&data, &["customer", "show", "LATE", "--format", "json"])
            .success()
            .stdout(),
    );
    assert!(file["closures"][0]["reopened_on"].is_string());
    let outstanding: Vec<_> = file["invoices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|invoice| invoice["outstanding"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(outstanding, ["1200.00", "0.00"]);
    let timeline = relance(&data, &["--lang", "en", "customer", "show", "LATE"]).success();
    for entry in ["case closed", "settlement undone 2", "case reopened"] {
        assert!(timeline.stdout().contains(entry), "{}", timeline.stdout());
    }
}

#[test]
fn a_bank_export_imports_by_its_saved_mapping_and_a_misfit_is_located() {
    let directory = tempfile::tempdir().unwrap();
    let data = directory.path().join("data");
    relance(&data, &["init", "--company", "Atelier"]).success();
    let samples =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/samples/csv-bank");
    let export = samples.join("meta_data_separated_credit_debit.csv");
    let export = export.to_str().unwrap();
    relance(
        &data,
        &[
            "payments",
            "mapping",
            "save",
            "banque-1",
            "--csv-delimiter",
            ",",
            "--csv-date-format",
            "dd/mm/yy",
            "--csv-skip-lines",
            "4",
            "--csv-footer-lines",
            "1",
            "--csv-credit",
            "Credit",
            "--csv-debit",
            "Debit",
            "--csv-label",
            "Label",
            "--csv-label",
            "Detail",
            "--csv-reference",
            "Operation Number",
            "--csv-account",
            "08088804068",
        ],
    )
    .success();
    let list = json(
        &relance(&data, &["payments", "mapping", "list", "--format", "json"])
            .success()
            .stdout(),
    );
    assert_eq!(list[1]["name"], "banque-1");
    assert_eq!(list[1]["settings"]["skip_lines"], 4);
    let shown = relance(&data, &["payments", "mapping", "show", "banque-1"])
        .success()
        .stdout();
    assert!(
        shown.contains("reference = \"Operation Number\""),
        "{shown}"
    );

    let imported = json(
        &relance(
            &data,
            &[
                "import",
                "bank",
                export,
                "--mapping",
                "banque-1",
                "--output",
                "json",
            ],
        )
        .success()
        .stdout(),
    );
    assert_eq!(
        (imported["created"].as_u64(), imported["outgoing"].as_u64()),
        (Some(4), Some(3))
    );

    let unknown = relance(
        &data,
        &[
            "--lang",
            "en",
            "import",
            "bank",
            export,
            "--mapping",
            "banque-9",
        ],
    );
    assert_eq!(unknown.code(), 1);
    assert!(
        unknown
            .stderr()
            .contains("unknown CSV mapping \"banque-9\" (known: french, banque-1)"),
        "{}",
        unknown.stderr()
    );

    // Another bank's export read with this mapping: the missing column is named, with its line.
    let other = samples.join("debit_credit_amount.csv");
    let misfit = relance(
        &data,
        &[
            "--lang",
            "en",
            "import",
            "bank",
            other.to_str().unwrap(),
            "--mapping",
            "banque-1",
            "--csv-skip-lines",
            "0",
            "--csv-footer-lines",
            "0",
        ],
    );
    assert_eq!(misfit.code(), 3, "{}", misfit.stderr());
    assert!(misfit.stderr().contains("line 1"), "{}", misfit.stderr());
    assert!(
        misfit.stderr().contains("Operation Number"),
        "{}",
        misfit.stderr()
    );

    relance(&data, &["payments", "mapping", "delete", "banque-1"]).success();
    let gone = relance(
        &data,
        &["--lang", "en", "payments", "mapping", "show", "banque-1"],
    );
    assert_eq!(gone.code(), 1);
    assert!(
        gone.stderr().contains("unknown CSV mapping"),
        "{}",
        gone.stderr()
    );
}
