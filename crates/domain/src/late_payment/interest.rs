//! Late-payment interest on one invoice, period by period, with its fixed indemnity.
//!
//! How the figure is made (LAW.md §5 conventions C1–C6, with the choices the law leaves open
//! taken from `LatePaymentSettings`):
//! - Days: interest runs for each day after the start (the due date, or the formal notice)
//!   through the day of payment, or through `until` for what is still unpaid. A period
//!   `from..=to` covers `to - from + 1` days.
//! - Periods: a new period starts on every 1 January and 1 July (rates are fixed per half-year),
//!   the day after each payment (the base changes), and the day a rate increase begins (the
//!   post-judgment +5 points). The ECB changing its rate mid-semester starts nothing: the
//!   rules read the rate in force on the half-year's first day.
//! - Arithmetic: simple interest, `base × rate × days / days-in-year`, held exactly (integers
//!   over a common denominator, `ExactAmount`); no floats anywhere.
//! - Rounding: the exact interest is rounded to the minor unit half away from zero once per
//!   invoice. A payment imputed to interest needs that interest as an amount of money, so with
//!   the interest-first order each such payment also rounds the interest accrued until then
//!   (as LAW.md V5 B does); each rounding covers a run of periods with no payment in between.
//! - Period figures: `InterestPeriod::interest` is the rounded running total of its run minus
//!   the rounded running total before it, so the periods' figures add up exactly to the
//!   invoice's interest and each lies within one cent of the period's exact interest
//!   (`exact_interest`). In V3, 119.1781 + 234.2466 = 353.4247 shows as 119.18 + 234.24 = 353.42.
//! - Payments: interest first (C. civ. 1343-1) or principal first, by setting; whatever is left
//!   then goes to the fixed indemnity. More than everything owed is refused as an overpayment.
//! - Indemnity: the rule set's fixed amount (40 EUR) when any part of the invoice is still
//!   unpaid after its due date, at `until`. It bears no interest and is never compounded.
//! - No compounding: interest never bears interest (C. civ. 1343-2 requires a contract or a
//!   court for it).

use std::fmt;

use jiff::Span;
use jiff::civil::Date;

use crate::customer::Language;
use crate::money::{Currency, Money, MoneyError};

use super::rate::{Half, HalfYear, Rate};
use super::rules::{
    BelowFloorPolicy, ContractRate, DayCount, InterestStart, Jurisdiction, LatePaymentSettings,
    LatePaymentTerms, PaymentOrder, PostJudgmentIncrease, StatutoryRateFloor,
};
use super::tables::{LegalRateCategory, RateTables};

/// 365 × 366: every period's `days / days-in-year` is a whole number of these parts of a day,
/// so periods of 365- and 366-day years add up without remainder.
const YEAR_PARTS: i128 = 365 * 366;

/// Hundredths of a basis point in a rate of 100 %.
const RATE_UNITS_PER_WHOLE: i128 = 1_000_000;

/// An `ExactAmount` counts minor units in steps of 1 / `EXACT_DENOMINATOR`.
const EXACT_DENOMINATOR: i128 = YEAR_PARTS * RATE_UNITS_PER_WHOLE;

/// The French B2B margin over the ECB rate (C. com. L441-10 II).
const FRENCH_B2B_MARGIN: Rate = Rate::percentage_points(10);
/// The Late Payment Directive margin over the reference rate (art. 2(6)).
const EU_MARGIN: Rate = Rate::percentage_points(8);
/// § 288 (2) BGB: no consumer party.
const GERMAN_B2B_MARGIN: Rate = Rate::percentage_points(9);
/// § 288 (1) BGB.
const GERMAN_B2C_MARGIN: Rate = Rate::percentage_points(5);
/// C. mon. fin. L313-3.
const POST_JUDGMENT_INCREASE: Rate = Rate::percentage_points(5);
/// The French B2B contract rate may not be below this many times the legal rate.
const FLOOR_TIMES_LEGAL_RATE: u32 = 3;

/// An amount of money held exactly, in fractions of the currency's minor unit: interest before
/// it is rounded.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct ExactAmount {
    /// Minor units × `EXACT_DENOMINATOR`.
    numerator: i128,
    currency: Currency,
}

impl ExactAmount {
    pub fn zero(currency: Currency) -> ExactAmount {
        ExactAmount {
            numerator: 0,
            currency,
        }
    }

    /// `money`, exactly.
    pub fn from_money(money: Money) -> ExactAmount {
        ExactAmount {
            numerator: i128::from(money.minor()) * EXACT_DENOMINATOR,
            currency: money.currency(),
        }
    }

    pub fn currency(&self) -> Currency {
        self.currency
    }

    pub fn is_zero(&self) -> bool {
        self.numerator == 0
    }

    pub fn is_negative(&self) -> bool {
        self.numerator < 0
    }

