//! The debtor portal: a personal link per customer, and what the debtor may do with it.
//!
//! A link's secret is 32 random bytes from the operating system, in the address given to the
//! debtor once and stored only as its SHA-256 (as sessions are, `accounts`). It expires
//! (`LINK_DAYS` unless the creditor set another) and a collector can revoke every link of a customer. What the
//! debtor chooses goes through the same use cases as a collector's (`dunning::add_promise`,
//! `dunning::open_dispute`, `plans::propose`), so dunning pauses or adjusts the same way, and
//! each choice is kept as a portal event for the staff timeline.

use domain::customer::CustomerRef;
use domain::ids::CustomerId;
use jiff::ToSpan;
use jiff::civil::Date;
pub use store::PortalEventRecord;
use store::{Store, StoreError, TenantRecord};

use crate::accounts::{digest, random_hex};
use crate::clock::Clock;
use crate::dunning::DunningError;
use crate::plans::{PlanError, PlanRequest, PlanView, SplitRequest};
use crate::setup::select_tenant;

/// How long a new link lasts, unless the creditor says otherwise.
pub const LINK_DAYS: u32 = 60;
/// How far ahead a debtor may promise to pay on the portal (further needs a collector), unless
/// the creditor says otherwise.
pub const PROMISE_MAX_DAYS: u32 = 30;

/// A creditor's portal settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PortalSettings {
    pub link_days: u32,
    pub promise_max_days: u32,
}

impl Default for PortalSettings {
    fn default() -> PortalSettings {
        PortalSettings {
            link_days: LINK_DAYS,
            promise_max_days: PROMISE_MAX_DAYS,
        }
    }
}

pub async fn settings(store: &Store, tenant: &TenantRecord) -> Result<PortalSettings, StoreError> {
    Ok(match store.tenant(tenant.id).portal_settings().await? {
        Some((link_days, promise_max_days)) => PortalSettings {
            link_days: u32::try_from(link_days).unwrap_or(LINK_DAYS),
            promise_max_days: u32::try_from(promise_max_days).unwrap_or(PROMISE_MAX_DAYS),
        },
        None => PortalSettings::default(),
    })
}

/// Changes the creditor's settings (`None`: unchanged); a link lives a day at least, a promise
/// may be a day ahead at least; neither more than a year.
pub async fn set_settings(
    store: &Store,
    tenant: &TenantRecord,
    clock: Clock,
    link_days: Option<u32>,
    promise_max_days: Option<u32>,
) -> Result<PortalSettings, PortalError> {
    let mut current = settings(store, tenant).await?;
    for (name, value) in [("link days", link_days), ("promise days", promise_max_days)] {
        if let Some(value) = value
            && !(1..=366).contains(&value)
        {
            return Err(PortalError::Invalid(format!(
                "{name}: {value} is not between 1 and 366"
            )));
        }
    }
    current.link_days = link_days.unwrap_or(current.link_days);
    current.promise_max_days = promise_max_days.unwrap_or(current.promise_max_days);
    store
        .tenant(tenant.id)
        .save_portal_settings(
            i64::from(current.link_days),
            i64::from(current.promise_max_days),
            clock.now(),
        )
        .await?;
    Ok(current)
}
/// The address of the portal when none is configured.
pub const DEFAULT_BASE_URL: &str = "http://127.0.0.1:8080";

#[derive(Debug, thiserror::Error)]
pub enum PortalError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("unknown customer {reference}")]
    UnknownCustomer { reference: String },
    #[error("a link lasts at least one day")]
    NoDays,
    #[error("the random secret could not be made: {0}")]
    Randomness(String),
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Dunning(#[from] DunningError),
    #[error(transparent)]
    Plan(#[from] PlanError),
}

/// A new link: the secret, shown once, and when it stops working.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewLink {
    pub secret: String,
    pub expires_on: Date,
}

impl NewLink {
    /// The page's address under `base` (`RELANCE_PUBLIC_URL`, or the server's address).
    pub fn url(&self, base: &str) -> String {
        format!("{}/p/{}", base.trim_end_matches('/'), self.secret)
    }
}

