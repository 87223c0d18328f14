//! The SQLite side of a bank import: one `rusqlite` connection on a blocking thread, the whole
//! file in one `BEGIN IMMEDIATE` transaction, every statement prepared once and reused for
//! each line.
//!
//! Through sqlx each of the nine or so statements an applied payment needs (line, payment,
//! allocations, outstanding amounts, balance, promises, pending actions, the line's payment)
//! crossed to sqlx's worker thread and back, about 90 µs each: writing was nearly all of an
//! import's time. The statements and the order they run in are those of the sqlx path, which
//! PostgreSQL keeps; the same contract tests run on both.

use domain::ids::PaymentId;
use rusqlite::{
    Connection, OptionalExtension, Statement, Transaction, TransactionBehavior, params,
};

use super::*;
use crate::dunning::{execute_action, sqlite_dialect};
use crate::dunning_run::WAKE_CUSTOMER;
use crate::sqlite_direct::{empty_wal, store_error};

/// The import's statements, prepared once in SQLite's dialect for the whole file.
struct Prepared<'t> {
    insert_import: Statement<'t>,
    insert_line: Statement<'t>,
    set_line_payment: Statement<'t>,
    original_credit: Statement<'t>,
    mark_reversed: Statement<'t>,
    link_reversal: Statement<'t>,
    reversal_not_found: Statement<'t>,
    delete_import: Statement<'t>,
    finish_import: Statement<'t>,
    insert_payment: Statement<'t>,
    payment_by_key: Statement<'t>,
    invoice_to_pay: Statement<'t>,
    insert_allocation: Statement<'t>,
    reduce_outstanding: Statement<'t>,
    insert_settlement: Statement<'t>,
    customer_balance: Statement<'t>,
    keep_promises: Statement<'t>,
    pending_actions: Statement<'t>,
    still_owed: Statement<'t>,
    cancel_action: Statement<'t>,
    paid_by_due: Statement<'t>,
    insert_closure: Statement<'t>,
    closure_contact: Statement<'t>,
    requeue: Statement<'t>,
    cancel_receipts: Statement<'t>,
    payment_allocations: Statement<'t>,
    invoice_customer: Statement<'t>,
    restore_outstanding: Statement<'t>,
    undo_payment: [Statement<'t>; 5],
}

impl<'t> Prepared<'t> {
    fn new(tx: &'t Transaction<'_>) -> rusqlite::Result<Prepared<'t>> {
        let prepare = |sql: &str| tx.prepare(&sqlite_dialect(sql));
        let [a, b, c, d, e] = UNDO_PAYMENT;
        Ok(Prepared {
            insert_import: prepare(INSERT_IMPORT)?,
            insert_line: prepare(INSERT_LINE)?,
            set_line_payment: prepare(SET_LINE_PAYMENT)?,
            original_credit: prepare(ORIGINAL_CREDIT)?,
            mark_reversed: prepare(MARK_REVERSED)?,
            link_reversal: prepare(LINK_REVERSAL)?,
            reversal_not_found: prepare(REVERSAL_NOT_FOUND)?,
            delete_import: prepare(DELETE_IMPORT)?,
            finish_import: prepare(FINISH_IMPORT)?,
            insert_payment: prepare(INSERT_PAYMENT)?,
            payment_by_key: prepare(PAYMENT_BY_KEY)?,
            invoice_to_pay: prepare(INVOICE_TO_PAY)?,
            insert_allocation: prepare(INSERT_ALLOCATION)?,
            reduce_outstanding: prepare(&without_statement_journal(REDUCE_OUTSTANDING))?,
            insert_settlement: prepare(INSERT_SETTLEMENT)?,
            customer_balance: prepare(CUSTOMER_BALANCE)?,
            keep_promises: prepare(KEEP_PROMISES)?,
            pending_actions: prepare(PENDING_ACTIONS)?,
            still_owed: prepare(STILL_OWED_LISTED)?,
            cancel_action: prepare(CANCEL_ACTION)?,
            paid_by_due: prepare(PAID_BY_DUE_LISTED)?,
            insert_closure: prepare(INSERT_CLOSURE)?,
            closure_contact: prepare(CLOSURE_CONTACT)?,
            requeue: prepare(&requeue_sql())?,
            cancel_receipts: prepare(CANCEL_RECEIPTS)?,
            payment_allocations: prepare(PAYMENT_ALLOCATIONS)?,
            invoice_customer: prepare(INVOICE_CUSTOMER)?,
            restore_outstanding: prepare(&without_statement_journal(RESTORE_OUTSTANDING))?,
            undo_payment: [
                prepare(a)?,
                prepare(b)?,
                prepare(c)?,
                prepare(d)?,
                prepare(e)?,
            ],
        })
    }
}

