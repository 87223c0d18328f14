//! Matching a bank credit to the open invoices it pays: who paid, which invoices, how sure.
//!
//! The evidence, strongest first:
//! - the structured creditor reference (ISO 11649 RF) Relance prints on a customer's letters and
//!   QR codes (`RfReference::for_customer`), in the reference field or in the free text;
//! - invoice numbers found in the remittance text, compared in a canonical form that forgives
//!   spacing, separators, prefixes (`FACT`, `FA-`, `INV`), leading zeros and OCR-like
//!   confusions (O/0, I/1, L/1), but only ever as whole tokens: `123` is never found inside
//!   `41234`;
//! - the payer's account, when an earlier payment from it was attributed to a customer;
//! - the payer's name against the customers' names (Jaro-Winkler over normalised names, only a
//!   clear best);
//! - the amount: the customer's invoices whose outstanding amounts add up to it (one invoice,
//!   or several found by a bounded subset-sum), exactly or within the tolerance for bank fees
//!   and rounding.
//!
//! A proposal says which customer, which allocations (oldest due first when the payment does
//! not cover everything it names), what is left as a credit balance, a confidence from 0 to 100
//! and the evidence in words. The confidence is set so that only proposals that identify the
//! customer by something the payer or the bank wrote *for this creditor* (a reference, an
//! invoice number, a known account) and whose amount agrees reach the default threshold, with
//! one exception: an amount that exactly one of a customer's invoices comes to, paid under
//! exactly that customer's name, when no other customer owing that amount has a name like it.
//! An amount alone, or a name alone, never does.

// Keys are the creditor's own data (invoice numbers, references, names), never a stranger's:
// the fast hasher's lack of flooding resistance costs nothing here, its speed shows at millions
// of open items.
use rustc_hash::FxHashMap as HashMap;

use jiff::civil::Date;

use crate::customer::Language;
use crate::identifiers::RfReference;
use crate::ids::{CustomerId, InvoiceId};
use crate::money::{Currency, Money};

/// The creditor's choices for matching.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MatchSettings {
    /// Proposals at or above this confidence are applied without review.
    pub auto_apply_threshold: u8,
    /// How far (in minor units) a payment may be from what it pays and still count as paying
    /// it: bank fees taken on the way, rounding.
    pub amount_tolerance_minor: i64,
    /// The subset-sum looks at most at this many of a customer's oldest open invoices…
    pub max_subset_items: usize,
    /// …and explores at most this many combinations.
    pub max_subset_steps: u32,
}

/// Jaro-Winkler similarity from which two normalised names are taken to be the same party's.
const NAME_AGREES: f64 = 0.92;
/// How far the best name must stand ahead of the next to name a customer on its own.
const NAME_LEAD: f64 = 0.03;
/// Beyond this many open invoices of one amount (a round sum many owe), the amount narrows
/// nothing and names are not compared through it.
const NAMES_BY_AMOUNT_MAX: usize = 1_000;

/// Below any sensible threshold: the customer is certain, the invoices are not.
const AMBIGUOUS_SET_CONFIDENCE: u8 = 80;

impl MatchSettings {
    pub const DEFAULT_THRESHOLD: u8 = 90;
    pub const DEFAULT_TOLERANCE_MINOR: i64 = 100;
}

impl Default for MatchSettings {
    fn default() -> Self {
        MatchSettings {
            auto_apply_threshold: Self::DEFAULT_THRESHOLD,
            amount_tolerance_minor: Self::DEFAULT_TOLERANCE_MINOR,
            max_subset_items: 24,
            max_subset_steps: 100_000,
        }
    }
}

/// An invoice that still has something outstanding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenItem {
    pub invoice: InvoiceId,
    pub customer: CustomerId,
    pub number: String,
    pub due_on: Date,
    pub outstanding: Money,
}

/// A customer as the matcher knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownCustomer {
    pub id: CustomerId,
    /// The customer's code, from which its RF reference is derived.
    pub reference: String,
    pub name: String,
    /// Accounts that earlier attributed payments came from.
    pub accounts: Vec<String>,
}

/// What a credit line says about itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CreditLine<'a> {
    pub amount: Money,
    pub counterparty_name: Option<&'a str>,
    pub counterparty_account: Option<&'a str>,
    /// The free remittance text (and any other reference text worth searching).
    pub remittance: &'a str,
    /// The structured creditor reference, as written.
    pub creditor_reference: Option<&'a str>,
}

/// What a `MatchIndex` is built from, gathered in a compact form as the store reads it.
///
/// At ten million invoices a bank import indexes 2.8 million open items and a million
/// customers. As structs of strings (an `OpenItem` is 64 bytes and a string of its own) they
/// took most of the import's gigabyte of memory; here an item is 32 bytes, numbers and names
/// live in shared buffers, and nothing is allocated per row.
#[derive(Debug, Clone, Default)]
pub struct MatchInputs {
    items: Vec<Item>,
    /// Each item's customer, until `build` turns it into the customer's position.
    item_customers: Vec<CustomerId>,
    numbers: Strings,
    currencies: Vec<Currency>,
    /// (customer, place of its texts in `references` and `names`).
    customers: Vec<(CustomerId, u32)>,
    references: Strings,
    /// Normalised (`normalise_name`) as they are added.
    names: Strings,
    accounts: Vec<(CustomerId, String)>,
    /// Scratch space for normalising names.
    word: String,
    name: String,
}

impl MatchInputs {
    pub fn with_capacity(items: usize, customers: usize) -> MatchInputs {
        MatchInputs {
            items: Vec::with_capacity(items),
            item_customers: Vec::with_capacity(items),
            numbers: Strings::with_capacity(items, items * 12),
            customers: Vec::with_capacity(customers),
            references: Strings::with_capacity(customers, customers * 8),
            names: Strings::with_capacity(customers, customers * 32),
            ..MatchInputs::default()
        }
    }

    pub fn add_item(
        &mut self,
        invoice: InvoiceId,
        customer: CustomerId,
        number: &str,
        due_on: Date,
        outstanding: Money,
    ) {
        let currency = match self
            .currencies
            .iter()
            .position(|&known| known == outstanding.currency())
        {
            Some(at) => at,
            None => {
                self.currencies.push(outstanding.currency());
                self.currencies.len() - 1
            }
        };
        self.items.push(Item {
            invoice,
            outstanding_minor: outstanding.minor(),
            customer: 0,
            number: self.numbers.push(number),
            due_on,
            currency: u8::try_from(currency).expect("fewer than 256 currencies"),
        });
        self.item_customers.push(customer);
    }

    pub fn add_customer(&mut self, id: CustomerId, reference: &str, name: &str) {
        let texts = self.references.push(reference);
        let normalised = &mut self.name;
        normalised.clear();
        normalised_words(name, &mut self.word, |word| {
            if !normalised.is_empty() {
                normalised.push(' ');
            }
            normalised.push_str(word);
        });
        self.names.push(normalised);
        self.customers.push((id, texts));
    }

    /// An account that an earlier attributed payment of this customer came from.
    pub fn add_account(&mut self, customer: CustomerId, account: &str) {
        self.accounts.push((customer, account.to_owned()));
    }

    /// Indexes what was gathered: the items on one thread, the customers on another (they
    /// share nothing, and at ten million invoices each takes about a second).
    pub fn build(mut self) -> MatchIndex {
        // A customer known only from its items (a caller that gave no customers) is matched
        // by its invoices' numbers and amounts, without a reference or a name.
        self.customers.sort_unstable();
        let mut missing: Vec<CustomerId> = Vec::new();
        for &customer in &self.item_customers {
            if missing.last() != Some(&customer)
                && self
                    .customers
                    .binary_search_by_key(&customer, |&(id, _)| id)
                    .is_err()
            {
                missing.push(customer);
            }
        }
        if !missing.is_empty() {
            missing.sort_unstable();
            missing.dedup();
            for customer in missing {
                self.add_customer(customer, "", "");
            }
            self.customers.sort_unstable();
        }
        let customer_ids: Vec<CustomerId> = self.customers.iter().map(|&(id, _)| id).collect();
        let mut last: Option<(CustomerId, u32)> = None;
        for (item, &customer) in self.items.iter_mut().zip(&self.item_customers) {
            item.customer = match last {
                Some((id, position)) if id == customer => position,
                _ => {
                    let position = position_u32(
                        customer_ids
                            .binary_search(&customer)
                            .expect("every item's customer is known"),
                    );
                    last = Some((customer, position));
                    position
                }
            };
        }
        self.item_customers = Vec::new();
        let MatchInputs {
            items,
            numbers,
            currencies,
            customers,
            references,
            names,
            accounts,
            ..
        } = self;
        let (item_indexes, customer_indexes) = std::thread::scope(|scope| {
            let by_customers =
                scope.spawn(|| CustomerIndexes::new(&customers, &references, &names, &accounts));
            let by_items = ItemIndexes::new(items, &numbers, customer_ids.len());
            (
                by_items,
                by_customers
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            )
        });
        MatchIndex {
            items: item_indexes.items,
            numbers,
            currencies,
            customer_ids,
            item_starts: item_indexes.starts,
            customer_texts: customers.iter().map(|&(_, texts)| texts).collect(),
            references,
            names,
            by_number: item_indexes.by_number,
            by_rf: customer_indexes.by_rf,
            by_account: customer_indexes.by_account,
            by_name_token: customer_indexes.by_name_token,
            by_amount: item_indexes.by_amount,
        }
    }
}

/// An open item as the index keeps it: its customer by position, its number and currency by
/// place in the index's shared tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Item {
    invoice: InvoiceId,
    outstanding_minor: i64,
    customer: u32,
    number: u32,
    due_on: Date,
    currency: u8,
}

/// Many short strings in one buffer: the `i`th is `text[ends[i - 1]..ends[i]]`.
#[derive(Debug, Clone, Default)]
struct Strings {
    text: String,
    ends: Vec<u32>,
}

impl Strings {
    fn with_capacity(count: usize, bytes: usize) -> Strings {
        Strings {
            text: String::with_capacity(bytes),
            ends: Vec::with_capacity(count),
        }
    }

    /// Appends `value`; returns its place.
    fn push(&mut self, value: &str) -> u32 {
        self.text.push_str(value);
        self.ends
            .push(u32::try_from(self.text.len()).expect("less than 4 GiB of numbers or names"));
        position_u32(self.ends.len() - 1)
    }

    fn get(&self, place: usize) -> &str {
        let start = match place {
            0 => 0,
            _ => self.ends[place - 1] as usize,
        };
        &self.text[start..self.ends[place] as usize]
    }
}

