//! One replication as a pure function of (model, r), and the parallel runner.
//!
//! A [`Model`] is everything fixed for a scenario: the starting population, the calibration, the
//! cohort mask, the contracts (set on the status quo) and the worlds the arms run in.
//! [`run_replication`] draws the replication's uncertain parameters (`params.rs`) and shocks, then
//! simulates each world on them: each year activity and cost on the start-of-year population,
//! programme costs, the population stepped on, and the arms of that world settled. [`run`]
//! spreads replications over a rayon pool and collects them in replication order, so the output
//! is identical for any thread count.

mod params;

pub use params::RepParams;

use rayon::prelude::*;

use crate::activity::expected::{CellExpectations, covered_heads, masked};
use crate::activity::frailty::{FrailtyDraws, FrailtySums};
use crate::activity::{
    self, ActivityInputs, ActivityStreams, GroupMeans, YearActivity, YearShock, shocks,
};
use crate::contracts::basis::{Basis, project_status_quo};
use crate::contracts::heads::ScopeHeads;
use crate::contracts::indicators::{self, IndicatorInputs, IndicatorValues};
use crate::contracts::settle::TermSums;
use crate::contracts::{Contracts, WorldYear};
use crate::error::InputError;
use crate::interventions::{Programme, WorldProgrammes};
use crate::ledger::gains::Gain;
use crate::ledger::{self, EquityCell, LedgerRow};
use crate::population::condition::ConditionModel;
use crate::population::synthesis::{england_reference_shares, expected_shares};
use crate::population::{
    BASE_CELLS, CELLS, CellKey, GROUPS, Population, age_of, cohort_mask, synthesis,
};
use crate::rng::{Rng, Stage, stage_stream};
use crate::scenario::{CohortMode, LoadedScenario, Scenario};
use crate::scenario::{Indicator, Param};
use crate::transitions::{
    ArrivalProfiles, Calibration, Movers, NoDraws, StepCounts, StepStreams, TransitionRates,
    condition_change_covered, next_cell, step,
};
use crate::waiting_list::{ListYear, WaitingList};

/// The name of the world without interventions.
pub const STATUS_QUO: &str = "status quo";

/// Everything about a scenario that does not change between replications.
#[derive(Debug, Clone)]
pub struct Model {
    pub scenario: Scenario,
    /// The scenario file, as the user named it (for errors found while simulating), and the
    /// fields `--set` wrote, whose errors are the command line's ([`Model::origin_of`]).
    pub file: String,
    pub set_fields: Vec<String>,
    /// Head counts at the start of year 1.
    pub initial: Population,
    /// The head counts `initial` rounds to whole people: the place's structure times its
    /// size (the head counts themselves when a file gives them), cohort-filtered alike. Risk
    /// weights average each group's cost over it, so that a group holding one or two people
    /// in a small place is weighed as the place's mix, not as those few people's conditions.
    pub expected_initial: Vec<f64>,
    /// Cells whose activity and cost are counted: an open cohort's; all cells without one, or
    /// for a closed cohort (whose people are all there is).
    pub activity_mask: Vec<bool>,
    pub arrivals: ArrivalProfiles,
    pub type_names: Vec<String>,
    /// Activity rates per cell and type when none of their inputs is uncertain: computed once
    /// instead of once per replication.
    fixed_rates: Option<Vec<f64>>,
    /// The arms' contracts, when the scenario has any.
    pub contracts: Option<Contracts>,
    /// The scenario's interventions, in scenario order.
    pub programmes: Vec<Programme>,
    /// The worlds simulated: the interventions running in each (world 0 is the status quo).
    pub worlds: Vec<Vec<usize>>,
    /// Each arm's world.
    pub arm_world: Vec<usize>,
    /// Per activity type, the referrals its waiting list expects in the first year at the
    /// parameters' means (0 for a type without a list): what capacity is planned on.
    pub planned_referrals: Vec<f64>,
    /// The scenario's condition: prevalence per cell and the incidence that keeps it.
    pub condition: Option<ConditionModel>,
    /// England's structure (the condition's split included): what activity rates are
    /// calibrated against.
    pub reference: Vec<f64>,
}

impl Model {
    /// Where a problem with `field` found while building or simulating comes from: the command
    /// line when a `--set` wrote it, else the scenario file.
    pub fn origin_of(&self, field: &str) -> &str {
        crate::scenario::load::origin_of(&self.file, &self.set_fields, field)
    }

    /// About how many bytes one replication's results take while a run holds them.
    pub fn result_bytes(&self) -> f64 {
        let s = &self.scenario;
        let years = f64::from(s.years) * self.worlds.len() as f64;
        let types = self.type_names.len() as f64;
        let arms = s.arm.len() as f64;
        let parties = s.parties().len() as f64;
        let columns = self.contracts.as_ref().map_or(0, |c| c.columns.len()) as f64;
        years * (3.0 * types * 8.0 + 200.0)
            + 2.0 * years * arms * parties * (columns * 8.0 + 120.0)
            + arms * crate::population::GROUPS as f64 * 24.0
    }

