//! A set amount: a sum in £ or a share of expected cost ("intelligent fixed payment"), indexed.

use super::*;

pub fn fixed(c: &FixedSpec, y: &HolderYear) -> f64 {
    if let Some((rebase, outturn)) = c.rebase.zip(set_on(c, y)) {
        return rebased(c, outturn.value(rebase.on_or_cost()), outturn, y);
    }
    let base = c.amount.unwrap_or(c.share * y.expected_cost) * (1.0 + c.uplift);
    match c.index {
        Index::Price => base * y.price_index,
        // On the same plan as planned volumes: people covered, on trend.
        Index::ExpectedCost if y.expected_cost > 0.0 => base * y.plan() / y.expected_cost,
        Index::ExpectedCost | Index::None => base,
    }
}

/// The outturn the amount is re-set on this year: none when its index cannot move it from
/// that year (a year with no plan, nobody covered): the baseline's amount is paid.
pub fn set_on<'a>(c: &FixedSpec, y: &HolderYear<'a>) -> Option<&'a Outturn> {
    y.rebased_on(c.rebase, c.from_year)
        .filter(|o| match c.index {
            Index::Price => o.price_index > 0.0,
            Index::ExpectedCost => o.year(y).plan() > 0.0,
            Index::None => true,
        })
}

/// Whether this year's amount is the scenario's £ `amount` (shared between the arm's holders),
/// not one set on the holder's own expected cost or outturn.
pub fn in_pounds(c: &FixedSpec, y: &HolderYear) -> bool {
    c.amount.is_some() && set_on(c, y).is_none()
}

/// The amount set on `value`, the outturn of the year `then`, moved to this year by the index.
fn rebased(c: &FixedSpec, value: f64, then: &Outturn, y: &HolderYear) -> f64 {
    let base = c.share * value * (1.0 + c.uplift);
    match c.index {
        Index::Price => base * y.price_index / then.price_index,
        Index::ExpectedCost => base * y.plan() / then.year(y).plan(),
        Index::None => base,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contracts::components::test_support::year;

    #[test]
    fn fixed_amount_with_uplift_moves_with_prices() {
        let y = year(&[0.0], &[12.0], &[10.0]);
        let f = FixedSpec {
            name: None,
            from_year: None,
            to_year: None,
            providers: None,
            people: None,
            amount: Some(40.0),
            share: 1.0,
            uplift: 0.05,
            index: Index::Price,
            rebase: None,
        };
        let y = HolderYear {
            price_index: 1.1,
            ..y
        };
        assert!((fixed(&f, &y) - 46.2).abs() < 1e-12);
    }

    /// Re-based on the year before: share × outturn × (1 + uplift), moved from that year's
    /// prices to this year's; its £ amount was the first year's alone.
    #[test]
    fn a_rebased_block_is_the_outturn_of_its_source_year_moved_by_its_index() {
        let y = year(&[0.0], &[12.0], &[10.0]);
        // Its plan was 1.6 per head × 50 heads.
        let then = Outturn {
            cost: 90.0,
            tariff: 120.0,
            measured_cost: 90.0,
            price_index: 1.05,
            growth_index: 1.0,
            realised_cost: 1.0,
            expected_cost_per_head: 1.6,
            weighted_heads: y.weighted_heads,
            count: vec![],
            expected_count: vec![],
            indicators: vec![],
            expected_indicators: vec![],
        };
        let outturns = [then];
        let y = HolderYear {
            price_index: 1.1025,
            contract_year: 2,
            outturns: &outturns,
            ..y
        };
        let block = |on, index| FixedSpec {
            name: None,
            from_year: None,
            to_year: None,
            providers: None,
            people: None,
            amount: Some(40.0),
            share: 0.8,
            uplift: 0.05,
            index,
            rebase: Some(Rebase {
                every: 1,
                lag: 1,
                on: Some(on),
            }),
        };
        let close = |a: f64, b: f64| assert!((a - b).abs() < 1e-9, "{a} vs {b}");
        close(
            fixed(&block(RebaseOn::Cost, Index::Price), &y),
            0.8 * 90.0 * 1.05 * 1.05,
        );
        close(
            fixed(&block(RebaseOn::Tariff, Index::None), &y),
            0.8 * 120.0 * 1.05,
        );
        // The plan this year is 2 × 50 heads; it was 80.
        close(
            fixed(&block(RebaseOn::Cost, Index::ExpectedCost), &y),
            0.8 * 90.0 * 1.05 * 100.0 / 80.0,
        );
        // In the first year there is no outturn: the £ amount, uplifted and price-indexed.
        let first = HolderYear {
            contract_year: 1,
            outturns: &[],
            ..y
        };
        close(
            fixed(&block(RebaseOn::Cost, Index::Price), &first),
            40.0 * 1.05 * 1.1025,
        );
    }
}
