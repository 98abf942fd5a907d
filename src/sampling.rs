//! Samplers specialised to the cohort's draws, exact in distribution (tested against the exact
//! probabilities by chi-square in every regime they serve).
//!
//! Most cohort draws are binomials with a small mean: a cell of a hundred people with a 1% death
//! rate. rand_distr's `Binomial` draws those by inversion (BINV) too, but builds the
//! distribution for every draw with a `powf`; here the start of the inversion, (1 − p)^n, comes
//! from repeated squaring, and the recurrence multiplies by a table of reciprocals. Draws with a
//! larger mean go to rand_distr's BTPE.

use rand::RngExt;
use rand_distr::{Binomial, Distribution, Poisson};

use crate::rng::Rng;

/// Means below this are drawn by inversion (the threshold rand_distr and its source paper use).
const INVERSION_BELOW: f64 = 10.0;

/// Probabilities below this are drawn as a Poisson of the same mean (its distribution differs
/// from the binomial's by less than p), since 1 − p would lose their digits.
const POISSON_BELOW: f64 = 1e-10;

/// Inversion restarts beyond this many successes: with a mean below 10 a count above 110 is
/// more than 30 standard deviations out, so a restart only guards against rounding.
const INVERSION_MAX: usize = 110;

/// 1/x for x = 0..=INVERSION_MAX (index 0 unused).
static RECIPROCALS: std::sync::LazyLock<[f64; INVERSION_MAX + 1]> =
    std::sync::LazyLock::new(|| {
        let mut r = [0.0; INVERSION_MAX + 1];
        for (x, v) in r.iter_mut().enumerate().skip(1) {
            *v = 1.0 / x as f64;
        }
        r
    });

/// A Binomial(n, p) draw.
#[inline]
pub fn binomial(rng: &mut Rng, n: u32, p: f64) -> u32 {
    if n == 0 || p <= 0.0 {
        return 0;
    }
    if p >= 1.0 {
        return n;
    }
    // Symmetric: draw the rarer outcome.
    let (p, flipped) = if p > 0.5 { (1.0 - p, true) } else { (p, false) };
    let mean = f64::from(n) * p;
    let x = if mean < INVERSION_BELOW {
        let q = 1.0 - p;
        if p < POISSON_BELOW {
            // 1 − p loses p's digits: a Poisson of the same mean, within p of the binomial.
            Poisson::new(mean).expect("positive mean").sample(rng) as u32
        } else {
            inversion(rng, n, p, q)
        }
    } else {
        Binomial::new(u64::from(n), p)
            .expect("a probability")
            .sample(rng) as u32
    };
    if flipped { n - x } else { x }
}

/// Inversion (Kachitvichyanukul and Schmeiser's BINV): walk the probabilities up from 0,
/// P(x+1) = P(x) · ((n+1)/x − 1) · p/q, until a uniform is used up.
#[inline]
fn inversion(rng: &mut Rng, n: u32, p: f64, q: f64) -> u32 {
    let s = p / q;
    let a = (f64::from(n) + 1.0) * s;
    let start = power(q, n);
    let reciprocals = &*RECIPROCALS;
    'draw: loop {
        let mut r = start;
        let mut u: f64 = rng.random();
        let mut x = 0usize;
        while u > r {
            u -= r;
            x += 1;
            if x > INVERSION_MAX {
                continue 'draw;
            }
            r *= a * reciprocals[x] - s;
        }
        return x as u32;
    }
}

