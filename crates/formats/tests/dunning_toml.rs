//! The scenario and contact policy files users edit by hand: what they look like, what reads
//! back, and how every mistake is pointed out (line, field, reason in French and English).

use domain::calendar::HolidayCalendar;
use domain::contact_hours::{ContactHours, TimeRange};
use domain::contact_policy::ContactPolicy;
use domain::customer::{CustomerKind, Language};
use domain::money::{Currency, Money};
use domain::scenario::{Charge, RiskSegment, Scenario, Step, StepChannel, StepConditions, Tone};
use formats::dunning_toml::{
    PolicyForm, StepForm, TomlProblem, read_policy, read_policy_form, read_scenario,
    read_scenario_form, write_policy, write_scenario,
};

const EUR: Currency = Currency::EUR;

fn scenario_problem(text: &str) -> TomlProblem {
    read_scenario(text, EUR).expect_err("the scenario file should be refused")
}

fn policy_problem(text: &str) -> TomlProblem {
    read_policy(text).expect_err("the policy file should be refused")
}

/// Asserts where a problem is and that both descriptions name its line and field.
fn assert_located(problem: &TomlProblem, line: usize, field: &str) {
    assert_eq!(
        (problem.line, problem.field.as_deref()),
        (Some(line), Some(field)),
        "{problem:?}"
    );
    let french = problem.describe(Language::French);
    let english = problem.describe(Language::English);
    assert!(
        french.starts_with(&format!("ligne {line}, champ « {field} » : ")),
        "{french}"
    );
    assert!(
        english.starts_with(&format!("line {line}, field \"{field}\": ")),
        "{english}"
    );
}

// A small scenario, one line per field so that line numbers in the tests below are easy to read.
const TWO_STEPS: &str = r#"name = "short"

[[steps]]
key = "reminder"
offset_days = 1
channel = "email"
tone = "courteous"
template = "first_reminder"

[[steps]]
key = "handoff"
offset_days = 45
channel = "agency_handoff"
tone = "formal"
template = "handoff_notice"
"#;

const WEEKDAYS_ONLY: &str = r#"holidays = "fr"
min_days_between_contacts = 3
max_contacts_per_7_days = 3
max_contacts_per_30_days = 8
max_phone_attempts_per_day = 1
promise_grace_days = 3
written_fallback = ["email", "letter"]

[hours]
monday = ["09:00-12:30", "14:00-19:00"]
tuesday = ["09:00-12:30", "14:00-19:00"]
wednesday = ["09:00-12:30", "14:00-19:00"]
thursday = ["09:00-12:30", "14:00-19:00"]
friday = ["09:00-12:30", "14:00-19:00"]
"#;

// ---------------------------------------------------------------------------------------------
// Round trips
// ---------------------------------------------------------------------------------------------

#[test]
fn the_default_scenarios_read_back_exactly_as_written() {
    for scenario in [Scenario::default_b2b(), Scenario::default_b2c()] {
        let written = write_scenario(&scenario);
        assert_eq!(
            read_scenario(&written, EUR),
            Ok(scenario.clone()),
            "{written}"
        );
    }
}

#[test]
fn the_default_policy_reads_back_exactly_as_written() {
    let policy = ContactPolicy::french_default();
    let written = write_policy(&policy);
    assert_eq!(read_policy(&written), Ok(policy), "{written}");
}

#[test]
fn the_written_default_policy_is_the_documented_file() {
    let written = write_policy(&ContactPolicy::french_default());
    let settings: Vec<&str> = written
        .lines()
        .filter(|line| !line.starts_with('#') && !line.is_empty())
        .collect();
    assert_eq!(
        settings,
        [
            r#"holidays = "fr""#,
            "min_days_between_contacts = 3",
            "max_contacts_per_7_days = 3",
            "max_contacts_per_30_days = 8",
            "max_phone_attempts_per_day = 1",
            "promise_grace_days = 3",
            r#"written_fallback = ["email", "letter"]"#,
            "[hours]",
            r#"monday = ["09:00-12:30", "14:00-19:00"]"#,
            r#"tuesday = ["09:00-12:30", "14:00-19:00"]"#,
            r#"wednesday = ["09:00-12:30", "14:00-19:00"]"#,
            r#"thursday = ["09:00-12:30", "14:00-19:00"]"#,
            r#"friday = ["09:00-12:30", "14:00-19:00"]"#,
            "saturday = []",
            "sunday = []",
        ]
    );
    assert_eq!(
        read_policy(WEEKDAYS_ONLY),
        Ok(ContactPolicy::french_default())
    );
}

