//! The contract basis: what every contract is set on, computed once per scenario from the
//! status quo at the parameters' means (expected cost and activity per scope, risk weights, the
//! expected indicators and the trend they move on). What happens in a replication never
//! changes it.

use super::heads::WeightedHeads;
use crate::activity::expected::{CellExpectations, masked};
use crate::population::{AGES, BASE_CELLS, CONDITIONS, LTCS, SEXES};
use crate::scenario::Indicator;
use crate::transitions::{ArrivalProfiles, TransitionRates, expected_arrivals, expected_survivors};

/// People alike but for their health: age, sex, deprivation quintile and rurality.
pub const STRATA: usize = BASE_CELLS / LTCS;

/// A person's health in the cohort model: their LTC count and whether they have the condition.
pub const HEALTH_STATES: usize = CONDITIONS * LTCS;

/// The stratum of cell `c`.
pub fn stratum_of(c: usize) -> usize {
    (c % BASE_CELLS) / LTCS
}

/// The health state of cell `c`.
fn health_of(c: usize) -> usize {
    (c / BASE_CELLS) * LTCS + c % LTCS
}

/// The cell of stratum `s` in health state `h`.
fn cell_of(s: usize, h: usize) -> usize {
    (h / LTCS) * BASE_CELLS + s * LTCS + h % LTCS
}

/// The status quo projected year by year in expectation ([`expected_survivors`] and
/// [`expected_arrivals`]: the cohort step at its means), each person tagged with the health
/// they had at contract start, or on arriving (born or moving in) after it.
pub struct Projection {
    /// Expected people per cell at the start of each year (0-based), covered or not.
    pub heads: Vec<Vec<f64>>,
    /// Per year, per stratum ([`STRATA`] × [`HEALTH_STATES`]): the shares of the people
    /// covered in the stratum that had each health state at start (all zero for a stratum
    /// nobody covered is expected in).
    pub start_health: Vec<Vec<f64>>,
}

impl Projection {
    /// `initial`'s people (per cell) over `years`, counting the cells of `mask` as covered.
    pub fn new(
        initial: &[f64],
        mask: &[bool],
        rates: &TransitionRates,
        arrivals: &ArrivalProfiles,
        years: u32,
    ) -> Projection {
        // One population per health state at start; together they are everyone.
        let mut by_start: Vec<Vec<f64>> = (0..HEALTH_STATES)
            .map(|h| {
                (0..initial.len())
                    .map(|c| if health_of(c) == h { initial[c] } else { 0.0 })
                    .collect()
            })
            .collect();
        let mut next = by_start.clone();
        let mut arriving = vec![0.0; initial.len()];
        let mut projection = Projection {
            heads: Vec::new(),
            start_health: Vec::new(),
        };
        for _ in 0..years {
            let everyone: Vec<f64> = (0..initial.len())
                .map(|c| by_start.iter().map(|p| p[c]).sum())
                .collect();
            projection
                .start_health
                .push(start_health_shares(&by_start, mask));
            projection.heads.push(everyone);
            let (mut start, mut exits) = (0.0, 0.0);
            for (cur, next) in by_start.iter().zip(&mut next) {
                next.fill(0.0);
                let (n, e) = expected_survivors(cur, next, rates);
                start += n;
                exits += e;
            }
            arriving.fill(0.0);
            expected_arrivals(start, exits, rates, arrivals, &mut arriving);
            for (c, &n) in arriving.iter().enumerate() {
                next[health_of(c)][c] += n;
            }
            std::mem::swap(&mut by_start, &mut next);
        }
        projection
    }
}

/// Per stratum, the shares of its covered people by their health at start.
fn start_health_shares(by_start: &[Vec<f64>], mask: &[bool]) -> Vec<f64> {
    let mut shares = vec![0.0; STRATA * HEALTH_STATES];
    for (h, pop) in by_start.iter().enumerate() {
        for (c, n) in masked(pop.iter().copied(), mask).into_iter().enumerate() {
            shares[stratum_of(c) * HEALTH_STATES + h] += n;
        }
    }
    for stratum in shares.chunks_mut(HEALTH_STATES) {
        let total: f64 = stratum.iter().sum();
        if total > 0.0 {
            stratum.iter_mut().for_each(|x| *x /= total);
        }
    }
    shares
}

