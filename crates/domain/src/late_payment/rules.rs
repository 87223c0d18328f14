//! The rule sets (jurisdictions), what a contract may add to them, and the settings for the
//! points the law leaves open.

use std::fmt;

use crate::customer::CustomerKind;
use crate::identifiers::CountryCode;
use crate::money::{Currency, Money};

use super::rate::{Rate, RateError};
use super::tables::LegalRateCategory;

/// The member states of the European Union other than France and Germany (which have rule sets
/// of their own), by ISO 3166-1 code: Greece is `GR` there, not the EU's `EL`.
const OTHER_EU_MEMBER_STATES: &[&str] = &[
    "AT", "BE", "BG", "CY", "CZ", "DK", "EE", "ES", "FI", "GR", "HR", "HU", "IE", "IT", "LT", "LU",
    "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
];

/// Gives a fieldless enum the code it is stored and typed as, the reverse lookup (case and
/// surrounding spaces ignored) and the list of its values, in one place per enum.
macro_rules! coded {
    ($type:ident { $($variant:ident => $code:literal),+ $(,)? }) => {
        impl $type {
            pub const ALL: &'static [$type] = &[$($type::$variant),+];

            /// The code in settings, files and on the command line.
            pub fn code(&self) -> &'static str {
                match self {
                    $($type::$variant => $code),+
                }
            }

            pub fn parse(text: &str) -> Option<$type> {
                let wanted = text.trim().to_ascii_lowercase();
                $type::ALL.iter().copied().find(|value| value.code() == wanted)
            }

            /// Every code, for messages that list what is accepted.
            pub fn codes() -> Vec<&'static str> {
                $type::ALL.iter().map(|value| value.code()).collect()
            }
        }
    };
}
pub(super) use coded;

/// The fixed recovery indemnity, in euro cents: 40 EUR (C. com. D441-5, § 288 (5) BGB,
/// Directive 2011/7/EU art. 6).
const RECOVERY_INDEMNITY_EUR_CENTS: i64 = 4_000;

/// A rule set for late-payment interest, chosen per customer from its country, kind and
/// contract. Codes: `fr-b2b`, `fr-b2c`, `de-b2b`, `de-b2c`, `eu`, `contract:RATE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Jurisdiction {
    /// French commercial penalties (C. com. L441-10 II): the ECB rate in force on 1 January or
    /// 1 July plus 10 points, from the day after the due date, and 40 EUR per late invoice.
    /// A contract may set another rate, not below three times the legal interest rate.
    FrB2b,
    /// French legal interest (C. civ. 1231-6, 1344-1): the legal rate of each semester, in the
    /// creditor's category, from the formal notice; no fixed indemnity.
    FrB2c,
    /// German commercial default interest (§ 288 (2), (5) BGB): base rate plus 9 points, 40 EUR.
    DeB2b,
    /// German default interest with a consumer (§ 288 (1) BGB): base rate plus 5 points.
    DeB2c,
    /// The Late Payment Directive 2011/7/EU default, for other EU states until they have their
    /// own rule set: reference rate (ECB rate on 1 January / 1 July) plus 8 points, 40 EUR.
    Eu,
    /// A fixed contractual annual rate, from the day after the due date, nothing else.
    Contract(Rate),
}

/// From when interest runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InterestStart {
    /// From the day after the due date, without any reminder.
    DayAfterDueDate,
    /// From the day after the formal notice (mise en demeure, Mahnung); nothing without one.
    DayAfterFormalNotice,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JurisdictionError {
    #[error(
        "unknown jurisdiction {text:?} (expected fr-b2b, fr-b2c, de-b2b, de-b2c, eu or contract:RATE)"
    )]
    Unknown { text: String },
    #[error("invalid contract rate in {text:?}: {reason}")]
    InvalidContractRate { text: String, reason: RateError },
    #[error("a contract rate cannot be negative ({text:?})")]
    NegativeContractRate { text: String },
}

