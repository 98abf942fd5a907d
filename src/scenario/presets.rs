//! The five named payment models, each as a list of components (docs/contracts.md).

use super::contracts::*;

fn outcome_targets() -> Vec<IndicatorTarget> {
    // Emergency admissions and A&E attendances per 1,000: full payment up to 5% above the
    // expected level on trend, half the pool up to 10% above (a bad winter can cost the pool).
    let tiers = Some(vec![
        Tier { at: 1.0, pays: 1.0 },
        Tier {
            at: 1.1 / 1.05,
            pays: 0.5,
        },
    ]);
    ["non_elective_per_1000", "ae_per_1000"]
        .iter()
        .map(|ind| IndicatorTarget {
            indicator: (*ind).into(),
            better: Better::Lower,
            weight: 0.5,
            target: None,
            target_vs_expected: Some(1.05),
            target_vs_previous: None,
            tiers: tiers.clone(),
            between: Between::Steps,
        })
        .collect()
}

fn fixed(share: f64, index: Index) -> ComponentSpec {
    ComponentSpec::Fixed(FixedSpec {
        name: None,
        from_year: None,
        to_year: None,
        providers: None,
        people: None,
        amount: None,
        share,
        uplift: 0.0,
        index,
        rebase: None,
    })
}

/// The components a preset stands for.
pub fn components(preset: Preset) -> Vec<ComponentSpec> {
    match preset {
        // Block: a set sum on the baseline year's expected cost, uplifted with tariffs only; the
        // provider carries all volume and cost risk (seeds 000/002; Bedfordshire MSK block).
        Preset::Block => vec![fixed(1.0, Index::Price)],
        // Payment by results: national price × count for every activity (NHS Payment Scheme).
        Preset::Pbr => vec![ComponentSpec::Activity(ActivitySpec {
            name: None,
            from_year: None,
            to_year: None,
            providers: None,
            people: None,
            types: None,
            price_share: 1.0,
            baseline_volume: None,
            marginal_rate: None,
            below_baseline_rate: 0.0,
            cap: None,
            rebase: None,
        })],
        // Capitation: expected cost per head, fully risk-adjusted, moving with expected cost per
        // head on trend (seed 000 "in future": multi-year capitated risk-based payments).
        Preset::Capitation => vec![ComponentSpec::Capitation(CapitationSpec {
            name: None,
            from_year: None,
            to_year: None,
            providers: None,
            people: None,
            per_head: None,
            risk_adjustment: RiskAdjustment::Full,
            weights: Weights::Concurrent,
            uplift: 0.0,
            index: Index::ExpectedCost,
            rebase: None,
        })],
        // Outcomes-based: 90% fixed, 10% paid on outcome targets (Camden MSK ~10% at risk;
        // Oxfordshire 10% outcomes element).
        Preset::Outcomes => vec![
            fixed(0.9, Index::ExpectedCost),
            ComponentSpec::Outcome(OutcomeSpec {
                shared: false,
                name: None,
                from_year: None,
                to_year: None,
                providers: None,
                pool_share: Some(0.1),
                pool: None,
                settle: Settle::Yearly,
                indicators: outcome_targets(),
            }),
        ],
        // Blended payment (NHS England integrated care payment design): an intelligent fixed
        // payment for planned activity, a variable element at 50% of price for volume above or
        // below plan, a ±2% corridor with 50% sharing beyond it, and a 5% outcomes element.
        Preset::Blended => vec![
            fixed(0.95, Index::ExpectedCost),
            ComponentSpec::Activity(ActivitySpec {
                name: Some("variable".into()),
                from_year: None,
                to_year: None,
                providers: None,
                people: None,
                types: None,
                price_share: 0.0,
                baseline_volume: Some(1.0),
                marginal_rate: Some(0.5),
                below_baseline_rate: 0.5,
                cap: None,
                rebase: None,
            }),
            ComponentSpec::Outcome(OutcomeSpec {
                shared: false,
                name: None,
                from_year: None,
                to_year: None,
                providers: None,
                pool_share: Some(0.05),
                pool: None,
                settle: Settle::Yearly,
                indicators: outcome_targets(),
            }),
            ComponentSpec::RiskShare(RiskShareSpec {
                name: None,
                from_year: None,
                to_year: None,
                providers: None,
                basis: Basis::Result,
                pooled: false,
                bands: vec![
                    Band {
                        above: Some(0.02),
                        below: None,
                        provider_share: 0.5,
                    },
                    Band {
                        above: None,
                        below: Some(-0.02),
                        provider_share: 0.5,
                    },
                ],
                provider_loss_cap: None,
                provider_gain_cap: None,
                settle: Settle::Yearly,
            }),
        ],
    }
}
