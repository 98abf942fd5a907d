//! The yearly cohort step: deaths, leavers, LTC onset, ageing, births and entrants.
//!
//! Every draw is binomial (or Poisson for arrivals) on a cell's head count, so the step is exact
//! for a Markov cohort and costs the same for a cell of ten people as for a cell of a million.
//! Rates are calibrated rather than stacked ([`calibrate`]): relative risks of death are
//! re-normalised so each age-sex group still dies at its life-table rate, and onset rates are
//! derived from how prevalence rises with age so an unchanged population keeps its profile.

pub mod calibrate;

use rand::RngExt;

use crate::population::condition::{ConditionModel, split_deaths};
use crate::population::{
    AGE_STRIDE, AGES, BASE_CELLS, CELLS, LTCS, Population, age_of, stream_unit,
    with_condition_switched,
};
use crate::rng::{Stage, UnitRng, UnitStreams};
use crate::sampling::{self, FixedProbability, binomial, binomial_fixed, binomial_with_log};

pub use calibrate::Calibration;

/// Rates for one replication (calibrated base rates with this replication's multipliers).
#[derive(Debug, Clone)]
pub struct TransitionRates {
    /// Probability of death in the year, per cell (written only with its log below).
    death: Vec<f64>,
    /// ln(1 − death) per cell: a small binomial's inversion starts at (1 − q)^n, e^(n·ln(1−q)),
    /// one `exp` instead of a chain of squarings, and a hazard multiplier is a product here.
    death_log_survival: Vec<f64>,
    /// Probability of gaining one more LTC in the year, per cell (0 at 5+).
    pub onset: Vec<f64>,
    /// Probability that a survivor leaves the place in the year ([`Self::set_leaver_rate`]).
    leaving: FixedProbability,
    pub birth_rate: f64,
    pub growth_rate: f64,
    /// Probability of gaining the scenario's condition in the year, per cell of people
    /// without it (`BASE_CELLS`; empty without a condition).
    pub condition_onset: Vec<f64>,
    /// Probability that a person's condition ends in the year.
    pub condition_exit: f64,
}

/// A replication's draws of the condition's uncertain parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ConditionDraw {
    pub incidence_multiplier: f64,
    pub exit_rate: f64,
    pub mortality_ratio: f64,
}

impl TransitionRates {
    /// Applies this replication's multipliers to the calibrated rates, reusing `self`'s buffers.
    /// Without a condition ([`Self::apply_condition`] not called) nobody gains or loses one.
    pub fn fill(&mut self, calib: &Calibration, mortality_multiplier: f64, onset_multiplier: f64) {
        self.condition_onset.clear();
        self.condition_exit = 0.0;
        self.death.resize(CELLS, 0.0);
        self.death_log_survival.resize(CELLS, 0.0);
        self.onset.resize(CELLS, 0.0);
        if mortality_multiplier == 1.0 {
            self.death.copy_from_slice(&calib.death);
            self.death_log_survival.copy_from_slice(&calib.log_survival);
        } else {
            // A hazard multiplier: q' = 1 - (1 - q)^m keeps q' a probability.
            for (c, &log_survival) in calib.log_survival.iter().enumerate() {
                self.set_log_survival(c, mortality_multiplier * log_survival);
            }
        }
        for (h, &o) in self.onset.iter_mut().zip(&calib.onset) {
            *h = (o * onset_multiplier).min(1.0);
        }
    }

    /// Gives people with the condition `ratio` times the death probability of people without
    /// it in the same cell, keeping the cell's rate at its starting prevalence; sets the
    /// condition's onset and exit.
    pub fn apply_condition(&mut self, model: &ConditionModel, draw: &ConditionDraw) {
        for c in 0..BASE_CELLS {
            let (without, with) =
                split_deaths(self.death[c], model.prevalence[c], draw.mortality_ratio);
            self.set_death(c, without);
            self.set_death(c + BASE_CELLS, with);
        }
        self.condition_onset.clear();
        self.condition_onset.extend(
            model
                .incidence
                .iter()
                .map(|&i| (i * draw.incidence_multiplier).min(1.0)),
        );
        self.condition_exit = draw.exit_rate;
    }

    /// Probability that a survivor leaves the place in the year.
    pub fn leaver_rate(&self) -> f64 {
        self.leaving.p()
    }

    /// Probability that a person of cell `i` dies or leaves in the year.
    #[inline]
    pub fn exit_probability(&self, i: usize) -> f64 {
        let q = self.death[i];
        q + (1.0 - q) * self.leaver_rate()
    }

    /// Probability that a survivor of cell `i` gains a long-term condition: none at the top
    /// count, whatever the rate says.
    #[inline]
    pub fn ltc_onset(&self, i: usize) -> f64 {
        if i % LTCS + 1 < LTCS {
            self.onset[i]
        } else {
            0.0
        }
    }

