//! Late-payment interest: every worked example of the shared legal notes (LAW.md §5, V1–V15),
//! the errors a caller must see, then properties over generated claims.
//!
//! The tables here are built from the figures of LAW.md §2.1 and §3.1 (and the Bundesbank's
//! base rates), independently of the CSV files `formats` compiles in; `formats` checks its files
//! against some of the same examples.

use domain::customer::Language;
use domain::late_payment::{
    BelowFloorPolicy, Claim, ContractRate, CreditorKind, DayCount, EcbRateChange, EcbRates,
    ExactAmount, FrenchLegalRates, GermanBaseRate, GermanBaseRates, Half, HalfYear, Jurisdiction,
    LateInterest, LatePaymentError, LatePaymentSettings, LatePaymentTerms, LegalRate,
    LegalRateCategory, PaymentOrder, PostJudgmentIncrease, Rate, RateBasis, RateTables, Remark,
    StatementEntry, StatutoryRateFloor, late_interest, statement_of_account,
};
use domain::late_payment::{
    ClaimStart, ClaimStatus, ClaimedStatement, CostsNotClaimed, LatePaymentPolicy, Share,
    StatementError, WaivedCharges, Waiver, WaiverExtent, claimed_statement,
};
use domain::money::{Currency, Money};
use domain::receivable::InvoiceNumber;
use jiff::civil::{Date, date};
use proptest::prelude::*;

// --- Tables -------------------------------------------------------------------------------------

/// ECB MRO changes from 2014 (LAW.md §3.1), and the 2026-01-01 confirmation that the rate of
/// 11 June 2025 still held.
const ECB: &[(i16, i8, i8, i64)] = &[
    (2014, 6, 11, 15),
    (2014, 9, 10, 5),
    (2016, 3, 16, 0),
    (2022, 7, 27, 50),
    (2022, 9, 14, 125),
    (2022, 11, 2, 200),
    (2022, 12, 21, 250),
    (2023, 2, 8, 300),
    (2023, 3, 22, 350),
    (2023, 5, 10, 375),
    (2023, 6, 21, 400),
    (2023, 8, 2, 425),
    (2023, 9, 20, 450),
    (2024, 6, 12, 425),
    (2024, 9, 18, 365),
    (2024, 10, 23, 340),
    (2024, 12, 18, 315),
    (2025, 2, 5, 290),
    (2025, 3, 12, 265),
    (2025, 4, 23, 240),
    (2025, 6, 11, 215),
    (2026, 1, 1, 215),
];

/// French legal rates (LAW.md §2.1): year, half, natural person, all other cases, in basis points.
const LEGAL: &[(i16, Half, i64, i64)] = &[
    (2015, Half::First, 406, 93),
    (2015, Half::Second, 429, 99),
    (2016, Half::First, 454, 101),
    (2016, Half::Second, 435, 93),
    (2017, Half::First, 416, 90),
    (2017, Half::Second, 394, 90),
    (2018, Half::First, 373, 89),
    (2018, Half::Second, 360, 88),
    (2019, Half::First, 340, 86),
    (2019, Half::Second, 326, 87),
    (2020, Half::First, 315, 87),
    (2020, Half::Second, 311, 84),
    (2021, Half::First, 314, 79),
    (2021, Half::Second, 312, 76),
    (2022, Half::First, 313, 76),
    (2022, Half::Second, 315, 77),
    (2023, Half::First, 447, 206),
    (2023, Half::Second, 682, 422),
    (2024, Half::First, 801, 507),
    (2024, Half::Second, 816, 492),
    (2025, Half::First, 721, 371),
    (2025, Half::Second, 665, 276),
    (2026, Half::First, 667, 262),
];

/// German base rates (Deutsche Bundesbank), in basis points.
const GERMAN_BASE: &[(i16, Half, i64)] = &[
    (2015, Half::First, -83),
    (2015, Half::Second, -83),
    (2016, Half::First, -83),
    (2016, Half::Second, -88),
    (2017, Half::First, -88),
    (2017, Half::Second, -88),
    (2018, Half::First, -88),
    (2018, Half::Second, -88),
    (2019, Half::First, -88),
    (2019, Half::Second, -88),
    (2020, Half::First, -88),
    (2020, Half::Second, -88),
    (2021, Half::First, -88),
    (2021, Half::Second, -88),
    (2022, Half::First, -88),
    (2022, Half::Second, -88),
    (2023, Half::First, 162),
    (2023, Half::Second, 312),
    (2024, Half::First, 362),
    (2024, Half::Second, 337),
    (2025, Half::First, 227),
    (2025, Half::Second, 127),
    (2026, Half::First, 127),
];

fn tables() -> RateTables {
    let ecb = EcbRates::new(
        ECB.iter()
            .map(|&(year, month, day, basis_points)| EcbRateChange {
                effective_on: date(year, month, day),
                rate: Rate::from_basis_points(basis_points),
                source: "LAW.md 3.1".into(),
            })
            .collect(),
    )
    .unwrap();
    let french_legal = FrenchLegalRates::new(
        LEGAL
            .iter()
            .flat_map(|&(year, half, natural_person, other_cases)| {
                let half_year = HalfYear::new(year, half);
                [
                    (
                        LegalRateCategory::NaturalPersonNonProfessional,
                        natural_person,
                    ),
                    (LegalRateCategory::AllOtherCases, other_cases),
                ]
                .map(|(category, basis_points)| LegalRate {
                    half_year,
                    category,
                    rate: Rate::from_basis_points(basis_points),
                    source: "LAW.md 2.1".into(),
                })
            })
            .collect(),
    )
    .unwrap();
    let german_base = GermanBaseRates::new(
        GERMAN_BASE
            .iter()
            .map(|&(year, half, basis_points)| GermanBaseRate {
                half_year: HalfYear::new(year, half),
                rate: Rate::from_basis_points(basis_points),
                source: "Deutsche Bundesbank".into(),
            })
            .collect(),
    )
    .unwrap();
    RateTables {
        ecb,
        french_legal,
        german_base,
    }
}

// --- Helpers ------------------------------------------------------------------------------------

fn eur(text: &str) -> Money {
    Money::parse_decimal(text, Currency::EUR).unwrap()
}

fn rate(text: &str) -> Rate {
    Rate::parse(text).unwrap()
}

fn defaults() -> LatePaymentSettings {
    LatePaymentSettings::french_defaults()
}

fn fr_b2b() -> LatePaymentTerms {
    LatePaymentTerms::statutory(Jurisdiction::FrB2b)
}

fn compute(claim: &Claim, terms: LatePaymentTerms, until: Date) -> LateInterest {
    compute_with(claim, terms, until, defaults())
}

fn compute_with(
    claim: &Claim,
    terms: LatePaymentTerms,
    until: Date,
    settings: LatePaymentSettings,
) -> LateInterest {
    late_interest(claim, &terms, until, &tables(), &settings).unwrap()
}

/// Each period as (from, to, days, rate, exact interest to four decimals).
fn periods(result: &LateInterest) -> Vec<(Date, Date, i32, String, String)> {
    result
        .periods
        .iter()
        .map(|period| {
            (
                period.from,
                period.to,
                period.days,
                period.rate.to_string(),
                period.exact_interest.to_decimal_string(4),
            )
        })
        .collect()
}

fn period(
    from: Date,
    to: Date,
    days: i32,
    rate: &str,
    exact: &str,
) -> (Date, Date, i32, String, String) {
    (from, to, days, rate.to_owned(), exact.to_owned())
}

// --- LAW.md §5 worked examples ------------------------------------------------------------------

#[test]
fn v1_a_2024_h1_delay_is_counted_over_365_days_even_in_a_leap_year() {
    let claim = Claim::new(eur("10000.00"), date(2024, 3, 15));
    let result = compute(&claim, fr_b2b(), date(2024, 6, 20));
    assert_eq!(
        periods(&result),
        [period(
            date(2024, 3, 16),
            date(2024, 6, 20),
            97,
            "14.50",
            "385.3425"
        )]
    );
    assert_eq!(result.interest, eur("385.34"));
    assert_eq!(result.indemnity, eur("40.00"));
    assert_eq!(result.total, eur("10425.34"));
    assert_eq!(result.balance.total, eur("10425.34"));
    assert!(matches!(
        result.periods[0].basis,
        RateBasis::EcbRatePlusMargin { ecb_rate, .. } if ecb_rate == rate("4.50")
    ));
}

