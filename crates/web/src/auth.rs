//! Cookies, sessions and CSRF checks of the pages, and bearer tokens of the API. Who may do
//! what is `app::accounts`' decision; this module only finds out who is asking.

use app::TenantRecord;
use app::accounts::{self, Account, ApiCaller, Membership, Role};
use app::setup::select_tenant;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use jiff::civil::Date;

use crate::AppState;
use crate::error::WebError;
use crate::i18n::Lang;

pub(crate) const SESSION_COOKIE: &str = "relance_session";
/// The token of forms shown before login (double-submit: the cookie and the form must agree).
pub(crate) const FORM_COOKIE: &str = "relance_form";
pub(crate) const LANG_COOKIE: &str = "relance_lang";

/// A logged-in member of staff, with what every page needs.
pub(crate) struct Staff {
    pub(crate) account: Account,
    pub(crate) csrf: String,
    pub(crate) tenant: TenantRecord,
    pub(crate) lang: Lang,
    pub(crate) today: Date,
    /// The creditors the account works for (the header's switcher when there are several).
    pub(crate) creditors: Vec<Membership>,
}

impl Staff {
    /// The account as the page header shows it: its name, its role at the creditor it works
    /// on, and the other creditors it can switch to.
    pub(crate) fn header(&self) -> serde_json::Value {
        let others: Vec<serde_json::Value> = self
            .creditors
            .iter()
            .filter(|membership| membership.tenant != self.account.tenant)
            .map(|membership| {
                serde_json::json!({
                    "id": membership.tenant.0,
                    "name": membership.company_name,
                    "role_label": role_label(membership.role, self.lang),
                })
            })
            .collect();
        serde_json::json!({
            "name": self.account.display_name,
            "role_label": role_label(self.account.role, self.lang),
            "admin": self.account.role == Role::Admin,
            "creditor": self.tenant.profile.company_name,
            "other_creditors": others,
        })
    }
}

pub(crate) fn role_label(role: Role, lang: Lang) -> &'static str {
    lang.t(&format!("role_{}", role.code()))
}

pub(crate) fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|line| line.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

/// The language asked for by the cookie; French by default.
pub(crate) fn lang(headers: &HeaderMap) -> Lang {
    cookie(headers, LANG_COOKIE)
        .and_then(Lang::parse)
        .unwrap_or(Lang::Fr)
}

/// A cookie only this site's pages send back, never readable by scripts.
pub(crate) fn set_cookie(name: &str, value: &str, max_age: i64) -> HeaderValue {
    HeaderValue::from_str(&format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}"
    ))
    .expect("cookie values are hex or codes")
}

/// The staff member of a request, or where to send the browser (setup or login).
pub(crate) async fn staff(state: &AppState, headers: &HeaderMap) -> Result<Staff, WebError> {
    let found = match cookie(headers, SESSION_COOKIE) {
        Some(secret) => accounts::session(&state.store, state.clock, secret).await?,
        None => None,
    };
    let Some((account, csrf)) = found else {
        return Err(if accounts::needs_first_admin(&state.store).await? {
            WebError::Redirect("/setup".into())
        } else {
            WebError::Redirect("/login".into())
        });
    };
    let tenant = select_tenant(&state.store, Some(account.tenant.0))
        .await
        .map_err(|error| WebError::Internal(error.to_string()))?;
    let today = state.clock.today_in(tenant.profile.time_zone.as_str());
    // The browser's choice, else the creditor's language.
    let lang = cookie(headers, LANG_COOKIE)
        .and_then(Lang::parse)
        .or_else(|| Lang::parse(tenant.profile.language.code()))
        .unwrap_or(Lang::Fr);
    let creditors = accounts::memberships(&state.store, &account).await?;
    Ok(Staff {
        account,
        csrf,
        tenant,
        lang,
        today,
        creditors,
    })
}

/// Refuses a POST whose form token (field or `X-CSRF-Token` header) is not the session's.
pub(crate) fn check_csrf(
    staff: &Staff,
    headers: &HeaderMap,
    field: Option<&str>,
) -> Result<(), WebError> {
    let header = headers
        .get("x-csrf-token")
        .and_then(|value| value.to_str().ok());
    let given = field.filter(|value| !value.is_empty()).or(header);
    match given {
        Some(given) if same(given, &staff.csrf) => Ok(()),
        _ => Err(WebError::Csrf(staff.lang)),
    }
}

/// The double-submit check of forms shown before login.
pub(crate) fn check_form_token(headers: &HeaderMap, field: &str) -> Result<(), WebError> {
    match cookie(headers, FORM_COOKIE) {
        Some(expected) if !field.is_empty() && same(field, expected) => Ok(()),
        _ => Err(WebError::Csrf(lang(headers))),
    }
}

/// The token of a form shown before login: the browser's, or a new one to set.
pub(crate) fn form_token(headers: &HeaderMap) -> Result<(String, bool), WebError> {
    match cookie(headers, FORM_COOKIE) {
        Some(token) if token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit()) => {
            Ok((token.to_owned(), false))
        }
        _ => Ok((accounts::random_hex()?, true)),
    }
}

/// Compares secrets in a time that does not depend on where they differ.
fn same(given: &str, expected: &str) -> bool {
    given.len() == expected.len()
        && given
            .bytes()
            .zip(expected.bytes())
            .fold(0_u8, |difference, (a, b)| difference | (a ^ b))
            == 0
}

/// The secret of an API request's token (`Authorization: Bearer …`).
pub(crate) fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .map(str::trim)
}

/// Finds the caller of an API request (`Authorization: Bearer …`) once, for the handlers
/// (`Caller`), the idempotency layer inside and the audit layer outside (the answer carries it
/// too). Read before the handler runs: a token revoked by this very request still names its
/// author. Without a known token the request goes on, and the handler answers 401.
pub(crate) async fn api_caller_layer(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let Some(secret) = bearer(request.headers()) else {
        return next.run(request).await;
    };
    let caller = match accounts::api_caller(&state.store, secret).await {
        Ok(Some(caller)) => caller,
        Ok(None) => return next.run(request).await,
        Err(error) => return WebError::from(error).into_api().into_response(),
    };
    request.extensions_mut().insert(caller.clone());
    let mut response = next.run(request).await;
    response.extensions_mut().insert(caller);
    response
}

/// The account and creditor of an API request, as `api_caller_layer` found them.
pub(crate) struct Caller(pub(crate) Account, pub(crate) TenantRecord);

impl FromRequestParts<AppState> for Caller {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Caller, WebError> {
        // Taken, not copied: the handler is its last reader (the answer carries the layer's own).
        parts
            .extensions
            .remove::<ApiCaller>()
            .map(|caller| Caller(caller.account, caller.tenant))
            .ok_or_else(|| WebError::Unauthorized.into_api())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_found_by_name_among_others() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; relance_lang=en; relance_session=abc"),
        );
        assert_eq!(cookie(&headers, LANG_COOKIE), Some("en"));
        assert_eq!(cookie(&headers, SESSION_COOKIE), Some("abc"));
        assert_eq!(cookie(&headers, "missing"), None);
        assert_eq!(lang(&headers), Lang::En);
    }

    #[test]
    fn secrets_compare_whole() {
        assert!(same("abcd", "abcd"));
        assert!(!same("abcd", "abce"));
        assert!(!same("abc", "abcd"));
    }
}
