//! Payment plans: the schedule a collector proposes to a customer who cannot pay at once, the
//! limits within which a collector may grant one without a manager, and where a running plan
//! stands on a given day.
//!
//! Amounts are cents: equal installments are the amount divided and rounded down to the cent,
//! the difference going to the last installment (so it is never smaller than the others); an
//! installment the customer can afford is repeated and the last one takes what is left.
//! Dates are counted from the first installment (the 31st stays the 31st where the month has
//! one, the last day of the month otherwise), so a schedule never drifts.
//! Payments received go to installments in order, and an installment still unpaid once the
//! grace period after its date has passed puts the plan in default.

use jiff::Span;
use jiff::civil::Date;

use crate::money::{Money, MoneyError};

/// How often installments fall due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Frequency {
    Weekly,
    Fortnightly,
    Monthly,
    Quarterly,
}

impl Frequency {
    /// `1w`, `2w`, `1m` or `3m`.
    pub fn parse(text: &str) -> Option<Frequency> {
        match text.trim().to_ascii_lowercase().as_str() {
            "1w" | "weekly" => Some(Frequency::Weekly),
            "2w" | "fortnightly" => Some(Frequency::Fortnightly),
            "1m" | "monthly" => Some(Frequency::Monthly),
            "3m" | "quarterly" => Some(Frequency::Quarterly),
            _ => None,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            Frequency::Weekly => "1w",
            Frequency::Fortnightly => "2w",
            Frequency::Monthly => "1m",
            Frequency::Quarterly => "3m",
        }
    }

    /// The date of installment `index` (0 for the first) of a schedule starting on `first_on`.
    pub fn nth(&self, first_on: Date, index: u32) -> Result<Date, PlanError> {
        let index = i64::from(index);
        let span = match self {
            Frequency::Weekly => Span::new().try_weeks(index),
            Frequency::Fortnightly => Span::new().try_weeks(index * 2),
            Frequency::Monthly => Span::new().try_months(index),
            Frequency::Quarterly => Span::new().try_months(index * 3),
        }
        .map_err(|_| PlanError::DateOutOfRange)?;
        first_on
            .checked_add(span)
            .map_err(|_| PlanError::DateOutOfRange)
    }
}

/// How the amount is split.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Split {
    /// This many installments, as equal as cents allow.
    Installments(u32),
    /// Installments of this amount (what the customer can afford) until the amount is covered.
    Amount(Money),
}

/// What a collector asks the generator for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScheduleRequest {
    /// What the plan covers: the invoices' outstanding amounts, with the charges the creditor
    /// includes.
    pub covered: Money,
    pub split: Split,
    pub first_on: Date,
    pub every: Frequency,
    /// Paid on `first_on`; the installments follow from one period later.
    pub down_payment: Option<Money>,
}

/// One amount due on one day; number 0 is the down payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Installment {
    pub number: u32,
    pub due_on: Date,
    pub amount: Money,
}

/// A plan's installments, in date order; they add up to what it covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    pub installments: Vec<Installment>,
}

impl Schedule {
    pub fn total(&self) -> Result<Money, MoneyError> {
        let mut installments = self.installments.iter();
        let first = installments.next().ok_or(MoneyError::Overflow)?.amount;
        installments.try_fold(first, |sum, installment| {
            sum.checked_add(installment.amount)
        })
    }

    pub fn last_on(&self) -> Option<Date> {
        self.installments
            .last()
            .map(|installment| installment.due_on)
    }

    /// Installments after the down payment.
    pub fn count(&self) -> u32 {
        self.installments
            .iter()
            .filter(|installment| installment.number > 0)
            .count() as u32
    }
}

/// What a collector may grant without a manager (each tenant sets its own).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlanLimits {
    pub max_installments: u32,
    /// The smallest installment, in the plan's currency (the last one may be smaller when
    /// installments of an amount leave a remainder).
    pub min_installment: Money,
    /// From the first date to the last installment.
    pub max_months: u32,
}

impl PlanLimits {
    /// Up to 12 monthly installments of at least 50 EUR over at most 12 months: what a small
    /// firm can carry without asking its manager.
    pub fn defaults(currency: crate::money::Currency) -> PlanLimits {
        PlanLimits {
            max_installments: 12,
            min_installment: Money::from_minor(5_000, currency),
            max_months: 12,
        }
    }
}

