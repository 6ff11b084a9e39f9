//! A call's analysis in Chinese (`call.*`): the notes beside each piece of evidence, the
//! signals' explanations, how a concept's status was decided, conflicts, the facts inside
//! them and the metrics against their bands. The English is `sift_core::Message::english`.
//!
//! What the call said (quotes, names, figures, units of the customer's own) is shown as it
//! was said; a lexicon entry is said by its Chinese words (`explain_zh`, or the entry's own
//! words when they are Chinese or the user wrote no others).

use sift_core::message::Message;

use super::arg;

/// A `call.*` code in Chinese, or `None` for one this version does not know.
pub(super) fn chinese(m: &Message) -> Option<String> {
    let a = |key: &str| m.args.get(key).map(arg).unwrap_or_default();
    let who = || person(m.text("who"));
    let text = match m.code.as_str() {
        "call.lexicon" | "call.signal.lexicon" => m.text("explain_zh").or(m.text("explain"))?.to_owned(),
        // Evidence notes.
        "call.note.money_claimed" => "说有钱，但没给金额".to_owned(),
        "call.note.money_no_problem" => "说钱不是问题，但没给金额，也没说已经批了".to_owned(),
        "call.note.with_cost" => format!("{}还说出了代价：“{}”。", sentence(&a("note")), a("cost")),
        "call.note.urgency" => "着急，但没给日期".to_owned(),
        "call.note.answered_no" => format!("问到{}时给了否定的回答", concept(m.text("concept")?)),
        "call.note.bare_yes" => format!("问到{}时只答了“是”，没有具体内容", concept(m.text("concept")?)),
        "call.note.bare_sometimes" => format!("问到{}时只说“有时候会”", concept(m.text("concept")?)),
        "call.note.not_their_decision" => "说这件事不由自己决定".to_owned(),
        "call.note.not_involved" => "说自己不会参与这个决定".to_owned(),
        "call.note.current_way_fine" => "问到现在怎么做时，说现在的做法没问题".to_owned(),
        "call.note.describes_cost" => "问到影响时，讲了这个问题带来的损失".to_owned(),
        "call.note.describes_problem" => "问到问题时，详细讲了遇到的问题".to_owned(),
        "call.note.said_with_no" => format!("否定时提到：{}", a("fact")),
        "call.note.budget_figure" => format!("预算金额：{}", a("fact")),
        "call.note.approval_threshold" => format!("审批额度：超过 {} 要{}审批", a("fact"), spaced(&who())),
        "call.note.problem_cost" => format!("问题造成的损失：{}", a("fact")),
        "call.note.target" => format!("目标：{}", a("fact")),
        "call.note.measured" => format!("现状数据：{}", a("fact")),
        "call.note.benchmark" => format!("和基准对比的指标：{}", a("fact")),
        "call.note.buying_year" => format!("采购时间只说到年份：{}", a("fact")),
        "call.note.buying_date" => format!("采购或上线时间：{}", a("fact")),
        "call.note.goal_deadline" => format!("目标期限：{}", a("fact")),
        "call.note.hedged" => format!("{}（说法含糊）", clause(&a("note"))),
        "call.note.contact_decides" => "联系人自己拍板".to_owned(),
        "call.note.someone_else_decides" => {
            format!("由{}{}，而不是联系人本人：联系人只能推荐", spaced(&who()), part(m.text("part")?)?)
        }
        "call.note.decision_step" => format!("决策环节：{}{}", spaced(&who()), part(m.text("part")?)?),
        "call.note.involved" => format!("{}参与其中，具体角色没说", first(&who())),
        "call.note.paperwork" => format!("{}负责签约手续", first(&who())),
        "call.note.limit_within" => format!("预算（{}）没有超出联系人能签的额度（{}）", a("budget"), a("limit")),
        "call.note.limit_over" => format!("预算（{}）超出了联系人能签的额度（{}）", a("budget"), a("limit")),
        "call.note.limit_self_above" => format!("超过 {} 的都由联系人本人签字：联系人说了算", a("limit")),
        "call.note.limit_own" => format!("联系人最多能签 {}；预算还不清楚", a("limit")),
        "call.note.limit_other_signs" => format!(
            "预算（{}）超过了 {}，超过这个额度要{}签字：联系人只能推荐",
            a("budget"),
            a("limit"),
            spaced(&who())
        ),
        "call.note.limit_other" => format!("超过 {} 要{}签字；预算还不清楚", a("limit"), spaced(&who())),
        "call.note.joined" => m.list("items").iter().map(|i| clause(&arg(i)).to_owned()).collect::<Vec<_>>().join("；"),
        "call.note.unrealistic" => format!("{}；但这个目标不现实，不能据此确认", clause(&a("note"))),
        "call.note.earlier" => format!("此前关于{}的说法", subject(m.text("subject")?)),
        "call.note.model" => format!("模型判断：{}（{}%）", model_reading(m.text("reading")?)?, a("confidence")),
        "call.note.rep_note" => "销售的备注；没有识别出具体的数字、日期或说法".to_owned(),
        "call.note.llm" => format!("大模型判断：{}", a("reason")),
        // How a concept's status was decided.
        "call.rule.conflict" => format!("前后两种说法矛盾，之后也没有澄清：{}", a("conflict")),
        "call.rule.nothing" => "通话中没有谈到这一点".to_owned(),
        "call.rule.heaviest" => {
            let weight = match m.text("weight")? {
                "specific" => "具体的说法（数字、日期或点名的决策人）",
                "stated" => "明确的表态",
                "hint" => "间接的迹象",
                _ => return None,
            };
            let lighter = match a("lighter").as_str() {
                "" | "0" => String::new(),
                n => format!("；另有 {n} 条较弱的依据，推翻不了它"),
            };
            format!("最有分量的依据是{weight}，以其中最新的一条（第 {} 段）为准{lighter}", a("turn"))
        }
        "call.rule.placeholder" => "销售填的是占位内容".to_owned(),
        "call.rule.rep_note" => "销售写了内容，但规则识别不出来：算部分确认".to_owned(),
        "call.rule.llm" => format!("由大模型 {} 判断（每条原话都已在通话记录里核对过）：{}", a("model"), a("reason")),
        // Conflicts.
        "call.conflict.changed" => format!(
            "{}现在说是 {}，但第 {} 段说的是 {}（“{}”）",
            subject(m.text("subject")?),
            a("now"),
            a("turn"),
            a("before"),
            a("quote")
        ),
        "call.conflict.taken_back" => {
            let now = match m.text("subject")? {
                "budget" => "现在说没有预算",
                "timeline" => "现在说近期不会有动作",
                "need" => "现在说这其实不算问题",
                _ => return None,
            };
            format!("{now}，但第 {} 段给过 {}（“{}”）", a("turn"), a("fact"), a("quote"))
        }
        "call.conflict.solo_team" => {
            format!("现在说店里只有老板（或本人），但第 {} 段给过 {}（“{}”）", a("turn"), a("fact"), a("quote"))
        }
        "call.conflict.count_denied" => {
            format!("现在说根本没有{}，但第 {} 段给过 {}（“{}”）", a("unit"), a("turn"), a("fact"), a("quote"))
        }
        "call.conflict.decider" => {
            let now = match m.text("decides")? {
                "yes" => "由自己拍板",
                _ => "由别人拍板，或者自己说了不算",
            };
            format!("联系人现在说{now}，但第 {} 段说的是“{}”", a("turn"), a("quote"))
        }
        "call.conflict.hurry" => {
            let now = match m.text("hurry")? {
                "yes" => "又要尽快上",
                _ => "又说没有计划、不着急",
            };
            format!("联系人现在{now}，但第 {} 段说的是“{}”", a("turn"), a("quote"))
        }
        "call.conflict.pain" => {
            let now = match m.text("pain")? {
                "yes" => "又说出了实实在在的问题",
                _ => "又说没什么问题",
            };
            format!("联系人现在{now}，但第 {} 段说的是“{}”", a("turn"), a("quote"))
        }
        "call.conflict.rate" => {
            let zh_period = |p: &str| match p {
                "day" => "天",
                "week" => "周",
                "year" => "年",
                _ => "月",
            };
            let now = m.text("period")?;
            let period = zh_period(now);
            // Messages written before `before_period` existed compared one period.
            let before = zh_period(m.text("before_period").unwrap_or(now));
            format!(
                "现在说每{period}大约 {} {}，但第 {} 段说的是每{before}大约 {}（“{}”）",
                a("now"),
                a("thing"),
                a("turn"),
                a("before"),
                a("quote")
            )
        }
        "call.conflict.tools" => match m.text("uses")? {
            "books" => format!(
                "联系人现在说账记在{}里，但第 {} 段说的是{}（“{}”），也没说换过",
                a("what"),
                a("turn"),
                a("before"),
                a("quote")
            ),
            "instead" => {
                format!(
                    "联系人现在说都放在{}里，但第 {} 段说都在{}里（“{}”）",
                    a("what"),
                    a("turn"),
                    a("before"),
                    a("quote")
                )
            }
            "yes" => {
                format!("联系人现在说在用{}，但第 {} 段说没有{}（“{}”）", a("what"), a("turn"), a("before"), a("quote"))
            }
            _ => {
                format!("联系人现在说没有{}，但第 {} 段说在用{}（“{}”）", a("what"), a("turn"), a("before"), a("quote"))
            }
        },
        "call.conflict.age" => format!(
            "联系人现在说公司开了 {} 年，但第 {} 段说的是 {} 年（“{}”）",
            a("now"),
            a("turn"),
            a("before"),
            a("quote")
        ),
        "call.conflict.when" => format!(
            "联系人现在说{}是 {} 年 {} 月，但第 {} 段说的是 {} 年 {} 月（“{}”）",
            if a("what") == "moved" { "搬过来" } else { "开业" },
            a("now_year"),
            a("now_month"),
            a("turn"),
            a("before_year"),
            a("before_month"),
            a("quote")
        ),
        "call.conflict.team" => format!(
            "联系人现在说自己团队（算上本人）有 {} 人，但第 {} 段说的是 {} 人（“{}”）",
            a("now"),
            a("turn"),
            a("before"),
            a("quote")
        ),
        "call.conflict.model" => format!(
            "模型认为第 {} 段在{}上和第 {} 段矛盾（{}%）：“{}”",
            a("later_turn"),
            concept(m.text("concept")?),
            a("turn"),
            a("confidence"),
            a("quote")
        ),
        // Signals.
        "call.signal.short_answers" => format!(
            "{} 次回答里有 {} 次不超过 {} 个词（{}%）：这个问题对联系人来说可能不算问题，或者他不清楚问题有多大；\
             去找真正负责这件事的人",
            a("replies"),
            a("short"),
            a("words"),
            a("share")
        ),
        "call.signal.unrealistic_cut" => "说要把某项指标削减 100% 甚至更多，这不可能做到。".to_owned(),
        "call.signal.unrealistic_change" => {
            let change = times(m.text("times")?)?;
            match m.text("days") {
                Some(days) => {
                    format!("{days} 天内{change}，远超一家企业能做到的程度；这个目标说明对方对数字心里没底。")
                }
                None => format!("{change}，远超一家企业能做到的程度；这个目标说明对方对数字心里没底。"),
            }
        }
        "call.signal.unrealistic_level" => {
            format!("{}目前的水平是 {}（第 {} 段：“{}”）。", a("change"), a("current"), a("turn"), a("quote"))
        }
        "call.signal.unrealistic_compounding" => {
            "目标是每个月（或每周）翻一番：照这样一年下来是起点的四千多倍，没有哪家企业做得到。".to_owned()
        }
        "call.signal.unrealistic_year_in_days" => {
            "目标是在几天或一周里挣回（做完）一整年的量：没有哪个旺季比全年其他时候大出这么多。".to_owned()
        }
        "call.signal.unrealistic_payback" => {
            format!(
                "目标是 {} 天内就把买设备或系统的钱挣回来：这类投入要几个季度甚至几年才能回本，不是几个礼拜。",
                a("days")
            )
        }
        "call.signal.unrealistic_perfection" => {
            format!(
                "目标是 {} 天内做到完美或接近完美（损失降到零，每个线索、客户或时段都拿下、留住或排满，或者十个里拿下九个）：没有哪家企业做得到，更别说这么快。",
                a("days")
            )
        }
        "call.signal.unrealistic_perfection_always" => {
            "把完美或接近完美当成从今往后的标准（损失降到零，每个线索、客户或时段都拿下、留住或排满，或者十个里拿下九个）：没有哪家企业做得到。"
                .to_owned()
        }
        "call.signal.unrealistic_capacity" => format!(
            "目标是现在水平的 {}，却不加任何产能（第 {} 段：“{}”）：同样的人和设备，产出翻不了倍。",
            a("times"),
            a("turn"),
            a("quote")
        ),
        "call.signal.unrealistic_region" => format!(
            "目标是 {} 天内覆盖整个州、省、全国或整个地区，而目前的规模只有 {}（第 {} 段：“{}”）。",
            a("days"),
            a("size"),
            a("turn"),
            a("quote")
        ),
        "call.signal.unrealistic_region_soon" => {
            format!(
                "目标是 {} 天内覆盖整个州、省、全国或整个地区：不管公司多大，没有哪个销售团队能这么快拿下一个市场。",
                a("days")
            )
        }
        "call.signal.unrealistic_region_no_means" => {
            format!("目标是 {} 天内做到全市、全省或全国领先（或铺满），却什么都不加（“{}”）。", a("days"), a("quote"))
        }
        "call.signal.budget_figure" => format!("给出了预算金额（{}）。", a("fact")),
        "call.signal.threshold_step" => format!("说出了采购流程的一个环节：审批额度（{}）。", a("fact")),
        "call.signal.buying_date" => format!("给出了采购或上线时间（{}）。", a("fact")),
        "call.signal.target" => format!("给出了具体、可实现的目标（{}）。", a("fact")),
        "call.signal.decides" => "明确说由自己拍板。".to_owned(),
        "call.signal.names_decider" => format!("点出了参与决策的人（{}）。", a("fact")),
        "call.signal.inconsistency" => format!("和之前的回答矛盾：{}。", a("conflict")),
        "call.signal.knows_threshold" => match m.text("who") {
            Some("self") => format!("清楚审批额度（{}），也清楚自己能签多少。", a("limit")),
            _ => format!("清楚审批额度（{}），超过要{}签字。", a("limit"), spaced(&who())),
        },
        "call.signal.knows_cycle" => "清楚公司的规划或预算周期。".to_owned(),
        "call.signal.knows_goal" => format!("清楚领导层定的目标（{}）。", a("fact")),
        "call.signal.excuse_asked" => "问到为什么之前没解决时，能说出原因：痛点是真的，而且由来已久。".to_owned(),
        "call.signal.model" => match m.text("kind")? {
            "excuse" => format!("模型认为这个回答说明了痛点为什么一直没解决（{}%）。", a("confidence")),
            "knowledge" => format!("模型认为这个回答体现出对公司目标或决策方式的了解（{}%）。", a("confidence")),
            _ => return None,
        },
        "call.signal.llm" => format!("大模型判断：{}", a("reason")),
        // Facts.
        "call.fact.money" => {
            let figure = money(m.text("amount")?, m.text("currency"));
            match m.text("per") {
                Some(per) => format!("{}{figure}", rate(per)),
                None => figure,
            }
        }
        "call.fact.date" => a("date"),
        "call.fact.date_kind" => match m.text("kind")? {
            "absolute" => "某个日期".to_owned(),
            "quarter" => "某个季度".to_owned(),
            "relative" => "某个时候".to_owned(),
            _ => return None,
        },
        "call.fact.count" => format!("{} {}", a("value"), unit(m.text("unit")?)),
        "call.fact.percentage" => format!("{}%", a("value")),
        "call.fact.growth" => {
            let change = growth(m.text("factor")?)?;
            match m.text("days") {
                Some(days) => format!("{days} 天内{change}"),
                None => change,
            }
        }
        "call.fact.person" => format!("{}{}", first(&person(m.text("role"))), part(m.text("part")?)?),
        // Metrics against their bands.
        "call.metric.talk_ratio.over_65" => {
            format!("销售说话时间占 {}%；超过 65% 成交率就会下降：多提问，多倾听", a("pct"))
        }
        "call.metric.talk_ratio.over_50" => format!("销售说话时间占 {}%，高于优秀销售约 43% 的水平", a("pct")),
        "call.metric.talk_ratio.under_25" => {
            format!("销售说话时间只占 {}%：要确认通话的节奏还在销售手里", a("pct"))
        }
        "call.metric.talk_ratio.in_band" => format!("销售说话时间占 {}%，接近优秀销售约 43% 的水平", a("pct")),
        "call.metric.questions.few" => {
            format!("提了 {} 个问题；成功的需求沟通一般问 11–14 个：可能有些标准还没问清楚", a("count"))
        }
        "call.metric.questions.many" => {
            format!("提了 {} 个问题；超过 14 个，需求沟通就容易变成盘问", a("count"))
        }
        "call.metric.questions.in_band" => {
            format!("提了 {} 个问题，在成功的需求沟通常见的 11–14 个之内", a("count"))
        }
        "call.metric.closed.many" => {
            format!("{}% 的问题是封闭式问题；开放式问题能换来更完整、更真实的回答", a("pct"))
        }
        "call.metric.closed.in_band" => format!("{}% 的问题是封闭式问题", a("pct")),
        "call.metric.monologue.long" => {
            format!("销售最长的一段独白有 {} {}；中间插一个问题，把它拆开", a("amount"), length(m.text("unit")?)?)
        }
        "call.metric.monologue.in_band" => {
            format!("销售最长的一段独白有 {} {}", a("amount"), length(m.text("unit")?)?)
        }
        "call.metric.short_answers.many" => {
            format!("买方 {}% 的回答不超过 3 个词：对这个问题投入不多", a("pct"))
        }
        "call.metric.short_answers.in_band" => format!("买方 {}% 的回答不超过 3 个词", a("pct")),
        "call.band.talk_ratio" => "销售占 25%–50%（参考值 43%）".to_owned(),
        "call.band.questions" => "11–14 个".to_owned(),
        "call.band.closed_share" => "不超过 50%".to_owned(),
        "call.band.monologue" => format!("不超过 {} {}", a("limit"), length(m.text("unit")?)?),
        "call.band.short_answers" => "低于 40%".to_owned(),
        _ => return None,
    };
    Some(text)
}

