//! Customer details and incidents: `relance customer set`, `relance incident [open|resolve]`,
//! and the details block that `relance customer show` prints.

use anyhow::anyhow;
use app::clock::Clock;
use app::customer_details::{
    self, CustomerDetailsError, DetailField, DetailProblem, DetailsChanges,
};
use app::dunning;
use app::late_payment::CustomerTerms;
use app::{CustomerDetailsRecord, Store, TenantRecord};
use domain::customer::Channel;
use domain::scenario::Scenario;
use serde::Serialize;

use crate::casework::language;
use crate::cli::{
    CustomerSetArgs, DetailsFormat, IncidentArgs, IncidentCommand, IncidentOpenArgs,
    IncidentResolveArgs, Lang,
};
use crate::commands::say;
use crate::output::{labelled, print_json};
use crate::tr;

pub(crate) async fn set(
    store: &Store,
    tenant: &TenantRecord,
    clock: Clock,
    args: CustomerSetArgs,
    lang: Lang,
) -> anyhow::Result<()> {
    let changes = DetailsChanges {
        risk_segment: args.risk_segment.as_deref(),
        time_zone: args.time_zone.as_deref(),
        language: args.language.as_deref(),
        preferred_channel: args.preferred_channel.as_deref(),
        email: args.email.as_deref(),
        phone: args.phone.as_deref(),
        address_line1: args.address_line1.as_deref(),
        address_line2: args.address_line2.as_deref(),
        postal_code: args.postal_code.as_deref(),
        city: args.city.as_deref(),
        country: args.country.as_deref(),
        consents: args.consents.iter().map(String::as_str).collect(),
        scenario: args.scenario.as_deref(),
        jurisdiction: args.jurisdiction.as_deref(),
        contract_rate: args.contract_rate.as_deref(),
    };
    let update = customer_details::set_details(store, tenant, clock, &args.reference, &changes)
        .await
        .map_err(|error| localise(error, lang))?;
    let details = &update.details;
    if args.format == DetailsFormat::Json {
        #[derive(Serialize)]
        struct SetJson<'a> {
            customer_ref: &'a str,
            name: &'a str,
            kind: &'a str,
            #[serde(flatten)]
            details: DetailsJson<'a>,
            changed: Vec<&'static str>,
        }
        return print_json(&SetJson {
            customer_ref: details.reference.as_str(),
            name: &details.legal_name,
            kind: details.kind.code(),
            details: details_json(details, &update.terms, tenant),
            changed: update.changed.iter().map(DetailField::code).collect(),
        });
    }
    let colon = tr(lang, " : ", ": ");
    let summary = if update.changed.is_empty() {
        format!(
            "{}{colon}{}",
            details.reference,
            tr(
                lang,
                "rien à modifier, tout est déjà ainsi.",
                "nothing to change, all is already so."
            )
        )
    } else {
        let labels: Vec<&str> = update
            .changed
            .iter()
            .map(|field| field.label(language(lang)))
            .collect();
        format!(
            "{}{colon}{} {}{}{}",
            details.reference,
            tr(lang, "modifié :", "changed:"),
            labels.join(", "),
            tr(lang, " ; ", "; "),
            if update.changed.iter().all(|field| {
                matches!(field, DetailField::Jurisdiction | DetailField::ContractRate)
            }) {
                tr(
                    lang,
                    "les prochains décomptes (`relance statement`) en tiendront compte.",
                    "the next statements (`relance statement`) take it into account.",
                )
            } else {
                tr(
                    lang,
                    "le prochain `relance run` en tiendra compte.",
                    "the next `relance run` takes it into account.",
                )
            }
        )
    };
    say(format!(
        "{summary}\n\n{}",
        details_text(details, &update.terms, tenant, lang)
    ))
}

pub(crate) async fn incident(
    store: &Store,
    tenant: &TenantRecord,
    clock: Clock,
    args: IncidentArgs,
    lang: Lang,
) -> anyhow::Result<()> {
    match args.command.unwrap_or(IncidentCommand::Open(args.open)) {
        IncidentCommand::Open(open) => open_incident(store, tenant, clock, open, lang).await,
        IncidentCommand::Resolve(resolve) => {
            resolve_incidents(store, tenant, clock, resolve, lang).await
        }
    }
}

