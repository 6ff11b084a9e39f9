//! Facts: typed figures, dates, targets and decision makers found in one text, with byte
//! spans, in English and Simplified Chinese.
//!
//! This is grammar (how numbers, dates and "X decides" are written), so it lives in code as
//! regexes compiled once. Which *concept* a fact is evidence for is decided in
//! [`crate::evidence`] from the cue lexicons, never here.

use std::sync::LazyLock;

use chrono::{Datelike, Days, Months, NaiveDate};
use regex::{Captures, Regex, RegexSet, SetMatches};
use serde::Serialize;
use sift_core::Message;

use crate::transcript::text_before;

/// How a timeline was expressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TimelineKind {
    /// A calendar date or month: `March 15`, `2027-03-01`, `by March`, `三月份`.
    Absolute,
    /// A quarter: `Q3`, `next quarter`, `下个季度`.
    Quarter,
    /// Relative to the call: `in two weeks`, `end of year`, `明年`, `两周内`.
    Relative,
}

/// What a named person or role does in the decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RolePart {
    /// Makes the decision (`decides`, `has the final say`, `拍板`).
    Decides,
    /// Must approve or sign (`signs off`, `run it by`, `审批`).
    Approves,
    /// Named, without a stated part.
    Involved,
}

/// One typed fact.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Fact {
    /// An amount of money; `currency` is an ISO code when stated, `per` the unit it is
    /// counted in when it is a rate (`month`, `year`, `seat`): `$500 a seat`, `每月2万`.
    Money {
        amount: f64,
        currency: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        per: Option<String>,
    },
    /// A point in time. `resolved` is the date meant (the deadline for `by ...`, the start
    /// for `in ...`), `until` the end of the period named, both given the reference date.
    Timeline { kind: TimelineKind, resolved: Option<NaiveDate>, until: Option<NaiveDate> },
    /// A count of something: `40 reps`, `a team of 40`, `40个销售`. Units are normalised
    /// (`reps`, `people`, `seats`, `customers`, ...).
    Count { value: f64, unit: String },
    /// A plain percentage: `8%`, `百分之二十`.
    Percentage { value: f64 },
    /// A change target as a factor: `double` = 2, `grow 20%` = 1.2, `cut by 30%` = 0.7,
    /// with the days until the horizon when one is stated in the same sentence.
    Growth { factor: f64, horizon_days: Option<i64> },
    /// A person or role and their part in the decision; `self` for the speaker.
    Person { role: String, part: RolePart },
}

/// A fact and where it was found, in byte offsets into the text.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FoundFact {
    pub fact: Fact,
    pub start: usize,
    pub end: usize,
}

impl Fact {
    /// A short human form: `$40,000`, `2027-03-31`, `40 reps`, `x2.0 in 30 days`, `CFO decides`.
    /// It is [`Fact::message`]'s English.
    pub fn describe(&self) -> String {
        self.message().english()
    }

    /// The fact as a message (`call.fact.*`), for notes that hold it: the figure, date or
    /// person as data, Sift's own words (`per month`, `decides`) by code.
    pub fn message(&self) -> Message {
        match self {
            Fact::Money { amount, currency, per } => Message::new("call.fact.money")
                .with("amount", group_thousands(*amount))
                .with_opt("currency", currency.as_deref())
                .with_opt("per", per.as_deref()),
            Fact::Timeline { resolved: Some(d), .. } => Message::new("call.fact.date").with("date", d.to_string()),
            Fact::Timeline { kind, .. } => {
                Message::new("call.fact.date_kind").with("kind", format!("{kind:?}").to_lowercase())
            }
            Fact::Count { value, unit } => {
                Message::new("call.fact.count").with("value", trim_float(*value)).with("unit", unit.as_str())
            }
            Fact::Percentage { value } => Message::new("call.fact.percentage").with("value", trim_float(*value)),
            Fact::Growth { factor, horizon_days } => Message::new("call.fact.growth")
                .with("factor", trim_float(*factor))
                .with_opt("days", horizon_days.map(|d| d.to_string())),
            Fact::Person { role, part } => Message::new("call.fact.person").with("role", role.as_str()).with(
                "part",
                match part {
                    RolePart::Decides => "decides",
                    RolePart::Approves => "approves",
                    RolePart::Involved => "involved",
                },
            ),
        }
    }
}

fn trim_float(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{}", v.round() as i64)
    } else {
        format!("{v:.2}").trim_end_matches('0').to_owned()
    }
}

fn group_thousands(v: f64) -> String {
    let whole = trim_float(v);
    let (int, frac) = whole.split_once('.').unwrap_or((&whole, ""));
    let mut out = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if !frac.is_empty() {
        out.push('.');
        out.push_str(frac);
    }
    out
}

// ---------------------------------------------------------------------------------------
// Number grammar

const EN_UNITS: &str = "zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen";
const EN_TENS: &str = "twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety";

/// Words for small numbers, `a`/`an` included (only meaningful before a unit).
pub(crate) fn en_word_number_pattern() -> String {
    // "ninety-odd thousand": a round ten and a bit, read as the ten.
    // "eight seventy" is said for 870, "nine fifty" for 950.
    let spoken_hundreds = format!(
        "(?:one|two|three|four|five|six|seven|eight|nine)\\s+(?:{EN_TENS})(?:[- ](?:one|two|three|four|five|six|seven|eight|nine))?"
    );
    // "three point two million": a decimal said digit by digit.
    let digit = "(?:zero|oh|one|two|three|four|five|six|seven|eight|nine)";
    let below_hundred = format!("(?:{spoken_hundreds}|(?:{EN_TENS})(?:[- ](?:{EN_UNITS}|odd))?|(?:{EN_UNITS}))");
    format!(
        r"(?:half\s+a|a\s+couple(?:\s+of)?|a\s+few|couple\s+of|several|(?:{below_hundred}|a|an)(?:\s+hundred(?:\s+(?:and\s+)?{below_hundred})?)?(?:\s+and\s+a\s+half|\s+point(?:\s+{digit}){{1,2}})?)"
    )
}

fn en_word_value(word: &str) -> Option<f64> {
    let units = EN_UNITS.split('|');
    if let Some(i) = units.clone().position(|u| u == word) {
        return Some(i as f64);
    }
    EN_TENS.split('|').position(|t| t == word).map(|i| (i as f64 + 2.0) * 10.0)
}

/// A figure in digits, English words or Chinese: "12", "twelve", "十二".
pub(crate) fn figure(text: &str) -> Option<f64> {
    text.parse::<f64>().ok().or_else(|| parse_en_words(text)).or_else(|| parse_zh_number(text))
}

/// Parses English number words: `forty-two`, `two hundred and fifty`, `half a`, `one and a half`.
pub fn parse_en_words(text: &str) -> Option<f64> {
    let lower = text.to_ascii_lowercase();
    let tokens: Vec<&str> = lower.split(|c: char| c.is_whitespace() || c == '-').filter(|t| !t.is_empty()).collect();
    let mut value: f64 = 0.0;
    let mut seen = false;
    // After "point", each digit word is the next decimal place.
    let mut place: Option<f64> = None;
    for (i, tok) in tokens.iter().enumerate() {
        if let Some(p) = place {
            let d = match *tok {
                "oh" => 0.0,
                other => en_word_value(other).filter(|d| *d < 10.0)?,
            };
            value += d * p;
            place = Some(p / 10.0);
            continue;
        }
        match *tok {
            "point" if seen => place = Some(0.1),
            "and" | "of" | "odd" => {}
            "a" | "an" => {
                if tokens.get(i + 1) != Some(&"half") && value == 0.0 {
                    value = 1.0;
                    seen = true;
                }
            }
            "half" => {
                value += 0.5;
                seen = true;
            }
            "couple" => {
                value = 2.0;
                seen = true;
            }
            "few" | "several" => {
                value = 3.0;
                seen = true;
            }
            "dozen" => {
                value = if value == 0.0 { 12.0 } else { value * 12.0 };
                seen = true;
            }
            "hundred" => {
                value = if value == 0.0 { 100.0 } else { value * 100.0 };
                seen = true;
            }
            other => {
                let v = en_word_value(other)?;
                // "eight seventy": a unit then a ten is said for hundreds (870).
                let after_unit = i > 0 && (1.0..10.0).contains(&value) && value.fract() == 0.0;
                if v >= 20.0 && after_unit && tokens[i - 1] != "and" {
                    value = value * 100.0 + v;
                    seen = true;
                    continue;
                }
                // "one hundred and five": units after a hundred add; "twenty five" adds too.
                value += v;
                seen = true;
            }
        }
    }
    seen.then_some(value)
}

fn zh_digit(c: char) -> Option<f64> {
    Some(match c {
        '零' | '〇' => 0.0,
        '一' => 1.0,
        '二' | '两' => 2.0,
        '三' => 3.0,
        '四' => 4.0,
        '五' => 5.0,
        '六' => 6.0,
        '七' => 7.0,
        '八' => 8.0,
        '九' => 9.0,
        _ => return None,
    })
}

/// A number said digit by digit, in Arabic or Chinese digits: "2028", "二零二八", "零八".
pub(crate) fn digit_by_digit(text: &str) -> Option<i32> {
    text.chars().try_fold(0_i32, |n, c| {
        let d = c.to_digit(10).map(f64::from).or_else(|| zh_digit(c))?;
        n.checked_mul(10)?.checked_add(d as i32)
    })
}

/// The months and weekdays in lower case: words that look like names and are dates.
pub(crate) const MONTHS_AND_DAYS: [&str; 19] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];
/// Parses a Chinese number, Arabic digits mixed in allowed: `两百万`, `1.5亿`, `3千万`,
/// `一千零五`, `二十`, `一万五` (= 15 000, the spoken shorthand).
pub fn parse_zh_number(text: &str) -> Option<f64> {
    let (mut yi, mut wan, mut section, mut number) = (0.0_f64, 0.0_f64, 0.0_f64, 0.0_f64);
    let mut last_unit = 0.0_f64; // the unit just before a trailing bare digit
    let mut digits = String::new();
    let mut seen = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let ascii = match c {
            '０'..='９' => char::from_digit(c as u32 - '０' as u32, 10),
            '0'..='9' | '.' => Some(c),
            _ => None,
        };
        if let Some(a) = ascii {
            digits.push(a);
            if !chars.peek().is_some_and(|n| n.is_ascii_digit() || *n == '.' || ('０'..='９').contains(n)) {
                number = digits.parse().ok()?;
                digits.clear();
                seen = true;
                last_unit = 0.0;
            }
            continue;
        }
        // "两个亿": a measure word between the number and 亿.
        if c == ',' || c == '，' || (c == '个' && chars.peek() == Some(&'亿')) {
            continue;
        }
        // "一点二个亿": the digits after 点 are tenths, hundredths.
        if c == '点' && seen {
            let mut place = 0.1;
            while let Some(d) = chars.peek().and_then(|n| zh_digit(*n)) {
                number += d * place;
                place /= 10.0;
                chars.next();
            }
            continue;
        }
        if let Some(d) = zh_digit(c) {
            number = d;
            seen = true;
            if d == 0.0 {
                last_unit = 0.0;
            }
            continue;
        }
        let unit = match c {
            '十' => 10.0,
            '百' => 100.0,
            '千' => 1000.0,
            '万' => 1e4,
            '亿' => 1e8,
            _ => return None,
        };
        seen = true;
        match c {
            '万' => {
                wan = (wan + section + number) * 1e4;
                section = 0.0;
            }
            '亿' => {
                yi = (yi + wan + section + number) * 1e8;
                wan = 0.0;
                section = 0.0;
            }
            _ => section += if number == 0.0 { 1.0 } else { number } * unit,
        }
        number = 0.0;
        last_unit = unit;
    }
    if !seen {
        return None;
    }
    // 一万五 = 15 000, 两百五 = 250: a bare digit after a unit counts one place lower.
    if last_unit >= 100.0 && number > 0.0 && number < 10.0 && number.fract() == 0.0 {
        number *= last_unit / 10.0;
    }
    Some(yi + wan + section + number)
}

fn magnitude(word: &str) -> f64 {
    match word.to_ascii_lowercase().as_str() {
        "k" | "thousand" | "grand" => 1e3,
        "m" | "mm" | "mn" | "million" => 1e6,
        "bn" | "billion" => 1e9,
        _ => 1.0,
    }
}

fn currency_code(token: &str) -> Option<&'static str> {
    let t = token.trim().to_ascii_lowercase();
    Some(match t.as_str() {
        "$" | "us$" | "usd" | "dollar" | "dollars" | "bucks" | "美元" | "美金" | "刀" => "USD",
        "€" | "eur" | "euro" | "euros" => "EUR",
        "£" | "gbp" | "pound" | "pounds" | "quid" => "GBP",
        "jpy" | "yen" => "JPY",
        "¥" | "￥" | "cny" | "rmb" | "yuan" | "元" | "块" | "块钱" | "人民币" | "万元" => "CNY",
        _ => return None,
    })
}

// ---------------------------------------------------------------------------------------
// Regexes, compiled once

/// Compiles a built-in pattern; `\b` means an ASCII word boundary so that English
/// patterns also find their words next to Chinese characters (and stay on the fast engines).
fn re(pattern: &str) -> Regex {
    let pattern = pattern.replace(r"\b", r"(?-u:\b)");
    #[allow(clippy::expect_used)]
    crate::lexicon::compile(&pattern).expect("built-in fact patterns are checked by tests")
}

const EN_UNIT_WORDS: &str = r"reps?|salespeople|salesperson|sellers?|aes|sdrs|bdrs|account\s+executives|agents|people|persons?|employees|staff|headcount|ftes?|team\s+members|heads|users|seats|licen[cs]es|customers|clients|accounts|leads|engineers|developers|locations|stores|offices|branches|sites|deals|calls|meetings|demos|minutes|mins|hours|hrs";
const EN_UNIT_ADJ: &str = r"(?:(?:full-time|sales|inside|field|active|paying|new|more|quota-carrying|other)\s+){0,2}";

static EN_AMOUNT: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)(?P<pre>US\$|\$|€|£|¥|\b(?:usd|eur|gbp|cny|rmb|jpy)\s?)?(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?:(?P<mag1>k|mm|mn|m|bn)\b|\s?(?P<mag2>thousand|million|billion|grand)\b)?(?:\s?(?P<post>usd|eur|gbp|cny|rmb|jpy|dollars?|euros?|pounds?|quid|bucks|yuan)\b)?",
    )
});
/// A figure said in words with its scale: "forty thousand", "four thousand two hundred", "two
/// hundred and fifty thousand pounds". What follows a thousand is read only as hundreds or
/// "and" a number, so "forty thousand a year" stays forty thousand.
static EN_WORD_AMOUNT: LazyLock<Regex> = LazyLock::new(|| {
    let below_hundred = format!("(?:{EN_TENS})(?:[- ](?:{EN_UNITS}))?|(?:{EN_UNITS})");
    re(&format!(
        r"(?i)\b(?P<num>{})\s+(?P<mag>thousand|million|billion|grand|k)\b(?:\s+(?P<rest>(?:one|two|three|four|five|six|seven|eight|nine|a)\s+hundred(?:\s+(?:and\s+)?(?:{below_hundred}))?|and\s+(?:{below_hundred}))\b)?(?:\s+(?P<post>dollars|euros|pounds|quid|bucks|yuan|usd|eur|gbp|rmb))?",
        en_word_number_pattern()
    ))
});
/// A figure in words under a thousand said with its currency: "a hundred and eighty quid",
/// "sixty pounds".
static EN_WORD_MONEY: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(r"(?i)\b(?P<num>{})\s+(?P<post>dollars|euros|pounds|quid|bucks|yuan)\b", en_word_number_pattern()))
});
static EN_UNIT_AFTER: LazyLock<Regex> =
    LazyLock::new(|| re(&format!(r"(?i)^\s*{EN_UNIT_ADJ}(?P<unit>{EN_UNIT_WORDS})\b")));