/// The open items and customers of one creditor, indexed for matching many lines.
///
/// Built for millions of open items at each bank import, so the indexes are sorted vectors of
/// (key hash, position) rather than maps of strings to lists (one or two allocations per key,
/// most of the time it took); a hash found is always checked against the key itself.
#[derive(Debug, Clone)]
pub struct MatchIndex {
    /// By customer, due date, number: each customer's items are one range.
    items: Vec<Item>,
    numbers: Strings,
    currencies: Vec<Currency>,
    /// In ascending order: a customer's position is its place here.
    customer_ids: Vec<CustomerId>,
    /// The items of the customer at position `p` are `items[item_starts[p]..item_starts[p + 1]]`.
    item_starts: Vec<u32>,
    /// The place of each customer's texts in `references` and `names`, by position.
    customer_texts: Vec<u32>,
    references: Strings,
    /// Normalised (`normalise_name`).
    names: Strings,
    /// Item positions by `index_key` of the number.
    by_number: HashedPositions,
    /// Customer positions by RF reference.
    by_rf: HashedPositions,
    by_account: HashMap<String, Vec<usize>>,
    /// Customer positions by word of the normalised name (`name_tokens`).
    by_name_token: HashedPositions,
    /// (low 32 bits of the outstanding amount when indexed, item position), sorted. Amounts
    /// that differ by a multiple of 2^32 minor units share a key: whoever looks up compares
    /// the amounts themselves.
    by_amount: Vec<(u32, u32)>,
}

/// The half of a `MatchIndex` made from the open items.
struct ItemIndexes {
    items: Vec<Item>,
    starts: Vec<u32>,
    by_number: HashedPositions,
    by_amount: Vec<(u32, u32)>,
}

impl ItemIndexes {
    fn new(mut items: Vec<Item>, numbers: &Strings, customer_count: usize) -> ItemIndexes {
        // Unstable, hence without a scratch copy: the key ends with the invoice, so no two
        // items compare equal. The store gives them in this order already.
        items.sort_unstable_by(|a, b| {
            (
                a.customer,
                a.due_on,
                numbers.get(a.number as usize),
                a.invoice,
            )
                .cmp(&(
                    b.customer,
                    b.due_on,
                    numbers.get(b.number as usize),
                    b.invoice,
                ))
        });
        let mut starts = Vec::with_capacity(customer_count + 1);
        let mut by_number = Vec::with_capacity(items.len());
        let mut by_amount = Vec::with_capacity(items.len());
        let (mut compacted, mut key) = (String::new(), String::new());
        for (position, item) in items.iter().enumerate() {
            let at = position_u32(position);
            while starts.len() <= item.customer as usize {
                starts.push(at);
            }
            index_key_into(numbers.get(item.number as usize), &mut compacted, &mut key);
            if !key.is_empty() {
                by_number.push((key_hash(&key), at));
            }
            by_amount.push((amount_key(item.outstanding_minor), at));
        }
        while starts.len() <= customer_count {
            starts.push(position_u32(items.len()));
        }
        by_amount.sort_unstable();
        ItemIndexes {
            items,
            starts,
            by_number: HashedPositions::new(by_number),
            by_amount,
        }
    }
}

/// The key of an amount in `MatchIndex::by_amount`: its low 32 bits.
fn amount_key(minor: i64) -> u32 {
    minor as u32
}

/// The half of a `MatchIndex` made from the customers.
struct CustomerIndexes {
    by_rf: HashedPositions,
    by_account: HashMap<String, Vec<usize>>,
    by_name_token: HashedPositions,
}

impl CustomerIndexes {
    /// `customers` in ascending order of id, each with the place of its texts.
    fn new(
        customers: &[(CustomerId, u32)],
        references: &Strings,
        names: &Strings,
        accounts: &[(CustomerId, String)],
    ) -> CustomerIndexes {
        let mut by_rf = Vec::with_capacity(customers.len());
        let mut by_name_token = Vec::with_capacity(customers.len() * 3);
        for (position, &(_, texts)) in customers.iter().enumerate() {
            let at = position_u32(position);
            let reference = references.get(texts as usize);
            by_rf.push((key_hash(RfReference::for_customer(reference).as_str()), at));
            for token in name_tokens(names.get(texts as usize)) {
                by_name_token.push((key_hash(token), at));
            }
        }
        let mut by_account: HashMap<String, Vec<usize>> = HashMap::default();
        for (customer, account) in accounts {
            let account = compact(account);
            let Ok(position) = customers.binary_search_by_key(customer, |&(id, _)| id) else {
                continue;
            };
            if !account.is_empty() {
                let list = by_account.entry(account).or_default();
                if !list.contains(&position) {
                    list.push(position);
                }
            }
        }
        CustomerIndexes {
            by_rf: HashedPositions::new(by_rf),
            by_account,
            by_name_token: HashedPositions::new(by_name_token),
        }
    }
}

/// (hash of a key, position) pairs, sorted: every position whose key hashes alike, in order.
///
/// A binary search of millions of pairs waits on a cache miss at each of its twenty-odd
/// steps, and a bank line looks up a dozen candidate numbers: that was most of the matching
/// time at ten million invoices. So the pairs come with a directory by the hash's leading bits
/// (hashes are uniform: about two pairs per slot), and a lookup reads one slot and the few
/// pairs it points to. Hashes are 32 bits: two keys in one slot share them once in billions of
/// lookups, and whoever looks up checks the key itself.
#[derive(Debug, Clone)]
struct HashedPositions {
    pairs: Vec<(u32, u32)>,
    /// `starts[s]` is the first pair whose hash's leading `bits` bits are at least `s`.
    starts: Vec<u32>,
    bits: u32,
}

impl HashedPositions {
    fn new(mut pairs: Vec<(u32, u32)>) -> HashedPositions {
        pairs.sort_unstable();
        pairs.dedup();
        // About two pairs per slot, at least one slot.
        let bits = (usize::BITS - (pairs.len() / 2).leading_zeros()).min(31);
        let slots = 1usize << bits;
        let mut starts = Vec::with_capacity(slots + 1);
        let mut at = 0usize;
        for slot in 0..slots as u32 {
            while at < pairs.len() && Self::slot(pairs[at].0, bits) < slot {
                at += 1;
            }
            starts.push(position_u32(at));
        }
        starts.push(position_u32(pairs.len()));
        HashedPositions {
            pairs,
            starts,
            bits,
        }
    }

    fn slot(hash: u32, bits: u32) -> u32 {
        if bits == 0 { 0 } else { hash >> (32 - bits) }
    }

    /// The positions of the keys hashing like `key` (usually `key`'s alone), in order.
    fn get(&self, key: &str) -> impl DoubleEndedIterator<Item = usize> + ExactSizeIterator + '_ {
        let hash = key_hash(key);
        let slot = Self::slot(hash, self.bits) as usize;
        let bucket = &self.pairs[self.starts[slot] as usize..self.starts[slot + 1] as usize];
        equal_range(bucket, |&(h, _)| h.cmp(&hash))
            .iter()
            .map(|&(_, position)| position as usize)
    }
}

/// The run of `sorted` whose elements compare equal (`compare` says how each compares with
/// the key sought).
fn equal_range<T>(sorted: &[T], compare: impl Fn(&T) -> std::cmp::Ordering) -> &[T] {
    let start = sorted.partition_point(|element| compare(element).is_lt());
    let end = start + sorted[start..].partition_point(|element| compare(element).is_eq());
    &sorted[start..end]
}

fn key_hash(key: &str) -> u32 {
    // The low half of a 64-bit hash: as uniform, and half the memory of millions of pairs.
    xxhash_rust::xxh3::xxh3_64(key.as_bytes()) as u32
}

fn position_u32(position: usize) -> u32 {
    u32::try_from(position).expect("fewer than four billion open items and customers")
}

impl MatchIndex {
    /// The index of these items and customers (`MatchInputs` gathers them without the
    /// per-row allocations of these types).
    pub fn new(items: Vec<OpenItem>, customers: Vec<KnownCustomer>) -> MatchIndex {
        let mut inputs = MatchInputs::with_capacity(items.len(), customers.len());
        for item in &items {
            inputs.add_item(
                item.invoice,
                item.customer,
                &item.number,
                item.due_on,
                item.outstanding,
            );
        }
        for customer in &customers {
            inputs.add_customer(customer.id, &customer.reference, &customer.name);
            for account in &customer.accounts {
                inputs.add_account(customer.id, account);
            }
        }
        inputs.build()
    }

    fn normalised_name(&self, position: usize) -> &str {
        self.names.get(self.customer_texts[position] as usize)
    }

    fn customer_position(&self, id: CustomerId) -> Option<usize> {
        self.customer_ids.binary_search(&id).ok()
    }

    fn outstanding(&self, position: usize) -> Money {
        let item = &self.items[position];
        Money::from_minor(
            item.outstanding_minor,
            self.currencies[item.currency as usize],
        )
    }

    fn item_customer(&self, position: usize) -> CustomerId {
        self.customer_ids[self.items[position].customer as usize]
    }

    fn number(&self, position: usize) -> &str {
        self.numbers.get(self.items[position].number as usize)
    }

    /// The item at `position`, as the allocation functions take it.
    fn open_item(&self, position: usize) -> OpenItem {
        let item = &self.items[position];
        OpenItem {
            invoice: item.invoice,
            customer: self.item_customer(position),
            number: self.number(position).to_owned(),
            due_on: item.due_on,
            outstanding: self.outstanding(position),
        }
    }

    /// The positions of the items of the customer at `position`.
    fn item_range(&self, position: usize) -> std::ops::Range<usize> {
        self.item_starts[position] as usize..self.item_starts[position + 1] as usize
    }

