//! Each payment component as a pure function of one holder's year. Amounts are transfers from
//! the commissioner to the contract holder (negative: money flows back).

use super::spec::*;

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
    /// Per activity type (zero outside the holder's scope): count, price per unit in the first
    /// year's prices, and planned count (expected on trend for the people covered).
    pub count: &'a [f64],
    pub price: &'a [f64],
    pub expected_count: &'a [f64],
    /// Whether each activity type is the holder's.
    pub in_scope: &'a [bool],
    /// Σ head count × risk weight for none / age_sex / full adjustment.
    pub weighted_heads: [f64; 3],
    /// Expected cost on trend of the people covered this year (a risk-adjusted cost norm).
    pub benchmark: f64,
    /// Expected cost per head this year relative to the first: (1 + demand trend)(1 + cost
    /// inflation) per year, at their means.
    pub trend_index: f64,
    /// Indicator values this year and expected in the baseline year, by indicator index.
    pub indicators: &'a [f64],
    pub expected_indicators: &'a [f64],
}

impl HolderYear<'_> {
    /// Contract value: expected cost, indexed to this year's prices.
    pub fn contract_value(&self) -> f64 {
        self.expected_cost * self.price_index
    }
}

/// A target resolved against the baseline: a fixed value or a multiple of the expected value.
pub fn resolve_target(target: Option<f64>, vs_expected: Option<f64>, expected: f64) -> f64 {
    target.unwrap_or_else(|| vs_expected.unwrap_or(1.0) * expected)
}

pub fn fixed(c: &FixedSpec, y: &HolderYear) -> f64 {
    let base = c.amount.unwrap_or(c.share * y.expected_cost) * (1.0 + c.uplift);
    match c.index {
        Index::Price => base * y.price_index,
        Index::ExpectedCost if y.expected_cost > 0.0 => base * y.benchmark / y.expected_cost,
        Index::ExpectedCost | Index::None => base,
    }
}

/// `types` is the component's type filter resolved to indices (None: the holder's scope).
pub fn activity(c: &ActivitySpec, types: Option<&[usize]>, y: &HolderYear) -> f64 {
    let mut total = 0.0;
    for t in 0..y.count.len() {
        let paid = match types {
            Some(list) => list.contains(&t) && y.in_scope[t],
            None => y.in_scope[t],
        };
        if !paid {
            continue;
        }
        let unit = y.price[t] * y.price_index;
        let n = y.count[t];
        total += match c.baseline_volume {
            None => c.price_share * unit * n,
            Some(multiple) => {
                let base = multiple * y.expected_count[t];
                let marginal = c.marginal_rate.unwrap_or(c.price_share);
                if n <= base {
                    c.price_share * unit * n - c.below_baseline_rate * unit * (base - n)
                } else {
                    c.price_share * unit * base + marginal * unit * (n - base)
                }
            }
        };
    }
    match c.cap {
        Some(cap) => total.min(cap),
        None => total,
    }
}

pub fn capitation(c: &CapitationSpec, y: &HolderYear) -> f64 {
    let per_head = c.per_head.unwrap_or(y.expected_cost / y.baseline_heads) * (1.0 + c.uplift);
    let per_head = match c.index {
        Index::Price => per_head * y.price_index,
        Index::ExpectedCost => per_head * y.trend_index,
        Index::None => per_head,
    };
    let heads = match c.risk_adjustment {
        RiskAdjustment::None => y.weighted_heads[0],
        RiskAdjustment::AgeSex => y.weighted_heads[1],
        RiskAdjustment::Full => y.weighted_heads[2],
    };
    per_head * heads
}

fn at_least_as_good(value: f64, threshold: f64, better: Better) -> bool {
    match better {
        Better::Lower => value <= threshold,
        Better::Higher => value >= threshold,
    }
}

/// Share of one indicator's pool earned: the best tier reached.
pub fn tier_payout(value: f64, target: f64, better: Better, tiers: Option<&[Tier]>) -> f64 {
    let default = [Tier { at: 1.0, pays: 1.0 }];
    tiers
        .unwrap_or(&default)
        .iter()
        .filter(|t| at_least_as_good(value, t.at * target, better))
        .map(|t| t.pays)
        .fold(0.0, f64::max)
}

