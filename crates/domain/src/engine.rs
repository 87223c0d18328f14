//! The dunning engine: for one customer on one day, the right next step, or why there is none.
//!
//! A pure function of the case's facts (open invoices, disputes, promise, hold, incident,
//! contact history, where the case stands on its scenario) and the contact policy. It never
//! skips the courteous steps to jump to a firm one: steps are taken in order, each on its date or,
//! when a limit or a pause held it back, as soon as allowed. Every outcome carries the reasons a
//! collector needs to trust it, in French or English.
//!
//! The case also returns the date it next needs looking at, so that the daily run reads only
//! the cases whose date has come ("schedule, don't scan").

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Span, ZonedDateTime};

use crate::case::Promise;
use crate::contact_policy::{ContactLimit, ContactPolicy, ContactRecord, failed_channels};
use crate::customer::{Channel, ChannelConsent, CustomerKind, Language};
use crate::ids::InvoiceId;
use crate::money::Money;
use crate::scenario::{
    ConditionFacts, RiskSegment, Scenario, Step, StepChannel, Tone, UnmetCondition,
};

/// Who the debtor is, as far as contacting them goes.
#[derive(Debug, Clone, PartialEq)]
pub struct DebtorProfile {
    pub kind: CustomerKind,
    pub risk: RiskSegment,
    pub consent: ChannelConsent,
    pub preferred: Channel,
    pub time_zone: TimeZone,
    pub has_email: bool,
    pub has_phone: bool,
    pub has_postal_address: bool,
}

impl DebtorProfile {
    /// Consent given and the details to use it.
    fn can_use(&self, channel: Channel) -> Result<(), ChannelProblem> {
        if !self.consent.allows(channel) {
            return Err(ChannelProblem::NoConsent);
        }
        let reachable = match channel {
            Channel::Email => self.has_email,
            Channel::Sms | Channel::Phone => self.has_phone,
            Channel::Letter => self.has_postal_address,
        };
        if reachable {
            Ok(())
        } else {
            Err(ChannelProblem::NoDetails)
        }
    }
}

/// An open invoice of the case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CaseItem {
    pub invoice: InvoiceId,
    pub due_on: Date,
    pub outstanding: Money,
    pub disputed: bool,
    /// Covered by an active payment plan: the plan's own reminders follow it, not the scenario.
    pub in_plan: bool,
}

/// Where the customer's case stands on its scenario.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CaseProgress {
    /// Counts the customer's dunning episodes: a new one starts once everything overdue is
    /// settled and a later invoice needs attention. Zero before the first.
    pub episode: u32,
    /// The due date the current episode started from.
    pub anchor_on: Option<Date>,
    /// Index of the last step taken in this episode.
    pub level: Option<usize>,
    pub level_on: Option<Date>,
    /// An agency or a court has the case; the creditor's own dunning has stopped.
    pub handed_off: bool,
}

/// Everything the engine looks at for one customer on one day.
#[derive(Debug, Clone)]
pub struct CaseInput<'a> {
    /// The creditor's calendar date of the run.
    pub today: Date,
    pub debtor: &'a DebtorProfile,
    pub items: &'a [CaseItem],
    pub scenario: &'a Scenario,
    pub policy: &'a ContactPolicy,
    pub progress: &'a CaseProgress,
    /// Contacts on the debtor's calendar, past and already scheduled, at least the last 30 days.
    pub contacts: &'a [ContactRecord],
    pub promise: Option<Promise>,
    /// A promise found broken since the case last moved: the case resumes with a note.
    pub broken_promise: Option<Promise>,
    pub hold_until: Option<Date>,
    pub incident: bool,
    /// The key of a step whose action waits for a manager's approval.
    pub awaiting_approval: Option<&'a str>,
}

/// One message or task the step produces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedContact {
    pub channel: StepChannel,
    /// Sent with the main contact (an SMS with a formal e-mail, a copy of a registered letter).
    pub companion: bool,
}

