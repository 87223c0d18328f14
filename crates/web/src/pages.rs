//! The staff pages. Each handler finds out who asks, checks the CSRF token of a POST, calls
//! one `app` use case, and renders a template (a whole page, or a fragment for htmx).

use app::accounts::{self, AccountInput, Permission, Role};
use app::calls::{CallOutcome, record_call as record_call_use_case};
use app::dunning::{ReportDetail, RunOptions};
use app::import::{ImportError, ImportInput, ImportOptions, InvoiceFileFormat, NoProgress};
use app::{ActionRecord, CustomerQuery, CustomerSort};
use axum::Form;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use domain::case::{DelayReason, DisputeReason};
use domain::receivable::days_past_due;
use jiff::civil::Date;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::AppState;
use crate::auth::{
    self, FORM_COOKIE, LANG_COOKIE, SESSION_COOKIE, Staff, check_csrf, check_form_token,
    form_token, set_cookie, staff,
};
use crate::error::{WebError, in_lang};
use crate::i18n::Lang;
use crate::views::{self, date, money};

pub(crate) type PageResult = Result<Response, WebError>;

/// Renders a whole page for a logged-in member of staff.
pub(crate) fn page(staff: &Staff, name: &str, title: &str, mut values: Value) -> PageResult {
    if let Value::Object(map) = &mut values {
        map.insert("account".into(), staff.header());
        map.insert("title".into(), title.into());
    }
    let html = views::render(name, staff.lang, &staff.csrf, values)
        .map_err(|error| WebError::Internal(error.to_string()))?;
    Ok(Html(html).into_response())
}

/// A whole page with `extra` values (a report, a message) and the status to answer with.
pub(crate) fn page_with(
    staff: &Staff,
    name: &str,
    title: &str,
    mut values: Value,
    extra: Value,
    status: StatusCode,
) -> PageResult {
    if let (Value::Object(map), Value::Object(more)) = (&mut values, extra) {
        map.extend(more);
    }
    let mut response = page(staff, name, title, values)?;
    *response.status_mut() = status;
    Ok(response)
}

/// A part of a page, for htmx. One that reports an `error` says that nothing changed, so that
/// the audit log does not record it as a change.
pub(crate) fn fragment(staff: &Staff, name: &str, values: Value) -> PageResult {
    let refused = values.get("error").is_some_and(|error| !error.is_null());
    let html = views::render(name, staff.lang, &staff.csrf, values)
        .map_err(|error| WebError::Internal(error.to_string()))?;
    let mut response = Html(html).into_response();
    if refused {
        response.extensions_mut().insert(crate::audit::Unchanged);
    }
    Ok(response)
}

pub(crate) fn is_htmx(headers: &HeaderMap) -> bool {
    headers.contains_key("hx-request")
}

pub(crate) fn require(staff: &Staff, permission: Permission) -> Result<(), WebError> {
    staff
        .account
        .require(permission)
        .map_err(|error| in_lang(error.into(), staff.lang))
}

// --- First run, login, logout, language ---------------------------------------------------------

#[derive(Deserialize)]
pub(crate) struct SetupForm {
    #[serde(default)]
    csrf: String,
    company: Option<String>,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

fn anonymous_page(
    headers: &HeaderMap,
    name: &str,
    title_key: &str,
    status: StatusCode,
    mut values: Value,
) -> PageResult {
    let lang = auth::lang(headers);
    let (token, new) = form_token(headers)?;
    if let Value::Object(map) = &mut values {
        map.insert("title".into(), lang.t(title_key).into());
    }
    let html = views::render(name, lang, &token, values)
        .map_err(|error| WebError::Internal(error.to_string()))?;
    let mut response = (status, Html(html)).into_response();
    if new {
        response
            .headers_mut()
            .append(header::SET_COOKIE, set_cookie(FORM_COOKIE, &token, 3600));
    }
    Ok(response)
}

async fn needs_company(state: &AppState) -> Result<bool, WebError> {
    match app::setup::select_tenant(&state.store, None).await {
        Err(app::setup::SetupError::NotInitialised) => Ok(true),
        _ => Ok(false),
    }
}

pub(crate) async fn setup_form(State(state): State<AppState>, headers: HeaderMap) -> PageResult {
    if !accounts::needs_first_admin(&state.store).await? {
        return Ok(Redirect::to("/login").into_response());
    }
    let needs_company = needs_company(&state).await?;
    anonymous_page(
        &headers,
        "setup.html",
        "setup_title",
        StatusCode::OK,
        json!({ "needs_company": needs_company }),
    )
}

pub(crate) async fn setup(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<SetupForm>,
) -> PageResult {
    check_form_token(&headers, &form.csrf)?;
    let input = AccountInput {
        email: &form.email,
        display_name: &form.display_name,
        password: &form.password,
    };
    match accounts::create_first_admin(&state.store, state.clock, form.company.as_deref(), input)
        .await
    {
        Ok(_) => {}
        Err(accounts::AccountError::AlreadySetUp) => {
            return Ok(Redirect::to("/login").into_response());
        }
        Err(error @ accounts::AccountError::Store(_)) => return Err(error.into()),
        Err(error) => {
            let needs_company = needs_company(&state).await?;
            return anonymous_page(
                &headers,
                "setup.html",
                "setup_title",
                StatusCode::UNPROCESSABLE_ENTITY,
                json!({
                    "needs_company": needs_company,
                    "error": error.describe(auth::lang(&headers).language()),
                }),
            );
        }
    }
    open_session(&state, &form.email, &form.password).await
}

async fn open_session(state: &AppState, email: &str, password: &str) -> PageResult {
    let (_, session) =
        accounts::login_throttled(&state.store, state.clock, &state.throttle, email, password)
            .await?;
    let mut response = Redirect::to("/").into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, &session.secret, session.max_age_seconds),
    );
    Ok(response)
}