    /// The open items that were of exactly this amount when indexed (paid off since
    /// included), with a few of other currencies or far larger amounts: the caller compares.
    fn same_amount(&self, amount: Money) -> impl ExactSizeIterator<Item = usize> + '_ {
        let key = amount_key(amount.minor());
        equal_range(&self.by_amount, |&(a, _)| a.cmp(&key))
            .iter()
            .map(|&(_, position)| position as usize)
    }

    /// Takes an applied proposal's allocations off its invoices, so that the next lines see
    /// what each still owes (an invoice paid off is no candidate any more).
    pub fn record_applied(&mut self, proposal: &Proposal) {
        let Some(customer) = proposal
            .customer
            .and_then(|customer| self.customer_position(customer))
        else {
            return;
        };
        // The invoices are the customer's: looked for among its items, not in a map of every
        // invoice (tens of megabytes at ten million invoices, for a few lookups a line).
        let range = self.item_range(customer);
        let items = &mut self.items[range];
        for (invoice, amount) in &proposal.allocations {
            if let Some(item) = items.iter_mut().find(|item| item.invoice == *invoice) {
                item.outstanding_minor = (item.outstanding_minor - amount.minor()).max(0);
            }
        }
    }

    pub fn item_count(&self) -> usize {
        self.items.len()
    }

    /// The customer's open items in the payment's currency: a payment in one currency never
    /// pays an invoice in another (that takes a conversion, a person's decision).
    fn items_of(&self, customer: CustomerId, currency: Currency) -> Vec<OpenItem> {
        let Some(position) = self.customer_position(customer) else {
            return Vec::new();
        };
        self.item_range(position)
            .filter(|&item| {
                let outstanding = self.outstanding(item);
                outstanding.is_positive() && outstanding.currency() == currency
            })
            .map(|item| self.open_item(item))
            .collect()
    }

    /// The customer whose RF reference the line carries (reference field or free text).
    fn customer_by_reference(&self, line: &CreditLine<'_>) -> Option<(CustomerId, String)> {
        let mut texts: Vec<&str> = Vec::new();
        if let Some(reference) = line.creditor_reference {
            texts.push(reference);
        }
        texts.push(line.remittance);
        for text in texts {
            for candidate in rf_candidates(text) {
                // The last customer whose reference gives it, as a map built in order would.
                let found = self.by_rf.get(&candidate).rev().find(|&position| {
                    RfReference::for_customer(
                        self.references.get(self.customer_texts[position] as usize),
                    )
                    .as_str()
                        == candidate
                });
                if let Some(position) = found {
                    return Some((self.customer_ids[position], candidate));
                }
            }
        }
        None
    }

    /// Open items whose numbers appear in the line's texts, with whether OCR-like corrections
    /// were needed to find them.
    fn items_by_number(&self, line: &CreditLine<'_>) -> (Vec<usize>, bool) {
        let mut found: Vec<usize> = Vec::new();
        let mut corrected = false;
        let mut texts = vec![line.remittance];
        if let Some(reference) = line.creditor_reference {
            texts.push(reference);
        }
        for text in texts {
            for (key, needed_correction) in number_candidates(text) {
                for position in self.by_number.get(&key) {
                    let outstanding = self.outstanding(position);
                    if index_key(self.number(position)) == key
                        && outstanding.is_positive()
                        && outstanding.currency() == line.amount.currency()
                        && !found.contains(&position)
                    {
                        found.push(position);
                        corrected |= needed_correction;
                    }
                }
            }
        }
        found.sort_unstable();
        (found, corrected)
    }

    fn customer_by_account(&self, line: &CreditLine<'_>) -> Option<CustomerId> {
        let account = compact(line.counterparty_account?);
        match self.by_account.get(&account)?.as_slice() {
            [only] => Some(self.customer_ids[*only]),
            _ => None,
        }
    }

    /// The customer whose name is clearly the closest to the payer's (`payer` normalised), with
    /// the similarity in percent: 100 only when the names are the same once normalised, and
    /// no other customer's is.
    fn customer_by_name(&self, payer: &str) -> Option<(CustomerId, u8)> {
        let mut candidates: Vec<usize> = Vec::new();
        for token in name_tokens(payer) {
            let positions = self.by_name_token.get(token);
            // A token shared by very many customers says little and costs much.
            if positions.len() <= 200 {
                candidates.extend(positions);
            }
        }
        candidates.sort_unstable();
        candidates.dedup();
        let mut scored: Vec<(f64, usize)> = candidates
            .into_iter()
            .map(|position| {
                (
                    strsim::jaro_winkler(payer, self.normalised_name(position)),
                    position,
                )
            })
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let (best, position) = *scored.first()?;
        let runner_up = scored.get(1).map_or(0.0, |s| s.0);
        (best >= NAME_AGREES && best - runner_up >= NAME_LEAD)
            .then(|| (self.customer_ids[position], percent(best)))
    }

    /// Among the customers owing an invoice of exactly the line's amount, the one whose name
    /// agrees with the payer's (`payer` normalised) when no other of them does, with the
    /// similarity in percent. The amount narrows the names to compare to a handful, so that a
    /// name shared with customers who owe nothing like it still tells.
    fn customer_by_name_and_amount(
        &self,
        payer: &str,
        line: &CreditLine<'_>,
    ) -> Option<(CustomerId, u8)> {
        let positions = self.same_amount(line.amount);
        if positions.len() > NAMES_BY_AMOUNT_MAX {
            return None;
        }
        let mut owing: Vec<CustomerId> = positions
            .filter(|&position| self.outstanding(position) == line.amount)
            .map(|position| self.item_customer(position))
            .collect();
        owing.sort_unstable();
        owing.dedup();
        let mut agreeing = owing
            .into_iter()
            .filter_map(|customer| Some((customer, self.name_agreement(Some(payer), customer)?)));
        match (agreeing.next(), agreeing.next()) {
            (Some(only), None) => Some(only),
            _ => None,
        }
    }

    /// How closely the payer's name (`payer` normalised) agrees with this customer's, in
    /// percent, when it does. A second opinion on a customer something else named: it need
    /// not stand clear of the other customers' names, only agree with this one.
    fn name_agreement(&self, payer: Option<&str>, customer: CustomerId) -> Option<u8> {
        let position = self.customer_position(customer)?;
        let similarity = strsim::jaro_winkler(payer?, self.normalised_name(position));
        (similarity >= NAME_AGREES).then(|| percent(similarity))
    }

    /// Matches one credit line.
    pub fn match_line(&self, line: &CreditLine<'_>, settings: &MatchSettings) -> Proposal {
        let mut evidence = Vec::new();
        let by_reference = self.customer_by_reference(line);
        let (numbered, corrected) = self.items_by_number(line);
        let by_account = self.customer_by_account(line);
        let payer = line.counterparty_name.map(normalise_name);
        let payer = payer.as_deref().filter(|name| !name.is_empty());
        let numbered_customers: Vec<CustomerId> = {
            let mut list: Vec<CustomerId> =
                numbered.iter().map(|&p| self.item_customer(p)).collect();
            list.dedup();
            list.sort_unstable();
            list.dedup();
            list
        };
        let corroborated = |customer: CustomerId, evidence: &mut Vec<Evidence>| -> bool {
            let mut yes = false;
            if by_account == Some(customer) {
                evidence.push(Evidence::KnownAccount);
                yes = true;
            }
            if let Some(similarity) = self.name_agreement(payer, customer) {
                evidence.push(Evidence::Name { similarity });
                yes = true;
            }
            yes
        };

        if let Some((customer, rf)) = by_reference {
            evidence.push(Evidence::Reference { reference: rf });
            let corroborated = corroborated(customer, &mut evidence);
            if numbered_customers.iter().any(|&other| other != customer) {
                evidence.push(Evidence::Conflict);
                return self.proposal_on_customer(line, settings, customer, 40, evidence);
            }
            if !numbered.is_empty() {
                let items: Vec<OpenItem> = numbered.iter().map(|&p| self.open_item(p)).collect();
                evidence.push(Evidence::InvoiceNumbers {
                    numbers: items.iter().map(|item| item.number.clone()).collect(),
                    corrected,
                });
                return self.proposal_on_items(line, settings, customer, &items, 99, 95, evidence);
            }
            let base = if corroborated { 98 } else { 97 };
            return self.proposal_on_customer(line, settings, customer, base, evidence);
        }

        if let [customer] = numbered_customers.as_slice() {
            let customer = *customer;
            let items: Vec<OpenItem> = numbered.iter().map(|&p| self.open_item(p)).collect();
            evidence.push(Evidence::InvoiceNumbers {
                numbers: items.iter().map(|item| item.number.clone()).collect(),
                corrected,
            });
            let corroborated = corroborated(customer, &mut evidence);
            let penalty = if corrected { 3 } else { 0 };
            let (exact, partial) = if corroborated { (98, 92) } else { (96, 75) };
            return self.proposal_on_items(
                line,
                settings,
                customer,
                &items,
                exact - penalty,
                partial - penalty,
                evidence,
            );
        }
        if numbered_customers.len() > 1 {
            evidence.push(Evidence::SeveralCustomers {
                count: numbered_customers.len(),
            });
            let suggestion = by_account
                .filter(|c| numbered_customers.contains(c))
                .or_else(|| {
                    let mut agreeing = numbered_customers
                        .iter()
                        .filter(|&&c| self.name_agreement(payer, c).is_some());
                    match (agreeing.next(), agreeing.next()) {
                        (Some(&only), None) => Some(only),
                        _ => None,
                    }
                });
            if let Some(customer) = suggestion {
                corroborated(customer, &mut evidence);
                let items: Vec<OpenItem> = numbered
                    .iter()
                    .filter(|&&p| self.item_customer(p) == customer)
                    .map(|&p| self.open_item(p))
                    .collect();
                return self.proposal_on_items(line, settings, customer, &items, 60, 50, evidence);
            }
            return Proposal::nothing(line.amount, 10, evidence);
        }

        if let Some(customer) = by_account {
            evidence.push(Evidence::KnownAccount);
            if let Some(similarity) = self.name_agreement(payer, customer) {
                evidence.push(Evidence::Name { similarity });
            }
            return self.proposal_by_amount(line, settings, customer, 92, 80, evidence);
        }
        if let Some(payer) = payer {
            if let Some((customer, similarity)) = self.customer_by_name_and_amount(payer, line) {
                evidence.push(Evidence::Name { similarity });
                // The payer's name is exactly the customer's, and no other customer owing
                // this amount has a name like it: two facts that agree, not one.
                let exact = if similarity == 100 { 90 } else { 85 };
                return self.proposal_by_amount(line, settings, customer, exact, 60, evidence);
            }
            if let Some((customer, similarity)) = self.customer_by_name(payer) {
                evidence.push(Evidence::Name { similarity });
                return self.proposal_by_amount(line, settings, customer, 85, 60, evidence);
            }
        }

        // The amount alone: a suggestion at most.
        let same_amount: Vec<usize> = self
            .same_amount(line.amount)
            .filter(|&p| self.outstanding(p) == line.amount)
            .collect();
        match same_amount.as_slice() {
            [only] => {
                let item = self.open_item(*only);
                evidence.push(Evidence::AmountOnly { candidates: 1 });
                let mut proposal = self.proposal_on_items(
                    line,
                    settings,
                    item.customer,
                    std::slice::from_ref(&item),
                    40,
                    30,
                    evidence,
                );
                proposal.confidence = proposal.confidence.min(40);
                proposal.apply = false;
                proposal
            }
            [] => {
                evidence.push(Evidence::NothingFound);
                Proposal::nothing(line.amount, 0, evidence)
            }
            several => {
                evidence.push(Evidence::AmountOnly {
                    candidates: several.len(),
                });
                Proposal::nothing(line.amount, 10, evidence)
            }
        }
    }

    /// The customer is known: which of its invoices the amount pays.
    fn proposal_on_customer(
        &self,
        line: &CreditLine<'_>,
        settings: &MatchSettings,
        customer: CustomerId,
        base: u8,
        evidence: Vec<Evidence>,
    ) -> Proposal {
        self.proposal_by_amount(line, settings, customer, base, base.min(92), evidence)
    }

    /// The customer is known with the confidence `exact` when the amount pays a set of its
    /// invoices, `otherwise` when it does not (a partial payment, an overpayment: oldest first).
    fn proposal_by_amount(
        &self,
        line: &CreditLine<'_>,
        settings: &MatchSettings,
        customer: CustomerId,
        exact: u8,
        otherwise: u8,
        mut evidence: Vec<Evidence>,
    ) -> Proposal {
        let owned = self.items_of(customer, line.amount.currency());
        let items: Vec<&OpenItem> = owned.iter().collect();
        if items.is_empty() {
            // Money from a customer who owes nothing (in this currency): a person decides
            // whether it is a prepayment, a mistake or someone else's payment.
            evidence.push(Evidence::NothingOpen);
            return Proposal::finish(
                Some(customer),
                Vec::new(),
                line.amount,
                otherwise.min(exact).min(AMBIGUOUS_SET_CONFIDENCE),
                evidence,
                settings,
            );
        }
        let (found, complete) = subset_search(&items, line.amount, settings);
        if let Some(found) = found {
            let chosen = found.items;
            let difference = chosen
                .iter()
                .map(|item| item.outstanding.minor())
                .sum::<i64>()
                - line.amount.minor();
            evidence.push(if chosen.len() == 1 {
                Evidence::AmountOfOne
            } else {
                Evidence::AmountOfSeveral {
                    count: chosen.len(),
                }
            });
            let mut confidence = exact;
            if difference != 0 {
                evidence.push(Evidence::NearAmount {
                    difference: Money::from_minor(difference, line.amount.currency()),
                });
                confidence = confidence.saturating_sub(2);
            }
            if !found.unique {
                // The customer is known but not which of its invoices: a person chooses.
                evidence.push(Evidence::SeveralSets);
                confidence = confidence.min(AMBIGUOUS_SET_CONFIDENCE);
            }
            let (allocations, left) = oldest_first(&chosen, line.amount);
            return Proposal::finish(
                Some(customer),
                allocations,
                left,
                confidence,
                evidence,
                settings,
            );
        }
        let (allocations, left) = oldest_first(&items, line.amount);
        if left.is_positive() {
            evidence.push(Evidence::Overpayment { credit: left });
        } else {
            evidence.push(Evidence::PartialOldestFirst);
        }
        let mut confidence = otherwise;
        if !complete {
            // Some set of its invoices may give the amount: the search did not see them all.
            evidence.push(Evidence::NotAllSearched { open: items.len() });
            confidence = confidence.min(AMBIGUOUS_SET_CONFIDENCE);
        }
        Proposal::finish(
            Some(customer),
            allocations,
            left,
            confidence,
            evidence,
            settings,
        )
    }

    /// The payer named these invoices of `customer`.
    #[allow(clippy::too_many_arguments)]
    fn proposal_on_items(
        &self,
        line: &CreditLine<'_>,
        settings: &MatchSettings,
        customer: CustomerId,
        items: &[OpenItem],
        exact: u8,
        otherwise: u8,
        mut evidence: Vec<Evidence>,
    ) -> Proposal {
        let items: Vec<&OpenItem> = items.iter().collect();
        let total: i64 = items.iter().map(|item| item.outstanding.minor()).sum();
        let difference = total - line.amount.minor();
        let (allocations, left) = oldest_first(&items, line.amount);
        let confidence = if difference == 0 {
            evidence.push(Evidence::AmountAgrees);
            exact
        } else if difference.abs() <= settings.amount_tolerance_minor {
            evidence.push(Evidence::NearAmount {
                difference: Money::from_minor(difference, line.amount.currency()),
            });
            exact.saturating_sub(2)
        } else if difference > 0 {
            evidence.push(Evidence::PartialOldestFirst);
            otherwise
        } else {
            evidence.push(Evidence::Overpayment { credit: left });
            otherwise
        };
        Proposal::finish(
            Some(customer),
            allocations,
            left,
            confidence,
            evidence,
            settings,
        )
    }
}

