//! Accounts, roles, sessions and API tokens of the web application.
//!
//! Passwords are hashed with Argon2id (the `argon2` crate's defaults, the OWASP minimum). Session
//! and API secrets are 32 random bytes from the operating system, given to the client once, and
//! stored only as their SHA-256: unlike a password, a random secret of that size needs no slow
//! hash. What each role may do is decided here, not in the web layer.
//!
//! An account may work for several creditors (a collection agency's staff), with a role at
//! each: its memberships. A session works on one of them at a time and switches among them; an
//! API token acts for the creditor it was made in. An `Account` is always the account as a
//! member of one creditor: `tenant` and `role` are that creditor and the role held there.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use domain::creditor::{CreditorProfile, PostalAddress, TimeZoneName};
use domain::identifiers::CountryCode;
use domain::ids::TenantId;
use domain::money::Currency;
use sha2::{Digest, Sha256};
use store::{ApiTokenRecord, NewUser, Store, StoreError, UserRecord};

use crate::TenantRecord;
use crate::clock::Clock;
use crate::setup::{SetupError, initialise, select_tenant};

/// How long a session lasts without logging in again: a working day and its evening.
pub const SESSION_HOURS: i64 = 12;
/// The shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 10;

/// What a person may do, each role including the ones below it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    /// Reads everything, changes nothing.
    Viewer,
    /// Works the cases: calls, promises, disputes, holds, skipping scheduled actions, imports.
    Collector,
    /// Also approves what needs approval (formal notices, hand-offs, the legal route).
    Manager,
    /// Also manages accounts and API tokens.
    Admin,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Admin, Role::Manager, Role::Collector, Role::Viewer];

    pub fn code(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Collector => "collector",
            Role::Manager => "manager",
            Role::Admin => "admin",
        }
    }

    pub fn parse(text: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|role| role.code() == text)
    }

    pub fn allows(self, permission: Permission) -> bool {
        self >= permission.minimum_role()
    }
}

/// The kinds of operation the roles are checked against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    Read,
    /// Record contacts, promises, disputes, holds; skip a scheduled action; import.
    Work,
    /// Approve, or skip, an action awaiting approval.
    Approve,
    /// Change the rules: scenarios, contact policy, templates, late-payment policy, waivers;
    /// read the delivery settings.
    Configure,
    /// Accounts and API tokens; the company's profile and the delivery settings.
    Administer,
}

impl Permission {
    pub fn minimum_role(self) -> Role {
        match self {
            Permission::Read => Role::Viewer,
            Permission::Work => Role::Collector,
            Permission::Approve | Permission::Configure => Role::Manager,
            Permission::Administer => Role::Admin,
        }
    }

    /// What skipping an action of this status needs: a step that waits for a manager's approval
    /// is the manager's to drop.
    pub fn to_skip(status: &str) -> Permission {
        if status == "awaiting_approval" {
            Permission::Approve
        } else {
            Permission::Work
        }
    }
}

/// A person logged in (or the owner of an API token), as a member of the creditor it works on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub id: i64,
    pub tenant: TenantId,
    pub email: String,
    pub display_name: String,
    pub role: Role,
}

impl Account {
    /// Refuses what the account's role does not allow.
    pub fn require(&self, permission: Permission) -> Result<(), AccountError> {
        if self.role.allows(permission) {
            Ok(())
        } else {
            Err(AccountError::Forbidden {
                needed: permission.minimum_role(),
            })
        }
    }
}

/// One creditor an account works for, and its role there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    pub tenant: TenantId,
    pub company_name: String,
    pub role: Role,
}

