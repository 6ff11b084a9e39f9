//! Playbooks: the built-in examples hold to their own examples, broken files report every
//! problem with its line and column, and routing picks the first fitting playbook and says why.

use std::collections::BTreeSet;
use std::path::Path;

use sift_core::Registry;
use sift_core::icp::Check;
use sift_core::playbook::{
    Assignment, BUILTIN_PLAYBOOKS, ExampleLead, OwnerPlan, PlaybookContext, PlaybookIcp, Playbooks, parse_playbooks,
};
use sift_core::{CountryCode, Lead, Stage};

fn registry() -> Registry {
    Registry::builtin().expect("built-in frameworks")
}

fn parse(text: &str) -> Result<sift_core::playbook::LoadedPlaybooks, sift_core::Diagnostics> {
    let registry = registry();
    parse_playbooks("playbooks.toml", text, PlaybookContext { registry: &registry, users: None })
}

fn lines(d: &sift_core::Diagnostics) -> Vec<String> {
    d.iter().map(ToString::to_string).collect()
}

#[test]
fn the_embedded_list_matches_the_files_on_disk() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("playbooks");
    let on_disk: BTreeSet<String> = std::fs::read_dir(&dir)
        .expect("playbooks dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".toml"))
        .collect();
    let embedded: BTreeSet<String> = BUILTIN_PLAYBOOKS.iter().map(|(n, _)| (*n).to_owned()).collect();
    assert_eq!(on_disk, embedded);
    for (name, text) in BUILTIN_PLAYBOOKS {
        assert_eq!(std::fs::read_to_string(dir.join(name)).expect("read"), *text, "{name}");
    }
}

/// The house rule for rules as data: every built-in playbook carries leads it must take and
/// leads it must not, and loading checks them (a failing example is a load error).
#[test]
fn every_built_in_playbook_loads_cleanly_with_examples_both_ways() {
    for (name, text) in BUILTIN_PLAYBOOKS {
        let loaded = parse(text).unwrap_or_else(|e| panic!("{name}:\n{e}"));
        assert!(loaded.warnings.is_empty(), "{name}: {}", loaded.warnings);
        for p in &loaded.playbooks.playbooks {
            assert!(p.examples.matches.len() >= 2, "{name}: `{}` needs examples that must fit", p.id);
            assert!(p.examples.rejects.len() >= 2, "{name}: `{}` needs examples that must not fit", p.id);
            // Checked again here, independently of the loader.
            for e in &p.examples.matches {
                assert!(p.segment.fits(&e.to_lead()), "{name}: {e:?}");
            }
            for e in &p.examples.rejects {
                assert!(!p.segment.fits(&e.to_lead()), "{name}: {e:?}");
            }
        }
    }
}

#[test]
fn the_two_examples_are_the_documented_segments() {
    let by_file = |file: &str| {
        let (_, text) = BUILTIN_PLAYBOOKS.iter().find(|(n, _)| *n == file).expect("file");
        parse(text).expect("valid").playbooks.playbooks.remove(0)
    };
    let smb = by_file("smb-self-serve.toml");
    assert_eq!((smb.id.as_str(), smb.framework.as_str()), ("smb-self-serve", "anum"));
    assert!(matches!(smb.assignment, Assignment::RoundRobin));
    assert!(matches!(smb.icp, PlaybookIcp::Inline { .. }));
    assert!(smb.lead_types.is_some());
    let enterprise = by_file("enterprise.toml");
    assert_eq!((enterprise.id.as_str(), enterprise.framework.as_str()), ("enterprise", "meddic"));
    assert!(matches!(enterprise.assignment, Assignment::Territory { .. }));
    let PlaybookIcp::Named { name, icp } = &enterprise.icp else { panic!("named ICP") };
    assert_eq!(name, "enterprise-fit");
    assert!(icp.annual_revenue.is_some() && icp.personas.is_some(), "strict profile: {icp:?}");
}

