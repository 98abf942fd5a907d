//! The contract basis: what every contract is set on, computed once per scenario from the
//! status quo at the parameters' means (expected cost and activity per scope, risk weights, the
//! expected indicators and the trend they move on). What happens in a replication never
//! changes it.

use crate::activity::expected::CellExpectations;
use crate::activity::shocks::YearShock;
use crate::contracts::indicators::IndicatorValues;
use crate::population::{AGES, BASE_CELLS, LTCS, SEXES, group_of};
use crate::scenario::Indicator;
use crate::transitions::{ArrivalProfiles, TransitionRates, expected_arrivals, expected_survivors};

/// People alike but for their health: age, sex, deprivation quintile and rurality.
pub const STRATA: usize = BASE_CELLS / LTCS;

/// The stratum of cell `c`.
pub fn stratum_of(c: usize) -> usize {
    (c % BASE_CELLS) / LTCS
}

/// The status quo projected year by year in expectation ([`expected_survivors`] and
/// [`expected_arrivals`]: the cohort step at its means): expected people per cell at the start
/// of each year (0-based), covered or not.
pub fn project_status_quo(
    initial: &[f64],
    rates: &TransitionRates,
    arrivals: &ArrivalProfiles,
    years: u32,
) -> Vec<Vec<f64>> {
    let mut heads = Vec::with_capacity(years as usize);
    let mut pop = initial.to_vec();
    for _ in 0..years {
        let mut next = vec![0.0; pop.len()];
        let (start, exits) = expected_survivors(&pop, &mut next, rates);
        expected_arrivals(start, exits, rates, arrivals, &mut next);
        heads.push(std::mem::replace(&mut pop, next));
    }
    heads
}

/// One year's fixed weights per stratum: the mean `full` weight of the stratum's people
/// expected that year (`heads`, per cell); a stratum nobody is expected in keeps its
/// `age_sex_deprivation_rurality` weight.
fn fixed_weights(heads: &[f64], full: &[f64], age_sex_deprivation_rurality: &[f64]) -> Vec<f64> {
    let (mut people, mut weighed) = (vec![0.0; STRATA], vec![0.0; STRATA]);
    for (c, &n) in heads.iter().enumerate() {
        people[stratum_of(c)] += n;
        weighed[stratum_of(c)] += n * full[c];
    }
    (0..STRATA)
        .map(|s| {
            if people[s] > 0.0 {
                weighed[s] / people[s]
            } else {
                age_sex_deprivation_rurality[s * LTCS]
            }
        })
        .collect()
}

/// Year `year`'s entry (0-based) of figures projected year by year; the last beyond them.
fn in_year<T>(by_year: &[T], year: u32) -> Option<&T> {
    by_year.get((year as usize).min(by_year.len().saturating_sub(1)))
}

/// A set of activity types held together, with the baseline figures contracts are set on.
#[derive(Debug, Clone, PartialEq)]
pub struct Scope {
    pub in_scope: Vec<bool>,
    /// The reporting groups whose people's care the scope holds, when not everyone covered:
    /// a component paying for some people's care ([`ComponentSpec::people`]). Every figure
    /// below is of those people alone.
    ///
    /// [`ComponentSpec::people`]: crate::scenario::contracts::ComponentSpec::people
    pub people: Option<Vec<bool>>,
    /// Risk weights per cell (age-sex; age, sex, deprivation and rurality; and full), averaging
    /// 1 over the baseline population.
    pub weights_age_sex: Vec<f64>,
    pub weights_age_sex_deprivation_rurality: Vec<f64>,
    pub weights_full: Vec<f64>,
    /// Full weights set at contract start for every year of the term, per year (0-based) and
    /// stratum ([`stratum_of`]): the mean full weight of the stratum's people that the status
    /// quo expects that year, the place's own people (not its mix: these weights follow the
    /// people the contract covers). The conditions people actually gain, or a programme
    /// prevents, do not move them; in the first year they weigh each stratum by its people's
    /// conditions at the start, which the age, sex, deprivation and rurality weights of a large
    /// place share.
    pub weights_fixed: Vec<Vec<f64>>,
    /// Expected cost of the scope's activity in the baseline year.
    pub expected_cost: f64,
    /// Expected baseline-year count and cost per type (zero outside the scope).
    pub expected_count: Vec<f64>,
    pub expected_cost_by_type: Vec<f64>,
    pub baseline_heads: f64,
    /// Expected cost of the scope's activity per head covered in each year (0-based) of the
    /// status quo's projection ([`project_status_quo`]), at the baseline year's rates and
    /// prices: ageing and the changing mix of conditions move it, trend and inflation do not.
    pub expected_cost_per_head: Vec<f64>,
    /// The same for each activity type's events (per year, per type; zero outside the scope).
    pub expected_count_per_head: Vec<Vec<f64>>,
}

