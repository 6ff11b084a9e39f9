//! What the engine says, in the page's language.
//!
//! The gate writes its reasons, next steps and notes as text (English, the next step in the
//! lead's language) and, beside each, a [`Message`]: a stable code and its arguments. A page
//! says a text through [`say`]: in Chinese from the message, in English from the message
//! too (a Chinese lead's next step reads in English on an English page), and as the stored
//! text when there is no message (decisions saved before codes) or the code is one this
//! version does not know. Data inside a message (a company's industry, a rep's note, a
//! quote) is shown as it was written; only Sift's own words are translated. The Chinese
//! uses the terms of `GLOSSARY.md`.
//!
//! Score factors (a model column and a value) are said here too: the stored columns and the
//! placeholder values are Sift's words; custom fields are the customer's and stay as named.
//!
//! The other engines' words are said here as well: the lead-type rules (`lead_type.*`), a
//! call's analysis (`call.*`, in `messages/calls.rs`: notes, signals, facts, metrics) and a
//! scoring model's report (`model.*`, in `messages/models.rs`).

use sift_core::Stage;
use sift_core::framework::Level;
use sift_core::message::{Arg, Message};

use super::i18n::{self, Lang};

mod calls;
mod models;

pub use calls::concept;

/// An engine text in `lang`: from its message when it has one this version knows, else the
/// text as stored.
pub fn say(lang: Lang, text: &str, message: Option<&Message>) -> String {
    let said = match (lang, message) {
        (Lang::Zh, Some(m)) => chinese(m),
        (Lang::En, Some(m)) => m.english_if_known(),
        (_, None) => None,
    };
    said.unwrap_or_else(|| text.to_owned())
}

/// An optional engine text (a finding's evidence) in `lang`.
pub fn say_opt(lang: Lang, text: Option<&str>, message: Option<&Message>) -> String {
    match (text, message) {
        (None, None) => String::new(),
        (text, message) => say(lang, text.unwrap_or(""), message),
    }
}

/// A finding's name: in Chinese the criterion's Chinese name or the profile rule's words,
/// in English its id as before.
pub fn finding_name(lang: Lang, finding: &sift_core::gate::Finding) -> String {
    if lang == Lang::En {
        return finding.id.clone();
    }
    match finding.source {
        sift_core::gate::FindingSource::Icp => icp_rule(&finding.id).map_or_else(|| finding.id.clone(), str::to_owned),
        sift_core::gate::FindingSource::Criterion => finding
            .reason_message
            .as_ref()
            .and_then(|m| m.text("name_zh").or(m.text("name")))
            .map_or_else(|| finding.id.clone(), str::to_owned),
    }
}