/// A step to take now.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedStep {
    pub step_index: usize,
    pub step_key: String,
    pub tone: Tone,
    pub template: String,
    pub contacts: Vec<PlannedContact>,
    /// Every overdue, undisputed invoice of the customer: one message lists them all.
    pub invoices: Vec<InvoiceId>,
    /// The first moment the debtor may be contacted, in the debtor's time zone.
    pub scheduled_at: ZonedDateTime,
    pub requires_approval: bool,
    pub days_overdue: i32,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Act(PlannedStep),
    /// Nothing today; look again on `CaseDecision::next_review_on`.
    Wait,
    /// Nothing until a person acts (dispute closed, incident resolved, hand-off withdrawn).
    Paused,
    /// Nothing is owed, or the ladder is complete.
    Idle,
}

/// The engine's answer for one customer.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseDecision {
    pub outcome: Outcome,
    /// Where the case stands after this decision.
    pub progress: CaseProgress,
    /// When the case next needs looking at; `None`: only a new fact (an invoice, a payment, a
    /// closed dispute) can wake it.
    pub next_review_on: Option<Date>,
    pub reasons: Vec<Reason>,
}

/// Why a channel could not be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChannelProblem {
    NoConsent,
    NoDetails,
    Failed,
}

/// Why a step was passed over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SkipCause {
    /// A reminder before the due date, once the invoice is already due.
    TooLate,
    Condition(UnmetCondition),
    NoUsableChannel,
}

/// One fact behind a decision, in words a collector understands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// A formal step has no usable channel; the case waits for the customer's details.
    StepBlocked {
        key: String,
    },
    StepDue {
        key: String,
        offset: i32,
        days_overdue: i32,
    },
    StepSkipped {
        key: String,
        cause: SkipCause,
    },
    ChannelReplaced {
        from: StepChannel,
        to: StepChannel,
        problem: ChannelProblem,
    },
    CompanionDropped {
        channel: StepChannel,
        problem: ChannelProblem,
    },
    LastContact {
        days_ago: i32,
        channel: Channel,
    },
    NoPriorContact,
    Window {
        at: ZonedDateTime,
    },
    NeedsApproval,
    NextStep {
        key: String,
        on: Date,
    },
    HeldBackBy {
        limit: ContactLimit,
        until: Date,
    },
    PromisePending {
        amount: Money,
        due_on: Date,
        until: Date,
    },
    PromiseBroken {
        amount: Money,
        due_on: Date,
    },
    OnHold {
        until: Date,
    },
    Incident,
    HandedOff,
    AwaitingApproval {
        key: String,
    },
    DisputedLeftAside {
        count: usize,
    },
    AllDisputed,
    InPlanLeftAside {
        count: usize,
    },
    /// Every open invoice not in dispute is covered by an active payment plan.
    AllInPlan,
    NothingOwed,
    LadderComplete,
}

/// How often a blocked case is looked at again, in case its details were completed.
const BLOCKED_RECHECK_DAYS: i64 = 7;

fn one_day() -> Span {
    Span::new().days(1)
}