impl Scope {
    /// The scope of `in_scope`'s types, on the baseline population `baseline` (heads per
    /// covered cell) and its expected activity; `projected` is the covered heads the status quo
    /// expects at the start of each year ([`project_status_quo`]).
    ///
    /// A weight that pools cells (age and sex; age, sex, deprivation and rurality) is the mean
    /// expected cost of a group's cells over `mix`: the place's expected covered heads per
    /// cell, before rounding to whole people, at the start (a group nobody is in then: over
    /// the term), projected like `projected`. In a small place a group holds a person or two,
    /// whose conditions would otherwise set the weight of everyone who ages into the group
    /// later. The weights are then scaled to average 1 over `baseline`.
    ///
    /// With `people` (a mask over reporting groups) every head count is of the people in those
    /// groups alone: the scope of a component paying for their care.
    pub fn new(
        in_scope: Vec<bool>,
        people: Option<Vec<bool>>,
        expected: &CellExpectations,
        baseline: &[f64],
        mix: &[Vec<f64>],
        projected: &[Vec<f64>],
    ) -> Scope {
        let only_people = |heads: &[f64]| -> Vec<f64> {
            match &people {
                Some(groups) => heads
                    .iter()
                    .enumerate()
                    .map(|(c, &n)| if groups[group_of(c)] { n } else { 0.0 })
                    .collect(),
                None => heads.to_vec(),
            }
        };
        let baseline = &only_people(baseline)[..];
        let mix: Vec<Vec<f64>> = mix.iter().map(|heads| only_people(heads)).collect();
        let projected: Vec<Vec<f64>> = projected.iter().map(|heads| only_people(heads)).collect();
        let (mix, projected) = (&mix[..], &projected[..]);
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
        // The place's mix at the start, and over the term: the mix of a group nobody is in at
        // the start but people age or move into.
        let start = mix.first().cloned().unwrap_or_else(|| vec![0.0; cells]);
        let later: Vec<f64> = (0..cells)
            .map(|c| mix.iter().map(|heads| heads[c]).sum())
            .collect();
        // A weight that ignores some axes is the mean expected cost over the cells that share
        // the axes it keeps (`key` numbers them, from 0 up to `keys`), for the people in them.
        let mean_over = |keys: usize, key: &dyn Fn(usize) -> usize| -> Vec<f64> {
            let mean_cost = |people: &[f64]| {
                let (mut n, mut cost) = (vec![0.0; keys], vec![0.0; keys]);
                for c in 0..cells {
                    n[key(c)] += people[c];
                    cost[key(c)] += people[c] * cell_cost[c];
                }
                move |k: usize| (n[k] > 0.0).then(|| cost[k] / n[k])
            };
            let (at_start, over_term, every_cell) = (
                mean_cost(&start),
                mean_cost(&later),
                mean_cost(&vec![1.0; cells]),
            );
            // A group absent from the start is weighed for the people the status quo expects
            // in it later, and one nobody is expected in as the plain mean of its cells.
            let w: Vec<f64> = (0..keys)
                .map(|k| {
                    at_start(k)
                        .or_else(|| over_term(k))
                        .or_else(|| every_cell(k))
                        .unwrap_or(0.0)
                })
                .collect();
            let cost: Vec<f64> = (0..cells).map(|c| w[key(c)]).collect();
            let weighed: f64 = baseline.iter().zip(&cost).map(|(n, w)| n * w).sum();
            if weighed > 0.0 {
                cost.iter().map(|w| w * heads / weighed).collect()
            } else {
                vec![1.0; cells]
            }
        };
        // Full adjustment tells every cell apart, the condition too; the others pool people
        // with and without it.
        let weights_full = mean_over(cells, &|c| c);
        let weights_age_sex = mean_over(AGES * SEXES, &|c| {
            (c % BASE_CELLS) / (BASE_CELLS / (AGES * SEXES))
        });
        let weights_age_sex_deprivation_rurality =
            mean_over(BASE_CELLS / LTCS, &|c| (c % BASE_CELLS) / LTCS);
        // Per type, a per-cell figure summed over `heads` (zero outside the scope).
        let by_type = |per_cell: &[f64], heads: &[f64]| -> Vec<f64> {
            (0..nt)
                .map(|t| {
                    if in_scope[t] {
                        (0..cells).map(|c| heads[c] * per_cell[c * nt + t]).sum()
                    } else {
                        0.0
                    }
                })
                .collect()
        };
        let expected_count = by_type(&expected.count, baseline);
        let expected_cost_by_type = by_type(&expected.cost, baseline);
        // A figure summed over `heads`, per head of them (0 with nobody).
        let per_head_of = |heads: &[f64], total: f64| {
            let n: f64 = heads.iter().sum();
            if n > 0.0 { total / n } else { 0.0 }
        };
        let expected_cost_per_head = projected
            .iter()
            .map(|heads| {
                let cost = heads.iter().zip(&cell_cost).map(|(n, e)| n * e).sum();
                per_head_of(heads, cost)
            })
            .collect();
        let expected_count_per_head = projected
            .iter()
            .map(|heads| {
                let counts = by_type(&expected.count, heads);
                counts.into_iter().map(|n| per_head_of(heads, n)).collect()
            })
            .collect();
        let weights_fixed = projected
            .iter()
            .map(|heads| fixed_weights(heads, &weights_full, &weights_age_sex_deprivation_rurality))
            .collect();
        Scope {
            in_scope,
            people,
            weights_age_sex,
            weights_age_sex_deprivation_rurality,
            weights_full,
            weights_fixed,
            expected_cost,
            expected_count,
            expected_cost_by_type,
            baseline_heads: heads,
            expected_cost_per_head,
            expected_count_per_head,
        }
    }

