//! How interventions are written in a scenario: a programme that changes the world for the
//! people it reaches (the left shift), with its target, uptake, cost, payer and effects.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Param, Rurality, Sex};

/// A filter on strata. Every bound is inclusive; omitted bounds do not filter.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Strata {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(max = 100))]
    pub age_min: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(max = 100))]
    pub age_max: Option<u8>,
    /// Minimum LTC count (5 means 5 or more).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(max = 5))]
    pub ltc_min: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(max = 5))]
    pub ltc_max: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sex: Option<Vec<Sex>>,
    /// IMD quintiles included (1 = most deprived).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1), inner(range(min = 1, max = 5)))]
    pub imd: Option<Vec<u8>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rurality: Option<Vec<Rurality>>,
    /// true: only people with the scenario's condition; false: only people without it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<bool>,
}

/// Whether a list names one value, however often: a filter by it.
fn one_value<T: PartialEq>(values: &[T]) -> bool {
    values.windows(2).all(|w| w[0] == w[1])
}

impl Strata {
    /// Who the filter selects, in words ("aged 20–64, with at least 3 long-term conditions");
    /// `condition` names the scenario's condition. Empty when it selects everyone.
    pub fn words(&self, condition: Option<&str>) -> String {
        let mut parts = Vec::new();
        // 0 at least and 100 (or older) at most filter nobody out.
        match (
            self.age_min.filter(|&a| a > 0),
            self.age_max.filter(|&a| a < 100),
        ) {
            (Some(lo), Some(hi)) => parts.push(format!("aged {lo}–{hi}")),
            (Some(lo), None) => parts.push(format!("aged {lo} and over")),
            (None, Some(hi)) => parts.push(format!("aged {hi} or under")),
            (None, None) => {}
        }
        let conditions = |k: u8| match k {
            1 => "1 long-term condition".to_string(),
            k => format!("{k} long-term conditions"),
        };
        // 0 at least and 5 (or more) at most filter nobody out.
        match (
            self.ltc_min.filter(|&k| k > 0),
            self.ltc_max.filter(|&k| k < 5),
        ) {
            (Some(5), None) => parts.push("with 5 or more long-term conditions".to_string()),
            (Some(lo), Some(hi)) if lo == hi => {
                parts.push(format!("with exactly {}", conditions(lo)))
            }
            (Some(lo), Some(hi)) => parts.push(format!("with {lo}–{hi} long-term conditions")),
            (Some(k), None) => parts.push(format!("with at least {}", conditions(k))),
            (None, Some(0)) => parts.push("with no long-term condition".to_string()),
            (None, Some(k)) => parts.push(format!("with at most {}", conditions(k))),
            (None, None) => {}
        }
        let distinct = |mut v: Vec<u8>| {
            v.sort_unstable();
            v.dedup();
            v
        };
        if let Some(sex) = self.sex.as_deref().filter(|s| one_value(s))
            && let Some(first) = sex.first()
        {
            parts.push(match first {
                Sex::F => "women".to_string(),
                Sex::M => "men".to_string(),
            });
        }
        if let Some(imd) = self.imd.clone().map(distinct).filter(|q| q.len() < 5) {
            let quintiles: Vec<String> = imd.iter().map(u8::to_string).collect();
            parts.push(format!(
                "in deprivation quintile{} {} (1 the most deprived)",
                if imd.len() > 1 { "s" } else { "" },
                quintiles.join(", ")
            ));
        }
        if let Some(r) = self.rurality.as_deref().filter(|r| one_value(r))
            && let Some(first) = r.first()
        {
            parts.push(match first {
                Rurality::Urban => "living in urban areas".to_string(),
                Rurality::Rural => "living in rural areas".to_string(),
            });
        }
        if let Some(with) = self.condition {
            let name = condition.unwrap_or("the scenario's condition");
            parts.push(if with {
                format!("with {name}")
            } else {
                format!("without {name}")
            });
        }
        parts.join(", ")
    }
}

fn one() -> Param {
    Param::fixed(1.0)
}

fn first_year() -> u32 {
    1
}

fn commissioner() -> String {
    "commissioner".into()
}

