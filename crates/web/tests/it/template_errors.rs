//! Errors of templates and letters in the page's language: an edit the template language
//! refuses, a preview that cannot be made for a customer, a letter whose stored template no
//! longer renders. Through the real server on loopback, on every backend.

use test_support::on_every_backend;

use crate::harness::{Browser, blocking, start};
use crate::{books, first_run};

const PAGE: &str = "/settings/templates/first_reminder/fr";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_template_edit_and_a_preview_without_the_fact_are_said_in_the_pages_language() {
    on_every_backend!(|database| {
        let server = start(&database.store).await;
        let admin = Browser::new(&server);
        blocking(|| first_run(&admin));
        books(&database).await;
        blocking(|| {
            let csrf = admin.get(PAGE).csrf();
            let save = |file: &str| admin.post(PAGE, &[("csrf", &csrf), ("file", file)]);
            let unclosed = save(
                "=== subject ===\nRappel\n=== text ===\nBonjour\n{% if customer.is_business %}\nPro\n",
            );
            assert_eq!(unclosed.status, 422);
            let text = unclosed.text();
            assert!(
                text.contains("erreur de syntaxe : fin du texte inattendue"),
                "{text}"
            );
            assert!(!text.contains("syntax error"), "{text}");
            assert!(!text.contains("unexpected"), "{text}");
            let typo = save("=== subject ===\nRappel\n=== text ===\nBonjour {{ customer.nmae }}\n");
            assert_eq!(typo.status, 422);
            assert!(
                typo.text().contains("variable inconnue customer.nmae"),
                "{}",
                typo.text()
            );

            // A promise's confirmation previewed for a customer who made none.
            let preview = admin.htmx_post(
                "/settings/templates/promise_confirmation/fr/preview",
                &[
                    ("csrf", &csrf),
                    ("file", &admin_template(&admin, "promise_confirmation")),
                    ("customer", "LATE"),
                ],
            );
            assert_eq!(preview.status, 200);
            let problems = preview.text();
            assert!(problems.contains("id=\"preview-problems\""), "{problems}");
            assert!(
                problems.contains("le client LATE n&#x27;a pas de promesse à confirmer")
                    || problems.contains("le client LATE n'a pas de promesse à confirmer"),
                "{problems}"
            );

            // The same refusal on the English page.
            assert_eq!(admin.get("/lang/en").status, 303);
            let english = admin.post(
                PAGE,
                &[
                    ("csrf", &csrf),
                    (
                        "file",
                        "=== subject ===\nRappel\n=== text ===\n{% if x %}\n",
                    ),
                ],
            );
            assert!(
                english.text().contains("syntax error"),
                "{}",
                english.text()
            );
        });
    });
}

/// The text of a built-in template as its edit page shows it.
fn admin_template(admin: &Browser, key: &str) -> String {
    let page = admin.get(&format!("/settings/templates/{key}/fr")).text();
    let start = page.find("<textarea").expect("the edit page has the file");
    let start = start + page[start..].find('>').unwrap() + 1;
    let end = start + page[start..].find("</textarea>").unwrap();
    page[start..end]
        .replace("&#x27;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#x2f;", "/")
        .replace("&amp;", "&")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_letter_whose_stored_template_no_longer_renders_is_refused_in_the_pages_language() {
    on_every_backend!(|database| {
        let server = start(&database.store).await;
        let admin = Browser::new(&server);
        blocking(|| first_run(&admin));
        let tenant = books(&database).await;
        let notice = crate::awaiting_approval(&database.store, &tenant).await[0].id;
        // An edit saved before a variable it uses was renamed: stored, no longer valid.
        let broken = format!(
            "INSERT INTO message_templates (tenant_id, key, language, subject, text, updated_at) \
             VALUES ({}, 'formal_notice', 'fr', 'Mise en demeure', 'Madame, Monsieur,\n{{{{ customer.nmae }}}}\n', '2026-11-20T10:00:00Z')",
            tenant.id.0
        );
        database.execute_raw(&broken, &broken).await.unwrap();
        blocking(|| {
            let letter = admin.get(&format!("/actions/{notice}/letter.pdf"));
            assert_eq!(letter.status, 422, "{}", letter.text());
            let text = letter.text();
            assert!(
                text.contains("le modèle enregistré formal_notice (fr) n&#x27;est plus valable")
                    || text.contains("le modèle enregistré formal_notice (fr) n'est plus valable"),
                "{text}"
            );
            assert!(text.contains("variable inconnue customer.nmae"), "{text}");
            assert!(!text.contains("no longer valid"), "{text}");
            assert_eq!(admin.get("/lang/en").status, 303);
            let english = admin.get(&format!("/actions/{notice}/letter.pdf")).text();
            assert!(english.contains("is no longer valid"), "{english}");
        });
    });
}
