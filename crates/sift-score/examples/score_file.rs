//! Batch scoring without the CLI around it, for profiling `sift-score` alone (a change to
//! the crate rebuilds this example in seconds, the `sift` binary in minutes).
//!
//! usage: cargo run --release -p sift-score --example score_file -- MODEL IN.csv OUT.csv [TOP]

use std::time::Instant;

use sift_score::batch::{BatchOptions, score_csv};
use sift_score::model::ModelFile;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let [_, model, input, output, rest @ ..] = args.as_slice() else {
        return Err("usage: score_file MODEL IN.csv OUT.csv [TOP]".into());
    };
    let model = ModelFile::from_json(&std::fs::read_to_string(model)?)?;
    let top = rest.first().map(|t| t.parse()).transpose()?.unwrap_or(3);
    let options = BatchOptions { top, ..BatchOptions::default() };
    let started = Instant::now();
    let input = std::fs::File::open(input)?;
    let output = std::fs::File::create(output)?;
    let summary = score_csv(&model, input, output, &options, &|_| {})?;
    eprintln!("{} rows in {:.3} s", summary.rows, started.elapsed().as_secs_f64());
    Ok(())
}
