//! Use cases on a real database: imports, reports, the demo, dunning and customer details, on
//! every configured backend.

mod customer_details;
mod demo;
mod dunning;
mod fixtures;
mod imports;
mod reports;
mod templates;
