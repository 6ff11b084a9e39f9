//! The English of what a call's analysis says (`sift-signals`): the notes beside each piece
//! of evidence, the signals' explanations, how a concept's status was decided, conflicts,
//! the facts inside them and the metrics against their bands.
//!
//! Arguments: `fact`, `note`, `conflict`, `change` and `items` are nested messages; `quote`,
//! `cost`, `who`, `role`, `unit` and `reason` are words of the call or of a model, shown as
//! they were said; numbers come formatted as the English shows them.

use super::{Arg, Message};

impl Message {
    /// A `call.*` code in English, or `None` for one this version does not know.
    pub(super) fn call_english(&self) -> Option<String> {
        let a = |key: &str| self.en(key);
        // "someone" when the call named nobody; "self" is the contact, as the facts say it.
        let who = || self.text("who").unwrap_or("someone").to_owned();
        let text = match self.code.as_str() {
            // A lexicon entry's own words (`id`, `explain`, `explain_zh`).
            "call.lexicon" => a("explain"),
            // Evidence notes.
            "call.note.money_claimed" => "money said to be there, with no amount".to_owned(),
            "call.note.money_no_problem" => "money is said to be no problem, with no amount or approval".to_owned(),
            "call.note.with_cost" => format!("{} With its cost: \"{}\".", a("note"), a("cost")),
            "call.note.urgency" => "urgency without a date".to_owned(),
            // `concept`: a concept id (`budget`, `decision_process`).
            "call.note.answered_no" => format!("answered no to a question about {}", a("concept")),
            "call.note.bare_yes" => format!("a bare yes to a question about {}, nothing specific", a("concept")),
            "call.note.bare_sometimes" => {
                format!("answered only that it happens now and then, asked about {}", a("concept"))
            }
            "call.note.not_their_decision" => "says it is not their decision".to_owned(),
            "call.note.not_involved" => "says they would not be involved in the decision".to_owned(),
            "call.note.current_way_fine" => "says the current way is fine, asked how it works".to_owned(),
            "call.note.describes_cost" => "describes what the problem costs, asked about its impact".to_owned(),
            "call.note.describes_problem" => "describes a problem at length, asked about one".to_owned(),
            "call.note.said_with_no" => format!("{} (said with a no)", a("fact")),
            "call.note.budget_figure" => format!("budget figure: {}", a("fact")),
            "call.note.approval_threshold" => format!("approval threshold: {} above {}", who(), a("fact")),
            "call.note.problem_cost" => format!("cost of the problem: {}", a("fact")),
            "call.note.target" => format!("target: {}", a("fact")),
            "call.note.measured" => format!("measured figure: {}", a("fact")),
            "call.note.benchmark" => format!("a metric against a benchmark: {}", a("fact")),
            "call.note.buying_year" => format!("buying date, only a year: {}", a("fact")),
            "call.note.buying_date" => format!("buying or go-live date: {}", a("fact")),
            "call.note.goal_deadline" => format!("deadline of a goal: {}", a("fact")),
            "call.note.hedged" => format!("{} (hedged)", a("note")),
            "call.note.contact_decides" => "this contact decides".to_owned(),
            // `part`: `decides` or `approves`.
            "call.note.someone_else_decides" => {
                format!("{} {}, not this contact: the contact recommends", who(), a("part"))
            }
            "call.note.decision_step" => format!("step in the decision: {} {}", who(), a("part")),
            "call.note.involved" => format!("{} is involved, part not stated", who()),
            "call.note.paperwork" => format!("{} takes part in the paperwork", who()),
            // Approval limits against the budget (`budget`, `limit`: money facts).
            "call.note.limit_within" => {
                format!("the budget ({}) is within the {} this contact can sign", a("budget"), a("limit"))
            }
            "call.note.limit_over" => {
                format!("the budget ({}) is over the {} this contact can sign", a("budget"), a("limit"))
            }
            "call.note.limit_self_above" => format!("this contact signs everything above {}: they decide", a("limit")),
            "call.note.limit_own" => format!("this contact can sign up to {}; the budget is not known", a("limit")),
            "call.note.limit_other_signs" => format!(
                "the budget ({}) is over the {} above which {} signs: this contact recommends",
                a("budget"),
                a("limit"),
                who()
            ),
            "call.note.limit_other" => format!("{} signs above {}; the budget is not known", who(), a("limit")),
            // Notes of one stretch of the call joined.
            "call.note.joined" => self.list("items").iter().map(Arg::english).collect::<Vec<_>>().join("; "),
            "call.note.unrealistic" => {
                format!("{}; the target is unrealistic, so it does not establish this", a("note"))
            }
            // `subject`: `budget`, `timeline`, `decision_maker`, `team_size`, `count`, or a
            // concept id.
            "call.note.earlier" => format!("earlier: {}", a("subject").replace('_', " ")),
            // `reading`: what the model read (see `model_reading`), `confidence` in percent.
            "call.note.model" => {
                format!("the model reads: {} ({}%)", model_reading(self.text("reading")?)?, a("confidence"))
            }
            "call.note.rep_note" => "the rep's note; no specific figure, date or phrase recognised".to_owned(),
            "call.note.llm" => format!("the large model: {}", a("reason")),
            // How a concept's status was decided.
            "call.rule.conflict" => {
                format!("two statements conflict and nothing later resolves it: {}", a("conflict"))
            }
            "call.rule.nothing" => "nothing in the call speaks to it".to_owned(),
            // `weight`: `specific`, `stated` or `hint`; `turn`; `lighter`: how many lighter
            // pieces there were.
            "call.rule.heaviest" => {
                let weight = match self.text("weight")? {
                    "specific" => "a specific statement (a figure, date or named decider)",
                    "stated" => "a statement in words",
                    "hint" => "a hint",
                    _ => return None,
                };
                let lighter = match a("lighter").as_str() {
                    "" | "0" => String::new(),
                    n => format!("; {n} lighter piece(s) do not overturn it"),
                };
                format!("the heaviest evidence is {weight}; the latest such, in turn {}, decides{lighter}", a("turn"))
            }
            "call.rule.placeholder" => "the rep wrote a placeholder".to_owned(),
            "call.rule.rep_note" => "the rep wrote something the rules do not recognise: partial".to_owned(),
            "call.rule.llm" => format!(
                "read by the large model {} (every quote checked against the transcript): {}",
                a("model"),
                a("reason")
            ),
            // Two statements that cannot both be true (`turn` and `quote`: the earlier one).
            "call.conflict.changed" => format!(
                "{} now {}, but turn {} said {} (\"{}\")",
                a("subject").replace('_', " "),
                a("now"),
                a("turn"),
                a("before"),
                a("quote")
            ),
            // `subject`: `budget` or `timeline`.
            "call.conflict.taken_back" => {
                let now = match self.text("subject")? {
                    "budget" => "now says there is no budget",
                    "timeline" => "now says nothing will happen soon",
                    "need" => "now says it is not really a problem",
                    _ => return None,
                };
                format!("{now}, but turn {} gave {} (\"{}\")", a("turn"), a("fact"), a("quote"))
            }
            "call.conflict.solo_team" => format!(
                "now says the business is only the owners (or the contact), but turn {} gave {} (\"{}\")",
                a("turn"),
                a("fact"),
                a("quote")
            ),
            "call.conflict.count_denied" => format!(
                "now says there are no {} at all, but turn {} gave {} (\"{}\")",
                a("unit"),
                a("turn"),
                a("fact"),
                a("quote")
            ),
            // `decides`: `yes` when the contact now says they decide.
            "call.conflict.decider" => {
                let now = match self.text("decides")? {
                    "yes" => "says they decide",
                    _ => "says someone else decides or they have no say",
                };
                format!("the contact now {now}, but turn {} said \"{}\"", a("turn"), a("quote"))
            }
            // `hurry`: `yes` when the contact now wants it soon after saying there is no plan.
            "call.conflict.hurry" => {
                let now = match self.text("hurry")? {
                    "yes" => "wants it soon",
                    _ => "says there is no plan or no hurry",
                };
                format!("the contact now {now}, but turn {} said \"{}\"", a("turn"), a("quote"))
            }
            // `pain`: `yes` when the contact now names a pain after saying there is none.
            "call.conflict.pain" => {
                let now = match self.text("pain")? {
                    "yes" => "names a real problem",
                    _ => "says there is no real problem",
                };
                format!("the contact now {now}, but turn {} said \"{}\"", a("turn"), a("quote"))
            }
            // A rate told again far off: `now` per `period` and `before` per `before_period` (the
            // same period when absent), of `thing`.
            "call.conflict.rate" => format!(
                "about {} {} a {} now, but turn {} said about {} a {} (\"{}\")",
                a("now"),
                a("thing"),
                a("period"),
                a("turn"),
                a("before"),
                // Messages written before `before_period` existed compared one period.
                self.text("before_period").unwrap_or(&a("period")),
                a("quote")
            ),
            // The tools in use: `uses` is `yes` when the contact now says they use `what`, `instead`
            // when they now say everything is kept in `what`, not in `before`, `books` when they
            // name another accounting package than before.
            "call.conflict.tools" => match self.text("uses")? {
                "books" => format!(
                    "the contact now names {} for the books, but turn {} named {} (\"{}\"), and neither as a change",
                    a("what"),
                    a("turn"),
                    a("before"),
                    a("quote")
                ),
                "instead" => format!(
                    "the contact now says it is all kept in {}, but turn {} said it all lives in {} (\"{}\")",
                    a("what"),
                    a("turn"),
                    a("before"),
                    a("quote")
                ),
                "yes" => format!(
                    "the contact now says they use {}, but turn {} said they had no {} (\"{}\")",
                    a("what"),
                    a("turn"),
                    a("before"),
                    a("quote")
                ),
                _ => format!(
                    "the contact now says they have no {}, but turn {} said they use {} (\"{}\")",
                    a("what"),
                    a("turn"),
                    a("before"),
                    a("quote")
                ),
            },
            // How long the business has been going, in years.
            "call.conflict.age" => format!(
                "the business is {} years old now, but turn {} said {} years (\"{}\")",
                a("now"),
                a("turn"),
                a("before"),
                a("quote")
            ),
            // The month a move or an opening happened.
            "call.conflict.when" => {
                let month = |key: &str| {
                    a(key).parse::<u8>().ok().and_then(|m| chrono::Month::try_from(m).ok()).map_or("?", |m| m.name())
                };
                let what = if a("what") == "moved" { "they moved" } else { "it opened" };
                format!(
                    "{what} in {} {} now, but turn {} said {} {} (\"{}\")",
                    month("now_month"),
                    a("now_year"),
                    a("turn"),
                    month("before_month"),
                    a("before_year"),
                    a("quote")
                )
            }
            // The contact's own team, counted with themselves.
            "call.conflict.team" => format!(
                "the contact's team is {} now, counting themselves, but turn {} said {} (\"{}\")",
                a("now"),
                a("turn"),
                a("before"),
                a("quote")
            ),
            "call.conflict.model" => format!(
                "the model reads turn {} as contradicting turn {} on {} ({}%): \"{}\"",
                a("later_turn"),
                a("turn"),
                a("concept"),
                a("confidence"),
                a("quote")
            ),
            // Signals.
            "call.signal.lexicon" => format!("{} [{}]", a("explain"), a("id")),
            // `short`, `replies`, `words`, `share` (percent).
            "call.signal.short_answers" => format!(
                "{} of {} replies to questions are {} words or fewer ({}%): the problem may not be a problem to \
                 this contact, or they do not see its size; reach someone else who owns it",
                a("short"),
                a("replies"),
                a("words"),
                a("share")
            ),
            "call.signal.unrealistic_cut" => {
                "Promises to cut something by 100% or more, which is impossible.".to_owned()
            }
            // `times` (`x4`), `days` (optional).
            "call.signal.unrealistic_change" => match self.text("days") {
                Some(days) => format!(
                    "A {} change in {days} days is far beyond what a business can achieve; the target shows little \
                     grip on the numbers.",
                    a("times")
                ),
                None => format!(
                    "A {} change is far beyond what a business can achieve; the target shows little grip on the \
                     numbers.",
                    a("times")
                ),
            },
            "call.signal.unrealistic_level" => format!(
                "{} The current level is {} (turn {}: \"{}\").",
                a("change"),
                a("current"),
                a("turn"),
                a("quote")
            ),
            "call.signal.unrealistic_compounding" => "A target of doubling every month (or week): kept up for a year, \
                                                       that is over four thousand times the start."
                .to_owned(),
            "call.signal.unrealistic_year_in_days" => "A target of a whole year's takings (or work) in a few days or \
                                                        a week: no peak is that much bigger than the rest of the \
                                                        year."
                .to_owned(),
            "call.signal.unrealistic_payback" => format!(
                "A target of the purchase paying for itself within {} days: equipment and systems earn their \
                 price back over seasons or years, not weeks.",
                a("days")
            ),
            "call.signal.unrealistic_perfection" => format!(
                "A target of perfection or near it (a loss brought to zero; every lead, customer or slot won, kept \
                 or filled; or nine in ten won) within {} days: no business gets there, let alone that fast.",
                a("days")
            ),
            "call.signal.unrealistic_perfection_always" => {
                "A target of perfection or near it (a loss brought to zero; every lead, customer or slot won, \
                 kept or filled; or nine in ten won) demanded as the standard from now on: no business gets there."
                    .to_owned()
            }
            "call.signal.unrealistic_capacity" => format!(
                "A target of {} the current level with no capacity added (turn {}: \"{}\"): the same people and \
                 machines do not double their output.",
                a("times"),
                a("turn"),
                a("quote")
            ),
            "call.signal.unrealistic_region" => format!(
                "A target of reaching a whole state, country or region within {} days, from a business of {} (turn \
                 {}: \"{}\").",
                a("days"),
                a("size"),
                a("turn"),
                a("quote")
            ),
            "call.signal.unrealistic_region_soon" => format!(
                "A target of reaching a whole state, country or region within {} days: no sales team wins a \
                 market that fast, whatever its size.",
                a("days")
            ),
            "call.signal.unrealistic_region_no_means" => format!(
                "A target of leading or reaching a whole city, region or country within {} days while adding \
                 nothing to get there (\"{}\").",
                a("days"),
                a("quote")
            ),
            "call.signal.budget_figure" => format!("Gives a budget figure ({}).", a("fact")),
            "call.signal.threshold_step" => {
                format!("States a step of the buying process: an approval threshold ({}).", a("fact"))
            }
            "call.signal.buying_date" => format!("Gives a buying or go-live date ({}).", a("fact")),
            "call.signal.target" => format!("Gives a concrete, realistic target ({}).", a("fact")),
            "call.signal.decides" => "Says plainly that they make the decision.".to_owned(),
            "call.signal.names_decider" => format!("Names who takes part in the decision ({}).", a("fact")),
            "call.signal.inconsistency" => format!("Contradicts an earlier answer: {}.", a("conflict")),
            // `limit`; `who` signs above it (`self`: the contact's own limit).
            "call.signal.knows_threshold" => {
                let who = match self.text("who") {
                    Some("self") => "what this contact may sign".to_owned(),
                    _ => format!("that {} signs above it", who()),
                };
                format!("Knows the approval threshold ({}) and {who}.", a("limit"))
            }
            "call.signal.knows_cycle" => "Knows the company's planning or budget cycle.".to_owned(),
            "call.signal.knows_goal" => format!("Knows the goal leadership set ({}).", a("fact")),
            "call.signal.excuse_asked" => "Asked why this was not dealt with before, they give the reason: the pain \
                                           is real and has a history."
                .to_owned(),
            // `kind`: `excuse` or `knowledge`; `confidence` in percent.
            "call.signal.model" => {
                let why = match self.text("kind")? {
                    "excuse" => "explains why the pain was not dealt with before",
                    "knowledge" => "shows knowledge of the company's goals or how it decides",
                    _ => return None,
                };
                format!("The model reads this answer as one that {why} ({}%).", a("confidence"))
            }
            "call.signal.llm" => format!("the large model: {}", a("reason")),
            // Facts. Money: `amount` with thousands separators, `currency` (ISO code), `per`
            // (`month`, `year`, `quarter`, `seat`, `person`).
            "call.fact.money" => {
                let amount = a("amount");
                let figure = match self.text("currency") {
                    Some("USD") => format!("${amount}"),
                    Some("EUR") => format!("€{amount}"),
                    Some("GBP") => format!("£{amount}"),
                    Some(code) => format!("{amount} {code}"),
                    None => amount,
                };
                match self.text("per") {
                    Some(unit) => format!("{figure} per {unit}"),
                    None => figure,
                }
            }
            "call.fact.date" => a("date"),
            // `kind`: `absolute`, `quarter` or `relative`.
            "call.fact.date_kind" => format!("{} date", a("kind")),
            "call.fact.count" => format!("{} {}", a("value"), a("unit")),
            "call.fact.percentage" => format!("{}%", a("value")),
            "call.fact.growth" => match self.text("days") {
                Some(days) => format!("x{} in {days} days", a("factor")),
                None => format!("x{}", a("factor")),
            },
            // `role` (`self`: the contact), `part`: `decides`, `approves` or `involved`.
            "call.fact.person" => format!("{} {}", a("role"), a("part")),
            // Metrics against their bands (`pct`: percent, `count`, `amount` and `unit`:
            // `seconds` or `words`).
            "call.metric.talk_ratio.over_65" => {
                format!("the rep talks {}% of the time; conversion drops past 65%: ask, then listen", a("pct"))
            }
            "call.metric.talk_ratio.over_50" => {
                format!("the rep talks {}% of the time, above the ~43% of top performers", a("pct"))
            }
            "call.metric.talk_ratio.under_25" => {
                format!("the rep talks only {}% of the time: make sure the call is being steered", a("pct"))
            }
            "call.metric.talk_ratio.in_band" => {
                format!("the rep talks {}% of the time, close to the ~43% of top performers", a("pct"))
            }
            "call.metric.questions.few" => format!(
                "{} questions; successful discovery calls ask 11-14: the call may leave criteria unknown",
                a("count")
            ),
            "call.metric.questions.many" => {
                format!("{} questions; past 14 a discovery call starts to feel like an interrogation", a("count"))
            }
            "call.metric.questions.in_band" => {
                format!("{} questions, within the 11-14 of successful discovery calls", a("count"))
            }
            "call.metric.closed.many" => {
                format!("{}% of the questions are closed; open ones get fuller, more honest answers", a("pct"))
            }
            "call.metric.closed.in_band" => format!("{}% of the questions are closed", a("pct")),
            "call.metric.monologue.long" => {
                format!("the rep's longest monologue runs {} {}; break it up with a question", a("amount"), a("unit"))
            }
            "call.metric.monologue.in_band" => {
                format!("the rep's longest monologue runs {} {}", a("amount"), a("unit"))
            }
            "call.metric.short_answers.many" => format!(
                "{}% of the prospect's turns are 3 words or fewer: little engagement with the problem",
                a("pct")
            ),
            "call.metric.short_answers.in_band" => {
                format!("{}% of the prospect's turns are 3 words or fewer", a("pct"))
            }
            "call.band.talk_ratio" => "25%-50% rep (reference 43%)".to_owned(),
            "call.band.questions" => "11-14".to_owned(),
            "call.band.closed_share" => "at most 50%".to_owned(),
            "call.band.monologue" => format!("at most {} {}", a("limit"), a("unit")),
            "call.band.short_answers" => "under 40%".to_owned(),
            _ => return None,
        };
        Some(text)
    }
}

/// What the meaning model read in an answer (`call.note.model`'s `reading`), in English.
fn model_reading(reading: &str) -> Option<&'static str> {
    Some(match reading {
        "need.pain" => "a pain the product could address",
        "need.no_pain" => "no pain: things work as they are",
        "authority.decides" => "this contact decides",
        "authority.recommends" => "this contact recommends; someone else decides",
        "authority.no_say" => "this contact has no say",
        "budget.available" => "money is available",
        "budget.not_available" => "no money for this now",
        "timeline.committed" => "committed to a time to buy",
        "timeline.not_committed" => "no plan to buy soon",
        _ => return None,
    })
}
