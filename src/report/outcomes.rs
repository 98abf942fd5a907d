//! What happened to the people covered, world by world: every indicator per year (and, for
//! those that count events, over the term) across replications, and what an intervention world
//! changed against the status quo in the same replications (outcomes.csv, from
//! outcomes.parquet). The health side of who gains: the money is in who_gains.csv.

use std::collections::BTreeMap;

use polars::prelude::*;

use crate::engine::STATUS_QUO;
use crate::run_folder::tables::{Spread, SpreadWeights};
use crate::scenario::Scenario;
use crate::scenario::indicator::MeasureSpec;

/// outcomes.csv's file name.
pub const OUTCOMES_CSV: &str = "outcomes.csv";

/// The horizon of figures over the whole term.
pub const TERM: &str = "term";

/// One indicator's values in one world, per horizon (each year, then the term for an
/// indicator that counts events) and replication; a replication is absent where the
/// indicator has no value.
type Horizons = Vec<(String, BTreeMap<u32, f64>)>;

/// The outcomes table from the per-replication table `per_rep` (outcomes.parquet): per world
/// (the status quo first), indicator and horizon, the spread across replications where the
/// indicator has a value, the share where it has none, and for an intervention world the
/// spread of its change against the status quo, replication by replication.
pub fn outcomes(per_rep: &DataFrame, scenario: &Scenario) -> PolarsResult<DataFrame> {
    let rows = RowIndex::of(per_rep)?;
    let reps = rows.replications() as f64;
    let mut weights = SpreadWeights::default();
    let (mut world, mut indicator, mut horizon) = (Vec::new(), Vec::new(), Vec::new());
    let mut unit = Vec::new();
    let (mut counted, mut no_value) = (Vec::new(), Vec::new());
    let (mut spreads, mut changes) = (Vec::new(), Vec::new());
    for (measure, name) in scenario.named_indicators() {
        let values = per_rep.column(&name)?.f64()?;
        let by_world: Vec<Horizons> = rows
            .worlds
            .iter()
            .map(|w| rows.horizons(w, values, scenario, measure.is_flow()))
            .collect();
        let status_quo = rows.worlds.iter().position(|w| w == STATUS_QUO);
        for (w, horizons) in by_world.iter().enumerate() {
            for (h, (label, values)) in horizons.iter().enumerate() {
                let mut all: Vec<f64> = values.values().copied().collect();
                counted.push(all.len() as u32);
                no_value.push(1.0 - all.len() as f64 / reps.max(1.0));
                spreads.push(Spread::of(&mut all, &mut weights));
                let change = status_quo.filter(|&sq| sq != w).map(|sq| {
                    let base = &by_world[sq][h].1;
                    let mut change: Vec<f64> = values
                        .iter()
                        .filter_map(|(rep, v)| base.get(rep).map(|b| v - b))
                        .collect();
                    Spread::of(&mut change, &mut weights)
                });
                changes.push(change.flatten());
                world.push(rows.worlds[w].clone());
                indicator.push(name.clone());
                unit.push(measure.unit());
                horizon.push(label.clone());
            }
        }
    }
    let mut columns = vec![
        Column::new("world".into(), world),
        Column::new("indicator".into(), indicator),
        Column::new("unit".into(), unit),
        Column::new("horizon".into(), horizon),
        Column::new("replications".into(), counted),
    ];
    columns.extend(Spread::columns(&spreads));
    columns.push(Column::new("p_no_value".into(), no_value));
    columns.extend(Spread::columns_named(&changes, "change_"));
    DataFrame::new(spreads.len(), columns)
}

/// Where each world's years sit in the per-replication table.
struct RowIndex {
    /// Worlds in the order the table first lists them (the status quo first).
    worlds: Vec<String>,
    /// Per world and year, each replication's row.
    rows: BTreeMap<(String, u32), BTreeMap<u32, usize>>,
}

impl RowIndex {
    fn of(per_rep: &DataFrame) -> PolarsResult<RowIndex> {
        // Unsigned in a run's own tables, signed as read back from Parquet.
        let rep = per_rep.column("rep")?.cast(&DataType::UInt32)?;
        let rep = rep.u32()?;
        let world = per_rep.column("world")?.str()?;
        let year = per_rep.column("year")?.cast(&DataType::UInt32)?;
        let year = year.u32()?;
        let mut index = RowIndex {
            worlds: Vec::new(),
            rows: BTreeMap::new(),
        };
        for i in 0..per_rep.height() {
            let (Some(r), Some(w), Some(y)) = (rep.get(i), world.get(i), year.get(i)) else {
                continue;
            };
            if !index.worlds.iter().any(|known| known == w) {
                index.worlds.push(w.to_string());
            }
            index
                .rows
                .entry((w.to_string(), y))
                .or_default()
                .insert(r, i);
        }
        Ok(index)
    }

    /// How many replications the table holds.
    fn replications(&self) -> usize {
        self.rows.values().map(|reps| reps.len()).max().unwrap_or(0)
    }

