//! Export of stored leads as CSV or JSON.

use std::io::Write;

use crate::record::StoredLead;

use sift_core::csv_out::CsvWriter;
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
    "custom_fields",
];

/// Writes leads as CSV with a header, every cell neutralised against formula injection.
pub fn write_csv<W: Write>(out: W, leads: &[StoredLead]) -> csv::Result<()> {
    let mut w = CsvWriter::new(out);
    w.write_record(COLUMNS)?;
    for lead in leads {
        let r = &lead.record;
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        let custom = serde_json::to_string(&r.custom_fields).unwrap_or_default();
        w.write_record([
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
            text(&lead.verdict.map(|v| v.name().to_owned())),
            custom,
        ])?;
    }
    w.flush()?;
    Ok(())
}
