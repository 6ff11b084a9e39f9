//! Engine messages as a stable code with arguments.
//!
//! The gate and the ICP write every reason, next step and note as English text (the next
//! step in the lead's language), and that text is what the API returns and the store keeps.
//! Beside each text the same words come as a [`Message`]: a code that never changes and the
//! arguments it was said with, so a reader can say it in its own language (the web app
//! renders Chinese from it). [`Message::english`] is the one place the English wording of a
//! code lives, and the text beside a message is always its English rendering (a test holds
//! the gate to it).
//!
//! The same holds for the other engines' words: the lead-type rules (`lead_type.*`, here),
//! a call's analysis by `sift-signals` (`call.*`, in `message/calls.rs`) and a scoring
//! model's report by `sift-score` (`model.*`, in `message/models.rs`).
//!
//! Arguments are data (a value of the lead, a date, an id), a nested message (a level's
//! reason inside the verdict's reason), or a list of either. Which arguments a code takes
//! is written beside the code in [`Message::english`].

use std::collections::BTreeMap;
use std::fmt;

mod calls;
mod models;

use serde::{Deserialize, Serialize};

/// A code and its arguments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    /// Stable, dotted: `gate.criterion.confirmed`, `icp.territory.fail`, ...
    pub code: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub args: BTreeMap<String, Arg>,
}

/// One argument of a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Arg {
    /// Data, shown as it is (ids, values of the lead, dates, numbers in words).
    Text(String),
    /// Several arguments (the criteria still open, the findings a level fails on).
    List(Vec<Arg>),
    /// Words of their own, said in the reader's language too.
    Message(Message),
}

impl Arg {
    /// The argument in English.
    pub fn english(&self) -> String {
        match self {
            Arg::Text(text) => text.clone(),
            Arg::List(items) => items.iter().map(Arg::english).collect::<Vec<_>>().join(", "),
            Arg::Message(message) => message.english(),
        }
    }
}

impl Message {
    pub fn new(code: &str) -> Message {
        Message { code: code.to_owned(), args: BTreeMap::new() }
    }

    /// Adds a data argument.
    pub fn with(mut self, key: &str, value: impl Into<String>) -> Message {
        self.args.insert(key.to_owned(), Arg::Text(value.into()));
        self
    }

    /// Adds a data argument when there is one.
    pub fn with_opt(self, key: &str, value: Option<impl Into<String>>) -> Message {
        match value {
            Some(v) => self.with(key, v),
            None => self,
        }
    }

    /// Adds a nested message.
    pub fn with_message(mut self, key: &str, message: Message) -> Message {
        self.args.insert(key.to_owned(), Arg::Message(message));
        self
    }

    /// Adds a list.
    pub fn with_list(mut self, key: &str, items: Vec<Arg>) -> Message {
        self.args.insert(key.to_owned(), Arg::List(items));
        self
    }

    /// Adds any argument.
    pub fn with_arg(mut self, key: &str, arg: Arg) -> Message {
        self.args.insert(key.to_owned(), arg);
        self
    }

    /// A data argument.
    pub fn text(&self, key: &str) -> Option<&str> {
        match self.args.get(key)? {
            Arg::Text(text) => Some(text),
            _ => None,
        }
    }

    /// A nested message.
    pub fn message(&self, key: &str) -> Option<&Message> {
        match self.args.get(key)? {
            Arg::Message(m) => Some(m),
            _ => None,
        }
    }

    /// A list argument (empty when absent).
    pub fn list(&self, key: &str) -> &[Arg] {
        match self.args.get(key) {
            Some(Arg::List(items)) => items,
            _ => &[],
        }
    }

    /// An argument in English (empty when absent).
    fn en(&self, key: &str) -> String {
        self.args.get(key).map(Arg::english).unwrap_or_default()
    }

    /// The message in English: the text the engine has always written. An unknown code
    /// (a message from a newer version) is said as its code.
    pub fn english(&self) -> String {
        self.english_if_known().unwrap_or_else(|| self.code.clone())
    }

