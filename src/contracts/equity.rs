//! Where a component's money goes, by reporting group: the cherry-picking signal in equity.csv.

use super::WorldYear;
use super::basis::Scope;
use super::heads::WeightedHeads;
use crate::ledger::EquityCell;
use crate::scenario::contracts::{ComponentSpec, Weights};

/// Spreads `amount` over the reporting groups of `income`: activity payments follow the
/// activity (at tariff), capitation follows the (weighted) heads it pays for, everything else
/// follows expected cost (fully weighted heads).
pub fn allocate(
    spec: &ComponentSpec,
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
            ComponentSpec::Activity(_) => (0..nt)
                .filter(|&t| scope.in_scope[t])
                .map(|t| w.group_count[g * nt + t] * w.price[t])
                .sum(),
            ComponentSpec::Capitation(c) => match c.weights {
                Weights::Concurrent => scope_groups[g].get(c.risk_adjustment),
                // One mean weight for everyone: the money follows the heads.
                Weights::Fixed => scope_groups[g].plain,
            },
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