    /// Rounded to the minor unit, half away from zero.
    pub fn rounded(&self) -> Result<Money, MoneyError> {
        let minor = divide_half_away_from_zero(self.numerator, EXACT_DENOMINATOR);
        let minor = i64::try_from(minor).map_err(|_| MoneyError::Overflow)?;
        Ok(Money::from_minor(minor, self.currency))
    }

    /// The amount with `decimals` decimals (at least the currency's), rounded half away from
    /// zero at the last one shown: `119.1781`. For showing the work; never for adding up.
    pub fn to_decimal_string(&self, decimals: u8) -> String {
        let exponent = self.currency.exponent();
        let decimals = decimals.max(exponent);
        let extra = u32::from(decimals - exponent);
        let scaled = divide_half_away_from_zero(
            self.numerator.saturating_mul(10_i128.pow(extra)),
            EXACT_DENOMINATOR,
        );
        let sign = if scaled < 0 { "-" } else { "" };
        let magnitude = scaled.unsigned_abs();
        if decimals == 0 {
            return format!("{sign}{magnitude}");
        }
        let scale = 10_u128.pow(u32::from(decimals));
        format!(
            "{sign}{}.{:0width$}",
            magnitude / scale,
            magnitude % scale,
            width = usize::from(decimals)
        )
    }

    pub fn checked_add(self, other: ExactAmount) -> Result<ExactAmount, MoneyError> {
        if self.currency != other.currency {
            return Err(MoneyError::CurrencyMismatch {
                left: self.currency,
                right: other.currency,
            });
        }
        let numerator = self
            .numerator
            .checked_add(other.numerator)
            .ok_or(MoneyError::Overflow)?;
        Ok(ExactAmount {
            numerator,
            currency: self.currency,
        })
    }

    pub fn checked_sub(self, other: ExactAmount) -> Result<ExactAmount, MoneyError> {
        let negated = ExactAmount {
            numerator: other.numerator.checked_neg().ok_or(MoneyError::Overflow)?,
            currency: other.currency,
        };
        self.checked_add(negated)
    }
}

impl fmt::Debug for ExactAmount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} (exact)",
            self.to_decimal_string(self.currency.exponent() + 4),
            self.currency
        )
    }
}

fn divide_half_away_from_zero(numerator: i128, denominator: i128) -> i128 {
    debug_assert!(denominator > 0);
    let quotient = numerator / denominator;
    let remainder = numerator % denominator;
    if remainder.unsigned_abs() * 2 >= denominator.unsigned_abs() {
        quotient + numerator.signum()
    } else {
        quotient
    }
}

/// A payment received on a claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClaimPayment {
    /// The day the funds were made available to the creditor: interest runs through it.
    pub paid_on: Date,
    pub amount: Money,
}

/// One invoice as the late-payment rules see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    /// The amount interest is computed on: the invoice's amount including VAT unless the terms
    /// of sale say otherwise (LAW.md C5).
    pub principal: Money,
    pub due_on: Date,
    /// The formal notice (mise en demeure): where `fr-b2c` and `de-b2c` interest starts.
    pub formal_notice_on: Option<Date>,
    /// The day a money judgment became enforceable and was served: the post-judgment increase
    /// of the French legal rate runs from two months later. Only `fr-b2c` (legal interest)
    /// knows the increase; the other rule sets ignore this date.
    pub judgment_enforceable_on: Option<Date>,
    /// In any order.
    pub payments: Vec<ClaimPayment>,
}

impl Claim {
    pub fn new(principal: Money, due_on: Date) -> Claim {
        Claim {
            principal,
            due_on,
            formal_notice_on: None,
            judgment_enforceable_on: None,
            payments: Vec::new(),
        }
    }

    pub fn with_payment(mut self, paid_on: Date, amount: Money) -> Claim {
        self.payments.push(ClaimPayment { paid_on, amount });
        self
    }

    pub fn with_formal_notice(self, formal_notice_on: Date) -> Claim {
        Claim {
            formal_notice_on: Some(formal_notice_on),
            ..self
        }
    }

    pub fn with_judgment(self, judgment_enforceable_on: Date) -> Claim {
        Claim {
            judgment_enforceable_on: Some(judgment_enforceable_on),
            ..self
        }
    }
}

/// Where a period's rate comes from, for the line-by-line explanation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateBasis {
    /// The ECB MRO rate in force on `reference_on` (the half-year's first day) plus a margin:
    /// French B2B (10 points) and the EU Directive (8 points).
    EcbRatePlusMargin {
        reference_on: Date,
        ecb_rate: Rate,
        margin: Rate,
    },
    /// The German base rate of the half-year plus 9 or 5 points.
    GermanBaseRatePlusMargin { base_rate: Rate, margin: Rate },
    /// The French legal interest rate of the semester in `category`, plus the post-judgment
    /// increase when it runs.
    FrenchLegalRate {
        category: LegalRateCategory,
        legal_rate: Rate,
        judgment_increase: Option<Rate>,
    },
    /// The rate the contract states.
    Contract,
    /// `times` the French legal rate ("all other cases"), as the contract states.
    ContractTimesLegalRate { times: u32, legal_rate: Rate },
    /// Three times the French legal rate ("all other cases"), applied as the B2B floor.
    ThreeTimesLegalRate { legal_rate: Rate },
}

