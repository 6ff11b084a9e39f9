//! sift-score end to end: the Odoo formula against hand-computed values, the pipeline and
//! the three model kinds on a small self-written fixture, bad input, model files, batch
//! scoring, and (when ../shared/data is present) the real Leads.csv.

use std::io::Write;
use std::path::PathBuf;

use sift_score::batch::{BatchOptions, push_fixed, score_csv};
use sift_score::metrics::{Platt, auc, calibration_table, top_decile};
use sift_score::model::{ModelFile, ModelKind, Scorer, Scratch, top_factors};
use sift_score::odoo::{OdooConfig, OdooLead, OdooNb, Variable, odoo_lead};
use sift_score::train::{FoldSpec, TrainOptions, stratified_folds, train};
use sift_score::{ModelChoice, ScoreError, Table};

const FIXTURE: &str = include_str!("fixtures/leads.csv");

fn fixture() -> Table {
    Table::read(FIXTURE.as_bytes()).expect("fixture reads")
}

fn options(kind: impl Into<ModelChoice>) -> TrainOptions {
    TrainOptions { created_at: "2026-01-01T00:00:00Z".into(), ..TrainOptions::new("Converted", kind) }
}

/// A lead of the hand-worked examples: `stage` is the stage, `tag` a tag, anything else the
/// one plain field `source`.
fn lead(team: Option<&str>, values: &[(&str, &str)]) -> OdooLead {
    let variable = |name: &str| match name {
        "stage" => Variable::Stage,
        "tag" => Variable::Tag,
        _ => Variable::Field(0),
    };
    OdooLead {
        team: team.map(str::to_string),
        values: values.iter().map(|(k, v)| (variable(k), v.to_string())).collect(),
    }
}

// ---------------------------------------------------------------------------------------
// odoo-nb: Odoo's formula, checked against values worked out by hand.

/// Trains on (lead, won) pairs and checks the displayed probability of each scored lead.
fn check_odoo(config: OdooConfig, training: &[(OdooLead, bool)], expected: &[(OdooLead, f64)]) {
    let nb = OdooNb::fit(vec!["source".into()], config, training.iter().map(|(l, w)| (l, *w)));
    let results = nb.prepare();
    for (lead, want) in expected {
        let (got, _) = results.probability(lead).expect("probability");
        assert_eq!(got, *want, "lead {lead:?}");
    }
}

#[test]
fn odoo_nb_matches_a_hand_computed_example() {
    // Won: web, web, ads. Lost: web, ads, ads, ads. Every row starts at 0.1/0.1:
    //   source=web won 2.1 lost 1.1; source=ads won 1.1 lost 3.1 (field totals 3.2 / 4.2)
    //   stage new: won 3.1 lost 4.1 = the team totals (prior 3.1/7.2 vs 4.1/7.2)
    // web: S_won = 3.1/7.2 * 2.1/3.2 * 3.1/3.1, S_lost = 4.1/7.2 * 1.1/4.2 * 4.1/4.1
    //      P = 0.28255 / (0.28255 + 0.14914) = 0.65452 -> 65.45
    // ads: 3.1/7.2 * 1.1/3.2 vs 4.1/7.2 * 3.1/4.2 -> 26.04
    // an unseen value is skipped, a missing one not counted: the prior alone -> 43.06
    let s = |v: &str| lead(None, &[("source", v), ("stage", "new")]);
    let training = [
        (s("web"), true),
        (s("web"), true),
        (s("ads"), true),
        (s("web"), false),
        (s("ads"), false),
        (s("ads"), false),
        (s("ads"), false),
    ];
    check_odoo(
        OdooConfig::default(),
        &training,
        &[(s("web"), 65.45), (s("ads"), 26.04), (s("email"), 43.06), (lead(None, &[("stage", "new")]), 43.06)],
    );
}

#[test]
fn odoo_nb_counts_stages_cumulatively() {
    // Stages new < qualified < proposal. Two won leads count as won in every stage (0.1+2);
    // one lead lost at `new` counts in new; one lost at `qualified` counts in new and
    // qualified: lost new 2.1, qualified 1.1, proposal 0.1. Team totals = stage new: 2.1/2.1.
    // qualified: S_won = 0.5 * 2.1/2.1, S_lost = 0.5 * 1.1/2.1 -> 65.625 -> round half even 65.62
    // proposal: 0.5 vs 0.5 * 0.1/2.1 -> 95.45
    let config = OdooConfig {
        stage_column: Some("stage".into()),
        stages: vec!["new".into(), "qualified".into(), "proposal".into()],
        ..OdooConfig::default()
    };
    let at = |stage: &str| lead(Some("A"), &[("stage", stage)]);
    let training = [(at("proposal"), true), (at("proposal"), true), (at("new"), false), (at("qualified"), false)];
    check_odoo(config, &training, &[(at("new"), 50.0), (at("qualified"), 65.62), (at("proposal"), 95.45)]);
}

#[test]
fn odoo_nb_uses_team_rows_and_falls_back_to_all_rows() {
    let config = OdooConfig { team_column: Some("team".into()), ..OdooConfig::default() };
    let l = |team: Option<&str>, v: &str| lead(team, &[("source", v), ("stage", "new")]);
    // Team A: web won twice, ads lost once. Team B: web lost twice, ads won once.
    let training = [
        (l(Some("A"), "web"), true),
        (l(Some("A"), "web"), true),
        (l(Some("A"), "ads"), false),
        (l(Some("B"), "web"), false),
        (l(Some("B"), "web"), false),
        (l(Some("B"), "ads"), true),
    ];
    let nb = OdooNb::fit(vec!["source".into()], config, training.iter().map(|(l, w)| (l, *w)));
    let results = nb.prepare();
    let p = |lead: &OdooLead| results.probability(lead).expect("probability").0;
    // Team A: prior 2.1/3.2 vs 1.1/3.2; web 2.1/2.2 vs 0.1/1.2.
    let team_a = {
        let (sw, sl): (f64, f64) = (2.1 / 3.2 * (2.1 / 2.2) * (2.1 / 2.1), 1.1 / 3.2 * (0.1 / 1.2) * (1.1 / 1.1));
        ((100.0 * sw / (sw + sl)) * 100.0).round_ties_even() / 100.0
    };
    assert_eq!(p(&l(Some("A"), "web")), team_a);
    // An unknown team and no team use the sum over every row (the 0.1 starts add up too).
    assert_eq!(p(&l(Some("Z"), "web")), p(&l(None, "web")));
    assert_ne!(p(&l(None, "web")), team_a);
}

#[test]
fn odoo_nb_ignores_tags_seen_fewer_than_50_times() {
    let config = OdooConfig { tag_column: Some("tags".into()), ..OdooConfig::default() };
    let mut training = Vec::new();
    for i in 0..120 {
        let mut values = vec![(Variable::Stage, "new".to_string())];
        if i % 2 == 0 {
            values.push((Variable::Tag, "frequent".into())); // 60 leads
        }
        if i % 10 == 0 {
            values.push((Variable::Tag, "rare".into())); // 12 leads
        }
        training.push((OdooLead { team: None, values }, i % 3 == 0));
    }
    let nb = OdooNb::fit(vec![], config, training.iter().map(|(l, w)| (l, *w)));
    let results = nb.prepare();
    let with = |tags: &[&str]| {
        let mut values = vec![(Variable::Stage, "new".to_string())];
        values.extend(tags.iter().map(|t| (Variable::Tag, t.to_string())));
        results.probability(&OdooLead { team: None, values }).expect("probability")
    };
    assert_eq!(with(&["rare"]).0, with(&[]).0, "a tag under 50 observations changes nothing");
    assert!(with(&["rare"]).1.iter().all(|f| f.value != "rare"));
    assert!(with(&["frequent"]).1.iter().any(|f| f.value == "frequent"));
}

#[test]
fn odoo_nb_clamps_to_the_displayed_range() {
    let s = |v: &str| lead(None, &[("source", v), ("stage", "new")]);
    let mut training: Vec<(OdooLead, bool)> = (0..400).map(|_| (s("web"), true)).collect();
    training.extend((0..400).map(|_| (s("ads"), false)));
    training.push((s("ads"), true));
    training.push((s("web"), false));
    let nb = OdooNb::fit(vec!["source".into()], OdooConfig::default(), training.iter().map(|(l, w)| (l, *w)));
    let results = nb.prepare();
    // web: won 400.1 of 401.2, lost 1.1 of 401.2, equal priors -> 400.1 / 401.2 -> 99.73
    assert_eq!(results.probability(&s("web")).expect("p").0, 99.73);
    let mut extreme: Vec<(OdooLead, bool)> = (0..100_000).map(|_| (s("web"), true)).collect();
    extreme.extend((0..100_000).map(|_| (s("ads"), false)));
    let nb = OdooNb::fit(vec!["source".into()], OdooConfig::default(), extreme.iter().map(|(l, w)| (l, *w)));
    let results = nb.prepare();
    assert_eq!(results.probability(&s("web")).expect("p").0, 99.99);
    assert_eq!(results.probability(&s("ads")).expect("p").0, 0.01);
}

/// The leads of a CSV as odoo-nb reads them: `fields`, then the configured team, stage and
/// tag columns, with the CSV's placeholders read as empty.
fn odoo_leads_of(csv: &str, fields: &[&str], config: &OdooConfig) -> (Vec<OdooLead>, Vec<bool>) {
    let table = Table::read(csv.as_bytes()).expect("reads");
    let mut columns: Vec<usize> = fields.iter().map(|f| table.column_index(f).expect("field")).collect();
    for column in [&config.team_column, &config.stage_column, &config.tag_column].into_iter().flatten() {
        columns.push(table.column_index(column).expect("column"));
    }
    let fields: Vec<String> = fields.iter().map(|f| f.to_string()).collect();
    let won = table.column_index("won").expect("won column");
    let leads =
        (0..table.rows).map(|row| odoo_lead(&fields, config, |i| table.columns[columns[i]][row].as_deref())).collect();
    let y = table.columns[won].iter().map(|v| v.as_deref() == Some("1")).collect();
    (leads, y)
}

#[test]
fn regression_odoo_nb_counts_an_empty_email_or_phone_quality_as_false() {
    // Odoo stores an empty email_state/phone_state as `False` and counts it (crm_lead.py,
    // `_pls_get_lead_pls_values`); Sift's placeholders (None, NA, -, null) are empty too.
    // Won: correct, empty, `null`. Lost: empty, `NA`, incorrect, `-`.
    //   false: won 2.1 lost 3.1; correct 1.1/0.1; incorrect 0.1/1.1 (totals 3.3 / 4.3)
    //   prior (stage new) 3.1/7.2 vs 4.1/7.2
    // empty: 3.1/7.2 * 2.1/3.3 vs 4.1/7.2 * 3.1/4.3 -> 40.03 (skipping it gave the prior, 43.06)
    let csv = "email_state,won\ncorrect,1\n,1\nnull,1\n,0\nNA,0\nincorrect,0\n-,0\n";
    let config = OdooConfig::default();
    let (leads, y) = odoo_leads_of(csv, &["email_state"], &config);
    let nb = OdooNb::fit(vec!["email_state".into()], config.clone(), leads.iter().zip(y));
    let results = nb.prepare();
    let score = |cell: &str| {
        let (leads, _) = odoo_leads_of(&format!("email_state,won\n{cell},1\n"), &["email_state"], &config);
        results.probability(&leads[0]).expect("probability").0
    };
    assert_eq!(score(""), 40.03);
    for missing in ["None", "NA", "-", "null", "False"] {
        assert_eq!(score(missing), 40.03, "`{missing}` is Odoo's False");
    }
    assert_eq!(score("correct"), 91.55);
    // The same column under Odoo's export label, and phone_state, count it too; other columns
    // still skip an empty value.
    for column in ["Email Quality", "phone_state"] {
        let csv = csv.replace("email_state", column);
        let (leads, y) = odoo_leads_of(&csv, &[column], &config);
        let nb = OdooNb::fit(vec![column.into()], config.clone(), leads.iter().zip(y));
        assert!(nb.frequencies.iter().any(|r| r.variable == column && r.value == "false"), "{column}");
    }
    let (leads, _) = odoo_leads_of(&csv.replace("email_state", "source"), &["source"], &config);
    assert!(leads[1].values.iter().all(|(v, _)| *v != Variable::Field(0)), "an empty source is not counted");
}

