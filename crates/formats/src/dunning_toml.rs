//! The two files users edit by hand: a dunning scenario and the contact policy, in TOML.
//!
//! Both files are read into validated `domain` values and written back as readable TOML with a
//! commented header, in French and English, explaining every field. Writing then reading gives
//! the same value again, so a user can export the defaults, edit them and load them back.
//!
//! The choices made:
//! - Unknown fields are refused, so a misspelt `ofset_days` is not silently ignored.
//! - Codes (channels, tones, charges, segments, customer kinds, holiday calendars) are read by
//!   the domain's own parsers, so the files accept exactly what the rest of Relance accepts.
//! - Amounts are decimal strings (`"50.00"`), read in the tenant's currency: TOML floats would
//!   round them.
//! - Every problem names the line (counted from the span the TOML parser or `toml::Spanned`
//!   gives) and the field, and is described in French or English. The domain's own validation
//!   (`Scenario::new`, `ContactHours::new`, `ContactPolicy::check`) runs last, and its errors are
//!   located on the step or field they name.

use std::fmt::Write as _;
use std::ops::Range;

use domain::calendar::{CalendarError, HolidayCalendar};
use domain::contact_hours::{ContactHours, ContactHoursError, TimeRange};
use domain::contact_policy::{ContactPolicy, PolicyError};
use domain::customer::{CustomerError, CustomerKind, Language};
use domain::money::{Currency, Money, MoneyError};
use domain::scenario::{
    Charge, EARLIEST_HANDOFF_DAYS, OFFSET_DAYS_LIMIT, RiskSegment, Scenario, ScenarioError, Step,
    StepChannel, StepConditions, Tone,
};
use jiff::civil::Weekday;
use serde::Deserialize;
use toml::Spanned;

/// What is wrong with a scenario or policy file, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TomlProblem {
    /// 1-based line of the file; `None` when the problem concerns the whole file.
    pub line: Option<usize>,
    /// The TOML key concerned (`offset_days`, `monday`…), when there is one.
    pub field: Option<String>,
    /// The reason, in English.
    pub message: String,
    /// The same reason in French: the users editing these files are mostly French.
    pub message_fr: String,
}

impl TomlProblem {
    /// One sentence naming the line, the field and the reason, in `language`.
    pub fn describe(&self, language: Language) -> String {
        let place = match (language, self.line, &self.field) {
            (Language::French, Some(line), Some(field)) => {
                format!("ligne {line}, champ « {field} » : ")
            }
            (Language::French, Some(line), None) => format!("ligne {line} : "),
            (Language::French, None, Some(field)) => format!("champ « {field} » : "),
            (Language::English, Some(line), Some(field)) => {
                format!("line {line}, field \"{field}\": ")
            }
            (Language::English, Some(line), None) => format!("line {line}: "),
            (Language::English, None, Some(field)) => format!("field \"{field}\": "),
            (_, None, None) => String::new(),
        };
        let reason = match language {
            Language::French => &self.message_fr,
            Language::English => &self.message,
        };
        place + reason
    }

