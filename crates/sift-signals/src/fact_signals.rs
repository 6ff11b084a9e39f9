//! Signals read from facts rather than phrases: `specificity` (good sign), `inconsistency`
//! and `unrealistic_target` (red flags).
//!
//! Specificity must be realistic to count: a concrete target that no business could reach
//! in the time given ("quadruple revenue in two weeks") is a red flag, not a good sign.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::Regex;
use sift_core::Message;

use crate::evidence::{CallEvidence, LocatedFact};
use crate::facts::{Fact, RolePart, TimelineKind};
use crate::meaning::Mode;
use crate::roles::FactRole;
use crate::signal::{Polarity, Signal, SignalKind};
use crate::transcript::{Span, Transcript, text_before};

/// Whether a change by `factor` within `days` is beyond what a business can plausibly do.
/// Thresholds: x1.5 in a month, x2 in a quarter, x3 in half a year, x5 in a year, x10 in two
/// years; any x20; and a cut of 100% or more.
pub fn is_unrealistic(factor: f64, horizon_days: Option<i64>) -> bool {
    if factor <= 0.0 || factor >= 20.0 {
        return true;
    }
    let Some(days) = horizon_days else { return false };
    let limits: [(i64, f64); 5] = [(31, 1.5), (92, 2.0), (183, 3.0), (366, 5.0), (731, 10.0)];
    limits.iter().any(|(within, max)| days <= *within && factor >= *max)
}

/// The fact-based signals of a call, from its evidence pass ([`crate::evidence::analyse_call`]).
///
/// - `unrealistic_target`: a growth target beyond [`is_unrealistic`], said as a multiple ("10x
///   in a month"), as two levels ("from $40k a month to a million by January"), or as a target
///   level against the current level given earlier in the call ("二十来单" now, "两千单" next
///   year);
/// - `specificity`: concrete, realistic answers about the goal, the plan or the purchase only:
///   a budget figure, a buying or go-live date, a target, an approval threshold, a named
///   decider. Context figures (headcount, floor area, revenue, how bad the problem is) are not
///   specificity, nor are hedged figures, figures inside an absurd target, or either side of
///   a contradiction left unsettled;
/// - `inconsistency`: every conflict the evidence pass found;
/// - `knowledge` shown through process detail: an approval threshold, the planning or budget
///   cycle, a target figure attributed to leadership;
/// - `excuse` told as an answer to "why has this not been fixed before?".
pub fn fact_signals(transcript: &Transcript, call: &CallEvidence) -> Vec<Signal> {
    let mut signals = Vec::new();
    let quote = |span: Span| transcript.quote(span).to_owned();
    let signal = |kind: SignalKind, polarity: Polarity, span: Span, explanation: Message| Signal {
        kind,
        polarity,
        turn: span.turn,
        span,
        quote: transcript.quote(span).to_owned(),
        explanation: explanation.english(),
        explanation_message: Some(explanation),
        mode: Mode::Rules,
    };
    // Both statements of a conflict, by turn: a figure, date or decider taken back later and
    // never settled is no good sign, nor is the statement that contradicts it (conflicts
    // settled by a correction were dropped by the evidence pass).
    let mut conflicted: BTreeMap<usize, Vec<Span>> = BTreeMap::new();
    // Who decides is one claim however many words of its turn say it ("我能拍 ... 我自己就做主了
    // 用不着问谁"): a decider named in a turn of such a conflict is in it.
    let mut decider_turns = std::collections::BTreeSet::new();
    for c in &call.conflicts {
        conflicted.entry(c.earlier.turn).or_default().push(c.earlier);
        conflicted.entry(c.later.turn).or_default().push(c.later);
        if c.subject == "decision_maker" {
            decider_turns.extend([c.earlier.turn, c.later.turn]);
        }
    }
    let in_conflict = |f: &LocatedFact| {
        matches!(f.fact, Fact::Person { .. }) && decider_turns.contains(&f.span.turn)
            || conflicted
                .get(&f.span.turn)
                .is_some_and(|spans| spans.iter().any(|s| s.start <= f.span.start && f.span.end <= s.end))
    };

    // Absurd targets first: their figures are no good sign.
    let mut absurd: BTreeMap<usize, Vec<Span>> = BTreeMap::new();
    let is_absurd = |absurd: &BTreeMap<usize, Vec<Span>>, span: Span| {
        absurd.get(&span.turn).is_some_and(|spans| spans.iter().any(|a| overlaps(*a, span)))
    };
    // "春运一开始……电话单一天能翻一倍": how a busy season swells the work, not a goal.
    let seasonal = |f: &LocatedFact| {
        matches!(f.fact, Fact::Growth { .. })
            && SEASONAL_SURGE.is_match(text_before(
                transcript.turns.get(f.span.turn).map_or("", |t| t.text.as_str()),
                f.span.start,
                60,
            ))
    };
    for f in &call.facts {
        if let Fact::Growth { factor, horizon_days } = f.fact {
            if is_unrealistic(factor, horizon_days) && !seasonal(f) {
                absurd.entry(f.span.turn).or_default().push(f.span);
                signals.push(signal(
                    SignalKind::UnrealisticTarget,
                    Polarity::Red,
                    f.span,
                    unrealistic_explanation(factor, horizon_days),
                ));
            }
        }
    }
    for change in level_changes(transcript, call) {
        if is_unrealistic(change.factor, change.horizon_days) && !is_absurd(&absurd, change.target) {
            absurd.entry(change.target.turn).or_default().push(change.target);
            let explanation = Message::new("call.signal.unrealistic_level")
                .with_message("change", unrealistic_explanation(change.factor, change.horizon_days))
                .with_message("current", change.current_fact.message())
                .with("turn", change.current.turn.to_string())
                .with("quote", quote(change.current));
            signals.push(signal(SignalKind::UnrealisticTarget, Polarity::Red, change.target, explanation));
        }
    }
    for reach in region_targets(transcript, call) {
        if is_absurd(&absurd, reach.target) {
            continue;
        }
        absurd.entry(reach.target.turn).or_default().extend([reach.target, reach.horizon]);
        let explanation = match (&reach.size, reach.no_means) {
            (Some((size, span)), _) => Message::new("call.signal.unrealistic_region")
                .with("days", reach.horizon_days.to_string())
                .with_message("size", size.message())
                .with("turn", span.turn.to_string())
                .with("quote", quote(*span)),
            (None, Some(span)) => Message::new("call.signal.unrealistic_region_no_means")
                .with("days", reach.horizon_days.to_string())
                .with("quote", quote(span)),
            (None, None) => {
                Message::new("call.signal.unrealistic_region_soon").with("days", reach.horizon_days.to_string())
            }
        };
        signals.push(signal(SignalKind::UnrealisticTarget, Polarity::Red, reach.target, explanation));
    }
    for (span, horizon) in perfection_targets(transcript, call) {
        if is_absurd(&absurd, span) {
            continue;
        }
        absurd.entry(span.turn).or_default().extend(std::iter::once(span).chain(horizon.map(|(_, at)| at)));
        let explanation = match horizon {
            Some((days, _)) => Message::new("call.signal.unrealistic_perfection").with("days", days.to_string()),
            None => Message::new("call.signal.unrealistic_perfection_always"),
        };
        signals.push(signal(SignalKind::UnrealisticTarget, Polarity::Red, span, explanation));
    }
    // Doubling every month; a year's takings in a few days (in Chinese, with the few days in
    // the same sentence).
    let phrased: [GoalPhrase; 2] = [
        (&EN_COMPOUNDING, &ZH_COMPOUNDING, |_| true, "call.signal.unrealistic_compounding"),
        (&EN_YEAR_IN_DAYS, &ZH_YEAR_IN_DAYS, |s| ZH_FEW_DAYS.is_match(s), "call.signal.unrealistic_year_in_days"),
    ];
    for (en, zh, zh_also, code) in phrased {
        for span in goal_phrases(transcript, en, zh, zh_also) {
            if is_absurd(&absurd, span) {
                continue;
            }
            absurd.entry(span.turn).or_default().push(span);
            signals.push(signal(SignalKind::UnrealisticTarget, Polarity::Red, span, Message::new(code)));
        }
    }
    for (span, days) in payback_targets(transcript, call) {
        if is_absurd(&absurd, span) {
            continue;
        }
        absurd.entry(span.turn).or_default().push(span);
        let explanation = Message::new("call.signal.unrealistic_payback").with("days", days.to_string());
        signals.push(signal(SignalKind::UnrealisticTarget, Polarity::Red, span, explanation));
    }
    for strained in capacity_targets(transcript, call) {
        if is_absurd(&absurd, strained.target) {
            continue;
        }
        absurd.entry(strained.target.turn).or_default().push(strained.target);
        let explanation = Message::new("call.signal.unrealistic_capacity")
            .with("times", format!("x{}", (strained.factor * 10.0).round() / 10.0))
            .with("turn", strained.constraint.turn.to_string())
            .with("quote", quote(strained.constraint));
        signals.push(signal(SignalKind::UnrealisticTarget, Polarity::Red, strained.target, explanation));
    }
    for (span, factor, days) in leap_targets(transcript, call) {
        if is_absurd(&absurd, span) {
            continue;
        }
        absurd.entry(span.turn).or_default().push(span);
        signals.push(signal(SignalKind::UnrealisticTarget, Polarity::Red, span, unrealistic_explanation(factor, days)));
    }
    // A figure of the target said in the same sentence as an absurd one ("ten times that next
    // summer like forty thousand plus same two helicopters") is part of it.
    let sentence_of = |span: Span| sentence_range(transcript, span);
    let in_absurd = |f: &LocatedFact| {
        is_absurd(&absurd, f.span)
            || f.role == FactRole::Target
                && absurd
                    .get(&f.span.turn)
                    .is_some_and(|spans| spans.iter().any(|a| sentence_of(*a) == sentence_of(f.span)))
    };

    for f in &call.facts {
        if f.hedged || in_conflict(f) || in_absurd(f) || seasonal(f) {
            continue;
        }
        if let Some(why) = specific(f) {
            signals.push(signal(SignalKind::Specificity, Polarity::Good, f.span, why));
        }
    }

    for c in &call.conflicts {
        let mut s = signal(
            SignalKind::Inconsistency,
            Polarity::Red,
            c.later,
            Message::new("call.signal.inconsistency").with_arg("conflict", c.explanation_arg()),
        );
        s.quote.clone_from(&c.later_quote);
        s.mode = c.mode;
        signals.push(s);
    }

    // Knowledge shown through how the company decides and plans.
    for t in &call.thresholds {
        let why = Message::new("call.signal.knows_threshold")
            .with_message("limit", Fact::Money { amount: t.amount, currency: None, per: None }.message())
            .with_opt("who", (t.approver != "someone").then_some(t.approver.as_str()));
        signals.push(signal(SignalKind::Knowledge, Polarity::Good, t.span, why));
    }
    for f in &call.facts {
        let sentence = sentence_text(transcript, f.span);
        match (f.role, &f.fact) {
            (FactRole::Recurring, Fact::Timeline { .. }) if !in_absurd(f) && PLANNING.is_match(&sentence) => {
                let why = Message::new("call.signal.knows_cycle");
                signals.push(signal(SignalKind::Knowledge, Polarity::Good, f.span, why));
            }
            // "退回来一双就扣哪条线的钱": one of a thing is no target figure.
            (FactRole::Target, fact)
                if !f.hedged
                    && !in_absurd(f)
                    && !matches!(fact, Fact::Count { value, .. } if *value < 2.0)
                    && LEADERSHIP.is_match(&sentence) =>
            {
                let why = Message::new("call.signal.knows_goal").with_message("fact", f.fact.message());
                signals.push(signal(SignalKind::Knowledge, Polarity::Good, f.span, why));
            }
            _ => {}
        }
    }

    for span in &call.excuses {
        let why = Message::new("call.signal.excuse_asked");
        signals.push(signal(SignalKind::Excuse, Polarity::Good, *span, why));
    }

    signals.sort_by_key(|s| (s.span.turn, s.span.start, s.kind));
    signals
}

fn overlaps(a: Span, b: Span) -> bool {
    a.turn == b.turn && a.start < b.end && b.start < a.end
}

/// The sentence of a turn holding a span.
fn sentence_text(transcript: &Transcript, span: Span) -> String {
    let text = transcript.turns.get(span.turn).map(|t| t.text.as_str()).unwrap_or("");
    let (a, b) = sentence_range(transcript, span);
    text.get(a..b).unwrap_or("").to_owned()
}

/// The byte range, in its turn, of the sentence a span starts in.
fn sentence_range(transcript: &Transcript, span: Span) -> (usize, usize) {
    let text = transcript.turns.get(span.turn).map(|t| t.text.as_str()).unwrap_or("");
    crate::roles::range_of(&crate::facts::sentences(text), span.start, text.len())
}

static PLANNING: LazyLock<Regex> = LazyLock::new(|| {
    #[allow(clippy::expect_used)]
    crate::lexicon::compile(r"(?i)(?-u:\b)(?:budget\w*|plan\w*|fiscal|forecast\w*|review\w*|board\s+meeting|strategy|roadmap)(?-u:\b)|预算|计划|规划|年度|复盘|战略")
        .expect("built-in pattern")
});
static LEADERSHIP: LazyLock<Regex> = LazyLock::new(|| {
    #[allow(clippy::expect_used)]
    crate::lexicon::compile(r"(?i)(?-u:\b)(?:ceo|cfo|coo|cro|founders?|owners?|board|leadership|exec(?:utive)?s?|management|president|vp|vice\s+president|head\s+office|hq)(?-u:\b)|董事长|董事会|老板|总经理|总裁|高层|领导|股东|集团|总部|街道(?:给|下|定|派)|区里(?:给|下|定)|上级(?:给|下|定)|(?:考核|下达的?)任务")
        .expect("built-in pattern")
});

/// "Every restaurant in the state", "in every city in the country", "全国每个省会城市":
/// a reach over a whole region, said as a goal.
static EN_WHOLE_REGION: LazyLock<Regex> = LazyLock::new(|| {
    #[allow(clippy::expect_used)]
    crate::lexicon::compile(
        r"(?i)\b(?:every|each|all(?:\s+the)?)\s+(?:[a-z'-]+\s+){0,3}?(?:in|across|of|around|throughout)\s+(?:the\s+)?(?:whole\s+|entire\s+)?(?:state|country|nation|region|province|county|world|continent|uk|usa|(?-i:US)|europe)\b|\bnation-?\s?wide\b|\bhalf\s+(?:of\s+)?(?:the|all\s+the)\s+(?:[a-z'-]+\s+){0,3}?(?:market|trade|business|sales)\s+in\s+(?:the\s+)?(?:whole\s+|entire\s+)?(?:country|state|region|city|county|uk|(?-i:US))\b|\b(?:all\s+over|across)\s+the\s+(?:whole\s+|entire\s+)?(?:country|state|world)\b|\bcoast\s+to\s+coast\b|\bin\s+every\s+(?:city|state|town|county|province)\b|\b(?:every|each|all(?:\s+the)?)\s+(?:[a-z'-]+\s+){0,3}?(?:in|across|throughout)\s+(?-i:[A-Z][a-z]+)(?:\s+(?-i:[A-Z][a-z]+))?\b|\b(?:the\s+)?(?:biggest|largest|number\s+one|no\.?\s*1|leading)\s+(?:[a-z'-]+\s+){0,4}?(?:in|across)\s+(?:the\s+(?:whole\s+|entire\s+)?(?:country|state|world|region|county|city|town|(?:north|south|east|west)(?:[\s-]?(?:east|west))?)\b|(?-i:[A-Z][a-z]+)\b)",
    )
    .expect("built-in pattern")
});
/// Whether a phrase ends with a month's or a weekday's name ("... buys in January").
fn ends_with_a_date_word(phrase: &str) -> bool {
    let last = phrase.rsplit(char::is_whitespace).next().unwrap_or("").to_ascii_lowercase();
    crate::facts::MONTHS_AND_DAYS.contains(&last.as_str())
}
static ZH_WHOLE_REGION: LazyLock<Regex> = LazyLock::new(|| {
    #[allow(clippy::expect_used)]
    crate::lexicon::compile(
        r"(?:全国|全省)(?:每个|每一个|各个|所有|各地)|(?:铺|开|覆盖|做|卖)(?:到|遍|满)全(?:国|省)|全国连锁|(?:每个|每一个|所有|各个)(?:省|省会|省份|地级市|县|县城|区县)|(?:全国|全省|全市|全县|全城|我们(?:市|省|县|这个城市)|本(?:市|省|县))的?(?:最大|第一|最有名|头一号|数一数二|老大|龙头|一哥)|全国(?:知名|闻名)|(?:全国|全省|全市|全县|全城)\p{Han}{0,8}?(?:一半|一多半|大半|百分之[五六七八九]十|[五六七八九]成)",
    )
    .expect("built-in pattern")
});

/// What a small business counts its capacity in: people, vehicles, rooms, sites.
fn capacity_unit(unit: &str) -> bool {
    const UNITS: [&str; 32] = [
        "reps",
        "people",
        "locations",
        "engineers",
        "advisers",
        "van",
        "truck",
        "vehicle",
        "room",
        "bed",
        "site",
        "shop",
        "store",
        "branch",
        "staff",
        "technician",
        "instructor",
        "part-timer",
        "driver",
        "coach",
        "间",
        "房",
        "车",
        "店",
        "人",
        "教练",
        "司机",
        "床",
        "销售",
        "员工",
        "师傅",
        "技师",
    ];
    UNITS.iter().any(|u| unit.contains(u)) || worker_noun(unit)
}