    /// The message in English, or `None` for a code this version does not know.
    pub fn english_if_known(&self) -> Option<String> {
        let a = |key: &str| self.en(key);
        let name = a("name");
        let with_note = |text: String| match self.args.get("note").map(Arg::english) {
            Some(note) if !note.trim().is_empty() => format!("{text} (\"{}\")", note.trim()),
            _ => text,
        };
        let text = match self.code.as_str() {
            // The gate: a criterion (`criterion`, `name`, `name_zh`, `note`, dates).
            "gate.criterion.beyond_horizon" => with_note(format!(
                "{name}: planned for {}, beyond the {}-day horizon (until {})",
                a("date"),
                a("days"),
                a("until")
            )),
            "gate.criterion.date_passed" => with_note(format!(
                "{name}: the recorded date {} has already passed; confirm the current timeline",
                a("date")
            )),
            "gate.criterion.confirmed_for" => with_note(format!("{name}: confirmed, planned for {}", a("date"))),
            "gate.criterion.confirmed" => with_note(format!("{name}: confirmed")),
            "gate.criterion.partial" => with_note(format!("{name}: only partly established")),
            "gate.criterion.unknown" => with_note(format!("{name}: not established yet")),
            "gate.criterion.lacking" => with_note(format!("{name}: clearly lacking")),
            "gate.criterion.not_now" => with_note(format!("{name}: not there now")),
            "gate.criterion.contradicted" => with_note(format!(
                "{name}: answers contradict each other, so it is not treated as confirmed; check with someone who knows"
            )),
            // A finding named in a level's reason (`id`, `source`, `name`, `name_zh`).
            "gate.finding" => format!("`{}`", a("id")),
            // The ICP at the organization level.
            "gate.icp.none" => "no ideal-customer profile given: organization fit was not checked".to_owned(),
            "gate.icp.not_required" => format!(
                "{}; an exclusion rule can fail a lead but cannot be required of it, so this does not hold the lead",
                a("reason")
            ),
            // A level's reason.
            "gate.level.failing" => {
                self.list("findings").iter().map(Arg::english).collect::<Vec<_>>().join("; ")
            }
            "gate.level.open" => format!("not yet established: {}", a("findings")),
            "gate.level.no_criteria" => format!("the {} framework sets no criteria at this level", a("framework")),
            "gate.level.all_pass" => format!("{0} of {0} deciding checks pass", a("count")),
            // The verdict's reasons (`level`, `reason`).
            "gate.reason.fails" => format!("{} level fails: {}", a("level"), a("reason")),
            "gate.reason.also_fails" => format!("also at {} level: {}", a("level"), a("reason")),
            "gate.reason.open" => format!("{} level open: {}", a("level"), a("reason")),
            "gate.reason.all_pass" => "all three levels pass".to_owned(),
            "gate.reason.passes" => format!("{} level passes: {}", a("level"), a("reason")),
            // The next step.
            "gate.next.qualified" => {
                "Advance to SQL and into the pipeline: agree a date for the next meeting before you hang up.".to_owned()
            }
            "gate.next.nurture" => format!(
                "Move to the `{}` nurture track: keep sending useful material and re-engage on {}.",
                a("track"),
                a("date")
            ),
            "gate.next.find_decision_maker" => "This contact cannot make or drive the decision: find another contact (the real decision maker) and re-qualify with them.".to_owned(),
            "gate.next.outside_icp" => "The account does not fit the ideal-customer profile: take it out of the active funnel; revisit only if the company changes.".to_owned(),
            "gate.next.no_problem" => "There is no business problem here that we solve: close politely and do not go on to budget or authority.".to_owned(),
            "gate.next.cannot_commit" => "The deal cannot move forward with what this contact can commit to: record why and close, or reach other people in the organization.".to_owned(),
            "gate.next.contradicted" => "Some answers contradict each other: find out who really knows, confirm with that person, then ask the questions below.".to_owned(),
            "gate.next.ask" => "Not enough is known yet: ask the questions below on the next call.".to_owned(),
            // The ICP's rules.
            "icp.territory.unknown" => "the lead's country is not known".to_owned(),
            "icp.territory.pass" => format!("`{}` is in our territories", a("country")),
            "icp.territory.fail" => {
                format!("`{}` is outside our territories ({})", a("country"), a("territories"))
            }
            "icp.industry.unknown" => "the company's industry is not known".to_owned(),
            "icp.industry.pass" => format!("`{}` matches target industry `{}`", a("industry"), a("target")),
            "icp.industry.fail" => {
                format!("`{}` is not one of our industries ({})", a("industry"), a("industries"))
            }
            // `rule` is `employees` or `annual_revenue`; `value`, `min`, `max` in words.
            "icp.range.unknown" => format!("the company's {} is not known", range_what(&a("rule"))),
            "icp.range.pass" => format!(
                "{} {} is within the target range ({})",
                range_what(&a("rule")),
                a("value"),
                self.range_english()
            ),
            "icp.range.fail" => format!(
                "{} {} is outside the target range ({})",
                range_what(&a("rule")),
                a("value"),
                self.range_english()
            ),
            "icp.persona.unknown" => "the contact's title and seniority are not known".to_owned(),
            "icp.persona.title" => format!("title `{}` matches persona `{}`", a("title"), a("keyword")),
            "icp.persona.seniority" => format!("seniority `{}` is a target persona", a("seniority")),
            "icp.persona.seniority_unknown" => "the contact's seniority cannot be told from the title".to_owned(),
            "icp.persona.fail" => {
                let wanted: Vec<String> =
                    self.list("titles").iter().chain(self.list("seniority")).map(Arg::english).collect();
                format!("contact `{}` matches none of the target personas ({})", a("contact"), wanted.join(", "))
            }
            // A seniority shown as a lead's fact.
            "icp.seniority" => a("seniority"),
            "icp.excluded_domain.unknown" => {
                "no company domain or work email to check against the exclusion list".to_owned()
            }
            "icp.excluded_domain.fail" => format!(
                "`{}` is on the exclusion list (`{}`: a competitor or existing customer)",
                a("domain"),
                a("entry")
            ),
            "icp.excluded_domain.pass" => format!("`{}` is not excluded", a("domain")),
            // Why a lead stays in its stage (`stage`, `from`, `to`: stage names).
            "lifecycle.verdict" => format!("{}: {}", a("verdict"), a("reason")),
            "lifecycle.undecided" => format!("the verdict is {}: nothing moves until it is decided", a("verdict")),
            "lifecycle.already" => format!("already {}", a("stage")),
            "lifecycle.activity_too_late" => {
                format!("activity only moves unqualified and MQL leads; this lead is {}", a("stage"))
            }
            "lifecycle.customer_stays" => "a customer stays a customer; a lost renewal is a new deal".to_owned(),
            "lifecycle.needs_reason" => "a stage change needs a reason".to_owned(),
            "lifecycle.not_allowed" => {
                let allowed = match self.list("allowed") {
                    [] => "nothing (final stage)".to_owned(),
                    _ => a("allowed"),
                };
                format!("a lead cannot move from {0} to {1} (from {0} it may move to: {allowed})", a("from"), a("to"))
            }
            "lifecycle.not_nurtured" => {
                format!("only nurtured leads come back on their re-engage date; this lead is {}", a("stage"))
            }
            // A stage move an import recorded; `stage_path`: reached by the chain of allowed
            // moves to `stage`.
            "import.stage" => "stage from the imported file".to_owned(),
            "import.stage_path" => format!("stage from the imported file ({}, by allowed moves)", a("stage")),
            // A nurtured lead back on its re-engage date; `reason` (optional) is why it was
            // nurtured, in the words it was nurtured with.
            "lifecycle.re_engaged" => match self.text("reason") {
                Some(reason) => format!("re-engage date reached: {reason}"),
                None => "re-engage date reached".to_owned(),
            },
            "lifecycle.not_nurtured_pull_back" => {
                format!("only a nurtured lead is pulled back; this lead is {}", a("stage"))
            }
            "lifecycle.no_rule_fires" => "no lead-type rule fires yet".to_owned(),
            // A criterion's note taken from a call, or from an answer the rep typed (`items`
            // of `call.evidence`, `more`).
            "call.evidence_note" | "answer.evidence_note" => {
                let items: Vec<String> = self.list("items").iter().map(Arg::english).collect();
                let more = match a("more").as_str() {
                    "" | "0" => String::new(),
                    n => format!(" and {n} more"),
                };
                let from = if self.code == "call.evidence_note" { "the call" } else { "the answer" };
                format!("from {from}: {}{more}", items.join("; "))
            }
            // `turn`, `quote`, `note`.
            "call.evidence" => format!("turn {}: \"{}\" ({})", a("turn"), a("quote"), a("note")),
            // What a lead did, as the lead-type rule that fired says it (`rule`, `kind`).
            "lead_type.recorded" => format!("rule `{}`: {} recorded", a("rule"), a("kind")),
            // `detail` (optional), `date`.
            "lead_type.activity" => {
                let detail = self.text("detail").map(|d| format!(" ({d})")).unwrap_or_default();
                format!("rule `{}`: {}{detail} on {}", a("rule"), a("kind"), a("date"))
            }
            "lead_type.points" => {
                format!("rule `{}`: {} engagement points, threshold {}", a("rule"), a("points"), a("threshold"))
            }
            // A call's analysis (`call.*`) and a scoring model's report (`model.*`).
            code if code.starts_with("call.") => return self.call_english(),
            code if code.starts_with("model.") => return self.model_english(),
            _ => return None,
        };
        Some(text)
    }