    /// Builds the model: loads or synthesises the population and applies the cohort filter.
    pub fn build(loaded: &LoadedScenario) -> Result<Model, InputError> {
        let s = &loaded.scenario;
        let pop_spec = &s.population;
        let condition = condition_model(loaded)?;
        let mut place = expected_shares(pop_spec.imd_shares, pop_spec.rural_share);
        let mut reference = england_reference_shares().to_vec();
        if let Some(c) = &condition {
            c.split(&mut place);
            c.split(&mut reference);
        }
        // The place's own structure decides who is born and who moves in: its shares, or the
        // head counts given (split by the condition's prevalence before rounding, when the file
        // does not say who has it).
        let (mut initial, structure) = match &loaded.counts {
            Some(rows) => counted_population(loaded, rows, condition.as_ref())?,
            None => (synthesis::synthesise_with(pop_spec.size, &place), place),
        };
        let mask = cohort_mask(pop_spec.cohort.as_ref());
        let mode = pop_spec.cohort.as_ref().map(|c| c.mode);
        let arrivals = arrival_profiles(&structure, &reference, mode != Some(CohortMode::Closed));
        // Before rounding to whole people: what risk weights average each group over.
        let scale = if loaded.counts.is_some() {
            1.0
        } else {
            pop_spec.size as f64
        };
        let mut expected_initial: Vec<f64> = structure.iter().map(|&s| s * scale).collect();
        // The place's head count, as the resolved scenario records it: a head-count file's
        // total, not a size it ignores.
        let place_size = initial.total();
        // A closed cohort's people are followed wherever they go (older than the filter, with
        // more conditions, without the condition): the population holds them alone, and all of
        // it is counted.
        let mask = if mode == Some(CohortMode::Closed) {
            initial.retain(&mask);
            expected_initial = masked(expected_initial, &mask);
            vec![true; CELLS]
        } else {
            mask
        };
        if initial.total() == 0 {
            return Err(InputError::new(
                loaded.origin_of("population"),
                "population",
                "expected at least one person after the cohort filter; the filter admits nobody",
            ));
        }
        let covered_at_start: f64 = covered_heads(&initial, &mask).iter().sum();
        if covered_at_start == 0.0 && !s.arm.is_empty() {
            // Contracts are set on the people covered at the start: an open cohort nobody is
            // in yet gives them nothing to be set on (a payment per head of 0/0).
            return Err(InputError::new(
                loaded.origin_of("population"),
                "population.cohort",
                "expected someone to meet the open cohort's filter at the start: contracts are \
                 set on the people covered then, and nobody is; widen the filter, or run it \
                 without arms to watch the cohort fill",
            ));
        }
        check_growth_fits(loaded, initial.total())?;
        refuse_people_nobody_covered(loaded, &covered_heads(&initial, &mask))?;
        let type_names = s.activity.type_names();
        let (worlds, arm_world) = worlds_of(s);
        let mut model = Model {
            scenario: s.clone(),
            file: loaded.file.clone(),
            set_fields: loaded.set_fields.clone(),
            programmes: Programme::resolve_all(s, &type_names, &mask),
            initial,
            expected_initial,
            activity_mask: mask,
            arrivals,
            type_names,
            fixed_rates: None,
            contracts: None,
            worlds,
            arm_world,
            planned_referrals: Vec::new(),
            condition,
            reference,
        };
        if loaded.counts.is_some() {
            model.scenario.population.size = place_size;
        }
        model.planned_referrals = model.plan_referrals();
        let rates_are_fixed = s.activity.types.values().all(|t| {
            [
                &t.rate,
                &t.ltc_ratio,
                &t.deprivation_ratio,
                &t.rural_rate_ratio,
            ]
            .iter()
            .all(|p| p.is_fixed())
        }) && s
            .condition
            .as_ref()
            .is_none_or(|c| c.activity_ratio.values().all(Param::is_fixed));
        if rates_are_fixed {
            let mut lam = Vec::new();
            activity::fill_rates(
                &model.draw_parameters(0).activity,
                &model.reference,
                &mut lam,
            );
            model.fixed_rates = Some(lam);
        }
        if !s.arm.is_empty() {
            model.contracts = Some(model.resolve_contracts());
        }
        Ok(model)
    }

    /// Each world's name: `status quo`, or the names of its interventions joined by `+`.
    pub fn world_names(&self) -> Vec<String> {
        self.worlds
            .iter()
            .map(|w| {
                if w.is_empty() {
                    STATUS_QUO.to_string()
                } else {
                    w.iter()
                        .map(|&i| self.programmes[i].name.as_str())
                        .collect::<Vec<_>>()
                        .join("+")
                }
            })
            .collect()
    }

    /// Parameter values at their means: what contracts are set on, before anyone knows how a
    /// replication will turn out.
    pub fn mean_parameters(&self) -> RepParams {
        self.parameters(None)
    }

    /// Sets the arms' contracts on the status quo at the parameters' means: the baseline
    /// year's expected activity and cost, and every indicator's expected value year by year.
    fn resolve_contracts(&self) -> Contracts {
        let params = self.mean_parameters();
        // A contract is set on expected cost, bad winters included (in expectation), and on
        // the activity a waiting list's capacity plans to deliver rather than its demand.
        let mut expected = self.expected_at(&params);
        let lists = self.expected_lists(&params);
        for (t, (list, &planned)) in lists.iter().zip(&self.planned_referrals).enumerate() {
            if let (true, Some(spec)) = (planned > 0.0, &params.activity.types[t].waiting_list) {
                let drawdown = spec.initial - list.size;
                expected.scale_type(t, spec.delivered_share(list.treated, planned, drawdown));
            }
        }
        let baseline = covered_heads(&self.initial, &self.activity_mask);
        let mut transition = TransitionRates::empty();
        fill_transition_rates(&params, self.condition.as_ref(), &mut transition);
        let sh = &params.shocks;
        let mut basis = Basis {
            indicators: Indicator::all(self.type_names.len(), self.scenario.measure.len()),
            expected_indicators: Vec::new(),
            expected_growth: (1.0 + sh.demand_trend) * (1.0 + sh.cost_inflation) - 1.0,
            expected_trend: sh.demand_trend,
            expected_winter: sh.expected_winter(),
            winter_types: params.activity.types.iter().map(|t| t.winter).collect(),
            list_types: params
                .activity
                .types
                .iter()
                .map(|t| t.waiting_list.is_some())
                .collect(),
            expected_price_uplift: sh.price_uplift,
        };
        let projected =
            self.project_expectations(&transition, &expected, &lists, &params.measures, &mut basis);
        // The place's mix, for risk weights: its structure before rounding to whole people,
        // projected alike (a population given as head counts is its own structure).
        let mix: Vec<Vec<f64>> = project_status_quo(
            &self.expected_initial,
            &transition,
            &self.arrivals,
            self.scenario.years,
        )
        .into_iter()
        .map(|pop| masked(pop, &self.activity_mask))
        .collect();
        Contracts::resolve(
            &self.scenario,
            &self.type_names,
            basis,
            &expected,
            &baseline,
            &mix,
            &projected,
        )
    }

    /// Projects the status quo's people year by year in expectation and pushes what they are
    /// expected to do onto `basis` (each year's expected indicators): activity per head on the
    /// demand trend, cost on demand and cost inflation, deaths and onsets at the year's mix of
    /// ages and conditions. Returns the covered heads expected at the start of each year.
    fn project_expectations(
        &self,
        transition: &TransitionRates,
        expected: &CellExpectations,
        lists: &[ListYear],
        measures: &[Vec<f64>],
        basis: &mut Basis,
    ) -> Vec<Vec<f64>> {
        let initial: Vec<f64> = self
            .initial
            .as_slice()
            .iter()
            .map(|&n| f64::from(n))
            .collect();
        let mut projected = Vec::new();
        let years = project_status_quo(&initial, transition, &self.arrivals, self.scenario.years);
        for (year, pop) in (0..).zip(years) {
            let covered = masked(pop.iter().copied(), &self.activity_mask);
            let counts: Vec<f64> = expected
                .count_of(&covered)
                .iter()
                .map(|n| n * basis.trend_index(year))
                .collect();
            let cost = expected.total_cost_of(&covered) * basis.growth_index(year);
            let demography = expected_demography(&pop, &self.activity_mask, transition);
            let expected_measures: Vec<f64> = measures
                .iter()
                .zip(&self.scenario.measure)
                .map(|(values, spec)| spec.bounded(values[year as usize]))
                .collect();
            let mut values = Vec::new();
            indicators::values(
                &demography.inputs(cost, &counts, lists, &expected_measures),
                &mut values,
            );
            basis.expected_indicators.push(IndicatorValues(values));
            projected.push(covered);
        }
        projected
    }

