//! The built-in templates: one per step of the default scenarios and per moment around them,
//! in French and English, compiled into the binary. A tenant may override any of them; the
//! overrides live in the store, the built-ins here.
//!
//! Keys are the `template` keys of `domain::scenario::Scenario::default_b2b` and `default_b2c`
//! (a test checks that every key a default scenario names is here), plus the messages sent
//! outside the ladder: promise confirmation, dispute acknowledgement, receipt, thank-you.

use domain::customer::{CustomerKind, Language};
use domain::scenario::{Scenario, StepChannel, Tone};

use crate::context::StepFacts;
use crate::source::TemplateSource;

/// What a template produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TemplateKind {
    /// An e-mail (subject, text, HTML), which may also go as a letter or an SMS.
    Message,
    /// A phone call's script: text for the collector, never sent.
    CallScript,
    /// A letter first (a formal notice, a hand-off notice), with an e-mail copy.
    Letter,
    /// A document issued to the customer (a receipt).
    Document,
}

impl TemplateKind {
    pub fn code(&self) -> &'static str {
        match self {
            TemplateKind::Message => "message",
            TemplateKind::CallScript => "call_script",
            TemplateKind::Letter => "letter",
            TemplateKind::Document => "document",
        }
    }
}

/// Variables only some templates receive, because only they have the fact behind them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Extra {
    /// `promise.*`: the promise being confirmed.
    Promise,
    /// `dispute.*`: the dispute being acknowledged.
    Dispute,
    /// `receipt.*`: the payment received.
    Receipt,
    /// `plan.*`: the payment plan agreed.
    Plan,
}

impl Extra {
    pub fn group(&self) -> &'static str {
        match self {
            Extra::Promise => "promise",
            Extra::Dispute => "dispute",
            Extra::Receipt => "receipt",
            Extra::Plan => "plan",
        }
    }
}

/// A built-in template and what it is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Builtin {
    pub key: &'static str,
    pub kind: TemplateKind,
    pub title_fr: &'static str,
    pub title_en: &'static str,
    pub extras: &'static [Extra],
    french: &'static str,
    english: &'static str,
}

impl Builtin {
    pub fn title(&self, language: Language) -> &'static str {
        match language {
            Language::French => self.title_fr,
            Language::English => self.title_en,
        }
    }

    /// The built-in text in `language`, as the file a user edits.
    pub fn file(&self, language: Language) -> &'static str {
        match language {
            Language::French => self.french,
            Language::English => self.english,
        }
    }

    pub fn source(&self, language: Language) -> TemplateSource {
        TemplateSource::parse(self.file(language))
            .unwrap_or_else(|problems| {
                panic!(
                    "the built-in template {} is invalid: {problems:?}",
                    self.key
                )
            })
            .source
    }

    /// Whether the template may use a variable group (`promise`, `dispute`, `receipt`, `plan`).
    pub fn receives(&self, extra: Extra) -> bool {
        self.extras.contains(&extra)
    }
}

macro_rules! builtin {
    ($key:literal, $kind:expr, $fr:literal, $en:literal, $extras:expr) => {
        Builtin {
            key: $key,
            kind: $kind,
            title_fr: $fr,
            title_en: $en,
            extras: $extras,
            french: include_str!(concat!("../templates/fr/", $key, ".txt")),
            english: include_str!(concat!("../templates/en/", $key, ".txt")),
        }
    };
}

