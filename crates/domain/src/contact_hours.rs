//! Contact hours: when a debtor may be contacted, read on the debtor's own clock.
//!
//! `ContactHours` holds, for each weekday, the `TimeRange`s in which contacting is allowed, and a
//! `HolidayCalendar` whose days are closed whatever the weekday says. Every question is asked with
//! a `ZonedDateTime` in the debtor's time zone and judged on the civil time that zone shows, so a
//! debtor in New York is called during New York office hours, and the daylight-saving changes move
//! the windows with the debtor's clock.
//!
//! A range is half open: 09:00-12:30 allows 09:00 and refuses 12:30. An instant is open when the
//! debtor's clock at that instant shows a contact day and a time inside one of its ranges. When the
//! clock jumps forward (spring), the hour it skips holds no instant at all; when it falls back
//! (autumn), the hour it repeats is open twice if its times are inside a range.

use std::fmt;

use jiff::civil::{Date, DateTime, Time, Weekday};
use jiff::tz::{Offset, TimeZone};
use jiff::{Timestamp, ZonedDateTime};

use crate::calendar::HolidayCalendar;

/// How many consecutive days a search for a contact day may look at.
///
/// `ContactHours::new` refuses a week without any range, so some weekday has one. 400 consecutive
/// days hold at least 57 of that weekday and touch at most two calendar years, so at most 26 public
/// holidays (13 a year in Alsace-Moselle): a contact day is always found well within the bound.
const MAX_SEARCH_DAYS: usize = 400;

/// How many time zone offset changes a search for an open instant may cross.
///
/// The search crosses only the offset changes that come before the answer, which lies within about
/// `MAX_SEARCH_DAYS` days (a window is lost only when it lies wholly inside a skipped hour, and
/// those come once a year at most). Real time zones change offset a few times a year, so this
/// bound is never reached.
const MAX_OFFSET_CHANGES: usize = 1000;

/// A range of civil times within one day, from `start` included to `end` excluded.
///
/// A range cannot run to midnight: the latest end is the last instant of the day
/// (23:59:59.999999999), and `parse` accepts times up to 23:59.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeRange {
    start: Time,
    end: Time,
}

/// Why a time range or a set of contact hours is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ContactHoursError {
    /// The text is not written `HH:MM-HH:MM`, or a time in it does not exist.
    #[error("{text:?} is not a time range (expected HH:MM-HH:MM, for example 09:00-12:30)")]
    NotATimeRange { text: String },
    /// The range ends when or before it starts; ranges cannot run past midnight.
    #[error(
        "the time range {}-{} is empty: it must end after it starts",
        clock(.start),
        clock(.end)
    )]
    EmptyRange { start: Time, end: Time },
    /// Two ranges of the same day share some time; `first` starts no later than `second`.
    #[error("overlapping ranges on {}: {first} and {second}", weekday_name(*.day))]
    OverlappingRanges {
        day: Weekday,
        first: TimeRange,
        second: TimeRange,
    },
    /// No day of the week has a range.
    #[error("no contact hours on any day of the week: nobody could ever be contacted")]
    NoContactHours,
}

impl TimeRange {
    /// A range from `start` (included) to `end` (excluded); `end` must come after `start`.
    pub fn new(start: Time, end: Time) -> Result<TimeRange, ContactHoursError> {
        if start < end {
            Ok(TimeRange { start, end })
        } else {
            Err(ContactHoursError::EmptyRange { start, end })
        }
    }

    /// Reads a range written `HH:MM-HH:MM` (`9:00 - 12:30` is accepted too).
    pub fn parse(text: &str) -> Result<TimeRange, ContactHoursError> {
        let not_a_range = || ContactHoursError::NotATimeRange {
            text: text.to_owned(),
        };
        let (start, end) = text.split_once('-').ok_or_else(not_a_range)?;
        let start = parse_clock(start).ok_or_else(not_a_range)?;
        let end = parse_clock(end).ok_or_else(not_a_range)?;
        TimeRange::new(start, end)
    }

    /// The first time of the range.
    pub fn start(&self) -> Time {
        self.start
    }

    /// The first time after the range.
    pub fn end(&self) -> Time {
        self.end
    }

    /// Whether `time` is inside the range (the start is, the end is not).
    pub fn contains(&self, time: Time) -> bool {
        self.start <= time && time < self.end
    }
}

impl fmt::Display for TimeRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", clock(&self.start), clock(&self.end))
    }
}

/// Reads `H:MM` or `HH:MM`.
fn parse_clock(text: &str) -> Option<Time> {
    let (hour, minute) = text.trim().split_once(':')?;
    // `parse` alone would accept a sign ("+9") and minutes written with one digit.
    let digits = |part: &str| part.bytes().all(|byte| byte.is_ascii_digit());
    if !(matches!(hour.len(), 1 | 2) && minute.len() == 2 && digits(hour) && digits(minute)) {
        return None;
    }
    Time::new(hour.parse().ok()?, minute.parse().ok()?, 0, 0).ok()
}

