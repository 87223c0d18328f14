//! A collector completes or corrects what the dunning engine relies on about a customer
//! (contact details, consent, time zone, language, risk segment, scenario) and closes its
//! incidents. Every change wakes the customer's case, so that the next run reconsiders it with
//! the new facts; a request that changes nothing writes nothing.
//!
//! Values come in as typed by a person and are all checked before anything is written; every
//! problem is returned, each naming its field and value, and describes itself in French or
//! English.

use std::collections::HashMap;

use domain::customer::{Channel, CustomerKind, CustomerRef, EmailAddress, Language, PhoneNumber};
use domain::identifiers::CountryCode;
use domain::ids::CustomerId;
use domain::late_payment::Jurisdiction;
use domain::scenario::RiskSegment;
use jiff::tz::TimeZone;
use store::{
    CustomerDetailsRecord, CustomerSettings, CustomerTermsRecord, IncidentDetail,
    IncidentResolution, Store, StoreError, TenantRecord,
};

use crate::clock::Clock;
use crate::dunning::{self, DunningError};
use crate::late_payment::{self, CustomerTerms, InputProblemKind, LawError};

/// What `time_zone` and `scenario` take to go back to the creditor's zone and the default
/// scenario for the customer's kind.
pub const DEFAULT: &str = "default";

/// Longest address line or city accepted; a French letter's window holds 38 characters a line.
const ADDRESS_TEXT_MAX: usize = 100;
const POSTAL_CODE_MAX: usize = 10;

/// A detail a collector can set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DetailField {
    RiskSegment,
    TimeZone,
    Language,
    PreferredChannel,
    Email,
    Phone,
    AddressLine1,
    AddressLine2,
    PostalCode,
    City,
    Country,
    Consent,
    Scenario,
    Jurisdiction,
    ContractRate,
}

impl DetailField {
    /// The field's name in programs (`time_zone`); the command line writes it `--time-zone`.
    pub fn code(&self) -> &'static str {
        match self {
            DetailField::RiskSegment => "risk_segment",
            DetailField::TimeZone => "time_zone",
            DetailField::Language => "language",
            DetailField::PreferredChannel => "preferred_channel",
            DetailField::Email => "email",
            DetailField::Phone => "phone",
            DetailField::AddressLine1 => "address_line1",
            DetailField::AddressLine2 => "address_line2",
            DetailField::PostalCode => "postal_code",
            DetailField::City => "city",
            DetailField::Country => "country",
            DetailField::Consent => "consent",
            DetailField::Scenario => "scenario",
            DetailField::Jurisdiction => "jurisdiction",
            DetailField::ContractRate => "contract_rate",
        }
    }

    /// The field's name for people.
    pub fn label(&self, language: Language) -> &'static str {
        let (french, english) = match self {
            DetailField::RiskSegment => ("segment de risque", "risk segment"),
            DetailField::TimeZone => ("fuseau horaire", "time zone"),
            DetailField::Language => ("langue", "language"),
            DetailField::PreferredChannel => ("canal préféré", "preferred channel"),
            DetailField::Email => ("e-mail", "e-mail"),
            DetailField::Phone => ("téléphone", "phone"),
            DetailField::AddressLine1 => ("adresse (ligne 1)", "address line 1"),
            DetailField::AddressLine2 => ("adresse (ligne 2)", "address line 2"),
            DetailField::PostalCode => ("code postal", "postal code"),
            DetailField::City => ("ville", "city"),
            DetailField::Country => ("pays", "country"),
            DetailField::Consent => ("consentement", "consent"),
            DetailField::Scenario => ("scénario", "scenario"),
            DetailField::Jurisdiction => ("régime de retard de paiement", "late-payment rule set"),
            DetailField::ContractRate => ("taux contractuel de pénalités", "contract penalty rate"),
        };
        match language {
            Language::French => french,
            Language::English => english,
        }
    }
}

/// Why a value was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProblemKind {
    NotOneOf {
        known: Vec<String>,
    },
    UnknownTimeZone,
    NotAnEmail,
    NotAPhone,
    NotACountry,
    NotAPostalCode,
    NotAFrenchPostalCode,
    TooLong {
        max: usize,
    },
    ControlCharacter,
    /// Consent is written `CHANNEL=yes` or `CHANNEL=no`.
    NotAConsent,
    /// The same channel given and withdrawn in one request.
    ConsentContradicted,
    /// A letter needs a street line, a postal code and a city; an address with only some of
    /// them would pass for usable and the letter would never arrive.
    AddressIncomplete {
        missing: Vec<DetailField>,
    },
    PreferredWithoutConsent,
    /// A late-payment rule set or contract rate refused.
    LatePayment(InputProblemKind),
}

