//! Weighted heads: Σ head count × risk weight, for each kind of risk adjustment.

use super::basis::Scope;
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

    /// The weighted head count with weights taken as `weights` says. Concurrent: this year's.
    /// Fixed: the long-term-condition part of full weights is `start`'s (the population at
    /// contract start), so this year's people are weighted for age, sex, deprivation and
    /// rurality as they are, times the start's ratio of full to those weights: conditions gained
    /// or prevented during the term do not move the count, ageing and arrivals do. Adjustments
    /// without long-term conditions have no part to fix.
    pub fn weighted(&self, adjustment: RiskAdjustment, weights: Weights, start: &Self) -> f64 {
        match (weights, adjustment) {
            (Weights::Fixed, RiskAdjustment::Full) if start.age_sex_deprivation_rurality > 0.0 => {
                self.age_sex_deprivation_rurality * start.full / start.age_sex_deprivation_rurality
            }
            _ => self.get(adjustment),
        }
    }

    fn add(&mut self, other: &WeightedHeads) {
        self.plain += other.plain;
        self.age_sex += other.age_sex;
        self.age_sex_deprivation_rurality += other.age_sex_deprivation_rurality;
        self.full += other.full;
    }
}

/// Weighted heads per scope, in total and per reporting group (scopes × groups), and the totals
/// at contract start (the first year of the world).
#[derive(Debug, Clone, Default)]
pub struct ScopeHeads {
    pub totals: Vec<WeightedHeads>,
    pub by_group: Vec<WeightedHeads>,
    pub start: Vec<WeightedHeads>,
}

impl ScopeHeads {
    /// Weighs the `covered` cells of `pop` (those with people: [`Population::occupied_in`]) for
    /// every scope, reusing the buffers; in the first year of a world the totals are also kept
    /// as the contract start's. A small population's empty cells cost nothing per scope.
    pub fn weigh(
        &mut self,
        scopes: &[Scope],
        pop: &Population,
        covered: &[usize],
        first_year: bool,
    ) {
        self.totals.clear();
        self.by_group.clear();
        self.by_group
            .resize(scopes.len() * GROUPS, WeightedHeads::default());
        let counts = pop.as_slice();
        for (s, scope) in scopes.iter().enumerate() {
            let groups = &mut self.by_group[s * GROUPS..(s + 1) * GROUPS];
            for &c in covered {
                let n = f64::from(counts[c]);
                let g = &mut groups[group_of(c)];
                g.plain += n;
                g.age_sex += n * scope.weights_age_sex[c];
                g.age_sex_deprivation_rurality += n * scope.weights_age_sex_deprivation_rurality[c];
                g.full += n * scope.weights_full[c];
            }
            let mut total = WeightedHeads::default();
            for g in groups.iter() {
                total.add(g);
            }
            self.totals.push(total);
        }
        if first_year {
            self.start.clone_from(&self.totals);
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

    /// Fixed weights keep the start's long-term-condition mix (full 120 over 110 by age, sex,
    /// deprivation and rurality) and follow this year's demography (115): 115 × 120/110.
    /// Without long-term conditions in the weights there is nothing to fix.
    #[test]
    fn fixed_weights_freeze_the_conditions_not_the_demography() {
        let heads = |plain, age_sex, asdr, full| WeightedHeads {
            plain,
            age_sex,
            age_sex_deprivation_rurality: asdr,
            full,
        };
        let start = heads(100.0, 105.0, 110.0, 120.0);
        let now = heads(100.0, 108.0, 115.0, 118.0);
        let fixed = |adjustment| now.weighted(adjustment, Weights::Fixed, &start);
        assert!((fixed(RiskAdjustment::Full) - 115.0 * 120.0 / 110.0).abs() < 1e-12);
        for adjustment in [
            RiskAdjustment::None,
            RiskAdjustment::AgeSex,
            RiskAdjustment::AgeSexDeprivationRurality,
        ] {
            assert_eq!(fixed(adjustment), now.get(adjustment));
        }
        assert_eq!(
            now.weighted(RiskAdjustment::Full, Weights::Concurrent, &start),
            118.0
        );
    }
}
