//! The contract between the rule-based analyser and a learned reader of meaning.
//!
//! Rules are right for structure (turns, figures, dates, quotes, arithmetic); a model is
//! better at meaning (is this pain? does this contact decide?). A [`MeaningModel`] reads
//! question–answer exchanges and pairs of statements; the analyser combines its readings with
//! the rules and says which mode produced each finding. This crate stays pure: the model
//! itself (weights, tokenizer, inference) lives in another crate and is passed in.

use serde::{Deserialize, Serialize};
use sift_core::Language;

/// One prospect answer with the rep question it answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Exchange<'a> {
    /// The rep's question (or the rep's last words before the answer); may be empty.
    pub question: &'a str,
    pub answer: &'a str,
    pub language: Language,
}

/// Is there a business pain the product could address?
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NeedReading {
    Pain,
    NoPain,
    Unclear,
}

/// The authority of the contact speaking (not of whoever they name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthorityReading {
    Decides,
    Recommends,
    NoSay,
    Unclear,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BudgetReading {
    Available,
    NotAvailable,
    Unclear,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimelineReading {
    Committed,
    NotCommitted,
    Unclear,
}

/// A label with the model's probability for it (0..=1).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Scored<T> {
    pub label: T,
    pub confidence: f32,
}

/// What a model read in one exchange.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ExchangeMeaning {
    pub need: Scored<NeedReading>,
    pub authority: Scored<AuthorityReading>,
    pub budget: Scored<BudgetReading>,
    pub timeline: Scored<TimelineReading>,
    /// Probability that the answer explains why the pain was not dealt with before.
    pub excuse: f32,
    /// Probability that the answer shows knowledge of the company's goals or how it decides.
    pub knowledge: f32,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the meaning model failed: {0}")]
pub struct MeaningError(pub String);

/// A learned reader of meaning. Implementations must be deterministic for the same input.
pub trait MeaningModel: Send + Sync {
    /// What the model is, for reports ("multilingual-e5-small + sift heads (1615 exchanges, 11 authors)").
    fn describe(&self) -> String;

    /// Reads each exchange; the result has one entry per input, in order.
    fn read_exchanges(&self, exchanges: &[Exchange<'_>]) -> Result<Vec<ExchangeMeaning>, MeaningError>;

    /// For each pair of statements by one speaker on one topic, the probability that they
    /// contradict each other; one entry per input, in order.
    fn contradiction(&self, pairs: &[(&str, &str)], language: Language) -> Result<Vec<f32>, MeaningError>;
}

/// Which part of Sift produced a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Lexicons and patterns.
    #[default]
    Rules,
    /// The local meaning model (with the rules for structure).
    Model,
    /// A user-supplied large language model, grounded in quotes.
    Llm,
}
