//! Late-payment law use cases: a customer's statement of account, a one-off interest
//! computation, the rate tables (shown, replaced), the tenant's late-payment policy, waivers,
//! and the mention invoices and terms of sale must carry.
//!
//! Every figure comes from `domain::late_payment`; this module gathers what it needs:
//! - the rate tables: the ones compiled in (`formats::rate_tables`), each replaced by the
//!   operator's latest import of its kind;
//! - the tenant's `LatePaymentPolicy` (the French defaults until it changes one);
//! - a customer's terms: its own rule set and contract rate if it has them, otherwise the rule
//!   set of its country and kind (`Jurisdiction::for_customer`);
//! - each invoice's payments: the allocations of payments on record, on the day each payment was
//!   received. Whatever an invoice has been paid beyond them (an import's outstanding amount
//!   says so, without a date) is taken as paid by the due date: Relance never claims interest it
//!   cannot date;
//! - each invoice's formal notice: the first `formal_notice` action of the dunning run that
//!   listed it and was approved or sent, on the day it is scheduled for;
//! - the customer's waivers in force. A waiver applies to every statement made while it is in
//!   force; once withdrawn, the charges it gave up are claimed again in full.
//!
//! Values typed by a person are all checked before anything is computed or written; every
//! problem names its option and value and describes itself in French or English.

use std::collections::HashMap;

use domain::customer::{CustomerRef, Language};
use domain::ids::{CustomerId, InvoiceId};
use domain::late_payment::{
    BelowFloorPolicy, Claim, ClaimStart, ClaimedStatement, ContractRate, CreditorKind, DayCount,
    EarlyPaymentDiscount, Jurisdiction, LateInterest, LatePaymentError, LatePaymentPolicy,
    LatePaymentTerms, PaymentOrder, PostJudgmentIncrease, RateTable, RateTableKind, RateTables,
    Share, StatementEntry, StatementError, StatutoryRateFloor, WaivedCharges, WaiverExtent,
    claimed_statement, late_interest, late_payment_mention,
};
use domain::money::{Currency, Money};
use domain::receivable::InvoiceNumber;
use formats::rate_tables::{
    RateTableProblem, builtin_tables, read_rate_table, read_rate_table_as, write_rate_table,
};
use jiff::Timestamp;
use jiff::civil::Date;
use store::{
    ActionFilter, CollectionCostRecord, CustomerTermsRecord, InvoiceFilter, NewWaiver, Store,
    StoreError, TenantRecord, WaiverRecord,
};

use crate::clock::Clock;
use crate::recovery::recorded_steps;

/// The dunning step template whose letter is the formal notice (mise en demeure).
const FORMAL_NOTICE_TEMPLATE: &str = "formal_notice";
/// What `--jurisdiction` and `--contract-rate` take to go back to what the customer's country
/// and kind give, and to no contract rate.
pub const DEFAULT: &str = "default";
pub const NONE: &str = "none";

/// An option given a value it cannot take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputProblem {
    /// The option's name in programs (`contract_rate`); the command line writes it
    /// `--contract-rate`.
    pub field: &'static str,
    pub value: String,
    pub kind: InputProblemKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputProblemKind {
    NotOneOf {
        known: Vec<String>,
    },
    NotAnAmount {
        currency: Currency,
    },
    NotPositive,
    NotAJurisdiction,
    NotAContractRate,
    /// `DATE:AMOUNT`.
    NotAPayment,
    NotAShare,
    /// `none` or `PERCENT:DAYS`.
    NotADiscount,
    Empty,
    /// A contract rate is checked against the French B2B floor: other rule sets take
    /// `contract:RATE` instead.
    ContractRateNeedsFrB2b {
        jurisdiction: Jurisdiction,
    },
    /// The invoice is another customer's.
    InvoiceOfAnotherCustomer {
        customer: String,
    },
    UnknownInvoice,
    /// A day after today.
    InTheFuture {
        today: Date,
    },
    /// A day before today.
    InThePast {
        today: Date,
    },
    /// The invoice is already covered by a proposed or running payment plan.
    InvoiceInPlan {
        plan: i64,
    },
    /// The invoice is paid.
    NothingOwedOnInvoice,
    /// A settlement that cannot be applied to the invoice's balance.
    Settlement(domain::settlement::SettlementError),
    /// The invoice's balance changed while this was recorded: nothing was written; try again.
    ChangedMeanwhile,
    /// No invoice of the customer was overdue and unpaid that day.
    NothingOverdue {
        on: Date,
    },
    /// The customer's rule set has no fixed indemnity, so no collection costs are charged.
    CostsNotChargeable {
        jurisdiction: Jurisdiction,
    },
}

impl InputProblem {
    pub(crate) fn new(field: &'static str, value: &str, kind: InputProblemKind) -> InputProblem {
        InputProblem {
            field,
            value: value.to_owned(),
            kind,
        }
    }

    /// What is wrong with the value; the caller names the option its own way.
    pub fn describe(&self, language: Language) -> String {
        self.kind.describe(language)
    }

    /// The problem as a command-line user reads it: `--option "value" : what is wrong` (no
    /// value shown when none was given).
    pub fn option_line(&self, language: Language) -> String {
        let option = self.field.replace('_', "-");
        let colon = if language == Language::French {
            " : "
        } else {
            ": "
        };
        if self.value.is_empty() {
            format!("--{option}{colon}{}", self.describe(language))
        } else {
            format!(
                "--{option} {:?}{colon}{}",
                self.value,
                self.describe(language)
            )
        }
    }
}

