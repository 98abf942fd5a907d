//! Weighted heads: Σ head count × risk weight, for each kind of risk adjustment.

use super::basis::Scope;
use crate::population::{GROUPS, Population};
use crate::scenario::contracts::RiskAdjustment;

/// Head count of a set of cells weighted three ways.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct WeightedHeads {
    /// Unweighted: people.
    pub plain: f64,
    /// Weighted by the expected cost of each person's age and sex.
    pub age_sex: f64,
    /// Weighted by the expected cost of each person's whole cell.
    pub full: f64,
}

impl WeightedHeads {
    pub fn get(&self, adjustment: RiskAdjustment) -> f64 {
        match adjustment {
            RiskAdjustment::None => self.plain,
            RiskAdjustment::AgeSex => self.age_sex,
            RiskAdjustment::Full => self.full,
        }
    }

    fn add(&mut self, other: &WeightedHeads) {
        self.plain += other.plain;
        self.age_sex += other.age_sex;
        self.full += other.full;
    }
}

/// Weighted heads per scope, in total and per reporting group (scopes × groups).
#[derive(Debug, Clone, Default)]
pub struct ScopeHeads {
    pub totals: Vec<WeightedHeads>,
    pub by_group: Vec<WeightedHeads>,
}

impl ScopeHeads {
    /// Weighs the covered cells of `pop` for every scope, reusing the buffers.
    pub fn weigh(&mut self, scopes: &[Scope], pop: &Population, mask: &[bool]) {
        self.totals.clear();
        self.by_group.clear();
        self.by_group
            .resize(scopes.len() * GROUPS, WeightedHeads::default());
        for (s, scope) in scopes.iter().enumerate() {
            let groups = &mut self.by_group[s * GROUPS..(s + 1) * GROUPS];
            for (c, (&n, &keep)) in pop.as_slice().iter().zip(mask).enumerate() {
                if n > 0 && keep {
                    let n = f64::from(n);
                    let g = &mut groups[c % GROUPS];
                    g.plain += n;
                    g.age_sex += n * scope.weights_age_sex[c];
                    g.full += n * scope.weights_full[c];
                }
            }
            let mut total = WeightedHeads::default();
            for g in groups.iter() {
                total.add(g);
            }
            self.totals.push(total);
        }
    }

    /// Scope `s`'s weighted heads in each reporting group.
    pub fn groups_of(&self, s: usize) -> &[WeightedHeads] {
        &self.by_group[s * GROUPS..(s + 1) * GROUPS]
    }
}
