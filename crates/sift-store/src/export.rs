//! Export of stored leads as CSV or JSON, streamed from the database in bounded memory.
//!
//! CSV has the lead's own columns, then one column per custom field (named as in the file
//! it came from), every cell neutralised against formula injection. JSON is an array of
//! lead objects, custom fields as an object in each.

use std::collections::BTreeSet;
use std::io::Write;

use serde::ser::{SerializeSeq, Serializer};
use sift_core::csv_out::CsvWriter;

use crate::db::{LeadFilter, Store, StoreError};
use crate::record::StoredLead;

pub use sift_core::csv_out::neutralize;

const COLUMNS: &[&str] = &[
    "id",
    "external_id",
    "first_name",
    "last_name",
    "email",
    "phone",
    "title",
    "company",
    "domain",
    "industry",
    "employees",
    "annual_revenue",
    "country",
    "source",
    "stage",
    "crm_status",
    "converted",
    "lead_type_rule",
    "verdict",
    "re_engage_on",
    "owner_id",
    "playbook",
    "score",
    "score_model",
];

/// The output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Csv,
    Json,
}

/// The CSV header: the lead's columns, then the custom fields. A custom field named like
/// one of the lead's columns gets ` (custom)` after its name.
fn header(custom: &[String]) -> Vec<String> {
    let mut header: Vec<String> = COLUMNS.iter().map(|c| (*c).to_owned()).collect();
    for name in custom {
        let clash = COLUMNS.iter().any(|c| c.eq_ignore_ascii_case(name));
        header.push(if clash { format!("{name} (custom)") } else { name.clone() });
    }
    header
}

fn row(lead: &StoredLead, custom: &[String]) -> Vec<String> {
    let r = &lead.record;
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let mut row = vec![
        lead.id.to_string(),
        text(&r.external_id),
        text(&r.first_name),
        text(&r.last_name),
        text(&r.email),
        text(&r.phone),
        text(&r.title),
        text(&r.company),
        text(&r.domain),
        text(&r.industry),
        r.employees.map(|v| v.to_string()).unwrap_or_default(),
        r.annual_revenue.map(|v| v.to_string()).unwrap_or_default(),
        text(&r.country),
        text(&r.source),
        r.stage.name().to_owned(),
        text(&r.crm_status),
        r.converted.map(|v| v.to_string()).unwrap_or_default(),
        text(&r.lead_type_rule),
        lead.verdict.map(|v| v.name().to_owned()).unwrap_or_default(),
        text(&lead.re_engage_on),
        lead.owner_id.map(|v| v.to_string()).unwrap_or_default(),
        text(&lead.playbook),
        lead.score.as_ref().map(|s| s.score.to_string()).unwrap_or_default(),
        lead.score.as_ref().map(|s| s.model.to_string()).unwrap_or_default(),
    ];
    row.extend(custom.iter().map(|name| r.custom_fields.get(name).cloned().unwrap_or_default()));
    row
}

/// Writes leads held in memory as CSV with a header, every cell neutralised against
/// formula injection, custom fields as their own columns.
pub fn write_csv<W: Write>(out: W, leads: &[StoredLead]) -> csv::Result<()> {
    let custom: Vec<String> = leads
        .iter()
        .flat_map(|l| l.record.custom_fields.keys().cloned())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut w = CsvWriter::new(out);
    w.write_record(header(&custom))?;
    for lead in leads {
        w.write_record(row(lead, &custom))?;
    }
    w.flush()?;
    Ok(())
}

/// The I/O error inside a CSV error (so a closed pipe stays a closed pipe), else the text.
fn csv_io(e: csv::Error) -> std::io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => std::io::Error::other(format!("{other:?}")),
    }
}

fn json_io(e: serde_json::Error) -> std::io::Error {
    match e.io_error_kind() {
        Some(kind) => std::io::Error::new(kind, e.to_string()),
        None => std::io::Error::other(e.to_string()),
    }
}

/// Exports the leads that `filter` selects, streaming them from the database to `out`:
/// memory holds a few rows at a time (and the list of custom field names), whatever the
/// number of leads. Returns the number written.
pub async fn export_leads<W: Write>(
    store: &Store,
    filter: &LeadFilter,
    format: ExportFormat,
    out: W,
) -> Result<u64, StoreError> {
    match format {
        ExportFormat::Csv => {
            let custom = store.custom_field_names(filter).await?;
            let mut w = CsvWriter::new(out);
            w.write_record(header(&custom)).map_err(|e| StoreError::Output(csv_io(e)))?;
            let n = store.for_each_lead(filter, |lead| w.write_record(row(&lead, &custom)).map_err(csv_io)).await?;
            w.flush().map_err(StoreError::Output)?;
            Ok(n)
        }
        ExportFormat::Json => {
            let mut serializer = serde_json::Serializer::pretty(out);
            let mut seq = serializer.serialize_seq(None).map_err(|e| StoreError::Output(json_io(e)))?;
            let n = store.for_each_lead(filter, |lead| seq.serialize_element(&lead).map_err(json_io)).await?;
            SerializeSeq::end(seq).map_err(|e| StoreError::Output(json_io(e)))?;
            let mut out = serializer.into_inner();
            writeln!(out).map_err(StoreError::Output)?;
            out.flush().map_err(StoreError::Output)?;
            Ok(n)
        }
    }
}
