//! The ideal-customer profile: does the account fit at all? (organization level)
//!
//! Every key of the profile is optional. Checking a lead gives one result per rule the
//! profile sets: pass, fail, or unknown when the lead lacks the fact. A missing fact is
//! never a failure.

use serde::{Deserialize, Serialize};
use toml::Spanned;

use toml::de::DeValue;

use crate::diag::{Diagnostics, TomlReader, table_value};
use crate::lead::{CountryCode, Lead, Seniority, normalize_domain};
use crate::message::{Arg, Message};

/// An inclusive numeric range; either end may be open.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bounds {
    pub min: Option<f64>,
    pub max: Option<f64>,
}

impl Bounds {
    pub fn contains(&self, value: f64) -> bool {
        self.min.is_none_or(|min| value >= min) && self.max.is_none_or(|max| value <= max)
    }

    /// The range in words: `1,000 to 5,000`, `at least 50`, `any`.
    pub fn describe(&self) -> String {
        match (self.min, self.max) {
            (Some(min), Some(max)) => format!("{} to {}", human_number(min), human_number(max)),
            (Some(min), None) => format!("at least {}", human_number(min)),
            (None, Some(max)) => format!("at most {}", human_number(max)),
            (None, None) => "any".to_owned(),
        }
    }
}

/// Formats a number with thousands separators and no needless decimals.
pub fn human_number(value: f64) -> String {
    let rounded = value.round();
    if (value - rounded).abs() > f64::EPSILON || rounded.abs() >= 1e15 {
        return format!("{value}");
    }
    let digits = format!("{}", rounded.abs() as u64);
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    if rounded < 0.0 { format!("-{out}") } else { out }
}

/// Target personas: job-title keywords and seniority levels (either is enough).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Personas {
    #[serde(default)]
    pub titles: Vec<String>,
    #[serde(default)]
    pub seniority: Vec<Seniority>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct IcpSyntax {
    name: Option<String>,
    territories: Option<Spanned<Vec<Spanned<String>>>>,
    industries: Option<Spanned<Vec<String>>>,
    employees: Option<BoundsSyntax>,
    annual_revenue: Option<BoundsSyntax>,
    excluded_domains: Option<Vec<String>>,
    personas: Option<Spanned<Personas>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct BoundsSyntax {
    min: Option<Spanned<f64>>,
    max: Option<Spanned<f64>>,
}

/// A validated ideal-customer profile.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Icp {
    pub name: Option<String>,
    pub territories: Option<Vec<CountryCode>>,
    pub industries: Option<Vec<String>>,
    pub employees: Option<Bounds>,
    pub annual_revenue: Option<Bounds>,
    pub excluded_domains: Option<Vec<String>>,
    pub personas: Option<Personas>,
}

/// The rules an ICP can set, in the order they are checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IcpRule {
    ExcludedDomain,
    Territory,
    Industry,
    Employees,
    AnnualRevenue,
    Persona,
}

impl IcpRule {
    pub fn name(self) -> &'static str {
        match self {
            IcpRule::ExcludedDomain => "excluded_domain",
            IcpRule::Territory => "territory",
            IcpRule::Industry => "industry",
            IcpRule::Employees => "employees",
            IcpRule::AnnualRevenue => "annual_revenue",
            IcpRule::Persona => "persona",
        }
    }
}

/// Pass, fail, or unknown for lack of a fact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Check {
    Pass,
    Fail,
    Unknown,
}

/// The outcome of one ICP rule for one lead.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IcpCheck {
    pub rule: IcpRule,
    pub outcome: Check,
    /// The lead's value that was checked, when it had one.
    pub fact: Option<String>,
    /// The fact in words of its own, when it is one of ours (a seniority) rather than data.
    pub fact_message: Option<Message>,
    pub reason: String,
    /// The reason as a code and its arguments ([`Message::english`] is `reason`).
    pub message: Message,
}

impl Icp {
    /// Reads a profile from TOML text, reporting every problem with its location.
    pub fn parse(source: &str, text: &str) -> Result<Icp, Diagnostics> {
        let mut reader = TomlReader::new(source, text);
        let Some(table) = reader.parse() else {
            return Err(reader.problems);
        };
        let icp = read_icp(&mut reader, table_value(table), "");
        reader.finish(icp)
    }

