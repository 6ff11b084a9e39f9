//! Reading a CSV into columns: delimiter sniffing, BOM, placeholders as missing.

use std::io::{BufRead, BufReader, Read};

use crate::error::{Result, ScoreError};

/// Values that mean "not answered": CRM placeholders (`Select` in Leads.csv, `unknown` in the
/// bank data) and the usual spreadsheet spellings. Compared case-insensitively after trimming.
pub const PLACEHOLDERS: &[&str] = &["", "select", "unknown", "na", "n/a", "#n/a", "nan", "null", "none", "-"];

/// Is this cell missing (empty or a placeholder)? Inlined: this runs for every cell of a
/// batch, and most cells are turned away by their first byte or their length.
#[inline]
pub fn is_missing(value: &str) -> bool {
    let bytes = value.as_bytes();
    let (Some(&first), Some(&last)) = (bytes.first(), bytes.last()) else { return true };
    if first.is_ascii_whitespace() || last.is_ascii_whitespace() {
        return is_placeholder(value.trim());
    }
    // Every placeholder has one of these lengths, first bytes and last bytes, in any case
    // (each byte has the bit that lower-cases an ASCII letter set): `No`, in a dozen yes/no
    // columns of a lead export, is turned away here by its last byte, without a call.
    matches!(
        (bytes.len(), first | 0x20, last | 0x20),
        (1, b'-', _)
            | (2, b'n', b'a')
            | (3, b'n', b'a' | b'n')
            | (4, b'n', b'l' | b'e')
            | (4, b'#', b'a')
            | (6, b's', b't')
            | (7, b'u', b'n')
    ) && is_placeholder(value)
}

/// Is this trimmed cell empty or one of [`PLACEHOLDERS`]?
fn is_placeholder(value: &str) -> bool {
    // Dispatch on length: this runs for many cells of a batch (`No` among them).
    let is = |p: &[u8]| same_ignoring_case(value.as_bytes(), p);
    match value.len() {
        0 => true,
        1 => value == "-",
        2 => is(b"na"),
        3 => is(b"n/a") || is(b"nan"),
        4 => is(b"null") || is(b"none") || is(b"#n/a"),
        6 => is(b"select"),
        7 => is(b"unknown"),
        _ => false,
    }
}

/// `value.eq_ignore_ascii_case(lower)` for a lower-case ASCII `lower` known at compile
/// time: a letter of `lower` matches a byte that equals it once the bit that lower-cases an
/// ASCII letter is set (only that letter, in either case, does), any other byte only
/// itself. Inlined, each comparison is a few instructions, not a loop.
#[inline(always)]
fn same_ignoring_case(value: &[u8], lower: &[u8]) -> bool {
    value.len() == lower.len()
        && value.iter().zip(lower).all(|(&b, &l)| if l.is_ascii_lowercase() { b | 0x20 == l } else { b == l })
}

/// `value.trim()`, without its character-by-character scan when an ASCII byte that is not
/// whitespace opens and closes the value (most cells): whitespace beyond ASCII starts and
/// ends with bytes above 0x7f, so there is nothing to trim. This runs for most cells of a
/// batch.
pub fn trim(value: &str) -> &str {
    let bytes = value.as_bytes();
    let plain = |b: u8| b.is_ascii() && !char::from(b).is_whitespace();
    match (bytes.first(), bytes.last()) {
        (Some(&first), Some(&last)) if plain(first) && plain(last) => value,
        _ => value.trim(),
    }
}

/// The field delimiter among `,` `;` and tab: whichever appears most in the first line.
pub fn sniff_delimiter(head: &[u8]) -> u8 {
    let line = head.split(|&b| b == b'\n').next().unwrap_or(head);
    let count = |d: u8| line.iter().filter(|&&b| b == d).count();
    [b',', b';', b'\t'].into_iter().max_by_key(|&d| (count(d), d == b',')).unwrap_or(b',')
}

