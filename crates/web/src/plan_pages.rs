//! Negotiation from the customer file. Payment plans: a collector drafts a schedule
//! (installments or an affordable amount, first date, frequency, down payment, conditional
//! waiver), sees it and the tenant limits it goes beyond, proposes it, prints the agreement, and
//! records the customer's acceptance on paper with the signed scan. Within the limits a
//! collector may do it; beyond them only a manager (`app::plans::permission_to_grant`).
//! Settlements: a manager undoes one recorded by mistake, with a reason.

use app::plans::{self, Acceptance, PlanError, PlanRequest, SignedCopy, SplitRequest};
use axum::Form;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use jiff::civil::Date;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::AppState;
use crate::auth::{Staff, check_csrf, staff};
use crate::error::WebError;
use crate::pages::{page, require};
use crate::views::{date, money};

type PageResult = Result<Response, WebError>;

/// The plan form as typed; every field kept to show it again.
#[derive(Deserialize, Default, Clone)]
pub(crate) struct PlanForm {
    #[serde(default)]
    csrf: String,
    /// `preview` or `propose`.
    #[serde(default)]
    r#do: String,
    /// `installments` or `monthly`.
    #[serde(default)]
    split: String,
    #[serde(default)]
    installments: String,
    #[serde(default)]
    monthly: String,
    #[serde(default)]
    first: String,
    #[serde(default)]
    every: String,
    #[serde(default)]
    down_payment: String,
    waive: Option<String>,
}

fn plan_error(error: PlanError, staff: &Staff) -> WebError {
    match error {
        PlanError::UnknownCustomer { .. } | PlanError::UnknownPlan { .. } => {
            WebError::NotFound(staff.lang)
        }
        PlanError::Store(error) => error.into(),
        other => WebError::Refused(staff.lang, other.describe(staff.lang.language())),
    }
}

/// The customer's name, or 404 for a customer this tenant does not have.
async fn customer_name(
    state: &AppState,
    staff: &Staff,
    reference: &str,
) -> Result<String, WebError> {
    app::dunning::customer_file(&state.store, &staff.tenant, reference)
        .await
        .map(|(file, _)| file.debtor.legal_name)
        .map_err(|_| WebError::NotFound(staff.lang))
}

fn form_values(form: &PlanForm, today: Date) -> Value {
    let first = if form.first.is_empty() {
        today
            .checked_add(jiff::Span::new().months(1))
            .unwrap_or(today)
            .to_string()
    } else {
        form.first.clone()
    };
    json!({
        "split": if form.split == "monthly" { "monthly" } else { "installments" },
        "installments": if form.installments.is_empty() { "3" } else { form.installments.as_str() },
        "monthly": form.monthly,
        "first": first,
        "every": if form.every.is_empty() { "1m" } else { form.every.as_str() },
        "down_payment": form.down_payment,
        "waive": form.waive.is_some(),
    })
}

fn installment_rows(installments: &[domain::plan::Installment], staff: &Staff) -> Vec<Value> {
    installments
        .iter()
        .map(|installment| {
            json!({
                "label": if installment.number == 0 {
                    staff.lang.t("plan_down_payment").to_owned()
                } else {
                    installment.number.to_string()
                },
                "due_on": date(installment.due_on, staff.lang),
                "amount": money(installment.amount, staff.lang),
            })
        })
        .collect()
}

async fn exceeded_texts(
    state: &AppState,
    staff: &Staff,
    exceeded: &[String],
) -> Result<Vec<String>, WebError> {
    let limits = plans::settings(&state.store, &staff.tenant)
        .await
        .map_err(|error| plan_error(error, staff))?
        .limits;
    Ok(exceeded
        .iter()
        .map(|code| plans::exceeded_text(code, &limits, staff.lang.language()))
        .collect())
}

fn form_page(staff: &Staff, reference: &str, name: &str, mut values: Value) -> PageResult {
    if let Value::Object(map) = &mut values {
        map.insert("c".into(), json!({ "reference": reference, "name": name }));
    }
    let title = format!("{} {reference}", staff.lang.t("plan_new_title"));
    page(staff, "plan_form.html", &title, values)
}

/// The empty plan form.
pub(crate) async fn form(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(reference): Path<String>,
) -> PageResult {
    let staff = staff(&state, &headers).await?;
    require(&staff, app::accounts::Permission::Work)?;
    let name = customer_name(&state, &staff, &reference).await?;
    let values = json!({ "form": form_values(&PlanForm::default(), staff.today) });
    form_page(&staff, &reference, &name, values)
}