/// Which accrued late-payment charges a plan covers besides the invoices' balances, as the
/// tenant settles (`plan_settings`). The figures are the statement's: what it still claims of
/// each covered invoice on the day the plan is proposed, waivers applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IncludedCharges {
    /// The plan covers the balances; the charges stay claimed on their own.
    None,
    /// The late-payment interest (penalties), not the fixed recovery indemnities.
    Penalties,
    /// The penalties and the fixed recovery indemnities (never an indemnity of a consumer).
    All,
}

impl IncludedCharges {
    pub const ALL: [IncludedCharges; 3] = [
        IncludedCharges::None,
        IncludedCharges::Penalties,
        IncludedCharges::All,
    ];

    /// French B2B practice: penalties and the 40 EUR indemnity are owed by law without a
    /// reminder (Code de commerce L441-10), so an agreement settles the debt as it stands; the
    /// concession, when granted, is an explicit waiver (`waive penalties`).
    pub const DEFAULT: IncludedCharges = IncludedCharges::All;

    pub fn code(&self) -> &'static str {
        match self {
            IncludedCharges::None => "none",
            IncludedCharges::Penalties => "penalties",
            IncludedCharges::All => "all",
        }
    }

    pub fn parse(text: &str) -> Option<IncludedCharges> {
        let text = text.trim().to_ascii_lowercase();
        IncludedCharges::ALL
            .into_iter()
            .find(|included| included.code() == text)
    }

    /// What a plan covers of an invoice's unpaid `interest` and `indemnity`; a consumer never
    /// owes a recovery indemnity.
    pub fn covered(
        &self,
        interest: Money,
        indemnity: Money,
        consumer: bool,
    ) -> Result<Money, MoneyError> {
        match self {
            IncludedCharges::None => Ok(Money::zero(interest.currency())),
            IncludedCharges::Penalties => Ok(interest),
            IncludedCharges::All if consumer => Ok(interest),
            IncludedCharges::All => interest.checked_add(indemnity),
        }
    }

    /// The charges a running plan takes over from the statement, which stops claiming them on
    /// its invoices while the plan holds (they are claimed again if it lapses); `None` when
    /// the plan takes none.
    pub fn taken_over(&self, consumer: bool) -> Option<crate::late_payment::WaivedCharges> {
        use crate::late_payment::WaivedCharges;
        match self {
            IncludedCharges::None => None,
            IncludedCharges::Penalties => Some(WaivedCharges::Interest),
            IncludedCharges::All if consumer => Some(WaivedCharges::Interest),
            IncludedCharges::All => Some(WaivedCharges::Both),
        }
    }
}

/// A limit a proposal goes beyond: a manager must approve it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LimitExceeded {
    TooManyInstallments { count: u32, max: u32 },
    InstallmentTooSmall { amount: Money, min: Money },
    TooLong { last_on: Date, latest: Date },
}

/// A schedule and what it needs to be granted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposal {
    pub schedule: Schedule,
    /// Empty: the collector may grant it.
    pub exceeded: Vec<LimitExceeded>,
}

impl Proposal {
    pub fn needs_manager(&self) -> bool {
        !self.exceeded.is_empty()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error("a plan covers a positive amount")]
    NothingCovered,
    #[error("a plan has at least one installment")]
    NoInstallment,
    #[error("the installment amount must be positive")]
    NonPositiveInstallment,
    #[error("the down payment must be positive and less than the amount covered")]
    BadDownPayment,
    #[error("amounts in different currencies")]
    CurrencyMismatch,
    #[error("more than {max} installments")]
    TooManyInstallments { max: u32 },
    #[error("a date out of range")]
    DateOutOfRange,
}

/// The most installments a schedule may have at all (ten years of weekly payments): beyond,
/// the request is a typing mistake, not a plan.
pub const MAX_INSTALLMENTS: u32 = 520;

