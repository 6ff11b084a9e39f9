//! The flat lead record that import writes and the store keeps.

use std::collections::BTreeMap;

use serde::Serialize;
use sift_core::Stage;

/// One lead as stored: contact and company facts, its stage, and every column the import
/// could not place (custom fields, never dropped).
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct LeadRecord {
    /// What makes two rows the same lead: `ext:<id>`, `email:<address>` or `row:<hash>`.
    pub dedupe_key: String,
    pub external_id: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub title: Option<String>,
    pub company: Option<String>,
    pub domain: Option<String>,
    pub industry: Option<String>,
    pub employees: Option<i64>,
    pub annual_revenue: Option<f64>,
    /// ISO 3166-1 alpha-2 when the value could be recognised, else as given.
    pub country: Option<String>,
    pub source: Option<String>,
    pub stage: Stage,
    /// The CRM's own status word (`Open - Not Contacted`, `In Progress`...), kept as given.
    pub crm_status: Option<String>,
    /// Known outcome: the lead converted (or bought) or did not.
    pub converted: Option<bool>,
    /// The lead-type rule that set the stage on import, if any.
    pub lead_type_rule: Option<String>,
    pub custom_fields: BTreeMap<String, String>,
    /// A stable hash of everything above but the key: unchanged rows are skipped on re-import.
    pub row_hash: String,
    pub source_file: Option<String>,
    pub source_row: Option<i64>,
}

/// A stored lead with its database id and times.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredLead {
    pub id: i64,
    #[serde(flatten)]
    pub record: LeadRecord,
    pub created_at: String,
    pub updated_at: String,
    /// The latest verdict, if the lead has been qualified.
    pub verdict: Option<sift_core::Verdict>,
    /// The user who owns the lead (works it), if assigned.
    pub owner_id: Option<i64>,
    /// For a nurtured lead: when to look at it again (`YYYY-MM-DD`).
    pub re_engage_on: Option<String>,
    /// The playbook the lead was routed to, if any.
    pub playbook: Option<String>,
    /// The latest score from a stored model, if the lead has been scored.
    pub score: Option<crate::models::LeadScore>,
}

impl StoredLead {
    /// A tag that changes whenever anything about the lead changes (its fields, stage,
    /// owner, playbook, verdict or update time), for HTTP `ETag` / `If-Match`.
    pub fn etag(&self) -> String {
        etag_of(
            self.id,
            &self.record.row_hash,
            self.record.stage.name(),
            self.owner_id,
            self.playbook.as_deref(),
            self.verdict.map(sift_core::Verdict::name),
            &self.updated_at,
        )
    }
}

/// The ETag of a lead row from the columns that change with it.
pub(crate) fn etag_of(
    id: i64,
    row_hash: &str,
    stage: &str,
    owner_id: Option<i64>,
    playbook: Option<&str>,
    verdict: Option<&str>,
    updated_at: &str,
) -> String {
    let mut h = Fnv64::default();
    for part in [
        id.to_string().as_str(),
        row_hash,
        stage,
        &owner_id.map(|o| o.to_string()).unwrap_or_default(),
        playbook.unwrap_or(""),
        verdict.unwrap_or(""),
        updated_at,
    ] {
        h.write(part.as_bytes());
        h.write(b"\x1f");
    }
    format!("\"{:016x}\"", h.0)
}

impl LeadRecord {
    /// Full name from first and last name.
    pub fn name(&self) -> Option<String> {
        match (self.first_name.as_deref(), self.last_name.as_deref()) {
            (Some(f), Some(l)) => Some(format!("{f} {l}")),
            (Some(n), None) | (None, Some(n)) => Some(n.to_owned()),
            (None, None) => None,
        }
    }

    /// Computes the stable content hash (FNV-1a, 64 bit) over every stored field but the
    /// key and the file position, so that re-importing the same data changes nothing.
    pub fn compute_hash(&self) -> String {
        let mut h = Fnv64::default();
        let opt = |h: &mut Fnv64, v: &Option<String>| {
            h.write(v.as_deref().unwrap_or("\u{0}").as_bytes());
            h.write(b"\x1f");
        };
        for v in [
            &self.external_id,
            &self.first_name,
            &self.last_name,
            &self.email,
            &self.phone,
            &self.title,
            &self.company,
            &self.domain,
            &self.industry,
            &self.country,
            &self.source,
            &self.crm_status,
            &self.lead_type_rule,
        ] {
            opt(&mut h, v);
        }
        // Numbers are hashed as their decimal text (as they always were), written straight
        // into the hasher rather than through a String.
        let number = |h: &mut Fnv64, v: Option<&dyn std::fmt::Display>| {
            match v {
                Some(v) => {
                    let _ = std::fmt::Write::write_fmt(h, format_args!("{v}"));
                }
                None => h.write(b"\0"),
            }
            h.write(b"\x1f");
        };
        number(&mut h, self.employees.as_ref().map(|v| v as &dyn std::fmt::Display));
        number(&mut h, self.annual_revenue.as_ref().map(|v| v as &dyn std::fmt::Display));
        number(&mut h, self.converted.as_ref().map(|v| v as &dyn std::fmt::Display));
        h.write(self.stage.name().as_bytes());
        for (k, v) in &self.custom_fields {
            h.write(k.as_bytes());
            h.write(b"\x1e");
            h.write(v.as_bytes());
            h.write(b"\x1f");
        }
        format!("{:016x}", h.0)
    }
}

