//! The creditor's customers (the debtors), as far as collection needs to know them.

use std::fmt;

use crate::identifiers::CountryCode;

/// The creditor's own reference for a customer (its "code client"); unique within a tenant.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CustomerRef(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CustomerError {
    #[error("the customer reference is empty")]
    EmptyReference,
    #[error("the customer reference {reference:?} is longer than {max} characters")]
    ReferenceTooLong { reference: String, max: usize },
    #[error("the customer name is empty")]
    EmptyName,
    #[error("{text:?} is not a customer kind (expected b2b or b2c)")]
    UnknownKind { text: String },
    #[error("{text:?} is not an e-mail address")]
    InvalidEmail { text: String },
    #[error("{text:?} is not a phone number")]
    InvalidPhone { text: String },
}

/// Longest reference or invoice number accepted; accounting systems stay far below it.
pub const REFERENCE_LENGTH_MAX: usize = 64;

impl CustomerRef {
    pub fn parse(text: &str) -> Result<CustomerRef, CustomerError> {
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err(CustomerError::EmptyReference);
        }
        // At most as many characters as bytes: only longer texts need counting.
        if trimmed.len() > REFERENCE_LENGTH_MAX && trimmed.chars().count() > REFERENCE_LENGTH_MAX {
            return Err(CustomerError::ReferenceTooLong {
                reference: trimmed.to_owned(),
                max: REFERENCE_LENGTH_MAX,
            });
        }
        Ok(CustomerRef(trimmed.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for CustomerRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Display for CustomerRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Business or consumer: the law (penalties, indemnity, contact rules) differs between them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CustomerKind {
    Business,
    Consumer,
}

impl CustomerKind {
    /// Reads `b2b`/`b2c` and the French words an export may carry instead.
    pub fn parse(text: &str) -> Result<CustomerKind, CustomerError> {
        match text.trim().to_lowercase().as_str() {
            "b2b" | "business" | "professionnel" | "pro" | "entreprise" | "societe" | "société" => {
                Ok(CustomerKind::Business)
            }
            "b2c" | "consumer" | "particulier" | "consommateur" => Ok(CustomerKind::Consumer),
            _ => Err(CustomerError::UnknownKind {
                text: text.to_owned(),
            }),
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            CustomerKind::Business => "b2b",
            CustomerKind::Consumer => "b2c",
        }
    }
}

/// The language a customer is written to in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Language {
    French,
    English,
}

impl Language {
    pub const ALL: [Language; 2] = [Language::French, Language::English];

    /// Reads a code as `code` writes it (case and surrounding spaces ignored).
    pub fn parse(text: &str) -> Option<Language> {
        let wanted = text.trim().to_ascii_lowercase();
        Language::ALL
            .into_iter()
            .find(|language| language.code() == wanted)
    }

    pub fn code(&self) -> &'static str {
        match self {
            Language::French => "fr",
            Language::English => "en",
        }
    }

    /// French for French-speaking countries, English elsewhere.
    pub fn for_country(country: CountryCode) -> Language {
        const FRENCH_SPEAKING: &[&str] =
            &["FR", "BE", "LU", "MC", "CH", "CA", "MA", "TN", "SN", "CI"];
        if FRENCH_SPEAKING.contains(&country.as_str()) {
            Language::French
        } else {
            Language::English
        }
    }
}

/// A channel Relance can reach a customer through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Channel {
    Email,
    Sms,
    Phone,
    Letter,
}

impl Channel {
    pub const ALL: [Channel; 4] = [
        Channel::Email,
        Channel::Sms,
        Channel::Phone,
        Channel::Letter,
    ];

    /// Reads a code as `code` writes it (case and surrounding spaces ignored).
    pub fn parse(text: &str) -> Option<Channel> {
        let wanted = text.trim().to_ascii_lowercase();
        Channel::ALL
            .into_iter()
            .find(|channel| channel.code() == wanted)
    }

    pub fn code(&self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Sms => "sms",
            Channel::Phone => "phone",
            Channel::Letter => "letter",
        }
    }
}

/// Which channels the customer may be contacted through. No channel is used without it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChannelConsent {
    pub email: bool,
    pub sms: bool,
    pub phone: bool,
    pub letter: bool,
}

impl ChannelConsent {
    /// What a creditor may use without asking: e-mail, phone and letter for the contract's
    /// business correspondence; SMS only once the customer has agreed to it.
    pub fn contractual_defaults() -> ChannelConsent {
        ChannelConsent {
            email: true,
            sms: false,
            phone: true,
            letter: true,
        }
    }

    pub fn allows(&self, channel: Channel) -> bool {
        match channel {
            Channel::Email => self.email,
            Channel::Sms => self.sms,
            Channel::Phone => self.phone,
            Channel::Letter => self.letter,
        }
    }
}

/// An e-mail address, checked for shape only (one `@`, a dot in the domain, no spaces).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EmailAddress(String);

