//! The creditor the demo collects for: a French SME in Lyon.

use domain::creditor::{
    CreditorProfile, FRENCH_DEFAULT_PAYMENT_TERM_DAYS, PostalAddress, TimeZoneName,
};
use domain::identifiers::{CountryCode, Iban, Siren};
use domain::money::Currency;

use crate::identifiers::{french_iban, siren_with_check_digit};

/// "Atelier Bellevue SAS", Lyon: a fictitious company with identifiers whose check digits are
/// computed, so that they pass validation without belonging to anyone real.
pub fn demo_creditor() -> CreditorProfile {
    let siren = Siren::parse(&siren_with_check_digit(84_215_637)).expect("check digit computed");
    let iban =
        Iban::parse(&french_iban("30004", "00823", "00010123456")).expect("check digits computed");
    CreditorProfile {
        company_name: "Atelier Bellevue SAS".to_owned(),
        siren: Some(siren),
        address: PostalAddress {
            line1: "14 rue de la Charité".to_owned(),
            line2: String::new(),
            postal_code: "69002".to_owned(),
            city: "Lyon".to_owned(),
            country: Some(CountryCode::FRANCE),
        },
        iban: Some(iban),
        bic: None,
        language: domain::customer::Language::French,
        time_zone: TimeZoneName::europe_paris(),
        currency: Currency::EUR,
        default_payment_term_days: FRENCH_DEFAULT_PAYMENT_TERM_DAYS,
    }
}
