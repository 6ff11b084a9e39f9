//! Criterion evidence: what the prospect said about each qualification concept, with the
//! spans that back it, and a status per concept that feeds the gate.
//!
//! Evidence comes only from the prospect's turns. A rep's turn gives context: the concept
//! the rep just asked about is what a bare figure, a bare date, or a bare "no" in the next
//! answer is about. Cue phrases come from the `evidence` lexicons (data); figures, dates and
//! roles from [`crate::facts`] (grammar).
//!
//! What an answer is about comes from the question it answers (see [`crate::exchange`]),
//! never from words anywhere in the rep's pitch; figures and dates get a role from their
//! clause (see [`crate::roles`]): only a budget figure is budget evidence, only a buying or
//! go-live date is timeline evidence.
//!
//! Every piece of evidence says what it supports (`says`), how much it weighs (`weight`:
//! `hint` < `stated` < `specific`) and which mode produced it. The status of a concept is
//! folded with an explicit precedence, not "last statement wins":
//! 1. `contradicted` when two statements conflict and nothing later resolves it (budget
//!    figures, buying dates, deciders, totals, "I decide" against "X must okay anything");
//! 2. otherwise the heaviest evidence decides: a stated figure or a named decider outweighs
//!    a phrase, and a phrase outweighs a hint (a bare "yes", a symptom). A later, lighter
//!    remark does not overturn an earlier, heavier one;
//! 3. among the heaviest pieces the latest turn decides; within one turn a clear statement
//!    (`confirmed` or `negative`) outweighs a hedge in the same breath;
//! 4. `unknown` when nothing was said.
//!
//! The status names the evidence that decided it (`decided_by`) and the rule (`rule`).
//!
//! Reading rules that generalise across wording:
//! - a symptom (`<concept>.symptom`: a slow, manual or lossy process described without
//!   calling it a problem) is a hint, and stated pain when the same answer names a `cost`;
//!   money lost and a metric against a benchmark are specific pain;
//! - a negation reaches the end of its clause only: "budget is not a problem" says nothing
//!   about pain, "十倍不是问题" nothing about need;
//! - authority is about this contact: they decide (`confirmed`), someone else decides or
//!   signs and they recommend (`partial`), they have no say (`negative`). An approval limit
//!   is compared with the budget: "Tom signs anything over 25k" with a $45k budget means Tom
//!   signs;
//! - an approximate range ("somewhere around 30 to 40k", "大概二三十万") is hedged;
//! - a role said as the whole answer to "who decides / signs?" names the decider, and a bare
//!   number answering "how many reps?" is a team-size count in the unit asked.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use chrono::NaiveDate;
use regex::{Regex, RegexSet};
use serde::Serialize;
use sift_core::{Arg, CriterionAnswer, CriterionStatus, Framework, Language, Message};

use crate::exchange::CallExchange;
use crate::facts::{
    Fact, RolePart, TimelineKind, approximate_range, bare_number_answer, count_question_thing, count_question_unit,
    counted_unit, extract_facts, has_han, sentences,
};
use crate::lexicon::Lexicon;
use crate::meaning::Mode;
use crate::roles::{FactRole, RoleCue, RoleHits, clauses, limit_words, range_of};
use crate::transcript::{Role, Span, Transcript, text_before};

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

pub(crate) const BUDGET: usize = 0;
pub(crate) const AUTHORITY: usize = 1;
pub(crate) const NEED: usize = 2;
pub(crate) const TIMELINE: usize = 3;
const METRICS: usize = 5;
const DECISION_PROCESS: usize = 7;
const PAPER_PROCESS: usize = 9;
const GOALS: usize = 11;
const CONSEQUENCES: usize = 13;

/// How much a piece of evidence weighs when a status is folded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Weight {
    /// Inferred: a bare "yes", a symptom, someone named without a part.
    Hint,
    /// Said in words: "the budget is approved", "it works fine", "no rush".
    Stated,
    /// A stated figure, date or decider: "$45,000 signed off", "live by February 15th",
    /// "Tom signs anything over 25k".
    Specific,
}

/// One piece of evidence: where, what was said, what it supports and why it counts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evidence {
    pub span: Span,
    pub quote: String,
    /// One line saying why this is evidence: [`Evidence::note_message`]'s English.
    pub note: String,
    /// The note as a message (`call.note.*`, `call.lexicon`, `call.conflict.*`), so a reader
    /// can say it in its own language.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note_message: Option<Message>,
    /// The status this piece supports on its own.
    pub says: CriterionStatus,
    pub weight: Weight,
    /// Which part of Sift read it.
    pub mode: Mode,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fact: Option<Fact>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<FactRole>,
}

/// The evidence for one concept and the status it adds up to.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConceptEvidence {
    pub concept: String,
    pub status: CriterionStatus,
    pub evidence: Vec<Evidence>,
    /// The evidence the status rests on (two pieces for `contradicted`).
    pub decided_by: Vec<Evidence>,
    /// How the status was decided from the evidence, in words: `rule_message`'s English.
    pub rule: String,
    /// The rule as a message (`call.rule.*`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule_message: Option<Message>,
    /// Which mode produced the deciding evidence (`rules` when nothing was said).
    pub mode: Mode,
}

impl Evidence {
    /// Says the note by `message` (the note is its English).
    pub fn set_note(&mut self, message: Message) {
        self.note = message.english();
        self.note_message = Some(message);
    }

    /// The note as a message: the one it was said with, else its text as data.
    pub fn note_arg(&self) -> Arg {
        match &self.note_message {
            Some(m) if m.english() == self.note => Arg::Message(m.clone()),
            _ => Arg::Text(self.note.clone()),
        }
    }
}

impl Conflict {
    /// The explanation as an argument: its message, else its text as data.
    pub fn explanation_arg(&self) -> Arg {
        match &self.explanation_message {
            Some(m) if m.english() == self.explanation => Arg::Message(m.clone()),
            _ => Arg::Text(self.explanation.clone()),
        }
    }
}

impl ConceptEvidence {
    /// The piece of evidence that decided the status, if any.
    pub fn decisive(&self) -> Option<&Evidence> {
        self.decided_by.last()
    }
}

/// The evidence for one criterion of one framework (through the criterion's concept).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CriterionEvidence {
    pub framework: String,
    pub criterion: String,
    pub concept: String,
    pub status: CriterionStatus,
    /// Each piece says what it supports and which mode read it; how the status was decided
    /// is in the concept's [`ConceptEvidence::rule`].
    pub evidence: Vec<Evidence>,
}

/// A fact in a prospect turn, with its role and the concepts it was read as evidence for.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LocatedFact {
    pub span: Span,
    pub fact: Fact,
    /// Said with hedged wording ("maybe", "可能").
    pub hedged: bool,
    pub role: FactRole,
    pub concepts: Vec<String>,
}

/// Two statements in the call that cannot both be true.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Conflict {
    /// `budget`, `timeline`, `decision_maker`, `team_size`, `count`, `rate` (a rate told
    /// again far off), `tools` (the tools in use) or `age` (how long the business has been
    /// going).
    pub subject: String,
    /// The concept whose status becomes `contradicted`, if any.
    pub concept: Option<String>,
    /// Which mode found the conflict.
    pub mode: Mode,
    pub earlier: Span,
    pub earlier_quote: String,
    pub later: Span,
    pub later_quote: String,
    /// One line naming both statements: `explanation_message`'s English.
    pub explanation: String,
    /// The explanation as a message (`call.conflict.*`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explanation_message: Option<Message>,
}

/// Everything the evidence pass found in a call.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CallEvidence {
    pub facts: Vec<LocatedFact>,
    pub concepts: Vec<ConceptEvidence>,
    pub conflicts: Vec<Conflict>,
    /// The exchanges the answers were read in.
    pub exchanges: Vec<CallExchange>,
    /// Approval limits stated in the call: (approver, amount, span).
    pub thresholds: Vec<Threshold>,
    /// Spans of answers that say why the pain was not dealt with before, found from the
    /// exchange (a why-not-before question answered with a reason).
    pub excuses: Vec<Span>,
    /// The call date the dates were resolved against.
    pub as_of: NaiveDate,
    /// The meaning model's reading of each answer, when one was used.
    pub readings: Vec<crate::combine::ModelReading>,
}

/// An approval limit: above `amount`, `approver` signs ("Tom signs anything over 25k").
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Threshold {
    pub approver: String,
    pub amount: f64,
    pub span: Span,
    /// The contact is the one who signs above the limit ("anything over five grand needs my
    /// signature"), not someone whose own limit it is ("I can sign up to 10k").
    pub contact_signs_above: bool,
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
    /// "Sometimes.", "偶尔": a bare reply that a problem happens now and then; partial, and
    /// only about need.
    ReplySometimes,
    /// What a figure or date in the clause is for.
    Role(RoleCue),
}

#[derive(Debug, Clone)]
struct CueEntry {
    concept: Option<usize>,
    cue: Cue,
    /// A `partial` cue saying someone else decides or must approve (kind
    /// `authority.elsewhere`): also a claim that an earlier "I decide" contradicts.
    elsewhere: bool,
    pattern: Regex,
    /// The entry's explanation, as its note says it (`call.lexicon`).
    explain: Message,
}

#[derive(Debug, Clone)]
struct CompiledCues {
    entries: Vec<CueEntry>,
    set: Option<RegexSet>,
    /// The role cues of figures and dates (`role.*` but urgency), scanned only in answers
    /// that hold a figure or a date.
    roles: Vec<CueEntry>,
    roles_set: Option<RegexSet>,
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
                "reply.sometimes" => (None, Cue::ReplySometimes),
                kind if kind.starts_with("role.") => match RoleCue::parse(&kind[5..]) {
                    Some(role) => (None, Cue::Role(role)),
                    None => continue,
                },
                kind => {
                    let Some((concept, cue)) = kind.rsplit_once('.') else { continue };
                    let Some(index) = concept_index(concept) else { continue };
                    let cue = match cue {
                        "topic" => Cue::Topic,
                        "confirmed" => Cue::Confirmed,
                        "partial" | "elsewhere" => Cue::Partial,
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
            let elsewhere = e.kind.ends_with(".elsewhere");
            entries.push(CueEntry { concept, cue, pattern, explain: e.message(), elsewhere });
        }
        let (roles, entries): (Vec<CueEntry>, Vec<CueEntry>) =
            entries.into_iter().partition(|e| matches!(e.cue, Cue::Role(r) if r != RoleCue::Urgency));
        let set = crate::lexicon::regex_set(entries.iter().map(|e| e.pattern.as_str()));
        let roles_set = crate::lexicon::regex_set(roles.iter().map(|e| e.pattern.as_str()));
        CompiledCues { entries, set, roles, roles_set }
    }

    /// The concepts any cue of the lexicon speaks to in `text` (no positions: for questions).
    fn concepts_in(&self, text: &str) -> u32 {
        let concept = |i: usize| self.entries.get(i).and_then(|e| e.concept).map_or(0, bit);
        match &self.set {
            Some(set) => set.matches(text).into_iter().fold(0, |mask, i| mask | concept(i)),
            None => (0..self.entries.len())
                .filter(|i| self.entries[*i].pattern.is_match(text))
                .fold(0, |m, i| m | concept(i)),
        }
    }

    /// Where the role cues are in `text`.
    fn scan_roles(&self, text: &str, out: &mut RoleHits) {
        out.clear();
        let mut visit = |i: usize| {
            if let Some(CueEntry { cue: Cue::Role(role), pattern, .. }) = self.roles.get(i) {
                pattern.find_iter(text).for_each(|m| out.add(*role, m.start(), m.end()));
            }
        };
        match &self.roles_set {
            Some(set) => set.matches(text).into_iter().for_each(&mut visit),
            None => (0..self.roles.len()).for_each(visit),
        }
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

#[derive(Debug, Clone)]
pub(crate) struct Item {
    pub(crate) concept: usize,
    /// Position in the call, for ordering: (turn, byte offset).
    pub(crate) at: (usize, usize),
    pub(crate) evidence: Evidence,
}

/// A concept as a bit of a set of concepts.
pub(crate) fn bit(concept: usize) -> u32 {
    1 << concept
}

/// What the question an answer responds to asks about.
#[derive(Debug, Clone, Default)]
struct Asked {
    /// A question was asked.
    any: bool,
    /// Concepts the question's words are about.
    topics: u32,
    /// "How many reps?": the unit a bare number in the answer counts.
    count_unit: Option<String>,
    /// The rep's turn that holds the question: "With fourteen engineers, ...?" says what
    /// "there's only nine of them" counts.
    question_turn: Option<usize>,
    /// "Who signs off?"
    approval: bool,
    /// "Who decides?", "最后谁拍板？"
    decider: bool,
    /// "Who else...?": a bare no names nobody.
    who: bool,
    /// "What stopped you fixing it?", "之前为什么没解决？": the answer may give the excuse.
    why_not_before: bool,
    /// "What would you look to spend?", "预算大概多少？": a bare figure in the answer is money.
    budget: bool,
    /// "What does that cost you?", "会有什么影响？": the answer describes the pain.
    impact: bool,
    /// "How's that working for you?", "用得怎么样？": "It's fine." denies the pain.
    need_check: bool,
    /// "Would you be involved?", "您来负责吗？": a bare no says the contact has no part.
    own_part: bool,
    /// A yes/no question ("Is there...?", "有没有...？").
    closed: bool,
    /// The question offers options ("..., or would it be a case of finding it"): a bare no
    /// answers one of them.
    options: bool,
    /// "Is he around much?", "Could I grab ten minutes with her?", "他最近有空吗？": the
    /// answer is about a person's time, so "he's flat out till Christmas" is no pain.
    availability: bool,
    /// "Is there a time of year when it gets hectic?", "旺季是什么时候？": dates in the answer
    /// are a season that comes round every year.
    season: bool,
    /// "When's she back?", "老板什么时候回来？": a date in the answer is someone's diary.
    return_date: bool,
}

impl Asked {
    /// The concepts this question asks about, including what its kind implies ("who signs
    /// off?" asks about authority, "how's that working?" about need).
    fn concepts(&self) -> u32 {
        let mut topics = self.topics;
        if self.approval || self.decider || self.own_part {
            topics |= bit(AUTHORITY);
        }
        if self.budget {
            topics |= bit(BUDGET);
        }
        if self.impact || self.need_check || self.why_not_before {
            topics |= bit(NEED);
        }
        topics
    }

    fn read(question: &str, cues: &Cues, forced: Option<usize>) -> Asked {
        // A free-text answer typed for a concept answers a question about it.
        let mut asked = Asked {
            topics: forced.map(bit).unwrap_or(0),
            budget: forced == Some(BUDGET),
            decider: forced == Some(AUTHORITY),
            ..Asked::default()
        };
        if question.trim().is_empty() {
            return asked;
        }
        asked.any = true;
        asked.topics |= cues.for_text(question).concepts_in(question);
        asked.count_unit = count_question_thing(question);
        // One pass finds the kinds that may apply (the order of `QUESTION_KINDS`); each is
        // then confirmed by its own pattern.
        let maybe = QUESTION_KINDS.as_ref().map(|set| set.matches(question));
        let kind = |i: usize| {
            maybe.as_ref().is_none_or(|m| m.matched(i))
                && QUESTION_KIND_PATTERNS.get(i).is_some_and(|r| r.is_match(question))
        };
        asked.approval = kind(0);
        asked.decider = kind(1);
        asked.who = kind(2);
        asked.why_not_before = kind(3);
        asked.budget = kind(4);
        asked.impact = kind(5);
        asked.need_check = kind(6);
        asked.own_part = kind(7);
        // "have you got money put by for it or would it be a case of finding it": a no
        // answers one of two options, not the question.
        asked.options = EITHER_OR.is_match(question);
        asked.closed = CLOSED_QUESTION.is_match(question.trim()) && !asked.options;
        asked.availability = kind(8);
        asked.season = kind(9);
        asked.return_date = RETURN_QUESTION.is_match(question);
        asked
    }
}

/// Statements about this contact's part in the decision, for the authority conflicts.
#[derive(Debug, Default)]
struct Claims {
    /// "I make the call", "Just me." (to "who decides?").
    decides: Vec<(Span, String)>,
    /// "I have no say", "我说了不算".
    no_say: Vec<(Span, String)>,
    /// Someone else must approve, with no limit named: "I'd have to get Jess to okay
    /// anything we pay for".
    others_approve: Vec<(Span, String)>,
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

/// The evidence pass with a learned reader of meaning combined with the rules (see
/// [`crate::combine`] for the policy). Fails only when the model does.
pub fn analyse_call_meaning(
    transcript: &Transcript,
    as_of: NaiveDate,
    cues: &Cues,
    model: &dyn crate::meaning::MeaningModel,
) -> Result<CallEvidence, crate::meaning::MeaningError> {
    let read = read_call(transcript, as_of, cues, None);
    let readings = crate::combine::read(model, transcript, &read.exchanges)?;
    let ReadCall { mut items, located, thresholds, excuses, claims, exchanges, asked } = read;
    crate::combine::combine_items(transcript, &readings, &asked, &mut items);
    let mut conflicts = find_conflicts(transcript, as_of, &located, &claims, &items, &exchanges, &asked);
    // Contradictions between distant statements, for the concepts the facts left alone.
    let candidates: Vec<(usize, usize, usize)> = crate::combine::contradiction_candidates(transcript, &items)
        .into_iter()
        .filter(|(c, _, _)| !conflicts.iter().any(|k| k.concept.as_deref() == Some(CONCEPTS[*c])))
        .collect();
    conflicts.extend(crate::combine::model_conflicts(model, transcript, &candidates)?);
    conflicts.sort_by_key(|c| (c.later.turn, c.later.start));
    let concepts = fold_all(&items, &conflicts, transcript);
    Ok(CallEvidence { facts: located, concepts, conflicts, exchanges, thresholds, excuses, as_of, readings })
}

/// What the rules read in a call, before statuses are folded.
struct ReadCall {
    items: Vec<Item>,
    located: Vec<LocatedFact>,
    thresholds: Vec<Threshold>,
    excuses: Vec<Span>,
    claims: Claims,
    exchanges: Vec<CallExchange>,
    /// Per exchange (in the order of `exchanges`), the concepts its question asked about, as
    /// [`bit`]s.
    asked: Vec<u32>,
}

fn fold_all(items: &[Item], conflicts: &[Conflict], transcript: &Transcript) -> Vec<ConceptEvidence> {
    CONCEPTS
        .iter()
        .enumerate()
        .map(|(c, name)| {
            let mut mine: Vec<&Item> = items.iter().filter(|i| i.concept == c).collect();
            mine.sort_by_key(|i| i.at);
            let conflict = conflicts.iter().find(|k| k.concept.as_deref() == Some(name));
            fold(name, mine, conflict, transcript)
        })
        .collect()
}

/// Everything read so far in a call.
struct Reader<'c> {
    transcript: &'c Transcript,
    as_of: NaiveDate,
    cues: &'c Cues,
    items: Vec<Item>,
    located: Vec<LocatedFact>,
    thresholds: Vec<Threshold>,
    excuses: Vec<Span>,
    claims: Claims,
    hits: Vec<(usize, usize, usize)>,
    roles: RoleHits,
}

fn analyse(transcript: &Transcript, as_of: NaiveDate, cues: &Cues, forced_topic: Option<usize>) -> CallEvidence {
    let ReadCall { items, located, thresholds, excuses, claims, exchanges, asked } =
        read_call(transcript, as_of, cues, forced_topic);
    let conflicts = find_conflicts(transcript, as_of, &located, &claims, &items, &exchanges, &asked);
    let concepts = fold_all(&items, &conflicts, transcript);
    CallEvidence { facts: located, concepts, conflicts, exchanges, thresholds, excuses, as_of, readings: Vec::new() }
}

/// Reads every answer of a call with the rules.
fn read_call(transcript: &Transcript, as_of: NaiveDate, cues: &Cues, forced_topic: Option<usize>) -> ReadCall {
    let exchanges = crate::exchange::exchanges(transcript);
    let mut reader = Reader {
        transcript,
        as_of,
        cues,
        items: Vec::new(),
        located: Vec::new(),
        thresholds: Vec::new(),
        excuses: Vec::new(),
        claims: Claims::default(),
        hits: Vec::new(),
        roles: RoleHits::default(),
    };
    let mut previous = Asked::default();
    let mut asked_about = Vec::with_capacity(exchanges.len());
    for exchange in &exchanges {
        // A question the detector did not find in unpunctuated speech ("fair enough um on the
        // money side is there anything set aside for this") is still read as one when the
        // rep's last sentence has a question's shape.
        let question = if exchange.asked() {
            exchange.question_text(transcript)
        } else {
            exchange
                .context
                .map(|s| transcript.quote(s))
                .filter(|q| !q.trim_end().ends_with(['.', '。', '!', '！']) && UNMARKED_QUESTION.is_match(q))
                .map(str::to_owned)
                .unwrap_or_default()
        };
        let mut asked = Asked::read(&question, cues, forced_topic);
        asked.question_turn = exchange.questions.last().map(|q| q.turn);
        // The options may follow the part found as the question ("have you got money put by
        // for it or would it be a case of finding it").
        if asked.question_turn.and_then(|t| transcript.turns.get(t)).is_some_and(|t| EITHER_OR.is_match(&t.text)) {
            asked.options = true;
            asked.closed = false;
        }
        // "And now?", "And you?", "那这次呢？": an elliptical follow-up asks about what the
        // previous question asked.
        if asked.any
            && crate::transcript::word_count(&question) <= 3
            && asked.topics == forced_topic.map(bit).unwrap_or(0)
        {
            asked.topics |= previous.topics;
            asked.decider |= previous.decider;
            asked.approval |= previous.approval;
        }
        // "Who would look at new software?" "Not me." "Who would it be?": a short "who" after a
        // question about the decider asks the same.
        if previous.decider && crate::transcript::word_count(&question) <= 5 && WHO_FOLLOW_UP.is_match(question.trim())
        {
            asked.topics |= previous.topics;
            asked.decider = true;
            asked.approval |= previous.approval;
        }
        // "那明年呢？" after a money question, "And next year?" after "any budget this year?":
        // the same question for another period, not a question about when.
        if asked.any && previous.any && ANOTHER_PERIOD.is_match(question.trim()) {
            asked.topics = previous.topics;
            asked.budget = previous.budget;
            asked.decider = previous.decider;
            asked.approval = previous.approval;
        }
        reader.read_answer(exchange.answer_turn, &asked);
        asked_about.push(asked.concepts());
        previous = asked;
    }
    reader.weigh_thresholds();
    let Reader { items, located, thresholds, excuses, claims, .. } = reader;
    ReadCall { items, located, thresholds, excuses, claims, exchanges, asked: asked_about }
}

/// Folds a concept's evidence into its status with the precedence in the module docs.
fn fold(name: &str, mine: Vec<&Item>, conflict: Option<&Conflict>, transcript: &Transcript) -> ConceptEvidence {
    let evidence = merge_evidence(&mine);
    let concept =
        |status: CriterionStatus, decided_by: Vec<Evidence>, rule: Message, mode: Mode, evidence| ConceptEvidence {
            concept: name.to_owned(),
            status,
            evidence,
            decided_by,
            rule: rule.english(),
            rule_message: Some(rule),
            mode,
        };
    if let Some(k) = conflict {
        let piece = |span: Span, note: Arg| {
            let mut e = Evidence {
                span,
                quote: transcript.quote(span).to_owned(),
                note: note.english(),
                note_message: None,
                says: CriterionStatus::Contradicted,
                weight: Weight::Specific,
                mode: k.mode,
                fact: None,
                role: None,
            };
            if let Arg::Message(m) = note {
                e.set_note(m);
            }
            e
        };
        let earlier = Message::new("call.note.earlier").with("subject", k.subject.as_str());
        let decided_by = vec![piece(k.earlier, Arg::Message(earlier)), piece(k.later, k.explanation_arg())];
        let rule = Message::new("call.rule.conflict").with_arg("conflict", k.explanation_arg());
        return concept(CriterionStatus::Contradicted, decided_by, rule, k.mode, evidence);
    }
    let nothing = || Message::new("call.rule.nothing");
    let Some(top) = mine.iter().map(|i| i.evidence.weight).max() else {
        return concept(CriterionStatus::Unknown, Vec::new(), nothing(), Mode::Rules, evidence);
    };
    let heaviest: Vec<&&Item> = mine.iter().filter(|i| i.evidence.weight == top).collect();
    let last_turn = heaviest.iter().map(|i| i.at.0).max().unwrap_or(0);
    let in_turn: Vec<&&&Item> = heaviest.iter().filter(|i| i.at.0 == last_turn).collect();
    let clear = |i: &&&&Item| i.evidence.says != CriterionStatus::Partial;
    let decisive = in_turn.iter().rev().find(|i| clear(i)).or_else(|| in_turn.last()).map(|i| &i.evidence);
    let lighter = mine.len() - heaviest.len();
    let weight = match top {
        Weight::Specific => "specific",
        Weight::Stated => "stated",
        Weight::Hint => "hint",
    };
    let rule = Message::new("call.rule.heaviest")
        .with("weight", weight)
        .with("turn", last_turn.to_string())
        .with("lighter", lighter.to_string());
    match decisive {
        Some(e) => concept(e.says, vec![e.clone()], rule, e.mode, evidence),
        None => concept(CriterionStatus::Unknown, Vec::new(), nothing(), Mode::Rules, evidence),
    }
}

impl Reader<'_> {
    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        concept: usize,
        says: CriterionStatus,
        weight: Weight,
        turn: usize,
        at: usize,
        span: Span,
        note: Message,
        fact: Option<Fact>,
        role: Option<FactRole>,
    ) {
        let text = self.transcript.turns.get(turn).map(|t| t.text.as_str()).unwrap_or("");
        self.items.push(Item {
            concept,
            at: (turn, at),
            evidence: Evidence {
                span,
                quote: quote(text, span),
                note: note.english(),
                note_message: Some(note),
                says,
                weight,
                mode: Mode::Rules,
                fact,
                role,
            },
        });
    }

