//! What a collector completes or corrects about a customer, on a real database: every value is
//! checked before anything is written, only what differs is written, and the next run
//! reconsiders the customer with the new facts. Resolving an incident lets dunning resume.

use app::customer_details::{
    self, CustomerDetailsError, DetailField, DetailProblem, DetailsChanges, ProblemKind,
};
use app::dunning::{self, ReportDetail, RunOptions, RunReport};
use app::{ActionRecord, Store, TenantRecord};
use domain::customer::{Channel, ChannelConsent, Language};
use domain::scenario::RiskSegment;
use jiff::civil::{Date, date};
use test_support::on_every_backend;

use crate::fixtures::{clock, creditor, import_csv};

/// Today is Friday 20 November 2026 (the fixed clock). LATE's oldest invoice is 18 days past
/// due: its first reminder goes out today, the second one is due from Monday 23 November.
const PORTFOLIO: &str = "customer_ref,customer_name,invoice_number,issue_date,due_date,amount,outstanding,email,phone\n\
    LATE,Retard SARL,F-1,2026-10-01,2026-11-02,1200.00,1200.00,compta@retard.fr,01 23 45 67 89\n\
    OTHER,Autre SAS,F-2,2026-10-01,2026-11-02,300.00,300.00,compta@autre.fr,\n";

async fn setup(store: &Store) -> TenantRecord {
    let tenant = creditor(store, "Atelier Bellevue").await;
    import_csv(store, &tenant, "portfolio.csv", PORTFOLIO.as_bytes())
        .await
        .unwrap();
    tenant
}

async fn run(store: &Store, tenant: &TenantRecord, day: Date) -> RunReport {
    dunning::run_day(
        store,
        tenant,
        clock(),
        RunOptions {
            date: Some(day),
            dry_run: false,
            language: Language::English,
            detail: ReportDetail::Every,
        },
    )
    .await
    .unwrap()
}

async fn actions_on(store: &Store, tenant: &TenantRecord, day: Date) -> Vec<ActionRecord> {
    dunning::list_actions(store, tenant, Some(day), Some("LATE"), None)
        .await
        .unwrap()
}

async fn set(
    store: &Store,
    tenant: &TenantRecord,
    changes: DetailsChanges<'_>,
) -> Result<Vec<DetailField>, CustomerDetailsError> {
    customer_details::set_details(store, tenant, clock(), "LATE", &changes)
        .await
        .map(|update| update.changed)
}

fn problems(error: CustomerDetailsError) -> Vec<DetailProblem> {
    match error {
        CustomerDetailsError::Invalid { problems, .. } => problems,
        other => panic!("expected refused values, got {other}"),
    }
}

