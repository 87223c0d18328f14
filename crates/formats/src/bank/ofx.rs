//! OFX bank and credit-card statements: 1.x (SGML, leaf tags left open) and 2.x (XML).
//!
//! Real files mix both: XML headers over SGML bodies, closed and unclosed leaves in one file,
//! empty elements, unescaped `&` in memos, non-standard tags. So OFX is read by a tokenizer of
//! our own rather than an XML parser, with one rule for structure: an element followed by text
//! is a leaf (its end tag optional); an element followed by another element is an aggregate if
//! the file closes that name somewhere, else an empty leaf. An end tag closes everything opened
//! since the element it names; an end tag of nothing open is ignored.
//!
//! Safety is the XML reader's: a `<!DOCTYPE` or `<!ENTITY` declaration is refused and only the
//! XML predefined entities and character references are read, so nothing is ever fetched or
//! expanded.
//!
//! Read: every `STMTRS` (bank) and `CCSTMTRS` (credit card) statement: `CURDEF`, the account
//! (`ACCTID`, prefixed with `BANKID` and `BRANCHID` when given), `DTSTART`/`DTEND`, each
//! `STMTTRN` and `LEDGERBAL`. The sign of `TRNAMT` gives the direction (`TRNTYPE` is kept as
//! the transaction code); `FITID`, unique per account by the standard, is the bank reference.
//! OFX has no reversal indicator. A transaction with `CORRECTACTION` corrects an earlier one
//! and is refused: applying it needs the earlier transaction, which only the bank's
//! application holds.

use domain::bank::{
    AccountId, Balance, BankEntry, BankReferences, BankStatement, Counterparty, Direction, Period,
    Remittance,
};
use domain::money::{Currency, Money};
use jiff::civil::Date;

use super::{
    AmountStyle, BankFile, BankFormat, BankProblem, BankProblemKind, Field, Problems, clean_text,
    currency, decode, parse_amount, parse_compact_date,
};

/// OFX writes amounts with a point or a comma as decimal separator, and a sign.
const OFX_POINT: AmountStyle = AmountStyle {
    decimal: '.',
    signed: true,
    grouping: false,
};

const OFX_COMMA: AmountStyle = AmountStyle {
    decimal: ',',
    signed: true,
    grouping: false,
};

/// Reads an OFX file: every bank and credit-card statement in it.
pub fn read_ofx(bytes: &[u8]) -> Result<BankFile, Vec<BankProblem>> {
    let text = decode(bytes, false).map_err(|problem| vec![problem])?;
    let Some(body_start) = text.find('<') else {
        return Err(vec![BankProblem::new(1, BankProblemKind::NoStatement)]);
    };
    let header_version = header_version(&text[..body_start]);
    let first_line = super::line_of(text.as_bytes(), body_start);
    let tokens = tokenize(&text[body_start..], first_line).map_err(|problem| vec![problem])?;
    let pi_version = tokens.iter().find_map(|token| match token {
        Token::Version(version) => Some(version.clone()),
        _ => None,
    });
    let root = build_tree(&tokens);
    let variant = match header_version.or(pi_version) {
        Some(version) => format!("OFX {version}"),
        None => "OFX".to_owned(),
    };
    let mut problems = Problems::default();
    let mut statements = Vec::new();
    let mut found = false;
    for statement in root
        .descendants("STMTRS")
        .into_iter()
        .chain(root.descendants("CCSTMTRS"))
    {
        found = true;
        if let Some(statement) = read_statement(statement, &mut problems) {
            statements.push(statement);
        }
    }
    if !found {
        problems.push(BankProblem::new(1, BankProblemKind::NoStatement));
    }
    problems.finish(BankFile {
        format: BankFormat::Ofx,
        variant,
        statements,
    })
}

