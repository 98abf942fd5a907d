//! Population cells: the strata every later stage works on.
//!
//! A cell is condition (without, with the scenario's condition) × age (0-100, 100 meaning 100 or
//! older) × sex × IMD quintile × rurality × LTC count (0-5, 5 meaning 5 or more) and holds a head
//! count. Work everywhere grows with the number of occupied cells, never with head count: a
//! scenario without a condition leaves the condition half empty, and it costs nothing. Populations are synthesised from England's published
//! structure ([`synthesis`]) or loaded from a CSV of head counts ([`crate::scenario::counts`]).

pub mod condition;
pub mod multimorbidity;
pub mod synthesis;

use crate::scenario::counts::HeadCount;
use crate::scenario::{Cohort, Rurality, Sex, Strata};

pub const AGES: usize = 101;
pub const SEXES: usize = 2;
pub const IMDS: usize = 5;
pub const RURALITIES: usize = 2;
pub const LTCS: usize = 6;
/// Without and with the scenario's condition (`[condition]`).
pub const CONDITIONS: usize = 2;
/// Cells of one condition state: the condition is the slowest axis, so the cells of people
/// without it are numbered as they were before conditions existed.
pub const BASE_CELLS: usize = AGES * SEXES * IMDS * RURALITIES * LTCS;
/// Number of cells.
pub const CELLS: usize = CONDITIONS * BASE_CELLS;
/// Cells between one age and the next.
pub const AGE_STRIDE: usize = SEXES * IMDS * RURALITIES * LTCS;
/// Reporting groups of one condition state: IMD quintile × rurality × LTC count.
pub const BASE_GROUPS: usize = IMDS * RURALITIES * LTCS;
/// Reporting groups: condition × IMD quintile × rurality × LTC count. Activity is counted and
/// costed per group.
pub const GROUPS: usize = CONDITIONS * BASE_GROUPS;

/// Coordinates of one cell. `imd` is 0-based here (0 = quintile 1, most deprived);
/// `sex` 0 = F, 1 = M; `rural` 0 = urban, 1 = rural; `condition` 1 = has the condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CellKey {
    pub condition: usize,
    pub age: usize,
    pub sex: usize,
    pub imd: usize,
    pub rural: usize,
    pub ltc: usize,
}

impl CellKey {
    /// Flat index: row-major over (condition, age, sex, IMD, rurality, LTC count).
    pub fn index(self) -> usize {
        self.condition * BASE_CELLS
            + (((self.age * SEXES + self.sex) * IMDS + self.imd) * RURALITIES + self.rural) * LTCS
            + self.ltc
    }

    pub fn from_index(i: usize) -> Self {
        let condition = i / BASE_CELLS;
        let i = i % BASE_CELLS;
        let ltc = i % LTCS;
        let rural = (i / LTCS) % RURALITIES;
        let imd = (i / (LTCS * RURALITIES)) % IMDS;
        let sex = (i / (LTCS * RURALITIES * IMDS)) % SEXES;
        let age = i / AGE_STRIDE;
        CellKey {
            condition,
            age,
            sex,
            imd,
            rural,
            ltc,
        }
    }

    /// Reporting group (condition × IMD × rurality × LTC) of this cell.
    pub fn group(self) -> usize {
        self.condition * BASE_GROUPS + (self.imd * RURALITIES + self.rural) * LTCS + self.ltc
    }
}

/// Reporting group of a flat cell index: the condition and the last three axes.
#[inline]
pub fn group_of(cell: usize) -> usize {
    (cell / BASE_CELLS) * BASE_GROUPS + cell % BASE_GROUPS
}

/// Age of a flat cell index.
#[inline]
pub fn age_of(cell: usize) -> usize {
    (cell % BASE_CELLS) / AGE_STRIDE
}

/// The same cell with the condition state switched.
#[inline]
pub fn with_condition_switched(cell: usize) -> usize {
    if cell < BASE_CELLS {
        cell + BASE_CELLS
    } else {
        cell - BASE_CELLS
    }
}

/// Decodes a reporting group into (imd 0-based, rural, ltc); the condition is
/// [`group_condition`].
pub fn group_key(g: usize) -> (usize, usize, usize) {
    let g = g % BASE_GROUPS;
    (g / (RURALITIES * LTCS), (g / LTCS) % RURALITIES, g % LTCS)
}

/// Whether a reporting group is of people with the condition.
pub fn group_condition(g: usize) -> bool {
    g >= BASE_GROUPS
}

/// The key of cell `cell`'s random streams: its index, and for cells of people with the
/// condition an index far above every other unit a stage numbers (cells, groups × types), so
/// a scenario without a condition draws exactly what it drew before conditions existed.
#[inline]
pub fn stream_unit(cell: usize) -> usize {
    if cell < BASE_CELLS {
        cell
    } else {
        (1 << 36) + cell
    }
}

/// Head counts per cell, in flat cell order ([`CellKey::index`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Population {
    counts: Vec<u32>,
}