#[test]
fn the_written_scenario_explains_each_field_in_both_languages() {
    let written = write_scenario(&Scenario::default_b2b());
    for field in [
        "offset_days",
        "channel",
        "also",
        "tone",
        "template",
        "requires_approval",
        "claims",
        "min_overdue",
        "customer_kind",
        "risk_segments",
    ] {
        assert!(
            written
                .lines()
                .any(|line| line.starts_with(&format!("# {field} "))),
            "{field} is not explained"
        );
    }
    assert!(written.contains("jours depuis l'échéance"));
    assert!(written.contains("days from the due date"));
    assert!(written.contains(
        "[[steps]]\nkey = \"pre_due_reminder\"\noffset_days = -3\nchannel = \"email\"\nalso = []\n"
    ));
}

#[test]
fn conditions_and_awkward_text_read_back_exactly() {
    let step = Step {
        key: "big \"late\" payers".to_owned(),
        offset_days: 60,
        channel: StepChannel::Legal,
        also: vec![],
        tone: Tone::Formal,
        template: "legal\\notice\ttabbed\nline".to_owned(),
        conditions: StepConditions {
            min_overdue: Some(Money::from_minor(1_250_050, EUR)),
            customer_kind: Some(CustomerKind::Consumer),
            risk_segments: vec![RiskSegment::High, RiskSegment::Standard],
        },
        requires_approval: true,
        claims: vec![Charge::Penalties],
    };
    let mut steps = Scenario::default_b2b().steps().to_vec();
    steps.push(step);
    let scenario = Scenario::new("relance « pro » é", steps).unwrap();
    let written = write_scenario(&scenario);
    assert!(
        written.contains("min_overdue = \"12500.50\"\n"),
        "{written}"
    );
    assert!(written.contains("risk_segments = [\"high\", \"standard\"]\n"));
    assert_eq!(read_scenario(&written, EUR), Ok(scenario));
}

#[test]
fn a_policy_with_weekend_hours_and_another_calendar_reads_back_exactly() {
    let range = |text: &str| TimeRange::parse(text).unwrap();
    let hours = ContactHours::new(
        [
            vec![range("08:00-18:00")],
            vec![],
            vec![range("10:00-11:00"), range("15:30-16:45")],
            vec![],
            vec![],
            vec![range("09:00-12:00")],
            vec![],
        ],
        HolidayCalendar::AlsaceMoselle,
    )
    .unwrap();
    let policy = ContactPolicy {
        hours,
        min_days_between_contacts: 0,
        max_contacts_per_7_days: 2,
        max_contacts_per_30_days: 5,
        max_phone_attempts_per_day: 3,
        promise_grace_days: 7,
        written_fallback: vec![StepChannel::Sms],
    };
    assert_eq!(read_policy(&write_policy(&policy)), Ok(policy));
}

// ---------------------------------------------------------------------------------------------
// Files edited by hand
// ---------------------------------------------------------------------------------------------