impl InputProblemKind {
    pub fn describe(&self, language: Language) -> String {
        let french = language == Language::French;
        let pick = |fr: &str, en: &str| if french { fr.to_owned() } else { en.to_owned() };
        match self {
            InputProblemKind::NotOneOf { known } => {
                if french {
                    format!("valeur inconnue (possibles : {})", known.join(", "))
                } else {
                    format!("unknown value (expected {})", known.join(", "))
                }
            }
            InputProblemKind::NotAnAmount { currency } => {
                if french {
                    format!(
                        "pas un montant en {currency} (chiffres et point décimal, comme 1234.56)"
                    )
                } else {
                    format!("not an amount in {currency} (digits and a decimal point, as 1234.56)")
                }
            }
            InputProblemKind::NotPositive => pick(
                "le montant doit être positif",
                "the amount must be positive",
            ),
            InputProblemKind::NotAJurisdiction => pick(
                "régime inconnu (fr-b2b, fr-b2c, de-b2b, de-b2c, eu, contract:TAUX, ou default)",
                "unknown rule set (fr-b2b, fr-b2c, de-b2b, de-b2c, eu, contract:RATE, or default)",
            ),
            InputProblemKind::NotAContractRate => pick(
                "pas un taux contractuel (un taux annuel comme 12.5, un multiple du taux légal comme 3x-legal, ou none)",
                "not a contract rate (an annual rate such as 12.5, a multiple of the legal rate such as 3x-legal, or none)",
            ),
            InputProblemKind::NotAPayment => pick(
                "un paiement s'écrit DATE:MONTANT, par exemple 2025-03-02:5000.00",
                "a payment is written DATE:AMOUNT, for example 2025-03-02:5000.00",
            ),
            InputProblemKind::NotAShare => pick(
                "pas un pourcentage (plus de 0 et au plus 100, deux décimales au plus)",
                "not a percentage (above 0 and at most 100, two decimals at most)",
            ),
            InputProblemKind::NotADiscount => pick(
                "s'écrit none ou POURCENTAGE:JOURS, par exemple 2:10 pour 2 % sous 10 jours",
                "is written none or PERCENT:DAYS, for example 2:10 for 2% within 10 days",
            ),
            InputProblemKind::Empty => pick("une valeur est requise", "a value is required"),
            InputProblemKind::ContractRateNeedsFrB2b { jurisdiction } => {
                if french {
                    format!(
                        "un taux contractuel ne s'applique qu'en fr-b2b (le client relève de {jurisdiction}) ; pour un taux fixe sous un autre régime : --jurisdiction contract:TAUX"
                    )
                } else {
                    format!(
                        "a contract rate applies under fr-b2b only (the customer is under {jurisdiction}); for a fixed rate under another rule set: --jurisdiction contract:RATE"
                    )
                }
            }
            InputProblemKind::InvoiceOfAnotherCustomer { customer } => {
                if french {
                    format!("cette facture est celle du client {customer}")
                } else {
                    format!("this invoice is customer {customer}'s")
                }
            }
            InputProblemKind::UnknownInvoice => pick("facture inconnue", "unknown invoice"),
            InputProblemKind::InTheFuture { today } => {
                if french {
                    format!("date future (nous sommes le {today})")
                } else {
                    format!("a date in the future (today is {today})")
                }
            }
            InputProblemKind::InThePast { today } => {
                if french {
                    format!("date passée (nous sommes le {today})")
                } else {
                    format!("a date in the past (today is {today})")
                }
            }
            InputProblemKind::InvoiceInPlan { plan } => {
                if french {
                    format!("facture déjà couverte par l'échéancier {plan}")
                } else {
                    format!("invoice already covered by payment plan {plan}")
                }
            }
            InputProblemKind::NothingOwedOnInvoice => {
                pick("cette facture est réglée", "this invoice is paid")
            }
            InputProblemKind::Settlement(error) => {
                use domain::settlement::SettlementError;
                match (error, french) {
                    (SettlementError::NothingOwed, true) => {
                        "la facture ne doit plus rien".to_owned()
                    }
                    (SettlementError::AmountRequired, true) => {
                        "un avoir ou un règlement en nature a un montant (--amount)".to_owned()
                    }
                    (SettlementError::AssignmentTakesTheBalance, true) => {
                        "une cession porte sur tout le solde : ne donnez pas de montant".to_owned()
                    }
                    (SettlementError::NotPositive, true) => {
                        "le montant doit être positif".to_owned()
                    }
                    (SettlementError::MoreThanOwed { balance }, true) => format!(
                        "plus que le solde de la facture ({})",
                        balance.to_decimal_string()
                    ),
                    (SettlementError::CurrencyMismatch, true) => {
                        "pas dans la devise de la facture".to_owned()
                    }
                    (error, false) => error.to_string(),
                }
            }
            InputProblemKind::ChangedMeanwhile => pick(
                "le solde de la facture a changé entre-temps ; rien n'a été enregistré, recommencez",
                "the invoice's balance changed meanwhile; nothing was recorded, try again",
            ),
            InputProblemKind::NothingOverdue { on } => {
                if french {
                    format!(
                        "aucune facture de ce client n'était échue et impayée le {on} ; nommez les factures avec --invoice"
                    )
                } else {
                    format!(
                        "no invoice of this customer was overdue and unpaid on {on}; name the invoices with --invoice"
                    )
                }
            }
            InputProblemKind::CostsNotChargeable { jurisdiction } => {
                if french {
                    format!(
                        "le régime {jurisdiction} n'a pas d'indemnité forfaitaire : les frais de recouvrement restent à la charge du créancier (un consommateur ne les supporte pas)"
                    )
                } else {
                    format!(
                        "the {jurisdiction} rule set has no fixed indemnity: collection costs stay with the creditor (a consumer does not bear them)"
                    )
                }
            }
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum LawError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("unknown customer {reference}")]
    UnknownCustomer { reference: String },
    #[error("{} {id}: no such record", record.name(Language::English))]
    UnknownRecord { record: LawRecord, id: i64 },
    #[error("{} {id}: already withdrawn", record.name(Language::English))]
    AlreadyWithdrawn { record: LawRecord, id: i64 },
    #[error("nothing was done: {}", describe_problems(problems, Language::English))]
    Invalid { problems: Vec<InputProblem> },
    #[error("{file}: {} problem(s), nothing was imported", problems.len())]
    RejectedRateTable {
        file: String,
        problems: Vec<RateTableProblem>,
    },
    #[error("the stored {kind} rate table cannot be read: {problem}", kind = kind.code())]
    StoredRateTable {
        kind: RateTableKind,
        problem: RateTableProblem,
    },
    #[error("{}", describe_computation(.0, Language::English))]
    Computation(LatePaymentError),
    #[error(
        "invoice {invoice}: {}",
        describe_computation(source, Language::English)
    )]
    InvoiceComputation {
        invoice: InvoiceNumber,
        source: LatePaymentError,
    },
    #[error("the statement's figures are too large")]
    Overflow,
}

/// The records of the law a collector can withdraw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LawRecord {
    Waiver,
    RecoveryStep,
    CollectionCost,
    Settlement,
}

impl LawRecord {
    pub fn name(&self, language: Language) -> &'static str {
        let french = language == Language::French;
        match self {
            LawRecord::Waiver if french => "la remise",
            LawRecord::Waiver => "waiver",
            LawRecord::RecoveryStep if french => "l'étape de recouvrement",
            LawRecord::RecoveryStep => "recovery step",
            LawRecord::CollectionCost if french => "les frais de recouvrement",
            LawRecord::CollectionCost => "collection costs",
            LawRecord::Settlement if french => "le règlement",
            LawRecord::Settlement => "settlement",
        }
    }
}

impl From<StatementError> for LawError {
    fn from(error: StatementError) -> LawError {
        match error {
            StatementError::Invoice { invoice, source } => {
                LawError::InvoiceComputation { invoice, source }
            }
            // Only invoices and waivers in the statement's currency are given to it.
            StatementError::CurrencyMismatch { .. }
            | StatementError::WaiverCurrencyMismatch { .. }
            | StatementError::CostsCurrencyMismatch { .. }
            | StatementError::Overflow => LawError::Overflow,
        }
    }
}