    /// Checks a lead against every rule the profile sets, in a fixed order.
    pub fn check(&self, lead: &Lead) -> Vec<IcpCheck> {
        let mut checks = Vec::new();
        if let Some(excluded) = &self.excluded_domains {
            checks.push(check_excluded_domain(excluded, lead));
        }
        if let Some(territories) = &self.territories {
            checks.push(match lead.company.country {
                None => unknown(IcpRule::Territory, Message::new("icp.territory.unknown")),
                Some(c) if territories.contains(&c) => pass(
                    IcpRule::Territory,
                    c.to_string(),
                    Message::new("icp.territory.pass").with("country", c.as_str()),
                ),
                Some(c) => fail(
                    IcpRule::Territory,
                    c.to_string(),
                    Message::new("icp.territory.fail")
                        .with("country", c.as_str())
                        .with_list("territories", texts(territories.iter().map(CountryCode::as_str))),
                ),
            });
        }
        if let Some(industries) = &self.industries {
            checks.push(match lead.company.industry.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                None => unknown(IcpRule::Industry, Message::new("icp.industry.unknown")),
                Some(industry) => {
                    let label = normalize_label(industry);
                    match industries.iter().find(|target| industry_matches(target, &label)) {
                        Some(t) => pass(
                            IcpRule::Industry,
                            industry.into(),
                            Message::new("icp.industry.pass").with("industry", industry).with("target", t.as_str()),
                        ),
                        None => fail(
                            IcpRule::Industry,
                            industry.into(),
                            Message::new("icp.industry.fail")
                                .with("industry", industry)
                                .with_list("industries", texts(industries.iter().map(String::as_str))),
                        ),
                    }
                }
            });
        }
        if let Some(bounds) = &self.employees {
            checks.push(check_bounds(IcpRule::Employees, bounds, lead.company.employees.map(|e| e as f64)));
        }
        if let Some(bounds) = &self.annual_revenue {
            checks.push(check_bounds(IcpRule::AnnualRevenue, bounds, lead.company.annual_revenue));
        }
        if let Some(personas) = &self.personas {
            checks.push(check_persona(personas, lead));
        }
        checks
    }
}

/// Reads a profile from a TOML value (a whole file or a table inside one, such as a
/// playbook's inline ICP), reporting every problem; `context` prefixes the messages.
pub(crate) fn read_icp<'t>(reader: &mut TomlReader<'t>, value: Spanned<DeValue<'t>>, context: &str) -> Option<Icp> {
    let at = |message: String| if context.is_empty() { message } else { format!("{context}: {message}") };
    let syntax = reader.deserialize::<IcpSyntax>(value, context)?;
    let mut territories = Vec::new();
    if let Some(list) = &syntax.territories {
        if list.get_ref().is_empty() {
            reader.report(
                Some(list.span()),
                at("territories: the list is empty, so no lead could ever fit; leave the key out to accept every country"
                    .to_owned()),
            );
        }
        for code in list.get_ref() {
            match code.get_ref().parse::<CountryCode>() {
                Ok(c) => territories.push(c),
                Err(e) => reader.report(Some(code.span()), at(format!("territories: {e}"))),
            }
        }
    }
    if let Some(list) = &syntax.industries
        && list.get_ref().iter().all(|i| normalize_label(i).is_empty())
    {
        reader.report(
            Some(list.span()),
            at("industries: the list is empty, so no lead could ever fit; leave the key out to accept every industry"
                .to_owned()),
        );
    }
    if let Some(p) = &syntax.personas
        && p.get_ref().titles.iter().all(|t| t.trim().is_empty())
        && p.get_ref().seniority.is_empty()
    {
        reader.report(
            Some(p.span()),
            at("personas: give `titles` or `seniority` (or leave the key out): an empty persona matches no contact"
                .to_owned()),
        );
    }
    let employees = read_bounds(reader, &at("employees".to_owned()), syntax.employees.as_ref());
    let annual_revenue = read_bounds(reader, &at("annual_revenue".to_owned()), syntax.annual_revenue.as_ref());
    Some(Icp {
        name: syntax.name,
        territories: syntax.territories.map(|_| territories),
        industries: syntax.industries.map(|v| v.get_ref().iter().map(|s| normalize_label(s)).collect()),
        employees,
        annual_revenue,
        excluded_domains: syntax.excluded_domains.map(|v| v.iter().map(|d| normalize_domain(d)).collect()),
        personas: syntax.personas.map(Spanned::into_inner),
    })
}

