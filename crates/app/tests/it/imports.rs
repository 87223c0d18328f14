//! Imports are all or nothing, idempotent, and say what they changed.

use app::import::ImportError;
use domain::customer::Language;
use test_support::on_every_backend;

use crate::fixtures::{counts, creditor, import_csv, import_fec, ledger};

const FRENCH_EXPORT: &str = "Code_Client;Raison_Sociale;Numero_Facture;Date_Facture;Date_Echeance;Montant_TTC;Reste_Du;Type_Client\n\
C1;Boulangerie Martin SARL;F-001;05/01/2026;04/02/2026;1 200,00;1 200,00;b2b\n\
C1;Boulangerie Martin SARL;F-002;10/02/2026;12/03/2026;350,50;0,00;b2b\n\
C2;Jeanne Petit;F-003;15/03/2026;15/03/2026;99,99;49,99;b2c\n";

#[tokio::test]
async fn a_french_semicolon_export_is_imported_with_its_customers() {
    on_every_backend!(|database| {
        let store = &database.store;
        let tenant = creditor(store, "Atelier").await;
        let report = import_csv(store, &tenant, "export.csv", FRENCH_EXPORT.as_bytes())
            .await
            .unwrap();
        assert_eq!(report.rows_read, 3);
        assert_eq!(counts(&report), [3, 0, 0, 2, 0, 0]);
        assert_eq!(
            ledger(store, &tenant).await,
            [
                "F-001 C1 2026-02-04 1200.00 1200.00",
                "F-002 C1 2026-03-12 350.50 0.00",
                "F-003 C2 2026-03-15 99.99 49.99"
            ]
        );
        let customers = app::queries::list_customers(store, &tenant).await.unwrap();
        assert_eq!(customers.len(), 2);
        assert_eq!(customers[1].kind, domain::customer::CustomerKind::Consumer);
        assert_eq!(customers[0].outstanding.minor(), 120_000);
    });
}

#[tokio::test]
async fn importing_the_same_file_again_changes_nothing() {
    on_every_backend!(|database| {
        let store = &database.store;
        let tenant = creditor(store, "Atelier").await;
        let first = import_csv(store, &tenant, "export.csv", FRENCH_EXPORT.as_bytes())
            .await
            .unwrap();
        let before = ledger(store, &tenant).await;
        let again = import_csv(store, &tenant, "export.csv", FRENCH_EXPORT.as_bytes())
            .await
            .unwrap();
        assert!(again.already_imported);
        assert!(!again.changed_anything());
        assert_eq!(counts(&again), [0, 0, 3, 0, 0, 0]);
        assert_eq!(ledger(store, &tenant).await, before);
        let latest = store
            .tenant(tenant.id)
            .latest_import("invoices")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(Some(latest.id), first.import, "no second import record");
    });
}

#[tokio::test]
async fn the_same_rows_in_another_order_write_nothing() {
    on_every_backend!(|database| {
        let store = &database.store;
        let tenant = creditor(store, "Atelier").await;
        import_csv(store, &tenant, "export.csv", FRENCH_EXPORT.as_bytes())
            .await
            .unwrap();
        let mut lines: Vec<&str> = FRENCH_EXPORT.lines().collect();
        lines[1..].reverse();
        let reordered = lines.join("\r\n");
        let report = import_csv(store, &tenant, "export.csv", reordered.as_bytes())
            .await
            .unwrap();
        assert!(!report.already_imported, "the bytes differ");
        assert_eq!(counts(&report), [0, 0, 3, 0, 0, 2]);
        assert!(!report.changed_anything());
    });
}

#[tokio::test]
async fn an_updated_file_updates_what_changed_and_says_so() {
    on_every_backend!(|database| {
        let store = &database.store;
        let tenant = creditor(store, "Atelier").await;
        import_csv(store, &tenant, "export.csv", FRENCH_EXPORT.as_bytes())
            .await
            .unwrap();
        let updated = FRENCH_EXPORT.replace(
            "F-001;05/01/2026;04/02/2026;1 200,00;1 200,00",
            "F-001;05/01/2026;04/02/2026;1 200,00;200,00",
        ) + "C3;Garage Leroy SAS;F-004;01/04/2026;01/05/2026;10,00;10,00;b2b\n";
        let report = import_csv(store, &tenant, "export-v2.csv", updated.as_bytes())
            .await
            .unwrap();
        assert_eq!(counts(&report), [1, 1, 2, 1, 0, 2]);
        assert_eq!(
            ledger(store, &tenant).await[0],
            "F-001 C1 2026-02-04 1200.00 200.00"
        );
        assert_eq!(ledger(store, &tenant).await.len(), 4);
    });
}