impl LawError {
    /// The error as a collector should read it, in `language`; file problems are listed by the
    /// caller, one per line.
    pub fn describe(&self, language: Language) -> String {
        let french = language == Language::French;
        match self {
            LawError::UnknownCustomer { reference } if french => {
                format!("client inconnu : {reference}")
            }
            LawError::UnknownRecord { record, id } if french => match record {
                LawRecord::CollectionCost => {
                    format!("les frais de recouvrement {id} n'existent pas")
                }
                _ => format!("{} {id} n'existe pas", record.name(language)),
            },
            LawError::AlreadyWithdrawn { record, id } if french => match record {
                LawRecord::CollectionCost => {
                    format!("les frais de recouvrement {id} sont déjà retirés")
                }
                _ => format!("{} {id} est déjà retirée", record.name(language)),
            },
            LawError::Invalid { problems } if french => {
                format!(
                    "rien n'a été fait : {}",
                    describe_problems(problems, language)
                )
            }
            LawError::RejectedRateTable { file, problems } if french => format!(
                "{file} refusé : {} problème(s), rien n'a été importé",
                problems.len()
            ),
            LawError::StoredRateTable { kind, problem } if french => format!(
                "la table de taux {} enregistrée est illisible : {}",
                kind.code(),
                problem.describe(language)
            ),
            LawError::Computation(error) => describe_computation(error, language),
            LawError::InvoiceComputation { invoice, source } if french => {
                format!(
                    "facture {invoice} : {}",
                    describe_computation(source, language)
                )
            }
            LawError::Overflow if french => "montants trop grands pour être calculés".to_owned(),
            other => other.to_string(),
        }
    }
}

fn describe_problems(problems: &[InputProblem], language: Language) -> String {
    problems
        .iter()
        .map(|problem| problem.option_line(language))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Why a figure cannot be computed, in `language`: a date the tables do not cover says which
/// table and what to do.
pub fn describe_computation(error: &LatePaymentError, language: Language) -> String {
    if language == Language::English {
        let advice = match error {
            LatePaymentError::EcbRateUnknown { .. }
            | LatePaymentError::LegalRateUnknown { .. }
            | LatePaymentError::GermanBaseRateUnknown { .. } => {
                "; import the published rates with `relance rates import FILE`"
            }
            _ => "",
        };
        return format!("{error}{advice}");
    }
    match error {
        LatePaymentError::EcbRateUnknown {
            on,
            known_from,
            known_through,
        } => format!(
            "le taux de la BCE au {on} ne figure pas dans la table (elle couvre du {known_from} au {known_through}) ; importez les taux publiés avec `relance rates import FICHIER`"
        ),
        LatePaymentError::LegalRateUnknown {
            half_year,
            category,
        } => format!(
            "le taux de l'intérêt légal ({category}) du semestre {half_year} ne figure pas dans la table ; importez les taux publiés avec `relance rates import FICHIER`"
        ),
        LatePaymentError::GermanBaseRateUnknown { half_year } => format!(
            "le taux de base allemand du semestre {half_year} ne figure pas dans la table ; importez les taux publiés avec `relance rates import FICHIER`"
        ),
        LatePaymentError::PrincipalNotPositive { principal } => {
            format!("le principal doit être positif (reçu {principal})")
        }
        LatePaymentError::PaymentNotPositive { paid_on, amount } => {
            format!("le paiement du {paid_on} doit être positif (reçu {amount})")
        }
        LatePaymentError::CurrencyMismatch { expected, found } => {
            format!("un montant en {found} sur une créance en {expected}")
        }
        LatePaymentError::PaymentAfterUntil { paid_on, until } => {
            format!("le paiement du {paid_on} est postérieur à la date de calcul {until}")
        }
        LatePaymentError::Overpaid { paid_on, excess } => {
            format!("le paiement du {paid_on} dépasse de {excess} tout ce qui est dû")
        }
        LatePaymentError::IndemnityNeedsEuro {
            jurisdiction,
            currency,
        } => format!(
            "{jurisdiction} prévoit une indemnité forfaitaire en euros et ne s'applique pas à une créance en {currency}"
        ),
        LatePaymentError::ContractRateNotApplicable { jurisdiction } => format!(
            "{jurisdiction} n'admet pas de taux contractuel (utilisez fr-b2b, ou contract:TAUX)"
        ),
        LatePaymentError::NegativeRate { half_year, rate } => {
            format!("le taux du semestre {half_year} serait négatif ({rate} %)")
        }
        LatePaymentError::DateOutOfRange => "une date sort du calendrier".to_owned(),
        LatePaymentError::Overflow => "montants trop grands pour être calculés".to_owned(),
    }
}

// --- Rate tables and policy ---------------------------------------------------------------------

/// One rate table in force and where it comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateTableInForce {
    pub table: RateTable,
    /// `None`: the table compiled in.
    pub imported_at: Option<Timestamp>,
}

/// What the rules compute with: the rate tables in force and the tenant's policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleBook {
    pub tables: RateTables,
    pub policy: LatePaymentPolicy,
}

impl RuleBook {
    /// The tables compiled in and the French defaults: what applies without any books.
    pub fn builtin() -> RuleBook {
        RuleBook {
            tables: builtin_tables(),
            policy: LatePaymentPolicy::french_defaults(),
        }
    }
}

/// The tables compiled in, in `RateTableKind::ALL` order: what is in force without books.
pub fn builtin_rate_tables() -> Vec<RateTableInForce> {
    let builtin = builtin_tables();
    [
        RateTable::EcbMainRefinancing(builtin.ecb),
        RateTable::FrenchLegalInterest(builtin.french_legal),
        RateTable::GermanBase(builtin.german_base),
    ]
    .into_iter()
    .map(|table| RateTableInForce {
        table,
        imported_at: None,
    })
    .collect()
}

/// Every rate table in force, in `RateTableKind::ALL` order.
pub async fn rate_tables(store: &Store) -> Result<Vec<RateTableInForce>, LawError> {
    let mut in_force = builtin_rate_tables();
    for record in store.rate_tables().await? {
        let table =
            read_rate_table_as(record.kind, record.csv.as_bytes()).map_err(|mut problems| {
                LawError::StoredRateTable {
                    kind: record.kind,
                    problem: problems.remove(0),
                }
            })?;
        let slot = in_force
            .iter_mut()
            .find(|slot| slot.table.kind() == record.kind)
            .expect("one slot per kind");
        *slot = RateTableInForce {
            table,
            imported_at: Some(record.imported_at),
        };
    }
    Ok(in_force)
}

/// The tables in force and the tenant's policy.
pub async fn rule_book(store: &Store, tenant: &TenantRecord) -> Result<RuleBook, LawError> {
    Ok(RuleBook {
        policy: policy(store, tenant).await?,
        ..installed_rule_book(store).await?
    })
}

/// The tables in force and the French defaults: what applies before any creditor exists.
pub async fn installed_rule_book(store: &Store) -> Result<RuleBook, LawError> {
    let mut book = RuleBook::builtin();
    for in_force in rate_tables(store).await? {
        book.tables.replace(in_force.table);
    }
    Ok(book)
}

/// The tenant's late-payment policy: the French defaults until it changes one.
pub async fn policy(store: &Store, tenant: &TenantRecord) -> Result<LatePaymentPolicy, LawError> {
    Ok(store
        .tenant(tenant.id)
        .late_payment_policy()
        .await?
        .unwrap_or_else(LatePaymentPolicy::french_defaults))
}