/// Checks a range as written (finite, not negative, `min` at most `max`), reporting each
/// problem under `key`.
pub(crate) fn read_bounds(reader: &mut TomlReader<'_>, key: &str, syntax: Option<&BoundsSyntax>) -> Option<Bounds> {
    let b = syntax?;
    for (end, value) in [("min", &b.min), ("max", &b.max)] {
        if let Some(v) = value {
            let n = *v.get_ref();
            if !n.is_finite() {
                reader.report(Some(v.span()), format!("{key}: `{end}` is `{n}`; give a finite number"));
            } else if n < 0.0 {
                reader.report(Some(v.span()), format!("{key}: `{end}` is {n}; bounds cannot be negative"));
            }
        }
    }
    if let (Some(min), Some(max)) = (&b.min, &b.max)
        && min.get_ref() > max.get_ref()
    {
        reader.report(
            Some(min.span()),
            format!("{key}: `min` ({}) is greater than `max` ({})", min.get_ref(), max.get_ref()),
        );
    }
    Some(Bounds { min: b.min.as_ref().map(|v| *v.get_ref()), max: b.max.as_ref().map(|v| *v.get_ref()) })
}

fn pass(rule: IcpRule, fact: String, message: Message) -> IcpCheck {
    IcpCheck { rule, outcome: Check::Pass, fact: Some(fact), fact_message: None, reason: message.english(), message }
}

fn fail(rule: IcpRule, fact: String, message: Message) -> IcpCheck {
    IcpCheck { rule, outcome: Check::Fail, fact: Some(fact), fact_message: None, reason: message.english(), message }
}

fn unknown(rule: IcpRule, message: Message) -> IcpCheck {
    IcpCheck { rule, outcome: Check::Unknown, fact: None, fact_message: None, reason: message.english(), message }
}

/// Data as a list argument.
fn texts<'a>(items: impl Iterator<Item = &'a str>) -> Vec<Arg> {
    items.map(|s| Arg::Text(s.to_owned())).collect()
}

