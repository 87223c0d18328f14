//! Tenants: each creditor's books, and the profile Relance writes and computes with.

use domain::creditor::{CreditorProfile, PostalAddress, TimeZoneName};
use domain::customer::Language;
use domain::identifiers::{Bic, CountryCode, Iban, Siren};
use domain::ids::TenantId;
use domain::money::Currency;
use jiff::Timestamp;

use crate::{Store, StoreError, TenantStore, timestamp_text};

/// A tenant as listed: its id and profile.
#[derive(Debug, Clone, PartialEq)]
pub struct TenantRecord {
    pub id: TenantId,
    pub profile: CreditorProfile,
}

pub(crate) type ProfileRow = (
    i64,
    String,
    Option<String>,
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    String,
    String,
    i64,
    Option<String>,
    String,
);

/// Binds a profile's 13 written columns, in the order of `create_tenant` and `save_profile`.
macro_rules! bind_profile {
    ($query:expr, $profile:expr) => {{
        let profile: &CreditorProfile = $profile;
        let address = &profile.address;
        $query
            .bind(&profile.company_name)
            .bind(profile.siren.as_ref().map(Siren::as_str))
            .bind(&address.line1)
            .bind(&address.line2)
            .bind(&address.postal_code)
            .bind(&address.city)
            .bind(
                address
                    .country
                    .unwrap_or(CountryCode::FRANCE)
                    .as_str()
                    .to_owned(),
            )
            .bind(profile.iban.as_ref().map(Iban::as_str))
            .bind(profile.time_zone.as_str())
            .bind(profile.currency.code())
            .bind(i64::from(profile.default_payment_term_days))
            .bind(profile.bic.as_ref().map(Bic::as_str))
            .bind(profile.language.code())
    }};
}

pub(crate) const PROFILE_COLUMNS: &str = "id, company_name, siren, address_line1, address_line2, postal_code, city, country, iban, time_zone, currency, default_payment_term_days, bic, language";

impl Store {
    pub async fn create_tenant(
        &self,
        profile: &CreditorProfile,
        now: Timestamp,
    ) -> Result<TenantId, StoreError> {
        let sql = match self {
            Store::Sqlite(..) => {
                "INSERT INTO tenants (company_name, siren, address_line1, address_line2, postal_code, city, country, iban, time_zone, currency, default_payment_term_days, bic, language, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14) RETURNING id"
            }
            Store::Postgres(_) => {
                "INSERT INTO tenants (company_name, siren, address_line1, address_line2, postal_code, city, country, iban, time_zone, currency, default_payment_term_days, bic, language, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14::timestamptz) RETURNING id"
            }
        };
        let id: i64 = with_pool!(self, |pool| {
            bind_profile!(sqlx::query_scalar(sql), profile)
                .bind(timestamp_text(now))
                .fetch_one(pool)
                .await?
        });
        Ok(TenantId(id))
    }

    pub async fn tenants(&self) -> Result<Vec<TenantRecord>, StoreError> {
        let sql = format!("SELECT {PROFILE_COLUMNS} FROM tenants ORDER BY id");
        let rows: Vec<ProfileRow> =
            with_pool!(self, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .fetch_all(pool)
                .await?);
        rows.into_iter().map(tenant_from_row).collect()
    }
}

impl TenantStore<'_> {
    pub async fn profile(&self) -> Result<CreditorProfile, StoreError> {
        let sql = match self.store {
            Store::Sqlite(..) => format!("SELECT {PROFILE_COLUMNS} FROM tenants WHERE id = ?1"),
            Store::Postgres(_) => format!("SELECT {PROFILE_COLUMNS} FROM tenants WHERE id = $1"),
        };
        let row: Option<ProfileRow> = with_pool!(self.store, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(self.tenant.0)
                .fetch_optional(pool)
                .await?
        });
        let row = row.ok_or_else(|| StoreError::NotFound {
            what: format!("tenant {}", self.tenant),
        })?;
        Ok(tenant_from_row(row)?.profile)
    }
}

impl TenantStore<'_> {
    /// Replaces the tenant's profile (`id` and creation time stay).
    pub async fn save_profile(&self, profile: &CreditorProfile) -> Result<(), StoreError> {
        let sql = self.sql(
            "UPDATE tenants SET company_name = $1, siren = $2, address_line1 = $3, address_line2 = $4, \
             postal_code = $5, city = $6, country = $7, iban = $8, time_zone = $9, currency = $10, \
             default_payment_term_days = $11, bic = $12, language = $13 WHERE id = $14",
        );
        with_pool!(self.store, |pool| {
            bind_profile!(sqlx::query(sql), profile)
                .bind(self.tenant.0)
                .execute(pool)
                .await?;
        });
        Ok(())
    }
}

pub(crate) fn tenant_from_row(row: ProfileRow) -> Result<TenantRecord, StoreError> {
    let (
        id,
        company_name,
        siren,
        line1,
        line2,
        postal_code,
        city,
        country,
        iban,
        time_zone,
        currency,
        term,
        bic,
        language,
    ) = row;
    let corrupt = |what: &str| StoreError::Corrupt {
        what: format!("tenant {id}: {what}"),
    };
    let profile = CreditorProfile {
        company_name,
        siren: siren
            .map(|text| Siren::parse(&text))
            .transpose()
            .map_err(|_| corrupt("siren"))?,
        address: PostalAddress {
            line1,
            line2,
            postal_code,
            city,
            country: Some(CountryCode::parse(&country).map_err(|_| corrupt("country"))?),
        },
        iban: iban
            .map(|text| Iban::parse(&text))
            .transpose()
            .map_err(|_| corrupt("iban"))?,
        bic: bic
            .map(|text| Bic::parse(&text))
            .transpose()
            .map_err(|_| corrupt("bic"))?,
        language: Language::parse(&language).ok_or_else(|| corrupt("language"))?,
        time_zone: TimeZoneName::parse(&time_zone).map_err(|_| corrupt("time zone"))?,
        currency: Currency::from_code(&currency).map_err(|_| corrupt("currency"))?,
        default_payment_term_days: u16::try_from(term).map_err(|_| corrupt("payment term"))?,
    };
    Ok(TenantRecord {
        id: TenantId(id),
        profile,
    })
}