/// `indicator_ids` maps each target to its indicator index.
pub fn outcome(c: &OutcomeSpec, indicator_ids: &[usize], y: &HolderYear) -> f64 {
    let pool = match (c.pool, c.pool_share) {
        (Some(p), _) => p * y.price_index,
        (None, Some(s)) => s * y.contract_value(),
        (None, None) => 0.0,
    };
    let earned: f64 = c
        .indicators
        .iter()
        .zip(indicator_ids)
        .map(|(t, &i)| {
            let target = resolve_target(t.target, t.target_vs_expected, y.expected_indicators[i]);
            t.weight * tier_payout(y.indicators[i], target, t.better, t.tiers.as_deref())
        })
        .sum();
    pool * earned
}

pub fn per_unit(c: &PerUnitSpec, indicator: usize, y: &HolderYear) -> f64 {
    let target = resolve_target(
        c.target,
        c.target_vs_expected,
        y.expected_indicators[indicator],
    );
    let value = y.indicators[indicator];
    let better_by = match c.better {
        Better::Lower => target - value,
        Better::Higher => value - target,
    };
    let amount = c.rate * better_by;
    match c.cap {
        Some(cap) => amount.clamp(-cap, cap),
        None => amount,
    }
}

pub fn quality_deduction(c: &QualitySpec, indicator: usize, y: &HolderYear) -> f64 {
    let minimum = resolve_target(
        c.minimum,
        c.minimum_vs_expected,
        y.expected_indicators[indicator],
    );
    if at_least_as_good(y.indicators[indicator], minimum, c.better) {
        0.0
    } else {
        -c.deduction
            .map(|d| d * y.price_index)
            .unwrap_or_else(|| c.deduction_share.unwrap_or(0.0) * y.contract_value())
    }
}

/// The commissioner's share of a deviation `d` (fraction of target; > 0 overspend), as a
/// fraction of the target: positive = paid to the provider, negative = repaid by it.
pub fn corridor(d: f64, bands: &[Band]) -> f64 {
    let mut above: Vec<(f64, f64)> = bands
        .iter()
        .filter_map(|b| b.above.map(|a| (a, b.provider_share)))
        .collect();
    let mut below: Vec<(f64, f64)> = bands
        .iter()
        .filter_map(|b| b.below.map(|a| (-a, b.provider_share)))
        .collect();
    above.sort_by(|a, b| a.0.total_cmp(&b.0));
    below.sort_by(|a, b| a.0.total_cmp(&b.0));
    let slices = |x: f64, list: &[(f64, f64)]| -> f64 {
        let mut shared = 0.0;
        for (i, &(from, provider_share)) in list.iter().enumerate() {
            let to = list.get(i + 1).map_or(f64::INFINITY, |n| n.0);
            let slice = (x.min(to) - from).max(0.0);
            shared += (1.0 - provider_share) * slice;
        }
        shared
    };
    if d >= 0.0 {
        slices(d, &above)
    } else {
        -slices(-d, &below)
    }
}

/// Risk share on the holder's figures: `income` is what the other components paid, `cost` the
/// care cost, `benchmark` expected cost on trend (all summed over the term when settled then).
pub fn risk_share(c: &RiskShareSpec, income: f64, cost: f64, benchmark: f64) -> f64 {
    let target = match c.basis {
        Basis::Result => income,
        Basis::Cost => benchmark,
    };
    if target <= 0.0 {
        return 0.0;
    }
    let mut transfer = corridor((cost - target) / target, &c.bands) * target;
    let result = income + transfer - cost;
    if let Some(cap) = c.provider_loss_cap
        && result < -cap * target
    {
        transfer += -cap * target - result;
    }
    if let Some(cap) = c.provider_gain_cap
        && result > cap * target
    {
        transfer -= result - cap * target;
    }
    transfer
}

/// Shared savings against a benchmark (already scaled by `benchmark_vs_expected`).
pub fn shared_savings(c: &SharedSavingsSpec, cost: f64, benchmark: f64) -> f64 {
    if benchmark <= 0.0 {
        return 0.0;
    }
    let savings = benchmark - cost;
    let amount = if savings >= c.min_savings_rate * benchmark && savings > 0.0 {
        c.provider_share * savings
    } else if savings < 0.0 && -savings >= c.min_loss_rate * benchmark {
        c.loss_share * savings
    } else {
        0.0
    };
    match c.cap {
        Some(cap) => amount.clamp(-cap * benchmark, cap * benchmark),
        None => amount,
    }
}
