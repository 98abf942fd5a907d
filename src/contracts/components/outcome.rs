//! A pool paid by achievement of indicator targets, with weights and tiers.

use super::*;

/// `slots` holds each target's indicator slot ([`crate::scenario::Indicator::slot`]) and `owned`
/// whether it is the holder's own. Targets on another provider's activity are left out, and so
/// are targets whose indicator has no value this year (nothing to judge: nobody covered
/// gained a second condition), and the weights of the rest scaled up; a holder with nothing
/// of its own to judge is paid the whole pool.
pub fn outcome(c: &OutcomeSpec, slots: &[usize], owned: &[bool], y: &HolderYear) -> f64 {
    let pool = match (c.pool, c.pool_share) {
        (Some(p), _) => p * y.price_index,
        (None, Some(s)) => s * y.contract_value(),
        (None, None) => 0.0,
    };
    let to_judge = || {
        c.indicators
            .iter()
            .zip(slots)
            .zip(owned)
            .filter(|(_, own)| **own)
            .filter_map(|((t, &i), _)| {
                match t.target_vs_previous {
                    Some(multiple) => judged_against_previous(multiple, i, y),
                    None => judged(t.target, t.target_vs_expected, i, y),
                }
                .map(|(value, target)| (t, value, target))
            })
    };
    let weights: f64 = to_judge().map(|(t, _, _)| t.weight).sum();
    if weights <= 0.0 {
        return pool;
    }
    let earned: f64 = to_judge()
        .map(|(t, value, target)| {
            t.weight * tier_payout(value, target, t.better, t.tiers.as_deref(), t.between)
        })
        .sum();
    pool * earned / weights
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contracts::components::test_support::year;

    /// A target against the expected value, met in full at it and half within 10% of it.
    fn target(indicator: &str, weight: f64) -> IndicatorTarget {
        IndicatorTarget {
            indicator: indicator.into(),
            better: Better::Lower,
            weight,
            target: None,
            target_vs_expected: Some(1.0),
            target_vs_previous: None,
            tiers: Some(vec![
                Tier { at: 1.0, pays: 1.0 },
                Tier { at: 1.1, pays: 0.5 },
            ]),
            between: Between::Steps,
        }
    }

    /// A sliding scale (QOF's): nothing at or below 40% achievement, all of it at 90%, in
    /// proportion between; the same scale for an indicator better lower (admissions per 1,000:
    /// nothing at 12, all at 10). Steps pay only at the tiers.
    #[test]
    fn a_linear_scale_pays_in_proportion_between_its_tiers() {
        let qof = [
            Tier {
                at: 40.0 / 90.0,
                pays: 0.0,
            },
            Tier { at: 1.0, pays: 1.0 },
        ];
        let linear =
            |value: f64| tier_payout(value, 90.0, Better::Higher, Some(&qof), Between::Linear);
        for (value, pays) in [
            (30.0, 0.0),
            (40.0, 0.0),
            (65.0, 0.5),
            (80.0, 0.8),
            (90.0, 1.0),
            (95.0, 1.0),
        ] {
            assert!(
                (linear(value) - pays).abs() < 1e-12,
                "{value}: {}",
                linear(value)
            );
        }
        let admissions = [Tier { at: 1.2, pays: 0.0 }, Tier { at: 1.0, pays: 1.0 }];
        let lower = |value: f64| {
            tier_payout(
                value,
                10.0,
                Better::Lower,
                Some(&admissions),
                Between::Linear,
            )
        };
        for (value, pays) in [
            (13.0, 0.0),
            (12.0, 0.0),
            (11.0, 0.5),
            (10.0, 1.0),
            (9.0, 1.0),
        ] {
            assert!(
                (lower(value) - pays).abs() < 1e-12,
                "{value}: {}",
                lower(value)
            );
        }
        assert_eq!(
            tier_payout(65.0, 90.0, Better::Higher, Some(&qof), Between::Steps),
            0.0
        );
        // Three tiers: from a half at the target to all of it 10% beyond.
        let three = [
            Tier { at: 0.5, pays: 0.0 },
            Tier { at: 1.0, pays: 0.5 },
            Tier { at: 1.1, pays: 1.0 },
        ];
        let value = 105.0;
        let pays = tier_payout(value, 100.0, Better::Higher, Some(&three), Between::Linear);
        assert!((pays - 0.75).abs() < 1e-12, "{pays}");
    }

    /// A pool of 10% of contract value paid on `indicators`.
    fn pool_of(indicators: Vec<IndicatorTarget>) -> OutcomeSpec {
        OutcomeSpec {
            shared: false,
            name: None,
            from_year: None,
            to_year: None,
            providers: None,
            pool_share: Some(0.1),
            pool: None,
            settle: Settle::Yearly,
            indicators,
        }
    }

    /// A target against the year before is a multiple of the holder's value then, not of the
    /// expected value; a year before with no value judges nothing.
    #[test]
    fn an_improvement_target_is_set_on_the_year_before() {
        let spec = pool_of(vec![IndicatorTarget {
            target_vs_expected: None,
            target_vs_previous: Some(0.97),
            tiers: None,
            between: Between::Steps,
            ..target("a", 1.0)
        }]);
        let pays = |value: f64, previous: f64| {
            let (previous, value, expected) = ([previous], [value], [1000.0]);
            let y = HolderYear {
                previous_indicators: &previous,
                ..year(&[0.0], &value, &expected)
            };
            outcome(&spec, &[0], &[true], &y)
        };
        // 3% below last year's 100 is met (97), 98 is not; the expected 1,000 plays no part.
        assert!((pays(97.0, 100.0) - 10.0).abs() < 1e-12);
        assert_eq!(pays(98.0, 100.0), 0.0);
        // Nothing to judge against: the whole pool, as for any target with no value.
        let none = crate::contracts::indicators::NO_VALUE;
        assert!((pays(98.0, none) - 10.0).abs() < 1e-12);
    }

    #[test]
    fn outcome_pool_pays_by_tier_and_weight() {
        let spec = pool_of(vec![target("a", 0.6), target("b", 0.4)]);
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
        // `a` has no value this year (met or not, it is not judged): judged on `b` alone, in
        // its lower tier; with neither, nothing is judged and the whole pool is paid.
        let none = crate::contracts::indicators::NO_VALUE;
        let pays = |values: [f64; 2], expected: [f64; 2]| {
            outcome(
                &spec,
                &[0, 1],
                &[true, true],
                &year(&[0.0], &values, &expected),
            )
        };
        assert!((pays([none, 105.0], [100.0, 100.0]) - 5.0).abs() < 1e-12);
        assert!((pays([none, none], [100.0, 100.0]) - 10.0).abs() < 1e-12);
        // Nothing expected of `b` (so no target): judged on `a` alone, met.
        assert!((pays([95.0, 120.0], [100.0, none]) - 10.0).abs() < 1e-12);
    }
}
