//! The creditor: the business that is owed money, as a tenant of Relance sees it.

use jiff::tz::TimeZone;

use crate::customer::Language;
use crate::identifiers::{Bic, CountryCode, Iban, Siren};
use crate::money::Currency;

/// What Relance needs to know about a creditor to write to its customers and do its sums.
#[derive(Debug, Clone, PartialEq)]
pub struct CreditorProfile {
    pub company_name: String,
    pub siren: Option<Siren>,
    pub address: PostalAddress,
    pub iban: Option<Iban>,
    /// Printed with the IBAN, and in the payment QR code, when known.
    pub bic: Option<Bic>,
    /// The language of the staff pages until a person chooses another.
    pub language: Language,
    /// Calendar dates (due dates, "today") are read in this zone.
    pub time_zone: TimeZoneName,
    /// The currency of reports and of invoices that do not name theirs.
    pub currency: Currency,
    /// Payment term used when a file gives an issue date but no due date (FEC has none).
    pub default_payment_term_days: u16,
}

/// A postal address as printed on a French business letter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PostalAddress {
    pub line1: String,
    pub line2: String,
    pub postal_code: String,
    pub city: String,
    pub country: Option<CountryCode>,
}

/// An IANA time zone name that is known to the time zone database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeZoneName(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{name:?} is not a known time zone (expected an IANA name such as Europe/Paris)")]
pub struct UnknownTimeZone {
    pub name: String,
}

impl TimeZoneName {
    pub fn parse(name: &str) -> Result<TimeZoneName, UnknownTimeZone> {
        let trimmed = name.trim();
        match TimeZone::get(trimmed) {
            Ok(_) => Ok(TimeZoneName(trimmed.to_owned())),
            Err(_) => Err(UnknownTimeZone {
                name: name.to_owned(),
            }),
        }
    }

    pub fn europe_paris() -> TimeZoneName {
        TimeZoneName("Europe/Paris".to_owned())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The French legal default payment term between businesses when nothing else is agreed:
/// 30 days after receipt of the goods or performance of the service (Code de commerce L441-10).
pub const FRENCH_DEFAULT_PAYMENT_TERM_DAYS: u16 = 30;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_zones_must_be_known() {
        assert_eq!(
            TimeZoneName::parse(" Europe/Paris ").unwrap().as_str(),
            "Europe/Paris"
        );
        assert!(TimeZoneName::parse("Europe/Lyon").is_err());
    }
}
