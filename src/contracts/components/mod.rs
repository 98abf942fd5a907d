//! Each payment component as a pure function of one holder's year. Amounts are transfers from
//! the commissioner to the contract holder (negative: money flows back). One file per kind,
//! each with worked examples from the seeds as tests.

pub mod activity;
pub mod capitation;
pub mod fixed;
pub mod outcome;
pub mod per_unit;
pub mod quality;
pub mod risk_share;
pub mod shared_savings;

pub use super::heads::WeightedHeads;
pub use crate::contracts::indicators::has_value;
pub use crate::scenario::contracts::*;

/// What a component sees of one contract holder's year.
#[derive(Debug, Clone, Copy)]
pub struct HolderYear<'a> {
    /// Expected cost of the holder's activity in the baseline year (£, first year's prices).
    pub expected_cost: f64,
    /// Head count in the baseline year (risk weights average 1 over it).
    pub baseline_heads: f64,
    /// This year's price (tariff) index relative to the first year.
    pub price_index: f64,
    /// The holder's actual cost of care this year.
    pub cost: f64,
    /// Expected cost per head covered this year at the first year's rates and prices, for the
    /// ages and conditions the status quo expects this year.
    pub expected_cost_per_head: f64,
    /// Per activity type (zero outside the holder's scope): count, price per unit in the first
    /// year's prices, and planned count (expected on trend for the people covered, at the ages
    /// and conditions the status quo expects this year).
    pub count: &'a [f64],
    pub price: &'a [f64],
    pub expected_count: &'a [f64],
    /// Per activity type, the baseline year's expected count per risk-weighted head, on trend:
    /// the risk weights carry the mix of the people covered.
    pub count_per_weighted_head: &'a [f64],
    /// Whether each activity type is the holder's.
    pub in_scope: &'a [bool],
    /// Σ head count × risk weight, for each kind of risk adjustment, this year.
    pub weighted_heads: WeightedHeads,
    /// Expected cost per head this year relative to the first: (1 + demand trend)(1 + cost
    /// inflation) per year, at their means.
    pub growth_index: f64,
    /// What every population shared this year against what was expected of it: per activity
    /// type, the realised demand on trend (the replication's trend, noise and winter) over the
    /// expected; and the holder's cost per head on trend, realised over expected, its types
    /// weighed by their expected cost ([`crate::contracts::basis::Basis::realised_trend`]).
    pub realised_trend: &'a [f64],
    pub realised_cost: f64,
    /// Indicator values this year, and expected of the status quo this year, by indicator
    /// index.
    pub indicators: &'a [f64],
    pub expected_indicators: &'a [f64],
    /// The holder's indicator values in the contract year before (in the first, what that
    /// year was expected to bring: there is no simulated year before it).
    pub previous_indicators: &'a [f64],
    /// The contract year, from 1, and whether it is the last simulated: what is settled over
    /// the term settles in it, if not before.
    pub contract_year: u32,
    pub last_year: bool,
    /// What each earlier year of the term came to for the holder in this world, the first
    /// year's first: what a re-based amount is set on ([`HolderYear::rebased_on`]).
    pub outturns: &'a [Outturn],
}

/// What one year came to for a contract holder: its outturn, and what moves an amount set on
/// it to a later year.
#[derive(Debug, Clone, PartialEq)]
pub struct Outturn {
    /// The holder's cost of care, and its activity at that year's tariff prices.
    pub cost: f64,
    pub tariff: f64,
    /// The cost its shared savings measured: for a lead passing payments on, with what it passes
    /// on of its other components as planned, not of the result payments themselves.
    pub measured_cost: f64,
    /// That year's price index, growth index, realised cost per head on trend against the
    /// expected, expected cost per head covered and weighted heads ([`HolderYear`]'s fields).
    pub price_index: f64,
    pub growth_index: f64,
    pub realised_cost: f64,
    pub expected_cost_per_head: f64,
    pub weighted_heads: WeightedHeads,
    /// Per activity type, that year's count and planned count ([`HolderYear`]'s): what a
    /// baseline volume is re-set on, and moved on from.
    pub count: Vec<f64>,
    pub expected_count: Vec<f64>,
    /// That year's indicator values, and those expected of it ([`HolderYear`]'s): what a
    /// target against the year before, or an incentive settled over the term, is judged on.
    pub indicators: Vec<f64>,
    pub expected_indicators: Vec<f64>,
}

