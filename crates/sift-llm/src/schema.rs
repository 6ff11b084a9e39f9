//! What is sent (instructions, the numbered call, a JSON schema) and what must come back.

use serde::Deserialize;
use serde_json::{Value, json};
use sift_core::CriterionStatus;
use sift_signals::{Role, Transcript};

use crate::Concept;

/// Bumped whenever the instructions or the schema change (it is part of the cache key).
pub const PROMPT_VERSION: u32 = 1;

/// The model's answer, as the schema describes it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawReading {
    pub criteria: Vec<RawCriterion>,
    pub signals: Vec<RawSignal>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCriterion {
    pub concept: Concept,
    pub status: CriterionStatus,
    pub quotes: Vec<RawQuote>,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawQuote {
    pub turn: usize,
    pub text: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RawSignalKind {
    Excuse,
    Specificity,
    Knowledge,
    Inconsistency,
    ShortAnswers,
    UnrealisticTarget,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSignal {
    pub kind: RawSignalKind,
    pub turn: usize,
    pub quote: String,
    pub reason: String,
}

/// The JSON schema of [`RawReading`] (strict: every property required, nothing else allowed).
pub fn response_schema() -> Value {
    let quote = json!({
        "type": "object",
        "additionalProperties": false,
        "required": ["turn", "text"],
        "properties": {
            "turn": { "type": "integer", "minimum": 0 },
            "text": { "type": "string", "description": "the prospect's exact words, copied from that turn" }
        }
    });
    json!({
        "type": "object",
        "additionalProperties": false,
        "required": ["criteria", "signals"],
        "properties": {
            "criteria": {
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": false,
                    "required": ["concept", "status", "quotes", "reason"],
                    "properties": {
                        "concept": { "type": "string", "enum": ["need", "budget", "authority", "timeline"] },
                        "status": { "type": "string", "enum": ["confirmed", "partial", "unknown", "negative", "contradicted"] },
                        "quotes": { "type": "array", "items": quote },
                        "reason": { "type": "string" }
                    }
                }
            },
            "signals": {
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": false,
                    "required": ["kind", "turn", "quote", "reason"],
                    "properties": {
                        "kind": {
                            "type": "string",
                            "enum": ["excuse", "specificity", "knowledge", "inconsistency", "short_answers", "unrealistic_target"]
                        },
                        "turn": { "type": "integer", "minimum": 0 },
                        "quote": { "type": "string" },
                        "reason": { "type": "string" }
                    }
                }
            }
        }
    })
}

/// The instructions: the same definitions the project's labelling guide uses, in brief.
pub fn system_prompt() -> String {
    "You read the transcript of a sales discovery call and report, for the prospect only, \
what the call establishes. Answer with JSON that follows the given schema.\n\
criteria: one entry for each of need, budget, authority, timeline.\n\
- need: confirmed = a specific business pain is stated; partial = hinted or vague; \
negative = the prospect says things work fine; unknown = never came up.\n\
- budget: confirmed = money is set aside or an amount they can spend is stated; partial = \
hedged or still to be requested; negative = no money now; unknown.\n\
- authority (of the person on the call, not of whoever they name): confirmed = they decide or \
sign; partial = they recommend or champion and someone else decides; negative = no say; unknown.\n\
- timeline: confirmed = a buying or go-live date or a firm window; partial = urgency without a \
date or a vague window; negative = no plan to buy; unknown.\n\
- contradicted (any): the prospect said conflicting things and never resolved them; a later \
correction resolves a conflict.\n\
signals: excuse (why the pain was not dealt with before), specificity (a concrete, realistic \
target, date, amount, named decider or buying step; not context figures, not hedged guesses), \
knowledge (knows the company's goals, plans, budget cycle or approval rules), inconsistency \
(mark the later of two conflicting statements), short_answers (a pattern of one-to-three-word \
replies), unrealistic_target (a goal no business could meet).\n\
Every quote must be the prospect's exact words copied from the numbered turn you give; \
claims whose quotes are not found in the transcript are discarded. Give no quote for unknown."
        .to_owned()
}

/// The call as numbered turns, one per line: `[3] prospect (Jordan): text`.
pub fn render_transcript(transcript: &Transcript) -> String {
    let mut out = String::new();
    for turn in &transcript.turns {
        let role = match turn.role {
            Role::Rep => "rep",
            Role::Prospect => "prospect",
        };
        let text = turn.text.replace(['\n', '\r'], " ");
        out.push_str(&format!("[{}] {role} ({}): {text}\n", turn.index, turn.speaker));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use sift_core::Language;

    #[test]
    fn a_schema_conforming_answer_parses_and_others_do_not() {
        let good = r#"{"criteria":[{"concept":"budget","status":"confirmed","quotes":[{"turn":1,"text":"40k"}],"reason":"r"}],
            "signals":[{"kind":"unrealistic_target","turn":1,"quote":"q","reason":"r"}]}"#;
        let reading: RawReading = serde_json::from_str(good).unwrap();
        assert_eq!(reading.criteria[0].status, CriterionStatus::Confirmed);
        assert_eq!(reading.signals[0].kind, RawSignalKind::UnrealisticTarget);
        for bad in [
            r#"{"criteria":[],"signals":[],"extra":1}"#,
            r#"{"criteria":[{"concept":"money","status":"confirmed","quotes":[],"reason":""}],"signals":[]}"#,
            r#"{"criteria":[]}"#,
        ] {
            assert!(serde_json::from_str::<RawReading>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_schema_names_every_kind_the_parser_accepts() {
        let schema = response_schema();
        let kinds = &schema["properties"]["signals"]["items"]["properties"]["kind"]["enum"];
        for kind in kinds.as_array().unwrap() {
            let parsed: Result<RawSignalKind, _> = serde_json::from_value(kind.clone());
            assert!(parsed.is_ok(), "{kind}");
        }
        let statuses = &schema["properties"]["criteria"]["items"]["properties"]["status"]["enum"];
        for status in statuses.as_array().unwrap() {
            assert!(serde_json::from_value::<CriterionStatus>(status.clone()).is_ok(), "{status}");
        }
    }

    #[test]
    fn turns_are_numbered_with_their_role() {
        let t = Transcript::from_turns(
            Language::En,
            &[("Dana", Role::Rep, "Who signs?"), ("Jordan", Role::Prospect, "Me.\nOnly me.")],
        );
        assert_eq!(render_transcript(&t), "[0] rep (Dana): Who signs?\n[1] prospect (Jordan): Me. Only me.\n");
    }
}