    fn new(
        text: &str,
        span: Option<Range<usize>>,
        field: Option<&str>,
        en: String,
        fr: String,
    ) -> Self {
        TomlProblem {
            line: span.map(|span| line_of(text, span.start)),
            field: field.map(str::to_owned),
            message: en,
            message_fr: fr,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Scenario file
// ---------------------------------------------------------------------------------------------

/// A list of texts, each one located, as the lists of codes and time ranges are written.
type SpannedList = Spanned<Vec<Spanned<String>>>;

/// The scenario file as written; every value keeps its span so problems can name the line.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ScenarioFile {
    name: Spanned<String>,
    #[serde(default)]
    steps: Vec<StepFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StepFile {
    key: Spanned<String>,
    offset_days: Spanned<i32>,
    channel: Spanned<String>,
    also: Option<SpannedList>,
    tone: Spanned<String>,
    template: Spanned<String>,
    #[serde(default)]
    requires_approval: bool,
    claims: Option<SpannedList>,
    min_overdue: Option<Spanned<String>>,
    customer_kind: Option<Spanned<String>>,
    risk_segments: Option<SpannedList>,
}

/// Reads a scenario file; `currency` is the tenant's, in which `min_overdue` amounts are read.
pub fn read_scenario(text: &str, currency: Currency) -> Result<Scenario, TomlProblem> {
    let file: ScenarioFile = toml::from_str(text).map_err(|error| toml_problem(text, &error))?;
    let steps = file
        .steps
        .iter()
        .map(|step| read_step(text, step, currency))
        .collect::<Result<Vec<Step>, TomlProblem>>()?;
    Scenario::new(file.name.get_ref(), steps)
        .map_err(|error| locate_scenario_error(text, &file, error))
}

fn read_step(text: &str, step: &StepFile, currency: Currency) -> Result<Step, TomlProblem> {
    let channel = parse_spanned(text, "channel", &step.channel, StepChannel::parse)?;
    let also = parse_list(text, "also", step.also.as_ref(), StepChannel::parse)?;
    let tone = parse_spanned(text, "tone", &step.tone, Tone::parse)?;
    let claims = parse_list(text, "claims", step.claims.as_ref(), Charge::parse)?;
    let min_overdue = step
        .min_overdue
        .as_ref()
        .map(|amount| {
            parse_spanned(text, "min_overdue", amount, |decimal| {
                Money::parse_decimal(decimal.trim(), currency)
            })
        })
        .transpose()?;
    let customer_kind = step
        .customer_kind
        .as_ref()
        .map(|kind| parse_spanned(text, "customer_kind", kind, CustomerKind::parse))
        .transpose()?;
    let risk_segments = parse_list(
        text,
        "risk_segments",
        step.risk_segments.as_ref(),
        RiskSegment::parse,
    )?;
    Ok(Step {
        key: step.key.get_ref().clone(),
        offset_days: *step.offset_days.get_ref(),
        channel,
        also,
        tone,
        template: step.template.get_ref().clone(),
        conditions: StepConditions {
            min_overdue,
            customer_kind,
            risk_segments,
        },
        requires_approval: step.requires_approval,
        claims,
    })
}

/// Places an error of `Scenario::new` on the step and field it concerns.
fn locate_scenario_error(text: &str, file: &ScenarioFile, error: ScenarioError) -> TomlProblem {
    // `Scenario::new` checks the steps in order and stops at the first error, and a key used
    // twice is reported on its second use: so any other error names the first step with its key.
    let named = |key: &str| file.steps.iter().find(|step| step.key.get_ref() == key);
    let (span, field): (Option<Range<usize>>, &str) = match &error {
        ScenarioError::BadName => (Some(file.name.span()), "name"),
        ScenarioError::NoStep { .. } => (None, "steps"),
        ScenarioError::EmptyKey { index } => {
            (file.steps.get(index - 1).map(|step| step.key.span()), "key")
        }
        ScenarioError::DuplicateKey { key } => (
            file.steps
                .iter()
                .filter(|step| step.key.get_ref() == key)
                .nth(1)
                .map(|step| step.key.span()),
            "key",
        ),
        ScenarioError::GoesBackwards { key, .. }
        | ScenarioError::HandoffTooEarly { key, .. }
        | ScenarioError::OffsetOutOfRange { key, .. } => (
            named(key).map(|step| step.offset_days.span()),
            "offset_days",
        ),
        ScenarioError::EmptyTemplate { key } => {
            (named(key).map(|step| step.template.span()), "template")
        }
        ScenarioError::HandoffAsCompanion { key } => (
            named(key).and_then(|step| step.also.as_ref().map(Spanned::span)),
            "also",
        ),
        ScenarioError::UnknownChannel { .. } => (None, "channel"),
        ScenarioError::UnknownTone { .. } => (None, "tone"),
        ScenarioError::UnknownCharge { .. } => (None, "claims"),
        ScenarioError::UnknownRiskSegment { .. } => (None, "risk_segments"),
    };
    let french = scenario_error_fr(&error);
    TomlProblem::new(text, span, Some(field), error.to_string(), french)
}

/// Writes a scenario as commented TOML that `read_scenario` reads back to an equal scenario
/// (given the currency of its `min_overdue` amounts).
pub fn write_scenario(scenario: &Scenario) -> String {
    let mut out = scenario_header();
    let _ = writeln!(out, "name = {}", quote(scenario.name()));
    for step in scenario.steps() {
        out.push('\n');
        out.push_str("[[steps]]\n");
        let _ = writeln!(out, "key = {}", quote(&step.key));
        let _ = writeln!(out, "offset_days = {}", step.offset_days);
        let _ = writeln!(out, "channel = {}", quote(step.channel.code()));
        let _ = writeln!(
            out,
            "also = {}",
            list(step.also.iter().map(StepChannel::code))
        );
        let _ = writeln!(out, "tone = {}", quote(step.tone.code()));
        let _ = writeln!(out, "template = {}", quote(&step.template));
        let _ = writeln!(out, "requires_approval = {}", step.requires_approval);
        let _ = writeln!(
            out,
            "claims = {}",
            list(step.claims.iter().map(Charge::code))
        );
        let conditions = &step.conditions;
        if let Some(minimum) = conditions.min_overdue {
            let _ = writeln!(out, "min_overdue = {}", quote(&minimum.to_decimal_string()));
        }
        if let Some(kind) = conditions.customer_kind {
            let _ = writeln!(out, "customer_kind = {}", quote(kind.code()));
        }
        if !conditions.risk_segments.is_empty() {
            let segments = conditions.risk_segments.iter().map(RiskSegment::code);
            let _ = writeln!(out, "risk_segments = {}", list(segments));
        }
    }
    out
}

fn scenario_header() -> String {
    format!(
        "\
# Scénario de relance — Dunning scenario
#
# Chaque bloc [[steps]] est une étape, dans l'ordre chronologique.
# Each [[steps]] block is one step, in chronological order.
#
# name               nom du scénario / name of the scenario
# key                identifiant unique de l'étape / unique identifier of the step
# offset_days        jours depuis l'échéance de la plus ancienne facture en retard (négatif : avant)
#                    days from the due date of the oldest overdue invoice (negative: before it)
# channel            email, sms, letter, registered_letter, phone_task, agency_handoff, legal
#                    agency_handoff et legal : pas avant {EARLIEST_HANDOFF_DAYS} jours / not before {EARLIEST_HANDOFF_DAYS} days
# also               canaux envoyés avec l'étape s'ils sont consentis, par ex. [\"sms\"]
#                    companion channels, sent with the step when consented, e.g. [\"sms\"]
# tone               ton du message / tone of the message: courteous, firm, formal
# template           modèle de message / message template
# requires_approval  true : une personne valide avant l'envoi / a person approves before sending
# claims             frais réclamés / charges claimed: penalties, fixed_indemnity
#
# Conditions facultatives (l'étape est sautée si l'une n'est pas remplie)
# Optional conditions (the step is skipped when one is not met):
# min_overdue        montant minimal en retard, nombre décimal entre guillemets : \"50.00\"
#                    minimum overdue balance, a quoted decimal number: \"50.00\"
# customer_kind      b2b (professionnel / business) ou / or b2c (particulier / consumer)
# risk_segments      segments de risque / risk segments: low, standard, high

"
    )
}

// ---------------------------------------------------------------------------------------------
// Contact policy file
// ---------------------------------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyFile {
    holidays: Spanned<String>,
    min_days_between_contacts: Spanned<u16>,
    max_contacts_per_7_days: Spanned<u16>,
    max_contacts_per_30_days: Spanned<u16>,
    max_phone_attempts_per_day: Spanned<u16>,
    promise_grace_days: Spanned<u16>,
    written_fallback: SpannedList,
    hours: Spanned<HoursFile>,
}

/// A missing day is a day without contact hours.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HoursFile {
    monday: Option<SpannedList>,
    tuesday: Option<SpannedList>,
    wednesday: Option<SpannedList>,
    thursday: Option<SpannedList>,
    friday: Option<SpannedList>,
    saturday: Option<SpannedList>,
    sunday: Option<SpannedList>,
}

impl HoursFile {
    /// The days Monday first, as `ContactHours::new` wants them.
    fn days(&self) -> [(&'static str, &Option<SpannedList>); 7] {
        [
            ("monday", &self.monday),
            ("tuesday", &self.tuesday),
            ("wednesday", &self.wednesday),
            ("thursday", &self.thursday),
            ("friday", &self.friday),
            ("saturday", &self.saturday),
            ("sunday", &self.sunday),
        ]
    }
}

const WEEKDAYS: [(Weekday, &str); 7] = [
    (Weekday::Monday, DAY_FIELDS[0]),
    (Weekday::Tuesday, DAY_FIELDS[1]),
    (Weekday::Wednesday, DAY_FIELDS[2]),
    (Weekday::Thursday, DAY_FIELDS[3]),
    (Weekday::Friday, DAY_FIELDS[4]),
    (Weekday::Saturday, DAY_FIELDS[5]),
    (Weekday::Sunday, DAY_FIELDS[6]),
];

/// Reads a contact policy file and checks it (`ContactPolicy::check`).
pub fn read_policy(text: &str) -> Result<ContactPolicy, TomlProblem> {
    let file: PolicyFile = toml::from_str(text).map_err(|error| toml_problem(text, &error))?;
    let holidays = parse_spanned(text, "holidays", &file.holidays, HolidayCalendar::parse)?;
    let days = file.hours.get_ref().days();
    let mut weekly: [Vec<TimeRange>; 7] = Default::default();
    for ((field, ranges), slot) in days.iter().zip(weekly.iter_mut()) {
        *slot = parse_list(text, field, ranges.as_ref(), TimeRange::parse)?;
    }
    let hours = ContactHours::new(weekly, holidays).map_err(|error| {
        let (span, field) = match &error {
            ContactHoursError::OverlappingRanges { day, .. } => {
                // `days` is Monday first, like the offset.
                let (field, ranges) = days[day.to_monday_zero_offset() as usize];
                (ranges.as_ref().map(Spanned::span), field)
            }
            _ => (Some(file.hours.span()), "hours"),
        };
        let french = hours_error_fr(&error);
        TomlProblem::new(text, span, Some(field), error.to_string(), french)
    })?;
    let policy = ContactPolicy {
        hours,
        min_days_between_contacts: *file.min_days_between_contacts.get_ref(),
        max_contacts_per_7_days: *file.max_contacts_per_7_days.get_ref(),
        max_contacts_per_30_days: *file.max_contacts_per_30_days.get_ref(),
        max_phone_attempts_per_day: *file.max_phone_attempts_per_day.get_ref(),
        promise_grace_days: *file.promise_grace_days.get_ref(),
        written_fallback: parse_list(
            text,
            "written_fallback",
            Some(&file.written_fallback),
            StepChannel::parse,
        )?,
    };
    policy.check().map_err(|error| {
        let (span, field) = match &error {
            PolicyError::NoWeeklyContact => (
                file.max_contacts_per_7_days.span(),
                "max_contacts_per_7_days",
            ),
            PolicyError::MonthlyBelowWeekly { .. } => (
                file.max_contacts_per_30_days.span(),
                "max_contacts_per_30_days",
            ),
            PolicyError::GapTooLong { .. } => (
                file.min_days_between_contacts.span(),
                "min_days_between_contacts",
            ),
            PolicyError::GraceTooLong { .. } => {
                (file.promise_grace_days.span(), "promise_grace_days")
            }
            PolicyError::FallbackNotWritten { channel } => (
                file.written_fallback
                    .get_ref()
                    .iter()
                    .find(|text| StepChannel::parse(text.get_ref()).as_ref() == Ok(channel))
                    .map_or_else(|| file.written_fallback.span(), Spanned::span),
                "written_fallback",
            ),
        };
        let french = policy_error_fr(&error);
        TomlProblem::new(text, Some(span), Some(field), error.to_string(), french)
    })?;
    Ok(policy)
}

/// Writes a contact policy as commented TOML that `read_policy` reads back to an equal policy.
pub fn write_policy(policy: &ContactPolicy) -> String {
    let mut out = String::from(POLICY_HEADER);
    let _ = writeln!(out, "holidays = {}", quote(policy.hours.holidays().code()));
    let _ = writeln!(
        out,
        "min_days_between_contacts = {}",
        policy.min_days_between_contacts
    );
    let _ = writeln!(
        out,
        "max_contacts_per_7_days = {}",
        policy.max_contacts_per_7_days
    );
    let _ = writeln!(
        out,
        "max_contacts_per_30_days = {}",
        policy.max_contacts_per_30_days
    );
    let _ = writeln!(
        out,
        "max_phone_attempts_per_day = {}",
        policy.max_phone_attempts_per_day
    );
    let _ = writeln!(out, "promise_grace_days = {}", policy.promise_grace_days);
    let fallback = policy.written_fallback.iter().map(StepChannel::code);
    let _ = writeln!(out, "written_fallback = {}", list(fallback));
    out.push_str("\n[hours]\n");
    // Every day is written, closed ones as `[]`, so the user sees where to add hours.
    for (day, field) in WEEKDAYS {
        let ranges: Vec<String> = policy
            .hours
            .ranges(day)
            .iter()
            .map(ToString::to_string)
            .collect();
        let _ = writeln!(out, "{field} = {}", list(ranges.iter().map(String::as_str)));
    }
    out
}

const POLICY_HEADER: &str = "\
# Politique de contact — Contact policy
#
# holidays                     jours fériés sans contact / public holidays without contact:
#                              fr, fr-alsace-moselle, none
# min_days_between_contacts    jours minimum entre deux contacts / minimum days between two contacts
# max_contacts_per_7_days      contacts au plus sur 7 jours glissants / most contacts in any 7 days
# max_contacts_per_30_days     contacts au plus sur 30 jours glissants / most contacts in any 30 days
# max_phone_attempts_per_day   appels au plus par jour / most phone calls a day
# promise_grace_days           jours de grâce après une promesse de paiement
#                              days of grace after a promise to pay
# written_fallback             canaux écrits de repli, dans l'ordre : email, sms, letter
#                              written channels to fall back on, in order: email, sms, letter
#
# [hours] plages horaires de contact par jour, heure du débiteur, \"HH:MM-HH:MM\"
#         contact hours for each day, on the debtor's clock, \"HH:MM-HH:MM\"
#         un jour absent ou vide : aucun contact ce jour-là
#         a missing or empty day: no contact on that day

";

// ---------------------------------------------------------------------------------------------
// Shared reading helpers
// ---------------------------------------------------------------------------------------------

/// A domain error that can be described in both languages; its English wording is its
/// `Display`.
trait Bilingual: ToString {
    fn french(&self) -> String;
}

impl Bilingual for ScenarioError {
    fn french(&self) -> String {
        scenario_error_fr(self)
    }
}

impl Bilingual for MoneyError {
    fn french(&self) -> String {
        money_error_fr(self)
    }
}

impl Bilingual for CustomerError {
    fn french(&self) -> String {
        match self {
            CustomerError::UnknownKind { text } => {
                format!("« {text} » n'est pas un type de client (b2b ou b2c attendu)")
            }
            // `CustomerKind::parse`, the only customer parser used here, gives no other error.
            other => other.to_string(),
        }
    }
}

impl Bilingual for CalendarError {
    fn french(&self) -> String {
        match self {
            CalendarError::UnknownCalendar { text } => format!(
                "calendrier de jours fériés inconnu « {text} » (fr, fr-alsace-moselle ou none attendu)"
            ),
        }
    }
}

impl Bilingual for ContactHoursError {
    fn french(&self) -> String {
        hours_error_fr(self)
    }
}

/// Parses one spanned text with a domain parser, locating its error on the value.
fn parse_spanned<T, E: Bilingual>(
    text: &str,
    field: &str,
    value: &Spanned<String>,
    parse: impl Fn(&str) -> Result<T, E>,
) -> Result<T, TomlProblem> {
    parse(value.get_ref()).map_err(|error| {
        TomlProblem::new(
            text,
            Some(value.span()),
            Some(field),
            error.to_string(),
            error.french(),
        )
    })
}

/// Parses each text of an optional list with a domain parser; a missing list is an empty one.
fn parse_list<T, E: Bilingual>(
    text: &str,
    field: &str,
    values: Option<&SpannedList>,
    parse: impl Fn(&str) -> Result<T, E>,
) -> Result<Vec<T>, TomlProblem> {
    let Some(values) = values else {
        return Ok(Vec::new());
    };
    values
        .get_ref()
        .iter()
        .map(|value| parse_spanned(text, field, value, &parse))
        .collect()
}

/// The 1-based line holding the byte at `offset`.
fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&byte| byte == b'\n')
        .count()
        + 1
}

