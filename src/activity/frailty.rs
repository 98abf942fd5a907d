//! Each cell's frailty sum, and the part of it people carry into the next year.
//!
//! A person's frailty f multiplies all their activity. Its margin every year is Gamma(k, 1/k)
//! (mean 1, variance 1/k), and from one year to the next it follows a gamma AR(1):
//! f' = B·f + G with B ~ Beta(kρ, k(1−ρ)) and G ~ Gamma(k(1−ρ), 1/k), so that
//! corr(f_t, f_{t+l}) = ρ^l (`activity.frailty_persistence`). ρ = 0 draws every year afresh.
//!
//! Summed over a cell it costs a few draws per cell, never per person, by gamma splitting.
//! Think of each person's f as a + b with a ~ Gamma(kρ) the part they keep and
//! b ~ Gamma(k(1−ρ)) the part that fades. Given the cell's sum S of n frailties, the sums
//! of the kept parts of any subsets of its people, and the rest, are S times a Dirichlet draw
//! with shapes k·ρ·(people in each subset) and k·(everything else). So after the year's step:
//! - the people who stayed in their LTC count carry S·X₁/ΣX to the cell a year older, those with
//!   a new condition S·X₂/ΣX to the cell after it, with X₁ ~ Gamma(k·ρ·stay),
//!   X₂ ~ Gamma(k·ρ·onsets) and X₃ ~ Gamma(k·n − k·ρ·(stay + onsets)) (deaths, leavers and the
//!   part that fades);
//! - next year a cell's sum is what was carried into it plus one fresh
//!   Gamma(k·(n − ρ·m), 1/k) for its n people of whom m were carried: the fading part of the
//!   stayers and the whole frailty of people born or moving in.
//!
//! What this keeps exactly: every cell's sum has its Gamma(k·n, 1/k) margin every year, and the
//! means and covariances of cell sums across years are the per-person process's (the shares
//! are independent of the sums, so every covariance is linear in them). What it does not: the
//! split treats the frailties of a cell's people as exchangeable given their sum, which holds
//! in the first year but not once a cell mixes people carried in (whose frailty the past has
//! shaped) with people new to it, so beyond second moments (how often the very same people stay
//! at the top) the cell sums approximate it. tests/integration/concentration.rs calibrates ρ
//! person by person and checks the engine's covariance.
//!
//! This assumes who dies, leaves or gains a condition does not depend on frailty within a cell
//! (the cell's age and LTC count carry that risk). People outside the cells counted (a cohort)
//! have no drawn frailty; when they enter it they bring a fresh draw, which is exact for
//! everything observed because nothing of theirs was observed before.

use crate::activity::GroupMeans;
use crate::population::{CELLS, with_condition_switched};
use crate::rng::UnitRng;
use crate::sampling::{JOHNK_UP_TO, dirichlet_small, gamma};
use crate::transitions::{CellDraws, Flow, next_cell};

/// Frailty carried from one year into the next, per cell, through the years of one world of
/// one replication. A cell's sum is drawn in the year's step ([`FrailtySums::year_sum`]), just
/// before its exits and onsets, from the cell's frailty stream, and split just after them
/// ([`FrailtySums::carry_cell`]): nothing but what is carried outlives the cell's turn.
#[derive(Debug, Clone, Default)]
pub struct FrailtySums {
    /// The kept part that people counted last year bring into each cell this year, and how
    /// many of them there are.
    carried: Vec<f64>,
    carried_people: Vec<u32>,
    /// The same for next year, filled during this year's step.
    carrying: Vec<f64>,
    carrying_people: Vec<u32>,
}

impl FrailtySums {
    /// Forgets every earlier year: the first year draws every sum afresh.
    pub fn restart(&mut self) {
        for v in [&mut self.carried, &mut self.carrying] {
            v.clear();
            v.resize(CELLS, 0.0);
        }
        for v in [&mut self.carried_people, &mut self.carrying_people] {
            v.clear();
            v.resize(CELLS, 0);
        }
    }

    /// This year's sum for the `n` people of cell `c`, a cell counted: what was carried in,
    /// plus a fresh gamma for everything else.
    #[inline]
    pub fn year_sum(&self, c: usize, n: u32, k: f64, rho: f64, rng: &mut UnitRng) -> f64 {
        let carried_people = f64::from(self.carried_people[c]);
        let shape = (f64::from(n) - rho * carried_people) * k;
        self.carried[c] + gamma(rng, shape, 1.0 / k)
    }

