//! Late-payment law commands: `relance interest`, `statement`, `rates show|import`,
//! `late-payment show|set`, `waiver add|list|withdraw` and `mention`.
//!
//! Tables explain each figure (the rate of each period and where it comes from, where each
//! payment went); JSON and CSV give amounts as canonical decimal strings ("1234.56") and rates
//! as percentages ("12.15").

use std::io::Write;

use anyhow::{Context, anyhow};
use app::clock::Clock;
use app::late_payment::{
    self, CustomerStatement, CustomerTerms, InterestRequest, LawError, MentionFor, PolicyChanges,
    PolicyField, RateTableInForce, RuleBook, WaiverAmount, WaiverRequest,
};
use app::setup::{SetupError, select_tenant};
use app::{Store, TenantRecord, WaiverRecord};
use domain::late_payment::{
    ClaimStatus, ClaimedLine, CostsNotClaimed, InterestPeriod, LateInterest, LatePaymentPolicy,
    RateBasis, RateTable, RateTableKind, Remark, WaiverExtent,
};
use domain::money::{Currency, Money};
use serde::Serialize;

use crate::casework::language;
use crate::cli::{
    Command, DetailsFormat, InterestArgs, Lang, LatePaymentCommand, LatePaymentSetArgs,
    MentionArgs, OutputFormat, RateKind, RatesCommand, StatementArgs, WaiverAddArgs, WaiverCommand,
};
use crate::commands::{cell_amount, emit, say};
use crate::config::{Config, Database};
use crate::output::{Table, human_amount, labelled, print_json};
use crate::{EXIT_REJECTED, Reported, tr};

pub(crate) async fn run(
    config: &Config,
    tenant: Option<i64>,
    command: Command,
    lang: Lang,
) -> anyhow::Result<()> {
    let clock = Clock::System;
    match command {
        Command::Interest(args) => interest(config, tenant, &args, lang).await,
        Command::Rates(RatesCommand::Show { kind, format }) => {
            let tables = match existing_store(config).await? {
                Some(store) => late_payment::rate_tables(&store).await?,
                None => late_payment::builtin_rate_tables(),
            };
            show_rates(&tables, kind.map(rate_table_kind), format, lang)
        }
        Command::Rates(RatesCommand::Import { file }) => {
            let store = config.open_existing().await?;
            let bytes = std::fs::read(&file).with_context(|| file.display().to_string())?;
            let name = file.display().to_string();
            match late_payment::import_rate_table(&store, clock, &name, &bytes).await {
                Ok(import) => say(rates_imported(&import, lang)),
                Err(LawError::RejectedRateTable { file, problems }) => {
                    let mut stderr = std::io::stderr().lock();
                    match lang {
                        Lang::Fr => writeln!(
                            stderr,
                            "{file} refusé : {} problème(s), rien n'a été importé.",
                            problems.len()
                        )?,
                        Lang::En => writeln!(
                            stderr,
                            "{file} rejected: {} problem(s), nothing was imported.",
                            problems.len()
                        )?,
                    }
                    for problem in &problems {
                        writeln!(stderr, "  {}", problem.describe(language(lang)))?;
                    }
                    Err(Reported(EXIT_REJECTED).into())
                }
                Err(error) => Err(localise(error, lang)),
            }
        }
        command => {
            let store = config.open_existing().await?;
            let tenant = select_tenant(&store, tenant).await?;
            with_tenant(&store, &tenant, clock, command, lang)
                .await
                .map_err(|error| match error.downcast::<LawError>() {
                    Ok(error) => localise(error, lang),
                    Err(other) => other,
                })
        }
    }
}

async fn with_tenant(
    store: &Store,
    tenant: &TenantRecord,
    clock: Clock,
    command: Command,
    lang: Lang,
) -> anyhow::Result<()> {
    match command {
        Command::Statement(args) => statement(store, tenant, clock, &args, lang).await,
        Command::LatePayment(LatePaymentCommand::Show { format }) => {
            let policy = late_payment::policy(store, tenant).await?;
            show_policy(&policy, &[], format, lang)
        }
        Command::LatePayment(LatePaymentCommand::Set(args)) => {
            set_policy(store, tenant, clock, &args, lang).await
        }
        Command::Waiver(WaiverCommand::Add(args)) => {
            add_waiver(store, tenant, clock, args, lang).await
        }
        Command::Waiver(WaiverCommand::List { customer, format }) => {
            let waivers = late_payment::waivers(store, tenant, &customer).await?;
            print_waivers(&waivers, format, lang)
        }
        Command::Waiver(WaiverCommand::Withdraw { id, reason }) => {
            let waiver = late_payment::withdraw_waiver(store, tenant, clock, id, &reason).await?;
            say(match lang {
                Lang::Fr => format!(
                    "Remise {} retirée : {} ; les pénalités et indemnités qu'elle couvrait sont de nouveau réclamées.",
                    waiver.id,
                    reason.trim()
                ),
                Lang::En => format!(
                    "Waiver {} withdrawn: {}; the charges it covered are claimed again.",
                    waiver.id,
                    reason.trim()
                ),
            })
        }
        Command::Mention(args) => mention(store, tenant, &args, lang).await,
        Command::Recovery(command) => {
            crate::recovery_cmds::run(store, tenant, clock, command, lang).await
        }
        Command::Settlement(command) => {
            crate::settlement_cmds::run(store, tenant, clock, command, lang).await
        }
        _ => unreachable!("late-payment commands only"),
    }
}

/// The database if the books exist: `interest` and `rates show` also work without any.
async fn existing_store(config: &Config) -> anyhow::Result<Option<Store>> {
    if let Database::Sqlite(path) = &config.database
        && !path.exists()
    {
        return Ok(None);
    }
    Ok(Some(config.open_existing().await?))
}