/// `STILL_OWED` and `PAID_BY_DUE` with the ids bound as one text (`4,8,15`): prepared once for
/// the whole file instead of once for each action checked and each case closed.
const STILL_OWED_LISTED: &str = "SELECT EXISTS (SELECT 1 FROM invoices WHERE id IN (SELECT value FROM json_each('[' || ?2 || ']')) \
     AND +tenant_id = ?1 AND outstanding_minor > 0)";
const PAID_BY_DUE_LISTED: &str = "SELECT id FROM invoices WHERE id IN (SELECT value FROM json_each('[' || ?2 || ']')) \
     AND +tenant_id = ?1 ORDER BY due_on, number";

/// `UPDATE invoices …` (an invoice paid, or given back what a returned payment had paid) as
/// `UPDATE OR FAIL invoices …`. The invoice's triggers (its case's date, the ledger's day
/// totals) make the update a write of several rows that a constraint could abort, so SQLite
/// copied every page it touched into a journal of the statement's own, a temporary file, to
/// undo that one statement: a sixth of the time of the import's longest statement, and most of
/// its system time. Here any error rolls the whole import back, so nothing needs the statement
/// undone: `OR FAIL` stops at the error without undoing it (the constraints are checked as
/// before), and SQLite keeps no such journal.
fn without_statement_journal(update: &str) -> String {
    update.replacen("UPDATE invoices", "UPDATE OR FAIL invoices", 1)
}

impl From<rusqlite::Error> for StoreError {
    fn from(error: rusqlite::Error) -> StoreError {
        store_error(error)
    }
}

/// The page cache of a bank import's connection, in KiB (SQLite's negative `cache_size`).
/// The whole file is one transaction, and each applied payment changes pages all over the
/// database (the invoice and its two open-item indexes, the case, the day totals, the
/// allocations, the line). With the pool's 64 MiB, dirty pages spilled to the WAL before the
/// commit and were read back and written again: 100,000 lines over a million invoices took
/// 6.9 to 7.4 s to write, against 4.2 s with 256 MiB (no gain beyond; none either at ten
/// million invoices, where the file is ten times the cache). The connection is the import's
/// own: the memory goes with it.
const IMPORT_CACHE_KIB: i64 = 256 * 1024;

/// The page cache of a read that visits each page once (the matcher's inputs).
const READ_ONCE_CACHE_KIB: i64 = 2 * 1024;

/// `import_bank_lines` on SQLite.
pub(super) fn import(
    connection: &mut Connection,
    tenant: i64,
    meta: &BankImportMeta,
    lines: &[NewBankLine],
    effects: &PaymentEffects,
    now: &str,
) -> Result<BankImportOutcome, StoreError> {
    connection.pragma_update(None, "cache_size", -IMPORT_CACHE_KIB)?;
    let tx = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let wakes = CaseWakes::suspend(&tx)?;
    let mut woken = Vec::new();
    let outcome = import_lines(&tx, tenant, meta, lines, effects, now, &mut woken)?;
    wakes.resume(&tx, tenant, woken)?;
    tx.commit()?;
    empty_wal(connection);
    Ok(outcome)
}

/// The trigger that wakes an invoice's customer (puts its case in front of the next run) each
/// time the invoice's outstanding amount changes, suspended for the import's transaction.
///
/// Each firing rewrote the customer's case row and moved its entry in the cases' index of
/// review dates: two more random pages for every invoice paid, which at ten million invoices
/// the page cache could not keep (about a third of the invoices' updates, measured apart; the
/// whole import about a second faster without it). The import wakes every customer whose
/// invoices it changed once instead, in the order of their ids, before commit. Dropping the trigger is part of the transaction: an
/// import that fails puts it back with the rest, and no other writer runs meanwhile.
struct CaseWakes {
    /// The trigger's `CREATE TRIGGER` text, as the schema keeps it.
    trigger: Option<String>,
}