/// `VERSION:102` from an OFX 1 header.
fn header_version(header: &str) -> Option<String> {
    header.lines().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        (key.trim() == "VERSION")
            .then(|| value.trim().to_owned())
            .filter(|version| !version.is_empty())
    })
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Open {
        name: String,
        line: u64,
    },
    Close {
        name: String,
    },
    Text {
        text: String,
    },
    /// The `VERSION` of an `<?OFX …?>` processing instruction.
    Version(String),
}

fn tokenize(body: &str, first_line: u64) -> Result<Vec<Token>, BankProblem> {
    let mut tokens = Vec::new();
    let mut line = first_line;
    let mut rest = body;
    while !rest.is_empty() {
        let consumed;
        if let Some(after) = rest.strip_prefix("<!--") {
            let end = after.find("-->").map_or(after.len(), |end| end + 3);
            consumed = 4 + end;
        } else if let Some(after) = rest.strip_prefix("<![CDATA[") {
            let end = after.find("]]>").unwrap_or(after.len());
            tokens.push(Token::Text {
                text: after[..end].to_owned(),
            });
            consumed = 9 + (end + 3).min(after.len());
        } else if rest.starts_with("<!") {
            return Err(BankProblem::new(line, BankProblemKind::DtdRefused));
        } else if let Some(after) = rest.strip_prefix("<?") {
            let end = after.find("?>").map_or(after.len(), |end| end + 2);
            let instruction = &after[..end];
            if let Some(ofx) = instruction.strip_prefix("OFX")
                && let Some(version) = attribute(ofx, "VERSION")
            {
                tokens.push(Token::Version(version));
            }
            consumed = 2 + end;
        } else if rest.starts_with('<') {
            let Some(end) = rest.find('>') else {
                return Err(BankProblem::new(
                    line,
                    BankProblemKind::MalformedField { expected: "<TAG>" },
                )
                .with_value(&rest.chars().take(40).collect::<String>()));
            };
            let inner = rest[1..end].trim();
            match inner.strip_prefix('/') {
                Some(name) => tokens.push(Token::Close {
                    name: name.trim().to_ascii_uppercase(),
                }),
                None => {
                    let name = inner
                        .split_whitespace()
                        .next()
                        .unwrap_or("")
                        .trim_end_matches('/');
                    tokens.push(Token::Open {
                        name: name.to_ascii_uppercase(),
                        line,
                    });
                    if inner.ends_with('/') {
                        tokens.push(Token::Close {
                            name: name.to_ascii_uppercase(),
                        });
                    }
                }
            }
            consumed = end + 1;
        } else {
            let end = rest.find('<').unwrap_or(rest.len());
            tokens.push(Token::Text {
                text: unescape(&rest[..end]),
            });
            consumed = end;
        }
        line += rest[..consumed]
            .bytes()
            .filter(|&byte| byte == b'\n')
            .count() as u64;
        rest = &rest[consumed..];
    }
    Ok(tokens)
}

/// `VERSION="200"` in a processing instruction.
fn attribute(text: &str, name: &str) -> Option<String> {
    let start = text.find(&format!("{name}=\""))? + name.len() + 2;
    let end = text[start..].find('"')?;
    Some(text[start..start + end].to_owned())
}

