//! Contradictions told in other words, which comparing like facts misses:
//! - a rate told twice with figures far apart: "we get about sixty a month" ... "fifteen or
//!   so enquiries in a month"; "一个月六十来单" ... "一个月也就十几单";
//! - the tools in use: "we've never had any software for it" ... "I export it out of
//!   Palletmate"; "我们从来没用过什么系统" ... "我们一直用的房掌柜";
//! - the size of the contact's own team, told counting themselves: "four of us on sales,
//!   including me" ... "it's just me and Jordo on sales"; "销售算上我五个人" ... "销售就我跟小王".
//! - the age of the business: "Since 2019." (to "how long has it been going?") ... "we've only
//!   been open two years"; "零八年成立" ... "开了三年".
//! - the month a move or an opening happened, both past and told with their year: "去年十月搬到
//!   现在这个新大厅" ... "今年三月份搬进来那会儿".
//!
//! Only the prospect's statements count, each in its own turn, and only statements of how
//! things are now: a sentence about a wish, a plan, a target, the past or a hypothetical
//! states nothing to contradict. The caller drops a pair whose later statement is said as a
//! correction.

use std::sync::LazyLock;

use chrono::{Datelike, NaiveDate};
use regex::Regex;
use sift_core::Message;

use crate::facts::{
    ZH_NUM, digit_by_digit, en_word_number_pattern, figure, parse_en_words, parse_zh_number, sentences,
};
use crate::transcript::{Role, Span, Transcript};

/// Two statements of the prospect that cannot both hold.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Restated {
    /// `rate`, `tools`, `team_size`, `age` or `when`.
    pub subject: &'static str,
    /// The earlier statement's sentence.
    pub earlier: Span,
    /// The later statement's sentence.
    pub later: Span,
    /// What the two say (`call.conflict.rate`, `.tools`, `.team`, `.age`, `.when`), without the earlier
    /// statement's quote: the caller adds it as `quote`.
    pub explanation: Message,
}

fn re(pattern: &str) -> Regex {
    #[allow(clippy::expect_used)]
    crate::lexicon::compile(pattern).expect("built-in restatement patterns are checked by tests")
}

/// Sentences that do not say how things are now.
static NOT_NOW: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:would|could|might|if|wants?|wanted|hope|hoping|goal|target|aim|aiming|plan(?:ning)?\s+(?:to|on|is)|going\s+to|gonna|next\s+year|last\s+year|used\s+to|back\s+(?:in|when|then)|ago|previously|ideally|imagine|should|tried|trial(?:led)?)\b|如果|要是|假如|想|希望|目标|计划(?:[^员表单]|$)|打算|争取|明年|去年|以前|之前|过去(?:的|几年|那)|那时候|曾经|试过|准备|要做到?|下个?(?:月|礼拜|星期|季度)(?:开始|起)",
    )
});

/// Words past which a "sentence" is taken for an unpunctuated run of speech.
const RUN_ON_WORDS: usize = 20;

/// Whether a sentence says a wish, a plan or the past (`NOT_NOW`) where it says `m`: anywhere
/// in a short sentence, and near `m` in unpunctuated speech that runs a whole answer into one
/// "sentence" ("...texts them the night before ... and if its blowing a gale we ring round").
fn not_now_at(sentence: &str, m: (usize, usize)) -> bool {
    if sentence.split_whitespace().count() <= RUN_ON_WORDS {
        return NOT_NOW.is_match(sentence);
    }
    let from = m.0 - crate::transcript::text_before(sentence, m.0, 80).len();
    let mut to = (m.1 + 25).min(sentence.len());
    while !sentence.is_char_boundary(to) {
        to -= 1;
    }
    NOT_NOW.is_match(&sentence[from..to])
}

// ---------------------------------------------------------------------------------------
// Rates

/// A part of a whole, or a rate in another scope: "fifteen a month turn into viewings",
/// "about ten per site", "其中", "每个店".
static PART: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:turns?\s+into|turned\s+into|convert(?:s|ed)?|come\s+(?:in\s+)?(?:from|through|via)|via|(?:each|per|every)\s+(?:site|branch|store|shop|location|office|rep|person|agent|clinic|venue|team)|of\s+(?:them|those|these)\s+(?:turn|convert|become|end|book|close|come|are|were|get|go|show|cancel|never)|no-?shows?|cancel(?:s|led|lations?)?|lose|lost|miss(?:ed)?)\b|其中|里面有|转化|成交|每个(?:店|门店|校区|网点|站点|人)|丢|跑掉|流失",
    )
});

static EN_RATE: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"(?i)(?P<pre>\b(?:about|around|roughly|maybe|perhaps|probably|approximately|some|nearly|almost|like|to|and)\s+)?\b(?P<num>\d[\d,]*|{words})(?P<k>\s+thousand)?(?P<odd>-odd|\s+or\s+so|-?ish|\s+odd)?\s+(?P<unit>(?:[a-z][a-z'-]*\s+){{0,2}}?)(?:of\s+(?:those|them|these)\s+)?(?:(?:we|they|i)\s+(?:do|get|see|handle|run|have|sell|book|take|hold)\s+)?(?:a|per|every|each|in\s+a|in\s+an\s+average)\s+(?P<period>day|week|month|year)\b",
        words = en_word_number_pattern()
    ))
});
/// Words that make a figure a duration, money, a share or a frequency, not a count.
static NOT_COUNT: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:hours?|hrs?|minutes?|mins?|days?|weeks?|months?|years?|times|percent|per\s*cent|quid|dollars?|pounds?|euros?|grand|bucks|k|m|hundred|thousand|million|billion|lakhs?|to|and|or|of|in|on|at|for|from|with|we|i|it|they|the|a|an|is|are|was|be|do|get|got)\b",
    )
});
static ZH_RATE: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"(?P<period>一个月|每个月|每月|一个礼拜|一个星期|一周|每周|一年|每年|一天|每天)(?:下来|到头)?(?P<pre>(?:大概|差不多|估计|其实|也就|就|能有|有|才|得有|基本|平均|下来|能|接|进|来|做|收|跑|上门|上|要|量|接待|卖|出|发|签|成交|装|修|送|办)*)(?P<num>{ZH_NUM})(?P<ji>几)?(?P<odd>多|来|左右|出头|上下)?(?P<mw>个|单|条|次|家|位|场|桌|批|趟|票|份|辆|台|户|套|樘|件)(?P<noun>客户|订单|线索|询盘|咨询|预约|电话|客人|学员|病人|会员|顾客)?",
    ))
});

/// A rep question asking a rate: "Roughly how many new enquiries would you get in a week?".
static RATE_QUESTION: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\bhow\s+many\s+(?P<unit>(?:[a-z][a-z'-]*\s+){1,3}?)(?:would|do|did|does|are|will)\s+(?:you|they|we)\s+(?:[a-z]+\s+){0,2}?(?:in|per|a|each|every)\s+(?:a\s+|an\s+(?:average\s+)?)?(?P<period>day|week|month|year)\b",
    )
});
/// An answer that is only a figure: "Around twenty.", "Sixty-odd.", "About 40, I think."
static BARE_COUNT: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"(?i)^\s*(?:oh\s+|um\s+|uh\s+|well\s+)?(?P<pre>(?:about|around|roughly|maybe|probably|approximately|nearly|almost|like)\s+)?(?P<num>\d[\d,]*|{words})(?P<odd>-odd|\s+or\s+so|-?ish)?\s*(?:[.!,?]|$)",
        words = en_word_number_pattern()
    ))
});

/// A bare figure answering a question that asks a rate: the rate in the question's unit and
/// period.
fn rate_answered(question: &str, answer: &str, turn: usize) -> Option<Rate> {
    let q = RATE_QUESTION.captures(question)?;
    let c = BARE_COUNT.captures(answer)?;
    let num = c.name("num")?.as_str();
    let value = num.replace(',', "").parse::<f64>().ok().or_else(|| parse_en_words(num))?;
    let unit_words = q.name("unit")?.as_str().trim();
    if value < 2.0 || NOT_COUNT.is_match(unit_words) {
        return None;
    }
    let end = sentences(answer).first().map_or(answer.len(), |r| r.1);
    Some(Rate {
        sentence: Span { turn, start: 0, end },
        value,
        hedged: c.name("pre").is_some() || c.name("odd").is_some(),
        period: period_of(&q.name("period")?.as_str().to_lowercase()),
        unit: unit_words.split_whitespace().map(stem).collect::<Vec<_>>().join(" "),
        before: String::new(),
    })
}

#[derive(Debug)]
struct Rate {
    sentence: Span,
    value: f64,
    hedged: bool,
    period: &'static str,
    /// The counted thing, stemmed ("enquiry", "corporate booking"; 单, 个客户); empty when
    /// the count names nothing ("about sixty a month", "thirty of those a year").
    unit: String,
    /// The turn's text before the figure, lower case: where an unnamed count's thing was said.
    before: String,
}

fn stem(word: &str) -> String {
    let w = word.to_lowercase();
    if let Some(base) = w.strip_suffix("ies") {
        format!("{base}y")
    } else if w.ends_with("ss") {
        w
    } else if let Some(base) = w.strip_suffix('s') {
        base.to_owned()
    } else {
        w
    }
}

fn period_of(word: &str) -> &'static str {
    match word {
        "day" | "一天" | "每天" => "day",
        "week" | "一个礼拜" | "一个星期" | "一周" | "每周" => "week",
        "year" | "一年" | "每年" => "year",
        _ => "month",
    }
}

fn rates_in(text: &str, turn: usize) -> Vec<Rate> {
    let mut out = Vec::new();
    for (a, b) in sentences(text) {
        let sentence = &text[a..b];
        if NOT_NOW.is_match(sentence) || PART.is_match(sentence) {
            continue;
        }
        let span = Span { turn, start: a, end: b };
        for c in EN_RATE.captures_iter(sentence) {
            let (Some(num), Some(period)) = (c.name("num"), c.name("period")) else { continue };
            let at = a + num.start();
            if text[..at].ends_with(['$', '£', '€']) {
                continue;
            }
            let unit_words = c.name("unit").map_or("", |m| m.as_str()).trim();
            if !unit_words.is_empty() && NOT_COUNT.is_match(unit_words) {
                continue;
            }
            // "four thousand a year" with nothing named is money, not a count.
            if c.name("k").is_some() && unit_words.is_empty() {
                continue;
            }
            let digits = num.as_str().replace(',', "");
            let Some(mut value) = digits.parse::<f64>().ok().or_else(|| parse_en_words(num.as_str())) else { continue };
            // "two and a half thousand cremations a year".
            if c.name("k").is_some() {
                value *= 1000.0;
            }
            if value < 2.0 {
                continue;
            }
            let unit = unit_words.split_whitespace().map(stem).collect::<Vec<_>>().join(" ");
            out.push(Rate {
                sentence: span,
                value,
                hedged: c.name("pre").is_some() || c.name("odd").is_some(),
                period: period_of(&period.as_str().to_lowercase()),
                unit,
                before: text[..at].to_lowercase(),
            });
        }
        for c in ZH_RATE.captures_iter(sentence) {
            let (Some(num), Some(period), Some(mw)) = (c.name("num"), c.name("period"), c.name("mw")) else {
                continue;
            };
            let Some(mut value) = parse_zh_number(num.as_str()) else { continue };
            let ji = c.name("ji").is_some();
            if ji {
                // 十几 is about fifteen, 二十几 about twenty-five.
                value += 5.0;
            }
            if value < 2.0 {
                continue;
            }
            let noun = c.name("noun").map_or("", |m| m.as_str());
            // A bare 个 names nothing.
            let unit =
                if mw.as_str() == "个" && noun.is_empty() { String::new() } else { format!("{}{noun}", mw.as_str()) };
            let pre = c.name("pre").map_or("", |m| m.as_str());
            out.push(Rate {
                sentence: span,
                value,
                hedged: ji
                    || c.name("odd").is_some()
                    || pre.contains("大概")
                    || pre.contains("差不多")
                    || pre.contains("估计"),
                period: period_of(period.as_str()),
                unit,
                before: text[..a + num.start()].to_lowercase(),
            });
        }
    }
    out
}