fn rate_table_kind(kind: RateKind) -> RateTableKind {
    match kind {
        RateKind::Ecb => RateTableKind::EcbMainRefinancing,
        RateKind::FrLegal => RateTableKind::FrenchLegalInterest,
        RateKind::DeBase => RateTableKind::GermanBase,
    }
}

/// A late-payment error in the user's language; each refused value on its own line, named by
/// its option.
fn localise(error: LawError, lang: Lang) -> anyhow::Error {
    match error {
        LawError::Invalid { problems } => {
            let mut text = tr(
                lang,
                "rien n'a été fait, car :",
                "nothing was done, because:",
            )
            .to_owned();
            for problem in &problems {
                text.push_str("\n  ");
                text.push_str(&problem.option_line(language(lang)));
            }
            anyhow!(text)
        }
        other => anyhow!(other.describe(language(lang))),
    }
}

/// A rate as people read it: `14,50 %` or `14.50%`.
fn human_rate(rate: domain::late_payment::Rate, lang: Lang) -> String {
    match lang {
        Lang::Fr => format!("{} %", rate.to_french_string()),
        Lang::En => format!("{rate}%"),
    }
}

/// Where a period's rate comes from, in words.
fn basis_text(basis: &RateBasis, lang: Lang) -> String {
    let rate = |rate| human_rate(rate, lang);
    match (basis, lang) {
        (
            RateBasis::EcbRatePlusMargin {
                reference_on,
                ecb_rate,
                margin,
            },
            Lang::Fr,
        ) => format!(
            "taux BCE au {reference_on} ({}) + {}",
            rate(*ecb_rate),
            rate(*margin)
        ),
        (
            RateBasis::EcbRatePlusMargin {
                reference_on,
                ecb_rate,
                margin,
            },
            Lang::En,
        ) => format!(
            "ECB rate on {reference_on} ({}) + {}",
            rate(*ecb_rate),
            rate(*margin)
        ),
        (RateBasis::GermanBaseRatePlusMargin { base_rate, margin }, _) => format!(
            "{} ({}) + {}",
            tr(lang, "taux de base allemand", "German base rate"),
            rate(*base_rate),
            rate(*margin)
        ),
        (
            RateBasis::FrenchLegalRate {
                legal_rate,
                judgment_increase,
                ..
            },
            _,
        ) => {
            let mut text = format!(
                "{} ({})",
                tr(lang, "taux de l'intérêt légal", "legal interest rate"),
                rate(*legal_rate)
            );
            if let Some(increase) = judgment_increase {
                text.push_str(&format!(
                    " + {} {}",
                    rate(*increase),
                    tr(lang, "après jugement", "after judgment")
                ));
            }
            text
        }
        (RateBasis::Contract, _) => tr(lang, "taux contractuel", "contract rate").to_owned(),
        (RateBasis::ContractTimesLegalRate { times, legal_rate }, _) => format!(
            "{times} × {} ({})",
            tr(lang, "taux de l'intérêt légal", "legal interest rate"),
            rate(*legal_rate)
        ),
        (RateBasis::ThreeTimesLegalRate { legal_rate }, _) => format!(
            "{} : 3 × {}",
            tr(lang, "plancher", "floor"),
            rate(*legal_rate)
        ),
    }
}

/// The customer's terms in one line, for its details.
pub(crate) fn terms_text(terms: &CustomerTerms, lang: Lang) -> String {
    let jurisdiction = terms.effective.jurisdiction;
    let mut text = if terms.own.jurisdiction.is_some() {
        format!("{jurisdiction}")
    } else {
        format!(
            "{jurisdiction} ({})",
            tr(lang, "selon le pays et le type", "from country and kind")
        )
    };
    if let Some(rate) = terms.own.contract_rate {
        text.push_str(&format!(
            "{}{rate}",
            tr(lang, ", taux contractuel ", ", contract rate ")
        ));
    }
    text
}

// --- interest -----------------------------------------------------------------------------------

async fn interest(
    config: &Config,
    tenant: Option<i64>,
    args: &InterestArgs,
    lang: Lang,
) -> anyhow::Result<()> {
    let (book, currency) = match existing_store(config).await? {
        None => (RuleBook::builtin(), Currency::EUR),
        Some(store) => match select_tenant(&store, tenant).await {
            Ok(tenant) => (
                late_payment::rule_book(&store, &tenant)
                    .await
                    .map_err(|error| localise(error, lang))?,
                tenant.profile.currency,
            ),
            Err(SetupError::NotInitialised) => (
                late_payment::installed_rule_book(&store)
                    .await
                    .map_err(|error| localise(error, lang))?,
                Currency::EUR,
            ),
            Err(error) => return Err(error.into()),
        },
    };
    let request = InterestRequest {
        jurisdiction: &args.jurisdiction,
        contract_rate: args.contract_rate.as_deref(),
        amount: &args.amount,
        due_on: args.due,
        until: args.until,
        payments: args.payments.iter().map(String::as_str).collect(),
        formal_notice_on: args.notice_date,
    };
    let result = late_payment::compute_interest(&book, currency, &request)
        .map_err(|error| localise(error, lang))?;
    if args.format == DetailsFormat::Json {
        return print_json(&interest_json(&result));
    }
    let mut text = match lang {
        Lang::Fr => format!(
            "Régime {} : {} dû le {}, intérêts calculés jusqu'au {}.\n\n",
            result.jurisdiction,
            human_amount(result.principal, lang),
            args.due,
            args.until
        ),
        Lang::En => format!(
            "Rule set {}: {} due on {}, interest counted through {}.\n\n",
            result.jurisdiction,
            human_amount(result.principal, lang),
            args.due,
            args.until
        ),
    };
    text.push_str(&figures_text(&result, lang));
    say(text.trim_end())
}

/// A period in JSON, the shape `relance interest` promises.
#[derive(Serialize)]
struct PeriodJson {
    from: String,
    to: String,
    days: i32,
    rate: String,
    base: String,
    interest: String,
}