#[test]
fn a_hand_edited_scenario_with_comments_is_read() {
    let text = r#"
# Notre scénario, revu avec la compta.
name = "pme"   # petites entreprises

[[steps]]
# Un rappel courtois avant l'échéance.
key = "avant"
offset_days = -5
channel = "Email"          # la casse ne compte pas
tone = "courteous"
template = "pre_due_reminder"

[[steps]]
key = "appel"
offset_days = 10
channel = "phone_task"
tone = "firm"
template = "call_script"
requires_approval = true
min_overdue = "500"        # pas de décimales : 500,00 €
customer_kind = "b2b"
risk_segments = [
    "high",   # les mauvais payeurs
    "standard",
]

[[steps]]
key = "mise_en_demeure"
offset_days = 30
channel = "registered_letter"
also = ["email"]
tone = "formal"
template = "formal_notice"
claims = ["penalties", "fixed_indemnity"]
"#;
    let scenario = read_scenario(text, EUR).unwrap();
    assert_eq!(scenario.name(), "pme");
    let steps = scenario.steps();
    assert_eq!(
        steps.iter().map(|s| s.offset_days).collect::<Vec<_>>(),
        [-5, 10, 30]
    );
    assert_eq!(steps[0].channel, StepChannel::Email);
    assert!(steps[0].also.is_empty() && steps[0].claims.is_empty());
    assert!(!steps[0].requires_approval);
    assert_eq!(steps[0].conditions, StepConditions::default());
    assert_eq!(
        steps[1].conditions,
        StepConditions {
            min_overdue: Some(Money::from_minor(50_000, EUR)),
            customer_kind: Some(CustomerKind::Business),
            risk_segments: vec![RiskSegment::High, RiskSegment::Standard],
        }
    );
    assert!(steps[1].requires_approval);
    assert_eq!(steps[2].also, [StepChannel::Email]);
    assert_eq!(steps[2].claims, [Charge::Penalties, Charge::FixedIndemnity]);
}

#[test]
fn a_hand_edited_policy_with_comments_is_read_and_missing_days_are_closed() {
    let text = r#"
# Alsace : deux jours fériés de plus.
holidays = "fr-alsace-moselle"
min_days_between_contacts = 2
max_contacts_per_7_days = 3
max_contacts_per_30_days = 8
max_phone_attempts_per_day = 1
promise_grace_days = 5
written_fallback = ["letter"]   # pas d'e-mail de repli

[hours]
# Le matin seulement, et le samedi.
monday = ["9:00 - 12:00"]
saturday = ["10:00-12:00"]
"#;
    let policy = read_policy(text).unwrap();
    assert_eq!(policy.hours.holidays(), HolidayCalendar::AlsaceMoselle);
    assert_eq!(policy.promise_grace_days, 5);
    assert_eq!(policy.written_fallback, [StepChannel::Letter]);
    let day = |weekday| {
        policy
            .hours
            .ranges(weekday)
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
    };
    use jiff::civil::Weekday;
    assert_eq!(day(Weekday::Monday), ["09:00-12:00"]);
    assert_eq!(day(Weekday::Saturday), ["10:00-12:00"]);
    assert!(day(Weekday::Tuesday).is_empty());
}

// ---------------------------------------------------------------------------------------------
// Mistakes in a scenario file
// ---------------------------------------------------------------------------------------------

#[test]
fn a_handoff_before_thirty_days_is_refused_on_its_offset() {
    let problem = scenario_problem(&TWO_STEPS.replace("offset_days = 45", "offset_days = 20"));
    assert_located(&problem, 12, "offset_days");
    assert!(
        problem
            .describe(Language::French)
            .ends_with("l'étape « handoff » transmet le dossier à J+20 : une transmission exige au moins 30 jours de retard"),
        "{problem:?}"
    );
    assert!(
        problem
            .describe(Language::English)
            .contains("hands the case over at J+20"),
        "{problem:?}"
    );
}

#[test]
fn steps_going_backwards_are_refused_on_the_later_step() {
    let text = TWO_STEPS.replace("offset_days = 45", "offset_days = 30\n");
    let text = text.replace("offset_days = 1\n", "offset_days = 31\n");
    let problem = scenario_problem(&text);
    assert_located(&problem, 12, "offset_days");
    assert!(
        problem
            .describe(Language::French)
            .contains("ne peuvent pas revenir en arrière")
    );
    assert!(
        problem
            .describe(Language::English)
            .contains("steps must not go backwards")
    );
}

#[test]
fn an_unknown_channel_is_refused_and_the_known_ones_listed() {
    let problem = scenario_problem(&TWO_STEPS.replace("\"email\"", "\"pigeon\""));
    assert_located(&problem, 6, "channel");
    assert_eq!(
        problem.describe(Language::French),
        "ligne 6, champ « channel » : canal inconnu « pigeon » (email, sms, letter, \
         registered_letter, phone_task, agency_handoff ou legal)"
    );
    assert!(
        problem
            .describe(Language::English)
            .contains("unknown channel \"pigeon\"")
    );
}

