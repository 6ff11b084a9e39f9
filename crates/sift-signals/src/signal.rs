//! Signals: good signs and red flags found in a call, each with its evidence.
//!
//! Shared by the analysers: phrase-based ones (`excuse`, `knowledge`, `short_answers`) and
//! fact-based ones (`specificity`, `inconsistency`, `unrealistic_target`).

use std::fmt;

use serde::Serialize;

use crate::transcript::Span;

/// What a signal is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SignalKind {
    /// A reason given for a delay or a no (red flag).
    Excuse,
    /// Concrete, realistic figures, dates, names or steps (good sign).
    Specificity,
    /// The prospect knows their own numbers and process (good sign) or does not (red flag).
    Knowledge,
    /// Answers within the call contradict each other (red flag).
    Inconsistency,
    /// Many very short prospect answers (red flag).
    ShortAnswers,
    /// A specific but implausible target (red flag).
    UnrealisticTarget,
}

impl SignalKind {
    /// Every kind, in declaration order.
    pub const ALL: [SignalKind; 6] = [
        SignalKind::Excuse,
        SignalKind::Specificity,
        SignalKind::Knowledge,
        SignalKind::Inconsistency,
        SignalKind::ShortAnswers,
        SignalKind::UnrealisticTarget,
    ];

    /// The stable snake_case name used in JSON and lexicons.
    pub fn as_str(self) -> &'static str {
        match self {
            SignalKind::Excuse => "excuse",
            SignalKind::Specificity => "specificity",
            SignalKind::Knowledge => "knowledge",
            SignalKind::Inconsistency => "inconsistency",
            SignalKind::ShortAnswers => "short_answers",
            SignalKind::UnrealisticTarget => "unrealistic_target",
        }
    }

    /// The kind with this snake_case name.
    pub fn parse(name: &str) -> Option<SignalKind> {
        SignalKind::ALL.into_iter().find(|k| k.as_str() == name)
    }
}

impl fmt::Display for SignalKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether a signal speaks for the lead or against it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Polarity {
    Good,
    Red,
}

impl Polarity {
    pub fn as_str(self) -> &'static str {
        match self {
            Polarity::Good => "good",
            Polarity::Red => "red",
        }
    }
}

impl fmt::Display for Polarity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One good sign or red flag, located in the call.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Signal {
    pub kind: SignalKind,
    pub polarity: Polarity,
    /// The turn the signal was found in (same as `span.turn`).
    pub turn: usize,
    pub span: Span,
    /// The text the span covers.
    pub quote: String,
    /// One line saying why this counts as a signal: `explanation_message`'s English.
    pub explanation: String,
    /// The explanation as a message (`call.signal.*`), so a reader can say it in its own
    /// language.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explanation_message: Option<sift_core::Message>,
    /// Which part of Sift found it.
    pub mode: crate::meaning::Mode,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_serialise_to_their_snake_case_names() {
        for kind in SignalKind::ALL {
            let json = serde_json::to_string(&kind).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", kind.as_str()));
            assert_eq!(SignalKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(serde_json::to_string(&Polarity::Red).unwrap_or_default(), "\"red\"");
    }
}