/// One run of days at one rate on one base.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InterestPeriod {
    /// First day counted.
    pub from: Date,
    /// Last day counted.
    pub to: Date,
    pub days: i32,
    pub half_year: HalfYear,
    /// The annual rate applied, in percent.
    pub rate: Rate,
    pub basis: RateBasis,
    /// Days in the year the period is divided by (365, or 366 with `Actual366InLeapYears`).
    pub year_days: i16,
    /// The amount interest ran on.
    pub base: Money,
    /// The period's share of the rounded interest (see the module documentation): the
    /// periods' figures add up exactly to `LateInterest::interest`.
    pub interest: Money,
    /// The period's interest before any rounding.
    pub exact_interest: ExactAmount,
}

/// How one payment was imputed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PaymentImputation {
    pub paid_on: Date,
    pub amount: Money,
    pub to_interest: Money,
    pub to_principal: Money,
    pub to_indemnity: Money,
}

/// Something a person should know about a figure; some need a decision before it is claimed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Remark {
    /// A French B2B contract rate is below three times the legal rate of a semester.
    ContractRateBelowFloor {
        half_year: HalfYear,
        contract_rate: Rate,
        floor: Rate,
        /// The rate computed with, as `policy` decided.
        applied: Rate,
        policy: BelowFloorPolicy,
    },
    /// The French B2B statutory rate was below three times the legal rate and was raised to it
    /// (`StatutoryRateFloor::ThreeTimesLegalRate`).
    StatutoryRateRaisedToFloor {
        half_year: HalfYear,
        statutory_rate: Rate,
        floor: Rate,
    },
    /// The rule set runs interest from a formal notice and there is none yet.
    NoFormalNotice,
}

impl Remark {
    /// Whether a person must look at the figure before it is claimed.
    pub fn needs_review(&self) -> bool {
        matches!(
            self,
            Remark::ContractRateBelowFloor {
                policy: BelowFloorPolicy::FlagForReview,
                ..
            }
        )
    }

    /// One sentence for a collector, in `language`.
    pub fn describe(&self, language: Language) -> String {
        match (self, language) {
            (
                Remark::ContractRateBelowFloor {
                    half_year,
                    contract_rate,
                    floor,
                    applied,
                    policy,
                },
                Language::French,
            ) => {
                let outcome = match policy {
                    BelowFloorPolicy::FlagForReview => {
                        "calcul au taux contractuel, à vérifier avant toute réclamation".to_owned()
                    }
                    BelowFloorPolicy::ApplyFloor => {
                        "calcul à trois fois le taux de l'intérêt légal".to_owned()
                    }
                    BelowFloorPolicy::ApplyStatutoryRate => format!(
                        "calcul au taux supplétif (BCE + 10 points) de {} %",
                        applied.to_french_string()
                    ),
                };
                format!(
                    "{} : le taux contractuel de {} % est inférieur à trois fois le taux de l'intérêt légal ({} %) ; {outcome}",
                    semester_fr(*half_year),
                    contract_rate.to_french_string(),
                    floor.to_french_string()
                )
            }
            (
                Remark::ContractRateBelowFloor {
                    half_year,
                    contract_rate,
                    floor,
                    applied,
                    policy,
                },
                Language::English,
            ) => {
                let outcome = match policy {
                    BelowFloorPolicy::FlagForReview => {
                        "computed at the contract rate, to be reviewed before it is claimed"
                            .to_owned()
                    }
                    BelowFloorPolicy::ApplyFloor => {
                        "computed at three times the legal rate".to_owned()
                    }
                    BelowFloorPolicy::ApplyStatutoryRate => {
                        format!("computed at the statutory rate of {applied}%")
                    }
                };
                format!(
                    "{half_year}: the contract rate of {contract_rate}% is below three times the legal interest rate ({floor}%); {outcome}"
                )
            }
            (
                Remark::StatutoryRateRaisedToFloor {
                    half_year,
                    statutory_rate,
                    floor,
                },
                Language::French,
            ) => format!(
                "{} : trois fois le taux de l'intérêt légal ({} %) dépasse le taux supplétif ({} %) et s'applique à sa place",
                semester_fr(*half_year),
                floor.to_french_string(),
                statutory_rate.to_french_string()
            ),
            (
                Remark::StatutoryRateRaisedToFloor {
                    half_year,
                    statutory_rate,
                    floor,
                },
                Language::English,
            ) => format!(
                "{half_year}: three times the legal interest rate ({floor}%) is above the statutory rate ({statutory_rate}%) and applies instead"
            ),
            (Remark::NoFormalNotice, Language::French) => {
                "aucune mise en demeure : les intérêts ne courent qu'à compter de celle-ci"
                    .to_owned()
            }
            (Remark::NoFormalNotice, Language::English) => {
                "no formal notice yet: interest runs only from one".to_owned()
            }
        }
    }
}

