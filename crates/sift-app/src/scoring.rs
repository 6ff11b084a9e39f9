//! Learning from outcomes and scoring: the stored leads as a table the models read.

use sift_score::model::ModelFile;
use sift_score::train::TrainOptions;
use sift_score::{Table, train};
use sift_store::{LeadFilter, Store};

use crate::error::{AppError, Result};

/// Columns of stored leads offered to the models: facts known before the outcome. Stage,
/// CRM status and verdict are left out: they are set as the lead converts (or not).
pub const STORED_COLUMNS: [&str; 10] =
    ["id", "external_id", "title", "company", "domain", "industry", "employees", "annual_revenue", "country", "source"];

/// Where stored leads come from, in messages.
pub const STORED_SOURCE: &str = "stored leads";

/// The stored leads as CSV: [`STORED_COLUMNS`], `lead_type_rule`, every custom field, and
/// `converted`. Fields no stored lead has are left out.
pub async fn stored_leads_csv(store: &Store) -> Result<Vec<u8>> {
    let leads = store.list_leads(&LeadFilter::default()).await?;
    let mut custom: Vec<&String> = leads.iter().flat_map(|l| l.record.custom_fields.keys()).collect();
    custom.sort();
    custom.dedup();
    let mut header: Vec<&str> = STORED_COLUMNS.to_vec();
    header.push("lead_type_rule");
    header.extend(custom.iter().map(|c| c.as_str()));
    header.push("converted");
    let mut rows = Vec::with_capacity(leads.len());
    for lead in &leads {
        let r = &lead.record;
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        let mut row = vec![
            lead.id.to_string(),
            text(&r.external_id),
            text(&r.title),
            text(&r.company),
            text(&r.domain),
            text(&r.industry),
            r.employees.map(|v| v.to_string()).unwrap_or_default(),
            r.annual_revenue.map(|v| v.to_string()).unwrap_or_default(),
            text(&r.country),
            text(&r.source),
            text(&r.lead_type_rule),
        ];
        row.extend(custom.iter().map(|c| r.custom_fields.get(*c).cloned().unwrap_or_default()));
        row.push(r.converted.map(|v| if v { "yes" } else { "no" }).unwrap_or_default().to_string());
        rows.push(row);
    }
    let last = header.len() - 1;
    let keep: Vec<usize> =
        (0..header.len()).filter(|&c| c == 0 || c == last || rows.iter().any(|r| !r[c].is_empty())).collect();
    let csv_error = |e: csv::Error| AppError::score(STORED_SOURCE, sift_score::ScoreError::Write(e.to_string()));
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(keep.iter().map(|&c| header[c])).map_err(csv_error)?;
    for row in &rows {
        out.write_record(keep.iter().map(|&c| row[c].as_str())).map_err(csv_error)?;
    }
    out.into_inner().map_err(|e| AppError::score(STORED_SOURCE, sift_score::ScoreError::Write(e.to_string())))
}

/// Trains a model on `data` (a CSV), naming `source_name` in errors.
pub fn train_csv(data: impl std::io::Read, source_name: &str, options: &TrainOptions) -> Result<ModelFile> {
    let table = Table::read(data).map_err(|e| AppError::score(source_name, e))?;
    train(&table, options).map_err(|e| AppError::score(source_name, e))
}

/// Trains a model on the stored leads whose outcome is known.
pub async fn train_stored(store: &Store, options: &TrainOptions) -> Result<ModelFile> {
    let csv = stored_leads_csv(store).await?;
    train_csv(csv.as_slice(), STORED_SOURCE, options)
}

/// Reads a model file, naming `source_name` in errors.
pub fn read_model(source_name: &str, text: &str) -> Result<ModelFile> {
    ModelFile::from_json(text).map_err(|e| AppError::score(source_name, e))
}