#[test]
fn v1_counted_over_366_days_in_a_leap_year_gives_384_29() {
    let claim = Claim::new(eur("10000.00"), date(2024, 3, 15));
    let settings = LatePaymentSettings {
        day_count: DayCount::Actual366InLeapYears,
        ..defaults()
    };
    let result = compute_with(&claim, fr_b2b(), date(2024, 6, 20), settings);
    assert_eq!(result.periods[0].year_days, 366);
    assert_eq!(result.interest, eur("384.29"));
}

#[test]
fn v1_at_three_times_the_2024_legal_rate_gives_404_21() {
    let claim = Claim::new(eur("10000.00"), date(2024, 3, 15));
    let contract = fr_b2b().with_contract_rate(ContractRate::TimesLegalRate(3));
    let result = compute(&claim, contract, date(2024, 6, 20));
    assert_eq!(result.periods[0].rate, rate("15.21"));
    assert_eq!(result.interest, eur("404.21"));
    assert!(result.remarks.is_empty());
}

#[test]
fn v1_the_statutory_rate_raised_to_the_2024_floor_gives_404_21_and_says_so() {
    let claim = Claim::new(eur("10000.00"), date(2024, 3, 15));
    let settings = LatePaymentSettings {
        statutory_rate_floor: StatutoryRateFloor::ThreeTimesLegalRate,
        ..defaults()
    };
    let result = compute_with(&claim, fr_b2b(), date(2024, 6, 20), settings);
    assert_eq!(result.interest, eur("404.21"));
    assert_eq!(
        result.remarks,
        [Remark::StatutoryRateRaisedToFloor {
            half_year: HalfYear::new(2024, Half::First),
            statutory_rate: rate("14.50"),
            floor: rate("15.21"),
        }]
    );
    assert!(!result.needs_review());
}

#[test]
fn v2_a_2025_h1_delay_of_60_days() {
    let claim = Claim::new(eur("5000.00"), date(2025, 2, 10));
    let result = compute(&claim, fr_b2b(), date(2025, 4, 11));
    assert_eq!(
        periods(&result),
        [period(
            date(2025, 2, 11),
            date(2025, 4, 11),
            60,
            "13.15",
            "108.0822"
        )]
    );
    assert_eq!(result.interest, eur("108.08"));
    assert_eq!(result.indemnity, eur("40.00"));
}

#[test]
fn v3_interest_uses_the_rate_of_each_half_year_and_rounds_once() {
    let claim = Claim::new(eur("10000.00"), date(2024, 5, 31));
    let result = compute(&claim, fr_b2b(), date(2024, 8, 29));
    assert_eq!(
        periods(&result),
        [
            period(date(2024, 6, 1), date(2024, 6, 30), 30, "14.50", "119.1781"),
            period(date(2024, 7, 1), date(2024, 8, 29), 60, "14.25", "234.2466"),
        ]
    );
    assert_eq!(result.interest, eur("353.42"));
    // The periods show shares of the rounded total, which add up to it exactly.
    let shown: Vec<Money> = result
        .periods
        .iter()
        .map(|period| period.interest)
        .collect();
    assert_eq!(shown, [eur("119.18"), eur("234.24")]);
}

#[test]
fn v4_a_delay_across_the_year_end_switches_rate_on_1_january() {
    let claim = Claim::new(eur("20000.00"), date(2024, 11, 15));
    let result = compute(&claim, fr_b2b(), date(2025, 2, 14));
    assert_eq!(
        periods(&result),
        [
            period(
                date(2024, 11, 16),
                date(2024, 12, 31),
                46,
                "14.25",
                "359.1781"
            ),
            period(date(2025, 1, 1), date(2025, 2, 14), 45, "13.15", "324.2466"),
        ]
    );
    assert_eq!(result.interest, eur("683.42"));
    assert_eq!(result.indemnity, eur("40.00"));
}

fn v5_claim(final_payment: &str) -> Claim {
    Claim::new(eur("12000.00"), date(2025, 1, 31))
        .with_payment(date(2025, 3, 2), eur("5000.00"))
        .with_payment(date(2025, 4, 30), eur(final_payment))
}

#[test]
fn v5_a_a_partial_payment_applied_to_principal_first() {
    let settings = LatePaymentSettings {
        payment_order: PaymentOrder::PrincipalFirst,
        ..defaults()
    };
    let result = compute_with(&v5_claim("7278.49"), fr_b2b(), date(2025, 4, 30), settings);
    assert_eq!(
        periods(&result),
        [
            period(date(2025, 2, 1), date(2025, 3, 2), 30, "13.15", "129.6986"),
            period(date(2025, 3, 3), date(2025, 4, 30), 59, "13.15", "148.7932"),
        ]
    );
    assert_eq!(result.periods[1].base, eur("7000.00"));
    assert_eq!(result.interest, eur("278.49"));
    assert_eq!(result.payments[1].to_principal, eur("7000.00"));
    assert_eq!(result.payments[1].to_interest, eur("278.49"));
    assert_eq!(result.balance.interest, eur("0.00"));
    assert_eq!(result.balance.total, eur("40.00"));
}

#[test]
fn v5_b_a_partial_payment_goes_to_accrued_interest_first() {
    let result = compute(&v5_claim("7281.25"), fr_b2b(), date(2025, 4, 30));
    assert_eq!(result.payments[0].to_interest, eur("129.70"));
    assert_eq!(result.payments[0].to_principal, eur("4870.30"));
    assert_eq!(result.periods[1].base, eur("7129.70"));
    assert_eq!(
        result.periods[1].exact_interest.to_decimal_string(4),
        "151.5501"
    );
    assert_eq!(result.interest, eur("281.25"));
    // The final payment of 7,281.25 settles principal and interest; the indemnity is left.
    assert_eq!(result.payments[1].to_interest, eur("151.55"));
    assert_eq!(result.payments[1].to_principal, eur("7129.70"));
    assert_eq!(result.balance.principal, eur("0.00"));
    assert_eq!(result.balance.interest, eur("0.00"));
    assert_eq!(result.balance.indemnity, eur("40.00"));
    assert_eq!(result.indemnity, eur("40.00"));
}

#[test]
fn v6_one_day_late_across_1_july_uses_the_second_half_rate() {
    let claim = Claim::new(eur("1000.00"), date(2025, 6, 30));
    let result = compute(&claim, fr_b2b(), date(2025, 7, 1));
    assert_eq!(
        periods(&result),
        [period(
            date(2025, 7, 1),
            date(2025, 7, 1),
            1,
            "12.15",
            "0.3329"
        )]
    );
    assert_eq!(result.interest, eur("0.33"));
    assert_eq!(
        result.total.checked_sub(result.principal).unwrap(),
        eur("40.33")
    );
}