#[test]
fn regression_odoo_nb_counts_stages_by_sequence_and_scores_stageless_and_won_leads_like_odoo() {
    // Stages new (1), qualified (2), proposition (2), won stage `won`. Two leads won (in the
    // won stage), one lost in each of new, qualified, proposition. By sequence
    // (`_pls_prepare_frequencies`), a lead lost in qualified also counts in proposition (same
    // sequence): new 2.1/3.1, qualified 2.1/2.1, proposition 2.1/2.1 (by position,
    // proposition had 1.1 lost and scored 65.62).
    let config = OdooConfig {
        stage_column: Some("stage".into()),
        stages: vec!["new".into(), "qualified".into(), "proposition".into()],
        stage_sequences: vec![1, 2, 2],
        won_stage: Some("won".into()),
        ..OdooConfig::default()
    };
    let at = |stage: &str| lead(Some("A"), &[("stage", stage)]);
    let training = [
        (at("won"), true),
        (at("won"), true),
        (at("new"), false),
        (at("qualified"), false),
        (at("proposition"), false),
    ];
    // new: the prior 2.1/5.2 -> 40.38; qualified and proposition: 2.1/5.2 vs 3.1/5.2 * 2.1/3.1 -> 50
    check_odoo(
        config.clone(),
        &training,
        &[(at("new"), 40.38), (at("qualified"), 50.0), (at("proposition"), 50.0), (at("won"), 100.0)],
    );
    // A lead without a stage scores 0 (it used to count as the first stage: 40.38).
    check_odoo(config.clone(), &training, &[(lead(Some("A"), &[]), 0.0)]);
    // The one factor behind a score set by rule names the stage.
    let nb = OdooNb::fit(vec!["source".into()], config, training.iter().map(|(l, w)| (l, *w)));
    let (_, factors) = nb.prepare().probability(&at("won")).expect("probability");
    assert_eq!(factors.len(), 1);
    assert_eq!((factors[0].variable, factors[0].value.as_str()), (Variable::Stage, "won"));
    assert!(factors[0].log_ratio > 0.0);
}

/// Closed leads for the training tests: a weak `source`, a stage column where the won leads
/// sit in `won`, and extra columns given by `extra(i)`.
fn closed_leads_csv(header_extra: &str, extra: &dyn Fn(usize) -> String) -> String {
    let mut csv = format!("source,Stage,{header_extra},won\n");
    for i in 0..120 {
        let won = i % 3 == 0;
        let source = if (i % 5 < 2) == won { "web" } else { "ads" };
        let stage = if won { "won" } else { ["new", "qualified", "proposition"][(i / 3) % 3] };
        csv.push_str(&format!("{source},{stage},{},{}\n", extra(i), u8::from(won)));
    }
    csv
}

fn odoo_options(config: OdooConfig) -> TrainOptions {
    TrainOptions { label: "won".into(), odoo: config, ..options(ModelKind::OdooNb) }
}

/// Out-of-fold AUC and the final model's probability of every row.
fn odoo_train_and_score(csv: &str, options: &TrainOptions) -> (f64, Vec<f64>) {
    let table = Table::read(csv.as_bytes()).expect("reads");
    let model = train(&table, options).expect("trains");
    let scorer = Scorer::new(&model, &table.headers).expect("fits");
    let mut scratch = Scratch::default();
    let scores = (0..table.rows)
        .map(|row| {
            let cells: Vec<Option<&str>> = scorer.positions.iter().map(|&p| table.columns[p][row].as_deref()).collect();
            scorer.score(|i| cells[i], row + 1, &mut scratch).expect("scores")
        })
        .collect();
    (model.report.metrics.auc, scores)
}

#[test]
fn regression_odoo_nb_keeps_columns_of_nearly_all_distinct_values() {
    // Odoo keeps a variable whatever its number of values; the generic pipeline drops a
    // column with more distinct values than 90% of the rows. 110 distinct of 120 here.
    let csv = closed_leads_csv("campaign", &|i| format!("c{}", i % 110));
    let model =
        train(&Table::read(csv.as_bytes()).expect("reads"), &odoo_options(OdooConfig::default())).expect("trains");
    assert!(model.report.columns_used.iter().any(|c| c == "campaign"), "{:?}", model.report.dropped_columns);
    let sift_score::model::ModelParams::OdooNb(nb) = &model.params else { panic!("not odoo-nb") };
    assert_eq!(nb.frequencies.iter().filter(|r| r.variable == "campaign").count(), 110);
    // A lead whose campaign was seen scores with it: c0 was seen on won rows only (0 and 110).
    let table = Table::read(csv.as_bytes()).expect("reads");
    let scorer = Scorer::new(&model, &table.headers).expect("fits");
    let cells: Vec<Option<&str>> = scorer.positions.iter().map(|&p| table.columns[p][0].as_deref()).collect();
    let scored = scorer.explain(|i| cells[i], 1, 5, &mut Scratch::default()).expect("scores");
    assert!(scored.positive.iter().any(|f| f.column == "campaign" && f.value == "c0"), "{scored:?}");
    let logistic =
        train(&table, &TrainOptions { label: "won".into(), ..options(ModelKind::Logistic) }).expect("trains");
    assert!(logistic.report.dropped_columns.iter().any(|d| d.name == "campaign"), "the other models drop it");
}

#[test]
fn regression_odoo_nb_columns_named_stage_id_and_tag_id_are_plain_columns() {
    // Odoo's own names for the stage and tag variables, used as plain columns: they must
    // count like any column (the stage_id column used to be merged into the stage and the
    // tag_id one to need 50 observations per value).
    let extra = |i: usize| format!("s{},t{}", (i * 7) % 4, i % 6);
    let named = closed_leads_csv("stage_id,tag_id", &extra);
    let renamed = closed_leads_csv("step,label", &extra);
    let options = odoo_options(OdooConfig::default());
    let (auc_named, scores_named) =
        odoo_train_and_score(&named, &TrainOptions { exclude: vec!["Stage".into()], ..options.clone() });
    let (auc_renamed, scores_renamed) =
        odoo_train_and_score(&renamed, &TrainOptions { exclude: vec!["Stage".into()], ..options });
    assert_eq!(auc_named, auc_renamed);
    assert_eq!(scores_named, scores_renamed);
}

#[test]
fn regression_odoo_nb_leakage_guard_catches_the_won_stage_in_the_stage_list() {
    // Every won lead sits in `won`: listed as a stage, it gives the outcome away in
    // cross-validation. The guard flags it, leaves it out of the counted stages and makes it
    // the won stage (a lead in it scores 100, as in Odoo).
    let csv = closed_leads_csv("note", &|i| format!("n{}", i % 4));
    let config = OdooConfig {
        stage_column: Some("Stage".into()),
        stages: ["new", "qualified", "proposition", "won"].map(String::from).to_vec(),
        ..OdooConfig::default()
    };
    let table = Table::read(csv.as_bytes()).expect("reads");
    let model = train(&table, &odoo_options(config.clone())).expect("trains");
    let report = &model.report;
    let warning = report.leakage_warnings.iter().find(|w| w.column == "Stage = won").expect("the won stage is flagged");
    assert!(warning.reason.contains("40 of 40 won leads and 0 of 80 lost leads"), "{}", warning.reason);
    assert_eq!(warning.single_column_auc, 1.0);
    assert!(report.dropped_columns.iter().any(|d| d.name == "Stage = won"));
    let with = report.with_leaky_columns.as_ref().expect("the flattering figure, for comparison");
    assert!(with.auc > 0.95 && report.metrics.auc < with.auc - 0.2, "{} vs {}", report.metrics.auc, with.auc);
    let sift_score::model::ModelParams::OdooNb(nb) = &model.params else { panic!("not odoo-nb") };
    assert_eq!(nb.config.stages, ["new", "qualified", "proposition"]);
    assert_eq!(nb.config.won_stage.as_deref(), Some("won"));
    // --keep-leaky keeps it, and reports the honest figure beside.
    let kept = train(&table, &TrainOptions { keep_leaky: true, ..odoo_options(config) }).expect("trains");
    assert!((kept.report.metrics.auc - with.auc).abs() < 1e-9);
    assert!(kept.report.without_leaky_columns.is_some());
    // A stage the list does not name is an error naming it and its row.
    let unknown = csv.replacen("web,new", "web,negotiation", 1);
    let config = OdooConfig {
        stages: vec!["new".into(), "qualified".into(), "proposition".into()],
        stage_column: Some("Stage".into()),
        won_stage: Some("won".into()),
        ..OdooConfig::default()
    };
    let error =
        train(&Table::read(unknown.as_bytes()).expect("reads"), &odoo_options(config)).err().expect("unknown stage");
    let row = unknown.lines().position(|l| l.contains("negotiation")).expect("the line");
    let want = format!("column `Stage` row {row}: stage `negotiation` is not among the stages given");
    assert!(error.to_string().contains(&want), "{error}");
}

#[test]
fn odoo_nb_model_files_written_before_the_stage_had_a_kind_still_score_the_same() {
    // Files of revision 0 named the stage and tag rows `stage_id` and `tag_id` only.
    let config = OdooConfig {
        stage_column: Some("Stage".into()),
        stages: vec!["new".into(), "qualified".into(), "proposition".into()],
        won_stage: Some("won".into()),
        ..OdooConfig::default()
    };
    let csv = closed_leads_csv("note", &|i| format!("n{}", i % 4));
    let table = Table::read(csv.as_bytes()).expect("reads");
    let model = train(&table, &odoo_options(config)).expect("trains");
    let mut old: serde_json::Value = serde_json::from_str(&model.to_json().expect("json")).expect("value");
    let params = old["params"].as_object_mut().expect("params");
    assert_eq!(params.remove("revision"), Some(serde_json::json!(1)));
    for row in params["frequencies"].as_array_mut().expect("rows") {
        row.as_object_mut().expect("row").remove("kind");
    }
    let old = ModelFile::from_json(&old.to_string()).expect("an old file reads");
    let score = |model: &ModelFile| {
        let scorer = Scorer::new(model, &table.headers).expect("fits");
        let cells: Vec<Option<&str>> = scorer.positions.iter().map(|&p| table.columns[p][1].as_deref()).collect();
        scorer.score(|i| cells[i], 1, &mut Scratch::default()).expect("scores")
    };
    assert!(score(&model) > 0.0);
    assert_eq!(score(&old), score(&model));
}