/// What a rate-table import did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateTableImport {
    pub kind: RateTableKind,
    pub rows: usize,
    /// False when the table in force was already this one: nothing was written.
    pub changed: bool,
}

/// Reads a rate table file (its header says which table it is) and, if every row is right,
/// puts it in force in place of the table of its kind, for every creditor of the installation.
/// A file with any problem changes nothing; importing the table in force again writes nothing.
pub async fn import_rate_table(
    store: &Store,
    clock: Clock,
    file_name: &str,
    bytes: &[u8],
) -> Result<RateTableImport, LawError> {
    let table = read_rate_table(bytes).map_err(|problems| LawError::RejectedRateTable {
        file: file_name.to_owned(),
        problems,
    })?;
    let rows = match &table {
        RateTable::EcbMainRefinancing(ecb) => ecb.changes().len(),
        RateTable::FrenchLegalInterest(legal) => legal.entries().len(),
        RateTable::GermanBase(german) => german.entries().len(),
    };
    let kind = table.kind();
    let in_force = rate_tables(store).await?;
    let unchanged = in_force.iter().any(|current| current.table == table);
    let changed = !unchanged
        && store
            .save_rate_table(kind, &write_rate_table(&table), clock.now())
            .await?;
    Ok(RateTableImport {
        kind,
        rows,
        changed,
    })
}

// --- Policy settings ----------------------------------------------------------------------------

/// A policy setting, by its option name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PolicyField {
    ClaimStart,
    DayCount,
    PaymentOrder,
    BelowFloor,
    StatutoryRateFloor,
    PostJudgmentIncrease,
    Creditor,
    EarlyPaymentDiscount,
}

impl PolicyField {
    pub const ALL: [PolicyField; 8] = [
        PolicyField::ClaimStart,
        PolicyField::DayCount,
        PolicyField::PaymentOrder,
        PolicyField::BelowFloor,
        PolicyField::StatutoryRateFloor,
        PolicyField::PostJudgmentIncrease,
        PolicyField::Creditor,
        PolicyField::EarlyPaymentDiscount,
    ];

    /// The setting's name in programs; the command line writes it with dashes.
    pub fn code(&self) -> &'static str {
        match self {
            PolicyField::ClaimStart => "claim_from",
            PolicyField::DayCount => "day_count",
            PolicyField::PaymentOrder => "payment_order",
            PolicyField::BelowFloor => "below_floor",
            PolicyField::StatutoryRateFloor => "statutory_rate_floor",
            PolicyField::PostJudgmentIncrease => "post_judgment_increase",
            PolicyField::Creditor => "creditor",
            PolicyField::EarlyPaymentDiscount => "early_payment_discount",
        }
    }

    /// The setting's name for people.
    pub fn label(&self, language: Language) -> &'static str {
        let (french, english) = match self {
            PolicyField::ClaimStart => (
                "pénalités et indemnités réclamées à partir de",
                "penalties and indemnities claimed from",
            ),
            PolicyField::DayCount => ("base de calcul des jours", "day count"),
            PolicyField::PaymentOrder => (
                "imputation des paiements partiels",
                "partial payments go to",
            ),
            PolicyField::BelowFloor => (
                "taux contractuel inférieur au plancher (3 × taux légal)",
                "contract rate below the floor (3 × legal rate)",
            ),
            PolicyField::StatutoryRateFloor => (
                "taux supplétif inférieur au plancher (2024)",
                "statutory rate below the floor (2024)",
            ),
            PolicyField::PostJudgmentIncrease => (
                "majoration de 5 points après jugement",
                "5-point increase after judgment",
            ),
            PolicyField::Creditor => ("créancier", "creditor"),
            PolicyField::EarlyPaymentDiscount => {
                ("escompte pour paiement anticipé", "early-payment discount")
            }
        };
        match language {
            Language::French => french,
            Language::English => english,
        }
    }

    /// The values the setting takes; empty for the early-payment discount, which is typed
    /// (`none` or `PERCENT:DAYS`).
    pub fn codes(&self) -> Vec<&'static str> {
        match self {
            PolicyField::ClaimStart => ClaimStart::codes(),
            PolicyField::DayCount => DayCount::codes(),
            PolicyField::PaymentOrder => PaymentOrder::codes(),
            PolicyField::BelowFloor => BelowFloorPolicy::codes(),
            PolicyField::StatutoryRateFloor => StatutoryRateFloor::codes(),
            PolicyField::PostJudgmentIncrease => PostJudgmentIncrease::codes(),
            PolicyField::Creditor => CreditorKind::codes(),
            PolicyField::EarlyPaymentDiscount => Vec::new(),
        }
    }

    /// The setting's value in `policy`, as typed.
    pub fn value(&self, policy: &LatePaymentPolicy) -> String {
        let settings = &policy.settings;
        match self {
            PolicyField::ClaimStart => policy.claim_start.code().to_owned(),
            PolicyField::DayCount => settings.day_count.code().to_owned(),
            PolicyField::PaymentOrder => settings.payment_order.code().to_owned(),
            PolicyField::BelowFloor => settings.below_floor.code().to_owned(),
            PolicyField::StatutoryRateFloor => settings.statutory_rate_floor.code().to_owned(),
            PolicyField::PostJudgmentIncrease => settings.post_judgment_increase.code().to_owned(),
            PolicyField::Creditor => policy.creditor.code().to_owned(),
            PolicyField::EarlyPaymentDiscount => discount_text(policy.early_payment_discount),
        }
    }
}

/// `none`, or `PERCENT:DAYS` as `early_payment_discount` is typed.
pub fn discount_text(discount: EarlyPaymentDiscount) -> String {
    match discount {
        EarlyPaymentDiscount::NotOffered => NONE.to_owned(),
        EarlyPaymentDiscount::Offered {
            hundredths_of_percent,
            within_days,
        } => {
            let share = u16::try_from(hundredths_of_percent)
                .ok()
                .and_then(Share::from_hundredths_of_percent)
                .map_or_else(
                    || hundredths_of_percent.to_string(),
                    |s| s.to_percent_string(),
                );
            format!("{share}:{within_days}")
        }
    }
}

/// The settings to change, as typed; `None` leaves a setting as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PolicyChanges<'a> {
    pub claim_start: Option<&'a str>,
    pub day_count: Option<&'a str>,
    pub payment_order: Option<&'a str>,
    pub below_floor: Option<&'a str>,
    pub statutory_rate_floor: Option<&'a str>,
    pub post_judgment_increase: Option<&'a str>,
    pub creditor: Option<&'a str>,
    pub early_payment_discount: Option<&'a str>,
}

/// The policy after a change, and which settings changed (none: nothing was written).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyUpdate {
    pub policy: LatePaymentPolicy,
    pub changed: Vec<PolicyField>,
}

