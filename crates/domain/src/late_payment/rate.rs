//! Exact annual rates and the half-years that French, German and EU rules are fixed for.

use std::fmt;

use jiff::civil::{Date, date};

/// Units of a `Rate` in one percentage point: a rate is exact to a hundredth of a basis point,
/// which holds every published rate (two decimals) and their sums and small multiples.
const UNITS_PER_PERCENT: i64 = 10_000;

/// The decimals a rate can be written with (`12.1525`).
const DECIMALS_MAX: usize = 4;

/// The largest rate, in percent, anything in Relance accepts: far above any legal rate, low
/// enough that no computation on amounts of money can overflow.
const PERCENT_MAX: i64 = 1_000;

/// An annual interest rate in percent, exact to 0.0001 point (a hundredth of a basis point).
///
/// Rates are never floats: `12.15` is held as the integer 121 500. Negative rates exist (the
/// German base rate was -0.88 from 2016 to 2022); the rules refuse to apply one.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Rate {
    hundredths_of_basis_point: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RateError {
    #[error("{text:?} is not a rate (expected a percentage such as 12.15)")]
    NotARate { text: String },
    #[error("{text:?} has more than four decimals")]
    TooManyDecimals { text: String },
    #[error("{text:?} is out of range (at most 1000 percent either way)")]
    OutOfRange { text: String },
}

impl Rate {
    pub const ZERO: Rate = Rate {
        hundredths_of_basis_point: 0,
    };

    /// `points` whole percentage points: `Rate::percentage_points(10)` is the French margin.
    pub const fn percentage_points(points: i64) -> Rate {
        Rate {
            hundredths_of_basis_point: points * UNITS_PER_PERCENT,
        }
    }

    /// `basis_points` hundredths of a percent: `Rate::from_basis_points(1215)` is 12.15 %.
    pub const fn from_basis_points(basis_points: i64) -> Rate {
        Rate {
            hundredths_of_basis_point: basis_points * 100,
        }
    }

    pub const fn from_hundredths_of_basis_point(units: i64) -> Rate {
        Rate {
            hundredths_of_basis_point: units,
        }
    }

    pub fn hundredths_of_basis_point(&self) -> i64 {
        self.hundredths_of_basis_point
    }

    pub fn is_negative(&self) -> bool {
        self.hundredths_of_basis_point < 0
    }

    /// Reads a percentage as people write it: `12.15`, `12,15`, `-0.88`, `8`, `12.5 %`.
    /// Nothing is rounded: more than four decimals is an error unless they are zeros.
    pub fn parse(text: &str) -> Result<Rate, RateError> {
        let not_a_rate = || RateError::NotARate {
            text: text.to_owned(),
        };
        let trimmed = text.trim();
        let trimmed = trimmed.strip_suffix('%').unwrap_or(trimmed).trim_end();
        let (negative, unsigned) = match trimmed.as_bytes().first() {
            Some(b'-') => (true, &trimmed[1..]),
            Some(b'+') => (false, &trimmed[1..]),
            _ => (false, trimmed),
        };
        let (whole, fraction) = match unsigned.split_once(['.', ',']) {
            Some((whole, fraction)) => (whole, fraction),
            None => (unsigned, ""),
        };
        let all_digits = |part: &str| part.bytes().all(|byte| byte.is_ascii_digit());
        if whole.is_empty() || !all_digits(whole) || !all_digits(fraction) {
            return Err(not_a_rate());
        }
        let significant = fraction.trim_end_matches('0');
        if significant.len() > DECIMALS_MAX {
            return Err(RateError::TooManyDecimals {
                text: text.to_owned(),
            });
        }
        let out_of_range = || RateError::OutOfRange {
            text: text.to_owned(),
        };
        let whole = whole.trim_start_matches('0');
        if whole.len() > 6 {
            return Err(out_of_range());
        }
        let mut units: i64 = 0;
        for digit in whole.bytes().chain(significant.bytes()) {
            units = units * 10 + i64::from(digit - b'0');
        }
        for _ in significant.len()..DECIMALS_MAX {
            units *= 10;
        }
        if units > PERCENT_MAX * UNITS_PER_PERCENT {
            return Err(out_of_range());
        }
        Ok(Rate {
            hundredths_of_basis_point: if negative { -units } else { units },
        })
    }

