//! The web app's own words, in English and Chinese. Every string is a field of `Strings`,
//! so a text missing in one language does not compile. Chosen per request: the user's
//! setting, else the browser's `Accept-Language`, else English.

use sift_core::gate::Outcome;
use sift_core::icp::Check;
use sift_core::{Level, Stage, Verdict};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Zh,
}

impl Lang {
    /// `en` or `zh`, as stored in a user's setting and sent by the switch.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh",
        }
    }

    /// The `lang` attribute of the page.
    pub fn html_lang(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh-CN",
        }
    }

    /// The other language, offered by the switch.
    pub fn other(self) -> Lang {
        match self {
            Lang::En => Lang::Zh,
            Lang::Zh => Lang::En,
        }
    }

    pub fn parse(code: &str) -> Option<Lang> {
        let primary = code.trim().split(['-', '_']).next().unwrap_or("").to_ascii_lowercase();
        match primary.as_str() {
            "en" => Some(Lang::En),
            "zh" => Some(Lang::Zh),
            _ => None,
        }
    }

    /// The user's setting, else the best of `Accept-Language` we speak, else English.
    pub fn choose(setting: Option<&str>, accept_language: Option<&str>) -> Lang {
        setting.and_then(Lang::parse).or_else(|| accept_language.and_then(from_accept_language)).unwrap_or(Lang::En)
    }

    pub fn text(self) -> &'static Strings {
        match self {
            Lang::En => &EN,
            Lang::Zh => &ZH,
        }
    }
}

/// The language with the highest weight in an `Accept-Language` header that we speak; the
/// first one listed wins a tie.
fn from_accept_language(header: &str) -> Option<Lang> {
    let mut best: Option<(f32, Lang)> = None;
    for item in header.split(',') {
        let mut parts = item.split(';');
        let Some(lang) = parts.next().and_then(Lang::parse) else { continue };
        let weight = parts
            .find_map(|p| p.trim().strip_prefix("q="))
            .map_or(Some(1.0), |q| q.trim().parse::<f32>().ok())
            .unwrap_or(0.0);
        if weight > 0.0 && best.is_none_or(|(w, _)| weight > w) {
            best = Some((weight, lang));
        }
    }
    best.map(|(_, lang)| lang)
}

/// Every word the pages show that is not data.
pub struct Strings {
    pub skip_to_content: &'static str,
    pub nav_today: &'static str,
    pub nav_leads: &'static str,
    pub sign_out: &'static str,
    pub switch_language: &'static str,
    pub signed_in_as: &'static str,

    pub sign_in_title: &'static str,
    pub username: &'static str,
    pub password: &'static str,
    pub sign_in_button: &'static str,
    pub sign_in_failed: &'static str,
    pub sign_in_expired_form: &'static str,
    pub password_changed: &'static str,

    pub password_title: &'static str,
    pub change_password: &'static str,
    pub password_intro: &'static str,
    pub current_password: &'static str,
    pub new_password: &'static str,
    pub save_password: &'static str,

    pub today_title: &'static str,
    pub call_first: &'static str,
    pub call_first_empty: &'static str,
    pub nurture_due: &'static str,
    pub nurture_due_empty: &'static str,

    pub col_lead: &'static str,
    pub col_company: &'static str,
    pub col_stage: &'static str,
    pub col_score: &'static str,
    pub col_why: &'static str,
    pub col_owner: &'static str,
    pub col_verdict: &'static str,
    pub col_re_engage: &'static str,
    pub unscored: &'static str,
    pub unassigned: &'static str,
    pub unnamed_lead: &'static str,

    pub leads_title: &'static str,
    pub filter_stage: &'static str,
    pub filter_any_stage: &'static str,
    pub filter_owner: &'static str,
    pub filter_anyone: &'static str,
    pub filter_me: &'static str,
    pub filter_search: &'static str,
    pub filter_apply: &'static str,
    pub no_leads_match: &'static str,
    pub more_leads: &'static str,

