//! Public holidays: the days on which a debtor may not be contacted, whatever the hour.
//!
//! A `HolidayCalendar` names a set of legal public holidays (France, Alsace-Moselle, or none) and
//! answers, for any civil date, whether it is one of them and under which French name.
//! Movable feasts are computed from `easter_sunday`, the Gregorian computus.
//! The current law is applied to every year: the calendars do not model the history of French
//! holidays (8 May was not a holiday between 1959 and 1981, for instance).

use std::fmt;

use jiff::ToSpan;
use jiff::civil::Date;

/// Easter Sunday of a year of the Gregorian calendar (proleptic before 1583).
///
/// This is the anonymous Gregorian computus (Meeus/Jones/Butcher). Euclidean division keeps it
/// well defined for the years before 1 that jiff can represent.
///
/// # Panics
///
/// If `year` is outside jiff's range of dates (-9999 to 9999).
pub fn easter_sunday(year: i16) -> Date {
    let y = i32::from(year);
    let a = y.rem_euclid(19);
    let b = y.div_euclid(100);
    let c = y.rem_euclid(100);
    let d = b.div_euclid(4);
    let e = b.rem_euclid(4);
    let f = (b + 8).div_euclid(25);
    let g = (b - f + 1).div_euclid(3);
    let h = (19 * a + b - d - g + 15).rem_euclid(30);
    let i = c.div_euclid(4);
    let k = c.rem_euclid(4);
    let l = (32 + 2 * e + 2 * i - h - k).rem_euclid(7);
    let m = (a + 11 * h + 22 * l).div_euclid(451);
    let month = (h + l - 7 * m + 114).div_euclid(31);
    let day = (h + l - 7 * m + 114).rem_euclid(31) + 1;
    // The computus yields March (3) or April (4) and a day from 1 to 31: the casts cannot truncate.
    Date::new(year, month as i8, day as i8)
        .unwrap_or_else(|_| panic!("year {year} is outside the supported range -9999..=9999"))
}

/// A set of legal public holidays on which no debtor of that calendar is contacted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HolidayCalendar {
    /// Metropolitan France: the 11 public holidays of the Code du travail, article L3133-1.
    France,
    /// The Bas-Rhin, Haut-Rhin and Moselle departments: France plus Good Friday and 26 December
    /// (Code du travail, article L3134-13).
    AlsaceMoselle,
    /// No public holiday: only the weekly hours decide.
    NoHolidays,
}

/// Why a text is not a holiday calendar.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// The text is none of the calendar codes.
    #[error("unknown holiday calendar {text:?} (expected fr, fr-alsace-moselle or none)")]
    UnknownCalendar { text: String },
}

/// When a holiday falls in a given year.
#[derive(Debug, Clone, Copy)]
enum Rule {
    /// The same month and day every year.
    Fixed { month: i8, day: i8 },
    /// A number of days after (or, when negative, before) Easter Sunday.
    Easter { days: i8 },
}

/// The holidays of metropolitan France (Code du travail, article L3133-1), in calendar order.
/// Whit Monday stays a public holiday even where it is worked as the "journée de solidarité":
/// the day is still a legal holiday, and a reminder on it reads as one sent on a holiday.
const FRANCE: &[(Rule, &str)] = &[
    (Rule::Fixed { month: 1, day: 1 }, "Jour de l'an"),
    (Rule::Easter { days: 1 }, "Lundi de Pâques"),
    (Rule::Fixed { month: 5, day: 1 }, "Fête du Travail"),
    (Rule::Fixed { month: 5, day: 8 }, "Victoire 1945"),
    (Rule::Easter { days: 39 }, "Ascension"),
    (Rule::Easter { days: 50 }, "Lundi de Pentecôte"),
    (Rule::Fixed { month: 7, day: 14 }, "Fête nationale"),
    (Rule::Fixed { month: 8, day: 15 }, "Assomption"),
    (Rule::Fixed { month: 11, day: 1 }, "Toussaint"),
    (Rule::Fixed { month: 11, day: 11 }, "Armistice 1918"),
    (Rule::Fixed { month: 12, day: 25 }, "Noël"),
];

/// The two local holidays of Alsace-Moselle added to `FRANCE` (Code du travail, article L3134-13).
/// Good Friday is legally a holiday only in communes with a Protestant or mixed church, but it is
/// observed across the three departments, so it is treated as such everywhere.
const ALSACE_MOSELLE_EXTRA: &[(Rule, &str)] = &[
    (Rule::Easter { days: -2 }, "Vendredi saint"),
    (Rule::Fixed { month: 12, day: 26 }, "Saint-Étienne"),
];

impl Rule {
    /// The date of this holiday in the year of `easter`.
    fn date(self, easter: Date) -> Date {
        match self {
            Rule::Fixed { month, day } => Date::new(easter.year(), month, day)
                .expect("fixed holidays are valid dates in every year"),
            Rule::Easter { days } => easter
                .checked_add(i64::from(days).days())
                .expect("Easter is in March or April, so a few weeks either side stay in its year"),
        }
    }
}

