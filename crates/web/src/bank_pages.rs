//! Bank statements in the pages: uploading a bank file (the same all-or-nothing import as
//! `relance import bank`, a CSV read with the built-in or a saved mapping), and the reconciliation page, where a collector confirms the matcher's
//! suggestion for a bank line, matches it by hand to invoices they choose, undoes a match, or
//! sets a line aside. Every change goes through `app::payments`, as the command line's do.

use app::accounts::Permission;
use app::payments::{self, BankFormat, PaymentError, ReviewItem};
use axum::Form;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::AppState;
use crate::auth::{Staff, check_csrf, staff};
use crate::error::WebError;
use crate::i18n::Lang;
use crate::pages::{self, PageResult, is_htmx, require};
use crate::views::{date, money};

/// How many lines already paid the page lists, newest first (the command line lists them all).
const RECENT_APPLIED: u32 = 20;
/// Lines of the review queue a page shows.
const QUEUE_PAGE: u32 = 50;

/// A payment error as a page says it: unknown lines and invoices are not found (another
/// creditor's included), the rest refused in the page's language.
fn refused(error: PaymentError, lang: Lang) -> WebError {
    match error {
        PaymentError::UnknownLine { .. }
        | PaymentError::UnknownInvoice { .. }
        | PaymentError::UnknownCustomer { .. } => WebError::NotFound(lang),
        PaymentError::Store(store) => crate::error::in_lang(store.into(), lang),
        other => WebError::Refused(lang, other.describe(lang.language())),
    }
}

fn state_label(state: &str, lang: Lang) -> &'static str {
    lang.t(&format!("bank_state_{state}"))
}

fn row(item: &ReviewItem, lang: Lang) -> Value {
    let line = &item.line;
    json!({
        "id": line.id,
        "date": date(line.booking_date, lang),
        "amount": money(line.amount, lang),
        "credit": line.credit,
        "payer": line.counterparty_name,
        "remittance": line.remittance,
        "reference": line.creditor_reference,
        "state": line.state,
        "state_label": state_label(&line.state, lang),
        "confidence": line.confidence,
        "explanation": match lang {
            Lang::Fr => &line.explanation_fr,
            Lang::En => &line.explanation_en,
        },
        "customer": item.customer,
        "invoices": item.invoices.iter().map(|(number, amount)| json!({
            "number": number, "amount": money(*amount, lang),
        })).collect::<Vec<_>>(),
        "waiting": matches!(line.state.as_str(), "suggested" | "unmatched"),
        "paid": matches!(line.state.as_str(), "auto_applied" | "manual"),
    })
}

async fn bank_page(
    state: &AppState,
    staff: &Staff,
    page_number: u32,
    extra: Value,
    status: StatusCode,
) -> PageResult {
    let lang = staff.lang;
    let page_number = page_number.max(1);
    let (waiting, queue) = payments::review_queue_page(
        &state.store,
        &staff.tenant,
        (page_number - 1).saturating_mul(QUEUE_PAGE),
        QUEUE_PAGE,
    )
    .await
    .map_err(|error| refused(error, lang))?;
    let pages = pages::page_count(waiting, QUEUE_PAGE);
    let applied = payments::recently_applied(&state.store, &staff.tenant, RECENT_APPLIED)
        .await
        .map_err(|error| refused(error, lang))?;
    let mappings = payments::mappings(&state.store, &staff.tenant)
        .await
        .map_err(|error| refused(error, lang))?;
    let values = json!({
        "queue": queue.iter().map(|item| row(item, lang)).collect::<Vec<_>>(),
        "waiting": waiting,
        "page": page_number, "pages": pages,
        "prev_url": format!("/bank?page={}", page_number.saturating_sub(1).max(1)),
        "next_url": format!("/bank?page={}", page_number + 1),
        "applied": applied.iter().map(|item| row(item, lang)).collect::<Vec<_>>(),
        "can_work": staff.account.role.allows(Permission::Work),
        "formats": BankFormat::ALL.iter().map(|format| format.code()).collect::<Vec<_>>(),
        // The saved CSV mappings, offered as formats `csv:NAME` (the built-in one is `csv`).
        "mappings": mappings
            .iter()
            .map(|(name, _)| name)
            .filter(|name| *name != payments::FRENCH_MAPPING)
            .collect::<Vec<_>>(),
    });
    pages::page_with(
        staff,
        "bank.html",
        lang.t("bank_title"),
        values,
        extra,
        status,
    )
}

