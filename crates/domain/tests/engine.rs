//! The dunning engine, told as the practitioners tell their cases, then checked against
//! generated portfolios and calendars.

// Amounts are written in cents grouped as euros_cents (1_200_00 is 1,200.00 EUR).
#![allow(clippy::inconsistent_digit_grouping)]

use domain::case::Promise;
use domain::contact_policy::{ContactOutcome, ContactPolicy, ContactRecord};
use domain::customer::{Channel, ChannelConsent, CustomerKind, Language};
use domain::engine::{
    CaseDecision, CaseInput, CaseItem, CaseProgress, DebtorProfile, Outcome, PlannedStep, Reason,
    decide,
};
use domain::ids::InvoiceId;
use domain::money::{Currency, Money};
use domain::scenario::{RiskSegment, Scenario, StepChannel};
use jiff::civil::{Date, date};
use jiff::tz::TimeZone;
use proptest::prelude::*;

fn eur(minor: i64) -> Money {
    Money::from_minor(minor, Currency::EUR)
}

fn debtor(kind: CustomerKind, zone: &str) -> DebtorProfile {
    DebtorProfile {
        kind,
        risk: RiskSegment::Standard,
        consent: ChannelConsent {
            sms: true,
            ..ChannelConsent::contractual_defaults()
        },
        preferred: Channel::Email,
        time_zone: TimeZone::get(zone).unwrap(),
        has_email: true,
        has_phone: true,
        has_postal_address: true,
    }
}

/// One customer's file, moved day by day the way the daily run moves it.
struct Case {
    debtor: DebtorProfile,
    scenario: Scenario,
    policy: ContactPolicy,
    items: Vec<CaseItem>,
    progress: CaseProgress,
    contacts: Vec<ContactRecord>,
    promise: Option<Promise>,
    broken_promise: Option<Promise>,
    hold_until: Option<Date>,
    incident: bool,
    awaiting_approval: Option<String>,
    review_on: Option<Date>,
    log: Vec<(Date, PlannedStep)>,
}

impl Case {
    fn business(items: &[(i64, Date, i64)]) -> Case {
        Case::new(debtor(CustomerKind::Business, "Europe/Paris"), items)
    }

    fn new(debtor: DebtorProfile, items: &[(i64, Date, i64)]) -> Case {
        Case {
            scenario: Scenario::default_for(debtor.kind),
            debtor,
            policy: ContactPolicy::french_default(),
            items: items
                .iter()
                .map(|&(id, due_on, minor)| CaseItem {
                    invoice: InvoiceId(id),
                    due_on,
                    outstanding: eur(minor),
                    disputed: false,
                    in_plan: false,
                })
                .collect(),
            progress: CaseProgress::default(),
            contacts: Vec::new(),
            promise: None,
            broken_promise: None,
            hold_until: None,
            incident: false,
            awaiting_approval: None,
            review_on: Some(Date::MIN),
            log: Vec::new(),
        }
    }

    fn decide(&self, today: Date) -> CaseDecision {
        decide(&CaseInput {
            today,
            debtor: &self.debtor,
            items: &self.items,
            scenario: &self.scenario,
            policy: &self.policy,
            progress: &self.progress,
            contacts: &self.contacts,
            promise: self.promise,
            broken_promise: self.broken_promise,
            hold_until: self.hold_until,
            incident: self.incident,
            awaiting_approval: self.awaiting_approval.as_deref(),
        })
    }

    /// The daily run for one day: look at the case only when its review date has come, as the
    /// real run does, and record what it decides.
    fn run(&mut self, today: Date) -> Option<CaseDecision> {
        if let Some(promise) = self.promise
            && today > promise.last_day(self.policy.promise_grace_days)
        {
            self.broken_promise = self.promise.take();
            self.review_on = Some(today);
        }
        if self.review_on.is_none_or(|on| on > today) {
            return None;
        }
        let decision = self.decide(today);
        self.progress = decision.progress.clone();
        self.review_on = decision.next_review_on;
        if let Outcome::Act(step) = &decision.outcome {
            self.broken_promise = None;
            if let Some(channel) = step.contacts[0].channel.contact_channel() {
                self.contacts.push(ContactRecord {
                    on: step.scheduled_at.date(),
                    channel,
                    outcome: ContactOutcome::Sent,
                });
            }
            if step.requires_approval {
                self.awaiting_approval = Some(step.step_key.clone());
            }
            self.log.push((today, step.clone()));
        }
        Some(decision)
    }

