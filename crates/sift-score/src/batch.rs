//! Streaming batch scoring. A reader thread cuts the raw input into blocks of whole records
//! (a quote-aware scan for newlines, no parsing), worker threads parse, encode, score and
//! format their blocks, and the caller's thread writes them back in order. Parsing is thus
//! spread over every core, and each block stays in the cache of the core that parses it.
//! Memory is bounded by the blocks in flight, whatever the file size.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Mutex};

pub use sift_core::csv_out::push_field;
use sift_core::csv_out::{CsvWriter, needs_quotes};

use crate::error::{Result, ScoreError};
use crate::model::{ModelFile, Scorer, Scratch, score_1_99, top_factors_into};
use crate::table::{find_column, is_missing, read_headers, sniff_delimiter};

#[derive(Debug, Clone)]
pub struct BatchOptions {
    /// Worker threads (at least 1).
    pub threads: usize,
    /// Factors listed on each side.
    pub top: usize,
    /// Column copied to the output to identify the lead; default: the identifier column
    /// dropped at training (e.g. `Prospect ID`) when the input has it, else the row number.
    pub id_column: Option<String>,
    /// Input bytes per block handed to a worker.
    pub block_bytes: usize,
}

impl BatchOptions {
    /// The allowed worker threads.
    pub const THREADS: std::ops::RangeInclusive<usize> = 1..=256;
    /// The allowed factors per side.
    pub const TOP: std::ops::RangeInclusive<usize> = 0..=50;

    /// Refuses settings out of range, naming the allowed range.
    pub fn validate(&self) -> Result<()> {
        for (what, value, range) in [("threads", self.threads, Self::THREADS), ("top factors", self.top, Self::TOP)] {
            if !range.contains(&value) {
                return Err(ScoreError::Options(format!(
                    "{what} `{value}` is out of range: give {} to {}",
                    range.start(),
                    range.end()
                )));
            }
        }
        Ok(())
    }
}

impl Default for BatchOptions {
    fn default() -> Self {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        BatchOptions { threads, top: 3, id_column: None, block_bytes: 1 << 20 }
    }
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct BatchSummary {
    pub rows: u64,
    pub bytes: u64,
}

/// Whole records, as raw bytes.
struct Block {
    sequence: u64,
    first_row: u64,
    bytes: Vec<u8>,
    end_byte: u64,
}

type Done = (u64, Result<Vec<u8>>, u64);

/// Spent block buffers, handed back for the next block: a fresh buffer of a megabyte or two
/// costs page faults and zeroed pages on every block (about a tenth of the CPU of a scoring
/// run when blocks were allocated anew). Holds at most `limit` buffers, so memory stays
/// bounded by the blocks in flight.
struct BufferPool {
    spare: Mutex<Vec<Vec<u8>>>,
    limit: usize,
}

impl BufferPool {
    fn new(limit: usize) -> BufferPool {
        BufferPool { spare: Mutex::new(Vec::new()), limit }
    }

    /// An empty buffer with room for at least `capacity` bytes.
    fn take(&self, capacity: usize) -> Vec<u8> {
        let spare = self.spare.lock().ok().and_then(|mut spare| spare.pop());
        let mut buffer = spare.unwrap_or_default();
        buffer.clear();
        buffer.reserve(capacity);
        buffer
    }

    fn give(&self, buffer: Vec<u8>) {
        if let Ok(mut spare) = self.spare.lock()
            && spare.len() < self.limit
        {
            spare.push(buffer);
        }
    }
}

/// Finds record ends the way csv-core reads records: a newline outside a quoted field; a
/// quote opens a quoted field only at the start of a field; `""` inside one is a quote.
/// Lines holding nothing but line-end bytes are not records (csv skips them).
struct RecordScanner {
    delimiter: u8,
    in_quotes: bool,
    /// Where the scan resumes.
    position: usize,
    line_start: usize,
}

impl RecordScanner {
    /// Scans `data[position..]`; returns the end (after the newline) of the last complete
    /// record and how many records end before it. With `eof`, a quote at the very end closes.
    fn scan(&mut self, data: &[u8], eof: bool, max_records: u64) -> (usize, u64) {
        let (mut last_end, mut records) = (0, 0u64);
        let mut i = self.position;
        while let Some(offset) = memchr::memchr2(b'"', b'\n', &data[i..]) {
            let at = i + offset;
            if data[at] == b'\n' {
                if !self.in_quotes {
                    if data[self.line_start..at].iter().any(|&b| b != b'\r') {
                        records += 1;
                    }
                    last_end = at + 1;
                    self.line_start = at + 1;
                    if records == max_records {
                        self.position = at + 1;
                        return (last_end, records);
                    }
                }
                i = at + 1;
            } else if self.in_quotes {
                match data.get(at + 1) {
                    Some(b'"') => i = at + 2,
                    Some(_) => {
                        self.in_quotes = false;
                        i = at + 1;
                    }
                    None if eof => {
                        self.in_quotes = false;
                        i = at + 1;
                    }
                    None => {
                        // Escaped or closing: decided by the next read.
                        self.position = at;
                        return (last_end, records);
                    }
                }
            } else {
                let field_start =
                    at == self.line_start || matches!(data[at - 1], b'\n' | b'\r') || data[at - 1] == self.delimiter;
                self.in_quotes = field_start;
                i = at + 1;
            }
        }
        self.position = data.len();
        (last_end, records)
    }

