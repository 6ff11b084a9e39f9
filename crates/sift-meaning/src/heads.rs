//! Classifier heads over sentence embeddings: multinomial logistic regression on standardised
//! features, L2-regularised, trained full-batch by accelerated proximal-free gradient descent
//! (FISTA with adaptive restart, step from a power-iteration bound on the curvature), with a
//! temperature fitted on out-of-fold predictions so the probabilities are calibrated.
//!
//! Why this and not a network: a few hundred labelled exchanges per head is far too little for
//! anything with many more parameters than a linear map from the embedding, the problem is
//! convex (one answer for a given regularisation, no seeds), and each weight can be read.

use serde::{Deserialize, Serialize};

use crate::error::MeaningModelError;

/// A trained head: `p = softmax((W · ((x - mean) * scale) + b) / temperature)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SoftmaxHead {
    /// Class names, in the order of the rows of `weights`.
    pub classes: Vec<String>,
    pub mean: Vec<f32>,
    pub scale: Vec<f32>,
    /// One row per class, `dim` columns.
    pub weights: Vec<Vec<f32>>,
    pub bias: Vec<f32>,
    pub temperature: f32,
}

impl SoftmaxHead {
    pub fn dim(&self) -> usize {
        self.mean.len()
    }

    /// Checks that the sizes agree and every number is finite; the message says what is wrong.
    pub fn validate(&self) -> Result<(), String> {
        let k = self.classes.len();
        let d = self.mean.len();
        if k < 2 {
            return Err(format!("a head needs at least two classes, found {k}"));
        }
        if d == 0 || self.scale.len() != d {
            return Err(format!("`mean` has {d} values and `scale` {}", self.scale.len()));
        }
        if self.weights.len() != k || self.bias.len() != k {
            return Err(format!("{k} classes but {} weight rows and {} biases", self.weights.len(), self.bias.len()));
        }
        if let Some(row) = self.weights.iter().position(|row| row.len() != d) {
            return Err(format!("weight row {row} has {} values, expected {d}", self.weights[row].len()));
        }
        let all = self.mean.iter().chain(&self.scale).chain(self.weights.iter().flatten()).chain(&self.bias);
        if all.clone().any(|v| !v.is_finite()) {
            return Err("a weight is not a finite number".to_owned());
        }
        if !(self.temperature.is_finite() && self.temperature > 0.0) {
            return Err(format!("`temperature` must be positive, found {}", self.temperature));
        }
        Ok(())
    }

    /// Raw scores (before temperature). `x` must have `dim()` values.
    pub fn logits(&self, x: &[f32]) -> Vec<f64> {
        let z: Vec<f64> =
            x.iter().zip(&self.mean).zip(&self.scale).map(|((v, m), s)| f64::from(v - m) * f64::from(*s)).collect();
        self.weights
            .iter()
            .zip(&self.bias)
            .map(|(row, b)| row.iter().zip(&z).map(|(w, v)| f64::from(*w) * v).sum::<f64>() + f64::from(*b))
            .collect()
    }

    /// Calibrated class probabilities, in the order of `classes`.
    pub fn probabilities(&self, x: &[f32]) -> Vec<f64> {
        softmax(&self.logits(x), f64::from(self.temperature))
    }

    /// The most probable class and its probability.
    pub fn predict(&self, x: &[f32]) -> (usize, f64) {
        argmax(&self.probabilities(x))
    }
}

pub fn softmax(logits: &[f64], temperature: f64) -> Vec<f64> {
    let max = logits.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let exp: Vec<f64> = logits.iter().map(|z| ((z - max) / temperature).exp()).collect();
    let sum: f64 = exp.iter().sum();
    exp.into_iter().map(|e| e / sum).collect()
}

pub fn argmax(values: &[f64]) -> (usize, f64) {
    values
        .iter()
        .copied()
        .enumerate()
        .fold((0, f64::NEG_INFINITY), |best, (i, v)| if v > best.1 { (i, v) } else { best })
}

/// How to train one head.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrainConfig {
    /// L2 penalty on the weights (the objective is the mean loss plus `l2 / 2 * |W|^2`).
    pub l2: f64,
    /// Weight each class by `n / (classes * n_class)` so rare classes count as much as common ones.
    pub balanced: bool,
    pub max_iterations: usize,
    /// Stop when no parameter moves by more than `tolerance * step` in an iteration (a gradient
    /// of about `tolerance`).
    pub tolerance: f64,
}

