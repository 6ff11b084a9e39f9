//! Criterion evidence: what the prospect said about each qualification concept, with the
//! spans that back it, and a status per concept that feeds the gate.
//!
//! Evidence comes only from the prospect's turns. A rep's turn gives context: the concept
//! the rep just asked about is what a bare figure, a bare date, or a bare "no" in the next
//! answer is about. Cue phrases come from the `evidence` lexicons (data); figures, dates and
//! roles from [`crate::facts`] (grammar).
//!
//! Status rules, per concept:
//! - `contradicted`: two facts in the call conflict (budget figures, dates, decision makers);
//! - otherwise the evidence is read in call order: a clear, specific statement (`confirmed`)
//!   or a clear lack (`negative`) sets the status; a vague statement (`partial`) sets it only
//!   over nothing or over a negative (the prospect softened a no), never over a confirmed;
//! - `unknown` when nothing was said.
//!
//! Reading rules that generalise across wording:
//! - a symptom (`<concept>.symptom`: a slow, manual or lossy process described without
//!   calling it a problem) is partial, and confirmed when the same answer names a `cost`
//!   (time waiting, lost deals, complaints);
//! - a date already over, or in the clause of a past event, is history: no timeline, no
//!   conflict; money already spent is no budget;
//! - an approximate range ("somewhere around 30 to 40k", "大概二三十万") is hedged;
//! - a role said as the whole answer to "who decides / signs?" names the decider, and a bare
//!   number answering "how many reps?" is a team-size count in the unit asked.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use chrono::NaiveDate;
use regex::{Regex, RegexSet};
use serde::Serialize;
use sift_core::{CriterionAnswer, CriterionStatus, Framework, Language};

use crate::facts::{
    Fact, RolePart, TimelineKind, approximate_range, bare_number_answer, count_question_unit, extract_facts, has_han,
    sentences,
};
use crate::lexicon::Lexicon;
use crate::transcript::{Role, Span, Transcript};

/// Every concept the built-in frameworks use, in the order of `concepts.toml`.
pub const CONCEPTS: [&str; 16] = [
    "budget",
    "authority",
    "need",
    "timeline",
    "priority",
    "metrics",
    "decision_criteria",
    "decision_process",
    "champion",
    "paper_process",
    "competition",
    "goals",
    "plans",
    "consequences",
    "implications",
    "interest",
];

fn concept_index(id: &str) -> Option<usize> {
    CONCEPTS.iter().position(|c| *c == id)
}

const BUDGET: usize = 0;
const AUTHORITY: usize = 1;
const NEED: usize = 2;
const TIMELINE: usize = 3;
const METRICS: usize = 5;
const DECISION_PROCESS: usize = 7;
const PAPER_PROCESS: usize = 9;
const GOALS: usize = 11;
const CONSEQUENCES: usize = 13;

/// One piece of evidence: where, what was said, and why it counts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evidence {
    pub span: Span,
    pub quote: String,
    /// One line saying why this is evidence.
    pub note: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fact: Option<Fact>,
}

/// The evidence for one concept and the status it adds up to.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConceptEvidence {
    pub concept: String,
    pub status: CriterionStatus,
    pub evidence: Vec<Evidence>,
}

/// The evidence for one criterion of one framework (through the criterion's concept).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CriterionEvidence {
    pub framework: String,
    pub criterion: String,
    pub concept: String,
    pub status: CriterionStatus,
    pub evidence: Vec<Evidence>,
}

/// A fact in a prospect turn, with the concepts it was read as evidence for.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LocatedFact {
    pub span: Span,
    pub fact: Fact,
    /// Said with hedged wording ("maybe", "可能").
    pub hedged: bool,
    pub concepts: Vec<String>,
}

/// Two statements in the call that cannot both be true.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Conflict {
    /// `budget`, `timeline`, `decision_maker` or `team_size`.
    pub subject: String,
    /// The concept whose status becomes `contradicted`, if any.
    pub concept: Option<String>,
    pub earlier: Span,
    pub earlier_quote: String,
    pub later: Span,
    pub later_quote: String,
    /// One line naming both statements.
    pub explanation: String,
}

/// Everything the evidence pass found in a call.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CallEvidence {
    pub facts: Vec<LocatedFact>,
    pub concepts: Vec<ConceptEvidence>,
    pub conflicts: Vec<Conflict>,
}

// ---------------------------------------------------------------------------------------
// Cue lexicons, compiled for scanning

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cue {
    Topic,
    Confirmed,
    Partial,
    Negative,
    /// A symptom of a concept (a slow, manual or lossy process for `need`): partial alone,
    /// confirmed with a `Cost` in the same answer.
    Symptom,
    /// What a process costs (time, lost deals): upgrades a symptom; no evidence alone.
    Cost,
    Hedge,
    Past,
    ReplyYes,
    ReplyNo,
}

#[derive(Debug, Clone)]
struct CueEntry {
    concept: Option<usize>,
    cue: Cue,
    pattern: Regex,
    explain: String,
}

#[derive(Debug, Clone)]
struct CompiledCues {
    entries: Vec<CueEntry>,
    set: Option<RegexSet>,
}

impl CompiledCues {
    fn new(lexicon: &Lexicon) -> CompiledCues {
        let mut entries = Vec::new();
        for e in &lexicon.entries {
            let (concept, cue) = match e.kind.as_str() {
                "hedge" => (None, Cue::Hedge),
                "past" => (None, Cue::Past),
                "cost" => (None, Cue::Cost),
                "reply.yes" => (None, Cue::ReplyYes),
                "reply.no" => (None, Cue::ReplyNo),
                kind => {
                    let Some((concept, cue)) = kind.rsplit_once('.') else { continue };
                    let Some(index) = concept_index(concept) else { continue };
                    let cue = match cue {
                        "topic" => Cue::Topic,
                        "confirmed" => Cue::Confirmed,
                        "partial" => Cue::Partial,
                        "negative" => Cue::Negative,
                        "symptom" => Cue::Symptom,
                        _ => continue,
                    };
                    (Some(index), cue)
                }
            };
            // Plain `\b` is Unicode-aware and slows the scan on non-ASCII text; the cue words
            // are ASCII or Han, so the ASCII boundary means the same here.
            let mut fast = e.pattern.as_str().replace(r"\b", r"(?-u:\b)");
            // Likewise an English word character is ASCII; the Unicode class makes the
            // combined scan too large for the fast automaton.
            if lexicon.language == Language::En {
                fast = fast.replace(r"\w", r"[0-9A-Za-z_]");
            }
            let pattern = Regex::new(&fast).unwrap_or_else(|_| e.pattern.clone());
            entries.push(CueEntry { concept, cue, pattern, explain: e.explain.clone() });
        }
        let set = RegexSet::new(entries.iter().map(|e| e.pattern.as_str())).ok();
        CompiledCues { entries, set }
    }

    /// Every cue hit in `text`: (entry index, start, end).
    fn scan(&self, text: &str, out: &mut Vec<(usize, usize, usize)>) {
        out.clear();
        let mut visit = |i: usize| {
            if let Some(e) = self.entries.get(i) {
                out.extend(e.pattern.find_iter(text).map(|m| (i, m.start(), m.end())));
            }
        };
        match &self.set {
            Some(set) => set.matches(text).into_iter().for_each(&mut visit),
            None => (0..self.entries.len()).for_each(visit),
        }
    }
}

/// The cue lexicons for both languages, ready to scan.
#[derive(Debug, Clone)]
pub struct Cues {
    en: CompiledCues,
    zh: CompiledCues,
}

impl Cues {
    /// From evidence lexicons (the built-in ones, possibly extended by the user).
    pub fn new(en: &Lexicon, zh: &Lexicon) -> Cues {
        Cues { en: CompiledCues::new(en), zh: CompiledCues::new(zh) }
    }

    /// The built-in evidence lexicons, compiled once.
    pub fn builtin() -> &'static Cues {
        static CUES: OnceLock<Cues> = OnceLock::new();
        CUES.get_or_init(|| {
            Cues::new(&Lexicon::builtin("evidence", Language::En), &Lexicon::builtin("evidence", Language::Zh))
        })
    }

    fn for_text(&self, text: &str) -> &CompiledCues {
        if has_han(text) { &self.zh } else { &self.en }
    }
}

// ---------------------------------------------------------------------------------------
// Analysis

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Strength {
    Confirmed,
    Partial,
    Negative,
}

#[derive(Debug, Clone)]
struct Item {
    concept: usize,
    strength: Strength,
    /// Position in the call, for ordering: (turn, byte offset).
    at: (usize, usize),
    evidence: Evidence,
}

fn bit(concept: usize) -> u32 {
    1 << concept
}