    /// Reads one prospect answer in the light of the question it answers.
    fn read_answer(&mut self, turn_index: usize, asked: &Asked) {
        let transcript = self.transcript;
        let Some(turn) = transcript.turns.get(turn_index) else { return };
        let text = turn.text.as_str();
        let lexicon = self.cues.for_text(text);
        let mut hits = std::mem::take(&mut self.hits);
        lexicon.scan(text, &mut hits);
        let sentence_ranges = sentences(text);
        let clause_ranges = clauses(text);
        let sentence_of = |pos: usize| sentence_index(&sentence_ranges, pos).unwrap_or(0);
        let sentence_range = |pos: usize| range_of(&sentence_ranges, pos, text.len());
        let clause_range = |pos: usize| range_of(&clause_ranges, pos, text.len());
        let clause_of = |pos: usize| sentence_index(&clause_ranges, pos).unwrap_or(0);
        let n_clauses = clause_ranges.len().max(1);
        let n_sentences = sentence_ranges.len().max(1);

        self.roles.clear();
        let mut hedges: Vec<(usize, usize)> = Vec::new();
        let mut pasts: Vec<(usize, usize)> = Vec::new();
        let mut costs: Vec<(usize, usize)> = Vec::new();
        // Where a no is said: a date inside one ("今年就别想了", "只能明年重新报") is the time
        // nothing happens or the money waits for, not a buying date.
        let mut not_now: Vec<(usize, usize)> = Vec::new();
        let mut reply: Option<(Cue, usize, usize)> = None;
        // Per clause: the concepts said with a no, with a qualifier, and the first negated one.
        let mut clause_negative_mask = vec![0u32; n_clauses];
        let mut clause_partial_mask = vec![0u32; n_clauses];
        let mut clause_negative: Vec<Option<usize>> = vec![None; n_clauses];
        // Per sentence: the concepts a status cue (not a mere topic word) speaks to.
        let mut sentence_mask = vec![0u32; n_sentences];
        let mut dropped = vec![false; hits.len()];
        // Asked about money, a no that is about money ("今年就别想了" to "any money left this
        // year?") is not also a no to buying.
        let money_no: Vec<(usize, usize)> = if asked.budget {
            hits.iter()
                .filter(|&&(i, ..)| {
                    lexicon.entries.get(i).is_some_and(|e| e.cue == Cue::Negative && e.concept == Some(BUDGET))
                })
                .map(|&(_, a, b)| (a, b))
                .collect()
        } else {
            Vec::new()
        };
        // A request for money still to make, after a position: "i'd have to put a case in".
        let budget_request_after = |at: usize| {
            hits.iter().any(|&(j, s, _)| {
                s >= at && lexicon.entries.get(j).is_some_and(|e| e.cue == Cue::Partial && e.concept == Some(BUDGET))
            })
        };
        for (k, &(i, start, end)) in hits.iter().enumerate() {
            let Some(entry) = lexicon.entries.get(i) else { continue };
            match (entry.cue, entry.concept) {
                (Cue::Role(role), _) => self.roles.add(role, start, end),
                // "nothing left in this year's pot ... so i'd have to put a case in for that
                // round": no money this year, a request to make for the next; the request
                // decides.
                (Cue::Negative, Some(c))
                    if c == BUDGET
                        && THIS_YEARS_MONEY.is_match(&text[clause_range(start).0..clause_range(start).1])
                        && budget_request_after(end) =>
                {
                    dropped[k] = true;
                }
                (Cue::Hedge, _) => hedges.push((start, end)),
                (Cue::Past, _) => pasts.push((start, end)),
                (Cue::Cost, _) => costs.push((start, end)),
                (Cue::ReplyYes | Cue::ReplyNo | Cue::ReplySometimes, _) => reply = Some((entry.cue, start, end)),
                // "演示先不用，等报告有眉目再说", "let's leave the demo till after Christmas":
                // putting off a meeting is not putting off the purchase; a no about money
                // asked about money is not a no to buying; a window and what it waits for
                // is a window.
                (Cue::Negative, Some(c))
                    if c == TIMELINE
                        && (MEETING_WORDS.is_match(&text[sentence_range(start).0..start])
                            // "你把资料发我，我先看看": reading what was sent, not putting off.
                            || text[start..end].contains("先看看")
                                && PAPERS.is_match(&text[sentence_range(start).0..start])
                            // "那得等我老婆看了再说": waiting on the one who decides, an
                            // authority matter, not a later date.
                            || AWAITS_PERSON.is_match(&text[start..end])
                            || money_no.iter().any(|&(a, b)| a < end && start < b)
                            // "And next year?" "明年再看吧" asked about money: the period put
                            // off is the money's, not the purchase's ("现在真不急" still is).
                            || asked.budget
                                && asked.topics & bit(TIMELINE) == 0
                                && PERIOD_PUT_OFF.is_match(&text[start..end])
                                && !WONT_DO_IT.is_match(&text[start..end])
                            || text[start..end].starts_with('等')
                                && WINDOW_BEFORE.is_match(&text[sentence_range(start).0..start])
                            // "先滨江，新楼好装。老项目等滨江跑顺了再说": one part goes first, and
                            // only the rest waits.
                            || text[start..end].starts_with('等')
                                && PART_FIRST.is_match(&text[..sentence_range(start).0])
                                && REST_NAMED.is_match(&text[sentence_range(start).0..start])) =>
                {
                    not_now.push((start, end));
                    dropped[k] = true;
                }
                (Cue::Negative, Some(c)) => {
                    not_now.push((start, end));
                    // "Budget is not a problem", "十倍不是问题": the no is about its subject,
                    // not a denial of pain.
                    if c == NEED && names_its_subject(text, clause_range(start).0, start, end) {
                        dropped[k] = true;
                        continue;
                    }
                    clause_negative_mask[clause_of(start)] |= bit(c);
                    clause_negative[clause_of(start)].get_or_insert(c);
                }
                (Cue::Partial, Some(c)) => clause_partial_mask[clause_of(start)] |= bit(c),
                _ => {}
            }
        }

        let mut symptom_items: Vec<usize> = Vec::new();
        for (k, &(i, start, end)) in hits.iter().enumerate() {
            let Some(entry) = lexicon.entries.get(i) else { continue };
            let Some(c) = entry.concept else { continue };
            if dropped[k] {
                // The idiom still says the subject is fine: "budget is not a problem".
                let subject = &text[clause_range(start).0..start];
                if BUDGET_WORDS.is_match(subject) {
                    let span = context_span(text, Some(clause_range(start)), start, end, turn.index);
                    // A claim, not money set aside: partial until a figure or an approval
                    // says more (labellers read "钱不是问题" the same way).
                    let note = Message::new("call.note.money_no_problem");
                    self.push(
                        BUDGET,
                        CriterionStatus::Partial,
                        Weight::Hint,
                        turn.index,
                        start,
                        span,
                        note,
                        None,
                        None,
                    );
                }
                continue;
            }
            // How busy the person asked about is says nothing of the pain, nor does how busy
            // a season is when the rep asked about the season ("September to November we're
            // flat out on the press").
            if c == NEED
                && (asked.availability
                    || asked.season && entry.cue == Cue::Confirmed && BUSY.is_match(&text[start..end]))
            {
                continue;
            }
            // "we just bought the new van ... thats eighteen grand gone": money spent on a
            // purchase, not money lost to the problem.
            if c == NEED
                && entry.cue == Cue::Confirmed
                && text[start..end].ends_with("gone")
                && BOUGHT_SOMETHING.is_match(&text[sentence_range(start).0..start])
            {
                continue;
            }
            // "When's she back?" "January sometime.": her diary, not the buying plan.
            if c == TIMELINE && asked.return_date {
                continue;
            }
            let cl = clause_of(start);
            if entry.cue != Cue::Topic {
                sentence_mask[sentence_of(start)] |= bit(c);
            }
            // Within one clause a no outweighs the rest of what it says about the concept
            // ("we already signed with another vendor"), and a qualifier outweighs a
            // confident phrase ("not sure what the process is").
            if entry.cue != Cue::Negative && clause_negative_mask[cl] & bit(c) != 0 {
                continue;
            }
            if entry.cue == Cue::Confirmed && clause_partial_mask[cl] & bit(c) != 0 {
                continue;
            }
            // "一千出头啊……那还行吧" after the rep's price, "三五万我觉得还行吧": a mild
            // "it's OK" said of money is about the price, not the pain.
            // The money must be next to the "it's OK" (its clause or the one before, and a few
            // words back), not a revenue figure earlier in a long unpunctuated answer.
            let near_money = {
                let from = cl.checked_sub(1).and_then(|p| clause_ranges.get(p)).map_or(clause_range(start).0, |r| r.0);
                let window = start - text_before(text, start, 40).len();
                &text[from.max(sentence_range(start).0).max(window)..clause_range(start).1]
            };
            if c == NEED && entry.cue == Cue::Partial && about_price(transcript, turn.index, near_money) {
                continue;
            }
            // "五千以内我自己就能做主，五千到三万要邓总签字": the contact decides only under a
            // limit, above which someone else signs.
            let under_limit = || {
                let (a, b) = clause_range(start);
                let (sa, sb) = sentence_range(start);
                (ZH_SELF_WITHIN.is_match(&text[a..b]) || EN_SELF_WITHIN.is_match(&text[a..b]))
                    && OTHER_SIGNS_ABOVE.is_match(&text[sa..sb])
            };
            let (says, weight) = match entry.cue {
                Cue::Confirmed if c == AUTHORITY && under_limit() => (CriterionStatus::Partial, Weight::Stated),
                Cue::Confirmed => (CriterionStatus::Confirmed, Weight::Stated),
                Cue::Partial => (CriterionStatus::Partial, Weight::Stated),
                Cue::Negative => (CriterionStatus::Negative, Weight::Stated),
                Cue::Symptom => (CriterionStatus::Partial, Weight::Hint),
                _ => continue,
            };
            // "I have no say" is the contact speaking of themself: as specific as authority gets.
            // "It's my signature on it", "都归我管" claim the decision for the contact, and a
            // later "I have no say" or "the boss signs" contradicts it.
            let weight = if entry.cue == Cue::Negative && c == AUTHORITY {
                self.claims.no_say.push((Span { turn: turn.index, start, end }, text[start..end].to_owned()));
                Weight::Specific
            } else {
                if entry.cue == Cue::Confirmed && c == AUTHORITY && says == CriterionStatus::Confirmed {
                    self.claims.decides.push((Span { turn: turn.index, start, end }, text[start..end].to_owned()));
                }
                if entry.elsewhere && c == AUTHORITY {
                    let span = Span { turn: turn.index, start, end };
                    self.claims.others_approve.push((span, text[start..end].to_owned()));
                }
                weight
            };
            if entry.cue == Cue::Symptom {
                symptom_items.push(self.items.len());
            }
            let span = context_span(text, Some(sentence_range(start)), start, end, turn.index);
            self.push(c, says, weight, turn.index, start, span, entry.explain.clone(), None, None);
        }
        // A symptom ("leads sit in a shared inbox") with what it costs ("for days", "we lost
        // two deals") in the same answer is stated pain, not a hint.
        if let Some(&(cost_start, cost_end)) = costs.first() {
            let cost = text[cost_start..cost_end].to_owned();
            for &i in &symptom_items {
                if let Some(item) = self.items.get_mut(i) {
                    item.evidence.says = CriterionStatus::Confirmed;
                    item.evidence.weight = Weight::Stated;
                    let with_cost = Message::new("call.note.with_cost")
                        .with_arg("note", item.evidence.note_arg())
                        .with("cost", cost.as_str());
                    item.evidence.set_note(with_cost);
                }
            }
        }
        // Urgency without a date ("asap", "越快越好"): the timeline is partly known.
        if let Some((start, end)) = self.roles.first(RoleCue::Urgency) {
            // "speak soon", "see you soon": a goodbye, not a hurry.
            let goodbye = SIGN_OFF_SOON.is_match(&text[sentence_range(start).0..end]);
            if clause_negative_mask[clause_of(start)] & bit(TIMELINE) == 0 && !goodbye {
                let span = context_span(text, Some(sentence_range(start)), start, end, turn.index);
                let note = Message::new("call.note.urgency");
                self.push(
                    TIMELINE,
                    CriterionStatus::Partial,
                    Weight::Stated,
                    turn.index,
                    start,
                    span,
                    note,
                    None,
                    None,
                );
            }
        }

        // A bare yes or no answers what the rep just asked and nothing else. Punctuation is
        // not required: speech-to-text often drops the question mark.
        if let Some((cue, start, end)) =
            reply.filter(|(cue, ..)| asked.topics != 0 && !((asked.who || asked.options) && *cue == Cue::ReplyNo))
        {
            // "Does the paper slow things down when it's busy?" "Sometimes.": how often a
            // problem happens says something about the need, not about when.
            let topics = if cue == Cue::ReplySometimes { asked.topics & bit(NEED) } else { asked.topics };
            for c in (0..CONCEPTS.len()).filter(|c| topics & bit(*c) != 0) {
                let (says, weight, note) = if cue == Cue::ReplyNo {
                    (
                        CriterionStatus::Negative,
                        Weight::Stated,
                        Message::new("call.note.answered_no").with("concept", CONCEPTS[c]),
                    )
                } else {
                    let code =
                        if cue == Cue::ReplySometimes { "call.note.bare_sometimes" } else { "call.note.bare_yes" };
                    (CriterionStatus::Partial, Weight::Hint, Message::new(code).with("concept", CONCEPTS[c]))
                };
                let span = Span { turn: turn.index, start, end };
                self.push(c, says, weight, turn.index, start, span, note, None, None);
            }
        }

        // "Are leads slipping through the cracks?" "I wouldn't say so. We know every customer."
        // A closed question answered with a no that then goes on: a no to what was asked.
        // A hedged no ("Not really. Depends what it is.") is no answer either way.
        // "Not as such": no, with a but to follow.
        let lower = text.to_ascii_lowercase();
        let hedged_no =
            !hedges.is_empty() || lower.contains("depend") || lower.contains("not as such") || text.contains("看情况");
        if reply.is_none() && asked.closed && asked.topics != 0 && !asked.who && !hedged_no {
            let first = sentence_ranges.first().map_or(text, |r| &text[r.0..r.1]);
            if let Some(m) = NO_LEAD.find(first) {
                // "Is there a date you're working to?" "Not really, just soon.": no date, but
                // wanted soon, which the urgency cue reads; said in an earlier answer ("When?"
                // "Yesterday honestly." "A date?" "Not really."), the no denies only a date.
                let asked_date = asked
                    .question_turn
                    .and_then(|q| self.transcript.turns.get(q))
                    .is_some_and(|q| DATE_ASKED.is_match(&q.text));
                let urgent_before = asked_date
                    && self.items.iter().any(|i| {
                        i.concept == TIMELINE
                            && i.evidence.note_message.as_ref().is_some_and(|m| m.code == "call.note.urgency")
                    });
                let urgent = urgent_before || self.roles.within(RoleCue::Urgency, (0, text.len()));
                // "Not really, she hasn't said a number, I'd have to take it to her with the
                // price": the answer goes on to say the concept is partly there.
                let goes_on_partial: u32 = self
                    .items
                    .iter()
                    .filter(|i| {
                        i.at.0 == turn.index
                            && i.evidence.says == CriterionStatus::Partial
                            && i.evidence.weight == Weight::Stated
                            && i.at.1 >= m.end()
                    })
                    .fold(0, |set, i| set | bit(i.concept));
                for c in (0..CONCEPTS.len()).filter(|c| {
                    asked.topics & bit(*c) != 0 && !(*c == TIMELINE && urgent) && goes_on_partial & bit(*c) == 0
                }) {
                    let span = Span { turn: turn.index, start: m.start(), end: m.end() };
                    let note = Message::new("call.note.answered_no").with("concept", CONCEPTS[c]);
                    self.push(
                        c,
                        CriterionStatus::Negative,
                        Weight::Stated,
                        turn.index,
                        m.start(),
                        span,
                        note,
                        None,
                        None,
                    );
                }
            }
        }
        // "Who decides?" "Not me.": the contact says they do not decide.
        if asked.decider || asked.own_part {
            if let Some(m) = NOT_ME.find(text) {
                let span = Span { turn: turn.index, start: m.start(), end: m.end() };
                self.claims.no_say.push((span, m.as_str().to_owned()));
                let note = Message::new("call.note.not_their_decision");
                self.push(
                    AUTHORITY,
                    CriterionStatus::Negative,
                    Weight::Stated,
                    turn.index,
                    m.start(),
                    span,
                    note,
                    None,
                    None,
                );
            }
        }

        // "he'd have the final say on anything like this": someone else decides, which takes
        // back an earlier "it's my firm, I sign everything" unless said under a condition.
        if let Some(m) = FINAL_SAY_ELSEWHERE.find(text) {
            let (a, b) = sentence_range(m.start());
            let clause_negated = clause_negative_mask[clause_of(m.start())] & bit(AUTHORITY) != 0;
            if !clause_negated && !CONDITION.is_match(&text[a..m.start()]) {
                let span = context_span(text, Some((a, b)), m.start(), m.end(), turn.index);
                self.claims.others_approve.push((span, m.as_str().to_owned()));
                let note = Message::new("call.note.someone_else_decides").with("part", "decides");
                self.push(
                    AUTHORITY,
                    CriterionStatus::Partial,
                    Weight::Stated,
                    turn.index,
                    m.start(),
                    span,
                    note,
                    None,
                    None,
                );
            }
        }

        // "Would you be involved?" "Probably not.": the contact has no part.
        // "Would you be the one to take it to them?" "Nah. I answer the phone." counts too: a
        // no that opens the answer and goes on.
        let own_no = match reply {
            Some((Cue::ReplyNo, start, end)) => Some((start, end)),
            None if !hedged_no => sentence_ranges
                .first()
                .and_then(|r| NO_LEAD.find(&text[r.0..r.1]).map(|m| (r.0 + m.start(), r.0 + m.end()))),
            _ => None,
        };
        if asked.own_part {
            if let Some((start, end)) = own_no {
                let span = Span { turn: turn.index, start, end };
                self.claims.no_say.push((span, text[start..end].to_owned()));
                let note = Message::new("call.note.not_involved");
                self.push(
                    AUTHORITY,
                    CriterionStatus::Negative,
                    Weight::Stated,
                    turn.index,
                    start,
                    span,
                    note,
                    None,
                    None,
                );
            }
        }
        // "How's that holding up?" "It's fine.": no pain.
        if asked.need_check {
            if let Some(m) = FINE_ANSWER.find(text) {
                let span = Span { turn: turn.index, start: m.start(), end: m.end() };
                let note = Message::new("call.note.current_way_fine");
                self.push(
                    NEED,
                    CriterionStatus::Negative,
                    Weight::Stated,
                    turn.index,
                    m.start(),
                    span,
                    note,
                    None,
                    None,
                );
            }
        }
        // "What does that cost you?" answered at length, without a denial: the answer is the
        // pain, told in the prospect's own terms.
        if asked.impact
            && crate::transcript::word_count(text) >= 8
            && clause_negative_mask.iter().all(|m| m & bit(NEED) == 0)
            && !PLAYS_DOWN.is_match(text)
        {
            let (start, end) = sentence_ranges.first().copied().unwrap_or((0, text.len()));
            let span = context_span(text, Some((start, end)), start, end, turn.index);
            let note = Message::new("call.note.describes_cost");
            self.push(NEED, CriterionStatus::Confirmed, Weight::Stated, turn.index, start, span, note, None, None);
        } else if asked.topics & bit(NEED) != 0
            && !asked.closed
            && reply.is_none()
            && crate::transcript::word_count(text) >= 15
            && clause_negative_mask.iter().all(|m| m & bit(NEED) == 0)
            && !FINE_ANSWER.is_match(text)
        {
            // "Where does that end up hurting you?" answered at length, without a denial: a
            // problem is described, though what it costs may not be said.
            let (start, end) = sentence_ranges.first().copied().unwrap_or((0, text.len()));
            let span = context_span(text, Some((start, end)), start, end, turn.index);
            let note = Message::new("call.note.describes_problem");
            self.push(NEED, CriterionStatus::Confirmed, Weight::Hint, turn.index, start, span, note, None, None);
        }

        // Why the pain was not dealt with before, told in answer to being asked.
        if asked.why_not_before && gives_a_reason(text) {
            let end = sentence_ranges.get(1).or(sentence_ranges.first()).map_or(text.len(), |r| r.1);
            let piece = &text[..end];
            let lead = piece.len() - piece.trim_start().len();
            self.excuses.push(Span { turn: turn.index, start: lead, end: lead + piece.trim().len() });
        }

        let mut facts = extract_facts(text, self.as_of);
        if !facts.is_empty() {
            // Role cues matter only in the sentences that hold a figure or a date, and the two
            // before them (a figure can point back: "That's thirty grand a year").
            let urgency = self.roles.first(RoleCue::Urgency);
            let first = facts.iter().map(|f| f.start).min().unwrap_or(0);
            let last = facts.iter().map(|f| f.end).max().unwrap_or(text.len());
            let first_sentence = sentence_ranges.iter().position(|r| r.1 > first).unwrap_or(0);
            let from = sentence_ranges.get(first_sentence.saturating_sub(2)).map_or(0, |r| r.0);
            let to = sentence_range(last.saturating_sub(1)).1;
            lexicon.scan_roles(&text[from..to], &mut self.roles);
            self.roles.shift(from);
            if let Some((a, b)) = urgency {
                self.roles.add(RoleCue::Urgency, a, b);
            }
        }
        // "Who would it be?" "Gail, the owner.": a name and a role said as the whole first
        // sentence name the decider ("The boss." alone names no one).
        if asked.decider {
            if let Some(&(a, b)) = sentence_ranges.first().filter(|r| NAMED_ROLE_ANSWER.is_match(&text[r.0..r.1])) {
                let part = if asked.approval { RolePart::Approves } else { RolePart::Decides };
                for f in facts.iter_mut().filter(|f| a <= f.start && f.end <= b) {
                    if let Fact::Person { part: p @ RolePart::Involved, role } = &mut f.fact {
                        if role != "self" {
                            *p = part;
                        }
                    }
                }
            }
        }
        // "屋里是谁拍板呢？" "那肯定是我爸咯。": a person said as the first words of the answer,
        // by a family tie or a surname (王总), names the decider ("老板" alone names no one).
        if asked.decider && !facts.iter().any(|f| matches!(f.fact, Fact::Person { .. })) {
            if let Some(m) = sentence_ranges
                .first()
                .and_then(|r| ZH_ROLE_ANSWER.captures(&text[r.0..r.1]).and_then(|c| c.name("role")).map(|m| (r.0, m)))
                .map(|(at, m)| (at + m.start(), m.as_str()))
                .filter(|(_, role)| ZH_NAMED_ROLE.is_match(role))
            {
                let part = if asked.approval { RolePart::Approves } else { RolePart::Decides };
                let fact = Fact::Person { role: m.1.to_owned(), part };
                facts.insert(0, crate::facts::FoundFact { fact, start: m.0, end: m.0 + m.1.len() });
            }
        }
        // "Who signs off?" "Linda.": a name said as the whole first sentence names the decider.
        if asked.decider && !facts.iter().any(|f| matches!(f.fact, Fact::Person { .. })) {
            if let Some(c) = sentence_ranges.first().and_then(|r| NAME_ANSWER.captures(&text[r.0..r.1])) {
                if let Some(m) =
                    c.name("name").filter(|m| !NOT_A_NAME.contains(&m.as_str().split_whitespace().next().unwrap_or("")))
                {
                    let part = if asked.approval { RolePart::Approves } else { RolePart::Decides };
                    let fact = Fact::Person { role: m.as_str().to_ascii_lowercase(), part };
                    let start = sentence_ranges.first().map_or(0, |r| r.0) + m.start();
                    facts.insert(0, crate::facts::FoundFact { fact, start, end: start + m.len() });
                }
            }
        }
        // "What would you look to spend?" "Couple hundred a month maybe.": a bare figure
        // answering a question about money is money.
        if asked.budget && !facts.iter().any(|f| matches!(f.fact, Fact::Money { .. })) {
            if let Some(c) = BARE_AMOUNT.captures(text) {
                // "two forty-barrel fermenters": a figure joined to a unit is a size, not money.
                let joined = |m: &regex::Match| {
                    let after = &text[m.end()..];
                    after.starts_with('-') && after[1..].starts_with(|c: char| c.is_alphabetic())
                };
                if let Some(m) = c.name("num").filter(|m| !joined(m)) {
                    let n = m.as_str().to_ascii_lowercase();
                    let value = n.replace(',', "").parse::<f64>().ok().or_else(|| crate::facts::parse_en_words(&n));
                    if let Some(amount) = value.filter(|v| *v >= 10.0) {
                        let per = c.name("per").map(|p| {
                            if p.as_str().to_ascii_lowercase().contains("month") { "month" } else { "year" }.to_owned()
                        });
                        let fact = Fact::Money { amount, currency: None, per };
                        facts.push(crate::facts::FoundFact { fact, start: m.start(), end: m.end() });
                        facts.sort_by_key(|f| f.start);
                    }
                }
            }
        }
        // "Who decides?" "Me, ultimately.", "How does it get signed off?" "It's mine.": the
        // contact names themself as the answer.
        // The first sentence is the answer; people named after it ("Over forty, Russ
        // co-signs") are the rules around it.
        if asked.decider || asked.approval || asked.own_part {
            // "Yeah. Mine.": a bare yes, then the answer.
            let bare_yes = |r: &(usize, usize)| BARE_YES.is_match(&text[r.0..r.1]);
            let answer = match sentence_ranges.first() {
                Some(first) if bare_yes(first) && sentence_ranges.len() > 1 => sentence_ranges.get(1),
                first => first,
            };
            let (from, to) = answer.copied().unwrap_or((0, text.len()));
            if let Some(m) = SELF_ANSWER.find(&text[from..to]) {
                let (start, end) = (from + m.start(), from + m.end());
                if !facts.iter().any(|f| matches!(f.fact, Fact::Person { .. }) && f.start < to) {
                    let fact = Fact::Person { role: "self".to_owned(), part: RolePart::Decides };
                    facts.insert(0, crate::facts::FoundFact { fact, start, end });
                }
            }
        }
        // "How many people are on the team?" "Twelve.": a bare number answers the count asked.
        if let Some(unit) = &asked.count_unit {
            if !facts.iter().any(|f| matches!(f.fact, Fact::Count { .. })) {
                if let Some((value, start, end)) = bare_number_answer(text) {
                    let fact = Fact::Count { value, unit: unit.clone() };
                    facts.insert(0, crate::facts::FoundFact { fact, start, end });
                    facts.sort_by_key(|f| f.start);
                }
            }
        }
        // "And with fourteen engineers...?" "There's only nine of them.": a total of what the
        // question counted; "of us" counts people.
        if let Some(c) = ONLY_N_OF.captures(text) {
            let (a, b) = c.get(0).map_or((0, 0), |m| (m.start(), m.end()));
            if !facts.iter().any(|f| matches!(f.fact, Fact::Count { .. }) && f.start < b && a < f.end) {
                let n = c.name("num").map(|m| m.as_str().to_ascii_lowercase()).unwrap_or_default();
                let value = n.parse::<f64>().ok().or_else(|| crate::facts::parse_en_words(&n));
                // "And with fourteen engineers, are they all on call?": the count is in the rep's
                // turn, the question only after its comma; read only when the answer needs it.
                let unit = if c.name("us").is_some() {
                    Some("people".to_owned())
                } else {
                    asked.question_turn.and_then(|q| self.transcript.turns.get(q)).and_then(|t| counted_unit(&t.text))
                };
                if let (Some(value), Some(unit), Some(m)) = (value.filter(|v| *v >= 2.0), unit, c.name("only")) {
                    let end = c.get(0).map_or(m.end(), |all| all.end());
                    facts.push(crate::facts::FoundFact { fact: Fact::Count { value, unit }, start: m.start(), end });
                    facts.sort_by_key(|f| f.start);
                }
            }
        }
        // People counted in answer to "how many reps / how big is the sales team" are the
        // reps: "around thirty people" is thirty reps. (A named unit is never made vaguer.)
        if let Some(asked_unit) = &asked.count_unit {
            for f in facts.iter_mut().filter(|f| sentence_of(f.start) == 0) {
                if let Fact::Count { unit, .. } = &mut f.fact {
                    // "十二个。": a bare measure word counts what was asked.
                    // "多少会员？" "三百来号人吧": people counted are the members asked about.
                    if unit == "个" || unit == "people" && (asked_unit == "reps" || asked_unit == "会员") {
                        asked_unit.clone_into(unit);
                    }
                }
            }
        }
        // "Doubt it. January's mad with all the New Year people.": after a no, the first date
        // is why not, not when.
        let opens_with_no = NO_LEAD.is_match(text);
        let first_date =
            facts.iter().find(|f| matches!(f.fact, Fact::Timeline { .. })).map(|f| f.start).filter(|_| !opens_with_no);
        // "By June 30.": a date said as the whole answer is when they want it.
        let short_answer = crate::transcript::word_count(text) <= 6;
        let first_money = facts.iter().find(|f| matches!(f.fact, Fact::Money { .. })).map(|f| f.start);
        // Who decides or approves in a range (someone else first, else the contact), and
        // whether a target sits in it.
        let deciders: Vec<(usize, usize, String)> = facts
            .iter()
            .filter_map(|f| match &f.fact {
                Fact::Person { role, part: RolePart::Decides | RolePart::Approves } => {
                    Some((f.start, f.end, role.clone()))
                }
                _ => None,
            })
            .collect();
        let growths: Vec<(usize, usize)> =
            facts.iter().filter(|f| matches!(f.fact, Fact::Growth { .. })).map(|f| (f.start, f.end)).collect();
        let moneys: Vec<(usize, usize)> =
            facts.iter().filter(|f| matches!(f.fact, Fact::Money { .. })).map(|f| (f.start, f.end)).collect();
        let approver_in = |range: (usize, usize)| {
            let named = |want_self: bool| {
                deciders
                    .iter()
                    .find(|(a, b, role)| *a >= range.0 && *b <= range.1 && (role == "self") == want_self)
                    .map(|(_, _, role)| role.clone())
            };
            // "...and then Aisha signs. Anything over 20k needs her signature": a pronoun's
            // approver is the one named last before it in the answer.
            named(false).or_else(|| named(true)).or_else(|| {
                deciders
                    .iter()
                    .rev()
                    .find(|(_, b, role)| *b <= range.0 && role != "self")
                    .map(|(_, _, role)| role.clone())
            })
        };
        let target_in = |range: (usize, usize)| growths.iter().any(|&(a, b)| a < range.1 && range.0 < b);
        let mut roles_of: Vec<FactRole> = Vec::with_capacity(facts.len());
        for found in &facts {
            let clause = clause_range(found.start);
            let sentence = sentence_range(found.start);
            let role = match &found.fact {
                Fact::Money { currency, .. } => {
                    // "we paid eighteen thousand pounds in quality deductions": money lost.
                    let paid_as_loss = PAID_AS_LOSS.is_match(&text[found.end..]);
                    let all_went = ALL_WENT_AFTER.is_match(&text[found.end..]);
                    if !paid_as_loss
                        && (spent_before(text, found.start) || sunk_into(text, found.start, found.end) || all_went)
                    {
                        FactRole::Spent
                    } else if limit_words(text, found.start, found.end)
                        && (self.roles.within(RoleCue::Approval, sentence) || approver_in(sentence).is_some())
                    {
                        FactRole::Threshold
                    } else if self.roles.within(RoleCue::Loss, clause)
                        || REFERS_BACK.is_match(&text[sentence.0..found.start])
                            && sentence_ranges
                                .iter()
                                .rev()
                                .filter(|r| r.1 <= sentence.0)
                                .take(2)
                                .any(|r| self.roles.within(RoleCue::Loss, *r))
                    {
                        // "We lost Brampton. They wanted logs in two days. That's thirty-eight
                        // grand a year." The figure says what one of the two sentences before
                        // it lost.
                        FactRole::Loss
                    } else if self.roles.within(RoleCue::Revenue, clause) || target_in(clause) {
                        if self.roles.within(RoleCue::Target, sentence) || target_in(clause) {
                            FactRole::Target
                        } else {
                            FactRole::Business
                        }
                    } else if self.roles.within(RoleCue::Price, clause) {
                        FactRole::Price
                    } else if
                    // Money said and then spoken for is no budget ("We raised one point two
                    // million, but it's all going on the port"; 全都压在车上了).
                    !SPOKEN_FOR.is_match(&text[found.end..])
                        && (self.roles.within(RoleCue::Budget, clause)
                            || self.roles.within(RoleCue::Budget, sentence) && currency.is_some()
                            || asked.budget
                            && Some(found.start) == first_money
                            // "nope the tankers gearbox went in october cost me eight grand":
                            // money in the no itself is why not ("Not really. We'd scrape
                            // together a few hundred" still offers money).
                            && !(opens_with_no && !asked.options && sentence_of(found.start) == 0)
                            || sentence_mask[sentence_of(found.start)] & bit(BUDGET) != 0)
                    {
                        FactRole::Budget
                    } else if self.roles.within(RoleCue::Target, clause) {
                        FactRole::Target
                    } else {
                        FactRole::Context
                    }
                }
                Fact::Timeline { kind, .. } => {
                    let s = sentence_of(found.start);
                    let past = self.is_past(text, found, &pasts, &sentence_ranges, s);
                    if past {
                        FactRole::Past
                    } else if DATE_DECLINED.is_match(&text[found.end..])
                        || (ALREADY_BEFORE.is_match(text_before(text, found.start, 24))
                            || YEAR_END_NOW.is_match(&text[found.start..found.end])
                                && CLAUSE_START.is_match(text_before(text, found.start, 4)))
                            && ALREADY_AFTER.is_match(&text[found.end..])
                    {
                        // "明年三月不行", "都年底了": a date turned down, or how late it is now.
                        FactRole::Context
                    } else if (CONTRACT_ENDS_BEFORE.is_match(&text[clause.0..found.start])
                        || CONTRACT_ENDS_AFTER.is_match(&text[found.end..clause.1.max(found.end)]))
                        && (!NEEDED_BY_THEN.is_match(&text[sentence.0..sentence.1])
                            || NOTHING_BEFORE_THEN.is_match(&text[sentence.0..sentence.1]))
                    {
                        // "明年六月到期，到期就不续了": when a contract already signed ends, not
                        // when this one is bought (unless the sentence ties the two).
                        FactRole::Context
                    } else if AWAY_UNTIL.is_match(&text[clause.0..found.start])
                        || asked.return_date && !self.roles.within(RoleCue::Buying, clause)
                        || not_now.iter().any(|&(a, b)| a <= found.start && found.end <= b)
                        || MEETING_BEFORE.is_match(&text[clause.0..found.start])
                            && !self.roles.within(RoleCue::Buying, clause)
                    {
                        // "She's away till the fifth of January", "I'm seeing the bursars on
                        // the fifteenth": someone's diary.
                        FactRole::Context
                    } else if self.roles.just_before(RoleCue::Recurring, found.start, 20, sentence)
                        || (self.roles.within(RoleCue::Recurring, clause) || asked.season)
                            && !self.roles.within(RoleCue::Buying, clause)
                    {
                        FactRole::Recurring
                    } else if target_in(clause) && self.roles.within(RoleCue::Target, sentence)
                        || target_in(sentence)
                            && !self.roles.within(RoleCue::Buying, clause)
                            && !(asked.topics & bit(TIMELINE) != 0 && Some(found.start) == first_date)
                    {
                        // "目标是，半年内参观到签约的转化从百分之十八做到百分之二十五": a goal
                        // with its change and its deadline, even with a buying word in it;
                        // "she wants us in four thousand shops by christmas so like ten times
                        // what we have now": a change in the sentence and no buying word.
                        FactRole::GoalDeadline
                    } else if has_han(text)
                        && self.roles.within_beside(RoleCue::Target, clause, (found.start, found.end))
                        && !self.roles.within(RoleCue::Buying, clause)
                    {
                        // "回款天数明年年底之前降到四十五天": a goal's deadline, said with the goal's
                        // own word beside the date and no buying word (Chinese target words are
                        // verbs of reaching, "降到", "做到"; English ones, "want", "aim", are not
                        // enough).
                        FactRole::GoalDeadline
                    } else if RESULT_WANTED_BY.is_match(&text[clause.0..found.start]) {
                        // "the owners want to see the winter numbers better by easter": the date
                        // a result is wanted by, even in answer to when they would buy.
                        FactRole::GoalDeadline
                    } else if self.roles.within(RoleCue::Buying, clause)
                        || sentence_mask[s] & bit(TIMELINE) != 0
                        || asked.topics & bit(TIMELINE) != 0 && Some(found.start) == first_date
                        || short_answer && Some(found.start) == first_date
                    {
                        FactRole::Buying
                    } else if self.roles.within(RoleCue::Target, clause) || target_in(sentence) {
                        FactRole::GoalDeadline
                    } else if *kind != TimelineKind::Absolute
                        && moneys.iter().any(|&(a, b)| a >= sentence.0 && b <= sentence.1)
                    {
                        FactRole::BudgetPeriod
                    } else {
                        FactRole::Context
                    }
                }
                Fact::Count { .. } | Fact::Percentage { .. } => {
                    if self.roles.within(RoleCue::Target, clause) || target_in(clause) {
                        FactRole::Target
                    } else {
                        FactRole::Measured
                    }
                }
                Fact::Growth { .. } => FactRole::Target,
                Fact::Person { .. } => FactRole::Context,
            };
            roles_of.push(role);
        }

        for (mut found, role) in facts.into_iter().zip(roles_of) {
            // "Who signs off?" "Our COO, Elena Ruiz.": a role given as the answer names the
            // decision maker even without a verb.
            if let Fact::Person { role: who, part: part @ RolePart::Involved } = &mut found.fact {
                if asked.decider
                    && !is_paper_role(who)
                    && !is_generic_superior(who)
                    && role_is_the_answer(text, Some(sentence_range(found.start)), found.start, found.end)
                {
                    *part = if asked.approval { RolePart::Approves } else { RolePart::Decides };
                }
            }
            let cl = clause_of(found.start);
            let sentence = sentence_range(found.start);
            // A hedge counts for the figures next to it, not for a whole run-on sentence.
            let han = has_han(text);
            // A hedge said as a tag after the figure ("a few hundred a month, I reckon.") is
            // a clause of its own and hedges the clause before it.
            let tag_only = |a: usize, b: usize| {
                let (from, to) = clause_range(a);
                let rest = format!("{}{}", &text[from..a], &text[b.min(to)..to]);
                !rest.chars().any(char::is_alphanumeric)
            };
            let near = |marks: &[(usize, usize)], before: usize, after: usize| {
                marks.iter().any(|&(a, b)| {
                    clause_of(a) == cl && han
                        || clause_of(a) == cl
                            && (b <= found.start && found.start - b <= before
                                || a >= found.end && a - found.end <= after
                                || a < found.end && found.start < b)
                        || clause_of(a) == cl + 1 && a >= found.end && a - found.end <= after && tag_only(a, b)
                })
            };
            // A date said as the latest it may be ("最晚三月初吧", "no later than March") is a
            // deadline, whatever softens the sentence.
            let latest = matches!(found.fact, Fact::Timeline { .. }) && AT_THE_LATEST.is_match(&text[..found.start]);
            // "i cant promise you that", "don't hold me to it": the whole sentence is a guess;
            // money only "if it's under" a figure or "if it's" one ("一两百块的话"), or asked for
            // and not yet approved ("我在明年预算里报了十二万，下周三办公会过"), is not money there.
            let said = &text[sentence.0..sentence.1];
            let provisional = match found.fact {
                Fact::Money { .. } => {
                    NO_PROMISE.is_match(said)
                        || IF_WITHIN.is_match(&text[clause_range(found.start).0..found.start])
                        || ZH_IF_AFTER.is_match(&text[found.end..])
                        || PENDING_APPROVAL.is_match(said) && !APPROVED.is_match(said)
                }
                Fact::Timeline { .. } => !latest && NO_PROMISE.is_match(said),
                _ => false,
            };
            let hedged = !latest && near(&hedges, 40, 20)
                || provisional
                || matches!(found.fact, Fact::Money { .. } | Fact::Count { .. })
                    && approximate_range(text, found.start, found.end);
            let span = Span { turn: turn.index, start: found.start, end: found.end };
            let context = context_span(text, Some(sentence), found.start, found.end, turn.index);
            let says_for = |c: usize| {
                if clause_partial_mask[cl] & bit(c) != 0 || hedged {
                    CriterionStatus::Partial
                } else {
                    CriterionStatus::Confirmed
                }
            };
            let mut concepts: Vec<(usize, CriterionStatus, Weight, Message)> = Vec::new();
            let about = |code: &str| Message::new(code).with_message("fact", found.fact.message());
            // A figure or date belongs to a no about its own concept in its own clause ("no
            // budget this year"); a no about something else ("十来万应该问题不大") leaves it
            // alone. People named in a clause that denies the contact's say are read by
            // `read_person`.
            let own = |c: usize| match role {
                FactRole::Budget | FactRole::BudgetPeriod => c == BUDGET,
                FactRole::Buying => c == TIMELINE,
                FactRole::Target | FactRole::GoalDeadline => c == GOALS || c == METRICS,
                FactRole::Loss => c == NEED || c == CONSEQUENCES,
                FactRole::Threshold => c == DECISION_PROCESS,
                _ => false,
            };
            // "nothing left in this year's pot ... gareth sets next year's spending in february
            // so i'd have to put a case in": a budget's period beside a request still to make
            // is the round to ask in, not part of the no.
            // The person who sets that round is no part of the no either.
            let asked_for_later = clause_negative[cl] == Some(BUDGET)
                && (clause_of(sentence.0)..=clause_of(sentence.1.saturating_sub(1)))
                    .any(|j| clause_partial_mask.get(j).is_some_and(|m| m & bit(BUDGET) != 0))
                && (role == FactRole::BudgetPeriod || matches!(found.fact, Fact::Person { .. }));
            let speaks = !asked_for_later
                && match found.fact {
                    Fact::Person { .. } => clause_negative[cl].is_some_and(|c| c != AUTHORITY),
                    _ => clause_negative[cl].is_some_and(own),
                };
            if let (Some(negated), true) = (clause_negative[cl], speaks) {
                // "no budget this year": the figure or date belongs to the no.
                concepts.push((negated, CriterionStatus::Negative, Weight::Specific, about("call.note.said_with_no")));
            } else {
                match (&found.fact, role) {
                    (Fact::Money { .. }, FactRole::Budget) => {
                        let note = about("call.note.budget_figure");
                        concepts.push((BUDGET, says_for(BUDGET), Weight::Specific, note));
                    }
                    (Fact::Money { amount, .. }, FactRole::Threshold) => {
                        let named = approver_in(sentence);
                        let note = about("call.note.approval_threshold").with_opt("who", named.as_deref());
                        let approver = named.unwrap_or_else(|| "someone".to_owned());
                        concepts.push((DECISION_PROCESS, CriterionStatus::Confirmed, Weight::Specific, note));
                        // "I can sign up to 10k", "五万以内的开支我自己就能定": the contact's own limit.
                        let (ca, cb) = clause_ranges.get(cl).copied().unwrap_or(sentence);
                        let own = approver == "self"
                            || text[sentence.0..sentence.1].to_ascii_lowercase().contains("i can")
                            || ZH_SELF_WITHIN.is_match(&text[ca..cb])
                            || EN_SELF_WITHIN.is_match(&text[ca..cb]);
                        self.thresholds.push(Threshold {
                            approver: if own { "self".to_owned() } else { approver },
                            amount: *amount,
                            span,
                            contact_signs_above: CONTACT_SIGNS_ABOVE.is_match(&text[sentence.0..sentence.1]),
                        });
                    }
                    (Fact::Money { .. }, FactRole::Loss) => {
                        let note = about("call.note.problem_cost");
                        concepts.push((NEED, CriterionStatus::Confirmed, Weight::Specific, note.clone()));
                        concepts.push((CONSEQUENCES, CriterionStatus::Confirmed, Weight::Specific, note));
                    }
                    (
                        Fact::Money { .. } | Fact::Count { .. } | Fact::Percentage { .. } | Fact::Growth { .. },
                        FactRole::Target,
                    ) => {
                        let note = about("call.note.target");
                        concepts.push((GOALS, says_for(GOALS), Weight::Specific, note.clone()));
                        concepts.push((METRICS, says_for(METRICS), Weight::Specific, note));
                    }
                    (Fact::Percentage { .. }, FactRole::Measured) => {
                        let note = about("call.note.measured");
                        concepts.push((METRICS, says_for(METRICS), Weight::Stated, note));
                        // "Our no-show rate is 18% and the network average is 9%": a metric
                        // against a benchmark is pain in business terms.
                        if BENCHMARK.is_match(text) {
                            let note = about("call.note.benchmark");
                            concepts.push((NEED, CriterionStatus::Confirmed, Weight::Specific, note));
                        }
                    }
                    (Fact::Timeline { resolved, until, .. }, FactRole::Buying) => {
                        let year_wide = match (resolved, until) {
                            (Some(a), Some(b)) => (*b - *a).num_days() > 92,
                            _ => false,
                        };
                        let (says, note) = if year_wide {
                            (CriterionStatus::Partial, about("call.note.buying_year"))
                        } else {
                            (says_for(TIMELINE), about("call.note.buying_date"))
                        };
                        concepts.push((TIMELINE, says, Weight::Specific, note));
                    }
                    (Fact::Timeline { .. }, FactRole::GoalDeadline) => {
                        let note = about("call.note.goal_deadline");
                        concepts.push((GOALS, says_for(GOALS), Weight::Stated, note));
                    }
                    (Fact::Person { role: who, part }, _) => {
                        let context = PersonContext {
                            clauses: &clause_ranges,
                            text,
                            asked,
                            sentence,
                            hedged,
                            qualified: clause_partial_mask[cl] & bit(AUTHORITY) != 0,
                        };
                        self.read_person(turn.index, &found, who, *part, &context, &mut concepts);
                    }
                    _ => {}
                }
            }
            let mut names = Vec::new();
            for (c, says, weight, note) in concepts {
                // A hedged figure is not firm: it weighs as much as words do.
                let weight = if hedged && weight == Weight::Specific { Weight::Stated } else { weight };
                let note = if hedged && says == CriterionStatus::Partial {
                    Message::new("call.note.hedged").with_message("note", note)
                } else {
                    note
                };
                names.push(CONCEPTS[c].to_owned());
                self.push(
                    c,
                    says,
                    weight,
                    turn.index,
                    found.start,
                    context,
                    note,
                    Some(found.fact.clone()),
                    Some(role),
                );
            }
            self.located.push(LocatedFact { span, fact: found.fact, hedged, role, concepts: names });
        }
        self.hits = hits;
    }

