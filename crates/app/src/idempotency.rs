//! `Idempotency-Key` on API writes: a program that sends a write again with the same key (a
//! retry after a timeout, a crash before it read the answer) gets the first answer back and
//! changes nothing a second time.
//!
//! Keys are kept per creditor and API token for `KEY_HOURS`. A key names one request: its method,
//! path and query, and body are fingerprinted (SHA-256), and the same key sent with another
//! request is refused. While the first request is being served, a second one with its key is
//! told to wait. An answer that reports a server error is not kept: the key may be tried again.

use store::IdempotencyClaim;
pub use store::StoredResponse;

use crate::accounts::{ApiCaller, sha256_hex};
use crate::clock::Clock;
use crate::{Store, StoreError};

/// How long a key is remembered.
pub const KEY_HOURS: i64 = 24;
/// The longest key accepted.
pub const MAX_KEY_CHARS: usize = 255;

/// What to do with a write that carries a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// Serve it, then `complete` (or `release`) the key.
    Serve,
    /// Answer this again: the request was served already.
    Replay(StoredResponse),
    /// The key was used with another request.
    Mismatch,
    /// The first request with this key is still being served.
    InProgress,
}

#[derive(Debug, thiserror::Error)]
pub enum IdempotencyError {
    #[error("Idempotency-Key must be 1 to {MAX_KEY_CHARS} visible ASCII characters")]
    InvalidKey,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The fingerprint of a request: method, path with its query, and body.
pub fn fingerprint(method: &str, path_and_query: &str, body: &[u8]) -> String {
    let mut bytes = Vec::with_capacity(method.len() + path_and_query.len() + body.len() + 2);
    bytes.extend_from_slice(method.as_bytes());
    bytes.push(b'\n');
    bytes.extend_from_slice(path_and_query.as_bytes());
    bytes.push(b'\n');
    bytes.extend_from_slice(body);
    sha256_hex(&bytes)
}

/// Takes the key for this request, or says what the first request with it left.
pub async fn claim(
    store: &Store,
    clock: Clock,
    caller: &ApiCaller,
    key: &str,
    request_hash: &str,
) -> Result<Claim, IdempotencyError> {
    let valid = !key.is_empty()
        && key.len() <= MAX_KEY_CHARS
        && key
            .bytes()
            .all(|byte| byte.is_ascii_graphic() || byte == b' ');
    if !valid {
        return Err(IdempotencyError::InvalidKey);
    }
    let now = clock.now().as_second();
    let claim = store
        .tenant(caller.account.tenant)
        .claim_idempotency_key(caller.token, key, request_hash, now, now + KEY_HOURS * 3600)
        .await?;
    Ok(match claim {
        IdempotencyClaim::New => Claim::Serve,
        IdempotencyClaim::Known {
            request_hash: first,
            ..
        } if first != request_hash => Claim::Mismatch,
        IdempotencyClaim::Known {
            response: Some(response),
            ..
        } => Claim::Replay(response),
        IdempotencyClaim::Known { response: None, .. } => Claim::InProgress,
    })
}

/// Keeps the answer to a served request for replay, unless it reports a server error: then the
/// key is freed for another try.
pub async fn complete(
    store: &Store,
    caller: &ApiCaller,
    key: &str,
    response: &StoredResponse,
) -> Result<(), StoreError> {
    let handle = store.tenant(caller.account.tenant);
    if response.status >= 500 {
        handle.release_idempotency_key(caller.token, key).await
    } else {
        handle
            .complete_idempotency_key(caller.token, key, response)
            .await
    }
}

/// Frees a key whose request ended without an answer.
pub async fn release(store: &Store, caller: &ApiCaller, key: &str) -> Result<(), StoreError> {
    store
        .tenant(caller.account.tenant)
        .release_idempotency_key(caller.token, key)
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fingerprint_covers_method_path_and_body() {
        let base = fingerprint("POST", "/api/v1/x", b"{}");
        assert_eq!(base, fingerprint("POST", "/api/v1/x", b"{}"));
        assert_ne!(base, fingerprint("POST", "/api/v1/x", b"{ }"));
        assert_ne!(base, fingerprint("POST", "/api/v1/y", b"{}"));
        assert_ne!(base, fingerprint("DELETE", "/api/v1/x", b"{}"));
    }
}
