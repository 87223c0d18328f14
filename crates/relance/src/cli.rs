//! The command line: what a user can type.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "relance",
    version,
    about = "Relance: get invoices paid without losing the customer",
    long_about = "Relance: credit control and debt collection. Courteous, lawful reminders; aged balances; \
                  imports from accounting exports.\n\nData lives in ./relance-data/ unless --data-dir or \
                  RELANCE_DATA_DIR says otherwise."
)]
pub(crate) struct Cli {
    #[command(flatten)]
    pub(crate) global: GlobalArgs,
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Args)]
pub(crate) struct GlobalArgs {
    /// The data directory (database, configuration).
    #[arg(long, global = true, env = "RELANCE_DATA_DIR", default_value = crate::config::DEFAULT_DATA_DIR)]
    pub(crate) data_dir: PathBuf,
    /// A PostgreSQL URL (postgres://…) to use instead of the embedded SQLite database.
    #[arg(
        long,
        global = true,
        env = "RELANCE_DATABASE_URL",
        hide_env_values = true
    )]
    pub(crate) database_url: Option<String>,
    /// The creditor to work on, when the database holds several.
    #[arg(long, global = true, env = "RELANCE_TENANT")]
    pub(crate) tenant: Option<i64>,
    /// Language of messages and reports.
    #[arg(long, global = true, env = "RELANCE_LANG", value_enum, default_value_t = Lang::Fr)]
    pub(crate) lang: Lang,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Lang {
    Fr,
    En,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum OutputFormat {
    Table,
    Csv,
    Json,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Create the data directory and the creditor's books.
    Init(InitArgs),
    /// Create a demo creditor with a realistic portfolio (about 300 customers, 3,000 invoices).
    Demo(DemoArgs),
    /// Start the web application (staff pages and the JSON API).
    Serve(ServeArgs),
    /// Import customers and invoices (CSV or FEC), or a bank statement.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Bank credits: the review queue, matching by hand, undoing a match, the settings.
    #[command(subcommand)]
    Payments(crate::payment_cmds::PaymentsCommand),
    /// Record a payment received outside a bank file.
    #[command(subcommand)]
    Payment(crate::payment_cmds::PaymentCommand),
    /// List customers.
    #[command(subcommand)]
    Customers(CustomersCommand),
    /// List invoices.
    #[command(subcommand)]
    Invoices(InvoicesCommand),
    /// Reports.
    #[command(subcommand)]
    Report(ReportCommand),
    /// The daily run: decide every customer's next step for a date and record it.
    Run(RunArgs),
    /// Run every day between two dates, as the scheduler would (demos, tests, rehearsals).
    Simulate(SimulateArgs),
    /// The actions decided: list, approve, skip.
    #[command(subcommand)]
    Actions(ActionsCommand),
    /// Escalation scenarios: show, import, assign to a customer.
    #[command(subcommand)]
    Scenario(ScenarioCommand),
    /// The contact policy (hours, limits, grace): show, import.
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// Record a customer's promise to pay.
    #[command(subcommand)]
    Promise(PromiseCommand),
    /// Open or close a dispute on an invoice.
    #[command(subcommand)]
    Dispute(DisputeCommand),
    /// Put a customer's case on hold until a date.
    Hold(HoldArgs),
    /// Incidents (aggressive debtor): open one (contacts stop, the legal route is proposed), or
    /// resolve them (contacts resume).
    Incident(IncidentArgs),
    /// Log a contact made by a person, with its outcome and the reason for the delay.
    #[command(subcommand)]
    Contact(ContactCommand),
    /// One customer: its whole file, and the details dunning relies on.
    #[command(subcommand)]
    Customer(CustomerCommand),
    /// Late-payment interest and indemnity on one claim, period by period (works without books).
    Interest(InterestArgs),
    /// A customer's statement of account (décompte): each late invoice, payments received,
    /// penalties, indemnities, waivers and the total due.
    Statement(StatementArgs),
    /// Rate tables of late-payment law (ECB, French legal rate, German base rate): show, import.
    #[command(subcommand)]
    Rates(RatesCommand),
    /// The creditor's late-payment settings: when charges are claimed, and the choices the law
    /// leaves open.
    #[command(subcommand)]
    LatePayment(LatePaymentCommand),
    /// Waive penalties or indemnities (all, an amount or a share), list waivers, withdraw one.
    #[command(subcommand)]
    Waiver(WaiverCommand),
    /// Steps taken outside Relance that the statement counts: a formal notice, a judgment,
    /// proven collection costs.
    #[command(subcommand)]
    Recovery(crate::recovery_cmds::RecoveryCommand),
    /// Payment plans (échéanciers): propose, accept, show, list, cancel; the limits a collector
    /// may grant without a manager.
    #[command(subcommand)]
    Plan(crate::plan_cmds::PlanCommand),
    /// The debtor portal: a personal link to a customer's page, or revoking its links.
    #[command(subcommand)]
    Portal(crate::portal_cmds::PortalCommand),
    /// The audit log: every change made through the web pages, the API or the command line, and
    /// every reading of a customer's file.
    #[command(subcommand)]
    Audit(crate::audit_cmds::AuditCommand),
    /// Settlements without a payment: credit notes, settlements in kind, assignments of the
    /// receivable, write-offs; each with a reason and who decided it.
    #[command(subcommand)]
    Settlement(crate::settlement_cmds::SettlementCommand),
    /// The mandatory late-payment mention for invoices and terms of sale (French or English, with --lang).
    Mention(MentionArgs),
    /// Message templates: list, show, edit, reset, preview (in --lang).
    #[command(subcommand)]
    Template(crate::template_cmds::TemplateCommand),
    /// The PDF letter of a recorded action, the day's print batch, or the day's list of
    /// registered letters for the post office.
    Letter(crate::template_cmds::LetterArgs),
    /// Send what is due: scheduled e-mails and SMS, once, inside each debtor's contact hours
    /// (SMTP and SMS gateway from RELANCE_SMTP_URL, RELANCE_SMS_URL…).
    Dispatch(crate::delivery_cmds::DispatchArgs),
    /// The outbox: list messages, show one, resolve one whose delivery is unknown.
    #[command(subcommand)]
    Outbox(crate::delivery_cmds::OutboxCommand),
    /// The day's call tasks: who to call, the script and the customer's file in brief.
    Calls(crate::delivery_cmds::CallsArgs),
    /// The creditor's SMTP server and SMS gateway, saved: show, set.
    #[command(subcommand)]
    Delivery(crate::delivery_cmds::DeliveryCommand),
    /// The accounts working for the creditor: list them, give an existing account a role (an
    /// agency's staff working for several creditors).
    #[command(subcommand)]
    User(crate::user_cmds::UserCommand),
    /// Benchmarks, measured against reference tools in the same run.
    #[command(subcommand)]
    Bench(BenchCommand),
}

#[derive(Debug, Args)]
pub(crate) struct RunArgs {
    /// The day to decide for (default: today in the creditor's time zone).
    #[arg(long)]
    pub(crate) date: Option<jiff::civil::Date>,
    /// Decide and show, write nothing.
    #[arg(long)]
    pub(crate) dry_run: bool,
    /// Show every customer examined, including those with nothing to do today.
    #[arg(long, conflicts_with = "summary")]
    pub(crate) all: bool,
    /// Show the counts only, not each decision: for a scheduled run, whose decisions
    /// `relance actions list` shows afterwards.
    #[arg(long)]
    pub(crate) summary: bool,
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    pub(crate) format: OutputFormat,
}

#[derive(Debug, Args)]
pub(crate) struct SimulateArgs {
    #[arg(long)]
    pub(crate) from: jiff::civil::Date,
    #[arg(long)]
    pub(crate) to: jiff::civil::Date,
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    pub(crate) format: OutputFormat,
}

#[derive(Debug, Subcommand)]
pub(crate) enum ActionsCommand {
    /// List actions (default: all).
    List(ActionListArgs),
    /// Approve an action that needs a manager's approval (a formal notice, a hand-off).
    Approve { id: i64 },
    /// Skip an action, with the reason.
    Skip {
        id: i64,
        #[arg(long)]
        reason: String,
    },
}

#[derive(Debug, Args)]
pub(crate) struct ActionListArgs {
    /// Only the actions decided on this day.
    #[arg(long)]
    pub(crate) date: Option<jiff::civil::Date>,
    #[arg(long)]
    pub(crate) customer: Option<String>,
    /// awaiting_approval, scheduled, skipped, sent, cancelled.
    #[arg(long)]
    pub(crate) status: Option<String>,
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    pub(crate) format: OutputFormat,
}

#[derive(Debug, Subcommand)]
pub(crate) enum ScenarioCommand {
    /// Print a scenario as the TOML file that imports it (default: every scenario).
    Show { name: Option<String> },
    /// Validate and save a scenario file (a new one, or a change to an existing one).
    Import { file: PathBuf },
    /// Assign a scenario to a customer ("default": back to the default for its kind).
    Assign {
        #[arg(long)]
        customer: String,
        name: String,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum PolicyCommand {
    /// Print the contact policy as the TOML file that imports it.
    Show {
        /// A customer's override, when it has one.
        #[arg(long)]
        customer: Option<String>,
    },
    /// Validate and save a contact policy, the creditor's or a customer's override.
    Import {
        file: PathBuf,
        #[arg(long)]
        customer: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum PromiseCommand {
    /// The customer promises to pay an amount by a date: the case pauses until then (plus grace).
    Add {
        #[arg(long)]
        customer: String,
        #[arg(long)]
        amount: String,
        #[arg(long)]
        date: jiff::civil::Date,
        #[arg(long, default_value = "")]
        note: String,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum DisputeCommand {
    /// The invoice leaves dunning until the dispute is closed.
    Open {
        #[arg(long)]
        invoice: String,
        /// not-received, defective, price, already-paid, not-ordered, other.
        #[arg(long)]
        reason: String,
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Close the dispute: rejected puts the invoice back into dunning.
    Close {
        #[arg(long)]
        invoice: String,
        /// upheld, rejected, credit-note.
        #[arg(long)]
        outcome: String,
    },
}

#[derive(Debug, Args)]
pub(crate) struct HoldArgs {
    #[arg(long)]
    pub(crate) customer: String,
    #[arg(long)]
    pub(crate) until: jiff::civil::Date,
    #[arg(long)]
    pub(crate) reason: String,
}

/// `relance incident --customer REF --note …` is `relance incident open …`: the form that came
/// first, kept working beside the subcommands.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub(crate) struct IncidentArgs {
    #[command(subcommand)]
    pub(crate) command: Option<IncidentCommand>,
    #[command(flatten)]
    pub(crate) open: IncidentOpenArgs,
}

#[derive(Debug, Subcommand)]
pub(crate) enum IncidentCommand {
    /// Report an incident: contacts stop, the legal route is proposed for approval.
    Open(IncidentOpenArgs),
    /// Resolve the customer's open incidents: contacts resume at the next run.
    Resolve(IncidentResolveArgs),
}

#[derive(Debug, Args)]
pub(crate) struct IncidentOpenArgs {
    /// The customer's reference.
    #[arg(long, required = true)]
    pub(crate) customer: Option<String>,
    /// What happened.
    #[arg(long, required = true)]
    pub(crate) note: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct IncidentResolveArgs {
    /// The customer's reference.
    #[arg(long)]
    pub(crate) customer: String,
    /// Why contact may resume.
    #[arg(long)]
    pub(crate) note: Option<String>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum ContactCommand {
    Log(ContactLogArgs),
}

#[derive(Debug, Args)]
pub(crate) struct ContactLogArgs {
    #[arg(long)]
    pub(crate) customer: String,
    /// email, sms, phone, letter.
    #[arg(long)]
    pub(crate) channel: String,
    /// reached, no-answer, wrong-number, bounced.
    #[arg(long)]
    pub(crate) outcome: String,
    /// Why the customer is late: forgot, cash-flow, dispute, wrong-entity, bad-faith, insolvency, other.
    #[arg(long)]
    pub(crate) reason: Option<String>,
    #[arg(long, default_value = "")]
    pub(crate) note: String,
    /// The day of the contact (default: today).
    #[arg(long)]
    pub(crate) date: Option<jiff::civil::Date>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum CustomerCommand {
    /// Details, invoices, actions, contacts, promises, disputes, holds and incidents of one customer.
    Show {
        reference: String,
        #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
        format: OutputFormat,
    },
    /// Complete or correct what dunning relies on; only the options given change, and the next
    /// run reconsiders the customer.
    Set(Box<CustomerSetArgs>),
}

#[derive(Debug, Args)]
pub(crate) struct CustomerSetArgs {
    /// The customer's reference.
    pub(crate) reference: String,
    /// low, standard, high (scenario steps can be limited to some segments).
    #[arg(long)]
    pub(crate) risk_segment: Option<String>,
    /// IANA name (Europe/Paris, America/Montreal…): contact hours are read in it; "default": the creditor's.
    #[arg(long)]
    pub(crate) time_zone: Option<String>,
    /// fr, en.
    #[arg(long)]
    pub(crate) language: Option<String>,
    /// email, sms, phone, letter: where courteous and firm reminders go when it can be used.
    #[arg(long)]
    pub(crate) preferred_channel: Option<String>,
    /// An empty value removes it.
    #[arg(long)]
    pub(crate) email: Option<String>,
    /// An empty value removes it.
    #[arg(long)]
    pub(crate) phone: Option<String>,
    /// Street line; a letter needs it with --postal-code and --city.
    #[arg(long)]
    pub(crate) address_line1: Option<String>,
    #[arg(long)]
    pub(crate) address_line2: Option<String>,
    #[arg(long)]
    pub(crate) postal_code: Option<String>,
    #[arg(long)]
    pub(crate) city: Option<String>,
    /// Two-letter ISO code (FR, BE…).
    #[arg(long)]
    pub(crate) country: Option<String>,
    /// Give or withdraw consent to a channel; repeat for several (--consent sms=yes --consent phone=no).
    #[arg(long = "consent", value_name = "CHANNEL=yes|no")]
    pub(crate) consents: Vec<String>,
    /// A scenario's name; "default": the default for the customer's kind.
    #[arg(long)]
    pub(crate) scenario: Option<String>,
    /// Late-payment rule set: fr-b2b, fr-b2c, de-b2b, de-b2c, eu, contract:RATE; "default": the one
    /// the customer's country and kind give.
    #[arg(long)]
    pub(crate) jurisdiction: Option<String>,
    /// The penalty rate the contract states, under fr-b2b: 12.5, or 3x-legal; "none" removes it.
    #[arg(long)]
    pub(crate) contract_rate: Option<String>,
    #[arg(long, value_enum, default_value_t = DetailsFormat::Table)]
    pub(crate) format: DetailsFormat,
}

#[derive(Debug, Args)]
pub(crate) struct InterestArgs {
    /// fr-b2b, fr-b2c, de-b2b, de-b2c, eu, or contract:RATE.
    #[arg(long)]
    pub(crate) jurisdiction: String,
    /// Under fr-b2b, the rate the contract states: 12.5, or 3x-legal.
    #[arg(long)]
    pub(crate) contract_rate: Option<String>,
    /// The amount claimed (including VAT unless the terms of sale say otherwise), as 1234.56.
    #[arg(long)]
    pub(crate) amount: String,
    /// The due date.
    #[arg(long)]
    pub(crate) due: jiff::civil::Date,
    /// Interest is counted through this day.
    #[arg(long)]
    pub(crate) until: jiff::civil::Date,
    /// A payment received; repeat for several.
    #[arg(long = "payment", value_name = "DATE:AMOUNT")]
    pub(crate) payments: Vec<String>,
    /// The formal notice (mise en demeure): where fr-b2c and de-b2c interest starts.
    #[arg(long)]
    pub(crate) notice_date: Option<jiff::civil::Date>,
    #[arg(long, value_enum, default_value_t = DetailsFormat::Table)]
    pub(crate) format: DetailsFormat,
}

#[derive(Debug, Args)]
pub(crate) struct StatementArgs {
    /// The customer's reference.
    #[arg(long)]
    pub(crate) customer: String,
    /// The day the statement is made for (default: today in the creditor's time zone).
    #[arg(long)]
    pub(crate) as_of: Option<jiff::civil::Date>,
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    pub(crate) format: OutputFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum RateKind {
    /// ECB main refinancing rate.
    Ecb,
    /// French legal interest rate.
    FrLegal,
    /// German base rate.
    DeBase,
}

#[derive(Debug, Subcommand)]
pub(crate) enum RatesCommand {
    /// The rate tables in force; with --kind and --format csv, the file to edit and import again.
    Show {
        #[arg(long, value_enum)]
        kind: Option<RateKind>,
        #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
        format: OutputFormat,
    },
    /// Replace a table with a file of the same shape (its header says which table); all or nothing.
    Import { file: PathBuf },
}

#[derive(Debug, Subcommand)]
pub(crate) enum LatePaymentCommand {
    /// The settings in force.
    Show {
        #[arg(long, value_enum, default_value_t = DetailsFormat::Table)]
        format: DetailsFormat,
    },
    /// Change settings; only the options given change.
    Set(LatePaymentSetArgs),
}

#[derive(Debug, Args)]
pub(crate) struct LatePaymentSetArgs {
    /// When penalties and indemnities start being claimed: never, formal-notice, due-date.
    #[arg(long)]
    pub(crate) claim_from: Option<String>,
    /// actual-365 (every day 1/365, leap years too) or actual-366-in-leap-years.
    #[arg(long)]
    pub(crate) day_count: Option<String>,
    /// Where partial payments go first: interest-first (Code civil 1343-1) or principal-first.
    #[arg(long)]
    pub(crate) payment_order: Option<String>,
    /// A French B2B contract rate below 3 × the legal rate: flag-for-review, apply-floor, apply-statutory-rate.
    #[arg(long)]
    pub(crate) below_floor: Option<String>,
    /// The statutory rate (ECB + 10) below 3 × the legal rate, as in 2024: as-written, three-times-legal-rate.
    #[arg(long)]
    pub(crate) statutory_rate_floor: Option<String>,
    /// The +5 points after a judgment: day-after-two-months, two-month-anniversary, not-applied.
    #[arg(long)]
    pub(crate) post_judgment_increase: Option<String>,
    /// Who the creditor is (decides the legal rate's category): business, private-individual.
    #[arg(long)]
    pub(crate) creditor: Option<String>,
    /// The discount for early payment invoices state: none, or PERCENT:DAYS (2:10).
    #[arg(long)]
    pub(crate) early_payment_discount: Option<String>,
    #[arg(long, value_enum, default_value_t = DetailsFormat::Table)]
    pub(crate) format: DetailsFormat,
}

#[derive(Debug, Subcommand)]
pub(crate) enum WaiverCommand {
    /// Waive charges on one invoice or on all of a customer's invoices.
    Add(WaiverAddArgs),
    /// The customer's waivers, withdrawn ones too.
    List {
        #[arg(long)]
        customer: String,
        #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
        format: OutputFormat,
    },
    /// Withdraw a waiver (the agreement it was offered for was broken): the charges are claimed again.
    Withdraw {
        id: i64,
        #[arg(long)]
        reason: String,
    },
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("extent").required(true).args(["all", "amount", "percent"])))]
pub(crate) struct WaiverAddArgs {
    #[arg(long)]
    pub(crate) customer: String,
    /// Only this invoice (default: every invoice of the customer).
    #[arg(long)]
    pub(crate) invoice: Option<String>,
    /// Waive all of it.
    #[arg(long)]
    pub(crate) all: bool,
    /// Waive up to this amount.
    #[arg(long)]
    pub(crate) amount: Option<String>,
    /// Waive this share, in percent.
    #[arg(long)]
    pub(crate) percent: Option<String>,
    /// interest, indemnity or both.
    #[arg(long)]
    pub(crate) what: String,
    /// Why (the agreement it is offered for).
    #[arg(long)]
    pub(crate) reason: String,
    /// Who grants it (default: RELANCE_USER, else the system user).
    #[arg(long, env = "RELANCE_USER")]
    pub(crate) by: Option<String>,
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("whose").args(["jurisdiction", "customer"])))]
pub(crate) struct MentionArgs {
    /// The rule set (default: fr-b2b, the mention French law requires of businesses).
    #[arg(long)]
    pub(crate) jurisdiction: Option<String>,
    /// A customer's terms instead (its rule set and contract rate).
    #[arg(long)]
    pub(crate) customer: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum DetailsFormat {
    Table,
    Json,
}

#[derive(Debug, Args)]
pub(crate) struct InitArgs {
    /// The creditor's company name.
    #[arg(long)]
    pub(crate) company: String,
    /// The company's SIREN (9 digits).
    #[arg(long)]
    pub(crate) siren: Option<String>,
    /// The creditor's time zone (IANA name): calendar dates are read in it.
    #[arg(long, default_value = "Europe/Paris")]
    pub(crate) timezone: String,
    /// The currency of reports and of invoices that name none (ISO 4217).
    #[arg(long, default_value = "EUR")]
    pub(crate) currency: String,
    /// The creditor's IBAN, printed on payment instructions.
    #[arg(long)]
    pub(crate) iban: Option<String>,
    /// Add this creditor to a database that already holds others (an agency collecting for
    /// several clients); later commands choose one with --tenant.
    #[arg(long)]
    pub(crate) add_creditor: bool,
    /// Days between issue and due date when a file gives no due date (FEC).
    #[arg(long, default_value_t = domain::creditor::FRENCH_DEFAULT_PAYMENT_TERM_DAYS)]
    pub(crate) payment_term_days: u16,
}

#[derive(Debug, Args)]
pub(crate) struct DemoArgs {
    /// Seed of the generator: the same seed gives the same portfolio.
    #[arg(long, default_value_t = 2026)]
    pub(crate) seed: u64,
    /// The day the portfolio is seen from (default: today in Paris).
    #[arg(long)]
    pub(crate) as_of: Option<jiff::civil::Date>,
}

#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// The address and port to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub(crate) listen: String,
    /// Start on the demo data (created if absent) with a demo administrator whose password is
    /// printed.
    #[arg(long)]
    pub(crate) demo: bool,
    /// Run the dispatcher every this many seconds (0: never; `relance dispatch` then sends).
    #[arg(long, default_value_t = 60)]
    pub(crate) dispatch_every: u64,
    #[command(flatten)]
    pub(crate) transports: crate::delivery_cmds::TransportArgs,
}

#[derive(Debug, Subcommand)]
pub(crate) enum ImportCommand {
    /// Import customers and invoices from a CSV export or a FEC file.
    Invoices(ImportInvoicesArgs),
    /// Import a bank statement (camt.053/054, OFX, MT940, CSV): credits matched to invoices and
    /// applied, or queued for review; all or nothing, and nothing twice.
    Bank(Box<crate::payment_cmds::ImportBankArgs>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum InvoiceFormat {
    Csv,
    Fec,
}

#[derive(Debug, Args)]
pub(crate) struct ImportInvoicesArgs {
    /// The file to import.
    pub(crate) file: PathBuf,
    /// The file's format (default: csv, or fec for files named like a FEC).
    #[arg(long, value_enum)]
    pub(crate) format: Option<InvoiceFormat>,
    /// For FEC files, which carry no due date: days from issue to due date (default: the creditor's).
    #[arg(long)]
    pub(crate) payment_term_days: Option<u16>,
    /// Print the report as JSON.
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    pub(crate) output: OutputFormat,
}

#[derive(Debug, Subcommand)]
pub(crate) enum CustomersCommand {
    /// List customers with their open balance.
    List(ListArgs),
}

#[derive(Debug, Subcommand)]
pub(crate) enum InvoicesCommand {
    /// List invoices.
    List(InvoiceListArgs),
}

#[derive(Debug, Args)]
pub(crate) struct ListArgs {
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    pub(crate) format: OutputFormat,
}

#[derive(Debug, Args)]
pub(crate) struct InvoiceListArgs {
    /// Only invoices past their due date with something outstanding.
    #[arg(long)]
    pub(crate) overdue: bool,
    /// Only the invoices of this customer (its reference).
    #[arg(long)]
    pub(crate) customer: Option<String>,
    /// The day "overdue" is judged on (default: today in the creditor's time zone).
    #[arg(long)]
    pub(crate) as_of: Option<jiff::civil::Date>,
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    pub(crate) format: OutputFormat,
}

#[derive(Debug, Subcommand)]
pub(crate) enum ReportCommand {
    /// The aged balance (balance âgée): outstanding amounts by customer and days past due.
    Aging(AgingArgs),
}

#[derive(Debug, Args)]
pub(crate) struct AgingArgs {
    /// The day the balance is aged on (default: today in the creditor's time zone).
    #[arg(long)]
    pub(crate) as_of: Option<jiff::civil::Date>,
    /// The currency reported (default: the creditor's).
    #[arg(long)]
    pub(crate) currency: Option<String>,
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    pub(crate) format: OutputFormat,
}

#[derive(Debug, Subcommand)]
pub(crate) enum BenchCommand {
    /// Generate an invoice CSV and import it: first import, re-import, rejection of a bad file;
    /// with sqlite3's .import and PostgreSQL's COPY on the same file as references.
    Import(BenchImportArgs),
    /// The daily dunning run: cold, same day again, next day, cold after a reset; with the same
    /// decisions as one SQL script in sqlite3 and PostgreSQL as references.
    Run(BenchRunArgs),
    /// Bank-statement matching against the generator's answer key: end-to-end time, precision
    /// of auto-applied matches, recall and share auto-applied; with an exact-reference hash
    /// join as reference.
    Match(crate::bench_match::BenchMatchArgs),
    /// The web application under load through the real server on loopback: the API's customer
    /// file against bare SQLite reads (A1), the same during a job (A2), durable writes at a fixed
    /// rate (A3), and with `--pages` the staff pages.
    Web(BenchWebArgs),
    /// Requests at a fixed rate, for `bench web` to run in a process of its own.
    #[command(hide = true)]
    Load(BenchLoadArgs),
}

#[derive(Debug, Args)]
pub(crate) struct BenchLoadArgs {
    /// The server's address (host:port).
    #[arg(long)]
    pub(crate) address: std::net::SocketAddr,
    /// A file of paths to GET, one a line, taken in turn.
    #[arg(long)]
    pub(crate) paths: PathBuf,
    /// Requests a second, over all connections.
    #[arg(long)]
    pub(crate) rate: u32,
    #[arg(long)]
    pub(crate) connections: u32,
    #[arg(long)]
    pub(crate) seconds: u64,
    /// A header line sent with every request: the API token or the session's cookie.
    #[arg(long, env = "RELANCE_BENCH_HEADER", hide_env_values = true)]
    pub(crate) header: String,
}

#[derive(Debug, Args)]
pub(crate) struct BenchWebArgs {
    #[arg(long, default_value_t = 10_000)]
    pub(crate) customers: u32,
    #[arg(long, default_value_t = 100_000)]
    pub(crate) invoices: u64,
    #[arg(long, default_value_t = 1)]
    pub(crate) seed: u64,
    /// How long each load of A1 and A3 lasts, in seconds.
    #[arg(long, default_value_t = 10)]
    pub(crate) seconds: u64,
    /// Also time the staff pages (dashboard, customers, a customer file).
    #[arg(long)]
    pub(crate) pages: bool,
    /// Requests per page (with `--pages`).
    #[arg(long, default_value_t = 400)]
    pub(crate) requests: u32,
    /// Connections at once (with `--pages`).
    #[arg(long, default_value_t = 4)]
    pub(crate) connections: u32,
    /// Where to put the generated file and database (default: a temporary directory).
    #[arg(long)]
    pub(crate) work_dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct BenchRunArgs {
    #[arg(long, default_value_t = 10_000)]
    pub(crate) customers: u32,
    #[arg(long, default_value_t = 100_000)]
    pub(crate) invoices: u64,
    #[arg(long, default_value_t = 1)]
    pub(crate) seed: u64,
    /// Where to put the generated files and databases (default: a temporary directory).
    #[arg(long)]
    pub(crate) work_dir: Option<PathBuf>,
    /// PostgreSQL URL for the SQL reference (default: RELANCE_BENCH_POSTGRES_URL, or skipped).
    #[arg(long, env = "RELANCE_BENCH_POSTGRES_URL", hide_env_values = true)]
    pub(crate) postgres_url: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct BenchImportArgs {
    /// Invoice rows to generate.
    #[arg(long, default_value_t = 100_000)]
    pub(crate) rows: u64,
    /// Generator seed.
    #[arg(long, default_value_t = 1)]
    pub(crate) seed: u64,
    /// Where to put the generated files and databases (default: a temporary directory).
    #[arg(long)]
    pub(crate) work_dir: Option<PathBuf>,
    /// Measure Relance only (to compare Relance's own figures between changes).
    #[arg(long)]
    pub(crate) no_references: bool,
    /// Rows with the ledger's columns only (customer reference and name, invoice number, dates,
    /// amount, outstanding: about 86 bytes a row, the shape of benchmark I1's file) instead of
    /// every column (contact details, kind, country and service date too: about 150).
    #[arg(long)]
    pub(crate) ledger_columns: bool,
    /// PostgreSQL URL for the COPY reference (default: RELANCE_BENCH_POSTGRES_URL, or skipped with a note).
    #[arg(long, env = "RELANCE_BENCH_POSTGRES_URL")]
    pub(crate) postgres_url: Option<String>,
}
