//! An account working for several creditors: an administrator gives an existing account a role
//! on their creditor, and the account switches its session from one creditor to another.

use app::accounts::{self, Permission};
use app::audit::{Actor, AuditEvent, RecordRef, Via};
use axum::Form;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;

use crate::AppState;
use crate::auth::{SESSION_COOKIE, check_csrf, cookie, staff};
use crate::error::{WebError, in_lang};
use crate::pages::{PageResult, admin_outcome, require};

#[derive(Deserialize)]
pub(crate) struct GrantForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    role: String,
}

/// `POST /admin/members`: the administrator gives an existing account a role here.
pub(crate) async fn grant(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<GrantForm>,
) -> PageResult {
    let staff = staff(&state, &headers).await?;
    check_csrf(&staff, &headers, Some(&form.csrf))?;
    require(&staff, Permission::Administer)?;
    let granted = accounts::grant_role(
        &state.store,
        state.clock,
        &staff.account,
        &form.email,
        &form.role,
    )
    .await;
    admin_outcome(&state, &staff, "role_granted", granted).await
}

#[derive(Deserialize)]
pub(crate) struct SwitchForm {
    #[serde(default)]
    csrf: String,
}

/// `POST /creditors/{id}/switch`: the session works on another of its account's creditors from
/// now on. A creditor the account does not work for is not found, whether it exists or not.
///
/// The audit layer records the switch in the log of the creditor left (it reads who asks
/// before the switch); the creditor arrived at records it here, so that each log says who came
/// in and who went out.
pub(crate) async fn switch(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<SwitchForm>,
) -> PageResult {
    let staff = staff(&state, &headers).await?;
    check_csrf(&staff, &headers, Some(&form.csrf))?;
    let not_found = || WebError::NotFound(staff.lang);
    let id = id.parse::<i64>().map_err(|_| not_found())?;
    let secret = cookie(&headers, SESSION_COOKIE).ok_or_else(not_found)?;
    let account = accounts::switch_creditor(&state.store, state.clock, secret, id)
        .await
        .map_err(|error| in_lang(error.into(), staff.lang))?;
    let address = peer.ip().to_string();
    app::audit::record(
        &state.store,
        account.tenant,
        state.clock,
        Actor::Account(&account),
        &AuditEvent {
            via: Via::Web,
            action: "POST /creditors/{id}/switch",
            customer_ref: None,
            record: Some(RecordRef {
                kind: "creditor",
                id,
            }),
            address: Some(&address),
            status: Some(303),
        },
    )
    .await?;
    Ok(Redirect::to("/").into_response())
}
