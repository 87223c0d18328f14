//! Message templates and letters: list, show, edit, reset and preview the templates a tenant
//! sends (the built-ins, or the tenant's edits of them), and render the letter of a recorded
//! action (a formal notice) from the customer's real data.
//!
//! An edit is checked by `documents::check` (layout, syntax, unknown variables, blocks, a render
//! with the sample data, SMS length) before anything is written: a refused edit saves nothing
//! and reports every problem with its line and column.
//!
//! The statement of account uses the customer's late-payment terms (its own rule set and
//! contract rate, else those of its country and kind) and the rate tables in force, as
//! `relance statement` does.

use documents::catalog::default_step;
use documents::catalog::{Builtin, TemplateKind, builtin, builtin_keys};
use documents::context::amount_asked;
use documents::context::{
    Collector, ContextError, DisputeFacts, InvoiceFacts, MessageFacts, PlanFacts, PromiseFacts,
    ReceiptFacts, Recipient, StatementFacts, StepFacts,
};
use documents::pdf::{Letter, PdfError, letter_pdf, print_batch};
use documents::render::{RenderError, Rendered, check, render};
use documents::sample::sample_context;
use documents::source::{LocatedSource, TemplateSource};
use documents::{MessageContext, TemplateProblem};
use domain::case::DisputeReason;
use domain::creditor::PostalAddress;
use domain::customer::{CustomerRef, Language};
use domain::ids::CustomerId;
use domain::late_payment::late_payment_mention;
use domain::scenario::{Scenario, StepChannel, Tone};
use jiff::Timestamp;
use jiff::civil::Date;
use store::{
    ActionFilter, ActionRecord, CustomerDetailsRecord, InvoiceFilter, PlanRecord, Store,
    StoreError, TemplateRecord, TenantRecord,
};

use crate::clock::Clock;

#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The tenant's scenarios cannot be read (the step a template is sent for comes from them).
    #[error(transparent)]
    Dunning(#[from] crate::dunning::DunningError),
    /// The customer's late-payment terms or the rate tables in force cannot be read.
    #[error(transparent)]
    Law(#[from] crate::late_payment::LawError),
    /// The tenant's plan settings cannot be read.
    #[error(transparent)]
    Plan(Box<crate::plans::PlanError>),
    #[error("unknown template {key:?} (known: {})", builtin_keys())]
    UnknownTemplate { key: String },
    #[error("template {key} ({}) refused: {} problem(s), nothing saved", language.code(), problems.len())]
    Invalid {
        key: String,
        language: Language,
        problems: Vec<TemplateProblem>,
    },
    #[error("the stored template {key} ({}) is no longer valid: {}", language.code(), problems.first().map(|p| p.describe(Language::English)).unwrap_or_default())]
    StoredInvalid {
        key: String,
        language: Language,
        problems: Vec<TemplateProblem>,
    },
    #[error("unknown customer {reference}")]
    UnknownCustomer { reference: String },
    #[error("action {id} does not exist")]
    UnknownAction { id: i64 },
    #[error(
        "customer {reference}: nothing is owed any more on the invoices of this message, so there is nothing to send"
    )]
    NothingOwed { reference: String },
    #[error(
        "customer {reference} has no {what} to confirm: preview {key} without --customer to see it with sample data"
    )]
    NoFact {
        reference: String,
        what: &'static str,
        key: &'static str,
    },
    #[error("no letter was decided on {date}")]
    NoLetters { date: Date },
    #[error(transparent)]
    Render(#[from] RenderError),
    #[error(transparent)]
    Context(#[from] ContextError),
    #[error(transparent)]
    Pdf(#[from] PdfError),
}

impl TemplateError {
    /// The error in `language`: the page's or the command line's, whatever the language of the
    /// template concerned.
    pub fn describe(&self, language: Language) -> String {
        if language == Language::English {
            return self.to_string();
        }
        let problems_of = |problems: &[TemplateProblem]| {
            problems
                .iter()
                .map(|problem| problem.describe(language))
                .collect::<Vec<_>>()
                .join(" ; ")
        };
        match self {
            TemplateError::Store(error) => error.to_string(),
            TemplateError::Dunning(error) => error.describe(language),
            TemplateError::Law(error) => error.describe(language),
            TemplateError::Plan(error) => error.describe(language),
            TemplateError::UnknownTemplate { key } => {
                format!("modèle inconnu {key:?} (connus : {})", builtin_keys())
            }
            TemplateError::Invalid {
                key,
                language: of,
                problems,
            } => format!(
                "modèle {key} ({}) refusé, rien n'est enregistré : {}",
                of.code(),
                problems_of(problems)
            ),
            TemplateError::StoredInvalid {
                key,
                language: of,
                problems,
            } => format!(
                "le modèle enregistré {key} ({}) n'est plus valable : {}",
                of.code(),
                problems_of(problems)
            ),
            TemplateError::UnknownCustomer { reference } => {
                format!("client inconnu : {reference}")
            }
            TemplateError::UnknownAction { id } => format!("l'action {id} n'existe pas"),
            TemplateError::NothingOwed { reference } => format!(
                "client {reference} : plus rien n'est dû sur les factures de ce message, il n'y a rien à envoyer"
            ),
            TemplateError::NoFact {
                reference,
                what,
                key,
            } => format!(
                "le client {reference} n'a pas de {} à confirmer : prévisualisez {key} sans --customer pour le voir avec des données d'exemple",
                fact_name(what)
            ),
            TemplateError::NoLetters { date } => {
                format!("aucune lettre n'a été décidée le {date}")
            }
            TemplateError::Render(error) => error.describe(language),
            TemplateError::Context(error) => error.describe(language),
            TemplateError::Pdf(error) => error.describe(language),
        }
    }
}

/// The French name of a fact a template confirms (`NoFact::what`).
fn fact_name(what: &str) -> &'static str {
    match what {
        "promise" => "promesse",
        "dispute" => "litige",
        "payment plan" => "échéancier",
        _ => "paiement",
    }
}

/// Where a template's text comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    BuiltIn,
    Edited { updated_at: Timestamp },
}