impl LeadRecord {
    /// The record for a domain lead (e.g. one qualified from an answers file), keyed by
    /// its id, else its email, else its content.
    pub fn from_lead(lead: &sift_core::Lead) -> LeadRecord {
        let (first_name, last_name) = match lead.contact.name.as_deref().map(str::trim) {
            Some(name) => match name.rsplit_once(' ') {
                Some((f, l)) => (Some(f.to_owned()), Some(l.to_owned())),
                None => (Some(name.to_owned()), None),
            },
            None => (None, None),
        };
        let r = LeadRecord {
            external_id: lead.id.clone(),
            first_name,
            last_name,
            email: lead.contact.email.as_ref().map(|e| e.to_lowercase()),
            phone: lead.contact.phone.clone(),
            title: lead.contact.title.clone(),
            company: lead.company.name.clone(),
            domain: lead.company.domain.clone(),
            industry: lead.company.industry.clone(),
            employees: lead.company.employees.and_then(|e| i64::try_from(e).ok()),
            annual_revenue: lead.company.annual_revenue,
            country: lead.company.country.map(|c| c.to_string()),
            source: lead.source.clone(),
            stage: lead.stage,
            custom_fields: lead.custom_fields.clone(),
            ..LeadRecord::default()
        };
        r.identify()
    }

    /// Sets the content hash and the key a lead is matched by: its CRM id, else its
    /// lower-cased email, else its content.
    pub fn identify(mut self) -> LeadRecord {
        self.row_hash = self.compute_hash();
        self.dedupe_key = match (&self.external_id, &self.email) {
            (Some(id), _) => format!("ext:{id}"),
            (None, Some(e)) => format!("email:{}", e.to_lowercase()),
            (None, None) => format!("row:{}", self.row_hash),
        };
        self
    }

    /// The domain lead for this record, for the gate. A country that is not an ISO code
    /// is left out (unknown), never guessed.
    pub fn to_lead(&self) -> sift_core::Lead {
        let mut lead = sift_core::Lead {
            id: self.external_id.clone(),
            source: self.source.clone(),
            stage: self.stage,
            custom_fields: self.custom_fields.clone(),
            ..sift_core::Lead::default()
        };
        lead.contact.name = self.name();
        lead.contact.email = self.email.clone();
        lead.contact.phone = self.phone.clone();
        lead.contact.title = self.title.clone();
        lead.company.name = self.company.clone();
        lead.company.domain = self.domain.clone();
        lead.company.industry = self.industry.clone();
        lead.company.employees = self.employees.and_then(|e| u64::try_from(e).ok());
        lead.company.annual_revenue = self.annual_revenue;
        lead.company.country = self.country.as_deref().and_then(|c| c.parse().ok());
        lead
    }
}

/// A short, stable version tag for a text (a framework or ICP file), stored with each
/// decision so that it can be told which rules produced it.
pub fn content_version(text: &str) -> String {
    let mut h = Fnv64::default();
    h.write(text.as_bytes());
    format!("{:016x}", h.0)
}

/// FNV-1a: tiny, stable across platforms and Rust versions (unlike `DefaultHasher`).
pub(crate) struct Fnv64(pub u64);

impl Default for Fnv64 {
    fn default() -> Self {
        Fnv64(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv64 {
    pub fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
}

impl std::fmt::Write for Fnv64 {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        Fnv64::write(self, s.as_bytes());
        Ok(())
    }
}

impl std::hash::Hasher for Fnv64 {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        Fnv64::write(self, bytes);
    }
}

/// Builds [`Fnv64`] hashers for maps keyed by the importer's own strings, where SipHash's
/// protection against chosen keys buys nothing and costs time on every row.
pub(crate) type FnvBuild = std::hash::BuildHasherDefault<Fnv64>;

#[cfg(test)]
mod tests {
    use super::*;

    /// The content hash as it was first written (numbers through `to_string`): stored
    /// hashes must not change, or every re-import would rewrite every lead.
    fn reference_hash(r: &LeadRecord) -> String {
        let mut h = Fnv64::default();
        let opt = |h: &mut Fnv64, v: &Option<String>| {
            h.write(v.as_deref().unwrap_or("\u{0}").as_bytes());
            h.write(b"\x1f");
        };
        for v in [
            &r.external_id,
            &r.first_name,
            &r.last_name,
            &r.email,
            &r.phone,
            &r.title,
            &r.company,
            &r.domain,
            &r.industry,
            &r.country,
            &r.source,
            &r.crm_status,
            &r.lead_type_rule,
        ] {
            opt(&mut h, v);
        }
        opt(&mut h, &r.employees.map(|e| e.to_string()));
        opt(&mut h, &r.annual_revenue.map(|e| e.to_string()));
        opt(&mut h, &r.converted.map(|e| e.to_string()));
        h.write(r.stage.name().as_bytes());
        for (k, v) in &r.custom_fields {
            h.write(k.as_bytes());
            h.write(b"\x1e");
            h.write(v.as_bytes());
            h.write(b"\x1f");
        }
        format!("{:016x}", h.0)
    }

    #[test]
    fn the_content_hash_is_stable() {
        let mut r = LeadRecord { email: Some("a@b.example".into()), ..LeadRecord::default() };
        assert_eq!(r.compute_hash(), reference_hash(&r));
        r.employees = Some(250);
        r.annual_revenue = Some(12_500_000.5);
        r.converted = Some(true);
        r.custom_fields.insert("Branche".into(), "Software".into());
        assert_eq!(r.compute_hash(), reference_hash(&r));
        r.annual_revenue = Some(1e21);
        assert_eq!(r.compute_hash(), reference_hash(&r));
    }
}
