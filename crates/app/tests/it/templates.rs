//! Templates and letters on a real database: an edit is checked before it is saved (a refused
//! one saves nothing), previews render the tenant's text with a customer's real data, and the
//! formal notice of a recorded action becomes a PDF that claims only what is still unpaid.

use std::process::Command;

use app::customer_details::{self, DetailsChanges};
use app::dunning;
use app::templates::{self, Origin, TemplateError};
use app::{Store, TenantRecord};
use documents::ProblemKind;
use domain::customer::Language;
use jiff::civil::date;
use test_support::on_every_backend;

use crate::fixtures::{clock, creditor, import_csv};

const PORTFOLIO: &str = "customer_ref,customer_name,invoice_number,issue_date,due_date,amount,outstanding,email\n\
    LATE,Épicerie Lefèvre & Fils,F-1,2025-12-01,2026-01-05,1200.00,1200.00,compta@lefevre.fr\n\
    LATE,Épicerie Lefèvre & Fils,F-2,2025-12-15,2026-01-20,300.00,300.00,compta@lefevre.fr\n";

async fn setup(store: &Store) -> TenantRecord {
    let tenant = creditor(store, "Atelier Bellevue").await;
    import_csv(store, &tenant, "portfolio.csv", PORTFOLIO.as_bytes())
        .await
        .unwrap();
    tenant
}

const EDIT: &str = "=== subject ===\nPetit rappel : {{ totals.outstanding }}\n=== text ===\nBonjour {{ customer.name }},\n\n@invoices\n\nMerci !\n=== sms ===\n{{ creditor.name }} : {{ totals.outstanding }} à régler.\n";

#[tokio::test]
async fn an_edit_is_saved_previewed_listed_and_reset() {
    on_every_backend!(|database| {
        let store = &database.store;
        let tenant = setup(store).await;
        let built_in = templates::text(store, &tenant, "first_reminder", Language::French)
            .await
            .unwrap();
        assert_eq!(built_in.origin, Origin::BuiltIn);

        templates::edit(
            store,
            &tenant,
            clock(),
            "first_reminder",
            Language::French,
            EDIT,
        )
        .await
        .unwrap();
        let saved = templates::text(store, &tenant, "first_reminder", Language::French)
            .await
            .unwrap();
        assert!(matches!(saved.origin, Origin::Edited { .. }));
        assert_eq!(
            documents::TemplateSource::parse(EDIT).unwrap().source,
            saved.source
        );
        // The other language keeps its built-in text.
        let english = templates::text(store, &tenant, "first_reminder", Language::English)
            .await
            .unwrap();
        assert_eq!(english.origin, Origin::BuiltIn);
        let listed = templates::list(store, &tenant).await.unwrap();
        let first = listed
            .iter()
            .find(|summary| summary.builtin.key == "first_reminder")
            .unwrap();
        assert_eq!(first.edited, vec![Language::French]);

        // The preview renders the edit, with sample data or with the customer's own.
        let sample = templates::preview(
            store,
            &tenant,
            clock(),
            "first_reminder",
            Language::French,
            None,
        )
        .await
        .unwrap();
        assert!(sample.rendered.subject.starts_with("Petit rappel"));
        let real = templates::preview(
            store,
            &tenant,
            clock(),
            "first_reminder",
            Language::French,
            Some("LATE"),
        )
        .await
        .unwrap();
        assert_eq!(
            real.rendered.subject,
            "Petit rappel : 1\u{202F}500,00\u{A0}€"
        );
        assert!(
            real.rendered
                .text
                .contains("Bonjour Épicerie Lefèvre & Fils,")
        );
        assert!(real.rendered.text.contains("Facture F-1"));
        assert!(real.rendered.html.contains("Épicerie Lefèvre &amp; Fils"));
        assert_eq!(
            real.rendered.sms.as_ref().unwrap().text,
            "Atelier Bellevue : 1 500,00 € à régler."
        );

        assert_eq!(
            templates::reset(store, &tenant, "first_reminder", None)
                .await
                .unwrap(),
            1
        );
        let back = templates::text(store, &tenant, "first_reminder", Language::French)
            .await
            .unwrap();
        assert_eq!(back, built_in);
    });
}