async fn open_incident(
    store: &Store,
    tenant: &TenantRecord,
    clock: Clock,
    args: IncidentOpenArgs,
    lang: Lang,
) -> anyhow::Result<()> {
    // clap requires both, on the bare form and on `open`.
    let (Some(customer), Some(note)) = (args.customer, args.note) else {
        anyhow::bail!("--customer and --note are required");
    };
    dunning::report_incident(store, tenant, clock, &customer, &note, language(lang)).await?;
    say(format!(
        "{customer} : {}",
        tr(
            lang,
            "incident enregistré ; plus aucun contact ; voie judiciaire proposée (à valider dans `relance actions list --status awaiting_approval`)",
            "incident recorded; no more contact; legal route proposed (approve it from `relance actions list --status awaiting_approval`)"
        )
    ))
}

async fn resolve_incidents(
    store: &Store,
    tenant: &TenantRecord,
    clock: Clock,
    args: IncidentResolveArgs,
    lang: Lang,
) -> anyhow::Result<()> {
    let resolved = customer_details::resolve_incidents(
        store,
        tenant,
        clock,
        &args.customer,
        args.note.as_deref(),
        language(lang),
    )
    .await
    .map_err(|error| localise(error, lang))?;
    let count = resolved.incidents.len();
    let mut parts = vec![match lang {
        Lang::Fr => format!("{count} incident(s) résolu(s)"),
        Lang::En => format!("{count} incident(s) resolved"),
    }];
    if resolved.proposals_cancelled > 0 {
        parts.push(match lang {
            Lang::Fr => format!(
                "{} proposition(s) de voie judiciaire annulée(s)",
                resolved.proposals_cancelled
            ),
            Lang::En => format!(
                "{} legal route proposal(s) cancelled",
                resolved.proposals_cancelled
            ),
        });
    }
    parts.push(if resolved.handed_off {
        tr(
            lang,
            "le dossier reste transmis (voie judiciaire ou agence validée) : les relances ne reprennent pas",
            "the case stays handed off (legal route or agency approved): the reminders do not resume",
        )
        .to_owned()
    } else {
        tr(
            lang,
            "les relances reprennent au prochain `relance run`",
            "the reminders resume at the next `relance run`",
        )
        .to_owned()
    });
    say(format!(
        "{}{}{}",
        args.customer.trim(),
        tr(lang, " : ", ": "),
        parts.join(tr(lang, " ; ", "; "))
    ))
}

/// A customer-details error in the user's language; each refused value on its own line,
/// named by its option.
fn localise(error: CustomerDetailsError, lang: Lang) -> anyhow::Error {
    match error {
        CustomerDetailsError::UnknownCustomer { reference } => {
            anyhow!(
                "{} {reference}",
                tr(lang, "client inconnu :", "unknown customer:")
            )
        }
        CustomerDetailsError::NoOpenIncident { reference } => match lang {
            Lang::Fr => anyhow!("{reference} n'a aucun incident ouvert"),
            Lang::En => anyhow!("{reference} has no open incident"),
        },
        CustomerDetailsError::Invalid {
            reference,
            problems,
        } => {
            let mut text = format!(
                "{reference}{}{}",
                tr(lang, " : ", ": "),
                tr(
                    lang,
                    "rien n'a été modifié, car :",
                    "nothing was changed, because:"
                )
            );
            for problem in &problems {
                text.push_str("\n  ");
                text.push_str(&problem_line(problem, lang));
            }
            anyhow!(text)
        }
        CustomerDetailsError::LatePayment(error) => anyhow!(error.describe(language(lang))),
        other => other.into(),
    }
}

fn problem_line(problem: &DetailProblem, lang: Lang) -> String {
    let option = format!("--{}", problem.field.code().replace('_', "-"));
    let separator = tr(lang, " : ", ": ");
    let reason = problem.describe(language(lang));
    if problem.value.is_empty() {
        format!("{option}{separator}{reason}")
    } else {
        format!("{option} {:?}{separator}{reason}", problem.value)
    }
}

#[derive(Serialize)]
pub(crate) struct AddressJson<'a> {
    line1: &'a str,
    line2: &'a str,
    postal_code: &'a str,
    city: &'a str,
    country: &'a str,
}

#[derive(Serialize)]
pub(crate) struct ConsentJson {
    email: bool,
    sms: bool,
    phone: bool,
    letter: bool,
}

/// The details as `customer set` and `customer show` print them in JSON. `time_zone` and
/// `scenario` are null when the customer has none of its own; the `effective_` fields say what
/// the run uses then.
#[derive(Serialize)]
pub(crate) struct DetailsJson<'a> {
    risk_segment: &'a str,
    time_zone: Option<&'a str>,
    effective_time_zone: &'a str,
    language: &'a str,
    preferred_channel: &'a str,
    email: Option<&'a str>,
    phone: Option<&'a str>,
    address: AddressJson<'a>,
    consent: ConsentJson,
    scenario: Option<&'a str>,
    effective_scenario: &'a str,
    late_payment: TermsJson,
}

