//! The payment settings page (`/settings/payments`): the matching threshold and tolerance,
//! receipts and thanks, the write-off limit, and the saved bank CSV mappings (list, show, save
//! from a form, delete). Everyone reads them; a manager changes them. Each change goes through
//! `app::payments`, as `relance payments settings|mapping` and the API's do.

use std::collections::BTreeMap;

use app::accounts::Permission;
use app::payments::{self, MappingSpec, PaymentError, PaymentSettings, SettingsChange};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde_json::{Map, Value, json};

use crate::AppState;
use crate::auth::{Staff, staff};
use crate::error::WebError;
use crate::i18n::Lang;
use crate::pages::{PageResult, encode, page};
use crate::settings_pages::{Fields, can, extend, field, sender, with_status};

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/settings/payments", get(settings).post(save_settings))
        .route("/settings/payments/mappings", post(save_mapping))
        .route("/settings/payments/mappings/{name}", get(mapping))
        .route(
            "/settings/payments/mappings/{name}/delete",
            post(delete_mapping),
        )
}

/// `base` with the settings `given` changes: a JSON object of `MappingSpec`'s fields, `null`
/// clearing an optional column. An amount column given replaces the base's amount columns (one
/// signed amount, or credit and debit), as the command line's `--csv-amount` and `--csv-credit`
/// do. A refusal names the setting at fault and why.
pub(crate) fn changed_spec(
    base: &MappingSpec,
    given: Map<String, Value>,
) -> Result<MappingSpec, (String, String)> {
    let Ok(Value::Object(mut start)) = serde_json::to_value(base) else {
        unreachable!("a mapping's settings are a JSON object");
    };
    if ["amount", "credit", "debit"]
        .iter()
        .any(|key| given.contains_key(*key))
    {
        for key in ["amount", "credit", "debit"] {
            start.remove(key);
        }
    }
    let with = |changes: &mut dyn Iterator<Item = (&String, &Value)>| {
        let mut merged = start.clone();
        for (key, value) in changes {
            if value.is_null() {
                merged.remove(key);
            } else {
                merged.insert(key.clone(), value.clone());
            }
        }
        serde_json::from_value::<MappingSpec>(Value::Object(merged))
    };
    with(&mut given.iter()).map_err(|error| {
        // The base reads: the first setting refused on its own is the one at fault.
        let culprit = given
            .iter()
            .find(|change| with(&mut std::iter::once(*change)).is_err())
            .map(|(key, _)| key.clone())
            .unwrap_or_default();
        (culprit, error.to_string())
    })
}

// --- Payment settings ---------------------------------------------------------------------------

fn settings_values(settings: &PaymentSettings) -> Value {
    json!({
        "auto_apply_threshold": settings.auto_apply_threshold.to_string(),
        "amount_tolerance": settings.amount_tolerance.to_decimal_string(),
        "write_off": settings.write_off.to_decimal_string(),
        "send_receipt": settings.send_receipt,
        "send_thank_you": settings.send_thank_you,
    })
}

fn mapping_error(error: PaymentError, lang: Lang) -> WebError {
    match error {
        PaymentError::UnknownMapping { .. } => WebError::NotFound(lang),
        PaymentError::Store(store) => crate::error::in_lang(store.into(), lang),
        other => WebError::Refused(lang, other.describe(lang.language())),
    }
}

async fn settings_page(state: &AppState, staff: &Staff, extra: Value) -> PageResult {
    let lang = staff.lang;
    let current = payments::settings(&state.store, &staff.tenant)
        .await
        .map_err(|error| mapping_error(error, lang))?;
    let mappings = payments::mappings(&state.store, &staff.tenant)
        .await
        .map_err(|error| mapping_error(error, lang))?;
    let mut values = json!({
        "s": settings_values(&current),
        "currency": staff.tenant.profile.currency.code(),
        "mappings": mappings.iter().map(|(name, spec)| json!({
            "name": name,
            "url": format!("/settings/payments/mappings/{}", encode(name)),
            "builtin": name == payments::FRENCH_MAPPING,
            "delimiter": spec.delimiter,
            "date_format": spec.date_format,
            "amount": match (&spec.amount, &spec.credit, &spec.debit) {
                (Some(amount), _, _) => amount.clone(),
                (None, credit, debit) => format!(
                    "+{} −{}",
                    credit.clone().unwrap_or_default(),
                    debit.clone().unwrap_or_default()
                ),
            },
        })).collect::<Vec<_>>(),
        "can_change": can(staff, Permission::Configure),
        "errors": {},
    });
    extend(&mut values, extra);
    page(
        staff,
        "settings_payments.html",
        lang.t("settings_payments"),
        values,
    )
}

/// `GET /settings/payments`.
pub(crate) async fn settings(State(state): State<AppState>, headers: HeaderMap) -> PageResult {
    let staff = staff(&state, &headers).await?;
    settings_page(&state, &staff, json!({})).await
}

