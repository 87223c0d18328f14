//! Text of one field: decoding (UTF-8 or Windows-1252), amounts and dates as people write them.
//!
//! Encoding detection works field by field so a 10-million-row file is never buffered: values
//! are read as UTF-8 until one is not valid UTF-8. If no non-ASCII UTF-8 was seen before, the
//! file is taken as Windows-1252 from then on (everything before was ASCII, which both encodings
//! read the same); otherwise the file mixes encodings and that value is a problem. A BOM counts
//! as UTF-8 seen. Only the fields a reader uses are decoded: bytes in ignored columns never
//! matter.

use std::borrow::Cow;

use domain::money::{Currency, Money, MoneyError};
use jiff::civil::Date;

use crate::problem::{AmountError, ProblemKind};

/// The character encoding of a text file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextEncoding {
    Utf8,
    Windows1252,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Detecting { seen_non_ascii: bool },
    Utf8,
    Windows1252,
}

#[derive(Debug, Clone)]
pub(crate) struct Decoder {
    mode: Mode,
}

impl Decoder {
    /// `forced` skips detection; `had_bom` means the file declared itself UTF-8.
    pub(crate) fn new(forced: Option<TextEncoding>, had_bom: bool) -> Decoder {
        let mode = match forced {
            Some(TextEncoding::Utf8) => Mode::Utf8,
            Some(TextEncoding::Windows1252) => Mode::Windows1252,
            None => Mode::Detecting {
                seen_non_ascii: had_bom,
            },
        };
        Decoder { mode }
    }

    /// Whether valid UTF-8 is taken as is (false once the file is read as Windows-1252).
    pub(crate) fn reads_utf8(&self) -> bool {
        self.mode != Mode::Windows1252
    }

    /// Records that `text`, valid UTF-8 found without `decode`, was read.
    #[inline]
    pub(crate) fn saw_utf8(&mut self, text: &str) {
        if self.mode
            == (Mode::Detecting {
                seen_non_ascii: false,
            })
            && !text.is_ascii()
        {
            self.mode = Mode::Detecting {
                seen_non_ascii: true,
            };
        }
    }

    pub(crate) fn encoding(&self) -> TextEncoding {
        match self.mode {
            Mode::Windows1252 => TextEncoding::Windows1252,
            Mode::Detecting { .. } | Mode::Utf8 => TextEncoding::Utf8,
        }
    }

    /// The field as text, borrowed whenever no conversion is needed. On failure the problem
    /// kind to report (the caller knows the line and column).
    pub(crate) fn decode<'a>(&mut self, bytes: &'a [u8]) -> Result<Cow<'a, str>, ProblemKind> {
        if self.mode == Mode::Windows1252 {
            return Ok(encoding_rs::WINDOWS_1252
                .decode_without_bom_handling(bytes)
                .0);
        }
        match std::str::from_utf8(bytes) {
            Ok(text) => {
                self.saw_utf8(text);
                Ok(Cow::Borrowed(text))
            }
            Err(_) => match self.mode {
                Mode::Detecting {
                    seen_non_ascii: false,
                } => {
                    self.mode = Mode::Windows1252;
                    Ok(encoding_rs::WINDOWS_1252
                        .decode_without_bom_handling(bytes)
                        .0)
                }
                Mode::Detecting {
                    seen_non_ascii: true,
                } => Err(ProblemKind::MixedEncoding),
                Mode::Utf8 | Mode::Windows1252 => Err(ProblemKind::InvalidUtf8),
            },
        }
    }
}

/// `str::trim`, with a shortcut for the usual case of ASCII at both ends.
#[inline]
pub(crate) fn trim(text: &str) -> &str {
    let bytes = text.as_bytes();
    if bytes.first().is_some_and(u8::is_ascii_graphic)
        && bytes.last().is_some_and(u8::is_ascii_graphic)
    {
        return text;
    }
    let trimmed = text.trim_ascii();
    match (trimmed.as_bytes().first(), trimmed.as_bytes().last()) {
        (Some(first), Some(last)) if first.is_ascii() && last.is_ascii() => trimmed,
        _ => trimmed.trim(),
    }
}

/// Spaces people and spreadsheets put in numbers: ASCII, no-break, narrow no-break, thin.
fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\u{a0}' | '\u{202f}' | '\u{2009}')
}