/// A template as the tenant sends it, in one language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateText {
    pub builtin: &'static Builtin,
    pub language: Language,
    pub source: TemplateSource,
    pub origin: Origin,
}

/// One line of `relance template list`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateSummary {
    pub builtin: &'static Builtin,
    /// The languages the tenant edited it in.
    pub edited: Vec<Language>,
}

fn known(key: &str) -> Result<&'static Builtin, TemplateError> {
    builtin(key).ok_or_else(|| TemplateError::UnknownTemplate {
        key: key.to_owned(),
    })
}

/// Every template, with the languages the tenant edited.
pub async fn list(
    store: &Store,
    tenant: &TenantRecord,
) -> Result<Vec<TemplateSummary>, TemplateError> {
    let edits = store.tenant(tenant.id).templates().await?;
    Ok(documents::BUILTINS
        .iter()
        .map(|builtin| TemplateSummary {
            builtin,
            edited: edits
                .iter()
                .filter(|edit| edit.key == builtin.key)
                .map(|edit| edit.language)
                .collect(),
        })
        .collect())
}

/// The template as sent: the tenant's edit when there is one, else the built-in.
pub async fn text(
    store: &Store,
    tenant: &TenantRecord,
    key: &str,
    language: Language,
) -> Result<TemplateText, TemplateError> {
    let builtin = known(key)?;
    Ok(
        match store.tenant(tenant.id).template(key, language).await? {
            Some(edit) => TemplateText {
                builtin,
                language,
                source: TemplateSource {
                    subject: edit.subject,
                    text: edit.text,
                    html: edit.html,
                    sms: edit.sms,
                },
                origin: Origin::Edited {
                    updated_at: edit.updated_at,
                },
            },
            None => TemplateText {
                builtin,
                language,
                source: builtin.source(language),
                origin: Origin::BuiltIn,
            },
        },
    )
}

/// Checks an edited template file and, when it has no problem, saves it as the tenant's
/// version. A refused file saves nothing.
pub async fn edit(
    store: &Store,
    tenant: &TenantRecord,
    clock: Clock,
    key: &str,
    language: Language,
    file: &str,
) -> Result<TemplateText, TemplateError> {
    let builtin = known(key)?;
    let source = checked(builtin, language, file)?.source;
    let now = clock.now();
    store
        .tenant(tenant.id)
        .save_template(
            &TemplateRecord {
                key: key.to_owned(),
                language,
                subject: source.subject.clone(),
                text: source.text.clone(),
                html: source.html.clone(),
                sms: source.sms.clone(),
                updated_at: now,
            },
            now,
        )
        .await?;
    Ok(TemplateText {
        builtin,
        language,
        source,
        origin: Origin::Edited { updated_at: now },
    })
}

/// A template file read and checked as an edit must be.
fn checked(
    builtin: &Builtin,
    language: Language,
    file: &str,
) -> Result<LocatedSource, TemplateError> {
    let invalid = |problems| TemplateError::Invalid {
        key: builtin.key.to_owned(),
        language,
        problems,
    };
    let located = TemplateSource::parse(file).map_err(invalid)?;
    check(builtin, language, &located).map_err(invalid)?;
    Ok(located)
}

/// Goes back to the built-in text (in one language, or both); returns how many edits went.
pub async fn reset(
    store: &Store,
    tenant: &TenantRecord,
    key: &str,
    language: Option<Language>,
) -> Result<u64, TemplateError> {
    known(key)?;
    Ok(store
        .tenant(tenant.id)
        .delete_template(key, language)
        .await?)
}

/// A rendered message and what it was rendered from.
#[derive(Debug, Clone)]
pub struct Preview {
    pub rendered: Rendered,
    pub context: MessageContext,
    pub origin: Origin,
}

impl Preview {
    /// The message as a PDF letter.
    pub fn pdf(&self) -> Result<Vec<u8>, TemplateError> {
        Ok(letter_pdf(&Letter {
            rendered: &self.rendered,
            context: &self.context,
        })?)
    }
}

