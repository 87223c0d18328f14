//! The demo: a French SME and a realistic portfolio, imported through the same path as a
//! user's own file, so that the demo shows what an import really does.

use domain::ids::TenantId;
use jiff::civil::Date;
use store::{Store, StoreError};
use synthetic::{Behaviour, PortfolioSpec};

use crate::clock::Clock;
use crate::import::{
    ImportError, ImportInput, ImportOptions, ImportReport, InvoiceFileFormat, NoProgress,
    import_invoices,
};
use crate::setup::{SetupError, initialise, select_tenant};

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error(
        "this database already holds the books of {company:?}: the demo only goes into an empty database or its own"
    )]
    NotADemoDatabase { company: String },
    #[error(transparent)]
    Setup(#[from] SetupError),
    #[error(transparent)]
    Import(#[from] ImportError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What the demo created.
#[derive(Debug, Clone)]
pub struct DemoReport {
    pub tenant: TenantId,
    pub company_name: String,
    pub as_of: Date,
    pub seed: u64,
    pub import: ImportReport,
    pub consumers: usize,
    pub behaviours: Vec<(Behaviour, usize)>,
}

/// Creates (or refreshes) the demo creditor and its portfolio as of `as_of`.
pub async fn create_demo(
    store: &Store,
    seed: u64,
    as_of: Date,
    clock: Clock,
) -> Result<DemoReport, DemoError> {
    let creditor = synthetic::demo_creditor();
    let tenant = match select_tenant(store, None).await {
        Ok(existing) if existing.profile.company_name == creditor.company_name => existing,
        Ok(existing) => {
            return Err(DemoError::NotADemoDatabase {
                company: existing.profile.company_name,
            });
        }
        Err(SetupError::NotInitialised) => {
            initialise(store, &creditor, clock).await?;
            select_tenant(store, None).await?
        }
        Err(other) => return Err(other.into()),
    };
    let spec = PortfolioSpec::demo(seed, as_of);
    let customers = synthetic::customers(&spec);
    let mut csv = Vec::new();
    synthetic::write_invoice_csv(&spec, &mut csv).map_err(|source| ImportError::Unreadable {
        file: "demo.csv".into(),
        source,
    })?;
    let import = import_invoices(
        store,
        &tenant,
        ImportInput::Bytes {
            name: "demo.csv",
            bytes: &csv,
        },
        ImportOptions {
            format: InvoiceFileFormat::Csv,
            payment_term_days: None,
        },
        &NoProgress,
        clock,
    )
    .await?;
    let behaviours = Behaviour::ALL
        .into_iter()
        .map(|behaviour| {
            (
                behaviour,
                customers
                    .iter()
                    .filter(|customer| customer.behaviour == behaviour)
                    .count(),
            )
        })
        .collect();
    let consumers = customers
        .iter()
        .filter(|customer| customer.details.kind == domain::customer::CustomerKind::Consumer)
        .count();
    Ok(DemoReport {
        tenant: tenant.id,
        company_name: tenant.profile.company_name,
        as_of,
        seed,
        import,
        consumers,
        behaviours,
    })
}