/// Whether two rates count the same thing: the same thing named, or one names nothing and
/// the other's thing was said earlier in its turn ("Enquiries come in from everywhere ...
/// about sixty a month").
fn same_thing(x: &Rate, y: &Rate) -> bool {
    let said_before = |unnamed: &Rate, named: &Rate| {
        named.unit.split_whitespace().filter(|w| w.chars().count() >= 4).any(|w| {
            let key = w.strip_suffix('y').unwrap_or(w);
            unnamed.before.contains(key)
        })
    };
    match (x.unit.is_empty(), y.unit.is_empty()) {
        (false, false) => {
            // The last word is the thing; the words before it narrow it.
            x.unit.split_whitespace().last() == y.unit.split_whitespace().last()
        }
        (true, false) => said_before(x, y),
        (false, true) => said_before(y, x),
        (true, true) => false,
    }
}

/// A rate as so many a month: a working month of 22 days, 4.33 weeks.
fn per_month(rate: &Rate) -> f64 {
    match rate.period {
        "day" => rate.value * 22.0,
        "week" => rate.value * 4.33,
        "year" => rate.value / 12.0,
        _ => rate.value,
    }
}

fn rate_conflicts(rates: &[Rate]) -> Vec<Restated> {
    let mut out = Vec::new();
    for (i, later) in rates.iter().enumerate() {
        let earlier = rates[..i].iter().find(|e| {
            e.sentence.turn != later.sentence.turn && same_thing(e, later) && {
                // "Sixty a month" against "about a hundred a year": compared a month at a
                // time, with more room when a period had to be converted (busy seasons,
                // working days).
                let (x, y) = (per_month(e), per_month(later));
                let gap = (x - y).abs() / x.max(y);
                // "About sixty" may be fifty or seventy; "about eighteen hundred" is not
                // two and a half thousand: a hedge widens the room only for a round figure.
                let coarse = |r: &Rate| r.hedged && significant_digits(r.value) < 2;
                let room = if e.period != later.period {
                    0.5
                } else if coarse(e) || coarse(later) {
                    0.4
                } else {
                    0.25
                };
                gap > room
            }
        });
        if let Some(e) = earlier {
            // Name the thing by the statement that names it.
            let thing = if e.unit.is_empty() { &later.unit } else { &e.unit };
            out.push(Restated {
                subject: "rate",
                earlier: e.sentence,
                later: later.sentence,
                explanation: Message::new("call.conflict.rate")
                    .with("now", trim(later.value))
                    .with("thing", thing.as_str())
                    .with("period", later.period)
                    .with("before_period", e.period)
                    .with("turn", e.sentence.turn.to_string())
                    .with("before", trim(e.value)),
            });
        }
    }
    out
}

/// Digits left once trailing zeros are dropped: 1 for 60 or 2000, 2 for 1800 or 15.
fn significant_digits(v: f64) -> usize {
    let mut n = v.round() as u64;
    if n == 0 {
        return 0;
    }
    while n % 10 == 0 {
        n /= 10;
    }
    n.to_string().len()
}

fn trim(v: f64) -> String {
    if v.fract() == 0.0 { format!("{v:.0}") } else { format!("{v}") }
}

// ---------------------------------------------------------------------------------------
// Tools in use

/// "We've never had any software for it", "we dont have a crm or anything", "not even a
/// spreadsheet", "he won't hear of a computer for the appointments", "我们从来没用过什么系统", "连个表格都没有".
static NO_TOOL: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:(?:we|i)(?:['’]ve|\s+have)?\s+(?:never|not)\s+(?:had|used|run|got|bought)|(?:we|i)\s+(?:don['’]?t|do\s+not|never)\s+(?:really\s+)?(?:have|use|run|own)|there['’]?s\s+no|there\s+is\s+no|we\s+have\s+no|we['’]ve\s+got\s+no|not\s+even|(?:won['’]?t|wouldn['’]?t|will\s+not)\s+(?:hear\s+of|have))\s+(?:a\s+|an\s+|any\s+(?:kind\s+of\s+)?)?(?:proper\s+|real\s+|actual\s+)?(?:[a-z-]+\s+)?(?P<cat>crm|software|system|tool|app|database|spreadsheet|excel|computer|screen)s?\b|\bnothing\s+(?:goes|gets\s+put|is\s+kept|is)\s+(?:on|in|into)\s+(?:a|the|any)\s+(?P<catc>computer|system|spreadsheet)\b|\b(?:we|i)\s+(?:don['’]?t|do\s+not)\s+(?:really\s+)?(?:track|log|record)\s+(?:it|them|that|any\s+of\s+it)\s+(?:at\s+all\s+)?(?:[a-z\s]{0,12}?)(?:it['’]?s|its)\s+(?:just|all)\s+(?:a\s+|on\s+)?(?P<catn>notebook|paper|whiteboard|clipboard|diary)\b|\b(?:we|i)(?:['’]ve|\s+have)?\s+never\s+(?:went|gone|moved|switched)\s+(?P<catd>digital|paperless|online)\s+(?:with|for|on)\b|(?:从来)?(?:没有|没)(?:用过|用|上过|装过|买过|搞|搞过|弄|弄过)?(?:什么|任何|啥子|啥)?(?P<zcat>系统|软件|CRM|crm|ERP|erp|表格|Excel|excel|工具|App|APP|app)|连(?:个)?(?P<zcat2>表格|Excel|系统|软件)都没|(?:啥|什么|任何)(?P<zcat3>系统|软件|CRM|工具)(?:也|都)没|一(?:套|个|款)(?P<zcat4>系统|软件|CRM|工具)(?:也|都)没",
    )
});
/// "Propdesk, that's our crm", "out of Palletmate into a spreadsheet", "the booking system texts
/// them the night before", "我们一直用的房掌柜", "记在系统里".
static USES_TOOL: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:that['’]?s|thats|which\s+is|it['’]?s|its)\s+our\s+(?:[a-z-]+\s+)?(?P<cat>crm|system|software|database|spreadsheet)\b|\b(?:that['’]?s|thats|which\s+is)\s+the\s+(?P<cat3>crm|system|software|database)\s+(?:we|i)\b|\b(?:into|in|onto)\s+(?:a|the|our|my)\s+(?P<cat2>spreadsheet|crm|system|database|app|lims|erp|mes|wms|tms|pms)\b|\b(?:the|this|that|our)\s+(?:[a-z-]+\s+){0,3}?(?P<cat4>system|software|app|program|database|thing)\s+(?:we|i)(?:['’]ve|\s+have)?\s+(?:already\s+)?(?:had|used|been\s+using|use|run|got|pay\s+for|paid\s+for|subscribe\s+to)\b|\b(?:that['’]?s|thats|which\s+is)\s+the\s+(?P<cat7>app|crm|database)\s+(?:on|in|we|i|he|she|they)\b|\b(?:pulls?|pulled|brings?|brought|opens?|opened)\s+up\s+(?:the|our)\s+(?P<cat9>spreadsheet|system|crm|database|app)\b|\b(?:export|pull|download|print|run)\w*\s+(?:[\w'’]+\s+){0,4}?(?:out\s+of|from|off)\s+(?:our|the|my)\s+(?:[a-z-]+\s+)?(?P<cat10>software|system|crm|database|app|spreadsheet)\b|\b(?:type|types|typed|key|keys|keyed|enter|enters|entered|log|logs|logged|punch|punches|punched)\s+(?:[\w'’]+\s+){0,3}?into\s+(?P<name3>(?-i:[A-Z])[A-Za-z0-9]{3,})|\b(?:export|pull|download|print)\w*\s+(?:[\w'’]+\s+){0,4}?(?:out\s+of|from)\s+(?P<name>(?-i:[A-Z])[A-Za-z0-9]{3,})|\b(?:export\w*|comes?|came|print\w*)\s+(?:[\w'’]+\s+){0,4}?out\s+of\s+(?P<name7>[a-z][a-z0-9]{3,})\b|\b(?:history|data|records|files|details|notes|contacts|candidates|clients|customers|bookings|orders|jobs|invoices)\s+(?:[\w'’]+\s+){0,2}?(?:sitting|sits|sat|stored|kept|living|lives|held)\s+(?:in|on)\s+(?P<name9>(?-i:[A-Z])[A-Za-z0-9]{3,})|我们(?:的)?(?P<zcat4>ERP|erp|CRM|crm|MES|mes|OA)(?:系统)?(?:里|上|里面|里头)|\b(?:we|i)\s+(?:use|run|log\s+\w+\s+in|track\s+\w+\s+in)\s+(?P<name2>(?-i:[A-Z])[A-Za-z0-9]{3,})\b|(?:一直|现在|平时|目前|都)(?:在)?用(?:的是|的|着)(?P<zname>[A-Za-z0-9\p{Han}]{2,6}?)(?:系统|软件)?(?:[，。,.！!？?\s]|$)|我们(?:买了|上了|装了)(?:一套|一个|个)\p{Han}{0,8}?(?P<zcat5>系统|软件)(?:[，。,.！!\s]|$)|我们的(?P<zcat>系统|软件|CRM)|(?P<zcat3>系统|软件|CRM|crm|ERP|erp)(?:已经|都)?用了|(?:都|全|全都)在(?:那个|我们那个)?(?P<zname4>[A-Za-z0-9\p{Han}]{2,5}?)上(?:弄|做|管|录|排|记|搞)|(?:导|录|记|放)(?:到|进|在)(?P<zcat2>表格|Excel|系统|CRM)|(?:录|记|存|放)(?:到|进|在)(?:那个|我们那个|咱们那个)?(?P<zname2>[A-Za-z0-9\p{Han}]{2,5}?)(?:里头|里面|里边|里)|在(?:那个|我们那个)?(?P<zname3>[A-Za-z0-9\p{Han}]{2,5}?)(?:小程序|App|APP|app)(?:里头|里面|里边|里|上)|^\s*(?P<name4>(?-i:[A-Z][a-z]+[A-Z][A-Za-z]+))\s+(?:prints|sends|does|handles|tracks|keeps|holds|runs|tells|shows|books|logs|emails|texts|sorts|plans)\b|^\s*(?P<name5>(?-i:[A-Z][a-z]+[A-Z][A-Za-z]+))\s*[.!]?\s*$|\b(?:go|goes|going|run|runs|come|comes)\s+(?:in\s+)?through\s+(?P<name6>(?-i:[A-Z][a-z]+[A-Z][A-Za-z]+))\b|\bthe\s+computer\s+(?:[a-z-]+\s+)?(?P<cat5>system|thing|program)\b|\b(?:on|from|off)\s+(?:my|our|the|his|her)\s+(?:own\s+|old\s+|work\s+)?(?P<cat11>laptop|computer|pc|tablet|ipad)s?\b|\bthe\s+(?:[a-z-]+\s+)?(?P<cat6>system|software|app|computer)\s+(?:texts|sends|emails|reminds|messages|pings|books|prints|flags)\s+(?:them|him|her|us|out|everyone|everybody|people|customers|clients|patients|reminders|a\s+reminder)\b",
    )
});
/// An answer that opens with a product's name and goes on about "it": "Pixbook. Had it three
/// years.", "Roomly. Everything goes into it."
static NAMED_THEN_IT: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)^\s*(?:the\s+|our\s+)?(?P<name>(?-i:[A-Z][a-z]{2,}[a-z0-9]+)(?:\s+(?:calendar|sheets?|diary|app|system))?)(?:,\s*(?:mainly|mostly|really))?[.!]\s+(?:(?:we['’]ve\s+|i['’]ve\s+)?(?:had|been\s+using|been\s+on|used)\s+it\s+(?:for\s+)?(?:about\s+|nearly\s+|almost\s+|over\s+)?(?:\d+|a|an|a\s+couple\s+of|a\s+few|two|three|four|five|six|seven|eight|nine|ten)\s+(?:years?|months?)|(?:[a-z'’]+\s+){0,3}?(?:everything|it\s+all|every\s+[a-z]+|all\s+(?:the|our)\s+[a-z]+)\s+(?:drops|goes|gets\s+put|lands|lives|comes)\s+(?:straight\s+|right\s+)?in(?:to)?\s+(?:it|there))\b",
    )
});
/// Not online at all: "there's no online anything", "nothing's done online", "网上啥都没弄".
static NO_ONLINE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:no|nothing)\s+online(?:\s+anything|\s+at\s+all)?\b|\bnothing(?:['’]s|\s+is)?\s+(?:done\s+)?online\b|\bwe['’]?re\s+not\s+online\b|(?:网上|线上)(?:啥|什么)都没(?:有|弄|做|搞)",
    )
});
/// Something done online now: "the give button on our website takes cards", "most people book
/// online", "线上捐款占了一半".
static ONLINE_IN_USE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:our|the)\s+website\s+(?:[a-z'’]+\s+){0,2}?(?:takes|accepts|handles)\s+(?:cards?|payments?|bookings?|donations?|orders?)\b|\b(?:through|via|on)\s+(?:the|our)\s+(?:give|giving|donate|donation|pay|payment|book|booking)\s+button\b|\b(?:give|gives|pay|pays|book|books|donate|donates|order|orders)\s+(?:[a-z'’]+\s+){0,2}?online\b|\bthe\s+online\s+[a-z]+\s+(?:we['’]ve\s+got|we\s+have|we\s+use|we\s+run|we\s+pay\s+for)\b|\bour\s+online\s+(?:checker|checks|system|portal|tool|form|booking|shop)\b",
    )
});
/// Where a record is kept, by the tool's name: "合同台账都放在飞书的多维表格里", "排班我们现在就是Excel".
static ZH_RECORD_KEPT: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?P<rec>台账|账本|客户资料|会员资料|排班|预约|订单)(?:我们)?(?:现在|目前|一直)?(?:都|全|全部)?(?:是)?(?:放|存|记|录|建|做)(?:在|到|进)了?(?:那个)?(?P<tool>飞书|钉钉|企业微信|Excel|excel|石墨|腾讯文档|WPS|wps|金数据)|(?P<rec2>台账|账本|客户资料|会员资料|排班|预约|订单)(?:我们)?(?:现在|目前)?(?:就是|用的是|都是|全是|全用|都用)(?P<tool2>飞书|钉钉|企业微信|Excel|excel|石墨|腾讯文档|WPS|wps|金数据)",
    )
});
/// A tool whose contract runs out or renews: "我们现在那个系统吧 明年三月份才到期", "our current
/// system's licence runs out in June".
static RUNS_OUT: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)(?:我们)?(?:现在|目前)?(?:用的)?那个(?P<zcat>系统|软件|CRM)(?:吧|呢|啊)?[\s，,]*\p{Han}{0,10}?(?:到期|续费|续约)|\b(?:the|our)\s+(?:current\s+)?(?P<cat>system|software|crm)(?:['’]s)?\s+(?:contract|licen[cs]e|subscription)\s+(?:runs\s+out|ends|expires|renews)\b",
    )
});
/// Where all of it is kept, by a product's name: "it all lives in Google Sheets", "it's all
/// in Outlook", "everything goes into Xero".
static ALL_IN: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:it\s+all|it['’]s\s+all|it\s+is\s+all|everything|all\s+of\s+it|the\s+whole\s+lot)\s+(?:(?:lives|goes|sits|is\s+kept|gets\s+kept|gets\s+put|is|['’]s)\s+)?(?:in|into|on)\s+(?:the\s+|our\s+|an?\s+)?(?P<name>(?-i:[A-Z])[A-Za-z0-9]+(?:\s+(?-i:[A-Z])[A-Za-z0-9]+)?)",
    )
});
/// Capitalised words after "it's all in" that are no product: months, days, languages.
fn not_a_tool(word: &str) -> bool {
    crate::facts::MONTHS_AND_DAYS.contains(&word) || ALL_IN_NOT_TOOLS.contains(&word)
}
/// Besides months and days: languages, holidays, "I".
const ALL_IN_NOT_TOOLS: &[&str] =
    &["english", "chinese", "french", "german", "spanish", "welsh", "christmas", "easter", "i"];