impl CaseWakes {
    fn suspend(tx: &Transaction<'_>) -> rusqlite::Result<CaseWakes> {
        let trigger: Option<String> = tx
            .query_row(
                "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'invoices_wake_customer'",
                [],
                |row| row.get(0),
            )
            .optional()?;
        if trigger.is_some() {
            tx.execute_batch("DROP TRIGGER invoices_wake_customer")?;
        }
        Ok(CaseWakes { trigger })
    }

    /// Wakes `woken` (customers, in any order, repeated or not) and puts the trigger back.
    fn resume(
        self,
        tx: &Transaction<'_>,
        tenant: i64,
        mut woken: Vec<i64>,
    ) -> rusqlite::Result<()> {
        let Some(trigger) = self.trigger else {
            return Ok(());
        };
        woken.sort_unstable();
        woken.dedup();
        let mut wake = tx.prepare(&sqlite_dialect(WAKE_CUSTOMER))?;
        for customer in woken {
            wake.execute(params![tenant, customer])?;
        }
        tx.execute_batch(&trigger)
    }
}

/// `woken` receives the customers whose invoices' outstanding amounts the lines changed.
fn import_lines(
    tx: &Transaction<'_>,
    tenant: i64,
    meta: &BankImportMeta,
    lines: &[NewBankLine],
    effects: &PaymentEffects,
    now: &str,
    woken: &mut Vec<i64>,
) -> Result<BankImportOutcome, StoreError> {
    let mut st = Prepared::new(tx)?;
    let mut outcome = BankImportOutcome {
        lines_read: u32::try_from(lines.len()).unwrap_or(u32::MAX),
        ..BankImportOutcome::default()
    };
    let import: i64 = st.insert_import.query_row(
        params![
            tenant,
            meta.file_name,
            meta.format,
            meta.file_hash,
            i64::from(meta.statements),
            i64::from(outcome.lines_read),
            now,
        ],
        |row| row.get(0),
    )?;
    for line in lines {
        let (state, proposal) = line_state(&line.plan);
        let empty = StoredProposal::default();
        let proposal = proposal.unwrap_or(&empty);
        let inserted: Option<i64> = st
            .insert_line
            .query_row(
                params![
                    tenant,
                    import,
                    line.account,
                    line.dedup_key,
                    i64::try_from(line.source_line).unwrap_or(i64::MAX),
                    line.booking_date.to_string(),
                    line.value_date.map(|date| date.to_string()),
                    if line.credit { "credit" } else { "debit" },
                    i64::from(line.reversal),
                    line.amount.currency().code(),
                    line.amount.minor(),
                    line.counterparty_name,
                    line.counterparty_account,
                    line.remittance,
                    line.creditor_reference,
                    line.bank_reference,
                    line.end_to_end,
                    line.mandate,
                    state,
                    i64::from(proposal.confidence),
                    proposal.explanation_fr,
                    proposal.explanation_en,
                    proposal.customer.map(|customer| customer.0),
                    suggestion_text(&proposal.allocations),
                    now,
                ],
                |row| row.get(0),
            )
            .optional()?;
        let Some(id) = inserted else {
            outcome.duplicates += 1;
            continue;
        };
        outcome.created += 1;
        match &line.plan {
            LinePlan::Outgoing => outcome.outgoing += 1,
            LinePlan::Review { .. } => outcome.queued += 1,
            LinePlan::Apply { customer, proposal } => {
                let plan = line_payment(line, *customer, proposal, id);
                let applied = apply_payment(&mut st, tenant, &plan, effects, now)?;
                if applied.allocated_minor > 0 || applied.write_offs > 0 {
                    woken.push(customer.0);
                }
                st.set_line_payment.execute(params![
                    applied.payment.map(|payment| payment.0),
                    tenant,
                    id
                ])?;
                outcome.count_applied(&applied);
            }
            LinePlan::Reversal {
                not_found_fr,
                not_found_en,
            } => {
                let original: Option<(i64, Option<i64>)> = st
                    .original_credit
                    .query_row(
                        params![
                            tenant,
                            line.account,
                            line.amount.currency().code(),
                            line.amount.minor(),
                            line.booking_date.to_string(),
                            line.end_to_end,
                            line.mandate,
                            line.counterparty_account,
                        ],
                        |row| Ok((row.get(0)?, row.get(1)?)),
                    )
                    .optional()?;
                match original {
                    Some((original, payment)) => {
                        if let Some(payment) = payment {
                            undo_payment(&mut st, tenant, payment, &effects.undo_note, woken)?;
                        }
                        st.mark_reversed.execute(params![now, tenant, original])?;
                        st.link_reversal.execute(params![original, tenant, id])?;
                        outcome.reversals_applied += 1;
                    }
                    None => {
                        st.reversal_not_found.execute(params![
                            not_found_fr,
                            not_found_en,
                            tenant,
                            id
                        ])?;
                        outcome.reversals_queued += 1;
                        outcome.queued += 1;
                    }
                }
            }
        }
    }
    if outcome.created == 0 {
        st.delete_import.execute(params![tenant, import])?;
    } else {
        st.finish_import.execute(params![
            i64::from(outcome.created),
            i64::from(outcome.duplicates),
            tenant,
            import
        ])?;
    }
    Ok(outcome)
}

