//! Bounce notices: the delivery status notification (RFC 3464) a mail server sends back when
//! a message that left could not be delivered. Relance's Message-IDs are recognisable
//! (`relance.TENANT.ACTION.CHANNEL@domain`), so a notice names the message it is about wherever
//! the server quotes it (the returned headers, the `Original-Message-ID`, the body).
//!
//! A notice is permanent when a `Status:` field says 5.x.x or an `Action:` field says `failed`;
//! a delay notice (4.x.x, `delayed`) changes nothing. The whole raw message is read as text
//! (lossy UTF-8: only ASCII fields matter), headers and MIME parts alike.

/// What a bounce notice says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BounceNotice {
    /// Relance Message-IDs quoted in it, in order, without angle brackets, each once.
    pub message_ids: Vec<String>,
    pub kind: BounceKind,
    /// The first `Status:` code given (`5.1.1`), if any.
    pub status: Option<String>,
    /// The first `Final-Recipient:` address, if any.
    pub recipient: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BounceKind {
    /// The address does not work: the channel failed.
    Permanent,
    /// Delivery is delayed and still being tried.
    Delayed,
    /// No status could be read: a person should look.
    Unclear,
}

/// Reads a raw bounce message.
pub fn read_bounce(raw: &[u8]) -> BounceNotice {
    let text = String::from_utf8_lossy(raw);
    let mut status = None;
    let mut action = None;
    let mut recipient = None;
    for line in text.lines() {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        match name.trim().to_ascii_lowercase().as_str() {
            "status" if status.is_none() && looks_like_status(value) => {
                status = Some(value.split_whitespace().next().unwrap_or("").to_owned());
            }
            "action" if action.is_none() => action = Some(value.to_ascii_lowercase()),
            "final-recipient" if recipient.is_none() => {
                recipient = Some(
                    value
                        .split_once(';')
                        .map_or(value, |(_, address)| address)
                        .trim()
                        .to_owned(),
                );
            }
            _ => {}
        }
    }
    let kind = match (status.as_deref(), action.as_deref()) {
        (Some(code), _) if code.starts_with('5') => BounceKind::Permanent,
        (_, Some("failed")) => BounceKind::Permanent,
        (Some(code), _) if code.starts_with('4') => BounceKind::Delayed,
        (_, Some("delayed")) => BounceKind::Delayed,
        _ => BounceKind::Unclear,
    };
    BounceNotice {
        message_ids: message_ids(&text),
        kind,
        status,
        recipient,
    }
}

/// `X.Y.Z`, digits separated by dots (a DSN status code).
fn looks_like_status(value: &str) -> bool {
    let code = value.split_whitespace().next().unwrap_or("");
    let parts: Vec<&str> = code.split('.').collect();
    parts.len() == 3
        && parts
            .iter()
            .all(|part| !part.is_empty() && part.chars().all(|c| c.is_ascii_digit()))
}

/// Every `relance.DIGITS.DIGITS.WORD@DOMAIN` in the text, each once.
fn message_ids(text: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("relance.") {
        let candidate = &rest[start..];
        let end = candidate
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '@' | '-' | '_')))
            .unwrap_or(candidate.len());
        let id = candidate[..end].trim_end_matches('.');
        if is_relance_id(id) && !found.iter().any(|known| known == id) {
            found.push(id.to_owned());
        }
        rest = &candidate["relance.".len()..];
    }
    found
}

fn is_relance_id(id: &str) -> bool {
    let Some((local, domain)) = id.split_once('@') else {
        return false;
    };
    let parts: Vec<&str> = local.split('.').collect();
    parts.len() == 4
        && parts[0] == "relance"
        && [parts[1], parts[2]]
            .iter()
            .all(|part| !part.is_empty() && part.chars().all(|c| c.is_ascii_digit()))
        && !parts[3].is_empty()
        && parts[3]
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !domain.is_empty()
        && domain.contains('.')
}

#[cfg(test)]
mod tests {
    use super::*;

    const DSN: &str = "From: MAILER-DAEMON@mx.example\r\n\
        Subject: Undelivered Mail Returned to Sender\r\n\
        Content-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\r\n\
        \r\n\
        --b\r\n\
        Content-Type: text/plain\r\n\
        \r\n\
        I'm sorry to have to inform you that your message could not be delivered.\r\n\
        --b\r\n\
        Content-Type: message/delivery-status\r\n\
        \r\n\
        Reporting-MTA: dns; mx.example\r\n\
        \r\n\
        Final-Recipient: rfc822; compta@lefevre.fr\r\n\
        Action: failed\r\n\
        Status: 5.1.1 (user unknown)\r\n\
        --b\r\n\
        Content-Type: text/rfc822-headers\r\n\
        \r\n\
        Message-ID: <relance.1.42.email@bellevue.example>\r\n\
        Subject: Facture F-1\r\n\
        --b--\r\n";

    #[test]
    fn a_permanent_failure_names_the_message_and_the_address() {
        let notice = read_bounce(DSN.as_bytes());
        assert_eq!(notice.kind, BounceKind::Permanent);
        assert_eq!(notice.message_ids, ["relance.1.42.email@bellevue.example"]);
        assert_eq!(notice.status.as_deref(), Some("5.1.1"));
        assert_eq!(notice.recipient.as_deref(), Some("compta@lefevre.fr"));
    }

    #[test]
    fn a_delay_changes_nothing_and_a_notice_without_status_is_unclear() {
        let delayed = DSN
            .replace("Action: failed", "Action: delayed")
            .replace("Status: 5.1.1 (user unknown)", "Status: 4.4.7");
        assert_eq!(read_bounce(delayed.as_bytes()).kind, BounceKind::Delayed);
        let bare = "Subject: out of office\r\n\r\nAbout relance.1.42.email@bellevue.example\r\n";
        let notice = read_bounce(bare.as_bytes());
        assert_eq!(notice.kind, BounceKind::Unclear);
        assert_eq!(notice.message_ids.len(), 1);
    }

    #[test]
    fn only_well_formed_relance_ids_are_taken_once_each() {
        let text = "<relance.1.42.email@b.example> relance.1.42.email@b.example \
            relance.x.42.email@b.example relance.1.43.email@nodomain \
            relance.2.7.sms@b.example. Status: not.a.code";
        let notice = read_bounce(text.as_bytes());
        assert_eq!(
            notice.message_ids,
            ["relance.1.42.email@b.example", "relance.2.7.sms@b.example"]
        );
        assert_eq!(notice.status, None);
    }
}