impl Default for TrainConfig {
    fn default() -> Self {
        Self { l2: 0.01, balanced: true, max_iterations: 3000, tolerance: 1e-5 }
    }
}

/// Column means and inverse standard deviations of the training rows.
pub fn standardiser(x: &[Vec<f32>]) -> (Vec<f32>, Vec<f32>) {
    let d = x.first().map_or(0, Vec::len);
    let n = x.len().max(1) as f64;
    let mut mean = vec![0f64; d];
    for row in x {
        for (m, v) in mean.iter_mut().zip(row) {
            *m += f64::from(*v) / n;
        }
    }
    let mut var = vec![0f64; d];
    for row in x {
        for ((s, v), m) in var.iter_mut().zip(row).zip(&mean) {
            *s += (f64::from(*v) - m).powi(2) / n;
        }
    }
    let scale = var.iter().map(|v| (1.0 / v.sqrt().max(1e-6)) as f32).collect();
    (mean.into_iter().map(|m| m as f32).collect(), scale)
}

/// Trains a head on rows `x` with class indices `y` (each below `classes.len()`).
pub fn fit(
    x: &[Vec<f32>],
    y: &[usize],
    classes: &[String],
    config: &TrainConfig,
) -> Result<SoftmaxHead, MeaningModelError> {
    let k = classes.len();
    let d = x.first().map_or(0, Vec::len);
    if x.is_empty() || x.len() != y.len() {
        return Err(MeaningModelError::Training(format!("{} rows and {} labels", x.len(), y.len())));
    }
    if k < 2 || y.iter().any(|&c| c >= k) {
        return Err(MeaningModelError::Training(format!("labels must be below the {k} classes")));
    }
    if x.iter().any(|row| row.len() != d) {
        return Err(MeaningModelError::Training("rows of different lengths".to_owned()));
    }
    let (mean, scale) = standardiser(x);
    let z: Vec<Vec<f64>> = x
        .iter()
        .map(|row| row.iter().zip(&mean).zip(&scale).map(|((v, m), s)| f64::from(v - m) * f64::from(*s)).collect())
        .collect();
    let sample_weights = sample_weights(y, k, config.balanced);
    let (w, b) = minimise(&z, y, &sample_weights, k, config);
    Ok(SoftmaxHead {
        classes: classes.to_vec(),
        mean,
        scale,
        weights: w.chunks(d.max(1)).map(|row| row.iter().map(|v| *v as f32).collect()).collect(),
        bias: b.iter().map(|v| *v as f32).collect(),
        temperature: 1.0,
    })
}

/// Per-sample weights normalised to sum to one.
fn sample_weights(y: &[usize], k: usize, balanced: bool) -> Vec<f64> {
    let mut counts = vec![0usize; k];
    for &c in y {
        counts[c] += 1;
    }
    let raw: Vec<f64> = y.iter().map(|&c| if balanced { 1.0 / counts[c] as f64 } else { 1.0 }).collect();
    let total: f64 = raw.iter().sum();
    raw.into_iter().map(|w| w / total).collect()
}

/// Gradient of the weighted mean cross-entropy plus the L2 term at (w, b); w is k x d row-major.
fn gradient(z: &[Vec<f64>], y: &[usize], sw: &[f64], k: usize, l2: f64, w: &[f64], b: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let d = z.first().map_or(0, Vec::len);
    let mut gw: Vec<f64> = w.iter().map(|v| l2 * v).collect();
    let mut gb = vec![0f64; k];
    let mut scores = vec![0f64; k];
    for ((row, &label), &weight) in z.iter().zip(y).zip(sw) {
        for (c, score) in scores.iter_mut().enumerate() {
            *score = b[c] + w[c * d..(c + 1) * d].iter().zip(row).map(|(a, v)| a * v).sum::<f64>();
        }
        let p = softmax(&scores, 1.0);
        for c in 0..k {
            let r = weight * (p[c] - if c == label { 1.0 } else { 0.0 });
            gb[c] += r;
            for (g, v) in gw[c * d..(c + 1) * d].iter_mut().zip(row) {
                *g += r * v;
            }
        }
    }
    (gw, gb)
}