/// A concept id in Chinese, in the short form a sentence uses; one of the customer's own as
/// named.
pub fn concept(id: &str) -> String {
    match id {
        "budget" => "预算",
        "authority" => "决策权",
        "need" => "需求",
        "timeline" => "时间安排",
        "priority" => "优先级",
        "metrics" => "衡量指标",
        "decision_criteria" => "选型标准",
        "decision_process" => "决策流程",
        "champion" => "内部支持者",
        "paper_process" => "签约流程",
        "competition" => "竞争情况",
        "goals" => "目标",
        "plans" => "计划",
        "consequences" => "不作为的代价",
        "implications" => "做成后的收益",
        "interest" => "兴趣",
        other => other,
    }
    .to_owned()
}

/// What two statements disagree about (`Conflict::subject`).
fn subject(subject: &str) -> String {
    match subject {
        "decision_maker" => "决策人".to_owned(),
        "team_size" => "团队人数".to_owned(),
        "count" => "数量".to_owned(),
        "timeline" => "时间".to_owned(),
        "rate" => "频次".to_owned(),
        "tools" => "在用的工具".to_owned(),
        "age" => "公司成立年限".to_owned(),
        other => concept(other),
    }
}

/// A person named in the call: the contact themself, nobody named, a role by the words a
/// Chinese team uses for it, or a name as said.
fn person(who: Option<&str>) -> String {
    let role = match who {
        Some("self") => "联系人本人",
        None | Some("someone") => "有人",
        Some("ceo") => "CEO",
        Some("cfo") => "CFO",
        Some("cto") => "CTO",
        Some("coo") => "COO",
        Some("cro") => "CRO",
        Some("cmo") => "CMO",
        Some("cio") => "CIO",
        Some("ciso") => "CISO",
        Some("cpo") => "CPO",
        Some("founder" | "co-founder" | "cofounder" | "co-founders" | "cofounders") => "创始人",
        Some("owner" | "boss") => "老板",
        Some("board") => "董事会",
        Some("president") => "总裁",
        Some("managing director" | "general manager" | "gm") => "总经理",
        Some("vp") => "副总裁",
        Some("manager") => "经理",
        Some("procurement" | "purchasing") => "采购部门",
        Some("legal") => "法务",
        Some("finance") => "财务",
        Some("committee") => "委员会",
        Some("leadership" | "leadership team" | "exec team" | "management") => "管理层",
        Some(name) => return name.to_owned(),
    };
    role.to_owned()
}

