//! The lead: a contact at a company, where it came from, what it did, and its stage.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::lifecycle::{Stage, StageChange};

/// An ISO 3166-1 alpha-2 country code, upper case (`DE`, `CN`, `US`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CountryCode([u8; 2]);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{0}` is not a country Sift knows: give an ISO 3166-1 code (`DE`, `DEU`) or a name (`Germany`, `Deutschland`, `德国`)"
)]
pub struct CountryCodeError(pub String);

impl CountryCode {
    pub fn as_str(&self) -> &str {
        // Only ASCII upper-case letters are ever stored.
        std::str::from_utf8(&self.0).unwrap_or("??")
    }
}

impl FromStr for CountryCode {
    type Err = CountryCodeError;

    /// Reads an ISO 3166-1 alpha-2 or alpha-3 code or a country name through the one
    /// country parser ([`crate::country::parse_country`]); `UK` means `GB`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match crate::country::parse_country(s).map(str::as_bytes) {
            Some(&[a, b]) => Ok(CountryCode([a, b])),
            _ => Err(CountryCodeError(s.to_owned())),
        }
    }
}

impl TryFrom<String> for CountryCode {
    type Error = CountryCodeError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<CountryCode> for String {
    fn from(c: CountryCode) -> String {
        c.as_str().to_owned()
    }
}

impl fmt::Display for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The two languages Sift speaks to reps and prospects in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, Hash)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    #[default]
    En,
    Zh,
}

impl Language {
    pub fn code(self) -> &'static str {
        match self {
            Language::En => "en",
            Language::Zh => "zh",
        }
    }

    /// Guesses the language to address a lead in: Chinese when the contact's or company's
    /// name is written in Chinese characters, or the company is in mainland China, Taiwan,
    /// Hong Kong or Macau; English otherwise.
    pub fn infer(lead: &Lead) -> Language {
        let has_han = |s: &Option<String>| {
            s.as_deref().is_some_and(|s| s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)))
        };
        let chinese_region = lead.company.country.is_some_and(|c| matches!(c.as_str(), "CN" | "TW" | "HK" | "MO"));
        if has_han(&lead.contact.name) || has_han(&lead.company.name) || chinese_region {
            Language::Zh
        } else {
            Language::En
        }
    }
}

/// How senior a contact is. Ordered from individual contributor up to owner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Seniority {
    Individual,
    Manager,
    Director,
    Vp,
    CLevel,
    Owner,
}

impl Seniority {
    pub const ALL: [Seniority; 6] = [
        Seniority::Individual,
        Seniority::Manager,
        Seniority::Director,
        Seniority::Vp,
        Seniority::CLevel,
        Seniority::Owner,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Seniority::Individual => "individual",
            Seniority::Manager => "manager",
            Seniority::Director => "director",
            Seniority::Vp => "vp",
            Seniority::CLevel => "c_level",
            Seniority::Owner => "owner",
        }
    }

    /// Infers seniority from a job title in English or Chinese, or `None` when the title
    /// gives no clue.
    pub fn from_title(title: &str) -> Option<Seniority> {
        let t = format!(" {} ", title.to_lowercase().replace(['-', ',', '/', '.', '&'], " "));
        let has = |words: &[&str]| words.iter().any(|w| t.contains(w));
        if has(&[
            " owner ",
            " founder ",
            " co founder ",
            " proprietor ",
            "创始人",
            "老板",
            "董事长",
            "創辦人",
            "董事長",
        ]) {
            Some(Seniority::Owner)
        } else if has(&[
            " ceo ",
            " cfo ",
            " cto ",
            " coo ",
            " cmo ",
            " cro ",
            " cio ",
            " chief ",
            " president ",
            " managing director ",
            " general manager ",
            "总裁",
            "首席",
            "总经理",
        ]) {
            Some(Seniority::CLevel)
        } else if has(&[" vp ", " svp ", " evp ", " vice president ", " head of ", "副总", "副总裁", "副總"]) {
            Some(Seniority::Vp)
        } else if has(&[" director ", "总监", "總監"]) {
            Some(Seniority::Director)
        } else if has(&[" manager ", " lead ", " supervisor ", "经理", "主管", "經理"]) {
            Some(Seniority::Manager)
        } else if has(&[
            " analyst ",
            " specialist ",
            " associate ",
            " engineer ",
            " coordinator ",
            " assistant ",
            " intern ",
            " representative ",
            " executive ",
            "专员",
            "助理",
            "工程师",
        ]) {
            Some(Seniority::Individual)
        } else {
            None
        }
    }
}