#[test]
fn a_hand_off_cannot_be_a_companion_channel() {
    let text = TWO_STEPS.replace(
        "channel = \"email\"\n",
        "channel = \"email\"\nalso = [\"sms\",\n  \"legal\"]\n",
    );
    let problem = scenario_problem(&text);
    assert_located(&problem, 7, "also");
}

#[test]
fn an_unknown_companion_channel_is_refused_on_its_own_line() {
    let text = TWO_STEPS.replace(
        "channel = \"email\"\n",
        "channel = \"email\"\nalso = [\n  \"sms\",\n  \"fax\",\n]\n",
    );
    assert_located(&scenario_problem(&text), 9, "also");
}

#[test]
fn an_amount_that_is_not_a_decimal_is_refused() {
    let text = TWO_STEPS.replace(
        "template = \"first_reminder\"\n",
        "template = \"first_reminder\"\nmin_overdue = \"50,00 €\"\n",
    );
    let problem = scenario_problem(&text);
    assert_located(&problem, 9, "min_overdue");
    assert!(
        problem
            .describe(Language::French)
            .contains("« 50,00 € » n'est pas un montant")
    );
    assert!(
        problem
            .describe(Language::English)
            .contains("\"50,00 €\" is not an amount")
    );
}

#[test]
fn an_unknown_customer_kind_or_segment_is_refused() {
    let text = TWO_STEPS.replace(
        "template = \"first_reminder\"\n",
        "template = \"first_reminder\"\ncustomer_kind = \"martian\"\n",
    );
    assert_located(&scenario_problem(&text), 9, "customer_kind");
    let text = TWO_STEPS.replace(
        "template = \"first_reminder\"\n",
        "template = \"first_reminder\"\nrisk_segments = [\"huge\"]\n",
    );
    let problem = scenario_problem(&text);
    assert_located(&problem, 9, "risk_segments");
    assert!(
        problem
            .describe(Language::French)
            .contains("segment de risque inconnu « huge »")
    );
}

#[test]
fn an_unknown_field_is_refused_by_name() {
    let text = TWO_STEPS.replace("offset_days = 1\n", "ofset_days = 1\n");
    let problem = scenario_problem(&text);
    assert_located(&problem, 5, "ofset_days");
    assert!(
        problem
            .describe(Language::French)
            .contains("champ inconnu (champs possibles : key, offset_days"),
        "{problem:?}"
    );
    assert!(
        problem
            .describe(Language::English)
            .contains("unknown field (known fields: key, offset_days"),
        "{problem:?}"
    );
    let problem = scenario_problem(&format!("author = \"me\"\n{TWO_STEPS}"));
    assert_located(&problem, 1, "author");
}

#[test]
fn a_missing_field_is_named() {
    let problem = scenario_problem(&TWO_STEPS.replace("tone = \"formal\"\n", ""));
    // Placed on the header of the step that lacks it.
    assert_located(&problem, 10, "tone");
    assert!(
        problem
            .describe(Language::French)
            .ends_with("champ « tone » : ce champ obligatoire manque")
    );
    assert!(
        problem
            .describe(Language::English)
            .ends_with("field \"tone\": this required field is missing")
    );
}

#[test]
fn a_value_of_the_wrong_type_is_refused_on_its_line() {
    let problem = scenario_problem(&TWO_STEPS.replace("offset_days = 1", "offset_days = \"one\""));
    assert_located(&problem, 5, "offset_days");
    assert!(
        problem
            .describe(Language::French)
            .contains("attendu : un nombre entier"),
        "{problem:?}"
    );
    assert!(
        problem
            .describe(Language::English)
            .contains("expected a whole number")
    );
}

#[test]
fn broken_toml_is_located() {
    let problem =
        scenario_problem(&TWO_STEPS.replace("tone = \"courteous\"", "tone = \"courteous"));
    assert_eq!(problem.line, Some(7), "{problem:?}");
    assert!(problem.describe(Language::French).starts_with("ligne 7"));
    assert!(
        problem
            .describe(Language::French)
            .contains("TOML mal formé")
    );
}

