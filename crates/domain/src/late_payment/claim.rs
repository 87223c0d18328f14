//! What the creditor claims of what the law gives: when penalties and indemnities start being
//! claimed, the waivers granted in a negotiation, and a customer's statement of account with
//! both applied.
//!
//! The law's figures come from `late_interest`, unchanged; this module only decides how much of
//! them is claimed:
//! - `ClaimStart` says from when the creditor claims them at all: never, once the invoice has had
//!   a formal notice, or from the day after the due date (French B2B penalties run without any
//!   reminder, C. com. L441-10 II). Where the law itself runs interest only from a formal notice
//!   (`fr-b2c`, `de-b2c`), "from the due date" means as soon as the law allows.
//! - A `Waiver` gives up all, an amount or a share of the interest, the indemnity or both, on one
//!   invoice or on every invoice of the customer. Waivers apply in the order given (the order
//!   they were granted): a share is of the claimed figure before any waiver, an amount is spent
//!   invoice by invoice in the statement's order (interest before indemnity), and nothing is ever
//!   waived below zero.
//! - Payments go to accrued interest first (C. civ. 1343-1) only on an invoice whose interest is
//!   claimed in full. Where it is not claimed, or a waiver touches it, payments go to the
//!   principal first: a creditor cannot keep a payment against interest it does not claim, and a
//!   waiver never leaves the debtor owing more principal than its payments left.
//! - `ClaimedStatement::with_proven_costs` adds the collection costs the creditor can prove
//!   beyond the fixed indemnities (C. com. L441-10 II: a complementary indemnity, on proof).

use jiff::civil::Date;

use crate::money::{Currency, Money};
use crate::receivable::InvoiceNumber;

use super::interest::{LateInterest, late_interest};
use super::mention::EarlyPaymentDiscount;
use super::rate::Rate;
use super::rules::{CreditorKind, Jurisdiction, LatePaymentSettings, PaymentOrder, coded};
use super::statement::{StatementEntry, StatementError};
use super::tables::RateTables;

/// From when the creditor claims penalties, interest and fixed indemnities.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClaimStart {
    /// Never: the figures are shown as accrued, nothing is claimed.
    Never,
    /// Once the invoice has had a formal notice (mise en demeure); everything accrued since the
    /// law's start is claimed from then on.
    FromFormalNotice,
    /// From the day after the due date, as French B2B law runs them without any reminder. The
    /// default.
    FromDueDate,
}

coded!(ClaimStart {
    Never => "never",
    FromFormalNotice => "formal-notice",
    FromDueDate => "due-date",
});

/// Everything a tenant decides about late payment: the points the law leaves open, from when
/// it claims, who it is, and the early-payment discount its invoices state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LatePaymentPolicy {
    pub settings: LatePaymentSettings,
    pub claim_start: ClaimStart,
    /// Decides the category of the French legal rate (a business, whoever the debtor is).
    pub creditor: CreditorKind,
    pub early_payment_discount: EarlyPaymentDiscount,
}

impl LatePaymentPolicy {
    /// `LatePaymentSettings::french_defaults`, claimed from the due date, a business creditor,
    /// no early-payment discount.
    pub fn french_defaults() -> LatePaymentPolicy {
        LatePaymentPolicy {
            settings: LatePaymentSettings::french_defaults(),
            claim_start: ClaimStart::FromDueDate,
            creditor: CreditorKind::Business,
            early_payment_discount: EarlyPaymentDiscount::NotOffered,
        }
    }
}

/// Hundredths of a percent in a whole.
const SHARE_UNITS: i64 = 10_000;

/// A share of an amount, exact to a hundredth of a percent: more than 0 %, at most 100 %.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Share {
    hundredths_of_percent: u16,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{text:?} is not a share (expected a percentage above 0 and at most 100, with two decimals at most, such as 50 or 12.5)"
)]
pub struct ShareError {
    pub text: String,
}

impl Share {
    /// Reads a percentage as `Rate` reads it (`50`, `12,5 %`), with two decimals at most.
    pub fn parse(text: &str) -> Result<Share, ShareError> {
        let invalid = || ShareError {
            text: text.to_owned(),
        };
        let units = Rate::parse(text)
            .map_err(|_| invalid())?
            .hundredths_of_basis_point();
        // A rate is held in hundredths of a basis point; a share in hundredths of a percent.
        if units % 100 != 0 || units <= 0 || units > SHARE_UNITS * 100 {
            return Err(invalid());
        }
        let hundredths_of_percent = u16::try_from(units / 100).map_err(|_| invalid())?;
        Ok(Share {
            hundredths_of_percent,
        })
    }

