//! The settings pages: the company, the escalation scenarios (with what tomorrow's run would
//! do), the contact policy, the message templates with a live preview, the late-payment policy
//! and waivers, payment plans' limits and the debtor portal, and the delivery channels. Each reads and changes its settings through the
//! same `app` use case as the command line; everyone reads the rules, a manager changes them,
//! an administrator changes the company and the channels.

use std::collections::BTreeMap;

use app::accounts::Permission;
use app::delivery::{DeliveryError, SettingsError, TestMessage};
use app::dunning::{
    DAY_FIELDS, DunningError, FormProblem, PolicyForm, ReportDetail, RunOptions, StepForm,
};
use app::late_payment::{LawError, PolicyChanges, PolicyField, WaiverAmount, WaiverRequest};
use app::setup::{ProfileError, ProfileInput};
use app::templates::{Origin, TemplateError};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use axum::{Form, Router};
use domain::customer::Language;
use domain::scenario::{Charge, RiskSegment, StepChannel, Tone};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::AppState;
use crate::auth::{Staff, check_csrf, staff};
use crate::error::{WebError, in_lang};
use crate::i18n::Lang;
use crate::pages::{PageResult, encode, fragment, page, require};
use crate::views::{date, money};

/// The settings routes, merged into the application's router.
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/settings", get(index))
        .route("/settings/company", get(company).post(save_company))
        .route("/settings/scenarios", get(scenarios))
        .route("/settings/scenarios/tomorrow", get(tomorrow))
        .route(
            "/settings/scenarios/{name}",
            get(scenario).post(save_scenario),
        )
        .route("/settings/policy", get(policy).post(save_policy))
        .route("/settings/templates", get(templates))
        .route(
            "/settings/templates/{key}/{lang}",
            get(template).post(save_template),
        )
        .route(
            "/settings/templates/{key}/{lang}/preview",
            post(preview_template),
        )
        .route(
            "/settings/templates/{key}/{lang}/reset",
            post(reset_template),
        )
        .route("/settings/penalties", get(penalties).post(save_penalties))
        .route("/settings/penalties/waivers", post(add_waiver))
        .route(
            "/settings/penalties/waivers/{id}/withdraw",
            post(withdraw_waiver),
        )
        .route("/settings/plans", get(plans).post(save_plans))
        .route("/settings/portal", post(save_portal))
        .route("/settings/channels", get(channels).post(save_channels))
        .route("/settings/channels/test", post(test_channel))
}

/// A form as a list of (name, value) pairs: repeated names (checkboxes) and numbered rows.
pub(crate) type Fields = Vec<(String, String)>;

pub(crate) fn field<'a>(fields: &'a Fields, name: &str) -> &'a str {
    fields
        .iter()
        .find(|(key, _)| key == name)
        .map_or("", |(_, value)| value.as_str())
}

fn every(fields: &Fields, name: &str) -> Vec<String> {
    fields
        .iter()
        .filter(|(key, _)| key == name)
        .map(|(_, value)| value.clone())
        .collect()
}

/// The person sending a settings form: signed in, the form's CSRF token checked, and allowed
/// to make the change.
pub(crate) async fn sender(
    state: &AppState,
    headers: &HeaderMap,
    fields: &Fields,
    permission: Permission,
) -> Result<Staff, WebError> {
    let staff = staff(state, headers).await?;
    check_csrf(&staff, headers, Some(field(fields, "csrf")))?;
    require(&staff, permission)?;
    Ok(staff)
}

/// A page answered with a status other than 200 (a refused form shown again).
pub(crate) fn with_status(response: PageResult, status: StatusCode) -> PageResult {
    let mut response = response?;
    *response.status_mut() = status;
    Ok(response)
}

/// Adds a page's particular values (a notice, the problems of a refused form) to its own.
pub(crate) fn extend(values: &mut Value, extra: Value) {
    if let (Value::Object(map), Value::Object(more)) = (values, extra) {
        map.extend(more);
    }
}

pub(crate) fn can(staff: &Staff, permission: Permission) -> bool {
    staff.account.role.allows(permission)
}

fn refused(lang: Lang, message: String) -> WebError {
    WebError::Refused(lang, message)
}

// --- Index --------------------------------------------------------------------------------------

pub(crate) async fn index(State(state): State<AppState>, headers: HeaderMap) -> PageResult {
    let staff = staff(&state, &headers).await?;
    page(
        &staff,
        "settings.html",
        staff.lang.t("settings_title"),
        json!({ "can_configure": can(&staff, Permission::Configure) }),
    )
}

// --- Company ------------------------------------------------------------------------------------

const COMPANY_FIELDS: [&str; 13] = [
    "company_name",
    "siren",
    "address_line1",
    "address_line2",
    "postal_code",
    "city",
    "country",
    "iban",
    "bic",
    "time_zone",
    "currency",
    "payment_term_days",
    "language",
];