/// Everyday words that can follow "export ... out of" without naming a product.
const EXPORTED_NOT_TOOLS: &[&str] = &[
    "them",
    "that",
    "this",
    "there",
    "those",
    "these",
    "here",
    "their",
    "your",
    "hours",
    "date",
    "time",
    "habit",
    "hand",
    "stock",
    "season",
    "town",
    "country",
    "china",
    "europe",
    "port",
    "house",
    "office",
    "work",
    "nowhere",
    "pocket",
    "business",
    "control",
    "line",
    "order",
    "reach",
    "sight",
    "school",
    "nothing",
    "somewhere",
    "everywhere",
    "anywhere",
    "budget",
    "profit",
    "profits",
    "wages",
    "margin",
    "funds",
];
/// Things that are not software, whatever is said about them.
const NOT_SOFTWARE: &[&str] = &[
    "微信",
    "微信群",
    "群",
    "本子",
    "手机",
    "电话",
    "纸",
    "笔记本",
    "白板",
    "Excel",
    "表格",
    "老办法",
    "人工",
    "脑子",
];

#[derive(Debug, Clone, Copy, PartialEq)]
enum ToolKind {
    /// Any software: "software", "system", 系统.
    Software,
    Crm,
    Spreadsheet,
    /// A product by name: "Palletmate", 房掌柜.
    Named,
    /// A computer at all: "nothing goes on a computer" rules out any software, spreadsheets
    /// included.
    Computer,
    /// A computer said to be used ("I go through them on my laptop"): it clashes only with
    /// having no computer, since a laptop says nothing about software.
    Device,
    /// An accounting package by name (Xero, QuickBooks, 金蝶): a small business keeps its books
    /// in one, so two named in different turns, neither said as a change, clash.
    Accounts,
    /// Being online at all: "there's no online anything" against "the give button on our
    /// website takes cards".
    Online,
    /// Where one record is kept, by the tool's name: "合同台账都放在飞书的多维表格里" against
    /// "合同台账我们现在就是Excel". `what` is the tool, `record` the record.
    Keeps,
}

/// Prefixes of family names written with an inner capital (McKesson, MacLeod, DeSouza).
const SURNAME_CAMEL: &[&str] = &["Mc", "Mac", "De", "Di", "Da", "Du", "La", "Le", "Van", "Von", "O"];

fn tool_kind(word: &str) -> ToolKind {
    match word.to_lowercase().as_str() {
        "crm" => ToolKind::Crm,
        "spreadsheet" | "excel" | "表格" => ToolKind::Spreadsheet,
        "computer" | "screen" => ToolKind::Computer,
        _ => ToolKind::Software,
    }
}

/// Whether "we have no `none`" and "we use `uses`" are about the same kind of thing.
fn clashes(none: ToolKind, uses: ToolKind) -> bool {
    match none {
        ToolKind::Software => matches!(uses, ToolKind::Software | ToolKind::Crm | ToolKind::Named | ToolKind::Computer),
        ToolKind::Crm => uses == ToolKind::Crm,
        ToolKind::Spreadsheet => uses == ToolKind::Spreadsheet,
        ToolKind::Online => uses == ToolKind::Online,
        ToolKind::Named | ToolKind::Device | ToolKind::Accounts | ToolKind::Keeps => false,
        ToolKind::Computer => true,
    }
}

#[derive(Debug)]
struct ToolClaim {
    sentence: Span,
    uses: bool,
    kind: ToolKind,
    what: String,
    /// Said to hold everything: "it all lives in Google Sheets".
    everything: bool,
    /// The record a `Keeps` claim is about (台账, 排班); empty for other claims.
    record: String,
}

impl ToolClaim {
    /// A claim said of one sentence: nothing said to hold everything, about no one record.
    fn new(sentence: Span, uses: bool, kind: ToolKind, what: impl Into<String>) -> ToolClaim {
        ToolClaim { sentence, uses, kind, what: what.into(), everything: false, record: String::new() }
    }
}