/// A time as a clock shows it: `09:00`, with seconds only when there are some.
fn clock(time: &Time) -> String {
    if time.second() == 0 && time.subsec_nanosecond() == 0 {
        format!("{:02}:{:02}", time.hour(), time.minute())
    } else {
        time.to_string()
    }
}

/// The English name of a weekday, for messages.
fn weekday_name(day: Weekday) -> &'static str {
    match day {
        Weekday::Monday => "Monday",
        Weekday::Tuesday => "Tuesday",
        Weekday::Wednesday => "Wednesday",
        Weekday::Thursday => "Thursday",
        Weekday::Friday => "Friday",
        Weekday::Saturday => "Saturday",
        Weekday::Sunday => "Sunday",
    }
}

/// When debtors may be contacted: ranges of civil time per weekday, closed on public holidays.
///
/// Each weekday's ranges are sorted and do not overlap; ranges that touch (12:00-14:00 and
/// 14:00-16:00) are kept as one. At least one weekday has a range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactHours {
    /// Indexed from Monday (0) to Sunday (6).
    weekly: [Vec<TimeRange>; 7],
    holidays: HolidayCalendar,
}

/// Where a search for an open instant stopped: the instant found, and what the search for the end
/// of its window needs to go on from there.
struct WindowStart {
    start: Timestamp,
    /// The time zone offset at `start`.
    offset: Offset,
    /// The civil end of the range that holds `start`.
    civil_end: DateTime,
    /// The next change of offset after `start`, if the time zone has one.
    next_change: Option<Timestamp>,
}

impl ContactHours {
    /// The usual French business hours: Monday to Friday, 09:00-12:30 and 14:00-19:00, closed on
    /// the public holidays of metropolitan France.
    pub fn french_default() -> ContactHours {
        let day = || {
            vec![
                TimeRange {
                    start: Time::constant(9, 0, 0, 0),
                    end: Time::constant(12, 30, 0, 0),
                },
                TimeRange {
                    start: Time::constant(14, 0, 0, 0),
                    end: Time::constant(19, 0, 0, 0),
                },
            ]
        };
        ContactHours::new(
            [day(), day(), day(), day(), day(), vec![], vec![]],
            HolidayCalendar::France,
        )
        .expect("the French default hours are valid")
    }

    /// Contact hours from the ranges of each weekday, Monday first, and a holiday calendar.
    ///
    /// The ranges of a day may come in any order; they are sorted, and ranges that touch are
    /// joined. Overlapping ranges are refused, as is a week without any range.
    pub fn new(
        weekly: [Vec<TimeRange>; 7],
        holidays: HolidayCalendar,
    ) -> Result<ContactHours, ContactHoursError> {
        if weekly.iter().all(Vec::is_empty) {
            return Err(ContactHoursError::NoContactHours);
        }
        let mut normalised: [Vec<TimeRange>; 7] = Default::default();
        for (index, mut ranges) in weekly.into_iter().enumerate() {
            ranges.sort_by_key(|range| (range.start, range.end));
            let day = Weekday::from_monday_zero_offset(index as i8).expect("a week has seven days");
            let joined = &mut normalised[index];
            let mut previous: Option<TimeRange> = None;
            for range in ranges {
                // Sorted by start, the first overlap in a list is always between neighbours, so
                // comparing each range with the one before it finds any overlap.
                if let Some(previous) = previous
                    && range.start < previous.end
                {
                    return Err(ContactHoursError::OverlappingRanges {
                        day,
                        first: previous,
                        second: range,
                    });
                }
                match joined.last_mut() {
                    Some(last) if last.end == range.start => last.end = range.end,
                    _ => joined.push(range),
                }
                previous = Some(range);
            }
        }
        Ok(ContactHours {
            weekly: normalised,
            holidays,
        })
    }

    /// The ranges of a weekday, sorted, touching ranges joined; empty when the day is closed.
    pub fn ranges(&self, day: Weekday) -> &[TimeRange] {
        // The offset is 0 for Monday to 6 for Sunday, so the cast cannot lose anything.
        &self.weekly[day.to_monday_zero_offset() as usize]
    }

    /// The calendar whose holidays are closed.
    pub fn holidays(&self) -> HolidayCalendar {
        self.holidays
    }

    /// Whether the debtor may be contacted at `at`, judged on the civil time of `at`'s own time
    /// zone (the debtor's).
    pub fn is_open(&self, at: &ZonedDateTime) -> bool {
        self.range_end_at(at.datetime()).is_some()
    }

