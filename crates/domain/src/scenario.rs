//! Dunning scenarios: the escalation ladder a customer's case climbs, as data.
//!
//! A scenario is an ordered list of steps, each placed by its offset in days from the due date of
//! the customer's oldest overdue invoice (negative: before it falls due). The case is the
//! customer: one step produces one message listing all of the customer's overdue invoices.
//! Two defaults encode the practitioners' advice (courteous first, firmer a week later, then the
//! phone, a formal notice, a hand-off); users see, edit and replace them.

use std::fmt;

use crate::customer::{Channel, CustomerKind};
use crate::money::Money;

/// How a step reaches the customer, or what it hands the case to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum StepChannel {
    Email,
    Sms,
    Letter,
    RegisteredLetter,
    PhoneTask,
    AgencyHandoff,
    Legal,
}

impl StepChannel {
    pub const ALL: [StepChannel; 7] = [
        StepChannel::Email,
        StepChannel::Sms,
        StepChannel::Letter,
        StepChannel::RegisteredLetter,
        StepChannel::PhoneTask,
        StepChannel::AgencyHandoff,
        StepChannel::Legal,
    ];

    pub fn code(&self) -> &'static str {
        match self {
            StepChannel::Email => "email",
            StepChannel::Sms => "sms",
            StepChannel::Letter => "letter",
            StepChannel::RegisteredLetter => "registered_letter",
            StepChannel::PhoneTask => "phone_task",
            StepChannel::AgencyHandoff => "agency_handoff",
            StepChannel::Legal => "legal",
        }
    }

    pub fn parse(text: &str) -> Result<StepChannel, ScenarioError> {
        let wanted = text.trim().to_ascii_lowercase();
        StepChannel::ALL
            .into_iter()
            .find(|channel| channel.code() == wanted)
            .ok_or_else(|| ScenarioError::UnknownChannel {
                text: text.to_owned(),
            })
    }

    /// The customer channel whose consent and contact details the step needs; `None` for the
    /// steps that hand the case over rather than contact the customer.
    pub fn contact_channel(&self) -> Option<Channel> {
        match self {
            StepChannel::Email => Some(Channel::Email),
            StepChannel::Sms => Some(Channel::Sms),
            StepChannel::Letter | StepChannel::RegisteredLetter => Some(Channel::Letter),
            StepChannel::PhoneTask => Some(Channel::Phone),
            StepChannel::AgencyHandoff | StepChannel::Legal => None,
        }
    }

    /// After a hand-off the creditor's own dunning stops: the agency or the court takes over.
    pub fn is_handoff(&self) -> bool {
        matches!(self, StepChannel::AgencyHandoff | StepChannel::Legal)
    }
}

impl fmt::Display for StepChannel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// The register a message is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Tone {
    Courteous,
    Firm,
    Formal,
}

impl Tone {
    pub const ALL: [Tone; 3] = [Tone::Courteous, Tone::Firm, Tone::Formal];

    pub fn code(&self) -> &'static str {
        match self {
            Tone::Courteous => "courteous",
            Tone::Firm => "firm",
            Tone::Formal => "formal",
        }
    }

    pub fn parse(text: &str) -> Result<Tone, ScenarioError> {
        let wanted = text.trim().to_ascii_lowercase();
        Tone::ALL
            .into_iter()
            .find(|tone| tone.code() == wanted)
            .ok_or_else(|| ScenarioError::UnknownTone {
                text: text.to_owned(),
            })
    }
}

/// A charge a step starts claiming from the customer (the law issue computes the amounts).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Charge {
    /// Late-payment penalties or interest.
    Penalties,
    /// The fixed recovery indemnity (40 EUR per invoice in France, business debtors only).
    FixedIndemnity,
}

impl Charge {
    pub const ALL: [Charge; 2] = [Charge::Penalties, Charge::FixedIndemnity];

    pub fn code(&self) -> &'static str {
        match self {
            Charge::Penalties => "penalties",
            Charge::FixedIndemnity => "fixed_indemnity",
        }
    }

    pub fn parse(text: &str) -> Result<Charge, ScenarioError> {
        let wanted = text.trim().to_ascii_lowercase();
        Charge::ALL
            .into_iter()
            .find(|charge| charge.code() == wanted)
            .ok_or_else(|| ScenarioError::UnknownCharge {
                text: text.to_owned(),
            })
    }
}