/// The key assigned on the line holding `offset` (`key = …`), if that line starts with one.
fn key_on_line(text: &str, offset: usize) -> Option<&str> {
    let offset = offset.min(text.len());
    let start = text[..offset].rfind('\n').map_or(0, |index| index + 1);
    let line = text[start..].lines().next().unwrap_or("").trim_start();
    let key_length = line
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
        .unwrap_or(line.len());
    let (key, rest) = line.split_at(key_length);
    (!key.is_empty() && rest.trim_start().starts_with('=')).then_some(key)
}

/// The text between the first pair of backticks of a serde message: the field it names.
fn backticked(message: &str) -> Option<&str> {
    let (_, rest) = message.split_once('`')?;
    rest.split_once('`').map(|(inside, _)| inside)
}

/// Turns an error of the TOML parser or of serde into a located, bilingual problem.
///
/// The messages come from serde and the parser in English; the usual ones (unknown or missing
/// field, a value of the wrong type) are reworded in both languages, the rest are passed on with
/// a French lead-in.
fn toml_problem(text: &str, error: &toml::de::Error) -> TomlProblem {
    let message = error.message().trim();
    let span = error.span();
    let offset = span.as_ref().map(|span| span.start);
    let on_line = || offset.and_then(|offset| key_on_line(text, offset));
    if let Some(rest) = message.strip_prefix("unknown field ") {
        let field = backticked(rest);
        let expected = rest
            .split_once(", expected ")
            .map(|(_, expected)| expected.trim_start_matches("one of ").replace('`', ""))
            .unwrap_or_default();
        let (en, fr) = if expected.is_empty() {
            ("unknown field".to_owned(), "champ inconnu".to_owned())
        } else {
            (
                format!("unknown field (known fields: {expected})"),
                format!("champ inconnu (champs possibles : {expected})"),
            )
        };
        return TomlProblem::new(text, span, field, en, fr);
    }
    if let Some(rest) = message.strip_prefix("missing field ") {
        return TomlProblem::new(
            text,
            span,
            backticked(rest),
            "this required field is missing".to_owned(),
            "ce champ obligatoire manque".to_owned(),
        );
    }
    for (prefix, en_lead, fr_lead) in [
        (
            "invalid type: ",
            "wrong kind of value",
            "valeur du mauvais type",
        ),
        (
            "invalid value: ",
            "value out of range",
            "valeur hors limites",
        ),
    ] {
        if let Some(rest) = message.strip_prefix(prefix) {
            let (found, expected) = rest.split_once(", expected ").unwrap_or((rest, ""));
            let (expected_en, expected_fr) = expected_words(expected);
            return TomlProblem::new(
                text,
                span,
                on_line(),
                format!("{en_lead}: {found}, expected {expected_en}"),
                format!("{fr_lead} : {found}, attendu : {expected_fr}"),
            );
        }
    }
    TomlProblem::new(
        text,
        span,
        on_line(),
        format!("not valid TOML: {message}"),
        format!("TOML mal formé : {message}"),
    )
}