    /// The earliest instant at or after `from` at which the debtor may be contacted, in `from`'s
    /// time zone; `from` itself when it is open.
    ///
    /// When a range starts inside the hour skipped by a spring-forward change, the answer is the
    /// instant of the change, the first the debtor's clock shows inside the range (not the instant
    /// "compatible" disambiguation would give, which can fall after the range has ended).
    ///
    /// # Panics
    ///
    /// Only if the answer lies beyond the last date jiff can represent (the year 9999).
    pub fn next_open(&self, from: &ZonedDateTime) -> ZonedDateTime {
        let found = self.find_start(from);
        found.start.to_zoned_datetime(from.time_zone().clone())
    }

    /// The window that `next_open(from)` opens: its start (`next_open(from)`) and its end, the
    /// first instant after the start at which contacting is no longer allowed.
    ///
    /// A window is the whole stretch of open instants: when the clock changes inside a range, the
    /// window runs across the change as long as the debtor's clock stays inside the range.
    ///
    /// # Panics
    ///
    /// Only if the answer lies beyond the last date jiff can represent (the year 9999).
    pub fn next_window(&self, from: &ZonedDateTime) -> (ZonedDateTime, ZonedDateTime) {
        let time_zone = from.time_zone();
        let found = self.find_start(from);
        let start = found.start;
        let end = self.find_end(time_zone, found);
        (
            start.to_zoned_datetime(time_zone.clone()),
            end.to_zoned_datetime(time_zone.clone()),
        )
    }

    /// Whether `date` is a day on which contacting is allowed at some hour: its weekday has a
    /// range and it is not a public holiday.
    pub fn is_contact_day(&self, date: Date) -> bool {
        !self.ranges(date.weekday()).is_empty() && !self.holidays.is_holiday(date)
    }

    /// The first contact day on or after `from`.
    ///
    /// # Panics
    ///
    /// Only if the answer lies beyond the last date jiff can represent (the year 9999).
    pub fn next_contact_day(&self, from: Date) -> Date {
        let mut day = from;
        for _ in 0..MAX_SEARCH_DAYS {
            if self.is_contact_day(day) {
                return day;
            }
            day = next_day(day);
        }
        unreachable!("a contact day always comes within {MAX_SEARCH_DAYS} days")
    }

    /// The civil end of the range holding the civil time `at`, if contacting is allowed then.
    fn range_end_at(&self, at: DateTime) -> Option<DateTime> {
        let date = at.date();
        if !self.is_contact_day(date) {
            return None;
        }
        self.ranges(date.weekday())
            .iter()
            .find(|range| range.contains(at.time()))
            .map(|range| date.to_datetime(range.end))
    }

    /// The first civil window that ends after `from`: its start (never before `from`) and its end.
    ///
    /// This is the whole answer for a clock that never changes; `find_start` and `find_end` deal
    /// with the changes.
    fn next_civil_window(&self, from: DateTime) -> (DateTime, DateTime) {
        let mut day = from.date();
        for _ in 0..MAX_SEARCH_DAYS {
            if !self.holidays.is_holiday(day) {
                for range in self.ranges(day.weekday()) {
                    let end = day.to_datetime(range.end);
                    if from < end {
                        return (from.max(day.to_datetime(range.start)), end);
                    }
                }
            }
            day = next_day(day);
        }
        unreachable!("a contact day always comes within {MAX_SEARCH_DAYS} days")
    }

    /// Finds the earliest open instant at or after `from`.
    ///
    /// Between two offset changes, the debtor's clock is the instant plus a fixed offset, so the
    /// first civil window after the clock's reading gives the first open instant, unless that
    /// instant comes after the next change, where the clock jumps. The search then starts again
    /// from the change, reading the clock with the new offset.
    fn find_start(&self, from: &ZonedDateTime) -> WindowStart {
        let time_zone = from.time_zone();
        let mut cursor = from.timestamp();
        for _ in 0..MAX_OFFSET_CHANGES {
            let offset = time_zone.to_offset(cursor);
            let next_change = next_offset_change(time_zone, cursor);
            let (civil_start, civil_end) = self.next_civil_window(offset.to_datetime(cursor));
            let start = to_timestamp(offset, civil_start);
            match next_change {
                Some(change) if start >= change => cursor = change,
                _ => {
                    return WindowStart {
                        start,
                        offset,
                        civil_end,
                        next_change,
                    };
                }
            }
        }
        unreachable!("an open instant always comes within {MAX_OFFSET_CHANGES} offset changes")
    }

