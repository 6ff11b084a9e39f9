//! Discovery-call intelligence: transcripts to turns, conversation metrics, question
//! coaching, good signs and red flags, and evidence for qualification criteria.
//!
//! Pure: no I/O, no async. Text comes in as strings; results carry their evidence as spans
//! into the transcript.

pub mod analyze;
pub mod combine;
pub mod eval;
pub mod evidence;
pub mod exchange;
pub mod fact_signals;
pub mod facts;
pub mod lexicon;
pub mod meaning;
pub mod messages;
pub mod metrics;
pub mod questions;
mod restated;
pub mod roles;
pub mod signal;
pub mod signals;
pub mod transcript;

pub use signal::{Polarity, Signal, SignalKind};
pub use transcript::{Role, Span, Transcript, Turn};
