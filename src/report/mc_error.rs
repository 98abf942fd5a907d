//! Monte Carlo error: how far a figure estimated from n replications may be from what
//! unlimited replications would give. One home for the formulas; summary.csv computes the same with polars expressions
//! ([`super::tables::summary`]), and `--precision` from plain values.

/// z for a two-sided 95% interval.
pub const Z95: f64 = 1.959_963_984_540_054;

/// The probabilities of the order statistics bounding a 95% interval for the `q` quantile of
/// `n` replications (distribution-free: the count below the true quantile is binomial(n, q)).
pub fn quantile_interval(q: f64, n: usize) -> (f64, f64) {
    let half = Z95 * (q * (1.0 - q) / n.max(1) as f64).sqrt();
    ((q - half).max(0.0), (q + half).min(1.0))
}

/// The mean and the sample variance (n − 1 in the denominator) of `values`.
pub fn mean_and_variance(values: &[f64]) -> (f64, f64) {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, var)
}

/// Standard error of a mean: sd / √n.
pub fn mean_se(values: &[f64]) -> f64 {
    if values.len() < 2 {
        return f64::NAN;
    }
    let (_, var) = mean_and_variance(values);
    (var / values.len() as f64).sqrt()
}

/// Standard error of a sample variance s², whatever the distribution: Var(s²) ≈ (m₄ −
/// s⁴(n − 3)/(n − 1))/n with m₄ the fourth central moment (NaN below 4 values).
pub fn variance_se(values: &[f64]) -> f64 {
    let n = values.len() as f64;
    if n < 4.0 {
        return f64::NAN;
    }
    let (mean, var) = mean_and_variance(values);
    let m4 = values.iter().map(|v| (v - mean).powi(4)).sum::<f64>() / n;
    ((m4 - var * var * (n - 3.0) / (n - 1.0)) / n)
        .max(0.0)
        .sqrt()
}

/// Standard error of a standard deviation `sd` whose variance has standard error
/// `variance_se` (the delta method: se(s) = se(s²)/(2s)). Where the sd cannot be told from 0
/// (below √se(s²)) the delta method fails; the error is then √se(s²)/2, what it is at that
/// bound.
pub fn sd_se(sd: f64, variance_se: f64) -> f64 {
    variance_se / (2.0 * sd.max(variance_se.sqrt()))
}

/// Resamples of a paired bootstrap ([`median_difference_se`]).
const PAIRED_RESAMPLES: usize = 200;

/// Standard error of the difference between two arms' medians, `a` and `b` holding each arm's
/// result in the same replications (the arms share their simulated futures). A paired bootstrap:
/// replications are resampled together, so what the futures do to both arms cancels, as it
/// does in the difference itself. Treating the arms as independent (the root of their errors'
/// squares) overstated it several times over for arms that move together. Seeded by the count,
/// so the same results give the same error.
pub fn median_difference_se(a: &[f64], b: &[f64]) -> f64 {
    use rand::{RngExt, SeedableRng};
    let n = a.len();
    if n < 2 || b.len() != n {
        return f64::NAN;
    }
    let mut rng = crate::rng::Rng::seed_from_u64(n as u64);
    let (mut xa, mut xb) = (vec![0.0; n], vec![0.0; n]);
    let mut differences = Vec::with_capacity(PAIRED_RESAMPLES);
    for _ in 0..PAIRED_RESAMPLES {
        for k in 0..n {
            let i = rng.random_range(0..n);
            xa[k] = a[i];
            xb[k] = b[i];
        }
        differences.push(median_in_place(&mut xa) - median_in_place(&mut xb));
    }
    let mean = differences.iter().sum::<f64>() / PAIRED_RESAMPLES as f64;
    let var =
        differences.iter().map(|d| (d - mean).powi(2)).sum::<f64>() / (PAIRED_RESAMPLES - 1) as f64;
    var.sqrt()
}

/// The median as [`super::console::quantile`] gives it of the sorted values (the two middle
/// values averaged when their count is even), found by selection instead of a full sort:
/// reorders `values`. The bootstrap above takes hundreds of medians per pair of arms, which
/// sorting had made a noticeable part of a small run's time.
fn median_in_place(values: &mut [f64]) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    let h = (values.len() - 1) as f64 * 0.5;
    let lo = h.floor() as usize;
    let (_, &mut low, above) = values.select_nth_unstable_by(lo, f64::total_cmp);
    if h == lo as f64 {
        return low;
    }
    let high = above
        .iter()
        .copied()
        .min_by(f64::total_cmp)
        .expect("an even count has two middles");
    low + (h - lo as f64) * (high - low)
}