impl Jurisdiction {
    /// Reads a code, ignoring case and surrounding spaces: `fr-b2b`, `contract:12.5`.
    pub fn parse(text: &str) -> Result<Jurisdiction, JurisdictionError> {
        let trimmed = text.trim();
        let lower = trimmed.to_ascii_lowercase();
        if let Some(rate) = lower.strip_prefix("contract:") {
            let rate =
                Rate::parse(rate).map_err(|reason| JurisdictionError::InvalidContractRate {
                    text: text.to_owned(),
                    reason,
                })?;
            if rate.is_negative() {
                return Err(JurisdictionError::NegativeContractRate {
                    text: text.to_owned(),
                });
            }
            return Ok(Jurisdiction::Contract(rate));
        }
        match lower.as_str() {
            "fr-b2b" => Ok(Jurisdiction::FrB2b),
            "fr-b2c" => Ok(Jurisdiction::FrB2c),
            "de-b2b" => Ok(Jurisdiction::DeB2b),
            "de-b2c" => Ok(Jurisdiction::DeB2c),
            "eu" => Ok(Jurisdiction::Eu),
            _ => Err(JurisdictionError::Unknown {
                text: text.to_owned(),
            }),
        }
    }

    /// The rule set a customer falls under when nothing says otherwise, from its country and
    /// kind: French and German customers under their own law; businesses elsewhere in the EU
    /// under the Late Payment Directive's default; everyone else under the creditor's French
    /// law. Consumers elsewhere in the EU also get French legal interest, not `eu`: the Directive
    /// covers commercial transactions only, and its 40 EUR indemnity is never owed by a consumer.
    pub fn for_customer(country: CountryCode, kind: CustomerKind) -> Jurisdiction {
        let business = kind == CustomerKind::Business;
        match country.as_str() {
            "DE" if business => Jurisdiction::DeB2b,
            "DE" => Jurisdiction::DeB2c,
            code if business && OTHER_EU_MEMBER_STATES.contains(&code) => Jurisdiction::Eu,
            _ if business => Jurisdiction::FrB2b,
            _ => Jurisdiction::FrB2c,
        }
    }

    pub fn interest_start(&self) -> InterestStart {
        match self {
            Jurisdiction::FrB2b | Jurisdiction::DeB2b | Jurisdiction::Eu => {
                InterestStart::DayAfterDueDate
            }
            Jurisdiction::Contract(_) => InterestStart::DayAfterDueDate,
            // German consumers are in default after a reminder (§ 286 (1) BGB); the cases where
            // default comes without one (a date agreed by calendar, 30 days after an invoice that
            // warned of it) are entered as the notice date by whoever knows them.
            Jurisdiction::FrB2c | Jurisdiction::DeB2c => InterestStart::DayAfterFormalNotice,
        }
    }

    /// The fixed recovery indemnity owed per invoice paid late, if the rule set has one.
    pub fn recovery_indemnity(&self) -> Option<Money> {
        match self {
            Jurisdiction::FrB2b | Jurisdiction::DeB2b | Jurisdiction::Eu => Some(
                Money::from_minor(RECOVERY_INDEMNITY_EUR_CENTS, Currency::EUR),
            ),
            Jurisdiction::FrB2c | Jurisdiction::DeB2c | Jurisdiction::Contract(_) => None,
        }
    }
}

impl fmt::Display for Jurisdiction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Jurisdiction::FrB2b => f.write_str("fr-b2b"),
            Jurisdiction::FrB2c => f.write_str("fr-b2c"),
            Jurisdiction::DeB2b => f.write_str("de-b2b"),
            Jurisdiction::DeB2c => f.write_str("de-b2c"),
            Jurisdiction::Eu => f.write_str("eu"),
            Jurisdiction::Contract(rate) => write!(f, "contract:{rate}"),
        }
    }
}

/// A late-payment rate written in a French B2B contract or terms of sale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ContractRate {
    /// A fixed annual rate: "12 % l'an".
    Fixed(Rate),
    /// A whole multiple of the legal interest rate ("all other cases") of each semester:
    /// "trois fois le taux de l'intérêt légal".
    TimesLegalRate(u32),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{text:?} is not a contract rate (expected an annual percentage such as 12.5, or a multiple of the legal interest rate such as 3x-legal)"
)]
pub struct ContractRateError {
    pub text: String,
}