impl Population {
    pub fn zeros() -> Self {
        Population {
            counts: vec![0; CELLS],
        }
    }

    pub fn total(&self) -> u64 {
        self.counts.iter().map(|&c| u64::from(c)).sum()
    }

    /// The cells a pass over the population needs to walk: the first `BASE_CELLS` when nobody
    /// has the scenario's condition (always, without one), else all of them.
    pub fn cells_in_use(&self) -> usize {
        // An OR over every count (vectorised, no early exit) rather than `all`, which checks
        // one count at a time: the half is empty in every run without a condition.
        if self.counts[BASE_CELLS..].iter().fold(0, |any, &n| any | n) == 0 {
            BASE_CELLS
        } else {
            CELLS
        }
    }

    /// Writes into `out` the cells that hold people, in order ([`Population::occupied_in`]).
    pub fn occupied(&self, out: &mut Vec<usize>) {
        self.list_cells_where(out, |_| true);
    }

    /// Writes into `out` the cells `mask` admits that hold people, in order.
    pub fn occupied_in(&self, mask: &[bool], out: &mut Vec<usize>) {
        self.list_cells_where(out, |c| mask[c]);
    }

    /// Writes into `out` the cells with people that `keep` admits, without a branch on each
    /// cell (a sparse population's pattern of occupied cells would keep mispredicting it):
    /// every cell is written at the end of the list, which grows only past an admitted one.
    #[inline]
    fn list_cells_where(&self, out: &mut Vec<usize>, keep: impl Fn(usize) -> bool) {
        let counts = &self.counts[..self.cells_in_use()];
        out.resize(counts.len() + 1, 0);
        let mut len = 0;
        for (c, &n) in counts.iter().enumerate() {
            out[len] = c;
            len += usize::from(n > 0 && keep(c));
        }
        out.truncate(len);
    }

    /// People in the cells `mask` admits.
    pub fn total_in(&self, mask: &[bool]) -> u64 {
        self.total_in_cells(mask, 0..CELLS)
    }

    /// People in the cells of `cells` that `mask` admits.
    pub fn total_in_cells(&self, mask: &[bool], cells: std::ops::Range<usize>) -> u64 {
        self.as_slice()[cells.clone()]
            .iter()
            .zip(&mask[cells])
            .filter(|(_, keep)| **keep)
            .map(|(&n, _)| u64::from(n))
            .sum()
    }

    pub fn occupied_cells(&self) -> usize {
        self.counts.iter().filter(|&&c| c > 0).count()
    }

    /// A population from head counts in flat cell order.
    pub fn from_counts(counts: Vec<u32>) -> Self {
        assert_eq!(counts.len(), CELLS, "one count per cell");
        Population { counts }
    }

    /// The population of a head-count CSV's rows.
    pub fn from_head_counts(rows: &[HeadCount]) -> Self {
        let mut pop = Population::zeros();
        for r in rows {
            let cell = CellKey {
                condition: r.condition,
                age: r.age,
                sex: r.sex,
                imd: r.imd,
                rural: r.rural,
                ltc: r.ltc,
            };
            pop.counts[cell.index()] = r.count;
        }
        pop
    }

    /// Counts in flat cell order.
    pub fn as_slice(&self) -> &[u32] {
        &self.counts
    }

    pub fn as_slice_mut(&mut self) -> &mut [u32] {
        &mut self.counts
    }

    /// Makes this population a copy of `other`, reusing the buffer.
    pub fn copy_from(&mut self, other: &Population) {
        self.counts.copy_from_slice(&other.counts);
    }

    /// Zeroes every cell outside the mask.
    pub fn retain(&mut self, mask: &[bool]) {
        for (c, keep) in self.as_slice_mut().iter_mut().zip(mask) {
            if !keep {
                *c = 0;
            }
        }
    }
}

/// Which cells a cohort filter admits (all cells when there is no filter).
pub fn cohort_mask(cohort: Option<&Cohort>) -> Vec<bool> {
    match cohort {
        Some(c) => strata_mask(&c.strata()),
        None => vec![true; CELLS],
    }
}

/// Whether each cell lies in `strata` and is `covered` (an intervention's eligible cells: its
/// target among the cohort).
pub fn strata_mask_within(strata: &Strata, covered: &[bool]) -> Vec<bool> {
    strata_mask(strata)
        .into_iter()
        .zip(covered)
        .map(|(t, &c)| t && c)
        .collect()
}

/// Whether each reporting group holds people in `strata` (a filter on the groups' own axes:
/// condition, IMD quintile, rurality and LTC count).
pub fn strata_group_mask(strata: &Strata) -> Vec<bool> {
    let mut groups = vec![false; GROUPS];
    for (c, inside) in strata_mask(strata).into_iter().enumerate() {
        groups[group_of(c)] |= inside;
    }
    groups
}

/// Whether each cell lies in `strata`.
pub fn strata_mask(strata: &Strata) -> Vec<bool> {
    (0..CELLS)
        .map(|i| in_strata(strata, CellKey::from_index(i)))
        .collect()
}