/// A note inside a longer sentence, without its full stop.
pub(super) fn clause(note: &str) -> &str {
    note.trim_end().trim_end_matches(['。', '.'])
}

/// A person's part in the decision.
fn part(part: &str) -> Option<&'static str> {
    Some(match part {
        "decides" => "拍板",
        "approves" => "审批",
        "involved" => "参与",
        _ => return None,
    })
}

/// Latin words set off by spaces inside a Chinese sentence ("要 CFO 审批").
fn spaced(text: &str) -> String {
    let latin = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    let before = if latin(text.chars().next()) { " " } else { "" };
    let after = if latin(text.chars().last()) { " " } else { "" };
    format!("{before}{text}{after}")
}

/// Latin words that open a Chinese phrase, set off from what follows ("CFO 审批").
fn first(text: &str) -> String {
    spaced(text).trim_start().to_owned()
}

/// A note that ends its sentence, so more can follow it.
fn sentence(note: &str) -> String {
    let note = note.trim_end();
    if note.ends_with(['。', '！', '？', '.', '!', '?', '；']) { note.to_owned() } else { format!("{note}。") }
}

/// What the meaning model read, in Chinese.
fn model_reading(reading: &str) -> Option<&'static str> {
    Some(match reading {
        "need.pain" => "有产品能解决的痛点",
        "need.no_pain" => "没有痛点：现状运转正常",
        "authority.decides" => "联系人自己拍板",
        "authority.recommends" => "联系人只能推荐，由别人拍板",
        "authority.no_say" => "联系人说了不算",
        "budget.available" => "有钱",
        "budget.not_available" => "目前没有这笔钱",
        "timeline.committed" => "已经定了采购时间",
        "timeline.not_committed" => "近期没有采购打算",
        _ => return None,
    })
}