static EN_WORD_COUNT: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(r"(?i)\b(?P<num>{})\s+{EN_UNIT_ADJ}(?P<unit>{EN_UNIT_WORDS})\b", en_word_number_pattern()))
});
static EN_WORD_THING: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(r"(?i)\b(?P<num>{}|a\s+dozen)\s+(?:of\s+(?:our|the|their|those)\s+)?[a-z]", en_word_number_pattern()))
});
/// What a quantity counts when it is not people: a plural noun or a unit of area, after at
/// most one modifier ("1,140 quote requests", "12,000 sq ft", "six of our clinics").
static EN_THING_AFTER: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)^\s*(?:of\s+(?:our|the|their|those)\s+)?(?:(?P<adj>[a-z][a-z-]+)\s+)?(?P<unit>m²|m2|sqm|sq\.?\s?ft|sq\.?\s?m|square\s+(?:feet|foot|metres|meters)|[a-z]{3,}s)\b",
    )
});
/// One of a thing said as all there is: "only the one plant", "we just have the one site",
/// "only a single depot". A plain "one plant" may be one of several and is no count.
static EN_ONLY_ONE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:only|just)\s+(?:(?:have|has|run|runs|got|operate|operates)\s+)?(?:got\s+)?(?:the\s+|a\s+)?(?:one|single|1)\s+(?P<noun>[a-z]{3,})\b",
    )
});
static EN_TEAM: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"(?i)\b(?:a\s+)?(?:sales\s+)?(?:team|headcount)\s+of\s+(?:about\s+|around\s+|roughly\s+|maybe\s+|some\s+)?(?P<num>\d+|{})(?:\s+{EN_UNIT_ADJ}(?P<unit>{EN_UNIT_WORDS})\b)?",
        en_word_number_pattern()
    ))
});
static EN_GROWTH_PCT: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?P<verb>grow|grows|growing|increase|increasing|boost|raise|lift|improve|up|cut|cutting|reduce|reducing|lower|decrease|drop|shrink|growth\s+of|uplift\s+of)\s+(?:[a-z']+\s+){0,3}?(?:by\s+)?(?P<num>\d+(?:\.\d+)?)\s?(?:%|percent\b|per\s?cent\b)",
    )
});
static EN_PCT_GROWTH_AFTER: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)(?P<num>\d+(?:\.\d+)?)\s?(?:%|percent\b|per\s?cent\b)\s+(?P<dir>growth|increase|uplift|more|higher|year[- ]over[- ]year|yoy|reduction|decrease|less|lower|fewer)\b",
    )
});
static EN_PCT: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"(?i)(?:(?P<num>\d+(?:\.\d+)?)\s?(?:%|percent\b|per\s?cent\b)|\b(?P<words>(?:{EN_TENS})(?:[- ](?:{EN_UNITS}))?|(?:{EN_UNITS})|a\s+hundred|one\s+hundred)\s+(?:percent|per\s?cent)\b)"
    ))
});
/// "from 900 to 3,000 members", "from thirty-eight to forty-five percent", "from thirty law
/// firm clients to three hundred": two levels said as bare numbers, the counted thing (`what`)
/// after the first or not at all.
static EN_FROM_TO: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"(?i)\bfrom\s+(?:about\s+|around\s+|roughly\s+|like\s+)?(?P<a>\d[\d,]*(?:\.\d+)?|{w})(?:\s*(?P<am>thousand|million|k)\b)?\s*(?:%|percent)?\s+(?P<what>(?:[a-z-]+\s+){{0,3}}?)(?:to|up\s+to)\s+(?:about\s+|around\s+|over\s+|like\s+|maybe\s+|um\s+|uh\s+)?(?P<b>\d[\d,]*(?:\.\d+)?|{w})(?:\s*(?P<bm>thousand|million|k)\b)?\b",
        w = en_word_number_pattern()
    ))
});
/// Words between "from N" and "to M" that make the two figures something other than two
/// levels of one counted thing: times of day, periods, units of time or money, a date.
static FROM_TO_NOT_A_THING: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:am|pm|a\.m|p\.m|o['’]?clock|in|at|on|the|a|an|per|every|each|morning|afternoon|evening|night|hours?|minutes?|days?|weeks?|months?|years?|quarters?|times|k|grand|bucks|dollars?|pounds?|euros?|quid|percent|and|or|of|we|it|they|i|you)\b",
    )
});
/// "从两千做到两万", "从现在的一百来个提到五百", "从八万粉做到八百万", "从一百来万美金做到一个亿": two levels said as
/// bare numbers, each with its own approximate unit (一百来万 = 一百万) and currency.
static ZH_FROM_TO: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"从(?:现在|目前|今年|去年|原来)?(?:的|这|这个)?(?:一天|每天|一个月|每个月|每月|一周|每周|一年|每年)?(?:百分之)?(?P<a>{ZH_NUM})(?:来|多|余)?(?P<au>千万|万|亿)?(?:(?:美金|美元|块钱|块|元|人民币|刀)?(?:个|名|位|家|条|单|人)?\s?(?:做到|干到|弄到|搞到|冲到|发展到|扩到|扩大到|铺到|提到|提高到|提升到|增长到|涨到|增加到|降到|降低到|压到|减到|减少到|到)|[\p{{Han}}--[成倍半年月天号点]]{{1,2}}(?:做到|干到|弄到|搞到|冲到|发展到|扩到|扩大到|铺到|提到|提高到|提升到|增长到|涨到|增加到))(?:一天|每天|一个月|每个月|每月|一周|每周|一年|每年)?(?:百分之)?(?P<b>{ZH_NUM})(?:来|多|余)?(?P<bu>千万|万|亿)?"
    ))
});
/// "三家变三百家", "两个仓变成二十个仓": a count said to become another, with the counted thing
/// named on both sides.
static ZH_BECOMES: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"(?P<a>{ZH_NUM})(?:来|多|余)?(?P<au>千万|万|亿)?(?P<thing>个|名|位|家|条|单|台|辆|间|所)[\p{{Han}}]{{0,2}}变成?(?P<b>{ZH_NUM})(?:来|多|余)?(?P<bu>千万|万|亿)?(?P<thing2>个|名|位|家|条|单|台|辆|间|所)"
    ))
});
/// "十来万", "二十多万", "十几万": an approximate amount, about the number named; "十几二十万"
/// names its upper end too, and that is the amount. Below ten thousand only with its currency
/// word ("三千多块", "八百来元").
static ZH_APPROX_AMOUNT: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?P<num>[一二两三四五六七八九十百]+|\d+)(?:来|多|余|几)(?P<upper>[一二两三四五六七八九十百]+)?(?P<unit>千万|万|亿)(?P<post>元|块钱|块)?|(?P<small>[一二两三四五六七八九十]+|\d+)(?P<place>千|百)(?:来|多|余)(?:元|块钱|块)",
    )
});
/// Holidays as dates: "by Christmas", "春节前", "国庆之前".
static EN_HOLIDAY: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:(?P<pre>by|before|until|for|around|after|over)\s+)?(?P<h>christmas|xmas|new\s+year['’]?s?(?:\s+day|\s+eve)?|thanksgiving|easter)\b|\b(?:by|before|until|around|over)\s+(?:the\s+)?(?:(?:end|start|beginning)\s+of\s+(?:the\s+)?)?(?P<season>spring|summer|autumn)\b",
    )
});
static ZH_HOLIDAY: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?P<h>春节|过完年|过了年|过年|正月十五|元宵节?|元旦|国庆节?|清明节?|冬至|双十一|双11|六一八|618大促|年前|年后|五一|暑假|开学|开了春|开春)(?P<suf>前|之前|以前|后|之后|以后)?",
    )
});
/// What follows "年后" / "过完年" when it dates something to be done.
static ZH_AFTER_NEW_YEAR_THEN: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"^(?:(?:再|才|以后再|之后再)(?:弄|上|搞|换|签|定|装|买|做|启动|开始|能)|以后$|之后$|一开工|开工|开始|马上|[。.]|$)",
    )
});
/// What a multiple compares with when it describes a season or a peak, not a goal.
static ZH_USUAL: LazyLock<Regex> = LazyLock::new(|| re(r"平时|平常|往常|平日|淡季|是.{0,6}的$|比.{0,6}(?:多|高)$"));
static EN_USUAL: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)^\s*(?:the\s+)?(?:usual|normal|what\s+we\s+(?:normally|usually)|a\s+normal|an?\s+(?:ordinary|quiet|average)|off[- ]season)",
    )
});
/// "There's eleven of us", "we're fourteen of us" (not "only nine of us", read with the
/// rep's question elsewhere).
static EN_N_OF_US: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"(?i)\b(?:there['’]?s|there\s+are|we['’]?re|we\s+are)\s+(?:about\s+|around\s+|roughly\s+)?(?P<num>{EN_HEADCOUNT})\s+of\s+us\b",
    ))
});
/// A head count in digits or words, up to ninety-nine.
const EN_HEADCOUNT: &str = r"\d+|(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[- ](?:one|two|three|four|five|six|seven|eight|nine))?|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen";
/// The whole staff counted another way: "only nine of us on the books", "all the nine of us"
/// (with a cue that the whole staff is meant: [`WHOLE_STAFF`]), "we're twenty two on
/// payroll", "30 staff on the books", "five guys total".
static EN_STAFF_TOTAL: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"(?i)\b(?:all\s+(?:the\s+)?|the\s+|only\s+|just\s+)(?P<num>{n})\s+of\s+us\b|\b(?:we['’]?re|we\s+are|there['’]?s|there\s+are)\s+(?:about\s+|around\s+|roughly\s+)?(?P<num2>{n})\s+(?:(?:staff|people|employees|heads)\s+)?on\s+(?:the\s+)?(?:payroll|books)\b|\b(?P<num3>{n})\s+(?:staff|people|employees|heads)\s+on\s+(?:the\s+)?(?:payroll|books)\b|\b(?P<num4>{n})\s+(?:guys|lads|blokes|people|staff|employees|of\s+us)\s+(?:total|in\s+total|all\s+told|altogether)\b",
        n = EN_HEADCOUNT
    ))
});
/// The staff counted by its parts: "three lads on the mowers and two on the digger, and me"
/// (six), "五间屋，一间屋一个师傅" (five, one to a room). The sum is a head count of the staff.
pub(crate) static STAFF_PARTS: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"(?i)\b(?P<a>{n})\s+(?:(?:{who})\s+)?on\s+(?:the\s+)?[a-z]+,?\s+(?:and\s+)?(?P<b>{n})\s+(?:(?:{who})\s+)?on\s+(?:the\s+)?[a-z]+(?:,?\s+(?:and\s+)?(?P<c>{n})\s+(?:(?:{who})\s+)?on\s+(?:the\s+)?[a-z]+)?(?P<me>,?\s+(?:and|plus)\s+(?:me|myself)\b)?|(?P<rooms>{z})(?:间|个)(?:屋|房间|诊室|治疗室|工作室|工位)[，,\s]*(?:一|每)(?:间|个)(?:屋|房间|诊室|治疗室|工位)?一个(?:师傅|技师|医生|老师|人)",
        n = EN_HEADCOUNT,
        who = "lads|guys|blokes|people|staff|men|women|girls|fellas|of\\s+them",
        z = "[一二两三四五六七八九十]{1,3}|[0-9]{1,3}",
    ))
});
/// People counted with the spoken numerals for two and three: "俩人", "仨人撑着".
static ZH_TWO_THREE_PEOPLE: LazyLock<Regex> = LazyLock::new(|| re(r"(?P<n>俩|仨)(?:个)?人"));
/// Words that say a count is of the whole staff: "the whole team", "on the books", "front
/// and back", "everyone".
pub(crate) static WHOLE_STAFF: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:whole\s+(?:team|crew|staff|company|place|business|firm|lot)|entire\s+(?:team|crew|staff|company|firm)|on\s+(?:the\s+)?(?:books|payroll)|front\s+and\s+back|in\s+total|all\s+told|altogether|everyone|everybody|kitchen\s+and\s+all)\b",
    )
});
/// "double" as an adjective of a noun ("double bookings", "a double shift"), not a change to
/// reach.
static EN_DOUBLE_NOUN: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)^[\s-]+(?:book\w*|shifts?|check\w*|entr\w*|glaz\w*|doors?|beds?|rooms?|deck\w*|digits?|whammy|clicks?|standards?|handling|counting|counted|billing|billed|charg\w*|payments?|paid|spac\w*|parked|data\s+entry|keying|keyed|work|the\s+work|up)\b",
    )
});
static EN_MULTIPLE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:(?P<word>double|doubling|doubled|triple|tripling|tripled|quadruple|quadrupling|quadrupled|quintuple|quintupling)|(?P<nx>\d+(?:\.\d+)?)x|(?P<wx>two|three|four|five|ten|twenty|fifty|a\s+hundred)\s?x|(?P<fold>\d+|two|three|four|five|ten)-?fold|(?P<times>\d+|two|three|four|five|six|seven|eight|nine|ten|twenty|fifty)\s+times\s+(?:more|bigger|larger|higher|the|our|as\s+much|(?P<that>that)\s+(?:next|by|in|within|number|figure|amount|volume|again|like)|what\s+(?:we|they|i|she|he)\s+(?:have|has|do|does|did|make|makes|sell|sells|take|takes|are\s+at|['’]?ve\s+got|got)|where\s+(?:we|they)\s+are))\b",
    )
});

const MONTHS: &str = r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?";
const EN_PRE: &str = r"by|before|until|till|no\s+later\s+than|end\s+of|the\s+end\s+of|in|from|after|early|mid|late|around|for|during|on|starting";

static EN_ISO_DATE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:(?P<pre>by|before|until|on|from)\s+)?(?:(?P<y>20\d{2})-(?P<m>\d{1,2})-(?P<d>\d{1,2})|(?P<m2>\d{1,2})/(?P<d2>\d{1,2})/(?P<y2>20\d{2}))\b",
    )
});
/// Days of the month said as ordinal words, as speech recognition writes them ("January
/// eighth", "the twenty-first of March").
const EN_ORDINAL_DAYS: &str = r"(?:twenty|thirty)[- ](?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth)|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|twentieth|thirtieth";

/// The day of the month an ordinal word names: "eighth" is 8, "twenty-first" 21.
fn ordinal_day(word: &str) -> Option<u32> {
    const UNITS: [&str; 9] = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth"];
    const TEENS: [&str; 11] = [
        "tenth",
        "eleventh",
        "twelfth",
        "thirteenth",
        "fourteenth",
        "fifteenth",
        "sixteenth",
        "seventeenth",
        "eighteenth",
        "nineteenth",
        "twentieth",
    ];
    let word = word.to_ascii_lowercase().replace('-', " ");
    let mut parts = word.split_whitespace();
    let first = parts.next()?;
    let unit = |w: &str| UNITS.iter().position(|u| *u == w).map(|i| i as u32 + 1);
    match (first, parts.next()) {
        ("twenty", Some(u)) => unit(u).map(|d| 20 + d),
        ("thirty", Some(u)) => unit(u).map(|d| 30 + d),
        ("thirtieth", None) => Some(30),
        (w, None) => unit(w).or_else(|| TEENS.iter().position(|t| *t == w).map(|i| i as u32 + 10)),
        _ => None,
    }
}

static EN_MONTH_DATE: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"(?i)\b(?:(?P<pre>{EN_PRE})\s+)?(?:the\s+(?:(?P<dfirst>\d{{1,2}})(?:st|nd|rd|th)?|(?P<dfirstw>{EN_ORDINAL_DAYS}))\s+of\s+)?(?P<mon>{MONTHS})\.?(?:\s+(?:the\s+)?(?:(?P<day>\d{{1,2}})(?:st|nd|rd|th)?|(?P<dayw>{EN_ORDINAL_DAYS}))\b)?(?:,?\s+(?P<year>20\d{{2}}))?\b"
    ))
});
static EN_QUARTER: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:(?P<pre>(?:by\s+)?(?:the\s+)?end\s+of|by|before|until|in|during|for|early|late)\s+)?(?:(?:the\s+)?(?P<ord>first|second|third|fourth|next|this|coming|following)\s+quarter|q(?P<q>[1-4]))(?:\s*(?:of\s+)?(?P<year>20\d{2}|fy\d{2}|'\d{2}))?\b",
    )
});
static EN_RELATIVE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:(?P<pre>by|before|until|in|during|for|sometime|some\s+time|early|late)\s+)?(?P<rel>next|this|the\s+coming|the\s+following)\s+(?P<unit>week|month|year|fiscal\s+year|financial\s+year|spring|summer|fall|autumn|winter)\b",
    )
});
static EN_EDGE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:(?P<pre>by|before|until|at|around)\s+)?(?:the\s+)?(?P<edge>end|beginning|start|middle)\s+of\s+(?:the\s+)?(?P<which>this\s+|next\s+)?(?P<unit>year|month|quarter|week)\b|\b(?:(?P<pre2>by|before|at)\s+)?(?P<ye>year[- ]end)\b",
    )
});
static EN_DURATION: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"(?i)\b(?P<pre>in|within|inside|over|after)\s+(?:(?:the\s+)?(?:next|coming)\s+|less\s+than\s+|about\s+|around\s+)?(?P<n>\d+|{})\s+(?P<unit>days?|weeks?|months?|years?|quarters?)\b|\b(?:the\s+)?next\s+(?P<n2>\d+|{})\s+(?P<unit2>days|weeks|months|years|quarters)\b",
        en_word_number_pattern(),
        en_word_number_pattern()
    ))
});
static EN_YEAR: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)\b(?P<pre>in|by|before|during|for|until|(?:by\s+)?(?:the\s+)?end\s+of)\s+(?P<year>20\d{2})\b")
});
// "asap", "right away": urgency without a date is no date (the `role.urgency` cues read it).
static EN_ASAP: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)\b(?:tomorrow|this\s+week)\b"));

const EN_ROLE: &str = r"ceo|cfo|cto|coo|cro|cmo|cio|ciso|cpo|co-?founders?|founders?|owners?|boss|board|president|managing\s+director|general\s+manager|gm|(?:svp|evp|vp|vice\s+president|head|director)(?:\s+of\s+(?:sales|finance|marketing|it|operations|ops|revenue|engineering|procurement|growth|people|hr))?|(?:sales|finance|it|marketing|ops|operations|revenue|procurement)\s+(?:director|manager|lead|head|vp)|manager|procurement|legal|finance|purchasing|committee|leadership\s+team|leadership|exec\s+team|management";
const EN_DECIDE: &str = r"decides?|will\s+decide|makes?\s+(?:the\s+)?(?:final\s+)?(?:call|decision)|has\s+(?:the\s+)?(?:final\s+)?(?:say|call|word)|gets\s+the\s+final\s+say|calls\s+the\s+shots|owns\s+the\s+decision|is\s+the\s+decision[- ]maker";
const EN_APPROVE: &str = r"signs?\s+off|approves?|(?:has|have|needs?|will\s+need|would\s+need|must)\s+to\s+(?:approve|sign(?:\s+off)?)|(?:will|would|must)\s+(?:approve|sign\s+off)|signs?\s+(?:the\s+)?(?:contract|cheque|check|po)|owns\s+the\s+budget|holds\s+the\s+budget|signs?";

static EN_PERSON: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"(?i)\b(?:(?P<det>our|my|the|their)\s+)?(?P<role>{EN_ROLE})\b(?:,?\s+(?:[\w'’-]+,?\s+){{0,4}}?(?:(?P<decide>{EN_DECIDE})|(?P<approve>{EN_APPROVE}))\b)?"
    ))
});
/// The same in speech recognition output, which has no capitals: "ill take it to greg greg
/// signs everything". Run only on a turn without a capital letter, and the word is a name
/// only when it is none of [`SPOKEN_NOT_NAMES`] nor a role.
static EN_NAME_PART_SPOKEN: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"\b(?P<name>[a-z]+)\s+(?:really\s+|also\s+|usually\s+)?(?:(?P<decide>{EN_DECIDE})|(?P<approve>signs?\s+off|approves?|okays|signs\s+(?:anything|everything|all|the)|signs\s+for\s+(?:it|that|this|them|anything|everything)|signs\s+(?:hes|shes|he['’]s|she['’]s)))\b|\b(?:get|have|ask|need)\s+(?P<name2>[a-z]+)\s+to\s+(?:okay|ok|approve|sign(?:\s+off)?|green-?light|sign\s+it)\b|\b(?P<name3>[a-z]+)\s+is\s+the\s+(?:one|person|lady|guy)\s+(?:who|that)\s+(?:signs|approves|okays)\b|\b(?:that'?s|that’s)\s+(?P<name4>[a-z]+)\s+(?:she|he)\s+(?:owns|runs)\s+the\s+(?:firm|business|company|shop|place|practice|agency)\b"
    ))
});
/// Lower-case words that come before "signs" or "decides" without being a person's name.
const SPOKEN_NOT_NAMES: &[&str] = &[
    "i",
    "we",
    "they",
    "it",
    "that",
    "this",
    "he",
    "she",
    "you",
    "who",
    "which",
    "what",
    "whoever",
    "everyone",
    "everybody",
    "nobody",
    "someone",
    "somebody",
    "anyone",
    "anybody",
    "one",
    "then",
    "and",
    "but",
    "so",
    "or",
    "well",
    "usually",
    "basically",
    "also",
    "really",
    "just",
    "only",
    "still",
    "always",
    "never",
    "normally",
    "he",
    "person",
    "guy",
    "lady",
    "man",
    "woman",
    "team",
    "office",
    "partner",
    "partners",
    "director",
    "directors",
    "legal",
    "procurement",
    "finance",
    "purchasing",
    "management",
    "leadership",
    "council",
    "committee",
    "them",
    "him",
    "her",
    "me",
    "us",
    "to",
    "the",
    "a",
    "an",
    "else",
    "now",
    "actually",
    "typically",
    "eventually",
];
static EN_ROLE_WORD: LazyLock<Regex> = LazyLock::new(|| re(&format!(r"(?i)^(?:{EN_ROLE})$")));
/// What a plan's approver approves, said right after the verb: "the operations plan", "our
/// annual budget".
static EN_PLAN_OBJECT: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)^\s+(?:on\s+)?(?:the|our|its|their|each|every)\s+(?:\w+\s+){0,2}?(?:plan|plans|budget|budgets|accounts|strategy|forecast)\b",
    )
});
static EN_PERSON_PASSIVE: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"(?i)\b(?:(?P<decide>decided\s+by|decision\s+(?:is|sits|lies)\s+with|call\s+is\s+with)|(?P<approve>approved\s+by|signed\s+off\s+by|signed\s+by|sign-?off\s+from|approval\s+from|green\s+light\s+from|ok(?:ay)?\s+from|run\s+(?:it|this|that)\s+(?:by|past)|check\s+with|buy-?in\s+from))\s+(?:our|my|the|their)\s+(?P<role>{EN_ROLE})\b"
    ))
});
static EN_PRONOUN_DECIDES: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"(?i)\b(?:she|he|they)(?:['’]d|['’]ll|\s+would|\s+will)?\s+(?:really\s+|also\s+|usually\s+)?(?:(?P<decide>{EN_DECIDE})|(?P<approve>{EN_APPROVE}))\b"
    ))
});
/// A person named by first name (and surname) with their part: "Tom signs anything over
/// 25k", "Daniel Cho makes the final call", "I'd have to get Jess to okay it".
static EN_NAME_PART: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"\b(?P<name>[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?)(?:,\s+(?:our|my|the)\s+[a-zA-Z ]{{2,40}}?,)?\s+(?i:really\s+|also\s+|usually\s+)?(?i:(?P<decide>{EN_DECIDE})|(?P<approve>signs?\s+off|approves?|okays|signs\s+(?:anything|everything|all|the)|signs\s+for\s+(?:it|that|this|them|anything|everything)|signs[.,;]|(?:has|needs)\s+to\s+(?:approve|sign(?:\s+off)?|okay|ok)))\b|\b(?i:get|have|ask|need)\s+(?P<name2>[A-Z][a-z]+)\s+to\s+(?i:okay|ok|approve|sign(?:\s+off)?|green-?light|sign\s+it)\b|\b(?i:check\s+with|run\s+it\s+(?:by|past)|clear\s+it\s+with|sign-?off\s+from|approval\s+from)\s+(?P<name3>[A-Z][a-z]+)\b"
    ))
});
/// Capitalised words that are not names of people.
const NOT_NAMES: &[&str] = &[
    "I",
    "We",
    "They",
    "It",
    "That",
    "This",
    "He",
    "She",
    "You",
    "Everyone",
    "Everybody",
    "Nobody",
    "Someone",
    "Somebody",
    "Who",
    "Which",
    "What",
    "Legal",
    "Procurement",
    "Finance",
    "Purchasing",
    "Management",
    "Leadership",
    "Then",
    "And",
    "But",
    "So",
    "Or",
    "Well",
    "Honestly",
    "Usually",
    "Basically",
    "Nobody",
    "Anyone",
    "One",
];
static ZH_PRONOUN_DECIDES: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?:他|她)(?:来|最后|最终)?(?:(?P<decide>拍板|说了算|最终决定|决定|做主)|(?P<approve>审批|批准|签字|点头|说行))",
    )
});
static EN_SELF_DECIDES: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\bI(?:['’]ll|\s+will|\s+get\s+to)?\s+make\s+(?:the\s+)?(?:final\s+)?(?:call|decisions?)\b|\bI\s+(?:decide|call\s+the\s+shots)\b|\bit['’]?s\s+my\s+(?:call|decision)\b|\bI\s+(?:have|own|hold)\s+the\s+(?:final\s+say|budget|decision)\b|\bI['’]?m\s+the\s+decision[- ]maker\b|\bI\s+am\s+the\s+decision[- ]maker\b|\bI\s+(?:can|could)\s+sign\s+(?:it|this|off)\b|\bI['’]ll\s+sign\s+(?:it|off|the\s+contract)\b|\bsend\s+it\s+(?:to\s+)?me\s+and\s+I['’]ll\s+sign\b|\bit['’]?s\s+my\s+(?:\w+\s+){1,2},?\s*my\s+call\b|\bI\s+(?:don['’]t|do\s+not|never)\s+(?:need|have)\s+to\s+(?:run|clear|check)\s+(?:\w+\s+){0,4}?(?:by|past|with)\s+(?:anyone|anybody)\b|\b(?:what(?:ever)?|anything)\s+we\s+(?:buy|sign|spend\s+on|pay\s+for),?\s+(?:that['’]s|it['’]s)\s+(?:all\s+)?me\b|\b(?:it['’]s|that['’]s)\s+my\s+signature\b",
    )
});

