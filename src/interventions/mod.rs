//! Interventions: what a programme changes in the world of the arms that run it.
//!
//! A programme enrols a share of the eligible people in each cell (its uptake, ramping up from
//! its start year) and changes the rates of the enrolled by relative risks: onset of another
//! long-term condition, death, and chosen activity types, and it moves a share of one activity
//! type's events to another. The cohort model does not follow who is enrolled from year to year:
//! a cell's rate is the mix of enrolled and not enrolled, `rate × (1 − u + u × RR)` for enrolled
//! share `u` (for death, the hazard is mixed the same way). The contract basis never sees any of
//! this: it is set on the status quo.

use crate::activity::expected::masked;
use crate::population::{CELLS, Population, strata_mask_within};
use crate::scenario::Scenario;
use crate::scenario::cautions::Caution;
use crate::scenario::indicator::MeasureSpec;
use crate::transitions::TransitionRates;

/// A programme's structure, fixed for the scenario.
#[derive(Debug, Clone)]
pub struct Programme {
    pub name: String,
    /// Cells whose people may enrol: the target, among the people covered.
    pub eligible: Vec<bool>,
    /// First year of enrolment, 0-based.
    pub start: u32,
    pub ramp_years: u32,
    pub lag_years: u32,
    /// Party that pays the programme (0 is the commissioner).
    pub payer: usize,
    /// Activity types with a relative rate, by index in output order.
    pub activity_types: Vec<usize>,
    /// Shifts as (from, to) type indices.
    pub shifts: Vec<(usize, usize)>,
    /// Types whose waiting-list capacity the programme changes, by index in output order.
    pub capacity_types: Vec<usize>,
    /// Measures the programme moves for the enrolled, by position in the scenario.
    pub measures: Vec<usize>,
    /// Types whose cost per unit the programme changes, by index in output order.
    pub unit_cost_types: Vec<usize>,
}

/// A caution for each programme acting on the people it enrols whose target holds nobody of
/// the starting population (`initial`, expected head counts per cell): a target whose ranges
/// overlap the scenario's but whose cells are empty (newborns with five conditions, say), which
/// would run and report no change as if the programme did nothing, when it reached nobody.
pub fn targets_holding_nobody(
    s: &Scenario,
    programmes: &[Programme],
    initial: &[f64],
) -> Vec<Caution> {
    s.intervention
        .iter()
        .zip(programmes)
        .enumerate()
        .filter(|(_, (spec, _))| spec.uptake.is_some())
        .filter(|(_, (_, p))| {
            let eligible: f64 = masked(initial.iter().copied(), &p.eligible).iter().sum();
            // Less than one person, expected.
            eligible < 0.5
        })
        .map(|(i, (spec, _))| Caution {
            field: format!("{}.target", spec.path(i)),
            message: "nobody in the starting population is in this target, so the programme \
                      enrols nobody unless people age or gain conditions into it later; check \
                      its ages, long-term-condition counts and other ranges against the \
                      population's"
                .into(),
        })
        .collect()
}

/// A programme's uncertain values in one replication.
#[derive(Debug, Clone, PartialEq)]
pub struct ProgrammeDraw {
    pub uptake: f64,
    pub cost_per_person_year: f64,
    pub cost_per_year: f64,
    pub onset: f64,
    pub mortality: f64,
    /// Relative risk of gaining the scenario's condition.
    pub condition_onset: f64,
    /// Relative rate per activity type, in [`Programme::activity_types`] order.
    pub activity: Vec<f64>,
    /// Per shift: share moved and events received per event moved.
    pub shifts: Vec<(f64, f64)>,
    /// Capacity relative to the status quo's, in [`Programme::capacity_types`] order.
    pub capacity: Vec<f64>,
    /// Relative value of each measure for the enrolled, in [`Programme::measures`] order.
    pub measure: Vec<f64>,
    /// Cost per unit relative to the status quo's, in [`Programme::unit_cost_types`] order.
    pub unit_cost: Vec<f64>,
}