/// Checks every value given, then stores the policy if anything differs.
pub async fn set_policy(
    store: &Store,
    tenant: &TenantRecord,
    clock: Clock,
    changes: &PolicyChanges<'_>,
) -> Result<PolicyUpdate, LawError> {
    let before = policy(store, tenant).await?;
    let mut after = before;
    let mut problems = Vec::new();
    fn pick<T: Copy>(
        given: Option<&str>,
        field: PolicyField,
        parse: fn(&str) -> Option<T>,
        codes: fn() -> Vec<&'static str>,
        target: &mut T,
        problems: &mut Vec<InputProblem>,
    ) {
        let Some(text) = given else { return };
        match parse(text) {
            Some(value) => *target = value,
            None => problems.push(InputProblem::new(
                field.code(),
                text,
                InputProblemKind::NotOneOf {
                    known: codes().into_iter().map(str::to_owned).collect(),
                },
            )),
        }
    }
    let settings = &mut after.settings;
    pick(
        changes.claim_start,
        PolicyField::ClaimStart,
        ClaimStart::parse,
        ClaimStart::codes,
        &mut after.claim_start,
        &mut problems,
    );
    pick(
        changes.day_count,
        PolicyField::DayCount,
        DayCount::parse,
        DayCount::codes,
        &mut settings.day_count,
        &mut problems,
    );
    pick(
        changes.payment_order,
        PolicyField::PaymentOrder,
        PaymentOrder::parse,
        PaymentOrder::codes,
        &mut settings.payment_order,
        &mut problems,
    );
    pick(
        changes.below_floor,
        PolicyField::BelowFloor,
        BelowFloorPolicy::parse,
        BelowFloorPolicy::codes,
        &mut settings.below_floor,
        &mut problems,
    );
    pick(
        changes.statutory_rate_floor,
        PolicyField::StatutoryRateFloor,
        StatutoryRateFloor::parse,
        StatutoryRateFloor::codes,
        &mut settings.statutory_rate_floor,
        &mut problems,
    );
    pick(
        changes.post_judgment_increase,
        PolicyField::PostJudgmentIncrease,
        PostJudgmentIncrease::parse,
        PostJudgmentIncrease::codes,
        &mut settings.post_judgment_increase,
        &mut problems,
    );
    pick(
        changes.creditor,
        PolicyField::Creditor,
        CreditorKind::parse,
        CreditorKind::codes,
        &mut after.creditor,
        &mut problems,
    );
    if let Some(text) = changes.early_payment_discount {
        match parse_discount(text) {
            Some(discount) => after.early_payment_discount = discount,
            None => problems.push(InputProblem::new(
                PolicyField::EarlyPaymentDiscount.code(),
                text,
                InputProblemKind::NotADiscount,
            )),
        }
    }
    if !problems.is_empty() {
        return Err(LawError::Invalid { problems });
    }
    let changed: Vec<PolicyField> = PolicyField::ALL
        .into_iter()
        .filter(|field| field.value(&before) != field.value(&after))
        .collect();
    if !changed.is_empty() {
        store
            .tenant(tenant.id)
            .save_late_payment_policy(&after, clock.now())
            .await?;
    }
    Ok(PolicyUpdate {
        policy: after,
        changed,
    })
}

/// `none`, or `PERCENT:DAYS` (`2:10`, `1,5 %:8`).
fn parse_discount(text: &str) -> Option<EarlyPaymentDiscount> {
    let trimmed = text.trim();
    if trimmed.eq_ignore_ascii_case(NONE) {
        return Some(EarlyPaymentDiscount::NotOffered);
    }
    let (percent, days) = trimmed.split_once(':')?;
    let share = Share::parse(percent).ok()?;
    let within_days: u16 = days.trim().parse().ok()?;
    Some(EarlyPaymentDiscount::Offered {
        hundredths_of_percent: u32::from(share.hundredths_of_percent()),
        within_days,
    })
}

// --- Customer terms -----------------------------------------------------------------------------

/// A customer's late-payment terms: what it has of its own, and what applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CustomerTerms {
    /// The customer's own rule set and contract rate, if any.
    pub own: CustomerTermsRecord,
    /// What its country and kind give.
    pub derived: Jurisdiction,
    /// What applies: its own rule set, else the derived one; its contract rate; the creditor's
    /// kind from the tenant's policy.
    pub effective: LatePaymentTerms,
}

impl CustomerTerms {
    pub fn new(
        own: CustomerTermsRecord,
        derived: Jurisdiction,
        creditor: CreditorKind,
    ) -> CustomerTerms {
        CustomerTerms {
            own,
            derived,
            effective: LatePaymentTerms {
                jurisdiction: own.jurisdiction.unwrap_or(derived),
                contract_rate: own.contract_rate,
                creditor,
            },
        }
    }
}

/// The customer's terms as they are.
pub async fn customer_terms(
    store: &Store,
    tenant: &TenantRecord,
    reference: &str,
) -> Result<CustomerTerms, LawError> {
    let id = customer_id(store, tenant, reference).await?;
    terms_of(store, tenant, id).await
}

pub(crate) async fn terms_of(
    store: &Store,
    tenant: &TenantRecord,
    customer: CustomerId,
) -> Result<CustomerTerms, LawError> {
    let handle = store.tenant(tenant.id);
    let details = handle.customer_details(customer).await?;
    let own = handle.customer_late_payment_terms(customer).await?;
    let creditor = policy(store, tenant).await?.creditor;
    Ok(CustomerTerms::new(
        own,
        Jurisdiction::for_customer(details.settings.country, details.kind),
        creditor,
    ))
}

/// The customer's own terms once `jurisdiction` and `contract_rate` (as typed; `None` leaves
/// each as it is) are applied.
pub(crate) fn apply_terms(
    own: CustomerTermsRecord,
    jurisdiction: Option<&str>,
    contract_rate: Option<&str>,
    problems: &mut Vec<InputProblem>,
) -> CustomerTermsRecord {
    let mut after = own;
    if let Some(text) = jurisdiction {
        if text.trim().eq_ignore_ascii_case(DEFAULT) {
            after.jurisdiction = None;
        } else {
            match Jurisdiction::parse(text) {
                Ok(parsed) => after.jurisdiction = Some(parsed),
                Err(_) => problems.push(InputProblem::new(
                    "jurisdiction",
                    text,
                    InputProblemKind::NotAJurisdiction,
                )),
            }
        }
    }
    if let Some(text) = contract_rate {
        if text.trim().eq_ignore_ascii_case(NONE) {
            after.contract_rate = None;
        } else {
            match ContractRate::parse(text) {
                Ok(rate) => after.contract_rate = Some(rate),
                Err(_) => problems.push(InputProblem::new(
                    "contract_rate",
                    text,
                    InputProblemKind::NotAContractRate,
                )),
            }
        }
    }
    after
}

/// A contract rate is only ever checked against the French B2B floor: under any other rule set
/// it would be refused by every computation, so it is refused when set.
pub(crate) fn check_contract_rate(
    terms: &CustomerTermsRecord,
    derived: Jurisdiction,
) -> Option<InputProblem> {
    let rate = terms.contract_rate?;
    let applies = terms.jurisdiction.unwrap_or(derived);
    (applies != Jurisdiction::FrB2b).then(|| {
        InputProblem::new(
            "contract_rate",
            &rate.to_string(),
            InputProblemKind::ContractRateNeedsFrB2b {
                jurisdiction: applies,
            },
        )
    })
}

