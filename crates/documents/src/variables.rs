//! The variables a template can use: one documented list, which `relance template show
//! --variables` prints, the README reproduces, and `edit` checks every template against.
//!
//! Values are ready to print, in the customer's language: amounts as `1 234,56 €`, dates as
//! `20 mai 2026` (lists use the short form `20/05/2026`). Absent texts are empty strings, so
//! `{% if customer.email %}` tests them; flags are true or false. Names with `[]` are the fields
//! of each item of a list (`{% for invoice in invoices %}{{ invoice.number }}{% endfor %}`).

use domain::customer::Language;

use crate::catalog::{BUILTINS, Builtin, Extra};
use crate::problem::ProblemKind;

/// What kind of value a variable holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VariableKind {
    Text,
    Number,
    Flag,
    List,
}

impl VariableKind {
    pub fn label(&self, language: Language) -> &'static str {
        match (self, language) {
            (VariableKind::Text, Language::French) => "texte",
            (VariableKind::Text, Language::English) => "text",
            (VariableKind::Number, Language::French) => "nombre",
            (VariableKind::Number, Language::English) => "number",
            (VariableKind::Flag, Language::French) => "oui/non",
            (VariableKind::Flag, Language::English) => "yes/no",
            (VariableKind::List, Language::French) => "liste",
            (VariableKind::List, Language::English) => "list",
        }
    }
}

/// One documented variable.
#[derive(Debug, Clone, Copy)]
pub struct Variable {
    pub name: &'static str,
    pub kind: VariableKind,
    pub french: &'static str,
    pub english: &'static str,
}

impl Variable {
    pub fn description(&self, language: Language) -> &'static str {
        match language {
            Language::French => self.french,
            Language::English => self.english,
        }
    }

    /// The group a variable belongs to: `customer` for `customer.name`.
    pub fn group(&self) -> &'static str {
        group_of(self.name)
    }
}

fn group_of(name: &str) -> &str {
    name.split(['.', '[']).next().unwrap_or(name)
}

macro_rules! variables {
    ($($name:literal, $kind:ident, $fr:literal, $en:literal;)*) => {
        /// Every variable, by group.
        pub const VARIABLES: &[Variable] = &[$(Variable {
            name: $name,
            kind: VariableKind::$kind,
            french: $fr,
            english: $en,
        }),*];
    };
}

