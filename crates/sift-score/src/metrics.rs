//! Evaluation: AUC, log loss, Brier score, top-decile precision and lift, calibration.

use serde::{Deserialize, Serialize};

use crate::logistic::sigmoid;

/// Area under the ROC curve (ties count half), `None` with a single class.
pub fn auc(y: &[bool], p: &[f64]) -> Option<f64> {
    let mut order: Vec<usize> = (0..p.len()).collect();
    order.sort_by(|&a, &b| p[a].total_cmp(&p[b]));
    let positives = y.iter().filter(|&&v| v).count() as f64;
    let negatives = y.len() as f64 - positives;
    if positives == 0.0 || negatives == 0.0 {
        return None;
    }
    let mut rank_sum = 0.0;
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && p[order[j + 1]] == p[order[i]] {
            j += 1;
        }
        let mid_rank = (i + j) as f64 / 2.0 + 1.0;
        rank_sum += order[i..=j].iter().filter(|&&k| y[k]).count() as f64 * mid_rank;
        i = j + 1;
    }
    Some((rank_sum - positives * (positives + 1.0) / 2.0) / (positives * negatives))
}

pub fn log_loss(y: &[bool], p: &[f64]) -> f64 {
    let eps = 1e-15;
    y.iter()
        .zip(p)
        .map(|(&y, &p)| {
            let p = p.clamp(eps, 1.0 - eps);
            if y { -p.ln() } else { -(1.0 - p).ln() }
        })
        .sum::<f64>()
        / y.len().max(1) as f64
}

pub fn brier(y: &[bool], p: &[f64]) -> f64 {
    y.iter().zip(p).map(|(&y, &p)| (p - if y { 1.0 } else { 0.0 }).powi(2)).sum::<f64>() / y.len().max(1) as f64
}

/// Precision among the top tenth of scores, and its lift over the base rate.
pub fn top_decile(y: &[bool], p: &[f64]) -> (f64, f64) {
    let mut order: Vec<usize> = (0..p.len()).collect();
    order.sort_by(|&a, &b| p[b].total_cmp(&p[a]));
    let k = p.len().div_ceil(10).max(1);
    let hits = order[..k.min(order.len())].iter().filter(|&&i| y[i]).count() as f64;
    let precision = hits / k as f64;
    let base = y.iter().filter(|&&v| v).count() as f64 / y.len().max(1) as f64;
    (precision, if base > 0.0 { precision / base } else { 0.0 })
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CalibrationBin {
    /// Scores from `low` (inclusive) to `high` (exclusive, inclusive for the last bin), 0-100.
    pub low: u32,
    pub high: u32,
    pub leads: usize,
    /// Mean predicted probability in the bin.
    pub predicted: f64,
    /// Share of the bin's leads that converted.
    pub observed: f64,
}

/// Ten equal-width bins of predicted probability.
pub fn calibration_table(y: &[bool], p: &[f64]) -> Vec<CalibrationBin> {
    let mut sums = [(0usize, 0.0f64, 0usize); 10];
    for (&y, &p) in y.iter().zip(p) {
        let bin = ((p * 10.0).floor() as usize).min(9);
        sums[bin].0 += 1;
        sums[bin].1 += p;
        sums[bin].2 += usize::from(y);
    }
    sums.iter()
        .enumerate()
        .filter(|(_, s)| s.0 > 0)
        .map(|(i, &(n, sum, pos))| CalibrationBin {
            low: i as u32 * 10,
            high: i as u32 * 10 + 10,
            leads: n,
            predicted: round4(sum / n as f64),
            observed: round4(pos as f64 / n as f64),
        })
        .collect()
}

/// Platt scaling: `p' = sigmoid(a * logit(p) + b)`, fitted on out-of-fold predictions so a
/// score of 70 means about 70% of such leads convert.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Platt {
    pub a: f64,
    pub b: f64,
}

pub fn logit(p: f64) -> f64 {
    let p = p.clamp(1e-12, 1.0 - 1e-12);
    (p / (1.0 - p)).ln()
}

impl Platt {
    pub fn apply(&self, p: f64) -> f64 {
        sigmoid(self.a * logit(p) + self.b)
    }

    pub fn fit(y: &[bool], p: &[f64]) -> Platt {
        let z: Vec<f64> = p.iter().map(|&p| logit(p)).collect();
        let loss = |a: f64, b: f64| -> f64 {
            y.iter()
                .zip(&z)
                .map(|(&y, &z)| {
                    let t = a * z + b;
                    let softplus = |t: f64| if t > 0.0 { t + (-t).exp().ln_1p() } else { t.exp().ln_1p() };
                    if y { softplus(-t) } else { softplus(t) }
                })
                .sum()
        };
        let (mut a, mut b) = (1.0, 0.0);
        for _ in 0..50 {
            let (mut ga, mut gb, mut haa, mut hab, mut hbb) = (0.0, 0.0, 1e-6, 0.0, 1e-6);
            for (&y, &z) in y.iter().zip(&z) {
                let q = sigmoid(a * z + b);
                let r = q - if y { 1.0 } else { 0.0 };
                let w = q * (1.0 - q);
                ga += r * z;
                gb += r;
                haa += w * z * z;
                hab += w * z;
                hbb += w;
            }
            let det = haa * hbb - hab * hab;
            if det.abs() < 1e-18 {
                break;
            }
            let da = (hbb * ga - hab * gb) / det;
            let db = (haa * gb - hab * ga) / det;
            // Newton with step halving: the plain step overshoots on well-separated data.
            let current = loss(a, b);
            let mut t = 1.0;
            while t > 1e-6 && loss(a - t * da, b - t * db) > current {
                t *= 0.5;
            }
            a -= t * da;
            b -= t * db;
            if (t * da).abs() < 1e-10 && (t * db).abs() < 1e-10 {
                break;
            }
        }
        // A degenerate fit (e.g. every prediction equal) keeps the predictions as they are.
        if a.is_finite() && b.is_finite() && a.abs() < 100.0 && b.abs() < 100.0 {
            Platt { a, b }
        } else {
            Platt { a: 1.0, b: 0.0 }
        }
    }
}

pub fn round4(v: f64) -> f64 {
    (v * 10_000.0).round() / 10_000.0
}

/// The evaluation figures of one set of predictions.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Metrics {
    pub auc: f64,
    pub log_loss: f64,
    pub brier: f64,
    pub top_decile_precision: f64,
    pub top_decile_lift: f64,
}

impl Metrics {
    pub fn compute(y: &[bool], p: &[f64]) -> Metrics {
        let (precision, lift) = top_decile(y, p);
        Metrics {
            auc: round4(auc(y, p).unwrap_or(0.5)),
            log_loss: round4(log_loss(y, p)),
            brier: round4(brier(y, p)),
            top_decile_precision: round4(precision),
            top_decile_lift: round4(lift),
        }
    }
}
