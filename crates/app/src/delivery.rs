//! Delivery: the dispatcher that turns scheduled e-mail and SMS actions into messages in the
//! outbox and sends them, once, inside the debtor's contact hours; and what a person does with
//! the outbox (list, show, resolve a message whose delivery is unknown).
//!
//! One pass (`dispatch`), as `relance dispatch` runs it and `relance serve` will in a loop:
//! 1. Messages left in `sending` by a dispatcher that stopped (their send began more than
//!    `SENDING_LEASE` ago) become `delivery_unknown`: they may have left, so they are shown to
//!    a person (`relance outbox list --status delivery-unknown`), never sent again by themselves.
//! 2. Scheduled e-mail and SMS actions whose time has come are rendered (the tenant's templates,
//!    the customer's language and data) and queued under their unique key: a second pass or a
//!    second dispatcher queues nothing more.
//! 3. Each waiting message whose time has come, inside the debtor's contact hours, and whose
//!    transport is configured is claimed (`sending`, committed) after the checks that it may
//!    still go (unpaid, undisputed, no promise, no hold, consent), then sent, then recorded.
//!    A clear temporary failure is retried later with exponential backoff; a recipient refused
//!    for good fails the channel (a bounced contact that the engine's fallback reads).

use channels::{
    Email, GENERIC_BODY, Outcome, SmsConfigError, SmsGateway, SmsPreset, SmtpConfig,
    SmtpConfigError,
};
use documents::catalog::{TemplateKind, builtin};
use documents::pdf::{Letter, letter_pdf};
use domain::contact_policy::ContactPolicy;
use domain::customer::Language;
use formats::dunning_toml::read_policy;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp, ZonedDateTime};
use store::{
    ActionRecord, Claim, FailedContact, Finish, NewOutboxMessage, Store, StoreError, TenantRecord,
};

pub use store::{
    CancelReason, DeliverySettingsRecord as DeliverySettings, OutboxRecord, Resolution,
};

use crate::clock::Clock;
use crate::templates::{TemplateError, asks_for_payment, message_with_portal};

/// A message still `sending` this long after its send began has no dispatcher any more: the
/// transports give up well before (60 s for SMTP, 30 s for SMS).
pub const SENDING_LEASE: SignedDuration = SignedDuration::from_secs(5 * 60);
/// Attempts before a message that keeps failing temporarily is given up.
pub const MAX_ATTEMPTS: u32 = 8;
/// The first retry waits this long; each next one twice as long, up to `MAX_BACKOFF`.
pub const FIRST_BACKOFF: SignedDuration = SignedDuration::from_secs(60);
pub const MAX_BACKOFF: SignedDuration = SignedDuration::from_secs(6 * 3600);
/// An action first seen by the dispatcher this long after its time is not sent: it is
/// cancelled as expired (the daily run has decided later steps since).
pub const EXPIRY: SignedDuration = SignedDuration::from_secs(7 * 24 * 3600);