/// What the matcher proposes for one credit line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposal {
    pub customer: Option<CustomerId>,
    /// Oldest due first.
    pub allocations: Vec<(InvoiceId, Money)>,
    /// What the allocations leave of the payment: the customer's credit balance once applied.
    pub unallocated: Money,
    /// 0 to 100.
    pub confidence: u8,
    pub evidence: Vec<Evidence>,
    /// The confidence reaches the creditor's threshold and there is a customer.
    pub apply: bool,
}

impl Proposal {
    fn nothing(amount: Money, confidence: u8, evidence: Vec<Evidence>) -> Proposal {
        Proposal {
            customer: None,
            allocations: Vec::new(),
            unallocated: amount,
            confidence,
            evidence,
            apply: false,
        }
    }

    fn finish(
        customer: Option<CustomerId>,
        allocations: Vec<(InvoiceId, Money)>,
        unallocated: Money,
        confidence: u8,
        evidence: Vec<Evidence>,
        settings: &MatchSettings,
    ) -> Proposal {
        Proposal {
            apply: customer.is_some() && confidence >= settings.auto_apply_threshold,
            customer,
            allocations,
            unallocated,
            confidence,
            evidence,
        }
    }

    /// The evidence in words, one sentence.
    pub fn explanation(&self, language: Language) -> String {
        let parts: Vec<String> = self
            .evidence
            .iter()
            .map(|evidence| evidence.describe(language))
            .collect();
        let mut text = parts.join("; ");
        match language {
            Language::French => text.push_str(&format!(" (confiance {} %)", self.confidence)),
            Language::English => text.push_str(&format!(" (confidence {}%)", self.confidence)),
        }
        text
    }
}

/// One piece of evidence behind a proposal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Evidence {
    /// The customer's RF reference.
    Reference {
        reference: String,
    },
    /// Invoice numbers found in the text (`corrected`: only after OCR-like corrections).
    InvoiceNumbers {
        numbers: Vec<String>,
        corrected: bool,
    },
    /// The payer's account paid this customer before.
    KnownAccount,
    /// The payer's name resembles the customer's.
    Name {
        similarity: u8,
    },
    /// The amount is what the named invoices owe.
    AmountAgrees,
    /// The amount is the outstanding of one of the customer's invoices.
    AmountOfOne,
    /// The amount is the outstanding of several of the customer's invoices together.
    AmountOfSeveral {
        count: usize,
    },
    /// The amount differs by this much (positive: paid less) from what it pays.
    NearAmount {
        difference: Money,
    },
    /// Several sets of the customer's invoices add up to the amount.
    SeveralSets,
    /// The customer has too many open invoices for every set to be tried.
    NotAllSearched {
        open: usize,
    },
    /// The payment covers less than what it names: oldest due first.
    PartialOldestFirst,
    /// The payment exceeds what it pays: the rest is the customer's credit.
    Overpayment {
        credit: Money,
    },
    /// The reference and the invoice numbers point to different customers.
    Conflict,
    /// The invoice numbers belong to several customers.
    SeveralCustomers {
        count: usize,
    },
    /// Only the amount matched, with so many open invoices of that amount.
    AmountOnly {
        candidates: usize,
    },
    /// The customer owes nothing.
    NothingOpen,
    NothingFound,
}

impl Evidence {
    pub fn describe(&self, language: Language) -> String {
        let fr = language == Language::French;
        match self {
            Evidence::Reference { reference } => {
                if fr {
                    format!("référence structurée du client {reference}")
                } else {
                    format!("the customer's structured reference {reference}")
                }
            }
            Evidence::InvoiceNumbers { numbers, corrected } => {
                let list = numbers.join(", ");
                match (fr, corrected) {
                    (true, false) => format!("facture(s) {list} citée(s) dans le libellé"),
                    (true, true) => {
                        format!("facture(s) {list} lue(s) dans le libellé (caractères corrigés)")
                    }
                    (false, false) => format!("invoice(s) {list} named in the text"),
                    (false, true) => {
                        format!("invoice(s) {list} read in the text (characters corrected)")
                    }
                }
            }
            Evidence::KnownAccount => if fr {
                "compte payeur déjà connu pour ce client"
            } else {
                "payer's account already known for this customer"
            }
            .to_owned(),
            Evidence::Name { similarity } => {
                if fr {
                    format!("nom du payeur proche de celui du client ({similarity} %)")
                } else {
                    format!("payer's name close to the customer's ({similarity}%)")
                }
            }
            Evidence::AmountAgrees => if fr {
                "montant égal au reste dû"
            } else {
                "amount equal to what is owed"
            }
            .to_owned(),
            Evidence::AmountOfOne => if fr {
                "montant égal au reste dû d'une facture"
            } else {
                "amount equal to one invoice's outstanding"
            }
            .to_owned(),
            Evidence::AmountOfSeveral { count } => {
                if fr {
                    format!("montant égal au reste dû de {count} factures")
                } else {
                    format!("amount equal to the outstanding of {count} invoices")
                }
            }
            Evidence::NearAmount { difference } => {
                let shown = Money::from_minor(difference.minor().abs(), difference.currency())
                    .to_decimal_string();
                let currency = difference.currency();
                let code = currency.code();
                match (fr, difference.is_positive()) {
                    (true, true) => format!("écart de {shown} {code} en moins (frais bancaires ?)"),
                    (true, false) => format!("écart de {shown} {code} en plus (arrondi ?)"),
                    (false, true) => format!("{shown} {code} short (bank fees?)"),
                    (false, false) => format!("{shown} {code} over (rounding?)"),
                }
            }
            Evidence::SeveralSets => if fr {
                "plusieurs combinaisons de factures donnent ce montant"
            } else {
                "several sets of invoices add up to this amount"
            }
            .to_owned(),
            Evidence::NotAllSearched { open } => {
                if fr {
                    format!(
                        "{open} factures ouvertes : toutes les combinaisons n'ont pas été essayées"
                    )
                } else {
                    format!("{open} open invoices: not every combination was tried")
                }
            }
            Evidence::PartialOldestFirst => if fr {
                "paiement partiel, imputé aux plus anciennes échéances"
            } else {
                "partial payment, applied to the oldest due first"
            }
            .to_owned(),
            Evidence::Overpayment { credit } => {
                if fr {
                    format!(
                        "trop-perçu de {} {} gardé en avoir du client",
                        credit.to_decimal_string(),
                        credit.currency().code()
                    )
                } else {
                    format!(
                        "overpayment of {} {} kept as the customer's credit",
                        credit.to_decimal_string(),
                        credit.currency().code()
                    )
                }
            }
            Evidence::Conflict => if fr {
                "la référence et les numéros de facture désignent des clients différents"
            } else {
                "the reference and the invoice numbers point to different customers"
            }
            .to_owned(),
            Evidence::SeveralCustomers { count } => {
                if fr {
                    format!("numéros de facture de {count} clients différents")
                } else {
                    format!("invoice numbers of {count} different customers")
                }
            }
            Evidence::AmountOnly { candidates } => {
                if fr {
                    format!("seul le montant correspond ({candidates} facture(s) de ce montant)")
                } else {
                    format!("only the amount matches ({candidates} invoice(s) of that amount)")
                }
            }
            Evidence::NothingOpen => if fr {
                "le client ne doit plus rien"
            } else {
                "the customer owes nothing"
            }
            .to_owned(),
            Evidence::NothingFound => if fr {
                "ni référence, ni facture, ni client reconnu"
            } else {
                "no reference, invoice or customer recognised"
            }
            .to_owned(),
        }
    }
}

