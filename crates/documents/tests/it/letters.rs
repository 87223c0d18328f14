//! Letters rendered to PDF and read back with `pdftotext`: the figures, the accents, the
//! addresses and the payment reference are really there, on the pages expected.

use std::path::Path;
use std::process::Command;

use documents::sample::sample_context;
use documents::{BUILTINS, Letter, builtin, letter_pdf, print_batch, render};
use domain::customer::{CustomerKind, Language};

/// Runs a poppler tool on `pdf`, failing clearly when it is not installed.
fn poppler(tool: &str, args: &[&str], pdf: &[u8]) -> String {
    let directory = tempfile::tempdir().expect("a temporary directory");
    let path = directory.path().join("letter.pdf");
    std::fs::write(&path, pdf).expect("the PDF is written");
    let output = Command::new(tool)
        .args(args)
        .arg(&path)
        .arg("-")
        .output()
        .unwrap_or_else(|error| {
            panic!(
                "{tool} cannot run ({error}): install poppler-utils (apt-get install poppler-utils)"
            )
        });
    assert!(
        output.status.success(),
        "{tool} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("poppler writes UTF-8")
}

/// The text of the PDF with every kind of space made one plain space, so that `1 234,56 €`
/// compares whatever space the amount was printed with.
fn text_of(pdf: &[u8]) -> String {
    normalise(&poppler("pdftotext", &["-layout", "-enc", "UTF-8"], pdf))
}

fn normalise(text: &str) -> String {
    text.replace(['\u{A0}', '\u{202F}'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn pages(pdf: &[u8]) -> usize {
    let directory = tempfile::tempdir().expect("a temporary directory");
    let path = directory.path().join("letter.pdf");
    std::fs::write(&path, pdf).expect("the PDF is written");
    let output = Command::new("pdfinfo")
        .arg(Path::new(&path))
        .output()
        .expect("pdfinfo runs (poppler-utils)");
    let info = String::from_utf8(output.stdout).expect("UTF-8");
    info.lines()
        .find_map(|line| line.strip_prefix("Pages:"))
        .and_then(|count| count.trim().parse().ok())
        .expect("pdfinfo prints the page count")
}

fn pdf_of(
    key: &str,
    language: Language,
    kind: CustomerKind,
) -> (Vec<u8>, documents::MessageContext) {
    let template = builtin(key).unwrap();
    let context = sample_context(template, language, kind, None);
    let rendered = render(template, &template.source(language), &context).unwrap();
    let pdf = letter_pdf(&Letter {
        rendered: &rendered,
        context: &context,
    })
    .unwrap();
    (pdf, context)
}

#[test]
fn the_formal_notice_reads_back_with_its_figures_and_accents() {
    let (pdf, context) = pdf_of("formal_notice", Language::French, CustomerKind::Business);
    assert!(pdf.starts_with(b"%PDF-"));
    let text = text_of(&pdf);
    let statement = context.statement.as_ref().unwrap();
    for expected in [
        // Sender, recipient (in the window), place and date, mentions.
        "Atelier Bellevue SARL",
        "14 rue de la République",
        "Boulangerie Lefèvre & Fils",
        "3 place des Célestins",
        "Bâtiment B",
        "69002 Lyon",
        "Lyon, le 20 mai 2026",
        "Lettre recommandée avec demande d'avis de réception",
        "Réf. client : C042",
        "Objet : Mise en demeure de payer",
        // The statement of account, its figures and its legal basis.
        "Décompte arrêté au 20 mai 2026",
        "F-2026-0131",
        "F-2026-0178",
        "F-2026-0206",
        "Pénalités",
        "3 855,50 €",
        "120,00 €",
        "majoré de 10 points",
        // The deadline and what follows.
        "dans un délai de 8 jours",
        "injonction de payer",
        // Payment instructions.
        "Règlement par virement",
        "FR76 3000 6000 0112 3456 7890 189",
        "RF14 C042",
        "Scannez avec votre appli bancaire",
        "SIREN 732829320",
    ] {
        assert!(text.contains(expected), "{expected:?} not in:\n{text}");
    }
    assert!(
        text.contains(&normalise(&statement.due)),
        "{}",
        statement.due
    );
    assert!(
        text.contains(&normalise(&statement.interest)),
        "{}",
        statement.interest
    );
    assert!(text.contains("page 1 /"), "{text}");
}

#[test]
fn every_template_makes_a_letter_in_both_languages() {
    for template in BUILTINS {
        for language in Language::ALL {
            for kind in [CustomerKind::Business, CustomerKind::Consumer] {
                let (pdf, context) = pdf_of(template.key, language, kind);
                let text = text_of(&pdf);
                let subject = &render(template, &template.source(language), &context)
                    .unwrap()
                    .subject;
                assert!(
                    text.contains(&normalise(subject)),
                    "{} ({}): {subject:?} not in:\n{text}",
                    template.key,
                    language.code()
                );
                assert!(text.contains(&normalise(&context.customer.name)), "{text}");
                assert!(pages(&pdf) >= 1);
            }
        }
    }
}

#[test]
fn an_english_letter_is_in_english() {
    let (pdf, context) = pdf_of("first_reminder", Language::English, CustomerKind::Business);
    let text = text_of(&pdf);
    for expected in [
        "Subject: 3 invoices awaiting payment",
        "Lyon, 20 May 2026",
        "Customer ref.: C042",
        "Payment by bank transfer",
        "Reference to quote",
        "€3,855.50",
        "Scan with your banking app",
        "page 1 of",
    ] {
        assert!(text.contains(expected), "{expected:?} not in:\n{text}");
    }
    assert_eq!(context.totals.outstanding, "€3,855.50");
}

#[test]
fn a_print_batch_holds_every_letter_each_from_a_new_page() {
    let keys = ["formal_notice", "first_reminder", "receipt"];
    let rendered: Vec<_> = keys
        .iter()
        .map(|key| {
            let template = builtin(key).unwrap();
            let context = sample_context(template, Language::French, CustomerKind::Business, None);
            let rendered = render(template, &template.source(Language::French), &context).unwrap();
            (rendered, context)
        })
        .collect();
    let letters: Vec<Letter<'_>> = rendered
        .iter()
        .map(|(rendered, context)| Letter { rendered, context })
        .collect();
    let singles: Vec<usize> = letters
        .iter()
        .map(|letter| pages(&letter_pdf(letter).unwrap()))
        .collect();
    let batch = print_batch(&letters, false).unwrap();
    assert_eq!(pages(&batch), singles.iter().sum::<usize>());
    let duplex = print_batch(&letters, true).unwrap();
    let padded: usize = singles.iter().map(|count| count + count % 2).sum();
    assert_eq!(pages(&duplex), padded);
    let text = text_of(&batch);
    assert!(text.contains("Mise en demeure de payer"));
    assert!(text.contains("Quittance"));
}

#[test]
fn the_same_letter_gives_the_same_bytes() {
    let (first, _) = pdf_of("formal_notice", Language::French, CustomerKind::Consumer);
    let (second, _) = pdf_of("formal_notice", Language::French, CustomerKind::Consumer);
    assert_eq!(first, second);
}

/// The QR code printed on the letter, decoded from the page as a phone would (zbar), is the
/// EPC payload of the transfer asked for.
#[test]
fn the_printed_qr_code_reads_back_as_the_epc_payload() {
    let (pdf, context) = pdf_of("first_reminder", Language::French, CustomerKind::Business);
    let directory = tempfile::tempdir().expect("a temporary directory");
    let path = directory.path().join("letter.pdf");
    std::fs::write(&path, &pdf).expect("the PDF is written");
    let prefix = directory.path().join("page");
    let status = Command::new("pdftoppm")
        .args(["-r", "200", "-png", "-f", "1", "-l", "1"])
        .arg(&path)
        .arg(&prefix)
        .status()
        .expect("pdftoppm runs (poppler-utils)");
    assert!(status.success());
    let image = directory.path().join("page-1.png");
    let output = Command::new("zbarimg")
        .args(["--raw", "-q"])
        .arg(&image)
        .output()
        .unwrap_or_else(|error| panic!("zbarimg cannot run ({error}): install zbar-tools"));
    assert!(output.status.success(), "no QR code found on the page");
    let decoded = String::from_utf8(output.stdout).expect("UTF-8");
    let expected = context.epc_payload().expect("the sample has an IBAN");
    assert_eq!(decoded.trim_end_matches('\n'), expected);
    assert!(expected.starts_with("BCD\n002\n1\nSCT\n"));
    assert!(expected.ends_with("\nRF14C042"));
}