    pub fn from_hundredths_of_percent(units: u16) -> Option<Share> {
        (1..=SHARE_UNITS)
            .contains(&i64::from(units))
            .then_some(Share {
                hundredths_of_percent: units,
            })
    }

    pub fn hundredths_of_percent(&self) -> u16 {
        self.hundredths_of_percent
    }

    /// This share of `money`, rounded to the minor unit half away from zero.
    pub fn of(&self, money: Money) -> Money {
        let product = i128::from(money.minor()) * i128::from(self.hundredths_of_percent);
        let divisor = i128::from(SHARE_UNITS);
        let mut minor = product / divisor;
        if (product % divisor).abs() * 2 >= divisor {
            minor += product.signum();
        }
        let minor = i64::try_from(minor).expect("a share of an amount is no larger than it");
        Money::from_minor(minor, money.currency())
    }

    /// The percentage as people write it: `50`, `12.5`, `33.33`.
    pub fn to_percent_string(&self) -> String {
        let whole = self.hundredths_of_percent / 100;
        match self.hundredths_of_percent % 100 {
            0 => whole.to_string(),
            fraction if fraction % 10 == 0 => format!("{whole}.{}", fraction / 10),
            fraction => format!("{whole}.{fraction:02}"),
        }
    }
}

/// How much of the charges a waiver gives up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WaiverExtent {
    Full,
    /// At most this amount, over every invoice the waiver covers.
    Amount(Money),
    /// This share of each figure it covers.
    Share(Share),
}

/// Which charges a waiver gives up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WaivedCharges {
    Interest,
    Indemnity,
    Both,
}

coded!(WaivedCharges {
    Interest => "interest",
    Indemnity => "indemnity",
    Both => "both",
});

impl WaivedCharges {
    fn covers_interest(&self) -> bool {
        matches!(self, WaivedCharges::Interest | WaivedCharges::Both)
    }

    fn covers_indemnity(&self) -> bool {
        matches!(self, WaivedCharges::Indemnity | WaivedCharges::Both)
    }
}

/// Charges a creditor gives up on one invoice, or on every invoice of the customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waiver {
    /// `None`: every invoice of the customer.
    pub invoice: Option<InvoiceNumber>,
    pub extent: WaiverExtent,
    pub charges: WaivedCharges,
}

impl Waiver {
    fn covers(&self, invoice: &InvoiceNumber) -> bool {
        self.invoice.as_ref().is_none_or(|number| number == invoice)
    }
}

/// Whether an invoice's charges are claimed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClaimStatus {
    Claimed,
    /// The creditor claims from the formal notice and the invoice has had none yet.
    AwaitingFormalNotice,
    /// The creditor never claims them.
    NotClaimed,
}

/// One invoice's figures: what the law gives, what is claimed of it, what is still owed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimedLine {
    pub invoice: InvoiceNumber,
    pub due_on: Date,
    pub status: ClaimStatus,
    /// The law's figures, with payments imputed as the module documentation says.
    pub late_interest: LateInterest,
    pub interest_waived: Money,
    pub indemnity_waived: Money,
    /// Claimed after waivers: zero unless `status` is `Claimed`.
    pub interest_claimed: Money,
    pub indemnity_claimed: Money,
    /// Still owed: principal left, claimed interest and indemnity not yet paid.
    pub due_principal: Money,
    pub due_interest: Money,
    pub due_indemnity: Money,
    pub due: Money,
    /// Payments beyond everything claimed (only when they went to charges since waived or not
    /// claimed); owed back to the customer or to be applied elsewhere.
    pub overpaid: Money,
}

impl ClaimedLine {
    /// `principal + interest_claimed + indemnity_claimed`.
    pub fn claimed_total(&self) -> Money {
        self.late_interest
            .principal
            .checked_add(self.interest_claimed)
            .and_then(|sum| sum.checked_add(self.indemnity_claimed))
            .expect("added up once already")
    }
}