/// An English plural for people who do the work ("handlers", "fitters", "electricians",
/// "trainees"), not for those the business serves or deals with ("customers", "members",
/// "suppliers") nor for things ("containers", "orders").
pub(crate) fn worker_noun(unit: &str) -> bool {
    const NOT_STAFF: [&str; 34] = [
        "customers",
        "members",
        "subscribers",
        "users",
        "orders",
        "buyers",
        "visitors",
        "followers",
        "readers",
        "viewers",
        "passengers",
        "shoppers",
        "callers",
        "listeners",
        "renters",
        "borrowers",
        "partners",
        "suppliers",
        "dealers",
        "retailers",
        "wholesalers",
        "competitors",
        "numbers",
        "letters",
        "papers",
        "others",
        "containers",
        "computers",
        "printers",
        "trailers",
        "boilers",
        "headers",
        "folders",
        "referees",
    ];
    let Some(last) = unit.split_whitespace().last() else { return false };
    let last = last.to_ascii_lowercase();
    last.len() > 4
        && ["ers", "ists", "ians", "ees", "men", "hands", "crew", "lads"].iter().any(|s| last.ends_with(s))
        && !NOT_STAFF.contains(&last.as_str())
}

/// A capacity this small cannot reach a whole region in two years.
const SMALL_CAPACITY: f64 = 30.0;
/// The longest horizon over which a whole-region reach from a small business is called
/// unrealistic.
const REGION_HORIZON_DAYS: i64 = 731;

/// The longest horizon over which a whole-region reach is unrealistic for a business of any
/// size: every department store in a country by Christmas, a three-week horizon, is beyond
/// any sales team.
const REGION_SOON_DAYS: i64 = 92;

/// A whole-region reach said as a goal with a horizon, by a business whose stated capacity
/// is small (the capacity and where it was said), or within a quarter by any business
/// (`size` is `None`).
#[derive(Debug, Clone)]
struct RegionTarget {
    target: Span,
    horizon_days: i64,
    /// Where the horizon was said: its figures belong to the target too.
    horizon: Span,
    size: Option<(Fact, Span)>,
    /// Where the contact says nothing will be added to get there, when that made the horizon
    /// a long one.
    no_means: Option<Span>,
}

fn region_targets(transcript: &Transcript, call: &CallEvidence) -> Vec<RegionTarget> {
    // The largest capacity the prospect states anywhere in the call: a business that names
    // 3,000 staff once is not small because it also has five vans.
    let capacities: Vec<&LocatedFact> = call
        .facts
        .iter()
        .filter(|f| matches!(&f.fact, Fact::Count { unit, value } if capacity_unit(unit) && *value > 0.0))
        .filter(|f| !matches!(f.role, FactRole::Target | FactRole::Past))
        .collect();
    let largest = capacities.iter().copied().max_by(|a, b| count_value(&a.fact).total_cmp(&count_value(&b.fact)));
    let small = largest.filter(|f| count_value(&f.fact) <= SMALL_CAPACITY);
    let mut out = Vec::new();
    for turn in transcript.prospect_turns() {
        let regex = if crate::facts::has_han(&turn.text) { &*ZH_WHOLE_REGION } else { &*EN_WHOLE_REGION };
        // "I do all the big equipment buys in January": a month or a day, not a place.
        let Some(m) = regex.find_iter(&turn.text).find(|m| !ends_with_a_date_word(m.as_str())) else { continue };
        let no_means = NO_MEANS.find(&turn.text).filter(|_| small.is_none());
        let max_days = if small.is_some() || no_means.is_some() { REGION_HORIZON_DAYS } else { REGION_SOON_DAYS };
        // Without a small capacity, only a market to win counts: "every branch in the
        // country live by March" is a rollout across the business's own sites.
        if small.is_none() && own_units(m.as_str()) {
            continue;
        }
        let span = Span { turn: turn.index, start: m.start(), end: m.end() };
        if let Some((horizon_days, horizon)) = horizon_near(&turn.text, span, call, max_days) {
            let size = small.filter(|_| horizon_days > REGION_SOON_DAYS).map(|f| (f.fact.clone(), f.span));
            let no_means = no_means.filter(|_| horizon_days > REGION_SOON_DAYS).map(|n| Span {
                turn: turn.index,
                start: n.start(),
                end: n.end(),
            });
            out.push(RegionTarget { target: span, horizon_days, horizon, size, no_means });
        }
    }
    out
}

/// Said alongside a target: nothing will be added to reach it ("dont need more carvers or
/// another van", "人不加，广告也不打", "人手就我一个"). Such a business is as small as its
/// target is large, whatever its size.
static NO_MEANS: LazyLock<Regex> = LazyLock::new(|| {
    #[allow(clippy::expect_used)]
    crate::lexicon::compile(
        r"(?i)\b(?:(?:don['’]t|do\s+not|won['’]t|will\s+not|wouldn['’]t)\s+need\s+(?:any\s+)?(?:more|extra|another|new)\s+[a-z]+|without\s+(?:hiring|adding|taking\s+on)\s+(?:anyone|anybody|more|extra|staff|people)|no\s+(?:extra|more|new)\s+(?:staff|people|hires|vans|trucks|money|marketing|advertising)\b)|(?:人不加|不加人|不招人|广告也不打|不打广告|人手就我一个|就我一个人(?:干|弄|做)?)",
    )
    .expect("built-in pattern")
});

/// Whether a whole-region phrase counts the business's own sites or people ("all our
/// stores", "every branch", "每个门店") rather than customers to win.
fn own_units(reach: &str) -> bool {
    const OWN: [&str; 16] = [
        "our",
        "my",
        "branch",
        "branches",
        "office",
        "offices",
        "site",
        "sites",
        "location",
        "locations",
        "depot",
        "depots",
        "warehouse",
        "warehouses",
        "employee",
        "employees",
    ];
    let lower = reach.to_lowercase();
    let mut words = lower.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty());
    let _every = words.next();
    words.take(3).any(|w| OWN.contains(&w))
        || ["我们的", "自己的", "门店", "分店", "网点"].iter().any(|w| reach.contains(w))
}

/// The horizon of a target at `span`: the first future date, at most `max_days` away, in the
/// same sentence or the next ("Biggest in Canada. By next winter.").
fn horizon_near(text: &str, span: Span, call: &CallEvidence, max_days: i64) -> Option<(i64, Span)> {
    let window = horizon_window(text, span);
    call.facts
        .iter()
        .filter(|f| f.span.turn == span.turn && window.0 <= f.span.start && f.span.end <= window.1)
        // Not `Recurring`: "every" in the reach itself reads as a cycle.
        .filter(|f| f.role != FactRole::Past)
        .find_map(|f| match f.fact {
            Fact::Timeline { resolved, until, .. } => until
                .or(resolved)
                .map(|d| (d - call.as_of).num_days())
                .filter(|n| (1..=max_days).contains(n))
                .map(|n| (n, f.span)),
            _ => None,
        })
}

/// Where a goal's horizon may be said: the sentence holding `span` and the next.
fn horizon_window(text: &str, span: Span) -> (usize, usize) {
    let ranges = crate::facts::sentences(text);
    let at = ranges.partition_point(|(_, end)| *end <= span.start);
    (ranges.get(at).map_or(0, |r| r.0), ranges.get(at + 1).or(ranges.get(at)).map_or(text.len(), |r| r.1))
}

/// A busy season right before a multiple: "春运一开始……电话单一天能翻一倍", "in the summer
/// season the calls can double": how the work swells, not a goal.
static SEASONAL_SURGE: LazyLock<Regex> = LazyLock::new(|| {
    #[allow(clippy::expect_used)]
    crate::lexicon::compile(
        r"(?i)(?:春运|旺季|高峰期?|节假日|黄金周|那阵子?|那几天)[^。！？.!?]{0,20}?(?:能|会|就|都)$|(?-u:\b)(?:in|during|over)\s+(?:the\s+)?(?:peak|busy|high|summer|holiday)\s+(?:season|weeks?|months?)[^.!?]{0,30}?(?:can|will|could)\s+$",
    )
    .expect("built-in pattern")
});
/// Perfection as a goal: a bad thing to zero, or every lead, enquiry or customer won or
/// kept. "waste at zero", "zero no-shows", "every enquiry converts", "100% retention",
/// "零投诉", "来问的全部成交", "一个都不能跑". No business gets there; within months it is a
/// red flag, while the same words with no date, or years out, read as an ideal.
static EN_PERFECTION: LazyLock<Regex> = LazyLock::new(|| {
    #[allow(clippy::expect_used)]
    crate::lexicon::compile(&format!(
        r"(?i)\b(?:{bad})\s+(?:at|to|down\s+to|of|is|are|hits?|hitting)\s+(?:absolute\s+)?(?:zero|nil|0)\b|\b(?:zero|nil)\s+(?:[a-z-]+\s+)?(?:{bad})\b|\bno\s+more\s+(?:{bad})\s*(?:,\s*)?(?:period|full\s+stop|ever|at\s+all)\b|\b(?:zero|nil)\s+(?:missed|late|lost|failed|wrong|botched|dropped)\s+[a-z]+|\b(?:every|each)\s+(?:single\s+)?(?:{who})s?\s+(?:\w+\s+){{0,3}}?(?:converts?|closes?|buys?|signs?|books?|renews?|stays?|comes?\s+back|answered|called\s+back|returned)\b|\bnever\s+(?:miss|lose|drop)\s+(?:one|a\s+single\s+(?:one|{who}))\b|\b(?:100|a\s+hundred|one\s+hundred)\s*(?:%|percent|per\s*cent)\s+(?:conversion|close\s+rate|win\s+rate|hit\s+rate|strike\s+rate|success\s+rate|sign-?up\s+rate|retention|renewals?|occupancy|show\s+rate|on-?time|pass(?:\s+rate)?|first-time\s+pass(?:\s+rate)?|fill(?:\s+rate)?|full|booked|utili[sz]ation|capacity|collection)|\bevery\s+(?:single\s+)?(?:[a-z]+\s+)?(?:slot|session|class|room|bed|seat|chair|table|court|lane|pitch|shift)s?\s+(?:\w+\s+){{0,2}}?(?:full|booked|filled|taken|sold(?:\s+out)?)\b|\b(?:every|each)\s+(?:single\s+)?(?:job|order|invoice|delivery|booking|request|file|case|matter|application|claim)s?\s+(?:\w+\s+){{0,2}}?(?:invoiced|paid|delivered|dispatched|matched|filled|answered|confirmed|exchanged|completed|processed|approved|settled)\s+(?:the\s+)?(?:same|within\s+(?:the|a|an|one|(?:twenty[- ]four|forty[- ]eight|24|48|two|three)))\s+(?:hours?|minutes?|day)\b|\b(?:conversion|close\s+rate|win\s+rate|retention|renewals?|occupancy|show\s+rate|pass\s+rate)\s+(?:of|at|to)\s+(?:100|a\s+hundred|one\s+hundred)\s*(?:%|percent|per\s*cent)|\b(?:close|convert|win|sign|keep|retain)\s+(?:every|each|all)\s+(?:single\s+)?(?:one|{who})s?\b|\b(?:not|never)\s+(?:one|a\s+single)\s+(?:[a-z-]+\s+){{0,2}}?(?:{bad})\b|\bnot\s+(?:one|a\s+single)\s+(?:[a-z-]+\s+){{0,4}}?(?:lost|missed|dropped|late|broken|damaged|stolen|nicked|wasted)\b|\bnever\s+(?:to\s+)?(?:turn\s+down|miss|lose|drop|refuse)\s+(?:a|one|another)\s+(?:single\s+)?[a-z]+\s+again\b|\b(?:100|a\s+hundred|one\s+hundred)\s*(?:%|percent|per\s*cent)\s+perfect\b|\b(?:wants?|expects?|demands?)\s+(?:100|a\s+hundred|one\s+hundred)\s*(?:%|percent|per\s*cent)(?:\s*[.,:;]\s*|\s+)(?:every(?:one|body)|every\s+single|all\s+of\s+them)\b|\b(?:every|each)\s+(?:single\s+)?[a-z]+\s+(?:gets?\s+|is\s+|are\s+)?paid\s+on\s+time\b|\bno\s*(?:body|one)(?:['’]s|\s+is|\s+will\s+be)\s+(?:ever\s+)?late\s+(?:ever\s+)?again\b|\bnine\s+(?:out\s+)?of\s+(?:every\s+)?ten\s+(?:[a-z]+\s+){{0,2}}?(?:convert|close|sign|buy|book)s?\b|\b(?:win|winning|won|close|closing|convert|converting|sign|signing)\s+(?:\w+\s+){{0,2}}?(?:{nineties})\s*(?:%|percent|per\s*cent)|\b(?:{nineties})\s*(?:%|percent|per\s*cent)\s+(?:conversion|close\s+rate|win\s+rate|hit\s+rate|strike\s+rate)\b|\b(?:every|each)\s+(?:single\s+)?(?:slot|session|class|room|studio|bed|seat|chair|table|court|lane|pitch|bay|machine)s?\s*,\s*(?:every|each)\s+(?:single\s+)?(?:hour|day|night|evening|weekend|slot|session|shift)\b|\b(?:every|each)\s+(?:single\s+)?(?:{payer})s?\s+(?:\w+\s+){{0,2}}?paid\s+(?:in\s+full\s+|up\s+)?(?:within|inside|in)\s+(?:the\s+)?(?:(?:twenty[- ]four|forty[- ]eight|24|48|one|a|an|two|three|same)\s+)?(?:hours?|day)\b|\b(?:everybody|everyone|every\s+(?:single\s+)?(?:{payer}|user|player|guest)s?)\s+(?:\w+\s+)?(?:on|using|onto|switched\s+(?:over\s+)?to|paying\s+(?:through|by|with|on))\s+(?:the\s+|our\s+)?(?:app|apps|card|cards|portal|online|website|contactless|system)\b[^.!?]{{0,40}}?(?:(?:a|one)\s+hundred\s+(?:percent|per\s*cent)|100\s*%|\bno\s+(?:cash|coins?|paper|cheques?|checks?)\s+at\s+all)",
        bad = r"false\s+(?:alarms?|alerts?|positives?)|waste|wastage|loss|losses|arrears|bad\s+debts?|errors?|defects?|churn|complaints?|returns?|exchanges?|no-?shows?|mistakes?|breakdowns?|accidents?|cancellations?|refunds?|overflows?|spills?|outages?|downtime|stock-?outs?|stops|stoppages|failures|late\s+deliveries|(?:missed|uncovered)\s+(?:calls|appointments|deliveries|shifts?)",
        who = r"lead|enquiry|enquirie|inquiry|inquirie|prospect|quote|caller|visitor|customer|client|patient|member|demo|deal|trial|pitch|pitche|tender|bid|contract|account|(?:cafe|café|shop|store|venue|restaurant|school|practice|site)\s+(?:we|i)\s+(?:pitch|approach|visit|call|quote)(?:\s+to)?",
        nineties = r"9\d|ninety(?:[- ](?:five|six|seven|eight|nine))?",
        payer = r"famil(?:y|ie)|parent|member|customer|client|tenant|household|student|invoice|account",
    ))
    .expect("built-in pattern")
});
static ZH_PERFECTION: LazyLock<Regex> = LazyLock::new(|| {
    #[allow(clippy::expect_used)]
    crate::lexicon::compile(&format!(
        r"(?:全部|全都|百分之百|100%|一个不落地?|统统)(?:都)?(?:要|得|能)?(?:成交|转化|签下|签约|拿下|续费|续约|续课|留住|到店|报名|收回|收齐)|十个\p{{Han}}{{0,3}}?九个(?:签|成|成交|买|留|下单)|十个\p{{Han}}{{0,5}}?(?:签|成交|成|买|留|下单)\p{{Han}}{{0,1}}?九个|(?:签单|成交|转化|签约|中标)率?\p{{Han}}{{0,4}}?(?:做到|达到|冲到|到|要|得)?(?:百分之九十[五六七八九]?|9\d%)|(?:一整年|全年|一年|明年)的?\p{{Han}}{{0,3}}?档期(?:都|全)?(?:要|得)?(?:约|排|订|定)满|评分\p{{Han}}{{0,4}}?(?:回到|做到|拿到|到)(?:五分|满分|5分)|一[个单家只条台件位名天份笔双块张辆箱瓶回次户]\p{{Han}}{{0,3}}?(?:都|也)不(?:能|许|准|会)?\p{{Han}}{{0,6}}?(?:跑|丢|少|流失|漏|挂|死|坏|错|空|有|扑|黄|砸|落|逾期|延误|超时|退|返修|返工|停)|一[个户家人位份件条单]不落|来一个(?:签|成|留)一个|(?:通过率|合格率|及格率|转化率|成交率|签约率|续费率|到店率|好评率|利用率|出租率|入住率|上座率|满座率|满班率|满员率|满课率|出勤率|准点率|准时率|回款率|收缴率|缴费率|到课率)(?:都|也|就)?(?:要|得|必须|一定要)?(?:达到|做到|到|冲到)?(?:百分之百|100%)|零(?:{bad})|(?:{bad})率?(?:都|也|就|直接)?(?:要|得|必须|一定要)?(?:降到|做到|为|变成|归)零|(?:{bad})(?:就|也|都)?(?:彻底|完全|直接)(?:没了|消失了?|杜绝了?)|(?:{bad})\p{{Han}}{{0,4}}?清零",
        bad = "投诉|差错|失误|损耗|浪费|事故|退货|退费|流失|差评|退单|爽约|故障|缺货|逾期|坏账|延误|漏检|停机|客退|客诉|返修|返工|不良|次品|报废|错发|漏发|错单|漏单",
    ))
    .expect("built-in pattern")
});
/// Signatures or approvals named right before "一个都不能少".
static SIGNED_BEFORE: LazyLock<Regex> = LazyLock::new(|| {
    #[allow(clippy::expect_used)]
    crate::lexicon::compile(r"(?:签字|签名|签|盖章|审批|批准|同意)[，,、\s]*$").expect("built-in pattern")
});
/// A rep question about goals.
static GOAL_QUESTION: LazyLock<Regex> = LazyLock::new(|| {
    #[allow(clippy::expect_used)]
    crate::lexicon::compile(
        r"(?i)\b(?:goals?|targets?|aims?|aiming|success|ambitions?|where\s+do\s+you\s+(?:want|see)|(?:you['’]d|you\s+would|would\s+you)\s+(?:\w+\s+)?(?:want|like|need)|looking\s+to\s+achieve|hoping\s+to\s+(?:get|see)|what\s+would\s+(?:a\s+)?good(?:\s+(?:result|outcome|year|month))?\s+look\s+like)\b|目标|指标|打算做到|想做到|(?:达到|看到|做到|实现|到)一?个?(?:什么|啥)(?:样的?)?(?:效果|结果)|(?:期望|预期|指望)\p{Han}{0,3}?(?:什么|啥)",
    )
    .expect("built-in pattern")
});
/// Words that demand perfection as the standard rather than hope for it: with no date, only
/// a demand is a red flag ("not one shift uncovered, ever", "一只虾都不能死").
static DEMANDED: LazyLock<Regex> = LazyLock::new(|| {
    #[allow(clippy::expect_used)]
    crate::lexicon::compile(
        r"(?i)\b(?:must|has\s+to|have\s+to|need\s+to|needs\s+to|got\s+to|gotta|not\s+one|not\s+a\s+single|ever|never|again|every\s+single|from\s+now\s+on|going\s+forward|no\s+exceptions?|not\s+fewer|from\s+(?:the\s+)?(?:first\s+(?:day|week|month)|day\s+one|week\s+one)|(?:boss|owner|manager|director|md|ceo)\s+wants)\b|必须|一定|不能|不许|不准|都得|要",
    )
    .expect("built-in pattern")
});
/// Words that make perfection an ideal: "ideally", "in a perfect world", "我们的追求".
static IDEAL: LazyLock<Regex> = LazyLock::new(|| {
    #[allow(clippy::expect_used)]
    crate::lexicon::compile(
        r"(?i)\b(?:ideal|ideally|in\s+a\s+perfect\s+world|would\s+be\s+nice|aspire|aspiration|strive)\b|追求|理想|最好",
    )
    .expect("built-in pattern")
});
/// Perfection within a year is unrealistic ("zero cancellations ... still climbing with us in a
/// year", "明年 ... 每一条都要上热门": next year's end, said from late October on, is at most
/// about 14 months away); further out it reads as an ideal.
const PERFECTION_HORIZON_DAYS: i64 = 430;