    /// Ends the year: what this year's step carried becomes next year's carried-in.
    pub fn end_year(&mut self) {
        std::mem::swap(&mut self.carried, &mut self.carrying);
        std::mem::swap(&mut self.carried_people, &mut self.carrying_people);
        self.carrying.fill(0.0);
        self.carrying_people.fill(0);
    }

    /// Splits cell `i`'s sum `s` (its `n` people went where `flow` says in the year's step) and
    /// keeps the part each group carries into next year, drawing from `rng`, the cell's stream.
    /// Nothing is carried, or drawn, when ρ = 0. A sum of 0 (a gamma of a tiny shape, far below
    /// the smallest float) carries 0, without a draw; its people are still carried, so next
    /// year's fresh draw is only their fading part, as for any other sum (drawing them a whole
    /// fresh frailty instead would raise the mean year after year).
    #[allow(clippy::too_many_arguments)]
    #[inline]
    pub fn carry_cell(
        &mut self,
        i: usize,
        n: u32,
        s: f64,
        flow: Flow,
        mask: &[bool],
        k: f64,
        rho: f64,
        rng: &mut UnitRng,
    ) {
        if rho <= 0.0 || n == 0 {
            return;
        }
        let Flow {
            stay,
            onsets,
            switched,
            switched_onsets,
        } = flow;
        let j = next_cell(i);
        if s <= 0.0 {
            for (dest, people) in [
                (j, stay),
                (j + 1, onsets),
                (with_condition_switched(j), switched),
                (with_condition_switched(j + 1), switched_onsets),
            ] {
                self.carry(dest, people, 0.0, mask);
            }
            return;
        }
        let total = f64::from(n) * k;
        if switched == 0 && switched_onsets == 0 {
            // Nobody's condition changed (always so without one): a three-way split.
            let kept = [f64::from(stay) * k * rho, f64::from(onsets) * k * rho];
            if kept == [0.0; 2] {
                // Everyone died or left: nothing to carry, and nothing drawn.
                return;
            }
            let [to_stay, to_onset, _] =
                dirichlet_shares(rng, [kept[0], kept[1], total - kept[0] - kept[1]]);
            self.carry(j, stay, s * to_stay, mask);
            self.carry(j + 1, onsets, s * to_onset, mask);
            return;
        }
        let kept = [stay, onsets, switched, switched_onsets].map(|p| f64::from(p) * k * rho);
        let rest = total - kept[0] - kept[1] - kept[2] - kept[3];
        let share = dirichlet_shares(rng, [kept[0], kept[1], kept[2], kept[3], rest]);
        for (dest, people, share) in [
            (j, stay, share[0]),
            (j + 1, onsets, share[1]),
            (with_condition_switched(j), switched, share[2]),
            (with_condition_switched(j + 1), switched_onsets, share[3]),
        ] {
            self.carry(dest, people, s * share, mask);
        }
    }

    /// `people` carry `frailty` into cell `dest` next year, if it is counted.
    #[inline]
    fn carry(&mut self, dest: usize, people: u32, frailty: f64, mask: &[bool]) {
        if people > 0 && mask[dest] {
            self.carrying[dest] += frailty;
            self.carrying_people[dest] += people;
        }
    }
}

/// A year's frailty in the cohort step: each counted cell's sum, drawn before its exits and
/// onsets, added to its reporting group's expected events, and split after them.
pub struct FrailtyDraws<'a> {
    frailty: &'a mut FrailtySums,
    means: &'a mut GroupMeans,
    /// Activity rates per cell and type.
    lam: &'a [f64],
    /// The cells counted.
    mask: &'a [bool],
    /// Frailty shape and persistence.
    k: f64,
    rho: f64,
    /// Whether anything is carried into a next year (not in a world's last).
    carry: bool,
    /// The sum of the cell being stepped.
    sum: f64,
}

impl<'a> FrailtyDraws<'a> {
    pub fn new(
        frailty: &'a mut FrailtySums,
        means: &'a mut GroupMeans,
        lam: &'a [f64],
        mask: &'a [bool],
        k: f64,
        rho: f64,
    ) -> Self {
        FrailtyDraws {
            frailty,
            means,
            lam,
            mask,
            k,
            rho,
            carry: true,
            sum: 0.0,
        }
    }

