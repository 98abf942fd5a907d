//! A set amount: a sum in £ or a share of expected cost ("intelligent fixed payment"), indexed.

use super::*;

pub fn fixed(c: &FixedSpec, y: &HolderYear) -> f64 {
    let base = c.amount.unwrap_or(c.share * y.expected_cost) * (1.0 + c.uplift);
    match c.index {
        Index::Price => base * y.price_index,
        // On the same plan as planned volumes: people covered, on trend.
        Index::ExpectedCost if y.expected_cost > 0.0 => base * y.plan() / y.expected_cost,
        Index::ExpectedCost | Index::None => base,
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
            amount: Some(40.0),
            share: 1.0,
            uplift: 0.05,
            index: Index::Price,
        };
        let y = HolderYear {
            price_index: 1.1,
            ..y
        };
        assert!((fixed(&f, &y) - 46.2).abs() < 1e-12);
    }
}
