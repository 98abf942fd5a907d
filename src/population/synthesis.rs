//! Synthetic populations from England's published structure.
//!
//! Expected share of a cell = P(age, sex) × P(IMD | age band) × P(rural | IMD, age band) ×
//! P(LTC count | age, sex, IMD). Age and sex come from ONS mid-2020 estimates (90+ spread over
//! 90-100 by the 90+ life-table survival), IMD and rurality from the ONS small-area mix, the LTC
//! count from [`super::multimorbidity`]. A place may skew the IMD and rural mix;
//! the skew is raked so the place's overall shares are exactly those asked for.

use std::sync::OnceLock;

use super::{AGES, BASE_CELLS, CELLS, CellKey, IMDS, Population, SEXES, multimorbidity};
use crate::data;

/// Life-table probability of death at 90+ by sex (data/mortality_qx.csv), used to spread the
/// ONS 90+ head count over single years 90-100.
fn qx_90_plus(sex: usize) -> f64 {
    let s = if sex == 0 { "F" } else { "M" };
    data::mortality()
        .into_iter()
        .find(|r| r.age_band == "90+" && r.sex == s)
        .map(|r| r.qx)
        .expect("mortality table has 90+")
}

/// England head count by single year of age (0-100) and sex.
pub fn england_age_sex() -> [[f64; SEXES]; AGES] {
    let mut out = [[0.0; SEXES]; AGES];
    for row in data::population() {
        let sex = if row.sex == "F" { 0 } else { 1 };
        if row.age == "90+" {
            let q = qx_90_plus(sex);
            let mut shares: Vec<f64> = (0..10).map(|j| (1.0 - q).powi(j)).collect();
            shares.push((1.0 - q).powi(10) / q); // 100 and older
            let total: f64 = shares.iter().sum();
            for (j, s) in shares.iter().enumerate() {
                out[90 + j][sex] += row.population * s / total;
            }
        } else {
            let age: usize = row.age.parse().expect("age");
            out[age][sex] += row.population;
        }
    }
    out
}

/// IMD and rurality tables by the nine age bands of data/imd_by_age.csv.
struct PlaceMix {
    bands: Vec<(u8, u8)>,
    /// P(imd | band)
    imd: Vec<[f64; IMDS]>,
    /// P(rural | imd, band)
    rural: Vec<[f64; IMDS]>,
}

fn england_place_mix() -> PlaceMix {
    let rows = data::imd_by_age();
    let mut bands: Vec<(u8, u8)> = Vec::new();
    for r in &rows {
        let b = data::parse_band(&r.age_band);
        if !bands.contains(&b) {
            bands.push(b);
        }
    }
    let mut imd = vec![[0.0; IMDS]; bands.len()];
    let mut rural = vec![[0.0; IMDS]; bands.len()];
    for r in &rows {
        let b = bands
            .iter()
            .position(|&b| b == data::parse_band(&r.age_band))
            .expect("band");
        let q = usize::from(r.imd_quintile - 1);
        imd[b][q] = r.population;
        rural[b][q] = r.share_rural;
    }
    for row in &mut imd {
        let t: f64 = row.iter().sum();
        row.iter_mut().for_each(|x| *x /= t);
    }
    PlaceMix { bands, imd, rural }
}

fn band_of(bands: &[(u8, u8)], age: usize) -> usize {
    bands
        .iter()
        .position(|&(lo, hi)| age >= lo as usize && age <= hi as usize)
        .expect("bands cover 0-100")
}

/// Expected shares (summing to 1) of every cell for a place with optional IMD and rural skews.
pub fn expected_shares(imd_shares: Option<[f64; 5]>, rural_share: Option<f64>) -> Vec<f64> {
    let age_sex = england_age_sex();
    let total: f64 = age_sex.iter().flatten().sum();
    let mut mix = england_place_mix();
    let band_weight: Vec<f64> = (0..mix.bands.len())
        .map(|b| {
            (0..AGES)
                .filter(|&a| band_of(&mix.bands, a) == b)
                .map(|a| age_sex[a][0] + age_sex[a][1])
                .sum::<f64>()
                / total
        })
        .collect();
    if let Some(target) = imd_shares {
        rake_imd(&mut mix, &band_weight, target);
    }
    if let Some(target) = rural_share {
        skew_rural(&mut mix, &band_weight, target);
    }
    // Everyone starts without the condition; a scenario with one splits the cells by its
    // prevalence (`population::condition`).
    let mut out = vec![0.0; CELLS];
    for (i, cell) in out.iter_mut().enumerate().take(BASE_CELLS) {
        let k = CellKey::from_index(i);
        let b = band_of(&mix.bands, k.age);
        let p_rural = mix.rural[b][k.imd];
        let p_r = if k.rural == 1 { p_rural } else { 1.0 - p_rural };
        *cell = age_sex[k.age][k.sex] / total
            * mix.imd[b][k.imd]
            * p_r
            * multimorbidity::target(k.age, k.sex, k.imd)[k.ltc];
    }
    out
}