    /// Each waiting list's expected first-year referrals at the parameters' means: the
    /// baseline's expected events of its type (bad winters in expectation, as contracts are
    /// set) times the referrals per event.
    fn plan_referrals(&self) -> Vec<f64> {
        let params = self.mean_parameters();
        if params
            .activity
            .types
            .iter()
            .all(|t| t.waiting_list.is_none())
        {
            return vec![0.0; self.type_names.len()];
        }
        let events = self
            .expected_at(&params)
            .count_of(&covered_heads(&self.initial, &self.activity_mask));
        params
            .activity
            .types
            .iter()
            .zip(events)
            .map(|(ty, n)| {
                ty.waiting_list
                    .as_ref()
                    .map_or(0.0, |l| n * l.referrals_per_event)
            })
            .collect()
    }

    /// Expected activity and cost per person-year of every cell at `params`, bad winters
    /// included in expectation: what contracts and capacity plans are set on.
    fn expected_at(&self, params: &RepParams) -> CellExpectations {
        let mut rates = Vec::new();
        activity::fill_rates(&params.activity, &self.reference, &mut rates);
        CellExpectations::new(&rates, &params.activity, Some(&params.shocks))
    }

    /// Each type's waiting list after the first year at the parameters' means, on planned
    /// referrals (zero for a type without a list): what list targets are set on.
    fn expected_lists(&self, params: &RepParams) -> Vec<ListYear> {
        params
            .activity
            .types
            .iter()
            .zip(&self.planned_referrals)
            .map(|(ty, &planned)| match &ty.waiting_list {
                Some(inputs) => WaitingList::start(inputs).run_year(
                    planned,
                    inputs.capacity(planned, 0),
                    inputs,
                ),
                None => ListYear::default(),
            })
            .collect()
    }

    /// Activity rates per cell and type for a replication's parameters (cached when fixed).
    pub fn activity_rates<'a>(
        &'a self,
        params: &RepParams,
        scratch: &'a mut Vec<f64>,
    ) -> &'a [f64] {
        match &self.fixed_rates {
            Some(lam) => lam,
            None => {
                activity::fill_rates(&params.activity, &self.reference, scratch);
                scratch
            }
        }
    }

    /// This model with other arms (validated by the caller): the same worlds when the arms run
    /// the same interventions, with the new arms' contracts set on the same status quo.
    pub fn with_arms(&self, arms: Vec<crate::scenario::contracts::ArmSpec>) -> Model {
        let mut model = self.clone();
        model.scenario.arm = arms;
        (model.worlds, model.arm_world) = worlds_of(&model.scenario);
        model.contracts = (!model.scenario.arm.is_empty()).then(|| model.resolve_contracts());
        model
    }

    /// Whether `other` simulates exactly this model's worlds (it may differ in its contracts,
    /// its budget and its name), so its contracts can be settled on this model's simulation
    /// ([`run_settling`]) with the same result as a run of its own.
    pub fn shares_worlds_with(&self, other: &Model) -> bool {
        let world_only = |s: &Scenario| Scenario {
            name: String::new(),
            description: String::new(),
            base: None,
            arm: Vec::new(),
            budget: None,
            ..s.clone()
        };
        world_only(&self.scenario) == world_only(&other.scenario)
            && self.worlds == other.worlds
            && self.arm_world == other.arm_world
            && self.initial == other.initial
    }

    /// This replication's parameter values: fixed ones as written, distributions drawn from
    /// their own streams.
    pub fn draw_parameters(&self, replication: u64) -> RepParams {
        self.parameters(Some(replication))
    }
}

/// The scenario's condition model, at its parameters' means; a deprivation ratio it cannot give
/// is a `condition.deprivation_ratio` problem, the command line's when a `--set` wrote it or a
/// field that shapes what it can be.
fn condition_model(loaded: &LoadedScenario) -> Result<Option<ConditionModel>, InputError> {
    let Some(c) = &loaded.scenario.condition else {
        return Ok(None);
    };
    ConditionModel::new(c, c.exit_rate.mean(), c.mortality_ratio.mean())
        .map(Some)
        .map_err(|why| {
            // Any of these may be the one to change; --set of one is the command line's.
            let origin = loaded.origin_of_any(&[
                "condition.deprivation_ratio",
                "condition.ltc_ratio",
                "condition.ltc_min",
            ]);
            InputError::new(origin, "condition.deprivation_ratio", why)
        })
}

/// The population of a head-count CSV, and the head counts before rounding (its structure).
/// Without a `condition` column, a scenario with a condition splits each stratum by its
/// prevalence (rounded to whole people, every run of cells within one person of its
/// expectation; the structure keeps the split unrounded); with one, the column says who has
/// it, even when it flags nobody. A file that flags people needs a `[condition]`.
fn counted_population(
    loaded: &LoadedScenario,
    counts: &crate::scenario::counts::HeadCounts,
    condition: Option<&ConditionModel>,
) -> Result<(Population, Vec<f64>), InputError> {
    let flagged = counts.rows.iter().any(|r| r.condition == 1 && r.count > 0);
    let mut pop = Population::from_head_counts(&counts.rows);
    let mut structure: Vec<f64> = pop.as_slice().iter().map(|&n| f64::from(n)).collect();
    match (condition, flagged) {
        (None, true) => Err(InputError::new(
            loaded.origin_of("population.counts_csv"),
            "population.counts_csv",
            "expected a [condition] in the scenario: the head-count file flags people with one \
             (its condition column)",
        )),
        (Some(c), false) if !counts.flags_condition => {
            c.split(&mut structure);
            let counts = pop.as_slice_mut();
            for (i, n) in crate::population::round_preserving_total(&structure[BASE_CELLS..])
                .into_iter()
                .enumerate()
            {
                let n = n.min(counts[i]);
                counts[i] -= n;
                counts[i + BASE_CELLS] += n;
            }
            Ok((pop, structure))
        }
        _ => Ok((pop, structure)),
    }
}

/// Birth and move-in profiles from a place's structure (cell weights).
fn arrival_profiles(structure: &[f64], reference: &[f64], open: bool) -> ArrivalProfiles {
    let normalise = |v: Vec<f64>| {
        let t: f64 = v.iter().sum();
        if t > 0.0 {
            v.into_iter().map(|x| x / t).collect()
        } else {
            v
        }
    };
    // Babies are born into the age-0 cells, with the condition as the place's infants have it.
    let mut births: Vec<f64> = structure
        .iter()
        .enumerate()
        .map(|(c, &w)| if age_of(c) == 0 { w } else { 0.0 })
        .collect();
    if births.iter().sum::<f64>() <= 0.0 {
        // A list with no infants: babies follow England's age-0 structure (the condition's
        // split included).
        births = reference
            .iter()
            .enumerate()
            .map(|(c, &w)| if age_of(c) == 0 { w } else { 0.0 })
            .collect();
    }
    let migrants = structure
        .iter()
        .enumerate()
        .map(|(c, &w)| if age_of(c) >= 1 { w } else { 0.0 })
        .collect();
    ArrivalProfiles::new(normalise(births), normalise(migrants), open)
}

