//! The contact policy: when, how often and through what a debtor may be contacted.
//!
//! The defaults follow French practice and the practitioners' manners: weekday office hours in
//! the debtor's time zone, never on public holidays, at most one contact every three days, three
//! a week and eight a month, one phone attempt a day. Every figure is the tenant's to change and
//! a customer's to override.

use jiff::civil::Date;

use crate::contact_hours::ContactHours;
use crate::customer::Channel;
use crate::scenario::StepChannel;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactPolicy {
    pub hours: ContactHours,
    /// Two contacts are at least this many days apart (3: at most one per three days).
    pub min_days_between_contacts: u16,
    pub max_contacts_per_7_days: u16,
    pub max_contacts_per_30_days: u16,
    pub max_phone_attempts_per_day: u16,
    /// A promise pauses the case until its date plus these days.
    pub promise_grace_days: u16,
    /// Written channels to try, in order, when a step's own channel cannot be used.
    pub written_fallback: Vec<StepChannel>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    #[error("max_contacts_per_7_days must be at least 1")]
    NoWeeklyContact,
    #[error("max_contacts_per_30_days ({monthly}) is below max_contacts_per_7_days ({weekly})")]
    MonthlyBelowWeekly { weekly: u16, monthly: u16 },
    #[error("min_days_between_contacts ({days}) is above 30 days")]
    GapTooLong { days: u16 },
    #[error("promise_grace_days ({days}) is above 30 days")]
    GraceTooLong { days: u16 },
    #[error("{channel} cannot replace a written reminder (email, sms or letter only)")]
    FallbackNotWritten { channel: StepChannel },
}

/// One contact with the customer, on the debtor's calendar date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContactRecord {
    pub on: Date,
    pub channel: Channel,
    pub outcome: ContactOutcome,
}

/// What came of a contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ContactOutcome {
    /// Sent or scheduled by Relance; no answer known.
    Sent,
    Reached,
    NoAnswer,
    WrongNumber,
    Bounced,
}

impl ContactOutcome {
    pub const ALL: [ContactOutcome; 5] = [
        ContactOutcome::Sent,
        ContactOutcome::Reached,
        ContactOutcome::NoAnswer,
        ContactOutcome::WrongNumber,
        ContactOutcome::Bounced,
    ];

    pub fn code(&self) -> &'static str {
        match self {
            ContactOutcome::Sent => "sent",
            ContactOutcome::Reached => "reached",
            ContactOutcome::NoAnswer => "no-answer",
            ContactOutcome::WrongNumber => "wrong-number",
            ContactOutcome::Bounced => "bounced",
        }
    }

    pub fn parse(text: &str) -> Option<ContactOutcome> {
        let wanted = text.trim().to_ascii_lowercase().replace('_', "-");
        ContactOutcome::ALL
            .into_iter()
            .find(|outcome| outcome.code() == wanted)
    }

    /// The channel itself failed: the address bounced or the number is wrong.
    pub fn is_channel_failure(&self) -> bool {
        matches!(self, ContactOutcome::WrongNumber | ContactOutcome::Bounced)
    }
}

/// Which contact limit holds a contact back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContactLimit {
    MinGap { days: u16 },
    Weekly { max: u16 },
    Monthly { max: u16 },
    PhonePerDay { max: u16 },
}

/// How far ahead the earliest allowed date is searched; the limits look back 30 days at most, so
/// a longer search always finds a date.
const SEARCH_DAYS: i32 = 62;

impl ContactPolicy {
    pub fn french_default() -> ContactPolicy {
        ContactPolicy {
            hours: ContactHours::french_default(),
            min_days_between_contacts: 3,
            max_contacts_per_7_days: 3,
            max_contacts_per_30_days: 8,
            max_phone_attempts_per_day: 1,
            promise_grace_days: 3,
            written_fallback: vec![StepChannel::Email, StepChannel::Letter],
        }
    }