pub(crate) const ZH_NUM: &str = r"[一二两三四五六七八九十]{1,3}点[零一二两三四五六七八九]{1,2}个?[万亿]|[一二两三四五六七八九十]{1,3}个亿|[0-9０-９][0-9０-９,，.]*[十百千万亿]*[0-9零〇一二两三四五六七八九十百千万亿]*|[一二两三四五六七八九十][零〇一二两三四五六七八九十百千万亿]*";
static ZH_AMOUNT: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"(?P<pre>人民币|¥|￥|RMB|USD|US\$|\$|€|£)?\s?(?P<num>{ZH_NUM})(?P<post>万元|元|块钱|块|人民币|美元|美金|欧元|英镑|刀)?"
    ))
});
/// A trade named just before a Chinese count of people: "业务员就三个人", "员工三十几个",
/// "光跑现场的维保师傅就一百二十多个".
static ZH_TRADE_BEFORE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?P<noun>业务员|销售|客服|师傅|司机|老师|员工|设计师|技术员|工程师|厨师|服务员|店员|护士|医生|律师|会计|翻译|讲师|教练|保洁)(?:这块|这边|团队|的话)?(?:[，,\s]|就|有|一共|总共|大概|差不多|才|也就|现在|得有|光|满打满算|加起来)*$",
    )
});
/// What a Chinese number counts: a measure word and the noun after it (三个校区, 四十二家经销商,
/// 一千三百多条询盘, 二十来单, 两百平米, 两万来斤: weights and packs are never money), or a
/// known noun alone (40个销售, 两百名员工).
static ZH_UNIT_AFTER: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"^\s?(?:多|来|余|几)?(?:(?P<mw>个|名|位|号|家|条|单|辆|台|张|间|套|所|户|件|次|床|平米|平方米|平方|亩|吨|公斤|千克|斤|箱|袋|瓶|头|只|双|票|块屏)(?P<unit>会员|销售代表|销售人员|销售|业务员|坐席|员工|设计师|师傅|工人|技术员|厨师|服务员|店员|律师|会计|翻译|讲师|教练|人|用户|账号|席位|客户|门店|工程师|开发|小时|分钟|校区|经销商|顾问|课程顾问|线索|询盘|学员|学生|老师|司机|车|订单|工厂|仓库|床位|医生|护士|诊所|店)?|(?P<unit2>会员|销售代表|销售人员|销售|坐席|员工|人|用户|账号|席位|客户|门店|工程师|开发|小时|分钟))",
    )
});
static ZH_DURATION: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"(?P<pre>未来|接下来|在)?(?P<n>{ZH_NUM}|半|几)个?(?P<unit>天|日|周|星期|礼拜|月|年|季度)(?P<suf>内|之内|以内|后|之后|以后)"
    ))
});
static ZH_FULL_DATE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?P<y>\d{4})年(?P<m>\d{1,2}|[一二三四五六七八九十]{1,2})月(?:(?P<d>\d{1,2}|[一二三四五六七八九十]{1,3})[日号])?(?P<suf>底|初|前|之前|以前)?",
    )
});
static ZH_MONTH: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?P<yr>明年|今年|后年|去年|前年)?(?P<m>1[0-2]|[1-9]|十[一二]?|[一二三四五六七八九])月(?:份)?(?:(?P<d>\d{1,2}|[一二三四五六七八九十]{1,3})[日号])?(?P<suf>底|初|中)?(?P<suf2>前|之前|以前)?",
    )
});
static ZH_QUARTER: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?P<yr>明年|今年)?(?:(?P<rel>下一|下|这|本)个?季度|第(?P<q>[一二三四1-4])季度|Q(?P<qq>[1-4]))(?P<suf>末|底|初|前|之前|以前|内)?",
    )
});
static ZH_YEAR: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?P<yr>明年|今年|后年|年内)(?P<part>上半年|下半年|年初|年中|年底|年末|底|初)?(?P<suf>前|之前|以前)?|(?P<yn>20\d{2}|二[零〇]二[零〇一二三四五六七八九])年(?P<part3>上半年|下半年|年初|年中|年底|年末|底|初)?(?P<suf3>前|之前|以前)?|(?P<yn2>二[零〇一二三四五六七八九])年(?P<part4>上半年|下半年|年初|年中|年底|年末)(?P<suf4>前|之前|以前)?|(?P<part2>上半年|下半年|年初|年中|年底|年末)(?P<suf2>前|之前|以前)?",
    )
});
static ZH_RELATIVE: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?P<rel>下个月|下月|下周|下星期|这个月|本月|这周|本周|月底|月初)(?P<suf>前|之前|以前|内)?"));
static ZH_GROWTH: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"翻(?P<fan>[一两二三四1-4])番|(?P<dbl>翻倍|翻一倍|加倍)|(?P<verb>增长|提升|提高|增加|涨|扩大|做到|达到)了?(?P<to>到)?(?P<n>{ZH_NUM})倍|(?P<verb2>增长|提升|提高|增加|涨|降低|减少|下降|削减|缩短)了?(?P<pct>\d+(?:\.\d+)?)\s?[%％]|(?P<n2>\d+|[二两三四五六七八九十]+)倍"
    ))
});
static ZH_PCT: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"(?P<pct>\d+(?:\.\d+)?)\s?[%％]|百分之(?P<zh>{ZH_NUM})|(?P<of>十|二十|一百|百)(?P<mw>本|个|家|单|场|次|件|回)(?:里面|里头|里|中|当中)?(?:能)?(?:成|谈成|签成|做成)(?:交)?(?P<got>[一二两三四五六七八九])(?:本|个|家|单|场|次|件|回)|(?P<cheng>[一二两三四五六七八九])成(?P<tail>本|交|功|为|立|果|长|熟|员|绩)?"
    ))
});
pub(crate) const ZH_ROLE: &str = r"[王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵钱严武戴莫孔汤]总|老板|老总|总经理|总裁|副总裁|副总|董事长|董事会|创始人|合伙人|CEO|CFO|CTO|COO|CMO|VP|(?:销售|财务|市场|运营|IT|技术)?总监|(?:销售|部门)?经理|领导|上级|财务|法务|采购部?|我爸|我妈|老爸|老妈|爸爸|妈妈|父亲|母亲|老爷子|院长办公会|总经理办公会|办公会|院长|校长|局长|书记|党委会|理事长|理事会|社长|会长|厂长|店长|园长|股东|老婆|媳妇|爱人|老公";
static ZH_PERSON: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"(?:需要|要|得|由|让|等)?(?:我们|我的|公司)?(?P<role>{ZH_ROLE})(?:来|去|那边|最后|最终|亲自)?(?:(?P<decide>拍板|说了算|最终决定|决定|定夺|做主)|(?P<approve>审批|批准|签字|签|同意|点头|过目|把关|审核|说行))|(?:跟|和|向|给)(?P<role2>{ZH_ROLE})(?:汇报|请示|商量)|(?:拍板|决定|说了算|定夺)的(?:人)?(?:是|还是)(?:我们)?(?P<role3>{ZH_ROLE})"
    ))
});
static ZH_ROLE_MENTION: LazyLock<Regex> =
    LazyLock::new(|| re(&format!(r"(?:我们|我的|公司的?|我)(?P<role>{ZH_ROLE})")));
/// A boss named by surname and 总 ("王总", "钱总"), the way Chinese business people name
/// the one who decides. Not 总 in 总共, 总是, 总决赛 and the like: the character after it is
/// checked ([`NOT_AFTER_BOSS`]).
static ZH_SURNAME_BOSS: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?P<role>[王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤]总)",
    )
});
/// Characters that make 总 part of another word (总共, 总是, 总决赛, 总部, 总监, 总经理).
const NOT_AFTER_BOSS: &[char] =
    &['共', '结', '决', '部', '监', '经', '裁', '体', '计', '额', '数', '算', '之', '的', '归', '量'];
/// What a person named earlier in the sentence does, said of 他/她: "他点了头才算数",
/// "字也是他签", "最后还是她拍板". Not when denied ("不用他签", "他不管").
static ZH_PRONOUN_PART: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?:^|[^不没用])(?:他|她)(?:来|亲自|最后|最终|说)?(?:(?P<decide>拍板|说了算|定夺|做主|决定|定)|(?P<approve>签字|签|审批|批|点头|点了头|同意|行才))",
    )
});
/// What a person just named does, said of 他/她 in the rest of the sentence (`rest` starts
/// right after the name); involved when nothing is said.
fn zh_part_said_after(rest: &str) -> RolePart {
    let sentence = &rest[..rest.find(['。', '！', '？', '!', '?', '\n']).unwrap_or(rest.len())];
    ZH_PRONOUN_PART
        .captures(sentence)
        .map_or(RolePart::Involved, |p| if p.name("decide").is_some() { RolePart::Decides } else { RolePart::Approves })
}

static ZH_SELF: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"我(?:自己)?(?:来|就能|就可以|可以|能|就)?(?:拍板|说了算|做主|决定|定)|我(?:这边|这儿|自己这边)?(?:来|直接|自己)?签(?:字|了)?就(?:行|可以|好|成)|(?:合同|单子)?(?:直接)?(?:发|给)我(?:来)?签|我(?:点头|同意|一句话)就(?:行|成|可以|好)|我一句话的事",
    )
});

// Which patterns can match at all is decided in one pass over the text (a `RegexSet`);
// only those are then run for their captures. Most turns hold few facts, so this saves
// most of the scanning.
type PatternList = Vec<&'static Regex>;

static EN_LIST: LazyLock<PatternList> = LazyLock::new(|| {
    vec![
        &*EN_GROWTH_PCT,
        &*EN_PCT_GROWTH_AFTER,
        &*EN_PCT,
        &*EN_FROM_TO,
        &*EN_HOLIDAY,
        &*EN_MULTIPLE,
        &*EN_AMOUNT,
        &*EN_WORD_AMOUNT,
        &*EN_WORD_MONEY,
        &*EN_WORD_COUNT,
        &*EN_WORD_THING,
        &*EN_ONLY_ONE,
        &*EN_TEAM,
        &*EN_ISO_DATE,
        &*EN_YEAR,
        &*EN_MONTH_DATE,
        &*EN_QUARTER,
        &*EN_RELATIVE,
        &*EN_EDGE,
        &*EN_DURATION,
        &*EN_ASAP,
        &*EN_PERSON,
        &*EN_PERSON_PASSIVE,
        &*EN_SELF_DECIDES,
        &*EN_NAME_PART,
    ]
});
static ZH_LIST: LazyLock<PatternList> = LazyLock::new(|| {
    vec![
        &*ZH_FROM_TO,
        &*ZH_BECOMES,
        &*ZH_HOLIDAY,
        &*ZH_APPROX_AMOUNT,
        &*ZH_GROWTH,
        &*ZH_PCT,
        &*ZH_DURATION,
        &*ZH_FULL_DATE,
        &*ZH_MONTH,
        &*ZH_QUARTER,
        &*ZH_YEAR,
        &*ZH_RELATIVE,
        &*ZH_AMOUNT,
        &*ZH_PERSON,
        &*ZH_SELF,
        &*ZH_ROLE_MENTION,
    ]
});
static EN_SET: LazyLock<Option<RegexSet>> =
    LazyLock::new(|| crate::lexicon::prefilter_set(EN_LIST.iter().map(|r| r.as_str())));
static ZH_SET: LazyLock<Option<RegexSet>> =
    LazyLock::new(|| crate::lexicon::prefilter_set(ZH_LIST.iter().map(|r| r.as_str())));

struct Gate {
    list: &'static [&'static Regex],
    hits: Option<SetMatches>,
}

impl Gate {
    fn new(set: &'static Option<RegexSet>, list: &'static PatternList, text: &str) -> Gate {
        Gate { list, hits: set.as_ref().map(|s| s.matches(text)) }
    }

    fn on(&self, pattern: &Regex) -> bool {
        let Some(hits) = &self.hits else { return true };
        self.list.iter().position(|r| std::ptr::eq(*r, pattern)).is_none_or(|i| hits.matched(i))
    }

    fn captures<'t>(
        &self,
        pattern: &'static LazyLock<Regex>,
        text: &'t str,
    ) -> impl Iterator<Item = Captures<'t>> + use<'t> {
        let pattern: &'static Regex = pattern;
        self.on(pattern).then(|| pattern.captures_iter(text)).into_iter().flatten()
    }

    fn find<'t>(
        &self,
        pattern: &'static LazyLock<Regex>,
        text: &'t str,
    ) -> impl Iterator<Item = regex::Match<'t>> + use<'t> {
        let pattern: &'static Regex = pattern;
        self.on(pattern).then(|| pattern.find_iter(text)).into_iter().flatten()
    }
}

// ---------------------------------------------------------------------------------------
// Dates

fn month_number(name: &str) -> Option<u32> {
    let n = name.to_ascii_lowercase();
    let key = n.get(..3)?;
    Some(match key {
        "jan" => 1,
        "feb" => 2,
        "mar" => 3,
        "apr" => 4,
        "may" => 5,
        "jun" => 6,
        "jul" => 7,
        "aug" => 8,
        "sep" => 9,
        "oct" => 10,
        "nov" => 11,
        "dec" => 12,
        _ => return None,
    })
}

fn month_end(year: i32, month: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(year, month, 1)?.checked_add_months(Months::new(1))?.pred_opt()
}

fn deadline_prefix(pre: Option<&str>) -> bool {
    pre.is_some_and(|p| {
        let p = p.to_ascii_lowercase();
        p.starts_with("by")
            || p.starts_with("before")
            || p.starts_with("until")
            || p.starts_with("till")
            || p.contains("end")
            || p.starts_with("no")
            || p.starts_with("late")
    })
}

/// A month (and maybe a day) without a year means the next such date on or after `as_of`.
fn month_timeline(as_of: NaiveDate, month: u32, day: Option<u32>, year: Option<i32>, deadline: bool) -> Option<Fact> {
    let mut y = year.unwrap_or(as_of.year());
    if year.is_none() && month_end(y, month)? < as_of {
        y += 1;
    }
    let end = month_end(y, month)?;
    let resolved = match day {
        Some(d) => NaiveDate::from_ymd_opt(y, month, d)?,
        None if deadline => end,
        None => NaiveDate::from_ymd_opt(y, month, 1)?,
    };
    let until = if day.is_some() { resolved } else { end };
    Some(Fact::Timeline { kind: TimelineKind::Absolute, resolved: Some(resolved), until: Some(until) })
}

fn quarter_timeline(as_of: NaiveDate, quarter: u32, year: Option<i32>, deadline: bool) -> Option<Fact> {
    let mut y = year.unwrap_or(as_of.year());
    if year.is_none() && month_end(y, quarter * 3)? < as_of {
        y += 1;
    }
    let start = NaiveDate::from_ymd_opt(y, quarter * 3 - 2, 1)?;
    let end = month_end(y, quarter * 3)?;
    Some(Fact::Timeline {
        kind: TimelineKind::Quarter,
        resolved: Some(if deadline { end } else { start }),
        until: Some(end),
    })
}

fn current_quarter(d: NaiveDate) -> u32 {
    (d.month() - 1) / 3 + 1
}

fn shifted_quarter(as_of: NaiveDate, by: i32) -> (u32, i32) {
    let index = as_of.year() * 4 + current_quarter(as_of) as i32 - 1 + by;
    ((index.rem_euclid(4) + 1) as u32, index.div_euclid(4))
}

fn relative(resolved: NaiveDate, until: NaiveDate) -> Fact {
    Fact::Timeline { kind: TimelineKind::Relative, resolved: Some(resolved), until: Some(until) }
}

fn year_bounds(y: i32) -> Option<(NaiveDate, NaiveDate)> {
    Some((NaiveDate::from_ymd_opt(y, 1, 1)?, NaiveDate::from_ymd_opt(y, 12, 31)?))
}

fn add_units(as_of: NaiveDate, n: f64, unit: &str) -> Option<NaiveDate> {
    let u = unit.to_ascii_lowercase();
    let n = if n <= 0.0 { 1.0 } else { n };
    if u.starts_with("day") || u == "天" || u == "日" {
        as_of.checked_add_days(Days::new(n.round() as u64))
    } else if u.starts_with("week") || u == "周" || u == "星期" || u == "礼拜" {
        as_of.checked_add_days(Days::new((n * 7.0).round() as u64))
    } else {
        let months_per = if u.starts_with("month") || u == "月" {
            1.0
        } else if u.starts_with("quarter") || u == "季度" {
            3.0
        } else {
            12.0
        };
        let months = n * months_per;
        if months.fract() == 0.0 {
            as_of.checked_add_months(Months::new(months as u32))
        } else {
            as_of.checked_add_days(Days::new((months * 30.44).round() as u64))
        }
    }
}

/// The next date of a holiday on or after `as_of`. The lunar new year (春节, 过年, and 年前 =
/// "before the new year" in business talk) falls between 21 January and 20 February; it is
/// read as 1 February, the middle of that range.
fn holiday(as_of: NaiveDate, name: &str) -> Option<Fact> {
    let (month, day) = match name {
        n if n.starts_with("christmas") || n == "xmas" => (12, 25),
        n if n.starts_with("new year") || n == "元旦" => (1, 1),
        "春节" | "过年" | "年前" | "年后" | "过完年" | "过了年" => (2, 1),
        // The lantern festival, two weeks after the new year.
        "正月十五" | "元宵" | "元宵节" => (2, 15),
        n if n.starts_with("国庆") => (10, 1),
        // Solar terms fall on nearly the same day every year.
        n if n.starts_with("清明") => (4, 5),
        "冬至" => (12, 22),
        "双十一" | "双11" => (11, 11),
        "六一八" | "618大促" => (6, 18),
        "五一" => (5, 1),
        // Seasons and school terms as their northern-hemisphere start: a deadline "by the
        // summer" is a horizon, not a day.
        "spring" | "开春" | "开了春" => (3, 20),
        "summer" | "暑假" => (6, 21),
        "autumn" | "开学" => (9, 1),
        "easter" => {
            for y in [as_of.year(), as_of.year() + 1] {
                let date = easter_sunday(y)?;
                if date >= as_of {
                    return Some(Fact::Timeline {
                        kind: TimelineKind::Absolute,
                        resolved: Some(date),
                        until: Some(date),
                    });
                }
            }
            return None;
        }
        "thanksgiving" => {
            // The fourth Thursday of November.
            for y in [as_of.year(), as_of.year() + 1] {
                let first = NaiveDate::from_ymd_opt(y, 11, 1)?;
                let offset = (7 + 3 - i64::from(first.weekday().num_days_from_monday())) % 7;
                let date = first.checked_add_days(Days::new((offset + 21) as u64))?;
                if date >= as_of {
                    return Some(Fact::Timeline {
                        kind: TimelineKind::Absolute,
                        resolved: Some(date),
                        until: Some(date),
                    });
                }
            }
            return None;
        }
        _ => return None,
    };
    let mut date = NaiveDate::from_ymd_opt(as_of.year(), month, day)?;
    if date < as_of {
        date = NaiveDate::from_ymd_opt(as_of.year() + 1, month, day)?;
    }
    Some(Fact::Timeline { kind: TimelineKind::Absolute, resolved: Some(date), until: Some(date) })
}

/// Easter Sunday of the Gregorian year `y` (the anonymous Gregorian computus).
fn easter_sunday(y: i32) -> Option<NaiveDate> {
    let a = y % 19;
    let (b, c) = (y / 100, y % 100);
    let (d, e) = (b / 4, b % 4);
    let g = (8 * b + 13) / 25;
    let h = (19 * a + b - d - g + 15) % 30;
    let (i, k) = (c / 4, c % 4);
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 19 * l) / 433;
    let month = (h + l - 7 * m + 90) / 25;
    let day = (h + l - 7 * m + 33 * month + 19) % 32;
    NaiveDate::from_ymd_opt(y, month as u32, day as u32)
}

fn zh_small(text: &str) -> Option<u32> {
    if let Ok(n) = text.parse::<u32>() {
        return Some(n);
    }
    parse_zh_number(text).map(|v| v as u32)
}

// ---------------------------------------------------------------------------------------
// Extraction

/// Whether the text has Chinese characters (CJK unified ideographs).
pub fn has_han(text: &str) -> bool {
    text.chars().any(crate::transcript::is_han)
}