#[tokio::test]
async fn a_refused_edit_saves_nothing_and_says_where() {
    on_every_backend!(|database| {
        let store = &database.store;
        let tenant = setup(store).await;
        let typo = EDIT.replace("{{ customer.name }}", "{{ customer.nom }}");
        let error = templates::edit(
            store,
            &tenant,
            clock(),
            "first_reminder",
            Language::French,
            &typo,
        )
        .await
        .unwrap_err();
        let TemplateError::Invalid { problems, .. } = error else {
            panic!("{error}");
        };
        assert_eq!(problems.len(), 1);
        assert_eq!((problems[0].line, problems[0].column), (4, Some(12)));
        assert!(
            matches!(&problems[0].kind, ProblemKind::UnknownVariable { name, .. } if name == "customer.nom")
        );
        assert_eq!(
            problems[0].describe(Language::French),
            "ligne 4, colonne 12 : variable inconnue customer.nom (vouliez-vous dire customer.name ?) ; `relance template show --variables` les liste"
        );
        let syntax = EDIT.replace("{{ customer.name }}", "{{ customer.name ");
        assert!(matches!(
            templates::edit(
                store,
                &tenant,
                clock(),
                "first_reminder",
                Language::French,
                &syntax
            )
            .await,
            Err(TemplateError::Invalid { .. })
        ));
        assert!(matches!(
            templates::edit(
                store,
                &tenant,
                clock(),
                "no_such_thing",
                Language::French,
                EDIT
            )
            .await,
            Err(TemplateError::UnknownTemplate { .. })
        ));
        assert!(
            store
                .tenant(tenant.id)
                .templates()
                .await
                .unwrap()
                .is_empty()
        );
    });
}

/// Runs the default B2B ladder from the first reminder to the formal notice (which waits for
/// approval), inside the half-year the built-in rate tables cover.
async fn up_to_the_formal_notice(store: &Store, tenant: &TenantRecord) -> i64 {
    customer_details::set_details(
        store,
        tenant,
        clock(),
        "LATE",
        &DetailsChanges {
            address_line1: Some("3 place des Célestins"),
            postal_code: Some("69002"),
            city: Some("Lyon"),
            ..DetailsChanges::default()
        },
    )
    .await
    .unwrap();
    dunning::simulate(
        store,
        tenant,
        clock(),
        date(2026, 3, 2),
        date(2026, 4, 30),
        Language::French,
    )
    .await
    .unwrap();
    let waiting =
        dunning::list_actions(store, tenant, None, Some("LATE"), Some("awaiting_approval"))
            .await
            .unwrap();
    waiting
        .iter()
        .find(|action| action.channel == "registered_letter")
        .unwrap_or_else(|| panic!("no formal notice: {waiting:?}"))
        .id
}

