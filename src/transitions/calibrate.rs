//! Calibration: turning published rates and relative risks into per-cell probabilities that
//! reproduce the published totals (computed once, against England's reference structure).
//!
//! Deaths. q(age, sex, imd, k) = 1 - exp(-c · m · RR_k · RR_imd), where m = -ln(1 - q_life) is
//! the life-table hazard and c is solved so that the England-weighted mean of q in each age-sex
//! group equals the life-table q. The relative risks thus redistribute deaths within an age-sex
//! group instead of adding to them. RR_imd is the ratio within cells that makes each quintile's
//! under-75 age-standardised mortality the published ratio to the least deprived's.
//!
//! Onset. Take the target LTC distribution π_a at age a (for a sex and IMD quintile), remove this
//! year's deaths (which fall more on people with more conditions), and ask what one-step
//! k → k+1 flows turn it into π_{a+1}. With cumulative distributions F, the flow out of k is
//! F'_a(k) - F_{a+1}(k) and the onset probability is that flow over the head count at k. An
//! unchanged population then keeps its multimorbidity profile by age year after year.

use std::sync::OnceLock;

use crate::data;
use crate::population::multimorbidity;
use crate::population::synthesis::england_reference_shares;
use crate::population::{AGES, CELLS, CellKey, IMDS, LTCS, SEXES};

/// Calibrated base probabilities per cell (flat cell order).
#[derive(Debug, Clone)]
pub struct Calibration {
    pub death: Vec<f64>,
    pub onset: Vec<f64>,
    /// ln(1 − death), so a replication's hazard multiplier m gives 1 − (1 − q)^m by one `exp`.
    pub log_survival: Vec<f64>,
}

/// Life-table probability of death by single year of age (band value) and sex.
pub fn life_table_qx() -> [[f64; SEXES]; AGES] {
    let mut out = [[0.0; SEXES]; AGES];
    for row in data::mortality() {
        let (lo, hi) = data::parse_band(&row.age_band);
        let sex = if row.sex == "F" { 0 } else { 1 };
        for a in lo..=hi {
            out[a as usize][sex] = row.qx;
        }
    }
    out
}

fn relative_risks() -> ([f64; LTCS], [f64; IMDS]) {
    let mut ltc = [1.0; LTCS];
    let mut imd = [1.0; IMDS];
    for r in data::mortality_modifiers() {
        match r.stratifier.as_str() {
            "ltc_count" => ltc[usize::from(r.level)] = r.relative_risk,
            "imd_quintile" => imd[usize::from(r.level) - 1] = r.relative_risk,
            other => panic!("unknown stratifier {other} in data/mortality_modifiers.csv"),
        }
    }
    (ltc, imd)
}

/// Index of (age, sex, IMD quintile, LTC count) in tables shared by both ruralities.
fn cell_index(a: usize, s: usize, i: usize, k: usize) -> usize {
    ((a * SEXES + s) * IMDS + i) * LTCS + k
}

/// England's share of people in each (age, sex, IMD quintile, LTC count), both ruralities.
fn death_weights(reference: &[f64]) -> Vec<f64> {
    let mut w = vec![0.0; AGES * SEXES * IMDS * LTCS];
    for (c, share) in reference.iter().enumerate() {
        let k = CellKey::from_index(c);
        w[cell_index(k.age, k.sex, k.imd, k.ltc)] += share;
    }
    w
}

/// Ages whose deaths the deprivation gradient is published for (under-75 mortality).
const GRADIENT_AGES: std::ops::Range<usize> = 0..75;