fn tool_claims(text: &str, turn: usize) -> Vec<ToolClaim> {
    let mut out = Vec::new();
    if let Some(m) = NAMED_THEN_IT.captures(text).and_then(|c| c.name("name")) {
        let name = m.as_str();
        if !not_a_tool(&name.to_lowercase()) {
            let sentence = Span { turn, start: m.start(), end: m.end() };
            out.push(ToolClaim::new(sentence, true, ToolKind::Named, name.to_owned()));
        }
    }
    for (a, b) in sentences(text) {
        let sentence = &text[a..b];
        let span = Span { turn, start: a, end: b };
        // "the invoices go out through xero" ... "everything lives in quickbooks".
        if !CHANGED_TOOL.is_match(sentence) {
            for m in ACCOUNTS_PACKAGE.find_iter(sentence) {
                let what = m.as_str().to_lowercase();
                if !out.iter().any(|c: &ToolClaim| c.kind == ToolKind::Accounts && c.what.to_lowercase() == what) {
                    out.push(ToolClaim::new(span, true, ToolKind::Accounts, what));
                }
            }
        }
        // The same record kept in two named tools, neither said as a change.
        if !CHANGED_TOOL.is_match(sentence) {
            for c in ZH_RECORD_KEPT.captures_iter(sentence) {
                let (Some(record), Some(tool)) = (c.name("rec").or(c.name("rec2")), c.name("tool").or(c.name("tool2")))
                else {
                    continue;
                };
                out.push(ToolClaim {
                    sentence: span,
                    uses: true,
                    kind: ToolKind::Keeps,
                    what: tool.as_str().to_lowercase(),
                    everything: false,
                    record: record.as_str().to_owned(),
                });
            }
        }
        // A system whose contract runs out next year is in use now, whatever the date says.
        if let Some(m) = RUNS_OUT.captures(sentence).and_then(|c| c.name("cat").or(c.name("zcat"))) {
            let (kind, what) = (tool_kind(m.as_str()), m.as_str().to_owned());
            out.push(ToolClaim::new(span, true, kind, what));
            continue;
        }
        if sentence.trim_end().ends_with(['?', '？']) {
            continue;
        }
        let now = |c: &regex::Captures| c.get(0).is_some_and(|m| !not_now_at(sentence, (m.start(), m.end())));
        for c in NO_TOOL.captures_iter(sentence).filter(now) {
            // Nothing tracked but a notebook: no software of any kind.
            // "We never went digital with bookings": no software for them either.
            let untracked = c.name("catn").or(c.name("catd")).map(|m| (ToolKind::Software, m));
            let named = ["cat", "catc", "zcat", "zcat2", "zcat3", "zcat4"].iter().find_map(|n| c.name(n));
            if let Some((kind, m)) = untracked.or(named.map(|m| (tool_kind(m.as_str()), m))) {
                out.push(ToolClaim::new(span, false, kind, m.as_str().to_owned()));
            }
        }
        for c in ALL_IN.captures_iter(sentence).filter(now) {
            let Some(name) = c.name("name") else { continue };
            let first = name.as_str().split_whitespace().next().unwrap_or("").to_lowercase();
            if !not_a_tool(&first) {
                let what = name.as_str().to_owned();
                out.push(ToolClaim {
                    sentence: span,
                    uses: true,
                    kind: ToolKind::Named,
                    what,
                    everything: true,
                    record: String::new(),
                });
            }
        }
        // Named as what is (or is not) used, in the message: "online channels", 线上渠道.
        let online = if crate::facts::has_han(sentence) { "线上渠道" } else { "online channels" };
        let said_now = |m: &regex::Match| !not_now_at(sentence, (m.start(), m.end()));
        if NO_ONLINE.find(sentence).is_some_and(|m| said_now(&m)) {
            out.push(ToolClaim::new(span, false, ToolKind::Online, online));
        } else if ONLINE_IN_USE.find(sentence).is_some_and(|m| said_now(&m)) {
            out.push(ToolClaim::new(span, true, ToolKind::Online, online));
        }
        // A sentence that denies a tool does not also claim one ("we don't have a CRM, it
        // all goes in a spreadsheet" is one statement).
        if out.iter().any(|c| c.sentence == span && !c.uses) {
            continue;
        }
        for c in USES_TOOL.captures_iter(sentence).filter(now) {
            let group = |names: &[&str]| names.iter().find_map(|n| c.name(n));
            let claim = if let Some(m) = group(&[
                "cat", "cat2", "cat3", "cat4", "cat5", "cat6", "cat7", "cat9", "cat10", "cat11", "zcat", "zcat2",
                "zcat3", "zcat4", "zcat5",
            ]) {
                // A computer in use is a device, whatever its name.
                let kind = if c.name("cat11").is_some() { ToolKind::Device } else { tool_kind(m.as_str()) };
                Some((kind, m.as_str()))
            } else if let Some(m) = group(&[
                "name", "name2", "name3", "name4", "name5", "name6", "name7", "name9", "zname", "zname2", "zname3",
                "zname4",
            ]) {
                let name = m.as_str();
                // "McKesson." or "DeSouza." said alone is a company or a family, not a product.
                let surname = SURNAME_CAMEL.iter().any(|p| {
                    name.strip_prefix(p).is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_uppercase()))
                });
                // A lower-case word after "export ... out of" in unpunctuated speech is a product
                // only when it is no everyday word ("out of plotbook", not "out of there").
                let everyday = c.name("name7").is_some() && EXPORTED_NOT_TOOLS.contains(&name);
                if NOT_SOFTWARE.iter().any(|w| name.eq_ignore_ascii_case(w) || name.starts_with(w))
                    || not_a_tool(&name.to_lowercase())
                    || surname
                    || everyday
                {
                    None
                } else {
                    Some((ToolKind::Named, name))
                }
            } else {
                None
            };
            if let Some((kind, what)) = claim {
                out.push(ToolClaim::new(span, true, kind, what.to_owned()));
            }
        }
    }
    out
}

/// A rep question about a kind of tool: "No software at all?", "Do you use a CRM?", "有没有用什么系统？".
static TOOL_QUESTION: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)\b(?P<cat>crm|software|system|app|database)s?\b|(?P<zcat>系统|软件|CRM|crm)"));
/// A bare no: "None.", "Nope, nothing.", "没有。".
static BARE_NO: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)^\s*(?:(?:no|none|nope|nah|nothing|not\s+really|not\s+one)[\s,.!]*){1,2}$|^\s*(?:no|none|nope|nah|nothing)[.,!]\s+(?:(?:a|the|just|our|my|an)\s+){0,2}(?:paper|pen|whiteboard|notebook|diary|book|clipboard|notepad|wall\s+chart|phone)(?:\s+[a-z]+){0,2}\s*[.!]?\s*$|^\s*(?:没有|没|没用|没用过|没上过)[，。！\s]*$",
    )
});

/// A tool denied by a bare no to a question about that kind of tool ("No software at all?"
/// "None.").
fn denied_when_asked(question: &str, answer: &str, turn: usize) -> Option<ToolClaim> {
    if !BARE_NO.is_match(answer) || !question.trim_end().ends_with(['?', '？']) {
        return None;
    }
    let c = TOOL_QUESTION.captures(question)?;
    let what = c.name("cat").or(c.name("zcat"))?.as_str();
    let start = answer.len() - answer.trim_start().len();
    let sentence = Span { turn, start, end: answer.trim_end().len() };
    Some(ToolClaim::new(sentence, false, tool_kind(what), what.to_owned()))
}

/// An accounting package by name.
static ACCOUNTS_PACKAGE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:xero|quickbooks|sage\s+(?:50|one|accounting)|freeagent|myob|kashflow|zoho\s+books)\b|金蝶|用友|畅捷通",
    )
});
/// A change of tool said as such: "we moved from Sage to Xero", "we used to be on QuickBooks",
/// "以前用金蝶，后来换了用友".
static CHANGED_TOOL: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:moved|moving|switch(?:ed|ing)?|chang(?:ed|ing)|migrat\w*|used\s+to|old|new|before|instead|previous(?:ly)?|both|as\s+well\s+as|and\s+also|versus|vs|or\s+(?:xero|quickbooks|sage|freeagent|myob))\b|以前|之前|原来|换了|换成|改用|后来|还是|或者|都用",
    )
});

/// A tool denied and, in another turn, one of its kind in use (either way round); or two
/// places each said to hold everything ("it all lives in Google Sheets" ... "it's all in
/// Outlook").
fn tool_conflicts(claims: &[ToolClaim]) -> Vec<Restated> {
    let first_word = |c: &ToolClaim| c.what.split_whitespace().next().unwrap_or("").to_lowercase();
    let mut out = Vec::new();
    // Two packages named in one turn ("some clients are on Xero and some on QuickBooks"): the
    // business works with both, and naming either later contradicts nothing.
    let books = |c: &&ToolClaim| c.kind == ToolKind::Accounts;
    let both = claims
        .iter()
        .filter(books)
        .any(|a| claims.iter().filter(books).any(|b| a.sentence.turn == b.sentence.turn && a.what != b.what));
    // Packages of books clash by name; other tools by kind, a no against a use.
    let clash = |e: &ToolClaim, later: &ToolClaim| match (e.kind, later.kind) {
        (ToolKind::Accounts, ToolKind::Accounts) => !both && e.what != later.what,
        (ToolKind::Accounts, _) | (_, ToolKind::Accounts) => false,
        (ToolKind::Keeps, ToolKind::Keeps) => e.record == later.record && e.what != later.what,
        (ToolKind::Keeps, _) | (_, ToolKind::Keeps) => false,
        _ if e.everything != later.everything => false,
        _ if later.everything => first_word(e) != first_word(later),
        _ => e.uses != later.uses && if e.uses { clashes(later.kind, e.kind) } else { clashes(e.kind, later.kind) },
    };
    for (i, later) in claims.iter().enumerate() {
        let earlier = claims[..i].iter().find(|e| e.sentence.turn != later.sentence.turn && clash(e, later));
        if let Some(e) = earlier {
            let uses = match (later.everything, later.uses) {
                _ if later.kind == ToolKind::Accounts => "books",
                _ if later.kind == ToolKind::Keeps => "instead",
                (true, _) => "instead",
                (false, true) => "yes",
                (false, false) => "no",
            };
            out.push(Restated {
                subject: "tools",
                earlier: e.sentence,
                later: later.sentence,
                explanation: Message::new("call.conflict.tools")
                    .with("uses", uses)
                    .with("what", later.what.as_str())
                    .with("turn", e.sentence.turn.to_string())
                    .with("before", e.what.as_str()),
            });
        }
    }
    out
}

// ---------------------------------------------------------------------------------------
// The contact's own team

/// A team's size said counting the speaker: "four of us", "nine handlers, me included",
/// "just me and Jordo", "the three lads plus me", "算上我五个人", "就我跟小王两个".
static EN_TEAM_TOTAL: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"(?i)\b(?P<a>{n})\s+of\s+us\b|\b(?:just|only)\s+me\s+and\s+(?P<two>(?-i:[A-Z])[a-z]+|my\s+[a-z]+)\b|\b(?P<c>{n})\s+(?:[a-z-]+,?\s+){{0,3}}?(?:me\s+included|including\s+me|counting\s+me)\b|\b(?P<d>{n})\s+(?:[a-z-]+,?\s+){{0,2}}?plus\s+me\b|^\s*(?P<e>{n})\s*[.,]",
        n = r"\d+|(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:-[a-z]+)?|zero|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen"
    ))
});
static EN_SELF_COUNTED: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)\b(?:me\s+included|including\s+me|counting\s+me)\b"));
static ZH_TEAM_TOTAL: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"(?:算上我|包括我|连我在内|加上我)(?:一共|总共|也就|就)?(?P<a>{ZH_NUM})个人|(?P<b>{ZH_NUM})个人?[，,]?\s?(?:算上我|包括我|连我在内|加上我)|就我(?:跟|和)(?:小|老)?[\p{{Han}}]{{1,2}}(?:两个|俩)"
    ))
});
/// What the team is: "on sales", "the commercial desk", 销售.
static SCOPE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:on|whole|entire)\s+(?:the\s+)?(?P<w>(?:[a-z]+\s+)?[a-z]+)|\b(?:in|just|only)\s+(?:the\s+)?(?P<w2>(?:[a-z]+\s+)?(?:office|desk|team|department|shop|workshop|warehouse|kitchen|shed|yard|studio|plant|factory|lab))\b|(?P<z>销售|客服|技术|调度|财务|市场|运营|设计|售后|前台)",
    )
});
const SCOPE_STOP: &[&str] =
    &["the", "road", "site", "call", "board", "phone", "hand", "top", "time", "thing", "team", "lot"];

#[derive(Debug)]
struct TeamTotal {
    sentence: Span,
    value: f64,
    scope: Vec<String>,
}

fn team_totals(text: &str, turn: usize) -> Vec<TeamTotal> {
    let mut out = Vec::new();
    let ranges = sentences(text);
    for (i, &(a, b)) in ranges.iter().enumerate() {
        let sentence = &text[a..b];
        // Unpunctuated speech runs a whole answer into one "sentence": there a wish or plan
        // must be near the count ("we want to be ten of us"), not anywhere in the answer.
        let run_on = sentence.split_whitespace().count() > RUN_ON_WORDS;
        if !run_on && NOT_NOW.is_match(sentence) {
            continue;
        }
        // A bare figure answering "how many?" counts the team when the next sentence says so
        // ("Six. That's the whole desk, me included.").
        let next = ranges.get(i + 1).map_or("", |&(x, y)| &text[x..y]);
        let scope_text = if i == 0 { format!("{sentence} {next}") } else { sentence.to_owned() };
        let mut scope: Vec<String> = SCOPE
            .captures_iter(&scope_text)
            .filter_map(|c| c.name("w").or(c.name("w2")).or(c.name("z")).map(|m| m.as_str().to_lowercase()))
            .flat_map(|w| w.split_whitespace().map(str::to_owned).collect::<Vec<_>>())
            .filter(|w| !SCOPE_STOP.contains(&w.as_str()) && (w.chars().count() >= 4 || crate::facts::has_han(w)))
            .collect();
        scope.dedup();
        if scope.is_empty() {
            continue;
        }
        let span = Span { turn, start: a, end: b };
        if let Some(c) = EN_TEAM_TOTAL.captures(sentence) {
            let whole = c.get(0).map_or((0, 0), |m| (m.start(), m.end()));
            if run_on && not_now_at(sentence, whole) {
                continue;
            }
            let v = if c.name("two").is_some() {
                Some(2.0)
            } else if let Some(m) = c.name("d") {
                figure(m.as_str()).map(|v| v + 1.0)
            } else if let Some(m) = c.name("e") {
                // Only at the start of an answer, and only when it says it counts the speaker.
                if i == 0 && EN_SELF_COUNTED.is_match(next) { figure(m.as_str()) } else { None }
            } else {
                c.name("a").or(c.name("c")).and_then(|m| figure(m.as_str()))
            };
            if let Some(v) = v.filter(|v| *v >= 1.0) {
                out.push(TeamTotal { sentence: span, value: v, scope });
            }
            continue;
        }
        if let Some(c) = ZH_TEAM_TOTAL.captures(sentence) {
            let v = match c.name("a").or(c.name("b")) {
                Some(m) => parse_zh_number(m.as_str()),
                None => Some(2.0),
            };
            if let Some(v) = v.filter(|v| *v >= 1.0) {
                out.push(TeamTotal { sentence: span, value: v, scope });
            }
        }
    }
    out
}

