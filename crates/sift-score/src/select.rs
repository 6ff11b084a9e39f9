//! `auto`: the model kind chosen on the data.
//!
//! The candidate kinds are cross-validated on the same folds (see [`candidates`]). The one
//! with the highest AUC wins, except that a simpler candidate within [`NEAR_TIE_MARGIN`] of
//! the best wins the near-tie: a difference that small is below what five folds of a few
//! thousand leads can tell apart, and the simpler model is easier to read and faster.
//! Simpler means earlier in [`SIMPLER_FIRST`]. The winner is then calibrated and fitted on
//! every row like any other kind; [`Selection`] keeps the table it was chosen from and the
//! reason in words.

use serde::{Deserialize, Serialize};

use crate::metrics::{Metrics, round4};
use crate::model::ModelKind;
use crate::train::TrainOptions;

/// The metric candidates are compared on: AUC of the out-of-fold predictions.
pub const METRIC: &str = "auc";
/// A simpler candidate this close to the best AUC is chosen instead.
pub const NEAR_TIE_MARGIN: f64 = 0.002;
/// The kinds from the simplest: logistic (one weight per feature), odoo-nb (frequency
/// counts), gbm (a hundred trees).
pub const SIMPLER_FIRST: [ModelKind; 3] = [ModelKind::Logistic, ModelKind::OdooNb, ModelKind::Gbm];

/// How `auto` chose: the candidates, each with its figures on the shared folds, and why.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Selection {
    /// The metric compared (`auc`, cross-validated on the same folds for every candidate).
    pub metric: String,
    /// Near-ties: a simpler candidate within this much of the best AUC is chosen.
    pub margin: f64,
    pub chosen: ModelKind,
    /// The choice in words.
    pub reason: String,
    /// Every model kind: trained candidates first, best AUC first; then those that could
    /// not be trained or were not candidates, with the reason.
    pub candidates: Vec<Candidate>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Candidate {
    pub kind: ModelKind,
    /// Out-of-fold figures before calibration (absent when the kind was not trained).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metrics: Option<Metrics>,
    /// Time spent fitting over the folds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cv_fit_seconds: Option<f64>,
    pub chosen: bool,
    /// Why it was or was not chosen, or why it was not trained.
    pub note: String,
}

/// What happened to one kind.
pub(crate) enum Outcome {
    Trained {
        metrics: Metrics,
        fit_seconds: f64,
    },
    /// It could not learn from this data (no usable column for it, say).
    Failed(String),
    NotCandidate(String),
}

/// The kinds `auto` cross-validates for these options, and those it leaves out, with why.
/// odoo-nb is a candidate only on Odoo data: a team, stage or tag column given, or an Odoo
/// lead export (which only odoo-nb reads).
pub(crate) fn candidates(options: &TrainOptions) -> (Vec<ModelKind>, Vec<(ModelKind, String)>) {
    if options.odoo_export {
        let why = "an Odoo lead export is read by odoo-nb only".to_string();
        return (vec![ModelKind::OdooNb], vec![(ModelKind::Logistic, why.clone()), (ModelKind::Gbm, why)]);
    }
    let odoo = &options.odoo;
    if odoo.team_column.is_some() || odoo.stage_column.is_some() || odoo.tag_column.is_some() {
        return (vec![ModelKind::Logistic, ModelKind::Gbm, ModelKind::OdooNb], Vec::new());
    }
    let why = "Odoo's model is for Odoo data: give its team, stage or tag column (--odoo-team, --odoo-stage, \
               --odoo-tags) or an Odoo lead export (--odoo-export)";
    (vec![ModelKind::Logistic, ModelKind::Gbm], vec![(ModelKind::OdooNb, why.to_string())])
}

fn simplicity(kind: ModelKind) -> usize {
    SIMPLER_FIRST.iter().position(|&k| k == kind).unwrap_or(SIMPLER_FIRST.len())
}

/// What each kind is, for the reason.
fn described(kind: ModelKind) -> &'static str {
    match kind {
        ModelKind::Logistic => "a linear model: one weight per feature, factors read straight off the weights",
        ModelKind::OdooNb => "Odoo's own frequency counts",
        ModelKind::Gbm => "boosted trees, which catch interactions and thresholds a linear model misses",
    }
}