#[tokio::test]
async fn a_bad_line_near_the_end_rejects_the_whole_file_and_changes_nothing() {
    on_every_backend!(|database| {
        let store = &database.store;
        let tenant = creditor(store, "Atelier").await;
        import_csv(store, &tenant, "export.csv", FRENCH_EXPORT.as_bytes())
            .await
            .unwrap();
        let before = ledger(store, &tenant).await;
        let mut bad = FRENCH_EXPORT.replace(
            "F-001;05/01/2026;04/02/2026;1 200,00;1 200,00",
            "F-001;05/01/2026;04/02/2026;1 200,00;0,00",
        );
        for index in 0..50 {
            bad.push_str(&format!(
                "C9;Client Neuf;N-{index};01/04/2026;01/05/2026;10,00;10,00;b2b\n"
            ));
        }
        bad.push_str("C9;Client Neuf;N-LAST;01/04/2026;01/05/2026;12,3,4;10,00;b2b\n");
        let error = import_csv(store, &tenant, "bad.csv", bad.as_bytes())
            .await
            .unwrap_err();
        let ImportError::Rejected { problems, more, .. } = error else {
            panic!("expected a rejection, got {error:?}")
        };
        assert_eq!(more, 0);
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].line, 55);
        assert_eq!(problems[0].column.as_deref(), Some("Montant_TTC"));
        let described = problems[0].describe(Language::French);
        assert!(
            described.contains("ligne 55") && described.contains("12,3,4"),
            "{described}"
        );
        assert_eq!(
            ledger(store, &tenant).await,
            before,
            "nothing of the file was written, not even the valid change"
        );
        assert!(
            app::queries::list_customers(store, &tenant)
                .await
                .unwrap()
                .iter()
                .all(|customer| customer.reference.as_str() != "C9")
        );
    });
}

#[tokio::test]
async fn an_invoice_number_given_twice_is_named_with_both_lines() {
    on_every_backend!(|database| {
        let store = &database.store;
        let tenant = creditor(store, "Atelier").await;
        let duplicated =
            format!("{FRENCH_EXPORT}C2;Jeanne Petit;F-001;15/03/2026;15/03/2026;5,00;5,00;b2c\n");
        let error = import_csv(store, &tenant, "dup.csv", duplicated.as_bytes())
            .await
            .unwrap_err();
        let ImportError::Rejected { problems, .. } = error else {
            panic!("expected a rejection")
        };
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].line, 5);
        let described = problems[0].describe(Language::English);
        assert!(
            described.contains("line 2"),
            "names the first occurrence: {described}"
        );
        assert!(ledger(store, &tenant).await.is_empty());
    });
}

#[tokio::test]
async fn a_customer_whose_name_changes_between_rows_is_refused() {
    on_every_backend!(|database| {
        let store = &database.store;
        let tenant = creditor(store, "Atelier").await;
        let inconsistent =
            format!("{FRENCH_EXPORT}C2;Jean Petit;F-009;15/03/2026;15/03/2026;5,00;5,00;b2c\n");
        let error = import_csv(store, &tenant, "x.csv", inconsistent.as_bytes())
            .await
            .unwrap_err();
        let ImportError::Rejected { problems, .. } = error else {
            panic!("expected a rejection")
        };
        assert_eq!(problems[0].line, 5);
        assert!(problems[0].describe(Language::English).contains("line 4"));
    });
}

#[tokio::test]
async fn problems_of_customers_and_of_values_are_listed_in_line_order() {
    let database = test_support::TestDatabase::new(test_support::TestBackend::Sqlite).await;
    let store = &database.store;
    let tenant = creditor(store, "Atelier").await;
    // Customers are checked some rows behind the reading (see `app::import`): a customer
    // named otherwise on every eleventh row, and a bad amount on every seventh, over more
    // rows than are checked together.
    let mut file = String::from(
        "Code_Client;Raison_Sociale;Numero_Facture;Date_Facture;Date_Echeance;Montant_TTC\n",
    );
    for index in 1..=700 {
        let name = if index % 11 == 0 { "Autre" } else { "Client" };
        let amount = if index % 7 == 0 { "x" } else { "10,00" };
        file.push_str(&format!(
            "C1;{name};F-{index};05/01/2026;04/02/2026;{amount}\n"
        ));
    }
    let error = import_csv(store, &tenant, "mixed.csv", file.as_bytes())
        .await
        .unwrap_err();
    let ImportError::Rejected { problems, more, .. } = error else {
        panic!("expected a rejection")
    };
    // Row `index` is on line `index + 1`; a row with a bad amount is not compared.
    let expected: Vec<u64> = (1..=700_u64)
        .filter(|index| index % 7 == 0 || index % 11 == 0)
        .map(|index| index + 1)
        .collect();
    let lines: Vec<u64> = problems.iter().map(|problem| problem.line).collect();
    assert_eq!(lines, expected[..problems.len()]);
    assert_eq!(problems.len() as u64 + more, expected.len() as u64);
}