// --- One-off interest ---------------------------------------------------------------------------

/// A one-off computation, as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InterestRequest<'a> {
    pub jurisdiction: &'a str,
    /// Under `fr-b2b` only: `12.5` or `3x-legal`.
    pub contract_rate: Option<&'a str>,
    pub amount: &'a str,
    pub due_on: Date,
    pub until: Date,
    /// `DATE:AMOUNT` each.
    pub payments: Vec<&'a str>,
    pub formal_notice_on: Option<Date>,
}

/// The interest, indemnity and balance of one claim under `book`, in `currency`.
pub fn compute_interest(
    book: &RuleBook,
    currency: Currency,
    request: &InterestRequest<'_>,
) -> Result<LateInterest, LawError> {
    let mut problems = Vec::new();
    let jurisdiction = match Jurisdiction::parse(request.jurisdiction) {
        Ok(jurisdiction) => Some(jurisdiction),
        Err(_) => {
            problems.push(InputProblem::new(
                "jurisdiction",
                request.jurisdiction,
                InputProblemKind::NotAJurisdiction,
            ));
            None
        }
    };
    let contract_rate = match request.contract_rate {
        None => None,
        Some(text) => match ContractRate::parse(text) {
            Ok(rate) => Some(rate),
            Err(_) => {
                problems.push(InputProblem::new(
                    "contract_rate",
                    text,
                    InputProblemKind::NotAContractRate,
                ));
                None
            }
        },
    };
    if let (Some(jurisdiction), Some(_), Some(text)) =
        (jurisdiction, contract_rate, request.contract_rate)
        && jurisdiction != Jurisdiction::FrB2b
    {
        problems.push(InputProblem::new(
            "contract_rate",
            text,
            InputProblemKind::ContractRateNeedsFrB2b { jurisdiction },
        ));
    }
    let amount = positive_amount("amount", request.amount, currency, &mut problems);
    let mut claim_payments = Vec::new();
    for text in &request.payments {
        let parsed = text
            .split_once(':')
            .and_then(|(day, amount)| Some((day.trim().parse::<Date>().ok()?, amount)));
        match parsed {
            Some((paid_on, amount)) => {
                if let Some(amount) = positive_amount("payment", amount, currency, &mut problems) {
                    claim_payments.push((paid_on, amount));
                }
            }
            None => problems.push(InputProblem::new(
                "payment",
                text,
                InputProblemKind::NotAPayment,
            )),
        }
    }
    let (Some(jurisdiction), Some(amount), true) = (jurisdiction, amount, problems.is_empty())
    else {
        return Err(LawError::Invalid { problems });
    };
    let mut claim = Claim::new(amount, request.due_on);
    for (paid_on, amount) in claim_payments {
        claim = claim.with_payment(paid_on, amount);
    }
    if let Some(notice_on) = request.formal_notice_on {
        claim = claim.with_formal_notice(notice_on);
    }
    let terms = LatePaymentTerms {
        jurisdiction,
        contract_rate,
        creditor: book.policy.creditor,
    };
    late_interest(
        &claim,
        &terms,
        request.until,
        &book.tables,
        &book.policy.settings,
    )
    .map_err(LawError::Computation)
}

pub(crate) fn positive_amount(
    field: &'static str,
    text: &str,
    currency: Currency,
    problems: &mut Vec<InputProblem>,
) -> Option<Money> {
    match Money::parse_decimal(text.trim(), currency) {
        Ok(money) if money.is_positive() => Some(money),
        Ok(_) => {
            problems.push(InputProblem::new(
                field,
                text,
                InputProblemKind::NotPositive,
            ));
            None
        }
        Err(_) => {
            problems.push(InputProblem::new(
                field,
                text,
                InputProblemKind::NotAnAmount { currency },
            ));
            None
        }
    }
}

// --- Statement of account -----------------------------------------------------------------------

/// What a statement needs to say about an invoice beyond the figures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceNote {
    pub id: InvoiceId,
    /// Paid with no payment on record (an import's outstanding amount): taken as paid on time.
    pub undated_paid: Money,
    /// The first formal notice, sent through Relance or recorded as sent outside it.
    pub formal_notice_on: Option<Date>,
    /// The day a recorded judgment counts from (enforceable and served).
    pub judgment_on: Option<Date>,
}

/// A customer's statement of account (décompte).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerStatement {
    pub customer_ref: CustomerRef,
    pub legal_name: String,
    pub terms: CustomerTerms,
    pub policy: LatePaymentPolicy,
    pub statement: ClaimedStatement,
    /// One per statement line, in the same order.
    pub notes: Vec<InvoiceNote>,
    /// The waivers in force, in the order applied (`statement.waivers` says what each took).
    pub waivers: Vec<WaiverRecord>,
    /// The proven collection costs counted (`statement.costs` says what is claimed of them).
    pub costs: Vec<CollectionCostRecord>,
    /// Invoices in another currency than the creditor's, not in this statement.
    pub other_currencies: Vec<InvoiceNumber>,
}