#[derive(Debug, thiserror::Error)]
pub enum DeliveryError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Template(#[from] TemplateError),
    #[error("message {id} does not exist")]
    UnknownMessage { id: i64 },
    #[error("message {id} is {status}: only a message whose delivery is unknown can be resolved")]
    NotUnknown { id: i64, status: String },
    #[error(transparent)]
    Dunning(#[from] crate::dunning::DunningError),
    #[error(transparent)]
    Settings(#[from] SettingsError),
    #[error("the send thread failed: {0}")]
    Thread(String),
    /// A test message over a transport the saved settings do not describe.
    #[error("no {channel} transport is saved")]
    NotConfigured { channel: &'static str },
    /// A test message that did not leave: the server's or the gateway's answer.
    #[error("the test message was not sent: {0}")]
    TestNotSent(String),
}

/// Delivery settings that cannot work.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SettingsError {
    #[error(transparent)]
    Smtp(#[from] SmtpConfigError),
    #[error(transparent)]
    Sms(#[from] SmsConfigError),
    #[error("an SMTP server is set but not the sender: set RELANCE_SMTP_FROM (or --smtp-from)")]
    NoSender,
    #[error("an SMS preset is set but not its API key: set RELANCE_SMS_KEY (or --sms-key)")]
    NoKey,
}

/// The transports the settings describe (an SMTP server when `smtp_url` is set, an SMS
/// gateway when `sms_url` or `sms_preset` is), checked.
pub fn transports_from(settings: &DeliverySettings) -> Result<Transports, SettingsError> {
    let smtp = match &settings.smtp_url {
        None => None,
        Some(url) => {
            let from = settings
                .smtp_from
                .as_deref()
                .ok_or(SettingsError::NoSender)?;
            Some(SmtpConfig::parse(
                url,
                from,
                settings.smtp_reply_to.as_deref(),
            )?)
        }
    };
    let sender = settings.sms_sender.as_deref().unwrap_or("Relance");
    let sms = match (&settings.sms_preset, &settings.sms_url) {
        (Some(name), url) => {
            let preset = SmsPreset::parse(name)
                .ok_or_else(|| SmsConfigError::Preset { name: name.clone() })?;
            let key = settings.sms_key.as_deref().ok_or(SettingsError::NoKey)?;
            let mut gateway = SmsGateway::preset(preset, key, sender)?;
            if let Some(url) = url {
                gateway.url = url.clone();
            }
            Some(gateway)
        }
        (None, Some(url)) => Some(SmsGateway::new(
            url,
            settings.sms_auth.as_deref(),
            settings.sms_body.as_deref().unwrap_or(GENERIC_BODY),
            sender,
        )?),
        (None, None) => None,
    };
    Ok(Transports {
        smtp,
        sms,
        abort_after_send: false,
    })
}

/// The settings in force: for each transport, the one given now (environment, command line)
/// when it names a server, else the tenant's saved one.
pub fn merged(saved: &DeliverySettings, given: &DeliverySettings) -> DeliverySettings {
    let smtp = if given.smtp_url.is_some() {
        given
    } else {
        saved
    };
    let sms = if given.sms_url.is_some() || given.sms_preset.is_some() {
        given
    } else {
        saved
    };
    DeliverySettings {
        smtp_url: smtp.smtp_url.clone(),
        smtp_from: smtp.smtp_from.clone(),
        smtp_reply_to: smtp.smtp_reply_to.clone(),
        sms_url: sms.sms_url.clone(),
        sms_auth: sms.sms_auth.clone(),
        sms_body: sms.sms_body.clone(),
        sms_sender: sms.sms_sender.clone(),
        sms_preset: sms.sms_preset.clone(),
        sms_key: sms.sms_key.clone(),
    }
}

/// The tenant's saved delivery settings.
pub async fn settings(
    store: &Store,
    tenant: &TenantRecord,
) -> Result<DeliverySettings, DeliveryError> {
    Ok(store.tenant(tenant.id).delivery_settings().await?)
}

/// Changes the tenant's delivery settings: a field given replaces the saved one (an empty
/// text removes it), the others stay. The result is checked as a whole before anything is
/// saved, so settings that cannot work are refused.
pub async fn save_settings(
    store: &Store,
    tenant: &TenantRecord,
    clock: Clock,
    changes: &DeliverySettings,
) -> Result<DeliverySettings, DeliveryError> {
    let saved = settings(store, tenant).await?;
    let pick = |change: &Option<String>, old: &Option<String>| match change {
        Some(text) if text.trim().is_empty() => None,
        Some(text) => Some(text.trim().to_owned()),
        None => old.clone(),
    };
    let next = DeliverySettings {
        smtp_url: pick(&changes.smtp_url, &saved.smtp_url),
        smtp_from: pick(&changes.smtp_from, &saved.smtp_from),
        smtp_reply_to: pick(&changes.smtp_reply_to, &saved.smtp_reply_to),
        sms_url: pick(&changes.sms_url, &saved.sms_url),
        sms_auth: pick(&changes.sms_auth, &saved.sms_auth),
        sms_body: pick(&changes.sms_body, &saved.sms_body),
        sms_sender: pick(&changes.sms_sender, &saved.sms_sender),
        sms_preset: pick(&changes.sms_preset, &saved.sms_preset),
        sms_key: pick(&changes.sms_key, &saved.sms_key),
    };
    transports_from(&next)?;
    store
        .tenant(tenant.id)
        .save_delivery_settings(&next, clock.now())
        .await?;
    Ok(next)
}

/// The transports a dispatch uses: the settings given now merged with the tenant's.
pub async fn transports(
    store: &Store,
    tenant: &TenantRecord,
    given: &DeliverySettings,
) -> Result<Transports, DeliveryError> {
    let saved = settings(store, tenant).await?;
    Ok(transports_from(&merged(&saved, given))?)
}

/// The transports the dispatcher may use; a missing one leaves its messages waiting.
#[derive(Debug, Clone, Default)]
pub struct Transports {
    pub smtp: Option<SmtpConfig>,
    pub sms: Option<SmsGateway>,
    /// Test hook: stop the process right after a send, before its result is recorded, as a
    /// crash would (`RELANCE_TEST_ABORT_AFTER_SEND`).
    pub abort_after_send: bool,
}

/// The wait before attempt `attempts + 1`, after `attempts` failed ones.
pub fn backoff(attempts: u32) -> SignedDuration {
    let doublings = attempts.saturating_sub(1).min(16);
    let wait = FIRST_BACKOFF
        .checked_mul(1_i32 << doublings)
        .unwrap_or(MAX_BACKOFF);
    wait.min(MAX_BACKOFF)
}

/// An action that could not become a message, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotQueued {
    pub action: i64,
    pub customer_ref: String,
    pub reason: String,
}

/// One message's fate in a pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageEvent {
    pub message: i64,
    pub customer_ref: String,
    pub channel: String,
    pub recipient: String,
    pub event: Event,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    Sent,
    Retry { at: Timestamp, error: String },
    Failed { error: String, channel_failed: bool },
    Unknown { error: String },
    NotSent { error: String },
    Cancelled(CancelReason),
}

/// What one pass did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DispatchReport {
    /// Messages found in `sending` from a stopped dispatcher, now `delivery_unknown`.
    pub became_unknown: Vec<i64>,
    pub queued: usize,
    pub not_queued: Vec<NotQueued>,
    pub events: Vec<MessageEvent>,
    /// Due, but outside the debtor's contact hours now.
    pub outside_hours: usize,
    /// Waiting for a retry time still to come.
    pub waiting_retry: usize,
    /// Waiting because no SMTP server, or no SMS gateway, is configured.
    pub waiting_no_smtp: usize,
    pub waiting_no_sms: usize,
    /// Not tried because their transport refused an earlier message of the pass for a reason
    /// of ours (credentials, TLS).
    pub waiting_unusable: usize,
    /// Taken by another dispatcher meanwhile.
    pub taken: usize,
}

impl DispatchReport {
    pub fn sent(&self) -> usize {
        self.events
            .iter()
            .filter(|event| event.event == Event::Sent)
            .count()
    }
}

/// One dispatcher pass at `clock`'s time.
pub async fn dispatch(
    store: &Store,
    tenant: &TenantRecord,
    clock: Clock,
    transports: &Transports,
) -> Result<DispatchReport, DeliveryError> {
    let now = clock.now();
    let handle = store.tenant(tenant.id);
    let mut report = DispatchReport {
        became_unknown: handle
            .stale_sending_to_unknown(now - SENDING_LEASE, now)
            .await?,
        ..DispatchReport::default()
    };
    let domain = message_domain(transports.smtp.as_ref());
    queue_due_actions(store, tenant, clock, &domain, &mut report).await?;
    let rules = crate::dunning::rules(store, tenant).await?;
    // A channel whose transport turned out unusable (credentials, TLS) is not tried again
    // for every other message of the pass.
    let mut unusable: Vec<String> = Vec::new();
    for waiting in handle.outbox_waiting().await? {
        if unusable.contains(&waiting.channel) {
            report.waiting_unusable += 1;
            continue;
        }
        if waiting
            .next_attempt_at
            .is_some_and(|at| at > now && waiting.status == "failed_temporary")
        {
            report.waiting_retry += 1;
            continue;
        }
        let configured = match waiting.channel.as_str() {
            "email" => transports.smtp.is_some(),
            _ => transports.sms.is_some(),
        };
        if !configured {
            match waiting.channel.as_str() {
                "email" => report.waiting_no_smtp += 1,
                _ => report.waiting_no_sms += 1,
            }
            continue;
        }
        let policy = customer_policy(store, tenant, &waiting, &rules.policy).await?;
        let zone = debtor_zone(store, tenant, &waiting).await?;
        let local = now.to_zoned_datetime(zone);
        if !policy.hours.is_open(&local) {
            report.outside_hours += 1;
            continue;
        }
        let channel = waiting.channel.clone();
        let before = report.events.len();
        send_one(
            store,
            tenant,
            clock,
            transports,
            waiting,
            &local,
            &mut report,
        )
        .await?;
        if report.events[before..]
            .iter()
            .any(|event| matches!(event.event, Event::NotSent { .. }))
        {
            unusable.push(channel);
        }
    }
    Ok(report)
}

async fn customer_policy(
    store: &Store,
    tenant: &TenantRecord,
    message: &OutboxRecord,
    default: &ContactPolicy,
) -> Result<ContactPolicy, DeliveryError> {
    Ok(
        match store
            .tenant(tenant.id)
            .contact_policy(Some(message.customer))
            .await?
        {
            // An override that no longer reads leaves the tenant's policy in force.
            Some(text) => read_policy(&text).unwrap_or_else(|_| default.clone()),
            None => default.clone(),
        },
    )
}

async fn debtor_zone(
    store: &Store,
    tenant: &TenantRecord,
    message: &OutboxRecord,
) -> Result<TimeZone, DeliveryError> {
    let details = store
        .tenant(tenant.id)
        .customer_details(message.customer)
        .await?;
    let creditor = TimeZone::get(tenant.profile.time_zone.as_str()).unwrap_or(TimeZone::UTC);
    Ok(details
        .settings
        .time_zone
        .as_deref()
        .and_then(|name| TimeZone::get(name).ok())
        .unwrap_or(creditor))
}

/// Renders and queues every scheduled e-mail and SMS action whose time has come.
async fn queue_due_actions(
    store: &Store,
    tenant: &TenantRecord,
    clock: Clock,
    domain: &str,
    report: &mut DispatchReport,
) -> Result<(), DeliveryError> {
    let now = clock.now();
    let handle = store.tenant(tenant.id);
    for action in handle.actions_without_message().await? {
        let scheduled = action
            .scheduled_at
            .parse::<ZonedDateTime>()
            .map(|at| at.timestamp())
            .unwrap_or(now);
        if scheduled > now {
            continue;
        }
        let id = action.id;
        let customer_ref = action.customer_ref.clone();
        let rendered = if now.duration_since(scheduled) > EXPIRY {
            // Days of reminders never dispatched (a simulation, a server down for a week)
            // must not all reach the debtor at once: the engine has moved on since.
            Err(format!(
                "expired: its time ({}) is more than {} days past",
                action.scheduled_at,
                EXPIRY.as_hours() / 24
            ))
        } else {
            render(store, tenant, clock, action).await?
        };
        match rendered {
            Ok(mut message) => {
                message.message_id = message_id(tenant, id, &message.channel, domain);
                if handle.enqueue(&message, now).await?.is_some() {
                    report.queued += 1;
                }
            }
            Err(reason) => {
                // Nothing to send (all paid, no address, no SMS text): the action is closed
                // with the reason, so the timeline says why nothing went.
                handle
                    .set_action_status(
                        id,
                        &["scheduled"],
                        "cancelled",
                        Some(&format!("not sent: {reason}")),
                    )
                    .await?;
                report.not_queued.push(NotQueued {
                    action: id,
                    customer_ref,
                    reason,
                });
            }
        }
    }
    Ok(())
}

/// The domain of the Message-ID: the sender's, else `relance.invalid`.
fn message_domain(smtp: Option<&SmtpConfig>) -> String {
    smtp.map(|smtp| smtp.from.email.domain().to_owned())
        .unwrap_or_else(|| "relance.invalid".to_owned())
}

/// A stable Message-ID: derived from the tenant, the action and the channel only, so the same
/// message always carries the same one (a resent copy is recognisable as the same message).
pub fn message_id(tenant: &TenantRecord, action: i64, channel: &str, domain: &str) -> String {
    format!("relance.{}.{action}.{channel}@{domain}", tenant.id.0)
}

/// The message of an action, or why there is none (in English, for the action's note).
async fn render(
    store: &Store,
    tenant: &TenantRecord,
    clock: Clock,
    action: ActionRecord,
) -> Result<Result<NewOutboxMessage, String>, DeliveryError> {
    let today = clock.today_in(tenant.profile.time_zone.as_str());
    let details = store
        .tenant(tenant.id)
        .customer_details(action.customer)
        .await?;
    let channel = action.channel.clone();
    let recipient = match channel.as_str() {
        "email" => details.settings.email.clone(),
        _ => details.settings.phone.clone(),
    };
    let Some(recipient) = recipient else {
        return Ok(Err(format!(
            "the customer has no {}",
            address_name(&channel)
        )));
    };
    let action_id = action.id;
    let template = action.template.clone();
    let portal_url = crate::portal::message_url(store, tenant, clock, action.customer).await?;
    let document = match message_with_portal(store, tenant, action, today, portal_url).await {
        Ok(document) => document,
        Err(TemplateError::NothingOwed { .. }) => {
            return Ok(Err("nothing is owed any more".to_owned()));
        }
        Err(
            error @ (TemplateError::Render(_)
            | TemplateError::Context(_)
            | TemplateError::NoFact { .. }
            | TemplateError::StoredInvalid { .. }
            | TemplateError::UnknownTemplate { .. }),
        ) => return Ok(Err(error.to_string())),
        Err(error) => return Err(error.into()),
    };
    let rendered = &document.rendered;
    let sms_text = match (&rendered.sms, channel.as_str()) {
        (Some(sms), _) => Some(sms.text.clone()),
        (None, "sms") => {
            return Ok(Err(format!("the template {template} has no SMS part")));
        }
        (None, _) => None,
    };
    let letter_like =
        builtin(&template).is_some_and(|builtin| builtin.kind == TemplateKind::Letter);
    let (attachment_name, attachment) = if channel == "email" && letter_like {
        let pdf = letter_pdf(&Letter {
            rendered: &document.rendered,
            context: &document.context,
        })
        .map_err(TemplateError::from)?;
        (
            Some(format!(
                "{}-{}.pdf",
                template.replace('_', "-"),
                file_safe(&document.action.customer_ref)
            )),
            Some(pdf),
        )
    } else {
        (None, None)
    };
    let claimed_minor = if asks_for_payment(&template) {
        let owed: i64 = store
            .tenant(tenant.id)
            .invoices(&store::InvoiceFilter {
                customer: Some(details.reference.clone()),
                overdue_on: None,
            })
            .await?
            .iter()
            .filter(|invoice| document.action.invoice_ids.contains(&invoice.id))
            .map(|invoice| invoice.outstanding.minor())
            .sum();
        owed
    } else {
        0
    };
    Ok(Ok(NewOutboxMessage {
        action: action_id,
        customer: document.action.customer,
        channel: channel.clone(),
        message_id: String::new(),
        recipient,
        language: rendered.language.code().to_owned(),
        subject: rendered.subject.clone(),
        body_text: rendered.text.clone(),
        body_html: Some(rendered.html.clone()),
        sms_text,
        attachment_name,
        attachment,
        claimed_minor,
    }))
}

fn file_safe(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect()
}

fn address_name(channel: &str) -> &'static str {
    match channel {
        "email" => "e-mail address",
        _ => "mobile phone number",
    }
}

