//! Use cases on a real database: imports, reports, the demo, dunning, customer details and
//! late-payment law, on every configured backend.

mod accounts;
mod customer_details;
mod delivery;
mod demo;
mod dunning;
mod fixtures;
mod imports;
mod late_payment;
mod payments;
mod plans;
mod recovery;
mod reports;
mod settlements;
mod setup;
mod templates;