/// The schedule `request` asks for, and the limits it goes beyond.
pub fn propose(request: &ScheduleRequest, limits: &PlanLimits) -> Result<Proposal, PlanError> {
    let currency = request.covered.currency();
    if !request.covered.is_positive() {
        return Err(PlanError::NothingCovered);
    }
    let mut installments = Vec::new();
    let mut remaining = request.covered;
    if let Some(down) = request.down_payment {
        if down.currency() != currency {
            return Err(PlanError::CurrencyMismatch);
        }
        if !down.is_positive() || down.minor() >= remaining.minor() {
            return Err(PlanError::BadDownPayment);
        }
        installments.push(Installment {
            number: 0,
            due_on: request.first_on,
            amount: down,
        });
        remaining = Money::from_minor(remaining.minor() - down.minor(), currency);
    }
    let offset = u32::from(request.down_payment.is_some());
    let amounts = split(remaining, request.split)?;
    for (index, amount) in amounts.into_iter().enumerate() {
        let number = index as u32 + 1;
        installments.push(Installment {
            number,
            due_on: request.every.nth(request.first_on, index as u32 + offset)?,
            amount,
        });
    }
    let schedule = Schedule { installments };
    let exceeded = exceeded(&schedule, request, limits)?;
    Ok(Proposal { schedule, exceeded })
}

/// `remaining` in installments as `how` says, in cents.
fn split(remaining: Money, how: Split) -> Result<Vec<Money>, PlanError> {
    let currency = remaining.currency();
    let total = remaining.minor();
    match how {
        Split::Installments(0) => Err(PlanError::NoInstallment),
        Split::Installments(count) if count > MAX_INSTALLMENTS => {
            Err(PlanError::TooManyInstallments {
                max: MAX_INSTALLMENTS,
            })
        }
        Split::Installments(count) => {
            let count = i64::from(count);
            let base = total / count;
            if base == 0 {
                return Err(PlanError::NonPositiveInstallment);
            }
            let mut amounts = vec![Money::from_minor(base, currency); count as usize - 1];
            amounts.push(Money::from_minor(total - base * (count - 1), currency));
            Ok(amounts)
        }
        Split::Amount(amount) => {
            if amount.currency() != currency {
                return Err(PlanError::CurrencyMismatch);
            }
            if !amount.is_positive() {
                return Err(PlanError::NonPositiveInstallment);
            }
            let each = amount.minor();
            let full = total / each;
            let rest = total % each;
            let count = full + i64::from(rest > 0);
            if count > i64::from(MAX_INSTALLMENTS) {
                return Err(PlanError::TooManyInstallments {
                    max: MAX_INSTALLMENTS,
                });
            }
            let mut amounts = vec![amount; full as usize];
            if rest > 0 {
                amounts.push(Money::from_minor(rest, currency));
            }
            Ok(amounts)
        }
    }
}

fn exceeded(
    schedule: &Schedule,
    request: &ScheduleRequest,
    limits: &PlanLimits,
) -> Result<Vec<LimitExceeded>, PlanError> {
    let mut exceeded = Vec::new();
    let count = schedule.count();
    if count > limits.max_installments {
        exceeded.push(LimitExceeded::TooManyInstallments {
            count,
            max: limits.max_installments,
        });
    }
    // The last installment of an amount split may be a remainder: only the regular ones count.
    let regular = schedule
        .installments
        .iter()
        .filter(|installment| installment.number > 0)
        .take(match request.split {
            Split::Amount(_) => count.saturating_sub(1).max(1) as usize,
            Split::Installments(_) => count as usize,
        })
        .map(|installment| installment.amount)
        .min_by_key(Money::minor);
    if let Some(smallest) = regular
        && smallest.currency() == limits.min_installment.currency()
        && smallest.minor() < limits.min_installment.minor()
    {
        exceeded.push(LimitExceeded::InstallmentTooSmall {
            amount: smallest,
            min: limits.min_installment,
        });
    }
    let latest = request
        .first_on
        .checked_add(Span::new().months(i64::from(limits.max_months)))
        .map_err(|_| PlanError::DateOutOfRange)?;
    if let Some(last_on) = schedule.last_on()
        && last_on > latest
    {
        exceeded.push(LimitExceeded::TooLong { last_on, latest });
    }
    Ok(exceeded)
}

/// Where a running plan stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanStanding {
    /// Installments fully paid, in order.
    pub paid: u32,
    /// The first installment not fully paid, and what is left of it.
    pub next: Option<(Installment, Money)>,
    pub state: PlanState,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanState {
    /// Every installment due so far is paid.
    OnTrack,
    /// An installment is unpaid after its date, within the grace period: remind, do not lapse.
    Late {
        installment: u32,
        grace_ends_on: Date,
    },
    /// An installment is still unpaid after the grace period: the plan lapses as its agreement
    /// says.
    Defaulted { installment: u32 },
    /// Everything is paid.
    Completed,
}