/// Expected deaths, onsets and heads in a year among the people covered.
struct ExpectedDemography {
    heads: f64,
    condition_heads: f64,
    condition_onsets: f64,
    deaths: f64,
    onsets: f64,
    second_ltc_onsets: f64,
    second_ltc_onset_ages: f64,
    multimorbid_heads: f64,
}

impl ExpectedDemography {
    fn inputs<'a>(
        &self,
        total_cost: f64,
        counts: &'a [f64],
        lists: &'a [ListYear],
        measures: &'a [f64],
    ) -> IndicatorInputs<'a> {
        IndicatorInputs {
            lists,
            measures,
            condition_heads: self.condition_heads,
            condition_onsets: self.condition_onsets,
            heads: self.heads,
            total_cost,
            deaths: self.deaths,
            onsets: self.onsets,
            second_ltc_onsets: self.second_ltc_onsets,
            second_ltc_onset_ages: self.second_ltc_onset_ages,
            multimorbid_heads: self.multimorbid_heads,
            counts,
        }
    }
}

/// Expected deaths and onsets in a year among the people covered: `pop` is the expected head
/// count of every cell at the year's start, `mask` marks the cells covered (the cohort).
fn expected_demography(pop: &[f64], mask: &[bool], rates: &TransitionRates) -> ExpectedDemography {
    let covered = masked(pop.iter().copied(), mask);
    let mut e = ExpectedDemography {
        heads: covered.iter().sum(),
        condition_heads: covered[BASE_CELLS..].iter().sum(),
        condition_onsets: 0.0,
        deaths: 0.0,
        onsets: 0.0,
        second_ltc_onsets: 0.0,
        second_ltc_onset_ages: 0.0,
        multimorbid_heads: 0.0,
    };
    for (c, &n) in covered.iter().enumerate() {
        let q = rates.death()[c];
        e.deaths += n * q;
        let onsets = n * (1.0 - q) * (1.0 - rates.leaver_rate()) * rates.ltc_onset(c);
        e.onsets += onsets;
        let key = CellKey::from_index(c);
        if key.ltc == 1 {
            e.second_ltc_onsets += onsets;
            e.second_ltc_onset_ages += onsets * key.age as f64;
        }
        if key.ltc >= 2 {
            e.multimorbid_heads += n;
        }
    }
    e.condition_onsets = expected_condition_onsets(pop, mask, rates);
    e
}

/// Expected gains of the condition in a year that count as covered: every survivor without it
/// may gain it, whether or not they gain an LTC, and counts when covered before or after
/// ([`condition_change_covered`]), as the step counts them.
fn expected_condition_onsets(pop: &[f64], mask: &[bool], rates: &TransitionRates) -> f64 {
    let mut total = 0.0;
    for (c, (&n, &gain)) in pop.iter().zip(&rates.condition_onset).enumerate() {
        if n <= 0.0 || gain == 0.0 {
            continue;
        }
        let survivors = n * (1.0 - rates.death()[c]) * (1.0 - rates.leaver_rate());
        let ltc_onset = rates.ltc_onset(c);
        let j = next_cell(c);
        let mut covered_share = 0.0;
        if condition_change_covered(mask, c, j) {
            covered_share += 1.0 - ltc_onset;
        }
        // At the top count nobody gains an LTC, and there is no cell after it.
        if ltc_onset > 0.0 && condition_change_covered(mask, c, j + 1) {
            covered_share += ltc_onset;
        }
        total += survivors * gain * covered_share;
    }
    total
}

/// Most people one run holds at any time: every cell's count is a 32-bit integer, and no cell
/// can hold more than everyone.
pub const MAX_PEOPLE_HELD: f64 = 2e9;

/// Refuses a population that would outgrow what the model holds over the horizon: each year
/// it grows by at most the larger of the growth and birth rates (migration makes up the rest).
fn check_growth_fits(loaded: &LoadedScenario, people: u64) -> Result<(), InputError> {
    let s = &loaded.scenario;
    let t = &s.transitions;
    let yearly = t
        .growth_rate
        .practical_max()
        .max(t.birth_rate.practical_max());
    let reached = people as f64 * (1.0 + yearly.max(0.0)).powi(s.years as i32);
    if reached <= MAX_PEOPLE_HELD {
        return Ok(());
    }
    // Any of the four may have been the --set that took it over the limit.
    let origin = loaded.origin_of_any(&[
        "transitions.growth_rate",
        "transitions.birth_rate",
        "years",
        "population.size",
    ]);
    Err(InputError::new(
        origin,
        "transitions.growth_rate",
        format!(
            "expected a population capsim can hold: {people} people growing by up to {:.1}% a \
             year (the larger of transitions.growth_rate and transitions.birth_rate) for {} years \
             reach {reached:.3e}, above the {MAX_PEOPLE_HELD:.0e} one run holds; lower the rates, \
             shorten the horizon or simulate fewer people",
            yearly * 100.0,
            s.years
        ),
    ))
}

/// The distinct sets of interventions the arms run (world 0, the status quo, first), and each
/// arm's world.
fn worlds_of(s: &Scenario) -> (Vec<Vec<usize>>, Vec<usize>) {
    let mut worlds: Vec<Vec<usize>> = vec![Vec::new()];
    let arm_world = s
        .arm
        .iter()
        .map(|arm| {
            let mut set: Vec<usize> = arm
                .interventions
                .iter()
                .map(|name| {
                    s.intervention
                        .iter()
                        .position(|x| &x.name == name)
                        .expect("validated")
                })
                .collect();
            set.sort_unstable();
            match worlds.iter().position(|w| *w == set) {
                Some(w) => w,
                None => {
                    worlds.push(set);
                    worlds.len() - 1
                }
            }
        })
        .collect();
    (worlds, arm_world)
}

/// One simulated year of one world of one replication: the world's totals.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct YearRecord {
    /// The world ([`Model::worlds`]; 0 is the status quo).
    pub world: usize,
    /// 1-based year of the simulation.
    pub year: u32,
    pub demography: StepCounts,
    /// Head count whose activity is counted (the cohort, or everyone).
    pub covered: u64,
    /// Of them, people with the scenario's condition.
    #[serde(default)]
    pub covered_with_condition: u64,
    pub shock: YearShock,
    /// Per activity type, in [`Model::type_names`] order.
    pub count: Vec<f64>,
    pub cost: Vec<f64>,
    pub value: Vec<f64>,
    /// People enrolled in the world's interventions, and what the programmes cost.
    pub enrolled: f64,
    pub programme_cost: f64,
    /// Every indicator's value for the people covered ([`crate::scenario::Indicator::all`]
    /// order); NaN where one has no value that year ([`indicators::NO_VALUE`]).
    pub indicators: IndicatorValues,
    /// Per activity type, its waiting list's year (empty when no type has a list).
    #[serde(default)]
    pub lists: Vec<ListYear>,
}

