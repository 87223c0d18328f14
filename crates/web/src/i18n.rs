//! The pages' texts in French (the default) and English: one table, each key with both, so a
//! text cannot exist in one language only.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use domain::customer::Language;

/// `(key, French, English)`.
const TEXTS: &[(&str, &str, &str)] = &[
    ("app_name", "Relance", "Relance"),
    ("skip_to_content", "Aller au contenu", "Skip to content"),
    ("nav_dashboard", "Tableau de bord", "Dashboard"),
    ("nav_customers", "Clients", "Customers"),
    ("nav_actions", "Travail du jour", "Today's work"),
    ("nav_import", "Import", "Import"),
    ("nav_admin", "Comptes et jetons", "Accounts and tokens"),
    ("logout", "Se déconnecter", "Log out"),
    ("switch_language", "English", "Français"),
    ("switch_language_code", "en", "fr"),
    ("signed_in_as", "Connecté :", "Signed in:"),
    // Setup and login.
    (
        "setup_title",
        "Créer le premier compte administrateur",
        "Create the first administrator account",
    ),
    (
        "setup_intro",
        "Cette installation n'a encore aucun compte. Le compte créé ici administre les autres.",
        "This installation has no account yet. The account created here manages the others.",
    ),
    (
        "company",
        "Raison sociale du créancier",
        "Creditor's company name",
    ),
    ("display_name", "Nom", "Name"),
    ("email", "Adresse e-mail", "E-mail address"),
    ("password", "Mot de passe", "Password"),
    (
        "password_hint",
        "10 caractères au moins.",
        "At least 10 characters.",
    ),
    ("create_account", "Créer le compte", "Create the account"),
    ("login_title", "Connexion", "Log in"),
    ("login_button", "Se connecter", "Log in"),
    (
        "bad_credentials",
        "Adresse e-mail ou mot de passe incorrect.",
        "Wrong e-mail or password.",
    ),
    // Dashboard.
    ("dashboard_title", "Tableau de bord", "Dashboard"),
    ("as_of", "au", "as of"),
    ("total_outstanding", "Encours total", "Total outstanding"),
    ("total_overdue", "Dont échu", "Of which overdue"),
    ("dso", "DSO (90 jours)", "DSO (90 days)"),
    ("days", "jours", "days"),
    (
        "dso_none",
        "sans ventes sur 90 jours",
        "no sales in 90 days",
    ),
    ("aged_balance", "Balance âgée", "Aged balance"),
    ("bucket_not_due", "Non échu", "Not due"),
    ("bucket_days", "j", "d"),
    ("actions_today", "Actions du jour", "Today's actions"),
    (
        "approvals_waiting",
        "En attente d'approbation",
        "Awaiting approval",
    ),
    (
        "promises_due_today",
        "Promesses à échéance aujourd'hui",
        "Promises due today",
    ),
    (
        "promises_broken",
        "Promesses non tenues (7 jours)",
        "Broken promises (7 days)",
    ),
    ("none", "Aucune.", "None."),
    (
        "run_today",
        "Décider les relances du jour",
        "Decide today's reminders",
    ),
    (
        "run_done",
        "Relances du jour décidées",
        "Today's reminders decided",
    ),
    (
        "customers_examined",
        "clients examinés",
        "customers examined",
    ),
    ("actions_decided", "actions décidées", "actions decided"),
    // Customers.
    ("customers_title", "Clients", "Customers"),
    (
        "search",
        "Rechercher (code ou nom)",
        "Search (reference or name)",
    ),
    (
        "open_only",
        "Seulement avec un encours",
        "Only with something outstanding",
    ),
    ("sort", "Trier par", "Sort by"),
    ("sort_reference", "Code", "Reference"),
    ("sort_name", "Nom", "Name"),
    (
        "sort_outstanding",
        "Encours (décroissant)",
        "Outstanding (largest first)",
    ),
    ("apply", "Appliquer", "Apply"),
    ("reference", "Code", "Reference"),
    ("name", "Nom", "Name"),
    ("kind", "Type", "Kind"),
    ("invoices", "Factures", "Invoices"),
    ("open_invoices", "Ouvertes", "Open"),
    ("outstanding", "Encours", "Outstanding"),
    ("results", "résultat(s)", "result(s)"),
    ("page", "Page", "Page"),
    ("previous", "Précédente", "Previous"),
    ("next", "Suivante", "Next"),
    // Customer file.
    ("customer_file", "Dossier client", "Customer file"),
    ("contact", "Coordonnées", "Contact details"),
    ("phone", "Téléphone", "Phone"),
    ("language", "Langue", "Language"),
    ("risk", "Segment de risque", "Risk segment"),
    ("scenario", "Scénario", "Scenario"),
    ("default_scenario", "par défaut", "default"),
    ("invoice_number", "N° facture", "Invoice"),
    ("issued_on", "Émise le", "Issued"),
    ("service_on", "Prestation", "Service date"),
    ("due_on", "Échéance", "Due"),
    ("amount", "Montant", "Amount"),
    ("days_late", "Retard (j)", "Days late"),
    (
        "first_missed",
        "Première échéance manquée",
        "First missed payment",
    ),
    (
        "timeline",
        "Historique des contacts et actions",
        "Timeline of contacts and actions",
    ),
    ("date", "Date", "Date"),
    ("channel", "Canal", "Channel"),
    ("what", "Quoi", "What"),
    ("outcome", "Résultat", "Outcome"),
    ("note", "Note", "Note"),
    ("promises", "Promesses", "Promises"),
    ("disputes", "Litiges", "Disputes"),
    ("holds", "Suspensions", "Holds"),
    ("incidents", "Incidents", "Incidents"),
    ("until", "Jusqu'au", "Until"),
    ("reason", "Motif", "Reason"),
    ("status", "Statut", "Status"),
    ("statement", "Décompte", "Statement of account"),
    ("principal", "Principal", "Principal"),
    ("interest_claimed", "Intérêts de retard", "Late interest"),
    (
        "indemnity_claimed",
        "Indemnités forfaitaires",
        "Fixed indemnities",
    ),
    ("claimed", "Total réclamé", "Total claimed"),
    ("paid", "Payé", "Paid"),
    ("due_total", "Reste dû", "Still due"),
    (
        "statement_unavailable",
        "Décompte indisponible :",
        "Statement unavailable:",
    ),
    ("notes", "Notes", "Notes"),
    // Calls.
    ("record_call", "Enregistrer un appel", "Record a call"),
    ("reached", "Joint ?", "Reached?"),
    ("reached_yes", "Joint", "Reached"),
    ("reached_no", "Pas de réponse", "No answer"),
    ("wrong_number", "Mauvais numéro", "Wrong number"),
    ("delay_reason", "Raison du retard", "Reason for the delay"),
    ("promise_date", "Date promise", "Promised date"),
    ("promise_amount", "Montant promis", "Promised amount"),
    (
        "dispute_invoice",
        "Litige sur la facture",
        "Dispute on invoice",
    ),
    ("dispute_reason", "Motif du litige", "Dispute reason"),
    ("no_dispute", "Pas de litige", "No dispute"),
    ("save", "Enregistrer", "Save"),
    ("delay_forgot", "Oubli", "Forgot"),
    ("delay_cash_flow", "Trésorerie", "Cash flow"),
    ("delay_dispute", "Contestation", "Dispute"),
    ("delay_wrong_entity", "Mauvais destinataire", "Wrong entity"),
    ("delay_bad_faith", "Mauvaise foi", "Bad faith"),
    (
        "delay_insolvency",
        "Difficultés graves (procédure collective)",
        "Insolvency",
    ),
    ("delay_other", "Autre", "Other"),
    ("dispute_not_received", "Non reçu", "Not received"),
    ("dispute_defective", "Défectueux", "Defective"),
    (
        "dispute_price",
        "Désaccord sur le prix",
        "Price disagreement",
    ),
    ("dispute_already_paid", "Déjà payé", "Already paid"),
    ("dispute_not_ordered", "Non commandé", "Not ordered"),
    ("dispute_other", "Autre", "Other"),
    ("call_saved", "Appel enregistré.", "Call recorded."),
    (
        "promise_saved",
        "Promesse enregistrée :",
        "Promise recorded:",
    ),
    ("dispute_saved", "Litige ouvert sur", "Dispute opened on"),
    ("optional", "facultatif", "optional"),
    // Actions.
    ("actions_title", "Travail du jour", "Today's work"),
    ("customer", "Client", "Customer"),
    ("step", "Étape", "Step"),
    ("explanation", "Pourquoi", "Why"),
    ("letter", "Lettre (PDF)", "Letter (PDF)"),
    ("approve", "Approuver", "Approve"),
    ("skip", "Ignorer", "Skip"),
    ("skip_reason", "Motif pour ignorer", "Reason to skip"),
    ("approved", "Approuvée", "Approved"),
    ("skipped", "Ignorée", "Skipped"),
    (
        "status_awaiting_approval",
        "À approuver",
        "Awaiting approval",
    ),
    ("status_scheduled", "Programmée", "Scheduled"),
    ("status_skipped", "Ignorée", "Skipped"),
    ("status_sent", "Envoyée", "Sent"),
    ("status_cancelled", "Annulée", "Cancelled"),
    (
        "no_actions",
        "Aucune action pour ce jour.",
        "No action for this day.",
    ),
    ("show_day", "Afficher le jour", "Show day"),
    // Import.
    ("import_title", "Importer des factures", "Import invoices"),
    ("import_file", "Fichier CSV ou FEC", "CSV or FEC file"),
    ("import_format", "Format", "Format"),
    (
        "format_auto",
        "Détecté d'après le nom",
        "Detected from the name",
    ),
    ("import_button", "Importer", "Import"),
    ("import_report", "Compte rendu d'import", "Import report"),
    ("rows_read", "Lignes lues", "Rows read"),
    ("created", "Créées", "Created"),
    ("updated", "Modifiées", "Updated"),
    ("unchanged", "Inchangées", "Unchanged"),
    (
        "already_imported",
        "Ce fichier est identique au dernier import : rien n'a changé.",
        "This file is the same as the last import: nothing changed.",
    ),
    (
        "import_rejected",
        "Fichier refusé, rien n'a été importé :",
        "File rejected, nothing was imported:",
    ),
    ("line", "Ligne", "Line"),
    ("problem", "Problème", "Problem"),
    ("more_problems", "autres problèmes", "more problems"),
    // Admin.
    (
        "admin_title",
        "Comptes et jetons d'API",
        "Accounts and API tokens",
    ),
    ("users", "Comptes", "Accounts"),
    ("role", "Rôle", "Role"),
    ("role_admin", "Administrateur", "Administrator"),
    ("role_manager", "Responsable", "Manager"),
    ("role_collector", "Chargé de recouvrement", "Collector"),
    ("role_viewer", "Lecture seule", "Read-only"),
    ("add_user", "Ajouter un compte", "Add an account"),
    ("user_added", "Compte créé :", "Account created:"),
    ("api_tokens", "Jetons d'API", "API tokens"),
    ("token_name", "Nom du jeton", "Token name"),
    ("create_token", "Créer un jeton", "Create a token"),
    (
        "token_created",
        "Jeton créé. Copiez-le maintenant, il ne sera plus affiché :",
        "Token created. Copy it now, it will not be shown again:",
    ),
    // Errors.
    ("error_title", "Erreur", "Error"),
    (
        "forbidden",
        "Votre rôle ne permet pas cette opération.",
        "Your role does not allow this.",
    ),
    ("needed_role", "Rôle requis :", "Role needed:"),
    ("not_found", "Introuvable.", "Not found."),
    (
        "csrf_failed",
        "Le formulaire a expiré ou ne vient pas de cette application. Rechargez la page et recommencez.",
        "The form expired or did not come from this application. Reload the page and try again.",
    ),
    ("back", "Retour", "Back"),
    (
        "throttled",
        "Trop d'essais manqués pour cette adresse. Réessayez dans",
        "Too many failed attempts for this address. Try again in",
    ),
    (
        "not_movable",
        "Cette action n'est plus en attente : rien n'a changé.",
        "This action is no longer pending: nothing changed.",
    ),
];

