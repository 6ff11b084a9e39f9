//! Streams every lead of a database to standard output, as `export_leads` does for
//! `sift export`: used by `bench/export.sh` to measure its memory on a large database.
//!
//! usage: cargo run --release -p sift-store --example export -- URL csv|json

use std::io::Write;

use sift_store::export::{ExportFormat, export_leads};
use sift_store::{LeadFilter, Store};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(url), Some(format)) = (args.next(), args.next()) else {
        return Err("usage: export URL csv|json".into());
    };
    let format = match format.as_str() {
        "csv" => ExportFormat::Csv,
        "json" => ExportFormat::Json,
        other => return Err(format!("unknown format `{other}`").into()),
    };
    let store = Store::connect(&url).await?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
    let n = export_leads(&store, &LeadFilter::default(), format, &mut out).await?;
    out.flush()?;
    store.close().await;
    eprintln!("{n} leads exported");
    Ok(())
}