/// One replication: every world's years, and the ledger when the scenario has arms.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ReplicationResult {
    pub replication: u64,
    /// The status quo's years, then each intervention world's ([`YearRecord::world`]).
    pub years: Vec<YearRecord>,
    /// Every arm settled in its own world.
    pub ledger: Vec<LedgerRow>,
    /// Arms with interventions settled in the status quo: the same contract without them.
    pub status_quo_ledger: Vec<LedgerRow>,
    /// Per arm with interventions: each party's gain over the term, and the system's.
    pub gains: Vec<Gain>,
    /// The same for each contract year, year by year.
    #[serde(default)]
    pub gains_by_year: Vec<Gain>,
    /// Per arm and reporting group, summed over the term (arms × groups).
    pub equity: Vec<EquityCell>,
    /// Set when the scenario drove a draw beyond what can be simulated; the replication
    /// stopped there and the run fails with this as a bad-input error.
    pub beyond_limit: Option<BeyondLimit>,
}

/// Where a replication went beyond what the model can draw.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct BeyondLimit {
    /// 1-based year.
    pub year: u32,
    /// The activity type whose expected count was too large or not finite.
    pub activity_type: String,
}

impl ReplicationResult {
    /// The years of world `w`.
    pub fn world(&self, w: usize) -> impl Iterator<Item = &YearRecord> {
        self.years.iter().filter(move |y| y.world == w)
    }

    /// All providers' surplus in arm `arm`, summed over the term.
    pub fn providers_surplus(&self, arm: usize) -> f64 {
        self.ledger
            .iter()
            .filter(|l| l.arm == arm && l.party != 0)
            .map(|l| l.surplus())
            .sum()
    }
}

/// Scratch space reused from one replication to the next on the same thread.
pub struct Workspace {
    cur: Population,
    next: Population,
    rates: TransitionRates,
    world_rates: TransitionRates,
    lam: Vec<f64>,
    world_lam: Vec<f64>,
    means: GroupMeans,
    frailty: FrailtySums,
    activity: YearActivity,
    /// One per set of contracts settled.
    settling: Vec<Settling>,
    /// The status quo's cost by year, group and type (years × groups × types).
    status_quo_costs: Vec<f64>,
    /// The status quo's expected events likewise: where a waiting list's backlog was referred
    /// from, in a world that expects none of its type.
    status_quo_expected: Vec<f64>,
    /// How the status quo placed its movers each year, for the other worlds to follow.
    status_quo_movers: Vec<Movers>,
    indicators: Vec<f64>,
    /// Per activity type, its waiting list in the world being simulated, and its year.
    lists: Vec<Option<WaitingList>>,
    list_years: Vec<ListYear>,
    /// Per activity type, its waiting list's capacity in the world that year.
    list_capacity: Vec<f64>,
    /// Each type's cost per unit this year relative to the status quo's.
    unit_cost_factors: Vec<f64>,
    /// The scenario's measures' values in the world that year.
    measures: Vec<f64>,
    /// The covered cells with people at the start of the year, for weighing heads.
    covered_cells: Vec<usize>,
    /// The cells with people at the start of the year (the step's list).
    occupied: Vec<usize>,
}

/// What settling one set of contracts keeps through a world's term.
#[derive(Default)]
struct Settling {
    term_sums: TermSums,
    status_quo_term_sums: TermSums,
    /// The year's weighted heads, when this set is the first with its scopes.
    heads: ScopeHeads,
    /// The set whose `heads` this one reads (itself, or an earlier set with the same scopes:
    /// many designs of one contract weigh their heads once).
    heads_from: usize,
}

impl Workspace {
    pub fn new() -> Self {
        Workspace {
            cur: Population::zeros(),
            next: Population::zeros(),
            rates: TransitionRates::empty(),
            world_rates: TransitionRates::empty(),
            lam: Vec::new(),
            world_lam: Vec::new(),
            means: GroupMeans::default(),
            frailty: FrailtySums::default(),
            activity: YearActivity::default(),
            settling: Vec::new(),
            status_quo_costs: Vec::new(),
            status_quo_expected: Vec::new(),
            status_quo_movers: Vec::new(),
            indicators: Vec::new(),
            lists: Vec::new(),
            list_years: Vec::new(),
            list_capacity: Vec::new(),
            unit_cost_factors: Vec::new(),
            measures: Vec::new(),
            covered_cells: Vec::new(),
            occupied: Vec::new(),
        }
    }
}

impl Default for Workspace {
    fn default() -> Self {
        Self::new()
    }
}

/// This replication's transition probabilities, in `rates`' reused buffers.
fn fill_transition_rates(
    params: &RepParams,
    condition: Option<&ConditionModel>,
    rates: &mut TransitionRates,
) {
    rates.fill(
        Calibration::england(),
        params.mortality_multiplier,
        params.onset_multiplier,
    );
    if let (Some(model), Some(draw)) = (condition, &params.condition) {
        rates.apply_condition(model, draw);
    }
    rates.set_leaver_rate(params.leaver_rate);
    rates.birth_rate = params.birth_rate;
    rates.growth_rate = params.growth_rate;
}

/// What every world of a replication shares: its parameters, shocks and random streams.
struct Shared<'a> {
    params: &'a RepParams,
    /// Status-quo activity rates (cells × types).
    lam: &'a [f64],
    shocks: &'a [YearShock],
    step_streams: StepStreams,
    activity_streams: ActivityStreams,
}

/// Simulates replication `r`; depends on (model, r) only.
///
/// Every world (the status quo, and each set of interventions an arm runs) is simulated on the
/// same parameters, shocks and random streams. Each year: the cohort step (each cell's frailty,
/// exits and onsets; the stepped population is kept aside) → activity and cost → programme
/// costs → weighted heads, all on the population at the start of the year → the population
/// moves on → indicators → the arms of that world settle (and, in the status quo, the
/// intervention arms' contracts too, for who gains).
pub fn run_replication(model: &Model, r: u64, ws: &mut Workspace) -> ReplicationResult {
    run_replication_settling(model, model.contracts.as_slice(), r, ws)
        .pop()
        .expect("one result at least")
}