/// A message in Chinese, or `None` for a code this version does not know.
fn chinese(m: &Message) -> Option<String> {
    let a = |key: &str| m.args.get(key).map(arg).unwrap_or_default();
    let name = m.text("name_zh").or(m.text("name")).unwrap_or_default().to_owned();
    // A rep's note is quoted as they wrote it; Sift's own (a call's evidence) is not.
    let with_note = |text: String| match m.args.get("note") {
        Some(Arg::Message(note)) => format!("{text}（{}）", arg(&Arg::Message(note.clone()))),
        Some(note) => match arg(note) {
            note if !note.trim().is_empty() => format!("{text}（“{}”）", note.trim()),
            _ => text,
        },
        None => text,
    };
    let level = |key: &str| m.text(key).and_then(|l| l.parse::<Level>().ok()).map(|l| i18n::level(Lang::Zh, l));
    let stage = |key: &str| m.text(key).and_then(|s| s.parse::<Stage>().ok()).map(|s| i18n::stage(Lang::Zh, s));
    let text = match m.code.as_str() {
        "gate.criterion.beyond_horizon" => with_note(format!(
            "{name}：计划在 {} 采购，超出 {} 天的评估窗口（截至 {}）",
            a("date"),
            a("days"),
            a("until")
        )),
        "gate.criterion.date_passed" => {
            with_note(format!("{name}：记录的日期 {} 已经过了，请重新确认现在的时间安排", a("date")))
        }
        "gate.criterion.confirmed_for" => with_note(format!("{name}：已确认，计划在 {}", a("date"))),
        "gate.criterion.confirmed" => with_note(format!("{name}：已确认")),
        "gate.criterion.partial" => with_note(format!("{name}：部分确认，还不充分")),
        "gate.criterion.unknown" => with_note(format!("{name}：尚不清楚")),
        "gate.criterion.lacking" => with_note(format!("{name}：明确没有")),
        "gate.criterion.not_now" => with_note(format!("{name}：目前还没有")),
        "gate.criterion.contradicted" => with_note(format!("{name}：说法矛盾，暂不算已确认；请找真正了解情况的人核实")),
        "gate.finding" => match m.text("source") {
            Some("icp") => m.text("id").and_then(icp_rule).map(str::to_owned).unwrap_or_else(|| a("id")),
            _ => m.text("name_zh").or(m.text("name")).map_or_else(|| a("id"), str::to_owned),
        },
        "gate.icp.none" => "未设置理想客户画像（ICP），没有检查组织是否匹配".to_owned(),
        "gate.icp.not_required" => {
            format!("{}；排除规则只能淘汰线索，不能要求线索必须满足，所以这一项不会卡住线索", a("reason"))
        }
        "gate.level.failing" => m.list("findings").iter().map(arg).collect::<Vec<_>>().join("；"),
        "gate.level.open" => format!("尚未确认：{}", a("findings")),
        "gate.level.no_criteria" => format!("{} 在这一层级没有设置标准", a("framework")),
        "gate.level.all_pass" => match a("count").as_str() {
            "0" => "这一层级没有决定性的检查".to_owned(),
            n => format!("{n} 项决定性检查全部通过"),
        },
        "gate.reason.fails" => format!("{}未通过：{}", level("level")?, a("reason")),
        "gate.reason.also_fails" => format!("{}同样未通过：{}", level("level")?, a("reason")),
        "gate.reason.open" => format!("{}待确认：{}", level("level")?, a("reason")),
        "gate.reason.all_pass" => "三个层级全部通过".to_owned(),
        "gate.reason.passes" => format!("{}通过：{}", level("level")?, a("reason")),
        "gate.next.qualified" => "转为 SQL，进入销售管道：挂电话前和对方约好下次会议的时间。".to_owned(),
        "gate.next.nurture" => format!(
            "转入培育路径“{}”：定期发送有价值的内容，{} 再联系。",
            nurture_track(Lang::Zh, m.text("track").unwrap_or("not_now")),
            a("date")
        ),
        "gate.next.find_decision_maker" => {
            "这位联系人拍不了板，也推动不了决定：找到真正的决策人，和他重新做一次评估。".to_owned()
        }
        "gate.next.outside_icp" => {
            "这家公司不符合理想客户画像：移出当前漏斗，除非公司情况有变，否则不再跟进。".to_owned()
        }
        "gate.next.no_problem" => "对方没有我们能解决的业务问题：礼貌结束，不必再谈预算和决策权。".to_owned(),
        "gate.next.cannot_commit" => {
            "凭这位联系人能做的承诺，这单推进不了：记下原因后结束，或者去找这家公司里的其他人。".to_owned()
        }
        "gate.next.contradicted" => "有些回答前后矛盾：先弄清楚谁真正了解情况，向他核实，再问下面的问题。".to_owned(),
        "gate.next.ask" => "了解的还不够：下次通话时问下面这些问题。".to_owned(),
        "icp.territory.unknown" => "不知道线索所在的国家或地区".to_owned(),
        "icp.territory.pass" => format!("{} 在我们的销售区域内", a("country")),
        "icp.territory.fail" => format!("{} 不在我们的销售区域内（{}）", a("country"), a("territories")),
        "icp.industry.unknown" => "不知道公司所属的行业".to_owned(),
        "icp.industry.pass" => format!("“{}”属于目标行业“{}”", a("industry"), a("target")),
        "icp.industry.fail" => format!("“{}”不在我们的目标行业内（{}）", a("industry"), a("industries")),
        "icp.range.unknown" => format!("不知道公司的{}", range_what(m.text("rule")?)?),
        "icp.range.pass" => {
            format!("{} {} 在目标范围内（{}）", range_what(m.text("rule")?)?, a("value"), range(m))
        }
        "icp.range.fail" => {
            format!("{} {} 不在目标范围内（{}）", range_what(m.text("rule")?)?, a("value"), range(m))
        }
        "icp.persona.unknown" => "不知道联系人的职位和职级".to_owned(),
        "icp.persona.title" => format!("职位“{}”符合目标角色“{}”", a("title"), a("keyword")),
        "icp.persona.seniority" => format!("职级“{}”属于目标角色", seniority(m.text("seniority")?)),
        "icp.persona.seniority_unknown" => "从职位看不出联系人的职级".to_owned(),
        "icp.persona.fail" => {
            let wanted: Vec<String> = m
                .list("titles")
                .iter()
                .map(arg)
                .chain(m.list("seniority").iter().map(|s| match s {
                    Arg::Text(s) => seniority(s).to_owned(),
                    other => arg(other),
                }))
                .collect();
            format!("联系人“{}”不符合任何目标角色（{}）", a("contact"), wanted.join("、"))
        }
        "icp.seniority" => seniority(m.text("seniority")?).to_owned(),
        "icp.excluded_domain.unknown" => "没有公司域名或工作邮箱，无法对照排除名单".to_owned(),
        "icp.excluded_domain.fail" => {
            format!("{} 在排除名单上（{}：竞争对手或现有客户）", a("domain"), a("entry"))
        }
        "icp.excluded_domain.pass" => format!("{} 不在排除名单上", a("domain")),
        "lifecycle.verdict" => {
            let verdict = m.text("verdict")?.parse::<sift_core::Verdict>().ok()?;
            format!("结论为“{}”：{}", i18n::verdict(Lang::Zh, verdict), a("reason"))
        }
        "lifecycle.undecided" => {
            let verdict = m.text("verdict")?.parse::<sift_core::Verdict>().ok()?;
            format!("结论是“{}”：在有定论之前，阶段不变", i18n::verdict(Lang::Zh, verdict))
        }
        "lifecycle.already" => format!("已经在{}阶段", stage("stage")?),
        "lifecycle.activity_too_late" => {
            format!("活动只会推动未评估和 MQL 阶段的线索；这条线索在{}阶段", stage("stage")?)
        }
        "lifecycle.customer_stays" => "客户始终是客户；续约没谈成要作为新的交易来跟进".to_owned(),
        "lifecycle.needs_reason" => "变更阶段需要写明原因".to_owned(),
        "lifecycle.not_allowed" => {
            let (from, to) = (stage("from")?, stage("to")?);
            let allowed: Vec<&str> = m
                .list("allowed")
                .iter()
                .filter_map(|s| match s {
                    Arg::Text(s) => s.parse::<Stage>().ok().map(|s| i18n::stage(Lang::Zh, s)),
                    _ => None,
                })
                .collect();
            if allowed.is_empty() {
                format!("线索不能从{from}转到{to}（{from}是最终阶段）")
            } else {
                format!("线索不能从{from}转到{to}（从{from}可以转到：{}）", allowed.join("、"))
            }
        }
        "lifecycle.not_nurtured" => {
            format!("只有培育中的线索会在回访日期回来；这条线索在{}阶段", stage("stage")?)
        }
        "import.stage" => "导入文件中的阶段".to_owned(),
        "import.stage_path" => format!("导入文件中的阶段（{}，按允许的转换逐步记录）", stage("stage")?),
        "lifecycle.re_engaged" => match m.text("reason") {
            Some(reason) => format!("已到回访日期：{reason}"),
            None => "已到回访日期".to_owned(),
        },
        "lifecycle.not_nurtured_pull_back" => {
            format!("只有培育中的线索才能提前拉回；这条线索在{}阶段", stage("stage")?)
        }
        "lifecycle.no_rule_fires" => "还没有触发任何线索类型规则".to_owned(),
        "call.evidence_note" | "answer.evidence_note" => {
            let items: Vec<String> = m.list("items").iter().map(arg).collect();
            let more = match a("more").as_str() {
                "" | "0" => String::new(),
                n => format!("，另有 {n} 处"),
            };
            let from = if m.code == "call.evidence_note" { "来自通话" } else { "来自填写的回答" };
            format!("{from}：{}{more}", items.join("；"))
        }
        "call.evidence" => format!("第 {} 段：“{}”（{}）", a("turn"), a("quote"), calls::clause(&a("note"))),
        "lead_type.recorded" => format!("规则 {}：有“{}”记录", a("rule"), activity(m.text("kind")?)?),
        "lead_type.activity" => {
            let detail = m.text("detail").map(|d| format!("（{d}）")).unwrap_or_default();
            format!("规则 {}：{} {}{detail}", a("rule"), a("date"), activity(m.text("kind")?)?)
        }
        "lead_type.points" => format!("规则 {}：互动积分 {} 分，门槛 {} 分", a("rule"), a("points"), a("threshold")),
        code if code.starts_with("call.") => return calls::chinese(m),
        code if code.starts_with("model.") => return models::chinese(m),
        _ => return None,
    };
    Some(text)
}