/// The largest multiple of the legal rate a contract rate may be written as: far above any
/// clause seen, low enough to catch a typing slip.
const TIMES_LEGAL_RATE_MAX: u32 = 20;

impl ContractRate {
    /// Reads `12.5` (a fixed annual rate, as `Rate` reads it) or `3x-legal` (`3x`, `3xlegal`:
    /// three times the legal interest rate).
    pub fn parse(text: &str) -> Result<ContractRate, ContractRateError> {
        let invalid = || ContractRateError {
            text: text.to_owned(),
        };
        let lower = text.trim().to_ascii_lowercase();
        let multiple = ["x-legal", "xlegal", "x"]
            .iter()
            .find_map(|suffix| lower.strip_suffix(suffix));
        if let Some(times) = multiple {
            let times: u32 = times.trim().parse().map_err(|_| invalid())?;
            if !(1..=TIMES_LEGAL_RATE_MAX).contains(&times) {
                return Err(invalid());
            }
            return Ok(ContractRate::TimesLegalRate(times));
        }
        match Rate::parse(&lower) {
            Ok(rate) if !rate.is_negative() => Ok(ContractRate::Fixed(rate)),
            _ => Err(invalid()),
        }
    }
}

/// `12.50` or `3x-legal`: the form `parse` reads back.
impl fmt::Display for ContractRate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ContractRate::Fixed(rate) => write!(f, "{rate}"),
            ContractRate::TimesLegalRate(times) => write!(f, "{times}x-legal"),
        }
    }
}

/// Who the creditor is, which decides the category of the French legal rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CreditorKind {
    /// A business, whoever the debtor is: "all other cases".
    Business,
    /// A natural person not acting for professional purposes.
    PrivateIndividual,
}

coded!(CreditorKind {
    Business => "business",
    PrivateIndividual => "private-individual",
});

impl CreditorKind {
    pub fn legal_rate_category(&self) -> LegalRateCategory {
        match self {
            CreditorKind::Business => LegalRateCategory::AllOtherCases,
            CreditorKind::PrivateIndividual => LegalRateCategory::NaturalPersonNonProfessional,
        }
    }
}

/// What applies to one customer's invoices: the rule set, a contract rate if the contract has
/// one, and who the creditor is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LatePaymentTerms {
    pub jurisdiction: Jurisdiction,
    /// Only `fr-b2b` takes one (it is checked there against the floor of three times the legal
    /// rate); for a contract rate under another law, use `contract:RATE`.
    pub contract_rate: Option<ContractRate>,
    pub creditor: CreditorKind,
}

impl LatePaymentTerms {
    /// The statutory rules of `jurisdiction` for a business creditor, with no contract rate.
    pub fn statutory(jurisdiction: Jurisdiction) -> LatePaymentTerms {
        LatePaymentTerms {
            jurisdiction,
            contract_rate: None,
            creditor: CreditorKind::Business,
        }
    }

    pub fn with_contract_rate(self, contract_rate: ContractRate) -> LatePaymentTerms {
        LatePaymentTerms {
            contract_rate: Some(contract_rate),
            ..self
        }
    }

    pub fn with_creditor(self, creditor: CreditorKind) -> LatePaymentTerms {
        LatePaymentTerms { creditor, ..self }
    }
}

/// How a day counts as a fraction of a year. No statute fixes it; French sources disagree on
/// leap years (LAW.md 1.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayCount {
    /// Every day is 1/365 of a year, leap years included (the more specific source, and the
    /// formula practitioners publish). The default.
    Actual365,
    /// A day of a leap year is 1/366 of a year, any other day 1/365.
    Actual366InLeapYears,
}

coded!(DayCount {
    Actual365 => "actual-365",
    Actual366InLeapYears => "actual-366-in-leap-years",
});

/// Where a partial payment goes while both principal and interest are owed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaymentOrder {
    /// Accrued interest first, then principal (C. civ. 1343-1). The default.
    InterestFirst,
    /// Principal first, then interest: a tenant may choose to favour its customers.
    PrincipalFirst,
}

coded!(PaymentOrder {
    InterestFirst => "interest-first",
    PrincipalFirst => "principal-first",
});

