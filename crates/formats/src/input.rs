//! The byte stream under the CSV parser: BOM removal, line-ending normalisation, line numbers.
//!
//! The `csv` crate counts lines by `\n` only and stamps each record with the position where the
//! previous one ended, so it reports the wrong line for CRLF files, after blank lines, and for
//! files with bare CR endings. `LineEndings` therefore rewrites every line break to a single
//! `\n` before the parser sees it and guarantees a final `\n`; a record's physical line is then
//! exactly "lines counted after the record, minus the newlines inside it, minus one".
//!
//! Line breaks, as counted: `\n`; any run of `\r` followed by `\n` (CRLF, and the CR CR LF that
//! double conversions produce, which `wc -l`, awk and grep count as one line); and each `\r` not
//! followed by `\n` (classic Mac files). Inside quoted fields the same rewriting applies, which
//! only turns a CRLF embedded in a value into LF.

use std::io::{self, Read};

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Bytes read from the caller per refill.
const CHUNK: usize = 64 * 1024;

/// A header longer than this is not searched further for its end when sniffing the delimiter.
const HEADER_SNIFF_MAX: usize = 1024 * 1024;

pub(crate) struct LineEndings<R> {
    inner: R,
    buffer: Vec<u8>,
    start: usize,
    end: usize,
    inner_done: bool,
    /// CRs just read whose meaning depends on the next byte (CRLF or bare CR).
    pending_cr: u64,
    /// Newlines decided but not yet handed out (the caller's buffer was full).
    owed_newlines: u64,
    /// Whether the last byte handed out ended a line (true before any output).
    at_line_start: bool,
    bom_checked: bool,
    had_bom: bool,
    bytes_read: u64,
}

impl<R: Read> LineEndings<R> {
    pub(crate) fn new(inner: R) -> LineEndings<R> {
        LineEndings {
            inner,
            buffer: vec![0; CHUNK],
            start: 0,
            end: 0,
            inner_done: false,
            pending_cr: 0,
            owed_newlines: 0,
            at_line_start: true,
            bom_checked: false,
            had_bom: false,
            bytes_read: 0,
        }
    }

    /// Bytes taken from the caller's reader so far (the BOM included).
    pub(crate) fn bytes_read(&self) -> u64 {
        self.bytes_read
    }

    /// Whether the input started with a UTF-8 byte order mark (known once something was read).
    pub(crate) fn had_bom(&self) -> bool {
        self.had_bom
    }

    /// The raw bytes of the first line (BOM removed), without consuming them: enough to choose a
    /// delimiter before the parser is built. Line breaks inside double quotes do not end it.
    pub(crate) fn first_line(&mut self) -> io::Result<&[u8]> {
        self.check_bom()?;
        let mut scanned = self.start;
        let mut quoted = false;
        loop {
            while scanned < self.end {
                match self.buffer[scanned] {
                    b'"' => quoted = !quoted,
                    b'\n' | b'\r' if !quoted => return Ok(&self.buffer[self.start..scanned]),
                    _ => {}
                }
                scanned += 1;
            }
            if self.inner_done || self.end - self.start >= HEADER_SNIFF_MAX {
                return Ok(&self.buffer[self.start..self.end]);
            }
            self.read_more()?;
        }
    }

    /// Reads until at least three bytes are buffered (or the input ends) and drops a BOM.
    fn check_bom(&mut self) -> io::Result<()> {
        if self.bom_checked {
            return Ok(());
        }
        while self.end - self.start < BOM.len() && !self.inner_done {
            self.read_more()?;
        }
        if self.buffer[self.start..self.end].starts_with(BOM) {
            self.start += BOM.len();
            self.had_bom = true;
        }
        self.bom_checked = true;
        Ok(())
    }

    /// Appends what the caller's reader gives to the buffer, growing it when it is full.
    fn read_more(&mut self) -> io::Result<()> {
        if self.start == self.end {
            self.start = 0;
            self.end = 0;
        }
        if self.end == self.buffer.len() {
            if self.start > 0 {
                self.buffer.copy_within(self.start..self.end, 0);
                self.end -= self.start;
                self.start = 0;
            } else {
                self.buffer.resize(self.buffer.len() * 2, 0);
            }
        }
        loop {
            match self.inner.read(&mut self.buffer[self.end..]) {
                Ok(0) => {
                    self.inner_done = true;
                    return Ok(());
                }
                Ok(count) => {
                    self.end += count;
                    self.bytes_read += count as u64;
                    return Ok(());
                }
                Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                Err(error) => return Err(error),
            }
        }
    }
}