impl Programme {
    /// Resolves every intervention of a validated scenario; `covered` is the cohort mask.
    pub fn resolve_all(s: &Scenario, type_names: &[String], covered: &[bool]) -> Vec<Programme> {
        let type_index = |t: &String| type_names.iter().position(|x| x == t).expect("validated");
        let parties = s.parties();
        s.intervention
            .iter()
            .map(|spec| Programme {
                name: spec.name.clone(),
                eligible: strata_mask_within(&spec.target, covered),
                start: spec.start_year - 1,
                ramp_years: spec.ramp_years,
                lag_years: spec.lag_years,
                payer: parties
                    .iter()
                    .position(|p| *p == spec.paid_by)
                    .expect("validated"),
                activity_types: spec.effect.activity.keys().map(type_index).collect(),
                shifts: spec
                    .shift
                    .iter()
                    .map(|x| (type_index(&x.from), type_index(&x.to)))
                    .collect(),
                capacity_types: spec
                    .effect
                    .waiting_list_capacity
                    .keys()
                    .map(type_index)
                    .collect(),
                measures: spec
                    .effect
                    .measure
                    .keys()
                    .map(|m| {
                        s.measure
                            .iter()
                            .position(|x| &x.name == m)
                            .expect("validated")
                    })
                    .collect(),
                unit_cost_types: spec.effect.unit_cost.keys().map(type_index).collect(),
            })
            .collect()
    }

    /// Share of the eligible enrolled in year `year` (0-based).
    pub fn enrolled_share(&self, d: &ProgrammeDraw, year: u32) -> f64 {
        self.share_at(d, i64::from(year))
    }

    /// Share of the eligible on whom the programme acts in year `year`: the enrolment of
    /// `lag_years` before.
    pub fn effective_share(&self, d: &ProgrammeDraw, year: u32) -> f64 {
        self.share_at(d, i64::from(year) - i64::from(self.lag_years))
    }

    fn share_at(&self, d: &ProgrammeDraw, year: i64) -> f64 {
        d.uptake * self.ramp_at(year)
    }

    /// How far the programme has ramped up in year `year` (0-based): 0 before it starts, then
    /// rising in equal steps to 1 over `ramp_years`.
    fn ramp_at(&self, year: i64) -> f64 {
        let running = year - i64::from(self.start);
        if running < 0 {
            return 0.0;
        }
        ((running + 1) as f64 / f64::from(self.ramp_years)).min(1.0)
    }

    /// How much of its effects on the service (waiting-list capacity, unit costs) the
    /// programme has in year `year`: the ramp of `lag_years` before. They belong to the
    /// service, so uptake does not scale them.
    pub fn service_share(&self, year: u32) -> f64 {
        self.ramp_at(i64::from(year) - i64::from(self.lag_years))
    }

    /// People enrolled in a year: eligible heads at the start of the year × the enrolled share.
    pub fn enrolled(&self, d: &ProgrammeDraw, pop: &Population, year: u32) -> f64 {
        self.eligible_heads_times(self.enrolled_share(d, year), pop)
    }

    /// People the programme acts on in a year: eligible heads at the start of the year × the
    /// share enrolled `lag_years` before.
    pub fn acted_on(&self, d: &ProgrammeDraw, pop: &Population, year: u32) -> f64 {
        self.eligible_heads_times(self.effective_share(d, year), pop)
    }

    fn eligible_heads_times(&self, share: f64, pop: &Population) -> f64 {
        if share == 0.0 {
            return 0.0;
        }
        let heads: u64 = pop
            .as_slice()
            .iter()
            .zip(&self.eligible)
            .filter(|(_, e)| **e)
            .map(|(&n, _)| u64::from(n))
            .sum();
        heads as f64 * share
    }
}

/// The programmes running in one world, with this replication's draws.
#[derive(Debug, Clone, Copy)]
pub struct WorldProgrammes<'a> {
    pub programmes: &'a [Programme],
    /// Indices into `programmes` (and `draws`) of those running in this world.
    pub running: &'a [usize],
    pub draws: &'a [ProgrammeDraw],
}

impl<'a> WorldProgrammes<'a> {
    fn acting(&self, year: u32) -> impl Iterator<Item = (&Programme, &ProgrammeDraw, f64)> {
        self.running.iter().filter_map(move |&i| {
            let (p, d) = (&self.programmes[i], &self.draws[i]);
            let u = p.effective_share(d, year);
            (u > 0.0).then_some((p, d, u))
        })
    }