#[tokio::test]
async fn imports_of_one_creditor_do_not_touch_another() {
    on_every_backend!(|database| {
        let store = &database.store;
        let first = creditor(store, "Premier").await;
        let second = creditor(store, "Second").await;
        import_csv(store, &first, "export.csv", FRENCH_EXPORT.as_bytes())
            .await
            .unwrap();
        let report = import_csv(store, &second, "export.csv", FRENCH_EXPORT.as_bytes())
            .await
            .unwrap();
        assert!(
            !report.already_imported,
            "the same file is new to another creditor"
        );
        assert_eq!(counts(&report), [3, 0, 0, 2, 0, 0]);
        assert_eq!(ledger(store, &first).await, ledger(store, &second).await);
    });
}

fn fec_sample(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/samples/fec")
        .join(name)
}

#[tokio::test]
async fn every_fec_sample_imports_and_reimports_without_change() {
    on_every_backend!(|database| {
        let store = &database.store;
        for name in [
            "0000000001FEC20220831.txt",
            "000000000FEC20231231.txt",
            "111111111FEC20221231.TXT",
            "123456789FEC20500930.txt",
        ] {
            let tenant = creditor(store, name).await;
            let report = import_fec(store, &tenant, &fec_sample(name))
                .await
                .unwrap_or_else(|error| panic!("{name}: {error}"));
            assert!(report.invoices.created > 0, "{name}: some invoices");
            let stored = ledger(store, &tenant).await;
            assert_eq!(stored.len() as u64, report.invoices.created, "{name}");
            let again = import_fec(store, &tenant, &fec_sample(name)).await.unwrap();
            assert!(again.already_imported, "{name}");
            assert_eq!(ledger(store, &tenant).await, stored, "{name}");
        }
    });
}

/// A file of more than a megabyte (validated in two halves): row `index` is on line
/// `index + 2`, and `change` may rewrite any row.
fn large_file(rows: usize, change: impl Fn(usize, String) -> String) -> String {
    let mut file = String::from(
        "Code_Client;Raison_Sociale;Numero_Facture;Date_Facture;Date_Echeance;Montant_TTC;Reste_Du\n",
    );
    for index in 0..rows {
        let customer = index % 500;
        let row = format!(
            "C{customer};Client {customer} SARL;F-{index};05/01/2026;04/02/2026;100,00;100,00\n"
        );
        file.push_str(&change(index, row));
    }
    assert!(file.len() > 1 << 20);
    file
}

/// `large_file(20_000, …)` with one byte of its second half changed (an outstanding amount):
/// the same length, another file.
fn large_file_one_byte_changed() -> String {
    large_file(20_000, |index, row| match index {
        15_000 => row.replace("100,00\n", "090,00\n"),
        _ => row,
    })
}

#[tokio::test]
async fn a_large_file_is_recognised_when_it_comes_again_and_one_changed_byte_is_seen() {
    on_every_backend!(|database| {
        let store = &database.store;
        let tenant = creditor(store, "Atelier").await;
        let file = large_file(20_000, |_, row| row);
        import_csv(store, &tenant, "large.csv", file.as_bytes())
            .await
            .unwrap();
        let again = import_csv(store, &tenant, "large.csv", file.as_bytes())
            .await
            .unwrap();
        assert!(again.already_imported);
        assert_eq!(counts(&again), [0, 0, 20_000, 0, 0, 0]);

        let changed = large_file_one_byte_changed();
        assert_eq!(changed.len(), file.len());
        let report = import_csv(store, &tenant, "large.csv", changed.as_bytes())
            .await
            .unwrap();
        assert!(!report.already_imported);
        assert_eq!(report.invoices.updated, 1);
    });
}

