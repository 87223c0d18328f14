//! Accounts, sessions, API tokens and a call's outcome, on every backend.

use app::accounts::{self, AccountError, AccountInput, Permission, Role};
use app::calls::{CallOutcome, record_call};
use app::clock::Clock;
use jiff::ToSpan;
use jiff::civil::date;
use test_support::{fixed_now, on_every_backend};

use crate::fixtures::{clock, creditor, import_csv};

fn input<'a>(email: &'a str, password: &'a str) -> AccountInput<'a> {
    AccountInput {
        email,
        display_name: "Alice",
        password,
    }
}

#[tokio::test]
async fn the_first_administrator_is_created_once_with_the_creditor_if_there_is_none() {
    on_every_backend!(|database| {
        let store = &database.store;
        assert!(accounts::needs_first_admin(store).await.unwrap());
        let missing_company =
            accounts::create_first_admin(store, clock(), None, input("a@x.example", "0123456789"))
                .await;
        assert!(matches!(missing_company, Err(AccountError::MissingName)));
        let admin = accounts::create_first_admin(
            store,
            clock(),
            Some("Atelier SARL"),
            input(" Alice@X.example ", "0123456789"),
        )
        .await
        .unwrap();
        assert_eq!(admin.role, Role::Admin);
        assert_eq!(
            admin.email, "alice@x.example",
            "e-mails are kept trimmed and lowercased"
        );
        let tenant = app::setup::select_tenant(store, None).await.unwrap();
        assert_eq!(tenant.profile.company_name, "Atelier SARL");
        let again = accounts::create_first_admin(
            store,
            clock(),
            Some("Autre"),
            input("mallory@x.example", "0123456789"),
        )
        .await;
        assert!(matches!(again, Err(AccountError::AlreadySetUp)));
        assert_eq!(store.tenants().await.unwrap().len(), 1);
    });
}

#[tokio::test]
async fn a_session_opens_with_the_right_password_only_and_ends_at_logout_or_after_twelve_hours() {
    on_every_backend!(|database| {
        let store = &database.store;
        creditor(store, "Atelier SARL").await;
        accounts::create_first_admin(store, clock(), None, input("a@x.example", "0123456789"))
            .await
            .unwrap();
        for (email, password) in [
            ("a@x.example", "wrong-password"),
            ("b@x.example", "0123456789"),
        ] {
            let refused = accounts::login(store, clock(), email, password).await;
            assert!(matches!(refused, Err(AccountError::BadCredentials)));
        }
        let (account, session) = accounts::login(store, clock(), "A@X.example", "0123456789")
            .await
            .unwrap();
        assert_eq!(session.secret.len(), 64);
        assert_ne!(session.secret, session.csrf_token);
        let (found, csrf) = accounts::session(store, clock(), &session.secret)
            .await
            .unwrap()
            .unwrap();
        assert_eq!((found, csrf), (account.clone(), session.csrf_token.clone()));
        let later = Clock::Fixed(fixed_now() + 12.hours());
        assert!(
            accounts::session(store, later, &session.secret)
                .await
                .unwrap()
                .is_none()
        );
        assert!(
            accounts::session(store, clock(), "not-a-secret")
                .await
                .unwrap()
                .is_none()
        );
        accounts::logout(store, &session.secret).await.unwrap();
        assert!(
            accounts::session(store, clock(), &session.secret)
                .await
                .unwrap()
                .is_none()
        );
    });
}

#[tokio::test]
async fn only_an_administrator_adds_accounts_and_tokens_which_act_with_their_role() {
    on_every_backend!(|database| {
        let store = &database.store;
        creditor(store, "Atelier SARL").await;
        let admin =
            accounts::create_first_admin(store, clock(), None, input("a@x.example", "0123456789"))
                .await
                .unwrap();
        let collector = accounts::create_user(
            store,
            clock(),
            &admin,
            input("c@x.example", "0123456789"),
            "collector",
        )
        .await
        .unwrap();
        assert!(collector.require(Permission::Work).is_ok());
        assert!(matches!(
            collector.require(Permission::Approve),
            Err(AccountError::Forbidden {
                needed: Role::Manager
            })
        ));
        let by_collector = accounts::create_user(
            store,
            clock(),
            &collector,
            input("d@x.example", "0123456789"),
            "admin",
        )
        .await;
        assert!(matches!(by_collector, Err(AccountError::Forbidden { .. })));
        let taken = accounts::create_user(
            store,
            clock(),
            &admin,
            input("C@x.example", "0123456789"),
            "viewer",
        )
        .await;
        assert!(matches!(taken, Err(AccountError::EmailTaken(_))));
        let short = accounts::create_user(
            store,
            clock(),
            &admin,
            input("e@x.example", "short"),
            "viewer",
        )
        .await;
        assert!(matches!(short, Err(AccountError::WeakPassword)));
        let unknown = accounts::create_user(
            store,
            clock(),
            &admin,
            input("e@x.example", "0123456789"),
            "boss",
        )
        .await;
        assert!(matches!(unknown, Err(AccountError::UnknownRole(_))));
        assert!(
            accounts::create_api_token(store, clock(), &collector, "erp")
                .await
                .is_err()
        );
        let token = accounts::create_api_token(store, clock(), &admin, "erp")
            .await
            .unwrap();
        assert!(token.starts_with("rl_"));
        let acting = accounts::api_account(store, &token).await.unwrap().unwrap();
        assert_eq!(acting, admin);
        assert!(
            accounts::api_account(store, "rl_nope")
                .await
                .unwrap()
                .is_none()
        );
        let users = accounts::list_users(store, &admin).await.unwrap();
        assert_eq!(users.len(), 2);
    });
}