#[test]
fn odoo_nb_batch_tables_give_the_formula_figures_exactly() {
    // Batch scoring reads odoo-nb from per-model tables (`OdooTables`); the formula's own
    // implementation (`OdooResults::probability` on an `OdooLead`) is the reference: same
    // probability to the bit, same factors in the same order, on every row of the export
    // (open leads too) and on rows it never saw: other spellings, an unknown team, no stage,
    // the won stage, repeated and unknown tags.
    let csv = include_str!("fixtures/odoo_crm_lead.csv");
    let model = train(
        &Table::read(csv.as_bytes()).expect("reads"),
        &TrainOptions { odoo_export: true, ..options(ModelKind::OdooNb) },
    )
    .expect("trains");
    let sift_score::model::ModelParams::OdooNb(nb) = &model.params else { panic!("not odoo-nb") };
    let mut scored = csv.to_string();
    for extra in [
        "x1,n,e,CORRECT,  Correct ,FRANCE,newsletter,PROPOSITION,Sales,\"services, Services,unknown\",0,True,2026",
        "x2,n,e,,,Nowhere,,new,Elsewhere,,0,True,2026",
        "x3,n,e,correct,,France,,,Sales,,0,True,2026",
        "x4,n,e,correct,,France,,WON,Sales,,0,True,2026",
        "x5,n,e,incorrect,incorrect,,,Qualified,,training;services,0,True,2026",
    ] {
        scored.push_str(extra);
        scored.push('\n');
    }
    let table = Table::read(scored.as_bytes()).expect("reads");
    let scorer = Scorer::new(&model, &table.headers).expect("fits");
    let results = nb.prepare();
    let mut scratch = Scratch::default();
    let mut scored_rows = 0;
    for row in 0..table.rows {
        let cells: Vec<Option<&str>> = scorer.positions.iter().map(|&p| table.columns[p][row].as_deref()).collect();
        let lead = odoo_lead(&nb.fields, &nb.config, |i| cells[i]);
        let (percent, factors) = results.probability(&lead).unwrap_or((0.0, Vec::new()));
        let p = scorer.score(|i| cells[i], row + 1, &mut scratch).expect("scores");
        assert_eq!(p.to_bits(), (percent / 100.0).to_bits(), "row {row}");
        assert_eq!(scratch.effects.len(), factors.len(), "row {row}");
        for (&(slot, effect), factor) in scratch.effects.iter().zip(&factors) {
            assert_eq!(effect.to_bits(), factor.log_ratio.to_bits(), "row {row}");
            let (name, value) = scorer.factor_label(slot, |i| cells[i], &scratch);
            let want_name = match factor.variable {
                Variable::Field(i) => nb.fields[i].as_str(),
                Variable::Stage => "stage_id",
                Variable::Tag => "tag_ids",
            };
            assert_eq!((name, value.as_str()), (want_name, factor.value.as_str()), "row {row}");
        }
        scored_rows += usize::from(!factors.is_empty());
    }
    assert!(scored_rows > 100, "{scored_rows}");
}

#[test]
fn odoo_nb_reads_an_odoo_crm_lead_export_by_its_field_names() {
    // A self-written file shaped like Odoo's crm.lead export: technical field names, stage
    // names, comma-separated tag_ids, probability and active giving the outcome.
    let csv = include_str!("fixtures/odoo_crm_lead.csv");
    let table = Table::read(csv.as_bytes()).expect("reads");
    let options = TrainOptions { odoo_export: true, ..options(ModelKind::OdooNb) };
    let model = train(&table, &options).expect("trains");
    let report = &model.report;
    // Won: probability 100; lost: 0 and archived; the open leads are left out.
    let won = csv.lines().filter(|l| l.contains(",100.0,True")).count();
    let lost = csv.lines().filter(|l| l.contains(",0.0,False")).count();
    assert_eq!((report.rows, report.positives), (won + lost, won));
    assert_eq!(model.training.rows_without_label, 120 - won - lost);
    assert_eq!(report.columns_used, ["email_state", "phone_state", "country_id", "source_id"]);
    let reason = |name: &str| report.dropped_columns.iter().find(|d| d.name == name).map(|d| d.reason.clone());
    assert!(reason("id").is_some_and(|r| r.starts_with("identifier-like")), "{:?}", reason("id"));
    assert!(reason("email_from").is_some_and(|r| r.contains("not one of Odoo's")));
    let sift_score::model::ModelParams::OdooNb(nb) = &model.params else { panic!("not odoo-nb") };
    assert_eq!(nb.config.stage_column.as_deref(), Some("stage_id"));
    assert_eq!(nb.config.team_column.as_deref(), Some("team_id"));
    assert_eq!(nb.config.tag_column.as_deref(), Some("tag_ids"));
    assert_eq!(nb.config.won_stage.as_deref(), Some("won"));
    // A stage outside the pipeline is named with its row in the file (open leads before it
    // are left out of training, not out of the count).
    let lines: Vec<&str> = csv.lines().collect();
    let line = lines.iter().rposition(|l| l.contains(",Qualified,") && l.contains(",0.0,False")).expect("a lost lead");
    let edited: String = lines
        .iter()
        .enumerate()
        .map(|(i, l)| if i == line { l.replace(",Qualified,", ",Negotiation,") } else { l.to_string() } + "\n")
        .collect();
    let error = train(&Table::read(edited.as_bytes()).expect("reads"), &options).err().expect("unknown stage");
    assert!(error.to_string().contains(&format!("column `stage_id` row {line}: stage `Negotiation`")), "{error}");
    // Scored as Odoo would: the won stage 100, no stage 0, the id copied to the output.
    let out = batch(&model, csv).expect("scores");
    let mut reader = csv::Reader::from_reader(out.as_bytes());
    assert_eq!(reader.headers().expect("header").get(0), Some("id"));
    for (input, output) in csv.lines().skip(1).zip(reader.records()) {
        let output = output.expect("row");
        let stage = input.split(',').nth(7).expect("stage cell");
        match stage {
            "Won" => assert_eq!(&output[1], "1.0000", "{input}"),
            "" => assert_eq!(&output[1], "0.0000", "{input}"),
            _ => assert!(output[1].parse::<f64>().is_ok_and(|p| p > 0.0 && p < 1.0), "{input}"),
        }
    }
}

// ---------------------------------------------------------------------------------------
// Metrics.

#[test]
fn metrics_match_hand_computed_values() {
    let check_auc = |y: &[bool], p: &[f64], want: f64| {
        let got = auc(y, p).expect("two classes");
        assert!((got - want).abs() < 1e-12, "auc {y:?} {p:?}: {got} != {want}");
    };
    check_auc(&[false, false, true, true], &[0.1, 0.4, 0.35, 0.8], 0.75);
    check_auc(&[false, true], &[0.5, 0.5], 0.5);
    check_auc(&[true, false, true, false], &[0.9, 0.1, 0.8, 0.2], 1.0);
    assert_eq!(auc(&[true, true], &[0.1, 0.2]), None);

    let y: Vec<bool> = (0..20).map(|i| i < 4).collect();
    let p: Vec<f64> = (0..20).map(|i| 1.0 - i as f64 / 20.0).collect();
    assert_eq!(top_decile(&y, &p), (1.0, 5.0)); // top 2 are both positive; base rate 0.2

    let table = calibration_table(&[true, false, true], &[0.05, 0.05, 0.95]);
    assert_eq!(table.len(), 2);
    assert_eq!((table[0].leads, table[0].observed), (2, 0.5));
    assert_eq!((table[1].low, table[1].high, table[1].observed), (90, 100, 1.0));

    // Platt scaling maps over-confident predictions onto the observed rates: two levels of
    // prediction, two parameters, an exact fit.
    let y: Vec<bool> = (0..200).map(|i| if i < 100 { i % 10 < 7 } else { i % 10 < 2 }).collect();
    let p: Vec<f64> = (0..200).map(|i| if i < 100 { 0.95 } else { 0.3 }).collect();
    let platt = Platt::fit(&y, &p);
    assert!((platt.apply(0.95) - 0.7).abs() < 1e-6 && (platt.apply(0.3) - 0.2).abs() < 1e-6, "{platt:?}");
    // A single level of prediction cannot be rescaled: no blow-up.
    let platt = Platt::fit(&y[..100], &p[..100]);
    assert!(platt.apply(0.95).is_finite(), "{platt:?}");
}

#[test]
fn folds_are_stratified_and_deterministic() {
    let y: Vec<bool> = (0..103).map(|i| i % 4 == 0).collect();
    let folds = stratified_folds(&y, 5, 0);
    assert_eq!(folds, stratified_folds(&y, 5, 0));
    for k in 0..5 {
        let positives = (0..y.len()).filter(|&i| folds[i] == k && y[i]).count();
        assert!((5..=6).contains(&positives), "fold {k}: {positives} positives");
    }
}

#[test]
fn fixed_point_output_formatting() {
    for (value, decimals, sign, want) in [
        (0.12345, 4, false, "0.1235"),
        (1.0, 4, false, "1.0000"),
        (0.0, 4, false, "0.0000"),
        (-0.504, 2, true, "-0.50"),
        (0.004, 2, true, "+0.00"),
        (-0.004, 2, true, "+0.00"),
        (12.3456, 2, true, "+12.35"),
    ] {
        let mut out = Vec::new();
        push_fixed(&mut out, value, decimals, sign);
        assert_eq!(String::from_utf8(out).expect("utf8"), want, "{value}");
    }
    // The same text as the first, digit-by-digit version, on values near the rounding edges
    // and across magnitudes.
    let reference = |value: f64, decimals: u32, sign: bool| -> String {
        let unit = 10u64.pow(decimals);
        let scaled = value.abs() * unit as f64 + 0.5;
        if !scaled.is_finite() || scaled >= 1e15 {
            return format!("{value:.*}", decimals as usize);
        }
        let scaled = scaled as u64;
        let prefix = if value < 0.0 && scaled > 0 {
            "-"
        } else if sign {
            "+"
        } else {
            ""
        };
        let fraction =
            if decimals > 0 { format!(".{:0width$}", scaled % unit, width = decimals as usize) } else { String::new() };
        format!("{prefix}{}{fraction}", scaled / unit)
    };
    let mut state = 11u64;
    for i in 0..20_000 {
        state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        let magnitude = 10f64.powi((state >> 60) as i32 - 6);
        let mut value = ((state >> 11) as f64 / (1u64 << 53) as f64 - 0.5) * magnitude;
        if i % 7 == 0 {
            // Exactly on a half of the last digit.
            value = (value * 100.0).round() / 100.0 + 0.005;
        }
        for value in [value, -value, f64::from_bits(value.to_bits() + 1)] {
            for (decimals, sign) in [(4, false), (2, true), (0, false), (3, true)] {
                let mut out = Vec::new();
                push_fixed(&mut out, value, decimals, sign);
                assert_eq!(String::from_utf8(out).expect("utf8"), reference(value, decimals, sign), "{value:e}");
            }
        }
    }
    // Either side of one digit before the point.
    for value in [9.995, 9.994_999_9, -9.995, 9.999_95, 0.999_95, 0.999_949, -0.000_05, 10.0, 9.5, -9.5] {
        for (decimals, sign) in [(4, false), (2, true), (0, false), (6, true), (7, false)] {
            let mut out = Vec::new();
            push_fixed(&mut out, value, decimals, sign);
            assert_eq!(String::from_utf8(out).expect("utf8"), reference(value, decimals, sign), "{value:e}");
        }
    }
    for value in [1e15, -3e17, f64::NAN, f64::INFINITY, 999_999_999_999.99] {
        let mut out = Vec::new();
        push_fixed(&mut out, value, 2, true);
        assert_eq!(String::from_utf8(out).expect("utf8"), reference(value, 2, true), "{value:e}");
    }
}

#[test]
fn output_fields_are_quoted_like_the_csv_crate_does_and_formulas_neutralised() {
    for field in ["plain", "", "a,b", "say \"hi\"", "two\nlines", "cr\r", "x=1 (+0.50); y=2 (-0.10)", "=1+1", "@x,y"] {
        let mut ours = Vec::new();
        sift_score::batch::push_field(&mut ours, field.as_bytes());
        ours.push(b',');
        sift_score::batch::push_field(&mut ours, b"next");
        ours.push(b'\n');
        let mut theirs = sift_core::csv_out::CsvWriter::new(Vec::new());
        theirs.write_record([field, "next"]).expect("writes");
        assert_eq!(
            String::from_utf8(ours).expect("utf8"),
            String::from_utf8(theirs.into_inner().expect("inner")).expect("utf8")
        );
    }
}

