//! A tenant's edited message templates (migration `0007_templates`): one row per template key
//! and language, replacing the built-in text the binary carries. The store keeps the parts as
//! written; checking them is `documents`' job, before `app` saves them.

use domain::customer::Language;
use jiff::Timestamp;

use crate::{Store, StoreError, TenantStore, timestamp_text};

/// A template as the tenant saved it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateRecord {
    pub key: String,
    pub language: Language,
    pub subject: String,
    pub text: String,
    pub html: Option<String>,
    pub sms: Option<String>,
    pub updated_at: Timestamp,
}

type TemplateRow = (
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    String,
);

fn record(row: TemplateRow) -> Result<TemplateRecord, StoreError> {
    let (key, language, subject, text, html, sms, updated_at) = row;
    let corrupt = |what: String| StoreError::Corrupt { what };
    Ok(TemplateRecord {
        language: Language::parse(&language)
            .ok_or_else(|| corrupt(format!("template {key}: language {language:?}")))?,
        updated_at: updated_at
            .parse()
            .map_err(|_| corrupt(format!("template {key}: timestamp {updated_at:?}")))?,
        key,
        subject,
        text,
        html,
        sms,
    })
}

impl TenantStore<'_> {
    fn template_columns(&self) -> &'static str {
        match self.store {
            // Read back as RFC 3339 text on both backends.
            Store::Postgres(_) => {
                "key, language, subject, text, html, sms, to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"
            }
            Store::Sqlite(..) => "key, language, subject, text, html, sms, updated_at",
        }
    }

    /// Every template the tenant edited, by key then language.
    pub async fn templates(&self) -> Result<Vec<TemplateRecord>, StoreError> {
        let sql = self.sql(&format!(
            "SELECT {} FROM message_templates WHERE tenant_id = $1 ORDER BY key, language",
            self.template_columns()
        ));
        let rows: Vec<TemplateRow> = with_pool!(self.store, |pool| {
            sqlx::query_as(sql)
                .bind(self.tenant.0)
                .fetch_all(pool)
                .await?
        });
        rows.into_iter().map(record).collect()
    }

    /// The tenant's edit of one template in one language, if there is one.
    pub async fn template(
        &self,
        key: &str,
        language: Language,
    ) -> Result<Option<TemplateRecord>, StoreError> {
        let sql = self.sql(&format!(
            "SELECT {} FROM message_templates WHERE tenant_id = $1 AND key = $2 AND language = $3",
            self.template_columns()
        ));
        let row: Option<TemplateRow> = with_pool!(self.store, |pool| {
            sqlx::query_as(sql)
                .bind(self.tenant.0)
                .bind(key)
                .bind(language.code())
                .fetch_optional(pool)
                .await?
        });
        row.map(record).transpose()
    }

    /// Saves the tenant's version of a template (replacing an earlier edit).
    pub async fn save_template(
        &self,
        template: &TemplateRecord,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let sql = self.sql(
            "INSERT INTO message_templates (tenant_id, key, language, subject, text, html, sms, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8::timestamptz) \
             ON CONFLICT (tenant_id, key, language) DO UPDATE SET subject = excluded.subject, text = excluded.text, \
             html = excluded.html, sms = excluded.sms, updated_at = excluded.updated_at",
        );
        with_pool!(self.store, |pool| {
            sqlx::query(sql)
                .bind(self.tenant.0)
                .bind(template.key.as_str())
                .bind(template.language.code())
                .bind(template.subject.as_str())
                .bind(template.text.as_str())
                .bind(template.html.as_deref())
                .bind(template.sms.as_deref())
                .bind(timestamp_text(now))
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(())
    }

    /// Forgets the tenant's edits of `key` (in one language, or all): the built-in text is
    /// used again. Returns how many edits were removed.
    pub async fn delete_template(
        &self,
        key: &str,
        language: Option<Language>,
    ) -> Result<u64, StoreError> {
        let condition = match language {
            Some(language) => format!(" AND language = '{}'", language.code()),
            None => String::new(),
        };
        let sql = self.sql(&format!(
            "DELETE FROM message_templates WHERE tenant_id = $1 AND key = $2{condition}"
        ));
        Ok(with_pool!(self.store, |pool| {
            sqlx::query(sql)
                .bind(self.tenant.0)
                .bind(key)
                .execute(pool)
                .await?
                .rows_affected()
        }))
    }
}
