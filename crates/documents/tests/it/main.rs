//! The documents read back as a person or a machine would: PDFs through poppler's `pdftotext`
//! and `pdfinfo` (Debian's poppler-utils, which `.ci/run` installs).

mod letters;
