//! Reading stored decisions back: `sift leads show` (and the server's lead page) show the
//! last decision in full (levels, reasons, next questions), not only its verdict.

use serde::Serialize;
use sqlx::Row;

use crate::db::{QualificationRecord, Result, Store, on_pool};

/// A stored decision with its id and time.
#[derive(Debug, Clone, Serialize)]
pub struct StoredQualification {
    pub id: i64,
    pub lead_id: i64,
    pub framework: String,
    pub framework_version: String,
    pub icp_version: Option<String>,
    pub verdict: String,
    pub failed_level: Option<String>,
    /// The whole `Decision` as JSON, as the gate produced it.
    pub decision_json: String,
    pub decided_at: String,
}

impl StoredQualification {
    pub fn record(&self) -> QualificationRecord {
        QualificationRecord {
            lead_id: self.lead_id,
            framework: self.framework.clone(),
            framework_version: self.framework_version.clone(),
            icp_version: self.icp_version.clone(),
            verdict: self.verdict.clone(),
            failed_level: self.failed_level.clone(),
            decision_json: self.decision_json.clone(),
        }
    }
}

impl Store {
    /// The lead's decisions, newest first (at most `limit`).
    pub async fn qualifications(&self, lead_id: i64, limit: i64) -> Result<Vec<StoredQualification>> {
        on_pool!(self, pool => {
            let rows = sqlx::query(
                "SELECT id, lead_id, framework, framework_version, icp_version, verdict, failed_level, decision, \
                 decided_at FROM qualifications WHERE lead_id = $1 ORDER BY id DESC LIMIT $2",
            )
            .bind(lead_id)
            .bind(limit)
            .fetch_all(pool)
            .await?;
            let mut found = Vec::with_capacity(rows.len());
            for row in rows {
                found.push(StoredQualification {
                    id: row.try_get("id")?,
                    lead_id: row.try_get("lead_id")?,
                    framework: row.try_get("framework")?,
                    framework_version: row.try_get("framework_version")?,
                    icp_version: row.try_get("icp_version")?,
                    verdict: row.try_get("verdict")?,
                    failed_level: row.try_get("failed_level")?,
                    decision_json: row.try_get("decision")?,
                    decided_at: row.try_get("decided_at")?,
                });
            }
            Ok(found)
        })
    }

    /// The lead's latest decision, in full.
    pub async fn latest_qualification(&self, lead_id: i64) -> Result<Option<StoredQualification>> {
        Ok(self.qualifications(lead_id, 1).await?.pop())
    }
}