/// The evidence for every concept in a call, with the built-in lexicons.
pub fn extract_evidence(transcript: &Transcript, as_of: NaiveDate) -> Vec<ConceptEvidence> {
    analyse_call(transcript, as_of).concepts
}

/// The whole evidence pass: facts, concept evidence and conflicts, with the built-in lexicons.
pub fn analyse_call(transcript: &Transcript, as_of: NaiveDate) -> CallEvidence {
    analyse_call_with(transcript, as_of, Cues::builtin())
}

/// The evidence pass with the given cue lexicons.
pub fn analyse_call_with(transcript: &Transcript, as_of: NaiveDate, cues: &Cues) -> CallEvidence {
    analyse(transcript, as_of, cues, None)
}

fn analyse(transcript: &Transcript, as_of: NaiveDate, cues: &Cues, forced_topic: Option<usize>) -> CallEvidence {
    let mut items: Vec<Item> = Vec::new();
    let mut located: Vec<LocatedFact> = Vec::new();
    let mut rep_topics: u32 = forced_topic.map(bit).unwrap_or(0);
    // What the rep's last question asked: a count of people (and in which unit), an approver.
    let mut rep_count_unit: Option<String> = None;
    let mut rep_asked_approval = false;
    let mut rep_asked_decider = false;
    // "Who else is involved?" "No one.": a bare no to a who-question names nobody; it is not
    // a no to the topic.
    let mut rep_asked_who = false;
    let mut hits = Vec::new();
    // Self-decider statements and "I have no say" statements, for the authority conflict.
    let mut self_deciders: Vec<(Span, String)> = Vec::new();
    let mut no_say: Vec<(Span, String)> = Vec::new();

    for turn in &transcript.turns {
        let text = turn.text.as_str();
        let lexicon = cues.for_text(text);
        lexicon.scan(text, &mut hits);
        if turn.role == Role::Rep {
            rep_topics = hits
                .iter()
                .filter_map(|(i, _, _)| lexicon.entries.get(*i).and_then(|e| e.concept))
                .fold(forced_topic.map(bit).unwrap_or(0), |mask, c| mask | bit(c));
            rep_count_unit = count_question_unit(text);
            rep_asked_approval = approval_question(text);
            rep_asked_decider = DECIDER_QUESTION.is_match(text);
            rep_asked_who = WHO_QUESTION.is_match(text);
            continue;
        }

        let sentence_ranges = sentences(text);
        let sentence_of = |pos: usize| sentence_index(&sentence_ranges, pos).unwrap_or(0);
        let mut sentence_mask = vec![0u32; sentence_ranges.len().max(1)];
        let mut sentence_negative: Vec<Option<usize>> = vec![None; sentence_ranges.len().max(1)];
        // Hedges ("maybe", "吧") and past-tense markers ("switched", "去年"), by position.
        let mut hedges: Vec<(usize, usize)> = Vec::new();
        let mut pasts: Vec<(usize, usize)> = Vec::new();
        let mut costs: Vec<(usize, usize)> = Vec::new();
        // Items read from symptom cues in this turn, upgraded when a cost is named.
        let mut symptom_items: Vec<usize> = Vec::new();
        let mut turn_mask = 0u32;
        let mut reply: Option<(Cue, usize, usize)> = None;
        let mut sentence_negative_mask = vec![0u32; sentence_ranges.len().max(1)];
        let mut sentence_partial_mask = vec![0u32; sentence_ranges.len().max(1)];
        for &(i, start, _) in &hits {
            match lexicon.entries.get(i) {
                Some(CueEntry { cue: Cue::Negative, concept: Some(c), .. }) => {
                    sentence_negative_mask[sentence_of(start)] |= bit(*c)
                }
                Some(CueEntry { cue: Cue::Partial, concept: Some(c), .. }) => {
                    sentence_partial_mask[sentence_of(start)] |= bit(*c)
                }
                _ => {}
            }
        }

        for &(i, start, end) in &hits {
            let Some(entry) = lexicon.entries.get(i) else { continue };
            let s = sentence_of(start);
            match (entry.cue, entry.concept) {
                (Cue::Hedge, _) => hedges.push((start, end)),
                (Cue::Past, _) => pasts.push((start, end)),
                (Cue::Cost, _) => costs.push((start, end)),
                (Cue::ReplyYes | Cue::ReplyNo, _) => reply = Some((entry.cue, start, end)),
                (cue, Some(c)) => {
                    sentence_mask[s] |= bit(c);
                    turn_mask |= bit(c);
                    // Within one sentence a no outweighs the rest of what it says about the
                    // same concept ("we already signed with another vendor").
                    if cue != Cue::Negative && sentence_negative_mask[s] & bit(c) != 0 {
                        continue;
                    }
                    // Likewise a qualifier outweighs a confident phrase ("not sure what the
                    // process is").
                    if cue == Cue::Confirmed && sentence_partial_mask[s] & bit(c) != 0 {
                        continue;
                    }
                    if cue == Cue::Symptom {
                        symptom_items.push(items.len());
                    }
                    let strength = match cue {
                        Cue::Confirmed => Strength::Confirmed,
                        Cue::Partial | Cue::Symptom => Strength::Partial,
                        Cue::Negative => {
                            sentence_negative[s].get_or_insert(c);
                            if c == AUTHORITY {
                                no_say.push((Span { turn: turn.index, start, end }, text[start..end].to_owned()));
                            }
                            Strength::Negative
                        }
                        _ => continue,
                    };
                    let span = context_span(text, sentence_ranges.get(s).copied(), start, end, turn.index);
                    items.push(Item {
                        concept: c,
                        strength,
                        at: (turn.index, start),
                        evidence: Evidence { span, quote: quote(text, span), note: entry.explain.clone(), fact: None },
                    });
                }
                _ => {}
            }
        }

        // A symptom ("leads sit in a shared inbox") with what it costs ("for days", "we lost
        // two deals") in the same answer is a concrete pain, not a vague one.
        if let Some(&(cost_start, cost_end)) = costs.first() {
            let cost = &text[cost_start..cost_end];
            for &i in &symptom_items {
                if let Some(item) = items.get_mut(i) {
                    item.strength = Strength::Confirmed;
                    item.evidence.note = format!("{} With its cost: \"{cost}\".", item.evidence.note);
                }
            }
        }

        // A bare yes or no answers what the rep just raised and nothing else. Punctuation is
        // not required: speech-to-text often drops the question mark.
        if let Some((cue, start, end)) =
            reply.filter(|(cue, ..)| rep_topics != 0 && !(rep_asked_who && *cue == Cue::ReplyNo))
        {
            for c in (0..CONCEPTS.len()).filter(|c| rep_topics & bit(*c) != 0) {
                let (strength, note) = if cue == Cue::ReplyNo {
                    (Strength::Negative, format!("answered no to a question about {}", CONCEPTS[c]))
                } else {
                    (Strength::Partial, format!("a bare yes to a question about {}, nothing specific", CONCEPTS[c]))
                };
                let span = Span { turn: turn.index, start, end };
                items.push(Item {
                    concept: c,
                    strength,
                    at: (turn.index, start),
                    evidence: Evidence { span, quote: quote(text, span), note, fact: None },
                });
            }
        }

        let mut facts = extract_facts(text, as_of);
        // "Who decides?" "Me, ultimately.": the contact names themself as the answer.
        if rep_asked_decider {
            if let Some(m) = SELF_ANSWER.find(text) {
                if !facts.iter().any(|f| matches!(f.fact, Fact::Person { .. })) {
                    let fact = Fact::Person { role: "self".to_owned(), part: RolePart::Decides };
                    facts.insert(0, crate::facts::FoundFact { fact, start: m.start(), end: m.end() });
                }
            }
        }
        // "How many people are on the team?" "Twelve.": a bare number answers the count asked.
        if let Some(unit) = &rep_count_unit {
            if !facts.iter().any(|f| matches!(f.fact, Fact::Count { .. })) {
                if let Some((value, start, end)) = bare_number_answer(text) {
                    let fact = Fact::Count { value, unit: unit.clone() };
                    facts.insert(0, crate::facts::FoundFact { fact, start, end });
                    facts.sort_by_key(|f| f.start);
                }
            }
        }
        // People counted in answer to "how many reps / how big is the sales team" are the
        // reps: "around thirty people" is thirty reps. (A named unit is never made vaguer.)
        if rep_count_unit.as_deref() == Some("reps") {
            for f in facts.iter_mut().filter(|f| sentence_of(f.start) == 0) {
                if let Fact::Count { unit, .. } = &mut f.fact {
                    if unit == "people" {
                        "reps".clone_into(unit);
                    }
                }
            }
        }
        let first_date = facts.iter().find(|f| matches!(f.fact, Fact::Timeline { .. })).map(|f| f.start);
        let sentences_with = |pick: &dyn Fn(&Fact) -> bool| -> Vec<bool> {
            let mut marked = vec![false; sentence_ranges.len().max(1)];
            for f in facts.iter().filter(|f| pick(&f.fact)) {
                marked[sentence_of(f.start)] = true;
            }
            marked
        };
        let target_sentences = sentences_with(&|f| matches!(f, Fact::Growth { .. } | Fact::Percentage { .. }));
        let money_sentences = sentences_with(&|f| matches!(f, Fact::Money { .. }));
        let approver_sentences =
            sentences_with(&|f| matches!(f, Fact::Person { part: RolePart::Decides | RolePart::Approves, .. }));
        for mut found in facts {
            let s = sentence_of(found.start);
            // A hedge counts for the figures next to it, not for a whole run-on sentence.
            let near = |marks: &[(usize, usize)], before: usize, after: usize| {
                marks.iter().any(|&(a, b)| {
                    sentence_of(a) == s
                        && (b <= found.start && found.start - b <= before
                            || a >= found.end && a - found.end <= after
                            || a < found.end && found.start < b)
                })
            };
            // "Somewhere around 30 to 40k", "大概二三十万": an approximate range is a guess.
            let hedged = near(&hedges, 40, 20)
                || matches!(found.fact, Fact::Money { .. } | Fact::Count { .. })
                    && approximate_range(text, found.start, found.end);
            // "We switched to Apollo in January", "we looked at it in 2024", "三月份试过": a
            // date in the past, or next to a past event, is history, not a buying date.
            // A past marker before the date governs it in its own clause, or right before it:
            // "we tried one last year, and we need it by March" keeps March.
            let past_marker_before = pasts.iter().any(|&(a, b)| {
                b <= found.start
                    && found.start - b <= 50
                    && sentence_of(a) == s
                    && (found.start - b <= 12 || !text[b..found.start].contains([',', '，', ';', '；', '、']))
            });
            let past_marker_after = pasts.iter().any(|&(a, _)| {
                a >= found.end
                    && a - found.end <= 15
                    && sentence_of(a) == s
                    && !text[found.end..a].contains([',', '，', '、'])
            });
            let already_over = match &found.fact {
                Fact::Timeline { resolved, until, .. } => {
                    until.or(*resolved).is_some_and(|d| d < as_of && as_of > NaiveDate::default())
                }
                _ => false,
            };
            // "We spent 20k on a tool back in 2023", "去年花了十万": money already spent is
            // history, not the budget.
            let spent = matches!(found.fact, Fact::Money { .. }) && spent_before(text, found.start);
            if spent
                || matches!(found.fact, Fact::Timeline { .. })
                    && (past_marker_before || past_marker_after || already_over)
            {
                located.push(LocatedFact {
                    span: Span { turn: turn.index, start: found.start, end: found.end },
                    fact: found.fact,
                    hedged,
                    concepts: Vec::new(),
                });
                continue;
            }
            // "Who signs off?" "Our COO, Elena Ruiz.": a role given as the answer names the
            // decision maker even without a verb.
            if let Fact::Person { role, part: part @ RolePart::Involved } = &mut found.fact {
                if rep_asked_decider
                    && !is_paper_role(role)
                    && !is_generic_superior(role)
                    && role_is_the_answer(text, sentence_ranges.get(s).copied(), found.start, found.end)
                {
                    *part = if rep_asked_approval { RolePart::Approves } else { RolePart::Decides };
                }
            }
            let span = Span { turn: turn.index, start: found.start, end: found.end };
            let context = context_span(text, sentence_ranges.get(s).copied(), found.start, found.end, turn.index);
            let mut concepts: Vec<(usize, Strength, String)> = Vec::new();
            let fact_strength = |c: usize| {
                if sentence_partial_mask[s] & bit(c) != 0 || hedged { Strength::Partial } else { Strength::Confirmed }
            };
            if let Some(negated) = sentence_negative[s] {
                // "no budget this year": the figure or date belongs to the no.
                let strength = match (&found.fact, negated) {
                    (Fact::Person { role, part: RolePart::Decides | RolePart::Approves }, AUTHORITY)
                        if role != "self" =>
                    {
                        Strength::Partial
                    }
                    _ => Strength::Negative,
                };
                concepts.push((negated, strength, format!("{} (said with a no)", found.fact.describe())));
            } else {
                match &found.fact {
                    Fact::Money { .. }
                        if (approver_sentences[s] || sentence_mask[s] & bit(AUTHORITY) != 0)
                            && is_threshold(text, found.start, found.end) =>
                    {
                        // "our CFO signs off on anything over 25k": a rule of the process, not a budget.
                        let note = format!("approval threshold: {}", found.fact.describe());
                        concepts.push((DECISION_PROCESS, Strength::Confirmed, note));
                    }
                    Fact::Money { .. } => {
                        let candidates = [BUDGET, CONSEQUENCES, GOALS, METRICS, NEED];
                        let pick = |mask: u32| candidates.into_iter().find(|c| mask & bit(*c) != 0);
                        let c = pick(sentence_mask[s])
                            .or_else(|| pick(turn_mask))
                            .or_else(|| pick(rep_topics))
                            .unwrap_or(BUDGET);
                        let what = match c {
                            BUDGET => "budget figure",
                            CONSEQUENCES => "cost of the problem",
                            GOALS => "target figure",
                            METRICS => "measured figure",
                            _ => "cost of the problem",
                        };
                        concepts.push((c, fact_strength(c), format!("{what}: {}", found.fact.describe())));
                    }
                    Fact::Timeline { kind, resolved, until } => {
                        // A date next to a target is its horizon, next to a budget figure it is
                        // the budget's period; it is the buying timeline when the sentence talks
                        // about timing or has nothing else to attach it to.
                        // The first date of an answer to "when?" is the answer, whatever else
                        // the sentence says ("before the launch on April 1st, when inbound
                        // doubles").
                        let answers_when = rep_topics & bit(TIMELINE) != 0 && Some(found.start) == first_date;
                        let about_timing = sentence_mask[s] & bit(TIMELINE) != 0 || answers_when;
                        if !about_timing && target_sentences[s] {
                            let note = format!("horizon of a target: {}", found.fact.describe());
                            concepts.push((GOALS, fact_strength(GOALS), note));
                        } else if !about_timing && *kind != TimelineKind::Absolute && money_sentences[s] {
                            let note = format!("period of the figure: {}", found.fact.describe());
                            concepts.push((BUDGET, fact_strength(BUDGET), note));
                        } else {
                            let year_wide = match (resolved, until) {
                                (Some(a), Some(b)) => (*b - *a).num_days() > 92,
                                _ => false,
                            };
                            let (strength, note) = if year_wide {
                                (Strength::Partial, format!("only a year, no date: {}", found.fact.describe()))
                            } else {
                                (fact_strength(TIMELINE), format!("date: {}", found.fact.describe()))
                            };
                            concepts.push((TIMELINE, strength, note));
                        }
                    }
                    Fact::Growth { .. } => {
                        let note = format!("growth target: {}", found.fact.describe());
                        concepts.push((GOALS, fact_strength(GOALS), note.clone()));
                        concepts.push((METRICS, fact_strength(METRICS), note));
                    }
                    Fact::Percentage { .. } => {
                        let note = format!("measured figure: {}", found.fact.describe());
                        concepts.push((METRICS, fact_strength(METRICS), note.clone()));
                        if (sentence_mask[s] | rep_topics) & bit(GOALS) != 0 {
                            concepts.push((GOALS, fact_strength(GOALS), note));
                        }
                    }
                    Fact::Count { .. } => {}
                    Fact::Person { role, part } => {
                        let paper = is_paper_role(role);
                        match part {
                            RolePart::Decides | RolePart::Approves => {
                                let who = if role == "self" { "the contact".to_owned() } else { role.clone() };
                                let verb = if *part == RolePart::Decides { "decides" } else { "approves" };
                                if !paper {
                                    // A named decision maker or approver (the CFO signs) is known.
                                    // "My boss" or "领导" only says someone above must agree, and
                                    // "I need to run it by my CFO" says the contact cannot decide.
                                    let needs_approval = *part == RolePart::Approves
                                        && (is_generic_superior(role)
                                            || sentence_partial_mask[s] & bit(AUTHORITY) != 0);
                                    concepts.push((
                                        AUTHORITY,
                                        if hedged || needs_approval { Strength::Partial } else { Strength::Confirmed },
                                        format!("decision maker named: {who} {verb}"),
                                    ));
                                }
                                if role != "self" {
                                    concepts.push((
                                        DECISION_PROCESS,
                                        Strength::Confirmed,
                                        format!("step in the decision: {who} {verb}"),
                                    ));
                                }
                                if role == "self" && *part == RolePart::Decides {
                                    self_deciders.push((span, text[found.start..found.end].to_owned()));
                                }
                            }
                            RolePart::Involved => {
                                if (sentence_mask[s] | rep_topics) & bit(AUTHORITY) != 0 && !paper {
                                    concepts.push((
                                        AUTHORITY,
                                        Strength::Partial,
                                        format!("{role} is involved, part not stated"),
                                    ));
                                }
                            }
                        }
                        if paper {
                            concepts.push((
                                PAPER_PROCESS,
                                Strength::Confirmed,
                                format!("{role} takes part in the paperwork"),
                            ));
                        }
                    }
                }
            }
            let mut names = Vec::new();
            for (c, strength, note) in concepts {
                let note = if hedged && strength == Strength::Partial { format!("{note} (hedged)") } else { note };
                names.push(CONCEPTS[c].to_owned());
                items.push(Item {
                    concept: c,
                    strength,
                    at: (turn.index, found.start),
                    evidence: Evidence {
                        span: context,
                        quote: quote(text, context),
                        note,
                        fact: Some(found.fact.clone()),
                    },
                });
            }
            located.push(LocatedFact { span, fact: found.fact, hedged, concepts: names });
        }
    }

    let conflicts = find_conflicts(transcript, &located, &self_deciders, &no_say);
    let concepts = CONCEPTS
        .iter()
        .enumerate()
        .map(|(c, name)| {
            let mut mine: Vec<&Item> = items.iter().filter(|i| i.concept == c).collect();
            mine.sort_by_key(|i| i.at);
            let contradicted = conflicts.iter().any(|k| k.concept.as_deref() == Some(name));
            let status = if contradicted {
                CriterionStatus::Contradicted
            } else {
                mine.iter().fold(CriterionStatus::Unknown, |status, item| match (status, item.strength) {
                    (_, Strength::Confirmed) => CriterionStatus::Confirmed,
                    (_, Strength::Negative) => CriterionStatus::Negative,
                    (CriterionStatus::Confirmed, Strength::Partial) => CriterionStatus::Confirmed,
                    (_, Strength::Partial) => CriterionStatus::Partial,
                })
            };
            ConceptEvidence { concept: (*name).to_owned(), status, evidence: merge_evidence(mine) }
        })
        .collect();
    CallEvidence { facts: located, concepts, conflicts }
}