fn periods_json(periods: &[InterestPeriod]) -> Vec<PeriodJson> {
    periods
        .iter()
        .map(|period| PeriodJson {
            from: period.from.to_string(),
            to: period.to.to_string(),
            days: period.days,
            rate: period.rate.to_string(),
            base: period.base.to_decimal_string(),
            interest: period.interest.to_decimal_string(),
        })
        .collect()
}

#[derive(Serialize)]
struct ImputationJson {
    date: String,
    amount: String,
    to_interest: String,
    to_principal: String,
    to_indemnity: String,
}

fn imputations_json(result: &LateInterest) -> Vec<ImputationJson> {
    result
        .payments
        .iter()
        .map(|payment| ImputationJson {
            date: payment.paid_on.to_string(),
            amount: payment.amount.to_decimal_string(),
            to_interest: payment.to_interest.to_decimal_string(),
            to_principal: payment.to_principal.to_decimal_string(),
            to_indemnity: payment.to_indemnity.to_decimal_string(),
        })
        .collect()
}

fn remarks(result: &LateInterest) -> Vec<String> {
    result
        .remarks
        .iter()
        .map(|remark| remark.describe(domain::customer::Language::English))
        .collect()
}

#[derive(Serialize)]
struct InterestJson {
    principal: String,
    interest: String,
    indemnity: String,
    total: String,
    periods: Vec<PeriodJson>,
    jurisdiction: String,
    currency: String,
    interest_starts_on: Option<String>,
    paid: String,
    balance: String,
    payments: Vec<ImputationJson>,
    remarks: Vec<String>,
    needs_review: bool,
}

fn interest_json(result: &LateInterest) -> InterestJson {
    InterestJson {
        principal: result.principal.to_decimal_string(),
        interest: result.interest.to_decimal_string(),
        indemnity: result.indemnity.to_decimal_string(),
        total: result.total.to_decimal_string(),
        periods: periods_json(&result.periods),
        jurisdiction: result.jurisdiction.to_string(),
        currency: result.principal.currency().code().to_owned(),
        interest_starts_on: result.interest_starts_on.map(|day| day.to_string()),
        paid: result.paid.to_decimal_string(),
        balance: result.balance.total.to_decimal_string(),
        payments: imputations_json(result),
        remarks: remarks(result),
        needs_review: result.needs_review(),
    }
}

/// The periods as a table, then the payments, the totals and the remarks.
fn figures_text(result: &LateInterest, lang: Lang) -> String {
    let mut text = String::new();
    if result.periods.is_empty() {
        text.push_str(tr(
            lang,
            "Aucun jour de retard à compter.\n",
            "No day of delay to count.\n",
        ));
    } else {
        let table = Table {
            headers: match lang {
                Lang::Fr => vec![
                    "du",
                    "au",
                    "jours",
                    "taux",
                    "base",
                    "intérêts",
                    "origine du taux",
                ],
                Lang::En => vec![
                    "from",
                    "to",
                    "days",
                    "rate",
                    "base",
                    "interest",
                    "rate basis",
                ],
            },
            numeric: vec![false, false, true, true, true, true, false],
            rows: result
                .periods
                .iter()
                .map(|period| {
                    vec![
                        period.from.to_string(),
                        period.to.to_string(),
                        period.days.to_string(),
                        human_rate(period.rate, lang),
                        human_amount(period.base, lang),
                        human_amount(period.interest, lang),
                        basis_text(&period.basis, lang),
                    ]
                })
                .collect(),
        };
        text.push_str(&table.render());
    }
    for payment in &result.payments {
        text.push_str(&match lang {
            Lang::Fr => format!(
                "Paiement du {} : {} (intérêts {}, principal {}, indemnité {})\n",
                payment.paid_on,
                human_amount(payment.amount, lang),
                human_amount(payment.to_interest, lang),
                human_amount(payment.to_principal, lang),
                human_amount(payment.to_indemnity, lang)
            ),
            Lang::En => format!(
                "Payment of {}: {} (interest {}, principal {}, indemnity {})\n",
                payment.paid_on,
                human_amount(payment.amount, lang),
                human_amount(payment.to_interest, lang),
                human_amount(payment.to_principal, lang),
                human_amount(payment.to_indemnity, lang)
            ),
        });
    }
    text.push('\n');
    let lines = [
        (tr(lang, "Principal", "Principal"), result.principal),
        (tr(lang, "Intérêts", "Interest"), result.interest),
        (
            tr(lang, "Indemnité forfaitaire", "Fixed indemnity"),
            result.indemnity,
        ),
        (tr(lang, "Total", "Total"), result.total),
        (tr(lang, "Payé", "Paid"), result.paid),
        (tr(lang, "Reste dû", "Still due"), result.balance.total),
    ];
    let lines: Vec<(&str, String)> = lines
        .iter()
        .map(|(label, money)| (*label, human_amount(*money, lang)))
        .collect();
    text.push_str(&labelled(&lines, lang));
    for remark in &result.remarks {
        text.push_str(&format!("\n! {}", remark_text(remark, lang)));
    }
    text
}

fn remark_text(remark: &Remark, lang: Lang) -> String {
    remark.describe(language(lang))
}

// --- statement ----------------------------------------------------------------------------------

async fn statement(
    store: &Store,
    tenant: &TenantRecord,
    clock: Clock,
    args: &StatementArgs,
    lang: Lang,
) -> anyhow::Result<()> {
    let found = late_payment::statement(store, tenant, clock, &args.customer, args.as_of).await?;
    match args.format {
        OutputFormat::Json => print_json(&statement_json(&found)),
        OutputFormat::Csv => emit(&statement_table(&found, args.format, lang), args.format),
        OutputFormat::Table => say(statement_text(&found, lang)),
    }
}

