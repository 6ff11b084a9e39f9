//! Discovery calls attached to leads: the transcript and the analysis as made.

use serde::Serialize;
use sqlx::Row;

use crate::db::{Result, Store, StoreError, now, on_pool};

/// A call to attach to a lead.
#[derive(Debug, Clone)]
pub struct NewCall<'a> {
    pub lead_id: i64,
    /// The file or upload name.
    pub source_name: &'a str,
    pub language: &'a str,
    pub format: &'a str,
    /// The day of the call (`YYYY-MM-DD`).
    pub call_date: &'a str,
    pub transcript: &'a str,
    /// The analysis as JSON (the report shown to people).
    pub analysis_json: &'a str,
    /// A short summary as JSON (counts of signals and criteria).
    pub summary_json: &'a str,
    pub created_by: &'a str,
}

/// A stored call without its transcript and analysis (for lists).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CallListing {
    pub id: i64,
    pub lead_id: i64,
    pub source_name: String,
    pub language: String,
    pub format: String,
    pub call_date: String,
    pub summary: serde_json::Value,
    pub created_by: String,
    pub created_at: String,
}

/// A stored call in full.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredCall {
    #[serde(flatten)]
    pub listing: CallListing,
    pub transcript: String,
    pub analysis: serde_json::Value,
}

fn json(column: &str, text: &str) -> Result<serde_json::Value> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(format!("calls.{column}: {e}")))
}

const LISTING: &str = "id, lead_id, source_name, language, format, call_date, summary, created_by, created_at";

fn listing_from_row<R: Row>(row: &R) -> Result<CallListing>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    i64: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    String: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    let summary: String = row.try_get("summary")?;
    Ok(CallListing {
        id: row.try_get("id")?,
        lead_id: row.try_get("lead_id")?,
        source_name: row.try_get("source_name")?,
        language: row.try_get("language")?,
        format: row.try_get("format")?,
        call_date: row.try_get("call_date")?,
        summary: json("summary", &summary)?,
        created_by: row.try_get("created_by")?,
        created_at: row.try_get("created_at")?,
    })
}

impl Store {
    /// Stores a call with its lead; a lead that does not exist is [`StoreError::NotFound`].
    pub async fn insert_call(&self, call: &NewCall<'_>) -> Result<i64> {
        let now = now();
        let inserted = on_pool!(self, pool => {
            sqlx::query("INSERT INTO calls (lead_id, source_name, language, format, call_date, transcript, analysis, summary, created_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id")
                .bind(call.lead_id)
                .bind(call.source_name)
                .bind(call.language)
                .bind(call.format)
                .bind(call.call_date)
                .bind(call.transcript)
                .bind(call.analysis_json)
                .bind(call.summary_json)
                .bind(call.created_by)
                .bind(&now)
                .fetch_one(pool)
                .await
                .map(|row| row.try_get::<i64, _>("id"))
        });
        match inserted {
            Ok(id) => Ok(id?),
            Err(e) if e.as_database_error().is_some_and(|d| d.is_foreign_key_violation()) => {
                Err(StoreError::NotFound(call.lead_id.to_string()))
            }
            Err(e) => Err(e.into()),
        }
    }

    /// A lead's calls, newest first.
    pub async fn lead_calls(&self, lead_id: i64) -> Result<Vec<CallListing>> {
        on_pool!(self, pool => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {LISTING} FROM calls WHERE lead_id = $1 ORDER BY id DESC")))
                .bind(lead_id)
                .fetch_all(pool)
                .await?;
            rows.iter().map(listing_from_row).collect()
        })
    }

    /// One call in full.
    pub async fn call(&self, id: i64) -> Result<Option<StoredCall>> {
        on_pool!(self, pool => {
            let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {LISTING}, transcript, analysis FROM calls WHERE id = $1")))
                .bind(id)
                .fetch_optional(pool)
                .await?;
            match row {
                None => Ok(None),
                Some(row) => {
                    let analysis: String = row.try_get("analysis")?;
                    Ok(Some(StoredCall {
                        listing: listing_from_row(&row)?,
                        transcript: row.try_get("transcript")?,
                        analysis: json("analysis", &analysis)?,
                    }))
                }
            }
        })
    }
}
