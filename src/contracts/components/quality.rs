//! A deduction when an indicator is worse than a minimum standard.

use super::*;

/// Nothing is deducted in a year the indicator has no value: nothing to judge.
pub fn quality_deduction(c: &QualitySpec, indicator: usize, y: &HolderYear) -> f64 {
    let Some((value, minimum)) = judged(c.minimum, c.minimum_vs_expected, indicator, y) else {
        return 0.0;
    };
    if at_least_as_good(value, minimum, c.better) {
        0.0
    } else {
        -c.deduction
            .map(|d| d * y.price_index)
            .unwrap_or_else(|| c.deduction_share.unwrap_or(0.0) * y.contract_value())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contracts::components::test_support::year;

    #[test]
    fn deduction_when_worse_than_the_minimum() {
        let y = year(&[0.0], &[12.0], &[10.0]);
        let q = QualitySpec {
            name: None,
            from_year: None,
            to_year: None,
            providers: None,
            indicator: "x".into(),
            better: Better::Lower,
            minimum: None,
            minimum_vs_expected: Some(1.1),
            deduction_share: Some(0.02),
            deduction: None,
            settle: Settle::Yearly,
        };
        assert_eq!(quality_deduction(&q, 0, &y), -2.0); // 12 is worse than 11
        assert_eq!(
            quality_deduction(&q, 0, &year(&[0.0], &[10.5], &[10.0])),
            0.0
        );
        // No value this year, or none expected: nothing to judge, nothing deducted.
        let none = crate::contracts::indicators::NO_VALUE;
        assert_eq!(
            quality_deduction(&q, 0, &year(&[0.0], &[none], &[10.0])),
            0.0
        );
        assert_eq!(
            quality_deduction(&q, 0, &year(&[0.0], &[12.0], &[none])),
            0.0
        );
    }
}