impl Outturn {
    /// What `y` came to.
    pub fn of(y: &HolderYear) -> Self {
        let tariff: f64 = (0..y.count.len())
            .filter(|&t| y.in_scope[t])
            .map(|t| y.count[t] * y.price[t])
            .sum();
        Outturn {
            cost: y.cost,
            tariff: tariff * y.price_index,
            measured_cost: y.cost,
            price_index: y.price_index,
            growth_index: y.growth_index,
            realised_cost: y.realised_cost,
            expected_cost_per_head: y.expected_cost_per_head,
            weighted_heads: y.weighted_heads,
            count: y.count.to_vec(),
            expected_count: y.expected_count.to_vec(),
            indicators: y.indicators.to_vec(),
            expected_indicators: y.expected_indicators.to_vec(),
        }
    }

    /// Type `t`'s count that year moved on to `now` by its planned growth since (its count
    /// alone when nothing of it was planned then).
    pub fn volume_at(&self, t: usize, now: &HolderYear) -> f64 {
        let then = self.expected_count[t];
        if then > 0.0 {
            self.count[t] * now.expected_count[t] / then
        } else {
            self.count[t]
        }
    }

    /// That year as `now` saw its own people and trend, for what is worked out of them (its
    /// plan, its cost norm); every other field is `now`'s.
    pub fn year<'a>(&self, now: &HolderYear<'a>) -> HolderYear<'a> {
        HolderYear {
            cost: self.cost,
            price_index: self.price_index,
            growth_index: self.growth_index,
            realised_cost: self.realised_cost,
            expected_cost_per_head: self.expected_cost_per_head,
            weighted_heads: self.weighted_heads,
            ..*now
        }
    }

    /// The outturn a re-based amount is set on (a plan's volume is [`Outturn::volume_at`]).
    pub fn value(&self, on: RebaseOn) -> f64 {
        match on {
            RebaseOn::Cost => self.cost,
            RebaseOn::Tariff => self.tariff,
            RebaseOn::Volume => unreachable!("validation refuses an amount set on volume"),
        }
    }
}

impl<'a> HolderYear<'a> {
    /// The outturn that a component first paying in `from_year` (default 1), re-based as
    /// `rebase` says, is set on this year: that of `lag` years before the last re-basing year
    /// (the first year, then every `every` years), when such a year has been simulated. None:
    /// never re-based, or set on the baseline.
    pub fn rebased_on(
        &self,
        rebase: Option<Rebase>,
        from_year: Option<u32>,
    ) -> Option<&'a Outturn> {
        let source = rebase?.source_year(from_year.unwrap_or(1), self.contract_year)?;
        self.outturns.get(source as usize - 1)
    }
}

impl HolderYear<'_> {
    /// Contract value: expected cost, indexed to this year's prices.
    pub fn contract_value(&self) -> f64 {
        self.expected_cost * self.price_index
    }

    /// The weighted head count a component pays on.
    pub fn heads(&self, adjustment: RiskAdjustment, weights: Weights) -> f64 {
        self.weighted_heads.weighted(adjustment, weights)
    }

    /// Expected cost on trend of the people covered this year, risk-adjusted as given (a cost
    /// norm): the baseline's cost per risk-weighted head, the weights carrying their mix, or
    /// without risk adjustment the plan.
    pub fn benchmark(&self, adjustment: RiskAdjustment, weights: Weights) -> f64 {
        if adjustment == RiskAdjustment::None {
            return self.plan();
        }
        if self.baseline_heads > 0.0 {
            self.expected_cost / self.baseline_heads
                * self.heads(adjustment, weights)
                * self.growth_index
        } else {
            0.0
        }
    }

    /// The plan that fixed payments and planned volumes share: expected cost on trend of the
    /// people covered, unweighted, at the ages and conditions the status quo expects this year,
    /// so it follows the expected ageing of the people covered and not the conditions they
    /// actually gain or avoid.
    pub fn plan(&self) -> f64 {
        self.expected_cost_per_head * self.weighted_heads.plain * self.growth_index
    }
}

