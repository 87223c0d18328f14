//! `/api/v1` for money in and what stops a claim: a customer's payments, manual payments,
//! disputes, bank statements and their lines, saved bank CSV mappings, and the payment
//! settings. Each route calls the `app` use case the command line and the pages call, with the
//! permission the pages ask for; refusals are the API's JSON errors, naming the field (or the
//! line of a bank file) that is wrong.

use app::accounts::Permission;
use app::payments::{
    self, BankFormat, BankProblem, Candidate, MappingSpec, PaymentError, ProblemField, ReviewItem,
    SettingsChange,
};
use app::{AppliedPayment, DisputeRecord, PaymentRecord, TenantRecord};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use domain::customer::Language;
use domain::money::Money;
use jiff::civil::Date;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

use crate::AppState;
use crate::api::{allowed, amount};
use crate::auth::Caller;
use crate::error::WebError;

/// The routes, merged into the API's router inside its idempotency layer.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/customers/{reference}/payments", get(customer_payments))
        .route("/payments", post(add_payment))
        .route("/customers/{reference}/disputes", post(open_dispute))
        .route(
            "/customers/{reference}/disputes/{id}/close",
            post(close_dispute),
        )
        .route("/imports/bank", post(import_bank))
        .route("/bank-lines", get(lines))
        .route("/bank-lines/{id}", get(line))
        .route("/bank-lines/{id}/match", post(match_line))
        .route("/bank-lines/{id}/unmatch", post(unmatch_line))
        .route("/bank-lines/{id}/ignore", post(ignore_line))
        .route("/bank-mappings", get(mappings))
        .route(
            "/bank-mappings/{name}",
            get(mapping).put(save_mapping).delete(delete_mapping),
        )
        .route("/settings/payments", get(settings).put(change_settings))
}

/// A refused request, already in the API's JSON shape (boxed: results stay small).
pub(crate) struct Refusal(Box<Response>);

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        *self.0
    }
}

impl From<WebError> for Refusal {
    fn from(error: WebError) -> Refusal {
        Refusal(Box::new(error.into_api().into_response()))
    }
}

impl From<app::dunning::DunningError> for Refusal {
    fn from(error: app::dunning::DunningError) -> Refusal {
        WebError::from(error).into()
    }
}

/// `{"error": …, "field": …}`.
fn on_field(status: StatusCode, message: impl Into<String>, field: &str) -> Refusal {
    Refusal(Box::new(
        (
            status,
            axum::Json(json!({ "error": message.into(), "field": field })),
        )
            .into_response(),
    ))
}

fn problem_json(problem: &BankProblem) -> Value {
    let (kind, name) = match &problem.field {
        Some(ProblemField::Column(name)) => (Some("column"), Some(name)),
        Some(ProblemField::Element(name)) => (Some("element"), Some(name)),
        Some(ProblemField::Tag(name)) => (Some("tag"), Some(name)),
        None => (None, None),
    };
    json!({
        "line": problem.line,
        "field": name,
        "field_kind": kind,
        "value": problem.value,
        "message": problem.describe(Language::English),
    })
}

impl From<PaymentError> for Refusal {
    fn from(error: PaymentError) -> Refusal {
        let message = error.to_string();
        match error {
            PaymentError::UnknownLine { .. } | PaymentError::UnknownCustomer { .. } => {
                WebError::Api(StatusCode::NOT_FOUND, message).into()
            }
            PaymentError::UnknownInvoice { .. } => {
                on_field(StatusCode::NOT_FOUND, message, "invoices")
            }
            PaymentError::UnknownMapping { .. } => {
                WebError::Api(StatusCode::NOT_FOUND, message).into()
            }
            PaymentError::Rejected(problems) => Refusal(Box::new(
                (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    axum::Json(json!({
                        "error": "the bank file was refused; nothing was imported",
                        "problems": problems.iter().map(problem_json).collect::<Vec<_>>(),
                    })),
                )
                    .into_response(),
            )),
            PaymentError::Mapping(error) => on_field(
                StatusCode::UNPROCESSABLE_ENTITY,
                error.describe(Language::English),
                error.setting,
            ),
            PaymentError::Invalid(text) => {
                WebError::Api(StatusCode::UNPROCESSABLE_ENTITY, text.en).into()
            }
            PaymentError::InvalidSetting { field, text } => {
                on_field(StatusCode::UNPROCESSABLE_ENTITY, text.en, field)
            }
            PaymentError::Store(store) => WebError::from(store).into(),
        }
    }
}

