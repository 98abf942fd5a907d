//! £ per unit of an indicator better or worse than a target (West Yorkshire £2,000 per 52-week waiter).

use super::*;

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contracts::components::test_support::year;

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
}
