//! The debtor portal under `/p/{secret}`: no login, the link is the key. What is owed, the
//! documents, how to pay, and three choices (promise, plan, dispute), each through the `app`
//! use case a collector would use. An expired or revoked link answers 410 and shows nothing
//! else; an unknown one 404, with the same words.
//!
//! Forms have no session: they carry a double-submit token (the form cookie of the login page,
//! `auth::form_token`). Answers carry `Referrer-Policy: same-origin` so that the secret in the
//! address never leaves with a link followed elsewhere, and `Cache-Control: no-store`.

use app::portal::{self, Opened, PlanAsked, PortalAccess, PortalError};
use axum::Form;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use domain::case::DisputeReason;
use domain::identifiers::RfReference;
use domain::money::Money;
use serde::Deserialize;
use serde_json::json;

use crate::AppState;
use crate::auth::{self, FORM_COOKIE, check_form_token, form_token, set_cookie};
use crate::error::WebError;
use crate::i18n::Lang;
use crate::views::{self, date, money};

type PageResult = Result<Response, WebError>;

fn private(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The polite page of a link that does not open anything (any more).
fn closed(lang: Lang, status: StatusCode) -> PageResult {
    let html = views::render(
        "portal_gone.html",
        lang,
        "",
        json!({ "title": lang.t("portal_gone_title") }),
    )
    .map_err(|error| WebError::Internal(error.to_string()))?;
    Ok(private((status, Html(html)).into_response()))
}

fn internal(error: impl std::fmt::Display) -> WebError {
    WebError::Internal(error.to_string())
}

/// The customer a link opens, or the page to answer instead.
async fn access(
    state: &AppState,
    headers: &HeaderMap,
    secret: &str,
) -> Result<Result<PortalAccess, Response>, WebError> {
    let lang = auth::lang(headers);
    match portal::open(&state.store, state.clock, secret)
        .await
        .map_err(internal)?
    {
        Opened::Live(access) => Ok(Ok(*access)),
        Opened::Gone => Ok(Err(closed(lang, StatusCode::GONE)?)),
        Opened::Unknown => Ok(Err(closed(lang, StatusCode::NOT_FOUND)?)),
    }
}

#[derive(Deserialize, Default)]
pub(crate) struct Done {
    done: Option<String>,
}

pub(crate) async fn page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(secret): Path<String>,
    Query(done): Query<Done>,
) -> PageResult {
    let access = match access(&state, &headers, &secret).await? {
        Ok(access) => access,
        Err(response) => return Ok(response),
    };
    let message = done.done.as_deref().and_then(|code| match code {
        "promise" | "dispute" | "plan" | "plan-request" | "plan-accepted" => {
            Some(format!("portal_done_{}", code.replace('-', "_")))
        }
        _ => None,
    });
    render_page(&state, &headers, &secret, &access, message, None).await
}