    /// Forgets the first `n` bytes (handed over as a block; at the end of the input that
    /// includes the last, unterminated line).
    fn shift(&mut self, n: usize) {
        self.position = self.position.saturating_sub(n);
        self.line_start = self.line_start.saturating_sub(n);
    }
}

/// Reads until `buffer` holds `want` more bytes or the input ends; returns true at the end.
/// `read_to_end` reads into the spare capacity as it is, where zeroing it first took about
/// a byte's worth of work for every byte of input.
fn fill<R: Read>(input: &mut R, buffer: &mut Vec<u8>, want: usize) -> Result<bool> {
    let read = Read::take(&mut *input, want as u64).read_to_end(buffer).map_err(|e| ScoreError::Csv(e.to_string()))?;
    Ok(read < want)
}

/// Scores every row of `input` and writes `id, probability, score, top_positive,
/// top_negative` to `output`. `progress` receives the input bytes consumed so far.
pub fn score_csv<R: Read + Send, W: Write>(
    model: &ModelFile,
    mut input: R,
    output: W,
    options: &BatchOptions,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<BatchSummary> {
    options.validate()?;
    let block_bytes = options.block_bytes.max(64);
    // The header: read until its record ends.
    let mut buffer = Vec::with_capacity(block_bytes * 2);
    let mut eof = fill(&mut input, &mut buffer, block_bytes)?;
    let bom = if buffer.starts_with(b"\xef\xbb\xbf") { 3 } else { 0 };
    let delimiter = sniff_delimiter(&buffer[bom..]);
    let mut scanner = RecordScanner { delimiter, in_quotes: false, position: bom, line_start: bom };
    let header_end = loop {
        let (end, records) = scanner.scan(&buffer, eof, 1);
        if records > 0 || eof {
            break if records > 0 { end } else { buffer.len() };
        }
        eof = fill(&mut input, &mut buffer, block_bytes)?;
    };
    let mut header_reader =
        csv::ReaderBuilder::new().delimiter(delimiter).flexible(true).from_reader(&buffer[bom..header_end]);
    let headers = read_headers(&mut header_reader)?;
    let scorer = Scorer::new(model, &headers)?;
    let id_column = match &options.id_column {
        Some(name) => Some(find_column(&headers, name)?),
        // The identifier dropped at training, not a column left out for another reason, or
        // one kept as a variable (odoo-nb).
        None => model
            .dropped_columns
            .iter()
            .filter(|d| d.reason.starts_with(crate::train::ID_LIKE_REASON))
            .map(|d| &d.name)
            .chain(&model.report.identifier_columns)
            .find_map(|name| find_column(&headers, name).ok()),
    };
    let rest = buffer.split_off(header_end.min(buffer.len()));
    let consumed = buffer.len() as u64;
    scanner = RecordScanner { delimiter, in_quotes: false, position: 0, line_start: 0 };

    let mut output = std::io::BufWriter::with_capacity(1 << 16, output);
    let id_name = id_column.map_or("row", |c| headers[c].as_str());
    let mut header = CsvWriter::new(Vec::new());
    header
        .write_record([id_name, "probability", "score", "top_positive", "top_negative"])
        .map_err(|e| ScoreError::Write(e.to_string()))?;
    output.write_all(&header.into_inner().map_err(write_error)?).map_err(write_error)?;

    let threads = options.threads.max(1);
    let (job_tx, job_rx) = sync_channel::<Block>(threads * 2);
    let (done_tx, done_rx) = sync_channel::<Done>(threads * 2);
    let job_rx = Arc::new(Mutex::new(job_rx));
    // Blocks in flight at most: those in the two channels, the workers' and the reader's.
    let in_flight = threads * 5 + 2;
    let (inputs, outputs) = (BufferPool::new(in_flight), BufferPool::new(in_flight));

    std::thread::scope(|scope| -> Result<BatchSummary> {
        let (inputs, outputs) = (&inputs, &outputs);
        let unread = Unread { buffer: rest, eof, consumed };
        let reader_handle = scope.spawn(move || read_blocks(&mut input, unread, scanner, block_bytes, job_tx, inputs));
        for _ in 0..threads {
            let job_rx = Arc::clone(&job_rx);
            let done_tx = done_tx.clone();
            let scorer = &scorer;
            let top = options.top;
            scope.spawn(move || {
                work(&job_rx, &done_tx, inputs, |block, scratch| {
                    let out = outputs.take(block.bytes.len() * 5 / 4);
                    score_block(scorer, delimiter, id_column, top, block, scratch, out)
                })
            });
        }
        drop(done_tx);
        // The workers hold the only receivers now: were they all to stop, the reader's next
        // send fails and it stops too, instead of waiting on a full channel for ever.
        drop(job_rx);
        let mut pending: BTreeMap<u64, (Result<Vec<u8>>, u64)> = BTreeMap::new();
        let mut next = 0u64;
        let mut failure = None;
        for (sequence, result, end_byte) in done_rx.iter() {
            pending.insert(sequence, (result, end_byte));
            while let Some((result, end_byte)) = pending.remove(&next) {
                match result {
                    Ok(bytes) => {
                        if let Err(e) = output.write_all(&bytes) {
                            failure = Some(write_error(e));
                        }
                        outputs.give(bytes);
                    }
                    Err(e) => failure = Some(e),
                }
                progress(end_byte);
                next += 1;
                if failure.is_some() {
                    break;
                }
            }
            if failure.is_some() {
                break;
            }
        }
        drop(done_rx);
        let read = reader_handle.join().map_err(|_| ScoreError::Csv("the reader thread panicked".into()))?;
        if let Some(error) = failure {
            return Err(error);
        }
        let (rows, bytes) = read?;
        output.flush().map_err(write_error)?;
        Ok(BatchSummary { rows, bytes })
    })
}

fn write_error(e: std::io::Error) -> ScoreError {
    if e.kind() == std::io::ErrorKind::BrokenPipe { ScoreError::OutputClosed } else { ScoreError::Write(e.to_string()) }
}

/// Where reading stands when the blocks start: the bytes read but not handed over, whether
/// the input has ended, and the bytes consumed before them (the header).
struct Unread {
    buffer: Vec<u8>,
    eof: bool,
    consumed: u64,
}

/// Cuts the input into blocks of whole records and numbers their rows.
fn read_blocks<R: Read>(
    input: &mut R,
    unread: Unread,
    mut scanner: RecordScanner,
    block_bytes: usize,
    jobs: SyncSender<Block>,
    buffers: &BufferPool,
) -> Result<(u64, u64)> {
    let Unread { mut buffer, mut eof, mut consumed } = unread;
    let (mut rows, mut sequence) = (0u64, 0u64);
    loop {
        if !eof && buffer.len() < block_bytes {
            let want = block_bytes - buffer.len();
            eof = fill(input, &mut buffer, want)?;
        }
        let (mut end, mut records) = scanner.scan(&buffer, eof, u64::MAX);
        if eof && end < buffer.len() {
            // The last record may lack its newline.
            if buffer[scanner.line_start..].iter().any(|&b| b != b'\r' && b != b'\n') {
                records += 1;
            }
            end = buffer.len();
        }
        if end == 0 {
            if eof {
                return Ok((rows, consumed));
            }
            // A record longer than a block: read on.
            eof = fill(input, &mut buffer, block_bytes)?;
            continue;
        }
        let mut rest = buffers.take(block_bytes * 2);
        rest.extend_from_slice(&buffer[end..]);
        buffer.truncate(end);
        scanner.shift(end);
        consumed += end as u64;
        let block = Block { sequence, first_row: rows + 1, bytes: buffer, end_byte: consumed };
        buffer = rest;
        rows += records;
        sequence += 1;
        if jobs.send(block).is_err() {
            // The writer stopped (an error elsewhere): it reports that error.
            return Ok((rows, consumed));
        }
        if eof && buffer.is_empty() {
            return Ok((rows, consumed));
        }
    }
}

/// A worker: scores blocks until the reader is done. A block whose scoring panics (a bug)
/// is answered with an error in its place, so the writer stops at it with a message instead
/// of waiting for a block that never comes.
fn work(
    jobs: &Mutex<Receiver<Block>>,
    done: &SyncSender<Done>,
    buffers: &BufferPool,
    score: impl Fn(&Block, &mut Scratch) -> Result<Vec<u8>>,
) {
    let mut scratch = Scratch::default();
    loop {
        let job = match jobs.lock() {
            Ok(rx) => rx.recv(),
            Err(_) => return,
        };
        let Ok(block) = job else { return };
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| score(&block, &mut scratch)))
            .unwrap_or_else(|_| {
                // The scratch space may be half written: start again with a clean one.
                scratch = Scratch::default();
                Err(ScoreError::Csv(format!(
                    "scoring stopped at the block of rows from {}: an internal error (a bug in Sift; please report it)",
                    block.first_row
                )))
            });
        let (sequence, end_byte) = (block.sequence, block.end_byte);
        buffers.give(block.bytes);
        if done.send((sequence, result, end_byte)).is_err() {
            return;
        }
    }
}

