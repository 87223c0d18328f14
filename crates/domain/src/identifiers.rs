//! Validated identifiers: French SIREN, IBAN, ISO 3166 country codes.
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
    #[error("{text:?} is not a country code (two letters, ISO 3166-1)")]
    Country { text: String },
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

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Siren {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn luhn_valid(digits: &str) -> bool {
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(position, byte)| {
            let digit = u32::from(byte - b'0');
            if position % 2 == 1 {
                let doubled = digit * 2;
                if doubled > 9 { doubled - 9 } else { doubled }
            } else {
                digit
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// An International Bank Account Number, checked with ISO 13616's mod-97 rule.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Iban(String);

impl Iban {
    pub fn parse(text: &str) -> Result<Iban, IdentifierError> {
        let compact: String = text
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_uppercase();
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

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Groups of four characters, as printed on letters.
    pub fn to_grouped_string(&self) -> String {
        let chars: Vec<char> = self.0.chars().collect();
        chars
            .chunks(4)
            .map(|chunk| chunk.iter().collect::<String>())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

impl fmt::Debug for Iban {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn iban_checksum(compact: &str) -> u32 {
    let rearranged = compact[4..].bytes().chain(compact[..4].bytes());
    rearranged.fold(0_u32, |remainder, byte| {
        if byte.is_ascii_digit() {
            (remainder * 10 + u32::from(byte - b'0')) % 97
        } else {
            (remainder * 100 + u32::from(byte - b'A' + 10)) % 97
        }
    })
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
    use super::*;

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
    fn iban_checks_the_mod_97_rule() {
        let iban = Iban::parse("fr76 3000 6000 0112 3456 7890 189").unwrap();
        assert_eq!(iban.as_str(), "FR7630006000011234567890189");
        assert_eq!(
            iban.to_grouped_string(),
            "FR76 3000 6000 0112 3456 7890 189"
        );
        assert!(Iban::parse("FR7630006000011234567890188").is_err());
        assert!(Iban::parse("FR76").is_err());
    }

    #[test]
    fn country_codes_are_two_letters_upper_cased() {
        assert_eq!(CountryCode::parse("fr").unwrap(), CountryCode::FRANCE);
        assert!(CountryCode::parse("FRA").is_err());
        assert!(CountryCode::parse("F1").is_err());
    }
}