/// Perfection said as a goal with a horizon of at most a year or with none, and that
/// horizon (its days and where it was said) when there is one.
fn perfection_targets(transcript: &Transcript, call: &CallEvidence) -> Vec<(Span, Option<(i64, Span)>)> {
    let mut out = Vec::new();
    for turn in transcript.prospect_turns() {
        let regex = if crate::facts::has_han(&turn.text) { &*ZH_PERFECTION } else { &*EN_PERFECTION };
        for m in regex.find_iter(&turn.text) {
            // "五万以上必须两个人签字，一个都不能少": the signatures, not a goal.
            if SIGNED_BEFORE.is_match(&turn.text[..m.start()]) {
                continue;
            }
            let span = Span { turn: turn.index, start: m.start(), end: m.end() };
            // Said as a goal, or as the answer to a question about goals ("Goals for the new
            // year?" "Every single enquiry converts. By Easter."). The goal may be named after
            // the perfection it describes ("Not one return. Zero. That's the goal.").
            if !said_as_goal(transcript, span) {
                continue;
            }
            let rest = rest_of_answer(&turn.text, span);
            // Within a year it is a red flag; years out it reads as an ideal; with no date
            // at all it is demanded as the standard from now on ("not one shrimp dies, ever"),
            // which no business meets either.
            if let Some(horizon) = horizon_near(&turn.text, span, call, PERFECTION_HORIZON_DAYS) {
                out.push((span, Some(horizon)));
            } else if let Some(horizon) = after_start(&turn.text, span) {
                out.push((span, Some(horizon)));
            } else if horizon_near(&turn.text, span, call, i64::MAX).is_none()
                && DEMANDED.is_match(rest)
                && !IDEAL.is_match(&sentence_text(transcript, span))
            {
                out.push((span, None));
            }
        }
    }
    out
}

/// A horizon counted from the start of use rather than from a date: "two weeks after we
/// switch", "a month into going live", "用上以后半个月".
static EN_AFTER_START: LazyLock<Regex> = LazyLock::new(|| {
    #[allow(clippy::expect_used)]
    crate::lexicon::compile(
        r"(?i)\b(?P<n>\d+|an?|one|two|three|four|five|six|a\s+couple\s+of|a\s+few)\s+(?P<unit>days?|weeks?|months?)\s+(?:after|into|from|of)\s+(?:we\s+(?:switch|start|launch|go\s+live|change\s+over)|going\s+live|go-?live|launch|launching|switching|starting|the\s+(?:switch|launch|start|changeover))\b",
    )
    .expect("built-in pattern")
});
static ZH_AFTER_START: LazyLock<Regex> = LazyLock::new(|| {
    #[allow(clippy::expect_used)]
    crate::lexicon::compile(
        r"(?:上线|用上|换上|换了|切换|开始用|一上)\p{Han}{0,2}?(?:以后|之后|后)?(?P<n>[一二两三四五六七八九十半0-9]+)个?(?P<unit>天|礼拜|星期|周|月)",
    )
    .expect("built-in pattern")
});

/// The days of a horizon counted from the start of use, said in the sentence at `span` or the
/// next ([`EN_AFTER_START`]).
fn after_start(text: &str, span: Span) -> Option<(i64, Span)> {
    let (start, end) = horizon_window(text, span);
    let window = text.get(start..end)?;
    let regex = if crate::facts::has_han(window) { &*ZH_AFTER_START } else { &*EN_AFTER_START };
    let c = regex.captures(window)?;
    let n = c.name("n").map(|n| n.as_str().to_ascii_lowercase())?;
    let n = match n.as_str() {
        "a couple of" => 2.0,
        "a few" => 3.0,
        other => leap_figure(other)?,
    };
    let hours = unit_hours(c.name("unit")?.as_str())?;
    let whole = c.get(0)?;
    let days = (n * hours / 24.0).ceil() as i64;
    Some((days, Span { turn: span.turn, start: start + whole.start(), end: start + whole.end() }))
}

/// Capacity said to stay as it is: "same crew", "without hiring", "设备不加、人也不加",
/// "教室不加、老师不加".
static NO_MORE_CAPACITY: LazyLock<Regex> = LazyLock::new(|| {
    #[allow(clippy::expect_used)]
    crate::lexicon::compile(
        r"(?i)\b(?:(?:the\s+)?same\s+(?:crew|team|staff|people|headcount|lads|workforce|number\s+of\s+(?:people|staff|hands))|without\s+(?:hiring|taking\s+on|adding)\b|no\s+(?:new|extra|more|additional)\s+(?:staff|people|hires|hands|headcount|crew|vans|trucks|rooms|machines|space)|not\s+(?:hiring|taking\s+on)\s+(?:anyone|anybody|more|staff))\b|(?:人|人手|设备|机器|老师|教室|车|场地|编制|员工)(?:也|都)?不(?:加|增加|添|多招)|不加人|不招人|人手不变|原班人马",
    )
    .expect("built-in pattern")
});
/// The level a target replaces, said right after it: "twenty next year instead of three".
static EN_INSTEAD_OF: LazyLock<Regex> = LazyLock::new(|| {
    #[allow(clippy::expect_used)]
    crate::lexicon::compile(r"(?i)^\s*(?:[a-z]+\s+){0,3}?(?:instead\s+of|rather\s+than|up\s+from)\s+(?:the\s+|our\s+)?(?P<n>\d+|[a-z]+(?:[\s-][a-z]+)?)\b")
        .expect("built-in pattern")
});

/// A target at least twice the current level with no capacity added: an answer that sets a
/// level of a thing (or says what it replaces) and, in that answer or the next, that the crew,
/// rooms or machines stay the same ("twenty organs next year instead of three. Same crew.",
/// "一天十二吨……得三十吨往上。设备不加、人也不加").
struct CapacityTarget {
    target: Span,
    constraint: Span,
    factor: f64,
}

/// The factor below which a target with no added capacity is left alone: doubling with the
/// same people and machines is not credible, smaller gains may come from working better.
const CAPACITY_FACTOR: f64 = 2.0;

fn capacity_targets(transcript: &Transcript, call: &CallEvidence) -> Vec<CapacityTarget> {
    let prospect: Vec<&crate::transcript::Turn> = transcript.prospect_turns().collect();
    let mut out = Vec::new();
    for (k, turn) in prospect.iter().enumerate() {
        let Some(m) = NO_MORE_CAPACITY.find(&turn.text) else { continue };
        let constraint = Span { turn: turn.index, start: m.start(), end: m.end() };
        // The target is in this answer or the one before it.
        let candidates = [Some(*turn), k.checked_sub(1).and_then(|i| prospect.get(i).copied())];
        for answer in candidates.into_iter().flatten() {
            if !GOAL_CUE.is_match(&answer.text) {
                continue;
            }
            if let Some((target, factor)) = strained_level(answer, call) {
                out.push(CapacityTarget { target, constraint, factor });
                break;
            }
        }
    }
    out
}

/// The biggest change between two levels of one thing in an answer: two counts with the same
/// unit, or a count and the level it replaces ("instead of three").
fn strained_level(answer: &crate::transcript::Turn, call: &CallEvidence) -> Option<(Span, f64)> {
    let counts: Vec<(&LocatedFact, f64, &str)> = call
        .facts
        .iter()
        .filter(|f| f.span.turn == answer.index && f.role != FactRole::Past)
        .filter_map(|f| match &f.fact {
            Fact::Count { value, unit } if *value > 0.0 => Some((f, *value, unit.as_str())),
            _ => None,
        })
        .collect();
    let mut best: Option<(Span, f64)> = None;
    let mut consider = |span: Span, factor: f64| {
        if factor >= CAPACITY_FACTOR && best.is_none_or(|(_, f)| factor > f) {
            best = Some((span, factor));
        }
    };
    for (i, (a, x, u)) in counts.iter().enumerate() {
        for (b, y, v) in &counts[i + 1..] {
            if u == v {
                let target = if y > x { b.span } else { a.span };
                consider(target, x.max(*y) / x.min(*y));
            }
        }
        let after = answer.text.get(a.span.end..).unwrap_or("");
        if let Some(n) = EN_INSTEAD_OF.captures(after).and_then(|c| c.name("n")) {
            let was = n.as_str().parse::<f64>().ok().or_else(|| crate::facts::parse_en_words(n.as_str()));
            if let Some(was) = was.filter(|w| *w > 0.0) {
                consider(a.span, x / was);
            }
        }
    }
    best
}

/// The text of an answer from the start of the sentence holding `span` to its end.
fn rest_of_answer(text: &str, span: Span) -> &str {
    let ranges = crate::facts::sentences(text);
    let at = ranges.partition_point(|(_, end)| *end <= span.start);
    text.get(ranges.get(at).map_or(span.start, |r| r.0)..).unwrap_or("")
}

/// Doubling every month or week, said as a goal: "we want to double the bookings every
/// month", "装机量每个月都要翻一番".
static EN_COMPOUNDING: LazyLock<Regex> = LazyLock::new(|| {
    #[allow(clippy::expect_used)]
    crate::lexicon::compile(
        r"(?i)\b(?:doubl(?:e|es|ing)|2x)\s+(?:it\s+|that\s+|them\s+|(?:the|our)\s+[a-z-]+\s+)?(?:every|each)\s+(?:single\s+)?(?:month|week)\b|\b(?:every|each)\s+(?:month|week)\s+(?:we|it|they)\s+(?:\w+\s+)?doubles?\b",
    )
    .expect("built-in pattern")
});
static ZH_COMPOUNDING: LazyLock<Regex> = LazyLock::new(|| {
    #[allow(clippy::expect_used)]
    crate::lexicon::compile(
        r"(?:每个月|每月|每个礼拜|每周)\p{Han}{0,4}?(?:都)?(?:要|得|能)?(?:翻一番|翻一倍|翻倍|翻番|涨一倍)",
    )
    .expect("built-in pattern")
});
/// Words that make a sentence a goal rather than a description of what happened.
static GOAL_CUE: LazyLock<Regex> = LazyLock::new(|| {
    #[allow(clippy::expect_used)]
    crate::lexicon::compile(
        r"(?i)\b(?:want|wants|target|goal|aim|aiming|plan|planning|dream|need\s+to|going\s+to|gonna|will|we['’]ll|should|must|has\s+to|have\s+to)\b|要|目标|计划|打算|争取|得|必须|梦想",
    )
    .expect("built-in pattern")
});

/// A year's takings or work said to come in days or a week: "a whole year's room revenue in
/// the seven days of Spring Festival", "the whole of May to July booked out ... inside a week of
/// going live", "把一整年的房费都挣回来" (with "那七天" in the sentence).
static EN_YEAR_IN_DAYS: LazyLock<Regex> = LazyLock::new(|| {
    #[allow(clippy::expect_used)]
    crate::lexicon::compile(
        r"(?i)\b(?:a\s+(?:whole|full|entire)\s+(?:year|season)['’]?s|a\s+(?:year|season)['’]?s|the\s+(?:whole|full|entire)\s+(?:year|season)['’]?s|all\s+(?:of\s+)?(?:the|a)\s+(?:year|season)['’]?s)\s+(?:worth\s+of\s+)?(?:\w+\s+){0,3}?(?:in|within|inside|over|during)\s+(?:just\s+|only\s+)?(?:the\s+)?(?:a|one|two|three|four|five|six|seven|eight|nine|ten|\d+|first|that|those)\s+(?:\w+\s+)?(?:days?|weeks?|weekends?|nights?|month)\b|\bthe\s+whole\s+of\s+[a-z]+(?:\s+(?:to|through|and)\s+[a-z]+)?\s+(?:booked\s+out|fully\s+booked|sold\s+out|booked\s+up)\b[^.?!]{0,60}?\b(?:in|within|inside)\s+(?:a|one|two|the\s+first)\s+(?:days?|weeks?)\b",
    )
    .expect("built-in pattern")
});
static ZH_YEAR_IN_DAYS: LazyLock<Regex> = LazyLock::new(|| {
    #[allow(clippy::expect_used)]
    crate::lexicon::compile(
        r"(?:一整年|一全年|全年|一年)的?\p{Han}{0,4}?(?:都|全)?(?:挣|赚|做|卖|收|跑)(?:回来|出来|够|完|到手)",
    )
    .expect("built-in pattern")
});
/// The few days the year's takings are to come in, in the same sentence (zh).
static ZH_FEW_DAYS: LazyLock<Regex> = LazyLock::new(|| {
    #[allow(clippy::expect_used)]
    crate::lexicon::compile(
        r"[一二两三四五六七八九十0-9]{1,2}(?:天|日|个?晚上|个?星期|周)|一个月|黄金周|小长假|春节那|国庆那",
    )
    .expect("built-in pattern")
});

/// A purchase said to pay for itself within days, weeks or a month: "pays for itself inside the
/// first week", "paid back the whole season's fee by the end of the first weekend",
/// "一百来万的东西，一个月回本", "半个月就能把这二十几万挣回来". Equipment and systems earn their
/// price back over seasons or years.
static EN_PAYBACK: LazyLock<Regex> = LazyLock::new(|| {
    #[allow(clippy::expect_used)]
    crate::lexicon::compile(
        r"(?i)\b(?:(?:pays?|paid|paying)\s+(?:for\s+)?(?:itself|themselves|it\s+off|them\s+off|(?:it|itself|themselves)\s+back|back)|(?:earn|make|get|win|claw)s?\s+(?:it|that|the\s+(?:money|cost)|our\s+money|its\s+(?:cost|money|price))\s+back|recoup\w*\s+(?:it|the\s+(?:cost|money)|its\s+cost))\s+(?:[\w'’]+\s+){0,4}?(?:in|within|inside|by\s+the\s+end\s+of)\s+(?:(?:the|a|one|its|our)\s+)?(?:(?:first|single|couple\s+of|few)\s+)?(?:days?|weeks?|weekends?|fortnight|month)\b",
    )
    .expect("built-in pattern")
});
static ZH_PAYBACK: LazyLock<Regex> = LazyLock::new(|| {
    #[allow(clippy::expect_used)]
    crate::lexicon::compile(
        r"(?:(?:头|第)?(?:半个?|一个?)月|(?:头|第)?一个?(?:礼拜|星期)|一周|[一二两三四五六七八九十几]{1,3}天)(?:之内|以内|内|里|下来)?[，,\s]?\p{Han}{0,10}?(?:回本|(?:挣|赚|收|捞)回(?:来|本钱|成本)|收回成本)|回本(?:周期)?(?:就|得|要|只要|最多)?(?:(?:半个?|一个?)月|一个?(?:礼拜|星期)|一周|[一二两三四五六七八九十几]{1,3}天)",
    )
    .expect("built-in pattern")
});
/// A payback within this many days is a red flag whatever the price.
const PAYBACK_ALWAYS_DAYS: i64 = 14;
/// Within a month, a red flag when the turn names a price of this much or more: a cheap
/// subscription can pay for itself in a month, a machine or a system of tens of thousands
/// cannot.
const PAYBACK_COSTLY: f64 = 10_000.0;

