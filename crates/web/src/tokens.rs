//! API tokens: listed on the accounts page and through the API, revoked from either. A revoked
//! token is refused from its next request on (every request reads the token's row). Secrets are
//! shown once when made and kept only as their SHA-256.

use app::ApiTokenRecord;
use app::accounts::{self, Permission};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect};
use axum::{Form, Json};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::AppState;
use crate::auth::Caller;
use crate::auth::{Staff, check_csrf, staff};
use crate::error::{WebError, in_lang};
use crate::pages::{self, PageResult};

fn instant(at: jiff::Timestamp, staff: &Staff) -> String {
    app::audit::local_time(at, &staff.tenant)
}

fn row(token: &ApiTokenRecord, staff: &Staff) -> Value {
    json!({
        "id": token.id,
        "name": token.name,
        "owner": token.user_email,
        "created": instant(token.created_at, staff),
        "revoked": token.revoked_at.map(|at| instant(at, staff)),
    })
}

/// The tokens as the accounts page lists them.
pub(crate) async fn rows(state: &AppState, staff: &Staff) -> Result<Vec<Value>, WebError> {
    let tokens = accounts::list_api_tokens(&state.store, &staff.account)
        .await
        .map_err(|error| in_lang(error.into(), staff.lang))?;
    Ok(tokens.iter().map(|token| row(token, staff)).collect())
}

#[derive(Deserialize)]
pub(crate) struct RevokeForm {
    #[serde(default)]
    csrf: String,
}

/// Revokes a token from the accounts page: htmx gets the token's row, a browser the page.
pub(crate) async fn revoke(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(form): Form<RevokeForm>,
) -> PageResult {
    let staff = staff(&state, &headers).await?;
    check_csrf(&staff, &headers, Some(&form.csrf))?;
    pages::require(&staff, Permission::Administer)?;
    accounts::revoke_api_token(&state.store, state.clock, &staff.account, id)
        .await
        .map_err(|error| in_lang(error.into(), staff.lang))?;
    if !pages::is_htmx(&headers) {
        return Ok(Redirect::to("/admin").into_response());
    }
    let tokens = accounts::list_api_tokens(&state.store, &staff.account)
        .await
        .map_err(|error| in_lang(error.into(), staff.lang))?;
    let token = tokens
        .iter()
        .find(|token| token.id == id)
        .ok_or(WebError::NotFound(staff.lang))?;
    pages::fragment(&staff, "token_row.html", json!({ "k": row(token, &staff) }))
}

fn api_row(token: &ApiTokenRecord) -> Value {
    json!({
        "id": token.id,
        "name": token.name,
        "owner": token.user_email,
        "created_at": token.created_at.to_string(),
        "revoked_at": token.revoked_at.map(|at| at.to_string()),
    })
}

/// `GET /api/v1/tokens` (administrators).
pub(crate) async fn api_list(
    State(state): State<AppState>,
    Caller(account, _): Caller,
) -> Result<axum::response::Response, WebError> {
    let tokens = accounts::list_api_tokens(&state.store, &account)
        .await
        .map_err(|error| WebError::from(error).into_api())?;
    Ok(Json(json!({ "tokens": tokens.iter().map(api_row).collect::<Vec<_>>() })).into_response())
}

/// `DELETE /api/v1/tokens/{id}` (administrators): 204, also when it was revoked already.
pub(crate) async fn api_revoke(
    State(state): State<AppState>,
    Caller(account, _): Caller,
    Path(id): Path<i64>,
) -> Result<axum::response::Response, WebError> {
    accounts::revoke_api_token(&state.store, state.clock, &account, id)
        .await
        .map_err(|error| WebError::from(error).into_api())?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
