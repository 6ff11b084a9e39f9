//! The web app's own words, in English and Chinese. Every string is a field of `Strings`,
//! so a text missing in one language does not compile. Chosen per request: the user's
//! setting, else the browser's `Accept-Language`, else English.

use sift_core::gate::Outcome;
use sift_core::icp::Check;
use sift_core::{CriterionStatus, Level, Stage, Verdict};

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

    /// The language of questions and next steps the core writes for this reader.
    pub fn language(self) -> sift_core::Language {
        match self {
            Lang::En => sift_core::Language::En,
            Lang::Zh => sift_core::Language::Zh,
        }
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

    pub playbook_title: &'static str,
    pub run_playbook: &'static str,
    pub framework: &'static str,
    pub switch_framework: &'static str,
    pub framework_from_playbook: &'static str,
    pub framework_by_default: &'static str,
    pub framework_switched: &'static str,
    pub ask_this: &'static str,
    pub status: &'static str,
    pub note: &'static str,
    pub date: &'static str,
    pub date_invalid: &'static str,
    pub status_invalid: &'static str,
    pub level_from_facts: &'static str,
    pub no_criteria_here: &'static str,
    pub your_question: &'static str,
    pub type_question: &'static str,
    pub question_open: &'static str,
    pub question_closed: &'static str,
    pub question_leading: &'static str,
    pub try_instead: &'static str,
    pub use_rewrite: &'static str,
    pub preview_verdict: &'static str,
    pub save_decision: &'static str,
    pub read_only: &'static str,
    pub saved_moved: &'static str,
    pub saved_stayed: &'static str,
    pub back_to_lead: &'static str,
    pub where_it_stands: &'static str,
    pub fix_fields: &'static str,
    pub upload_call: &'static str,
    pub call_title: &'static str,
    pub call_for_lead: &'static str,
    pub call_intro: &'static str,
    pub transcript_file: &'static str,
    pub transcript_text: &'static str,
    pub rep_names: &'static str,
    pub call_language: &'static str,
    pub detect_language: &'static str,
    pub analyse: &'static str,
    pub analyse_and_save: &'static str,
    pub no_transcript: &'static str,
    pub transcript_too_large: &'static str,
    pub call_saved: &'static str,
    pub call_not_saved: &'static str,
    pub conversation: &'static str,
    pub rep: &'static str,
    pub prospect: &'static str,
    pub metrics: &'static str,
    pub metric: &'static str,
    pub value: &'static str,
    pub reference: &'static str,
    pub standing: &'static str,
    pub heard: &'static str,
    pub nothing_heard: &'static str,
    pub signal: &'static str,
    pub jump_to_quote: &'static str,
    pub judged_under: &'static str,
    pub closed_questions_asked: &'static str,

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

    playbook_title: "Discovery call",
    run_playbook: "Run the discovery call",
    framework: "Framework",
    switch_framework: "Switch framework",
    framework_from_playbook: "The lead's playbook gives this framework:",
    framework_by_default: "No playbook applies to this lead, so BANT is used.",
    framework_switched: "You switched framework; the lead's own is",
    ask_this: "Ask",
    status: "Status",
    note: "Note",
    date: "Date",
    date_invalid: "Not a date: use YYYY-MM-DD.",
    status_invalid: "Choose one of the listed statuses.",
    level_from_facts: "Decided from the lead's facts and the ideal-customer profile.",
    no_criteria_here: "This framework asks nothing at this level.",
    your_question: "Your own question",
    type_question: "Type a question; Sift checks it is open",
    question_open: "Open question: it invites an explanation.",
    question_closed: "Closed question: it invites a yes or a no.",
    question_leading: "Leading question: it suggests the answer.",
    try_instead: "Try instead:",
    use_rewrite: "Use this question",
    preview_verdict: "Update the verdict",
    save_decision: "Save the decision",
    read_only: "You can read this lead but not change it, so the decision cannot be saved.",
    saved_moved: "Decision saved. The lead moved to",
    saved_stayed: "Decision saved. The stage stays",
    back_to_lead: "Back to the lead",
    where_it_stands: "Where it stands",
    fix_fields: "Some answers need fixing; see the fields marked below.",
    upload_call: "Upload a call",
    call_title: "Analyse a call",
    call_for_lead: "Call with",
    call_intro: "Upload a transcript or paste it. Sift marks each signal and each criterion's evidence at its quote.",
    transcript_file: "Transcript file (txt, vtt, srt or json)",
    transcript_text: "Or paste the transcript",
    rep_names: "The rep's name in the transcript (optional; separate several with commas)",
    call_language: "Language of the call",
    detect_language: "Detect",
    analyse: "Analyse",
    analyse_and_save: "Analyse and save with the lead",
    no_transcript: "Choose a file or paste a transcript.",
    transcript_too_large: "the transcript is larger than 16 MB.",
    call_saved: "Saved with the lead.",
    call_not_saved: "Not saved: this call is not attached to a lead.",
    conversation: "Conversation",
    rep: "rep",
    prospect: "prospect",
    metrics: "Metrics against their reference bands",
    metric: "Metric",
    value: "Value",
    reference: "Reference",
    standing: "Standing",
    heard: "What Sift heard",
    nothing_heard: "No signal and no criterion evidence in this call.",
    signal: "Signal",
    jump_to_quote: "Go to the quote",
    judged_under: "Judged under",
    closed_questions_asked: "Closed questions asked, with an open way to ask them",

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

    playbook_title: "需求沟通",
    run_playbook: "开始需求沟通",
    framework: "评估框架",
    switch_framework: "切换框架",
    framework_from_playbook: "这条线索的销售打法使用的框架：",
    framework_by_default: "这条线索没有适用的销售打法，默认使用 BANT。",
    framework_switched: "你切换了框架；线索原本使用的是",
    ask_this: "可以这样问",
    status: "状态",
    note: "备注",
    date: "日期",
    date_invalid: "日期格式不对，请用 YYYY-MM-DD。",
    status_invalid: "请从列表中选择一个状态。",
    level_from_facts: "根据线索资料和理想客户画像判断。",
    no_criteria_here: "这个框架在这一层没有要问的标准。",
    your_question: "自拟问题",
    type_question: "输入一个问题，Sift 会检查它是不是开放式问题",
    question_open: "开放式问题：能引导对方展开讲。",
    question_closed: "封闭式问题：对方只能回答是或否。",
    question_leading: "诱导性问题：问题里暗示了答案。",
    try_instead: "可以改成：",
    use_rewrite: "改用这个问题",
    preview_verdict: "更新结论",
    save_decision: "保存结论",
    read_only: "你对这条线索只有查看权限，不能保存结论。",
    saved_moved: "结论已保存，线索已进入",
    saved_stayed: "结论已保存，阶段保持为",
    back_to_lead: "返回线索",
    where_it_stands: "当前评估",
    fix_fields: "有些答案需要修改，请看下面标出的字段。",
    upload_call: "上传通话",
    call_title: "通话分析",
    call_for_lead: "通话对象：",
    call_intro: "上传或粘贴通话记录。Sift 会在原话处标出每个信号和每条标准的依据。",
    transcript_file: "通话记录文件（txt、vtt、srt 或 json）",
    transcript_text: "或者粘贴通话记录",
    rep_names: "通话记录里销售的名字（选填，多个用逗号分隔）",
    call_language: "通话语言",
    detect_language: "自动识别",
    analyse: "分析",
    analyse_and_save: "分析并保存到线索",
    no_transcript: "请选择文件或粘贴通话记录。",
    transcript_too_large: "通话记录超过 16 MB。",
    call_saved: "已保存到这条线索。",
    call_not_saved: "未保存：这通电话没有关联线索。",
    conversation: "通话内容",
    rep: "销售",
    prospect: "买方",
    metrics: "通话指标与参考范围",
    metric: "指标",
    value: "数值",
    reference: "参考范围",
    standing: "评价",
    heard: "Sift 听到的要点",
    nothing_heard: "这通电话里没有找到信号或标准依据。",
    signal: "信号",
    jump_to_quote: "跳到原话",
    judged_under: "评估框架：",
    closed_questions_asked: "问过的封闭式问题，以及开放式问法",

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

/// A criterion status as the rep picks it.
pub fn criterion_status(lang: Lang, status: CriterionStatus) -> &'static str {
    match (lang, status) {
        (Lang::En, CriterionStatus::Confirmed) => "Confirmed",
        (Lang::Zh, CriterionStatus::Confirmed) => "已确认",
        (Lang::En, CriterionStatus::Partial) => "Partly there",
        (Lang::Zh, CriterionStatus::Partial) => "部分确认",
        (Lang::En, CriterionStatus::Unknown) => "Not known yet",
        (Lang::Zh, CriterionStatus::Unknown) => "尚不清楚",
        (Lang::En, CriterionStatus::Negative) => "Clearly lacking",
        (Lang::Zh, CriterionStatus::Negative) => "明确没有",
        (Lang::En, CriterionStatus::Contradicted) => "Contradicted",
        (Lang::Zh, CriterionStatus::Contradicted) => "说法矛盾",
    }
}

