//! Sample data: a creditor in Lyon, a bakery that owes three invoices, a statement of account.
//! Previews use it when no customer is named, and every template is checked against it before
//! it is saved (in both kinds of customer and every tone, so a branch taken only for consumers
//! or for a firm step is checked too).
//!
//! The sample's date is 20 May 2026, inside the half-year the rate tables below cover; the
//! tables are a small copy of the official figures (ECB 2.15 %, French legal rate 2026 H1),
//! enough for the sample statement and nothing else.

use domain::case::DisputeReason;
use domain::creditor::{CreditorProfile, PostalAddress, TimeZoneName};
use domain::customer::{CustomerKind, Language};
use domain::identifiers::{CountryCode, Iban, Siren};
use domain::late_payment::{
    EcbRateChange, EcbRates, FrenchLegalRates, GermanBaseRate, GermanBaseRates, Half, HalfYear,
    Jurisdiction, LatePaymentTerms, LegalRate, LegalRateCategory, Rate, RateTables,
};
use domain::money::{Currency, Money};
use domain::plan::{Frequency, Installment};
use domain::scenario::Tone;
use jiff::civil::{Date, date};

use crate::catalog::{Builtin, default_step};
use crate::context::{
    Collector, ContextError, DisputeFacts, InvoiceFacts, MessageContext, MessageFacts, PlanFacts,
    PromiseFacts, ReceiptFacts, Recipient, amount_asked, statement_facts,
};

/// The day the sample messages bear.
pub const SAMPLE_DATE: Date = date(2026, 5, 20);

/// The sample creditor.
pub fn sample_creditor() -> CreditorProfile {
    CreditorProfile {
        company_name: "Atelier Bellevue SARL".to_owned(),
        siren: Siren::parse("732829320").ok(),
        address: PostalAddress {
            line1: "14 rue de la République".to_owned(),
            line2: String::new(),
            postal_code: "69002".to_owned(),
            city: "Lyon".to_owned(),
            country: Some(CountryCode::FRANCE),
        },
        iban: Iban::parse("FR76 3000 6000 0112 3456 7890 189").ok(),
        bic: None,
        language: domain::customer::Language::French,
        time_zone: TimeZoneName::europe_paris(),
        currency: Currency::EUR,
        default_payment_term_days: 30,
    }
}

fn eur(minor: i64) -> Money {
    Money::from_minor(minor, Currency::EUR)
}

/// Three monthly installments after a down payment, penalties waived if honoured.
fn sample_plan() -> PlanFacts {
    let installments: Vec<Installment> = [
        (0, date(2026, 6, 5), 50_000),
        (1, date(2026, 7, 5), 100_000),
        (2, date(2026, 8, 5), 100_000),
        (3, date(2026, 9, 5), 135_550),
    ]
    .into_iter()
    .map(|(number, due_on, minor)| Installment {
        number,
        due_on,
        amount: eur(minor),
    })
    .collect();
    let next = Installment {
        number: 1,
        due_on: date(2026, 7, 5),
        amount: eur(100_000),
    };
    PlanFacts {
        number: 12,
        covered: eur(385_550),
        charges: eur(0),
        invoices: vec!["F-2026-0131".to_owned(), "F-2026-0178".to_owned()],
        installments,
        every: Frequency::Monthly,
        waive_charges: true,
        grace_days: 5,
        paid: eur(50_000),
        next: Some((next, eur(100_000))),
        grace_ends_on: Some(date(2026, 7, 10)),
    }
}

fn sample_recipient(kind: CustomerKind) -> Recipient {
    match kind {
        // An ampersand and accents: the sample exercises escaping and the font.
        CustomerKind::Business => Recipient {
            reference: "C042".to_owned(),
            name: "Boulangerie Lefèvre & Fils".to_owned(),
            kind,
            address: PostalAddress {
                line1: "3 place des Célestins".to_owned(),
                line2: "Bâtiment B".to_owned(),
                postal_code: "69002".to_owned(),
                city: "Lyon".to_owned(),
                country: Some(CountryCode::FRANCE),
            },
            email: "compta@boulangerie-lefevre.example".to_owned(),
            phone: "04 72 00 00 00".to_owned(),
        },
        CustomerKind::Consumer => Recipient {
            reference: "P107".to_owned(),
            name: "Mme Hélène Dupré".to_owned(),
            kind,
            address: PostalAddress {
                line1: "8 chemin des Érables".to_owned(),
                line2: String::new(),
                postal_code: "69340".to_owned(),
                city: "Francheville".to_owned(),
                country: Some(CountryCode::FRANCE),
            },
            email: "helene.dupre@example.org".to_owned(),
            phone: "06 00 00 00 00".to_owned(),
        },
    }
}

