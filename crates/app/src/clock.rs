//! The only place that reads the system clock. Everything else receives time as a value.

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;

/// Where "now" comes from: the system clock, or a fixed instant (tests, simulations, replays).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clock {
    System,
    Fixed(Timestamp),
}

impl Clock {
    pub fn now(&self) -> Timestamp {
        match self {
            #[expect(
                clippy::disallowed_methods,
                reason = "the one sanctioned read of the system clock"
            )]
            Clock::System => Timestamp::now(),
            Clock::Fixed(at) => *at,
        }
    }

    /// Today's calendar date in the given time zone (the creditor's, for accounting dates).
    pub fn today_in(&self, time_zone: &str) -> Date {
        let zone = TimeZone::get(time_zone).unwrap_or(TimeZone::UTC);
        self.now().to_zoned_datetime(zone).date()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn today_is_read_in_the_creditors_time_zone() {
        let late_evening_utc: Timestamp = "2026-12-31T23:30:00Z".parse().unwrap();
        let clock = Clock::Fixed(late_evening_utc);
        assert_eq!(
            clock.today_in("Europe/Paris"),
            jiff::civil::date(2027, 1, 1)
        );
        assert_eq!(
            clock.today_in("America/New_York"),
            jiff::civil::date(2026, 12, 31)
        );
    }
}