    /// `min` and `max` as a range in words: `1,000 to 5,000`, `at least 50`, `any`.
    fn range_english(&self) -> String {
        match (self.text("min"), self.text("max")) {
            (Some(min), Some(max)) => format!("{min} to {max}"),
            (Some(min), None) => format!("at least {min}"),
            (None, Some(max)) => format!("at most {max}"),
            (None, None) => "any".to_owned(),
        }
    }
}

/// What an ICP range rule measures, in English.
fn range_what(rule: &str) -> &str {
    match rule {
        "annual_revenue" => "annual revenue",
        other => other,
    }
}

impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.english())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_reads_back_from_json_as_it_was_written() {
        let m = Message::new("gate.reason.fails").with("level", "organization").with_message(
            "reason",
            Message::new("gate.level.failing").with_list(
                "findings",
                vec![Arg::Message(
                    Message::new("icp.territory.fail")
                        .with("country", "US")
                        .with_list("territories", vec![Arg::Text("DE".into()), Arg::Text("FR".into())]),
                )],
            ),
        );
        let json = serde_json::to_string(&m).expect("json");
        let back: Message = serde_json::from_str(&json).expect("reads back");
        assert_eq!(back, m);
        assert_eq!(m.english(), "organization level fails: `US` is outside our territories (DE, FR)");
    }

    #[test]
    fn an_unknown_code_is_said_as_its_code() {
        assert_eq!(Message::new("gate.something_new").english(), "gate.something_new");
    }
}
