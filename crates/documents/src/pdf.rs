//! PDF letters: A4, laid out as a French business letter for a window envelope.
//!
//! - Sender block top left; recipient block where the window of a DL or C5 envelope with a
//!   right-hand window is (110 mm from the left edge, 50 mm from the top; the window is about
//!   100 × 45 mm from 100 mm and 45 mm), so the letter folded in three shows the address.
//!   Fold marks at 99 and 198 mm.
//! - Place and date on the right, the registered-letter mention and the customer's reference on
//!   the left, then "Objet :", then the body: paragraphs and the blocks the template placed
//!   (invoice table, statement of account, payment instructions with an EPC QR code).
//! - Later pages carry a short header; every page a footer with the creditor's name, SIREN and
//!   "page n / N".
//!
//! Text is drawn with DejaVu Sans (regular and bold), embedded in the binary and subset into
//! each PDF by krilla: accents and the euro sign come out right, and nothing is read from the
//! system or the network. Latin text needs no shaping, so glyphs are placed from the font's own
//! advances (the same figures that measure a line for wrapping and right alignment). The output
//! depends on the inputs only: no date or random identifier is written.

use std::sync::OnceLock;

use krilla::Document;
use krilla::color::luma;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::Metadata;
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;
use krilla::text::{Font, GlyphId, KrillaGlyph};
use skrifa::instance::{LocationRef, Size};
use skrifa::{FontRef, MetadataProvider};

use crate::body::{
    Block, BodyItem, Table, invoices_table, payment_heading, payment_rows, statement_heading,
    statement_table,
};
use crate::context::MessageContext;
use crate::render::Rendered;
use domain::customer::Language;

const REGULAR: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");
const BOLD: &[u8] = include_bytes!("../fonts/DejaVuSans-Bold.ttf");

/// Points per millimetre.
const MM: f32 = 72.0 / 25.4;
const PAGE_WIDTH: f32 = 210.0 * MM;
const PAGE_HEIGHT: f32 = 297.0 * MM;
const LEFT: f32 = 20.0 * MM;
const RIGHT: f32 = PAGE_WIDTH - 20.0 * MM;
const TEXT_WIDTH: f32 = RIGHT - LEFT;
/// Content stops here; the footer lives below.
const BOTTOM: f32 = PAGE_HEIGHT - 22.0 * MM;
/// Where the body starts on a continuation page.
const CONTINUATION_TOP: f32 = 24.0 * MM;
/// The recipient block: inside the window of a DL/C5 envelope with a right-hand window.
const RECIPIENT_X: f32 = 110.0 * MM;
const RECIPIENT_Y: f32 = 50.0 * MM;
const RECIPIENT_WIDTH: f32 = 85.0 * MM;

const BODY_SIZE: f32 = 10.0;
const BODY_LEADING: f32 = 13.5;
const PARAGRAPH_GAP: f32 = 6.0;
const TABLE_SIZE: f32 = 8.5;
const TABLE_ROW: f32 = 13.0;
const SMALL_SIZE: f32 = 7.5;
/// The EPC QR code's side, quiet zone included: large enough for any phone at arm's length.
const QR_SIDE: f32 = 34.0 * MM;

const GRAY_TEXT: u8 = 90;
const GRAY_RULE: u8 = 170;
const GRAY_FILL: u8 = 235;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PdfError {
    #[error("the PDF cannot be written: {detail}")]
    Write { detail: String },
    #[error("the QR code cannot be drawn: {detail}")]
    Qr { detail: String },
}

impl PdfError {
    /// The error in `language`.
    pub fn describe(&self, language: Language) -> String {
        match (self, language) {
            (_, Language::English) => self.to_string(),
            (PdfError::Write { detail }, Language::French) => {
                format!("le PDF ne peut pas être écrit : {detail}")
            }
            (PdfError::Qr { detail }, Language::French) => {
                format!("le QR code ne peut pas être dessiné : {detail}")
            }
        }
    }
}

