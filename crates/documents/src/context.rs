//! The values a template is rendered with, built from domain facts.
//!
//! `MessageFacts` is what the caller knows (the creditor, the customer, the invoices, the
//! statement of account, the step); `MessageContext::build` turns it into the documented
//! variables (`variables::VARIABLES`), every amount and date formatted in the customer's
//! language. The context also keeps what a letter needs beyond text (the EPC QR payload, the
//! address blocks), out of the templates' reach.

use domain::case::DisputeReason;
use domain::creditor::{CreditorProfile, PostalAddress};
use domain::customer::{CustomerKind, Language};
use domain::late_payment::{
    Claim, ClaimedStatement, Half, HalfYear, Jurisdiction, LatePaymentPolicy, LatePaymentTerms,
    Rate, RateBasis, RateTables, Remark, StatementEntry, claimed_statement, late_payment_mention,
};
use domain::money::{Currency, Money, MoneyError};
use domain::plan::{Frequency, Installment};
use domain::receivable::InvoiceNumber;
use domain::receivable::days_past_due;
use domain::scenario::{StepChannel, Tone};
use jiff::ToSpan;
use jiff::civil::Date;
use serde::Serialize;

use crate::catalog::{Builtin, TemplateKind};
use crate::epc::{EpcTransfer, epc_qr_payload};
use crate::format::{grouped_iban, long_date, money, short_date};
use domain::identifiers::RfReference;

/// Days a debtor is given to pay: the formal notice's 8 days, used for every deadline.
pub const DEADLINE_DAYS: i64 = 8;

/// Who signs and answers.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Collector {
    pub name: String,
    pub email: String,
    pub phone: String,
}

impl Collector {
    /// The signature when no collector is named: the creditor's accounts department.
    pub fn accounts_department(language: Language) -> Collector {
        Collector {
            name: match language {
                Language::French => "Le service comptabilité".to_owned(),
                Language::English => "Accounts department".to_owned(),
            },
            ..Collector::default()
        }
    }
}

/// The customer as the message addresses them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    pub reference: String,
    pub name: String,
    pub kind: CustomerKind,
    pub address: PostalAddress,
    pub email: String,
    pub phone: String,
}

/// One invoice the message is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceFacts {
    pub number: String,
    pub issued_on: Date,
    pub due_on: Date,
    pub amount: Money,
    pub outstanding: Money,
}

/// The statement of account, or why there is none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StatementFacts {
    Computed {
        /// As the creditor claims it: its policy, waivers and proven costs applied.
        statement: Box<ClaimedStatement>,
        /// `domain::late_payment::late_payment_mention` for the customer's terms.
        legal_basis: String,
    },
    /// Why it could not be computed (a rate table that does not cover the date…): a template
    /// that uses the statement then fails with this reason instead of printing blanks.
    Unavailable { reason: String },
}

/// The step the message is sent for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepFacts {
    pub key: String,
    pub tone: Tone,
    pub channel: StepChannel,
}

/// What the transfer asked for covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AmountAsked {
    /// The invoices' outstanding amounts (reminders).
    Outstanding,
    /// The statement's total due, penalties and indemnities included (formal notice).
    StatementDue,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PromiseFacts {
    pub amount: Money,
    pub due_on: Date,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisputeFacts {
    pub invoice: String,
    pub reason: DisputeReason,
    pub opened_on: Date,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptFacts {
    pub amount: Money,
    pub paid_on: Date,
    pub invoices: Vec<String>,
    /// What the customer still owes after this payment.
    pub remaining: Money,
}

/// The payment plan an agreement sets out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanFacts {
    pub number: i64,
    pub covered: Money,
    /// The accrued late-payment charges included in `covered` (zero when none).
    pub charges: Money,
    pub invoices: Vec<String>,
    /// In date order; number 0 is the down payment.
    pub installments: Vec<Installment>,
    pub every: Frequency,
    pub waive_charges: bool,
    pub grace_days: u32,
    /// Paid towards the plan so far.
    pub paid: Money,
    /// The first installment not fully paid, and what is left of it.
    pub next: Option<(Installment, Money)>,
    /// The last day of grace of that installment, once its date has passed.
    pub grace_ends_on: Option<Date>,
}

/// Everything a message can say, as the caller knows it.
#[derive(Debug, Clone)]
pub struct MessageFacts<'a> {
    pub language: Language,
    /// The date the message bears.
    pub today: Date,
    pub creditor: &'a CreditorProfile,
    pub collector: Collector,
    pub customer: Recipient,
    pub invoices: Vec<InvoiceFacts>,
    pub statement: StatementFacts,
    pub step: StepFacts,
    pub amount_asked: AmountAsked,
    pub promise: Option<PromiseFacts>,
    pub dispute: Option<DisputeFacts>,
    pub receipt: Option<ReceiptFacts>,
    pub plan: Option<PlanFacts>,
    /// The address of the customer's portal page, when the customer has one.
    pub portal_url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ContextError {
    #[error(
        "the invoices are in several currencies ({first} and {other}); write one message per currency"
    )]
    MixedCurrencies { first: Currency, other: Currency },
    #[error("the amounts are too large to add up")]
    Overflow,
}