/// What a lead did (`ActivityKind::name`), in Chinese.
fn activity(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "page_view" => "浏览网页",
        "email_open" => "打开邮件",
        "email_click" => "点击邮件链接",
        "email_reply" => "回复邮件",
        "form_submission" => "提交表单",
        "call_button" => "点击致电按钮",
        "trial_signup" => "注册试用",
        "product_activation" => "激活产品",
        "product_usage" => "使用产品",
        _ => return None,
    })
}

/// An argument in Chinese: data as it is, a message in Chinese (English when unknown).
fn arg(a: &Arg) -> String {
    match a {
        Arg::Text(text) => text.clone(),
        Arg::List(items) => items.iter().map(arg).collect::<Vec<_>>().join("、"),
        Arg::Message(m) => chinese(m).unwrap_or_else(|| m.english()),
    }
}

/// `min` and `max` in Chinese.
fn range(m: &Message) -> String {
    match (m.text("min"), m.text("max")) {
        (Some(min), Some(max)) => format!("{min} 至 {max}"),
        (Some(min), None) => format!("不少于 {min}"),
        (None, Some(max)) => format!("不超过 {max}"),
        (None, None) => "不限".to_owned(),
    }
}

fn range_what(rule: &str) -> Option<&'static str> {
    match rule {
        "employees" => Some("员工人数"),
        "annual_revenue" => Some("年收入"),
        _ => None,
    }
}