/// The statement of account of a customer as of a day (default: today in the creditor's time
/// zone): each invoice unpaid after its due date or paid late, through that day.
pub async fn statement(
    store: &Store,
    tenant: &TenantRecord,
    clock: Clock,
    reference: &str,
    as_of: Option<Date>,
) -> Result<CustomerStatement, LawError> {
    let as_of = as_of.unwrap_or_else(|| clock.today_in(tenant.profile.time_zone.as_str()));
    let id = customer_id(store, tenant, reference).await?;
    let handle = store.tenant(tenant.id);
    let book = rule_book(store, tenant).await?;
    let details = handle.customer_details(id).await?;
    let terms = CustomerTerms::new(
        handle.customer_late_payment_terms(id).await?,
        Jurisdiction::for_customer(details.settings.country, details.kind),
        book.policy.creditor,
    );
    let currency = tenant.profile.currency;
    let invoices = handle
        .invoices(&InvoiceFilter {
            customer: Some(details.reference.clone()),
            overdue_on: None,
        })
        .await?;
    let mut payments: HashMap<InvoiceId, Vec<(Date, Money)>> = HashMap::new();
    for payment in handle.invoice_payments(id).await? {
        payments
            .entry(payment.invoice)
            .or_default()
            .push((payment.received_on, payment.amount));
    }
    // A settlement in kind pays on its day; the other settlements take their amount off the
    // invoice from the start (they are in the undated part below).
    for settlement in handle.settlements(Some(id), None).await? {
        if settlement.kind.pays_on_its_day() && settlement.undone.is_none() {
            payments
                .entry(settlement.invoice)
                .or_default()
                .push((settlement.settled_on, settlement.amount));
        }
    }
    let mut notices = formal_notices(store, tenant, id, as_of).await?;
    let steps = recorded_steps(&handle.recovery_steps_of(id).await?, as_of);
    for (invoice, notice_on) in steps.notices {
        notices
            .entry(invoice)
            .and_modify(|first| *first = (*first).min(notice_on))
            .or_insert(notice_on);
    }

    let mut entries = Vec::new();
    let mut notes = Vec::new();
    let mut other_currencies = Vec::new();
    for invoice in invoices {
        if invoice.amount.currency() != currency {
            other_currencies.push(invoice.number);
            continue;
        }
        // Nothing is late on the due date itself.
        if invoice.due_on >= as_of {
            continue;
        }
        let recorded = payments.remove(&invoice.id).unwrap_or_default();
        let mut recorded_total = Money::zero(currency);
        for (_, amount) in &recorded {
            recorded_total = recorded_total
                .checked_add(*amount)
                .map_err(|_| LawError::Overflow)?;
        }
        let undated_paid = invoice
            .amount
            .checked_sub(invoice.outstanding)
            .and_then(|paid| paid.checked_sub(recorded_total))
            .map_err(|_| LawError::Overflow)?;
        let undated_paid = if undated_paid.is_positive() {
            undated_paid
        } else {
            Money::zero(currency)
        };
        let dated: Vec<(Date, Money)> = recorded
            .into_iter()
            .filter(|(received_on, _)| *received_on <= as_of)
            .collect();
        let mut paid_by_as_of = undated_paid;
        let mut paid_late = false;
        for (received_on, amount) in &dated {
            paid_by_as_of = paid_by_as_of
                .checked_add(*amount)
                .map_err(|_| LawError::Overflow)?;
            paid_late |= *received_on > invoice.due_on;
        }
        let unpaid = invoice.amount.minor() > paid_by_as_of.minor();
        if !unpaid && !paid_late {
            continue;
        }
        let mut claim = Claim::new(invoice.amount, invoice.due_on);
        if undated_paid.is_positive() {
            claim = claim.with_payment(invoice.due_on, undated_paid);
        }
        for (received_on, amount) in dated {
            claim = claim.with_payment(received_on, amount);
        }
        let formal_notice_on = notices.get(&invoice.id).copied();
        if let Some(notice_on) = formal_notice_on {
            claim = claim.with_formal_notice(notice_on);
        }
        let judgment_on = steps.judgments.get(&invoice.id).copied();
        if let Some(judgment_on) = judgment_on {
            claim = claim.with_judgment(judgment_on);
        }
        entries.push(StatementEntry {
            invoice: invoice.number,
            claim,
            terms: terms.effective,
        });
        notes.push(InvoiceNote {
            id: invoice.id,
            undated_paid,
            formal_notice_on,
            judgment_on,
        });
    }

    let waivers: Vec<WaiverRecord> = handle
        .waivers_of(id)
        .await?
        .into_iter()
        .filter(|record| !record.is_withdrawn() && waiver_in_currency(record, currency))
        .collect();
    let in_force: Vec<_> = waivers.iter().map(|record| record.waiver.clone()).collect();
    let mut statement = claimed_statement(
        currency,
        &entries,
        as_of,
        &book.tables,
        &book.policy,
        &in_force,
    )?;
    let mut costs: Vec<CollectionCostRecord> = handle
        .collection_costs_of(id)
        .await?
        .into_iter()
        .filter(|cost| {
            !cost.is_withdrawn() && cost.incurred_on <= as_of && cost.amount.currency() == currency
        })
        .collect();
    costs.sort_by_key(|cost| (cost.incurred_on, cost.id));
    if !costs.is_empty() {
        let mut proven = Money::zero(currency);
        for cost in &costs {
            proven = proven
                .checked_add(cost.amount)
                .map_err(|_| LawError::Overflow)?;
        }
        statement = statement.with_proven_costs(proven, terms.effective.jurisdiction)?;
    }
    Ok(CustomerStatement {
        customer_ref: details.reference,
        legal_name: details.legal_name,
        terms,
        policy: book.policy,
        statement,
        notes,
        waivers,
        costs,
        other_currencies,
    })
}

/// Amount waivers are recorded in the creditor's currency; one recorded before a change of
/// currency cannot apply to this statement.
fn waiver_in_currency(record: &WaiverRecord, currency: Currency) -> bool {
    match record.waiver.extent {
        WaiverExtent::Amount(amount) => amount.currency() == currency,
        WaiverExtent::Full | WaiverExtent::Share(_) => true,
    }
}

/// The day of each invoice's first formal notice through `as_of`: the first `formal_notice`
/// action listing it that was approved or sent, on the day it is scheduled for in the debtor's
/// time zone.
async fn formal_notices(
    store: &Store,
    tenant: &TenantRecord,
    customer: CustomerId,
    as_of: Date,
) -> Result<HashMap<InvoiceId, Date>, LawError> {
    let actions = store
        .tenant(tenant.id)
        .actions(&ActionFilter {
            decided_on: None,
            customer: Some(customer),
            status: None,
        })
        .await?;
    let mut notices: HashMap<InvoiceId, Date> = HashMap::new();
    for action in actions {
        let counts = action.template == FORMAL_NOTICE_TEMPLATE
            && !action.companion
            && matches!(action.status.as_str(), "scheduled" | "sent");
        if !counts {
            continue;
        }
        let notice_on = action
            .scheduled_at
            .parse::<jiff::ZonedDateTime>()
            .map(|zoned| zoned.date())
            .unwrap_or(action.decided_on);
        if notice_on > as_of {
            continue;
        }
        for invoice in action.invoice_ids {
            notices
                .entry(invoice)
                .and_modify(|first| *first = (*first).min(notice_on))
                .or_insert(notice_on);
        }
    }
    Ok(notices)
}

// --- Waivers ------------------------------------------------------------------------------------

/// How much a waiver gives up, as typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WaiverAmount<'a> {
    All,
    Amount(&'a str),
    Percent(&'a str),
}

/// A waiver to grant, as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaiverRequest<'a> {
    pub customer: &'a str,
    /// `None`: every invoice of the customer.
    pub invoice: Option<&'a str>,
    pub amount: WaiverAmount<'a>,
    /// `interest`, `indemnity` or `both`.
    pub charges: &'a str,
    pub reason: &'a str,
    pub granted_by: &'a str,
}

