//! Price × count per activity type, with an optional baseline volume, marginal rate and cap (PbR; the variable element of a blended payment).

use super::*;

/// Whether an activity component with type filter `types` (None: the holder's scope) pays for
/// type `t`, of the holder's scope `in_scope`.
pub fn pays_for(types: Option<&[usize]>, in_scope: &[bool], t: usize) -> bool {
    in_scope[t] && types.is_none_or(|list| list.contains(&t))
}

/// `types` is the component's type filter resolved to indices (None: the holder's scope);
/// `cap_share` the holder's share of the arm's £ cap (1 for a sole holder).
pub fn activity(c: &ActivitySpec, types: Option<&[usize]>, cap_share: f64, y: &HolderYear) -> f64 {
    // A re-based baseline is set on the outturn's count, else on the plan.
    let rebased_on = y.rebased_on(c.rebase, c.from_year);
    let mut total = 0.0;
    for t in 0..y.count.len() {
        if !pays_for(types, y.in_scope, t) {
            continue;
        }
        let unit = y.price[t] * y.price_index;
        let n = y.count[t];
        total += match c.baseline_volume {
            None => c.price_share * unit * n,
            Some(multiple) => {
                let planned = rebased_on.map_or(y.expected_count[t], |o| o.volume_at(t, y));
                let base = multiple * planned;
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
        Some(cap) => total.min(cap * cap_share),
        None => total,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contracts::components::test_support::year;

    /// Full price up to a plan of 100 units, 30% of it above.
    fn with_baseline() -> ActivitySpec {
        ActivitySpec {
            name: None,
            from_year: None,
            to_year: None,
            providers: None,
            people: None,
            types: None,
            price_share: 1.0,
            baseline_volume: Some(1.0),
            marginal_rate: Some(0.3),
            below_baseline_rate: 0.0,
            cap: None,
            rebase: None,
        }
    }

    #[test]
    fn marginal_rate_above_baseline_volume() {
        let spec = with_baseline();
        // 120 units against a baseline of 100 at £10: 100 × 10 + 20 × 10 × 30%.
        assert!((activity(&spec, None, 1.0, &year(&[120.0], &[], &[])) - 1060.0).abs() < 1e-9);
        assert!((activity(&spec, None, 1.0, &year(&[80.0], &[], &[])) - 800.0).abs() < 1e-9);
        let capped = ActivitySpec {
            cap: Some(1000.0),
            ..spec.clone()
        };
        assert_eq!(
            activity(&capped, None, 1.0, &year(&[120.0], &[], &[])),
            1000.0
        );
        // A blended variable element: nothing up to plan, ±50% of price either side.
        let variable = ActivitySpec {
            price_share: 0.0,
            marginal_rate: Some(0.5),
            below_baseline_rate: 0.5,
            ..spec
        };
        assert!((activity(&variable, None, 1.0, &year(&[110.0], &[], &[])) - 50.0).abs() < 1e-9);
        assert!((activity(&variable, None, 1.0, &year(&[90.0], &[], &[])) + 50.0).abs() < 1e-9);
    }

    /// Re-based, the baseline is the year before's count moved on by the plan's growth: 90
    /// units then against a plan of 80, a plan of 100 now, so 112.5; with nothing planned then,
    /// the count alone.
    #[test]
    fn a_rebased_baseline_is_last_years_count_moved_on_by_planned_growth() {
        let spec = ActivitySpec {
            rebase: Some(Rebase {
                every: 1,
                lag: 1,
                on: None,
            }),
            ..with_baseline()
        };
        let then = |expected: f64| {
            let y = year(&[90.0], &[], &[]);
            Outturn::of(&HolderYear {
                expected_count: &[expected],
                ..y
            })
        };
        let pay = |outturn: Outturn| {
            let outturns = [outturn];
            let y = HolderYear {
                contract_year: 2,
                outturns: &outturns,
                ..year(&[120.0], &[], &[])
            };
            activity(&spec, None, 1.0, &y)
        };
        // 112.5 × £10 + 7.5 × £10 × 30%.
        assert!((pay(then(80.0)) - 1147.5).abs() < 1e-9);
        // 90 × £10 + 30 × £10 × 30%.
        assert!((pay(then(0.0)) - 990.0).abs() < 1e-9);
        // In the first year there is no outturn: the plan, 100.
        let first = year(&[120.0], &[], &[]);
        assert!((activity(&spec, None, 1.0, &first) - 1060.0).abs() < 1e-9);
    }
}