    /// Probability that a survivor of cell `i` changes condition state: gains the condition
    /// (without it) or loses it (with it).
    #[inline]
    pub fn condition_change(&self, i: usize) -> f64 {
        if i < BASE_CELLS {
            self.condition_onset.get(i).copied().unwrap_or(0.0)
        } else {
            self.condition_exit
        }
    }

    /// Births and movers expected in a year starting with `start` people of whom
    /// `expected_exits` are expected to die or leave: births at the birth rate, movers so that
    /// the expected head count grows by the growth rate (none when exits fall short of that).
    pub fn expected_arrivals(&self, start: f64, expected_exits: f64) -> (f64, f64) {
        let births = start * self.birth_rate;
        let migrants = (start * self.growth_rate + expected_exits - births).max(0.0);
        (births, migrants)
    }

    /// Sets the probability that a survivor leaves (its tables are worked out when it changes).
    pub fn set_leaver_rate(&mut self, rate: f64) {
        if rate.to_bits() != self.leaving.p().to_bits() {
            self.leaving = FixedProbability::new(rate);
        }
    }

    /// Probability of death in the year, per cell.
    pub fn death(&self) -> &[f64] {
        &self.death
    }

    /// Sets cell `c`'s probability of death.
    pub fn set_death(&mut self, c: usize, q: f64) {
        self.death[c] = q;
        self.death_log_survival[c] = (-q).ln_1p();
    }

    /// Multiplies cell `c`'s hazard of death by `hazard`: q' = 1 − (1 − q)^hazard.
    pub fn multiply_death_hazard(&mut self, c: usize, hazard: f64) {
        // A zero hazard leaves nobody dying, even where everyone did (0 · ln 0 is not a number).
        let log_survival = if hazard == 0.0 {
            0.0
        } else {
            hazard * self.death_log_survival[c]
        };
        self.set_log_survival(c, log_survival);
    }

    /// Sets every cell's probability of death to `q` (for tests).
    pub fn set_death_everywhere(&mut self, q: f64) {
        self.death = vec![q; CELLS];
        self.death_log_survival = vec![(-q).ln_1p(); CELLS];
    }

    fn set_log_survival(&mut self, c: usize, log_survival: f64) {
        self.death_log_survival[c] = log_survival;
        self.death[c] = -log_survival.exp_m1();
    }

    pub fn empty() -> Self {
        TransitionRates {
            death: Vec::new(),
            death_log_survival: Vec::new(),
            onset: Vec::new(),
            leaving: FixedProbability::new(0.0),
            birth_rate: 0.0,
            growth_rate: 0.0,
            condition_onset: Vec::new(),
            condition_exit: 0.0,
        }
    }
}

/// Where people arrive: shares over cells (each summing to 1, or all zero for none).
#[derive(Debug, Clone)]
pub struct ArrivalProfiles {
    /// Births: over age-0 cells.
    pub births: Vec<f64>,
    /// Moves into the place: over cells aged 1 and over.
    pub migrants: Vec<f64>,
    /// Whether anyone arrives (a closed cohort admits nobody).
    pub open: bool,
    /// Running sums of `migrants`, to place movers one by one.
    migrant_cumulative: Vec<f64>,
    /// Where to start looking for a mover's cell: entry j is the first cell whose running sum
    /// passes j/len of the total (a guide table: a look-up and a step or two instead of a
    /// binary search through thousands of cells).
    migrant_guide: Vec<u32>,
    /// The last cell with a migrant share (0 when none has one).
    last_migrant_cell: usize,
    /// The cells with a birth share, and those with a migrant share, in order: the cells
    /// anyone can arrive in, visited apart from the (other) cells that hold people.
    birth_cells: Vec<usize>,
    migrant_cells: Vec<usize>,
}

impl ArrivalProfiles {
    pub fn new(births: Vec<f64>, migrants: Vec<f64>, open: bool) -> Self {
        let migrant_cumulative: Vec<f64> = migrants
            .iter()
            .scan(0.0, |sum, &s| {
                *sum += s;
                Some(*sum)
            })
            .collect();
        let last_migrant_cell = migrants.iter().rposition(|&s| s > 0.0).unwrap_or(0);
        let migrant_guide = guide_table(&migrant_cumulative);
        let with_share = |shares: &[f64]| -> Vec<usize> {
            (0..shares.len()).filter(|&c| shares[c] > 0.0).collect()
        };
        ArrivalProfiles {
            birth_cells: with_share(&births),
            migrant_cells: with_share(&migrants),
            births,
            migrants,
            open,
            migrant_cumulative,
            migrant_guide,
            last_migrant_cell,
        }
    }