/// Standard error of the `q` quantile of `values`: Maritz and Jarrett's where it applies
/// ([`maritz_jarrett_weights`]), else the width of the 95% order-statistic interval /
/// (2 × 1.96).
pub fn quantile_se(values: &[f64], q: f64) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted_quantile_se(
        &sorted,
        q,
        maritz_jarrett_weights(q, sorted.len()).as_deref(),
    )
}

/// [`quantile_se`] of values already in ascending order, given the quantile's Maritz-Jarrett
/// weights for their count when it has them (they depend on the count alone, so a table of
/// many groups of the same size works them out once).
pub fn sorted_quantile_se(sorted: &[f64], q: f64, weights: Option<&[f64]>) -> f64 {
    // One value says nothing of how far another seed would move it.
    if sorted.len() < 2 {
        return f64::NAN;
    }
    match weights {
        Some(w) if w.len() == sorted.len() => {
            // Centred on the median, so the squares do not swamp the difference.
            let centre = sorted[sorted.len() / 2];
            let (mut first, mut second) = (0.0, 0.0);
            for (&x, &w) in sorted.iter().zip(w) {
                let d = x - centre;
                first += w * d;
                second += w * d * d;
            }
            (second - first * first).max(0.0).sqrt()
        }
        _ => {
            let (lo, hi) = quantile_interval(q, sorted.len());
            let last = (sorted.len() - 1) as f64;
            let lower = sorted[(lo * last).floor() as usize];
            let higher = sorted[(hi * last).ceil() as usize];
            (higher - lower) / (2.0 * Z95)
        }
    }
}

/// Maritz and Jarrett's weights for the `q` quantile of `n` values in ascending order, as the
/// tables estimate it (between the k-th and (k+1)-th smallest, h = (n − 1)q, k = ⌊h⌋ + 1, by
/// the fraction f = h − ⌊h⌋): each order statistic's chance of falling in each value's slot,
/// W_j,i = I_{i/n}(j, n − j + 1) − I_{(i−1)/n}(j, n − j + 1) (the j-th smallest of n uniform
/// values is Beta(j, n − j + 1)), mixed (1 − f)·W_k + f·W_{k+1}, so that Σ W_i x_i and
/// Σ W_i x_i² estimate the quantile's first two moments and their difference its variance.
/// None below 2 values. J. S. Maritz and R. G. Jarrett (1978), "A note on estimating the
/// variance of the sample median", JASA 73:194-196; R. R. Wilcox (2012), Introduction to
/// Robust Estimation, 3.5 (whose `mjse` centres on the ⌊qn + ½⌋-th smallest instead, off the
/// interpolated quantile by about one place in the tails). At 100 replications the
/// order-statistic interval had made p5's error about twice the spread between seeds: it
/// reaches the sample's end and is rounded outwards.
pub fn maritz_jarrett_weights(q: f64, n: usize) -> Option<Vec<f64>> {
    if n < 2 {
        return None;
    }
    let h = (n - 1) as f64 * q.clamp(0.0, 1.0);
    let k = h.floor() as usize + 1;
    let f = h - h.floor();
    let order_statistic = |j: usize| -> Vec<f64> {
        // Each slot's edge once: a slot's chance is the difference of its two edges' CDFs.
        let cdf: Vec<f64> = (0..=n)
            .map(|i| incomplete_beta(i as f64 / n as f64, j, n - j + 1))
            .collect();
        cdf.windows(2).map(|edge| edge[1] - edge[0]).collect()
    };
    let lower = order_statistic(k);
    if f == 0.0 || k == n {
        return Some(lower);
    }
    let upper = order_statistic(k + 1);
    Some(
        lower
            .iter()
            .zip(&upper)
            .map(|(a, b)| (1.0 - f) * a + f * b)
            .collect(),
    )
}

/// The regularised incomplete beta function I_x(a, b) for whole a, b ≥ 1, by its continued
/// fraction (Lentz's method), on whichever side converges fast.
fn incomplete_beta(x: f64, a: usize, b: usize) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    use crate::sampling::log_factorial;
    let (af, bf) = (a as f64, b as f64);
    let log_beta = log_factorial(af - 1.0) + log_factorial(bf - 1.0) - log_factorial(af + bf - 1.0);
    let front = (af * x.ln() + bf * (-x).ln_1p() - log_beta).exp();
    if x < (af + 1.0) / (af + bf + 2.0) {
        front * beta_fraction(x, af, bf) / af
    } else {
        1.0 - front * beta_fraction(1.0 - x, bf, af) / bf
    }
}

