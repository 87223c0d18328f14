//! The pages' texts in French (the default) and English: one table, each key with both, so a
//! text cannot exist in one language only.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use domain::customer::Language;

mod operations;

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
    ("switch_creditor", "Changer de créancier", "Switch creditor"),
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
    ("plans", "Échéanciers", "Payment plans"),
    ("plan", "Échéancier", "Plan"),
    ("plan_paid", "réglé", "paid"),
    ("plan_next", "prochaine échéance", "next installment"),
    (
        "plan_waived",
        "pénalités remises s'il est respecté",
        "penalties waived if honoured",
    ),
    // Proposing a plan and recording its acceptance on paper (plan_pages).
    (
        "plan_propose_link",
        "Proposer un échéancier",
        "Propose a payment plan",
    ),
    (
        "plan_new_title",
        "Nouvel échéancier pour",
        "New payment plan for",
    ),
    ("plan_split", "Découpage", "Split"),
    (
        "plan_installments",
        "Nombre d'échéances",
        "Number of installments",
    ),
    (
        "plan_monthly",
        "Montant par échéance",
        "Amount per installment",
    ),
    (
        "plan_first",
        "Date de la première échéance",
        "Date of the first installment",
    ),
    ("plan_every", "Périodicité", "Frequency"),
    ("plan_every_1w", "chaque semaine", "every week"),
    (
        "plan_every_2w",
        "toutes les deux semaines",
        "every two weeks",
    ),
    ("plan_every_1m", "chaque mois", "every month"),
    ("plan_every_3m", "chaque trimestre", "every quarter"),
    ("plan_down", "Acompte", "Down payment"),
    ("plan_down_payment", "acompte", "down payment"),
    (
        "plan_waive",
        "Remettre les pénalités si l'échéancier est respecté",
        "Waive the penalties if the plan is honoured",
    ),
    ("plan_preview", "Voir l'échéancier", "Show the schedule"),
    (
        "plan_propose",
        "Proposer cet échéancier",
        "Propose this plan",
    ),
    ("plan_invalid", "Valeur à corriger", "Value to correct"),
    ("plan_covered", "Montant couvert", "Amount covered"),
    (
        "plan_charges",
        "dont pénalités et indemnités échues",
        "of which accrued penalties and indemnities",
    ),
    ("plan_schedule", "Échéancier proposé", "Proposed schedule"),
    (
        "plan_within_limits",
        "Dans les limites qu'un chargé de recouvrement peut accorder.",
        "Within the limits a collector may grant.",
    ),
    (
        "plan_beyond_limits",
        "Au-delà des limites (seul un responsable peut le proposer et l'accepter) :",
        "Beyond the limits (only a manager may propose and accept it):",
    ),
    (
        "plan_agreement_pdf",
        "Accord à signer (PDF)",
        "Agreement to sign (PDF)",
    ),
    ("plan_status", "État", "Status"),
    ("plan_proposed_by", "Proposé par", "Proposed by"),
    ("plan_approved_by", "Validé par", "Approved by"),
    ("plan_documents", "Documents conservés", "Documents kept"),
    (
        "plan_document_agreement",
        "accord accepté",
        "agreement accepted",
    ),
    (
        "plan_document_signed_copy",
        "exemplaire signé",
        "signed copy",
    ),
    (
        "plan_accept_title",
        "Acceptation sur papier",
        "Acceptance on paper",
    ),
    (
        "plan_scan",
        "Exemplaire signé, numérisé",
        "Signed copy, scanned",
    ),
    (
        "plan_accept",
        "Enregistrer l'acceptation",
        "Record the acceptance",
    ),
    (
        "plan_scan_required",
        "Joignez l'exemplaire signé numérisé.",
        "Attach the scanned signed copy.",
    ),
    (
        "settlement_undo",
        "Annuler ce règlement",
        "Undo this settlement",
    ),
    (
        "settlement_undo_reason",
        "Motif de l'annulation",
        "Why it is undone",
    ),
    ("settlement_undone", "annulé :", "undone:"),
    (
        "plan_manager_only",
        "Seul un responsable peut accepter cet échéancier.",
        "Only a manager may accept this plan.",
    ),
    (
        "settlements",
        "Règlements sans paiement",
        "Settlements without a payment",
    ),
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
    (
        "grant_role",
        "Donner un rôle à un compte existant",
        "Give an existing account a role",
    ),
    (
        "grant_role_hint",
        "Le compte, fait pour un autre créancier, travaillera aussi pour celui-ci avec ce rôle ; un membre change ainsi de rôle.",
        "The account, made for another creditor, will also work for this one with this role; a member's role is changed the same way.",
    ),
    ("grant_button", "Donner le rôle", "Give the role"),
    ("role_granted", "Rôle donné :", "Role given:"),
    ("api_tokens", "Jetons d'API", "API tokens"),
    ("token_name", "Nom du jeton", "Token name"),
    ("create_token", "Créer un jeton", "Create a token"),
    (
        "token_created",
        "Jeton créé. Copiez-le maintenant, il ne sera plus affiché :",
        "Token created. Copy it now, it will not be shown again:",
    ),
    // Debtor portal.
    ("portal_title", "Votre compte", "Your account"),
    ("portal_for", "pour", "for"),
    (
        "portal_intro",
        "Cette page personnelle montre ce qui reste à régler et vous permet de nous répondre sans avoir à appeler. Ne la transmettez pas.",
        "This personal page shows what is left to pay and lets you answer us without calling. Please do not pass it on.",
    ),
    (
        "portal_owed",
        "Ce qui reste à régler",
        "What is left to pay",
    ),
    ("portal_owed_total", "Total restant dû", "Total still owed"),
    (
        "portal_nothing_owed",
        "Rien ne reste à régler. Merci !",
        "Nothing is left to pay. Thank you!",
    ),
    ("portal_disputed", "contestée", "disputed"),
    (
        "portal_statement_unavailable",
        "Le décompte détaillé (intérêts et indemnités) ne peut pas être établi pour le moment ; les factures ci-dessus restent exactes. Nous restons à votre disposition pour toute question.",
        "The detailed statement (interest and fees) cannot be drawn up for the moment; the invoices above are correct. Do not hesitate to contact us with any question.",
    ),
    ("portal_how_to_pay", "Comment régler", "How to pay"),
    ("portal_beneficiary", "Bénéficiaire", "Beneficiary"),
    (
        "portal_reference",
        "Référence à indiquer",
        "Reference to give",
    ),
    (
        "portal_reference_hint",
        "Indiquez cette référence avec votre virement : il sera rapproché automatiquement. L'application de votre banque peut lire le QR code.",
        "Give this reference with your transfer: it will be matched automatically. Your banking app can read the QR code.",
    ),
    (
        "portal_qr",
        "QR code de virement SEPA (EPC)",
        "SEPA transfer QR code (EPC)",
    ),
    (
        "portal_no_iban",
        "Contactez-nous pour les coordonnées de paiement, en rappelant la référence",
        "Contact us for the payment details, quoting the reference",
    ),
    ("portal_documents", "Documents", "Documents"),
    (
        "portal_notice_pdf",
        "Mise en demeure (PDF)",
        "Formal notice (PDF)",
    ),
    ("portal_plan_pdf", "Échéancier (PDF)", "Payment plan (PDF)"),
    (
        "portal_plan_proposed",
        "proposé, à accepter",
        "proposed, to accept",
    ),
    ("portal_plan_active", "en cours", "running"),
    (
        "portal_accept_name",
        "Votre nom, en guise de signature",
        "Your name, as your signature",
    ),
    (
        "portal_accept_consent",
        "J'ai lu l'échéancier ci-dessus (PDF) et je l'accepte",
        "I have read the payment plan above (PDF) and I accept it",
    ),
    (
        "portal_accept_button",
        "Accepter l'échéancier",
        "Accept the payment plan",
    ),
    (
        "portal_done_plan_accepted",
        "Merci : l'échéancier est accepté. Nous suspendons nos relances tant qu'il est respecté.",
        "Thank you: the plan is accepted. We pause our reminders while it is honoured.",
    ),
    (
        "portal_choices",
        "Vous souhaitez nous répondre ?",
        "Would you like to answer us?",
    ),
    (
        "portal_promise_title",
        "Je m'engage à payer",
        "I promise to pay",
    ),
    ("portal_promise_date", "Date du paiement", "Payment date"),
    (
        "portal_promise_limit",
        "Au plus tard le",
        "At the latest on",
    ),
    (
        "portal_promise_amount",
        "Montant (vide : la totalité)",
        "Amount (empty: all of it)",
    ),
    (
        "portal_promise_button",
        "Enregistrer mon engagement",
        "Record my promise",
    ),
    (
        "portal_plan_title",
        "Je demande un échéancier",
        "I ask for a payment plan",
    ),
    (
        "portal_installments",
        "Nombre de mensualités",
        "Number of monthly installments",
    ),
    (
        "portal_plan_hint",
        "La première échéance tombe dans un mois ; l'échéancier vous sera proposé pour accord.",
        "The first installment falls in a month; the plan will be proposed to you for agreement.",
    ),
    (
        "portal_plan_button",
        "Demander l'échéancier",
        "Ask for the plan",
    ),
    (
        "portal_dispute_title",
        "Je conteste une facture",
        "I dispute an invoice",
    ),
    ("portal_dispute_reason", "Motif", "Reason"),
    ("portal_dispute_comment", "Commentaire", "Comment"),
    (
        "portal_dispute_button",
        "Envoyer la contestation",
        "Send the dispute",
    ),
    (
        "portal_done_promise",
        "Merci, votre engagement est enregistré : nous ne vous relancerons pas d'ici cette date.",
        "Thank you, your promise is recorded: we will not remind you before that date.",
    ),
    (
        "portal_done_dispute",
        "Merci, votre contestation est enregistrée : les relances de cette facture sont suspendues le temps de l'examiner.",
        "Thank you, your dispute is recorded: reminders for this invoice stop while we look into it.",
    ),
    (
        "portal_done_plan",
        "Merci, un échéancier vous est proposé ci-dessous, dans les documents.",
        "Thank you, a payment plan is proposed to you below, under documents.",
    ),
    (
        "portal_done_plan_request",
        "Merci, votre demande est transmise : un conseiller vous recontactera rapidement.",
        "Thank you, your request has been passed on: an adviser will contact you shortly.",
    ),
    (
        "portal_refused",
        "Votre demande n'a pas pu être enregistrée :",
        "Your request could not be recorded:",
    ),
    (
        "portal_gone_title",
        "Ce lien n'est plus valable",
        "This link is no longer valid",
    ),
    (
        "portal_gone_text",
        "Le lien que vous avez suivi a expiré ou a été remplacé. Pour toute question sur votre compte, merci de contacter directement votre interlocuteur habituel.",
        "The link you followed has expired or was replaced. For any question about your account, please contact your usual contact directly.",
    ),
    ("timeline_portal", "portail", "portal"),
    ("portal_staff_title", "Portail débiteur", "Debtor portal"),
    (
        "portal_staff_link",
        "Créer un lien personnel",
        "Create a personal link",
    ),
    (
        "portal_staff_revoke",
        "Révoquer ses liens",
        "Revoke their links",
    ),
    (
        "portal_staff_given",
        "Lien à transmettre au client (affiché une seule fois) :",
        "Link to give the customer (shown once):",
    ),
    ("portal_staff_revoked", "Liens révoqués :", "Links revoked:"),
    (
        "portal_event_promise",
        "Promesse (portail)",
        "Promise (portal)",
    ),
    (
        "portal_event_dispute",
        "Litige (portail)",
        "Dispute (portal)",
    ),
    (
        "portal_event_plan",
        "Échéancier proposé (portail)",
        "Plan proposed (portal)",
    ),
    (
        "portal_event_plan_request",
        "Demande d'échéancier (portail)",
        "Plan asked for (portal)",
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
    // Settings.
    ("nav_settings", "Réglages", "Settings"),
    ("settings_title", "Réglages", "Settings"),
    (
        "settings_intro",
        "Les règles que Relance applique, modifiables ici comme en ligne de commande. Tout le monde les lit ; un responsable les change ; un administrateur change la société et les canaux.",
        "The rules Relance applies, changed here as on the command line. Everyone reads them; a manager changes them; an administrator changes the company and the channels.",
    ),
    ("settings_company", "Société", "Company"),
    (
        "settings_company_about",
        "raison sociale, SIREN, adresse, IBAN et BIC, fuseau horaire, devise, langue",
        "name, SIREN, address, IBAN and BIC, time zone, currency, language",
    ),
    (
        "settings_scenarios",
        "Scénarios de relance",
        "Dunning scenarios",
    ),
    (
        "settings_scenarios_about",
        "les étapes B2B et B2C, et ce que la tournée ferait demain",
        "the B2B and B2C steps, and what tomorrow's run would do",
    ),
    ("settings_policy", "Politique de contact", "Contact policy"),
    (
        "settings_policy_about",
        "plages horaires, jours fériés, limites de fréquence",
        "contact hours, public holidays, frequency limits",
    ),
    (
        "settings_templates",
        "Modèles de messages",
        "Message templates",
    ),
    (
        "settings_templates_about",
        "les textes en français et en anglais, avec aperçu",
        "the French and English texts, with a preview",
    ),
    (
        "settings_penalties",
        "Pénalités et remises",
        "Penalties and waivers",
    ),
    (
        "settings_penalties_about",
        "pénalités de retard, indemnité forfaitaire, remises accordées",
        "late-payment interest, fixed indemnity, waivers granted",
    ),
    (
        "settings_plans",
        "Échéanciers et portail",
        "Payment plans and portal",
    ),
    (
        "settings_plans_about",
        "ce qu'un gestionnaire accorde sans responsable, durée des liens du portail",
        "what a collector grants without a manager, life of portal links",
    ),
    ("settings_plan_limits", "Échéanciers", "Payment plans"),
    (
        "settings_plan_limits_intro",
        "Au-delà de ces limites, un échéancier attend l'accord d'un responsable.",
        "Beyond these limits, a plan waits for a manager's approval.",
    ),
    (
        "settings_plan_max_installments",
        "Échéances au plus",
        "Most installments",
    ),
    (
        "settings_plan_min_installment",
        "Échéance minimale",
        "Smallest installment",
    ),
    (
        "settings_plan_max_months",
        "Durée maximale (mois)",
        "Longest plan (months)",
    ),
    (
        "settings_plan_grace_days",
        "Jours de grâce avant défaut",
        "Days of grace before default",
    ),
    (
        "settings_plan_include_charges",
        "Frais compris dans un plan",
        "Charges a plan covers",
    ),
    (
        "settings_plan_charges_none",
        "aucun : les soldes seuls",
        "none: the balances only",
    ),
    (
        "settings_plan_charges_penalties",
        "les pénalités de retard",
        "the late-payment penalties",
    ),
    (
        "settings_plan_charges_all",
        "les pénalités et l'indemnité de 40 € (jamais pour un particulier)",
        "the penalties and the 40 EUR indemnity (never for a consumer)",
    ),
    ("settings_portal", "Portail débiteur", "Debtor portal"),
    (
        "settings_portal_link_days",
        "Durée d'un lien (jours)",
        "Life of a link (days)",
    ),
    (
        "settings_portal_promise_days",
        "Promesse au plus tard dans (jours)",
        "Promise at the latest within (days)",
    ),
    (
        "settings_portal_range",
        "Chaque durée va de 1 à 366 jours.",
        "Each duration is from 1 to 366 days.",
    ),
    (
        "settings_whole_number",
        "un nombre entier",
        "a whole number",
    ),
    ("settings_channels", "Canaux d'envoi", "Delivery channels"),
    (
        "settings_channels_about",
        "serveur SMTP et passerelle SMS, message d'essai",
        "SMTP server and SMS gateway, test message",
    ),
    ("settings_save", "Enregistrer", "Save"),
    ("settings_saved", "Enregistré.", "Saved."),
    (
        "settings_refused",
        "Rien n'a été enregistré :",
        "Nothing was saved:",
    ),
    ("settings_edit", "Modifier", "Edit"),
    ("settings_view", "Voir", "View"),
    ("settings_none", "Aucun.", "None."),
    ("settings_yes", "oui", "yes"),
    ("settings_any", "tous", "any"),
    (
        "settings_admin_changes",
        "Seul un administrateur peut modifier ces informations.",
        "Only an administrator can change these details.",
    ),
    ("settings_siren", "SIREN", "SIREN"),
    ("settings_address_line1", "Adresse", "Address"),
    (
        "settings_address_line2",
        "Complément d'adresse",
        "Address (line 2)",
    ),
    ("settings_postal_code", "Code postal", "Postal code"),
    ("settings_city", "Ville", "City"),
    ("settings_country", "Pays (code ISO)", "Country (ISO code)"),
    ("settings_iban", "IBAN", "IBAN"),
    ("settings_bic", "BIC", "BIC"),
    ("settings_time_zone", "Fuseau horaire", "Time zone"),
    (
        "settings_currency",
        "Devise (ISO 4217)",
        "Currency (ISO 4217)",
    ),
    ("settings_currency_example", "Affichage :", "Shown as:"),
    (
        "settings_payment_term",
        "Délai de paiement par défaut (jours)",
        "Default payment term (days)",
    ),
    (
        "settings_language",
        "Langue des pages par défaut",
        "Default language of the pages",
    ),
    ("settings_scenario", "Scénario", "Scenario"),
    (
        "settings_scenarios_intro",
        "Chaque client suit le scénario qui lui est attribué, sinon celui de son type (b2b-fr ou b2c-fr).",
        "Each customer follows the scenario assigned to it, else the one of its kind (b2b-fr or b2c-fr).",
    ),
    (
        "settings_scenario_help",
        "Les étapes, dans l'ordre ; le décalage compte les jours depuis l'échéance (négatif : avant). Une transmission (agence, contentieux) exige 30 jours de retard au moins. Videz la clé d'une étape pour la retirer ; remplissez une ligne vide pour en ajouter une. Enregistrer sous un autre nom crée un nouveau scénario.",
        "The steps, in order; the offset counts days from the due date (negative: before it). A hand-off (agency, legal) needs 30 days overdue at least. Clear a step's key to remove it; fill in a blank row to add one. Saving under another name creates a new scenario.",
    ),
    (
        "settings_scenario_name",
        "Nom (un autre nom enregistre un nouveau scénario)",
        "Name (another name saves a new scenario)",
    ),
    ("settings_step_key", "Étape", "Step"),
    ("settings_step_offset", "Jours", "Days"),
    ("settings_step_channel", "Canal", "Channel"),
    ("settings_step_also", "avec", "with"),
    ("settings_step_tone", "Ton", "Tone"),
    ("settings_step_template", "Modèle", "Template"),
    ("settings_step_conditions", "Conditions", "Conditions"),
    (
        "settings_step_min_overdue",
        "retard mini",
        "overdue at least",
    ),
    ("settings_step_segments", "segments", "segments"),
    ("settings_step_approval", "Approbation", "Approval"),
    ("settings_step_claims", "Frais réclamés", "Charges claimed"),
    (
        "settings_tomorrow",
        "Ce que la tournée ferait demain",
        "What tomorrow's run would do",
    ),
    (
        "settings_tomorrow_intro",
        "Un essai à blanc de la tournée quotidienne de demain, avec les règles enregistrées : rien n'est écrit ni envoyé.",
        "A dry run of tomorrow's daily run with the rules saved now: nothing is written or sent.",
    ),
    (
        "settings_examined",
        "clients examinés",
        "customers examined",
    ),
    ("settings_decided", "actions décidées", "actions decided"),
    ("settings_why", "Pourquoi", "Why"),
    (
        "settings_policy_hours",
        "Plages horaires (heure du débiteur)",
        "Contact hours (the debtor's clock)",
    ),
    ("day_monday", "Lundi", "Monday"),
    ("day_tuesday", "Mardi", "Tuesday"),
    ("day_wednesday", "Mercredi", "Wednesday"),
    ("day_thursday", "Jeudi", "Thursday"),
    ("day_friday", "Vendredi", "Friday"),
    ("day_saturday", "Samedi", "Saturday"),
    ("day_sunday", "Dimanche", "Sunday"),
    (
        "settings_policy_holidays",
        "Jours fériés sans contact",
        "Public holidays without contact",
    ),
    (
        "settings_policy_min_days",
        "Jours minimum entre deux contacts",
        "Minimum days between two contacts",
    ),
    (
        "settings_policy_max_7",
        "Contacts au plus sur 7 jours",
        "Most contacts in any 7 days",
    ),
    (
        "settings_policy_max_30",
        "Contacts au plus sur 30 jours",
        "Most contacts in any 30 days",
    ),
    (
        "settings_policy_phone",
        "Appels au plus par jour",
        "Most calls a day",
    ),
    (
        "settings_policy_grace",
        "Jours de grâce après une promesse",
        "Days of grace after a promise",
    ),
    (
        "settings_policy_fallback",
        "Canaux écrits de repli",
        "Written channels to fall back on",
    ),
    (
        "settings_policy_overrides",
        "Clients avec leur propre politique",
        "Customers with a policy of their own",
    ),
    (
        "settings_policy_own",
        "Ce client a sa propre politique.",
        "This customer has a policy of its own.",
    ),
    (
        "settings_policy_inherits",
        "Ce client suit la politique générale ; l'enregistrer ici lui en donne une propre.",
        "This customer follows the general policy; saving here gives it one of its own.",
    ),
    (
        "settings_policy_tenant",
        "Politique générale",
        "General policy",
    ),
    (
        "settings_save_override",
        "Enregistrer pour ce client",
        "Save for this customer",
    ),
    ("settings_template", "Modèle", "Template"),
    ("settings_template_key", "Clé", "Key"),
    ("settings_template_title", "Usage", "Purpose"),
    ("settings_template_languages", "Langues", "Languages"),
    ("settings_edited", "modifié", "edited"),
    ("settings_template_text", "Texte du modèle", "Template text"),
    ("settings_preview", "Aperçu", "Preview"),
    (
        "settings_preview_customer",
        "Aperçu pour le client (référence)",
        "Preview for the customer (reference)",
    ),
    (
        "settings_preview_sample",
        "données d'exemple",
        "sample data",
    ),
    ("settings_subject", "Objet :", "Subject:"),
    (
        "settings_reset_template",
        "Revenir au texte d'origine",
        "Go back to the built-in text",
    ),
    (
        "settings_variables",
        "Variables disponibles",
        "Variables available",
    ),
    (
        "settings_penalties_intro",
        "Quand les pénalités et l'indemnité forfaitaire de 40 € sont réclamées, et les choix que la loi laisse ouverts. Les étapes qui les réclament se choisissent dans les scénarios (frais réclamés) :",
        "When penalties and the 40 EUR fixed indemnity are claimed, and the choices the law leaves open. The steps that claim them are chosen in the scenarios (charges claimed):",
    ),
    (
        "settings_discount_hint",
        "none, ou POURCENT:JOURS (2:10)",
        "none, or PERCENT:DAYS (2:10)",
    ),
    (
        "settings_rate_tables",
        "Tables de taux en vigueur",
        "Rate tables in force",
    ),
    ("settings_built_in", "intégrée", "built in"),
    ("settings_imported_on", "importée le", "imported on"),
    ("settings_waivers", "Remises", "Waivers"),
    (
        "settings_add_waiver",
        "Accorder une remise",
        "Grant a waiver",
    ),
    (
        "settings_waiver_invoice",
        "Facture (vide : toutes)",
        "Invoice (empty: all)",
    ),
    ("settings_waiver_what", "Sur", "On"),
    (
        "settings_waiver_both",
        "intérêts et indemnité",
        "interest and indemnity",
    ),
    ("settings_waiver_interest", "intérêts", "interest"),
    ("settings_waiver_indemnity", "indemnité", "indemnity"),
    ("settings_waiver_extent", "Étendue", "Extent"),
    ("settings_waiver_all", "la totalité", "all of it"),
    (
        "settings_waiver_amount",
        "jusqu'à un montant",
        "up to an amount",
    ),
    ("settings_waiver_percent", "une part (%)", "a share (%)"),
    (
        "settings_waiver_size",
        "Montant ou pourcentage",
        "Amount or percentage",
    ),
    ("settings_reason", "Motif", "Reason"),
    ("settings_withdraw", "Retirer", "Withdraw"),
    ("settings_withdrawn", "retirée", "withdrawn"),
    (
        "settings_reason_needed",
        "Donnez le motif du retrait.",
        "Give the reason for the withdrawal.",
    ),
    (
        "settings_channels_intro",
        "Les mots de passe et clés enregistrés ne sont jamais réaffichés ; un champ laissé vide les garde. Les réglages donnés par l'environnement (RELANCE_SMTP_URL…) priment.",
        "Saved passwords and keys are never shown again; a field left empty keeps them. Settings given by the environment (RELANCE_SMTP_URL…) take precedence.",
    ),
    ("settings_email", "E-mail", "E-mail"),
    (
        "settings_smtp_url",
        "Serveur SMTP (smtp://utilisateur:mot-de-passe@hôte:587)",
        "SMTP server (smtp://user:password@host:587)",
    ),
    (
        "settings_smtp_password_saved",
        "Un mot de passe est enregistré ; il est gardé si l'adresse reste la même.",
        "A password is saved; it is kept while the address stays the same.",
    ),
    ("settings_smtp_from", "Expéditeur", "Sender"),
    ("settings_smtp_reply_to", "Réponses à", "Replies to"),
    (
        "settings_sms_preset",
        "Passerelle connue (brevo)",
        "Known gateway (brevo)",
    ),
    ("settings_sms_key", "Clé d'API SMS", "SMS API key"),
    (
        "settings_sms_url",
        "Adresse de la passerelle SMS",
        "SMS gateway address",
    ),
    (
        "settings_sms_auth",
        "En-tête d'authentification SMS",
        "SMS authentication header",
    ),
    (
        "settings_sms_body",
        "Corps de la requête SMS",
        "SMS request body",
    ),
    ("settings_sms_sender", "Émetteur SMS", "SMS sender"),
    ("settings_secret_saved", "enregistré", "saved"),
    (
        "settings_secret_keep",
        "laisser vide pour garder",
        "leave empty to keep",
    ),
    ("settings_secret_clear", "effacer", "remove"),
    (
        "settings_channels_refused",
        "Réglages inutilisables :",
        "Settings that cannot work:",
    ),
    (
        "settings_need_sender",
        "Un serveur SMTP a besoin d'un expéditeur.",
        "An SMTP server needs a sender.",
    ),
    (
        "settings_need_key",
        "Une passerelle connue a besoin de sa clé d'API.",
        "A known gateway needs its API key.",
    ),
    (
        "settings_test",
        "Envoyer un message d'essai",
        "Send a test message",
    ),
    (
        "settings_test_to",
        "Destinataire (e-mail ou téléphone)",
        "Recipient (e-mail or phone)",
    ),
    (
        "settings_test_sent",
        "Message d'essai envoyé. Réponse du serveur :",
        "Test message sent. The server answered:",
    ),
    (
        "settings_test_failed",
        "Le message d'essai n'est pas parti :",
        "The test message did not leave:",
    ),
    (
        "settings_test_not_configured",
        "Aucun réglage enregistré pour ce canal.",
        "No settings are saved for this channel.",
    ),
];

