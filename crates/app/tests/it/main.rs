//! Use cases on a real database: imports, reports and the demo, on every configured backend.

mod demo;
mod dunning;
mod fixtures;
mod imports;
mod reports;