/// What serde says it expected, in words a user understands.
fn expected_words(expected: &str) -> (String, String) {
    let (en, fr) = match expected {
        "i32" | "i64" => ("a whole number", "un nombre entier"),
        "u16" => (
            "a whole number from 0 to 65535",
            "un nombre entier de 0 à 65535",
        ),
        "a boolean" => ("true or false", "true ou false"),
        "a string" => ("a quoted text", "un texte entre guillemets"),
        "a sequence" => ("a list [ … ]", "une liste [ … ]"),
        other if other.starts_with("struct ") => ("a table", "une table"),
        other => return (other.to_owned(), other.to_owned()),
    };
    (en.to_owned(), fr.to_owned())
}

// ---------------------------------------------------------------------------------------------
// French wording of the domain errors (their English wording is their `Display`)
// ---------------------------------------------------------------------------------------------

fn scenario_error_fr(error: &ScenarioError) -> String {
    match error {
        ScenarioError::BadName => "le nom du scénario est vide ou trop long".to_owned(),
        ScenarioError::NoStep { name } => format!("le scénario « {name} » n'a aucune étape"),
        ScenarioError::EmptyKey { index } => format!("étape n° {index} : la clé est vide"),
        ScenarioError::DuplicateKey { key } => {
            format!("étape « {key} » : cette clé est déjà utilisée par une autre étape")
        }
        ScenarioError::GoesBackwards {
            key,
            offset,
            previous,
            previous_offset,
        } => format!(
            "l'étape « {key} » (J{offset:+}) suit l'étape « {previous} » (J{previous_offset:+}) : \
             les étapes ne peuvent pas revenir en arrière"
        ),
        ScenarioError::HandoffTooEarly { key, offset } => format!(
            "l'étape « {key} » transmet le dossier à J{offset:+} : une transmission exige au moins \
             {EARLIEST_HANDOFF_DAYS} jours de retard"
        ),
        ScenarioError::OffsetOutOfRange { key, offset } => format!(
            "étape « {key} » : le décalage de {offset} jours dépasse {OFFSET_DAYS_LIMIT} jours"
        ),
        ScenarioError::EmptyTemplate { key } => {
            format!("étape « {key} » : le modèle de message est vide")
        }
        ScenarioError::HandoffAsCompanion { key } => format!(
            "étape « {key} » : un canal d'accompagnement ne peut pas transmettre le dossier"
        ),
        ScenarioError::UnknownChannel { text } => format!(
            "canal inconnu « {text} » (email, sms, letter, registered_letter, phone_task, \
             agency_handoff ou legal)"
        ),
        ScenarioError::UnknownTone { text } => {
            format!("ton inconnu « {text} » (courteous, firm ou formal)")
        }
        ScenarioError::UnknownCharge { text } => {
            format!("frais inconnus « {text} » (penalties ou fixed_indemnity)")
        }
        ScenarioError::UnknownRiskSegment { text } => {
            format!("segment de risque inconnu « {text} » (low, standard ou high)")
        }
    }
}