/// One year's fixed weights per stratum: `full` weights averaged over the health the
/// stratum's people had at start (`shares`, [`Projection::start_health`]); a stratum nobody
/// is expected in keeps its `age_sex_deprivation_rurality` weight.
fn fixed_weights(shares: &[f64], full: &[f64], age_sex_deprivation_rurality: &[f64]) -> Vec<f64> {
    (0..STRATA)
        .map(|s| {
            let shares = &shares[s * HEALTH_STATES..(s + 1) * HEALTH_STATES];
            if shares.iter().all(|&x| x == 0.0) {
                return age_sex_deprivation_rurality[cell_of(s, 0)];
            }
            (0..HEALTH_STATES)
                .map(|h| shares[h] * full[cell_of(s, h)])
                .sum()
        })
        .collect()
}

/// A set of activity types held together, with the baseline figures contracts are set on.
#[derive(Debug, Clone, PartialEq)]
pub struct Scope {
    pub in_scope: Vec<bool>,
    /// Risk weights per cell (age-sex; age, sex, deprivation and rurality; and full), averaging
    /// 1 over the baseline population.
    pub weights_age_sex: Vec<f64>,
    pub weights_age_sex_deprivation_rurality: Vec<f64>,
    pub weights_full: Vec<f64>,
    /// Full weights with each person's health as at contract start (or on arriving), per year
    /// (0-based) and stratum ([`stratum_of`]): the mean full weight of the stratum's cells
    /// over the health its people are expected to have had at start ([`Basis::start_health`]),
    /// scaled each year so that the status quo's expected people weigh what they would with
    /// concurrent full weights. A condition gained or prevented during the term does not move
    /// the payment; the conditions the status quo was expected to gather are paid for. In the
    /// first year they are the age, sex, deprivation and rurality weights.
    pub weights_fixed: Vec<Vec<f64>>,
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
    /// covered cell) and its expected activity, and on the status quo's projection in `basis`.
    pub fn new(
        in_scope: Vec<bool>,
        expected: &CellExpectations,
        baseline: &[f64],
        basis: &Basis,
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
        let expected_cost_per_head = basis
            .expected_heads
            .iter()
            .map(|heads| {
                let n: f64 = heads.iter().sum();
                let cost: f64 = heads.iter().zip(&cell_cost).map(|(n, e)| n * e).sum();
                if n > 0.0 { cost / n } else { 0.0 }
            })
            .collect();
        let weights_fixed = basis
            .start_health
            .iter()
            .zip(&basis.expected_heads)
            .map(|(shares, heads)| {
                let mut fixed =
                    fixed_weights(shares, &weights_full, &weights_age_sex_deprivation_rurality);
                // The morbidity the status quo is expected to gather is paid for: its expected
                // people weigh the same in total as they would concurrently.
                let (mut concurrent, mut at_start) = (0.0, 0.0);
                for (c, &n) in heads.iter().enumerate() {
                    concurrent += n * weights_full[c];
                    at_start += n * fixed[stratum_of(c)];
                }
                if concurrent > 0.0 && at_start > 0.0 {
                    fixed.iter_mut().for_each(|w| *w *= concurrent / at_start);
                }
                fixed
            })
            .collect();
        Scope {
            in_scope,
            weights_age_sex,
            weights_age_sex_deprivation_rurality,
            weights_full,
            weights_fixed,
            expected_cost,
            expected_count,
            expected_cost_by_type,
            baseline_heads: heads,
            expected_cost_per_head,
        }
    }