/// A CSV reader over any `Read`, with the delimiter sniffed from the first line.
pub fn csv_reader<R: Read>(input: R) -> Result<csv::Reader<BufReader<R>>> {
    let mut buffered = BufReader::with_capacity(1 << 16, input);
    let head = buffered.fill_buf().map_err(|e| ScoreError::Csv(e.to_string()))?;
    let delimiter = sniff_delimiter(head);
    Ok(csv::ReaderBuilder::new().delimiter(delimiter).flexible(true).from_reader(buffered))
}

/// Header names, trimmed, BOM removed, duplicates rejected.
pub fn read_headers<R: Read>(reader: &mut csv::Reader<R>) -> Result<Vec<String>> {
    let headers = reader.headers().map_err(|e| ScoreError::Csv(e.to_string()))?;
    if headers.is_empty() {
        return Err(ScoreError::NoHeader);
    }
    let names: Vec<String> = headers.iter().map(|h| h.trim_start_matches('\u{feff}').trim().to_string()).collect();
    for (i, name) in names.iter().enumerate() {
        if !name.is_empty() && names[..i].contains(name) {
            return Err(ScoreError::DuplicateColumn(name.clone()));
        }
    }
    Ok(names)
}

/// A whole CSV held by column; `None` is a missing cell.
#[derive(Debug, Clone)]
pub struct Table {
    pub headers: Vec<String>,
    pub columns: Vec<Vec<Option<String>>>,
    pub rows: usize,
}

impl Table {
    /// Reads every row. Short rows are padded with missing cells; extra cells are ignored.
    pub fn read<R: Read>(input: R) -> Result<Table> {
        let mut reader = csv_reader(input)?;
        let headers = read_headers(&mut reader)?;
        let mut columns: Vec<Vec<Option<String>>> = vec![Vec::new(); headers.len()];
        let mut record = csv::StringRecord::new();
        let mut rows = 0;
        while reader.read_record(&mut record).map_err(|e| ScoreError::Csv(e.to_string()))? {
            if record.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            for (i, column) in columns.iter_mut().enumerate() {
                let cell = record.get(i).unwrap_or("");
                column.push(if is_missing(cell) { None } else { Some(cell.trim().to_string()) });
            }
            rows += 1;
        }
        if rows == 0 {
            return Err(ScoreError::NoRows);
        }
        Ok(Table { headers, columns, rows })
    }

    /// Builds a table from literal rows (tests and callers that already hold the data).
    pub fn from_rows(headers: &[&str], rows: &[Vec<&str>]) -> Table {
        let mut columns = vec![Vec::new(); headers.len()];
        for row in rows {
            for (i, column) in columns.iter_mut().enumerate() {
                let cell = row.get(i).copied().unwrap_or("");
                column.push(if is_missing(cell) { None } else { Some(cell.trim().to_string()) });
            }
        }
        Table { headers: headers.iter().map(|h| h.to_string()).collect(), columns, rows: rows.len() }
    }

    /// The index of a column by exact name, else case-insensitively.
    pub fn column_index(&self, name: &str) -> Result<usize> {
        find_column(&self.headers, name)
    }

    /// A copy holding only the given rows, in that order.
    pub fn select_rows(&self, rows: &[usize]) -> Table {
        let columns = self.columns.iter().map(|c| rows.iter().map(|&r| c[r].clone()).collect()).collect();
        Table { headers: self.headers.clone(), columns, rows: rows.len() }
    }
}

/// Finds a header by exact name, else case-insensitively; the error lists the columns.
pub fn find_column(headers: &[String], name: &str) -> Result<usize> {
    headers
        .iter()
        .position(|h| h == name)
        .or_else(|| headers.iter().position(|h| h.eq_ignore_ascii_case(name)))
        .ok_or_else(|| ScoreError::MissingColumn {
            column: name.to_string(),
            available: headers
                .iter()
                .filter(|h| !h.is_empty())
                .map(|h| format!("`{h}`"))
                .collect::<Vec<_>>()
                .join(", "),
        })
}

