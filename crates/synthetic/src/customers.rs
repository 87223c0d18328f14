//! Generated customers: French businesses ("Boulangerie Martin Lyon SARL") and consumers
//! ("Hélène Dupont"), each with a payer type and a behaviour that drives its invoices' payments.
//!
//! Customers are drawn in index order from their own ChaCha stream; customer `i` has the
//! reference `C{i+1:06}`. E-mail addresses are unique: the first customer of a name gets the
//! plain address, later ones get their number in it.

use domain::creditor::PostalAddress;
use domain::customer::{CustomerDetails, CustomerKind, CustomerRef, EmailAddress, PhoneNumber};
use domain::identifiers::{CountryCode, Siren};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use crate::identifiers::{SIREN_BODY_SPAN, siren_for_index};
use crate::words::{
    ACTIVITIES, CITIES, City, FIRST_NAMES, LEGAL_FORMS, MAILBOXES, STREETS, SURNAMES, slug,
};
use crate::{CUSTOMER_STREAM, PortfolioSpec, push_digits, rng_for};

/// How reliably a customer pays, the coarse class behind its `Behaviour`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PayerType {
    Good,
    Slow,
    Bad,
    Defaulter,
}

impl PayerType {
    pub const ALL: [PayerType; 4] = [
        PayerType::Good,
        PayerType::Slow,
        PayerType::Bad,
        PayerType::Defaulter,
    ];

    pub fn code(&self) -> &'static str {
        match self {
            PayerType::Good => "good",
            PayerType::Slow => "slow",
            PayerType::Bad => "bad",
            PayerType::Defaulter => "defaulter",
        }
    }

    /// Share of customers of this type, in percent (the performance spec's 45/25/20/10).
    fn share_percent(&self) -> u32 {
        match self {
            PayerType::Good => 45,
            PayerType::Slow => 25,
            PayerType::Bad => 20,
            PayerType::Defaulter => 10,
        }
    }

    /// The behaviours a customer of this type shows, with their weights in percent. Chosen so
    /// that a large portfolio lands on 72 % paid, 6.4 % partly paid and 21.6 % open (see the
    /// calibration test), while each behaviour stays believable for its type.
    pub(crate) fn behaviour_weights(&self) -> &'static [(Behaviour, u32)] {
        use Behaviour::*;
        match self {
            PayerType::Good => &[(PaysOnTime, 75), (Forgets, 18), (Disputes, 7)],
            PayerType::Slow => &[
                (Forgets, 45),
                (PaysInParts, 20),
                (Disputes, 15),
                (LateInDifficulty, 20),
            ],
            PayerType::Bad => &[
                (LateInDifficulty, 40),
                (PaysInParts, 35),
                (Disputes, 15),
                (Forgets, 10),
            ],
            PayerType::Defaulter => &[(NeverPays, 80), (LateInDifficulty, 10), (PaysInParts, 10)],
        }
    }
}

/// What the demo shows a customer doing with its invoices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Behaviour {
    /// Pays around the due date.
    PaysOnTime,
    /// Pays one to three weeks late.
    Forgets,
    /// Pays one to four months late, and leaves some invoices unpaid.
    LateInDifficulty,
    /// Pays as its payer type does, but about one invoice in ten is disputed and left unpaid.
    Disputes,
    /// Often pays an instalment (30–70 %) first and the rest much later, or not at all.
    PaysInParts,
    /// Pays nothing.
    NeverPays,
}

impl Behaviour {
    pub const ALL: [Behaviour; 6] = [
        Behaviour::PaysOnTime,
        Behaviour::Forgets,
        Behaviour::LateInDifficulty,
        Behaviour::Disputes,
        Behaviour::PaysInParts,
        Behaviour::NeverPays,
    ];

    pub fn code(&self) -> &'static str {
        match self {
            Behaviour::PaysOnTime => "pays_on_time",
            Behaviour::Forgets => "forgets",
            Behaviour::LateInDifficulty => "late_in_difficulty",
            Behaviour::Disputes => "disputes",
            Behaviour::PaysInParts => "pays_in_parts",
            Behaviour::NeverPays => "never_pays",
        }
    }
}

/// A customer with what the generator knows beyond the import file's columns.
#[derive(Debug, Clone, PartialEq)]
pub struct GeneratedCustomer {
    pub details: CustomerDetails,
    /// Businesses only; unique within the portfolio.
    pub siren: Option<Siren>,
    pub payer_type: PayerType,
    pub behaviour: Behaviour,
    pub address: PostalAddress,
}

/// Share of customers with a phone number, in percent.
const PHONE_PERCENT: u32 = 70;

/// The portfolio's customers, in reference order.
pub fn customers(spec: &PortfolioSpec) -> Vec<GeneratedCustomer> {
    customer_stream(spec).collect()
}