#[tokio::test]
async fn a_large_file_recorded_with_a_whole_file_hash_is_still_recognised() {
    on_every_backend!(|database| {
        let store = &database.store;
        let tenant = creditor(store, "Atelier").await;
        let file = large_file(20_000, |_, row| row);
        import_csv(store, &tenant, "large.csv", file.as_bytes())
            .await
            .unwrap();
        // As recorded before large files were hashed in two halves.
        let whole = format!(
            "xxh3-128:{:032x}:{}",
            xxhash_rust::xxh3::xxh3_128(file.as_bytes()),
            file.len()
        );
        let update = format!("UPDATE imports SET file_hash = '{whole}'");
        database.execute_raw(&update, &update).await.unwrap();

        let again = import_csv(store, &tenant, "large.csv", file.as_bytes())
            .await
            .unwrap();
        assert!(again.already_imported);
        let changed = large_file_one_byte_changed();
        let report = import_csv(store, &tenant, "large.csv", changed.as_bytes())
            .await
            .unwrap();
        assert!(!report.already_imported);
        let latest = store
            .tenant(tenant.id)
            .latest_import("invoices")
            .await
            .unwrap()
            .unwrap();
        assert!(
            latest.file_hash.starts_with("xxh3-128-halves:"),
            "{}",
            latest.file_hash
        );
    });
}

fn problem_lines(error: ImportError) -> Vec<(u64, String)> {
    let ImportError::Rejected { problems, .. } = error else {
        panic!("expected a rejection, got {error:?}")
    };
    problems
        .iter()
        .map(|problem| (problem.line, problem.describe(Language::English)))
        .collect()
}

#[tokio::test]
async fn a_large_file_names_its_problems_in_both_halves_by_their_exact_lines() {
    let database = test_support::TestDatabase::new(test_support::TestBackend::Sqlite).await;
    let store = &database.store;
    let tenant = creditor(store, "Atelier").await;
    let file = large_file(20_000, |index, row| match index {
        100 => row.replace("100,00;100,00", "12,3,4;100,00"),
        15_000 => row.replace("05/01/2026", "31/02/2026"),
        // A customer seen only in the second half, described two ways.
        16_000 => "NEW1;Nouveau;F-16000;05/01/2026;04/02/2026;1,00;1,00\n".to_owned(),
        17_000 => "NEW1;Autre;F-17000;05/01/2026;04/02/2026;1,00;1,00\n".to_owned(),
        18_000 => row.replace("F-18000", "F-5"),
        _ => row,
    });
    let error = import_csv(store, &tenant, "large.csv", file.as_bytes())
        .await
        .unwrap_err();
    let lines: Vec<u64> = problem_lines(error).iter().map(|(line, _)| *line).collect();
    assert_eq!(lines, [102, 15_002, 17_002, 18_002]);
    let error = import_csv(store, &tenant, "large.csv", file.as_bytes())
        .await
        .unwrap_err();
    let described = problem_lines(error);
    assert!(described[2].1.contains("line 16002"), "{described:?}");
    assert!(described[3].1.contains("line 7"), "{described:?}");
    assert!(ledger(store, &tenant).await.is_empty());
}

#[tokio::test]
async fn a_large_file_that_cannot_be_read_in_halves_is_read_in_one_piece() {
    let database = test_support::TestDatabase::new(test_support::TestBackend::Sqlite).await;
    let store = &database.store;
    let tenant = creditor(store, "Atelier").await;
    // Names of four lines around the middle of the file, so that the cut falls in one of them;
    // then a customer named otherwise in the second half than in the first.
    let file = large_file(20_000, |index, row| match index {
        9_000..11_000 => format!(
            "Q{index};\"Quoted {index}\n\n\n(siège)\";F-{index};05/01/2026;04/02/2026;1,00;1,00\n"
        ),
        19_000 => row.replace("Client 0 SARL", "Client Zéro"),
        19_001 => row.replace("100,00;100,00", "x;100,00"),
        _ => row,
    });
    let middle = file.len() / 2;
    let cut = middle + file[middle..].find('\n').unwrap();
    assert!(
        file[..cut].matches('"').count() % 2 == 1,
        "the first line break after the middle is inside quotes"
    );
    let error = import_csv(store, &tenant, "large.csv", file.as_bytes())
        .await
        .unwrap_err();
    let described = problem_lines(error);
    let lines: Vec<u64> = described.iter().map(|(line, _)| *line).collect();
    // 2,000 rows of four lines each before them.
    assert_eq!(lines, [25_002, 25_003]);
    assert!(described[0].1.contains("line 2"), "{described:?}");

    // Cut between rows, with the customer's rows of the second half compared with its first row
    // of the second half: that does not stand for the whole file.
    let file = large_file(20_000, |index, row| match index {
        10_500..11_000 if index % 500 == 0 => row.replace("Client 0 SARL", "Client Zéro"),
        _ => row,
    });
    let error = import_csv(store, &tenant, "large.csv", file.as_bytes())
        .await
        .unwrap_err();
    let described = problem_lines(error);
    let lines: Vec<u64> = described.iter().map(|(line, _)| *line).collect();
    assert_eq!(lines, [10_502]);
    assert!(described[0].1.contains("line 2"), "{described:?}");
}