/// Sums over a claimed statement's invoices.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClaimedTotals {
    pub principal: Money,
    pub interest_accrued: Money,
    pub interest_waived: Money,
    pub interest_claimed: Money,
    pub indemnity_accrued: Money,
    pub indemnity_waived: Money,
    pub indemnity_claimed: Money,
    /// The complementary indemnity for proven collection costs (`ProvenCosts::claimed`).
    pub costs_claimed: Money,
    /// `principal + interest_claimed + indemnity_claimed + costs_claimed`.
    pub claimed: Money,
    pub paid: Money,
    pub due: Money,
    pub overpaid: Money,
}

/// What one waiver took off, over the whole statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WaiverEffect {
    pub interest: Money,
    pub indemnity: Money,
}

/// A customer's statement of account as claimed: each invoice with the law's figures, the
/// claim policy and the waivers applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimedStatement {
    pub as_of: Date,
    pub currency: Currency,
    /// In the order the entries were given.
    pub lines: Vec<ClaimedLine>,
    pub totals: ClaimedTotals,
    /// One per waiver given, in the same order.
    pub waivers: Vec<WaiverEffect>,
    /// `None` until `with_proven_costs` is given some.
    pub costs: Option<ProvenCosts>,
}

/// Collection costs the creditor proves (a bailiff's or a lawyer's fees, say), as a statement
/// claims them: only what exceeds the fixed indemnities the law gives on its claimed invoices
/// (C. com. L441-10 II, "une indemnisation complémentaire, sur justification"), never from a
/// debtor whose rule set has no fixed indemnity (a consumer: collection costs stay with the
/// creditor, CPCE L111-8), and only once the statement claims charges at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProvenCosts {
    pub proven: Money,
    /// The fixed indemnities the law gives on the claimed invoices, before waivers: they already
    /// compensate this much of the costs (a waiver of them is not made up for by the costs).
    pub covered_by_indemnities: Money,
    pub claimed: Money,
    /// Why nothing is claimed, where nothing is.
    pub not_claimed: Option<CostsNotClaimed>,
}

/// Why proven costs are not claimed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CostsNotClaimed {
    /// The customer's rule set has no fixed indemnity, so no complementary one either.
    RuleSetWithoutIndemnity,
    /// No invoice of the statement has its charges claimed (policy, or no formal notice yet).
    ChargesNotClaimed,
    /// The fixed indemnities cover them.
    CoveredByIndemnities,
}

impl ClaimedStatement {
    /// Whether any invoice has a figure a person must review before it is claimed.
    pub fn needs_review(&self) -> bool {
        self.lines
            .iter()
            .any(|line| line.late_interest.needs_review())
    }

    /// The statement with `proven` collection costs claimed under `jurisdiction`, the
    /// customer's rule set, as `ProvenCosts` says. Replaces any costs given before.
    pub fn with_proven_costs(
        mut self,
        proven: Money,
        jurisdiction: Jurisdiction,
    ) -> Result<ClaimedStatement, StatementError> {
        if proven.currency() != self.currency {
            return Err(StatementError::CostsCurrencyMismatch {
                expected: self.currency,
                found: proven.currency(),
            });
        }
        let zero = Money::zero(self.currency);
        let mut covered = zero;
        for line in &self.lines {
            if line.status == ClaimStatus::Claimed {
                covered = covered
                    .checked_add(line.indemnity_claimed)?
                    .checked_add(line.indemnity_waived)?;
            }
        }
        let any_claimed = self
            .lines
            .iter()
            .any(|line| line.status == ClaimStatus::Claimed);
        let beyond = at_least_zero(proven.checked_sub(covered)?);
        let not_claimed = if jurisdiction.recovery_indemnity().is_none() {
            Some(CostsNotClaimed::RuleSetWithoutIndemnity)
        } else if !any_claimed {
            Some(CostsNotClaimed::ChargesNotClaimed)
        } else if beyond.is_zero() {
            Some(CostsNotClaimed::CoveredByIndemnities)
        } else {
            None
        };
        let claimed = if not_claimed.is_none() { beyond } else { zero };
        if let Some(before) = self.costs.take() {
            self.totals.costs_claimed = self.totals.costs_claimed.checked_sub(before.claimed)?;
            self.totals.claimed = self.totals.claimed.checked_sub(before.claimed)?;
            self.totals.due = self.totals.due.checked_sub(before.claimed)?;
        }
        self.totals.costs_claimed = self.totals.costs_claimed.checked_add(claimed)?;
        self.totals.claimed = self.totals.claimed.checked_add(claimed)?;
        self.totals.due = self.totals.due.checked_add(claimed)?;
        self.costs = Some(ProvenCosts {
            proven,
            covered_by_indemnities: covered,
            claimed,
            not_claimed,
        });
        Ok(self)
    }
}