/// A session just opened: the secret goes into the browser's cookie, the CSRF token into forms.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub secret: String,
    pub csrf_token: String,
    pub max_age_seconds: i64,
}

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("the first administrator already exists")]
    AlreadySetUp,
    #[error("{0:?} is not an e-mail address")]
    InvalidEmail(String),
    #[error("a name is required")]
    MissingName,
    #[error("a password needs at least {MIN_PASSWORD_CHARS} characters")]
    WeakPassword,
    #[error("unknown role {0:?} (admin, manager, collector, viewer)")]
    UnknownRole(String),
    #[error("an account with the e-mail {0:?} already exists")]
    EmailTaken(String),
    /// The same answer whether the e-mail or the password was wrong.
    #[error("wrong e-mail or password")]
    BadCredentials,
    #[error("API token {id} does not exist")]
    UnknownToken { id: i64 },
    #[error("no account has the e-mail {0:?}")]
    UnknownAccount(String),
    /// Another creditor's existence is not revealed: the same answer whether it exists or not.
    #[error("this account does not work for creditor {id}")]
    NotAMember { id: i64 },
    #[error("an administrator cannot change their own role")]
    OwnRole,
    #[error("this needs the role {} or above", .needed.code())]
    Forbidden { needed: Role },
    #[error("too many failed logins for this e-mail: try again in {minutes} minute(s)")]
    Throttled { minutes: i64 },
    #[error("the operating system gave no random bytes: {0}")]
    Randomness(String),
    #[error("cannot hash the password: {0}")]
    Hashing(String),
    #[error(transparent)]
    Setup(#[from] SetupError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl AccountError {
    /// The error in the user's language.
    pub fn describe(&self, language: domain::customer::Language) -> String {
        if language == domain::customer::Language::English {
            return self.to_string();
        }
        match self {
            AccountError::AlreadySetUp => "le premier administrateur existe déjà".to_owned(),
            AccountError::InvalidEmail(text) => format!("{text:?} n'est pas une adresse e-mail"),
            AccountError::MissingName => "un nom est requis".to_owned(),
            AccountError::WeakPassword => {
                format!("un mot de passe compte au moins {MIN_PASSWORD_CHARS} caractères")
            }
            AccountError::UnknownRole(role) => {
                format!("rôle inconnu {role:?} (admin, manager, collector, viewer)")
            }
            AccountError::EmailTaken(email) => {
                format!("un compte avec l'adresse {email:?} existe déjà")
            }
            AccountError::BadCredentials => "adresse e-mail ou mot de passe incorrect".to_owned(),
            AccountError::UnknownToken { id } => format!("le jeton d'API {id} n'existe pas"),
            AccountError::UnknownAccount(email) => {
                format!("aucun compte n'a l'adresse {email:?}")
            }
            AccountError::NotAMember { id } => {
                format!("ce compte ne travaille pas pour le créancier {id}")
            }
            AccountError::OwnRole => {
                "un administrateur ne peut pas changer son propre rôle".to_owned()
            }
            AccountError::Forbidden { needed } => {
                format!("il faut le rôle {} ou au-dessus", needed.code())
            }
            AccountError::Throttled { minutes } => format!(
                "trop d'essais manqués pour cette adresse : réessayez dans {minutes} minute(s)"
            ),
            AccountError::Randomness(_)
            | AccountError::Hashing(_)
            | AccountError::Setup(_)
            | AccountError::Store(_) => self.to_string(),
        }
    }
}

/// The account details a form or the command line gives.
#[derive(Debug, Clone, Copy)]
pub struct AccountInput<'a> {
    pub email: &'a str,
    pub display_name: &'a str,
    pub password: &'a str,
}

/// Whether the installation still waits for its first administrator.
pub async fn needs_first_admin(store: &Store) -> Result<bool, AccountError> {
    Ok(store.user_count().await? == 0)
}

/// Creates the first administrator, and the creditor too when the database has none yet
/// (`company`: its name; Paris time, euros, as `relance init` defaults). Refused once any
/// account exists, so that the form cannot be replayed to take over an installation.
pub async fn create_first_admin(
    store: &Store,
    clock: Clock,
    company: Option<&str>,
    input: AccountInput<'_>,
) -> Result<Account, AccountError> {
    if !needs_first_admin(store).await? {
        return Err(AccountError::AlreadySetUp);
    }
    let checked = check_input(input)?;
    let tenant = match select_tenant(store, None).await {
        Ok(tenant) => tenant,
        Err(SetupError::NotInitialised) => {
            let name = company.map(str::trim).unwrap_or_default();
            if name.is_empty() {
                return Err(AccountError::MissingName);
            }
            let profile = CreditorProfile {
                company_name: name.to_owned(),
                siren: None,
                address: PostalAddress {
                    country: Some(CountryCode::FRANCE),
                    ..PostalAddress::default()
                },
                iban: None,
                bic: None,
                language: domain::customer::Language::French,
                time_zone: TimeZoneName::parse("Europe/Paris").expect("a known zone"),
                currency: Currency::EUR,
                default_payment_term_days: 30,
            };
            initialise(store, &profile, clock).await?;
            select_tenant(store, None).await?
        }
        Err(other) => return Err(other.into()),
    };
    insert_user(store, clock, tenant.id, checked, Role::Admin).await
}