    /// "We switched to Apollo in January", "we looked at it in 2024", "三月份试过": a date in
    /// the past, or next to a past event, is history. A past marker before the date governs it
    /// in its own clause, or right before it: "we tried one last year, and we need it by
    /// March" keeps March.
    fn is_past(
        &self,
        text: &str,
        found: &crate::facts::FoundFact,
        pasts: &[(usize, usize)],
        sentence_ranges: &[(usize, usize)],
        s: usize,
    ) -> bool {
        let sentence_of = |pos: usize| sentence_index(sentence_ranges, pos).unwrap_or(0);
        let before = pasts.iter().any(|&(a, b)| {
            b <= found.start
                && found.start - b <= 50
                && sentence_of(a) == s
                && (found.start - b <= 12 || !text[b..found.start].contains([',', '，', ';', '；', '、']))
                // "she told us last week that she wants us in four thousand shops by
                // christmas": what was said in the past looks ahead.
                && !FUTURE_BETWEEN.is_match(&text[b..found.start])
        });
        let after = pasts.iter().any(|&(a, _)| {
            a >= found.end
                && a - found.end <= 15
                && sentence_of(a) == s
                && !text[found.end..a].contains([',', '，', '、'])
        });
        let over = match &found.fact {
            Fact::Timeline { resolved, until, .. } => {
                until.or(*resolved).is_some_and(|d| d < self.as_of && self.as_of > NaiveDate::default())
            }
            _ => false,
        };
        // "明年", "next month": a date that can only lie ahead is not made past by a past
        // verb near it ("老板上个月开会讲了 明年开始客退要做到零").
        let ahead = matches!(found.fact, Fact::Timeline { kind: TimelineKind::Relative, resolved: Some(d), .. } if d > self.as_of)
            && ONLY_AHEAD.is_match(&text[found.start..found.end]);
        (before || after || over) && !ahead
    }

    /// Evidence from a person named with a part in the decision. Authority is about this
    /// contact: they decide (`confirmed`), someone else decides or signs (`partial`: the
    /// contact recommends), or they are only named as involved (a hint).
    fn read_person(
        &mut self,
        turn: usize,
        found: &crate::facts::FoundFact,
        who: &str,
        part: RolePart,
        context: &PersonContext<'_>,
        concepts: &mut Vec<(usize, CriterionStatus, Weight, Message)>,
    ) {
        let PersonContext { text, clauses: clause_ranges, asked, sentence, hedged, qualified } = *context;
        let paper = is_paper_role(who);
        let span = Span { turn, start: found.start, end: found.end };
        // The person is the approver of a limit stated in their own clause ("Tom signs anything
        // over 25k", "超过二十万要郑总签字"): what that says of this contact depends on the budget.
        let clause = range_of(clause_ranges, found.start, text.len());
        let next = clause_ranges.iter().find(|(a, _)| *a >= clause.1).map_or(clause.1, |(_, b)| *b);
        let in_threshold = limit_near(text, clause) || limit_near(text, (clause.1, next));
        match part {
            RolePart::Decides | RolePart::Approves => {
                let verb = if part == RolePart::Decides { "decides" } else { "approves" };
                let said = |code: &str| Message::new(code).with("who", who).with("part", verb);
                if who == "self" {
                    if part == RolePart::Decides {
                        // "五千以内我自己就能做主": the contact decides only under a limit.
                        let limited =
                            limit_near(text, clause) && !CONTACT_SIGNS_ABOVE.is_match(&text[sentence.0..sentence.1]);
                        let says = if hedged || qualified || limited {
                            CriterionStatus::Partial
                        } else {
                            CriterionStatus::Confirmed
                        };
                        // Under a limit, the limit weighed against the budget decides
                        // (`weigh_thresholds`), when the call gives both.
                        let weight = if limited { Weight::Stated } else { Weight::Specific };
                        concepts.push((AUTHORITY, says, weight, Message::new("call.note.contact_decides")));
                        if !limited {
                            self.claims.decides.push((span, text[found.start..found.end].to_owned()));
                        }
                    }
                    return;
                }
                if !paper && !in_threshold {
                    // Someone else decides or signs: this contact at most recommends.
                    // About someone else: what it says of this contact is inferred, so it weighs
                    // less than the contact's own "I decide" or "I have no say".
                    // Once the contact has said it is not theirs ("Not me." ... "Who would it
                    // be?" "Gaz."), naming the one who decides only confirms their no say.
                    let note = said("call.note.someone_else_decides");
                    let weight = if self.claims.no_say.is_empty() { Weight::Stated } else { Weight::Hint };
                    concepts.push((AUTHORITY, CriterionStatus::Partial, weight, note));
                    if UNCONDITIONAL.is_match(&text[sentence.0..sentence.1]) {
                        self.claims.others_approve.push((span, text[found.start..found.end].to_owned()));
                    }
                }
                concepts.push((
                    DECISION_PROCESS,
                    CriterionStatus::Confirmed,
                    Weight::Specific,
                    said("call.note.decision_step"),
                ));
            }
            RolePart::Involved => {
                if asked.topics & bit(AUTHORITY) != 0 && !paper {
                    concepts.push((
                        AUTHORITY,
                        CriterionStatus::Partial,
                        Weight::Hint,
                        Message::new("call.note.involved").with("who", who),
                    ));
                }
            }
        }
        if paper {
            concepts.push((
                PAPER_PROCESS,
                CriterionStatus::Confirmed,
                Weight::Specific,
                Message::new("call.note.paperwork").with("who", who),
            ));
        }
    }

    /// Compares approval limits with the budget: "Tom signs anything over 25k" with a $45k
    /// budget means Tom signs (this contact recommends); with a $20k budget it says nothing
    /// against the contact. "I can sign up to 10k" with a $40k budget means someone else does.
    fn weigh_thresholds(&mut self) {
        let budget = self.located.iter().rev().find_map(|f| match (&f.fact, f.role) {
            (Fact::Money { amount, per: None, .. }, FactRole::Budget) => Some(*amount),
            (Fact::Money { amount, per: Some(p), .. }, FactRole::Budget) if p == "year" => Some(*amount),
            (Fact::Money { amount, per: Some(p), .. }, FactRole::Budget) if p == "month" => Some(*amount * 12.0),
            _ => None,
        });
        // With no budget said, the price talked of ("四万八") still says whether the purchase is
        // within what this contact may sign alone.
        let price = self.located.iter().rev().find_map(|f| match (&f.fact, f.role) {
            (Fact::Money { amount, per: None, .. }, FactRole::Price) => Some(*amount),
            _ => None,
        });
        let thresholds = self.thresholds.clone();
        // Where the sentence that states a limit ends: what the contact says after it is a
        // statement of its own, not the limit's wording ("十万以下的我签字就行").
        let turns = &self.transcript.turns;
        let limit_sentence_end = |span: &Span| {
            let text = turns.get(span.turn).map_or("", |t| t.text.as_str());
            sentences(text).into_iter().find(|r| span.start < r.1).map_or(text.len(), |r| r.1)
        };
        for t in thresholds {
            let limit = Fact::Money { amount: t.amount, currency: None, per: None }.message();
            let budget_fact = |b: f64| Fact::Money { amount: b, currency: None, per: None }.message();
            let said = |code: &str| Message::new(code).with_message("limit", limit.clone());
            // "someone" is the approver of a limit when the call named nobody.
            let who = |who: &str| (who != "someone").then(|| who.to_owned());
            let (says, weight, note) = match (t.approver.as_str(), budget) {
                // "anything over five grand needs my signature": the contact decides.
                _ if t.contact_signs_above => {
                    (CriterionStatus::Confirmed, Weight::Specific, said("call.note.limit_self_above"))
                }
                ("self", Some(b)) if b <= t.amount => (
                    CriterionStatus::Confirmed,
                    Weight::Specific,
                    said("call.note.limit_within").with_message("budget", budget_fact(b)),
                ),
                // "单笔五万以内我签字 ... 你们这个按月付，在我这儿就批了": the contact says, after
                // the limit, that this purchase is theirs to approve; that outweighs the sum.
                ("self", Some(_))
                    if self.items.iter().any(|i| {
                        i.concept == AUTHORITY
                            && i.at.0 == t.span.turn
                            && i.at.1 > limit_sentence_end(&t.span)
                            && i.evidence.says == CriterionStatus::Confirmed
                            && i.evidence.weight == Weight::Stated
                    }) =>
                {
                    continue;
                }
                ("self", Some(b)) => (
                    CriterionStatus::Partial,
                    Weight::Specific,
                    said("call.note.limit_over").with_message("budget", budget_fact(b)),
                ),
                ("self", None) if price.is_some_and(|p| p <= t.amount) => (
                    CriterionStatus::Confirmed,
                    Weight::Specific,
                    said("call.note.limit_within").with_message("budget", budget_fact(price.unwrap_or_default())),
                ),
                ("self", None) => (CriterionStatus::Partial, Weight::Stated, said("call.note.limit_own")),
                (approver, Some(b)) if b > t.amount => (
                    CriterionStatus::Partial,
                    Weight::Specific,
                    said("call.note.limit_other_signs")
                        .with_message("budget", budget_fact(b))
                        .with_opt("who", who(approver)),
                ),
                (_, Some(_)) => continue,
                (approver, None) => (
                    CriterionStatus::Partial,
                    Weight::Stated,
                    said("call.note.limit_other").with_opt("who", who(approver)),
                ),
            };
            self.push(
                AUTHORITY,
                says,
                weight,
                t.span.turn,
                t.span.start,
                t.span,
                note,
                None,
                Some(FactRole::Threshold),
            );
        }
    }
}

/// Where a person was named, for reading their part.
#[derive(Clone, Copy)]
struct PersonContext<'a> {
    text: &'a str,
    clauses: &'a [(usize, usize)],
    asked: &'a Asked,
    sentence: (usize, usize),
    hedged: bool,
    /// The clause qualifies the contact's part ("I'd need to run it by...").
    qualified: bool,
}

/// Whether a need denial such as "not a problem" / "不是问题" has its own subject in its
/// clause that is not the situation itself ("budget is not a problem", "十倍不是问题",
/// "integration isn't an issue"): then it says that thing is fine, not that there is no pain.
/// "It's not a problem", "现在没什么问题" stay denials.
fn names_its_subject(text: &str, clause_start: usize, start: usize, end: usize) -> bool {
    let said = &text[start..end];
    if !said.contains("problem") && !said.contains("issue") && !said.contains("问题") {
        return false;
    }
    let before = text.get(clause_start.min(start)..start).unwrap_or("");
    // Money, a figure or a multiple as the subject: the idiom ("十倍不是问题", "price is no issue").
    if BUDGET_WORDS.is_match(before) || before.chars().any(|c| c.is_ascii_digit()) || FIGURE_WORDS.is_match(before) {
        return true;
    }
    if has_han(before) || has_han(said) {
        return names_a_chinese_subject(before);
    }
    const GENERAL: &[&str] = &[
        "it",
        "it's",
        "its",
        "that",
        "that's",
        "this",
        "which",
        "honestly",
        "really",
        "so",
        "well",
        "and",
        "but",
        "um",
        "uh",
        "oh",
        "yeah",
        "no",
        "is",
        "s",
        "i",
        "mean",
        "think",
        "guess",
        "just",
        "actually",
        "look",
        "to",
        "be",
        "fair",
        "know",
        "you",
        "the",
        "frankly",
        "isn't",
        "isn",
        "t",
        "there",
        "there's",
        "things",
        "everything",
        "anything",
        "nothing",
        "process",
        "our",
        "current",
        "setup",
        "system",
        "right",
        "now",
        "today",
        "currently",
        "for",
        "us",
        "we",
        "at",
        "moment",
        "really",
        "not",
        "a",
        "any",
        "of",
    ];
    before
        .split(|c: char| !c.is_alphanumeric() && c != '\'')
        .filter(|w| !w.is_empty())
        .any(|w| !GENERAL.contains(&w.to_ascii_lowercase().as_str()))
}

/// The Chinese side of [`names_its_subject`]: "人手不是问题" names staffing as what is fine;
/// "这不是问题", "现在其实也不是什么问题" only point at the situation. What is left of the
/// clause once pronouns, time words and fillers are taken away is the subject.
fn names_a_chinese_subject(before: &str) -> bool {
    const GENERAL: &[&str] = &[
        "说实话",
        "其实",
        "现在",
        "目前",
        "我们这边",
        "我们",
        "我觉得",
        "我看",
        "感觉",
        "应该",
        "这个",
        "那个",
        "这块",
        "这些",
        "那些",
        "这",
        "那",
        "倒",
        "也",
        "都",
        "还",
        "就",
        "真",
        "确实",
        "本来",
        "基本上",
        "基本",
        "反正",
        "嗯",
        "啊",
        "哦",
        "呃",
        "吧",
        "是",
        "了",
        "的",
        "但",
        "可",
        "而且",
        "所以",
        "不过",
        "就是",
        "好像",
        "暂时",
        "一直",
        "其他",
        "别的",
    ];
    let mut rest: String = before.chars().filter(|c| crate::facts::has_han(&c.to_string())).collect();
    // Longest first, so "这个" goes before "这".
    let mut general: Vec<&str> = GENERAL.to_vec();
    general.sort_by_key(|w| std::cmp::Reverse(w.chars().count()));
    for w in general {
        rest = rest.replace(w, "");
    }
    !rest.is_empty()
}

/// Whether a sentence states an approval limit ("over 25k", "超过二十万").
fn limit_near(text: &str, sentence: (usize, usize)) -> bool {
    LIMIT_WORDS.is_match(text.get(sentence.0..sentence.1).unwrap_or(""))
}

/// Whether an answer to "why not before?" gives a reason rather than a flat no.
fn gives_a_reason(text: &str) -> bool {
    let stripped = FLAT_NO.replace(text.trim(), "");
    crate::transcript::word_count(&stripped) >= 6 && REASON.is_match(&stripped)
}

fn built_in(pattern: &str) -> Regex {
    #[allow(clippy::expect_used)]
    crate::lexicon::compile(pattern).expect("built-in pattern")
}

/// The kinds of question, matched in one pass: approval, decider, who, why-not-before,
/// budget, impact, need check, own part, availability, season.
static QUESTION_KIND_PATTERNS: std::sync::LazyLock<[&'static Regex; 10]> = std::sync::LazyLock::new(|| {
    [
        &*APPROVAL_QUESTION,
        &*DECIDER_QUESTION,
        &*WHO_QUESTION,
        &*WHY_NOT_BEFORE,
        &*BUDGET_QUESTION,
        &*IMPACT_QUESTION,
        &*NEED_CHECK_QUESTION,
        &*OWN_PART_QUESTION,
        &*AVAILABILITY_QUESTION,
        &*SEASON_QUESTION,
    ]
});

/// A prefilter over [`QUESTION_KIND_PATTERNS`] (see [`crate::lexicon::prefilter_set`]).
static QUESTION_KINDS: std::sync::LazyLock<Option<RegexSet>> =
    std::sync::LazyLock::new(|| crate::lexicon::prefilter_set(QUESTION_KIND_PATTERNS.iter().map(|r| r.as_str())));

/// A question that offers options: "..., or would it be a case of finding it", "还是".
static EITHER_OR: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    built_in(
        r"(?i)(?-u:\b)or\s+(?:would|will|is|are|do|does|did|have|has|could|should|it['’]s|you['’]d|is\s+it)(?-u:\b)|还是",
    )
});
/// The shape of a question asked without a question mark: an auxiliary before "there",
/// "anything" or a pronoun, or a question word ("is there anything set aside", "who else").
static UNMARKED_QUESTION: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    built_in(
        r"(?i)(?-u:\b)(?:(?:is|are|was|were|do|does|did|have|has|had|would|could|can|will)\s+(?:there|you|anything|anyone|anybody|it|that|he|she|they|we|your)|what|who|how|when|where|which|why)(?-u:\b)|吗|什么|谁|多少|哪|怎么|几",
    )
});
/// "我们店哪有会员啊", "哪来的客服", "我们其实基本不返工的": a thing said not to exist at all
/// (`n`, its name).
static ZH_NONE_OF: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    built_in(
        r"(?:哪(?:有|来的?)(?:什么|啥)?|(?:基本|根本|压根|从来)(?:就|都|也)?(?:不|没有?))(?P<n>\p{Han}{2,3}?)(?:的|啊|呀|嘛|哦|呢|哇|[，,。！？!?\s]|$)",
    )
});
/// Names after 哪有 that say "no time" or "no money", not that a counted thing is missing.
static ZH_NOT_COUNTED: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    built_in(r"^(?:钱|闲钱|时间|空|功夫|工夫|预算|那么|这么|人手|心思|精力|机会|必要|问题|办法)")
});
/// Relative dates that only ever lie ahead of the call.
static ONLY_AHEAD: std::sync::LazyLock<Regex> =
    std::sync::LazyLock::new(|| built_in(r"(?i)^(?:明年|后年|下个?月|下周|下礼拜|下星期|下个?季度|下半年|next\s)"));
/// Words between a past marker and a date that make the date one looked forward to, said in
/// the past ("last week she said she wants it by Christmas").
static FUTURE_BETWEEN: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    built_in(r"(?i)(?-u:\b)(?:wants?|will|going\s+to|gonna|plans?|hopes?|needs?|expects?|aims?|reckons)(?-u:\b)")
});