/// Largest eigenvalue of sum_i sw_i [z_i;1][z_i;1]^T by power iteration (a curvature bound).
fn curvature_bound(z: &[Vec<f64>], sw: &[f64]) -> f64 {
    let d = z.first().map_or(0, Vec::len) + 1;
    let mut v = vec![1.0 / (d as f64).sqrt(); d];
    let mut lambda = 1.0;
    for _ in 0..50 {
        let mut next = vec![0f64; d];
        for (row, &weight) in z.iter().zip(sw) {
            let dot = row.iter().zip(&v).map(|(a, b)| a * b).sum::<f64>() + v[d - 1];
            for (n, a) in next.iter_mut().zip(row) {
                *n += weight * dot * a;
            }
            next[d - 1] += weight * dot;
        }
        let norm = next.iter().map(|a| a * a).sum::<f64>().sqrt();
        if norm == 0.0 {
            break;
        }
        lambda = norm;
        v = next.into_iter().map(|a| a / norm).collect();
    }
    lambda
}

fn minimise(z: &[Vec<f64>], y: &[usize], sw: &[f64], k: usize, config: &TrainConfig) -> (Vec<f64>, Vec<f64>) {
    let d = z.first().map_or(0, Vec::len);
    // The softmax cross-entropy Hessian is at most 1/2 times the weighted second moment; the
    // margin of 1.1 covers the power iteration stopping short of the top eigenvalue.
    let lipschitz = 0.5 * curvature_bound(z, sw) * 1.1 + config.l2;
    let step = 1.0 / lipschitz;
    let mut w = vec![0f64; k * d];
    let mut b = vec![0f64; k];
    let (mut yw, mut yb) = (w.clone(), b.clone());
    let mut t = 1.0f64;
    for _ in 0..config.max_iterations {
        let (gw, gb) = gradient(z, y, sw, k, config.l2, &yw, &yb);
        let next_w: Vec<f64> = yw.iter().zip(&gw).map(|(a, g)| a - step * g).collect();
        let next_b: Vec<f64> = yb.iter().zip(&gb).map(|(a, g)| a - step * g).collect();
        let moved = next_w.iter().zip(&w).chain(next_b.iter().zip(&b)).map(|(a, c)| (a - c).abs()).fold(0.0, f64::max);
        // Adaptive restart (O'Donoghue and Candes): drop the momentum when it points uphill.
        let uphill = gw.iter().zip(next_w.iter().zip(&w)).map(|(g, (n, o))| g * (n - o)).sum::<f64>()
            + gb.iter().zip(next_b.iter().zip(&b)).map(|(g, (n, o))| g * (n - o)).sum::<f64>();
        let t_next = if uphill > 0.0 { 1.0 } else { (1.0 + (1.0 + 4.0 * t * t).sqrt()) / 2.0 };
        let momentum = if uphill > 0.0 { 0.0 } else { (t - 1.0) / t_next };
        yw = next_w.iter().zip(&w).map(|(n, o)| n + momentum * (n - o)).collect();
        yb = next_b.iter().zip(&b).map(|(n, o)| n + momentum * (n - o)).collect();
        w = next_w;
        b = next_b;
        t = t_next;
        if moved < config.tolerance * step {
            break;
        }
    }
    (w, b)
}

/// The temperature that minimises the negative log-likelihood of `labels` under
/// `softmax(logits / T)` (golden-section search over log T in [1/20, 20]).
pub fn fit_temperature(logits: &[Vec<f64>], labels: &[usize]) -> f64 {
    let nll = |log_t: f64| -> f64 {
        let t = log_t.exp();
        logits.iter().zip(labels).map(|(z, &c)| -softmax(z, t)[c].max(1e-300).ln()).sum::<f64>()
    };
    let (mut lo, mut hi) = (-(20f64.ln()), 20f64.ln());
    let ratio = (5f64.sqrt() - 1.0) / 2.0;
    let mut a = hi - ratio * (hi - lo);
    let mut c = lo + ratio * (hi - lo);
    let (mut fa, mut fc) = (nll(a), nll(c));
    for _ in 0..60 {
        if fa < fc {
            hi = c;
            c = a;
            fc = fa;
            a = hi - ratio * (hi - lo);
            fa = nll(a);
        } else {
            lo = a;
            a = c;
            fa = fc;
            c = lo + ratio * (hi - lo);
            fc = nll(c);
        }
    }
    ((lo + hi) / 2.0).exp()
}

