//! A replication's parameter values: fixed ones as written, uncertain ones drawn from their own
//! streams (keyed by their path in the scenario), or every one at its mean for the contract
//! basis.

use rand::RngExt;
use rand_distr::StandardNormal;

use super::Model;
use crate::activity::{self, ActivityInputs, ShockInputs, TypeInputs};
use crate::interventions::ProgrammeDraw;
use crate::rng::parameter_stream;
use crate::scenario::Param;
use crate::scenario::validate::parameters;
use crate::transitions::ConditionDraw;
use crate::waiting_list::{self, ListInputs};

/// Parameter values of one replication.
#[derive(Debug, Clone)]
pub struct RepParams {
    /// Per intervention, in scenario order.
    pub programmes: Vec<ProgrammeDraw>,
    pub growth_rate: f64,
    pub leaver_rate: f64,
    pub birth_rate: f64,
    pub mortality_multiplier: f64,
    pub onset_multiplier: f64,
    pub activity: ActivityInputs,
    pub shocks: ShockInputs,
    /// The condition's draws, when the scenario has one.
    pub condition: Option<ConditionDraw>,
    /// Per measure, in scenario order, the status quo's value in each year, before its bounds.
    pub measures: Vec<Vec<f64>>,
}

impl Model {
    /// One parameter's value in a replication (its own stream, keyed by its path), or its
    /// mean when `replication` is `None` or the parameter is fixed.
    fn draw(&self, path: &str, p: &Param, replication: Option<u64>) -> f64 {
        match replication {
            Some(r) if !p.is_fixed() => {
                p.sample(&mut parameter_stream(self.scenario.seed, r, path))
            }
            _ => p.mean(),
        }
    }

    /// The uncertain parameters' values in replication `r`, as drawn (before any clipping at
    /// 0), by path in scenario order: what `parameters.parquet` records.
    pub fn uncertain_draws(&self, r: u64) -> Vec<(String, f64)> {
        parameters(&self.scenario)
            .into_iter()
            .filter(|spec| !spec.param.is_fixed())
            .map(|spec| {
                let value = self.draw(&spec.path, spec.param, Some(r));
                (spec.path, value)
            })
            .collect()
    }

