//! Reading stored decisions back: `sift leads show` and the server's lead page show the last
//! decision in full (levels, reasons, next questions), not only its verdict.

use serde::Serialize;
use sift_core::{Level, Verdict};
use sqlx::Row;

use crate::db::{Result, Store, StoreError, on_pool};

/// A stored decision with its id, time and who asked for it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredQualification {
    pub id: i64,
    pub lead_id: i64,
    pub framework: String,
    pub framework_version: String,
    pub icp_version: Option<String>,
    pub verdict: Verdict,
    pub failed_level: Option<Level>,
    /// The whole `Decision` as JSON, as the gate produced it.
    pub decision_json: String,
    pub decided_at: String,
    pub decided_by: Option<String>,
    pub re_engage_on: Option<String>,
}

fn corrupt(e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("qualifications: {e}"))
}

impl Store {
    /// The lead's decisions, newest first (at most `limit`).
    pub async fn qualifications(&self, lead_id: i64, limit: i64) -> Result<Vec<StoredQualification>> {
        on_pool!(self, pool => {
            let rows = sqlx::query(
                "SELECT id, lead_id, framework, framework_version, icp_version, verdict, failed_level, decision, \
                 decided_at, decided_by, re_engage_on FROM qualifications WHERE lead_id = $1 ORDER BY id DESC LIMIT $2",
            )
            .bind(lead_id)
            .bind(limit)
            .fetch_all(pool)
            .await?;
            let mut found = Vec::with_capacity(rows.len());
            for row in rows {
                let verdict: String = row.try_get("verdict")?;
                let failed_level: Option<String> = row.try_get("failed_level")?;
                found.push(StoredQualification {
                    id: row.try_get("id")?,
                    lead_id: row.try_get("lead_id")?,
                    framework: row.try_get("framework")?,
                    framework_version: row.try_get("framework_version")?,
                    icp_version: row.try_get("icp_version")?,
                    verdict: verdict.parse().map_err(corrupt)?,
                    failed_level: failed_level.map(|l| l.parse::<Level>()).transpose().map_err(corrupt)?,
                    decision_json: row.try_get("decision")?,
                    decided_at: row.try_get("decided_at")?,
                    decided_by: row.try_get("decided_by")?,
                    re_engage_on: row.try_get("re_engage_on")?,
                });
            }
            Ok(found)
        })
    }

    /// The lead's latest decision.
    pub async fn latest_qualification(&self, lead_id: i64) -> Result<Option<StoredQualification>> {
        Ok(self.qualifications(lead_id, 1).await?.pop())
    }
}