/// How risky the creditor judges a customer; steps may apply to some segments only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum RiskSegment {
    Low,
    #[default]
    Standard,
    High,
}

impl RiskSegment {
    pub const ALL: [RiskSegment; 3] = [RiskSegment::Low, RiskSegment::Standard, RiskSegment::High];

    pub fn code(&self) -> &'static str {
        match self {
            RiskSegment::Low => "low",
            RiskSegment::Standard => "standard",
            RiskSegment::High => "high",
        }
    }

    pub fn parse(text: &str) -> Result<RiskSegment, ScenarioError> {
        let wanted = text.trim().to_ascii_lowercase();
        RiskSegment::ALL
            .into_iter()
            .find(|segment| segment.code() == wanted)
            .ok_or_else(|| ScenarioError::UnknownRiskSegment {
                text: text.to_owned(),
            })
    }
}

/// When a step applies; an unset condition always holds.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StepConditions {
    /// The customer's overdue balance must reach this amount (compared in its own currency only).
    pub min_overdue: Option<Money>,
    pub customer_kind: Option<CustomerKind>,
    /// Empty: every segment.
    pub risk_segments: Vec<RiskSegment>,
}

/// What a step's conditions are checked against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConditionFacts {
    pub overdue: Money,
    pub customer_kind: CustomerKind,
    pub risk_segment: RiskSegment,
}

impl StepConditions {
    /// The first condition the facts fail, if any.
    pub fn unmet(&self, facts: ConditionFacts) -> Option<UnmetCondition> {
        if let Some(minimum) = self.min_overdue
            && minimum.currency() == facts.overdue.currency()
            && facts.overdue.minor() < minimum.minor()
        {
            return Some(UnmetCondition::BalanceBelow { minimum });
        }
        if let Some(kind) = self.customer_kind
            && kind != facts.customer_kind
        {
            return Some(UnmetCondition::OtherCustomerKind { wanted: kind });
        }
        if !self.risk_segments.is_empty() && !self.risk_segments.contains(&facts.risk_segment) {
            return Some(UnmetCondition::OtherRiskSegment {
                segment: facts.risk_segment,
            });
        }
        None
    }
}

/// Why a step was passed over for a customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnmetCondition {
    BalanceBelow { minimum: Money },
    OtherCustomerKind { wanted: CustomerKind },
    OtherRiskSegment { segment: RiskSegment },
}

/// One rung of the ladder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// Unique within the scenario; names the step in explanations and idempotency keys.
    pub key: String,
    /// Days from the due date of the oldest overdue invoice; negative before it.
    pub offset_days: i32,
    pub channel: StepChannel,
    /// Companion channels sent with the main one when consented (an SMS with a formal e-mail,
    /// an e-mail copy of a registered letter); they are the same contact, not another one.
    pub also: Vec<StepChannel>,
    pub tone: Tone,
    pub template: String,
    pub conditions: StepConditions,
    pub requires_approval: bool,
    pub claims: Vec<Charge>,
}

/// A validated escalation ladder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scenario {
    name: String,
    steps: Vec<Step>,
}

