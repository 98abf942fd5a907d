//! Per head per year × risk weight.

use super::*;

pub fn capitation(c: &CapitationSpec, y: &HolderYear) -> f64 {
    let per_head = c.per_head.unwrap_or(y.expected_cost / y.baseline_heads) * (1.0 + c.uplift);
    let per_head = match c.index {
        Index::Price => per_head * y.price_index,
        Index::ExpectedCost => per_head * y.growth_index,
        Index::None => per_head,
    };
    per_head * y.heads(c.risk_adjustment, c.weights)
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
            per_head: None,
            risk_adjustment,
            weights: Weights::Concurrent,
            uplift: 0.0,
            index: Index::Price,
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
}