    pub fn check(&self) -> Result<(), PolicyError> {
        if self.max_contacts_per_7_days == 0 {
            return Err(PolicyError::NoWeeklyContact);
        }
        if self.max_contacts_per_30_days < self.max_contacts_per_7_days {
            return Err(PolicyError::MonthlyBelowWeekly {
                weekly: self.max_contacts_per_7_days,
                monthly: self.max_contacts_per_30_days,
            });
        }
        if self.min_days_between_contacts > 30 {
            return Err(PolicyError::GapTooLong {
                days: self.min_days_between_contacts,
            });
        }
        if self.promise_grace_days > 30 {
            return Err(PolicyError::GraceTooLong {
                days: self.promise_grace_days,
            });
        }
        if let Some(channel) = self.written_fallback.iter().find(|channel| {
            !matches!(
                channel,
                StepChannel::Email | StepChannel::Sms | StepChannel::Letter
            )
        }) {
            return Err(PolicyError::FallbackNotWritten { channel: *channel });
        }
        Ok(())
    }

    /// The limit a new contact through `channel` on `day` would break, given the history
    /// (past contacts and those already scheduled).
    pub fn limit_broken(
        &self,
        history: &[ContactRecord],
        day: Date,
        channel: Channel,
    ) -> Option<ContactLimit> {
        let gap = i32::from(self.min_days_between_contacts);
        if gap > 0
            && history
                .iter()
                .any(|contact| (day - contact.on).get_days().abs() < gap)
        {
            return Some(ContactLimit::MinGap {
                days: self.min_days_between_contacts,
            });
        }
        if channel == Channel::Phone {
            let attempts = history
                .iter()
                .filter(|contact| contact.on == day && contact.channel == Channel::Phone)
                .count();
            if attempts >= usize::from(self.max_phone_attempts_per_day) {
                return Some(ContactLimit::PhonePerDay {
                    max: self.max_phone_attempts_per_day,
                });
            }
        }
        if exceeds_rolling(history, day, 7, self.max_contacts_per_7_days) {
            return Some(ContactLimit::Weekly {
                max: self.max_contacts_per_7_days,
            });
        }
        if exceeds_rolling(history, day, 30, self.max_contacts_per_30_days) {
            return Some(ContactLimit::Monthly {
                max: self.max_contacts_per_30_days,
            });
        }
        None
    }

    /// The first contact day on or after `from` on which a contact through `channel` breaks no
    /// limit, with the limit that held it back when it is not `from` itself.
    pub fn earliest_contact_day(
        &self,
        history: &[ContactRecord],
        from: Date,
        channel: Channel,
    ) -> (Date, Option<ContactLimit>) {
        let mut first_limit = None;
        let mut day = from;
        for _ in 0..SEARCH_DAYS {
            if self.hours.is_contact_day(day) {
                match self.limit_broken(history, day, channel) {
                    None => return (day, first_limit),
                    Some(limit) => {
                        first_limit.get_or_insert(limit);
                    }
                }
            }
            day = day
                .tomorrow()
                .expect("dates stay far from the calendar's end");
        }
        (day, first_limit)
    }
}

/// Would one more contact on `day` put any rolling window of `length` days containing it above
/// `max`? Every window containing the day is checked, so contacts already scheduled after it
/// count too.
fn exceeds_rolling(history: &[ContactRecord], day: Date, length: i32, max: u16) -> bool {
    // No window holds more than every contact: below the cap, none can be full (most
    // customers of a daily run, whose history is short).
    if history.len() < usize::from(max) {
        return false;
    }
    // Each contact's distance from the day, once, rather than dates computed for every window.
    let offsets: Vec<i32> = history
        .iter()
        .map(|contact| (contact.on - day).get_days())
        .collect();
    (0..length).any(|shift| {
        let start = shift - (length - 1);
        let end = start + length - 1;
        let inside = offsets
            .iter()
            .filter(|&&offset| offset >= start && offset <= end)
            .count();
        inside + 1 > usize::from(max)
    })
}

