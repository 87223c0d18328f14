//! E-mail over SMTP.

use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::{Message, SmtpTransport, Transport};

use crate::Outcome;

/// How long one SMTP exchange may take; a send still running after it has failed, which is
/// what lets the dispatcher treat an older `sending` message as abandoned.
pub const SMTP_TIMEOUT: Duration = Duration::from_secs(60);

/// Where and as whom e-mail is sent.
#[derive(Debug, Clone)]
pub struct SmtpConfig {
    /// The URL in lettre's form (`tls=required|opportunistic`, no parameter for plain text).
    lettre_url: String,
    /// A certificate authority to trust besides the public ones (an internal mail server's),
    /// PEM, read from the URL's `ca=PATH`.
    ca_pem: Option<Vec<u8>>,
    /// The server's name, as its certificate must show it.
    host: String,
    /// The URL as given, password hidden, for messages.
    pub shown: String,
    pub from: Mailbox,
    pub reply_to: Option<Mailbox>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SmtpConfigError {
    #[error(
        "the SMTP URL {url:?} is not understood: {detail} (expected smtp://user:password@host:port, smtps://… or smtp://host:port?tls=none)"
    )]
    Url { url: String, detail: String },
    #[error("the certificate authority {path:?} cannot be read: {detail}")]
    CaFile { path: String, detail: String },
    #[error("{what} {value:?} is not an e-mail address: {detail}")]
    Address {
        what: &'static str,
        value: String,
        detail: String,
    },
}

