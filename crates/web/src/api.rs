//! `/api/v1`: the JSON API, for programs. A bearer token (made by an administrator) acts as the
//! account that made it, with that account's role. Amounts are decimal strings in the
//! currency's unit (`"1234.56"`), never floats; dates are ISO 8601. `openapi.yaml` describes it.

use app::ActionRecord;
use app::CustomerQuery;
use app::accounts::{Account, Permission};
use app::import::{ImportError, ImportInput, ImportOptions, InvoiceFileFormat, NoProgress};
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use domain::customer::Language;
use domain::money::Money;
use jiff::civil::Date;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::AppState;
use crate::auth::Caller;
use crate::error::WebError;
use crate::pages::{counts, parse_sort};

type ApiResult = Result<Response, WebError>;

pub(crate) const OPENAPI: &str = include_str!("../openapi.yaml");

pub(crate) fn router(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/openapi.yaml", get(openapi))
        .route("/customers", get(customers))
        .route("/customers/{reference}", get(customer))
        .route("/customers/{reference}/invoices", get(invoices))
        .route("/customers/{reference}/promises", post(add_promise))
        .route("/actions", get(actions))
        .route("/actions/{id}/approve", post(approve))
        .route("/actions/{id}/skip", post(skip))
        .route("/imports/invoices", post(import_invoices))
        .route("/tokens", get(crate::tokens::api_list))
        .route(
            "/tokens/{id}",
            axum::routing::delete(crate::tokens::api_revoke),
        )
        .merge(crate::api_payments::routes())
        // Every write above may carry an `Idempotency-Key`.
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::idempotency::layer,
        ))
        // Outermost: the caller is found once, before the idempotency layer needs it.
        .route_layer(axum::middleware::from_fn_with_state(
            state,
            crate::auth::api_caller_layer,
        ))
}

async fn openapi() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/yaml")], OPENAPI)
}

/// The same document as JSON, read from the YAML once.
static OPENAPI_JSON: std::sync::LazyLock<Value> = std::sync::LazyLock::new(|| {
    serde_norway::from_str(OPENAPI).expect("openapi.yaml is valid YAML (a test reads it)")
});

/// `GET /api/openapi.json`: the API's description, for tools that read JSON.
pub(crate) async fn openapi_json() -> impl IntoResponse {
    Json(OPENAPI_JSON.clone())
}

pub(crate) fn allowed(account: &Account, permission: Permission) -> Result<(), WebError> {
    account
        .require(permission)
        .map_err(|error| WebError::from(error).into_api())
}

pub(crate) fn amount(money: Money) -> Value {
    json!({ "amount": money.to_decimal_string(), "currency": money.currency().code() })
}

/// An action, its explanation in the creditor's language.
fn action_json(action: &ActionRecord, language: Language) -> Value {
    json!({
        "id": action.id,
        "customer": action.customer_ref,
        "step": action.step_key,
        "channel": action.channel,
        "tone": action.tone,
        "status": action.status,
        "status_note": action.status_note,
        "decided_on": action.decided_on.to_string(),
        "scheduled_at": action.scheduled_at,
        "invoices": action.invoice_numbers,
        "explanation": action.explanation.render(language),
    })
}

fn ok(value: Value) -> ApiResult {
    Ok(Json(value).into_response())
}

#[derive(Deserialize)]
struct CustomersParams {
    q: Option<String>,
    open: Option<bool>,
    sort: Option<String>,
    offset: Option<u32>,
    limit: Option<u32>,
}

async fn customers(
    State(state): State<AppState>,
    Caller(_, tenant): Caller,
    Query(params): Query<CustomersParams>,
) -> ApiResult {
    let page = app::overview::customer_page(
        &state.store,
        &tenant,
        &CustomerQuery {
            search: params.q,
            open_only: params.open.unwrap_or(false),
            sort: parse_sort(params.sort.as_deref()),
            offset: params.offset.unwrap_or(0),
            limit: params.limit.unwrap_or(50),
        },
    )
    .await
    .map_err(|error| WebError::from(error).into_api())?;
    ok(json!({
        "total": page.total,
        "customers": page.customers.iter().map(|c| json!({
            "reference": c.reference.as_str(),
            "name": c.legal_name,
            "kind": c.kind.code(),
            "country": c.country.as_str(),
            "email": c.email,
            "phone": c.phone,
            "invoices": c.invoices,
            "open_invoices": c.open_invoices,
            "outstanding": amount(c.outstanding),
        })).collect::<Vec<_>>(),
    }))
}