/// An administrator adds an account to their own creditor (made there, and a member there).
pub async fn create_user(
    store: &Store,
    clock: Clock,
    by: &Account,
    input: AccountInput<'_>,
    role: &str,
) -> Result<Account, AccountError> {
    by.require(Permission::Administer)?;
    let role = Role::parse(role).ok_or_else(|| AccountError::UnknownRole(role.to_owned()))?;
    let checked = check_input(input)?;
    insert_user(store, clock, by.tenant, checked, role).await
}

/// The members of the administrator's creditor, each with the role held there.
pub async fn list_users(store: &Store, by: &Account) -> Result<Vec<Account>, AccountError> {
    by.require(Permission::Administer)?;
    members(store, by.tenant).await
}

/// The members of a creditor, each with the role held there, as the command line's operator
/// reads them.
pub async fn members(store: &Store, tenant: TenantId) -> Result<Vec<Account>, AccountError> {
    store
        .tenant(tenant)
        .users()
        .await?
        .into_iter()
        .map(account)
        .collect()
}

/// An administrator gives an existing account (found by its e-mail, whichever creditor it was
/// made in) a role on their own creditor, or changes the role it holds there. Granting the
/// role it already holds changes nothing. Returns the account as a member here.
pub async fn grant_role(
    store: &Store,
    clock: Clock,
    by: &Account,
    email: &str,
    role: &str,
) -> Result<Account, AccountError> {
    by.require(Permission::Administer)?;
    let role = Role::parse(role.trim())
        .ok_or_else(|| AccountError::UnknownRole(role.trim().to_owned()))?;
    let member = find_account(store, email).await?;
    // An administrator demoting themself could leave the creditor with no administrator.
    if member.id == by.id {
        return Err(AccountError::OwnRole);
    }
    grant(store, clock, by.tenant, member, role).await
}

/// The operator of the command line gives an existing account a role on a creditor (they hold
/// the database, so no account of theirs is checked).
pub async fn grant_role_as_operator(
    store: &Store,
    clock: Clock,
    tenant: TenantId,
    email: &str,
    role: &str,
) -> Result<Account, AccountError> {
    let role = Role::parse(role.trim())
        .ok_or_else(|| AccountError::UnknownRole(role.trim().to_owned()))?;
    let member = find_account(store, email).await?;
    grant(store, clock, tenant, member, role).await
}

async fn find_account(store: &Store, email: &str) -> Result<UserRecord, AccountError> {
    let email = email.trim().to_lowercase();
    store
        .user_by_email(&email)
        .await?
        .ok_or(AccountError::UnknownAccount(email))
}

async fn grant(
    store: &Store,
    clock: Clock,
    tenant: TenantId,
    member: UserRecord,
    role: Role,
) -> Result<Account, AccountError> {
    store
        .tenant(tenant)
        .grant_membership(member.id, role.code(), clock.now())
        .await?;
    Ok(Account {
        id: member.id,
        tenant,
        email: member.email,
        display_name: member.display_name,
        role,
    })
}

/// The creditors an account works for, and its role at each, by company name.
pub async fn memberships(
    store: &Store,
    account: &Account,
) -> Result<Vec<Membership>, AccountError> {
    store
        .memberships(account.id)
        .await?
        .into_iter()
        .map(|record| {
            Ok(Membership {
                role: parse_role(account.id, &record.role)?,
                tenant: record.tenant,
                company_name: record.company_name,
            })
        })
        .collect()
}