/// The words of an ICP rule (a finding's id at the organization level).
fn icp_rule(id: &str) -> Option<&'static str> {
    Some(match id {
        "icp" => "理想客户画像",
        "excluded_domain" => "排除名单",
        "territory" => "销售区域",
        "industry" => "行业",
        "employees" => "员工人数",
        "annual_revenue" => "年收入",
        "persona" => "目标角色",
        _ => return None,
    })
}

/// A seniority (`Seniority::name`) in Chinese; an unknown one as it is.
fn seniority(name: &str) -> &str {
    match name {
        "individual" => "普通员工",
        "manager" => "经理",
        "director" => "总监",
        "vp" => "副总裁",
        "c_level" => "高管（C 级）",
        "owner" => "企业主",
        other => other,
    }
}

/// A nurture track (the concept map's `nurture_track`); one of the customer's own as named.
pub fn nurture_track(lang: Lang, track: &str) -> String {
    let zh = match track {
        "budget_cycle" => "等预算周期",
        "future_timeline" => "采购时间还远",
        "low_priority" => "优先级不高",
        "no_champion" => "缺少内部支持者",
        "no_clear_goal" => "目标不明确",
        "no_plan" => "还没有计划",
        "no_cost_of_inaction" => "维持现状也无妨",
        "no_clear_upside" => "收益不明确",
        "low_interest" => "兴趣不大",
        "not_now" => "暂时不合适",
        _ => return track.to_owned(),
    };
    match lang {
        Lang::Zh => zh.to_owned(),
        Lang::En => track.to_owned(),
    }
}