#[test]
fn a_broken_file_reports_every_problem_with_its_location() {
    let text = r#"[[playbooks]]
id = "big"
framework = "meddik"
owners = []
colour = "red"

[playbooks.segment]
employees = { min = 5000, max = 10 }
countries = ["DE", "Atlantis"]

[[playbooks]]
id = "small"
framework = "bant"
icp = "missing"
owners = ["ana", "ana"]
assignment = "territory"
territories = { DE = "ben", Narnia = "ana" }

[playbooks.segment]
stages = ["mql", "hot"]

[[playbooks]]
id = "mid"
framework = "champ"
owners = ["ana"]

[playbooks.segment]
employees = { min = 200, max = 999 }

[playbooks.examples]
matches = [ { employees = 150 } ]
rejects = [ { employees = 500 } ]
"#;
    let err = parse(text).expect_err("broken");
    let got = lines(&err);
    let expected = [
        "playbooks.toml:5:1: playbook #1: unknown field `colour`, expected one of `id`, `name`",
        "playbooks.toml:8:21: playbook #1: segment: employees: `min` (5000) is greater than `max` (10)",
        "playbooks.toml:9:20: playbook #1: segment: countries: `Atlantis` is not a country",
        "playbooks.toml:14:7: playbook `small`: unknown ICP `missing`; define it as `[icps.NAME]`",
        "playbooks.toml:15:18: playbook `small`: owner `ana` is in the pool twice",
        "playbooks.toml:17:22: playbook `small`: territories: `ben` is not in the owner pool (ana)",
        "playbooks.toml:17:29: playbook `small`: territories: `Narnia` is not a country",
        "playbooks.toml:20:18: playbook `small`: segment: unknown variant `hot`, expected one of `unqualified`",
        "playbooks.toml:31:13: playbook `mid`: this example must fit the segment but does not: employees 150 is outside the range (200 to 999)",
        "playbooks.toml:32:13: playbook `mid`: this example must not fit the segment but does: employees 500 is within the range (200 to 999)",
    ];
    for (i, prefix) in expected.iter().enumerate() {
        assert!(got.get(i).is_some_and(|l| l.starts_with(prefix)), "#{i}: expected {prefix:?}\n got {got:#?}");
    }
    assert_eq!(got.len(), expected.len(), "{got:#?}");
}

#[test]
fn each_kind_of_problem_is_named_at_its_place() {
    // One problem per case: (file text, expected `line:column: message` prefix).
    let check = |text: &str, expected: &str| {
        let err = parse(text).expect_err(text);
        let got = lines(&err);
        assert_eq!(got.len(), 1, "{text}\n{got:#?}");
        assert!(got[0].starts_with(&format!("playbooks.toml:{expected}")), "{text}\n got {:?}", got[0]);
    };
    let head = "[[playbooks]]\nid = \"p\"\nframework = \"bant\"\n";
    check(&format!("{head}owners = []\n"), "4:10: playbook `p`: the owner pool is empty");
    check(
        "[[playbooks]]\nid = \"p\"\nframework = \"xyz\"\nowners = [\"a\"]\n",
        "3:13: playbook `p`: unknown framework `xyz`; known frameworks: bant, meddic",
    );
    check(
        &format!("{head}owners = [\"a\"]\n[playbooks.segment]\nemployees = {{ min = -5 }}\n"),
        "6:21: playbook `p`: segment: employees: `min` is -5; bounds cannot be negative",
    );
    check(
        &format!("{head}owners = [\"a\"]\n[playbooks.segment]\nannual_revenue = {{ max = nan }}\n"),
        "6:26: playbook `p`: segment: annual_revenue: `max` is `NaN`",
    );
    check(
        &format!("{head}owners = [\"a\"]\n[playbooks.segment]\nsize = 5\n"),
        "6:1: playbook `p`: segment: unknown field `size`",
    );
    check(
        &format!("{head}owners = [\"a\"]\n[playbooks.segment]\nsources = []\n"),
        "6:11: playbook `p`: segment: `sources` is empty",
    );
    check(
        &format!("{head}owners = [\"a\"]\nassignment = \"territory\"\n"),
        "5:14: playbook `p`: assignment by territory needs",
    );
    check(
        &format!("{head}owners = [\"a\"]\nterritories = {{ DE = \"a\" }}\n"),
        "5:15: playbook `p`: `territories` is set but `assignment`",
    );
    check(&format!("{head}owners = [\"a\"]\nassignment = \"random\"\n"), "5:14: playbook #1: unknown variant `random`");
    check(
        &format!("{head}owners = [\"a\"]\nicp = {{ territory = [\"DE\"] }}\n"),
        "5:9: playbook `p`: icp: unknown field `territory`",
    );
    check(
        &format!("{head}owners = [\"a\"]\nicp = 5\n"),
        "5:7: playbook `p`: `icp` is the name of an `[icps.NAME]` profile",
    );
    check(
        &format!(
            "{head}owners = [\"a\"]\n[playbooks.lead_types]\n[[playbooks.lead_types.rules]]\nid = \"x\"\nstage = \"sql\"\nany_of = [\"page_view\"]\n"
        ),
        "5:1: playbook `p`: lead_types: rule `x` assigns `sql`",
    );
    check(
        &format!("{head}owners = [\"a\"]\n[playbooks.examples]\nmatches = [ {{ employes = 5 }} ]\n"),
        "6:15: playbook `p`: examples: unknown field `employes`",
    );
    check(
        &format!("{head}owners = [\"a\"]\n[icps.x]\nemployees = {{ min = 9, max = 1 }}\nicp2 = 1\n"),
        "7:1: icp `x`: unknown field `icp2`",
    );
    check(
        &format!("{head}owners = [\"a\"]\n[[playbooks]]\nid = \"p\"\nframework = \"bant\"\nowners = [\"a\"]\n"),
        "6:6: playbook `p` is defined twice",
    );
    check(
        "[[playbooks]]\nid = \"Big Deals\"\nframework = \"bant\"\nowners = [\"a\"]\n",
        "2:6: playbook id `Big Deals` must be lower case",
    );
    check(&format!("title = \"x\"\n{head}owners = [\"a\"]\n"), "1:1: unknown key `title`");
    check("", "1:1: no `[[playbooks]]`");
    check(&format!("{head}owners = [\"a\"\n"), "4:");
}