fn money_error_fr(error: &MoneyError) -> String {
    match error {
        MoneyError::NotAnAmount { text } => format!(
            "« {text} » n'est pas un montant (chiffres avec un point décimal attendus, par ex. \"50.00\")"
        ),
        MoneyError::TooManyDecimals {
            text,
            currency,
            exponent,
        } => format!("« {text} » a plus de décimales que {currency} n'en permet ({exponent})"),
        MoneyError::TooLarge { text } => format!("« {text} » est trop grand"),
        MoneyError::UnknownCurrency { code } => format!("devise inconnue « {code} »"),
        MoneyError::CurrencyMismatch { left, right } => {
            format!("montants en {left} et en {right} incompatibles")
        }
        MoneyError::Overflow => "montant hors limites".to_owned(),
    }
}

fn hours_error_fr(error: &ContactHoursError) -> String {
    match error {
        ContactHoursError::NotATimeRange { text } => format!(
            "« {text} » n'est pas une plage horaire (HH:MM-HH:MM attendu, par ex. 09:00-12:30)"
        ),
        ContactHoursError::EmptyRange { start, end } => format!(
            "la plage {}-{} est vide : elle doit finir après son début",
            start.strftime("%H:%M"),
            end.strftime("%H:%M")
        ),
        ContactHoursError::OverlappingRanges { first, second, .. } => {
            format!("les plages {first} et {second} se chevauchent")
        }
        ContactHoursError::NoContactHours => {
            "aucune plage horaire dans la semaine : personne ne pourrait jamais être contacté"
                .to_owned()
        }
    }
}

