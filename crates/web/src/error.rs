//! How a failed request answers: a page in the user's language for the browser, JSON for the
//! API.

use app::accounts::{AccountError, Role};
use app::bilingual::Bilingual;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use domain::customer::Language;

use crate::i18n::Lang;
use crate::views;

#[derive(Debug)]
pub(crate) enum WebError {
    /// Not logged in: to the login (or first-run) page.
    Redirect(String),
    Csrf(Lang),
    Forbidden(Lang, Role),
    NotFound(Lang),
    /// The request was understood and refused (a bad value, a state that does not allow it).
    Refused(Lang, String),
    /// The same, said by `app` in both languages: the page shows the user's.
    Said(Lang, Bilingual),
    Unauthorized,
    /// Too many failed logins: minutes to wait.
    Throttled(i64),
    Internal(String),
    /// Same, for the API: JSON bodies.
    Api(StatusCode, String),
}

impl WebError {
    /// The JSON form of an error, for API routes.
    pub(crate) fn into_api(self) -> WebError {
        match self {
            WebError::Redirect(_) | WebError::Unauthorized => WebError::Api(
                StatusCode::UNAUTHORIZED,
                "a valid bearer token is required".into(),
            ),
            WebError::Csrf(_) => WebError::Api(StatusCode::FORBIDDEN, "CSRF check failed".into()),
            WebError::Forbidden(_, role) => WebError::Api(
                StatusCode::FORBIDDEN,
                format!("this needs the role {} or above", role.code()),
            ),
            WebError::NotFound(_) => WebError::Api(StatusCode::NOT_FOUND, "not found".into()),
            WebError::Throttled(minutes) => WebError::Api(
                StatusCode::TOO_MANY_REQUESTS,
                format!("too many failed logins: try again in {minutes} minute(s)"),
            ),
            WebError::Refused(_, message) => {
                WebError::Api(StatusCode::UNPROCESSABLE_ENTITY, message)
            }
            WebError::Said(_, text) => WebError::Api(StatusCode::UNPROCESSABLE_ENTITY, text.en),
            WebError::Internal(message) => {
                WebError::Api(StatusCode::INTERNAL_SERVER_ERROR, message)
            }
            api @ WebError::Api(..) => api,
        }
    }
}

impl From<AccountError> for WebError {
    fn from(error: AccountError) -> WebError {
        match error {
            AccountError::Forbidden { needed } => WebError::Forbidden(Lang::Fr, needed),
            AccountError::Throttled { minutes } => WebError::Throttled(minutes),
            AccountError::UnknownToken { .. } | AccountError::NotAMember { .. } => {
                WebError::NotFound(Lang::Fr)
            }
            AccountError::Store(store) => WebError::Internal(store.to_string()),
            AccountError::Randomness(_) | AccountError::Hashing(_) | AccountError::Setup(_) => {
                WebError::Internal(error.to_string())
            }
            other => said(other.describe(Language::French), other.to_string()),
        }
    }
}

/// A refusal in both languages; the page's is chosen when the page is known (`in_lang`).
fn said(fr: String, en: String) -> WebError {
    WebError::Said(Lang::Fr, Bilingual::new(fr, en))
}

impl From<app::templates::TemplateError> for WebError {
    fn from(error: app::templates::TemplateError) -> WebError {
        use app::templates::TemplateError as E;
        match error {
            E::UnknownTemplate { .. } | E::UnknownCustomer { .. } | E::UnknownAction { .. } => {
                WebError::NotFound(Lang::Fr)
            }
            E::Store(store) => store.into(),
            other => said(other.describe(Language::French), other.to_string()),
        }
    }
}

/// A letter that cannot be drawn: said in the page's language.
impl From<documents::PdfError> for WebError {
    fn from(error: documents::PdfError) -> WebError {
        said(error.describe(Language::French), error.to_string())
    }
}

impl From<app::StoreError> for WebError {
    fn from(error: app::StoreError) -> WebError {
        match error {
            app::StoreError::NotFound { .. } => WebError::NotFound(Lang::Fr),
            other => WebError::Internal(other.to_string()),
        }
    }
}

impl From<app::dunning::DunningError> for WebError {
    fn from(error: app::dunning::DunningError) -> WebError {
        use app::dunning::DunningError as E;
        match error {
            E::UnknownCustomer { .. } | E::UnknownAction { .. } | E::UnknownInvoice { .. } => {
                WebError::NotFound(Lang::Fr)
            }
            E::Store(store) => store.into(),
            other => said(other.describe(Language::French), other.to_string()),
        }
    }
}

fn page(status: StatusCode, lang: Lang, message: &str) -> Response {
    match views::render(
        "error.html",
        lang,
        "",
        serde_json::json!({ "title": lang.t("error_title"), "message": message }),
    ) {
        Ok(html) => (status, Html(html)).into_response(),
        Err(error) => (status, error.to_string()).into_response(),
    }
}

#[expect(
    clippy::print_stderr,
    reason = "the server reports unexpected failures on standard error"
)]
fn report(message: &str) {
    eprintln!("error: {message}");
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        match self {
            WebError::Redirect(to) => Redirect::to(&to).into_response(),
            WebError::Csrf(lang) => page(StatusCode::FORBIDDEN, lang, lang.t("csrf_failed")),
            WebError::Forbidden(lang, role) => page(
                StatusCode::FORBIDDEN,
                lang,
                &format!(
                    "{} {} {}",
                    lang.t("forbidden"),
                    lang.t("needed_role"),
                    crate::auth::role_label(role, lang)
                ),
            ),
            WebError::NotFound(lang) => page(StatusCode::NOT_FOUND, lang, lang.t("not_found")),
            WebError::Throttled(minutes) => page(
                StatusCode::TOO_MANY_REQUESTS,
                Lang::Fr,
                &format!("{} {minutes} min.", Lang::Fr.t("throttled")),
            ),
            WebError::Refused(lang, message) => {
                page(StatusCode::UNPROCESSABLE_ENTITY, lang, &message)
            }
            WebError::Said(lang, text) => page(
                StatusCode::UNPROCESSABLE_ENTITY,
                lang,
                text.get(lang.language()),
            ),
            WebError::Unauthorized => (
                StatusCode::UNAUTHORIZED,
                [("www-authenticate", "Bearer")],
                Json(serde_json::json!({ "error": "a valid bearer token is required" })),
            )
                .into_response(),
            WebError::Internal(message) => {
                report(&message);
                page(StatusCode::INTERNAL_SERVER_ERROR, Lang::Fr, &message)
            }
            WebError::Api(status, message) => {
                if status == StatusCode::INTERNAL_SERVER_ERROR {
                    report(&message);
                }
                (status, Json(serde_json::json!({ "error": message }))).into_response()
            }
        }
    }
}

/// Puts the user's language on an error made before it was known.
pub(crate) fn in_lang(error: WebError, lang: Lang) -> WebError {
    match error {
        WebError::Csrf(_) => WebError::Csrf(lang),
        WebError::Forbidden(_, role) => WebError::Forbidden(lang, role),
        WebError::NotFound(_) => WebError::NotFound(lang),
        WebError::Refused(_, message) => WebError::Refused(lang, message),
        WebError::Said(_, text) => WebError::Said(lang, text),
        other => other,
    }
}