/// Who a live link lets in: one customer of one creditor, nothing else.
#[derive(Debug, Clone)]
pub struct PortalAccess {
    pub tenant: TenantRecord,
    pub customer: CustomerId,
    pub customer_ref: CustomerRef,
}

/// What a link opens.
#[derive(Debug, Clone)]
pub enum Opened {
    Live(Box<PortalAccess>),
    /// Expired or revoked: the page says so and shows nothing else.
    Gone,
    Unknown,
}

async fn customer(
    store: &Store,
    tenant: &TenantRecord,
    reference: &str,
) -> Result<CustomerId, PortalError> {
    let unknown = || PortalError::UnknownCustomer {
        reference: reference.trim().to_owned(),
    };
    let parsed = CustomerRef::parse(reference).map_err(|_| unknown())?;
    match store.tenant(tenant.id).customer_id(&parsed).await {
        Ok(id) => Ok(id),
        Err(StoreError::NotFound { .. }) => Err(unknown()),
        Err(error) => Err(error.into()),
    }
}

/// Issues a new link to `reference`'s page, valid for `days` (default: the creditor's setting).
/// Links given before stay valid until they expire or are revoked: messages already sent carry
/// them.
pub async fn issue_link(
    store: &Store,
    tenant: &TenantRecord,
    clock: Clock,
    reference: &str,
    days: Option<u32>,
) -> Result<NewLink, PortalError> {
    let days = match days {
        Some(days) => days,
        None => settings(store, tenant).await?.link_days,
    };
    if days == 0 {
        return Err(PortalError::NoDays);
    }
    let id = customer(store, tenant, reference).await?;
    let secret = random_hex().map_err(|error| PortalError::Randomness(error.to_string()))?;
    let now = clock.now();
    let expires_at = now.as_second() + i64::from(days) * 86_400;
    store
        .tenant(tenant.id)
        .create_portal_link(id, &digest(&secret), now, expires_at)
        .await?;
    let today = clock.today_in(tenant.profile.time_zone.as_str());
    let expires_on = today
        .checked_add(i64::from(days).days())
        .map_err(|error| PortalError::Invalid(error.to_string()))?;
    Ok(NewLink { secret, expires_on })
}

/// The portal's public address: `RELANCE_PUBLIC_URL`, else `DEFAULT_BASE_URL`.
pub fn public_base_url() -> String {
    std::env::var("RELANCE_PUBLIC_URL")
        .ok()
        .filter(|url| !url.trim().is_empty())
        .unwrap_or_else(|| DEFAULT_BASE_URL.to_owned())
}

/// The portal address a message sent to `customer` carries (`portal.url`): a new link of its
/// own, issued only for a customer who already has a live one (the portal is opt-in, customer
/// by customer, through `issue_link`). Each message gets its own link, so revoking closes them
/// all and none outlives its expiry.
pub async fn message_url(
    store: &Store,
    tenant: &TenantRecord,
    clock: Clock,
    customer: CustomerId,
) -> Result<Option<String>, StoreError> {
    let handle = store.tenant(tenant.id);
    let now = clock.now();
    if !handle
        .has_live_portal_link(customer, now.as_second())
        .await?
    {
        return Ok(None);
    }
    // Without randomness the message goes without its link rather than not at all.
    let Ok(secret) = random_hex() else {
        return Ok(None);
    };
    let days = settings(store, tenant).await?.link_days;
    let expires_at = now.as_second() + i64::from(days) * 86_400;
    handle
        .create_portal_link(customer, &digest(&secret), now, expires_at)
        .await?;
    let link = NewLink {
        secret,
        expires_on: clock.today_in(tenant.profile.time_zone.as_str()),
    };
    Ok(Some(link.url(&public_base_url())))
}

/// Revokes every link of `reference`; returns how many were live.
pub async fn revoke(
    store: &Store,
    tenant: &TenantRecord,
    clock: Clock,
    reference: &str,
) -> Result<u64, PortalError> {
    let id = customer(store, tenant, reference).await?;
    Ok(store
        .tenant(tenant.id)
        .revoke_portal_links(id, clock.now())
        .await?)
}