impl<R: Read> Read for LineEndings<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        self.check_bom()?;
        let mut written = 0;
        loop {
            while self.owed_newlines > 0 && written < out.len() {
                out[written] = b'\n';
                written += 1;
                self.owed_newlines -= 1;
                self.at_line_start = true;
            }
            if written == out.len() {
                return Ok(written);
            }
            if self.start == self.end {
                if !self.inner_done {
                    if written > 0 {
                        return Ok(written);
                    }
                    self.read_more()?;
                    continue;
                }
                if self.pending_cr > 0 {
                    self.owed_newlines += self.pending_cr;
                    self.pending_cr = 0;
                    continue;
                }
                if !self.at_line_start {
                    self.owed_newlines += 1;
                    continue;
                }
                return Ok(written);
            }
            if self.pending_cr > 0 {
                match self.buffer[self.start] {
                    b'\r' => {
                        self.pending_cr += 1;
                        self.start += 1;
                    }
                    b'\n' => {
                        self.pending_cr = 0;
                        self.start += 1;
                        self.owed_newlines += 1;
                    }
                    _ => {
                        self.owed_newlines += self.pending_cr;
                        self.pending_cr = 0;
                    }
                }
                continue;
            }
            let room = out.len() - written;
            let available = &self.buffer[self.start..self.end.min(self.start + room)];
            let (copied, found_cr) = match memchr::memchr(b'\r', available) {
                Some(position) => (position, true),
                None => (available.len(), false),
            };
            out[written..written + copied].copy_from_slice(&available[..copied]);
            written += copied;
            self.start += copied;
            if copied > 0 {
                self.at_line_start = out[written - 1] == b'\n';
            }
            if found_cr {
                self.start += 1;
                self.pending_cr = 1;
            }
        }
    }
}

/// The physical line where a record starts, given the parser's line count after reading it.
/// Relies on `LineEndings`: every record, the last included, ends with a consumed `\n`.
pub(crate) fn record_start_line(line_after: u64, record: &csv::ByteRecord) -> u64 {
    let inner_newlines = memchr::memchr_iter(b'\n', record.as_slice()).count() as u64;
    line_after.saturating_sub(inner_newlines + 1).max(1)
}

/// The candidate delimiter that occurs most often outside double quotes (ties go to the
/// earlier candidate), or `None` when none occurs.
pub(crate) fn most_frequent_delimiter(line: &[u8], candidates: &[u8], quoting: bool) -> Option<u8> {
    let mut counts = vec![0_usize; candidates.len()];
    let mut quoted = false;
    for &byte in line {
        if quoting && byte == b'"' {
            quoted = !quoted;
        } else if !quoted && let Some(index) = candidates.iter().position(|&c| c == byte) {
            counts[index] += 1;
        }
    }
    let mut best: Option<(usize, u8)> = None;
    for (&candidate, &count) in candidates.iter().zip(&counts) {
        if count > 0 && best.is_none_or(|(best_count, _)| count > best_count) {
            best = Some((count, candidate));
        }
    }
    best.map(|(_, delimiter)| delimiter)
}

/// Whether the bytes are nothing but spaces; on a record's `as_slice`, whether every field is.
pub(crate) fn is_blank(field: &[u8]) -> bool {
    field.iter().all(|byte| byte.is_ascii_whitespace())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that hands out one byte at a time, to exercise every buffer boundary.
    struct Trickle<'a>(&'a [u8]);

    impl Read for Trickle<'_> {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            match (self.0.split_first(), out.first_mut()) {
                (Some((&byte, rest)), Some(slot)) => {
                    *slot = byte;
                    self.0 = rest;
                    Ok(1)
                }
                _ => Ok(0),
            }
        }
    }

    fn normalised(input: &[u8]) -> Vec<u8> {
        let mut output = Vec::new();
        LineEndings::new(input)
            .read_to_end(&mut output)
            .unwrap_or_default();
        let mut trickled = Vec::new();
        let mut adapter = LineEndings::new(Trickle(input));
        let mut byte = [0_u8; 1];
        while let Ok(1) = adapter.read(&mut byte) {
            trickled.push(byte[0]);
        }
        assert_eq!(output, trickled, "one-byte reads give the same result");
        output
    }

    #[test]
    fn every_line_break_becomes_one_newline() {
        assert_eq!(normalised(b"a\r\nb\nc\rd"), b"a\nb\nc\nd\n");
        assert_eq!(normalised(b"a\r\r\nb\r\r\n"), b"a\nb\n");
        assert_eq!(normalised(b"a\r\rb\r"), b"a\n\nb\n");
        assert_eq!(normalised(b""), b"");
        assert_eq!(normalised(b"\r"), b"\n");
    }

    #[test]
    fn a_utf8_bom_is_dropped_and_remembered() {
        let mut adapter = LineEndings::new(&b"\xEF\xBB\xBFh1;h2\nx"[..]);
        assert_eq!(adapter.first_line().ok(), Some(&b"h1;h2"[..]));
        assert!(adapter.had_bom());
        let mut output = Vec::new();
        adapter.read_to_end(&mut output).unwrap_or_default();
        assert_eq!(output, b"h1;h2\nx\n");
        assert_eq!(adapter.bytes_read(), 10);
    }

    #[test]
    fn the_first_line_ignores_line_breaks_inside_quotes() {
        let mut adapter = LineEndings::new(Trickle(b"\"a\nb\",c\r\nd"));
        assert_eq!(adapter.first_line().ok(), Some(&b"\"a\nb\",c"[..]));
    }

    #[test]
    fn the_most_frequent_delimiter_outside_quotes_wins() {
        let candidates = b",;\t";
        assert_eq!(
            most_frequent_delimiter(b"a;b;c,d", candidates, true),
            Some(b';')
        );
        assert_eq!(
            most_frequent_delimiter(b"\"a;b;c\",d", candidates, true),
            Some(b',')
        );
        assert_eq!(
            most_frequent_delimiter(b"a\tb", candidates, true),
            Some(b'\t')
        );
        assert_eq!(most_frequent_delimiter(b"abc", candidates, true), None);
    }
}