#[test]
fn top_factors_keep_the_strongest_on_each_side() {
    let effects = [(0, 0.2), (1, -0.9), (2, 1.5), (3, 0.001), (4, -0.1), (5, 0.7), (6, -0.3)];
    let (positive, negative) = top_factors(&effects, 2);
    assert_eq!(positive, vec![(2, 1.5), (5, 0.7)]);
    assert_eq!(negative, vec![(1, -0.9), (6, -0.3)]);
    // Against sorting: ties (the first seen wins), effects at the negligible bar, NaN.
    let mut seed = 7u64;
    let mut next = || {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        [0.3, -0.3, 0.005, -0.005, 0.0051, 1.0, -2.0, f64::NAN, 0.0, -0.0, 0.7, -0.7][(seed >> 33) as usize % 12]
    };
    for k in 0..5 {
        for _ in 0..200 {
            let effects: Vec<(usize, f64)> = (0..12).map(|i| (i, next())).collect();
            let sorted = |positive: bool| {
                let mut side: Vec<(usize, f64)> =
                    effects.iter().copied().filter(|e| if positive { e.1 > 0.005 } else { e.1 < -0.005 }).collect();
                side.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()));
                side.truncate(k);
                side
            };
            assert_eq!(top_factors(&effects, k), (sorted(true), sorted(false)), "{effects:?}");
        }
    }
}

// ---------------------------------------------------------------------------------------
// The pipeline and the three model kinds on the fixture.

#[test]
fn every_model_kind_trains_explains_and_round_trips() {
    let table = fixture();
    for kind in [ModelKind::Logistic, ModelKind::Gbm, ModelKind::OdooNb] {
        let model = train(&table, &options(kind)).unwrap_or_else(|e| panic!("{kind}: {e}"));
        let report = &model.report;
        assert_eq!((report.rows, report.folds, report.positives), (80, 5, 33), "{kind}");
        assert!(report.metrics.auc > 0.6, "{kind}: AUC {}", report.metrics.auc);
        // Odoo keeps a variable whatever its number of values; the other models drop an identifier.
        let kept = report.columns_used.iter().any(|c| c == "Lead ID");
        assert_eq!(kept, kind == ModelKind::OdooNb, "{kind}: identifier kept only by odoo-nb");
        assert_eq!(report.dropped_columns.iter().any(|d| d.name == "Lead ID"), !kept, "{kind}");
        assert_eq!(report.identifier_columns, if kept { vec!["Lead ID".to_string()] } else { vec![] }, "{kind}");
        let out = batch(&model, FIXTURE).expect("scores");
        assert!(out.starts_with("Lead ID,probability"), "{kind}: the identifier names each lead: {out:.40}");
        assert!(!report.columns_used.iter().any(|c| c.is_empty()), "trailing empty column ignored");
        let json = model.to_json().expect("json");
        let back = ModelFile::from_json(&json).expect("reads back");
        assert_eq!(back.kind, kind);
        assert_eq!(back.schema, model.schema);
        assert_eq!(back.to_json().expect("json"), json, "{kind}: stable round trip");

        let scorer = Scorer::new(&back, &table.headers).expect("schema fits");
        let mut scratch = Scratch::default();
        let cells: Vec<Option<&str>> = scorer.positions.iter().map(|&p| table.columns[p][1].as_deref()).collect();
        let scored = scorer.explain(|i| cells[i], 2, 3, &mut scratch).expect("scores");
        assert!((0.0..=1.0).contains(&scored.probability));
        assert!((1..=99).contains(&scored.score));
        assert!(!scored.positive.is_empty() || !scored.negative.is_empty(), "{kind}: no factors");
        assert!(scored.positive.iter().all(|f| f.effect > 0.0) && scored.negative.iter().all(|f| f.effect < 0.0));
    }
}

// ---------------------------------------------------------------------------------------
// `auto`: the kind chosen on the data.

/// Deterministic uniform numbers in [-1, 1] (SplitMix64).
struct Uniform(u64);
impl Uniform {
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
    }
}

/// `rows` leads with numbers `a`, `b`, `c` and a `Source`, labelled by `converts(a, b, c, u)`
/// where `u` is uniform noise in [0, 1]. Numbers have two decimals, so that no column has a
/// distinct value on most rows (it would be dropped as an identifier).
fn synthetic(rows: usize, seed: u64, converts: &dyn Fn(f64, f64, f64, f64) -> bool) -> Table {
    let mut r = Uniform(seed);
    let mut csv = String::from("a,b,c,Source,Converted\n");
    for i in 0..rows {
        let (a, b, c, u) = (r.next(), r.next(), r.next(), (r.next() + 1.0) / 2.0);
        let source = ["web", "event", "referral"][i % 3];
        csv.push_str(&format!("{a:.2},{b:.2},{c:.2},{source},{}\n", u8::from(converts(a, b, c, u))));
    }
    Table::read(csv.as_bytes()).expect("reads")
}

fn candidate_auc(model: &ModelFile, kind: ModelKind) -> Option<f64> {
    let selection = model.report.selection.as_ref().expect("auto records its choice");
    selection.candidates.iter().find(|c| c.kind == kind).and_then(|c| c.metrics.as_ref()).map(|m| m.auc)
}

#[test]
fn auto_picks_gbm_when_the_outcome_lies_in_an_interaction() {
    // Converts when a and b have the same sign: no single weight sees it, trees do.
    let table = synthetic(1200, 7, &|a, b, _, u| (a * b > 0.0) != (u < 0.1));
    let model = train(&table, &options(ModelChoice::Auto)).expect("trains");
    let selection = model.report.selection.as_ref().expect("selection");
    let (logistic, gbm) = (candidate_auc(&model, ModelKind::Logistic), candidate_auc(&model, ModelKind::Gbm));
    assert_eq!(model.kind, ModelKind::Gbm, "{}", selection.reason);
    assert_eq!((model.report.model, selection.chosen), (ModelKind::Gbm, ModelKind::Gbm));
    assert!(gbm.expect("gbm AUC") > logistic.expect("logistic AUC") + 0.2, "{logistic:?} {gbm:?}");
    assert_eq!(model.report.metrics.auc, gbm.expect("gbm AUC"), "the report's figures are the winner's");
    assert!(model.calibration.is_some() && model.report.calibrated, "the winner is calibrated");
    assert!(selection.reason.contains("gbm is chosen") && selection.reason.contains("Platt"), "{}", selection.reason);
}

#[test]
fn auto_picks_logistic_on_small_linear_data() {
    let table = synthetic(160, 3, &|a, b, _, u| u < 1.0 / (1.0 + (-(2.5 * a - 1.5 * b)).exp()));
    let model = train(&table, &options(ModelChoice::Auto)).expect("trains");
    let selection = model.report.selection.as_ref().expect("selection");
    assert_eq!(model.kind, ModelKind::Logistic, "{}", selection.reason);
    assert_eq!(model.report.columns_used, ["a", "b", "c", "Source"]);
    let (logistic, gbm) = (candidate_auc(&model, ModelKind::Logistic), candidate_auc(&model, ModelKind::Gbm));
    assert!(logistic.expect("logistic AUC") > 0.75, "{logistic:?}");
    assert!(logistic.expect("logistic AUC") + 0.002 >= gbm.expect("gbm AUC"), "{logistic:?} {gbm:?}");
    assert!(model.calibration.is_some());
}

#[test]
fn auto_lists_every_candidate_on_the_same_folds_as_training_each_kind_alone() {
    let table = fixture();
    let auto = train(&table, &options(ModelChoice::Auto)).expect("trains");
    let selection = auto.report.selection.as_ref().expect("selection");
    let kinds: Vec<ModelKind> = selection.candidates.iter().map(|c| c.kind).collect();
    assert_eq!(kinds.len(), 3, "{kinds:?}");
    for kind in [ModelKind::Logistic, ModelKind::Gbm, ModelKind::OdooNb] {
        assert!(kinds.contains(&kind), "{kind} listed");
    }
    let odoo = selection.candidates.iter().find(|c| c.kind == ModelKind::OdooNb).expect("odoo-nb listed");
    assert!(odoo.metrics.is_none() && odoo.note.starts_with("not a candidate: Odoo's model is for Odoo data"));
    // Same folds: each candidate's figure is the one its kind gets trained alone.
    for kind in [ModelKind::Logistic, ModelKind::Gbm] {
        let alone = train(&table, &options(kind)).expect("trains");
        assert_eq!(candidate_auc(&auto, kind), Some(alone.report.metrics.auc), "{kind}");
        assert!(alone.report.selection.is_none(), "a kind asked for records no selection");
    }
    assert_eq!(selection.metric, "auc");
    assert_eq!(selection.candidates.iter().filter(|c| c.chosen).count(), 1);
    // The stored report reads back with its selection, and scores like any model.
    let back = ModelFile::from_json(&auto.to_json().expect("json")).expect("reads back");
    assert_eq!(back.report.selection.as_ref(), Some(selection));
    batch(&back, FIXTURE).expect("scores");
}

#[test]
fn auto_on_odoo_data_puts_odoo_nb_among_the_candidates() {
    let csv = closed_leads_csv("note", &|i| format!("n{}", i % 4));
    let table = Table::read(csv.as_bytes()).expect("reads");
    let config = OdooConfig {
        stage_column: Some("Stage".into()),
        stages: ["new", "qualified", "proposition"].map(String::from).to_vec(),
        won_stage: Some("won".into()),
        ..OdooConfig::default()
    };
    let auto = TrainOptions { kind: ModelChoice::Auto, ..odoo_options(config) };
    let model = train(&table, &auto).expect("trains");
    let selection = model.report.selection.as_ref().expect("selection");
    for kind in [ModelKind::Logistic, ModelKind::Gbm, ModelKind::OdooNb] {
        assert!(candidate_auc(&model, kind).is_some(), "{kind} cross-validated: {:?}", selection.candidates);
    }
    // The stage column gives the outcome away to the generic models: their guard leaves it
    // out, so no candidate wins on leakage.
    assert!(model.report.metrics.auc < 0.95, "{}", selection.reason);
    // An Odoo export is read by odoo-nb alone: the default `auto` still trains it.
    let export = "id,country_id,source_id,probability,active\n".to_string()
        + &(0..60)
            .map(|i| {
                format!(
                    "{i},{},{},{},{}\n",
                    ["be", "fr"][i % 2],
                    ["web", "ads", "fair"][i % 3],
                    if i % 3 == 0 { 100 } else { 0 },
                    i % 3 == 0
                )
            })
            .collect::<String>();
    let export = Table::read(export.as_bytes()).expect("reads");
    let model = train(&export, &TrainOptions { odoo_export: true, ..options(ModelChoice::Auto) }).expect("trains");
    let selection = model.report.selection.as_ref().expect("selection");
    assert_eq!(selection.chosen, ModelKind::OdooNb);
    assert!(
        selection
            .candidates
            .iter()
            .filter(|c| c.kind != ModelKind::OdooNb)
            .all(|c| c.note.contains("read by odoo-nb only"))
    );
}

#[test]
fn the_pipeline_reads_placeholders_booleans_and_case() {
    let model = train(&fixture(), &options(ModelKind::Logistic)).expect("trains");
    let spec =
        |name: &str| model.schema.columns.iter().find(|c| c.name == name).unwrap_or_else(|| panic!("no column {name}"));
    let json = serde_json::to_value(spec("Newsletter")).expect("json");
    assert_eq!(json["kind"], "numeric");
    assert_eq!(json["boolean"], true, "Yes/No read as 0/1");
    assert!(json["missing_indicator"].is_array(), "`Select` counts as missing");
    let json = serde_json::to_value(spec("Source")).expect("json");
    let levels: Vec<&str> = json["levels"].as_array().expect("levels").iter().filter_map(|v| v.as_str()).collect();
    assert!(levels.contains(&"web") && !levels.contains(&"Web"), "lower-cased: {levels:?}");
    let json = serde_json::to_value(spec("Industry")).expect("json");
    assert!(json["levels"].as_array().expect("levels").iter().any(|l| l == "(missing)"), "`Select` is a level");
}