/// Probabilities of death per (age, sex, IMD quintile, LTC count): the life table's, moved by
/// the LTC count's relative risk `rr_ltc` and a deprivation relative risk within cells, and
/// renormalised so each age-sex group dies at its life-table rate over England's `weights`.
///
/// `standardised_imd` are each quintile's under-75 age-standardised mortality relative to the
/// least deprived's, as published (abel2016: 2.38 for the most deprived): people in deprived
/// areas have more conditions, so those ratios applied within cells would stack on the LTC
/// gradient (2.70 for a stated 2.38). The ratios within cells are found by fixed-point
/// iteration: each is scaled by how far its quintile's standardised ratio is from the target,
/// England's under-75 population the standard.
fn deaths_within_cells(
    weights: &[f64],
    rr_ltc: &[f64; LTCS],
    standardised_imd: &[f64; IMDS],
) -> Vec<f64> {
    let qx = life_table_qx();
    let mut within = *standardised_imd;
    let mut q_cell = renormalised_deaths(&qx, weights, rr_ltc, &within);
    for _ in 0..200 {
        let ratios = standardised_ratios(weights, &q_cell);
        let mut furthest: f64 = 0.0;
        for ((within, target), ratio) in within.iter_mut().zip(standardised_imd).zip(ratios) {
            let step = target / ratio;
            *within *= step;
            furthest = furthest.max((step - 1.0).abs());
        }
        q_cell = renormalised_deaths(&qx, weights, rr_ltc, &within);
        if furthest < 1e-12 {
            break;
        }
    }
    q_cell
}

/// Deaths per (age, sex, IMD quintile, LTC count) for relative risks `rr_ltc` and `rr_imd`
/// within cells: q = 1 − exp(−c · m · RR), c solved per age-sex group (by Newton's method) so that
/// the group dies at its life-table rate `qx` over England's `weights`.
fn renormalised_deaths(
    qx: &[[f64; SEXES]; AGES],
    weights: &[f64],
    rr_ltc: &[f64; LTCS],
    rr_imd: &[f64; IMDS],
) -> Vec<f64> {
    let mut q_cell = vec![0.0; AGES * SEXES * IMDS * LTCS];
    for (a, by_sex) in qx.iter().enumerate() {
        for (s, &q_life) in by_sex.iter().enumerate() {
            let hazard = -(1.0 - q_life).ln();
            let group = cell_index(a, s, 0, 0)..cell_index(a, s, IMDS - 1, LTCS - 1) + 1;
            let rr = |cell: usize| {
                let (i, k) = ((cell / LTCS) % IMDS, cell % LTCS);
                rr_ltc[k] * rr_imd[i]
            };
            let total: f64 = weights[group.clone()].iter().sum();
            // The group's mean q at c and its slope: increasing and concave in c.
            let mean_q = |c: f64| {
                let (mut q, mut slope) = (0.0, 0.0);
                for cell in group.clone() {
                    let h = hazard * rr(cell);
                    let survive = (-c * h).exp();
                    q += weights[cell] * (1.0 - survive);
                    slope += weights[cell] * h * survive;
                }
                (q / total, slope / total)
            };
            let c = crate::bisect::increasing_concave_from_zero(mean_q, q_life);
            for cell in group {
                q_cell[cell] = 1.0 - (-c * hazard * rr(cell)).exp();
            }
        }
    }
    q_cell
}

/// Each quintile's under-75 age-standardised death rate relative to the least deprived's,
/// England's under-75 population by age and sex the standard.
fn standardised_ratios(weights: &[f64], q_cell: &[f64]) -> [f64; IMDS] {
    let mut rate = [0.0; IMDS];
    for a in GRADIENT_AGES {
        for s in 0..SEXES {
            let at = |i: usize| cell_index(a, s, i, 0)..cell_index(a, s, i, LTCS - 1) + 1;
            let standard: f64 = (0..IMDS).map(|i| weights[at(i)].iter().sum::<f64>()).sum();
            for (i, rate) in rate.iter_mut().enumerate() {
                let people: f64 = weights[at(i)].iter().sum();
                let deaths: f64 = at(i).map(|c| weights[c] * q_cell[c]).sum();
                if people > 0.0 {
                    *rate += standard * deaths / people;
                }
            }
        }
    }
    rate.map(|r| r / rate[IMDS - 1])
}