impl HolidayCalendar {
    /// The stable code of the calendar, as stored and configured:
    /// `fr`, `fr-alsace-moselle` or `none`.
    pub fn code(&self) -> &'static str {
        match self {
            HolidayCalendar::France => "fr",
            HolidayCalendar::AlsaceMoselle => "fr-alsace-moselle",
            HolidayCalendar::NoHolidays => "none",
        }
    }

    /// Reads a calendar from its code, ignoring case and surrounding spaces.
    pub fn parse(text: &str) -> Result<HolidayCalendar, CalendarError> {
        let code = text.trim();
        [
            HolidayCalendar::France,
            HolidayCalendar::AlsaceMoselle,
            HolidayCalendar::NoHolidays,
        ]
        .into_iter()
        .find(|calendar| calendar.code().eq_ignore_ascii_case(code))
        .ok_or_else(|| CalendarError::UnknownCalendar {
            text: text.to_owned(),
        })
    }

    /// The French name of the holiday on `date`, if it is one.
    ///
    /// When two holidays share a date (Ascension fell on 1 May in 2008), the first one of
    /// `holidays` is named.
    pub fn holiday_name(&self, date: Date) -> Option<&'static str> {
        // The daily run asks this for every case it looks at: fixed holidays compare month and
        // day, and Easter is computed only for a date a movable feast can fall on (Good Friday
        // is 20 March at the earliest, Whit Monday 14 June at the latest).
        let movable_season = (3..=6).contains(&date.month());
        let mut easter = None;
        self.rules()
            .find(|&&(rule, _)| match rule {
                Rule::Fixed { month, day } => date.month() == month && date.day() == day,
                Rule::Easter { .. } => {
                    movable_season
                        && rule.date(*easter.get_or_insert_with(|| easter_sunday(date.year())))
                            == date
                }
            })
            .map(|&(_, name)| name)
    }

    /// Whether `date` is a public holiday of this calendar.
    pub fn is_holiday(&self, date: Date) -> bool {
        self.holiday_name(date).is_some()
    }

    /// Every holiday of `year` with its French name, sorted by date.
    ///
    /// Two holidays on the same date are both listed, the first being the one `holiday_name`
    /// gives.
    pub fn holidays(&self, year: i16) -> Vec<(Date, &'static str)> {
        let easter = easter_sunday(year);
        let mut holidays: Vec<(Date, &'static str)> = self
            .rules()
            .map(|&(rule, name)| (rule.date(easter), name))
            .collect();
        // A stable sort keeps holidays that share a date in legal order, as `holiday_name` has it.
        holidays.sort_by_key(|&(date, _)| date);
        holidays
    }

    fn rules(&self) -> impl Iterator<Item = &'static (Rule, &'static str)> {
        let (common, extra): (&[_], &[_]) = match self {
            HolidayCalendar::France => (FRANCE, &[]),
            HolidayCalendar::AlsaceMoselle => (FRANCE, ALSACE_MOSELLE_EXTRA),
            HolidayCalendar::NoHolidays => (&[], &[]),
        };
        common.iter().chain(extra)
    }
}

