//! Amounts and dates as a French or English reader expects them in a letter.
//!
//! Formatting lives here, not in `Money`: a value carries no presentation (STYLE.md, trap 14).
//! French puts a narrow no-break space between thousands and a no-break space before the
//! currency sign (`1 234,56 €`); English puts the sign first (`€1,234.56`). Amounts are printed
//! from their integer minor units, never through a float.

use domain::customer::Language;
use domain::money::Money;
use jiff::civil::Date;

/// U+202F, the French thousands separator: it never breaks a number across two lines.
const NARROW_NO_BREAK_SPACE: char = '\u{202F}';
/// U+00A0, between a number and its unit.
const NO_BREAK_SPACE: char = '\u{A0}';

/// `amount` as written in `language`: `1 234,56 €`, `€1,234.56`, `1 234 JPY`.
pub fn money(amount: Money, language: Language) -> String {
    let currency = amount.currency();
    let exponent = u32::from(currency.exponent());
    let magnitude = amount.minor().unsigned_abs();
    let scale = 10_u64.pow(exponent);
    let (whole, fraction) = (magnitude / scale, magnitude % scale);
    let (group, decimal) = match language {
        Language::French => (NARROW_NO_BREAK_SPACE, ','),
        Language::English => (',', '.'),
    };
    let mut number = grouped(whole, group);
    if exponent > 0 {
        number.push(decimal);
        number.push_str(&format!("{fraction:0width$}", width = exponent as usize));
    }
    let sign = if amount.is_negative() { "-" } else { "" };
    let code = currency.code();
    match language {
        Language::French => {
            let unit = if code == "EUR" { "€" } else { code };
            format!("{sign}{number}{NO_BREAK_SPACE}{unit}")
        }
        Language::English => match code {
            "EUR" => format!("{sign}€{number}"),
            "GBP" => format!("{sign}£{number}"),
            _ => format!("{sign}{code}{NO_BREAK_SPACE}{number}"),
        },
    }
}

fn grouped(mut whole: u64, separator: char) -> String {
    let mut groups = Vec::new();
    loop {
        groups.push(whole % 1000);
        whole /= 1000;
        if whole == 0 {
            break;
        }
    }
    let mut text = String::new();
    for (index, group) in groups.iter().rev().enumerate() {
        if index == 0 {
            text.push_str(&group.to_string());
        } else {
            text.push(separator);
            text.push_str(&format!("{group:03}"));
        }
    }
    text
}

const MONTHS_FR: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];

const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// The date in words, as in a letter: `1er novembre 2026`, `1 November 2026`.
pub fn long_date(day: Date, language: Language) -> String {
    let month = usize::try_from(day.month() - 1).expect("months are 1 to 12");
    match language {
        // French writes the first day of a month as an ordinal.
        Language::French if day.day() == 1 => format!("1er {} {}", MONTHS_FR[month], day.year()),
        Language::French => format!("{} {} {}", day.day(), MONTHS_FR[month], day.year()),
        Language::English => format!("{} {} {}", day.day(), MONTHS_EN[month], day.year()),
    }
}

/// The date in a table: `01/11/2026` in French, `1 Nov 2026` in English (a reader outside
/// Europe would take 01/11 for January).
pub fn short_date(day: Date, language: Language) -> String {
    match language {
        Language::French => format!("{:02}/{:02}/{}", day.day(), day.month(), day.year()),
        Language::English => {
            let month = usize::try_from(day.month() - 1).expect("months are 1 to 12");
            format!("{} {} {}", day.day(), &MONTHS_EN[month][..3], day.year())
        }
    }
}

/// An IBAN in groups of four, as printed on payment instructions.
pub fn grouped_iban(iban: &str) -> String {
    iban.as_bytes()
        .chunks(4)
        .map(|chunk| std::str::from_utf8(chunk).expect("an IBAN is ASCII"))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
#[allow(clippy::inconsistent_digit_grouping)] // cents grouped as euros_cents
mod tests {
    use domain::money::Currency;
    use jiff::civil::date;

    use super::*;

    fn eur(minor: i64) -> Money {
        Money::from_minor(minor, Currency::EUR)
    }

    #[test]
    fn amounts_follow_each_languages_conventions() {
        assert_eq!(
            money(eur(1_234_567_89), Language::French),
            "1\u{202F}234\u{202F}567,89\u{A0}€"
        );
        assert_eq!(money(eur(1_234_56), Language::English), "€1,234.56");
        assert_eq!(money(eur(5), Language::French), "0,05\u{A0}€");
        assert_eq!(money(eur(-40_00), Language::English), "-€40.00");
        let yen = Money::from_minor(1234, Currency::from_code("JPY").unwrap());
        assert_eq!(money(yen, Language::French), "1\u{202F}234\u{A0}JPY");
        assert_eq!(money(yen, Language::English), "JPY\u{A0}1,234");
        let pounds = Money::from_minor(100_000, Currency::from_code("GBP").unwrap());
        assert_eq!(money(pounds, Language::English), "£1,000.00");
    }

    #[test]
    fn dates_read_as_in_a_letter() {
        assert_eq!(
            long_date(date(2026, 11, 1), Language::French),
            "1er novembre 2026"
        );
        assert_eq!(
            long_date(date(2026, 8, 20), Language::French),
            "20 août 2026"
        );
        assert_eq!(
            long_date(date(2026, 11, 1), Language::English),
            "1 November 2026"
        );
        assert_eq!(short_date(date(2026, 3, 2), Language::French), "02/03/2026");
        assert_eq!(
            short_date(date(2026, 3, 2), Language::English),
            "2 Mar 2026"
        );
    }

    #[test]
    fn ibans_print_in_groups_of_four() {
        assert_eq!(
            grouped_iban("FR7630006000011234567890189"),
            "FR76 3000 6000 0112 3456 7890 189"
        );
    }
}