fn semester_fr(half_year: HalfYear) -> String {
    match half_year.half() {
        Half::First => format!("1er semestre {}", half_year.year()),
        Half::Second => format!("2e semestre {}", half_year.year()),
    }
}

/// What is still owed on a claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Balance {
    pub principal: Money,
    pub interest: Money,
    pub indemnity: Money,
    pub total: Money,
}

/// The late-payment interest of one invoice through a day, with everything needed to explain it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LateInterest {
    pub jurisdiction: Jurisdiction,
    pub until: Date,
    /// The first day interest counts for; `None` while it has not started (no formal notice).
    pub interest_starts_on: Option<Date>,
    pub principal: Money,
    /// Interest accrued through `until`, rounded (see the module documentation).
    pub interest: Money,
    /// The fixed recovery indemnity owed, or zero.
    pub indemnity: Money,
    /// `principal + interest + indemnity`, before payments.
    pub total: Money,
    /// Sum of the payments received through `until`.
    pub paid: Money,
    /// What is still owed: `total - paid`, split.
    pub balance: Balance,
    pub periods: Vec<InterestPeriod>,
    /// Each payment in date order, and where it went.
    pub payments: Vec<PaymentImputation>,
    pub remarks: Vec<Remark>,
}

impl LateInterest {
    /// Whether a remark asks for a person's decision before the figure is claimed.
    pub fn needs_review(&self) -> bool {
        self.remarks.iter().any(Remark::needs_review)
    }

    /// The interest before any rounding: the sum of the periods' exact interest.
    pub fn exact_interest(&self) -> ExactAmount {
        self.periods.iter().fold(
            ExactAmount::zero(self.principal.currency()),
            |sum, period| {
                sum.checked_add(period.exact_interest)
                    .expect("the periods were added up once already")
            },
        )
    }
}

/// Why late interest cannot be computed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LatePaymentError {
    #[error(
        "the ECB rate on {on} is not in the rate table (it covers {known_from} to {known_through})"
    )]
    EcbRateUnknown {
        on: Date,
        known_from: Date,
        known_through: Date,
    },
    #[error("the French legal interest rate ({category}) for {half_year} is not in the rate table")]
    LegalRateUnknown {
        half_year: HalfYear,
        category: LegalRateCategory,
    },
    #[error("the German base rate for {half_year} is not in the rate table")]
    GermanBaseRateUnknown { half_year: HalfYear },
    #[error("the principal must be positive (got {principal})")]
    PrincipalNotPositive { principal: Money },
    #[error("the payment of {paid_on} must be positive (got {amount})")]
    PaymentNotPositive { paid_on: Date, amount: Money },
    #[error("an amount in {found} on a claim in {expected}")]
    CurrencyMismatch { expected: Currency, found: Currency },
    #[error("the payment of {paid_on} is after the computation date {until}")]
    PaymentAfterUntil { paid_on: Date, until: Date },
    #[error("the payment of {paid_on} is {excess} more than everything owed")]
    Overpaid { paid_on: Date, excess: Money },
    #[error(
        "{jurisdiction} has a fixed indemnity in euros and cannot apply to a claim in {currency}"
    )]
    IndemnityNeedsEuro {
        jurisdiction: Jurisdiction,
        currency: Currency,
    },
    #[error("{jurisdiction} takes no contract rate (use fr-b2b, or contract:RATE)")]
    ContractRateNotApplicable { jurisdiction: Jurisdiction },
    #[error("the rate for {half_year} would be negative ({rate}%)")]
    NegativeRate { half_year: HalfYear, rate: Rate },
    #[error("a date is outside the calendar")]
    DateOutOfRange,
    #[error("the amounts are too large to compute with")]
    Overflow,
}

impl From<MoneyError> for LatePaymentError {
    fn from(error: MoneyError) -> LatePaymentError {
        match error {
            MoneyError::CurrencyMismatch { left, right } => LatePaymentError::CurrencyMismatch {
                expected: left,
                found: right,
            },
            _ => LatePaymentError::Overflow,
        }
    }
}

