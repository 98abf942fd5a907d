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

#[cfg(test)]
mod tests {
    use super::*;

    /// A holder year with round numbers: expected cost 100, one activity type at price 10.
    fn year<'a>(
        count: &'a [f64],
        indicators: &'a [f64],
        expected_indicators: &'a [f64],
    ) -> HolderYear<'a> {
        HolderYear {
            expected_cost: 100.0,
            baseline_heads: 50.0,
            price_index: 1.0,
            cost: 100.0,
            count,
            price: &[10.0],
            expected_count: &[100.0],
            in_scope: &[true],
            weighted_heads: [50.0, 52.0, 55.0],
            benchmark: 100.0,
            trend_index: 1.0,
            indicators,
            expected_indicators,
        }
    }

    fn band(above: Option<f64>, below: Option<f64>, provider_share: f64) -> Band {
        Band {
            above,
            below,
            provider_share,
        }
    }

    fn corridor_spec(bands: Vec<Band>) -> RiskShareSpec {
        RiskShareSpec {
            name: None,
            basis: Basis::Result,
            provider_loss_cap: None,
            provider_gain_cap: None,
            settle: Settle::Yearly,
            bands,
        }
    }

    #[test]
    fn two_percent_corridor_with_half_sharing() {
        let rs = corridor_spec(vec![
            band(Some(0.02), None, 0.5),
            band(None, Some(-0.02), 0.5),
        ]);
        // Overspend of 10% on a £100m contract: the commissioner pays half of the 8% beyond 2%.
        assert!((risk_share(&rs, 100.0, 110.0, 0.0) - 4.0).abs() < 1e-12);
        // Within the corridor nothing moves; an underspend of 6% returns half of 4%.
        assert_eq!(risk_share(&rs, 100.0, 101.5, 0.0), 0.0);
        assert!((risk_share(&rs, 100.0, 94.0, 0.0) + 2.0).abs() < 1e-12);
    }

    #[test]
    fn aca_corridor_at_95_105_and_110_percent_of_target() {
        // ACA §1342: ±3% no sharing; 3-8% shared 50%; beyond 8%, 80% paid by government.
        let rs = corridor_spec(vec![
            band(Some(0.03), None, 0.5),
            band(Some(0.08), None, 0.2),
            band(None, Some(-0.03), 0.5),
            band(None, Some(-0.08), 0.2),
        ]);
        let target = 1_000.0;
        assert!((risk_share(&rs, target, 950.0, 0.0) + 10.0).abs() < 1e-9); // pays in 50% of 2%
        assert!((risk_share(&rs, target, 1050.0, 0.0) - 10.0).abs() < 1e-9); // receives 50% of 2%
        // 2.5% of target + 80% of the excess over 108%: 25 + 16.
        assert!((risk_share(&rs, target, 1100.0, 0.0) - 41.0).abs() < 1e-9);
    }

    #[test]
    fn caps_on_the_providers_gain_and_loss() {
        // Oxfordshire-style 10% gain/loss limit with 50:50 sharing.
        let mut rs = corridor_spec(vec![band(Some(0.0), None, 0.5), band(None, Some(0.0), 0.5)]);
        rs.provider_loss_cap = Some(0.1);
        rs.provider_gain_cap = Some(0.1);
        assert!((risk_share(&rs, 100.0, 120.0, 0.0) - 10.0).abs() < 1e-12); // loss 10, within cap
        assert!((risk_share(&rs, 100.0, 140.0, 0.0) - 30.0).abs() < 1e-12); // loss held at 10
        assert!((risk_share(&rs, 100.0, 60.0, 0.0) + 30.0).abs() < 1e-12); // gain held at 10
    }

    #[test]
    fn cost_basis_corridor_compares_cost_with_the_benchmark() {
        let mut rs = corridor_spec(vec![band(Some(0.02), None, 0.5)]);
        rs.basis = Basis::Cost;
        assert!((risk_share(&rs, 80.0, 110.0, 100.0) - 4.0).abs() < 1e-12);
    }

    #[test]
    fn marginal_rate_above_baseline_volume() {
        let spec = ActivitySpec {
            name: None,
            types: None,
            price_share: 1.0,
            baseline_volume: Some(1.0),
            marginal_rate: Some(0.3),
            below_baseline_rate: 0.0,
            cap: None,
        };
        // 120 units against a baseline of 100 at £10: 100 × 10 + 20 × 10 × 30%.
        assert!((activity(&spec, None, &year(&[120.0], &[], &[])) - 1060.0).abs() < 1e-9);
        assert!((activity(&spec, None, &year(&[80.0], &[], &[])) - 800.0).abs() < 1e-9);
        let capped = ActivitySpec {
            cap: Some(1000.0),
            ..spec.clone()
        };
        assert_eq!(activity(&capped, None, &year(&[120.0], &[], &[])), 1000.0);
        // A blended variable element: nothing up to plan, ±50% of price either side.
        let variable = ActivitySpec {
            price_share: 0.0,
            marginal_rate: Some(0.5),
            below_baseline_rate: 0.5,
            ..spec
        };
        assert!((activity(&variable, None, &year(&[110.0], &[], &[])) - 50.0).abs() < 1e-9);
        assert!((activity(&variable, None, &year(&[90.0], &[], &[])) + 50.0).abs() < 1e-9);
    }

    #[test]
    fn west_yorkshire_2000_per_waiter_without_cap() {
        let spec = PerUnitSpec {
            name: None,
            indicator: "w".into(),
            better: Better::Lower,
            target: Some(50.0),
            target_vs_expected: None,
            rate: 2000.0,
            cap: None,
        };
        assert_eq!(
            per_unit(&spec, 0, &year(&[0.0], &[65.0], &[0.0])),
            -30_000.0
        );
        assert_eq!(per_unit(&spec, 0, &year(&[0.0], &[40.0], &[0.0])), 20_000.0);
        let capped = PerUnitSpec {
            cap: Some(10_000.0),
            ..spec
        };
        assert_eq!(
            per_unit(&capped, 0, &year(&[0.0], &[65.0], &[0.0])),
            -10_000.0
        );
    }

    #[test]
    fn outcome_pool_pays_by_tier_and_weight() {
        let target = |indicator: &str, weight: f64| IndicatorTarget {
            indicator: indicator.into(),
            better: Better::Lower,
            weight,
            target: None,
            target_vs_expected: Some(1.0),
            tiers: Some(vec![
                Tier { at: 1.0, pays: 1.0 },
                Tier { at: 1.1, pays: 0.5 },
            ]),
        };
        let spec = OutcomeSpec {
            name: None,
            pool_share: Some(0.1),
            pool: None,
            indicators: vec![target("a", 0.6), target("b", 0.4)],
        };
        // a met (95 ≤ 100), b in the lower tier (105 ≤ 110): 10 × (0.6 + 0.4 × 0.5).
        let y = year(&[0.0], &[95.0, 105.0], &[100.0, 100.0]);
        assert!((outcome(&spec, &[0, 1], &y) - 8.0).abs() < 1e-12);
        let y = year(&[0.0], &[95.0, 120.0], &[100.0, 100.0]);
        assert!((outcome(&spec, &[0, 1], &y) - 6.0).abs() < 1e-12);
    }

    #[test]
    fn oxfordshire_80_10_10() {
        // 80% block + the 10% gain/loss element paid up front, 10% on outcomes, gains and
        // losses shared 50:50 and limited to 10% of contract value.
        let fixed_part = FixedSpec {
            name: None,
            amount: None,
            share: 0.9,
            uplift: 0.0,
            index: Index::Price,
        };
        let pool = OutcomeSpec {
            name: None,
            pool_share: Some(0.1),
            pool: None,
            indicators: vec![IndicatorTarget {
                indicator: "x".into(),
                better: Better::Higher,
                weight: 1.0,
                target: Some(14.0),
                target_vs_expected: None,
                tiers: None,
            }],
        };
        let mut rs = corridor_spec(vec![band(Some(0.0), None, 0.5), band(None, Some(0.0), 0.5)]);
        rs.provider_loss_cap = Some(0.1);
        rs.provider_gain_cap = Some(0.1);
        let y = year(&[0.0], &[14.0], &[0.0]); // 14 of 16 targets met: the pool is paid
        let income = fixed(&fixed_part, &y) + outcome(&pool, &[0], &y);
        assert!((income - 100.0).abs() < 1e-12);
        // Cost 106: the commissioner bears half the £6m overspend.
        assert!((risk_share(&rs, income, 106.0, 0.0) - 3.0).abs() < 1e-12);
    }

    #[test]
    fn shared_savings_with_minimum_rate_and_loss_sharing() {
        let s = SharedSavingsSpec {
            name: None,
            provider_share: 0.5,
            min_savings_rate: 0.02,
            loss_share: 0.3,
            min_loss_rate: 0.02,
            cap: None,
            benchmark_vs_expected: 1.0,
            settle: Settle::Yearly,
        };
        assert!((shared_savings(&s, 90.0, 100.0) - 5.0).abs() < 1e-12);
        assert_eq!(shared_savings(&s, 99.0, 100.0), 0.0); // 1% < minimum savings rate
        assert!((shared_savings(&s, 110.0, 100.0) + 3.0).abs() < 1e-12);
        assert_eq!(shared_savings(&s, 101.0, 100.0), 0.0);
        let capped = SharedSavingsSpec {
            cap: Some(0.03),
            ..s
        };
        assert!((shared_savings(&capped, 80.0, 100.0) - 3.0).abs() < 1e-12);
    }

    #[test]
    fn capitation_fixed_and_quality_deduction() {
        let y = year(&[0.0], &[12.0], &[10.0]);
        let cap = |risk_adjustment| CapitationSpec {
            name: None,
            per_head: None,
            risk_adjustment,
            uplift: 0.0,
            index: Index::Price,
        };
        // Expected cost per head 100 / 50 = 2, times weighted heads.
        assert_eq!(capitation(&cap(RiskAdjustment::None), &y), 100.0);
        assert_eq!(capitation(&cap(RiskAdjustment::AgeSex), &y), 104.0);
        assert_eq!(capitation(&cap(RiskAdjustment::Full), &y), 110.0);
        let f = FixedSpec {
            name: None,
            amount: Some(40.0),
            share: 1.0,
            uplift: 0.05,
            index: Index::Price,
        };
        assert!(
            (fixed(
                &f,
                &HolderYear {
                    price_index: 1.1,
                    ..y
                }
            ) - 46.2)
                .abs()
                < 1e-12
        );
        let q = QualitySpec {
            name: None,
            indicator: "x".into(),
            better: Better::Lower,
            minimum: None,
            minimum_vs_expected: Some(1.1),
            deduction_share: Some(0.02),
            deduction: None,
        };
        assert_eq!(quality_deduction(&q, 0, &y), -2.0); // 12 is worse than 11
        assert_eq!(
            quality_deduction(&q, 0, &year(&[0.0], &[10.5], &[10.0])),
            0.0
        );
    }
}