type Answer = Result<Response, Refusal>;

/// The creditor of a request whose token's role allows `permission`.
fn writer(
    Caller(account, tenant): Caller,
    permission: Permission,
) -> Result<TenantRecord, Refusal> {
    allowed(&account, permission)?;
    Ok(tenant)
}

fn ok(value: Value) -> Answer {
    Ok(axum::Json(value).into_response())
}

fn created(value: Value) -> Answer {
    Ok((StatusCode::CREATED, axum::Json(value)).into_response())
}

/// A JSON body, or a refusal saying what is wrong with it (serde names the field).
fn body<T: DeserializeOwned>(bytes: &Bytes) -> Result<T, Refusal> {
    serde_json::from_slice(bytes).map_err(|error| {
        WebError::Api(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("the body is not the JSON expected: {error}"),
        )
        .into()
    })
}

fn day(text: &str, field: &str) -> Result<Date, Refusal> {
    text.trim().parse::<Date>().map_err(|_| {
        on_field(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("{field} {text:?} is not YYYY-MM-DD"),
            field,
        )
    })
}

/// The creditor's language: the notes a payment writes into the file are in it.
fn books_language(tenant: &TenantRecord) -> Language {
    tenant.profile.language
}

// --- Payments ------------------------------------------------------------------------------------

fn payment_json(payment: &PaymentRecord) -> Value {
    json!({
        "id": payment.id.0,
        "received_on": payment.received_on.to_string(),
        "amount": amount(payment.amount),
        "credit": amount(payment.unallocated),
        "reference": payment.reference,
        "allocations": payment.allocations.iter().map(|(number, paid)| json!({
            "invoice": number, "amount": amount(*paid),
        })).collect::<Vec<_>>(),
    })
}

/// `GET /customers/{reference}/payments`.
async fn customer_payments(
    State(state): State<AppState>,
    Caller(_, tenant): Caller,
    Path(reference): Path<String>,
) -> Answer {
    let found = payments::payments_of(&state.store, &tenant, &reference).await?;
    ok(json!({
        "customer": reference,
        "payments": found.payments.iter().map(payment_json).collect::<Vec<_>>(),
        "credit_balance": found.credit.iter().map(|money| amount(*money)).collect::<Vec<_>>(),
        "closures": found.closures.iter().map(|closure| json!({
            "closed_on": closure.closed_on.to_string(),
            "payment": closure.payment.map(|payment| payment.0),
            "settlement": closure.settlement,
            "note": closure.note,
            "reopened_on": closure.reopened_on.map(|day| day.to_string()),
        })).collect::<Vec<_>>(),
    }))
}