#[test]
fn logistic_regression_reaches_the_optimum() {
    // At the optimum of C*sum(logloss) + |w|^2/2 the gradient vanishes: check it numerically.
    let table = fixture();
    let model = train(&table, &options(ModelKind::Logistic)).expect("trains");
    let sift_score::model::ModelParams::Logistic(lr) = &model.params else { panic!("not logistic") };
    let x = model.schema.encode_table(&table).expect("encodes");
    let y: Vec<f64> = table.columns[table.column_index("Converted").expect("label")]
        .iter()
        .map(|v| f64::from(v.as_deref() == Some("Yes")))
        .collect();
    let mut gradient = vec![0.0; x.n_features + 1];
    for (row, target) in y.iter().enumerate() {
        let p = sift_score::logistic::sigmoid(lr.decision(x.dense_row(row), x.onehot_row(row)));
        let r = p - target;
        gradient[0] += r;
        for (f, v) in x.dense_row(row).iter().enumerate() {
            gradient[f + 1] += r * v;
        }
        for &f in x.onehot_row(row) {
            if f != sift_score::features::NONE {
                gradient[f as usize + 1] += r;
            }
        }
    }
    for (j, w) in lr.weights.iter().enumerate() {
        gradient[j + 1] += w / lr.c;
    }
    let largest = gradient.iter().fold(0.0f64, |m, g| m.max(g.abs()));
    assert!(largest < 1e-6, "gradient {largest}");
}

#[test]
fn the_leakage_guard_flags_named_and_too_good_columns() {
    let mut text = String::from("Visits,Tags,Outcome copy,Converted\n");
    for i in 0..60 {
        let won = i % 3 == 0;
        text.push_str(&format!("{},{},{},{}\n", i % 7, if won { "will enroll" } else { "ringing" }, won, won));
    }
    let table = Table::read(text.as_bytes()).expect("reads");
    let model = train(&table, &options(ModelKind::Logistic)).expect("trains");
    let flagged: Vec<&str> = model.report.leakage_warnings.iter().map(|w| w.column.as_str()).collect();
    assert_eq!(flagged, ["Tags", "Outcome copy"]);
    // Regression: the model used to fit on them. They are left out by default, and say so.
    assert_eq!(model.report.columns_used, ["Visits"]);
    let left_out: Vec<&str> = model
        .dropped_columns
        .iter()
        .filter(|d| d.reason.starts_with("left out by the leakage guard"))
        .map(|d| d.name.as_str())
        .collect();
    assert_eq!(left_out, ["Tags", "Outcome copy"]);
    let with = model.report.with_leaky_columns.as_ref().expect("accuracy with them, for comparison");
    assert!(with.auc > model.report.metrics.auc);
    assert!(model.report.without_leaky_columns.is_none());
    // Asked for, they are kept, and the comparison goes the other way.
    let keep = TrainOptions { keep_leaky: true, ..options(ModelKind::Logistic) };
    let model = train(&table, &keep).expect("trains");
    assert_eq!(model.report.columns_used, ["Visits", "Tags", "Outcome copy"]);
    let clean = model.report.without_leaky_columns.as_ref().expect("accuracy without them");
    assert!(clean.auc < model.report.metrics.auc);
    // Only leaky columns: an error that says so, not a model.
    let only =
        Table::read("Tags,Converted\nwill enroll,1\nringing,0\nwill enroll,1\nringing,0\n".as_bytes()).expect("reads");
    let Err(error) = train(&only, &options(ModelKind::Logistic)) else { panic!("nothing honest to learn") };
    assert!(error.to_string().contains("flagged by the leakage guard (`Tags`)"), "{error}");
}

// ---------------------------------------------------------------------------------------
// Bad input: clear errors naming the column, never a panic.

fn check_train_error(csv: &str, kind: ModelKind, want: &str) {
    let table = Table::read(csv.as_bytes()).expect("reads");
    let error = train(&table, &options(kind)).err().unwrap_or_else(|| panic!("no error for {csv:?}"));
    assert!(error.to_string().contains(want), "`{error}` does not contain `{want}`");
}

#[test]
fn bad_training_data_gets_clear_errors() {
    let rows = |f: &dyn Fn(usize) -> String| -> String { (0..30).map(|i| f(i) + "\n").collect() };
    let one_class = format!("Source,Converted\n{}", rows(&|i| format!("s{},Yes", i % 3)));
    check_train_error(&one_class, ModelKind::Logistic, "label column `Converted` has only one class (`Yes`)");
    let all_missing = format!("Source,Budget,Converted\n{}", rows(&|i| format!("s{},Select,{}", i % 3, i % 2)));
    check_train_error(&all_missing, ModelKind::Logistic, "column `Budget` has no values");
    let mut non_numeric = format!("Visits,Converted\n{}", rows(&|i| format!("{},{}", i % 9, i % 2)));
    non_numeric.push_str("lots,1\n");
    check_train_error(&non_numeric, ModelKind::Gbm, "column `Visits` row 31: `lots` is not a number");
    let bad_label = format!("Source,Converted\n{}maybe,perhaps\n", rows(&|i| format!("s{},{}", i % 3, i % 2)));
    check_train_error(&bad_label, ModelKind::OdooNb, "label column `Converted` row 31: cannot read `perhaps`");
    check_train_error("Source,Won\na,1\nb,0\n", ModelKind::Logistic, "no column `Converted`");
    let only_label = format!("Converted\n{}", rows(&|i| format!("{}", i % 2)));
    check_train_error(&only_label, ModelKind::Logistic, "nothing left to learn from");
}

fn batch(model: &ModelFile, csv: &str) -> Result<String, ScoreError> {
    let mut out = Vec::new();
    let options = BatchOptions { threads: 2, block_bytes: 100, ..BatchOptions::default() };
    score_csv(model, csv.as_bytes(), &mut out, &options, &|_| {})?;
    Ok(String::from_utf8(out).expect("utf8"))
}

