//! Which column identifies a lead. A lead is matched by its CRM id, else its email, else a
//! hash of its whole row; a file without ids or emails is therefore matched by content, and
//! re-importing it after any change to a row adds that row as a new lead. So the importer
//! looks for a key: a column the user names (`--key`), a column whose header is a CRM id
//! (`Record ID`, `Lead ID`...), or, in a file with neither ids nor emails, a column that is
//! named like an identifier and holds a distinct value on every row of the first block.

use std::collections::HashSet;

use serde::Serialize;

/// How the key column was chosen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "how")]
pub enum KeySource {
    /// Its header is a known CRM id (`Record ID`, `Prospect ID`, `Id`...).
    Header,
    /// The user named it (`--key`).
    Option,
    /// Named like an identifier, and distinct on each of the first `rows` rows.
    Detected { rows: usize },
}

/// The column that identifies each lead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyColumn {
    pub column: String,
    #[serde(flatten)]
    pub source: KeySource,
}

impl KeyColumn {
    pub fn describe(&self) -> String {
        match &self.source {
            KeySource::Header => format!("`{}` (its header names a CRM id)", self.column),
            KeySource::Option => format!("`{}` (given with --key)", self.column),
            KeySource::Detected { rows } => format!(
                "`{}` (named like an identifier, and a distinct value on each of the first {rows} rows)",
                self.column
            ),
        }
    }
}

/// The words of a header: split at anything but letters and digits and at lower-to-upper
/// case changes (`CustomerID` -> `customer`, `id`).
fn words(header: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut previous_lower = false;
    for c in header.chars() {
        if !c.is_alphanumeric() {
            if !word.is_empty() {
                words.push(std::mem::take(&mut word));
            }
            previous_lower = false;
            continue;
        }
        if c.is_uppercase() && previous_lower && !word.is_empty() {
            words.push(std::mem::take(&mut word));
        }
        previous_lower = c.is_lowercase() || c.is_numeric();
        word.extend(c.to_lowercase());
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

/// Whether a header reads like a lead's identifier: its last word is one of `id`,
/// `number`, `no`, `key`, `ref`... and it is not about a phone, a tax number, a postal code
/// or the company (many leads share an account), or it holds `编号`.
pub fn named_like_an_id(header: &str) -> bool {
    const LAST: &[&str] =
        &["id", "ids", "identifier", "uuid", "guid", "number", "no", "nr", "num", "key", "ref", "reference"];
    const NOT: &[&str] = &[
        "phone",
        "mobile",
        "fax",
        "tel",
        "telephone",
        "tax",
        "vat",
        "zip",
        "postal",
        "post",
        "house",
        "street",
        "account",
        "company",
        "organization",
        "organisation",
        "org",
        "order",
        "invoice",
        "campaign",
        "session",
    ];
    if header.contains("编号") {
        return true;
    }
    let words = words(header);
    let Some(last) = words.last() else { return false };
    LAST.contains(&last.as_str()) && !words.iter().any(|w| NOT.contains(&w.as_str()))
}

/// The first column, among `candidates` (index, header), named like an identifier whose
/// values in `sample` are all present and distinct. Needs at least two sample rows.
pub fn detect(candidates: &[(usize, &str)], sample: &[Vec<String>]) -> Option<KeyColumn> {
    if sample.len() < 2 {
        return None;
    }
    candidates.iter().filter(|(_, header)| named_like_an_id(header)).find_map(|(index, header)| {
        let mut seen = HashSet::with_capacity(sample.len());
        let distinct = sample.iter().all(|row| {
            let value = row.get(*index).map(|v| v.trim()).unwrap_or("");
            !super::is_placeholder(value) && seen.insert(value)
        });
        distinct.then(|| KeyColumn { column: (*header).to_owned(), source: KeySource::Detected { rows: sample.len() } })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_like_headers_are_recognised_and_lookalikes_are_not() {
        for yes in
            ["Customer ID", "CustomerID", "customer_no", "Lead Number", "Kunden Nr", "Member Key", "客户编号", "uuid"]
        {
            assert!(named_like_an_id(yes), "{yes}");
        }
        for no in ["Phone Number", "Zip Code", "Account Number", "Amount Paid", "Valid", "Order ID", "VAT No", "Notes"]
        {
            assert!(!named_like_an_id(no), "{no}");
        }
    }

    #[test]
    fn a_column_is_detected_only_when_distinct_on_every_sampled_row() {
        let rows = |values: &[(&str, &str)]| -> Vec<Vec<String>> {
            values.iter().map(|(a, b)| vec![(*a).to_owned(), (*b).to_owned()]).collect()
        };
        let candidates = [(0, "Member No"), (1, "Customer ID")];
        let found = detect(&candidates, &rows(&[("1", "c-1"), ("1", "c-2"), ("2", "c-3")])).expect("detected");
        assert_eq!(found, KeyColumn { column: "Customer ID".into(), source: KeySource::Detected { rows: 3 } });
        assert_eq!(detect(&candidates, &rows(&[("1", "c-1"), ("1", "")])), None, "a repeated and an empty id");
        assert_eq!(detect(&candidates, &rows(&[("1", "c-1")])), None, "one row proves nothing");
    }
}