pub fn decide(input: &CaseInput<'_>) -> CaseDecision {
    let mut reasons = Vec::new();
    let mut progress = input.progress.clone();
    let open: Vec<&CaseItem> = input
        .items
        .iter()
        .filter(|item| item.outstanding.is_positive())
        .collect();

    if open.is_empty() {
        progress.anchor_on = None;
        progress.level = None;
        progress.level_on = None;
        return finish(Outcome::Idle, progress, None, vec![Reason::NothingOwed]);
    }
    if progress.handed_off {
        return finish(Outcome::Paused, progress, None, vec![Reason::HandedOff]);
    }
    if input.incident {
        return finish(Outcome::Paused, progress, None, vec![Reason::Incident]);
    }
    let active: Vec<&CaseItem> = open
        .iter()
        .copied()
        .filter(|item| !item.disputed && !item.in_plan)
        .collect();
    let disputed = open.iter().filter(|item| item.disputed).count();
    let in_plan = open.len() - active.len() - disputed;
    if active.is_empty() {
        let reason = if in_plan == 0 {
            Reason::AllDisputed
        } else {
            Reason::AllInPlan
        };
        return finish(Outcome::Paused, progress, None, vec![reason]);
    }
    if disputed > 0 {
        reasons.push(Reason::DisputedLeftAside { count: disputed });
    }
    if in_plan > 0 {
        reasons.push(Reason::InPlanLeftAside { count: in_plan });
    }
    if let Some(until) = input.hold_until
        && until >= input.today
    {
        reasons.push(Reason::OnHold { until });
        return finish(Outcome::Wait, progress, Some(until + one_day()), reasons);
    }
    if let Some(promise) = input.promise {
        let until = promise.last_day(input.policy.promise_grace_days);
        if until >= input.today {
            reasons.push(Reason::PromisePending {
                amount: promise.amount,
                due_on: promise.due_on,
                until,
            });
            return finish(Outcome::Wait, progress, Some(until + one_day()), reasons);
        }
    }
    if let Some(key) = input.awaiting_approval {
        reasons.push(Reason::AwaitingApproval {
            key: key.to_owned(),
        });
        return finish(
            Outcome::Wait,
            progress,
            Some(input.today + one_day()),
            reasons,
        );
    }
    if let Some(promise) = input.broken_promise {
        reasons.push(Reason::PromiseBroken {
            amount: promise.amount,
            due_on: promise.due_on,
        });
    }

    let anchor = active
        .iter()
        .map(|item| item.due_on)
        .min()
        .expect("active is not empty");
    let days_overdue = (input.today - anchor).get_days();
    let nothing_overdue = days_overdue <= 0;
    if progress.level.is_some() && nothing_overdue && progress.anchor_on != Some(anchor) {
        // Everything that was overdue is settled: the next invoice starts a fresh episode.
        progress.level = None;
        progress.level_on = None;
    }
    if progress.level.is_none() && progress.anchor_on != Some(anchor) {
        progress.episode += 1;
        progress.anchor_on = Some(anchor);
    }

    let anchor_currency = active
        .iter()
        .find(|item| item.due_on == anchor)
        .map(|item| item.outstanding.currency())
        .expect("the anchor is one of the items");
    let overdue_minor: i64 = active
        .iter()
        .filter(|item| item.due_on < input.today && item.outstanding.currency() == anchor_currency)
        .map(|item| item.outstanding.minor())
        .sum();
    let facts = ConditionFacts {
        overdue: Money::from_minor(overdue_minor, anchor_currency),
        customer_kind: input.debtor.kind,
        risk_segment: input.debtor.risk,
    };

    let steps = input.scenario.steps();
    let first = progress.level.map_or(0, |level| level + 1);
    for (index, step) in steps.iter().enumerate().skip(first) {
        if step.offset_days < 0 && days_overdue >= 0 {
            reasons.push(Reason::StepSkipped {
                key: step.key.clone(),
                cause: SkipCause::TooLate,
            });
            continue;
        }
        if let Some(unmet) = step.conditions.unmet(facts) {
            reasons.push(Reason::StepSkipped {
                key: step.key.clone(),
                cause: SkipCause::Condition(unmet),
            });
            continue;
        }
        let step_on = anchor + Span::new().days(step.offset_days);
        if step_on > input.today {
            reasons.push(Reason::NextStep {
                key: step.key.clone(),
                on: step_on,
            });
            return finish(Outcome::Wait, progress, Some(step_on), reasons);
        }
        let Some(contacts) = plan_contacts(step, input, &mut reasons) else {
            if step.tone == Tone::Formal {
                // A formal step carries legal weight (a notice before any hand-off): it is never
                // passed over, the collector completes the customer's details instead.
                reasons.push(Reason::StepBlocked {
                    key: step.key.clone(),
                });
                let recheck = input.today + Span::new().days(BLOCKED_RECHECK_DAYS);
                return finish(Outcome::Wait, progress, Some(recheck), reasons);
            }
            reasons.push(Reason::StepSkipped {
                key: step.key.clone(),
                cause: SkipCause::NoUsableChannel,
            });
            continue;
        };
        return plan_step(
            input,
            progress,
            reasons,
            PlanFacts {
                index,
                step,
                contacts,
                anchor,
                days_overdue,
                invoices: active
                    .iter()
                    .filter(|item| item.due_on <= input.today || step.offset_days < 0)
                    .map(|item| item.invoice)
                    .collect(),
            },
        );
    }
    reasons.push(Reason::LadderComplete);
    finish(Outcome::Idle, progress, None, reasons)
}