variables! {
    "creditor.name", Text, "raison sociale du créancier", "the creditor's company name";
    "creditor.siren", Text, "SIREN du créancier (vide si inconnu)", "the creditor's SIREN (empty if unknown)";
    "creditor.address", List, "adresse du créancier, une ligne par élément", "the creditor's address, one line per item";
    "creditor.city", Text, "ville du créancier", "the creditor's city";
    "creditor.iban", Text, "IBAN du créancier, par groupes de quatre (vide si inconnu)", "the creditor's IBAN in groups of four (empty if unknown)";
    "customer.reference", Text, "code client", "the customer's reference";
    "customer.name", Text, "nom ou raison sociale du client", "the customer's name";
    "customer.is_business", Flag, "le client est un professionnel (B2B)", "the customer is a business (B2B)";
    "customer.address", List, "adresse postale du client, une ligne par élément", "the customer's postal address, one line per item";
    "customer.email", Text, "e-mail du client (vide si inconnu)", "the customer's e-mail (empty if unknown)";
    "customer.phone", Text, "téléphone du client (vide si inconnu)", "the customer's phone (empty if unknown)";
    "invoices", List, "les factures dont parle le message", "the invoices the message is about";
    "invoices[].number", Text, "numéro de facture", "invoice number";
    "invoices[].issued_on", Text, "date de facture (courte)", "invoice date (short)";
    "invoices[].due_on", Text, "date d'échéance (courte)", "due date (short)";
    "invoices[].amount", Text, "montant TTC", "amount including tax";
    "invoices[].outstanding", Text, "reste dû", "amount outstanding";
    "invoices[].days_late", Number, "jours de retard (0 si non échue)", "days past due (0 if not yet due)";
    "totals.count", Number, "nombre de factures", "number of invoices";
    "totals.amount", Text, "total des montants TTC", "total of the invoice amounts";
    "totals.outstanding", Text, "total restant dû", "total outstanding";
    "totals.first_due_on", Text, "première échéance (longue)", "earliest due date (long)";
    "totals.days_late", Number, "jours de retard depuis la première échéance (0 si non échue)", "days since the earliest due date (0 if not yet due)";
    "statement.as_of", Text, "date du décompte", "date of the statement of account";
    "statement.lines", List, "une ligne par facture du décompte", "one line per invoice of the statement";
    "statement.lines[].invoice", Text, "numéro de facture", "invoice number";
    "statement.lines[].due_on", Text, "échéance (courte)", "due date (short)";
    "statement.lines[].principal", Text, "principal", "principal";
    "statement.lines[].interest", Text, "pénalités ou intérêts", "penalties or interest";
    "statement.lines[].indemnity", Text, "indemnité forfaitaire", "fixed recovery indemnity";
    "statement.lines[].paid", Text, "déjà réglé", "already paid";
    "statement.lines[].due", Text, "reste dû, tout compris", "still due, everything included";
    "statement.principal", Text, "total du principal", "total principal";
    "statement.interest", Text, "total des pénalités ou intérêts", "total penalties or interest";
    "statement.indemnity", Text, "total des indemnités forfaitaires", "total fixed indemnities";
    "statement.total", Text, "total réclamé avant règlements", "total claimed before payments";
    "statement.paid", Text, "total déjà réglé", "total already paid";
    "statement.due", Text, "total restant dû, tout compris", "total still due, everything included";
    "statement.costs", Text, "indemnisation complémentaire des frais de recouvrement justifiés", "complementary compensation for proven collection costs";
    "statement.waived", Text, "pénalités et indemnités remises", "penalties and indemnities waived";
    "statement.interest_label", Text, "« Pénalités » (B2B) ou « Intérêts » (B2C)", "\"Penalties\" (B2B) or \"Interest\" (B2C)";
    "statement.has_interest", Flag, "des pénalités ou intérêts sont dus", "penalties or interest are due";
    "statement.has_indemnity", Flag, "des indemnités forfaitaires sont dues", "fixed indemnities are due";
    "statement.has_costs", Flag, "des frais de recouvrement justifiés sont réclamés", "proven collection costs are claimed";
    "statement.has_waiver", Flag, "une remise a été accordée", "a waiver was granted";
    "statement.rate_note", Text, "comment le décompte est calculé (taux appliqués, indemnité)", "how the statement is computed (rates applied, indemnity)";
    "statement.legal_basis", Text, "la mention légale des pénalités applicable au client", "the late-payment mention that applies to the customer";
    "payment.beneficiary", Text, "bénéficiaire du virement", "transfer beneficiary";
    "payment.iban", Text, "IBAN, par groupes de quatre (vide si inconnu)", "IBAN in groups of four (empty if unknown)";
    "payment.bic", Text, "BIC (vide si inconnu)", "BIC (empty if unknown)";
    "payment.reference", Text, "référence structurée RF (ISO 11649) à rappeler", "structured RF reference (ISO 11649) to quote";
    "payment.amount", Text, "montant à régler", "amount to pay";
    "payment.has_iban", Flag, "un IBAN est connu", "an IBAN is known";
    "message.date", Text, "date du message (longue)", "date of the message (long)";
    "message.place", Text, "lieu d'émission (ville du créancier)", "place of issue (the creditor's city)";
    "message.deadline", Text, "date limite proposée (date du message + délai)", "deadline asked for (date of the message + delay)";
    "message.deadline_days", Number, "délai en jours (8)", "delay in days (8)";
    "message.tone", Text, "ton de l'étape : courteous, firm, formal", "tone of the step: courteous, firm, formal";
    "message.step", Text, "clé de l'étape du scénario", "key of the scenario step";
    "message.channel", Text, "canal de l'étape : email, sms, letter, registered_letter, phone_task, agency_handoff, legal", "channel of the step: email, sms, letter, registered_letter, phone_task, agency_handoff, legal";
    "message.registered", Flag, "envoi en recommandé", "sent by registered letter";
    "collector.name", Text, "signataire (gestionnaire du dossier)", "signatory (the collector in charge)";
    "collector.email", Text, "e-mail du gestionnaire (vide si inconnu)", "the collector's e-mail (empty if unknown)";
    "collector.phone", Text, "téléphone du gestionnaire (vide si inconnu)", "the collector's phone (empty if unknown)";
    "portal.url", Text, "adresse de la page personnelle du client sur le portail (vide s'il n'a pas de lien)", "address of the customer's personal portal page (empty without a link)";
    "promise.amount", Text, "montant promis (promise_confirmation)", "amount promised (promise_confirmation)";
    "promise.date", Text, "date promise (promise_confirmation)", "date promised (promise_confirmation)";
    "dispute.invoice", Text, "facture contestée (dispute_acknowledgement)", "invoice disputed (dispute_acknowledgement)";
    "dispute.reason", Text, "motif de la réclamation (dispute_acknowledgement)", "reason given (dispute_acknowledgement)";
    "dispute.opened_on", Text, "date de la réclamation (dispute_acknowledgement)", "date of the complaint (dispute_acknowledgement)";
    "receipt.amount", Text, "montant reçu (receipt, thank_you)", "amount received (receipt, thank_you)";
    "receipt.paid_on", Text, "date du paiement (receipt, thank_you)", "date of the payment (receipt, thank_you)";
    "receipt.invoices", List, "numéros des factures réglées (receipt, thank_you)", "numbers of the invoices paid (receipt, thank_you)";
    "receipt.remaining", Text, "reste dû après ce paiement (receipt, thank_you)", "still due after this payment (receipt, thank_you)";
    "receipt.fully_paid", Flag, "tout est réglé (receipt, thank_you)", "everything is paid (receipt, thank_you)";
    "plan.number", Text, "numéro de l'échéancier (plan_agreement)", "the plan's number (plan_agreement)";
    "plan.covered", Text, "montant couvert (plan_agreement)", "amount covered (plan_agreement)";
    "plan.charges", Text, "pénalités et indemnités échues incluses dans le montant couvert (plan_agreement)", "accrued penalties and indemnities included in the amount covered (plan_agreement)";
    "plan.includes_charges", Flag, "le montant couvert inclut des pénalités ou indemnités (plan_agreement)", "the amount covered includes penalties or indemnities (plan_agreement)";
    "plan.invoices", List, "numéros des factures couvertes (plan_agreement)", "numbers of the invoices covered (plan_agreement)";
    "plan.installments", List, "une ligne par échéance (plan_agreement)", "one line per installment (plan_agreement)";
    "plan.installments[].label", Text, "« Acompte » ou « Échéance n° N »", "\"Down payment\" or \"Installment N\"";
    "plan.installments[].due_on", Text, "date de l'échéance (longue)", "the installment's date (long)";
    "plan.installments[].amount", Text, "montant de l'échéance", "the installment's amount";
    "plan.count", Number, "nombre d'échéances, acompte compris (plan_agreement)", "number of installments, down payment included (plan_agreement)";
    "plan.frequency", Text, "périodicité en toutes lettres (plan_agreement)", "frequency in words (plan_agreement)";
    "plan.first_on", Text, "date de la première échéance (plan_agreement)", "date of the first installment (plan_agreement)";
    "plan.last_on", Text, "date de la dernière échéance (plan_agreement)", "date of the last installment (plan_agreement)";
    "plan.waive_charges", Flag, "pénalités remises si l'échéancier est respecté (plan_agreement)", "charges waived if the plan is honoured (plan_agreement)";
    "plan.paid", Text, "déjà réglé au titre de l'échéancier (plan_*)", "paid towards the plan so far (plan_*)";
    "plan.remaining", Text, "reste à régler au titre de l'échéancier (plan_*)", "still to pay under the plan (plan_*)";
    "plan.next.label", Text, "« Échéance n° N »", "\"Installment N\"";
    "plan.next.due_on", Text, "sa date (longue)", "its date (long)";
    "plan.next.amount", Text, "son montant", "its amount";
    "plan.next.left", Text, "ce qu'il en reste à payer", "what is left to pay of it";
    "plan.grace_ends_on", Text, "dernier jour de grâce d'une échéance manquée (plan_installment_missed)", "last day of grace of a missed installment (plan_installment_missed)";
    "plan.grace_days", Number, "jours de grâce après une échéance manquée (plan_agreement)", "days of grace after a missed installment (plan_agreement)";
}

