//! Cuts a CSV byte stream into blocks of whole records, and numbers each record by the file
//! line it starts on.
//!
//! The csv crate's record positions cannot give file line numbers: a record's position is
//! where the reader *started* looking for it, before any blank lines it skipped and, in a
//! CRLF file, before the `\n` left over from the previous line's `\r\n` (so every row of a
//! CRLF file came out one line early). Here the raw bytes of each block stay at hand, so
//! the true start of each record is found by skipping line-end bytes from that position,
//! and lines are counted up to it.
//!
//! A block ends at a line end outside quotes, which the csv parser also treats as a record
//! end: quotes open a field only at its start, and `""` inside one is a quote (csv-core's
//! rules). Memory is one block plus the longest record; a record longer than
//! [`MAX_RECORD_BYTES`] (an unclosed quote) stops the reading with an error naming its line.

use std::io::Read;

/// Input bytes per block.
pub const BLOCK_BYTES: usize = 1 << 20;
/// The longest record read before giving up: an unclosed quote would otherwise swallow the
/// rest of the file into memory.
pub const MAX_RECORD_BYTES: usize = 64 << 20;

#[derive(Debug)]
pub enum BlockError {
    Io(std::io::Error),
    /// A record grew past [`MAX_RECORD_BYTES`] without ending; it starts on this line.
    RecordTooLong {
        line: u64,
    },
}

/// Whole records, as raw bytes.
pub struct Block {
    pub bytes: Vec<u8>,
    /// The file line of the block's first byte.
    pub first_line: u64,
    /// File offset just past the block.
    pub end_byte: u64,
}

/// Quote-aware scan for record ends.
struct Scanner {
    delimiter: u8,
    newline: u8,
    in_quotes: bool,
    /// Where the scan resumes.
    position: usize,
    /// Where the current record (or field) began, for the "quote opens a field" rule.
    previous: Option<u8>,
}

impl Scanner {
    /// Scans `data[position..]` and returns the offset just past the last record end seen.
    fn scan(&mut self, data: &[u8]) -> Option<usize> {
        let mut last_end = None;
        let mut i = self.position;
        while i < data.len() {
            let b = data[i];
            if self.in_quotes {
                if b == b'"' {
                    match data.get(i + 1) {
                        Some(b'"') => {
                            i += 2;
                            self.previous = Some(b'"');
                            continue;
                        }
                        Some(_) => self.in_quotes = false,
                        // Escaped or closing: decided once the next byte is read.
                        None => break,
                    }
                }
            } else if b == self.newline {
                last_end = Some(i + 1);
            } else if b == b'"' {
                self.in_quotes =
                    matches!(self.previous, None | Some(b'\n' | b'\r')) || self.previous == Some(self.delimiter);
            }
            self.previous = Some(b);
            i += 1;
        }
        self.position = i;
        last_end
    }

    /// Forgets the first `n` bytes.
    fn shift(&mut self, n: usize) {
        self.position = self.position.saturating_sub(n);
    }
}

/// Counts line ends in `bytes` (`newline` bytes; with `\r` as the newline, `\r\n` is one).
pub fn count_lines(bytes: &[u8], newline: u8) -> u64 {
    bytes.iter().filter(|&&b| b == newline).count() as u64
}

/// Reads blocks of whole records from `input`.
pub struct BlockReader<R: Read> {
    input: R,
    buffer: Vec<u8>,
    eof: bool,
    scanner: Scanner,
    /// File line of `buffer[0]`.
    line: u64,
    /// File offset of `buffer[0]`.
    offset: u64,
    newline: u8,
}

impl<R: Read> BlockReader<R> {
    /// `start_line` and `start_offset` say where `input` begins in the file (after the
    /// header); `newline` is `\n`, or `\r` for files that use nothing else.
    pub fn new(input: R, delimiter: u8, newline: u8, start_line: u64, start_offset: u64) -> Self {
        BlockReader {
            input,
            buffer: Vec::with_capacity(BLOCK_BYTES * 2),
            eof: false,
            scanner: Scanner { delimiter, newline, in_quotes: false, position: 0, previous: None },
            line: start_line,
            offset: start_offset,
            newline,
        }
    }

    fn fill(&mut self, want: usize) -> Result<(), BlockError> {
        let target = self.buffer.len() + want;
        while self.buffer.len() < target {
            let start = self.buffer.len();
            self.buffer.resize(target, 0);
            match self.input.read(&mut self.buffer[start..]) {
                Ok(0) => {
                    self.buffer.truncate(start);
                    self.eof = true;
                    return Ok(());
                }
                Ok(n) => self.buffer.truncate(start + n),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => self.buffer.truncate(start),
                Err(e) => {
                    self.buffer.truncate(start);
                    return Err(BlockError::Io(e));
                }
            }
        }
        Ok(())
    }

    /// The next block, or `None` at the end of the input.
    pub fn next_block(&mut self) -> Result<Option<Block>, BlockError> {
        loop {
            if !self.eof && self.buffer.len() < BLOCK_BYTES {
                self.fill(BLOCK_BYTES - self.buffer.len())?;
            }
            let end = match self.scanner.scan(&self.buffer) {
                Some(end) => end,
                None if self.eof => self.buffer.len(),
                None if self.buffer.len() > MAX_RECORD_BYTES => {
                    return Err(BlockError::RecordTooLong { line: self.line });
                }
                None => {
                    // A record longer than a block: read on.
                    self.fill(BLOCK_BYTES)?;
                    continue;
                }
            };
            let end = if self.eof && end < self.buffer.len() {
                // The last record may lack its line end.
                self.buffer.len()
            } else {
                end
            };
            if end == 0 {
                return Ok(None);
            }
            let rest = self.buffer.split_off(end);
            let bytes = std::mem::replace(&mut self.buffer, rest);
            self.buffer.reserve(BLOCK_BYTES);
            self.scanner.shift(end);
            let first_line = self.line;
            self.line += count_lines(&bytes, self.newline);
            self.offset += bytes.len() as u64;
            return Ok(Some(Block { bytes, first_line, end_byte: self.offset }));
        }
    }
}