impl FromStr for Seniority {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let norm = s.trim().to_lowercase().replace(['-', ' '], "_");
        Seniority::ALL
            .into_iter()
            .find(|v| v.name() == norm || (norm == "clevel" && *v == Seniority::CLevel))
            .ok_or_else(|| {
                format!("`{s}` is not a seniority; expected one of: {}", Seniority::ALL.map(Seniority::name).join(", "))
            })
    }
}

/// The person we talk to.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Contact {
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub title: Option<String>,
    /// Explicit seniority; when absent it may be inferred from the title.
    pub seniority: Option<Seniority>,
}

impl Contact {
    /// The given seniority, else one inferred from the title.
    pub fn effective_seniority(&self) -> Option<Seniority> {
        self.seniority.or_else(|| self.title.as_deref().and_then(Seniority::from_title))
    }

    /// The domain part of the email address, lower case.
    pub fn email_domain(&self) -> Option<String> {
        let email = self.email.as_deref()?;
        let (_, domain) = email.trim().rsplit_once('@')?;
        let domain = domain.trim().to_lowercase();
        (!domain.is_empty()).then_some(domain)
    }
}

/// The account the contact works for.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Company {
    pub name: Option<String>,
    /// Web domain, e.g. `acme.com`.
    pub domain: Option<String>,
    pub industry: Option<String>,
    pub employees: Option<u64>,
    /// Annual revenue in the company's reporting currency, whole units.
    pub annual_revenue: Option<f64>,
    pub country: Option<CountryCode>,
}

/// Something a lead did that tells us about their interest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActivityKind {
    PageView,
    EmailOpen,
    EmailClick,
    EmailReply,
    FormSubmission,
    CallButton,
    TrialSignup,
    ProductActivation,
    ProductUsage,
}

impl ActivityKind {
    pub const ALL: [ActivityKind; 9] = [
        ActivityKind::PageView,
        ActivityKind::EmailOpen,
        ActivityKind::EmailClick,
        ActivityKind::EmailReply,
        ActivityKind::FormSubmission,
        ActivityKind::CallButton,
        ActivityKind::TrialSignup,
        ActivityKind::ProductActivation,
        ActivityKind::ProductUsage,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ActivityKind::PageView => "page_view",
            ActivityKind::EmailOpen => "email_open",
            ActivityKind::EmailClick => "email_click",
            ActivityKind::EmailReply => "email_reply",
            ActivityKind::FormSubmission => "form_submission",
            ActivityKind::CallButton => "call_button",
            ActivityKind::TrialSignup => "trial_signup",
            ActivityKind::ProductActivation => "product_activation",
            ActivityKind::ProductUsage => "product_usage",
        }
    }

    /// The kind named `name` (`form_submission`...), if there is one.
    pub fn parse(name: &str) -> Option<ActivityKind> {
        ActivityKind::ALL.into_iter().find(|k| k.name() == name)
    }
}

impl fmt::Display for ActivityKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One timestamped activity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Activity {
    pub kind: ActivityKind,
    pub at: DateTime<Utc>,
    /// What exactly: the page, the email campaign, the form, the product event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// A lead with everything Sift knows about it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Lead {
    /// External or internal identifier, when one exists.
    pub id: Option<String>,
    pub contact: Contact,
    pub company: Company,
    /// Where the lead came from (`website`, `webinar`, `referral`, a CRM's lead source...).
    pub source: Option<String>,
    pub stage: Stage,
    pub activities: Vec<Activity>,
    /// Columns and fields with no place in the model, kept as given.
    pub custom_fields: BTreeMap<String, String>,
    /// Every stage change, oldest first.
    pub history: Vec<StageChange>,
    /// The language to address the lead in, when known.
    pub language: Option<Language>,
}

impl Lead {
    /// The language to address this lead in: the recorded one, else an inferred one.
    pub fn language(&self) -> Language {
        self.language.unwrap_or_else(|| Language::infer(self))
    }