    fn run_until(&mut self, from: Date, to: Date) {
        let mut day = from;
        while day <= to {
            self.run(day);
            day = day.tomorrow().unwrap();
        }
    }

    fn pay(&mut self, invoice: i64) {
        for item in &mut self.items {
            if item.invoice == InvoiceId(invoice) {
                item.outstanding = eur(0);
            }
        }
        self.review_on = Some(Date::MIN);
    }

    fn steps_taken(&self) -> Vec<(Date, &str)> {
        self.log
            .iter()
            .map(|(_, step)| (step.scheduled_at.date(), step.step_key.as_str()))
            .collect()
    }
}

#[test]
fn the_forgetful_customer_pays_after_the_first_reminder() {
    // Invoice due Monday 2 November 2026.
    let mut case = Case::business(&[(1, date(2026, 11, 2), 1_200_00)]);
    case.run_until(date(2026, 10, 20), date(2026, 11, 3));
    assert_eq!(
        case.steps_taken(),
        vec![
            (date(2026, 10, 30), "pre_due_reminder"),
            (date(2026, 11, 3), "first_reminder"),
        ]
    );
    case.pay(1);
    case.run_until(date(2026, 11, 4), date(2027, 1, 31));
    assert_eq!(case.log.len(), 2, "nothing after the payment");
    let decision = case.decide(date(2026, 12, 1));
    assert_eq!(decision.outcome, Outcome::Idle);
    assert_eq!(decision.reasons, vec![Reason::NothingOwed]);
}

#[test]
fn one_message_lists_every_overdue_invoice_of_the_customer() {
    let mut case = Case::business(&[
        (1, date(2026, 10, 5), 300_00),
        (2, date(2026, 10, 20), 450_00),
        (3, date(2026, 12, 20), 900_00),
    ]);
    let decision = case.run(date(2026, 10, 21)).unwrap();
    let Outcome::Act(step) = decision.outcome else {
        panic!("a reminder is due: {decision:?}")
    };
    assert_eq!(step.step_key, "first_reminder");
    assert_eq!(step.invoices, vec![InvoiceId(1), InvoiceId(2)]);
    assert_eq!(step.days_overdue, 16);
}

#[test]
fn the_customer_in_difficulty_who_promised_and_kept() {
    let mut case = Case::business(&[(1, date(2026, 11, 2), 2_400_00)]);
    case.run_until(date(2026, 11, 1), date(2026, 11, 10));
    assert_eq!(case.progress.level, Some(2), "second reminder sent on J+8");
    // On the phone the customer explains a cash-flow gap and promises to pay on 30 November.
    case.promise = Some(Promise {
        amount: eur(2_400_00),
        due_on: date(2026, 11, 30),
        balance_when_made: eur(2_400_00),
    });
    case.review_on = Some(date(2026, 11, 11));
    case.run_until(date(2026, 11, 11), date(2026, 12, 3));
    assert_eq!(
        case.log.len(),
        3,
        "no reminder during the promise and its grace days"
    );
    case.promise = None;
    case.pay(1);
    case.run_until(date(2026, 12, 4), date(2027, 2, 1));
    assert_eq!(case.log.len(), 3);
}

#[test]
fn a_broken_promise_resumes_at_the_next_step_with_a_note() {
    let mut case = Case::business(&[(1, date(2026, 11, 2), 2_400_00)]);
    case.run_until(date(2026, 11, 1), date(2026, 11, 10));
    case.promise = Some(Promise {
        amount: eur(2_400_00),
        due_on: date(2026, 11, 20),
        balance_when_made: eur(2_400_00),
    });
    case.review_on = Some(date(2026, 11, 11));
    case.run_until(date(2026, 11, 11), date(2026, 11, 23));
    assert_eq!(case.log.len(), 3);
    // 20 November + 3 days of grace: the case resumes on Tuesday 24 November.
    let decision = case.run(date(2026, 11, 24)).unwrap();
    let Outcome::Act(step) = &decision.outcome else {
        panic!("the case resumes: {decision:?}")
    };
    assert_eq!(step.step_key, "phone_call");
    assert!(
        decision
            .reasons
            .iter()
            .any(|r| matches!(r, Reason::PromiseBroken { .. }))
    );
    assert!(decision.explain(Language::French).contains("non tenue"));
}

