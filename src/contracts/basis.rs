//! The contract basis: what every contract is set on, computed once per scenario from the
//! status quo at the parameters' means (expected cost and activity per scope, risk weights, the
//! expected indicators and the trend they move on). What happens in a replication never
//! changes it.

use super::heads::WeightedHeads;
use crate::activity::expected::CellExpectations;
use crate::population::{AGES, BASE_CELLS, LTCS, SEXES};
use crate::scenario::Indicator;

/// A set of activity types held together, with the baseline figures contracts are set on.
#[derive(Debug, Clone, PartialEq)]
pub struct Scope {
    pub in_scope: Vec<bool>,
    /// Risk weights per cell (age-sex; age, sex, deprivation and rurality; and full), averaging
    /// 1 over the baseline population.
    pub weights_age_sex: Vec<f64>,
    pub weights_age_sex_deprivation_rurality: Vec<f64>,
    pub weights_full: Vec<f64>,
    /// Expected cost of the scope's activity in the baseline year.
    pub expected_cost: f64,
    /// Expected baseline-year count and cost per type (zero outside the scope).
    pub expected_count: Vec<f64>,
    pub expected_cost_by_type: Vec<f64>,
    pub baseline_heads: f64,
    /// Expected cost of the scope's activity per head covered in each year (0-based) of the
    /// status quo's projection ([`Basis::expected_heads`]), at the baseline year's rates and
    /// prices: ageing and the changing mix of conditions move it, trend and inflation do not.
    pub expected_cost_per_head: Vec<f64>,
}

impl Scope {
    /// The scope of `in_scope`'s types, on the baseline population `baseline` (heads per
    /// covered cell) and its expected activity; `projected` is the covered heads expected in
    /// each year ([`Basis::expected_heads`]).
    pub fn new(
        in_scope: Vec<bool>,
        expected: &CellExpectations,
        baseline: &[f64],
        projected: &[Vec<f64>],
    ) -> Scope {
        let nt = in_scope.len();
        let cells = baseline.len();
        let cell_cost: Vec<f64> = (0..cells)
            .map(|c| {
                (0..nt)
                    .filter(|&t| in_scope[t])
                    .map(|t| expected.cost[c * nt + t])
                    .sum()
            })
            .collect();
        let heads: f64 = baseline.iter().sum();
        let expected_cost: f64 = baseline.iter().zip(&cell_cost).map(|(n, e)| n * e).sum();
        let mean = if heads > 0.0 {
            expected_cost / heads
        } else {
            0.0
        };
        let norm = |x: f64| if mean > 0.0 { x / mean } else { 1.0 };
        // A weight that ignores some axes is the mean expected cost over the cells that share
        // the axes it keeps (`key` numbers them, from 0 up to `keys`).
        let mean_over = |keys: usize, key: &dyn Fn(usize) -> usize| -> Vec<f64> {
            let (mut n, mut cost, mut unweighted, mut size) = (
                vec![0.0; keys],
                vec![0.0; keys],
                vec![0.0; keys],
                vec![0.0; keys],
            );
            for c in 0..cells {
                let k = key(c);
                n[k] += baseline[c];
                cost[k] += baseline[c] * cell_cost[c];
                unweighted[k] += cell_cost[c];
                size[k] += 1.0;
            }
            // A group absent from the baseline gets the mean of its cells' expected cost.
            let w: Vec<f64> = (0..keys)
                .map(|k| {
                    if n[k] > 0.0 {
                        norm(cost[k] / n[k])
                    } else if size[k] > 0.0 {
                        norm(unweighted[k] / size[k])
                    } else {
                        1.0
                    }
                })
                .collect();
            (0..cells).map(|c| w[key(c)]).collect()
        };
        // Full adjustment tells every cell apart, the condition too; the others pool people
        // with and without it.
        let weights_full = mean_over(cells, &|c| c);
        let weights_age_sex = mean_over(AGES * SEXES, &|c| {
            (c % BASE_CELLS) / (BASE_CELLS / (AGES * SEXES))
        });
        let weights_age_sex_deprivation_rurality =
            mean_over(BASE_CELLS / LTCS, &|c| (c % BASE_CELLS) / LTCS);
        let by_type = |per_cell: &[f64]| -> Vec<f64> {
            (0..nt)
                .map(|t| {
                    if in_scope[t] {
                        (0..cells).map(|c| baseline[c] * per_cell[c * nt + t]).sum()
                    } else {
                        0.0
                    }
                })
                .collect()
        };
        let expected_count = by_type(&expected.count);
        let expected_cost_by_type = by_type(&expected.cost);
        let expected_cost_per_head = projected
            .iter()
            .map(|heads| {
                let n: f64 = heads.iter().sum();
                let cost: f64 = heads.iter().zip(&cell_cost).map(|(n, e)| n * e).sum();
                if n > 0.0 { cost / n } else { 0.0 }
            })
            .collect();
        Scope {
            in_scope,
            weights_age_sex,
            weights_age_sex_deprivation_rurality,
            weights_full,
            expected_cost,
            expected_count,
            expected_cost_by_type,
            baseline_heads: heads,
            expected_cost_per_head,
        }
    }