fn team_conflicts(totals: &[TeamTotal]) -> Vec<Restated> {
    let mut out = Vec::new();
    for (i, later) in totals.iter().enumerate() {
        let earlier = totals[..i].iter().find(|e| {
            e.sentence.turn != later.sentence.turn
                && e.scope.iter().any(|w| later.scope.contains(w))
                && (e.value - later.value).abs() / e.value.max(later.value) > 0.25
        });
        if let Some(e) = earlier {
            out.push(Restated {
                subject: "team_size",
                earlier: e.sentence,
                later: later.sentence,
                explanation: Message::new("call.conflict.team")
                    .with("now", trim(later.value))
                    .with("turn", e.sentence.turn.to_string())
                    .with("before", trim(e.value)),
            });
        }
    }
    out
}

// ---------------------------------------------------------------------------------------
// The age of the business

/// Numbers of years or months said in words in an age.
const AGE_WORDS: &str = "two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty";
/// How long the business has been going, said as a span or as the year it began: "we've only
/// been open two years", "trading since 2019", "founded in 2008", "零八年成立", "开了三年多".
static EN_AGE: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"(?i)\b(?:we['’]ve|we\s+have|it['’]s|it\s+has|they['’]ve|the\s+[a-z]+\s+has)\s+(?:only\s+|just\s+)?been\s+(?:open|going|trading|running|in\s+business|operating|around)\s+(?:for\s+)?(?:about\s+|nearly\s+|almost\s+|over\s+|just\s+|only\s+)?(?P<n>\d+|{w})\s+(?P<unit>years?|months?)\b|\b(?:open|going|trading|running|in\s+business|operating|opened|started|founded|set\s+up|established)\s+(?:back\s+)?(?:in|since)\s+(?P<year>(?:19|20)\d\d)\b|\b(?:started|founded|set\s+up|opened|set|began)\s+(?:the|this|our|his|her|their)\s+(?:company|business|firm|shop|practice)(?:\s+up)?(?:\s+(?:back\s+)?in\s+|\s*[.,]\s*)(?:(?P<year2>(?:19|20)\d\d)|['’](?P<short>\d\d))\b",
        w = AGE_WORDS
    ))
});
static ZH_AGE: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"(?P<year>(?:19|20)\d\d|[零〇一二九][零〇一二三四五六七八九])年(?:就|才|的时候)?(?:成立|开的|开业|创办|注册的|开张|创立)|(?:开了|成立|开业|(?:我们|咱们|俺们|店|公司|厂)\p{{Han}}{{0,8}}?(?:做了|干了))(?:有|快|差不多|都|将近|也才|才|也就|就)?(?P<n>{ZH_NUM})(?:来|(?P<more>多))?(?P<unit>年|个月)(?:了)?|(?:我们|咱们|俺们)(?:店|公司|厂|工作室)\p{{Han}}{{0,8}}?(?:做|干)\p{{Han}}{{0,6}}?都(?P<n2>{ZH_NUM})(?:来|(?P<more2>多))?(?P<unit2>年)了|(?P<rel>今年|去年|前年)\p{{Han}}{{0,4}}?才(?:搬|开|成立|开业|开张)",
    ))
});
/// A rep question about how long the business has been going, which a bare "Since 2019." or
/// "Three years." answers.
static AGE_QUESTION: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\bhow\s+long\s+(?:has|have|is|are)\s+(?:[\w'’]+\s+){0,4}?(?:been\s+(?:going|open|around|trading|running|operating)|in\s+business)\b|\bhow\s+old\s+is\s+(?:the|your)\s+(?:business|company|firm|shop|practice|studio)\b|\bwhen\s+did\s+(?:you|it|the\s+\w+)\s+(?:open|start\s+up|set\s+up|get\s+going)\b|(?:开了|成立了?)多(?:久|少年)",
    )
});
/// A sentence that is only a year: "2012."
static LONE_YEAR: LazyLock<Regex> = LazyLock::new(|| re(r"^\s*(?:19|20)\d\d\s*[.!]?\s*$"));
static BARE_AGE: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"(?i)^\s*(?:oh\s+|um\s+|uh\s+|well\s+)?(?:since\s+(?P<year>(?:19|20)\d\d)|(?:about\s+|nearly\s+|almost\s+|over\s+|just\s+)?(?P<n>\d+|{w})\s+(?P<unit>years?|months?))\b",
        w = AGE_WORDS
    ))
});

#[derive(Debug)]
struct Age {
    sentence: Span,
    years: f64,
}

fn ages_in(text: &str, turn: usize, question: Option<&str>, as_of: NaiveDate) -> Vec<Age> {
    let years = |c: &regex::Captures<'_>| -> Option<f64> {
        // "去年三月份才搬过来", "今年五月份才开的": only since this year, last year, the year before.
        if let Some(rel) = c.name("rel") {
            return Some(f64::from(years_back(rel.as_str())));
        }
        // "in '17": the last two digits of a year of this century when not ahead of now.
        if let Some(y) = c.name("short") {
            let n: i32 = y.as_str().parse().ok()?;
            let year = if 2000 + n <= as_of.year() { 2000 + n } else { 1900 + n };
            return Some(f64::from(as_of.year() - year));
        }
        if let Some(y) = c.name("year").or(c.name("year2")) {
            let y = y.as_str();
            // "零八年": two digits said one by one, this century when under the year now.
            let year = digit_by_digit(y).map(|n| match n {
                100.. => n,
                _ if 2000 + n <= as_of.year() => 2000 + n,
                _ => 1900 + n,
            })?;
            return (year <= as_of.year()).then(|| f64::from(as_of.year() - year));
        }
        // "十多年": more than ten, a fifth more taken as its least likely reading.
        // "六七年": two neighbouring figures, six or seven, taken as the smaller.
        let said = c.name("n").or(c.name("n2"))?.as_str();
        let n = neighbouring_figures(said).or_else(|| figure(said))?;
        let n = n * if c.name("more").or(c.name("more2")).is_some() { 1.2 } else { 1.0 };
        let unit = c.name("unit").or(c.name("unit2"))?.as_str();
        Some(if unit.starts_with("month") || unit == "个月" { n / 12.0 } else { n })
    };
    let mut out = Vec::new();
    if question.is_some_and(|q| AGE_QUESTION.is_match(q)) {
        if let Some(c) = BARE_AGE.captures(text) {
            let end = sentences(text).first().map_or(text.len(), |r| r.1);
            out.extend(years(&c).map(|years| Age { sentence: Span { turn, start: 0, end }, years }));
            return out;
        }
    }
    let ranges = sentences(text);
    for (i, &(a, b)) in ranges.iter().enumerate() {
        // "Since Gary started the company. 2012.": a year said alone next belongs to it.
        let b = match ranges.get(i + 1) {
            Some(&(next_a, next_b)) if LONE_YEAR.is_match(&text[next_a..next_b]) => next_b,
            _ => b,
        };
        let sentence = &text[a..b];
        let found = EN_AGE.captures(sentence).or_else(|| ZH_AGE.captures(sentence));
        // The year the business began is past by its nature: only the rest of the sentence
        // can make it a wish or a plan.
        let not_now = match found.as_ref().and_then(|c| c.get(0)) {
            Some(m) => NOT_NOW.is_match(&sentence[..m.start()]) || NOT_NOW.is_match(&sentence[m.end()..]),
            None => NOT_NOW.is_match(sentence),
        };
        if not_now {
            continue;
        }
        if let Some(years) = found.as_ref().and_then(years) {
            out.push(Age { sentence: Span { turn, start: a, end: b }, years });
        }
    }
    out
}

/// How many years back 今年, 去年 or 前年 is.
fn years_back(rel: &str) -> i32 {
    match rel {
        "去年" => 1,
        "前年" => 2,
        _ => 0,
    }
}

/// Two neighbouring Chinese figures said together ("六七", six or seven): the smaller.
fn neighbouring_figures(said: &str) -> Option<f64> {
    const DIGITS: &str = "一二三四五六七八九";
    let mut chars = said.chars();
    let (a, b) = (chars.next()?, chars.next()?);
    let value = |c: char| DIGITS.chars().position(|d| d == c).map(|i| i as f64 + 1.0);
    let (x, y) = (value(a)?, value(b)?);
    (chars.next().is_none() && y == x + 1.0).then_some(x)
}

/// Two ages of the business far apart: at least two years and half again the smaller.
fn age_conflicts(ages: &[Age]) -> Vec<Restated> {
    let mut out = Vec::new();
    for (i, later) in ages.iter().enumerate() {
        let earlier = ages[..i].iter().find(|e| {
            let (lo, hi) = if e.years < later.years { (e.years, later.years) } else { (later.years, e.years) };
            e.sentence.turn != later.sentence.turn && hi - lo >= 2.0 && hi >= lo * 1.5
        });
        if let Some(e) = earlier {
            out.push(Restated {
                subject: "age",
                earlier: e.sentence,
                later: later.sentence,
                explanation: Message::new("call.conflict.age")
                    .with("now", trim(later.years))
                    .with("turn", e.sentence.turn.to_string())
                    .with("before", trim(e.years)),
            });
        }
    }
    out
}

// ---------------------------------------------------------------------------------------
// When a move or an opening happened

/// A move or an opening dated by its month and year: "去年十月搬到", "今年三月份搬进来",
/// "前年五月新店开业". Only dates said with their year count: a bare month may be last year's
/// or this year's.
static ZH_EVENT_MONTH: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?P<rel>今年|去年|前年)(?P<m>十[一二]?|[一二三四五六七八九]|1[0-2]|[1-9])月份?(?:底|初|中)?(?:的时候|那会儿?)?\p{Han}{0,3}?(?:才|就|刚)?(?:(?P<moved>搬)|(?P<opened>开业|开张|开门|开的))",
    )
});
/// A second move or opening, or another place's: "又搬了一次", "老店", "分店".
static ANOTHER_EVENT: LazyLock<Regex> = LazyLock::new(|| re(r"又|再|第二|两次|上次|老店|分店|原来那|以前那|之前那"));

#[derive(Debug)]
struct EventMonth {
    sentence: Span,
    moved: bool,
    /// Months since the year 0: year * 12 + month - 1.
    month: i32,
}