pub(crate) async fn login_form(State(state): State<AppState>, headers: HeaderMap) -> PageResult {
    if accounts::needs_first_admin(&state.store).await? {
        return Ok(Redirect::to("/setup").into_response());
    }
    anonymous_page(
        &headers,
        "login.html",
        "login_title",
        StatusCode::OK,
        json!({}),
    )
}

#[derive(Deserialize)]
pub(crate) struct LoginForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

pub(crate) async fn login(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> PageResult {
    check_form_token(&headers, &form.csrf)?;
    match open_session(&state, &form.email, &form.password).await {
        Err(WebError::Throttled(minutes)) => {
            let lang = auth::lang(&headers);
            anonymous_page(
                &headers,
                "login.html",
                "login_title",
                StatusCode::TOO_MANY_REQUESTS,
                json!({ "error": format!("{} {minutes} min.", lang.t("throttled")) }),
            )
        }
        Err(WebError::Refused(..) | WebError::Said(..)) => {
            let lang = auth::lang(&headers);
            anonymous_page(
                &headers,
                "login.html",
                "login_title",
                StatusCode::UNAUTHORIZED,
                json!({ "error": lang.t("bad_credentials") }),
            )
        }
        other => other,
    }
}

#[derive(Deserialize)]
pub(crate) struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

pub(crate) async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<CsrfForm>,
) -> PageResult {
    let staff = staff(&state, &headers).await?;
    check_csrf(&staff, &headers, Some(&form.csrf))?;
    if let Some(secret) = auth::cookie(&headers, SESSION_COOKIE) {
        accounts::logout(&state.store, secret).await?;
    }
    let mut response = Redirect::to("/login").into_response();
    response
        .headers_mut()
        .append(header::SET_COOKIE, set_cookie(SESSION_COOKIE, "", 0));
    Ok(response)
}

/// Remembers the language in a cookie and goes back to the page the link was on.
pub(crate) async fn switch_language(Path(code): Path<String>, headers: HeaderMap) -> PageResult {
    let lang = Lang::parse(&code).ok_or(WebError::NotFound(Lang::Fr))?;
    // Only a path of this site: never an address elsewhere.
    let back = headers
        .get(header::REFERER)
        .and_then(|value| value.to_str().ok())
        .and_then(|referer| referer.split_once("://"))
        .and_then(|(_, rest)| rest.find('/').map(|slash| rest[slash..].to_owned()))
        .filter(|path| path.starts_with('/') && !path.starts_with("//"))
        .unwrap_or_else(|| "/".to_owned());
    let mut response = Redirect::to(&back).into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(LANG_COOKIE, lang.code(), 365 * 24 * 3600),
    );
    Ok(response)
}

// --- Dashboard ---------------------------------------------------------------------------------

fn status_label(status: &str, lang: Lang) -> &'static str {
    lang.t(&format!("status_{status}"))
}

fn action_json(action: &ActionRecord, lang: Lang) -> Value {
    json!({
        "id": action.id,
        "customer_ref": action.customer_ref,
        "step_key": action.step_key,
        "channel": action.channel,
        "status": action.status,
        "status_label": status_label(&action.status, lang),
        "status_note": action.status_note,
        "explanation": action.explanation.render(lang.language()),
        "decided_on": action.decided_on.to_string(),
        "has_letter": action.status == "awaiting_approval"
            || action.channel == "letter"
            || action.channel == "registered_letter",
    })
}