/// A programme running in the worlds of the arms that name it. Contracts never see it: they are
/// set on the status quo.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InterventionSpec {
    pub name: String,
    /// One sentence a reader of the results understands.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Who is eligible (default: everyone covered).
    #[serde(default)]
    pub target: Strata,
    /// Share of the eligible enrolled once the programme is fully running. Needed when the
    /// programme acts on the people it enrols (relative risks, shifts, a cost per person); one
    /// that only adds waiting-list capacity enrols nobody and may leave it out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uptake: Option<Param>,
    /// Years uptake takes to reach its full level, rising in equal steps (1: at once).
    #[serde(default = "first_year")]
    #[schemars(range(min = 1))]
    pub ramp_years: u32,
    /// Simulated year (1 = the first) the programme starts enrolling.
    #[serde(default = "first_year")]
    #[schemars(range(min = 1, max = 100))]
    pub start_year: u32,
    /// Years between enrolment and the first effect: the effect in year y is that of the
    /// uptake in year y - lag.
    #[serde(default)]
    #[schemars(range(max = 99))]
    pub lag_years: u32,
    /// £ per enrolled person-year, in the first year's prices (moves with providers' costs).
    #[serde(default = "zero")]
    pub cost_per_person_year: Param,
    /// £ a year while the programme runs (from `start_year`, in full whatever its ramp), in
    /// the first year's prices (moves with providers' costs): what a fixed investment such as
    /// extra theatre capacity costs, beside or instead of a cost per enrolled person.
    #[serde(default = "zero", skip_serializing_if = "no_cost")]
    pub cost_per_year: Param,
    /// Who pays the programme: `commissioner` or a provider's name.
    #[serde(default = "commissioner")]
    pub paid_by: String,
    #[serde(default)]
    pub effect: Effects,
    /// Care moved from one activity type to another for the enrolled.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub shift: Vec<Shift>,
}

impl InterventionSpec {
    /// Whether the programme acts on the service rather than on people: it adds waiting-list
    /// capacity, changes what a unit of care costs, or costs a fixed sum a year. One that does
    /// only this needs no uptake.
    pub fn acts_on_service(&self) -> bool {
        !self.effect.waiting_list_capacity.is_empty()
            || !self.effect.unit_cost.is_empty()
            || !no_cost(&self.cost_per_year)
    }

    /// Whether the programme acts on the people it enrols (and so needs an uptake): a relative
    /// risk or rate other than a fixed 1, a shift, or a cost per enrolled person.
    pub fn acts_on_people(&self) -> bool {
        // A rate written as a fixed 1 changes nothing, as one left out does.
        self.effect.on_people().iter().any(|(_, p)| !no_effect(p))
            || !self.shift.is_empty()
            || !no_cost(&self.cost_per_person_year)
    }

    /// Where the intervention's fields live, by its name as the user wrote it (its position
    /// when it has none): `intervention.<name>`. Parameters are drawn under these paths.
    pub fn path(&self, index: usize) -> String {
        if self.name.trim().is_empty() {
            format!("intervention[{index}]")
        } else {
            format!("intervention.{}", self.name)
        }
    }
}

/// A fixed relative risk of 1: left out of a resolved scenario where it was never written.
fn no_effect(p: &Param) -> bool {
    *p == one()
}

fn zero() -> Param {
    Param::fixed(0.0)
}

/// A fixed cost of 0: left out of a resolved scenario where it was never written.
fn no_cost(p: &Param) -> bool {
    *p == zero()
}

/// Effects on the enrolled, as relative risks (1 = no effect; each may be a distribution).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Effects {
    /// Relative risk of gaining another long-term condition in a year.
    #[serde(default = "one")]
    pub onset: Param,
    /// Relative risk (hazard ratio) of death.
    #[serde(default = "one")]
    pub mortality: Param,
    /// Relative risk of gaining the scenario's condition in a year (people without it).
    #[serde(default = "one", skip_serializing_if = "no_effect")]
    pub condition_onset: Param,
    /// Relative rate per activity type, by type name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub activity: BTreeMap<String, Param>,
    /// Capacity of an activity type's waiting list relative to the status quo's, by type name
    /// (1.05: 5% more treatments a year). It acts on the service, not on the people enrolled:
    /// uptake does not scale it, the ramp and lag do.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub waiting_list_capacity: BTreeMap<String, Param>,
    /// Relative value of one of the scenario's measures (`[[measure]]`) among the people
    /// enrolled, by measure name (1.2: a fifth higher for them).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub measure: BTreeMap<String, Param>,
    /// Cost to the provider of each unit of an activity type's care relative to the status
    /// quo's, by type name (0.95: 5% cheaper): productivity or efficiency, for all of the
    /// type's care, not the enrolled's alone. It acts on the service: uptake does not scale
    /// it, the ramp and lag do. Prices (tariffs) and activity are unchanged.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub unit_cost: BTreeMap<String, Param>,
}