    /// Whether any programme acts in `year`.
    pub fn acts_in(&self, year: u32) -> bool {
        self.acting(year).next().is_some()
    }

    /// This year's transition rates: the status quo's `base`, changed for the enrolled.
    pub fn transition_rates(&self, base: &TransitionRates, year: u32, out: &mut TransitionRates) {
        out.clone_from(base);
        for (p, d, u) in self.acting(year) {
            let onset = 1.0 - u + u * d.onset;
            let hazard = 1.0 - u + u * d.mortality;
            for c in (0..CELLS).filter(|&c| p.eligible[c]) {
                out.onset[c] = (out.onset[c] * onset).min(1.0);
                if hazard != 1.0 {
                    out.multiply_death_hazard(c, hazard);
                }
            }
            // Gaining the condition: the eligible without it (the first half of the cells).
            let condition_onset = 1.0 - u + u * d.condition_onset;
            if condition_onset == 1.0 {
                continue;
            }
            for (c, rate) in out.condition_onset.iter_mut().enumerate() {
                if p.eligible[c] {
                    *rate = (*rate * condition_onset).min(1.0);
                }
            }
        }
    }

    /// This year's activity rates (cells × `types`): the status quo's `base`, changed for the
    /// enrolled by relative rates, then shifts.
    pub fn activity_rates(&self, base: &[f64], types: usize, year: u32, out: &mut Vec<f64>) {
        out.clear();
        out.extend_from_slice(base);
        for (p, d, u) in self.acting(year) {
            let relative_rate = |t: usize| {
                p.activity_types
                    .iter()
                    .position(|&x| x == t)
                    .map_or(1.0, |i| d.activity[i])
            };
            // What moves of each shift's `from` rate: its share of the enrolled's events (those
            // left after their relative rate); the others' events stay where they are.
            let moving: Vec<f64> = p
                .shifts
                .iter()
                .zip(&d.shifts)
                .map(|(&(from, _), &(share, _))| u * relative_rate(from) * share)
                .collect();
            let mut moved = vec![0.0; moving.len()];
            for c in (0..CELLS).filter(|&c| p.eligible[c]) {
                let row = &mut out[c * types..(c + 1) * types];
                for (m, (&(from, _), &moving)) in moved.iter_mut().zip(p.shifts.iter().zip(&moving))
                {
                    *m = moving * row[from];
                }
                for (&t, &rr) in p.activity_types.iter().zip(&d.activity) {
                    row[t] *= 1.0 - u + u * rr;
                }
                for ((&(from, to), &(_, ratio)), &m) in p.shifts.iter().zip(&d.shifts).zip(&moved) {
                    row[from] = (row[from] - m).max(0.0);
                    row[to] += m * ratio;
                }
            }
        }
    }

    /// Each waiting list's capacity in `year` relative to the status quo's, per type
    /// ([`WorldProgrammes::service_factors`]).
    pub fn capacity_factors(&self, year: u32, factors: &mut [f64]) {
        self.service_factors(year, factors, |p, d| (&p.capacity_types, &d.capacity));
    }

    /// What a unit of each type's care costs in `year` relative to the status quo, per type
    /// ([`WorldProgrammes::service_factors`]).
    pub fn unit_cost_factors(&self, year: u32, factors: &mut [f64]) {
        self.service_factors(year, factors, |p, d| (&p.unit_cost_types, &d.unit_cost));
    }

    /// An effect on the service in `year`, per type (1 where no running programme changes it):
    /// a programme whose relative value for a type is m (`effect` gives its types and values)
    /// and whose service share is r ([`Programme::service_share`]) multiplies it by
    /// 1 + r·(m − 1).
    fn service_factors(
        &self,
        year: u32,
        factors: &mut [f64],
        effect: impl Fn(&'a Programme, &'a ProgrammeDraw) -> (&'a [usize], &'a [f64]),
    ) {
        factors.fill(1.0);
        for &i in self.running {
            let (p, d) = (&self.programmes[i], &self.draws[i]);
            let r = p.service_share(year);
            if r == 0.0 {
                continue;
            }
            let (types, values) = effect(p, d);
            for (&t, &m) in types.iter().zip(values) {
                factors[t] *= 1.0 + r * (m - 1.0);
            }
        }
    }