    /// The fixed weights of year `year` (0-based) per stratum; the last year's beyond the
    /// projection, none without one.
    pub fn fixed_weights_in(&self, year: u32) -> &[f64] {
        let last = self.weights_fixed.len().saturating_sub(1);
        self.weights_fixed
            .get((year as usize).min(last))
            .map_or(&[], Vec::as_slice)
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
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Basis {
    /// Every indicator ([`Indicator::all`]) and its expected value in each year (0-based), the
    /// baseline year first: the status quo projected year by year in expectation
    /// ([`Projection`]), its activity per head on the demand trend and its cost
    /// on demand and cost inflation. Waiting-list figures are the first year's throughout.
    pub indicators: Vec<Indicator>,
    pub expected_indicators: Vec<Vec<f64>>,
    /// The expected head count of every covered cell at the start of each year (0-based).
    pub expected_heads: Vec<Vec<f64>>,
    /// Per year, the health its covered people had at contract start, by stratum
    /// ([`Projection::start_health`]): what `weights = "fixed"` weighs them by.
    pub start_health: Vec<Vec<f64>>,
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
    use crate::contracts::heads::ScopeHeads;
    use crate::population::{AGE_STRIDE, CELLS, Population};
    use crate::transitions::{NoDraws, StepStreams, step};

    /// Weights fixed at start weigh people by the health they started with, scaled to what
    /// the status quo was expected to gather. Everyone starts aged 40 or 41, two thirds of them
    /// without a long-term condition; half gain one in the year, nobody dies. A year on, each
    /// stratum is weighed by its own start: the younger one's people all started without a
    /// condition, the older one's two thirds. Two populations that differ only in the
    /// conditions drawn count the same. In the first year fixed weights are the age, sex,
    /// deprivation and rurality ones.
    #[test]
    fn fixed_weights_keep_the_health_people_started_with() {
        let (young, old) = (40 * AGE_STRIDE, 41 * AGE_STRIDE);
        let mut initial = vec![0.0; CELLS];
        initial[young] = 1_000.0;
        initial[old] = 1_000.0;
        initial[old + 1] = 500.0;
        let mut rates = TransitionRates::empty();
        rates.set_death_everywhere(0.0);
        rates.onset = vec![0.5; CELLS];
        rates.condition_onset = vec![0.0; BASE_CELLS];
        let closed = ArrivalProfiles::new(vec![0.0; CELLS], vec![0.0; CELLS], false);
        let mask = vec![true; CELLS];
        let projection = Projection::new(&initial, &mask, &rates, &closed, 2);
        let basis = Basis {
            expected_heads: projection.heads.clone(),
            start_health: projection.start_health,
            ..Basis::default()
        };
        // Each long-term condition adds its cost again.
        let cost = (0..CELLS)
            .map(|c| 100.0 * (1.0 + (c % LTCS) as f64))
            .collect();
        let expected = CellExpectations {
            types: 1,
            count: vec![1.0; CELLS],
            cost,
        };
        let scope = Scope::new(vec![true], &expected, &initial, &basis);
        for c in [young, old] {
            let asdr = scope.weights_age_sex_deprivation_rurality[c];
            assert!((scope.fixed_weights_in(0)[stratum_of(c)] - asdr).abs() < 1e-12);
        }
        // A year on, by the health each started with, times one scale for both.
        let full = |c: usize| scope.weights_full[c];
        let (from_young, from_old) = (young + AGE_STRIDE, old + AGE_STRIDE);
        let raw = [
            full(from_young),
            (2.0 * full(from_old) + full(from_old + 1)) / 3.0,
        ];
        let fixed = [
            scope.fixed_weights_in(1)[stratum_of(from_young)],
            scope.fixed_weights_in(1)[stratum_of(from_old)],
        ];
        assert!((fixed[0] / fixed[1] - raw[0] / raw[1]).abs() < 1e-12);
        let heads = &projection.heads[1];
        let concurrent: f64 = (0..CELLS).map(|c| heads[c] * full(c)).sum();
        let at_start = 1_000.0 * fixed[0] + 1_500.0 * fixed[1];
        assert!((at_start / concurrent - 1.0).abs() < 1e-12);
        assert!(
            fixed[0] > raw[0] * 1.1,
            "the gathered conditions are paid for"
        );
        let weigh = |counts: [u32; 3]| {
            let mut cells = vec![0u32; CELLS];
            cells[from_old..from_old + 3].copy_from_slice(&counts);
            let pop = Population::from_counts(cells);
            let mut heads = ScopeHeads::default();
            let covered = [from_old, from_old + 1, from_old + 2];
            heads.weigh(std::slice::from_ref(&scope), &pop, &covered, 1);
            heads.totals[0]
        };
        let (drawn, fewer) = (weigh([500, 750, 250]), weigh([900, 500, 100]));
        assert_eq!(drawn.fixed, fewer.fixed);
        assert!((drawn.fixed - 1_500.0 * fixed[1]).abs() < 1e-9);
        assert!(drawn.full > fewer.full);
    }

    /// The projection is the mean of the drawn step: a place with deaths, leavers, onsets, the
    /// condition gained and lost, births and movers, at a cell of the top age and the top LTC
    /// count too, stepped from many streams, averages the projection's second year in every
    /// cell within four standard errors, and in total within 0.2%.
    #[test]
    fn the_projection_is_the_mean_of_the_drawn_step() {
        let mut counts = vec![0u32; CELLS];
        let cells = [
            (0, 400),
            (30 * AGE_STRIDE + 1, 900),
            (70 * AGE_STRIDE + 2, 1_500),
            (70 * AGE_STRIDE + LTCS - 1, 300),
            (100 * AGE_STRIDE + 3, 200),
            (BASE_CELLS + 80 * AGE_STRIDE + 2, 700),
        ];
        for (c, n) in cells {
            counts[c] = n;
        }
        let cur = Population::from_counts(counts);
        let mut rates = TransitionRates::empty();
        rates.set_death_everywhere(0.03);
        rates.set_death(100 * AGE_STRIDE + 3, 0.3);
        rates.set_leaver_rate(0.05);
        rates.onset = vec![0.08; CELLS];
        rates.condition_onset = vec![0.02; BASE_CELLS];
        rates.condition_exit = 0.1;
        rates.birth_rate = 0.011;
        rates.growth_rate = 0.02;
        let mut births = vec![0.0; CELLS];
        births[0] = 0.5;
        births[1] = 0.5;
        let mut migrants = vec![0.0; CELLS];
        migrants[20 * AGE_STRIDE] = 0.25;
        migrants[45 * AGE_STRIDE + 7] = 0.75;
        let arrivals = ArrivalProfiles::new(births, migrants, true);
        let start: Vec<f64> = cur.as_slice().iter().map(|&n| f64::from(n)).collect();
        let projection = Projection::new(&start, &[true; CELLS], &rates, &arrivals, 2);
        let expected = &projection.heads[1];

        let replications = 4_000;
        let (mut sum, mut sum_sq) = (vec![0.0; CELLS], vec![0.0; CELLS]);
        let mut next = Population::zeros();
        for r in 0..replications {
            step(
                &cur,
                &mut next,
                &[true; CELLS],
                &rates,
                &arrivals,
                &StepStreams::new(9, r),
                0,
                None,
                &mut NoDraws,
                &mut Vec::new(),
            );
            for (c, &n) in next.as_slice().iter().enumerate() {
                let n = f64::from(n);
                sum[c] += n;
                sum_sq[c] += n * n;
            }
        }
        let r = replications as f64;
        let mut reached = 0;
        for c in 0..CELLS {
            let mean = sum[c] / r;
            let se = ((sum_sq[c] / r - mean * mean).max(0.0) / r).sqrt();
            assert!(
                (mean - expected[c]).abs() <= 4.0 * se + 1e-9,
                "cell {c}: drawn {mean} (se {se}), expected {}",
                expected[c]
            );
            reached += usize::from(expected[c] > 1.0);
        }
        // Survivors of six cells into their own, onsets and switched cells, and arrivals.
        assert!(reached > 20, "{reached} cells expected to hold people");
        let (drawn, wanted) = (sum.iter().sum::<f64>() / r, expected.iter().sum::<f64>());
        assert!(
            (drawn / wanted - 1.0).abs() < 0.002,
            "{drawn} against {wanted}"
        );
    }

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
            let scope = Scope::new(vec![true], &expected, &baseline, &Basis::default());
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
