//! How many long-term conditions people have, by age, sex and deprivation.
//!
//! logit P(2+ LTCs) = g(age) + deprivation offset + sex offset, with g piecewise linear through
//! the knots in data/multimorbidity_curve.csv (fitted to Valabhji et al. 2024). The count itself
//! is negative binomial with a fixed dispersion, its mean solved so that P(count >= 2) is exactly
//! that prevalence; this gives the split over 0, 1, 2, 3, 4 and 5+.

use std::sync::OnceLock;

use super::{AGES, IMDS, LTCS, SEXES};
use crate::data;

fn expit(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

fn knots() -> &'static [(f64, f64)] {
    static K: OnceLock<Vec<(f64, f64)>> = OnceLock::new();
    K.get_or_init(|| {
        data::multimorbidity_curve()
            .into_iter()
            .map(|k| (k.age, k.logit_p2plus))
            .collect()
    })
}

fn curve(age: f64) -> f64 {
    let k = knots();
    if age <= k[0].0 {
        return k[0].1;
    }
    for w in k.windows(2) {
        let ((a0, v0), (a1, v1)) = (w[0], w[1]);
        if age <= a1 {
            return v0 + (v1 - v0) * (age - a0) / (a1 - a0);
        }
    }
    k[k.len() - 1].1
}

/// Prevalence of 2+ LTCs at an age, sex (0 = F) and IMD quintile (0-based, 0 = most deprived).
pub fn prevalence_2plus(age: usize, sex: usize, imd: usize) -> f64 {
    let imd_offset = data::MULTIMORBIDITY_IMD_OR_Q1_VS_Q5.ln() * (2.0 - imd as f64) / 4.0;
    let half_sex = 0.5 * data::MULTIMORBIDITY_SEX_OR_F_VS_M.ln();
    let sex_offset = if sex == 0 { half_sex } else { -half_sex };
    expit(curve(age as f64) + imd_offset + sex_offset)
}

/// Negative binomial probabilities of 0..4 and 5+ with the given mean and dispersion.
fn negative_binomial(mean: f64, size: f64) -> [f64; LTCS] {
    let mut p = [0.0; LTCS];
    let ratio = mean / (size + mean);
    p[0] = (size / (size + mean)).powf(size);
    for k in 1..LTCS - 1 {
        p[k] = p[k - 1] * (k as f64 - 1.0 + size) / k as f64 * ratio;
    }
    p[LTCS - 1] = (1.0 - p[..LTCS - 1].iter().sum::<f64>()).max(0.0);
    p
}

/// Distribution of the LTC count (0..4, 5+) with the given prevalence of 2+.
pub fn count_distribution(p2plus: f64) -> [f64; LTCS] {
    let size = data::LTC_COUNT_DISPERSION;
    let p_ge2 = |m: f64| {
        let d = negative_binomial(m, size);
        1.0 - d[0] - d[1]
    };
    negative_binomial(crate::bisect::increasing_from_zero(p_ge2, p2plus), size)
}

/// The target LTC distribution for every (age, sex, imd), computed once.
pub fn target_distributions() -> &'static Vec<[f64; LTCS]> {
    static T: OnceLock<Vec<[f64; LTCS]>> = OnceLock::new();
    T.get_or_init(|| {
        let mut v = Vec::with_capacity(AGES * SEXES * IMDS);
        for age in 0..AGES {
            for sex in 0..SEXES {
                for imd in 0..IMDS {
                    v.push(count_distribution(prevalence_2plus(age, sex, imd)));
                }
            }
        }
        v
    })
}

/// Target LTC distribution of one age, sex and IMD quintile.
pub fn target(age: usize, sex: usize, imd: usize) -> &'static [f64; LTCS] {
    &target_distributions()[(age * SEXES + sex) * IMDS + imd]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distribution_hits_the_prevalence_and_sums_to_one() {
        for p in [0.001, 0.05, 0.3, 0.7, 0.92] {
            let d = count_distribution(p);
            assert!((d.iter().sum::<f64>() - 1.0).abs() < 1e-12);
            assert!((1.0 - d[0] - d[1] - p).abs() < 1e-9, "p={p} d={d:?}");
            assert!(d.iter().all(|&x| x >= 0.0));
        }
    }

    #[test]
    fn more_deprived_and_older_people_have_more_conditions() {
        assert!(prevalence_2plus(60, 0, 0) > prevalence_2plus(60, 0, 4));
        assert!(prevalence_2plus(80, 1, 2) > prevalence_2plus(40, 1, 2));
        let or = |p: f64| p / (1.0 - p);
        let ratio = or(prevalence_2plus(50, 0, 0)) / or(prevalence_2plus(50, 0, 4));
        assert!((ratio - data::MULTIMORBIDITY_IMD_OR_Q1_VS_Q5).abs() < 1e-9);
    }
}
