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

/// The cost norm this year: expected cost on trend of the people covered, risk-adjusted as the
/// component says, moved with demand and inflation as expected or as they turned out.
pub fn norm(c: &SharedSavingsSpec, y: &HolderYear) -> f64 {
    let on_trend = y.benchmark(c.risk_adjustment, c.weights);
    match c.benchmark_trend {
        BenchmarkTrend::Expected => on_trend,
        BenchmarkTrend::Realised => on_trend * y.realised_cost,
    }
}

/// The benchmark this year, before `benchmark_vs_expected`: the cost norm, or re-based, the
/// cost measured in the outturn's year moved on by the norm's growth since.
pub fn benchmark(c: &SharedSavingsSpec, y: &HolderYear) -> f64 {
    let now = norm(c, y);
    match set_on(c, y) {
        Some(then) => then.measured_cost * now / norm(c, &then.year(y)),
        None => now,
    }
}

/// The year the benchmark is re-set on this year, with its cost norm above 0 (a year with
/// none has nothing to move the benchmark on from: the norm is the benchmark).
fn set_on<'a>(c: &SharedSavingsSpec, y: &HolderYear<'a>) -> Option<&'a Outturn> {
    y.rebased_on(c.rebase, c.from_year)
        .filter(|then| norm(c, &then.year(y)) > 0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_savings_with_minimum_rate_and_loss_sharing() {
        let s = SharedSavingsSpec {
            name: None,
            from_year: None,
            to_year: None,
            providers: None,
            provider_share: 0.5,
            pooled: false,
            min_savings_rate: 0.02,
            loss_share: 0.3,
            min_loss_rate: 0.02,
            cap: None,
            benchmark_vs_expected: 1.0,
            against: SavingsAgainst::Cost,
            risk_adjustment: RiskAdjustment::Full,
            weights: Weights::Concurrent,
            benchmark_trend: BenchmarkTrend::Expected,
            settle: Settle::Yearly,
            rebase: None,
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

    fn spec(
        provider_share: f64,
        min_savings_rate: f64,
        loss_share: f64,
        cap: Option<f64>,
    ) -> SharedSavingsSpec {
        SharedSavingsSpec {
            name: None,
            from_year: None,
            to_year: None,
            providers: None,
            provider_share,
            pooled: false,
            min_savings_rate,
            loss_share,
            min_loss_rate: 0.0,
            cap,
            benchmark_vs_expected: 1.0,
            against: SavingsAgainst::Cost,
            risk_adjustment: RiskAdjustment::Full,
            weights: Weights::Concurrent,
            benchmark_trend: BenchmarkTrend::Expected,
            settle: Settle::Yearly,
            rebase: None,
        }
    }

    proptest::proptest! {
        /// Savings short of the minimum savings rate pay nothing.
        #[test]
        fn nothing_is_paid_below_the_minimum_savings_rate(
            benchmark in 1.0f64..1e9,
            min_rate in 0.001f64..0.2,
            fraction in 0.0f64..1.0,
            share in 0.0f64..=1.0,
        ) {
            let s = spec(share, min_rate, 0.0, None);
            let cost = benchmark - fraction * min_rate * benchmark * 0.999;
            proptest::prop_assert_eq!(shared_savings(&s, cost, benchmark), 0.0);
        }

        /// Either way, the payment is at most the cap.
        #[test]
        fn payments_stay_within_the_cap(
            benchmark in 1.0f64..1e9,
            ratio in 0.0f64..3.0,
            share in 0.0f64..=1.0,
            loss_share in 0.0f64..=1.0,
            cap in 0.0f64..0.5,
        ) {
            let s = spec(share, 0.0, loss_share, Some(cap));
            let paid = shared_savings(&s, ratio * benchmark, benchmark);
            proptest::prop_assert!(paid.abs() <= cap * benchmark * (1.0 + 1e-12));
        }
    }
}