/// Out-of-fold raw logits: for each fold id, a head trained on the other folds scores the rows
/// of that fold. `folds[i]` is the fold of row i.
pub fn out_of_fold_logits(
    x: &[Vec<f32>],
    y: &[usize],
    folds: &[usize],
    classes: &[String],
    config: &TrainConfig,
) -> Result<Vec<Vec<f64>>, MeaningModelError> {
    let mut out = vec![Vec::new(); x.len()];
    let mut fold_ids: Vec<usize> = folds.to_vec();
    fold_ids.sort_unstable();
    fold_ids.dedup();
    for fold in fold_ids {
        let train: Vec<usize> = (0..x.len()).filter(|&i| folds[i] != fold).collect();
        let tx: Vec<Vec<f32>> = train.iter().map(|&i| x[i].clone()).collect();
        let ty: Vec<usize> = train.iter().map(|&i| y[i]).collect();
        if ty.is_empty() {
            return Err(MeaningModelError::Training("a fold leaves no training rows".to_owned()));
        }
        let head = fit(&tx, &ty, classes, config)?;
        for i in (0..x.len()).filter(|&i| folds[i] == fold) {
            out[i] = head.logits(&x[i]);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small deterministic generator (xorshift) for synthetic data.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> f64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 >> 11) as f64 / (1u64 << 53) as f64
        }
        fn normal(&mut self) -> f64 {
            let (u, v) = (self.next().max(1e-12), self.next());
            (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
        }
    }

    fn classes(k: usize) -> Vec<String> {
        (0..k).map(|c| format!("c{c}")).collect()
    }

    /// Three Gaussian blobs in 5 dimensions, centres 3 apart on the first axes.
    fn blobs(n_per: &[usize], spread: f64, seed: u64) -> (Vec<Vec<f32>>, Vec<usize>) {
        let mut rng = Rng(seed);
        let (mut x, mut y) = (Vec::new(), Vec::new());
        for (c, &n) in n_per.iter().enumerate() {
            for _ in 0..n {
                let row = (0..5).map(|j| (if j == c { 3.0 } else { 0.0 } + spread * rng.normal()) as f32).collect();
                x.push(row);
                y.push(c);
            }
        }
        (x, y)
    }

    fn accuracy(head: &SoftmaxHead, x: &[Vec<f32>], y: &[usize]) -> f64 {
        x.iter().zip(y).filter(|(row, c)| head.predict(row).0 == **c).count() as f64 / y.len() as f64
    }

    #[test]
    fn softmax_sums_to_one_and_temperature_flattens() {
        let p = softmax(&[2.0, 1.0, -1.0], 1.0);
        assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        let flat = softmax(&[2.0, 1.0, -1.0], 5.0);
        assert!(flat[0] < p[0] && flat[2] > p[2]);
        // Large logits do not overflow.
        let big = softmax(&[1000.0, 999.0], 1.0);
        assert!((big[0] - 1.0 / (1.0 + (-1f64).exp())).abs() < 1e-12);
    }

    #[test]
    fn separable_blobs_are_learned_and_the_solution_is_stationary() {
        let (x, y) = blobs(&[40, 40, 40], 0.5, 7);
        let config = TrainConfig { l2: 0.01, balanced: false, max_iterations: 5000, tolerance: 1e-9 };
        let head = fit(&x, &y, &classes(3), &config).unwrap();
        head.validate().unwrap();
        assert_eq!(accuracy(&head, &x, &y), 1.0);
        // At the optimum the gradient of the objective vanishes.
        let z: Vec<Vec<f64>> = x
            .iter()
            .map(|r| r.iter().zip(&head.mean).zip(&head.scale).map(|((v, m), s)| f64::from((v - m) * s)).collect())
            .collect();
        let w: Vec<f64> = head.weights.iter().flatten().map(|v| f64::from(*v)).collect();
        let b: Vec<f64> = head.bias.iter().map(|v| f64::from(*v)).collect();
        let (gw, gb) = gradient(&z, &y, &sample_weights(&y, 3, false), 3, 0.01, &w, &b);
        let largest = gw.iter().chain(&gb).map(|g| g.abs()).fold(0.0, f64::max);
        assert!(largest < 1e-5, "gradient {largest}");
    }

    #[test]
    fn a_stronger_penalty_shrinks_the_weights() {
        let (x, y) = blobs(&[30, 30, 30], 1.0, 3);
        let norm = |l2: f64| {
            let config = TrainConfig { l2, ..TrainConfig::default() };
            let head = fit(&x, &y, &classes(3), &config).unwrap();
            head.weights.iter().flatten().map(|v| f64::from(v * v)).sum::<f64>()
        };
        assert!(norm(1.0) < norm(0.1) && norm(0.1) < norm(0.01));
    }

    #[test]
    fn balancing_raises_the_recall_of_a_rare_class() {
        let (x, y) = blobs(&[200, 200, 12], 1.6, 11);
        let recall = |balanced: bool| {
            let config = TrainConfig { l2: 0.05, balanced, ..TrainConfig::default() };
            let head = fit(&x, &y, &classes(3), &config).unwrap();
            let rare: Vec<_> = x.iter().zip(&y).filter(|(_, c)| **c == 2).collect();
            rare.iter().filter(|(row, _)| head.predict(row).0 == 2).count() as f64 / rare.len() as f64
        };
        assert!(recall(true) > recall(false), "balanced {} plain {}", recall(true), recall(false));
    }

    #[test]
    fn the_fitted_temperature_recovers_the_one_that_made_the_labels() {
        let mut rng = Rng(5);
        let mut logits = Vec::new();
        let mut labels = Vec::new();
        for _ in 0..4000 {
            let z: Vec<f64> = (0..3).map(|_| 3.0 * rng.normal()).collect();
            let p = softmax(&z, 2.0);
            let u = rng.next();
            let label = if u < p[0] {
                0
            } else if u < p[0] + p[1] {
                1
            } else {
                2
            };
            logits.push(z);
            labels.push(label);
        }
        let t = fit_temperature(&logits, &labels);
        assert!((t - 2.0).abs() < 0.2, "temperature {t}");
    }

    #[test]
    fn out_of_fold_logits_never_see_their_own_rows() {
        // Labels that are pure noise: a head that saw a row would fit it; out of fold it cannot.
        let mut rng = Rng(9);
        let x: Vec<Vec<f32>> = (0..60).map(|_| (0..40).map(|_| rng.normal() as f32).collect()).collect();
        let y: Vec<usize> = (0..60).map(|i| i % 2).collect();
        let folds: Vec<usize> = (0..60).map(|i| i % 3).collect();
        let config = TrainConfig { l2: 1e-4, balanced: false, max_iterations: 3000, tolerance: 1e-8 };
        let seen = fit(&x, &y, &classes(2), &config).unwrap();
        assert!(accuracy(&seen, &x, &y) > 0.95);
        let oof = out_of_fold_logits(&x, &y, &folds, &classes(2), &config).unwrap();
        let right = oof.iter().zip(&y).filter(|(z, c)| argmax(z).0 == **c).count();
        assert!(right < 42, "{right} of 60 right out of fold on noise");
    }

    #[test]
    fn bad_input_and_bad_heads_are_refused() {
        assert!(fit(&[], &[], &classes(2), &TrainConfig::default()).is_err());
        assert!(fit(&[vec![1.0]], &[2], &classes(2), &TrainConfig::default()).is_err());
        assert!(fit(&[vec![1.0], vec![1.0, 2.0]], &[0, 1], &classes(2), &TrainConfig::default()).is_err());
        let (x, y) = blobs(&[5, 5, 5], 0.5, 1);
        let head = fit(&x, &y, &classes(3), &TrainConfig::default()).unwrap();
        let mut short = head.clone();
        short.weights[1].pop();
        assert_eq!(short.validate().unwrap_err(), "weight row 1 has 4 values, expected 5");
        let mut hot = head.clone();
        hot.temperature = 0.0;
        assert!(hot.validate().unwrap_err().contains("temperature"));
        let mut nan = head;
        nan.bias[0] = f32::NAN;
        assert!(nan.validate().is_err());
    }
}
