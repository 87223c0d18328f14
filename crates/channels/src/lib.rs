//! Relance's delivery transports: e-mail over SMTP (`lettre`, blocking, STARTTLS or implicit
//! TLS through rustls) and SMS through an HTTP gateway (`ureq`, a configurable JSON POST).
//!
//! Each send returns an `Outcome` that says what is known about the message afterwards, which
//! is what the dispatcher records: sent; certainly not sent and worth retrying (a 4xx SMTP
//! reply, a refused connection, an HTTP 5xx or 429); refused for good by the recipient's side
//! (an SMTP 5xx on the recipient, an HTTP 400 or 422: the channel failed); failed for good for
//! another reason; certainly not sent because of our configuration; or unknown (the connection
//! broke after the message may have been handed over). The dispatcher never resends an unknown.
//!
//! Nothing here touches the database or decides whether a message should go.

mod email;
mod sms;

pub use email::{Email, SMTP_TIMEOUT, SmtpConfig, SmtpConfigError, build_message, send_email};
pub use sms::{GENERIC_BODY, SMS_TIMEOUT, SmsConfigError, SmsGateway, SmsPreset, send_sms};

/// What is known about a message after one attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Accepted by the server (its reply, for the record).
    Sent { reply: String },
    /// Not delivered, and worth trying again later.
    Temporary { error: String },
    /// Refused for good by the recipient's side: this address or number does not work.
    Refused { error: String },
    /// Refused for good for another reason (message too large, policy, syntax).
    Failed { error: String },
    /// Certainly not handed over, because of our own configuration (credentials, TLS): the
    /// message waits for the configuration to be fixed, no attempt counted.
    NotSent { error: String },
    /// The message may or may not have been handed over.
    Unknown { error: String },
}
