//! The audit log, as the web application keeps and shows it.
//!
//! `record` wraps every route: a change (any method but GET) by a logged-in member of staff or an
//! API token, and every reading of a customer's file, is appended to the log once the answer
//! is known to be a success, with the route, the customer or record named in the path and the
//! peer's address. Being a layer rather than a call in each handler, it records routes added
//! later without anyone remembering to. `page` is the administrators' page that reads it.

use std::net::SocketAddr;

use app::accounts::{self, Account, ApiCaller, Permission};
use app::audit::{Actor, AuditEvent, AuditQuery, RecordRef, Via};
use axum::extract::{ConnectInfo, MatchedPath, OriginalUri, Query, Request, State};
use axum::http::{HeaderMap, Method};
use axum::middleware::Next;
use axum::response::Response;
use jiff::civil::Date;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::AppState;
use crate::auth::{SESSION_COOKIE, Staff, cookie, staff};
use crate::error::{WebError, in_lang};
use crate::i18n::Lang;
use crate::pages::{self, PageResult};

/// Readings of a customer's file: recorded although they change nothing.
const FILE_VIEWS: &[&str] = &[
    "/customers/{reference}",
    "/actions/{id}/letter.pdf",
    "/api/v1/customers/{reference}",
    "/api/v1/customers/{reference}/invoices",
    "/api/v1/customers/{reference}/payments",
];

/// Routes that change no creditor's data, or whose author is not a member of staff: logging in
/// and out, the first run, the debtor's portal (its choices are kept as portal events).
fn unaudited(route: &str) -> bool {
    matches!(route, "/login" | "/logout" | "/setup") || route.starts_with("/p/")
}

/// Put on an answer that reports a refusal in a success (an htmx fragment with its error):
/// nothing changed.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Unchanged;

/// Set on an API answer replayed for a repeated `Idempotency-Key`: nothing changed again.
pub(crate) const REPLAYED: &str = "idempotent-replayed";

#[expect(
    clippy::print_stderr,
    reason = "the server reports on standard error an entry it could not write"
)]
fn report(message: &str) {
    eprintln!("audit: {message}");
}

/// The account behind a request's session, if any.
async fn staff_member(state: &AppState, headers: &HeaderMap) -> Option<Account> {
    let secret = cookie(headers, SESSION_COOKIE)?;
    accounts::session(&state.store, state.clock, secret)
        .await
        .ok()
        .flatten()
        .map(|(account, _)| account)
}

/// The layer around every route: see the module's documentation.
pub(crate) async fn record(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|path| path.as_str().to_owned());
    let Some(route) = route else {
        return next.run(request).await;
    };
    let change = request.method() != Method::GET && request.method() != Method::HEAD;
    if unaudited(&route) || !(change || FILE_VIEWS.contains(&route.as_str())) {
        return next.run(request).await;
    }
    let api = route.starts_with("/api/");
    // Who asks is read before the handler runs: a session ended by this very request still
    // names its member. An API caller is found by `auth::api_caller_layer` (before its handler
    // too), and its answer carries it here.
    let staff = if api {
        None
    } else {
        match staff_member(&state, request.headers()).await {
            Some(account) => Some(account),
            None => return next.run(request).await,
        }
    };
    let action = format!("{} {route}", request.method());
    let address = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(peer)| peer.ip().to_string());
    // The path as the client wrote it, as the matched route is (whatever `nest` strips).
    let path = request
        .extensions()
        .get::<OriginalUri>()
        .map_or_else(|| request.uri().path(), |OriginalUri(uri)| uri.path());
    let (customer, record) = named_in_path(&route, path);
    let response = next.run(request).await;
    let Some(account) = staff.or_else(|| {
        response
            .extensions()
            .get::<ApiCaller>()
            .map(|caller| caller.account.clone())
    }) else {
        return response;
    };
    let status = response.status();
    if status.is_client_error()
        || status.is_server_error()
        || response.headers().contains_key(REPLAYED)
        || response.extensions().get::<Unchanged>().is_some()
    {
        return response;
    }
    let event = AuditEvent {
        via: if api { Via::Api } else { Via::Web },
        action: &action,
        customer_ref: customer.as_deref(),
        record: record
            .as_ref()
            .map(|(kind, id)| RecordRef { kind, id: *id }),
        address: address.as_deref(),
        status: Some(status.as_u16()),
    };
    if let Err(error) = state
        .audit
        .record(
            &state.store,
            account.tenant,
            state.clock,
            Actor::Account(&account),
            &event,
        )
        .await
    {
        report(&format!("{action}: {error}"));
    }
    response
}