/// Parses an amount as written in French or English exports into `currency`.
///
/// Accepts a sign, `€` or the currency's ISO code before or after the number, a decimal point
/// or comma, and thousands separators (spaces, or the other punctuation). When both `.` and `,`
/// occur, the last one is the decimal separator; a single `.` or `,` is a decimal separator; a
/// punctuation mark that occurs several times separates thousands. Thousands separators must
/// separate groups of three digits. `canonical` is scratch space, reused across calls.
#[inline]
pub(crate) fn parse_amount(
    text: &str,
    currency: Currency,
    canonical: &mut String,
) -> Result<Money, AmountError> {
    match parse_plain_amount(text.as_bytes(), currency) {
        Some(money) => Ok(money),
        None => parse_written_amount(text, currency, canonical),
    }
}

#[inline(never)]
fn parse_written_amount(
    text: &str,
    currency: Currency,
    canonical: &mut String,
) -> Result<Money, AmountError> {
    let mut rest = text.trim_matches(is_space);
    let mut negative = false;
    let mut signed = false;
    if let Some((sign_negative, unsigned)) = strip_sign(rest) {
        (negative, signed, rest) = (sign_negative, true, unsigned);
    }
    rest = strip_currency(rest, currency)?;
    if !signed && let Some((sign_negative, unsigned)) = strip_sign(rest) {
        (negative, rest) = (sign_negative, unsigned);
    }
    let bytes = rest.as_bytes();
    let last_dot = bytes.iter().rposition(|&b| b == b'.');
    let last_comma = bytes.iter().rposition(|&b| b == b',');
    let dots = bytes.iter().filter(|&&b| b == b'.').count();
    let commas = bytes.iter().filter(|&&b| b == b',').count();
    let (decimal, group) = match (last_dot, last_comma) {
        (None, None) => (None, None),
        (Some(dot), Some(comma)) => {
            let (decimal, count, group) = if dot > comma {
                (dot, dots, b',')
            } else {
                (comma, commas, b'.')
            };
            if count > 1 {
                return Err(AmountError::NotANumber);
            }
            (Some(decimal), Some(group))
        }
        (Some(dot), None) if dots == 1 => (Some(dot), None),
        (None, Some(comma)) if commas == 1 => (Some(comma), None),
        (Some(_), None) => (None, Some(b'.')),
        (None, Some(_)) => (None, Some(b',')),
    };
    let (whole, fraction) = match decimal {
        Some(position) => (&rest[..position], &rest[position + 1..]),
        None => (rest, ""),
    };
    // A separator with no digits after it ("12,") is more likely a typo than a round amount.
    if !fraction.bytes().all(|b| b.is_ascii_digit()) || (decimal.is_some() && fraction.is_empty()) {
        return Err(AmountError::NotANumber);
    }
    canonical.clear();
    if negative {
        canonical.push('-');
    }
    push_grouped_digits(whole, group, canonical)?;
    if whole.is_empty() && fraction.is_empty() {
        return Err(AmountError::NotANumber);
    }
    if decimal.is_some() {
        canonical.push('.');
        canonical.push_str(fraction);
    }
    Money::parse_decimal(canonical, currency).map_err(|error| match error {
        MoneyError::TooManyDecimals { .. } => AmountError::TooManyDecimals { currency },
        MoneyError::TooLarge { .. } | MoneyError::Overflow => AmountError::TooLarge,
        _ => AmountError::NotANumber,
    })
}

/// The common shape `-1234,56` (optional minus, digits, optional decimal point or comma with at
/// most the currency's decimals), read without building the canonical text; `None` for anything
/// else, which the general path then reads to the same result or explains.
#[inline]
fn parse_plain_amount(bytes: &[u8], currency: Currency) -> Option<Money> {
    let (negative, digits) = match bytes.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, bytes),
    };
    // At most 18 digits: no overflow is possible in the loop.
    if digits.is_empty() || digits.len() > 18 {
        return None;
    }
    let mut minor: i64 = 0;
    let mut separator: Option<usize> = None;
    for (position, &byte) in digits.iter().enumerate() {
        let digit = byte.wrapping_sub(b'0');
        if digit < 10 {
            minor = minor * 10 + i64::from(digit);
        } else if (byte == b'.' || byte == b',') && separator.is_none() {
            separator = Some(position);
        } else {
            return None;
        }
    }
    let decimals = match separator {
        Some(position) => digits.len() - position - 1,
        None => 0,
    };
    let exponent = usize::from(currency.exponent());
    // "12," and "," are left to the general path, which refuses them.
    if decimals > exponent || (separator.is_some() && decimals == 0) {
        return None;
    }
    for _ in decimals..exponent {
        minor = minor.checked_mul(10)?;
    }
    Some(Money::from_minor(
        if negative { -minor } else { minor },
        currency,
    ))
}