/// A customer's late-payment terms: `jurisdiction` and `contract_rate` are null when it has none
/// of its own; `effective_jurisdiction` is what statements apply.
#[derive(Serialize)]
pub(crate) struct TermsJson {
    jurisdiction: Option<String>,
    effective_jurisdiction: String,
    contract_rate: Option<String>,
}

pub(crate) fn details_json<'a>(
    details: &'a CustomerDetailsRecord,
    terms: &CustomerTerms,
    tenant: &'a TenantRecord,
) -> DetailsJson<'a> {
    let settings = &details.settings;
    DetailsJson {
        risk_segment: settings.risk.code(),
        time_zone: settings.time_zone.as_deref(),
        effective_time_zone: settings
            .time_zone
            .as_deref()
            .unwrap_or(tenant.profile.time_zone.as_str()),
        language: settings.language.code(),
        preferred_channel: settings.preferred.code(),
        email: settings.email.as_deref(),
        phone: settings.phone.as_deref(),
        address: AddressJson {
            line1: &settings.address_line1,
            line2: &settings.address_line2,
            postal_code: &settings.postal_code,
            city: &settings.city,
            country: settings.country.as_str(),
        },
        consent: ConsentJson {
            email: settings.consent.email,
            sms: settings.consent.sms,
            phone: settings.consent.phone,
            letter: settings.consent.letter,
        },
        scenario: settings.scenario.as_deref(),
        effective_scenario: settings
            .scenario
            .as_deref()
            .unwrap_or(Scenario::default_name(details.kind)),
        late_payment: TermsJson {
            jurisdiction: terms.own.jurisdiction.map(|j| j.to_string()),
            effective_jurisdiction: terms.effective.jurisdiction.to_string(),
            contract_rate: terms.own.contract_rate.map(|rate| rate.to_string()),
        },
    }
}

/// The details as lines of `label : value`, for people.
pub(crate) fn details_text(
    details: &CustomerDetailsRecord,
    terms: &CustomerTerms,
    tenant: &TenantRecord,
    lang: Lang,
) -> String {
    let settings = &details.settings;
    let none = "—";
    let time_zone = match &settings.time_zone {
        Some(zone) => zone.clone(),
        None => format!(
            "{} ({})",
            tenant.profile.time_zone.as_str(),
            tr(lang, "celui du créancier", "the creditor's")
        ),
    };
    let street = [
        settings.address_line1.as_str(),
        settings.address_line2.as_str(),
    ]
    .into_iter()
    .filter(|line| !line.is_empty())
    .collect::<Vec<_>>()
    .join(", ");
    let town = format!("{} {}", settings.postal_code, settings.city)
        .trim()
        .to_owned();
    let address = [street.as_str(), town.as_str()]
        .into_iter()
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(", ");
    let address = if address.is_empty() {
        format!("{none} ({})", settings.country.as_str())
    } else {
        format!("{address}, {}", settings.country.as_str())
    };
    let consent = Channel::ALL
        .iter()
        .map(|channel| {
            let answer = if settings.consent.allows(*channel) {
                tr(lang, "oui", "yes")
            } else {
                tr(lang, "non", "no")
            };
            format!("{} {answer}", channel.code())
        })
        .collect::<Vec<_>>()
        .join(", ");
    let scenario = match &settings.scenario {
        Some(name) => name.clone(),
        None => format!(
            "{} ({})",
            Scenario::default_name(details.kind),
            tr(lang, "par défaut", "default")
        ),
    };
    let lines = [
        (
            tr(lang, "Segment de risque", "Risk segment"),
            settings.risk.code().to_owned(),
        ),
        (tr(lang, "Fuseau horaire", "Time zone"), time_zone),
        (
            tr(lang, "Langue", "Language"),
            settings.language.code().to_owned(),
        ),
        (
            tr(lang, "Canal préféré", "Preferred channel"),
            settings.preferred.code().to_owned(),
        ),
        (
            tr(lang, "E-mail", "E-mail"),
            settings.email.clone().unwrap_or_else(|| none.to_owned()),
        ),
        (
            tr(lang, "Téléphone", "Phone"),
            settings.phone.clone().unwrap_or_else(|| none.to_owned()),
        ),
        (tr(lang, "Adresse", "Address"), address),
        (tr(lang, "Consentements", "Consent"), consent),
        (tr(lang, "Scénario", "Scenario"), scenario),
        (
            tr(lang, "Régime de retard", "Late payment"),
            crate::law_cmds::terms_text(terms, lang),
        ),
    ];
    labelled(&lines, lang)
}