#[allow(clippy::too_many_arguments)]
async fn send_one(
    store: &Store,
    tenant: &TenantRecord,
    clock: Clock,
    transports: &Transports,
    waiting: OutboxRecord,
    local: &ZonedDateTime,
    report: &mut DispatchReport,
) -> Result<(), DeliveryError> {
    let now = clock.now();
    let today = clock.today_in(tenant.profile.time_zone.as_str());
    let handle = store.tenant(tenant.id);
    let mut message = handle.outbox_message(waiting.id).await?;
    let mut claim = handle.claim(&message, today, now).await?;
    if claim == Claim::Changed {
        // What is owed or the address changed since the message was written: write it again
        // from today's facts, then check once more.
        let action = handle.action(message.action).await?;
        match render(store, tenant, clock, action).await? {
            Ok(mut fresh) => {
                fresh.message_id = message.message_id.clone();
                handle.rewrite_message(message.id, &fresh, now).await?;
                message = handle.outbox_message(message.id).await?;
                claim = handle.claim(&message, today, now).await?;
            }
            Err(_) => claim = Claim::Taken,
        }
    }
    let event = |event| MessageEvent {
        message: message.id,
        customer_ref: message.customer_ref.clone(),
        channel: message.channel.clone(),
        recipient: message.recipient.clone(),
        event,
    };
    match claim {
        Claim::Claimed => {}
        Claim::Taken | Claim::Changed => {
            report.taken += 1;
            return Ok(());
        }
        Claim::Cancelled(reason) => {
            report.events.push(event(Event::Cancelled(reason)));
            return Ok(());
        }
    }
    let outcome = transmit(transports, &message).await?;
    if transports.abort_after_send {
        std::process::abort();
    }
    let channel_code = if message.channel == "email" {
        "email"
    } else {
        "sms"
    };
    let (finish, happened) = match outcome {
        Outcome::Sent { reply } => (
            Finish::Sent {
                note: format!(
                    "{} sent to {} at {} (message {}, {}; {})",
                    if message.channel == "email" {
                        "e-mail"
                    } else {
                        "SMS"
                    },
                    message.recipient,
                    local.strftime("%Y-%m-%d %H:%M %Z"),
                    message.id,
                    message.message_id,
                    reply.trim()
                ),
            },
            Event::Sent,
        ),
        // `message` was read before the claim counted this attempt.
        Outcome::Temporary { error } if message.attempts + 1 < MAX_ATTEMPTS => {
            let at = now + backoff(message.attempts + 1);
            (
                Finish::Retry {
                    error: error.clone(),
                    next_attempt_at: at,
                },
                Event::Retry { at, error },
            )
        }
        Outcome::Temporary { error } => {
            let error = format!("gave up after {} attempts: {error}", message.attempts + 1);
            (
                Finish::Failed {
                    error: error.clone(),
                    contact: None,
                },
                Event::Failed {
                    error,
                    channel_failed: false,
                },
            )
        }
        Outcome::Refused { error } => (
            Finish::Failed {
                error: error.clone(),
                contact: Some(FailedContact {
                    channel: channel_code,
                    outcome: if channel_code == "email" {
                        "bounced"
                    } else {
                        "wrong-number"
                    },
                    on: local.date(),
                }),
            },
            Event::Failed {
                error,
                channel_failed: true,
            },
        ),
        Outcome::Failed { error } => (
            Finish::Failed {
                error: error.clone(),
                contact: None,
            },
            Event::Failed {
                error,
                channel_failed: false,
            },
        ),
        Outcome::NotSent { error } => (
            Finish::NotSent {
                error: error.clone(),
            },
            Event::NotSent { error },
        ),
        Outcome::Unknown { error } => (
            Finish::Unknown {
                error: error.clone(),
            },
            Event::Unknown { error },
        ),
    };
    handle.finish(&message, &finish, now).await?;
    report.events.push(event(happened));
    Ok(())
}

