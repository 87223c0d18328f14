//! SMS through an HTTP gateway: one JSON POST per message, its body written from a template.

use std::time::Duration;

use crate::Outcome;

/// How long one request may take, connection included.
pub const SMS_TIMEOUT: Duration = Duration::from_secs(30);

/// A gateway's request format known in advance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmsPreset {
    /// Brevo's transactional SMS API (`POST /v3/transactionalSMS/send`, `api-key` header, the
    /// number in international form without `+`).
    Brevo,
}

impl SmsPreset {
    pub fn parse(text: &str) -> Option<SmsPreset> {
        match text {
            "brevo" => Some(SmsPreset::Brevo),
            _ => None,
        }
    }

    pub fn url(&self) -> &'static str {
        match self {
            SmsPreset::Brevo => "https://api.brevo.com/v3/transactionalSMS/send",
        }
    }

    pub fn body(&self) -> &'static str {
        match self {
            SmsPreset::Brevo => {
                r#"{"type":"transactional","sender":"{sender}","recipient":"{to_digits}","content":"{text}"}"#
            }
        }
    }

    /// The header the API key goes in.
    pub fn auth_header(&self) -> &'static str {
        match self {
            SmsPreset::Brevo => "api-key",
        }
    }
}

/// The generic body: the fields most gateways name this way.
pub const GENERIC_BODY: &str = r#"{"to":"{to}","text":"{text}","sender":"{sender}"}"#;

/// Where and how SMS are posted.
#[derive(Debug, Clone)]
pub struct SmsGateway {
    pub url: String,
    /// A header sent with every request (`Authorization: Bearer …`, `api-key: …`).
    pub auth: Option<(String, String)>,
    /// The JSON body, with `{to}` (the number as stored, `+33…`), `{to_digits}` (without `+`),
    /// `{text}` and `{sender}` replaced by JSON-escaped values.
    pub body: String,
    pub sender: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SmsConfigError {
    #[error("the SMS gateway URL {url:?} must start with http:// or https://")]
    Url { url: String },
    #[error("the SMS auth header {header:?} must read \"Name: value\"")]
    Auth { header: String },
    #[error("the SMS body template does not give valid JSON once filled in: {detail}")]
    Body { detail: String },
    #[error("the SMS body template must contain {{to}} or {{to_digits}}, and {{text}}")]
    Placeholders,
    #[error("unknown SMS preset {name:?} (known: brevo)")]
    Preset { name: String },
}

fn json_text(value: &str) -> String {
    let quoted = serde_json::to_string(value).expect("a string serialises");
    quoted[1..quoted.len() - 1].to_owned()
}

impl SmsGateway {
    /// Checks a gateway's settings: the URL, `Name: value` for the header, and a body template
    /// that gives valid JSON and names the number and the text.
    pub fn new(
        url: &str,
        auth: Option<&str>,
        body: &str,
        sender: &str,
    ) -> Result<SmsGateway, SmsConfigError> {
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(SmsConfigError::Url {
                url: url.to_owned(),
            });
        }
        let auth = match auth.filter(|text| !text.trim().is_empty()) {
            None => None,
            Some(header) => match header.split_once(':') {
                Some((name, value)) if !name.trim().is_empty() && !name.contains(' ') => {
                    Some((name.trim().to_owned(), value.trim().to_owned()))
                }
                _ => {
                    return Err(SmsConfigError::Auth {
                        header: header.split(':').next().unwrap_or_default().to_owned(),
                    });
                }
            },
        };
        if !(body.contains("{to}") || body.contains("{to_digits}")) || !body.contains("{text}") {
            return Err(SmsConfigError::Placeholders);
        }
        let gateway = SmsGateway {
            url: url.to_owned(),
            auth,
            body: body.to_owned(),
            sender: sender.to_owned(),
        };
        let sample = gateway.request_body("+33612345678", "Bonjour \"Dupont\"\nà bientôt");
        serde_json::from_str::<serde_json::Value>(&sample).map_err(|error| {
            SmsConfigError::Body {
                detail: error.to_string(),
            }
        })?;
        Ok(gateway)
    }

    /// A preset's URL, body and header, with the key and sender given.
    pub fn preset(
        preset: SmsPreset,
        key: &str,
        sender: &str,
    ) -> Result<SmsGateway, SmsConfigError> {
        SmsGateway::new(
            preset.url(),
            Some(&format!("{}: {key}", preset.auth_header())),
            preset.body(),
            sender,
        )
    }

