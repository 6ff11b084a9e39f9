//! What a figure or a date is *for*: its role in what the prospect said.
//!
//! A number is not a budget because it is a number. "Floor area 12,000 sq ft", "we lose
//! $200k a year", "revenue went from $3.1M to $3.6M", "anything over 25k goes to the CFO",
//! "our quote from them was 30k" and "we set aside 40k" are six different things, and only
//! the last is a budget. A date is not a buying date because it is a date: "we tried it in
//! 2024" (past), "budgets are set every October" (a cycle), "grow 20% by the end of next
//! year" (a goal's deadline), "$60k for this year" (a budget's period) and "live by March"
//! (the buying timeline) are told apart by the clause they stand in.
//!
//! Roles are decided from the fact's own clause (negation and most cues reach no further),
//! the sentence for approval thresholds, and the question the answer responds to. Cue words
//! are data (`role.*` entries of the evidence lexicons); the order of the rules is here.

use serde::Serialize;

/// What a fact is in the conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FactRole {
    /// Money set aside or that can be spent.
    Budget,
    /// Money already spent ("we paid 20k for the last tool").
    Spent,
    /// What the problem costs ("we lose $200k a year").
    Loss,
    /// A business figure: revenue, margin, pipeline.
    Business,
    /// A vendor's price or quote.
    Price,
    /// An approval limit ("anything over 25k goes to the CFO").
    Threshold,
    /// A target: a goal's figure or a change to reach.
    Target,
    /// A current level or a measured figure (a metric, the team's size).
    Measured,
    /// The date of buying or going live: the timeline.
    Buying,
    /// The deadline of a goal.
    GoalDeadline,
    /// The period a budget covers ("$60k for this year").
    BudgetPeriod,
    /// A recurring date: the planning or budget cycle.
    Recurring,
    /// Already happened.
    Past,
    /// Said in passing; evidence for nothing.
    Context,
}

impl FactRole {
    pub fn as_str(self) -> &'static str {
        match self {
            FactRole::Budget => "budget",
            FactRole::Spent => "spent",
            FactRole::Loss => "loss",
            FactRole::Business => "business",
            FactRole::Price => "price",
            FactRole::Threshold => "threshold",
            FactRole::Target => "target",
            FactRole::Measured => "measured",
            FactRole::Buying => "buying",
            FactRole::GoalDeadline => "goal_deadline",
            FactRole::BudgetPeriod => "budget_period",
            FactRole::Recurring => "recurring",
            FactRole::Past => "past",
            FactRole::Context => "context",
        }
    }
}

/// The kinds of `role.*` cues in the evidence lexicons.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RoleCue {
    Budget,
    Loss,
    Revenue,
    Price,
    Target,
    Buying,
    Recurring,
    Urgency,
    Leadership,
    Approval,
}

impl RoleCue {
    pub const ALL: [RoleCue; 10] = [
        RoleCue::Budget,
        RoleCue::Loss,
        RoleCue::Revenue,
        RoleCue::Price,
        RoleCue::Target,
        RoleCue::Buying,
        RoleCue::Recurring,
        RoleCue::Urgency,
        RoleCue::Leadership,
        RoleCue::Approval,
    ];

    /// The cue kind's name after `role.` in a lexicon.
    pub fn parse(name: &str) -> Option<RoleCue> {
        Some(match name {
            "budget" => RoleCue::Budget,
            "loss" => RoleCue::Loss,
            "revenue" => RoleCue::Revenue,
            "price" => RoleCue::Price,
            "target" => RoleCue::Target,
            "buying" => RoleCue::Buying,
            "recurring" => RoleCue::Recurring,
            "urgency" => RoleCue::Urgency,
            "leadership" => RoleCue::Leadership,
            "approval" => RoleCue::Approval,
            _ => return None,
        })
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// Where each kind of role cue was found in one answer, as byte ranges.
#[derive(Debug, Clone, Default)]
pub struct RoleHits {
    hits: [Vec<(usize, usize)>; 10],
}

impl RoleHits {
    pub fn clear(&mut self) {
        self.hits.iter_mut().for_each(Vec::clear);
    }

    /// Moves every hit by `offset` bytes (hits found in a slice starting there).
    pub fn shift(&mut self, offset: usize) {
        for hits in &mut self.hits {
            for (a, b) in hits.iter_mut() {
                *a += offset;
                *b += offset;
            }
        }
    }

    pub fn add(&mut self, cue: RoleCue, start: usize, end: usize) {
        self.hits[cue.index()].push((start, end));
    }

    /// Whether a cue of this kind lies (at least partly) within `range`.
    pub fn within(&self, cue: RoleCue, range: (usize, usize)) -> bool {
        self.hits[cue.index()].iter().any(|&(a, b)| a < range.1 && range.0 < b)
    }

    /// Whether a cue of this kind lies within `range` and outside `fact` (the bytes of a
    /// fact whose own words may hold a cue: "之内" in "一个礼拜之内").
    pub fn within_beside(&self, cue: RoleCue, range: (usize, usize), fact: (usize, usize)) -> bool {
        self.hits[cue.index()].iter().any(|&(a, b)| a < range.1 && range.0 < b && !(fact.0 <= a && b <= fact.1))
    }

    /// Whether a cue of this kind ends at most `gap` bytes before `pos`, inside `range`.
    pub fn just_before(&self, cue: RoleCue, pos: usize, gap: usize, range: (usize, usize)) -> bool {
        self.hits[cue.index()].iter().any(|&(a, b)| a >= range.0 && b <= pos && pos - b <= gap)
    }

    pub fn any(&self, cue: RoleCue) -> bool {
        !self.hits[cue.index()].is_empty()
    }

    pub fn first(&self, cue: RoleCue) -> Option<(usize, usize)> {
        self.hits[cue.index()].first().copied()
    }
}

/// Words that start a new clause inside a sentence: English conjunctions (an "and" only
/// when a new subject follows it: "30 and 40" stays one clause) and Chinese ones.
static CLAUSE_WORDS: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    #[allow(clippy::expect_used)]
    crate::lexicon::compile(
        r"(?i) (?:but|so|because|although|though|however|whereas|while|except|unless|and then|and (?:we|i|they|it|our|that|there|you|he|she|the)) |但是|不过|可是|所以|因为|而且|然后|但",
    )
    .expect("built-in pattern")
});