/// Every fact in `text`, leftmost first, with no two overlapping (the longer wins).
/// `as_of` resolves relative dates.
pub fn extract_facts(text: &str, as_of: NaiveDate) -> Vec<FoundFact> {
    let mut found: Vec<FoundFact> = Vec::new();
    let han = has_han(text);
    let gate = Gate::new(&EN_SET, &EN_LIST, text);
    let has_digit = text.bytes().any(|b| b.is_ascii_digit());
    let mut push = |fact: Option<Fact>, start: usize, end: usize| {
        if let Some(fact) = fact {
            found.push(FoundFact { fact, start, end });
        }
    };
    let range = |c: &Captures<'_>| c.get(0).map(|m| (m.start(), m.end())).unwrap_or((0, 0));

    // Growth and percentages first in priority: a longer span wins anyway.
    if has_digit {
        for c in gate.captures(&EN_GROWTH_PCT, text) {
            let (s, e) = range(&c);
            let p: f64 = c.name("num").and_then(|m| m.as_str().parse().ok()).unwrap_or(0.0);
            let verb = c.name("verb").map(|m| m.as_str().to_ascii_lowercase()).unwrap_or_default();
            let down = ["cut", "cutting", "reduce", "reducing", "lower", "decrease", "drop", "shrink"]
                .contains(&verb.as_str());
            push(
                Some(Fact::Growth { factor: if down { 1.0 - p / 100.0 } else { 1.0 + p / 100.0 }, horizon_days: None }),
                s,
                e,
            );
        }
        for c in gate.captures(&EN_PCT_GROWTH_AFTER, text) {
            let (s, e) = range(&c);
            let p: f64 = c.name("num").and_then(|m| m.as_str().parse().ok()).unwrap_or(0.0);
            let dir = c.name("dir").map(|m| m.as_str().to_ascii_lowercase()).unwrap_or_default();
            let down = ["reduction", "decrease", "less", "lower", "fewer"].contains(&dir.as_str());
            push(
                Some(Fact::Growth { factor: if down { 1.0 - p / 100.0 } else { 1.0 + p / 100.0 }, horizon_days: None }),
                s,
                e,
            );
        }
    }
    for c in gate.captures(&EN_PCT, text) {
        let (s, e) = range(&c);
        let p = c
            .name("num")
            .and_then(|m| m.as_str().parse().ok())
            .or_else(|| c.name("words").and_then(|m| parse_en_words(m.as_str())));
        push(p.map(|value| Fact::Percentage { value }), s, e);
    }
    for c in gate.captures(&EN_FROM_TO, text) {
        let (s, e) = range(&c);
        // "from forty advertisers to four thousand": a scale word multiplies its figure.
        let value = |name: &str, scale: &str| {
            let times = c.name(scale).map_or(1.0, |m| magnitude(m.as_str()));
            c.name(name).and_then(|m| {
                let t = m.as_str().replace(',', "");
                t.parse::<f64>().ok().or_else(|| parse_en_words(&t)).map(|v| v * times)
            })
        };
        // "from 9 in the morning to 5", "from two a month to ten": clock times and rates
        // named between the two figures are not two levels of one thing; a thing named with
        // its rate is ("from eleven hundred rentals a week to ten thousand").
        let what = c.name("what").map_or("", |m| m.as_str());
        let not_a_thing = |w: &str| FROM_TO_NOT_A_THING.find(w).is_some_and(|m| m.len() == w.len());
        if !what.is_empty() && what.split_whitespace().all(not_a_thing) {
            continue;
        }
        if let (Some(a), Some(b)) = (value("a", "am"), value("b", "bm")) {
            if a > 0.0 && b > 0.0 {
                push(Some(Fact::Growth { factor: b / a, horizon_days: None }), s, e);
            }
        }
    }
    for c in gate.captures(&EN_HOLIDAY, text) {
        let (s, e) = range(&c);
        let h = c.name("h").or(c.name("season")).map(|m| m.as_str().to_ascii_lowercase()).unwrap_or_default();
        push(holiday(as_of, &h), s, e);
    }
    for c in gate.captures(&EN_MULTIPLE, text) {
        // "ten times that next summer": the multiple ends at "that", the date is its own.
        let (s, e) = range(&c);
        let e = c.name("that").map_or(e, |m| m.end());
        let factor = if let Some(w) = c.name("word") {
            let w = w.as_str().to_ascii_lowercase();
            if w.starts_with("doubl") {
                2.0
            } else if w.starts_with("tripl") {
                3.0
            } else if w.starts_with("quadrupl") {
                4.0
            } else {
                5.0
            }
        } else {
            let n =
                c.name("nx").or(c.name("wx")).or(c.name("fold")).or(c.name("times")).map(|m| m.as_str()).unwrap_or("");
            n.parse::<f64>().ok().or_else(|| parse_en_words(n)).unwrap_or(0.0)
        };
        // "Three times the usual volume": a comparison with the usual, not a change to reach;
        // "double bookings": a kind of mistake.
        let after = text.get(e..).unwrap_or("");
        let adjective =
            c.name("word").is_some_and(|w| w.as_str().eq_ignore_ascii_case("double")) && EN_DOUBLE_NOUN.is_match(after);
        if factor >= 1.5 && !EN_USUAL.is_match(after) && !adjective {
            push(Some(Fact::Growth { factor, horizon_days: None }), s, e);
        }
    }

    // "There's eleven of us on the desk", "we're 14 of us": the contact's own team, counted.
    for c in EN_N_OF_US.captures_iter(text) {
        let Some(n) = c.name("num") else { continue };
        let value = n.as_str().parse::<f64>().ok().or_else(|| parse_en_words(n.as_str()));
        if let Some(value) = value.filter(|v| *v >= 2.0) {
            push(
                Some(Fact::Count { value, unit: "people".to_owned() }),
                n.start(),
                c.get(0).map_or(n.end(), |m| m.end()),
            );
        }
    }

    // "three lads on the mowers and two on the digger, and me", "五间屋，一间屋一个师傅": the
    // staff by its parts, added up.
    for c in STAFF_PARTS.captures_iter(text) {
        let whole = c.get(0).map_or((0, 0), |m| (m.start(), m.end()));
        let part = |name: &str| c.name(name).and_then(|m| figure(m.as_str()));
        let value = match (part("rooms"), part("a"), part("b")) {
            (Some(rooms), ..) => Some(rooms),
            (None, Some(a), Some(b)) => {
                let me = if c.name("me").is_some() { 1.0 } else { 0.0 };
                Some(a + b + part("c").unwrap_or(0.0) + me)
            }
            _ => None,
        };
        if let Some(value) = value.filter(|v| *v >= 2.0) {
            push(Some(Fact::Count { value, unit: "people".to_owned() }), whole.0, whole.1);
        }
    }

    for c in ZH_TWO_THREE_PEOPLE.captures_iter(text) {
        let (whole, value) = (range(&c), if c.name("n").is_some_and(|m| m.as_str() == "仨") { 3.0 } else { 2.0 });
        push(Some(Fact::Count { value, unit: "people".to_owned() }), whole.0, whole.1);
    }

    // "only nine of us on the books", "we're twenty two on payroll": the whole staff.
    for c in EN_STAFF_TOTAL.captures_iter(text) {
        let Some(n) = c.name("num").or(c.name("num2")).or(c.name("num3")).or(c.name("num4")) else { continue };
        let whole = c.get(0).map_or((n.start(), n.end()), |m| (m.start(), m.end()));
        let sentence =
            sentences(text).into_iter().find(|&(a, b)| a <= whole.0 && whole.0 < b).unwrap_or((0, text.len()));
        if c.name("num").is_some() && !WHOLE_STAFF.is_match(&text[sentence.0..sentence.1]) {
            continue;
        }
        let value = n.as_str().parse::<f64>().ok().or_else(|| parse_en_words(n.as_str()));
        if let Some(value) = value.filter(|v| *v >= 2.0) {
            push(Some(Fact::Count { value, unit: "people".to_owned() }), n.start(), whole.1);
        }
    }

    // Money and counts written with digits.
    if has_digit {
        for c in gate.captures(&EN_AMOUNT, text) {
            let (s, e) = range(&c);
            let Some(num) = c.name("num") else { continue };
            let before = text[..num.start()].chars().next_back();
            let pre = c.name("pre").map(|m| m.as_str());
            if pre.is_none()
                && before.is_some_and(|b| b.is_ascii_alphanumeric() || b == '.' || b == '-' || b == '/' || b == ':')
            {
                continue;
            }
            let value: f64 = num.as_str().replace(',', "").parse().unwrap_or(0.0);
            let mag = c.name("mag1").or(c.name("mag2")).map(|m| m.as_str());
            let amount = value * mag.map(magnitude).unwrap_or(1.0);
            let currency =
                pre.and_then(currency_code).or_else(|| c.name("post").and_then(|m| currency_code(m.as_str())));
            if currency.is_some() {
                push(Some(Fact::Money { amount, currency: currency.map(str::to_owned), per: None }), s, e);
                continue;
            }
            let rest = &text[e..];
            if let Some(u) = EN_UNIT_AFTER.captures(rest) {
                let unit_end = u.get(0).map(|m| m.end()).unwrap_or(0);
                push(
                    Some(Fact::Count {
                        value: amount,
                        unit: en_unit(u.name("unit").map(|m| m.as_str()).unwrap_or("")),
                    }),
                    s,
                    e + unit_end,
                );
                continue;
            }
            // "1,140 quote requests", "12,000 sq ft", "four clinics": a quantity of things; never
            // after "grand", which is only money ("20 grand goes to him", "2 grand depends").
            if let Some((unit, unit_end)) = thing_after(rest).filter(|_| !grand(&c)) {
                push(Some(Fact::Count { value: amount, unit }), s, e + unit_end);
                continue;
            }
            let comma_grouped = num.as_str().contains(',') && value >= 1000.0;
            if (mag.is_some() || comma_grouped)
                && !rest.trim_start().starts_with(['%', '/'])
                && (grand(&c) || !counts_things(rest))
            {
                push(Some(Fact::Money { amount, currency: None, per: None }), s, e);
            }
        }
    }
    for c in gate.captures(&EN_WORD_AMOUNT, text) {
        let (s, e) = range(&c);
        let rest = c.name("rest").and_then(|m| parse_en_words(m.as_str())).unwrap_or(0.0);
        let mag = c.name("mag").map(|m| magnitude(m.as_str())).unwrap_or(1.0);
        // "four thousand two hundred": the figure is the scaled part plus what follows it.
        let value = c.name("num").and_then(|m| parse_en_words(m.as_str())).map(|b| b * mag + rest);
        let currency = c.name("post").and_then(|m| currency_code(m.as_str())).map(str::to_owned);
        if EN_UNIT_AFTER.is_match(&text[e..]) {
            continue;
        }
        // "three thousand members": a quantity of things, not money ("two grand depends what it
        // is" is money).
        if currency.is_none() && !grand(&c) {
            if let Some((unit, unit_end)) = thing_after(&text[e..]) {
                push(value.map(|value| Fact::Count { value, unit }), s, e + unit_end);
                continue;
            }
        }
        push(value.map(|amount| Fact::Money { amount, currency, per: None }), s, e);
    }
    for c in gate.captures(&EN_WORD_MONEY, text) {
        let (s, e) = range(&c);
        let currency = c.name("post").and_then(|m| currency_code(m.as_str())).map(str::to_owned);
        let value = c.name("num").and_then(|m| parse_en_words(m.as_str())).filter(|v| *v >= 1.0);
        push(value.map(|amount| Fact::Money { amount, currency, per: None }), s, e);
    }
    for c in gate.captures(&EN_WORD_COUNT, text) {
        let (s, e) = range(&c);
        let value = c.name("num").and_then(|m| parse_en_words(m.as_str())).unwrap_or(0.0);
        if value >= 2.0 {
            push(Some(Fact::Count { value, unit: en_unit(c.name("unit").map(|m| m.as_str()).unwrap_or("")) }), s, e);
        }
    }
    // "four clinics", "all six of our clinics": number words counting any kind of thing.
    for c in gate.captures(&EN_WORD_THING, text) {
        let (s, _) = range(&c);
        let Some(num) = c.name("num") else { continue };
        let value = parse_en_words(num.as_str()).unwrap_or(0.0);
        if value < 2.0 {
            continue;
        }
        if let Some((unit, unit_end)) = thing_after(&text[num.end()..]) {
            push(Some(Fact::Count { value, unit }), s, num.end() + unit_end);
        }
    }
    for c in gate.captures(&EN_ONLY_ONE, text) {
        let (s, e) = range(&c);
        let Some(noun) = c.name("noun") else { continue };
        let noun = noun.as_str().to_ascii_lowercase();
        if let Some((unit, _)) = thing_after(&plural(&noun)) {
            push(Some(Fact::Count { value: 1.0, unit }), s, e);
        }
    }
    for c in gate.captures(&EN_TEAM, text) {
        let (s, e) = range(&c);
        let num = c.name("num").map(|m| m.as_str()).unwrap_or("");
        let value = num.parse::<f64>().ok().or_else(|| parse_en_words(num));
        // In a sales conversation "a team of 40" is the sales team, so it counts as reps.
        let unit = c.name("unit").map(|m| en_unit(m.as_str())).unwrap_or_else(|| "reps".to_owned());
        push(value.filter(|v| *v >= 2.0).map(|value| Fact::Count { value, unit }), s, e);
    }

    // Dates.
    if has_digit {
        for c in gate.captures(&EN_ISO_DATE, text) {
            let (s, e) = range(&c);
            let num = |a: &str, b: &str| c.name(a).or(c.name(b)).and_then(|m| m.as_str().parse::<u32>().ok());
            let date = match (num("y", "y2"), num("m", "m2"), num("d", "d2")) {
                (Some(y), Some(m), Some(d)) => NaiveDate::from_ymd_opt(y as i32, m, d),
                _ => None,
            };
            push(
                date.map(|d| Fact::Timeline { kind: TimelineKind::Absolute, resolved: Some(d), until: Some(d) }),
                s,
                e,
            );
        }
        for c in gate.captures(&EN_YEAR, text) {
            let (s, e) = range(&c);
            let y = c.name("year").and_then(|m| m.as_str().parse::<i32>().ok());
            let deadline = deadline_prefix(c.name("pre").map(|m| m.as_str()));
            let fact = y.and_then(year_bounds).map(|(a, b)| Fact::Timeline {
                kind: TimelineKind::Absolute,
                resolved: Some(if deadline { b } else { a }),
                until: Some(b),
            });
            push(fact, s, e);
        }
    }
    for c in gate.captures(&EN_MONTH_DATE, text) {
        let (s, e) = range(&c);
        let Some(mon) = c.name("mon") else { continue };
        let pre = c.name("pre").map(|m| m.as_str());
        let day = c
            .name("day")
            .or(c.name("dfirst"))
            .and_then(|m| m.as_str().parse::<u32>().ok())
            .or_else(|| c.name("dayw").or(c.name("dfirstw")).and_then(|m| ordinal_day(m.as_str())));
        let year = c.name("year").and_then(|m| m.as_str().parse::<i32>().ok());
        let name = mon.as_str().to_ascii_lowercase();
        // "may" and "march" are also words, and short forms are noisy: they need a day, a
        // year or a time preposition around them.
        let ambiguous = name == "may" || name == "march" || name.len() <= 4;
        if ambiguous && day.is_none() && year.is_none() && pre.is_none() {
            continue;
        }
        if name == "may"
            && day.is_none()
            && year.is_none()
            && !deadline_prefix(pre)
            && !pre.is_some_and(|p| p.eq_ignore_ascii_case("in"))
        {
            continue;
        }
        let fact = month_number(&name).and_then(|m| month_timeline(as_of, m, day, year, deadline_prefix(pre)));
        push(fact, s, e);
    }
    for c in gate.captures(&EN_QUARTER, text) {
        let (s, e) = range(&c);
        let deadline = deadline_prefix(c.name("pre").map(|m| m.as_str()));
        let year = c.name("year").and_then(|m| {
            let digits: String = m.as_str().chars().filter(char::is_ascii_digit).collect();
            digits.parse::<i32>().ok().map(|y| if y < 100 { 2000 + y } else { y })
        });
        let fact = if let Some(q) = c.name("q").and_then(|m| m.as_str().parse::<u32>().ok()) {
            quarter_timeline(as_of, q, year, deadline)
        } else {
            let ord = c.name("ord").map(|m| m.as_str().to_ascii_lowercase()).unwrap_or_default();
            match ord.as_str() {
                "first" => quarter_timeline(as_of, 1, year, deadline),
                "second" => quarter_timeline(as_of, 2, year, deadline),
                "third" => quarter_timeline(as_of, 3, year, deadline),
                "fourth" => quarter_timeline(as_of, 4, year, deadline),
                "this" => quarter_timeline(as_of, current_quarter(as_of), Some(as_of.year()), deadline),
                _ => {
                    let (q, y) = shifted_quarter(as_of, 1);
                    quarter_timeline(as_of, q, Some(y), deadline)
                }
            }
        };
        push(fact, s, e);
    }
    for c in gate.captures(&EN_RELATIVE, text) {
        let (s, e) = range(&c);
        let deadline = deadline_prefix(c.name("pre").map(|m| m.as_str()));
        let next = !c.name("rel").is_some_and(|m| m.as_str().eq_ignore_ascii_case("this"));
        let unit = c.name("unit").map(|m| m.as_str().to_ascii_lowercase()).unwrap_or_default();
        push(relative_period(as_of, &unit, next, deadline), s, e);
    }
    for c in gate.captures(&EN_EDGE, text) {
        let (s, e) = range(&c);
        let fact = if c.name("ye").is_some() {
            year_bounds(as_of.year()).map(|(_, end)| relative(end, end))
        } else {
            let unit = c.name("unit").map(|m| m.as_str().to_ascii_lowercase()).unwrap_or_default();
            let next = c.name("which").is_some_and(|m| m.as_str().trim().eq_ignore_ascii_case("next"));
            let edge = c.name("edge").map(|m| m.as_str().to_ascii_lowercase()).unwrap_or_default();
            period_bounds(as_of, &unit, next).map(|(a, b)| match edge.as_str() {
                "end" => relative(b, b),
                "middle" => relative(a + (b - a) / 2, b),
                _ => relative(a, b),
            })
        };
        push(fact, s, e);
    }
    for c in gate.captures(&EN_DURATION, text) {
        let (s, e) = range(&c);
        let n = c.name("n").or(c.name("n2")).map(|m| m.as_str()).unwrap_or("1");
        let n = n.parse::<f64>().ok().or_else(|| parse_en_words(n)).unwrap_or(1.0);
        let unit = c.name("unit").or(c.name("unit2")).map(|m| m.as_str()).unwrap_or("");
        push(add_units(as_of, n, unit).map(|d| relative(d, d)), s, e);
    }
    for c in gate.captures(&EN_ASAP, text) {
        let (s, e) = range(&c);
        let days = if c.get(0).is_some_and(|m| m.as_str().to_ascii_lowercase().contains("week")) { 7 } else { 1 };
        push(as_of.checked_add_days(Days::new(days)).map(|d| relative(d, d)), s, e);
    }

    // People and roles.
    for c in gate.captures(&EN_PERSON, text) {
        let (s, e) = range(&c);
        let role = c.name("role").map(|m| normalise_role(m.as_str())).unwrap_or_default();
        let part = if c.name("decide").is_some() {
            RolePart::Decides
        } else if c.name("approve").is_some() {
            RolePart::Approves
        } else {
            RolePart::Involved
        };
        // "i'm the owner i sign everything": the contact naming their own role decides.
        // Only the owner or founder: a managing director's title still places the approval
        // step ("anything over five thousand has to be in that plan").
        let said_of_self = || {
            let before = text[..s].trim_end();
            ["i'm", "i’m", "im", "i am"].iter().any(|w| {
                before.len() >= w.len()
                    && before.is_char_boundary(before.len() - w.len())
                    && before[before.len() - w.len()..].eq_ignore_ascii_case(w)
            })
        };
        if (role.contains("owner") || role.contains("founder")) && said_of_self() {
            if part != RolePart::Involved {
                push(Some(Fact::Person { role: "self".to_owned(), part: RolePart::Decides }), s, e);
            }
            continue;
        }
        // Without "our"/"the", a bare word like "board" or "legal" is a role only when a
        // decision verb follows ("CFO signs off" in a rep's note).
        if c.name("det").is_none() && part == RolePart::Involved {
            continue;
        }
        // "The board signs off the operations plan in December": a step of the planning
        // cycle, not who approves this purchase.
        if part != RolePart::Involved && EN_PLAN_OBJECT.is_match(&text[e..]) {
            continue;
        }
        push(Some(Fact::Person { role, part }), s, e);
    }
    for c in gate.captures(&EN_PERSON_PASSIVE, text) {
        let (s, e) = range(&c);
        let role = c.name("role").map(|m| normalise_role(m.as_str())).unwrap_or_default();
        let part = if c.name("decide").is_some() { RolePart::Decides } else { RolePart::Approves };
        push(Some(Fact::Person { role, part }), s, e);
    }
    for c in gate.captures(&EN_NAME_PART, text) {
        let (s, e) = range(&c);
        let Some(name) = c.name("name").or(c.name("name2")).or(c.name("name3")) else { continue };
        let first = name.as_str().split_whitespace().next().unwrap_or("");
        if NOT_NAMES.contains(&first) || EN_ROLE_WORD.is_match(name.as_str()) {
            continue;
        }
        let part = if c.name("decide").is_some() { RolePart::Decides } else { RolePart::Approves };
        push(Some(Fact::Person { role: name.as_str().to_ascii_lowercase(), part }), s, e);
    }
    if !text.bytes().any(|b| b.is_ascii_uppercase()) {
        for c in EN_NAME_PART_SPOKEN.captures_iter(text) {
            let (s, e) = range(&c);
            let Some(name) = c.name("name").or(c.name("name2")).or(c.name("name3")).or(c.name("name4")) else {
                continue;
            };
            if SPOKEN_NOT_NAMES.contains(&name.as_str()) || EN_ROLE_WORD.is_match(name.as_str()) {
                continue;
            }
            // "thats marcia she owns the firm": the owner decides.
            let decides = c.name("decide").is_some() || c.name("name4").is_some();
            let part = if decides { RolePart::Decides } else { RolePart::Approves };
            push(Some(Fact::Person { role: name.as_str().to_owned(), part }), s, e);
        }
    }
    for m in gate.find(&EN_SELF_DECIDES, text) {
        push(Some(Fact::Person { role: "self".to_owned(), part: RolePart::Decides }), m.start(), m.end());
    }

    if han {
        extract_zh(text, as_of, &mut found);
    }

    // Leftmost first; of overlapping facts the longer one stays.
    found.sort_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));
    let mut kept: Vec<FoundFact> = Vec::with_capacity(found.len());
    for f in found {
        match kept.last_mut() {
            Some(last) if f.start < last.end => {
                if f.end - f.start > last.end - last.start {
                    *last = f;
                }
            }
            _ => kept.push(f),
        }
    }
    attach_rates(text, &mut kept);
    add_level_changes(text, &mut kept);
    attach_horizons(text, as_of, &mut kept);
    mark_additions(text, &mut kept);
    resolve_pronouns(text, &mut kept);
    kept
}