struct PlanFacts<'s> {
    index: usize,
    step: &'s Step,
    contacts: Vec<PlannedContact>,
    anchor: Date,
    days_overdue: i32,
    invoices: Vec<InvoiceId>,
}

fn plan_step(
    input: &CaseInput<'_>,
    mut progress: CaseProgress,
    mut reasons: Vec<Reason>,
    plan: PlanFacts<'_>,
) -> CaseDecision {
    let policy = input.policy;
    let tz = &input.debtor.time_zone;
    let main = plan.contacts[0].channel;
    let scheduled_at = policy.hours.next_open(&start_of_day(input.today, tz));
    let day = scheduled_at.date();
    if let Some(channel) = main.contact_channel() {
        let (allowed, limit) = policy.earliest_contact_day(input.contacts, day, channel);
        if allowed > day {
            if let Some(limit) = limit {
                reasons.push(Reason::HeldBackBy {
                    limit,
                    until: allowed,
                });
            }
            return finish(Outcome::Wait, progress, Some(allowed), reasons);
        }
    }

    reasons.insert(
        0,
        Reason::StepDue {
            key: plan.step.key.clone(),
            offset: plan.step.offset_days,
            days_overdue: plan.days_overdue,
        },
    );
    match input
        .contacts
        .iter()
        .filter(|c| c.on <= day)
        .max_by_key(|c| c.on)
    {
        Some(last) => reasons.push(Reason::LastContact {
            days_ago: (day - last.on).get_days(),
            channel: last.channel,
        }),
        None => reasons.push(Reason::NoPriorContact),
    }
    reasons.push(Reason::Window {
        at: scheduled_at.clone(),
    });
    if plan.step.requires_approval {
        reasons.push(Reason::NeedsApproval);
    }

    progress.level = Some(plan.index);
    progress.level_on = Some(input.today);
    if plan.step.channel.is_handoff() && !plan.step.requires_approval {
        progress.handed_off = true;
    }
    let next_review_on = if plan.step.requires_approval {
        Some(input.today + one_day())
    } else {
        input.scenario.steps().get(plan.index + 1).map(|next| {
            let nominal = plan.anchor + Span::new().days(next.offset_days);
            let gap =
                scheduled_at.date() + Span::new().days(i64::from(policy.min_days_between_contacts));
            nominal.max(gap).max(input.today + one_day())
        })
    };
    let step = PlannedStep {
        step_index: plan.index,
        step_key: plan.step.key.clone(),
        tone: plan.step.tone,
        template: plan.step.template.clone(),
        contacts: plan.contacts,
        invoices: plan.invoices,
        scheduled_at,
        requires_approval: plan.step.requires_approval,
        days_overdue: plan.days_overdue,
    };
    finish(Outcome::Act(step), progress, next_review_on, reasons)
}