/// Simulates replication `r` once and settles each of `sets` on it: one result per set (one
/// without a ledger when `sets` is empty), each exactly what a model holding only that set
/// would give. Every set must have the model's arms, in its worlds ([`Model::arm_world`]).
pub fn run_replication_settling(
    model: &Model,
    sets: &[Contracts],
    r: u64,
    ws: &mut Workspace,
) -> Vec<ReplicationResult> {
    let s = &model.scenario;
    let params = model.draw_parameters(r);
    let mut lam_buffer = std::mem::take(&mut ws.lam);
    let lam = model.activity_rates(&params, &mut lam_buffer);
    fill_transition_rates(&params, model.condition.as_ref(), &mut ws.rates);
    let mut rng_shocks: Rng = stage_stream(s.seed, r, Stage::Shocks);
    let shocks: Vec<YearShock> = (0..s.years)
        .map(|y| shocks::draw_year(&params.shocks, y, &mut rng_shocks))
        .collect();
    let shared = Shared {
        params: &params,
        lam,
        shocks: &shocks,
        step_streams: StepStreams::new(s.seed, r),
        activity_streams: ActivityStreams::new(s.seed, r),
    };
    let mut outs: Vec<ReplicationResult> = (0..sets.len().max(1))
        .map(|k| ReplicationResult {
            replication: r,
            years: Vec::with_capacity(s.years as usize * model.worlds.len()),
            ledger: Vec::new(),
            status_quo_ledger: Vec::new(),
            gains: Vec::new(),
            gains_by_year: Vec::new(),
            equity: sets
                .get(k)
                .map(|c| vec![EquityCell::default(); c.arms.len() * GROUPS])
                .unwrap_or_default(),
            beyond_limit: None,
        })
        .collect();
    ws.settling.resize_with(sets.len(), Settling::default);
    for k in 0..sets.len() {
        ws.settling[k].heads_from = (0..k)
            .find(|&j| sets[j].scopes == sets[k].scopes)
            .unwrap_or(k);
    }
    for w in 0..model.worlds.len() {
        simulate_world(model, &shared, sets, w, ws, &mut outs);
        if outs[0].beyond_limit.is_some() {
            ws.lam = lam_buffer;
            return outs;
        }
    }
    for out in &mut outs {
        out.gains = who_gains(model, out, 0);
        out.gains_by_year = (1..=model.scenario.years)
            .flat_map(|year| who_gains(model, out, year))
            .collect();
    }
    ws.lam = lam_buffer;
    outs
}

/// Simulates world `w` of a replication, appending its years to every result in `outs` and
/// each set of contracts' ledger rows to its own.
fn simulate_world(
    model: &Model,
    shared: &Shared,
    sets: &[Contracts],
    w: usize,
    ws: &mut Workspace,
    outs: &mut [ReplicationResult],
) {
    let s = &model.scenario;
    let nt = model.type_names.len();
    let world = WorldProgrammes {
        programmes: &model.programmes,
        running: &model.worlds[w],
        draws: &shared.params.programmes,
    };
    let arms: Vec<usize> = (0..model.arm_world.len())
        .filter(|&a| model.arm_world[a] == w)
        .collect();
    // The status quo also settles every intervention arm's contract, for who gains.
    let counterfactual: Vec<usize> = if w == 0 {
        (0..model.arm_world.len())
            .filter(|&a| model.arm_world[a] != 0)
            .collect()
    } else {
        Vec::new()
    };
    for (contracts, settling) in sets.iter().zip(&mut ws.settling) {
        settling.term_sums.reset(contracts);
        settling.status_quo_term_sums.reset(contracts);
    }
    let prices: Vec<f64> = shared
        .params
        .activity
        .types
        .iter()
        .map(|t| t.price)
        .collect();
    let parties = s.parties().len();
    let inputs = &shared.params.activity;
    let (k, rho) = (inputs.frailty_shape, inputs.frailty_persistence);
    ws.cur.copy_from(&model.initial);
    ws.frailty.restart();
    start_lists(&shared.params.activity, &mut ws.lists, &mut ws.list_years);
    ws.list_capacity.clear();
    ws.list_capacity.resize(nt, 1.0);
    ws.unit_cost_factors.clear();
    ws.unit_cost_factors.resize(nt, 1.0);
    for y in 0..s.years {
        let shock = &shared.shocks[y as usize];
        let acts = world.acts_in(y);
        let lam = if acts {
            world.activity_rates(shared.lam, nt, y, &mut ws.world_lam);
            &ws.world_lam
        } else {
            shared.lam
        };
        let rates = if acts {
            world.transition_rates(&ws.rates, y, &mut ws.world_rates);
            &ws.world_rates
        } else {
            &ws.rates
        };
        // The year's step first: it draws each cell's frailty sum beside its exits and onsets
        // (from the cell's frailty stream), and the year's activity needs those sums. It writes
        // the population a year on into `next`; everything until the end of the year reads
        // `cur`.
        ws.means.reset(nt);
        let mask = &model.activity_mask;
        let mut frailty = FrailtyDraws::new(&mut ws.frailty, &mut ws.means, lam, mask, k, rho);
        if y + 1 == s.years {
            frailty = frailty.last_year();
        }
        // Every world expects the status quo's movers that year and places them as it did
        // (common random numbers for arrivals).
        let status_quo_movers = (w > 0).then(|| ws.status_quo_movers[y as usize]);
        let demography = step(
            &ws.cur,
            &mut ws.next,
            mask,
            rates,
            &model.arrivals,
            &shared.step_streams,
            y,
            status_quo_movers,
            &mut frailty,
            &mut ws.occupied,
        );
        if w == 0 {
            ws.status_quo_movers.truncate(y as usize);
            ws.status_quo_movers.push(demography.movers);
        }
        ws.frailty.end_year();
        activity::simulate_year(
            &ws.means,
            &shared.params.activity,
            shock,
            &shared.activity_streams,
            y,
            &mut ws.activity,
        );
        if let Some(t) = ws.activity.beyond_limit {
            for out in outs.iter_mut() {
                out.beyond_limit = Some(BeyondLimit {
                    year: y + 1,
                    activity_type: model.type_names[t].clone(),
                });
            }
            return;
        }
        run_lists_and_keep_costs(model, shared, &world, w, y, ws);
        let Census {
            covered,
            covered_with_condition,
            multimorbid,
        } = covered_census(model, ws);
        world.measures(
            &shared.params.measures,
            &s.measure,
            &ws.cur,
            covered as f64,
            y,
            &mut ws.measures,
        );
        let mut programme_cost = vec![0.0; parties];
        let enrolled = world.programme_cost(&ws.cur, y, shock.cost_index, &mut programme_cost);
        for (k, (contracts, settling)) in sets.iter().zip(&mut ws.settling).enumerate() {
            if settling.heads_from == k {
                settling
                    .heads
                    .weigh(&contracts.scopes, &ws.cur, &ws.covered_cells, y);
            }
        }
        std::mem::swap(&mut ws.cur, &mut ws.next);
        let (count, cost, value) = ws.activity.totals(nt);
        {
            indicators::values(
                &IndicatorInputs {
                    heads: covered as f64,
                    total_cost: cost.iter().sum(),
                    deaths: demography.covered_deaths as f64,
                    onsets: demography.covered_onsets as f64,
                    second_ltc_onsets: demography.second_ltc_onsets as f64,
                    second_ltc_onset_ages: demography.second_ltc_onset_age_sum as f64,
                    multimorbid_heads: multimorbid as f64,
                    counts: &count,
                    lists: &ws.list_years,
                    condition_heads: covered_with_condition as f64,
                    condition_onsets: demography.covered_condition_onsets as f64,
                    measures: &ws.measures,
                },
                &mut ws.indicators,
            );
        }
        for (k, (contracts, out)) in sets.iter().zip(outs.iter_mut()).enumerate() {
            let (earlier, rest) = ws.settling.split_at_mut(k);
            let settling = &mut rest[0];
            let heads = if settling.heads_from == k {
                &settling.heads
            } else {
                &earlier[settling.heads_from].heads
            };
            let year = WorldYear {
                year: y,
                last_year: y + 1 == s.years,
                count: &count,
                cost: &cost,
                price: &prices,
                price_index: shock.price_index,
                shock,
                heads,
                group_cost: &ws.activity.cost,
                group_count: &ws.activity.count,
                indicators: &ws.indicators,
                programme_cost: &programme_cost,
            };
            contracts.settle_year(
                &year,
                &arms,
                &mut settling.term_sums,
                &mut out.ledger,
                Some(&mut out.equity),
            );
            contracts.settle_year(
                &year,
                &counterfactual,
                &mut settling.status_quo_term_sums,
                &mut out.status_quo_ledger,
                None,
            );
        }
        let record = YearRecord {
            world: w,
            year: y + 1,
            demography,
            covered,
            covered_with_condition,
            shock: *shock,
            count,
            cost,
            value,
            enrolled,
            programme_cost: programme_cost.iter().sum(),
            indicators: IndicatorValues(ws.indicators.clone()),
            lists: if ws.lists.iter().any(Option::is_some) {
                ws.list_years.clone()
            } else {
                Vec::new()
            },
        };
        if let Some((last, rest)) = outs.split_last_mut() {
            for out in rest {
                out.years.push(record.clone());
            }
            last.years.push(record);
        }
    }
}