/// Allocates `amount` over `items` in their order (oldest due first); returns the allocations
/// and what is left of the amount.
pub fn oldest_first(items: &[&OpenItem], amount: Money) -> (Vec<(InvoiceId, Money)>, Money) {
    let mut left = amount.minor();
    let mut allocations = Vec::new();
    let mut ordered: Vec<&&OpenItem> = items.iter().collect();
    ordered.sort_by(|a, b| (a.due_on, &a.number).cmp(&(b.due_on, &b.number)));
    for item in ordered {
        if left <= 0 {
            break;
        }
        let take = left.min(item.outstanding.minor());
        if take > 0 {
            allocations.push((item.invoice, Money::from_minor(take, amount.currency())));
            left -= take;
        }
    }
    (allocations, Money::from_minor(left, amount.currency()))
}

/// A set of a customer's invoices that a payment's amount pays.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubsetMatch<'a> {
    pub items: Vec<&'a OpenItem>,
    /// No other set of the same size, nor one invoice more, gives the amount: the amount alone
    /// says which invoices are paid.
    pub unique: bool,
}

/// The invoices of one customer whose outstanding amounts add up to `amount` (exactly, or
/// within the tolerance), searched among its oldest `max_subset_items` within
/// `max_subset_steps` combinations: the smallest set, exact before near; `None` when no set
/// fits or the search ran out of steps before finding one.
pub fn subset_paying<'a>(
    items: &[&'a OpenItem],
    amount: Money,
    settings: &MatchSettings,
) -> Option<SubsetMatch<'a>> {
    subset_search(items, amount, settings).0
}

/// `subset_paying`, and whether the search covered every set (no invoice left out of the
/// window, no step budget run out): only then does "no set found" mean there is none.
pub fn subset_search<'a>(
    items: &[&'a OpenItem],
    amount: Money,
    settings: &MatchSettings,
) -> (Option<SubsetMatch<'a>>, bool) {
    let target = amount.minor();
    let tolerance = settings.amount_tolerance_minor.max(0);
    let same_currency: Vec<&OpenItem> = items
        .iter()
        .copied()
        .filter(|item| item.outstanding.currency() == amount.currency())
        .collect();
    // Beyond the window, sets of several invoices are not searched: one found inside it may
    // not be the only one, so it is never called unique.
    let truncated = same_currency.len() > settings.max_subset_items;
    let usable: Vec<&OpenItem> = same_currency
        .iter()
        .copied()
        .take(settings.max_subset_items)
        .collect();
    let mut steps = 0u32;
    // One invoice of exactly the amount, among all of the customer's (a lookup, not a search).
    let equal: Vec<&OpenItem> = same_currency
        .iter()
        .copied()
        .filter(|item| item.outstanding.minor() == target)
        .collect();
    if let Some(first) = equal.first() {
        let unique = equal.len() == 1
            && !truncated
            && count_sets(&usable, 2, target, 0, &mut steps, settings) == 0
            && steps < settings.max_subset_steps;
        return (
            Some(SubsetMatch {
                items: vec![*first],
                unique,
            }),
            !truncated,
        );
    }
    let mut near: Option<(usize, Vec<usize>)> = None;
    // Sets of growing size, so that the smallest exact set wins; a near set only when no exact
    // one exists within the bounds.
    for size in 1..=usable.len() {
        let mut best: Option<(i64, Vec<usize>)> = None;
        let mut chosen = Vec::with_capacity(size);
        search(
            &usable,
            0,
            size,
            0,
            target,
            tolerance,
            &mut chosen,
            &mut best,
            &mut steps,
            settings.max_subset_steps,
        );
        match best {
            Some((0, set)) => {
                let unique = !truncated
                    && count_sets(&usable, size, target, 0, &mut steps, settings) == 1
                    && count_sets(&usable, size + 1, target, 0, &mut steps, settings) == 0
                    && steps < settings.max_subset_steps;
                return (
                    Some(SubsetMatch {
                        items: set.iter().map(|&i| usable[i]).collect(),
                        unique,
                    }),
                    !truncated,
                );
            }
            Some((_, set)) if near.is_none() => near = Some((size, set)),
            _ => {}
        }
        if steps >= settings.max_subset_steps {
            break;
        }
    }
    let complete = !truncated && steps < settings.max_subset_steps;
    let Some((size, set)) = near else {
        return (None, complete);
    };
    let unique = !truncated
        && count_sets(&usable, size, target, tolerance, &mut steps, settings) == 1
        && steps < settings.max_subset_steps;
    (
        Some(SubsetMatch {
            items: set.iter().map(|&i| usable[i]).collect(),
            unique,
        }),
        complete,
    )
}

/// How many sets of `size` items sum to `target` within `tolerance`: 0, 1 or 2 (two or more).
fn count_sets(
    items: &[&OpenItem],
    size: usize,
    target: i64,
    tolerance: i64,
    steps: &mut u32,
    settings: &MatchSettings,
) -> u32 {
    #[allow(clippy::too_many_arguments)]
    fn walk(
        items: &[&OpenItem],
        start: usize,
        left: usize,
        sum: i64,
        target: i64,
        tolerance: i64,
        found: &mut u32,
        steps: &mut u32,
        max_steps: u32,
    ) {
        if *found >= 2 || *steps >= max_steps {
            return;
        }
        *steps += 1;
        if left == 0 {
            if (sum - target).abs() <= tolerance {
                *found += 1;
            }
            return;
        }
        for index in start..items.len() {
            let next = sum + items[index].outstanding.minor();
            if next > target + tolerance {
                continue;
            }
            walk(
                items,
                index + 1,
                left - 1,
                next,
                target,
                tolerance,
                found,
                steps,
                max_steps,
            );
            if *found >= 2 || *steps >= max_steps {
                return;
            }
        }
    }
    if size == 0 || size > items.len() {
        return 0;
    }
    let mut found = 0;
    walk(
        items,
        0,
        size,
        0,
        target,
        tolerance,
        &mut found,
        steps,
        settings.max_subset_steps,
    );
    found
}

#[allow(clippy::too_many_arguments)]
fn search(
    items: &[&OpenItem],
    start: usize,
    size: usize,
    sum: i64,
    target: i64,
    tolerance: i64,
    chosen: &mut Vec<usize>,
    best: &mut Option<(i64, Vec<usize>)>,
    steps: &mut u32,
    max_steps: u32,
) {
    if *steps >= max_steps {
        return;
    }
    *steps += 1;
    if chosen.len() == size {
        let difference = (sum - target).abs();
        if difference <= tolerance && best.as_ref().is_none_or(|(d, _)| difference < *d) {
            *best = Some((difference, chosen.clone()));
        }
        return;
    }
    if best.as_ref().is_some_and(|(d, _)| *d == 0) {
        return;
    }
    for index in start..items.len() {
        let next = sum + items[index].outstanding.minor();
        // Amounts are positive: past the target (beyond tolerance), larger sets only grow.
        if next > target + tolerance {
            continue;
        }
        chosen.push(index);
        search(
            items,
            index + 1,
            size,
            next,
            target,
            tolerance,
            chosen,
            best,
            steps,
            max_steps,
        );
        chosen.pop();
        if *steps >= max_steps {
            return;
        }
    }
}

/// The canonical form of an invoice number: upper-cased, letters that OCR confuses with digits
/// read as digits (O→0, I and L→1) inside figures, every character other than letters and
/// digits dropped, the leading letters (a prefix such as `F`, `FA`, `FACT`, `INV`) dropped,
/// and leading zeros dropped. `F2026-0131`, `f 2026 0131`, `2026/O131` all give `20260131`.
pub fn canonical_number(number: &str) -> String {
    let mut compacted = String::new();
    compact_number(number, &mut compacted);
    canonical_compact(&compacted).0
}

/// `number`'s letters and digits, upper-cased, into `out`.
fn compact_number(number: &str, out: &mut String) {
    out.clear();
    out.extend(
        number
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .map(|c| c.to_ascii_uppercase()),
    );
}

/// The canonical form of letters and digits already compacted and upper-cased, and whether a
/// letter had to be read as a digit.
fn canonical_compact(compacted: &str) -> (String, bool) {
    let mut out = String::with_capacity(compacted.len());
    let corrected = canonical_compact_into(compacted, &mut out);
    (out, corrected)
}

/// `canonical_compact` into `out`, whose allocation is reused: the index computes the form
/// of millions of numbers.
fn canonical_compact_into(compacted: &str, out: &mut String) -> bool {
    out.clear();
    let bytes = compacted.as_bytes();
    // The prefix: leading letters that are not OCR look-alikes followed by a digit.
    let mut start = 0;
    while start < bytes.len() && bytes[start].is_ascii_alphabetic() {
        let lookalike = matches!(bytes[start], b'O' | b'I' | b'L');
        let next_is_figure = bytes
            .get(start + 1)
            .is_some_and(|b| b.is_ascii_digit() || matches!(b, b'O' | b'I' | b'L'));
        if lookalike && next_is_figure && has_digit_before_letter(&bytes[start..]) {
            break;
        }
        start += 1;
    }
    let mut corrected = false;
    for &b in &bytes[start..] {
        let c = match b {
            b'O' => {
                corrected = true;
                '0'
            }
            b'I' | b'L' => {
                corrected = true;
                '1'
            }
            other => other as char,
        };
        // Leading zeros (those read from an O too) are dropped.
        if !(out.is_empty() && c == '0') {
            out.push(c);
        }
    }
    if !out.bytes().any(|b| b.is_ascii_digit()) {
        out.clear();
        return false;
    }
    corrected
}