    /// One indicator's values in `world`, per calendar year and, when it counts events
    /// (`flow`), over the term: the sum of its years, in replications that have them all.
    fn horizons(
        &self,
        world: &str,
        values: &Float64Chunked,
        scenario: &Scenario,
        flow: bool,
    ) -> Horizons {
        let mut horizons: Horizons = (1..=scenario.years)
            .map(|y| {
                let reps = self.rows.get(&(world.to_string(), y));
                let values: BTreeMap<u32, f64> = reps
                    .into_iter()
                    .flatten()
                    .filter_map(|(&rep, &row)| values.get(row).map(|v| (rep, v)))
                    .collect();
                let calendar_year = scenario.start_year + y as i32 - 1;
                (calendar_year.to_string(), values)
            })
            .collect();
        if flow {
            let mut term: BTreeMap<u32, f64> = horizons[0].1.clone();
            for (_, year) in &horizons[1..] {
                term.retain(|rep, _| year.contains_key(rep));
                for (rep, sum) in term.iter_mut() {
                    *sum += year[rep];
                }
            }
            horizons.push((TERM.to_string(), term));
        }
        horizons
    }
}

/// What an intervention world changed in one indicator against the status quo in the same
/// replications, as outcomes.csv gives it: over the whole term for what counts events, in the
/// last year for a level (a waiting list, the share with two or more conditions).
#[derive(Debug, Clone, PartialEq)]
pub struct ProgrammeChange {
    pub world: String,
    pub indicator: String,
    /// `term`, or the calendar year of a level.
    pub horizon: String,
    /// The status quo's mean then.
    pub status_quo: f64,
    pub mean: f64,
    pub mean_se: f64,
    pub p5: f64,
    pub p95: f64,
    /// Whether the indicator is a share (0 to 1) rather than a count: the share with two or
    /// more conditions, or a measure bounded by 1.
    pub share: bool,
}

impl ProgrammeChange {
    /// Whether the world changed nothing in any replication.
    pub fn none(&self) -> bool {
        [self.mean, self.p5, self.p95].iter().all(|&x| x == 0.0)
    }
}

/// Levels a programme can move that the term's sums leave out, the scenario's `measures`
/// among them: shown in their last year.
fn is_level(indicator: &str, measures: &[MeasureSpec]) -> bool {
    ["_waiting_list", "_median_wait_weeks", "_52_week_waiters"]
        .iter()
        .any(|suffix| indicator.ends_with(suffix))
        || ["multimorbidity_share", "condition_count"].contains(&indicator)
        || measures.iter().any(|m| m.name == indicator)
}

/// Whether an indicator is a share: the share with two or more conditions, or a measure whose
/// values are at most 1.
fn is_share(indicator: &str, measures: &[MeasureSpec]) -> bool {
    indicator == "multimorbidity_share"
        || measures
            .iter()
            .any(|m| m.name == indicator && m.max.is_some_and(|max| max <= 1.0))
}

/// Every intervention world's changes, in outcomes.csv's order (world, then indicator): the
/// term's for indicators that count events, the last year's for levels ([`is_level`]), of a
/// scenario with `measures`; none for an indicator that is 0 in both worlds.
pub fn programme_changes(
    outcomes: &DataFrame,
    measures: &[MeasureSpec],
) -> PolarsResult<Vec<ProgrammeChange>> {
    use super::{f64s, strs};
    let (world, indicator, horizon) = (
        strs(outcomes, "world")?,
        strs(outcomes, "indicator")?,
        strs(outcomes, "horizon")?,
    );
    let [mean, change, change_se, p5, p95] = [
        "mean",
        "change_mean",
        "change_mean_se",
        "change_p5",
        "change_p95",
    ]
    .map(|name| f64s(outcomes, name));
    let (mean, change, change_se, p5, p95) = (mean?, change?, change_se?, p5?, p95?);
    let last_year = horizon.iter().filter(|h| *h != TERM).max().cloned();
    let shown = |i: usize| {
        horizon[i] == TERM
            || (Some(&horizon[i]) == last_year.as_ref() && is_level(&indicator[i], measures))
    };
    let status_quo_mean = |name: &str, when: &str| {
        (0..world.len())
            .find(|&i| world[i] == STATUS_QUO && indicator[i] == name && horizon[i] == when)
            .map_or(f64::NAN, |i| mean[i])
    };
    // Nothing to show where nothing happens in either world (a cohort's care it never uses).
    let nothing = |i: usize| {
        status_quo_mean(&indicator[i], &horizon[i]) == 0.0
            && [change[i], p5[i], p95[i]].iter().all(|&x| x == 0.0)
    };
    Ok((0..world.len())
        .filter(|&i| world[i] != STATUS_QUO && shown(i) && !nothing(i))
        .map(|i| ProgrammeChange {
            world: world[i].clone(),
            indicator: indicator[i].clone(),
            horizon: horizon[i].clone(),
            status_quo: status_quo_mean(&indicator[i], &horizon[i]),
            mean: change[i],
            mean_se: change_se[i],
            p5: p5[i],
            p95: p95[i],
            share: is_share(&indicator[i], measures),
        })
        .collect())
}