    /// The sum of the migrant shares (0 when nobody moves in).
    fn migrant_total(&self) -> f64 {
        self.migrant_cumulative.last().copied().unwrap_or(0.0)
    }

    /// The cell of a mover drawn from the migrant profile with `u` uniform on [0, 1): the
    /// first whose running sum passes u·total.
    fn migrant_cell(&self, u: f64) -> usize {
        let total = self.migrant_total();
        let target = u * total;
        let guide = &self.migrant_guide;
        // The guide's entry for ⌊u·len⌋ is at or before the answer (its threshold is at most
        // u·total), so a walk forward from it finds the first cell passing u·total.
        let mut i = guide[((u * guide.len() as f64) as usize).min(guide.len() - 1)] as usize;
        let cumulative = &self.migrant_cumulative;
        while i < cumulative.len() && cumulative[i] <= target {
            i += 1;
        }
        // Rounding can put u·total at the very end: the last cell with a share.
        i.min(self.last_migrant_cell)
    }
}

/// A guide table for drawing from running sums `cumulative`: entry j is the first index whose
/// running sum passes (j/len)·total. Its length is a power of two, so j/len is exact and the
/// threshold never exceeds u·total for j = ⌊u·len⌋.
fn guide_table(cumulative: &[f64]) -> Vec<u32> {
    let total = cumulative.last().copied().unwrap_or(0.0);
    let len = cumulative.len().max(1).next_power_of_two();
    (0..len)
        .map(|j| {
            let threshold = (j as f64 / len as f64) * total;
            cumulative.partition_point(|&c| c <= threshold) as u32
        })
        .collect()
}

/// Fewer movers than this a year are placed one by one (a Poisson total, then each mover's cell
/// drawn from the profile) rather than by a Poisson draw in every cell: the same distribution
/// (Poisson splitting), at a cost that grows with the movers instead of the cells, so a small
/// population's empty cells cost nothing.
const MOVERS_ONE_BY_ONE_BELOW: f64 = 4000.0;

/// What happened in one year's step.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct StepCounts {
    pub start: u64,
    pub deaths: u64,
    pub leavers: u64,
    pub onsets: u64,
    /// Deaths and onsets among the people covered (the cohort; everyone without one).
    pub covered_deaths: u64,
    pub covered_onsets: u64,
    /// Covered people gaining a second long-term condition, and the sum of their ages.
    pub second_ltc_onsets: u64,
    pub second_ltc_onset_age_sum: u64,
    pub births: u64,
    pub migrants: u64,
    pub end: u64,
    /// People gaining the scenario's condition (of them, those covered before or after:
    /// [`condition_change_covered`]), and losing it (likewise).
    #[serde(default)]
    pub condition_onsets: u64,
    #[serde(default)]
    pub covered_condition_onsets: u64,
    #[serde(default)]
    pub condition_exits: u64,
    #[serde(default)]
    pub covered_condition_exits: u64,
    /// The movers expected and how they were placed: what other worlds of the replication
    /// follow ([`step`]).
    #[serde(skip)]
    pub movers: Movers,
}

/// A year's moves in: how many movers were expected, and whether they were placed one by one
/// (from the profile) rather than by a Poisson draw per cell.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Movers {
    pub expected: f64,
    pub one_by_one: bool,
}

#[inline]
fn poisson(rng: &mut UnitRng, mean: f64) -> u32 {
    sampling::poisson(rng, mean) as u32
}

/// The random streams of the yearly step, four per cell and year: one for what happens to the
/// cell's people (exits and onsets), one for what the caller draws for them ([`CellDraws`]: their
/// frailty), two for the people arriving in it (births, movers); and two per year for movers
/// placed one by one (their total, their places).
/// A change in one cell shifts no other cell's draws, and a cell whose frailty or arrivals
/// differ between two worlds draws the same exits and onsets. (How many move in depends on the
/// world's expected exits, so worlds whose death rates differ can draw slightly different
/// arrivals.)
#[derive(Debug, Clone, Copy)]
pub struct StepStreams {
    cells: UnitStreams,
    frailty: UnitStreams,
    entrants: UnitStreams,
}

impl StepStreams {
    pub fn new(seed: u64, replication: u64) -> Self {
        StepStreams {
            cells: UnitStreams::new(seed, replication, Stage::Transitions),
            frailty: UnitStreams::new(seed, replication, Stage::Frailty),
            entrants: UnitStreams::new(seed, replication, Stage::Entrants),
        }
    }
}

/// Where the people of one cell went in a year's step: `stay` stayed in their LTC count and
/// moved to [`next_cell`], `onsets` moved one LTC count further on; `switched` and
/// `switched_onsets` did the same and gained (or lost) the scenario's condition, moving to the
/// other condition state; the rest died or left.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Flow {
    pub stay: u32,
    pub onsets: u32,
    pub switched: u32,
    pub switched_onsets: u32,
}