/// The same customers one at a time, for callers that keep only part of each (the CSV writer).
pub(crate) fn customer_stream(spec: &PortfolioSpec) -> impl Iterator<Item = GeneratedCustomer> {
    let mut generator = CustomerGenerator::new(spec);
    (0..spec.customers).map(move |index| generator.customer(index))
}

struct CustomerGenerator {
    rng: ChaCha8Rng,
    consumer_percent: u32,
    siren_offset: u32,
    activity_slugs: Vec<String>,
    surname_slugs: Vec<String>,
    first_name_slugs: Vec<String>,
    /// Which (activity, surname) and (first name, surname) pairs already gave an e-mail address;
    /// flat tables rather than a hash set, as they are small and their order never matters.
    business_names_used: Vec<bool>,
    consumer_names_used: Vec<bool>,
    /// Reused for the texts that the domain types copy anyway.
    scratch: String,
}

impl CustomerGenerator {
    fn new(spec: &PortfolioSpec) -> CustomerGenerator {
        let mut rng = rng_for(spec.seed, CUSTOMER_STREAM);
        let siren_offset = rng.random_range(0..SIREN_BODY_SPAN);
        let slugs = |words: &[&str]| words.iter().map(|word| slug(word)).collect::<Vec<_>>();
        CustomerGenerator {
            rng,
            consumer_percent: u32::from(spec.consumer_share_percent.min(100)),
            siren_offset,
            activity_slugs: slugs(ACTIVITIES),
            surname_slugs: slugs(SURNAMES),
            first_name_slugs: slugs(FIRST_NAMES),
            business_names_used: vec![false; ACTIVITIES.len() * SURNAMES.len()],
            consumer_names_used: vec![false; FIRST_NAMES.len() * SURNAMES.len()],
            scratch: String::with_capacity(64),
        }
    }

    fn customer(&mut self, index: u32) -> GeneratedCustomer {
        // Texts are assembled in `scratch` with `push_str` rather than `format!`: a million
        // customers (a 10 M-invoice benchmark) take a second less that way.
        let mut scratch = std::mem::take(&mut self.scratch);
        let number = u64::from(index) + 1;
        scratch.clear();
        scratch.push('C');
        push_digits(&mut scratch, number, 6);
        let reference = CustomerRef::parse(&scratch).expect("references are short");
        let consumer = self.rng.random_range(0..100) < self.consumer_percent;
        let payer_type = weighted(
            &mut self.rng,
            &PayerType::ALL.map(|payer| (payer, payer.share_percent())),
        );
        let behaviour = weighted(&mut self.rng, payer_type.behaviour_weights());
        let city = &CITIES[self.rng.random_range(0..CITIES.len())];
        let surname = self.rng.random_range(0..SURNAMES.len());

        scratch.clear();
        let (legal_name, siren) = if consumer {
            let first = self.rng.random_range(0..FIRST_NAMES.len());
            let name = concat(&[FIRST_NAMES[first], " ", SURNAMES[surname]]);
            // prenom.nom@example.fr, or prenom.nom.123@example.fr if the name was taken.
            scratch.push_str(&self.first_name_slugs[first]);
            scratch.push('.');
            scratch.push_str(&self.surname_slugs[surname]);
            if std::mem::replace(
                &mut self.consumer_names_used[first * SURNAMES.len() + surname],
                true,
            ) {
                scratch.push('.');
                push_digits(&mut scratch, number, 1);
            }
            scratch.push_str("@example.fr");
            (name, None)
        } else {
            let activity = self.rng.random_range(0..ACTIVITIES.len());
            let form = weighted(&mut self.rng, LEGAL_FORMS);
            let name = concat(&[
                ACTIVITIES[activity],
                " ",
                SURNAMES[surname],
                " ",
                city.name,
                " ",
                form,
            ]);
            // compta@boulangerie-martin.fr, or compta@boulangerie-martin-123.fr if taken.
            scratch.push_str(MAILBOXES[self.rng.random_range(0..MAILBOXES.len())]);
            scratch.push('@');
            scratch.push_str(&self.activity_slugs[activity]);
            scratch.push('-');
            scratch.push_str(&self.surname_slugs[surname]);
            if std::mem::replace(
                &mut self.business_names_used[activity * SURNAMES.len() + surname],
                true,
            ) {
                scratch.push('-');
                push_digits(&mut scratch, number, 1);
            }
            scratch.push_str(".fr");
            let siren = Siren::parse(&siren_for_index(index, self.siren_offset))
                .expect("check digit computed");
            (name, Some(siren))
        };
        let email = EmailAddress::parse(&scratch).expect("generated addresses are well formed");

        let phone = if self.rng.random_range(0..100) < PHONE_PERCENT {
            self.phone(&mut scratch, consumer, city);
            Some(PhoneNumber::parse(&scratch).expect("generated numbers are well formed"))
        } else {
            None
        };
        let mut line1 = String::with_capacity(32);
        push_digits(&mut line1, self.rng.random_range(1..=120), 1);
        line1.push(' ');
        line1.push_str(STREETS[self.rng.random_range(0..STREETS.len())]);
        let address = PostalAddress {
            line1,
            line2: String::new(),
            postal_code: city.postal_code.to_owned(),
            city: city.name.to_owned(),
            country: Some(CountryCode::FRANCE),
        };
        self.scratch = scratch;
        GeneratedCustomer {
            details: CustomerDetails {
                reference,
                legal_name,
                kind: if consumer {
                    CustomerKind::Consumer
                } else {
                    CustomerKind::Business
                },
                country: CountryCode::FRANCE,
                email: Some(email),
                phone,
            },
            siren,
            payer_type,
            behaviour,
            address,
        }
    }

