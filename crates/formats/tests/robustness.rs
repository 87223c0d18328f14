//! Every reader, fed damaged and random input, answers with a value or located problems, never
//! a panic. The inputs are the public samples in `shared/samples/` and small hand-written files,
//! cut, flipped, spliced and padded at random, and plain random bytes.
//!
//! CI runs proptest's default number of cases; run longer by hand with
//! `PROPTEST_CASES=20000 cargo test --release -p formats --test robustness`.

use std::sync::OnceLock;

use domain::identifiers::CountryCode;
use domain::money::Currency;
use formats::bank::{
    BankCsvMapping, CsvAmountColumns, CsvColumn, CsvColumns, read_bank_file, read_csv,
};
use formats::bounce::read_bounce;
use formats::dunning_toml::{read_policy, read_scenario};
use formats::fec::{FecOptions, read_fec};
use formats::invoice_csv::{InvoiceCsvOptions, InvoiceCsvReader};
use formats::rate_tables::read_rate_table;
use proptest::prelude::*;

/// Samples larger than this are cut: the damage, not the size, is what is tested.
const MAX_SEED: usize = 48 * 1024;

const INVOICE_CSV: &str = "code_client;raison_sociale;numero_facture;date_facture;date_echeance;montant_ttc;reste_du\n\
    C1;Épicerie Lefèvre;F-1;01/09/2026;01/10/2026;1 200,50;1 200,50\n\
    C2;Garage Dufour;F-2;2026-09-15;2026-10-15;99.90;0\n";

const RATES: &str =
    "effective_date,rate_percent,source\n2025-06-11,2.15,ECB\n2026-01-01,2.15,ECB\n";

const SCENARIO: &str = "name = \"b2b\"\nkind = \"b2b\"\n\n[[step]]\nkey = \"first\"\noffset_days = 1\nchannel = \"email\"\ntone = \"courteous\"\ntemplate = \"first_reminder\"\n";

const POLICY: &str = "min_days_between_contacts = 3\nmax_contacts_per_7_days = 3\n";

const BOUNCE: &str = "Subject: Undelivered\r\n\r\nFinal-Recipient: rfc822; a@b.fr\r\nAction: failed\r\nStatus: 5.1.1\r\nMessage-ID: <relance.1.2.email@b.example>\r\n";

fn seeds() -> &'static [Vec<u8>] {
    static SEEDS: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    SEEDS.get_or_init(|| {
        let root = format!("{}/../../../shared/samples", env!("CARGO_MANIFEST_DIR"));
        let mut seeds: Vec<Vec<u8>> = [INVOICE_CSV, RATES, SCENARIO, POLICY, BOUNCE]
            .iter()
            .map(|text| text.as_bytes().to_vec())
            .collect();
        for folder in ["camt053", "camt054", "ofx", "mt940", "csv-bank", "fec"] {
            let mut paths: Vec<_> = std::fs::read_dir(format!("{root}/{folder}"))
                .unwrap_or_else(|error| panic!("{root}/{folder}: {error}"))
                .map(|entry| entry.unwrap().path())
                .filter(|path| path.is_file())
                .collect();
            paths.sort();
            for path in paths {
                let mut bytes = std::fs::read(&path).unwrap();
                bytes.truncate(MAX_SEED);
                seeds.push(bytes);
            }
        }
        seeds
    })
}

fn french_mapping() -> BankCsvMapping {
    BankCsvMapping::french(CsvColumns {
        date: CsvColumn::named("Date"),
        value_date: Some(CsvColumn::named("Date de valeur")),
        amount: CsvAmountColumns::CreditDebit {
            credit: CsvColumn::named("Crédit"),
            debit: CsvColumn::named("Débit"),
        },
        label: vec![CsvColumn::named("Libellé")],
        counterparty: None,
        counterparty_account: None,
        reference: None,
        currency: None,
    })
}

/// Every reader on `bytes`; each returns, whatever the bytes.
fn read_with_every_reader(bytes: &[u8]) {
    let _ = read_bank_file(bytes, None, None);
    let _ = read_csv(bytes, &french_mapping());
    let _ = read_bounce(bytes);
    let _ = read_rate_table(bytes);
    let fec = FecOptions {
        currency: Currency::EUR,
        default_country: CountryCode::FRANCE,
        payment_term_days: 30,
    };
    let _ = read_fec(bytes, &fec);
    let options = InvoiceCsvOptions {
        default_currency: Currency::EUR,
        default_country: CountryCode::FRANCE,
        encoding: None,
    };
    if let Ok(reader) = InvoiceCsvReader::new(bytes, options) {
        for row in reader.take(10_000) {
            let _ = row;
        }
    }
    let text = String::from_utf8_lossy(bytes);
    let _ = read_scenario(&text, Currency::EUR);
    let _ = read_policy(&text);
}

#[derive(Debug, Clone)]
enum Damage {
    Cut(usize),
    Flip(usize, u8),
    Insert(usize, Vec<u8>),
    Splice(usize, usize, usize),
}

fn damage() -> impl Strategy<Value = Damage> {
    prop_oneof![
        any::<usize>().prop_map(Damage::Cut),
        (any::<usize>(), any::<u8>()).prop_map(|(at, byte)| Damage::Flip(at, byte)),
        (any::<usize>(), prop::collection::vec(any::<u8>(), 1..64))
            .prop_map(|(at, bytes)| Damage::Insert(at, bytes)),
        (any::<usize>(), any::<usize>(), any::<usize>())
            .prop_map(|(from, len, to)| Damage::Splice(from, len, to)),
    ]
}

fn apply(mut bytes: Vec<u8>, damages: &[Damage]) -> Vec<u8> {
    for damage in damages {
        let len = bytes.len().max(1);
        match damage {
            Damage::Cut(at) => bytes.truncate(at % len),
            Damage::Flip(at, byte) => {
                if !bytes.is_empty() {
                    let at = at % bytes.len();
                    bytes[at] ^= byte;
                }
            }
            Damage::Insert(at, extra) => {
                let at = at % (bytes.len() + 1);
                bytes.splice(at..at, extra.iter().copied());
            }
            Damage::Splice(from, count, to) => {
                if !bytes.is_empty() {
                    let from = from % bytes.len();
                    let end = (from + count % 256).min(bytes.len());
                    let piece = bytes[from..end].to_vec();
                    let to = to % (bytes.len() + 1);
                    bytes.splice(to..to, piece);
                }
            }
        }
    }
    bytes
}

proptest! {
    #[test]
    fn damaged_samples_give_a_value_or_problems_never_a_panic(
        seed in any::<prop::sample::Index>(),
        damages in prop::collection::vec(damage(), 1..6),
    ) {
        let seeds = seeds();
        let bytes = apply(seeds[seed.index(seeds.len())].clone(), &damages);
        read_with_every_reader(&bytes);
    }

    #[test]
    fn random_bytes_give_a_value_or_problems_never_a_panic(
        bytes in prop::collection::vec(any::<u8>(), 0..2048),
    ) {
        read_with_every_reader(&bytes);
    }
}

#[test]
fn every_sample_unharmed_reads_without_a_panic() {
    for seed in seeds() {
        read_with_every_reader(seed);
    }
}