#[test]
fn scoring_refuses_data_that_does_not_fit_the_model() {
    let model = train(&fixture(), &options(ModelKind::Logistic)).expect("trains");
    let error = batch(&model, "Lead ID,Source,Visits\nL-1,web,3\n").expect_err("missing columns");
    let message = error.to_string();
    assert!(message.contains("`Industry`") && message.contains("`Employees`"), "{message}");
    assert!(!message.contains("`Source`"), "{message}");

    let header = "Lead ID,Source,Industry,Employees,Visits,Newsletter,Stage\n";
    let error = batch(&model, &format!("{header}L-1,web,retail,12,3,Yes,new\nL-2,web,retail,many,3,No,new\n"))
        .expect_err("non-numeric");
    assert_eq!(
        error.to_string(),
        "column `Employees` row 2: `many` is not a number, and the model treats `Employees` as numeric"
    );

    // A damaged or hand-edited model file is an error, never a panic while scoring.
    let mut json: serde_json::Value = serde_json::from_str(&model.to_json().expect("json")).expect("value");
    json["schema"]["feature_column"][0] = serde_json::json!(999);
    let error = ModelFile::from_json(&json.to_string()).err().expect("rejected");
    assert!(error.to_string().contains("feature of unknown column 999"), "{error}");
    let gbm = train(&fixture(), &options(ModelKind::Gbm)).expect("trains");
    let mut json: serde_json::Value = serde_json::from_str(&gbm.to_json().expect("json")).expect("value");
    json["params"]["forest"]["trees"][3]["nodes"][0]["split"]["feature"] = serde_json::json!(500);
    let error = ModelFile::from_json(&json.to_string()).err().expect("rejected");
    assert!(error.to_string().contains("tree 3 is malformed"), "{error}");

    for (text, want) in [
        ("{}", "not a Sift model file"),
        ("not json", "not JSON"),
        (r#"{"format":"sift-score-model","format_version":99}"#, "format version 99 is not supported"),
    ] {
        let error = ModelFile::from_json(text).err().expect("rejected");
        assert!(error.to_string().contains(want), "{error}");
    }
}

/// Sift writes a model's parameters with their kind first, and reads them straight from the
/// text then; a file with the kind further on (edited by hand, or by a tool that sorts keys)
/// is read through a buffer, to the same model. An unknown kind is refused either way.
#[test]
fn model_parameters_read_the_same_wherever_their_kind_stands() {
    for kind in [ModelKind::Logistic, ModelKind::Gbm, ModelKind::OdooNb] {
        let text = train(&fixture(), &options(kind)).expect("trains").to_json().expect("json");
        let first = format!("\"params\":{{\"kind\":\"{kind}\",");
        let body = text.strip_suffix("}}").expect("params close the file");
        assert!(body.contains(&first), "{kind}: kind first");
        let last = format!("{},\"kind\":\"{kind}\"}}}}", body.replacen(&first, "\"params\":{", 1));
        for file in [&text, &last] {
            let model = ModelFile::from_json(file).expect("reads");
            assert_eq!(model.to_json().expect("json"), text, "{kind}");
        }
        for file in [
            text.replacen(&first, "\"params\":{\"kind\":\"forest\",", 1),
            last.replace(&format!("\"kind\":\"{kind}\"}}}}"), "\"kind\":\"forest\"}}"),
        ] {
            let error = ModelFile::from_json(&file).err().expect("rejected").to_string();
            assert!(error.contains("unknown variant `forest`"), "{kind}: {error}");
        }
    }
}

#[test]
fn batch_scoring_streams_in_order_with_ids_and_factors() {
    let model = train(&fixture(), &options(ModelKind::Logistic)).expect("trains");
    let out = batch(&model, FIXTURE).expect("scores");
    let mut reader = csv::Reader::from_reader(out.as_bytes());
    assert_eq!(
        reader.headers().expect("header").iter().collect::<Vec<_>>(),
        ["Lead ID", "probability", "score", "top_positive", "top_negative"]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    assert_eq!(rows.len(), 80);
    for (i, row) in rows.iter().enumerate() {
        assert_eq!(&row[0], format!("L-{i:04}"), "order kept");
        let p: f64 = row[1].parse().expect("probability");
        let score: u8 = row[2].parse().expect("score");
        assert!((0.0..=1.0).contains(&p) && (1..=99).contains(&score));
        assert!(row[3].is_empty() || row[3].contains('=') && row[3].contains("(+"), "{:?}", &row[3]);
    }
    // Same result with one thread and big chunks.
    let mut single = Vec::new();
    let options = BatchOptions { threads: 1, block_bytes: 1 << 20, ..BatchOptions::default() };
    score_csv(&model, FIXTURE.as_bytes(), &mut single, &options, &|_| {}).expect("scores");
    assert_eq!(String::from_utf8(single).expect("utf8"), out);
}

#[test]
fn regression_score_output_neutralises_formula_cells_in_the_id_column() {
    let model = train(&fixture(), &options(ModelKind::Logistic)).expect("trains");
    let header = "Lead ID,Source,Industry,Employees,Visits,Newsletter,Stage\n";
    let out =
        batch(&model, &format!("{header}=HYPERLINK(\"x\"),Ads,Retail,5,1,Yes,new\n@cmd,Ads,Retail,5,1,Yes,new\n"))
            .expect("scores");
    let ids: Vec<String> =
        csv::Reader::from_reader(out.as_bytes()).records().map(|r| r.expect("row")[0].to_owned()).collect();
    assert_eq!(ids, ["'=HYPERLINK(\"x\")", "'@cmd"]);

    let rules = sift_score::rules::parse_rules(
        "id_field = \"id\"\n[[rule]]\nname = \"big\"\nfield = \"n\"\nrange = { min = 10 }\npoints = -5\n",
    )
    .expect("rules");
    let mut out = Vec::new();
    let as_of = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).expect("date");
    sift_score::rules::score_rules_csv(
        &rules,
        "id,n\n+1-2,12\n".as_bytes(),
        &Default::default(),
        &mut out,
        as_of,
        None,
    )
    .expect("rule points");
    let text = String::from_utf8(out).expect("utf8");
    assert!(text.lines().nth(1).is_some_and(|l| l.starts_with("'+1-2,-5,")), "negative points stay numbers: {text}");
}

#[test]
fn regression_out_of_range_settings_are_refused_with_the_allowed_range() {
    // `train --folds 0|1` silently ran 2 folds; `--gbm-iterations 4294967295` ran without end.
    for k in [0, 1, 101] {
        let o = TrainOptions { folds: FoldSpec::Stratified { k, seed: 0 }, ..options(ModelKind::Logistic) };
        let error = train(&fixture(), &o).err().expect("refused");
        assert_eq!(error.to_string(), format!("folds `{k}` is out of range: give 2 to 100"));
        assert!(error.is_invalid_input());
    }
    let mut o = options(ModelKind::Gbm);
    o.gbm.iterations = 4_294_967_295;
    let started = std::time::Instant::now();
    let error = train(&fixture(), &o).err().expect("refused");
    assert_eq!(error.to_string(), "gbm iterations `4294967295` is out of range: give 1 to 10000");
    assert!(started.elapsed() < std::time::Duration::from_secs(1));
    let mut o = options(ModelKind::Logistic);
    o.c = f64::NAN;
    assert!(train(&fixture(), &o).err().expect("refused").to_string().starts_with("C `NaN` is out of range"));

    let model = train(&fixture(), &options(ModelKind::Logistic)).expect("trains");
    let threads = BatchOptions { threads: 0, ..BatchOptions::default() };
    let error = score_csv(&model, FIXTURE.as_bytes(), Vec::new(), &threads, &|_| {}).expect_err("refused");
    assert_eq!(error.to_string(), "threads `0` is out of range: give 1 to 256");
}

#[test]
fn the_crate_stays_pure() {
    let manifest = include_str!("../Cargo.toml");
    for banned in ["tokio", "sqlx", "axum", "sift-store"] {
        assert!(!manifest.contains(banned), "sift-score must not depend on {banned}");
    }
}

// ---------------------------------------------------------------------------------------
// Real data (../shared/data), skipped when absent.

fn shared_data(path: &str) -> Option<PathBuf> {
    let full = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data").join(path);
    if full.exists() {
        Some(full)
    } else {
        // Written to the stderr handle, not with `eprintln!`, so it shows in the test output.
        let _ =
            writeln!(std::io::stderr(), "skipped: {} not found (real data lives in ../shared/data)", full.display());
        None
    }
}

#[test]
fn leads_csv_logistic_matches_the_scikit_learn_baseline() {
    let Some(path) = shared_data("leads/x-education/Leads.csv") else { return };
    let table = Table::read(std::fs::File::open(path).expect("opens")).expect("reads");
    assert_eq!(table.rows, 9240);
    let model = train(&table, &options(ModelKind::Logistic)).expect("trains");
    let report = &model.report;
    let mut flagged: Vec<&str> = report.leakage_warnings.iter().map(|w| w.column.as_str()).collect();
    flagged.sort();
    assert_eq!(flagged, ["Last Activity", "Last Notable Activity", "Lead Quality", "Tags"]);
    // The flagged columns are left out by default: the model's own figures are the honest ones.
    let with = report.with_leaky_columns.as_ref().expect("metrics with the leaky columns");
    assert!(with.auc > 0.97, "with leaky columns: {}", with.auc);
    let clean = &report.metrics;
    // scikit-learn's LogisticRegression on the same pipeline: 0.890 (../shared/data/README.md).
    assert!((clean.auc - 0.890).abs() < 0.005, "without leaky columns: {}", clean.auc);
    assert!(clean.brier < 0.135, "brier {}", clean.brier);
}

#[test]
fn leads_csv_auto_chooses_gbm_and_reaches_the_best_scikit_learn_model() {
    let Some(path) = shared_data("leads/x-education/Leads.csv") else { return };
    let table = Table::read(std::fs::File::open(path).expect("opens")).expect("reads");
    let options = TrainOptions { compare_without_leaky: false, ..options(ModelChoice::Auto) };
    let model = train(&table, &options).expect("trains");
    let selection = model.report.selection.as_ref().expect("selection");
    assert_eq!(model.kind, ModelKind::Gbm, "{}", selection.reason);
    // scikit-learn's best, HistGradientBoosting: 0.908 (../shared/data/README.md; other folds).
    assert!(model.report.metrics.auc > 0.905, "auto: {}", model.report.metrics.auc);
    let logistic = candidate_auc(&model, ModelKind::Logistic).expect("logistic cross-validated");
    assert!((logistic - 0.890).abs() < 0.005, "logistic among the candidates: {logistic}");
}

#[test]
fn bank_marketing_without_duration_trains_every_kind() {
    let Some(path) = shared_data("leads/uci-bank-marketing/bank-additional-full.csv") else { return };
    let table = Table::read(std::fs::File::open(path).expect("opens")).expect("reads");
    let mut aucs = Vec::new();
    for kind in [ModelKind::Logistic, ModelKind::OdooNb] {
        let options = TrainOptions {
            positive: Some("yes".into()),
            exclude: vec!["duration".into()],
            folds: FoldSpec::Stratified { k: 3, seed: 1 },
            ..TrainOptions { created_at: String::new(), ..TrainOptions::new("y", kind) }
        };
        let model = train(&table, &options).expect("trains");
        assert!(model.report.leakage_warnings.is_empty(), "{:?}", model.report.leakage_warnings);
        aucs.push(model.report.metrics.auc);
    }
    // scikit-learn logistic: 0.791; the odoo-nb baseline must be below.
    assert!(aucs[0] > 0.78 && aucs[0] > aucs[1], "{aucs:?}");
}

// ---------------------------------------------------------------------------------------
// Rule points.

#[test]
fn rule_points_add_up_with_caps_decay_and_stage_moves() {
    use sift_score::rules::{parse_rules, read_events, score_rules_csv};
    let rules = parse_rules(include_str!("fixtures/rules.toml")).expect("rules parse");
    let events = read_events(include_str!("fixtures/rules_events.csv").as_bytes()).expect("events");
    let as_of = chrono::NaiveDate::from_ymd_opt(2026, 11, 1).expect("date");
    let mut out = Vec::new();
    let leads = include_str!("fixtures/rules_leads.csv");
    let rows = score_rules_csv(&rules, leads.as_bytes(), &events, &mut out, as_of, None).expect("scores");
    assert_eq!(rows, 5);
    let text = String::from_utf8(out).expect("utf8");
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let got: Vec<(String, f64, String, String, String)> = reader
        .records()
        .map(|r| {
            let r = r.expect("row");
            (r[0].to_string(), r[1].parse().expect("points"), r[2].to_string(), r[3].to_string(), r[4].to_string())
        })
        .collect();
    let check = |id: &str, points: f64, stage: &str, reason: &str| {
        let row = got.iter().find(|r| r.0 == id).unwrap_or_else(|| panic!("no row {id}"));
        assert_eq!((row.1, row.2.as_str()), (points, stage), "{id}: {row:?}");
        assert!(row.4.contains(reason), "{id}: `{}` lacks `{reason}`", row.4);
    };
    // R-1: industry 20 + size 10 + title 10 + visits 4 x 2 x 0.5^(30/30) = 4 -> 44: mql.
    check("R-1", 44.0, "mql", "site visits +4 (4 x 2 (last 2026-10-02, decay 0.50))");
    // R-2: free mail only: -15, stays unqualified.
    check("R-2", -15.0, "unqualified", "free e-mail -15 (gmail.com)");
    // R-3: industry 20 + title 10 (20000 employees is out of range); engagement: visits
    // 10 (capped count) x 2 = 20, demos 25 x 0.5 + 25 = 37.5 -> 57.5, capped at 40 -> 70: sql.
    check("R-3", 70.0, "sql", "engagement capped at 40 (was 57.5)");
    // R-4: already sql; 20 points reach nothing, and it never moves back.
    check("R-4", 20.0, "sql", "target industry +20 (Software)");
    // R-5: 60 points reach sql, but a customer does not move back to sql.
    check("R-5", 60.0, "customer", "senior title +10 (Director (`director`))");
}

#[test]
fn bad_rules_are_reported_all_at_once() {
    use sift_score::rules::parse_rules;
    let check = |text: &str, wants: &[&str]| {
        let error = parse_rules(text).expect_err("rejected").to_string();
        for want in wants {
            assert!(error.contains(want), "`{error}` lacks `{want}`");
        }
    };
    check(
        "[stages]\nmqll = 10\n[[rule]]\nname = \"a\"\npoints = 1\n[[rule]]\nname = \"b\"\nfield = \"x\"\nin = [\"y\"]\nmatches = [\"z\"]\npoints = 1\n",
        &["`mqll` is not a lifecycle stage", "rule 1 `a`: says nothing to match", "rule 2 `b`: give only one of"],
    );
    check("[[rule]]\nname = \"a\"\nin = [\"x\"]\npoints = 2\n", &["rule 1 `a`: needs `field`"]);
    check("[[rule]]\nname = \"a\"\nfield = \"x\"\nin = [\"x\"]\npoints = 2\nweight = 3\n", &["unknown field `weight`"]);
    check(
        "[caps]\nfun = 3\n[[rule]]\nname = \"a\"\nfield = \"x\"\nin = [\"x\"]\npoints = 2\n",
        &["no rule is in group `fun`"],
    );
}

#[test]
fn placeholders_count_as_missing() {
    use sift_score::table::{PLACEHOLDERS, is_missing};
    for p in PLACEHOLDERS {
        for v in [p.to_string(), p.to_uppercase(), format!("  {p} ")] {
            assert!(is_missing(&v), "`{v}` should be missing");
        }
    }
    for v in ["0", "No", "India", "Selected", "unknowns", "n", "-1", "none of these"] {
        assert!(!is_missing(v), "`{v}` is a value");
    }
}

#[test]
fn training_rows_encode_as_scoring_encodes_them() {
    // Fitting encodes its own rows from numbers parsed once; scoring parses every cell: the
    // two must agree to the bit (missing numbers, Yes/No, levels, missing and rare levels).
    use sift_score::features::FeatureSchema;
    let table = fixture();
    let columns: Vec<usize> =
        (1..table.headers.len()).filter(|&c| !["Converted", ""].contains(&table.headers[c].as_str())).collect();
    let (schema, fitted) = FeatureSchema::fit_encode(&table, &columns).expect("fits");
    let scored = schema.encode_table(&table).expect("encodes");
    assert!(
        schema
            .columns
            .iter()
            .any(|c| matches!(c.kind, sift_score::features::ColumnKind::Numeric { boolean: true, .. }))
    );
    let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(&fitted.dense), bits(&scored.dense));
    assert_eq!(fitted.onehot, scored.onehot);
    assert_eq!(
        (fitted.rows, fitted.n_dense, fitted.n_categorical),
        (scored.rows, scored.n_dense, scored.n_categorical)
    );
}

#[test]
fn gbm_explanations_add_up_to_the_prediction() {
    // Batch scoring sums per-feature contributions instead of predicting: both must give
    // the same probability.
    let table = fixture();
    let model = train(&table, &options(ModelKind::Gbm)).expect("trains");
    let sift_score::model::ModelParams::Gbm { forest, category_codes } = &model.params else { panic!("not gbm") };
    let x = model.schema.encode_table(&table).expect("encodes");
    let data = x.to_tree_matrix(category_codes);
    let features = x.n_dense + x.n_categorical;
    let forest = forest.compile();
    let mut scratch = sift_score::gbm::ForestScratch::default();
    let predicted: Vec<f64> = (0..x.rows)
        .map(|r| forest.predict(&(0..features).map(|f| data[f * x.rows + r]).collect::<Vec<_>>(), &mut scratch))
        .collect();
    let platt = model.calibration.expect("calibrated");
    let scorer = Scorer::new(&model, &table.headers).expect("fits");
    let mut scratch = Scratch::default();
    for (row, z) in predicted.iter().enumerate() {
        let cells: Vec<Option<&str>> = scorer.positions.iter().map(|&p| table.columns[p][row].as_deref()).collect();
        let p = scorer.score(|i| cells[i], row + 1, &mut scratch).expect("scores");
        let want = platt.apply(sift_score::logistic::sigmoid(*z));
        assert!((p - want).abs() < 1e-9, "row {row}: {p} != {want}");
    }
}

