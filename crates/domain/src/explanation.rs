//! Why an action was decided, as it is kept: the engine's reasons in a compact text, put into
//! words (French or English) when someone reads them.
//!
//! A cold daily run records hundreds of thousands of actions; their explanations written out in
//! words were half of each action's bytes, every byte written twice. Kept as reasons, they take
//! a third of that room and read in the reader's language, not the run's.
//!
//! The text form: reasons separated by `;`, each a tag and its fields separated by spaces, a
//! step's key last (it may hold spaces; `%` and `;` in it are escaped as `%25` and `%3B`).
//! Amounts are minor units and a currency code, dates ISO 8601, times RFC 9557 with their zone.

use jiff::ZonedDateTime;
use jiff::civil::Date;

use crate::contact_policy::ContactLimit;
use crate::customer::{Channel, CustomerKind, Language};
use crate::engine::{ChannelProblem, Reason, SkipCause, describe_all};
use crate::money::{Currency, Money};
use crate::scenario::{RiskSegment, StepChannel, UnmetCondition};

/// An action's explanation: the engine's reasons, or the words of the person or process that
/// proposed it (an incident's legal route, a plan's reminder, a receipt).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Explanation {
    Reasons(Vec<Reason>),
    Text(String),
}

/// Stored reasons that cannot be read back: the text and where it stops making sense.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unreadable reasons {text:?}: {problem}")]
pub struct ReasonsError {
    pub text: String,
    pub problem: String,
}

impl Explanation {
    /// The explanation in words, in `language`.
    pub fn render(&self, language: Language) -> String {
        match self {
            Explanation::Reasons(reasons) => describe_all(reasons, language),
            Explanation::Text(text) => text.clone(),
        }
    }
}

/// The reasons in their text form.
pub fn encode_reasons(reasons: &[Reason]) -> String {
    let mut text = String::with_capacity(24 * reasons.len());
    for (index, reason) in reasons.iter().enumerate() {
        if index > 0 {
            text.push(';');
        }
        encode(reason, &mut text);
    }
    text
}

/// Reads back what `encode_reasons` wrote.
pub fn decode_reasons(text: &str) -> Result<Vec<Reason>, ReasonsError> {
    if text.is_empty() {
        return Ok(Vec::new());
    }
    text.split(';')
        .map(|part| {
            decode(part).ok_or_else(|| ReasonsError {
                text: text.to_owned(),
                problem: format!("reason {part:?}"),
            })
        })
        .collect()
}

fn encode(reason: &Reason, out: &mut String) {
    use std::fmt::Write;
    let written = match reason {
        Reason::StepDue {
            key,
            offset,
            days_overdue,
        } => write!(out, "due {offset} {days_overdue} {}", Key(key)),
        Reason::StepSkipped { key, cause } => {
            let cause = match cause {
                SkipCause::TooLate => "late".to_owned(),
                SkipCause::NoUsableChannel => "nochannel".to_owned(),
                SkipCause::Condition(UnmetCondition::BalanceBelow { minimum }) => {
                    format!("below {}", MoneyText(*minimum))
                }
                SkipCause::Condition(UnmetCondition::OtherCustomerKind { wanted }) => {
                    format!("kind {}", wanted.code())
                }
                SkipCause::Condition(UnmetCondition::OtherRiskSegment { segment }) => {
                    format!("risk {}", segment.code())
                }
            };
            write!(out, "skip {cause} {}", Key(key))
        }
        Reason::StepBlocked { key } => write!(out, "blocked {}", Key(key)),
        Reason::ChannelReplaced { from, to, problem } => write!(
            out,
            "replaced {} {} {}",
            from.code(),
            to.code(),
            problem_code(*problem)
        ),
        Reason::CompanionDropped { channel, problem } => {
            write!(out, "dropped {} {}", channel.code(), problem_code(*problem))
        }
        Reason::LastContact { days_ago, channel } => {
            write!(out, "last {days_ago} {}", channel.code())
        }
        Reason::NoPriorContact => write!(out, "nocontact"),
        Reason::Window { at } => write!(out, "window {at}"),
        Reason::NeedsApproval => write!(out, "approval"),
        Reason::NextStep { key, on } => write!(out, "next {on} {}", Key(key)),
        Reason::HeldBackBy { limit, until } => {
            let (code, value) = match limit {
                ContactLimit::MinGap { days } => ("gap", days),
                ContactLimit::Weekly { max } => ("weekly", max),
                ContactLimit::Monthly { max } => ("monthly", max),
                ContactLimit::PhonePerDay { max } => ("phone", max),
            };
            write!(out, "held {code} {value} {until}")
        }
        Reason::PromisePending {
            amount,
            due_on,
            until,
        } => write!(out, "promise {} {due_on} {until}", MoneyText(*amount)),
        Reason::PromiseBroken { amount, due_on } => {
            write!(out, "broken {} {due_on}", MoneyText(*amount))
        }
        Reason::OnHold { until } => write!(out, "hold {until}"),
        Reason::Incident => write!(out, "incident"),
        Reason::HandedOff => write!(out, "handedoff"),
        Reason::AwaitingApproval { key } => write!(out, "awaiting {}", Key(key)),
        Reason::DisputedLeftAside { count } => write!(out, "disputed {count}"),
        Reason::AllDisputed => write!(out, "alldisputed"),
        Reason::InPlanLeftAside { count } => write!(out, "inplan {count}"),
        Reason::AllInPlan => write!(out, "allinplan"),
        Reason::NothingOwed => write!(out, "nothingowed"),
        Reason::LadderComplete => write!(out, "complete"),
    };
    written.expect("writing to a string");
}