    pub facts: &'static str,
    pub email: &'static str,
    pub phone: &'static str,
    pub job_title: &'static str,
    pub country: &'static str,
    pub source: &'static str,
    pub playbook: &'static str,
    pub verdict: &'static str,
    pub stopped_at: &'static str,
    pub next_step: &'static str,
    pub decided_on: &'static str,
    pub no_decision: &'static str,
    pub levels: &'static str,
    pub criterion: &'static str,
    pub result: &'static str,
    pub evidence: &'static str,
    pub why: &'static str,
    pub optional: &'static str,
    pub next_questions: &'static str,
    pub nurture_until: &'static str,
    pub history: &'static str,
    pub no_history: &'static str,
    pub when: &'static str,
    pub moved: &'static str,
    pub by: &'static str,
    pub calls: &'static str,
    pub no_calls: &'static str,
    pub call_date: &'static str,
    pub criteria_with_evidence: &'static str,
    pub good_signs: &'static str,
    pub red_flags: &'static str,

    pub not_found_title: &'static str,
    pub error_title: &'static str,
    pub back_to_today: &'static str,
}

static EN: Strings = Strings {
    skip_to_content: "Skip to content",
    nav_today: "Today",
    nav_leads: "Leads",
    sign_out: "Sign out",
    switch_language: "中文",
    signed_in_as: "Signed in as",

    sign_in_title: "Sign in to Sift",
    username: "User name",
    password: "Password",
    sign_in_button: "Sign in",
    sign_in_failed: "The user name or the password is not right.",
    sign_in_expired_form: "This form was open too long. Please sign in again.",
    password_changed: "Your password is changed. Sign in with it.",

    password_title: "Set your own password",
    change_password: "Change password",
    password_intro: "You signed in with a one-time password. Choose your own before you go on.",
    current_password: "One-time or current password",
    new_password: "New password (at least 12 characters)",
    save_password: "Save and sign in again",

    today_title: "Today",
    call_first: "Call first",
    call_first_empty: "No leads are waiting for a call. Leads you work (SQL, CQL, PQL, MQL or not yet qualified) show up here, highest score first.",
    nurture_due: "Nurtured leads due back",
    nurture_due_empty: "No nurtured lead is due back today.",

    col_lead: "Lead",
    col_company: "Company",
    col_stage: "Stage",
    col_score: "Score",
    col_why: "Why",
    col_owner: "Owner",
    col_verdict: "Verdict",
    col_re_engage: "Due back",
    unscored: "not scored",
    unassigned: "unassigned",
    unnamed_lead: "Lead",

    leads_title: "Leads",
    filter_stage: "Stage",
    filter_any_stage: "Any stage",
    filter_owner: "Owner",
    filter_anyone: "Anyone",
    filter_me: "Me",
    filter_search: "Search name, email, company or id",
    filter_apply: "Filter",
    no_leads_match: "No leads match these filters.",
    more_leads: "Next page",

    facts: "Facts",
    email: "Email",
    phone: "Phone",
    job_title: "Title",
    country: "Country",
    source: "Source",
    playbook: "Playbook",
    verdict: "Verdict",
    stopped_at: "Stopped at",
    next_step: "Next step",
    decided_on: "Decided",
    no_decision: "Not qualified yet: no decision is saved for this lead.",
    levels: "The three levels",
    criterion: "Criterion",
    result: "Result",
    evidence: "Evidence",
    why: "Why",
    optional: "optional",
    next_questions: "Ask next",
    nurture_until: "Nurture until",
    history: "Stage history",
    no_history: "The lead has not changed stage yet.",
    when: "When",
    moved: "Move",
    by: "By",
    calls: "Calls",
    no_calls: "No call is attached to this lead.",
    call_date: "Call date",
    criteria_with_evidence: "Criteria with evidence",
    good_signs: "Good signs",
    red_flags: "Red flags",

    not_found_title: "Not found",
    error_title: "Something went wrong",
    back_to_today: "Back to Today",
};