/// Walks the records csv parses out of a block and gives each one's starting file line.
pub struct LineCounter<'b> {
    bytes: &'b [u8],
    newline: u8,
    /// Bytes counted so far, and the line at that point.
    counted_to: usize,
    line: u64,
}

impl<'b> LineCounter<'b> {
    pub fn new(block: &'b Block, newline: u8) -> Self {
        LineCounter { bytes: &block.bytes, newline, counted_to: 0, line: block.first_line }
    }

    /// The line of the record whose reading started at `offset` in the block (the csv
    /// reader's record position): line-end bytes before its first byte are skipped.
    pub fn line_at(&mut self, offset: usize) -> u64 {
        let mut start = offset.min(self.bytes.len());
        while start < self.bytes.len() && matches!(self.bytes[start], b'\r' | b'\n') {
            start += 1;
        }
        if start >= self.counted_to {
            self.line += count_lines(&self.bytes[self.counted_to..start], self.newline);
            self.counted_to = start;
        }
        self.line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every record's line, as parsed by csv over the blocks.
    fn lines(data: &[u8], block_limit: Option<usize>) -> Vec<(u64, Vec<String>)> {
        let newline = if data.contains(&b'\n') { b'\n' } else { b'\r' };
        let mut reader = BlockReader::new(data, b',', newline, 1, 0);
        let mut out = Vec::new();
        let _ = block_limit;
        while let Some(block) = reader.next_block().expect("read") {
            let mut csv = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(&block.bytes[..]);
            let mut counter = LineCounter::new(&block, newline);
            let mut record = csv::ByteRecord::new();
            while csv.read_byte_record(&mut record).expect("parse") {
                let offset = record.position().map_or(0, |p| p.byte() as usize);
                let fields = record.iter().map(|f| String::from_utf8_lossy(f).into_owned()).collect();
                out.push((counter.line_at(offset), fields));
            }
        }
        out
    }

    #[test]
    fn records_are_numbered_by_their_file_line_whatever_the_line_ends() {
        let expected = |rows: &[(u64, &str)]| -> Vec<(u64, Vec<String>)> {
            rows.iter().map(|(l, f)| (*l, f.split('|').map(str::to_owned).collect())).collect()
        };
        // Line 1 is `a,b` in each file (given here as already read), so data starts at line 1
        // of the input slice.
        for (name, data) in [
            ("lf", &b"1,2\n3,4\n\"x\ny\",5\n6,7\n"[..]),
            ("crlf", &b"1,2\r\n3,4\r\n\"x\r\ny\",5\r\n6,7\r\n"[..]),
            ("cr", &b"1,2\r3,4\r\"x\ry\",5\r6,7\r"[..]),
        ] {
            let got = lines(data, None);
            let sep = match name {
                "lf" => "\n",
                "crlf" => "\r\n",
                _ => "\r",
            };
            let multi = format!("x{sep}y|5");
            assert_eq!(got, expected(&[(1, "1|2"), (2, "3|4"), (3, &multi), (5, "6|7")]), "{name}");
        }
        // Blank lines are skipped by csv and counted here; no final line end.
        let got = lines(b"1,2\r\n\r\n\r\n3,4\n\n5,6", None);
        assert_eq!(got, expected(&[(1, "1|2"), (4, "3|4"), (6, "5|6")]));
    }

    #[test]
    fn blocks_end_only_between_records() {
        // Many records with quoted newlines and doubled quotes, cut into blocks: every
        // record comes out whole.
        let mut data = Vec::new();
        for i in 0..200_000 {
            data.extend_from_slice(format!("{i},\"a \"\"q\"\"\r\nb\",{i}\r\n").as_bytes());
        }
        let got = lines(&data, None);
        assert_eq!(got.len(), 200_000);
        for (i, (line, fields)) in got.iter().enumerate() {
            assert_eq!(*line, 1 + 2 * i as u64);
            assert_eq!(fields, &[i.to_string(), "a \"q\"\r\nb".to_owned(), i.to_string()]);
        }
    }

    #[test]
    fn an_unclosed_quote_stops_at_the_record_limit_with_its_line() {
        struct Endless(bool);
        impl Read for Endless {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                if !self.0 {
                    self.0 = true;
                    buf[..7].copy_from_slice(b"1,2\n3,\"");
                    return Ok(7);
                }
                buf.fill(b'x');
                Ok(buf.len())
            }
        }
        let mut reader = BlockReader::new(Endless(false), b',', b'\n', 2, 0);
        let first = reader.next_block().expect("first record").expect("a block");
        assert_eq!(first.bytes, b"1,2\n");
        match reader.next_block() {
            Err(BlockError::RecordTooLong { line }) => assert_eq!(line, 3),
            other => panic!("expected RecordTooLong, got {:?}", other.map(|b| b.map(|b| b.bytes.len()))),
        }
    }
}
