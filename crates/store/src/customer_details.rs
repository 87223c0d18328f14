//! A customer's contact details and dunning settings as a collector completes or corrects them,
//! and the resolution of incidents.
//!
//! Statements are written in PostgreSQL's dialect and converted for SQLite (`?n` placeholders,
//! no casts, dates read as the stored text), like the dunning state's.

use domain::customer::{Channel, ChannelConsent, CustomerKind, CustomerRef, Language};
use domain::identifiers::CountryCode;
use domain::ids::CustomerId;
use domain::scenario::RiskSegment;
use jiff::Timestamp;
use jiff::civil::Date;
use sqlx::Row;

use crate::{Store, StoreError, TenantStore, parse_date, timestamp_text};

/// What a collector may set on a customer, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerSettings {
    pub risk: RiskSegment,
    /// `None`: the creditor's time zone.
    pub time_zone: Option<String>,
    pub language: Language,
    pub preferred: Channel,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub address_line1: String,
    pub address_line2: String,
    pub postal_code: String,
    pub city: String,
    pub country: CountryCode,
    pub consent: ChannelConsent,
    /// `None`: the default scenario for the customer's kind.
    pub scenario: Option<String>,
}

/// A customer with everything a collector can set on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerDetailsRecord {
    pub id: CustomerId,
    pub reference: CustomerRef,
    pub legal_name: String,
    pub kind: CustomerKind,
    pub settings: CustomerSettings,
}

/// An incident with how it ended, if it has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncidentDetail {
    pub id: i64,
    pub note: String,
    pub opened_on: Date,
    pub resolved_on: Option<Date>,
    pub resolution_note: Option<String>,
}

/// The closing of a customer's open incidents.
#[derive(Debug, Clone, Copy)]
pub struct IncidentResolution<'a> {
    pub customer: CustomerId,
    pub on: Date,
    pub note: Option<&'a str>,
    /// The key of the action that proposed the legal route for an incident: a proposal still
    /// awaiting approval is cancelled with the incident, or it would keep the case waiting.
    pub proposal_key: fn(i64) -> String,
    /// Why those proposals were cancelled, in the collector's language.
    pub cancellation_note: &'a str,
}

/// What resolving incidents changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedIncidents {
    pub incidents: Vec<i64>,
    pub proposals_cancelled: u64,
}

fn dialect(store: &Store, sql: &str) -> sqlx::AssertSqlSafe<String> {
    sqlx::AssertSqlSafe(crate::dunning::dialect(store, sql))
}

fn corrupt(customer: CustomerId, what: &str) -> StoreError {
    StoreError::Corrupt {
        what: format!("customer {customer}: {what}"),
    }
}

/// A column value to write; the two backends bind both kinds natively.
enum Value {
    Text(Option<String>),
    Flag(bool),
}

/// The columns whose value differs between `before` and `after`, with the new value.
fn changed_columns(
    before: &CustomerSettings,
    after: &CustomerSettings,
) -> Vec<(&'static str, Value)> {
    let mut columns = Vec::new();
    let mut text = |column, old: Option<&str>, new: Option<&str>| {
        if old != new {
            columns.push((column, Value::Text(new.map(str::to_owned))));
        }
    };
    text(
        "risk_segment",
        Some(before.risk.code()),
        Some(after.risk.code()),
    );
    text(
        "time_zone",
        before.time_zone.as_deref(),
        after.time_zone.as_deref(),
    );
    text(
        "language",
        Some(before.language.code()),
        Some(after.language.code()),
    );
    text(
        "preferred_channel",
        Some(before.preferred.code()),
        Some(after.preferred.code()),
    );
    text("email", before.email.as_deref(), after.email.as_deref());
    text("phone", before.phone.as_deref(), after.phone.as_deref());
    text(
        "address_line1",
        Some(&before.address_line1),
        Some(&after.address_line1),
    );
    text(
        "address_line2",
        Some(&before.address_line2),
        Some(&after.address_line2),
    );
    text(
        "postal_code",
        Some(&before.postal_code),
        Some(&after.postal_code),
    );
    text("city", Some(&before.city), Some(&after.city));
    text(
        "country",
        Some(before.country.as_str()),
        Some(after.country.as_str()),
    );
    text(
        "scenario",
        before.scenario.as_deref(),
        after.scenario.as_deref(),
    );
    for channel in Channel::ALL {
        let new = after.consent.allows(channel);
        if before.consent.allows(channel) != new {
            let column = match channel {
                Channel::Email => "consent_email",
                Channel::Sms => "consent_sms",
                Channel::Phone => "consent_phone",
                Channel::Letter => "consent_letter",
            };
            columns.push((column, Value::Flag(new)));
        }
    }
    columns
}