/// One face of the embedded font, with what measuring and placing glyphs needs.
struct Face {
    font: Font,
    reference: FontRef<'static>,
}

impl Face {
    fn load(data: &'static [u8]) -> Face {
        Face {
            font: Font::new(data.into(), 0).expect("the embedded font loads"),
            reference: FontRef::new(data).expect("the embedded font parses"),
        }
    }

    /// Glyph ids and advances (in em) of `text`; a character the font lacks shows as `?`.
    fn glyphs(&self, text: &str) -> Vec<KrillaGlyph> {
        let charmap = self.reference.charmap();
        let metrics = self
            .reference
            .glyph_metrics(Size::new(1.0), LocationRef::default());
        let fallback = charmap.map('?').unwrap_or_default();
        text.char_indices()
            .map(|(index, c)| {
                let glyph = charmap.map(c).unwrap_or(fallback);
                let advance = metrics.advance_width(glyph).unwrap_or(0.0);
                KrillaGlyph::new(
                    GlyphId::new(glyph.to_u32()),
                    advance,
                    0.0,
                    0.0,
                    0.0,
                    index..index + c.len_utf8(),
                    None,
                )
            })
            .collect()
    }

    fn width(&self, text: &str, size: f32) -> f32 {
        let metrics = self
            .reference
            .glyph_metrics(Size::new(size), LocationRef::default());
        let charmap = self.reference.charmap();
        let fallback = charmap.map('?').unwrap_or_default();
        text.chars()
            .map(|c| {
                metrics
                    .advance_width(charmap.map(c).unwrap_or(fallback))
                    .unwrap_or(0.0)
            })
            .sum()
    }
}

struct Fonts {
    regular: Face,
    bold: Face,
}

fn fonts() -> &'static Fonts {
    static FONTS: OnceLock<Fonts> = OnceLock::new();
    FONTS.get_or_init(|| Fonts {
        regular: Face::load(REGULAR),
        bold: Face::load(BOLD),
    })
}

/// Something to draw on a page. `y` of text is its baseline; rectangles are top-left based.
#[derive(Debug, Clone)]
enum Op {
    Text {
        x: f32,
        y: f32,
        size: f32,
        bold: bool,
        gray: u8,
        text: String,
    },
    Fill {
        rect: (f32, f32, f32, f32),
        gray: u8,
    },
    Line {
        from: (f32, f32),
        to: (f32, f32),
        width: f32,
        gray: u8,
    },
    Qr {
        x: f32,
        y: f32,
        side: f32,
        modules: Vec<bool>,
        width: usize,
    },
}

/// How text sits in a box.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Align {
    Left,
    Right,
}

/// Lays one letter out into pages of drawing operations.
struct Composer {
    pages: Vec<Vec<Op>>,
    /// The top of the next line, on the last page.
    y: f32,
    header: String,
    language: Language,
}