async fn render_page(
    state: &AppState,
    headers: &HeaderMap,
    secret: &str,
    access: &PortalAccess,
    done: Option<String>,
    error: Option<Refused>,
) -> PageResult {
    let tenant = &access.tenant;
    let reference = access.customer_ref.as_str();
    let today = state.clock.today_in(tenant.profile.time_zone.as_str());
    let (file, invoices) = app::dunning::customer_file(&state.store, tenant, reference).await?;
    // The language chosen with the header's link, else the customer's own.
    let lang = auth::cookie(headers, auth::LANG_COOKIE)
        .and_then(Lang::parse)
        .or_else(|| Lang::parse(&file.debtor.language))
        .unwrap_or(Lang::Fr);
    let error = error.map(|refused| refused.message(lang));
    let currency = tenant.profile.currency;
    let open: Vec<&app::InvoiceRecord> = invoices
        .iter()
        .filter(|invoice| invoice.outstanding.is_positive())
        .collect();
    let owed = Money::from_minor(
        open.iter()
            .filter(|invoice| invoice.outstanding.currency() == currency)
            .map(|invoice| invoice.outstanding.minor())
            .sum(),
        currency,
    );
    let statement = match app::late_payment::statement(
        &state.store,
        tenant,
        state.clock,
        reference,
        None,
    )
    .await
    {
        Ok(found) => {
            let totals = &found.statement.totals;
            json!({
                "principal": money(totals.principal, lang),
                "interest": money(totals.interest_claimed, lang),
                "indemnity": money(totals.indemnity_claimed, lang),
                "paid": money(totals.paid, lang),
                "due": money(totals.due, lang),
            })
        }
        Err(_) => json!({ "unavailable": true }),
    };
    let notice = file
        .actions
        .iter()
        .rev()
        .find(|action| action.template == "formal_notice" && action.status == "sent")
        .map(|action| json!({ "id": action.id, "on": date(action.decided_on, lang) }));
    let plans = app::plans::list(&state.store, tenant, state.clock, None, Some(reference))
        .await
        .map_err(internal)?;
    let mut shown = Vec::new();
    for view in plans.iter().filter(|view| {
        matches!(
            view.plan.status,
            app::PlanStatus::Proposed | app::PlanStatus::Active
        )
    }) {
        // A proposed plan within the creditor's limits can be accepted here, for the exact
        // document shown (its fingerprint goes with the form).
        let fingerprint = if view.plan.status == app::PlanStatus::Proposed
            && view.plan.exceeded.is_empty()
        {
            Some(
                app::plans::agreement_fingerprint(&state.store, tenant, state.clock, view.plan.id)
                    .await
                    .map_err(internal)?,
            )
        } else {
            None
        };
        shown.push(json!({
            "id": view.plan.id,
            "status": lang.t(&format!("portal_plan_{}", view.plan.status.code())),
            "installments": view.plan.installments.iter().map(|i| json!({
                "due_on": date(i.due_on, lang), "amount": money(i.amount, lang),
            })).collect::<Vec<_>>(),
            "fingerprint": fingerprint,
        }));
    }
    let plans = shown;
    let rf = RfReference::for_customer(reference);
    let iban = tenant.profile.iban.as_ref();
    let qr = iban.and_then(|iban| {
        documents::epc::epc_qr_payload(&documents::epc::EpcTransfer {
            beneficiary: &tenant.profile.company_name,
            iban,
            bic: None,
            amount: owed.is_positive().then_some(owed),
            reference: &rf,
        })
        .ok()
        .and_then(|payload| qr_svg(&payload))
    });
    let limits = app::plans::settings(&state.store, tenant)
        .await
        .map_err(internal)?
        .limits;
    let max_installments = limits.max_installments.min(limits.max_months).max(2);
    let last_promise_day = portal::last_promise_day(&state.store, access, state.clock).await?;
    let (token, new_cookie) = form_token(headers)?;
    let values = json!({
        "title": format!("{} · {}", lang.t("portal_title"), tenant.profile.company_name),
        "portal": true,
        "base": format!("/p/{secret}"),
        "creditor": tenant.profile.company_name,
        "name": file.debtor.legal_name,
        "reference": reference,
        "owed": money(owed, lang),
        "owed_minor": owed.minor(),
        "invoices": open.iter().map(|invoice| json!({
            "number": invoice.number.as_str(),
            "issued_on": date(invoice.issued_on, lang),
            "due_on": date(invoice.due_on, lang),
            "amount": money(invoice.amount, lang),
            "outstanding": money(invoice.outstanding, lang),
            "late": invoice.due_on < today,
            "disputed": file.disputes.iter().any(|d| d.closed_on.is_none() && d.invoice_number == invoice.number.as_str()),
        })).collect::<Vec<_>>(),
        "statement": statement,
        "notice": notice,
        "plans": plans,
        "pay": {
            "beneficiary": tenant.profile.company_name,
            "iban": iban.map(|iban| documents::format::grouped_iban(iban.as_str())),
            "reference": rf.grouped(),
            "amount": money(owed, lang),
        },
        "qr": qr,
        "today": today.to_string(),
        "last_promise_day": last_promise_day.to_string(),
        "last_promise_label": date(last_promise_day, lang),
        "installment_choices": (2..=max_installments).collect::<Vec<_>>(),
        "dispute_reasons": DisputeReason::ALL.iter().map(|r| json!({
            "code": r.code(),
            "label": lang.t(&format!("dispute_{}", r.code().replace('-', "_"))),
        })).collect::<Vec<_>>(),
        "done": done.map(|key| lang.t(&key)),
        "error": error,
    });
    let html = views::render("portal.html", lang, &token, values).map_err(internal)?;
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let mut response = (status, Html(html)).into_response();
    if new_cookie {
        response.headers_mut().append(
            header::SET_COOKIE,
            set_cookie(FORM_COOKIE, &token, 3600 * 12),
        );
    }
    Ok(private(response))
}

