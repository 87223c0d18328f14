//! Validated identifiers: French SIREN, IBAN, BIC, ISO 11649 creditor references, ISO 3166
//! country codes.
//!
//! Each is parsed once at the boundary (`parse`), so the rest of the code never sees an
//! unchecked identifier.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentifierError {
    #[error("{text:?} is not a SIREN (9 digits with a valid check digit)")]
    Siren { text: String },
    #[error("{text:?} is not a valid IBAN")]
    Iban { text: String },
    #[error("{text:?} is not a BIC (8 or 11 characters: bank, country, place, branch)")]
    Bic { text: String },
    #[error("{text:?} is not a country code (two letters, ISO 3166-1)")]
    Country { text: String },
    #[error(
        "{text:?} is not an ISO 11649 creditor reference (RF, two check digits, 1 to 21 letters or digits)"
    )]
    RfReference { text: String },
}

/// The 9-digit French company number (SIREN), checked with the Luhn algorithm.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Siren(String);

impl Siren {
    pub fn parse(text: &str) -> Result<Siren, IdentifierError> {
        let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        if compact.len() == 9 && compact.bytes().all(|b| b.is_ascii_digit()) && luhn_valid(&compact)
        {
            Ok(Siren(compact))
        } else {
            Err(IdentifierError::Siren {
                text: text.to_owned(),
            })
        }
    }

