//! The gbm fit of a cross-validation without the CLI around it, each step timed, for profiling
//! training alone (under callgrind, `RAYON_NUM_THREADS=1` and `--folds 1` fit one fold).
//!
//! usage: cargo run --release -p sift-score --example fit_gbm -- DATA.csv LABEL [--positive V]
//!        [--exclude COLUMN]... [--folds N] [--repeat N]
//!
//! Every named column but the label and the excluded ones is a feature (the training command may
//! drop more, e.g. identifiers); the folds are Sift's stratified folds with seed 42.

use std::time::Instant;

use sift_score::Table;
use sift_score::features::{FeatureSchema, ParsedTable};
use sift_score::gbm;
use sift_score::table::parse_label;
use sift_score::train::{GbmParams, stratified_folds};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [data, label, rest @ ..] = args.as_slice() else {
        return Err("usage: fit_gbm DATA.csv LABEL [--positive V] [--exclude C]... [--folds N] [--repeat N]".into());
    };
    let (mut positive, mut exclude, mut folds_run, mut repeat) = (None, Vec::new(), 5, 1);
    let mut options = rest.iter();
    while let Some(option) = options.next() {
        let value = options.next().ok_or("an option needs a value")?;
        match option.as_str() {
            "--positive" => positive = Some(value.clone()),
            "--exclude" => exclude.push(value.clone()),
            "--folds" => folds_run = value.parse()?,
            "--repeat" => repeat = value.parse()?,
            other => return Err(format!("unknown option `{other}`").into()),
        }
    }
    let started = Instant::now();
    let table = Table::read(std::fs::File::open(data)?)?;
    let label_column = table.column_index(label)?;
    let y: Vec<bool> = table.columns[label_column]
        .iter()
        .map(|v| v.as_deref().and_then(|v| parse_label(v, positive.as_deref())).unwrap_or(false))
        .collect();
    let columns: Vec<usize> = (0..table.headers.len())
        .filter(|&c| c != label_column && !table.headers[c].is_empty() && !exclude.contains(&table.headers[c]))
        .collect();
    eprintln!("read {} rows in {:.3} s", table.rows, started.elapsed().as_secs_f64());
    let folds = stratified_folds(&y, 5, 42);
    let params = GbmParams::default();
    let (mut encode_s, mut fit_s, mut trees) = (0.0, 0.0, 0);
    // FNV-1a of the forests as JSON: the same digest is the same models, bit for bit.
    let mut digest = 0xcbf2_9ce4_8422_2325u64;
    for _ in 0..repeat {
        let started = Instant::now();
        let parsed = ParsedTable::new(&table, &columns);
        encode_s += started.elapsed().as_secs_f64();
        for fold in 0..folds_run {
            let train: Vec<usize> = (0..y.len()).filter(|&i| folds[i] != fold).collect();
            let train_y: Vec<bool> = train.iter().map(|&i| y[i]).collect();
            let started = Instant::now();
            let (schema, encoded) = FeatureSchema::fit_encode_rows(&parsed, &columns, &train)?;
            let codes = encoded.category_codes(&schema, &train_y);
            let matrix = encoded.to_tree_matrix(&codes);
            encode_s += started.elapsed().as_secs_f64();
            let started = Instant::now();
            let forest = gbm::fit(&matrix, encoded.rows, encoded.n_dense + encoded.n_categorical, &train_y, &params)?;
            fit_s += started.elapsed().as_secs_f64();
            trees += forest.trees.len();
            for byte in serde_json::to_vec(&forest)? {
                digest = (digest ^ u64::from(byte)).wrapping_mul(0x100_0000_01b3);
            }
        }
    }
    let n = repeat as f64;
    eprintln!(
        "per run of {folds_run} folds: encode {:.3} s, gbm fit {:.3} s, {} trees, models {digest:016x}",
        encode_s / n,
        fit_s / n,
        trees / repeat
    );
    Ok(())
}