    /// Each measure's value in `year` (`status_quo`: per measure, its value each year), for
    /// `covered` people covered of whom each programme acts on some: a programme acting on a
    /// share s of them with relative value m multiplies it by 1 − s + s·m. Then held within
    /// the measure's bounds.
    pub fn measures(
        &self,
        status_quo: &[Vec<f64>],
        specs: &[MeasureSpec],
        pop: &Population,
        covered: f64,
        year: u32,
        out: &mut Vec<f64>,
    ) {
        out.clear();
        out.extend(status_quo.iter().map(|values| values[year as usize]));
        for &i in self.running {
            let (p, d) = (&self.programmes[i], &self.draws[i]);
            if p.measures.is_empty() || covered <= 0.0 {
                continue;
            }
            let s = (p.acted_on(d, pop, year) / covered).min(1.0);
            for (&m, &relative) in p.measures.iter().zip(&d.measure) {
                out[m] *= 1.0 - s + s * relative;
            }
        }
        for (value, spec) in out.iter_mut().zip(specs) {
            *value = spec.bounded(*value);
        }
    }

    /// Each running programme's enrolled people in `year` and what they cost (× `cost_index`):
    /// per enrolled person-year, and its yearly cost in every year from its start. Added to
    /// `cost_by_party`; returns the people enrolled.
    pub fn programme_cost(
        &self,
        pop: &Population,
        year: u32,
        cost_index: f64,
        cost_by_party: &mut [f64],
    ) -> f64 {
        let mut enrolled = 0.0;
        for &i in self.running {
            let (p, d) = (&self.programmes[i], &self.draws[i]);
            let n = p.enrolled(d, pop, year);
            enrolled += n;
            cost_by_party[p.payer] += n * d.cost_per_person_year * cost_index;
            if year >= p.start {
                cost_by_party[p.payer] += d.cost_per_year * cost_index;
            }
        }
        enrolled
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn programme(start: u32, ramp: u32, lag: u32) -> (Programme, ProgrammeDraw) {
        (
            Programme {
                name: "p".into(),
                eligible: vec![true; CELLS],
                start,
                ramp_years: ramp,
                lag_years: lag,
                payer: 0,
                activity_types: vec![0],
                shifts: vec![(0, 1)],
                capacity_types: vec![1],
                measures: vec![0],
                unit_cost_types: vec![0],
            },
            ProgrammeDraw {
                uptake: 0.6,
                cost_per_person_year: 100.0,
                onset: 0.5,
                mortality: 1.0,
                condition_onset: 0.25,
                activity: vec![0.5],
                shifts: vec![(0.5, 2.0)],
                cost_per_year: 1_000.0,
                capacity: vec![1.5],
                measure: vec![1.2],
                unit_cost: vec![0.8],
            },
        )
    }

    /// Capacity and unit costs follow the ramp and the lag but not the uptake; the yearly cost
    /// is paid from the start year, whatever the ramp.
    #[test]
    fn capacity_ramps_with_the_lag_and_the_yearly_cost_starts_with_the_programme() {
        let (p, d) = programme(1, 3, 1);
        let shares: Vec<f64> = (0..5).map(|y| p.service_share(y)).collect();
        let close = |a: &[f64], b: &[f64]| a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-12);
        assert!(
            close(&shares, &[0.0, 0.0, 1.0 / 3.0, 2.0 / 3.0, 1.0]),
            "{shares:?}"
        );
        let world = WorldProgrammes {
            programmes: std::slice::from_ref(&p),
            running: &[0],
            draws: std::slice::from_ref(&d),
        };
        let mut factors = [0.0; 2];
        world.capacity_factors(3, &mut factors);
        assert!(
            close(&factors, &[1.0, 1.0 + 2.0 / 3.0 * 0.5]),
            "{factors:?}"
        );
        world.unit_cost_factors(3, &mut factors);
        assert!(
            close(&factors, &[1.0 - 2.0 / 3.0 * 0.2, 1.0]),
            "{factors:?}"
        );
        let pop = Population::zeros();
        for (year, cost) in [(0, 0.0), (1, 1_000.0), (2, 1_000.0)] {
            let mut by_party = [0.0];
            world.programme_cost(&pop, year, 1.0, &mut by_party);
            assert_eq!(by_party[0], cost, "year {year}");
        }
    }