/// Resolves the XML predefined entities and character references; anything else, including
/// a bare `&` as SGML files write it in memos, stays as written.
fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(index) = rest.find('&') {
        out.push_str(&rest[..index]);
        let after = &rest[index + 1..];
        let resolved = after.find(';').filter(|&end| end <= 10).and_then(|end| {
            let name = &after[..end];
            let character = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                _ => name.strip_prefix('#').and_then(|number| {
                    let code = match number.strip_prefix(['x', 'X']) {
                        Some(hex) => u32::from_str_radix(hex, 16).ok(),
                        None => number.parse::<u32>().ok(),
                    };
                    code.and_then(char::from_u32).filter(|c| *c != '\0')
                }),
            };
            character.map(|character| (character, end))
        });
        match resolved {
            Some((character, end)) => {
                out.push(character);
                rest = &after[end + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// An element of the file: a leaf with its text, or an aggregate with children.
#[derive(Debug, Clone, Default)]
struct Node {
    name: String,
    line: u64,
    text: Option<String>,
    children: Vec<Node>,
}

impl Node {
    fn child(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|child| child.name == name)
    }

    fn find(&self, path: &[&str]) -> Option<&Node> {
        path.iter().try_fold(self, |node, name| node.child(name))
    }

    /// The trimmed text of the leaf at `path`, when it has some.
    fn text_at(&self, path: &[&str]) -> Option<&str> {
        self.find(path)
            .and_then(|node| node.text.as_deref())
            .map(str::trim)
            .filter(|text| !text.is_empty())
    }

    fn descendants<'a>(&'a self, name: &str) -> Vec<&'a Node> {
        let mut found = Vec::new();
        let mut stack: Vec<&Node> = self.children.iter().rev().collect();
        while let Some(node) = stack.pop() {
            if node.name == name {
                found.push(node);
            } else {
                stack.extend(node.children.iter().rev());
            }
        }
        found
    }

    fn problem(&self, kind: BankProblemKind) -> BankProblem {
        BankProblem::new(self.line, kind).at(Field::Tag(self.name.clone()))
    }
}

fn build_tree(tokens: &[Token]) -> Node {
    let closable: std::collections::HashSet<&str> = tokens
        .iter()
        .filter_map(|token| match token {
            Token::Close { name } => Some(name.as_str()),
            _ => None,
        })
        .collect();
    let is_blank = |token: &Token| {
        matches!(token, Token::Text { text } if text.trim().is_empty())
            || matches!(token, Token::Version(_))
    };
    let mut stack = vec![Node::default()];
    let mut index = 0;
    while index < tokens.len() {
        match &tokens[index] {
            Token::Open { name, line } => {
                let mut next = index + 1;
                if let Some(Token::Text { text }) = tokens.get(next)
                    && !text.trim().is_empty()
                {
                    let leaf = Node {
                        name: name.clone(),
                        line: *line,
                        text: Some(text.clone()),
                        children: Vec::new(),
                    };
                    next += 1;
                    if matches!(tokens.get(next), Some(Token::Close { name: closed }) if closed == name)
                    {
                        next += 1;
                    }
                    push_child(&mut stack, leaf);
                    index = next;
                    continue;
                }
                while tokens.get(next).is_some_and(is_blank) {
                    next += 1;
                }
                let node = Node {
                    name: name.clone(),
                    line: *line,
                    text: None,
                    children: Vec::new(),
                };
                match tokens.get(next) {
                    Some(Token::Close { name: closed }) if closed == name => {
                        push_child(
                            &mut stack,
                            Node {
                                text: Some(String::new()),
                                ..node
                            },
                        );
                        index = next + 1;
                    }
                    Some(Token::Open { .. }) if closable.contains(name.as_str()) => {
                        stack.push(node);
                        index = next;
                    }
                    _ => {
                        push_child(
                            &mut stack,
                            Node {
                                text: Some(String::new()),
                                ..node
                            },
                        );
                        index = next;
                    }
                }
            }
            Token::Close { name } => {
                if let Some(position) = stack.iter().skip(1).rposition(|node| &node.name == name) {
                    let position = position + 1;
                    while stack.len() > position {
                        let done = stack.pop().unwrap_or_default();
                        push_child(&mut stack, done);
                    }
                }
                index += 1;
            }
            Token::Text { .. } | Token::Version(_) => index += 1,
        }
    }
    while stack.len() > 1 {
        let done = stack.pop().unwrap_or_default();
        push_child(&mut stack, done);
    }
    stack.pop().unwrap_or_default()
}

fn push_child(stack: &mut [Node], child: Node) {
    if let Some(parent) = stack.last_mut() {
        parent.children.push(child);
    }
}

