//! How many SMS a text takes (3GPP TS 23.038 and 23.040).
//!
//! A text made only of characters of the GSM 7-bit default alphabet (and its extension table,
//! whose characters take two septets) travels in 160 septets, or 153 per part once concatenated;
//! any other character (ê, ç, ’, a narrow no-break space…) switches the whole message to UCS-2:
//! 70 UTF-16 units, or 67 per part. `to_sms_text` brings French typography and the accents the
//! alphabet lacks back into it before a message is measured and sent; a test checks that every
//! built-in SMS then travels in GSM-7.

/// The characters of the GSM 7-bit default alphabet, one septet each.
const GSM7_BASIC: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
/// The extension table: an escape septet plus one.
const GSM7_EXTENSION: &str = "\u{0C}^{}\\[~]|€";

const GSM7_SINGLE: usize = 160;
const GSM7_PART: usize = 153;
const UCS2_SINGLE: usize = 70;
const UCS2_PART: usize = 67;

/// The encoding a text needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmsEncoding {
    Gsm7,
    Ucs2,
}

impl SmsEncoding {
    pub fn code(&self) -> &'static str {
        match self {
            SmsEncoding::Gsm7 => "gsm-7",
            SmsEncoding::Ucs2 => "ucs-2",
        }
    }
}

/// The size of a text as an SMS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SmsLength {
    pub encoding: SmsEncoding,
    /// Septets (GSM-7) or UTF-16 units (UCS-2).
    pub units: usize,
    /// Messages the network sends (and bills).
    pub segments: usize,
}

/// How `text` travels as an SMS.
pub fn sms_length(text: &str) -> SmsLength {
    let septets: Option<Vec<usize>> = text
        .chars()
        .map(|c| {
            if GSM7_BASIC.contains(c) {
                Some(1)
            } else if GSM7_EXTENSION.contains(c) {
                Some(2)
            } else {
                None
            }
        })
        .collect();
    match septets {
        Some(widths) => SmsLength {
            encoding: SmsEncoding::Gsm7,
            units: widths.iter().sum(),
            segments: segments(&widths, GSM7_SINGLE, GSM7_PART),
        },
        None => {
            // A character outside the basic plane takes a surrogate pair, never split.
            let widths: Vec<usize> = text.chars().map(char::len_utf16).collect();
            SmsLength {
                encoding: SmsEncoding::Ucs2,
                units: widths.iter().sum(),
                segments: segments(&widths, UCS2_SINGLE, UCS2_PART),
            }
        }
    }
}

/// Parts needed when no character (an escaped septet pair, a surrogate pair) may be split.
fn segments(widths: &[usize], single: usize, part: usize) -> usize {
    let total: usize = widths.iter().sum();
    if total == 0 {
        return 1;
    }
    if total <= single {
        return 1;
    }
    let mut parts = 1;
    let mut used = 0;
    for width in widths {
        if used + width > part {
            parts += 1;
            used = 0;
        }
        used += width;
    }
    parts
}

/// Brings a rendered text into the GSM 7-bit alphabet where an equivalent is obvious, as SMS
/// gateways commonly do: no-break spaces become spaces, curly quotes straight ones, dashes
/// hyphens, and the accented letters the alphabet lacks lose their accent (ê → e, ç → c,
/// œ → oe); é, è, à, ù and the others it has are kept. Otherwise one such character would switch
/// the whole message to UCS-2 and halve its length. Runs of spaces collapse.
pub fn to_sms_text(text: &str) -> String {
    let mut mapped = String::with_capacity(text.len());
    for c in text.chars() {
        let replacement = match c {
            '\u{A0}' | '\u{202F}' | '\u{2009}' | '\t' | '\n' | '\r' => " ",
            '\u{2018}' | '\u{2019}' | '\u{2032}' => "'",
            '\u{201C}' | '\u{201D}' | '\u{AB}' | '\u{BB}' => "\"",
            '\u{2013}' | '\u{2014}' => "-",
            '\u{2026}' => "...",
            'â' | 'á' | 'ã' => "a",
            'ê' | 'ë' => "e",
            'î' | 'ï' | 'í' => "i",
            'ô' | 'ó' | 'õ' => "o",
            'û' | 'ú' => "u",
            'ÿ' => "y",
            'ç' => "c",
            'œ' => "oe",
            'Â' | 'À' | 'Á' => "A",
            'Ê' | 'È' | 'Ë' => "E",
            'Î' | 'Ï' | 'Í' => "I",
            'Ô' | 'Ó' => "O",
            'Û' | 'Ù' | 'Ú' => "U",
            'Œ' => "OE",
            other => {
                mapped.push(other);
                continue;
            }
        };
        mapped.push_str(replacement);
    }
    mapped
        .split(' ')
        .filter(|word| !word.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_french_stays_in_gsm_7() {
        let text = "Bonjour, la facture F-1 de 120,00 € est échue depuis le 02/11. Merci !";
        let length = sms_length(text);
        assert_eq!(length.encoding, SmsEncoding::Gsm7);
        // The euro sign takes two septets.
        assert_eq!(length.units, text.chars().count() + 1);
        assert_eq!(length.segments, 1);
    }

    #[test]
    fn one_character_outside_gsm_7_switches_to_ucs_2() {
        let length = sms_length("Vous avez reçu notre courrier");
        assert_eq!(length.encoding, SmsEncoding::Ucs2);
        assert_eq!(length.units, 29);
        assert_eq!(length.segments, 1);
        assert_eq!(sms_length(&"ê".repeat(70)).segments, 1);
        assert_eq!(sms_length(&"ê".repeat(71)).segments, 2);
        assert_eq!(sms_length(&"ê".repeat(134)).segments, 2);
        assert_eq!(sms_length(&"ê".repeat(135)).segments, 3);
    }

    #[test]
    fn segments_count_at_the_limits() {
        assert_eq!(sms_length("").segments, 1);
        assert_eq!(sms_length(&"a".repeat(160)).segments, 1);
        assert_eq!(sms_length(&"a".repeat(161)).segments, 2);
        assert_eq!(sms_length(&"a".repeat(306)).segments, 2);
        assert_eq!(sms_length(&"a".repeat(307)).segments, 3);
        // An escaped pair is not split across parts: 306 septets take three parts, not two,
        // when the euro sign would straddle the first boundary.
        let straddling = format!("{}€{}", "a".repeat(152), "a".repeat(152));
        assert_eq!(sms_length(&straddling).units, 306);
        assert_eq!(sms_length(&straddling).segments, 3);
        assert_eq!(sms_length(&format!("{}€", "a".repeat(152))).units, 154);
        // An emoji is a surrogate pair in UCS-2.
        assert_eq!(sms_length("👍").units, 2);
    }

    #[test]
    fn typography_is_brought_back_to_gsm_7() {
        let text = to_sms_text(
            "Montant\u{A0}: 1\u{202F}200,00\u{A0}€ – l’échéance,\n  reçu, hôtel, Œuvre",
        );
        assert_eq!(
            text,
            "Montant : 1 200,00 € - l'échéance, recu, hotel, OEuvre"
        );
        assert_eq!(sms_length(&text).encoding, SmsEncoding::Gsm7);
    }
}