/// The statement of account of one customer's `entries` as of `as_of`, claimed as `policy` says
/// and with `waivers` applied in their order. Each invoice is computed and rounded on its own
/// (LAW.md C4); the totals are sums of rounded figures.
pub fn claimed_statement(
    currency: Currency,
    entries: &[StatementEntry],
    as_of: Date,
    tables: &RateTables,
    policy: &LatePaymentPolicy,
    waivers: &[Waiver],
) -> Result<ClaimedStatement, StatementError> {
    let zero = Money::zero(currency);
    for waiver in waivers {
        if let WaiverExtent::Amount(amount) = waiver.extent
            && amount.currency() != currency
        {
            return Err(StatementError::WaiverCurrencyMismatch {
                expected: currency,
                found: amount.currency(),
            });
        }
    }

    let mut computed = Vec::with_capacity(entries.len());
    for entry in entries {
        let found = entry.claim.principal.currency();
        if found != currency {
            return Err(StatementError::CurrencyMismatch {
                invoice: entry.invoice.clone(),
                expected: currency,
                found,
            });
        }
        let status = match policy.claim_start {
            ClaimStart::Never => ClaimStatus::NotClaimed,
            ClaimStart::FromDueDate => ClaimStatus::Claimed,
            ClaimStart::FromFormalNotice => {
                if entry
                    .claim
                    .formal_notice_on
                    .is_some_and(|notice_on| notice_on <= as_of)
                {
                    ClaimStatus::Claimed
                } else {
                    ClaimStatus::AwaitingFormalNotice
                }
            }
        };
        let interest_waived_somewhere = waivers
            .iter()
            .any(|waiver| waiver.charges.covers_interest() && waiver.covers(&entry.invoice));
        let mut settings = policy.settings;
        if status != ClaimStatus::Claimed || interest_waived_somewhere {
            settings.payment_order = PaymentOrder::PrincipalFirst;
        }
        let figures = late_interest(&entry.claim, &entry.terms, as_of, tables, &settings).map_err(
            |source| StatementError::Invoice {
                invoice: entry.invoice.clone(),
                source,
            },
        )?;
        let claimable = |amount: Money| {
            if status == ClaimStatus::Claimed {
                amount
            } else {
                zero
            }
        };
        computed.push(Computed {
            interest: claimable(figures.interest),
            indemnity: claimable(figures.indemnity),
            interest_waived: zero,
            indemnity_waived: zero,
            invoice: &entry.invoice,
            due_on: entry.claim.due_on,
            status,
            figures,
        });
    }

    let mut effects = Vec::with_capacity(waivers.len());
    for waiver in waivers {
        effects.push(apply_waiver(waiver, &mut computed, zero)?);
    }

    let mut totals = ClaimedTotals {
        principal: zero,
        interest_accrued: zero,
        interest_waived: zero,
        interest_claimed: zero,
        indemnity_accrued: zero,
        indemnity_waived: zero,
        indemnity_claimed: zero,
        costs_claimed: zero,
        claimed: zero,
        paid: zero,
        due: zero,
        overpaid: zero,
    };
    let mut lines = Vec::with_capacity(computed.len());
    for item in computed {
        let line = claimed_line(item)?;
        let figures = &line.late_interest;
        totals = ClaimedTotals {
            principal: totals.principal.checked_add(figures.principal)?,
            interest_accrued: totals.interest_accrued.checked_add(figures.interest)?,
            interest_waived: totals.interest_waived.checked_add(line.interest_waived)?,
            interest_claimed: totals.interest_claimed.checked_add(line.interest_claimed)?,
            indemnity_accrued: totals.indemnity_accrued.checked_add(figures.indemnity)?,
            indemnity_waived: totals.indemnity_waived.checked_add(line.indemnity_waived)?,
            indemnity_claimed: totals
                .indemnity_claimed
                .checked_add(line.indemnity_claimed)?,
            costs_claimed: zero,
            claimed: totals.claimed.checked_add(line.claimed_total())?,
            paid: totals.paid.checked_add(figures.paid)?,
            due: totals.due.checked_add(line.due)?,
            overpaid: totals.overpaid.checked_add(line.overpaid)?,
        };
        lines.push(line);
    }
    Ok(ClaimedStatement {
        as_of,
        currency,
        lines,
        totals,
        waivers: effects,
        costs: None,
    })
}