fn decode(part: &str) -> Option<Reason> {
    let (tag, rest) = part.split_once(' ').unwrap_or((part, ""));
    let mut fields = Fields(rest);
    let reason = match tag {
        "due" => Reason::StepDue {
            offset: fields.next()?.parse().ok()?,
            days_overdue: fields.next()?.parse().ok()?,
            key: fields.key()?,
        },
        "skip" => {
            let cause = match fields.next()? {
                "late" => SkipCause::TooLate,
                "nochannel" => SkipCause::NoUsableChannel,
                "below" => SkipCause::Condition(UnmetCondition::BalanceBelow {
                    minimum: fields.money()?,
                }),
                "kind" => SkipCause::Condition(UnmetCondition::OtherCustomerKind {
                    wanted: CustomerKind::parse(fields.next()?).ok()?,
                }),
                "risk" => SkipCause::Condition(UnmetCondition::OtherRiskSegment {
                    segment: RiskSegment::parse(fields.next()?).ok()?,
                }),
                _ => return None,
            };
            Reason::StepSkipped {
                cause,
                key: fields.key()?,
            }
        }
        "blocked" => Reason::StepBlocked { key: fields.key()? },
        "replaced" => Reason::ChannelReplaced {
            from: StepChannel::parse(fields.next()?).ok()?,
            to: StepChannel::parse(fields.next()?).ok()?,
            problem: problem_from(fields.next()?)?,
        },
        "dropped" => Reason::CompanionDropped {
            channel: StepChannel::parse(fields.next()?).ok()?,
            problem: problem_from(fields.next()?)?,
        },
        "last" => Reason::LastContact {
            days_ago: fields.next()?.parse().ok()?,
            channel: Channel::parse(fields.next()?)?,
        },
        "nocontact" => Reason::NoPriorContact,
        "window" => Reason::Window {
            at: fields.next()?.parse::<ZonedDateTime>().ok()?,
        },
        "approval" => Reason::NeedsApproval,
        "next" => Reason::NextStep {
            on: fields.date()?,
            key: fields.key()?,
        },
        "held" => {
            let code = fields.next()?;
            let value: u16 = fields.next()?.parse().ok()?;
            let limit = match code {
                "gap" => ContactLimit::MinGap { days: value },
                "weekly" => ContactLimit::Weekly { max: value },
                "monthly" => ContactLimit::Monthly { max: value },
                "phone" => ContactLimit::PhonePerDay { max: value },
                _ => return None,
            };
            Reason::HeldBackBy {
                limit,
                until: fields.date()?,
            }
        }
        "promise" => Reason::PromisePending {
            amount: fields.money()?,
            due_on: fields.date()?,
            until: fields.date()?,
        },
        "broken" => Reason::PromiseBroken {
            amount: fields.money()?,
            due_on: fields.date()?,
        },
        "hold" => Reason::OnHold {
            until: fields.date()?,
        },
        "incident" => Reason::Incident,
        "handedoff" => Reason::HandedOff,
        "awaiting" => Reason::AwaitingApproval { key: fields.key()? },
        "disputed" => Reason::DisputedLeftAside {
            count: fields.next()?.parse().ok()?,
        },
        "alldisputed" => Reason::AllDisputed,
        "inplan" => Reason::InPlanLeftAside {
            count: fields.next()?.parse().ok()?,
        },
        "allinplan" => Reason::AllInPlan,
        "nothingowed" => Reason::NothingOwed,
        "complete" => Reason::LadderComplete,
        _ => return None,
    };
    fields.0.is_empty().then_some(reason)
}

