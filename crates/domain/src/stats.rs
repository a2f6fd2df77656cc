//! The little statistics the reports need: means, the normal distribution and its
//! quantiles, medians. Written out so a reader can check them.

/// Mean and sample variance (0 for fewer than two values).
pub fn mean_var(values: &[f64]) -> (f64, f64) {
    let n = values.len() as f64;
    if values.is_empty() {
        return (0.0, 0.0);
    }
    let mean = values.iter().sum::<f64>() / n;
    if values.len() < 2 {
        return (mean, 0.0);
    }
    let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, var)
}

/// The complementary error function (Numerical Recipes' Chebyshev fit, relative error
/// below 1.2e-7 everywhere).
pub fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let poly = -z * z - 1.265_512_23
        + t * (1.000_023_68
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07
                            + t * (-1.135_203_98 + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77))))))));
    let r = t * poly.exp();
    if x >= 0.0 {
        r
    } else {
        2.0 - r
    }
}

/// P(|Z| > z) for a standard normal Z.
pub fn two_sided_p(z: f64) -> f64 {
    erfc(z.abs() / std::f64::consts::SQRT_2)
}

/// The z with P(|Z| > z) = `alpha` (bisection; `alpha` in (0, 1)).
pub fn z_two_sided(alpha: f64) -> f64 {
    let alpha = alpha.clamp(1e-300, 1.0 - 1e-12);
    let (mut lo, mut hi) = (0.0_f64, 40.0_f64);
    for _ in 0..200 {
        let mid = (lo + hi) / 2.0;
        if two_sided_p(mid) > alpha {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    (lo + hi) / 2.0
}

/// `ln(k!)` for k = 0..=n.
pub fn ln_factorials(n: usize) -> Vec<f64> {
    let mut t = Vec::with_capacity(n + 1);
    t.push(0.0);
    for k in 1..=n {
        t.push(t[k - 1] + (k as f64).ln());
    }
    t
}

/// Fisher's exact test of `a` of `n1` against `c` of `n2` (two-sided: twice the
/// smaller tail, at most 1); `ln_fact` must reach `n1 + n2`.
pub fn fisher_two_sided(a: usize, n1: usize, c: usize, n2: usize, ln_fact: &[f64]) -> f64 {
    let (n, k) = (n1 + n2, a + c);
    if ln_fact.len() <= n {
        return 1.0;
    }
    let ln_choose = |n: usize, r: usize| ln_fact[n] - ln_fact[r] - ln_fact[n - r];
    let denominator = ln_choose(n, n1);
    let p = |x: usize| (ln_choose(k, x) + ln_choose(n - k, n1 - x) - denominator).exp();
    let (lo, hi) = ((n1 + k).saturating_sub(n), k.min(n1));
    let lower: f64 = (lo..=a).map(p).sum();
    let upper: f64 = (a..=hi).map(p).sum();
    (2.0 * lower.min(upper)).min(1.0)
}

/// The median of integers (mean of the middle two for an even count), `None` if empty.
pub fn median(values: &mut [i64]) -> Option<i64> {
    values.sort_unstable();
    match values.len() {
        0 => None,
        n if n % 2 == 1 => Some(values[n / 2]),
        n => Some((values[n / 2 - 1] + values[n / 2]) / 2),
    }
}

/// The value below which `q` (0–1) of the values lie (nearest rank), `None` if empty.
pub fn quantile(values: &mut [i64], q: f64) -> Option<i64> {
    values.sort_unstable();
    if values.is_empty() {
        return None;
    }
    let rank = ((q * values.len() as f64).ceil() as usize).clamp(1, values.len());
    Some(values[rank - 1])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_quantiles_match_the_tables() {
        assert!((z_two_sided(0.05) - 1.959_964).abs() < 1e-4);
        assert!((z_two_sided(0.01) - 2.575_829).abs() < 1e-4);
        assert!((z_two_sided(0.05 / 100.0) - 3.480_756).abs() < 1e-3);
        assert!((two_sided_p(1.959_964) - 0.05).abs() < 1e-6);
    }

    #[test]
    fn fishers_exact_test_matches_the_textbook() {
        // The lady tasting tea: 3 of 4 against 1 of 4, one-sided p = 17/70.
        let t = ln_factorials(8);
        assert!((fisher_two_sided(3, 4, 1, 4, &t) - 2.0 * 17.0 / 70.0).abs() < 1e-9);
        assert!((fisher_two_sided(4, 4, 0, 4, &t) - 2.0 / 70.0).abs() < 1e-9);
        assert_eq!(fisher_two_sided(2, 4, 2, 4, &t), 1.0);
    }

    #[test]
    fn means_medians_quantiles() {
        assert_eq!(mean_var(&[1.0, 2.0, 3.0]), (2.0, 1.0));
        assert_eq!(median(&mut [5, 1, 3]), Some(3));
        assert_eq!(median(&mut [4, 1, 3, 2]), Some(2));
        assert_eq!(median(&mut []), None);
        assert_eq!(quantile(&mut [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9), Some(9));
    }
}
