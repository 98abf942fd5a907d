//! Scenario files: what a user writes, checked and resolved before anything runs.
//!
//! A scenario is TOML. It may name a `base` scenario and state only what differs; every field it
//! leaves out comes from its base and finally from the model defaults in `data/`. Reading goes
//! raw TOML → layers merged → typed [`Scenario`] (unknown fields rejected, with their path) →
//! [`validate`](validate::validate) (every problem reported at once) → a resolved scenario that is
//! saved beside each run so the run can be reproduced from its folder alone.

pub mod cautions;
pub mod condition;
pub mod contracts;
pub mod counts;
pub mod defaults;
pub mod indicator;
pub mod interventions;
pub mod load;
pub mod overrides;
pub mod param;
pub mod presets;
pub mod validate;
mod validate_contracts;
mod validate_interventions;
pub mod waiting_list;

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use indicator::Indicator;
pub use interventions::{InterventionSpec, Strata};
pub use load::{
    LoadedScenario, load_scenario, load_scenario_str, load_scenario_str_with, load_scenario_with,
};
pub use overrides::Override;
pub use param::{Dist, Param};

use contracts::{ArmSpec, ProviderSpec};

/// One scenario, fully resolved: every field present.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Short name; runs write to `output/<name>/` unless told otherwise.
    pub name: String,
    /// One or two sentences a reader of the results understands.
    #[serde(default)]
    pub description: String,
    /// The scenario this one modifies: `"default"` (built in) or a path relative to this file.
    /// Only the fields written here replace the base's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base: Option<String>,
    /// Master seed: replication r draws only from streams derived from (seed, r).
    pub seed: u64,
    /// Number of Monte Carlo replications.
    #[schemars(range(min = 1, max = validate::MAX_REPLICATIONS))]
    pub replications: u32,
    /// Years simulated.
    #[schemars(range(min = 1, max = 100))]
    pub years: u32,
    /// Calendar year the first simulated year starts in (a label for outputs).
    pub start_year: i32,
    /// Who is simulated: the place's size and mix (or a head-count file), and any cohort.
    pub population: PopulationSpec,
    /// The yearly step: list growth and turnover, births, deaths and long-term condition onset.
    pub transitions: TransitionParams,
    /// Care used and what it costs: per activity type its rate, unit cost and price.
    pub activity: ActivityParams,
    /// Shared year-to-year variation: demand trend and noise, cost inflation, price uplift and
    /// bad winters.
    pub shocks: ShockParams,
    /// A condition cohort: a flag on the population with its own prevalence, incidence, exits,
    /// mortality and activity, which cohorts, interventions and indicators can be scoped to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<condition::ConditionSpec>,
    /// Providers and the activity types each delivers (default: one provider, everything).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub provider: Vec<ProviderSpec>,
    /// Indicators the cohort model does not simulate (employment, a recovery score), stated as
    /// assumptions, which contracts can pay on and programmes can move.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub measure: Vec<indicator::MeasureSpec>,
    /// Programmes that change the world (prevention, shifts of care); an arm names those
    /// running in its world.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub intervention: Vec<InterventionSpec>,
    /// Contracts compared side by side on the same simulated years.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub arm: Vec<ArmSpec>,
    /// The commissioner's budget for the care the contracts pay for: results then give the
    /// chance that each contract's spend exceeds it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub budget: Option<Budget>,
}

/// The commissioner's budget: `first_year` (£ at that year's prices) growing by `growth` a year.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Budget {
    /// Budget for the first simulated year, £ (above 0).
    #[schemars(extend("exclusiveMinimum" = 0), range(max = validate::MAX_BUDGET))]
    pub first_year: f64,
    /// Yearly growth of the budget (e.g. the allocation uplift): 0.03 is 3% a year (above -1).
    #[serde(default)]
    #[schemars(extend("exclusiveMinimum" = -1), range(max = validate::MAX_GROWTH))]
    pub growth: f64,
}

impl Budget {
    /// The budget of year `year` (0-based).
    pub fn in_year(&self, year: u32) -> f64 {
        self.first_year * (1.0 + self.growth).powi(year as i32)
    }

    /// The budget over a term of `years` years.
    pub fn over_term(&self, years: u32) -> f64 {
        (0..years).map(|y| self.in_year(y)).sum()
    }
}

/// Who is simulated.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PopulationSpec {
    /// Head count of the place before any cohort filter (when `counts_csv` is given, its total
    /// replaces whatever is written here in the resolved scenario).
    pub size: u64,
    /// CSV (or Parquet) of head counts per stratum (columns age, sex, imd_quintile, rurality,
    /// ltc_count, count), relative to the scenario file. Replaces the synthetic population.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counts_csv: Option<String>,
    /// The place's share of people in each IMD quintile (1 = most deprived); must sum to 1.
    /// Default: England's mix.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(inner(range(min = 0, max = 1)))]
    pub imd_shares: Option<[f64; 5]>,
    /// The place's share of people living in rural areas. Default: England's mix by age and IMD.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = 1))]
    pub rural_share: Option<f64>,
    /// Restrict the simulation to a cohort (e.g. aged 20-64 with 3+ LTCs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cohort: Option<Cohort>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