impl Composer {
    fn fonts(&self) -> &'static Fonts {
        fonts()
    }

    fn page(&mut self) -> &mut Vec<Op> {
        self.pages.last_mut().expect("a letter has a page")
    }

    fn text(&mut self, x: f32, top: f32, size: f32, bold: bool, gray: u8, text: &str) {
        if text.is_empty() {
            return;
        }
        let op = Op::Text {
            x,
            y: top + size * 0.93,
            size,
            bold,
            gray,
            text: text.to_owned(),
        };
        self.page().push(op);
    }

    /// Text in a box of `width` from `x`, aligned, cut with an ellipsis when it does not fit.
    #[allow(clippy::too_many_arguments)]
    fn text_in(
        &mut self,
        x: f32,
        width: f32,
        top: f32,
        size: f32,
        bold: bool,
        align: Align,
        text: &str,
    ) {
        let face = if bold {
            &self.fonts().bold
        } else {
            &self.fonts().regular
        };
        let mut kept: Vec<char> = text.chars().collect();
        let mut shown = text.to_owned();
        while face.width(&shown, size) > width && !kept.is_empty() {
            kept.pop();
            shown = kept.iter().collect::<String>() + "…";
        }
        let left = match align {
            Align::Left => x,
            Align::Right => x + width - face.width(&shown, size),
        };
        self.text(left, top, size, bold, 0, &shown);
    }

    fn starts_page(&self) -> bool {
        self.y <= CONTINUATION_TOP + 0.5
    }

    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        let header = self.header.clone();
        self.text(LEFT, 12.0 * MM, SMALL_SIZE, false, GRAY_TEXT, &header);
        self.page().push(Op::Line {
            from: (LEFT, 16.0 * MM),
            to: (RIGHT, 16.0 * MM),
            width: 0.4,
            gray: GRAY_RULE,
        });
        self.y = CONTINUATION_TOP;
    }

    /// Makes room for `height`, on a new page if need be (never twice for the same content).
    fn ensure(&mut self, height: f32) {
        if self.y + height > BOTTOM && !self.starts_page() {
            self.new_page();
        }
    }

    /// A paragraph line, wrapped to the text width.
    fn paragraph_line(&mut self, line: &str, size: f32, bold: bool) {
        let face = if bold {
            &self.fonts().bold
        } else {
            &self.fonts().regular
        };
        for wrapped in wrap(face, line, size, TEXT_WIDTH) {
            self.ensure(BODY_LEADING);
            let top = self.y;
            self.text(LEFT, top, size, bold, 0, &wrapped);
            self.y += BODY_LEADING * size / BODY_SIZE;
        }
    }

    fn small_paragraph(&mut self, text: &str) {
        let face = &self.fonts().regular;
        for wrapped in wrap(face, text, SMALL_SIZE, TEXT_WIDTH) {
            self.ensure(SMALL_SIZE * 1.3);
            let top = self.y;
            self.text(LEFT, top, SMALL_SIZE, false, GRAY_TEXT, &wrapped);
            self.y += SMALL_SIZE * 1.3;
        }
    }

    fn table(&mut self, table: &Table, widths: &[f32]) {
        let total: f32 = widths.iter().sum();
        let columns: Vec<(f32, f32)> = widths
            .iter()
            .scan(LEFT, |x, share| {
                let width = TEXT_WIDTH * share / total;
                let column = (*x, width);
                *x += width;
                Some(column)
            })
            .collect();
        let pad = 1.5 * MM;
        let header_row = |composer: &mut Composer| {
            let top = composer.y;
            composer.page().push(Op::Fill {
                rect: (LEFT, top, TEXT_WIDTH, TABLE_ROW),
                gray: GRAY_FILL,
            });
            for (index, header) in table.headers.iter().enumerate() {
                let (x, width) = columns[index];
                let align = if table.numeric[index] {
                    Align::Right
                } else {
                    Align::Left
                };
                composer.text_in(
                    x + pad,
                    width - 2.0 * pad,
                    top + 2.5,
                    TABLE_SIZE,
                    true,
                    align,
                    header,
                );
            }
            composer.y += TABLE_ROW;
        };
        // A table never starts with its header alone at the foot of a page.
        self.ensure(TABLE_ROW * 3.0);
        header_row(self);
        let rows: Vec<(&Vec<String>, bool)> = table
            .rows
            .iter()
            .map(|row| (row, false))
            .chain(table.total.iter().map(|row| (row, true)))
            .collect();
        for (row, is_total) in rows {
            if self.y + TABLE_ROW > BOTTOM {
                self.new_page();
                header_row(self);
            }
            let top = self.y;
            if is_total {
                self.page().push(Op::Line {
                    from: (LEFT, top),
                    to: (RIGHT, top),
                    width: 0.8,
                    gray: 0,
                });
            }
            for (index, value) in row.iter().enumerate() {
                let (x, width) = columns[index];
                let align = if table.numeric[index] {
                    Align::Right
                } else {
                    Align::Left
                };
                self.text_in(
                    x + pad,
                    width - 2.0 * pad,
                    top + 2.5,
                    TABLE_SIZE,
                    is_total,
                    align,
                    value,
                );
            }
            self.y += TABLE_ROW;
            self.page().push(Op::Line {
                from: (LEFT, top + TABLE_ROW),
                to: (RIGHT, top + TABLE_ROW),
                width: 0.3,
                gray: GRAY_RULE,
            });
        }
        self.y += PARAGRAPH_GAP / 2.0;
    }

    fn payment(&mut self, context: &MessageContext) -> Result<(), PdfError> {
        let rows = payment_rows(context);
        let qr = context.epc_payload().map(qr_modules).transpose()?;
        let rows_height = TABLE_ROW * (rows.len() as f32 + 1.5);
        // Room under the code for its caption.
        let height = match qr {
            Some(_) => rows_height.max(QR_SIDE + 4.0 * MM + 10.0),
            None => rows_height,
        };
        self.ensure(height + PARAGRAPH_GAP);
        let top = self.y;
        self.page().push(Op::Fill {
            rect: (LEFT, top, TEXT_WIDTH, height),
            gray: 246,
        });
        let heading = payment_heading(context);
        self.text(LEFT + 3.0 * MM, top + 6.0, BODY_SIZE, true, 0, heading);
        let label_width = 42.0 * MM;
        for (index, (label, value)) in rows.iter().enumerate() {
            let row_top = top + 6.0 + TABLE_ROW * (index as f32 + 1.2);
            self.text(LEFT + 3.0 * MM, row_top, 9.0, false, GRAY_TEXT, label);
            self.text(LEFT + 3.0 * MM + label_width, row_top, 9.0, true, 0, value);
        }
        if let Some((modules, width)) = qr {
            let x = RIGHT - QR_SIDE - 2.0 * MM;
            self.page().push(Op::Qr {
                x,
                y: top + 2.0 * MM,
                side: QR_SIDE,
                modules,
                width,
            });
            let caption = match self.language {
                Language::French => "Scannez avec votre appli bancaire",
                Language::English => "Scan with your banking app",
            };
            let caption_width = self.fonts().regular.width(caption, 6.5);
            self.text(
                x + (QR_SIDE - caption_width) / 2.0,
                top + 2.0 * MM + QR_SIDE,
                6.5,
                false,
                GRAY_TEXT,
                caption,
            );
        }
        self.y = top + height + PARAGRAPH_GAP / 2.0;
        Ok(())
    }
}