impl ContextError {
    /// The error in `language`.
    pub fn describe(&self, language: Language) -> String {
        match (self, language) {
            (_, Language::English) => self.to_string(),
            (ContextError::MixedCurrencies { first, other }, Language::French) => format!(
                "les factures sont en plusieurs devises ({first} et {other}) : un message par devise"
            ),
            (ContextError::Overflow, Language::French) => {
                "les montants sont trop grands pour être additionnés".to_owned()
            }
        }
    }
}

impl From<MoneyError> for ContextError {
    fn from(_: MoneyError) -> ContextError {
        // Currencies are compared first, so only an overflow is left.
        ContextError::Overflow
    }
}

/// The variables, as templates see them (field names are the documented names).
#[derive(Debug, Clone, Serialize)]
pub struct MessageContext {
    pub creditor: CreditorVars,
    pub customer: CustomerVars,
    pub invoices: Vec<InvoiceVars>,
    pub totals: TotalsVars,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub statement: Option<StatementVars>,
    pub payment: PaymentVars,
    pub message: MessageVars,
    pub collector: CollectorVars,
    pub portal: PortalVars,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub promise: Option<PromiseVars>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dispute: Option<DisputeVars>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub receipt: Option<ReceiptVars>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plan: Option<PlanVars>,
    #[serde(skip)]
    pub(crate) letter: LetterFacts,
}

