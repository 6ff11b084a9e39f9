//! Classification figures: accuracy, macro-F1, recall per class, and a confusion matrix.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scores {
    pub n: usize,
    pub accuracy: f64,
    /// Mean F1 over the classes present in the truth or the predictions.
    pub macro_f1: f64,
    /// Recall of each class (None when the class never occurs in the truth).
    pub recall: Vec<Option<f64>>,
    /// `confusion[truth][predicted]`.
    pub confusion: Vec<Vec<usize>>,
}

pub fn score(truth: &[usize], predicted: &[usize], classes: usize) -> Scores {
    let mut confusion = vec![vec![0usize; classes]; classes];
    for (&t, &p) in truth.iter().zip(predicted) {
        if t < classes && p < classes {
            confusion[t][p] += 1;
        }
    }
    let n = truth.len();
    let right: usize = (0..classes).map(|c| confusion[c][c]).sum();
    let mut f1s = Vec::new();
    let mut recall = Vec::new();
    for c in 0..classes {
        let actual: usize = confusion[c].iter().sum();
        let called: usize = confusion.iter().map(|row| row[c]).sum();
        recall.push((actual > 0).then(|| confusion[c][c] as f64 / actual as f64));
        if actual + called > 0 {
            f1s.push(2.0 * confusion[c][c] as f64 / (actual + called) as f64);
        }
    }
    Scores {
        n,
        accuracy: if n == 0 { 0.0 } else { right as f64 / n as f64 },
        macro_f1: if f1s.is_empty() { 0.0 } else { f1s.iter().sum::<f64>() / f1s.len() as f64 },
        recall,
        confusion,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_match_a_hand_count() {
        // truth:     0 0 0 1 1 2
        // predicted: 0 0 1 1 0 2
        let s = score(&[0, 0, 0, 1, 1, 2], &[0, 0, 1, 1, 0, 2], 3);
        assert_eq!(s.n, 6);
        assert!((s.accuracy - 4.0 / 6.0).abs() < 1e-12);
        // F1: class 0 = 2*2/(3+3) = 2/3; class 1 = 2*1/(2+2) = 1/2; class 2 = 1.
        assert!((s.macro_f1 - (2.0 / 3.0 + 0.5 + 1.0) / 3.0).abs() < 1e-12);
        assert_eq!(s.recall, vec![Some(2.0 / 3.0), Some(0.5), Some(1.0)]);
        assert_eq!(s.confusion, vec![vec![2, 1, 0], vec![1, 1, 0], vec![0, 0, 1]]);
    }

    #[test]
    fn a_constant_guess_scores_as_the_majority_baseline() {
        let s = score(&[0, 0, 0, 1], &[0, 0, 0, 0], 3);
        assert!((s.accuracy - 0.75).abs() < 1e-12);
        // class 0: 2*3/(3+4) = 6/7; class 1: 0; class 2 absent everywhere: not counted.
        assert!((s.macro_f1 - (6.0 / 7.0) / 2.0).abs() < 1e-12);
        assert_eq!(s.recall[2], None);
    }
}