/// French or English.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lang {
    Fr,
    En,
}

impl Lang {
    pub(crate) fn parse(code: &str) -> Option<Lang> {
        match code {
            "fr" => Some(Lang::Fr),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    pub(crate) fn code(self) -> &'static str {
        match self {
            Lang::Fr => "fr",
            Lang::En => "en",
        }
    }

    pub(crate) fn language(self) -> Language {
        match self {
            Lang::Fr => Language::French,
            Lang::En => Language::English,
        }
    }

    /// Every text in this language, by key, for the templates (`t.key`).
    pub(crate) fn texts(self) -> &'static BTreeMap<&'static str, &'static str> {
        static FR: LazyLock<BTreeMap<&str, &str>> =
            LazyLock::new(|| TEXTS.iter().map(|(key, fr, _)| (*key, *fr)).collect());
        static EN: LazyLock<BTreeMap<&str, &str>> =
            LazyLock::new(|| TEXTS.iter().map(|(key, _, en)| (*key, *en)).collect());
        match self {
            Lang::Fr => &FR,
            Lang::En => &EN,
        }
    }

    /// One text; the key itself when unknown (a test keeps every key the code uses known).
    pub(crate) fn t(self, key: &str) -> &'static str {
        self.texts().get(key).copied().unwrap_or("?")
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn every_key_is_unique_and_written_in_both_languages() {
        let mut seen = HashSet::new();
        for (key, fr, en) in TEXTS {
            assert!(seen.insert(*key), "{key} twice");
            assert!(!fr.is_empty() && !en.is_empty(), "{key} is empty");
        }
    }

