//! Streaming batch scoring: one reader thread parses the CSV into chunks, worker threads
//! encode, score and format them, and the caller's thread writes them back in order.
//! Memory is bounded by the chunks in flight, whatever the file size.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Mutex};

use crate::error::{Result, ScoreError};
use crate::model::{ModelFile, Scorer, Scratch, score_1_99, top_factors_into};
use crate::table::{csv_reader, find_column, is_missing, read_headers};

#[derive(Debug, Clone)]
pub struct BatchOptions {
    /// Worker threads (at least 1).
    pub threads: usize,
    /// Factors listed on each side.
    pub top: usize,
    /// Column copied to the output to identify the lead; default: the identifier column
    /// dropped at training (e.g. `Prospect ID`) when the input has it, else the row number.
    pub id_column: Option<String>,
    pub chunk_rows: usize,
}

impl Default for BatchOptions {
    fn default() -> Self {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        BatchOptions { threads, top: 3, id_column: None, chunk_rows: 256 }
    }
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct BatchSummary {
    pub rows: u64,
    pub bytes: u64,
}

struct Chunk {
    sequence: u64,
    first_row: u64,
    records: Vec<csv::ByteRecord>,
    end_byte: u64,
}

type Done = (u64, Result<Vec<u8>>, u64, Vec<csv::ByteRecord>);

/// Scores every row of `input` and writes `id, probability, score, top_positive,
/// top_negative` to `output`. `progress` receives the input bytes consumed so far.
pub fn score_csv<R: Read + Send, W: Write>(
    model: &ModelFile,
    input: R,
    output: W,
    options: &BatchOptions,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<BatchSummary> {
    let mut reader = csv_reader(input)?;
    let headers = read_headers(&mut reader)?;
    let scorer = Scorer::new(model, &headers)?;
    let id_column = match &options.id_column {
        Some(name) => Some(find_column(&headers, name)?),
        None => model.dropped_columns.iter().find_map(|d| find_column(&headers, &d.name).ok()),
    };
    let mut output = std::io::BufWriter::with_capacity(1 << 16, output);
    let id_name = id_column.map_or("row", |c| headers[c].as_str());
    let mut header = csv::Writer::from_writer(Vec::new());
    header
        .write_record([id_name, "probability", "score", "top_positive", "top_negative"])
        .map_err(|e| ScoreError::Write(e.to_string()))?;
    output.write_all(&header.into_inner().map_err(|e| ScoreError::Write(e.to_string()))?).map_err(write_error)?;

    let threads = options.threads.max(1);
    let chunk_rows = options.chunk_rows.max(1);
    let (job_tx, job_rx) = sync_channel::<Chunk>(threads * 2);
    let (done_tx, done_rx) = sync_channel::<Done>(threads * 2);
    let (recycle_tx, recycle_rx) = sync_channel::<Vec<csv::ByteRecord>>(threads * 4);
    let job_rx = Arc::new(Mutex::new(job_rx));

    std::thread::scope(|scope| -> Result<BatchSummary> {
        let reader_handle = scope.spawn(move || read_chunks(reader, chunk_rows, job_tx, recycle_rx));
        for _ in 0..threads {
            let job_rx = Arc::clone(&job_rx);
            let done_tx = done_tx.clone();
            let recycle_tx = recycle_tx.clone();
            let scorer = &scorer;
            let top = options.top;
            scope.spawn(move || work(scorer, id_column, top, &job_rx, &done_tx, &recycle_tx));
        }
        drop(done_tx);
        drop(recycle_tx);
        let mut pending: BTreeMap<u64, (Result<Vec<u8>>, u64)> = BTreeMap::new();
        let mut next = 0u64;
        let mut failure = None;
        for (sequence, result, end_byte, _) in done_rx.iter() {
            pending.insert(sequence, (result, end_byte));
            while let Some((result, end_byte)) = pending.remove(&next) {
                match result {
                    Ok(bytes) => {
                        if let Err(e) = output.write_all(&bytes) {
                            failure = Some(write_error(e));
                        }
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
    ScoreError::Write(e.to_string())
}

fn read_chunks<R: Read>(
    mut reader: csv::Reader<R>,
    chunk_rows: usize,
    jobs: SyncSender<Chunk>,
    recycled: Receiver<Vec<csv::ByteRecord>>,
) -> Result<(u64, u64)> {
    let mut rows = 0u64;
    let mut sequence = 0u64;
    loop {
        let mut records = recycled.try_recv().unwrap_or_default();
        records.resize_with(chunk_rows, csv::ByteRecord::new);
        let mut filled = 0;
        while filled < chunk_rows {
            let more = reader
                .read_byte_record(&mut records[filled])
                .map_err(|e| ScoreError::Csv(format!("row {}: {e}", rows + filled as u64 + 1)))?;
            if !more {
                break;
            }
            filled += 1;
        }
        records.truncate(filled);
        if filled == 0 {
            return Ok((rows, reader.position().byte()));
        }
        let chunk = Chunk { sequence, first_row: rows + 1, records, end_byte: reader.position().byte() };
        rows += filled as u64;
        sequence += 1;
        if jobs.send(chunk).is_err() {
            // The writer stopped (an error elsewhere): it reports that error.
            return Ok((rows, reader.position().byte()));
        }
    }
}

fn work(
    scorer: &Scorer<'_>,
    id_column: Option<usize>,
    top: usize,
    jobs: &Mutex<Receiver<Chunk>>,
    done: &SyncSender<Done>,
    recycle: &SyncSender<Vec<csv::ByteRecord>>,
) {
    let mut scratch = Scratch::default();
    loop {
        let job = match jobs.lock() {
            Ok(rx) => rx.recv(),
            Err(_) => return,
        };
        let Ok(chunk) = job else { return };
        let result = score_chunk(scorer, id_column, top, &chunk, &mut scratch);
        let Chunk { sequence, end_byte, records, .. } = chunk;
        if done.send((sequence, result, end_byte, Vec::new())).is_err() {
            return;
        }
        let _ = recycle.try_send(records);
    }
}

/// Appends `value` with `decimals` digits after the point (`-0.5` -> `-0.50`), without the
/// general float formatter (the hot path of the output).
pub fn push_fixed(out: &mut Vec<u8>, value: f64, decimals: u32, sign: bool) {
    let unit = 10u64.pow(decimals);
    // Non-negative, so adding a half and truncating rounds half up (no libm call).
    let scaled = (value.abs() * unit as f64 + 0.5).floor();
    if !scaled.is_finite() || scaled >= 1e15 {
        out.extend_from_slice(format!("{value:.*}", decimals as usize).as_bytes());
        return;
    }
    let scaled = scaled as u64;
    if value < 0.0 && scaled > 0 {
        out.push(b'-');
    } else if sign {
        out.push(b'+');
    }
    push_integer(out, scaled / unit);
    if decimals > 0 {
        out.push(b'.');
        let start = out.len();
        let mut rest = scaled % unit;
        out.resize(start + decimals as usize, b'0');
        for i in (start..out.len()).rev() {
            out[i] = b'0' + (rest % 10) as u8;
            rest /= 10;
        }
    }
}

fn push_integer(out: &mut Vec<u8>, mut value: u64) {
    let mut digits = [0u8; 20];
    let mut n = digits.len();
    loop {
        n -= 1;
        digits[n] = b'0' + (value % 10) as u8;
        value /= 10;
        if value == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[n..]);
}

fn score_chunk(
    scorer: &Scorer<'_>,
    id_column: Option<usize>,
    top: usize,
    chunk: &Chunk,
    scratch: &mut Scratch,
) -> Result<Vec<u8>> {
    let mut out = csv::WriterBuilder::new().from_writer(Vec::with_capacity(chunk.records.len() * 160));
    let mut cells: Vec<Option<&str>> = Vec::with_capacity(scorer.positions.len());
    let (mut probability, mut score, mut positive_text, mut negative_text, mut row_id) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let (mut positive, mut negative) = (Vec::with_capacity(top), Vec::with_capacity(top));
    for (offset, record) in chunk.records.iter().enumerate() {
        let row = chunk.first_row + offset as u64;
        // One UTF-8 check for the whole record, then slices at field boundaries.
        let text = std::str::from_utf8(record.as_slice())
            .map_err(|_| ScoreError::Csv(format!("row {row}: not valid UTF-8")))?;
        cells.clear();
        for (i, &position) in scorer.positions.iter().enumerate() {
            let value = match record.range(position) {
                Some(range) => text.get(range).ok_or_else(|| {
                    ScoreError::Csv(format!(
                        "row {row}, column `{}`: not valid UTF-8",
                        scorer.model.required_columns()[i]
                    ))
                })?,
                None => "",
            };
            cells.push(if is_missing(value) { None } else { Some(value) });
        }
        let cell = |i: usize| cells[i];
        let p = scorer.score(cell, row as usize, scratch)?;
        top_factors_into(&scratch.effects, top, &mut positive, &mut negative);
        for (text, factors) in [(&mut positive_text, &positive), (&mut negative_text, &negative)] {
            text.clear();
            for (n, &(slot, effect)) in factors.iter().enumerate() {
                let (name, value) = scorer.factor_label(slot, cell, scratch);
                if n > 0 {
                    text.extend_from_slice(b"; ");
                }
                text.extend_from_slice(name.as_bytes());
                text.push(b'=');
                text.extend_from_slice(value.as_str().as_bytes());
                text.extend_from_slice(b" (");
                push_fixed(text, effect, 2, true);
                text.push(b')');
            }
        }
        probability.clear();
        push_fixed(&mut probability, p, 4, false);
        score.clear();
        push_integer(&mut score, u64::from(score_1_99(p)));
        let id: &[u8] = match id_column {
            Some(c) => record.get(c).unwrap_or(b""),
            None => {
                row_id.clear();
                push_integer(&mut row_id, row);
                &row_id
            }
        };
        out.write_record([id, &probability, &score, &positive_text, &negative_text])
            .map_err(|e| ScoreError::Write(e.to_string()))?;
    }
    out.into_inner().map_err(|e| ScoreError::Write(e.to_string()))
}