static EN_FROM_BEFORE: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)\bfrom\s+(?:(?:the|our|a|today['’]s|current|currently|about|around|roughly|like|just|only)\s+){0,3}$")
});
static EN_TO_BETWEEN: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)^\s*(?:a\s+(?:month|year|week)\s+|per\s+\w+\s+)?(?:to|up\s+to|into|->|→)\s+(?:about\s+|around\s+|over\s+)?$",
    )
});
static ZH_FROM_BEFORE: LazyLock<Regex> = LazyLock::new(|| re(r"从(?:现在|目前|今年|去年|原来)?的?$"));
static ZH_TO_BETWEEN: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"^\s*(?:做到|干到|弄到|搞到|冲到|发展到|扩到|扩大到|铺到|提到|提高到|提升到|增长到|涨到|增加到|翻到|降到|降低到|减少到|缩短到|到)$",
    )
});

/// "From $3.1 million to $3.6 million", "从现在的八千万做到九千五百万", "从三成提到七成": a change
/// of a level, added as a growth fact over both figures (the two levels stay as facts).
fn add_level_changes(text: &str, facts: &mut Vec<FoundFact>) {
    let mut added = Vec::new();
    for pair in facts.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        let (Some(x), Some(y)) = (level_value(&a.fact, &b.fact), level_value(&b.fact, &a.fact)) else { continue };
        let (Some(before), Some(between)) = (text.get(..a.start), text.get(a.end..b.start)) else { continue };
        let before = text_before(before, before.len(), 40);
        let en = EN_FROM_BEFORE.is_match(before) && EN_TO_BETWEEN.is_match(between);
        let zh = ZH_FROM_BEFORE.is_match(before) && ZH_TO_BETWEEN.is_match(between);
        if (en || zh) && x > 0.0 {
            added.push(FoundFact {
                fact: Fact::Growth { factor: y / x, horizon_days: None },
                start: a.start,
                end: b.end,
            });
        }
    }
    if !added.is_empty() {
        facts.extend(added);
        facts.sort_by_key(|f| f.start);
    }
}

/// The value of a level fact when the other one is a level of the same kind.
fn level_value(fact: &Fact, other: &Fact) -> Option<f64> {
    match (fact, other) {
        (Fact::Money { amount, .. }, Fact::Money { .. }) => Some(*amount),
        (Fact::Percentage { value }, Fact::Percentage { .. }) => Some(*value),
        (Fact::Count { value, unit }, Fact::Count { unit: u, .. }) if unit == u => Some(*value),
        _ => None,
    }
}

/// The person a plan is handed to, named last before a pronoun: "then I put my favourite in
/// front of Sandra" or, in speech without capitals, "and then take it to jo".
fn handed_to(before: &str) -> Option<String> {
    let spoken = !before.bytes().any(|b| b.is_ascii_uppercase());
    let c = HANDED_TO.captures_iter(before).last()?;
    let name = c.name("name")?.as_str();
    let capital = name.starts_with(|ch: char| ch.is_ascii_uppercase());
    let known_word = NOT_NAMES.contains(&name)
        || SPOKEN_NOT_NAMES.contains(&name.to_ascii_lowercase().as_str())
        || HANDED_TO_NOT_NAMES.contains(&name.to_ascii_lowercase().as_str())
        || EN_ROLE_WORD.is_match(name);
    ((capital || spoken) && !known_word).then(|| name.to_ascii_lowercase())
}
/// "take it to jo", "in front of Sandra", "run it past Dev": whom a plan goes to.
static HANDED_TO: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:take|takes|taking|bring|brings|show|shows|put|puts|send|sends|pass|passes|run)\s+(?:[\w'’]+\s+){0,3}?(?:to|in\s+front\s+of|past|by)\s+(?P<name>[A-Za-z]+)\b",
    )
});
/// Words after "take it to" that are not a person's name.
const HANDED_TO_NOT_NAMES: &[&str] = &[
    "me", "him", "her", "them", "us", "the", "a", "an", "my", "our", "your", "their", "his", "its", "there", "here",
    "someone", "somebody", "anyone", "anybody", "people", "work", "bed", "market", "site", "head", "office",
];

/// "Our head of revenue, Priya. She has the final say": the pronoun's decision goes to the
/// role named last before it. Without such a role the pronoun says nothing.
fn resolve_pronouns(text: &str, facts: &mut Vec<FoundFact>) {
    let mut added = Vec::new();
    for regex in [&*EN_PRONOUN_DECIDES, &*ZH_PRONOUN_DECIDES] {
        for c in regex.captures_iter(text) {
            let Some(m) = c.get(0) else { continue };
            let named = facts
                .iter()
                .rev()
                .find_map(|f| match &f.fact {
                    Fact::Person { role, .. } if f.end <= m.start() && role != "self" => Some(role.clone()),
                    _ => None,
                })
                .or_else(|| handed_to(&text[..m.start()]));
            let overlaps = facts.iter().any(|f| f.start < m.end() && m.start() < f.end);
            if let (Some(role), false) = (named, overlaps) {
                let part = if c.name("decide").is_some() { RolePart::Decides } else { RolePart::Approves };
                added.push(FoundFact { fact: Fact::Person { role, part }, start: m.start(), end: m.end() });
            }
        }
    }
    if !added.is_empty() {
        facts.extend(added);
        facts.sort_by_key(|f| f.start);
    }
}

static ADDITION_BEFORE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)(?:\b(?:hire|hiring|hired|add|adding|recruit|recruiting|onboard|onboarding|another|bring\s+on)\s+(?:about\s+|around\s+|maybe\s+|another\s+)?|(?:招|新增|再招|扩招|新招|增加|招聘)(?:大概|差不多)?)$",
    )
});
static ADDITION_IN: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)\b(?:more|new|additional|extra)\b"));

/// "Hiring 10 more reps" counts new people, not the team: its unit becomes `new reps`, so
/// it is never compared with the team's size.
fn mark_additions(text: &str, facts: &mut [FoundFact]) {
    for f in facts.iter_mut() {
        let Fact::Count { unit, .. } = &mut f.fact else { continue };
        let said = &text[f.start..f.end];
        if ADDITION_IN.is_match(said) || ADDITION_BEFORE.is_match(text_before(text, f.start, 40)) {
            *unit = format!("new {unit}");
        }
    }
}

static EN_RATE_AFTER: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)^\s*(?:(?:a|an|per|each|every|/)\s*(?P<u>month|mo|year|yr|annum|quarter|seat|user|licen[cs]e|rep|head)\b|(?P<adv>monthly|annually|yearly|quarterly)\b)",
    )
});
static ZH_RATE_AFTER: LazyLock<Regex> = LazyLock::new(|| re(r"^\s*(?:/|每)(?:个)?(?P<u>月|年|季度|人|席位|账号|用户)"));
static ZH_RATE_BEFORE: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?:每|一)(?:个)?(?P<u>月|年|季度|人|席位|账号|用户)(?:的)?(?:预算|费用)?(?:大概|差不多|是|要|花|有)?\s*$")
});

fn rate_unit(word: &str) -> String {
    match word.to_ascii_lowercase().as_str() {
        "month" | "mo" | "monthly" | "月" => "month",
        "year" | "yr" | "annum" | "annually" | "yearly" | "年" => "year",
        "quarter" | "quarterly" | "季度" => "quarter",
        "seat" | "user" | "license" | "licence" | "席位" | "账号" | "用户" => "seat",
        "rep" | "head" | "人" => "person",
        other => return other.to_owned(),
    }
    .to_owned()
}

/// Marks money said as a rate: "$500 a seat", "$2k/month", "每月2万", "2万/月".
fn attach_rates(text: &str, facts: &mut [FoundFact]) {
    for f in facts.iter_mut() {
        let Fact::Money { per, .. } = &mut f.fact else { continue };
        let after = &text[f.end..];
        let before = &text[..f.start];
        let unit = EN_RATE_AFTER
            .captures(after)
            .or_else(|| ZH_RATE_AFTER.captures(after))
            .or_else(|| {
                // Only the last few characters before the figure matter.
                ZH_RATE_BEFORE.captures(text_before(before, before.len(), 24))
            })
            .and_then(|c| c.name("u").or(c.name("adv")).map(|m| rate_unit(m.as_str())));
        *per = unit;
    }
}

fn extract_zh(text: &str, as_of: NaiveDate, found: &mut Vec<FoundFact>) {
    let gate = Gate::new(&ZH_SET, &ZH_LIST, text);
    let mut push = |fact: Option<Fact>, start: usize, end: usize| {
        if let Some(fact) = fact {
            found.push(FoundFact { fact, start, end });
        }
    };
    let range = |c: &Captures<'_>| c.get(0).map(|m| (m.start(), m.end())).unwrap_or((0, 0));

    for c in gate.captures(&ZH_FROM_TO, text).chain(gate.captures(&ZH_BECOMES, text).filter(|c| {
        // The same thing on both sides: "三家变三百家", not "三个人变两班".
        c.name("thing").map(|m| m.as_str()) == c.name("thing2").map(|m| m.as_str())
    })) {
        let (s, e) = range(&c);
        let level = |n: &str, unit: &str| {
            let unit = c.name(unit).map_or(1.0, |u| match u.as_str() {
                "千万" => 1e7,
                "亿" => 1e8,
                _ => 1e4,
            });
            c.name(n).and_then(|m| parse_zh_number(m.as_str())).map(|v| v * unit)
        };
        if let (Some(a), Some(b)) = (level("a", "au"), level("b", "bu")) {
            if a > 0.0 && b > 0.0 {
                push(Some(Fact::Growth { factor: b / a, horizon_days: None }), s, e);
            }
        }
    }
    for c in gate.captures(&ZH_APPROX_AMOUNT, text) {
        let (s, e) = range(&c);
        let base = c.name("upper").or(c.name("num")).or(c.name("small")).and_then(|m| parse_zh_number(m.as_str()));
        let unit = match c.name("unit").or(c.name("place")).map(|m| m.as_str()) {
            Some("千万") => 1e7,
            Some("亿") => 1e8,
            Some("千") => 1e3,
            Some("百") => 1e2,
            _ => 1e4,
        };
        let currency = (c.name("post").is_some() || c.name("small").is_some()).then(|| "CNY".to_owned());
        push(base.map(|b| Fact::Money { amount: b * unit, currency, per: None }), s, e);
    }
    for c in gate.captures(&ZH_HOLIDAY, text) {
        let (s, e) = range(&c);
        let h = c.name("h").map(|m| m.as_str()).unwrap_or("");
        // "三年后" is three years on, "两年前" two years ago: not the new year.
        let counted = text[..s]
            .chars()
            .next_back()
            .is_some_and(|ch| "一二两三四五六七八九十几多半0123456789去前今明".contains(ch));
        if h.starts_with('年') && counted {
            continue;
        }
        // "过完年再弄", "年后一开工": a time something waits for or starts at. "年后是我们最旺
        // 的时候", "过完年人人都想减肥" describe the season, "年后再说" puts off without a date.
        if matches!(h, "年后" | "过完年" | "过了年") && !ZH_AFTER_NEW_YEAR_THEN.is_match(&text[e..]) {
            continue;
        }
        push(holiday(as_of, h), s, e);
    }
    for c in gate.captures(&ZH_GROWTH, text) {
        let (s, e) = range(&c);
        let factor = if let Some(f) = c.name("fan") {
            zh_small(f.as_str()).map(|n| 2f64.powi(n as i32))
        } else if c.name("dbl").is_some() {
            Some(2.0)
        } else if let Some(n) = c.name("n") {
            // 增长三倍 reads strictly as "grow by three times" (x4); 增长到三倍 is x3.
            parse_zh_number(n.as_str()).map(|n| if c.name("to").is_some() { n } else { n + 1.0 })
        } else if let Some(p) = c.name("pct").and_then(|m| m.as_str().parse::<f64>().ok()) {
            let verb = c.name("verb2").map(|m| m.as_str()).unwrap_or("");
            let down = ["降低", "减少", "下降", "削减", "缩短"].contains(&verb);
            Some(if down { 1.0 - p / 100.0 } else { 1.0 + p / 100.0 })
        } else {
            // "旺季订单量是平时的三倍": a comparison with the usual, not a change to reach.
            let before = &text[..s];
            let from = before.char_indices().rev().nth(11).map_or(0, |(i, _)| i);
            if ZH_USUAL.is_match(&before[from..]) {
                continue;
            }
            c.name("n2").and_then(|m| parse_zh_number(m.as_str()))
        };
        push(factor.filter(|f| *f > 0.0 && *f != 1.0).map(|factor| Fact::Growth { factor, horizon_days: None }), s, e);
    }
    for c in gate.captures(&ZH_PCT, text) {
        let (s, e) = range(&c);
        // 三成 is 30%; 成本, 成交, 完成 are other words.
        if c.name("tail").is_some() {
            continue;
        }
        let value = c
            .name("pct")
            .and_then(|m| m.as_str().parse::<f64>().ok())
            .or_else(|| c.name("zh").and_then(|m| parse_zh_number(m.as_str())))
            .or_else(|| c.name("cheng").and_then(|m| parse_zh_number(m.as_str())).map(|v| v * 10.0))
            // "十本里面能成九本", "十本成一本": so many done of so many tried, a rate.
            .or_else(|| {
                let of = c.name("of").and_then(|m| parse_zh_number(m.as_str()))?;
                let got = c.name("got").and_then(|m| parse_zh_number(m.as_str()))?;
                (of > 0.0 && got <= of).then(|| got / of * 100.0)
            });
        push(value.map(|value| Fact::Percentage { value }), s, e);
    }
    for c in gate.captures(&ZH_DURATION, text) {
        let (s, e) = range(&c);
        let n = c.name("n").map(|m| m.as_str()).unwrap_or("1");
        let n = match n {
            "半" => 0.5,
            "几" => 3.0,
            other => parse_zh_number(other).unwrap_or(1.0),
        };
        let unit = c.name("unit").map(|m| m.as_str()).unwrap_or("");
        push(add_units(as_of, n, unit).map(|d| relative(d, d)), s, e);
    }
    for c in gate.captures(&ZH_FULL_DATE, text) {
        let (s, e) = range(&c);
        let y = c.name("y").and_then(|m| m.as_str().parse::<i32>().ok());
        let m = c.name("m").and_then(|m| zh_small(m.as_str()));
        let d = c.name("d").and_then(|m| zh_small(m.as_str()));
        let deadline = c.name("suf").is_some_and(|m| m.as_str() != "初");
        push(m.and_then(|m| month_timeline(as_of, m, d, y, deadline)), s, e);
    }
    for c in gate.captures(&ZH_MONTH, text) {
        let (s, e) = range(&c);
        // 一个月 / 几个月 are durations, not months; 个 never sits between number and 月 here.
        let m = c.name("m").and_then(|m| zh_small(m.as_str())).filter(|m| (1..=12).contains(m));
        let d = c.name("d").and_then(|m| zh_small(m.as_str()));
        let year = c.name("yr").map(|m| match m.as_str() {
            "明年" => as_of.year() + 1,
            "后年" => as_of.year() + 2,
            "去年" => as_of.year() - 1,
            "前年" => as_of.year() - 2,
            _ => as_of.year(),
        });
        // 一月底之前, 三月前: a deadline; 三月初, 五月中: a start.
        let deadline = c.name("suf2").is_some() || c.name("suf").is_some_and(|m| m.as_str() == "底");
        push(m.and_then(|m| month_timeline(as_of, m, d, year, deadline)), s, e);
    }
    for c in gate.captures(&ZH_QUARTER, text) {
        let (s, e) = range(&c);
        let suf = c.name("suf").map(|m| m.as_str()).unwrap_or("");
        let deadline = matches!(suf, "末" | "底" | "前" | "之前" | "以前" | "内");
        let year = c.name("yr").map(|m| if m.as_str() == "明年" { as_of.year() + 1 } else { as_of.year() });
        let fact = if let Some(q) = c.name("q").or(c.name("qq")).and_then(|m| zh_small(m.as_str())) {
            quarter_timeline(as_of, q, year, deadline)
        } else {
            let shift = if c.name("rel").is_some_and(|m| m.as_str().starts_with('下')) { 1 } else { 0 };
            let (q, y) = shifted_quarter(as_of, shift);
            quarter_timeline(as_of, q, Some(y), deadline)
        };
        push(fact, s, e);
    }
    for c in gate.captures(&ZH_YEAR, text) {
        let (s, e) = range(&c);
        let yr = c.name("yr").map(|m| m.as_str());
        let part = c.name("part").or(c.name("part2")).or(c.name("part3")).or(c.name("part4")).map(|m| m.as_str());
        let deadline =
            c.name("suf").or(c.name("suf2")).or(c.name("suf3")).or(c.name("suf4")).is_some() || yr == Some("年内");
        // "二八年年底": a year of this decade said by its last two digits, only with a part of
        // the year after it (二八年华 is an age), and not inside a longer figure (一二八年).
        if let Some(m) = c.name("yn2") {
            if text[..m.start()].chars().next_back().is_some_and(|ch| "零〇一二三四五六七八九十".contains(ch))
            {
                continue;
            }
        }
        // "2024年底", "2027年": a year said in full.
        // Said digit by digit ("二零二八年") as often as in figures.
        // "二八年": the last two digits of a year of this century.
        let named_year = c
            .name("yn")
            .or(c.name("yn2"))
            .and_then(|m| digit_by_digit(m.as_str()))
            .map(|y| if y < 100 { 2000 + y } else { y });
        let year = match (named_year, yr) {
            (Some(y), _) => y,
            (None, Some("明年")) => as_of.year() + 1,
            (None, Some("后年")) => as_of.year() + 2,
            _ => as_of.year(),
        };
        let Some((start, end)) = year_bounds(year) else { continue };
        let mid = NaiveDate::from_ymd_opt(year, 6, 30).unwrap_or(end);
        let h2 = NaiveDate::from_ymd_opt(year, 7, 1).unwrap_or(start);
        let (mut a, mut b) = match part {
            Some("上半年") => (start, mid),
            Some("下半年") => (h2, end),
            Some("年初" | "初") => (start, NaiveDate::from_ymd_opt(year, 3, 31).unwrap_or(end)),
            Some("年中") => (mid, mid),
            Some("年底" | "年末" | "底") => (NaiveDate::from_ymd_opt(year, 12, 1).unwrap_or(end), end),
            _ => (start, end),
        };
        // "年初" said in November means next year's start; so does a bare "下半年" said in
        // the last quarter, when this year's second half is nearly over ("排期排到明年五月，
        // 最早也得下半年了").
        let late_second_half = part == Some("下半年") && as_of.month() >= 10;
        if yr.is_none() && named_year.is_none() && (b < as_of || late_second_half) {
            if let Some((na, nb)) = year_bounds(year + 1) {
                let shift = |d: NaiveDate| d.with_year(na.year()).unwrap_or(nb);
                a = shift(a);
                b = shift(b);
            }
        }
        let this_year = yr == Some("今年") && part.is_none() || yr == Some("年内");
        // A period already under way starts today.
        if a < as_of && as_of <= b {
            a = as_of;
        }
        // "今年" on its own means within this year, so by its end.
        let resolved = if deadline || this_year || matches!(part, Some("年底" | "年末" | "底")) { b } else { a };
        push(Some(relative(resolved, b)), s, e);
    }
    for c in gate.captures(&ZH_RELATIVE, text) {
        let (s, e) = range(&c);
        let rel = c.name("rel").map(|m| m.as_str()).unwrap_or("");
        let fact = match rel {
            "下个月" | "下月" => period_bounds(as_of, "month", true).map(|(a, b)| relative(a, b)),
            "这个月" | "本月" | "月底" => period_bounds(as_of, "month", false).map(|(_, b)| relative(b, b)),
            "月初" => period_bounds(as_of, "month", true).map(|(a, _)| relative(a, a)),
            "下周" | "下星期" => as_of.checked_add_days(Days::new(7)).map(|d| relative(d, d)),
            "这周" | "本周" => as_of.checked_add_days(Days::new(5)).map(|d| relative(d, d)),
            _ => as_of.checked_add_days(Days::new(1)).map(|d| relative(d, d)),
        };
        push(fact, s, e);
    }

    for c in gate.captures(&ZH_AMOUNT, text) {
        let (s, e) = range(&c);
        let Some(num) = c.name("num") else { continue };
        let n = num.as_str();
        let Some(value) = parse_zh_number(n) else { continue };
        let pre = c.name("pre").map(|m| m.as_str());
        let post = c.name("post").map(|m| m.as_str());
        let rest = &text[e..];
        let currency = pre.and_then(currency_code).or_else(|| post.and_then(currency_code));
        let value = if post == Some("万元") { value * 1e4 } else { value };
        // "十二月董事会一块儿批", "一块去": together, not one yuan; "光这一块就亏了", "哪一块":
        // a part of the business, not one yuan.
        if post == Some("块")
            && n == "一"
            && (rest.starts_with(['儿', '去', '来', '批', '办', '弄', '做', '搞', '走', '吃'])
                || text[..s].ends_with(['这', '那', '哪', '每']))
        {
            continue;
        }
        if currency.is_some() {
            push(Some(Fact::Money { amount: value, currency: currency.map(str::to_owned), per: None }), s, e);
            continue;
        }
        // 一个月, 三个小时: a length of time, not a count of things.
        let time_after = |u: &Captures<'_>| {
            u.get(0).is_some_and(|m| rest[m.end()..].starts_with(['月', '小', '星', '礼', '季', '工', '年', '周']))
        };
        if let Some(u) = ZH_UNIT_AFTER
            .captures(rest)
            // "赔七八千 客户投诉……": in speech-recognition text a space ends the figure, and a
            // noun after it starts the next phrase (a measure word still binds: "三 个").
            .filter(|u| {
                (u.name("mw").is_some() || u.name("unit2").is_some() && !rest.starts_with(char::is_whitespace))
                    && !time_after(u)
            })
        {
            let unit_end = u.get(0).map(|m| m.end()).unwrap_or(0);
            let noun = u.name("unit").or(u.name("unit2")).or(u.name("mw")).map(|m| m.as_str()).unwrap_or("");
            // "业务员就三个人", "员工三十几个": the trade named before the count is what it counts.
            let before = ZH_TRADE_BEFORE.captures(&text[..s]).and_then(|b| b.name("noun")).map(|m| m.as_str());
            let noun = match before {
                Some(trade) if matches!(noun, "人" | "个" | "名" | "位") => trade,
                _ => noun,
            };
            let unit = zh_unit(noun);
            push(Some(Fact::Count { value, unit }), s, e + unit_end);
            continue;
        }
        // 几十万, 数百万, 上千万: a vague order of magnitude, not a figure.
        if text[..s].ends_with(['几', '数', '上', '好']) {
            continue;
        }
        // "每个月就得赔七八千", "罚了三千": a bare figure paid, lost or earned is money.
        if ZH_MONEY_VERB_BEFORE.is_match(&text[..s]) && !rest.starts_with(['%', '％', '倍']) {
            push(Some(Fact::Money { amount: value, currency: None, per: None }), s, e);
            continue;
        }
        // A bare 万/亿 amount is money in conversation (20万); idioms like 十万火急 are not.
        let big = n.contains('万') || n.contains('亿');
        // "一个月 两三千吧", "一年两万左右": a bare figure in thousands right after a month or a
        // year, with no noun after it, is what is paid in that time.
        if (big || n.contains('千')) && ZH_PERIOD_BEFORE.is_match(&text[..s]) && ZH_NO_NOUN_AFTER.is_match(rest) {
            push(Some(Fact::Money { amount: value, currency: None, per: None }), num.start(), e);
            continue;
        }
        let idiom = rest.starts_with(['火', '一', '不', '别', '分', '%', '％', '倍']);
        if big && !idiom {
            push(Some(Fact::Money { amount: value, currency: None, per: None }), s, e);
        }
    }
    for c in gate.captures(&ZH_PERSON, text) {
        let (s, e) = range(&c);
        if text[e..].starts_with('不') {
            continue;
        }
        let role = c
            .name("role")
            .or(c.name("role2"))
            .or(c.name("role3"))
            .map(|m| normalise_role(m.as_str()))
            .unwrap_or_default();
        let part = if c.name("decide").is_some() || c.name("role3").is_some() {
            RolePart::Decides
        } else {
            RolePart::Approves
        };
        push(Some(Fact::Person { role, part }), s, e);
    }
    for c in gate.captures(&ZH_ROLE_MENTION, text) {
        let (s, e) = range(&c);
        let role = c.name("role").map(|m| normalise_role(m.as_str())).unwrap_or_default();
        // "得走我们董事长那边，章在他那儿，字也是他签": what the person does is said later in
        // the sentence, of 他/她.
        push(Some(Fact::Person { role, part: zh_part_said_after(&text[e..]) }), s, e);
    }
    for c in ZH_SURNAME_BOSS.captures_iter(text) {
        let (s, e) = range(&c);
        let rest = &text[e..];
        // "王总是我们大股东" names him; "钱总是不够" is money always short.
        let always = rest
            .strip_prefix('是')
            .is_some_and(|r| r.starts_with(['不', '没', '很', '太', '在', '要', '会', '能', '有', '这', '那']));
        if rest.starts_with(NOT_AFTER_BOSS) || always {
            continue;
        }
        let role = c.name("role").map(|m| m.as_str().to_owned()).unwrap_or_default();
        // "发给钱总吧，最后得他签字": what the boss does may be said later in the sentence.
        push(Some(Fact::Person { role, part: zh_part_said_after(rest) }), s, e);
    }
    for m in gate.find(&ZH_SELF, text) {
        let after = &text[m.end()..];
        // 我们决定 is "we decide", 我决定不了 is "I can't decide", 不是我能决定的 is "not mine
        // to decide".
        let before: String = text[..m.start()].chars().rev().take(3).collect::<Vec<_>>().into_iter().rev().collect();
        // "胡总给我定的" is a target someone set for the contact.
        // "我自己定的目标是……" is a goal the contact set, not who buys.
        let goal_set = m.as_str().ends_with('定')
            && ["的目标", "的指标", "的计划", "的任务", "的规矩", "的标准"].iter().any(|g| after.starts_with(g));
        if after.starts_with('不')
            || goal_set
            || text[m.start()..].starts_with("我们")
            || before.contains('不')
            || before.contains('没')
            || before.ends_with(['给', '帮', '替', '为', '让'])
        {
            continue;
        }
        push(Some(Fact::Person { role: "self".to_owned(), part: RolePart::Decides }), m.start(), m.end());
    }
    topic_levels(text, found);
}