fn in_strata(c: &Strata, k: CellKey) -> bool {
    let condition_ok = c.condition.is_none_or(|has| has == (k.condition == 1));
    let age_ok = k.age >= usize::from(c.age_min.unwrap_or(0))
        && k.age <= usize::from(c.age_max.unwrap_or(100));
    let ltc_ok = k.ltc >= usize::from(c.ltc_min.unwrap_or(0))
        && k.ltc <= usize::from(c.ltc_max.unwrap_or(5));
    let sex = if k.sex == 0 { Sex::F } else { Sex::M };
    let rur = if k.rural == 0 {
        Rurality::Urban
    } else {
        Rurality::Rural
    };
    age_ok
        && ltc_ok
        && condition_ok
        && c.sex.as_ref().is_none_or(|v| v.contains(&sex))
        && c.imd
            .as_ref()
            .is_none_or(|v| v.contains(&((k.imd + 1) as u8)))
        && c.rurality.as_ref().is_none_or(|v| v.contains(&rur))
}

/// Rounds expected head counts to whole people that sum to the rounded total, keeping the mix:
/// cumulative (systematic) rounding in cell order, count_i = round(S_i) − round(S_{i−1}) with
/// S_i the running sum of expected counts. Any run of consecutive cells (an age band: age is the
/// slowest axis) gets its expected number within one person, and a cell expected to hold 0.3
/// people is kept with chance 0.3 along the order, not dropped as largest-remainder rounding
/// drops every rare cell (which made a place of 5,000 people half as old as England).
pub fn round_preserving_total(expected: &[f64]) -> Vec<u32> {
    let mut running = 0.0_f64;
    let mut placed = 0.0_f64;
    expected
        .iter()
        .map(|&x| {
            running += x;
            let upto = running.round();
            let n = (upto - placed).max(0.0);
            placed += n;
            n as u32
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The occupied cells (those a mask admits), in order, whether the condition's half is in
    /// use or not, with the list reused from a longer one.
    #[test]
    fn occupied_lists_the_admitted_cells_with_people() {
        let mut pop = Population::zeros();
        let mut mask = vec![true; CELLS];
        for (c, n) in [(0, 3), (1, 0), (5, 1), (700, 2), (BASE_CELLS - 1, 9)] {
            pop.as_slice_mut()[c] = n;
        }
        mask[700] = false;
        let mut out = vec![42; CELLS + 7];
        pop.occupied_in(&mask, &mut out);
        assert_eq!(out, [0, 5, BASE_CELLS - 1]);
        pop.occupied(&mut out);
        assert_eq!(out, [0, 5, 700, BASE_CELLS - 1]);
        pop.as_slice_mut()[BASE_CELLS + 3] = 1;
        pop.occupied_in(&mask, &mut out);
        assert_eq!(out, [0, 5, BASE_CELLS - 1, BASE_CELLS + 3]);
        pop.as_slice_mut()[CELLS - 1] = 4;
        pop.occupied_in(&mask, &mut out);
        assert_eq!(out.last(), Some(&(CELLS - 1)));
    }

    #[test]
    fn cell_index_round_trips_in_row_major_order() {
        for i in [0, 1, 59, 60, 12119, 7777, 12120, 24239, 20000] {
            let k = CellKey::from_index(i);
            assert_eq!(k.index(), i);
            assert_eq!(group_of(i), k.group());
            let next = CellKey {
                ltc: k.ltc + 1,
                ..k
            };
            if k.ltc + 1 < LTCS {
                assert_eq!(next.index(), i + 1, "LTC count is the fastest axis");
            }
            assert_eq!(group_key(k.group()), (k.imd, k.rural, k.ltc));
            assert_eq!(group_condition(k.group()), k.condition == 1);
            assert_eq!(age_of(i), k.age);
            let switched = CellKey::from_index(with_condition_switched(i));
            assert_eq!((switched.condition, switched.age), (1 - k.condition, k.age));
        }
    }

    #[test]
    fn rounding_keeps_the_total_and_every_run_of_cells() {
        let x = [0.4, 0.4, 0.4, 1.9, 2.2];
        let r = round_preserving_total(&x);
        assert_eq!(r.iter().sum::<u32>(), 5);
        // Running sums 0.4, 0.8, 1.2, 3.1, 5.3 round to 0, 1, 1, 3, 5.
        assert_eq!(r, vec![0, 1, 0, 2, 2]);
        // Many rare cells: each run of consecutive cells within one person of its expectation.
        let rare: Vec<f64> = (0..1000)
            .map(|i| 0.05 + 0.3 * ((i * 37) % 11) as f64 / 10.0)
            .collect();
        let r = round_preserving_total(&rare);
        for (start, len) in [(0, 100), (137, 250), (500, 500)] {
            let want: f64 = rare[start..start + len].iter().sum();
            let got: u32 = r[start..start + len].iter().sum();
            assert!((f64::from(got) - want).abs() <= 1.0, "{got} vs {want}");
        }
    }
}