/// Every text: the main table and the one of the audit log, tokens and bank pages.
fn all_texts() -> impl Iterator<Item = &'static (&'static str, &'static str, &'static str)> {
    TEXTS.iter().chain(operations::TEXTS)
}

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
            LazyLock::new(|| all_texts().map(|(key, fr, _)| (*key, *fr)).collect());
        static EN: LazyLock<BTreeMap<&str, &str>> =
            LazyLock::new(|| all_texts().map(|(key, _, en)| (*key, *en)).collect());
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
        for (key, fr, en) in all_texts() {
            assert!(seen.insert(*key), "{key} twice");
            assert!(!fr.is_empty() && !en.is_empty(), "{key} is empty");
        }
    }

    #[test]
    fn every_text_the_code_names_exists() {
        let known: HashSet<&str> = all_texts().map(|(key, _, _)| *key).collect();
        for source in [
            include_str!("pages.rs"),
            include_str!("error.rs"),
            include_str!("auth.rs"),
            include_str!("portal.rs"),
            include_str!("audit.rs"),
            include_str!("bank_pages.rs"),
            include_str!("tokens.rs"),
            include_str!("settings_pages.rs"),
            include_str!("payment_settings.rs"),
            include_str!("api_payments.rs"),
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
        let known: HashSet<&str> = all_texts().map(|(key, _, _)| *key).collect();
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
    fn every_day_of_the_contact_policy_has_a_label() {
        let known: HashSet<&str> = TEXTS.iter().map(|(key, _, _)| *key).collect();
        for day in app::dunning::DAY_FIELDS {
            assert!(known.contains(format!("day_{day}").as_str()), "{day}");
        }
    }

    #[test]
    fn every_text_a_template_names_exists() {
        let known: HashSet<&str> = all_texts().map(|(key, _, _)| *key).collect();
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