/// Batch scoring hands rows to the scorer a block at a time; each row must get the bits it
/// gets alone, and an error names the row that caused it.
#[test]
fn rows_scored_together_get_the_bits_of_rows_scored_one_by_one() {
    let table = fixture();
    for kind in [ModelKind::Logistic, ModelKind::Gbm, ModelKind::OdooNb] {
        let model = train(&table, &options(kind)).unwrap_or_else(|e| panic!("{kind}: {e}"));
        let scorer = Scorer::new(&model, &table.headers).expect("fits");
        let cells: Vec<Vec<Option<&str>>> = (0..table.rows)
            .map(|row| scorer.positions.iter().map(|&p| table.columns[p][row].as_deref()).collect())
            .collect();
        let bits = |p: f64, effects: &[(usize, f64)]| {
            (p.to_bits(), effects.iter().map(|&(slot, e)| (slot, e.to_bits())).collect::<Vec<_>>())
        };
        let mut scratch = Scratch::default();
        let alone: Vec<_> = (0..table.rows)
            .map(|row| {
                let p = scorer.score(|i| cells[row][i], row + 1, &mut scratch).expect("scores");
                bits(p, &scratch.effects)
            })
            .collect();
        let mut together = Vec::new();
        for start in (0..table.rows).step_by(23) {
            let count = 23.min(table.rows - start);
            scorer
                .score_rows(
                    count,
                    |r, i| cells[start + r][i],
                    start + 1,
                    &mut scratch,
                    |r, p, scratch| {
                        assert_eq!(together.len(), start + r, "{kind}: rows in order");
                        together.push(bits(p, &scratch.effects));
                    },
                )
                .expect("scores");
        }
        assert_eq!(together, alone, "{kind}");
        if kind != ModelKind::OdooNb {
            // A number column holding text in the block's third row: that row is named.
            let column = model.schema.columns.iter().position(|c| c.name == "Employees").expect("a number column");
            let error = scorer
                .score_rows(
                    5,
                    |r, i| if r == 2 && i == column { Some("many") } else { cells[r][i] },
                    41,
                    &mut scratch,
                    |_, _, _| {},
                )
                .expect_err("text in a number column");
            assert!(error.to_string().contains("43"), "{kind}: {error}");
        }
    }
}