impl TenantStore<'_> {
    pub async fn customer_details(
        &self,
        customer: CustomerId,
    ) -> Result<CustomerDetailsRecord, StoreError> {
        let sql = dialect(
            self.store,
            "SELECT reference, legal_name, kind, risk_segment, time_zone, language, preferred_channel, email, phone, \
             address_line1, address_line2, postal_code, city, country, consent_email, consent_sms, consent_phone, consent_letter, scenario \
             FROM customers WHERE tenant_id = $1 AND id = $2",
        );
        let fetched = with_pool!(self.store, |pool| {
            match sqlx::query(sql)
                .bind(self.tenant.0)
                .bind(customer.0)
                .fetch_optional(pool)
                .await?
            {
                None => None,
                Some(row) => Some(RawDetails {
                    reference: row.try_get(0)?,
                    legal_name: row.try_get(1)?,
                    kind: row.try_get(2)?,
                    risk: row.try_get(3)?,
                    time_zone: row.try_get(4)?,
                    language: row.try_get(5)?,
                    preferred: row.try_get(6)?,
                    email: row.try_get(7)?,
                    phone: row.try_get(8)?,
                    address_line1: row.try_get(9)?,
                    address_line2: row.try_get(10)?,
                    postal_code: row.try_get(11)?,
                    city: row.try_get(12)?,
                    country: row.try_get(13)?,
                    consent: ChannelConsent {
                        email: row.try_get(14)?,
                        sms: row.try_get(15)?,
                        phone: row.try_get(16)?,
                        letter: row.try_get(17)?,
                    },
                    scenario: row.try_get(18)?,
                }),
            }
        });
        let raw = fetched.ok_or_else(|| StoreError::NotFound {
            what: format!("customer {customer}"),
        })?;
        let bad = |what: &str| corrupt(customer, what);
        Ok(CustomerDetailsRecord {
            id: customer,
            reference: CustomerRef::parse(&raw.reference).map_err(|_| bad("reference"))?,
            legal_name: raw.legal_name,
            kind: CustomerKind::parse(&raw.kind).map_err(|_| bad("kind"))?,
            settings: CustomerSettings {
                risk: RiskSegment::parse(&raw.risk).map_err(|_| bad("risk segment"))?,
                time_zone: raw.time_zone,
                language: Language::parse(&raw.language).ok_or_else(|| bad("language"))?,
                preferred: Channel::parse(&raw.preferred)
                    .ok_or_else(|| bad("preferred channel"))?,
                email: raw.email,
                phone: raw.phone,
                address_line1: raw.address_line1,
                address_line2: raw.address_line2,
                postal_code: raw.postal_code,
                city: raw.city,
                country: CountryCode::parse(&raw.country).map_err(|_| bad("country"))?,
                consent: raw.consent,
                scenario: raw.scenario,
            },
        })
    }

    /// Writes the settings that differ from `before`, and only those, so that two collectors
    /// correcting different details of one customer do not undo each other. Returns whether
    /// anything was written.
    pub async fn update_customer_settings(
        &self,
        customer: CustomerId,
        before: &CustomerSettings,
        after: &CustomerSettings,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let columns = changed_columns(before, after);
        if columns.is_empty() {
            return Ok(false);
        }
        let mut assignments = String::new();
        for (index, (column, _)) in columns.iter().enumerate() {
            assignments.push_str(&format!("{column} = ${}, ", index + 3));
        }
        let sql = dialect(
            self.store,
            &format!(
                "UPDATE customers SET {assignments}updated_at = ${}::timestamptz WHERE tenant_id = $1 AND id = $2",
                columns.len() + 3
            ),
        );
        let written = with_pool!(self.store, |pool| {
            let mut query = sqlx::query(sql).bind(self.tenant.0).bind(customer.0);
            for (_, value) in &columns {
                query = match value {
                    Value::Text(text) => query.bind(text.clone()),
                    Value::Flag(flag) => query.bind(*flag),
                };
            }
            query
                .bind(timestamp_text(now))
                .execute(pool)
                .await?
                .rows_affected()
        });
        if written == 0 {
            return Err(StoreError::NotFound {
                what: format!("customer {customer}"),
            });
        }
        Ok(true)
    }

    /// Resolves every open incident of the customer and cancels the legal routes proposed for
    /// them that still await approval, in one transaction.
    pub async fn resolve_incidents(
        &self,
        resolution: &IncidentResolution<'_>,
    ) -> Result<ResolvedIncidents, StoreError> {
        let resolve = dialect(
            self.store,
            "UPDATE incidents SET resolved_on = $3::date, resolution_note = $4 \
             WHERE tenant_id = $1 AND customer_id = $2 AND resolved_on IS NULL RETURNING id",
        );
        let cancel = crate::dunning::dialect(
            self.store,
            "UPDATE actions SET status = 'cancelled', status_note = $4 \
             WHERE tenant_id = $1 AND customer_id = $2 AND step_key = $3 AND status = 'awaiting_approval'",
        );
        let resolved = with_pool!(self.store, |pool| {
            let mut tx = pool.begin().await?;
            let mut incidents: Vec<i64> = sqlx::query_scalar(resolve)
                .bind(self.tenant.0)
                .bind(resolution.customer.0)
                .bind(resolution.on.to_string())
                .bind(resolution.note)
                .fetch_all(&mut *tx)
                .await?;
            incidents.sort_unstable();
            let mut proposals_cancelled = 0;
            for incident in &incidents {
                proposals_cancelled += sqlx::query(sqlx::AssertSqlSafe(cancel.clone()))
                    .bind(self.tenant.0)
                    .bind(resolution.customer.0)
                    .bind((resolution.proposal_key)(*incident))
                    .bind(resolution.cancellation_note)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
            }
            tx.commit().await?;
            ResolvedIncidents {
                incidents,
                proposals_cancelled,
            }
        });
        Ok(resolved)
    }

    /// Every incident of the customer, oldest first.
    pub async fn incidents_of(
        &self,
        customer: CustomerId,
    ) -> Result<Vec<IncidentDetail>, StoreError> {
        let sql = dialect(
            self.store,
            "SELECT id, note, iso(opened_on), iso(resolved_on), resolution_note FROM incidents \
             WHERE tenant_id = $1 AND customer_id = $2 ORDER BY opened_on, id",
        );
        type Row = (i64, String, String, Option<String>, Option<String>);
        let rows: Vec<Row> = with_pool!(self.store, |pool| {
            sqlx::query_as(sql)
                .bind(self.tenant.0)
                .bind(customer.0)
                .fetch_all(pool)
                .await?
        });
        rows.into_iter()
            .map(|(id, note, opened, resolved, resolution_note)| {
                Ok(IncidentDetail {
                    id,
                    note,
                    opened_on: parse_date(&opened)?,
                    resolved_on: resolved.as_deref().map(parse_date).transpose()?,
                    resolution_note,
                })
            })
            .collect()
    }

    /// Whether the customer's case was handed off (to an agency or the courts): nothing a
    /// collector records brings the reminders back then.
    pub async fn is_handed_off(&self, customer: CustomerId) -> Result<bool, StoreError> {
        let sql = dialect(
            self.store,
            "SELECT handed_off FROM dunning_cases WHERE tenant_id = $1 AND customer_id = $2",
        );
        let handed_off: Option<bool> = with_pool!(self.store, |pool| {
            sqlx::query_scalar(sql)
                .bind(self.tenant.0)
                .bind(customer.0)
                .fetch_optional(pool)
                .await?
        });
        Ok(handed_off.unwrap_or(false))
    }
}

/// A customer row as read, before its codes are checked.
struct RawDetails {
    reference: String,
    legal_name: String,
    kind: String,
    risk: String,
    time_zone: Option<String>,
    language: String,
    preferred: String,
    email: Option<String>,
    phone: Option<String>,
    address_line1: String,
    address_line2: String,
    postal_code: String,
    city: String,
    country: String,
    consent: ChannelConsent,
    scenario: Option<String>,
}