/// The cell a person of cell `i` is in a year later with no new condition: one year older,
/// except at the open top age (100 and over). An onset moves them to the cell after it.
#[inline]
pub fn next_cell(i: usize) -> usize {
    if age_of(i) + 1 < AGES {
        i + AGE_STRIDE
    } else {
        i
    }
}

/// Whether a person moving from cell `from` to cell `to` (before the condition changes) whose
/// condition changes counts as covered: they are covered before or after the change. A cohort of
/// people with the condition is joined by its onsets and left by its exits; a cohort without it
/// is left by its onsets; neither would be seen from one side alone.
#[inline]
pub fn condition_change_covered(covered: &[bool], from: usize, to: usize) -> bool {
    covered[from] || covered[with_condition_switched(to)]
}

/// Deaths and leavers among `n` people who die with probability `q` and, if they survive,
/// leave with probability `l`. Deaths are drawn first, on their own: drawing all exits at once
/// and splitting them is the same multinomial and a little faster, but a world whose death
/// rates differ would then draw different leavers too, and a large cell's exits (a mean of 10
/// and more, drawn by rejection) would lose their pairing between worlds altogether.
/// The probability of death comes with the log of its complement ([`binomial_with_log`]).
#[inline]
fn exits(rng: &mut UnitRng, n: u32, death: (f64, f64), leave: &FixedProbability) -> (u32, u32) {
    let deaths = binomial_with_log(rng, n, death.0, death.1);
    (deaths, binomial_fixed(rng, n - deaths, leave))
}

/// What the caller draws in each occupied cell of a year's step, from a stream of the cell's
/// own ([`StepStreams`]).
pub trait CellDraws {
    /// Before the cell's exits and onsets: cell `i` holds `n` people.
    fn before(&mut self, i: usize, n: u32, rng: &mut UnitRng);
    /// After them: the cell's `n` people went where `flow` says.
    fn after(&mut self, i: usize, n: u32, flow: Flow, rng: &mut UnitRng);
}

/// Draws nothing: the step alone.
pub struct NoDraws;

impl CellDraws for NoDraws {
    fn before(&mut self, _: usize, _: u32, _: &mut UnitRng) {}
    fn after(&mut self, _: usize, _: u32, _: Flow, _: &mut UnitRng) {}
}