fn calibration_sentence(kind: ModelKind) -> &'static str {
    match kind {
        ModelKind::OdooNb => {
            "Its probability is Odoo's own and is not recalibrated (the calibration table shows how far off it is)."
        }
        _ => {
            "Its probabilities are Platt-scaled on its out-of-fold predictions, so a score of 70 means about 70% of \
             such leads convert."
        }
    }
}

/// Chooses among the trained candidates (`None` when none was trained).
pub(crate) fn choose(outcomes: Vec<(ModelKind, Outcome)>) -> Option<Selection> {
    let mut trained: Vec<(ModelKind, Metrics, f64)> = Vec::new();
    let mut others: Vec<Candidate> = Vec::new();
    for (kind, outcome) in outcomes {
        match outcome {
            Outcome::Trained { metrics, fit_seconds } => trained.push((kind, metrics, fit_seconds)),
            Outcome::Failed(why) => others.push(Candidate {
                kind,
                metrics: None,
                cv_fit_seconds: None,
                chosen: false,
                note: format!("not trained: {why}"),
            }),
            Outcome::NotCandidate(why) => others.push(Candidate {
                kind,
                metrics: None,
                cv_fit_seconds: None,
                chosen: false,
                note: format!("not a candidate: {why}"),
            }),
        }
    }
    // Best AUC first; equal AUCs simpler first.
    trained.sort_by(|a, b| b.1.auc.total_cmp(&a.1.auc).then(simplicity(a.0).cmp(&simplicity(b.0))));
    let (best_kind, best_auc) = trained.first().map(|(k, m, _)| (*k, m.auc))?;
    let near = |auc: f64| best_auc - auc <= NEAR_TIE_MARGIN + 1e-9;
    let (chosen, chosen_auc) = trained
        .iter()
        .filter(|(_, m, _)| near(m.auc))
        .min_by_key(|(k, _, _)| simplicity(*k))
        .map(|(k, m, _)| (*k, m.auc))?;
    let margin = NEAR_TIE_MARGIN;
    let runner_up = trained.iter().find(|(k, _, _)| *k != chosen).map(|(k, m, _)| (*k, m.auc));
    let choice = if chosen != best_kind {
        format!(
            "{chosen} is chosen: its cross-validated AUC, {chosen_auc:.4}, is within {margin} of the best, \
             {best_kind}'s {best_auc:.4} (a difference of {:.4}, too small for the folds to tell apart), and a near-tie \
             goes to the simpler model: {}.",
            round4(best_auc - chosen_auc),
            described(chosen)
        )
    } else {
        match runner_up {
            None => format!(
                "{chosen} is chosen: it is the only candidate that could be trained on this data (cross-validated \
                 AUC {chosen_auc:.4}); {}.",
                described(chosen)
            ),
            Some((other, other_auc)) if other_auc == chosen_auc => format!(
                "{chosen} is chosen: it ties with {other} on cross-validated AUC ({chosen_auc:.4}) and is the simpler \
                 model: {}.",
                described(chosen)
            ),
            Some((other, other_auc)) if simplicity(chosen) < simplicity(other) => format!(
                "{chosen} is chosen: it has the highest cross-validated AUC, {chosen_auc:.4} against {other_auc:.4} \
                 for {other}, and is the simpler model: {}.",
                described(chosen)
            ),
            Some((other, other_auc)) => format!(
                "{chosen} is chosen: its cross-validated AUC, {chosen_auc:.4}, beats {other}'s {other_auc:.4} by \
                 {:.4}, more than the {margin} margin within which the simpler {other} would have been preferred; \
                 it is {}.",
                round4(chosen_auc - other_auc),
                described(chosen)
            ),
        }
    };
    let reason = format!(
        "Candidates compared on AUC, cross-validated on the same folds. {choice} {}",
        calibration_sentence(chosen)
    );
    let mut candidates: Vec<Candidate> = trained
        .into_iter()
        .map(|(kind, metrics, fit_seconds)| {
            let difference = round4(chosen_auc - metrics.auc);
            let note = if kind == chosen {
                "chosen".to_string()
            } else if metrics.auc > chosen_auc {
                format!(
                    "AUC {:.4} higher than {chosen}, within the {margin} margin: the simpler model is preferred",
                    -difference
                )
            } else if near(metrics.auc) && simplicity(kind) > simplicity(chosen) {
                format!("within the {margin} margin of {chosen} but not simpler")
            } else {
                format!("AUC {difference:.4} below {chosen}")
            };
            Candidate {
                kind,
                metrics: Some(metrics),
                cv_fit_seconds: Some(round4(fit_seconds)),
                chosen: kind == chosen,
                note,
            }
        })
        .collect();
    candidates.append(&mut others);
    Some(Selection { metric: METRIC.to_string(), margin, chosen, reason, candidates })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn metrics(auc: f64) -> Metrics {
        Metrics { auc, log_loss: 0.5, brier: 0.2, top_decile_precision: 0.5, top_decile_lift: 1.5 }
    }

    /// `aucs`: the trained kinds and their AUCs; `expected`: the chosen kind and words its
    /// reason must hold.
    fn check(aucs: &[(ModelKind, f64)], expected: ModelKind, words: &[&str]) {
        let outcomes = aucs
            .iter()
            .map(|&(k, auc)| (k, Outcome::Trained { metrics: metrics(auc), fit_seconds: 0.1 }))
            .chain([(ModelKind::OdooNb, Outcome::NotCandidate("not odoo data".into()))])
            .collect();
        let selection = choose(outcomes).expect("a choice");
        assert_eq!(selection.chosen, expected, "{aucs:?}: {}", selection.reason);
        for word in words {
            assert!(selection.reason.contains(word), "{aucs:?}: `{word}` not in {}", selection.reason);
        }
        assert_eq!(selection.candidates.len(), aucs.len() + 1, "every kind listed");
        assert_eq!(selection.candidates.iter().filter(|c| c.chosen).count(), 1);
        assert!(selection.candidates.last().is_some_and(|c| c.note.starts_with("not a candidate")));
    }

    #[test]
    fn the_best_auc_wins_beyond_the_margin_and_near_ties_go_to_the_simpler_model() {
        use ModelKind::{Gbm, Logistic};
        check(&[(Logistic, 0.8897), (Gbm, 0.9110)], Gbm, &["beats logistic's 0.8897 by 0.0213", "Platt"]);
        check(&[(Logistic, 0.8130), (Gbm, 0.8120)], Logistic, &["highest", "simpler model"]);
        check(&[(Logistic, 0.8121), (Gbm, 0.8135)], Logistic, &["within 0.002", "gbm's 0.8135", "near-tie"]);
        check(&[(Logistic, 0.8115), (Gbm, 0.8135)], Logistic, &["within 0.002"]);
        check(&[(Logistic, 0.8114), (Gbm, 0.8135)], Gbm, &["by 0.0021"]);
        check(&[(Gbm, 0.70), (Logistic, 0.70)], Logistic, &["ties with gbm", "simpler"]);
        check(&[(Gbm, 0.75)], Gbm, &["only candidate"]);
    }

    #[test]
    fn odoo_nb_is_a_candidate_only_on_odoo_data() {
        let mut options = TrainOptions::new("won", crate::ModelChoice::Auto);
        assert_eq!(candidates(&options).0, [ModelKind::Logistic, ModelKind::Gbm]);
        options.odoo.team_column = Some("team".into());
        assert_eq!(candidates(&options).0, [ModelKind::Logistic, ModelKind::Gbm, ModelKind::OdooNb]);
        options.odoo_export = true;
        assert_eq!(candidates(&options).0, [ModelKind::OdooNb]);
    }

    #[test]
    fn an_untrainable_candidate_is_listed_with_its_reason() {
        let outcomes = vec![
            (ModelKind::Logistic, Outcome::Failed("nothing left to learn from".into())),
            (ModelKind::OdooNb, Outcome::Trained { metrics: metrics(0.6), fit_seconds: 0.1 }),
        ];
        let selection = choose(outcomes).expect("a choice");
        assert_eq!(selection.chosen, ModelKind::OdooNb);
        assert!(selection.reason.contains("not recalibrated"), "{}", selection.reason);
        assert_eq!(selection.candidates[1].note, "not trained: nothing left to learn from");
        assert!(choose(vec![(ModelKind::Gbm, Outcome::Failed("x".into()))]).is_none());
    }
}
