//! A pool paid by achievement of indicator targets, with weights and tiers.

use super::*;

/// `slots` holds each target's indicator slot ([`crate::scenario::Indicator::slot`]) and `owned`
/// whether it is the holder's own. Targets on another provider's activity are left out and the
/// weights of the rest scaled up; a holder with none of its own is paid the whole pool.
pub fn outcome(c: &OutcomeSpec, slots: &[usize], owned: &[bool], y: &HolderYear) -> f64 {
    let pool = match (c.pool, c.pool_share) {
        (Some(p), _) => p * y.price_index,
        (None, Some(s)) => s * y.contract_value(),
        (None, None) => 0.0,
    };
    let own = || {
        c.indicators
            .iter()
            .zip(slots)
            .zip(owned)
            .filter(|(_, own)| **own)
            .map(|(target, _)| target)
    };
    let weights: f64 = own().map(|(t, _)| t.weight).sum();
    if weights <= 0.0 {
        return pool;
    }
    let earned: f64 = own()
        .map(|(t, &i)| {
            let target = resolve_target(t.target, t.target_vs_expected, y.expected_indicators[i]);
            t.weight * tier_payout(y.indicators[i], target, t.better, t.tiers.as_deref())
        })
        .sum();
    pool * earned / weights
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contracts::components::test_support::year;

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
            from_year: None,
            to_year: None,
            pool_share: Some(0.1),
            pool: None,
            indicators: vec![target("a", 0.6), target("b", 0.4)],
        };
        // a met (95 ≤ 100), b in the lower tier (105 ≤ 110): 10 × (0.6 + 0.4 × 0.5).
        let y = year(&[0.0], &[95.0, 105.0], &[100.0, 100.0]);
        assert!((outcome(&spec, &[0, 1], &[true, true], &y) - 8.0).abs() < 1e-12);
        let y = year(&[0.0], &[95.0, 120.0], &[100.0, 100.0]);
        assert!((outcome(&spec, &[0, 1], &[true, true], &y) - 6.0).abs() < 1e-12);
        // Only `b` is the holder's own: judged on it alone.
        assert!((outcome(&spec, &[0, 1], &[false, true], &y) - 0.0).abs() < 1e-12);
        assert!((outcome(&spec, &[0, 1], &[true, false], &y) - 10.0).abs() < 1e-12);
        // None of its own: the whole pool.
        assert!((outcome(&spec, &[0, 1], &[false, false], &y) - 10.0).abs() < 1e-12);
    }
}