/// Whether a figure is a limit ("over 25k", "超过10万", "10万以上") rather than an amount.
fn is_threshold(text: &str, start: usize, end: usize) -> bool {
    let before = text[..start].trim_end().to_ascii_lowercase();
    let after = text[end..].trim_start();
    ["over", "above", "more than", "exceeding", "beyond", "超过", "高于", "大于"].iter().any(|w| before.ends_with(w))
        || after.starts_with("以上")
}

static APPROVAL_QUESTION: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    #[allow(clippy::expect_used)]
    Regex::new(r"(?i)(?-u:\b)(?:sign(?:s|ing)?(?:\s+|-)?off|signs?\s+(?:the\s+)?(?:contract|po)|signs\b|approv\w*|sign-?off)|签字|签|审批|批准|批")
        .expect("built-in pattern")
});

static TEAM_SIZE_CUE: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    #[allow(clippy::expect_used)]
    Regex::new(
        r"(?i)(?-u:\b)(?:we\s+have|we['’]ve\s+got|we\s+got|there\s+are|we['’]re|we\s+are|team|headcount|in\s+total|altogether|of\s+us|total\s+of)(?-u:\b)|我们有|一共|总共|团队|有(?:大概|差不多|将近|近)?[0-9０-９一二两三四五六七八九十]",
    )
    .expect("built-in pattern")
});
/// A question about people ("who else...", "还有谁..."), to which "no" means "nobody".
static WHO_QUESTION: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    #[allow(clippy::expect_used)]
    Regex::new(r"(?i)(?-u:\b)(?:who|whom)(?-u:\b)|谁|哪些人|哪几位").expect("valid regex")
});
static DECIDER_QUESTION: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    #[allow(clippy::expect_used)]
    Regex::new(
        r"(?i)(?-u:\b)who(?:['’]s|\s+is|\s+will|\s+would|\s+does|\s+has|\s+gets)?(?:\s+\w+){0,4}?\s+(?:decid\w*|sign\w*|approv\w*|make[s]?\s+the\s+(?:final\s+)?(?:call|decision)|(?:has|have|gets?)\s+the\s+final\s+(?:say|word)|calls?\s+the\s+shots|pulls?\s+the\s+trigger|own[s]?\s+the\s+(?:budget|decision))|decision[- ]maker|谁.{0,8}(?:拍板|决定|签字|签|审批|说了算|定)|(?:拍板|决定|签字|审批|说了算)的?(?:是|人是)?谁",
    )
    .expect("built-in pattern")
});
static SELF_ANSWER: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    #[allow(clippy::expect_used)]
    Regex::new(
        r"(?i)^[\s,.!-]*(?:(?:well|so|honestly|ultimately|in\s+the\s+end|that(?:['’]s|\s+would\s+be|\s+is)|it(?:['’]s|\s+is|\s+would\s+be))[\s,]+)*(?:me|myself|i\s+do|that['’]s\s+me|yours\s+truly)(?-u:\b)[\s,]*(?:ultimately|really|in\s+the\s+end|at\s+the\s+end\s+of\s+the\s+day)?[\s.!]*$|^(?:是|就是|最后是|最终是|主要是)?我(?:自己)?(?:吧|啊|呀)?[。！!.]?$",
    )
    .expect("built-in pattern")
});
static SPENT_BEFORE: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    #[allow(clippy::expect_used)]
    Regex::new(
        r"(?i)(?-u:\b)(?:spent|paid|bought|purchased|used\s+to\s+pay|were\s+paying|was\s+costing)(?:\s+[\w']+){0,4}?\s*(?:about|around|roughly|like|almost|over|nearly)?\s*$|(?:花了|花过|买过|付了|当时花|去年花)[^，,。]{0,6}$",
    )
    .expect("built-in pattern")
});