/// Being busy: in an answer about a season, the season, not a pain (and no pain said again
/// after a denial).
static BUSY: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    built_in(
        r"(?i)(?-u:\b)(?:flat\s+out|swamped|rushed\s+off|run\s+off\s+our\s+feet|busy|slammed|overwhelmed)(?-u:\b)|忙|爆满|连轴转|顾不过来",
    )
});
/// Not doing it at all, said of a period: "明年也不打算弄这个" (asked about money, still a no to
/// buying, unlike "明年再看吧").
static WONT_DO_IT: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    built_in(
        r"(?i)不(?:会|打算|准备|想)(?:弄|搞|上|买|做|换|考虑)|(?-u:\b)(?:won['’]t|not\s+going\s+to|no\s+plans?\s+to)\s+(?:buy|do|get|look\s+at)(?-u:\b)",
    )
});
/// A timeline "no" that opens with the period it puts off: "明年再看", "next year maybe".
static PERIOD_PUT_OFF: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    built_in(r"(?i)^(?:明年|今年|后年|下半年|上半年|年后|next\s+year|this\s+year|the\s+new\s+year)")
});
/// A meeting said before its date: "I'm seeing the bursars on", "the owners meet on", "we
/// have a one-to-one with her on".
static MEETING_BEFORE: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    built_in(
        r"(?i)(?-u:\b)(?:i['’]m\s+seeing|we['’]re\s+seeing|i\s+see\s+(?:her|him|them)|meet(?:s|ing)?|catch(?:ing)?\s+up\s+with|sitting\s+down\s+with|(?:a|our|my)\s+(?:meeting|one-to-one|catch-up|quarterly|review)\s+with)(?-u:\b)[^.?!]{0,60}$",
    )
});
/// A follow-up that only names another period: "And next year?", "What about the spring?",
/// "那明年呢？", "下半年呢？".
static ANOTHER_PERIOD: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    built_in(
        r"(?i)^(?:and|so|what\s+about|how\s+about)\s+(?:(?:next|this|the\s+new|the\s+next)\s+(?:year|quarter|month|financial\s+year|fiscal\s+year|season)|the\s+(?:spring|summer|autumn|fall|winter|new\s+year)|after\s+(?:christmas|new\s+year|the\s+holidays))\s*[?？.]?$|^(?:那|那么)?(?:明年|今年|后年|下半年|上半年|年后|开春|开年|过完年|下个?月|下个?季度|到时候)(?:呢|怎么样|咋样)[？?]?$",
    )
});
/// "What stopped you fixing it?", "Have you tried to fix this before?", "How long has it been
/// like that?", "How come it's stayed like that?", "之前为什么没解决？", "有没有试过别的办法？",
/// "之前有考虑过上系统吗？": asks why the pain is still there.
static WHY_NOT_BEFORE: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    built_in(
        r"(?i)(?-u:\b)(?:how\s+come|why\s+(?:hasn['’]t|haven['’]t|didn['’]t|not|wasn['’]t|weren['’]t|has\s+it\s+not|is\s+it\s+still)|what\s+(?:has\s+|have\s+|'s\s+)?(?:stopped|kept|held|prevented|got\s+in\s+the\s+way|gets\s+in\s+the\s+way)|(?:tried|attempted|had\s+a\s+go|looked|gone)\s+(?:to\s+|at\s+|about\s+)?(?:fix|solv|tackl|address|deal|chang|sort)|(?:tried|attempted)\s+(?:anything|something|other)|had\s+a\s+(?:go|crack|stab)\s+at\s+(?:[\w'’-]+\s+){0,5}?before|(?:tried|attempted)\s+[a-z]+ing\s+(?:[a-z]+\s+){0,5}?before|(?:fix|solve|tackle|address|sort)\w*\s+(?:it|this|that)\s+(?:before|so\s+far|yet|already)|how\s+long\s+has\s+(?:it|this|that)\s+been|(?:come|came)\s+up\s+before|(?:considered|discussed|talked\s+about|thought\s+about|looked\s+(?:at|into))\s+(?:\w+\s+){0,3}?before(?-u:\b)|what\s+have\s+you\s+(?:tried|done)|how\s+have\s+you\s+(?:tried|been\s+(?:handling|dealing))|before\s+now)|之前(?:为什么|怎么|有没有|是否)|咋(?:没|不)|怎么没(?:早点?)?(?:换|弄|解决|处理|上)|(?:之前|以前).{0,8}(?:想过|试过|弄过|做过|考虑过|解决|处理|牵头)|(?:之前|以前)(?:就|也)?没(?:考虑|想|试)|为什么(?:一直)?(?:没|不)|怎么一直没|(?:有没有|是否|有无)(?:试过|想过|尝试|考虑过)|试过(?:别的|其他)|持续(?:多久|多长时间)|持续(?:挺|很|蛮|好|有)?(?:长|久)(?:时间|一段时间)?了|多久了|以前(?:有没有|为什么|怎么)",
    )
});
/// A question about money to spend (not a vendor's price).
static BUDGET_QUESTION: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    built_in(
        r"(?i)(?-u:\b)(?:budget\w*|spend\w*|invest\w*|afford|set\s+aside|earmark\w*|money|funding|funds|a\s+number\s+against|figure\s+in\s+mind|put\s+(?:aside|by)|(?:a\s+)?figure\s+(?:you['’]re|you\s+are)\s+working|(?:what|how\s+much)\s+(?:are\s+you|you['’]re)\s+working\s+with|how\s+much\s+(?:would|could|can|do|are)\s+you|how\s+much\s+are\s+we\s+talking|underspend|(?:get|be|gets)\s+paid\s+for|pay\s+for\s+(?:it|this|something))(?-u:\b)|预算|投入|花多少|能花|多少钱|费用|经费|资金|钱这块|投(?:点|些)?钱|投(?:一)?(?:点|些)|掏钱|出钱|花钱|留(?:点|些|了|一点)?钱|额度",
    )
});
/// An answer to "what does it cost you?" that plays the cost down: "没算过 不多 就几回",
/// "not much really".
static PLAYS_DOWN: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    built_in(
        r"(?i)^\W*(?:(?:um|uh|well|honestly|嗯|呃)\W+)?(?:没算过|不多|没多少|不算多|还好|就几回|也就几|not\s+(?:much|a\s+lot|many|really)|hardly|barely|no\s+idea|dunno)",
    )
});
/// A question about what the problem costs or changes.
static IMPACT_QUESTION: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    built_in(
        r"(?i)(?-u:\b)(?:what\s+does\s+(?:that|this|it)\s+(?:end\s+up\s+|actually\s+|really\s+)?(?:cost|costing|mean)|what['’]?s\s+(?:that|this|it)\s+costing|how\s+much\s+(?:is|does)\s+(?:that|this|it)\s+(?:cost|costing)|what['’]s\s+the\s+(?:impact|cost|effect)|what\s+(?:impact|effect)|how\s+(?:does|is)\s+(?:that|this|it)\s+(?:hurting|affecting|hitting)|what\s+happens\s+(?:when|if)|what\s+happens\s*(?:then\s*)?(?:[?]|$)|what\s+(?:a|an|the|each|one|every)\s+[a-z-]+(?:\s+[a-z-]+)?\s+(?:actually\s+|really\s+)?costs?\s+(?:you|the\s+business)|in\s+practice)(?-u:\b)|什么影响|影响(?:大吗|多大|是什么)|意味着什么|损失(?:有)?多少|亏(?:了)?多少|(?:有|带来|造成|会有)什么(?:样的)?后果|代价",
    )
});
/// A question on how the current way works.
static NEED_CHECK_QUESTION: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    built_in(
        r"(?i)(?-u:\b)(?:how['’]?s\s+(?:that|it|this)\s+(?:working|going|holding\s+up)|how\s+(?:is|are|well\s+does|well\s+do)\s+(?:that|it|this|they)\s+(?:working|going|holding|work)|does\s+(?:that|it)\s+work\s+for\s+you|is\s+(?:that|it)\s+working|happy\s+with)(?-u:\b)|用得怎么样|效果怎么样|还好用吗|顺不顺|好用吗|满意吗|(?:哪块|哪里|哪方面|什么地方|有没有)\p{Han}{0,6}?(?:费劲|头疼|闹心|麻烦|不顺|难受)",
    )
});
/// Someone's absence up to a date: "she's away till", "he's on leave until", "出差到".
static AWAY_UNTIL: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    built_in(
        r"(?i)(?-u:\b)(?:away|off|on\s+(?:leave|holiday|vacation|holidays)|out\s+of\s+(?:the\s+)?office|travell?ing|abroad)\s+(?:\w+\s+){0,2}?(?:(?:till|until|til|through)\s+(?:the\s+)?)?$|(?:he|she|they)(?:['’]?s|\s+is|['’]?re|\s+are)\s+in\s+[A-Z]\w+\s+(?:(?:till|until|til)\s+(?:the\s+)?)?$|(?-u:\b)(?:season|busy|flat\s+out|snowed\s+under)\s+(?:\w+\s+){0,2}?(?:till|until|til|through)\s+(?:the\s+)?$|(?:出差|休假|不在|出国)(?:到|要到)$",
    )
});
/// The end of a contract already signed, said before its date: "the lease runs till", "our
/// contract with them expires in", "合同签到".
static CONTRACT_ENDS_BEFORE: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    built_in(
        r"(?i)(?-u:\b)(?:contract|lease|licen[cs]e|subscription|agreement)\s+(?:\w+\s+){0,4}?(?:ends|expires|runs\s+out|runs(?:\s+(?:till|until|to))?|is\s+up|renews)\s+(?:in|on|at|till|until|around)?\s*(?:the\s+)?$|合同\p{Han}{0,6}?(?:签到|到)$|(?:^|[，,\s]|租约|租期|合约|楼)签到$",
    )
});
/// The same said after its date: "明年六月到期", "March 2028, when it expires".
static CONTRACT_ENDS_AFTER: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    built_in(
        r"(?i)^\s*(?:才|就|正好)?(?:到期|期满)|^[\s,]*(?:when|that['’]?s\s+when)\s+(?:it|the\s+\w+)\s+(?:ends|expires|runs\s+out)",
    )
});
/// A date turned down, said right after it: "下周不行，忙", "Tuesday's no good", "next week
/// doesn't work": a diary, not a plan.
static DATE_DECLINED: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    built_in(
        r"(?i)^\s*(?:(?:is|['’]s)\s+(?:no\s+good|bad|out|tricky|difficult)|(?:doesn['’]?t|does\s+not|won['’]?t)\s+work)(?-u:\b)|^\s*(?:不行|不方便|不太方便|没空|没时间|不合适|够呛|排不开)|^\s*\p{Han}{0,4}?(?:肯定|是|就|先|都)?(?:不(?:弄|搞|上|做|买|考虑|换)(?:了|[，。,.！!\s]|$)|(?:弄|搞|上|做)不了|顾不上|顾不过来)|^\s*(?:肯定|已经|是|都)?(?:来不及|赶不上)",
    )
});
/// Money said and then said to be spoken for: "but it's all going on the port and salaries",
/// "全都压在车上了".
static SPOKEN_FOR: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    built_in(
        r"(?i)^[^.;!?]{0,40}?(?-u:\b)(?:but|and)\s+(?:it['’]?s|that['’]?s|it\s+is|that\s+is)\s+(?:all\s+)?(?:going|gone|spoken\s+for|tied\s+up|committed|earmarked|spent)(?-u:\b)|^[，,\s]?[^，。；！？]{0,12}?(?:都|全|全都)(?:花|投|压|砸)(?:在|到|了)",
    )
});
/// A rep question about a date in particular: "is there a date you're working towards?",
/// "any hard deadline?".
static DATE_ASKED: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    built_in(
        r"(?i)(?-u:\b)(?:(?:a|any|specific|particular|firm|hard|set)\s+(?:date|deadline)|date\s+you['’]?re\s+working)(?-u:\b)|具体(?:的)?(?:日子|日期|时间点)|(?:有没有|有)(?:个)?(?:截止|死线|deadline)",
    )
});
/// How late it already is: "都年底了", "已经腊月了", "it's already December": the present, not
/// a date anything is planned for.
static ALREADY_BEFORE: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    built_in(
        r"(?i)(?:都|都快|已经|已经快|眼看就?|马上就)\s*$|(?-u:\b)(?:it['’]?s|we['’]re|we\s+are)\s+already\s+(?:in\s+)?$",
    )
});
/// The end of the year said as a clause of its own with 了: "不急不急 年底了": how late it is now.
static YEAR_END_NOW: std::sync::LazyLock<Regex> =
    std::sync::LazyLock::new(|| built_in(r"^(?:年底|年末|年关|岁末|腊月|月底)$"));
static CLAUSE_START: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| built_in(r"(?:^|[\s，,。；;！!：:])$"));
static ALREADY_AFTER: std::sync::LazyLock<Regex> =
    std::sync::LazyLock::new(|| built_in(r"(?i)^(?:了|啦)|^\s*(?:already|now)?\s*(?:[,.;!]|$)"));
/// Words that tie a buying date to a contract's end: "so we need it by then", "到期前得换".
/// "so i can't see anything changing before then": the end of the contract is the earliest,
/// not a deadline.
static NOTHING_BEFORE_THEN: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    built_in(
        r"(?i)(?-u:\b)(?:can['’]?t\s+see|won['’]?t|not|nothing|no)(?-u:\b)[^.?!]{0,40}(?-u:\b)before\s+(?:then|that)(?-u:\b)",
    )
});
static NEEDED_BY_THEN: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    built_in(
        r"(?i)(?-u:\b)(?:need|want|must|has\s+to|have\s+to|got\s+to|before\s+(?:then|that|it)|by\s+then|switch|replace)(?-u:\b)|要|得|必须|之前|以前|换掉|换成",
    )
});
/// A question about a season of the year.
static SEASON_QUESTION: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    built_in(
        r"(?i)(?-u:\b)(?:time\s+of\s+(?:the\s+)?year|seasons?|seasonal|busiest|busy\s+(?:period|time|months?|spell|season)|peak|quiet(?:est)?\s+(?:period|time|months?|spell)|slow\s+(?:period|season|months?))(?-u:\b)|(?-u:\b)(?:usually|normally|typically|generally)\s+(?:start|begin|open|close|move|run|happen|kick\s+off)|旺季|淡季|最忙|高峰|忙季|一年(?:里|中|当中)(?:哪|什么时候)|(?:一般|通常|平时|往年)(?:都|是)?(?:什么时候|几月|哪个月)",
    )
});
/// A window of time said before "等……再看看": "明年上半年吧，等展会完了再看看" gives the window
/// (vague) and what it waits for, not "no plan".
static WINDOW_BEFORE: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    built_in(r"(?:明年|后年|今年|下半年|上半年|年底|年初|年后|开春|[0-9一二三四五六七八九十]+月|季度)")
});
/// A meeting, demo or call as the subject of a sentence.
static MEETING_WORDS: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    built_in(
        r"(?i)(?-u:\b)(?:demo|demonstration|meeting|call|catch-?up|walk-?through|presentation)s?(?-u:\b)|演示|见面|开会|会议|电话|拜访|讲解",
    )
});
/// A purchase named before money said gone: "we just bought the new van ... thats".
static BOUGHT_SOMETHING: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    built_in(r"(?i)(?-u:\b)(?:bought|spent\s+\w+\s+on|paid\s+for|forked\s+out\s+for|splashed\s+out\s+on)(?-u:\b)")
});
/// Papers sent to read: "你把资料发我".
static PAPERS: std::sync::LazyLock<Regex> =
    std::sync::LazyLock::new(|| built_in(r"资料|材料|方案|报价|合同|介绍|案例|样本|(?i:ppt|brochure)"));
/// Waiting for the one who decides to look or agree: "等我老婆看了再说", "等王总点头再说".
static AWAITS_PERSON: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    built_in(
        r"^等(?:我|我们|我们家|我家)?(?:老婆|老公|爱人|媳妇|家里|合伙人|股东|老板|老板娘|领导|上面|\p{Han}总|\p{Han}董|他|她|他们)\p{Han}{0,2}?(?:看了|看过|看完|点头|同意|拍板|签字|商量)",
    )
});
/// This year's money named in a clause: "nothing left in this year's pot", "今年的钱花完了".
static THIS_YEARS_MONEY: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    built_in(r"(?i)(?-u:\b)this\s+(?:year|year['’]s|financial\s+year|fiscal\s+year)(?-u:\b)|今年")
});
/// A question about whether a person is around or free to talk.
static AVAILABILITY_QUESTION: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    built_in(
        r"(?i)(?-u:\b)(?:(?:is|are|will|would)\s+(?:he|she|they|\w+)\s+(?:be\s+)?(?:around|about|in\s+the\s+office|available|free|back)|(?:grab|get|book|have)\s+(?:\w+\s+){0,2}(?:minutes|time|a\s+(?:call|chat|word))\s+with\s+(?:him|her|them|\w+)|(?:catch|reach|get\s+hold\s+of)\s+(?:him|her|them)|when\s+(?:is|will)\s+(?:he|she|they)\s+(?:be\s+)?(?:free|back|around|available))(?-u:\b)|(?:他|她|老板|\p{Han}总)(?:这段时间|最近|什么时候)?(?:在不在|有没有空|有空吗|方便吗|有时间吗|啥时候有空|什么时候有空)",
    )
});
/// "It's fine.", "还行。": the whole answer says the current way is fine.
static FINE_ANSWER: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    built_in(
        r"(?i)^\W*(?:(?:honestly|yeah|well|oh)[\s,]+)*(?:(?:it['’]s|that['’]s|it\s+is|things\s+are|all|we['’]re)\s+)?(?:fine|ok|okay|good|alright|all\s+right|great)(?-u:\b)|^\W*(?:(?:说实话|老实说|其实|讲真|实话说)[，,\s]*)?(?:还真|真|还|都)?(?:还行|挺好|还好|没问题|可以|挺顺的)",
    )
});
/// A question about the contact's own part in the decision.
static OWN_PART_QUESTION: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    built_in(
        r"(?i)(?-u:\b)(?:(?:would|will|are|do|could)\s+you\s+(?:be\s+)?(?:involved|part\s+of|the\s+one|deciding|making\s+the\s+call|in\s+charge|responsible)|is\s+(?:it|that)\s+(?:you|your\s+call|your\s+decision)|(?:would|will|is)\s+(?:[\w'’]+\s+){0,2}?(?:be\s+)?(?:down\s+to|up\s+to)\s+you|(?:would|will|do|did|could)\s+you\s+(?:have|get)\s+(?:a|any|much|some)\s+(?:say|input|vote)|(?:do|would)\s+they\s+(?:ask|consult)\s+you)(?-u:\b)|(?:您|你)(?:这边|自己)(?:来)?(?:定|拍板|决定)(?:吗|么)|您来(?:负责|定|拍板)|你来(?:负责|定|拍板)|是您(?:定|负责|拍板)|您参与|(?:你|您)(?:这边)?有(?:没有)?(?:发言权|决定权|话语权)|(?:你|您)能(?:做主|拍板)吗|会(?:问|征求)(?:你|您)(?:的意见)?吗",
    )
});
/// A figure said bare, perhaps as a rate: "Couple hundred a month maybe", "about 500".
static BARE_AMOUNT: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    built_in(
        r"(?i)(?-u:\b)(?P<num>\d[\d,]*|(?:a\s+)?couple\s+(?:of\s+)?hundred|(?:a\s+)?few\s+hundred|(?:one|two|three|four|five|six|seven|eight|nine|a)\s+hundred|(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[- ](?:one|two|three|four|five|six|seven|eight|nine))?)(?-u:\b)(?:\s+(?P<per>a\s+month|per\s+month|a\s+year|per\s+year|monthly|annually))?",
    )
});
/// A first name (and surname) said as a whole sentence: "Linda.", "Helen Park."
static NAME_ANSWER: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    built_in(
        r"^\W*(?:(?:oh|well|um|uh|that['’]d\s+be|that\s+would\s+be|probably|mostly)[\s,]+)*(?P<name>[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?)[\s.!,]*$",
    )
});
/// The contact signs everything above a limit: "anything over five grand needs my
/// signature", "above 10k it comes to me", "超过五千的都得我签字".
static CONTACT_SIGNS_ABOVE: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    built_in(
        r"(?i)(?-u:\b)(?:over|above|more\s+than|bigger\s+than)(?-u:\b).{0,40}?(?-u:\b)(?:(?:needs?|requires?|gets?|takes?|has\s+to\s+have)\s+my\s+(?:signature|sign-?off|approval|say-?so|ok|okay)|(?:comes?|goes?)\s+(?:to|through|past)\s+me|i\s+(?:sign|approve)(?:\s+it|\s+them|\s+off)?)(?-u:\b)|(?:超过|超出|以上).{0,12}(?:都得|都要|得|要)?我(?:来|自己)?(?:签字|签|批|审批)",
    )
});
/// A role said first in a Chinese answer: "那肯定是我爸咯", "还得是老板", "主要是店长".
static ZH_ROLE_ANSWER: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    built_in(&format!(
        r"^[\s，,]*(?:嗯|哦|那|这个|这)?[\s，,]*(?:肯定|当然|应该|主要|最后|还得|还是|得|要)?(?:是)?(?P<role>{})(?:咯|吧|啊|呀|呗|嘛|了)?(?:[，,。！!]|$)",
        crate::facts::ZH_ROLE
    ))
});
/// The contact deciding alone under a limit said in the same clause: "五万以内的开支我自己就能定",
/// "五千以内我自己就能做主".
static ZH_SELF_WITHIN: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    built_in(r"(?:以内|以下|之内|之下)\p{Han}{0,6}?我(?:自己)?(?:就)?(?:能|可以)?(?:定|做主|签|批|拍板|说了算)")
});
/// The contact deciding alone under a limit: "anything under five grand I can sign myself",
/// "up to 10k it's my call".
static EN_SELF_WITHIN: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    built_in(
        r"(?i)(?-u:\b)(?:under|below|up\s+to|less\s+than)\s+\S+(?:\s+\S+){0,3}?\s+(?:i\s+can|i\s+could|it['’]?s\s+my\s+call|i\s+decide|i\s+sign)|(?-u:\b)i\s+(?:can|could)\s+(?:sign|approve|spend)\s+(?:off\s+)?(?:anything\s+)?(?:up\s+to|under|below)(?-u:\b)",
    )
});
/// Someone else signs above a limit: "五千到三万要邓总签字", "over that it goes to Dawn".
static OTHER_SIGNS_ABOVE: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    built_in(
        r"(?i)(?:以上|超过|超出|到)\p{Han}{0,8}?(?:要|得|需要)[^我，,。]{1,5}(?:签字|签|批|点头|同意|拍板)|(?-u:\b)(?:over|above|more\s+than)\s+(?:that|\S+)\s+(?:it\s+)?(?:goes\s+to|needs|has\s+to\s+go\s+to)\s+(?:the\s+)?(?-u:\b)(?:[a-z]+)(?-u:\b)",
    )
});
/// Roles that name one person: a family tie or a surname with 总 (not 老总, "the boss").
static ZH_NAMED_ROLE: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    built_in(r"^(?:[^老\s]总|我爸|我妈|老爸|老妈|爸爸|妈妈|父亲|母亲|老爷子|老婆|媳妇|爱人|老公)$")
});
/// A name and a role said as a whole sentence: "Gail, the owner.", "Probably Tom, our
/// manager."
static NAMED_ROLE_ANSWER: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    built_in(
        r"^\W*(?:(?:oh|well|um|uh|that['’]d\s+be|that\s+would\s+be|probably|mostly)[\s,]+)*[A-Z][a-z]+,?\s+(?:the|our|my)\s+[a-z]+(?:\s+[a-z]+)?[\s.!,]*$",
    )
});
/// Capitalised one-word answers that are not names.
const NOT_A_NAME: &[&str] = &[
    "Yes",
    "No",
    "Yeah",
    "Yep",
    "Nope",
    "Sure",
    "Maybe",
    "Okay",
    "Ok",
    "Right",
    "Thanks",
    "Nothing",
    "None",
    "Nobody",
    "Dunno",
    "Unknown",
    "Me",
    "Mine",
    "Myself",
    "Us",
    "We",
    "Them",
    "They",
    "Both",
    "Everyone",
    "Everybody",
    "Someone",
    "Somebody",
    "Management",
    "Leadership",
    "Finance",
    "Procurement",
    "Legal",
    "Sales",
    "Marketing",
    "It",
    "Depends",
    "Correct",
    "Exactly",
    "Absolutely",
    "Definitely",
    "Probably",
    "Possibly",
    "Hmm",
    "Um",
    "Uh",
    "Good",
    "Fine",
    "Great",
    "Cool",
    "Perfect",
    "Really",
    "Honestly",
    "Whoever",
    "Anyone",
    "Anybody",
    "Nah",
    "Not",
    "Never",
    "Always",
    "Upstairs",
];
/// A yes/no question, cheaply: an auxiliary first, or a Chinese yes/no form.
static CLOSED_QUESTION: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    built_in(
        r"(?i)^(?:(?:so|and|okay|ok|great|right|now|fair\s+enough|got\s+it|sure|cool|alright|perfect|understood|makes\s+sense|thanks|yeah|yes|then)[,.\s]+)*(?:do|does|did|is|are|was|were|have|has|can|could|would|will|should|any(?:thing|one|body)?)(?-u:\b)|(?:吗|有没有|是不是|能不能|会不会|要不要)",
    )
});
/// A no that opens an answer and then goes on: "I wouldn't say so.", "Not really, we...",
/// "基本没有。"
static NO_LEAD: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    built_in(
        r"(?i)^\W*(?:(?:honestly|well|oh|um|uh|me\?)[\s,]+)*(?:no|nope|nah|not\s+really|not\s+at\s+all|not\s+much|not\s+a\s+chance|no\s+chance|no\s+way|(?:i\s+)?doubt\s+it|probably\s+not|wouldn['’]t\s+bother|can['’]t\s+see\s+it|hardly|rarely|i\s+wouldn['’]t\s+say\s+so|i\s+don['’]t\s+think\s+so|not\s+that\s+i\s+know\s+of)(?-u:\b)|^\W*(?:没有|没|很少|基本没有|不会|不用|没啥|谈不上|莫得|冇)",
    )
});
/// A result wanted by a date, said just before it: "they want to see the numbers better by",
/// "she needs to see bookings up before".
static RESULT_WANTED_BY: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    built_in(
        r"(?i)(?-u:\b)(?:want|wants|wanted|need|needs|expect|expects)\s+to\s+see\s+(?:[\w'’]+\s+){1,5}?(?:better|improved|up|down|fuller|higher|lower|sorted|fixed|turned\s+around)(?:\s+(?:by|before)(?:\s+the)?)?\s*$",
    )
});
/// "Not me.", "不是我": the contact says it is not their decision.
static NOT_ME: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    built_in(
        r"(?i)^\W*(?:(?:no|oh|well|honestly|ha)[\s,]+)*(?:[a-z'’]+[\s,.]+){0,3}(?:not\s+me|not\s+really\s+me|that['’]s\s+not\s+me|definitely\s+not\s+me|not\s+mine)(?-u:\b)|^\W*(?:不是我|我不是|不归我|这个不归我)",
    )
});
/// Someone else named by a pronoun has the last word: "he'd have the final say on anything
/// like this", "she has the last word", "if she says no it's a no".
static FINAL_SAY_ELSEWHERE: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    built_in(
        r"(?i)(?-u:\b)(?:he|she|they)(?:(?:['’]d|\s+would|\s+will|['’]ll)\s+have|\s+has|\s+have|['’]s)\s+(?:got\s+|always\s+got\s+)?(?:the\s+)?(?:final\s+(?:say|word)|last\s+word)(?-u:\b)|(?-u:\b)if\s+(?:he|she|they)\s+says?\s+no,?\s+(?:it['’]?s|that['’]?s)\s+a\s+no(?-u:\b)",
    )
});
/// A hurry promised on a condition: "你能让我下个月成交翻五倍，我马上跟你签", "if you can get
/// us there by March, I'll sign today".
static CONDITIONAL_HURRY: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    built_in(
        r"^\W*(?:如果|要是|只要|你(?:要)?能|能让我)[^。！？!?]*[，,]\s*(?:那)?(?:我|我们)(?:就)?(?:马上|立刻|当场|立马)|(?:做得到|能做到|办得到|做到了|办到了)(?:的话)?[，,\s]*(?:那)?(?:我|我们)(?:就)?(?:马上|立刻|当场|立马)|(?i)^\W*(?:if|as\s+long\s+as)\s[^.?!]*,\s*(?:then\s+)?(?:i['’]ll|we['’]ll|i\s+will|we\s+will)\s+(?:sign|buy|go\s+ahead|order)\b[^.?!]*(?:today|tomorrow|right\s+away|straight\s+away|now|on\s+the\s+spot)",
    )
});
/// A figure said as its floor: "sixty odd", "forty-plus", "over 20k", "八百多", "一万出头".
static AT_LEAST: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    built_in(r"(?i)(?-u:\b)(?:odd|plus|over|more\s+than|upwards\s+of|at\s+least)(?-u:\b)|\d\+|多|余|出头")
});
/// What a business looks after, said right before its count: "we look after", "we manage".
static WE_RUN_BEFORE: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    built_in(
        r"(?i)(?-u:\b)(?:we|i)\s+(?:look\s+after|manage|run|operate|service|let|maintain)\s+(?:about\s+|around\s+|roughly\s+|like\s+|um\s+|uh\s+)?$",
    )
});
/// A count held on the firm's books: "... cottages on our books", "... clients on the books".
static ON_OUR_BOOKS_AFTER: std::sync::LazyLock<Regex> =
    std::sync::LazyLock::new(|| built_in(r"(?i)^\s+on\s+(?:our|the)\s+(?:books|list|register)(?-u:\b)"));
/// An answer that opens with the part done first: "先滨江，新楼好装。".
static PART_FIRST: std::sync::LazyLock<Regex> =
    std::sync::LazyLock::new(|| built_in(r"^\W*先(?:做|上|弄|搞|装|换)?\p{Han}{1,6}[，,。！!\s]"));
/// The rest named before what it waits for: "老项目" in "老项目等滨江跑顺了再说" (not "其实也").
static REST_NAMED: std::sync::LazyLock<Regex> =
    std::sync::LazyLock::new(|| built_in(r"^\W*[^其不但可也就还\W]\p{Han}{1,5}$"));
/// A plan put off: "no rush really", "let's hold off", "其实也不用那么赶", "等新店开了再上".
static POSTPONED: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    built_in(
        r"(?i)(?-u:\b)(?:no\s+(?:real\s+)?rush|not\s+in\s+a\s+(?:big\s+)?hurry|hold\s+off|push\s+(?:it|that|this)\s+back|put\s+(?:it|that|this)\s+off|leave\s+it\s+(?:until|till))(?-u:\b)|不用(?:那么|这么)?(?:赶|急)|不着急|往后推|推到|缓一缓|先放一放",
    )
});
/// A question about when someone is back: "When's she back?", "When does Tom get back from
/// leave?", "老板什么时候回来？".
static RETURN_QUESTION: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    built_in(
        r"(?i)(?-u:\b)when(?:['’]s|\s+is|\s+will|\s+does|\s+do|['’]ll)\s+(?:she|he|they|(?-i:[A-Z])[a-z]+|your\s+\w+|the\s+\w+)\s+(?:be\s+)?(?:back|get\s+back|return|in\s+again|around\s+again)(?-u:\b)|(?:他|她|老板|[\p{Han}]{1,2}总|[\p{Han}]{1,2}(?:主任|经理|董|老师|律师|所长|院长)|领导)(?:大概)?(?:什么时候|哪天|几号)(?:能)?(?:回来|回|回国|上班)",
    )
});
/// A guess said as one: "don't hold me to it", "i cant promise you that", "不敢保证".
static NO_PROMISE: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    built_in(
        r"(?i)(?-u:\b)(?:(?:don['’]?t|dont|do\s+not)\s+hold\s+me\s+to\s+(?:it|that|this)|(?:can['’]?t|cant|cannot|couldn['’]?t)\s+promise|no\s+promises)(?-u:\b)|不敢保证|保证不了|不敢打包票",
    )
});
/// A limit or a price said as a condition, just before its figure: "if its under", "as long
/// as it's below", "if its a few hundred a year fine".
static IF_WITHIN: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    built_in(
        r"(?i)(?-u:\b)(?:if|as\s+long\s+as|provided)\s+(?:(?:it['’]?s\s+|its\s+|it\s+is\s+|it\s+comes\s+in\s+|we\s+keep\s+it\s+)?(?:under|below|less\s+than|within|up\s+to)\s*(?:about\s+|around\s+)?|(?:it['’]?s|its|it\s+is|it\s+costs?|it\s+comes\s+(?:in\s+at|to))\s+(?:only\s+|just\s+|about\s+|around\s+|like\s+|maybe\s+)?(?:a\s+)?)$",
    )
});
/// A figure said as a condition, just after it: "一个月一两百块的话", "五千以内的话".
static ZH_IF_AFTER: std::sync::LazyLock<Regex> =
    std::sync::LazyLock::new(|| built_in(r"^(?:块钱|块|元|万|钱)?(?:左右|以内|以下|上下)?的话"));
