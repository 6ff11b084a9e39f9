//! Test databases: every storage test runs against SQLite and PostgreSQL (see
//! `sift_store::testing`).

#![allow(unused_imports)]

pub use sift_store::testing::{TestDb, connect, databases, execute, shared_data, skipped};