/// A problem on an error page: in Chinese a sentence for its kind, then the detail where it
/// says more than the kind (the API's words, in English, marked as such); in English the
/// detail.
pub fn problem(lang: Lang, error: &crate::problem::ApiError) -> maud::Markup {
    use crate::problem::Kind;
    let detail = error.detail.as_str();
    if lang == Lang::En {
        return maud::html! { p { (detail) } };
    }
    let summary = match error.kind {
        Kind::BadRequest => "这个请求无法读取。",
        Kind::Validation => "有些值不符合要求。",
        Kind::Unauthorized => "请先登录。",
        Kind::TokenExpired => "这个 API 令牌已过期，请新建一个。",
        Kind::Forbidden => "你的角色不能做这件事。",
        Kind::PasswordChangeRequired => "请先修改一次性密码。",
        Kind::Csrf => "表单已过期或来源不对，请刷新页面后再试。",
        Kind::NotFound => "这里没有你要找的内容，或者你无权查看。",
        Kind::MethodNotAllowed => "这个地址不支持这种操作。",
        Kind::Conflict => "与当前状态冲突。",
        Kind::PreconditionFailed => "在你读取之后，内容已被别人修改，请刷新后再试。",
        Kind::PreconditionRequired => "修改前需要先读取当前版本。",
        Kind::PayloadTooLarge => "提交的内容太大了。",
        Kind::UnsupportedMediaType => "不支持这种内容类型。",
        Kind::RateLimited => "请求太频繁了，请稍后再试。",
        Kind::Internal => "服务器没能完成这个请求，问题已经记录下来。",
        Kind::Unavailable => "暂时无法使用，请稍后再试。",
    };
    // Not found and internal errors say nothing the sentence does not; another detail may
    // name the field or the rule, so it stays, in the language it was written in.
    let more = !matches!(error.kind, Kind::NotFound | Kind::Internal) && !detail.trim().is_empty();
    let chinese = detail.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
    maud::html! {
        p { (summary) }
        @if more {
            @if chinese { p.muted { (detail) } } @else { p.muted lang="en" { (detail) } }
        }
    }
}

/// The words around score factors.
pub struct FactorWords {
    pub raised_by: &'static str,
    pub lowered_by: &'static str,
    pub separator: &'static str,
}

pub fn factor_words(lang: Lang) -> &'static FactorWords {
    match lang {
        Lang::En => &FactorWords { raised_by: "Raised by", lowered_by: "Lowered by", separator: "; " },
        Lang::Zh => &FactorWords { raised_by: "加分因素", lowered_by: "减分因素", separator: "；" },
    }
}

/// A score factor, `column: value`: Sift's own columns and placeholder values in the
/// page's language, the customer's fields and values as they are.
pub fn factor(lang: Lang, column: &str, value: &str) -> String {
    match lang {
        Lang::En => format!("{column}: {value}"),
        Lang::Zh => {
            let column = match column {
                "title" => "职位",
                "company" => "公司",
                "domain" => "域名",
                "industry" => "行业",
                "employees" => "员工人数",
                "annual_revenue" => "年收入",
                "country" => "国家或地区",
                "source" => "来源",
                "lead_type_rule" => "线索类型规则",
                "external_id" => "外部 ID",
                "stage" => "阶段",
                "tag" => "标签",
                other => other,
            };
            let value = match value {
                "(missing)" => "（未填写）",
                "(rare)" => "（少见取值）",
                other => other,
            };
            format!("{column}：{value}")
        }
    }
}

