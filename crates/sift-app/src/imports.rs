//! Importing a CRM export or spreadsheet into the store.

use std::path::Path;

use sift_store::Store;
use sift_store::import::{self, ImportOptions, ImportSummary, Progress};

use crate::error::Result;

pub use sift_store::import::{ColumnMapping, Dialect, Field, error_report_writer, parse_mapping};

/// Shows how a file would be read (dialect, column mapping) without importing anything.
pub fn preview(path: &Path, options: &ImportOptions) -> Result<(Dialect, ColumnMapping)> {
    Ok(import::inspect(path, &options.overrides)?)
}

/// Imports a CSV file; rejected rows go to `errors` when given.
pub async fn import_file(
    store: &Store,
    path: &Path,
    options: &ImportOptions,
    errors: Option<&mut sift_core::csv_out::CsvWriter<std::fs::File>>,
    progress: &dyn Progress,
) -> Result<ImportSummary> {
    Ok(import::import_csv(store, path, options, errors, progress).await?)
}
