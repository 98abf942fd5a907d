//! Weighted heads: Σ head count × risk weight, for each kind of risk adjustment.

use super::basis::{Scope, stratum_of};
use crate::population::{GROUPS, Population, group_of};
use crate::scenario::contracts::{RiskAdjustment, Weights};

/// Head count of a set of cells weighted three ways.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct WeightedHeads {
    /// Unweighted: people.
    pub plain: f64,
    /// Weighted by the expected cost of each person's age and sex.
    pub age_sex: f64,
    /// Weighted by the expected cost of each person's age, sex, deprivation and rurality.
    pub age_sex_deprivation_rurality: f64,
    /// Weighted by the expected cost of each person's whole cell.
    pub full: f64,
    /// Weighted by full weights set at contract start: each stratum by the conditions the
    /// status quo expects it to hold that year ([`Scope::weights_fixed`]).
    pub fixed: f64,
}

impl WeightedHeads {
    pub fn get(&self, adjustment: RiskAdjustment) -> f64 {
        match adjustment {
            RiskAdjustment::None => self.plain,
            RiskAdjustment::AgeSex => self.age_sex,
            RiskAdjustment::AgeSexDeprivationRurality => self.age_sex_deprivation_rurality,
            RiskAdjustment::Full => self.full,
        }
    }

    /// The weighted head count with weights taken as `weights` says. Concurrent: this year's
    /// health. Fixed: full adjustment with each stratum's conditions as the status quo expects
    /// them, set at contract start, so conditions gained or prevented during the term do not
    /// move the count; ageing, deaths and arrivals do. Adjustments without long-term conditions
    /// have nothing to fix.
    pub fn weighted(&self, adjustment: RiskAdjustment, weights: Weights) -> f64 {
        match (weights, adjustment) {
            (Weights::Fixed, RiskAdjustment::Full) => self.fixed,
            _ => self.get(adjustment),
        }
    }

    fn add(&mut self, other: &WeightedHeads) {
        self.plain += other.plain;
        self.age_sex += other.age_sex;
        self.age_sex_deprivation_rurality += other.age_sex_deprivation_rurality;
        self.full += other.full;
        self.fixed += other.fixed;
    }
}

/// Weighted heads per scope, in total and per reporting group (scopes × groups).
#[derive(Debug, Clone, Default)]
pub struct ScopeHeads {
    pub totals: Vec<WeightedHeads>,
    pub by_group: Vec<WeightedHeads>,
}

impl ScopeHeads {
    /// Weighs the `covered` cells of `pop` (those with people: [`Population::occupied_in`]) at
    /// the start of year `year` (0-based) for every scope, reusing the buffers. A small
    /// population's empty cells cost nothing per scope.
    pub fn weigh(&mut self, scopes: &[Scope], pop: &Population, covered: &[usize], year: u32) {
        self.totals.clear();
        self.by_group.clear();
        self.by_group
            .resize(scopes.len() * GROUPS, WeightedHeads::default());
        let counts = pop.as_slice();
        for (s, scope) in scopes.iter().enumerate() {
            let groups = &mut self.by_group[s * GROUPS..(s + 1) * GROUPS];
            let fixed = scope.fixed_weights_in(year);
            for &c in covered {
                if !scope.holds_group(group_of(c)) {
                    continue;
                }
                let n = f64::from(counts[c]);
                let g = &mut groups[group_of(c)];
                g.plain += n;
                g.age_sex += n * scope.weights_age_sex[c];
                g.age_sex_deprivation_rurality += n * scope.weights_age_sex_deprivation_rurality[c];
                g.full += n * scope.weights_full[c];
                g.fixed += n * fixed.get(stratum_of(c)).copied().unwrap_or(1.0);
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

#[cfg(test)]
mod weight_tests {
    use super::*;

    /// Fixed weights are the fixed count with full adjustment, and nothing else: the other
    /// adjustments have no long-term conditions to fix.
    #[test]
    fn fixed_weights_apply_to_full_adjustment_only() {
        let now = WeightedHeads {
            plain: 100.0,
            age_sex: 108.0,
            age_sex_deprivation_rurality: 115.0,
            full: 118.0,
            fixed: 112.0,
        };
        let fixed = |adjustment| now.weighted(adjustment, Weights::Fixed);
        assert_eq!(fixed(RiskAdjustment::Full), 112.0);
        for adjustment in [
            RiskAdjustment::None,
            RiskAdjustment::AgeSex,
            RiskAdjustment::AgeSexDeprivationRurality,
        ] {
            assert_eq!(fixed(adjustment), now.get(adjustment));
        }
        assert_eq!(
            now.weighted(RiskAdjustment::Full, Weights::Concurrent),
            118.0
        );
    }
}