    /// Finds the end of the window that `found` starts.
    fn find_end(&self, time_zone: &TimeZone, found: WindowStart) -> Timestamp {
        let WindowStart {
            mut offset,
            mut civil_end,
            mut next_change,
            ..
        } = found;
        for _ in 0..MAX_OFFSET_CHANGES {
            let end = to_timestamp(offset, civil_end);
            let change = match next_change {
                Some(change) if change <= end => change,
                _ => return end,
            };
            // The clock changes before the range ends: the window goes on across the change only
            // if the new reading of the clock is inside a range too (an autumn change inside
            // 01:00-04:00 repeats an open hour; a spring change may jump past the range's end).
            offset = time_zone.to_offset(change);
            match self.range_end_at(offset.to_datetime(change)) {
                Some(end) => civil_end = end,
                None => return change,
            }
            next_change = next_offset_change(time_zone, change);
        }
        unreachable!("a window lasts less than a day, so it crosses few offset changes")
    }
}

/// The first change of the time zone's offset strictly after `after`, if any.
fn next_offset_change(time_zone: &TimeZone, after: Timestamp) -> Option<Timestamp> {
    time_zone
        .following(after)
        .next()
        .map(|transition| transition.timestamp())
}

fn to_timestamp(offset: Offset, civil: DateTime) -> Timestamp {
    offset
        .to_timestamp(civil)
        .expect("contact hours are searched only within jiff's range of dates")
}

fn next_day(day: Date) -> Date {
    day.tomorrow()
        .expect("contact hours are searched only within jiff's range of dates")
}

#[cfg(test)]
mod tests {
    use jiff::SignedDuration;
    use jiff::civil::date;
    use proptest::prelude::*;

    use super::*;

    /// A civil time in Paris; the tests that need one side of a clock change give the offset.
    fn paris(civil: &str) -> ZonedDateTime {
        zoned(civil, "Europe/Paris")
    }

    fn zoned(civil: &str, zone: &str) -> ZonedDateTime {
        civil.parse::<DateTime>().unwrap().in_tz(zone).unwrap()
    }

    fn exact(text: &str) -> ZonedDateTime {
        text.parse().unwrap()
    }

    fn range(text: &str) -> TimeRange {
        TimeRange::parse(text).unwrap()
    }

    /// Contact hours open only on Sundays, in the given ranges, with no holiday.
    fn sundays(ranges: &[&str]) -> ContactHours {
        let mut weekly: [Vec<TimeRange>; 7] = Default::default();
        weekly[6] = ranges.iter().map(|text| range(text)).collect();
        ContactHours::new(weekly, HolidayCalendar::NoHolidays).unwrap()
    }

    #[test]
    fn a_saturday_morning_waits_for_monday_nine() {
        let hours = ContactHours::french_default();
        let saturday = paris("2026-06-13T10:00");
        assert!(!hours.is_open(&saturday));
        assert_eq!(hours.next_open(&saturday), paris("2026-06-15T09:00"));
    }

    #[test]
    fn friday_at_seven_in_the_evening_is_closed_until_monday() {
        let hours = ContactHours::french_default();
        let friday = paris("2026-06-12T19:00");
        assert!(hours.is_open(&paris("2026-06-12T18:59:59.999999999")));
        assert!(!hours.is_open(&friday));
        assert_eq!(hours.next_open(&friday), paris("2026-06-15T09:00"));
    }

    #[test]
    fn the_lunch_break_waits_for_two_o_clock() {
        let hours = ContactHours::french_default();
        let tuesday = paris("2026-06-16T12:45");
        assert_eq!(
            hours.next_window(&tuesday),
            (paris("2026-06-16T14:00"), paris("2026-06-16T19:00"))
        );
        // Inside a window, the window starts where the search starts.
        let inside = paris("2026-06-16T10:17:03");
        assert_eq!(hours.next_open(&inside), inside);
        assert_eq!(
            hours.next_window(&inside),
            (inside.clone(), paris("2026-06-16T12:30"))
        );
    }

    #[test]
    fn christmas_waits_for_the_next_working_day() {
        let hours = ContactHours::french_default();
        // 25 December 2026 is a Friday: the next working day is Monday 28.
        assert_eq!(
            hours.next_open(&paris("2026-12-25T10:00")),
            paris("2026-12-28T09:00")
        );
        assert_eq!(
            hours.next_contact_day(date(2026, 12, 25)),
            date(2026, 12, 28)
        );
        // 25 December 2025 is a Thursday: Friday 26 is worked in France, not in Alsace-Moselle.
        assert_eq!(
            hours.next_contact_day(date(2025, 12, 25)),
            date(2025, 12, 26)
        );
        let alsace = ContactHours::new(
            std::array::from_fn(|day| hours.weekly[day].clone()),
            HolidayCalendar::AlsaceMoselle,
        )
        .unwrap();
        assert_eq!(
            alsace.next_contact_day(date(2025, 12, 25)),
            date(2025, 12, 29)
        );
        assert_eq!(
            alsace.next_open(&paris("2025-12-24T19:00")),
            paris("2025-12-29T09:00")
        );
    }

