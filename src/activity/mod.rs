//! Activity, cost and price: what the population uses each year and what it costs.
//!
//! Rate per person-year of type t in a cell = base(age, sex, t) × ltc_ratio^k ×
//! D^((5 - quintile)/4) × rural ratio, with base rescaled so that England's structure
//! reproduces the published all-age rate, and D the ratio within cells that makes England's
//! age-sex-standardised ratio the stated `deprivation_ratio` (calibrate, don't stack).
//!
//! Three identities make the draws exact while growing with cells, not people:
//! - each person's frailty f ~ Gamma(k, 1/k) multiplies all their types, so a cell's frailty
//!   sum is one draw, S ~ Gamma(n·k, 1/k), which people partly carry from year to year
//!   ([`frailty`]);
//! - given the frailty sums, the count of type t in a reporting group (IMD × rurality × LTC) is
//!   one Poisson draw with mean Σ_cells λ(cell, t) · S(cell);
//! - the cost of m events of mean μ and coefficient of variation c is one draw, Gamma(m/c², μc²).

pub mod expected;
pub mod frailty;
pub mod shocks;

use crate::data;
use crate::population::{AGES, BASE_CELLS, CELLS, GROUPS, IMDS, LTCS, SEXES, group_key, group_of};
use crate::rng::{Stage, UnitRng, UnitStreams};
use crate::sampling;
use crate::waiting_list::ListInputs;

pub use shocks::{ShockInputs, YearShock};

/// One activity type with this replication's parameter values.
#[derive(Debug, Clone)]
pub struct TypeInputs {
    pub name: String,
    pub rate: f64,
    pub unit_cost: f64,
    pub price: f64,
    pub cost_cv: f64,
    /// Share of events that are long stays, and their cost as a multiple of the mean.
    pub long_stay_share: f64,
    pub long_stay_cost_ratio: f64,
    pub ltc_ratio: f64,
    pub deprivation_ratio: f64,
    pub rural_rate_ratio: f64,
    /// Share of cost that does not move with activity within the term.
    pub fixed_cost_share: f64,
    pub winter: bool,
    /// Relative rate by sex (0 = F) and profile band.
    pub profile: [[f64; 8]; SEXES],
    /// The type's elective waiting list, if it has one.
    pub waiting_list: Option<ListInputs>,
    /// Rate ratio for people with the scenario's condition against people without it.
    pub condition_ratio: f64,
    /// Used by people with the condition alone; `rate` is per person-year of them.
    pub condition_only: bool,
}

/// Activity inputs of one replication.
#[derive(Debug, Clone)]
pub struct ActivityInputs {
    pub types: Vec<TypeInputs>,
    pub frailty_shape: f64,
    /// Correlation of a person's frailty from one year to the next.
    pub frailty_persistence: f64,
    pub rural_cost_factor: f64,
}

/// Age-sex profile of a named type from data/activity_age_profile.csv (parsed once).
pub fn age_profile(name: &str) -> [[f64; 8]; SEXES] {
    static ROWS: std::sync::OnceLock<Vec<data::AgeProfileRow>> = std::sync::OnceLock::new();
    let mut out = [[0.0; 8]; SEXES];
    for row in ROWS.get_or_init(data::activity_age_profiles) {
        if row.name == name {
            out[if row.sex == "F" { 0 } else { 1 }] = row.bands();
        }
    }
    out
}

fn profile_band(age: usize) -> usize {
    data::PROFILE_BANDS
        .iter()
        .position(|&(lo, hi)| age >= lo as usize && age <= hi as usize)
        .expect("bands cover 0-100")
}