/// Every built-in template, in the order of a case's life.
pub const BUILTINS: &[Builtin] = &[
    builtin!(
        "pre_due_reminder",
        TemplateKind::Message,
        "Rappel avant échéance",
        "Reminder before the due date",
        &[]
    ),
    builtin!(
        "first_reminder",
        TemplateKind::Message,
        "Première relance, courtoise",
        "First reminder, courteous",
        &[]
    ),
    builtin!(
        "second_reminder",
        TemplateKind::Message,
        "Deuxième relance (courtoise ou ferme selon le ton de l'étape)",
        "Second reminder (courteous or firm, as the step's tone)",
        &[]
    ),
    builtin!(
        "call_script",
        TemplateKind::CallScript,
        "Script d'appel",
        "Call script",
        &[]
    ),
    builtin!(
        "formal_warning",
        TemplateKind::Message,
        "Relance formelle avec avertissement (e-mail et SMS)",
        "Formal reminder with a warning (e-mail and SMS)",
        &[]
    ),
    builtin!(
        "formal_notice",
        TemplateKind::Letter,
        "Mise en demeure (lettre recommandée, copie par e-mail)",
        "Formal notice (registered letter, e-mail copy)",
        &[]
    ),
    builtin!(
        "handoff_notice",
        TemplateKind::Letter,
        "Avis de transmission du dossier",
        "Hand-off notice",
        &[]
    ),
    builtin!(
        "promise_confirmation",
        TemplateKind::Message,
        "Confirmation d'une promesse de paiement",
        "Promise-to-pay confirmation",
        &[Extra::Promise]
    ),
    builtin!(
        "dispute_acknowledgement",
        TemplateKind::Message,
        "Accusé de réception d'une réclamation",
        "Dispute acknowledgement",
        &[Extra::Dispute]
    ),
    builtin!(
        "receipt",
        TemplateKind::Document,
        "Quittance",
        "Receipt",
        &[Extra::Receipt]
    ),
    builtin!(
        "plan_agreement",
        TemplateKind::Document,
        "Échéancier de paiement (accord écrit à signer)",
        "Payment plan (written agreement to sign)",
        &[Extra::Plan]
    ),
    builtin!(
        "thank_you",
        TemplateKind::Message,
        "Remerciement après paiement complet",
        "Thank-you after full payment",
        &[Extra::Receipt]
    ),
];

/// The built-in template with this key.
pub fn builtin(key: &str) -> Option<&'static Builtin> {
    BUILTINS.iter().find(|builtin| builtin.key == key)
}

/// The step a template is sent for in the default scenario of `kind`; for messages outside
/// the ladder, the channel they usually take.
pub fn default_step(builtin: &Builtin, kind: CustomerKind) -> StepFacts {
    let scenario = Scenario::default_for(kind);
    if let Some(step) = scenario
        .steps()
        .iter()
        .find(|step| step.template == builtin.key)
    {
        return StepFacts {
            key: step.key.clone(),
            tone: step.tone,
            channel: step.channel,
        };
    }
    StepFacts {
        key: builtin.key.to_owned(),
        tone: Tone::Courteous,
        channel: match builtin.kind {
            TemplateKind::Message => StepChannel::Email,
            TemplateKind::CallScript => StepChannel::PhoneTask,
            TemplateKind::Letter | TemplateKind::Document => StepChannel::Letter,
        },
    }
}

/// The keys, for messages that list them.
pub fn builtin_keys() -> String {
    BUILTINS
        .iter()
        .map(|builtin| builtin.key)
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_the_default_scenarios_name_is_built_in() {
        for scenario in [Scenario::default_b2b(), Scenario::default_b2c()] {
            for step in scenario.steps() {
                assert!(
                    builtin(&step.template).is_some(),
                    "{}: step {} names template {}",
                    scenario.name(),
                    step.key,
                    step.template
                );
            }
        }
    }

    #[test]
    fn keys_are_unique_and_every_file_parses() {
        for (index, builtin) in BUILTINS.iter().enumerate() {
            assert!(
                BUILTINS[..index]
                    .iter()
                    .all(|other| other.key != builtin.key),
                "{} twice",
                builtin.key
            );
            for language in Language::ALL {
                let source = builtin.source(language);
                assert!(!source.subject.trim().is_empty(), "{}", builtin.key);
                assert!(!source.text.trim().is_empty(), "{}", builtin.key);
            }
        }
    }
}