/// The EPC QR code as an inline SVG (one path of dark modules, a quiet zone of four).
fn qr_svg(payload: &str) -> Option<String> {
    let code =
        qrcode::QrCode::with_error_correction_level(payload.as_bytes(), qrcode::EcLevel::M).ok()?;
    let width = code.width();
    let mut path = String::new();
    for (index, color) in code.to_colors().into_iter().enumerate() {
        if color == qrcode::Color::Dark {
            let (x, y) = (index % width + 4, index / width + 4);
            path.push_str(&format!("M{x} {y}h1v1h-1z"));
        }
    }
    let size = width + 8;
    Some(format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {size} {size}\" width=\"220\" height=\"220\" shape-rendering=\"crispEdges\"><rect width=\"{size}\" height=\"{size}\" fill=\"#fff\"/><path d=\"{path}\" fill=\"#000\"/></svg>"
    ))
}

fn done(secret: &str, what: &str) -> Response {
    private(Redirect::to(&format!("/p/{secret}?done={what}")).into_response())
}

/// Why a choice was not recorded, said in the page's language.
enum Refused {
    /// A field that could not be read (its label's key).
    Field(&'static str),
    Error(PortalError),
}

impl Refused {
    fn message(self, lang: Lang) -> String {
        let detail = match self {
            Refused::Field(key) => lang.t(key).to_owned(),
            Refused::Error(PortalError::Plan(plan)) => plan.describe(lang.language()),
            Refused::Error(other) => other.to_string(),
        };
        format!("{} {detail}", lang.t("portal_refused"))
    }
}

#[derive(Deserialize)]
pub(crate) struct PromiseForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    due_on: String,
    #[serde(default)]
    amount: String,
}

pub(crate) async fn promise(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(secret): Path<String>,
    Form(form): Form<PromiseForm>,
) -> PageResult {
    let access = match access(&state, &headers, &secret).await? {
        Ok(access) => access,
        Err(response) => return Ok(response),
    };
    check_form_token(&headers, &form.csrf)?;
    let Ok(due_on) = form.due_on.trim().parse::<jiff::civil::Date>() else {
        let refused = Refused::Field("portal_promise_date");
        return render_page(&state, &headers, &secret, &access, None, Some(refused)).await;
    };
    let amount = Some(form.amount.as_str()).filter(|text| !text.trim().is_empty());
    match portal::promise(&state.store, &access, state.clock, due_on, amount).await {
        Ok(_) => Ok(done(&secret, "promise")),
        Err(PortalError::Store(error)) => Err(error.into()),
        Err(error) => {
            let refused = Refused::Error(error);
            render_page(&state, &headers, &secret, &access, None, Some(refused)).await
        }
    }
}

#[derive(Deserialize)]
pub(crate) struct PlanForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    installments: String,
}

pub(crate) async fn plan(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(secret): Path<String>,
    Form(form): Form<PlanForm>,
) -> PageResult {
    let access = match access(&state, &headers, &secret).await? {
        Ok(access) => access,
        Err(response) => return Ok(response),
    };
    check_form_token(&headers, &form.csrf)?;
    let Ok(count) = form.installments.trim().parse::<u32>() else {
        let refused = Refused::Field("portal_installments");
        return render_page(&state, &headers, &secret, &access, None, Some(refused)).await;
    };
    match portal::ask_plan(&state.store, &access, state.clock, count).await {
        Ok(PlanAsked::Proposed(_)) => Ok(done(&secret, "plan")),
        Ok(PlanAsked::LeftToCollector) => Ok(done(&secret, "plan-request")),
        Err(PortalError::Store(error)) => Err(error.into()),
        Err(error) => {
            let refused = Refused::Error(error);
            render_page(&state, &headers, &secret, &access, None, Some(refused)).await
        }
    }
}

#[derive(Deserialize)]
pub(crate) struct AcceptForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    consent: String,
    #[serde(default)]
    document: String,
}