/// Shows the schedule the form gives (`do=preview`), or proposes it (`do=propose`): recorded,
/// then its page. A plan beyond the tenant's limits is proposed by a manager only.
pub(crate) async fn propose(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(reference): Path<String>,
    Form(form): Form<PlanForm>,
) -> PageResult {
    let staff = staff(&state, &headers).await?;
    check_csrf(&staff, &headers, Some(&form.csrf))?;
    require(&staff, app::accounts::Permission::Work)?;
    let name = customer_name(&state, &staff, &reference).await?;
    let lang = staff.lang;
    let monthly = form.split == "monthly";
    let mut values = json!({ "form": form_values(&form, staff.today) });
    let refuse = |values: Value, message: String| {
        let mut values = values;
        if let Value::Object(map) = &mut values {
            map.insert("error".into(), message.into());
        }
        let mut response = form_page(&staff, &reference, &name, values)?;
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        Ok::<_, WebError>(response)
    };
    let invalid = |field: &str| format!("{} : {}", lang.t("plan_invalid"), lang.t(field));
    let Ok(first) = form.first.trim().parse::<Date>() else {
        return refuse(values, invalid("plan_first"));
    };
    let count = match form.installments.trim().parse::<u32>() {
        Ok(count) => count,
        Err(_) if monthly => 0,
        Err(_) => return refuse(values, invalid("plan_installments")),
    };
    let split = if monthly {
        SplitRequest::Amount(form.monthly.trim())
    } else {
        SplitRequest::Installments(count)
    };
    let down_payment = Some(form.down_payment.trim()).filter(|text| !text.is_empty());
    let request = PlanRequest {
        customer: &reference,
        invoices: &[],
        split,
        first_on: first,
        every: if form.every.is_empty() {
            "1m"
        } else {
            form.every.trim()
        },
        down_payment,
        waive_charges: form.waive.is_some(),
        by: &staff.account.display_name,
    };
    let draft = match plans::draft(&state.store, &staff.tenant, state.clock, &request).await {
        Ok(draft) => draft,
        Err(error @ (PlanError::Invalid { .. } | PlanError::Schedule(_))) => {
            return refuse(values, error.describe(lang.language()));
        }
        Err(error) => return Err(plan_error(error, &staff)),
    };
    let permission = plans::permission_to_grant(&draft.exceeded);
    let may_grant = staff.account.role.allows(permission);
    if form.r#do == "propose" {
        require(&staff, permission)?;
        let view = plans::propose(&state.store, &staff.tenant, state.clock, &request)
            .await
            .map_err(|error| plan_error(error, &staff))?;
        return Ok(Redirect::to(&format!(
            "/customers/{}/plan/{}",
            crate::pages::encode(&reference),
            view.plan.id
        ))
        .into_response());
    }
    if let Value::Object(map) = &mut values {
        map.insert(
            "draft".into(),
            json!({
                "covered": money(draft.covered, lang),
                "charges": draft.charges.is_positive().then(|| money(draft.charges, lang)),
                "installments": installment_rows(&draft.installments, &staff),
                "exceeded": exceeded_texts(&state, &staff, &draft.exceeded).await?,
                "may_grant": may_grant,
            }),
        );
    }
    form_page(&staff, &reference, &name, values)
}

/// The plan of this customer, or 404 (another customer's, another tenant's, none).
async fn customer_plan(
    state: &AppState,
    staff: &Staff,
    reference: &str,
    id: i64,
) -> Result<plans::PlanView, WebError> {
    let view = plans::show(&state.store, &staff.tenant, state.clock, id)
        .await
        .map_err(|error| plan_error(error, staff))?;
    if view.plan.customer_ref != reference {
        return Err(WebError::NotFound(staff.lang));
    }
    Ok(view)
}

/// A plan's page: schedule, limits, agreement, documents kept, and the acceptance on paper.
pub(crate) async fn show(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((reference, id)): Path<(String, i64)>,
) -> PageResult {
    let staff = staff(&state, &headers).await?;
    let view = customer_plan(&state, &staff, &reference, id).await?;
    let lang = staff.lang;
    let plan = &view.plan;
    let documents = plans::documents(&state.store, &staff.tenant, id)
        .await
        .map_err(|error| plan_error(error, &staff))?;
    let permission = plans::permission_to_grant(&plan.exceeded);
    let values = json!({
        "c": { "reference": reference },
        "plan": {
            "id": plan.id,
            "status": plans::status_name(plan.status, lang.language()),
            "proposed": plan.status == app::PlanStatus::Proposed,
            "covered": money(plan.covered, lang),
            "charges": plan.charges.is_positive().then(|| money(plan.charges, lang)),
            "waived": plan.waive_charges,
            "paid": money(plan.paid(), lang),
            "proposed_by": plan.proposed_by,
            "approved_by": plan.approved_by,
            "invoices": plan.invoices.iter().map(|invoice| invoice.number.clone()).collect::<Vec<_>>(),
            "installments": installment_rows(&plan.installments, &staff),
            "exceeded": exceeded_texts(&state, &staff, &plan.exceeded).await?,
        },
        "documents": documents.iter().map(|document| json!({
            "kind": lang.t(&format!("plan_document_{}", document.kind.code())),
            "name": document.file_name,
            "sha256": document.sha256,
        })).collect::<Vec<_>>(),
        "may_accept": staff.account.role.allows(permission),
    });
    let title = format!("{} {id}", lang.t("plan"));
    page(&staff, "plan.html", &title, values)
}

