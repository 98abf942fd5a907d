//! Calibration: turning published rates and relative risks into per-cell probabilities that
//! reproduce the published totals (computed once, against England's reference structure).
//!
//! Deaths. q(age, sex, imd, k) = 1 - exp(-c · m · RR_k · RR_imd), where m = -ln(1 - q_life) is
//! the life-table hazard and c is solved (by bisection) so that the England-weighted mean of q in
//! each age-sex group equals the life-table q. The relative risks thus redistribute deaths
//! within an age-sex group instead of adding to them.
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
use crate::population::{AGES, CELLS, CellKey, IMDS, LTCS, RURALITIES, SEXES};

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

impl Calibration {
    /// The calibration against England's structure (computed once per process).
    pub fn england() -> &'static Calibration {
        static C: OnceLock<Calibration> = OnceLock::new();
        C.get_or_init(Calibration::compute)
    }

    fn compute() -> Calibration {
        let reference = england_reference_shares();
        let qx = life_table_qx();
        let (rr_ltc, rr_imd) = relative_risks();
        // death[(age, sex, imd, ltc)] shared by both ruralities
        let mut q_cell = vec![0.0; AGES * SEXES * IMDS * LTCS];
        let qi = |a: usize, s: usize, i: usize, k: usize| ((a * SEXES + s) * IMDS + i) * LTCS + k;
        for a in 0..AGES {
            for s in 0..SEXES {
                let q_life = qx[a][s];
                let hazard = -(1.0 - q_life).ln();
                let mut weights = Vec::with_capacity(IMDS * LTCS);
                for i in 0..IMDS {
                    for k in 0..LTCS {
                        let w: f64 = (0..RURALITIES)
                            .map(|u| {
                                reference[CellKey {
                                    age: a,
                                    sex: s,
                                    imd: i,
                                    rural: u,
                                    ltc: k,
                                    ..CellKey::default()
                                }
                                .index()]
                            })
                            .sum();
                        weights.push((w, rr_ltc[k] * rr_imd[i]));
                    }
                }
                let total: f64 = weights.iter().map(|w| w.0).sum();
                let mean_q = |c: f64| {
                    weights
                        .iter()
                        .map(|&(w, rr)| w * (1.0 - (-c * hazard * rr).exp()))
                        .sum::<f64>()
                        / total
                };
                let c = crate::bisect::increasing_from_zero(mean_q, q_life);
                for i in 0..IMDS {
                    for k in 0..LTCS {
                        q_cell[qi(a, s, i, k)] = 1.0 - (-c * hazard * rr_ltc[k] * rr_imd[i]).exp();
                    }
                }
            }
        }
        let mut h_cell = vec![0.0; AGES * SEXES * IMDS * LTCS];
        for a in 0..AGES {
            let next_age = (a + 1).min(AGES - 1);
            for s in 0..SEXES {
                for i in 0..IMDS {
                    let now = multimorbidity::target(a, s, i);
                    let next = multimorbidity::target(next_age, s, i);
                    let mut survivors = [0.0; LTCS];
                    for k in 0..LTCS {
                        survivors[k] = now[k] * (1.0 - q_cell[qi(a, s, i, k)]);
                    }
                    let t: f64 = survivors.iter().sum();
                    survivors.iter_mut().for_each(|x| *x /= t);
                    let (mut f_now, mut f_next) = (0.0, 0.0);
                    for k in 0..LTCS - 1 {
                        f_now += survivors[k];
                        f_next += next[k];
                        let flow = f_now - f_next;
                        h_cell[qi(a, s, i, k)] = if survivors[k] > 0.0 {
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
            death[c] = q_cell[qi(k.age, k.sex, k.imd, k.ltc)];
            onset[c] = h_cell[qi(k.age, k.sex, k.imd, k.ltc)];
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
