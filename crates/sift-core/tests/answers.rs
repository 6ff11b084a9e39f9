//! Bad answers files get one clear, located error per problem, never a panic.

use sift_core::{AnswersFile, Registry};

#[track_caller]
fn check_errors(text: &str, expected: &[&str]) {
    let registry = Registry::builtin().expect("built-ins");
    let err = AnswersFile::parse("call.toml", text, &registry).expect_err("invalid");
    let lines: Vec<String> = err.iter().map(ToString::to_string).collect();
    assert_eq!(lines.len(), expected.len(), "{lines:#?}");
    for (line, prefix) in lines.iter().zip(expected) {
        assert!(line.starts_with(prefix), "expected {prefix:?}, got {line:?}");
    }
}

#[test]
fn malformed_toml_is_located() {
    check_errors("framework = \"bant\"\n[lead\ncompany = \"x\"\n", &["call.toml:2:"]);
}

#[test]
fn an_unknown_framework_lists_the_known_ones() {
    check_errors(
        "framework = \"spin\"\n",
        &["call.toml:1:13: unknown framework `spin`; known frameworks: bant, meddic"],
    );
}

#[test]
fn unknown_criteria_bad_statuses_and_bad_dates_are_all_reported() {
    let text = "framework = \"bant\"\n\n[criteria.budget]\nstatus = \"maybe\"\n";
    check_errors(
        text,
        &[
            "call.toml:4:10: criteria.budget: unknown variant `maybe`, expected one of `confirmed`, `partial`, `unknown`, `negative`, `contradicted`",
        ],
    );

    let text = "framework = \"bant\"\n\n[criteria.money]\nstatus = \"confirmed\"\n\n[criteria.timeline]\nstatus = \"confirmed\"\ndate = \"next spring\"\n\n[lead]\ncountry = \"Atlantis\"\nemail = \"not-an-email\"\nemployees = -3\n";
    check_errors(
        text,
        &[
            "call.toml:3:11: unknown criterion `money` for framework `bant`; its criteria are: budget, authority, need, timeline",
            "call.toml:8:8: criteria.timeline.date: `\"next spring\"` is not a date",
            "call.toml:11:11: lead.country: `Atlantis` is not a country Sift knows",
            "call.toml:12:9: lead.email: `not-an-email` is not an email address",
            "call.toml:13:13: lead.employees: must not be negative",
        ],
    );
}

#[test]
fn every_bad_criterion_is_reported_not_just_the_first() {
    let text = "framework = \"bant\"\n[criteria.budget]\nstatus = \"maybe\"\n[criteria.need]\nstatus = \"yes\"\n";
    check_errors(
        text,
        &[
            "call.toml:3:10: criteria.budget: unknown variant `maybe`",
            "call.toml:5:10: criteria.need: unknown variant `yes`",
        ],
    );
}

#[test]
fn unknown_keys_are_refused_with_their_location() {
    check_errors(
        "framework = \"bant\"\n[lead]\ncompnay = \"Acme\"\n",
        &["call.toml:3:1: lead: unknown field `compnay`"],
    );
    check_errors(
        "framework = \"bant\"\n[criteria.need]\nstatus = \"confirmed\"\nnotes = \"x\"\n",
        &["call.toml:4:1: criteria.need: unknown field `notes`"],
    );
}

#[test]
fn dates_and_timestamps_take_common_forms() {
    let registry = Registry::builtin().expect("built-ins");
    let text = "framework = \"bant\"\nactivities = [{ kind = \"page_view\", at = 2026-10-01T09:30:00Z }, { kind = \"trial_signup\", at = \"2026-09-01\" }]\n[criteria.timeline]\nstatus = \"confirmed\"\ndate = \"2027-03-31\"\n";
    let file = AnswersFile::parse("call.toml", text, &registry).expect("valid");
    assert_eq!(file.criteria["timeline"].date.map(|d| d.to_string()).as_deref(), Some("2027-03-31"));
    assert_eq!(file.lead.activities.len(), 2);
    assert!(file.lead.activities[0].at < file.lead.activities[1].at, "sorted by time");
}

#[test]
fn hostile_strings_are_kept_as_data() {
    let registry = Registry::builtin().expect("built-ins");
    let text = "framework = \"bant\"\n[lead]\ncompany = \"=HYPERLINK(\\\"x\\\")\\u0000<script>\"\n[criteria.need]\nstatus = \"confirmed\"\nnote = \"'; DROP TABLE leads; --\"\n";
    let file = AnswersFile::parse("call.toml", text, &registry).expect("valid");
    assert_eq!(file.lead.company.name.as_deref(), Some("=HYPERLINK(\"x\")\u{0}<script>"));
}

#[test]
fn regression_country_names_in_answers_read_like_the_importer_reads_them() {
    for (written, code) in [("Germany", "DE"), ("Deutschland", "DE"), ("España", "ES"), ("德国", "DE"), ("DEU", "DE")]
    {
        let text = format!("framework = \"bant\"\n[lead]\ncountry = \"{written}\"\n");
        let registry = Registry::builtin().expect("built-ins");
        let answers = AnswersFile::parse("call.toml", &text, &registry).expect(written);
        assert_eq!(answers.lead.company.country.map(|c| c.to_string()).as_deref(), Some(code), "{written}");
    }
}