/// `apply_payment!` on SQLite: the same statements, in the same order.
fn apply_payment(
    st: &mut Prepared<'_>,
    tenant: i64,
    plan: &PaymentPlan,
    effects: &PaymentEffects,
    now: &str,
) -> Result<AppliedPayment, StoreError> {
    let mut outcome = AppliedPayment::default();
    let inserted: Option<i64> = st
        .insert_payment
        .query_row(
            params![
                tenant,
                plan.customer.0,
                plan.received_on.to_string(),
                plan.amount.currency().code(),
                plan.amount.minor(),
                plan.reference,
                plan.idempotency_key,
                now,
            ],
            |row| row.get(0),
        )
        .optional()?;
    let Some(payment) = inserted else {
        outcome.already_recorded = true;
        let existing: i64 = st
            .payment_by_key
            .query_row(params![tenant, plan.idempotency_key], |row| row.get(0))?;
        outcome.payment = Some(PaymentId(existing));
        return Ok(outcome);
    };
    outcome.payment = Some(PaymentId(payment));
    let mut left = plan.amount.minor();
    let mut paid_invoices: Vec<i64> = Vec::new();
    let mut remainders: Vec<(i64, i64)> = Vec::new();
    for (invoice, wanted) in &plan.allocations {
        if left <= 0 {
            break;
        }
        let row: Option<(i64, String, i64)> = st
            .invoice_to_pay
            .query_row(params![tenant, invoice.0], |row| {
                Ok((row.get(0)?, row.get(1)?, row.get(2)?))
            })
            .optional()?;
        let (outstanding, invoice_currency, owner) = row.ok_or_else(|| StoreError::NotFound {
            what: format!("invoice {invoice}"),
        })?;
        if owner != plan.customer.0 || invoice_currency != plan.amount.currency().code() {
            return Err(StoreError::RuleViolated {
                message: format!("invoice {invoice} is not the payer's, or not in its currency"),
            });
        }
        let take = wanted.minor().min(outstanding).min(left);
        if take <= 0 {
            continue;
        }
        st.insert_allocation
            .execute(params![tenant, payment, invoice.0, take, now])?;
        st.reduce_outstanding
            .execute(params![take, tenant, invoice.0])?;
        left -= take;
        outcome.allocated_minor += take;
        if take == outstanding {
            paid_invoices.push(invoice.0);
        } else {
            remainders.push((invoice.0, outstanding - take));
        }
    }
    outcome.unallocated_minor = left;
    for (invoice, remainder) in written_off(effects, left, &remainders) {
        let write_off = effects
            .write_off
            .as_ref()
            .expect("a remainder is written off only with a tolerance");
        st.reduce_outstanding
            .execute(params![remainder, tenant, invoice])?;
        st.insert_settlement.query_row(
            params![
                tenant,
                plan.customer.0,
                invoice,
                SettlementKind::WriteOff.code(),
                plan.amount.currency().code(),
                remainder,
                plan.received_on.to_string(),
                write_off.reason,
                write_off.decided_by,
                "",
                now,
                payment,
            ],
            |row| row.get::<_, i64>(0),
        )?;
        outcome.write_offs += 1;
        outcome.written_off_minor += remainder;
        paid_invoices.push(invoice);
    }
    let balance: i64 = st
        .customer_balance
        .query_row(params![tenant, plan.customer.0], |row| row.get(0))?;
    let kept = st.keep_promises.execute(params![
        effects.today.to_string(),
        tenant,
        plan.customer.0,
        balance
    ])?;
    outcome.promises_kept = u32::try_from(kept).unwrap_or(u32::MAX);
    let pending: Vec<(i64, String)> = st
        .pending_actions
        .query_map(params![tenant, plan.customer.0], |row| {
            Ok((row.get(0)?, row.get(1)?))
        })?
        .collect::<Result<_, _>>()?;
    for (action, invoice_ids) in pending {
        let ids = action_invoices(action, &invoice_ids)?;
        if ids.is_empty() {
            continue;
        }
        // A customer who owes nothing more has no invoice left that a message could claim.
        let still_owed: i64 = if balance == 0 {
            0
        } else {
            st.still_owed
                .query_row(params![tenant, id_list(ids)], |row| row.get(0))?
        };
        if still_owed == 0 {
            st.cancel_action
                .execute(params![effects.cancel_note, tenant, action])?;
            outcome.actions_cancelled += 1;
        }
    }
    if balance == 0 && outcome.allocated_minor > 0 {
        outcome.case_closed = true;
        st.insert_closure.execute(params![
            tenant,
            plan.customer.0,
            payment,
            None::<i64>,
            effects.today.to_string(),
            effects.closure_note,
            now
        ])?;
        let (episode, email, consent_email): (i64, Option<String>, i64) = st
            .closure_contact
            .query_row(params![tenant, plan.customer.0], |row| {
                Ok((row.get(0)?, row.get(1)?, row.get(2)?))
            })?;
        let paid: Vec<i64> = if paid_invoices.is_empty() {
            Vec::new()
        } else {
            st.paid_by_due
                .query_map(params![tenant, id_list(paid_invoices)], |row| row.get(0))?
                .collect::<Result<_, _>>()?
        };
        for (key, action) in
            closure_actions(plan.customer, episode, email, consent_email, paid, effects)?
        {
            if execute_action(&mut st.requeue, tenant, &action)? > 0 {
                if key == "receipt" {
                    outcome.receipt_queued = true;
                } else {
                    outcome.thank_you_queued = true;
                }
            }
        }
    }
    Ok(outcome)
}

