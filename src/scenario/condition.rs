//! A condition cohort as a scenario states it: a flag on the population (serious mental illness,
//! frailty, MSK, COPD, ...) with its prevalence, incidence, exits, mortality and activity. See
//! [`crate::population::condition`] for what the model does with it.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Param;
use super::validate::{Kind, MAX_RATIO};
use crate::error::Problems;
use crate::unknown_name::unknown;

/// The scenario's condition. A name found in data/conditions.toml takes every field it does not
/// write from there (published prevalence and ratios, each with its source).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConditionSpec {
    /// Short name (`smi`, `frailty`, `copd`, `msk`): it names the condition's indicators.
    pub name: String,
    /// What the condition is, in words, with its source.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Share of people with the condition by age band and sex, in England's deprivation mix:
    /// bands in increasing order covering ages 0-100.
    pub prevalence: Vec<PrevalenceBand>,
    /// Odds ratio of having the condition, most vs least deprived quintile: England's, of the
    /// two quintiles' prevalences standardised to its age-sex structure over the ages the bands
    /// give any prevalence (log-linear between within cells, the within-cell ratio solved for);
    /// each band's England prevalence is kept. Close to the prevalence ratio for a condition
    /// under about 10%; for a common one the prevalence ratio is smaller (an odds ratio of 1.5
    /// at 58% prevalence is a prevalence ratio of 1.2).
    pub deprivation_ratio: f64,
    /// Odds ratio per additional long-term condition, likewise; each band's England prevalence
    /// is kept.
    pub ltc_ratio: f64,
    /// Fewest long-term conditions a person with the condition has (0 to 5, 5 meaning 5 or
    /// more; default 0), for a condition that is itself a set of them ("three or more of a
    /// shortlist"): nobody below it has the condition, and each band's prevalence is then a
    /// share of the band's people at or above it.
    #[serde(default, skip_serializing_if = "is_zero")]
    #[schemars(range(max = 5))]
    pub ltc_min: u8,
    /// Multiplies the yearly probability of gaining the condition that keeps prevalence by age,
    /// deprivation and LTC count as it is (1: steady; above 1 the cohort grows).
    pub incidence_multiplier: Param,
    /// Yearly probability that a person's condition ends (remission, or leaving a register for
    /// a reason other than death).
    pub exit_rate: Param,
    /// Relative risk of death with the condition against without, in the same age, sex,
    /// deprivation and LTC count (life tables are kept: the deaths are redistributed).
    pub mortality_ratio: Param,
    /// Rate ratios on activity types for people with the condition, against people without it
    /// in the same cell (each type's all-age rate is kept). Types marked `condition_only` are
    /// used by people with the condition alone: a ratio on one (the condition's defaults may
    /// carry one) is ignored, its rate being per person-year of them already.
    #[serde(default)]
    pub activity_ratio: BTreeMap<String, Param>,
}

/// Prevalence in one age band, by sex.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PrevalenceBand {
    #[schemars(range(max = 100))]
    pub age_min: u8,
    #[schemars(range(max = 100))]
    pub age_max: u8,
    #[schemars(range(min = 0, max = 1))]
    pub female: f64,
    #[schemars(range(min = 0, max = 1))]
    pub male: f64,
}

impl ConditionSpec {
    /// The condition's parameters that may be distributions: (path, parameter, kind, maximum).
    pub fn parameters(&self) -> Vec<(String, &Param, Kind, f64)> {
        let mut v = vec![
            (
                "condition.incidence_multiplier".to_string(),
                &self.incidence_multiplier,
                Kind::NonNegative,
                MAX_RATIO,
            ),
            (
                "condition.exit_rate".to_string(),
                &self.exit_rate,
                Kind::Probability,
                1.0,
            ),
            (
                "condition.mortality_ratio".to_string(),
                &self.mortality_ratio,
                Kind::Positive,
                MAX_RATIO,
            ),
        ];
        for (ty, ratio) in &self.activity_ratio {
            v.push((
                format!("condition.activity_ratio.{ty}"),
                ratio,
                Kind::NonNegative,
                MAX_RATIO,
            ));
        }
        v
    }

    /// Checks what the parameters' own checks do not: the name, the bands and the ratios.
    pub fn check(&self, type_names: &[String], problems: &mut Problems) {
        let name_ok = !self.name.is_empty()
            && self
                .name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !name_ok {
            problems.push(
                "condition.name",
                format!(
                    "expected a short name of lower-case letters, digits and _ (it names \
                     indicators), found \"{}\"",
                    self.name
                ),
            );
        }
        let mut next_age = 0u32;
        for (i, b) in self.prevalence.iter().enumerate() {
            let at = format!("condition.prevalence[{i}]");
            if u32::from(b.age_min) != next_age || b.age_max < b.age_min || b.age_max > 100 {
                problems.push(
                    &at,
                    format!(
                        "expected bands in increasing order covering ages 0-100 without gaps: \
                         this one should start at {next_age}, found {}-{}",
                        b.age_min, b.age_max
                    ),
                );
            }
            for (sex, p) in [("female", b.female), ("male", b.male)] {
                if !(0.0..=1.0).contains(&p) {
                    problems.push(
                        format!("{at}.{sex}"),
                        format!("expected a share between 0 and 1, found {p}"),
                    );
                }
            }
            next_age = u32::from(b.age_max) + 1;
        }
        let nowhere = self
            .prevalence
            .iter()
            .all(|b| b.female == 0.0 && b.male == 0.0);
        if !self.prevalence.is_empty() && nowhere {
            problems.push(
                "condition.prevalence",
                "expected a prevalence above 0 in some band: nobody would have the condition or \
                 gain it (its yearly incidence keeps each band's prevalence)",
            );
        }
        if self.prevalence.is_empty() || next_age != 101 {
            problems.push(
                "condition.prevalence",
                format!(
                    "expected bands covering ages 0-100, e.g. [{{ age_min = 0, age_max = 100, \
                     female = 0.01, male = 0.01 }}]; they end at {}",
                    next_age.saturating_sub(1)
                ),
            );
        }
        for (field, r) in [
            ("deprivation_ratio", self.deprivation_ratio),
            ("ltc_ratio", self.ltc_ratio),
        ] {
            if !(r > 0.0 && r <= MAX_RATIO) {
                problems.push(
                    format!("condition.{field}"),
                    format!("expected a ratio above 0 and at most {MAX_RATIO}, found {r}"),
                );
            }
        }
        if usize::from(self.ltc_min) >= crate::population::LTCS {
            problems.push(
                "condition.ltc_min",
                format!(
                    "expected a count of long-term conditions from 0 to {} ({} meaning {} or \
                     more), found {}",
                    crate::population::LTCS - 1,
                    crate::population::LTCS - 1,
                    crate::population::LTCS - 1,
                    self.ltc_min
                ),
            );
        }
        for ty in self.activity_ratio.keys() {
            if !type_names.contains(ty) {
                problems.push(
                    format!("condition.activity_ratio.{ty}"),
                    unknown("activity type", ty, type_names, "an activity type"),
                );
            }
        }
    }

    /// Prevalence in England's deprivation mix at `age` for `sex` (0 = F): the band's value.
    pub fn band_prevalence(&self, age: usize, sex: usize) -> f64 {
        self.prevalence
            .iter()
            .find(|b| usize::from(b.age_min) <= age && age <= usize::from(b.age_max))
            .map_or(0.0, |b| if sex == 0 { b.female } else { b.male })
    }
}

fn is_zero(n: &u8) -> bool {
    *n == 0
}