#[tokio::test]
async fn a_call_is_checked_whole_before_its_contact_promise_or_dispute_is_written() {
    on_every_backend!(|database| {
        let store = &database.store;
        let tenant = creditor(store, "Atelier SARL").await;
        import_csv(
            store,
            &tenant,
            "books.csv",
            b"customer_ref,customer_name,invoice_number,issue_date,due_date,amount\n\
              C1,Alpha,F-1,2026-09-01,2026-10-01,500.00\n\
              C2,Beta,F-2,2026-09-01,2026-10-01,80.00\n",
        )
        .await
        .unwrap();
        let call = |promise, dispute, reason, outcome| CallOutcome {
            customer: "C1",
            outcome,
            reason,
            promise,
            dispute,
            note: "",
        };
        let refusals = [
            call(
                Some(("abc", date(2026, 12, 1))),
                None,
                Some("cash-flow"),
                "reached",
            ),
            call(
                Some(("100.00", date(2026, 11, 1))),
                None,
                Some("cash-flow"),
                "reached",
            ),
            call(None, Some(("F-2", "defective")), Some("dispute"), "reached"),
            call(None, Some(("F-1", "bad")), Some("dispute"), "reached"),
            call(None, None, None, "reached"),
            call(Some(("100.00", date(2026, 12, 1))), None, None, "no-answer"),
        ];
        for refused in &refusals {
            assert!(
                record_call(store, &tenant, clock(), refused).await.is_err(),
                "{refused:?}"
            );
        }
        let (file, _) = app::dunning::customer_file(store, &tenant, "C1")
            .await
            .unwrap();
        assert!(file.contacts.is_empty() && file.promises.is_empty() && file.disputes.is_empty());

        let recorded = record_call(
            store,
            &tenant,
            clock(),
            &call(
                Some(("100.00", date(2026, 12, 1))),
                Some(("F-1", "defective")),
                Some("dispute"),
                "reached",
            ),
        )
        .await
        .unwrap();
        assert!(recorded.promise.is_some() && recorded.dispute.is_some());
        let (file, _) = app::dunning::customer_file(store, &tenant, "C1")
            .await
            .unwrap();
        assert_eq!(file.contacts.len(), 1);
        assert_eq!(file.promises[0].amount.minor(), 10_000);
        assert_eq!(file.disputes[0].invoice_number, "F-1");
    });
}