    pub fn checked_add(self, other: Rate) -> Option<Rate> {
        self.hundredths_of_basis_point
            .checked_add(other.hundredths_of_basis_point)
            .map(Rate::from_hundredths_of_basis_point)
    }

    pub fn checked_sub(self, other: Rate) -> Option<Rate> {
        self.hundredths_of_basis_point
            .checked_sub(other.hundredths_of_basis_point)
            .map(Rate::from_hundredths_of_basis_point)
    }

    /// `times` this rate (the French contractual floor is three times the legal rate).
    pub fn checked_times(self, times: u32) -> Option<Rate> {
        self.hundredths_of_basis_point
            .checked_mul(i64::from(times))
            .map(Rate::from_hundredths_of_basis_point)
    }

    /// The rate with a decimal comma, as French text writes it: `12,15`.
    pub fn to_french_string(&self) -> String {
        self.to_string().replace('.', ",")
    }
}

/// Two decimals at least, four at most, trailing zeros beyond the second dropped: `12.15`,
/// `12.50`, `3.7125`, `-0.88`. This is the form JSON output and rate files use.
impl fmt::Display for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.hundredths_of_basis_point < 0 {
            "-"
        } else {
            ""
        };
        let magnitude = self.hundredths_of_basis_point.unsigned_abs();
        let whole = magnitude / UNITS_PER_PERCENT.unsigned_abs();
        let fraction = format!("{:04}", magnitude % UNITS_PER_PERCENT.unsigned_abs());
        let fraction = fraction.trim_end_matches('0');
        write!(f, "{sign}{whole}.{fraction:0<2}")
    }
}

impl fmt::Debug for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self}%")
    }
}

/// Which half of a year: rates are fixed on 1 January and 1 July.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Half {
    /// 1 January to 30 June.
    First,
    /// 1 July to 31 December.
    Second,
}

/// A half-year (French "semestre"): the unit French, German and EU late-payment rates are set for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct HalfYear {
    year: i16,
    half: Half,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{text:?} is not a half-year (expected a year and H1 or H2, such as 2024 H1)")]
pub struct HalfYearError {
    pub text: String,
}

impl HalfYear {
    /// The half-year `half` of `year`; the year must be one a civil date can hold (-9999..=9999).
    pub fn new(year: i16, half: Half) -> HalfYear {
        assert!(
            (-9999..=9999).contains(&year),
            "year {year} is outside the civil calendar"
        );
        HalfYear { year, half }
    }

    /// The half-year `day` falls in.
    pub fn containing(day: Date) -> HalfYear {
        let half = if day.month() <= 6 {
            Half::First
        } else {
            Half::Second
        };
        HalfYear {
            year: day.year(),
            half,
        }
    }

    /// The half-year that starts on `day`, if `day` is a 1 January or a 1 July.
    pub fn starting_on(day: Date) -> Option<HalfYear> {
        (day.day() == 1 && (day.month() == 1 || day.month() == 7))
            .then(|| HalfYear::containing(day))
    }

    pub fn year(&self) -> i16 {
        self.year
    }

    pub fn half(&self) -> Half {
        self.half
    }

    /// 1 January or 1 July.
    pub fn start(&self) -> Date {
        match self.half {
            Half::First => date(self.year, 1, 1),
            Half::Second => date(self.year, 7, 1),
        }
    }

    /// 30 June or 31 December.
    pub fn end(&self) -> Date {
        match self.half {
            Half::First => date(self.year, 6, 30),
            Half::Second => date(self.year, 12, 31),
        }
    }

    /// The half-year after this one, if the calendar has one.
    pub fn next(&self) -> Option<HalfYear> {
        match self.half {
            Half::First => Some(HalfYear {
                year: self.year,
                half: Half::Second,
            }),
            Half::Second if self.year < 9999 => Some(HalfYear {
                year: self.year + 1,
                half: Half::First,
            }),
            Half::Second => None,
        }
    }