/// Where `schedule` stands on `today`, with `paid` received towards it in all (payments go to
/// installments in order) and `grace_days` after each date before a missed one defaults.
pub fn standing(
    schedule: &Schedule,
    paid: Money,
    today: Date,
    grace_days: u32,
) -> Result<PlanStanding, PlanError> {
    let mut left = paid.minor().max(0);
    let mut paid_count = 0;
    let mut next = None;
    for installment in &schedule.installments {
        if installment.amount.currency() != paid.currency() {
            return Err(PlanError::CurrencyMismatch);
        }
        let due = installment.amount.minor();
        if left >= due {
            left -= due;
            paid_count += 1;
            continue;
        }
        next = Some((
            *installment,
            Money::from_minor(due - left, installment.amount.currency()),
        ));
        break;
    }
    let state = match next {
        None => PlanState::Completed,
        Some((installment, _)) if installment.due_on >= today => PlanState::OnTrack,
        Some((installment, _)) => {
            let grace_ends_on = installment
                .due_on
                .checked_add(Span::new().days(i64::from(grace_days)))
                .map_err(|_| PlanError::DateOutOfRange)?;
            if today > grace_ends_on {
                PlanState::Defaulted {
                    installment: installment.number,
                }
            } else {
                PlanState::Late {
                    installment: installment.number,
                    grace_ends_on,
                }
            }
        }
    };
    Ok(PlanStanding {
        paid: paid_count,
        next,
        state,
    })
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;
    use proptest::prelude::*;

    use super::*;
    use crate::money::Currency;

    fn eur(minor: i64) -> Money {
        Money::from_minor(minor, Currency::EUR)
    }

    fn request(covered: i64, split: Split) -> ScheduleRequest {
        ScheduleRequest {
            covered: eur(covered),
            split,
            first_on: date(2026, 1, 31),
            every: Frequency::Monthly,
            down_payment: None,
        }
    }

    fn limits() -> PlanLimits {
        PlanLimits::defaults(Currency::EUR)
    }

    fn amounts(proposal: &Proposal) -> Vec<(u32, Date, i64)> {
        proposal
            .schedule
            .installments
            .iter()
            .map(|i| (i.number, i.due_on, i.amount.minor()))
            .collect()
    }

    #[test]
    fn three_installments_put_the_odd_cent_on_the_last_and_keep_the_end_of_the_month() {
        let proposal = propose(&request(100_000, Split::Installments(3)), &limits()).unwrap();
        assert_eq!(
            amounts(&proposal),
            [
                (1, date(2026, 1, 31), 33_333),
                (2, date(2026, 2, 28), 33_333),
                (3, date(2026, 3, 31), 33_334),
            ]
        );
        assert!(!proposal.needs_manager());
    }

    #[test]
    fn what_the_customer_can_afford_is_repeated_and_the_last_takes_the_rest() {
        let mut asked = request(100_000, Split::Amount(eur(30_000)));
        asked.down_payment = Some(eur(10_000));
        let proposal = propose(&asked, &limits()).unwrap();
        assert_eq!(
            amounts(&proposal),
            [
                (0, date(2026, 1, 31), 10_000),
                (1, date(2026, 2, 28), 30_000),
                (2, date(2026, 3, 31), 30_000),
                (3, date(2026, 4, 30), 30_000),
            ]
        );
        let mut uneven = request(100_000, Split::Amount(eur(45_000)));
        uneven.every = Frequency::Fortnightly;
        let proposal = propose(&uneven, &limits()).unwrap();
        assert_eq!(
            amounts(&proposal),
            [
                (1, date(2026, 1, 31), 45_000),
                (2, date(2026, 2, 14), 45_000),
                (3, date(2026, 2, 28), 10_000),
            ]
        );
        assert!(
            !proposal.needs_manager(),
            "a small remainder is not a small installment"
        );
    }

    #[test]
    fn a_plan_beyond_the_limits_needs_a_manager_and_says_which() {
        let proposal = propose(&request(120_000, Split::Installments(24)), &limits()).unwrap();
        assert_eq!(
            proposal.exceeded,
            [
                LimitExceeded::TooManyInstallments { count: 24, max: 12 },
                LimitExceeded::TooLong {
                    last_on: date(2027, 12, 31),
                    latest: date(2027, 1, 31)
                },
            ]
        );
        let small = propose(&request(20_000, Split::Installments(10)), &limits()).unwrap();
        assert_eq!(
            small.exceeded,
            [LimitExceeded::InstallmentTooSmall {
                amount: eur(2_000),
                min: eur(5_000)
            }]
        );
    }

    #[test]
    fn impossible_requests_are_refused() {
        let refused = |asked: ScheduleRequest| propose(&asked, &limits()).unwrap_err();
        assert_eq!(
            refused(request(0, Split::Installments(3))),
            PlanError::NothingCovered
        );
        assert_eq!(
            refused(request(100, Split::Installments(0))),
            PlanError::NoInstallment
        );
        assert_eq!(
            refused(request(2, Split::Installments(3))),
            PlanError::NonPositiveInstallment
        );
        assert_eq!(
            refused(request(100_000, Split::Amount(eur(1)))),
            PlanError::TooManyInstallments { max: 520 }
        );
        let mut down = request(100, Split::Installments(1));
        down.down_payment = Some(eur(100));
        assert_eq!(refused(down), PlanError::BadDownPayment);
        assert_eq!(
            refused(request(
                100,
                Split::Amount(Money::from_minor(10, Currency::from_code("USD").unwrap()))
            )),
            PlanError::CurrencyMismatch
        );
    }

    #[test]
    fn payments_go_to_installments_in_order_and_a_miss_defaults_after_the_grace_period() {
        let schedule = propose(&request(90_000, Split::Installments(3)), &limits())
            .unwrap()
            .schedule;
        let on = |today, paid| standing(&schedule, eur(paid), today, 5).unwrap();

        let before = on(date(2026, 1, 20), 0);
        assert_eq!(before.state, PlanState::OnTrack);
        assert_eq!(before.next.unwrap().1, eur(30_000));

        // Two paid, then a part of the third: what is left of it is shown.
        let partly = on(date(2026, 3, 20), 70_000);
        assert_eq!(partly.paid, 2);
        assert_eq!(partly.next.unwrap().1, eur(20_000));
        assert_eq!(partly.state, PlanState::OnTrack);

        assert_eq!(
            on(date(2026, 4, 3), 70_000).state,
            PlanState::Late {
                installment: 3,
                grace_ends_on: date(2026, 4, 5)
            }
        );
        assert_eq!(
            on(date(2026, 4, 5), 70_000).state,
            PlanState::Late {
                installment: 3,
                grace_ends_on: date(2026, 4, 5)
            },
            "the last day of grace is still grace"
        );
        assert_eq!(
            on(date(2026, 4, 6), 70_000).state,
            PlanState::Defaulted { installment: 3 }
        );
        assert_eq!(on(date(2026, 4, 6), 90_000).state, PlanState::Completed);
        assert_eq!(
            on(date(2026, 4, 6), 95_000).state,
            PlanState::Completed,
            "an overpayment completes it"
        );
    }

    fn frequency() -> impl Strategy<Value = Frequency> {
        prop_oneof![
            Just(Frequency::Weekly),
            Just(Frequency::Fortnightly),
            Just(Frequency::Monthly),
            Just(Frequency::Quarterly),
        ]
    }

    #[test]
    fn a_consumer_is_never_charged_an_indemnity_in_a_plan() {
        let (interest, indemnity) = (eur(1_234), eur(4_000));
        assert_eq!(
            IncludedCharges::All.covered(interest, indemnity, true),
            Ok(interest)
        );
        assert_eq!(
            IncludedCharges::All.covered(interest, indemnity, false),
            Ok(eur(5_234))
        );
        assert_eq!(
            IncludedCharges::Penalties.covered(interest, indemnity, false),
            Ok(interest)
        );
        assert_eq!(
            IncludedCharges::None.covered(interest, indemnity, false),
            Ok(eur(0))
        );
        assert_eq!(
            IncludedCharges::parse(" Penalties"),
            Some(IncludedCharges::Penalties)
        );
        assert_eq!(IncludedCharges::parse("some"), None);
    }

    proptest! {
        #[test]
        fn a_schedule_always_sums_to_what_it_covers_with_dates_rising(
            covered in 1_000_i64..100_000_000,
            count in 1_u32..60,
            afford in 100_i64..10_000_000,
            by_amount in any::<bool>(),
            down in prop::option::of(1_i64..1_000),
            every in frequency(),
            day in 0_i64..3_650,
        ) {
            let first_on = date(2024, 1, 1).checked_add(Span::new().days(day)).unwrap();
            let split = if by_amount { Split::Amount(eur(afford)) } else { Split::Installments(count) };
            let asked = ScheduleRequest {
                covered: eur(covered),
                split,
                first_on,
                every,
                down_payment: down.map(eur),
            };
            let Ok(proposal) = propose(&asked, &limits()) else {
                // Only a request with more than MAX_INSTALLMENTS installments may be refused.
                prop_assert!(by_amount && covered / afford >= i64::from(MAX_INSTALLMENTS));
                return Ok(());
            };
            let schedule = &proposal.schedule;
            prop_assert_eq!(schedule.total().unwrap(), eur(covered));
            prop_assert!(schedule.installments.iter().all(|i| i.amount.is_positive()));
            prop_assert!(schedule.installments.windows(2).all(|w| w[0].due_on < w[1].due_on));
            prop_assert_eq!(schedule.installments[0].due_on, first_on);
            let regular: Vec<i64> = schedule.installments.iter().filter(|i| i.number > 0).map(|i| i.amount.minor()).collect();
            match split {
                Split::Installments(count) => {
                    prop_assert_eq!(regular.len() as u32, count);
                    let (last, rest) = regular.split_last().unwrap();
                    prop_assert!(rest.iter().all(|amount| amount == &rest.first().copied().unwrap_or(*last)));
                    prop_assert!(rest.iter().all(|amount| last >= amount && last - amount < i64::from(count)));
                }
                Split::Amount(each) => {
                    let (last, rest) = regular.split_last().unwrap();
                    prop_assert!(rest.iter().all(|amount| *amount == each.minor()));
                    prop_assert!(*last <= each.minor());
                }
            }
            let flagged = proposal.exceeded.iter().any(|e| matches!(e, LimitExceeded::TooManyInstallments { .. }));
            prop_assert_eq!(flagged, schedule.count() > limits().max_installments);
        }

        #[test]
        fn paying_everything_completes_a_plan_whatever_the_day(
            covered in 1_000_i64..10_000_000,
            count in 1_u32..24,
            day in 0_i64..2_000,
        ) {
            let schedule = propose(&request(covered, Split::Installments(count)), &limits()).unwrap().schedule;
            let today = date(2026, 1, 1).checked_add(Span::new().days(day)).unwrap();
            prop_assert_eq!(standing(&schedule, eur(covered), today, 0).unwrap().state, PlanState::Completed);
            let short = standing(&schedule, eur(covered - 1), today, 0).unwrap();
            prop_assert_ne!(short.state, PlanState::Completed);
        }
    }

    proptest! {
        /// What a plan covers of an invoice's charges is exactly what it takes over from the
        /// statement: each charge is claimed by the plan or by the statement, never by both.
        #[test]
        fn a_plan_covers_exactly_the_charges_the_statement_stops_claiming(
            interest in 0i64..10_000_000,
            indemnity in prop_oneof![Just(0i64), Just(4_000i64), 0i64..1_000_000],
            consumer in any::<bool>(),
            mode in 0usize..3,
        ) {
            use crate::late_payment::WaivedCharges;
            let included = IncludedCharges::ALL[mode];
            let (interest, indemnity) = (eur(interest), eur(indemnity));
            let covered = included.covered(interest, indemnity, consumer).unwrap();
            let (plan_interest, plan_indemnity) = match included.taken_over(consumer) {
                None => (false, false),
                Some(WaivedCharges::Interest) => (true, false),
                Some(WaivedCharges::Indemnity) => (false, true),
                Some(WaivedCharges::Both) => (true, true),
            };
            let mut expected = 0;
            if plan_interest {
                expected += interest.minor();
            }
            if plan_indemnity {
                expected += indemnity.minor();
            }
            prop_assert_eq!(covered.minor(), expected);
            prop_assert!(!(consumer && plan_indemnity), "a consumer owes no indemnity");
            prop_assert!(covered.minor() <= interest.minor() + indemnity.minor());
        }
    }
}