#[test]
fn a_disputed_invoice_leaves_dunning_and_the_others_go_on() {
    let mut case = Case::business(&[
        (1, date(2026, 11, 2), 500_00),
        (2, date(2026, 11, 2), 700_00),
    ]);
    case.items[0].disputed = true;
    let decision = case.run(date(2026, 11, 3)).unwrap();
    let Outcome::Act(step) = &decision.outcome else {
        panic!("{decision:?}")
    };
    assert_eq!(step.invoices, vec![InvoiceId(2)]);
    assert!(
        decision
            .explain(Language::English)
            .contains("1 disputed invoice(s) left aside")
    );

    case.items[1].disputed = true;
    let decision = case.decide(date(2026, 11, 12));
    assert_eq!(decision.outcome, Outcome::Paused);
    assert_eq!(decision.next_review_on, None);
}

#[test]
fn invoices_in_a_running_payment_plan_are_left_to_the_plan_and_the_others_go_on() {
    let mut case = Case::business(&[
        (1, date(2026, 11, 2), 500_00),
        (2, date(2026, 11, 2), 700_00),
        (3, date(2026, 11, 2), 900_00),
    ]);
    case.items[0].in_plan = true;
    case.items[1].disputed = true;
    let decision = case.run(date(2026, 11, 3)).unwrap();
    let Outcome::Act(step) = &decision.outcome else {
        panic!("{decision:?}")
    };
    assert_eq!(step.invoices, vec![InvoiceId(3)]);
    let explained = decision.explain(Language::English);
    assert!(
        explained.contains("1 invoice(s) covered by a payment plan left aside"),
        "{explained}"
    );

    case.items[2].in_plan = true;
    let decision = case.decide(date(2026, 11, 12));
    assert_eq!(decision.outcome, Outcome::Paused);
    assert_eq!(decision.reasons, vec![Reason::AllInPlan]);
    assert!(
        decision
            .explain(Language::French)
            .contains("couvertes par un échéancier")
    );
}

#[test]
fn the_aggressive_debtor_is_no_longer_contacted() {
    let mut case = Case::business(&[(1, date(2026, 10, 1), 500_00)]);
    case.incident = true;
    let decision = case.decide(date(2026, 11, 24));
    assert_eq!(decision.outcome, Outcome::Paused);
    assert_eq!(decision.reasons, vec![Reason::Incident]);
}

#[test]
fn a_step_due_on_sunday_waits_for_monday_morning() {
    let mut case = Case::business(&[(1, date(2026, 11, 21), 500_00)]);
    // J+1 is Sunday 22 November.
    let decision = case.run(date(2026, 11, 22)).unwrap();
    let Outcome::Act(step) = &decision.outcome else {
        panic!("{decision:?}")
    };
    assert_eq!(
        step.scheduled_at.to_string(),
        "2026-11-23T09:00:00+01:00[Europe/Paris]"
    );
    assert!(
        decision
            .explain(Language::French)
            .contains("lundi 23/11 09:00")
    );
}

#[test]
fn nobody_is_contacted_at_christmas() {
    // J+1 falls on Friday 25 December 2026; the next contact day is Monday 28.
    let mut case = Case::business(&[(1, date(2026, 12, 24), 500_00)]);
    let decision = case.run(date(2026, 12, 25)).unwrap();
    let Outcome::Act(step) = &decision.outcome else {
        panic!("{decision:?}")
    };
    assert_eq!(step.scheduled_at.date(), date(2026, 12, 28));
}

#[test]
fn a_debtor_abroad_is_contacted_in_their_own_office_hours() {
    let mut case = Case::new(
        debtor(CustomerKind::Business, "America/New_York"),
        &[(1, date(2026, 11, 23), 500_00)],
    );
    let decision = case.run(date(2026, 11, 24)).unwrap();
    let Outcome::Act(step) = &decision.outcome else {
        panic!("{decision:?}")
    };
    assert_eq!(
        step.scheduled_at.to_string(),
        "2026-11-24T09:00:00-05:00[America/New_York]"
    );
}