/// The network call, on a blocking thread.
async fn transmit(
    transports: &Transports,
    message: &OutboxRecord,
) -> Result<Outcome, DeliveryError> {
    let message = message.clone();
    let transports = transports.clone();
    tokio::task::spawn_blocking(move || match message.channel.as_str() {
        "email" => {
            let smtp = transports.smtp.as_ref().expect("checked before claiming");
            channels::send_email(
                smtp,
                &Email {
                    message_id: message.message_id.clone(),
                    to: message.recipient.clone(),
                    // The address alone: a name read now could differ from the rendered one.
                    to_name: String::new(),
                    reply_to: None,
                    subject: message.subject.clone(),
                    text: message.body_text.clone(),
                    html: message.body_html.clone(),
                    attachment: message
                        .attachment_name
                        .clone()
                        .zip(message.attachment.clone()),
                },
            )
        }
        _ => {
            let gateway = transports.sms.as_ref().expect("checked before claiming");
            let text = message.sms_text.as_deref().unwrap_or(&message.body_text);
            channels::send_sms(gateway, &message.recipient, text)
        }
    })
    .await
    .map_err(|error| DeliveryError::Thread(error.to_string()))
}

/// Messages, oldest first, with this status or all.
pub async fn list(
    store: &Store,
    tenant: &TenantRecord,
    status: Option<&str>,
) -> Result<Vec<OutboxRecord>, DeliveryError> {
    Ok(store.tenant(tenant.id).outbox(status).await?)
}