fn policy_error_fr(error: &PolicyError) -> String {
    match error {
        PolicyError::NoWeeklyContact => "max_contacts_per_7_days doit valoir au moins 1".to_owned(),
        PolicyError::MonthlyBelowWeekly { weekly, monthly } => format!(
            "max_contacts_per_30_days ({monthly}) est inférieur à max_contacts_per_7_days ({weekly})"
        ),
        PolicyError::GapTooLong { days } => {
            format!("min_days_between_contacts ({days}) dépasse 30 jours")
        }
        PolicyError::GraceTooLong { days } => {
            format!("promise_grace_days ({days}) dépasse 30 jours")
        }
        PolicyError::FallbackNotWritten { channel } => format!(
            "{channel} ne peut pas remplacer une relance écrite (email, sms ou letter seulement)"
        ),
    }
}

// ---------------------------------------------------------------------------------------------
// Writing helpers
// ---------------------------------------------------------------------------------------------

/// A TOML basic string: quotes, backslashes and control characters escaped.
fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() && (c as u32) < 0x80 => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// An inline TOML array of strings on one line.
fn list<'a>(items: impl Iterator<Item = &'a str>) -> String {
    let quoted: Vec<String> = items.map(quote).collect();
    format!("[{}]", quoted.join(", "))
}