/// The customer (`{reference}`) and the record (`…/{kind}s/{id}`) a path names, read against its
/// route.
fn named_in_path(route: &str, path: &str) -> (Option<String>, Option<(String, i64)>) {
    let mut customer = None;
    let mut record = None;
    let mut previous = "";
    for (pattern, actual) in route.split('/').zip(path.split('/')) {
        match pattern {
            "{reference}" => customer = Some(decode(actual)),
            "{id}" => {
                if let Ok(id) = actual.parse::<i64>() {
                    let kind = previous.strip_suffix('s').unwrap_or(previous);
                    record = Some((kind.to_owned(), id));
                }
            }
            _ => {}
        }
        previous = pattern;
    }
    (customer, record)
}

/// Percent-decoding of a path segment (a customer reference with a space or an accent).
fn decode(segment: &str) -> String {
    let bytes = segment.as_bytes();
    let hex = |at: usize| {
        bytes
            .get(at)
            .and_then(|byte| char::from(*byte).to_digit(16))
    };
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        match (bytes[index], hex(index + 1), hex(index + 2)) {
            (b'%', Some(high), Some(low)) => {
                out.push(u8::try_from(high * 16 + low).unwrap_or(b'?'));
                index += 3;
            }
            (byte, _, _) => {
                out.push(byte);
                index += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

// --- The page --------------------------------------------------------------------------------

const PAGE_SIZE: u32 = 50;

#[derive(Deserialize, Default)]
pub(crate) struct AuditParams {
    user: Option<String>,
    customer: Option<String>,
    from: Option<String>,
    to: Option<String>,
    page: Option<u32>,
}

fn day(text: Option<&str>, field: &str, lang: Lang) -> Result<Option<Date>, WebError> {
    match text.map(str::trim).filter(|text| !text.is_empty()) {
        None => Ok(None),
        Some(text) => text
            .parse::<Date>()
            .map(Some)
            .map_err(|_| WebError::Refused(lang, format!("{} : {text:?}", lang.t(field)))),
    }
}

fn via_label(via: &str, lang: Lang) -> &'static str {
    lang.t(&format!("audit_via_{via}"))
}

/// The log, newest first, filtered by user, customer and dates, fifty entries a page.
pub(crate) async fn page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(params): Query<AuditParams>,
) -> PageResult {
    let staff: Staff = staff(&state, &headers).await?;
    pages::require(&staff, Permission::Administer)?;
    let lang = staff.lang;
    let page_number = params.page.unwrap_or(1).max(1);
    let since = day(params.from.as_deref(), "audit_from", lang)?;
    let until = day(params.to.as_deref(), "audit_to", lang)?;
    let found = app::audit::list(
        &state.store,
        &staff.tenant,
        Some(&staff.account),
        &AuditQuery {
            user: params.user.clone(),
            customer: params.customer.clone(),
            since,
            until,
            offset: (page_number - 1).saturating_mul(PAGE_SIZE),
            limit: PAGE_SIZE,
        },
    )
    .await
    .map_err(|error| in_lang(error.into(), lang))?;
    let pages = pages::page_count(found.total, PAGE_SIZE);
    let text = |value: &Option<String>| value.clone().unwrap_or_default();
    let url = |page: u32| {
        format!(
            "/admin/audit?user={}&customer={}&from={}&to={}&page={page}",
            pages::encode(&text(&params.user)),
            pages::encode(&text(&params.customer)),
            pages::encode(&text(&params.from)),
            pages::encode(&text(&params.to)),
        )
    };
    let entries: Vec<Value> = found
        .entries
        .iter()
        .map(|entry| {
            json!({
                "id": entry.id,
                "at": app::audit::local_time(entry.at, &staff.tenant),
                "actor": entry.actor,
                "actor_name": entry.actor_name,
                "via": via_label(&entry.via, lang),
                "what": what(&entry.action, lang),
                "action": entry.action,
                "customer": entry.customer_ref,
                "record": entry.record,
                "address": entry.address,
                "status": entry.status,
            })
        })
        .collect();
    pages::page(
        &staff,
        "audit.html",
        lang.t("audit_title"),
        json!({
            "filters": {
                "user": text(&params.user), "customer": text(&params.customer),
                "from": text(&params.from), "to": text(&params.to),
            },
            "entries": entries,
            "total": found.total,
            "page": page_number,
            "pages": pages,
            "prev_url": url(page_number.saturating_sub(1).max(1)),
            "next_url": url(page_number + 1),
        }),
    )
}

/// The routes whose entries are said in words (`audit_what_…` texts); others show the route.
const LABELS: &[(&str, &str)] = &[
    ("GET /customers/{reference}", "audit_what_view"),
    ("GET /api/v1/customers/{reference}", "audit_what_view"),
    (
        "GET /api/v1/customers/{reference}/invoices",
        "audit_what_view_invoices",
    ),
    ("GET /actions/{id}/letter.pdf", "audit_what_letter"),
    ("POST /customers/{reference}/calls", "audit_what_call"),
    ("POST /customers/{reference}/portal", "audit_what_portal"),
    ("POST /customers/{reference}/promises", "audit_what_promise"),
    (
        "POST /api/v1/customers/{reference}/promises",
        "audit_what_promise",
    ),
    ("POST /actions/{id}/approve", "audit_what_approve"),
    ("POST /api/v1/actions/{id}/approve", "audit_what_approve"),
    ("POST /actions/{id}/skip", "audit_what_skip"),
    ("POST /api/v1/actions/{id}/skip", "audit_what_skip"),
    ("POST /run", "audit_what_run"),
    ("POST /import", "audit_what_import"),
    ("POST /api/v1/imports/invoices", "audit_what_import"),
    ("POST /admin/users", "audit_what_user"),
    ("POST /admin/members", "audit_what_member"),
    ("POST /creditors/{id}/switch", "audit_what_switch"),
    ("POST /admin/tokens", "audit_what_token"),
    ("POST /admin/tokens/{id}/revoke", "audit_what_token_revoke"),
    ("POST /bank/import", "audit_what_bank_import"),
    ("POST /bank-lines/{id}/match", "audit_what_bank_match"),
    ("POST /bank-lines/{id}/unmatch", "audit_what_bank_unmatch"),
    ("POST /bank-lines/{id}/ignore", "audit_what_bank_ignore"),
    ("DELETE /api/v1/tokens/{id}", "audit_what_token_revoke"),
    (
        "GET /api/v1/customers/{reference}/payments",
        "audit_what_view_payments",
    ),
    ("POST /api/v1/payments", "audit_what_payment"),
    (
        "POST /api/v1/customers/{reference}/disputes",
        "audit_what_dispute",
    ),
    (
        "POST /api/v1/customers/{reference}/disputes/{id}/close",
        "audit_what_dispute_close",
    ),
    ("POST /api/v1/imports/bank", "audit_what_bank_import"),
    (
        "POST /api/v1/bank-lines/{id}/match",
        "audit_what_bank_match",
    ),
    (
        "POST /api/v1/bank-lines/{id}/unmatch",
        "audit_what_bank_unmatch",
    ),
    (
        "POST /api/v1/bank-lines/{id}/ignore",
        "audit_what_bank_ignore",
    ),
];

/// What an entry's route did, in words where the route is known.
fn what(action: &str, lang: Lang) -> String {
    LABELS
        .iter()
        .find(|(route, _)| *route == action)
        .map_or_else(|| action.to_owned(), |(_, key)| lang.t(key).to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_names_its_customer_and_its_record() {
        assert_eq!(
            named_in_path(
                "/customers/{reference}/calls",
                "/customers/C%C3%A9%2001/calls"
            ),
            (Some("Cé 01".to_owned()), None)
        );
        assert_eq!(
            named_in_path("/api/v1/actions/{id}/approve", "/api/v1/actions/42/approve"),
            (None, Some(("action".to_owned(), 42)))
        );
        assert_eq!(named_in_path("/import", "/import"), (None, None));
    }

    #[test]
    fn every_route_said_in_words_has_both_texts() {
        for (route, key) in LABELS {
            assert_ne!(Lang::Fr.t(key), "?", "{route}");
            assert_ne!(Lang::En.t(key), "?", "{route}");
        }
    }

    #[test]
    fn logins_and_the_portal_are_not_staff_changes() {
        assert!(unaudited("/login"));
        assert!(unaudited("/p/{secret}/promise"));
        assert!(!unaudited("/customers/{reference}/calls"));
    }
}