/// Appends `value` with `decimals` digits after the point (`-0.5` -> `-0.50`), without the
/// general float formatter (the hot path of the output): the digits are written backwards
/// into a buffer on the stack and appended at once. Always inlined, so `decimals` is a
/// constant (and the loops over the decimals unrolled).
#[inline(always)]
pub fn push_fixed(out: &mut Vec<u8>, value: f64, decimals: u32, sign: bool) {
    let unit = 10u64.pow(decimals);
    let scaled = value.abs() * unit as f64 + 0.5;
    if !scaled.is_finite() || scaled >= 1e15 {
        push_fixed_rare(out, value, decimals);
        return;
    }
    // Non-negative, so truncating after adding a half rounds half up (no libm call).
    let scaled = scaled as u64;
    if decimals <= 6 && scaled < 10 * unit {
        // One digit before the point (probabilities, most effects): a text of a length
        // known once inlined, appended without a call to copy it.
        if value < 0.0 && scaled > 0 {
            out.push(b'-');
        } else if sign {
            out.push(b'+');
        }
        let mut text = [b'.'; 8];
        let mut rest = scaled;
        for at in (2..2 + decimals as usize).rev() {
            text[at] = b'0' + (rest % 10) as u8;
            rest /= 10;
        }
        text[0] = b'0' + rest as u8;
        out.extend_from_slice(&text[..if decimals > 0 { 2 + decimals as usize } else { 1 }]);
        return;
    }
    // Below 1e15: at most 16 digits, the point, the sign and `decimals` zeros in front.
    let mut text = [0u8; 64];
    let mut at = text.len();
    let mut rest = scaled;
    for _ in 0..decimals {
        at -= 1;
        text[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
    }
    if decimals > 0 {
        at -= 1;
        text[at] = b'.';
    }
    at = push_digits(&mut text, at, rest);
    if value < 0.0 && scaled > 0 {
        at -= 1;
        text[at] = b'-';
    } else if sign {
        at -= 1;
        text[at] = b'+';
    }
    out.extend_from_slice(&text[at..]);
}

/// Appends a factor's effect as its text shows it, ` (+0.06)`: with one digit before the
/// point (nearly every effect), eight bytes in one append instead of three; the digits and
/// the sign are [`push_fixed`]'s with two decimals and a sign.
#[inline(always)]
fn push_effect(out: &mut Vec<u8>, effect: f64) {
    // `push_fixed`'s rounding; false for NaN and the infinities, which it writes.
    let scaled = effect.abs() * 100.0 + 0.5;
    if scaled < 1000.0 {
        // Below a thousand: the table's index, its digits read at once instead of worked
        // out by three divisions.
        let scaled = scaled as u32 as usize;
        let sign = if effect < 0.0 && scaled > 0 { b'-' } else { b'+' };
        let [units, point, tenths, hundredths] = EFFECT_DIGITS[scaled % 1000];
        out.extend_from_slice(&[b' ', b'(', sign, units, point, tenths, hundredths, b')']);
        return;
    }
    out.extend_from_slice(b" (");
    push_fixed(out, effect, 2, true);
    out.push(b')');
}

/// The text of each effect below ten in hundredths, `0.00` to `9.99`, as [`push_effect`]
/// writes it.
static EFFECT_DIGITS: [[u8; 4]; 1000] = {
    let mut table = [[0u8; 4]; 1000];
    let mut i = 0;
    while i < 1000 {
        table[i] = [b'0' + (i / 100) as u8, b'.', b'0' + (i / 10 % 10) as u8, b'0' + (i % 10) as u8];
        i += 1;
    }
    table
};

/// [`push_fixed`] for the values it does not write itself (huge, infinite, NaN): out of the
/// way, so the common path is small enough to inline.
#[cold]
fn push_fixed_rare(out: &mut Vec<u8>, value: f64, decimals: u32) {
    out.extend_from_slice(format!("{value:.*}", decimals as usize).as_bytes());
}

/// Writes `value`'s digits into `text` ending before `end`; returns where they start.
fn push_digits(text: &mut [u8], end: usize, mut value: u64) -> usize {
    let mut at = end;
    loop {
        at -= 1;
        text[at] = b'0' + (value % 10) as u8;
        value /= 10;
        if value == 0 {
            return at;
        }
    }
}

fn push_integer(out: &mut Vec<u8>, value: u64) {
    let mut digits = [0u8; 20];
    let at = push_digits(&mut digits, 20, value);
    out.extend_from_slice(&digits[at..]);
}

/// Rows parsed before they are scored together (see [`Scorer::score_rows`]).
const ROWS_AT_ONCE: usize = 32;

fn score_block(
    scorer: &Scorer<'_>,
    delimiter: u8,
    id_column: Option<usize>,
    top: usize,
    block: &Block,
    scratch: &mut Scratch,
    mut out: Vec<u8>,
) -> Result<Vec<u8>> {
    out.clear();
    let columns = scorer.positions.len();
    // The records of the rows scored together, reused.
    let mut records = vec![csv::ByteRecord::new(); ROWS_AT_ONCE];
    let mut row_id = Vec::new();
    let (mut positive, mut negative) = (Vec::with_capacity(top), Vec::with_capacity(top));
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(block.bytes.as_slice());
    let mut first_row = block.first_row;
    loop {
        // Records first, then their cells: a parse error is reported after any error in the
        // rows before it, as when rows were read one at a time.
        let mut count = 0;
        let mut parse_error = None;
        while count < ROWS_AT_ONCE {
            match reader.read_byte_record(&mut records[count]) {
                Ok(true) => count += 1,
                Ok(false) => break,
                Err(e) => {
                    parse_error = Some(ScoreError::Csv(format!("row {}: {e}", first_row + count as u64)));
                    break;
                }
            }
        }
        let mut cells: Vec<Option<&str>> = Vec::with_capacity(columns * count);
        for (r, record) in records[..count].iter().enumerate() {
            let row = first_row + r as u64;
            // One UTF-8 check for the whole record, then slices at field boundaries.
            let text = std::str::from_utf8(record.as_slice())
                .map_err(|_| ScoreError::Csv(format!("row {row}: not valid UTF-8")))?;
            // Extended from a mapping of known length: one reservation for the row instead
            // of a check of capacity for every cell. A cell cut inside a character is
            // noted and reported after the row, naming the first such column.
            let mut cut = None;
            cells.extend(scorer.positions.iter().enumerate().map(|(i, &position)| {
                let value = match record.range(position) {
                    Some(range) => text.get(range).unwrap_or_else(|| {
                        cut.get_or_insert(i);
                        ""
                    }),
                    None => "",
                };
                (!is_missing(value)).then_some(value)
            }));
            if let Some(i) = cut {
                return Err(ScoreError::Csv(format!(
                    "row {row}, column `{}`: not valid UTF-8",
                    scorer.model.required_columns()[i]
                )));
            }
        }
        if let Some(error) = parse_error {
            return Err(error);
        }
        if count == 0 {
            break;
        }
        let cell = |r: usize, i: usize| cells[r * columns + i];
        scorer.score_rows(count, cell, first_row as usize, scratch, |r, p, scratch| {
            let row = first_row + r as u64;
            top_factors_into(&scratch.effects, top, &mut positive, &mut negative);
            let id: &[u8] = match id_column {
                Some(c) => records[r].get(c).unwrap_or(b""),
                None => {
                    row_id.clear();
                    push_integer(&mut row_id, row);
                    &row_id
                }
            };
            push_field(&mut out, id);
            out.push(b',');
            push_fixed(&mut out, p, 4, false);
            out.push(b',');
            push_integer(&mut out, u64::from(score_1_99(p)));
            for factors in [&positive, &negative] {
                out.push(b',');
                // Written in place; the rare text that must be quoted or neutralised is taken
                // back out and written again as a field. Only names and values can hold a
                // byte that asks for quotes, and the first name decides whether the field
                // reads as a formula: what each name asks is known beforehand.
                let start = out.len();
                let mut quoted = false;
                for (n, &(slot, effect)) in factors.iter().enumerate() {
                    let (name, value) = scorer.factor_written(slot, |i| cell(r, i), scratch);
                    if n > 0 {
                        out.extend_from_slice(&name.separated);
                    } else {
                        quoted |= name.formula;
                        out.extend_from_slice(&name.written);
                    }
                    let value = value.as_str().as_bytes();
                    quoted |= name.needs_quotes || (!name.plain_values && needs_quotes(value));
                    out.extend_from_slice(value);
                    push_effect(&mut out, effect);
                }
                if quoted {
                    let text = out.split_off(start);
                    push_field(&mut out, &text);
                }
            }
            out.push(b'\n');
        })?;
        first_row += count as u64;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spent_buffers_come_back_empty_and_the_pool_keeps_at_most_its_limit() {
        let pool = BufferPool::new(2);
        let mut spent = pool.take(1000);
        assert!(spent.is_empty() && spent.capacity() >= 1000);
        spent.extend_from_slice(b"left over");
        let address = spent.as_ptr();
        pool.give(spent);
        let again = pool.take(10);
        assert!(again.is_empty(), "a reused buffer starts empty");
        assert_eq!(again.as_ptr(), address, "the same allocation, not a new one");
        for _ in 0..3 {
            pool.give(vec![0; 8]);
        }
        assert_eq!(pool.spare.lock().expect("lock").len(), 2);
    }

    #[test]
    fn an_effect_is_written_as_push_fixed_writes_it_in_brackets() {
        let values = [
            0.0,
            -0.0,
            0.004,
            -0.004,
            0.005,
            -0.005,
            0.0649,
            -1.0951,
            9.994,
            9.995,
            -9.996,
            10.0,
            -123.456,
            1e15,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ];
        for value in values.into_iter().chain((0..20_000).map(|i| f64::from(i - 10_000) * 0.001_3)) {
            let mut want = b" (".to_vec();
            push_fixed(&mut want, value, 2, true);
            want.push(b')');
            let mut got = Vec::new();
            push_effect(&mut got, value);
            assert_eq!(String::from_utf8_lossy(&got), String::from_utf8_lossy(&want), "{value}");
        }
    }

    /// A panic while scoring one block becomes that block's error, in its place, and the
    /// other blocks are still scored: the writer never waits for a block that cannot come.
    #[test]
    fn a_block_whose_scoring_panics_is_answered_with_an_error() {
        let (job_tx, job_rx) = sync_channel::<Block>(4);
        let (done_tx, done_rx) = sync_channel::<Done>(4);
        let job_rx = Mutex::new(job_rx);
        std::thread::scope(|scope| {
            scope.spawn(|| {
                work(&job_rx, &done_tx, &BufferPool::new(4), |block, _| {
                    assert!(block.sequence != 1, "a bug");
                    Ok(block.bytes.clone())
                })
            });
            for sequence in 0..3u64 {
                let block = Block {
                    sequence,
                    first_row: sequence * 10 + 1,
                    bytes: vec![b'a' + sequence as u8],
                    end_byte: sequence,
                };
                job_tx.send(block).expect("sent");
            }
            drop(job_tx);
            let wait = std::time::Duration::from_secs(10);
            let answers: Vec<Done> = (0..3).map(|_| done_rx.recv_timeout(wait).expect("answered in time")).collect();
            assert_eq!(answers[0].1.as_ref().ok(), Some(&vec![b'a']));
            let error = answers[1].1.as_ref().expect_err("the panicking block fails").to_string();
            assert!(error.contains("rows from 11") && error.contains("bug"), "{error}");
            assert_eq!(answers[2].1.as_ref().ok(), Some(&vec![b'c']));
        });
    }
}
