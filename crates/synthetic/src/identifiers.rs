//! Check digits for the identifiers the generator invents: SIREN (Luhn) and French IBAN
//! (RIB key and ISO 13616 mod-97).
//!
//! The digits are computed, never drawn, so that every generated identifier passes the domain's
//! `Siren::parse` and `Iban::parse` exactly as a real one would.

use domain::identifiers::{CountryCode, Iban, Siren};

/// First SIREN body (8 digits, before the check digit): real SIRENs do not start with 0.
const SIREN_BODY_FIRST: u32 = 10_000_000;
/// How many 8-digit bodies there are from `SIREN_BODY_FIRST` on.
pub(crate) const SIREN_BODY_SPAN: u32 = 90_000_000;
/// Steps through the bodies in a scattered order. Coprime with the span (2^7 · 3^2 · 5^7), so
/// that `index ↦ body` is a bijection: customers get distinct SIRENs that do not look sequential.
const SIREN_STRIDE: u64 = 73_856_093;

/// The SIREN of customer `index`: distinct for the first 90 million customers of a portfolio.
pub(crate) fn siren_for_index(index: u32, offset: u32) -> String {
    let scattered =
        (u64::from(index) * SIREN_STRIDE + u64::from(offset)) % u64::from(SIREN_BODY_SPAN);
    let body = SIREN_BODY_FIRST + u32::try_from(scattered).expect("below the span, which fits u32");
    siren_with_check_digit(body)
}

/// Appends the Luhn check digit to an 8-digit SIREN body.
pub(crate) fn siren_with_check_digit(body: u32) -> String {
    debug_assert!((SIREN_BODY_FIRST..SIREN_BODY_FIRST + SIREN_BODY_SPAN).contains(&body));
    Siren::from_body(body)
        .expect("bodies have 8 digits")
        .as_str()
        .to_owned()
}

/// A French IBAN from the RIB parts (bank 5 digits, branch 5 digits, account 11 digits): the
/// national RIB key first, then the ISO 13616 check digits.
pub(crate) fn french_iban(bank: &str, branch: &str, account: &str) -> String {
    debug_assert!(bank.len() == 5 && branch.len() == 5 && account.len() == 11);
    let number = |digits: &str| -> u64 { digits.parse().expect("RIB parts are digits") };
    // The RIB key: 97 - ((89·bank + 15·branch + 3·account) mod 97), on two digits.
    let weighted = 89 * number(bank) + 15 * number(branch) + 3 * number(account);
    let rib_key = 97 - weighted % 97;
    let bban = format!("{bank}{branch}{account}{rib_key:02}");
    Iban::from_bban(CountryCode::FRANCE, &bban)
        .expect("a computed IBAN is valid")
        .as_str()
        .to_owned()
}

#[cfg(test)]
mod tests {

    use super::*;

    #[test]
    fn the_check_digit_matches_known_sirens() {
        assert_eq!(siren_with_check_digit(73_282_932), "732829320");
        assert_eq!(siren_with_check_digit(55_210_055), "552100554");
    }

    #[test]
    fn scattered_sirens_are_distinct_and_valid() {
        let mut seen: Vec<String> = (0..5_000)
            .map(|index| siren_for_index(index, 12_345))
            .collect();
        assert!(seen.iter().all(|siren| Siren::parse(siren).is_ok()));
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), 5_000);
    }

    #[test]
    fn the_iban_check_digits_match_a_known_iban() {
        // The example IBAN of the domain's tests: bank 30006, branch 00001, account 12345678901.
        assert_eq!(
            french_iban("30006", "00001", "12345678901"),
            "FR7630006000011234567890189"
        );
        assert!(Iban::parse(&french_iban("30004", "00823", "00010123456")).is_ok());
    }
}