/// Reads a label cell as an outcome. With `positive`, a cell equal to it (case-insensitive)
/// is 1 and anything else 0; without, the usual spellings of yes/no are accepted.
pub fn parse_label(value: &str, positive: Option<&str>) -> Option<bool> {
    let value = value.trim();
    if let Some(positive) = positive {
        return Some(value.eq_ignore_ascii_case(positive.trim()));
    }
    const YES: &[&str] = &["1", "yes", "y", "true", "t", "won", "win", "converted"];
    const NO: &[&str] = &["0", "no", "n", "false", "f", "lost", "lose"];
    if YES.iter().any(|v| value.eq_ignore_ascii_case(v)) {
        Some(true)
    } else if NO.iter().any(|v| value.eq_ignore_ascii_case(v)) {
        Some(false)
    } else {
        match value.parse::<f64>() {
            Ok(1.0) => Some(true),
            Ok(0.0) => Some(false),
            _ => None,
        }
    }
}

/// Parses a number, accepting surrounding spaces.
pub fn parse_number(value: &str) -> Option<f64> {
    let value = trim(value);
    plain_decimal(value).or_else(|| value.parse::<f64>().ok().filter(|v| v.is_finite()))
}

/// Digits of a plain decimal that an `f64` holds exactly (`2^53` is about `9.007e15`).
const EXACT_DIGITS: usize = 15;
/// Powers of ten that an `f64` holds exactly.
const EXACT_POWERS: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20,
    1e21, 1e22,
];

/// `value.parse::<f64>()` for the numbers of most lead data, `-?digits(.digits)?` with at
/// most [`EXACT_DIGITS`] digits, without the general parser: the digits make an integer
/// that an `f64` holds exactly, and one division by an exact power of ten rounds the
/// quotient once, correctly, so the result is the parser's to the bit (the parser's own
/// fast path, after Clinger). `None` for anything else, left to the parser.
fn plain_decimal(value: &str) -> Option<f64> {
    let (negative, digits) = match value.as_bytes() {
        [b'-', rest @ ..] => (true, rest),
        rest => (false, rest),
    };
    // The digits and at most one point: at most 16 bytes, so the integer cannot overflow.
    if digits.len() > EXACT_DIGITS + 1 {
        return None;
    }
    let (mut mantissa, mut point) = (0u64, None);
    for (i, &b) in digits.iter().enumerate() {
        let digit = b.wrapping_sub(b'0');
        if digit <= 9 {
            mantissa = mantissa * 10 + u64::from(digit);
        } else if b == b'.' && point.is_none() {
            point = Some(i);
        } else {
            return None;
        }
    }
    let fraction = match point {
        None if !digits.is_empty() && digits.len() <= EXACT_DIGITS => 0,
        // A digit on each side of the point (`5.` and `.5` are the parser's call).
        Some(at) if at > 0 && at + 1 < digits.len() => digits.len() - at - 1,
        _ => return None,
    };
    let magnitude = mantissa as f64 / EXACT_POWERS[fraction];
    Some(if negative { -magnitude } else { magnitude })
}

/// Reads a boolean cell (`Yes`/`No`, `true`/`false`, `1`/`0`, `y`/`n`, `t`/`f`), any case.
#[inline]
pub fn parse_bool(value: &str) -> Option<bool> {
    // The spellings of most exports first.
    match value.as_bytes() {
        b"No" => Some(false),
        b"Yes" => Some(true),
        _ => parse_bool_any_case(value),
    }
}

fn parse_bool_any_case(value: &str) -> Option<bool> {
    let value = trim(value);
    // By length first: this runs for every boolean cell of a batch.
    let is = |word: &str| value.eq_ignore_ascii_case(word);
    match value.len() {
        1 => match value.as_bytes()[0].to_ascii_lowercase() {
            b'y' | b't' | b'1' => Some(true),
            b'n' | b'f' | b'0' => Some(false),
            _ => None,
        },
        2 if is("no") => Some(false),
        3 if is("yes") => Some(true),
        4 if is("true") => Some(true),
        5 if is("false") => Some(false),
        _ => None,
    }
}