    #[test]
    fn bastille_day_2026_is_skipped() {
        let hours = ContactHours::french_default();
        // 14 July 2026 is a Tuesday.
        assert!(!hours.is_contact_day(date(2026, 7, 14)));
        assert!(!hours.is_open(&paris("2026-07-14T10:00")));
        assert_eq!(
            hours.next_open(&paris("2026-07-13T19:30")),
            paris("2026-07-15T09:00")
        );
    }

    #[test]
    fn contact_days_are_weekdays_with_ranges_that_are_not_holidays() {
        let hours = ContactHours::french_default();
        assert!(hours.is_contact_day(date(2026, 6, 15)));
        assert!(!hours.is_contact_day(date(2026, 6, 13)));
        assert!(!hours.is_contact_day(date(2026, 6, 14)));
        assert!(!hours.is_contact_day(date(2026, 5, 14)));
        assert_eq!(hours.next_contact_day(date(2026, 6, 15)), date(2026, 6, 15));
        // Ascension, Thursday 14 May 2026, is followed by a working Friday; the weekend of 23 May
        // is followed by Whit Monday.
        assert_eq!(hours.next_contact_day(date(2026, 5, 14)), date(2026, 5, 15));
        assert_eq!(hours.next_contact_day(date(2026, 5, 23)), date(2026, 5, 26));
    }

    /// 08:00 in New York is 14:00 in Paris: the debtor's clock decides, not the creditor's.
    #[test]
    fn a_debtor_in_new_york_is_judged_on_new_york_time() {
        let hours = ContactHours::french_default();
        let early = zoned("2026-06-16T08:00", "America/New_York");
        assert!(!hours.is_open(&early));
        let opens = hours.next_open(&early);
        assert_eq!(opens, zoned("2026-06-16T09:00", "America/New_York"));
        assert_eq!(opens.time_zone().iana_name(), Some("America/New_York"));
        // 14:30 in New York is 20:30 in Paris, closed there but open here.
        let afternoon = zoned("2026-06-16T14:30", "America/New_York");
        assert!(hours.is_open(&afternoon));
        assert!(!hours.is_open(&afternoon.in_tz("Europe/Paris").unwrap()));
        // The holiday calendar is the one of the hours: 14 July is closed in New York too.
        assert!(!hours.is_open(&zoned("2026-07-14T10:00", "America/New_York")));
    }

    /// Paris moves to summer time on Sunday 29 March 2026: 02:00 becomes 03:00.
    #[test]
    fn the_march_2026_change_in_paris() {
        let hours = ContactHours::french_default();
        let (start, end) = hours.next_window(&exact("2026-03-27T19:00+01:00[Europe/Paris]"));
        assert_eq!(start.to_string(), "2026-03-30T09:00:00+02:00[Europe/Paris]");
        assert_eq!(end.to_string(), "2026-03-30T12:30:00+02:00[Europe/Paris]");

        // A range starting inside the skipped hour opens at 03:00, the first time the clock shows
        // inside it (compatible disambiguation would say 03:30, after the range has ended).
        let night = sundays(&["02:30-03:15"]);
        let (start, end) = night.next_window(&exact("2026-03-29T00:00+01:00[Europe/Paris]"));
        assert_eq!(start.to_string(), "2026-03-29T03:00:00+02:00[Europe/Paris]");
        assert_eq!(end.to_string(), "2026-03-29T03:15:00+02:00[Europe/Paris]");

        // A range wholly inside the skipped hour does not exist that day.
        let lost = sundays(&["02:10-02:50"]);
        assert_eq!(
            lost.next_open(&exact("2026-03-29T00:00+01:00[Europe/Paris]"))
                .to_string(),
            "2026-04-05T02:10:00+02:00[Europe/Paris]"
        );
        // So does one that starts when the clock jumps: 02:00 is never shown, and at the jump the
        // clock already reads 03:00, past the range.
        let jumped = sundays(&["02:00-02:30"]);
        assert_eq!(
            jumped
                .next_open(&exact("2026-03-29T00:00+01:00[Europe/Paris]"))
                .to_string(),
            "2026-04-05T02:00:00+02:00[Europe/Paris]"
        );

        // A range across the change is one window of two hours of real time.
        let across = sundays(&["01:00-04:00"]);
        let (start, end) = across.next_window(&exact("2026-03-29T01:30+01:00[Europe/Paris]"));
        assert_eq!(start.to_string(), "2026-03-29T01:30:00+01:00[Europe/Paris]");
        assert_eq!(end.to_string(), "2026-03-29T04:00:00+02:00[Europe/Paris]");

        // A range ending inside the skipped hour ends at the change.
        let cut = sundays(&["01:00-02:30"]);
        let (_, end) = cut.next_window(&exact("2026-03-29T01:30+01:00[Europe/Paris]"));
        assert_eq!(end.to_string(), "2026-03-29T03:00:00+02:00[Europe/Paris]");
        assert!(!cut.is_open(&end));
        assert!(cut.is_open(&(end - SignedDuration::from_nanos(1))));
    }