async fn customer(
    State(state): State<AppState>,
    Caller(_, tenant): Caller,
    Path(reference): Path<String>,
) -> ApiResult {
    let (file, invoices) = app::dunning::customer_file(&state.store, &tenant, &reference)
        .await
        .map_err(|error| WebError::from(error).into_api())?;
    let debtor = &file.debtor;
    let currency = tenant.profile.currency;
    let outstanding: i64 = invoices
        .iter()
        .filter(|invoice| invoice.outstanding.currency() == currency)
        .map(|invoice| invoice.outstanding.minor())
        .sum();
    ok(json!({
        "reference": debtor.reference.as_str(),
        "name": debtor.legal_name,
        "kind": debtor.kind.code(),
        "email": debtor.email,
        "phone": debtor.phone,
        "language": debtor.language,
        "risk": debtor.risk.code(),
        "scenario": debtor.scenario,
        "outstanding": amount(Money::from_minor(outstanding, currency)),
        "actions": file.actions.iter().map(|action| action_json(action, tenant.profile.language)).collect::<Vec<_>>(),
        "contacts": file.contacts.iter().map(|c| json!({
            "id": c.id, "channel": c.channel, "outcome": c.outcome, "reason": c.reason,
            "note": c.note, "on": c.occurred_on.to_string(),
        })).collect::<Vec<_>>(),
        "promises": file.promises.iter().map(|p| json!({
            "id": p.id, "amount": amount(p.amount), "due_on": p.due_on.to_string(),
            "status": p.status, "note": p.note,
        })).collect::<Vec<_>>(),
        "disputes": file.disputes.iter().map(|d| json!({
            "id": d.id, "invoice": d.invoice_number, "reason": d.reason, "note": d.note,
            "opened_on": d.opened_on.to_string(),
            "closed_on": d.closed_on.map(|day| day.to_string()), "outcome": d.outcome,
        })).collect::<Vec<_>>(),
        "holds": file.holds.iter().map(|h| json!({
            "until": h.until.to_string(), "reason": h.reason,
        })).collect::<Vec<_>>(),
    }))
}

async fn invoices(
    State(state): State<AppState>,
    Caller(_, tenant): Caller,
    Path(reference): Path<String>,
) -> ApiResult {
    let (_, invoices) = app::dunning::customer_file(&state.store, &tenant, &reference)
        .await
        .map_err(|error| WebError::from(error).into_api())?;
    ok(json!({
        "invoices": invoices.iter().map(|i| json!({
            "number": i.number.as_str(),
            "issued_on": i.issued_on.to_string(),
            "service_on": i.service_on.map(|day| day.to_string()),
            "due_on": i.due_on.to_string(),
            "amount": amount(i.amount),
            "outstanding": amount(i.outstanding),
        })).collect::<Vec<_>>(),
    }))
}

#[derive(Deserialize)]
struct ActionsParams {
    date: Option<String>,
    status: Option<String>,
    offset: Option<u32>,
    limit: Option<u32>,
}

async fn actions(
    State(state): State<AppState>,
    Caller(_, tenant): Caller,
    Query(params): Query<ActionsParams>,
) -> ApiResult {
    let day = match params.date.as_deref() {
        Some(text) => text.parse::<Date>().map_err(|_| {
            WebError::Api(
                StatusCode::BAD_REQUEST,
                format!("date {text:?} is not YYYY-MM-DD"),
            )
        })?,
        None => state.clock.today_in(tenant.profile.time_zone.as_str()),
    };
    let offset = params.offset.unwrap_or(0);
    let limit = params
        .limit
        .unwrap_or(app::dunning::MAX_ACTIONS_PAGE)
        .clamp(1, app::dunning::MAX_ACTIONS_PAGE);
    let (total, list) = app::dunning::page_of_actions(
        &state.store,
        &tenant,
        day,
        params.status.as_deref(),
        offset,
        limit,
    )
    .await
    .map_err(|error| WebError::from(error).into_api())?;
    ok(json!({
        "date": day.to_string(),
        "total": total,
        "offset": offset,
        "limit": limit,
        "actions": list.iter().map(|action| action_json(action, tenant.profile.language)).collect::<Vec<_>>(),
    }))
}