    /// Every parameter drawn for a replication, or at its mean when `replication` is `None`.
    pub(super) fn parameters(&self, replication: Option<u64>) -> RepParams {
        let s = &self.scenario;
        let draw = |path: &str, p: &Param| -> f64 { self.draw(path, p, replication) };
        let mut values = std::collections::HashMap::new();
        for spec in parameters(s) {
            let value = draw(&spec.path, spec.param);
            values.insert(spec.path, value);
        }
        let v = |path: &str| values[path];
        let nonneg = |path: &str| v(path).max(0.0);
        let types = self
            .type_names
            .iter()
            .map(|name| {
                let ty = &s.activity.types[name];
                let p = |f: &str| nonneg(&format!("activity.types.{name}.{f}"));
                TypeInputs {
                    name: name.clone(),
                    rate: p("rate"),
                    unit_cost: p("unit_cost"),
                    price: p("price"),
                    cost_cv: p("cost_cv"),
                    long_stay_share: p("long_stay_share"),
                    long_stay_cost_ratio: p("long_stay_cost_ratio"),
                    ltc_ratio: p("ltc_ratio"),
                    deprivation_ratio: p("deprivation_ratio"),
                    rural_rate_ratio: p("rural_rate_ratio"),
                    fixed_cost_share: p("fixed_cost_share").min(1.0),
                    winter: ty.winter,
                    profile: activity::age_profile(&ty.age_profile),
                    condition_ratio: s
                        .condition
                        .as_ref()
                        .and_then(|c| c.activity_ratio.get(name))
                        .map_or(1.0, |_| nonneg(&format!("condition.activity_ratio.{name}"))),
                    condition_only: ty.condition_only,
                    waiting_list: ty.waiting_list.as_ref().map(|spec| {
                        let q = |f: &str| format!("activity.types.{name}.waiting_list.{f}");
                        ListInputs {
                            initial: nonneg(&q("initial")),
                            initial_profile: waiting_list::profile_from_bands(&spec.bands()),
                            referrals_per_event: nonneg(&q("referrals_per_event")),
                            treated_per_event: nonneg(&q("treated_per_event")),
                            capacity_ratio: nonneg(&q("capacity_ratio")),
                            capacity_growth: v(&q("capacity_growth")).max(-1.0),
                            urgent_share: v(&q("urgent_share")).clamp(0.0, 1.0),
                            in_order_share: v(&q("in_order_share")).clamp(0.0, 1.0),
                            removal_rate: v(&q("removal_rate")).clamp(0.0, 1.0),
                        }
                    }),
                }
            })
            .collect();
        let programmes = s
            .intervention
            .iter()
            .enumerate()
            .map(|(i, spec)| {
                let at = spec.path(i);
                let p = |f: &str| nonneg(&format!("{at}.{f}"));
                ProgrammeDraw {
                    // A programme acting on no one (capacity or a fixed cost alone) enrols nobody.
                    uptake: spec.uptake.as_ref().map_or(0.0, |_| p("uptake").min(1.0)),
                    cost_per_person_year: p("cost_per_person_year"),
                    cost_per_year: p("cost_per_year"),
                    onset: p("effect.onset"),
                    mortality: p("effect.mortality"),
                    condition_onset: p("effect.condition_onset"),
                    activity: spec
                        .effect
                        .activity
                        .keys()
                        .map(|t| p(&format!("effect.activity.{t}")))
                        .collect(),
                    shifts: (0..spec.shift.len())
                        .map(|k| {
                            (
                                p(&format!("shift[{k}].share")).min(1.0),
                                p(&format!("shift[{k}].ratio")),
                            )
                        })
                        .collect(),
                    capacity: spec
                        .effect
                        .waiting_list_capacity
                        .keys()
                        .map(|t| p(&format!("effect.waiting_list_capacity.{t}")))
                        .collect(),
                    measure: spec
                        .effect
                        .measure
                        .keys()
                        .map(|m| p(&format!("effect.measure.{m}")))
                        .collect(),
                    unit_cost: spec
                        .effect
                        .unit_cost
                        .keys()
                        .map(|t| p(&format!("effect.unit_cost.{t}")))
                        .collect(),
                }
            })
            .collect();
        // A measure's level and trend are parameters; its noise is a standard normal a year
        // from a stream of its own, shared by every world (none at the means).
        let measures = s
            .measure
            .iter()
            .map(|spec| {
                let at = spec.path();
                let level = v(&format!("{at}.value"));
                let trend = v(&format!("{at}.trend")).max(-1.0);
                let noise_sd = nonneg(&format!("{at}.noise_sd"));
                let mut noise =
                    replication.map(|r| parameter_stream(s.seed, r, &format!("{at}.noise")));
                (0..s.years)
                    .map(|y| {
                        let z: f64 = match &mut noise {
                            Some(rng) if noise_sd > 0.0 => rng.sample(StandardNormal),
                            _ => 0.0,
                        };
                        level * (1.0 + trend).powi(y as i32) * (1.0 + noise_sd * z)
                    })
                    .collect()
            })
            .collect();
        let condition = s.condition.as_ref().map(|_| ConditionDraw {
            incidence_multiplier: nonneg("condition.incidence_multiplier"),
            exit_rate: v("condition.exit_rate").clamp(0.0, 1.0),
            mortality_ratio: v("condition.mortality_ratio").max(1e-9),
        });
        RepParams {
            measures,
            condition,
            programmes,
            growth_rate: v("transitions.growth_rate"),
            leaver_rate: v("transitions.leaver_rate").clamp(0.0, 1.0),
            birth_rate: v("transitions.birth_rate").clamp(0.0, 1.0),
            mortality_multiplier: nonneg("transitions.mortality_multiplier"),
            onset_multiplier: nonneg("transitions.onset_multiplier"),
            activity: ActivityInputs {
                types,
                frailty_shape: v("activity.frailty_shape").max(1e-9),
                frailty_persistence: v("activity.frailty_persistence").clamp(0.0, 1.0),
                rural_cost_factor: nonneg("activity.rural_cost_factor"),
            },
            shocks: ShockInputs {
                demand_trend: v("shocks.demand_trend"),
                demand_noise_sd: nonneg("shocks.demand_noise_sd"),
                cost_inflation: v("shocks.cost_inflation"),
                price_uplift: v("shocks.price_uplift"),
                bad_winter_probability: v("shocks.bad_winter_probability").clamp(0.0, 1.0),
                bad_winter_effect: v("shocks.bad_winter_effect"),
            },
        }
    }
}