/// Whether the money at `start` is what was already spent ("we spent around 20k", "花了十万").
fn spent_before(text: &str, start: usize) -> bool {
    let mut from = start.saturating_sub(40);
    while !text.is_char_boundary(from) {
        from += 1;
    }
    text.get(from..start).is_some_and(|w| SPENT_BEFORE.is_match(w))
}

/// Whether a rep's question asks who approves or signs (rather than who decides).
fn approval_question(text: &str) -> bool {
    APPROVAL_QUESTION.is_match(text)
}

static ANSWER_LEAD: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    #[allow(clippy::expect_used)]
    Regex::new(
        r"(?i)^[\s,.:;!-]*(?:(?:well|so|oh|um|uh|uhm|yes|yeah|ok|okay|honestly|ultimately|in\s+the\s+end|final(?:ly)?|that(?:['’]d|\s+would|\s+will|['’]s|\s+is|\s+would\s+be)?|it(?:['’]s|\s+is|['’]d\s+be|\s+would\s+be|\s+will\s+be)?|be|that['’]d\s+be|always|usually|[A-Z][a-z]+(?:\s+[A-Z][a-z'-]+)?\s*,|(?:[A-Za-z]+\s+){1,2}and)[\s,.:;!-]*)*$|^(?:那|就|应该|是|主要是|最后是|最终是|还是|一般是|这个|那个|得|要)*$",
    )
    .expect("built-in pattern")
});
static ANSWER_TAIL: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    #[allow(clippy::expect_used)]
    Regex::new(r"^[\s,，、:：]*(?:[A-Z][a-z'-]+(?:\s+[A-Z][a-z'-]+)?\b|[\s.!。！]*$|(?:吧|啊|呀|了)?[。！!.]?$)")
        .expect("built-in pattern")
});

/// Whether a role is said as the answer itself ("Our COO, Elena Ruiz.", "Elena Ruiz, our
/// COO.", "我们刘总。"): little before it, and nothing after it but a name or the end.
fn role_is_the_answer(text: &str, sentence: Option<(usize, usize)>, start: usize, end: usize) -> bool {
    let (a, b) = sentence.unwrap_or((0, text.len()));
    let (Some(before), Some(after)) = (text.get(a.min(start)..start), text.get(end..b.max(end))) else {
        return false;
    };
    ANSWER_LEAD.is_match(before.trim()) && ANSWER_TAIL.is_match(after)
}

/// "My boss", "领导": someone above the contact, not a named decision maker.
fn is_generic_superior(role: &str) -> bool {
    matches!(role, "boss" | "manager" | "management" | "leadership" | "leadership team" | "领导" | "上级" | "经理")
}

fn is_paper_role(role: &str) -> bool {
    matches!(role, "legal" | "procurement" | "purchasing" | "法务" | "采购" | "采购部")
}