async fn dashboard_page(state: &AppState, staff: &Staff, run: Option<Value>) -> PageResult {
    let lang = staff.lang;
    let board = app::overview::dashboard(&state.store, &staff.tenant, staff.today).await?;
    let max = board
        .aging
        .buckets
        .iter()
        .map(|bucket| bucket.amount.minor())
        .max()
        .unwrap_or(0)
        .max(1);
    const WIDTH: i64 = 600;
    const HEIGHT: i64 = 240;
    const TOP: i64 = 24;
    const BOTTOM: i64 = 28;
    let slots = i64::try_from(board.aging.buckets.len().max(1)).unwrap_or(1);
    let slot = WIDTH / slots;
    let bar_width = slot * 2 / 3;
    let bars: Vec<Value> = board
        .aging
        .buckets
        .iter()
        .zip(0_i64..)
        .map(|(bucket, index)| {
            // Pixels, not money: the bar's height is proportional to its amount.
            let h = i64::try_from(
                i128::from(bucket.amount.minor()) * i128::from(HEIGHT - TOP - BOTTOM)
                    / i128::from(max),
            )
            .unwrap_or(0);
            let x = index * slot + (slot - bar_width) / 2;
            let label = if bucket.label == "not_due" {
                lang.t("bucket_not_due").to_owned()
            } else {
                format!("{} {}", bucket.label, lang.t("bucket_days"))
            };
            json!({
                "code": bucket.label,
                "label": label,
                "amount": money(bucket.amount, lang),
                "minor": bucket.amount.minor(),
                "x": x, "cx": x + bar_width / 2,
                "y": HEIGHT - BOTTOM - h, "h": h,
            })
        })
        .collect();
    let promise = |p: &app::PromiseOfCustomer| {
        json!({
            "customer_ref": p.customer_ref,
            "customer_name": p.customer_name,
            "amount": money(p.promise.amount, lang),
            "due_on": date(p.promise.due_on, lang),
        })
    };
    page(
        staff,
        "dashboard.html",
        lang.t("dashboard_title"),
        json!({
            "as_of": date(board.as_of, lang),
            "total": money(board.aging.total, lang),
            "overdue": money(board.overdue, lang),
            "total_minor": board.aging.total.minor(),
            "overdue_minor": board.overdue.minor(),
            "dso": board.dso_days,
            "chart": {
                "width": WIDTH, "height": HEIGHT, "bar_width": bar_width,
                "label_y": HEIGHT - 8, "bars": bars,
            },
            // The page lists the first few; the counts are of all.
            "actions_today": board.actions_today.iter().map(|a| action_json(a, lang)).collect::<Vec<_>>(),
            "actions_today_count": board.actions_today_count,
            "approvals": board.approvals_waiting.iter().map(|a| action_json(a, lang)).collect::<Vec<_>>(),
            "approvals_count": board.approvals_waiting_count,
            "promises_due": board.promises_due_today.iter().map(promise).collect::<Vec<_>>(),
            "promises_broken": board.promises_broken.iter().map(promise).collect::<Vec<_>>(),
            "can_work": staff.account.role.allows(Permission::Work),
            "run": run,
        }),
    )
}

pub(crate) async fn dashboard(State(state): State<AppState>, headers: HeaderMap) -> PageResult {
    let staff = staff(&state, &headers).await?;
    dashboard_page(&state, &staff, None).await
}

/// Today's daily run, from the dashboard (the same use case as `relance run`).
pub(crate) async fn run_today(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<CsrfForm>,
) -> PageResult {
    let staff = staff(&state, &headers).await?;
    check_csrf(&staff, &headers, Some(&form.csrf))?;
    require(&staff, Permission::Work)?;
    let report = app::dunning::run_day(
        &state.store,
        &staff.tenant,
        state.clock,
        RunOptions {
            date: None,
            dry_run: false,
            language: staff.lang.language(),
            detail: ReportDetail::CountsOnly,
        },
    )
    .await
    .map_err(|error| in_lang(error.into(), staff.lang))?;
    let run = json!({
        "examined": report.customers_examined,
        "decided": report.actions_decided(),
    });
    dashboard_page(&state, &staff, Some(run)).await
}

// --- Customers ---------------------------------------------------------------------------------

const PAGE_SIZE: u32 = 50;

/// How many pages of `size` items `total` items fill; one at least, for the pager to say 1/1.
pub(crate) fn page_count(total: i64, size: u32) -> u32 {
    let size = i64::from(size.max(1));
    u32::try_from((total + size - 1) / size).unwrap_or(1).max(1)
}

#[derive(Deserialize, Default)]
pub(crate) struct CustomersParams {
    q: Option<String>,
    open: Option<String>,
    sort: Option<String>,
    page: Option<u32>,
}

pub(crate) fn parse_sort(text: Option<&str>) -> CustomerSort {
    match text {
        Some("name") => CustomerSort::Name,
        Some("outstanding") => CustomerSort::Outstanding,
        _ => CustomerSort::Reference,
    }
}

fn sort_code(sort: CustomerSort) -> &'static str {
    match sort {
        CustomerSort::Reference => "reference",
        CustomerSort::Name => "name",
        CustomerSort::Outstanding => "outstanding",
    }
}