/// `undo_payment!` on SQLite; `woken` receives the customers of the invoices given back what
/// the payment had taken.
fn undo_payment(
    st: &mut Prepared<'_>,
    tenant: i64,
    payment: i64,
    note: &str,
    woken: &mut Vec<i64>,
) -> Result<(), StoreError> {
    st.cancel_receipts.execute(params![note, tenant, payment])?;
    let allocations: Vec<(i64, i64)> = st
        .payment_allocations
        .query_map(params![tenant, payment], |row| {
            Ok((row.get(0)?, row.get(1)?))
        })?
        .collect::<Result<_, _>>()?;
    for (invoice, amount) in &allocations {
        st.restore_outstanding
            .execute(params![amount, tenant, invoice])?;
        woken.push(
            st.invoice_customer
                .query_row(params![tenant, invoice], |row| row.get(0))?,
        );
    }
    for statement in &mut st.undo_payment {
        statement.execute(params![tenant, payment])?;
    }
    Ok(())
}

/// What the customers owe and who they are, for the matcher; one read transaction, so the
/// three reads see the same state. The open items come from the covering index of open
/// invoices, each row added as it is read, its texts borrowed from SQLite's buffers.
pub(super) fn matching_inputs(
    connection: &mut Connection,
    tenant: i64,
) -> Result<MatchInputs, StoreError> {
    // Each page is read once, in order: a large cache would hold nothing worth keeping, and
    // SQLite's allocator keeps the memory of a closed connection's cache for the process.
    connection.pragma_update(None, "cache_size", -READ_ONCE_CACHE_KIB)?;
    let tx = connection.transaction()?;
    let mut inputs = MatchInputs::default();
    {
        let mut statement = tx.prepare(&sqlite_dialect(OPEN_ITEMS))?;
        let mut rows = statement.query(params![tenant])?;
        while let Some(row) = rows.next()? {
            let text = |column: usize, what: &'static str| {
                row.get_ref(column)?.as_str().map_err(|_| corrupt(what))
            };
            inputs.add_item(
                InvoiceId(row.get(0)?),
                CustomerId(row.get(1)?),
                text(2, "open invoice number")?,
                parse_date(text(3, "open invoice due date")?)?,
                Money::from_minor(row.get(4)?, currency(text(5, "open invoice currency")?)?),
            );
        }
    }
    {
        let mut statement = tx.prepare(&sqlite_dialect(PAYERS))?;
        let mut rows = statement.query(params![tenant])?;
        while let Some(row) = rows.next()? {
            let text = |column: usize| {
                row.get_ref(column)?
                    .as_str()
                    .map_err(|_| corrupt("customer reference or name"))
            };
            inputs.add_customer(CustomerId(row.get(0)?), text(1)?, text(2)?);
        }
    }
    {
        let mut statement = tx.prepare(&sqlite_dialect(PAYER_ACCOUNTS))?;
        let mut rows = statement.query(params![tenant])?;
        while let Some(row) = rows.next()? {
            let account = row
                .get_ref(1)?
                .as_str()
                .map_err(|_| corrupt("payer account"))?;
            inputs.add_account(CustomerId(row.get(0)?), account);
        }
    }
    Ok(inputs)
}