/// Moves `cur` one year on into `next` (overwritten); `year` is 0-based. `covered` marks the
/// cells whose deaths and onsets are counted as the cohort's. `draws` draws what else happens
/// to each occupied cell's people, from the cell's frailty stream.
///
/// `status_quo` is the status quo's movers that year ([`StepCounts::movers`]), for a world with
/// interventions: the place's pull on movers does not depend on how many of its residents a
/// programme keeps alive, so the world expects the same movers, and places them the same way,
/// on the same streams (common random numbers). None: the world is the status quo, and its
/// movers make the expected head count grow by the growth rate.
///
/// `occupied` is left holding the cells of `cur` with people, in order, for the caller's own
/// use of them that year.
#[allow(clippy::too_many_arguments)]
pub fn step(
    cur: &Population,
    next: &mut Population,
    covered: &[bool],
    rates: &TransitionRates,
    arrivals: &ArrivalProfiles,
    streams: &StepStreams,
    year: u32,
    status_quo: Option<Movers>,
    draws: &mut impl CellDraws,
    occupied: &mut Vec<usize>,
) -> StepCounts {
    let src = cur.as_slice();
    let dst = next.as_slice_mut();
    dst.fill(0);
    let mut c = StepCounts::default();
    // The cells with people, listed without a branch per cell: a sparse population's pattern
    // of occupied cells would keep mispredicting one.
    cur.occupied(occupied);
    // Births at the birth rate; moves in so that the expected head count grows by the growth
    // rate: both known before anything is drawn.
    let (mut births, mut migrants) = (0.0, 0.0);
    if arrivals.open {
        let (mut start, mut expected_exits) = (0.0, 0.0);
        for &i in occupied.iter() {
            let n = f64::from(src[i]);
            start += n;
            expected_exits += n * rates.exit_probability(i);
        }
        let (born, moving) = rates.expected_arrivals(start, expected_exits);
        births = born;
        migrants = status_quo.map_or(moving, |movers| movers.expected);
    }
    // Arrivals are added after the cells with people are stepped (whole numbers, from streams
    // of their own), so the order changes nothing drawn or summed.
    for &i in occupied.iter() {
        let n = src[i];
        let rng = &mut streams.cells.stream(year, stream_unit(i));
        let own = &mut streams.frailty.stream(year, stream_unit(i));
        draws.before(i, n, own);
        c.start += u64::from(n);
        let (deaths, leavers) = exits(
            rng,
            n,
            (rates.death[i], rates.death_log_survival[i]),
            &rates.leaving,
        );
        let stay = n - deaths - leavers;
        let ltc = i % LTCS;
        let onset = rates.ltc_onset(i);
        let onsets = if onset > 0.0 {
            binomial(rng, stay, onset)
        } else {
            0
        };
        let age = age_of(i);
        // The condition changes for some of the survivors, whether or not they gained an LTC
        // (an exact binomial on each group).
        let change = rates.condition_change(i);
        let (switched, switched_onsets) = if change > 0.0 {
            (
                binomial(rng, stay - onsets, change),
                binomial(rng, onsets, change),
            )
        } else {
            (0, 0)
        };
        let j = next_cell(i);
        dst[j] += stay - onsets - switched;
        if onsets > 0 {
            dst[j + 1] += onsets - switched_onsets;
        }
        if switched + switched_onsets > 0 {
            dst[with_condition_switched(j)] += switched;
            if switched_onsets > 0 {
                dst[with_condition_switched(j + 1)] += switched_onsets;
            }
            let moved = u64::from(switched + switched_onsets);
            let mut covered_moved = 0;
            if condition_change_covered(covered, i, j) {
                covered_moved += u64::from(switched);
            }
            if switched_onsets > 0 && condition_change_covered(covered, i, j + 1) {
                covered_moved += u64::from(switched_onsets);
            }
            if i < BASE_CELLS {
                c.condition_onsets += moved;
                c.covered_condition_onsets += covered_moved;
            } else {
                c.condition_exits += moved;
                c.covered_condition_exits += covered_moved;
            }
        }
        draws.after(
            i,
            n,
            Flow {
                stay: stay - onsets - switched,
                onsets: onsets - switched_onsets,
                switched,
                switched_onsets,
            },
            own,
        );
        c.deaths += u64::from(deaths);
        c.leavers += u64::from(leavers);
        c.onsets += u64::from(onsets);
        if covered[i] {
            c.covered_deaths += u64::from(deaths);
            c.covered_onsets += u64::from(onsets);
            if ltc == 1 {
                c.second_ltc_onsets += u64::from(onsets);
                c.second_ltc_onset_age_sum += u64::from(onsets) * age as u64;
            }
        }
    }
    let one_by_one = status_quo.map_or(migrants < MOVERS_ONE_BY_ONE_BELOW, |m| m.one_by_one);
    c.movers = Movers {
        expected: migrants,
        one_by_one,
    };
    if arrivals.open {
        for &i in &arrivals.birth_cells {
            let born = &mut streams.entrants.stream(year, stream_unit(i));
            let k = poisson(born, births * arrivals.births[i]);
            dst[i] += k;
            c.births += u64::from(k);
        }
    }
    if arrivals.open && !one_by_one {
        for &i in &arrivals.migrant_cells {
            let moving = &mut streams.entrants.stream(year, BASE_CELLS + stream_unit(i));
            let k = poisson(moving, migrants * arrivals.migrants[i]);
            dst[i] += k;
            c.migrants += u64::from(k);
        }
    }
    if arrivals.open && one_by_one && migrants > 0.0 && arrivals.migrant_total() > 0.0 {
        // The total and the places from streams of their own: a world with a slightly
        // different total still places its first movers where the other world does.
        let movers = poisson(&mut streams.entrants.stream(year, 2 * BASE_CELLS), migrants);
        let rng = &mut streams.entrants.stream(year, 2 * BASE_CELLS + 1);
        for _ in 0..movers {
            dst[arrivals.migrant_cell(rng.random())] += 1;
        }
        c.migrants += u64::from(movers);
    }
    c.end = dst.iter().map(|&x| u64::from(x)).sum();
    c
}

/// Adds to `next` where the people of `cur` are expected a year on: [`step`] with every draw
/// replaced by its mean, without arrivals. Returns how many people `cur` holds and how many
/// are expected to die or leave, for [`expected_arrivals`].
pub fn expected_survivors(cur: &[f64], next: &mut [f64], rates: &TransitionRates) -> (f64, f64) {
    let leave = rates.leaver_rate();
    let (mut start, mut expected_exits) = (0.0, 0.0);
    for (i, &n) in cur.iter().enumerate() {
        if n <= 0.0 {
            continue;
        }
        start += n;
        expected_exits += n * rates.exit_probability(i);
        let stay = n * (1.0 - rates.death[i]) * (1.0 - leave);
        let onsets = stay * rates.ltc_onset(i);
        let change = rates.condition_change(i);
        let j = next_cell(i);
        next[j] += (stay - onsets) * (1.0 - change);
        next[with_condition_switched(j)] += (stay - onsets) * change;
        if onsets > 0.0 {
            next[j + 1] += onsets * (1.0 - change);
            next[with_condition_switched(j + 1)] += onsets * change;
        }
    }
    (start, expected_exits)
}