/// The late-payment interest and indemnity of `claim` under `terms`, counting days through
/// `until` (for what is still unpaid) and every payment made through it.
pub fn late_interest(
    claim: &Claim,
    terms: &LatePaymentTerms,
    until: Date,
    tables: &RateTables,
    settings: &LatePaymentSettings,
) -> Result<LateInterest, LatePaymentError> {
    let jurisdiction = terms.jurisdiction;
    let currency = claim.principal.currency();
    check_claim(claim, terms, until)?;

    let mut payments = claim.payments.clone();
    payments.sort_by_key(|payment| payment.paid_on);

    let indemnity = match jurisdiction.recovery_indemnity() {
        Some(indemnity) if until > claim.due_on && unpaid_after_due_date(claim)? => indemnity,
        _ => Money::zero(currency),
    };

    // The day after which interest runs. A notice sent before the due date cannot start
    // interest on a sum not yet due.
    let accrual_after = match jurisdiction.interest_start() {
        InterestStart::DayAfterDueDate => Some(claim.due_on),
        InterestStart::DayAfterFormalNotice => claim
            .formal_notice_on
            .map(|notice_on| notice_on.max(claim.due_on)),
    };
    let increase_from = match (jurisdiction, claim.judgment_enforceable_on) {
        (Jurisdiction::FrB2c, Some(enforceable_on)) => {
            increase_start(enforceable_on, settings.post_judgment_increase)?
        }
        _ => None,
    };

    let mut remarks = Vec::new();
    if accrual_after.is_none() {
        remarks.push(Remark::NoFormalNotice);
    }
    let mut schedule = RateSchedule {
        terms,
        tables,
        settings,
        known: Vec::new(),
    };
    let mut ledger = Ledger::new(claim.principal, indemnity, settings.payment_order);
    let mut periods = Vec::new();
    let mut imputations = Vec::with_capacity(payments.len());
    let mut pending = payments.iter().peekable();
    let interest_starts_on = match accrual_after {
        Some(after) => Some(
            after
                .tomorrow()
                .map_err(|_| LatePaymentError::DateOutOfRange)?,
        ),
        None => None,
    };

    if let (Some(after), Some(first_day)) = (accrual_after, interest_starts_on) {
        while let Some(payment) = pending.next_if(|payment| payment.paid_on <= after) {
            imputations.push(ledger.apply(payment)?);
        }
        let mut current = first_day;
        while current <= until && ledger.principal.is_positive() {
            let half_year = HalfYear::containing(current);
            let mut end = until.min(half_year.end());
            if let Some(payment) = pending.peek() {
                end = end.min(payment.paid_on);
            }
            if let Some(from) = increase_from
                && current < from
                && from <= end
            {
                end = from
                    .yesterday()
                    .map_err(|_| LatePaymentError::DateOutOfRange)?;
            }
            let increased = increase_from.is_some_and(|from| current >= from);
            let (rate, basis) = schedule.rate(half_year, increased, &mut remarks)?;
            if rate.is_negative() {
                return Err(LatePaymentError::NegativeRate { half_year, rate });
            }
            let days = (end - current).get_days() + 1;
            let year_days = year_days(settings.day_count, half_year);
            let exact_interest = accrue(ledger.principal, rate, days, year_days)?;
            let interest = ledger.accrue(exact_interest)?;
            periods.push(InterestPeriod {
                from: current,
                to: end,
                days,
                half_year,
                rate,
                basis,
                year_days,
                base: ledger.principal,
                interest,
                exact_interest,
            });
            while let Some(payment) = pending.next_if(|payment| payment.paid_on == end) {
                imputations.push(ledger.apply(payment)?);
            }
            if end >= until {
                break;
            }
            current = end
                .tomorrow()
                .map_err(|_| LatePaymentError::DateOutOfRange)?;
        }
    }
    // Payments after the principal was settled, or while interest has not started.
    for payment in pending {
        imputations.push(ledger.apply(payment)?);
    }
    ledger.close_run()?;

    let interest = ledger.interest_charged;
    let total = claim
        .principal
        .checked_add(interest)?
        .checked_add(indemnity)?;
    let paid = payments
        .iter()
        .try_fold(Money::zero(currency), |sum, payment| {
            sum.checked_add(payment.amount)
        })?;
    let balance = ledger.balance()?;
    assert_eq!(
        total.checked_sub(paid)?,
        balance.total,
        "every payment is imputed to what was owed"
    );
    Ok(LateInterest {
        jurisdiction,
        until,
        interest_starts_on,
        principal: claim.principal,
        interest,
        indemnity,
        total,
        paid,
        balance,
        periods,
        payments: imputations,
        remarks,
    })
}

fn check_claim(
    claim: &Claim,
    terms: &LatePaymentTerms,
    until: Date,
) -> Result<(), LatePaymentError> {
    let currency = claim.principal.currency();
    if !claim.principal.is_positive() {
        return Err(LatePaymentError::PrincipalNotPositive {
            principal: claim.principal,
        });
    }
    if terms.contract_rate.is_some() && terms.jurisdiction != Jurisdiction::FrB2b {
        return Err(LatePaymentError::ContractRateNotApplicable {
            jurisdiction: terms.jurisdiction,
        });
    }
    if terms.jurisdiction.recovery_indemnity().is_some() && currency != Currency::EUR {
        return Err(LatePaymentError::IndemnityNeedsEuro {
            jurisdiction: terms.jurisdiction,
            currency,
        });
    }
    for payment in &claim.payments {
        if payment.amount.currency() != currency {
            return Err(LatePaymentError::CurrencyMismatch {
                expected: currency,
                found: payment.amount.currency(),
            });
        }
        if !payment.amount.is_positive() {
            return Err(LatePaymentError::PaymentNotPositive {
                paid_on: payment.paid_on,
                amount: payment.amount,
            });
        }
        if payment.paid_on > until {
            return Err(LatePaymentError::PaymentAfterUntil {
                paid_on: payment.paid_on,
                until,
            });
        }
    }
    Ok(())
}

