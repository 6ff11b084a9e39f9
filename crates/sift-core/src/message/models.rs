//! The English of a scoring model's report (`sift-score`): how `auto` chose the model, why
//! each candidate was or was not chosen, and why columns were left out.
//!
//! Arguments: model kinds by their names (`logistic`, `gbm`, `odoo-nb`); AUCs, margins and
//! differences formatted as the English shows them; `choice`, `calibration`, `why` and
//! `reason` nested messages; `columns` and `detail` as written.

use super::Message;

impl Message {
    /// A `model.*` code in English, or `None` for one this version does not know.
    pub(super) fn model_english(&self) -> Option<String> {
        let a = |key: &str| self.en(key);
        let text = match self.code.as_str() {
            "model.selection" => format!(
                "Candidates compared on AUC, cross-validated on the same folds. {} {}",
                a("choice"),
                a("calibration")
            ),
            // Why `chosen` won (`auc`: its cross-validated AUC).
            "model.choice.near_tie" => format!(
                "{0} is chosen: its cross-validated AUC, {1}, is within {2} of the best, {3}'s {4} (a difference of \
                 {5}, too small for the folds to tell apart), and a near-tie goes to the simpler model: {6}.",
                a("chosen"),
                a("auc"),
                a("margin"),
                a("best"),
                a("best_auc"),
                a("difference"),
                described(self.text("chosen")?)?
            ),
            "model.choice.only" => format!(
                "{} is chosen: it is the only candidate that could be trained on this data (cross-validated AUC {}); \
                 {}.",
                a("chosen"),
                a("auc"),
                described(self.text("chosen")?)?
            ),
            "model.choice.tie" => format!(
                "{} is chosen: it ties with {} on cross-validated AUC ({}) and is the simpler model: {}.",
                a("chosen"),
                a("other"),
                a("auc"),
                described(self.text("chosen")?)?
            ),
            "model.choice.simpler" => format!(
                "{} is chosen: it has the highest cross-validated AUC, {} against {} for {}, and is the simpler \
                 model: {}.",
                a("chosen"),
                a("auc"),
                a("other_auc"),
                a("other"),
                described(self.text("chosen")?)?
            ),
            "model.choice.beats" => format!(
                "{0} is chosen: its cross-validated AUC, {1}, beats {2}'s {3} by {4}, more than the {5} margin within \
                 which the simpler {2} would have been preferred; it is {6}.",
                a("chosen"),
                a("auc"),
                a("other"),
                a("other_auc"),
                a("difference"),
                a("margin"),
                described(self.text("chosen")?)?
            ),
            "model.calibration.platt" => "Its probabilities are Platt-scaled on its out-of-fold predictions, so a \
                                          score of 70 means about 70% of such leads convert."
                .to_owned(),
            "model.calibration.odoo" => "Its probability is Odoo's own and is not recalibrated (the calibration \
                                         table shows how far off it is)."
                .to_owned(),
            // Each candidate against the chosen one (`chosen`, `difference`, `margin`).
            "model.candidate.chosen" => "chosen".to_owned(),
            "model.candidate.higher" => format!(
                "AUC {} higher than {}, within the {} margin: the simpler model is preferred",
                a("difference"),
                a("chosen"),
                a("margin")
            ),
            "model.candidate.not_simpler" => {
                format!("within the {} margin of {} but not simpler", a("margin"), a("chosen"))
            }
            "model.candidate.below" => format!("AUC {} below {}", a("difference"), a("chosen")),
            "model.candidate.not_trained" => format!("not trained: {}", a("why")),
            "model.candidate.not_candidate" => format!("not a candidate: {}", a("why")),
            "model.not_candidate.odoo_export" => "an Odoo lead export is read by odoo-nb only".to_owned(),
            "model.not_candidate.not_odoo" => "Odoo's model is for Odoo data: give its team, stage or tag column \
                                               (--odoo-team, --odoo-stage, --odoo-tags) or an Odoo lead export \
                                               (--odoo-export)"
                .to_owned(),
            // Why a kind could not be trained (the library's error, said the same way).
            "model.error.no_features" => "every column was excluded or dropped: nothing left to learn from".to_owned(),
            "model.error.only_leaky" => format!(
                "every column left is flagged by the leakage guard ({}): nothing honest to learn from (--keep-leaky \
                 learns from them anyway)",
                a("columns")
            ),
            "model.error.training" => format!("training failed: {}", a("detail")),
            // A column read as dates, its training dates from `first` to `last`.
            "model.date.range" => format!(
                "read as dates from {} to {}; a later date scores as {} does, an earlier one as {} (not extrapolated)",
                a("first"),
                a("last"),
                a("last"),
                a("first")
            ),
            // Why a column was left out.
            "model.dropped.no_header" => "column without a header".to_owned(),
            "model.dropped.identifier" => {
                format!("identifier-like: {} distinct values in {} rows", a("distinct"), a("rows"))
            }
            "model.dropped.not_odoo_field" => "not one of Odoo's lead scoring fields".to_owned(),
            "model.dropped.leaky" => {
                format!("left out by the leakage guard: {} (keep it with --keep-leaky)", a("reason"))
            }
            // Why the leakage guard flags a column (`auc`: its own AUC).
            "model.leakage.post_outcome" => {
                "usually filled in after the outcome is known (sales notes, post-contact fields)".to_owned()
            }
            "model.leakage.predicts" => format!(
                "predicts the label almost perfectly on its own (AUC {}): check it is known before the outcome",
                a("auc")
            ),
            // An Odoo stage that holds the outcome: `declared` (`yes`: the won stage given),
            // `won_in` of `won` won leads, `lost_in` of `lost` lost leads.
            "model.leakage.stage" => {
                let what =
                    if self.text("declared") == Some("yes") { "the won stage" } else { "the stage of the won leads" };
                format!(
                    "{what}: it holds {} of {} won leads and {} of {} lost leads, so a closed lead's stage gives its \
                     outcome away; it is not counted as a stage, and a lead in it scores 100 as in Odoo",
                    a("won_in"),
                    a("won"),
                    a("lost_in"),
                    a("lost")
                )
            }
            _ => return None,
        };
        Some(text)
    }
}

/// What each model kind is, in English.
fn described(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "logistic" => "a linear model: one weight per feature, factors read straight off the weights",
        "odoo-nb" => "Odoo's own frequency counts",
        "gbm" => "boosted trees, which catch interactions and thresholds a linear model misses",
        _ => return None,
    })
}
