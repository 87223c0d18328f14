//! `Idempotency-Key` on every API write (POST, PUT, PATCH, DELETE under `/api/v1`): a layer
//! around the API's routes. The rules (what a key is, how long it lasts, what is replayed) are
//! `app::idempotency`'s; this reads the request and the answer.
//!
//! The handler runs in a task of its own once the key is taken, so that a client that hangs up
//! does not cut a write short: its answer is kept all the same, and the retry gets it.

use app::accounts::ApiCaller;
use app::idempotency::{self, Claim, StoredResponse};
use axum::body::{Body, to_bytes};
use axum::extract::{OriginalUri, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::AppState;
use crate::audit::REPLAYED;
use crate::error::WebError;

pub(crate) const HEADER: &str = "idempotency-key";

fn refuse(status: StatusCode, message: &str) -> Response {
    WebError::Api(status, message.to_owned()).into_response()
}

fn replay(stored: StoredResponse) -> Response {
    let mut response = (
        StatusCode::from_u16(stored.status).unwrap_or(StatusCode::OK),
        stored.body,
    )
        .into_response();
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&stored.content_type) {
        headers.insert(header::CONTENT_TYPE, value);
    } else {
        headers.remove(header::CONTENT_TYPE);
    }
    headers.insert(REPLAYED, HeaderValue::from_static("true"));
    response
}

/// The layer around the API's routes.
pub(crate) async fn layer(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let write = matches!(
        *request.method(),
        Method::POST | Method::PUT | Method::PATCH | Method::DELETE
    );
    let Some(key) = request.headers().get(HEADER).cloned() else {
        return next.run(request).await;
    };
    if !write {
        return next.run(request).await;
    }
    let Ok(key) = key.to_str().map(str::to_owned) else {
        return refuse(
            StatusCode::BAD_REQUEST,
            &idempotency::IdempotencyError::InvalidKey.to_string(),
        );
    };
    // Without a valid token the handler answers 401, and there is no one to keep a key for.
    let Some(caller) = request.extensions().get::<ApiCaller>().cloned() else {
        return next.run(request).await;
    };
    let (parts, body) = request.into_parts();
    let Ok(bytes) = to_bytes(body, crate::MAX_UPLOAD_BYTES).await else {
        return refuse(
            StatusCode::PAYLOAD_TOO_LARGE,
            "the request body is too large",
        );
    };
    // The address as the client wrote it, before `nest` took `/api/v1` off.
    let uri = parts
        .extensions
        .get::<OriginalUri>()
        .map_or(&parts.uri, |OriginalUri(uri)| uri);
    let target = uri
        .path_and_query()
        .map_or_else(|| uri.path().to_owned(), |value| value.as_str().to_owned());
    let fingerprint = idempotency::fingerprint(parts.method.as_str(), &target, &bytes);
    match idempotency::claim(&state.store, state.clock, &caller, &key, &fingerprint).await {
        Ok(Claim::Serve) => {}
        Ok(Claim::Replay(stored)) => return replay(stored),
        Ok(Claim::Mismatch) => {
            return refuse(
                StatusCode::UNPROCESSABLE_ENTITY,
                "this Idempotency-Key was used with another request: use a new key for a new request",
            );
        }
        Ok(Claim::InProgress) => {
            return refuse(
                StatusCode::CONFLICT,
                "the first request with this Idempotency-Key is still being served: try again shortly",
            );
        }
        Err(idempotency::IdempotencyError::InvalidKey) => {
            return refuse(
                StatusCode::BAD_REQUEST,
                &idempotency::IdempotencyError::InvalidKey.to_string(),
            );
        }
        Err(idempotency::IdempotencyError::Store(error)) => {
            return WebError::from(error).into_api().into_response();
        }
    }
    let request = Request::from_parts(parts, Body::from(bytes));
    let served = tokio::spawn(async move {
        let response = next.run(request).await;
        let (parts, body) = response.into_parts();
        let body = to_bytes(body, usize::MAX).await;
        (parts, body)
    })
    .await;
    let (parts, body) = match served {
        Ok((parts, Ok(body))) => (parts, body),
        _ => {
            if let Err(error) = idempotency::release(&state.store, &caller, &key).await {
                return WebError::from(error).into_api().into_response();
            }
            return refuse(StatusCode::INTERNAL_SERVER_ERROR, "the request failed");
        }
    };
    let stored = StoredResponse {
        status: parts.status.as_u16(),
        content_type: parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
            .to_owned(),
        body: body.to_vec(),
    };
    if let Err(error) = idempotency::complete(&state.store, &caller, &key, &stored).await {
        return WebError::from(error).into_api().into_response();
    }
    Response::from_parts(parts, Body::from(body))
}