/// A query string value, percent-encoded.
pub(crate) fn encode(text: &str) -> String {
    let mut encoded = String::new();
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.~".contains(&byte) {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

pub(crate) async fn customers(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(params): Query<CustomersParams>,
) -> PageResult {
    let staff = staff(&state, &headers).await?;
    let lang = staff.lang;
    let page_number = params.page.unwrap_or(1).max(1);
    let open_only = params
        .open
        .as_deref()
        .is_some_and(|value| !value.is_empty());
    let sort = parse_sort(params.sort.as_deref());
    let search = params.q.clone().unwrap_or_default();
    let result = app::overview::customer_page(
        &state.store,
        &staff.tenant,
        &CustomerQuery {
            search: Some(search.clone()),
            open_only,
            sort,
            offset: (page_number - 1).saturating_mul(PAGE_SIZE),
            limit: PAGE_SIZE,
        },
    )
    .await?;
    let pages = page_count(result.total, PAGE_SIZE);
    let url = |page: u32| {
        format!(
            "/customers?q={}&sort={}{}&page={page}",
            encode(&search),
            sort_code(sort),
            if open_only { "&open=1" } else { "" }
        )
    };
    let rows: Vec<Value> = result
        .customers
        .iter()
        .map(|c| {
            json!({
                "reference": c.reference.as_str(),
                "name": c.legal_name,
                "kind": c.kind.code(),
                "invoices": c.invoices,
                "open_invoices": c.open_invoices,
                "outstanding": money(c.outstanding, lang),
            })
        })
        .collect();
    page(
        &staff,
        "customers.html",
        lang.t("customers_title"),
        json!({
            "q": search, "open_only": open_only, "sort": sort_code(sort),
            "customers": rows, "total": result.total,
            "page": page_number, "pages": pages,
            "prev_url": url(page_number.saturating_sub(1).max(1)),
            "next_url": url(page_number + 1),
        }),
    )
}

// --- The customer file -------------------------------------------------------------------------

struct FileView {
    values: Value,
}

async fn customer_view(
    state: &AppState,
    staff: &Staff,
    reference: &str,
) -> Result<FileView, WebError> {
    let lang = staff.lang;
    let today = staff.today;
    let (file, invoices) = app::dunning::customer_file(&state.store, &staff.tenant, reference)
        .await
        .map_err(|error| in_lang(error.into(), lang))?;
    let statement = match app::late_payment::statement(
        &state.store,
        &staff.tenant,
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
                "claimed": money(totals.claimed, lang),
                "paid": money(totals.paid, lang),
                "due": money(totals.due, lang),
            })
        }
        Err(error) => json!({ "error": error.describe(lang.language()) }),
    };
    let currency = staff.tenant.profile.currency;
    let outstanding: i64 = invoices
        .iter()
        .filter(|invoice| invoice.outstanding.currency() == currency)
        .map(|invoice| invoice.outstanding.minor())
        .sum();
    let first_missed = invoices
        .iter()
        .filter(|invoice| !invoice.outstanding.is_zero() && invoice.due_on < today)
        .map(|invoice| invoice.due_on)
        .min();
    let invoice_rows: Vec<Value> = invoices
        .iter()
        .map(|invoice| {
            let open = !invoice.outstanding.is_zero();
            let late = open && invoice.due_on < today;
            json!({
                "number": invoice.number.as_str(),
                "issued_on": date(invoice.issued_on, lang),
                "service_on": invoice.service_on.map(|day| date(day, lang)),
                "due_on": date(invoice.due_on, lang),
                "amount": money(invoice.amount, lang),
                "outstanding": money(invoice.outstanding, lang),
                "open": open,
                "late": late,
                "days_late": if late { Some(days_past_due(invoice.due_on, today)) } else { None },
            })
        })
        .collect();
    let portal_events = app::portal::events(&state.store, &staff.tenant, reference)
        .await
        .map_err(|error| WebError::Internal(error.to_string()))?;
    let plans = app::plans::list(
        &state.store,
        &staff.tenant,
        state.clock,
        None,
        Some(reference),
    )
    .await
    .map_err(|error| WebError::Internal(error.describe(lang.language())))?;
    let settlements = app::settlements::list(&state.store, &staff.tenant, Some(reference), None)
        .await
        .map_err(|error| WebError::Internal(error.describe(lang.language())))?;
    let debtor = &file.debtor;
    let values = json!({
        "c": {
            "reference": debtor.reference.as_str(),
            "name": debtor.legal_name,
            "kind": debtor.kind.code(),
            "email": debtor.email,
            "phone": debtor.phone,
            "language": debtor.language,
            "risk": debtor.risk.code(),
            "scenario": debtor.scenario,
            "outstanding": money(domain::money::Money::from_minor(outstanding, currency), lang),
            "first_missed": first_missed.map(|day| date(day, lang)),
        },
        "statement": statement,
        "invoices": invoice_rows,
        "timeline": timeline(&file, &portal_events, lang),
        "promises": file.promises.iter().map(|p| json!({
            "due_on": date(p.due_on, lang), "amount": money(p.amount, lang),
            "status": p.status, "note": p.note,
        })).collect::<Vec<_>>(),
        "disputes": file.disputes.iter().map(|d| json!({
            "invoice": d.invoice_number, "reason": d.reason, "note": d.note,
            "opened_on": date(d.opened_on, lang),
            "closed_on": d.closed_on.map(|day| date(day, lang)), "outcome": d.outcome,
        })).collect::<Vec<_>>(),
        "plans": plans.iter().map(|view| {
            let plan = &view.plan;
            json!({
                "id": plan.id,
                "status": app::plans::status_name(plan.status, lang.language()),
                "covered": money(plan.covered, lang),
                "paid": money(plan.paid(), lang),
                "count": plan.installments.len(),
                "waived": plan.waive_charges,
                "next": view.standing.as_ref().and_then(|standing| standing.next).map(|(installment, left)| json!({
                    "due_on": date(installment.due_on, lang), "left": money(left, lang),
                })),
                "installments": plan.installments.iter().map(|installment| json!({
                    "number": installment.number,
                    "due_on": date(installment.due_on, lang),
                    "amount": money(installment.amount, lang),
                })).collect::<Vec<_>>(),
            })
        }).collect::<Vec<_>>(),
        "settlements": settlements.iter().map(|settlement| json!({
            "id": settlement.id,
            "undone": settlement.undone.as_ref().map(|undo| format!("{} ({})", undo.reason, undo.by)),
            "date": date(settlement.settled_on, lang),
            "kind": app::settlements::kind_name(settlement.kind, lang.language()),
            "invoice": settlement.invoice_number,
            "amount": money(settlement.amount, lang),
            "reason": settlement.reason,
            "by": settlement.decided_by,
        })).collect::<Vec<_>>(),
        "holds": file.holds.iter().map(|h| json!({
            "until": date(h.until, lang), "reason": h.reason,
        })).collect::<Vec<_>>(),
        "incidents": file.incidents.iter().map(|i| json!({
            "opened_on": date(i.opened_on, lang),
            "resolved_on": i.resolved_on.map(|day| date(day, lang)), "note": i.note,
        })).collect::<Vec<_>>(),
        "delay_reasons": DelayReason::ALL.iter().map(|r| coded("delay", r.code(), lang)).collect::<Vec<_>>(),
        "dispute_reasons": DisputeReason::ALL.iter().map(|r| coded("dispute", r.code(), lang)).collect::<Vec<_>>(),
        "can_work": staff.account.role.allows(Permission::Work),
        "can_approve": staff.account.role.allows(Permission::Approve),
    });
    Ok(FileView { values })
}