/// The customer a link's secret opens, if it is live.
pub async fn open(store: &Store, clock: Clock, secret: &str) -> Result<Opened, PortalError> {
    // Only what a secret made here can look like reaches the database.
    if secret.len() != 64 || !secret.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(Opened::Unknown);
    }
    let Some(link) = store.portal_link(&digest(secret)).await? else {
        return Ok(Opened::Unknown);
    };
    if link.revoked || link.expires_at <= clock.now().as_second() {
        return Ok(Opened::Gone);
    }
    let tenant = select_tenant(store, Some(link.tenant.0))
        .await
        .map_err(|error| PortalError::Invalid(error.to_string()))?;
    Ok(Opened::Live(Box::new(PortalAccess {
        tenant,
        customer: link.customer,
        customer_ref: link.customer_ref,
    })))
}

/// The last day a debtor may promise on the portal.
pub async fn last_promise_day(
    store: &Store,
    access: &PortalAccess,
    clock: Clock,
) -> Result<Date, StoreError> {
    let days = settings(store, &access.tenant).await?.promise_max_days;
    let today = clock.today_in(access.tenant.profile.time_zone.as_str());
    Ok(today.checked_add(i64::from(days).days()).unwrap_or(today))
}

async fn event(
    store: &Store,
    access: &PortalAccess,
    clock: Clock,
    kind: &str,
    note: &str,
) -> Result<(), PortalError> {
    let today = clock.today_in(access.tenant.profile.time_zone.as_str());
    store
        .tenant(access.tenant.id)
        .add_portal_event(access.customer, kind, note, today, clock.now())
        .await?;
    Ok(())
}

async fn owed(store: &Store, access: &PortalAccess) -> Result<domain::money::Money, PortalError> {
    let currency = access.tenant.profile.currency;
    let minor = store
        .tenant(access.tenant.id)
        .invoices(&store::InvoiceFilter {
            customer: Some(access.customer_ref.clone()),
            overdue_on: None,
        })
        .await?
        .iter()
        .filter(|invoice| invoice.outstanding.currency() == currency)
        .map(|invoice| invoice.outstanding.minor())
        .sum();
    Ok(domain::money::Money::from_minor(minor, currency))
}

/// The debtor promises to pay `amount` (default: everything owed) by `due_on`, at most the
/// creditor's `promise_max_days` ahead. Dunning waits for the date, as after a promise taken by phone.
pub async fn promise(
    store: &Store,
    access: &PortalAccess,
    clock: Clock,
    due_on: Date,
    amount: Option<&str>,
) -> Result<i64, PortalError> {
    let last = last_promise_day(store, access, clock).await?;
    if due_on > last {
        return Err(PortalError::Invalid(format!(
            "the promised date {due_on} is after {last}, the last day the portal accepts"
        )));
    }
    let amount = match amount.map(str::trim).filter(|text| !text.is_empty()) {
        Some(text) => text.replace(',', "."),
        None => owed(store, access).await?.to_decimal_string(),
    };
    let note = format!("portal: promise of {amount} by {due_on}");
    let id = crate::dunning::add_promise(
        store,
        &access.tenant,
        clock,
        access.customer_ref.as_str(),
        &amount,
        due_on,
        "from the debtor portal",
    )
    .await?;
    event(store, access, clock, "promise", &note).await?;
    Ok(id)
}

/// The debtor disputes one of their invoices; dunning of that invoice stops until a collector
/// closes the dispute.
pub async fn dispute(
    store: &Store,
    access: &PortalAccess,
    clock: Clock,
    invoice: &str,
    reason: &str,
    comment: &str,
) -> Result<i64, PortalError> {
    let invoices = store
        .tenant(access.tenant.id)
        .invoices(&store::InvoiceFilter {
            customer: Some(access.customer_ref.clone()),
            overdue_on: None,
        })
        .await?;
    // Another customer's invoice is as unknown as one that does not exist.
    if !invoices
        .iter()
        .any(|known| known.number.as_str() == invoice.trim())
    {
        return Err(PortalError::Invalid(format!(
            "no invoice {:?} on this account",
            invoice.trim()
        )));
    }
    let comment = comment.trim();
    let note = if comment.is_empty() {
        "from the debtor portal".to_owned()
    } else {
        format!("from the debtor portal: {comment}")
    };
    let id =
        crate::dunning::open_dispute(store, &access.tenant, clock, invoice.trim(), reason, &note)
            .await?;
    let summary = format!("portal: dispute of {} ({reason}) {comment}", invoice.trim());
    event(store, access, clock, "dispute", summary.trim_end()).await?;
    Ok(id)
}