fn hide_password(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let credentials = &url[scheme_end + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

fn mailbox(what: &'static str, value: &str) -> Result<Mailbox, SmtpConfigError> {
    value.parse().map_err(
        |error: lettre::address::AddressError| SmtpConfigError::Address {
            what,
            value: value.to_owned(),
            detail: error.to_string(),
        },
    )
}

impl SmtpConfig {
    /// Reads `smtp://[user:password@]host[:port][?tls=starttls|opportunistic|none]` (STARTTLS
    /// required unless told otherwise) or `smtps://…` (TLS from the first byte), with `&ca=PATH`
    /// to trust an internal certificate authority too, the sender and the reply address.
    pub fn parse(
        url: &str,
        from: &str,
        reply_to: Option<&str>,
    ) -> Result<SmtpConfig, SmtpConfigError> {
        let bad = |detail: &str| SmtpConfigError::Url {
            url: hide_password(url),
            detail: detail.to_owned(),
        };
        let (base, query) = match url.split_once('?') {
            Some((base, query)) => (base, Some(query)),
            None => (url, None),
        };
        let mut tls = None;
        let mut ca = None;
        let mut others = Vec::new();
        for pair in query.into_iter().flat_map(|query| query.split('&')) {
            match pair.split_once('=') {
                Some(("tls", value)) => tls = Some(value),
                Some(("ca", value)) => ca = Some(value),
                _ if pair.is_empty() => {}
                _ => others.push(pair),
            }
        }
        if !others.is_empty() {
            return Err(bad(&format!("unknown parameter {}", others.join("&"))));
        }
        let lettre_url = match (base.split_once("://").map(|(scheme, _)| scheme), tls) {
            (Some("smtp"), None | Some("starttls" | "required")) => format!("{base}?tls=required"),
            (Some("smtp"), Some("opportunistic")) => format!("{base}?tls=opportunistic"),
            (Some("smtp"), Some("none")) => base.to_owned(),
            (Some("smtps"), None) => base.to_owned(),
            (Some("smtp" | "smtps"), Some(other)) => {
                return Err(bad(&format!(
                    "tls={other} (starttls, opportunistic or none; smtps:// is always TLS)"
                )));
            }
            _ => return Err(bad("the scheme must be smtp:// or smtps://")),
        };
        if ca.is_some() && tls == Some("none") {
            return Err(bad("ca= needs TLS (tls=none sends in plain text)"));
        }
        let ca_pem = match ca {
            None => None,
            Some(path) => {
                let pem = std::fs::read(path).map_err(|error| SmtpConfigError::CaFile {
                    path: path.to_owned(),
                    detail: error.to_string(),
                })?;
                lettre::transport::smtp::client::Certificate::from_pem(&pem).map_err(|error| {
                    SmtpConfigError::CaFile {
                        path: path.to_owned(),
                        detail: error.to_string(),
                    }
                })?;
                Some(pem)
            }
        };
        let host = base.split_once("://").map(|(_, rest)| rest).unwrap_or(base);
        let host = host.rsplit_once('@').map_or(host, |(_, after)| after);
        let host = host.split(['/', ':']).next().unwrap_or_default().to_owned();
        SmtpTransport::from_url(&lettre_url).map_err(|error| bad(&error.to_string()))?;
        let from = mailbox("the sender (RELANCE_SMTP_FROM)", from)?;
        // Replies go to the reply address, else to the sender: never to nowhere.
        let reply_to = match reply_to.filter(|text| !text.trim().is_empty()) {
            Some(text) => mailbox("the reply address (RELANCE_SMTP_REPLY_TO)", text)?,
            None => from.clone(),
        };
        Ok(SmtpConfig {
            lettre_url,
            ca_pem,
            host,
            shown: hide_password(url),
            from,
            reply_to: Some(reply_to),
        })
    }

    fn transport(&self) -> Result<SmtpTransport, lettre::transport::smtp::Error> {
        use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
        let mut builder = SmtpTransport::from_url(&self.lettre_url)?.timeout(Some(SMTP_TIMEOUT));
        if let Some(pem) = &self.ca_pem {
            let parameters = TlsParameters::builder(self.host.clone())
                .add_root_certificate(Certificate::from_pem(pem)?)
                .build()?;
            // The same mode the URL asked for, trusting the extra authority too.
            builder = builder.tls(if self.lettre_url.starts_with("smtps://") {
                Tls::Wrapper(parameters)
            } else if self.lettre_url.ends_with("tls=opportunistic") {
                Tls::Opportunistic(parameters)
            } else {
                Tls::Required(parameters)
            });
        }
        Ok(builder.build())
    }
}

/// One e-mail, rendered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    /// Without angle brackets: `relance.42.7@example.fr`.
    pub message_id: String,
    pub to: String,
    pub to_name: String,
    /// The collector's address when known; else the configured reply address.
    pub reply_to: Option<String>,
    pub subject: String,
    pub text: String,
    pub html: Option<String>,
    /// File name and bytes of a PDF to attach.
    pub attachment: Option<(String, Vec<u8>)>,
}

/// The MIME message: text and HTML as alternatives, the PDF alongside.
pub fn build_message(config: &SmtpConfig, email: &Email) -> Result<Message, String> {
    let to = Mailbox::new(
        Some(email.to_name.clone()).filter(|name| !name.is_empty()),
        email
            .to
            .parse()
            .map_err(|error| format!("recipient {:?}: {error}", email.to))?,
    );
    let mut builder = Message::builder()
        .from(config.from.clone())
        .to(to)
        .subject(email.subject.clone())
        .message_id(Some(format!("<{}>", email.message_id)));
    let reply_to = match &email.reply_to {
        Some(address) => Some(
            address
                .parse::<Mailbox>()
                .map_err(|error| format!("reply address {address:?}: {error}"))?,
        ),
        None => config.reply_to.clone(),
    };
    if let Some(reply_to) = reply_to {
        builder = builder.reply_to(reply_to);
    }
    let body = match &email.html {
        Some(html) => MultiPart::alternative_plain_html(email.text.clone(), html.clone()),
        None => MultiPart::alternative().singlepart(SinglePart::plain(email.text.clone())),
    };
    let body = match &email.attachment {
        Some((name, bytes)) => {
            MultiPart::mixed()
                .multipart(body)
                .singlepart(Attachment::new(name.clone()).body(
                    bytes.clone(),
                    ContentType::parse("application/pdf").expect("a valid content type"),
                ))
        }
        None => body,
    };
    builder.multipart(body).map_err(|error| error.to_string())
}

/// Reply codes that mean this recipient does not exist or refuses mail (RFC 5321: 550 mailbox
/// unavailable, 551 user not local, 553 mailbox name not allowed, 554 transaction failed,
/// which servers use for rejected recipients too).
const RECIPIENT_REFUSED: [&str; 4] = ["550", "551", "553", "554"];

/// Sends one e-mail (blocking: the dispatcher runs it on a blocking thread).
pub fn send_email(config: &SmtpConfig, email: &Email) -> Outcome {
    let message = match build_message(config, email) {
        Ok(message) => message,
        Err(error) => return Outcome::Failed { error },
    };
    let transport = match config.transport() {
        Ok(transport) => transport,
        Err(error) => {
            return Outcome::NotSent {
                error: error.to_string(),
            };
        }
    };
    match transport.send(&message) {
        Ok(response) => Outcome::Sent {
            reply: format!(
                "{} {}",
                response.code(),
                response.message().collect::<Vec<_>>().join(" ")
            ),
        },
        Err(error) => classify(&error),
    }
}

fn classify(error: &lettre::transport::smtp::Error) -> Outcome {
    let text = error.to_string();
    let code = error.status().map(|code| code.to_string());
    if error.is_transient() {
        return Outcome::Temporary { error: text };
    }
    if error.is_permanent() {
        return match code.as_deref() {
            Some(code) if RECIPIENT_REFUSED.contains(&code) => Outcome::Refused { error: text },
            // 530/534/535/538: authentication; our configuration, not the message.
            Some("530" | "534" | "535" | "538") => Outcome::NotSent { error: text },
            _ => Outcome::Failed { error: text },
        };
    }
    if error.is_tls() {
        // The handshake comes before anything is handed over.
        return Outcome::NotSent { error: text };
    }
    // A connection that could not be opened sent nothing; one that broke later may have
    // handed the message over before it broke.
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        if let Some(io) = cause.downcast_ref::<std::io::Error>() {
            // A certificate refused during the handshake: before MAIL FROM, nothing was sent.
            if io
                .get_ref()
                .is_some_and(|inner| inner.downcast_ref::<rustls::Error>().is_some())
            {
                return Outcome::NotSent { error: text };
            }
            use std::io::ErrorKind::{AddrNotAvailable, ConnectionRefused, NotFound};
            if matches!(io.kind(), ConnectionRefused | NotFound | AddrNotAvailable) {
                return Outcome::Temporary { error: text };
            }
        }
        source = cause.source();
    }
    Outcome::Unknown { error: text }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(url: &str) -> Result<SmtpConfig, SmtpConfigError> {
        SmtpConfig::parse(url, "Compta <compta@acme.fr>", None)
    }

    #[test]
    fn smtp_means_starttls_required_unless_told_otherwise() {
        assert_eq!(
            parse("smtp://u:p@mail.acme.fr:587").unwrap().lettre_url,
            "smtp://u:p@mail.acme.fr:587?tls=required"
        );
        assert_eq!(
            parse("smtp://mail.acme.fr?tls=starttls")
                .unwrap()
                .lettre_url,
            "smtp://mail.acme.fr?tls=required"
        );
        assert_eq!(
            parse("smtp://127.0.0.1:2525?tls=none").unwrap().lettre_url,
            "smtp://127.0.0.1:2525"
        );
        assert_eq!(
            parse("smtp://mail.acme.fr?tls=opportunistic")
                .unwrap()
                .lettre_url,
            "smtp://mail.acme.fr?tls=opportunistic"
        );
        assert_eq!(
            parse("smtps://u:p@mail.acme.fr").unwrap().lettre_url,
            "smtps://u:p@mail.acme.fr"
        );
    }

    #[test]
    fn a_bad_url_or_address_is_refused_with_the_password_hidden() {
        let error = parse("smtps://u:secret@mail.acme.fr?tls=none").unwrap_err();
        let text = error.to_string();
        assert!(text.contains("u:***@mail.acme.fr"), "{text}");
        assert!(!text.contains("secret"));
        assert!(matches!(
            parse("http://mail.acme.fr"),
            Err(SmtpConfigError::Url { .. })
        ));
        assert!(matches!(
            parse("smtp://mail.acme.fr?port=25"),
            Err(SmtpConfigError::Url { .. })
        ));
        assert!(matches!(
            SmtpConfig::parse("smtp://mail.acme.fr", "not an address", None),
            Err(SmtpConfigError::Address { .. })
        ));
    }

    #[test]
    fn replies_go_to_the_sender_unless_another_address_is_given() {
        let config = parse("smtp://mail.acme.fr").unwrap();
        assert_eq!(config.reply_to, Some(config.from.clone()));
        let config = SmtpConfig::parse(
            "smtp://mail.acme.fr",
            "compta@acme.fr",
            Some("Recouvrement <recouvrement@acme.fr>"),
        )
        .unwrap();
        assert_eq!(
            config.reply_to.unwrap().email.to_string(),
            "recouvrement@acme.fr"
        );
    }
}
