//! Per head per year × risk weight.

use super::*;

pub fn capitation(c: &CapitationSpec, y: &HolderYear) -> f64 {
    let heads = y.heads(c.risk_adjustment, c.weights);
    if let Some((rebase, outturn)) = c.rebase.zip(set_on(c, y)) {
        let then = outturn
            .weighted_heads
            .weighted(c.risk_adjustment, c.weights);
        let per_head = outturn.value(rebase.on_or_cost()) / then * (1.0 + c.uplift);
        let per_head = match c.index {
            Index::Price => per_head * y.price_index / outturn.price_index,
            Index::ExpectedCost => per_head * y.growth_index / outturn.growth_index,
            Index::None => per_head,
        };
        return per_head * heads;
    }
    let per_head = c.per_head.unwrap_or(y.expected_cost / y.baseline_heads) * (1.0 + c.uplift);
    let per_head = match c.index {
        Index::Price => per_head * y.price_index,
        Index::ExpectedCost => per_head * y.growth_index,
        Index::None => per_head,
    };
    per_head * heads
}

/// The outturn the rate per weighted head is re-set on this year: none when that year covered
/// nobody, for whom no rate can be worked out, or its index cannot move the rate from it (the
/// baseline's rate is paid).
pub fn set_on<'a>(c: &CapitationSpec, y: &HolderYear<'a>) -> Option<&'a Outturn> {
    y.rebased_on(c.rebase, c.from_year)
        .filter(|o| o.weighted_heads.weighted(c.risk_adjustment, c.weights) > 0.0)
        .filter(|o| o.price_index > 0.0 && o.growth_index > 0.0)
}

/// Whether this year's rate is the scenario's £ `per_head` (shared between the arm's holders).
pub fn in_pounds(c: &CapitationSpec, y: &HolderYear) -> bool {
    c.per_head.is_some() && set_on(c, y).is_none()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contracts::components::test_support::year;

    #[test]
    fn capitation_pays_expected_cost_per_head_times_weighted_heads() {
        let y = year(&[0.0], &[12.0], &[10.0]);
        let cap = |risk_adjustment| CapitationSpec {
            name: None,
            from_year: None,
            to_year: None,
            providers: None,
            people: None,
            per_head: None,
            risk_adjustment,
            weights: Weights::Concurrent,
            uplift: 0.0,
            index: Index::Price,
            rebase: None,
        };
        // Expected cost per head 100 / 50 = 2, times weighted heads.
        assert_eq!(capitation(&cap(RiskAdjustment::None), &y), 100.0);
        assert_eq!(capitation(&cap(RiskAdjustment::AgeSex), &y), 104.0);
        assert_eq!(capitation(&cap(RiskAdjustment::Full), &y), 110.0);
        assert_eq!(
            capitation(&cap(RiskAdjustment::AgeSexDeprivationRurality), &y),
            106.0
        );
        // Fixed at start: this year's heads weighted in full with their health at start (51),
        // not this year's (55).
        let fixed = CapitationSpec {
            weights: Weights::Fixed,
            ..cap(RiskAdjustment::Full)
        };
        assert_eq!(capitation(&fixed, &y), 102.0);
    }

    /// Re-based: the outturn over that year's weighted heads, uplifted and moved by the index,
    /// times this year's weighted heads. A year that covered nobody sets no rate: the
    /// baseline's is paid.
    #[test]
    fn a_rebased_capitation_pays_the_outturn_per_weighted_head_of_its_source_year() {
        let y = year(&[0.0], &[12.0], &[10.0]);
        let then = Outturn {
            cost: 90.0,
            tariff: 120.0,
            measured_cost: 90.0,
            price_index: 1.0,
            growth_index: 1.0,
            realised_cost: 1.0,
            expected_cost_per_head: 2.0,
            weighted_heads: WeightedHeads {
                plain: 45.0,
                full: 60.0,
                ..y.weighted_heads
            },
            count: vec![],
            expected_count: vec![],
            indicators: vec![],
            expected_indicators: vec![],
        };
        let outturns = [then.clone()];
        let y = HolderYear {
            growth_index: 1.04,
            price_index: 1.02,
            contract_year: 2,
            outturns: &outturns,
            ..y
        };
        let cap = |risk_adjustment, index| CapitationSpec {
            name: None,
            from_year: None,
            to_year: None,
            providers: None,
            people: None,
            per_head: Some(7.0),
            risk_adjustment,
            weights: Weights::Concurrent,
            uplift: 0.1,
            index,
            rebase: Some(Rebase {
                every: 1,
                lag: 1,
                on: None,
            }),
        };
        let close = |a: f64, b: f64| assert!((a - b).abs() < 1e-9, "{a} vs {b}");
        // 90 over 45 heads then, 50 now.
        close(
            capitation(&cap(RiskAdjustment::None, Index::None), &y),
            90.0 / 45.0 * 1.1 * 50.0,
        );
        // 90 over 60 fully weighted heads then, 55 now, with demand and inflation's growth.
        close(
            capitation(&cap(RiskAdjustment::Full, Index::ExpectedCost), &y),
            90.0 / 60.0 * 1.1 * 1.04 * 55.0,
        );
        let nobody = [Outturn {
            weighted_heads: WeightedHeads::default(),
            ..then
        }];
        let y = HolderYear {
            outturns: &nobody,
            ..y
        };
        close(
            capitation(&cap(RiskAdjustment::None, Index::Price), &y),
            7.0 * 1.1 * 1.02 * 50.0,
        );
    }
}