    /// A French number as people write it, `04 78 12 34 56`, into `buffer`: a mobile (06/07)
    /// for consumers, a landline of the city's zone for businesses.
    fn phone(&mut self, buffer: &mut String, consumer: bool, city: &City) {
        let prefix = if consumer {
            self.rng.random_range(6..=7)
        } else {
            city.phone_zone
        };
        buffer.clear();
        push_digits(buffer, u64::from(prefix), 2);
        for _ in 0..4 {
            buffer.push(' ');
            push_digits(buffer, self.rng.random_range(0..100), 2);
        }
    }
}

/// The parts end to end, in a string allocated once at the right size.
fn concat(parts: &[&str]) -> String {
    let mut text = String::with_capacity(parts.iter().map(|part| part.len()).sum());
    for part in parts {
        text.push_str(part);
    }
    text
}

/// Draws one of `choices` with probability proportional to its weight.
pub(crate) fn weighted<T: Copy>(rng: &mut ChaCha8Rng, choices: &[(T, u32)]) -> T {
    let total: u32 = choices.iter().map(|(_, weight)| weight).sum();
    let mut ticket = rng.random_range(0..total);
    for (choice, weight) in choices {
        if ticket < *weight {
            return *choice;
        }
        ticket -= weight;
    }
    unreachable!("the ticket is below the total weight")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(customers: u32, consumer_share_percent: u8) -> PortfolioSpec {
        PortfolioSpec {
            seed: 7,
            customers,
            invoices: 0,
            as_of: jiff::civil::date(2025, 6, 30),
            history_days: 365,
            consumer_share_percent,
        }
    }

    #[test]
    fn businesses_are_named_activity_surname_city_form_with_a_siren() {
        let customers = customers(&spec(200, 0));
        for customer in &customers {
            let words: Vec<&str> = customer.details.legal_name.split(' ').collect();
            assert!(
                ACTIVITIES.contains(&words[0]),
                "{}",
                customer.details.legal_name
            );
            assert!(
                LEGAL_FORMS
                    .iter()
                    .any(|(form, _)| Some(form) == words.last())
            );
            assert!(customer.details.legal_name.contains(&customer.address.city));
            assert!(customer.siren.is_some());
            assert_eq!(customer.details.kind, CustomerKind::Business);
        }
    }

    #[test]
    fn consumers_have_no_siren_and_an_example_address() {
        let customers = customers(&spec(100, 100));
        for customer in &customers {
            assert_eq!(customer.details.kind, CustomerKind::Consumer);
            assert!(customer.siren.is_none());
            let email = customer.details.email.as_ref().unwrap().as_str();
            assert!(
                email.ends_with("@example.fr") && email.contains('.'),
                "{email}"
            );
        }
    }

    #[test]
    fn emails_are_unique_ascii_lower_case_even_when_names_repeat() {
        // 20,000 customers over 2,400 business name pairs: names repeat many times.
        let customers = customers(&spec(20_000, 8));
        let mut emails: Vec<&str> = customers
            .iter()
            .map(|customer| customer.details.email.as_ref().unwrap().as_str())
            .collect();
        assert!(
            emails
                .iter()
                .all(|email| email.is_ascii() && *email == email.to_lowercase())
        );
        emails.sort_unstable();
        emails.dedup();
        assert_eq!(emails.len(), customers.len());
    }

    #[test]
    fn about_seventy_percent_have_a_phone_and_payer_types_follow_45_25_20_10() {
        let customers = customers(&spec(20_000, 8));
        let share = |count: usize| count as f64 * 100.0 / customers.len() as f64;
        let phones = share(
            customers
                .iter()
                .filter(|customer| customer.details.phone.is_some())
                .count(),
        );
        assert!((68.0..72.0).contains(&phones), "{phones}");
        for (payer, expected) in PayerType::ALL.into_iter().zip([45.0, 25.0, 20.0, 10.0]) {
            let actual = share(
                customers
                    .iter()
                    .filter(|customer| customer.payer_type == payer)
                    .count(),
            );
            assert!((actual - expected).abs() < 1.5, "{payer:?}: {actual}");
        }
    }
}