/// A code with its label in the page's language (`delay_cash_flow` for `cash-flow`).
fn coded(prefix: &str, code: &str, lang: Lang) -> Value {
    json!({ "code": code, "label": lang.t(&format!("{prefix}_{}", code.replace('-', "_"))) })
}

/// Contacts, actions and what the debtor did on the portal, newest first.
fn timeline(
    file: &app::CustomerFile,
    portal: &[app::portal::PortalEventRecord],
    lang: Lang,
) -> Vec<Value> {
    let mut entries: Vec<(Date, i64, Value)> = Vec::new();
    for event in portal {
        entries.push((
            event.occurred_on,
            event.id,
            json!({
                "date": date(event.occurred_on, lang),
                "channel": lang.t("timeline_portal"),
                "what": lang.t(&format!("portal_event_{}", event.kind.replace('-', "_"))),
                "outcome": "",
                "note": event.note,
            }),
        ));
    }
    for contact in &file.contacts {
        entries.push((
            contact.occurred_on,
            contact.id,
            json!({
                "date": date(contact.occurred_on, lang),
                "channel": contact.channel,
                "what": contact.reason.as_deref().map(|code| lang.t(&format!("delay_{}", code.replace('-', "_")))).unwrap_or_default(),
                "outcome": contact.outcome,
                "note": contact.note,
            }),
        ));
    }
    for action in &file.actions {
        entries.push((
            action.decided_on,
            action.id,
            json!({
                "date": date(action.decided_on, lang),
                "channel": action.channel,
                "what": action.step_key,
                "outcome": status_label(&action.status, lang),
                "note": action
                    .status_note
                    .clone()
                    .unwrap_or_else(|| action.explanation.render(lang.language())),
            }),
        ));
    }
    entries.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(&a.1)));
    entries.into_iter().map(|(_, _, value)| value).collect()
}

pub(crate) async fn customer(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(reference): Path<String>,
) -> PageResult {
    let staff = staff(&state, &headers).await?;
    let view = customer_view(&state, &staff, &reference).await?;
    let title = format!("{} {reference}", staff.lang.t("customer_file"));
    page(&staff, "customer.html", &title, view.values)
}

#[derive(Deserialize)]
pub(crate) struct PortalForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    r#do: String,
}

/// A collector gives the customer a personal portal link (shown once) or revokes them all.
pub(crate) async fn portal_link(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(reference): Path<String>,
    Form(form): Form<PortalForm>,
) -> PageResult {
    let staff = staff(&state, &headers).await?;
    check_csrf(&staff, &headers, Some(&form.csrf))?;
    require(&staff, Permission::Work)?;
    let lang = staff.lang;
    let outcome = if form.r#do == "revoke" {
        app::portal::revoke(&state.store, &staff.tenant, state.clock, &reference)
            .await
            .map(|count| ("portal_revoked", Value::from(count)))
    } else {
        app::portal::issue_link(&state.store, &staff.tenant, state.clock, &reference, None)
            .await
            .map(|link| {
                let url = link.url(&app::portal::public_base_url());
                ("portal_url", Value::from(url))
            })
    };
    let (key, value) = match outcome {
        Ok(found) => found,
        Err(app::portal::PortalError::UnknownCustomer { .. }) => {
            return Err(WebError::NotFound(lang));
        }
        Err(error) => return Err(WebError::Internal(error.to_string())),
    };
    let view = customer_view(&state, &staff, &reference).await?;
    let mut values = view.values;
    if let Value::Object(map) = &mut values {
        map.insert(key.into(), value);
    }
    let title = format!("{} {reference}", lang.t("customer_file"));
    page(&staff, "customer.html", &title, values)
}