/// Renders a template in `language`: with the customer's real data when a customer is named
/// (its open invoices, its statement of account today, its latest promise or dispute), else
/// with the sample data.
pub async fn preview(
    store: &Store,
    tenant: &TenantRecord,
    clock: Clock,
    key: &str,
    language: Language,
    customer: Option<&str>,
) -> Result<Preview, TemplateError> {
    let template = text(store, tenant, key, language).await?;
    let context =
        preview_context(store, tenant, clock, template.builtin, language, customer).await?;
    let rendered = rendered_or_stored_problem(&template, &context)?;
    Ok(Preview {
        rendered,
        context,
        origin: template.origin,
    })
}

/// Renders a template file as typed, before it is saved (an editor's preview as one types):
/// checked as `edit` checks it, with the data `preview` uses. Nothing is written.
pub async fn preview_file(
    store: &Store,
    tenant: &TenantRecord,
    clock: Clock,
    key: &str,
    language: Language,
    customer: Option<&str>,
    file: &str,
) -> Result<Rendered, TemplateError> {
    let builtin = known(key)?;
    let located = checked(builtin, language, file)?;
    let context = preview_context(store, tenant, clock, builtin, language, customer).await?;
    Ok(render(builtin, &located.source, &context)?)
}

/// The data a preview renders with: the customer's when one is named, else the sample.
async fn preview_context(
    store: &Store,
    tenant: &TenantRecord,
    clock: Clock,
    builtin: &'static Builtin,
    language: Language,
    customer: Option<&str>,
) -> Result<MessageContext, TemplateError> {
    Ok(match customer {
        None => sample_context(
            builtin,
            language,
            domain::customer::CustomerKind::Business,
            None,
        ),
        Some(reference) => {
            let today = clock.today_in(tenant.profile.time_zone.as_str());
            customer_context(store, tenant, builtin, language, reference, today).await?
        }
    })
}

/// A stored edit that no longer renders (its rules changed since) is reported as such.
fn rendered_or_stored_problem(
    template: &TemplateText,
    context: &MessageContext,
) -> Result<Rendered, TemplateError> {
    match render(template.builtin, &template.source, context) {
        Ok(rendered) => Ok(rendered),
        Err(error @ RenderError::Template { .. }) if template.origin != Origin::BuiltIn => {
            match check(
                template.builtin,
                template.language,
                &template.source.located(),
            ) {
                Err(problems) => Err(TemplateError::StoredInvalid {
                    key: template.builtin.key.to_owned(),
                    language: template.language,
                    problems,
                }),
                Ok(()) => Err(error.into()),
            }
        }
        Err(error) => Err(error.into()),
    }
}

async fn customer_id(
    store: &Store,
    tenant: &TenantRecord,
    reference: &str,
) -> Result<CustomerId, TemplateError> {
    let unknown = || TemplateError::UnknownCustomer {
        reference: reference.to_owned(),
    };
    let parsed = CustomerRef::parse(reference).map_err(|_| unknown())?;
    match store.tenant(tenant.id).customer_id(&parsed).await {
        Ok(id) => Ok(id),
        Err(StoreError::NotFound { .. }) => Err(unknown()),
        Err(error) => Err(error.into()),
    }
}

fn recipient(details: &CustomerDetailsRecord) -> Recipient {
    let settings = &details.settings;
    Recipient {
        reference: details.reference.as_str().to_owned(),
        name: details.legal_name.clone(),
        kind: details.kind,
        address: PostalAddress {
            line1: settings.address_line1.clone(),
            line2: settings.address_line2.clone(),
            postal_code: settings.postal_code.clone(),
            city: settings.city.clone(),
            country: Some(settings.country),
        },
        email: settings.email.clone().unwrap_or_default(),
        phone: settings.phone.clone().unwrap_or_default(),
    }
}

/// The customer's open invoices, those with these numbers only when given.
async fn open_invoices(
    store: &Store,
    tenant: &TenantRecord,
    details: &CustomerDetailsRecord,
    numbers: Option<&[String]>,
) -> Result<Vec<InvoiceFacts>, TemplateError> {
    let invoices = store
        .tenant(tenant.id)
        .invoices(&InvoiceFilter {
            customer: Some(details.reference.clone()),
            overdue_on: None,
        })
        .await?;
    Ok(invoices
        .into_iter()
        .filter(|invoice| invoice.outstanding.is_positive())
        .filter(|invoice| {
            numbers.is_none_or(|numbers| numbers.iter().any(|n| n == invoice.number.as_str()))
        })
        .map(|invoice| InvoiceFacts {
            number: invoice.number.as_str().to_owned(),
            issued_on: invoice.issued_on,
            due_on: invoice.due_on,
            amount: invoice.amount,
            outstanding: invoice.outstanding,
        })
        .collect())
}