/// Lower-cases a categorical value the way the pipeline keys it.
pub fn category_key(value: &str, buffer: &mut String) {
    buffer.clear();
    let value = trim(value);
    if value.is_ascii() {
        buffer.push_str(value);
        buffer.make_ascii_lowercase();
    } else {
        buffer.extend(value.chars().flat_map(char::to_lowercase));
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::{PLACEHOLDERS, is_missing, parse_bool, parse_number, trim};

    proptest! {
        #[test]
        fn trim_is_str_trim(value in "[ \t\n\x0b\x0c\r\u{85}\u{a0}\u{3000}\u{2028}aZ9é,;-]{0,8}") {
            prop_assert_eq!(trim(&value), value.trim());
        }

        #[test]
        fn numbers_parse_as_the_standard_parser_parses_them(value in "[ ]?[-+]?[0-9]{0,17}[.]?[0-9]{0,17}([eE][-]?[0-9])?[ ]?") {
            let parsed = value.trim().parse::<f64>().ok().filter(|v| v.is_finite());
            prop_assert_eq!(parse_number(&value).map(f64::to_bits), parsed.map(f64::to_bits), "{:?}", value);
        }

        #[test]
        fn missing_is_empty_or_a_placeholder_in_any_case(value in "[ \t\x0b\u{a0}]?[-#/nNaAsSeElLcCtTuUkKoOwWmM0]{0,8}[ \t\x0b\u{a0}]?") {
            let bytes = value.as_bytes();
            let trimmed = if bytes.first().is_some_and(u8::is_ascii_whitespace) || bytes.last().is_some_and(u8::is_ascii_whitespace) {
                value.trim()
            } else {
                value.as_str()
            };
            let expected = PLACEHOLDERS.iter().any(|p| trimmed.eq_ignore_ascii_case(p));
            prop_assert_eq!(is_missing(&value), expected, "{:?}", value);
        }
    }

    #[test]
    fn numbers_on_the_edges_of_the_fast_path_parse_as_the_standard_parser_parses_them() {
        let cases = [
            "0",
            "-0",
            "0.0",
            "-0.0",
            "00",
            "007",
            "1.",
            ".5",
            "-.5",
            "-",
            ".",
            "",
            "+1",
            "1.5.2",
            "1e3",
            "inf",
            "NaN",
            "12a",
            "a12",
            "135.26",
            "0.1",
            "0.3",
            "-2.675",
            "9007199254740993",
            "900719925474099.3",
            "999999999999999",
            "9999999999999999",
            "123456789012345",
            "1234567890123456",
            "0.000000000000001",
            "0.0000000000000001",
            "1.7976931348623157",
            "4.9406564584124654",
            "1 ",
            " 1",
            "\u{a0}1",
            "1-",
            "--1",
        ];
        for value in cases {
            let parsed = value.trim().parse::<f64>().ok().filter(|v| v.is_finite());
            assert_eq!(parse_number(value).map(f64::to_bits), parsed.map(f64::to_bits), "{value:?}");
        }
    }

    #[test]
    fn missing_cells_are_empty_or_placeholders() {
        for missing in
            ["", " ", "Select", "select ", " NA", "n/a", "#N/A", "NaN", "null", "None", "-", "UNKNOWN", "\tna"]
        {
            assert!(is_missing(missing), "{missing:?}");
        }
        for present in ["No", "n", "Nan ce", "s", "selected", "unknowns", "--", "#", "0", "Yes", "India", "\u{a0}na"] {
            assert!(!is_missing(present), "{present:?}");
        }
    }

    #[test]
    fn booleans_read_in_any_case_and_nothing_else() {
        for yes in ["yes", "Yes", "YES", " y ", "T", "true", "TRUE", "1"] {
            assert_eq!(parse_bool(yes), Some(true), "{yes}");
        }
        for no in ["no", "No", "N", "f", "False", "0", "\tno "] {
            assert_eq!(parse_bool(no), Some(false), "{no}");
        }
        for neither in ["", "2", "yes!", "nope", "tru", "é", "ja", "10", "-"] {
            assert_eq!(parse_bool(neither), None, "{neither}");
        }
    }
}