/// The year's waiting lists, then the status quo's costs and expected events by group and type
/// kept for the worlds after it (their short-run cost and waiting lists), or, in those worlds,
/// the status quo's fixed costs kept and the programmes' productivity applied.
fn run_lists_and_keep_costs(
    model: &Model,
    shared: &Shared,
    world: &WorldProgrammes,
    w: usize,
    y: u32,
    ws: &mut Workspace,
) {
    let nt = model.type_names.len();
    // The status quo's are kept year by year.
    let per_year = ws.activity.cost.len();
    let year_costs = y as usize * per_year..(y as usize + 1) * per_year;
    world.capacity_factors(y, &mut ws.list_capacity);
    for (t, capacity) in ws.list_capacity.iter_mut().enumerate() {
        if let Some(spec) = &shared.params.activity.types[t].waiting_list {
            *capacity *= spec.capacity(model.planned_referrals[t], y);
        }
    }
    run_lists(
        &shared.params.activity,
        &ws.list_capacity,
        &mut ws.lists,
        &mut ws.list_years,
        &mut ws.activity,
        (w > 0).then(|| &ws.status_quo_expected[year_costs.clone()]),
    );
    if w == 0 {
        ws.status_quo_costs.truncate(year_costs.start);
        ws.status_quo_costs.extend_from_slice(&ws.activity.cost);
        ws.status_quo_expected.truncate(year_costs.start);
        ws.status_quo_expected
            .extend_from_slice(ws.activity.expected_counts());
    } else {
        ws.activity
            .keep_fixed_costs(&ws.status_quo_costs[year_costs], &shared.params.activity);
        // Productivity: each unit of care, fixed part and all, costs what the programmes
        // make it cost; counts and their value at tariff stay.
        world.unit_cost_factors(y, &mut ws.unit_cost_factors);
        for (t, &factor) in ws.unit_cost_factors.iter().enumerate() {
            if factor != 1.0 {
                activity::scale_column(&mut ws.activity.cost, t, nt, factor);
            }
        }
    }
}

/// The people covered at the start of the year, and of them those with the scenario's condition
/// and those with two or more LTCs.
struct Census {
    covered: u64,
    covered_with_condition: u64,
    multimorbid: u64,
}

/// The year's [`Census`], leaving the covered cells with people in `ws.covered_cells`.
fn covered_census(model: &Model, ws: &mut Workspace) -> Census {
    // The covered cells with people, from the step's list of those with people.
    ws.covered_cells.clear();
    ws.covered_cells.extend(
        ws.occupied
            .iter()
            .copied()
            .filter(|&c| model.activity_mask[c]),
    );
    let heads = ws.cur.as_slice();
    let covered: u64 = ws.covered_cells.iter().map(|&c| u64::from(heads[c])).sum();
    // Of them, people with the scenario's condition and people with two or more LTCs.
    let (mut covered_with_condition, mut multimorbid) = (0u64, 0u64);
    for &c in &ws.covered_cells {
        let n = u64::from(heads[c]);
        let key = CellKey::from_index(c);
        covered_with_condition += n * u64::from(key.condition == 1);
        multimorbid += n * u64::from(key.ltc >= 2);
    }
    Census {
        covered,
        covered_with_condition,
        multimorbid,
    }
}

/// Each type's waiting list as the world starts (none for a type without one).
fn start_lists(
    inputs: &ActivityInputs,
    lists: &mut Vec<Option<WaitingList>>,
    years: &mut Vec<ListYear>,
) {
    lists.clear();
    lists.extend(
        inputs
            .types
            .iter()
            .map(|t| t.waiting_list.as_ref().map(WaitingList::start)),
    );
    years.clear();
    years.resize(inputs.types.len(), ListYear::default());
}

/// Runs each waiting list through the year on the referrals the year's demand makes and the
/// world's `capacity` (per type: as planned, times what its programmes add), and
/// scales its type's activity, cost and value by the events treated over the events demanded:
/// treatments are the activity delivered. `status_quo_expected` (groups × types, in a world with
/// interventions) is where a backlog was referred from when this world expects none of it.
fn run_lists(
    inputs: &ActivityInputs,
    capacity: &[f64],
    lists: &mut [Option<WaitingList>],
    years: &mut [ListYear],
    activity: &mut YearActivity,
    status_quo_expected: Option<&[f64]>,
) {
    let nt = inputs.types.len();
    for (t, list) in lists.iter_mut().enumerate() {
        let (Some(list), Some(spec)) = (list, &inputs.types[t].waiting_list) else {
            continue;
        };
        let referrals = activity.count_of_type(t, nt) * spec.referrals_per_event;
        let before = list.size();
        let year = list.run_year(referrals, capacity[t], spec);
        if referrals > 0.0 {
            let drawdown = before - year.size;
            activity.scale_type(
                t,
                nt,
                spec.delivered_share(year.treated, referrals, drawdown),
            );
        } else {
            // No events drawn to scale, yet the backlog is treated: at the year's expectation.
            activity.deliver_at_expectation(
                t,
                nt,
                spec.events_treated(year.treated),
                status_quo_expected,
            );
        }
        years[t] = year;
    }
}