/// What to do with a French B2B contract rate below three times the legal rate of a semester.
/// The text forbids such a rate but does not say what replaces it (LAW.md 3.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BelowFloorPolicy {
    /// Compute at the contract rate as written and flag the invoice for review, so a person
    /// decides before anything is claimed. The default.
    FlagForReview,
    /// Compute at three times the legal rate, and say so.
    ApplyFloor,
    /// Compute at the statutory rate (ECB + 10 points), and say so.
    ApplyStatutoryRate,
}

coded!(BelowFloorPolicy {
    FlagForReview => "flag-for-review",
    ApplyFloor => "apply-floor",
    ApplyStatutoryRate => "apply-statutory-rate",
});

/// Whether the French B2B statutory rate (no contract rate) is raised to three times the legal
/// rate in a half-year where that is higher, as in 2024 (LAW.md 3.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatutoryRateFloor {
    /// ECB + 10 points as the text says: the floor binds contract rates only. The default.
    NotApplied,
    /// The higher of ECB + 10 points and three times the legal rate, with a remark.
    ThreeTimesLegalRate,
}

coded!(StatutoryRateFloor {
    NotApplied => "as-written",
    ThreeTimesLegalRate => "three-times-legal-rate",
});

/// The 5-point increase of the French legal rate after a money judgment (C. mon. fin. L313-3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PostJudgmentIncrease {
    /// From the day after the two-month anniversary of the day the judgment became enforceable
    /// and was served ("once two months have passed"). The default.
    FromDayAfterTwoMonths,
    /// From the two-month anniversary itself.
    FromTwoMonthAnniversary,
    /// Not applied: waived by the juge de l'exécution, or not claimed.
    NotApplied,
}

coded!(PostJudgmentIncrease {
    FromDayAfterTwoMonths => "day-after-two-months",
    FromTwoMonthAnniversary => "two-month-anniversary",
    NotApplied => "not-applied",
});

/// The tenant's choices on the points the law leaves open; each variant says what it does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LatePaymentSettings {
    pub day_count: DayCount,
    pub payment_order: PaymentOrder,
    pub below_floor: BelowFloorPolicy,
    pub statutory_rate_floor: StatutoryRateFloor,
    pub post_judgment_increase: PostJudgmentIncrease,
}