/// Lower case, `&` as `and`, punctuation as single spaces: `IT & Services` -> `it and services`.
pub(crate) fn normalize_label(s: &str) -> String {
    s.to_lowercase()
        .replace('&', " and ")
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// An industry matches a target when equal, or when the target's words appear as a whole
/// run of words in it (`software` matches `computer software`).
pub(crate) fn industry_matches(target: &str, industry: &str) -> bool {
    target == industry || format!(" {industry} ").contains(&format!(" {target} "))
}

fn check_excluded_domain(excluded: &[String], lead: &Lead) -> IcpCheck {
    let Some(domain) = lead.company_domain() else {
        return unknown(IcpRule::ExcludedDomain, Message::new("icp.excluded_domain.unknown"));
    };
    let hit = excluded.iter().find(|ex| domain == **ex || domain.ends_with(&format!(".{ex}")));
    match hit {
        Some(ex) => fail(
            IcpRule::ExcludedDomain,
            domain.clone(),
            Message::new("icp.excluded_domain.fail").with("domain", domain.as_str()).with("entry", ex.as_str()),
        ),
        None => pass(
            IcpRule::ExcludedDomain,
            domain.clone(),
            Message::new("icp.excluded_domain.pass").with("domain", domain.as_str()),
        ),
    }
}

fn check_bounds(rule: IcpRule, bounds: &Bounds, value: Option<f64>) -> IcpCheck {
    let range = |code: &str, v: f64| {
        Message::new(code)
            .with("rule", rule.name())
            .with("value", human_number(v))
            .with_opt("min", bounds.min.map(human_number))
            .with_opt("max", bounds.max.map(human_number))
    };
    match value {
        None => unknown(rule, Message::new("icp.range.unknown").with("rule", rule.name())),
        Some(v) if bounds.contains(v) => pass(rule, human_number(v), range("icp.range.pass", v)),
        Some(v) => fail(rule, human_number(v), range("icp.range.fail", v)),
    }
}

fn check_persona(personas: &Personas, lead: &Lead) -> IcpCheck {
    let title = lead.contact.title.as_deref().map(str::trim).filter(|t| !t.is_empty());
    let seniority = lead.contact.effective_seniority();
    if title.is_none() && seniority.is_none() {
        return unknown(IcpRule::Persona, Message::new("icp.persona.unknown"));
    }
    let fact = title.map(str::to_owned).or_else(|| seniority.map(|s| s.name().to_owned())).unwrap_or_default();
    // Without a title the fact is the seniority, a word of ours.
    let fact_message = if title.is_none() {
        seniority.map(|s| Message::new("icp.seniority").with("seniority", s.name()))
    } else {
        None
    };
    let with_fact = |mut check: IcpCheck| {
        check.fact_message = fact_message.clone();
        check
    };
    if let Some(t) = title {
        let lower = t.to_lowercase();
        if let Some(keyword) = personas.titles.iter().find(|k| lower.contains(&k.to_lowercase())) {
            return pass(
                IcpRule::Persona,
                fact,
                Message::new("icp.persona.title").with("title", t).with("keyword", keyword.as_str()),
            );
        }
    }
    if let Some(s) = seniority
        && personas.seniority.contains(&s)
    {
        return with_fact(pass(
            IcpRule::Persona,
            fact,
            Message::new("icp.persona.seniority").with("seniority", s.name()),
        ));
    }
    if seniority.is_none() && personas.titles.is_empty() {
        return unknown(IcpRule::Persona, Message::new("icp.persona.seniority_unknown"));
    }
    with_fact(fail(
        IcpRule::Persona,
        fact.clone(),
        Message::new("icp.persona.fail")
            .with("contact", fact)
            .with_list("titles", texts(personas.titles.iter().map(String::as_str)))
            .with_list("seniority", texts(personas.seniority.iter().map(|s| s.name()))),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ICP: &str = r#"
name = "Mid-market SaaS in Europe"
territories = ["DE", "FR", "gb"]
industries = ["Software", "IT & Services"]
employees = { min = 50, max = 2000 }
annual_revenue = { min = 5_000_000 }
excluded_domains = ["rival.io", "https://www.bigcustomer.com"]
personas = { titles = ["revenue", "sales"], seniority = ["director", "vp", "c_level"] }
"#;

    fn lead() -> Lead {
        let mut lead = Lead::default();
        lead.company.domain = Some("acme.de".into());
        lead.company.country = "DE".parse().ok();
        lead.company.industry = Some("Computer Software".into());
        lead.company.employees = Some(300);
        lead.company.annual_revenue = Some(40_000_000.0);
        lead.contact.title = Some("Head of Operations".into());
        lead
    }

    fn outcomes(icp: &Icp, lead: &Lead) -> Vec<(&'static str, Check)> {
        icp.check(lead).into_iter().map(|c| (c.rule.name(), c.outcome)).collect()
    }

    #[test]
    fn a_fitting_lead_passes_every_rule() {
        let icp = Icp::parse("icp.toml", ICP).expect("valid");
        assert!(icp.check(&lead()).iter().all(|c| c.outcome == Check::Pass), "{:#?}", icp.check(&lead()));
    }

    #[test]
    fn each_rule_fails_on_its_own_fact() {
        let icp = Icp::parse("icp.toml", ICP).expect("valid");
        let check = |mutate: fn(&mut Lead), rule: &str| {
            let mut l = lead();
            mutate(&mut l);
            let results = icp.check(&l);
            let failed: Vec<_> = results.iter().filter(|c| c.outcome == Check::Fail).collect();
            assert_eq!(failed.len(), 1, "{rule}: {results:#?}");
            assert_eq!(failed[0].rule.name(), rule);
            assert!(!failed[0].reason.is_empty());
        };
        check(|l| l.company.domain = Some("eu.rival.io".into()), "excluded_domain");
        check(|l| l.company.domain = Some("bigcustomer.com".into()), "excluded_domain");
        check(|l| l.company.country = "US".parse().ok(), "territory");
        check(|l| l.company.industry = Some("Retail".into()), "industry");
        check(|l| l.company.employees = Some(12), "employees");
        check(|l| l.company.annual_revenue = Some(900_000.0), "annual_revenue");
        check(|l| l.contact.title = Some("Marketing Intern".into()), "persona");
    }

    #[test]
    fn missing_facts_are_unknown_never_failures() {
        let icp = Icp::parse("icp.toml", ICP).expect("valid");
        let results = outcomes(&icp, &Lead::default());
        assert_eq!(results.len(), 6);
        assert!(results.iter().all(|(_, o)| *o == Check::Unknown), "{results:?}");
    }

    #[test]
    fn every_key_is_optional_and_an_empty_profile_checks_nothing() {
        let icp = Icp::parse("icp.toml", "").expect("valid");
        assert!(icp.check(&lead()).is_empty());
    }

    #[test]
    fn persona_matches_titles_or_seniority() {
        let icp = Icp::parse("icp.toml", ICP).expect("valid");
        let mut l = lead();
        l.contact.title = Some("Sales Operations Analyst".into());
        assert!(outcomes(&icp, &l).contains(&("persona", Check::Pass)));
        l.contact.title = Some("Chief Financial Officer".into());
        assert!(outcomes(&icp, &l).contains(&("persona", Check::Pass)));
    }

    #[test]
    fn bad_profiles_report_every_problem_with_its_location() {
        let text = "territories = [\"DE\", \"Germania Inferior\"]\nemployees = { min = 500, max = 10 }\n";
        let err = Icp::parse("icp.toml", text).expect_err("invalid");
        let messages: Vec<String> = err.iter().map(ToString::to_string).collect();
        assert_eq!(messages.len(), 2, "{messages:?}");
        assert!(messages[0].starts_with("icp.toml:1:22: territories: `Germania Inferior`"), "{}", messages[0]);
        assert!(messages[1].starts_with("icp.toml:2:21: employees: `min` (500) is greater"), "{}", messages[1]);

        let err = Icp::parse("icp.toml", "territory = [\"DE\"]\n").expect_err("unknown key");
        assert!(err.to_string().contains("unknown field `territory`"), "{err}");
        assert!(err.to_string().starts_with("icp.toml:1:1"), "{err}");

        let err = Icp::parse("icp.toml", "employees = { min = 5 \n").expect_err("bad toml");
        assert!(err.to_string().starts_with("icp.toml:1:"), "{err}");
    }

    #[test]
    fn regression_nan_inf_and_empty_lists_are_refused_with_their_line_and_column() {
        let check = |text: &str, expected: &str| {
            let err = Icp::parse("icp.toml", text).expect_err(text);
            let messages: Vec<String> = err.iter().map(ToString::to_string).collect();
            assert_eq!(messages.len(), 1, "{text}: {messages:?}");
            assert!(messages[0].starts_with(expected), "{text}: {}", messages[0]);
        };
        // `annual_revenue = { min = nan }` used to disqualify every lead.
        check("annual_revenue = { min = nan }\n", "icp.toml:1:26: annual_revenue: `min` is `NaN`");
        check("employees = { max = inf }\n", "icp.toml:1:21: employees: `max` is `inf`");
        check("employees = { min = -inf }\n", "icp.toml:1:21: employees: `min` is `-inf`");
        check(
            "\nemployees = { min = 10, max = 5 }\n",
            "icp.toml:2:21: employees: `min` (10) is greater than `max` (5)",
        );
        check("territories = []\n", "icp.toml:1:15: territories: the list is empty");
        check("industries = []\n", "icp.toml:1:14: industries: the list is empty");
        check("personas = { titles = [] }\n", "icp.toml:1:12: personas: give `titles` or `seniority`");
    }

    #[test]
    fn territories_accept_codes_and_country_names_in_any_language() {
        let icp = Icp::parse("icp.toml", "territories = [\"Germany\", \"España\", \"德国\", \"FRA\", \"us\"]\n")
            .expect("names are countries");
        let codes: Vec<&str> = icp.territories.iter().flatten().map(CountryCode::as_str).collect();
        assert_eq!(codes, ["DE", "ES", "DE", "FR", "US"]);
    }

    #[test]
    fn numbers_are_printed_with_thousands_separators() {
        assert_eq!(human_number(5_000_000.0), "5,000,000");
        assert_eq!(human_number(999.0), "999");
        assert_eq!(human_number(-1234.0), "-1,234");
        assert_eq!(human_number(2.5), "2.5");
    }
}