/// `POST /settings/payments`: every field of the form; unticked boxes turn receipts or thanks
/// off.
pub(crate) async fn save_settings(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(fields): Form<Fields>,
) -> PageResult {
    let staff = sender(&state, &headers, &fields, Permission::Configure).await?;
    let lang = staff.lang;
    let mut errors = BTreeMap::new();
    let threshold = field(&fields, "auto_apply_threshold").trim();
    let threshold = if threshold.is_empty() {
        None
    } else if let Ok(value) = threshold.parse::<u8>() {
        Some(value)
    } else {
        errors.insert(
            "auto_apply_threshold",
            lang.t("settings_payment_threshold_range").to_owned(),
        );
        None
    };
    let text = |name: &str| Some(field(&fields, name).trim().to_owned()).filter(|t| !t.is_empty());
    let change = SettingsChange {
        auto_apply_threshold: threshold,
        amount_tolerance: text("amount_tolerance"),
        send_receipt: Some(!field(&fields, "send_receipt").is_empty()),
        send_thank_you: Some(!field(&fields, "send_thank_you").is_empty()),
        write_off: text("write_off"),
    };
    if errors.is_empty() {
        match payments::change_settings(&state.store, &staff.tenant, state.clock, &change).await {
            Ok(_) => return settings_page(&state, &staff, json!({ "saved": true })).await,
            Err(PaymentError::InvalidSetting { field, text }) => {
                errors.insert(field, text.get(lang.language()).to_owned());
            }
            Err(error) => return Err(mapping_error(error, lang)),
        }
    }
    let typed: BTreeMap<&str, Value> = ["auto_apply_threshold", "amount_tolerance", "write_off"]
        .into_iter()
        .map(|name| (name, json!(field(&fields, name))))
        .chain([
            ("send_receipt", json!(change.send_receipt)),
            ("send_thank_you", json!(change.send_thank_you)),
        ])
        .collect();
    with_status(
        settings_page(&state, &staff, json!({ "s": typed, "errors": errors })).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
}

// --- CSV mappings -------------------------------------------------------------------------------

/// The form's text fields, by `MappingSpec`'s names; optional columns are left blank.
const TEXT_SETTINGS: [&str; 15] = [
    "delimiter",
    "decimal_separator",
    "date_format",
    "encoding",
    "currency",
    "account",
    "date",
    "value_date",
    "amount",
    "credit",
    "debit",
    "payer",
    "payer_account",
    "reference",
    "currency_column",
];

fn form_values(spec: &MappingSpec) -> Value {
    let Ok(Value::Object(mut values)) = serde_json::to_value(spec) else {
        unreachable!("a mapping's settings are a JSON object");
    };
    values.insert("label".into(), json!(spec.label.join("\n")));
    Value::Object(values)
}

fn mapping_page(
    staff: &Staff,
    name: &str,
    values: Value,
    errors: &BTreeMap<String, String>,
    saved: bool,
) -> PageResult {
    let lang = staff.lang;
    let builtin = name.eq_ignore_ascii_case(payments::FRENCH_MAPPING);
    page(
        staff,
        "settings_mapping.html",
        &format!("{} {name}", lang.t("settings_mapping")),
        json!({
            "name": name,
            // The built-in mapping is saved under a new name: the name field starts empty.
            "new_name": if builtin { "" } else { name },
            "builtin": builtin,
            "delete_url": format!("/settings/payments/mappings/{}/delete", encode(name)),
            "m": values,
            "text_settings": TEXT_SETTINGS,
            "errors": errors,
            "saved": saved,
            "can_change": can(staff, Permission::Configure),
        }),
    )
}

/// `GET /settings/payments/mappings/{name}`: its settings in the form that saves them (under
/// this name, or another for a copy).
pub(crate) async fn mapping(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(name): Path<String>,
) -> PageResult {
    let staff = staff(&state, &headers).await?;
    let spec = payments::mapping_spec(&state.store, &staff.tenant, &name)
        .await
        .map_err(|error| mapping_error(error, staff.lang))?;
    mapping_page(&staff, &name, form_values(&spec), &BTreeMap::new(), false)
}

/// The settings a mapping form gives, as `changed_spec` reads them; a count that is not one is
/// refused by name.
fn form_settings(
    fields: &Fields,
    errors: &mut BTreeMap<String, String>,
    lang: Lang,
) -> Map<String, Value> {
    let mut given = Map::new();
    for name in TEXT_SETTINGS {
        let text = field(fields, name).trim();
        given.insert(
            name.to_owned(),
            if text.is_empty() && !matches!(name, "delimiter" | "decimal_separator") {
                Value::Null
            } else {
                json!(field(fields, name))
            },
        );
    }
    for name in ["skip_lines", "footer_lines"] {
        let text = field(fields, name).trim();
        match text.parse::<usize>() {
            Ok(count) => {
                given.insert(name.to_owned(), json!(count));
            }
            Err(_) if text.is_empty() => {
                given.insert(name.to_owned(), json!(0));
            }
            Err(_) => {
                errors.insert(name.to_owned(), lang.t("settings_whole_number").to_owned());
            }
        }
    }
    given.insert(
        "has_header".into(),
        json!(!field(fields, "has_header").is_empty()),
    );
    let labels: Vec<&str> = field(fields, "label")
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .collect();
    given.insert("label".into(), json!(labels));
    given
}

/// `POST /settings/payments/mappings`: saves the form under the name typed (replacing a mapping
/// of that name).
pub(crate) async fn save_mapping(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(fields): Form<Fields>,
) -> PageResult {
    let staff = sender(&state, &headers, &fields, Permission::Configure).await?;
    let lang = staff.lang;
    let name = field(&fields, "name").trim().to_owned();
    let shown = field(&fields, "shown").trim().to_owned();
    let mut errors = BTreeMap::new();
    let given = form_settings(&fields, &mut errors, lang);
    let mut typed = given.clone();
    typed.insert("label".into(), json!(field(&fields, "label")));
    let refused = |errors: &BTreeMap<String, String>| {
        let mut values = form_values(&MappingSpec::default());
        extend(&mut values, Value::Object(typed.clone()));
        with_status(
            mapping_page(
                &staff,
                if shown.is_empty() { &name } else { &shown },
                values,
                errors,
                false,
            ),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
    };
    if !errors.is_empty() {
        return refused(&errors);
    }
    let spec = match changed_spec(&MappingSpec::default(), given) {
        Ok(spec) => spec,
        Err((setting, message)) => {
            errors.insert(setting, message);
            return refused(&errors);
        }
    };
    match payments::save_mapping(&state.store, &staff.tenant, state.clock, &name, &spec).await {
        Ok(()) => {
            let saved = payments::mapping_spec(&state.store, &staff.tenant, &name)
                .await
                .map_err(|error| mapping_error(error, lang))?;
            mapping_page(&staff, &name, form_values(&saved), &BTreeMap::new(), true)
        }
        Err(PaymentError::Mapping(error)) => {
            errors.insert(error.setting.to_owned(), error.describe(lang.language()));
            refused(&errors)
        }
        Err(PaymentError::Invalid(text)) => {
            errors.insert("name".to_owned(), text.get(lang.language()).to_owned());
            refused(&errors)
        }
        Err(error) => Err(mapping_error(error, lang)),
    }
}

/// `POST /settings/payments/mappings/{name}/delete`.
pub(crate) async fn delete_mapping(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(name): Path<String>,
    Form(fields): Form<Fields>,
) -> PageResult {
    let staff = sender(&state, &headers, &fields, Permission::Configure).await?;
    payments::delete_mapping(&state.store, &staff.tenant, &name)
        .await
        .map_err(|error| mapping_error(error, staff.lang))?;
    Ok(Redirect::to("/settings/payments#mappings").into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_of_settings_keeps_the_rest_and_an_amount_column_replaces_the_amount_columns() {
        let given =
            json!({ "delimiter": ",", "credit": "Crédit", "debit": "Débit", "payer": "Nom" });
        let Value::Object(given) = given else {
            unreachable!()
        };
        let spec = changed_spec(&MappingSpec::default(), given).unwrap();
        assert_eq!(spec.delimiter, ",");
        assert_eq!(
            spec.amount, None,
            "the signed amount gave way to credit and debit"
        );
        assert_eq!(spec.credit.as_deref(), Some("Crédit"));
        assert_eq!(spec.payer.as_deref(), Some("Nom"));
        assert_eq!(spec.date, MappingSpec::default().date);
        assert!(spec.mapping().is_ok());
    }

    #[test]
    fn every_setting_of_the_mapping_form_has_a_label_in_both_languages() {
        for setting in TEXT_SETTINGS {
            let key = format!("settings_mapping_{setting}");
            assert_ne!(Lang::Fr.t(&key), "?", "{key}");
            assert_ne!(Lang::En.t(&key), "?", "{key}");
        }
    }

    #[test]
    fn a_setting_of_the_wrong_kind_or_unknown_is_named() {
        let Value::Object(given) = json!({ "delimiter": ";", "skip_lines": "two" }) else {
            unreachable!()
        };
        let (setting, _) = changed_spec(&MappingSpec::default(), given).unwrap_err();
        assert_eq!(setting, "skip_lines");
        let Value::Object(given) = json!({ "colour": "blue" }) else {
            unreachable!()
        };
        let (setting, message) = changed_spec(&MappingSpec::default(), given).unwrap_err();
        assert_eq!(setting, "colour");
        assert!(message.contains("unknown field"), "{message}");
    }
}
