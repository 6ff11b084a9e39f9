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
use sift_core::Message;

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
    /// `reason` as a message (`model.selection`), so a reader can say it in its own
    /// language; absent from reports kept before codes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason_message: Option<Message>,
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
    /// `note` as a message (`model.candidate.*`); absent from reports kept before codes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note_message: Option<Message>,
}

impl Candidate {
    fn new(kind: ModelKind, metrics: Option<Metrics>, cv_fit_seconds: Option<f64>, note: Message) -> Candidate {
        Candidate { kind, metrics, cv_fit_seconds, chosen: false, note: note.english(), note_message: Some(note) }
    }
}

/// What happened to one kind.
pub(crate) enum Outcome {
    Trained {
        metrics: Metrics,
        fit_seconds: f64,
    },
    /// It could not learn from this data (no usable column for it, say).
    Failed(Message),
    NotCandidate(Message),
}

/// The kinds `auto` cross-validates for these options, and those it leaves out, with why.
/// odoo-nb is a candidate only on Odoo data: a team, stage or tag column given, or an Odoo
/// lead export (which only odoo-nb reads).
pub(crate) fn candidates(options: &TrainOptions) -> (Vec<ModelKind>, Vec<(ModelKind, Message)>) {
    if options.odoo_export {
        let why = Message::new("model.not_candidate.odoo_export");
        return (vec![ModelKind::OdooNb], vec![(ModelKind::Logistic, why.clone()), (ModelKind::Gbm, why)]);
    }
    let odoo = &options.odoo;
    if odoo.team_column.is_some() || odoo.stage_column.is_some() || odoo.tag_column.is_some() {
        return (vec![ModelKind::Logistic, ModelKind::Gbm, ModelKind::OdooNb], Vec::new());
    }
    let why = Message::new("model.not_candidate.not_odoo");
    (vec![ModelKind::Logistic, ModelKind::Gbm], vec![(ModelKind::OdooNb, why)])
}

fn simplicity(kind: ModelKind) -> usize {
    SIMPLER_FIRST.iter().position(|&k| k == kind).unwrap_or(SIMPLER_FIRST.len())
}

/// How the chosen kind's probabilities are calibrated, as the reason's last sentence.
fn calibration(kind: ModelKind) -> Message {
    match kind {
        ModelKind::OdooNb => Message::new("model.calibration.odoo"),
        _ => Message::new("model.calibration.platt"),
    }
}

/// Chooses among the trained candidates (`None` when none was trained).
pub(crate) fn choose(outcomes: Vec<(ModelKind, Outcome)>) -> Option<Selection> {
    let mut trained: Vec<(ModelKind, Metrics, f64)> = Vec::new();
    let mut others: Vec<Candidate> = Vec::new();
    for (kind, outcome) in outcomes {
        match outcome {
            Outcome::Trained { metrics, fit_seconds } => trained.push((kind, metrics, fit_seconds)),
            Outcome::Failed(why) => others.push(Candidate::new(
                kind,
                None,
                None,
                Message::new("model.candidate.not_trained").with_message("why", why),
            )),
            Outcome::NotCandidate(why) => others.push(Candidate::new(
                kind,
                None,
                None,
                Message::new("model.candidate.not_candidate").with_message("why", why),
            )),
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
    let auc4 = |auc: f64| format!("{auc:.4}");
    let choice = if chosen != best_kind {
        Message::new("model.choice.near_tie")
            .with("chosen", chosen.name())
            .with("auc", auc4(chosen_auc))
            .with("margin", margin.to_string())
            .with("best", best_kind.name())
            .with("best_auc", auc4(best_auc))
            .with("difference", auc4(round4(best_auc - chosen_auc)))
    } else {
        let said = |code: &str| Message::new(code).with("chosen", chosen.name()).with("auc", auc4(chosen_auc));
        match runner_up {
            None => said("model.choice.only"),
            Some((other, other_auc)) if other_auc == chosen_auc => said("model.choice.tie").with("other", other.name()),
            Some((other, other_auc)) if simplicity(chosen) < simplicity(other) => {
                said("model.choice.simpler").with("other", other.name()).with("other_auc", auc4(other_auc))
            }
            Some((other, other_auc)) => said("model.choice.beats")
                .with("other", other.name())
                .with("other_auc", auc4(other_auc))
                .with("difference", auc4(round4(chosen_auc - other_auc)))
                .with("margin", margin.to_string()),
        }
    };
    let reason =
        Message::new("model.selection").with_message("choice", choice).with_message("calibration", calibration(chosen));
    let mut candidates: Vec<Candidate> = trained
        .into_iter()
        .map(|(kind, metrics, fit_seconds)| {
            let difference = round4(chosen_auc - metrics.auc);
            let against = |code: &str| Message::new(code).with("chosen", chosen.name());
            let note = if kind == chosen {
                Message::new("model.candidate.chosen")
            } else if metrics.auc > chosen_auc {
                against("model.candidate.higher")
                    .with("difference", auc4(-difference))
                    .with("margin", margin.to_string())
            } else if near(metrics.auc) && simplicity(kind) > simplicity(chosen) {
                against("model.candidate.not_simpler").with("margin", margin.to_string())
            } else {
                against("model.candidate.below").with("difference", auc4(difference))
            };
            Candidate { chosen: kind == chosen, ..Candidate::new(kind, Some(metrics), Some(round4(fit_seconds)), note) }
        })
        .collect();
    candidates.append(&mut others);
    Some(Selection {
        metric: METRIC.to_string(),
        margin,
        chosen,
        reason: reason.english(),
        reason_message: Some(reason),
        candidates,
    })
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
            .chain([(ModelKind::OdooNb, Outcome::NotCandidate(Message::new("model.not_candidate.not_odoo")))])
            .collect();
        let selection = choose(outcomes).expect("a choice");
        assert_eq!(selection.chosen, expected, "{aucs:?}: {}", selection.reason);
        for word in words {
            assert!(selection.reason.contains(word), "{aucs:?}: `{word}` not in {}", selection.reason);
        }
        assert_eq!(selection.candidates.len(), aucs.len() + 1, "every kind listed");
        assert_eq!(selection.candidates.iter().filter(|c| c.chosen).count(), 1);
        assert!(selection.candidates.last().is_some_and(|c| c.note.starts_with("not a candidate")));
        // Every text is its message's English, so a reader can say it in another language.
        assert_eq!(selection.reason_message.as_ref().map(Message::english).as_deref(), Some(selection.reason.as_str()));
        for c in &selection.candidates {
            assert_eq!(c.note_message.as_ref().map(Message::english).as_deref(), Some(c.note.as_str()));
        }
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
            (ModelKind::Logistic, Outcome::Failed(Message::new("model.error.no_features"))),
            (ModelKind::OdooNb, Outcome::Trained { metrics: metrics(0.6), fit_seconds: 0.1 }),
        ];
        let selection = choose(outcomes).expect("a choice");
        assert_eq!(selection.chosen, ModelKind::OdooNb);
        assert!(selection.reason.contains("not recalibrated"), "{}", selection.reason);
        assert_eq!(
            selection.candidates[1].note,
            "not trained: every column was excluded or dropped: nothing left to learn from"
        );
        assert!(choose(vec![(ModelKind::Gbm, Outcome::Failed(Message::new("model.error.no_features")))]).is_none());
    }
}