/// What a payment did, in the tenant's currency; with its allocations when it is the
/// customer's.
fn applied_json(applied: &AppliedPayment, tenant: &TenantRecord) -> Value {
    let money = |minor: i64| amount(Money::from_minor(minor, tenant.profile.currency));
    json!({
        "payment": applied.payment.map(|payment| payment.0),
        "already_recorded": applied.already_recorded,
        "allocated": money(applied.allocated_minor),
        "credit": money(applied.unallocated_minor),
        "written_off": money(applied.written_off_minor),
        "promises_kept": applied.promises_kept,
        "actions_cancelled": applied.actions_cancelled,
        "case_closed": applied.case_closed,
        "receipt_queued": applied.receipt_queued,
        "thank_you_queued": applied.thank_you_queued,
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PaymentBody {
    customer: String,
    /// Decimal text, `"250.00"`.
    amount: String,
    received_on: String,
    /// Invoices it pays; none: the customer's oldest first.
    #[serde(default)]
    invoices: Vec<String>,
    #[serde(default)]
    reference: String,
}

/// `POST /payments`: a payment received outside a bank file, as `relance payment add`.
async fn add_payment(State(state): State<AppState>, caller: Caller, bytes: Bytes) -> Answer {
    let tenant = writer(caller, Permission::Work)?;
    let given: PaymentBody = body(&bytes)?;
    let received_on = day(&given.received_on, "received_on")?;
    let applied = payments::add_payment(
        &state.store,
        &tenant,
        state.clock,
        &payments::ManualPayment {
            customer: &given.customer,
            amount: &given.amount,
            received_on,
            invoices: &given.invoices,
            reference: &given.reference,
        },
        books_language(&tenant),
    )
    .await?;
    let mut answer = applied_json(&applied, &tenant);
    let recorded = payments::payments_of(&state.store, &tenant, &given.customer).await?;
    if let Some(payment) = recorded
        .payments
        .iter()
        .find(|payment| Some(payment.id) == applied.payment)
    {
        answer["allocations"] = payment_json(payment)["allocations"].clone();
    }
    answer["customer"] = json!(given.customer);
    if applied.already_recorded {
        ok(answer)
    } else {
        created(answer)
    }
}

// --- Disputes ------------------------------------------------------------------------------------

fn dispute_json(dispute: &DisputeRecord) -> Value {
    json!({
        "id": dispute.id,
        "invoice": dispute.invoice_number,
        "reason": dispute.reason,
        "note": dispute.note,
        "opened_on": dispute.opened_on.to_string(),
        "closed_on": dispute.closed_on.map(|day| day.to_string()),
        "outcome": dispute.outcome,
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DisputeBody {
    invoice: String,
    /// not-received, defective, price, already-paid, not-ordered, other.
    reason: String,
    #[serde(default)]
    note: String,
}

/// The customer's disputes, after a change.
async fn disputes_of(
    state: &AppState,
    tenant: &TenantRecord,
    reference: &str,
) -> Result<Vec<DisputeRecord>, Refusal> {
    let (file, _) = app::dunning::customer_file(&state.store, tenant, reference).await?;
    Ok(file.disputes)
}

/// `POST /customers/{reference}/disputes`: the invoice leaves dunning until it is closed.
async fn open_dispute(
    State(state): State<AppState>,
    caller: Caller,
    Path(reference): Path<String>,
    bytes: Bytes,
) -> Answer {
    let tenant = writer(caller, Permission::Work)?;
    let given: DisputeBody = body(&bytes)?;
    // The invoice must be this customer's: a number is not enough to reach another file.
    let (_, invoices) = app::dunning::customer_file(&state.store, &tenant, &reference).await?;
    if !invoices
        .iter()
        .any(|invoice| invoice.number.as_str() == given.invoice.trim())
    {
        return Err(on_field(
            StatusCode::NOT_FOUND,
            format!("invoice {:?} is not one of {reference}'s", given.invoice),
            "invoice",
        ));
    }
    let id = app::dunning::open_dispute(
        &state.store,
        &tenant,
        state.clock,
        given.invoice.trim(),
        &given.reason,
        given.note.trim(),
    )
    .await?;
    let disputes = disputes_of(&state, &tenant, &reference).await?;
    let opened = disputes
        .iter()
        .find(|dispute| dispute.id == id)
        .map_or_else(|| json!({ "id": id }), dispute_json);
    created(opened)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CloseBody {
    /// upheld, rejected, credit-note.
    outcome: String,
}

/// `POST /customers/{reference}/disputes/{id}/close`: rejected puts the invoice back into
/// dunning.
async fn close_dispute(
    State(state): State<AppState>,
    caller: Caller,
    Path((reference, id)): Path<(String, i64)>,
    bytes: Bytes,
) -> Answer {
    let tenant = writer(caller, Permission::Work)?;
    let given: CloseBody = body(&bytes)?;
    let disputes = disputes_of(&state, &tenant, &reference).await?;
    let Some(dispute) = disputes.iter().find(|dispute| dispute.id == id) else {
        return Err(WebError::Api(
            StatusCode::NOT_FOUND,
            format!("dispute {id} does not exist"),
        )
        .into());
    };
    app::dunning::close_dispute(
        &state.store,
        &tenant,
        state.clock,
        &dispute.invoice_number,
        &given.outcome,
    )
    .await?;
    let disputes = disputes_of(&state, &tenant, &reference).await?;
    let closed = disputes
        .iter()
        .find(|dispute| dispute.id == id)
        .map_or_else(|| json!({ "id": id }), dispute_json);
    ok(closed)
}

// --- Bank statements -----------------------------------------------------------------------------

#[derive(Deserialize)]
struct BankImportParams {
    /// `auto` (the default), `camt053`, `camt054`, `ofx`, `mt940` or `csv`.
    format: Option<String>,
    /// A CSV export's mapping: `french` or a saved one; implies `csv`.
    mapping: Option<String>,
    /// The file's name, as the import history keeps it.
    name: Option<String>,
}

/// `POST /imports/bank`: a bank file as the body, imported whole or refused whole.
async fn import_bank(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<BankImportParams>,
    bytes: Bytes,
) -> Answer {
    let tenant = writer(caller, Permission::Work)?;
    let format = match params.format.as_deref().map(str::trim) {
        None | Some("" | "auto") => None,
        Some(code) => Some(BankFormat::from_code(code).ok_or_else(|| {
            let known: Vec<&str> = BankFormat::ALL.iter().map(|format| format.code()).collect();
            on_field(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("format {code:?}: auto, {}", known.join(", ")),
                "format",
            )
        })?),
    };
    let mapping = if format == Some(BankFormat::Csv) || params.mapping.is_some() {
        let name = params
            .mapping
            .as_deref()
            .unwrap_or(payments::FRENCH_MAPPING);
        let spec = payments::mapping_spec(&state.store, &tenant, name)
            .await
            .map_err(|error| match error {
                error @ PaymentError::UnknownMapping { .. } => on_field(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    error.to_string(),
                    "mapping",
                ),
                other => other.into(),
            })?;
        Some(spec.mapping().map_err(PaymentError::from)?)
    } else {
        None
    };
    let name = params.name.unwrap_or_else(|| "api-upload".to_owned());
    let report = payments::import_bank(
        &state.store,
        &tenant,
        state.clock,
        &bytes,
        &name,
        format,
        mapping.as_ref(),
        books_language(&tenant),
    )
    .await?;
    let outcome = &report.outcome;
    ok(json!({
        "file": name,
        "format": report.format.code(),
        "variant": report.variant,
        "statements": report.statements,
        "lines_read": outcome.lines_read,
        "created": outcome.created,
        "duplicates": outcome.duplicates,
        "applied": outcome.applied,
        "queued": outcome.queued,
        "outgoing": outcome.outgoing,
        "reversals_applied": outcome.reversals_applied,
        "reversals_queued": outcome.reversals_queued,
        "write_offs": outcome.write_offs,
        "not_booked": report.skipped,
        "cases_closed": outcome.cases_closed,
        "receipts_queued": outcome.receipts_queued,
        "thanks_queued": outcome.thanks_queued,
    }))
}

fn line_json(item: &ReviewItem) -> Value {
    let line = &item.line;
    json!({
        "id": line.id,
        "booking_date": line.booking_date.to_string(),
        "credit": line.credit,
        "reversal": line.reversal,
        "amount": amount(line.amount),
        "payer": line.counterparty_name,
        "payer_account": line.counterparty_account,
        "remittance": line.remittance,
        "reference": line.creditor_reference,
        "status": line.state,
        "confidence": line.confidence,
        "explanation": { "fr": line.explanation_fr, "en": line.explanation_en },
        "customer": item.customer,
        "invoices": item.invoices.iter().map(|(number, paid)| json!({
            "invoice": number, "amount": amount(*paid),
        })).collect::<Vec<_>>(),
        "payment": line.payment.map(|payment| payment.0),
    })
}

fn candidate_json(candidate: &Candidate) -> Value {
    json!({
        "invoice": candidate.invoice.number,
        "customer": candidate.invoice.customer_ref,
        "customer_name": candidate.invoice.customer_name,
        "outstanding": amount(candidate.invoice.outstanding),
        "due_on": candidate.due_on.to_string(),
        "reason": candidate.reason.code(),
    })
}

#[derive(Deserialize)]
struct LinesParams {
    /// One of `payments::LINE_STATES`; absent: every line.
    status: Option<String>,
}

/// `GET /bank-lines?status=`.
async fn lines(
    State(state): State<AppState>,
    Caller(_, tenant): Caller,
    Query(params): Query<LinesParams>,
) -> Answer {
    let status = params.status.as_deref().filter(|text| !text.is_empty());
    let found = payments::list_lines(&state.store, &tenant, status)
        .await
        .map_err(|error| match error {
            PaymentError::Invalid(text) => {
                on_field(StatusCode::UNPROCESSABLE_ENTITY, text.en, "status")
            }
            other => other.into(),
        })?;
    ok(json!({ "lines": found.iter().map(line_json).collect::<Vec<_>>() }))
}

/// `GET /bank-lines/{id}`: the line and the open invoices it may pay, ranked.
async fn line(
    State(state): State<AppState>,
    Caller(_, tenant): Caller,
    Path(id): Path<i64>,
) -> Answer {
    let (item, candidates) = payments::candidates(&state.store, &tenant, id).await?;
    let mut answer = line_json(&item);
    answer["candidates"] = candidates.iter().map(candidate_json).collect();
    ok(answer)
}

/// The line as it is after a change.
async fn line_now(state: &AppState, tenant: &TenantRecord, id: i64) -> Result<Value, Refusal> {
    Ok(line_json(&payments::line(&state.store, tenant, id).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MatchBody {
    /// One customer's invoice numbers; the line pays them oldest first.
    invoices: Vec<String>,
}

/// `POST /bank-lines/{id}/match`.
async fn match_line(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    bytes: Bytes,
) -> Answer {
    let tenant = writer(caller, Permission::Work)?;
    let given: MatchBody = body(&bytes)?;
    let applied = payments::match_line(
        &state.store,
        &tenant,
        state.clock,
        id,
        &given.invoices,
        books_language(&tenant),
    )
    .await?;
    ok(json!({
        "line": line_now(&state, &tenant, id).await?,
        "payment": applied_json(&applied, &tenant),
    }))
}

/// `POST /bank-lines/{id}/unmatch`: the invoices owe again what the line paid.
async fn unmatch_line(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Answer {
    let tenant = writer(caller, Permission::Work)?;
    let undone = payments::unmatch_line(
        &state.store,
        &tenant,
        state.clock,
        id,
        books_language(&tenant),
    )
    .await?;
    ok(json!({
        "line": line_now(&state, &tenant, id).await?,
        "undone": amount(undone),
    }))
}

/// `POST /bank-lines/{id}/ignore`: the line is not a customer's payment.
async fn ignore_line(State(state): State<AppState>, caller: Caller, Path(id): Path<i64>) -> Answer {
    let tenant = writer(caller, Permission::Work)?;
    payments::ignore_line(&state.store, &tenant, state.clock, id).await?;
    ok(json!({ "line": line_now(&state, &tenant, id).await? }))
}

// --- CSV mappings --------------------------------------------------------------------------------

fn mapping_json(name: &str, spec: &MappingSpec) -> Value {
    json!({
        "name": name,
        "builtin": name == payments::FRENCH_MAPPING,
        "settings": spec,
        "toml": spec.to_toml(),
    })
}

/// `GET /bank-mappings`: the built-in mapping, then the saved ones.
async fn mappings(State(state): State<AppState>, Caller(_, tenant): Caller) -> Answer {
    let all = payments::mappings(&state.store, &tenant).await?;
    ok(json!({
        "mappings": all.iter().map(|(name, spec)| mapping_json(name, spec)).collect::<Vec<_>>(),
    }))
}

/// `GET /bank-mappings/{name}`.
async fn mapping(
    State(state): State<AppState>,
    Caller(_, tenant): Caller,
    Path(name): Path<String>,
) -> Answer {
    let spec = payments::mapping_spec(&state.store, &tenant, &name).await?;
    ok(mapping_json(name.trim(), &spec))
}

/// `PUT /bank-mappings/{name}`: a JSON object of settings (the names `GET` shows), each
/// changing the mapping `from` names (`french` by default), as `relance payments mapping
/// save NAME --from … --csv-…` does; `null` clears an optional column.
async fn save_mapping(
    State(state): State<AppState>,
    caller: Caller,
    Path(name): Path<String>,
    bytes: Bytes,
) -> Answer {
    let tenant = writer(caller, Permission::Configure)?;
    let mut given: Map<String, Value> = body(&bytes)?;
    let from = match given.remove("from") {
        None | Some(Value::Null) => payments::FRENCH_MAPPING.to_owned(),
        Some(Value::String(from)) => from,
        Some(_) => {
            return Err(on_field(
                StatusCode::UNPROCESSABLE_ENTITY,
                "from is the name of a mapping",
                "from",
            ));
        }
    };
    let base = payments::mapping_spec(&state.store, &tenant, &from)
        .await
        .map_err(|error| match error {
            error @ PaymentError::UnknownMapping { .. } => {
                on_field(StatusCode::UNPROCESSABLE_ENTITY, error.to_string(), "from")
            }
            other => other.into(),
        })?;
    let spec = crate::payment_settings::changed_spec(&base, given)
        .map_err(|(field, message)| on_field(StatusCode::UNPROCESSABLE_ENTITY, message, &field))?;
    payments::save_mapping(&state.store, &tenant, state.clock, &name, &spec).await?;
    let saved = payments::mapping_spec(&state.store, &tenant, &name).await?;
    ok(mapping_json(name.trim(), &saved))
}

/// `DELETE /bank-mappings/{name}`.
async fn delete_mapping(
    State(state): State<AppState>,
    caller: Caller,
    Path(name): Path<String>,
) -> Answer {
    let tenant = writer(caller, Permission::Configure)?;
    payments::delete_mapping(&state.store, &tenant, &name).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

// --- Payment settings ----------------------------------------------------------------------------

fn settings_json(settings: &payments::PaymentSettings) -> Value {
    json!({
        "auto_apply_threshold": settings.auto_apply_threshold,
        "amount_tolerance": amount(settings.amount_tolerance),
        "send_receipt": settings.send_receipt,
        "send_thank_you": settings.send_thank_you,
        "write_off": amount(settings.write_off),
    })
}

/// `GET /settings/payments`.
async fn settings(State(state): State<AppState>, Caller(_, tenant): Caller) -> Answer {
    ok(settings_json(
        &payments::settings(&state.store, &tenant).await?,
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SettingsBody {
    auto_apply_threshold: Option<u8>,
    /// Decimal text.
    amount_tolerance: Option<String>,
    send_receipt: Option<bool>,
    send_thank_you: Option<bool>,
    /// Decimal text; `"0"` turns writing off off.
    write_off: Option<String>,
}

/// `PUT /settings/payments`: what is given changes, the rest stays.
async fn change_settings(State(state): State<AppState>, caller: Caller, bytes: Bytes) -> Answer {
    let tenant = writer(caller, Permission::Configure)?;
    let given: SettingsBody = body(&bytes)?;
    let change = SettingsChange {
        auto_apply_threshold: given.auto_apply_threshold,
        amount_tolerance: given.amount_tolerance,
        send_receipt: given.send_receipt,
        send_thank_you: given.send_thank_you,
        write_off: given.write_off,
    };
    let saved = payments::change_settings(&state.store, &tenant, state.clock, &change)
        .await
        .map_err(|error| match error {
            PaymentError::InvalidSetting { field, text } => {
                on_field(StatusCode::UNPROCESSABLE_ENTITY, text.en, field)
            }
            other => other.into(),
        })?;
    ok(settings_json(&saved))
}