#[test]
fn v7_each_invoice_is_rounded_on_its_own_and_owes_its_own_40_euros() {
    let invoice = |number: &str, amount: &str, due_on: Date, paid_on: Date| StatementEntry {
        invoice: InvoiceNumber::parse(number).unwrap(),
        claim: Claim::new(eur(amount), due_on).with_payment(paid_on, eur(amount)),
        terms: fr_b2b(),
    };
    let entries = [
        invoice("A", "1200.00", date(2025, 9, 30), date(2025, 10, 30)),
        invoice("B", "800.00", date(2025, 10, 15), date(2025, 10, 30)),
        invoice("C", "2000.00", date(2025, 10, 31), date(2025, 11, 30)),
    ];
    // Principal first, so each payment of the principal stops interest on its day as the
    // example assumes; the interest and indemnities are what remains due.
    let settings = LatePaymentSettings {
        payment_order: PaymentOrder::PrincipalFirst,
        ..defaults()
    };
    let statement = statement_of_account(
        Currency::EUR,
        &entries,
        date(2025, 11, 30),
        &tables(),
        &settings,
    )
    .unwrap();
    let interest: Vec<Money> = statement
        .lines
        .iter()
        .map(|line| line.late_interest.interest)
        .collect();
    assert_eq!(interest, [eur("11.98"), eur("3.99"), eur("19.97")]);
    assert_eq!(statement.totals.interest, eur("35.94"));
    assert_eq!(statement.totals.indemnity, eur("120.00"));
    assert_eq!(statement.totals.due, eur("155.94"));
    // Pooled, the same exact interest would round to 35.95.
    let pooled = statement
        .lines
        .iter()
        .map(|line| line.late_interest.exact_interest())
        .reduce(|sum, exact| sum.checked_add(exact).unwrap())
        .unwrap();
    assert_eq!(pooled.rounded().unwrap(), eur("35.95"));
}

#[test]
fn v8_a_business_creditor_charges_a_consumer_the_other_cases_legal_rate_from_the_notice() {
    let claim = Claim::new(eur("2500.00"), date(2025, 2, 28)).with_formal_notice(date(2025, 3, 10));
    let result = compute(
        &claim,
        LatePaymentTerms::statutory(Jurisdiction::FrB2c),
        date(2025, 5, 9),
    );
    assert_eq!(
        periods(&result),
        [period(
            date(2025, 3, 11),
            date(2025, 5, 9),
            60,
            "3.71",
            "15.2466"
        )]
    );
    assert_eq!(result.interest, eur("15.25"));
    assert_eq!(result.indemnity, eur("0.00"));
}

#[test]
fn v9_a_private_individual_creditor_uses_the_natural_person_rate_of_each_semester() {
    let claim = Claim::new(eur("3000.00"), date(2025, 1, 15)).with_formal_notice(date(2025, 1, 15));
    let terms = LatePaymentTerms::statutory(Jurisdiction::FrB2c)
        .with_creditor(CreditorKind::PrivateIndividual);
    let result = compute(&claim, terms, date(2025, 9, 15));
    assert_eq!(
        periods(&result),
        [
            period(date(2025, 1, 16), date(2025, 6, 30), 166, "7.21", "98.3721"),
            period(date(2025, 7, 1), date(2025, 9, 15), 77, "6.65", "42.0863"),
        ]
    );
    assert_eq!(result.interest, eur("140.46"));
    assert!(matches!(
        result.periods[0].basis,
        RateBasis::FrenchLegalRate {
            category: LegalRateCategory::NaturalPersonNonProfessional,
            judgment_increase: None,
            ..
        }
    ));
}

#[test]
fn v10_a_period_with_29_february_counts_it_as_one_day() {
    let claim = Claim::new(eur("10000.00"), date(2024, 1, 31));
    let result = compute(&claim, fr_b2b(), date(2024, 3, 1));
    assert_eq!(result.periods[0].days, 30);
    assert_eq!(result.interest, eur("119.18"));
    let settings = LatePaymentSettings {
        day_count: DayCount::Actual366InLeapYears,
        ..defaults()
    };
    let over_366 = compute_with(&claim, fr_b2b(), date(2024, 3, 1), settings);
    assert_eq!(over_366.interest, eur("118.85"));
}

fn v11_claim() -> Claim {
    Claim::new(eur("10000.00"), date(2024, 2, 15))
}

#[test]
fn v11_a_silent_contract_gets_the_statutory_rate_even_below_the_2024_floor() {
    let result = compute(&v11_claim(), fr_b2b(), date(2024, 4, 15));
    assert_eq!(result.periods[0].days, 60);
    assert_eq!(result.interest, eur("238.36"));
    assert!(result.remarks.is_empty());
}

#[test]
fn v11_a_contract_at_three_times_the_legal_rate_gets_it() {
    let terms = fr_b2b().with_contract_rate(ContractRate::TimesLegalRate(3));
    let result = compute(&v11_claim(), terms, date(2024, 4, 15));
    assert_eq!(result.interest, eur("250.03"));
    assert_eq!(
        result.periods[0].basis,
        RateBasis::ContractTimesLegalRate {
            times: 3,
            legal_rate: rate("5.07")
        }
    );
}

#[test]
fn v11_a_contract_rate_below_the_floor_is_kept_and_flagged_for_review_by_default() {
    let terms = fr_b2b().with_contract_rate(ContractRate::Fixed(rate("10")));
    let result = compute(&v11_claim(), terms, date(2024, 4, 15));
    assert_eq!(result.periods[0].rate, rate("10.00"));
    assert_eq!(result.interest, eur("164.38"));
    assert!(result.needs_review());
    assert_eq!(
        result.remarks,
        [Remark::ContractRateBelowFloor {
            half_year: HalfYear::new(2024, Half::First),
            contract_rate: rate("10"),
            floor: rate("15.21"),
            applied: rate("10"),
            policy: BelowFloorPolicy::FlagForReview,
        }]
    );
    assert_eq!(
        result.remarks[0].describe(Language::French),
        "1er semestre 2024 : le taux contractuel de 10,00 % est inférieur à trois fois le taux de l'intérêt légal (15,21 %) ; calcul au taux contractuel, à vérifier avant toute réclamation"
    );
}

#[test]
fn v11_a_contract_rate_below_the_floor_can_be_replaced_by_the_floor_or_the_statutory_rate() {
    let terms = fr_b2b().with_contract_rate(ContractRate::Fixed(rate("10")));
    let with = |below_floor| {
        compute_with(
            &v11_claim(),
            terms,
            date(2024, 4, 15),
            LatePaymentSettings {
                below_floor,
                ..defaults()
            },
        )
    };
    let floor = with(BelowFloorPolicy::ApplyFloor);
    assert_eq!(floor.interest, eur("250.03"));
    assert!(!floor.needs_review());
    assert_eq!(floor.remarks.len(), 1, "the replacement is never silent");
    let statutory = with(BelowFloorPolicy::ApplyStatutoryRate);
    assert_eq!(statutory.interest, eur("238.36"));
    assert_eq!(
        statutory.remarks.len(),
        1,
        "the replacement is never silent"
    );
}

#[test]
fn v12_a_mid_semester_ecb_change_is_ignored_until_the_next_half_year() {
    let claim = Claim::new(eur("50000.00"), date(2022, 11, 30));
    let result = compute(&claim, fr_b2b(), date(2023, 7, 31));
    assert_eq!(
        periods(&result),
        [
            period(
                date(2022, 12, 1),
                date(2022, 12, 31),
                31,
                "10.00",
                "424.6575"
            ),
            period(
                date(2023, 1, 1),
                date(2023, 6, 30),
                181,
                "12.50",
                "3099.3151"
            ),
            period(date(2023, 7, 1), date(2023, 7, 31), 31, "14.00", "594.5205"),
        ]
    );
    assert_eq!(result.interest, eur("4118.49"));
    assert_eq!(result.indemnity, eur("40.00"));
}

#[test]
fn v13_the_2026_h1_rate_is_12_15() {
    let claim = Claim::new(eur("8000.00"), date(2026, 1, 31));
    let result = compute(&claim, fr_b2b(), date(2026, 3, 2));
    assert_eq!(
        periods(&result),
        [period(
            date(2026, 2, 1),
            date(2026, 3, 2),
            30,
            "12.15",
            "79.8904"
        )]
    );
    assert_eq!(result.interest, eur("79.89"));
    assert_eq!(result.indemnity, eur("40.00"));
}

#[test]
fn v14_an_invoice_due_on_the_last_day_of_a_half_year_starts_in_the_next() {
    let claim = Claim::new(eur("10000.00"), date(2024, 12, 31));
    let result = compute(&claim, fr_b2b(), date(2025, 1, 30));
    assert_eq!(
        periods(&result),
        [period(
            date(2025, 1, 1),
            date(2025, 1, 30),
            30,
            "13.15",
            "108.0822"
        )]
    );
    assert_eq!(result.interest, eur("108.08"));
}