fn read_statement(statement: &Node, problems: &mut Problems) -> Option<BankStatement> {
    let mut broken = false;
    let mut report = |problem: BankProblem| {
        problems.push(problem);
        broken = true;
    };
    let transactions: Vec<&Node> = statement
        .find(&["BANKTRANLIST"])
        .map(|list| {
            list.children
                .iter()
                .filter(|node| node.name == "STMTTRN")
                .collect()
        })
        .unwrap_or_default();
    let declared = match statement.find(&["CURDEF"]) {
        Some(node) => match node
            .text
            .as_deref()
            .map(str::trim)
            .filter(|text| !text.is_empty())
        {
            Some(code) => match currency(code) {
                Ok(currency) => Some(currency),
                Err(kind) => {
                    report(node.problem(kind).with_value(code));
                    return None;
                }
            },
            None => None,
        },
        None => None,
    };
    // A statement that leaves CURDEF empty still names each transaction's currency.
    let fallback = transactions
        .iter()
        .find_map(|transaction| transaction.text_at(&["CURRENCY", "CURSYM"]))
        .and_then(|code| currency(code).ok());
    let Some(currency) = declared.or(fallback) else {
        report(
            statement
                .problem(BankProblemKind::Missing)
                .with_value("CURDEF"),
        );
        return None;
    };
    let account = account(statement);
    let list = statement.find(&["BANKTRANLIST"]);
    let start = list.map(|list| date_at(list, "DTSTART")).transpose();
    let end = list.map(|list| date_at(list, "DTEND")).transpose();
    let period = match (start, end) {
        (Ok(Some(Some(from))), Ok(Some(Some(to)))) => Some(Period { from, to }),
        (start, end) => {
            for problem in [start.err(), end.err()].into_iter().flatten() {
                report(problem);
            }
            None
        }
    };
    let closing_balance = match statement.find(&["LEDGERBAL"]) {
        Some(ledger) => match ledger_balance(ledger, currency) {
            Ok(balance) => balance,
            Err(problem) => {
                report(problem);
                None
            }
        },
        None => None,
    };
    let mut entries = Vec::with_capacity(transactions.len());
    for transaction in transactions {
        match read_transaction(transaction, currency) {
            Ok(entry) => entries.push(entry),
            Err(found) => {
                for problem in found {
                    report(problem);
                }
            }
        }
    }
    if broken {
        return None;
    }
    Some(BankStatement {
        account,
        currency,
        id: None,
        sequence: None,
        period,
        opening_balance: None,
        closing_balance,
        entries,
        skipped: Vec::new(),
    })
}

/// The account: `ACCTID`, after `BANKID` and `BRANCHID` when the file gives them, as account
/// numbers repeat from bank to bank; an IBAN alone when `ACCTID` is one.
fn account(statement: &Node) -> Option<AccountId> {
    let from = statement
        .child("BANKACCTFROM")
        .or_else(|| statement.child("CCACCTFROM"))?;
    let id = from.text_at(&["ACCTID"])?;
    if let Some(AccountId::Iban(iban)) = AccountId::parse(id) {
        return Some(AccountId::Iban(iban));
    }
    let parts: Vec<&str> = [
        from.text_at(&["BANKID"]),
        from.text_at(&["BRANCHID"]),
        Some(id),
    ]
    .into_iter()
    .flatten()
    .collect();
    AccountId::parse(&parts.join(" "))
}

/// The date of the leaf `name` of `parent`: `Ok(None)` when absent or empty.
fn date_at(parent: &Node, name: &str) -> Result<Option<Date>, BankProblem> {
    let Some(node) = parent.child(name) else {
        return Ok(None);
    };
    let Some(text) = node
        .text
        .as_deref()
        .map(str::trim)
        .filter(|text| !text.is_empty())
    else {
        return Ok(None);
    };
    parse_compact_date(text)
        .map(Some)
        .ok_or_else(|| node.problem(BankProblemKind::InvalidDate).with_value(text))
}