#[test]
fn a_key_used_twice_is_refused_on_its_second_use() {
    let problem = scenario_problem(&TWO_STEPS.replace("key = \"handoff\"", "key = \"reminder\""));
    assert_located(&problem, 11, "key");
}

#[test]
fn a_scenario_without_steps_is_refused() {
    let problem = scenario_problem("name = \"empty\"\n");
    assert_eq!(problem.field.as_deref(), Some("steps"));
    assert_eq!(
        problem.describe(Language::French),
        "champ « steps » : le scénario « empty » n'a aucune étape"
    );
}

// ---------------------------------------------------------------------------------------------
// Mistakes in a policy file
// ---------------------------------------------------------------------------------------------

#[test]
fn a_time_range_not_written_hh_mm_is_refused() {
    let problem = policy_problem(
        &WEEKDAYS_ONLY.replace("tuesday = [\"09:00-12:30\"", "tuesday = [\"9h-12h\""),
    );
    assert_located(&problem, 11, "tuesday");
    assert!(
        problem
            .describe(Language::French)
            .contains("« 9h-12h » n'est pas une plage horaire (HH:MM-HH:MM attendu")
    );
    assert!(
        problem
            .describe(Language::English)
            .contains("\"9h-12h\" is not a time range")
    );
}

#[test]
fn overlapping_ranges_are_refused_on_their_day() {
    let problem = policy_problem(
        &WEEKDAYS_ONLY.replace("friday = [\"09:00-12:30\"", "friday = [\"09:00-15:00\""),
    );
    assert_located(&problem, 14, "friday");
    assert!(
        problem
            .describe(Language::French)
            .contains("les plages 09:00-15:00 et 14:00-19:00 se chevauchent")
    );
}

#[test]
fn a_week_without_hours_is_refused() {
    let text = WEEKDAYS_ONLY.split("monday").next().unwrap();
    let problem = policy_problem(text);
    assert_located(&problem, 9, "hours");
    assert!(
        problem
            .describe(Language::English)
            .contains("no contact hours on any day")
    );
}

#[test]
fn limits_that_contradict_each_other_are_refused_on_the_field_at_fault() {
    let problem = policy_problem(&WEEKDAYS_ONLY.replace(
        "max_contacts_per_30_days = 8",
        "max_contacts_per_30_days = 2",
    ));
    assert_located(&problem, 4, "max_contacts_per_30_days");
    assert!(
        problem
            .describe(Language::French)
            .ends_with("max_contacts_per_30_days (2) est inférieur à max_contacts_per_7_days (3)")
    );
}

#[test]
fn a_phone_call_is_not_a_written_fallback() {
    let problem = policy_problem(
        &WEEKDAYS_ONLY.replace("[\"email\", \"letter\"]", "[\"email\", \"phone_task\"]"),
    );
    assert_located(&problem, 7, "written_fallback");
}

#[test]
fn unknown_calendars_days_and_negative_counts_are_refused() {
    let problem = policy_problem(&WEEKDAYS_ONLY.replace("\"fr\"", "\"be\""));
    assert_located(&problem, 1, "holidays");
    let problem = policy_problem(&WEEKDAYS_ONLY.replace("friday", "fridya"));
    assert_located(&problem, 14, "fridya");
    let problem =
        policy_problem(&WEEKDAYS_ONLY.replace("promise_grace_days = 3", "promise_grace_days = -1"));
    assert_located(&problem, 6, "promise_grace_days");
    assert!(
        problem
            .describe(Language::English)
            .contains("expected a whole number from 0 to 65535"),
        "{problem:?}"
    );
}

#[test]
fn a_file_saved_with_a_bom_and_windows_line_ends_is_read_and_located() {
    let windows = |text: &str| format!("\u{feff}{}", text.replace('\n', "\r\n"));
    assert_eq!(
        read_scenario(&windows(TWO_STEPS), EUR).map(|scenario| scenario.steps().len()),
        Ok(2)
    );
    let problem = scenario_problem(&windows(&TWO_STEPS.replace("\"email\"", "\"fax\"")));
    assert_located(&problem, 6, "channel");
}