#[derive(Deserialize)]
pub(crate) struct CallForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    outcome: String,
    reason: Option<String>,
    promise_on: Option<String>,
    promise_amount: Option<String>,
    dispute_invoice: Option<String>,
    dispute_reason: Option<String>,
    #[serde(default)]
    note: String,
}

fn filled(value: &Option<String>) -> Option<&str> {
    value
        .as_deref()
        .map(str::trim)
        .filter(|text| !text.is_empty())
}

pub(crate) async fn record_call(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(reference): Path<String>,
    Form(form): Form<CallForm>,
) -> PageResult {
    let staff = staff(&state, &headers).await?;
    check_csrf(&staff, &headers, Some(&form.csrf))?;
    require(&staff, Permission::Work)?;
    let lang = staff.lang;
    let promise_on = match filled(&form.promise_on) {
        Some(text) => Some(text.parse::<Date>().map_err(|_| {
            WebError::Refused(lang, format!("{}: {text:?}", lang.t("promise_date")))
        })?),
        None => None,
    };
    let promise = match (filled(&form.promise_amount), promise_on) {
        (Some(amount), Some(on)) => Some((amount, on)),
        (None, None) => None,
        _ => {
            return Err(WebError::Refused(
                lang,
                format!("{} + {}", lang.t("promise_date"), lang.t("promise_amount")),
            ));
        }
    };
    let dispute = filled(&form.dispute_invoice)
        .map(|invoice| (invoice, filled(&form.dispute_reason).unwrap_or("other")));
    let outcome = record_call_use_case(
        &state.store,
        &staff.tenant,
        state.clock,
        &CallOutcome {
            customer: &reference,
            outcome: &form.outcome,
            reason: filled(&form.reason),
            promise,
            dispute,
            note: form.note.trim(),
        },
    )
    .await;
    let recorded = match outcome {
        Ok(recorded) => recorded,
        Err(app::dunning::DunningError::Invalid(message)) if is_htmx(&headers) => {
            return fragment(
                &staff,
                "call_result.html",
                json!({ "error": message.get(lang.language()) }),
            );
        }
        Err(error) => return Err(in_lang(error.into(), lang)),
    };
    if !is_htmx(&headers) {
        return Ok(Redirect::to(&format!("/customers/{}", encode(&reference))).into_response());
    }
    let view = customer_view(&state, &staff, &reference).await?;
    let mut values = view.values;
    if let Value::Object(map) = &mut values {
        if let (Some(_), Some((amount, on))) = (recorded.promise, promise) {
            map.insert(
                "promise".into(),
                format!("{amount} · {}", date(on, lang)).into(),
            );
        }
        if let (Some(_), Some((invoice, _))) = (recorded.dispute, dispute) {
            map.insert("dispute".into(), invoice.into());
        }
    }
    fragment(&staff, "call_result.html", values)
}

// --- Today's work ------------------------------------------------------------------------------

#[derive(Deserialize)]
pub(crate) struct ActionsParams {
    date: Option<String>,
    page: Option<u32>,
}

pub(crate) async fn actions(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(params): Query<ActionsParams>,
) -> PageResult {
    let staff = staff(&state, &headers).await?;
    let lang = staff.lang;
    let day = match params.date.as_deref().filter(|text| !text.is_empty()) {
        Some(text) => text
            .parse::<Date>()
            .map_err(|_| WebError::Refused(lang, format!("{}: {text:?}", lang.t("date"))))?,
        None => staff.today,
    };
    let page_number = params.page.unwrap_or(1).max(1);
    let (total, list) = app::overview::action_queue(
        &state.store,
        &staff.tenant,
        day,
        (page_number - 1).saturating_mul(PAGE_SIZE),
        PAGE_SIZE,
    )
    .await?;
    let pages = page_count(total, PAGE_SIZE);
    let url = |page: u32| format!("/actions?date={day}&page={page}");
    page(
        &staff,
        "actions.html",
        lang.t("actions_title"),
        json!({
            "date": day.to_string(),
            "date_label": date(day, lang),
            "actions": list.iter().map(|a| action_json(a, lang)).collect::<Vec<_>>(),
            "total": total,
            "page": page_number, "pages": pages,
            "prev_url": url(page_number.saturating_sub(1).max(1)),
            "next_url": url(page_number + 1),
        }),
    )
}