/// The channels whose last use failed (a bounced e-mail, a wrong number), so the next step
/// tries another one until a contact through it succeeds again.
pub fn failed_channels(history: &[ContactRecord]) -> Vec<Channel> {
    let mut latest: Vec<(Channel, Date, bool)> = Vec::new();
    for contact in history {
        let failed = contact.outcome.is_channel_failure();
        match latest
            .iter_mut()
            .find(|(channel, ..)| *channel == contact.channel)
        {
            Some(entry) if contact.on >= entry.1 => *entry = (contact.channel, contact.on, failed),
            Some(_) => {}
            None => latest.push((contact.channel, contact.on, failed)),
        }
    }
    latest
        .into_iter()
        .filter(|(.., failed)| *failed)
        .map(|(channel, ..)| channel)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn sent(on: Date, channel: Channel) -> ContactRecord {
        ContactRecord {
            on,
            channel,
            outcome: ContactOutcome::Sent,
        }
    }

    #[test]
    fn two_contacts_are_three_days_apart_at_least() {
        let policy = ContactPolicy::french_default();
        let history = [sent(date(2026, 11, 23), Channel::Email)];
        assert_eq!(
            policy.limit_broken(&history, date(2026, 11, 25), Channel::Email),
            Some(ContactLimit::MinGap { days: 3 })
        );
        assert_eq!(
            policy.limit_broken(&history, date(2026, 11, 26), Channel::Email),
            None
        );
    }

    #[test]
    fn the_earliest_day_skips_limits_weekends_and_holidays() {
        let policy = ContactPolicy::french_default();
        // Last contact on Wednesday 23 December 2026: Saturday 26 is the first day the gap
        // allows, but the weekend and then Monday are fine only from Monday 28.
        let history = [sent(date(2026, 12, 23), Channel::Email)];
        assert_eq!(
            policy.earliest_contact_day(&history, date(2026, 12, 24), Channel::Email),
            (date(2026, 12, 28), Some(ContactLimit::MinGap { days: 3 }))
        );
    }

    #[test]
    fn no_more_than_three_a_week_and_eight_a_month() {
        let policy = ContactPolicy {
            min_days_between_contacts: 0,
            ..ContactPolicy::french_default()
        };
        let week: Vec<_> = [16, 17, 18]
            .into_iter()
            .map(|day| sent(date(2026, 11, day), Channel::Email))
            .collect();
        assert_eq!(
            policy.limit_broken(&week, date(2026, 11, 20), Channel::Email),
            Some(ContactLimit::Weekly { max: 3 })
        );
        assert_eq!(
            policy.limit_broken(&week, date(2026, 11, 23), Channel::Email),
            None
        );
        let month: Vec<_> = [2, 3, 9, 10, 16, 17, 23, 24]
            .into_iter()
            .map(|day| sent(date(2026, 11, day), Channel::Email))
            .collect();
        assert_eq!(
            policy.limit_broken(&month, date(2026, 11, 30), Channel::Email),
            Some(ContactLimit::Monthly { max: 8 })
        );
    }

    #[test]
    fn contacts_scheduled_later_count_too() {
        let policy = ContactPolicy::french_default();
        let history = [sent(date(2026, 11, 27), Channel::Email)];
        assert!(
            policy
                .limit_broken(&history, date(2026, 11, 25), Channel::Email)
                .is_some()
        );
    }

    #[test]
    fn one_phone_attempt_a_day() {
        let policy = ContactPolicy {
            min_days_between_contacts: 0,
            ..ContactPolicy::french_default()
        };
        let history = [ContactRecord {
            on: date(2026, 11, 24),
            channel: Channel::Phone,
            outcome: ContactOutcome::NoAnswer,
        }];
        assert_eq!(
            policy.limit_broken(&history, date(2026, 11, 24), Channel::Phone),
            Some(ContactLimit::PhonePerDay { max: 1 })
        );
        assert_eq!(
            policy.limit_broken(&history, date(2026, 11, 24), Channel::Email),
            None
        );
    }

    #[test]
    fn a_channel_fails_until_it_works_again() {
        let bounced = ContactRecord {
            on: date(2026, 11, 2),
            channel: Channel::Email,
            outcome: ContactOutcome::Bounced,
        };
        assert_eq!(failed_channels(&[bounced]), vec![Channel::Email]);
        let later = sent(date(2026, 11, 9), Channel::Email);
        assert_eq!(failed_channels(&[later, bounced]), Vec::<Channel>::new());
    }

    #[test]
    fn policies_that_would_silence_or_flood_are_refused() {
        let mut policy = ContactPolicy::french_default();
        assert_eq!(policy.check(), Ok(()));
        policy.max_contacts_per_30_days = 2;
        assert!(matches!(
            policy.check(),
            Err(PolicyError::MonthlyBelowWeekly { .. })
        ));
        let policy = ContactPolicy {
            written_fallback: vec![StepChannel::PhoneTask],
            ..ContactPolicy::french_default()
        };
        assert!(matches!(
            policy.check(),
            Err(PolicyError::FallbackNotWritten { .. })
        ));
    }
}