    /// Paris goes back to winter time on Sunday 25 October 2026: 03:00 becomes 02:00 again, so the
    /// clock shows the hour from 02:00 twice.
    #[test]
    fn the_october_2026_change_in_paris() {
        let hours = ContactHours::french_default();
        let (start, end) = hours.next_window(&exact("2026-10-23T19:00+02:00[Europe/Paris]"));
        assert_eq!(start.to_string(), "2026-10-26T09:00:00+01:00[Europe/Paris]");
        assert_eq!(end.to_string(), "2026-10-26T12:30:00+01:00[Europe/Paris]");

        // When the clock first reaches 03:00 it is set back to 02:00: a range from 03:00 opens an
        // hour later, when 03:00 comes round again.
        let three = sundays(&["03:00-04:00"]);
        assert_eq!(
            three
                .next_open(&exact("2026-10-25T00:00+02:00[Europe/Paris]"))
                .to_string(),
            "2026-10-25T03:00:00+01:00[Europe/Paris]"
        );

        // After the first 02:15-02:45, the repeated hour opens the range a second time.
        let repeated = sundays(&["02:15-02:45"]);
        let (start, end) = repeated.next_window(&exact("2026-10-25T02:20+02:00[Europe/Paris]"));
        assert_eq!(start.to_string(), "2026-10-25T02:20:00+02:00[Europe/Paris]");
        assert_eq!(end.to_string(), "2026-10-25T02:45:00+02:00[Europe/Paris]");
        let (start, end) = repeated.next_window(&exact("2026-10-25T02:50+02:00[Europe/Paris]"));
        assert_eq!(start.to_string(), "2026-10-25T02:15:00+01:00[Europe/Paris]");
        assert_eq!(end.to_string(), "2026-10-25T02:45:00+01:00[Europe/Paris]");

        // A range ending at the change goes on through the repeated hour without a break.
        let through = sundays(&["01:00-03:00"]);
        let (start, end) = through.next_window(&exact("2026-10-25T01:30+02:00[Europe/Paris]"));
        assert_eq!(start.to_string(), "2026-10-25T01:30:00+02:00[Europe/Paris]");
        assert_eq!(end.to_string(), "2026-10-25T03:00:00+01:00[Europe/Paris]");

        // A range ending inside the repeated hour is two windows.
        let twice = sundays(&["01:30-02:30"]);
        let (_, end) = twice.next_window(&exact("2026-10-25T01:45+02:00[Europe/Paris]"));
        assert_eq!(end.to_string(), "2026-10-25T02:30:00+02:00[Europe/Paris]");
        let (start, end) = twice.next_window(&end);
        assert_eq!(start.to_string(), "2026-10-25T02:00:00+01:00[Europe/Paris]");
        assert_eq!(end.to_string(), "2026-10-25T02:30:00+01:00[Europe/Paris]");
    }

    #[test]
    fn time_ranges_parse_and_print_as_clocks() {
        assert_eq!(range("09:00-12:30").to_string(), "09:00-12:30");
        assert_eq!(range(" 9:00 - 12:30 ").to_string(), "09:00-12:30");
        assert_eq!(range("09:00-12:30").start(), Time::constant(9, 0, 0, 0));
        assert_eq!(range("09:00-12:30").end(), Time::constant(12, 30, 0, 0));
        for text in [
            "9h-12h",
            "09:00",
            "09:0-12:30",
            "24:00-25:00",
            "09:00-12:30-14:00",
            "+9:00-12:00",
        ] {
            assert_eq!(
                TimeRange::parse(text),
                Err(ContactHoursError::NotATimeRange {
                    text: text.to_owned()
                }),
                "{text}"
            );
        }
        assert_eq!(
            TimeRange::parse("12:30-09:00").unwrap_err().to_string(),
            "the time range 12:30-09:00 is empty: it must end after it starts"
        );
        assert!(TimeRange::parse("09:00-09:00").is_err());
        let precise = TimeRange::new(Time::constant(9, 0, 30, 0), Time::constant(10, 0, 0, 0));
        assert_eq!(precise.unwrap().to_string(), "09:00:30-10:00");
    }