    /// The fixed weights of year `year` (0-based) per stratum; the last year's beyond the
    /// projection, none without one.
    pub fn fixed_weights_in(&self, year: u32) -> &[f64] {
        in_year(&self.weights_fixed, year).map_or(&[], Vec::as_slice)
    }

    /// Expected cost per head covered in year `year` (0-based) at the baseline year's rates and
    /// prices; the last year's beyond the projection, 0 without one.
    pub fn expected_cost_per_head_in(&self, year: u32) -> f64 {
        in_year(&self.expected_cost_per_head, year).map_or(0.0, |&x| x)
    }

    /// Expected events per head covered in year `year` (0-based), per type (zero outside the
    /// scope), at the baseline year's rates; the last year's beyond the projection.
    pub fn expected_count_per_head_in(&self, year: u32) -> &[f64] {
        in_year(&self.expected_count_per_head, year).map_or(&[], Vec::as_slice)
    }

    /// Whether the scope holds the care of reporting group `g`'s people.
    #[inline]
    pub fn holds_group(&self, g: usize) -> bool {
        self.people.as_ref().is_none_or(|groups| groups[g])
    }

    /// 1 over the baseline head count (0 without one): the baseline's figures per head.
    pub fn per_baseline_head(&self) -> f64 {
        if self.baseline_heads > 0.0 {
            1.0 / self.baseline_heads
        } else {
            0.0
        }
    }
}

