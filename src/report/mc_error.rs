//! Monte Carlo error: how far a figure estimated from n replications would move on another
//! seed. One home for the formulas; summary.csv computes the same with polars expressions
//! ([`super::tables::summary`]), and `--precision` from plain values.

/// z for a two-sided 95% interval.
pub const Z95: f64 = 1.959_963_984_540_054;

/// The probabilities of the order statistics bounding a 95% interval for the `q` quantile of
/// `n` replications (distribution-free: the count below the true quantile is binomial(n, q)).
pub fn quantile_interval(q: f64, n: usize) -> (f64, f64) {
    let half = Z95 * (q * (1.0 - q) / n.max(1) as f64).sqrt();
    ((q - half).max(0.0), (q + half).min(1.0))
}

/// Standard error of a mean: sd / √n.
pub fn mean_se(values: &[f64]) -> f64 {
    let n = values.len() as f64;
    if n < 2.0 {
        return f64::NAN;
    }
    let mean = values.iter().sum::<f64>() / n;
    let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (var / n).sqrt()
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

/// Standard error of the `q` quantile: the width of its 95% order-statistic interval /
/// (2 × 1.96), the interval's ends taken as polars' `lower` and `higher` quantiles.
pub fn quantile_se(values: &[f64], q: f64) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let (lo, hi) = quantile_interval(q, sorted.len());
    let last = (sorted.len() - 1) as f64;
    let lower = sorted[(lo * last).floor() as usize];
    let higher = sorted[(hi * last).ceil() as usize];
    (higher - lower) / (2.0 * Z95)
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

    /// Two arms one apart in every future differ by exactly 1 in every resample: no error.
    /// Paired with another arm's futures shuffled, the same values' medians differ by an error
    /// near √2 × each median's own.
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