static ZH: Strings = Strings {
    skip_to_content: "跳到正文",
    nav_today: "今日",
    nav_leads: "线索",
    sign_out: "退出登录",
    switch_language: "English",
    signed_in_as: "当前用户",

    sign_in_title: "登录 Sift",
    username: "用户名",
    password: "密码",
    sign_in_button: "登录",
    sign_in_failed: "用户名或密码不对。",
    sign_in_expired_form: "这个页面打开太久了，请重新登录。",
    password_changed: "密码已修改，请用新密码登录。",

    password_title: "设置你自己的密码",
    change_password: "修改密码",
    password_intro: "你是用一次性密码登录的，继续之前请先设置自己的密码。",
    current_password: "一次性密码或当前密码",
    new_password: "新密码（至少 12 个字符）",
    save_password: "保存并重新登录",

    today_title: "今日",
    call_first: "优先联系",
    call_first_empty: "目前没有要联系的线索。你负责的 SQL、CQL、PQL、MQL 和未评估线索会显示在这里，评分高的排在前面。",
    nurture_due: "到期回访的培育线索",
    nurture_due_empty: "今天没有到期回访的培育线索。",

    col_lead: "线索",
    col_company: "公司",
    col_stage: "阶段",
    col_score: "评分",
    col_why: "原因",
    col_owner: "负责人",
    col_verdict: "结论",
    col_re_engage: "回访日期",
    unscored: "未评分",
    unassigned: "未分配",
    unnamed_lead: "线索",

    leads_title: "线索",
    filter_stage: "阶段",
    filter_any_stage: "全部阶段",
    filter_owner: "负责人",
    filter_anyone: "全部",
    filter_me: "我",
    filter_search: "搜索姓名、邮箱、公司或编号",
    filter_apply: "筛选",
    no_leads_match: "没有符合条件的线索。",
    more_leads: "下一页",

    facts: "基本信息",
    email: "邮箱",
    phone: "电话",
    job_title: "职位",
    country: "国家/地区",
    source: "来源",
    playbook: "销售打法",
    verdict: "结论",
    stopped_at: "卡在",
    next_step: "下一步",
    decided_on: "评估日期",
    no_decision: "还没有评估：这条线索没有保存过结论。",
    levels: "三个层级",
    criterion: "标准",
    result: "结果",
    evidence: "依据",
    why: "原因",
    optional: "选填",
    next_questions: "接下来要问",
    nurture_until: "培育至",
    history: "阶段变更记录",
    no_history: "这条线索还没有变更过阶段。",
    when: "时间",
    moved: "变更",
    by: "操作人",
    calls: "通话",
    no_calls: "这条线索还没有关联通话。",
    call_date: "通话日期",
    criteria_with_evidence: "有依据的标准",
    good_signs: "积极信号",
    red_flags: "风险信号",

    not_found_title: "找不到页面",
    error_title: "出错了",
    back_to_today: "回到今日",
};

pub fn stage(lang: Lang, stage: Stage) -> &'static str {
    match (lang, stage) {
        (Lang::En, Stage::Unqualified) => "Not qualified yet",
        (Lang::Zh, Stage::Unqualified) => "未评估",
        (_, Stage::Mql) => "MQL",
        (_, Stage::Pql) => "PQL",
        (_, Stage::Cql) => "CQL",
        (_, Stage::Sql) => "SQL",
        (Lang::En, Stage::Opportunity) => "Opportunity",
        (Lang::Zh, Stage::Opportunity) => "商机",
        (Lang::En, Stage::Nurture) => "Nurture",
        (Lang::Zh, Stage::Nurture) => "培育中",
        (Lang::En, Stage::Disqualified) => "Disqualified",
        (Lang::Zh, Stage::Disqualified) => "不合格",
        (Lang::En, Stage::Customer) => "Customer",
        (Lang::Zh, Stage::Customer) => "客户",
    }
}

/// A verdict's words; pages show it with its icon and colour (`verdict-<name>` in the CSS).
pub fn verdict(lang: Lang, verdict: Verdict) -> &'static str {
    match (lang, verdict) {
        (Lang::En, Verdict::Qualified) => "Qualified",
        (Lang::Zh, Verdict::Qualified) => "合格",
        (Lang::En, Verdict::Nurture) => "Nurture",
        (Lang::Zh, Verdict::Nurture) => "培育",
        (Lang::En, Verdict::Disqualified) => "Disqualified",
        (Lang::Zh, Verdict::Disqualified) => "不合格",
        (Lang::En, Verdict::NeedsInfo) => "Needs info",
        (Lang::Zh, Verdict::NeedsInfo) => "待补信息",
    }
}