/// Things a business counts, said before their figure: "会员现在一千出头", "学员大概三百来个".
static ZH_TOPIC_COUNT: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"(?P<noun>会员|学员|客户|用户|粉丝|订单|门店|家长|游客|访客|患者|病人|学生|顾客|商户|经销商|加盟店)(?:数|数量|人数)?(?:现在|目前|如今|眼下|今年)?(?:才|就|只有|大概|差不多|也就|一共|总共)*(?:是|有)?(?P<num>{ZH_NUM})(?:出头|多|来|左右)?"
    ))
});
/// A goal verb right before a bare figure: "要做到三万", "冲到五万".
static ZH_REACH_VERB: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?:做到|冲到|达到|涨到|增加到|增长到|翻到|干到|发展到|突破|搞到)$"));
/// A verb of paying, losing or earning right before a bare figure: "赔七八千", "扣了两万".
static ZH_MONEY_VERB_BEFORE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?:赔|赔了|赔付|花|花了|亏|亏了|罚|罚了|扣|扣了|付|付了|挣|挣了|赚|赚了|贴|贴了|砸了|退|退了)(?:大概|差不多|将近|小|近|快|得有|有|个)?$",
    )
});
/// A month or a year said right before a bare figure: "一个月 两三千", "每年两万".
static ZH_PERIOD_BEFORE: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?:一个月|每个月|每月|一年|每年|一年下来)\s*(?:大概|差不多|也就|就)?\s*$"));
/// Nothing counted after a figure: it ends the phrase ("两三千吧", "两万左右，").
static ZH_NO_NOUN_AFTER: LazyLock<Regex> =
    LazyLock::new(|| re(r"^(?:\s|$|吧|左右|上下|以内|之内|的样子|[，,。！!？?；;])"));
/// Words that make a bare figure money after all.
static ZH_MONEY_CUE: LazyLock<Regex> =
    LazyLock::new(|| re(r"预算|钱|块|元|费|价|营收|收入|销售额|流水|业绩|营业额|利润|成本"));

/// Counts whose thing is said before the figure ("会员现在一千出头"), and a bare figure that
/// a goal verb then sets for the same thing, without naming it again ("春节之前要做到三万"):
/// a count of that thing, not money.
fn topic_levels(text: &str, found: &mut Vec<FoundFact>) {
    let mut topics: Vec<(usize, String)> = Vec::new();
    for c in ZH_TOPIC_COUNT.captures_iter(text) {
        let (Some(all), Some(num), Some(noun)) = (c.get(0), c.name("num"), c.name("noun")) else { continue };
        let Some(value) = parse_zh_number(num.as_str()) else { continue };
        let unit = zh_unit(noun.as_str());
        // Not when the figure was read already (with a unit after it, or as money).
        if !found.iter().any(|f| f.start < all.end() && num.start() < f.end) && value >= 1.0 {
            found.push(FoundFact {
                fact: Fact::Count { value, unit: unit.clone() },
                start: all.start(),
                end: all.end(),
            });
        }
        topics.push((all.end(), unit));
    }
    let Some(first_topic) = topics.first().map(|t| t.0) else { return };
    for f in found.iter_mut() {
        let Fact::Money { amount, currency: None, per: None } = f.fact else { continue };
        if f.start < first_topic || !ZH_REACH_VERB.is_match(&text[..f.start]) {
            continue;
        }
        let Some((at, unit)) = topics.iter().rev().find(|(end, _)| *end <= f.start) else { continue };
        if ZH_MONEY_CUE.is_match(&text[*at..f.start]) {
            continue;
        }
        f.fact = Fact::Count { value: amount, unit: unit.clone() };
    }
}

fn period_bounds(as_of: NaiveDate, unit: &str, next: bool) -> Option<(NaiveDate, NaiveDate)> {
    if unit.contains("year") {
        return year_bounds(as_of.year() + i32::from(next));
    }
    if unit.starts_with("quarter") {
        let (q, y) = shifted_quarter(as_of, i32::from(next));
        let start = NaiveDate::from_ymd_opt(y, q * 3 - 2, 1)?;
        return Some((start, month_end(y, q * 3)?));
    }
    if unit.starts_with("week") {
        let start = if next { as_of.checked_add_days(Days::new(7))? } else { as_of };
        return Some((start, start.checked_add_days(Days::new(6))?));
    }
    let first = NaiveDate::from_ymd_opt(as_of.year(), as_of.month(), 1)?;
    let first = if next { first.checked_add_months(Months::new(1))? } else { first };
    Some((first, month_end(first.year(), first.month())?))
}

fn relative_period(as_of: NaiveDate, unit: &str, next: bool, deadline: bool) -> Option<Fact> {
    // "This summer" said in November is the summer just gone (a past date, not a plan);
    // said in February, or "this spring" in November, it is the one ahead.
    let season = |month: u32| -> Option<(NaiveDate, NaiveDate)> {
        let mut y = as_of.year();
        let ended = month_end(y, month + 2)?;
        let just_gone = !next && ended < as_of && (as_of - ended).num_days() <= 120;
        if !just_gone && (ended < as_of || next && NaiveDate::from_ymd_opt(y, month, 1)? <= as_of) {
            y += 1;
        }
        Some((NaiveDate::from_ymd_opt(y, month, 1)?, month_end(y, month + 2)?))
    };
    let (a, b) = match unit {
        "spring" => season(3)?,
        "summer" => season(6)?,
        "fall" | "autumn" => season(9)?,
        "winter" => {
            let y =
                if as_of.month() == 12 && !next { as_of.year() } else { as_of.year() + i32::from(as_of.month() >= 3) };
            (NaiveDate::from_ymd_opt(y, 12, 1)?, month_end(y + 1, 2)?)
        }
        other => period_bounds(as_of, other, next)?,
    };
    if b < as_of {
        return Some(relative(b, b));
    }
    let a = if !next { as_of.max(a) } else { a };
    Some(relative(if deadline || !next { b } else { a }, b))
}

/// Plural nouns that are not things counted: time, money, quantity words.
const NOT_THINGS: &[&str] = &[
    "days",
    "weeks",
    "months",
    "years",
    "hours",
    "minutes",
    "mins",
    "seconds",
    "quarters",
    "times",
    "percent",
    "points",
    "dollars",
    "bucks",
    "euros",
    "pounds",
    "grand",
    "thousands",
    "millions",
    "billions",
    "hundreds",
    "yes",
    "this",
    "thus",
    "tops",
    "less",
    "was",
    "has",
    "is",
    "plus",
    "its",
    "as",
    "us",
    "ones",
    "guys",
    "was",
    "does",
    "goes",
    "says",
    "gets",
    "makes",
    "takes",
    "needs",
    "means",
    "comes",
    "keeps",
    "runs",
    "works",
    "looks",
    "seems",
];
/// Modifiers that cannot stand between a number and the noun it counts.
const NOT_MODIFIERS: &[&str] =
    &["a", "an", "the", "per", "for", "in", "of", "to", "and", "or", "on", "at", "by", "with", "is", "are", "was"];

/// The thing a number counts, from the words right after it: a unit of area or a plural
/// noun, normalised; `None` for time, money and function words.
/// Words ending in "s" that are no plural noun: "twenty-one technicians across two labs"
/// counts technicians, not "across".
const NOT_PLURALS: &[&str] = &[
    "across",
    "always",
    "perhaps",
    "besides",
    "unless",
    "towards",
    "afterwards",
    "whereas",
    "sometimes",
    "nowadays",
    "this",
    "thus",
    "plus",
    "minus",
    "versus",
    "was",
    "has",
    "does",
    "goes",
    "says",
    "gets",
    "its",
    "his",
    "yes",
    "less",
    "regardless",
    "nevertheless",
    "overseas",
    "upstairs",
    "downstairs",
    "outdoors",
    "indoors",
];

fn thing_after(rest: &str) -> Option<(String, usize)> {
    let c = EN_THING_AFTER.captures(rest)?;
    let unit = c.name("unit")?.as_str().to_ascii_lowercase();
    // "technicians across": the word before the non-noun is the thing counted.
    if NOT_PLURALS.contains(&unit.as_str()) {
        let adj = c.name("adj")?;
        let noun = adj.as_str().to_ascii_lowercase();
        if !noun.ends_with('s') || NOT_THINGS.contains(&noun.as_str()) || NOT_MODIFIERS.contains(&noun.as_str()) {
            return None;
        }
        return Some((en_unit(&noun), adj.end()));
    }
    if c.name("adj").is_some_and(|a| {
        NOT_MODIFIERS.contains(&a.as_str().to_ascii_lowercase().as_str())
            || NOT_THINGS.contains(&a.as_str().to_ascii_lowercase().as_str())
    }) {
        return None;
    }
    if NOT_THINGS.contains(&unit.as_str()) {
        return None;
    }
    let unit = match unit.as_str() {
        u if u.starts_with("sq") || u.starts_with("square") || u.starts_with('m') && u.len() <= 3 => "area".to_owned(),
        other => en_unit(other),
    };
    Some((unit, c.get(0)?.end()))
}

/// Whether an amount was said in "grand", a word only ever for money.
fn grand(c: &Captures) -> bool {
    ["mag", "mag2"].iter().any(|g| c.name(g).is_some_and(|m| m.as_str().eq_ignore_ascii_case("grand")))
}

/// The plural of an English noun, for a singular said as a count of one ("plant", "branch",
/// "facility"); irregular plurals are left as they are.
fn plural(noun: &str) -> String {
    if noun.ends_with('s') || noun.ends_with('x') || noun.ends_with("ch") || noun.ends_with("sh") {
        format!("{noun}es")
    } else if let Some(stem) = noun.strip_suffix('y').filter(|s| !s.ends_with(['a', 'e', 'o', 'u'])) {
        format!("{stem}ies")
    } else {
        format!("{noun}s")
    }
}

/// Whether the words after a bare number name what it counts ("2,000 emails a week"), so
/// the number is no amount of money.
fn counts_things(rest: &str) -> bool {
    let word: String = rest.trim_start().chars().take_while(|c| c.is_ascii_alphabetic()).collect();
    let word = word.to_ascii_lowercase();
    let money_words =
        ["dollars", "bucks", "euros", "pounds", "plus", "this", "thus", "tops", "less", "was", "has", "is"];
    word.len() > 3 && word.ends_with('s') && !money_words.contains(&word.as_str())
}

fn en_unit(word: &str) -> String {
    let w = word.to_ascii_lowercase();
    let w = w.split_whitespace().collect::<Vec<_>>().join(" ");
    let unit = match w.as_str() {
        "rep" | "reps" | "salespeople" | "salesperson" | "seller" | "sellers" | "aes" | "sdrs" | "bdrs"
        | "account executives" | "agents" => "reps",
        "people" | "person" | "persons" | "employees" | "staff" | "headcount" | "fte" | "ftes" | "team members"
        | "heads" => "people",
        "users" | "seats" | "licenses" | "licences" => "seats",
        "customers" | "clients" | "accounts" => "customers",
        "engineers" | "developers" => "engineers",
        "locations" | "stores" | "offices" | "branches" | "sites" => "locations",
        "meetings" | "demos" => "meetings",
        "minutes" | "mins" => "minutes",
        "hours" | "hrs" => "hours",
        other => return other.to_owned(),
    };
    unit.to_owned()
}

fn zh_unit(word: &str) -> String {
    match word {
        "销售代表" | "销售人员" | "销售" | "坐席" | "业务员" => "reps",
        "员工" | "人" => "people",
        "用户" | "账号" | "席位" => "seats",
        "客户" => "customers",
        // "五家店", "三家分店", and "三家" said alone: shops or sites, one unit however said.
        "门店" | "店" | "分店" | "店面" | "家" => "locations",
        "工程师" | "开发" => "engineers",
        "名" | "位" => "people",
        "课程顾问" | "顾问" => "advisers",
        "小时" => "hours",
        "分钟" => "minutes",
        other => other,
    }
    .to_owned()
}

fn normalise_role(role: &str) -> String {
    let r = role.split_whitespace().collect::<Vec<_>>().join(" ").to_ascii_lowercase();
    match r.as_str() {
        "老总" => "老板".to_owned(),
        "vice president" => "vp".to_owned(),
        "owners" => "owner".to_owned(),
        "founders" => "founder".to_owned(),
        _ => r.strip_prefix("vice president").map(|rest| format!("vp{rest}")).unwrap_or(r),
    }
}

// ---------------------------------------------------------------------------------------
// Ranges, bare answers and count questions

static EN_RANGE_BEFORE: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"(?i)(?:US\$|\$|€|£|¥)?\s?(?:\d+(?:[.,]\d+)?|{})\s?(?:k|m|thousand|million|grand)?\s*(?:to|-|–|or|and|through)\s*$",
        en_word_number_pattern()
    ))
});
static ZH_RANGE_BEFORE: LazyLock<Regex> =
    LazyLock::new(|| re(&format!(r"(?:{ZH_NUM})(?:万元|元|块|万)?\s*(?:到|至|-|~|～|—)\s*$")));
/// 二三十万, 三四十个, 七八万: two neighbouring digits say "two or three".
static ZH_RANGE_IN: LazyLock<Regex> =
    LazyLock::new(|| re(r"^[^一二两三四五六七八九]*(?:一二|一两|二三|两三|三四|四五|五六|六七|七八|八九)"));
static APPROX_BEFORE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)(?:\b(?:about|around|roughly|approximately|approx\.?|somewhere|something\s+like|like|circa|ca\.)\s*(?:between\s+|around\s+|in\s+the\s+)?|大概|大约|约|差不多|估计|大致|将近)\s*$",
    )
});
static APPROX_AFTER: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)^\s*(?:-?ish\b|or\s+so\b|give\s+or\s+take|左右|上下|的样子)"));

/// Whether the figure at `start..end` is an approximate range: the upper end of a range
/// ("30 to 40k", "二三十万", "20到30万") said with an approximator ("somewhere around",
/// "大概", "左右"). A plain range is a known figure; an approximate one is a guess.
pub fn approximate_range(text: &str, start: usize, end: usize) -> bool {
    let (Some(before), Some(said), Some(after)) = (text.get(..start), text.get(start..end), text.get(end..)) else {
        return false;
    };
    let window = text_before(before, before.len(), 40);
    // Most figures are no range: skip the regexes unless a range word is near.
    let separator =
        ["to", "-", "–", "or", "and", "through", "到", "至", "~", "～", "—"].iter().any(|w| window.contains(w));
    if !separator && !said.contains(['来', '多', '余']) && !ZH_RANGE_IN.is_match(said) {
        return false;
    }
    let range_start = EN_RANGE_BEFORE
        .find(window)
        .or_else(|| ZH_RANGE_BEFORE.find(window))
        .map(|m| m.start())
        .or_else(|| ZH_RANGE_IN.is_match(said).then_some(window.len()));
    // "十来万", "二十多万", "十几万": approximate by their own words.
    if said.contains(['来', '多', '余', '几']) && said.contains(['万', '千', '亿']) {
        return true;
    }
    let Some(range_start) = range_start else { return false };
    APPROX_BEFORE.is_match(&window[..range_start]) || APPROX_AFTER.is_match(after)
}