/// The step of the customer's scenario that sends `builtin`, or its usual one.
async fn step_for(
    store: &Store,
    tenant: &TenantRecord,
    details: &CustomerDetailsRecord,
    builtin: &Builtin,
) -> Result<StepFacts, TemplateError> {
    let rules = crate::dunning::rules(store, tenant).await?;
    let wanted = details
        .settings
        .scenario
        .clone()
        .unwrap_or_else(|| Scenario::default_name(details.kind).to_owned());
    let scenario = rules
        .scenarios
        .iter()
        .find(|scenario| scenario.name() == wanted)
        .or_else(|| {
            rules
                .scenarios
                .iter()
                .find(|scenario| scenario.name() == Scenario::default_name(details.kind))
        });
    Ok(scenario
        .and_then(|scenario| {
            scenario
                .steps()
                .iter()
                .find(|step| step.template == builtin.key)
        })
        .map(|step| StepFacts {
            key: step.key.clone(),
            tone: step.tone,
            channel: step.channel,
        })
        .unwrap_or_else(|| default_step(builtin, details.kind)))
}

/// The context of `builtin` for a real customer on `today`.
async fn customer_context(
    store: &Store,
    tenant: &TenantRecord,
    builtin: &'static Builtin,
    language: Language,
    reference: &str,
    today: Date,
) -> Result<MessageContext, TemplateError> {
    let id = customer_id(store, tenant, reference).await?;
    let handle = store.tenant(tenant.id);
    let details = handle.customer_details(id).await?;
    let all_open = open_invoices(store, tenant, &details, None).await?;
    // A reminder is about what is late; before the due date, about what falls due.
    let overdue: Vec<InvoiceFacts> = all_open
        .iter()
        .filter(|invoice| invoice.due_on < today)
        .cloned()
        .collect();
    let invoices = if builtin.key == "pre_due_reminder" {
        all_open
            .into_iter()
            .filter(|invoice| invoice.due_on >= today)
            .collect()
    } else if overdue.is_empty() {
        all_open
    } else {
        overdue
    };
    let file = handle.customer_file(id).await?;
    let fact_missing = |what: &'static str| TemplateError::NoFact {
        reference: reference.to_owned(),
        what,
        key: builtin.key,
    };
    let (promise, dispute) = latest_promise_and_dispute(&file, builtin, fact_missing)?;
    if builtin.extras.contains(&documents::catalog::Extra::Receipt) {
        // Payments are not recorded one by one yet: receipts come with payment matching.
        return Err(fact_missing("payment"));
    }
    let plan = match builtin.extras.contains(&documents::catalog::Extra::Plan) {
        false => None,
        true => {
            let latest = handle
                .plans(None, Some(id))
                .await?
                .into_iter()
                .max_by_key(|plan| plan.id)
                .ok_or_else(|| fact_missing("payment plan"))?;
            let grace_days = crate::plans::settings(store, tenant)
                .await
                .map_err(|error| TemplateError::Plan(Box::new(error)))?
                .grace_days;
            Some(plan_facts(&latest, grace_days, today))
        }
    };
    let step = step_for(store, tenant, &details, builtin).await?;
    let statement = customer_statement(store, tenant, &details, today, language).await?;
    message_context(
        tenant,
        statement,
        builtin,
        language,
        &details,
        invoices,
        step,
        today,
        Extras {
            promise,
            dispute,
            receipt: None,
            plan,
            portal_url: None,
        },
    )
}

/// The facts only some templates receive.
#[derive(Debug, Default)]
struct Extras {
    promise: Option<PromiseFacts>,
    dispute: Option<DisputeFacts>,
    receipt: Option<ReceiptFacts>,
    plan: Option<PlanFacts>,
    portal_url: Option<String>,
}

#[allow(clippy::too_many_arguments)]
fn message_context(
    tenant: &TenantRecord,
    statement: StatementFacts,
    builtin: &Builtin,
    language: Language,
    details: &CustomerDetailsRecord,
    invoices: Vec<InvoiceFacts>,
    step: StepFacts,
    today: Date,
    extras: Extras,
) -> Result<MessageContext, TemplateError> {
    let facts = MessageFacts {
        language,
        today,
        creditor: &tenant.profile,
        collector: Collector::accounts_department(language),
        customer: recipient(details),
        invoices,
        statement,
        step,
        amount_asked: amount_asked(builtin),
        promise: extras.promise,
        dispute: extras.dispute,
        receipt: extras.receipt,
        plan: extras.plan,
        portal_url: extras.portal_url,
    };
    Ok(MessageContext::build(&facts)?)
}