    #[test]
    fn uptake_ramps_from_the_start_year_and_effects_follow_the_lag() {
        let (p, d) = programme(1, 3, 1);
        let enrolled: Vec<f64> = (0..5).map(|y| p.enrolled_share(&d, y)).collect();
        let close = |a: &[f64], b: &[f64]| a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-12);
        assert!(close(&enrolled, &[0.0, 0.2, 0.4, 0.6, 0.6]), "{enrolled:?}");
        let acting: Vec<f64> = (0..5).map(|y| p.effective_share(&d, y)).collect();
        assert!(close(&acting, &[0.0, 0.0, 0.2, 0.4, 0.6]), "{acting:?}");
    }

    #[test]
    fn rates_mix_enrolled_and_not_then_shift() {
        let (p, d) = programme(0, 1, 0);
        let world = WorldProgrammes {
            programmes: std::slice::from_ref(&p),
            running: &[0],
            draws: std::slice::from_ref(&d),
        };
        let base = vec![1.0; CELLS * 2];
        let mut out = Vec::new();
        world.activity_rates(&base, 2, 0, &mut out);
        // Type 0: 1 × (0.4 + 0.6 × 0.5) = 0.7, of which the enrolled's are 0.6 × 0.5; half of
        // theirs moves, doubled, to type 1.
        let moved = 0.6 * 0.5 * 0.5;
        assert!((out[0] - (0.7 - moved)).abs() < 1e-12);
        assert!((out[1] - (1.0 + 2.0 * moved)).abs() < 1e-12);
        let mut rates = TransitionRates::empty();
        rates.onset = vec![0.1; CELLS];
        rates.set_death_everywhere(0.01);
        let mut changed = TransitionRates::empty();
        world.transition_rates(&rates, 0, &mut changed);
        assert!((changed.onset[7] - 0.1 * 0.7).abs() < 1e-12);
        assert_eq!(changed.death()[7], 0.01);
        assert!(
            changed.condition_onset.is_empty(),
            "no condition, nobody gains it"
        );
    }

    /// Gaining the condition: 1 − u + u × RR for the eligible without it, kept to 1, nobody
    /// else's changed.
    #[test]
    fn condition_onset_mixes_enrolled_and_not_for_the_eligible() {
        use crate::population::BASE_CELLS;
        let (mut p, d) = programme(0, 1, 0);
        p.eligible = (0..CELLS).map(|c| c % 3 == 0).collect();
        let world = WorldProgrammes {
            programmes: std::slice::from_ref(&p),
            running: &[0],
            draws: std::slice::from_ref(&d),
        };
        let mut rates = TransitionRates::empty();
        rates.onset = vec![0.1; CELLS];
        rates.set_death_everywhere(0.01);
        rates.condition_onset = vec![0.02; BASE_CELLS];
        rates.condition_onset[3] = 1.0;
        let mut changed = TransitionRates::empty();
        world.transition_rates(&rates, 0, &mut changed);
        // 0.4 + 0.6 × 0.25 = 0.55.
        assert!((changed.condition_onset[0] - 0.02 * 0.55).abs() < 1e-15);
        assert_eq!(changed.condition_onset[1], 0.02);
        assert!((changed.condition_onset[3] - 0.55).abs() < 1e-15);
        assert_eq!(changed.condition_onset.len(), BASE_CELLS);
        let raising = ProgrammeDraw {
            condition_onset: 3.0,
            ..d.clone()
        };
        let world = WorldProgrammes {
            draws: std::slice::from_ref(&raising),
            ..world
        };
        world.transition_rates(&rates, 0, &mut changed);
        assert_eq!(changed.condition_onset[3], 1.0, "a probability, at most 1");
        assert!((changed.condition_onset[0] - 0.02 * 2.2).abs() < 1e-15);
    }
}