/// Every intervention arm's gains against the same contract in the status quo, in contract
/// year `year` (0: over the whole term).
fn who_gains(model: &Model, out: &ReplicationResult, year: u32) -> Vec<Gain> {
    let years = |w: usize| out.world(w).filter(move |y| year == 0 || y.year == year);
    let care = |w: usize| -> f64 { years(w).map(|y| y.cost.iter().sum::<f64>()).sum() };
    let mut gains = Vec::new();
    for (a, &w) in model.arm_world.iter().enumerate() {
        if w == 0 {
            continue;
        }
        let programme: f64 = years(w).map(|y| y.programme_cost).sum();
        gains.extend(ledger::gains::gains(
            (a, year),
            &out.ledger,
            &out.status_quo_ledger,
            care(w) - care(0),
            programme,
        ));
    }
    gains
}

/// Told about progress; the library never prints.
pub trait Observer: Sync {
    /// A command simulating several times says which simulation comes next ("at 5,000 people,
    /// with the shocks every person shares").
    fn stage(&self, _what: &str) {}
    /// The run is about to simulate this many replications.
    fn started(&self, _replications: u64) {}
    fn replication_done(&self) {}
}

/// An observer that does nothing.
pub struct Silent;
impl Observer for Silent {}

/// Runs every replication on `threads` threads; results come back in replication order.
pub fn run(
    model: &Model,
    threads: usize,
    observer: &dyn Observer,
) -> anyhow::Result<Vec<ReplicationResult>> {
    run_replications(
        model,
        0..u64::from(model.scenario.replications),
        threads,
        observer,
    )
}

/// Runs replications `range` (each depends only on the model and its number, so running
/// 0..n in batches gives exactly what one run of n gives).
pub fn run_replications(
    model: &Model,
    range: std::ops::Range<u64>,
    threads: usize,
    observer: &dyn Observer,
) -> anyhow::Result<Vec<ReplicationResult>> {
    let mut per_set = run_settling(
        model,
        model.contracts.as_slice(),
        range,
        threads,
        observer,
        |_, result| result,
    )?;
    Ok(per_set.swap_remove(0))
}

/// Simulates replications `range` once and settles every set of contracts in `sets` on each
/// (see [`run_replication_settling`]); `keep` reduces each set's result of a replication to
/// what the caller needs, so many sets need not all be held whole. Returns, per set (one when
/// `sets` is empty), what was kept, in replication order.
pub fn run_settling<T: Send>(
    model: &Model,
    sets: &[Contracts],
    range: std::ops::Range<u64>,
    threads: usize,
    observer: &dyn Observer,
    keep: impl Fn(usize, ReplicationResult) -> T + Sync,
) -> anyhow::Result<Vec<Vec<T>>> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .build()?;
    observer.started(range.end.saturating_sub(range.start));
    let replications: Vec<Result<Vec<T>, (u64, BeyondLimit)>> = pool.install(|| {
        range
            .into_par_iter()
            .map_init(Workspace::new, |ws, r| {
                let outs = run_replication_settling(model, sets, r, ws);
                observer.replication_done();
                match outs[0].beyond_limit.clone() {
                    Some(limit) => Err((r, limit)),
                    None => Ok(outs
                        .into_iter()
                        .enumerate()
                        .map(|(k, out)| keep(k, out))
                        .collect()),
                }
            })
            .collect()
    });
    // Sized once: growing by doubling would hold up to twice the kept results at the end.
    let n = replications.len();
    let mut per_set: Vec<Vec<T>> = (0..sets.len().max(1))
        .map(|_| Vec::with_capacity(n))
        .collect();
    for replication in replications {
        match replication {
            Ok(kept) => {
                for (set, value) in per_set.iter_mut().zip(kept) {
                    set.push(value);
                }
            }
            Err((r, limit)) => return Err(beyond_limit_error(model, r, &limit).into()),
        }
    }
    Ok(per_set)
}

/// The bad-input error of a scenario that drove a draw beyond what can be simulated.
fn beyond_limit_error(model: &Model, r: u64, limit: &BeyondLimit) -> InputError {
    let name = &limit.activity_type;
    let field = format!("activity.types.{name}.rate");
    InputError::new(
        model.origin_of(&field),
        field,
        format!(
            "expected activity capsim can draw: in replication {}, year {}, one reporting \
             group's expected {name} count is above {:.0e} or not finite; lower the rate, its \
             ratios, shocks.demand_trend, the interventions' effects or the horizon",
            r + 1,
            limit.year,
            activity::MAX_EXPECTED_EVENTS
        ),
    )
}

/// A component paying for some people's care is set on those the contract covers at the
/// start ([`crate::contracts::basis::Scope::new`]): with none of them (`covered`, heads per
/// cell) there is nothing to set it on (a payment per head of 0/0).
fn refuse_people_nobody_covered(
    loaded: &LoadedScenario,
    covered: &[f64],
) -> Result<(), InputError> {
    for (a, arm) in loaded.scenario.arm.iter().enumerate() {
        for (k, spec) in arm.component.iter().enumerate() {
            let Some(people) = spec.people() else {
                continue;
            };
            let groups = crate::population::strata_group_mask(&people);
            let heads: f64 = covered
                .iter()
                .enumerate()
                .filter(|&(c, _)| groups[crate::population::group_of(c)])
                .map(|(_, n)| n)
                .sum();
            if heads == 0.0 {
                return Err(InputError::new(
                    loaded.origin_of("arm"),
                    format!("{}.component[{k}] ({}).people", arm.path(a), spec.kind()),
                    "expected someone the contract covers among these people at the start: a \
                     component for their care is set on them, and nobody covered is one of \
                     them; widen the filter",
                ));
            }
        }
    }
    Ok(())
}

/// Cells of a population as (key, count), for tests and exports.
pub fn occupied(pop: &Population) -> impl Iterator<Item = (CellKey, u32)> + '_ {
    pop.as_slice()
        .iter()
        .enumerate()
        .filter(|(_, n)| **n > 0)
        .map(|(i, &n)| (CellKey::from_index(i), n))
}

/// The population of replication `r` after `years` transition steps (no activity drawn).
/// Used to check the model's demography, e.g. that an unchanged population keeps its profile.
pub fn project(model: &Model, r: u64, years: u32) -> Population {
    let params = model.draw_parameters(r);
    let mut rates = TransitionRates::empty();
    fill_transition_rates(&params, model.condition.as_ref(), &mut rates);
    let streams = StepStreams::new(model.scenario.seed, r);
    let mut cur = model.initial.clone();
    let mut next = Population::zeros();
    for y in 0..years {
        step(
            &cur,
            &mut next,
            &model.activity_mask,
            &rates,
            &model.arrivals,
            &streams,
            y,
            None,
            &mut NoDraws,
            &mut Vec::new(),
        );
        std::mem::swap(&mut cur, &mut next);
    }
    cur
}