fn amount_at(node: &Node, currency: Currency) -> Result<Money, BankProblem> {
    let text = node.text.as_deref().unwrap_or("").trim();
    let style = if text.contains(',') && !text.contains('.') {
        OFX_COMMA
    } else {
        OFX_POINT
    };
    parse_amount(text, currency, style).map_err(|reason| {
        node.problem(BankProblemKind::InvalidAmount(reason))
            .with_value(text)
    })
}

/// `LEDGERBAL`: `None` when its amount or date is left empty, as some exports do.
fn ledger_balance(ledger: &Node, currency: Currency) -> Result<Option<Balance>, BankProblem> {
    let Some(amount) = ledger.child("BALAMT").filter(|node| {
        node.text
            .as_deref()
            .is_some_and(|text| !text.trim().is_empty())
    }) else {
        return Ok(None);
    };
    let amount = amount_at(amount, currency)?;
    Ok(date_at(ledger, "DTASOF")?.map(|date| Balance { amount, date }))
}

fn read_transaction(transaction: &Node, currency: Currency) -> Result<BankEntry, Vec<BankProblem>> {
    let mut problems = Vec::new();
    if let Some(correction) = transaction.child("CORRECTACTION") {
        problems.push(
            correction
                .problem(BankProblemKind::CorrectionUnsupported)
                .with_value(correction.text.as_deref().unwrap_or("")),
        );
    }
    let currency = match transaction.text_at(&["CURRENCY", "CURSYM"]) {
        Some(code) => match super::currency(code) {
            Ok(currency) => currency,
            Err(kind) => {
                let node = transaction
                    .find(&["CURRENCY", "CURSYM"])
                    .unwrap_or(transaction);
                problems.push(node.problem(kind).with_value(code));
                currency
            }
        },
        None => currency,
    };
    let required = |name: &str| {
        transaction
            .child(name)
            .filter(|node| {
                node.text
                    .as_deref()
                    .is_some_and(|text| !text.trim().is_empty())
            })
            .ok_or_else(|| {
                transaction
                    .problem(BankProblemKind::Missing)
                    .with_value(name)
            })
    };
    let amount = required("TRNAMT").and_then(|node| amount_at(node, currency));
    let posted = required("DTPOSTED").and_then(|node| {
        let text = node.text.as_deref().unwrap_or("").trim();
        parse_compact_date(text)
            .ok_or_else(|| node.problem(BankProblemKind::InvalidDate).with_value(text))
    });
    let available = match transaction.child("DTAVAIL") {
        Some(_) => date_at(transaction, "DTAVAIL"),
        None => date_at(transaction, "VALUEDATE"),
    };
    let (Ok(amount), Ok(booking_date), Ok(value_date)) = (
        amount.map_err(|problem| problems.push(problem)),
        posted.map_err(|problem| problems.push(problem)),
        available.map_err(|problem| problems.push(problem)),
    ) else {
        return Err(problems);
    };
    if !problems.is_empty() {
        return Err(problems);
    }
    let (direction, amount) = if amount.is_negative() {
        (
            Direction::Debit,
            Money::from_minor(-amount.minor(), amount.currency()),
        )
    } else {
        (Direction::Credit, amount)
    };
    let name = transaction
        .text_at(&["NAME"])
        .or_else(|| transaction.text_at(&["PAYEE", "NAME"]))
        .and_then(clean_text);
    let counterparty_account = transaction
        .text_at(&["BANKACCTTO", "ACCTID"])
        .or_else(|| transaction.text_at(&["CCACCTTO", "ACCTID"]))
        .and_then(AccountId::parse);
    Ok(BankEntry {
        line: transaction.line,
        booking_date,
        value_date,
        amount,
        direction,
        reversal: false,
        return_reason: None,
        counterparty: Counterparty {
            name,
            account: counterparty_account,
            bic: None,
        },
        remittance: Remittance {
            lines: transaction
                .text_at(&["MEMO"])
                .and_then(clean_text)
                .into_iter()
                .collect(),
            creditor_reference: None,
        },
        references: BankReferences {
            bank: transaction
                .text_at(&["FITID"])
                .and_then(BankReferences::clean),
            customer: transaction
                .text_at(&["REFNUM"])
                .and_then(BankReferences::clean),
            cheque: transaction
                .text_at(&["CHECKNUM"])
                .and_then(BankReferences::clean),
            ..BankReferences::default()
        },
        transaction_code: transaction
            .text_at(&["TRNTYPE"])
            .map(str::to_ascii_uppercase),
        additional_info: None,
        batch: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SGML: &str = "OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\n\n<OFX>\n<BANKMSGSRSV1><STMTTRNRS><STMTRS>\n<CURDEF>EUR\n<BANKACCTFROM><BANKID>30004<BRANCHID>00001<ACCTID>00012345678<ACCTTYPE>CHECKING</BANKACCTFROM>\n<BANKTRANLIST><DTSTART>20260301<DTEND>20260331\n<STMTTRN><TRNTYPE>CREDIT<DTPOSTED>20260302<TRNAMT>1200,00<FITID>A1<NAME>ATELIER DUPONT<MEMO>Facture F-17 & F-18</STMTTRN>\n</BANKTRANLIST><LEDGERBAL><BALAMT>1200.00<DTASOF>20260331</LEDGERBAL>\n</STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>\n";

    #[test]
    fn an_sgml_statement_is_read_with_its_open_leaves() {
        let file = read_ofx(SGML.as_bytes()).unwrap();
        assert_eq!(file.variant, "OFX 102");
        let statement = &file.statements[0];
        assert_eq!(
            statement.account.as_ref().map(AccountId::as_str),
            Some("30004 00001 00012345678")
        );
        let entry = &statement.entries[0];
        assert_eq!(entry.amount.minor(), 120_000);
        assert_eq!(entry.line, 10);
        assert_eq!(
            entry.remittance.lines,
            vec!["Facture F-17 & F-18".to_owned()]
        );
        assert_eq!(entry.references.bank.as_deref(), Some("A1"));
        assert_eq!(
            statement.closing_balance.map(|b| b.amount.minor()),
            Some(120_000)
        );
    }

    #[test]
    fn entities_are_read_and_declarations_refused() {
        assert_eq!(
            unescape("A &amp; B &lt;&#233;&#xE9;&gt; & C &nbsp;"),
            "A & B <éé> & C &nbsp;"
        );
        let problems = read_ofx(
            b"<?xml version=\"1.0\"?>\n<!DOCTYPE OFX [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n<OFX>&x;</OFX>",
        )
        .unwrap_err();
        assert_eq!(
            (problems[0].line, &problems[0].kind),
            (2, &BankProblemKind::DtdRefused)
        );
    }

    #[test]
    fn a_correction_is_refused() {
        let corrected = SGML.replace(
            "<FITID>A1",
            "<FITID>A2<CORRECTFITID>A1<CORRECTACTION>DELETE",
        );
        let problems = read_ofx(corrected.as_bytes()).unwrap_err();
        assert_eq!(problems[0].kind, BankProblemKind::CorrectionUnsupported);
        assert_eq!(problems[0].field, Some(Field::Tag("CORRECTACTION".into())));
    }

    #[test]
    fn unknown_aggregates_and_stray_end_tags_do_not_break_the_tree() {
        let tokens = tokenize("<A><B>1<C><D>2</D></C></X><E></E><F>\n<G>3</A>", 1).unwrap();
        let root = build_tree(&tokens);
        let a = root.child("A").unwrap();
        let names: Vec<&str> = a.children.iter().map(|node| node.name.as_str()).collect();
        assert_eq!(names, vec!["B", "C", "E", "F", "G"]);
        assert_eq!(a.text_at(&["C", "D"]), Some("2"));
        assert_eq!(a.text_at(&["G"]), Some("3"));
    }
}