/// The law and the practitioners agree that a case goes to an agency or a court only after a
/// month of unanswered reminders.
pub const EARLIEST_HANDOFF_DAYS: i32 = 30;
/// Steps further than this from the due date are surely typing mistakes.
pub const OFFSET_DAYS_LIMIT: i32 = 3 * 365;
const NAME_LENGTH_MAX: usize = 64;
/// The names of the default scenarios; a tenant may replace them by importing its own.
pub const DEFAULT_B2B: &str = "b2b-fr";
pub const DEFAULT_B2C: &str = "b2c-fr";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScenarioError {
    #[error("the scenario name is empty or longer than {NAME_LENGTH_MAX} characters")]
    BadName,
    #[error("the scenario {name:?} has no step")]
    NoStep { name: String },
    #[error("step {index}: the key is empty")]
    EmptyKey { index: usize },
    #[error("step {key:?}: the key is used twice")]
    DuplicateKey { key: String },
    #[error(
        "step {key:?} (J{offset:+}) comes after step {previous:?} (J{previous_offset:+}): steps must not go backwards"
    )]
    GoesBackwards {
        key: String,
        offset: i32,
        previous: String,
        previous_offset: i32,
    },
    #[error(
        "step {key:?} hands the case over at J{offset:+}: a hand-off needs at least {EARLIEST_HANDOFF_DAYS} days overdue"
    )]
    HandoffTooEarly { key: String, offset: i32 },
    #[error("step {key:?}: the offset {offset} is beyond {OFFSET_DAYS_LIMIT} days")]
    OffsetOutOfRange { key: String, offset: i32 },
    #[error("step {key:?}: the message template is empty")]
    EmptyTemplate { key: String },
    #[error("step {key:?}: a companion channel cannot hand the case over")]
    HandoffAsCompanion { key: String },
    #[error(
        "unknown channel {text:?} (email, sms, letter, registered_letter, phone_task, agency_handoff, legal)"
    )]
    UnknownChannel { text: String },
    #[error("unknown tone {text:?} (courteous, firm, formal)")]
    UnknownTone { text: String },
    #[error("unknown charge {text:?} (penalties, fixed_indemnity)")]
    UnknownCharge { text: String },
    #[error("unknown risk segment {text:?} (low, standard, high)")]
    UnknownRiskSegment { text: String },
}