/// What a message or the agreement says of `plan` on `today`.
fn plan_facts(plan: &PlanRecord, grace_days: u32, today: Date) -> PlanFacts {
    let paid = plan.paid();
    let schedule = domain::plan::Schedule {
        installments: plan.installments.clone(),
    };
    let standing = domain::plan::standing(&schedule, paid, today, grace_days).ok();
    let grace_ends_on = match standing.as_ref().map(|standing| standing.state) {
        Some(domain::plan::PlanState::Late { grace_ends_on, .. }) => Some(grace_ends_on),
        _ => standing
            .as_ref()
            .and_then(|standing| standing.next)
            .and_then(|(installment, _)| {
                installment
                    .due_on
                    .checked_add(jiff::Span::new().days(i64::from(grace_days)))
                    .ok()
            }),
    };
    PlanFacts {
        number: plan.id,
        covered: plan.covered,
        charges: plan.charges,
        invoices: plan
            .invoices
            .iter()
            .map(|invoice| invoice.number.clone())
            .collect(),
        installments: plan.installments.clone(),
        every: plan.every,
        waive_charges: plan.waive_charges,
        grace_days,
        paid,
        next: standing.and_then(|standing| standing.next),
        grace_ends_on,
    }
}

/// The plan a plan message is about: its id is in the action's step key (`plan-ID-…`).
pub fn plan_of_step(step_key: &str) -> Option<i64> {
    step_key
        .strip_prefix("plan-")?
        .split('-')
        .next()?
        .parse()
        .ok()
}

/// The written agreement of a payment plan, in the customer's language, bearing `date`: the
/// parties, the invoices, the schedule, the conditional waiver, what a default does, and room
/// for both signatures.
pub async fn plan_agreement(
    store: &Store,
    tenant: &TenantRecord,
    plan: &PlanRecord,
    grace_days: u32,
    date: Date,
) -> Result<(Rendered, MessageContext), TemplateError> {
    let details = store
        .tenant(tenant.id)
        .customer_details(plan.customer)
        .await?;
    let language = details.settings.language;
    let template = text(store, tenant, "plan_agreement", language).await?;
    let numbers: Vec<String> = plan
        .invoices
        .iter()
        .map(|invoice| invoice.number.clone())
        .collect();
    let invoices = open_invoices(store, tenant, &details, Some(&numbers)).await?;
    let step = StepFacts {
        key: "plan_agreement".to_owned(),
        tone: Tone::Courteous,
        channel: StepChannel::Letter,
    };
    let statement = customer_statement(store, tenant, &details, date, language).await?;
    let context = message_context(
        tenant,
        statement,
        template.builtin,
        language,
        &details,
        invoices,
        step,
        date,
        Extras {
            plan: Some(plan_facts(plan, grace_days, date)),
            ..Extras::default()
        },
    )?;
    let rendered = rendered_or_stored_problem(&template, &context)?;
    Ok((rendered, context))
}

/// The customer's statement of account on `today`, as `relance statement` shows it (its
/// terms, the creditor's policy and waivers, payments, formal notices, judgments and proven
/// costs), or why it cannot be computed.
async fn customer_statement(
    store: &Store,
    tenant: &TenantRecord,
    details: &CustomerDetailsRecord,
    today: Date,
    language: Language,
) -> Result<StatementFacts, TemplateError> {
    use crate::late_payment::LawError;
    let found = match crate::late_payment::statement(
        store,
        tenant,
        crate::clock::Clock::System,
        details.reference.as_str(),
        Some(today),
    )
    .await
    {
        Ok(found) => found,
        Err(
            error @ (LawError::Computation(_)
            | LawError::InvoiceComputation { .. }
            | LawError::StoredRateTable { .. }
            | LawError::Overflow),
        ) => {
            return Ok(StatementFacts::Unavailable {
                reason: error.describe(language),
            });
        }
        Err(error) => return Err(error.into()),
    };
    if found.statement.lines.is_empty() {
        return Ok(StatementFacts::Unavailable {
            reason: match language {
                Language::French => "aucune facture en retard".to_owned(),
                Language::English => "no invoice overdue".to_owned(),
            },
        });
    }
    Ok(StatementFacts::Computed {
        legal_basis: late_payment_mention(
            &found.terms.effective,
            &found.policy.settings,
            found.policy.early_payment_discount,
            language,
        ),
        statement: Box::new(found.statement),
    })
}

/// A letter ready to print.
#[derive(Debug, Clone)]
pub struct LetterDocument {
    pub action: ActionRecord,
    pub rendered: Rendered,
    pub context: MessageContext,
}

/// The letter of a recorded action (a formal notice, or any step sent by post), rendered from
/// the customer's data on `date` in the customer's language. Only invoices still unpaid are
/// claimed; when none is, there is no letter.
pub async fn letter_for_action(
    store: &Store,
    tenant: &TenantRecord,
    id: i64,
    date: Date,
) -> Result<LetterDocument, TemplateError> {
    let action = match store.tenant(tenant.id).action(id).await {
        Ok(action) => action,
        Err(StoreError::NotFound { .. }) => return Err(TemplateError::UnknownAction { id }),
        Err(error) => return Err(error.into()),
    };
    letter_of(store, tenant, action, date, None).await
}

