//! The HTML templates, compiled into the binary, and how values are shown on a page.

use std::sync::LazyLock;

use domain::money::Money;
use jiff::civil::Date;
use minijinja::value::Serde;
use minijinja::{Environment, Value};

use crate::i18n::Lang;

/// `(name, source)` of every template.
pub(crate) const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../templates/base.html")),
    ("setup.html", include_str!("../templates/setup.html")),
    ("login.html", include_str!("../templates/login.html")),
    ("error.html", include_str!("../templates/error.html")),
    (
        "dashboard.html",
        include_str!("../templates/dashboard.html"),
    ),
    (
        "customers.html",
        include_str!("../templates/customers.html"),
    ),
    ("customer.html", include_str!("../templates/customer.html")),
    (
        "plan_form.html",
        include_str!("../templates/plan_form.html"),
    ),
    ("plan.html", include_str!("../templates/plan.html")),
    ("timeline.html", include_str!("../templates/timeline.html")),
    (
        "call_form.html",
        include_str!("../templates/call_form.html"),
    ),
    (
        "call_result.html",
        include_str!("../templates/call_result.html"),
    ),
    ("actions.html", include_str!("../templates/actions.html")),
    (
        "action_row.html",
        include_str!("../templates/action_row.html"),
    ),
    ("import.html", include_str!("../templates/import.html")),
    ("admin.html", include_str!("../templates/admin.html")),
    ("audit.html", include_str!("../templates/audit.html")),
    ("pager.html", include_str!("../templates/pager.html")),
    (
        "token_row.html",
        include_str!("../templates/token_row.html"),
    ),
    ("bank.html", include_str!("../templates/bank.html")),
    ("bank_row.html", include_str!("../templates/bank_row.html")),
    (
        "bank_line.html",
        include_str!("../templates/bank_line.html"),
    ),
    ("portal.html", include_str!("../templates/portal.html")),
    (
        "portal_gone.html",
        include_str!("../templates/portal_gone.html"),
    ),
    ("settings.html", include_str!("../templates/settings.html")),
    (
        "settings_payments.html",
        include_str!("../templates/settings_payments.html"),
    ),
    (
        "settings_mapping.html",
        include_str!("../templates/settings_mapping.html"),
    ),
    (
        "settings_company.html",
        include_str!("../templates/settings_company.html"),
    ),
    (
        "settings_scenarios.html",
        include_str!("../templates/settings_scenarios.html"),
    ),
    (
        "settings_scenario.html",
        include_str!("../templates/settings_scenario.html"),
    ),
    (
        "settings_tomorrow.html",
        include_str!("../templates/settings_tomorrow.html"),
    ),
    (
        "settings_policy.html",
        include_str!("../templates/settings_policy.html"),
    ),
    (
        "settings_templates.html",
        include_str!("../templates/settings_templates.html"),
    ),
    (
        "settings_template.html",
        include_str!("../templates/settings_template.html"),
    ),
    (
        "settings_template_preview.html",
        include_str!("../templates/settings_template_preview.html"),
    ),
    (
        "settings_penalties.html",
        include_str!("../templates/settings_penalties.html"),
    ),
    (
        "settings_plans.html",
        include_str!("../templates/settings_plans.html"),
    ),
    (
        "settings_channels.html",
        include_str!("../templates/settings_channels.html"),
    ),
];

static ENVIRONMENT: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut environment = Environment::new();
    // Every page is HTML: autoescape whatever the template's name says.
    environment.set_auto_escape_callback(|_| minijinja::AutoEscape::Html);
    for (name, source) in TEMPLATES {
        environment
            .add_template(name, source)
            .unwrap_or_else(|error| panic!("template {name} is invalid: {error}"));
    }
    environment
});

/// Renders `name` with `values` plus the texts of `lang` (`t`) and the page's CSRF token.
pub(crate) fn render(
    name: &str,
    lang: Lang,
    csrf: &str,
    values: serde_json::Value,
) -> Result<String, minijinja::Error> {
    let template = ENVIRONMENT.get_template(name)?;
    let mut context = match values {
        serde_json::Value::Object(map) => map,
        _ => serde_json::Map::new(),
    };
    context.insert("lang".into(), lang.code().into());
    context.insert("csrf".into(), csrf.into());
    let value = Value::from(Serde(&context));
    template.render(minijinja::context! { t => Value::from(Serde(lang.texts())), ..value })
}

pub(crate) fn money(amount: Money, lang: Lang) -> String {
    documents::format::money(amount, lang.language())
}

pub(crate) fn date(day: Date, lang: Lang) -> String {
    documents::format::short_date(day, lang.language())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_compiles() {
        for (name, _) in TEMPLATES {
            ENVIRONMENT.get_template(name).unwrap();
        }
    }

    #[test]
    fn values_are_escaped() {
        let html = render(
            "error.html",
            Lang::En,
            "x",
            serde_json::json!({"message": "<script>alert(1)</script>"}),
        )
        .unwrap();
        assert!(html.contains("&lt;script&gt;"));
        assert!(!html.contains("<script>alert"));
    }
}