// --- Forms -----------------------------------------------------------------------------------

#[test]
fn a_scenario_form_reads_back_to_the_scenario_it_shows() {
    for scenario in [Scenario::default_b2b(), Scenario::default_b2c()] {
        let form: Vec<StepForm> = scenario.steps().iter().map(StepForm::of).collect();
        assert_eq!(
            read_scenario_form(scenario.name(), &form, EUR).unwrap(),
            scenario
        );
    }
}

#[test]
fn a_scenario_form_problem_names_its_step_and_field_with_the_files_reasons() {
    let scenario = Scenario::default_b2b();
    let mut form: Vec<StepForm> = scenario.steps().iter().map(StepForm::of).collect();
    // A hand-off before 30 days overdue is refused on the hand-off's offset.
    assert_eq!(form[6].channel, "agency_handoff");
    form[5].offset_days = "20".into();
    form[6].offset_days = "29".into();
    let problem = read_scenario_form("mine", &form, EUR).unwrap_err();
    assert_eq!(
        (
            problem.step,
            problem.problem.field.as_deref(),
            problem.problem.line
        ),
        (Some(6), Some("offset_days"), None)
    );
    assert!(
        problem
            .problem
            .describe(Language::English)
            .contains("at least 30 days"),
        "{problem:?}"
    );
    // Steps going backwards are refused on the step that goes back.
    let mut backwards: Vec<StepForm> = scenario.steps().iter().map(StepForm::of).collect();
    backwards[2].offset_days = "-5".into();
    let problem = read_scenario_form("mine", &backwards, EUR).unwrap_err();
    assert_eq!(
        (problem.step, problem.problem.field.as_deref()),
        (Some(2), Some("offset_days"))
    );
    assert!(
        problem
            .problem
            .describe(Language::French)
            .contains("revenir en arrière"),
        "{problem:?}"
    );
    // A number that is not one is the wrong kind of value, on its step.
    let mut typo: Vec<StepForm> = scenario.steps().iter().map(StepForm::of).collect();
    typo[1].offset_days = "dix".into();
    let problem = read_scenario_form("mine", &typo, EUR).unwrap_err();
    assert_eq!(
        (problem.step, problem.problem.field.as_deref()),
        (Some(1), Some("offset_days"))
    );
    let mut channel: Vec<StepForm> = scenario.steps().iter().map(StepForm::of).collect();
    channel[0].channel = "pigeon".into();
    let problem = read_scenario_form("mine", &channel, EUR).unwrap_err();
    assert_eq!(
        (problem.step, problem.problem.field.as_deref()),
        (Some(0), Some("channel"))
    );
    // A problem of the whole scenario (its name) concerns no step.
    let valid: Vec<StepForm> = scenario.steps().iter().map(StepForm::of).collect();
    let problem = read_scenario_form(" ", &valid, EUR).unwrap_err();
    assert_eq!(
        (problem.step, problem.problem.field.as_deref()),
        (None, Some("name"))
    );
}

#[test]
fn a_policy_form_reads_back_and_names_the_field_of_a_problem() {
    let policy = ContactPolicy::french_default();
    let form = PolicyForm::of(&policy);
    assert_eq!(read_policy_form(&form).unwrap(), policy);
    let mut overlapping = form.clone();
    overlapping.hours[1] = "09:00-12:00, 11:00-13:00".into();
    let problem = read_policy_form(&overlapping).unwrap_err();
    assert_eq!(problem.problem.field.as_deref(), Some("tuesday"));
    let mut monthly = form.clone();
    monthly.max_contacts_per_30_days = "0".into();
    let problem = read_policy_form(&monthly).unwrap_err();
    assert_eq!(
        problem.problem.field.as_deref(),
        Some("max_contacts_per_30_days")
    );
    let mut typo = form;
    typo.promise_grace_days = "trois".into();
    let problem = read_policy_form(&typo).unwrap_err();
    assert_eq!(problem.problem.field.as_deref(), Some("promise_grace_days"));
}
