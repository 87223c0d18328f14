//! Creating a creditor and choosing the tenant a command works on.

use domain::creditor::{CreditorProfile, PostalAddress, TimeZoneName};
use domain::customer::Language;
use domain::identifiers::{Bic, CountryCode, Iban, Siren};
use domain::ids::TenantId;
use domain::money::Currency;
use store::{Store, StoreError, TenantRecord};

use crate::clock::Clock;

#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error("this database already holds {count} creditor(s); the first is {first:?}")]
    AlreadyInitialised { count: usize, first: String },
    #[error("this database holds no creditor yet")]
    NotInitialised,
    #[error("this database holds several creditors; choose one with --tenant (known: {known})")]
    SeveralTenants { known: String },
    #[error("there is no creditor with id {id}")]
    UnknownTenant { id: i64 },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Creates the first creditor of a new database.
pub async fn initialise(
    store: &Store,
    profile: &CreditorProfile,
    clock: Clock,
) -> Result<TenantId, SetupError> {
    let tenants = store.tenants().await?;
    if let Some(first) = tenants.first() {
        return Err(SetupError::AlreadyInitialised {
            count: tenants.len(),
            first: first.profile.company_name.clone(),
        });
    }
    Ok(store.create_tenant(profile, clock.now()).await?)
}

/// Adds another creditor to a database (an agency collecting for several clients).
pub async fn add_creditor(
    store: &Store,
    profile: &CreditorProfile,
    clock: Clock,
) -> Result<TenantId, SetupError> {
    Ok(store.create_tenant(profile, clock.now()).await?)
}

/// The tenant a command works on: the one asked for, or the only one there is.
pub async fn select_tenant(
    store: &Store,
    requested: Option<i64>,
) -> Result<TenantRecord, SetupError> {
    let tenants = store.tenants().await?;
    match requested {
        Some(id) => tenants
            .into_iter()
            .find(|tenant| tenant.id.0 == id)
            .ok_or(SetupError::UnknownTenant { id }),
        None => match tenants.len() {
            0 => Err(SetupError::NotInitialised),
            1 => Ok(tenants.into_iter().next().expect("one tenant")),
            _ => Err(SetupError::SeveralTenants {
                known: tenants
                    .iter()
                    .map(|tenant| format!("{} = {}", tenant.id, tenant.profile.company_name))
                    .collect::<Vec<_>>()
                    .join(", "),
            }),
        },
    }
}

/// The creditor's profile as a person types it: every field, empty for "none" where a field is
/// optional (SIREN, IBAN, BIC, address).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ProfileInput<'a> {
    pub company_name: &'a str,
    pub siren: &'a str,
    pub address_line1: &'a str,
    pub address_line2: &'a str,
    pub postal_code: &'a str,
    pub city: &'a str,
    pub country: &'a str,
    pub iban: &'a str,
    pub bic: &'a str,
    pub time_zone: &'a str,
    pub currency: &'a str,
    pub payment_term_days: &'a str,
    pub language: &'a str,
}

/// A field of the profile refused, by its name in `ProfileInput`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileProblem {
    pub field: &'static str,
    pub value: String,
}