/// A signal's name (`SignalKind::as_str`); an unknown one as it is.
pub fn signal(lang: Lang, kind: &str) -> String {
    let known = match (lang, kind) {
        (Lang::En, "excuse") => "Excuse",
        (Lang::Zh, "excuse") => "解释原因",
        (Lang::En, "specificity") => "Specific answer",
        (Lang::Zh, "specificity") => "回答具体",
        (Lang::En, "knowledge") => "Knows the business",
        (Lang::Zh, "knowledge") => "了解公司情况",
        (Lang::En, "inconsistency") => "Inconsistency",
        (Lang::Zh, "inconsistency") => "前后矛盾",
        (Lang::En, "short_answers") => "Short answers",
        (Lang::Zh, "short_answers") => "回答简短",
        (Lang::En, "unrealistic_target") => "Unrealistic target",
        (Lang::Zh, "unrealistic_target") => "目标不现实",
        _ => return kind.to_owned(),
    };
    known.to_owned()
}

/// A call metric's name (`Assessment::metric`); an unknown one as it is.
pub fn metric(lang: Lang, id: &str) -> String {
    let known = match (lang, id) {
        (Lang::En, "talk_ratio") => "Rep's share of the talking",
        (Lang::Zh, "talk_ratio") => "销售说话占比",
        (Lang::En, "rep_questions") => "Questions the rep asked",
        (Lang::Zh, "rep_questions") => "销售提问数",
        (Lang::En, "closed_question_share") => "Share of closed questions",
        (Lang::Zh, "closed_question_share") => "封闭式问题占比",
        (Lang::En, "longest_rep_monologue") => "Rep's longest monologue",
        (Lang::Zh, "longest_rep_monologue") => "销售最长独白",
        (Lang::En, "prospect_short_answer_share") => "Share of short prospect answers",
        (Lang::Zh, "prospect_short_answer_share") => "买方简短回答占比",
        _ => return id.to_owned(),
    };
    known.to_owned()
}

/// Where a metric stands against its band (`Standing`, snake case).
pub fn standing(lang: Lang, standing: &str) -> String {
    let known = match (lang, standing) {
        (Lang::En, "low") => "below the band",
        (Lang::Zh, "low") => "低于参考范围",
        (Lang::En, "in_band") => "within the band",
        (Lang::Zh, "in_band") => "在参考范围内",
        (Lang::En, "high") => "above the band",
        (Lang::Zh, "high") => "高于参考范围",
        _ => return standing.to_owned(),
    };
    known.to_owned()
}

/// Why a lead is on the call list.
pub fn call_reason(lang: Lang, reason: &sift_app::leads::CallReason) -> String {
    use sift_app::leads::CallReason;
    match (lang, reason) {
        (_, CallReason::ScoreFactor { column, value }) => super::messages::factor(lang, column, value),
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