impl fmt::Display for HolidayCalendar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use jiff::civil::{Weekday, date};
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn easter_matches_published_dates() {
        for (year, expected) in [
            (2024, date(2024, 3, 31)),
            (2025, date(2025, 4, 20)),
            (2026, date(2026, 4, 5)),
            (2027, date(2027, 3, 28)),
            (2038, date(2038, 4, 25)),
            // The extremes of the Gregorian range: 22 March and 25 April.
            (1818, date(1818, 3, 22)),
            (2285, date(2285, 3, 22)),
            (1943, date(1943, 4, 25)),
            (2000, date(2000, 4, 23)),
            (1583, date(1583, 4, 10)),
        ] {
            assert_eq!(easter_sunday(year), expected, "Easter {year}");
        }
    }

    #[test]
    fn france_has_the_eleven_holidays_of_2026() {
        let names: Vec<(Date, &str)> = HolidayCalendar::France.holidays(2026);
        assert_eq!(
            names,
            vec![
                (date(2026, 1, 1), "Jour de l'an"),
                (date(2026, 4, 6), "Lundi de Pâques"),
                (date(2026, 5, 1), "Fête du Travail"),
                (date(2026, 5, 8), "Victoire 1945"),
                (date(2026, 5, 14), "Ascension"),
                (date(2026, 5, 25), "Lundi de Pentecôte"),
                (date(2026, 7, 14), "Fête nationale"),
                (date(2026, 8, 15), "Assomption"),
                (date(2026, 11, 1), "Toussaint"),
                (date(2026, 11, 11), "Armistice 1918"),
                (date(2026, 12, 25), "Noël"),
            ]
        );
    }

    #[test]
    fn movable_feasts_follow_easter() {
        let france = HolidayCalendar::France;
        assert_eq!(france.holiday_name(date(2026, 5, 14)), Some("Ascension"));
        assert_eq!(
            france.holiday_name(date(2026, 5, 25)),
            Some("Lundi de Pentecôte")
        );
        assert_eq!(
            france.holiday_name(date(2025, 4, 21)),
            Some("Lundi de Pâques")
        );
        // Easter Sunday and Whit Sunday are Sundays, not public holidays of their own.
        assert!(!france.is_holiday(date(2026, 4, 5)));
        assert!(!france.is_holiday(date(2026, 5, 24)));
        assert!(!france.is_holiday(date(2026, 5, 13)));
    }

    #[test]
    fn alsace_moselle_adds_good_friday_and_saint_stephen() {
        let alsace = HolidayCalendar::AlsaceMoselle;
        assert_eq!(alsace.holidays(2026).len(), 13);
        assert_eq!(
            alsace.holiday_name(date(2026, 4, 3)),
            Some("Vendredi saint")
        );
        assert_eq!(
            alsace.holiday_name(date(2026, 12, 26)),
            Some("Saint-Étienne")
        );
        assert!(!HolidayCalendar::France.is_holiday(date(2026, 4, 3)));
        assert!(!HolidayCalendar::France.is_holiday(date(2026, 12, 26)));
        assert_eq!(
            alsace.holiday_name(date(2026, 7, 14)),
            Some("Fête nationale")
        );
    }

    #[test]
    fn no_holidays_has_none() {
        assert!(HolidayCalendar::NoHolidays.holidays(2026).is_empty());
        assert!(!HolidayCalendar::NoHolidays.is_holiday(date(2026, 12, 25)));
    }

    /// In 2008 Easter fell on 23 March, so Ascension fell on 1 May: both are listed, and the date
    /// is named after the first in legal order.
    #[test]
    fn two_holidays_on_one_date_are_both_listed() {
        let holidays = HolidayCalendar::France.holidays(2008);
        assert_eq!(holidays.len(), 11);
        let on_may_first: Vec<&str> = holidays
            .iter()
            .filter(|(day, _)| *day == date(2008, 5, 1))
            .map(|(_, name)| *name)
            .collect();
        assert_eq!(on_may_first, vec!["Fête du Travail", "Ascension"]);
        assert_eq!(
            HolidayCalendar::France.holiday_name(date(2008, 5, 1)),
            Some("Fête du Travail")
        );
    }

    #[test]
    fn codes_round_trip_and_parse_ignores_case() {
        for calendar in [
            HolidayCalendar::France,
            HolidayCalendar::AlsaceMoselle,
            HolidayCalendar::NoHolidays,
        ] {
            assert_eq!(HolidayCalendar::parse(calendar.code()), Ok(calendar));
            assert_eq!(calendar.to_string(), calendar.code());
        }
        assert_eq!(
            HolidayCalendar::parse(" FR-Alsace-Moselle "),
            Ok(HolidayCalendar::AlsaceMoselle)
        );
        assert_eq!(
            HolidayCalendar::parse("fr-bretagne")
                .unwrap_err()
                .to_string(),
            "unknown holiday calendar \"fr-bretagne\" (expected fr, fr-alsace-moselle or none)"
        );
    }

    #[test]
    fn every_day_is_a_holiday_exactly_when_the_years_list_says_so() {
        for calendar in [HolidayCalendar::France, HolidayCalendar::AlsaceMoselle] {
            for year in 1990..=2100 {
                let listed: Vec<Date> = calendar
                    .holidays(year)
                    .into_iter()
                    .map(|(day, _)| day)
                    .collect();
                let mut day = date(year, 1, 1);
                while day.year() == year {
                    assert_eq!(
                        calendar.is_holiday(day),
                        listed.contains(&day),
                        "{calendar} {day}"
                    );
                    day = day.tomorrow().unwrap();
                }
            }
        }
    }

    proptest! {
        /// The computus always lands on a Sunday between 22 March and 25 April, over the whole
        /// range of years jiff can represent.
        #[test]
        fn easter_is_a_sunday_between_22_march_and_25_april(year in -9999i16..=9999) {
            let easter = easter_sunday(year);
            prop_assert_eq!(easter.year(), year);
            prop_assert_eq!(easter.weekday(), Weekday::Sunday);
            prop_assert!(easter >= date(year, 3, 22), "{easter}");
            prop_assert!(easter <= date(year, 4, 25), "{easter}");
        }

        /// `holidays` and `holiday_name` agree: every listed date is in the year, sorted, and named
        /// after the first holiday listed on it.
        #[test]
        fn listed_holidays_are_named(year in 1900i16..=2200) {
            for calendar in [HolidayCalendar::France, HolidayCalendar::AlsaceMoselle] {
                let holidays = calendar.holidays(year);
                prop_assert!(holidays.is_sorted_by_key(|&(day, _)| day));
                for (day, _) in &holidays {
                    prop_assert_eq!(day.year(), year);
                    prop_assert!(calendar.is_holiday(*day));
                    let first = holidays
                        .iter()
                        .find(|(other, _)| other == day)
                        .map(|(_, name)| *name);
                    prop_assert_eq!(calendar.holiday_name(*day), first);
                }
            }
        }
    }
}