/// A payback target and its days: within [`PAYBACK_ALWAYS_DAYS`], or within a month with a
/// price of [`PAYBACK_COSTLY`] or more named in the same turn (said as a demand or as a
/// reckoning: either is the prospect's expectation).
fn payback_targets(transcript: &Transcript, call: &CallEvidence) -> Vec<(Span, i64)> {
    let mut out = Vec::new();
    for turn in transcript.prospect_turns() {
        let regex = if crate::facts::has_han(&turn.text) { &*ZH_PAYBACK } else { &*EN_PAYBACK };
        for m in regex.find_iter(&turn.text) {
            let said = m.as_str().to_lowercase();
            let days = if said.contains("month") || said.contains('月') {
                if said.contains('半') { 15 } else { 31 }
            } else if said.contains("fortnight") || said.contains("couple") || said.contains("few") {
                14
            } else {
                7
            };
            if days <= PAYBACK_ALWAYS_DAYS || costly_turn(call, turn.index) {
                out.push((Span { turn: turn.index, start: m.start(), end: m.end() }, days));
            }
        }
        // Paid back by a date ("the whole thing paid back by christmas", three weeks away):
        // within two weeks whatever it costs; within a month when the turn names a price of
        // tens of thousands or the rep answers that payback takes far longer.
        if !crate::facts::has_han(&turn.text) {
            for m in EN_PAYBACK_BY.find_iter(&turn.text) {
                let span = Span { turn: turn.index, start: m.start(), end: m.end() };
                if out.iter().any(|(s, _)| overlaps(*s, span)) {
                    continue;
                }
                let Some((days, _)) = horizon_near(&turn.text, span, call, PAYBACK_MONTH_DAYS) else { continue };
                let pushed_back = transcript
                    .turns
                    .get(turn.index + 1)
                    .is_some_and(|r| r.role == crate::transcript::Role::Rep && REP_PUSHBACK.is_match(&r.text));
                if days <= PAYBACK_ALWAYS_DAYS || pushed_back || costly_turn(call, turn.index) {
                    out.push((span, days));
                }
            }
        }
    }
    out
}

/// A price of [`PAYBACK_COSTLY`] or more named in a turn.
fn costly_turn(call: &CallEvidence, turn: usize) -> bool {
    call.facts.iter().any(|f| {
        f.span.turn == turn
            && match &f.fact {
                Fact::Money { amount, .. } => *amount >= PAYBACK_COSTLY,
                Fact::Count { value, .. } => *value >= PAYBACK_COSTLY,
                _ => false,
            }
    })
}

/// Whether a prospect's answer states a goal: its rep question asked about goals ("Where would
/// you like to get to?", "希望能到一个什么效果？"), or the answer from the sentence at `span` on
/// has a goal cue.
fn said_as_goal(transcript: &Transcript, span: Span) -> bool {
    let Some(turn) = transcript.turns.get(span.turn) else { return false };
    let asked = span
        .turn
        .checked_sub(1)
        .and_then(|i| transcript.turns.get(i))
        .is_some_and(|q| q.role == crate::transcript::Role::Rep && GOAL_QUESTION.is_match(&q.text));
    asked || GOAL_CUE.is_match(rest_of_answer(&turn.text, span))
}

/// The time a process takes, to be cut from days or weeks to a tenth or less of it:
/// "一个礼拜之内，出图周期从十五天压到一天", "get turnaround from three weeks down to a day".
static ZH_TIME_CUT: LazyLock<Regex> = LazyLock::new(|| {
    #[allow(clippy::expect_used)]
    crate::lexicon::compile(
        r"从(?:现在|原来|目前|平时|平均)?的?(?:差不多|大概)?(?P<from>[0-9一二两三四五六七八九十百几]+)(?:多|来)?(?P<from_unit>天|个?(?:礼拜|星期)|周|个?月)(?:左右)?\p{Han}{0,4}?(?:压|缩|降|减|砍|提)(?:短|低)?到(?:只要|只用|就|才)?(?P<to>[0-9一二两三四五六七八九十半]+)(?P<to_unit>天|个?(?:小时|钟头)|分钟|周)",
    )
    .expect("built-in pattern")
});
static EN_TIME_CUT: LazyLock<Regex> = LazyLock::new(|| {
    #[allow(clippy::expect_used)]
    crate::lexicon::compile(
        r"(?i)\bfrom\s+(?:about\s+|around\s+|roughly\s+)?(?P<from>\d+|[a-z]+)\s+(?P<from_unit>days?|weeks?|months?)\s+(?:\w+\s+){0,2}?(?:down\s+)?to\s+(?:just\s+|only\s+|about\s+)?(?P<to>\d+|[a-z]+)\s+(?P<to_unit>days?|hours?|minutes?|weeks?)\b",
    )
    .expect("built-in pattern")
});
/// The goal's time said first and the time now after it: "ideally we go from manuscript to
/// finished book in like two days, at the moment it's about ten weeks".
static EN_TIME_CUT_NOW: LazyLock<Regex> = LazyLock::new(|| {
    #[allow(clippy::expect_used)]
    crate::lexicon::compile(
        r"(?i)\b(?:go|get|turn\s+\w+\s+round)\s+from\s+(?:[a-z]+\s+){1,3}?to\s+(?:[a-z]+\s+){1,3}?in\s+(?:like\s+|about\s+|just\s+|only\s+|under\s+)?(?P<to>\d+|[a-z]+)\s+(?P<to_unit>days?|hours?|minutes?|weeks?)\b[^.?!]{0,30}?\b(?:at\s+the\s+moment|right\s+now|currently|these\s+days|today)\s+(?:it['’]?s|its|it\s+takes|we['’]re\s+at|takes)\s+(?:about\s+|around\s+|roughly\s+|like\s+|over\s+)?(?P<from>\d+|[a-z]+)\s+(?P<from_unit>days?|weeks?|months?)\b",
    )
    .expect("built-in pattern")
});
/// A time cut by at least this factor within a month is a red flag: a process measured in
/// days or weeks does not become ten times faster in its first weeks.
const TIME_CUT_FACTOR: f64 = 10.0;

/// A rank to be reached, and the rank now: "冲到全省榜第一" against "现在排两千多名", "make the
/// top ten" against "we're about 400th". The rank now may be said before or after the goal.
static ZH_RANK_GOAL: LazyLock<Regex> = LazyLock::new(|| {
    #[allow(clippy::expect_used)]
    crate::lexicon::compile(
        r"(?:冲到|冲进|冲上|杀进|挤进|进到|排到|坐上|拿下|做到|拿到)[^，。！？,.!?\s]{0,16}?(?:第(?P<nth>[一二三四五六七八九十0-9]+)(?:名|位)?|前(?P<top>[一二三四五六七八九十百0-9]+)(?:名|强)?|榜首|头名|冠军)",
    )
    .expect("built-in pattern")
});
static ZH_RANK_NOW: LazyLock<Regex> = LazyLock::new(|| {
    #[allow(clippy::expect_used)]
    crate::lexicon::compile(
        r"(?:排|排名|排在|名列)(?:在|到)?第?(?P<n>[0-9一二两三四五六七八九十百千万几]+)(?:多|来)?(?:名|位)",
    )
    .expect("built-in pattern")
});
static EN_RANK_GOAL: LazyLock<Regex> = LazyLock::new(|| {
    #[allow(clippy::expect_used)]
    crate::lexicon::compile(
        r"(?i)\b(?:number\s+one|no\.?\s*1|first\s+place|the\s+top\s+spot|top\s+of\s+the\s+(?:table|league|list|rankings?|leaderboard|charts?)|(?:the\s+)?top\s+(?P<top>\d+|three|five|ten|twenty|fifty|hundred))\b",
    )
    .expect("built-in pattern")
});
static EN_RANK_NOW: LazyLock<Regex> = LazyLock::new(|| {
    #[allow(clippy::expect_used)]
    crate::lexicon::compile(
        r"(?i)\b(?:ranked|ranking|we['’]re|sitting|currently|about|around|roughly)\s+(?:about\s+|around\s+|roughly\s+)?(?P<n>\d[\d,]*)(?:st|nd|rd|th)\b|\b(?:rank(?:ed)?|position)\s+(?:about\s+|around\s+)?(?P<m>\d[\d,]*)\b",
    )
    .expect("built-in pattern")
});

/// A comparison with the present level: "比今年多两成", "20% up on this year".
static COMPARED_TO_NOW: LazyLock<Regex> = LazyLock::new(|| {
    #[allow(clippy::expect_used)]
    crate::lexicon::compile(
        r"(?i)比(?:今年|去年|现在|目前|上一年|往年)|\b(?:than|on|over)\s+(?:this|last)\s+year\b|\bthan\s+(?:now|today)\b",
    )
    .expect("built-in pattern")
});

/// Whether the sentence of a target level also says its growth as a share of the present
/// level ("明年产值做到一个亿，比今年多两成多"): the speaker gave the comparison, and an
/// earlier figure of another thing is not the level it grows from.
fn growth_said_beside(transcript: &Transcript, call: &CallEvidence, span: Span) -> bool {
    let (start, end) = sentence_range(transcript, span);
    call.facts.iter().any(|f| {
        f.span.turn == span.turn
            && start <= f.span.start
            && f.span.end <= end
            && matches!(f.fact, Fact::Percentage { .. })
    }) && transcript
        .turns
        .get(span.turn)
        .and_then(|t| t.text.get(start..end))
        .is_some_and(|s| COMPARED_TO_NOW.is_match(s))
}

/// Hours in a unit of time said in a cut.
fn unit_hours(unit: &str) -> Option<f64> {
    let unit = unit.to_ascii_lowercase();
    const HOURS: [(&str, f64); 13] = [
        ("minute", 1.0 / 60.0),
        ("分钟", 1.0 / 60.0),
        ("hour", 1.0),
        ("小时", 1.0),
        ("钟头", 1.0),
        ("day", 24.0),
        ("天", 24.0),
        ("week", 168.0),
        ("礼拜", 168.0),
        ("星期", 168.0),
        ("周", 168.0),
        ("month", 720.0),
        ("月", 720.0),
    ];
    HOURS.into_iter().find(|(name, _)| unit.contains(name)).map(|(_, hours)| hours)
}

/// A figure in a cut or a rank: digits, words, Chinese, "a"/"an" for one, "半" for a half.
fn leap_figure(text: &str) -> Option<f64> {
    match text.to_ascii_lowercase().as_str() {
        "a" | "an" => Some(1.0),
        "半" => Some(0.5),
        other => crate::facts::figure(&other.replace(',', "")),
    }
}

/// Leaps said as goals that no business makes in the time given, with their factor and
/// horizon: a process time cut tenfold or more within a month ([`TIME_CUT_FACTOR`]), and a
/// rank to be reached that is beyond [`is_unrealistic`] against the rank now (from 3,000th
/// to first is a factor of 3,000).
fn leap_targets(transcript: &Transcript, call: &CallEvidence) -> Vec<(Span, f64, Option<i64>)> {
    let mut out = Vec::new();
    for turn in transcript.prospect_turns() {
        let chinese = crate::facts::has_han(&turn.text);
        let cuts: &[&Regex] = if chinese { &[&*ZH_TIME_CUT] } else { &[&*EN_TIME_CUT, &*EN_TIME_CUT_NOW] };
        for c in cuts.iter().flat_map(|cut| cut.captures_iter(&turn.text)) {
            let (Some(all), Some(from), Some(from_unit), Some(to), Some(to_unit)) =
                (c.get(0), c.name("from"), c.name("from_unit"), c.name("to"), c.name("to_unit"))
            else {
                continue;
            };
            let span = Span { turn: turn.index, start: all.start(), end: all.end() };
            let hours =
                |n: regex::Match<'_>, u: regex::Match<'_>| Some(leap_figure(n.as_str())? * unit_hours(u.as_str())?);
            let (Some(before), Some(after)) = (hours(from, from_unit), hours(to, to_unit)) else { continue };
            if before < 24.0 || after <= 0.0 || before / after < TIME_CUT_FACTOR || !said_as_goal(transcript, span) {
                continue;
            }
            // Tenfold within a month; within the year, a cut `is_unrealistic` calls beyond
            // any horizon (twentyfold).
            let factor = before / after;
            if let Some((days, _)) = horizon_near(&turn.text, span, call, PERFECTION_HORIZON_DAYS)
                .filter(|(days, _)| *days <= 31 || is_unrealistic(factor, None))
            {
                out.push((span, factor, Some(days)));
            }
        }
        let (goal, now) = if chinese { (&*ZH_RANK_GOAL, &*ZH_RANK_NOW) } else { (&*EN_RANK_GOAL, &*EN_RANK_NOW) };
        for g in goal.captures_iter(&turn.text) {
            let Some(all) = g.get(0) else { continue };
            let span = Span { turn: turn.index, start: all.start(), end: all.end() };
            let target = match g.name("nth").or(g.name("top")) {
                Some(n) => leap_figure(n.as_str()),
                None => Some(1.0),
            };
            let Some(target) = target.filter(|n| *n >= 1.0) else { continue };
            if !said_as_goal(transcript, span) {
                continue;
            }
            // The rank now: in this answer, else in the prospect's earlier answers.
            let earlier = transcript.turns[..turn.index]
                .iter()
                .rev()
                .filter(|t| t.role == crate::transcript::Role::Prospect)
                .map(|t| t.text.as_str());
            let rank_now = std::iter::once(turn.text.as_str()).chain(earlier).find_map(|text| {
                now.captures_iter(text)
                    .filter_map(|c| c.name("n").or(c.name("m")).and_then(|n| leap_figure(n.as_str())))
                    .find(|n| *n > target)
            });
            let Some(rank_now) = rank_now else { continue };
            // Years out, a climb of any size reads as an ambition ("明年" runs to next year's
            // end, as for perfection).
            let Some((days, _)) = horizon_near(&turn.text, span, call, PERFECTION_HORIZON_DAYS) else { continue };
            if is_unrealistic(rank_now / target, Some(days)) {
                out.push((span, rank_now / target, Some(days)));
            }
        }
    }
    out
}

/// A month, the longest payback by a date that can be a red flag.
const PAYBACK_MONTH_DAYS: i64 = 31;

/// Paying back with no length of time, for a payback by a date: "paid back by christmas".
static EN_PAYBACK_BY: LazyLock<Regex> = LazyLock::new(|| {
    #[allow(clippy::expect_used)]
    crate::lexicon::compile(
        r"(?i)\b(?:(?:pays?|paid|paying)\s+(?:for\s+)?(?:itself|themselves|it\s+off|them\s+off|(?:it|itself|themselves)\s+back|back)|recoup(?:ed|s)?|(?:earn|make|get|claw)(?:s|ed)?\s+(?:it|that|the\s+(?:money|cost)|our\s+money)\s+back)\b",
    )
    .expect("built-in pattern")
});
/// The rep answering that a payback takes far longer: "that's really tight", "we usually see
/// payback in two to three seasons".
static REP_PUSHBACK: LazyLock<Regex> = LazyLock::new(|| {
    #[allow(clippy::expect_used)]
    crate::lexicon::compile(
        r"(?i)\b(?:(?:really|very|pretty|quite)\s+tight|(?:usually|normally|typically)\s+(?:see|takes?|get)\s+(?:the\s+)?payback|not\s+realistic|unrealistic|a\s+(?:big|tall)\s+ask)\b",
    )
    .expect("built-in pattern")
});

