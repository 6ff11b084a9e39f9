//! What a call's analysis says, as messages.
//!
//! Every text the analysis writes in Sift's own words (a piece of evidence's note, a
//! signal's explanation, how a concept's status was decided, a metric's band and note) comes
//! with a [`Message`] beside it: a stable code (`call.*`) and its arguments. The text is the
//! message's English ([`Message::english`] in `sift-core` holds the wording), so the API and
//! the CLI say what they always said, and a reader can say the same thing in its own
//! language (the web app's Chinese pages do). [`CODES`] lists every code this crate writes;
//! [`said`] gives every text of one analysis with its message.

use sift_core::Message;

use crate::analyze::Analysis;

/// Every code a call's analysis can write, nested ones included (`call.fact.*` inside notes,
/// `call.conflict.*` inside a contradiction's note and its signal). The `*.llm` codes are
/// written by `sift-llm` when it merges a large model's reading into the analysis. A test
/// holds this list to the codes in the sources.
pub const CODES: &[&str] = &[
    "call.band.closed_share",
    "call.band.monologue",
    "call.band.questions",
    "call.band.short_answers",
    "call.band.talk_ratio",
    "call.conflict.age",
    "call.conflict.changed",
    "call.conflict.decider",
    "call.conflict.hurry",
    "call.conflict.model",
    "call.conflict.pain",
    "call.conflict.rate",
    "call.conflict.taken_back",
    "call.conflict.count_denied",
    "call.conflict.solo_team",
    "call.conflict.team",
    "call.conflict.when",
    "call.conflict.tools",
    "call.evidence",
    "call.evidence_note",
    "call.fact.count",
    "call.fact.date",
    "call.fact.date_kind",
    "call.fact.growth",
    "call.fact.money",
    "call.fact.percentage",
    "call.fact.person",
    "call.lexicon",
    "call.metric.closed.in_band",
    "call.metric.closed.many",
    "call.metric.monologue.in_band",
    "call.metric.monologue.long",
    "call.metric.questions.few",
    "call.metric.questions.in_band",
    "call.metric.questions.many",
    "call.metric.short_answers.in_band",
    "call.metric.short_answers.many",
    "call.metric.talk_ratio.in_band",
    "call.metric.talk_ratio.over_50",
    "call.metric.talk_ratio.over_65",
    "call.metric.talk_ratio.under_25",
    "call.note.answered_no",
    "call.note.approval_threshold",
    "call.note.bare_yes",
    "call.note.bare_sometimes",
    "call.note.benchmark",
    "call.note.budget_figure",
    "call.note.buying_date",
    "call.note.buying_year",
    "call.note.contact_decides",
    "call.note.current_way_fine",
    "call.note.decision_step",
    "call.note.describes_cost",
    "call.note.describes_problem",
    "call.note.earlier",
    "call.note.goal_deadline",
    "call.note.hedged",
    "call.note.involved",
    "call.note.joined",
    "call.note.limit_other",
    "call.note.limit_other_signs",
    "call.note.limit_over",
    "call.note.limit_own",
    "call.note.limit_self_above",
    "call.note.limit_within",
    "call.note.llm",
    "call.note.measured",
    "call.note.model",
    "call.note.money_claimed",
    "call.note.money_no_problem",
    "call.note.not_involved",
    "call.note.not_their_decision",
    "call.note.paperwork",
    "call.note.problem_cost",
    "call.note.rep_note",
    "call.note.said_with_no",
    "call.note.someone_else_decides",
    "call.note.target",
    "call.note.unrealistic",
    "call.note.urgency",
    "call.note.with_cost",
    "call.rule.conflict",
    "call.rule.heaviest",
    "call.rule.llm",
    "call.rule.nothing",
    "call.rule.placeholder",
    "call.rule.rep_note",
    "call.signal.budget_figure",
    "call.signal.buying_date",
    "call.signal.decides",
    "call.signal.excuse_asked",
    "call.signal.inconsistency",
    "call.signal.knows_cycle",
    "call.signal.knows_goal",
    "call.signal.knows_threshold",
    "call.signal.lexicon",
    "call.signal.llm",
    "call.signal.model",
    "call.signal.names_decider",
    "call.signal.short_answers",
    "call.signal.target",
    "call.signal.threshold_step",
    "call.signal.unrealistic_change",
    "call.signal.unrealistic_cut",
    "call.signal.unrealistic_level",
    "call.signal.unrealistic_compounding",
    "call.signal.unrealistic_year_in_days",
    "call.signal.unrealistic_payback",
    "call.signal.unrealistic_perfection",
    "call.signal.unrealistic_perfection_always",
    "call.signal.unrealistic_capacity",
    "call.signal.unrealistic_region",
    "call.signal.unrealistic_region_soon",
    "call.signal.unrealistic_region_no_means",
];

/// One text of an analysis in Sift's words, with its message.
#[derive(Debug, Clone, Copy)]
pub struct Said<'a> {
    /// Where it was said: `signal`, `evidence`, `decided_by`, `criterion_evidence`, `rule`,
    /// `band`, `metric_note`.
    pub what: &'static str,
    pub text: &'a str,
    pub message: Option<&'a Message>,
}

/// Every text of `analysis` in Sift's words, with the message beside it (`None` only where
/// a text came from elsewhere).
pub fn said(analysis: &Analysis) -> Vec<Said<'_>> {
    let mut out: Vec<Said<'_>> = Vec::new();
    for s in &analysis.signals {
        out.push(Said { what: "signal", text: &s.explanation, message: s.explanation_message.as_ref() });
    }
    for c in &analysis.concepts {
        out.push(Said { what: "rule", text: &c.rule, message: c.rule_message.as_ref() });
        for e in &c.evidence {
            out.push(Said { what: "evidence", text: &e.note, message: e.note_message.as_ref() });
        }
        for e in &c.decided_by {
            out.push(Said { what: "decided_by", text: &e.note, message: e.note_message.as_ref() });
        }
    }
    for c in &analysis.criteria {
        for e in &c.evidence {
            out.push(Said { what: "criterion_evidence", text: &e.note, message: e.note_message.as_ref() });
        }
    }
    for a in &analysis.metrics.assessments {
        out.push(Said { what: "band", text: &a.band, message: a.band_message.as_ref() });
        out.push(Said { what: "metric_note", text: &a.note, message: a.note_message.as_ref() });
    }
    out
}

/// `message` and every message nested in its arguments, outermost first.
pub fn nested(message: &Message) -> Vec<&Message> {
    fn walk<'m>(arg: &'m sift_core::Arg, out: &mut Vec<&'m Message>) {
        match arg {
            sift_core::Arg::Message(m) => {
                out.push(m);
                m.args.values().for_each(|a| walk(a, out));
            }
            sift_core::Arg::List(items) => items.iter().for_each(|a| walk(a, out)),
            sift_core::Arg::Text(_) => {}
        }
    }
    let mut out = vec![message];
    message.args.values().for_each(|a| walk(a, &mut out));
    out
}
