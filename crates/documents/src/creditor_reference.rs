//! The structured creditor reference of ISO 11649 ("RF" followed by two check digits and up to
//! 21 letters or digits), printed on payment instructions and carried by the EPC QR code so a
//! bank transfer names what it pays and can be matched without reading free text.
//!
//! The check digits are ISO 7064 MOD 97-10, as for an IBAN: the reference is rearranged with
//! `RF` and the check digits at the end, letters are read as numbers (A = 10 … Z = 35), and the
//! remainder modulo 97 must be 1.
//!
//! Relance derives a customer's reference from the customer's own code, so that the matcher can
//! find the customer from a payment: the code's letters and digits, upper-cased, when they fit
//! in 21 characters and the code holds nothing else than separators (space, `-`, `_`, `.`, `/`);
//! otherwise `H` followed by a base-36 hash of the code (FNV-1a, 64 bits), which the matcher
//! recomputes for each customer.

use std::fmt;

/// The longest reference body ISO 11649 allows (25 characters in all).
const BODY_MAX: usize = 21;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CreditorReferenceError {
    #[error(
        "{text:?} is not a creditor reference (RF, two check digits, 1 to 21 letters or digits)"
    )]
    Malformed { text: String },
    #[error("{text:?} has wrong check digits (expected {expected:02})")]
    CheckDigits { text: String, expected: u32 },
}

/// A valid ISO 11649 reference, held in its compact, upper-case form: `RF18539007547034`.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct CreditorReference(String);

impl CreditorReference {
    /// Reads a reference as printed or typed: spaces are ignored, letters may be lower case.
    pub fn parse(text: &str) -> Result<CreditorReference, CreditorReferenceError> {
        let compact: String = text
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_uppercase();
        let malformed = || CreditorReferenceError::Malformed {
            text: text.to_owned(),
        };
        let body_len = compact.len().checked_sub(4).ok_or_else(malformed)?;
        let shaped = compact.starts_with("RF")
            && (1..=BODY_MAX).contains(&body_len)
            && compact.as_bytes()[2..4].iter().all(u8::is_ascii_digit)
            && compact.bytes().all(|b| b.is_ascii_alphanumeric());
        if !shaped {
            return Err(malformed());
        }
        let body = &compact[4..];
        if remainder(&format!("{body}{}", &compact[..4])) != 1 {
            return Err(CreditorReferenceError::CheckDigits {
                text: text.to_owned(),
                expected: check_digits(body),
            });
        }
        Ok(CreditorReference(compact))
    }

    /// The reference with `body` (1 to 21 letters or digits, any case) and its check digits.
    pub fn from_body(body: &str) -> Result<CreditorReference, CreditorReferenceError> {
        let body = body.to_ascii_uppercase();
        if body.is_empty()
            || body.len() > BODY_MAX
            || !body.bytes().all(|b| b.is_ascii_alphanumeric())
        {
            return Err(CreditorReferenceError::Malformed { text: body });
        }
        Ok(CreditorReference(format!(
            "RF{:02}{body}",
            check_digits(&body)
        )))
    }

    /// The reference Relance prints for a customer, derived from the customer's code (see the
    /// module documentation); the same code always gives the same reference.
    pub fn for_customer(customer_ref: &str) -> CreditorReference {
        let trimmed = customer_ref.trim();
        let mut body = String::new();
        let mut only_separators_dropped = true;
        for c in trimmed.chars() {
            if c.is_ascii_alphanumeric() {
                body.push(c.to_ascii_uppercase());
            } else if !matches!(c, ' ' | '-' | '_' | '.' | '/') {
                only_separators_dropped = false;
            }
        }
        if !only_separators_dropped || body.is_empty() || body.len() > BODY_MAX {
            body = format!("H{}", base36(fnv1a(trimmed.as_bytes())));
        }
        CreditorReference::from_body(&body).expect("the body is 1 to 21 letters or digits")
    }