/// One invoice between its computation and its line.
struct Computed<'a> {
    invoice: &'a InvoiceNumber,
    due_on: Date,
    status: ClaimStatus,
    figures: LateInterest,
    /// Claimable before waivers.
    interest: Money,
    indemnity: Money,
    interest_waived: Money,
    indemnity_waived: Money,
}

/// Takes what `waiver` gives up off the invoices it covers, in order; returns what it took.
fn apply_waiver(
    waiver: &Waiver,
    computed: &mut [Computed<'_>],
    zero: Money,
) -> Result<WaiverEffect, StatementError> {
    let mut effect = WaiverEffect {
        interest: zero,
        indemnity: zero,
    };
    // What is left of an amount waiver, spent as it goes.
    let mut budget = match waiver.extent {
        WaiverExtent::Amount(amount) => Some(amount),
        WaiverExtent::Full | WaiverExtent::Share(_) => None,
    };
    for item in computed
        .iter_mut()
        .filter(|item| waiver.covers(item.invoice))
    {
        let charges = [
            (
                waiver.charges.covers_interest(),
                item.interest,
                &mut item.interest_waived,
                &mut effect.interest,
            ),
            (
                waiver.charges.covers_indemnity(),
                item.indemnity,
                &mut item.indemnity_waived,
                &mut effect.indemnity,
            ),
        ];
        for (covered, claimable, waived, total) in charges {
            if !covered {
                continue;
            }
            let left = claimable.checked_sub(*waived)?;
            let wanted = match waiver.extent {
                WaiverExtent::Full => left,
                WaiverExtent::Share(share) => share.of(claimable),
                WaiverExtent::Amount(_) => budget.unwrap_or(zero),
            };
            let taken = smaller(wanted, left);
            if let Some(rest) = budget.as_mut() {
                *rest = rest.checked_sub(taken)?;
            }
            *waived = waived.checked_add(taken)?;
            *total = total.checked_add(taken)?;
        }
    }
    Ok(effect)
}

/// What is still owed on an invoice once its claimed figures are known. Payments are matched
/// against what was claimed: a payment the law's imputation put on interest or an indemnity that
/// is not claimed is an overpayment, never a hidden charge.
fn claimed_line(item: Computed<'_>) -> Result<ClaimedLine, StatementError> {
    let figures = item.figures;
    let interest_claimed = item.interest.checked_sub(item.interest_waived)?;
    let indemnity_claimed = item.indemnity.checked_sub(item.indemnity_waived)?;
    let zero = Money::zero(figures.principal.currency());
    let (mut to_interest, mut to_indemnity) = (zero, zero);
    for payment in &figures.payments {
        to_interest = to_interest.checked_add(payment.to_interest)?;
        to_indemnity = to_indemnity.checked_add(payment.to_indemnity)?;
    }
    let due_principal = figures.balance.principal;
    let due_interest = at_least_zero(interest_claimed.checked_sub(to_interest)?);
    let due_indemnity = at_least_zero(indemnity_claimed.checked_sub(to_indemnity)?);
    let overpaid = at_least_zero(to_interest.checked_sub(interest_claimed)?)
        .checked_add(at_least_zero(to_indemnity.checked_sub(indemnity_claimed)?))?;
    let due = due_principal
        .checked_add(due_interest)?
        .checked_add(due_indemnity)?;
    let line = ClaimedLine {
        invoice: item.invoice.clone(),
        due_on: item.due_on,
        status: item.status,
        interest_waived: item.interest_waived,
        indemnity_waived: item.indemnity_waived,
        interest_claimed,
        indemnity_claimed,
        due_principal,
        due_interest,
        due_indemnity,
        due,
        overpaid,
        late_interest: figures,
    };
    assert_eq!(
        line.claimed_total()
            .checked_sub(line.late_interest.paid)?
            .checked_add(line.overpaid)?,
        line.due,
        "every payment is matched against what is claimed"
    );
    Ok(line)
}

fn smaller(left: Money, right: Money) -> Money {
    if left.minor() <= right.minor() {
        left
    } else {
        right
    }
}

fn at_least_zero(money: Money) -> Money {
    if money.is_negative() {
        Money::zero(money.currency())
    } else {
        money
    }
}
