//! Identifiers of stored records. Above the store they are these types, never bare integers,
//! so that a customer id cannot be passed where an invoice id is expected.

macro_rules! record_id {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{}", self.0)
            }
        }
    )*};
}

record_id!(
    /// A tenant: one creditor's books (an agency serving several creditors has several).
    TenantId,
    CustomerId,
    InvoiceId,
    PaymentId,
    /// One import of a file, with its report.
    ImportId,
);
