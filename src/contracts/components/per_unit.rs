//! £ per unit of an indicator better or worse than a target (West Yorkshire £2,000 per 52-week waiter).

use super::*;

/// Nothing is paid in a year the indicator has no value: nothing to judge.
pub fn per_unit(c: &PerUnitSpec, indicator: usize, y: &HolderYear) -> f64 {
    let judged = match c.target_vs_previous {
        Some(multiple) => judged_against_previous(multiple, indicator, y),
        None => judged(c.target, c.target_vs_expected, indicator, y),
    };
    let Some((value, target)) = judged else {
        return 0.0;
    };
    let better_by = match c.better {
        Better::Lower => target - value,
        Better::Higher => value - target,
    };
    let amount = match c.only {
        None => c.rate * better_by,
        Some(PerUnitSide::Bonus) => c.rate * better_by.max(0.0),
        Some(PerUnitSide::Penalty) => c.rate * better_by.min(0.0),
    };
    match c.cap {
        Some(cap) => amount.clamp(-cap, cap),
        None => amount,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contracts::components::test_support::year;

    #[test]
    fn west_yorkshire_2000_per_waiter_without_cap() {
        let spec = PerUnitSpec {
            name: None,
            from_year: None,
            to_year: None,
            providers: None,
            indicator: "w".into(),
            better: Better::Lower,
            target: Some(50.0),
            target_vs_expected: None,
            target_vs_previous: None,
            rate: 2000.0,
            cap: None,
            only: None,
            settle: Settle::Yearly,
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
        // No value this year: nothing to judge, nothing paid.
        let none = crate::contracts::indicators::NO_VALUE;
        assert_eq!(per_unit(&capped, 0, &year(&[0.0], &[none], &[0.0])), 0.0);
    }

    proptest::proptest! {
        /// Without a cap the incentive is linear in the indicator; with one it is bounded by it.
        #[test]
        fn linear_without_a_cap_and_bounded_with_one(
            target in 0.0f64..1e4,
            a in 0.0f64..1e4,
            b in 0.0f64..1e4,
            rate in 0.0f64..1e4,
            cap in 0.0f64..1e6,
        ) {
            let spec = PerUnitSpec {
                name: None,
                from_year: None,
                to_year: None,
                providers: None,
                indicator: "w".into(),
                better: Better::Lower,
                target: Some(target),
                target_vs_expected: None,
                target_vs_previous: None,
                rate,
                cap: None,
                only: None,
                settle: Settle::Yearly,
            };
            let pay = |spec: &PerUnitSpec, v: f64| per_unit(spec, 0, &year(&[0.0], &[v], &[0.0]));
            let linear = pay(&spec, a) - pay(&spec, b);
            proptest::prop_assert!((linear - rate * (b - a)).abs() <= 1e-9 * (rate * 1e4).max(1.0));
            let capped = PerUnitSpec { cap: Some(cap), ..spec.clone() };
            for v in [a, b] {
                proptest::prop_assert!(pay(&capped, v).abs() <= cap);
            }
            // One side only: the two-sided payment's part on that side, and nothing on the other.
            for v in [a, b] {
                let both = pay(&spec, v);
                let penalty = pay(&PerUnitSpec { only: Some(PerUnitSide::Penalty), ..spec.clone() }, v);
                let bonus = pay(&PerUnitSpec { only: Some(PerUnitSide::Bonus), ..spec.clone() }, v);
                proptest::prop_assert_eq!(penalty, both.min(0.0));
                proptest::prop_assert_eq!(bonus, both.max(0.0));
            }
        }
    }
}