    /// Reads `2024 H1`, `2024-H2`, `2024H1` or the French `2024 S1`.
    pub fn parse(text: &str) -> Result<HalfYear, HalfYearError> {
        let invalid = || HalfYearError {
            text: text.to_owned(),
        };
        let upper = text.trim().to_ascii_uppercase();
        let (year, half) = upper.rsplit_once(['H', 'S']).ok_or_else(invalid)?;
        let year = year.trim_end_matches([' ', '-']);
        if year.is_empty() || !year.bytes().all(|byte| byte.is_ascii_digit()) || year.len() > 4 {
            return Err(invalid());
        }
        let year: i16 = year.parse().map_err(|_| invalid())?;
        let half = match half {
            "1" => Half::First,
            "2" => Half::Second,
            _ => return Err(invalid()),
        };
        Ok(HalfYear::new(year, half))
    }
}

impl fmt::Display for HalfYear {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let half = match self.half {
            Half::First => 1,
            Half::Second => 2,
        };
        write!(f, "{} H{half}", self.year)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rate(text: &str) -> Rate {
        Rate::parse(text).unwrap()
    }

    #[test]
    fn rates_are_read_exactly_in_hundredths_of_a_basis_point() {
        assert_eq!(rate("12.15").hundredths_of_basis_point(), 121_500);
        assert_eq!(rate("12,5").hundredths_of_basis_point(), 125_000);
        assert_eq!(rate("-0.88").hundredths_of_basis_point(), -8_800);
        assert_eq!(rate(" 8 % ").hundredths_of_basis_point(), 80_000);
        assert_eq!(rate("3.71250").hundredths_of_basis_point(), 37_125);
        assert_eq!(rate("0"), Rate::ZERO);
    }

    #[test]
    fn rates_that_are_not_exact_or_not_numbers_are_refused() {
        assert!(matches!(
            Rate::parse("3.71251"),
            Err(RateError::TooManyDecimals { .. })
        ));
        for text in ["", "%", ".5", "1.2.3", "12a", "1e3", "--1"] {
            assert!(
                matches!(Rate::parse(text), Err(RateError::NotARate { .. })),
                "{text:?}"
            );
        }
        assert!(matches!(
            Rate::parse("1000.01"),
            Err(RateError::OutOfRange { .. })
        ));
        assert!(matches!(
            Rate::parse("99999999999999999999"),
            Err(RateError::OutOfRange { .. })
        ));
    }

    #[test]
    fn rates_display_with_two_to_four_decimals() {
        assert_eq!(rate("12.15").to_string(), "12.15");
        assert_eq!(rate("12.5").to_string(), "12.50");
        assert_eq!(rate("3.7125").to_string(), "3.7125");
        assert_eq!(rate("-0.88").to_string(), "-0.88");
        assert_eq!(Rate::ZERO.to_string(), "0.00");
        assert_eq!(rate("15.21").to_french_string(), "15,21");
    }

    #[test]
    fn rate_arithmetic_is_exact() {
        assert_eq!(rate("5.07").checked_times(3), Some(rate("15.21")));
        assert_eq!(
            rate("2.15").checked_add(Rate::percentage_points(10)),
            Some(rate("12.15"))
        );
        assert_eq!(Rate::from_basis_points(1450), rate("14.5"));
    }

    #[test]
    fn half_years_know_their_bounds() {
        let h2 = HalfYear::containing(date(2024, 7, 1));
        assert_eq!(h2, HalfYear::new(2024, Half::Second));
        assert_eq!(h2.start(), date(2024, 7, 1));
        assert_eq!(h2.end(), date(2024, 12, 31));
        assert_eq!(HalfYear::containing(date(2024, 6, 30)).half(), Half::First);
        assert_eq!(h2.next(), Some(HalfYear::new(2025, Half::First)));
        assert_eq!(
            HalfYear::starting_on(date(2025, 7, 1)),
            Some(HalfYear::new(2025, Half::Second))
        );
        assert_eq!(HalfYear::starting_on(date(2025, 7, 2)), None);
    }

    #[test]
    fn half_years_read_and_display() {
        for text in ["2024 H1", "2024-H1", "2024h1", "2024 S1"] {
            assert_eq!(
                HalfYear::parse(text).unwrap(),
                HalfYear::new(2024, Half::First),
                "{text}"
            );
        }
        assert_eq!(HalfYear::new(2026, Half::Second).to_string(), "2026 H2");
        assert!(HalfYear::parse("2024 H3").is_err());
        assert!(HalfYear::parse("H1").is_err());
        assert!(HalfYear::parse("99999 H1").is_err());
    }
}