/// The status quo's expectations that do not depend on a scope.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Basis {
    /// Every indicator ([`Indicator::all`]) and its expected value in each year (0-based), the
    /// baseline year first: the status quo projected year by year in expectation
    /// ([`project_status_quo`]), its activity per head on the demand trend and its cost
    /// on demand and cost inflation. Waiting-list figures are the first year's throughout.
    pub indicators: Vec<Indicator>,
    pub expected_indicators: Vec<IndicatorValues>,
    /// Growth of expected cost per head per year (demand trend × cost inflation, at their means).
    pub expected_growth: f64,
    /// Growth of activity per head per year (the demand trend at its mean).
    pub expected_trend: f64,
    /// What winters multiply a winter-sensitive type by, as the basis expects
    /// ([`crate::activity::shocks::ShockInputs::expected_winter`]).
    pub expected_winter: f64,
    /// Per activity type, whether a bad winter moves it.
    pub winter_types: Vec<bool>,
    /// Per activity type, whether it is delivered from a waiting list: its activity follows
    /// the list's capacity, not the year's demand.
    pub list_types: Vec<bool>,
    /// Growth of prices per year (the tariff uplift at its mean).
    pub expected_price_uplift: f64,
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

    /// What every population shared in year `year` (0-based), as `shock` drew it, against
    /// what the basis expected: writes into `per_type` each activity type's demand per head
    /// (the replication's trend and noise, and its winter for a winter-sensitive type) over
    /// the expected, 1 for a type delivered from a waiting list (its capacity, not the year's
    /// demand, sets what is done); returns cost inflation since the first year, and prices,
    /// each over the expected. A national cost norm worked out after the year moves with them.
    pub fn realised_trend(
        &self,
        shock: &YearShock,
        year: u32,
        per_type: &mut Vec<f64>,
    ) -> (f64, f64) {
        let trend = self.trend_index(year);
        per_type.clear();
        for (&winter, &list) in self.winter_types.iter().zip(&self.list_types) {
            per_type.push(if list {
                1.0
            } else if winter {
                shock.demand / trend * shock.winter / self.expected_winter
            } else {
                shock.demand / trend
            });
        }
        let inflation = shock.cost_index / (self.growth_index(year) / trend);
        let prices = shock.price_index / (1.0 + self.expected_price_uplift).powi(year as i32);
        (inflation, prices)
    }

    /// Expected indicator values in year `year` (0-based), in [`Indicator::slot`] order.
    /// Targets written `*_vs_expected` are relative to these.
    pub fn expected_indicators_in(&self, year: u32) -> &[f64] {
        in_year(&self.expected_indicators, year).map_or(&[], |v| v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contracts::heads::ScopeHeads;
    use crate::population::{AGE_STRIDE, CELLS, Population};
    use crate::transitions::{NoDraws, StepStreams, step};

    /// Fixed weights are set at contract start on the conditions the status quo expects.
    /// Everyone starts aged 40 without a long-term condition; half gain one each year, nobody
    /// dies. In the first year fixed weights are the age, sex, deprivation and rurality ones; a
    /// year on, the stratum aged 41 is weighed as the half with a condition and the half
    /// without that it is expected to hold, however many have one in a replication.
    #[test]
    fn fixed_weights_are_the_expected_conditions_of_each_stratum() {
        let start_cell = 40 * AGE_STRIDE;
        let mut initial = vec![0.0; CELLS];
        initial[start_cell] = 1_000.0;
        let mut rates = TransitionRates::empty();
        rates.set_death_everywhere(0.0);
        rates.onset = vec![0.5; CELLS];
        rates.condition_onset = vec![0.0; BASE_CELLS];
        let closed = ArrivalProfiles::new(vec![0.0; CELLS], vec![0.0; CELLS], false);
        let projected = project_status_quo(&initial, &rates, &closed, 2);
        // Each long-term condition adds its cost again.
        let cost = (0..CELLS)
            .map(|c| 100.0 * (1.0 + (c % LTCS) as f64))
            .collect();
        let expected = CellExpectations {
            types: 1,
            count: vec![1.0; CELLS],
            cost,
        };
        let scope = Scope::new(
            vec![true],
            None,
            &expected,
            &initial,
            &projected,
            &projected,
        );
        let asdr = scope.weights_age_sex_deprivation_rurality[start_cell];
        assert!((scope.fixed_weights_in(0)[stratum_of(start_cell)] - asdr).abs() < 1e-12);
        let older = start_cell + AGE_STRIDE;
        let full = |c: usize| scope.weights_full[c];
        let want = (full(older) + full(older + 1)) / 2.0;
        let fixed = scope.fixed_weights_in(1)[stratum_of(older)];
        assert!((fixed - want).abs() < 1e-12, "{fixed} against {want}");
        let weigh = |counts: [u32; 2]| {
            let mut cells = vec![0u32; CELLS];
            cells[older..older + 2].copy_from_slice(&counts);
            let pop = Population::from_counts(cells);
            let mut heads = ScopeHeads::default();
            heads.weigh(std::slice::from_ref(&scope), &pop, &[older, older + 1], 1);
            heads.totals[0]
        };
        let (drawn, fewer) = (weigh([480, 520]), weigh([700, 300]));
        assert_eq!(drawn.fixed, fewer.fixed);
        assert!((drawn.fixed - 1_000.0 * want).abs() < 1e-9);
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
        let projected = project_status_quo(&start, &rates, &arrivals, 2);
        let expected = &projected[1];

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
        /// Risk weights average 1 over the population they are set on, age-sex and full alike,
        /// whatever mix the groups are averaged over.
        #[test]
        fn risk_weights_average_one_over_the_baseline(
            heads in proptest::collection::vec(0u32..40, CELLS),
            mix in proptest::collection::vec(0.0f64..40.0, CELLS),
            cost in proptest::collection::vec(1.0f64..5000.0, CELLS),
        ) {
            let baseline: Vec<f64> = heads.iter().map(|&n| f64::from(n)).collect();
            let total: f64 = baseline.iter().sum();
            proptest::prop_assume!(total > 0.0);
            let expected = CellExpectations { types: 1, count: vec![1.0; CELLS], cost };
            let scope = Scope::new(vec![true], None, &expected, &baseline, &[mix], &[]);
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