/// Fills `lam` (cells × types, row-major) with rates per person-year, calibrated against
/// `reference` (shares of England's structure, the condition's split included) so the all-age
/// rates are reproduced: relative risks (LTC count, deprivation, rurality, the condition)
/// redistribute each age-sex group's rate instead of adding to it. A condition-only type's rate
/// is reproduced over England's people with the condition.
pub fn fill_rates(inputs: &ActivityInputs, reference: &[f64], lam: &mut Vec<f64>) {
    let nt = inputs.types.len();
    lam.clear();
    lam.resize(CELLS * nt, 0.0);
    let age_sex_cells = BASE_CELLS / (AGES * SEXES);
    for (t, ty) in inputs.types.iter().enumerate() {
        let ltc_pow: Vec<f64> = (0..LTCS).map(|k| ty.ltc_ratio.powi(k as i32)).collect();
        let rur = [1.0, ty.rural_rate_ratio];
        let condition = if ty.condition_only {
            [0.0, 1.0]
        } else {
            [1.0, ty.condition_ratio]
        };
        // Every relative risk but deprivation's.
        let others = |c: usize| {
            let (_, u, k) = group_key(group_of(c));
            ltc_pow[k] * rur[u] * condition[c / BASE_CELLS]
        };
        let shape = |a_s: usize| ty.profile[a_s % SEXES][profile_band(a_s / SEXES)];
        let within = within_cell_deprivation_ratio(ty, reference, &others, &shape);
        let dep = quintile_ratios(within);
        let relative = |c: usize| others(c) * dep[group_key(group_of(c)).0];
        // Within each age-sex group (both condition states), divide by the reference-weighted
        // mean of the relative risks: the published age profile is then the profile of the
        // whole group.
        let (mut england_rate, mut england_people) = (0.0, 0.0);
        for a_s in 0..AGES * SEXES {
            let base_cells = a_s * age_sex_cells..(a_s + 1) * age_sex_cells;
            let cells = || {
                base_cells
                    .clone()
                    .chain(base_cells.clone().map(|c| c + BASE_CELLS))
            };
            let (mut w, mut wr) = (0.0, 0.0);
            for c in cells() {
                w += reference[c];
                wr += reference[c] * relative(c);
            }
            let (age, sex) = (a_s / SEXES, a_s % SEXES);
            let shape = ty.profile[sex][profile_band(age)];
            if ty.condition_only {
                // The profile shapes the rate of the people with the condition.
                for c in cells() {
                    lam[c * nt + t] = shape * relative(c);
                }
                england_rate += shape * wr;
                england_people += base_cells
                    .clone()
                    .map(|c| reference[c + BASE_CELLS])
                    .sum::<f64>();
            } else {
                let base = if wr > 0.0 { shape * w / wr } else { 0.0 };
                for c in cells() {
                    lam[c * nt + t] = base * relative(c);
                }
                england_rate += w * shape;
            }
        }
        let scale = match (ty.condition_only, england_rate > 0.0) {
            (_, false) => 0.0,
            (false, true) => ty.rate / england_rate,
            (true, true) => ty.rate * england_people / england_rate,
        };
        for c in 0..CELLS {
            lam[c * nt + t] *= scale;
        }
    }
}

/// Each quintile's rate relative to the least deprived's, log-linear from `most_deprived` (the
/// most deprived quintile's, index 0) to 1.
fn quintile_ratios(most_deprived: f64) -> [f64; IMDS] {
    std::array::from_fn(|i| most_deprived.powf((IMDS - 1 - i) as f64 / (IMDS - 1) as f64))
}