    /// The JSON body for one message.
    pub fn request_body(&self, to: &str, text: &str) -> String {
        let digits: String = to.chars().filter(char::is_ascii_digit).collect();
        self.body
            .replace("{to_digits}", &json_text(&digits))
            .replace("{to}", &json_text(to))
            .replace("{sender}", &json_text(&self.sender))
            .replace("{text}", &json_text(text))
    }
}

/// Posts one SMS (blocking: the dispatcher runs it on a blocking thread).
pub fn send_sms(gateway: &SmsGateway, to: &str, text: &str) -> Outcome {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(SMS_TIMEOUT))
        .build()
        .into();
    let mut request = agent
        .post(&gateway.url)
        .header("Accept", "application/json");
    if let Some((name, value)) = &gateway.auth {
        request = request.header(name, value);
    }
    let body = gateway.request_body(to, text);
    match request.content_type("application/json").send(body) {
        Ok(mut response) => {
            let status = response.status().as_u16();
            let text = response
                .body_mut()
                .with_config()
                .limit(64 * 1024)
                .read_to_string()
                .unwrap_or_default();
            let reply = format!("HTTP {status} {}", text.trim());
            match status {
                200..=299 => Outcome::Sent { reply },
                429 | 500..=599 => Outcome::Temporary { error: reply },
                // The gateway read the request and refused this number or text.
                400 | 422 => Outcome::Refused { error: reply },
                // Credentials or address: ours to fix, the message never left.
                401 | 403 | 404 | 405 => Outcome::NotSent { error: reply },
                _ => Outcome::Failed { error: reply },
            }
        }
        Err(error) => classify(error),
    }
}

fn classify(error: ureq::Error) -> Outcome {
    use ureq::Timeout;
    let text = error.to_string();
    match error {
        ureq::Error::HostNotFound
        | ureq::Error::ConnectionFailed
        | ureq::Error::Timeout(Timeout::Resolve | Timeout::Connect) => {
            Outcome::Temporary { error: text }
        }
        ureq::Error::Io(io)
            if matches!(
                io.kind(),
                std::io::ErrorKind::ConnectionRefused | std::io::ErrorKind::NotFound
            ) =>
        {
            Outcome::Temporary { error: text }
        }
        ureq::Error::Tls(_) | ureq::Error::BadUri(_) | ureq::Error::Http(_) => {
            Outcome::NotSent { error: text }
        }
        // The request may have reached the gateway before the exchange broke.
        _ => Outcome::Unknown { error: text },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_body_template_is_filled_with_json_escaped_values() {
        let gateway = SmsGateway::new(
            "http://127.0.0.1:9/sms",
            Some("Authorization: Bearer abc"),
            GENERIC_BODY,
            "ACME",
        )
        .unwrap();
        let body = gateway.request_body("+33612345678", "Dû : 1 234,56 €\n\"merci\"");
        let value: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(value["to"], "+33612345678");
        assert_eq!(value["text"], "Dû : 1 234,56 €\n\"merci\"");
        assert_eq!(value["sender"], "ACME");
        assert_eq!(
            gateway.auth,
            Some(("Authorization".to_owned(), "Bearer abc".to_owned()))
        );
    }

    #[test]
    fn the_brevo_preset_sends_the_number_without_plus() {
        let gateway = SmsGateway::preset(SmsPreset::Brevo, "xkeysib-1", "ACME").unwrap();
        let value: serde_json::Value =
            serde_json::from_str(&gateway.request_body("+33612345678", "Bonjour")).unwrap();
        assert_eq!(value["recipient"], "33612345678");
        assert_eq!(value["content"], "Bonjour");
        assert_eq!(value["type"], "transactional");
        assert_eq!(
            gateway.auth,
            Some(("api-key".to_owned(), "xkeysib-1".to_owned()))
        );
    }

    #[test]
    fn a_body_template_that_is_not_json_or_lacks_the_text_is_refused() {
        assert!(matches!(
            SmsGateway::new("http://h/", None, r#"{"to":{to}, "text":"{text}"}"#, "A"),
            Err(SmsConfigError::Body { .. })
        ));
        assert_eq!(
            SmsGateway::new("http://h/", None, r#"{"to":"{to}"}"#, "A").unwrap_err(),
            SmsConfigError::Placeholders
        );
        assert!(matches!(
            SmsGateway::new("ftp://h/", None, GENERIC_BODY, "A"),
            Err(SmsConfigError::Url { .. })
        ));
    }
}
