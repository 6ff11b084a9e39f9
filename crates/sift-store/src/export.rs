//! Export of stored leads as CSV or JSON.

use std::io::Write;

use crate::record::StoredLead;

/// Makes a CSV cell safe to open in a spreadsheet: a cell starting with `=`, `+`, `-`, `@`,
/// tab or carriage return would be read as a formula, so it gets a leading apostrophe.
pub fn neutralize(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

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

/// Writes leads as CSV with a header, every text cell neutralised against formula injection.
pub fn write_csv<W: Write>(out: W, leads: &[StoredLead]) -> csv::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(COLUMNS)?;
    for lead in leads {
        let r = &lead.record;
        let text = |v: &Option<String>| v.as_deref().map(|s| neutralize(s).into_owned()).unwrap_or_default();
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
            neutralize(&custom).into_owned(),
        ])?;
    }
    w.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_starts_are_neutralised_and_the_rest_left_alone() {
        for bad in ["=1+1", "+49 30", "-5", "@SUM(A1)", "\tx", "\rx"] {
            assert!(neutralize(bad).starts_with('\''), "{bad:?}");
        }
        for ok in ["Acme", "1-2", "", "a=b"] {
            assert_eq!(neutralize(ok), ok);
        }
    }
}