#[tokio::test]
async fn readings_that_finish_together_are_all_kept_in_the_audit_log_each_before_its_answer() {
    use app::audit::{Actor, AuditEvent, AuditQuery, AuditWriter, Via};
    on_every_backend!(|database| {
        let store = &database.store;
        let tenant = creditor(store, "Atelier SARL").await;
        let writer = AuditWriter::start(store.clone());
        // Two hundred readings at once: the writer groups them, and each call returns only
        // once its own entry can be read back.
        let mut readings = tokio::task::JoinSet::new();
        for index in 0..200 {
            let (writer, store, tenant) = (writer.clone(), store.clone(), tenant.clone());
            let customer = format!("C{index:03}");
            readings.spawn(async move {
                let event = AuditEvent {
                    via: Via::Api,
                    action: "GET /api/v1/customers/{reference}",
                    customer_ref: Some(&customer),
                    record: None,
                    address: Some("127.0.0.1"),
                    status: Some(200),
                };
                writer
                    .record(&store, tenant.id, clock(), Actor::System("bench"), &event)
                    .await
                    .unwrap();
                let kept = app::audit::list(
                    &store,
                    &tenant,
                    None,
                    &AuditQuery {
                        customer: Some(customer.clone()),
                        limit: 10,
                        ..AuditQuery::default()
                    },
                )
                .await
                .unwrap();
                assert_eq!(
                    kept.total, 1,
                    "{customer} is in the log once its call returns"
                );
            });
        }
        while let Some(reading) = readings.join_next().await {
            reading.unwrap();
        }
        let all = app::audit::list(
            store,
            &tenant,
            None,
            &AuditQuery {
                limit: 500,
                ..AuditQuery::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(all.total, 200);
        assert!(
            all.entries
                .iter()
                .all(|entry| entry.via == "api" && entry.actor == "bench")
        );
    });
}

#[tokio::test]
async fn an_account_works_for_each_creditor_that_gives_it_a_role_with_that_role_there() {
    on_every_backend!(|database| {
        let store = &database.store;
        let agency = creditor(store, "Agence SARL").await;
        let client = creditor(store, "Client SA").await;
        let founder = |tenant| accounts::Account {
            id: 0,
            tenant,
            email: "founder@x.example".into(),
            display_name: "Founder".into(),
            role: Role::Admin,
        };
        let agent = accounts::create_user(
            store,
            clock(),
            &founder(agency.id),
            input("agent@x.example", "0123456789"),
            "collector",
        )
        .await
        .unwrap();
        let client_admin = accounts::create_user(
            store,
            clock(),
            &founder(client.id),
            input("boss@client.example", "0123456789"),
            "admin",
        )
        .await
        .unwrap();
        // Only the agency, before the client gives it a role.
        let before = accounts::memberships(store, &agent).await.unwrap();
        assert_eq!(before.len(), 1);
        assert_eq!(before[0].tenant, agency.id);

        let member =
            accounts::grant_role(store, clock(), &client_admin, " Agent@X.example ", "viewer")
                .await
                .unwrap();
        assert_eq!(
            (member.id, member.tenant, member.role),
            (agent.id, client.id, Role::Viewer)
        );
        let creditors = accounts::memberships(store, &agent).await.unwrap();
        assert_eq!(
            creditors
                .iter()
                .map(|m| (m.company_name.as_str(), m.role))
                .collect::<Vec<_>>(),
            [
                ("Agence SARL", Role::Collector),
                ("Client SA", Role::Viewer)
            ]
        );
        // Each creditor's list of accounts shows the role held there.
        let listed = accounts::list_users(store, &client_admin).await.unwrap();
        assert!(
            listed
                .iter()
                .any(|a| a.id == agent.id && a.role == Role::Viewer)
        );
        assert!(
            !accounts::list_users(store, &agent_as_admin(&agent))
                .await
                .unwrap()
                .iter()
                .any(|a| a.id == client_admin.id),
            "the client's administrator does not work for the agency"
        );

        // A session starts at the agency, switches to the client, and back.
        let (start, session) = accounts::login(store, clock(), "agent@x.example", "0123456789")
            .await
            .unwrap();
        assert_eq!((start.tenant, start.role), (agency.id, Role::Collector));
        let there = accounts::switch_creditor(store, clock(), &session.secret, client.id.0)
            .await
            .unwrap();
        assert_eq!((there.tenant, there.role), (client.id, Role::Viewer));
        let (now, _) = accounts::session(store, clock(), &session.secret)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(now, there);
        assert!(now.require(Permission::Work).is_err());

        // A role granted again changes nothing; changing it takes effect on the open session.
        accounts::grant_role(store, clock(), &client_admin, "agent@x.example", "manager")
            .await
            .unwrap();
        let (promoted, _) = accounts::session(store, clock(), &session.secret)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(promoted.role, Role::Manager);
    });
}

/// The account as if it were its creditor's administrator (to read that creditor's list).
fn agent_as_admin(agent: &accounts::Account) -> accounts::Account {
    accounts::Account {
        role: Role::Admin,
        ..agent.clone()
    }
}

#[tokio::test]
async fn a_session_moves_only_to_a_creditor_its_account_works_for() {
    on_every_backend!(|database| {
        let store = &database.store;
        creditor(store, "Agence SARL").await;
        let admin =
            accounts::create_first_admin(store, clock(), None, input("a@x.example", "0123456789"))
                .await
                .unwrap();
        let stranger = creditor(store, "Inconnu SA").await;
        let (_, session) = accounts::login(store, clock(), "a@x.example", "0123456789")
            .await
            .unwrap();
        for id in [stranger.id.0, 424_242] {
            let refused = accounts::switch_creditor(store, clock(), &session.secret, id).await;
            assert!(
                matches!(refused, Err(AccountError::NotAMember { .. })),
                "{id}"
            );
        }
        let (still, _) = accounts::session(store, clock(), &session.secret)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(still, admin);
        let unknown =
            accounts::switch_creditor(store, clock(), "no-such-session", admin.tenant.0).await;
        assert!(matches!(unknown, Err(AccountError::NotAMember { .. })));
        // Refused grants: no such account, one's own role, an unknown role, a non-administrator.
        let none = accounts::grant_role(store, clock(), &admin, "nobody@x.example", "viewer").await;
        assert!(matches!(none, Err(AccountError::UnknownAccount(_))));
        let own = accounts::grant_role(store, clock(), &admin, "a@x.example", "viewer").await;
        assert!(matches!(own, Err(AccountError::OwnRole)));
        let viewer = accounts::create_user(
            store,
            clock(),
            &admin,
            input("v@x.example", "0123456789"),
            "viewer",
        )
        .await
        .unwrap();
        let role = accounts::grant_role(store, clock(), &admin, "v@x.example", "chief").await;
        assert!(matches!(role, Err(AccountError::UnknownRole(_))));
        let by_viewer =
            accounts::grant_role(store, clock(), &viewer, "a@x.example", "viewer").await;
        assert!(matches!(by_viewer, Err(AccountError::Forbidden { .. })));
        // The command line's operator gives roles on any creditor.
        let granted =
            accounts::grant_role_as_operator(store, clock(), stranger.id, "v@x.example", "admin")
                .await
                .unwrap();
        assert_eq!((granted.tenant, granted.role), (stranger.id, Role::Admin));
    });
}
