//! Who gains: an arm's contract in the world of its interventions against the same contract in
//! the status quo, party by party, over the whole term of one replication and year by year.
//!
//! A party's gain is the change in its surplus: income − cost for a provider (programme costs it
//! pays included), minus the change in spend for the commissioner (a saving is a gain). The
//! system's gain is the care cost avoided less the programmes' cost. Money moves between the
//! parties but is neither made nor lost, so the parties' gains add up to the system's.

use polars::prelude::*;

use super::{LedgerLayout, LedgerRow, term_totals};

/// One party's (or the system's) gain in one arm and replication.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Gain {
    pub arm: usize,
    /// The contract year it is the gain of, from 1; 0 for the whole term.
    #[serde(default)]
    pub year: u32,
    /// `None` for the whole system.
    pub party: Option<usize>,
    /// Change in income (for the system: none).
    pub income_change: f64,
    /// Change in cost: for the commissioner its spend, for a provider its care, subcontract and
    /// programme costs, for the system the cost of care and of the programmes.
    pub cost_change: f64,
    /// Programme cost this party paid in the arm's world (for the system: all of it).
    pub programme_cost: f64,
    /// Change in surplus: for the commissioner, spend saved; for the system, the net saving.
    pub gain: f64,
}

/// Gains of arm `arm` in contract year `year` (0: the whole term) from its ledger rows in its
/// own world and in the status quo (every year of one replication), the change in the world's
/// care cost, and the programmes' cost, that year or over the term.
pub fn gains(
    (arm, year): (usize, u32),
    in_world: &[LedgerRow],
    status_quo: &[LedgerRow],
    care_cost_change: f64,
    programme_cost: f64,
) -> Vec<Gain> {
    let of_arm = |rows: &[LedgerRow]| -> Vec<LedgerRow> {
        let rows: Vec<LedgerRow> = rows
            .iter()
            .filter(|r| r.arm == arm && (year == 0 || r.year == year))
            .cloned()
            .collect();
        term_totals(&rows)
    };
    let (with, without) = (of_arm(in_world), of_arm(status_quo));
    let mut out: Vec<Gain> = with
        .iter()
        .map(|w| {
            let sq = without
                .iter()
                .find(|s| s.party == w.party)
                .expect("every party has a row in both worlds");
            let income_change = w.income - sq.income;
            let cost_change = w.cost - sq.cost;
            Gain {
                arm,
                year,
                party: Some(w.party),
                income_change,
                cost_change,
                programme_cost: w.programme,
                gain: income_change - cost_change,
            }
        })
        .collect();
    // The system's cost, like each party's, includes the programme: gain = income − cost holds
    // on every row (the system's income, money between its parties, never changes).
    let cost_change = care_cost_change + programme_cost;
    out.push(Gain {
        arm,
        year,
        party: None,
        income_change: 0.0,
        cost_change,
        programme_cost,
        gain: -cost_change,
    });
    out
}

/// One row per replication, arm and party (and the system): the who-gains table.
pub fn gains_frame(layout: &LedgerLayout, reps: &[(u64, &[Gain])]) -> PolarsResult<DataFrame> {
    let rows: Vec<(u64, &Gain)> = reps
        .iter()
        .flat_map(|(r, g)| g.iter().map(move |g| (*r, g)))
        .collect();
    let f = |get: &dyn Fn(&Gain) -> f64| -> Vec<f64> { rows.iter().map(|(_, g)| get(g)).collect() };
    DataFrame::new(
        rows.len(),
        vec![
            Column::new(
                "rep".into(),
                rows.iter().map(|(r, _)| *r as u32).collect::<Vec<u32>>(),
            ),
            Column::new(
                "arm".into(),
                rows.iter()
                    .map(|(_, g)| layout.arms[g.arm].as_str())
                    .collect::<Vec<&str>>(),
            ),
            Column::new(
                "party".into(),
                rows.iter()
                    .map(|(_, g)| g.party.map_or("system", |p| layout.parties[p].as_str()))
                    .collect::<Vec<&str>>(),
            ),
            Column::new(
                "role".into(),
                rows.iter()
                    .map(|(_, g)| g.party.map_or("system", |p| layout.roles[g.arm][p].name()))
                    .collect::<Vec<&str>>(),
            ),
            Column::new("income_change".into(), f(&|g| g.income_change)),
            Column::new("cost_change".into(), f(&|g| g.cost_change)),
            Column::new("programme_cost".into(), f(&|g| g.programme_cost)),
            Column::new("gain".into(), f(&|g| g.gain)),
        ],
    )
}

/// One row per replication, arm, party (and the system) and contract year: who gains, year by
/// year. `start_year` is the first contract year's calendar year.
pub fn gains_by_year_frame(
    layout: &LedgerLayout,
    reps: &[(u64, &[Gain])],
    start_year: i32,
) -> PolarsResult<DataFrame> {
    let mut frame = gains_frame(layout, reps)?;
    let years: Vec<u32> = reps
        .iter()
        .flat_map(|(_, g)| g.iter().map(|g| g.year))
        .collect();
    let calendar: Vec<i32> = years.iter().map(|&y| start_year + y as i32 - 1).collect();
    frame.insert_column(1, Column::new("year".into(), years))?;
    frame.insert_column(2, Column::new("calendar_year".into(), calendar))?;
    Ok(frame)
}