fn status_code(status: ClaimStatus) -> &'static str {
    match status {
        ClaimStatus::Claimed => "claimed",
        ClaimStatus::AwaitingFormalNotice => "awaiting_formal_notice",
        ClaimStatus::NotClaimed => "not_claimed",
    }
}

fn status_text(status: ClaimStatus, lang: Lang) -> &'static str {
    match status {
        ClaimStatus::Claimed => tr(lang, "réclamé", "claimed"),
        ClaimStatus::AwaitingFormalNotice => tr(
            lang,
            "réclamé après mise en demeure",
            "claimed after a formal notice",
        ),
        ClaimStatus::NotClaimed => tr(lang, "non réclamé", "not claimed"),
    }
}

fn claim_from_text(policy: &LatePaymentPolicy, lang: Lang) -> &'static str {
    use domain::late_payment::ClaimStart;
    match policy.claim_start {
        ClaimStart::Never => tr(
            lang,
            "pénalités et indemnités jamais réclamées",
            "penalties and indemnities never claimed",
        ),
        ClaimStart::FromFormalNotice => tr(
            lang,
            "pénalités et indemnités réclamées après mise en demeure",
            "penalties and indemnities claimed after a formal notice",
        ),
        ClaimStart::FromDueDate => tr(
            lang,
            "pénalités et indemnités réclamées dès l'échéance",
            "penalties and indemnities claimed from the due date",
        ),
    }
}

fn waived(line: &ClaimedLine) -> Money {
    line.interest_waived
        .checked_add(line.indemnity_waived)
        .expect("two parts of a claimed figure")
}

/// One row per invoice (with a total row in tables).
fn statement_table(found: &CustomerStatement, format: OutputFormat, lang: Lang) -> Table {
    let amount = |money| cell_amount(money, format, lang);
    let statement = &found.statement;
    let mut rows: Vec<Vec<String>> = statement
        .lines
        .iter()
        .map(|line| {
            let figures = &line.late_interest;
            let status = if format == OutputFormat::Csv {
                status_code(line.status).to_owned()
            } else {
                status_text(line.status, lang).to_owned()
            };
            vec![
                line.invoice.to_string(),
                line.due_on.to_string(),
                amount(figures.principal),
                amount(figures.paid),
                amount(figures.interest),
                amount(figures.indemnity),
                amount(waived(line)),
                amount(line.due),
                status,
            ]
        })
        .collect();
    if format != OutputFormat::Csv {
        let totals = &statement.totals;
        rows.push(vec![
            tr(lang, "Total", "Total").to_owned(),
            String::new(),
            amount(totals.principal),
            amount(totals.paid),
            amount(totals.interest_accrued),
            amount(totals.indemnity_accrued),
            amount(
                totals
                    .interest_waived
                    .checked_add(totals.indemnity_waived)
                    .expect("two parts of a total"),
            ),
            amount(totals.due),
            String::new(),
        ]);
    }
    Table {
        headers: match (lang, format) {
            (_, OutputFormat::Csv) => vec![
                "invoice_number",
                "due_date",
                "amount",
                "paid",
                "interest",
                "indemnity",
                "waived",
                "due",
                "status",
            ],
            (Lang::Fr, _) => vec![
                "facture",
                "échéance",
                "montant",
                "payé",
                "intérêts",
                "indemnité",
                "remises",
                "reste dû",
                "pénalités",
            ],
            (Lang::En, _) => vec![
                "invoice",
                "due",
                "amount",
                "paid",
                "interest",
                "indemnity",
                "waived",
                "due now",
                "charges",
            ],
        },
        numeric: vec![false, false, true, true, true, true, true, true, false],
        rows,
    }
}

fn costs_not_claimed_text(reason: Option<CostsNotClaimed>, lang: Lang) -> &'static str {
    match reason {
        None => "",
        Some(CostsNotClaimed::RuleSetWithoutIndemnity) => tr(
            lang,
            " (régime sans indemnité forfaitaire : frais à la charge du créancier)",
            " (rule set without a fixed indemnity: the costs stay with the creditor)",
        ),
        Some(CostsNotClaimed::ChargesNotClaimed) => tr(
            lang,
            " (pénalités et indemnités pas encore réclamées)",
            " (charges not claimed yet)",
        ),
        Some(CostsNotClaimed::CoveredByIndemnities) => tr(
            lang,
            " (couverts par les indemnités forfaitaires)",
            " (covered by the fixed indemnities)",
        ),
    }
}

