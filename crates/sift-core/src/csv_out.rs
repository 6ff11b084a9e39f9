//! The one way Sift writes CSV for people: every cell that a spreadsheet would run as a
//! formula is neutralised.
//!
//! A cell starting with `=`, `+`, `-`, `@`, tab or carriage return is read by Excel,
//! LibreOffice and Google Sheets as a formula (CSV injection). Such a cell is written with a
//! leading apostrophe, which spreadsheets show as text and which a reader of the CSV can
//! strip. A plain negative number (`-5`, `-0.25`) is left alone: it cannot run, and an
//! apostrophe would turn a numeric column into text.
//!
//! Every CSV that Sift writes for a user (import rejects, export, scores) goes through
//! [`CsvWriter`] or [`push_field`]; a test scans the workspace so that a new output cannot
//! bypass them.

use std::borrow::Cow;
use std::io::Write;

/// True when a spreadsheet would read `cell` as a formula.
pub fn is_formula(cell: &[u8]) -> bool {
    match cell.first() {
        Some(b'=' | b'+' | b'@' | b'\t' | b'\r') => true,
        Some(b'-') => !is_negative_number(cell),
        _ => false,
    }
}

/// `-` then digits, with at most one decimal point among them: a number, not a formula.
fn is_negative_number(cell: &[u8]) -> bool {
    let digits = &cell[1..];
    let mut seen_digit = false;
    let mut seen_point = false;
    for &b in digits {
        match b {
            b'0'..=b'9' => seen_digit = true,
            b'.' if !seen_point => seen_point = true,
            _ => return false,
        }
    }
    seen_digit
}

/// The cell as it is safe to write: with a leading `'` when it would run as a formula.
pub fn neutralize(cell: &str) -> Cow<'_, str> {
    if is_formula(cell.as_bytes()) { Cow::Owned(format!("'{cell}")) } else { Cow::Borrowed(cell) }
}

/// Appends one neutralised CSV field to `out`, quoted only when it must be (as the csv crate
/// writes it with `,` as the delimiter): for hot paths that format rows by hand.
pub fn push_field(out: &mut Vec<u8>, field: &[u8]) {
    let formula = is_formula(field);
    if needs_quotes(field) {
        out.push(b'"');
        if formula {
            out.push(b'\'');
        }
        for &b in field {
            if b == b'"' {
                out.push(b'"');
            }
            out.push(b);
        }
        out.push(b'"');
    } else {
        if formula {
            out.push(b'\'');
        }
        out.extend_from_slice(field);
    }
}

/// True when the field holds a byte that forces quoting. This runs for every field of a
/// scored file, most of them short: eight bytes are checked at a time in a `u64` (the last
/// eight overlapping the ones before), with no vector loop to set up and wind down.
pub fn needs_quotes(field: &[u8]) -> bool {
    if field.len() < 8 {
        return field.iter().fold(false, |found, &b| found | matches!(b, b',' | b'"' | b'\n' | b'\r'));
    }
    let word = |at: usize| {
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(&field[at..at + 8]);
        u64::from_le_bytes(bytes)
    };
    let mut found = 0;
    let mut at = 0;
    while at + 8 < field.len() {
        found |= quote_bytes(word(at));
        at += 8;
    }
    found |= quote_bytes(word(field.len() - 8));
    found != 0
}

/// Non-zero when a byte of `word` is `,` `"` `\n` or `\r`: a byte equal to `c` is a zero
/// byte of `word ^ c * 0x01..01`, and `(x - 0x01..01) & !x & 0x80..80` is non-zero exactly
/// when `x` has a zero byte.
fn quote_bytes(word: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let zero_byte = |x: u64| x.wrapping_sub(ONES) & !x & HIGHS;
    [b',', b'"', b'\n', b'\r'].iter().fold(0, |found, &c| found | zero_byte(word ^ (ONES * u64::from(c))))
}