/// The main channel of a step, replaced by the customer's preferred written channel or the
/// policy's fallback when it cannot be used, and the companions that can.
fn plan_contacts(
    step: &Step,
    input: &CaseInput<'_>,
    reasons: &mut Vec<Reason>,
) -> Option<Vec<PlannedContact>> {
    let failed = failed_channels(input.contacts);
    let usable = |channel: StepChannel| -> Result<(), ChannelProblem> {
        match channel.contact_channel() {
            None => Ok(()),
            Some(contact) if failed.contains(&contact) => Err(ChannelProblem::Failed),
            Some(contact) => input.debtor.can_use(contact),
        }
    };
    let written = |channel: StepChannel| {
        matches!(
            channel,
            StepChannel::Email | StepChannel::Sms | StepChannel::Letter
        )
    };
    let mut main = step.channel;
    // A courteous or firm written reminder goes where the customer prefers to read it; formal
    // steps keep their channel, which carries their legal weight.
    if written(main) && step.tone != Tone::Formal {
        let preferred = match input.debtor.preferred {
            Channel::Email => Some(StepChannel::Email),
            Channel::Sms => Some(StepChannel::Sms),
            Channel::Letter => Some(StepChannel::Letter),
            Channel::Phone => None,
        };
        if let Some(preferred) = preferred
            && preferred != main
            && usable(preferred).is_ok()
        {
            main = preferred;
        }
    }
    if let Err(problem) = usable(main) {
        // Only a written reminder has a stand-in; a call or a registered letter has none.
        let to = written(main)
            .then(|| {
                input
                    .policy
                    .written_fallback
                    .iter()
                    .copied()
                    .find(|&channel| channel != main && usable(channel).is_ok())
            })
            .flatten()?;
        reasons.push(Reason::ChannelReplaced {
            from: main,
            to,
            problem,
        });
        main = to;
    }
    let mut contacts = vec![PlannedContact {
        channel: main,
        companion: false,
    }];
    for &channel in &step.also {
        if channel == main {
            continue;
        }
        match usable(channel) {
            Ok(()) => contacts.push(PlannedContact {
                channel,
                companion: true,
            }),
            Err(problem) => reasons.push(Reason::CompanionDropped { channel, problem }),
        }
    }
    Some(contacts)
}

fn start_of_day(date: Date, tz: &TimeZone) -> ZonedDateTime {
    date.to_zoned_datetime(tz.clone())
        .expect("every date of this era has a start in every time zone")
}

fn finish(
    outcome: Outcome,
    progress: CaseProgress,
    next_review_on: Option<Date>,
    reasons: Vec<Reason>,
) -> CaseDecision {
    CaseDecision {
        outcome,
        progress,
        next_review_on,
        reasons,
    }
}

impl CaseDecision {
    /// The reasons as one sentence in the collector's language.
    pub fn explain(&self, language: Language) -> String {
        describe_all(&self.reasons, language)
    }
}

/// Reasons as one sentence in `language`.
pub fn describe_all(reasons: &[Reason], language: Language) -> String {
    reasons
        .iter()
        .map(|reason| reason.describe(language))
        .collect::<Vec<_>>()
        .join("; ")
}