fn statement_text(found: &CustomerStatement, lang: Lang) -> String {
    let statement = &found.statement;
    let mut text = match lang {
        Lang::Fr => format!(
            "Décompte de {} ({}) au {} — régime {} ; {}.\n\n",
            found.customer_ref,
            found.legal_name,
            statement.as_of,
            terms_text(&found.terms, lang),
            claim_from_text(&found.policy, lang)
        ),
        Lang::En => format!(
            "Statement of account of {} ({}) as of {}: rule set {}; {}.\n\n",
            found.customer_ref,
            found.legal_name,
            statement.as_of,
            terms_text(&found.terms, lang),
            claim_from_text(&found.policy, lang)
        ),
    };
    if statement.lines.is_empty() {
        text.push_str(tr(
            lang,
            "Aucune facture en retard ni payée en retard.\n",
            "No invoice late or paid late.\n",
        ));
    } else {
        text.push_str(&statement_table(found, OutputFormat::Table, lang).render());
    }
    for (line, note) in statement.lines.iter().zip(&found.notes) {
        let mut details = Vec::new();
        if let Some(notice_on) = note.formal_notice_on {
            details.push(match lang {
                Lang::Fr => format!("mise en demeure le {notice_on}"),
                Lang::En => format!("formal notice on {notice_on}"),
            });
        }
        if let Some(judgment_on) = note.judgment_on {
            details.push(match lang {
                Lang::Fr => format!("jugement exécutoire et signifié le {judgment_on}"),
                Lang::En => format!("judgment enforceable and served on {judgment_on}"),
            });
        }
        if let Some(starts_on) = line.late_interest.interest_starts_on
            && !line.late_interest.periods.is_empty()
        {
            let rates: Vec<String> = line
                .late_interest
                .periods
                .iter()
                .map(|period| {
                    format!(
                        "{}–{} {} {}",
                        period.from,
                        period.to,
                        human_rate(period.rate, lang),
                        human_amount(period.interest, lang)
                    )
                })
                .collect();
            details.push(match lang {
                Lang::Fr => format!("intérêts dès le {starts_on} : {}", rates.join(", ")),
                Lang::En => format!("interest from {starts_on}: {}", rates.join(", ")),
            });
        }
        let mut undated = note.undated_paid;
        for payment in &line.late_interest.payments {
            let when = if undated.is_positive()
                && payment.paid_on == line.due_on
                && payment.amount == undated
            {
                undated = Money::zero(undated.currency());
                tr(
                    lang,
                    "sans date (compté à l'échéance)",
                    "undated (counted on the due date)",
                )
                .to_owned()
            } else {
                payment.paid_on.to_string()
            };
            details.push(match lang {
                Lang::Fr => format!(
                    "paiement {when} de {} (principal {}, intérêts {})",
                    human_amount(payment.amount, lang),
                    human_amount(payment.to_principal, lang),
                    human_amount(payment.to_interest, lang)
                ),
                Lang::En => format!(
                    "payment {when} of {} (principal {}, interest {})",
                    human_amount(payment.amount, lang),
                    human_amount(payment.to_principal, lang),
                    human_amount(payment.to_interest, lang)
                ),
            });
        }
        if line.overpaid.is_positive() {
            details.push(match lang {
                Lang::Fr => format!("trop-perçu {}", human_amount(line.overpaid, lang)),
                Lang::En => format!("overpaid {}", human_amount(line.overpaid, lang)),
            });
        }
        for remark in &line.late_interest.remarks {
            details.push(format!("! {}", remark_text(remark, lang)));
        }
        if !details.is_empty() {
            text.push_str(&format!("\n{}{}", line.invoice, tr(lang, " : ", ": ")));
            text.push_str(&details.join(tr(lang, " ; ", "; ")));
        }
    }
    if !found.waivers.is_empty() {
        text.push_str(tr(
            lang,
            "\n\nRemises en vigueur :",
            "\n\nWaivers in force:",
        ));
        for (record, effect) in found.waivers.iter().zip(&statement.waivers) {
            text.push_str(&format!(
                "\n  #{} {} — {} ({}{})",
                record.id,
                waiver_text(record, lang),
                record.reason,
                tr(lang, "effet : ", "effect: "),
                human_amount(
                    effect
                        .interest
                        .checked_add(effect.indemnity)
                        .expect("two parts of a waiver's effect"),
                    lang
                )
            ));
        }
    }
    if let Some(costs) = &statement.costs {
        text.push_str(tr(
            lang,
            "\n\nFrais de recouvrement justifiés :",
            "\n\nProven collection costs:",
        ));
        for cost in &found.costs {
            text.push_str(&format!(
                "\n  #{} {} {} — {}",
                cost.id,
                cost.incurred_on,
                human_amount(cost.amount, lang),
                cost.description
            ));
        }
        text.push_str(&match lang {
            Lang::Fr => format!(
                "\n  total {}, dont {} couverts par les indemnités forfaitaires : indemnité complémentaire réclamée {}{}",
                human_amount(costs.proven, lang),
                human_amount(costs.covered_by_indemnities, lang),
                human_amount(costs.claimed, lang),
                costs_not_claimed_text(costs.not_claimed, lang)
            ),
            Lang::En => format!(
                "\n  total {}, of which {} covered by the fixed indemnities: complementary indemnity claimed {}{}",
                human_amount(costs.proven, lang),
                human_amount(costs.covered_by_indemnities, lang),
                human_amount(costs.claimed, lang),
                costs_not_claimed_text(costs.not_claimed, lang)
            ),
        });
    }
    if !found.other_currencies.is_empty() {
        let numbers: Vec<String> = found
            .other_currencies
            .iter()
            .map(|n| n.to_string())
            .collect();
        text.push_str(&match lang {
            Lang::Fr => format!(
                "\n\nFactures dans une autre devise, non comprises : {}",
                numbers.join(", ")
            ),
            Lang::En => format!(
                "\n\nInvoices in another currency, not included: {}",
                numbers.join(", ")
            ),
        });
    }
    let totals = &statement.totals;
    let mut figures = vec![
        (
            tr(lang, "Principal", "Principal"),
            human_amount(totals.principal, lang),
        ),
        (
            tr(lang, "Intérêts réclamés", "Interest claimed"),
            human_amount(totals.interest_claimed, lang),
        ),
        (
            tr(lang, "Indemnités réclamées", "Indemnities claimed"),
            human_amount(totals.indemnity_claimed, lang),
        ),
    ];
    if statement.costs.is_some() {
        figures.push((
            tr(lang, "Frais de recouvrement", "Collection costs"),
            human_amount(totals.costs_claimed, lang),
        ));
    }
    figures.extend([
        (
            tr(lang, "Paiements reçus", "Payments received"),
            human_amount(totals.paid, lang),
        ),
        (
            tr(lang, "Total dû", "Total due"),
            format!(
                "{} {}",
                human_amount(totals.due, lang),
                statement.currency.code()
            ),
        ),
    ]);
    text.push_str("\n\n");
    text.push_str(&labelled(&figures, lang));
    if statement.needs_review() {
        text.push_str(tr(
            lang,
            "\n\nÀ vérifier avant toute réclamation : voir les remarques (!).",
            "\n\nTo be reviewed before anything is claimed: see the remarks (!).",
        ));
    }
    text
}