#[test]
fn regression_gbm_model_files_of_version_1_still_score_as_before() {
    // Version 1 files held forust-ml's booster. `gbm-forust-v1.model` was trained on the
    // fixture by the last build with forust (8 rounds) and `gbm-forust-v1.scores.csv` is what
    // that build's `sift score` wrote for the fixture: the file must still load and give the
    // same probabilities and factors.
    let text = include_str!("fixtures/gbm-forust-v1.model");
    assert!(text.contains(r#""format_version":1"#) && text.contains(r#""booster""#));
    let model = ModelFile::from_json(text).expect("a version 1 file loads");
    assert_eq!(model.format_version, sift_score::model::FORMAT_VERSION);
    let out = batch(&model, FIXTURE).expect("scores");
    let want = include_str!("fixtures/gbm-forust-v1.scores.csv");
    let (mut got, mut expected) = (csv::Reader::from_reader(out.as_bytes()), csv::Reader::from_reader(want.as_bytes()));
    let mut rows = 0;
    for (got, expected) in got.records().zip(expected.records()) {
        let (got, expected) = (got.expect("row"), expected.expect("row"));
        assert_eq!(got, expected, "row {rows}");
        rows += 1;
    }
    assert_eq!(rows, 80);
    // Saved again, it is a version 2 file that reads back the same.
    let again = ModelFile::from_json(&model.to_json().expect("json")).expect("reads");
    assert_eq!(again.to_json().expect("json"), model.to_json().expect("json"));
    assert!(!model.to_json().expect("json").contains("booster"));
}

/// A digest of every bit of the numbers it is fed (FNV-1a over their bit patterns).
fn bits_digest(numbers: impl IntoIterator<Item = f64>) -> u64 {
    numbers.into_iter().fold(0xcbf2_9ce4_8422_2325, |hash, x| {
        x.to_bits().to_le_bytes().iter().fold(hash, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
    })
}

#[test]
fn regression_gbm_scores_and_factors_stay_bit_for_bit() {
    // `gbm-v2.model` was trained by `sift train --model gbm --gbm-iterations 22` on a
    // generated set (numbers with gaps, booleans, text with rare levels; 22 trees, so the
    // last two are walked outside the groups of four) and `gbm-v2.scores.csv` is what `sift
    // score --top 50` wrote for `gbm-v2-input.csv` (unseen levels, empty rows) before batch
    // scoring was made faster. The output must not change by a byte, nor any probability or
    // factor by a bit.
    let model = ModelFile::from_json(include_str!("fixtures/gbm-v2.model")).expect("reads");
    let input = include_str!("fixtures/gbm-v2-input.csv");
    for threads in [1, 2] {
        let mut out = Vec::new();
        let options = BatchOptions { threads, top: 50, block_bytes: 1000, ..BatchOptions::default() };
        score_csv(&model, input.as_bytes(), &mut out, &options, &|_| {}).expect("scores");
        assert!(String::from_utf8(out).expect("utf8") == include_str!("fixtures/gbm-v2.scores.csv"), "output changed");
    }
    let table = Table::read(input.as_bytes()).expect("reads");
    let scorer = Scorer::new(&model, &table.headers).expect("fits");
    let mut scratch = Scratch::default();
    let mut numbers = Vec::new();
    for row in 0..table.rows {
        let cells: Vec<Option<&str>> = scorer.positions.iter().map(|&p| table.columns[p][row].as_deref()).collect();
        numbers.push(scorer.score(|i| cells[i], row + 1, &mut scratch).expect("scores"));
        numbers.extend(scratch.effects.iter().map(|&(_, effect)| effect));
    }
    assert_eq!(numbers.len(), 302 * 8);
    assert_eq!(bits_digest(numbers), DIGEST, "a probability or factor changed in its last bits");
}

/// [`bits_digest`] of the fixture's probabilities and factors, as the build before faster
/// batch scoring computed them.
const DIGEST: u64 = 15_773_463_710_203_236_323;

#[test]
fn regression_a_cell_cut_inside_a_character_is_named_with_its_row() {
    // The second record is valid UTF-8 as a whole (`w` + 0xC3 and 0xA9 + `x` join into an
    // `é`), but its `Source` ends and its `Industry` starts inside that character: the
    // first of them in the model's columns is named, with the row.
    let model = train(&fixture(), &options(ModelKind::Gbm)).expect("trains");
    let mut input =
        b"Lead ID,Source,Industry,Employees,Visits,Newsletter,Stage\nL-1,web,retail,12,3,Yes,new\n".to_vec();
    input.extend_from_slice(b"L-2,w\xc3,\xa9x,12,3,Yes,new\n");
    let first = model
        .required_columns()
        .into_iter()
        .find(|c| c == "Source" || c == "Industry")
        .expect("both are the model's columns");
    let options = BatchOptions { threads: 1, ..BatchOptions::default() };
    let error = score_csv(&model, input.as_slice(), &mut Vec::new(), &options, &|_| {}).expect_err("cut character");
    assert_eq!(error.to_string(), format!("cannot read the CSV: row 2, column `{first}`: not valid UTF-8"));
}

#[test]
fn batch_blocks_cut_only_between_records() {
    // Quoted newlines and quotes, blank lines, CRLF, a quote inside an unquoted field, a
    // last line without its newline: every block size gives the same rows in order.
    let model = train(&fixture(), &options(ModelKind::Logistic)).expect("trains");
    let mut csv = String::from("\u{feff}Lead ID,Source,Industry,Employees,Visits,Newsletter,Stage\r\n");
    for i in 0..40 {
        let industry = match i % 4 {
            0 => "\"Soft\nware, \"\"inc\"\"\"".to_string(),
            1 => "Retail".to_string(),
            2 => "5\" screens".to_string(),
            _ => "\"\"".to_string(),
        };
        csv.push_str(&format!("Q-{i:03},web,{industry},{},{},Yes,new\r\n", i * 3, i % 9));
        if i % 7 == 0 {
            csv.push_str("\r\n\n");
        }
    }
    csv.push_str("Q-LAST,ads,Retail,10,2,No,new");
    let reference = {
        let mut out = Vec::new();
        let options = BatchOptions { threads: 1, block_bytes: 1 << 20, ..BatchOptions::default() };
        let summary = score_csv(&model, csv.as_bytes(), &mut out, &options, &|_| {}).expect("scores");
        assert_eq!(summary.rows, 41);
        String::from_utf8(out).expect("utf8")
    };
    let ids: Vec<String> =
        csv::Reader::from_reader(reference.as_bytes()).records().map(|r| r.expect("row")[0].to_string()).collect();
    assert_eq!(ids.len(), 41);
    assert_eq!(ids[40], "Q-LAST");
    assert!(ids[..40].iter().enumerate().all(|(i, id)| *id == format!("Q-{i:03}")), "{ids:?}");
    for block_bytes in [64, 100, 257, 1000] {
        let mut out = Vec::new();
        let options = BatchOptions { threads: 3, block_bytes, ..BatchOptions::default() };
        score_csv(&model, csv.as_bytes(), &mut out, &options, &|_| {}).expect("scores");
        assert_eq!(String::from_utf8(out).expect("utf8"), reference, "block of {block_bytes} bytes");
    }
}

/// A numeric cell reads as a number after trimming, so its raw text may end in a line break
/// (a quoted `"6\n"`): a factor names the trimmed value, which batch output writes without
/// scanning it for bytes that ask for quotes, and every output row stays one record.
#[test]
fn a_numeric_value_with_a_line_break_keeps_each_output_row_one_record() {
    for kind in [ModelKind::Logistic, ModelKind::Gbm] {
        let model = train(&fixture(), &options(kind)).expect("trains");
        let mut lines = FIXTURE.lines();
        let header = lines.next().expect("header");
        let visits = header.split(',').position(|h| h == "Visits").expect("a Visits column");
        let rows: Vec<String> = lines
            .take(20)
            .map(|line| {
                let mut cells: Vec<String> = line.split(',').map(str::to_owned).collect();
                cells[visits] = format!("\"{}\n\"", cells[visits]);
                cells.join(",")
            })
            .collect();
        let input = format!("{header}\n{}\n", rows.join("\n"));
        let out = batch(&model, &input).expect("scores");
        let mut reader = csv::Reader::from_reader(out.as_bytes());
        let records: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("a whole record")).collect();
        assert_eq!(records.len(), 20, "{kind}: one output record per lead:\n{out}");
        assert!(records.iter().all(|r| r.len() == 5), "{kind}: five fields each:\n{out}");
        assert!(out.contains("Visits="), "{kind}: the visits are named as a factor somewhere:\n{out}");
    }
}

// ---------------------------------------------------------------------------------------
// Dates: columns of calendar dates read as days, clamped to the training range.

/// `rows` leads with a `Source`, an ISO `Engaged` date over 2019-2020 (as `date(i, day)`
/// writes it, `day` counted from 2019-01-01) and `Converted`, more often later in the period.
fn dated_leads(rows: usize, date: &dyn Fn(usize, i64) -> String) -> String {
    let mut r = Uniform(11);
    let mut csv = String::from("Source,Engaged,Converted\n");
    for i in 0..rows {
        let day = ((r.next() + 1.0) * 365.0) as i64;
        let u = (r.next() + 1.0) / 2.0;
        let converts = u < 0.2 + 0.6 * day as f64 / 730.0;
        let source = ["web", "event", "referral"][i % 3];
        csv.push_str(&format!("{source},{},{}\n", date(i, day), u8::from(converts)));
    }
    csv
}

/// `2019-01-01` 09:30 plus `day` days in `format` (chrono's).
fn day_text(day: i64, format: &str) -> String {
    let start = chrono::NaiveDate::from_ymd_opt(2019, 1, 1).and_then(|d| d.and_hms_opt(9, 30, 0)).expect("a date");
    (start + chrono::TimeDelta::days(day)).format(format).to_string()
}

fn kind_of(model: &ModelFile, column: &str) -> sift_score::features::ColumnKind {
    model.schema.columns.iter().find(|c| c.name == column).map(|c| c.kind.clone()).expect("column kept")
}

#[test]
fn date_columns_are_detected_in_the_order_the_column_settles() {
    use sift_score::dates::DateFormat;
    use sift_score::features::ColumnKind;
    let detected = |date: &dyn Fn(usize, i64) -> String| {
        let table = Table::read(dated_leads(300, date).as_bytes()).expect("reads");
        let model = train(&table, &options(ModelKind::Logistic)).unwrap_or_else(|e| panic!("{e}"));
        match kind_of(&model, "Engaged") {
            ColumnKind::Date { format, .. } => Some(format),
            _ => None,
        }
    };
    let iso = |_: usize, day: i64| day_text(day, "%Y-%m-%d");
    assert_eq!(detected(&iso), Some(DateFormat::YearFirst));
    assert_eq!(detected(&|_, day| day_text(day, "%Y-%m-%dT%H:%M:%SZ")), Some(DateFormat::YearFirst));
    assert_eq!(detected(&|_, day| day_text(day, "%d/%m/%Y")), Some(DateFormat::DayFirst));
    assert_eq!(detected(&|_, day| day_text(day, "%-m/%-d/%Y %-I:%M %p")), Some(DateFormat::MonthFirst));
    // Day and month both at most 12 everywhere: nothing settles the order, so it stays text.
    assert_eq!(detected(&|i, _| format!("{:02}/{:02}/2020", i % 12 + 1, i % 7 + 1)), None);
    // Dates mixed with text (a third of the rows) are text; so are dates in two orders.
    assert_eq!(detected(&|i, day| if i % 3 == 0 { "soon".into() } else { iso(i, day) }), None);
    assert_eq!(detected(&|i, day| day_text(day, if i % 2 == 0 { "%Y-%m-%d" } else { "%d/%m/%Y" })), None);
    // Missing dates are missing, not text.
    assert_eq!(detected(&|i, day| if i % 10 == 0 { String::new() } else { iso(i, day) }), Some(DateFormat::YearFirst));

    // Years and day numbers are numbers, not dates.
    let years = dated_leads(300, &|i, _| format!("{}", 1990 + i % 30));
    let model = train(&Table::read(years.as_bytes()).expect("reads"), &options(ModelKind::Logistic)).expect("trains");
    assert!(matches!(kind_of(&model, "Engaged"), ColumnKind::Numeric { boolean: false, .. }));
    let compact = dated_leads(300, &|_, day| day_text(day, "%Y%m%d"));
    let model = train(&Table::read(compact.as_bytes()).expect("reads"), &options(ModelKind::Logistic)).expect("trains");
    assert!(matches!(kind_of(&model, "Engaged"), ColumnKind::Numeric { .. }));

    // A few values that are not dates in a column of dates: an error naming the first, as
    // for numbers.
    let mut typo = dated_leads(300, &iso);
    typo.push_str("web,2020-02-30,1\n");
    check_train_error(
        &typo,
        ModelKind::Gbm,
        "column `Engaged` row 301: `2020-02-30` is not a date, but the column holds dates (100% of its values are \
         dates in the order YYYY-MM-DD)",
    );
}

#[test]
fn a_date_is_its_days_and_its_period_clamped_to_the_training_dates() {
    use sift_score::features::ColumnKind;
    let csv = dated_leads(400, &|i, day| if i % 50 == 7 { String::new() } else { day_text(day, "%Y-%m-%d") });
    let table = Table::read(csv.as_bytes()).expect("reads");
    for kind in [ModelKind::Logistic, ModelKind::Gbm] {
        let model = train(&table, &options(kind)).expect("trains");
        let ColumnKind::Date {
            first,
            last,
            median,
            mean,
            scale,
            feature,
            missing_indicator,
            period_edges,
            first_period_feature,
            slot,
            ..
        } = kind_of(&model, "Engaged")
        else {
            panic!("{kind}: not a date");
        };
        // Twenty periods of about 18 leads each, named by their first and last dates.
        assert_eq!(period_edges.len(), sift_score::features::DATE_BINS - 1, "{kind}");
        let names = &model.schema.feature_names[first_period_feature as usize..][..period_edges.len() + 1];
        assert!(names[0].starts_with(&format!("Engaged {}..", sift_score::dates::format_day(first))), "{names:?}");
        assert!(names[19].ends_with(&format!("..{}", sift_score::dates::format_day(last))), "{names:?}");
        let last_period = first_period_feature + period_edges.len() as u32;
        // 2019-01-01 is day 17,897 since 1970-01-01.
        assert!((17_897.0..=17_897.0 + 730.0).contains(&first) && last > first + 700.0, "{first} {last}");
        assert!(missing_indicator.is_some(), "{kind}: gaps get their indicator");
        assert!(model.report.metrics.auc > 0.65, "{kind}: the date carries the signal: {}", model.report.metrics.auc);
        let date = &model.report.date_columns;
        assert_eq!(date.len(), 1);
        assert_eq!((date[0].column.as_str(), date[0].format.as_str()), ("Engaged", "YYYY-MM-DD"));
        assert_eq!(date[0].last, sift_score::dates::format_day(last));
        assert!(date[0].note.contains("not extrapolated"), "{}", date[0].note);

        let scorer = Scorer::new(&model, &["Source".into(), "Engaged".into()]).expect("fits");
        let mut scratch = Scratch::default();
        let mut score = |engaged: Option<&str>| {
            // By the model's columns: the date (dense features come first), then the source.
            let input = [Some("web"), engaged];
            let cells: Vec<Option<&str>> = scorer.positions.iter().map(|&p| input[p]).collect();
            let p = scorer.score(|i| cells[i], 1, &mut scratch).expect("scores");
            // The encoded feature, as the encoder wrote it.
            let mut dense = vec![0.0; model.schema.n_dense];
            let mut onehot = vec![0; model.schema.n_categorical];
            model
                .schema
                .encoder()
                .encode(|i| cells[i], 1, &mut dense, &mut onehot, &mut Default::default())
                .expect("encodes");
            (p, dense[feature as usize], onehot[slot as usize])
        };
        let last_day = sift_score::dates::format_day(last);
        let (at_last, x_last, period) = score(Some(&last_day));
        assert_eq!((x_last, period), ((last - mean) / scale, last_period), "{kind}");
        // Later than every training date: scored as the last one, not extrapolated.
        for later in ["2031-06-30", "2021-01-01T09:30:00Z"] {
            assert_eq!(score(Some(later)), (at_last, x_last, last_period), "{kind}: {later}");
        }
        let first_day = sift_score::dates::format_day(first);
        assert_eq!(score(Some("1999-12-31")), score(Some(&first_day)), "{kind}");
        assert_eq!(score(Some("1999-12-31")).2, first_period_feature, "{kind}");
        let missing = score(None);
        assert_eq!((missing.1, missing.2), ((median - mean) / scale, u32::MAX), "{kind}: a missing date is the median");
        // In range, the days themselves (and a time of day counts as its fraction).
        assert_eq!(score(Some("2019-07-01")).1, (17_897.0 + 181.0 - mean) / scale, "{kind}");
        assert_eq!(score(Some("2019-07-01T12:00:00Z")).1, (17_897.0 + 181.5 - mean) / scale, "{kind}");

        // A bad date at scoring is an error naming the row and the column, as a bad number is.
        let error = batch(&model, "Source,Engaged\nweb,2020-01-05\nweb,2020-31-01\n").expect_err("bad date");
        assert_eq!(
            error.to_string(),
            "column `Engaged` row 2: `2020-31-01` is not a date in the order YYYY-MM-DD, and the model treats \
             `Engaged` as dates"
        );
        // Factors show the date as written.
        let out = batch(&model, "Source,Engaged\nweb,2020-12-01\nevent,2019-01-20\n").expect("scores");
        assert!(out.contains("Engaged=2020-12-01") && out.contains("Engaged=2019-01-20"), "{kind}: {out}");
    }
}

#[test]
fn date_models_round_trip_and_keep_their_kind_in_the_file() {
    let csv = dated_leads(300, &|_, day| day_text(day, "%d.%m.%Y"));
    let table = Table::read(csv.as_bytes()).expect("reads");
    for kind in [ModelKind::Logistic, ModelKind::Gbm] {
        let model = train(&table, &options(kind)).expect("trains");
        let json = model.to_json().expect("json");
        assert!(json.contains(r#""kind":"date","format":"day_first""#), "{kind}");
        let back = ModelFile::from_json(&json).expect("reads back");
        assert_eq!(back.schema, model.schema);
        assert_eq!(back.report.date_columns, model.report.date_columns);
        assert_eq!(back.to_json().expect("json"), json, "{kind}: stable round trip");
        let input = "Source,Engaged\nweb,01.02.2019\nevent,31.12.2020\nreferral,\n";
        assert_eq!(batch(&back, input).expect("scores"), batch(&model, input).expect("scores"), "{kind}");
        // A damaged range is refused on load.
        let mut value: serde_json::Value = serde_json::from_str(&json).expect("value");
        let column = value["schema"]["columns"]
            .as_array_mut()
            .and_then(|c| c.iter_mut().find(|c| c["kind"] == "date"))
            .expect("the date column");
        column["first"] = serde_json::json!(1e9);
        let error = ModelFile::from_json(&value.to_string()).err().expect("rejected");
        assert!(error.to_string().contains("column `Engaged` points outside the features"), "{error}");
    }
}

#[test]
fn timestamps_are_not_identifiers() {
    // Every lead engaged at its own second: distinct on every row, yet not an identifier.
    let csv = dated_leads(300, &|i, day| format!("{} 10:{:02}:{:02}", day_text(day, "%Y-%m-%d"), i / 60, i % 60));
    let model = train(&Table::read(csv.as_bytes()).expect("reads"), &options(ModelKind::Gbm)).expect("trains");
    assert!(model.report.columns_used.iter().any(|c| c == "Engaged"), "{:?}", model.report.dropped_columns);
    assert!(matches!(kind_of(&model, "Engaged"), sift_score::features::ColumnKind::Date { .. }));
}

#[test]
fn regression_models_written_before_dates_were_read_still_score_the_same() {
    // `dated-logistic-v2.model` and `dated-gbm-v2.model` were trained on `dated-leads.csv`
    // (ISO dates in `Engaged`, then read as text) by the build before the date kind, and
    // `dated-*-v2.scores.csv` are what its `sift score --top 5` wrote for
    // `dated-leads-input.csv` (training dates, later and earlier ones, a missing one, one
    // with a time). They must still load, keep `Engaged` as text, and score to the byte.
    let input = include_str!("fixtures/dated-leads-input.csv");
    for (model, want) in [
        (include_str!("fixtures/dated-logistic-v2.model"), include_str!("fixtures/dated-logistic-v2.scores.csv")),
        (include_str!("fixtures/dated-gbm-v2.model"), include_str!("fixtures/dated-gbm-v2.scores.csv")),
    ] {
        let model = ModelFile::from_json(model).expect("an old file loads");
        assert!(matches!(kind_of(&model, "Engaged"), sift_score::features::ColumnKind::Categorical { .. }));
        assert!(model.report.date_columns.is_empty());
        let mut out = Vec::new();
        let options = BatchOptions { threads: 1, top: 5, ..BatchOptions::default() };
        score_csv(&model, input.as_bytes(), &mut out, &options, &|_| {}).expect("scores");
        assert_eq!(String::from_utf8(out).expect("utf8"), want, "{}", model.kind);
    }
    // Trained now, the same column is read as dates.
    let table = Table::read(include_str!("fixtures/dated-leads.csv").as_bytes()).expect("reads");
    let model = train(&table, &options(ModelKind::Logistic)).expect("trains");
    assert!(matches!(kind_of(&model, "Engaged"), sift_score::features::ColumnKind::Date { .. }));
}