/// The index of the sentence holding byte `pos` (ranges are sorted and disjoint).
fn sentence_index(ranges: &[(usize, usize)], pos: usize) -> Option<usize> {
    let i = ranges.partition_point(|(_, end)| *end <= pos);
    ranges.get(i).filter(|(start, _)| *start <= pos).map(|_| i)
}

/// At most this many pieces of evidence are kept per concept (the latest ones); the status
/// is still decided on all of them.
const MAX_EVIDENCE: usize = 30;

/// Evidence with the same span is one piece with its notes joined.
fn merge_evidence(items: Vec<&Item>) -> Vec<Evidence> {
    let mut out: Vec<Evidence> = Vec::with_capacity(items.len().min(MAX_EVIDENCE * 2));
    let mut index: BTreeMap<(usize, usize, usize), usize> = BTreeMap::new();
    for item in items {
        let span = item.evidence.span;
        match index.get(&(span.turn, span.start, span.end)).and_then(|i| out.get_mut(*i)) {
            Some(existing) => {
                if !existing.note.contains(&item.evidence.note) {
                    existing.note.push_str("; ");
                    existing.note.push_str(&item.evidence.note);
                }
                if existing.fact.is_none() {
                    existing.fact.clone_from(&item.evidence.fact);
                }
            }
            None => {
                index.insert((span.turn, span.start, span.end), out.len());
                out.push(item.evidence.clone());
            }
        }
    }
    if out.len() > MAX_EVIDENCE {
        out.drain(..out.len() - MAX_EVIDENCE);
    }
    out
}

fn quote(text: &str, span: Span) -> String {
    text.get(span.start..span.end).unwrap_or("").to_owned()
}

/// The sentence around a hit, trimmed; a long sentence is cut to a window around the hit.
fn context_span(text: &str, sentence: Option<(usize, usize)>, start: usize, end: usize, turn: usize) -> Span {
    const WINDOW: usize = 80;
    let (mut a, mut b) = sentence.unwrap_or((start, end));
    if b - a > 3 * WINDOW {
        a = a.max(start.saturating_sub(WINDOW));
        b = b.min(end + WINDOW);
        while a > 0 && !text.is_char_boundary(a) {
            a -= 1;
        }
        while b < text.len() && !text.is_char_boundary(b) {
            b += 1;
        }
    }
    let slice = text.get(a..b).unwrap_or("");
    let lead = slice.len() - slice.trim_start().len();
    let trail = slice.len() - slice.trim_end().len();
    let (a, b) = (a + lead, (b - trail).max(a + lead));
    Span { turn, start: a.min(start), end: b.max(end) }
}

fn relative_gap(a: f64, b: f64) -> f64 {
    let hi = a.abs().max(b.abs());
    if hi == 0.0 { 0.0 } else { (a - b).abs() / hi }
}

/// Facts that cannot both hold. Within one turn the last figure stands (people correct
/// themselves mid-sentence); across turns a changed figure is a conflict.
fn find_conflicts(
    transcript: &Transcript,
    facts: &[LocatedFact],
    self_deciders: &[(Span, String)],
    no_say: &[(Span, String)],
) -> Vec<Conflict> {
    let mut conflicts = Vec::new();
    let quote_of = |span: Span| transcript.quote(span).to_owned();
    let sentence_quote = |span: Span| -> (Span, String) {
        let text = transcript.turns.get(span.turn).map(|t| t.text.as_str()).unwrap_or("");
        let ranges = sentences(text);
        let sentence = sentence_index(&ranges, span.start).and_then(|i| ranges.get(i).copied());
        let s = context_span(text, sentence, span.start, span.end, span.turn);
        (s, quote(text, s))
    };

    // The last fact of each turn that passes `pick`, in call order.
    let per_turn = |pick: &dyn Fn(&LocatedFact) -> bool| -> Vec<&LocatedFact> {
        let mut out: Vec<&LocatedFact> = Vec::new();
        for f in facts.iter().filter(|f| pick(f)) {
            match out.last_mut() {
                Some(last) if last.span.turn == f.span.turn => *last = f,
                _ => out.push(f),
            }
        }
        out
    };
    // `differ` gets both facts and whether either was hedged: a guess must be further off
    // to count as a contradiction.
    let mut compare =
        |subject: &str, concept: Option<&str>, list: Vec<&LocatedFact>, differ: &dyn Fn(&Fact, &Fact, bool) -> bool| {
            for pair in list.windows(2) {
                let (earlier, later) = (pair[0], pair[1]);
                if differ(&earlier.fact, &later.fact, earlier.hedged || later.hedged) {
                    let (later_span, later_quote) = sentence_quote(later.span);
                    conflicts.push(Conflict {
                        subject: subject.to_owned(),
                        concept: concept.map(str::to_owned),
                        earlier: earlier.span,
                        earlier_quote: quote_of(earlier.span),
                        later: later_span,
                        later_quote,
                        explanation: format!(
                            "{} now {}, but turn {} said {} (\"{}\")",
                            subject.replace('_', " "),
                            later.fact.describe(),
                            earlier.span.turn,
                            earlier.fact.describe(),
                            quote_of(earlier.span)
                        ),
                    });
                }
            }
        };

    let for_concept = |f: &LocatedFact, concept: &str| f.concepts.iter().any(|c| c == concept);
    compare(
        "budget",
        Some("budget"),
        per_turn(&|f| matches!(f.fact, Fact::Money { .. }) && for_concept(f, "budget")),
        &|a, b, hedged| match (a, b) {
            // A rate and a total (or two different rates) are not comparable.
            (Fact::Money { amount: x, currency: c, per: p }, Fact::Money { amount: y, currency: d, per: q })
                if p == q =>
            {
                let same_currency = c.is_none() || d.is_none() || c == d;
                !same_currency || relative_gap(*x, *y) > if hedged { 0.6 } else { 0.15 }
            }
            _ => false,
        },
    );
    compare(
        "timeline",
        Some("timeline"),
        per_turn(&|f| {
            matches!(
                f.fact,
                Fact::Timeline { kind: TimelineKind::Absolute | TimelineKind::Quarter, resolved: Some(_), .. }
            ) && for_concept(f, "timeline")
        }),
        &|a, b, hedged| match (a, b) {
            (Fact::Timeline { resolved: Some(x), .. }, Fact::Timeline { resolved: Some(y), .. }) => {
                (*x - *y).num_days().abs() > if hedged { 183 } else { 92 }
            }
            _ => false,
        },
    );
    compare(
        "decision_maker",
        Some("authority"),
        per_turn(&|f| {
            !f.hedged && matches!(&f.fact, Fact::Person { part: RolePart::Decides, .. }) && for_concept(f, "authority")
        }),
        &|a, b, _| match (a, b) {
            (Fact::Person { role: x, .. }, Fact::Person { role: y, .. }) => x != y,
            _ => false,
        },
    );
    // Only a count that states the team's size is compared: one answering "how many reps?",
    // or said as "we have 40 reps" / "我们有40个销售"; "two reps called the same lead" is an
    // incident, not a team size.
    let states_team_size = |f: &LocatedFact| {
        let turns = &transcript.turns;
        let answers_count_question = f.span.turn > 0
            && turns
                .get(f.span.turn - 1)
                .is_some_and(|t| t.role == Role::Rep && count_question_unit(&t.text).is_some());
        let text = turns.get(f.span.turn).map(|t| t.text.as_str()).unwrap_or("");
        let ranges = sentences(text);
        let index = sentence_index(&ranges, f.span.start);
        let (a, b) = index.and_then(|i| ranges.get(i).copied()).unwrap_or((0, text.len()));
        answers_count_question && index == Some(0) || TEAM_SIZE_CUE.is_match(text.get(a..b).unwrap_or(""))
    };
    for unit in ["reps", "people"] {
        compare(
            "team_size",
            None,
            per_turn(&|f| {
                matches!(&f.fact, Fact::Count { value, unit: u } if u == unit && *value >= 2.0) && states_team_size(f)
            }),
            &|a, b, hedged| match (a, b) {
                (Fact::Count { value: x, .. }, Fact::Count { value: y, .. }) => {
                    // Team sizes are known to the person; a guess still should not be off by
                    // more than about half (12 vs "around thirty").
                    relative_gap(*x, *y) > if hedged { 0.4 } else { 0.2 }
                }
                _ => false,
            },
        );
    }

    // "I make the call" and, in another turn, "I have no say".
    let mut claims: Vec<(Span, &str, bool)> = self_deciders
        .iter()
        .map(|(s, q)| (*s, q.as_str(), true))
        .chain(no_say.iter().map(|(s, q)| (*s, q.as_str(), false)))
        .collect();
    claims.sort_by_key(|(s, _, _)| (s.turn, s.start));
    for pair in claims.windows(2) {
        let ((s1, q1, decides1), (s2, _, decides2)) = (pair[0], pair[1]);
        if decides1 != decides2 && s1.turn != s2.turn {
            let (later, later_quote) = sentence_quote(s2);
            let now = if decides2 { "says they decide" } else { "says they have no say" };
            conflicts.push(Conflict {
                subject: "decision_maker".to_owned(),
                concept: Some("authority".to_owned()),
                earlier: s1,
                earlier_quote: q1.to_owned(),
                later,
                later_quote,
                explanation: format!("the contact now {now}, but turn {} said \"{q1}\"", s1.turn),
            });
        }
    }
    conflicts.sort_by_key(|c| (c.later.turn, c.later.start));
    conflicts
}