fn v15_claim() -> Claim {
    Claim::new(eur("4000.00"), date(2025, 1, 10))
        .with_formal_notice(date(2025, 1, 10))
        .with_judgment(date(2025, 1, 10))
}

#[test]
fn v15_the_legal_rate_rises_by_5_points_from_the_day_after_two_months_from_judgment() {
    let result = compute(
        &v15_claim(),
        LatePaymentTerms::statutory(Jurisdiction::FrB2c),
        date(2025, 5, 9),
    );
    assert_eq!(
        periods(&result),
        [
            period(date(2025, 1, 11), date(2025, 3, 10), 59, "3.71", "23.9879"),
            period(date(2025, 3, 11), date(2025, 5, 9), 60, "8.71", "57.2712"),
        ]
    );
    assert_eq!(result.interest, eur("81.26"));
    assert!(matches!(
        result.periods[1].basis,
        RateBasis::FrenchLegalRate { judgment_increase: Some(increase), .. }
            if increase == rate("5")
    ));
}

#[test]
fn v15_the_increase_can_start_on_the_anniversary_or_be_waived() {
    let with = |post_judgment_increase| {
        compute_with(
            &v15_claim(),
            LatePaymentTerms::statutory(Jurisdiction::FrB2c),
            date(2025, 5, 9),
            LatePaymentSettings {
                post_judgment_increase,
                ..defaults()
            },
        )
    };
    let anniversary = with(PostJudgmentIncrease::FromTwoMonthAnniversary);
    assert_eq!(anniversary.periods[0].days, 58);
    assert_eq!(anniversary.periods[1].from, date(2025, 3, 10));
    let waived = with(PostJudgmentIncrease::NotApplied);
    assert_eq!(periods(&waived).len(), 1);
    // 4,000 × 3.71 % × 119 / 365 = 48.3836
    assert_eq!(waived.interest, eur("48.38"));
}

// --- Other rule sets ----------------------------------------------------------------------------

#[test]
fn german_b2b_interest_is_the_base_rate_plus_9_points_with_40_euros() {
    let claim = Claim::new(eur("10000.00"), date(2024, 3, 15));
    let result = compute(
        &claim,
        LatePaymentTerms::statutory(Jurisdiction::DeB2b),
        date(2024, 6, 20),
    );
    // 10,000 × 12.62 % × 97 / 365 = 335.3808
    assert_eq!(
        periods(&result),
        [period(
            date(2024, 3, 16),
            date(2024, 6, 20),
            97,
            "12.62",
            "335.3808"
        )]
    );
    assert_eq!(result.interest, eur("335.38"));
    assert_eq!(result.indemnity, eur("40.00"));
}

#[test]
fn german_consumer_interest_is_the_base_rate_plus_5_points_from_the_reminder() {
    let claim = Claim::new(eur("1000.00"), date(2017, 3, 1)).with_formal_notice(date(2017, 3, 31));
    let result = compute(
        &claim,
        LatePaymentTerms::statutory(Jurisdiction::DeB2c),
        date(2017, 4, 30),
    );
    // A negative base rate (-0.88) still gives a positive rate: 4.12 %.
    assert_eq!(
        periods(&result),
        [period(
            date(2017, 4, 1),
            date(2017, 4, 30),
            30,
            "4.12",
            "3.3863"
        )]
    );
    assert_eq!(result.indemnity, eur("0.00"));
}

#[test]
fn the_eu_default_is_the_reference_rate_plus_8_points_with_40_euros() {
    let claim = Claim::new(eur("10000.00"), date(2025, 2, 10));
    let result = compute(
        &claim,
        LatePaymentTerms::statutory(Jurisdiction::Eu),
        date(2025, 4, 11),
    );
    // 10,000 × 11.15 % × 60 / 365 = 183.2877
    assert_eq!(
        periods(&result),
        [period(
            date(2025, 2, 11),
            date(2025, 4, 11),
            60,
            "11.15",
            "183.2877"
        )]
    );
    assert_eq!(result.interest, eur("183.29"));
    assert_eq!(result.indemnity, eur("40.00"));
}

#[test]
fn a_contract_rate_applies_as_is_in_any_currency_without_indemnity() {
    let chf = Currency::from_code("CHF").unwrap();
    let claim = Claim::new(
        Money::parse_decimal("3650.00", chf).unwrap(),
        date(2025, 1, 31),
    );
    let terms = LatePaymentTerms::statutory(Jurisdiction::parse("contract:10").unwrap());
    let result = compute(&claim, terms, date(2025, 3, 2));
    // 3,650 × 10 % × 30 / 365 = 30.00
    assert_eq!(result.interest, Money::parse_decimal("30.00", chf).unwrap());
    assert_eq!(result.indemnity, Money::zero(chf));
}

// --- Starts, stops and errors -------------------------------------------------------------------

#[test]
fn an_invoice_paid_on_its_due_date_owes_nothing() {
    let claim = Claim::new(eur("1000.00"), date(2025, 3, 31))
        .with_payment(date(2025, 3, 31), eur("1000.00"));
    let result = compute(&claim, fr_b2b(), date(2025, 6, 30));
    assert!(result.periods.is_empty());
    assert_eq!(result.interest, eur("0.00"));
    assert_eq!(result.indemnity, eur("0.00"));
    assert_eq!(result.balance.total, eur("0.00"));
}

#[test]
fn nothing_is_owed_before_the_due_date_has_passed() {
    let claim = Claim::new(eur("1000.00"), date(2025, 3, 31));
    let result = compute(&claim, fr_b2b(), date(2025, 3, 31));
    assert_eq!(result.interest_starts_on, Some(date(2025, 4, 1)));
    assert!(result.periods.is_empty());
    assert_eq!(result.indemnity, eur("0.00"));
    assert_eq!(result.balance.total, eur("1000.00"));
}

#[test]
fn legal_interest_waits_for_a_formal_notice() {
    let claim = Claim::new(eur("2500.00"), date(2025, 2, 28));
    let result = compute(
        &claim,
        LatePaymentTerms::statutory(Jurisdiction::FrB2c),
        date(2025, 5, 9),
    );
    assert_eq!(result.interest_starts_on, None);
    assert_eq!(result.interest, eur("0.00"));
    assert_eq!(result.remarks, [Remark::NoFormalNotice]);
}

#[test]
fn a_formal_notice_before_the_due_date_starts_interest_only_after_it() {
    let claim = Claim::new(eur("2500.00"), date(2025, 3, 10)).with_formal_notice(date(2025, 2, 1));
    let result = compute(
        &claim,
        LatePaymentTerms::statutory(Jurisdiction::FrB2c),
        date(2025, 5, 9),
    );
    assert_eq!(result.interest_starts_on, Some(date(2025, 3, 11)));
    assert_eq!(result.interest, eur("15.25"));
}

#[test]
fn interest_stops_when_the_principal_is_paid_and_the_rest_can_be_paid_later() {
    let claim = Claim::new(eur("5000.00"), date(2025, 2, 10))
        .with_payment(date(2025, 4, 11), eur("5108.08"))
        .with_payment(date(2025, 6, 1), eur("40.00"));
    let result = compute(&claim, fr_b2b(), date(2025, 6, 30));
    assert_eq!(result.interest, eur("108.08"));
    assert_eq!(
        result.periods.last().map(|period| period.to),
        Some(date(2025, 4, 11))
    );
    assert_eq!(result.payments[1].to_indemnity, eur("40.00"));
    assert_eq!(result.balance.total, eur("0.00"));
}

