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

/// The regularized incomplete beta function I_x(a, b) for whole a, b ≥ 1
/// (Numerical Recipes' continued fraction); `ln_fact` must reach `a + b - 1`.
pub fn beta_regularized(x: f64, a: usize, b: usize, ln_fact: &[f64]) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let (fa, fb) = (a as f64, b as f64);
    let ln_front = ln_fact[a + b - 1] - ln_fact[a - 1] - ln_fact[b - 1] + fa * x.ln() + fb * (1.0 - x).ln();
    if x < (fa + 1.0) / (fa + fb + 2.0) {
        ln_front.exp() * continued_fraction(x, fa, fb) / fa
    } else {
        1.0 - ln_front.exp() * continued_fraction(1.0 - x, fb, fa) / fb
    }
}

/// Lentz's evaluation of the incomplete beta's continued fraction.
fn continued_fraction(x: f64, a: f64, b: f64) -> f64 {
    const TINY: f64 = 1e-300;
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let mut c = 1.0;
    let mut d = 1.0 - qab * x / qap;
    if d.abs() < TINY {
        d = TINY;
    }
    d = 1.0 / d;
    let mut h = d;
    for m in 1..10_000 {
        let m = f64::from(m);
        let m2 = 2.0 * m;
        let aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 + aa * d;
        d = if d.abs() < TINY { TINY } else { d };
        c = 1.0 + aa / c;
        c = if c.abs() < TINY { TINY } else { c };
        d = 1.0 / d;
        h *= d * c;
        let aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 + aa * d;
        d = if d.abs() < TINY { TINY } else { d };
        c = 1.0 + aa / c;
        c = if c.abs() < TINY { TINY } else { c };
        d = 1.0 / d;
        let step = d * c;
        h *= step;
        if (step - 1.0).abs() < 1e-14 {
            break;
        }
    }
    h
}

/// P(X ≥ k) for X ~ Binomial(n, p); `ln_fact` must reach `n`.
pub fn binomial_at_least(k: usize, n: usize, p: f64, ln_fact: &[f64]) -> f64 {
    match k {
        0 => 1.0,
        k if k > n => 0.0,
        k => beta_regularized(p, k, n - k + 1, ln_fact),
    }
}

/// P(X ≤ k) for X ~ Binomial(n, p).
pub fn binomial_at_most(k: usize, n: usize, p: f64, ln_fact: &[f64]) -> f64 {
    1.0 - binomial_at_least(k + 1, n, p, ln_fact)
}

/// The exact (Clopper–Pearson) interval for a binomial share, `k` of `n`, at level
/// 1 − `alpha`: the shares for which neither tail is below `alpha` / 2.
pub fn clopper_pearson(k: usize, n: usize, alpha: f64, ln_fact: &[f64]) -> (f64, f64) {
    let solve = |f: &dyn Fn(f64) -> bool| {
        // The boundary between shares where `f` holds (below) and where it does not.
        let (mut lo, mut hi) = (0.0_f64, 1.0_f64);
        for _ in 0..100 {
            let mid = (lo + hi) / 2.0;
            if f(mid) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        (lo + hi) / 2.0
    };
    let lower = if k == 0 { 0.0 } else { solve(&|p| binomial_at_least(k, n, p, ln_fact) < alpha / 2.0) };
    let upper = if k == n { 1.0 } else { solve(&|p| binomial_at_most(k, n, p, ln_fact) >= alpha / 2.0) };
    (lower, upper)
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
    fn binomial_tails_and_exact_intervals_match_the_tables() {
        let t = ln_factorials(2000);
        assert!((binomial_at_least(3, 4, 0.5, &t) - 5.0 / 16.0).abs() < 1e-12);
        assert!((binomial_at_most(1, 4, 0.5, &t) - 5.0 / 16.0).abs() < 1e-12);
        assert!((binomial_at_least(600, 1000, 0.5, &t) - 1.364e-10).abs() < 1e-12);
        let (lo, hi) = clopper_pearson(0, 10, 0.05, &t);
        assert!(lo == 0.0 && (hi - 0.308_5).abs() < 1e-4, "{hi}");
        let (lo, hi) = clopper_pearson(5, 10, 0.05, &t);
        assert!((lo - 0.187_1).abs() < 1e-4 && (hi - 0.812_9).abs() < 1e-4, "{lo} {hi}");
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