// ---------------------------------------------------------------------------------------------
// Forms
// ---------------------------------------------------------------------------------------------

/// A scenario step as a form gives it: every value as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StepForm {
    pub key: String,
    pub offset_days: String,
    pub channel: String,
    pub also: Vec<String>,
    pub tone: String,
    pub template: String,
    pub requires_approval: bool,
    pub claims: Vec<String>,
    /// Empty: no minimum.
    pub min_overdue: String,
    /// Empty: every kind.
    pub customer_kind: String,
    pub risk_segments: Vec<String>,
}

impl StepForm {
    /// The step as its form shows it.
    pub fn of(step: &Step) -> StepForm {
        let codes =
            |channels: &[StepChannel]| channels.iter().map(|c| c.code().to_owned()).collect();
        StepForm {
            key: step.key.clone(),
            offset_days: step.offset_days.to_string(),
            channel: step.channel.code().to_owned(),
            also: codes(&step.also),
            tone: step.tone.code().to_owned(),
            template: step.template.clone(),
            requires_approval: step.requires_approval,
            claims: step.claims.iter().map(|c| c.code().to_owned()).collect(),
            min_overdue: step
                .conditions
                .min_overdue
                .map(|amount| amount.to_decimal_string())
                .unwrap_or_default(),
            customer_kind: step
                .conditions
                .customer_kind
                .map(|kind| kind.code().to_owned())
                .unwrap_or_default(),
            risk_segments: step
                .conditions
                .risk_segments
                .iter()
                .map(|s| s.code().to_owned())
                .collect(),
        }
    }
}

/// A problem of a form: the step it concerns (0-based), when it concerns one, and the field
/// (`TomlProblem::field`; the form has no lines, so `line` is `None`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormProblem {
    pub step: Option<usize>,
    pub problem: TomlProblem,
}