impl LatePaymentSettings {
    /// 365-day years, interest first, contract rates below the floor flagged for review, the
    /// statutory rate as written, +5 points from the day after the two months.
    pub fn french_defaults() -> LatePaymentSettings {
        LatePaymentSettings {
            day_count: DayCount::Actual365,
            payment_order: PaymentOrder::InterestFirst,
            below_floor: BelowFloorPolicy::FlagForReview,
            statutory_rate_floor: StatutoryRateFloor::NotApplied,
            post_judgment_increase: PostJudgmentIncrease::FromDayAfterTwoMonths,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jurisdiction_codes_read_and_display() {
        for code in ["fr-b2b", "fr-b2c", "de-b2b", "de-b2c", "eu"] {
            let jurisdiction = Jurisdiction::parse(code).unwrap();
            assert_eq!(jurisdiction.to_string(), code);
        }
        assert_eq!(Jurisdiction::parse(" FR-B2B "), Ok(Jurisdiction::FrB2b));
        let contract = Jurisdiction::parse("contract:12.5").unwrap();
        assert_eq!(
            contract,
            Jurisdiction::Contract(Rate::from_basis_points(1250))
        );
        assert_eq!(contract.to_string(), "contract:12.50");
        assert_eq!(Jurisdiction::parse(&contract.to_string()), Ok(contract));
    }

    #[test]
    fn bad_jurisdiction_codes_say_what_is_wrong() {
        assert!(matches!(
            Jurisdiction::parse("fr"),
            Err(JurisdictionError::Unknown { .. })
        ));
        assert!(matches!(
            Jurisdiction::parse("contract:twelve"),
            Err(JurisdictionError::InvalidContractRate { .. })
        ));
        assert!(matches!(
            Jurisdiction::parse("contract:-1"),
            Err(JurisdictionError::NegativeContractRate { .. })
        ));
    }

    #[test]
    fn only_business_rule_sets_carry_the_40_euro_indemnity() {
        let forty = Some(Money::from_minor(4_000, Currency::EUR));
        assert_eq!(Jurisdiction::FrB2b.recovery_indemnity(), forty);
        assert_eq!(Jurisdiction::DeB2b.recovery_indemnity(), forty);
        assert_eq!(Jurisdiction::Eu.recovery_indemnity(), forty);
        assert_eq!(Jurisdiction::FrB2c.recovery_indemnity(), None);
        assert_eq!(Jurisdiction::DeB2c.recovery_indemnity(), None);
        assert_eq!(
            Jurisdiction::Contract(Rate::percentage_points(8)).recovery_indemnity(),
            None
        );
    }

    #[test]
    fn a_customers_rule_set_follows_its_country_and_kind() {
        let country = |code| CountryCode::parse(code).unwrap();
        let cases = [
            ("FR", CustomerKind::Business, Jurisdiction::FrB2b),
            ("FR", CustomerKind::Consumer, Jurisdiction::FrB2c),
            ("DE", CustomerKind::Business, Jurisdiction::DeB2b),
            ("DE", CustomerKind::Consumer, Jurisdiction::DeB2c),
            ("BE", CustomerKind::Business, Jurisdiction::Eu),
            ("GR", CustomerKind::Business, Jurisdiction::Eu),
            ("BE", CustomerKind::Consumer, Jurisdiction::FrB2c),
            ("CH", CustomerKind::Business, Jurisdiction::FrB2b),
            ("US", CustomerKind::Consumer, Jurisdiction::FrB2c),
        ];
        for (code, kind, expected) in cases {
            assert_eq!(
                Jurisdiction::for_customer(country(code), kind),
                expected,
                "{code} {kind:?}"
            );
        }
    }

    #[test]
    fn contract_rates_read_as_a_percentage_or_a_multiple_of_the_legal_rate() {
        for (text, expected) in [
            ("12.5", ContractRate::Fixed(Rate::from_basis_points(1250))),
            (
                "15,21 %",
                ContractRate::Fixed(Rate::from_basis_points(1521)),
            ),
            ("3x-legal", ContractRate::TimesLegalRate(3)),
            ("3X", ContractRate::TimesLegalRate(3)),
            ("4xlegal", ContractRate::TimesLegalRate(4)),
        ] {
            assert_eq!(ContractRate::parse(text), Ok(expected), "{text}");
            assert_eq!(ContractRate::parse(&expected.to_string()), Ok(expected));
        }
        for text in ["", "x", "0x", "21x", "-1", "twelve", "12.5.1"] {
            assert!(ContractRate::parse(text).is_err(), "{text:?}");
        }
    }

    #[test]
    fn every_setting_reads_back_its_own_code() {
        fn check<T: Copy + PartialEq + fmt::Debug>(
            all: &[T],
            code: fn(&T) -> &'static str,
            parse: fn(&str) -> Option<T>,
        ) {
            for value in all {
                assert_eq!(parse(code(value)), Some(*value));
                assert_eq!(
                    parse(&format!(" {} ", code(value).to_uppercase())),
                    Some(*value)
                );
            }
            assert_eq!(parse("unknown"), None);
        }
        check(DayCount::ALL, DayCount::code, DayCount::parse);
        check(PaymentOrder::ALL, PaymentOrder::code, PaymentOrder::parse);
        check(
            BelowFloorPolicy::ALL,
            BelowFloorPolicy::code,
            BelowFloorPolicy::parse,
        );
        check(
            StatutoryRateFloor::ALL,
            StatutoryRateFloor::code,
            StatutoryRateFloor::parse,
        );
        check(
            PostJudgmentIncrease::ALL,
            PostJudgmentIncrease::code,
            PostJudgmentIncrease::parse,
        );
        check(CreditorKind::ALL, CreditorKind::code, CreditorKind::parse);
    }

    #[test]
    fn the_legal_rate_category_follows_the_creditor() {
        assert_eq!(
            CreditorKind::Business.legal_rate_category(),
            LegalRateCategory::AllOtherCases
        );
        assert_eq!(
            CreditorKind::PrivateIndividual.legal_rate_category(),
            LegalRateCategory::NaturalPersonNonProfessional
        );
    }
}