// ---------------------------------------------------------------------------------------
// Frameworks and the gate

/// The evidence for every criterion of `framework`, through each criterion's concept.
pub fn criteria_for(framework: &Framework, found: &[ConceptEvidence]) -> Vec<CriterionEvidence> {
    framework
        .criteria
        .iter()
        .map(|criterion| {
            let concept = found.iter().find(|c| c.concept == criterion.concept);
            CriterionEvidence {
                framework: framework.id.clone(),
                criterion: criterion.id.clone(),
                concept: criterion.concept.clone(),
                status: concept.map(|c| c.status).unwrap_or(CriterionStatus::Unknown),
                evidence: concept.map(|c| c.evidence.clone()).unwrap_or_default(),
            }
        })
        .collect()
}

/// Criterion answers for `sift_core::qualify_lead`, keyed by criterion id: the status, a
/// note quoting the evidence, and for timeline concepts the date the prospect gave.
/// Criteria with no evidence (`unknown`) are left out, which the gate reads as unknown, so
/// the map can be laid over answers from a file without erasing them.
pub fn to_answers(criteria: &[CriterionEvidence]) -> BTreeMap<String, CriterionAnswer> {
    criteria
        .iter()
        .filter(|c| c.status != CriterionStatus::Unknown)
        .map(|c| {
            let mut answer = CriterionAnswer::new(c.status);
            if !c.evidence.is_empty() {
                let shown: Vec<String> = c
                    .evidence
                    .iter()
                    .rev()
                    .take(3)
                    .rev()
                    .map(|e| format!("turn {}: \"{}\" ({})", e.span.turn, e.quote, e.note))
                    .collect();
                let more = c.evidence.len().saturating_sub(3);
                let tail = if more > 0 { format!(" and {more} more") } else { String::new() };
                answer.note = Some(format!("from the call: {}{tail}", shown.join("; ")));
            }
            if c.concept == "timeline" {
                answer.date = c.evidence.iter().rev().find_map(|e| match &e.fact {
                    Some(Fact::Timeline { resolved, .. }) => *resolved,
                    _ => None,
                });
            }
            (c.criterion.clone(), answer)
        })
        .collect()
}