fn event_months(text: &str, turn: usize, as_of: NaiveDate) -> Vec<EventMonth> {
    let mut out = Vec::new();
    for (a, b) in sentences(text) {
        let sentence = &text[a..b];
        if ANOTHER_EVENT.is_match(sentence) {
            continue;
        }
        let Some(c) = ZH_EVENT_MONTH.captures(sentence) else { continue };
        let year = as_of.year() - c.name("rel").map_or(0, |m| years_back(m.as_str()));
        let Some(m) = c.name("m").and_then(|m| figure(m.as_str())).filter(|m| (1.0..=12.0).contains(m)) else {
            continue;
        };
        let month = year * 12 + m as i32 - 1;
        // Both dates are past: a move planned for later in this year is no restatement.
        if month > as_of.year() * 12 + as_of.month0() as i32 {
            continue;
        }
        out.push(EventMonth { sentence: Span { turn, start: a, end: b }, moved: c.name("moved").is_some(), month });
    }
    out
}

/// The same kind of event dated two ways, three months or more apart.
fn event_conflicts(events: &[EventMonth]) -> Vec<Restated> {
    let mut out = Vec::new();
    for (i, later) in events.iter().enumerate() {
        let earlier = events[..i].iter().find(|e| {
            e.moved == later.moved && e.sentence.turn != later.sentence.turn && (e.month - later.month).abs() >= 3
        });
        if let Some(e) = earlier {
            let (now_year, now_month) = (later.month.div_euclid(12), later.month.rem_euclid(12) + 1);
            let (before_year, before_month) = (e.month.div_euclid(12), e.month.rem_euclid(12) + 1);
            out.push(Restated {
                subject: "when",
                earlier: e.sentence,
                later: later.sentence,
                explanation: Message::new("call.conflict.when")
                    .with("what", if later.moved { "moved" } else { "opened" })
                    .with("now_year", now_year.to_string())
                    .with("now_month", now_month.to_string())
                    .with("turn", e.sentence.turn.to_string())
                    .with("before_year", before_year.to_string())
                    .with("before_month", before_month.to_string()),
            });
        }
    }
    out
}