static EN_BARE_NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"(?i)^\W*(?:(?:about|around|roughly|maybe|probably|like|just|only|approximately|oh|um|uh|uhm|well|so|hmm|we(?:['’]re|\s+are|\s+have)?|it['’]s|i\s+think|i['’]d\s+say)[\s,]+){{0,3}}(?P<num>\d+|(?:a\s+|about\s+a\s+)?dozen|{})(?:\s*(?:or|to|-)\s*(?:\d+|{}))?(?:\s*(?:of\s+us|in\s+total|total|all\s+in|altogether|right\s+now|today|at\s+the\s+moment|give\s+or\s+take|or\s+so|i\s+(?:think|guess|believe)|i['’]d\s+say))*\s*(?:[.!?,;]|$)",
        en_word_number_pattern(),
        en_word_number_pattern()
    ))
});
static ZH_BARE_NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"^\s*(?:(?:大概|大约|差不多|可能|估计|现在|目前|一共|总共|我们|有|就|是|也就)\s*){{0,4}}(?P<num>{ZH_NUM})(?:来|多)?(?:个|位|名)?(?:人|左右|上下|吧|多人)*\s*(?:[。！？，,.!?]|$)"
    ))
});

/// A turn that opens with a bare number ("Twelve.", "About 40, I think.", "三十个左右。"):
/// the value and its span, for the count the question asked. Numbers below two are no count.
pub fn bare_number_answer(text: &str) -> Option<(f64, usize, usize)> {
    let c = EN_BARE_NUMBER.captures(text).or_else(|| ZH_BARE_NUMBER.captures(text))?;
    let num = c.name("num")?;
    let n = num.as_str();
    let value = n
        .parse::<f64>()
        .ok()
        .or_else(|| if has_han(n) { parse_zh_number(n) } else { parse_en_words(n) })
        .filter(|v| *v >= 2.0 && *v < 1e6)?;
    // "a few", "several": a word that only means "some".
    let lower = n.to_ascii_lowercase();
    if ["a", "an", "a few", "several", "couple of", "a couple", "a couple of"].contains(&lower.as_str()) {
        return None;
    }
    Some((value, num.start(), num.end()))
}

static EN_COUNT_QUESTION: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"(?i)\bhow\s+many\s+(?:\w+\s+){{0,2}}?(?P<unit>{EN_UNIT_WORDS})\b|\bhow\s+(?:big|large)(?:\s+is|['’]?s)\s+(?:the|your)\s+(?:sales\s+)?(?P<team>team|org|department)\b|\b(?P<size>team\s+size|headcount)\b|\bhow\s+many\s+of\s+(?P<ofyou>you|y['’]?all)\b"
    ))
});
static ZH_COUNT_QUESTION: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?:多少|几)(?:个|位|名)?(?P<unit>会员|销售代表|销售人员|销售|坐席|员工|人|用户|账号|席位)|团队(?:有)?(?:多大|规模)",
    )
});

static SALES_TEAM: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)\b(?:sales\s+)?(?:team|org|floor)\b|销售团队|销售部|销售(?:有|一共|总共|现在)?(?:多少|几)")
});

/// The unit a rep's question asks a count in ("how many reps" = `reps`, "how big is the
/// team" and "how many people are on the team" = `reps`, as "a team of 40" is; "多少人" = `people`), if it asks for a count of people or seats.
pub fn count_question_unit(text: &str) -> Option<String> {
    // "How many people are on the sales team?", "销售团队多少人": the sales team, in reps.
    let sales_team = SALES_TEAM.is_match(text);
    if let Some(c) = EN_COUNT_QUESTION.captures(text) {
        if sales_team {
            return Some("reps".to_owned());
        }
        // "How many of you look after it?": the people there.
        if c.name("ofyou").is_some() {
            return Some("people".to_owned());
        }
        return match c.name("unit") {
            Some(u) => {
                let unit = en_unit(u.as_str());
                ["reps", "people", "seats"].contains(&unit.as_str()).then_some(unit)
            }
            None => Some("reps".to_owned()),
        };
    }
    let c = ZH_COUNT_QUESTION.captures(text)?;
    if sales_team {
        return Some("reps".to_owned());
    }
    Some(c.name("unit").map_or_else(|| "reps".to_owned(), |u| zh_unit(u.as_str())))
}

/// What a rep's "how many ...?" asks to count, for any plural noun ("how many plants is that
/// spread over" = `plants`), with people and seats as [`count_question_unit`] names them.
pub fn count_question_thing(text: &str) -> Option<String> {
    count_question_unit(text).or_else(|| {
        let at = EN_HOW_MANY.find(text)?;
        thing_after(&text[at.end()..]).map(|(unit, _)| unit)
    })
}
/// The unit of the first count a text names ("And with fourteen engineers, are they all on
/// call?" = `engineers`): what "only nine of them" in the answer counts. Only counts are
/// read, so the date facts are resolved against any day.
pub fn counted_unit(text: &str) -> Option<String> {
    extract_facts(text, NaiveDate::default()).into_iter().find_map(|f| match f.fact {
        Fact::Count { unit, .. } => Some(unit),
        _ => None,
    })
}
static EN_HOW_MANY: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)\bhow\s+many\b"));

/// Sentence ranges of a text, split after `.`, `!`, `?`, `;`, `。`, `！`, `？`, `；` and newlines.
pub fn sentences(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, c) in text.char_indices() {
        if matches!(c, '.' | '!' | '?' | ';' | '。' | '！' | '？' | '；' | '\n') {
            // A dot between digits is a decimal point, not the end of a sentence.
            let next_digit = text[i + c.len_utf8()..].starts_with(|n: char| n.is_ascii_digit());
            if c == '.' && next_digit {
                continue;
            }
            let end = i + c.len_utf8();
            if end > start {
                out.push((start, end));
            }
            start = end;
        }
    }
    if start < text.len() {
        out.push((start, text.len()));
    }
    out
}

/// Gives each growth target the horizon of a timeline stated in the same sentence.
fn attach_horizons(text: &str, as_of: NaiveDate, facts: &mut [FoundFact]) {
    if !facts.iter().any(|f| matches!(f.fact, Fact::Growth { .. })) {
        return;
    }
    let sentences = sentences(text);
    let sentence_of = |pos: usize| {
        let i = sentences.partition_point(|(_, end)| *end <= pos);
        sentences.get(i).filter(|(start, _)| *start <= pos).map(|_| i)
    };
    let horizons: Vec<(Option<usize>, usize, i64)> = facts
        .iter()
        .filter_map(|f| match f.fact {
            Fact::Timeline { resolved, until, .. } => {
                let days = horizon_days(text.get(f.start..f.end).unwrap_or(""), until.or(resolved)?, as_of);
                (days > 0).then_some((sentence_of(f.start), f.start, days))
            }
            _ => None,
        })
        .collect();
    let nearest = |sentence: Option<usize>, at: usize| {
        horizons.iter().filter(|(s, _, _)| *s == sentence).min_by_key(|(_, pos, _)| pos.abs_diff(at)).map(|h| h.2)
    };
    for f in facts.iter_mut() {
        if let Fact::Growth { horizon_days, .. } = &mut f.fact {
            let here = sentence_of(f.start);
            // A multiple said on its own after the goal ("Four hundred a month by next summer.
            // Ten x.") is dated by the sentence before it.
            let elliptical = here
                .and_then(|i| sentences.get(i))
                .is_some_and(|&(a, b)| text.get(a..b).unwrap_or("").split_whitespace().count() <= 4);
            *horizon_days = nearest(here, f.start).or_else(|| {
                let before = here.and_then(|i| i.checked_sub(1));
                (elliptical && before.is_some()).then(|| nearest(before, f.start)).flatten()
            });
        }
    }
}