#[derive(Serialize)]
struct StatementLineJson {
    invoice_number: String,
    due_date: String,
    amount: String,
    paid: String,
    paid_without_date: String,
    formal_notice_date: Option<String>,
    judgment_date: Option<String>,
    status: &'static str,
    interest_starts_on: Option<String>,
    interest: String,
    interest_waived: String,
    interest_claimed: String,
    indemnity: String,
    indemnity_waived: String,
    indemnity_claimed: String,
    due_principal: String,
    due_interest: String,
    due_indemnity: String,
    due: String,
    overpaid: String,
    periods: Vec<PeriodJson>,
    payments: Vec<ImputationJson>,
    remarks: Vec<String>,
    needs_review: bool,
}

#[derive(Serialize)]
struct StatementTotalsJson {
    principal: String,
    paid: String,
    interest: String,
    interest_waived: String,
    interest_claimed: String,
    indemnity: String,
    indemnity_waived: String,
    indemnity_claimed: String,
    costs_claimed: String,
    due: String,
    overpaid: String,
}

#[derive(Serialize)]
struct CostsJson {
    proven: String,
    covered_by_indemnities: String,
    claimed: String,
    not_claimed: Option<&'static str>,
}

#[derive(Serialize)]
struct StatementJson {
    customer_ref: String,
    name: String,
    as_of: String,
    currency: String,
    jurisdiction: String,
    contract_rate: Option<String>,
    claim_from: &'static str,
    invoices: Vec<StatementLineJson>,
    waivers: Vec<WaiverJson>,
    costs: Option<CostsJson>,
    totals: StatementTotalsJson,
    other_currency_invoices: Vec<String>,
    needs_review: bool,
}

fn statement_json(found: &CustomerStatement) -> StatementJson {
    let statement = &found.statement;
    let text = |money: Money| money.to_decimal_string();
    let totals = &statement.totals;
    StatementJson {
        customer_ref: found.customer_ref.to_string(),
        name: found.legal_name.clone(),
        as_of: statement.as_of.to_string(),
        currency: statement.currency.code().to_owned(),
        jurisdiction: found.terms.effective.jurisdiction.to_string(),
        contract_rate: found
            .terms
            .effective
            .contract_rate
            .map(|rate| rate.to_string()),
        claim_from: found.policy.claim_start.code(),
        invoices: statement
            .lines
            .iter()
            .zip(&found.notes)
            .map(|(line, note)| {
                let figures = &line.late_interest;
                StatementLineJson {
                    invoice_number: line.invoice.to_string(),
                    due_date: line.due_on.to_string(),
                    amount: text(figures.principal),
                    paid: text(figures.paid),
                    paid_without_date: text(note.undated_paid),
                    formal_notice_date: note.formal_notice_on.map(|day| day.to_string()),
                    judgment_date: note.judgment_on.map(|day| day.to_string()),
                    status: status_code(line.status),
                    interest_starts_on: figures.interest_starts_on.map(|day| day.to_string()),
                    interest: text(figures.interest),
                    interest_waived: text(line.interest_waived),
                    interest_claimed: text(line.interest_claimed),
                    indemnity: text(figures.indemnity),
                    indemnity_waived: text(line.indemnity_waived),
                    indemnity_claimed: text(line.indemnity_claimed),
                    due_principal: text(line.due_principal),
                    due_interest: text(line.due_interest),
                    due_indemnity: text(line.due_indemnity),
                    due: text(line.due),
                    overpaid: text(line.overpaid),
                    periods: periods_json(&figures.periods),
                    payments: imputations_json(figures),
                    remarks: remarks(figures),
                    needs_review: figures.needs_review(),
                }
            })
            .collect(),
        waivers: found
            .waivers
            .iter()
            .zip(&statement.waivers)
            .map(|(record, effect)| WaiverJson {
                interest_waived: Some(text(effect.interest)),
                indemnity_waived: Some(text(effect.indemnity)),
                ..waiver_json(record)
            })
            .collect(),
        costs: statement.costs.map(|costs| CostsJson {
            proven: text(costs.proven),
            covered_by_indemnities: text(costs.covered_by_indemnities),
            claimed: text(costs.claimed),
            not_claimed: costs.not_claimed.map(|reason| match reason {
                CostsNotClaimed::RuleSetWithoutIndemnity => "rule-set-without-indemnity",
                CostsNotClaimed::ChargesNotClaimed => "charges-not-claimed",
                CostsNotClaimed::CoveredByIndemnities => "covered-by-indemnities",
            }),
        }),
        totals: StatementTotalsJson {
            principal: text(totals.principal),
            paid: text(totals.paid),
            interest: text(totals.interest_accrued),
            interest_waived: text(totals.interest_waived),
            interest_claimed: text(totals.interest_claimed),
            indemnity: text(totals.indemnity_accrued),
            indemnity_waived: text(totals.indemnity_waived),
            indemnity_claimed: text(totals.indemnity_claimed),
            costs_claimed: text(totals.costs_claimed),
            due: text(totals.due),
            overpaid: text(totals.overpaid),
        },
        other_currency_invoices: found
            .other_currencies
            .iter()
            .map(|number| number.to_string())
            .collect(),
        needs_review: statement.needs_review(),
    }
}

// --- rates --------------------------------------------------------------------------------------

fn rates_imported(import: &late_payment::RateTableImport, lang: Lang) -> String {
    let kind = import.kind.code();
    match (lang, import.changed) {
        (Lang::Fr, true) => format!(
            "Table {kind} importée ({} lignes) : elle remplace la table en vigueur pour tous les créanciers.",
            import.rows
        ),
        (Lang::En, true) => format!(
            "Table {kind} imported ({} rows): it replaces the table in force for every creditor.",
            import.rows
        ),
        (Lang::Fr, false) => {
            format!("Table {kind} : identique à la table en vigueur, rien n'a changé.")
        }
        (Lang::En, false) => {
            format!("Table {kind}: identical to the table in force, nothing changed.")
        }
    }
}