/// The agreement to print and sign, as of today.
pub(crate) async fn agreement(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((reference, id)): Path<(String, i64)>,
) -> PageResult {
    let staff = staff(&state, &headers).await?;
    customer_plan(&state, &staff, &reference, id).await?;
    let pdf = plans::agreement(&state.store, &staff.tenant, state.clock, id, None)
        .await
        .map_err(|error| plan_error(error, &staff))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"echeancier-{id}.pdf\""),
            ),
        ],
        pdf,
    )
        .into_response())
}

/// The customer signed on paper: the scan is uploaded and the plan starts. Beyond the limits
/// the manager who accepts it is recorded as approving it.
pub(crate) async fn accept(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((reference, id)): Path<(String, i64)>,
    mut multipart: Multipart,
) -> PageResult {
    let staff = staff(&state, &headers).await?;
    let lang = staff.lang;
    let mut csrf = String::new();
    let mut note = String::new();
    let mut scan: Option<(String, Vec<u8>)> = None;
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|error| WebError::Refused(lang, error.to_string()))?
    {
        match field.name().unwrap_or_default() {
            "csrf" => csrf = field.text().await.unwrap_or_default(),
            "note" => note = field.text().await.unwrap_or_default(),
            "file" => {
                // The CSRF field comes first in the form: nothing is read from a forged one.
                check_csrf(&staff, &headers, Some(&csrf))?;
                let file_name = field.file_name().unwrap_or("signed.pdf").to_owned();
                let bytes = field
                    .bytes()
                    .await
                    .map_err(|error| WebError::Refused(lang, error.to_string()))?;
                if !bytes.is_empty() {
                    scan = Some((file_name, bytes.to_vec()));
                }
            }
            _ => {}
        }
    }
    check_csrf(&staff, &headers, Some(&csrf))?;
    let view = customer_plan(&state, &staff, &reference, id).await?;
    require(&staff, plans::permission_to_grant(&view.plan.exceeded))?;
    let Some((file_name, bytes)) = scan else {
        return Err(WebError::Refused(
            lang,
            lang.t("plan_scan_required").to_owned(),
        ));
    };
    let acceptance = Acceptance {
        approved_by: (!view.plan.exceeded.is_empty())
            .then_some(staff.account.display_name.as_str()),
        note: note.trim(),
        signed_copy: Some(SignedCopy {
            file_name: &file_name,
            content: &bytes,
        }),
    };
    plans::accept(&state.store, &staff.tenant, state.clock, id, &acceptance)
        .await
        .map_err(|error| plan_error(error, &staff))?;
    Ok(Redirect::to(&format!(
        "/customers/{}/plan/{id}",
        crate::pages::encode(&reference)
    ))
    .into_response())
}

#[derive(Deserialize)]
pub(crate) struct UndoForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    reason: String,
}

/// A manager undoes a settlement of this customer: the invoice owes again what it took, and
/// the case it closed opens again.
pub(crate) async fn undo_settlement(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((reference, id)): Path<(String, i64)>,
    Form(form): Form<UndoForm>,
) -> PageResult {
    let staff = staff(&state, &headers).await?;
    check_csrf(&staff, &headers, Some(&form.csrf))?;
    require(&staff, app::accounts::Permission::Approve)?;
    let lang = staff.lang;
    let theirs = app::settlements::list(&state.store, &staff.tenant, Some(&reference), None)
        .await
        .map_err(|_| WebError::NotFound(lang))?;
    if !theirs.iter().any(|settlement| settlement.id == id) {
        return Err(WebError::NotFound(lang));
    }
    app::settlements::undo(
        &state.store,
        &staff.tenant,
        state.clock,
        id,
        &staff.account.display_name,
        &form.reason,
        lang.language(),
    )
    .await
    .map_err(|error| WebError::Refused(lang, error.describe(lang.language())))?;
    Ok(Redirect::to(&format!("/customers/{}", crate::pages::encode(&reference))).into_response())
}