/// Money asked for and not yet approved: "我在明年预算里报了十二万，下周三办公会过", "once it's
/// approved", "we've put in a request for".
static PENDING_APPROVAL: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    built_in(
        r"(?i)(?-u:\b)(?:(?:if|once|when)\s+(?:it|that|this|the\s+\w+)\s+(?:gets\s+|is\s+|['’]s\s+)?(?:approved|signed\s+off|through)|(?:put\s+in|submitted|requested|asked\s+for)\s+(?:a\s+)?(?:request|bid|proposal)\s+for|still\s+(?:waiting\s+on|needs?)\s+(?:sign-?off|approval))(?-u:\b)|报了|申请了|打了报告|还没批|等批|待批|(?:过|批)了的话|批下来的话",
    )
});
/// Money approved: "宋总已经批了", "上周五会上批下来了", "it's been approved".
static APPROVED: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    built_in(
        r"(?i)(?-u:\b)(?:(?:has|have|['’]s|was|got)\s+(?:been\s+)?(?:approved|signed\s+off)|already\s+approved)(?-u:\b)|(?:已经|都)(?:批|签|通过)|批下来了(?:[^的]|$)|(?:批|签)了(?:[，。,.！!\s]|$)|签过字",
    )
});
/// A condition opening a sentence's statement ("if it's over ten grand he'd have the final say").
static CONDITION: std::sync::LazyLock<Regex> =
    std::sync::LazyLock::new(|| built_in(r"(?i)(?-u:\b)(?:if|unless|whether|over|above)(?-u:\b)"));
/// Words for money as a subject ("budget is not a problem").
static BUDGET_WORDS: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    built_in(r"(?i)(?-u:\b)(?:budget|money|price|pricing|cost|funding|spend)(?-u:\b)|预算|钱|费用|价格|资金")
});
/// Money or a price said: "一千出头", "三五万", "$400 a month", "the price", 报价.
static PRICE_TALK: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    built_in(
        r"(?i)[$£€¥￥]\s?\d|(?-u:\b)\d[\d,.]*\s?(?:k|grand|quid|dollars|pounds|euros|a\s+(?:month|year|seat|user))(?-u:\b)|(?-u:\b)(?:price|pricing|cost|costs|charge|fee|fees|quote)(?-u:\b)|[一二两三四五六七八九十百千几0-9]+(?:块|元|万)|(?:一个月|每个月|每月|一年|每年)[一二两三四五六七八九十百千万0-9]+|按\p{Han}{1,4}收|出头|价格|报价|收费|费用|多少钱",
    )
});

/// Whether a sentence of turn `turn` speaks of money, or answers the rep's price.
fn about_price(transcript: &Transcript, turn: usize, sentence: &str) -> bool {
    let rep_before = turn
        .checked_sub(1)
        .and_then(|i| transcript.turns.get(i))
        .filter(|t| t.role == Role::Rep)
        .is_some_and(|t| PRICE_TALK.is_match(&t.text));
    rep_before || PRICE_TALK.is_match(sentence)
}

/// Multiples and figures said in words ("十倍", "ten x", "double").
static FIGURE_WORDS: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    built_in(
        r"(?i)(?-u:\b)(?:double|triple|\d+x|ten\s*x|twice|half)(?-u:\b)|[一二两三四五六七八九十百千万]+倍|翻(?:倍|番)|[0-9一二两三四五六七八九十百千万]+(?:来|多|余)?万",
    )
});
/// "我们这", "我们公司小嘛 就", "俺们", "我就", "我那" right before a count: the whole of
/// something of ours is counted ("我就三个亭子", "我那八个亭子").
static ZH_OURS_BEFORE: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    built_in(
        r"(?:(?:我们|俺们|咱们)(?:这个?|那个?)?(?:公司|厂子?|店|场子?|这边|这儿|这里|家|单位|所)?(?:小嘛|小|不大)?(?:自己)?[，,\s]*(?:就|也就|才|一共|总共|有|这)?|我(?:就|也就|才|一共|总共|那|这)有?)$",
    )
});
/// Chinese measure words that name no thing: what a count of them counts is the noun after.
const MEASURE_WORDS: &[&str] = &["个", "条", "台", "只", "张", "间", "辆", "套", "部", "块", "座", "处", "栋", "层"];

/// A comparison with a benchmark in the same sentence as a measured figure.
static BENCHMARK: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    built_in(
        r"(?i)(?-u:\b)(?:average|benchmark|industry|norm|typical|should\s+be|compared\s+(?:to|with)|versus|vs\.?|twice|double\s+the|half\s+the|target\s+(?:is|was)|network|peers?|competitors?\s+(?:are|get|have)|expects?|requires?|required|requirement|framework|contract\s+(?:says|asks\s+for)|written\s+into\s+(?:the|our)\s+contract|contracted|sla|service\s+level)(?-u:\b)|平均|行业|同行|同类|做得好的|别家|人家(?:都|能|是)|正常(?:是|应该)|应该是|标准|对比|比别人|比同行|要求是|要求(?:达到|做到|不低于)|考核|合同(?:里|上)(?:写|要求|规定)",
    )
});
/// "anything", "everything", "任何": an approval with no limit.
static UNCONDITIONAL: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    built_in(
        r"(?i)(?-u:\b)(?:anything|everything|any\s+(?:spend|purchase|money|tool)|all\s+(?:spend|purchases)|whatever|only\s+(?:then|after|once|if)|can['’]t\s+sign\s+(?:without|until)|in\s+the\s+end|ultimately|at\s+the\s+end\s+of\s+the\s+day)(?-u:\b)|任何|所有|最后(?:肯定|一定)?(?:还是|还|都)?(?:得|要|必须|需要|是)|肯定(?:还是)?得|最终(?:还是)?(?:得|要|是)|一律|都(?:要|得)|才能|才可以|只有|合同(?:那|这块|这边)?(?:肯定|都|还是)?(?:得|要|必须|需要)|只能往上|合同都是|都是(?:他|她)(?:来)?(?:签|定|拍板)|(?:也|都|还)是(?:他|她)(?:来)?签|才算数|才作数",
    )
});
/// A sentence that opens by pointing back at the one before: "That's thirty grand a year",
/// "那就是十几万".
static REFERS_BACK: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    built_in(
        r"(?i)^\W*(?:(?:and|so|well)\s+)?(?:that['’]s|that\s+is|that\s+was|which\s+is|which['’]s|it['’]s|that\s+cost\s+us)\s+(?:\w+\s+){0,2}$|^\W*(?:那就是|这就是|相当于|那可是|那是|这可是)\p{Han}{0,3}$",
    )
});
/// What a sum was paid in, said right after it, when the payment is a loss: "in quality
/// deductions", "in fines", "in refunds", "在罚款上".
static PAID_AS_LOSS: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    built_in(
        r"(?i)^\s*(?:in|on)\s+(?:\w+\s+){0,2}?(?:deductions?|penalt(?:y|ies)|fines?|refunds?|compensation|charge-?backs?|write-?offs?|credits\s+to\s+customers|damages)(?-u:\b)",
    )
});
/// "At the latest" right before a date.
static AT_THE_LATEST: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    built_in(
        r"(?i)(?:(?-u:\b)(?:at\s+the\s+latest|no\s+later\s+than|latest)[,:]?\s*(?:by\s+|in\s+|on\s+)?|最晚|最迟|最晚也得|最迟也要)$",
    )
});
/// Words that make a figure a limit.
static LIMIT_WORDS: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    built_in(
        r"(?i)(?-u:\b)(?:over|above|more\s+than|exceeding|beyond|in\s+excess\s+of|under|below|less\s+than|up\s+to)\s+(?:\$|€|£)?\d|超过|高于|大于|多于|以上|以下|以内|之内|不超过",
    )
});
/// A flat "no" at the start of an answer ("Not really, no.", "没有。").
static FLAT_NO: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    built_in(
        r"(?i)^(?:(?:no|nope|not\s+really|nah|honestly|well|um|uh)[\s,.!]*)+|^(?:没有|没|没试过|没想过)[\s，。！]*",
    )
});
/// What gives a reason: causes, obstacles, what happened.
static REASON: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    built_in(
        r"(?i)(?-u:\b)(?:because|since|so|but|never|didn['’]t|wasn['’]t|weren['’]t|couldn['’]t|got|kept|left|busy|priorit\w*|budget|time|shelved|stalled|parked|slid\w*|fell|went|tried|moved|reorg\w*|merger|hired|hiring|lost|bandwidth|headcount|short-?staffed|other\s+fires|focus\w*|opening|launch\w*|nobody|no\s+one|turned\s+out|put\s+(?:me|us|everyone|everybody)\s+off|gave\s+up|drifted|gun[- ]shy)(?-u:\b)|因为|所以|但是|但|一直|没(?:有)?(?:时间|精力|人手?|顾上|腾出)|赶上|搬|调整|荒废|停了|拖|忙|顾不上|后来|试过|不愿意|离职|走了",
    )
});

static APPROVAL_QUESTION: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    #[allow(clippy::expect_used)]
    crate::lexicon::compile(r"(?i)(?-u:\b)(?:sign(?:s|ed|ing)?(?:\s+|-)?off|signs?\s+(?:the\s+)?(?:contract|po)|signs\b|approv\w*|sign-?off)|签字|签|审批|批准|批")
        .expect("built-in pattern")
});

/// An explicit correction of something said earlier.
static CORRECTION: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    built_in(
        r"(?i)(?-u:\b)(?:sorry,?\s+i\s+meant|i\s+meant\s+to\s+say|mis-?spoke|correction|let\s+me\s+correct|to\s+correct\s+myself|my\s+mistake|scratch\s+that|i\s+said\s+\w+\s+(?:earlier|before),?\s+(?:but|it['’]s|it\s+is|that\s+should\s+be))(?-u:\b)|说错了|更正一下|纠正一下|我记错了|刚才说错",
    )
});
/// Words that make a count a subset of a whole ("our two biggest clients").
static SUBSET: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    built_in(
        r"(?i)(?-u:\b)(?:biggest|largest|top|best|main|key|new|newest|most|first|last|other|existing|current|oldest|smallest)(?-u:\b)",
    )
});
/// Any "how many" or "how big" question: its answer is a total of whatever it counts.
static COUNT_QUESTION_ANY: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    built_in(
        r"(?i)(?-u:\b)(?:how\s+many|how\s+big)(?-u:\b)|多少(?:个|家|条|位|名|人|间|台)?|几(?:个|家|条|位|名|间|台)|多大(?:的)?规模|规模(?:有)?多大",
    )
});
/// "There's only nine of them", "we're just six of us": a total said without its noun.
static ONLY_N_OF: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    built_in(
        r"(?i)(?-u:\b)(?:there['’]?s|there\s+(?:is|are)|we['’]?re|we\s+are|they['’]?re|they\s+are)\s+(?P<only>(?:only|just)\s+(?P<num>\d+|[a-z]+(?:[- ][a-z]+)?)\s+of\s+(?:them|(?P<us>us)))(?-u:\b)",
    )
});
/// A count of one said as all there is ("only the one plant"): a total.
static ONLY_ONE: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| built_in(r"(?i)^(?:only|just)(?-u:\b)"));
/// Groups of people a count may be about, to tell when two counts speak of the same group.
static GROUP: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    built_in(
        r"(?i)(?-u:\b)(?:reps|sales\s+team|salespeople|sellers|agents|advisers|advisors|consultants|receptionists|clinicians|drivers|engineers|nurses|teachers|coordinators|dispatchers|brokers|technicians|sdrs|aes)(?-u:\b)|课程顾问|顾问|销售|客服|坐席|老师|司机|护士|医生|前台|工程师|业务员",
    )
});
/// Words right after a count of people that make them the signers or approvers: "两个人都签字",
/// "two people sign off".
static SIGNERS_AFTER: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    built_in(
        r"(?i)^\s*(?:(?:都|一起|同时|共同)?(?:签字|签|审批|批|拍板|点头|同意)|(?:have\s+to\s+|need\s+to\s+|must\s+|both\s+|all\s+)?(?:sign|signs|approve|approves|okay|ok)\b)",
    )
});
/// A Chinese count of staff said as the whole of them: "业务员就三个人", "我们八个业务员".
static ZH_STAFF_TOTAL_CUE: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    built_in(r"(?:就|才)[0-9０-９一二两三四五六七八九十]|(?:我们|咱们)[0-9０-９一二两三四五六七八九十]")
});
/// Words right before a count of people that make them a flow: "走了五个销售", "we hired two".
static CAME_OR_WENT_BEFORE: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    built_in(
        r"(?i)(?:走了|离职了?|辞职了?|跑了|招了|新招了?|新来了?|少了|多了|走掉了?|开除了?|裁了|(?-u:\b)(?:lost|hired|let\s+go|laid\s+off|took\s+on|quit|left)(?-u:\b)(?:\s+(?:about|around|another|like))?)\s*$",
    )
});
/// Words that say a Chinese count is of the whole staff: "员工三十几个", "我们所……十二三个人",
/// "全公司", "上上下下"; not a department's count ("信息部一共就两个人").
static ZH_WHOLE_STAFF: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    built_in(
        r"员工|全(?:公司|所|厂|店|院)|上上下下|(?:我们|咱们)(?:这个|这家)?(?:公司|所|店|厂|工作室|事务所|院|诊所|门店)",
    )
});
static ZH_DEPARTMENT: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    built_in(r"(?:信息|技术|财务|市场|销售|人事|行政|运营|客服|售后|采购|设计|工程|研发|IT)(?:部|组|科|中心|团队)|部门")
});
/// The trades a count of staff can be in: "nine techs", "四十几个设计师".
const STAFF_TRADES: &[&str] = &[
    "reps",
    "engineers",
    "advisers",
    "techs",
    "technicians",
    "designers",
    "drivers",
    "cleaners",
    "stylists",
    "chefs",
    "cooks",
    "nurses",
    "teachers",
    "trainers",
    "tutors",
    "consultants",
    "mechanics",
    "fitters",
    "installers",
    "electricians",
    "plumbers",
    "carers",
    "therapists",
    "lawyers",
    "solicitors",
    "accountants",
    "translators",
    "guards",
    "operators",
    "pickers",
    "packers",
    "welders",
    "machinists",
    "设计师",
    "师傅",
    "工人",
    "技术员",
    "厨师",
    "服务员",
    "店员",
    "司机",
    "老师",
    "护士",
    "医生",
    "律师",
    "会计",
    "翻译",
    "讲师",
    "教练",
    "客服",
];
static TEAM_SIZE_CUE: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    #[allow(clippy::expect_used)]
    crate::lexicon::compile(
        r"(?i)(?-u:\b)(?:we\s+have|we['’]ve\s+got|we['’]ve\s+(?:about\s+|around\s+|roughly\s+)?(?:\d|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|a\s+hundred)|we\s+got|there\s+are|we['’]re|we\s+are|team|headcount|in\s+total|altogether|of\s+us|total\s+of|all\s+\w+\s+of\s+(?:our|the|them)|i\s+have|i['’]ve\s+got|i\s+got|(?:the\s+)?whole\s+(?:outfit|crew|firm|company|shop|business|lot|desk|team|office|floor|staff|department)|that['’]s\s+(?:all|everyone|everybody)\s+of\s+us)(?-u:\b)|我们有|一共|总共|团队|加起来|合起来|就这么些人|人撑着|有(?:大概|差不多|将近|近)?[0-9０-９一二两三四五六七八九十]",
    )
    .expect("built-in pattern")
});
/// A short follow-up asking who, after a question about the decider: "Who would it be?",
/// "So who is it?", "那是谁？".
static WHO_FOLLOW_UP: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    built_in(
        r"(?i)^(?:and\s+|so\s+|then\s+)?who(?:['’]s|\s+(?:would|will|is|does))?(?:\s+(?:it|that|they))?(?:\s+be)?(?:\s+then)?[\s?.!]*$|^(?:那|那么)?(?:是)?谁(?:呢|啊)?[？?。]*$",
    )
});
/// A question about people ("who else...", "还有谁..."), to which "no" means "nobody".
static WHO_QUESTION: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    #[allow(clippy::expect_used)]
    crate::lexicon::compile(r"(?i)(?-u:\b)(?:who|whom)(?-u:\b)|谁|哪些人|哪几位").expect("valid regex")
});
static DECIDER_QUESTION: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    #[allow(clippy::expect_used)]
    crate::lexicon::compile(
        r"(?i)(?-u:\b)whose\s+(?:call|decision)|who(?:['’]d|\s+would|['’]s|\s+is)\s+be\s+the\s+one\s+to\s+(?:look\s+at|choose|pick|decide|sign|buy|okay|approve)(?-u:\b)|who(?:['’]d|\s+would|\s+will)?\s+make\s+(?:that|this)\s+(?:final\s+)?(?:call|decision)|(?-u:\b)who(?:['’](?:s|d|ll)|\s+is|\s+will|\s+would|\s+does|\s+has|\s+gets)?(?:\s+\w+){0,4}?\s+(?:decid\w*|sign\w*|approv\w*|go(?:es)?\s+ahead\s+with|give[s]?\s+the\s+go[- ]ahead|green[- ]?light\w*|make[s]?\s+the\s+(?:final\s+)?(?:call|decision)|(?:has|have|gets?)\s+the\s+final\s+(?:say|word)|calls?\s+the\s+shots|pulls?\s+the\s+trigger|own[s]?\s+the\s+(?:budget|decision))|decision[- ]maker|who(?:'?d|’d|\s+would|\s+will|\s+does)?\s+(?:that|it|this)\s+(?:go|goes|get\s+passed|get\s+sent)\s+to\b|(?:would|will|is)\s+(?:that|it|this)\s+(?:be\s+)?your\s+(?:call|decision)|(?:you|yourself)\s+(?:\w+\s+){0,2}(?:making|make|makes)\s+the\s+(?:final\s+)?(?:call|decision)|(?:would|will|is)\s+\w+\s+be\s+the\s+one\s+(?:to\s+(?:look\s+at|choose|pick|decide|sign|buy|sort)\s+|who\s+(?:looks\s+at|chooses|picks|decides|signs|buys)\s+)?(?:choos\w*|decid\w*|sign\w*|pick\w*|making\s+the\s+call|(?:it|this|that|something|anything|things)(?-u:\b))|who(?:['’](?:s|d|ll))?\s+(?:\w+\s+){0,2}(?:(?:looks?\s+after|handles?|looks?\s+at)\s+(?:it|this|that|(?:things\s+like\s+)?(?:the\s+|new\s+|any\s+)*(?:purchas\w*|buying|budget|money|decision|contract|software|systems?|tech|it\s+side|spend\w*))|owns?|choos\w*|picks?|picking|buys?|buying|is\s+responsible\s+for|be\s+responsible\s+for|lead\s+(?:it|that|this|the\s+\w+))(?-u:\b)|who(?:['’](?:s|d|ll)|\s+(?:would|will|is|are))?\s+(?:\w+\s+)?(?:be\s+)?(?:involved|part\s+of\s+(?:that|this|it|the\s+decision)|in\s+on\s+(?:that|this|it|the\s+decision)|have\s+a\s+say|weigh\s+in)(?-u:\b)|(?:谁|哪位|哪个领导|什么人).{0,8}(?:拍板|决定|签字|签|审批|说了算|定|负责)|(?:拍板|决定|签字|审批|说了算)的?(?:是|人是)?(?:谁|哪位)|怎么定的?|怎么决策",
    )
    .expect("built-in pattern")
});
/// A goodbye that ends in "soon": "speak soon", "see you soon", "talk to you soon".
static SIGN_OFF_SOON: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    built_in(
        r"(?i)(?-u:\b)(?:speak|talk|chat|see\s+you|catch\s+you|hear\s+from\s+you|talk\s+to\s+you|speak\s+to\s+you)\s+soon\W*$",
    )
});
/// A sentence that is only a yes: "Yeah.", "Yep!".
static BARE_YES: std::sync::LazyLock<Regex> =
    std::sync::LazyLock::new(|| built_in(r"(?i)^[\s,.!-]*(?:yeah|yes|yep|yup|aye|sure)[\s.!]*$"));
static SELF_ANSWER: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    #[allow(clippy::expect_used)]
    crate::lexicon::compile(
        r"(?i)^[\s,.!-]*(?:(?:well|so|yeah|yes|yep|oh|um|uh|honestly|ultimately|in\s+the\s+end|that(?:['’]s|\s+would\s+be|\s+is)|it(?:['’]s|\s+is|\s+would\s+be))[\s,]+)*(?:(?:just|only|probably|mostly)\s+)?(?:me|myself|mine|i\s+do|that['’]s\s+me|yours\s+truly|my\s+(?:call|decision))(?-u:\b)[\s,]*(?:ultimately|really|in\s+the\s+end|at\s+the\s+end\s+of\s+the\s+day)?[\s.!]*$|^(?:是|就是|最后是|最终是|主要是)?我(?:自己)?(?:吧|啊|呀)?[。！!.]?$",
    )
    .expect("built-in pattern")
});
static SPENT_BEFORE: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    #[allow(clippy::expect_used)]
    crate::lexicon::compile(
        r"(?i)(?-u:\b)(?:spent|paid|bought|purchased|used\s+to\s+pay|were\s+paying|was\s+costing)(?:\s+[\w']+){0,4}?\s*(?:about|around|roughly|like|almost|over|nearly)?\s*$|(?-u:\b)(?:bought|got\s+(?:a|the)\s+new|paid\s+for|forked\s+out\s+for)\s+(?:[\w']+\s+){0,8}?(?:that['’]?s|thats|which\s+was)\s+$|(?:花了|花过|买过|付了|当时花|去年花)[^，,。]{0,6}$|(?:换了|买了|添了|新买了)[^，,。]{0,8}[，,\s]*(?:一|每)(?:台|辆|套|部|个|条)$|(?:买了|上了|装了|订了|买过|用过|订过|办过|开过)[^，,。！？]{0,12}[，,\s]*(?:一年|每年|一个月|每个月|每月)$",
    )
    .expect("built-in pattern")
});

/// Whether the money at `start` is what was already spent ("we spent around 20k", "花了十万").
fn spent_before(text: &str, start: usize) -> bool {
    // Most figures have no spend verb before them at all: skip the regex then.
    let window = text_before(text, start, 48);
    let maybe = ["spent", "paid", "bought", "purchased", "pay", "costing", "花", "买", "付", "换", "添"]
        .iter()
        .any(|w| window.contains(w));
    maybe && SPENT_BEFORE.is_match(window) || WENT_ON_BEFORE.is_match(text_before(text, start, 120))
}
/// Money said, then that all of it has gone on something, in its sentence or the next: "团费一年收个一万出头，全拿去买号码布、补给了",
/// "会费一年收五千来块。搞活动、买奖品，全花这上头了".
static ALL_WENT_AFTER: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    built_in(
        r"^[^。！？.!?]{0,30}?(?:[。.][^。！？.!?]{0,40}?)?(?:全|都|全都|全部)(?:拿去|花在|花到|花这|花那|用在|砸在|贴在|贴进)[^。！？.!?]{0,20}?了",
    )
});
/// What the money already went on, said before the figure: "it all went on new safes and
/// cameras after the break in thirty grand that was".
static WENT_ON_BEFORE: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    built_in(
        r"(?i)(?-u:\b)(?:it\s+all|all\s+of\s+it|the\s+money|the\s+lot|everything)\s+(?:went|got\s+spent|was\s+spent)\s+on(?-u:\b)[^.?!]*$",
    )
});

/// Money already put into a thing: "We put thirty grand into a new envelope", "we've sunk
/// 40k into the old system" (not "we put 10k aside" or "we put twelve thousand into this").
fn sunk_into(text: &str, start: usize, end: usize) -> bool {
    let before = text_before(text, start, 30);
    let after = text.get(end..).unwrap_or("");
    SUNK_BEFORE.is_match(before) && SUNK_AFTER.is_match(after)
}
static SUNK_BEFORE: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    built_in(
        r"(?i)(?-u:\b)(?:we|i|they)(?:['’]ve|\s+have|\s+just|\s+already)?\s+(?:put|sank|sunk|poured|dropped|ploughed|plowed)\s*(?:about\s+|around\s+|over\s+|nearly\s+)?$",
    )
});
static SUNK_AFTER: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    built_in(
        r"(?i)^\s*(?:into|in\s+to|on)\s+(?:a|an|new|another|two|three|the\s+(?:old|last|current|existing|previous)|our\s+(?:old|current|existing))(?-u:\b)",
    )
});

static ANSWER_LEAD: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    #[allow(clippy::expect_used)]
    crate::lexicon::compile(
        r"(?i)^[\s,.:;!-]*(?:(?:well|so|oh|or|and|um|uh|uhm|yes|yeah|ok|okay|honestly|ultimately|in\s+the\s+end|final(?:ly)?|that(?:['’]d|\s+would|\s+will|['’]s|\s+is|\s+would\s+be)?|it(?:['’]s|\s+is|['’]d\s+be|\s+would\s+be|\s+will\s+be)?|be|that['’]d\s+be|always|usually|[A-Z][a-z]+(?:\s+[A-Z][a-z'-]+)?\s*,|(?:[A-Za-z]+\s+){1,2}and)[\s,.:;!-]*)*$|^(?:那|就|应该|是|主要是|最后是|最终是|还是|一般是|这个|那个|得|要)*$",
    )
    .expect("built-in pattern")
});
static ANSWER_TAIL: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    #[allow(clippy::expect_used)]
    crate::lexicon::compile(
        r"^[\s,，、:：]*(?:[A-Z][a-z'-]+(?:\s+[A-Z][a-z'-]+)?\b|[\s.!。！]*$|(?:吧|啊|呀|了)?[。！!.]?$)",
    )
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
pub(crate) fn is_generic_superior(role: &str) -> bool {
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
fn merge_evidence(items: &[&Item]) -> Vec<Evidence> {
    let mut out: Vec<Evidence> = Vec::with_capacity(items.len().min(MAX_EVIDENCE * 2));
    let mut index: BTreeMap<(usize, usize, usize), usize> = BTreeMap::new();
    for item in items.iter() {
        let span = item.evidence.span;
        match index.get(&(span.turn, span.start, span.end)).and_then(|i| out.get_mut(*i)) {
            Some(existing) => {
                if !existing.note.contains(&item.evidence.note) {
                    let mut items = match &existing.note_message {
                        Some(m) if m.code == "call.note.joined" && m.english() == existing.note => {
                            m.list("items").to_vec()
                        }
                        _ => vec![existing.note_arg()],
                    };
                    items.push(item.evidence.note_arg());
                    existing.set_note(Message::new("call.note.joined").with_list("items", items));
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
/// What was said at `earlier` about `subject` (`budget` or `timeline`), `fact`, taken back
/// by a later no, `denial` (`call.conflict.taken_back`).
fn taken_back(subject: &str, earlier: Span, earlier_quote: String, fact: Message, denial: &Item) -> Conflict {
    let explanation = Message::new("call.conflict.taken_back")
        .with("subject", subject)
        .with("turn", earlier.turn.to_string())
        .with_message("fact", fact)
        .with("quote", earlier_quote.as_str());
    Conflict {
        subject: subject.to_owned(),
        concept: Some(subject.to_owned()),
        mode: Mode::Rules,
        earlier,
        earlier_quote,
        later: denial.evidence.span,
        later_quote: denial.evidence.quote.clone(),
        explanation: explanation.english(),
        explanation_message: Some(explanation),
    }
}

/// The business said to be only the owners or the contact: "店里就我跟我老婆 没请人", "nobody else
/// works here", "it's just me and my wife".
static SOLO_TEAM: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    built_in(
        r"(?i)(?-u:\b)(?:(?:nobody|no\s+one|no-one)\s+else\s+works\s+(?:here|for\s+us|in\s+the\s+\w+)|it['’]?s\s+(?:just|only)\s+(?:me\s+and\s+(?:my\s+)?(?:wife|husband|partner|missus|son|daughter|brother)|the\s+two\s+of\s+us|me\s+on\s+my\s+own)|(?:we|i)\s+(?:don['’]?t|do\s+not)\s+(?:have|employ)\s+(?:any\s+)?(?:staff|employees|anyone\s+else))(?-u:\b)|(?:就|只有)我(?:跟|和)(?:我)?(?:老婆|老公|媳妇|爱人|对象|合伙人|儿子|女儿|弟弟|哥哥)(?:两个人|俩)?|就我一个人|(?:没|没有)请(?:人|过人|员工|伙计)|夫妻店",
    )
});

/// A pattern for saying there are none of `unit` at all: "we don't have volunteers.", "there
/// are no drivers here", "我们没有司机", "根本没有志愿者" (not "we don't have drivers in Leeds").
/// The unit is a count's (plural in English). Built once per unit a call counts.
fn none_of(unit: &str) -> Option<Regex> {
    if unit.is_empty() || unit.contains(char::is_whitespace) {
        return None;
    }
    let word = regex::escape(unit);
    let singular = regex::escape(unit.strip_suffix('s').unwrap_or(unit));
    let pattern = format!(
        r"(?i)(?-u:\b)(?:(?:we|i|they)\s+(?:don['’]?t|do\s+not|never|haven['’]?t|didn['’]?t)\s+(?:ever\s+|actually\s+|really\s+)?(?:have|had|use|used|got|take|took|employ|employed|hire|hired)\s+(?:any\s+)?|there\s+(?:are|were|is)\s+no\s+|no\s+)(?:{word}|{singular})(?:\s*(?:[.,;!?]|$)|\s+(?:at\s+all|here|anymore|any\s+more|ever|never\s+have|back\s+there|(?:it['’]?s|they['’]?re)\s+all)(?-u:\b))|(?:我们|我这|这儿|这里)?(?:从来)?(?:就|根本|压根)?(?:没有|没)(?:什么|过)?{word}"
    );
    crate::lexicon::compile(&pattern).ok()
}

/// Whether the date at `span` is a time before which nothing happens: "过完年再弄", "开春以后
/// 再说", "not till after Easter", "nothing before the summer", "March at the earliest".
fn waits_until_after(transcript: &Transcript, span: Span) -> bool {
    let Some(turn) = transcript.turns.get(span.turn) else { return false };
    if turn.role != crate::transcript::Role::Prospect {
        return false;
    }
    let text = turn.text.as_str();
    let before = text_before(text, span.start, 60);
    let after = text.get(span.end..).unwrap_or("");
    let quote = text.get(span.start..span.end).unwrap_or("");
    // "send it to me direct, not the sales inbox, or it'll sit there till Easter": what would
    // happen otherwise, not a wait.
    if OR_ELSE.is_match(before) {
        return false;
    }
    NOT_UNTIL_BEFORE.is_match(before)
        || NOT_UNTIL_IN.is_match(quote) && NOTHING_BEFORE_CLAUSE.is_match(before)
        || WAIT_AFTER.is_match(after)
        || quote.ends_with('后') && ENDS_ANSWER.is_match(after)
}
/// A consequence said as what happens otherwise: "or it'll sit there till", "不然就得拖到".
static OR_ELSE: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    built_in(
        r"(?i)(?:(?-u:\b)(?:or|otherwise|else)\s+(?:it['’]?ll|it\s+will|it\s+would|it['’]?d|they['’]?ll|that['’]?ll|we['’]?ll)(?-u:\b)[^.?!]{0,40}|(?:不然|否则|要不然)[^。？！]{0,20})$",
    )
});
/// Before a date: a no that lasts until it ("won't touch it till", "not before", "nothing
/// gets done until after").
static NOT_UNTIL_BEFORE: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    built_in(
        r"(?i)(?:(?-u:\b)(?:won['’]?t|wouldn['’]?t|can['’]?t|not|no|nothing|never)(?-u:\b)[^.?!]{0,40}(?-u:\b)(?:till|until|til)\s+(?:after\s+)?(?:the\s+)?|(?-u:\b)not\s+(?:before|till|until)\s+(?:after\s+)?(?:the\s+)?|(?-u:\b)no\s+earlier\s+than\s+(?:the\s+)?|(?-u:\b)(?:anything|nothing)\s+(?:new\s+)?(?:is|happens|gets\s+done|goes\s+in)\s+after\s+(?:the\s+\w+\s+)?(?:like\s+|so\s+|probably\s+|maybe\s+)?(?:the\s+)?|最早(?:也)?(?:要|得|是|到)?(?:明年的?|今年的?)?)$",
    )
});
/// A date quoted with its own "till/before" ("till after Easter", "before the summer"),
/// after a no in its clause ("I don't see us changing anything before the summer").
static NOT_UNTIL_IN: std::sync::LazyLock<Regex> =
    std::sync::LazyLock::new(|| built_in(r"(?i)^(?:till|until|til|before)\s"));