/// Every pair of the prospect's statements, in different turns, that restate a rate, the size
/// of their own team or the age of the business with a figure far off, or contradict each
/// other about the tools in use; at most one pair per later sentence and subject.
pub(crate) fn restated(transcript: &Transcript, as_of: NaiveDate) -> Vec<Restated> {
    let mut rates = Vec::new();
    let mut tools = Vec::new();
    let mut teams = Vec::new();
    let mut ages = Vec::new();
    let mut events = Vec::new();
    for turn in transcript.turns.iter().filter(|t| t.role == Role::Prospect) {
        rates.extend(rates_in(&turn.text, turn.index));
        let question = turn.index.checked_sub(1).and_then(|i| transcript.turns.get(i)).filter(|q| q.role == Role::Rep);
        rates.extend(question.and_then(|q| rate_answered(&q.text, &turn.text, turn.index)));
        tools.extend(question.and_then(|q| denied_when_asked(&q.text, &turn.text, turn.index)));
        tools.extend(tool_claims(&turn.text, turn.index));
        teams.extend(team_totals(&turn.text, turn.index));
        ages.extend(ages_in(&turn.text, turn.index, question.map(|q| q.text.as_str()), as_of));
        events.extend(event_months(&turn.text, turn.index, as_of));
    }
    let mut out = rate_conflicts(&rates);
    out.extend(tool_conflicts(&tools));
    out.extend(team_conflicts(&teams));
    out.extend(age_conflicts(&ages));
    out.extend(event_conflicts(&events));
    out.dedup_by(|b, a| a.subject == b.subject && a.later == b.later);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use sift_core::Language;

    fn found(lines: &[&str]) -> Vec<Restated> {
        let turns: Vec<(&str, Role, &str)> = lines
            .iter()
            .map(|l| match l.strip_prefix("R: ") {
                Some(rep) => ("Rep", Role::Rep, rep),
                None => ("Pat", Role::Prospect, *l),
            })
            .collect();
        let language = if lines.iter().any(|l| crate::facts::has_han(l)) { Language::Zh } else { Language::En };
        restated(&Transcript::from_turns(language, &turns), NaiveDate::from_ymd_opt(2026, 12, 1).unwrap_or_default())
    }

    fn subjects(lines: &[&str]) -> Vec<&'static str> {
        found(lines).iter().map(|r| r.subject).collect()
    }

    #[test]
    fn a_rate_restated_far_off_is_a_contradiction() {
        // The thing named later, first said without a name after the thing was mentioned.
        let lines = [
            "R: How do bookings reach you?",
            "Bookings land through the app and by phone. We take roughly eighty a week, give or take.",
            "R: Who handles them?",
            "Me and Sam.",
            "R: And how busy does it get?",
            "Not very, honestly. Twenty or so bookings in a week.",
        ];
        let r = found(&lines);
        assert_eq!(r.len(), 1, "{r:?}");
        assert_eq!(r[0].subject, "rate");
        assert_eq!((r[0].earlier.turn, r[0].later.turn), (1, 5));
        assert!(r[0].explanation.english().contains("turn 1"), "{}", r[0].explanation.english());
        // Both named, exact figures.
        assert_eq!(subjects(&["We run 40 courses a year.", "R: OK.", "We run 12 courses a year."]), ["rate"]);
        // Chinese: orders a month.
        assert_eq!(subjects(&["我们一个月差不多三百来单。", "R: 嗯。", "一个月也就八十单吧。"]), ["rate"]);
        assert_eq!(subjects(&["每个月大概有两百个客户咨询。", "R: 好。", "每个月其实就五十个客户。"]), ["rate"]);
        // Told again in another period, far off once both are a month's worth.
        assert_eq!(
            subjects(&["We book roughly 80 tours a month.", "R: Busy!", "Honestly it's maybe 150 tours a year."]),
            ["rate"]
        );
        assert_eq!(subjects(&["一个礼拜差不多三十来单。", "R: 嗯。", "一年下来其实也就三百单。"]), ["rate"]);
        // Thousands in words, the thing followed by who does it; "about" does not stretch a
        // figure said to two digits.
        assert_eq!(
            subjects(&[
                "We handle about eighteen hundred funerals a year across both homes.",
                "R: And pricing?",
                "With the two and a half thousand funerals we do a year, price for that.",
            ]),
            ["rate"]
        );
        // Visits a month, with the verb between the period and the figure.
        assert_eq!(
            subjects(&["我们一个月要上门量一百二十户左右。", "R: 一天跑几户？", "量尺一个月也就上门四十来户。"]),
            ["rate"]
        );
    }

    #[test]
    fn a_bare_figure_answering_a_rate_question_is_that_rate() {
        assert_eq!(
            subjects(&[
                "R: How many new bookings do you take in a month?",
                "About thirty.",
                "R: And the team?",
                "Four of us. We get ninety-odd new bookings a month in the summer, easily.",
            ]),
            ["rate"]
        );
        // Close figures, another thing counted, or a question that asks no rate.
        assert!(
            subjects(&[
                "R: How many new bookings do you take in a month?",
                "About thirty.",
                "R: OK.",
                "We get thirty-odd new bookings a month.",
            ])
            .is_empty()
        );
        assert!(
            subjects(&[
                "R: How many staff have you got?",
                "About thirty.",
                "R: OK.",
                "We get ninety new bookings a month."
            ])
            .is_empty()
        );
    }

    #[test]
    fn close_rates_parts_other_periods_and_plans_are_not_contradictions() {
        let none = |lines: &[&str]| assert!(found(lines).is_empty(), "{lines:?}: {:?}", found(lines));
        // Close enough for a guess.
        none(&["About sixty enquiries a month.", "R: OK.", "Fifty-odd enquiries a month, I'd say."]);
        // A part of the whole.
        none(&["We get about sixty enquiries a month.", "R: And viewings?", "Fifteen a month turn into viewings."]);
        none(&["Around 200 leads a month.", "R: From where?", "Maybe 30 leads a month come from the website."]);
        // Another period, another thing, money, time.
        none(&["We do 40 installs a month.", "R: OK.", "Twelve installs a week."]);
        none(&["Ten vans a day go out.", "R: And quotes?", "Forty quotes a day."]);
        none(&["We spend $500 a month on it.", "R: OK.", "And another $90 a month for texts."]);
        none(&["It takes twenty hours a week.", "R: OK.", "Five hours a week for invoicing alone."]);
        // Money said without a currency is not a count.
        none(&[
            "Anything over four thousand a year goes to the board.",
            "R: OK.",
            "We set aside twelve thousand a year for it.",
        ]);
        // A target, a wish, the past.
        none(&["We sell about 30 boxes a week.", "R: Goal?", "We want to sell 300 boxes a week."]);
        none(&["We did 90 jobs a month back in 2019.", "R: Now?", "About 40 jobs a month."]);
        none(&["一个月三百单左右。", "R: 明年呢？", "明年目标是一个月一千单。"]);
        // A level the boss wants from next month is a target, not the rate now.
        none(&["改色加车衣一个月二十来台吧。", "R: 那以后呢？", "老板说了，下个月开始每天要做二十台全车改色。"]);
        // The same turn: a speaker correcting themselves mid-answer is not contradicting.
        none(&["We get about 60 calls a day, well, 30 calls a day on a quiet week."]);
        none(&["About 2,000 visitors a year.", "R: OK.", "We see roughly 1,800 visitors a year."]);
        none(&["About two thousand visitors we get a year.", "R: OK.", "Fifteen hundred visitors a year or so."]);
        // Nothing named on either side.
        none(&["About sixty a month.", "R: OK.", "Ten a month."]);
    }

    #[test]
    fn the_tools_in_use_contradicted() {
        let r = found(&[
            "Honestly we've never had any system for the rota, it's all in my head.",
            "R: How do you send the rota out?",
            "I print it from Shiftly every Sunday and pin it up.",
        ]);
        assert_eq!(r.len(), 1, "{r:?}");
        assert_eq!(r[0].subject, "tools");
        assert!(r[0].explanation.english().contains("Shiftly"), "{}", r[0].explanation.english());
        assert_eq!(
            subjects(&[
                "Jobs go into Tradeflow, that's our CRM.",
                "R: OK.",
                "We don't have a CRM or anything like that."
            ]),
            ["tools"]
        );
        // No system and, turns later, a system that does a job: "the booking system texts them".
        assert_eq!(
            subjects(&[
                "we dont have a system or anything like that its just the diary",
                "R: do people not turn up",
                "hardly any the booking system texts them the night before with the check in time so people turn up and if its blowing a gale we just ring round the lot of them and move everyone to the next morning",
            ]),
            ["tools"]
        );
        // No software, and later results going into the lab's LIMS; no system "really", and
        // later quotes that come out of a product they pay for.
        assert_eq!(
            subjects(&[
                "one of us types it all into a spreadsheet we don't have any software in the lab at all",
                "R: and the results",
                "so results go into our lims we've had it since like twenty nineteen",
            ]),
            ["tools"]
        );
        assert_eq!(
            subjects(&[
                "so uh we don't really have a system for it it's a spreadsheet with the mileage rates and i type the pickup in and it gives me a price so yeah it's all excel really",
                "R: what would it need to do",
                "well the thing is we already pay for coachdesk and the quotes come out of coachdesk it's just so slow",
            ]),
            ["tools"]
        );
        // No computer at all, and later the enquiries read on a laptop.
        assert_eq!(
            subjects(&[
                "I don't own a computer, never have. Everything goes in a big paper diary.",
                "R: How do new customers get in touch?",
                "The enquiries land in my email, and I go through them on my laptop after tea.",
            ]),
            ["tools"]
        );
        assert_eq!(
            subjects(&[
                "It all goes in the diary. Mr Okafor won't hear of a computer for the appointments.",
                "R: How do they find out?",
                "The system texts them. The day before.",
            ]),
            ["tools"]
        );
        assert_eq!(
            subjects(&["There's not even a spreadsheet.", "R: OK.", "Then I paste the totals into a spreadsheet."]),
            ["tools"]
        );
        // Nothing tracked but a notebook, then an app that logs it; nothing on a computer, then
        // a spreadsheet pulled up; no system, then a report exported from "our rental
        // software"; never any software, then "the booking app we already pay for".
        for lines in [
            [
                "we don't really track it its just a notebook on top of the machines",
                "R: how many jams this year",
                "ray logs every jam in lanelog thats the app on his phone and it emails me a summary",
            ],
            [
                "its all paper honestly nothing goes on a computer theres a clipboard on each door",
                "R: could you show him the quote",
                "yeah he pulls up the spreadsheet on the office tablet and we go down it line by line",
            ],
            [
                "there's no system for it at all it's paper contracts in a filing cabinet",
                "R: how do you find who's overdue",
                "every monday i export the overdue report out of our rental software and call down the list",
            ],
            [
                "We've never had any software here, Pauline's a bit old-school.",
                "R: Our yards like the text reminders.",
                "Well, the booking app we already pay for sends reminders, to be fair.",
            ],
        ] {
            assert_eq!(subjects(&lines), ["tools"], "{lines:?}");
        }
        // Data said to sit in a product; a module of "our ERP".
        assert_eq!(
            subjects(&[
                "We've never had a proper system, it's all lived in sheets since day one.",
                "R: What's the headache?",
                "Moving the data. We've got four years of candidate history sitting in HireLedger.",
            ]),
            ["tools"]
        );
        assert_eq!(
            subjects(&[
                "全靠一块大白板加Excel，就一个计划员在排，什么系统都没上过。",
                "R: 报工呢？",
                "我们ERP里那个生产模块派出来的工单跟现场对不上。"
            ]),
            ["tools"]
        );
        // A product named in lower case by speech recognition; a bare "None." with what they
        // use instead; an answer that opens with the product's name.
        assert_eq!(
            subjects(&[
                "its all paper clipboards theres no system at all not on any site",
                "R: so how does head office see progress",
                "every friday i export the site diary out of plotbook for each site and email him the pdfs",
            ]),
            ["tools"]
        );
        assert_eq!(
            subjects(&[
                "R: And once they're in, where do they live? Any software?",
                "None. Paper diary.",
                "R: What about contracts and deposits?",
                "Pixbook. Had it three years. Every enquiry drops straight into it.",
            ]),
            ["tools"]
        );
        assert_eq!(
            subjects(&["我们店里一直用的客满多。", "R: 好的。", "说实话我们没用过什么软件，都是手写。"]),
            ["tools"]
        );
        assert_eq!(subjects(&["我们连个表格都没有。", "R: 那账怎么对？", "月底我把数导到表格里对一下。"]), ["tools"]);
        assert_eq!(
            subjects(&[
                "店里没搞什么系统的 全部都是手工啦",
                "R: 库存呢",
                "erp里面一拉就出来了 我们那个erp用了五六年了"
            ]),
            ["tools"]
        );
        assert_eq!(
            subjects(&["报名啥的都在那个学满满上弄 用了两年多了", "R: 那报名表呢", "就是纸的呀 我们没系统 报名表手写"]),
            ["tools"]
        );
        assert_eq!(
            subjects(&["说实话啥软件都没有，靠电话。", "R: 那订单呢？", "订单都记在那个易订宝里头。"]),
            ["tools"]
        );
        // A kind named with its purpose ("rental software"), and a tool named as "the CRM we pay for".
        assert_eq!(
            subjects(&[
                "We don't run any rental software at all.",
                "R: And reminders?",
                "Kitbook, that's our rental system, sends them."
            ]),
            ["tools"]
        );
        assert_eq!(
            subjects(&[
                "We don't have a CRM, never have.",
                "R: Follow-ups?",
                "I open Harbour, that's the CRM we've been paying for, every Monday."
            ]),
            ["tools"]
        );
        assert_eq!(subjects(&["我们到现在一套系统都没上过。", "R: 那销售呢？", "我们CRM用了快三年了。"]), ["tools"]);
        // A bare no read with its question; a tool named by what is typed into it, or as
        // "this old tracking thing we've had for years".
        assert_eq!(
            subjects(&[
                "R: A paper ledger? No software at all?",
                "None.",
                "R: And the hours?",
                "The lads type them into Tallyworks on the PC."
            ]),
            ["tools"]
        );
        assert_eq!(
            subjects(&[
                "We don't use any software for the jobs, none at all.",
                "R: And hours?",
                "They go in timewise on the tablet, it's this old job tracking thing we've had for years."
            ]),
            ["tools"]
        );
        // A product named by its internal capital doing the work; a mini-program the jobs go out on.
        assert_eq!(
            subjects(&[
                "R: Do you use any software for orders or deliveries?",
                "No. Nothing.",
                "R: How do the drivers know where to go?",
                "TideSheet prints the run. The restaurants put their orders in it."
            ]),
            ["tools"]
        );
        assert_eq!(
            subjects(&[
                "我们没有用啥子系统的 就是一个本本记着",
                "R: 那单子怎么派",
                "现在上门的单子就是在琴管家小程序里头派的",
            ]),
            ["tools"]
        );
        // A product named alone, or as what everything goes through; a no and a paper tool.
        assert_eq!(
            subjects(&[
                "R: What do you dispatch with?",
                "TugLog. The ships' agents book in it and it pushes the jobs to the tablets.",
                "R: And on a busy day?",
                "It's the whiteboard and the VHF. There's no system, never has been.",
            ]),
            ["tools"]
        );
        assert_eq!(
            subjects(&[
                "R: Do you use any software for the service visits?",
                "No. Paper diary.",
                "R: How do the technicians know where to go?",
                "No, sure I put them all into the app every morning and it pings their phones.",
            ]),
            ["tools"]
        );
        assert_eq!(
            subjects(&[
                "there's no computer for it really its all paper run sheets and the big whiteboard",
                "R: and the discharges",
                "nah it goes in the cad first the computer dispatch thing every job gets typed in there",
            ]),
            ["tools"]
        );
        // A family name with an inner capital is no product.
        assert!(subjects(&["R: Who supplies you?", "McKesson.", "R: Software?", "There's no system."]).is_empty());
        // A system whose contract runs out is a system in use.
        assert_eq!(
            subjects(&[
                "我们现在是完全没有用任何系统的 就全靠表格",
                "R: 那数据能导出来吗",
                "呃 这个得看 我们现在那个系统吧 明年三月份才到期 续费贵得要死",
            ]),
            ["tools"]
        );
    }

    #[test]
    fn two_places_each_said_to_hold_everything() {
        assert_eq!(
            subjects(&[
                "It all lives in Airtable, one base per crew.",
                "Okay.",
                "Every job's logged by phone, it's all in Trello, always has been."
            ]),
            vec!["tools"]
        );
        // The same place twice, months, languages and questions are not.
        assert!(subjects(&["It's all in Trello.", "OK.", "Yes, everything goes into Trello boards."]).is_empty());
        assert!(
            subjects(&["It's all in March, the big push.", "OK.", "It's all in English, the paperwork."]).is_empty()
        );
        assert!(subjects(&["Is it all in Trello?", "OK.", "It's all in Airtable."]).is_empty());
    }

    #[test]
    fn not_online_then_online_or_one_record_in_two_tools_are_contradictions() {
        assert_eq!(
            subjects(&[
                "it's all cash at the door, there's no online anything, we count it on the night",
                "R: and the bigger gifts",
                "most of those come through the donate button on our website now",
            ]),
            ["tools"]
        );
        assert_eq!(
            subjects(&[
                "Orders come in by phone and fax, there's no online side at all.",
                "R: and payments",
                "The online portal we use takes the card payments.",
            ]),
            ["tools"]
        );
        let r = found(&["We're not online at all.", "R: OK.", "Most regulars book online now."]);
        let said = r.first().map(|r| r.explanation.english()).unwrap_or_default();
        assert!(said.contains("they use online channels, but turn 0 said they had no online channels"), "{said}");
        assert_eq!(
            subjects(&[
                "We book everyone in by phone. Nothing's done online.",
                "R: And regulars?",
                "Regulars mostly book online these days.",
            ]),
            ["tools"]
        );
        let r =
            found(&["排班都放在钉钉里，大家手机上就能看。", "R: 好的。", "排班我们现在就是Excel，店长电脑里一份。"]);
        assert_eq!(r.iter().map(|r| r.subject).collect::<Vec<_>>(), ["tools"], "{r:?}");
        assert!(r[0].explanation.english().contains("excel"), "{}", r[0].explanation.english());
        // A change said as such, one tool in both turns, other records, or a wish: no clash.
        let none = |lines: &[&str]| assert!(found(lines).is_empty(), "{lines:?}: {:?}", found(lines));
        none(&["排班以前放在Excel里。", "R: 现在呢？", "排班现在都放在钉钉里。"]);
        none(&["排班都放在钉钉里。", "R: 好。", "排班我们一直用的是钉钉。"]);
        none(&["排班都放在钉钉里。", "R: 好。", "订单我们现在就是Excel。"]);
        none(&["There's no online anything yet.", "R: OK.", "We'd love people to book online next year."]);
    }

    #[test]
    fn two_accounting_packages_or_no_screens_then_tablets_are_contradictions() {
        assert_eq!(
            subjects(&[
                "i type it all up at night and the invoices go out through xero",
                "R: one techy question what do you run your accounts on",
                "quickbooks everything lives in quickbooks so it'd have to sync with that",
            ]),
            vec!["tools"]
        );
        assert_eq!(
            subjects(&[
                "so its all paper the nurses sign as they go theres no screens or anything",
                "R: and how many nurses on a round",
                "the top floor has been on the tablets since the summer with the pilot",
            ]),
            vec!["tools"]
        );
        // Never digital for the bookings, then a calendar by name that every booking goes in.
        assert_eq!(
            subjects(&[
                "It's the phone and a big paper book. We never went digital with the lessons.",
                "R: And how do the instructors see their day?",
                "The Outlook calendar, mostly. Every lesson goes in there and they check it on their phones.",
            ]),
            vec!["tools"]
        );
        // A change said as such, the same package twice, or both named together are not.
        let none = |lines: &[&str]| assert!(found(lines).is_empty(), "{lines:?}: {:?}", found(lines));
        none(&[
            "We never went digital with the lessons.",
            "R: OK.",
            "The paper book, mostly. Every lesson goes in there.",
        ]);
        none(&["We moved from Sage to Xero last year.", "R: OK.", "Everything's in Xero now."]);
        none(&["The invoices go out through Xero.", "R: OK.", "Yes, Xero does the books."]);
        none(&["Some clients are on Xero and some on QuickBooks.", "R: OK.", "We sync with QuickBooks too."]);
        none(&["以前用金蝶，后来换了用友。", "R: 好的。", "现在都在用友里。"]);
    }

    #[test]
    fn other_tools_the_past_and_wishes_are_not_contradictions() {
        let none = |lines: &[&str]| assert!(found(lines).is_empty(), "{lines:?}: {:?}", found(lines));
        // A spreadsheet pulled up is no contradiction of "no CRM"; an app wanted is not in use.
        none(&["We don't have a CRM.", "R: How do you check?", "I pull up the spreadsheet every Monday."]);
        none(&["Nothing goes on a computer.", "R: OK.", "That's the app we'd want, if the price is right."]);
        // No software, but a laptop: a computer says nothing about software.
        none(&["We don't use any software for it.", "R: Email?", "I read it on my laptop at night."]);
        // No CRM, but an accounting package: not the same thing.
        none(&["We don't have a CRM.", "R: Accounts?", "We use Xero for the accounts."]);
        // No software, but a spreadsheet: a spreadsheet was not denied.
        none(&["We don't use any software for it.", "R: So how?", "It goes into a spreadsheet."]);
        // One statement: no CRM, so a spreadsheet.
        none(&["We don't have a CRM, it all goes into a spreadsheet."]);
        // The past and a wish.
        none(&["We used to use Fleetbook years ago.", "R: And now?", "We don't have any system now."]);
        none(&["We don't have a system.", "R: Ideal?", "Ideally it would all go into a system."]);
        none(&["我们以前用过一个系统。", "R: 现在呢？", "现在没有系统了。"]);
        // WeChat is not software for this purpose.
        none(&["我们没有系统。", "R: 那单子怎么派？", "一直用的微信群。"]);
        none(&["啥系统都没有。", "R: 客户电话呢？", "都记在本子里。"]);
        // A question is not a claim.
        none(&["We don't have a CRM.", "R: OK.", "Is Tradeflow your CRM?"]);
        // A system that would send texts is a wish, and the supplier's system is not theirs.
        none(&["We don't have a system.", "R: Ideal?", "Ideally the system texts them the day before."]);
        // The rep's product, or the CRM someone else runs, is not the contact's own.
        none(&["We don't have a CRM.", "R: OK.", "That's the CRM you showed us last week, right."]);
        none(&["我们没有系统。", "R: 以后呢？", "要是系统用了好用，再说。"]);
        // A bare no to a question about something else, or a month after "into".
        none(&["R: Any plans to hire?", "No.", "R: Tools?", "We use Jobber for the rota."]);
        none(&["We don't have any software.", "R: Invoices?", "I type them up into March's folder."]);
        // A product name not doing the contact's work, and a mini-program that is a wish.
        none(&["We don't have any software.", "R: Ever looked?", "McDonald sells it, I think."]);
        none(&["我们没有用啥子系统。", "R: 以后呢？", "想在小程序上接单。"]);
        // A phone or a chat is no software.
        none(&["我们没系统。", "R: 那怎么排？", "都在手机上弄。"]);
        // Everyday words after "export ... out of", and a reply that is no product's name.
        none(&["We don't have any software.", "R: Reports?", "i just export them out of there every week"]);
        none(&["We don't have any software.", "R: Shall I send it?", "Great. Got it, thanks."]);
        none(&["We don't really have a system.", "R: Costs?", "It all comes out of profits in the end."]);
        none(&["We don't have any software.", "R: Where are you based?", "Our head office is sitting in London."]);
    }

    #[test]
    fn a_system_bought_then_no_system_at_all() {
        assert_eq!(
            subjects(&[
                "我们买了一套库存管理系统，一年四千多块，用着还行。",
                "R: 那订单怎么同步？",
                "订单都是店员手抄。",
                "R: 现在货是怎么发到各个店的？",
                "我们没搞什么系统的，都是微信群里喊一声。",
            ]),
            ["tools"]
        );
        // A system bought and then dropped is no clash with having none now.
        assert!(
            subjects(&["我们以前买了一套系统，后来不用了。", "R: 那现在呢？", "现在没搞什么系统，都在群里。",])
                .is_empty()
        );
    }

    #[test]
    fn a_team_counted_in_run_on_speech() {
        // Speech-recognition output with no full stops: a wish later in the answer is not
        // about the count.
        assert_eq!(
            subjects(&[
                "right so we do returns for online retailers and the rest goes off to liquidation and um on the \
                 sales desk there's three of us taking the enquiries from retailers who want to you know hand \
                 their returns over to someone",
                "R: who handles the big accounts",
                "me mostly yeah me and shona there's only the two of us on the sales desk",
            ]),
            ["team_size"]
        );
        // A wish next to the count still is one.
        assert!(
            subjects(&[
                "so basically we do the returns and the grading and the refurb and everything that comes back from \
                 the shops and honestly we want to be three of us on the sales desk by spring if we can",
                "R: and now",
                "there's only the two of us on the sales desk",
            ])
            .is_empty()
        );
    }

    #[test]
    fn the_contacts_own_team_restated() {
        assert_eq!(
            subjects(&[
                "We're a big outfit, but on the service desk it's seven of us.",
                "R: Who picks up the phones?",
                "Honestly it's just me and Priya on the service desk most days.",
            ]),
            ["team_size"]
        );
        assert_eq!(
            subjects(&[
                "In the planning office there are eleven schedulers, counting me.",
                "R: How many people would use it?",
                "Five. That's the entire planning office, me included.",
            ]),
            ["team_size"]
        );
        assert_eq!(subjects(&["客服这边算上我一共六个人。", "R: 好的。", "客服就我跟小李两个。"]), ["team_size"]);
        // A team named by its place: "in the casting shed", "just the casting shed".
        assert_eq!(
            subjects(&[
                "theres eleven of us in the casting shed plus me and janet in the office",
                "R: who would use it day to day",
                "just the casting shed so six of us thats everyone in there apprentices and all",
            ]),
            ["team_size"]
        );
    }

    #[test]
    fn other_teams_and_close_counts_are_not_contradictions() {
        let none = |lines: &[&str]| assert!(found(lines).is_empty(), "{lines:?}: {:?}", found(lines));
        // The company and the sales team are different teams.
        none(&["On the whole company it's forty of us.", "R: And sales?", "Just me and Dana on sales."]);
        // The same team, about the same.
        none(&["Four of us on sales, including me.", "R: OK.", "It's the four of us on sales, plus a part-timer."]);
        // No team named.
        none(&["Six of us.", "R: OK.", "Just me and Rob, really."]);
        // Two different places.
        none(&["There's eleven of us in the casting shed.", "R: And the office?", "Just the office, so three of us."]);
    }

    #[test]
    fn a_move_or_an_opening_dated_two_ways() {
        let r = found(&[
            "我们是前年八月搬到这个园区的，三层楼。",
            "R: 网线是现成的吗？",
            "去年四月份搬过来的时候就布好了。",
        ]);
        assert_eq!(r.iter().map(|r| r.subject).collect::<Vec<_>>(), ["when"]);
        let said = r[0].explanation.english();
        assert!(said.contains("April 2025") && said.contains("August 2024"), "{said}");
        assert_eq!(subjects(&["店是去年三月开业的。", "R: 生意怎么样？", "今年一月开张到现在，一直还行。"]), ["when"]);
        // Close months, a second move, a move and an opening, one turn, a move still ahead.
        assert!(subjects(&["去年十月搬过来的。", "R: 嗯。", "去年十一月搬完的。"]).is_empty());
        assert!(subjects(&["去年三月搬过来的。", "R: 嗯。", "今年五月又搬了一次，挪到二楼。"]).is_empty());
        assert!(
            subjects(&["去年三月搬过来的。", "R: 嗯。", "今年九月开的业，挂了牌子。", "今年九月开业的。"]).is_empty()
        );
        assert!(subjects(&["去年三月搬过来的，今年九月搬到这儿。"]).is_empty());
        assert!(subjects(&["去年三月搬过来的。", "R: 嗯。", "明年三月搬走。"]).is_empty());
    }

    #[test]
    fn the_age_of_the_business_restated() {
        // A bare year answering "how long...?", then a span far off.
        assert_eq!(
            subjects(&[
                "R: How long has The Loomhouse been going?",
                "Since 2019.",
                "R: And is it busy?",
                "Not really. It's a small place, we've only been open two years, everyone knows everyone.",
            ]),
            ["age"]
        );
        let r = found(&["We've been trading since 2008.", "R: OK.", "We've only been open three years."]);
        assert_eq!(r.len(), 1, "{r:?}");
        assert!(r[0].explanation.english().contains("18 years"), "{}", r[0].explanation.english());
        assert_eq!(
            subjects(&["我们所不大的，零八年成立，十二三个人。", "R: 好的。", "我们开了三年多了，还在摸索。"]),
            ["age"]
        );
        assert_eq!(subjects(&["车行是一六年才开的，做了十年。", "R: 好的。", "公司开了二十年了，老客户多。"]), ["age"]);
        // A founding year said alone after the founding, then one said with an apostrophe.
        assert_eq!(
            subjects(&[
                "Since Dana opened the shop. 2009.",
                "R: OK.",
                "These are the tills she's had since she set the shop up in '21."
            ]),
            ["age"]
        );
        assert!(
            subjects(&["Since Dana opened the shop. 2019.", "R: OK.", "She set the shop up in '19 with her sister."])
                .is_empty()
        );
        // Only since this year or last, then years of work said as ours.
        assert_eq!(
            subjects(&[
                "我们这家店是今年五月份才开的，一百八十平。",
                "R: 回头客怎么样？",
                "老客户多啊，我们店做了六年了。"
            ]),
            ["age"]
        );
        assert_eq!(
            subjects(&[
                "就人工做嘛 老办法 我们是去年三月份才搬到这个园区来的 整栋楼新装修的",
                "R: 那明年呢",
                "年后再讲吧 我们在这个楼里都做了七八年了 老客户都认我们",
            ]),
            ["age"]
        );
        // "十多年" is more than ten: against a 2019 opening (seven years), far apart.
        assert_eq!(
            subjects(&[
                "嗯 就企业团建 拓展训练 基地是一九年开的 占地三百来亩",
                "R: 您那边销售团队现在几个人呀",
                "四个 加我五个 都是老销售了 我们这基地开了十多年了",
            ]),
            ["age"]
        );
        // "才一年多" said of the opening, then years of the work said as the studio's own.
        assert_eq!(
            subjects(&[
                "我们这个店小 就三个人 开业也才两年多",
                "R: 那平时客人多吗",
                "多啊 我们店里做宠物美容都八九年了 熟客多",
            ]),
            ["age"]
        );
        // Ten years said plainly is not far enough from seven to be a clash.
        assert!(subjects(&["基地是一九年开的，占地三百来亩。", "R: 好的。", "我们这基地开了十年了。"]).is_empty());
    }

    #[test]
    fn close_ages_plans_and_the_contacts_own_tenure_are_not_contradictions() {
        let none = |lines: &[&str]| assert!(found(lines).is_empty(), "{lines:?}: {:?}", found(lines));
        // Close enough, said loosely.
        none(&["We've been going since 2021.", "R: OK.", "We've been open about four years."]);
        // The contact's own time in the job, and a plan.
        none(&["We've been trading since 2010.", "R: And you?", "I've been here three years."]);
        none(&["Founded in 2005.", "R: OK.", "We want to have been open ten years before we franchise."]);
        // A bare span that answers something else.
        none(&["R: How long has it been going?", "Since 2019.", "R: How long is the contract?", "Two years."]);
        none(&["零八年成立的。", "R: 好。", "这个系统我们用了三年了。"]);
        // The contact's own years in the trade, and a new branch opened last year.
        none(&["我们店是去年才开的。", "R: 您呢？", "我做了十年美容了。"]);
        none(&["我们店开业也才两年多。", "R: 您呢？", "我自己做美容都八九年了。"]);
        none(&["我们去年开了一家新店。", "R: 好。", "我们做了八年了。"]);
    }

    #[test]
    fn odd_input_never_panics() {
        for lines in [
            &["", "R: ", "a a a a month"][..],
            &["一个月几单", "R: 好", "每年一百万万万个"],
            &["$5 a month", "R: ok", "99999999999999999999999999 a year"],
            &["用的", "R: ?", "not even a"],
        ] {
            let _ = found(lines);
        }
    }
}