impl Reason {
    pub fn describe(&self, language: Language) -> String {
        let fr = language == Language::French;
        match self {
            Reason::StepDue {
                key,
                offset,
                days_overdue,
            } => {
                if fr {
                    format!("J{offset:+}, étape « {key} » (échéance dépassée de {days_overdue} j)")
                } else {
                    format!("J{offset:+}, step '{key}' ({days_overdue} days past due)")
                }
            }
            Reason::StepSkipped { key, cause } => {
                let cause = cause.describe(language);
                if fr {
                    format!("étape « {key} » passée : {cause}")
                } else {
                    format!("step '{key}' passed over: {cause}")
                }
            }
            Reason::StepBlocked { key } => {
                if fr {
                    format!(
                        "l'étape « {key} » ne peut pas partir : aucun canal utilisable (compléter les coordonnées du client)"
                    )
                } else {
                    format!(
                        "step '{key}' cannot go out: no usable channel (complete the customer's details)"
                    )
                }
            }
            Reason::ChannelReplaced { from, to, problem } => {
                let problem = problem.describe(language);
                if fr {
                    format!("{from} remplacé par {to} ({problem})")
                } else {
                    format!("{from} replaced by {to} ({problem})")
                }
            }
            Reason::CompanionDropped { channel, problem } => {
                let problem = problem.describe(language);
                if fr {
                    format!("pas de {channel} en complément ({problem})")
                } else {
                    format!("no companion {channel} ({problem})")
                }
            }
            Reason::LastContact { days_ago, channel } => {
                let channel = channel.code();
                if fr {
                    format!("dernier contact il y a {days_ago} j par {channel}")
                } else {
                    format!("last contact {days_ago} days ago by {channel}")
                }
            }
            Reason::NoPriorContact => {
                if fr {
                    "aucun contact récent".to_owned()
                } else {
                    "no recent contact".to_owned()
                }
            }
            Reason::Window { at } => {
                let weekday = weekday_name(at.date().weekday(), language);
                let when = at.strftime("%d/%m %H:%M");
                if fr {
                    format!(
                        "prochaine plage autorisée {weekday} {when} ({})",
                        tz_name(at)
                    )
                } else {
                    format!("next allowed window {weekday} {when} ({})", tz_name(at))
                }
            }
            Reason::NeedsApproval => {
                if fr {
                    "à valider par un responsable".to_owned()
                } else {
                    "needs a manager's approval".to_owned()
                }
            }
            Reason::NextStep { key, on } => {
                if fr {
                    format!("prochaine étape « {key} » le {}", on.strftime("%d/%m/%Y"))
                } else {
                    format!("next step '{key}' on {on}")
                }
            }
            Reason::HeldBackBy { limit, until } => {
                let limit = limit_text(*limit, language);
                if fr {
                    format!("{limit} : pas avant le {}", until.strftime("%d/%m/%Y"))
                } else {
                    format!("{limit}: not before {until}")
                }
            }
            Reason::PromisePending {
                amount,
                due_on,
                until,
            } => {
                if fr {
                    format!(
                        "promesse de {} {} pour le {}, en attente jusqu'au {}",
                        amount.to_decimal_string(),
                        amount.currency().code(),
                        due_on.strftime("%d/%m/%Y"),
                        until.strftime("%d/%m/%Y")
                    )
                } else {
                    format!(
                        "promise of {} {} for {due_on}, waiting until {until}",
                        amount.to_decimal_string(),
                        amount.currency().code()
                    )
                }
            }
            Reason::PromiseBroken { amount, due_on } => {
                if fr {
                    format!(
                        "promesse de {} {} du {} non tenue : reprise à l'étape suivante",
                        amount.to_decimal_string(),
                        amount.currency().code(),
                        due_on.strftime("%d/%m/%Y")
                    )
                } else {
                    format!(
                        "promise of {} {} for {due_on} broken: resuming at the next step",
                        amount.to_decimal_string(),
                        amount.currency().code()
                    )
                }
            }
            Reason::OnHold { until } => {
                if fr {
                    format!("dossier suspendu jusqu'au {}", until.strftime("%d/%m/%Y"))
                } else {
                    format!("case on hold until {until}")
                }
            }
            Reason::Incident => {
                if fr {
                    "incident signalé : plus aucun contact, voie judiciaire proposée".to_owned()
                } else {
                    "incident reported: no more contact, legal route proposed".to_owned()
                }
            }
            Reason::HandedOff => {
                if fr {
                    "dossier transmis (agence ou procédure) : plus de relance".to_owned()
                } else {
                    "case handed off (agency or court): no more reminders".to_owned()
                }
            }
            Reason::AwaitingApproval { key } => {
                if fr {
                    format!("l'étape « {key} » attend une validation")
                } else {
                    format!("step '{key}' awaits approval")
                }
            }
            Reason::DisputedLeftAside { count } => {
                if fr {
                    format!("{count} facture(s) en litige mise(s) de côté")
                } else {
                    format!("{count} disputed invoice(s) left aside")
                }
            }
            Reason::AllDisputed => {
                if fr {
                    "toutes les factures ouvertes sont en litige".to_owned()
                } else {
                    "every open invoice is disputed".to_owned()
                }
            }
            Reason::InPlanLeftAside { count } => {
                if fr {
                    format!("{count} facture(s) couverte(s) par un échéancier mise(s) de côté")
                } else {
                    format!("{count} invoice(s) covered by a payment plan left aside")
                }
            }
            Reason::AllInPlan => {
                if fr {
                    "les factures ouvertes sont couvertes par un échéancier en cours".to_owned()
                } else {
                    "the open invoices are covered by a running payment plan".to_owned()
                }
            }
            Reason::NothingOwed => {
                if fr {
                    "rien n'est dû".to_owned()
                } else {
                    "nothing is owed".to_owned()
                }
            }
            Reason::LadderComplete => {
                if fr {
                    "toutes les étapes du scénario sont faites".to_owned()
                } else {
                    "every step of the scenario is done".to_owned()
                }
            }
        }
    }
}