/// The run of letters O, I, L starting here reaches a digit before any other letter.
fn has_digit_before_letter(bytes: &[u8]) -> bool {
    for &b in bytes {
        if b.is_ascii_digit() {
            return true;
        }
        if !matches!(b, b'O' | b'I' | b'L') {
            return false;
        }
    }
    false
}

/// Canonical numbers shorter than this (`F-4` is `4`) are only found as written, prefix
/// included: a lone figure in a text is too often a quantity, a day or an amount.
const SHORT_NUMBER: usize = 3;

/// The key an invoice number is indexed under: its canonical form, or, when that is short,
/// its letters and digits as written (prefixed with `=`).
fn index_key(number: &str) -> String {
    let mut key = String::new();
    index_key_into(number, &mut String::new(), &mut key);
    key
}

/// `index_key` into `key`, with `compacted` as scratch space: both allocations are reused.
fn index_key_into(number: &str, compacted: &mut String, key: &mut String) {
    compact_number(number, compacted);
    canonical_compact_into(compacted, key);
    if !key.is_empty() && key.len() < SHORT_NUMBER {
        key.clear();
        key.push('=');
        key.push_str(compacted);
    }
}

/// The canonical numbers a text may be citing: each token (letters and digits glued together),
/// and the joins of up to four consecutive tokens separated only by `-`, `/`, `.`, `_` or one
/// space, so that `F 2026-0131` is found; never a part of a token, so that a number is never
/// found inside a longer one.
pub fn number_candidates(text: &str) -> Vec<(String, bool)> {
    let upper = text.to_uppercase();
    let mut tokens: Vec<(String, usize, usize)> = Vec::new();
    let mut current = String::new();
    let mut token_start = 0;
    for (position, c) in upper.char_indices() {
        if c.is_ascii_alphanumeric() {
            if current.is_empty() {
                token_start = position;
            }
            current.push(c);
        } else if !current.is_empty() {
            tokens.push((std::mem::take(&mut current), token_start, position));
        }
    }
    if !current.is_empty() {
        tokens.push((current, token_start, upper.len()));
    }
    let mut candidates = Vec::new();
    for first in 0..tokens.len() {
        let mut joined = String::new();
        for last in first..tokens.len().min(first + 4) {
            if last > first {
                let gap = &upper[tokens[last - 1].2..tokens[last].1];
                let joinable = gap.len() == 1 && matches!(gap, "-" | "/" | "." | "_" | " ");
                if !joinable {
                    break;
                }
                // A word without figures ends the number (`FACTURE 12 ET 13`).
                if !tokens[last].0.bytes().any(|b| b.is_ascii_digit()) {
                    break;
                }
            }
            joined.push_str(&tokens[last].0);
            let (key, corrected) = canonical_compact(&joined);
            if key.len() >= SHORT_NUMBER {
                candidates.push((key, corrected));
            } else if !key.is_empty() {
                candidates.push((format!("={joined}"), false));
            }
        }
    }
    candidates
}

/// Every valid RF reference in a text, spaces inside allowed (as printed in groups of four):
/// each prefix of the letters and digits after a word-initial `RF` whose check digits hold.
fn rf_candidates(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.to_uppercase().chars().collect();
    let mut found = Vec::new();
    for index in 0..chars.len().saturating_sub(4) {
        let word_start = index == 0 || !chars[index - 1].is_ascii_alphanumeric();
        if !(word_start && chars[index] == 'R' && chars[index + 1] == 'F') {
            continue;
        }
        let mut compacted = String::new();
        for &c in &chars[index..] {
            if c.is_ascii_alphanumeric() {
                compacted.push(c);
                if compacted.len() > 4
                    && let Ok(rf) = RfReference::parse(&compacted)
                {
                    found.push(rf.as_str().to_owned());
                }
                if compacted.len() >= 25 {
                    break;
                }
            } else if c != ' ' {
                break;
            }
        }
    }
    found
}