/// Clause ranges of a text: sentences split further at commas, semicolons, colons, dashes
/// and conjunctions ("but", "so", "and we", 但是, 不过...). Negation reaches no further than
/// its clause: "budget is not a problem, we need this fixed" has two.
pub fn clauses(text: &str) -> Vec<(usize, usize)> {
    let mut cuts: Vec<usize> = Vec::new();
    for (i, c) in text.char_indices() {
        let end = i + c.len_utf8();
        let cut = match c {
            '!' | '?' | ';' | ':' | '。' | '！' | '？' | '；' | '：' | '，' | '、' | '\n' | '—' => true,
            // A decimal point is not the end of a clause.
            '.' => !text[end..].starts_with(|n: char| n.is_ascii_digit()),
            // A comma between digits groups thousands.
            ',' => {
                !(text[..i].ends_with(|p: char| p.is_ascii_digit())
                    && text[end..].starts_with(|n: char| n.is_ascii_digit()))
            }
            _ => false,
        };
        if cut {
            cuts.push(end);
        }
    }
    for m in CLAUSE_WORDS.find_iter(text) {
        // An English word starts after its leading space; a Chinese one at itself.
        cuts.push(if m.as_str().starts_with(' ') { m.start() + 1 } else { m.start() });
    }
    cuts.push(text.len());
    cuts.sort_unstable();
    cuts.dedup();
    let mut out = Vec::with_capacity(cuts.len());
    let mut start = 0;
    for cut in cuts {
        if cut > start && text.is_char_boundary(cut) {
            out.push((start, cut));
            start = cut;
        }
    }
    out
}

/// The range in `ranges` (sorted, disjoint) holding byte `pos`, or the whole text.
pub fn range_of(ranges: &[(usize, usize)], pos: usize, len: usize) -> (usize, usize) {
    let i = ranges.partition_point(|(_, end)| *end <= pos);
    ranges.get(i).copied().filter(|(start, _)| *start <= pos).unwrap_or((0, len))
}

/// Whether the words right before a figure make it a limit above which something happens
/// ("over 25k", "anything above", "超过", "高于") or one below which it may ("under 10k",
/// "up to", "以内", "以下").
pub fn limit_words(text: &str, start: usize, end: usize) -> bool {
    let before = crate::transcript::text_before(text, start, 24).trim_end().to_ascii_lowercase();
    let after = text[end..].trim_start();
    const BEFORE: &[&str] = &[
        "over",
        "above",
        "more than",
        "exceeding",
        "beyond",
        "in excess of",
        "under",
        "below",
        "less than",
        "up to",
        "within",
        "超过",
        "高于",
        "大于",
        "多于",
        "不超过",
        "低于",
        "小于",
    ];
    BEFORE.iter().any(|w| before.ends_with(w)) || ["以上", "以下", "以内", "之内"].iter().any(|w| after.starts_with(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clauses_split_at_punctuation_and_conjunctions_but_not_inside_figures() {
        let text = "Budget is not a problem, we need 40,000 licences but 3.5 is too few. 十倍不是问题但是要快";
        let got: Vec<&str> = clauses(text).into_iter().map(|(a, b)| text[a..b].trim()).collect();
        assert_eq!(
            got,
            ["Budget is not a problem,", "we need 40,000 licences", "but 3.5 is too few.", "十倍不是问题", "但是要快"]
        );
        // "between 60 and 80" is one clause; "and we have..." starts another.
        let text = "somewhere between 60 and 80 thousand and we have it approved";
        let got: Vec<&str> = clauses(text).into_iter().map(|(a, b)| text[a..b].trim()).collect();
        assert_eq!(got, ["somewhere between 60 and 80 thousand", "and we have it approved"]);
    }

    #[test]
    fn limits_are_told_from_amounts() {
        let yes = [
            ("Tom signs anything over 25k", "25k"),
            ("超过二十万要郑总签字", "二十万"),
            ("二十万以内我能定", "二十万"),
        ];
        for (text, figure) in yes {
            let start = text.find(figure).unwrap_or(0);
            assert!(limit_words(text, start, start + figure.len()), "{text}");
        }
        let text = "we have 25k";
        assert!(!limit_words(text, 8, 11));
    }
}