    #[test]
    fn overlapping_ranges_are_refused_with_both_named() {
        let mut weekly: [Vec<TimeRange>; 7] = Default::default();
        weekly[0] = vec![range("12:00-14:00"), range("09:00-12:30")];
        let error = ContactHours::new(weekly, HolidayCalendar::France).unwrap_err();
        assert_eq!(
            error.to_string(),
            "overlapping ranges on Monday: 09:00-12:30 and 12:00-14:00"
        );
        let mut weekly: [Vec<TimeRange>; 7] = Default::default();
        weekly[4] = vec![range("09:00-12:00"), range("09:00-12:00")];
        assert!(matches!(
            ContactHours::new(weekly, HolidayCalendar::France),
            Err(ContactHoursError::OverlappingRanges {
                day: Weekday::Friday,
                ..
            })
        ));
    }

    #[test]
    fn a_week_without_hours_is_refused() {
        let error = ContactHours::new(Default::default(), HolidayCalendar::NoHolidays);
        assert_eq!(error, Err(ContactHoursError::NoContactHours));
    }

    #[test]
    fn ranges_are_sorted_and_touching_ranges_joined() {
        let mut weekly: [Vec<TimeRange>; 7] = Default::default();
        weekly[2] = vec![
            range("16:00-18:00"),
            range("14:00-16:00"),
            range("09:00-12:00"),
        ];
        let hours = ContactHours::new(weekly, HolidayCalendar::NoHolidays).unwrap();
        assert_eq!(
            hours.ranges(Weekday::Wednesday),
            &[range("09:00-12:00"), range("14:00-18:00")]
        );
        assert!(hours.ranges(Weekday::Monday).is_empty());
        assert_eq!(hours.holidays(), HolidayCalendar::NoHolidays);
        let (start, end) = hours.next_window(&paris("2026-06-17T15:00"));
        assert_eq!(
            (start, end),
            (paris("2026-06-17T15:00"), paris("2026-06-17T18:00"))
        );
    }

    #[test]
    fn the_french_default_hours() {
        let hours = ContactHours::french_default();
        for day in [
            Weekday::Monday,
            Weekday::Tuesday,
            Weekday::Wednesday,
            Weekday::Thursday,
            Weekday::Friday,
        ] {
            assert_eq!(
                hours.ranges(day),
                &[range("09:00-12:30"), range("14:00-19:00")]
            );
        }
        assert!(hours.ranges(Weekday::Saturday).is_empty());
        assert!(hours.ranges(Weekday::Sunday).is_empty());
        assert_eq!(hours.holidays(), HolidayCalendar::France);
    }

    const ZONES: [&str; 4] = [
        "Europe/Paris",
        "America/New_York",
        "Asia/Tokyo",
        "Pacific/Auckland",
    ];

    /// 2020-01-01T00:00Z and 2036-01-01T00:00Z.
    const FROM_2020: i64 = 1_577_836_800;
    const UNTIL_2036: i64 = 2_082_758_400;

    /// Any instant of 2020-2035 in one of `ZONES`: uniformly drawn, or within four days of one of
    /// the zone's clock changes, and sometimes exactly on a quarter hour or just before one, where
    /// windows open and close.
    fn instant() -> impl Strategy<Value = ZonedDateTime> {
        (
            prop::sample::select(&ZONES[..]),
            FROM_2020..UNTIL_2036,
            0i32..1_000_000_000,
            any::<bool>(),
            0usize..32,
            -4 * 86_400i64..4 * 86_400,
            0u8..3,
        )
            .prop_map(|(zone, second, nanos, near_change, change, shift, snap)| {
                let time_zone = TimeZone::get(zone).unwrap();
                let mut at = Timestamp::new(second, nanos).unwrap();
                if near_change
                    && let Some(transition) = time_zone
                        .following(Timestamp::from_second(FROM_2020).unwrap())
                        .nth(change)
                {
                    at = transition.timestamp() + SignedDuration::new(shift, nanos);
                }
                let quarter = at.as_second().div_euclid(900) * 900;
                at = match snap {
                    0 => at,
                    1 => Timestamp::from_second(quarter).unwrap(),
                    _ => Timestamp::from_second(quarter).unwrap() - SignedDuration::from_nanos(1),
                };
                at.to_zoned_datetime(time_zone)
            })
    }

    /// The first instant at or after `at` on the UTC grid of `step`.
    fn ceil_to(at: Timestamp, step: SignedDuration) -> Timestamp {
        let step_nanos = step.as_nanos();
        let nanos = at.as_nanosecond();
        Timestamp::from_nanosecond(nanos + (step_nanos - nanos.rem_euclid(step_nanos)) % step_nanos)
            .unwrap()
    }

    fn open_at(hours: &ContactHours, at: Timestamp, time_zone: &TimeZone) -> bool {
        hours.is_open(&at.to_zoned_datetime(time_zone.clone()))
    }