    /// The company's domain, else the contact's email domain unless it is a free mail
    /// provider (which says nothing about the employer).
    pub fn company_domain(&self) -> Option<String> {
        if let Some(domain) = self.company.domain.as_deref() {
            let d = normalize_domain(domain);
            if !d.is_empty() {
                return Some(d);
            }
        }
        self.contact.email_domain().filter(|d| !is_free_mail_domain(d))
    }
}

/// Lower-cases a domain and strips a scheme, `www.`, a path and a trailing dot.
pub fn normalize_domain(raw: &str) -> String {
    let d = raw.trim().to_lowercase();
    let d = d.split_once("://").map_or(d.as_str(), |(_, rest)| rest);
    let d = d.split(['/', '?', '#']).next().unwrap_or_default();
    let d = d.strip_prefix("www.").unwrap_or(d);
    d.trim_end_matches('.').to_owned()
}

/// Free and consumer mail providers: an address there does not identify a company.
pub fn is_free_mail_domain(domain: &str) -> bool {
    const FREE: &[&str] = &[
        "gmail.com",
        "googlemail.com",
        "yahoo.com",
        "hotmail.com",
        "outlook.com",
        "live.com",
        "aol.com",
        "icloud.com",
        "me.com",
        "proton.me",
        "protonmail.com",
        "gmx.de",
        "gmx.net",
        "web.de",
        "mail.ru",
        "yandex.ru",
        "qq.com",
        "163.com",
        "126.com",
        "sina.com",
        "foxmail.com",
    ];
    FREE.contains(&domain)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn country_codes_accept_iso_codes_and_names_and_reject_the_rest() {
        assert_eq!("de".parse::<CountryCode>().map(|c| c.to_string()), Ok("DE".to_owned()));
        assert_eq!("UK".parse::<CountryCode>().map(|c| c.to_string()), Ok("GB".to_owned()));
        assert_eq!("Deutschland".parse::<CountryCode>().map(|c| c.to_string()), Ok("DE".to_owned()));
        assert_eq!("DEU".parse::<CountryCode>().map(|c| c.to_string()), Ok("DE".to_owned()));
        for bad in ["", "D", "XX", "Germania Inferior", "1A"] {
            assert!(bad.parse::<CountryCode>().is_err(), "{bad} should be rejected");
        }
    }

    #[test]
    fn seniority_is_inferred_from_common_titles() {
        let check = |title: &str, expected: Option<Seniority>| {
            assert_eq!(Seniority::from_title(title), expected, "{title}");
        };
        check("Chief Revenue Officer", Some(Seniority::CLevel));
        check("CEO", Some(Seniority::CLevel));
        check("Co-Founder", Some(Seniority::Owner));
        check("VP, Sales", Some(Seniority::Vp));
        check("Head of Marketing", Some(Seniority::Vp));
        check("Director of IT", Some(Seniority::Director));
        check("Sales Manager", Some(Seniority::Manager));
        check("Marketing Intern", Some(Seniority::Individual));
        check("销售总监", Some(Seniority::Director));
        check("首席执行官", Some(Seniority::CLevel));
        check("業務總監", Some(Seniority::Director));
        check("Wizard", None);
    }

    #[test]
    fn company_domain_falls_back_to_work_email_but_not_free_mail() {
        let mut lead = Lead::default();
        lead.contact.email = Some("ana@Acme.io".into());
        assert_eq!(lead.company_domain().as_deref(), Some("acme.io"));
        lead.contact.email = Some("ana@gmail.com".into());
        assert_eq!(lead.company_domain(), None);
        lead.company.domain = Some("https://www.Acme.io/about".into());
        assert_eq!(lead.company_domain().as_deref(), Some("acme.io"));
    }

    #[test]
    fn language_is_inferred_from_names_and_region() {
        let mut lead = Lead::default();
        assert_eq!(lead.language(), Language::En);
        lead.contact.name = Some("王伟".into());
        assert_eq!(lead.language(), Language::Zh);
        lead.contact.name = Some("Wei Wang".into());
        lead.company.country = "CN".parse().ok();
        assert_eq!(lead.language(), Language::Zh);
        lead.language = Some(Language::En);
        assert_eq!(lead.language(), Language::En);
    }
}
