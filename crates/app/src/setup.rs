//! Creating a creditor and choosing the tenant a command works on.

use domain::creditor::CreditorProfile;
use domain::ids::TenantId;
use store::{Store, StoreError, TenantRecord};

use crate::clock::Clock;

#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error("this database already holds {count} creditor(s); the first is {first:?}")]
    AlreadyInitialised { count: usize, first: String },
    #[error("this database holds no creditor yet")]
    NotInitialised,
    #[error("this database holds several creditors; choose one with --tenant (known: {known})")]
    SeveralTenants { known: String },
    #[error("there is no creditor with id {id}")]
    UnknownTenant { id: i64 },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Creates the first creditor of a new database.
pub async fn initialise(
    store: &Store,
    profile: &CreditorProfile,
    clock: Clock,
) -> Result<TenantId, SetupError> {
    let tenants = store.tenants().await?;
    if let Some(first) = tenants.first() {
        return Err(SetupError::AlreadyInitialised {
            count: tenants.len(),
            first: first.profile.company_name.clone(),
        });
    }
    Ok(store.create_tenant(profile, clock.now()).await?)
}

/// Adds another creditor to a database (an agency collecting for several clients).
pub async fn add_creditor(
    store: &Store,
    profile: &CreditorProfile,
    clock: Clock,
) -> Result<TenantId, SetupError> {
    Ok(store.create_tenant(profile, clock.now()).await?)
}

/// The tenant a command works on: the one asked for, or the only one there is.
pub async fn select_tenant(
    store: &Store,
    requested: Option<i64>,
) -> Result<TenantRecord, SetupError> {
    let tenants = store.tenants().await?;
    match requested {
        Some(id) => tenants
            .into_iter()
            .find(|tenant| tenant.id.0 == id)
            .ok_or(SetupError::UnknownTenant { id }),
        None => match tenants.len() {
            0 => Err(SetupError::NotInitialised),
            1 => Ok(tenants.into_iter().next().expect("one tenant")),
            _ => Err(SetupError::SeveralTenants {
                known: tenants
                    .iter()
                    .map(|tenant| format!("{} = {}", tenant.id, tenant.profile.company_name))
                    .collect::<Vec<_>>()
                    .join(", "),
            }),
        },
    }
}
