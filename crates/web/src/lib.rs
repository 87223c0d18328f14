//! Relance's web application: the staff pages and the JSON API, served by one axum router.
//!
//! Pages are rendered on the server (minijinja templates compiled into the binary) and use
//! htmx, served from the binary too, for partial updates; nothing is fetched from elsewhere.
//! Every figure and every change goes through an `app` use case, as the command line does:
//! this crate reads requests, checks who asks (`auth`), calls `app`, and renders the answer.
//!
//! - `pages`: the HTML pages (first run, login, dashboard, customers, customer file, today's
//!   work, calls, import, accounts and tokens).
//! - `api`: `/api/v1`, JSON with bearer tokens; described in `openapi.yaml`. `api_payments`
//!   adds payments, disputes, bank statements, CSV mappings and payment settings to it.
//! - `plan_pages`: payment plans proposed, printed and accepted on paper from the customer file.
//! - `portal`: the debtor portal under `/p/{secret}` (no login: the personal link is the key).
//! - `memberships`: an account working for several creditors: roles given on the accounts page,
//!   and the header's switch from one creditor to another.
//! - `audit`: the audit log, kept by a layer around every route, and its page.
//! - `settings_pages`: the settings under `/settings` (company, scenarios, contact policy,
//!   templates, late-payment policy and waivers, channels); `payment_settings`, the payment
//!   settings and the saved bank CSV mappings under `/settings/payments`.
//! - `auth`: cookies, sessions, CSRF checks and bearer tokens.
//! - `i18n`: the pages' texts in French and English.

mod api;
mod api_payments;
mod audit;
mod auth;
mod bank_pages;
mod error;
mod i18n;
mod idempotency;
mod memberships;
mod pages;
mod payment_settings;
mod plan_pages;
mod portal;
mod settings_pages;
mod tokens;
mod views;

use std::future::Future;
use std::net::SocketAddr;

use app::Store;
use app::clock::Clock;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::serve::ListenerExt as _;
use tokio::net::TcpListener;

/// The largest upload accepted (an invoice file).
pub(crate) const MAX_UPLOAD_BYTES: usize = 256 * 1024 * 1024;

/// What every handler shares: the database, where time comes from, and the count of failed
/// logins.
#[derive(Clone, Debug)]
pub struct AppState {
    pub store: Store,
    pub clock: Clock,
    throttle: std::sync::Arc<app::accounts::LoginThrottle>,
    audit: app::audit::AuditWriter,
}

impl AppState {
    /// The server's state; starts the audit log's writer, so it is made inside the runtime.
    pub fn new(store: Store, clock: Clock) -> AppState {
        AppState {
            audit: app::audit::AuditWriter::start(store.clone()),
            store,
            clock,
            throttle: std::sync::Arc::default(),
        }
    }
}

/// Every route of the application.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(pages::dashboard))
        .route("/setup", get(pages::setup_form).post(pages::setup))
        .route("/login", get(pages::login_form).post(pages::login))
        .route("/logout", post(pages::logout))
        .route("/lang/{code}", get(pages::switch_language))
        .route("/run", post(pages::run_today))
        .route("/customers", get(pages::customers))
        .route("/customers/{reference}", get(pages::customer))
        .route("/customers/{reference}/calls", post(pages::record_call))
        .route("/customers/{reference}/portal", post(pages::portal_link))
        // Payment plans from the customer file.
        .route(
            "/customers/{reference}/plan",
            get(plan_pages::form).post(plan_pages::propose),
        )
        .route("/customers/{reference}/plan/{id}", get(plan_pages::show))
        .route(
            "/customers/{reference}/plan/{id}/agreement.pdf",
            get(plan_pages::agreement),
        )
        .route(
            "/customers/{reference}/plan/{id}/accept",
            post(plan_pages::accept),
        )
        .route(
            "/customers/{reference}/settlements/{id}/undo",
            post(plan_pages::undo_settlement),
        )
        .route("/actions", get(pages::actions))
        .route("/actions/{id}/approve", post(pages::approve))
        .route("/actions/{id}/skip", post(pages::skip))
        .route("/actions/{id}/letter.pdf", get(pages::letter))
        .route("/import", get(pages::import_form).post(pages::import))
        .route("/admin", get(pages::admin))
        .route("/admin/users", post(pages::add_user))
        .route("/admin/members", post(memberships::grant))
        .route("/creditors/{id}/switch", post(memberships::switch))
        .route("/admin/tokens", post(pages::add_token))
        // The audit log, API tokens and bank statements.
        .route("/admin/audit", get(audit::page))
        .route("/admin/tokens/{id}/revoke", post(tokens::revoke))
        .route("/bank", get(bank_pages::page))
        .route("/bank/import", post(bank_pages::import))
        .route("/bank-lines/{id}", get(bank_pages::line))
        .route("/bank-lines/{id}/match", post(bank_pages::match_line))
        .route("/bank-lines/{id}/unmatch", post(bank_pages::unmatch_line))
        .route("/bank-lines/{id}/ignore", post(bank_pages::ignore_line))
        .route("/p/{secret}", get(portal::page))
        .route("/p/{secret}/promise", post(portal::promise))
        .route("/p/{secret}/plan", post(portal::plan))
        .route("/p/{secret}/dispute", post(portal::dispute))
        .route("/p/{secret}/notice/{id}", get(portal::notice))
        .route("/p/{secret}/plan/{id}", get(portal::agreement))
        .route("/p/{secret}/plan/{id}/accept", post(portal::accept_plan))
        .route("/static/htmx.min.js", get(htmx))
        .route("/static/style.css", get(style))
        .route("/api/openapi.json", get(api::openapi_json))
        .merge(settings_pages::router())
        .merge(payment_settings::router())
        .nest("/api/v1", api::router(state.clone()))
        // After every route: it wraps them all, those above and any added later.
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            audit::record,
        ))
        .layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES))
        .with_state(state)
}

/// Serves the application on `listener` until `shutdown` completes.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // The peer's address is kept for what must record where it came from (a plan accepted on
    // the portal).
    // Without TCP_NODELAY a response written in more than one segment waits for the client's
    // delayed acknowledgement.
    let listener = listener.tap_io(|stream| {
        let _ = stream.set_nodelay(true);
    });
    axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}

/// Binds the address to listen on.
pub async fn bind(address: SocketAddr) -> std::io::Result<TcpListener> {
    TcpListener::bind(address).await
}

const HTMX: &str = include_str!("../static/htmx-2.0.11.min.js");
const STYLE: &str = include_str!("../static/style.css");

async fn htmx() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        HTMX,
    )
}

async fn style() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        STYLE,
    )
}