#[test]
fn a_date_outside_the_tables_is_an_error_naming_the_table() {
    let tables = tables();
    let settings = defaults();
    let unpaid = |due_on| Claim::new(eur("1000.00"), due_on);
    let error = |claim: &Claim, jurisdiction, until| {
        late_interest(
            claim,
            &LatePaymentTerms::statutory(jurisdiction),
            until,
            &tables,
            &settings,
        )
        .unwrap_err()
    };
    assert_eq!(
        error(
            &unpaid(date(2026, 6, 15)),
            Jurisdiction::FrB2b,
            date(2026, 7, 15)
        ),
        LatePaymentError::EcbRateUnknown {
            on: date(2026, 7, 1),
            known_from: date(2014, 6, 11),
            known_through: date(2026, 1, 1),
        }
    );
    assert_eq!(
        error(
            &unpaid(date(2026, 6, 15)).with_formal_notice(date(2026, 6, 20)),
            Jurisdiction::FrB2c,
            date(2026, 7, 15)
        ),
        LatePaymentError::LegalRateUnknown {
            half_year: HalfYear::new(2026, Half::Second),
            category: LegalRateCategory::AllOtherCases,
        }
    );
    assert_eq!(
        error(
            &unpaid(date(2014, 12, 1)),
            Jurisdiction::DeB2b,
            date(2015, 1, 15)
        ),
        LatePaymentError::GermanBaseRateUnknown {
            half_year: HalfYear::new(2014, Half::Second),
        }
    );
    assert!(matches!(
        error(
            &unpaid(date(2014, 1, 1)),
            Jurisdiction::Eu,
            date(2014, 2, 1)
        ),
        LatePaymentError::EcbRateUnknown { .. }
    ));
}

#[test]
fn inconsistent_claims_are_refused_with_the_reason() {
    let tables = tables();
    let settings = defaults();
    let run = |claim: &Claim, terms: LatePaymentTerms| {
        late_interest(claim, &terms, date(2025, 6, 30), &tables, &settings).unwrap_err()
    };
    let claim = Claim::new(eur("100.00"), date(2025, 3, 31));
    assert!(matches!(
        run(
            &claim.clone().with_payment(date(2025, 7, 1), eur("100.00")),
            fr_b2b()
        ),
        LatePaymentError::PaymentAfterUntil { .. }
    ));
    assert_eq!(
        run(
            &claim.clone().with_payment(date(2025, 3, 1), eur("150.00")),
            fr_b2b()
        ),
        LatePaymentError::Overpaid {
            paid_on: date(2025, 3, 1),
            excess: eur("50.00")
        }
    );
    assert!(matches!(
        run(
            &claim,
            LatePaymentTerms::statutory(Jurisdiction::FrB2c)
                .with_contract_rate(ContractRate::TimesLegalRate(3))
        ),
        LatePaymentError::ContractRateNotApplicable { .. }
    ));
    let usd = Currency::from_code("USD").unwrap();
    assert!(matches!(
        run(
            &Claim::new(Money::from_minor(100, usd), date(2025, 3, 31)),
            fr_b2b()
        ),
        LatePaymentError::IndemnityNeedsEuro { .. }
    ));
    assert!(matches!(
        run(
            &claim
                .clone()
                .with_payment(date(2025, 3, 1), Money::from_minor(100, usd)),
            fr_b2b()
        ),
        LatePaymentError::CurrencyMismatch { .. }
    ));
    assert!(matches!(
        run(&Claim::new(eur("0.00"), date(2025, 3, 31)), fr_b2b()),
        LatePaymentError::PrincipalNotPositive { .. }
    ));
}

#[test]
fn a_statement_refuses_an_invoice_in_another_currency_and_names_a_failing_invoice() {
    let usd = Currency::from_code("USD").unwrap();
    let entry = |number: &str, principal: Money, due_on: Date, jurisdiction| StatementEntry {
        invoice: InvoiceNumber::parse(number).unwrap(),
        claim: Claim::new(principal, due_on),
        terms: LatePaymentTerms::statutory(jurisdiction),
    };
    let run = |entries: &[StatementEntry]| {
        statement_of_account(
            Currency::EUR,
            entries,
            date(2025, 6, 30),
            &tables(),
            &defaults(),
        )
        .unwrap_err()
        .to_string()
    };
    let contract = Jurisdiction::Contract(rate("8"));
    assert_eq!(
        run(&[entry(
            "F-1",
            Money::from_minor(100, usd),
            date(2025, 1, 31),
            contract
        )]),
        "invoice F-1 is in USD, the statement in EUR"
    );
    // A fixed contract rate reads no table, so only the fr-b2b invoice of 2014 fails.
    assert_eq!(
        run(&[
            entry("F-2", eur("100.00"), date(2014, 1, 31), contract),
            entry("F-3", eur("100.00"), date(2014, 1, 31), Jurisdiction::FrB2b),
        ]),
        "invoice F-3: the ECB rate on 2014-01-01 is not in the rate table (it covers 2014-06-11 to 2026-01-01)"
    );
}

// --- What the creditor claims -------------------------------------------------------------------

fn v1_entry() -> StatementEntry {
    StatementEntry {
        invoice: InvoiceNumber::parse("V1").unwrap(),
        claim: Claim::new(eur("10000.00"), date(2024, 3, 15)),
        terms: fr_b2b(),
    }
}

fn claimed(
    entries: &[StatementEntry],
    as_of: Date,
    policy: LatePaymentPolicy,
    waivers: &[Waiver],
) -> ClaimedStatement {
    claimed_statement(Currency::EUR, entries, as_of, &tables(), &policy, waivers).unwrap()
}

fn policy(claim_start: ClaimStart) -> LatePaymentPolicy {
    LatePaymentPolicy {
        claim_start,
        ..LatePaymentPolicy::french_defaults()
    }
}

#[test]
fn charges_are_claimed_from_the_due_date_by_default_never_or_once_a_formal_notice_is_sent() {
    let as_of = date(2024, 6, 20);
    let by_default = claimed(
        &[v1_entry()],
        as_of,
        LatePaymentPolicy::french_defaults(),
        &[],
    );
    let line = &by_default.lines[0];
    assert_eq!(line.status, ClaimStatus::Claimed);
    assert_eq!(line.interest_claimed, eur("385.34"));
    assert_eq!(line.indemnity_claimed, eur("40.00"));
    assert_eq!(by_default.totals.due, eur("10425.34"));

    let never = claimed(&[v1_entry()], as_of, policy(ClaimStart::Never), &[]);
    assert_eq!(never.lines[0].status, ClaimStatus::NotClaimed);
    assert_eq!(never.totals.interest_accrued, eur("385.34"), "still shown");
    assert_eq!(never.totals.interest_claimed, eur("0.00"));
    assert_eq!(never.totals.indemnity_claimed, eur("0.00"));
    assert_eq!(never.totals.due, eur("10000.00"));

    let awaiting = claimed(
        &[v1_entry()],
        as_of,
        policy(ClaimStart::FromFormalNotice),
        &[],
    );
    assert_eq!(awaiting.lines[0].status, ClaimStatus::AwaitingFormalNotice);
    assert_eq!(awaiting.totals.due, eur("10000.00"));
    let mut noticed = v1_entry();
    noticed.claim = noticed.claim.with_formal_notice(date(2024, 5, 2));
    let after_notice = claimed(&[noticed], as_of, policy(ClaimStart::FromFormalNotice), &[]);
    assert_eq!(after_notice.lines[0].status, ClaimStatus::Claimed);
    assert_eq!(
        after_notice.totals.interest_claimed,
        eur("385.34"),
        "everything accrued since the day after the due date, not only since the notice"
    );
    assert_eq!(after_notice.totals.due, eur("10425.34"));
}