/// A target resolved against the baseline: a fixed value or a multiple of the expected value.
fn resolve_target(target: Option<f64>, vs_expected: Option<f64>, expected: f64) -> f64 {
    target.unwrap_or_else(|| vs_expected.unwrap_or(1.0) * expected)
}

/// Indicator `slot`'s value this year and its target (a fixed value or a multiple of the
/// expected value), when both have one: `None` is nothing to judge ([`has_value`]).
pub fn judged(
    target: Option<f64>,
    vs_expected: Option<f64>,
    slot: usize,
    y: &HolderYear,
) -> Option<(f64, f64)> {
    let target = resolve_target(target, vs_expected, y.expected_indicators[slot]);
    with_value(y.indicators[slot], target)
}

/// Indicator `slot`'s value this year and its target as a multiple of its value the year
/// before ([`HolderYear::previous_indicators`]), when both have one.
pub fn judged_against_previous(multiple: f64, slot: usize, y: &HolderYear) -> Option<(f64, f64)> {
    with_value(y.indicators[slot], multiple * y.previous_indicators[slot])
}

/// A value and its target, when both are there to be judged.
fn with_value(value: f64, target: f64) -> Option<(f64, f64)> {
    (has_value(value) && has_value(target)).then_some((value, target))
}

fn at_least_as_good(value: f64, threshold: f64, better: Better) -> bool {
    match better {
        Better::Lower => value <= threshold,
        Better::Higher => value >= threshold,
    }
}

/// Share of one indicator's pool earned: the best tier reached, or with `between` linear, a
/// sliding scale from the most demanding tier reached towards the next.
pub fn tier_payout(
    value: f64,
    target: f64,
    better: Better,
    tiers: Option<&[Tier]>,
    between: Between,
) -> f64 {
    let default = [Tier { at: 1.0, pays: 1.0 }];
    let tiers = tiers.unwrap_or(&default);
    if between == Between::Steps {
        return tiers
            .iter()
            .filter(|t| at_least_as_good(value, t.at * target, better))
            .map(|t| t.pays)
            .fold(0.0, f64::max);
    }
    // Thresholds from the least demanding to the most.
    let mut thresholds: Vec<(f64, f64)> = tiers.iter().map(|t| (t.at * target, t.pays)).collect();
    thresholds.sort_by(|a, b| match better {
        Better::Higher => a.0.total_cmp(&b.0),
        Better::Lower => b.0.total_cmp(&a.0),
    });
    let reached = thresholds
        .iter()
        .take_while(|(threshold, _)| at_least_as_good(value, *threshold, better))
        .count();
    match (reached.checked_sub(1), thresholds.get(reached)) {
        (None, _) => 0.0,
        (Some(i), Some(&(next, next_pays))) => {
            let (from, pays) = thresholds[i];
            pays + (next_pays - pays) * (value - from) / (next - from)
        }
        (Some(i), None) => thresholds[i].1,
    }
}

#[cfg(test)]
pub(crate) mod test_support {
    use super::*;

    /// A holder year with round numbers: expected cost 100, one activity type at price 10.
    pub fn year<'a>(
        count: &'a [f64],
        indicators: &'a [f64],
        expected_indicators: &'a [f64],
    ) -> HolderYear<'a> {
        HolderYear {
            expected_cost: 100.0,
            baseline_heads: 50.0,
            price_index: 1.0,
            cost: 100.0,
            expected_cost_per_head: 2.0,
            count,
            price: &[10.0],
            expected_count: &[100.0],
            count_per_weighted_head: &[2.0],
            in_scope: &[true],
            weighted_heads: WeightedHeads {
                plain: 50.0,
                age_sex: 52.0,
                age_sex_deprivation_rurality: 53.0,
                full: 55.0,
                fixed: 51.0,
            },
            growth_index: 1.0,
            realised_trend: &[1.0],
            realised_cost: 1.0,
            indicators,
            expected_indicators,
            previous_indicators: expected_indicators,
            contract_year: 1,
            last_year: false,
            outturns: &[],
        }
    }
}