/// Iterative proportional fitting: rescale P(imd | band) until the overall IMD shares match.
fn rake_imd(mix: &mut PlaceMix, band_weight: &[f64], target: [f64; 5]) {
    for _ in 0..50 {
        let mut overall = [0.0; IMDS];
        for (b, w) in band_weight.iter().enumerate() {
            for (o, x) in overall.iter_mut().zip(&mix.imd[b]) {
                *o += w * x;
            }
        }
        for row in &mut mix.imd {
            for q in 0..IMDS {
                row[q] *= if overall[q] > 0.0 {
                    target[q] / overall[q]
                } else {
                    0.0
                };
            }
            let t: f64 = row.iter().sum();
            if t > 0.0 {
                row.iter_mut().for_each(|x| *x /= t);
            }
        }
    }
}

/// Scales the odds of living rurally by one factor, found by bisection, so the overall rural
/// share is the target; the pattern by age and deprivation is kept.
fn skew_rural(mix: &mut PlaceMix, band_weight: &[f64], target: f64) {
    let base = mix.rural.clone();
    let apply = |theta: f64, out: &mut Vec<[f64; IMDS]>| {
        for (b, row) in base.iter().enumerate() {
            for q in 0..IMDS {
                let p = row[q];
                out[b][q] = if p >= 1.0 {
                    1.0
                } else {
                    theta * p / (1.0 - p + theta * p)
                };
            }
        }
    };
    let overall = |r: &Vec<[f64; IMDS]>, imd: &Vec<[f64; IMDS]>| -> f64 {
        band_weight
            .iter()
            .enumerate()
            .map(|(b, w)| (0..IMDS).map(|q| w * imd[b][q] * r[b][q]).sum::<f64>())
            .sum()
    };
    if target <= 0.0 || target >= 1.0 {
        let v = if target <= 0.0 { 0.0 } else { 1.0 };
        mix.rural
            .iter_mut()
            .for_each(|row| row.iter_mut().for_each(|x| *x = v));
        return;
    }
    let mut work = base.clone();
    let log_theta = crate::bisect::increasing(
        |log_theta| {
            apply(log_theta.exp(), &mut work);
            overall(&work, &mix.imd)
        },
        target,
        (-40.0, 40.0),
        200,
    );
    apply(log_theta.exp(), &mut mix.rural);
}

/// England's structure with no skews: the reference every calibration is made against.
pub fn england_reference_shares() -> &'static [f64] {
    static R: OnceLock<Vec<f64>> = OnceLock::new();
    R.get_or_init(|| expected_shares(None, None))
}

/// A synthetic population of `size` people with the place's skews, rounded to whole people.
pub fn synthesise(size: u64, imd_shares: Option<[f64; 5]>, rural_share: Option<f64>) -> Population {
    synthesise_with(size, &expected_shares(imd_shares, rural_share))
}

/// A synthetic population of `size` people in the expected `shares` of each cell (summing to
/// 1), rounded to whole people keeping every run of cells within one person of its expectation.
pub fn synthesise_with(size: u64, shares: &[f64]) -> Population {
    let expected: Vec<f64> = shares.iter().map(|s| s * size as f64).collect();
    let counts = super::round_preserving_total(&expected);
    debug_assert_eq!(counts.len(), CELLS);
    Population::from_counts(counts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn england_age_sex_keeps_the_ons_total() {
        let t: f64 = england_age_sex().iter().flatten().sum();
        assert!((t - 56_550_138.0).abs() < 1.0, "{t}");
    }

    #[test]
    fn skews_hit_their_targets() {
        let target = [0.4, 0.25, 0.15, 0.12, 0.08];
        let s = expected_shares(Some(target), Some(0.35));
        let mut imd = [0.0; IMDS];
        let mut rural = 0.0;
        for (i, v) in s.iter().enumerate() {
            let k = CellKey::from_index(i);
            imd[k.imd] += v;
            if k.rural == 1 {
                rural += v;
            }
        }
        for q in 0..IMDS {
            assert!((imd[q] - target[q]).abs() < 1e-6, "{imd:?}");
        }
        assert!((rural - 0.35).abs() < 1e-6, "{rural}");
        assert!((s.iter().sum::<f64>() - 1.0).abs() < 1e-9);
    }

    #[test]
    fn synthesis_rounds_to_the_requested_size() {
        let p = synthesise(1_500_000, None, None);
        assert_eq!(p.total(), 1_500_000);
    }
}