/// Whether some of the principal was still unpaid at the end of the due date.
fn unpaid_after_due_date(claim: &Claim) -> Result<bool, LatePaymentError> {
    let paid_by_due_date = claim
        .payments
        .iter()
        .filter(|payment| payment.paid_on <= claim.due_on)
        .try_fold(Money::zero(claim.principal.currency()), |sum, payment| {
            sum.checked_add(payment.amount)
        })?;
    Ok(paid_by_due_date.minor() < claim.principal.minor())
}

/// The first day the post-judgment increase runs, two months after `enforceable_on`.
fn increase_start(
    enforceable_on: Date,
    increase: PostJudgmentIncrease,
) -> Result<Option<Date>, LatePaymentError> {
    let anniversary = || {
        enforceable_on
            .checked_add(Span::new().months(2))
            .map_err(|_| LatePaymentError::DateOutOfRange)
    };
    match increase {
        PostJudgmentIncrease::NotApplied => Ok(None),
        PostJudgmentIncrease::FromTwoMonthAnniversary => Ok(Some(anniversary()?)),
        PostJudgmentIncrease::FromDayAfterTwoMonths => Ok(Some(
            anniversary()?
                .tomorrow()
                .map_err(|_| LatePaymentError::DateOutOfRange)?,
        )),
    }
}

fn year_days(day_count: DayCount, half_year: HalfYear) -> i16 {
    match day_count {
        DayCount::Actual365 => 365,
        DayCount::Actual366InLeapYears => half_year.start().days_in_year(),
    }
}

/// `base × rate × days / year_days`, exactly.
fn accrue(
    base: Money,
    rate: Rate,
    days: i32,
    year_days: i16,
) -> Result<ExactAmount, LatePaymentError> {
    let parts_per_day = YEAR_PARTS / i128::from(year_days);
    let numerator = i128::from(base.minor())
        .checked_mul(i128::from(rate.hundredths_of_basis_point()))
        .and_then(|value| value.checked_mul(i128::from(days)))
        .and_then(|value| value.checked_mul(parts_per_day))
        .ok_or(LatePaymentError::Overflow)?;
    Ok(ExactAmount {
        numerator,
        currency: base.currency(),
    })
}

/// What is owed and paid as the days go by.
struct Ledger {
    principal: Money,
    order: PaymentOrder,
    indemnity_owed: Money,
    indemnity_paid: Money,
    /// Interest rounded so far, at payments and at the end.
    interest_charged: Money,
    interest_paid: Money,
    /// Exact interest of the periods since the last rounding.
    run_exact: ExactAmount,
    /// `run_exact` rounded, as shared out among the run's periods so far.
    run_shown: Money,
}

impl Ledger {
    fn new(principal: Money, indemnity: Money, order: PaymentOrder) -> Ledger {
        let currency = principal.currency();
        Ledger {
            principal,
            order,
            indemnity_owed: indemnity,
            indemnity_paid: Money::zero(currency),
            interest_charged: Money::zero(currency),
            interest_paid: Money::zero(currency),
            run_exact: ExactAmount::zero(currency),
            run_shown: Money::zero(currency),
        }
    }

    /// Adds a period's exact interest; returns the period's share of the rounded run.
    fn accrue(&mut self, exact: ExactAmount) -> Result<Money, LatePaymentError> {
        self.run_exact = self.run_exact.checked_add(exact)?;
        let rounded = self.run_exact.rounded()?;
        let share = rounded.checked_sub(self.run_shown)?;
        self.run_shown = rounded;
        Ok(share)
    }

    /// Rounds the interest accrued since the last rounding and adds it to what is owed.
    fn close_run(&mut self) -> Result<(), LatePaymentError> {
        self.interest_charged = self.interest_charged.checked_add(self.run_shown)?;
        self.run_exact = ExactAmount::zero(self.principal.currency());
        self.run_shown = Money::zero(self.principal.currency());
        Ok(())
    }

    fn unpaid_interest(&self) -> Result<Money, LatePaymentError> {
        Ok(self.interest_charged.checked_sub(self.interest_paid)?)
    }