/// The functions the template language offers without a context.
const GLOBALS: &[&str] = &["range", "dict", "namespace", "debug"];

/// Whether `name` (as the template language reports it: `customer.name`, `invoices`) may be
/// used by `builtin`; the reason when not.
pub(crate) fn check(name: &str, builtin: &Builtin) -> Result<(), ProblemKind> {
    if GLOBALS.contains(&name) {
        return Ok(());
    }
    let known = VARIABLES.iter().any(|variable| {
        !variable.name.contains('[')
            && (variable.name == name || variable.name.starts_with(&format!("{name}.")))
    });
    if !known {
        return Err(ProblemKind::UnknownVariable {
            name: name.to_owned(),
            suggestion: closest(name),
        });
    }
    let group = group_of(name);
    let extra = [Extra::Promise, Extra::Dispute, Extra::Receipt, Extra::Plan]
        .into_iter()
        .find(|extra| extra.group() == group);
    match extra {
        Some(extra) if !builtin.receives(extra) => Err(ProblemKind::NotAvailable {
            name: name.to_owned(),
            group: extra.group(),
            templates: BUILTINS
                .iter()
                .filter(|other| other.receives(extra))
                .map(|other| other.key)
                .collect::<Vec<_>>()
                .join(", "),
        }),
        _ => Ok(()),
    }
}