/// The factors of a stored score, `positive` or `negative`, as `(column, value)`.
pub fn score_factors(lead: &sift_store::StoredLead, side: &str) -> Vec<(String, String)> {
    lead.score
        .as_ref()
        .and_then(|s| s.factors.get(side))
        .and_then(serde_json::Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .filter_map(|f| {
            let text = |key: &str| f.get(key).and_then(serde_json::Value::as_str).map(str::to_owned);
            Some((text("column")?, text("value")?))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use chrono::NaiveDate;
    use sift_core::{CriterionAnswer, CriterionStatus, GateInput, GatePolicy, Icp, Lead, Registry, qualify_lead};

    use super::*;

    /// Every code the gate can write over a spread of leads and answers is said in Chinese,
    /// with no English sentence left in it.
    #[test]
    fn every_message_the_gate_writes_has_chinese_words() {
        let registry = Registry::builtin().expect("built-ins");
        let as_of = NaiveDate::from_ymd_opt(2026, 11, 26).expect("date");
        let icp = Icp::parse(
            "icp.toml",
            "territories = [\"DE\"]\nindustries = [\"Software\"]\nemployees = { min = 50, max = 5000 }\n\
             annual_revenue = { min = 1000000 }\nexcluded_domains = [\"rival.io\"]\n\
             personas = { titles = [\"sales\"], seniority = [\"c_level\"] }\n",
        )
        .expect("icp");
        let mut leads = vec![Lead::default()];
        let mut fits = Lead::default();
        fits.company.country = "DE".parse().ok();
        fits.company.industry = Some("Software".into());
        fits.company.employees = Some(300);
        fits.company.annual_revenue = Some(2e6);
        fits.company.domain = Some("acme.de".into());
        fits.contact.title = Some("Head of Sales".into());
        leads.push(fits);
        let mut out = Lead::default();
        out.company.country = "US".parse().ok();
        out.company.industry = Some("Retail".into());
        out.company.employees = Some(3);
        out.company.annual_revenue = Some(10.0);
        out.company.domain = Some("eu.rival.io".into());
        out.contact.title = Some("Intern".into());
        leads.push(out);
        let dates = [
            None,
            Some(as_of - chrono::Days::new(3)),
            Some(as_of + chrono::Days::new(30)),
            Some(as_of + chrono::Days::new(400)),
        ];
        let mut codes = std::collections::BTreeSet::new();
        for framework in registry.frameworks() {
            for (i, status) in CriterionStatus::ALL.into_iter().enumerate() {
                for lead in &leads {
                    for icp in [None, Some(&icp)] {
                        let answers: BTreeMap<String, CriterionAnswer> = framework
                            .criteria
                            .iter()
                            .enumerate()
                            .map(|(j, c)| {
                                let mut a =
                                    CriterionAnswer::new(if j % 2 == 0 { status } else { CriterionStatus::Confirmed });
                                a.date = dates[(i + j) % dates.len()];
                                a.note = (j == 0).then(|| "他说下个月".to_owned());
                                (c.id.clone(), a)
                            })
                            .collect();
                        let d = qualify_lead(&GateInput {
                            lead,
                            icp,
                            framework,
                            concepts: registry.concepts(),
                            answers: &answers,
                            policy: &GatePolicy::default(),
                            as_of,
                            language: None,
                        });
                        let mut all: Vec<&Message> = d.reason_messages.iter().collect();
                        all.extend(d.next_step_message.as_ref());
                        for l in &d.levels {
                            all.extend(l.reason_message.as_ref());
                            for f in &l.findings {
                                all.extend(f.reason_message.as_ref());
                                all.extend(f.evidence_message.as_ref());
                            }
                        }
                        for m in all {
                            codes.insert(m.code.clone());
                            let zh = chinese(m).unwrap_or_else(|| panic!("no Chinese for {m:?}"));
                            for english in
                                ["level", "confirmed", "established", "territor", "industr", "not known", "the "]
                            {
                                assert!(!zh.contains(english), "{}: {zh}", m.code);
                            }
                        }
                    }
                }
            }
        }
        assert!(codes.len() >= 30, "{codes:?}");
    }

    #[test]
    fn a_text_without_a_message_or_with_an_unknown_code_is_shown_as_stored() {
        assert_eq!(say(Lang::Zh, "stored words", None), "stored words");
        assert_eq!(say(Lang::Zh, "stored words", Some(&Message::new("gate.from_the_future"))), "stored words");
        assert_eq!(say(Lang::En, "stored words", Some(&Message::new("gate.from_the_future"))), "stored words");
        let next = Message::new("gate.next.ask");
        assert_eq!(say(Lang::En, "信息还不够", Some(&next)), next.english());
    }

    #[test]
    fn a_call_note_keeps_its_quote_and_says_the_rest_in_chinese() {
        let note = Message::new("call.evidence_note")
            .with_list(
                "items",
                vec![Arg::Message(
                    Message::new("call.evidence")
                        .with("turn", "4")
                        .with("quote", "40k set aside")
                        .with("note", "a budget figure"),
                )],
            )
            .with("more", "2");
        assert_eq!(chinese(&note).as_deref(), Some("来自通话：第 4 段：“40k set aside”（a budget figure），另有 2 处"));
        let typed = Message { code: "answer.evidence_note".to_owned(), ..note };
        assert!(chinese(&typed).is_some_and(|zh| zh.starts_with("来自填写的回答：第 4 段")));
        assert!(typed.english().starts_with("from the answer: turn 4"));
    }

    #[test]
    fn why_a_lead_stays_is_said_in_chinese() {
        use sift_core::{MovePlan, Trigger, plan_move};
        let said = |plan: MovePlan| match plan {
            MovePlan::Stay { reason, message, .. } => say(Lang::Zh, &reason, message.as_ref()),
            MovePlan::Move(m) => panic!("moved: {m:?}"),
        };
        let manual =
            |from: Stage, to: Stage, reason: &str| said(plan_move(from, Trigger::Manual { to, reason }, "dana"));
        assert_eq!(
            manual(Stage::Nurture, Stage::Customer, "won"),
            "线索不能从培育中转到客户（从培育中可以转到：MQL、PQL、CQL、SQL、不合格）"
        );
        assert_eq!(manual(Stage::Mql, Stage::Sql, " "), "变更阶段需要写明原因");
        assert_eq!(manual(Stage::Mql, Stage::Mql, "x"), "已经在MQL阶段");
        assert_eq!(
            said(plan_move(Stage::Mql, Trigger::ReEngage { reason: "" }, "sift")),
            "只有培育中的线索会在回访日期回来；这条线索在MQL阶段"
        );
        // And a lead that does come back says why, the nurture reason kept as it was written.
        let back = |reason: &str| match plan_move(Stage::Nurture, Trigger::ReEngage { reason }, "sift") {
            MovePlan::Move(m) => say(Lang::Zh, &m.reason, m.message.as_ref()),
            MovePlan::Stay { reason, .. } => panic!("stayed: {reason}"),
        };
        assert_eq!(back("budget opens in Q3"), "已到回访日期：budget opens in Q3");
        assert_eq!(back(""), "已到回访日期");
        // The moves an import records.
        let import = Message::new("import.stage_path").with("stage", "customer");
        assert_eq!(import.english(), "stage from the imported file (customer, by allowed moves)");
        assert_eq!(say(Lang::Zh, &import.english(), Some(&import)), "导入文件中的阶段（客户，按允许的转换逐步记录）");
        let import = Message::new("import.stage");
        assert_eq!(say(Lang::Zh, &import.english(), Some(&import)), "导入文件中的阶段");
    }

    /// What made a lead MQL, PQL or CQL, in both languages.
    #[test]
    fn lead_type_rules_explain_themselves_in_both_languages() {
        let check = |m: Message, english: &str, zh: &str| {
            assert_eq!(m.english(), english, "{}", m.code);
            assert_eq!(say(Lang::Zh, english, Some(&m)), zh, "{}", m.code);
            assert_eq!(say(Lang::En, "stored", Some(&m)), english, "{}", m.code);
        };
        check(
            Message::new("lead_type.recorded").with("rule", "converted").with("kind", "form_submission"),
            "rule `converted`: form_submission recorded",
            "规则 converted：有“提交表单”记录",
        );
        check(
            Message::new("lead_type.activity")
                .with("rule", "product_signal")
                .with("kind", "trial_signup")
                .with("detail", "14-day")
                .with("date", "2026-11-02"),
            "rule `product_signal`: trial_signup (14-day) on 2026-11-02",
            "规则 product_signal：2026-11-02 注册试用（14-day）",
        );
        check(
            Message::new("lead_type.activity")
                .with("rule", "converted")
                .with("kind", "call_button")
                .with("date", "2026-11-03"),
            "rule `converted`: call_button on 2026-11-03",
            "规则 converted：2026-11-03 点击致电按钮",
        );
        check(
            Message::new("lead_type.points").with("rule", "engaged").with("points", "12").with("threshold", "10"),
            "rule `engaged`: 12 engagement points, threshold 10",
            "规则 engaged：互动积分 12 分，门槛 10 分",
        );
        // The rules' own decisions say the same: every activity kind has Chinese words.
        let rules = sift_core::LeadTypeRules {
            rules: vec![sift_core::classify::LeadTypeRule {
                id: "any".into(),
                stage: Stage::Mql,
                any_of: sift_core::ActivityKind::ALL.to_vec(),
                min_points: None,
            }],
            points: Default::default(),
        };
        for kind in sift_core::ActivityKind::ALL {
            let did = sift_core::Activity { kind, at: chrono::Utc::now(), detail: None };
            let decision = rules.classify(&[did]).expect("the rule fires");
            let message = decision.explanation_message.as_ref().expect("a message");
            assert_eq!(message.english(), decision.explanation);
            let zh = chinese(message).unwrap_or_else(|| panic!("no Chinese for {kind:?}"));
            assert!(!zh.contains(kind.name()), "{zh}");
        }
    }

    #[test]
    fn score_factors_say_our_words_and_keep_the_customers() {
        assert_eq!(factor(Lang::Zh, "source", "(missing)"), "来源：（未填写）");
        assert_eq!(factor(Lang::Zh, "Lead Origin", "API"), "Lead Origin：API");
        assert_eq!(factor(Lang::En, "source", "(missing)"), "source: (missing)");
    }
}