/// One row of a rate table, whichever it is.
struct RateRow {
    from: String,
    category: Option<&'static str>,
    rate: domain::late_payment::Rate,
    source: String,
}

fn rate_rows(table: &RateTable) -> Vec<RateRow> {
    match table {
        RateTable::EcbMainRefinancing(ecb) => ecb
            .changes()
            .iter()
            .map(|change| RateRow {
                from: change.effective_on.to_string(),
                category: None,
                rate: change.rate,
                source: change.source.clone(),
            })
            .collect(),
        RateTable::FrenchLegalInterest(legal) => legal
            .entries()
            .iter()
            .map(|entry| RateRow {
                from: entry.half_year.start().to_string(),
                category: Some(entry.category.code()),
                rate: entry.rate,
                source: entry.source.clone(),
            })
            .collect(),
        RateTable::GermanBase(german) => german
            .entries()
            .iter()
            .map(|entry| RateRow {
                from: entry.half_year.start().to_string(),
                category: None,
                rate: entry.rate,
                source: entry.source.clone(),
            })
            .collect(),
    }
}

#[derive(Serialize)]
struct RateRowJson {
    from: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    category: Option<&'static str>,
    rate: String,
    source: String,
}

#[derive(Serialize)]
struct RateTableJson {
    kind: &'static str,
    origin: &'static str,
    imported_at: Option<String>,
    rows: Vec<RateRowJson>,
}

fn show_rates(
    tables: &[RateTableInForce],
    kind: Option<RateTableKind>,
    format: OutputFormat,
    lang: Lang,
) -> anyhow::Result<()> {
    let chosen: Vec<&RateTableInForce> = tables
        .iter()
        .filter(|in_force| kind.is_none_or(|kind| in_force.table.kind() == kind))
        .collect();
    match format {
        OutputFormat::Csv => {
            let [only] = chosen.as_slice() else {
                anyhow::bail!(
                    "{}",
                    tr(
                        lang,
                        "--format csv écrit le fichier d'une table : précisez --kind ecb, fr-legal ou de-base",
                        "--format csv writes one table's file: give --kind ecb, fr-legal or de-base"
                    )
                );
            };
            let mut stdout = std::io::stdout().lock();
            write!(
                stdout,
                "{}",
                formats::rate_tables::write_rate_table(&only.table)
            )?;
            Ok(())
        }
        OutputFormat::Json => print_json(
            &chosen
                .iter()
                .map(|in_force| RateTableJson {
                    kind: in_force.table.kind().code(),
                    origin: if in_force.imported_at.is_some() {
                        "imported"
                    } else {
                        "builtin"
                    },
                    imported_at: in_force.imported_at.map(|at| at.to_string()),
                    rows: rate_rows(&in_force.table)
                        .into_iter()
                        .map(|row| RateRowJson {
                            from: row.from,
                            category: row.category,
                            rate: row.rate.to_string(),
                            source: row.source,
                        })
                        .collect(),
                })
                .collect::<Vec<_>>(),
        ),
        OutputFormat::Table => {
            let mut text = String::new();
            for in_force in chosen {
                let kind = in_force.table.kind().code();
                text.push_str(&match (in_force.imported_at, lang) {
                    (None, Lang::Fr) => format!("{kind} (table intégrée)\n"),
                    (None, Lang::En) => format!("{kind} (built-in table)\n"),
                    (Some(at), Lang::Fr) => format!("{kind} (importée le {at})\n"),
                    (Some(at), Lang::En) => format!("{kind} (imported on {at})\n"),
                });
                let table = Table {
                    headers: match lang {
                        Lang::Fr => vec!["depuis", "catégorie", "taux", "source"],
                        Lang::En => vec!["from", "category", "rate", "source"],
                    },
                    numeric: vec![false, false, true, false],
                    rows: rate_rows(&in_force.table)
                        .into_iter()
                        .map(|row| {
                            vec![
                                row.from,
                                row.category.unwrap_or("").to_owned(),
                                human_rate(row.rate, lang),
                                shortened(&row.source),
                            ]
                        })
                        .collect(),
                };
                text.push_str(&table.render());
                text.push('\n');
            }
            say(text.trim_end())
        }
    }
}

/// A source in a table cell: the full text is in `--format json` and `--format csv`.
fn shortened(text: &str) -> String {
    const SHOWN: usize = 60;
    if text.chars().count() <= SHOWN {
        text.to_owned()
    } else {
        let mut short: String = text.chars().take(SHOWN).collect();
        short.push('…');
        short
    }
}

// --- settings -----------------------------------------------------------------------------------

async fn set_policy(
    store: &Store,
    tenant: &TenantRecord,
    clock: Clock,
    args: &LatePaymentSetArgs,
    lang: Lang,
) -> anyhow::Result<()> {
    let changes = PolicyChanges {
        claim_start: args.claim_from.as_deref(),
        day_count: args.day_count.as_deref(),
        payment_order: args.payment_order.as_deref(),
        below_floor: args.below_floor.as_deref(),
        statutory_rate_floor: args.statutory_rate_floor.as_deref(),
        post_judgment_increase: args.post_judgment_increase.as_deref(),
        creditor: args.creditor.as_deref(),
        early_payment_discount: args.early_payment_discount.as_deref(),
    };
    let update = late_payment::set_policy(store, tenant, clock, &changes).await?;
    show_policy(&update.policy, &update.changed, args.format, lang)
}

