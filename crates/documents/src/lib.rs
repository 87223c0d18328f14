//! Relance's messages and documents: the texts (French and English, by tone) and the PDF
//! letters. Nothing here sends anything; `channels` delivers what this crate renders.
//!
//! - `catalog`: the built-in templates, one per step of the default scenarios and per moment
//!   around them (promise, dispute, receipt, thanks), compiled in.
//! - `source`: a template as a user edits it, one file with `=== subject ===`, `=== text ===`,
//!   `=== html ===`, `=== sms ===` parts.
//! - `variables`: the documented variables; `context`: their values, built from domain facts
//!   (`MessageFacts` → `MessageContext`), every amount and date formatted for the customer's
//!   language (`format`); `sample`: the sample data previews and checks use.
//! - `render`: `render(builtin, source, context) -> Rendered` (subject, text, HTML, SMS, and
//!   the body a letter lays out) with minijinja in strict mode; `check` finds every problem of
//!   an edited template, with its line and column, before it is saved.
//! - `body`: the blocks a template places (`@invoices`, `@statement`, `@payment`) in text, HTML
//!   and PDF form.
//! - `pdf`: `letter_pdf(letter) -> bytes` and `print_batch`: A4 letters for window envelopes,
//!   with the statement of account and an EPC QR code; fonts embedded.
//! - `epc` (the EPC069-12 QR payload, with the customer's ISO 11649 reference from
//!   `domain::identifiers::RfReference`), `sms` (GSM-7 / UCS-2 segment counting).
//!
//! Everything is a pure function of its inputs: no clock, no file, no network. Templates a
//! tenant edits are stored by `store` and passed in as `TemplateSource`.

pub mod body;
pub mod catalog;
pub mod context;
pub mod epc;
pub mod format;
pub mod pdf;
pub mod problem;
pub mod render;
pub mod sample;
pub mod sms;
pub mod source;
pub mod variables;

pub use catalog::{BUILTINS, Builtin, TemplateKind, builtin, builtin_keys};
pub use context::{MessageContext, MessageFacts};
pub use pdf::{Letter, PdfError, letter_pages, letter_pdf, print_batch};
pub use problem::{ProblemKind, TemplateProblem};
pub use render::{RenderError, Rendered, check, render};
pub use source::{LocatedSource, Part, TemplateSource};
