//! The CSV mappings a creditor saved for its banks' exports (migration `0017_bank_mappings`):
//! a name and the mapping's text, per tenant. Reading the text is `formats`' job, in `app`.

use jiff::Timestamp;

use crate::{StoreError, TenantStore, timestamp_text};

/// A saved mapping: its name and definition, as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankMappingRecord {
    pub name: String,
    pub definition: String,
}

impl TenantStore<'_> {
    /// Saves the mapping under its name, replacing one of the same name.
    pub async fn save_bank_mapping(
        &self,
        mapping: &BankMappingRecord,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let sql = self.sql(
            "INSERT INTO bank_csv_mappings (tenant_id, name, definition, created_at, updated_at) \
             VALUES ($1, $2, $3, $4::timestamptz, $4::timestamptz) ON CONFLICT (tenant_id, name) \
             DO UPDATE SET definition = excluded.definition, updated_at = excluded.updated_at",
        );
        with_pool!(self.store, |pool| {
            sqlx::query(sql)
                .bind(self.tenant.0)
                .bind(mapping.name.as_str())
                .bind(mapping.definition.as_str())
                .bind(timestamp_text(now))
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// Every saved mapping, by name.
    pub async fn bank_mappings(&self) -> Result<Vec<BankMappingRecord>, StoreError> {
        let sql = self.sql(
            "SELECT name, definition FROM bank_csv_mappings WHERE tenant_id = $1 ORDER BY name",
        );
        let rows: Vec<(String, String)> = with_pool!(self.store, |pool| {
            sqlx::query_as(sql)
                .bind(self.tenant.0)
                .fetch_all(pool)
                .await?
        });
        Ok(rows
            .into_iter()
            .map(|(name, definition)| BankMappingRecord { name, definition })
            .collect())
    }

    /// One saved mapping.
    pub async fn bank_mapping(&self, name: &str) -> Result<Option<BankMappingRecord>, StoreError> {
        let sql = self.sql(
            "SELECT name, definition FROM bank_csv_mappings WHERE tenant_id = $1 AND name = $2",
        );
        let row: Option<(String, String)> = with_pool!(self.store, |pool| {
            sqlx::query_as(sql)
                .bind(self.tenant.0)
                .bind(name)
                .fetch_optional(pool)
                .await?
        });
        Ok(row.map(|(name, definition)| BankMappingRecord { name, definition }))
    }

    /// Deletes a saved mapping; whether there was one.
    pub async fn delete_bank_mapping(&self, name: &str) -> Result<bool, StoreError> {
        let sql = self.sql("DELETE FROM bank_csv_mappings WHERE tenant_id = $1 AND name = $2");
        let deleted = with_pool!(self.store, |pool| {
            sqlx::query(sql)
                .bind(self.tenant.0)
                .bind(name)
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(deleted > 0)
    }
}