#[allow(clippy::inconsistent_digit_grouping)] // cents grouped as euros_cents
fn sample_invoices() -> Vec<InvoiceFacts> {
    vec![
        InvoiceFacts {
            number: "F-2026-0131".to_owned(),
            issued_on: date(2026, 2, 10),
            due_on: date(2026, 3, 12),
            amount: eur(1_200_00),
            outstanding: eur(1_200_00),
        },
        InvoiceFacts {
            number: "F-2026-0178".to_owned(),
            issued_on: date(2026, 3, 5),
            due_on: date(2026, 4, 4),
            amount: eur(845_50),
            outstanding: eur(345_50),
        },
        InvoiceFacts {
            number: "F-2026-0206".to_owned(),
            issued_on: date(2026, 4, 2),
            due_on: date(2026, 5, 2),
            amount: eur(2_310_00),
            outstanding: eur(2_310_00),
        },
    ]
}

/// The rates the sample statement needs (2026 H1), with their sources.
pub fn sample_rate_tables() -> RateTables {
    let ecb = EcbRates::new(vec![
        EcbRateChange {
            effective_on: date(2025, 6, 11),
            rate: Rate::from_basis_points(215),
            source: "ECB decision of 5 June 2025".to_owned(),
        },
        EcbRateChange {
            effective_on: date(2026, 1, 1),
            rate: Rate::from_basis_points(215),
            source: "unchanged on 1 January 2026".to_owned(),
        },
    ])
    .expect("the sample ECB table is valid");
    let half = HalfYear::new(2026, Half::First);
    let french_legal = FrenchLegalRates::new(vec![
        LegalRate {
            half_year: half,
            category: LegalRateCategory::AllOtherCases,
            rate: Rate::from_basis_points(262),
            source: "arrêté du 15 décembre 2025".to_owned(),
        },
        LegalRate {
            half_year: half,
            category: LegalRateCategory::NaturalPersonNonProfessional,
            rate: Rate::from_basis_points(667),
            source: "arrêté du 15 décembre 2025".to_owned(),
        },
    ])
    .expect("the sample legal rates are valid");
    let german_base = GermanBaseRates::new(vec![GermanBaseRate {
        half_year: half,
        rate: Rate::from_basis_points(127),
        source: "Deutsche Bundesbank".to_owned(),
    }])
    .expect("the sample base rate is valid");
    RateTables {
        ecb,
        french_legal,
        german_base,
    }
}

/// The sample context of `builtin`, for a kind of customer and a tone (`None`: the tone of
/// the default scenario's step).
#[allow(clippy::inconsistent_digit_grouping)] // cents grouped as euros_cents
pub fn sample_context(
    builtin: &Builtin,
    language: Language,
    kind: CustomerKind,
    tone: Option<Tone>,
) -> MessageContext {
    let creditor = sample_creditor();
    let mut invoices = sample_invoices();
    let mut step = default_step(builtin, kind);
    if let Some(tone) = tone {
        step.tone = tone;
    }
    let today = if step.key == "pre_due_reminder" {
        // Before the due date, only the invoice that is about to fall due.
        invoices.retain(|invoice| invoice.number == "F-2026-0206");
        date(2026, 4, 29)
    } else {
        SAMPLE_DATE
    };
    let statement = statement_facts(
        &invoices,
        LatePaymentTerms::statutory(Jurisdiction::for_customer(CountryCode::FRANCE, kind)),
        today,
        &sample_rate_tables(),
        language,
    );
    let facts = MessageFacts {
        language,
        today,
        creditor: &creditor,
        collector: Collector {
            name: "Camille Durand".to_owned(),
            email: "camille.durand@atelier-bellevue.example".to_owned(),
            phone: "04 78 00 00 00".to_owned(),
        },
        customer: sample_recipient(kind),
        invoices,
        statement,
        step,
        amount_asked: amount_asked(builtin),
        promise: Some(PromiseFacts {
            amount: eur(1_200_00),
            due_on: date(2026, 6, 5),
        }),
        dispute: Some(DisputeFacts {
            invoice: "F-2026-0178".to_owned(),
            reason: DisputeReason::Defective,
            opened_on: date(2026, 5, 18),
        }),
        receipt: Some(ReceiptFacts {
            amount: eur(1_200_00),
            paid_on: date(2026, 5, 19),
            invoices: vec!["F-2026-0131".to_owned()],
            // The thank-you follows a payment in full; a receipt may be for a part.
            remaining: if builtin.key == "thank_you" {
                eur(0)
            } else {
                eur(2_655_50)
            },
        }),
        plan: Some(sample_plan()),
        portal_url: Some(
            "https://relance.example.fr/p/3f9a1c0e5b7d2a4c6e8f0a1b3c5d7e9f1a2b4c6d8e0f2a4b6c8d0e2f4a6b8c0d"
                .to_owned(),
        ),
    };
    MessageContext::build(&facts).unwrap_or_else(|error: ContextError| {
        panic!("the sample context of {} builds: {error}", builtin.key)
    })
}