    #[test]
    fn every_text_the_code_names_exists() {
        let known: HashSet<&str> = TEXTS.iter().map(|(key, _, _)| *key).collect();
        for source in [
            include_str!("pages.rs"),
            include_str!("error.rs"),
            include_str!("auth.rs"),
        ] {
            for piece in source.split(".t(\"").skip(1) {
                let key = &piece[..piece.find('"').unwrap()];
                assert!(
                    known.contains(key),
                    "the code uses the unknown text {key:?}"
                );
            }
        }
    }

    #[test]
    fn every_reason_a_form_offers_has_a_label() {
        use domain::case::{DelayReason, DisputeReason};
        let known: HashSet<&str> = TEXTS.iter().map(|(key, _, _)| *key).collect();
        for code in DelayReason::ALL.iter().map(|r| r.code()) {
            assert!(
                known.contains(format!("delay_{}", code.replace('-', "_")).as_str()),
                "{code}"
            );
        }
        for code in DisputeReason::ALL.iter().map(|r| r.code()) {
            assert!(
                known.contains(format!("dispute_{}", code.replace('-', "_")).as_str()),
                "{code}"
            );
        }
    }

    #[test]
    fn every_text_a_template_names_exists() {
        let known: HashSet<&str> = TEXTS.iter().map(|(key, _, _)| *key).collect();
        for (name, source) in crate::views::TEMPLATES {
            let mut rest = *source;
            while let Some(start) = rest.find("t.") {
                let tail = &rest[start + 2..];
                let end = tail
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .unwrap_or(tail.len());
                let key = &tail[..end];
                let preceded = rest[..start]
                    .chars()
                    .last()
                    .is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '_'));
                if preceded && !key.is_empty() {
                    assert!(known.contains(key), "{name} uses the unknown text t.{key}");
                }
                rest = &tail[end..];
            }
        }
    }
}