/// One message with its content and attachment.
pub async fn show(
    store: &Store,
    tenant: &TenantRecord,
    id: i64,
) -> Result<OutboxRecord, DeliveryError> {
    match store.tenant(tenant.id).outbox_message(id).await {
        Ok(message) => Ok(message),
        Err(StoreError::NotFound { .. }) => Err(DeliveryError::UnknownMessage { id }),
        Err(error) => Err(error.into()),
    }
}

/// A person's decision about a message whose delivery is unknown.
pub async fn resolve(
    store: &Store,
    tenant: &TenantRecord,
    clock: Clock,
    id: i64,
    resolution: Resolution,
    language: Language,
) -> Result<(), DeliveryError> {
    let message = show(store, tenant, id).await?;
    let note = match (resolution, language) {
        (Resolution::Sent, Language::French) => {
            format!(
                "envoi confirmé à la main (message {id}, {})",
                message.message_id
            )
        }
        (Resolution::Sent, Language::English) => {
            format!(
                "delivery confirmed by hand (message {id}, {})",
                message.message_id
            )
        }
        (Resolution::Resend, Language::French) => "à renvoyer (décision manuelle)".to_owned(),
        (Resolution::Resend, Language::English) => "to be sent again (decided by hand)".to_owned(),
        (Resolution::Cancel, Language::French) => "annulé à la main".to_owned(),
        (Resolution::Cancel, Language::English) => "cancelled by hand".to_owned(),
    };
    if !store
        .tenant(tenant.id)
        .resolve_message(id, resolution, &note, clock.now())
        .await?
    {
        return Err(DeliveryError::NotUnknown {
            id,
            status: message.status,
        });
    }
    Ok(())
}

