//! Sift's use cases: the one layer that the `sift` command line and the HTTP server both
//! call. Each use case takes parsed input (texts with their source names, typed requests),
//! orchestrates the pure crates (core, signals, score) and the store, and returns typed
//! results with their reasons; rendering is the caller's job.

pub mod accounts;
pub mod calls;
pub mod config;
pub mod config_docs;
pub mod demo;
pub mod error;
pub mod imports;
pub mod jobs;
pub mod leads;
pub mod meaning;
pub mod playbooks;
pub mod qualify;
pub mod questions;
pub mod reports;
pub mod scoring;
pub mod webhooks;

pub use config::Config;
pub use error::{AppError, Result};