#[test]
fn payments_go_to_interest_first_only_while_it_is_claimed_in_full() {
    let entry = StatementEntry {
        invoice: InvoiceNumber::parse("V5").unwrap(),
        claim: Claim::new(eur("12000.00"), date(2025, 1, 31))
            .with_payment(date(2025, 3, 2), eur("5000.00")),
        terms: fr_b2b(),
    };
    let as_of = date(2025, 4, 30);
    // V5 B: the 5,000 pays the 129.70 accrued first.
    let claimed_in_full = claimed(
        std::slice::from_ref(&entry),
        as_of,
        LatePaymentPolicy::french_defaults(),
        &[],
    );
    let line = &claimed_in_full.lines[0];
    assert_eq!(line.late_interest.interest, eur("281.25"));
    assert_eq!(line.due_principal, eur("7129.70"));
    assert_eq!(line.due_interest, eur("151.55"));
    assert_eq!(line.due, eur("7321.25"));
    // V5 A: interest not claimed, so the payment cannot be kept against it.
    let not_claimed = claimed(
        std::slice::from_ref(&entry),
        as_of,
        policy(ClaimStart::Never),
        &[],
    );
    let line = &not_claimed.lines[0];
    assert_eq!(line.late_interest.interest, eur("278.49"));
    assert_eq!(line.due_principal, eur("7000.00"));
    assert_eq!(line.due, eur("7000.00"));
    // A waiver of half the interest: principal first too, then half of V5 A's interest.
    let half = Waiver {
        invoice: None,
        extent: WaiverExtent::Share(Share::parse("50").unwrap()),
        charges: WaivedCharges::Interest,
    };
    let waived = claimed(
        &[entry],
        as_of,
        LatePaymentPolicy::french_defaults(),
        &[half],
    );
    let line = &waived.lines[0];
    assert_eq!(
        line.interest_waived,
        eur("139.25"),
        "278.49 / 2, half away from zero"
    );
    assert_eq!(line.interest_claimed, eur("139.24"));
    assert_eq!(line.due, eur("7179.24"));
}

#[test]
fn waivers_apply_in_order_to_the_invoices_they_cover_and_never_below_zero() {
    let invoice = |number: &str, amount: &str, due_on: Date, paid_on: Date| StatementEntry {
        invoice: InvoiceNumber::parse(number).unwrap(),
        claim: Claim::new(eur(amount), due_on).with_payment(paid_on, eur(amount)),
        terms: fr_b2b(),
    };
    // V7: interest 11.98, 3.99 and 19.97; 40 EUR each.
    let entries = [
        invoice("A", "1200.00", date(2025, 9, 30), date(2025, 10, 30)),
        invoice("B", "800.00", date(2025, 10, 15), date(2025, 10, 30)),
        invoice("C", "2000.00", date(2025, 10, 31), date(2025, 11, 30)),
    ];
    let waivers = [
        Waiver {
            invoice: None,
            extent: WaiverExtent::Amount(eur("20.00")),
            charges: WaivedCharges::Interest,
        },
        Waiver {
            invoice: Some(InvoiceNumber::parse("B").unwrap()),
            extent: WaiverExtent::Full,
            charges: WaivedCharges::Indemnity,
        },
        Waiver {
            invoice: None,
            extent: WaiverExtent::Share(Share::parse("50").unwrap()),
            charges: WaivedCharges::Both,
        },
    ];
    let statement = claimed(
        &entries,
        date(2025, 11, 30),
        LatePaymentPolicy::french_defaults(),
        &waivers,
    );
    let waived: Vec<(Money, Money)> = statement
        .lines
        .iter()
        .map(|line| (line.interest_waived, line.indemnity_waived))
        .collect();
    assert_eq!(
        waived,
        [
            // 11.98 by the amount; half of the indemnity.
            (eur("11.98"), eur("20.00")),
            // 3.99 by the amount; the whole indemnity by the second waiver.
            (eur("3.99"), eur("40.00")),
            // 4.03 left of the amount, then half of 19.97 (9.985, rounded away from zero).
            (eur("14.02"), eur("20.00")),
        ]
    );
    let effects: Vec<(Money, Money)> = statement
        .waivers
        .iter()
        .map(|effect| (effect.interest, effect.indemnity))
        .collect();
    assert_eq!(
        effects,
        [
            (eur("20.00"), eur("0.00")),
            (eur("0.00"), eur("40.00")),
            (eur("9.99"), eur("40.00")),
        ]
    );
    assert_eq!(statement.totals.interest_accrued, eur("35.94"));
    assert_eq!(statement.totals.interest_claimed, eur("5.95"));
    assert_eq!(statement.totals.indemnity_claimed, eur("40.00"));
    assert_eq!(statement.totals.paid, eur("4000.00"));
    assert_eq!(statement.totals.due, eur("45.95"));
    assert_eq!(statement.totals.overpaid, eur("0.00"));
}

#[test]
fn a_waiver_in_another_currency_is_refused() {
    let waiver = Waiver {
        invoice: None,
        extent: WaiverExtent::Amount(Money::from_minor(100, Currency::from_code("USD").unwrap())),
        charges: WaivedCharges::Both,
    };
    let result = claimed_statement(
        Currency::EUR,
        &[v1_entry()],
        date(2024, 6, 20),
        &tables(),
        &LatePaymentPolicy::french_defaults(),
        &[waiver],
    );
    assert!(matches!(
        result,
        Err(StatementError::WaiverCurrencyMismatch { .. })
    ));
}

#[test]
fn shares_read_as_percentages_with_two_decimals_at_most() {
    assert_eq!(Share::parse("50").unwrap().hundredths_of_percent(), 5_000);
    assert_eq!(Share::parse("12,5 %").unwrap().to_percent_string(), "12.5");
    assert_eq!(Share::parse("100").unwrap().of(eur("40.00")), eur("40.00"));
    assert_eq!(Share::parse("33.33").unwrap().of(eur("0.03")), eur("0.01"));
    for text in ["0", "100.01", "-5", "12.345", "half"] {
        assert!(Share::parse(text).is_err(), "{text:?}");
    }
}

// --- Properties ---------------------------------------------------------------------------------

/// The first and last days the test tables cover for every rule set.
const FIRST_DAY: Date = date(2015, 1, 1);
const LAST_DAY: Date = date(2026, 6, 30);

fn day_in_tables() -> impl Strategy<Value = Date> {
    let span = (LAST_DAY - FIRST_DAY).get_days();
    (0..=span).prop_map(|offset| FIRST_DAY + jiff::Span::new().days(offset))
}

fn statutory_jurisdiction() -> impl Strategy<Value = Jurisdiction> {
    prop_oneof![
        Just(Jurisdiction::FrB2b),
        Just(Jurisdiction::DeB2b),
        Just(Jurisdiction::DeB2c),
        Just(Jurisdiction::Eu),
        (0_i64..=3_000)
            .prop_map(|basis_points| Jurisdiction::Contract(Rate::from_basis_points(basis_points))),
    ]
}

fn any_settings() -> impl Strategy<Value = LatePaymentSettings> {
    (
        prop_oneof![
            Just(DayCount::Actual365),
            Just(DayCount::Actual366InLeapYears)
        ],
        prop_oneof![
            Just(PaymentOrder::InterestFirst),
            Just(PaymentOrder::PrincipalFirst)
        ],
        prop_oneof![
            Just(StatutoryRateFloor::NotApplied),
            Just(StatutoryRateFloor::ThreeTimesLegalRate)
        ],
    )
        .prop_map(
            |(day_count, payment_order, statutory_rate_floor)| LatePaymentSettings {
                day_count,
                payment_order,
                statutory_rate_floor,
                ..defaults()
            },
        )
}

/// A claim whose rule set runs interest from the due date, every date of it in the tables;
/// `de-b2c` gets its formal notice on the due date.
fn claim_from_due_date(jurisdiction: Jurisdiction, principal_cents: i64, due_on: Date) -> Claim {
    let claim = Claim::new(Money::from_minor(principal_cents, Currency::EUR), due_on);
    match jurisdiction {
        Jurisdiction::DeB2c | Jurisdiction::FrB2c => claim.with_formal_notice(due_on),
        _ => claim,
    }
}

fn ordered(first: Date, second: Date) -> (Date, Date) {
    (first.min(second), first.max(second))
}