/// The rate ratio of the most to the least deprived quintile *within* cells (people of the same
/// age, sex, LTC count, rurality and condition) that makes England's age-sex-standardised rates
/// of the two quintiles `ty.deprivation_ratio` apart, as published gradients are. People in
/// deprived areas have more conditions, so the published ratio applied within cells would
/// stack on the LTC gradient: with the default ratios, non-elective admissions came out 2.03
/// times as high in the most deprived quintile for a stated 1.6.
///
/// The standard population is England's (the `reference` shares), and a rate is per person of
/// the people it counts (those with the condition, for a condition-only type). `others` is a
/// cell's relative risk from everything but deprivation, `shape` an age-sex group's profile; each
/// age-sex group's rate is renormalised as [`fill_rates`] does, so the ratio is solved for by
/// bisection on its logarithm.
fn within_cell_deprivation_ratio(
    ty: &TypeInputs,
    reference: &[f64],
    others: &dyn Fn(usize) -> f64,
    shape: &dyn Fn(usize) -> f64,
) -> f64 {
    let target = ty.deprivation_ratio;
    if !(target > 0.0 && target.is_finite()) {
        return target;
    }
    let age_sex_cells = BASE_CELLS / (AGES * SEXES);
    // Per age-sex group and quintile: the people a rate is per, and their Σ share × risk.
    let counted = if ty.condition_only { 1..2 } else { 0..2 };
    let mut people = vec![[0.0; IMDS]; AGES * SEXES];
    let mut risk = vec![[0.0; IMDS]; AGES * SEXES];
    for (a_s, (people, risk)) in people.iter_mut().zip(&mut risk).enumerate() {
        for state in counted.clone() {
            for c in a_s * age_sex_cells..(a_s + 1) * age_sex_cells {
                let c = c + state * BASE_CELLS;
                let i = group_key(group_of(c)).0;
                people[i] += reference[c];
                risk[i] += reference[c] * others(c);
            }
        }
    }
    let standardised = |within: f64| -> f64 {
        let dep = quintile_ratios(within);
        let (mut most, mut least) = (0.0, 0.0);
        for (a_s, (people, risk)) in people.iter().zip(&risk).enumerate() {
            let weight: f64 = people.iter().sum();
            if weight <= 0.0 {
                continue;
            }
            // The group's renormalisation (none for a condition-only type).
            let level = if ty.condition_only {
                1.0
            } else {
                let mean: f64 = risk.iter().zip(&dep).map(|(r, d)| r * d).sum::<f64>() / weight;
                if mean > 0.0 { 1.0 / mean } else { 0.0 }
            };
            let rate = |i: usize| {
                if people[i] > 0.0 {
                    dep[i] * risk[i] / people[i]
                } else {
                    0.0
                }
            };
            most += weight * shape(a_s) * level * rate(0);
            least += weight * shape(a_s) * level * rate(IMDS - 1);
        }
        most / least
    };
    if !standardised(1.0).is_finite() {
        // Nobody in one of the two quintiles: nothing to standardise against.
        return target;
    }
    crate::bisect::increasing(
        |log_within| standardised(log_within.exp()).ln(),
        target.ln(),
        (-20.0, 20.0),
        60,
    )
    .exp()
}

/// Activity of one year per reporting group and type (groups × types, row-major).
#[derive(Debug, Clone, Default)]
pub struct YearActivity {
    pub count: Vec<f64>,
    pub cost: Vec<f64>,
    /// Count × price (tariff) × the year's price index: what activity-based payment would pay.
    pub value: Vec<f64>,
    /// What the counts were drawn around: their expectations given the year's frailty and
    /// shocks.
    expected_count: Vec<f64>,
    /// An event's expected cost (the year's unit cost at the group's rurality) and value
    /// (price × price index), in every group and type, drawn or not.
    unit_cost: Vec<f64>,
    unit_value: Vec<f64>,
    /// The first type whose expected count in some group was beyond [`MAX_EXPECTED_EVENTS`] or
    /// not finite (nothing was drawn for it there).
    pub beyond_limit: Option<usize>,
}

/// Largest expected count of one type in one reporting group and year that is drawn: far above
/// England's (57 million people at 1,000 events each is 6e10), well inside what a Poisson draw
/// takes and an f64 counts exactly.
pub const MAX_EXPECTED_EVENTS: f64 = 1e15;

impl YearActivity {
    pub fn reset(&mut self, types: usize) {
        self.beyond_limit = None;
        for v in [
            &mut self.count,
            &mut self.cost,
            &mut self.value,
            &mut self.expected_count,
            &mut self.unit_cost,
            &mut self.unit_value,
        ] {
            v.clear();
            v.resize(GROUPS * types, 0.0);
        }
    }