/// Greedy line breaking at spaces; a word wider than the line is cut.
fn wrap(face: &Face, text: &str, size: f32, width: f32) -> Vec<String> {
    let mut lines = Vec::new();
    let mut current = String::new();
    for word in text.split(' ') {
        let candidate = if current.is_empty() {
            word.to_owned()
        } else {
            format!("{current} {word}")
        };
        if face.width(&candidate, size) <= width || current.is_empty() && word.is_empty() {
            current = candidate;
            continue;
        }
        if !current.is_empty() {
            lines.push(std::mem::take(&mut current));
        }
        let mut rest = word.to_owned();
        while face.width(&rest, size) > width {
            let mut cut = String::new();
            for c in rest.chars() {
                if face.width(&format!("{cut}{c}"), size) > width && !cut.is_empty() {
                    break;
                }
                cut.push(c);
            }
            rest = rest[cut.len()..].to_owned();
            lines.push(cut);
        }
        current = rest;
    }
    if !current.is_empty() || lines.is_empty() {
        lines.push(current);
    }
    lines
}

/// The QR code's modules, dark or light, row by row, at error correction level M.
fn qr_modules(payload: &str) -> Result<(Vec<bool>, usize), PdfError> {
    let code = qrcode::QrCode::with_error_correction_level(payload.as_bytes(), qrcode::EcLevel::M)
        .map_err(|error| PdfError::Qr {
            detail: error.to_string(),
        })?;
    let modules = code
        .to_colors()
        .into_iter()
        .map(|color| color == qrcode::Color::Dark)
        .collect();
    Ok((modules, code.width()))
}