#[test]
fn the_formal_notice_waits_for_approval_and_nothing_follows_until_then() {
    let mut case = Case::business(&[(1, date(2026, 9, 1), 5_000_00)]);
    case.run_until(date(2026, 8, 20), date(2026, 12, 31));
    let taken: Vec<&str> = case.steps_taken().into_iter().map(|(_, key)| key).collect();
    assert_eq!(
        taken,
        vec![
            "pre_due_reminder",
            "first_reminder",
            "second_reminder",
            "phone_call",
            "formal_warning",
            "formal_notice"
        ]
    );
    let notice = &case.log[5].1;
    assert!(notice.requires_approval);
    let channels: Vec<StepChannel> = notice.contacts.iter().map(|c| c.channel).collect();
    assert_eq!(
        channels,
        vec![StepChannel::RegisteredLetter, StepChannel::Email]
    );
    assert!(matches!(
        case.decide(date(2026, 12, 31)).reasons.last(),
        Some(Reason::AwaitingApproval { .. })
    ));
    // Approved: the hand-off follows at J+45 at the earliest, itself to be approved.
    case.awaiting_approval = None;
    case.review_on = Some(date(2027, 1, 4));
    case.run_until(date(2027, 1, 4), date(2027, 1, 8));
    let handoff = &case.log.last().unwrap().1;
    assert_eq!(handoff.step_key, "handoff");
    assert!(handoff.days_overdue >= 45);
}

#[test]
fn a_step_without_consent_falls_back_to_a_letter_and_sms_needs_consent() {
    let mut profile = debtor(CustomerKind::Business, "Europe/Paris");
    profile.consent.sms = false;
    profile.has_email = false;
    let mut case = Case::new(profile, &[(1, date(2026, 10, 1), 500_00)]);
    case.progress.level = Some(3);
    case.progress.episode = 1;
    case.progress.anchor_on = Some(date(2026, 10, 1));
    let decision = case.run(date(2026, 10, 16)).unwrap();
    let Outcome::Act(step) = &decision.outcome else {
        panic!("{decision:?}")
    };
    assert_eq!(step.step_key, "formal_warning");
    let channels: Vec<StepChannel> = step.contacts.iter().map(|c| c.channel).collect();
    assert_eq!(channels, vec![StepChannel::Letter]);
    let text = decision.explain(Language::English);
    assert!(
        text.contains("email replaced by letter (no contact details)"),
        "{text}"
    );
    assert!(text.contains("no companion sms (no consent)"), "{text}");
}

#[test]
fn consumers_get_the_softer_ladder() {
    let mut case = Case::new(
        debtor(CustomerKind::Consumer, "Europe/Paris"),
        &[(1, date(2026, 9, 1), 150_00)],
    );
    case.run_until(date(2026, 8, 25), date(2026, 10, 31));
    let first = case
        .log
        .iter()
        .find(|(_, s)| s.step_key == "first_reminder")
        .unwrap();
    assert!(first.1.days_overdue >= 2);
    assert!(
        case.log
            .iter()
            .all(|(_, s)| !s.contacts.iter().any(|c| c.channel.is_handoff()))
    );
}

// ---------------------------------------------------------------------------------------------
// Properties over generated portfolios and calendars.

#[derive(Debug, Clone)]
enum Event {
    Pay(usize),
    Dispute(usize),
    Promise { days: i64 },
    Hold { days: i64 },
    Incident,
    Approve,
    Bounce,
}

fn event() -> impl Strategy<Value = Event> {
    prop_oneof![
        (0usize..4).prop_map(Event::Pay),
        (0usize..4).prop_map(Event::Dispute),
        (1i64..20).prop_map(|days| Event::Promise { days }),
        (1i64..15).prop_map(|days| Event::Hold { days }),
        Just(Event::Incident),
        Just(Event::Approve),
        Just(Event::Approve),
        Just(Event::Bounce),
    ]
}