    /// The SIREN made of an 8-digit body and its Luhn check digit; `None` above 8 digits.
    pub fn from_body(body: u32) -> Option<Siren> {
        if body > 99_999_999 {
            return None;
        }
        let digits = format!("{body:08}");
        let check = (10 - luhn_sum(&digits, LuhnParity::RightmostDoubled) % 10) % 10;
        Some(Siren(format!("{digits}{check}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Siren {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Which digits Luhn doubles, counting from the right: a number with its check digit doubles
/// the second from the right; a body awaiting its check digit doubles its rightmost.
#[derive(Clone, Copy, PartialEq, Eq)]
enum LuhnParity {
    RightmostKept,
    RightmostDoubled,
}

fn luhn_sum(digits: &str, parity: LuhnParity) -> u32 {
    let doubled_position = match parity {
        LuhnParity::RightmostKept => 1,
        LuhnParity::RightmostDoubled => 0,
    };
    digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(position, byte)| {
            let digit = u32::from(byte - b'0');
            if position % 2 == doubled_position {
                let doubled = digit * 2;
                if doubled > 9 { doubled - 9 } else { doubled }
            } else {
                digit
            }
        })
        .sum()
}

fn luhn_valid(digits: &str) -> bool {
    luhn_sum(digits, LuhnParity::RightmostKept).is_multiple_of(10)
}

/// An International Bank Account Number, checked with ISO 13616's mod-97 rule.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Iban(String);

impl Iban {
    pub fn parse(text: &str) -> Result<Iban, IdentifierError> {
        let compact = compact_upper(text);
        let well_formed = (15..=34).contains(&compact.len())
            && compact.bytes().all(|b| b.is_ascii_alphanumeric())
            && compact.as_bytes()[..2].iter().all(u8::is_ascii_alphabetic)
            && compact.as_bytes()[2..4].iter().all(u8::is_ascii_digit);
        if well_formed && iban_checksum(&compact) == 1 {
            Ok(Iban(compact))
        } else {
            Err(IdentifierError::Iban {
                text: text.to_owned(),
            })
        }
    }

    /// The IBAN of a country's basic bank account number, with its ISO 13616 check digits.
    pub fn from_bban(country: CountryCode, bban: &str) -> Result<Iban, IdentifierError> {
        let check = 98 - mod_97(&format!("{}{}00", bban, country.as_str()));
        Iban::parse(&format!("{}{check:02}{bban}", country.as_str()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Iban {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn iban_checksum(compact: &str) -> u32 {
    mod_97(&format!("{}{}", &compact[4..], &compact[..4]))
}

/// The text without its spaces, in upper case: how IBANs and BICs are stored.
fn compact_upper(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_uppercase()
}

/// The remainder modulo 97 of an alphanumeric string read as ISO 13616 does (A = 10 … Z = 35).
fn mod_97(text: &str) -> u32 {
    text.bytes().fold(0_u32, |remainder, byte| {
        if byte.is_ascii_digit() {
            (remainder * 10 + u32::from(byte - b'0')) % 97
        } else {
            (remainder * 100 + u32::from(byte.to_ascii_uppercase() - b'A' + 10)) % 97
        }
    })
}

/// A Business Identifier Code (ISO 9362): four letters for the bank, two for its country, two
/// letters or digits for the place, and optionally three for the branch.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Bic(String);

impl Bic {
    pub fn parse(text: &str) -> Result<Bic, IdentifierError> {
        let compact = compact_upper(text);
        let bytes = compact.as_bytes();
        let well_formed = (bytes.len() == 8 || bytes.len() == 11)
            && bytes[..6].iter().all(u8::is_ascii_alphabetic)
            && bytes[6..].iter().all(u8::is_ascii_alphanumeric);
        if well_formed {
            Ok(Bic(compact))
        } else {
            Err(IdentifierError::Bic {
                text: text.to_owned(),
            })
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Bic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An ISO 11649 structured creditor reference ("RF" reference): `RF`, two check digits and a
/// body of 1 to 21 letters or digits, checked with the same mod-97 rule as the IBAN.
///
/// Relance prints it on letters and QR codes so that a payment can be matched to its invoices
/// without reading free text; bank files carry it back in the structured remittance
/// information. It is held in the electronic format (upper case, no spaces).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct RfReference(String);

/// Longest body of an RF reference: 25 characters in all, less `RF` and the check digits.
const RF_BODY_MAX: usize = 21;

impl RfReference {
    /// Reads a reference in the electronic (`RF18539007547034`) or print format
    /// (`RF18 5390 0754 7034`), in any case.
    pub fn parse(text: &str) -> Result<RfReference, IdentifierError> {
        let compact = compact_upper(text);
        let bytes = compact.as_bytes();
        let well_formed = (5..=4 + RF_BODY_MAX).contains(&bytes.len())
            && bytes.starts_with(b"RF")
            && bytes[2..4].iter().all(u8::is_ascii_digit)
            && bytes[4..].iter().all(u8::is_ascii_alphanumeric);
        if well_formed && mod_97(&format!("{}{}", &compact[4..], &compact[..4])) == 1 {
            Ok(RfReference(compact))
        } else {
            Err(IdentifierError::RfReference {
                text: text.to_owned(),
            })
        }
    }

    /// The reference for `body` (1 to 21 letters or digits, spaces ignored), with its check
    /// digits: what Relance issues for an invoice or a customer.
    pub fn from_body(body: &str) -> Result<RfReference, IdentifierError> {
        let compact: String = body
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_uppercase();
        if compact.is_empty()
            || compact.len() > RF_BODY_MAX
            || !compact.bytes().all(|b| b.is_ascii_alphanumeric())
        {
            return Err(IdentifierError::RfReference {
                text: body.to_owned(),
            });
        }
        let check = 98 - mod_97(&format!("{compact}RF00"));
        RfReference::parse(&format!("RF{check:02}{compact}"))
    }

    /// The reference Relance prints for a customer, derived from the customer's code so that
    /// the matcher can find the customer from a payment: the code's letters and digits,
    /// upper-cased, when they fit in 21 characters and the code holds nothing but them and
    /// separators (space, `-`, `_`, `.`, `/`); otherwise `H` followed by a base-36 hash of the
    /// code (xxh3, 64 bits), which the matcher recomputes for each customer. The same code
    /// always gives the same reference.
    pub fn for_customer(code: &str) -> RfReference {
        let trimmed = code.trim();
        let mut body = String::new();
        let mut only_separators_dropped = true;
        for c in trimmed.chars() {
            if c.is_ascii_alphanumeric() {
                body.push(c.to_ascii_uppercase());
            } else if !matches!(c, ' ' | '-' | '_' | '.' | '/') {
                only_separators_dropped = false;
            }
        }
        if !only_separators_dropped || body.is_empty() || body.len() > RF_BODY_MAX {
            body = format!(
                "H{}",
                base36(xxhash_rust::xxh3::xxh3_64(trimmed.as_bytes()))
            );
        }
        RfReference::from_body(&body).expect("the body is 1 to 21 letters or digits")
    }

    /// The electronic format: `RF18539007547034`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The print format, in groups of four for a person to copy: `RF18 5390 0754 7034`.
    pub fn grouped(&self) -> String {
        self.0
            .as_bytes()
            .chunks(4)
            .map(|chunk| std::str::from_utf8(chunk).expect("a reference is ASCII"))
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The body the reference was made from, without `RF` and the check digits.
    pub fn body(&self) -> &str {
        &self.0[4..]
    }
}

impl fmt::Debug for RfReference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Display for RfReference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn base36(mut value: u64) -> String {
    const DIGITS: &[u8; 36] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let mut text = Vec::new();
    loop {
        text.push(DIGITS[(value % 36) as usize]);
        value /= 36;
        if value == 0 {
            break;
        }
    }
    text.reverse();
    String::from_utf8(text).expect("base-36 digits are ASCII")
}

/// An ISO 3166-1 alpha-2 country code, upper case.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CountryCode([u8; 2]);

impl CountryCode {
    pub const FRANCE: CountryCode = CountryCode(*b"FR");

    pub fn parse(text: &str) -> Result<CountryCode, IdentifierError> {
        let trimmed = text.trim();
        match trimmed.as_bytes() {
            [first, second] if first.is_ascii_alphabetic() && second.is_ascii_alphabetic() => {
                Ok(CountryCode([
                    first.to_ascii_uppercase(),
                    second.to_ascii_uppercase(),
                ]))
            }
            _ => Err(IdentifierError::Country {
                text: text.to_owned(),
            }),
        }
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).expect("country codes are ASCII")
    }
}

impl fmt::Debug for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn a_bic_has_eight_or_eleven_characters_and_a_country() {
        assert_eq!(Bic::parse(" bnpa fr pp ").unwrap().as_str(), "BNPAFRPP");
        assert_eq!(Bic::parse("BNPAFRPPXXX").unwrap().as_str(), "BNPAFRPPXXX");
        for wrong in ["BNPAFRP", "BNPAFRPPXX", "BNPA12PP", "", "BNPAFRP!"] {
            assert!(Bic::parse(wrong).is_err(), "{wrong}");
        }
    }

    proptest! {
        /// Every body issues a reference that reads back, and a typing error that puts another
        /// digit for a digit or another letter for a letter is always caught (mod 97 changes
        /// by a non-zero multiple of a power of ten, smaller than 97, which 97 cannot divide).
        #[test]
        fn issued_rf_references_read_back_and_catch_one_wrong_character(
            body in "[0-9A-Z]{1,21}",
            position in 0_usize..25,
            shift in 1_u8..10,
        ) {
            let reference = RfReference::from_body(&body).unwrap();
            prop_assert_eq!(RfReference::parse(reference.as_str()), Ok(reference.clone()));
            prop_assert_eq!(reference.body(), body.as_str());
            let mut altered = reference.as_str().as_bytes().to_vec();
            let position = 2 + position % (altered.len() - 2);
            let byte = altered[position];
            altered[position] = if byte.is_ascii_digit() {
                b'0' + (byte - b'0' + shift) % 10
            } else {
                b'A' + (byte - b'A' + shift) % 26
            };
            let altered = String::from_utf8(altered).unwrap();
            prop_assert!(RfReference::parse(&altered).is_err(), "{}", altered);
        }
    }

    #[test]
    fn siren_accepts_valid_numbers_with_spaces() {
        assert_eq!(Siren::parse("732 829 320").unwrap().as_str(), "732829320");
        assert!(Siren::parse("552100554").is_ok());
    }

    #[test]
    fn siren_refuses_a_wrong_check_digit_or_length() {
        assert!(Siren::parse("732829321").is_err());
        assert!(Siren::parse("12345678").is_err());
        assert!(Siren::parse("12345678A").is_err());
    }

    #[test]
    fn check_digits_are_computed_as_they_are_checked() {
        assert_eq!(Siren::from_body(73_282_932).unwrap().as_str(), "732829320");
        assert_eq!(Siren::from_body(55_210_055).unwrap().as_str(), "552100554");
        assert_eq!(Siren::from_body(100_000_000), None);
        let iban = Iban::from_bban(CountryCode::FRANCE, "30006000011234567890189").unwrap();
        assert_eq!(iban.as_str(), "FR7630006000011234567890189");
    }

    #[test]
    fn iban_checks_the_mod_97_rule() {
        let iban = Iban::parse("fr76 3000 6000 0112 3456 7890 189").unwrap();
        assert_eq!(iban.as_str(), "FR7630006000011234567890189");
        assert!(Iban::parse("FR7630006000011234567890188").is_err());
        assert!(Iban::parse("FR76").is_err());
    }

    #[test]
    fn rf_references_check_the_mod_97_rule() {
        // The example of ISO 11649 itself.
        let reference = RfReference::parse("RF18 5390 0754 7034").unwrap();
        assert_eq!(reference.as_str(), "RF18539007547034");
        assert_eq!(reference.body(), "539007547034");
        assert!(RfReference::parse("rf18539007547034").is_ok());
        assert!(RfReference::parse("RF19539007547034").is_err());
        assert!(RfReference::parse("RF18").is_err());
        assert!(RfReference::parse("RF1853900754703-4").is_err());
        assert!(RfReference::parse("XX18539007547034").is_err());
        assert!(RfReference::parse(&format!("RF00{}", "1".repeat(22))).is_err());
    }

    #[test]
    fn rf_references_are_issued_with_their_check_digits() {
        assert_eq!(
            RfReference::from_body("5390 0754 7034").unwrap().as_str(),
            "RF18539007547034"
        );
        let invoice = RfReference::from_body("F2026-0131".replace('-', "").as_str()).unwrap();
        assert_eq!(RfReference::parse(invoice.as_str()), Ok(invoice.clone()));
        assert!(RfReference::from_body("").is_err());
        assert!(RfReference::from_body("F-1").is_err());
        assert!(RfReference::from_body(&"9".repeat(22)).is_err());
    }

    #[test]
    fn rf_references_print_in_groups_of_four_and_read_back() {
        let reference = RfReference::parse("RF18 5390 0754 7034").unwrap();
        assert_eq!(reference.grouped(), "RF18 5390 0754 7034");
        for body in ["A", "C042", "ZZZZZZZZZZZZZZZZZZZZZ", "DUPONT2026"] {
            let issued = RfReference::from_body(body).unwrap();
            assert_eq!(
                RfReference::parse(&issued.grouped().to_lowercase()),
                Ok(issued)
            );
        }
    }

    #[test]
    fn a_customers_reference_comes_from_its_code() {
        assert_eq!(RfReference::for_customer("C042").body(), "C042");
        assert_eq!(
            RfReference::for_customer(" cli-2026/042 ").body(),
            "CLI2026042"
        );
        // A code with other characters, or too long, is hashed: stable, and still valid.
        let accented = RfReference::for_customer("CLIENTÉ");
        assert!(accented.body().starts_with('H'));
        assert_eq!(accented, RfReference::for_customer("CLIENTÉ"));
        assert_ne!(accented, RfReference::for_customer("CLIENTE"));
        let long = RfReference::for_customer("A-VERY-LONG-CUSTOMER-CODE-0001");
        assert!(long.body().starts_with('H') && long.body().len() <= RF_BODY_MAX);
        assert!(RfReference::parse(long.as_str()).is_ok());
    }

    #[test]
    fn country_codes_are_two_letters_upper_cased() {
        assert_eq!(CountryCode::parse("fr").unwrap(), CountryCode::FRANCE);
        assert!(CountryCode::parse("FRA").is_err());
        assert!(CountryCode::parse("F1").is_err());
    }
}
