//! The dated rate tables the rules read: ECB main refinancing rate, French legal interest rate,
//! German base rate. Each entry keeps the source it was taken from, so a figure on a statement
//! can be traced to a publication.
//!
//! A table answers only for the dates it covers. Asking outside is an error naming the table and
//! the date: a missing semester must stop a computation, not turn into a zero or a stale rate.

use std::fmt;

use jiff::civil::Date;

use super::interest::LatePaymentError;
use super::rate::{HalfYear, Rate};

/// The two French legal interest rates published each semester since 2015. Which one applies
/// depends on the creditor, not the debtor (ordonnance 2014-947).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LegalRateCategory {
    /// Claims of a natural person not acting for professional purposes.
    NaturalPersonNonProfessional,
    /// Every other claim, including a business's claim on a consumer.
    AllOtherCases,
}

impl LegalRateCategory {
    pub const ALL: [LegalRateCategory; 2] = [
        LegalRateCategory::NaturalPersonNonProfessional,
        LegalRateCategory::AllOtherCases,
    ];

    /// The code used in the rate files.
    pub fn code(&self) -> &'static str {
        match self {
            LegalRateCategory::NaturalPersonNonProfessional => "natural_person_non_professional",
            LegalRateCategory::AllOtherCases => "all_other_cases",
        }
    }

    pub fn parse(text: &str) -> Option<LegalRateCategory> {
        let wanted = text.trim().to_ascii_lowercase();
        LegalRateCategory::ALL
            .into_iter()
            .find(|category| category.code() == wanted)
    }
}

impl fmt::Display for LegalRateCategory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Why a list of entries does not make a table. `index` is the entry's position in the list
/// given, so a file reader can point at its line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RateTableError {
    #[error("the table has no entries")]
    Empty,
    #[error("entry {index}: {on} does not come after the entry before it")]
    OutOfOrder { index: usize, on: Date },
    #[error("entry {index}: {what} is given twice (first at entry {first_index})")]
    Duplicate {
        index: usize,
        first_index: usize,
        what: String,
    },
}

/// From `effective_on`, the ECB charges `rate` on its main refinancing operations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EcbRateChange {
    pub effective_on: Date,
    pub rate: Rate,
    pub source: String,
}

/// The ECB main refinancing operations (MRO) rate over time.
///
/// Each entry gives the rate in force from its date. The table vouches for nothing after its
/// last entry: to say the rate still held on a later date without a change, add an entry on
/// that date repeating the rate, with the source that confirms it. A lookup after the last
/// entry is an error, so a rate decision missing from the table cannot go unnoticed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EcbRates {
    changes: Vec<EcbRateChange>,
}

impl EcbRates {
    /// Entries must be in strictly increasing date order.
    pub fn new(changes: Vec<EcbRateChange>) -> Result<EcbRates, RateTableError> {
        if changes.is_empty() {
            return Err(RateTableError::Empty);
        }
        for (index, pair) in changes.windows(2).enumerate() {
            if pair[1].effective_on == pair[0].effective_on {
                return Err(RateTableError::Duplicate {
                    index: index + 1,
                    first_index: index,
                    what: pair[1].effective_on.to_string(),
                });
            }
            if pair[1].effective_on < pair[0].effective_on {
                return Err(RateTableError::OutOfOrder {
                    index: index + 1,
                    on: pair[1].effective_on,
                });
            }
        }
        Ok(EcbRates { changes })
    }

    pub fn changes(&self) -> &[EcbRateChange] {
        &self.changes
    }

    /// The last date the table vouches for.
    pub fn known_through(&self) -> Date {
        self.changes
            .last()
            .expect("a table has entries")
            .effective_on
    }

    /// The MRO rate in force on `day`.
    pub fn rate_on(&self, day: Date) -> Result<&EcbRateChange, LatePaymentError> {
        let known_from = self.changes[0].effective_on;
        let known_through = self.known_through();
        if day < known_from || day > known_through {
            return Err(LatePaymentError::EcbRateUnknown {
                on: day,
                known_from,
                known_through,
            });
        }
        let after = self
            .changes
            .partition_point(|change| change.effective_on <= day);
        Ok(&self.changes[after - 1])
    }

    /// The rate in force on the first day of `half_year`: the French B2B penalty rate and the EU
    /// Directive's reference rate are both fixed from it for the whole half-year.
    pub fn reference_rate(&self, half_year: HalfYear) -> Result<&EcbRateChange, LatePaymentError> {
        self.rate_on(half_year.start())
    }
}

/// One semester's French legal interest rate in one category.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LegalRate {
    pub half_year: HalfYear,
    pub category: LegalRateCategory,
    pub rate: Rate,
    pub source: String,
}