/// What became of a plan asked for on the portal.
#[derive(Debug, Clone)]
pub enum PlanAsked {
    /// Within the creditor's limits: a plan is proposed, for the debtor to accept.
    Proposed(Box<PlanView>),
    /// Beyond them: a collector has the request.
    LeftToCollector,
}

/// The debtor asks to pay in `installments` monthly installments, the first in a month.
pub async fn ask_plan(
    store: &Store,
    access: &PortalAccess,
    clock: Clock,
    installments: u32,
) -> Result<PlanAsked, PortalError> {
    if installments < 2 {
        return Err(PortalError::Invalid(
            "a plan has two installments at least".into(),
        ));
    }
    let tenant = &access.tenant;
    let limits = crate::plans::settings(store, tenant).await?.limits;
    let request_note = format!("portal: plan in {installments} monthly installments asked for");
    // Monthly installments from next month: the last comes `installments` months later.
    if installments > limits.max_installments || installments > limits.max_months {
        event(store, access, clock, "plan-request", &request_note).await?;
        return Ok(PlanAsked::LeftToCollector);
    }
    let today = clock.today_in(tenant.profile.time_zone.as_str());
    let first_on = today
        .checked_add(1.month())
        .map_err(|error| PortalError::Invalid(error.to_string()))?;
    let known: Vec<i64> = store
        .tenant(tenant.id)
        .plans(None, Some(access.customer))
        .await?
        .iter()
        .map(|plan| plan.id)
        .collect();
    let view = crate::plans::propose(
        store,
        tenant,
        clock,
        &PlanRequest {
            customer: access.customer_ref.as_str(),
            invoices: &[],
            split: SplitRequest::Installments(installments),
            first_on,
            every: "1m",
            down_payment: None,
            waive_charges: false,
            by: "debtor portal",
        },
    )
    .await?;
    if !view.plan.exceeded.is_empty() {
        crate::plans::cancel(
            store,
            tenant,
            clock,
            view.plan.id,
            "asked for on the debtor portal beyond the limits: left to a collector",
        )
        .await?;
        event(store, access, clock, "plan-request", &request_note).await?;
        return Ok(PlanAsked::LeftToCollector);
    }
    // The same request again gets the plan proposed before, noted once.
    if !known.contains(&view.plan.id) {
        event(
            store,
            access,
            clock,
            "plan",
            &format!(
                "portal: plan {} proposed in {installments} monthly installments",
                view.plan.id
            ),
        )
        .await?;
    }
    Ok(PlanAsked::Proposed(Box::new(view)))
}

/// The debtor accepts one of its proposed plans on the portal (`plans::accept_online` says
/// what is recorded); noted on the staff timeline. Another customer's plan is unknown here.
pub async fn accept_plan(
    store: &Store,
    access: &PortalAccess,
    clock: Clock,
    id: i64,
    acceptance: &crate::plans::OnlineAcceptance<'_>,
) -> Result<crate::plans::PlanView, PortalError> {
    let tenant = &access.tenant;
    let mine = store
        .tenant(tenant.id)
        .plans(None, Some(access.customer))
        .await?
        .iter()
        .any(|plan| plan.id == id);
    if !mine {
        return Err(PlanError::UnknownPlan { id }.into());
    }
    let before = crate::plans::show(store, tenant, clock, id).await?;
    let view = crate::plans::accept_online(store, tenant, clock, id, acceptance).await?;
    if before.plan.status != view.plan.status {
        let note = format!(
            "portal: plan {id} accepted online by {}",
            acceptance.typed_name.trim()
        );
        event(store, access, clock, "plan", &note).await?;
    }
    Ok(view)
}

/// What `reference` did on the portal, oldest first (for the staff timeline).
pub async fn events(
    store: &Store,
    tenant: &TenantRecord,
    reference: &str,
) -> Result<Vec<PortalEventRecord>, PortalError> {
    let id = customer(store, tenant, reference).await?;
    Ok(store.tenant(tenant.id).portal_events(id).await?)
}