static NOTHING_BEFORE_CLAUSE: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    built_in(r"(?i)(?-u:\b)(?:won['’]?t|wouldn['’]?t|don['’]?t\s+see|not|nothing|never)(?-u:\b)[^.?!,]{0,40}$")
});
/// After a date: "at the earliest", "再弄", "才能签".
static WAIT_AFTER: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    built_in(
        r"(?i)^\s*,?\s*at\s+the\s+earliest|^(?:\p{Han}{0,4}?(?:以后|之后|过后))?[，, ]?(?:再|才)(?:弄|上|说|看|考虑|搞|换|签|定|买|装|动|启动|开始|能签|能弄|能上)",
    )
});
/// Nothing after a date said as "……以后" at the end of the answer ("开了春以后").
static ENDS_ANSWER: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| built_in(r"^[，, ]?(?:吧)?[。.]?$"));

fn find_conflicts(
    transcript: &Transcript,
    as_of: NaiveDate,
    facts: &[LocatedFact],
    claims: &Claims,
    items: &[Item],
    exchanges: &[CallExchange],
    asked: &[u32],
) -> Vec<Conflict> {
    let mut conflicts = Vec::new();
    let quote_of = |span: Span| transcript.quote(span).to_owned();
    // "Sorry, I meant six clinics, not four": a correction resolves the conflict.
    let corrects = |span: Span| {
        let text = transcript.turns.get(span.turn).map(|t| t.text.as_str()).unwrap_or("");
        let ranges = sentences(text);
        let (a, b) =
            sentence_index(&ranges, span.start).and_then(|i| ranges.get(i).copied()).unwrap_or((0, text.len()));
        let before =
            sentence_index(&ranges, span.start).and_then(|i| i.checked_sub(1)).and_then(|i| ranges.get(i).copied());
        CORRECTION.is_match(text.get(a..b).unwrap_or(""))
            || before.is_some_and(|(x, y)| CORRECTION.is_match(text.get(x..y).unwrap_or("")))
    };
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
    // A fact said one way and later another ("now ..., but turn N gave ...").
    // A statement and a later one that cannot both hold, found by the rules: the earlier
    // quoted as given, the later by its sentence.
    let said_again = |subject: &str,
                      concept: Option<&str>,
                      (earlier, earlier_quote): (Span, String),
                      later: Span,
                      explanation: Message| {
        let (later, later_quote) = sentence_quote(later);
        Conflict {
            subject: subject.to_owned(),
            concept: concept.map(str::to_owned),
            mode: Mode::Rules,
            earlier,
            earlier_quote,
            later,
            later_quote,
            explanation: explanation.english(),
            explanation_message: Some(explanation),
        }
    };
    let changed = |subject: &str, concept: Option<&str>, earlier: &LocatedFact, later: &LocatedFact| {
        let explanation = Message::new("call.conflict.changed")
            .with("subject", subject)
            .with_message("now", later.fact.message())
            .with("turn", earlier.span.turn.to_string())
            .with_message("before", earlier.fact.message())
            .with("quote", quote_of(earlier.span));
        said_again(subject, concept, (earlier.span, quote_of(earlier.span)), later.span, explanation)
    };
    // A figure said as its floor ("sixty odd weddings", "八百多会员", "over 20k") with a plain
    // figure below that floor: the hedge gives no room downwards.
    let below_floor = |a: &LocatedFact, b: &LocatedFact| {
        let value = |f: &LocatedFact| match f.fact {
            Fact::Count { value, .. } => Some(value),
            Fact::Money { amount, .. } => Some(amount),
            _ => None,
        };
        let floor = |f: &LocatedFact| f.hedged && AT_LEAST.is_match(transcript.quote(f.span));
        match (value(a), value(b)) {
            (Some(x), Some(y)) => floor(a) && !b.hedged && y < x || floor(b) && !a.hedged && x < y,
            _ => false,
        }
    };
    // `differ` gets both facts and whether either was hedged: a guess must be further off
    // to count as a contradiction.
    let mut compare =
        |subject: &str, concept: Option<&str>, list: Vec<&LocatedFact>, differ: &dyn Fn(&Fact, &Fact, bool) -> bool| {
            for pair in list.windows(2) {
                let (earlier, later) = (pair[0], pair[1]);
                let hedged = (earlier.hedged || later.hedged) && !below_floor(earlier, later);
                if differ(&earlier.fact, &later.fact, hedged) && !corrects(later.span) {
                    conflicts.push(changed(subject, concept, earlier, later));
                }
            }
        };

    let for_concept = |f: &LocatedFact, concept: &str| f.concepts.iter().any(|c| c == concept);
    compare(
        "budget",
        Some("budget"),
        per_turn(&|f| matches!(f.fact, Fact::Money { .. }) && f.role == FactRole::Budget && for_concept(f, "budget")),
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
    // A buying date precise enough to slip: a day, a month, a quarter, or a relative period
    // no wider than half a year ("next autumn", "最早也得下半年了"), compared by its start;
    // "next year" is too loose.
    let buying_date = |f: &LocatedFact| {
        let dated = match f.fact {
            Fact::Timeline { kind: TimelineKind::Absolute | TimelineKind::Quarter, resolved: Some(_), .. } => true,
            Fact::Timeline { kind: TimelineKind::Relative, resolved: Some(a), until: Some(b), .. } => {
                (b - a).num_days() <= 184
            }
            _ => false,
        };
        dated && f.role == FactRole::Buying && for_concept(f, "timeline")
    };
    // "元旦之前就要用上" ... "老板那意思是过完年再弄", "we need it by March" ... "nothing
    // happens till after the summer": a buying date, then, turns later, nothing until a time
    // at or past it. The later date need not read as a buying date itself.
    let waits: Vec<&LocatedFact> = facts
        .iter()
        .filter(|f| {
            matches!(f.fact, Fact::Timeline { resolved: Some(_), .. })
                && !matches!(f.role, FactRole::Past | FactRole::Recurring)
                && waits_until_after(transcript, f.span)
        })
        .collect();
    // A buying date is a timeline fact of the present or future, so it waits exactly when it
    // is one of `waits`.
    let waits_after = |f: &LocatedFact| waits.iter().any(|w| std::ptr::eq(*w, f));
    let mut waited: Option<Conflict> = None;
    for &later in &waits {
        let Fact::Timeline { resolved: Some(start), .. } = later.fact else { continue };
        let earlier = facts.iter().rev().find(|f| f.span.turn < later.span.turn && buying_date(f));
        let Some(earlier) = earlier else { continue };
        let Fact::Timeline { resolved: Some(a), until, .. } = earlier.fact else { continue };
        if start >= until.unwrap_or(a) && !corrects(later.span) {
            waited = Some(changed("timeline", Some("timeline"), earlier, later));
            break;
        }
    }
    // The other way round: "明年的话最早也要下半年吧" ... "年会之前系统必须跑起来", nothing until a
    // time, then, turns later, a buying date a month or more before it.
    if waited.is_none() {
        for &earlier in &waits {
            let Fact::Timeline { resolved: Some(start), .. } = earlier.fact else { continue };
            let later = facts.iter().find(|f| f.span.turn > earlier.span.turn && buying_date(f) && !waits_after(f));
            let Some(later) = later else { continue };
            let Fact::Timeline { resolved: Some(b), until, .. } = later.fact else { continue };
            if (start - until.unwrap_or(b)).num_days() >= 30 && !corrects(later.span) {
                waited = Some(changed("timeline", Some("timeline"), earlier, later));
                break;
            }
        }
    }
    compare("timeline", Some("timeline"), per_turn(&buying_date), &|a, b, hedged| match (a, b) {
        // Only a date that slips: "signed before Christmas" after "done by the end of
        // March" narrows the plan, it does not contradict it.
        (Fact::Timeline { resolved: Some(x), .. }, Fact::Timeline { resolved: Some(y), .. }) => {
            (*y - *x).num_days() > if hedged { 183 } else { 92 }
        }
        _ => false,
    });
    compare(
        "decision_maker",
        Some("authority"),
        per_turn(&|f| {
            !f.hedged
                && matches!(&f.fact, Fact::Person { part: RolePart::Decides, .. })
                && (for_concept(f, "authority") || for_concept(f, "decision_process"))
        }),
        &|a, b, _| match (a, b) {
            (Fact::Person { role: x, .. }, Fact::Person { role: y, .. }) => x != y,
            _ => false,
        },
    );
    // Only a count that states a total is compared: one answering "how many reps?", one
    // said as "we have 40 reps", "all six of our clinics", "我们有40个销售", or one that names
    // the same group as an earlier total ("the advisers, eight of them" after "how many
    // advisers?"); "two reps called the same lead" is an incident, not a total.
    // The question each answer responds to, only for the turns that state counts.
    let count_turns: std::collections::BTreeSet<usize> =
        facts.iter().filter(|f| matches!(f.fact, Fact::Count { .. })).map(|f| f.span.turn).collect();
    let questions: BTreeMap<usize, String> = exchanges
        .iter()
        .filter(|e| e.asked() && count_turns.contains(&e.answer_turn))
        .map(|e| (e.answer_turn, e.question_text(transcript)))
        .collect();
    let question_of = |turn: usize| -> String { questions.get(&turn).cloned().unwrap_or_default() };
    let sentence_text = |f: &LocatedFact| -> String {
        let text = transcript.turns.get(f.span.turn).map(|t| t.text.as_str()).unwrap_or("");
        let ranges = sentences(text);
        let index = sentence_index(&ranges, f.span.start);
        let (a, b) = index.and_then(|i| ranges.get(i).copied()).unwrap_or((0, text.len()));
        text.get(a..b).unwrap_or("").to_owned()
    };
    // A trade, not "people" (人 counts customers and donors as readily as staff).
    let staff = |f: &LocatedFact| matches!(&f.fact, Fact::Count { unit, .. } if STAFF_TRADES.contains(&unit.as_str()));
    let states_total = |f: &LocatedFact| {
        let text = transcript.turns.get(f.span.turn).map(|t| t.text.as_str()).unwrap_or("");
        let first_sentence = sentences(text).first().is_none_or(|r| f.span.start < r.1);
        // A short answer to "how many...?" states the total in any of its sentences.
        let short = sentences(text).len() <= 3;
        // "Our six hundred members": a total said with "our", unless a subset is meant ("our
        // two biggest clients").
        let said = transcript.quote(f.span);
        let ours = text[..f.span.start].trim_end().to_ascii_lowercase().ends_with("our") && !SUBSET.is_match(said);
        // "我们这四十个打位", "我们公司小嘛 就十几个人", "俺们五条制粒线都得装上".
        let zh_ours = ZH_OURS_BEFORE.is_match(text_before(text, f.span.start, 30));
        (first_sentence || short) && count_question_unit(&question_of(f.span.turn)).is_some()
            || ours
            || zh_ours
            || ONLY_ONE.is_match(said)
            || TEAM_SIZE_CUE.is_match(&sentence_text(f))
            || COUNT_QUESTION_ANY.is_match(&question_of(f.span.turn)) && (first_sentence || short)
            || staff(f) && ZH_STAFF_TOTAL_CUE.is_match(&sentence_text(f))
            // The staff added up by its parts.
            || crate::facts::STAFF_PARTS.is_match(said)
            // "we look after thirty eight cottages", "only twenty four cottages on our books".
            || WE_RUN_BEFORE.is_match(text_before(text, f.span.start, 40))
            || ON_OUR_BOOKS_AFTER.is_match(text.get(f.span.end..).unwrap_or(""))
    };
    let group_of = |f: &LocatedFact| -> Option<String> {
        let sentence = sentence_text(f);
        let question = question_of(f.span.turn);
        GROUP.find(&sentence).or_else(|| GROUP.find(&question)).map(|m| m.as_str().to_lowercase())
    };
    // "两个人都签字", "two people sign it": the people who sign, not a head count.
    // "今年走了五个销售", "we hired two reps": people who came or went, not a head count.
    let not_a_head_count = |f: &LocatedFact| {
        let text = transcript.turns.get(f.span.turn).map(|t| t.text.as_str()).unwrap_or("");
        SIGNERS_AFTER.is_match(text.get(f.span.end..).unwrap_or(""))
            || CAME_OR_WENT_BEFORE.is_match(text_before(text, f.span.start, 16))
    };
    // After a bare Chinese measure word, the first character of the noun that follows it:
    // "六十个打位" and "四十个打位" count bays, "十几个激光测距仪" something else.
    let noun_of = |f: &LocatedFact| -> Option<char> {
        let Fact::Count { unit, .. } = &f.fact else { return None };
        if !MEASURE_WORDS.contains(&unit.as_str()) {
            return None;
        }
        let text = transcript.turns.get(f.span.turn).map(|t| t.text.as_str()).unwrap_or("");
        text.get(f.span.end..).unwrap_or("").chars().next().filter(|&c| crate::transcript::is_han(c))
    };
    let mut units: Vec<&str> = facts
        .iter()
        .filter_map(|f| match &f.fact {
            Fact::Count { unit, .. } if !unit.starts_with("new ") => Some(unit.as_str()),
            _ => None,
        })
        .collect();
    units.sort_unstable();
    units.dedup();
    let mut first_totals: Vec<(&str, &LocatedFact)> = Vec::new();
    for unit in units {
        let of_unit: Vec<&LocatedFact> = facts
            .iter()
            .filter(|f| {
                f.role != FactRole::Target
                    && matches!(&f.fact, Fact::Count { value, unit: u } if u == unit && (*value >= 2.0 || ONLY_ONE.is_match(transcript.quote(f.span))))
                    && !not_a_head_count(f)
            })
            .collect();
        let mut totals: Vec<&LocatedFact> = Vec::new();
        for f in of_unit {
            let same_group = totals.last().is_some_and(|t| group_of(t).is_some() && group_of(t) == group_of(f));
            if states_total(f) || same_group {
                totals.push(f);
            }
        }
        if let Some(first) = totals.first() {
            first_totals.push((unit, first));
        }
        let subject = if unit == "reps" || unit == "people" { "team_size" } else { "count" };
        // Counts of a measure word with different nouns after it are compared noun by noun,
        // each with the counts that name no noun.
        let mut nouns: Vec<char> = totals.iter().filter_map(|f| noun_of(f)).collect();
        nouns.sort_unstable();
        nouns.dedup();
        let lists: Vec<Vec<&LocatedFact>> = if nouns.len() <= 1 {
            vec![totals]
        } else {
            nouns
                .iter()
                .map(|&n| totals.iter().copied().filter(|f| noun_of(f).is_none_or(|m| m == n)).collect())
                .collect()
        };
        for totals in lists {
            let mut last_of_turn: Vec<&LocatedFact> = Vec::new();
            for f in totals {
                match last_of_turn.last_mut() {
                    Some(last) if last.span.turn == f.span.turn => *last = f,
                    _ => last_of_turn.push(f),
                }
            }
            compare(subject, None, last_of_turn, &|a, b, hedged| match (a, b) {
                (Fact::Count { value: x, .. }, Fact::Count { value: y, .. }) => {
                    // Totals are known to the person; a guess still should not be off by more
                    // than about half (12 vs "around thirty").
                    relative_gap(*x, *y) > if hedged { 0.4 } else { 0.2 }
                }
                _ => false,
            });
        }
    }
    // Counts that name no noun were compared with each noun's: one conflict each.
    let mut seen: Vec<(String, Span, Span)> = Vec::new();
    conflicts.retain(|c| {
        let key = (c.subject.clone(), c.earlier, c.later);
        let first = !seen.contains(&key);
        seen.push(key);
        first
    });

    // "nine techs back there" ... "five guys total in the back, that's the whole crew";
    // "我们所……十二三个人" ... "我们四十几个设计师": one trade of the staff counted well above
    // the whole staff, said in another turn, either way round.
    let whole_staff = |f: &&LocatedFact| {
        f.role != FactRole::Target
            && matches!(&f.fact, Fact::Count { unit, .. } if unit == "people")
            && (crate::facts::WHOLE_STAFF.is_match(&sentence_text(f))
                || ZH_WHOLE_STAFF.is_match(&sentence_text(f)) && !ZH_DEPARTMENT.is_match(&sentence_text(f)))
    };
    let trade = |f: &&LocatedFact| {
        f.role != FactRole::Target
            && matches!(&f.fact, Fact::Count { unit, value } if *value >= 3.0 && STAFF_TRADES.contains(&unit.as_str()))
            && !SUBSET.is_match(&sentence_text(f))
    };
    let over_whole = facts.iter().filter(whole_staff).find_map(|whole| {
        let Fact::Count { value: all, .. } = whole.fact else { return None };
        let part = facts.iter().filter(trade).find(|p| {
            let Fact::Count { value, .. } = p.fact else { return false };
            p.span.turn != whole.span.turn && value > all * 1.5 && value - all >= 3.0
        })?;
        let (earlier, later) = if part.span.turn < whole.span.turn { (part, whole) } else { (whole, part) };
        (!corrects(later.span)).then(|| changed("team_size", None, earlier, later))
    });
    conflicts.extend(over_whole);

    // A total said, then, in a later turn, words found by `denies` that say there is none of
    // it (or no one but the owners): the later words quoted, the total named in `message`.
    let denied_total =
        |first: &LocatedFact, subject: &str, message: Message, denies: &dyn Fn(&str) -> Option<(usize, usize)>| {
            let mut later = transcript.prospect_turns().filter(|t| t.index > first.span.turn);
            let (turn, (start, end)) = later.find_map(|t| denies(&t.text).map(|m| (t.index, m)))?;
            let span = Span { turn, start, end };
            if corrects(span) {
                return None;
            }
            let quote = quote_of(first.span);
            let explanation = message
                .with("turn", first.span.turn.to_string())
                .with_message("fact", first.fact.message())
                .with("quote", quote.as_str());
            Some(Conflict {
                subject: subject.to_owned(),
                concept: None,
                mode: Mode::Rules,
                earlier: first.span,
                earlier_quote: quote,
                later: span,
                later_quote: transcript.quote(span).to_owned(),
                explanation: explanation.english(),
                explanation_message: Some(explanation),
            })
        };
    // "Sixty." (to "how many volunteers?") and, later, "We don't have volunteers. Never have.":
    // a total denied outright.
    for &(unit, first) in &first_totals {
        let Some(none) = none_of(unit) else { continue };
        let denies = |text: &str| none.find(text).map(|m| (m.start(), m.end()));
        let message = Message::new("call.conflict.count_denied").with("unit", unit);
        conflicts.extend(denied_total(first, "count", message, &denies));
    }
    // "十二个销售" and later "店里就我跟我老婆 没请人": the team said to be only the owners.
    let team_total = first_totals.iter().find(|(unit, f)| {
        (*unit == "reps" || *unit == "people" || crate::fact_signals::worker_noun(unit))
            && matches!(f.fact, Fact::Count { value, .. } if value >= 3.0)
    });
    if let Some(&(_, first)) = team_total {
        let denies = |text: &str| SOLO_TEAM.find(text).map(|m| (m.start(), m.end()));
        conflicts.extend(denied_total(first, "team_size", Message::new("call.conflict.solo_team"), &denies));
    }
    // "我们客服一共二十六个人" and, later, "客服 我们哪有客服啊": a thing counted under its name
    // in Chinese, then said not to exist at all. The name is the one denied, found before the
    // count in its own sentence.
    let mut denied_nouns: Vec<&str> = Vec::new();
    for turn in transcript.prospect_turns() {
        for c in ZH_NONE_OF.captures_iter(&turn.text) {
            let Some(noun) = c.name("n").map(|m| m.as_str()) else { continue };
            if ZH_NOT_COUNTED.is_match(noun) || denied_nouns.contains(&noun) {
                continue;
            }
            denied_nouns.push(noun);
            let counted = facts.iter().find(|f| {
                f.span.turn < turn.index
                    && matches!(f.fact, Fact::Count { value, .. } if value >= 2.0)
                    && transcript.turns.get(f.span.turn).is_some_and(|t| {
                        let before = text_before(&t.text, f.span.start, 45);
                        before.rfind(noun).is_some_and(|i| !before[i..].contains(['。', '！', '？', '?', '!']))
                    })
            });
            let Some(first) = counted else { continue };
            let denies = |text: &str| {
                ZH_NONE_OF
                    .captures_iter(text)
                    .find(|c| c.name("n").is_some_and(|m| m.as_str() == noun))
                    .and_then(|c| c.get(0))
                    .map(|m| (m.start(), m.end()))
            };
            let message = Message::new("call.conflict.count_denied").with("unit", noun);
            conflicts.extend(denied_total(first, "count", message, &denies));
        }
    }

    // A budget figure and, in a later turn, a flat "no budget" with no figure after it; a
    // buying or go-live date and, later, "no rush" / "上半年不会弄" with no date after it; the
    // cost of the problem and, later, "it's not really a problem" with no cost after it.
    // What was said first is taken back, and nothing later settles it.
    let budget_figures: Vec<&LocatedFact> = facts
        .iter()
        .filter(|f| f.role == FactRole::Budget && for_concept(f, "budget") && matches!(f.fact, Fact::Money { .. }))
        .collect();
    let buying_dates: Vec<&LocatedFact> = facts
        .iter()
        .filter(|f| {
            f.role == FactRole::Buying
                && !f.hedged
                && for_concept(f, "timeline")
                && matches!(f.fact, Fact::Timeline { resolved: Some(_), .. })
        })
        .collect();
    // What the problem costs ("每个月光赔付就得赔七八千") and, later, "一年到头也赔不了几回，这块真没啥事":
    // the pain is taken back as a budget figure would be.
    let losses: Vec<&LocatedFact> = facts
        .iter()
        .filter(|f| {
            f.role == FactRole::Loss && !f.hedged && for_concept(f, "need") && matches!(f.fact, Fact::Money { .. })
        })
        .collect();
    let retractions: [(usize, &str, &[&LocatedFact]); 3] =
        [(BUDGET, "budget", &budget_figures), (TIMELINE, "timeline", &buying_dates), (NEED, "need", &losses)];
    for (concept, name, stated) in retractions {
        let Some(first) = stated.first() else { continue };
        let denial = items.iter().find(|i| {
            i.concept == concept
                && i.evidence.says == CriterionStatus::Negative
                && i.at.0 > first.span.turn
                && !stated.iter().any(|f| f.span.turn > i.at.0)
        });
        if let Some(denial) = denial.filter(|d| !corrects(d.evidence.span)) {
            conflicts.push(taken_back(name, first.span, quote_of(first.span), first.fact.message(), denial));
        }
    }

    // "钱不是问题", "money's no object" or "不差这点钱" with no figure, and in a later turn
    // "哪有闲钱" with nothing after it: the claim of money is taken back as a figure would be.
    let money_claim = items.iter().find(|i| {
        i.concept == BUDGET
            && (i.evidence.note_message.as_ref().is_some_and(|m| m.code == "call.note.money_no_problem")
                || i.evidence.says == CriterionStatus::Confirmed
                    && i.evidence.fact.is_none()
                    && i.evidence.mode == Mode::Rules)
    });
    if let Some(claim) = money_claim {
        let later = |i: &&Item| i.concept == BUDGET && i.at.0 > claim.at.0;
        let denial = items.iter().filter(later).find(|i| i.evidence.says == CriterionStatus::Negative);
        // A figure said before the no is taken back by the figure's own check; one said in
        // the no itself ("一万来块 ... 钱全砸在...上了") is part of it.
        let denial = denial.filter(|d| budget_figures.iter().all(|f| f.span.turn >= d.at.0));
        let settled = denial.is_some_and(|d| {
            items.iter().filter(later).any(|i| i.at.0 > d.at.0 && i.evidence.says != CriterionStatus::Negative)
        });
        if let Some(denial) = denial.filter(|d| !settled && !corrects(d.evidence.span)) {
            let code = match &claim.evidence.note_message {
                Some(m) if m.code == "call.note.money_no_problem" => "call.note.money_no_problem",
                _ => "call.note.money_claimed",
            };
            let fact = Message::new(code);
            conflicts.push(taken_back("budget", claim.evidence.span, claim.evidence.quote.clone(), fact, denial));
        }
    }

    // "元旦前必须上" and later "其实也不用那么赶……等明年下半年再统一上吧": a plan put off (by
    // more than two months) is a changed date even when the new one is a loose window or said
    // with a "吧".
    let buying: Vec<&LocatedFact> = facts
        .iter()
        .filter(|f| {
            matches!(f.fact, Fact::Timeline { resolved: Some(_), .. })
                && f.role == FactRole::Buying
                && for_concept(f, "timeline")
        })
        .collect();
    for later in &buying {
        let text = transcript.turns.get(later.span.turn).map(|t| t.text.as_str()).unwrap_or("");
        if !POSTPONED.is_match(text) || conflicts.iter().any(|c| c.later.turn == later.span.turn) {
            continue;
        }
        let earlier = buying.iter().rev().find(|e| {
            e.span.turn < later.span.turn
                && matches!(e.fact, Fact::Timeline { kind: TimelineKind::Absolute | TimelineKind::Quarter, .. })
                && match (&e.fact, &later.fact) {
                    (Fact::Timeline { resolved: Some(x), .. }, Fact::Timeline { resolved: Some(y), .. }) => {
                        (*y - *x).num_days() > 60
                    }
                    _ => false,
                }
        });
        if let Some(earlier) = earlier.filter(|_| !corrects(later.span)) {
            conflicts.push(changed("timeline", Some("timeline"), earlier, later));
        }
    }
    // Statements of a concept said, by `side`, one way and then, two turns or more later, the
    // other: the first such pair not settled by a correction, with `code`'s message (`arg` is
    // "yes" when the later statement is on the `side`).
    let said_both_ways = |concept: &str, mut said: Vec<&Item>, side: &dyn Fn(&Item) -> bool, code: &str, arg: &str| {
        said.sort_by_key(|i| i.at);
        let flip = said.windows(2).find(|pair| {
            side(pair[0]) != side(pair[1]) && pair[1].at.0 >= pair[0].at.0 + 2 && !corrects(pair[1].evidence.span)
        })?;
        let (earlier, later) = (flip[0], flip[1]);
        let explanation = Message::new(code)
            .with(arg, if side(later) { "yes" } else { "no" })
            .with("turn", earlier.at.0.to_string())
            .with("quote", earlier.evidence.quote.as_str());
        let first = (earlier.evidence.span, earlier.evidence.quote.clone());
        Some(said_again(concept, Some(concept), first, later.evidence.span, explanation))
    };
    let code = |i: &Item, code: &str| i.evidence.note_message.as_ref().is_some_and(|m| m.code == code);
    // The reply to the opening ("你说吧，我这边马上要备餐了", "展台那个咖啡还挺好喝的") speaks of the
    // call, not the plan or the pain.
    let first_answer = transcript.turns.iter().position(|t| t.role == Role::Prospect);
    // "这个不急啊今年肯定不弄了……开春再说" and, turns later, "你下个礼拜就给我弄上……赶紧的": no plan
    // and then a hurry (or a hurry and then no plan), with no date to compare. The answer
    // right after may qualify the one before; a correction settles it.
    if !conflicts.iter().any(|c| c.concept.as_deref() == Some("timeline")) {
        // A hurry promised on a condition ("你能让我下个月成交翻五倍，我马上跟你签") is no plan.
        let urgent = |i: &Item| {
            code(i, "call.note.urgency")
                && Some(i.at.0) != first_answer
                && !CONDITIONAL_HURRY.is_match(&i.evidence.quote)
        };
        // Said as no plan in the lexicon's words, not a bare "Not really" to "is there a
        // date?" (no date is not no plan), nor as the model reads it (on the tuning rounds its
        // readings added false conflicts here).
        let no_plan = |i: &Item| {
            i.evidence.says == CriterionStatus::Negative
                && i.evidence.weight >= Weight::Stated
                && i.evidence.mode == Mode::Rules
                && code(i, "call.lexicon")
        };
        let said: Vec<&Item> = items.iter().filter(|i| i.concept == TIMELINE && (urgent(i) || no_plan(i))).collect();
        conflicts.extend(said_both_ways("timeline", said, &urgent, "call.conflict.hurry", "hurry"));
    }
    // "生意好得很……根本不愁客人" and, turns later, "这半年不行……少了快一半" (or pain, then "it
    // works fine"): the need said both ways in the lexicon's words, in answers to no question
    // about anything else, neither answer qualifying the one before; a correction settles it.
    if !conflicts.iter().any(|c| c.concept.as_deref() == Some("need")) {
        // Not the reply to the opening, nor an answer to a question about something else
        // ("这个你不用操心" about money, "我就挺满意了" about a goal).
        let about_other = |turn: usize| {
            exchanges.iter().zip(asked).any(|(e, topics)| e.answer_turn == turn && topics & !bit(NEED) != 0)
        };
        let stated = |i: &&Item| {
            Some(i.at.0) != first_answer
                && !about_other(i.at.0)
                && i.concept == NEED
                && matches!(i.evidence.says, CriterionStatus::Confirmed | CriterionStatus::Negative)
                && i.evidence.weight == Weight::Stated
                && i.evidence.mode == Mode::Rules
                && code(i, "call.lexicon")
        };
        // Being busy ("flat out", "忙都忙不过来") is the season talking, not the pain said again.
        let busy = |i: &&Item| i.evidence.says == CriterionStatus::Confirmed && BUSY.is_match(&i.evidence.quote);
        let said: Vec<&Item> = items.iter().filter(stated).filter(|i| !busy(i)).collect();
        let pain = |i: &Item| i.evidence.says == CriterionStatus::Confirmed;
        conflicts.extend(said_both_ways("need", said, &pain, "call.conflict.pain", "pain"));
    }
    // "I make the call" and, in another turn, "I have no say" or "Jess has to okay anything".
    // The model's readings are not compared, here or for a hurry above: on the tuning rounds
    // they found five more conflicts and nine false ones (BANT 857 -> 851 of 1,051).
    let mut said: Vec<(Span, &str, bool)> = claims
        .decides
        .iter()
        .map(|(s, q)| (*s, q.as_str(), true))
        .chain(claims.no_say.iter().map(|(s, q)| (*s, q.as_str(), false)))
        .chain(claims.others_approve.iter().map(|(s, q)| (*s, q.as_str(), false)))
        .collect();
    said.sort_by_key(|(s, ..)| (s.turn, s.start));
    for pair in said.windows(2) {
        let ((s1, q1, decides1), (s2, _, decides2)) = (pair[0], pair[1]);
        if decides1 != decides2 && s1.turn != s2.turn && !corrects(s2) {
            let explanation = Message::new("call.conflict.decider")
                .with("decides", if decides2 { "yes" } else { "no" })
                .with("turn", s1.turn.to_string())
                .with("quote", q1);
            conflicts.push(said_again("decision_maker", Some("authority"), (s1, q1.to_owned()), s2, explanation));
        }
    }
    // A rate, the tools in use or the age of the business, told again in other words.
    for r in crate::restated::restated(transcript, as_of) {
        if corrects(r.later) || conflicts.iter().any(|c| c.later.turn == r.later.turn) {
            continue;
        }
        let earlier_quote = quote_of(r.earlier);
        let explanation = r.explanation.with("quote", earlier_quote.trim());
        conflicts.push(Conflict {
            subject: r.subject.to_owned(),
            concept: None,
            mode: Mode::Rules,
            earlier: r.earlier,
            earlier_quote,
            later: r.later,
            later_quote: quote_of(r.later),
            explanation: explanation.english(),
            explanation_message: Some(explanation),
        });
    }
    conflicts.extend(waited);
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
                // The last three, as a message so a reader can say it in its own language.
                let shown: Vec<sift_core::Arg> = c
                    .evidence
                    .iter()
                    .rev()
                    .take(3)
                    .rev()
                    .map(|e| {
                        sift_core::Arg::Message(
                            sift_core::Message::new("call.evidence")
                                .with("turn", e.span.turn.to_string())
                                .with("quote", e.quote.as_str())
                                .with_arg("note", e.note_arg()),
                        )
                    })
                    .collect();
                let more = c.evidence.len().saturating_sub(3);
                let message = sift_core::Message::new("call.evidence_note")
                    .with_list("items", shown)
                    .with("more", more.to_string());
                answer.note = Some(message.english());
                answer.note_message = Some(message);
            }
            if c.concept == "timeline" {
                // The buying date that decided the status, else the latest one.
                let deciding = c.evidence.iter().rev().filter(|e| e.says == c.status);
                answer.date = deciding.chain(c.evidence.iter().rev()).find_map(|e| match (&e.fact, e.role) {
                    (Some(Fact::Timeline { resolved, .. }), Some(FactRole::Buying)) => *resolved,
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
    let placeholder_rule = Message::new("call.rule.placeholder");
    let unknown = ConceptEvidence {
        concept: concept.to_owned(),
        status: CriterionStatus::Unknown,
        evidence: Vec::new(),
        decided_by: Vec::new(),
        rule: placeholder_rule.english(),
        rule_message: Some(placeholder_rule),
        mode: Mode::Rules,
    };
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
            let said = Message::new("call.note.rep_note");
            let rule = Message::new("call.rule.rep_note");
            let note = Evidence {
                span,
                quote: text.to_owned(),
                note: said.english(),
                note_message: Some(said),
                says: CriterionStatus::Partial,
                weight: Weight::Hint,
                mode: Mode::Rules,
                fact: None,
                role: None,
            };
            ConceptEvidence {
                concept: concept.to_owned(),
                status: CriterionStatus::Partial,
                evidence: vec![note.clone()],
                decided_by: vec![note],
                rule: rule.english(),
                rule_message: Some(rule),
                mode: Mode::Rules,
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

    /// "I decide" and, turns later, someone else must approve; no plan and, turns later, a
    /// hurry: each a conflict the contact never settled. Said in one answer and the next, or
    /// corrected, they are not.
    #[test]
    fn a_part_or_a_plan_said_both_ways_is_contradicted() {
        use CriterionStatus::*;
        let dad = "he has to sign off on anything, i cant really go buying stuff without him";
        check(
            &[
                "R: Who'd make the call?",
                "thats me, whatever i say goes",
                "R: And the numbers?",
                "Fine.",
                "R: Demo?",
                dad,
            ],
            &[("authority", Contradicted)],
        );
        check(
            &[
                "R: 要是上系统，是您定吗？",
                "这个你就跟我谈，我这边签了就算。",
                "R: 好的。",
                "嗯。",
                "R: 价格一万八。",
                "行，回头跟老板提一嘴，看他那边点不点头。",
            ],
            &[("authority", Contradicted)],
        );
        check(
            &["R: 是您定吗？", "对，我说了算。", "R: 好。", "嗯。", "R: 方案发您。", "这个最后还得投资方那边过目。"],
            &[("authority", Contradicted)],
        );
        check(
            &["R: Who decides?", "I'd run it past my dad, he has to sign off on anything.", "R: OK.", "Sure."],
            &[("authority", Partial)],
        );
        check(
            &[
                "R: 您打算什么时候弄？",
                "这个不急啊，今年肯定不弄了，开春再说吧。",
                "R: 一年六千八。",
                "行。",
                "R: 好的。",
                "你下个礼拜就给我弄上，赶紧的。",
            ],
            &[("timeline", Contradicted)],
        );
        // No problem, then, turns later, a real one (and the other way round).
        check(
            &[
                "R: 黄总您好，我是宴客通的小王。",
                "哦哦，你说吧。",
                "R: 咱们现在经营情况怎么样？",
                "生意好得很，周末全排满，根本不愁客人。",
                "R: 订宴怎么管的？",
                "记在一个大本子上。",
                "R: 最近客人多吗？",
                "唉，这半年不行。办宝宝宴的都往隔壁跑，少了快一半，周末好几个包间都空着。",
            ],
            &[("need", Contradicted)],
        );
        // Busy is no pain said again, nor is a goal met "我就挺满意了".
        check(
            &[
                "R: hi brent its josh from tourdeck",
                "oh yeah gidday",
                "R: how's the season going",
                "yeah flat out mate",
                "R: do you ever lose bookings",
                "nah nah its fine honestly its pretty sweet",
            ],
            &[("need", Negative)],
        );
        // The reply to the opening speaks of the call, not of the plan.
        check(
            &[
                "R: 是何经理吗？",
                "是我。你说吧，我这边马上要备餐了。",
                "R: 好的。",
                "嗯。",
                "R: 什么时候考虑？",
                "明年再说吧，现在真不急。",
            ],
            &[("timeline", Negative)],
        );
        // No date is not no plan: "Not really" to "is there a date?" after "Soon." is read as
        // it stands, not as a plan taken back.
        check(
            &[
                "R: When do you need it?",
                "Soon.",
                "R: OK.",
                "Yes.",
                "R: Is there a date you're working to?",
                "Not really.",
            ],
            &[("timeline", Negative)],
        );
    }

    #[test]
    fn a_follow_up_naming_another_period_asks_the_same_question() {
        use CriterionStatus::*;
        // Money asked again for next year: the period put off is the money's.
        check(
            &["R: 今年还有这块的费用吗？", "没有了，都花在装修上了。", "R: 那明年呢？", "明年再看吧。"],
            &[("budget", Negative), ("timeline", Unknown)],
        );
        // A plain "no hurry" in the same answer still speaks of when.
        check(
            &["R: 今年还有这块的预算吗？", "没有。", "R: 那明年呢？", "明年再说吧，一点都不急。"],
            &[("timeline", Negative)],
        );
        // Not doing it at all next year, asked about next year's money: still a no to buying.
        check(
            &[
                "R: 那如果明年经费下来了，有没有可能考虑一下？",
                "明年也不打算弄这个。真有点钱，我宁可给护理员发点补贴。",
            ],
            &[("timeline", Negative)],
        );
    }

    #[test]
    fn round_42_readings_in_other_words() {
        // "Not mine." to whose call it is: no say.
        check(&["R: If the gym switched apps, whose call would that be?", "Not mine."], &[("authority", Negative)]);
        // A check-in with an adjective before "chat", answered with a doubt: no plan.
        check(&["R: Would a short call in the new year suit you?", "Doubt it."], &[("timeline", Negative)]);
        check(&["R: Is a new till on anybody's list for next year?", "Doubt it."], &[("timeline", Negative)]);
        // Money spent, then nothing more until next year: no budget.
        check(
            &["R: Any spend planned on kit?", "We bought a van in June. Nothing more until the next fiscal year."],
            &[("budget", Negative)],
        );
        // A result wanted by a date is a goal's deadline, not a buying date, even asked when.
        check(
            &[
                "R: When would you want it in place?",
                "honestly as soon as possible the partners want to see the summer bookings better by easter",
            ],
            &[("timeline", Partial)],
        );
        // A hurry promised on a condition, then no plan: no plan, not a contradiction.
        check(
            &[
                "R: 您希望达到什么效果？",
                "你能让我下个月业绩翻十倍，我马上跟你签。",
                "R: 那开春再联系您？",
                "到时候再说吧，以后的事谁说得准。",
            ],
            &[("timeline", Negative)],
        );
        check(
            &[
                "R: 您希望达到什么效果？",
                "一个月回本，做得到我立马签。",
                "R: 那明年再联系您？",
                "不用了，现在这样挺好，没这个打算。",
            ],
            &[("timeline", Negative)],
        );
        // Money gone on a purchase is spent, not lost; nothing this year or next is no budget.
        check(
            &[
                "R: any money set aside for it",
                "no we just bought a new oven in march thats six grand gone so nothing this year or next",
            ],
            &[("budget", Negative)],
        );
        check(
            &["R: any problems with it", "yeah the no-shows, thats two grand gone every month"],
            &[("need", Confirmed)],
        );
        check(
            &["R: any problems with it", "not really, we bought a new press in may thats nine grand gone on that"],
            &[("need", Unknown)],
        );
        // Waiting on the one who decides, or reading what was sent, is no change of date.
        check(
            &[
                "R: 时间上呢？",
                "越快越好，下个月就要用上。",
                "R: 那我出个报价，您看合适就签？",
                "那得等我爱人看了再说，钱都是她管。",
            ],
            &[("timeline", Confirmed)],
        );
        check(
            &["R: 时间上呢？", "三月一号之前要装好。", "R: 我把方案发您微信？", "行，你把方案发我，我先看看。"],
            &[("timeline", Confirmed)],
        );
        check(&["R: 时间上呢？", "等我爱人回来再说吧，不急。"], &[("timeline", Negative)]);
        // One part first, the rest later: the plan holds.
        check(
            &[
                "R: 什么时候要装好？",
                "新店三月一号开业，二月中之前必须装完。",
                "R: 老店一起换吗？",
                "先新店，好装。老店等新店跑顺了再说。",
            ],
            &[("timeline", Confirmed)],
        );
        // A monthly figure in thousands to a money question asked with 不: partial.
        check(
            &["R: 那费用这块您心里大概有个数不", "一个月 两三千吧 我也说不好 得看你们报啥价"],
            &[("budget", Partial)],
        );
        // The price of a system already bought is no budget.
        check(&["R: 现在怎么管的？", "我们买了一套管理系统，一年三千多块，员工拍了传上去。"], &[("budget", Unknown)]);
        // Shanghainese 伊 as the one who nods, after the contact said it was theirs.
        check(
            &[
                "R: 这种事情听您的吗？",
                "当然是我，我一个人说了算。",
                "R: 签的话要走什么流程？",
                "这个要给阿拉合伙人老钱看的，要花钞票的事体都是伊点头。伊讲不行就不行。",
            ],
            &[("authority", Contradicted)],
        );
        // A hedged "a bit can't keep up" is partial pain.
        check(&["R: 现在预订这块怎么管的？", "三个厅一起转，人手有点跟不上。"], &[("need", Partial)]);
    }

    #[test]
    fn a_meeting_date_is_no_buying_date_and_a_clipped_not_me_is_no_say() {
        use CriterionStatus::*;
        check(
            &[
                "R: When would you want it running?",
                "Soon as we can. I'm meeting the trustees on the 9th of February about the roof, mind.",
            ],
            &[("timeline", Partial)],
        );
        check(
            &["R: When would you want it running?", "Live by the 9th of February, before the spring lets."],
            &[("timeline", Confirmed)],
        );
        check(&["R: Who'd be involved in picking a system?", "Head office. Not me."], &[("authority", Negative)]);
    }

    /// Read from round 41, in other words than its calls.
    #[test]
    fn plans_asked_about_parts_asked_in_other_words_and_money_not_set_aside() {
        use CriterionStatus::*;
        // "Who'd be the one to look at that?" asks who decides; "not me" to it is no say.
        check(
            &[
                "R: If the surgery changed its booking system, who'd be the one to look at that?",
                "Not me. The partners, probably. I just do reception on Mondays.",
            ],
            &[("authority", Negative)],
        );
        // A plan asked about, or another try later, answered with a doubtful no.
        check(
            &["R: Is anything of that kind being planned at the club, as far as you know?", "Don't think so."],
            &[("timeline", Negative)],
        );
        check(&["R: Would it be worth trying you again in the spring?", "Doubt it."], &[("timeline", Negative)]);
        // Nothing earmarked and a request to make: money may come, nothing is set.
        check(
            &[
                "R: Is there money for this?",
                "well that's under his limit so i'd still have to put a request in to dave nothing's earmarked for it yet",
            ],
            &[("budget", Partial)],
        );
        // Nothing left this year, a request to make in next year's round.
        check(
            &[
                "R: anything put aside for it",
                "no there's nothing left in this year's budget the board sets next year's spending in march so i'd have to put a case in for that round maybe ask for five grand",
            ],
            &[("budget", Partial)],
        );
        check(
            &[
                "R: anything put aside for it",
                "no there's nothing left in this year's budget and nothing next year either",
            ],
            &[("budget", Negative)],
        );
        // 最后还是得我点头: the contact decides, however many are consulted.
        check(
            &["R: 买东西一般谁说了算？", "我啊。会计也跟我商量，不过最后还是得我点头。"],
            &[("authority", Confirmed)],
        );
        check(&["R: 谁拍板？", "这个得我老婆点头才行。"], &[("authority", Partial)]);
        // No hurry, not even next year; nothing thought about.
        check(&["R: 您大概什么时候考虑？", "没那么着急的，明年都说不准，看行情。"], &[("timeline", Negative)]);
        check(&["R: 明年有什么打算吗？", "明年照旧，换设备的事还没想过。"], &[("timeline", Negative)]);
        // It would be no use here: no need.
        check(
            &["R: 平时安全这块怎么管？", "我们有人轮流值班。您说的那个系统，放我们这儿根本用不上。"],
            &[("need", Negative)],
        );
        // Leads lost for want of a record: need, with its cost.
        check(
            &["R: 咨询完怎么跟进？", "都记本子上，旺季根本记不过来，一年跑掉的意向客户少说几十个。"],
            &[("need", Confirmed)],
        );
        // Someone else approves, and turns later the contact signs alone: contradicted.
        check(
            &[
                "R: 最后谁拍板？",
                "那得俺们老板，我就是把方案递上去，他点头了才中。",
                "R: 好。",
                "嗯。",
                "R: 那要不要约老板一起看？",
                "不用约他，这点钱俺这儿就能批，用不着往上报。",
            ],
            &[("authority", Contradicted)],
        );
        // Hurry with no date; quiet weekdays: partly there.
        check(&["R: 打算什么时候上？", "越早用越好，这事真拖不起了。"], &[("timeline", Partial)]);
        check(&["R: 生意怎么样？", "就那样，周末还行，平时嗯 客人少。"], &[("need", Partial)]);
        // Paid monthly, under the contact's own limit, though the year's money is over it.
        check(
            &[
                "R: 预算呢？",
                "明年我单独留了四万。",
                "R: 还要谁点头？",
                "单笔三万以内我签字就行，三万以上才上董事会。你们这个按月付，一个月两千多，在我这儿就批了。",
            ],
            &[("authority", Confirmed)],
        );
        // The limit's own wording is no such statement: over it, someone else decides.
        check(
            &[
                "R: 预算呢？",
                "明年我单独留了四万。",
                "R: 还要谁点头？",
                "三万以下的我签字就行，三万往上得上办公会，最后董事长拍板。",
            ],
            &[("authority", Partial)],
        );
        // Fees said, then all of it gone on activities in the next sentence: no budget.
        check(
            &[
                "R: 经费从哪儿来？",
                "会员一人一年交五十块，一年下来也就八千来块。搞活动、买奖品、过节聚餐，全花这上头了，没闲钱。",
            ],
            &[("budget", Negative)],
        );
    }

    #[test]
    fn a_busy_season_asked_about_is_no_pain() {
        use CriterionStatus::*;
        check(
            &[
                "R: And the busy season, over the summer?",
                "July and August we're slammed on the boats, but the bookings desk goes quiet.",
            ],
            &[("need", Unknown)],
        );
        check(&["R: 旺季的时候呢？", "十月到十二月连轴转，不过那会儿订单反而少。"], &[("need", Unknown)]);
        // Asked about the process, being swamped is pain.
        check(
            &["R: How's the bookings desk coping?", "We're swamped and losing bookings to the marina next door."],
            &[("need", Confirmed)],
        );
    }

    #[test]
    fn money_claimed_without_a_figure_and_then_denied_is_contradicted() {
        use CriterionStatus::*;
        check(
            &[
                "R: 会员现在有多少？",
                "一千出头吧，钱的事你放心，我们不差这个钱。",
                "R: 基础版一年五千。",
                "五千啊，说实话这个月哪拿得出钱。",
            ],
            &[("budget", Contradicted)],
        );
        // Said twice, never denied: no contradiction.
        check(&["R: 费用呢？", "不差这点钱。", "R: 好的。", "钱这块你放心。"], &[("budget", Confirmed)]);
    }

    #[test]
    fn a_bare_no_to_a_who_question_names_nobody_and_is_not_a_no_to_the_topic() {
        use CriterionStatus::*;
        check(&["R: Who else will be involved in evaluating this?", "P: No one."], &[("authority", Unknown)]);
        check(&["R: 还有谁会参与评估？", "P: 没有。"], &[("authority", Unknown), ("decision_criteria", Unknown)]);
        check(&["R: Is there any budget for this?", "P: No."], &[("budget", Negative)]);
    }

    #[test]
    fn a_problem_described_at_length_when_asked_about_one_is_need() {
        use CriterionStatus::*;
        check(
            &[
                "R: And where does that end up hurting you?",
                "P: The state reporting. We report completions every quarter and last spring the numbers didn't match, so we were put on a plan by the funder.",
            ],
            &[("need", Confirmed)],
        );
        // Said to be fine, or answered in a few words: no such reading.
        check(
            &[
                "R: What are the biggest challenges with scheduling?",
                "P: Honestly it's fine, the team knows the diary and we have done it this way for nine years without trouble.",
            ],
            &[("need", Unknown)],
        );
        check(&["R: Any problems with it?", "P: Not that I know of."], &[("need", Negative)]);
        // What it costs, asked in other words and answered with money paid out; a cost played down.
        check(
            &[
                "R: what does that end up costing you",
                "P: well the callbacks after handover are the killer last year we paid out um sixty two grand on warranty callbacks",
            ],
            &[("need", Confirmed)],
        );
        check(&["R: 那寄错一次损失多少？", "P: 没算过 不多 就几回 一般过年前那阵子"], &[("need", Unknown)]);
        // A metric against a benchmark.
        check(
            &[
                "R: And what made you book the call?",
                "P: Empty weeks. Our average void last year was twenty-three days. The regional figure from the forum is fourteen.",
            ],
            &[("need", Confirmed)],
        );
    }

    /// A rate against what a contract or a head office requires is pain; "what does X cost
    /// you" and "乱在哪" ask about it; "好使着呢", "用不着这个", "they get it fine" deny it.
    #[test]
    fn pain_against_a_requirement_and_denials_in_other_words() {
        use CriterionStatus::*;
        check(
            &[
                "R: What made you fill in the form?",
                "P: Failed drops. The pub group has ninety-five percent on time written into the contract, and in October we were at eighty-six percent.",
            ],
            &[("need", Confirmed)],
        );
        check(
            &[
                "R: 乱在哪里呢？",
                "P: 经常撞车嘛。上个月安装准时率只有百分之七十，品牌总部的要求是百分之九十五，年底考核不达标要扣返点的。",
            ],
            &[("need", Confirmed)],
        );
        check(
            &[
                "R: Do you know what a failed drop actually costs you?",
                "P: Driver time, diesel, the second trip, the landlord's patience. It adds up every single week for us.",
            ],
            &[("need", Confirmed)],
        );
        check(
            &[
                "R: right and when one jams on a busy night what happens",
                "P: well the lane just goes dark and we squeeze the party onto another lane or refund them",
            ],
            &[("need", Confirmed)],
        );
        check(&["R: 出错多吗？", "P: 多。有两个大的工程客户已经放话了，再错就换供应商。"], &[("need", Confirmed)]);
        check(
            &["R: 你们在美团上排名怎么样？", "P: 以前排前五，现在掉到二十名开外了，搜都搜不到我们。"],
            &[("need", Confirmed)],
        );
        check(&["R: 现在用的设备怎么样？", "P: 说实话好使着呢，会员也都习惯了，没什么毛病。"], &[("need", Negative)]);
        check(&["R: 那如果以后要上个系统呢？", "P: 我跟你讲老实话，我们用不着这个。"], &[("need", Negative)]);
        check(
            &[
                "R: Do customers find it hard to picture the finished kitchen?",
                "P: Not really. They get it fine from the drawings.",
            ],
            &[("need", Negative)],
        );
    }

    /// Money said to be there, even as a guess ("账上还趴着二十来万"), then none at all.
    #[test]
    fn money_said_there_then_none_is_contradicted() {
        use CriterionStatus::*;
        check(
            &[
                "R: 合作社规模多大？",
                "P: 三百多户。今年补贴也批下来了，社里账上还趴着二十来万呢。",
                "R: 那开播之前装上来得及不？",
                "P: 明年再说吧。社里账上哪有钱啊，钱全压在粮库里了，一分活钱都没有。",
            ],
            &[("budget", Contradicted)],
        );
        // Permits not yet granted are no budget at all.
        check(&["R: 新店什么时候开？", "P: 明年十月份才开呢，手续还没批下来，装修早着呢。"], &[("budget", Unknown)]);
    }

    /// A goal's deadline said with the goal's own verb is not when they buy; a buying word
    /// beside it keeps it the buying date.
    #[test]
    fn a_goals_deadline_in_chinese_is_not_the_buying_date() {
        use CriterionStatus::*;
        check(&["R: 上线以后您希望看到啥效果？", "P: 回款天数明年年底之前降到四十五天。"], &[("timeline", Unknown)]);
        check(&["R: 什么时候要用上？", "P: 明年三月之前要上线，然后把回款天数降下来。"], &[("timeline", Confirmed)]);
        check(&["R: 时间上怎么打算？", "P: 开春也够呛，明年再看吧。"], &[("timeline", Negative)]);
    }

    #[test]
    fn money_paid_in_deductions_is_the_cost_of_the_problem() {
        use CriterionStatus::*;
        check(
            &[
                "R: How's the milk quality?",
                "P: Last quarter we paid just over eighteen thousand pounds in quality deductions.",
            ],
            &[("need", Confirmed), ("budget", Unknown)],
        );
        check(&["R: What did it cost?", "P: We paid forty thousand pounds for the new line."], &[("need", Unknown)]);
    }

    #[test]
    fn bare_replies_to_a_question_about_a_problem() {
        use CriterionStatus::*;
        // How often it happens says something about the need, not about when.
        check(
            &["R: Does the paper slow things down when it's that busy?", "P: Sometimes."],
            &[("need", Partial), ("timeline", Unknown)],
        );
        check(&["R: Does the sheet ever cause headaches?", "P: Sometimes."], &[("need", Partial)]);
        check(&["R: 排车的时候会不会出问题？", "P: 偶尔吧。"], &[("need", Partial)]);
        check(&["R: Do you get many no-shows?", "P: Hardly."], &[("need", Negative)]);
        check(&["R: Is there anything set aside this year?", "P: Not a penny."], &[("budget", Negative)]);
        check(&["R: Does it ever catch you out?", "P: No. We know what's on the yard."], &[("need", Negative)]);
        check(&["R: Would it be worth a chat in the spring?", "P: Doubt it."], &[("timeline", Negative)]);
    }

    use CriterionStatus::*;

    #[test]
    fn budget_statuses() {
        let cases: &[(&[&str], CriterionStatus)] = &[
            // Dues said, all gone on kit: no budget; a budget to be spent on the system is one.
            (&["R: 费用方面有安排吗？", "协会里莫得钱。会费一年收个八千来块，全拿去租场地了。"], Negative),
            (&["R: 费用方面有安排吗？", "预算五万，都会用在这套系统上。"], Confirmed),
            // Money already sunk into something else is no budget; money set aside is.
            (
                &[
                    "R: Is anything set aside for new systems next year?",
                    "Not a chance. We put thirty grand into a new envelope for the big balloon in March.",
                ],
                Negative,
            ),
            (&["R: Is anything set aside?", "We put thirty grand aside for it in March."], Confirmed),
            // Money there is, all sunk into the vans.
            (&["R: 有预算吗？", "账上有两百万，全都压在车上了，手头紧得很。"], Negative),
            // What the vans just bought cost each is no budget.
            (&["R: 今年有没有考虑过这块的开支？", "莫得。今年才换了三台车，一台十几万，手头紧得很。"], Negative),
            (&["R: 预算呢？", "今年给这个留了一台车的钱，十几万。"], Confirmed),
            // 莫得 is a no.
            (&["R: 费用方面，今年有没有考虑过这块的开支？", "莫得。手头紧得很。"], Negative),
            // "Not really", then money to be asked for: the no is not the answer's last word.
            (
                &[
                    "R: cool and have you got a sense of what you could spend on something like this",
                    "um not really she hasn't said a number i'd have to take it to her with the price",
                ],
                Partial,
            ),
            (
                &["R: money wise is there anything put aside for it", "not as such itd have to go in as a capex bid"],
                Partial,
            ),
            (&["R: 那费用这块家里有考虑吗？", "讲老实话，现在手上冇得钱。现在一分都不会拿出来。"], Negative),
            // What the money already went on is no budget.
            (
                &[
                    "R: Is there anything put by for this?",
                    "No. It all went on new safes and cameras after the break in, thirty grand that was.",
                ],
                Negative,
            ),
            // "Not as such", and money to be asked for.
            (
                &[
                    "R: is there money set aside for something like this",
                    "um not as such there's no line for it i'd have to go to owen with a number and see what he says",
                ],
                Partial,
            ),
            // Money raised but spoken for, and nothing new bought before launch.
            (
                &[
                    "R: Is there any spend earmarked for tooling this year?",
                    "We raised one point two million last spring, but it's all going on the port and salaries, and the founders said nothing new gets bought before launch.",
                ],
                Negative,
            ),
            (&["R: Any budget?", "We raised a million last spring and twenty grand of it is for tools."], Confirmed),
            // A no to one of two options.
            (
                &[
                    "R: have you got money put by for it or would it be a case of finding it",
                    "no it's there so this year i put eight thousand pounds against software for the vans",
                ],
                Confirmed,
            ),
            // A no, then money spent on something else.
            (
                &[
                    "R: is there anything put aside for software this year",
                    "nope the tankers gearbox went in october cost me eight grand so",
                ],
                Negative,
            ),
            // Asked without a question mark, in speech-recognition text.
            (
                &[
                    "R: fair enough um on the money side is there anything set aside for this",
                    "um not as such there's nothing sitting there for it i'd have to go and ask for it",
                ],
                Partial,
            ),
            (
                &[
                    "R: and in terms of money is anything set aside",
                    "uh there's probably something in the improvement pot i dunno twenty maybe thirty grand i'd have to check with angela to be honest",
                ],
                Partial,
            ),
            // Only under a limit, or not promised, or asked for and not yet approved: partial.
            (
                &[
                    "R: and is there money put aside for it",
                    "not as such id have to put it to janet if its under a couple of grand a year she might find it",
                ],
                Partial,
            ),
            (&["R: Budget?", "About eight grand, but I can't promise that."], Partial),
            // A figure said as a condition ("if it's a few hundred a year fine"): partial.
            (
                &[
                    "R: is there any money put aside for something like this",
                    "um depends what it costs really if its a few hundred a year fine if its thousands then no",
                ],
                Partial,
            ),
            (&["R: 预算方面呢？", "一个月一两百块的话 应该问题不大吧 再多了我得跟我老婆商量"], Partial),
            (&["R: Budget?", "It's a few hundred a year, that's what we've got."], Confirmed),
            (&["R: 预算方面呢？", "一个月两百块，已经留出来了。"], Confirmed),
            (&["R: 那从那笔钱里出可以吗？", "合作社现在账上真是一分都没有，啥也买不了。"], Negative),
            (&["R: 预算呢？", "这个系统我在明年预算里报了十二万，下周三办公会过，过了的话一月份就能走合同。"], Partial),
            (&["R: 预算呢？", "明年预算里已经批了十二万。"], Confirmed),
            (&["R: 预算呢？", "我十月报了二十五万做信息化，上周五会上批下来了。"], Confirmed),
            (&["R: Budget?", "We put eighteen thousand into next year's plan for it."], Confirmed),
            // Money claimed with no figure, then none: taken back.
            (
                &[
                    "R: 费用方面有想法吗？",
                    "钱不是问题，你报个价就行。",
                    "R: 先试用一下？",
                    "说实话最近生意不好，我手上哪有闲钱弄这个。",
                ],
                Contradicted,
            ),
            (
                &[
                    "R: Any budget in mind?",
                    "Money's not a problem, send me a quote.",
                    "R: And the timing?",
                    "Honestly we can't afford anything this year.",
                ],
                Contradicted,
            ),
            (&["R: What budget have you set aside?", "About forty thousand."], Confirmed),
            (&["R: What can you invest?", "We have about $40k for this."], Confirmed),
            (&["The budget is approved."], Confirmed),
            (&["R: 预算大概多少？", "预算是20万。"], Confirmed),
            (&["R: 预算有多少？", "大概两百万，老板批了。"], Confirmed),
            (&["R: 预算有多少？", "两百万吧。"], Partial),
            (
                &["R: Is any money earmarked?", "Not really. We'd scrape together a few hundred a month, I reckon."],
                Partial,
            ),
            (&["There's some budget, it depends on the price."], Partial),
            (&["R: Budget?", "Maybe 50k, I'm not sure."], Partial),
            (&["应该有一些预算。"], Partial),
            (&["There's no budget this year."], Negative),
            (&["R: Do you have budget for this?", "No."], Negative),
            (&["今年没有预算。"], Negative),
            // A figure joined to a unit is a size; a fee per square metre is a price.
            (&["R: Has anything been set aside for it?", "We just bought three sixty-seat vans."], Unknown),
            // Budget questions in other words, and a bare answer to one.
            (&["R: Is there a figure you're working to—", "Twelve thousand. It's earmarked already."], Confirmed),
            (&["R: right is there anything put by for a new system", "nah not a penny the roof took it all"], Negative),
            (&["R: 老板有没有说过想在这块投点钱？", "哪来的钱啊，上个月刚换了设备。"], Negative),
            (&["R: 预算大概多少？", "我们的租金一平米一个月四十块，利润很薄。"], Unknown),
            (&["R: Roughly how much are we talking about?", "Twenty-two thousand, and it's my budget."], Confirmed),
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
    /// Authority is about this contact (LABELLING.md): they decide (`confirmed`), someone
    /// else decides or signs and they recommend (`partial`), they have no say (`negative`).
    fn authority_statuses() {
        let cases: &[(&[&str], CriterionStatus)] = &[
            // "Not part of any of that": no say.
            (
                &[
                    "R: Would you be involved at all?",
                    "I run the Discord and the socials, I'm not part of any of that. The programmers sort out their own tools.",
                ],
                Negative,
            ),
            (
                &[
                    "R: How does a purchase like that get approved?",
                    "That part's simple, it's mine. Anything under thirty thousand a year I sign myself.",
                ],
                Confirmed,
            ),
            (&["Honestly, I make the call on tools like this."], Confirmed),
            // Speech recognition output: no capitals, no apostrophes.
            (
                &[
                    "R: who would be choosing the new system",
                    "P: its my shop my call i dont have to clear it with anybody",
                ],
                Confirmed,
            ),
            (
                &[
                    "R: who gets a say on this",
                    "P: me its my call",
                    "R: shall i send a quote",
                    "P: yeah ill run it past marco marco approves anything we buy",
                ],
                Contradicted,
            ),
            (&["R: If the firm did pick a new tool, who'd be part of that?", "P: Not me."], Negative),
            (
                &["R: If you went ahead with something like this, would that be your call?", "P: Me. Who else."],
                Confirmed,
            ),
            (&["R: Who decides?", "Our CFO signs off on anything over 10k."], Partial),
            (&["I need to run it by our CFO."], Partial),
            (&["R: Who decides?", "The VP of Sales decides."], Partial),
            (&["这个需要老板拍板。"], Partial),
            (&["我说了算。"], Confirmed),
            (&["R: Who else is involved?", "I need to run it by my team, we decide together."], Partial),
            (&["我得跟领导商量一下。"], Partial),
            (&["I have no say in this, it's not my call."], Negative),
            (&["我说了不算。"], Negative),
            (&["I have no say, our CFO decides."], Negative),
            (&["Our CEO decides on this.", "R: OK.", "Actually the VP of Sales decides."], Contradicted),
            (&["I make the call here.", "R: Great.", "Well, I have no say in budgets like this."], Contradicted),
            (&["我们总监决定。", "R: 好的。", "最后还是老板拍板。"], Contradicted),
            // Full authority handed to the contact, then, turns later, the boss deciding after all.
            (
                &[
                    "这摊事老板已经全权交给我了，选哪家我这边定了就算。",
                    "R: 好的。",
                    "其实最后还得老板说了算，我定不了。",
                ],
                Contradicted,
            ),
            (&["这摊事老板已经全权交给我了。"], Confirmed),
            (&["R: Would buying it be down to you?", "Yep. Mine."], Confirmed),
            (&["R: Would buying it be down to you?", "No, the owner decides."], Negative),
            (
                &[
                    "it's my firm so it all lands on me i sign everything there's nobody else",
                    "R: who'd need to see it",
                    "oh i'd have to show rhys my brother he owns it so he'd have the final say on anything like this",
                ],
                Contradicted,
            ),
            (&["R: Who decides?", "My partner. She has the final say."], Partial),
            (&["It's my shop.", "R: And a big spend?", "If it's over ten grand he'd have the final say."], Confirmed),
            (&["R: 这事谁定？", "我一句话的事。"], Confirmed),
            // Said both ways, speech recognition style, the second time through someone else's
            // final say, signature or nod.
            (
                &[
                    "R: how does the galley side work",
                    "P: the galley side is all mine if we got something like yours thatd be my call",
                    "R: whats the next step",
                    "P: well id have to put it to gwen um she signs off anything that touches the boats",
                ],
                Contradicted,
            ),
            (
                &[
                    "R: who would make that call",
                    "P: thats me its my business i sign everything off theres nobody else",
                    "R: shall we book a demo",
                    "P: youd have to get my sister on that shes got the final say on anything we buy i cant sign for anything",
                ],
                Contradicted,
            ),
            (
                &[
                    "R: 这事谁定？",
                    "店是我开的，这种事我自己拍板就行。",
                    "R: 那下一步呢？",
                    "最后还是得我合伙人老周拍板，他说行才行。",
                ],
                Contradicted,
            ),
            (&["R: 这事最后谁来拍板？", "得吴理事长点头，我就是负责先看看。"], Partial),
            (&["R: 这事谁定？", "这个得我拍板。"], Confirmed),
            (
                &["R: 这事谁定？", "我点头就行。", "R: 报价发您？", "发给钱总吧，最后得他签字，我就是帮着看看。"],
                Contradicted,
            ),
            (
                &[
                    "R: 这事谁定？",
                    "我点头就行。",
                    "R: 报价发您？",
                    "发给王总吧。王总是我们大股东，钱是他出的。这个最后得他签字。",
                ],
                Contradicted,
            ),
            (&["R: 这事谁定？", "我点头就行。", "R: 预算呢？", "钱总是不够用，不过这个我能批。"], Confirmed),
            (&["I need to run it by my boss."], Partial),
            (&["R: Who decides?", "The VP of Sales decides, I'd run it by her first."], Partial),
            (&["Our CEO has the final say."], Partial),
            (
                &[
                    "R: Who makes the call on buying something like this?",
                    "Not me.",
                    "R: Who then?",
                    "Linda. Or the owners.",
                ],
                // "Not me." first: naming who does decide confirms the contact's no say.
                Negative,
            ),
            (&["R: Who makes the call on buying something like this?", "Linda. Or the owners."], Partial),
            (
                &[
                    "R: Who would look at new software for the shop?",
                    "Not me.",
                    "R: Who would it be?",
                    "Gail, the owner.",
                ],
                Negative,
            ),
            (
                &[
                    "R: Would Roy be the one to look at something like online tickets?",
                    "That'd be Roy. Not me. I'm the bailiff.",
                ],
                Negative,
            ),
            (&["R: 那这个事情，屋里是谁拍板呢？", "那肯定是我爸咯，钱都在他手上。我负责跟他讲。"], Partial),
            (
                &[
                    "R: And who signs them off?",
                    "Nobody, it's mine. We set it up that way: anything over five grand needs my signature.",
                ],
                Confirmed,
            ),
            (
                &["R: and who signs them off", "so on this one id write up the case but its dawns signature not mine"],
                Partial,
            ),
            // The contact decides only under a limit, above which someone else signs.
            (
                &[
                    "R: 那系统这块，最后谁说了算？",
                    "我们有个规矩，五千以内我自己就能做主，五千到三万要邓总签字。",
                    "R: 那费用上有没有个大概的数？",
                    "邓总已经点头了，系统这块给两万五。",
                ],
                Partial,
            ),
            // Under a limit of the contact's own with the price within it.
            (
                &[
                    "R: 谁来定？",
                    "我们公司章程写得很清楚，五万以内的开支我自己就能定，超过五万要三个股东一起签字。",
                    "R: 那费用这块您心里大概有个数吗？",
                    "有。年初做预算的时候我就从管理费里划了四万八出来，专门干这个的，一直没动。",
                ],
                Confirmed,
            ),
            (&["R: 最后谁拍板？", "不是我。"], Negative),
            // An approval limit is compared with the budget.
            (
                &["R: Budget?", "We have $45,000.", "R: Who signs?", "Tom signs anything over twenty-five grand."],
                Partial,
            ),
            (
                &["R: Budget?", "We have $20,000.", "R: Who signs?", "I make the call, Tom signs anything over 25k."],
                Confirmed,
            ),
            (&["R: Budget?", "预算三十万。", "R: 谁拍板？", "我来定，金额超过五十万才需要老板签字。"], Confirmed),
            (&["R: Budget?", "预算二十八万。", "R: 谁拍板？", "方案我来定，合同超过二十万要郑总签字。"], Partial),
            // "I decide" and later "Jess has to okay anything we pay for": a contradiction.
            (
                &[
                    "R: Who makes the call?",
                    "Just me.",
                    "R: OK.",
                    "I'd have to get Jess to okay anything we pay for anyway.",
                ],
                Contradicted,
            ),
            (&["R: Who decides?", "Not sure, maybe our CEO."], Partial),
            // The contact as the whole answer to "whose call?", and "not me" to "who'd make that call?".
            (&["R: If you did go for a tool like ours, whose call would that be?", "Mine."], Confirmed),
            (&["R: And if you did go for something, would that be your call?", "yeah me"], Confirmed),
            (&["R: 那这个项目是您这边定吗？", "我。"], Confirmed),
            (&["R: Who would make that call?", "Not me anyway. I just do the phones and the diary."], Negative),
            (
                &["R: Would you be involved at all in picking a service?", "Not me, love. I just book the jobs in."],
                Negative,
            ),
            // "Me" inside a longer answer, or to another question, is no claim.
            (&["R: Who uses the diary?", "Me."], Unknown),
            // "我说了算" and, turns later, "合同得王总签字": a contradiction.
            (
                &["R: 谁拍板？", "排课系统这种事我说了算。", "R: 明白。", "不过合同得王总签字，我这边只能往上递。"],
                Contradicted,
            ),
            (
                &[
                    "R: 谁拍板？",
                    "选哪家我定就行。",
                    "R: 好的。",
                    "嗯。",
                    "R: 合同呢？",
                    "合同这块肯定得我们钱总签字，我就是把个关。",
                ],
                Contradicted,
            ),
            (
                &[
                    "R: 谁拍板？",
                    "这个事我就能做主。",
                    "R: 报价四万八。",
                    "那我得跟老板说一下，最后肯定还是得老板签字。",
                ],
                Contradicted,
            ),
            (
                &["R: 谁拍板？", "这个我能拍板。", "R: 十几万呢？", "十几万的东西得老板娘点头，她不签字我也没办法。"],
                Contradicted,
            ),
            (
                &[
                    "R: 谁定？",
                    "厂里的事我说了算。",
                    "R: 采购呢？",
                    "系统类的得走集团招标，都是集团那边定，我插不上手。",
                ],
                Contradicted,
            ),
            // Who signs said of 他/她 after the person is named: "公章在她手里，最后也是她签".
            (
                &[
                    "R: 谁来定？",
                    "采购这块我做主，老板不管这些。",
                    "R: 那流程上呢？",
                    "流程的话要交到我们总经理那里，公章在她手里，最后也是她签。",
                ],
                Contradicted,
            ),
            (&["R: 谁来定？", "要看我们老板，她点了头才算数。"], Partial),
            (&["R: 谁来定？", "我们老板不管这个，不用她签，我定就行。"], Confirmed),
            // The other way round: 合同都是他签, and turns later 我签了就行.
            (
                &[
                    "R: 谁拍板？",
                    "得我们赵总点头，合同都是他签。",
                    "R: 好的。",
                    "嗯。",
                    "R: 合同发给谁？",
                    "直接发我，我签了就行。",
                ],
                Contradicted,
            ),
            (
                &["R: Who signs?", "Our owner. Mel signs everything.", "R: OK.", "Just send it to me and I'll sign."],
                Contradicted,
            ),
            (&["We use HubSpot."], Unknown),
            // "who'd" and a plain verb ask who decides; a no that goes on still says no part.
            (&["R: If you changed tools, who'd choose the new one?", "Not me."], Negative),
            (&["R: Would you be the one to put this to the partners?", "Nope. I just keep the books."], Negative),
            // "Would you get any say?" "Nah, I only drive." and "Would Priya be the one picking it?"
            // "Priya, not me.": no part for this contact.
            (&["R: would you get any say in which one", "nah i only drive the minibus"], Negative),
            (&["R: Would Priya be the one picking it?", "Priya, not me."], Negative),
            (&["R: 这种事你有没有发言权？", "没有，我就管排班。"], Negative),
            // "How does it get signed off?" "It's mine.": the contact signs, whoever co-signs above a limit.
            (&["R: How does a purchase get signed off there?", "It's mine. Above 60k my partner co-signs."], Confirmed),
            // Not this purchase's signer, and turns later "I've always signed that off myself";
            // "i sign for everything" and later a partner whose no is a no.
            (
                &[
                    "R: Who approves something like this?",
                    "For something like this it isn't my signature, it goes to the trustees.",
                    "R: And would Sian want to see it?",
                    "No. Software for the office is my department, I've always signed that off myself.",
                ],
                Contradicted,
            ),
            (
                &[
                    "R: who'd sign off on it",
                    "me mate it's my clinic i sign for everything that comes through that door",
                    "R: is it just you i send it to",
                    "uh no send it to priya she's my business partner if she says no it's a no",
                ],
                Contradicted,
            ),
            (
                &[
                    "R: Would he be up for a chat?",
                    "I answer the phone, dear, what gets bought isn't anything to do with me.",
                ],
                Negative,
            ),
        ];
        for (lines, status) in cases {
            check(lines, &[("authority", *status)]);
        }
    }

    #[test]
    fn need_statuses() {
        let cases: &[(&[&str], CriterionStatus)] = &[
            // "Runs fine", and crashes that aren't there.
            (
                &[
                    "R: How often does a crash report come in?",
                    "Hardly ever. The game runs fine, we've got bigger fish to fry than chasing crashes that aren't there.",
                ],
                Negative,
            ),
            // Days against a contract's terms and credits paid: the pain, asked where it slows.
            (
                &[
                    "R: And where does that slow down?",
                    "The checking, mostly. Our average was eight working days. Our aerospace contracts say five. We paid just over eleven thousand dollars in service credits in Q3.",
                ],
                Confirmed,
            ),
            (&["We're losing deals every week because follow-up is slow."], Confirmed),
            (&["最大的痛点是销售经常漏单。"], Confirmed),
            (&["It could be better, a bit clunky."], Partial),
            // Busy is about the person asked after, not the process.
            (
                &[
                    "R: Is she around this week? Could I get twenty minutes with her?",
                    "P: She's swamped till the end of January.",
                ],
                Unknown,
            ),
            (&["R: 王总最近有空吗？", "P: 他这段时间忙得要命，年后再说吧。"], Unknown),
            // Records that do not match, and what it cost: members not renewing, money at stake.
            (
                &["R: 哪块最让您头疼？", "对账。学员的课时跟本子老是对不上，上个月好几家说不续了，这就是好几万的事。"],
                Confirmed,
            ),
            (&["R: 有没有哪块您觉得费劲的？", "说实话还真挺顺的，项目都按期交，客户也挑不出毛病。"], Negative),
            (&["还行吧，有点麻烦。"], Partial),
            (&["Our current process works fine for us."], Negative),
            (&["现在没什么问题，用得挺好的。"], Negative),
            (&["R: What's your budget?", "Around $40k."], Unknown),
            (&["Honestly the spreadsheet works. Works for us."], Negative),
            // "X 不是问题" names what is fine; it does not deny the pain.
            (&["最大的痛点是销售经常漏单。场地不是问题，关键是人记不住。"], Confirmed),
            (&["这不是问题，我们现在挺好的。"], Negative),
            // A mild "it's OK" about a price speaks to the price, not the pain.
            (&["R: 按门店收，三家店一个月八百左右。", "嗯，那还行吧。"], Unknown),
            (&["R: 费用方面呢？", "一年两三万块我看还行吧。"], Unknown),
            (&["R: How's the current setup?", "还行吧，就是有点麻烦。"], Partial),
            // A figure that points back at what the sentence before lost.
            (&["We lost the Harlow account in March. That's sixty grand a year walking out."], Confirmed),
            (&["上个月丢了一个连锁客户。那就是一年二十来万。"], Confirmed),
            (&["We signed the Harlow account in March. That's sixty grand a year."], Unknown),
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

    /// "Who signs?" answered with a role (and a name) names the decision maker: the
    /// decision process is known, and this contact recommends.
    #[test]
    fn a_role_given_as_the_answer_names_the_decider() {
        let cases: &[(&[&str], CriterionStatus, CriterionStatus)] = &[
            (
                &[
                    "R: Who signs off on this?",
                    "Our CFO, Amara Okafor.",
                    "R: And you?",
                    "I'd take it to her with my recommendation.",
                ],
                Partial,
                Confirmed,
            ),
            (&["R: Who has the final say?", "Marcus Lee, our head of revenue."], Partial, Confirmed),
            (&["R: Who would sign the contract?", "That would be our COO."], Partial, Confirmed),
            (&["R: Who makes the decision?", "Me, ultimately."], Confirmed, Unknown),
            (&["R: 最后谁拍板？", "我们周总。"], Partial, Confirmed),
            (&["R: 谁来签字？", "财务的刘总签字。"], Partial, Confirmed),
            // Naming someone involved is not naming the decider.
            (&["R: Who else is involved?", "Our VP of Sales, Jordan, and procurement."], Partial, Unknown),
            // "My boss" says someone above must agree, not who.
            (&["R: Who decides?", "My boss."], Partial, Unknown),
            (&["R: Who decides?", "Not sure, maybe our CEO."], Partial, Unknown),
            (&["R: Who approves?", "Procurement and our CFO, Lina Park."], Partial, Confirmed),
        ];
        for (lines, authority, process) in cases {
            check(lines, &[("authority", *authority), ("decision_process", *process)]);
        }
    }

    /// Round 27's readings: a date that slips from a season to one half a year on; a goal
    /// with its change and deadline is no buying date, even with a buying word in it; a busy
    /// season is a cycle; "Not next year." is a no; "I pick it, I sign it" and, turns later,
    /// "gordon signs or he doesnt" is a part said both ways; "not me i don't buy anything"
    /// and, later, a story of signing an order oneself too.
    #[test]
    fn round_27_timelines_and_parts() {
        use CriterionStatus::*;
        check(
            &[
                "R: When would they go on?",
                "January shutdown. That's the only time the crushers are cold, so whatever we buy goes on then.",
                "R: What would you need from us to move forward?",
                "Realistically, nothing gets fitted before the east pit opens next autumn.",
            ],
            &[("timeline", Contradicted)],
        );
        check(
            &[
                "R: 时间上您怎么考虑？",
                "春节前必须上线。",
                "R: 接入要多久？",
                "排期一直排到明年五月。真要接的话，最早也得下半年了。",
            ],
            &[("timeline", Contradicted)],
        );
        // Narrowed, not slipped: a season then a date inside it.
        check(
            &["R: When?", "Next spring, I'd say.", "R: Any date?", "We'd want it live by April 10th."],
            &[("timeline", Confirmed)],
        );
        check(
            &[
                "R: 什么时候上线？",
                "春节前。",
                "R: 明年的目标呢？",
                "我跟曹总报的目标是，半年内参观到签约的转化从百分之十八做到百分之二十五。",
            ],
            &[("timeline", Confirmed)],
        );
        check(
            &[
                "R: What happens when it gets really busy?",
                "yeah so heating season is like october through april thats when its nuts",
            ],
            &[("timeline", Unknown)],
        );
        // A buying date, then nothing until after a time at or past it.
        check(
            &[
                "R: 那您这边想什么时候用上",
                "老板说元旦之前就要用上",
                "R: 费用这块老板有说过吗",
                "没说",
                "R: 那我这边先准备一个方案",
                "行 不过老板那意思是过完年再弄 开了春以后",
            ],
            &[("timeline", Contradicted)],
        );
        check(
            &[
                "R: When do you need it live?",
                "We need it live by the end of January.",
                "R: And the rollout?",
                "Honestly we won't touch anything till after Easter.",
            ],
            &[("timeline", Contradicted)],
        );
        check(
            &[
                "R: When do you need it in?",
                "we need this in before the first of april when hall two opens",
                "R: And the rollout?",
                "it's a full change freeze on the ops side so realistically anything new is after the summer like september maybe",
            ],
            &[("timeline", Contradicted)],
        );
        // Waiting for a time before the date is no contradiction.
        check(
            &[
                "R: When do you need it live?",
                "We need it live by the end of March.",
                "R: And the rollout?",
                "Nothing happens until after New Year's Day, then we go.",
            ],
            &[("timeline", Confirmed)],
        );
        // A mild "有点乱" in a long unpunctuated answer is still a partial need, whatever the
        // revenue said earlier in it; next to the rep's price it is about the price.
        check(
            &[
                "R: 那您那边销售现在大概是怎么跟客户的",
                "一年产值八千万左右吧 然后跟客户呢 就是 嗯 各管各的 微信啊电话啊都有有时候是有点乱",
            ],
            &[("need", Partial)],
        );
        check(&["R: 一个账号一年一千二。", "一千出头啊……那还行吧"], &[("need", Unknown)]);
        check(&["R: Is changing the rota likely any time next year?", "Not next year."], &[("timeline", Negative)]);
        check(
            &[
                "R: whos involved in bringing in a tool like ours",
                "thats me honestly i pick it i sign it",
                "R: got it",
                "yeah",
                "R: and once youve picked something what happens next",
                "so id write it up and take it to gordon hes the managing partner and gordon signs or he doesnt",
            ],
            &[("authority", Contradicted)],
        );
        check(
            &[
                "R: who would be the one to go ahead with it",
                "oh not me i don't buy anything here ever that's all my dad ray he owns it",
                "R: how have new tools come in in the past",
                "so like this summer i found the company at a trade show and i signed the order that same week",
            ],
            &[("authority", Contradicted)],
        );
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
            (&["R: Timing-wise, could this happen in the spring?", "Doubt it."], Negative),
            (&["R: Is a new booking tool on the cards over the next year or so?", "I doubt it."], Negative),
            (&["R: is there a date youre working to", "not really no just soon"], Partial),
            // A goodbye is no hurry.
            (&["R: Thanks, I'll send it over.", "Great, cheers, speak soon."], Unknown),
            (&["R: Thanks, I'll send it over.", "Great. We need it soon, mind."], Partial),
            (
                &[
                    "R: When do you need it?",
                    "The first crews start around the first of May, give or take. I want it signed by April 8th.",
                ],
                Confirmed,
            ),
            // The year nothing happens in is no buying date to contradict.
            (
                &[
                    "R: 今年有没有留点钱？",
                    "今年就别想了，只能明年重新报。",
                    "R: 那什么时候启动？",
                    "明年上半年吧，等展会完了再看看。",
                ],
                Partial,
            ),
            (&["R: When might he look at it?", "No idea. He's on leave until the 12th of January."], Unknown),
            (&["R: Could I get twenty minutes with Gemma in January?", "She's in Lisbon till February."], Unknown),
            // The end of a contract, with nothing before it, is no buying date.
            (
                &[
                    "R: and timing wise is there a point where the council looks at the kit again",
                    "well the contract runs till march twenty twenty eight so i can't see anything changing before then",
                ],
                Unknown,
            ),
            // A busy season is no plan.
            (&["R: Would he look at it soon?", "He's up to his eyeballs, it's boiler season till March."], Unknown),
            // A date turned down is a diary, not a plan.
            (&["R: 下周方便我过去拜访一下吗？", "下周不行，忙。"], Unknown),
            (&["R: Could we meet next week?", "Next week doesn't work, sorry."], Unknown),
            // When a contract already signed ends is no buying date, unless the answer ties the two.
            (&["R: 现在的记录仪有服务合同吧？", "有，明年六月到期，到期就不续了，跟这边不冲突。"], Unknown),
            // A lease signed up to a year said by its last two digits.
            (&["R: 现在的办公室租了多久？", "旧楼签了五年，签到二八年年底，跟这个不冲突。"], Unknown),
            (
                &["R: Any contract with them?", "Yes, the lease runs till March 2028. Can't see anything changing."],
                Unknown,
            ),
            (
                &[
                    "R: Any contract with them?",
                    "Our contract ends in June.",
                    "R: When do you need this live?",
                    "By March 15.",
                ],
                Confirmed,
            ),
            // A season that comes round every year is no buying date.
            (
                &["R: When's your busiest time of year?", "Weddings. May through September, we're out every weekend."],
                Unknown,
            ),
            (&["R: 你们一年里什么时候最忙？", "暑假，七八月份天天爆满。"], Unknown),
            // A person's diary and a demo put off are not the purchase put off.
            (
                &[
                    "R: 什么时候要用上？",
                    "二月十五号之前必须用上。",
                    "R: 要不要请李总一起听演示？",
                    "他月底在外地出差，不一定有空。",
                ],
                Confirmed,
            ),
            (
                &[
                    "R: 什么时候要用上？",
                    "开学前要用上，三月一号开学。",
                    "R: 下周约个演示？",
                    "演示先不急，等报价出来再说。",
                ],
                Confirmed,
            ),
            // A go-live date taken back later, and nothing after settles it.
            (
                &[
                    "R: When do you need it live?",
                    "By May 1st, before the summer rush.",
                    "R: And if the board says yes?",
                    "Honestly there's no rush, nothing new gets started this half.",
                ],
                Contradicted,
            ),
            (
                &["R: 什么时候要上线？", "五月一号之前。", "R: 老板那边呢？", "其实不着急，上半年先不考虑了。"],
                Contradicted,
            ),
            (&["R: When?", "No rush really.", "R: And the date?", "We need it live by May 1st."], Confirmed),
            (&["R: When?", "By March.", "R: And go-live?", "We need it in Q4 2027."], Contradicted),
            // A plan put off to a loose window, said with a 吧, is still a changed date.
            (
                &[
                    "R: 那上系统这个事，时间上您怎么考虑？",
                    "元旦前必须上。",
                    "R: 那我先按元旦前上线来排？",
                    "呃……其实也不用那么赶。我想了想，还是等明年下半年新店都开起来了再统一上吧。",
                ],
                Contradicted,
            ),
            // Someone's return is their diary.
            (&["R: When's she back?", "January sometime."], Unknown),
            (&["R: 老板什么时候回来？", "下个月十号吧。"], Unknown),
            (&["R: 何所长大概什么时候回来？", "说是月底，他在外地培训。"], Unknown),
            // A date the prospect's own year runs on, asked as "usually", is no buying date.
            (&["R: 您那边春天一般什么时候开始摇蜜", "一般四月油菜花 然后五六月洋槐 每年都这样"], Unknown),
            (&["R: When do the boats usually start going out?", "April, once the weather turns."], Unknown),
            (&["R: When would you want the boats tracked?", "April, once the weather turns."], Confirmed),
            // "今年肯定不弄了": this year is ruled out, not named.
            (&["R: 您这边大概什么时候会考虑上？", "今年肯定不弄了，年底都忙着跟甲方结算。明年再说吧。"], Negative),
            // "都年底了" says how late it already is, not when.
            (&["R: 那时间上您怎么打算？", "今年肯定不弄了，都年底了，先看看吧，明年再说。"], Negative),
            (&["R: 时间上呢？", "年底前要用上。"], Confirmed),
            // Wanted "yesterday", then no date: urgent with no date, not a no.
            (
                &[
                    "R: and timing wise when would you want it in",
                    "yesterday honestly every week we sit on it we're losing weddings and school trips",
                    "R: is there a date you're working to",
                    "not really i just want it sorted",
                ],
                Partial,
            ),
            (&["R: Is there a date you're working to?", "Not really, we're in no rush."], Negative),
            (&["R: 那时间上您大概啥时候考虑", "不急不急 年底了 大家都要歇一歇 今年肯定不弄了"], Negative),
            (&["R: When would you want it running?", "It's already December, so not this year."], Negative),
            // "every shop" is no yearly cycle.
            (
                &[
                    "R: And when would you want it running?",
                    "Live in every shop before the sixth of March. That's when the hotel contract starts.",
                ],
                Confirmed,
            ),
            (&["R: When?", "Every March we set the budget, so probably then."], Unknown),
            // When to call back, asked as a time of year, and turned down.
            (
                &[
                    "R: Would there be a better time of year to talk to Deb?",
                    "Not really. She's moving us into the new unit in February, then it's Easter.",
                ],
                Negative,
            ),
            (
                &[
                    "R: Would it be worth me checking in again in the spring?",
                    "I wouldn't bother. I'm not looking for anything this year or next.",
                ],
                Negative,
            ),
            // "年后吧" with no date: a loose window.
            (&["R: 那时间上呢 打算啥时候用上", "嗯 年后吧 开春那会儿 过完年阿姨都回老家"], Partial),
            (&["R: 时间上呢？", "一月份开门红肯定顾不上，那一个多月天天冲业绩。"], Unknown),
            (&["R: 时间上呢？", "三月份不上线就来不及了。"], Confirmed),
            // A no, then why: the date is the reason, not the plan.
            (
                &[
                    "R: Do you think the centre would look at something like this in the next few months?",
                    "Doubt it. January's mad with all the New Year people.",
                ],
                Negative,
            ),
            (&["R: Would it be worth checking back in with you in the spring?", "Wouldn't bother."], Negative),
            (&["R: 那明年开春呢？到时候要不要再看看？", "再说吧。"], Negative),
            (&["R: 要不要约个时间演示一下？", "再说吧，我先看价格。"], Unknown),
            // A festival's deadline, then "no hurry" and a date near three months later.
            (
                &[
                    "R: 一般什么时候单子最多？",
                    "三月份最狠。所以我想的是清明之前肯定得用上，不然到时候更乱。",
                    "R: 那年后安排个演示？",
                    "年后哪有空啊。这东西不着急，等明年夏天淡季了再弄吧，六七月份再说。",
                ],
                Contradicted,
            ),
            // Put off by a few weeks is no contradiction.
            (&["R: When?", "By the end of January.", "R: OK.", "We could push it back to mid February."], Confirmed),
            (&["We need to decide by March and go live by April."], Confirmed),
            // "At the latest" makes a date a deadline even when the sentence is soft, so a much
            // later date afterwards moves it.
            (
                &[
                    "R: When should it be running?",
                    "Latest by the end of January, I guess, before stocktake.",
                    "R: Which site first?",
                    "The depot. No pressure though, anytime before the summer holidays is fine.",
                ],
                Contradicted,
            ),
            (
                &[
                    "R: 什么时候要用上？",
                    "最迟一月底吧，年前要对账。",
                    "R: 先从哪个仓开始？",
                    "先从北仓。其实也不急，五月份之前弄好就行。",
                ],
                Contradicted,
            ),
            (
                &[
                    "R: When should it be running?",
                    "Maybe by the end of January, I guess.",
                    "R: OK.",
                    "By late March is fine.",
                ],
                Confirmed,
            ),
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
            ("authority", "CFO signs off", Partial),
            ("authority", "the CFO decides", Partial),
            ("authority", "我们总监决定", Partial),
            ("authority", "I make the call", Confirmed),
            ("authority", "not my call", Negative),
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
            &[("authority", Partial), ("decision_process", Confirmed)],
        );
        check(&["R: 谁来拍板？", "找我们李总，他拍板。"], &[("authority", Partial), ("decision_process", Confirmed)]);
    }
}
