//! Sift's persistence: one [`Store`] over SQLite (the embedded default) and PostgreSQL,
//! streaming CSV import from real CRM exports, and export.

pub mod db;
pub mod export;
pub mod import;
pub mod qualifications;
pub mod record;
pub mod runs;
pub mod sqlite_writer;

pub use db::{Backend, BatchOutcome, LeadFilter, QualificationRecord, Store, StoreError};
pub use qualifications::StoredQualification;
pub use record::{LeadRecord, StoredLead};
pub use runs::{ImportRun, ImportRunStatus, RunProgress};