impl SkipCause {
    fn describe(&self, language: Language) -> String {
        let fr = language == Language::French;
        match self {
            SkipCause::TooLate => if fr {
                "la facture est déjà échue"
            } else {
                "the invoice is already due"
            }
            .to_owned(),
            SkipCause::NoUsableChannel => if fr {
                "aucun canal utilisable"
            } else {
                "no usable channel"
            }
            .to_owned(),
            SkipCause::Condition(UnmetCondition::BalanceBelow { minimum }) => {
                let minimum = format!(
                    "{} {}",
                    minimum.to_decimal_string(),
                    minimum.currency().code()
                );
                if fr {
                    format!("solde échu inférieur à {minimum}")
                } else {
                    format!("overdue balance below {minimum}")
                }
            }
            SkipCause::Condition(UnmetCondition::OtherCustomerKind { wanted }) => {
                if fr {
                    format!("réservée aux clients {}", wanted.code())
                } else {
                    format!("only for {} customers", wanted.code())
                }
            }
            SkipCause::Condition(UnmetCondition::OtherRiskSegment { segment }) => {
                if fr {
                    format!("ne vise pas le segment de risque {}", segment.code())
                } else {
                    format!("not for risk segment {}", segment.code())
                }
            }
        }
    }
}

impl ChannelProblem {
    fn describe(&self, language: Language) -> &'static str {
        match (self, language) {
            (ChannelProblem::NoConsent, Language::French) => "pas de consentement",
            (ChannelProblem::NoConsent, Language::English) => "no consent",
            (ChannelProblem::NoDetails, Language::French) => "coordonnée manquante",
            (ChannelProblem::NoDetails, Language::English) => "no contact details",
            (ChannelProblem::Failed, Language::French) => "échec au dernier essai",
            (ChannelProblem::Failed, Language::English) => "failed last time",
        }
    }
}

fn limit_text(limit: ContactLimit, language: Language) -> String {
    let fr = language == Language::French;
    match limit {
        ContactLimit::MinGap { days } => {
            if fr {
                format!("un contact au plus tous les {days} jours")
            } else {
                format!("at most one contact every {days} days")
            }
        }
        ContactLimit::Weekly { max } => {
            if fr {
                format!("{max} contacts au plus sur 7 jours")
            } else {
                format!("at most {max} contacts in 7 days")
            }
        }
        ContactLimit::Monthly { max } => {
            if fr {
                format!("{max} contacts au plus sur 30 jours")
            } else {
                format!("at most {max} contacts in 30 days")
            }
        }
        ContactLimit::PhonePerDay { max } => {
            if fr {
                format!("{max} appel(s) au plus par jour")
            } else {
                format!("at most {max} call(s) a day")
            }
        }
    }
}

fn weekday_name(weekday: jiff::civil::Weekday, language: Language) -> &'static str {
    use jiff::civil::Weekday::*;
    match (language, weekday) {
        (Language::French, Monday) => "lundi",
        (Language::French, Tuesday) => "mardi",
        (Language::French, Wednesday) => "mercredi",
        (Language::French, Thursday) => "jeudi",
        (Language::French, Friday) => "vendredi",
        (Language::French, Saturday) => "samedi",
        (Language::French, Sunday) => "dimanche",
        (Language::English, Monday) => "Monday",
        (Language::English, Tuesday) => "Tuesday",
        (Language::English, Wednesday) => "Wednesday",
        (Language::English, Thursday) => "Thursday",
        (Language::English, Friday) => "Friday",
        (Language::English, Saturday) => "Saturday",
        (Language::English, Sunday) => "Sunday",
    }
}

fn tz_name(at: &ZonedDateTime) -> String {
    at.time_zone().iana_name().unwrap_or("UTC").to_owned()
}