impl Scenario {
    pub fn new(name: &str, steps: Vec<Step>) -> Result<Scenario, ScenarioError> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > NAME_LENGTH_MAX {
            return Err(ScenarioError::BadName);
        }
        if steps.is_empty() {
            return Err(ScenarioError::NoStep {
                name: name.to_owned(),
            });
        }
        for (index, step) in steps.iter().enumerate() {
            if step.key.trim().is_empty() {
                return Err(ScenarioError::EmptyKey { index: index + 1 });
            }
            if steps[..index].iter().any(|other| other.key == step.key) {
                return Err(ScenarioError::DuplicateKey {
                    key: step.key.clone(),
                });
            }
            if step.offset_days.abs() > OFFSET_DAYS_LIMIT {
                return Err(ScenarioError::OffsetOutOfRange {
                    key: step.key.clone(),
                    offset: step.offset_days,
                });
            }
            if let Some(previous) = index.checked_sub(1).map(|i| &steps[i])
                && step.offset_days < previous.offset_days
            {
                return Err(ScenarioError::GoesBackwards {
                    key: step.key.clone(),
                    offset: step.offset_days,
                    previous: previous.key.clone(),
                    previous_offset: previous.offset_days,
                });
            }
            if step.channel.is_handoff() && step.offset_days < EARLIEST_HANDOFF_DAYS {
                return Err(ScenarioError::HandoffTooEarly {
                    key: step.key.clone(),
                    offset: step.offset_days,
                });
            }
            if step.also.iter().any(StepChannel::is_handoff) {
                return Err(ScenarioError::HandoffAsCompanion {
                    key: step.key.clone(),
                });
            }
            if step.template.trim().is_empty() {
                return Err(ScenarioError::EmptyTemplate {
                    key: step.key.clone(),
                });
            }
        }
        Ok(Scenario {
            name: name.to_owned(),
            steps,
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn steps(&self) -> &[Step] {
        &self.steps
    }

    pub fn step_index(&self, key: &str) -> Option<usize> {
        self.steps.iter().position(|step| step.key == key)
    }

    /// The earliest offset: how many days before a due date a case may need attention.
    pub fn first_offset(&self) -> i32 {
        self.steps[0].offset_days
    }

    /// The default ladder for business customers in France, as the practitioners describe it.
    pub fn default_b2b() -> Scenario {
        let steps = vec![
            step(
                "pre_due_reminder",
                -3,
                StepChannel::Email,
                Tone::Courteous,
                "pre_due_reminder",
            ),
            step(
                "first_reminder",
                1,
                StepChannel::Email,
                Tone::Courteous,
                "first_reminder",
            ),
            step(
                "second_reminder",
                8,
                StepChannel::Email,
                Tone::Firm,
                "second_reminder",
            ),
            step(
                "phone_call",
                12,
                StepChannel::PhoneTask,
                Tone::Firm,
                "call_script",
            ),
            Step {
                also: vec![StepChannel::Sms],
                claims: vec![Charge::Penalties, Charge::FixedIndemnity],
                ..step(
                    "formal_warning",
                    15,
                    StepChannel::Email,
                    Tone::Formal,
                    "formal_warning",
                )
            },
            Step {
                also: vec![StepChannel::Email],
                requires_approval: true,
                claims: vec![Charge::Penalties, Charge::FixedIndemnity],
                ..step(
                    "formal_notice",
                    30,
                    StepChannel::RegisteredLetter,
                    Tone::Formal,
                    "formal_notice",
                )
            },
            Step {
                requires_approval: true,
                claims: vec![Charge::Penalties, Charge::FixedIndemnity],
                ..step(
                    "handoff",
                    45,
                    StepChannel::AgencyHandoff,
                    Tone::Formal,
                    "handoff_notice",
                )
            },
        ];
        Scenario::new(DEFAULT_B2B, steps).expect("the default B2B scenario is valid")
    }

    /// The default ladder for consumers: the same spirit, softer and slower, never the fixed
    /// indemnity (it is owed by businesses only), interest claimed from the formal notice on.
    pub fn default_b2c() -> Scenario {
        let steps = vec![
            step(
                "pre_due_reminder",
                -3,
                StepChannel::Email,
                Tone::Courteous,
                "pre_due_reminder",
            ),
            step(
                "first_reminder",
                2,
                StepChannel::Email,
                Tone::Courteous,
                "first_reminder",
            ),
            step(
                "second_reminder",
                10,
                StepChannel::Email,
                Tone::Courteous,
                "second_reminder",
            ),
            step(
                "phone_call",
                15,
                StepChannel::PhoneTask,
                Tone::Courteous,
                "call_script",
            ),
            Step {
                also: vec![StepChannel::Sms],
                ..step(
                    "formal_warning",
                    21,
                    StepChannel::Email,
                    Tone::Firm,
                    "formal_warning",
                )
            },
            Step {
                also: vec![StepChannel::Email],
                requires_approval: true,
                claims: vec![Charge::Penalties],
                ..step(
                    "formal_notice",
                    35,
                    StepChannel::RegisteredLetter,
                    Tone::Formal,
                    "formal_notice",
                )
            },
            Step {
                requires_approval: true,
                claims: vec![Charge::Penalties],
                ..step(
                    "handoff",
                    50,
                    StepChannel::AgencyHandoff,
                    Tone::Formal,
                    "handoff_notice",
                )
            },
        ];
        Scenario::new(DEFAULT_B2C, steps).expect("the default B2C scenario is valid")
    }

    /// The name of the default scenario for a kind of customer.
    pub fn default_name(kind: CustomerKind) -> &'static str {
        match kind {
            CustomerKind::Business => DEFAULT_B2B,
            CustomerKind::Consumer => DEFAULT_B2C,
        }
    }

    /// The default scenario for a kind of customer.
    pub fn default_for(kind: CustomerKind) -> Scenario {
        match kind {
            CustomerKind::Business => Scenario::default_b2b(),
            CustomerKind::Consumer => Scenario::default_b2c(),
        }
    }
}

fn step(key: &str, offset_days: i32, channel: StepChannel, tone: Tone, template: &str) -> Step {
    Step {
        key: key.to_owned(),
        offset_days,
        channel,
        also: Vec::new(),
        tone,
        template: template.to_owned(),
        conditions: StepConditions::default(),
        requires_approval: false,
        claims: Vec::new(),
    }
}

#[cfg(test)]
#[allow(clippy::inconsistent_digit_grouping)] // cents grouped as euros_cents
mod tests {
    use super::*;
    use crate::money::Currency;

    fn eur(minor: i64) -> Money {
        Money::from_minor(minor, Currency::EUR)
    }