/// A CSV writer that neutralises every cell. Rows may vary in length (the import's error
/// report appends the original row as read).
pub struct CsvWriter<W: Write> {
    inner: csv::Writer<W>,
    scratch: Vec<u8>,
}

impl<W: Write> CsvWriter<W> {
    pub fn new(out: W) -> CsvWriter<W> {
        CsvWriter { inner: csv::WriterBuilder::new().flexible(true).from_writer(out), scratch: Vec::new() }
    }

    /// Writes one row.
    pub fn write_record<I, T>(&mut self, record: I) -> csv::Result<()>
    where
        I: IntoIterator<Item = T>,
        T: AsRef<[u8]>,
    {
        for field in record {
            let field = field.as_ref();
            if is_formula(field) {
                self.scratch.clear();
                self.scratch.push(b'\'');
                self.scratch.extend_from_slice(field);
                self.inner.write_field(&self.scratch)?;
            } else {
                self.inner.write_field(field)?;
            }
        }
        self.inner.write_record(None::<&[u8]>)
    }

    pub fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }

    /// Flushes and returns the underlying writer.
    pub fn into_inner(self) -> Result<W, std::io::Error> {
        self.inner.into_inner().map_err(|e| std::io::Error::other(e.error().to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Against a byte-by-byte check: fields of every length up to five words, each byte
    /// that forces quotes (and bytes near them: one off, and with the high bit set) at
    /// every place, alone and after another.
    #[test]
    fn fields_need_quotes_exactly_when_a_byte_forces_them() {
        let forcing = |b: u8| matches!(b, b',' | b'"' | b'\n' | b'\r');
        let bytes = [
            b',', b'"', b'\n', b'\r', b'+', b'-', b'!', b'#', b'\t', 0x0b, 0x0c, 0x0e, 0xac, 0xa2, 0x8a, 0x00, 0xff,
            b'a',
        ];
        for len in 0..40 {
            for at in 0..len {
                for &b in &bytes {
                    for &other in &[b'x', b'"', 0x80] {
                        let mut field = vec![b'x'; len];
                        field[at] = b;
                        if at + 3 < len {
                            field[at + 3] = other;
                        }
                        let expected = field.iter().any(|&b| forcing(b));
                        assert_eq!(needs_quotes(&field), expected, "{field:?}");
                    }
                }
            }
            assert!(!needs_quotes(&vec![b'x'; len]));
        }
    }

    #[test]
    fn formula_starts_are_neutralised_and_the_rest_left_alone() {
        for bad in ["=1+1", "+49 30", "-5+2", "-A1", "@SUM(A1)", "\tx", "\rx", "-", "-.", "-1.2.3"] {
            assert!(neutralize(bad).starts_with('\''), "{bad:?}");
        }
        for ok in ["Acme", "1-2", "", "a=b", "-5", "-0.25", "12", " =x"] {
            assert_eq!(neutralize(ok), ok, "{ok:?}");
        }
    }

    #[test]
    fn the_writer_neutralises_every_cell_and_quotes_like_the_csv_crate() {
        let mut w = CsvWriter::new(Vec::new());
        w.write_record(["id", "name"]).expect("write");
        w.write_record(["=1+1", "a,\"b\""]).expect("write");
        w.write_record(["@x", "ok", "extra"]).expect("write");
        let text = String::from_utf8(w.into_inner().expect("flush")).expect("utf-8");
        assert_eq!(text, "id,name\n'=1+1,\"a,\"\"b\"\"\"\n'@x,ok,extra\n");

        let mut by_hand = Vec::new();
        for (i, field) in ["=1+1", "a,\"b\"", "@x,y"].iter().enumerate() {
            if i > 0 {
                by_hand.push(b',');
            }
            push_field(&mut by_hand, field.as_bytes());
        }
        assert_eq!(by_hand, b"'=1+1,\"a,\"\"b\"\"\",\"'@x,y\"");
    }
}