/// Moves a session to another creditor its account works for; returns the account as a member
/// there. A creditor it does not work for, or that does not exist, is refused alike.
pub async fn switch_creditor(
    store: &Store,
    clock: Clock,
    secret: &str,
    tenant: i64,
) -> Result<Account, AccountError> {
    let moved = store
        .switch_session(&digest(secret), TenantId(tenant), clock.now().as_second())
        .await?;
    if !moved {
        return Err(AccountError::NotAMember { id: tenant });
    }
    match session(store, clock, secret).await? {
        Some((account, _)) if account.tenant.0 == tenant => Ok(account),
        _ => Err(AccountError::NotAMember { id: tenant }),
    }
}

struct Checked {
    email: String,
    display_name: String,
    password_hash: String,
}

fn check_input(input: AccountInput<'_>) -> Result<Checked, AccountError> {
    let email = input.email.trim().to_lowercase();
    let plausible = email
        .split_once('@')
        .is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.'))
        && !email.contains(char::is_whitespace);
    if !plausible {
        return Err(AccountError::InvalidEmail(input.email.to_owned()));
    }
    let display_name = input.display_name.trim();
    if display_name.is_empty() {
        return Err(AccountError::MissingName);
    }
    if input.password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(AccountError::WeakPassword);
    }
    Ok(Checked {
        email,
        display_name: display_name.to_owned(),
        password_hash: hash_password(input.password)?,
    })
}

async fn insert_user(
    store: &Store,
    clock: Clock,
    tenant: TenantId,
    checked: Checked,
    role: Role,
) -> Result<Account, AccountError> {
    let id = match store
        .tenant(tenant)
        .create_user(
            &NewUser {
                email: &checked.email,
                display_name: &checked.display_name,
                role: role.code(),
                password_hash: &checked.password_hash,
            },
            clock.now(),
        )
        .await
    {
        Ok(id) => id,
        Err(StoreError::AlreadyExists { .. }) => {
            return Err(AccountError::EmailTaken(checked.email));
        }
        Err(error) => return Err(error.into()),
    };
    Ok(Account {
        id,
        tenant,
        email: checked.email,
        display_name: checked.display_name,
        role,
    })
}

/// Failed logins allowed per e-mail within `THROTTLE_WINDOW_SECONDS` before the next attempts
/// are refused unchecked.
pub const THROTTLE_FAILURES: usize = 5;
pub const THROTTLE_WINDOW_SECONDS: i64 = 15 * 60;

/// Counts failed logins per e-mail, in memory (a restart forgets them): guessing a password
/// costs a quarter of an hour per five tries. Per e-mail rather than per address, as behind a
/// proxy every request comes from the same address.
#[derive(Debug, Default)]
pub struct LoginThrottle {
    failures: std::sync::Mutex<std::collections::HashMap<String, Vec<i64>>>,
}

impl LoginThrottle {
    fn recent(&self, email: &str, now: i64) -> Vec<i64> {
        let mut failures = self
            .failures
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let list = failures.entry(email.to_owned()).or_default();
        list.retain(|at| now - at < THROTTLE_WINDOW_SECONDS);
        list.clone()
    }

    fn check(&self, email: &str, now: i64) -> Result<(), AccountError> {
        let recent = self.recent(email, now);
        if recent.len() >= THROTTLE_FAILURES {
            let oldest = recent.iter().min().copied().unwrap_or(now);
            let seconds = THROTTLE_WINDOW_SECONDS - (now - oldest);
            return Err(AccountError::Throttled {
                minutes: (seconds + 59) / 60,
            });
        }
        Ok(())
    }

    fn record(&self, email: &str, now: i64, failed: bool) {
        let mut failures = self
            .failures
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if failed {
            failures.entry(email.to_owned()).or_default().push(now);
        } else {
            failures.remove(email);
        }
    }
}

/// `login`, refused unchecked after too many failures for the e-mail.
pub async fn login_throttled(
    store: &Store,
    clock: Clock,
    throttle: &LoginThrottle,
    email: &str,
    password: &str,
) -> Result<(Account, NewSession), AccountError> {
    let key = email.trim().to_lowercase();
    let now = clock.now().as_second();
    throttle.check(&key, now)?;
    let result = login(store, clock, email, password).await;
    match &result {
        Err(AccountError::BadCredentials) => throttle.record(&key, now, true),
        Ok(_) => throttle.record(&key, now, false),
        Err(_) => {}
    }
    result
}