/// One dispatch pass over every creditor of the installation, each with its own saved
/// transports merged with `given` (what the environment or the command line says): what
/// `relance serve` runs every minute. A creditor whose settings cannot work is reported, the
/// others still go.
pub async fn dispatch_all(
    store: &Store,
    clock: Clock,
    given: &DeliverySettings,
) -> Result<Vec<(TenantRecord, Result<DispatchReport, DeliveryError>)>, DeliveryError> {
    let mut reports = Vec::new();
    for tenant in store.tenants().await? {
        let report = match transports(store, &tenant, given).await {
            Ok(transports) => dispatch(store, &tenant, clock, &transports).await,
            Err(error) => Err(error),
        };
        reports.push((tenant, report));
    }
    Ok(reports)
}

/// What a bounce notice did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BounceOutcome {
    /// The message failed after all: the e-mail channel is marked failed for the customer and
    /// the next step takes another channel.
    Recorded {
        message: i64,
        customer_ref: String,
        recipient: String,
    },
    /// A delay notice: the server is still trying; nothing changes.
    Delayed,
    /// Already recorded, or the message is not one that was sent.
    AlreadyKnown { message: i64 },
    /// No status could be read: a person should look at it.
    Unclear,
    /// It names no message of this creditor.
    NotOurs,
}