/// Evidence from a free-text answer a rep typed for one concept (`answer = "..."` in an
/// answers file). The text is read as the prospect's reply to a question about `concept`.
/// Text with no recognised evidence still counts as `partial` (the rep wrote something),
/// except placeholders such as `tbd` or `不知道`, which stay `unknown`.
pub fn evidence_from_answer(concept: &str, text: &str, language: Language, as_of: NaiveDate) -> ConceptEvidence {
    let unknown =
        ConceptEvidence { concept: concept.to_owned(), status: CriterionStatus::Unknown, evidence: Vec::new() };
    let trimmed = text.trim();
    let placeholder = ["", "?", "unknown", "tbd", "n/a", "na", "-", "不知道", "未知", "待定", "不清楚"];
    if placeholder.contains(&trimmed.to_lowercase().as_str()) {
        return unknown;
    }
    let transcript = Transcript::from_turns(language, &[("answer", Role::Prospect, text)]);
    let call = analyse(&transcript, as_of, Cues::builtin(), concept_index(concept));
    let found = call.concepts.into_iter().find(|c| c.concept == concept);
    match found {
        Some(c) if c.status != CriterionStatus::Unknown => c,
        _ => {
            let span = Span { turn: 0, start: 0, end: text.len() };
            ConceptEvidence {
                concept: concept.to_owned(),
                status: CriterionStatus::Partial,
                evidence: vec![Evidence {
                    span,
                    quote: text.to_owned(),
                    note: "the rep's note; no specific figure, date or phrase recognised".to_owned(),
                    fact: None,
                }],
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sift_core::Registry;

    fn as_of() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 26).unwrap_or_default()
    }

    /// A call from alternating lines; lines starting with `R:` are the rep's.
    fn call(lines: &[&str]) -> Transcript {
        let turns: Vec<(&str, Role, &str)> = lines
            .iter()
            .map(|l| match l.strip_prefix("R:") {
                Some(rest) => ("Rep", Role::Rep, rest.trim()),
                None => ("Prospect", Role::Prospect, l.trim_start_matches("P:").trim()),
            })
            .collect();
        let language = if lines.iter().any(|l| has_han(l)) { Language::Zh } else { Language::En };
        Transcript::from_turns(language, &turns)
    }

    fn status_of(found: &[ConceptEvidence], concept: &str) -> CriterionStatus {
        found.iter().find(|c| c.concept == concept).map(|c| c.status).unwrap_or(CriterionStatus::Unknown)
    }

    /// `expected` lists (concept, status); every concept not listed must be unknown when
    /// `only` is set.
    fn check(lines: &[&str], expected: &[(&str, CriterionStatus)]) {
        let found = extract_evidence(&call(lines), as_of());
        for (concept, status) in expected {
            let got = status_of(&found, concept);
            let detail = found.iter().find(|c| c.concept == *concept);
            assert_eq!(got, *status, "{lines:?}: {concept} expected {status:?}, got {got:?}: {detail:#?}");
        }
    }

    #[test]
    fn a_bare_no_to_a_who_question_names_nobody_and_is_not_a_no_to_the_topic() {
        use CriterionStatus::*;
        check(&["R: Who else will be involved in evaluating this?", "P: No one."], &[("authority", Unknown)]);
        check(&["R: 还有谁会参与评估？", "P: 没有。"], &[("authority", Unknown), ("decision_criteria", Unknown)]);
        check(&["R: Is there any budget for this?", "P: No."], &[("budget", Negative)]);
    }

    use CriterionStatus::*;

    #[test]
    fn budget_statuses() {
        let cases: &[(&[&str], CriterionStatus)] = &[
            (&["R: What budget have you set aside?", "About forty thousand."], Confirmed),
            (&["R: What can you invest?", "We have about $40k for this."], Confirmed),
            (&["The budget is approved."], Confirmed),
            (&["R: 预算大概多少？", "预算是20万。"], Confirmed),
            (&["R: 预算有多少？", "大概两百万，老板批了。"], Confirmed),
            (&["R: 预算有多少？", "两百万吧。"], Partial),
            (&["There's some budget, it depends on the price."], Partial),
            (&["R: Budget?", "Maybe 50k, I'm not sure."], Partial),
            (&["应该有一些预算。"], Partial),
            (&["There's no budget this year."], Negative),
            (&["R: Do you have budget for this?", "No."], Negative),
            (&["今年没有预算。"], Negative),
            (&["R: Budget?", "We have $40k.", "R: And for services?", "Our budget is $90k in total."], Contradicted),
            (&["R: 预算多少？", "20万。", "R: 确定吗？", "预算是50万。"], Contradicted),
            (&["We use HubSpot today."], Unknown),
            (&["R: What's your budget?", "We have $40k, sorry, $45k."], Confirmed),
            // An approval limit is not a second budget figure.
            (&["We have $60k for tooling.", "R: Who signs?", "Our CFO signs off on anything over 25k."], Confirmed),
            (&["预算20万。", "R: 谁审批？", "超过10万需要老板拍板。"], Confirmed),
            // A loss figure answers the cost of inaction, not the budget.
            (&["R: What happens if nothing changes?", "We'll keep losing about $200k a year."], Unknown),
            (&["R: Budget?", "We have $40k.", "R: OK.", "Maybe it could go to $90k."], Confirmed),
        ];
        for (lines, status) in cases {
            check(lines, &[("budget", *status)]);
        }
    }

    #[test]
    fn authority_statuses() {
        let cases: &[(&[&str], CriterionStatus)] = &[
            (&["Honestly, I make the call on tools like this."], Confirmed),
            (&["R: Who decides?", "Our CFO signs off on anything over 10k."], Confirmed),
            (&["I need to run it by our CFO."], Partial),
            (&["R: Who decides?", "The VP of Sales decides."], Confirmed),
            (&["这个需要老板拍板。"], Confirmed),
            (&["我说了算。"], Confirmed),
            (&["R: Who else is involved?", "I need to run it by my team, we decide together."], Partial),
            (&["我得跟领导商量一下。"], Partial),
            (&["I have no say in this, it's not my call."], Negative),
            (&["我说了不算。"], Negative),
            (&["I have no say, our CFO decides."], Partial),
            (&["Our CEO decides on this.", "R: OK.", "Actually the VP of Sales decides."], Contradicted),
            (&["I make the call here.", "R: Great.", "Well, I have no say in budgets like this."], Contradicted),
            (&["我们总监决定。", "R: 好的。", "最后还是老板拍板。"], Contradicted),
            (&["I need to run it by my boss."], Partial),
            (&["R: Who decides?", "The VP of Sales decides, I'd run it by her first."], Confirmed),
            (&["Our CEO has the final say."], Confirmed),
            (&["R: Who decides?", "Not sure, maybe our CEO."], Partial),
            (&["We use HubSpot."], Unknown),
        ];
        for (lines, status) in cases {
            check(lines, &[("authority", *status)]);
        }
    }

    #[test]
    fn need_statuses() {
        let cases: &[(&[&str], CriterionStatus)] = &[
            (&["We're losing deals every week because follow-up is slow."], Confirmed),
            (&["最大的痛点是销售经常漏单。"], Confirmed),
            (&["It could be better, a bit clunky."], Partial),
            (&["还行吧，有点麻烦。"], Partial),
            (&["Our current process works fine for us."], Negative),
            (&["现在没什么问题，用得挺好的。"], Negative),
            (&["R: What's your budget?", "Around $40k."], Unknown),
        ];
        for (lines, status) in cases {
            check(lines, &[("need", *status)]);
        }
    }

    /// A described symptom (slow, manual, lossy) is partial; with its cost it is confirmed.
    #[test]
    fn need_from_described_symptoms() {
        let cases: &[(&[&str], CriterionStatus)] = &[
            (
                &[
                    "R: How do inbound leads reach your reps?",
                    "They land in a shared inbox and Priya forwards them by hand, so a lead can sit for two days.",
                ],
                Confirmed,
            ),
            (
                &["R: What happens to a demo request?", "Honestly it can be a week before anyone calls them back."],
                Confirmed,
            ),
            (
                &["Our reps fight over the hot accounts, and we lost three deals to a competitor because of it."],
                Confirmed,
            ),
            (&["R: How is routing done?", "Response times are in days, not minutes."], Confirmed),
            (&["R: How is routing done?", "An assistant forwards them manually."], Partial),
            (&["R: Tell me about follow-up.", "Follow-up is a bit patchy, leads just sit there sometimes."], Partial),
            (&["R: 线索现在怎么处理？", "都在公共邮箱里，要等助理手动分配，客户经常等了两三天才有人联系。"], Confirmed),
            (&["R: 线索怎么分配？", "销售在群里抢线索。"], Partial),
            (&["R: 线索怎么分配？", "靠人工转发，上个月因为这个丢了两个客户。"], Confirmed),
            (&["线索进来以后好几天都没人回。"], Confirmed),
            (&["R: 线索怎么分配？", "系统自动分配，没什么问题。"], Negative),
            (&["R: How is routing done?", "Round robin in the CRM, it works fine for us."], Negative),
            (&["R: How is routing done?", "We forward you the signed contract by email."], Unknown),
            (
                &[
                    "R: What's the biggest issue?",
                    "Speed. Ops check every form in a spreadsheet, and by the time a rep calls it's been 48 hours.",
                ],
                Confirmed,
            ),
            (&["R: 跟进有什么问题？", "销售都是手动从后台导线索，客户投诉过好几次。"], Confirmed),
        ];
        for (lines, status) in cases {
            check(lines, &[("need", *status)]);
        }
    }

    /// Dates in the past, or next to a past event, are history; an event-anchored date is a
    /// timeline.
    #[test]
    fn past_dates_are_history_not_timelines() {
        let cases: &[(&[&str], CriterionStatus)] = &[
            (
                &["R: When?", "We evaluated this category in 2025 and parked it.", "R: And now?", "By June 30."],
                Confirmed,
            ),
            (
                &["R: When?", "We piloted one back in February.", "R: And now?", "We need it by the end of Q3."],
                Confirmed,
            ),
            (&["R: When did you look at tools?", "We looked at a few in 2024."], Unknown),
            (&["R: 什么时候？", "前年试过类似的，2025年3月又看过一次。", "R: 那这次呢？", "年底前要上线。"], Confirmed),
            (&["R: When?", "Before the Benelux launch on May 4th."], Confirmed),
            (&["R: 什么时候要？", "赶在六月一号新品发布之前。"], Confirmed),
            // A past clause does not reach a plan in the next clause.
            (&["We tried a plugin a while back, and we need this live by March."], Confirmed),
            (&["我们试过几家，希望三月前上线。"], Confirmed),
            (&["We tested it on 2026-10-02."], Unknown),
        ];
        for (lines, status) in cases {
            check(lines, &[("timeline", *status)]);
        }
    }

    /// An approximate range is a guess; a plain range is a figure.
    #[test]
    fn hedged_ranges_are_partial() {
        let cases: &[(&[&str], CriterionStatus)] = &[
            (&["R: What's the budget?", "Somewhere between 60 and 80 thousand dollars."], Partial),
            (&["R: What's the budget?", "Roughly 15 to 20k a year."], Partial),
            (&["R: What's the budget?", "Between 15 and 20k a year."], Confirmed),
            (&["R: 预算多少？", "差不多三四十万。"], Partial),
            (&["R: 预算多少？", "二十到三十万左右。"], Partial),
            (&["R: 预算多少？", "二十到三十万。"], Confirmed),
            // Money already spent is history, not the budget.
            (&["R: Budget?", "We paid about 20k for the last tool. This time the budget is $45k."], Confirmed),
            (&["R: 预算？", "去年花了十万买了个系统，后来没用。"], Unknown),
        ];
        for (lines, status) in cases {
            check(lines, &[("budget", *status)]);
        }
    }

    /// "Who signs?" answered with a role (and a name) names the decision maker.
    #[test]
    fn a_role_given_as_the_answer_names_the_decider() {
        let cases: &[(&[&str], CriterionStatus)] = &[
            (
                &[
                    "R: Who signs off on this?",
                    "Our CFO, Amara Okafor.",
                    "R: And you?",
                    "I'd take it to her with my recommendation.",
                ],
                Confirmed,
            ),
            (&["R: Who has the final say?", "Marcus Lee, our head of revenue."], Confirmed),
            (&["R: Who would sign the contract?", "That would be our COO."], Confirmed),
            (&["R: Who makes the decision?", "Me, ultimately."], Confirmed),
            (&["R: 最后谁拍板？", "我们周总。"], Confirmed),
            (&["R: 谁来签字？", "财务的刘总签字。"], Confirmed),
            // Naming someone involved is not naming the decider.
            (&["R: Who else is involved?", "Our VP of Sales, Jordan, and procurement."], Partial),
            // "My boss" says someone above must agree, not who.
            (&["R: Who decides?", "My boss."], Partial),
            (&["R: Who decides?", "Not sure, maybe our CEO."], Partial),
            (&["R: Who approves?", "Procurement and our CFO, Lina Park."], Confirmed),
        ];
        for (lines, status) in cases {
            check(lines, &[("authority", *status)]);
        }
    }

    #[test]
    fn timeline_statuses() {
        let cases: &[(&[&str], CriterionStatus)] = &[
            (&["R: When do you need this live?", "By March 15."], Confirmed),
            (&["We want it live next quarter."], Confirmed),
            (&["下个季度上线。"], Confirmed),
            (&["年底前要完成。"], Confirmed),
            (&["Sometime next year, probably."], Partial),
            (&["以后再说吧。"], Partial),
            (&["There's no rush, maybe next year."], Negative),
            (&["不着急，暂时不考虑。"], Negative),
            (&["R: When?", "By March.", "R: And go-live?", "We need it in Q4 2027."], Contradicted),
            (&["We need to decide by March and go live by April."], Confirmed),
            // A budget period and a target horizon are not buying dates.
            (&["We have $60k for tooling this year.", "R: When?", "We want it live by March 31."], Confirmed),
            (&["Our goal is 25% win rate by the end of next year.", "R: When?", "By March."], Confirmed),
            (&["Next year."], Partial),
            (&["明年吧。"], Partial),
            (&["R: When do you need it?", "We need it live in two weeks."], Confirmed),
        ];
        for (lines, status) in cases {
            check(lines, &[("timeline", *status)]);
        }
    }

    #[test]
    fn other_concepts() {
        check(&["We use Salesforce and we're also looking at HubSpot."], &[("competition", Confirmed)]);
        check(&["我们现在用的是销售易，也在看另外两家。"], &[("competition", Confirmed)]);
        check(&["We already signed with another vendor."], &[("competition", Negative)]);
        check(&["I'll push for this internally and set up a meeting with our CFO."], &[("champion", Confirmed)]);
        check(&["我会在内部推动。"], &[("champion", Confirmed)]);
        check(
            &["The process is a demo, then a two-week pilot, then IT does a security review."],
            &[("decision_process", Confirmed)],
        );
        check(&["Legal reviews every contract and procurement takes three weeks."], &[("paper_process", Confirmed)]);
        check(&["法务要审合同，采购部要比价。"], &[("paper_process", Confirmed)]);
        check(&["It must integrate with Salesforce, SSO is a deal-breaker."], &[("decision_criteria", Confirmed)]);
        check(&["This is our top priority this year."], &[("priority", Confirmed)]);
        check(&["It's not a priority right now."], &[("priority", Negative)]);
        check(&["这不是重点，优先级不高。"], &[("priority", Negative)]);
        check(&["Our goal is to grow revenue by 20% next year."], &[("goals", Confirmed), ("metrics", Confirmed)]);
        check(&["我们的目标是明年业绩增长20%。"], &[("goals", Confirmed), ("metrics", Confirmed)]);
        check(&["We'd measure it by win rate, which is 18% today."], &[("metrics", Confirmed)]);
        check(&["If nothing changes we'll lose our biggest account."], &[("consequences", Confirmed)]);
        check(&["That would free up two days a week for every rep."], &[("implications", Confirmed)]);
        check(&["We're planning to hire 10 reps in Q2."], &[("plans", Confirmed)]);
        check(&["Sounds great, send me the proposal."], &[("interest", Confirmed)]);
        check(&["We're not interested."], &[("interest", Negative)]);
    }

    #[test]
    fn rep_turns_are_context_never_evidence() {
        check(&["R: Is budget approved? Do you have $40k?", "Let me check."], &[("budget", Unknown)]);
        check(&["R: I make the call on discounts.", "OK."], &[("authority", Unknown)]);
    }

    #[test]
    fn evidence_quotes_its_span() {
        let t = call(&["R: What budget do you have?", "Well, we have about $40k for this. Legal must review it."]);
        for concept in extract_evidence(&t, as_of()) {
            for e in &concept.evidence {
                assert_eq!(t.quote(e.span), e.quote, "{concept:?}");
                assert_eq!(e.span.turn, 1);
            }
        }
    }

    #[test]
    fn every_concept_of_every_builtin_framework_is_covered() {
        let registry = Registry::builtin().unwrap_or_else(|e| panic!("{e:?}"));
        let found = extract_evidence(&call(&["We have $40k."]), as_of());
        for framework in registry.frameworks() {
            let criteria = criteria_for(framework, &found);
            assert_eq!(criteria.len(), framework.criteria.len());
            for c in &framework.criteria {
                assert!(concept_index(&c.concept).is_some(), "{}: concept {} not analysed", framework.id, c.concept);
            }
        }
        for concept in &registry.concepts().concepts {
            assert!(concept_index(&concept.id).is_some(), "concept {} not analysed", concept.id);
        }
    }

    #[test]
    fn answers_feed_the_gate_with_notes_and_dates() {
        let registry = Registry::builtin().unwrap_or_else(|e| panic!("{e:?}"));
        let bant = registry.get("bant").unwrap_or_else(|| panic!("bant"));
        let t = call(&["R: What's your budget?", "$40k, approved.", "R: When do you need it?", "By March."]);
        let answers = to_answers(&criteria_for(bant, &extract_evidence(&t, as_of())));
        let budget = bant.criteria.iter().find(|c| c.concept == "budget").map(|c| c.id.clone()).unwrap_or_default();
        let timeline = bant.criteria.iter().find(|c| c.concept == "timeline").map(|c| c.id.clone()).unwrap_or_default();
        let b = &answers[&budget];
        assert_eq!(b.status, Confirmed);
        assert!(b.note.as_deref().is_some_and(|n| n.contains("$40,000")), "{b:?}");
        let t = &answers[&timeline];
        assert_eq!(t.status, Confirmed);
        assert_eq!(t.date, NaiveDate::from_ymd_opt(2027, 3, 31));
        // Need and authority were not discussed: left out, so the gate reads them as unknown.
        assert_eq!(answers.len(), 2, "{answers:#?}");
    }

    #[test]
    fn free_text_answers() {
        let cases: &[(&str, &str, CriterionStatus)] = &[
            ("budget", "about forty thousand", Confirmed),
            ("budget", "no budget until next fiscal year", Negative),
            ("budget", "no", Negative),
            ("budget", "tbd", Unknown),
            ("budget", "they seemed positive", Partial),
            ("authority", "CFO signs off", Confirmed),
            ("authority", "the CFO decides", Confirmed),
            ("authority", "我们总监决定", Confirmed),
            ("timeline", "Q3", Confirmed),
            ("timeline", "明年年底前", Confirmed),
            ("budget", "预算20万", Confirmed),
            ("need", "还行吧", Partial),
        ];
        for (concept, text, status) in cases {
            let language = if has_han(text) { Language::Zh } else { Language::En };
            let got = evidence_from_answer(concept, text, language, as_of());
            assert_eq!(got.status, *status, "{concept} {text:?}: {got:#?}");
        }
    }

    /// Every example a status cue of the lexicons must match, said by the prospect on its
    /// own, gives that status to that concept: the lexicon and the status rules agree.
    #[test]
    fn every_lexicon_example_gives_its_status() {
        let mut failures = Vec::new();
        for language in [Language::En, Language::Zh] {
            let lexicon = Lexicon::builtin("evidence", language);
            for entry in &lexicon.entries {
                let Some((concept, cue)) = entry.kind.rsplit_once('.') else { continue };
                let expected = match cue {
                    "confirmed" => Confirmed,
                    "partial" => Partial,
                    "negative" => Negative,
                    _ => continue,
                };
                for example in &entry.matches {
                    let found = extract_evidence(&call(&[example.as_str()]), as_of());
                    let got = status_of(&found, concept);
                    if got != expected {
                        failures.push(format!("{}: {example:?} gives {concept} {got:?}, not {expected:?}", entry.id));
                    }
                }
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    /// From a call to a verdict: the answers drive `qualify_lead`.
    #[test]
    fn calls_feed_the_gate_end_to_end() {
        use sift_core::{GateInput, GatePolicy, Lead, Verdict, qualify_lead};
        let registry = Registry::builtin().unwrap_or_else(|e| panic!("{e:?}"));
        let bant = registry.get("bant").unwrap_or_else(|| panic!("bant"));
        let verdict = |lines: &[&str]| {
            let answers = to_answers(&criteria_for(bant, &extract_evidence(&call(lines), as_of())));
            let lead = Lead::default();
            let policy = GatePolicy::default();
            let input = GateInput {
                lead: &lead,
                icp: None,
                framework: bant,
                concepts: registry.concepts(),
                answers: &answers,
                policy: &policy,
                as_of: as_of(),
                language: None,
            };
            qualify_lead(&input).verdict
        };
        let good = [
            "R: What's the biggest challenge?",
            "We're losing deals every week because follow-up is slow.",
            "R: What budget have you set aside?",
            "The budget is approved, about $40k.",
            "R: Who decides?",
            "I make the call.",
            "R: When do you need it live?",
            "By March 15.",
        ];
        assert_eq!(verdict(&good), Verdict::Qualified);
        let no_budget = [
            "R: What's the biggest challenge?",
            "We're losing deals every week because follow-up is slow.",
            "R: What budget have you set aside?",
            "There's no budget this year.",
            "R: Who decides?",
            "I make the call.",
            "R: When do you need it live?",
            "By March 15.",
        ];
        assert_eq!(verdict(&no_budget), Verdict::Nurture);
        let no_pain = ["R: What's the biggest challenge?", "Honestly our process works fine for us."];
        assert_eq!(verdict(&no_pain), Verdict::Disqualified);
    }

    /// Unpunctuated speech-to-text: one long sentence per turn.
    #[test]
    fn run_on_sentences_from_speech_to_text() {
        // The hedge belongs to the emails, not to the budget said later in the same breath.
        check(
            &["R: budget", "our SDRs send maybe 2,000 emails a week and we have $30k set aside for tooling this year"],
            &[("budget", Confirmed)],
        );
        // A date next to a past event is history, not a buying date.
        check(
            &["we switched from Outreach to Apollo in January and it is a mess"],
            &[("timeline", Unknown), ("competition", Confirmed), ("need", Confirmed)],
        );
        check(&["去年三月换了系统"], &[("timeline", Unknown)]);
        // A pronoun's decision goes to the role named before it.
        check(
            &["R: who decides", "me and our head of revenue, Priya. She has the final say"],
            &[("authority", Confirmed)],
        );
        check(&["R: 谁来拍板？", "找我们李总，他拍板。"], &[("authority", Confirmed)]);
    }
}