fn strip_sign(text: &str) -> Option<(bool, &str)> {
    if let Some(rest) = text.strip_prefix('-') {
        Some((true, rest.trim_start_matches(is_space)))
    } else {
        text.strip_prefix('+')
            .map(|rest| (false, rest.trim_start_matches(is_space)))
    }
}

/// Removes `€` or a three-letter code before or after the number, checking it is `currency`.
fn strip_currency(text: &str, currency: Currency) -> Result<&str, AmountError> {
    let check = |found: &str| {
        let matches = if found == "€" {
            currency.code() == "EUR"
        } else {
            found.eq_ignore_ascii_case(currency.code())
        };
        if matches {
            Ok(())
        } else {
            Err(AmountError::OtherCurrency {
                found: found.to_ascii_uppercase(),
                expected: currency,
            })
        }
    };
    if let Some(rest) = text.strip_prefix('€') {
        check("€")?;
        return Ok(rest.trim_start_matches(is_space));
    }
    if let Some(rest) = text.strip_suffix('€') {
        check("€")?;
        return Ok(rest.trim_end_matches(is_space));
    }
    let bytes = text.as_bytes();
    if bytes.len() > 3
        && bytes[..3].iter().all(u8::is_ascii_alphabetic)
        && !bytes[3].is_ascii_alphabetic()
    {
        check(&text[..3])?;
        return Ok(text[3..].trim_start_matches(is_space));
    }
    let length = bytes.len();
    if length > 3
        && bytes[length - 3..].iter().all(u8::is_ascii_alphabetic)
        && !bytes[length - 4].is_ascii_alphabetic()
    {
        check(&text[length - 3..])?;
        return Ok(text[..length - 3].trim_end_matches(is_space));
    }
    Ok(text)
}

/// Appends the digits of the whole part, checking that any thousands separators (`group`, or
/// spaces) cut it into a first group of one to three digits and further groups of three.
fn push_grouped_digits(
    whole: &str,
    group: Option<u8>,
    canonical: &mut String,
) -> Result<(), AmountError> {
    let mut separator: Option<char> = None;
    let mut group_length = 0_usize;
    let mut groups = 0_usize;
    for c in whole.chars() {
        if c.is_ascii_digit() {
            canonical.push(c);
            group_length += 1;
            continue;
        }
        let is_separator = is_space(c) || group.is_some_and(|g| c == char::from(g));
        if !is_separator {
            return Err(AmountError::NotANumber);
        }
        let kind = if is_space(c) { ' ' } else { c };
        if separator.is_some_and(|known| known != kind) {
            return Err(AmountError::BadGrouping);
        }
        separator = Some(kind);
        let valid = if groups == 0 {
            (1..=3).contains(&group_length)
        } else {
            group_length == 3
        };
        if !valid {
            return Err(AmountError::BadGrouping);
        }
        groups += 1;
        group_length = 0;
    }
    if groups > 0 && group_length != 3 {
        return Err(AmountError::BadGrouping);
    }
    Ok(())
}

/// Parses `YYYY-MM-DD`, `YYYYMMDD`, or day first `DD/MM/YYYY` with `/`, `-` or `.` (one- or
/// two-digit day and month); also `YYYY/MM/DD`. `None` for anything else, impossible calendar
/// dates included.
#[inline]
pub(crate) fn parse_date(text: &str) -> Option<Date> {
    let bytes = text.as_bytes();
    // The two common shapes first, at fixed positions.
    if let [d1, d2, b'/', m1, m2, b'/', y1, y2, y3, y4] = *bytes {
        return make_date(
            number(&[y1, y2, y3, y4])?,
            number(&[m1, m2])?,
            number(&[d1, d2])?,
        );
    }
    if let [y1, y2, y3, y4, b'-', m1, m2, b'-', d1, d2] = *bytes {
        return make_date(
            number(&[y1, y2, y3, y4])?,
            number(&[m1, m2])?,
            number(&[d1, d2])?,
        );
    }
    parse_other_date(bytes)
}