fn company_values(profile: &domain::creditor::CreditorProfile) -> Value {
    let address = &profile.address;
    json!({
        "company_name": profile.company_name,
        "siren": profile.siren.as_ref().map(|s| s.as_str().to_owned()).unwrap_or_default(),
        "address_line1": address.line1,
        "address_line2": address.line2,
        "postal_code": address.postal_code,
        "city": address.city,
        "country": address.country.map(|c| c.as_str().to_owned()).unwrap_or_default(),
        "iban": profile.iban.as_ref().map(|i| i.as_str().to_owned()).unwrap_or_default(),
        "bic": profile.bic.as_ref().map(|b| b.as_str().to_owned()).unwrap_or_default(),
        "time_zone": profile.time_zone.as_str(),
        "currency": profile.currency.code(),
        "payment_term_days": profile.default_payment_term_days.to_string(),
        "language": profile.language.code(),
    })
}

fn company_page(staff: &Staff, values: Value, errors: Value, saved: bool) -> PageResult {
    let lang = staff.lang;
    page(
        staff,
        "settings_company.html",
        lang.t("settings_company"),
        json!({
            "v": values,
            "errors": errors,
            "saved": saved,
            "can_change": can(staff, Permission::Administer),
            "example": crate::views::money(
                domain::money::Money::from_minor(123_456, staff.tenant.profile.currency),
                lang,
            ),
        }),
    )
}

pub(crate) async fn company(State(state): State<AppState>, headers: HeaderMap) -> PageResult {
    let staff = staff(&state, &headers).await?;
    let values = company_values(&staff.tenant.profile);
    company_page(&staff, values, json!({}), false)
}

