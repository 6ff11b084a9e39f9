//! Sift's persistence: one [`Store`] over SQLite (the embedded default) and PostgreSQL,
//! streaming CSV import from real CRM exports, and export.

pub mod accounts;
pub mod calls;
pub mod config_docs;
pub mod db;
pub mod events;
pub mod export;
pub mod import;
pub mod jobs;
pub mod models;
pub mod qualifications;
pub mod record;
pub mod reports;
pub mod runs;
pub mod search;
pub mod sqlite_writer;
#[cfg(feature = "testing")]
pub mod testing;

pub use config_docs::{ConfigDocument, DocumentKind, DocumentVersion, LeadRouting, OwnerChange, SaveOutcome};
pub use db::{Backend, BatchOutcome, LeadFilter, QualificationRecord, Readiness, Store, StoreError};
pub use db::{Cursor, LeadCard, LeadSort, SortKey, Visibility};
pub use events::{Event, EventKind};
pub use jobs::{Job, JobStatus};
pub use models::{LeadScore, ModelInfo};
pub use qualifications::StoredQualification;
pub use record::{LeadRecord, StoredLead};
pub use runs::{ImportRun, ImportRunStatus, RunProgress};
pub use search::{LeadCount, SEARCH_COLUMN_CAP, SEARCH_COUNT_CAP};