fn show_policy(
    policy: &LatePaymentPolicy,
    changed: &[PolicyField],
    format: DetailsFormat,
    lang: Lang,
) -> anyhow::Result<()> {
    if format == DetailsFormat::Json {
        let mut object = serde_json::Map::new();
        for field in PolicyField::ALL {
            object.insert(field.code().to_owned(), field.value(policy).into());
        }
        object.insert(
            "changed".to_owned(),
            changed
                .iter()
                .map(|field| serde_json::Value::from(field.code()))
                .collect::<Vec<_>>()
                .into(),
        );
        return print_json(&object);
    }
    let lines: Vec<(&str, String)> = PolicyField::ALL
        .iter()
        .map(|field| {
            let marker = if changed.contains(field) {
                tr(lang, "  (modifié)", "  (changed)")
            } else {
                ""
            };
            (
                field.label(language(lang)),
                format!(
                    "{}{marker}",
                    field
                        .value(policy)
                        .replace("none", tr(lang, "aucun", "none"))
                ),
            )
        })
        .collect();
    say(labelled(&lines, lang))
}

// --- waivers ------------------------------------------------------------------------------------

async fn add_waiver(
    store: &Store,
    tenant: &TenantRecord,
    clock: Clock,
    args: WaiverAddArgs,
    lang: Lang,
) -> anyhow::Result<()> {
    let by = args
        .by
        .or_else(|| std::env::var("USER").ok())
        .or_else(|| std::env::var("USERNAME").ok())
        .unwrap_or_default();
    let amount = match (&args.amount, &args.percent) {
        (Some(amount), _) => WaiverAmount::Amount(amount),
        (None, Some(percent)) => WaiverAmount::Percent(percent),
        (None, None) => WaiverAmount::All,
    };
    let request = WaiverRequest {
        customer: &args.customer,
        invoice: args.invoice.as_deref(),
        amount,
        charges: &args.what,
        reason: &args.reason,
        granted_by: &by,
    };
    let record = late_payment::add_waiver(store, tenant, clock, &request).await?;
    say(match lang {
        Lang::Fr => format!(
            "Remise {} accordée à {} : {} ; motif : {} ; par {}.\nElle s'applique dès le prochain `relance statement` ; `relance waiver withdraw {}` la retire.",
            record.id,
            args.customer.trim(),
            waiver_text(&record, lang),
            record.reason,
            record.granted_by,
            record.id
        ),
        Lang::En => format!(
            "Waiver {} granted to {}: {}; reason: {}; by {}.\nIt applies from the next `relance statement`; `relance waiver withdraw {}` withdraws it.",
            record.id,
            args.customer.trim(),
            waiver_text(&record, lang),
            record.reason,
            record.granted_by,
            record.id
        ),
    })
}

/// What a waiver gives up, in words: "50 % des intérêts de F-1".
fn waiver_text(record: &WaiverRecord, lang: Lang) -> String {
    app::late_payment::waiver_text(record, language(lang), |amount| human_amount(amount, lang))
}

#[derive(Serialize)]
struct WaiverJson {
    id: i64,
    invoice_number: Option<String>,
    extent: &'static str,
    amount: Option<String>,
    percent: Option<String>,
    what: &'static str,
    reason: String,
    granted_by: String,
    granted_at: String,
    withdrawn_at: Option<String>,
    withdrawal_reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    interest_waived: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    indemnity_waived: Option<String>,
}

fn waiver_json(record: &WaiverRecord) -> WaiverJson {
    let waiver = &record.waiver;
    let (extent, amount, percent) = match waiver.extent {
        WaiverExtent::Full => ("full", None, None),
        WaiverExtent::Amount(amount) => ("amount", Some(amount.to_decimal_string()), None),
        WaiverExtent::Share(share) => ("share", None, Some(share.to_percent_string())),
    };
    WaiverJson {
        id: record.id,
        invoice_number: waiver.invoice.as_ref().map(|number| number.to_string()),
        extent,
        amount,
        percent,
        what: waiver.charges.code(),
        reason: record.reason.clone(),
        granted_by: record.granted_by.clone(),
        granted_at: record.granted_at.to_string(),
        withdrawn_at: record.withdrawn_at.map(|at| at.to_string()),
        withdrawal_reason: record.withdrawal_reason.clone(),
        interest_waived: None,
        indemnity_waived: None,
    }
}

fn print_waivers(waivers: &[WaiverRecord], format: OutputFormat, lang: Lang) -> anyhow::Result<()> {
    if format == OutputFormat::Json {
        return print_json(&waivers.iter().map(waiver_json).collect::<Vec<_>>());
    }
    let table = Table {
        headers: match lang {
            Lang::Fr => vec!["n°", "remise", "motif", "par", "accordée le", "état"],
            Lang::En => vec!["id", "waiver", "reason", "by", "granted on", "state"],
        },
        numeric: vec![true, false, false, false, false, false],
        rows: waivers
            .iter()
            .map(|record| {
                let state = match (&record.withdrawn_at, &record.withdrawal_reason) {
                    (Some(at), reason) => format!(
                        "{} {} : {}",
                        tr(lang, "retirée le", "withdrawn on"),
                        at.strftime("%Y-%m-%d"),
                        reason.as_deref().unwrap_or("")
                    ),
                    (None, _) => tr(lang, "en vigueur", "in force").to_owned(),
                };
                vec![
                    record.id.to_string(),
                    waiver_text(record, lang),
                    record.reason.clone(),
                    record.granted_by.clone(),
                    record.granted_at.strftime("%Y-%m-%d").to_string(),
                    state,
                ]
            })
            .collect(),
    };
    emit(&table, format)
}

// --- mention ------------------------------------------------------------------------------------

async fn mention(
    store: &Store,
    tenant: &TenantRecord,
    args: &MentionArgs,
    lang: Lang,
) -> anyhow::Result<()> {
    let whose = match (&args.customer, &args.jurisdiction) {
        (Some(customer), _) => MentionFor::Customer(customer),
        (None, Some(jurisdiction)) => MentionFor::Jurisdiction(jurisdiction),
        (None, None) => MentionFor::Jurisdiction("fr-b2b"),
    };
    say(late_payment::mention(store, tenant, whose, language(lang)).await?)
}