/// Checks the password and opens a session.
pub async fn login(
    store: &Store,
    clock: Clock,
    email: &str,
    password: &str,
) -> Result<(Account, NewSession), AccountError> {
    let found = store.user_by_email(&email.trim().to_lowercase()).await?;
    // An unknown e-mail costs the same hash as a known one: the answer time tells nothing.
    let stored = found
        .as_ref()
        .and_then(|user| user.password_hash.clone())
        .unwrap_or_else(|| DECOY_HASH.to_owned());
    let matches = verify_password(password, &stored);
    let user = match found {
        Some(user) if matches && user.password_hash.is_some() => user,
        _ => return Err(AccountError::BadCredentials),
    };
    // A session starts at the creditor the account was made in, or, if it no longer works
    // there, the first of its creditors; an account that works for none cannot log in.
    let memberships = store.memberships(user.id).await?;
    let start = memberships
        .iter()
        .find(|membership| membership.tenant == user.tenant)
        .or_else(|| memberships.first())
        .ok_or(AccountError::BadCredentials)?;
    let account = account(UserRecord {
        tenant: start.tenant,
        role: start.role.clone(),
        ..user
    })?;
    let secret = random_hex()?;
    let csrf_token = random_hex()?;
    let max_age_seconds = SESSION_HOURS * 3600;
    let now = clock.now();
    store
        .create_session(
            &digest(&secret),
            account.id,
            account.tenant,
            &csrf_token,
            now,
            now.as_second() + max_age_seconds,
        )
        .await?;
    Ok((
        account,
        NewSession {
            secret,
            csrf_token,
            max_age_seconds,
        },
    ))
}

/// The account and CSRF token of a live session, if the secret names one.
pub async fn session(
    store: &Store,
    clock: Clock,
    secret: &str,
) -> Result<Option<(Account, String)>, AccountError> {
    match store
        .session(&digest(secret), clock.now().as_second())
        .await?
    {
        Some((user, csrf)) => Ok(Some((account(user)?, csrf))),
        None => Ok(None),
    }
}

/// Ends a session.
pub async fn logout(store: &Store, secret: &str) -> Result<(), AccountError> {
    store.delete_session(&digest(secret)).await?;
    Ok(())
}

/// An administrator creates an API token acting as themself; the secret is shown once.
pub async fn create_api_token(
    store: &Store,
    clock: Clock,
    by: &Account,
    name: &str,
) -> Result<String, AccountError> {
    by.require(Permission::Administer)?;
    let name = name.trim();
    if name.is_empty() {
        return Err(AccountError::MissingName);
    }
    let secret = format!("rl_{}", random_hex()?);
    store
        .tenant(by.tenant)
        .create_api_token(by.id, name, &digest(&secret), clock.now())
        .await?;
    Ok(secret)
}

/// Who calls the API: the account a token acts as, the token itself and its creditor.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiCaller {
    pub account: Account,
    /// The token's id (idempotency keys are kept per token).
    pub token: i64,
    pub tenant: TenantRecord,
}

/// The caller an API token names, if it is known and not revoked. Read at every request, so
/// that a revoked token is refused from the next one on.
pub async fn api_caller(store: &Store, secret: &str) -> Result<Option<ApiCaller>, AccountError> {
    match store.api_token_user(&digest(secret)).await? {
        Some((token, user, tenant)) => Ok(Some(ApiCaller {
            account: account(user)?,
            token,
            tenant,
        })),
        None => Ok(None),
    }
}

/// The account an API token acts as, if it is known and not revoked.
pub async fn api_account(store: &Store, secret: &str) -> Result<Option<Account>, AccountError> {
    Ok(api_caller(store, secret)
        .await?
        .map(|caller| caller.account))
}

/// The creditor's API tokens, newest first: name, account, when made, when revoked.
pub async fn list_api_tokens(
    store: &Store,
    by: &Account,
) -> Result<Vec<ApiTokenRecord>, AccountError> {
    by.require(Permission::Administer)?;
    Ok(store.tenant(by.tenant).api_tokens().await?)
}

/// Revokes one of the creditor's tokens: it is refused from the next request on. Revoking it
/// again changes nothing; another creditor's token is unknown here.
pub async fn revoke_api_token(
    store: &Store,
    clock: Clock,
    by: &Account,
    id: i64,
) -> Result<(), AccountError> {
    by.require(Permission::Administer)?;
    if store
        .tenant(by.tenant)
        .revoke_api_token(id, clock.now())
        .await?
    {
        Ok(())
    } else {
        Err(AccountError::UnknownToken { id })
    }
}