    fn apply(&mut self, payment: &ClaimPayment) -> Result<PaymentImputation, LatePaymentError> {
        let zero = Money::zero(self.principal.currency());
        let mut rest = payment.amount;
        let (to_interest, to_principal) = match self.order {
            PaymentOrder::InterestFirst => {
                self.close_run()?;
                let to_interest = smaller(rest, self.unpaid_interest()?);
                rest = rest.checked_sub(to_interest)?;
                let to_principal = smaller(rest, self.principal);
                rest = rest.checked_sub(to_principal)?;
                (to_interest, to_principal)
            }
            PaymentOrder::PrincipalFirst => {
                let to_principal = smaller(rest, self.principal);
                rest = rest.checked_sub(to_principal)?;
                let mut to_interest = zero;
                if rest.is_positive() {
                    // The principal is settled, so no interest accrues any more: this
                    // rounding is the last one.
                    self.close_run()?;
                    to_interest = smaller(rest, self.unpaid_interest()?);
                    rest = rest.checked_sub(to_interest)?;
                }
                (to_interest, to_principal)
            }
        };
        let to_indemnity = smaller(rest, self.indemnity_owed.checked_sub(self.indemnity_paid)?);
        rest = rest.checked_sub(to_indemnity)?;
        if rest.is_positive() {
            return Err(LatePaymentError::Overpaid {
                paid_on: payment.paid_on,
                excess: rest,
            });
        }
        self.interest_paid = self.interest_paid.checked_add(to_interest)?;
        self.principal = self.principal.checked_sub(to_principal)?;
        self.indemnity_paid = self.indemnity_paid.checked_add(to_indemnity)?;
        Ok(PaymentImputation {
            paid_on: payment.paid_on,
            amount: payment.amount,
            to_interest,
            to_principal,
            to_indemnity,
        })
    }

    fn balance(&self) -> Result<Balance, LatePaymentError> {
        let interest = self.unpaid_interest()?;
        let indemnity = self.indemnity_owed.checked_sub(self.indemnity_paid)?;
        let total = self
            .principal
            .checked_add(interest)?
            .checked_add(indemnity)?;
        Ok(Balance {
            principal: self.principal,
            interest,
            indemnity,
            total,
        })
    }
}

/// The rate of each half-year under one set of terms, looked up once per half-year.
struct RateSchedule<'a> {
    terms: &'a LatePaymentTerms,
    tables: &'a RateTables,
    settings: &'a LatePaymentSettings,
    known: Vec<((HalfYear, bool), (Rate, RateBasis))>,
}