async fn approve(
    State(state): State<AppState>,
    Caller(account, tenant): Caller,
    Path(id): Path<i64>,
) -> ApiResult {
    allowed(&account, Permission::Approve)?;
    let action = app::dunning::approve_action(&state.store, &tenant, id)
        .await
        .map_err(|error| WebError::from(error).into_api())?;
    ok(action_json(&action, tenant.profile.language))
}

#[derive(Deserialize)]
struct SkipBody {
    reason: String,
}

async fn skip(
    State(state): State<AppState>,
    Caller(account, tenant): Caller,
    Path(id): Path<i64>,
    Json(body): Json<SkipBody>,
) -> ApiResult {
    let action = app::calls::action(&state.store, &tenant, id)
        .await
        .map_err(|error| WebError::from(error).into_api())?;
    allowed(&account, Permission::to_skip(&action.status))?;
    if body.reason.trim().is_empty() {
        return Err(WebError::Api(
            StatusCode::UNPROCESSABLE_ENTITY,
            "a skip needs a reason".into(),
        ));
    }
    let action = app::dunning::skip_action(&state.store, &tenant, id, body.reason.trim())
        .await
        .map_err(|error| WebError::from(error).into_api())?;
    ok(action_json(&action, tenant.profile.language))
}

#[derive(Deserialize)]
struct PromiseBody {
    /// Decimal text, `"250.00"`.
    amount: String,
    due_on: String,
    #[serde(default)]
    note: String,
}

async fn add_promise(
    State(state): State<AppState>,
    Caller(account, tenant): Caller,
    Path(reference): Path<String>,
    Json(body): Json<PromiseBody>,
) -> ApiResult {
    allowed(&account, Permission::Work)?;
    let due_on = body.due_on.parse::<Date>().map_err(|_| {
        WebError::Api(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("due_on {:?} is not YYYY-MM-DD", body.due_on),
        )
    })?;
    let id = app::dunning::add_promise(
        &state.store,
        &tenant,
        state.clock,
        &reference,
        &body.amount,
        due_on,
        &body.note,
    )
    .await
    .map_err(|error| WebError::from(error).into_api())?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "id": id, "customer": reference, "amount": body.amount, "due_on": due_on.to_string() })),
    )
        .into_response())
}

#[derive(Deserialize)]
struct ImportParams {
    /// `csv`, `fec`, or absent: from the file name.
    format: Option<String>,
    name: Option<String>,
}

async fn import_invoices(
    State(state): State<AppState>,
    Caller(account, tenant): Caller,
    Query(params): Query<ImportParams>,
    body: Bytes,
) -> ApiResult {
    allowed(&account, Permission::Work)?;
    let name = params.name.unwrap_or_else(|| "api-upload.csv".to_owned());
    let format = match params.format.as_deref() {
        Some("csv") => InvoiceFileFormat::Csv,
        Some("fec") => InvoiceFileFormat::Fec,
        Some(other) => {
            return Err(WebError::Api(
                StatusCode::BAD_REQUEST,
                format!("format {other:?}: csv or fec"),
            ));
        }
        None => InvoiceFileFormat::from_file_name(&name),
    };
    let outcome = app::import::import_invoices(
        &state.store,
        &tenant,
        ImportInput::Bytes {
            name: &name,
            bytes: &body,
        },
        ImportOptions {
            format,
            payment_term_days: None,
        },
        &NoProgress,
        state.clock,
    )
    .await;
    match outcome {
        Ok(report) => ok(json!({
            "file": report.file_name,
            "already_imported": report.already_imported,
            "rows_read": report.rows_read,
            "invoices": counts(report.invoices),
            "customers": counts(report.customers),
        })),
        Err(ImportError::Rejected { problems, more, .. }) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(json!({
                "error": "the file was rejected; nothing was imported",
                "problems": problems.iter().map(|p| json!({
                    "line": p.line,
                    "message": p.describe(domain::customer::Language::English),
                })).collect::<Vec<_>>(),
                "more_problems": more,
            })),
        )
            .into_response()),
        Err(error) => Err(WebError::Api(
            StatusCode::UNPROCESSABLE_ENTITY,
            error.to_string(),
        )),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_openapi_document_reads_as_json() {
        assert_eq!(super::OPENAPI_JSON["openapi"], "3.1.0");
    }
}