/// The days a target has to be met in, from the words that date it (`said`) and the date they
/// resolve to. A target for a named year or quarter ("this year's target", "明年做到四万",
/// "next quarter") is a change over that period, whenever in the period before it was said:
/// "this year" in November is still a yearly target, and "next year" in December is a year's
/// growth, not thirteen months'. Any other date counts from the call.
pub(crate) fn horizon_days(said: &str, date: NaiveDate, as_of: NaiveDate) -> i64 {
    let said = said.to_ascii_lowercase();
    const PERIODS: [(&str, i64); 10] = [
        ("this year", 365),
        ("next year", 365),
        ("今年", 365),
        ("本年", 365),
        ("明年", 365),
        ("this quarter", 91),
        ("next quarter", 91),
        ("本季度", 91),
        ("这个季度", 91),
        ("下个季度", 91),
    ];
    PERIODS.iter().find(|(p, _)| said.contains(p)).map_or_else(|| (date - as_of).num_days(), |(_, days)| *days)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn as_of() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 26).unwrap_or_default()
    }

    fn date(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, d)
    }

    /// The facts found in `input`, each as (quoted text, fact).
    fn found(input: &str) -> Vec<(String, Fact)> {
        extract_facts(input, as_of()).into_iter().map(|f| (input[f.start..f.end].to_owned(), f.fact)).collect()
    }

    /// `expected` must be among the facts of `input`, with the span quoting `quote`.
    /// "三年后" and "两年前" count years; only a bare 年后 / 年前 is the lunar new year.
    #[test]
    fn counted_years_are_not_the_new_year() {
        for input in ["三年后开第二家", "两年前买过一套", "年后是我们最旺的时候，过完年人人都想减肥", "不急，年后再说"]
        {
            let all = found(input);
            assert!(!all.iter().any(|(q, _)| q == "年后" || q == "年前"), "{input:?}: {all:?}");
        }
    }

    fn check(input: &str, quote: &str, expected: Fact) {
        let all = found(input);
        let hit = all.iter().any(|(q, f)| q == quote && facts_equal(f, &expected));
        assert!(hit, "{input:?}: expected {quote:?} = {expected:?}, found {all:?}");
    }

    fn facts_equal(a: &Fact, b: &Fact) -> bool {
        match (a, b) {
            (Fact::Money { amount: x, currency: c, per: p }, Fact::Money { amount: y, currency: d, per: q }) => {
                (x - y).abs() < 1e-6 && c == d && (q.is_none() || p == q)
            }
            (Fact::Growth { factor: x, horizon_days: h }, Fact::Growth { factor: y, horizon_days: k }) => {
                (x - y).abs() < 1e-6 && (k.is_none() || h == k)
            }
            (Fact::Timeline { kind: k1, resolved: r1, .. }, Fact::Timeline { kind: k2, resolved: r2, .. }) => {
                k1 == k2 && r1 == r2
            }
            _ => a == b,
        }
    }

    fn money(amount: f64, currency: Option<&str>) -> Fact {
        Fact::Money { amount, currency: currency.map(str::to_owned), per: None }
    }

    fn when(kind: TimelineKind, y: i32, m: u32, d: u32) -> Fact {
        Fact::Timeline { kind, resolved: date(y, m, d), until: None }
    }

    fn no_money(input: &str) {
        let all = found(input);
        assert!(!all.iter().any(|(_, f)| matches!(f, Fact::Money { .. })), "{input:?}: unexpected money in {all:?}");
    }

    #[test]
    fn english_money() {
        let cases: &[(&str, &str, f64, Option<&str>)] = &[
            ("we have about $40k for this", "$40k", 40_000.0, Some("USD")),
            ("roughly 40,000 EUR a year", "40,000 EUR", 40_000.0, Some("EUR")),
            ("it is €1.2m all in", "€1.2m", 1_200_000.0, Some("EUR")),
            ("USD 250,000 is the cap", "USD 250,000", 250_000.0, Some("USD")),
            ("half a million dollars", "half a million dollars", 500_000.0, Some("USD")),
            ("about forty thousand", "forty thousand", 40_000.0, None),
            ("forty thousand a year", "forty thousand", 40_000.0, None),
            ("two thousand and fifty pounds", "two thousand and fifty pounds", 2_050.0, Some("GBP")),
            ("that came to ninety-odd thousand.", "ninety-odd thousand", 90_000.0, None),
            ("two hundred and fifty thousand pounds", "two hundred and fifty thousand pounds", 250_000.0, Some("GBP")),
            ("one and a half million", "one and a half million", 1_500_000.0, None),
            ("£75,000 for year one", "£75,000", 75_000.0, Some("GBP")),
            ("we could do 50k", "50k", 50_000.0, None),
            ("a budget of 120 thousand", "120 thousand", 120_000.0, None),
            ("around 3 million dollars", "3 million dollars", 3_000_000.0, Some("USD")),
            ("$500 a seat", "$500", 500.0, Some("USD")),
            ("up to $1.5M", "$1.5M", 1_500_000.0, Some("USD")),
            ("1.2 million euros", "1.2 million euros", 1_200_000.0, Some("EUR")),
            ("maybe 40 grand", "40 grand", 40_000.0, None),
            ("US$2m over two years", "US$2m", 2_000_000.0, Some("USD")),
            ("a hundred thousand bucks", "a hundred thousand bucks", 100_000.0, Some("USD")),
            ("we pay 75k USD", "75k USD", 75_000.0, Some("USD")),
            // Under a thousand in words with its currency, and "quid".
            ("that's a hundred and eighty quid each", "a hundred and eighty quid", 180.0, Some("GBP")),
            ("around sixty pounds a month", "sixty pounds", 60.0, Some("GBP")),
            ("maybe 300 quid a month", "300 quid", 300.0, Some("GBP")),
        ];
        for (input, quote, amount, currency) in cases {
            check(input, quote, money(*amount, *currency));
        }
    }

    #[test]
    fn chinese_numerals_parse() {
        let cases: &[(&str, f64)] = &[
            ("20万", 200_000.0),
            ("两百万", 2_000_000.0),
            ("1.5亿", 150_000_000.0),
            ("五十万", 500_000.0),
            ("3千万", 30_000_000.0),
            ("十万", 100_000.0),
            ("一千零五", 1005.0),
            ("二十", 20.0),
            ("十五", 15.0),
            ("一万五", 15_000.0),
            ("两百五", 250.0),
            ("一亿二千万", 120_000_000.0),
            ("三百二十万", 3_200_000.0),
            ("４０", 40.0),
        ];
        for (input, expected) in cases {
            let got = parse_zh_number(input);
            assert!(got.is_some_and(|g| (g - expected).abs() < 1e-6), "{input}: expected {expected}, got {got:?}");
        }
        assert_eq!(parse_zh_number("预算"), None);
    }

    #[test]
    fn chinese_money() {
        let cases: &[(&str, &str, f64, Option<&str>)] = &[
            ("预算大概20万", "20万", 200_000.0, None),
            ("两百万左右", "两百万", 2_000_000.0, None),
            ("项目一共1.5亿元", "1.5亿元", 150_000_000.0, Some("CNY")),
            ("五十万人民币", "五十万人民币", 500_000.0, Some("CNY")),
            ("3千万的盘子", "3千万", 30_000_000.0, None),
            ("大概30万元", "30万元", 300_000.0, Some("CNY")),
            ("十来万应该问题不大", "十来万", 100_000.0, None),
            ("二十多万吧", "二十多万", 200_000.0, None),
            ("十几万应该有", "十几万", 100_000.0, None),
            ("十几二十万吧，看情况", "十几二十万", 200_000.0, None),
            ("差不多5000块", "5000块", 5_000.0, Some("CNY")),
            ("预算是10万美元", "10万美元", 100_000.0, Some("USD")),
            ("¥50万左右", "¥50万", 500_000.0, Some("CNY")),
            ("一百二十万", "一百二十万", 1_200_000.0, None),
            ("大概两千万的项目", "两千万", 20_000_000.0, None),
            ("预算有$40k", "$40k", 40_000.0, Some("USD")),
            ("明年冲到一个亿", "一个亿", 100_000_000.0, None),
            ("两个亿的流水", "两个亿", 200_000_000.0, None),
            ("今年签单额一点二个亿", "一点二个亿", 120_000_000.0, None),
            ("投放规模做到六十个亿", "六十个亿", 6_000_000_000.0, None),
        ];
        for (input, quote, amount, currency) in cases {
            check(input, quote, money(*amount, *currency));
        }
    }

    #[test]
    fn money_said_as_a_rate_knows_its_unit() {
        let rate = |amount: f64, currency: Option<&str>, per: &str| Fact::Money {
            amount,
            currency: currency.map(str::to_owned),
            per: Some(per.to_owned()),
        };
        check("$500 a seat", "$500", rate(500.0, Some("USD"), "seat"));
        check("about $2k/month", "$2k", rate(2_000.0, Some("USD"), "month"));
        check("€30k annually", "€30k", rate(30_000.0, Some("EUR"), "year"));
        check("每月2万左右", "2万", rate(20_000.0, None, "month"));
        check("2万/月", "2万", rate(20_000.0, None, "month"));
        check("一年预算30万", "30万", rate(300_000.0, None, "year"));
        let total = extract_facts("we have $40k in total", as_of());
        assert!(matches!(total.first().map(|f| &f.fact), Some(Fact::Money { per: None, .. })), "{total:?}");
    }

    #[test]
    fn not_money() {
        for input in [
            "we are on Q3 2027 plans",
            "call me on 2027-03-01",
            "we have 40 reps",
            "grow 20% next year",
            "千万不要忘了",
            "这件事十万火急",
            "十二月董事会一块儿批",
            "光这一块就亏得最多",
            "哪一块最头疼",
            "咱们一块去看看",
            "万一不行呢",
            "we sold 1200 units",
            "我们有40个销售",
            "每年损失几十万",
            "数百万的生意",
            "call me at 555-1234",
            "we meet at 10:30",
            "back in 2019 we tried it",
            "our SDRs send 2,000 emails a week",
            "we get 10k visitors a month",
        ] {
            no_money(input);
        }
    }

    #[test]
    fn english_dates() {
        use TimelineKind::*;
        let cases: &[(&str, &str, Fact)] = &[
            ("we go live March 15", "March 15", when(Absolute, 2027, 3, 15)),
            ("the kickoff is 2027-03-01", "2027-03-01", when(Absolute, 2027, 3, 1)),
            ("target is Q3", "Q3", when(Quarter, 2027, 7, 1)),
            ("by Q1 2027", "by Q1 2027", when(Quarter, 2027, 3, 31)),
            ("maybe next quarter", "next quarter", when(Quarter, 2027, 1, 1)),
            ("we need it by March", "by March", when(Absolute, 2027, 3, 31)),
            ("hopefully by the end of the year", "by the end of the year", when(Relative, 2026, 12, 31)),
            ("a hundred and eighty by the end of 2027", "by the end of 2027", when(Absolute, 2027, 12, 31)),
            ("end of year is the deadline", "end of year", when(Relative, 2026, 12, 31)),
            ("in two weeks", "in two weeks", when(Relative, 2026, 12, 10)),
            ("within 6 months", "within 6 months", when(Relative, 2027, 5, 26)),
            ("sometime next year", "sometime next year", when(Relative, 2027, 1, 1)),
            ("by December 1st, 2026", "by December 1st, 2026", when(Absolute, 2026, 12, 1)),
            // Ordinal words, as speech recognition writes them.
            ("signed by january eighth so we", "by january eighth", when(Absolute, 2027, 1, 8)),
            ("before the twenty-first of March", "before the twenty-first of March", when(Absolute, 2027, 3, 21)),
            ("in January", "in January", when(Absolute, 2027, 1, 1)),
            ("the third quarter", "the third quarter", when(Quarter, 2027, 7, 1)),
            ("we'd start in 2027", "in 2027", when(Absolute, 2027, 1, 1)),
            ("over the next 3 months", "over the next 3 months", when(Relative, 2027, 2, 26)),
            ("by the end of Q2", "by the end of Q2", when(Quarter, 2027, 6, 30)),
            ("next week works", "next week", when(Relative, 2026, 12, 3)),
            ("early next year", "early next year", when(Relative, 2027, 1, 1)),
            ("by 12/15/2026", "by 12/15/2026", when(Absolute, 2026, 12, 15)),
            ("the 3rd of February", "the 3rd of February", when(Absolute, 2027, 2, 3)),
            ("in May", "in May", when(Absolute, 2027, 5, 1)),
            ("triple the turnover by Christmas", "by Christmas", when(Absolute, 2026, 12, 25)),
            ("every stall on the coast by Easter", "by Easter", when(Absolute, 2027, 3, 28)),
            ("all of it done before the summer", "before the summer", when(Absolute, 2027, 6, 21)),
            ("running by the start of autumn", "by the start of autumn", when(Absolute, 2027, 9, 1)),
            // Said in late November: the summer just gone; the spring ahead.
            ("this summer we got those gauges", "this summer", when(Relative, 2026, 8, 31)),
            ("we'd do it this spring", "this spring", when(Relative, 2027, 5, 31)),
            ("next summer", "next summer", when(Relative, 2027, 6, 1)),
        ];
        for (input, quote, fact) in cases {
            check(input, quote, fact.clone());
        }
    }

    #[test]
    fn month_words_that_are_not_dates() {
        for input in ["we may buy it", "they march on", "I said so"] {
            let all = found(input);
            assert!(!all.iter().any(|(_, f)| matches!(f, Fact::Timeline { .. })), "{input:?}: {all:?}");
        }
    }

    #[test]
    fn chinese_dates() {
        use TimelineKind::*;
        let cases: &[(&str, &str, Fact)] = &[
            ("下个季度上线", "下个季度", when(Quarter, 2027, 1, 1)),
            ("年底前要完成", "年底前", when(Relative, 2026, 12, 31)),
            ("三月份开始", "三月份", when(Absolute, 2027, 3, 1)),
            ("明年再说", "明年", when(Relative, 2027, 1, 1)),
            ("两周内给答复", "两周内", when(Relative, 2026, 12, 10)),
            ("2027年3月15日上线", "2027年3月15日", when(Absolute, 2027, 3, 15)),
            ("明年三月", "明年三月", when(Absolute, 2027, 3, 1)),
            ("是去年十月搬过来的", "去年十月", when(Absolute, 2025, 10, 1)),
            ("第三季度", "第三季度", when(Quarter, 2027, 7, 1)),
            ("三个月内", "三个月内", when(Relative, 2027, 2, 26)),
            ("Q2之前", "Q2之前", when(Quarter, 2027, 6, 30)),
            ("明年年底", "明年年底", when(Relative, 2027, 12, 31)),
            ("下个月", "下个月", when(Relative, 2026, 12, 1)),
            ("今年内搞定", "今年", when(Relative, 2026, 12, 31)),
            ("下半年再看", "下半年", when(Relative, 2027, 7, 1)),
            ("3月15号之前", "3月15号之前", when(Absolute, 2027, 3, 15)),
            ("半年内", "半年内", when(Relative, 2027, 5, 26)),
            ("明年Q2", "明年Q2", when(Quarter, 2027, 4, 1)),
            ("春节前，也就是一月底之前", "一月底之前", when(Absolute, 2027, 1, 31)),
            ("三月初开始", "三月初", when(Absolute, 2027, 3, 1)),
            ("2024年底就停用了", "2024年底", when(Relative, 2024, 12, 31)),
            ("到二零二八年底做到一百家", "二零二八年底", when(Relative, 2028, 12, 31)),
            ("旧楼签了五年，签到二八年年底", "二八年年底", when(Relative, 2028, 12, 31)),
            ("2027年上半年", "2027年上半年", when(Relative, 2027, 1, 1)),
            ("最好年前能弄好", "年前", when(Absolute, 2027, 2, 1)),
            ("过完年再弄 开了春以后", "过完年", when(Absolute, 2027, 2, 1)),
            ("老板说年后再弄", "年后", when(Absolute, 2027, 2, 1)),
            ("正月十五之前一定要用上", "正月十五之前", when(Absolute, 2027, 2, 15)),
            ("三年后开第二家", "三年后", when(Relative, 2029, 11, 26)),
            ("国庆之前上线", "国庆之前", when(Absolute, 2027, 10, 1)),
            ("清明之前肯定得用上", "清明之前", when(Absolute, 2027, 4, 5)),
            ("五一之前全部开起来", "五一之前", when(Absolute, 2027, 5, 1)),
            ("暑假前能用上就行", "暑假前", when(Absolute, 2027, 6, 21)),
        ];
        for (input, quote, fact) in cases {
            check(input, quote, fact.clone());
        }
    }

    #[test]
    fn counts_percentages_and_growth() {
        let count = |value: f64, unit: &str| Fact::Count { value, unit: unit.to_owned() };
        let growth = |factor: f64| Fact::Growth { factor, horizon_days: None };
        check("we have a team of 40", "a team of 40", count(40.0, "reps"));
        check("we have 40 reps", "40 reps", count(40.0, "reps"));
        check("about forty sales reps", "forty sales reps", count(40.0, "reps"));
        check("200 employees overall", "200 employees", count(200.0, "people"));
        check("There's only the one plant. Always has been.", "only the one plant", count(1.0, "plants"));
        // "grand" is money whatever word follows it in speech-recognition text.
        let money = |amount: f64| Fact::Money { amount, currency: None, per: None };
        check("er i dunno two grand depends what it is", "two grand", money(2000.0));
        check("anything over 20 grand goes to him", "20 grand", money(20_000.0));
        check("three thousand members", "three thousand members", count(3000.0, "members"));
        check(
            "we did like four thousand two hundred passengers last year",
            "four thousand two hundred passengers",
            count(4200.0, "passengers"),
        );
        check("we just have the one branch", "just have the one branch", count(1.0, "locations"));
        assert!(!found("one plant is in Leeds").iter().any(|(_, f)| matches!(f, Fact::Count { .. })));
        assert!(!found("just the one time").iter().any(|(_, f)| matches!(f, Fact::Count { .. })));
        check("there's eleven of us on the desk full time", "eleven of us", count(11.0, "people"));
        // The staff by its parts, added up; people counted with 俩 and 仨.
        check(
            "I've three lads on the mowers and two on the digger, and me.",
            "three lads on the mowers and two on the digger, and me",
            count(6.0, "people"),
        );
        check("五间屋，一间屋一个师傅，从早排到晚", "五间屋，一间屋一个师傅", count(5.0, "people"));
        check("就我跟俩徒弟，仨人撑着", "仨人", count(3.0, "people"));
        check("我们有40个销售", "40个销售", count(40.0, "reps"));
        check("公司两百名员工", "两百名员工", count(200.0, "people"));
        check("churn is 8%", "8%", Fact::Percentage { value: 8.0 });
        check("百分之二十的客户", "百分之二十", Fact::Percentage { value: 20.0 });
        // A bare figure paid or lost is money; counted things stay counts.
        check("每个月光赔付就得赔七八千", "七八千", money(8000.0));
        check("上个月罚了三千", "三千", money(3000.0));
        check("每个月光赔付就得赔七八千 客户投诉一个月二三十单", "七八千", money(8000.0));
        assert!(!found("赔了三个客户").iter().any(|(_, f)| matches!(f, Fact::Money { .. })));
        // An approximate amount below ten thousand with its currency word.
        check("系统一年三千多块", "三千多块", Fact::Money { amount: 3000.0, currency: Some("CNY".into()), per: None });
        check("八百来块钱一个月", "八百来块钱", Fact::Money { amount: 800.0, currency: Some("CNY".into()), per: None });
        // A bare figure in thousands right after a month or a year, nothing counted after it.
        let per = |amount: f64, per: &str| Fact::Money { amount, currency: None, per: Some(per.into()) };
        check("一个月 两三千吧 我也说不好", "两三千", per(3000.0, "month"));
        check("每年两万左右，看效果", "两万", per(20000.0, "year"));
        assert!(!found("一个月两三千单").iter().any(|(_, f)| matches!(f, Fact::Money { .. })));
        assert!(!found("一年三千个客人").iter().any(|(_, f)| matches!(f, Fact::Money { .. })));
        check("we want to double revenue", "double", growth(2.0));
        // "double" naming a kind of mistake or a shift is no change to reach.
        for text in ["Turnaround and double bookings.", "we do a double shift on Fridays", "a double-booked room"] {
            assert!(!found(text).iter().any(|(_, f)| matches!(f, Fact::Growth { .. })), "{text}");
        }
        check("we want to double the bookings", "double", growth(2.0));
        check("grow 300% this year", "grow 300%", growth(4.0));
        // Spoken hundreds: "eight seventy" is 870.
        check(
            "going from eight seventy to a thousand members",
            "from eight seventy to a thousand",
            growth(1000.0 / 870.0),
        );
        check("aiming for 4x", "4x", growth(4.0));
        // A decimal said digit by digit.
        check(
            "we go from three point two million revenue this year to fifty million by next christmas",
            "from three point two million revenue this year to fifty million",
            growth(50.0 / 3.2),
        );
        assert_eq!(parse_en_words("two point five"), Some(2.5));
        assert_eq!(parse_en_words("one point oh five"), Some(1.05));
        assert_eq!(parse_en_words("point five"), None);
        check("cut costs by 30%", "cut costs by 30%", growth(0.7));
        check("20% growth next year", "20% growth", growth(1.2));
        check("今年业绩翻两番", "翻两番", growth(4.0));
        check("销售额增长三倍", "增长三倍", growth(4.0));
        check("收入翻倍", "翻倍", growth(2.0));
        check(
            "gross margin going from $3.1 million to $3.6 million",
            "$3.1 million to $3.6 million",
            growth(3.6 / 3.1),
        );
        check("配件营收要从现在的八千万做到九千五百万", "从现在的八千万做到九千五百万", growth(95.0 / 80.0));
        check("经销商要从六十个干到六千个", "从六十个干到六千", growth(100.0));
        check("回传比例从现在的三成提到七成", "三成提到七成", growth(7.0 / 3.0));
        check("下个月会员要从两千做到两万", "从两千做到两万", growth(10.0));
        // A rate or "现在这" between 从 and the figures; a count said to become another.
        check("明年一季度单量要从一天八千做到一天八万", "从一天八千做到一天八万", growth(10.0));
        check("注册志愿者要从现在这三百来个 做到三万个", "从现在这三百来个 做到三万", growth(100.0));
        check("他说就明年 三家变三百家", "三家变三百家", growth(100.0));
        check("两个仓变成二十个仓", "两个仓变成二十个", growth(10.0));
        // Brought down: a change too, which makes its date a goal's deadline.
        check("明年年底延期率从百分之八降到五以内", "从百分之八降到五", growth(5.0 / 8.0));
        // A word for the counted thing between the first figure and the verb.
        check("主号 从八万粉做到八百万 然后拿这个号去接大单", "从八万粉做到八百万", growth(100.0));
        assert!(!found("从一月份到三月份都是淡季").iter().any(|(_, f)| matches!(f, Fact::Growth { .. })));
        // A half and a share are no counted thing: 从一半做到六成 is a share, read elsewhere.
        assert!(
            !found("出口占比要从一半做到六成")
                .iter()
                .any(|(_, f)| matches!(f, Fact::Growth { factor, .. } if *factor > 5.0))
        );
        assert!(!found("三个人变两班倒").iter().any(|(_, f)| matches!(f, Fact::Growth { .. })));
        assert!(!found("从一天缩短到半天").iter().any(|(_, f)| matches!(f, Fact::Growth { .. })));
        check(
            "she wants us in four thousand shops by christmas so like ten times what we have now",
            "ten times what we have",
            growth(10.0),
        );
        check("i reckon we'll do ten times that next summer like forty thousand plus", "ten times that", growth(10.0));
        assert!(!found("it broke down three times that week").iter().any(|(_, f)| matches!(f, Fact::Growth { .. })));
        for seasonal in
            ["国庆前后客流是平时的四倍", "旺季的单子比淡季多三倍", "In December we do three times the usual volume"]
        {
            assert!(
                !found(seasonal).iter().any(|(_, f)| matches!(f, Fact::Growth { .. })),
                "{seasonal}: a comparison with the usual is no growth"
            );
        }
        check("年营收从八十来万做到一个亿", "从八十来万做到一个亿", growth(1e8 / 8e5));
        check("从五十多万美金提到两百来万", "从五十多万美金提到两百来万", growth(4.0));
        check(
            "gross margin from thirty-eight to forty-five percent",
            "from thirty-eight to forty-five",
            growth(45.0 / 38.0),
        );
        check("提升20%", "提升20%", growth(1.2));
        check("we're hiring 10 more reps", "10 more reps", count(10.0, "new reps"));
        check("we plan to hire 12 reps", "12 reps", count(12.0, "new reps"));
        check("明年再招20个销售", "20个销售", count(20.0, "new reps"));
        // Quantities of other things are counts too, never money.
        check("we got 1,140 quote requests last month", "1,140 quote requests", count(1140.0, "requests"));
        check("about 12,000 sq ft of floor space", "12,000 sq ft", count(12000.0, "area"));
        check("We've got four clinics", "four clinics", count(4.0, "clinics"));
        check("all six of our clinics", "six of our clinics", count(6.0, "clinics"));
        check("we run 250,000 subscribers", "250,000 subscribers", count(250_000.0, "subscribers"));
        check("一千三百多条询盘", "一千三百多条询盘", count(1300.0, "询盘"));
        check("四十二家经销商", "四十二家经销商", count(42.0, "经销商"));
        check("三个校区", "三个校区", count(3.0, "校区"));
        check("两百平米的店", "两百平米", count(200.0, "平米"));
        check("去年电话卖了两万来斤", "两万来斤", count(20_000.0, "斤"));
        check("一年产八千公斤", "八千公斤", count(8000.0, "公斤"));
        check("一天出三百箱", "三百箱", count(300.0, "箱"));
        check("两百万用户", "两百万用户", count(2_000_000.0, "seats"));
        for input in ["一个月要做到两千单", "三个月之后"] {
            let all = found(input);
            assert!(
                !all.iter().any(|(q, f)| matches!(f, Fact::Count { .. }) && q.starts_with(['一', '三'])),
                "{input:?}: {all:?}"
            );
        }
        check("About nine hundred members.", "nine hundred members", count(900.0, "members"));
        // A word ending in "s" that is no noun: the word before it is counted.
        check(
            "We've got twenty-one technicians across two labs.",
            "twenty-one technicians",
            count(21.0, "technicians"),
        );
        check("three thousand members by next month", "three thousand members", count(3000.0, "members"));
    }

    #[test]
    fn growth_takes_the_horizon_of_its_sentence() {
        let horizon = |input: &str| {
            extract_facts(input, as_of()).into_iter().find_map(|f| match f.fact {
                Fact::Growth { horizon_days, .. } => Some(horizon_days),
                _ => None,
            })
        };
        assert_eq!(horizon("we want to quadruple revenue in two weeks"), Some(Some(14)));
        assert_eq!(horizon("we want to double revenue. Next year we hire."), Some(None));
        assert_eq!(horizon("两周内业绩翻两番"), Some(Some(14)));
        assert!(horizon("grow revenue by 20% next year").is_some_and(|h| h.is_some_and(|d| d > 300)));
    }

    #[test]
    fn people_and_roles() {
        let person = |role: &str, part: RolePart| Fact::Person { role: role.to_owned(), part };
        check("our CFO signs off on anything over 10k", "our CFO signs off", person("cfo", RolePart::Approves));
        // A pronoun's approval goes to the person the plan was handed to just before.
        check(
            "I get the quotes and put my favourite in front of Sandra. She owns it, she signs.",
            "she signs",
            person("sandra", RolePart::Approves),
        );
        check(
            "id trial it and then take it to jo um she signs off anything monthly",
            "she signs off",
            person("jo", RolePart::Approves),
        );
        check(
            "anything we pay for monthly rob signs hes the one to convince",
            "rob signs hes",
            person("rob", RolePart::Approves),
        );
        assert!(
            !found("I'll take it to them and she signs off on it")
                .iter()
                .any(|(_, f)| matches!(f, Fact::Person { .. }))
        );
        // Approving the year's plan is a step of the planning cycle, not this purchase.
        let plan = "The board signs off the operations plan for the coming year at its December meeting.";
        assert!(!found(plan).iter().any(|(_, f)| matches!(f, Fact::Person { .. })), "{plan}");
        check(
            "thats priya she runs the practice so itd be her",
            "thats priya she runs the practice",
            person("priya", RolePart::Decides),
        );
        check("thats me im the owner i sign everything here", "the owner i sign", person("self", RolePart::Decides));
        check("Honestly, I make the call here", "I make the call", person("self", RolePart::Decides));
        check("the VP of Sales decides", "the VP of Sales decides", person("vp of sales", RolePart::Decides));
        check("I'd need to run it by my boss", "run it by my boss", person("boss", RolePart::Approves));
        check("our CEO has the final say", "our CEO has the final say", person("ceo", RolePart::Decides));
        check("it's my decision", "it's my decision", person("self", RolePart::Decides));
        check("这个需要老板拍板", "需要老板拍板", person("老板", RolePart::Decides));
        check("我们总监决定", "我们总监决定", person("总监", RolePart::Decides));
        check("这个我说了算", "我说了算", person("self", RolePart::Decides));
        check("五十万以下的项目我这边签就行", "我这边签就行", person("self", RolePart::Decides));
        check("这种一年几万块的东西 我自己就做主了", "我自己就做主", person("self", RolePart::Decides));
        assert!(
            !found("上个月经营会上胡总给我定的：明年六月底之前，损耗率压到百分之四点五以内。")
                .iter()
                .any(|(_, f)| matches!(f, Fact::Person { role, .. } if role == "self")),
        );
        assert!(
            !found("我自己定的目标是，机子从出故障到修好，明年上半年压到半天以内。")
                .iter()
                .any(|(_, f)| matches!(f, Fact::Person { role, .. } if role == "self")),
        );
        check("要跟财务总监汇报", "跟财务总监汇报", person("财务总监", RolePart::Approves));
        check("得吴理事长点头，我就是负责先看看", "理事长点头", person("理事长", RolePart::Approves));
        check("钱都是我老婆管 小芳她说行才行", "我老婆", person("老婆", RolePart::Approves));
        check(
            "me and our head of revenue, Priya. She has the final say",
            "She has the final say",
            person("head of revenue", RolePart::Decides),
        );
        check(
            "Our VP of Revenue, Daniel Cho, makes the final call.",
            "Our VP of Revenue, Daniel Cho, makes the final call",
            person("vp of revenue", RolePart::Decides),
        );
        check("王总说了算", "王总说了算", person("王总", RolePart::Decides));
        check("找我们李总，他拍板", "他拍板", person("李总", RolePart::Decides));
        check("Tom signs anything over twenty-five grand", "Tom signs anything", person("tom", RolePart::Approves));
        check(
            "Our VP of Revenue, Daniel Cho, makes the final call.",
            "Our VP of Revenue, Daniel Cho, makes the final call",
            person("vp of revenue", RolePart::Decides),
        );
        check(
            "I'd have to get Jess to okay anything we pay for",
            "get Jess to okay",
            person("jess", RolePart::Approves),
        );
        check("I'd have to check with Helen.", "check with Helen", person("helen", RolePart::Approves));
        check(
            "Helen Park, she's our operations director. She'd make the call on anything like this",
            "She'd make the call",
            person("operations director", RolePart::Decides),
        );
        for input in ["我们决定下周再聊", "我决定不了", "I decided to call you"] {
            let all = found(input);
            assert!(
                !all.iter().any(|(_, f)| matches!(f, Fact::Person { role, part: RolePart::Decides } if role == "self")),
                "{input:?}: {all:?}"
            );
        }
    }

    #[test]
    fn approximate_ranges() {
        let range = |input: &str, quote: &str| {
            let start = input.find(quote).unwrap_or(0);
            approximate_range(input, start, start + quote.len())
        };
        assert!(range("somewhere around 30 to 40 thousand euros", "40 thousand euros"));
        assert!(range("roughly $15k-$20k", "$20k"));
        assert!(range("大概二三十万", "二三十万"));
        assert!(range("二十到三十万左右", "三十万"));
        assert!(!range("30 to 40k", "40k"));
        assert!(!range("about $40k", "$40k"));
        assert!(!range("二十到三十万", "三十万"));
        assert!(!range("大概三十万", "三十万"));
    }

    #[test]
    fn bare_number_answers_and_count_questions() {
        let value = |t: &str| bare_number_answer(t).map(|(v, _, _)| v);
        assert_eq!(value("Twelve."), Some(12.0));
        assert_eq!(value("About 40, I think."), Some(40.0));
        assert_eq!(value("um, thirty-five"), Some(35.0));
        assert_eq!(value("A dozen or so."), Some(12.0));
        assert_eq!(value("二十个左右。"), Some(20.0));
        assert_eq!(value("大概三十来个人"), Some(30.0));
        assert_eq!(value("2027 is when we grow."), None);
        assert_eq!(value("One."), None);
        assert_eq!(value("Forty percent of them."), None);
        assert_eq!(count_question_unit("How many people are on the team?").as_deref(), Some("reps"));
        assert_eq!(count_question_unit("How many people work at the company?").as_deref(), Some("people"));
        assert_eq!(count_question_thing("And how many plants is that spread over?").as_deref(), Some("plants"));
        assert_eq!(count_question_thing("How many people work at the company?").as_deref(), Some("people"));
        assert_eq!(count_question_thing("How many of them would use it?"), None);
        assert_eq!(count_question_thing("How many times a week?"), None);
        assert_eq!(count_question_unit("okay and how big's the team").as_deref(), Some("reps"));
        assert_eq!(counted_unit("And with fourteen engineers, are they all on call?").as_deref(), Some("engineers"));
        assert_eq!(counted_unit("Are they all on call?"), None);
        assert_eq!(count_question_unit("how many sales reps do you have").as_deref(), Some("reps"));
        assert_eq!(count_question_unit("How big is your sales team?").as_deref(), Some("reps"));
        assert_eq!(count_question_unit("销售团队多少人？").as_deref(), Some("reps"));
        assert_eq!(count_question_unit("公司一共多少人？").as_deref(), Some("people"));
        assert_eq!(count_question_unit("销售有多少人？").as_deref(), Some("reps"));
        assert_eq!(count_question_unit("How many people are on the sales team?").as_deref(), Some("reps"));
        assert_eq!(count_question_unit("How many meetings a week?"), None);
        assert_eq!(count_question_unit("What's the budget?"), None);
    }

    #[test]
    fn describes_facts_briefly() {
        assert_eq!(money(40_000.0, Some("USD")).describe(), "$40,000");
        assert_eq!(money(200_000.0, None).describe(), "200,000");
        assert_eq!(Fact::Count { value: 40.0, unit: "reps".into() }.describe(), "40 reps");
    }
}
