//! An account working for several creditors (a collection agency's staff): an administrator
//! gives an existing account a role on their creditor, the account switches its session from
//! one creditor to another in the page header, and sees only the creditor it switched to, with
//! the role it holds there. Through the real server on loopback, on every backend.

use app::TenantRecord;
use test_support::{TestDatabase, on_every_backend};

use crate::harness::{Api, Browser, Reply, blocking, start};
use crate::operations::other_creditor;
use crate::{ADMIN, add_user, books, first_run};

const PASSWORD: &str = "un-mot-de-passe";
const AGENT: &str = "agent@agence.example";

fn switch(browser: &Browser, creditor: i64) -> Reply {
    let csrf = browser.get("/").csrf();
    browser.post(&format!("/creditors/{creditor}/switch"), &[("csrf", &csrf)])
}

fn grant(admin: &Browser, email: &str, role: &str) -> Reply {
    let csrf = admin.get("/admin").csrf();
    admin.post(
        "/admin/members",
        &[("csrf", &csrf), ("email", email), ("role", role)],
    )
}

async fn log_actions(database: &TestDatabase, tenant: &TenantRecord) -> Vec<(String, String)> {
    app::audit::list(
        &database.store,
        tenant,
        None,
        &app::audit::AuditQuery {
            limit: 100,
            ..app::audit::AuditQuery::default()
        },
    )
    .await
    .unwrap()
    .entries
    .into_iter()
    .map(|entry| {
        (
            entry.actor,
            format!("{} {}", entry.action, entry.record.unwrap_or_default()),
        )
    })
    .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agency_account_switches_creditor_and_sees_only_that_one_with_its_role_there() {
    on_every_backend!(|database| {
        let server = start(&database.store).await;
        let admin = Browser::new(&server);
        blocking(|| {
            first_run(&admin);
            add_user(&admin, AGENT, "collector");
        });
        let home = books(&database).await;
        let (other, other_admin) = other_creditor(&database).await;
        let agent = Browser::new(&server);
        blocking(|| {
            // Before the other creditor's administrator gives it a role, there is nothing to
            // switch to.
            assert_eq!(agent.login(AGENT, PASSWORD).status, 303);
            assert!(!agent.get("/").text().contains("Changer de créancier"));
            assert_eq!(switch(&agent, other.id.0).status, 404);

            let theirs = Browser::new(&server);
            assert_eq!(theirs.login(&other_admin.email, PASSWORD).status, 303);
            let granted = grant(&theirs, AGENT, "viewer");
            assert_eq!(granted.status, 200, "{}", granted.text());
            assert!(granted.text().contains("Rôle donné : agent@agence.example"));
            assert!(granted.text().contains("<td>agent@agence.example</td>"));

            let dashboard = agent.get("/");
            assert!(dashboard.text().contains("Changer de créancier"));
            assert!(
                dashboard
                    .text()
                    .contains("Autre Créancier SAS (Lecture seule)")
            );
            assert!(dashboard.text().contains("(Chargé de recouvrement)"));
            assert_eq!(agent.get("/customers/LATE").status, 200);
            assert_eq!(agent.get("/customers/SECRET").status, 404);

            let switched = switch(&agent, other.id.0);
            assert_eq!(switched.status, 303, "{}", switched.text());
            assert_eq!(switched.location.as_deref(), Some("/"));
            // Now the other creditor's books only, as a viewer there.
            assert_eq!(agent.get("/customers/SECRET").status, 200);
            assert_eq!(agent.get("/customers/LATE").status, 404);
            assert_eq!(agent.get("/customers?q=dupont").element("total"), "0");
            let header = agent.get("/").text();
            assert!(header.contains("(Lecture seule)"));
            assert!(header.contains("Atelier Test SARL (Chargé de recouvrement)"));
            let csrf = agent.get("/").csrf();
            assert_eq!(agent.post("/run", &[("csrf", &csrf)]).status, 403);

            // Back home, a collector again.
            assert_eq!(switch(&agent, home.id.0).status, 303);
            assert_eq!(agent.get("/customers/LATE").status, 200);
            assert_eq!(agent.get("/customers/SECRET").status, 404);
            let csrf = agent.get("/").csrf();
            assert!(agent.post("/run", &[("csrf", &csrf)]).status < 400);
        });
        // Each creditor's log says who came in and who went out.
        let went = format!("POST /creditors/{{id}}/switch creditor {}", other.id.0);
        let came = format!("POST /creditors/{{id}}/switch creditor {}", home.id.0);
        let home_log = log_actions(&database, &home).await;
        assert!(
            home_log.contains(&(AGENT.to_owned(), went.clone())),
            "{home_log:?}"
        );
        assert!(
            home_log.contains(&(AGENT.to_owned(), came.clone())),
            "{home_log:?}"
        );
        let other_log = log_actions(&database, &other).await;
        assert!(
            other_log.contains(&(AGENT.to_owned(), went)),
            "{other_log:?}"
        );
        assert!(
            other_log.contains(&(AGENT.to_owned(), came)),
            "{other_log:?}"
        );
        assert!(
            other_log
                .iter()
                .any(|(actor, action)| actor == &other_admin.email
                    && action.starts_with("POST /admin/members"))
        );
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn switching_to_a_creditor_one_does_not_work_for_answers_not_found_and_changes_nothing() {
    on_every_backend!(|database| {
        let server = start(&database.store).await;
        let admin = Browser::new(&server);
        blocking(|| first_run(&admin));
        books(&database).await;
        let (other, _) = other_creditor(&database).await;
        blocking(|| {
            let refused = switch(&admin, other.id.0);
            assert_eq!(refused.status, 404);
            assert!(!refused.text().contains("Autre Créancier"));
            assert_eq!(switch(&admin, 999_999).status, 404);
            assert_eq!(switch(&admin, -1).status, 404);
            assert_eq!(
                admin
                    .post(
                        &format!("/creditors/{}/switch", other.id.0),
                        &[("csrf", "x")]
                    )
                    .status,
                403
            );
            assert_eq!(admin.get("/customers/SECRET").status, 404);
            assert_eq!(admin.get("/customers/LATE").status, 200);
        });
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn giving_a_role_needs_an_administrator_and_an_existing_account_not_ones_own() {
    on_every_backend!(|database| {
        let server = start(&database.store).await;
        let admin = Browser::new(&server);
        blocking(|| {
            first_run(&admin);
            add_user(&admin, AGENT, "manager");
            let unknown = grant(&admin, "personne@nulle.example", "viewer");
            assert_eq!(unknown.status, 422);
            assert!(
                unknown
                    .text()
                    .contains("aucun compte n&#x27;a l&#x27;adresse")
                    || unknown.text().contains("aucun compte n'a l'adresse"),
                "{}",
                unknown.text()
            );
            let own = grant(&admin, ADMIN, "viewer");
            assert_eq!(own.status, 422);
            assert!(own.text().contains("son propre rôle"));
            assert_eq!(grant(&admin, AGENT, "boss").status, 422);
            // A member's role is changed the same way; giving it again changes nothing.
            assert_eq!(grant(&admin, AGENT, "viewer").status, 200);
            assert_eq!(grant(&admin, AGENT, "viewer").status, 200);
            let agent = Browser::new(&server);
            assert_eq!(agent.login(AGENT, PASSWORD).status, 303);
            assert!(agent.get("/").text().contains("(Lecture seule)"));
            let csrf = agent.get("/").csrf();
            let refused = agent.post(
                "/admin/members",
                &[("csrf", &csrf), ("email", ADMIN), ("role", "viewer")],
            );
            assert_eq!(refused.status, 403);
        });
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_api_token_stays_with_the_creditor_it_was_made_for_whatever_the_session_switches_to() {
    on_every_backend!(|database| {
        let server = start(&database.store).await;
        let admin = Browser::new(&server);
        blocking(|| first_run(&admin));
        books(&database).await;
        let (other, other_admin) = other_creditor(&database).await;
        blocking(|| {
            let theirs = Browser::new(&server);
            assert_eq!(theirs.login(&other_admin.email, PASSWORD).status, 303);
            assert_eq!(grant(&theirs, ADMIN, "admin").status, 200);

            let csrf = admin.get("/admin").csrf();
            let home_token = admin
                .post("/admin/tokens", &[("csrf", &csrf), ("name", "erp")])
                .element("new-token");
            assert_eq!(switch(&admin, other.id.0).status, 303);
            let csrf = admin.get("/admin").csrf();
            let other_token = admin
                .post("/admin/tokens", &[("csrf", &csrf), ("name", "erp-autre")])
                .element("new-token");

            let home_api = Api::new(&server, &home_token);
            assert_eq!(home_api.get("/customers/LATE").status, 200);
            assert_eq!(home_api.get("/customers/SECRET").status, 404);
            let other_api = Api::new(&server, &other_token);
            assert_eq!(other_api.get("/customers/SECRET").status, 200);
            assert_eq!(other_api.get("/customers/LATE").status, 404);
            // The tokens page of each creditor lists its own token only.
            let tokens = admin.get("/admin").text();
            assert!(tokens.contains("erp-autre"));
            assert!(!tokens.contains("<td>erp</td>"));
        });
    });
}
