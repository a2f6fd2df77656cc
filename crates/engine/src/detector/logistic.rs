//! L2-regularised logistic regression on standardised features, fitted by Newton's
//! method (a fixed number of steps, so the same data always gives the same model),
//! and the ROC AUC used to judge it.

use serde::{Deserialize, Serialize};

/// A fitted model: standardisation, weights and intercept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Logistic {
    /// Feature means of the training data.
    pub mean: Vec<f64>,
    /// Feature standard deviations of the training data.
    pub scale: Vec<f64>,
    /// Weights on the standardised features.
    pub weights: Vec<f64>,
    /// Intercept.
    pub bias: f64,
}

/// Newton steps; the loss is convex and smooth, 30 is far more than it needs.
const STEPS: usize = 30;

impl Logistic {
    /// Fits `ys` (true: AI-generated) on `xs` with ridge penalty `lambda`.
    pub fn fit(xs: &[Vec<f64>], ys: &[bool], lambda: f64) -> Logistic {
        let n = xs.len().max(1);
        let d = xs.first().map_or(0, Vec::len);
        let mean: Vec<f64> = (0..d).map(|k| xs.iter().map(|x| x[k]).sum::<f64>() / n as f64).collect();
        let scale: Vec<f64> = (0..d)
            .map(|k| {
                let v = xs.iter().map(|x| (x[k] - mean[k]).powi(2)).sum::<f64>() / n as f64;
                if v > 1e-12 { v.sqrt() } else { 1.0 }
            })
            .collect();
        let z: Vec<Vec<f64>> = xs
            .iter()
            .map(|x| {
                let mut row: Vec<f64> = (0..d).map(|k| (x[k] - mean[k]) / scale[k]).collect();
                row.push(1.0);
                row
            })
            .collect();
        // Balance the classes so the smaller one is not ignored.
        let pos = ys.iter().filter(|&&y| y).count().max(1) as f64;
        let neg = ys.iter().filter(|&&y| !y).count().max(1) as f64;
        let weight = |y: bool| if y { n as f64 / (2.0 * pos) } else { n as f64 / (2.0 * neg) };
        let mut w = vec![0f64; d + 1];
        for _ in 0..STEPS {
            let mut grad = vec![0f64; d + 1];
            let mut hess = vec![vec![0f64; d + 1]; d + 1];
            for (row, &y) in z.iter().zip(ys) {
                let p = sigmoid(dot(row, &w));
                let c = weight(y);
                let g = c * (p - if y { 1.0 } else { 0.0 });
                let h = c * p * (1.0 - p);
                for i in 0..=d {
                    grad[i] += g * row[i];
                    for j in 0..=d {
                        hess[i][j] += h * row[i] * row[j];
                    }
                }
            }
            // The intercept is not penalised.
            for i in 0..d {
                grad[i] += lambda * w[i];
                hess[i][i] += lambda;
            }
            hess[d][d] += 1e-9;
            let Some(step) = solve(hess, grad) else { break };
            for i in 0..=d {
                w[i] -= step[i];
            }
        }
        let bias = w.pop().unwrap_or(0.0);
        Logistic { mean, scale, weights: w, bias }
    }

    /// The probability that a picture with features `x` is AI-generated.
    pub fn probability(&self, x: &[f64]) -> f64 {
        let s: f64 = x
            .iter()
            .zip(&self.mean)
            .zip(&self.scale)
            .zip(&self.weights)
            .map(|(((v, m), s), w)| (v - m) / s * w)
            .sum();
        sigmoid(s + self.bias)
    }
}

fn sigmoid(v: f64) -> f64 {
    1.0 / (1.0 + (-v).exp())
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Solves `a x = b` by Gaussian elimination with partial pivoting.
fn solve(mut a: Vec<Vec<f64>>, mut b: Vec<f64>) -> Option<Vec<f64>> {
    let n = b.len();
    for col in 0..n {
        let pivot = (col..n).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if a[pivot][col].abs() < 1e-12 {
            return None;
        }
        a.swap(col, pivot);
        b.swap(col, pivot);
        let (top, rest) = a.split_at_mut(col + 1);
        let pivot_row = &top[col];
        for (offset, row) in rest.iter_mut().enumerate() {
            let f = row[col] / pivot_row[col];
            for (x, p) in row[col..].iter_mut().zip(&pivot_row[col..]) {
                *x -= f * p;
            }
            b[col + 1 + offset] -= f * b[col];
        }
    }
    let mut x = vec![0f64; n];
    for row in (0..n).rev() {
        let s: f64 = (row + 1..n).map(|k| a[row][k] * x[k]).sum();
        x[row] = (b[row] - s) / a[row][row];
    }
    Some(x)
}

/// ROC AUC of scores for positives and negatives (ties count half); `None` without both.
pub fn auc(positives: &[f64], negatives: &[f64]) -> Option<f64> {
    if positives.is_empty() || negatives.is_empty() {
        return None;
    }
    let mut wins = 0f64;
    for p in positives {
        for n in negatives {
            wins += if p > n { 1.0 } else if p == n { 0.5 } else { 0.0 };
        }
    }
    Some(wins / (positives.len() * negatives.len()) as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separable_classes_are_separated_and_the_fit_is_repeatable() {
        let xs: Vec<Vec<f64>> = (0..40)
            .map(|i| vec![i as f64 + if i % 2 == 0 { 50.0 } else { 0.0 }, (i % 7) as f64])
            .collect();
        let ys: Vec<bool> = (0..40).map(|i| i % 2 == 0).collect();
        let m = Logistic::fit(&xs, &ys, 1.0);
        assert_eq!(m, Logistic::fit(&xs, &ys, 1.0), "the same data gives the same model");
        let (pos, neg): (Vec<_>, Vec<_>) = xs.iter().zip(&ys).partition(|(_, y)| **y);
        let p: Vec<f64> = pos.iter().map(|(x, _)| m.probability(x)).collect();
        let n: Vec<f64> = neg.iter().map(|(x, _)| m.probability(x)).collect();
        assert_eq!(auc(&p, &n), Some(1.0));
        assert!(p.iter().all(|&v| v > 0.5) && n.iter().all(|&v| v < 0.5));
    }

    #[test]
    fn auc_counts_ties_as_half() {
        assert_eq!(auc(&[0.5], &[0.5]), Some(0.5));
        assert_eq!(auc(&[0.9, 0.1], &[0.5]), Some(0.5));
        assert_eq!(auc(&[], &[0.5]), None);
    }
}