pub enum Sex {
    F,
    M,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Rurality {
    Urban,
    Rural,
}

/// Whether people move into and out of a cohort as they age and gain conditions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum CohortMode {
    /// The people in the cohort at the start are followed; nobody joins.
    #[default]
    Closed,
    /// The whole place is simulated; the cohort is whoever meets the filter that year
    /// (people join as they gain conditions, leave as they age out).
    Open,
}

/// A filter on strata. Every bound is inclusive; omitted bounds do not filter.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Cohort {
    #[serde(default)]
    #[schemars(range(max = 100))]
    pub age_min: Option<u8>,
    #[serde(default)]
    #[schemars(range(max = 100))]
    pub age_max: Option<u8>,
    /// Minimum LTC count (5 means 5 or more).
    #[serde(default)]
    #[schemars(range(max = 5))]
    pub ltc_min: Option<u8>,
    #[serde(default)]
    #[schemars(range(max = 5))]
    pub ltc_max: Option<u8>,
    #[serde(default)]
    pub sex: Option<Vec<Sex>>,
    /// IMD quintiles included (1 = most deprived).
    #[serde(default)]
    #[schemars(length(min = 1), inner(range(min = 1, max = 5)))]
    pub imd: Option<Vec<u8>>,
    #[serde(default)]
    pub rurality: Option<Vec<Rurality>>,
    /// true: only people with the scenario's condition; false: only people without it.
    #[serde(default)]
    pub condition: Option<bool>,
    #[serde(default)]
    pub mode: CohortMode,
}

impl Cohort {
    /// The strata the cohort admits.
    pub fn strata(&self) -> Strata {
        Strata {
            age_min: self.age_min,
            age_max: self.age_max,
            ltc_min: self.ltc_min,
            ltc_max: self.ltc_max,
            sex: self.sex.clone(),
            imd: self.imd.clone(),
            rurality: self.rurality.clone(),
            condition: self.condition,
        }
    }
}

/// The yearly cohort step.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitionParams {
    /// Net growth of the head count per year.
    pub growth_rate: Param,
    /// Probability that a person leaves the list in a year (list turnover).
    pub leaver_rate: Param,
    /// Births per person-year, entering at age 0.
    pub birth_rate: Param,
    /// Multiplies every death hazard.
    pub mortality_multiplier: Param,
    /// Multiplies every LTC onset probability.
    pub onset_multiplier: Param,
}

/// Utilisation, cost and price.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivityParams {
    /// Shape k of each person's frailty, Gamma(k, 1/k): it multiplies all their activity types.
    pub frailty_shape: Param,
    /// Correlation of a person's frailty from one year to the next (0 = drawn afresh each year,
    /// 1 = fixed for life): how far the people who cost a lot this year cost a lot next year.
    pub frailty_persistence: Param,
    /// Cost multiplier for care delivered to people in rural areas.
    pub rural_cost_factor: Param,
    /// Activity types by name.
    pub types: BTreeMap<String, ActivityType>,
}

/// One activity type (GP appointment, non-elective spell, ...).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivityType {
    /// Order of the type in outputs.
    pub order: u32,
    /// Events per person-year over England's population mix.
    pub rate: Param,
    /// Provider's mean cost of one event, £ (first simulated year's prices).
    pub unit_cost: Param,
    /// Tariff paid per event under activity-based rules, £.
    pub price: Param,
    /// Coefficient of variation of the cost of one event.
    pub cost_cv: Param,
    /// Share of events that are long or complex (a long stay), costing `long_stay_cost_ratio`
    /// times the mean; the others cost less, so the mean cost is unchanged. 0: none.
    #[serde(default = "Param::zero")]
    pub long_stay_share: Param,
    /// Cost of a long stay as a multiple of the mean cost of an event.
    #[serde(default = "Param::one")]
    pub long_stay_cost_ratio: Param,
    /// Rate ratio per additional long-term condition.
    pub ltc_ratio: Param,
    /// Ratio of the most to the least deprived quintile's age-sex-standardised rates over
    /// England, as published gradients are (log-linear between); the ratio within cells of the
    /// same LTC count is derived from it, since deprived areas have more conditions.
    pub deprivation_ratio: Param,
    /// Rate ratio, rural vs urban.
    pub rural_rate_ratio: Param,
    /// Share of the cost of these events a provider cannot shed within the term when an
    /// intervention changes their number: its cost moves at the marginal rate 1 - share.
    pub fixed_cost_share: Param,
    /// Whether a bad winter raises this type's rate.
    pub winter: bool,
    /// Name of the age-sex profile (data/activity_age_profile.csv) this type follows.
    pub age_profile: String,
    /// Used only by people with the scenario's condition (an MSK physiotherapy contact, a
    /// community mental-health contact): `rate` is then per person-year of people with it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub condition_only: bool,
    /// An elective waiting list for this type: its demand refers people onto the list and
    /// the provider's capacity treats them (see docs/model.md, "Elective waiting list").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiting_list: Option<waiting_list::WaitingListSpec>,
}