    #[test]
    fn the_default_business_ladder_follows_the_practitioners() {
        let scenario = Scenario::default_b2b();
        let ladder: Vec<(i32, &str, StepChannel, Tone, bool)> = scenario
            .steps()
            .iter()
            .map(|s| {
                (
                    s.offset_days,
                    s.key.as_str(),
                    s.channel,
                    s.tone,
                    s.requires_approval,
                )
            })
            .collect();
        assert_eq!(
            ladder,
            vec![
                (
                    -3,
                    "pre_due_reminder",
                    StepChannel::Email,
                    Tone::Courteous,
                    false
                ),
                (
                    1,
                    "first_reminder",
                    StepChannel::Email,
                    Tone::Courteous,
                    false
                ),
                (8, "second_reminder", StepChannel::Email, Tone::Firm, false),
                (12, "phone_call", StepChannel::PhoneTask, Tone::Firm, false),
                (
                    15,
                    "formal_warning",
                    StepChannel::Email,
                    Tone::Formal,
                    false
                ),
                (
                    30,
                    "formal_notice",
                    StepChannel::RegisteredLetter,
                    Tone::Formal,
                    true
                ),
                (
                    45,
                    "handoff",
                    StepChannel::AgencyHandoff,
                    Tone::Formal,
                    true
                ),
            ]
        );
        let warning = &scenario.steps()[4];
        assert_eq!(warning.also, vec![StepChannel::Sms]);
        assert!(warning.claims.contains(&Charge::FixedIndemnity));
        assert_eq!(scenario.steps()[5].also, vec![StepChannel::Email]);
    }

    #[test]
    fn consumers_never_owe_the_fixed_indemnity_and_are_not_handed_off_before_45_days() {
        let scenario = Scenario::default_b2c();
        assert!(
            scenario
                .steps()
                .iter()
                .all(|s| !s.claims.contains(&Charge::FixedIndemnity))
        );
        assert!(
            scenario
                .steps()
                .iter()
                .filter(|s| s.channel.is_handoff())
                .all(|s| s.offset_days >= 45)
        );
    }

    #[test]
    fn a_handoff_before_thirty_days_is_refused() {
        let mut steps = Scenario::default_b2b().steps().to_vec();
        steps[6].offset_days = 29;
        steps[5].offset_days = 20;
        assert_eq!(
            Scenario::new("hasty", steps),
            Err(ScenarioError::HandoffTooEarly {
                key: "handoff".to_owned(),
                offset: 29
            })
        );
    }

    #[test]
    fn steps_going_backwards_are_refused() {
        let mut steps = Scenario::default_b2b().steps().to_vec();
        steps[2].offset_days = 0;
        assert!(matches!(
            Scenario::new("muddled", steps),
            Err(ScenarioError::GoesBackwards { key, .. }) if key == "second_reminder"
        ));
    }

    #[test]
    fn keys_are_unique_and_templates_present() {
        let mut steps = Scenario::default_b2b().steps().to_vec();
        steps[1].key = "pre_due_reminder".to_owned();
        assert!(matches!(
            Scenario::new("twice", steps),
            Err(ScenarioError::DuplicateKey { .. })
        ));
        let mut steps = Scenario::default_b2b().steps().to_vec();
        steps[0].template = " ".to_owned();
        assert!(matches!(
            Scenario::new("blank", steps),
            Err(ScenarioError::EmptyTemplate { .. })
        ));
        assert_eq!(
            Scenario::new("empty", vec![]),
            Err(ScenarioError::NoStep {
                name: "empty".into()
            })
        );
    }

    #[test]
    fn conditions_name_the_first_unmet_one() {
        let conditions = StepConditions {
            min_overdue: Some(eur(50_00)),
            customer_kind: Some(CustomerKind::Business),
            risk_segments: vec![RiskSegment::High],
        };
        let facts = ConditionFacts {
            overdue: eur(49_99),
            customer_kind: CustomerKind::Business,
            risk_segment: RiskSegment::High,
        };
        assert_eq!(
            conditions.unmet(facts),
            Some(UnmetCondition::BalanceBelow {
                minimum: eur(50_00)
            })
        );
        let facts = ConditionFacts {
            overdue: eur(50_00),
            ..facts
        };
        assert_eq!(conditions.unmet(facts), None);
        let facts = ConditionFacts {
            risk_segment: RiskSegment::Low,
            ..facts
        };
        assert!(matches!(
            conditions.unmet(facts),
            Some(UnmetCondition::OtherRiskSegment { .. })
        ));
    }

    #[test]
    fn codes_round_trip() {
        for channel in StepChannel::ALL {
            assert_eq!(StepChannel::parse(channel.code()), Ok(channel));
        }
        for tone in Tone::ALL {
            assert_eq!(Tone::parse(&tone.code().to_uppercase()), Ok(tone));
        }
        for charge in Charge::ALL {
            assert_eq!(Charge::parse(charge.code()), Ok(charge));
        }
        assert!(StepChannel::parse("pigeon").is_err());
    }
}