/// Reads bounce notices (raw messages as a mail server returned them) and records each
/// permanent failure on the message it names. Reading the same notice twice records it once.
pub async fn record_bounces(
    store: &Store,
    tenant: &TenantRecord,
    clock: Clock,
    notices: &[Vec<u8>],
) -> Result<Vec<BounceOutcome>, DeliveryError> {
    let handle = store.tenant(tenant.id);
    let today = clock.today_in(tenant.profile.time_zone.as_str());
    let prefix = format!("relance.{}.", tenant.id.0);
    let mut outcomes = Vec::with_capacity(notices.len());
    for raw in notices {
        let notice = formats::bounce::read_bounce(raw);
        let mut ours = None;
        for id in notice
            .message_ids
            .iter()
            .filter(|id| id.starts_with(&prefix))
        {
            if let Some(message) = handle.message_with_id(id).await? {
                ours = Some(message);
                break;
            }
        }
        let Some(message) = ours else {
            outcomes.push(BounceOutcome::NotOurs);
            continue;
        };
        let outcome = match notice.kind {
            formats::bounce::BounceKind::Delayed => BounceOutcome::Delayed,
            formats::bounce::BounceKind::Unclear => BounceOutcome::Unclear,
            formats::bounce::BounceKind::Permanent => {
                let error = format!(
                    "bounced{}{}",
                    notice
                        .status
                        .as_deref()
                        .map(|status| format!(" ({status})"))
                        .unwrap_or_default(),
                    notice
                        .recipient
                        .as_deref()
                        .map(|to| format!(": {to}"))
                        .unwrap_or_default()
                );
                if handle.bounce(&message, &error, today, clock.now()).await? {
                    BounceOutcome::Recorded {
                        message: message.id,
                        customer_ref: message.customer_ref.clone(),
                        recipient: message.recipient.clone(),
                    }
                } else {
                    BounceOutcome::AlreadyKnown {
                        message: message.id,
                    }
                }
            }
        };
        outcomes.push(outcome);
    }
    Ok(outcomes)
}

