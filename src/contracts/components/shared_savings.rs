//! A share of (benchmark − actual cost) paid to the provider; optionally losses shared too.

use super::*;

/// Shared savings against a benchmark (already scaled by `benchmark_vs_expected`).
pub fn shared_savings(c: &SharedSavingsSpec, cost: f64, benchmark: f64) -> f64 {
    if benchmark <= 0.0 {
        return 0.0;
    }
    let savings = benchmark - cost;
    let amount = if savings >= c.min_savings_rate * benchmark && savings > 0.0 {
        c.provider_share * savings
    } else if savings < 0.0 && -savings >= c.min_loss_rate * benchmark {
        c.loss_share * savings
    } else {
        0.0
    };
    match c.cap {
        Some(cap) => amount.clamp(-cap * benchmark, cap * benchmark),
        None => amount,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_savings_with_minimum_rate_and_loss_sharing() {
        let s = SharedSavingsSpec {
            name: None,
            provider_share: 0.5,
            min_savings_rate: 0.02,
            loss_share: 0.3,
            min_loss_rate: 0.02,
            cap: None,
            benchmark_vs_expected: 1.0,
            settle: Settle::Yearly,
        };
        assert!((shared_savings(&s, 90.0, 100.0) - 5.0).abs() < 1e-12);
        assert_eq!(shared_savings(&s, 99.0, 100.0), 0.0); // 1% < minimum savings rate
        assert!((shared_savings(&s, 110.0, 100.0) + 3.0).abs() < 1e-12);
        assert_eq!(shared_savings(&s, 101.0, 100.0), 0.0);
        let capped = SharedSavingsSpec {
            cap: Some(0.03),
            ..s
        };
        assert!((shared_savings(&capped, 80.0, 100.0) - 3.0).abs() < 1e-12);
    }
}