fn compact(account: &str) -> String {
    account
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// Words that name a legal form or a title, not a party.
const NAME_NOISE: &[&str] = &[
    "SARL", "SAS", "SASU", "SA", "EURL", "SCI", "SNC", "ETS", "STE", "STES", "SOC", "SOCIETE",
    "GMBH", "LTD", "LLC", "INC", "BV", "NV", "AG", "CIE", "ET", "LES", "LE", "LA", "DE", "DU",
    "DES", "M", "MR", "MME", "MLLE", "MONSIEUR", "MADAME", "THE",
];

/// Upper-case ASCII letters and digits, accents dropped, legal forms and titles removed, one
/// space between words.
pub fn normalise_name(name: &str) -> String {
    let mut words = String::new();
    normalised_words(name, &mut String::new(), |word| {
        if !words.is_empty() {
            words.push(' ');
        }
        words.push_str(word);
    });
    words
}

/// Each word of `name` as `normalise_name` keeps it, built in `word` (a buffer reused across
/// names, so that indexing a million names allocates nothing per name).
fn normalised_words(name: &str, word: &mut String, mut each: impl FnMut(&str)) {
    let mut flush = |word: &mut String| {
        if !word.is_empty() && !NAME_NOISE.contains(&word.as_str()) {
            each(word);
        }
        word.clear();
    };
    word.clear();
    for c in name.chars() {
        let c = fold_accent(c).to_ascii_uppercase();
        if c.is_ascii_alphanumeric() {
            word.push(c);
        } else {
            flush(word);
        }
    }
    flush(word);
}

/// A similarity in whole percent, rounded down (0.999 is not 100: not the same name).
fn percent(similarity: f64) -> u8 {
    (similarity * 100.0).floor() as u8
}

/// The words of a normalised name a customer is looked up by: three letters or more.
fn is_name_token(word: &str) -> bool {
    word.len() >= 3
}

fn name_tokens(normalised: &str) -> impl Iterator<Item = &str> {
    normalised.split(' ').filter(|token| is_name_token(token))
}

fn fold_accent(c: char) -> char {
    match c {
        'à' | 'á' | 'â' | 'ä' | 'ã' | 'å' | 'À' | 'Á' | 'Â' | 'Ä' | 'Ã' | 'Å' => 'a',
        'ç' | 'Ç' => 'c',
        'è' | 'é' | 'ê' | 'ë' | 'È' | 'É' | 'Ê' | 'Ë' => 'e',
        'ì' | 'í' | 'î' | 'ï' | 'Ì' | 'Í' | 'Î' | 'Ï' => 'i',
        'ñ' | 'Ñ' => 'n',
        'ò' | 'ó' | 'ô' | 'ö' | 'õ' | 'Ò' | 'Ó' | 'Ô' | 'Ö' | 'Õ' => 'o',
        'ù' | 'ú' | 'û' | 'ü' | 'Ù' | 'Ú' | 'Û' | 'Ü' => 'u',
        'ÿ' | 'Ÿ' => 'y',
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eur(minor: i64) -> Money {
        Money::from_minor(minor, Currency::EUR)
    }

    fn item(invoice: i64, customer: i64, number: &str, due: &str, outstanding: i64) -> OpenItem {
        OpenItem {
            invoice: InvoiceId(invoice),
            customer: CustomerId(customer),
            number: number.to_owned(),
            due_on: due.parse().unwrap(),
            outstanding: eur(outstanding),
        }
    }

    fn customer(id: i64, reference: &str, name: &str, accounts: &[&str]) -> KnownCustomer {
        KnownCustomer {
            id: CustomerId(id),
            reference: reference.to_owned(),
            name: name.to_owned(),
            accounts: accounts.iter().map(|a| (*a).to_owned()).collect(),
        }
    }

    #[test]
    fn hashed_positions_find_every_key_and_only_its_positions() {
        for size in [0usize, 1, 2, 3, 10, 1_000, 50_000] {
            let keys: Vec<String> = (0..size).map(|i| format!("F-{i}")).collect();
            // Every key twice, at two positions, and one position given twice.
            let mut pairs: Vec<(u32, u32)> = Vec::new();
            for (i, key) in keys.iter().enumerate() {
                pairs.push((key_hash(key), position_u32(i)));
                pairs.push((key_hash(key), position_u32(i + size)));
                pairs.push((key_hash(key), position_u32(i)));
            }
            let index = HashedPositions::new(pairs);
            for (i, key) in keys.iter().enumerate() {
                let found: Vec<usize> = index.get(key).collect();
                assert_eq!(found, vec![i, i + size], "key {key} among {size}");
            }
            assert_eq!(index.get("F-none").count(), 0, "among {size}");
        }
    }

    /// Two customers with a few invoices each, and a third with one.
    fn portfolio() -> MatchIndex {
        MatchIndex::new(
            vec![
                item(1, 1, "F2026-0131", "2026-01-31", 120_000),
                item(2, 1, "F2026-0145", "2026-02-15", 30_000),
                item(3, 1, "F2026-0210", "2026-03-10", 45_050),
                item(4, 2, "F2026-0123", "2026-01-20", 30_000),
                item(5, 2, "F2026-1234", "2026-02-20", 88_800),
                item(6, 3, "F2026-0500", "2026-02-01", 77_700),
            ],
            vec![
                customer(
                    1,
                    "C001",
                    "Boulangerie Martin SARL",
                    &["FR7630006000011234567890189"],
                ),
                customer(2, "C002", "Transports Lefèvre SAS", &[]),
                customer(3, "C003", "Garage du Centre", &[]),
            ],
        )
    }

    fn line<'a>(amount: i64, name: Option<&'a str>, text: &'a str) -> CreditLine<'a> {
        CreditLine {
            amount: eur(amount),
            counterparty_name: name,
            counterparty_account: None,
            remittance: text,
            creditor_reference: None,
        }
    }

    fn settings() -> MatchSettings {
        MatchSettings::default()
    }

    #[test]
    fn the_customers_rf_reference_applies_the_payment_to_the_invoices_it_pays() {
        let index = portfolio();
        let rf = RfReference::for_customer("C001");
        let mut credit = line(150_000, None, "");
        credit.creditor_reference = Some(rf.as_str());
        let proposal = index.match_line(&credit, &settings());
        assert_eq!(proposal.customer, Some(CustomerId(1)));
        assert_eq!(
            proposal.allocations,
            vec![(InvoiceId(1), eur(120_000)), (InvoiceId(2), eur(30_000))]
        );
        assert!(proposal.apply, "{proposal:?}");
        assert!(
            proposal
                .explanation(Language::French)
                .contains("référence structurée")
        );
    }

    #[test]
    fn inputs_in_any_order_give_the_same_proposals() {
        let ordered = portfolio();
        let mut inputs = MatchInputs::default();
        // Customers newest first, items of several customers interleaved, due dates backwards.
        inputs.add_customer(CustomerId(3), "C003", "Garage du Centre");
        inputs.add_customer(CustomerId(2), "C002", "Transports Lefèvre SAS");
        inputs.add_customer(CustomerId(1), "C001", "Boulangerie Martin SARL");
        inputs.add_account(CustomerId(1), "FR7630006000011234567890189");
        for (invoice, customer, number, due, minor) in [
            (3, 1, "F2026-0210", "2026-03-10", 45_050),
            (5, 2, "F2026-1234", "2026-02-20", 88_800),
            (2, 1, "F2026-0145", "2026-02-15", 30_000),
            (6, 3, "F2026-0500", "2026-02-01", 77_700),
            (1, 1, "F2026-0131", "2026-01-31", 120_000),
            (4, 2, "F2026-0123", "2026-01-20", 30_000),
        ] {
            inputs.add_item(
                InvoiceId(invoice),
                CustomerId(customer),
                number,
                due.parse().unwrap(),
                eur(minor),
            );
        }
        let shuffled = inputs.build();
        let rf = RfReference::for_customer("C001");
        let mut by_reference = line(150_000, None, "");
        by_reference.creditor_reference = Some(rf.as_str());
        let mut by_account = line(45_050, None, "VIREMENT");
        by_account.counterparty_account = Some("FR76 3000 6000 0112 3456 7890 189");
        for credit in [
            by_reference,
            by_account,
            line(30_000, Some("TRANSPORTS LEFEVRE"), "VIREMENT"),
            line(77_700, None, "FACTURE F2026-0500"),
            line(88_800, None, "VIREMENT"),
        ] {
            assert_eq!(
                shuffled.match_line(&credit, &settings()),
                ordered.match_line(&credit, &settings()),
                "{credit:?}"
            );
        }
    }

    #[test]
    fn an_item_whose_customer_was_not_given_is_still_found_by_its_number() {
        let index = MatchIndex::new(vec![item(9, 42, "F2026-0900", "2026-02-01", 5_000)], vec![]);
        let proposal = index.match_line(&line(5_000, None, "FACT F2026-0900"), &settings());
        assert_eq!(proposal.customer, Some(CustomerId(42)));
        assert_eq!(proposal.allocations, vec![(InvoiceId(9), eur(5_000))]);
    }

    #[test]
    fn amounts_sharing_their_low_32_bits_are_told_apart() {
        let far = 100 + (1_i64 << 32);
        let index = MatchIndex::new(
            vec![
                item(1, 1, "F2026-0001", "2026-01-31", far),
                item(2, 2, "F2026-0002", "2026-01-31", 100),
            ],
            vec![
                customer(1, "C001", "Boulangerie Martin", &[]),
                customer(2, "C002", "Garage du Centre", &[]),
            ],
        );
        let proposal = index.match_line(&line(100, None, "VIREMENT"), &settings());
        assert_eq!(proposal.customer, Some(CustomerId(2)), "{proposal:?}");
        assert_eq!(proposal.allocations, vec![(InvoiceId(2), eur(100))]);
        assert!(!proposal.apply, "an amount alone is a suggestion");
    }

    #[test]
    fn strings_give_back_what_was_pushed() {
        let mut strings = Strings::default();
        let places: Vec<u32> = ["F-1", "", "Boulangerie Martin", "é"]
            .iter()
            .map(|value| strings.push(value))
            .collect();
        assert_eq!(places, vec![0, 1, 2, 3]);
        assert_eq!(strings.get(0), "F-1");
        assert_eq!(strings.get(1), "");
        assert_eq!(strings.get(2), "Boulangerie Martin");
        assert_eq!(strings.get(3), "é");
    }

    #[test]
    fn an_rf_reference_printed_in_groups_inside_the_free_text_is_found() {
        let index = portfolio();
        let rf = RfReference::for_customer("C002").grouped();
        let text = format!("VIREMENT SEPA {rf} MERCI");
        let proposal = index.match_line(&line(30_000, None, &text), &settings());
        assert_eq!(proposal.customer, Some(CustomerId(2)));
        assert_eq!(proposal.allocations, vec![(InvoiceId(4), eur(30_000))]);
        assert!(proposal.apply);
    }

    #[test]
    fn invoice_numbers_are_found_through_spacing_prefixes_separators_and_ocr_noise() {
        let index = portfolio();
        for text in [
            "FACT F2026-0131",
            "facture f 2026 0131",
            "FA-2026/0131",
            "PAIEMENT F2026.O131",
            "F2O26-0I31 merci",
            "REGLEMENT FACTURE F20260131",
        ] {
            let proposal = index.match_line(&line(120_000, None, text), &settings());
            assert_eq!(
                proposal.allocations,
                vec![(InvoiceId(1), eur(120_000))],
                "{text}"
            );
            assert!(proposal.apply, "{text}: {proposal:?}");
        }
    }

    #[test]
    fn a_number_inside_a_longer_number_is_never_found() {
        let index = MatchIndex::new(
            vec![item(1, 1, "123", "2026-01-31", 5_000)],
            vec![customer(1, "C001", "Alpha", &[])],
        );
        for text in ["REF 41234", "1234", "FACT 91230"] {
            let proposal = index.match_line(&line(5_000, None, text), &settings());
            assert!(
                !proposal
                    .evidence
                    .iter()
                    .any(|e| matches!(e, Evidence::InvoiceNumbers { .. })),
                "{text}: {proposal:?}"
            );
            assert!(!proposal.apply, "{text}");
        }
        let proposal = index.match_line(&line(5_000, None, "FACT 123"), &settings());
        assert!(proposal.apply);
    }

    #[test]
    fn a_short_invoice_number_is_found_only_as_written() {
        let index = MatchIndex::new(
            vec![item(1, 1, "F-4", "2026-01-31", 5_000)],
            vec![customer(1, "C001", "Alpha", &[])],
        );
        assert!(
            index
                .match_line(&line(5_000, None, "FACTURE F-4"), &settings())
                .apply
        );
        assert!(
            index
                .match_line(&line(5_000, None, "facture f4"), &settings())
                .apply
        );
        let lone = index.match_line(&line(5_000, None, "4 PALETTES"), &settings());
        assert!(!lone.apply, "{lone:?}");
    }

    #[test]
    fn a_payment_in_another_currency_pays_no_invoice() {
        let index = portfolio();
        let chf = Currency::from_code("CHF").unwrap();
        let rf = RfReference::for_customer("C001");
        let mut credit = line(120_000, None, "F2026-0131");
        credit.amount = Money::from_minor(120_000, chf);
        credit.creditor_reference = Some(rf.as_str());
        let proposal = index.match_line(&credit, &settings());
        assert!(proposal.allocations.is_empty(), "{proposal:?}");
        assert!(!proposal.apply);
    }

    #[test]
    fn leading_zeros_do_not_matter() {
        assert_eq!(canonical_number("FA-000123"), "123");
        assert_eq!(canonical_number("123"), "123");
        let candidates: Vec<String> = number_candidates("FACTURE N° 00123")
            .into_iter()
            .map(|(key, _)| key)
            .collect();
        assert!(candidates.contains(&"123".to_owned()));
    }

    #[test]
    fn an_invoice_number_with_a_partial_payment_and_nothing_else_waits_for_review() {
        let index = portfolio();
        let proposal = index.match_line(&line(50_000, None, "F2026-0131"), &settings());
        assert_eq!(proposal.allocations, vec![(InvoiceId(1), eur(50_000))]);
        assert!(!proposal.apply);
        assert!(proposal.confidence >= 70);
    }

    #[test]
    fn an_invoice_number_with_a_partial_payment_from_the_named_customer_applies() {
        let index = portfolio();
        let proposal = index.match_line(
            &line(50_000, Some("BOULANGERIE MARTIN"), "F2026-0131"),
            &settings(),
        );
        assert_eq!(proposal.allocations, vec![(InvoiceId(1), eur(50_000))]);
        assert!(proposal.apply, "{proposal:?}");
    }

    #[test]
    fn several_invoices_named_in_one_payment_are_all_paid() {
        let index = portfolio();
        let proposal = index.match_line(
            &line(150_000, None, "FACT F2026-0131 ET F2026-0145"),
            &settings(),
        );
        assert_eq!(
            proposal.allocations,
            vec![(InvoiceId(1), eur(120_000)), (InvoiceId(2), eur(30_000))]
        );
        assert!(proposal.apply);
    }

    #[test]
    fn an_invoice_an_earlier_line_paid_is_no_candidate_for_the_next() {
        let mut index = portfolio();
        let first = index.match_line(&line(30_000, None, "FACT F2026-0145"), &settings());
        assert!(first.apply, "{first:?}");
        index.record_applied(&first);
        // The same transfer booked twice by the payer: the invoice owes nothing any more.
        let second = index.match_line(&line(30_000, None, "FACT F2026-0145"), &settings());
        assert!(
            !second
                .allocations
                .iter()
                .any(|(invoice, _)| *invoice == InvoiceId(2)),
            "{second:?}"
        );
        // A part payment leaves the rest owed: the next line pays only that rest.
        let rf = RfReference::for_customer("C001");
        let mut part = line(20_000, None, "FACT F2026-0131");
        part.creditor_reference = Some(rf.as_str());
        let part = index.match_line(&part, &settings());
        assert!(part.apply, "{part:?}");
        index.record_applied(&part);
        let rest = index.match_line(&line(100_000, None, "FACT F2026-0131"), &settings());
        assert_eq!(rest.allocations, vec![(InvoiceId(1), eur(100_000))]);
        assert!(rest.apply, "{rest:?}");
    }

    #[test]
    fn a_known_account_and_a_sum_of_invoices_applies() {
        let index = portfolio();
        let mut credit = line(75_050, None, "VIREMENT");
        credit.counterparty_account = Some("FR76 3000 6000 0112 3456 7890 189");
        let proposal = index.match_line(&credit, &settings());
        assert_eq!(
            proposal.allocations,
            vec![(InvoiceId(2), eur(30_000)), (InvoiceId(3), eur(45_050))]
        );
        assert!(proposal.apply, "{proposal:?}");
    }

    #[test]
    fn a_name_close_to_a_customers_never_applies_even_with_the_exact_amount() {
        let index = portfolio();
        let proposal = index.match_line(
            &line(30_000, Some("TRANSPORTS LEFEVR"), "VIREMENT"),
            &settings(),
        );
        assert_eq!(proposal.customer, Some(CustomerId(2)));
        assert_eq!(proposal.allocations, vec![(InvoiceId(4), eur(30_000))]);
        assert!(!proposal.apply, "{proposal:?}");
    }

    #[test]
    fn the_customers_exact_name_and_the_amount_of_one_of_its_invoices_apply() {
        let index = portfolio();
        let proposal = index.match_line(
            &line(30_000, Some("TRANSPORTS LEFEVRE"), "VIREMENT"),
            &settings(),
        );
        assert_eq!(proposal.customer, Some(CustomerId(2)));
        assert_eq!(proposal.allocations, vec![(InvoiceId(4), eur(30_000))]);
        assert_eq!(proposal.confidence, 90);
        assert!(proposal.apply, "{proposal:?}");
        let short = index.match_line(
            &line(29_950, Some("TRANSPORTS LEFEVRE"), "VIREMENT"),
            &settings(),
        );
        assert!(!short.apply, "a near amount is not enough: {short:?}");
    }

    #[test]
    fn a_name_two_customers_owing_the_amount_share_names_neither() {
        let mut customers = vec![
            customer(2, "C002", "Transports Lefèvre SAS", &[]),
            customer(7, "C007", "TRANSPORTS LEFEVRE", &[]),
        ];
        customers.push(customer(3, "C003", "Garage du Centre", &[]));
        let index = MatchIndex::new(
            vec![
                item(4, 2, "F2026-0123", "2026-01-20", 30_000),
                item(8, 7, "F2026-0800", "2026-01-20", 30_000),
            ],
            customers,
        );
        let proposal = index.match_line(
            &line(30_000, Some("Transports Lefevre"), "VIREMENT"),
            &settings(),
        );
        assert!(
            !proposal
                .evidence
                .iter()
                .any(|evidence| matches!(evidence, Evidence::Name { .. })),
            "{proposal:?}"
        );
        assert!(!proposal.apply, "{proposal:?}");
    }

    #[test]
    fn a_namesake_who_owes_nothing_of_the_amount_does_not_stand_in_the_way() {
        let index = MatchIndex::new(
            vec![
                item(4, 2, "F2026-0123", "2026-01-20", 30_000),
                item(8, 7, "F2026-0800", "2026-01-20", 12_000),
            ],
            vec![
                customer(2, "C002", "Transports Lefèvre SAS", &[]),
                customer(7, "C007", "TRANSPORTS LEFEVRE", &[]),
            ],
        );
        let proposal = index.match_line(
            &line(30_000, Some("TRANSPORTS LEFEVRE"), "VIREMENT"),
            &settings(),
        );
        assert_eq!(proposal.customer, Some(CustomerId(2)));
        assert_eq!(proposal.allocations, vec![(InvoiceId(4), eur(30_000))]);
        assert!(proposal.apply, "{proposal:?}");
    }

    #[test]
    fn a_partial_payment_applies_when_the_payers_name_agrees_with_the_customer_its_invoice_names() {
        // Another customer's name is close enough that the payer's name alone could not tell
        // them apart; the invoice number does, and the name only has to agree with it.
        let index = MatchIndex::new(
            vec![
                item(1, 1, "F2026-0131", "2026-01-31", 120_000),
                item(2, 2, "F2026-0777", "2026-01-31", 120_000),
            ],
            vec![
                customer(1, "C001", "Boulangerie Martin", &[]),
                customer(2, "C002", "Boulangerie Martins", &[]),
            ],
        );
        let agreeing = index.match_line(
            &line(50_000, Some("BOULANGERIE MARTIN"), "ACOMPTE F2026-0131"),
            &settings(),
        );
        assert_eq!(agreeing.allocations, vec![(InvoiceId(1), eur(50_000))]);
        assert!(agreeing.apply, "{agreeing:?}");
        let other_payer = index.match_line(
            &line(50_000, Some("GARAGE DU CENTRE"), "ACOMPTE F2026-0131"),
            &settings(),
        );
        assert_eq!(other_payer.allocations, vec![(InvoiceId(1), eur(50_000))]);
        assert!(!other_payer.apply, "{other_payer:?}");
    }

    #[test]
    fn an_amount_alone_never_applies() {
        let index = portfolio();
        let proposal = index.match_line(&line(77_700, None, "VIREMENT"), &settings());
        assert_eq!(proposal.allocations, vec![(InvoiceId(6), eur(77_700))]);
        assert!(!proposal.apply);
        assert!(proposal.confidence <= 40);
        let nothing = index.match_line(&line(12_345, None, "VIREMENT"), &settings());
        assert_eq!(nothing.customer, None);
        assert_eq!(nothing.confidence, 0);
    }

    #[test]
    fn bank_fees_within_the_tolerance_still_pay_the_invoice_named() {
        let index = portfolio();
        let proposal = index.match_line(&line(119_950, None, "F2026-0131"), &settings());
        assert!(proposal.apply, "{proposal:?}");
        assert_eq!(proposal.allocations, vec![(InvoiceId(1), eur(119_950))]);
        assert!(
            proposal
                .explanation(Language::English)
                .contains("0.50 EUR short")
        );
        let beyond = MatchSettings {
            amount_tolerance_minor: 10,
            ..settings()
        };
        assert!(
            !index
                .match_line(&line(119_950, None, "F2026-0131"), &beyond)
                .apply
        );
    }

    #[test]
    fn a_reference_whose_amount_fits_several_sets_of_invoices_waits_for_review() {
        let index = MatchIndex::new(
            vec![
                item(1, 1, "A-100", "2026-01-31", 10_000),
                item(2, 1, "A-101", "2026-02-28", 10_000),
                item(3, 1, "A-102", "2026-03-31", 5_000),
            ],
            vec![customer(1, "C001", "Alpha", &[])],
        );
        let rf = RfReference::for_customer("C001");
        let mut credit = line(10_000, None, "");
        credit.creditor_reference = Some(rf.as_str());
        let proposal = index.match_line(&credit, &settings());
        assert_eq!(proposal.customer, Some(CustomerId(1)));
        assert!(!proposal.apply, "{proposal:?}");
        assert!(proposal.evidence.contains(&Evidence::SeveralSets));
        // 15 000 is A-100 + A-102 or A-101 + A-102: ambiguous too; 25 000 is all three.
        credit.amount = eur(25_000);
        assert!(index.match_line(&credit, &settings()).apply);
    }

    #[test]
    fn an_overpayment_keeps_the_rest_as_the_customers_credit() {
        let index = portfolio();
        let rf = RfReference::for_customer("C003");
        let mut credit = line(80_000, None, "");
        credit.creditor_reference = Some(rf.as_str());
        let proposal = index.match_line(&credit, &settings());
        assert_eq!(proposal.allocations, vec![(InvoiceId(6), eur(77_700))]);
        assert_eq!(proposal.unallocated, eur(2_300));
        assert!(proposal.apply);
        assert!(
            proposal
                .explanation(Language::French)
                .contains("trop-perçu de 23.00 EUR")
        );
    }

    #[test]
    fn a_partial_payment_with_the_reference_goes_to_the_oldest_first() {
        let index = portfolio();
        let rf = RfReference::for_customer("C001");
        let mut credit = line(125_000, None, "");
        credit.creditor_reference = Some(rf.as_str());
        let proposal = index.match_line(&credit, &settings());
        assert_eq!(
            proposal.allocations,
            vec![(InvoiceId(1), eur(120_000)), (InvoiceId(2), eur(5_000))]
        );
        assert!(proposal.apply);
    }

    #[test]
    fn a_reference_and_numbers_of_different_customers_wait_for_review() {
        let index = portfolio();
        let rf = RfReference::for_customer("C001");
        let mut credit = line(30_000, None, "F2026-0123");
        credit.creditor_reference = Some(rf.as_str());
        let proposal = index.match_line(&credit, &settings());
        assert!(!proposal.apply);
        assert!(proposal.evidence.contains(&Evidence::Conflict));
    }

    #[test]
    fn numbers_of_two_customers_apply_nothing() {
        let index = portfolio();
        let proposal = index.match_line(&line(150_000, None, "F2026-0131 F2026-0123"), &settings());
        assert!(!proposal.apply);
    }

    #[test]
    fn the_threshold_is_the_creditors() {
        let index = portfolio();
        let strict = MatchSettings {
            auto_apply_threshold: 100,
            ..settings()
        };
        assert!(
            !index
                .match_line(&line(120_000, None, "F2026-0131"), &strict)
                .apply
        );
        let lax = MatchSettings {
            auto_apply_threshold: 50,
            ..settings()
        };
        assert!(
            index
                .match_line(&line(30_000, Some("TRANSPORTS LEFEVRE"), ""), &lax)
                .apply
        );
    }

    #[test]
    fn the_subset_sum_is_bounded_and_prefers_the_smallest_set() {
        let items: Vec<OpenItem> = (0..20)
            .map(|i| item(i, 1, &format!("N{i}"), "2026-01-01", 1_000 + i * 7))
            .collect();
        let refs: Vec<&OpenItem> = items.iter().collect();
        let settings = MatchSettings {
            amount_tolerance_minor: 0,
            ..settings()
        };
        let one = subset_paying(&refs, eur(1_007), &settings).unwrap();
        assert_eq!(one.items.len(), 1);
        assert!(one.unique);
        let two = subset_paying(&refs, eur(1_000 + 1_007), &settings).unwrap();
        assert_eq!(two.items.len(), 2);
        assert!(two.unique);
        // 1000 + 1021 = 1007 + 1014: the amount does not say which pair.
        let either = subset_paying(&refs, eur(2_021), &settings).unwrap();
        assert_eq!(either.items.len(), 2);
        assert!(!either.unique);
        assert!(subset_paying(&refs, eur(1), &settings).is_none());
        assert!(subset_paying(&refs, eur(1_000_000), &settings).is_none());
    }

    #[test]
    fn beyond_the_window_one_invoice_is_still_found_but_never_called_unique() {
        let items: Vec<OpenItem> = (0..40)
            .map(|i| item(i, 1, &format!("N{i}"), "2026-01-01", 1_000 + i * 7))
            .collect();
        let refs: Vec<&OpenItem> = items.iter().collect();
        let settings = MatchSettings {
            amount_tolerance_minor: 0,
            ..settings()
        };
        let late = subset_paying(&refs, eur(1_000 + 35 * 7), &settings).unwrap();
        assert_eq!(late.items[0].invoice, InvoiceId(35));
        assert!(!late.unique);
        let pair = subset_paying(&refs, eur(1_000 + 1_007), &settings).unwrap();
        assert!(!pair.unique);
        let (nothing, complete) = subset_search(&refs, eur(3), &settings);
        assert!(nothing.is_none() && !complete);
    }

    #[test]
    fn names_are_compared_without_accents_legal_forms_or_titles() {
        assert_eq!(
            normalise_name("Transports Lefèvre SAS"),
            "TRANSPORTS LEFEVRE"
        );
        assert_eq!(normalise_name("M. Jean-Paul DURAND"), "JEAN PAUL DURAND");
    }
}