#[derive(Debug, Clone, Serialize)]
pub struct CreditorVars {
    pub name: String,
    pub siren: String,
    pub address: Vec<String>,
    pub city: String,
    pub iban: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct CustomerVars {
    pub reference: String,
    pub name: String,
    pub is_business: bool,
    pub address: Vec<String>,
    pub email: String,
    pub phone: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct InvoiceVars {
    pub number: String,
    pub issued_on: String,
    pub due_on: String,
    pub amount: String,
    pub outstanding: String,
    pub days_late: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct TotalsVars {
    pub count: usize,
    pub amount: String,
    pub outstanding: String,
    pub first_due_on: String,
    pub days_late: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct StatementVars {
    pub as_of: String,
    pub lines: Vec<StatementLineVars>,
    pub principal: String,
    pub interest: String,
    pub indemnity: String,
    pub total: String,
    pub paid: String,
    pub due: String,
    /// The complementary indemnity for proven collection costs.
    pub costs: String,
    /// Penalties and indemnities the creditor waived.
    pub waived: String,
    pub interest_label: String,
    pub has_interest: bool,
    pub has_indemnity: bool,
    pub has_costs: bool,
    pub has_waiver: bool,
    pub legal_basis: String,
    pub rate_note: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct StatementLineVars {
    pub invoice: String,
    pub due_on: String,
    pub principal: String,
    pub interest: String,
    pub indemnity: String,
    pub paid: String,
    pub due: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct PaymentVars {
    pub beneficiary: String,
    pub iban: String,
    pub bic: String,
    pub reference: String,
    pub amount: String,
    pub has_iban: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct MessageVars {
    pub date: String,
    pub place: String,
    pub deadline: String,
    pub deadline_days: i64,
    pub tone: &'static str,
    pub step: String,
    pub channel: &'static str,
    pub registered: bool,
}

/// The debtor portal: empty when the customer has no link.
#[derive(Debug, Clone, Serialize)]
pub struct PortalVars {
    pub url: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct CollectorVars {
    pub name: String,
    pub email: String,
    pub phone: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct PromiseVars {
    pub amount: String,
    pub date: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct DisputeVars {
    pub invoice: String,
    pub reason: String,
    pub opened_on: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReceiptVars {
    pub amount: String,
    pub paid_on: String,
    pub invoices: Vec<String>,
    pub remaining: String,
    pub fully_paid: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct PlanVars {
    pub number: String,
    pub covered: String,
    pub charges: String,
    pub includes_charges: bool,
    pub invoices: Vec<String>,
    pub installments: Vec<InstallmentVars>,
    pub count: usize,
    pub frequency: String,
    pub first_on: String,
    pub last_on: String,
    pub waive_charges: bool,
    pub grace_days: u32,
    pub paid: String,
    pub remaining: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<InstallmentVars>,
    pub grace_ends_on: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct InstallmentVars {
    pub label: String,
    pub due_on: String,
    pub amount: String,
    /// What is left to pay of it.
    pub left: String,
}

fn plan_vars(plan: &PlanFacts, language: Language) -> PlanVars {
    let fr = language == Language::French;
    let day = |installment: Option<&Installment>| {
        installment.map_or_else(String::new, |installment| {
            long_date(installment.due_on, language)
        })
    };
    let installment_vars = |installment: &Installment, left: Money| InstallmentVars {
        label: match (installment.number, fr) {
            (0, true) => "Acompte".to_owned(),
            (0, false) => "Down payment".to_owned(),
            (number, true) => format!("Échéance n° {number}"),
            (number, false) => format!("Installment {number}"),
        },
        due_on: long_date(installment.due_on, language),
        amount: money(installment.amount, language),
        left: money(left, language),
    };
    let remaining = Money::from_minor(
        (plan.covered.minor() - plan.paid.minor()).max(0),
        plan.covered.currency(),
    );
    PlanVars {
        number: plan.number.to_string(),
        covered: money(plan.covered, language),
        charges: money(plan.charges, language),
        includes_charges: plan.charges.is_positive(),
        invoices: plan.invoices.clone(),
        installments: plan
            .installments
            .iter()
            .map(|installment| installment_vars(installment, installment.amount))
            .collect(),
        count: plan.installments.len(),
        frequency: match (plan.every, fr) {
            (Frequency::Weekly, true) => "chaque semaine",
            (Frequency::Weekly, false) => "every week",
            (Frequency::Fortnightly, true) => "toutes les deux semaines",
            (Frequency::Fortnightly, false) => "every two weeks",
            (Frequency::Monthly, true) => "chaque mois",
            (Frequency::Monthly, false) => "every month",
            (Frequency::Quarterly, true) => "chaque trimestre",
            (Frequency::Quarterly, false) => "every quarter",
        }
        .to_owned(),
        first_on: day(plan.installments.first()),
        last_on: day(plan.installments.last()),
        waive_charges: plan.waive_charges,
        grace_days: plan.grace_days,
        paid: money(plan.paid, language),
        remaining: money(remaining, language),
        next: plan
            .next
            .as_ref()
            .map(|(installment, left)| installment_vars(installment, *left)),
        grace_ends_on: plan
            .grace_ends_on
            .map_or_else(String::new, |day| long_date(day, language)),
    }
}

/// What a letter prints beyond the templates' text.
#[derive(Debug, Clone, Default)]
pub(crate) struct LetterFacts {
    pub(crate) language: Option<Language>,
    pub(crate) sender: Vec<String>,
    pub(crate) recipient: Vec<String>,
    pub(crate) legal_footer: String,
    pub(crate) epc_payload: Option<String>,
    pub(crate) statement_unavailable: Option<String>,
}

impl MessageContext {
    pub fn build(facts: &MessageFacts<'_>) -> Result<MessageContext, ContextError> {
        let language = facts.language;
        let m = |amount: Money| money(amount, language);
        let currency = facts
            .invoices
            .first()
            .map_or(facts.creditor.currency, |invoice| invoice.amount.currency());
        let mut amount = Money::zero(currency);
        let mut outstanding = Money::zero(currency);
        for invoice in &facts.invoices {
            if invoice.amount.currency() != currency {
                return Err(ContextError::MixedCurrencies {
                    first: currency,
                    other: invoice.amount.currency(),
                });
            }
            amount = amount.checked_add(invoice.amount)?;
            outstanding = outstanding.checked_add(invoice.outstanding)?;
        }
        let days_late = |due_on: Date| i64::from(days_past_due(due_on, facts.today).max(0));
        let first_due_on = facts.invoices.iter().map(|invoice| invoice.due_on).min();
        let invoices = facts
            .invoices
            .iter()
            .map(|invoice| InvoiceVars {
                number: invoice.number.clone(),
                issued_on: short_date(invoice.issued_on, language),
                due_on: short_date(invoice.due_on, language),
                amount: m(invoice.amount),
                outstanding: m(invoice.outstanding),
                days_late: days_late(invoice.due_on),
            })
            .collect();
        let totals = TotalsVars {
            count: facts.invoices.len(),
            amount: m(amount),
            outstanding: m(outstanding),
            first_due_on: first_due_on.map_or_else(String::new, |day| long_date(day, language)),
            days_late: first_due_on.map_or(0, days_late),
        };

        let (statement, statement_unavailable) = match &facts.statement {
            StatementFacts::Computed {
                statement,
                legal_basis,
            } => (Some(statement_vars(statement, legal_basis, language)), None),
            StatementFacts::Unavailable { reason } => (None, Some(reason.clone())),
        };

        let creditor = facts.creditor;
        let reference = RfReference::for_customer(&facts.customer.reference);
        let asked = match (&facts.statement, facts.amount_asked) {
            (StatementFacts::Computed { statement, .. }, AmountAsked::StatementDue) => {
                statement.totals.due
            }
            _ => outstanding,
        };
        let epc_payload = creditor.iban.as_ref().and_then(|iban| {
            // A QR code is offered only where it is right: euros, a positive amount.
            epc_qr_payload(&EpcTransfer {
                beneficiary: &creditor.company_name,
                iban,
                bic: creditor.bic.as_ref().map(|bic| bic.as_str()),
                amount: Some(asked),
                reference: &reference,
            })
            .ok()
        });
        let payment = PaymentVars {
            beneficiary: creditor.company_name.clone(),
            iban: creditor
                .iban
                .as_ref()
                .map_or_else(String::new, |iban| grouped_iban(iban.as_str())),
            bic: creditor
                .bic
                .as_ref()
                .map_or_else(String::new, |bic| bic.as_str().to_owned()),
            reference: reference.grouped(),
            amount: m(asked),
            has_iban: creditor.iban.is_some(),
        };

        let registered = facts.step.channel == StepChannel::RegisteredLetter;
        let message = MessageVars {
            date: long_date(facts.today, language),
            place: creditor.address.city.clone(),
            deadline: facts
                .today
                .checked_add(DEADLINE_DAYS.days())
                .map_or_else(|_| String::new(), |day| long_date(day, language)),
            deadline_days: DEADLINE_DAYS,
            tone: facts.step.tone.code(),
            step: facts.step.key.clone(),
            channel: facts.step.channel.code(),
            registered,
        };

        let customer = &facts.customer;
        let letter = LetterFacts {
            language: Some(language),
            sender: address_block(&creditor.company_name, &creditor.address, language),
            recipient: address_block(&customer.name, &customer.address, language),
            legal_footer: legal_footer(creditor),
            epc_payload,
            statement_unavailable,
        };

        Ok(MessageContext {
            creditor: CreditorVars {
                name: creditor.company_name.clone(),
                siren: creditor
                    .siren
                    .as_ref()
                    .map_or_else(String::new, |siren| siren.as_str().to_owned()),
                address: address_lines(&creditor.address, language),
                city: creditor.address.city.clone(),
                iban: payment.iban.clone(),
            },
            customer: CustomerVars {
                reference: customer.reference.clone(),
                name: customer.name.clone(),
                is_business: customer.kind == CustomerKind::Business,
                address: address_lines(&customer.address, language),
                email: customer.email.clone(),
                phone: customer.phone.clone(),
            },
            invoices,
            totals,
            statement,
            payment,
            message,
            collector: CollectorVars {
                name: facts.collector.name.clone(),
                email: facts.collector.email.clone(),
                phone: facts.collector.phone.clone(),
            },
            promise: facts.promise.as_ref().map(|promise| PromiseVars {
                amount: m(promise.amount),
                date: long_date(promise.due_on, language),
            }),
            dispute: facts.dispute.as_ref().map(|dispute| DisputeVars {
                invoice: dispute.invoice.clone(),
                reason: dispute_reason_label(dispute.reason, language).to_owned(),
                opened_on: long_date(dispute.opened_on, language),
            }),
            receipt: facts.receipt.as_ref().map(|receipt| ReceiptVars {
                amount: m(receipt.amount),
                paid_on: long_date(receipt.paid_on, language),
                invoices: receipt.invoices.clone(),
                remaining: m(receipt.remaining),
                fully_paid: !receipt.remaining.is_positive(),
            }),
            plan: facts.plan.as_ref().map(|plan| plan_vars(plan, language)),
            portal: PortalVars {
                url: facts.portal_url.clone().unwrap_or_default(),
            },
            letter,
        })
    }

    /// The language the context was built in.
    pub fn language(&self) -> Language {
        self.letter.language.unwrap_or(Language::French)
    }

    /// The EPC QR payload of the transfer asked for, when one can be offered (an IBAN is
    /// known, the amount is in euros and positive).
    pub fn epc_payload(&self) -> Option<&str> {
        self.letter.epc_payload.as_deref()
    }

    /// Why the statement of account is missing, when it is.
    pub fn statement_unavailable(&self) -> Option<&str> {
        self.letter.statement_unavailable.as_deref()
    }
}

fn statement_vars(
    statement: &ClaimedStatement,
    legal_basis: &str,
    language: Language,
) -> StatementVars {
    let m = |amount: Money| money(amount, language);
    let totals = &statement.totals;
    // Penalties for French businesses (C. com. L441-10), interest everywhere else.
    let penalties = statement
        .lines
        .first()
        .is_some_and(|line| line.late_interest.jurisdiction == Jurisdiction::FrB2b);
    let interest_label = match (penalties, language) {
        (true, Language::French) => "Pénalités",
        (true, Language::English) => "Penalties",
        (false, Language::French) => "Intérêts",
        (false, Language::English) => "Interest",
    };
    let waived = totals
        .interest_waived
        .checked_add(totals.indemnity_waived)
        .expect("two parts of a total");
    StatementVars {
        as_of: long_date(statement.as_of, language),
        lines: statement
            .lines
            .iter()
            .map(|line| StatementLineVars {
                invoice: line.invoice.as_str().to_owned(),
                due_on: short_date(line.due_on, language),
                principal: m(line.late_interest.principal),
                interest: m(line.interest_claimed),
                indemnity: m(line.indemnity_claimed),
                paid: m(line.late_interest.paid),
                due: m(line.due),
            })
            .collect(),
        principal: m(totals.principal),
        interest: m(totals.interest_claimed),
        indemnity: m(totals.indemnity_claimed),
        total: m(totals.claimed),
        paid: m(totals.paid),
        due: m(totals.due),
        costs: m(totals.costs_claimed),
        waived: m(waived),
        interest_label: interest_label.to_owned(),
        has_interest: totals.interest_claimed.is_positive(),
        has_indemnity: totals.indemnity_claimed.is_positive(),
        has_costs: totals.costs_claimed.is_positive(),
        has_waiver: waived.is_positive(),
        legal_basis: legal_basis.to_owned(),
        rate_note: rate_note(statement, language),
    }
}

/// A rate as a reader expects it: `12,15`, `10` (no `,00` on whole points).
fn rate_text(rate: Rate, language: Language) -> String {
    let text = rate.to_string();
    let text = text.strip_suffix(".00").unwrap_or(&text).to_owned();
    match language {
        Language::French => text.replace('.', ","),
        Language::English => text,
    }
}

fn half_year_text(half_year: HalfYear, language: Language) -> String {
    match (half_year.half(), language) {
        (Half::First, Language::French) => format!("1er semestre {}", half_year.year()),
        (Half::Second, Language::French) => format!("2e semestre {}", half_year.year()),
        (Half::First, Language::English) => format!("first half of {}", half_year.year()),
        (Half::Second, Language::English) => format!("second half of {}", half_year.year()),
    }
}

/// How the statement's figures were computed, for the small print under it: each rate applied
/// and where it comes from, the day count, the indemnity's basis. Written from the periods
/// the computation used, so it never states a rule the figures do not follow.
pub fn rate_note(statement: &ClaimedStatement, language: Language) -> String {
    let fr = language == Language::French;
    let mut rates: Vec<(HalfYear, Rate, RateBasis)> = Vec::new();
    for line in &statement.lines {
        for period in &line.late_interest.periods {
            let entry = (period.half_year, period.rate, period.basis);
            if !rates.contains(&entry) {
                rates.push(entry);
            }
        }
    }
    rates.sort_by_key(|(half_year, _, _)| *half_year);
    let r = |rate: Rate| rate_text(rate, language);
    let mut sentences: Vec<String> = Vec::new();
    for (half_year, rate, basis) in &rates {
        let how = match (basis, fr) {
            (
                RateBasis::EcbRatePlusMargin {
                    reference_on,
                    ecb_rate,
                    margin,
                },
                true,
            ) => format!(
                "taux de refinancement de la BCE au {} ({} %) majoré de {} points",
                long_date(*reference_on, language),
                r(*ecb_rate),
                r(*margin)
            ),
            (
                RateBasis::EcbRatePlusMargin {
                    reference_on,
                    ecb_rate,
                    margin,
                },
                false,
            ) => format!(
                "ECB refinancing rate on {} ({}%) plus {} points",
                long_date(*reference_on, language),
                r(*ecb_rate),
                r(*margin)
            ),
            (
                RateBasis::FrenchLegalRate {
                    legal_rate,
                    judgment_increase,
                    ..
                },
                true,
            ) => {
                let increase = judgment_increase
                    .map(|points| format!(" majoré de {} points", r(points)))
                    .unwrap_or_default();
                format!("taux de l'intérêt légal ({} %){increase}", r(*legal_rate))
            }
            (
                RateBasis::FrenchLegalRate {
                    legal_rate,
                    judgment_increase,
                    ..
                },
                false,
            ) => {
                let increase = judgment_increase
                    .map(|points| format!(" plus {} points", r(points)))
                    .unwrap_or_default();
                format!("French legal interest rate ({}%){increase}", r(*legal_rate))
            }
            (RateBasis::GermanBaseRatePlusMargin { base_rate, margin }, true) => format!(
                "taux de base allemand ({} %) majoré de {} points",
                r(*base_rate),
                r(*margin)
            ),
            (RateBasis::GermanBaseRatePlusMargin { base_rate, margin }, false) => format!(
                "German base rate ({}%) plus {} points",
                r(*base_rate),
                r(*margin)
            ),
            (RateBasis::Contract, true) => "taux contractuel".to_owned(),
            (RateBasis::Contract, false) => "contract rate".to_owned(),
            (RateBasis::ContractTimesLegalRate { times, legal_rate }, true) => format!(
                "{times} fois le taux de l'intérêt légal ({} %)",
                r(*legal_rate)
            ),
            (RateBasis::ContractTimesLegalRate { times, legal_rate }, false) => format!(
                "{times} times the French legal interest rate ({}%)",
                r(*legal_rate)
            ),
            (RateBasis::ThreeTimesLegalRate { legal_rate }, true) => format!(
                "trois fois le taux de l'intérêt légal ({} %)",
                r(*legal_rate)
            ),
            (RateBasis::ThreeTimesLegalRate { legal_rate }, false) => format!(
                "three times the French legal interest rate ({}%)",
                r(*legal_rate)
            ),
        };
        sentences.push(if fr {
            format!(
                "{} : {} % l'an, {how}",
                half_year_text(*half_year, language),
                r(*rate)
            )
        } else {
            format!(
                "{}: {}% a year, {how}",
                half_year_text(*half_year, language),
                r(*rate)
            )
        });
    }
    let mut note = String::new();
    if !sentences.is_empty() {
        note.push_str(&if fr {
            format!(
                "Taux appliqués : {}. Intérêts simples, au jour le jour, jusqu'au {}.",
                sentences.join(" ; "),
                long_date(statement.as_of, language)
            )
        } else {
            format!(
                "Rates applied: {}. Simple interest, day by day, through {}.",
                sentences.join("; "),
                long_date(statement.as_of, language)
            )
        });
    }
    let waiting_for_notice = statement.lines.iter().any(|line| {
        line.late_interest
            .remarks
            .iter()
            .any(|remark| matches!(remark, Remark::NoFormalNotice))
    });
    if waiting_for_notice {
        if !note.is_empty() {
            note.push(' ');
        }
        note.push_str(if fr {
            "Les intérêts au taux légal courent à compter de la mise en demeure."
        } else {
            "Interest at the legal rate runs from the formal notice."
        });
    }
    let jurisdiction = statement
        .lines
        .first()
        .map(|line| line.late_interest.jurisdiction);
    if statement.totals.indemnity_claimed.is_positive() {
        let source = match (jurisdiction, fr) {
            (Some(Jurisdiction::FrB2b), true) => "article D441-5 du Code de commerce",
            (Some(Jurisdiction::FrB2b), false) => "French Commercial Code, article D441-5",
            (Some(Jurisdiction::DeB2b), _) => "§ 288 (5) BGB",
            (_, true) => "directive 2011/7/UE",
            (_, false) => "Directive 2011/7/EU",
        };
        if !note.is_empty() {
            note.push(' ');
        }
        note.push_str(&if fr {
            format!("Indemnité forfaitaire pour frais de recouvrement : 40 € par facture payée en retard ({source}).")
        } else {
            format!("Fixed recovery indemnity: EUR 40 per invoice paid late ({source}).")
        });
    }
    if statement.totals.costs_claimed.is_positive() {
        if !note.is_empty() {
            note.push(' ');
        }
        note.push_str(if fr {
            "Indemnisation complémentaire des frais de recouvrement exposés au-delà des indemnités forfaitaires, sur justification (article L441-10 II du Code de commerce)."
        } else {
            "Complementary compensation for the collection costs incurred beyond the fixed indemnities, on proof (French Commercial Code, article L441-10 II)."
        });
    }
    note
}

/// The address as lines, without the name: street lines, then postal code and city, then the
/// country when it is not France (La Poste asks for it on the last line, in capitals).
fn address_lines(address: &PostalAddress, language: Language) -> Vec<String> {
    let mut lines: Vec<String> = [&address.line1, &address.line2]
        .into_iter()
        .map(|line| line.trim().to_owned())
        .filter(|line| !line.is_empty())
        .collect();
    let city = format!("{} {}", address.postal_code.trim(), address.city.trim())
        .trim()
        .to_owned();
    if !city.is_empty() {
        lines.push(city);
    }
    if let Some(country) = address.country
        && country.as_str() != "FR"
    {
        lines.push(country_name(country.as_str(), language).to_uppercase());
    }
    lines
}

fn address_block(name: &str, address: &PostalAddress, language: Language) -> Vec<String> {
    let mut lines = vec![name.trim().to_owned()];
    lines.extend(address_lines(address, language));
    lines
}

/// The creditor's identity at the foot of each page (the SIREN reads the same in both
/// languages).
fn legal_footer(creditor: &CreditorProfile) -> String {
    match &creditor.siren {
        Some(siren) => format!("{} – SIREN {}", creditor.company_name, siren.as_str()),
        None => creditor.company_name.clone(),
    }
}

/// The statement of account of `invoices` under `terms` as of `as_of`, claimed by a creditor
/// with the French defaults, or why there is none: what a preview shows without stored books.
/// Each invoice is claimed for what is still unpaid, from its due date.
pub fn statement_facts(
    invoices: &[InvoiceFacts],
    terms: LatePaymentTerms,
    as_of: Date,
    tables: &RateTables,
    language: Language,
) -> StatementFacts {
    let Some(first) = invoices.first() else {
        return StatementFacts::Unavailable {
            reason: match language {
                Language::French => "aucune facture ouverte".to_owned(),
                Language::English => "no open invoice".to_owned(),
            },
        };
    };
    let currency = first.outstanding.currency();
    let mut entries = Vec::new();
    for invoice in invoices
        .iter()
        .filter(|invoice| invoice.outstanding.is_positive())
    {
        let Ok(number) = InvoiceNumber::parse(&invoice.number) else {
            continue;
        };
        // What is still unpaid, from the due date: payments whose dates are not known are not
        // guessed, so the figure never claims interest on money already received.
        entries.push(StatementEntry {
            invoice: number,
            claim: Claim::new(invoice.outstanding, invoice.due_on),
            terms,
        });
    }
    let policy = LatePaymentPolicy::french_defaults();
    match claimed_statement(currency, &entries, as_of, tables, &policy, &[]) {
        Ok(statement) => StatementFacts::Computed {
            statement: Box::new(statement),
            legal_basis: late_payment_mention(
                &terms,
                &policy.settings,
                policy.early_payment_discount,
                language,
            ),
        },
        Err(error) => StatementFacts::Unavailable {
            reason: error.to_string(),
        },
    }
}

/// What a letter asks for: the statement's total (penalties and indemnities included); a
/// message: the invoices' outstanding amounts.
pub fn amount_asked(builtin: &Builtin) -> AmountAsked {
    match builtin.kind {
        TemplateKind::Letter => AmountAsked::StatementDue,
        _ => AmountAsked::Outstanding,
    }
}

/// A few country names for the last line of an address; the ISO code otherwise.
fn country_name(code: &str, language: Language) -> String {
    let name = match (code, language) {
        ("BE", Language::French) => "Belgique",
        ("BE", Language::English) => "Belgium",
        ("CH", Language::French) => "Suisse",
        ("CH", Language::English) => "Switzerland",
        ("LU", _) => "Luxembourg",
        ("DE", Language::French) => "Allemagne",
        ("DE", Language::English) => "Germany",
        ("ES", Language::French) => "Espagne",
        ("ES", Language::English) => "Spain",
        ("IT", Language::French) => "Italie",
        ("IT", Language::English) => "Italy",
        ("GB", Language::French) => "Royaume-Uni",
        ("GB", Language::English) => "United Kingdom",
        ("MC", _) => "Monaco",
        ("CA", _) => "Canada",
        ("FR", _) => "France",
        _ => code,
    };
    name.to_owned()
}

/// The reason for a dispute in the customer's words.
pub fn dispute_reason_label(reason: DisputeReason, language: Language) -> &'static str {
    match (reason, language) {
        (DisputeReason::NotReceived, Language::French) => "marchandise ou prestation non reçue",
        (DisputeReason::NotReceived, Language::English) => "goods or service not received",
        (DisputeReason::Defective, Language::French) => "produit ou prestation défectueux",
        (DisputeReason::Defective, Language::English) => "defective goods or service",
        (DisputeReason::PriceDisagreement, Language::French) => "désaccord sur le prix",
        (DisputeReason::PriceDisagreement, Language::English) => "disagreement on the price",
        (DisputeReason::AlreadyPaid, Language::French) => "facture déjà réglée",
        (DisputeReason::AlreadyPaid, Language::English) => "invoice already paid",
        (DisputeReason::NotOrdered, Language::French) => "commande contestée",
        (DisputeReason::NotOrdered, Language::English) => "not ordered",
        (DisputeReason::Other, Language::French) => "autre motif",
        (DisputeReason::Other, Language::English) => "other reason",
    }
}