/// An amount as the call gave it: with its currency sign, or without one in 万 and 亿
/// when it is a round number of them (`200,000` is 20 万).
fn money(amount: &str, currency: Option<&str>) -> String {
    match currency {
        Some("USD") => format!("${amount}"),
        Some("EUR") => format!("€{amount}"),
        Some("GBP") => format!("£{amount}"),
        Some("CNY") => format!("{}元", chinese_amount(amount)),
        Some(code) => format!("{amount} {code}"),
        None => chinese_amount(amount),
    }
}

/// A round amount in 万 or 亿 (`200,000` is 20万); any other as given.
fn chinese_amount(amount: &str) -> String {
    match amount.replace(',', "").parse::<u64>().ok() {
        Some(v) if v >= 100_000_000 && v % 10_000_000 == 0 => format!("{}亿", trim(v as f64 / 1e8)),
        Some(v) if v >= 10_000 && v % 1_000 == 0 => format!("{}万", trim(v as f64 / 1e4)),
        _ => amount.to_owned(),
    }
}

/// `2.5` as `2.5`, `20.0` as `20`.
fn trim(v: f64) -> String {
    let text = format!("{v:.2}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// What a rate is per (`month`, `year`, `quarter`, `seat`, `person`).
fn rate(per: &str) -> String {
    match per {
        "month" => "每月 ".to_owned(),
        "year" => "每年 ".to_owned(),
        "quarter" => "每季度 ".to_owned(),
        "seat" => "每个席位 ".to_owned(),
        "person" => "每人 ".to_owned(),
        other => format!("每 {other} "),
    }
}

/// A count's unit: Sift's own units in Chinese, the call's own as said.
fn unit(unit: &str) -> String {
    match unit {
        "reps" => "名销售",
        "people" => "人",
        "seats" => "个席位",
        "customers" => "个客户",
        "locations" => "家门店",
        "engineers" => "名工程师",
        "advisers" => "名顾问",
        "hours" => "小时",
        "minutes" => "分钟",
        other => other,
    }
    .to_owned()
}

/// A growth factor: `x2` grows to twice, `0.7` falls to 70%.
fn growth(factor: &str) -> Option<String> {
    let f: f64 = factor.parse().ok()?;
    Some(if f >= 1.0 {
        format!("增长到 {} 倍", trim(f))
    } else if f <= 0.0 {
        "降到零".to_owned()
    } else {
        format!("降到原来的 {}%", trim(f * 100.0))
    })
}

/// A change as the unrealistic-target signal gives it: `x4`, or a factor below one.
fn times(times: &str) -> Option<String> {
    match times.strip_prefix('x') {
        Some(f) => growth(f).map(|g| g.replace("增长到", "变成原来的")),
        None => growth(times),
    }
}

/// A length's unit: `seconds` or `words`.
fn length(unit: &str) -> Option<&'static str> {
    Some(match unit {
        "seconds" => "秒",
        "words" => "个词",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::path::{Path, PathBuf};

    use chrono::NaiveDate;
    use sift_core::message::Arg;
    use sift_core::{Language, Registry};
    use sift_signals::analyze::{Analysis, AnalyzeOptions, analyze};
    use sift_signals::meaning::{
        AuthorityReading, BudgetReading, Exchange, ExchangeMeaning, MeaningError, MeaningModel, NeedReading, Scored,
        TimelineReading,
    };
    use sift_signals::messages::{CODES, nested, said};

    use super::super::chinese;
    use super::*;

    include!("../../../../sift-signals/tests/support/markers.rs");

    /// Every message the analysis of every fixture call writes (with the model double where a
    /// call is written for it), the notes a call leaves in a decision, a large model's
    /// findings, and a fact of every kind.
    fn corpus() -> Vec<Message> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../sift-signals/fixtures");
        let as_of = NaiveDate::from_ymd_opt(2026, 11, 26).expect("date");
        let mut out = Vec::new();
        let mut last = None;
        for (_, analysis) in fixture_analyses(&root) {
            out.extend(said(&analysis).iter().filter_map(|s| s.message.cloned()));
            let answers = sift_signals::evidence::to_answers(&analysis.criteria);
            out.extend(answers.into_values().filter_map(|a| a.note_message));
            last = Some(analysis);
        }
        let mut analysis = last.expect("fixture calls");
        let turn = analysis.transcript.prospect_turns().next().map(|t| t.index).expect("a prospect turn");
        let quote = sift_llm::Quote { turn, start: 0, end: 1, text: "x".into() };
        let llm = sift_llm::LlmAnalysis {
            model: "local-model".into(),
            statuses: vec![sift_llm::GroundedStatus {
                concept: sift_llm::Concept::Budget,
                status: sift_core::CriterionStatus::Confirmed,
                quotes: vec![quote.clone()],
                reason: "budget approved".into(),
            }],
            signals: vec![sift_llm::GroundedSignal {
                kind: sift_signals::SignalKind::UnrealisticTarget,
                quote,
                reason: "tenfold in a month".into(),
            }],
            dropped_claims: 0,
            ungrounded_quotes: 0,
            from_cache: false,
        };
        sift_llm::apply(&mut analysis, &llm);
        out.extend(said(&analysis).iter().filter_map(|s| s.message.cloned()));
        // A rep's free-text answers the rules read for one concept.
        for text in ["tbd", "they mentioned something about the weather"] {
            let c = sift_signals::evidence::evidence_from_answer("need", text, Language::En, as_of);
            out.extend(c.rule_message);
            out.extend(c.evidence.into_iter().filter_map(|e| e.note_message));
        }
        use sift_signals::facts::{Fact, RolePart, TimelineKind};
        out.extend(
            [
                Fact::Money { amount: 200_000.0, currency: None, per: Some("month".into()) },
                Fact::Timeline { kind: TimelineKind::Quarter, resolved: None, until: None },
                Fact::Growth { factor: 0.7, horizon_days: None },
                Fact::Person { role: "self".into(), part: RolePart::Involved },
            ]
            .iter()
            .map(Fact::message),
        );
        out
    }

    /// Arguments whose words are Sift's own and so must be said in Chinese; every other
    /// text argument is data (a quote, a name, a figure) and is shown as it was said.
    const SIFTS_OWN: [&str; 10] =
        ["explain", "concept", "subject", "part", "kind", "weight", "reading", "decides", "per", "declared"];

    /// The data of a message and of the messages nested in it.
    fn data(m: &Message) -> Vec<String> {
        let mut out = Vec::new();
        for m in nested(m) {
            for (key, value) in &m.args {
                let words: Vec<&str> = match value {
                    Arg::Text(t) => vec![t.as_str()],
                    Arg::List(items) => items
                        .iter()
                        .filter_map(|i| if let Arg::Text(t) = i { Some(t.as_str()) } else { None })
                        .collect(),
                    Arg::Message(_) => Vec::new(),
                };
                let own = SIFTS_OWN.contains(&key.as_str());
                out.extend(words.into_iter().filter(|w| !own && !["self", "someone"].contains(w)).map(str::to_owned));
            }
        }
        out.sort_by_key(|w| std::cmp::Reverse(w.len()));
        out
    }

    /// The English words left in a Chinese rendering once its data is taken out.
    pub(in super::super) fn english_left(m: &Message, zh: &str, allowed: &[&str]) -> Vec<String> {
        let mut rest = zh.to_owned();
        for d in data(m) {
            if !d.is_empty() {
                rest = rest.replace(&d, " ");
            }
        }
        let word = regex::Regex::new(r"[A-Za-z]{2,}").expect("pattern");
        word.find_iter(&rest).map(|w| w.as_str().to_owned()).filter(|w| !allowed.contains(&w.as_str())).collect()
    }

    /// Every code a call's analysis can write is said in Chinese: over every fixture call,
    /// both languages and all four formats, the model's and a large model's readings, each
    /// message has Chinese words with none of Sift's English left in them.
    #[test]
    fn every_code_a_call_can_say_is_said_in_chinese() {
        let mut seen = BTreeSet::new();
        for message in corpus() {
            for m in nested(&message) {
                seen.insert(m.code.clone());
                let zh = chinese(m).unwrap_or_else(|| panic!("no Chinese for {m:?}"));
                // Executive titles are said as Chinese teams say them: CFO, CEO...
                let left = english_left(m, &zh, &["CEO", "CFO", "CTO", "COO", "CRO", "CMO", "CIO", "CISO", "CPO"]);
                assert!(left.is_empty(), "{}: English {left:?} left in {zh}\n{m:?}", m.code);
                let english = m.english();
                assert!(english.is_empty() || zh != english || left.is_empty(), "{}: {zh}", m.code);
            }
        }
        let missing: Vec<&&str> = CODES.iter().filter(|c| !seen.contains(**c)).collect();
        assert!(missing.is_empty(), "codes no call said: {missing:?}");
    }

    /// Some of a call's words in both languages, with their arguments.
    #[test]
    fn a_calls_words_read_in_both_languages() {
        let check = |m: Message, english: &str, zh: &str| {
            assert_eq!(m.english(), english, "{}", m.code);
            assert_eq!(chinese(&m).as_deref(), Some(zh), "{}", m.code);
        };
        let money = |amount: &str, currency: Option<&str>| {
            Message::new("call.fact.money").with("amount", amount).with_opt("currency", currency)
        };
        let fact = |code: &str, fact: Message| Message::new(code).with_message("fact", fact);
        check(
            fact("call.note.budget_figure", money("40,000", Some("USD"))),
            "budget figure: $40,000",
            "预算金额：$40,000",
        );
        check(fact("call.note.budget_figure", money("200,000", None)), "budget figure: 200,000", "预算金额：20万");
        check(money("2,000", Some("USD")).with("per", "month"), "$2,000 per month", "每月 $2,000");
        let cfo = Message::new("call.fact.person").with("role", "cfo").with("part", "approves");
        check(
            fact("call.signal.names_decider", cfo),
            "Names who takes part in the decision (cfo approves).",
            "点出了参与决策的人（CFO 审批）。",
        );
        check(
            Message::new("call.note.approval_threshold").with_message("fact", money("25,000", None)),
            "approval threshold: someone above 25,000",
            "审批额度：超过 2.5万 要有人审批",
        );
        check(
            Message::new("call.note.someone_else_decides").with("who", "tom").with("part", "decides"),
            "tom decides, not this contact: the contact recommends",
            "由 tom 拍板，而不是联系人本人：联系人只能推荐",
        );
        check(
            Message::new("call.note.answered_no").with("concept", "budget"),
            "answered no to a question about budget",
            "问到预算时给了否定的回答",
        );
        let lexicon = Message::new("call.lexicon")
            .with("id", "hedge.vague")
            .with("explain", "Hedged wording.")
            .with("explain_zh", "说法含糊。");
        check(lexicon.clone(), "Hedged wording.", "说法含糊。");
        check(
            Message::new("call.note.with_cost").with_message("note", lexicon).with("cost", "for days"),
            "Hedged wording. With its cost: \"for days\".",
            "说法含糊。还说出了代价：“for days”。",
        );
        let count = Message::new("call.fact.count").with("value", "40").with("unit", "reps");
        let twelve = Message::new("call.fact.count").with("value", "12").with("unit", "reps");
        check(
            Message::new("call.conflict.changed")
                .with("subject", "team_size")
                .with_message("now", count)
                .with("turn", "2")
                .with_message("before", twelve)
                .with("quote", "12 reps"),
            "team size now 40 reps, but turn 2 said 12 reps (\"12 reps\")",
            "团队人数现在说是 40 名销售，但第 2 段说的是 12 名销售（“12 reps”）",
        );
        check(
            Message::new("call.rule.heaviest").with("weight", "stated").with("turn", "5").with("lighter", "2"),
            "the heaviest evidence is a statement in words; the latest such, in turn 5, decides; 2 lighter piece(s) do not overturn it",
            "最有分量的依据是明确的表态，以其中最新的一条（第 5 段）为准；另有 2 条较弱的依据，推翻不了它",
        );
        check(
            Message::new("call.signal.unrealistic_change").with("times", "x4").with("days", "30"),
            "A x4 change in 30 days is far beyond what a business can achieve; the target shows little grip on the numbers.",
            "30 天内变成原来的 4 倍，远超一家企业能做到的程度；这个目标说明对方对数字心里没底。",
        );
        check(
            Message::new("call.metric.talk_ratio.over_65").with("pct", "72"),
            "the rep talks 72% of the time; conversion drops past 65%: ask, then listen",
            "销售说话时间占 72%；超过 65% 成交率就会下降：多提问，多倾听",
        );
        check(Message::new("call.band.talk_ratio"), "25%-50% rep (reference 43%)", "销售占 25%–50%（参考值 43%）");
        check(Message::new("call.band.questions"), "11-14", "11–14 个");
        check(
            Message::new("call.band.monologue").with("limit", "350").with("unit", "words"),
            "at most 350 words",
            "不超过 350 个词",
        );
        check(
            Message::new("call.metric.monologue.long").with("amount", "180").with("unit", "seconds"),
            "the rep's longest monologue runs 180 seconds; break it up with a question",
            "销售最长的一段独白有 180 秒；中间插一个问题，把它拆开",
        );
        check(
            Message::new("call.signal.knows_threshold")
                .with_message("limit", money("10,000", None))
                .with("who", "self"),
            "Knows the approval threshold (10,000) and what this contact may sign.",
            "清楚审批额度（1万），也清楚自己能签多少。",
        );
    }
}