async fn letter_of(
    store: &Store,
    tenant: &TenantRecord,
    action: ActionRecord,
    date: Date,
    portal_url: Option<String>,
) -> Result<LetterDocument, TemplateError> {
    let handle = store.tenant(tenant.id);
    let details = handle.customer_details(action.customer).await?;
    let language = details.settings.language;
    let template = text(store, tenant, &action.template, language).await?;
    let builtin = template.builtin;
    let receipt = builtin.receives(documents::catalog::Extra::Receipt);
    let invoices = if receipt {
        // A receipt or a thank-you is about invoices paid: they are listed whatever remains.
        action_invoices(store, tenant, &details, &action.invoice_numbers).await?
    } else {
        open_invoices(store, tenant, &details, Some(&action.invoice_numbers)).await?
    };
    if invoices.is_empty() {
        return Err(TemplateError::NothingOwed {
            reference: action.customer_ref.clone(),
        });
    }
    let (promise, dispute, receipt) = if builtin.extras.is_empty() {
        (None, None, None)
    } else {
        action_extras(store, tenant, &action, &details, builtin, &invoices, date).await?
    };
    let plan = action_plan(store, tenant, &action, builtin, date).await?;
    let step = StepFacts {
        key: action.step_key.clone(),
        tone: Tone::parse(&action.tone).unwrap_or(Tone::Formal),
        channel: StepChannel::parse(&action.channel).unwrap_or(StepChannel::Letter),
    };
    let statement = customer_statement(store, tenant, &details, date, language).await?;
    let context = message_context(
        tenant,
        statement,
        template.builtin,
        language,
        &details,
        invoices,
        step,
        date,
        Extras {
            promise,
            dispute,
            receipt,
            plan,
            portal_url,
        },
    )?;
    let rendered = rendered_or_stored_problem(&template, &context)?;
    Ok(LetterDocument {
        action,
        rendered,
        context,
    })
}

/// The message of any recorded action (an e-mail, an SMS, a letter), rendered from the
/// customer's data on `date` in the customer's language: the invoices it asks for that are
/// still unpaid, or, for a receipt or a thank-you, the invoices it names with what was paid.
pub async fn message_for_action(
    store: &Store,
    tenant: &TenantRecord,
    action: ActionRecord,
    date: Date,
) -> Result<LetterDocument, TemplateError> {
    letter_of(store, tenant, action, date, None).await
}

/// The same, with the address of the customer's portal page for `portal.url` (the message that
/// is sent; previews and letters leave it empty, so that reading one issues no link).
pub async fn message_with_portal(
    store: &Store,
    tenant: &TenantRecord,
    action: ActionRecord,
    date: Date,
    portal_url: Option<String>,
) -> Result<LetterDocument, TemplateError> {
    letter_of(store, tenant, action, date, portal_url).await
}

/// Whether the template asks the customer for money (a reminder, a notice), as opposed to
/// confirming a promise, acknowledging a dispute or thanking for a payment.
pub fn asks_for_payment(key: &str) -> bool {
    builtin(key).is_some_and(|builtin| {
        builtin.extras.is_empty() && builtin.kind != TemplateKind::CallScript
    })
}

/// The invoices an action names, paid or not.
async fn action_invoices(
    store: &Store,
    tenant: &TenantRecord,
    details: &CustomerDetailsRecord,
    numbers: &[String],
) -> Result<Vec<InvoiceFacts>, TemplateError> {
    let invoices = store
        .tenant(tenant.id)
        .invoices(&InvoiceFilter {
            customer: Some(details.reference.clone()),
            overdue_on: None,
        })
        .await?;
    Ok(invoices
        .into_iter()
        .filter(|invoice| numbers.iter().any(|n| n == invoice.number.as_str()))
        .map(|invoice| InvoiceFacts {
            number: invoice.number.as_str().to_owned(),
            issued_on: invoice.issued_on,
            due_on: invoice.due_on,
            amount: invoice.amount,
            outstanding: invoice.outstanding,
        })
        .collect())
}

/// The promise, dispute or payment a message outside the ladder is about: the customer's
/// latest promise or dispute; for a receipt, what was paid on the action's invoices (their
/// amounts less what remains) and what the customer still owes in all.
async fn action_extras(
    store: &Store,
    tenant: &TenantRecord,
    action: &ActionRecord,
    details: &CustomerDetailsRecord,
    builtin: &'static Builtin,
    invoices: &[InvoiceFacts],
    date: Date,
) -> Result<
    (
        Option<PromiseFacts>,
        Option<DisputeFacts>,
        Option<ReceiptFacts>,
    ),
    TemplateError,