    /// Planned volume this year relative to the baseline: the baseline's expected volume on
    /// trend, for the head count actually covered.
    pub fn volume_index(&self, heads: &WeightedHeads, trend_index: f64) -> f64 {
        let per_baseline_head = if self.baseline_heads > 0.0 {
            heads.plain / self.baseline_heads
        } else {
            0.0
        };
        per_baseline_head * trend_index
    }
}

/// The status quo's expectations that do not depend on a scope.
#[derive(Debug, Clone, PartialEq)]
pub struct Basis {
    /// Every indicator ([`Indicator::all`]) and its expected value in each year (0-based), the
    /// baseline year first: the status quo projected year by year in expectation
    /// (`transitions::expected_step`), its activity per head on the demand trend and its cost
    /// on demand and cost inflation. Waiting-list figures are the first year's throughout.
    pub indicators: Vec<Indicator>,
    pub expected_indicators: Vec<Vec<f64>>,
    /// The expected head count of every covered cell at the start of each year (0-based).
    pub expected_heads: Vec<Vec<f64>>,
    /// Growth of expected cost per head per year (demand trend × cost inflation, at their means).
    pub expected_growth: f64,
    /// Growth of activity per head per year (the demand trend at its mean).
    pub expected_trend: f64,
}

impl Basis {
    /// Expected cost per head in year `year` (0-based) relative to the baseline year, for the
    /// same people: the demand trend and cost inflation.
    pub fn growth_index(&self, year: u32) -> f64 {
        (1.0 + self.expected_growth).powi(year as i32)
    }

    /// Expected activity per head in year `year` relative to the baseline year, for the same
    /// people: the demand trend.
    pub fn trend_index(&self, year: u32) -> f64 {
        (1.0 + self.expected_trend).powi(year as i32)
    }

    /// Expected indicator values in year `year` (0-based), in [`Indicator::slot`] order.
    /// Targets written `*_vs_expected` are relative to these.
    pub fn expected_indicators_in(&self, year: u32) -> &[f64] {
        &self.expected_indicators[self.year_index(year)]
    }

    /// The expected head count of every covered cell at the start of year `year` (0-based).
    pub fn expected_heads_in(&self, year: u32) -> &[f64] {
        &self.expected_heads[self.year_index(year)]
    }

    fn year_index(&self, year: u32) -> usize {
        (year as usize).min(self.expected_indicators.len().saturating_sub(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::population::CELLS;

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(24))]
        /// Risk weights average 1 over the population they are set on, age-sex and full alike.
        #[test]
        fn risk_weights_average_one_over_the_baseline(
            heads in proptest::collection::vec(0u32..40, CELLS),
            cost in proptest::collection::vec(1.0f64..5000.0, CELLS),
        ) {
            let baseline: Vec<f64> = heads.iter().map(|&n| f64::from(n)).collect();
            let total: f64 = baseline.iter().sum();
            proptest::prop_assume!(total > 0.0);
            let expected = CellExpectations { types: 1, count: vec![1.0; CELLS], cost };
            let scope = Scope::new(vec![true], &expected, &baseline, &[]);
            for weights in [
                &scope.weights_full,
                &scope.weights_age_sex,
                &scope.weights_age_sex_deprivation_rurality,
            ] {
                let mean: f64 =
                    baseline.iter().zip(weights).map(|(n, w)| n * w).sum::<f64>() / total;
                proptest::prop_assert!((mean - 1.0).abs() < 1e-9, "mean weight {}", mean);
            }
        }
    }
}