    /// Contact hours on a quarter-hour grid: each day has none, one or two ranges, and at least
    /// one day has one. Half of the range ends fall between 01:00 and 04:00, where the clock
    /// changes in these zones.
    fn quarter_hour_contact_hours() -> impl Strategy<Value = ContactHours> {
        let point = prop_oneof![0u8..96, 4u8..16];
        let day = prop::collection::btree_set(point, 0..=4).prop_map(|points| {
            let points: Vec<u8> = points.into_iter().collect();
            points
                .chunks_exact(2)
                .map(|pair| {
                    let time = |quarter: u8| {
                        Time::new((quarter / 4) as i8, (quarter % 4 * 15) as i8, 0, 0).unwrap()
                    };
                    TimeRange::new(time(pair[0]), time(pair[1])).unwrap()
                })
                .collect::<Vec<_>>()
        });
        (
            prop::array::uniform7(day),
            prop::sample::select(vec![
                HolidayCalendar::France,
                HolidayCalendar::AlsaceMoselle,
                HolidayCalendar::NoHolidays,
            ]),
        )
            .prop_filter_map("a week needs some contact hours", |(weekly, holidays)| {
                ContactHours::new(weekly, holidays).ok()
            })
    }

    proptest! {
        /// For the default hours, `next_open` is the first open instant: open, on a working day,
        /// not before `from`, and no minute between `from` and it is open. Its window is open
        /// throughout and closed at its end.
        #[test]
        fn next_open_is_the_first_open_instant(from in instant()) {
            let hours = ContactHours::french_default();
            let time_zone = from.time_zone();
            let open = hours.next_open(&from);
            prop_assert_eq!(open.time_zone().iana_name(), time_zone.iana_name());
            prop_assert!(open.timestamp() >= from.timestamp());
            prop_assert!(hours.is_open(&open));
            let weekend = matches!(open.weekday(), Weekday::Saturday | Weekday::Sunday);
            prop_assert!(!weekend, "{}", open);
            prop_assert!(!HolidayCalendar::France.is_holiday(open.date()), "{}", open);
            if open.timestamp() > from.timestamp() {
                prop_assert!(!hours.is_open(&from));
                let just_before = open.timestamp() - SignedDuration::from_nanos(1);
                prop_assert!(!open_at(&hours, just_before, time_zone), "{}", open);
            }
            let minute = SignedDuration::from_mins(1);
            let mut at = ceil_to(from.timestamp(), minute);
            while at < open.timestamp() {
                prop_assert!(!open_at(&hours, at, time_zone), "{} is open before {}", at, open);
                at += minute;
            }

            let (start, end) = hours.next_window(&from);
            prop_assert_eq!(&start, &open);
            prop_assert!(end.timestamp() > start.timestamp());
            prop_assert!(end.timestamp() - start.timestamp() <= SignedDuration::from_hours(5));
            prop_assert!(!hours.is_open(&end), "{}", end);
            let mut at = ceil_to(start.timestamp(), minute);
            while at < end.timestamp() {
                prop_assert!(
                    open_at(&hours, at, time_zone),
                    "{} is closed in {}..{}", at, start, end
                );
                at += minute;
            }
            let last = end.timestamp() - SignedDuration::from_nanos(1);
            prop_assert!(open_at(&hours, last, time_zone), "{}", end);
        }

        /// For any hours on a quarter-hour grid, `next_window` agrees with a search that tries
        /// every quarter hour. Whether an instant is open can only change on that grid, since the
        /// ranges lie on it and these zones change their clocks on the hour.
        #[test]
        fn next_window_agrees_with_a_quarter_hour_scan(
            hours in quarter_hour_contact_hours(),
            from in instant(),
        ) {
            let time_zone = from.time_zone();
            let quarter = SignedDuration::from_mins(15);
            let expected_start = if hours.is_open(&from) {
                from.timestamp()
            } else {
                let mut at = ceil_to(from.timestamp(), quarter);
                let mut steps = 0;
                while !open_at(&hours, at, time_zone) {
                    at += quarter;
                    steps += 1;
                    prop_assert!(steps < 60 * 96, "no open quarter hour in 60 days from {}", from);
                }
                at
            };
            let mut expected_end = ceil_to(expected_start + SignedDuration::from_nanos(1), quarter);
            while open_at(&hours, expected_end, time_zone) {
                expected_end += quarter;
            }

            let (start, end) = hours.next_window(&from);
            prop_assert_eq!(start.timestamp(), expected_start, "start from {}", from);
            prop_assert_eq!(end.timestamp(), expected_end, "end from {}", from);
            prop_assert_eq!(hours.next_open(&from), start);
        }
    }
}