impl ProfileProblem {
    /// What the field takes.
    pub fn describe(&self, language: Language) -> &'static str {
        let (french, english) = match self.field {
            "company_name" => (
                "la raison sociale est obligatoire (200 caractères au plus)",
                "the company name is required (at most 200 characters)",
            ),
            "siren" => (
                "pas un SIREN (9 chiffres, clé de contrôle valide)",
                "not a SIREN (9 digits with a valid check digit)",
            ),
            "country" => (
                "pas un code pays ISO à deux lettres (FR, BE, DE…)",
                "not a two-letter ISO country code (FR, BE, DE…)",
            ),
            "iban" => ("pas un IBAN valide", "not a valid IBAN"),
            "bic" => (
                "pas un BIC (8 ou 11 caractères : banque, pays, lieu, agence)",
                "not a BIC (8 or 11 characters: bank, country, place, branch)",
            ),
            "time_zone" => (
                "fuseau horaire inconnu (un nom IANA comme Europe/Paris)",
                "unknown time zone (an IANA name such as Europe/Paris)",
            ),
            "currency" => (
                "devise inconnue (un code ISO 4217 comme EUR)",
                "unknown currency (an ISO 4217 code such as EUR)",
            ),
            "payment_term_days" => (
                "un nombre de jours de 0 à 365",
                "a number of days from 0 to 365",
            ),
            "language" => ("fr ou en", "fr or en"),
            _ => (
                "trop long ou contient un retour à la ligne",
                "too long or contains a line break",
            ),
        };
        match language {
            Language::French => french,
            Language::English => english,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    #[error("nothing was saved: {} field(s) refused ({})", problems.len(), problems.iter().map(|p| p.field).collect::<Vec<_>>().join(", "))]
    Invalid { problems: Vec<ProfileProblem> },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A value typed, or `None` when left blank.
fn optional(value: &str) -> Option<&str> {
    Some(value.trim()).filter(|value| !value.is_empty())
}

/// Longest company name and address line accepted.
const PROFILE_TEXT_MAX: usize = 200;
/// Longest default payment term, in days.
const PAYMENT_TERM_MAX: u16 = 365;

/// Checks every field of a creditor's new profile, then saves it whole; a refused field saves
/// nothing. Returns the tenant as it now is.
pub async fn update_profile(
    store: &Store,
    tenant: &TenantRecord,
    input: &ProfileInput<'_>,
) -> Result<TenantRecord, ProfileError> {
    let mut problems = Vec::new();
    let mut refuse = |field: &'static str, value: &str| {
        problems.push(ProfileProblem {
            field,
            value: value.to_owned(),
        });
    };
    let text = |field: &'static str, value: &str, refuse: &mut dyn FnMut(&'static str, &str)| {
        let value = value.trim();
        if value.chars().count() > PROFILE_TEXT_MAX || value.chars().any(char::is_control) {
            refuse(field, value);
        }
        value.to_owned()
    };
    let company_name = text("company_name", input.company_name, &mut refuse);
    if company_name.is_empty() {
        refuse("company_name", "");
    }
    let line1 = text("address_line1", input.address_line1, &mut refuse);
    let line2 = text("address_line2", input.address_line2, &mut refuse);
    let postal_code = text("postal_code", input.postal_code, &mut refuse);
    let city = text("city", input.city, &mut refuse);
    let siren = optional(input.siren)
        .and_then(|value| Siren::parse(value).map_err(|_| refuse("siren", value)).ok());
    let country = CountryCode::parse(input.country.trim())
        .map_err(|_| refuse("country", input.country))
        .ok();
    let iban = optional(input.iban)
        .and_then(|value| Iban::parse(value).map_err(|_| refuse("iban", value)).ok());
    let bic = optional(input.bic)
        .and_then(|value| Bic::parse(value).map_err(|_| refuse("bic", value)).ok());
    let time_zone = TimeZoneName::parse(input.time_zone)
        .map_err(|_| refuse("time_zone", input.time_zone))
        .ok();
    let currency = Currency::from_code(input.currency.trim().to_ascii_uppercase().as_str())
        .map_err(|_| refuse("currency", input.currency))
        .ok();
    let term = input
        .payment_term_days
        .trim()
        .parse::<u16>()
        .ok()
        .filter(|days| *days <= PAYMENT_TERM_MAX);
    if term.is_none() {
        refuse("payment_term_days", input.payment_term_days);
    }
    let language = Language::parse(input.language.trim());
    if language.is_none() {
        refuse("language", input.language);
    }
    let (Some(country), Some(time_zone), Some(currency), Some(term), Some(language), true) = (
        country,
        time_zone,
        currency,
        term,
        language,
        problems.is_empty(),
    ) else {
        return Err(ProfileError::Invalid { problems });
    };
    let profile = CreditorProfile {
        company_name,
        siren,
        address: PostalAddress {
            line1,
            line2,
            postal_code,
            city,
            country: Some(country),
        },
        iban,
        bic,
        language,
        time_zone,
        currency,
        default_payment_term_days: term,
    };
    if profile != tenant.profile {
        store.tenant(tenant.id).save_profile(&profile).await?;
    }
    Ok(TenantRecord {
        id: tenant.id,
        profile,
    })
}
