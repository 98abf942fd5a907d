//! Where a component's money goes, by reporting group: the cherry-picking signal in equity.csv.

use super::WorldYear;
use super::basis::Scope;
use super::components::activity::pays_for;
use super::heads::WeightedHeads;
use crate::ledger::EquityCell;
use crate::scenario::contracts::ComponentSpec;

/// Spreads `amount` over the reporting groups of `income`: activity payments follow the
/// activity they pay for (at tariff: the types of the component's filter `types`, or the whole
/// scope), capitation follows the (weighted) heads it pays for, shared savings the heads its
/// benchmark weighs, everything else follows expected cost (fully weighted heads).
pub fn allocate(
    spec: &ComponentSpec,
    types: Option<&[usize]>,
    amount: f64,
    scope: &Scope,
    scope_groups: &[WeightedHeads],
    w: &WorldYear,
    income: &mut [f64],
) {
    if amount == 0.0 {
        return;
    }
    let nt = w.price.len();
    let share = |g: usize| -> f64 {
        match spec {
            ComponentSpec::Activity(_) if scope.holds_group(g) => (0..nt)
                .filter(|&t| pays_for(types, &scope.in_scope, t))
                .map(|t| w.group_count[g * nt + t] * w.price[t])
                .sum(),
            ComponentSpec::Activity(_) => 0.0,
            ComponentSpec::Capitation(c) => scope_groups[g].weighted(c.risk_adjustment, c.weights),
            ComponentSpec::SharedSavings(s) => {
                scope_groups[g].weighted(s.risk_adjustment, s.weights)
            }
            _ => scope_groups[g].full,
        }
    };
    let weights: Vec<f64> = (0..income.len()).map(share).collect();
    let total: f64 = weights.iter().sum();
    if total > 0.0 {
        for (x, wt) in income.iter_mut().zip(&weights) {
            *x += amount * wt / total;
        }
    }
}

/// Adds one arm's year to its equity cells: payments by group, the care cost of each group and
/// the people in it.
pub fn book_year(cells: &mut [EquityCell], group_income: &[f64], w: &WorldYear) {
    let nt = w.price.len();
    // Every scope sees the same heads; take the first.
    let heads = w.heads.groups_of(0);
    for (g, cell) in cells.iter_mut().enumerate() {
        cell.income += group_income[g];
        cell.cost += (0..nt).map(|t| w.group_cost[g * nt + t]).sum::<f64>();
        cell.person_years += heads[g].plain;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contracts::heads::ScopeHeads;
    use crate::scenario::contracts::ActivitySpec;

    /// An activity payment for electives alone follows the electives: a group with none of them
    /// gets none of it, however much else it does. Without a filter it follows all the scope's
    /// activity at tariff.
    #[test]
    fn an_activity_payment_follows_the_types_it_pays_for() {
        let spec = ComponentSpec::Activity(ActivitySpec {
            name: None,
            from_year: None,
            to_year: None,
            providers: None,
            people: None,
            types: Some(vec!["elective".into()]),
            price_share: 1.0,
            baseline_volume: None,
            marginal_rate: None,
            below_baseline_rate: 0.0,
            cap: None,
            rebase: None,
        });
        let heads = ScopeHeads::default();
        // Two types (0: elective at £100, 1: GP at £30); group 0 has electives only, group 1 GP
        // contacts only.
        let w = WorldYear {
            year: 0,
            last_year: false,
            count: &[10.0, 50.0],
            cost: &[0.0, 0.0],
            price: &[100.0, 30.0],
            price_index: 1.0,
            shock: &crate::activity::shocks::YearShock::NONE,
            heads: &heads,
            group_cost: &[0.0; 4],
            group_count: &[10.0, 0.0, 0.0, 50.0],
            indicators: &[],
            programme_cost: &[],
        };
        let scope = Scope {
            in_scope: vec![true, true],
            people: None,
            weights_age_sex: Vec::new(),
            weights_age_sex_deprivation_rurality: Vec::new(),
            weights_full: Vec::new(),
            weights_fixed: Vec::new(),
            expected_cost: 0.0,
            expected_count: vec![0.0; 2],
            expected_cost_by_type: vec![0.0; 2],
            baseline_heads: 0.0,
            expected_cost_per_head: Vec::new(),
            expected_count_per_head: Vec::new(),
        };
        let mut income = [0.0; 2];
        allocate(&spec, Some(&[0]), 1_000.0, &scope, &[], &w, &mut income);
        assert_eq!(income, [1_000.0, 0.0]);
        let mut income = [0.0; 2];
        allocate(&spec, None, 2_500.0, &scope, &[], &w, &mut income);
        assert_eq!(income, [1_000.0, 1_500.0]);

        // Shared savings and capitation with weights fixed at start follow the heads their
        // fixed weights count (1:3), not the concurrent full weights (1:1).
        let groups = [
            WeightedHeads {
                full: 10.0,
                fixed: 10.0,
                ..WeightedHeads::default()
            },
            WeightedHeads {
                full: 10.0,
                fixed: 30.0,
                ..WeightedHeads::default()
            },
        ];
        let fixed = "risk_adjustment = \"full\"\nweights = \"fixed\"\n";
        for spec in [
            ComponentSpec::SharedSavings(
                toml::from_str(&format!("provider_share = 0.5\n{fixed}")).unwrap(),
            ),
            ComponentSpec::Capitation(toml::from_str(fixed).unwrap()),
        ] {
            let mut income = [0.0; 2];
            allocate(&spec, None, 400.0, &scope, &groups, &w, &mut income);
            assert_eq!(income, [100.0, 300.0], "{spec:?}");
        }
    }
}