/// A letter: a rendered template and the context it was rendered with.
#[derive(Debug, Clone, Copy)]
pub struct Letter<'a> {
    pub rendered: &'a Rendered,
    pub context: &'a MessageContext,
}

fn compose(letter: &Letter<'_>) -> Result<Vec<Vec<Op>>, PdfError> {
    let context = letter.context;
    let language = context.language();
    let facts = &context.letter;
    let fonts = fonts();
    let header = match language {
        Language::French => format!(
            "{} – {} – réf. client {} – {}",
            context.creditor.name,
            letter.rendered.subject,
            context.customer.reference,
            context.message.date
        ),
        Language::English => format!(
            "{} – {} – customer ref. {} – {}",
            context.creditor.name,
            letter.rendered.subject,
            context.customer.reference,
            context.message.date
        ),
    };
    let mut composer = Composer {
        pages: vec![Vec::new()],
        y: 0.0,
        header,
        language,
    };

    // Sender.
    let mut top = 18.0 * MM;
    for (index, line) in facts.sender.iter().enumerate() {
        let (size, bold) = if index == 0 {
            (11.0, true)
        } else {
            (9.0, false)
        };
        composer.text(LEFT, top, size, bold, 0, line);
        top += size * 1.35;
    }
    if !context.creditor.siren.is_empty() {
        composer.text(
            LEFT,
            top,
            8.0,
            false,
            GRAY_TEXT,
            &format!("SIREN {}", context.creditor.siren),
        );
    }

    // Recipient, in the window.
    let mut top = RECIPIENT_Y;
    for (index, line) in facts.recipient.iter().enumerate() {
        let bold = index == 0;
        for wrapped in wrap(
            if bold { &fonts.bold } else { &fonts.regular },
            line,
            10.5,
            RECIPIENT_WIDTH,
        ) {
            composer.text(RECIPIENT_X, top, 10.5, bold, 0, &wrapped);
            top += 13.5;
        }
    }

    // Fold marks for a letter folded in three.
    for fold in [99.0, 198.0] {
        composer.page().push(Op::Line {
            from: (4.0 * MM, fold * MM),
            to: (8.0 * MM, fold * MM),
            width: 0.3,
            gray: GRAY_RULE,
        });
    }

    // Place and date, on the right; mentions on the left.
    let dated = match (language, context.message.place.is_empty()) {
        (Language::French, false) => {
            format!("{}, le {}", context.message.place, context.message.date)
        }
        (Language::French, true) => format!("Le {}", context.message.date),
        (Language::English, false) => {
            format!("{}, {}", context.message.place, context.message.date)
        }
        (Language::English, true) => context.message.date.clone(),
    };
    let top = 98.0 * MM;
    let width = fonts.regular.width(&dated, BODY_SIZE);
    composer.text(RIGHT - width, top, BODY_SIZE, false, 0, &dated);
    let mut left_top = top;
    if context.message.registered {
        let mention = match language {
            Language::French => "Lettre recommandée avec demande d'avis de réception",
            Language::English => "Registered letter with acknowledgement of receipt",
        };
        composer.text(LEFT, left_top, 8.5, true, 0, mention);
        left_top += 12.0;
    }
    let reference = match language {
        Language::French => format!("Réf. client : {}", context.customer.reference),
        Language::English => format!("Customer ref.: {}", context.customer.reference),
    };
    composer.text(LEFT, left_top, 8.5, false, GRAY_TEXT, &reference);

    // Subject.
    composer.y = 112.0 * MM;
    let subject = match language {
        Language::French => format!("Objet : {}", letter.rendered.subject),
        Language::English => format!("Subject: {}", letter.rendered.subject),
    };
    composer.paragraph_line(&subject, BODY_SIZE, true);
    composer.y += PARAGRAPH_GAP * 1.5;

    // Body.
    for item in &letter.rendered.body.items {
        match item {
            BodyItem::Line(line) => composer.paragraph_line(line, BODY_SIZE, false),
            BodyItem::Break => composer.y += PARAGRAPH_GAP,
            BodyItem::Block(Block::Invoices) => {
                composer.table(
                    &invoices_table(context),
                    &[22.0, 14.0, 14.0, 18.0, 18.0, 10.0],
                );
            }
            BodyItem::Block(Block::Statement) => {
                if let (Some(heading), Some(table)) =
                    (statement_heading(context), statement_table(context))
                {
                    composer.ensure(BODY_LEADING + TABLE_ROW * 3.0);
                    composer.paragraph_line(&heading, 9.5, true);
                    composer.y += 2.0;
                    composer.table(&table, &[17.0, 13.0, 14.0, 14.0, 13.0, 13.0, 16.0]);
                    if let Some(statement) = &context.statement {
                        composer.y += 3.0;
                        composer.small_paragraph(&statement.rate_note);
                    }
                }
            }
            BodyItem::Block(Block::Payment) => composer.payment(context)?,
        }
    }

    // Footers, now that the number of pages is known.
    let count = composer.pages.len();
    for (index, page) in composer.pages.iter_mut().enumerate() {
        let number = match language {
            Language::French => format!("page {} / {count}", index + 1),
            Language::English => format!("page {} of {count}", index + 1),
        };
        let footer_top = PAGE_HEIGHT - 12.0 * MM;
        page.push(Op::Line {
            from: (LEFT, footer_top - 3.0 * MM),
            to: (RIGHT, footer_top - 3.0 * MM),
            width: 0.4,
            gray: GRAY_RULE,
        });
        page.push(Op::Text {
            x: LEFT,
            y: footer_top + SMALL_SIZE,
            size: SMALL_SIZE,
            bold: false,
            gray: GRAY_TEXT,
            text: facts.legal_footer.clone(),
        });
        let width = fonts.regular.width(&number, SMALL_SIZE);
        page.push(Op::Text {
            x: RIGHT - width,
            y: footer_top + SMALL_SIZE,
            size: SMALL_SIZE,
            bold: false,
            gray: GRAY_TEXT,
            text: number,
        });
    }
    Ok(composer.pages)
}