/// Systematic variation shared by everyone in a replication.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ShockParams {
    /// Growth of activity per head per year beyond demography.
    pub demand_trend: Param,
    /// Standard deviation of a year's lognormal demand shock.
    pub demand_noise_sd: Param,
    /// Growth of providers' unit costs per year.
    pub cost_inflation: Param,
    /// Growth of prices (tariff) per year.
    pub price_uplift: Param,
    /// Probability that a year has a bad winter.
    pub bad_winter_probability: Param,
    /// Relative rise of winter-sensitive activity in a bad winter.
    pub bad_winter_effect: Param,
}

impl ActivityParams {
    /// Activity type names in output order.
    pub fn ordered_types(&self) -> Vec<&str> {
        let mut v: Vec<(&u32, &str)> = self
            .types
            .iter()
            .map(|(k, t)| (&t.order, k.as_str()))
            .collect();
        v.sort();
        v.into_iter().map(|(_, k)| k).collect()
    }

    /// Activity type names in output order, owned: the list contracts and outputs index by.
    pub fn type_names(&self) -> Vec<String> {
        self.ordered_types().into_iter().map(String::from).collect()
    }
}

impl Scenario {
    /// The providers: as written, or one provider delivering everything when none is.
    pub fn providers(&self) -> Vec<ProviderSpec> {
        if self.provider.is_empty() {
            vec![ProviderSpec {
                name: "provider".into(),
                activity: self.activity.type_names(),
            }]
        } else {
            self.provider.clone()
        }
    }

    /// Party names in ledger order: the commissioner, then each provider.
    pub fn parties(&self) -> Vec<String> {
        std::iter::once("commissioner".to_string())
            .chain(self.providers().into_iter().map(|p| p.name))
            .collect()
    }

    /// The resolved scenario as TOML, as saved beside a run.
    pub fn to_toml(&self) -> String {
        if self.population.counts_csv.is_none() {
            return toml::to_string(self).expect("a scenario always serialises");
        }
        // A head-count file gives the people: a size beside it would be refused on reading.
        let mut table = toml::Table::try_from(self).expect("a scenario always serialises");
        if let Some(toml::Value::Table(population)) = table.get_mut("population") {
            population.remove("size");
        }
        toml::to_string(&table).expect("a scenario always serialises")
    }

    /// JSON Schema of the scenario format, for editors.
    ///
    /// A file states only what differs from its base, and tables merge key by key, so no field
    /// of the scenario or of a table nested in it is required: the derived schema's `required`
    /// lists are dropped there. Lists (`[[arm]]`, `[[provider]]`, `[[intervention]]` and the
    /// lists inside them) and parameter tables replace their base's whole, so their items keep
    /// the fields they cannot do without (an arm's `name`, a component's `kind`, ...).
    pub fn json_schema() -> String {
        let schema = schemars::schema_for!(Scenario);
        let mut value = serde_json::to_value(&schema).expect("schema serialises");
        drop_required_where_merged(&mut value);
        serde_json::to_string_pretty(&value).expect("schema serialises")
    }
}

/// Drops `required` from the root schema and from every definition it reaches as a merged
/// table (see [`Scenario::json_schema`]).
fn drop_required_where_merged(root: &mut serde_json::Value) {
    let mut pending = strip_merged(root);
    let mut done: Vec<String> = Vec::new();
    while let Some(name) = pending.pop() {
        if done.contains(&name) {
            continue;
        }
        if let Some(def) = root.get_mut("$defs").and_then(|d| d.get_mut(&name)) {
            pending.extend(strip_merged(def));
        }
        done.push(name);
    }
}

/// Removes `required` from the schema of a merged table and from the schemas merged along with
/// it: its properties and map values, through `anyOf`, `oneOf` and `allOf`. List items and
/// parameters are written whole and left alone. Returns the definitions referred to on the way.
fn strip_merged(schema: &mut serde_json::Value) -> Vec<String> {
    use serde_json::Value;
    let mut refs = Vec::new();
    let Value::Object(map) = schema else {
        return refs;
    };
    map.remove("required");
    if let Some(name) = map
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix("#/$defs/"))
        && name != Param::schema_name()
    {
        refs.push(name.to_string());
    }
    for key in ["anyOf", "oneOf", "allOf"] {
        if let Some(Value::Array(subs)) = map.get_mut(key) {
            subs.iter_mut().for_each(|s| refs.extend(strip_merged(s)));
        }
    }
    if let Some(Value::Object(props)) = map.get_mut("properties") {
        props
            .values_mut()
            .for_each(|p| refs.extend(strip_merged(p)));
    }
    if let Some(values @ Value::Object(_)) = map.get_mut("additionalProperties") {
        refs.extend(strip_merged(values));
    }
    refs
}