/// The French legal interest rate (taux de l'intérêt légal), per semester and category.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrenchLegalRates {
    entries: Vec<LegalRate>,
}

impl FrenchLegalRates {
    /// Entries in any order; each (semester, category) at most once.
    pub fn new(mut entries: Vec<LegalRate>) -> Result<FrenchLegalRates, RateTableError> {
        if entries.is_empty() {
            return Err(RateTableError::Empty);
        }
        let mut order: Vec<usize> = (0..entries.len()).collect();
        order.sort_by_key(|&index| (entries[index].half_year, entries[index].category, index));
        for pair in order.windows(2) {
            let (first, second) = (&entries[pair[0]], &entries[pair[1]]);
            if (first.half_year, first.category) == (second.half_year, second.category) {
                return Err(RateTableError::Duplicate {
                    index: pair[1],
                    first_index: pair[0],
                    what: format!("{} {}", second.half_year, second.category),
                });
            }
        }
        entries.sort_by_key(|entry| (entry.half_year, entry.category));
        Ok(FrenchLegalRates { entries })
    }

    /// Entries by semester, then category.
    pub fn entries(&self) -> &[LegalRate] {
        &self.entries
    }

    pub fn rate(
        &self,
        half_year: HalfYear,
        category: LegalRateCategory,
    ) -> Result<&LegalRate, LatePaymentError> {
        self.entries
            .binary_search_by_key(&(half_year, category), |entry| {
                (entry.half_year, entry.category)
            })
            .map(|index| &self.entries[index])
            .map_err(|_| LatePaymentError::LegalRateUnknown {
                half_year,
                category,
            })
    }
}

/// One half-year's German base rate (Basiszinssatz, § 247 BGB).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GermanBaseRate {
    pub half_year: HalfYear,
    pub rate: Rate,
    pub source: String,
}

/// The German base rate per half-year, as the Deutsche Bundesbank announces it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GermanBaseRates {
    entries: Vec<GermanBaseRate>,
}

impl GermanBaseRates {
    /// Entries in any order; each half-year at most once.
    pub fn new(mut entries: Vec<GermanBaseRate>) -> Result<GermanBaseRates, RateTableError> {
        if entries.is_empty() {
            return Err(RateTableError::Empty);
        }
        let mut order: Vec<usize> = (0..entries.len()).collect();
        order.sort_by_key(|&index| (entries[index].half_year, index));
        for pair in order.windows(2) {
            if entries[pair[0]].half_year == entries[pair[1]].half_year {
                return Err(RateTableError::Duplicate {
                    index: pair[1],
                    first_index: pair[0],
                    what: entries[pair[1]].half_year.to_string(),
                });
            }
        }
        entries.sort_by_key(|entry| entry.half_year);
        Ok(GermanBaseRates { entries })
    }

    pub fn entries(&self) -> &[GermanBaseRate] {
        &self.entries
    }

    pub fn rate(&self, half_year: HalfYear) -> Result<&GermanBaseRate, LatePaymentError> {
        self.entries
            .binary_search_by_key(&half_year, |entry| entry.half_year)
            .map(|index| &self.entries[index])
            .map_err(|_| LatePaymentError::GermanBaseRateUnknown { half_year })
    }
}

/// Which table a `RateTable` is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RateTableKind {
    EcbMainRefinancing,
    FrenchLegalInterest,
    GermanBase,
}

impl RateTableKind {
    pub const ALL: [RateTableKind; 3] = [
        RateTableKind::EcbMainRefinancing,
        RateTableKind::FrenchLegalInterest,
        RateTableKind::GermanBase,
    ];

    /// The short name an operator uses (`relance rates show ecb`).
    pub fn code(&self) -> &'static str {
        match self {
            RateTableKind::EcbMainRefinancing => "ecb",
            RateTableKind::FrenchLegalInterest => "fr-legal",
            RateTableKind::GermanBase => "de-base",
        }
    }
}

/// One table, as an operator replaces it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RateTable {
    EcbMainRefinancing(EcbRates),
    FrenchLegalInterest(FrenchLegalRates),
    GermanBase(GermanBaseRates),
}

impl RateTable {
    pub fn kind(&self) -> RateTableKind {
        match self {
            RateTable::EcbMainRefinancing(_) => RateTableKind::EcbMainRefinancing,
            RateTable::FrenchLegalInterest(_) => RateTableKind::FrenchLegalInterest,
            RateTable::GermanBase(_) => RateTableKind::GermanBase,
        }
    }
}

/// Every table the rules read. The built-in set lives in `formats::rate_tables`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateTables {
    pub ecb: EcbRates,
    pub french_legal: FrenchLegalRates,
    pub german_base: GermanBaseRates,
}