#[tokio::test]
async fn every_detail_can_be_set_and_is_read_back() {
    on_every_backend!(|database| {
        let store = &database.store;
        let tenant = setup(store).await;
        let rules = dunning::rules(store, &tenant).await.unwrap();
        let b2b = rules
            .scenarios
            .iter()
            .find(|s| s.name() == "b2b-fr")
            .unwrap();
        let gentle = dunning::scenario_text(b2b).replace("name = \"b2b-fr\"", "name = \"gentle\"");
        dunning::import_scenario(store, &tenant, clock(), "gentle.toml", &gentle)
            .await
            .unwrap();

        let changed = set(
            store,
            &tenant,
            DetailsChanges {
                risk_segment: Some("HIGH"),
                time_zone: Some("america/montreal"),
                language: Some("en"),
                preferred_channel: Some("letter"),
                email: Some(" relances@retard.fr "),
                phone: Some("+33 6 12 34 56 78"),
                address_line1: Some("4 rue Mercière"),
                address_line2: Some("Bâtiment B"),
                postal_code: Some("69002"),
                city: Some("Lyon"),
                country: Some("fr"),
                consents: vec!["sms=yes", "phone=no", "sms=oui"],
                scenario: Some("gentle"),
                ..DetailsChanges::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(
            changed,
            [
                DetailField::RiskSegment,
                DetailField::TimeZone,
                DetailField::Language,
                DetailField::PreferredChannel,
                DetailField::Email,
                DetailField::Phone,
                DetailField::AddressLine1,
                DetailField::AddressLine2,
                DetailField::PostalCode,
                DetailField::City,
                DetailField::Consent,
                DetailField::Scenario,
            ],
            "the country was already FR"
        );
        let details = customer_details::details(store, &tenant, "LATE")
            .await
            .unwrap();
        let settings = &details.settings;
        assert_eq!(settings.risk, RiskSegment::High);
        assert_eq!(
            settings.time_zone.as_deref(),
            Some("America/Montreal"),
            "stored as the time zone database spells it"
        );
        assert_eq!(settings.language, Language::English);
        assert_eq!(settings.preferred, Channel::Letter);
        assert_eq!(settings.email.as_deref(), Some("relances@retard.fr"));
        assert_eq!(settings.phone.as_deref(), Some("+33 6 12 34 56 78"));
        assert_eq!(
            [
                settings.address_line1.as_str(),
                settings.address_line2.as_str(),
                settings.postal_code.as_str(),
                settings.city.as_str(),
                settings.country.as_str()
            ],
            ["4 rue Mercière", "Bâtiment B", "69002", "Lyon", "FR"]
        );
        assert_eq!(
            settings.consent,
            ChannelConsent {
                email: true,
                sms: true,
                phone: false,
                letter: true
            }
        );
        assert_eq!(settings.scenario.as_deref(), Some("gentle"));

        // Back to the creditor's zone and the default scenario; an empty value removes a detail.
        let changed = set(
            store,
            &tenant,
            DetailsChanges {
                time_zone: Some("default"),
                scenario: Some("default"),
                phone: Some(""),
                ..DetailsChanges::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(
            changed,
            [
                DetailField::TimeZone,
                DetailField::Phone,
                DetailField::Scenario
            ]
        );
        let settings = customer_details::details(store, &tenant, "LATE")
            .await
            .unwrap()
            .settings;
        assert_eq!(settings.time_zone, None);
        assert_eq!(settings.scenario, None);
        assert_eq!(settings.phone, None);
        assert_eq!(
            settings.email.as_deref(),
            Some("relances@retard.fr"),
            "what is not given does not change"
        );
        let other = customer_details::details(store, &tenant, "OTHER")
            .await
            .unwrap();
        assert_eq!(other.settings.risk, RiskSegment::Standard);
        assert_eq!(other.settings.time_zone, None);
    });
}

#[tokio::test]
async fn every_refused_value_is_named_and_nothing_is_written() {
    on_every_backend!(|database| {
        let store = &database.store;
        let tenant = setup(store).await;
        let before = customer_details::details(store, &tenant, "LATE")
            .await
            .unwrap();

        let error = set(
            store,
            &tenant,
            DetailsChanges {
                risk_segment: Some("normal"),
                time_zone: Some("Europe/Lyon"),
                language: Some("de"),
                preferred_channel: Some("pigeon"),
                email: Some("compta@retard"),
                phone: Some("call me"),
                city: Some("Lyon\nCedex"),
                country: Some("France"),
                consents: vec!["sms", "fax=yes", "sms=maybe", "email=yes", "email=no"],
                scenario: Some("harsh"),
                // A valid value among the refused ones is not written either.
                address_line1: Some("4 rue Mercière"),
                ..DetailsChanges::default()
            },
        )
        .await
        .unwrap_err();
        let found: Vec<(DetailField, String, ProblemKind)> = problems(error)
            .into_iter()
            .map(|problem| (problem.field, problem.value, problem.kind))
            .collect();
        let not_one_of = |known: &[&str]| ProblemKind::NotOneOf {
            known: known.iter().map(|code| (*code).to_owned()).collect(),
        };
        assert_eq!(
            found,
            vec![
                (
                    DetailField::RiskSegment,
                    "normal".to_owned(),
                    not_one_of(&["low", "standard", "high"])
                ),
                (
                    DetailField::TimeZone,
                    "Europe/Lyon".to_owned(),
                    ProblemKind::UnknownTimeZone
                ),
                (
                    DetailField::Language,
                    "de".to_owned(),
                    not_one_of(&["fr", "en"])
                ),
                (
                    DetailField::PreferredChannel,
                    "pigeon".to_owned(),
                    not_one_of(&["email", "sms", "phone", "letter"])
                ),
                (
                    DetailField::Email,
                    "compta@retard".to_owned(),
                    ProblemKind::NotAnEmail
                ),
                (
                    DetailField::Phone,
                    "call me".to_owned(),
                    ProblemKind::NotAPhone
                ),
                (
                    DetailField::City,
                    "Lyon\nCedex".to_owned(),
                    ProblemKind::ControlCharacter
                ),
                (
                    DetailField::Country,
                    "France".to_owned(),
                    ProblemKind::NotACountry
                ),
                (
                    DetailField::Consent,
                    "sms".to_owned(),
                    ProblemKind::NotAConsent
                ),
                (
                    DetailField::Consent,
                    "fax=yes".to_owned(),
                    ProblemKind::NotAConsent
                ),
                (
                    DetailField::Consent,
                    "sms=maybe".to_owned(),
                    ProblemKind::NotAConsent
                ),
                (
                    DetailField::Consent,
                    "email=no".to_owned(),
                    ProblemKind::ConsentContradicted
                ),
                (
                    DetailField::Scenario,
                    "harsh".to_owned(),
                    not_one_of(&["b2b-fr", "b2c-fr", "default"])
                ),
                (
                    DetailField::PostalCode,
                    String::new(),
                    ProblemKind::AddressIncomplete {
                        missing: vec![DetailField::PostalCode, DetailField::City]
                    }
                ),
            ]
        );
        assert_eq!(
            customer_details::details(store, &tenant, "LATE")
                .await
                .unwrap(),
            before
        );

        // Rules across fields: a French postal code has five digits, and the preferred channel
        // needs consent.
        let found = problems(
            set(
                store,
                &tenant,
                DetailsChanges {
                    address_line1: Some("4 rue Mercière"),
                    postal_code: Some("6902"),
                    city: Some("Lyon"),
                    preferred_channel: Some("sms"),
                    ..DetailsChanges::default()
                },
            )
            .await
            .unwrap_err(),
        );
        let kinds: Vec<&ProblemKind> = found.iter().map(|problem| &problem.kind).collect();
        assert_eq!(
            kinds,
            [
                &ProblemKind::NotAFrenchPostalCode,
                &ProblemKind::PreferredWithoutConsent
            ]
        );
        assert_eq!(
            found[0].describe(Language::French),
            "un code postal français a 5 chiffres"
        );
        assert_eq!(
            found[1].describe(Language::English),
            "the customer has not consented to this channel"
        );
        // Given together, consent and preference are accepted.
        set(
            store,
            &tenant,
            DetailsChanges {
                preferred_channel: Some("sms"),
                consents: vec!["sms=yes"],
                ..DetailsChanges::default()
            },
        )
        .await
        .unwrap();

        let error = customer_details::set_details(
            store,
            &tenant,
            clock(),
            "NOPE",
            &DetailsChanges {
                language: Some("en"),
                ..DetailsChanges::default()
            },
        )
        .await
        .unwrap_err();
        assert!(
            matches!(&error, CustomerDetailsError::UnknownCustomer { reference } if reference == "NOPE"),
            "{error}"
        );
    });
}

#[tokio::test]
async fn a_change_wakes_the_case_and_no_change_writes_nothing() {
    on_every_backend!(|database| {
        let store = &database.store;
        let tenant = setup(store).await;
        let today = date(2026, 11, 20);
        run(store, &tenant, today).await;
        assert_eq!(run(store, &tenant, today).await.customers_examined, 0);

        // The values it already has: nothing is written, the case stays asleep.
        let changed = set(
            store,
            &tenant,
            DetailsChanges {
                risk_segment: Some("standard"),
                email: Some("compta@retard.fr"),
                language: Some("fr"),
                consents: vec!["email=yes", "sms=no"],
                scenario: Some("default"),
                time_zone: Some("default"),
                ..DetailsChanges::default()
            },
        )
        .await
        .unwrap();
        assert!(changed.is_empty(), "{changed:?}");
        assert_eq!(run(store, &tenant, today).await.customers_examined, 0);

        set(
            store,
            &tenant,
            DetailsChanges {
                risk_segment: Some("high"),
                ..DetailsChanges::default()
            },
        )
        .await
        .unwrap();
        let again = run(store, &tenant, today).await;
        assert_eq!(again.customers_examined, 1, "only the changed customer");
        assert_eq!(
            again.writes.actions, 0,
            "the step already taken is not taken twice"
        );
    });
}

#[tokio::test]
async fn a_withdrawn_consent_stops_that_channel_at_the_next_run() {
    on_every_backend!(|database| {
        let store = &database.store;
        let tenant = setup(store).await;
        run(store, &tenant, date(2026, 11, 20)).await;
        let first = actions_on(store, &tenant, date(2026, 11, 20)).await;
        assert_eq!(first[0].channel, "email");

        set(
            store,
            &tenant,
            DetailsChanges {
                consents: vec!["email=no"],
                address_line1: Some("4 rue Mercière"),
                postal_code: Some("69002"),
                city: Some("Lyon"),
                ..DetailsChanges::default()
            },
        )
        .await
        .unwrap();
        run(store, &tenant, date(2026, 11, 26)).await;
        let second = actions_on(store, &tenant, date(2026, 11, 26)).await;
        let channels: Vec<&str> = second.iter().map(|a| a.channel.as_str()).collect();
        assert_eq!(channels, ["letter"], "{second:?}");
        assert_eq!(second[0].step_key, "second_reminder");
        assert!(
            second[0]
                .explanation
                .render(Language::English)
                .contains("email replaced by letter (no consent)"),
            "{}",
            second[0].explanation.render(Language::English)
        );
    });
}

#[tokio::test]
async fn a_time_zone_change_moves_the_scheduled_time() {
    on_every_backend!(|database| {
        let store = &database.store;
        let tenant = setup(store).await;
        run(store, &tenant, date(2026, 11, 20)).await;
        assert_eq!(
            actions_on(store, &tenant, date(2026, 11, 20)).await[0].scheduled_at,
            "2026-11-20T09:00:00+01:00[Europe/Paris]"
        );

        set(
            store,
            &tenant,
            DetailsChanges {
                time_zone: Some("America/New_York"),
                ..DetailsChanges::default()
            },
        )
        .await
        .unwrap();
        run(store, &tenant, date(2026, 11, 26)).await;
        let second = actions_on(store, &tenant, date(2026, 11, 26)).await;
        assert_eq!(second[0].step_key, "second_reminder");
        assert_eq!(
            second[0].scheduled_at, "2026-11-26T09:00:00-05:00[America/New_York]",
            "09:00 where the debtor is, six hours after 09:00 in Paris"
        );
    });
}

#[tokio::test]
async fn resolving_an_incident_lets_dunning_resume() {
    on_every_backend!(|database| {
        let store = &database.store;
        let tenant = setup(store).await;
        run(store, &tenant, date(2026, 11, 20)).await;
        let error = customer_details::resolve_incidents(
            store,
            &tenant,
            clock(),
            "LATE",
            None,
            Language::French,
        )
        .await
        .unwrap_err();
        assert!(
            matches!(&error, CustomerDetailsError::NoOpenIncident { reference } if reference == "LATE"),
            "{error}"
        );

        dunning::report_incident(
            store,
            &tenant,
            clock(),
            "LATE",
            "insultes au téléphone",
            Language::French,
        )
        .await
        .unwrap();
        run(store, &tenant, date(2026, 11, 26)).await;
        assert!(
            actions_on(store, &tenant, date(2026, 11, 26))
                .await
                .is_empty(),
            "no contact during an incident"
        );

        let resolved = customer_details::resolve_incidents(
            store,
            &tenant,
            clock(),
            "LATE",
            Some("excuses présentées"),
            Language::French,
        )
        .await
        .unwrap();
        assert_eq!(resolved.incidents.len(), 1);
        assert_eq!(resolved.proposals_cancelled, 1);
        assert!(!resolved.handed_off);
        let legal = dunning::list_actions(store, &tenant, None, Some("LATE"), None)
            .await
            .unwrap()
            .into_iter()
            .find(|action| action.channel == "legal")
            .unwrap();
        assert_eq!(legal.status, "cancelled");
        assert_eq!(
            legal.status_note.as_deref(),
            Some("incident résolu : excuses présentées")
        );
        let incidents = customer_details::incidents(store, &tenant, "LATE")
            .await
            .unwrap();
        assert_eq!(incidents[0].resolved_on, Some(date(2026, 11, 20)));
        assert_eq!(
            incidents[0].resolution_note.as_deref(),
            Some("excuses présentées")
        );

        let report = run(store, &tenant, date(2026, 11, 27)).await;
        assert_eq!(report.customers_examined, 1, "resolving woke the case");
        let resumed = actions_on(store, &tenant, date(2026, 11, 27)).await;
        assert_eq!(resumed.len(), 1, "{resumed:?}");
        assert_eq!(resumed[0].step_key, "second_reminder");

        let again = customer_details::resolve_incidents(
            store,
            &tenant,
            clock(),
            "LATE",
            None,
            Language::English,
        )
        .await
        .unwrap_err();
        assert!(matches!(again, CustomerDetailsError::NoOpenIncident { .. }));
    });
}

#[tokio::test]
async fn an_approved_legal_route_keeps_the_case_handed_off_after_resolution() {
    on_every_backend!(|database| {
        let store = &database.store;
        let tenant = setup(store).await;
        dunning::report_incident(
            store,
            &tenant,
            clock(),
            "LATE",
            "menaces",
            Language::English,
        )
        .await
        .unwrap();
        let legal = dunning::list_actions(
            store,
            &tenant,
            None,
            Some("LATE"),
            Some("awaiting_approval"),
        )
        .await
        .unwrap();
        dunning::approve_action(store, &tenant, legal[0].id)
            .await
            .unwrap();

        let resolved = customer_details::resolve_incidents(
            store,
            &tenant,
            clock(),
            "LATE",
            None,
            Language::English,
        )
        .await
        .unwrap();
        assert_eq!(resolved.proposals_cancelled, 0, "it was approved");
        assert!(resolved.handed_off);
        run(store, &tenant, date(2026, 11, 26)).await;
        assert!(
            actions_on(store, &tenant, date(2026, 11, 26))
                .await
                .is_empty()
        );
    });
}