/// The continued fraction of the incomplete beta function (Numerical Recipes' `betacf`).
fn beta_fraction(x: f64, a: f64, b: f64) -> f64 {
    const TINY: f64 = 1e-300;
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let mut c = 1.0;
    let mut d = 1.0 - qab * x / qap;
    d = if d.abs() < TINY { TINY } else { d };
    d = 1.0 / d;
    let mut h = d;
    for m in 1..10_000 {
        let m = f64::from(m);
        let m2 = 2.0 * m;
        for aa in [
            m * (b - m) * x / ((qam + m2) * (a + m2)),
            -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2)),
        ] {
            d = 1.0 + aa * d;
            d = if d.abs() < TINY { TINY } else { d };
            c = 1.0 + aa / c;
            c = if c.abs() < TINY { TINY } else { c };
            d = 1.0 / d;
            h *= d * c;
        }
        if (d * c - 1.0).abs() < 1e-15 {
            break;
        }
    }
    h
}

/// Standard error of a probability estimated as the share `p` of `n` replications
/// (Agresti–Coull: never 0, since no loss in n replications does not make a loss impossible).
pub fn proportion_se(p: f64, n: usize) -> f64 {
    let n = n as f64;
    let adjusted = (p * n + 2.0) / (n + 4.0);
    (adjusted * (1.0 - adjusted) / (n + 4.0)).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Of normal draws the variance's error is σ²·√(2/(n − 1)) and the sd's σ/√(2(n − 1));
    /// the errors worked out from 400 draws are within 15% of those.
    #[test]
    fn an_sd_s_error_is_the_normal_one_for_normal_values() {
        use rand::SeedableRng;
        use rand_distr::{Distribution, Normal};
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(7);
        let values: Vec<f64> = (0..400)
            .map(|_| Normal::new(10.0, 3.0).unwrap().sample(&mut rng))
            .collect();
        let v_se = variance_se(&values);
        let want = 9.0 * (2.0f64 / 399.0).sqrt();
        assert!((v_se / want - 1.0).abs() < 0.15, "{v_se} vs {want}");
        let se = sd_se(3.0, v_se);
        let want = 3.0 / (2.0f64 * 399.0).sqrt();
        assert!((se / want - 1.0).abs() < 0.15, "{se} vs {want}");
        // An sd that cannot be told from 0 keeps the error it has at the bound.
        assert_eq!(sd_se(0.0, 4.0), 0.5 * 2.0);
        assert!(variance_se(&[1.0, 2.0, 3.0]).is_nan());
    }

    /// The incomplete beta function against sums of binomial probabilities
    /// (I_x(a, b) = P(Binomial(a + b − 1, x) ≥ a) for whole a, b).
    #[test]
    fn the_incomplete_beta_function_is_a_binomial_tail() {
        use crate::sampling::log_factorial;
        for (a, b) in [(1usize, 1usize), (2, 5), (4, 95), (49, 950), (900, 99)] {
            let n = a + b - 1;
            for x in [0.001, 0.03, 0.05, 0.2, 0.5, 0.9, 0.97] {
                let tail: f64 = (a..=n)
                    .map(|k| {
                        let (k, nf) = (k as f64, n as f64);
                        (log_factorial(nf) - log_factorial(k) - log_factorial(nf - k)
                            + k * f64::ln(x)
                            + (nf - k) * f64::ln(1.0 - x))
                        .exp()
                    })
                    .sum();
                let got = incomplete_beta(x, a, b);
                assert!(
                    (got - tail).abs() < 1e-10,
                    "I_{x}({a}, {b}) = {got}, tail {tail}"
                );
            }
        }
    }

    /// The weights are a distribution over the slots, centred on the interpolated quantile's
    /// place; below 2 values there are none.
    #[test]
    fn maritz_jarrett_weights_sum_to_one_around_the_quantile() {
        for (q, n) in [(0.05, 100usize), (0.5, 101), (0.95, 1000), (0.25, 40)] {
            let w = maritz_jarrett_weights(q, n).unwrap();
            assert!((w.iter().sum::<f64>() - 1.0).abs() < 1e-9, "{q} of {n}");
            // The j-th smallest of n uniforms has mean j/(n + 1); the quantile sits at place
            // 1 + (n − 1)q.
            let centre: f64 = w.iter().enumerate().map(|(i, w)| (i + 1) as f64 * w).sum();
            let place = 1.0 + (n - 1) as f64 * q;
            assert!(
                (centre - place).abs() < 1.0,
                "{q} of {n}: {centre} for {place}"
            );
        }
        assert!(maritz_jarrett_weights(0.05, 20).is_some());
        assert!(maritz_jarrett_weights(0.5, 1).is_none());
    }

    /// Across 400 seeds of n normal values, the mean Maritz-Jarrett error of p5, p50 and p95
    /// against how far the quantile itself moves between seeds: 1.03, 1.07 and 1.12 times it at
    /// 100 replications (the order-statistic interval had made p5's about twice), 1.01 at 400.
    #[test]
    fn quantile_errors_match_the_spread_between_seeds() {
        use rand::SeedableRng;
        use rand_distr::{Distribution, StandardNormal};
        for (n, q, within) in [
            (100, 0.05, 0.9..1.2),
            (100, 0.5, 0.9..1.2),
            (100, 0.95, 0.9..1.2),
            (400, 0.05, 0.9..1.1),
            (400, 0.95, 0.9..1.1),
        ] {
            let (mut estimates, mut errors) = (Vec::new(), Vec::new());
            for seed in 0..400u64 {
                let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(seed);
                let mut values: Vec<f64> =
                    (0..n).map(|_| StandardNormal.sample(&mut rng)).collect();
                errors.push(quantile_se(&values, q));
                values.sort_by(f64::total_cmp);
                estimates.push(crate::report::console::quantile(&values, q));
            }
            let mean = estimates.iter().sum::<f64>() / 400.0;
            let spread = (estimates.iter().map(|e| (e - mean).powi(2)).sum::<f64>() / 399.0).sqrt();
            let ratio = errors.iter().sum::<f64>() / 400.0 / spread;
            assert!(
                within.contains(&ratio),
                "n {n}, q {q}: mean error / spread between seeds {ratio}"
            );
        }
    }

    /// Selection gives the sorted median exactly, for odd and even counts, ties and signs.
    #[test]
    fn the_median_by_selection_is_the_sorted_median() {
        for n in [1usize, 2, 3, 4, 7, 10, 101, 1000] {
            let values: Vec<f64> = (0..n)
                .map(|i| (((i * 7919) % 97) as f64 - 40.0) * 0.5)
                .collect();
            let mut sorted = values.clone();
            sorted.sort_by(f64::total_cmp);
            let mut scratch = values.clone();
            assert_eq!(
                median_in_place(&mut scratch),
                crate::report::console::quantile(&sorted, 0.5),
                "{n} values"
            );
        }
        assert!(median_in_place(&mut []).is_nan());
    }

    /// Two arms one apart in every future differ by exactly 1 in every resample: no error.
    /// Paired with another arm's futures shuffled, the same values' medians differ by an error
    /// near √2 × each median's own.
    #[test]
    fn a_paired_difference_cancels_what_the_arms_share() {
        let n = 1_000;
        let a: Vec<f64> = (0..n).map(|i| ((i * 7919) % n) as f64).collect();
        let shifted: Vec<f64> = a.iter().map(|x| x + 1.0).collect();
        assert!(median_difference_se(&a, &shifted) < 1e-9);
        let shuffled: Vec<f64> = (0..n).map(|i| ((i * 3571) % n) as f64).collect();
        let independent = median_difference_se(&a, &shuffled);
        let own = quantile_se(&a, 0.5);
        let ratio = independent / (2f64.sqrt() * own);
        assert!(
            (0.6..1.6).contains(&ratio),
            "{independent} against {own}: {ratio}"
        );
    }

    #[test]
    fn errors_fall_like_one_over_root_n() {
        // n evenly spread values in [0, 1), in a scrambled order.
        let values =
            |n: usize| -> Vec<f64> { (0..n).map(|i| ((i * 7919) % n) as f64 / n as f64).collect() };
        let ratio = mean_se(&values(400)) / mean_se(&values(1600));
        assert!((ratio - 2.0).abs() < 0.05, "{ratio}");
        let ratio = quantile_se(&values(400), 0.5) / quantile_se(&values(1600), 0.5);
        assert!((ratio - 2.0).abs() < 0.2, "{ratio}");
        // Uniform on [0, 1): the mean's se is √(1/12n), the median's 1/(2√n).
        let n: f64 = 10_000.0;
        let se = mean_se(&values(10_000));
        assert!((se / (1.0 / (12.0 * n)).sqrt() - 1.0).abs() < 0.01, "{se}");
        let se = quantile_se(&values(10_000), 0.5);
        assert!((se * 2.0 * n.sqrt() - 1.0).abs() < 0.05, "{se}");
    }

    #[test]
    fn a_probability_never_seen_still_has_an_error() {
        assert!(proportion_se(0.0, 100) > 0.0);
        assert!((proportion_se(0.5, 10_000) - 0.005).abs() < 1e-4);
    }
}
