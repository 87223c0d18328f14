//! File readers of Relance: bytes in, domain values and located problems out.
//!
//! Each reader takes a `std::io::Read` from the caller and does no other I/O: no files, clock or
//! database. What a file says becomes `domain` values; what is wrong with it becomes a `Problem`
//! naming the physical line, the column and the value, describable in French or English.
//!
//! - `problem`: located problems and their descriptions.
//! - `invoice_csv`: streaming reader of customer-invoice CSV exports.
//! - `fec`: the French legal accounting export (FEC), turned into open items by lettering.
//! - `dunning_toml`: the dunning scenario and contact policy files users edit, read and written
//!   as commented TOML.
//! - `rate_tables`: the late-payment rate tables (ECB, French legal rate, German base rate):
//!   the built-in CSV files and operator replacements.
//! - `bank`: bank statements (camt.053/054, OFX, MT940, mapped CSV) read into
//!   `domain::bank` statements, with format detection; whole files in, all or nothing.
//! - `bounce`: delivery status notifications, the messages they are about and whether the
//!   failure is permanent.

pub mod bank;
pub mod bounce;
pub mod dunning_toml;
pub mod fec;
pub mod invoice_csv;
pub mod problem;
pub mod rate_tables;

mod input;
mod text;