/// The debtor accepts a proposed plan: typed name, explicit consent, the address it came from
/// (the first `X-Forwarded-For` behind a proxy, else the connection's) and the fingerprint of
/// the document shown.
pub(crate) async fn accept_plan(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>,
    headers: HeaderMap,
    Path((secret, id)): Path<(String, i64)>,
    Form(form): Form<AcceptForm>,
) -> PageResult {
    let access = match access(&state, &headers, &secret).await? {
        Ok(access) => access,
        Err(response) => return Ok(response),
    };
    check_form_token(&headers, &form.csrf)?;
    let ip = headers
        .get("x-forwarded-for")
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(',').next())
        .map(|value| value.trim().to_owned())
        .filter(|value| !value.is_empty())
        .unwrap_or_else(|| peer.ip().to_string());
    let acceptance = app::plans::OnlineAcceptance {
        typed_name: &form.name,
        consent: matches!(form.consent.as_str(), "yes" | "on" | "true"),
        ip: &ip,
        document_sha256: &form.document,
    };
    match portal::accept_plan(&state.store, &access, state.clock, id, &acceptance).await {
        Ok(_) => Ok(done(&secret, "plan-accepted")),
        Err(PortalError::Store(error)) => Err(error.into()),
        Err(PortalError::Plan(app::plans::PlanError::UnknownPlan { .. })) => {
            Err(WebError::NotFound(auth::lang(&headers)))
        }
        Err(error) => {
            let refused = Refused::Error(error);
            render_page(&state, &headers, &secret, &access, None, Some(refused)).await
        }
    }
}

#[derive(Deserialize)]
pub(crate) struct DisputeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    invoice: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    comment: String,
}

pub(crate) async fn dispute(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(secret): Path<String>,
    Form(form): Form<DisputeForm>,
) -> PageResult {
    let access = match access(&state, &headers, &secret).await? {
        Ok(access) => access,
        Err(response) => return Ok(response),
    };
    check_form_token(&headers, &form.csrf)?;
    match portal::dispute(
        &state.store,
        &access,
        state.clock,
        &form.invoice,
        &form.reason,
        &form.comment,
    )
    .await
    {
        Ok(_) => Ok(done(&secret, "dispute")),
        Err(PortalError::Store(error)) => Err(error.into()),
        Err(error) => {
            let refused = Refused::Error(error);
            render_page(&state, &headers, &secret, &access, None, Some(refused)).await
        }
    }
}

fn pdf(bytes: Vec<u8>, name: &str) -> Response {
    private(
        (
            [
                (header::CONTENT_TYPE, "application/pdf".to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{name}\""),
                ),
            ],
            bytes,
        )
            .into_response(),
    )
}

/// The formal notice sent to this customer, as a PDF.
pub(crate) async fn notice(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((secret, id)): Path<(String, i64)>,
) -> PageResult {
    let access = match access(&state, &headers, &secret).await? {
        Ok(access) => access,
        Err(response) => return Ok(response),
    };
    let lang = auth::lang(&headers);
    let tenant = &access.tenant;
    let (file, _) =
        app::dunning::customer_file(&state.store, tenant, access.customer_ref.as_str()).await?;
    // Only this customer's own notice, and only one that was sent.
    let Some(action) = file
        .actions
        .iter()
        .find(|a| a.id == id && a.template == "formal_notice" && a.status == "sent")
    else {
        return Err(WebError::NotFound(lang));
    };
    let letter =
        app::templates::letter_for_action(&state.store, tenant, action.id, action.decided_on)
            .await
            .map_err(internal)?;
    let bytes = documents::letter_pdf(&documents::Letter {
        rendered: &letter.rendered,
        context: &letter.context,
    })
    .map_err(internal)?;
    Ok(pdf(bytes, &format!("mise-en-demeure-{id}.pdf")))
}

/// The agreement of one of this customer's plans, as a PDF.
pub(crate) async fn agreement(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((secret, id)): Path<(String, i64)>,
) -> PageResult {
    let access = match access(&state, &headers, &secret).await? {
        Ok(access) => access,
        Err(response) => return Ok(response),
    };
    let lang = auth::lang(&headers);
    let tenant = &access.tenant;
    let plans = app::plans::list(
        &state.store,
        tenant,
        state.clock,
        None,
        Some(access.customer_ref.as_str()),
    )
    .await
    .map_err(internal)?;
    if !plans.iter().any(|view| view.plan.id == id) {
        return Err(WebError::NotFound(lang));
    }
    let bytes = app::plans::agreement(&state.store, tenant, state.clock, id, None)
        .await
        .map_err(internal)?;
    Ok(pdf(bytes, &format!("echeancier-{id}.pdf")))
}