fn fill(gray: u8) -> Fill {
    Fill {
        paint: luma::Color::new(gray).into(),
        opacity: NormalizedF32::ONE,
        rule: Default::default(),
    }
}

fn draw(surface: &mut Surface<'_>, op: &Op) {
    let fonts = fonts();
    match op {
        Op::Text {
            x,
            y,
            size,
            bold,
            gray,
            text,
        } => {
            let face = if *bold { &fonts.bold } else { &fonts.regular };
            surface.set_fill(Some(fill(*gray)));
            surface.set_stroke(None);
            surface.draw_glyphs(
                Point::from_xy(*x, *y),
                &face.glyphs(text),
                face.font.clone(),
                text,
                *size,
                false,
            );
        }
        Op::Fill { rect, gray } => {
            let mut path = PathBuilder::new();
            if let Some(rect) = Rect::from_xywh(rect.0, rect.1, rect.2, rect.3) {
                path.push_rect(rect);
            }
            if let Some(path) = path.finish() {
                surface.set_fill(Some(fill(*gray)));
                surface.set_stroke(None);
                surface.draw_path(&path);
            }
        }
        Op::Line {
            from,
            to,
            width,
            gray,
        } => {
            let mut path = PathBuilder::new();
            path.move_to(from.0, from.1);
            path.line_to(to.0, to.1);
            if let Some(path) = path.finish() {
                surface.set_fill(None);
                surface.set_stroke(Some(Stroke {
                    paint: luma::Color::new(*gray).into(),
                    width: *width,
                    ..Stroke::default()
                }));
                surface.draw_path(&path);
            }
        }
        Op::Qr {
            x,
            y,
            side,
            modules,
            width,
        } => {
            // Four modules of quiet zone on each side, as the QR standard asks.
            let cell = side / (*width as f32 + 8.0);
            let origin = (x + 4.0 * cell, y + 4.0 * cell);
            let mut path = PathBuilder::new();
            for (index, dark) in modules.iter().enumerate() {
                if *dark {
                    let (row, column) = (index / width, index % width);
                    if let Some(rect) = Rect::from_xywh(
                        origin.0 + column as f32 * cell,
                        origin.1 + row as f32 * cell,
                        cell,
                        cell,
                    ) {
                        path.push_rect(rect);
                    }
                }
            }
            let mut background = PathBuilder::new();
            if let Some(rect) = Rect::from_xywh(*x, *y, *side, *side) {
                background.push_rect(rect);
            }
            surface.set_stroke(None);
            if let Some(background) = background.finish() {
                surface.set_fill(Some(fill(255)));
                surface.draw_path(&background);
            }
            if let Some(path) = path.finish() {
                surface.set_fill(Some(fill(0)));
                surface.draw_path(&path);
            }
        }
    }
}