/// A goal said in set words: the English and Chinese patterns, what else a Chinese sentence
/// must hold, and the signal's message code.
type GoalPhrase = (&'static Regex, &'static Regex, fn(&str) -> bool, &'static str);

/// Where a prospect says `en` (or `zh`, in a Chinese turn, when `zh_also` holds for its
/// sentence) as a goal: the sentence has a goal cue.
fn goal_phrases(transcript: &Transcript, en: &Regex, zh: &Regex, zh_also: fn(&str) -> bool) -> Vec<Span> {
    let mut out = Vec::new();
    for turn in transcript.prospect_turns() {
        let chinese = crate::facts::has_han(&turn.text);
        let regex = if chinese { zh } else { en };
        for m in regex.find_iter(&turn.text) {
            let span = Span { turn: turn.index, start: m.start(), end: m.end() };
            let sentence = sentence_text(transcript, span);
            if GOAL_CUE.is_match(&sentence) && (!chinese || zh_also(&sentence)) {
                out.push(span);
            }
        }
    }
    out
}

fn count_value(fact: &Fact) -> f64 {
    match fact {
        Fact::Count { value, .. } => *value,
        _ => 0.0,
    }
}

/// A target level compared with a current level said earlier: "二十来单" now, "两千单" next year.
#[derive(Debug, Clone)]
struct LevelChange {
    target: Span,
    current: Span,
    current_fact: Fact,
    factor: f64,
    horizon_days: Option<i64>,
}

/// "Now" said just before a share: the level a share target is measured against.
static SHARE_NOW: LazyLock<Regex> = LazyLock::new(|| {
    #[allow(clippy::expect_used)]
    crate::lexicon::compile(r"(?i)\b(?:now|currently|at\s+the\s+moment|today|these\s+days)\b|现在|目前|眼下|如今")
        .expect("built-in pattern")
});

/// Target levels (money, counts or shares said as a goal) against the latest earlier level of the same
/// thing that is not a goal, where no growth was stated for them already.
/// How far back a target's current level is looked for: about a quarter of an hour of talk.
/// Unbounded, a transcript of many hours spent most of its time here.
const LEVEL_LOOKBACK_TURNS: usize = 60;

fn level_changes(transcript: &Transcript, call: &CallEvidence) -> Vec<LevelChange> {
    // Growth spans and facts by turn: a span only ever overlaps spans of its own turn, and a
    // long transcript has hundreds of thousands of facts.
    let mut growths: BTreeMap<usize, Vec<Span>> = BTreeMap::new();
    let mut by_turn: BTreeMap<usize, Vec<&LocatedFact>> = BTreeMap::new();
    for f in &call.facts {
        if matches!(f.fact, Fact::Growth { .. }) {
            growths.entry(f.span.turn).or_default().push(f.span);
        }
        by_turn.entry(f.span.turn).or_default().push(f);
    }
    let covered = |span: Span| growths.get(&span.turn).is_some_and(|g| g.iter().any(|g| overlaps(*g, span)));
    let level = |a: &Fact, b: &Fact| -> Option<(f64, f64)> {
        match (a, b) {
            (Fact::Money { amount: x, currency: c, per: p }, Fact::Money { amount: y, currency: d, per: q }) => {
                let currency = c.is_none() || d.is_none() || c == d;
                let per = p.is_none() || q.is_none() || p == q;
                (currency && per).then_some((*x, *y))
            }
            (Fact::Count { value: x, unit: u }, Fact::Count { value: y, unit: v }) if u == v => Some((*x, *y)),
            (Fact::Percentage { value: x }, Fact::Percentage { value: y }) => Some((*x, *y)),
            _ => None,
        }
    };
    let mut out = Vec::new();
    for (i, target) in call.facts.iter().enumerate() {
        if target.role != FactRole::Target
            || covered(target.span)
            || !matches!(target.fact, Fact::Money { .. } | Fact::Count { .. } | Fact::Percentage { .. })
            || growth_said_beside(transcript, call, target.span)
        {
            continue;
        }
        // The level said before it, or right after it in the same answer ("... Right now
        // it's like forty K").
        // A share is compared only within one answer, and only with one said as the level now
        // ("现在大概十本成一本"): shares of different things are common ("fill rate at ninety
        // percent ... billings up twelve percent").
        let share = matches!(target.fact, Fact::Percentage { .. });
        let said_as_now = |c: &LocatedFact| {
            let text = &transcript.turns[c.span.turn].text;
            SHARE_NOW.is_match(text_before(text, c.span.start, 30))
        };
        let is_current = |c: &&LocatedFact| {
            (!share || c.span.turn == target.span.turn && said_as_now(c))
                && matches!(c.role, FactRole::Measured | FactRole::Business | FactRole::Context)
                && !covered(c.span)
                && level(&target.fact, &c.fact).is_some_and(|(_, y)| y > 0.0)
        };
        let current = call.facts[..i]
            .iter()
            .rev()
            .take_while(|c| target.span.turn.saturating_sub(c.span.turn) <= LEVEL_LOOKBACK_TURNS)
            .find(is_current)
            .or_else(|| call.facts[i + 1..].iter().take_while(|c| c.span.turn == target.span.turn).find(is_current));
        let Some(current) = current else { continue };
        let Some((goal, now)) = level(&target.fact, &current.fact) else { continue };
        let factor = goal / now;
        if factor < 1.5 {
            continue;
        }
        let horizon_days = by_turn
            .get(&target.span.turn)
            .into_iter()
            .flatten()
            .filter(|d| matches!(d.role, FactRole::GoalDeadline | FactRole::Context | FactRole::Buying))
            .find_map(|d| match d.fact {
                Fact::Timeline { resolved, until, .. } => until
                    .or(resolved)
                    .map(|x| crate::facts::horizon_days(transcript.quote(d.span), x, call.as_of))
                    .filter(|n| *n > 0),
                _ => None,
            });
        out.push(LevelChange {
            target: target.span,
            current: current.span,
            current_fact: current.fact.clone(),
            factor,
            horizon_days,
        });
    }
    out
}

/// Why a fact is a concrete, realistic answer about the goal, the plan or the purchase, or
/// `None` when it is context.
fn specific(f: &LocatedFact) -> Option<Message> {
    let about = |code: &str| Some(Message::new(code).with_message("fact", f.fact.message()));
    match (f.role, &f.fact) {
        (FactRole::Budget, Fact::Money { amount, .. }) if *amount > 0.0 && !f.concepts.is_empty() => {
            about("call.signal.budget_figure")
        }
        (FactRole::Threshold, Fact::Money { .. }) => about("call.signal.threshold_step"),
        (
            FactRole::Buying,
            Fact::Timeline { kind: TimelineKind::Absolute | TimelineKind::Quarter, resolved: Some(_), .. },
        ) => about("call.signal.buying_date"),
        (FactRole::Buying, Fact::Timeline { kind: TimelineKind::Relative, resolved: Some(a), until: Some(b) })
            if (*b - *a).num_days() <= 31 =>
        {
            about("call.signal.buying_date")
        }
        (FactRole::Target, Fact::Count { value, .. }) if *value < 2.0 => None,
        (FactRole::Target, Fact::Growth { .. } | Fact::Money { .. } | Fact::Count { .. } | Fact::Percentage { .. }) => {
            about("call.signal.target")
        }
        (_, Fact::Person { role, part: RolePart::Decides }) if role == "self" => {
            Some(Message::new("call.signal.decides"))
        }
        (_, Fact::Person { role, part: RolePart::Decides | RolePart::Approves })
            if role != "self" && !crate::evidence::is_generic_superior(role) =>
        {
            about("call.signal.names_decider")
        }
        _ => None,
    }
}

fn unrealistic_explanation(factor: f64, horizon_days: Option<i64>) -> Message {
    if factor <= 0.0 {
        return Message::new("call.signal.unrealistic_cut");
    }
    let times = if factor >= 1.0 { format!("x{}", (factor * 100.0).round() / 100.0) } else { format!("{factor}") };
    Message::new("call.signal.unrealistic_change")
        .with("times", times)
        .with_opt("days", horizon_days.map(|d| d.to_string()))
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;
    use sift_core::Language;

    use super::*;
    use crate::evidence::analyse_call;
    use crate::facts::has_han;
    use crate::transcript::Role;

    fn as_of() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 26).unwrap_or_default()
    }

    fn signals(lines: &[&str]) -> (Transcript, Vec<Signal>) {
        let turns: Vec<(&str, Role, &str)> = lines
            .iter()
            .map(|l| match l.strip_prefix("R:") {
                Some(rest) => ("Rep", Role::Rep, rest.trim()),
                None => ("Prospect", Role::Prospect, l.trim()),
            })
            .collect();
        let language = if lines.iter().any(|l| has_han(l)) { Language::Zh } else { Language::En };
        let t = Transcript::from_turns(language, &turns);
        let call = analyse_call(&t, as_of());
        let s = fact_signals(&t, &call);
        (t, s)
    }

    /// Each (kind, quote fragment) must be present; kinds in `absent` must not appear at all.
    fn check(lines: &[&str], present: &[(SignalKind, &str)], absent: &[SignalKind]) {
        let (t, found) = signals(lines);
        for s in &found {
            assert_eq!(t.quote(s.span), s.quote, "{s:?}");
            assert_eq!(s.turn, s.span.turn);
        }
        for (kind, fragment) in present {
            assert!(
                found.iter().any(|s| s.kind == *kind && s.quote.contains(fragment)),
                "{lines:?}: expected {kind} on {fragment:?}, got {found:#?}"
            );
        }
        for kind in absent {
            assert!(!found.iter().any(|s| s.kind == *kind), "{lines:?}: unexpected {kind}: {found:#?}");
        }
    }

    use SignalKind::*;

    #[test]
    fn specificity_present_and_absent() {
        check(
            &["R: What's the budget?", "We have $40k set aside, and we need it live by March 15."],
            &[(Specificity, "$40k"), (Specificity, "March 15")],
            &[Inconsistency, UnrealisticTarget],
        );
        check(&["We have a team of 40 and our CFO signs off."], &[(Specificity, "our CFO signs off")], &[]);
        check(
            &["Our goal is to grow revenue by 20% next year."],
            &[(Specificity, "grow revenue by 20%")],
            &[UnrealisticTarget],
        );
        check(&["我们有40个销售，预算20万，下个季度上线。"], &[(Specificity, "20万"), (Specificity, "下个季度")], &[]);
        check(&["明年业绩增长20%。"], &[(Specificity, "增长20%")], &[UnrealisticTarget]);
        check(&["Maybe 50k, sometime next year, I guess."], &[], &[Specificity]);
        check(&["We want to grow, things could be better."], &[], &[Specificity, UnrealisticTarget, Inconsistency]);
        check(&["可能20万吧。"], &[], &[Specificity]);
    }

    /// Context figures (headcount, floor area, revenue, how bad the problem is) and figures
    /// with other roles are not specificity (LABELLING.md).
    #[test]
    fn context_figures_are_not_specificity() {
        for lines in [
            &["We have 40 reps across three regions."][..],
            &["我们有40个销售，三个校区。"],
            &["The warehouse is about 12,000 sq ft."],
            &["Revenue is $5M a year."],
            &["We lose about a day a week to this, and two deals last quarter."],
            &["We got 1,140 quote requests last month and answered 212 the same day."],
            &["R: Budget?", "We spent 20k on a tool back in 2023."],
            &["Budgets are set every October."],
            &["Their quote was $30k."],
        ] {
            check(lines, &[], &[Specificity]);
        }
    }

    #[test]
    fn leaps_and_perfection_said_in_other_shapes() {
        // Every slot filled, asked as a goal; the same words as a description are not a goal.
        check(
            &["R: Where would you like to get to?", "Full. Every court, every evening, fully booked from February."],
            &[(UnrealisticTarget, "Every court, every evening")],
            &[],
        );
        check(&["R: How busy are you?", "Every court, every evening is taken already."], &[], &[UnrealisticTarget]);
        // Everyone paying within hours; ordinary payment terms are no red flag.
        check(
            &["We want every single member paid up within 48 hours of the reminder, no exceptions."],
            &[(UnrealisticTarget, "every single member paid up within 48 hours")],
            &[],
        );
        check(&["We want every invoice paid within thirty days."], &[], &[UnrealisticTarget]);
        // Every customer moved to a new way of paying, with the horizon counted from launch.
        check(
            &["The aim is everyone using the card, a hundred percent, a month after we launch."],
            &[(UnrealisticTarget, "everyone using the card, a hundred percent")],
            &[],
        );
        check(&["We'd like most regulars using the card by the summer."], &[], &[UnrealisticTarget]);
        // A payback by the end of the first weekend, with words between.
        check(
            &["If the machine hasn't paid for itself by the end of the first weekend, it goes back."],
            &[(UnrealisticTarget, "paid for itself by the end of the first weekend")],
            &[],
        );
        // A process of days cut tenfold within a month; the same cut over years is an ambition.
        check(&["上线一个月以内，报价周期要从十来天缩短到一天。"], &[(UnrealisticTarget, "从十来天缩短到一天")], &[]);
        check(
            &["Within a month we want quotes going from two weeks down to a day."],
            &[(UnrealisticTarget, "from two weeks down to a day")],
            &[],
        );
        check(
            &["Over the next three years we want quotes going from two weeks down to a day."],
            &[],
            &[UnrealisticTarget],
        );
        check(&["We want to go from five days to three days by January."], &[], &[UnrealisticTarget]);
        // The goal's time first and the time now after it; far beyond any cut within months,
        // not over years.
        check(
            &[
                "Ideally we go from first call to signed contract in one day, right now it's about six weeks, and I want that by April.",
            ],
            &[(UnrealisticTarget, "go from first call to signed contract in one day")],
            &[],
        );
        check(
            &[
                "Over the next five years we'd like to go from enquiry to quote in two days, right now it's about three weeks.",
            ],
            &[],
            &[UnrealisticTarget],
        );
        // A rate said as so many of ten, raised eightfold within half a year; a modest rise is not.
        check(
            &["R: 目标呢？", "明年上半年想做到十个里面成八个，现在差不多十个成一个。"],
            &[(UnrealisticTarget, "十个里面成八个")],
            &[],
        );
        check(
            &["我们报出去的方案，现在差不多十个成三个。", "R: 目标呢？", "明年想做到十个里面成四个。"],
            &[],
            &[UnrealisticTarget],
        );
        check(
            &[
                "R: What does the owner want next year?",
                "On-time rate at ninety-five percent by March, and costs down eight percent.",
            ],
            &[],
            &[UnrealisticTarget],
        );
        // A climb of hundreds of places within months; a climb of a few is realistic.
        check(&["我们现在全市排五百多名，目标是明年夏天之前冲进前三。"], &[(UnrealisticTarget, "冲进前三")], &[]);
        check(
            &["We're ranked 212th in the county right now.", "R: And the goal?", "Top of the table by March."],
            &[(UnrealisticTarget, "Top of the table")],
            &[],
        );
        check(&["We're 14th now; we want to make the top ten by next autumn."], &[], &[UnrealisticTarget]);
        // A target level with its growth on this year said beside it is not measured against
        // an earlier figure of something else.
        check(
            &["一个单子也就三万块。", "R: 明年呢？", "明年营业额要做到五千万，比今年多三成。"],
            &[],
            &[UnrealisticTarget],
        );
        check(
            &["一个单子也就三万块。", "R: 明年呢？", "明年营业额要做到五千万。"],
            &[(UnrealisticTarget, "五千万")],
            &[],
        );
    }

    #[test]
    fn unrealistic_targets() {
        check(
            &["We want to quadruple revenue in the next two weeks."],
            &[(UnrealisticTarget, "quadruple")],
            &[Specificity],
        );
        check(&["The plan is 10x in a month."], &[(UnrealisticTarget, "10x")], &[]);
        // Leading a region within a year while adding nothing to get there.
        check(
            &[
                "oh were gonna be the biggest memorial firm in the whole south west by next summer easy dont need more carvers or another van",
            ],
            &[(UnrealisticTarget, "biggest memorial firm in the whole south west")],
            &[],
        );
        check(
            &["明年我要做成全省最大的二手琴行。人不加，广告也不打，就靠口碑。"],
            &[(UnrealisticTarget, "全省最大")],
            &[],
        );
        check(
            &["老板说了，下个月开始每天要做二十台全车改色，搞成我们市最大的。"],
            &[(UnrealisticTarget, "我们市最大")],
            &[],
        );
        check(&["明年我们想做成全省最大的连锁，现在已经有四百多个员工、八十家店。"], &[], &[UnrealisticTarget]);
        check(&["We want to be the biggest firm in the south west within five years."], &[], &[UnrealisticTarget]);
        check(&["两周内业绩翻两番。"], &[(UnrealisticTarget, "翻两番")], &[]);
        check(&["一个月内销售额增长三倍。"], &[(UnrealisticTarget, "增长三倍")], &[]);
        check(&["We'll cut costs by 150%."], &[(UnrealisticTarget, "cut costs by 150%")], &[]);
        check(&["Double the pipeline by the end of next year."], &[], &[UnrealisticTarget]);
        check(&["We aim to grow 30% within 12 months."], &[(Specificity, "grow 30%")], &[UnrealisticTarget]);
        // Two levels, or a target level against the level given earlier in the call.
        check(
            &["R: Goals?", "We're gonna hit a million a month by January. Right now it's like forty K."],
            &[(UnrealisticTarget, "a million")],
            &[Specificity],
        );
        check(
            &["R: 现在一个月能签多少单？", "二十来单。", "R: 明年呢？", "明年一个月要做到两千单。"],
            &[(UnrealisticTarget, "两千单")],
            &[],
        );
        // A scale word after the second level: forty to four thousand is a hundredfold.
        check(
            &["I told the team we're going from forty advertisers to four thousand by the end of January."],
            &[(UnrealisticTarget, "four thousand")],
            &[Specificity],
        );
        // "Next year" is a year's growth even when said in late November (thirteen months to
        // its end): ten times this year's intake next year is beyond a year's reach, a
        // half more is not.
        check(
            &["R: 今年招了多少学员？", "今年到现在招了四千二百多个学员。", "R: 明年呢？", "明年做到四万个学员。"],
            &[(UnrealisticTarget, "四万个学员")],
            &[],
        );
        check(
            &["R: 今年招了多少学员？", "今年到现在招了四千二百多个学员。", "R: 明年呢？", "明年做到六千个学员。"],
            &[],
            &[UnrealisticTarget],
        );
        check(
            &["R: 目标？", "配件营收要从现在的八千万做到九千五百万。"],
            &[(Specificity, "从现在的八千万做到九千五百万")],
            &[UnrealisticTarget],
        );
    }

    #[test]
    fn a_whole_region_by_a_date_from_a_small_business_is_unrealistic() {
        check(
            &[
                "R: How big is the team?",
                "Four of us and two trucks.",
                "R: Where do you want to be?",
                "Honestly, I want us in every hospital across the country by next Christmas.",
            ],
            &[(UnrealisticTarget, "every hospital across the country")],
            &[],
        );
        check(
            &["R: 现在多少人？", "就我们三个人，两台车。", "R: 目标呢？", "明年年底前要把店开到每个地级市。"],
            &[(UnrealisticTarget, "每个地级市")],
            &[],
        );
        // "us" is the speakers, "US" the country.
        check(
            &[
                "R: How big is the team?",
                "Four of us and two trucks.",
                "R: How do you plan?",
                "Every October the three of us sit down and set next year's numbers.",
            ],
            &[],
            &[UnrealisticTarget],
        );
        // A month after "all the ... in" is when, not where.
        check(
            &[
                "R: Who signs?",
                "It's mine. Two of us run it, and I do all the big software buys in March, so a quote by February.",
            ],
            &[],
            &[UnrealisticTarget],
        );
        check(
            &[
                "R: How big is the team?",
                "Four of us.",
                "R: Goal?",
                "Every hospital in the US stocking our gloves by next summer.",
            ],
            &[(UnrealisticTarget, "Every hospital in the US")],
            &[],
        );
        // A large business can; a wish with no date is no target.
        check(
            &["We have 2,000 staff in 300 branches.", "We want every branch in the country live by March."],
            &[],
            &[UnrealisticTarget],
        );
        // A region by its name, and "the biggest ... in" a country.
        check(
            &[
                "R: What's the setup?",
                "Three shops and nine staff.",
                "R: And the goal?",
                "We'll be the biggest bike hire outfit in Scotland by next summer.",
            ],
            &[(UnrealisticTarget, "the biggest bike hire outfit in Scotland")],
            &[],
        );
        // The date in the next sentence.
        check(
            &["Four tow trucks, that's us.", "R: Long term?", "Largest recovery firm in Wales. Within two years."],
            &[(UnrealisticTarget, "Largest recovery firm in Wales")],
            &[],
        );
        check(
            &["Two vans and eight staff.", "R: Plans?", "Every vet practice in Cornwall on our books by June."],
            &[(UnrealisticTarget, "Every vet practice in Cornwall")],
            &[],
        );
        check(
            &["It's just me and one van.", "One day I'd love to be in every town in the county."],
            &[],
            &[UnrealisticTarget],
        );
    }

    #[test]
    fn why_it_was_never_fixed_asked_in_colloquial_chinese() {
        check(
            &["R: 那之前咋没弄个系统？", "唉，前年找过一家外包，钱付了一半人就跑了，后来也就不想折腾了。"],
            &[(Excuse, "前年找过一家外包")],
            &[],
        );
        check(
            &[
                "R: 以前有考虑过换个软件吗？",
                "考虑过。去年让外甥做了个表格，他一回老家读书就没人会弄了，之后谁也不想再碰。",
            ],
            &[(Excuse, "去年让外甥做了个表格")],
            &[],
        );
        check(
            &[
                "R: How come nobody's sorted that out?",
                "We nearly did. The office manager had a quote in hand, then she left for a job in town and it sat in a drawer.",
            ],
            &[(Excuse, "office manager had a quote")],
            &[],
        );
        // "Has it come up before?" asks the same.
        check(
            &[
                "R: That's a big number. Has taking deposits come up before?",
                "It has. Three seasons back my brother-in-law set us up with a booking plugin. Then he got a job in Lisbon and nobody had the login, so I pulled it.",
            ],
            &[(Excuse, "brother-in-law")],
            &[],
        ); // A failed try told as what put them off, asked as "tried ... before"; how long it
        // has gone on, asked as a remark.
        check(
            &[
                "R: Has anyone tried using a booking app before?",
                "We paid for one in 2021. Turned out it only did hair salons, and after two weeks everybody drifted back to the paper diary.",
            ],
            &[(Excuse, "Turned out it only did hair salons")],
            &[],
        );
        check(
            &["R: 这种情况持续挺久了吧？", "一直都这样，主要是没顾上，这两年忙着搬仓库，啥都得给它让路。"],
            &[(Excuse, "主要是没顾上")],
            &[],
        );
        // Asked as "had a go at ... before" and as 之前没考虑……
        check(
            &[
                "R: Have you had a go at the scheduling before?",
                "We did, a couple of summers back. Bought a rota app, and within a month half the staff had stopped opening it, so we went back to the whiteboard.",
            ],
            &[(Excuse, "")],
            &[],
        );
        check(
            &["R: 之前没想过弄个系统管一管？", "想是想过，这两年一直忙着开新店，实在抽不出人，就一直拖着。"],
            &[(Excuse, "")],
            &[],
        );
    }

    #[test]
    fn a_whole_market_within_a_quarter_is_unrealistic_at_any_size() {
        // 400 staff is no small business, but no sales team wins a country in weeks.
        check(
            &[
                "R: How big are you?",
                "About four hundred staff and two plants.",
                "R: And where do you want to be?",
                "every garden centre in the country stocking our compost by the end of january",
            ],
            &[(UnrealisticTarget, "every garden centre in the country")],
            &[],
        );
        // The same reach two years out is a large firm's plan; its own branches in weeks
        // are a rollout.
        check(
            &["We have 400 staff.", "Every garden centre in the country stocking us by 2029 is the dream."],
            &[],
            &[UnrealisticTarget],
        );
        check(
            &["We have 400 staff in 60 branches.", "Every branch in the country on the new till by January."],
            &[],
            &[UnrealisticTarget],
        );
    }

    #[test]
    fn a_bare_goal_figure_counts_the_thing_said_before_it() {
        check(&["R: 目标呢？", "粉丝现在八百多，下个月要冲到十万。"], &[(UnrealisticTarget, "十万")], &[]);
        check(&["R: 目标呢？", "用户现在一万出头，年底要做到一万二。"], &[], &[UnrealisticTarget]);
        // Money named between them keeps a bare figure money.
        check(
            &["R: 预算呢？", "客户现在两百来家，这块预算能做到十万。"],
            &[(Specificity, "十万")],
            &[UnrealisticTarget],
        );
    }

    #[test]
    fn staff_of_any_trade_is_a_capacity() {
        for unit in ["handlers", "fitters", "electricians", "trainees", "linemen", "farm hands"] {
            assert!(capacity_unit(unit), "{unit}");
        }
        for unit in ["customers", "members", "suppliers", "containers", "boxes", "acres"] {
            assert!(!capacity_unit(unit), "{unit}");
        }
        check(
            &[
                "R: Tell me about the firm.",
                "Mostly offices. I've got six window cleaners and a van.",
                "R: And in two years?",
                "I want us cleaning every school in the state by next spring.",
            ],
            &[(UnrealisticTarget, "every school in the state")],
            &[],
        );
    }

    #[test]
    fn two_levels_with_the_counted_thing_between_them() {
        // Number words and the thing counted between "from" and "to", as speech recognition
        // writes them.
        check(
            &["R: where do you want to be", "we go from twenty franchise sites to four hundred by the end of march"],
            &[(UnrealisticTarget, "from twenty franchise sites to four hundred")],
            &[Specificity],
        );
        check(
            &["R: Goals?", "From 12 dealers to 15 by the end of next year."],
            &[(Specificity, "From 12 dealers to 15")],
            &[UnrealisticTarget],
        );
        // Clock times and money between the figures are not two levels of one thing.
        check(
            &["R: When are you open?", "From nine in the morning to five, Monday to Friday."],
            &[],
            &[UnrealisticTarget],
        );
    }

    #[test]
    fn a_perfect_outcome_rate_within_months_is_unrealistic() {
        check(
            &["R: 上了系统以后，您想看到个什么效果？", "从下个月起，合格率要达到百分之百，一台都不能返工。"],
            &[(UnrealisticTarget, "合格率要达到百分之百")],
            &[],
        );
        check(&["R: 目标呢？", "下个季度起，学员一个也不许挂。"], &[(UnrealisticTarget, "一个也不许挂")], &[]);
        check(
            &["R: What are you hoping to get to?", "A hundred percent pass rate on the January sitting."],
            &[(UnrealisticTarget, "A hundred percent pass rate")],
            &[],
        );
        check(&["R: 目标呢？", "合格率百分之百一直是我们追求的。"], &[], &[UnrealisticTarget]);
    }

    #[test]
    fn payback_within_weeks_is_unrealistic() {
        // Within a week or two, whatever the price.
        check(
            &[
                "R: What would make it worth it?",
                "Honestly it has to pay for itself inside the first week or we bin it.",
            ],
            &[(UnrealisticTarget, "pay for itself inside the first week")],
            &[],
        );
        // Within a month, on kit costing tens of thousands.
        check(
            &["R: 您对回本有什么要求？", "一百来万的东西，目标就是装完一个月把本钱挣回来，做不到就甭折腾。"],
            &[(UnrealisticTarget, "一个月把本钱挣回来")],
            &[],
        );
        check(
            &["R: 您怎么算这笔账的？", "我估计半个月就能把这二十几万挣回来。"],
            &[(UnrealisticTarget, "半个月就能把这二十几万挣回来")],
            &[],
        );
        check(
            &["R: 费用呢？", "二十八万啊，王总的意思很明确，这种东西买回来一个月之内就得回本。"],
            &[(UnrealisticTarget, "一个月之内就得回本")],
            &[],
        );
        // A month on a cheap subscription is plausible; a year on kit is ordinary.
        check(
            &[
                "R: What would make it worth it?",
                "At forty quid a month, it pays for itself in a month if it saves one booking.",
            ],
            &[],
            &[UnrealisticTarget],
        );
        check(&["R: 您怎么算的？", "三十万的设备，两年回本就行。"], &[], &[UnrealisticTarget]);
    }

    #[test]
    fn payback_by_a_date_weeks_away() {
        // A month away, with the rep answering that payback takes seasons.
        check(
            &[
                "R: if you did go ahead what would good look like for you",
                "honestly what id want is all two hundred and twenty pitches metered and the whole thing paid back by christmas thats the target",
                "R: this christmas um thats really tight for a full install on a park your size we usually see payback in two to three seasons",
            ],
            &[(UnrealisticTarget, "paid back")],
            &[],
        );
        // The same month with no price and no pushback is left alone; a year out is ordinary.
        check(
            &["R: What would good look like?", "Ideally it's paid for itself by Christmas."],
            &[],
            &[UnrealisticTarget],
        );
        check(
            &[
                "R: What would good look like?",
                "I'd want it paid back by the end of next year.",
                "R: That's really tight, we usually see payback in two seasons.",
            ],
            &[],
            &[UnrealisticTarget],
        );
    }

    #[test]
    fn a_perfect_hit_rate_is_unrealistic() {
        check(
            &[
                "R: and what do you want wholesale to look like next year",
                "so for me um i want every single cafe we pitch to sign like a hundred percent hit rate no one says no that's the number on the whiteboard",
            ],
            &[(UnrealisticTarget, "hundred percent hit rate")],
            &[],
        );
        check(
            &["R: How's the year been?", "We pitched forty cafes and our hit rate was about a third, which is fine."],
            &[],
            &[UnrealisticTarget],
        );
    }

    #[test]
    fn a_decider_named_with_a_role_or_a_family_tie_is_specific() {
        check(
            &["R: Who would look at new software for the shop?", "Not me.", "R: Who would it be?", "Gail, the owner."],
            &[(Specificity, "owner")],
            &[],
        );
        check(&["R: 那这个事情，屋里是谁拍板呢？", "那肯定是我爸咯，钱都在他手上。"], &[(Specificity, "我爸")], &[]);
        // "老板" alone, or "the boss", names no one.
        check(&["R: 这个事谁来定？", "那肯定是老板啊，我就是个前台。"], &[], &[Specificity]);
        check(&["R: Who would it be?", "The boss."], &[], &[Specificity]);
        // A bare name to "who would that go to?".
        check(&["R: If you did look at it, who would that go to?", "Marcus."], &[(Specificity, "Marcus")], &[]);
    }

    #[test]
    fn near_perfection_and_a_seasons_work_at_once_are_unrealistic() {
        check(
            &["R: What would you be aiming for?", "I want every lesson slot full, every single day, from January."],
            &[(UnrealisticTarget, "every lesson slot full")],
            &[],
        );
        check(
            &[
                "R: what would good look like",
                "i told denise with the right system every single rental gets paid on time and nobody's late ever again",
            ],
            &[(UnrealisticTarget, "every single rental gets paid on time")],
            &[],
        );
        check(
            &[
                "R: and what would you want out of it",
                "honestly i want a whole season's worth of roofs booked inside the first week of having it",
            ],
            &[(UnrealisticTarget, "a whole season's worth of roofs booked inside the first week")],
            &[],
        );
        check(
            &["R: 您希望做到什么程度？", "只要装上你们这个，一个礼拜之内，这停机就彻底没了，一回都不会再停。"],
            &[(UnrealisticTarget, "停机就彻底没了")],
            &[],
        );
        check(
            &["R: 您希望做到啥子程度？", "现在进店十个能成一个多点，我想上了系统以后要做到十个进来九个签。"],
            &[(UnrealisticTarget, "十个进来九个签")],
            &[],
        );
        check(
            &["R: 老板有什么目标？", "他说要是上个系统，就要一个礼拜把外面欠的钱全部收回来。"],
            &[(UnrealisticTarget, "全部收回")],
            &[],
        );
        check(
            &[
                "R: what would you want it to do",
                "i want the whole of may to july booked out and id want that inside a week of going live",
            ],
            &[(UnrealisticTarget, "the whole of may to july booked out")],
            &[],
        );
        check(
            &["R: 有什么期待？", "新号开起来，一个礼拜之内，明年全年的婚宴档期都要订满。"],
            &[(UnrealisticTarget, "档期都要订满")],
            &[],
        );
        check(
            &["R: 有什么期望？", "上了系统明年缴费率就得百分之百 一户都不能落下"],
            &[(UnrealisticTarget, "百分之百")],
            &[],
        );
        // Downtime brought down, not to nothing; a season's bookings over the season.
        check(&["R: 您希望做到什么程度？", "装上以后停机能少一点就行，别老是半夜坏。"], &[], &[UnrealisticTarget]);
        check(
            &[
                "R: what would good look like",
                "we want a whole season's worth of roofs booked by the end of the season",
            ],
            &[],
            &[UnrealisticTarget],
        );
    }

    #[test]
    fn perfection_said_in_other_words_is_unrealistic() {
        // A bad thing to zero within weeks, relayed demands of a hundred percent, every case
        // done within hours.
        check(
            &["R: what would good look like", "from next month we want zero false alerts on every site"],
            &[(UnrealisticTarget, "zero false alerts")],
            &[],
        );
        check(
            &[
                "R: And what would a good outcome look like for the practice?",
                "The owner wants a hundred percent, every single booking turned into a paid course.",
            ],
            &[(UnrealisticTarget, "wants a hundred percent, every single")],
            &[],
        );
        check(
            &[
                "R: what would you want out of it",
                "every claim settled within twenty four hours of it landing, every single one",
            ],
            &[(UnrealisticTarget, "every claim settled within twenty four hours")],
            &[],
        );
        check(
            &["R: what would good look like", "ideally we'd want fewer false alerts, maybe half"],
            &[],
            &[UnrealisticTarget],
        );
        // Nearly every quote won, from one in four, by next quarter.
        check(
            &[
                "R: so if you did bring something in what would you want out of it",
                "i want us winning ninety five percent of what we quote by the end of next quarter thats the goal",
            ],
            &[(UnrealisticTarget, "winning ninety five percent")],
            &[],
        );
        check(
            &[
                "R: 那您希望用上系统以后 能到个啥效果",
                "我就想 现在咨询到签单 大概就百分之十二三 明年得做到百分之九十 就是来十个签九个",
            ],
            &[(UnrealisticTarget, "十个签九个")],
            &[],
        );
        check(
            &["R: 您心里期望是个什么样子？", "你们接手一个礼拜，粉丝给我做到十万，明年一整年的档期都约满。"],
            &[(UnrealisticTarget, "一整年的档期都约满")],
            &[],
        );
        check(
            &["R: 那如果上了系统 你希望达到个啥子效果", "系统一上 下个礼拜美团上的差评就要给我清零 评分直接回到五分"],
            &[(UnrealisticTarget, "差评就要给我清零")],
            &[],
        );
        check(
            &[
                "R: 明年您这边有什么目标吗？",
                "我跟底下人都说了，明年外呼出去的新客户，十个里头得签下九个，成交率百分之九十。",
            ],
            &[(UnrealisticTarget, "十个里头得签下九个")],
            &[],
        );
        // A busy season doubling the calls is how the work swells, not a goal.
        check(
            &[
                "R: 时间上您这边咋考虑？",
                "一月十号之前必须跑起来。春运一开始，再赶上冰雪大世界那阵儿游客多，电话单一天能翻一倍。",
            ],
            &[],
            &[UnrealisticTarget],
        );
        check(
            &["R: 最忙是什么时候？", "春节前后最忙，那阵子咨询电话能翻一倍。"],
            &[],
            &[UnrealisticTarget, Specificity],
        );
        // A win rate that is high but said as where they are, or a realistic one, is no target.
        check(
            &["R: How do you do on quotes?", "We win about ninety percent of the repeat work already."],
            &[],
            &[UnrealisticTarget],
        );
        check(
            &["R: What's the goal?", "I want us winning thirty percent of what we quote by next year."],
            &[],
            &[UnrealisticTarget],
        );
        check(
            &[
                "R: What would success look like?",
                "Zero arrears. Every berth holder paid up on the day it falls due. A hundred percent, from day one.",
            ],
            &[(UnrealisticTarget, "Zero arrears")],
            &[],
        );
        check(
            &[
                "R: what would success look like for you",
                "every bride gets her dress right at the first fitting a hundred percent perfect from next month",
            ],
            &[(UnrealisticTarget, "a hundred percent perfect")],
            &[],
        );
        check(
            &[
                "R: and what's the goal for next year",
                "so um my thing for next year is we win every pitch we go for like every single one no losses",
            ],
            &[(UnrealisticTarget, "win every pitch")],
            &[],
        );
        check(
            &[
                "R: yeah totally so what would good look like",
                "well declan he says from january every job gets invoiced the same hour the lads walk off site and not one customer ever pays us late again",
            ],
            &[(UnrealisticTarget, "every job gets invoiced the same hour")],
            &[],
        );
        check(
            &[
                "R: what would success look like",
                "i want every slot full every session every day like a hundred percent from january",
            ],
            &[(UnrealisticTarget, "every slot full")],
            &[],
        );
        check(
            &[
                "R: Where do you want to be?",
                "I want us never to turn down a booking again. A hundred percent fill, by spring.",
            ],
            &[(UnrealisticTarget, "never to turn down a booking again")],
            &[],
        );
        check(
            &[
                "R: 那您希望这个东西上了以后能达到一个什么样的效果",
                "下学期开始 所有班满班率都要百分之百 一个退费都不能有",
            ],
            &[(UnrealisticTarget, "满班率都要百分之百")],
            &[],
        );
        check(
            &["R: 明年有什么打算？", "我给自己定了个目标：下个月把辖区里两万三千多个老人全都上门走一遍，一个不落。"],
            &[(UnrealisticTarget, "一个不落")],
            &[],
        );
        // Described, not a goal; a rate that is already full is no target.
        check(
            &["R: How is it going?", "Every slot was full last Saturday, which was lovely."],
            &[],
            &[UnrealisticTarget],
        );
        check(&["R: 情况怎么样？", "上个月投诉也降下来了，还行。"], &[], &[UnrealisticTarget]);
    }

    #[test]
    fn round_26_shapes_of_unrealistic_targets() {
        check(
            &[
                "R: what would good look like",
                "honestly what i want is no more breakdowns period like zero unplanned stops from january on not one single hour on any saw thats the goal",
            ],
            &[(UnrealisticTarget, "zero unplanned stops")],
            &[],
        );
        check(
            &[
                "R: and the plan",
                "so the plan is we go from sixty clients to like six hundred by end of january same desk same tools",
            ],
            &[(UnrealisticTarget, "six hundred")],
            &[],
        );
        check(
            &[
                "R: 明年有什么打算？",
                "明年老板的意思就是 每一条视频都要上热门 一条都不能扑 然后品牌来询价的 百分之百都要签下来",
            ],
            &[(UnrealisticTarget, "一条都不能扑")],
            &[],
        );
        check(
            &[
                "R: 希望达到个什么效果？",
                "下礼拜一全所一百二十个人都得用上，十年的案卷当天全部搬进系统，一份都不能落。",
            ],
            &[(UnrealisticTarget, "一份都不能落")],
            &[],
        );
        check(
            &["R: 销售呢？", "十二个销售。", "R: 明年呢？", "明年我要做全市老大 全市的二手车 一半得从我这儿走"],
            &[(UnrealisticTarget, "全市老大")],
            &[],
        );
        // A market share said of today, or a large business: no target.
        check(&["R: 现在呢？", "全市的二手车现在一半是我们这几家在卖。"], &[], &[UnrealisticTarget]);
    }

    #[test]
    fn a_year_s_takings_in_a_few_days_is_unrealistic() {
        check(
            &["R: 那老板娘对明年有什么打算吗？", "她说明年春节那七天，要把一整年的房费都挣回来。"],
            &[(UnrealisticTarget, "一整年的房费都挣回来")],
            &[],
        );
        check(
            &[
                "R: What's the plan for next year?",
                "We want to make a whole year's rent in the two weeks of the festival.",
            ],
            &[(UnrealisticTarget, "a whole year's rent in the two weeks")],
            &[],
        );
        // A year's figure said as what it is, not squeezed into days.
        check(&["R: 去年呢？", "去年一整年的房费收了四十多万。"], &[], &[UnrealisticTarget]);
        check(
            &["R: And last year?", "We made a year's rent in six months once, back in 2019."],
            &[],
            &[UnrealisticTarget],
        );
    }

    #[test]
    fn perfection_within_months_is_unrealistic() {
        check(
            &["R: What does success look like?", "By March I want zero no-shows across both clinics."],
            &[(UnrealisticTarget, "zero no-shows")],
            &[],
        );
        check(
            &["R: Goals for the new year?", "Every single enquiry converts. By Easter. That's the bar I've set."],
            &[(UnrealisticTarget, "Every single enquiry converts")],
            &[],
        );
        check(
            &["R: 目标呢？", "过完年，三月份之前，退货率必须降到零。"],
            &[(UnrealisticTarget, "退货率必须降到零")],
            &[],
        );
        check(&["R: 目标呢？", "下个季度，来店的客户要百分之百签约。"], &[(UnrealisticTarget, "百分之百签约")], &[]);
        // No date, but demanded as the standard from now on: no business meets it either.
        check(
            &["R: What would good look like?", "Not one uncovered shift anywhere, ever. That's what I need."],
            &[(UnrealisticTarget, "Not one uncovered shift")],
            &[],
        );
        check(
            &["R: 目标呢？", "以后一只虾都不能因为缺氧死，要百分之百。"],
            &[(UnrealisticTarget, "一只虾都不能因为缺氧死")],
            &[],
        );
        check(&["R: 目标呢？", "来一个签一个，我就要这个。"], &[(UnrealisticTarget, "来一个签一个")], &[]);
        check(&["R: 目标呢？", "客户投诉必须清零。"], &[(UnrealisticTarget, "投诉必须清零")], &[]);
        check(
            &["R: Anything you'd want a tracker to do?", "Not one colony lost. Not one hive nicked. Zero."],
            &[(UnrealisticTarget, "Not one colony lost")],
            &[],
        );
        check(
            &["R: 装了以后呢？", "我要每一台每一天都在租，利用率百分之百，一天都不能空着。"],
            &[(UnrealisticTarget, "利用率百分之百")],
            &[],
        );
        check(
            &["R: What does he want?", "he wants every single enquiry answered inside a minute and never miss one"],
            &[(UnrealisticTarget, "every single enquiry answered")],
            &[],
        );
        // The goal named after the perfection it describes, or "the dream" insisted on.
        check(
            &["R: What would good look like?", "Not one return, not a single exchange. Zero. That's the goal."],
            &[(UnrealisticTarget, "Not one return")],
            &[],
        );
        check(
            &["R: Goals?", "The dream is never a single late return again. Zero. Ever."],
            &[(UnrealisticTarget, "never a single late return")],
            &[],
        );
        // Zero of any missed, late or lost thing, and a goal asked as "would you want".
        check(
            &["R: If you changed it, what would you want out of it?", "Zero late collections. Every single day."],
            &[(UnrealisticTarget, "Zero late collections")],
            &[],
        );
        check(
            &["R: What are you aiming for?", "what i want is zero missed checks every month no exceptions"],
            &[(UnrealisticTarget, "zero missed checks")],
            &[],
        );
        check(
            &["R: What would good look like?", "every piece accounted for every night zero losses ever"],
            &[(UnrealisticTarget, "zero losses")],
            &[],
        );
        // Within a year is still near.
        check(
            &["R: Goals?", "he wants zero cancellations, every single member still with us in a year"],
            &[(UnrealisticTarget, "zero cancellations")],
            &[],
        );
        // Years out, hoped for, or not a goal: an ideal or a description, not a red flag.
        check(&["R: Goals?", "Zero defects is the dream, always has been."], &[], &[UnrealisticTarget]);
        check(&["R: How was the audit?", "Zero missed checks last year, first time."], &[], &[UnrealisticTarget]);
        check(&["R: Goals?", "Ideally not one return, ever. We'll see."], &[], &[UnrealisticTarget]);
        check(&["R: Goals?", "We want zero complaints by 2030."], &[], &[UnrealisticTarget]);
        check(&["R: How was December?", "Zero complaints in December, first time ever."], &[], &[UnrealisticTarget]);
        check(&["R: 目标呢？", "零投诉一直是我们的追求。"], &[], &[UnrealisticTarget]);
    }

    #[test]
    fn a_multiple_said_after_its_goal_takes_the_goal_s_date() {
        check(
            &["R: Where do you want to be?", "Four hundred a month by next summer. Ten x. Why not."],
            &[(UnrealisticTarget, "Ten x")],
            &[],
        );
        // A date two sentences back, or a multiple inside a longer sentence, is not its date.
        check(
            &[
                "R: Plans?",
                "We open the new site by March. The team is good. We could triple the trade orders over time.",
            ],
            &[],
            &[UnrealisticTarget],
        );
        check(&["R: 目标呢？", "开春之前，网店的单子翻个十倍吧。"], &[(UnrealisticTarget, "十倍")], &[]);
    }

    #[test]
    fn from_one_level_to_another_with_a_filler() {
        check(
            &["R: Goals?", "we wanna go from like eleven hundred rentals a week to ten thousand a week by new years"],
            &[(UnrealisticTarget, "eleven hundred")],
            &[],
        );
    }

    #[test]
    fn doubling_with_no_capacity_added_is_unrealistic() {
        check(
            &[
                "R: Where do you want the workshop to be?",
                "I want us finishing twenty organs next year instead of three. Same crew.",
            ],
            &[(UnrealisticTarget, "twenty organs")],
            &[],
        );
        check(
            &[
                "R: 明年的任务呢？",
                "我们现在一天洗十二吨，两条线已经满负荷了，明年得做到三十吨。",
                "R: 会加设备吗？",
                "设备不加、人也不加，就靠管理。",
            ],
            &[(UnrealisticTarget, "三十吨")],
            &[],
        );
        // A modest gain with the same people, or growth with capacity added, is no red flag.
        check(
            &["R: Targets?", "Twelve jobs a month now, fifteen next year. Same crew, better scheduling."],
            &[],
            &[UnrealisticTarget],
        );
        check(
            &[
                "R: Targets?",
                "We want forty installs a month next year instead of twenty, and we're hiring two fitters.",
            ],
            &[],
            &[UnrealisticTarget],
        );
    }

    #[test]
    fn doubling_every_month_as_a_goal_is_unrealistic() {
        check(
            &["R: Where do you want sign-ups to be?", "The plan is we double the members every month from here."],
            &[(UnrealisticTarget, "double the members every month")],
            &[],
        );
        check(
            &["R: 明年呢？", "老板的意思是门店订单每个月都要翻一番。"],
            &[(UnrealisticTarget, "每个月都要翻一番")],
            &[],
        );
        // What happened is a pain, not a target.
        check(&["Last winter the backlog doubled every week and nobody noticed."], &[], &[UnrealisticTarget]);
    }

    #[test]
    fn unrealistic_thresholds() {
        let cases: &[(f64, Option<i64>, bool)] = &[
            (4.0, Some(14), true),
            (10.0, Some(30), true),
            (2.0, Some(60), true),
            (1.2, Some(400), false),
            (2.0, Some(400), false),
            (1.3, Some(365), false),
            (5.0, Some(300), true),
            (2.0, None, false),
            (0.7, Some(30), false),
            (-0.5, None, true),
            (25.0, None, true),
        ];
        for (factor, days, expected) in cases {
            assert_eq!(is_unrealistic(*factor, *days), *expected, "x{factor} in {days:?}");
        }
    }

    /// Counts after a bare measure word are of the noun that follows it; "我们这", "我们公司"
    /// before a count make it a total, as "our" does.
    #[test]
    fn counts_said_as_a_floor_or_as_what_the_firm_looks_after() {
        // "eighty odd" gives no room below eighty: fifty-five said plainly before is off.
        check(
            &[
                "R: how many funerals do you arrange",
                "last year we did fifty five funerals and its me and my brother",
                "R: and how many families would you be dealing with at once",
                "well with eighty odd funerals a year between two of us its maybe ten at a time",
            ],
            &[(Inconsistency, "eighty odd funerals")],
            &[],
        );
        // Above the floor, the hedge still gives room: "sixty odd" after sixty-five is no clash.
        check(
            &[
                "R: how many funerals do you arrange",
                "last year we did sixty five funerals",
                "R: and how many families at once",
                "well with sixty odd funerals a year its maybe ten at a time",
            ],
            &[],
            &[Inconsistency],
        );
        // What the firm looks after, and later what is on its books.
        check(
            &[
                "R: tell me about the agency",
                "so we look after fifty two flats mostly around the harbour and we do the lot for the landlords",
                "R: would the owner go for it",
                "maybe but with only thirty flats on our books i dont know if hed pay for a tool",
            ],
            &[(Inconsistency, "thirty flats")],
            &[],
        );
    }

    #[test]
    fn totals_of_ours_counted_by_the_noun_after_the_measure_word() {
        check(
            &[
                "R: 场子多大？",
                "我们这场子两层，一共六十个打位，开了快十年了。",
                "R: 周末是不是很紧张？",
                "紧张啥呀，也就周末上午那一阵。我们这四十个打位，平时能坐一半就不错了。",
            ],
            &[(Inconsistency, "四十个打位")],
            &[],
        );
        check(
            &[
                "R: 对账是怎么弄的？",
                "我们公司小嘛 就十几个人 对账都是我一个人弄",
                "R: 那资料我发您？",
                "可以吧 不过我们公司四十多个人 他一天微信消息多得很",
            ],
            &[(Inconsistency, "四十多个人")],
            &[],
        );
        // Members asked about, answered as 号人, against "我们N会员" said later.
        check(
            &[
                "R: 俱乐部现在有多少会员？",
                "两百来号人吧，都是附近几个厂的。",
                "R: 年纪大的多吗？",
                "多着呢。我们六百多会员，退休的少说占一半。",
            ],
            &[(Inconsistency, "六百多会员")],
            &[],
        );
        check(
            &["R: 俱乐部现在有多少会员？", "两百来号人吧。", "R: 活跃的呢？", "我们两百多会员，常来的也就一半。"],
            &[],
            &[Inconsistency],
        );
        // "我们自己就十二个人": the team said as the speaker's own, against a total said before.
        check(
            &[
                "R: 你们平时接什么活？",
                "宣传片 婚礼都接 连我一共就四个人 去年才开的",
                "R: 忙得过来吗？",
                "忙得过来 我们自己就十二个人嘛 一个月三四单不成问题",
            ],
            &[(Inconsistency, "十二个人")],
            &[],
        );
        // "我就三个亭子" and later "我那八个亭子": said of the contact's own, each a total.
        check(
            &[
                "R: 您现在用的是啥机器？",
                "就老式那种，用了七八年了。我就三个亭子，俩在菜市场门口。",
                "R: 您那边总共几个点？",
                "别别别，我那八个亭子一个配一台，那得多少钱？",
            ],
            &[(Inconsistency, "八个亭子")],
            &[],
        );
        check(
            &["R: 您现在用的是啥机器？", "我就三个亭子。", "R: 您那边还想开吗？", "想啊，我想再开三个亭子。"],
            &[],
            &[Inconsistency],
        );
        // Different nouns after the same measure word: two things, no contradiction.
        check(
            &["R: 场子多大？", "我们这一共六十个打位。", "R: 设备呢？", "我们这四十个发球机，都是老款。"],
            &[],
            &[Inconsistency],
        );
        // Corrected in so many words: "I said three earlier, it's four".
        check(
            &[
                "R: How big is the operation these days?",
                "We run three boats and twenty-two staff in the season.",
                "R: How many boats would need it?",
                "All four. Sorry, I said three earlier, it's four, the Marra came back from her refit. So four boats.",
            ],
            &[],
            &[Inconsistency],
        );
    }

    #[test]
    fn a_total_denied_outright_and_a_cost_taken_back_are_inconsistencies() {
        check(
            &[
                "R: And how many volunteers are on that sheet in a normal week?",
                "Sixty.",
                "R: When volunteers come in, do they check in with you?",
                "We don't have volunteers. Never have. It's staff only back there.",
            ],
            &[(Inconsistency, "We don't have volunteers")],
            &[],
        );
        check(
            &[
                "R: 那这样下来对你们影响大吗？",
                "衣服一多就对不上号，每个月光赔付就得赔七八千。",
                "R: 那赔付这块现在多吗？",
                "很少的，一年到头也赔不了几回，这块真没啥事。",
            ],
            &[(Inconsistency, "这块真没啥事")],
            &[],
        );
        check(
            &[
                "R: 销售这块呢？",
                "销售的话 有十二个 嗯 十二个销售去年卖了三百来台 还行吧",
                "R: 那培训这块？",
                "嗨 哪有什么销售们 店里就我跟我老婆 没请人 收车卖车都是我俩",
            ],
            &[(Inconsistency, "就我跟我老婆")],
            &[],
        );
        // The whole staff counted two ways, or one trade counted above the whole staff.
        check(
            &[
                "R: tell me a bit about the place",
                "it's a big old place and uh there's twenty two of us front and back counting the kitchen lads",
                "R: how do you do holidays",
                "there's a paper calendar on the office wall with the whole team on it kitchen and all the nine of us",
            ],
            &[(Inconsistency, "nine of us")],
            &[],
        );
        check(
            &[
                "R: how does a brief turn into a proposal",
                "it lands in the inbox and um we're twenty two on payroll so you'd think someone would own it",
                "R: who would use it",
                "well it's only nine of us on the books everyone else is freelance",
            ],
            &[(Inconsistency, "nine of us")],
            &[],
        );
        check(
            &[
                "R: tell me about the shop",
                "we've got nine techs back there and two on the desk",
                "R: who would use the app",
                "five guys total in the back, that's the whole crew",
            ],
            &[(Inconsistency, "five guys total")],
            &[],
        );
        check(
            &[
                "R: 先请您介绍一下现在的情况？",
                "我们所不大的，零八年成立，十二三个人，主要做住宅。",
                "R: 我们有个按人头收费的方案。",
                "按人头算啊？那不行的。我们四十几个设计师，每个人都开个账号，没这个必要。",
            ],
            &[(Inconsistency, "四十几个设计师")],
            &[],
        );
        // The staff added up by its parts against a head count said before.
        check(
            &[
                "R: And how many of you look after it?",
                "Four.",
                "R: Is there a time of year when the work piles up?",
                "Spring. I've three lads on the mowers and two on the digger, and me. We manage.",
            ],
            &[(Inconsistency, "three lads on the mowers")],
            &[],
        );
        check(
            &[
                "R: 您那边工作室现在大概多大规模呀？",
                "不大，就我跟俩徒弟，仨人撑着。",
                "R: 那平时一天大概能接多少位客人？",
                "那可不少。五间屋，一间屋一个师傅，一个师傅一天十来个。",
            ],
            &[(Inconsistency, "五间屋")],
            &[],
        );
        check(
            &["R: How many of you are there?", "Six.", "R: Busy?", "Yes, three on the tools and three on the vans."],
            &[],
            &[Inconsistency],
        );
        // The trade named before the count in Chinese.
        check(
            &[
                "R: 你们团队多大？",
                "我们做饲料经销的，业务员就三个人，我自己也跑。",
                "R: 那平时怎么管客户？",
                "我们八个业务员，每人手上几十个养殖户，都记在本子上。",
            ],
            &[(Inconsistency, "八个业务员")],
            &[],
        );
        check(
            &["R: 你们团队多大？", "客服有二十个人，三班倒。", "R: 销售呢？", "销售就三个人。"],
            &[],
            &[Inconsistency],
        );
        // A trade below the whole staff, a whole staff with nothing to say it is whole, and the
        // people at one meeting are no contradiction.
        check(
            &[
                "R: how big is the firm",
                "there's forty of us in total",
                "R: and the field team",
                "we've got twelve techs on the road",
            ],
            &[],
            &[Inconsistency],
        );
        check(
            &[
                "R: 你们那边多大规模？",
                "场地八百来平，一年两百四十场演出，团队连兼职三十几个人。",
                "R: 采购怎么走？",
                "五万以上的合同要周哥和阿凯两个人都签字，五万以下周哥一个人签就行。",
            ],
            &[],
            &[Inconsistency],
        );
        check(
            &[
                "R: how many of you",
                "there's twenty two of us",
                "R: who'll come to the demo",
                "just the three of us, me, Sam and Priya",
            ],
            &[],
            &[Inconsistency],
        );
        check(
            &[
                "R: how big is the team",
                "we've got nine trainers in house and every one of them gets booked through a spreadsheet",
                "R: would the trainers log in",
                "oh um well see we dont actually employ any trainers its all associates on day rates",
            ],
            &[(Inconsistency, "employ any trainers")],
            &[],
        );
        // A thing counted under its name, later said not to exist.
        check(
            &[
                "R: 报修这块是怎么处理的",
                "就是用户打那个客服电话嘛 我们客服一共二十六个人 三班倒",
                "R: 那报修电话是客服那边接完再转给你们吗",
                "客服 我们哪有客服啊 报修电话直接打到我们运维值班室的",
            ],
            &[(Inconsistency, "哪有客服啊")],
            &[],
        );
        check(
            &[
                "R: 返工多吗",
                "返工啊 嗯 一个月三千来双吧 开胶的 车线跑偏的都有",
                "R: 那您看这块",
                "嗯 怎么说呢 我们其实基本不返工的 质量一直挺稳",
            ],
            &[(Inconsistency, "基本不返工的")],
            &[],
        );
        // "哪有时间" and a thing never counted before are no conflict.
        check(
            &[
                "R: 会员这块呢",
                "会员的话 系统里有八千多个吧",
                "R: 平时有空做回访吗",
                "哪有时间啊 我们哪有专员啊 都是店长顺手弄",
            ],
            &[],
            &[Inconsistency],
        );
        check(
            &[
                "R: How many on the desk?",
                "There's eleven of us on the desk full time.",
                "R: And the licences?",
                "That'd be less, wouldn't it, the whole desk is six people.",
            ],
            &[(Inconsistency, "six people")],
            &[],
        );
        check(
            &[
                "R: Who'd okay it?",
                "that'd be me i run the mill day to day",
                "R: Where should I send the quote?",
                "best send it to dale its his mill and his money hes the one who signs for anything like this",
            ],
            &[(Inconsistency, "hes the one who signs")],
            &[],
        );
        check(
            &[
                "R: 预算这块呢？",
                "钱不是问题 真的 老板说了这种事该花就花 你放心",
                "R: 我们一年大概一万来块",
                "一万来块 嗯那个 我跟你说实话啊 今年厂里的钱全砸在那条新的速冻隧道线上了",
            ],
            &[(Inconsistency, "钱全砸在")],
            &[],
        );
        // Some of them, not none; a cost still there later.
        check(
            &[
                "R: How many drivers?",
                "Twelve.",
                "R: All on the road?",
                "We don't have drivers in Leeds yet, they're all in York.",
            ],
            &[],
            &[Inconsistency],
        );
    }

    #[test]
    fn inconsistencies() {
        check(
            &["R: What's your budget?", "About $40k.", "R: OK, and for the full rollout?", "Our budget is $120k."],
            &[(Inconsistency, "$120k")],
            &[],
        );
        check(&["We have a team of 40.", "R: Got it.", "Yeah, we have 25 reps."], &[(Inconsistency, "25 reps")], &[]);
        check(
            &["R: When?", "By March.", "R: And go-live?", "We need it in Q4 2027."],
            &[(Inconsistency, "Q4 2027")],
            &[],
        );
        check(
            &["Our CEO decides on this.", "R: OK.", "Actually the VP of Sales decides."],
            &[(Inconsistency, "VP of Sales")],
            &[],
        );
        check(
            &["I make the call here.", "R: Great.", "Well, I have no say in budgets like this."],
            &[(Inconsistency, "no say")],
            &[],
        );
        check(&["R: 预算多少？", "20万。", "R: 确定吗？", "预算是50万。"], &[(Inconsistency, "50万")], &[]);
        check(&["我们有40个销售。", "R: 好的。", "销售团队25个销售。"], &[(Inconsistency, "25个销售")], &[]);
        check(
            &[
                "R: How is the work run today?",
                "Email and a shared drive. We've twelve staff interpreters, mostly courts.",
                "R: How many seats would you need?",
                "Me and Dev, so the two of us plus the five interpreters.",
            ],
            &[(Inconsistency, "five interpreters")],
            &[],
        );
        check(&["我们总监决定。", "R: 好的。", "最后还是老板拍板。"], &[(Inconsistency, "老板拍板")], &[]);
        // "Fourteen." engineers, and later "There's only nine of them."; "how big's the team".
        check(
            &[
                "R: How many engineers have you got out on the road?",
                "Fourteen.",
                "R: And with fourteen engineers, are they all on call overnight?",
                "There's only nine of them. Two do nights on a rota.",
            ],
            &[(Inconsistency, "only nine of them")],
            &[],
        );
        check(
            &[
                "R: How many engineers have you got?",
                "Fourteen.",
                "R: And with fourteen engineers, who does nights?",
                "Only two of them do nights.",
            ],
            &[],
            &[Inconsistency],
        );
        check(
            &[
                "R: okay and how big's the team",
                "twenty two officers on the street plus me and two supervisors",
                "R: do they grumble about the handhelds",
                "i mean they moan but ive got nine officers on the books",
            ],
            &[(Inconsistency, "nine officers")],
            &[],
        );
        // A bare count answering "how many plants?", and later "only the one plant".
        check(
            &[
                "R: And how many plants is that spread over?",
                "Three.",
                "R: How many vans do you run?",
                "Eleven.",
                "R: Which plant would be easiest to start at?",
                "There's only the one plant. Always has been.",
            ],
            &[(Inconsistency, "only the one plant")],
            &[],
        );
        check(
            &[
                "R: How many plants do you run?",
                "Three.",
                "R: Which one is the biggest?",
                "The one in Leeds, one plant does most of it.",
            ],
            &[],
            &[Inconsistency],
        );
        // Shops counted as "三家" in one answer and "五家店" in another are one count.
        check(
            &["R: 您这边现在几家店？", "三家。", "R: 包厢多吗？", "我们五家店加起来也就百来个包厢。"],
            &[(Inconsistency, "五家店")],
            &[],
        );
        // Consistent repeats and self-corrections within a turn are not inconsistencies.
        check(&["We have $40k.", "R: OK.", "Yes, the $40k is approved."], &[], &[Inconsistency]);
        check(&["We have $40k, sorry, $45k."], &[], &[Inconsistency]);
        check(&["We have 40 reps and 200 employees."], &[], &[Inconsistency]);
        check(&["We have 40 reps.", "R: Growing?", "Yes, we're hiring 10 more reps."], &[], &[Inconsistency]);
        check(&["It's $500 a seat.", "R: And in total?", "We have $40k in total."], &[], &[Inconsistency]);
        check(&["每月2万。", "R: 一年呢？", "一年24万。"], &[], &[Inconsistency]);
        check(&["We decide by March and go live by April."], &[], &[Inconsistency]);
    }

    #[test]
    fn restated_counts_past_dates_ranges_and_named_deciders() {
        // A bare count answers the rep's count question; a far-off guess later contradicts it.
        check(
            &[
                "R: How many people are on the team?",
                "Twelve.",
                "R: Sorry, how big is the team again?",
                "Around thirty people, I'd say.",
            ],
            &[(Inconsistency, "thirty people")],
            &[],
        );
        check(
            &["R: How many reps do you have?", "About 25, I think.", "R: OK.", "We have 60 reps."],
            &[(Inconsistency, "60 reps")],
            &[],
        );
        check(
            &["R: 销售团队多少人？", "十二个。", "R: 好的。", "我觉得大概有三十个销售。"],
            &[(Inconsistency, "三十个销售")],
            &[],
        );
        // A count in an incident ("two reps called the same customer") is no team size.
        check(&["经常一个客户两个销售同时打电话。", "R: 销售有多少人？", "八个。"], &[], &[Inconsistency, Specificity]);
        check(&["Sometimes two reps call the same lead.", "R: How many reps?", "Nine."], &[], &[Inconsistency]);
        // "I've got" and "the whole crew" state totals, wherever the sentence sits.
        check(
            &[
                "Mostly hotels. I've got seven fitters on the tools most weeks, plus me.",
                "R: Who'd use the app?",
                "It's me and three fitters, the whole crew, four of us.",
            ],
            &[(Inconsistency, "three fitters")],
            &[],
        );
        check(&["I've got seven fitters.", "R: And on Mondays?", "Three fitters work Mondays."], &[], &[Inconsistency]);
        // Close guesses are not contradictions.
        check(&["R: How many reps?", "Forty.", "R: OK.", "Maybe 45 reps by now."], &[], &[Inconsistency]);
        // History is neither a timeline nor a specific date.
        check(
            &["R: When?", "We looked at this in 2024.", "R: And now?", "Before the Nordic launch on April 1st."],
            &[(Specificity, "April 1st")],
            &[Inconsistency],
        );
        check(
            &["R: 什么时候？", "去年试过。", "R: 那现在？", "赶在四月一号上线前。"],
            &[(Specificity, "四月一号")],
            &[Inconsistency],
        );
        // A hedged range is no concrete figure; a plain range is.
        check(&["R: Budget?", "Somewhere around 30 to 40 thousand euros a year."], &[], &[Specificity]);
        check(&["R: 预算？", "大概二三十万。"], &[], &[Specificity]);
        check(&["R: Budget?", "30 to 40k."], &[(Specificity, "40k")], &[]);
        check(&["R: Budget?", "We spent 20k on a tool back in 2023."], &[], &[Specificity]);
        // A role and a name answering "who signs off?" names the decider.
        check(&["R: Who signs off?", "Our COO, Elena Ruiz."], &[(Specificity, "COO")], &[]);
    }

    #[test]
    fn neither_side_of_an_unsettled_contradiction_is_specificity() {
        // The decider claimed, then taken back: neither statement is a concrete answer.
        check(
            &[
                "R: Who signs for something like this?",
                "Under ten grand it's me, as owner, full stop.",
                "R: And this would be six?",
                "Six, yes. But Dorota has to sign every contract, I have no say on paper.",
            ],
            &[(Inconsistency, "no say")],
            &[Specificity],
        );
        check(
            &["R: 这种事谁来定？", "设备这块都归我管。", "R: 好的。", "不过最后得厂长签字，我这边说了也不算。"],
            &[(Inconsistency, "说了也不算")],
            &[Specificity],
        );
        // A date told and kept is specificity.
        check(
            &["R: When?", "Live by the 1st of March, signed by mid-February."],
            &[(Specificity, "1st of March")],
            &[],
        );
    }

    #[test]
    fn the_inconsistency_names_the_earlier_answer_and_its_turn() {
        let (_, found) = signals(&["R: What's your budget?", "About $40k.", "R: And overall?", "Our budget is $120k."]);
        let s = found.iter().find(|s| s.kind == Inconsistency).unwrap_or_else(|| panic!("{found:#?}"));
        assert_eq!(s.turn, 3);
        assert!(s.explanation.contains("turn 1") && s.explanation.contains("$40"), "{}", s.explanation);
        assert_eq!(s.polarity, Polarity::Red);
    }

    #[test]
    fn odd_input_never_panics() {
        let long_line = "we have $40k and 40 reps by March 15 our CFO decides 预算20万两周内翻两番 ".repeat(500);
        let junk: String = (0u32..5_000).filter_map(|i| char::from_u32((i * 7919) % 0x3_0000)).collect();
        let texts = [
            String::new(),
            long_line,
            junk,
            "$".repeat(1000),
            "9".repeat(5000),
            "in 99999999999 years, by 2099-02-31, Q9, 13月45日, 十十十万万亿亿".to_owned(),
            "１２３万元，百分之百分之，翻九番".to_owned(),
        ];
        for text in &texts {
            let (t, found) = signals(&["R: What's the budget?", text, text]);
            for s in &found {
                assert_eq!(t.quote(s.span), s.quote);
            }
        }
    }

    /// A one-hour call (about 10,000 words) in each language; run with
    /// `cargo test --release -p sift-signals --lib timing -- --ignored --nocapture`.
    #[test]
    #[ignore = "timing, run in release"]
    fn timing_of_a_one_hour_call() {
        let en_rep =
            "So tell me, what budget have you set aside for this and when do you need it live? Who else decides?";
        let en_prospect = "Well, we have a team of 40 reps and we are losing deals every week because follow-up is slow. \
            We have about $40k set aside, and our CFO signs off on anything over 10k. We use Salesforce today \
            and we are also looking at HubSpot. We need it live by March 15, and the goal is to grow revenue by 20% next year. \
            Honestly it could be better, maybe next quarter we will know more about the process and the security review.";
        let zh_rep = "你们的预算大概多少？什么时候需要上线？谁来拍板？";
        let zh_prospect = "我们有40个销售，最大的痛点是经常漏单。预算大概20万，需要老板拍板。现在用的是销售易，也在看另外两家。\
            希望下个季度上线，今年的目标是业绩增长20%。法务要审合同，采购部要比价，流程是先试用两周然后上会。";
        for (language, rep, prospect) in [(Language::En, en_rep, en_prospect), (Language::Zh, zh_rep, zh_prospect)] {
            let mut turns = Vec::new();
            let mut words = 0;
            while words < 10_000 {
                turns.push(("Rep", Role::Rep, rep));
                turns.push(("Prospect", Role::Prospect, prospect));
                words += if language == Language::En {
                    rep.split_whitespace().count() + prospect.split_whitespace().count()
                } else {
                    (rep.chars().count() + prospect.chars().count()) * 2 / 3
                };
            }
            let t = Transcript::from_turns(language, &turns);
            let bytes: usize = t.turns.iter().map(|t| t.text.len()).sum();
            let _ = analyse_call(&t, as_of()); // compile the regexes outside the timing
            // The fastest of several runs: other work on the machine only ever adds time.
            let mut best = std::time::Duration::MAX;
            let mut n = 0;
            for _ in 0..30 {
                let start = std::time::Instant::now();
                let call = analyse_call(&t, as_of());
                n = fact_signals(&t, &call).len();
                best = best.min(start.elapsed());
            }
            let mbps = bytes as f64 / best.as_secs_f64() / 1e6;
            println!(
                "{language:?}: {} turns, {bytes} bytes: {best:?} per call ({mbps:.1} MB/s), {n} signals",
                t.turns.len()
            );
        }
    }
}