/// Why a message was cancelled, in words.
pub fn describe_cancel(reason: CancelReason, language: Language) -> &'static str {
    match (reason, language) {
        (CancelReason::Paid, Language::French) => "les factures sont payées",
        (CancelReason::Paid, Language::English) => "the invoices are paid",
        (CancelReason::Disputed, Language::French) => "une facture est contestée",
        (CancelReason::Disputed, Language::English) => "an invoice is disputed",
        (CancelReason::Promised, Language::French) => "une promesse de paiement est en cours",
        (CancelReason::Promised, Language::English) => "a promise to pay is pending",
        (CancelReason::OnHold, Language::French) => "le dossier est suspendu",
        (CancelReason::OnHold, Language::English) => "the case is on hold",
        (CancelReason::InPlan, Language::French) => "les factures sont couvertes par un échéancier",
        (CancelReason::InPlan, Language::English) => "the invoices are covered by a payment plan",
        (CancelReason::NoConsent, Language::French) => "le canal n'est plus autorisé",
        (CancelReason::NoConsent, Language::English) => "the channel is no longer consented",
        (CancelReason::Withdrawn, Language::French) => "l'action a été retirée",
        (CancelReason::Withdrawn, Language::English) => "the action was withdrawn",
        (CancelReason::ByHand, Language::French) => "annulé à la main",
        (CancelReason::ByHand, Language::English) => "cancelled by hand",
    }
}

/// Where a test message goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestMessage<'a> {
    Email { to: &'a str },
    Sms { to: &'a str },
}

/// Sends a short test message with the tenant's saved settings, to check them; returns the
/// server's or gateway's reply. It is no customer's message: nothing is queued or recorded.
pub async fn send_test(
    store: &Store,
    tenant: &TenantRecord,
    clock: Clock,
    message: TestMessage<'_>,
    language: Language,
) -> Result<String, DeliveryError> {
    let transports = transports_from(&settings(store, tenant).await?)?;
    let company = &tenant.profile.company_name;
    let text = match language {
        Language::French => format!(
            "Message d'essai de Relance pour {company} : les réglages d'envoi fonctionnent."
        ),
        Language::English => {
            format!("Relance test message for {company}: the delivery settings work.")
        }
    };
    let outcome = match message {
        TestMessage::Email { to } => {
            let smtp = transports
                .smtp
                .ok_or(DeliveryError::NotConfigured { channel: "email" })?;
            let email = Email {
                message_id: format!(
                    "relance.{}.test.{}@{}",
                    tenant.id.0,
                    clock.now().as_millisecond(),
                    message_domain(Some(&smtp))
                ),
                to: to.trim().to_owned(),
                to_name: String::new(),
                reply_to: None,
                subject: text.clone(),
                text,
                html: None,
                attachment: None,
            };
            tokio::task::spawn_blocking(move || channels::send_email(&smtp, &email)).await
        }
        TestMessage::Sms { to } => {
            let gateway = transports
                .sms
                .ok_or(DeliveryError::NotConfigured { channel: "sms" })?;
            let to = to.trim().to_owned();
            tokio::task::spawn_blocking(move || channels::send_sms(&gateway, &to, &text)).await
        }
    }
    .map_err(|error| DeliveryError::Thread(error.to_string()))?;
    match outcome {
        Outcome::Sent { reply } => Ok(reply),
        Outcome::Temporary { error }
        | Outcome::Refused { error }
        | Outcome::Failed { error }
        | Outcome::NotSent { error }
        | Outcome::Unknown { error } => Err(DeliveryError::TestNotSent(error)),
    }
}