impl RateTables {
    /// Puts `table` in place of the table of its kind.
    pub fn replace(&mut self, table: RateTable) {
        match table {
            RateTable::EcbMainRefinancing(ecb) => self.ecb = ecb,
            RateTable::FrenchLegalInterest(french_legal) => self.french_legal = french_legal,
            RateTable::GermanBase(german_base) => self.german_base = german_base,
        }
    }

    /// The reference rate of Directive 2011/7/EU for a euro-area creditor: the ECB MRO rate in
    /// force on 1 January (first half-year) or 1 July (second).
    pub fn eu_reference_rate(&self, half_year: HalfYear) -> Result<Rate, LatePaymentError> {
        self.ecb.reference_rate(half_year).map(|change| change.rate)
    }
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::super::rate::Half;
    use super::*;

    fn change(on: Date, basis_points: i64) -> EcbRateChange {
        EcbRateChange {
            effective_on: on,
            rate: Rate::from_basis_points(basis_points),
            source: "test".into(),
        }
    }

    #[test]
    fn the_ecb_rate_in_force_is_the_last_change_on_or_before_the_day() {
        let ecb = EcbRates::new(vec![
            change(date(2022, 7, 27), 50),
            change(date(2022, 9, 14), 125),
            change(date(2023, 1, 1), 250),
        ])
        .unwrap();
        assert_eq!(
            ecb.rate_on(date(2022, 9, 13)).unwrap().rate,
            Rate::from_basis_points(50)
        );
        assert_eq!(
            ecb.rate_on(date(2022, 9, 14)).unwrap().rate,
            Rate::from_basis_points(125)
        );
        assert_eq!(
            ecb.reference_rate(HalfYear::new(2023, Half::First))
                .unwrap()
                .rate,
            Rate::from_basis_points(250)
        );
    }

    #[test]
    fn the_ecb_table_vouches_for_nothing_after_its_last_entry() {
        let ecb = EcbRates::new(vec![change(date(2025, 6, 11), 215)]).unwrap();
        assert_eq!(
            ecb.rate_on(date(2025, 7, 1)),
            Err(LatePaymentError::EcbRateUnknown {
                on: date(2025, 7, 1),
                known_from: date(2025, 6, 11),
                known_through: date(2025, 6, 11),
            })
        );
        assert!(ecb.rate_on(date(2025, 6, 10)).is_err());
    }

    #[test]
    fn ecb_changes_must_be_in_date_order() {
        assert_eq!(
            EcbRates::new(vec![
                change(date(2023, 1, 1), 250),
                change(date(2022, 1, 1), 0)
            ]),
            Err(RateTableError::OutOfOrder {
                index: 1,
                on: date(2022, 1, 1)
            })
        );
        assert!(matches!(
            EcbRates::new(vec![
                change(date(2023, 1, 1), 250),
                change(date(2023, 1, 1), 0)
            ]),
            Err(RateTableError::Duplicate { index: 1, .. })
        ));
        assert_eq!(EcbRates::new(vec![]), Err(RateTableError::Empty));
    }

    #[test]
    fn a_legal_rate_is_given_once_per_semester_and_category() {
        let entry = |category| LegalRate {
            half_year: HalfYear::new(2025, Half::First),
            category,
            rate: Rate::from_basis_points(371),
            source: "test".into(),
        };
        let table = FrenchLegalRates::new(vec![entry(LegalRateCategory::AllOtherCases)]).unwrap();
        assert!(
            table
                .rate(
                    HalfYear::new(2025, Half::First),
                    LegalRateCategory::AllOtherCases
                )
                .is_ok()
        );
        assert_eq!(
            table.rate(
                HalfYear::new(2025, Half::First),
                LegalRateCategory::NaturalPersonNonProfessional
            ),
            Err(LatePaymentError::LegalRateUnknown {
                half_year: HalfYear::new(2025, Half::First),
                category: LegalRateCategory::NaturalPersonNonProfessional,
            })
        );
        assert!(matches!(
            FrenchLegalRates::new(vec![
                entry(LegalRateCategory::AllOtherCases),
                entry(LegalRateCategory::NaturalPersonNonProfessional),
                entry(LegalRateCategory::AllOtherCases),
            ]),
            Err(RateTableError::Duplicate {
                index: 2,
                first_index: 0,
                ..
            })
        ));
    }

    #[test]
    fn categories_read_their_file_codes() {
        for category in LegalRateCategory::ALL {
            assert_eq!(LegalRateCategory::parse(category.code()), Some(category));
        }
        assert_eq!(LegalRateCategory::parse("consumer"), None);
    }
}