pub(crate) fn pdftotext(pdf: &[u8]) -> String {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("letter.pdf");
    std::fs::write(&path, pdf).unwrap();
    let output = Command::new("pdftotext")
        .args(["-layout", "-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext runs (poppler-utils)");
    String::from_utf8(output.stdout)
        .unwrap()
        .replace(['\u{A0}', '\u{202F}'], " ")
}

#[tokio::test]
async fn the_formal_notice_of_an_action_claims_what_is_unpaid_and_nothing_once_paid() {
    on_every_backend!(|database| {
        let store = &database.store;
        let tenant = setup(store).await;
        let notice = up_to_the_formal_notice(store, &tenant).await;
        let day = date(2026, 5, 4);
        let letter = templates::letter_for_action(store, &tenant, notice, day)
            .await
            .unwrap();
        assert!(letter.context.message.registered);
        let statement = letter.context.statement.as_ref().unwrap();
        // 1,500.00 of principal, penalties at ECB + 10 points, 40 EUR per invoice.
        assert_eq!(statement.principal, "1\u{202F}500,00\u{A0}€");
        assert_eq!(statement.indemnity, "80,00\u{A0}€");
        assert!(statement.has_interest);
        let pdf = documents::letter_pdf(&documents::Letter {
            rendered: &letter.rendered,
            context: &letter.context,
        })
        .unwrap();
        let text = pdftotext(&pdf);
        for expected in [
            "Épicerie Lefèvre & Fils",
            "3 place des Célestins",
            "69002 Lyon",
            "Lettre recommandée avec demande d'avis de réception",
            "Objet : Mise en demeure de payer",
            "Décompte arrêté au 4 mai 2026",
            "1 500,00 €",
            "80,00 €",
            "RF",
        ] {
            assert!(text.contains(expected), "{expected:?} not in:\n{text}");
        }
        assert!(text.contains(&statement.due.replace(['\u{A0}', '\u{202F}'], " ")));

        // Approved, it is in the day's print batch.
        dunning::approve_action(store, &tenant, notice)
            .await
            .unwrap();
        let decided_on = letter.action.decided_on;
        let (batch, letters) = templates::print_batch_for(store, &tenant, decided_on, true)
            .await
            .unwrap();
        assert_eq!(letters.len(), 1);
        assert!(pdftotext(&batch).contains("Mise en demeure de payer"));

        // Once the customer has paid, there is nothing left to claim: no letter.
        let paid = PORTFOLIO
            .replace(",1200.00,compta", ",0.00,compta")
            .replace(",300.00,compta", ",0.00,compta");
        import_csv(store, &tenant, "paid.csv", paid.as_bytes())
            .await
            .unwrap();
        assert!(matches!(
            templates::letter_for_action(store, &tenant, notice, day).await,
            Err(TemplateError::NothingOwed { .. })
        ));
        assert!(matches!(
            templates::print_batch_for(store, &tenant, decided_on, false).await,
            Err(TemplateError::NoLetters { .. })
        ));
    });
}

#[tokio::test]
async fn the_formal_notice_follows_the_customers_own_late_payment_terms() {
    on_every_backend!(|database| {
        let store = &database.store;
        let tenant = setup(store).await;
        let notice = up_to_the_formal_notice(store, &tenant).await;
        // A contractual rate replaces the statutory rule set: 8 % a year, and no fixed
        // indemnity, which only the statutory B2B rules add.
        customer_details::set_details(
            store,
            &tenant,
            clock(),
            "LATE",
            &DetailsChanges {
                jurisdiction: Some("contract:8"),
                ..DetailsChanges::default()
            },
        )
        .await
        .unwrap();
        let letter = templates::letter_for_action(store, &tenant, notice, date(2026, 5, 4))
            .await
            .unwrap();
        let statement = letter.context.statement.as_ref().unwrap();
        assert_eq!(statement.principal, "1\u{202F}500,00\u{A0}€");
        assert_eq!(statement.indemnity, "0,00\u{A0}€");
        assert!(statement.has_interest);
        assert!(
            statement.rate_note.contains("8 %") && !statement.rate_note.contains("BCE"),
            "{}",
            statement.rate_note
        );
    });
}

#[tokio::test]
async fn a_statement_the_rate_tables_do_not_cover_is_an_error_not_a_blank() {
    on_every_backend!(|database| {
        let store = &database.store;
        let tenant = setup(store).await;
        let notice = up_to_the_formal_notice(store, &tenant).await;
        // The built-in tables stop at the first half of 2026; the reason is in the customer's
        // language and says what to do.
        let error = templates::letter_for_action(store, &tenant, notice, date(2026, 11, 20))
            .await
            .unwrap_err();
        assert!(
            matches!(&error, TemplateError::Render(documents::RenderError::StatementUnavailable { reason, .. }) if reason.contains("BCE") && reason.contains("relance rates import")),
            "{error}"
        );
    });
}
