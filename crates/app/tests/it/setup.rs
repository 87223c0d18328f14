//! A creditor's profile changed after setup, on every backend: checked whole, saved whole.

use app::setup::{ProfileError, ProfileInput, update_profile};
use domain::customer::Language;
use test_support::on_every_backend;

use crate::fixtures::creditor;

fn input<'a>() -> ProfileInput<'a> {
    ProfileInput {
        company_name: "Atelier Nouveau SAS",
        siren: "732 829 320",
        address_line1: "12 quai Saint-Antoine",
        address_line2: "",
        postal_code: "69002",
        city: "Lyon",
        country: "fr",
        iban: "FR76 3000 6000 0112 3456 7890 189",
        bic: "agrifrpp",
        time_zone: "Europe/Paris",
        currency: "eur",
        payment_term_days: "45",
        language: "en",
    }
}

#[tokio::test]
async fn a_profile_is_saved_whole_and_read_back_in_canonical_form() {
    on_every_backend!(|database| {
        let store = &database.store;
        let tenant = creditor(store, "Atelier SARL").await;
        let updated = update_profile(store, &tenant, &input()).await.unwrap();
        let stored = store
            .tenants()
            .await
            .unwrap()
            .into_iter()
            .find(|record| record.id == tenant.id)
            .unwrap();
        assert_eq!(stored, updated);
        let profile = stored.profile;
        assert_eq!(profile.company_name, "Atelier Nouveau SAS");
        assert_eq!(profile.siren.unwrap().as_str(), "732829320");
        assert_eq!(
            profile.iban.unwrap().as_str(),
            "FR7630006000011234567890189"
        );
        assert_eq!(profile.bic.unwrap().as_str(), "AGRIFRPP");
        assert_eq!(profile.currency.code(), "EUR");
        assert_eq!(profile.default_payment_term_days, 45);
        assert_eq!(profile.language, Language::English);
        assert_eq!(profile.address.country.unwrap().as_str(), "FR");
    });
}

#[tokio::test]
async fn every_refused_field_is_named_at_once_and_nothing_is_saved() {
    on_every_backend!(|database| {
        let store = &database.store;
        let tenant = creditor(store, "Atelier SARL").await;
        let wrong = ProfileInput {
            company_name: "  ",
            siren: "123456789",
            bic: "BNPA12",
            time_zone: "Europe/Lyon",
            currency: "EURO",
            payment_term_days: "400",
            language: "de",
            city: "Lyon\nCedex",
            ..input()
        };
        let Err(ProfileError::Invalid { problems }) = update_profile(store, &tenant, &wrong).await
        else {
            panic!("the profile should be refused");
        };
        let fields: Vec<&str> = problems.iter().map(|p| p.field).collect();
        for field in [
            "company_name",
            "siren",
            "bic",
            "time_zone",
            "currency",
            "payment_term_days",
            "language",
            "city",
        ] {
            assert!(fields.contains(&field), "{field} in {fields:?}");
        }
        for problem in &problems {
            assert_ne!(
                problem.describe(Language::French),
                problem.describe(Language::English),
                "{}",
                problem.field
            );
        }
        let stored = store.tenants().await.unwrap();
        assert_eq!(stored[0], tenant, "nothing was written");
    });
}