impl Calibration {
    /// The calibration against England's structure (computed once per process).
    pub fn england() -> &'static Calibration {
        static C: OnceLock<Calibration> = OnceLock::new();
        C.get_or_init(Calibration::compute)
    }

    fn compute() -> Calibration {
        let reference = england_reference_shares();
        let (rr_ltc, standardised_imd) = relative_risks();
        let weights = death_weights(reference);
        let q_cell = deaths_within_cells(&weights, &rr_ltc, &standardised_imd);
        let mut h_cell = vec![0.0; AGES * SEXES * IMDS * LTCS];
        for a in 0..AGES {
            let next_age = (a + 1).min(AGES - 1);
            for s in 0..SEXES {
                for i in 0..IMDS {
                    let now = multimorbidity::target(a, s, i);
                    let next = multimorbidity::target(next_age, s, i);
                    let mut survivors = [0.0; LTCS];
                    for k in 0..LTCS {
                        survivors[k] = now[k] * (1.0 - q_cell[cell_index(a, s, i, k)]);
                    }
                    let t: f64 = survivors.iter().sum();
                    survivors.iter_mut().for_each(|x| *x /= t);
                    let (mut f_now, mut f_next) = (0.0, 0.0);
                    for k in 0..LTCS - 1 {
                        f_now += survivors[k];
                        f_next += next[k];
                        let flow = f_now - f_next;
                        h_cell[cell_index(a, s, i, k)] = if survivors[k] > 0.0 {
                            (flow / survivors[k]).clamp(0.0, 1.0)
                        } else {
                            0.0
                        };
                    }
                }
            }
        }
        let mut death = vec![0.0; CELLS];
        let mut onset = vec![0.0; CELLS];
        for c in 0..CELLS {
            let k = CellKey::from_index(c);
            death[c] = q_cell[cell_index(k.age, k.sex, k.imd, k.ltc)];
            onset[c] = h_cell[cell_index(k.age, k.sex, k.imd, k.ltc)];
        }
        let log_survival = death.iter().map(|&q: &f64| (-q).ln_1p()).collect();
        Calibration {
            death,
            onset,
            log_survival,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each age-sex group still dies at its life-table rate over England's structure.
    #[test]
    fn deaths_renormalise_to_the_life_table() {
        let c = Calibration::england();
        let r = england_reference_shares();
        let qx = life_table_qx();
        for (a, s) in [(0, 0), (40, 1), (75, 0), (95, 1), (100, 0)] {
            let (mut w, mut d) = (0.0, 0.0);
            for (cell, share) in r.iter().enumerate() {
                let k = CellKey::from_index(cell);
                if k.age == a && k.sex == s {
                    w += share;
                    d += share * c.death[cell];
                }
            }
            assert!(
                (d / w - qx[a][s]).abs() < 1e-9,
                "age {a} sex {s}: {} vs {}",
                d / w,
                qx[a][s]
            );
        }
    }

    /// Each quintile's under-75 age-standardised mortality is the published ratio to the least
    /// deprived's (data/mortality_modifiers.csv: 2.38 for the most deprived), not that ratio
    /// stacked on the LTC gradient. Measured here over England's structure from the deaths per
    /// cell, the standardisation written out again.
    #[test]
    fn deprivation_gradient_is_the_published_standardised_one() {
        let c = Calibration::england();
        let r = england_reference_shares();
        let (_, published) = relative_risks();
        let (mut deaths, mut people) = ([[0.0; IMDS]; 150], [[0.0; IMDS]; 150]);
        for (cell, share) in r.iter().enumerate() {
            let k = CellKey::from_index(cell);
            if k.age < 75 {
                deaths[k.age * SEXES + k.sex][k.imd] += share * c.death[cell];
                people[k.age * SEXES + k.sex][k.imd] += share;
            }
        }
        let standardised = |i: usize| -> f64 {
            (0..150)
                .map(|g| people[g].iter().sum::<f64>() * deaths[g][i] / people[g][i])
                .sum()
        };
        for (i, &published) in published.iter().enumerate() {
            let ratio = standardised(i) / standardised(IMDS - 1);
            assert!(
                (ratio / published - 1.0).abs() < 1e-9,
                "quintile {}: {ratio} for a published {published}",
                i + 1,
            );
        }
    }

    #[test]
    fn more_conditions_and_more_deprivation_mean_higher_risk() {
        let c = Calibration::england();
        let at = |imd, ltc| {
            c.death[CellKey {
                age: 70,
                sex: 1,
                imd,
                rural: 0,
                ltc,
                ..CellKey::default()
            }
            .index()]
        };
        assert!(at(0, 3) > at(4, 3));
        assert!(at(2, 4) > at(2, 0));
        assert!((at(2, 4) / at(2, 0) - 2.79).abs() < 0.05); // RR survives re-normalisation at low q
    }
}