impl EmailAddress {
    pub fn parse(text: &str) -> Result<EmailAddress, CustomerError> {
        let trimmed = text.trim();
        let bytes = trimmed.as_bytes();
        // This runs for every row of an invoice file, so each check is one simple pass the
        // compiler vectorises. Above the space and not DEL: no ASCII whitespace or control byte
        // (the bytes of a non-ASCII character are all above 0x7F; such characters are checked
        // for whitespace and controls below).
        let printable = bytes
            .iter()
            .fold(true, |ok, &byte| ok & (byte > b' ') & (byte != 0x7F));
        let ats = bytes.iter().filter(|&&byte| byte == b'@').count();
        if !printable || ats != 1 {
            return Err(invalid_email(text));
        }
        let at = bytes
            .iter()
            .position(|&byte| byte == b'@')
            .expect("counted once");
        let ascii = bytes.is_ascii();
        let (local, domain) = (&trimmed[..at], &trimmed[at + 1..]);
        let shaped = !local.is_empty()
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && (ascii || !trimmed.chars().any(|c| c.is_whitespace() || c.is_control()));
        if shaped {
            Ok(EmailAddress(trimmed.to_owned()))
        } else {
            Err(invalid_email(text))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cold]
fn invalid_email(text: &str) -> CustomerError {
    CustomerError::InvalidEmail {
        text: text.to_owned(),
    }
}

/// A phone number as written by the creditor; digits, spaces, dots, dashes, parentheses and a
/// leading `+`, with 6 to 15 digits (E.164's maximum).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PhoneNumber(String);

impl PhoneNumber {
    pub fn parse(text: &str) -> Result<PhoneNumber, CustomerError> {
        let trimmed = text.trim();
        let bytes = trimmed.as_bytes();
        let allowed = bytes.iter().enumerate().all(|(index, &byte)| {
            byte.is_ascii_digit()
                || matches!(byte, b' ' | b'.' | b'-' | b'(' | b')')
                || (byte == b'+' && index == 0)
        });
        let digits = bytes.iter().filter(|byte| byte.is_ascii_digit()).count();
        if allowed && (6..=15).contains(&digits) {
            Ok(PhoneNumber(trimmed.to_owned()))
        } else {
            Err(CustomerError::InvalidPhone {
                text: text.to_owned(),
            })
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The customer facts an invoice file carries. Later imports and the UI add the rest
/// (addresses, identifiers, preferred channel).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerDetails {
    pub reference: CustomerRef,
    pub legal_name: String,
    pub kind: CustomerKind,
    pub country: CountryCode,
    pub email: Option<EmailAddress>,
    pub phone: Option<PhoneNumber>,
}

impl CustomerDetails {
    pub fn language(&self) -> Language {
        Language::for_country(self.country)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_trimmed_and_bounded() {
        assert_eq!(CustomerRef::parse("  C001 ").unwrap().as_str(), "C001");
        assert_eq!(CustomerRef::parse("  "), Err(CustomerError::EmptyReference));
        assert!(matches!(
            CustomerRef::parse(&"x".repeat(65)),
            Err(CustomerError::ReferenceTooLong { .. })
        ));
    }

    #[test]
    fn kinds_are_read_in_english_and_french() {
        assert_eq!(CustomerKind::parse("B2B").unwrap(), CustomerKind::Business);
        assert_eq!(
            CustomerKind::parse("Particulier").unwrap(),
            CustomerKind::Consumer
        );
        assert!(CustomerKind::parse("b2x").is_err());
    }

    #[test]
    fn emails_are_checked_for_shape() {
        assert!(EmailAddress::parse("compta@exemple.fr").is_ok());
        for bad in [
            "compta",
            "compta@",
            "@exemple.fr",
            "a b@exemple.fr",
            "a@exemple",
            "a@b@c.fr",
            "a@.fr",
            "a@exemple.",
            "a\u{a0}b@exemple.fr",
            "a\tb@exemple.fr",
            "a@exem\u{7}ple.fr",
        ] {
            assert!(EmailAddress::parse(bad).is_err(), "{bad:?}");
        }
        assert!(EmailAddress::parse("frédéric@société.fr").is_ok());
        assert_eq!(
            EmailAddress::parse(" compta@exemple.fr ").unwrap().as_str(),
            "compta@exemple.fr"
        );
    }

    #[test]
    fn phones_accept_french_and_international_forms() {
        assert!(PhoneNumber::parse("01 23 45 67 89").is_ok());
        assert!(PhoneNumber::parse("+33 1 23 45 67 89").is_ok());
        assert!(PhoneNumber::parse("06.12.34.56.78").is_ok());
        assert!(PhoneNumber::parse("12").is_err());
        assert!(PhoneNumber::parse("01 23 + 45").is_err());
        assert!(PhoneNumber::parse("call me").is_err());
    }

    #[test]
    fn channel_codes_round_trip() {
        for channel in Channel::ALL {
            assert_eq!(
                Channel::parse(&channel.code().to_uppercase()),
                Some(channel)
            );
        }
        assert_eq!(Channel::parse("pigeon"), None);
    }

    #[test]
    fn language_codes_round_trip() {
        for language in Language::ALL {
            assert_eq!(
                Language::parse(&language.code().to_uppercase()),
                Some(language)
            );
        }
        assert_eq!(Language::parse("de"), None);
    }

    #[test]
    fn sms_needs_explicit_consent_by_default() {
        let consent = ChannelConsent::contractual_defaults();
        assert!(consent.allows(Channel::Email));
        assert!(!consent.allows(Channel::Sms));
    }

    #[test]
    fn language_follows_the_country() {
        assert_eq!(Language::for_country(CountryCode::FRANCE), Language::French);
        assert_eq!(
            Language::for_country(CountryCode::parse("DE").unwrap()),
            Language::English
        );
    }
}
