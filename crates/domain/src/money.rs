//! Money as integer minor units of an ISO 4217 currency.
//!
//! Amounts are never floats. A `Money` is a count of the currency's minor unit (cents for EUR)
//! together with its `Currency`; arithmetic is checked and refuses to mix currencies.
//! Text goes in and out only in the canonical form `-1234.56` (a dot, the currency's exponent);
//! locale variants (decimal comma, thousands spaces) are the business of the file readers.

use std::fmt;

/// An ISO 4217 currency and the number of digits of its minor unit.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency {
    code: [u8; 3],
    exponent: u8,
}

/// The currencies Relance knows, with their minor-unit exponent (ISO 4217).
/// The list covers the EU, its neighbours and the main trading currencies; adding one is a data change.
const KNOWN_CURRENCIES: &[(&str, u8)] = &[
    ("EUR", 2),
    ("USD", 2),
    ("GBP", 2),
    ("CHF", 2),
    ("CAD", 2),
    ("AUD", 2),
    ("NZD", 2),
    ("SEK", 2),
    ("NOK", 2),
    ("DKK", 2),
    ("PLN", 2),
    ("CZK", 2),
    ("HUF", 2),
    ("RON", 2),
    ("BGN", 2),
    ("ISK", 0),
    ("TRY", 2),
    ("MAD", 2),
    ("TND", 3),
    ("DZD", 2),
    ("XOF", 0),
    ("XAF", 0),
    ("XPF", 0),
    ("CNY", 2),
    ("HKD", 2),
    ("SGD", 2),
    ("INR", 2),
    ("BRL", 2),
    ("MXN", 2),
    ("ZAR", 2),
    ("AED", 2),
    ("SAR", 2),
    ("ILS", 2),
    ("KWD", 3),
    ("BHD", 3),
    ("JPY", 0),
    ("KRW", 0),
];

impl Currency {
    pub const EUR: Currency = Currency {
        code: *b"EUR",
        exponent: 2,
    };

    /// Looks a currency up by its three-letter code, in any case.
    pub fn from_code(code: &str) -> Result<Currency, MoneyError> {
        // Without an upper-cased copy: readers convert millions of stored codes.
        let code_trimmed = code.trim();
        KNOWN_CURRENCIES
            .iter()
            .find(|(known, _)| known.eq_ignore_ascii_case(code_trimmed))
            .map(|(known, exponent)| Currency {
                code: known
                    .as_bytes()
                    .try_into()
                    .expect("codes have three letters"),
                exponent: *exponent,
            })
            .ok_or(MoneyError::UnknownCurrency {
                code: code.trim().to_owned(),
            })
    }

    pub fn code(&self) -> &str {
        std::str::from_utf8(&self.code).expect("codes are ASCII")
    }

    /// Digits after the decimal point in this currency's minor unit (2 for EUR, 0 for JPY).
    pub fn exponent(&self) -> u8 {
        self.exponent
    }
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// An exact amount: a signed count of minor units of one currency.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Money {
    minor: i64,
    currency: Currency,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("unknown currency {code:?}")]
    UnknownCurrency { code: String },
    #[error("{text:?} is not an amount (expected digits with an optional sign and decimal point)")]
    NotAnAmount { text: String },
    #[error("{text:?} has more decimals than {currency} allows ({exponent})")]
    TooManyDecimals {
        text: String,
        currency: Currency,
        exponent: u8,
    },
    #[error("{text:?} is too large")]
    TooLarge { text: String },
    #[error("cannot combine amounts in {left} and {right}")]
    CurrencyMismatch { left: Currency, right: Currency },
    #[error("amount overflow")]
    Overflow,
}

impl Money {
    pub fn from_minor(minor: i64, currency: Currency) -> Money {
        Money { minor, currency }
    }

    pub fn zero(currency: Currency) -> Money {
        Money { minor: 0, currency }
    }

    pub fn minor(&self) -> i64 {
        self.minor
    }

    pub fn currency(&self) -> Currency {
        self.currency
    }

    pub fn is_zero(&self) -> bool {
        self.minor == 0
    }

    pub fn is_positive(&self) -> bool {
        self.minor > 0
    }

    pub fn is_negative(&self) -> bool {
        self.minor < 0
    }

    /// Parses the canonical decimal form: an optional `-` or `+`, digits, and an optional `.`
    /// followed by at most the currency's exponent of digits. Nothing is rounded: more digits
    /// than the currency allows is an error, unless the extra digits are zeros.
    pub fn parse_decimal(text: &str, currency: Currency) -> Result<Money, MoneyError> {
        let not_an_amount = || MoneyError::NotAnAmount {
            text: text.to_owned(),
        };
        let (negative, unsigned) = match text.as_bytes().first() {
            Some(b'-') => (true, &text[1..]),
            Some(b'+') => (false, &text[1..]),
            _ => (false, text),
        };
        let (whole, fraction) = match unsigned.split_once('.') {
            Some((whole, fraction)) => (whole, fraction),
            None => (unsigned, ""),
        };
        let all_digits = |part: &str| part.bytes().all(|byte| byte.is_ascii_digit());
        if (whole.is_empty() && fraction.is_empty()) || !all_digits(whole) || !all_digits(fraction)
        {
            return Err(not_an_amount());
        }
        let exponent = usize::from(currency.exponent);
        let significant = fraction.trim_end_matches('0');
        if significant.len() > exponent {
            return Err(MoneyError::TooManyDecimals {
                text: text.to_owned(),
                currency,
                exponent: currency.exponent,
            });
        }
        let too_large = || MoneyError::TooLarge {
            text: text.to_owned(),
        };
        let mut minor: i64 = 0;
        for digit in whole.bytes().chain(significant.bytes()) {
            minor = minor
                .checked_mul(10)
                .and_then(|value| value.checked_add(i64::from(digit - b'0')))
                .ok_or_else(too_large)?;
        }
        for _ in significant.len()..exponent {
            minor = minor.checked_mul(10).ok_or_else(too_large)?;
        }
        Ok(Money {
            minor: if negative { -minor } else { minor },
            currency,
        })
    }