async fn action_answer(
    state: &AppState,
    staff: &Staff,
    headers: &HeaderMap,
    id: i64,
    error: Option<String>,
) -> PageResult {
    if !is_htmx(headers) {
        if let Some(message) = error {
            return Err(WebError::Refused(staff.lang, message));
        }
        return Ok(Redirect::to("/actions").into_response());
    }
    let action = app::calls::action(&state.store, &staff.tenant, id)
        .await
        .map_err(|error| in_lang(error.into(), staff.lang))?;
    fragment(
        staff,
        "action_row.html",
        json!({
            "a": action_json(&action, staff.lang),
            "date": staff.today.to_string(),
            "error": error,
        }),
    )
}

pub(crate) async fn approve(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(form): Form<CsrfForm>,
) -> PageResult {
    let staff = staff(&state, &headers).await?;
    check_csrf(&staff, &headers, Some(&form.csrf))?;
    require(&staff, Permission::Approve)?;
    let error = match app::dunning::approve_action(&state.store, &staff.tenant, id).await {
        Ok(_) => None,
        Err(app::dunning::DunningError::ActionNotMovable { .. }) => {
            Some(staff.lang.t("not_movable").to_owned())
        }
        Err(error) => return Err(in_lang(error.into(), staff.lang)),
    };
    action_answer(&state, &staff, &headers, id, error).await
}

#[derive(Deserialize)]
pub(crate) struct SkipForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    reason: String,
}

pub(crate) async fn skip(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(form): Form<SkipForm>,
) -> PageResult {
    let staff = staff(&state, &headers).await?;
    check_csrf(&staff, &headers, Some(&form.csrf))?;
    let action = app::calls::action(&state.store, &staff.tenant, id)
        .await
        .map_err(|error| in_lang(error.into(), staff.lang))?;
    require(&staff, Permission::to_skip(&action.status))?;
    let reason = form.reason.trim();
    if reason.is_empty() {
        return action_answer(
            &state,
            &staff,
            &headers,
            id,
            Some(staff.lang.t("skip_reason").to_owned()),
        )
        .await;
    }
    let error = match app::dunning::skip_action(&state.store, &staff.tenant, id, reason).await {
        Ok(_) => None,
        Err(app::dunning::DunningError::ActionNotMovable { .. }) => {
            Some(staff.lang.t("not_movable").to_owned())
        }
        Err(error) => return Err(in_lang(error.into(), staff.lang)),
    };
    action_answer(&state, &staff, &headers, id, error).await
}

/// The letter of an action as a PDF, to read before approving it.
pub(crate) async fn letter(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> PageResult {
    let staff = staff(&state, &headers).await?;
    let letter = app::templates::letter_for_action(&state.store, &staff.tenant, id, staff.today)
        .await
        .map_err(|error| in_lang(error.into(), staff.lang))?;
    let pdf = documents::letter_pdf(&documents::Letter {
        rendered: &letter.rendered,
        context: &letter.context,
    })
    .map_err(|error| in_lang(error.into(), staff.lang))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"action-{id}.pdf\""),
            ),
        ],
        pdf,
    )
        .into_response())
}

// --- Import ------------------------------------------------------------------------------------

pub(crate) async fn import_form(State(state): State<AppState>, headers: HeaderMap) -> PageResult {
    let staff = staff(&state, &headers).await?;
    page(
        &staff,
        "import.html",
        staff.lang.t("import_title"),
        json!({}),
    )
}

/// An uploaded file and its format field, read after the form's CSRF token.
pub(crate) struct Upload {
    pub(crate) format: String,
    pub(crate) file: Option<(String, Vec<u8>)>,
}

/// Reads an upload form (`csrf`, `format`, `file`). The CSRF field comes first in the form:
/// nothing is read from a forged one.
pub(crate) async fn read_upload(
    staff: &Staff,
    headers: &HeaderMap,
    multipart: &mut Multipart,
) -> Result<Upload, WebError> {
    let lang = staff.lang;
    let mut csrf = String::new();
    let mut format = String::from("auto");
    let mut file: Option<(String, Vec<u8>)> = None;
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|error| WebError::Refused(lang, error.to_string()))?
    {
        let name = field.name().unwrap_or_default().to_owned();
        match name.as_str() {
            "csrf" => csrf = field.text().await.unwrap_or_default(),
            "format" => format = field.text().await.unwrap_or_default(),
            "file" => {
                let file_name = field.file_name().unwrap_or("upload").to_owned();
                check_csrf(staff, headers, Some(&csrf))?;
                let bytes = field
                    .bytes()
                    .await
                    .map_err(|error| WebError::Refused(lang, error.to_string()))?;
                file = Some((file_name, bytes.to_vec()));
            }
            _ => {}
        }
    }
    check_csrf(staff, headers, Some(&csrf))?;
    Ok(Upload { format, file })
}

