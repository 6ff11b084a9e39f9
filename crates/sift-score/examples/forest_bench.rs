//! A `gbm` model's forest walk alone, on one thread: the contributions of a CSV file's rows,
//! encoded beforehand, a block of rows at a time as batch scoring hands them over. Prints
//! the best of seven passes per row, so a change to the walk can be measured without the
//! parsing and writing around it.
//!
//! usage: cargo run --release -p sift-score --example forest_bench -- MODEL FILE.csv [ROWS_AT_ONCE]

use std::time::Instant;

use sift_score::features::NONE;
use sift_score::gbm::ForestScratch;
use sift_score::model::{ModelFile, ModelParams};
use sift_score::table::Table;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let [_, model, input, rest @ ..] = args.as_slice() else {
        return Err("usage: forest_bench MODEL FILE.csv [ROWS_AT_ONCE]".into());
    };
    let at_once: usize = rest.first().map(|n| n.parse()).transpose()?.unwrap_or(32).max(1);
    let model = ModelFile::from_json(&std::fs::read_to_string(model)?)?;
    let ModelParams::Gbm { forest, category_codes } = &model.params else { return Err("not a gbm model".into()) };
    let table = Table::read(std::fs::File::open(input)?)?;
    // The model's columns, in its order.
    let mut columns = Vec::new();
    for column in &model.schema.columns {
        columns.push(table.columns[table.column_index(&column.name)?].clone());
    }
    let headers = model.schema.columns.iter().map(|c| c.name.clone()).collect();
    let encoded = model.schema.encode_table(&Table { headers, columns, rows: table.rows })?;
    let width = encoded.n_dense + encoded.n_categorical;
    let mut rows = Vec::with_capacity(encoded.rows * width);
    for r in 0..encoded.rows {
        rows.extend_from_slice(encoded.dense_row(r));
        rows.extend(
            encoded.onehot_row(r).iter().map(|&f| if f == NONE { f64::NAN } else { category_codes[f as usize] }),
        );
    }
    let forest = forest.compile();
    let mut scratch = ForestScratch::default();
    let (mut best, mut total) = (f64::MAX, 0.0);
    for _ in 0..7 {
        let started = Instant::now();
        for block in rows.chunks(at_once * width) {
            forest.contributions_of_rows(block, width, &mut scratch);
            total += scratch.contributions().iter().sum::<f64>();
        }
        best = best.min(started.elapsed().as_secs_f64());
    }
    println!(
        "{} rows, {at_once} at once: {:.0} ns a row (checksum {total:.6})",
        encoded.rows,
        best * 1e9 / encoded.rows as f64
    );
    Ok(())
}
