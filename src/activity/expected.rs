//! Closed-form expectations: the one home of expected activity and cost per cell. Contracts are
//! set on them (the basis), and tests check the simulated means against them.

use super::{ActivityInputs, ShockInputs};
use crate::population::{CELLS, CellKey, Population};

/// A unit cost where the care is delivered: rural cells cost more to serve.
pub fn unit_cost_at(unit_cost: f64, rural: bool, rural_cost_factor: f64) -> f64 {
    unit_cost * if rural { rural_cost_factor } else { 1.0 }
}

/// Expected events and cost per person-year, per cell and type (cells × types, row-major).
#[derive(Debug, Clone, PartialEq)]
pub struct CellExpectations {
    pub types: usize,
    pub count: Vec<f64>,
    pub cost: Vec<f64>,
}

impl CellExpectations {
    /// Per person-year in a year without a demand or cost shock: `rates` as drawn, and, when
    /// `shocks` is given, bad winters included in expectation (what a contract is set on).
    pub fn new(rates: &[f64], inputs: &ActivityInputs, shocks: Option<&ShockInputs>) -> Self {
        let types = inputs.types.len();
        let winter = shocks.map_or(1.0, ShockInputs::expected_winter);
        let mut count = rates.to_vec();
        let mut cost = vec![0.0; CELLS * types];
        for c in 0..CELLS {
            let rural = CellKey::from_index(c).rural == 1;
            for (t, ty) in inputs.types.iter().enumerate() {
                let i = c * types + t;
                if ty.winter && shocks.is_some() {
                    count[i] *= winter;
                }
                cost[i] = count[i] * unit_cost_at(ty.unit_cost, rural, inputs.rural_cost_factor);
            }
        }
        CellExpectations { types, count, cost }
    }

    /// Multiplies type `t`'s expected events and cost in every cell by `factor`.
    pub fn scale_type(&mut self, t: usize, factor: f64) {
        for v in [&mut self.count, &mut self.cost] {
            super::scale_column(v, t, self.types, factor);
        }
    }

    /// Expected cost per type of `heads` (people per cell) in one year.
    pub fn cost_of(&self, heads: &[f64]) -> Vec<f64> {
        self.total(&self.cost, heads)
    }

    /// Expected cost of all types of `heads` in one year.
    pub fn total_cost_of(&self, heads: &[f64]) -> f64 {
        let nt = self.types;
        (0..CELLS * nt).map(|i| heads[i / nt] * self.cost[i]).sum()
    }

    /// Expected events per type of `heads` in one year.
    pub fn count_of(&self, heads: &[f64]) -> Vec<f64> {
        self.total(&self.count, heads)
    }

    fn total(&self, per_head: &[f64], heads: &[f64]) -> Vec<f64> {
        let nt = self.types;
        let mut out = vec![0.0; nt];
        for (c, &n) in heads.iter().enumerate() {
            if n > 0.0 {
                for (t, o) in out.iter_mut().enumerate() {
                    *o += n * per_head[c * nt + t];
                }
            }
        }
        out
    }
}

/// Head counts of the cells of `pop` inside `mask`, as numbers.
pub fn covered_heads(pop: &Population, mask: &[bool]) -> Vec<f64> {
    masked(pop.as_slice().iter().map(|&n| f64::from(n)), mask)
}

/// `heads` (one per cell) inside `mask`, zero outside it.
pub fn masked(heads: impl IntoIterator<Item = f64>, mask: &[bool]) -> Vec<f64> {
    heads
        .into_iter()
        .zip(mask)
        .map(|(n, &keep)| if keep { n } else { 0.0 })
        .collect()
}