/// Reads a scenario from a form, with exactly the checks and messages of `read_scenario`: the
/// form is written as the file it stands for, one field a line, and a problem's line tells
/// which step it concerns.
pub fn read_scenario_form(
    name: &str,
    steps: &[StepForm],
    currency: Currency,
) -> Result<Scenario, FormProblem> {
    let mut text = String::new();
    let _ = writeln!(text, "name = {}", quote(name.trim()));
    let mut first_lines = Vec::with_capacity(steps.len());
    for step in steps {
        text.push_str("\n[[steps]]\n");
        first_lines.push(line_of(&text, text.len()) - 1);
        let _ = writeln!(text, "key = {}", quote(step.key.trim()));
        let _ = writeln!(text, "offset_days = {}", integer_or_text(&step.offset_days));
        let _ = writeln!(text, "channel = {}", quote(step.channel.trim()));
        let _ = writeln!(
            text,
            "also = {}",
            list(step.also.iter().map(String::as_str))
        );
        let _ = writeln!(text, "tone = {}", quote(step.tone.trim()));
        let _ = writeln!(text, "template = {}", quote(step.template.trim()));
        let _ = writeln!(text, "requires_approval = {}", step.requires_approval);
        let _ = writeln!(
            text,
            "claims = {}",
            list(step.claims.iter().map(String::as_str))
        );
        if !step.min_overdue.trim().is_empty() {
            let _ = writeln!(text, "min_overdue = {}", quote(step.min_overdue.trim()));
        }
        if !step.customer_kind.trim().is_empty() {
            let _ = writeln!(text, "customer_kind = {}", quote(step.customer_kind.trim()));
        }
        if !step.risk_segments.is_empty() {
            let segments = step.risk_segments.iter().map(String::as_str);
            let _ = writeln!(text, "risk_segments = {}", list(segments));
        }
    }
    read_scenario(&text, currency).map_err(|problem| {
        let step = problem
            .line
            .and_then(|line| first_lines.iter().rposition(|&first| first <= line));
        FormProblem {
            step,
            problem: TomlProblem {
                line: None,
                ..problem
            },
        }
    })
}

/// The contact policy as a form gives it: numbers as typed, each day's hours as
/// `09:00-12:00, 14:00-18:00`, Monday first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PolicyForm {
    pub holidays: String,
    pub min_days_between_contacts: String,
    pub max_contacts_per_7_days: String,
    pub max_contacts_per_30_days: String,
    pub max_phone_attempts_per_day: String,
    pub promise_grace_days: String,
    pub written_fallback: Vec<String>,
    pub hours: [String; 7],
}

impl PolicyForm {
    pub fn of(policy: &ContactPolicy) -> PolicyForm {
        PolicyForm {
            holidays: policy.hours.holidays().code().to_owned(),
            min_days_between_contacts: policy.min_days_between_contacts.to_string(),
            max_contacts_per_7_days: policy.max_contacts_per_7_days.to_string(),
            max_contacts_per_30_days: policy.max_contacts_per_30_days.to_string(),
            max_phone_attempts_per_day: policy.max_phone_attempts_per_day.to_string(),
            promise_grace_days: policy.promise_grace_days.to_string(),
            written_fallback: policy
                .written_fallback
                .iter()
                .map(|c| c.code().to_owned())
                .collect(),
            hours: WEEKDAYS.map(|(day, _)| {
                policy
                    .hours
                    .ranges(day)
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            }),
        }
    }
}

/// The names of the days in a policy (`monday`…), Monday first, as `PolicyForm::hours` holds
/// them and problems name them.
pub const DAY_FIELDS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

/// Reads a contact policy from a form, with the checks and messages of `read_policy`.
pub fn read_policy_form(form: &PolicyForm) -> Result<ContactPolicy, FormProblem> {
    let mut text = String::new();
    let _ = writeln!(text, "holidays = {}", quote(form.holidays.trim()));
    for (field, value) in [
        ("min_days_between_contacts", &form.min_days_between_contacts),
        ("max_contacts_per_7_days", &form.max_contacts_per_7_days),
        ("max_contacts_per_30_days", &form.max_contacts_per_30_days),
        (
            "max_phone_attempts_per_day",
            &form.max_phone_attempts_per_day,
        ),
        ("promise_grace_days", &form.promise_grace_days),
    ] {
        let _ = writeln!(text, "{field} = {}", integer_or_text(value));
    }
    let fallback = form.written_fallback.iter().map(String::as_str);
    let _ = writeln!(text, "written_fallback = {}", list(fallback));
    text.push_str("\n[hours]\n");
    for (field, ranges) in DAY_FIELDS.iter().zip(&form.hours) {
        let ranges = ranges
            .split([',', ';'])
            .map(str::trim)
            .filter(|range| !range.is_empty());
        let _ = writeln!(text, "{field} = {}", list(ranges));
    }
    read_policy(&text).map_err(|problem| FormProblem {
        step: None,
        problem: TomlProblem {
            line: None,
            ..problem
        },
    })
}

/// A whole number as TOML writes it; anything else as a text, which the reader then refuses
/// as the wrong kind of value for its field.
fn integer_or_text(value: &str) -> String {
    let trimmed = value.trim();
    match trimmed.parse::<i64>() {
        Ok(number) => number.to_string(),
        Err(_) => quote(trimmed),
    }
}