    /// Short-run cost in a world with interventions: against the status quo's cost in the same
    /// year (`status_quo`, groups × types), only the variable part of each type's cost moves,
    /// `fixed_cost_share` of it stays where the status quo has it (`inputs` gives the shares).
    pub fn keep_fixed_costs(&mut self, status_quo: &[f64], inputs: &ActivityInputs) {
        let nt = inputs.types.len();
        for (i, (cost, &sq)) in self.cost.iter_mut().zip(status_quo).enumerate() {
            let f = inputs.types[i % nt].fixed_cost_share;
            // Written as a step from this world's cost, so equal costs stay exactly equal.
            *cost += f * (sq - *cost);
        }
    }

    /// Multiplies type `t`'s count, cost and value in every group by `factor` (of `types`).
    pub fn scale_type(&mut self, t: usize, types: usize, factor: f64) {
        for v in [&mut self.count, &mut self.cost, &mut self.value] {
            scale_column(v, t, types, factor);
        }
    }

    /// Sets type `t`'s activity (of `types`) to `events` delivered at the year's expectation:
    /// spread over the groups as its expected events are, each at its group's cost and value
    /// per event. For a year with no drawn events of a type whose waiting list still treats
    /// people: its backlog. Where this world expects no events of the type at all (an
    /// intervention removed them), they are spread as `referred_from` (groups × types: the
    /// status quo's expected events that year) and cost what an event costs in each group;
    /// with neither, nothing is delivered.
    pub fn deliver_at_expectation(
        &mut self,
        t: usize,
        types: usize,
        events: f64,
        referred_from: Option<&[f64]>,
    ) {
        let weights = if type_total(&self.expected_count, t, types) > 0.0 {
            &self.expected_count
        } else {
            match referred_from {
                Some(w) if type_total(w, t, types) > 0.0 => w,
                _ => return,
            }
        };
        let share = events / type_total(weights, t, types);
        for g in 0..GROUPS {
            let i = g * types + t;
            let count = weights[i] * share;
            self.count[i] = count;
            self.cost[i] = count * self.unit_cost[i];
            self.value[i] = count * self.unit_value[i];
        }
    }

    /// The year's expected events per group and type (groups × types).
    pub fn expected_counts(&self) -> &[f64] {
        &self.expected_count
    }

    /// Totals per type over all groups.
    pub fn totals(&self, types: usize) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
        let sum = |v: &[f64]| (0..types).map(|t| type_total(v, t, types)).collect();
        (sum(&self.count), sum(&self.cost), sum(&self.value))
    }

    /// Events of type `t` (of `types`) over all groups.
    pub fn count_of_type(&self, t: usize, types: usize) -> f64 {
        type_total(&self.count, t, types)
    }
}

/// Multiplies column `t` of a row-major table with `types` columns by `factor`.
pub(crate) fn scale_column(table: &mut [f64], t: usize, types: usize, factor: f64) {
    for x in table.iter_mut().skip(t).step_by(types) {
        *x *= factor;
    }
}

/// Type `t`'s total over all groups of a groups × `types` table, summed in group order.
fn type_total(v: &[f64], t: usize, types: usize) -> f64 {
    (0..GROUPS).map(|g| v[g * types + t]).sum()
}

/// The random streams of activity: one per reporting group, type and year for counts and costs,
/// so a change in one group shifts no other draws. (A cell's frailty is drawn in the year's
/// step, from a stream of the cell's own: [`crate::transitions::StepStreams`].)
#[derive(Debug, Clone, Copy)]
pub struct ActivityStreams(UnitStreams);

impl ActivityStreams {
    pub fn new(seed: u64, replication: u64) -> Self {
        ActivityStreams(UnitStreams::new(seed, replication, Stage::Activity))
    }

    fn events(&self, year: u32, group: usize, types: usize, t: usize) -> UnitRng {
        self.0.stream(year, group * types + t)
    }
}

/// Each reporting group's expected events of each type in a year (groups × types, row-major),
/// given the frailty sums of its cells: Σ_cells λ(cell, t) · S(cell).
#[derive(Debug, Clone, Default)]
pub struct GroupMeans {
    mu: Vec<f64>,
    types: usize,
}