fn parse_role(user: i64, role: &str) -> Result<Role, AccountError> {
    Ok(Role::parse(role).ok_or_else(|| StoreError::Corrupt {
        what: format!("user {user}: role {role:?}"),
    })?)
}

fn account(user: UserRecord) -> Result<Account, AccountError> {
    let role = parse_role(user.id, &user.role)?;
    Ok(Account {
        id: user.id,
        tenant: user.tenant,
        email: user.email,
        display_name: user.display_name,
        role,
    })
}

/// An Argon2id hash of a password nobody has, checked when the e-mail is unknown.
const DECOY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$0ZsG3ml3SVk0FD0vI8V4vYjd5C+3ro0nRVAnN8Aw7nA";

fn hash_password(password: &str) -> Result<String, AccountError> {
    let mut salt = [0_u8; 16];
    getrandom::fill(&mut salt).map_err(|error| AccountError::Randomness(error.to_string()))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| AccountError::Hashing(e.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|error| AccountError::Hashing(error.to_string()))
}

fn verify_password(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|hash| {
        Argon2::default()
            .verify_password(password.as_bytes(), &hash)
            .is_ok()
    })
}

/// 32 random bytes from the operating system, as hex (a session, CSRF or form token).
pub fn random_hex() -> Result<String, AccountError> {
    let mut bytes = [0_u8; 32];
    getrandom::fill(&mut bytes).map_err(|error| AccountError::Randomness(error.to_string()))?;
    Ok(hex(&bytes))
}

pub(crate) fn digest(secret: &str) -> String {
    sha256_hex(secret.as_bytes())
}

/// The SHA-256 of `bytes`, in lowercase hex.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut text = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        text.push(char::from(DIGITS[usize::from(byte >> 4)]));
        text.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_role_includes_the_ones_below() {
        assert!(Role::Manager.allows(Permission::Approve));
        assert!(Role::Admin.allows(Permission::Approve));
        assert!(!Role::Collector.allows(Permission::Approve));
        assert!(Role::Collector.allows(Permission::Work));
        assert!(!Role::Viewer.allows(Permission::Work));
        assert!(Role::Viewer.allows(Permission::Read));
        assert!(!Role::Manager.allows(Permission::Administer));
    }

    #[test]
    fn skipping_a_step_awaiting_approval_is_a_managers_call() {
        assert_eq!(
            Permission::to_skip("awaiting_approval"),
            Permission::Approve
        );
        assert_eq!(Permission::to_skip("scheduled"), Permission::Work);
    }

    #[test]
    fn a_password_hash_verifies_that_password_only() {
        let hash = hash_password("correct horse battery").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &hash));
        assert!(!verify_password("correct horse batterY", &hash));
    }

    #[test]
    fn the_decoy_hash_is_a_valid_hash_that_matches_nothing_typed() {
        assert!(PasswordHash::new(DECOY_HASH).is_ok());
        assert!(!verify_password("", DECOY_HASH));
        assert!(!verify_password("password123", DECOY_HASH));
    }

    #[test]
    fn five_failures_within_a_quarter_of_an_hour_close_the_door_until_the_first_is_old() {
        let throttle = LoginThrottle::default();
        for minute in 0..5 {
            assert!(throttle.check("a@x", minute * 60).is_ok());
            throttle.record("a@x", minute * 60, true);
        }
        assert!(matches!(
            throttle.check("a@x", 5 * 60),
            Err(AccountError::Throttled { minutes: 10 })
        ));
        assert!(
            throttle.check("b@x", 5 * 60).is_ok(),
            "other e-mails are not affected"
        );
        assert!(
            throttle.check("a@x", 15 * 60).is_ok(),
            "the first failure has aged out"
        );
        throttle.record("a@x", 15 * 60, false);
        assert!(
            throttle.recent("a@x", 15 * 60).is_empty(),
            "a success forgets"
        );
    }

    #[test]
    fn secrets_are_stored_as_their_sha256() {
        assert_eq!(
            digest("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