#[test]
fn owners_must_be_enabled_users_when_the_users_are_known() {
    let registry = registry();
    let users: BTreeSet<String> = ["ana".to_owned()].into();
    let text = "[[playbooks]]\nid = \"p\"\nframework = \"bant\"\nowners = [\"ana\", \"zoe\"]\n";
    let err = parse_playbooks("p.toml", text, PlaybookContext { registry: &registry, users: Some(&users) })
        .expect_err("zoe is unknown");
    assert_eq!(lines(&err), ["p.toml:4:18: playbook `p`: owner `zoe` is not an enabled user (see `sift users list`)"]);
    parse(text).expect("without a user list, owners are not checked");
}

#[test]
fn unreachable_playbooks_and_unused_profiles_are_warnings() {
    let text = "[[playbooks]]\nid = \"all\"\nframework = \"bant\"\nowners = [\"a\"]\n\n[[playbooks]]\nid = \"late\"\nframework = \"bant\"\nowners = [\"a\"]\n\n[icps.spare]\nemployees = { min = 1 }\n";
    let loaded = parse(text).expect("usable");
    assert_eq!(
        lines(&loaded.warnings),
        [
            "playbooks.toml:6:1: warning: playbook `late` can never be chosen: `all` before it sets no condition and takes every lead",
            "playbooks.toml:11:7: warning: ICP `spare` is defined but no playbook uses it",
        ]
    );
}

/// Three playbooks in order: enterprise (size and country), self-serve (size, source, stage),
/// and a catch-all.
const ROUTING: &str = r#"
[[playbooks]]
id = "enterprise"
name = "Enterprise"
framework = "meddic"
owners = ["maria", "tomas"]
assignment = "territory"
territories = { DE = "maria", FR = "tomas" }
[playbooks.segment]
employees = { min = 1000 }
countries = ["DE", "FR", "US"]

[[playbooks]]
id = "smb"
name = "Self-serve"
framework = "anum"
owners = ["sam", "lee"]
[playbooks.segment]
employees = { max = 199 }
sources = ["Free Trial", "website"]
stages = ["pql", "cql"]
industries = ["software", "IT & Services"]

[[playbooks]]
id = "everyone"
name = "Everyone else"
framework = "bant"
owners = ["noor"]
"#;

fn lead(facts: &str) -> Lead {
    let example: ExampleLead = toml::from_str(facts).expect("facts");
    example.to_lead()
}