/// One refused value, with the field it was given for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DetailProblem {
    pub field: DetailField,
    pub value: String,
    pub kind: ProblemKind,
}

impl DetailProblem {
    /// What is wrong with the value; the caller names the field its own way (an option, a
    /// form label).
    pub fn describe(&self, language: Language) -> String {
        let french = language == Language::French;
        let pick = |fr: &str, en: &str| if french { fr.to_owned() } else { en.to_owned() };
        match &self.kind {
            ProblemKind::NotOneOf { known } => {
                if french {
                    format!("valeur inconnue (possibles : {})", known.join(", "))
                } else {
                    format!("unknown value (expected {})", known.join(", "))
                }
            }
            ProblemKind::UnknownTimeZone => pick(
                "fuseau horaire inconnu (un nom IANA comme Europe/Paris, ou default pour celui du créancier)",
                "unknown time zone (expected an IANA name such as Europe/Paris, or default for the creditor's)",
            ),
            ProblemKind::NotAnEmail => pick(
                "pas une adresse e-mail (une chaîne vide l'efface)",
                "not an e-mail address (an empty value removes it)",
            ),
            ProblemKind::NotAPhone => pick(
                "pas un numéro de téléphone (6 à 15 chiffres ; espaces, points, tirets, parenthèses et + initial admis ; une chaîne vide l'efface)",
                "not a phone number (6 to 15 digits; spaces, dots, dashes, parentheses and a leading + allowed; an empty value removes it)",
            ),
            ProblemKind::NotACountry => pick(
                "pas un code pays ISO à deux lettres (FR, BE, DE…)",
                "not a two-letter ISO country code (FR, BE, DE…)",
            ),
            ProblemKind::NotAPostalCode => {
                if french {
                    format!(
                        "pas un code postal (lettres, chiffres, espaces et tirets, {POSTAL_CODE_MAX} caractères au plus)"
                    )
                } else {
                    format!(
                        "not a postal code (letters, digits, spaces and dashes, at most {POSTAL_CODE_MAX} characters)"
                    )
                }
            }
            ProblemKind::NotAFrenchPostalCode => pick(
                "un code postal français a 5 chiffres",
                "a French postal code has 5 digits",
            ),
            ProblemKind::TooLong { max } => {
                if french {
                    format!("plus de {max} caractères")
                } else {
                    format!("longer than {max} characters")
                }
            }
            ProblemKind::ControlCharacter => pick(
                "contient un caractère de contrôle (retour à la ligne, tabulation…)",
                "contains a control character (line break, tab…)",
            ),
            ProblemKind::NotAConsent => pick(
                "s'écrit CANAL=yes ou CANAL=no, CANAL étant email, sms, phone ou letter",
                "is written CHANNEL=yes or CHANNEL=no, CHANNEL being email, sms, phone or letter",
            ),
            ProblemKind::ConsentContradicted => pick(
                "consentement donné et retiré dans la même demande",
                "consent both given and withdrawn in the same request",
            ),
            ProblemKind::AddressIncomplete { missing } => {
                let labels: Vec<&str> = missing.iter().map(|field| field.label(language)).collect();
                if french {
                    format!("adresse incomplète : il manque {}", labels.join(", "))
                } else {
                    format!("incomplete address: {} missing", labels.join(", "))
                }
            }
            ProblemKind::PreferredWithoutConsent => pick(
                "le client n'a pas consenti à ce canal",
                "the customer has not consented to this channel",
            ),
            ProblemKind::LatePayment(kind) => kind.describe(language),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CustomerDetailsError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Dunning(#[from] DunningError),
    #[error("unknown customer {reference}")]
    UnknownCustomer { reference: String },
    #[error(
        "customer {reference}: nothing changed: {}",
        describe_all(problems, Language::English)
    )]
    Invalid {
        reference: String,
        problems: Vec<DetailProblem>,
    },
    #[error("customer {reference} has no open incident")]
    NoOpenIncident { reference: String },
    #[error(transparent)]
    LatePayment(LawError),
}

fn describe_all(problems: &[DetailProblem], language: Language) -> String {
    problems
        .iter()
        .map(|problem| {
            format!(
                "{} {:?}: {}",
                problem.field.code(),
                problem.value,
                problem.describe(language)
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// The details to change, as typed; `None` leaves a detail as it is.
///
/// An empty `email`, `phone` or address part removes it; `time_zone` and `scenario` take
/// `default`. Consents are `CHANNEL=yes|no`, one per channel to change.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DetailsChanges<'a> {
    pub risk_segment: Option<&'a str>,
    pub time_zone: Option<&'a str>,
    pub language: Option<&'a str>,
    pub preferred_channel: Option<&'a str>,
    pub email: Option<&'a str>,
    pub phone: Option<&'a str>,
    pub address_line1: Option<&'a str>,
    pub address_line2: Option<&'a str>,
    pub postal_code: Option<&'a str>,
    pub city: Option<&'a str>,
    pub country: Option<&'a str>,
    pub consents: Vec<&'a str>,
    pub scenario: Option<&'a str>,
    /// A late-payment rule set (`fr-b2b`, `contract:12`…), or `default` for the one the
    /// customer's country and kind give.
    pub jurisdiction: Option<&'a str>,
    /// Under `fr-b2b`: `12.5` or `3x-legal`; `none` removes it.
    pub contract_rate: Option<&'a str>,
}

/// The customer after a change, and which details changed (none: nothing was written).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DetailsUpdate {
    pub details: CustomerDetailsRecord,
    /// The customer's late-payment terms after the change.
    pub terms: CustomerTerms,
    pub changed: Vec<DetailField>,
}

/// What closing a customer's incidents did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncidentsResolved {
    pub incidents: Vec<i64>,
    /// Legal routes proposed for those incidents and still awaiting approval, now cancelled.
    pub proposals_cancelled: u64,
    /// An approved legal route handed the case off: the reminders do not resume.
    pub handed_off: bool,
}

/// The customer's details as they are.
pub async fn details(
    store: &Store,
    tenant: &TenantRecord,
    reference: &str,
) -> Result<CustomerDetailsRecord, CustomerDetailsError> {
    let id = customer_id(store, tenant, reference).await?;
    Ok(store.tenant(tenant.id).customer_details(id).await?)
}

/// Every incident of the customer, with how it was resolved.
pub async fn incidents(
    store: &Store,
    tenant: &TenantRecord,
    reference: &str,
) -> Result<Vec<IncidentDetail>, CustomerDetailsError> {
    let id = customer_id(store, tenant, reference).await?;
    Ok(store.tenant(tenant.id).incidents_of(id).await?)
}

/// Checks every value given, then writes those that differ and wakes the customer's case.
/// Nothing is written when a value is refused or when nothing differs.
pub async fn set_details(
    store: &Store,
    tenant: &TenantRecord,
    clock: Clock,
    reference: &str,
    changes: &DetailsChanges<'_>,
) -> Result<DetailsUpdate, CustomerDetailsError> {
    let id = customer_id(store, tenant, reference).await?;
    let handle = store.tenant(tenant.id);
    let current = handle.customer_details(id).await?;
    let scenarios = match changes.scenario {
        Some(name) if !name.trim().eq_ignore_ascii_case(DEFAULT) => {
            let rules = dunning::rules(store, tenant).await?;
            rules
                .scenarios
                .iter()
                .map(|scenario| scenario.name().to_owned())
                .collect()
        }
        _ => Vec::new(),
    };
    let policy = late_payment::policy(store, tenant)
        .await
        .map_err(CustomerDetailsError::LatePayment)?;
    let own_terms = handle.customer_late_payment_terms(id).await?;
    let invalid = |problems| CustomerDetailsError::Invalid {
        reference: current.reference.as_str().to_owned(),
        problems,
    };
    let (after, terms_after) = match apply(&current.settings, changes, &scenarios) {
        Ok(after) => {
            let (terms_after, problems) =
                apply_late_payment_terms(own_terms, &after, current.kind, changes);
            if !problems.is_empty() {
                return Err(invalid(problems));
            }
            (after, terms_after)
        }
        Err(mut problems) => {
            let (_, more) =
                apply_late_payment_terms(own_terms, &current.settings, current.kind, changes);
            problems.extend(more);
            return Err(invalid(problems));
        }
    };
    let mut changed = changed_fields(&current.settings, &after);
    if terms_after.jurisdiction != own_terms.jurisdiction {
        changed.push(DetailField::Jurisdiction);
    }
    if terms_after.contract_rate != own_terms.contract_rate {
        changed.push(DetailField::ContractRate);
    }
    let terms = CustomerTerms::new(
        terms_after,
        Jurisdiction::for_customer(after.country, current.kind),
        policy.creditor,
    );
    if changed.is_empty() {
        return Ok(DetailsUpdate {
            details: current,
            terms,
            changed,
        });
    }
    handle
        .update_customer_settings(id, &current.settings, &after, clock.now())
        .await?;
    if terms_after != own_terms {
        handle
            .save_customer_late_payment_terms(id, &terms_after, clock.now())
            .await?;
    }
    handle.wake_customer(id).await?;
    Ok(DetailsUpdate {
        details: handle.customer_details(id).await?,
        terms,
        changed,
    })
}

/// The customer's late-payment terms once the changes are applied, and the problems found. A
/// contract rate is checked against the rule set whenever the request touches either of them
/// or the country (which can change the rule set).
fn apply_late_payment_terms(
    own: CustomerTermsRecord,
    settings: &CustomerSettings,
    kind: CustomerKind,
    changes: &DetailsChanges<'_>,
) -> (CustomerTermsRecord, Vec<DetailProblem>) {
    let mut problems = Vec::new();
    let after = late_payment::apply_terms(
        own,
        changes.jurisdiction,
        changes.contract_rate,
        &mut problems,
    );
    let touched = changes.jurisdiction.is_some()
        || changes.contract_rate.is_some()
        || changes.country.is_some();
    if problems.is_empty()
        && touched
        && let Some(problem) = late_payment::check_contract_rate(
            &after,
            Jurisdiction::for_customer(settings.country, kind),
        )
    {
        problems.push(problem);
    }
    let problems = problems
        .into_iter()
        .map(|problem| DetailProblem {
            field: if problem.field == "jurisdiction" {
                DetailField::Jurisdiction
            } else {
                DetailField::ContractRate
            },
            value: problem.value,
            kind: ProblemKind::LatePayment(problem.kind),
        })
        .collect();
    (after, problems)
}

/// Resolves the customer's open incidents: contact may resume, so the legal routes proposed
/// for them and still awaiting approval are cancelled, and the case is woken.
pub async fn resolve_incidents(
    store: &Store,
    tenant: &TenantRecord,
    clock: Clock,
    reference: &str,
    note: Option<&str>,
    language: Language,
) -> Result<IncidentsResolved, CustomerDetailsError> {
    let id = customer_id(store, tenant, reference).await?;
    let handle = store.tenant(tenant.id);
    let note = note.map(str::trim).filter(|note| !note.is_empty());
    let cancellation_note = match (language, note) {
        (Language::French, None) => "incident résolu".to_owned(),
        (Language::French, Some(note)) => format!("incident résolu : {note}"),
        (Language::English, None) => "incident resolved".to_owned(),
        (Language::English, Some(note)) => format!("incident resolved: {note}"),
    };
    let resolved = handle
        .resolve_incidents(&IncidentResolution {
            customer: id,
            on: clock.today_in(tenant.profile.time_zone.as_str()),
            note,
            proposal_key: legal_route_key,
            cancellation_note: &cancellation_note,
        })
        .await?;
    if resolved.incidents.is_empty() {
        return Err(CustomerDetailsError::NoOpenIncident {
            reference: reference.trim().to_owned(),
        });
    }
    handle.wake_customer(id).await?;
    Ok(IncidentsResolved {
        incidents: resolved.incidents,
        proposals_cancelled: resolved.proposals_cancelled,
        handed_off: handle.is_handed_off(id).await?,
    })
}

/// The step key `dunning::report_incident` gives the legal route it proposes for an incident.
fn legal_route_key(incident: i64) -> String {
    format!("incident-{incident}")
}

async fn customer_id(
    store: &Store,
    tenant: &TenantRecord,
    reference: &str,
) -> Result<CustomerId, CustomerDetailsError> {
    find_customer(store, tenant, reference)
        .await?
        .ok_or_else(|| CustomerDetailsError::UnknownCustomer {
            reference: reference.trim().to_owned(),
        })
}

/// The customer with this reference; `None` when there is none (a reference that cannot be
/// one included).
pub(crate) async fn find_customer(
    store: &Store,
    tenant: &TenantRecord,
    reference: &str,
) -> Result<Option<CustomerId>, StoreError> {
    let Ok(parsed) = CustomerRef::parse(reference) else {
        return Ok(None);
    };
    match store.tenant(tenant.id).customer_id(&parsed).await {
        Ok(id) => Ok(Some(id)),
        Err(StoreError::NotFound { .. }) => Ok(None),
        Err(error) => Err(error),
    }
}

/// The settings once the changes are applied, or every problem found in them.
fn apply(
    current: &CustomerSettings,
    changes: &DetailsChanges<'_>,
    scenarios: &[String],
) -> Result<CustomerSettings, Vec<DetailProblem>> {
    let mut after = current.clone();
    let mut problems = Vec::new();
    let mut refuse = |field, value: &str, kind| {
        problems.push(DetailProblem {
            field,
            value: value.to_owned(),
            kind,
        });
    };

    if let Some(text) = changes.risk_segment {
        match RiskSegment::parse(text) {
            Ok(risk) => after.risk = risk,
            Err(_) => refuse(
                DetailField::RiskSegment,
                text,
                ProblemKind::NotOneOf {
                    known: RiskSegment::ALL
                        .iter()
                        .map(|r| r.code().to_owned())
                        .collect(),
                },
            ),
        }
    }
    if let Some(text) = changes.time_zone {
        let name = text.trim();
        if name.eq_ignore_ascii_case(DEFAULT) {
            after.time_zone = None;
        } else {
            match TimeZone::get(name) {
                // The database's spelling, so that `europe/paris` is stored as `Europe/Paris`.
                Ok(zone) => after.time_zone = Some(zone.iana_name().unwrap_or(name).to_owned()),
                Err(_) => refuse(DetailField::TimeZone, text, ProblemKind::UnknownTimeZone),
            }
        }
    }
    if let Some(text) = changes.language {
        match Language::parse(text) {
            Some(language) => after.language = language,
            None => refuse(
                DetailField::Language,
                text,
                ProblemKind::NotOneOf {
                    known: Language::ALL.iter().map(|l| l.code().to_owned()).collect(),
                },
            ),
        }
    }
    if let Some(text) = changes.preferred_channel {
        match Channel::parse(text) {
            Some(channel) => after.preferred = channel,
            None => refuse(
                DetailField::PreferredChannel,
                text,
                ProblemKind::NotOneOf {
                    known: Channel::ALL.iter().map(|c| c.code().to_owned()).collect(),
                },
            ),
        }
    }
    if let Some(text) = changes.email {
        match text.trim() {
            "" => after.email = None,
            _ => match EmailAddress::parse(text) {
                Ok(email) => after.email = Some(email.as_str().to_owned()),
                Err(_) => refuse(DetailField::Email, text, ProblemKind::NotAnEmail),
            },
        }
    }
    if let Some(text) = changes.phone {
        match text.trim() {
            "" => after.phone = None,
            _ => match PhoneNumber::parse(text) {
                Ok(phone) => after.phone = Some(phone.as_str().to_owned()),
                Err(_) => refuse(DetailField::Phone, text, ProblemKind::NotAPhone),
            },
        }
    }
    let address_parts = [
        (DetailField::AddressLine1, changes.address_line1),
        (DetailField::AddressLine2, changes.address_line2),
        (DetailField::City, changes.city),
    ];
    for (field, given) in address_parts {
        let Some(text) = given else { continue };
        match address_text(text) {
            Ok(clean) => match field {
                DetailField::AddressLine1 => after.address_line1 = clean,
                DetailField::AddressLine2 => after.address_line2 = clean,
                _ => after.city = clean,
            },
            Err(kind) => refuse(field, text, kind),
        }
    }
    if let Some(text) = changes.postal_code {
        let code = text.trim();
        let shaped = code.chars().count() <= POSTAL_CODE_MAX
            && code
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '-');
        if shaped {
            after.postal_code = code.to_ascii_uppercase();
        } else {
            refuse(DetailField::PostalCode, text, ProblemKind::NotAPostalCode);
        }
    }
    if let Some(text) = changes.country {
        match CountryCode::parse(text) {
            Ok(country) => after.country = country,
            Err(_) => refuse(DetailField::Country, text, ProblemKind::NotACountry),
        }
    }

    let mut consents: HashMap<Channel, bool> = HashMap::new();
    for entry in &changes.consents {
        let parsed = entry.split_once('=').and_then(|(channel, answer)| {
            let channel = Channel::parse(channel)?;
            let given = match answer.trim().to_lowercase().as_str() {
                "yes" | "oui" => true,
                "no" | "non" => false,
                _ => return None,
            };
            Some((channel, given))
        });
        let Some((channel, given)) = parsed else {
            refuse(DetailField::Consent, entry, ProblemKind::NotAConsent);
            continue;
        };
        if *consents.entry(channel).or_insert(given) != given {
            refuse(
                DetailField::Consent,
                entry,
                ProblemKind::ConsentContradicted,
            );
        }
    }
    for (channel, given) in consents {
        match channel {
            Channel::Email => after.consent.email = given,
            Channel::Sms => after.consent.sms = given,
            Channel::Phone => after.consent.phone = given,
            Channel::Letter => after.consent.letter = given,
        }
    }

    if let Some(text) = changes.scenario {
        let name = text.trim();
        if name.eq_ignore_ascii_case(DEFAULT) {
            after.scenario = None;
        } else if scenarios.iter().any(|known| known == name) {
            after.scenario = Some(name.to_owned());
        } else {
            let mut known = scenarios.to_vec();
            known.push(DEFAULT.to_owned());
            refuse(DetailField::Scenario, text, ProblemKind::NotOneOf { known });
        }
    }

    // Checks across fields, on the result: only what this request touches, so that details an
    // import left incomplete never block an unrelated change.
    let address_touched = changes.address_line1.is_some()
        || changes.address_line2.is_some()
        || changes.postal_code.is_some()
        || changes.city.is_some();
    if address_touched {
        let parts = [
            (DetailField::AddressLine1, &after.address_line1),
            (DetailField::PostalCode, &after.postal_code),
            (DetailField::City, &after.city),
        ];
        let any = parts.iter().any(|(_, text)| !text.is_empty()) || !after.address_line2.is_empty();
        let missing: Vec<DetailField> = parts
            .iter()
            .filter(|(_, text)| text.is_empty())
            .map(|(field, _)| *field)
            .collect();
        if any && !missing.is_empty() {
            refuse(missing[0], "", ProblemKind::AddressIncomplete { missing });
        }
    }
    let postal_checked = changes.postal_code.is_some() || changes.country.is_some();
    if postal_checked
        && after.country == CountryCode::FRANCE
        && !after.postal_code.is_empty()
        && !(after.postal_code.len() == 5 && after.postal_code.chars().all(|c| c.is_ascii_digit()))
    {
        refuse(
            DetailField::PostalCode,
            &after.postal_code.clone(),
            ProblemKind::NotAFrenchPostalCode,
        );
    }
    if let Some(text) = changes.preferred_channel
        && Channel::parse(text).is_some()
        && !after.consent.allows(after.preferred)
    {
        refuse(
            DetailField::PreferredChannel,
            text,
            ProblemKind::PreferredWithoutConsent,
        );
    }

    if problems.is_empty() {
        Ok(after)
    } else {
        Err(problems)
    }
}

/// An address line or city: trimmed, one line, bounded.
fn address_text(text: &str) -> Result<String, ProblemKind> {
    let trimmed = text.trim();
    if trimmed.chars().any(char::is_control) {
        return Err(ProblemKind::ControlCharacter);
    }
    if trimmed.chars().count() > ADDRESS_TEXT_MAX {
        return Err(ProblemKind::TooLong {
            max: ADDRESS_TEXT_MAX,
        });
    }
    Ok(trimmed.to_owned())
}

fn changed_fields(before: &CustomerSettings, after: &CustomerSettings) -> Vec<DetailField> {
    let checks = [
        (DetailField::RiskSegment, before.risk != after.risk),
        (DetailField::TimeZone, before.time_zone != after.time_zone),
        (DetailField::Language, before.language != after.language),
        (
            DetailField::PreferredChannel,
            before.preferred != after.preferred,
        ),
        (DetailField::Email, before.email != after.email),
        (DetailField::Phone, before.phone != after.phone),
        (
            DetailField::AddressLine1,
            before.address_line1 != after.address_line1,
        ),
        (
            DetailField::AddressLine2,
            before.address_line2 != after.address_line2,
        ),
        (
            DetailField::PostalCode,
            before.postal_code != after.postal_code,
        ),
        (DetailField::City, before.city != after.city),
        (DetailField::Country, before.country != after.country),
        (DetailField::Consent, before.consent != after.consent),
        (DetailField::Scenario, before.scenario != after.scenario),
    ];
    checks
        .into_iter()
        .filter(|(_, changed)| *changed)
        .map(|(field, _)| field)
        .collect()
}
