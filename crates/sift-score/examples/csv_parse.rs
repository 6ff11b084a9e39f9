//! The bar for batch scoring: merely parse a CSV with the csv crate (same delimiter sniffing
//! and reader setup as `sift score`), count rows and bytes. Used by bench/score.sh.
//!
//! usage: cargo run --release -p sift-score --example csv_parse -- FILE

use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).ok_or("usage: csv_parse FILE")?;
    let started = Instant::now();
    let mut reader = sift_score::table::csv_reader(std::fs::File::open(&path)?)?;
    let mut record = csv::ByteRecord::new();
    let (mut rows, mut fields) = (0u64, 0u64);
    while reader.read_byte_record(&mut record)? {
        rows += 1;
        fields += record.len() as u64;
    }
    let seconds = started.elapsed().as_secs_f64();
    println!("{rows} rows, {fields} fields, {} bytes in {seconds:.3} s", reader.position().byte());
    Ok(())
}