impl GroupMeans {
    /// Starts a year with no events expected.
    pub fn reset(&mut self, types: usize) {
        self.types = types;
        self.mu.clear();
        self.mu.resize(GROUPS * types, 0.0);
    }

    /// Adds cell `c`, whose frailty sum is `s`, with its rates from `lam` (cells × types).
    #[inline]
    pub fn add_cell(&mut self, c: usize, s: f64, lam: &[f64]) {
        let nt = self.types;
        let g = group_of(c);
        let row = &lam[c * nt..(c + 1) * nt];
        for (m, &l) in self.mu[g * nt..(g + 1) * nt].iter_mut().zip(row) {
            *m += l * s;
        }
    }
}

/// Draws one year's activity and cost of the reporting groups expecting `means`; `year` is
/// 0-based.
pub fn simulate_year(
    means: &GroupMeans,
    inputs: &ActivityInputs,
    shock: &YearShock,
    streams: &ActivityStreams,
    year: u32,
    out: &mut YearActivity,
) {
    let nt = inputs.types.len();
    debug_assert_eq!(means.types, nt);
    let mu = &means.mu;
    out.reset(nt);
    for g in 0..GROUPS {
        let rural = group_key(g).1 == 1;
        for (t, ty) in inputs.types.iter().enumerate() {
            let i = g * nt + t;
            let mean = mu[i] * shock.demand * if ty.winter { shock.winter } else { 1.0 };
            if mean.is_nan() || mean > MAX_EXPECTED_EVENTS {
                out.beyond_limit.get_or_insert(t);
                continue;
            }
            let unit = expected::unit_cost_at(
                ty.unit_cost * shock.cost_index,
                rural,
                inputs.rural_cost_factor,
            );
            out.unit_cost[i] = unit;
            out.unit_value[i] = ty.price * shock.price_index;
            if mean <= 0.0 {
                continue;
            }
            let rng = &mut streams.events(year, g, nt, t);
            let count = sampling::poisson(rng, mean);
            out.count[i] = count;
            out.cost[i] = event_cost(rng, count, unit, ty);
            out.value[i] = count * ty.price * shock.price_index;
            out.expected_count[i] = mean;
        }
    }
}

/// Total cost of `count` events of type `ty` whose mean cost is `unit`: most events cost a
/// little less than the mean, a binomial share of long stays cost `long_stay_cost_ratio` times
/// it (so the mean is unchanged), each part gamma with the type's cost cv. Without long stays
/// nothing extra is drawn.
fn event_cost(rng: &mut UnitRng, count: f64, unit: f64, ty: &TypeInputs) -> f64 {
    let (q, ratio) = (ty.long_stay_share, ty.long_stay_cost_ratio);
    if q <= 0.0 || count <= 0.0 || unit <= 0.0 {
        return gamma_total(rng, count, unit, ty.cost_cv);
    }
    let long = if q >= 1.0 {
        count
    } else {
        sampling::binomial_u64(rng, count as u64, q) as f64
    };
    let short_unit = unit * ((1.0 - q * ratio) / (1.0 - q)).max(0.0);
    gamma_total(rng, count - long, short_unit, ty.cost_cv)
        + gamma_total(rng, long, unit * ratio, ty.cost_cv)
}

/// Total cost of `count` events of mean `unit` and coefficient of variation `cv`.
fn gamma_total(rng: &mut UnitRng, count: f64, unit: f64, cv: f64) -> f64 {
    if count <= 0.0 || unit <= 0.0 {
        0.0
    } else if cv <= 0.0 {
        count * unit
    } else {
        let cv2 = cv * cv;
        let (shape, scale) = (count / cv2, unit * cv2);
        // A cv so small its square underflows is no spread at all.
        if !(shape.is_finite() && scale > 0.0) {
            return count * unit;
        }
        sampling::gamma(rng, shape, scale)
    }
}
