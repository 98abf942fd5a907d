//! Risk corridors: bands of over- or underspend shared between provider and commissioner, with caps.

use super::*;

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

/// Risk share on the holder's figures: `planned` is what the other components paid, with
/// incentive payments (outcome pools, per-unit payments, quality deductions) at what the year
/// expected of the holder would earn; `cost` the care cost, `benchmark` expected cost on trend
/// (all summed over the term when settled then). A `basis = "result"` corridor is set on
/// `planned`, and the caps limit the result against it: an incentive missed is not shared back,
/// as it would be were the target the income actually paid.
pub fn risk_share(c: &RiskShareSpec, planned: f64, cost: f64, benchmark: f64) -> f64 {
    let target = match c.basis {
        Basis::Result => planned,
        Basis::Cost => benchmark,
    };
    if target <= 0.0 {
        return 0.0;
    }
    let mut transfer = corridor((cost - target) / target, &c.bands) * target;
    let result = planned + transfer - cost;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contracts::components::test_support::year;
    use crate::contracts::components::{fixed::fixed, outcome::outcome};

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
            from_year: None,
            to_year: None,
            providers: None,
            basis: Basis::Result,
            pooled: false,
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
    fn oxfordshire_80_10_10() {
        // 80% block + the 10% gain/loss element paid up front, 10% on outcomes, gains and
        // losses shared 50:50 and limited to 10% of contract value.
        let fixed_part = FixedSpec {
            name: None,
            from_year: None,
            to_year: None,
            providers: None,
            people: None,
            amount: None,
            share: 0.9,
            uplift: 0.0,
            index: Index::Price,
            rebase: None,
        };
        let pool = OutcomeSpec {
            shared: false,
            name: None,
            from_year: None,
            to_year: None,
            providers: None,
            pool_share: Some(0.1),
            pool: None,
            settle: Settle::Yearly,
            indicators: vec![IndicatorTarget {
                indicator: "x".into(),
                better: Better::Higher,
                weight: 1.0,
                target: Some(14.0),
                target_vs_expected: None,
                target_vs_previous: None,
                tiers: None,
                between: Between::Steps,
            }],
        };
        let mut rs = corridor_spec(vec![band(Some(0.0), None, 0.5), band(None, Some(0.0), 0.5)]);
        rs.provider_loss_cap = Some(0.1);
        rs.provider_gain_cap = Some(0.1);
        let y = year(&[0.0], &[14.0], &[0.0]); // 14 of 16 targets met: the pool is paid
        let income = fixed(&fixed_part, &y) + outcome(&pool, &[0], &[true], &y);
        assert!((income - 100.0).abs() < 1e-12);
        // Cost 106: the commissioner bears half the £6m overspend.
        assert!((risk_share(&rs, income, 106.0, 0.0) - 3.0).abs() < 1e-12);
    }

    proptest::proptest! {
        /// The provider's result never rises with its cost, and stays within the caps.
        #[test]
        fn provider_result_falls_with_cost_and_stays_within_its_caps(
            target in 1.0f64..1e9,
            cost_a in 0.0f64..3.0,
            cost_b in 0.0f64..3.0,
            width in 0.0f64..0.2,
            share_above in 0.0f64..=1.0,
            share_below in 0.0f64..=1.0,
            loss_cap in proptest::option::of(0.0f64..0.5),
            gain_cap in proptest::option::of(0.0f64..0.5),
        ) {
            let mut rs = corridor_spec(vec![
                band(Some(width), None, share_above),
                band(None, Some(-width), share_below),
            ]);
            rs.provider_loss_cap = loss_cap;
            rs.provider_gain_cap = gain_cap;
            let result = |ratio: f64| {
                let cost = ratio * target;
                target + risk_share(&rs, target, cost, 0.0) - cost
            };
            let tol = 1e-9 * target;
            let (low, high) = (cost_a.min(cost_b), cost_a.max(cost_b));
            proptest::prop_assert!(result(high) <= result(low) + tol);
            for r in [result(cost_a), result(cost_b)] {
                if let Some(cap) = loss_cap {
                    proptest::prop_assert!(r >= -cap * target - tol);
                }
                if let Some(cap) = gain_cap {
                    proptest::prop_assert!(r <= cap * target + tol);
                }
            }
        }
    }
}