fn problem_code(problem: ChannelProblem) -> &'static str {
    match problem {
        ChannelProblem::NoConsent => "noconsent",
        ChannelProblem::NoDetails => "nodetails",
        ChannelProblem::Failed => "failed",
    }
}

fn problem_from(code: &str) -> Option<ChannelProblem> {
    match code {
        "noconsent" => Some(ChannelProblem::NoConsent),
        "nodetails" => Some(ChannelProblem::NoDetails),
        "failed" => Some(ChannelProblem::Failed),
        _ => None,
    }
}

/// A step's key, escaped so that it can end a reason.
struct Key<'a>(&'a str);

impl std::fmt::Display for Key<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for c in self.0.chars() {
            match c {
                '%' => f.write_str("%25")?,
                ';' => f.write_str("%3B")?,
                c => std::fmt::Write::write_char(f, c)?,
            }
        }
        Ok(())
    }
}

struct MoneyText(Money);

impl std::fmt::Display for MoneyText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.0.minor(), self.0.currency().code())
    }
}

/// The fields after a reason's tag, read left to right.
struct Fields<'a>(&'a str);

impl<'a> Fields<'a> {
    fn next(&mut self) -> Option<&'a str> {
        if self.0.is_empty() {
            return None;
        }
        let (field, rest) = self.0.split_once(' ').unwrap_or((self.0, ""));
        self.0 = rest;
        Some(field)
    }

    fn date(&mut self) -> Option<Date> {
        self.next()?.parse().ok()
    }

    fn money(&mut self) -> Option<Money> {
        let minor = self.next()?.parse().ok()?;
        let currency = Currency::from_code(self.next()?).ok()?;
        Some(Money::from_minor(minor, currency))
    }

    /// The rest: a step's key, unescaped.
    fn key(&mut self) -> Option<String> {
        let escaped = std::mem::take(&mut self.0);
        if escaped.is_empty() {
            return None;
        }
        let mut key = String::with_capacity(escaped.len());
        let mut rest = escaped;
        while let Some(at) = rest.find('%') {
            key.push_str(&rest[..at]);
            let code = rest.get(at + 1..at + 3)?;
            key.push(match code {
                "25" => '%',
                "3B" => ';',
                _ => return None,
            });
            rest = &rest[at + 3..];
        }
        key.push_str(rest);
        Some(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn eur(minor: i64) -> Money {
        Money::from_minor(minor, Currency::from_code("EUR").unwrap())
    }

    fn every_reason() -> Vec<Reason> {
        let at: ZonedDateTime = "2026-11-23T09:00:00+01:00[Europe/Paris]".parse().unwrap();
        vec![
            Reason::StepDue {
                key: "first_reminder".into(),
                offset: 1,
                days_overdue: 142,
            },
            Reason::StepDue {
                key: "pre_due".into(),
                offset: -3,
                days_overdue: -2,
            },
            Reason::StepSkipped {
                key: "pre_due_reminder".into(),
                cause: SkipCause::TooLate,
            },
            Reason::StepSkipped {
                key: "sms".into(),
                cause: SkipCause::NoUsableChannel,
            },
            Reason::StepSkipped {
                key: "formal".into(),
                cause: SkipCause::Condition(UnmetCondition::BalanceBelow {
                    minimum: eur(50_00),
                }),
            },
            Reason::StepSkipped {
                key: "b2c only".into(),
                cause: SkipCause::Condition(UnmetCondition::OtherCustomerKind {
                    wanted: CustomerKind::Consumer,
                }),
            },
            Reason::StepSkipped {
                key: "risky".into(),
                cause: SkipCause::Condition(UnmetCondition::OtherRiskSegment {
                    segment: RiskSegment::High,
                }),
            },
            Reason::StepBlocked {
                key: "formal_notice".into(),
            },
            Reason::ChannelReplaced {
                from: StepChannel::Sms,
                to: StepChannel::Email,
                problem: ChannelProblem::NoConsent,
            },
            Reason::CompanionDropped {
                channel: StepChannel::Email,
                problem: ChannelProblem::Failed,
            },
            Reason::CompanionDropped {
                channel: StepChannel::Letter,
                problem: ChannelProblem::NoDetails,
            },
            Reason::LastContact {
                days_ago: 4,
                channel: Channel::Phone,
            },
            Reason::NoPriorContact,
            Reason::Window { at },
            Reason::NeedsApproval,
            Reason::NextStep {
                key: "second_reminder".into(),
                on: date(2026, 11, 27),
            },
            Reason::HeldBackBy {
                limit: ContactLimit::MinGap { days: 3 },
                until: date(2026, 11, 26),
            },
            Reason::HeldBackBy {
                limit: ContactLimit::Weekly { max: 3 },
                until: date(2026, 11, 26),
            },
            Reason::HeldBackBy {
                limit: ContactLimit::Monthly { max: 8 },
                until: date(2026, 12, 1),
            },
            Reason::HeldBackBy {
                limit: ContactLimit::PhonePerDay { max: 1 },
                until: date(2026, 11, 24),
            },
            Reason::PromisePending {
                amount: eur(125_050),
                due_on: date(2026, 11, 30),
                until: date(2026, 12, 3),
            },
            Reason::PromiseBroken {
                amount: eur(99),
                due_on: date(2026, 11, 10),
            },
            Reason::OnHold {
                until: date(2027, 1, 4),
            },
            Reason::Incident,
            Reason::HandedOff,
            Reason::AwaitingApproval {
                key: "mise en demeure".into(),
            },
            Reason::DisputedLeftAside { count: 2 },
            Reason::AllDisputed,
            Reason::InPlanLeftAside { count: 5 },
            Reason::AllInPlan,
            Reason::NothingOwed,
            Reason::LadderComplete,
        ]
    }

    #[test]
    fn every_reason_reads_back_as_it_was_written() {
        let reasons = every_reason();
        let text = encode_reasons(&reasons);
        assert_eq!(decode_reasons(&text).unwrap(), reasons);
        for reason in reasons {
            let alone = encode_reasons(std::slice::from_ref(&reason));
            assert_eq!(decode_reasons(&alone).unwrap(), vec![reason], "{alone}");
        }
    }

    #[test]
    fn a_key_may_hold_spaces_semicolons_and_percent_signs() {
        let reasons = vec![
            Reason::AwaitingApproval {
                key: "relance 2; 100 % ferme".into(),
            },
            Reason::NextStep {
                key: "%3B;%".into(),
                on: date(2026, 11, 27),
            },
        ];
        let text = encode_reasons(&reasons);
        assert_eq!(text.matches(';').count(), 1, "{text}");
        assert_eq!(decode_reasons(&text).unwrap(), reasons);
    }

    #[test]
    fn a_first_reminder_takes_a_third_of_its_words() {
        let reasons = vec![
            Reason::StepDue {
                key: "first_reminder".into(),
                offset: 1,
                days_overdue: 142,
            },
            Reason::StepSkipped {
                key: "pre_due_reminder".into(),
                cause: SkipCause::TooLate,
            },
            Reason::NoPriorContact,
            Reason::Window {
                at: "2026-11-20T09:00:00+01:00[Europe/Paris]".parse().unwrap(),
            },
        ];
        let stored = encode_reasons(&reasons);
        assert_eq!(
            stored,
            "due 1 142 first_reminder;skip late pre_due_reminder;nocontact;\
             window 2026-11-20T09:00:00+01:00[Europe/Paris]"
        );
        let words = Explanation::Reasons(reasons).render(Language::French);
        assert_eq!(
            words,
            "J+1, étape « first_reminder » (échéance dépassée de 142 j); étape « pre_due_reminder » \
             passée : la facture est déjà échue; aucun contact récent; prochaine plage autorisée \
             vendredi 20/11 09:00 (Europe/Paris)"
        );
        assert!(
            stored.len() * 2 < words.len(),
            "{} of {}",
            stored.len(),
            words.len()
        );
    }

    #[test]
    fn reasons_are_put_into_the_readers_language() {
        let explanation = Explanation::Reasons(vec![
            Reason::LastContact {
                days_ago: 4,
                channel: Channel::Email,
            },
            Reason::NeedsApproval,
        ]);
        assert_eq!(
            explanation.render(Language::English),
            "last contact 4 days ago by email; needs a manager's approval"
        );
        assert_eq!(
            explanation.render(Language::French),
            "dernier contact il y a 4 j par email; à valider par un responsable"
        );
        let words = Explanation::Text("paid in full".into());
        assert_eq!(words.render(Language::French), "paid in full");
    }

    #[test]
    fn damaged_reasons_are_refused_not_guessed() {
        for damaged in [
            "due 1 first_reminder",
            "due x 3 key",
            "skip soon key",
            "window yesterday",
            "held gap 3",
            "held yearly 3 2026-11-20",
            "promise 100 XXX 2026-11-20 2026-11-23",
            "nocontact extra",
            "awaiting",
            "awaiting bad%2",
            "shrug",
            "nocontact;",
        ] {
            let error = decode_reasons(damaged).unwrap_err();
            assert_eq!(error.text, damaged);
        }
        assert_eq!(decode_reasons("").unwrap(), Vec::new());
    }
}
