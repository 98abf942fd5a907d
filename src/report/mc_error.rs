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