proptest! {
    #[test]
    fn interest_is_zero_when_paid_on_time(
        jurisdiction in statutory_jurisdiction(),
        principal_cents in 1_i64..100_000_000,
        split_per_mille in 0_i64..=1000,
        dates in (day_in_tables(), day_in_tables(), day_in_tables()),
        settings in any_settings(),
    ) {
        let (paid_on, due_on) = ordered(dates.0, dates.1);
        let until = due_on.max(dates.2);
        let first = principal_cents * split_per_mille / 1000;
        let mut claim = claim_from_due_date(jurisdiction, principal_cents, due_on);
        if first > 0 {
            claim = claim.with_payment(paid_on, Money::from_minor(first, Currency::EUR));
        }
        if principal_cents > first {
            claim = claim.with_payment(due_on, Money::from_minor(principal_cents - first, Currency::EUR));
        }
        let result = late_interest(&claim, &LatePaymentTerms::statutory(jurisdiction), until, &tables(), &settings).unwrap();
        prop_assert!(result.periods.is_empty());
        prop_assert!(result.interest.is_zero());
        prop_assert!(result.indemnity.is_zero());
        prop_assert!(result.balance.total.is_zero());
    }

    #[test]
    fn interest_grows_with_days_late(
        jurisdiction in statutory_jurisdiction(),
        principal_cents in 1_i64..100_000_000,
        dates in (day_in_tables(), day_in_tables(), day_in_tables()),
        settings in any_settings(),
    ) {
        let mut sorted = [dates.0, dates.1, dates.2];
        sorted.sort();
        let [due_on, earlier, later] = sorted;
        let claim = claim_from_due_date(jurisdiction, principal_cents, due_on);
        let terms = LatePaymentTerms::statutory(jurisdiction);
        let at = |until| late_interest(&claim, &terms, until, &tables(), &settings).unwrap();
        let (before, after) = (at(earlier), at(later));
        prop_assert!(before.interest.minor() <= after.interest.minor());
        let exact_gap = after.exact_interest().checked_sub(before.exact_interest()).unwrap();
        prop_assert!(!exact_gap.is_negative());
        let rate_is_positive = after.periods.iter().all(|period| period.rate > Rate::ZERO);
        if later > earlier && rate_is_positive {
            prop_assert!(!exact_gap.is_zero());
        }
    }

    #[test]
    fn interest_is_additive_when_a_period_is_split(
        jurisdiction in statutory_jurisdiction(),
        principal_cents in 1_i64..100_000_000,
        dates in (day_in_tables(), day_in_tables(), day_in_tables()),
        day_count in prop_oneof![Just(DayCount::Actual365), Just(DayCount::Actual366InLeapYears)],
    ) {
        let mut sorted = [dates.0, dates.1, dates.2];
        sorted.sort();
        let [due_on, split_on, until] = sorted;
        let settings = LatePaymentSettings { day_count, ..defaults() };
        let terms = LatePaymentTerms::statutory(jurisdiction);
        let exact = |due_on, until| {
            let claim = claim_from_due_date(jurisdiction, principal_cents, due_on);
            late_interest(&claim, &terms, until, &tables(), &settings).unwrap()
        };
        let whole = exact(due_on, until);
        let first = exact(due_on, split_on);
        let second = exact(split_on, until);
        prop_assert_eq!(
            whole.exact_interest(),
            first.exact_interest().checked_add(second.exact_interest()).unwrap()
        );
        let rounded_sum = first.interest.minor() + second.interest.minor();
        prop_assert!((whole.interest.minor() - rounded_sum).abs() <= 1);
    }

    #[test]
    fn periods_use_only_rates_from_the_tables(
        jurisdiction in statutory_jurisdiction(),
        creditor in prop_oneof![Just(CreditorKind::Business), Just(CreditorKind::PrivateIndividual)],
        principal_cents in 1_i64..100_000_000,
        dates in (day_in_tables(), day_in_tables()),
    ) {
        let (due_on, until) = ordered(dates.0, dates.1);
        let tables = tables();
        for (jurisdiction, terms) in [
            (jurisdiction, LatePaymentTerms::statutory(jurisdiction)),
            (Jurisdiction::FrB2c, LatePaymentTerms::statutory(Jurisdiction::FrB2c).with_creditor(creditor)),
        ] {
            let claim = claim_from_due_date(jurisdiction, principal_cents, due_on);
            let result = late_interest(&claim, &terms, until, &tables, &defaults()).unwrap();
            let mut next_from = due_on.tomorrow().unwrap();
            for period in &result.periods {
                prop_assert_eq!(period.from, next_from);
                prop_assert_eq!(HalfYear::containing(period.from), period.half_year);
                prop_assert_eq!(HalfYear::containing(period.to), period.half_year);
                let half_year = period.half_year;
                let expected = match jurisdiction {
                    Jurisdiction::FrB2b => tables.eu_reference_rate(half_year).unwrap().checked_add(Rate::percentage_points(10)),
                    Jurisdiction::Eu => tables.eu_reference_rate(half_year).unwrap().checked_add(Rate::percentage_points(8)),
                    Jurisdiction::DeB2b => tables.german_base.rate(half_year).unwrap().rate.checked_add(Rate::percentage_points(9)),
                    Jurisdiction::DeB2c => tables.german_base.rate(half_year).unwrap().rate.checked_add(Rate::percentage_points(5)),
                    Jurisdiction::FrB2c => Some(tables.french_legal.rate(half_year, creditor.legal_rate_category()).unwrap().rate),
                    Jurisdiction::Contract(rate) => Some(rate),
                };
                prop_assert_eq!(Some(period.rate), expected);
                next_from = period.to.tomorrow().unwrap();
            }
            let days: i32 = result.periods.iter().map(|period| period.days).sum();
            prop_assert_eq!(days, (until - due_on).get_days());
        }
    }

    #[test]
    fn a_date_after_the_tables_is_never_a_figure(
        jurisdiction in prop_oneof![
            Just(Jurisdiction::FrB2b),
            Just(Jurisdiction::FrB2c),
            Just(Jurisdiction::DeB2b),
            Just(Jurisdiction::DeB2c),
            Just(Jurisdiction::Eu),
        ],
        due_on in day_in_tables(),
        days_after in 1_i64..2_000,
    ) {
        let until = LAST_DAY + jiff::Span::new().days(days_after);
        let claim = claim_from_due_date(jurisdiction, 100_000, due_on);
        let result = late_interest(&claim, &LatePaymentTerms::statutory(jurisdiction), until, &tables(), &defaults());
        let is_rate_unknown = matches!(
            result,
            Err(LatePaymentError::EcbRateUnknown { .. }
                | LatePaymentError::LegalRateUnknown { .. }
                | LatePaymentError::GermanBaseRateUnknown { .. })
        );
        prop_assert!(is_rate_unknown, "{:?}", result);
    }

    #[test]
    fn the_b2b_floor_of_three_times_the_legal_rate_binds_when_it_should(
        contract_basis_points in 0_i64..=2_500,
        principal_cents in 1_i64..100_000_000,
        dates in (day_in_tables(), day_in_tables()),
    ) {
        let (due_on, until) = ordered(dates.0, dates.1);
        let tables = tables();
        let contract_rate = Rate::from_basis_points(contract_basis_points);
        let claim = Claim::new(Money::from_minor(principal_cents, Currency::EUR), due_on);
        let contract = fr_b2b().with_contract_rate(ContractRate::Fixed(contract_rate));
        let run = |terms: &LatePaymentTerms, settings: LatePaymentSettings| {
            late_interest(&claim, terms, until, &tables, &settings).unwrap()
        };
        let floored = run(&contract, LatePaymentSettings { below_floor: BelowFloorPolicy::ApplyFloor, ..defaults() });
        let flagged = run(&contract, defaults());
        let silent = run(&fr_b2b(), LatePaymentSettings { statutory_rate_floor: StatutoryRateFloor::ThreeTimesLegalRate, ..defaults() });
        for ((floored, flagged), silent) in floored.periods.iter().zip(&flagged.periods).zip(&silent.periods) {
            let half_year = floored.half_year;
            let floor = tables.french_legal.rate(half_year, LegalRateCategory::AllOtherCases).unwrap().rate.checked_times(3).unwrap();
            let statutory = tables.eu_reference_rate(half_year).unwrap().checked_add(Rate::percentage_points(10)).unwrap();
            prop_assert_eq!(floored.rate, contract_rate.max(floor));
            prop_assert_eq!(flagged.rate, contract_rate);
            prop_assert_eq!(silent.rate, statutory.max(floor));
        }
        let below_somewhere = flagged.periods.iter().any(|period| {
            let floor = tables.french_legal.rate(period.half_year, LegalRateCategory::AllOtherCases).unwrap().rate.checked_times(3).unwrap();
            contract_rate < floor
        });
        prop_assert_eq!(flagged.needs_review(), below_somewhere);
        prop_assert!(floored.interest.minor() >= flagged.interest.minor());
    }

    #[test]
    fn period_figures_add_up_to_the_interest_and_payments_to_what_was_paid(
        jurisdiction in statutory_jurisdiction(),
        principal_cents in 1_i64..100_000_000,
        dates in (day_in_tables(), day_in_tables()),
        payments in proptest::collection::vec((0_i64..=2_000, 1_i64..=400), 0..4),
        settings in any_settings(),
    ) {
        let (due_on, until) = ordered(dates.0, dates.1);
        let mut claim = claim_from_due_date(jurisdiction, principal_cents, due_on);
        // Payments of up to 40 % of the principal each, on days up to `until`.
        for (offset, per_mille) in payments {
            let paid_on = (due_on + jiff::Span::new().days(offset)).min(until);
            let amount = (principal_cents * per_mille / 1000).max(1);
            claim = claim.with_payment(paid_on, Money::from_minor(amount, Currency::EUR));
        }
        let terms = LatePaymentTerms::statutory(jurisdiction);
        let result = match late_interest(&claim, &terms, until, &tables(), &settings) {
            Ok(result) => result,
            // Payments may add up to more than is owed; that is refused, never absorbed.
            Err(LatePaymentError::Overpaid { .. }) => return Ok(()),
            Err(error) => return Err(TestCaseError::fail(error.to_string())),
        };
        let shown: i64 = result.periods.iter().map(|period| period.interest.minor()).sum();
        prop_assert_eq!(shown, result.interest.minor());
        for period in &result.periods {
            let gap = period.exact_interest.checked_sub(ExactAmount::from_money(period.interest)).unwrap();
            prop_assert!(gap.rounded().unwrap().minor().abs() <= 1);
        }
        let imputed: i64 = result.payments.iter()
            .map(|payment| payment.to_interest.minor() + payment.to_principal.minor() + payment.to_indemnity.minor())
            .sum();
        prop_assert_eq!(imputed, result.paid.minor());
        prop_assert_eq!(result.total.minor() - result.paid.minor(), result.balance.total.minor());
        prop_assert!(result.balance.principal.minor() >= 0 && result.balance.interest.minor() >= 0);
    }
}