    /// For a world's last year: nothing outlives it, so no sum is split (the split's draws
    /// come last in each cell's stream, so every other draw is unchanged).
    pub fn last_year(self) -> Self {
        FrailtyDraws {
            carry: false,
            ..self
        }
    }
}

impl CellDraws for FrailtyDraws<'_> {
    #[inline]
    fn before(&mut self, i: usize, n: u32, rng: &mut UnitRng) {
        if self.mask[i] {
            self.sum = self.frailty.year_sum(i, n, self.k, self.rho, rng);
            self.means.add_cell(i, self.sum, self.lam);
        }
    }

    #[inline]
    fn after(&mut self, i: usize, n: u32, flow: Flow, rng: &mut UnitRng) {
        if self.carry && self.mask[i] {
            let (mask, k, rho) = (self.mask, self.k, self.rho);
            self.frailty
                .carry_cell(i, n, self.sum, flow, mask, k, rho, rng);
        }
    }
}

/// A Dirichlet draw with these shapes (the last, what is not carried, may round below 0 and
/// counts as 0): by Jöhnk's method when the shapes sum to 1.2 or less (k·n ≤ 1.2: a cell of a
/// person or two at the default k), by normalised gammas otherwise. Shapes of zero give zero and
/// draw nothing; when every gamma underflows the shares are the expected ones.
#[inline]
fn dirichlet_shares<const N: usize>(rng: &mut UnitRng, mut shapes: [f64; N]) -> [f64; N] {
    shapes[N - 1] = shapes[N - 1].max(0.0);
    let total: f64 = shapes.iter().sum();
    if total <= JOHNK_UP_TO {
        return dirichlet_small(rng, shapes);
    }
    let x = shapes.map(|shape| gamma(rng, shape, 1.0));
    let sum: f64 = x.iter().sum();
    if sum > 0.0 && sum.is_finite() {
        x.map(|x| x / sum)
    } else {
        shapes.map(|s| s / total)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngExt, SeedableRng};

    /// A sum of 0 carries its people with nothing: next year their cell draws a fresh gamma
    /// for their fading part alone.
    #[test]
    fn a_sum_too_small_for_a_float_still_carries_its_people() {
        let mask = vec![true; CELLS];
        let mut sums = FrailtySums::default();
        sums.restart();
        let flow = Flow {
            stay: 3,
            onsets: 1,
            switched: 0,
            switched_onsets: 0,
        };
        let mut rng = UnitRng::seed_from_u64(1);
        let before = rng.clone().random::<u64>();
        sums.carry_cell(0, 5, 0.0, flow, &mask, 0.001, 0.7, &mut rng);
        assert_eq!(rng.random::<u64>(), before, "nothing drawn");
        sums.end_year();
        let j = next_cell(0);
        assert_eq!((sums.carried_people[j], sums.carried_people[j + 1]), (3, 1));
        assert_eq!((sums.carried[j], sums.carried[j + 1]), (0.0, 0.0));
    }

    /// The three-way split draws what the five-way one draws with two zero shapes: the same
    /// shares from the same numbers, leaving the stream in the same place, whether by Jöhnk's
    /// method (small shapes) or by gammas, with and without a boosted small shape.
    #[test]
    fn the_three_way_split_is_the_five_way_with_no_condition_changes() {
        for shapes in [
            [0.42, 0.0, 0.18],
            [0.42, 0.42, 0.18],
            [58.8, 2.1, 29.1],
            [58.8, 0.42, 29.1],
            [4_000.0, 0.0, 1_800.0],
        ] {
            for seed in 0..200 {
                let (mut three, mut five) =
                    (UnitRng::seed_from_u64(seed), UnitRng::seed_from_u64(seed));
                let a = dirichlet_shares(&mut three, shapes);
                let b = dirichlet_shares(&mut five, [shapes[0], shapes[1], 0.0, 0.0, shapes[2]]);
                assert_eq!((a[0], a[1]), (b[0], b[1]), "{shapes:?} seed {seed}");
                assert_eq!((b[2], b[3]), (0.0, 0.0));
                assert_eq!(three.random::<u64>(), five.random::<u64>());
            }
        }
    }
}