fn zone() -> impl Strategy<Value = &'static str> {
    prop_oneof![
        Just("Europe/Paris"),
        Just("America/New_York"),
        Just("Asia/Tokyo"),
        Just("Pacific/Auckland")
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn no_schedule_breaks_the_contact_policy(
        start in 0i32..3000,
        dues in prop::collection::vec((0i64..120, 1i64..500_000), 1..5),
        zone in zone(),
        consumer in any::<bool>(),
        sms in any::<bool>(),
        events in prop::collection::vec((0i64..150, event()), 0..8),
    ) {
        let first_day = date(2020, 1, 1) + jiff::Span::new().days(start);
        let items: Vec<(i64, Date, i64)> = dues
            .iter()
            .enumerate()
            .map(|(i, &(offset, minor))| (i as i64 + 1, first_day + jiff::Span::new().days(offset), minor))
            .collect();
        let kind = if consumer { CustomerKind::Consumer } else { CustomerKind::Business };
        let mut profile = debtor(kind, zone);
        profile.consent.sms = sms;
        let mut case = Case::new(profile, &items);
        let mut on_hold_until: Option<Date> = None;

        for offset in 0..200i64 {
            let today = first_day + jiff::Span::new().days(offset);
            for (_, event) in events.iter().filter(|(day, _)| *day == offset) {
                match *event {
                    Event::Pay(i) => if let Some(item) = case.items.get(i) { let id = item.invoice.0; case.pay(id) },
                    Event::Dispute(i) => if let Some(item) = case.items.get_mut(i) { item.disputed = true; case.review_on = Some(Date::MIN) },
                    Event::Promise { days } => {
                        let balance: i64 = case.items.iter().map(|i| i.outstanding.minor()).sum();
                        if balance > 0 && case.promise.is_none() {
                            case.promise = Some(Promise { amount: eur(balance), due_on: today + jiff::Span::new().days(days), balance_when_made: eur(balance) });
                            case.review_on = Some(Date::MIN);
                        }
                    }
                    Event::Hold { days } => { let until = today + jiff::Span::new().days(days); case.hold_until = Some(until); on_hold_until = Some(until); case.review_on = Some(Date::MIN) },
                    Event::Incident => case.incident = true,
                    Event::Approve => if case.awaiting_approval.take().is_some() { case.review_on = Some(Date::MIN) },
                    Event::Bounce => case.contacts.push(ContactRecord { on: today, channel: Channel::Email, outcome: ContactOutcome::Bounced }),
                }
            }
            let before = case.contacts.clone();
            let promise = case.promise;
            let progress = case.progress.clone();
            let Some(decision) = case.run(today) else { continue };
            let Outcome::Act(step) = &decision.outcome else { continue };

            let at = &step.scheduled_at;
            prop_assert!(case.policy.hours.is_open(at), "outside the allowed hours: {at}");
            prop_assert!(!case.policy.hours.holidays().is_holiday(at.date()));
            if let Some(channel) = step.contacts[0].channel.contact_channel() {
                prop_assert_eq!(case.policy.limit_broken(&before, at.date(), channel), None);
            }
            for invoice in &step.invoices {
                let item = case.items.iter().find(|i| i.invoice == *invoice).unwrap();
                prop_assert!(item.outstanding.is_positive(), "a paid invoice in a reminder");
                prop_assert!(!item.disputed, "a disputed invoice in a reminder");
            }
            prop_assert!(!step.invoices.is_empty());
            prop_assert!(!case.incident, "a contact after an incident");
            prop_assert!(!progress.handed_off, "a contact after a hand-off");
            if let Some(promise) = promise {
                prop_assert!(today > promise.last_day(case.policy.promise_grace_days));
            }
            if let Some(until) = on_hold_until {
                prop_assert!(today > until, "a contact during a hold");
            }
            if step.contacts.iter().any(|c| c.channel.is_handoff()) {
                prop_assert!(step.days_overdue >= 30, "a hand-off at J+{}", step.days_overdue);
            }
            if step.contacts.iter().any(|c| c.channel == StepChannel::Sms) {
                prop_assert!(sms, "an SMS without consent");
            }

            // The same day again: nothing new.
            let again = case.decide(today);
            prop_assert!(!matches!(again.outcome, Outcome::Act(_)), "a second action on the same day: {:?}", again);
        }
    }
}