    /// The canonical decimal form, always with the currency's number of decimals: `1234.50`.
    pub fn to_decimal_string(&self) -> String {
        let exponent = u32::from(self.currency.exponent);
        let sign = if self.minor < 0 { "-" } else { "" };
        let magnitude = self.minor.unsigned_abs();
        if exponent == 0 {
            return format!("{sign}{magnitude}");
        }
        let scale = 10_u64.pow(exponent);
        format!(
            "{sign}{}.{:0width$}",
            magnitude / scale,
            magnitude % scale,
            width = exponent as usize
        )
    }

    pub fn checked_add(self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(other)?;
        let minor = self
            .minor
            .checked_add(other.minor)
            .ok_or(MoneyError::Overflow)?;
        Ok(Money {
            minor,
            currency: self.currency,
        })
    }

    pub fn checked_sub(self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(other)?;
        let minor = self
            .minor
            .checked_sub(other.minor)
            .ok_or(MoneyError::Overflow)?;
        Ok(Money {
            minor,
            currency: self.currency,
        })
    }

    fn same_currency(self, other: Money) -> Result<(), MoneyError> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(MoneyError::CurrencyMismatch {
                left: self.currency,
                right: other.currency,
            })
        }
    }
}

impl fmt::Debug for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.to_decimal_string(), self.currency)
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.to_decimal_string(), self.currency)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eur(text: &str) -> Result<Money, MoneyError> {
        Money::parse_decimal(text, Currency::EUR)
    }

    #[test]
    fn parses_canonical_amounts_into_cents() {
        assert_eq!(eur("1234.56").unwrap().minor(), 123_456);
        assert_eq!(eur("1234.5").unwrap().minor(), 123_450);
        assert_eq!(eur("1234").unwrap().minor(), 123_400);
        assert_eq!(eur("-0.01").unwrap().minor(), -1);
        assert_eq!(eur("+7.00").unwrap().minor(), 700);
        assert_eq!(eur(".5").unwrap().minor(), 50);
        assert_eq!(eur("0000000069.60").unwrap().minor(), 6960);
    }

    #[test]
    fn extra_decimals_are_refused_unless_they_are_zeros() {
        assert_eq!(eur("18.150").unwrap().minor(), 1815);
        assert!(matches!(
            eur("18.155"),
            Err(MoneyError::TooManyDecimals { .. })
        ));
    }

    #[test]
    fn garbage_is_not_an_amount() {
        for text in ["", "-", ".", "12a", "1.2.3", "1,5", " 1", "--1", "1e3"] {
            assert!(
                matches!(eur(text), Err(MoneyError::NotAnAmount { .. })),
                "{text:?}"
            );
        }
    }

    #[test]
    fn overflow_is_an_error_not_a_wrap() {
        assert!(matches!(
            eur("99999999999999999999"),
            Err(MoneyError::TooLarge { .. })
        ));
        let max = Money::from_minor(i64::MAX, Currency::EUR);
        assert_eq!(
            max.checked_add(eur("0.01").unwrap()),
            Err(MoneyError::Overflow)
        );
    }

    #[test]
    fn exponent_follows_the_currency() {
        let yen = Currency::from_code("jpy").unwrap();
        assert_eq!(
            Money::parse_decimal("1500", yen)
                .unwrap()
                .to_decimal_string(),
            "1500"
        );
        assert!(Money::parse_decimal("1500.5", yen).is_err());
        let dinar = Currency::from_code("TND").unwrap();
        assert_eq!(
            Money::parse_decimal("1.5", dinar)
                .unwrap()
                .to_decimal_string(),
            "1.500"
        );
    }

    #[test]
    fn formats_with_the_currency_decimals() {
        assert_eq!(
            Money::from_minor(5, Currency::EUR).to_decimal_string(),
            "0.05"
        );
        assert_eq!(
            Money::from_minor(-123_456, Currency::EUR).to_decimal_string(),
            "-1234.56"
        );
        assert_eq!(Money::from_minor(0, Currency::EUR).to_string(), "0.00 EUR");
    }

    #[test]
    fn currencies_do_not_mix() {
        let usd = Money::from_minor(100, Currency::from_code("USD").unwrap());
        let eur = Money::from_minor(100, Currency::EUR);
        assert!(matches!(
            eur.checked_add(usd),
            Err(MoneyError::CurrencyMismatch { .. })
        ));
    }

    #[test]
    fn unknown_currency_is_named() {
        assert_eq!(
            Currency::from_code("XYZ"),
            Err(MoneyError::UnknownCurrency { code: "XYZ".into() })
        );
    }

    #[test]
    fn parse_and_format_round_trip() {
        for minor in [-1_000_001_i64, -1, 0, 1, 99, 100, 123_456_789] {
            let money = Money::from_minor(minor, Currency::EUR);
            assert_eq!(eur(&money.to_decimal_string()).unwrap(), money);
        }
    }
}
