//! The EPC QR code payload (European Payments Council, EPC069-12 "Quick Response Code:
//! guidelines to enable data capture for the initiation of a SEPA credit transfer"): the text a
//! banking app reads to fill in a transfer: beneficiary, IBAN, amount and reference.
//!
//! Version 002 of the format, UTF-8 (character set 1), identification `SCT`. The BIC is optional
//! within the EEA in version 002 and left empty when unknown. Elements are separated by a line
//! feed; trailing empty elements are left out, as the guidelines ask. A structured reference
//! (ISO 11649) and a free remittance text are exclusive: Relance always gives the structured one,
//! so the payment matches itself. The whole payload is at most 331 bytes; QR codes carrying it
//! use error correction level M.

use domain::identifiers::Iban;
use domain::money::Money;

use domain::identifiers::RfReference;

/// Longest beneficiary name the format carries.
const NAME_MAX: usize = 70;
/// Longest payload the guidelines allow.
const PAYLOAD_MAX: usize = 331;
/// 999,999,999.99 EUR, the largest amount the format carries, in cents.
const AMOUNT_MAX_CENTS: i64 = 99_999_999_999;

/// A credit transfer to propose to the payer.
#[derive(Debug, Clone, Copy)]
pub struct EpcTransfer<'a> {
    pub beneficiary: &'a str,
    pub iban: &'a Iban,
    /// Optional within the EEA.
    pub bic: Option<&'a str>,
    /// In euros; `None` lets the payer type it.
    pub amount: Option<Money>,
    pub reference: &'a RfReference,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EpcError {
    #[error("a SEPA credit transfer QR code carries euros only (the amount is in {currency})")]
    NotEuro { currency: String },
    #[error("the amount {amount} is outside 0.01 to 999999999.99 EUR")]
    AmountOutOfRange { amount: String },
    #[error("the beneficiary name is empty")]
    NoBeneficiary,
    #[error("the BIC {bic:?} is not 8 or 11 letters and digits")]
    Bic { bic: String },
    #[error("the payload is {length} bytes, more than the {PAYLOAD_MAX} allowed")]
    TooLong { length: usize },
}

/// The payload of the EPC QR code for `transfer`.
pub fn epc_qr_payload(transfer: &EpcTransfer<'_>) -> Result<String, EpcError> {
    let beneficiary: String = transfer
        .beneficiary
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(NAME_MAX)
        .collect();
    if beneficiary.is_empty() {
        return Err(EpcError::NoBeneficiary);
    }
    let bic = match transfer.bic.map(str::trim).filter(|bic| !bic.is_empty()) {
        Some(bic)
            if matches!(bic.len(), 8 | 11) && bic.bytes().all(|b| b.is_ascii_alphanumeric()) =>
        {
            bic.to_ascii_uppercase()
        }
        Some(bic) => {
            return Err(EpcError::Bic {
                bic: bic.to_owned(),
            });
        }
        None => String::new(),
    };
    let amount = match transfer.amount {
        None => String::new(),
        Some(amount) => {
            if amount.currency().code() != "EUR" {
                return Err(EpcError::NotEuro {
                    currency: amount.currency().code().to_owned(),
                });
            }
            if !(1..=AMOUNT_MAX_CENTS).contains(&amount.minor()) {
                return Err(EpcError::AmountOutOfRange {
                    amount: amount.to_string(),
                });
            }
            format!("EUR{}.{:02}", amount.minor() / 100, amount.minor() % 100)
        }
    };
    let elements = [
        "BCD".to_owned(),
        "002".to_owned(),
        "1".to_owned(),
        "SCT".to_owned(),
        bic,
        beneficiary,
        transfer.iban.as_str().to_owned(),
        amount,
        // Purpose code: none.
        String::new(),
        transfer.reference.as_str().to_owned(),
        // Unstructured remittance: exclusive with the structured reference.
        String::new(),
        // Beneficiary-to-originator information: none.
        String::new(),
    ];
    let last = elements
        .iter()
        .rposition(|element| !element.is_empty())
        .expect("the header is never empty");
    let payload = elements[..=last].join("\n");
    if payload.len() > PAYLOAD_MAX {
        return Err(EpcError::TooLong {
            length: payload.len(),
        });
    }
    Ok(payload)
}