/// q^n by repeated squaring (a few multiplications, no `powf`).
#[inline]
fn power(q: f64, n: u32) -> f64 {
    let (mut base, mut e, mut out) = (q, n, 1.0);
    while e > 0 {
        if e & 1 == 1 {
            out *= base;
        }
        base *= base;
        e >>= 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    /// Binomial probabilities P(0..), by the recurrence in logs (exact to rounding).
    fn pmf(n: u32, p: f64, upto: usize) -> Vec<f64> {
        let (lp, lq) = (p.ln(), (-p).ln_1p());
        let mut log = f64::from(n) * lq;
        let mut out = vec![log.exp()];
        for k in 0..upto.min(n as usize) {
            log += (f64::from(n) - k as f64).ln() - (k as f64 + 1.0).ln() + lp - lq;
            out.push(log.exp());
        }
        out
    }

    /// Pearson's chi-square of `draws` against Binomial(n, p), neighbouring counts merged
    /// until each cell expects at least 5 (the last cell takes the whole upper tail); returns
    /// (statistic, degrees of freedom).
    fn chi_square(n: u32, p: f64, draws: &[u32]) -> (f64, usize) {
        let total = draws.len() as f64;
        let mean = f64::from(n) * p;
        let upto = (mean + 12.0 * (mean * (1.0 - p)).sqrt() + 20.0) as usize;
        let max = *draws.iter().max().unwrap() as usize;
        let probs = pmf(n, p, upto.max(max));
        let mut counts = vec![0.0; probs.len()];
        for &d in draws {
            counts[d as usize] += 1.0;
        }
        let (mut stat, mut cells) = (0.0, 0);
        let (mut expected, mut observed) = (0.0, 0.0);
        let (mut expected_closed, mut observed_closed) = (0.0, 0.0);
        for (pk, ok) in probs.iter().zip(&counts) {
            expected += pk * total;
            observed += ok;
            if expected >= 5.0 && total - expected_closed - expected >= 5.0 {
                stat += (observed - expected).powi(2) / expected;
                cells += 1;
                expected_closed += expected;
                observed_closed += observed;
                (expected, observed) = (0.0, 0.0);
            }
        }
        let (last_e, last_o) = (total - expected_closed, total - observed_closed);
        stat += (last_o - last_e).powi(2) / last_e;
        // cells + 1 cells in all, one constraint (they sum to the total).
        (stat, cells)
    }

    /// The chi-square critical value at 1 − 1e-6 for `df` degrees of freedom
    /// (Wilson–Hilferty), so that a correct sampler fails about once in a million checks.
    fn critical(df: usize) -> f64 {
        let k = df as f64;
        let z = 4.753_424; // the normal's 1 − 1e-6 quantile
        k * (1.0 - 2.0 / (9.0 * k) + z * (2.0 / (9.0 * k)).sqrt()).powi(3)
    }

    #[test]
    fn binomial_draws_follow_the_exact_probabilities_in_every_regime() {
        let mut rng = Rng::seed_from_u64(7);
        // Means from 0.01 to 1,000: inversion (below 10), both sides of the switch, BTPE;
        // p from 1e-7 to 0.97 (flipped above 0.5); n from 1 to 10 million.
        let cases: &[(u32, f64)] = &[
            (1, 0.3),
            (3, 0.5),
            (7, 0.97),
            (20, 0.002),
            (124, 0.009),
            (124, 0.04),
            (500, 0.019),
            (1_000, 0.0099),
            (1_000, 0.0101),
            (60, 0.7),
            (10_000_000, 1e-7),
            (2_000_000, 4e-6),
            (5_000, 0.2),
            (100_000, 0.01),
        ];
        for &(n, p) in cases {
            let draws: Vec<u32> = (0..200_000).map(|_| binomial(&mut rng, n, p)).collect();
            let (stat, df) = chi_square(n, p, &draws);
            assert!(df >= 1 || n == 1, "n {n}, p {p}: {df} cells");
            assert!(
                stat < critical(df.max(1)),
                "n {n}, p {p}: chi-square {stat:.1} on {df} df (critical {:.1})",
                critical(df.max(1))
            );
        }
    }

    #[test]
    fn binomial_edges() {
        let mut rng = Rng::seed_from_u64(1);
        assert_eq!(binomial(&mut rng, 0, 0.5), 0);
        assert_eq!(binomial(&mut rng, 10, 0.0), 0);
        assert_eq!(binomial(&mut rng, 10, 1.0), 10);
        assert!((0..1000).all(|_| binomial(&mut rng, 10, 0.999_999) <= 10));
        assert_eq!(power(0.5, 10), 0.5f64.powi(10));
    }
}