/// Grants a waiver: from the next statement on, the charges it covers are not claimed.
pub async fn add_waiver(
    store: &Store,
    tenant: &TenantRecord,
    clock: Clock,
    request: &WaiverRequest<'_>,
) -> Result<WaiverRecord, LawError> {
    let id = customer_id(store, tenant, request.customer).await?;
    let handle = store.tenant(tenant.id);
    let mut problems = Vec::new();
    let invoice = match request.invoice {
        None => None,
        Some(number) => customer_invoice(store, tenant, id, number, &mut problems).await?,
    };
    let extent = match request.amount {
        WaiverAmount::All => Some(WaiverExtent::Full),
        WaiverAmount::Amount(text) => {
            positive_amount("amount", text, tenant.profile.currency, &mut problems)
                .map(WaiverExtent::Amount)
        }
        WaiverAmount::Percent(text) => match Share::parse(text) {
            Ok(share) => Some(WaiverExtent::Share(share)),
            Err(_) => {
                problems.push(InputProblem::new(
                    "percent",
                    text,
                    InputProblemKind::NotAShare,
                ));
                None
            }
        },
    };
    let charges = WaivedCharges::parse(request.charges);
    if charges.is_none() {
        problems.push(InputProblem::new(
            "what",
            request.charges,
            InputProblemKind::NotOneOf {
                known: WaivedCharges::codes()
                    .into_iter()
                    .map(str::to_owned)
                    .collect(),
            },
        ));
    }
    for (field, text) in [("reason", request.reason), ("by", request.granted_by)] {
        if text.trim().is_empty() {
            problems.push(InputProblem::new(field, text, InputProblemKind::Empty));
        }
    }
    let (Some(extent), Some(charges), true) = (extent, charges, problems.is_empty()) else {
        return Err(LawError::Invalid { problems });
    };
    let waiver = handle
        .add_waiver(
            &NewWaiver {
                customer: id,
                invoice,
                extent,
                charges,
                reason: request.reason.trim(),
                granted_by: request.granted_by.trim(),
            },
            clock.now(),
        )
        .await?;
    Ok(handle.waiver(waiver).await?)
}

/// Every waiver of the customer, withdrawn ones too, in the order they were granted.
pub async fn waivers(
    store: &Store,
    tenant: &TenantRecord,
    reference: &str,
) -> Result<Vec<WaiverRecord>, LawError> {
    let id = customer_id(store, tenant, reference).await?;
    Ok(store.tenant(tenant.id).waivers_of(id).await?)
}

/// Withdraws a waiver (the agreement it was offered for was broken): from the next statement
/// on, the charges it gave up are claimed again.
pub async fn withdraw_waiver(
    store: &Store,
    tenant: &TenantRecord,
    clock: Clock,
    id: i64,
    reason: &str,
) -> Result<WaiverRecord, LawError> {
    required_reason(reason)?;
    let handle = store.tenant(tenant.id);
    found(handle.waiver(id).await, LawRecord::Waiver, id)?;
    if !handle
        .withdraw_waiver(id, reason.trim(), clock.now())
        .await?
    {
        return Err(LawError::AlreadyWithdrawn {
            record: LawRecord::Waiver,
            id,
        });
    }
    Ok(handle.waiver(id).await?)
}

/// What a waiver gives up, in words: "50 % des intérêts de la facture F-1"; amounts as
/// `amount` writes them.
pub fn waiver_text(
    record: &WaiverRecord,
    language: Language,
    amount: impl Fn(Money) -> String,
) -> String {
    let french = language == Language::French;
    let tr = |fr: &'static str, en: &'static str| if french { fr } else { en };
    let waiver = &record.waiver;
    let extent = match waiver.extent {
        WaiverExtent::Full => tr("la totalité", "all").to_owned(),
        WaiverExtent::Amount(money) => format!("{} {}", tr("jusqu'à", "up to"), amount(money)),
        WaiverExtent::Share(share) if french => {
            format!("{} %", share.to_percent_string().replace('.', ","))
        }
        WaiverExtent::Share(share) => format!("{}%", share.to_percent_string()),
    };
    let charges = match waiver.charges {
        WaivedCharges::Interest => tr("des intérêts", "of the interest"),
        WaivedCharges::Indemnity => tr("de l'indemnité", "of the indemnity"),
        WaivedCharges::Both => tr(
            "des intérêts et de l'indemnité",
            "of the interest and indemnity",
        ),
    };
    let scope = match &waiver.invoice {
        Some(number) => format!("{} {number}", tr("de la facture", "on invoice")),
        None => tr("de toutes les factures", "on every invoice").to_owned(),
    };
    format!("{extent} {charges} {scope}")
}

// --- Mention ------------------------------------------------------------------------------------

/// Whose mention to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MentionFor<'a> {
    /// A rule set, as typed (`fr-b2b`, `contract:12`).
    Jurisdiction(&'a str),
    /// A customer's terms, by its reference.
    Customer(&'a str),
}

/// The late-payment mention for invoices and terms of sale, from the tenant's policy (its
/// early-payment discount and floor setting) and the terms asked for.
pub async fn mention(
    store: &Store,
    tenant: &TenantRecord,
    whose: MentionFor<'_>,
    language: Language,
) -> Result<String, LawError> {
    let policy = policy(store, tenant).await?;
    let terms = match whose {
        MentionFor::Customer(reference) => {
            customer_terms(store, tenant, reference).await?.effective
        }
        MentionFor::Jurisdiction(text) => LatePaymentTerms {
            jurisdiction: Jurisdiction::parse(text).map_err(|_| LawError::Invalid {
                problems: vec![InputProblem::new(
                    "jurisdiction",
                    text,
                    InputProblemKind::NotAJurisdiction,
                )],
            })?,
            contract_rate: None,
            creditor: policy.creditor,
        },
    };
    Ok(late_payment_mention(
        &terms,
        &policy.settings,
        policy.early_payment_discount,
        language,
    ))
}

/// The id of the customer's invoice `number`; `None` with a problem when there is no such
/// invoice or it is another customer's.
pub(crate) async fn customer_invoice(
    store: &Store,
    tenant: &TenantRecord,
    customer: CustomerId,
    number: &str,
    problems: &mut Vec<InputProblem>,
) -> Result<Option<InvoiceId>, LawError> {
    let handle = store.tenant(tenant.id);
    match handle.invoice_by_number(number.trim()).await {
        Ok((invoice, owner)) if owner == customer => Ok(Some(invoice)),
        Ok((_, owner)) => {
            let owner = handle.customer_details(owner).await?.reference;
            problems.push(InputProblem::new(
                "invoice",
                number,
                InputProblemKind::InvoiceOfAnotherCustomer {
                    customer: owner.as_str().to_owned(),
                },
            ));
            Ok(None)
        }
        Err(StoreError::NotFound { .. }) => {
            problems.push(InputProblem::new(
                "invoice",
                number,
                InputProblemKind::UnknownInvoice,
            ));
            Ok(None)
        }
        Err(error) => Err(error.into()),
    }
}

pub(crate) fn required_reason(reason: &str) -> Result<(), LawError> {
    if reason.trim().is_empty() {
        return Err(LawError::Invalid {
            problems: vec![InputProblem::new("reason", reason, InputProblemKind::Empty)],
        });
    }
    Ok(())
}

pub(crate) fn found<T>(
    result: Result<T, StoreError>,
    record: LawRecord,
    id: i64,
) -> Result<T, LawError> {
    match result {
        Ok(value) => Ok(value),
        Err(StoreError::NotFound { .. }) => Err(LawError::UnknownRecord { record, id }),
        Err(error) => Err(error.into()),
    }
}

pub(crate) async fn customer_id(
    store: &Store,
    tenant: &TenantRecord,
    reference: &str,
) -> Result<CustomerId, LawError> {
    crate::customer_details::find_customer(store, tenant, reference)
        .await?
        .ok_or_else(|| LawError::UnknownCustomer {
            reference: reference.trim().to_owned(),
        })
}