/// `pick_open_items` on SQLite: one pass over the covering index of open invoices.
pub(super) fn pick_open_items<T>(
    connection: &mut Connection,
    tenant: i64,
    pick: impl Fn(OpenItem) -> Option<T>,
) -> Result<Vec<T>, StoreError> {
    let mut statement = connection.prepare(&sqlite_dialect(OPEN_ITEMS))?;
    let mut rows = statement.query(params![tenant])?;
    let mut picked = Vec::new();
    while let Some(row) = rows.next()? {
        picked.extend(pick(read_open_item(row)?));
    }
    Ok(picked)
}

fn read_open_item(row: &rusqlite::Row<'_>) -> Result<OpenItem, StoreError> {
    open_item(
        row.get(0)?,
        row.get(1)?,
        row.get(2)?,
        row.get_ref(3)?
            .as_str()
            .map_err(|_| corrupt("open invoice due date"))?,
        row.get(4)?,
        row.get_ref(5)?
            .as_str()
            .map_err(|_| corrupt("open invoice currency"))?,
    )
}

/// The keys among `keys` already stored: one lookup of the unique (tenant, account, key)
/// index each.
pub(super) fn existing_keys(
    connection: &mut Connection,
    tenant: i64,
    keys: Vec<(String, String)>,
) -> Result<HashSet<(String, String)>, StoreError> {
    let mut statement = connection.prepare(
        "SELECT 1 FROM bank_lines WHERE tenant_id = ?1 AND account = ?2 AND dedup_key = ?3",
    )?;
    let mut found = HashSet::new();
    for (account, key) in keys {
        if statement.exists(params![tenant, account, key])? {
            found.insert((account, key));
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::{PAID_BY_DUE, PAID_BY_DUE_LISTED, STILL_OWED, STILL_OWED_LISTED};
    use crate::sqlite_direct::sqlite_plan;

    #[tokio::test]
    async fn a_paid_customers_actions_and_invoices_are_looked_up_by_id() {
        // Every pending action of a payer is checked this way: with a scan of the tenant's open
        // invoices each time, a bank import after a daily run did not finish in fifteen minutes.
        for query in [
            STILL_OWED,
            PAID_BY_DUE,
            STILL_OWED_LISTED,
            PAID_BY_DUE_LISTED,
        ] {
            let plan = sqlite_plan(&query.replace("{ids}", "4, 8, 15")).await;
            assert!(
                plan.contains("USING INTEGER PRIMARY KEY (rowid=?)"),
                "{plan}"
            );
            assert!(
                !plan.contains("USING INDEX") && !plan.contains("USING COVERING INDEX"),
                "{plan}"
            );
        }
    }
}