#[test]
fn a_lead_goes_to_the_first_playbook_it_fits_and_the_routing_says_why() {
    let playbooks: Playbooks = parse(ROUTING).expect("valid").playbooks;
    // (lead facts as TOML, expected playbook, words the explanation must contain)
    let check = |facts: &str, expected: Option<&str>, words: &[&str]| {
        let routing = playbooks.route(&lead(facts));
        assert_eq!(routing.playbook.as_deref(), expected, "{facts}: {}", routing.explanation);
        for w in words {
            assert!(routing.explanation.contains(w), "{facts}: {:?} lacks {w:?}", routing.explanation);
        }
    };
    check(
        "employees = 5000\ncountry = \"DE\"",
        Some("enterprise"),
        &[
            "playbook `enterprise` (Enterprise)",
            "employees 5,000 is within the range (at least 1,000)",
            "country `DE` is one of: DE, FR, US",
        ],
    );
    check(
        "employees = 40\nsource = \"free trial\"\nstage = \"pql\"\nindustry = \"Computer Software\"",
        Some("smb"),
        &[
            "source `free trial` is one of",
            "industry `Computer Software` matches `software`",
            "passed over: `enterprise`: the company's country is not known; employees 40 is outside the range",
        ],
    );
    check(
        "employees = 40\nsource = \" Website \"\nstage = \"cql\"\nindustry = \"IT and services\"",
        Some("smb"),
        &["matches `it and services`"],
    );
    check(
        "employees = 40\nsource = \"trade show\"\nstage = \"pql\"\nindustry = \"Software\"",
        Some("everyone"),
        &["its segment sets no condition", "`smb`: source `trade show` is not one of: Free Trial, website"],
    );
    check(
        "country = \"DE\"",
        Some("everyone"),
        &[
            "`enterprise`: the company's employees is not known",
            "`smb`: the company's industry is not known; the company's employees is not known; the lead's source is not known; stage `unqualified` is not one of: pql, cql",
        ],
    );
    check(
        "employees = 1000\ncountry = \"BR\"",
        Some("everyone"),
        &["`enterprise`: country `BR` is not one of: DE, FR, US"],
    );
}

#[test]
fn with_no_catch_all_a_lead_may_fit_nothing_and_each_miss_is_named() {
    let text = ROUTING.split("[[playbooks]]\nid = \"everyone\"").next().expect("head");
    let playbooks = parse(text).expect("valid").playbooks;
    let routing = playbooks.route(&lead("employees = 500\ncountry = \"DE\""));
    assert_eq!(routing.playbook, None);
    assert_eq!(
        routing.explanation,
        "no playbook fits: `enterprise`: employees 500 is outside the range (at least 1,000) | `smb`: the company's \
         industry is not known; employees 500 is outside the range (at most 199); the lead's source is not known; stage \
         `unqualified` is not one of: pql, cql"
    );
    assert_eq!(routing.considered.len(), 2);
    assert!(routing.considered.iter().all(|c| !c.fits));
    let enterprise = &routing.considered[0];
    let outcomes: Vec<(&str, Check)> = enterprise.conditions.iter().map(|c| (c.condition.name(), c.outcome)).collect();
    assert_eq!(outcomes, [("country", Check::Pass), ("employees", Check::Fail)]);
}

#[test]
fn stages_count_as_lead_types() {
    let text = "[[playbooks]]\nid = \"hot\"\nframework = \"bant\"\nowners = [\"a\"]\n[playbooks.segment]\nstages = [\"sql\"]\n";
    let playbooks = parse(text).expect("valid").playbooks;
    let mut l = Lead::default();
    assert_eq!(playbooks.route(&l).playbook, None);
    l.stage = Stage::Sql;
    assert_eq!(playbooks.route(&l).playbook.as_deref(), Some("hot"));
}

#[test]
fn owners_come_from_the_territory_else_in_turn() {
    let playbooks = parse(ROUTING).expect("valid").playbooks;
    let enterprise = playbooks.get("enterprise").expect("enterprise");
    let plan = |country: Option<&str>| {
        let mut l = Lead::default();
        l.company.country = country.map(|c| c.parse::<CountryCode>().expect("country"));
        enterprise.owner_plan(&l)
    };
    assert!(matches!(plan(Some("France")), OwnerPlan::Territory { owner, .. } if owner == "tomas"));
    let OwnerPlan::Turn { pool, reason } = plan(Some("US")) else { panic!("turn") };
    assert_eq!(pool, ["maria", "tomas"]);
    assert!(reason.contains("`US` is in no territory of `enterprise`"), "{reason}");
    let OwnerPlan::Turn { reason, .. } = plan(None) else { panic!("turn") };
    assert!(reason.contains("country is not known"), "{reason}");
    let smb = playbooks.get("smb").expect("smb");
    assert!(matches!(smb.owner_plan(&Lead::default()), OwnerPlan::Turn { pool, .. } if pool == ["sam", "lee"]));
}