pub(crate) async fn import(
    State(state): State<AppState>,
    headers: HeaderMap,
    mut multipart: Multipart,
) -> PageResult {
    let staff = staff(&state, &headers).await?;
    let lang = staff.lang;
    let upload = read_upload(&staff, &headers, &mut multipart).await?;
    require(&staff, Permission::Work)?;
    let format = upload.format;
    let Some((file_name, bytes)) = upload.file else {
        return Err(WebError::Refused(lang, lang.t("import_file").to_owned()));
    };
    let format = match format.as_str() {
        "csv" => InvoiceFileFormat::Csv,
        "fec" => InvoiceFileFormat::Fec,
        _ => InvoiceFileFormat::from_file_name(&file_name),
    };
    let outcome = app::import::import_invoices(
        &state.store,
        &staff.tenant,
        ImportInput::Bytes {
            name: &file_name,
            bytes: &bytes,
        },
        ImportOptions {
            format,
            payment_term_days: None,
        },
        &NoProgress,
        state.clock,
    )
    .await;
    let title = lang.t("import_title");
    match outcome {
        Ok(report) => page(
            &staff,
            "import.html",
            title,
            json!({ "report": {
                "file": report.file_name,
                "already": report.already_imported,
                "rows": report.rows_read,
                "invoices": counts(report.invoices),
                "customers": counts(report.customers),
            }}),
        ),
        Err(ImportError::Rejected { problems, more, .. }) => {
            let mut response = page(
                &staff,
                "import.html",
                title,
                json!({
                    "problems": problems.iter().map(|p| json!({
                        "line": p.line, "text": p.describe(lang.language()),
                    })).collect::<Vec<_>>(),
                    "more": more,
                }),
            )?;
            *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(response)
        }
        Err(error) => Err(WebError::Refused(lang, error.to_string())),
    }
}

pub(crate) fn counts(counts: app::import::RowCounts) -> Value {
    json!({ "created": counts.created, "updated": counts.updated, "unchanged": counts.unchanged })
}

// --- Accounts and tokens -----------------------------------------------------------------------

async fn admin_page(
    state: &AppState,
    staff: &Staff,
    extra: Value,
    status: StatusCode,
) -> PageResult {
    let lang = staff.lang;
    let users = accounts::list_users(&state.store, &staff.account)
        .await
        .map_err(|error| in_lang(error.into(), lang))?;
    let tokens = crate::tokens::rows(state, staff).await?;
    let values = json!({
        "tokens": tokens,
        "users": users.iter().map(|u| json!({
            "email": u.email, "name": u.display_name, "role": auth::role_label(u.role, lang),
        })).collect::<Vec<_>>(),
        "roles": Role::ALL.iter().map(|r| json!({
            "code": r.code(), "label": auth::role_label(*r, lang),
        })).collect::<Vec<_>>(),
    });
    page_with(
        staff,
        "admin.html",
        lang.t("admin_title"),
        values,
        extra,
        status,
    )
}

pub(crate) async fn admin(State(state): State<AppState>, headers: HeaderMap) -> PageResult {
    let staff = staff(&state, &headers).await?;
    require(&staff, Permission::Administer)?;
    admin_page(&state, &staff, json!({}), StatusCode::OK).await
}

#[derive(Deserialize)]
pub(crate) struct UserForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    role: String,
}

pub(crate) async fn add_user(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<UserForm>,
) -> PageResult {
    let staff = staff(&state, &headers).await?;
    check_csrf(&staff, &headers, Some(&form.csrf))?;
    require(&staff, Permission::Administer)?;
    let input = AccountInput {
        email: &form.email,
        display_name: &form.display_name,
        password: &form.password,
    };
    let created =
        accounts::create_user(&state.store, state.clock, &staff.account, input, &form.role).await;
    admin_outcome(&state, &staff, "user_added", created).await
}

/// The accounts page after a change to an account: what was done, or why it was refused (a
/// refusal of the form is said on the page; no permission or a failure is an error page).
pub(crate) async fn admin_outcome(
    state: &AppState,
    staff: &Staff,
    done_key: &str,
    outcome: Result<accounts::Account, accounts::AccountError>,
) -> PageResult {
    match outcome {
        Ok(account) => {
            let message = format!("{} {}", staff.lang.t(done_key), account.email);
            admin_page(state, staff, json!({ "message": message }), StatusCode::OK).await
        }
        Err(
            error @ (accounts::AccountError::Store(_) | accounts::AccountError::Forbidden { .. }),
        ) => Err(in_lang(error.into(), staff.lang)),
        Err(error) => {
            admin_page(
                state,
                staff,
                json!({ "error": error.describe(staff.lang.language()) }),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

#[derive(Deserialize)]
pub(crate) struct TokenForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
}

pub(crate) async fn add_token(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<TokenForm>,
) -> PageResult {
    let staff = staff(&state, &headers).await?;
    check_csrf(&staff, &headers, Some(&form.csrf))?;
    require(&staff, Permission::Administer)?;
    let token = accounts::create_api_token(&state.store, state.clock, &staff.account, &form.name)
        .await
        .map_err(|error| in_lang(error.into(), staff.lang))?;
    admin_page(&state, &staff, json!({ "token": token }), StatusCode::OK).await
}