impl Effects {
    /// Every effect, each a multiple of the status quo's value, with its path under `effect`:
    /// the measures', the waiting lists' capacity, onset, mortality, the condition's onset and
    /// the activity types' rates, in that order.
    pub fn ratios(&self) -> Vec<(String, &Param)> {
        fn keyed<'a>(group: &str, map: &'a BTreeMap<String, Param>) -> Vec<(String, &'a Param)> {
            map.iter()
                .map(|(key, p)| (format!("{group}.{key}"), p))
                .collect()
        }
        let mut all = keyed("measure", &self.measure);
        all.extend(keyed("waiting_list_capacity", &self.waiting_list_capacity));
        all.extend(keyed("unit_cost", &self.unit_cost));
        all.extend([
            ("onset".to_string(), &self.onset),
            ("mortality".to_string(), &self.mortality),
            ("condition_onset".to_string(), &self.condition_onset),
        ]);
        all.extend(keyed("activity", &self.activity));
        all
    }

    /// The [`Effects::ratios`] that act on the people enrolled: all but the waiting lists'
    /// capacity and the unit costs, which are the service's.
    pub fn on_people(&self) -> Vec<(String, &Param)> {
        let mut all = self.ratios();
        all.retain(|(field, _)| {
            !field.starts_with("waiting_list_capacity.") && !field.starts_with("unit_cost.")
        });
        all
    }
}

impl Default for Effects {
    fn default() -> Self {
        Effects {
            onset: one(),
            mortality: one(),
            condition_onset: one(),
            activity: BTreeMap::new(),
            waiting_list_capacity: BTreeMap::new(),
            measure: BTreeMap::new(),
            unit_cost: BTreeMap::new(),
        }
    }
}

/// A share of the enrolled's events of one activity type replaced by events of another, priced
/// as the receiving type and costed like any change in it, at its marginal cost (e.g.
/// emergency excess bed days to community contacts).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Shift {
    pub from: String,
    pub to: String,
    /// Share of the enrolled's `from` events that move.
    pub share: Param,
    /// Events of `to` per event of `from` moved.
    #[serde(default = "one")]
    pub ratio: Param,
}

#[cfg(test)]
mod tests {
    use super::{Rurality, Strata};

    /// A filter reads as who it selects: bounds that filter nobody out are left unsaid, one
    /// value is named however often a list repeats it, and counts take their plural.
    #[test]
    fn a_filter_reads_as_who_it_selects() {
        let words = |toml: &str| toml::from_str::<Strata>(toml).unwrap().words(Some("copd"));
        assert_eq!(
            words("age_min = 20\nage_max = 64\nltc_min = 3"),
            "aged 20–64, with at least 3 long-term conditions"
        );
        assert_eq!(words("age_min = 65"), "aged 65 and over");
        assert_eq!(words("ltc_min = 0\nltc_max = 5\nimd = [1, 2, 3, 4, 5]"), "");
        assert_eq!(
            words("ltc_min = 1\nltc_max = 1"),
            "with exactly 1 long-term condition"
        );
        assert_eq!(words("ltc_max = 1"), "with at most 1 long-term condition");
        assert_eq!(words("ltc_max = 0"), "with no long-term condition");
        assert_eq!(words("ltc_min = 5"), "with 5 or more long-term conditions");
        assert_eq!(
            words("imd = [1, 1, 2]\ncondition = false"),
            "in deprivation quintiles 1, 2 (1 the most deprived), without copd"
        );
        let rural = Strata {
            rurality: Some(vec![Rurality::Rural, Rurality::Rural]),
            ..Strata::default()
        };
        assert_eq!(rural.words(None), "living in rural areas");
    }
}