#[inline(never)]
fn parse_other_date(bytes: &[u8]) -> Option<Date> {
    if bytes.len() == 8 && bytes.iter().all(u8::is_ascii_digit) {
        return make_date(
            number(&bytes[0..4])?,
            number(&bytes[4..6])?,
            number(&bytes[6..8])?,
        );
    }
    let separator = *bytes.iter().find(|b| !b.is_ascii_digit())?;
    if !matches!(separator, b'/' | b'-' | b'.') {
        return None;
    }
    let mut parts = bytes.split(|&b| b == separator);
    let (first, second, third) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let short = |part: &[u8]| (1..=2).contains(&part.len());
    if first.len() == 4 && short(second) && short(third) {
        make_date(number(first)?, number(second)?, number(third)?)
    } else if third.len() == 4 && short(first) && short(second) {
        make_date(number(third)?, number(second)?, number(first)?)
    } else {
        None
    }
}

/// The value of at most four ASCII digits.
#[inline]
fn number(digits: &[u8]) -> Option<i16> {
    let mut value: i16 = 0;
    for &digit in digits {
        if !digit.is_ascii_digit() {
            return None;
        }
        value = value * 10 + i16::from(digit - b'0');
    }
    Some(value)
}

#[inline]
fn make_date(year: i16, month: i16, day: i16) -> Option<Date> {
    Date::new(year, i8::try_from(month).ok()?, i8::try_from(day).ok()?).ok()
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::*;

    fn eur(text: &str) -> Result<i64, AmountError> {
        parse_amount(text, Currency::EUR, &mut String::new()).map(|money| money.minor())
    }

    #[test]
    fn decimal_points_and_commas_are_both_read() {
        assert_eq!(eur("1234.56"), Ok(123_456));
        assert_eq!(eur("1234,56"), Ok(123_456));
        assert_eq!(eur("0000000069,60"), Ok(6960));
        assert_eq!(eur("  12 "), Ok(1200));
        assert_eq!(eur(",5"), Ok(50));
    }

    #[test]
    fn the_last_of_point_and_comma_is_the_decimal_separator() {
        assert_eq!(eur("1.234,56"), Ok(123_456));
        assert_eq!(eur("1,234.56"), Ok(123_456));
        assert_eq!(eur("1.234.567,89"), Ok(123_456_789));
        assert_eq!(eur("1,2.3,4"), Err(AmountError::NotANumber));
    }

    #[test]
    fn a_repeated_mark_separates_thousands_in_groups_of_three() {
        assert_eq!(eur("1.234.567"), Ok(123_456_700));
        assert_eq!(eur("1,234,567"), Ok(123_456_700));
        assert_eq!(eur("12,3,4"), Err(AmountError::BadGrouping));
        assert_eq!(eur("1.23.456"), Err(AmountError::BadGrouping));
        assert_eq!(eur("1.234,5.6"), Err(AmountError::NotANumber));
    }

    #[test]
    fn spaces_of_every_kind_separate_thousands() {
        assert_eq!(eur("1 234,56"), Ok(123_456));
        assert_eq!(eur("1\u{a0}234\u{a0}567,89"), Ok(123_456_789));
        assert_eq!(eur("1\u{202f}234.5"), Ok(123_450));
        assert_eq!(eur("12 34,5"), Err(AmountError::BadGrouping));
        assert_eq!(eur("1 234.567,8"), Err(AmountError::BadGrouping));
    }

    #[test]
    fn a_single_mark_is_a_decimal_separator_even_before_three_digits() {
        assert_eq!(
            eur("1,234"),
            Err(AmountError::TooManyDecimals {
                currency: Currency::EUR
            })
        );
        let yen = Currency::from_code("JPY").unwrap_or(Currency::EUR);
        assert_eq!(
            parse_amount("1.234.567", yen, &mut String::new()).map(|m| m.minor()),
            Ok(1_234_567)
        );
    }

    #[test]
    fn signs_and_currency_marks_are_accepted_around_the_number() {
        assert_eq!(eur("-12,50"), Ok(-1250));
        assert_eq!(eur("+12,50"), Ok(1250));
        assert_eq!(eur("12,50 €"), Ok(1250));
        assert_eq!(eur("€12.50"), Ok(1250));
        assert_eq!(eur("- 12,50€"), Ok(-1250));
        assert_eq!(eur("€ -12,50"), Ok(-1250));
        assert_eq!(eur("EUR 1 000"), Ok(100_000));
        assert_eq!(eur("1000 eur"), Ok(100_000));
    }

    #[test]
    fn another_currency_in_the_text_is_refused() {
        assert_eq!(
            eur("12 USD"),
            Err(AmountError::OtherCurrency {
                found: "USD".into(),
                expected: Currency::EUR
            })
        );
        let dollars = Currency::from_code("USD").unwrap_or(Currency::EUR);
        assert!(matches!(
            parse_amount("12 €", dollars, &mut String::new()),
            Err(AmountError::OtherCurrency { .. })
        ));
    }

    #[test]
    fn garbage_is_not_an_amount() {
        for text in [
            "",
            "-",
            "€",
            "abc",
            "12a",
            "1e3",
            "--1",
            "1-",
            "(12)",
            "12,",
            "1.2.3,4,5",
        ] {
            assert!(eur(text).is_err(), "{text:?}");
        }
        assert_eq!(eur("99999999999999999999"), Err(AmountError::TooLarge));
        assert_eq!(
            eur("12,345"),
            Err(AmountError::TooManyDecimals {
                currency: Currency::EUR
            })
        );
    }

    #[test]
    fn the_plain_shape_shortcut_agrees_with_the_general_reading() {
        let currencies = [
            Currency::EUR,
            Currency::from_code("JPY").unwrap_or(Currency::EUR),
            Currency::from_code("TND").unwrap_or(Currency::EUR),
        ];
        let texts = [
            "0",
            "-0",
            "12",
            "12,5",
            "12.50",
            "-12,345",
            ",5",
            "12,",
            "-",
            "",
            "1,2,3",
            "9223372036854775807",
            "99999999999999999999",
            "999999999999999999",
            "92233720368547758,07",
            "007,10",
        ];
        for currency in currencies {
            for text in texts {
                let shortcut = parse_plain_amount(text.as_bytes(), currency);
                let mut canonical = String::new();
                let general = parse_amount(&format!(" {text}"), currency, &mut canonical);
                if let Some(money) = shortcut {
                    assert_eq!(general, Ok(money), "{text} {currency}");
                }
            }
        }
    }

    #[test]
    fn dates_are_read_iso_compact_or_day_first() {
        let expected = Some(date(2025, 3, 7));
        for text in [
            "2025-03-07",
            "20250307",
            "07/03/2025",
            "7/3/2025",
            "07-03-2025",
            "07.03.2025",
            "2025/03/07",
        ] {
            assert_eq!(parse_date(text), expected, "{text}");
        }
    }

    #[test]
    fn impossible_or_ambiguous_dates_are_refused() {
        for text in [
            "31/02/2025",
            "2025-13-01",
            "20250230",
            "07/03/25",
            "2025-03-07T10:00",
            "07/03-2025",
            "",
            "x",
        ] {
            assert_eq!(parse_date(text), None, "{text}");
        }
        assert_eq!(parse_date("29/02/2024"), Some(date(2024, 2, 29)));
    }

    #[test]
    fn undecodable_utf8_switches_to_windows_1252_when_nothing_contradicts_it() {
        let mut decoder = Decoder::new(None, false);
        assert_eq!(decoder.decode(b"plain").as_deref(), Ok("plain"));
        assert_eq!(decoder.decode(b"Soci\xe9t\xe9").as_deref(), Ok("Société"));
        assert_eq!(decoder.encoding(), TextEncoding::Windows1252);
        assert_eq!(decoder.decode("é".as_bytes()).as_deref(), Ok("Ã©"));
    }

    #[test]
    fn undecodable_utf8_after_utf8_text_is_a_mixed_encoding() {
        let mut decoder = Decoder::new(None, false);
        assert_eq!(
            decoder.decode("Société".as_bytes()).as_deref(),
            Ok("Société")
        );
        assert_eq!(
            decoder.decode(b"Soci\xe9t\xe9"),
            Err(ProblemKind::MixedEncoding)
        );
        let mut with_bom = Decoder::new(None, true);
        assert_eq!(with_bom.decode(b"\xe9"), Err(ProblemKind::MixedEncoding));
        let mut forced = Decoder::new(Some(TextEncoding::Utf8), false);
        assert_eq!(forced.decode(b"\xe9"), Err(ProblemKind::InvalidUtf8));
    }
}