/// The documented name closest to `name`, if it is close enough to be a typo.
fn closest(name: &str) -> Option<&'static str> {
    VARIABLES
        .iter()
        .filter(|variable| !variable.name.contains('['))
        .map(|variable| (distance(name, variable.name), variable.name))
        .filter(|(distance, _)| *distance <= 3)
        .min()
        .map(|(_, name)| name)
}

/// Levenshtein distance, on characters.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current.push(substitution.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::builtin;

    #[test]
    fn known_names_and_their_objects_pass_and_typos_get_a_suggestion() {
        let reminder = builtin("first_reminder").unwrap();
        for name in [
            "customer.name",
            "customer",
            "invoices",
            "statement.lines",
            "range",
        ] {
            assert_eq!(check(name, reminder), Ok(()), "{name}");
        }
        assert_eq!(
            check("customer.nmae", reminder),
            Err(ProblemKind::UnknownVariable {
                name: "customer.nmae".to_owned(),
                suggestion: Some("customer.name")
            })
        );
        assert!(matches!(
            check("invoices.number", reminder),
            Err(ProblemKind::UnknownVariable { .. })
        ));
        assert!(matches!(
            check("weather", reminder),
            Err(ProblemKind::UnknownVariable {
                suggestion: None,
                ..
            })
        ));
    }

    #[test]
    fn extra_groups_belong_to_their_templates_only() {
        assert!(matches!(
            check("promise.amount", builtin("first_reminder").unwrap()),
            Err(ProblemKind::NotAvailable { group: "promise", templates, .. }) if templates == "promise_confirmation"
        ));
        assert_eq!(
            check("promise.amount", builtin("promise_confirmation").unwrap()),
            Ok(())
        );
        assert_eq!(
            check("receipt.fully_paid", builtin("thank_you").unwrap()),
            Ok(())
        );
    }
}