    /// Compact: `RF18539007547034` (what a QR code and a bank file carry).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The part after the check digits.
    pub fn body(&self) -> &str {
        &self.0[4..]
    }

    /// In groups of four, as printed for a person to copy: `RF18 5390 0754 7034`.
    pub fn grouped(&self) -> String {
        crate::format::grouped_iban(&self.0)
    }
}

impl fmt::Debug for CreditorReference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Display for CreditorReference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The two check digits of `body`: 98 minus the remainder of `body` + `RF00`.
fn check_digits(body: &str) -> u32 {
    98 - remainder(&format!("{body}RF00"))
}

/// ISO 7064 MOD 97-10 over letters and digits (A = 10 … Z = 35).
fn remainder(text: &str) -> u32 {
    text.bytes().fold(0_u32, |remainder, byte| {
        if byte.is_ascii_digit() {
            (remainder * 10 + u32::from(byte - b'0')) % 97
        } else {
            (remainder * 100 + u32::from(byte.to_ascii_uppercase() - b'A' + 10)) % 97
        }
    })
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_iso_11649_example_is_valid() {
        let reference = CreditorReference::parse("RF18 5390 0754 7034").unwrap();
        assert_eq!(reference.as_str(), "RF18539007547034");
        assert_eq!(reference.body(), "539007547034");
        assert_eq!(reference.grouped(), "RF18 5390 0754 7034");
        assert_eq!(
            CreditorReference::from_body("539007547034").unwrap(),
            reference
        );
        // The other published examples.
        assert!(CreditorReference::parse("RF18000000000539007547034").is_ok());
        assert_eq!(
            CreditorReference::from_body("000000000539007547034")
                .unwrap()
                .as_str(),
            "RF18000000000539007547034"
        );
    }

    #[test]
    fn a_wrong_check_digit_or_shape_is_refused() {
        assert_eq!(
            CreditorReference::parse("RF19539007547034"),
            Err(CreditorReferenceError::CheckDigits {
                text: "RF19539007547034".to_owned(),
                expected: 18
            })
        );
        for bad in [
            "",
            "RF",
            "RF18",
            "XX18539007547034",
            "RF1A5390",
            "RF18 5390-0754",
        ] {
            assert!(CreditorReference::parse(bad).is_err(), "{bad:?}");
        }
        assert!(CreditorReference::parse("RF181234567890123456789012").is_err());
        assert!(CreditorReference::from_body("").is_err());
        assert!(CreditorReference::from_body("ABC-1").is_err());
        assert!(CreditorReference::from_body("1234567890123456789012").is_err());
    }

    #[test]
    fn check_digits_computed_are_check_digits_accepted() {
        for body in [
            "A",
            "0",
            "C042",
            "ZZZZZZZZZZZZZZZZZZZZZ",
            "123456789012345678901",
            "DUPONT2026",
        ] {
            let reference = CreditorReference::from_body(body).unwrap();
            assert_eq!(
                CreditorReference::parse(reference.as_str()),
                Ok(reference.clone())
            );
            assert_eq!(
                CreditorReference::parse(&reference.grouped().to_lowercase()),
                Ok(reference)
            );
        }
    }

    #[test]
    fn a_customers_reference_comes_from_its_code() {
        assert_eq!(CreditorReference::for_customer("C042").body(), "C042");
        assert_eq!(
            CreditorReference::for_customer(" cli-2026/042 ").body(),
            "CLI2026042"
        );
        // A code with other characters, or too long, is hashed: stable, and still valid.
        let accented = CreditorReference::for_customer("CLIENTÉ");
        assert!(accented.body().starts_with('H'));
        assert_eq!(accented, CreditorReference::for_customer("CLIENTÉ"));
        assert_ne!(accented, CreditorReference::for_customer("CLIENTE"));
        let long = CreditorReference::for_customer("A-VERY-LONG-CUSTOMER-CODE-0001");
        assert!(long.body().starts_with('H') && long.body().len() <= BODY_MAX);
        assert!(CreditorReference::parse(long.as_str()).is_ok());
    }
}