pub(crate) async fn save_company(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(fields): Form<Fields>,
) -> PageResult {
    let mut staff = sender(&state, &headers, &fields, Permission::Administer).await?;
    let input = ProfileInput {
        company_name: field(&fields, "company_name"),
        siren: field(&fields, "siren"),
        address_line1: field(&fields, "address_line1"),
        address_line2: field(&fields, "address_line2"),
        postal_code: field(&fields, "postal_code"),
        city: field(&fields, "city"),
        country: field(&fields, "country"),
        iban: field(&fields, "iban"),
        bic: field(&fields, "bic"),
        time_zone: field(&fields, "time_zone"),
        currency: field(&fields, "currency"),
        payment_term_days: field(&fields, "payment_term_days"),
        language: field(&fields, "language"),
    };
    match app::setup::update_profile(&state.store, &staff.tenant, &input).await {
        Ok(tenant) => {
            staff.tenant = tenant;
            let values = company_values(&staff.tenant.profile);
            company_page(&staff, values, json!({}), true)
        }
        Err(ProfileError::Invalid { problems }) => {
            let errors: BTreeMap<&str, &str> = problems
                .iter()
                .map(|p| (p.field, p.describe(staff.lang.language())))
                .collect();
            let typed: BTreeMap<&str, &str> = COMPANY_FIELDS
                .iter()
                .map(|name| (*name, field(&fields, name)))
                .collect();
            with_status(
                company_page(&staff, json!(typed), json!(errors), false),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
        Err(ProfileError::Store(error)) => Err(error.into()),
    }
}

// --- Scenarios ----------------------------------------------------------------------------------

fn dunning_error(error: DunningError, lang: Lang) -> WebError {
    match error {
        DunningError::UnknownScenario { .. } => WebError::NotFound(lang),
        other => in_lang(other.into(), lang),
    }
}

fn step_values(step: &StepForm) -> Value {
    json!({
        "key": step.key, "offset_days": step.offset_days, "channel": step.channel,
        "also": step.also, "tone": step.tone, "template": step.template,
        "requires_approval": step.requires_approval, "claims": step.claims,
        "min_overdue": step.min_overdue, "customer_kind": step.customer_kind,
        "risk_segments": step.risk_segments,
    })
}

pub(crate) async fn scenarios(State(state): State<AppState>, headers: HeaderMap) -> PageResult {
    let staff = staff(&state, &headers).await?;
    let lang = staff.lang;
    let rules = app::dunning::rules(&state.store, &staff.tenant)
        .await
        .map_err(|error| dunning_error(error, lang))?;
    let list: Vec<Value> = rules
        .scenarios
        .iter()
        .map(|scenario| {
            json!({
                "name": scenario.name(),
                "url": format!("/settings/scenarios/{}", encode(scenario.name())),
                "steps": scenario.steps().iter().map(|step| step_values(&StepForm::of(step))).collect::<Vec<_>>(),
            })
        })
        .collect();
    page(
        &staff,
        "settings_scenarios.html",
        lang.t("settings_scenarios"),
        json!({ "scenarios": list, "can_change": can(&staff, Permission::Configure) }),
    )
}

/// Blank rows offered below a scenario's steps, to add steps.
const BLANK_STEPS: usize = 2;

fn scenario_page(
    staff: &Staff,
    name: &str,
    steps: &[StepForm],
    problem: Option<&FormProblem>,
    saved: bool,
) -> PageResult {
    let lang = staff.lang;
    let mut rows: Vec<Value> = steps.iter().map(step_values).collect();
    rows.extend((0..BLANK_STEPS).map(|_| step_values(&StepForm::default())));
    let codes = |all: &[&'static str]| all.to_vec();
    page(
        staff,
        "settings_scenario.html",
        &format!("{} {name}", lang.t("settings_scenario")),
        json!({
            "name": name,
            "action": format!("/settings/scenarios/{}", encode(name)),
            "steps": rows,
            "error": problem.map(|p| json!({
                "step": p.step,
                "field": p.problem.field,
                "message": p.problem.describe(lang.language()),
            })),
            "saved": saved,
            "can_change": can(staff, Permission::Configure),
            "channels": codes(&StepChannel::ALL.map(|c| c.code())),
            "companions": codes(&[StepChannel::Email.code(), StepChannel::Sms.code(), StepChannel::Letter.code()]),
            "tones": codes(&Tone::ALL.map(|t| t.code())),
            "charges": codes(&Charge::ALL.map(|c| c.code())),
            "segments": codes(&RiskSegment::ALL.map(|s| s.code())),
            "templates": documents::BUILTINS.iter().map(|b| json!({
                "key": b.key, "title": b.title(lang.language()),
            })).collect::<Vec<_>>(),
        }),
    )
}

pub(crate) async fn scenario(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(name): Path<String>,
) -> PageResult {
    let staff = staff(&state, &headers).await?;
    let rules = app::dunning::rules(&state.store, &staff.tenant)
        .await
        .map_err(|error| dunning_error(error, staff.lang))?;
    let found = rules
        .scenarios
        .iter()
        .find(|scenario| scenario.name() == name)
        .ok_or(WebError::NotFound(staff.lang))?;
    let steps: Vec<StepForm> = found.steps().iter().map(StepForm::of).collect();
    scenario_page(&staff, &name, &steps, None, false)
}

/// The steps of a submitted form (`s0_key`, `s0_offset_days`…), in order; a row without a key
/// is no step (the blank rows, or a step removed by clearing its key).
fn steps_of(fields: &Fields) -> Vec<StepForm> {
    let mut steps = Vec::new();
    for index in 0.. {
        let name = |part: &str| format!("s{index}_{part}");
        if !fields.iter().any(|(key, _)| key == &name("key")) {
            break;
        }
        let key = field(fields, &name("key")).trim();
        if key.is_empty() {
            continue;
        }
        steps.push(StepForm {
            key: key.to_owned(),
            offset_days: field(fields, &name("offset_days")).to_owned(),
            channel: field(fields, &name("channel")).to_owned(),
            also: every(fields, &name("also")),
            tone: field(fields, &name("tone")).to_owned(),
            template: field(fields, &name("template")).to_owned(),
            requires_approval: !field(fields, &name("requires_approval")).is_empty(),
            claims: every(fields, &name("claims")),
            min_overdue: field(fields, &name("min_overdue")).to_owned(),
            customer_kind: field(fields, &name("customer_kind")).to_owned(),
            risk_segments: every(fields, &name("risk_segments")),
        });
    }
    steps
}

pub(crate) async fn save_scenario(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(name): Path<String>,
    Form(fields): Form<Fields>,
) -> PageResult {
    let staff = sender(&state, &headers, &fields, Permission::Configure).await?;
    let steps = steps_of(&fields);
    // Another name saves a new scenario beside this one.
    let target = Some(field(&fields, "name").trim())
        .filter(|typed| !typed.is_empty())
        .unwrap_or(&name);
    match app::dunning::save_scenario_form(&state.store, &staff.tenant, state.clock, target, &steps)
        .await
    {
        Ok(saved) if saved != name => {
            Ok(Redirect::to(&format!("/settings/scenarios/{}", encode(&saved))).into_response())
        }
        Ok(_) => scenario_page(&staff, &name, &steps, None, true),
        Err(DunningError::BadForm(problem)) => with_status(
            scenario_page(&staff, &name, &steps, Some(&problem), false),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(error) => Err(dunning_error(error, staff.lang)),
    }
}

/// What the daily run would do tomorrow with the rules saved now: a dry run, nothing written.
pub(crate) async fn tomorrow(State(state): State<AppState>, headers: HeaderMap) -> PageResult {
    let staff = staff(&state, &headers).await?;
    let lang = staff.lang;
    let day = staff
        .today
        .tomorrow()
        .map_err(|error| WebError::Internal(error.to_string()))?;
    let report = app::dunning::run_day(
        &state.store,
        &staff.tenant,
        state.clock,
        RunOptions {
            date: Some(day),
            dry_run: true,
            language: lang.language(),
            detail: ReportDetail::Acting,
        },
    )
    .await
    .map_err(|error| dunning_error(error, lang))?;
    page(
        &staff,
        "settings_tomorrow.html",
        lang.t("settings_tomorrow"),
        json!({
            "date": date(report.date, lang),
            "examined": report.customers_examined,
            "decided": report.actions_decided(),
            "outcomes": report.outcomes.iter().map(|o| json!({
                "customer": o.customer_ref,
                "step": o.step,
                "channels": o.channels.join(", "),
                "invoices": o.invoice_numbers.join(", "),
                "approval": o.requires_approval,
                "explanation": o.explanation,
            })).collect::<Vec<_>>(),
        }),
    )
}

// --- Contact policy -----------------------------------------------------------------------------

#[derive(Deserialize, Default)]
pub(crate) struct CustomerParam {
    customer: Option<String>,
}

impl CustomerParam {
    fn reference(&self) -> Option<&str> {
        self.customer
            .as_deref()
            .map(str::trim)
            .filter(|text| !text.is_empty())
    }
}

fn policy_values(form: &PolicyForm, lang: Lang) -> Value {
    json!({
        "holidays": form.holidays,
        "min_days_between_contacts": form.min_days_between_contacts,
        "max_contacts_per_7_days": form.max_contacts_per_7_days,
        "max_contacts_per_30_days": form.max_contacts_per_30_days,
        "max_phone_attempts_per_day": form.max_phone_attempts_per_day,
        "promise_grace_days": form.promise_grace_days,
        "written_fallback": form.written_fallback,
        "days": DAY_FIELDS.iter().zip(&form.hours).map(|(day, hours)| json!({
            "field": day, "label": lang.t(&format!("day_{day}")), "hours": hours,
        })).collect::<Vec<_>>(),
    })
}

async fn policy_page(
    state: &AppState,
    staff: &Staff,
    customer: Option<&str>,
    shown: Option<(&PolicyForm, Option<&FormProblem>)>,
    saved: bool,
) -> PageResult {
    let lang = staff.lang;
    let (policy, own) = app::dunning::policy_in_force(&state.store, &staff.tenant, customer)
        .await
        .map_err(|error| dunning_error(error, lang))?;
    let overrides = app::dunning::policy_overrides(&state.store, &staff.tenant)
        .await
        .map_err(|error| dunning_error(error, lang))?;
    let in_force = PolicyForm::of(&policy);
    let (form, problem) = shown.unwrap_or((&in_force, None));
    page(
        staff,
        "settings_policy.html",
        lang.t("settings_policy"),
        json!({
            "p": policy_values(form, lang),
            "customer": customer,
            "own": own,
            "overrides": overrides.iter().map(|reference| json!({
                "reference": reference,
                "url": format!("/settings/policy?customer={}", encode(reference)),
            })).collect::<Vec<_>>(),
            "error": problem.map(|p| json!({
                "field": p.problem.field,
                "message": p.problem.describe(lang.language()),
            })),
            "saved": saved,
            "can_change": can(staff, Permission::Configure),
            "calendars": ["fr", "fr-alsace-moselle", "none"],
            "written": [StepChannel::Email.code(), StepChannel::Sms.code(), StepChannel::Letter.code()],
        }),
    )
}

pub(crate) async fn policy(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(params): Query<CustomerParam>,
) -> PageResult {
    let staff = staff(&state, &headers).await?;
    policy_page(&state, &staff, params.reference(), None, false).await
}

pub(crate) async fn save_policy(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(fields): Form<Fields>,
) -> PageResult {
    let staff = sender(&state, &headers, &fields, Permission::Configure).await?;
    let customer = Some(field(&fields, "customer").trim()).filter(|text| !text.is_empty());
    let form = PolicyForm {
        holidays: field(&fields, "holidays").to_owned(),
        min_days_between_contacts: field(&fields, "min_days_between_contacts").to_owned(),
        max_contacts_per_7_days: field(&fields, "max_contacts_per_7_days").to_owned(),
        max_contacts_per_30_days: field(&fields, "max_contacts_per_30_days").to_owned(),
        max_phone_attempts_per_day: field(&fields, "max_phone_attempts_per_day").to_owned(),
        promise_grace_days: field(&fields, "promise_grace_days").to_owned(),
        written_fallback: every(&fields, "written_fallback"),
        hours: DAY_FIELDS.map(|day| field(&fields, day).to_owned()),
    };
    match app::dunning::save_policy_form(&state.store, &staff.tenant, state.clock, customer, &form)
        .await
    {
        Ok(()) => policy_page(&state, &staff, customer, None, true).await,
        Err(DunningError::BadForm(problem)) => with_status(
            policy_page(
                &state,
                &staff,
                customer,
                Some((&form, Some(&problem))),
                false,
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(error) => Err(dunning_error(error, staff.lang)),
    }
}

// --- Templates ----------------------------------------------------------------------------------

fn template_error(error: TemplateError, lang: Lang) -> WebError {
    in_lang(error.into(), lang)
}

fn template_language(code: &str, lang: Lang) -> Result<Language, WebError> {
    Language::parse(code).ok_or(WebError::NotFound(lang))
}

pub(crate) async fn templates(State(state): State<AppState>, headers: HeaderMap) -> PageResult {
    let staff = staff(&state, &headers).await?;
    let lang = staff.lang;
    let list = app::templates::list(&state.store, &staff.tenant)
        .await
        .map_err(|error| template_error(error, lang))?;
    page(
        &staff,
        "settings_templates.html",
        lang.t("settings_templates"),
        json!({
            "templates": list.iter().map(|summary| json!({
                "key": summary.builtin.key,
                "title": summary.builtin.title(lang.language()),
                "kind": app::templates::kind_label(summary.builtin.kind, lang.language()),
                "languages": Language::ALL.iter().map(|language| json!({
                    "code": language.code(),
                    "edited": summary.edited.contains(language),
                })).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        }),
    )
}

#[derive(Deserialize, Default)]
pub(crate) struct TemplateForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    file: String,
    customer: Option<String>,
}

impl TemplateForm {
    fn customer(&self) -> Option<&str> {
        self.customer
            .as_deref()
            .map(str::trim)
            .filter(|text| !text.is_empty())
    }
}

async fn template_page(
    state: &AppState,
    staff: &Staff,
    key: &str,
    language: Language,
    typed: Option<&str>,
    problems: &[documents::TemplateProblem],
    saved: bool,
) -> PageResult {
    let lang = staff.lang;
    let text = app::templates::text(&state.store, &staff.tenant, key, language)
        .await
        .map_err(|error| template_error(error, lang))?;
    let file = typed.map_or_else(|| text.source.to_file(), str::to_owned);
    let preview = preview_values(state, staff, key, language, None, &file).await?;
    page(
        staff,
        "settings_template.html",
        &format!("{} {key}", lang.t("settings_template")),
        json!({
            "key": key,
            "language": language.code(),
            "title": text.builtin.title(lang.language()),
            "file": file,
            "edited": text.origin != Origin::BuiltIn,
            "problems": problems.iter().map(|p| p.describe(lang.language())).collect::<Vec<_>>(),
            "saved": saved,
            "preview": preview,
            "can_change": can(staff, Permission::Configure),
            "variables": documents::variables::VARIABLES.iter().map(|v| json!({
                "name": v.name, "about": v.description(lang.language()),
            })).collect::<Vec<_>>(),
        }),
    )
}

/// The rendered message, or the problems that keep it from rendering (in the page's language).
async fn preview_values(
    state: &AppState,
    staff: &Staff,
    key: &str,
    language: Language,
    customer: Option<&str>,
    file: &str,
) -> Result<Value, WebError> {
    let lang = staff.lang;
    Ok(
        match app::templates::preview_file(
            &state.store,
            &staff.tenant,
            state.clock,
            key,
            language,
            customer,
            file,
        )
        .await
        {
            Ok(rendered) => json!({
                "subject": rendered.subject,
                "text": rendered.text,
                "sms": rendered.sms.map(|sms| sms.text),
                "customer": customer,
            }),
            Err(TemplateError::Invalid { problems, .. }) => json!({
                "problems": problems.iter().map(|p| p.describe(lang.language())).collect::<Vec<_>>(),
                "customer": customer,
            }),
            Err(
                error @ (TemplateError::UnknownTemplate { .. }
                | TemplateError::UnknownCustomer { .. }
                | TemplateError::Store(_)),
            ) => return Err(template_error(error, lang)),
            Err(other) => json!({
                "problems": [other.describe(lang.language())],
                "customer": customer,
            }),
        },
    )
}

pub(crate) async fn template(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((key, code)): Path<(String, String)>,
) -> PageResult {
    let staff = staff(&state, &headers).await?;
    let language = template_language(&code, staff.lang)?;
    template_page(&state, &staff, &key, language, None, &[], false).await
}

pub(crate) async fn save_template(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((key, code)): Path<(String, String)>,
    Form(form): Form<TemplateForm>,
) -> PageResult {
    let staff = staff(&state, &headers).await?;
    check_csrf(&staff, &headers, Some(&form.csrf))?;
    require(&staff, Permission::Configure)?;
    let language = template_language(&code, staff.lang)?;
    match app::templates::edit(
        &state.store,
        &staff.tenant,
        state.clock,
        &key,
        language,
        &form.file,
    )
    .await
    {
        Ok(_) => template_page(&state, &staff, &key, language, None, &[], true).await,
        Err(TemplateError::Invalid { problems, .. }) => with_status(
            template_page(
                &state,
                &staff,
                &key,
                language,
                Some(&form.file),
                &problems,
                false,
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(error) => Err(template_error(error, staff.lang)),
    }
}

/// The preview of the text being typed (htmx, as the editor changes): nothing is saved.
pub(crate) async fn preview_template(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((key, code)): Path<(String, String)>,
    Form(form): Form<TemplateForm>,
) -> PageResult {
    let staff = staff(&state, &headers).await?;
    check_csrf(&staff, &headers, Some(&form.csrf))?;
    let language = template_language(&code, staff.lang)?;
    let preview =
        preview_values(&state, &staff, &key, language, form.customer(), &form.file).await?;
    fragment(
        &staff,
        "settings_template_preview.html",
        json!({ "preview": preview }),
    )
}

pub(crate) async fn reset_template(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((key, code)): Path<(String, String)>,
    Form(form): Form<TemplateForm>,
) -> PageResult {
    let staff = staff(&state, &headers).await?;
    check_csrf(&staff, &headers, Some(&form.csrf))?;
    require(&staff, Permission::Configure)?;
    let language = template_language(&code, staff.lang)?;
    app::templates::reset(&state.store, &staff.tenant, &key, Some(language))
        .await
        .map_err(|error| template_error(error, staff.lang))?;
    Ok(Redirect::to(&format!(
        "/settings/templates/{}/{}",
        encode(&key),
        language.code()
    ))
    .into_response())
}

// --- Penalties and waivers ----------------------------------------------------------------------

fn law_error(error: LawError, lang: Lang) -> WebError {
    match error {
        LawError::UnknownCustomer { .. } | LawError::UnknownRecord { .. } => {
            WebError::NotFound(lang)
        }
        LawError::Store(store) => in_lang(store.into(), lang),
        other => refused(lang, other.to_string()),
    }
}

/// The problems of a refused change, by field, in the page's language.
fn law_problems(error: LawError, lang: Lang) -> Result<BTreeMap<String, String>, WebError> {
    match error {
        LawError::Invalid { problems } => Ok(problems
            .iter()
            .map(|p| (p.field.to_owned(), p.describe(lang.language())))
            .collect()),
        other => Err(law_error(other, lang)),
    }
}

async fn penalties_page(
    state: &AppState,
    staff: &Staff,
    customer: Option<&str>,
    extra: Value,
) -> PageResult {
    let lang = staff.lang;
    let language = lang.language();
    let policy = app::late_payment::policy(&state.store, &staff.tenant)
        .await
        .map_err(|error| law_error(error, lang))?;
    let tables = app::late_payment::rate_tables(&state.store)
        .await
        .map_err(|error| law_error(error, lang))?;
    let waivers = match customer {
        Some(reference) => app::late_payment::waivers(&state.store, &staff.tenant, reference)
            .await
            .map_err(|error| law_error(error, lang))?,
        None => Vec::new(),
    };
    let mut values = json!({
        "fields": PolicyField::ALL.iter().map(|f| json!({
            "code": f.code(),
            "label": f.label(language),
            "value": f.value(&policy),
            "codes": f.codes(),
        })).collect::<Vec<_>>(),
        "tables": tables.iter().map(|t| json!({
            "kind": t.table.kind().code(),
            "imported_at": t.imported_at.map(|at| at.strftime("%Y-%m-%d").to_string()),
        })).collect::<Vec<_>>(),
        "customer": customer,
        "waivers": waivers.iter().map(|w| json!({
            "id": w.id,
            "text": app::late_payment::waiver_text(w, language, |amount| money(amount, lang)),
            "reason": w.reason,
            "by": w.granted_by,
            "withdrawn": w.withdrawal_reason,
        })).collect::<Vec<_>>(),
        "can_change": can(staff, Permission::Configure),
        "errors": {},
        "waiver_errors": {},
    });
    extend(&mut values, extra);
    page(
        staff,
        "settings_penalties.html",
        lang.t("settings_penalties"),
        values,
    )
}

pub(crate) async fn penalties(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(params): Query<CustomerParam>,
) -> PageResult {
    let staff = staff(&state, &headers).await?;
    penalties_page(&state, &staff, params.reference(), json!({})).await
}

pub(crate) async fn save_penalties(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(fields): Form<Fields>,
) -> PageResult {
    let staff = sender(&state, &headers, &fields, Permission::Configure).await?;
    let given = |field_: PolicyField| {
        fields
            .iter()
            .find(|(key, _)| key == field_.code())
            .map(|(_, value)| value.as_str())
    };
    let changes = PolicyChanges {
        claim_start: given(PolicyField::ClaimStart),
        day_count: given(PolicyField::DayCount),
        payment_order: given(PolicyField::PaymentOrder),
        below_floor: given(PolicyField::BelowFloor),
        statutory_rate_floor: given(PolicyField::StatutoryRateFloor),
        post_judgment_increase: given(PolicyField::PostJudgmentIncrease),
        creditor: given(PolicyField::Creditor),
        early_payment_discount: given(PolicyField::EarlyPaymentDiscount),
    };
    match app::late_payment::set_policy(&state.store, &staff.tenant, state.clock, &changes).await {
        Ok(_) => penalties_page(&state, &staff, None, json!({ "saved": true })).await,
        Err(error) => {
            let errors = law_problems(error, staff.lang)?;
            with_status(
                penalties_page(&state, &staff, None, json!({ "errors": errors })).await,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
    }
}

pub(crate) async fn add_waiver(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(fields): Form<Fields>,
) -> PageResult {
    let staff = sender(&state, &headers, &fields, Permission::Configure).await?;
    let customer = field(&fields, "customer").trim();
    let invoice = Some(field(&fields, "invoice").trim()).filter(|text| !text.is_empty());
    let size = field(&fields, "size");
    let amount = match field(&fields, "extent") {
        "amount" => WaiverAmount::Amount(size),
        "percent" => WaiverAmount::Percent(size),
        _ => WaiverAmount::All,
    };
    let by = staff.account.display_name.clone();
    let request = WaiverRequest {
        customer,
        invoice,
        amount,
        charges: field(&fields, "what"),
        reason: field(&fields, "reason"),
        granted_by: &by,
    };
    match app::late_payment::add_waiver(&state.store, &staff.tenant, state.clock, &request).await {
        Ok(_) => Ok(Redirect::to(&format!(
            "/settings/penalties?customer={}#waivers",
            encode(customer)
        ))
        .into_response()),
        Err(error) => {
            let errors = law_problems(error, staff.lang)?;
            with_status(
                penalties_page(
                    &state,
                    &staff,
                    Some(customer),
                    json!({ "waiver_errors": errors }),
                )
                .await,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
    }
}

pub(crate) async fn withdraw_waiver(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(fields): Form<Fields>,
) -> PageResult {
    let staff = sender(&state, &headers, &fields, Permission::Configure).await?;
    let lang = staff.lang;
    let reason = field(&fields, "reason");
    app::late_payment::withdraw_waiver(&state.store, &staff.tenant, state.clock, id, reason)
        .await
        .map_err(|error| match error {
            LawError::Invalid { .. } => refused(lang, lang.t("settings_reason_needed").to_owned()),
            other => law_error(other, lang),
        })?;
    let customer = field(&fields, "customer");
    Ok(Redirect::to(&format!(
        "/settings/penalties?customer={}#waivers",
        encode(customer)
    ))
    .into_response())
}

// --- Payment plans and the debtor portal -------------------------------------------------------

async fn plans_page(state: &AppState, staff: &Staff, extra: Value) -> PageResult {
    let lang = staff.lang;
    let plans = app::plans::settings(&state.store, &staff.tenant)
        .await
        .map_err(|error| WebError::Internal(error.describe(lang.language())))?;
    let portal = app::portal::settings(&state.store, &staff.tenant).await?;
    let mut values = json!({
        "plan": {
            "max_installments": plans.limits.max_installments.to_string(),
            "min_installment": plans.limits.min_installment.to_decimal_string(),
            "max_months": plans.limits.max_months.to_string(),
            "grace_days": plans.grace_days.to_string(),
            "include_charges": plans.include_charges.code(),
        },
        "portal": {
            "link_days": portal.link_days.to_string(),
            "promise_max_days": portal.promise_max_days.to_string(),
        },
        "can_change": can(staff, Permission::Configure),
        "errors": {},
    });
    extend(&mut values, extra);
    page(
        staff,
        "settings_plans.html",
        lang.t("settings_plans"),
        values,
    )
}

pub(crate) async fn plans(State(state): State<AppState>, headers: HeaderMap) -> PageResult {
    let staff = staff(&state, &headers).await?;
    plans_page(&state, &staff, json!({})).await
}

/// A whole number typed in a form (`None` when left blank), or the field refused.
fn count<'a>(
    fields: &Fields,
    name: &'a str,
    errors: &mut BTreeMap<&'a str, String>,
    lang: Lang,
) -> Option<u32> {
    let text = field(fields, name).trim();
    if text.is_empty() {
        return None;
    }
    text.parse()
        .map_err(|_| {
            errors.insert(name, lang.t("settings_whole_number").to_owned());
        })
        .ok()
}

pub(crate) async fn save_plans(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(fields): Form<Fields>,
) -> PageResult {
    let staff = sender(&state, &headers, &fields, Permission::Configure).await?;
    let lang = staff.lang;
    let mut errors = BTreeMap::new();
    let changes = app::plans::SettingsChanges {
        max_installments: count(&fields, "max_installments", &mut errors, lang),
        min_installment: Some(field(&fields, "min_installment")),
        max_months: count(&fields, "max_months", &mut errors, lang),
        grace_days: count(&fields, "grace_days", &mut errors, lang),
        include_charges: Some(field(&fields, "include_charges")).filter(|text| !text.is_empty()),
    };
    if errors.is_empty() {
        match app::plans::set_settings(&state.store, &staff.tenant, state.clock, &changes).await {
            Ok(_) => return plans_page(&state, &staff, json!({ "saved": true })).await,
            Err(app::plans::PlanError::Invalid { problems }) => {
                for problem in &problems {
                    errors.insert(problem.field, problem.describe(lang.language()));
                }
            }
            Err(error) => return Err(WebError::Internal(error.describe(lang.language()))),
        }
    }
    with_status(
        plans_page(&state, &staff, json!({ "errors": errors })).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
}

pub(crate) async fn save_portal(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(fields): Form<Fields>,
) -> PageResult {
    let staff = sender(&state, &headers, &fields, Permission::Configure).await?;
    let lang = staff.lang;
    let mut errors = BTreeMap::new();
    let link_days = count(&fields, "link_days", &mut errors, lang);
    let promise_days = count(&fields, "promise_max_days", &mut errors, lang);
    if errors.is_empty() {
        match app::portal::set_settings(
            &state.store,
            &staff.tenant,
            state.clock,
            link_days,
            promise_days,
        )
        .await
        {
            Ok(_) => return plans_page(&state, &staff, json!({ "saved": true })).await,
            Err(app::portal::PortalError::Invalid(_)) => {
                errors.insert("portal", lang.t("settings_portal_range").to_owned());
            }
            Err(error) => return Err(WebError::Internal(error.to_string())),
        }
    }
    with_status(
        plans_page(&state, &staff, json!({ "errors": errors })).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
}

// --- Channels -----------------------------------------------------------------------------------

/// The settings whose value is a secret: never sent back to the browser.
const SECRET_FIELDS: [&str; 2] = ["sms_auth", "sms_key"];

/// The SMTP URL without its password (`smtp://user:…@host`).
fn without_password(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => match rest.split_once('@') {
            Some((credentials, host)) => {
                let user = credentials.split(':').next().unwrap_or_default();
                format!("{scheme}://{user}@{host}")
            }
            None => url.to_owned(),
        },
        None => url.to_owned(),
    }
}

async fn channels_page(state: &AppState, staff: &Staff, extra: Value) -> PageResult {
    let lang = staff.lang;
    let saved = app::delivery::settings(&state.store, &staff.tenant)
        .await
        .map_err(|error| WebError::Internal(error.to_string()))?;
    let shown = |value: &Option<String>| value.clone().unwrap_or_default();
    let mut values = json!({
        "s": {
            "smtp_url": saved.smtp_url.as_deref().map(without_password).unwrap_or_default(),
            "smtp_from": shown(&saved.smtp_from),
            "smtp_reply_to": shown(&saved.smtp_reply_to),
            "sms_url": shown(&saved.sms_url),
            "sms_body": shown(&saved.sms_body),
            "sms_sender": shown(&saved.sms_sender),
            "sms_preset": shown(&saved.sms_preset),
        },
        "has": {
            "smtp_password": saved.smtp_url.as_deref().is_some_and(|url| without_password(url) != url),
            "sms_auth": saved.sms_auth.is_some(),
            "sms_key": saved.sms_key.is_some(),
        },
        "can_change": can(staff, Permission::Administer),
        "errors": {},
    });
    extend(&mut values, extra);
    page(
        staff,
        "settings_channels.html",
        lang.t("settings_channels"),
        values,
    )
}

pub(crate) async fn channels(State(state): State<AppState>, headers: HeaderMap) -> PageResult {
    let staff = staff(&state, &headers).await?;
    require(&staff, Permission::Configure)?;
    channels_page(&state, &staff, json!({})).await
}

/// The field a refused setting concerns.
fn settings_field(error: &SettingsError) -> &'static str {
    match error {
        SettingsError::Smtp(_) => "smtp_url",
        SettingsError::Sms(_) => "sms_url",
        SettingsError::NoSender => "smtp_from",
        SettingsError::NoKey => "sms_key",
    }
}

pub(crate) async fn save_channels(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(fields): Form<Fields>,
) -> PageResult {
    let staff = sender(&state, &headers, &fields, Permission::Administer).await?;
    let saved = app::delivery::settings(&state.store, &staff.tenant)
        .await
        .map_err(|error| WebError::Internal(error.to_string()))?;
    // A secret left blank stays as saved (the page never shows it); "clear" removes it.
    let secret = |name: &str| {
        if !field(&fields, &format!("clear_{name}")).is_empty() {
            Some(String::new())
        } else {
            Some(field(&fields, name).to_owned()).filter(|value| !value.trim().is_empty())
        }
    };
    // The page shows the SMTP URL without its password: the same URL typed back keeps it.
    let smtp_url = field(&fields, "smtp_url").trim().to_owned();
    let smtp_url = match &saved.smtp_url {
        Some(url)
            if without_password(url) == smtp_url
                && field(&fields, "clear_smtp_password").is_empty() =>
        {
            url.clone()
        }
        _ => smtp_url,
    };
    let changes = app::delivery::DeliverySettings {
        smtp_url: Some(smtp_url),
        smtp_from: Some(field(&fields, "smtp_from").to_owned()),
        smtp_reply_to: Some(field(&fields, "smtp_reply_to").to_owned()),
        sms_url: Some(field(&fields, "sms_url").to_owned()),
        sms_auth: secret(SECRET_FIELDS[0]),
        sms_body: Some(field(&fields, "sms_body").to_owned()),
        sms_sender: Some(field(&fields, "sms_sender").to_owned()),
        sms_preset: Some(field(&fields, "sms_preset").to_owned()),
        sms_key: secret(SECRET_FIELDS[1]),
    };
    match app::delivery::save_settings(&state.store, &staff.tenant, state.clock, &changes).await {
        Ok(_) => channels_page(&state, &staff, json!({ "saved": true })).await,
        Err(DeliveryError::Settings(error)) => {
            let lang = staff.lang;
            let field_name = settings_field(&error);
            let message = match error {
                SettingsError::NoSender => lang.t("settings_need_sender").to_owned(),
                SettingsError::NoKey => lang.t("settings_need_key").to_owned(),
                other => format!("{} {other}", lang.t("settings_channels_refused")),
            };
            with_status(
                channels_page(&state, &staff, json!({ "errors": { field_name: message } })).await,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
        Err(error) => Err(WebError::Internal(error.to_string())),
    }
}

pub(crate) async fn test_channel(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(fields): Form<Fields>,
) -> PageResult {
    let staff = sender(&state, &headers, &fields, Permission::Administer).await?;
    let lang = staff.lang;
    let to = field(&fields, "to");
    let message = match field(&fields, "channel") {
        "sms" => TestMessage::Sms { to },
        _ => TestMessage::Email { to },
    };
    let outcome = app::delivery::send_test(
        &state.store,
        &staff.tenant,
        state.clock,
        message,
        lang.language(),
    )
    .await;
    let (status, test) = match outcome {
        Ok(reply) => (
            StatusCode::OK,
            json!({ "sent": true, "message": format!("{} {reply}", lang.t("settings_test_sent")) }),
        ),
        Err(DeliveryError::NotConfigured { .. }) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            json!({ "sent": false, "message": lang.t("settings_test_not_configured") }),
        ),
        Err(DeliveryError::TestNotSent(reason)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            json!({ "sent": false, "message": format!("{} {reason}", lang.t("settings_test_failed")) }),
        ),
        Err(DeliveryError::Settings(error)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            json!({ "sent": false, "message": format!("{} {error}", lang.t("settings_channels_refused")) }),
        ),
        Err(error) => return Err(WebError::Internal(error.to_string())),
    };
    with_status(
        channels_page(&state, &staff, json!({ "test": test })).await,
        status,
    )
}