#[cfg(test)]
#[allow(clippy::inconsistent_digit_grouping)] // cents grouped as euros_cents
mod tests {
    use domain::money::Currency;

    use super::*;

    fn iban() -> Iban {
        Iban::parse("FR76 3000 6000 0112 3456 7890 189").unwrap()
    }

    /// The payload, element by element, as EPC069-12 lays it out (version 002).
    #[test]
    fn the_payload_follows_the_epc_layout() {
        let reference = RfReference::for_customer("C042");
        let iban = iban();
        let payload = epc_qr_payload(&EpcTransfer {
            beneficiary: "Atelier Bellevue SARL",
            iban: &iban,
            bic: None,
            amount: Some(Money::from_minor(3_855_50, Currency::EUR)),
            reference: &reference,
        })
        .unwrap();
        let lines: Vec<&str> = payload.split('\n').collect();
        assert_eq!(
            lines,
            vec![
                "BCD",                         // service tag
                "002",                         // version
                "1",                           // character set: UTF-8
                "SCT",                         // SEPA credit transfer
                "",                            // BIC, optional in the EEA
                "Atelier Bellevue SARL",       // beneficiary, at most 70
                "FR7630006000011234567890189", // IBAN
                "EUR3855.50",                  // amount
                "",                            // purpose
                reference.as_str(),            // structured reference (ISO 11649)
            ]
        );
        assert!(!payload.ends_with('\n'));
        assert!(payload.len() <= PAYLOAD_MAX);
    }

    #[test]
    fn a_bic_and_a_long_name_are_carried_as_the_format_allows() {
        let reference = RfReference::from_body("539007547034").unwrap();
        let iban = iban();
        let name = "Société coopérative ouvrière de production des artisans réunis du Lyonnais et du Beaujolais";
        let payload = epc_qr_payload(&EpcTransfer {
            beneficiary: name,
            iban: &iban,
            bic: Some("bnpafrpp"),
            amount: None,
            reference: &reference,
        })
        .unwrap();
        let lines: Vec<&str> = payload.split('\n').collect();
        assert_eq!(lines[4], "BNPAFRPP");
        assert_eq!(lines[5].chars().count(), 70);
        assert!(name.starts_with(lines[5]));
        assert_eq!(lines[7], "", "no amount: the payer types it");
        assert_eq!(lines[9], "RF18539007547034");
    }

    #[test]
    fn what_the_format_cannot_carry_is_refused() {
        let reference = RfReference::for_customer("C1");
        let iban = iban();
        let transfer = |amount, bic| EpcTransfer {
            beneficiary: "ACME",
            iban: &iban,
            bic,
            amount,
            reference: &reference,
        };
        let usd = Money::from_minor(100, Currency::from_code("USD").unwrap());
        assert!(matches!(
            epc_qr_payload(&transfer(Some(usd), None)),
            Err(EpcError::NotEuro { .. })
        ));
        for cents in [0, -5, 100_000_000_000] {
            assert!(matches!(
                epc_qr_payload(&transfer(
                    Some(Money::from_minor(cents, Currency::EUR)),
                    None
                )),
                Err(EpcError::AmountOutOfRange { .. })
            ));
        }
        assert!(matches!(
            epc_qr_payload(&transfer(None, Some("BNP"))),
            Err(EpcError::Bic { .. })
        ));
        assert_eq!(
            epc_qr_payload(&EpcTransfer {
                beneficiary: "  ",
                ..transfer(None, None)
            }),
            Err(EpcError::NoBeneficiary)
        );
    }
}