pub fn level(lang: Lang, level: Level) -> &'static str {
    match (lang, level) {
        (Lang::En, Level::Organization) => "Organization",
        (Lang::Zh, Level::Organization) => "组织层",
        (Lang::En, Level::Opportunity) => "Opportunity",
        (Lang::Zh, Level::Opportunity) => "商机层",
        (Lang::En, Level::Stakeholder) => "Stakeholder",
        (Lang::Zh, Level::Stakeholder) => "关键人层",
    }
}

pub fn check(lang: Lang, check: Check) -> &'static str {
    match (lang, check) {
        (Lang::En, Check::Pass) => "passes",
        (Lang::Zh, Check::Pass) => "通过",
        (Lang::En, Check::Fail) => "fails",
        (Lang::Zh, Check::Fail) => "未通过",
        (Lang::En, Check::Unknown) => "open",
        (Lang::Zh, Check::Unknown) => "待确认",
    }
}

pub fn outcome(lang: Lang, outcome: Outcome) -> &'static str {
    match (lang, outcome) {
        (Lang::En, Outcome::Pass) => "pass",
        (Lang::Zh, Outcome::Pass) => "通过",
        (Lang::En, Outcome::Fail) => "out",
        (Lang::Zh, Outcome::Fail) => "出局",
        (Lang::En, Outcome::Nurture) => "not now",
        (Lang::Zh, Outcome::Nurture) => "暂缓",
        (Lang::En, Outcome::Unknown) => "unknown",
        (Lang::Zh, Outcome::Unknown) => "未知",
    }
}

/// Why a lead is on the call list.
pub fn call_reason(lang: Lang, reason: &sift_app::leads::CallReason) -> String {
    use sift_app::leads::CallReason;
    match (lang, reason) {
        (_, CallReason::ScoreFactor { column, value }) => format!("{column}: {value}"),
        (Lang::En, CallReason::LeadType { stage: s, rule }) => format!("{} by rule {rule}", stage(lang, *s)),
        (Lang::Zh, CallReason::LeadType { stage: s, rule }) => format!("规则 {rule} 判定为 {}", stage(lang, *s)),
        (Lang::En, CallReason::Verdict { verdict: v }) => format!("last verdict: {}", verdict(lang, *v)),
        (Lang::Zh, CallReason::Verdict { verdict: v }) => format!("上次结论：{}", verdict(lang, *v)),
        (Lang::En, CallReason::CrmStatus { status }) => format!("CRM status: {status}"),
        (Lang::Zh, CallReason::CrmStatus { status }) => format!("CRM 状态：{status}"),
    }
}

/// "12 leads" / "12 条线索".
pub fn lead_count(lang: Lang, n: usize) -> String {
    match (lang, n) {
        (Lang::En, 1) => "1 lead".to_owned(),
        (Lang::En, n) => format!("{n} leads"),
        (Lang::Zh, n) => format!("{n} 条线索"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_setting_wins_then_the_heaviest_accept_language_then_english() {
        for (setting, header, want) in [
            (Some("zh"), Some("en-US,en;q=0.9"), Lang::Zh),
            (Some("en"), Some("zh-CN"), Lang::En),
            (None, Some("zh-CN,zh;q=0.9,en;q=0.8"), Lang::Zh),
            (None, Some("fr-FR, en;q=0.5, zh;q=0.7"), Lang::Zh),
            (None, Some("de, fr;q=0.9"), Lang::En),
            (None, Some("zh;q=0, en"), Lang::En),
            (None, Some("en-GB, zh-TW"), Lang::En),
            (None, None, Lang::En),
            (Some("xx"), Some("zh"), Lang::Zh),
        ] {
            assert_eq!(Lang::choose(setting, header), want, "{setting:?} {header:?}");
        }
    }
}
