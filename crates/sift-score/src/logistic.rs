//! L2-regularised logistic regression fitted by Newton's method.
//!
//! The objective is scikit-learn's: `C * sum(log loss) + ||w||^2 / 2`, intercept not
//! penalised, so the two reach the same optimum. The design is sparse (a few dense
//! features plus one active one-hot feature per categorical column), so each Newton step
//! costs `rows * active^2` and a small Cholesky solve: a handful of milliseconds.

use serde::{Deserialize, Serialize};

use crate::error::{Result, ScoreError};
use crate::features::{Encoded, NONE};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Logistic {
    pub intercept: f64,
    pub weights: Vec<f64>,
    /// Inverse regularisation strength, as in scikit-learn.
    pub c: f64,
}

pub fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 { 1.0 / (1.0 + (-z).exp()) } else { z.exp() / (1.0 + z.exp()) }
}

/// `log(1 + exp(z))` without overflow.
fn softplus(z: f64) -> f64 {
    if z > 0.0 { z + (-z).exp().ln_1p() } else { z.exp().ln_1p() }
}

impl Logistic {
    /// The log-odds of one encoded row.
    pub fn decision(&self, dense: &[f64], onehot: &[u32]) -> f64 {
        let mut z = self.intercept;
        for (w, x) in self.weights.iter().zip(dense) {
            z += w * x;
        }
        for &f in onehot {
            if f != NONE {
                z += self.weights[f as usize];
            }
        }
        z
    }

    pub fn fit(x: &Encoded, y: &[bool], c: f64) -> Result<Logistic> {
        let p = x.n_features + 1; // parameter 0 is the intercept
        let mut theta = vec![0.0; p];
        let base = y.iter().filter(|&&v| v).count() as f64 / y.len().max(1) as f64;
        theta[0] = (base / (1.0 - base)).ln();
        let objective = |theta: &[f64]| -> f64 {
            let model = Logistic { intercept: theta[0], weights: theta[1..].to_vec(), c };
            let mut loss = 0.0;
            for (row, &won) in y.iter().enumerate().take(x.rows) {
                let z = model.decision(x.dense_row(row), x.onehot_row(row));
                loss += if won { softplus(-z) } else { softplus(z) };
            }
            c * loss + 0.5 * theta[1..].iter().map(|w| w * w).sum::<f64>()
        };
        let mut current = objective(&theta);
        let mut active: Vec<(usize, f64)> = Vec::with_capacity(1 + x.n_dense + x.n_categorical);
        for _ in 0..100 {
            let model = Logistic { intercept: theta[0], weights: theta[1..].to_vec(), c };
            let mut gradient = vec![0.0; p];
            let mut hessian = vec![0.0; p * p];
            for (row, &won) in y.iter().enumerate().take(x.rows) {
                active.clear();
                active.push((0, 1.0));
                active.extend(x.dense_row(row).iter().enumerate().map(|(f, &v)| (f + 1, v)));
                active.extend(x.onehot_row(row).iter().filter(|&&f| f != NONE).map(|&f| (f as usize + 1, 1.0)));
                let z = model.decision(x.dense_row(row), x.onehot_row(row));
                let prob = sigmoid(z);
                let residual = c * (prob - if won { 1.0 } else { 0.0 });
                let weight = c * prob * (1.0 - prob);
                for (i, &(a, va)) in active.iter().enumerate() {
                    gradient[a] += residual * va;
                    let scaled = weight * va;
                    for &(b, vb) in &active[i..] {
                        hessian[a * p + b] += scaled * vb;
                    }
                }
            }
            for j in 1..p {
                gradient[j] += theta[j];
                hessian[j * p + j] += 1.0;
            }
            // Mirror the upper triangle (rows' active features are sorted ascending).
            for a in 0..p {
                for b in 0..a {
                    hessian[a * p + b] = hessian[b * p + a];
                }
            }
            hessian[0] += 1e-10;
            let step = cholesky_solve(&mut hessian, &gradient, p)
                .ok_or_else(|| ScoreError::Training("the Newton system is singular".into()))?;
            let mut t = 1.0;
            let mut improved = false;
            let mut candidate = theta.clone();
            for _ in 0..30 {
                for j in 0..p {
                    candidate[j] = theta[j] - t * step[j];
                }
                let value = objective(&candidate);
                if value.is_finite() && value <= current + 1e-12 * current.abs() {
                    let decrease = current - value;
                    theta.clone_from(&candidate);
                    current = value;
                    improved = decrease > 1e-10 * current.abs().max(1.0);
                    break;
                }
                t *= 0.5;
            }
            let largest = step.iter().fold(0.0f64, |m, s| m.max(s.abs())) * t;
            if !improved || largest < 1e-8 {
                break;
            }
        }
        Ok(Logistic { intercept: theta[0], weights: theta[1..].to_vec(), c })
    }
}

/// Solves `A x = b` for a symmetric positive-definite `A` (row-major, overwritten).
fn cholesky_solve(a: &mut [f64], b: &[f64], n: usize) -> Option<Vec<f64>> {
    for j in 0..n {
        let mut d = a[j * n + j];
        for k in 0..j {
            d -= a[j * n + k] * a[j * n + k];
        }
        if d <= 0.0 || !d.is_finite() {
            return None;
        }
        let d = d.sqrt();
        a[j * n + j] = d;
        for i in j + 1..n {
            let mut s = a[i * n + j];
            for k in 0..j {
                s -= a[i * n + k] * a[j * n + k];
            }
            a[i * n + j] = s / d;
        }
    }
    let mut x = b.to_vec();
    for i in 0..n {
        let mut s = x[i];
        for k in 0..i {
            s -= a[i * n + k] * x[k];
        }
        x[i] = s / a[i * n + i];
    }
    for i in (0..n).rev() {
        let mut s = x[i];
        for k in i + 1..n {
            s -= a[k * n + i] * x[k];
        }
        x[i] = s / a[i * n + i];
    }
    Some(x)
}