> {
    use documents::catalog::Extra;
    let file = store
        .tenant(tenant.id)
        .customer_file(action.customer)
        .await?;
    let missing = |what: &'static str| TemplateError::NoFact {
        reference: action.customer_ref.clone(),
        what,
        key: builtin.key,
    };
    let (promise, dispute) = latest_promise_and_dispute(&file, builtin, missing)?;
    let receipt = match builtin.receives(Extra::Receipt) {
        false => None,
        true => {
            let first = invoices.first().ok_or_else(|| missing("payment"))?;
            let zero = domain::money::Money::zero(first.amount.currency());
            let mut paid = zero;
            for invoice in invoices {
                let settled = invoice
                    .amount
                    .checked_sub(invoice.outstanding)
                    .map_err(|_| ContextError::Overflow)?;
                paid = paid
                    .checked_add(settled)
                    .map_err(|_| ContextError::Overflow)?;
            }
            let mut remaining = zero;
            for invoice in open_invoices(store, tenant, details, None).await? {
                if invoice.outstanding.currency() == zero.currency() {
                    remaining = remaining
                        .checked_add(invoice.outstanding)
                        .map_err(|_| ContextError::Overflow)?;
                }
            }
            if !paid.is_positive() {
                return Err(missing("payment"));
            }
            Some(ReceiptFacts {
                amount: paid,
                paid_on: date,
                invoices: invoices
                    .iter()
                    .map(|invoice| invoice.number.clone())
                    .collect(),
                remaining,
            })
        }
    };
    Ok((promise, dispute, receipt))
}

/// The customer's latest promise and dispute, for the templates that receive them (a promise
/// confirmation, a dispute acknowledgement); `missing` names what the customer lacks.
fn latest_promise_and_dispute(
    file: &store::CustomerFile,
    builtin: &Builtin,
    missing: impl Fn(&'static str) -> TemplateError,
) -> Result<(Option<PromiseFacts>, Option<DisputeFacts>), TemplateError> {
    use documents::catalog::Extra;
    let promise = match builtin.receives(Extra::Promise) {
        false => None,
        true => {
            let promise = file
                .promises
                .iter()
                .max_by_key(|promise| promise.id)
                .ok_or_else(|| missing("promise"))?;
            Some(PromiseFacts {
                amount: promise.amount,
                due_on: promise.due_on,
            })
        }
    };
    let dispute = match builtin.receives(Extra::Dispute) {
        false => None,
        true => {
            let dispute = file
                .disputes
                .iter()
                .max_by_key(|dispute| dispute.id)
                .ok_or_else(|| missing("dispute"))?;
            Some(DisputeFacts {
                invoice: dispute.invoice_number.clone(),
                reason: DisputeReason::parse(&dispute.reason).unwrap_or(DisputeReason::Other),
                opened_on: dispute.opened_on,
            })
        }
    };
    Ok((promise, dispute))
}

/// The plan facts of a plan message (a reminder, a confirmation, a missed installment).
async fn action_plan(
    store: &Store,
    tenant: &TenantRecord,
    action: &ActionRecord,
    builtin: &'static Builtin,
    date: Date,
) -> Result<Option<PlanFacts>, TemplateError> {
    if !builtin.receives(documents::catalog::Extra::Plan) {
        return Ok(None);
    }
    let missing = || TemplateError::NoFact {
        reference: action.customer_ref.clone(),
        what: "payment plan",
        key: builtin.key,
    };
    let id = plan_of_step(&action.step_key).ok_or_else(missing)?;
    let plan = match store.tenant(tenant.id).plan(id).await {
        Ok(plan) => plan,
        Err(StoreError::NotFound { .. }) => return Err(missing()),
        Err(error) => return Err(error.into()),
    };
    let grace_days = crate::plans::settings(store, tenant)
        .await
        .map_err(|error| TemplateError::Plan(Box::new(error)))?
        .grace_days;
    Ok(Some(plan_facts(&plan, grace_days, date)))
}

/// The day's print batch: one PDF with the letter of every postal action decided on `date`
/// that is still to be sent (scheduled), customers whose invoices were all paid left out.
pub async fn print_batch_for(
    store: &Store,
    tenant: &TenantRecord,
    date: Date,
    duplex: bool,
) -> Result<(Vec<u8>, Vec<LetterDocument>), TemplateError> {
    let actions = store
        .tenant(tenant.id)
        .actions(&ActionFilter {
            decided_on: Some(date),
            customer: None,
            status: Some("scheduled"),
        })
        .await?;
    let mut letters = Vec::new();
    for action in actions.into_iter().filter(|action| {
        matches!(
            StepChannel::parse(&action.channel),
            Ok(StepChannel::Letter | StepChannel::RegisteredLetter)
        )
    }) {
        match letter_of(store, tenant, action, date, None).await {
            Ok(letter) => letters.push(letter),
            Err(TemplateError::NothingOwed { .. }) => {}
            Err(error) => return Err(error),
        }
    }
    if letters.is_empty() {
        return Err(TemplateError::NoLetters { date });
    }
    let pages: Vec<Letter<'_>> = letters
        .iter()
        .map(|letter| Letter {
            rendered: &letter.rendered,
            context: &letter.context,
        })
        .collect();
    let pdf = print_batch(&pages, duplex)?;
    Ok((pdf, letters))
}

/// The kinds a template list groups by.
pub fn kind_label(kind: TemplateKind, language: Language) -> &'static str {
    match (kind, language) {
        (TemplateKind::Message, Language::French) => "message",
        (TemplateKind::Message, Language::English) => "message",
        (TemplateKind::CallScript, Language::French) => "script d'appel",
        (TemplateKind::CallScript, Language::English) => "call script",
        (TemplateKind::Letter, Language::French) => "lettre",
        (TemplateKind::Letter, Language::English) => "letter",
        (TemplateKind::Document, Language::French) => "document",
        (TemplateKind::Document, Language::English) => "document",
    }
}