fn write(
    letters: &[Letter<'_>],
    duplex: bool,
    title: &str,
    language: Language,
) -> Result<Vec<u8>, PdfError> {
    let mut document = Document::new();
    document.set_metadata(
        Metadata::new()
            .title(title.to_owned())
            .language(language.code().to_owned())
            .producer("Relance".to_owned()),
    );
    let settings = PageSettings::from_wh(PAGE_WIDTH, PAGE_HEIGHT).expect("A4 is a valid size");
    for letter in letters {
        let pages = compose(letter)?;
        let blank = duplex && pages.len() % 2 == 1;
        for ops in &pages {
            let mut page = document.start_page_with(settings.clone());
            let mut surface = page.surface();
            for op in ops {
                draw(&mut surface, op);
            }
            surface.finish();
            page.finish();
        }
        if blank {
            // Printed on both sides, the next letter starts on a fresh sheet.
            document.start_page_with(settings.clone()).finish();
        }
    }
    document.finish().map_err(|error| PdfError::Write {
        detail: format!("{error:?}"),
    })
}

/// One letter as a PDF.
pub fn letter_pdf(letter: &Letter<'_>) -> Result<Vec<u8>, PdfError> {
    write(
        std::slice::from_ref(letter),
        false,
        &letter.rendered.subject,
        letter.context.language(),
    )
}

/// How many pages a letter takes (for the post office's list: pages give the weight).
pub fn letter_pages(letter: &Letter<'_>) -> Result<usize, PdfError> {
    Ok(compose(letter)?.len())
}

/// Many letters in one PDF for the printer, each starting on a new page; with `duplex`, on a
/// new sheet (a blank page follows a letter with an odd number of pages).
pub fn print_batch(letters: &[Letter<'_>], duplex: bool) -> Result<Vec<u8>, PdfError> {
    let language = letters
        .first()
        .map_or(Language::French, |letter| letter.context.language());
    let title = match language {
        Language::French => format!("Lot d'impression : {} courriers", letters.len()),
        Language::English => format!("Print batch: {} letters", letters.len()),
    };
    write(letters, duplex, &title, language)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_wrap_at_spaces_and_long_words_are_cut() {
        let face = &fonts().regular;
        let lines = wrap(face, "un deux trois quatre cinq six sept", 10.0, 60.0);
        assert!(lines.len() > 1);
        assert!(lines.iter().all(|line| face.width(line, 10.0) <= 60.0));
        assert_eq!(lines.join(" "), "un deux trois quatre cinq six sept");
        let cut = wrap(face, &"x".repeat(100), 10.0, 60.0);
        assert!(cut.len() > 1 && cut.concat() == "x".repeat(100));
        assert_eq!(wrap(face, "", 10.0, 60.0), vec![String::new()]);
    }

    #[test]
    fn the_font_has_french_letters_and_the_euro_sign() {
        let face = &fonts().regular;
        let charmap = face.reference.charmap();
        for c in "éèêëàâçîïôûùüÿœæÉÈÊÀÇŒ€«»’–".chars() {
            assert!(charmap.map(c).is_some(), "{c}");
        }
        // A narrow no-break space has a width: amounts keep their thousands separated.
        assert!(face.width("\u{202F}", 10.0) > 0.0);
    }
}