// --- Proven collection costs --------------------------------------------------------------------

fn two_invoices() -> Vec<StatementEntry> {
    let second = StatementEntry {
        invoice: InvoiceNumber::parse("V1-bis").unwrap(),
        claim: Claim::new(eur("500.00"), date(2024, 4, 15)),
        terms: fr_b2b(),
    };
    vec![v1_entry(), second]
}

#[test]
fn proven_costs_are_claimed_only_beyond_the_fixed_indemnities_of_the_claimed_invoices() {
    let as_of = date(2024, 6, 20);
    let statement = claimed(
        &two_invoices(),
        as_of,
        LatePaymentPolicy::french_defaults(),
        &[],
    );
    let due_before = statement.totals.due;
    let with_costs = statement
        .with_proven_costs(eur("250.00"), Jurisdiction::FrB2b)
        .unwrap();
    let costs = with_costs.costs.unwrap();
    assert_eq!(costs.proven, eur("250.00"));
    assert_eq!(
        costs.covered_by_indemnities,
        eur("80.00"),
        "two invoices, 40 EUR each"
    );
    assert_eq!(costs.claimed, eur("170.00"));
    assert_eq!(costs.not_claimed, None);
    assert_eq!(with_costs.totals.costs_claimed, eur("170.00"));
    assert_eq!(
        with_costs.totals.due,
        due_before.checked_add(eur("170.00")).unwrap()
    );
}

#[test]
fn costs_the_indemnities_already_cover_add_nothing() {
    let statement = claimed(
        &two_invoices(),
        date(2024, 6, 20),
        LatePaymentPolicy::french_defaults(),
        &[],
    );
    let due_before = statement.totals.due;
    let with_costs = statement
        .with_proven_costs(eur("80.00"), Jurisdiction::FrB2b)
        .unwrap();
    let costs = with_costs.costs.unwrap();
    assert_eq!(costs.claimed, eur("0.00"));
    assert_eq!(
        costs.not_claimed,
        Some(CostsNotClaimed::CoveredByIndemnities)
    );
    assert_eq!(with_costs.totals.due, due_before);
}

#[test]
fn a_waived_indemnity_is_not_made_up_for_by_proven_costs() {
    let waiver = Waiver {
        invoice: None,
        extent: WaiverExtent::Full,
        charges: WaivedCharges::Indemnity,
    };
    let statement = claimed(
        &two_invoices(),
        date(2024, 6, 20),
        LatePaymentPolicy::french_defaults(),
        &[waiver],
    );
    assert_eq!(statement.totals.indemnity_claimed, eur("0.00"));
    let costs = statement
        .with_proven_costs(eur("250.00"), Jurisdiction::FrB2b)
        .unwrap()
        .costs
        .unwrap();
    assert_eq!(costs.covered_by_indemnities, eur("80.00"));
    assert_eq!(costs.claimed, eur("170.00"));
}

#[test]
fn a_consumer_is_never_charged_collection_costs() {
    let entry = StatementEntry {
        invoice: InvoiceNumber::parse("C-1").unwrap(),
        claim: Claim::new(eur("1000.00"), date(2024, 3, 15)).with_formal_notice(date(2024, 4, 1)),
        terms: LatePaymentTerms::statutory(Jurisdiction::FrB2c),
    };
    let statement = claimed(
        &[entry],
        date(2024, 6, 20),
        LatePaymentPolicy::french_defaults(),
        &[],
    );
    let due_before = statement.totals.due;
    let with_costs = statement
        .with_proven_costs(eur("300.00"), Jurisdiction::FrB2c)
        .unwrap();
    let costs = with_costs.costs.unwrap();
    assert_eq!(costs.claimed, eur("0.00"));
    assert_eq!(
        costs.not_claimed,
        Some(CostsNotClaimed::RuleSetWithoutIndemnity)
    );
    assert_eq!(with_costs.totals.due, due_before);
}

#[test]
fn costs_wait_like_the_other_charges_for_a_creditor_that_claims_from_the_formal_notice() {
    let statement = claimed(
        &two_invoices(),
        date(2024, 6, 20),
        policy(ClaimStart::FromFormalNotice),
        &[],
    );
    let costs = statement
        .with_proven_costs(eur("250.00"), Jurisdiction::FrB2b)
        .unwrap()
        .costs
        .unwrap();
    assert_eq!(costs.claimed, eur("0.00"));
    assert_eq!(costs.not_claimed, Some(CostsNotClaimed::ChargesNotClaimed));
}

#[test]
fn giving_the_costs_again_replaces_them_and_another_currency_is_refused() {
    let statement = claimed(
        &two_invoices(),
        date(2024, 6, 20),
        LatePaymentPolicy::french_defaults(),
        &[],
    );
    let due_before = statement.totals.due;
    let twice = statement
        .clone()
        .with_proven_costs(eur("250.00"), Jurisdiction::FrB2b)
        .unwrap()
        .with_proven_costs(eur("100.00"), Jurisdiction::FrB2b)
        .unwrap();
    assert_eq!(twice.totals.costs_claimed, eur("20.00"));
    assert_eq!(
        twice.totals.due,
        due_before.checked_add(eur("20.00")).unwrap()
    );
    assert_eq!(
        statement
            .with_proven_costs(
                Money::from_minor(100, Currency::from_code("USD").unwrap()),
                Jurisdiction::FrB2b
            )
            .unwrap_err()
            .to_string(),
        "collection costs in USD on a statement in EUR"
    );
}