/// One line of the post office's list of registered letters.
#[derive(Debug, Clone)]
pub struct RegisteredLetter {
    pub action: ActionRecord,
    pub name: String,
    /// The address lines as printed in the window.
    pub address: Vec<String>,
    /// The payment reference the letter carries (ISO 11649), which identifies it.
    pub reference: String,
    pub pages: usize,
    /// Estimated: 5 g per A4 sheet of 80 g/m² and 5 g for a DL envelope.
    pub weight_grams: usize,
}

/// The registered letters of the day's print batch, for the post office's deposit list:
/// recipient, address, reference, pages and weight. Customers whose invoices were all paid are
/// left out, as from the batch.
pub async fn registered_list(
    store: &Store,
    tenant: &TenantRecord,
    date: Date,
) -> Result<Vec<RegisteredLetter>, TemplateError> {
    let actions = store
        .tenant(tenant.id)
        .actions(&ActionFilter {
            decided_on: Some(date),
            customer: None,
            status: Some("scheduled"),
        })
        .await?;
    let mut list = Vec::new();
    for action in actions
        .into_iter()
        .filter(|action| StepChannel::parse(&action.channel) == Ok(StepChannel::RegisteredLetter))
    {
        let letter = match letter_of(store, tenant, action, date, None).await {
            Ok(letter) => letter,
            Err(TemplateError::NothingOwed { .. }) => continue,
            Err(error) => return Err(error),
        };
        let pages = documents::letter_pages(&Letter {
            rendered: &letter.rendered,
            context: &letter.context,
        })?;
        list.push(RegisteredLetter {
            name: letter.context.customer.name.clone(),
            address: letter.context.customer.address.clone(),
            reference: letter.context.payment.reference.clone(),
            pages,
            weight_grams: 5 * pages + 5,
            action: letter.action,
        });
    }
    Ok(list)
}

/// A call to make: the script, rendered with the customer's data, and the file's summary.
#[derive(Debug, Clone)]
pub struct CallTask {
    pub action: ActionRecord,
    pub name: String,
    pub phone: String,
    pub invoices: usize,
    pub outstanding: String,
    pub days_late: i64,
    /// Contacts, promises, disputes in the customer's file, latest last (at most five).
    pub history: Vec<String>,
    pub script: String,
}

/// The phone steps scheduled on `date`: one call task each, with the call script in the
/// customer's language and a summary of the customer's file.
pub async fn call_tasks(
    store: &Store,
    tenant: &TenantRecord,
    date: Date,
) -> Result<Vec<CallTask>, TemplateError> {
    let handle = store.tenant(tenant.id);
    let actions = handle
        .actions(&ActionFilter {
            decided_on: Some(date),
            customer: None,
            status: Some("scheduled"),
        })
        .await?;
    let mut tasks = Vec::new();
    for action in actions
        .into_iter()
        .filter(|action| StepChannel::parse(&action.channel) == Ok(StepChannel::PhoneTask))
    {
        let customer = action.customer;
        let letter = match letter_of(store, tenant, action, date, None).await {
            Ok(letter) => letter,
            Err(TemplateError::NothingOwed { .. }) => continue,
            Err(error) => return Err(error),
        };
        let file = handle.customer_file(customer).await?;
        let mut history: Vec<(Date, String)> = Vec::new();
        for contact in &file.contacts {
            history.push((
                contact.occurred_on,
                format!(
                    "{} {} {}{}",
                    contact.occurred_on,
                    contact.channel,
                    contact.outcome,
                    contact
                        .reason
                        .as_deref()
                        .map(|reason| format!(" ({reason})"))
                        .unwrap_or_default()
                ),
            ));
        }
        for promise in &file.promises {
            history.push((
                promise.due_on,
                format!(
                    "{} promise {} {}",
                    promise.due_on, promise.amount, promise.status
                ),
            ));
        }
        for dispute in &file.disputes {
            history.push((
                dispute.opened_on,
                format!(
                    "{} dispute {} {}",
                    dispute.opened_on, dispute.invoice_number, dispute.reason
                ),
            ));
        }
        for sent in file.actions.iter().filter(|action| action.status == "sent") {
            history.push((
                sent.decided_on,
                format!(
                    "{} {} {} sent",
                    sent.decided_on, sent.step_key, sent.channel
                ),
            ));
        }
        history.sort();
        let skip = history.len().saturating_sub(5);
        tasks.push(CallTask {
            name: letter.context.customer.name.clone(),
            phone: letter.context.customer.phone.clone(),
            invoices: letter.context.totals.count,
            outstanding: letter.context.totals.outstanding.clone(),
            days_late: letter.context.totals.days_late,
            history: history
                .into_iter()
                .skip(skip)
                .map(|(_, line)| line)
                .collect(),
            script: letter.rendered.text.clone(),
            action: letter.action,
        });
    }
    Ok(tasks)
}