#[derive(Deserialize)]
pub(crate) struct BankParams {
    page: Option<u32>,
}

/// `GET /bank`: the upload form, a page of the lines waiting for a person, and the last lines
/// paid.
pub(crate) async fn page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(params): Query<BankParams>,
) -> PageResult {
    let staff = staff(&state, &headers).await?;
    bank_page(
        &state,
        &staff,
        params.page.unwrap_or(1),
        json!({}),
        StatusCode::OK,
    )
    .await
}

/// `POST /bank/import`: a bank file, imported whole or refused whole with its problems by line.
pub(crate) async fn import(
    State(state): State<AppState>,
    headers: HeaderMap,
    mut multipart: Multipart,
) -> PageResult {
    let staff = staff(&state, &headers).await?;
    let lang = staff.lang;
    let upload = pages::read_upload(&staff, &headers, &mut multipart).await?;
    require(&staff, Permission::Work)?;
    let Some((file_name, bytes)) = upload.file else {
        return Err(WebError::Refused(lang, lang.t("bank_file").to_owned()));
    };
    let (format, mapping) = match upload.format.as_str() {
        "" | "auto" => (None, None),
        "csv" => (Some(BankFormat::Csv), Some(payments::french_csv_mapping())),
        code if code.starts_with("csv:") => {
            let name = &code["csv:".len()..];
            let spec = payments::mapping_spec(&state.store, &staff.tenant, name)
                .await
                .map_err(|error| refused(error, lang))?;
            let mapping = spec
                .mapping()
                .map_err(|error| refused(error.into(), lang))?;
            (Some(BankFormat::Csv), Some(mapping))
        }
        code => match BankFormat::from_code(code) {
            Some(format) => (Some(format), None),
            None => {
                return Err(WebError::Refused(
                    lang,
                    format!("{} : {code:?}", lang.t("import_format")),
                ));
            }
        },
    };
    let outcome = payments::import_bank(
        &state.store,
        &staff.tenant,
        state.clock,
        &bytes,
        &file_name,
        format,
        mapping.as_ref(),
        lang.language(),
    )
    .await;
    match outcome {
        Ok(report) => {
            let o = &report.outcome;
            let values = json!({ "report": {
                "file": file_name,
                "format": report.variant,
                "statements": report.statements,
                "lines_read": o.lines_read,
                "created": o.created,
                "duplicates": o.duplicates,
                "applied": o.applied,
                "queued": o.queued,
                "outgoing": o.outgoing,
                "reversals": o.reversals_applied + o.reversals_queued,
                "not_booked": report.skipped,
                "closed": o.cases_closed,
            }});
            bank_page(&state, &staff, 1, values, StatusCode::OK).await
        }
        Err(PaymentError::Rejected(problems)) => {
            let values = json!({
                "file": file_name,
                "problems": problems.iter().map(|problem| json!({
                    "line": problem.line,
                    "text": problem.describe(lang.language()),
                })).collect::<Vec<_>>(),
            });
            bank_page(&state, &staff, 1, values, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(error) => Err(refused(error, lang)),
    }
}

/// `GET /bank-lines/{id}`: one line, and the open invoices it may pay, ranked, to match by hand.
pub(crate) async fn line(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> PageResult {
    let staff = staff(&state, &headers).await?;
    let lang = staff.lang;
    let (item, candidates) = payments::candidates(&state.store, &staff.tenant, id)
        .await
        .map_err(|error| refused(error, lang))?;
    let title = format!("{} {id}", lang.t("bank_line"));
    pages::page(
        &staff,
        "bank_line.html",
        &title,
        json!({
            "l": row(&item, lang),
            "can_work": staff.account.role.allows(Permission::Work),
            "candidates": candidates.iter().map(|candidate| json!({
                "number": candidate.invoice.number,
                "customer_ref": candidate.invoice.customer_ref,
                "customer_name": candidate.invoice.customer_name,
                "outstanding": money(candidate.invoice.outstanding, lang),
                "due_on": date(candidate.due_on, lang),
                "reason": candidate.reason.describe(lang.language()),
                "checked": candidate.reason == payments::CandidateReason::Suggested,
            })).collect::<Vec<_>>(),
        }),
    )
}

/// The fields of a line's forms: the token, and the invoices chosen (checked boxes named
/// `invoice`, or numbers typed in `invoices`, separated by spaces or commas).
struct LineForm {
    csrf: String,
    invoices: Vec<String>,
}

fn line_form(fields: Vec<(String, String)>) -> LineForm {
    let mut form = LineForm {
        csrf: String::new(),
        invoices: Vec::new(),
    };
    for (name, value) in fields {
        match name.as_str() {
            "csrf" => form.csrf = value,
            "invoice" => form.invoices.push(value.trim().to_owned()),
            "invoices" => form.invoices.extend(
                value
                    .split(|c: char| c == ',' || c == ';' || c.is_whitespace())
                    .filter(|number| !number.is_empty())
                    .map(str::to_owned),
            ),
            _ => {}
        }
    }
    form.invoices.retain(|number| !number.is_empty());
    form.invoices.dedup();
    form
}

/// After a change: htmx gets the line's row in its new state, a browser the page again.
async fn answer(state: &AppState, staff: &Staff, headers: &HeaderMap, id: i64) -> PageResult {
    if !is_htmx(headers) {
        return Ok(Redirect::to("/bank").into_response());
    }
    row_fragment(state, staff, id, None).await
}

/// A line's row, as htmx swaps it in, with what was wrong if something was.
async fn row_fragment(
    state: &AppState,
    staff: &Staff,
    id: i64,
    error: Option<String>,
) -> PageResult {
    let item = payments::line(&state.store, &staff.tenant, id)
        .await
        .map_err(|error| refused(error, staff.lang))?;
    pages::fragment(
        staff,
        "bank_row.html",
        json!({ "l": row(&item, staff.lang), "can_work": true, "error": error }),
    )
}

async fn checked(
    state: &AppState,
    headers: &HeaderMap,
    form: &LineForm,
) -> Result<Staff, WebError> {
    let staff = staff(state, headers).await?;
    check_csrf(&staff, headers, Some(&form.csrf))?;
    require(&staff, Permission::Work)?;
    Ok(staff)
}

/// `POST /bank-lines/{id}/match`: pays the invoices chosen (the suggestion's, to confirm it)
/// with the line, oldest first; what is left is the customer's credit.
pub(crate) async fn match_line(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> PageResult {
    let form = line_form(fields);
    let staff = checked(&state, &headers, &form).await?;
    let outcome = payments::match_line(
        &state.store,
        &staff.tenant,
        state.clock,
        id,
        &form.invoices,
        staff.lang.language(),
    )
    .await;
    match outcome {
        // htmx shows what is wrong in the line's row; a browser gets the error page.
        Err(error @ PaymentError::Invalid(_)) if is_htmx(&headers) => {
            let message = error.describe(staff.lang.language());
            row_fragment(&state, &staff, id, Some(message)).await
        }
        Err(error) => Err(refused(error, staff.lang)),
        Ok(_) => answer(&state, &staff, &headers, id).await,
    }
}

/// `POST /bank-lines/{id}/unmatch`: the invoices owe again what the line paid; it waits for
/// review.
pub(crate) async fn unmatch_line(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> PageResult {
    let form = line_form(fields);
    let staff = checked(&state, &headers, &form).await?;
    payments::unmatch_line(
        &state.store,
        &staff.tenant,
        state.clock,
        id,
        staff.lang.language(),
    )
    .await
    .map_err(|error| refused(error, staff.lang))?;
    answer(&state, &staff, &headers, id).await
}

/// `POST /bank-lines/{id}/ignore`: the line is not a customer's payment.
pub(crate) async fn ignore_line(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> PageResult {
    let form = line_form(fields);
    let staff = checked(&state, &headers, &form).await?;
    payments::ignore_line(&state.store, &staff.tenant, state.clock, id)
        .await
        .map_err(|error| refused(error, staff.lang))?;
    answer(&state, &staff, &headers, id).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invoices_come_from_boxes_and_from_typed_numbers() {
        let form = line_form(vec![
            ("csrf".into(), "t".into()),
            ("invoice".into(), "F-002".into()),
            ("invoices".into(), " F-003, F-004;F-005 ".into()),
            ("invoice".into(), "".into()),
        ]);
        assert_eq!(form.csrf, "t");
        assert_eq!(form.invoices, ["F-002", "F-003", "F-004", "F-005"]);
    }
}