impl RateSchedule<'_> {
    fn rate(
        &mut self,
        half_year: HalfYear,
        increased: bool,
        remarks: &mut Vec<Remark>,
    ) -> Result<(Rate, RateBasis), LatePaymentError> {
        if let Some((_, known)) = self
            .known
            .iter()
            .find(|(key, _)| *key == (half_year, increased))
        {
            return Ok(*known);
        }
        let found = self.look_up(half_year, increased, remarks)?;
        self.known.push(((half_year, increased), found));
        Ok(found)
    }

    fn look_up(
        &self,
        half_year: HalfYear,
        increased: bool,
        remarks: &mut Vec<Remark>,
    ) -> Result<(Rate, RateBasis), LatePaymentError> {
        match self.terms.jurisdiction {
            Jurisdiction::FrB2b => self.french_b2b(half_year, remarks),
            Jurisdiction::FrB2c => {
                let category = self.terms.creditor.legal_rate_category();
                let legal_rate = self.tables.french_legal.rate(half_year, category)?.rate;
                let judgment_increase = increased.then_some(POST_JUDGMENT_INCREASE);
                let rate = add(legal_rate, judgment_increase.unwrap_or(Rate::ZERO))?;
                Ok((
                    rate,
                    RateBasis::FrenchLegalRate {
                        category,
                        legal_rate,
                        judgment_increase,
                    },
                ))
            }
            Jurisdiction::DeB2b => self.german(half_year, GERMAN_B2B_MARGIN),
            Jurisdiction::DeB2c => self.german(half_year, GERMAN_B2C_MARGIN),
            Jurisdiction::Eu => self.ecb_plus(half_year, EU_MARGIN),
            Jurisdiction::Contract(rate) => Ok((rate, RateBasis::Contract)),
        }
    }

    fn ecb_plus(
        &self,
        half_year: HalfYear,
        margin: Rate,
    ) -> Result<(Rate, RateBasis), LatePaymentError> {
        let ecb_rate = self.tables.ecb.reference_rate(half_year)?.rate;
        Ok((
            add(ecb_rate, margin)?,
            RateBasis::EcbRatePlusMargin {
                reference_on: half_year.start(),
                ecb_rate,
                margin,
            },
        ))
    }

    fn german(
        &self,
        half_year: HalfYear,
        margin: Rate,
    ) -> Result<(Rate, RateBasis), LatePaymentError> {
        let base_rate = self.tables.german_base.rate(half_year)?.rate;
        Ok((
            add(base_rate, margin)?,
            RateBasis::GermanBaseRatePlusMargin { base_rate, margin },
        ))
    }

    /// The French B2B rate: only the tables a case needs are read, so a semester whose legal
    /// rate is not published yet does not block a contract-less invoice.
    fn french_b2b(
        &self,
        half_year: HalfYear,
        remarks: &mut Vec<Remark>,
    ) -> Result<(Rate, RateBasis), LatePaymentError> {
        let floor = || -> Result<(Rate, Rate), LatePaymentError> {
            let legal_rate = self
                .tables
                .french_legal
                .rate(half_year, LegalRateCategory::AllOtherCases)?
                .rate;
            let floor = legal_rate
                .checked_times(FLOOR_TIMES_LEGAL_RATE)
                .ok_or(LatePaymentError::Overflow)?;
            Ok((legal_rate, floor))
        };
        let Some(contract_rate) = self.terms.contract_rate else {
            let statutory = self.ecb_plus(half_year, FRENCH_B2B_MARGIN)?;
            return match self.settings.statutory_rate_floor {
                StatutoryRateFloor::NotApplied => Ok(statutory),
                StatutoryRateFloor::ThreeTimesLegalRate => {
                    let (legal_rate, floor) = floor()?;
                    if floor > statutory.0 {
                        remarks.push(Remark::StatutoryRateRaisedToFloor {
                            half_year,
                            statutory_rate: statutory.0,
                            floor,
                        });
                        Ok((floor, RateBasis::ThreeTimesLegalRate { legal_rate }))
                    } else {
                        Ok(statutory)
                    }
                }
            };
        };
        let (legal_rate, floor) = floor()?;
        let contract = match contract_rate {
            ContractRate::Fixed(rate) => (rate, RateBasis::Contract),
            ContractRate::TimesLegalRate(times) => (
                legal_rate
                    .checked_times(times)
                    .ok_or(LatePaymentError::Overflow)?,
                RateBasis::ContractTimesLegalRate { times, legal_rate },
            ),
        };
        if contract.0 >= floor {
            return Ok(contract);
        }
        let policy = self.settings.below_floor;
        let applied = match policy {
            BelowFloorPolicy::FlagForReview => contract,
            BelowFloorPolicy::ApplyFloor => (floor, RateBasis::ThreeTimesLegalRate { legal_rate }),
            BelowFloorPolicy::ApplyStatutoryRate => self.ecb_plus(half_year, FRENCH_B2B_MARGIN)?,
        };
        remarks.push(Remark::ContractRateBelowFloor {
            half_year,
            contract_rate: contract.0,
            floor,
            applied: applied.0,
            policy,
        });
        Ok(applied)
    }
}

/// The smaller of two amounts of the same currency.
fn smaller(left: Money, right: Money) -> Money {
    debug_assert_eq!(left.currency(), right.currency());
    if left.minor() <= right.minor() {
        left
    } else {
        right
    }
}

fn add(rate: Rate, margin: Rate) -> Result<Rate, LatePaymentError> {
    rate.checked_add(margin).ok_or(LatePaymentError::Overflow)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exact(numerator: i128) -> ExactAmount {
        ExactAmount {
            numerator,
            currency: Currency::EUR,
        }
    }

    #[test]
    fn rounding_is_half_away_from_zero() {
        let half_cent = EXACT_DENOMINATOR / 2;
        assert_eq!(exact(half_cent).rounded().unwrap().minor(), 1);
        assert_eq!(exact(half_cent - 1).rounded().unwrap().minor(), 0);
        assert_eq!(exact(-half_cent).rounded().unwrap().minor(), -1);
        assert_eq!(exact(-half_cent + 1).rounded().unwrap().minor(), 0);
    }

    #[test]
    fn exact_amounts_show_extra_decimals() {
        // 10,000 EUR at 14.50 % for 30 days over 365: 43,500 / 365 = 119.178082...
        let amount = accrue(
            Money::from_minor(1_000_000, Currency::EUR),
            Rate::from_basis_points(1450),
            30,
            365,
        )
        .unwrap();
        assert_eq!(amount.to_decimal_string(4), "119.1781");
        assert_eq!(amount.to_decimal_string(2), "119.18");
        assert_eq!(amount.to_decimal_string(0), "119.18");
        assert_eq!(amount.rounded().unwrap().minor(), 11_918);
    }

    #[test]
    fn a_run_shares_its_rounded_total_among_its_periods() {
        let mut ledger = Ledger::new(
            Money::from_minor(1, Currency::EUR),
            Money::zero(Currency::EUR),
            PaymentOrder::InterestFirst,
        );
        let third = EXACT_DENOMINATOR / 3 + 1;
        let shares: Vec<i64> = (0..3)
            .map(|_| ledger.accrue(exact(third)).unwrap().minor())
            .collect();
        assert_eq!(shares, [0, 1, 0]);
        ledger.close_run().unwrap();
        assert_eq!(ledger.interest_charged.minor(), 1);
    }
}