/// Adds to `next` the births and movers expected in a year that starts with `start` people of
/// whom `expected_exits` are expected to die or leave (as [`step`] expects them).
pub fn expected_arrivals(
    start: f64,
    expected_exits: f64,
    rates: &TransitionRates,
    arrivals: &ArrivalProfiles,
    next: &mut [f64],
) {
    if !arrivals.open {
        return;
    }
    let (births, migrants) = rates.expected_arrivals(start, expected_exits);
    for &i in &arrivals.birth_cells {
        next[i] += births * arrivals.births[i];
    }
    for &i in &arrivals.migrant_cells {
        next[i] += migrants * arrivals.migrants[i];
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::population::CellKey;
    use crate::sampling::fit::{assert_fits, binomial_pmf};
    use rand::SeedableRng;

    #[test]
    fn a_death_hazard_multiplier_keeps_the_log_beside_the_probability() {
        let mut rates = TransitionRates::empty();
        rates.set_death_everywhere(0.2);
        rates.multiply_death_hazard(0, 2.0);
        assert!((rates.death()[0] - 0.36).abs() < 1e-15);
        assert!((rates.death_log_survival[0] - 0.64f64.ln()).abs() < 1e-15);
        rates.set_death(1, 1.0);
        rates.multiply_death_hazard(1, 0.0);
        assert_eq!((rates.death()[1], rates.death_log_survival[1]), (0.0, 0.0));
    }

    /// Deaths ~ Binomial(n, q) and leavers among the survivors ~ Binomial(n − deaths, l): both
    /// margins, and leavers given the deaths.
    #[test]
    fn exits_are_deaths_then_leavers_among_survivors() {
        let mut rng = UnitRng::seed_from_u64(5);
        for (n, q, l) in [
            (3u32, 0.2f64, 0.3f64),
            (150, 0.01, 0.04),
            (1_500, 0.03, 0.04),
            (40, 0.6, 0.5),
        ] {
            let (death, leave) = ((q, (-q).ln_1p()), FixedProbability::new(l));
            let draws: Vec<(u32, u32)> = (0..200_000)
                .map(|_| exits(&mut rng, n, death, &leave))
                .collect();
            let n64 = u64::from(n);
            let deaths: Vec<u64> = draws.iter().map(|d| u64::from(d.0)).collect();
            assert_fits(
                &format!("deaths {n} {q} {l}"),
                binomial_pmf(n64, q),
                &deaths,
            );
            let leavers: Vec<u64> = draws.iter().map(|d| u64::from(d.1)).collect();
            let leave = (1.0 - q) * l;
            assert_fits(
                &format!("leavers {n} {q} {l}"),
                binomial_pmf(n64, leave),
                &leavers,
            );
            // Given the modal number of deaths, leavers ~ Binomial(n − deaths, l).
            let mode = ((f64::from(n) + 1.0) * q).floor() as u32;
            let given: Vec<u64> = draws
                .iter()
                .filter(|d| d.0 == mode)
                .map(|d| u64::from(d.1))
                .collect();
            let pmf = binomial_pmf(u64::from(n - mode), l);
            assert_fits(&format!("leavers given {mode} deaths"), pmf, &given);
        }
        let (none, all) = ((0.0, 0.0), (1.0, f64::NEG_INFINITY));
        let nobody_leaves = FixedProbability::new(0.0);
        assert_eq!(exits(&mut rng, 10, none, &nobody_leaves), (0, 0));
        assert_eq!(
            exits(&mut rng, 10, all, &FixedProbability::new(0.3)),
            (10, 0)
        );
    }

    /// Rates under which nobody dies, leaves or gains anything, for a test to change.
    fn nothing_happens() -> TransitionRates {
        let mut rates = TransitionRates::empty();
        rates.set_death_everywhere(0.0);
        rates.onset = vec![0.0; CELLS];
        rates.condition_onset = vec![0.0; BASE_CELLS];
        rates
    }

    /// One year's step of `cur` in a closed place, counting `covered` as the cohort.
    fn step_closed(
        cur: &Population,
        covered: &dyn Fn(usize) -> bool,
        rates: &TransitionRates,
    ) -> (StepCounts, Population) {
        let covered: Vec<bool> = (0..CELLS).map(covered).collect();
        let arrivals = ArrivalProfiles::new(vec![0.0; CELLS], vec![0.0; CELLS], false);
        let mut next = Population::zeros();
        let counts = step(
            cur,
            &mut next,
            &covered,
            rates,
            &arrivals,
            &StepStreams::new(1, 0),
            0,
            None,
            &mut NoDraws,
            &mut Vec::new(),
        );
        (counts, next)
    }

    /// Condition exits are counted for everyone and, apart, for the people covered (as
    /// onsets are): with an exit rate of 1 and nobody dying, leaving or gaining anything, every
    /// person with the condition loses it, and the covered count is the covered cells' people.
    #[test]
    fn condition_exits_are_counted_for_the_people_covered_too() {
        let mut counts = vec![0u32; CELLS];
        let (covered_cell, other_cell) =
            (BASE_CELLS + 40 * AGE_STRIDE, BASE_CELLS + 70 * AGE_STRIDE);
        counts[covered_cell] = 30;
        counts[other_cell] = 50;
        counts[40 * AGE_STRIDE] = 20;
        let cur = Population::from_counts(counts);
        let mut rates = nothing_happens();
        rates.condition_exit = 1.0;
        let (c, next) = step_closed(&cur, &|c| age_of(c) < 60, &rates);
        assert_eq!((c.condition_exits, c.covered_condition_exits), (80, 30));
        assert_eq!((c.condition_onsets, c.covered_condition_onsets), (0, 0));
        assert_eq!(next.as_slice()[next_cell(40 * AGE_STRIDE)], 50);
    }

    /// Gains of the condition count as covered when the person is covered before or after:
    /// a cohort of people with the condition counts those joining it, one of people without it
    /// those leaving it, and an age band those crossing its edge either way.
    #[test]
    fn condition_onsets_are_covered_before_or_after_the_change() {
        let (young, edge, old) = (40 * AGE_STRIDE, 64 * AGE_STRIDE, 80 * AGE_STRIDE);
        let mut counts = vec![0u32; CELLS];
        counts[young] = 10;
        counts[edge] = 20;
        counts[old] = 40;
        let cur = Population::from_counts(counts);
        let mut rates = nothing_happens();
        rates.condition_onset = vec![1.0; BASE_CELLS];
        let onsets = |covered: &dyn Fn(usize) -> bool| {
            let (c, _) = step_closed(&cur, covered, &rates);
            assert_eq!(c.condition_onsets, 70);
            c.covered_condition_onsets
        };
        let with_condition = |c: usize| c >= BASE_CELLS;
        assert_eq!(onsets(&with_condition), 70, "all join");
        assert_eq!(onsets(&|c| c < BASE_CELLS), 70, "all leave");
        assert_eq!(onsets(&|c| with_condition(c) && age_of(c) >= 65), 60);
        assert_eq!(onsets(&|c| age_of(c) < 65), 30, "counted where they start");
        assert_eq!(onsets(&|_| false), 0);
    }

    /// People gaining an LTC and the condition in one year are covered by where they land (the
    /// next LTC count, with the condition), and people losing the condition by a cohort of
    /// people without it that they join.
    #[test]
    fn condition_changes_with_an_ltc_onset_or_an_exit_count_where_they_land() {
        let (ltc1, ltc1_with) = (50 * AGE_STRIDE + 1, BASE_CELLS + 50 * AGE_STRIDE + 1);
        let mut counts = vec![0u32; CELLS];
        counts[ltc1] = 30;
        counts[ltc1_with] = 8;
        let cur = Population::from_counts(counts);
        let mut rates = nothing_happens();
        rates.condition_exit = 1.0;
        // Everyone without the condition gains it and a second LTC: 30 land at two LTCs with
        // the condition; everyone with it loses it.
        rates.onset[ltc1] = 1.0;
        rates.condition_onset[ltc1] = 1.0;
        let run = |covered: &dyn Fn(CellKey) -> bool| {
            let (c, next) = step_closed(&cur, &|c| covered(CellKey::from_index(c)), &rates);
            assert_eq!(
                next.as_slice()[with_condition_switched(next_cell(ltc1) + 1)],
                30
            );
            (c.covered_condition_onsets, c.covered_condition_exits)
        };
        // A cohort of people with the condition and 2+ LTCs: the 30 join it; the 8 losing the
        // condition were never in it.
        assert_eq!(run(&|k| k.condition == 1 && k.ltc >= 2), (30, 0));
        // With the condition and at most one LTC: the 30 land outside it, the 8 leave it.
        assert_eq!(run(&|k| k.condition == 1 && k.ltc <= 1), (0, 8));
        // Without the condition: the 30 leave it, the 8 join it.
        assert_eq!(run(&|k| k.condition == 0), (30, 8));
    }

    /// Movers placed one by one land in each cell in proportion to its share, never in a cell
    /// without one: with a Poisson total, that is a Poisson count per cell (Poisson splitting).
    #[test]
    fn movers_placed_one_by_one_follow_the_profile() {
        let mut migrants = vec![0.0; CELLS];
        let shares = [(5_000, 0.2), (5_001, 0.3), (9_000, 0.5)];
        for &(cell, share) in &shares {
            migrants[cell] = share;
        }
        let profiles = ArrivalProfiles::new(vec![0.0; CELLS], migrants, true);
        let mut rng = UnitRng::seed_from_u64(3);
        let draws = 100_000;
        let mut counts = vec![0u32; CELLS];
        for _ in 0..draws {
            counts[profiles.migrant_cell(rng.random())] += 1;
        }
        let mut chi_square = 0.0;
        for &(cell, share) in &shares {
            let expected = share * draws as f64;
            chi_square += (f64::from(counts[cell]) - expected).powi(2) / expected;
        }
        assert_eq!(
            shares.iter().map(|&(c, _)| counts[c]).sum::<u32>(),
            draws,
            "only cells with a share"
        );
        // 2 degrees of freedom: 27.6 is the 1 − 1e-6 quantile.
        assert!(chi_square < 27.6, "{chi_square}");
        assert_eq!(profiles.migrant_cell(0.999_999_999_999), 9_000);
        assert_eq!(profiles.migrant_cell(0.0), 5_000);
    }

    /// A world given the status quo's movers expects as many and places them alike, though
    /// its own head count would call for other numbers: here its own movers would fall on the
    /// other side of the one-by-one threshold. Left to choose, each world follows its own.
    #[test]
    fn worlds_given_the_status_quos_movers_draw_them_alike() {
        let migrants: Vec<f64> = (0..CELLS)
            .map(|c| {
                if c % LTCS == 0 && age_of(c) > 0 {
                    1.0
                } else {
                    0.0
                }
            })
            .collect();
        let total: f64 = migrants.iter().sum();
        let profiles = ArrivalProfiles::new(
            vec![0.0; CELLS],
            migrants.iter().map(|m| m / total).collect(),
            true,
        );
        let mut cur = Population::zeros();
        let home = AGE_STRIDE * 50 + 1;
        cur.as_slice_mut()[home] = 100_000;
        let covered = vec![true; CELLS];
        let streams = StepStreams::new(7, 0);
        // Nobody dies, leaves or gains a condition: arrivals are the growth alone.
        let arrivals_with = |growth_rate: f64, status_quo: Option<Movers>| {
            let mut rates = nothing_happens();
            rates.growth_rate = growth_rate;
            let mut next = Population::zeros();
            let counts = step(
                &cur,
                &mut next,
                &covered,
                &rates,
                &profiles,
                &streams,
                0,
                status_quo,
                &mut NoDraws,
                &mut Vec::new(),
            );
            (counts, next)
        };
        let (more, fewer) = (0.041, 0.039);
        let (status_quo, next_status_quo) = arrivals_with(more, None);
        let (own_fewer, _) = arrivals_with(fewer, None);
        assert!(!status_quo.movers.one_by_one && own_fewer.movers.one_by_one);
        assert!((status_quo.movers.expected - 4_100.0).abs() < 1e-6);
        let (world, next_world) = arrivals_with(fewer, Some(status_quo.movers));
        assert_eq!(world.movers, status_quo.movers);
        assert_eq!(world.migrants, status_quo.migrants);
        assert_eq!(next_world.as_slice(), next_status_quo.as_slice());
    }

    /// The guide table finds exactly the cell a binary search of the running sums finds, for
    /// uniforms anywhere, at the guide's own thresholds and at the running sums themselves.
    #[test]
    fn movers_guide_table_finds_the_binary_searchs_cell() {
        let mut rng = UnitRng::seed_from_u64(11);
        let migrants: Vec<f64> = (0..CELLS)
            .map(|c| match c % 7 {
                0 | 3 => 0.0,
                _ => rng.random::<f64>().powi(4),
            })
            .collect();
        let profiles = ArrivalProfiles::new(vec![0.0; CELLS], migrants, true);
        let total = profiles.migrant_total();
        let searched = |u: f64| {
            let i = profiles
                .migrant_cumulative
                .partition_point(|&c| c <= u * total);
            i.min(profiles.last_migrant_cell)
        };
        let len = profiles.migrant_guide.len() as f64;
        let uniforms = (0..200_000)
            .map(|_| rng.random::<f64>())
            .chain((0..profiles.migrant_guide.len()).map(|j| j as f64 / len))
            .chain(profiles.migrant_cumulative.iter().map(|&c| c / total))
            .filter(|&u| u < 1.0);
        for u in uniforms {
            assert_eq!(profiles.migrant_cell(u), searched(u), "u = {u}");
        }
    }
}
