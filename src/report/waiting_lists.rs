//! Each elective waiting list year by year across the simulated futures: `waiting_list.csv`,
//! its chart and the report's tables, all from the world table's per-replication list columns
//! (so `capsim report` rebuilds them with everything else).

use polars::prelude::*;

use super::charts::LinePanel;
use super::{f64s, strs};
use crate::run_folder::tables::{Spread, SpreadWeights};
use crate::scenario::Scenario;
use crate::waiting_list::ListYear;

/// The stem of the waiting-list chart (drawn when some activity type has a list).
pub const CHART: &str = "waiting_lists";

/// The measures the chart and the report's tables show, with a reader's words for each: where
/// the list stands at each year's end.
pub const SHOWN: [(&str, &str); 3] = [
    ("waiting_list", "all waiting"),
    ("52_week_waiters", "waiting 52+ weeks"),
    ("median_wait_weeks", "median wait"),
];

/// The activity types with a waiting list, in the world table's order.
pub fn lists(world: &DataFrame, scenario: &Scenario) -> Vec<String> {
    world
        .get_column_names()
        .iter()
        .filter_map(|c| c.as_str().strip_suffix("_waiting_list"))
        .filter(|name| {
            scenario
                .activity
                .types
                .get(*name)
                .is_some_and(|t| t.waiting_list.is_some())
        })
        .map(str::to_string)
        .collect()
}

/// The waiting-list table: for every world, list (the activity type holding it) and measure
/// (referrals, treated, removed, waiting_list, median_wait_weeks, 52_week_waiters), its value at
/// each year's end across replications: mean, 5th and 95th percentiles, each with its Monte
/// Carlo error. People are rounded to whole pathways, weeks to a hundredth, errors to one
/// place more. `None` when no type has a list.
pub fn table(world: &DataFrame, scenario: &Scenario) -> anyhow::Result<Option<DataFrame>> {
    let lists = lists(world, scenario);
    if lists.is_empty() {
        return Ok(None);
    }
    let (world_of, year_of) = (strs(world, "world")?, f64s(world, "year")?);
    // Worlds in the order the table has them (each replication's rows in world order).
    let mut worlds: Vec<&str> = Vec::new();
    for w in &world_of {
        if !worlds.contains(&w.as_str()) {
            worlds.push(w);
        }
    }
    // Each world's rows of each year, in row (replication) order: looked up once, not per
    // measure.
    let years = scenario.years as usize;
    let mut rows_of = vec![vec![Vec::new(); years]; worlds.len()];
    for (i, (w, y)) in world_of.iter().zip(&year_of).enumerate() {
        let world = worlds.iter().position(|x| x == w);
        if let (Some(world), true) = (world, (1.0..=years as f64).contains(y)) {
            rows_of[world][*y as usize - 1].push(i);
        }
    }
    let mut columns = (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut spreads = Vec::new();
    let mut weights = SpreadWeights::default();
    for (k, &w) in worlds.iter().enumerate() {
        for list in &lists {
            for (measure, _) in ListYear::MEASURES {
                let values = f64s(world, &format!("{list}_{measure}"))?;
                // Weeks to a hundredth (the mean's error can be a couple of hundredths: a
                // tenth's rounding was larger than it), people to the whole pathway.
                let per_unit = if measure == "median_wait_weeks" {
                    100.0
                } else {
                    1.0
                };
                let round = |x: f64, per: f64| (x * per).round() / per;
                for y in 1..=scenario.years {
                    let mut of_year: Vec<f64> = rows_of[k][y as usize - 1]
                        .iter()
                        .map(|&i| values[i])
                        .collect();
                    spreads.push(Spread::of(&mut of_year, &mut weights).map(|s| Spread {
                        mean: round(s.mean, per_unit),
                        mean_se: round(s.mean_se, 10.0 * per_unit),
                        p5: round(s.p5, per_unit),
                        p5_se: round(s.p5_se, 10.0 * per_unit),
                        p95: round(s.p95, per_unit),
                        p95_se: round(s.p95_se, 10.0 * per_unit),
                    }));
                    columns.0.push(w.to_string());
                    columns.1.push(list.clone());
                    columns.2.push(measure);
                    columns.3.push(y);
                    columns.4.push(scenario.start_year + y as i32 - 1);
                }
            }
        }
    }
    let mut out = vec![
        Column::new("world".into(), columns.0),
        Column::new("list".into(), columns.1),
        Column::new("measure".into(), columns.2),
        Column::new("year".into(), columns.3),
        Column::new("calendar_year".into(), columns.4),
    ];
    out.extend(Spread::columns(&spreads));
    Ok(Some(DataFrame::new(spreads.len(), out)?))
}

/// One row of the waiting-list table: a measure of one list in one world and year.
#[derive(Debug, Clone, PartialEq)]
pub struct ListFigure {
    pub world: String,
    pub list: String,
    pub measure: String,
    pub calendar_year: i32,
    pub mean: f64,
    pub mean_se: f64,
    pub p5: f64,
    pub p95: f64,
}

/// The waiting-list table's rows, in its order.
pub fn figures(table: &DataFrame) -> anyhow::Result<Vec<ListFigure>> {
    let (world, list, measure) = (
        strs(table, "world")?,
        strs(table, "list")?,
        strs(table, "measure")?,
    );
    let year = f64s(table, "calendar_year")?;
    let (mean, mean_se, p5, p95) = (
        f64s(table, "mean")?,
        f64s(table, "mean_se")?,
        f64s(table, "p5")?,
        f64s(table, "p95")?,
    );
    Ok((0..table.height())
        .map(|i| ListFigure {
            world: world[i].clone(),
            list: list[i].clone(),
            measure: measure[i].clone(),
            calendar_year: year[i] as i32,
            mean: mean[i],
            mean_se: mean_se[i],
            p5: p5[i],
            p95: p95[i],
        })
        .collect())
}

/// The chart's panels: for each list, one per measure [`SHOWN`], a line per world through its
/// mean at each year's end with a whisker from the 5th to the 95th percentile.
pub fn panels(figures: &[ListFigure], scenario: &Scenario) -> Vec<LinePanel> {
    let mut lists: Vec<&str> = Vec::new();
    let mut worlds: Vec<&str> = Vec::new();
    for f in figures {
        if !lists.contains(&f.list.as_str()) {
            lists.push(&f.list);
        }
        if !worlds.contains(&f.world.as_str()) {
            worlds.push(&f.world);
        }
    }
    let mut panels = Vec::new();
    for list in &lists {
        for (measure, words) in SHOWN {
            let of = |world: &str| -> Vec<&ListFigure> {
                figures
                    .iter()
                    .filter(|f| f.list == *list && f.measure == measure && f.world == world)
                    .collect()
            };
            panels.push(LinePanel {
                // The chart's title says these are waiting lists: each panel names whose.
                title: format!(
                    "{}{}: {words}",
                    crate::scenario::contracts::capitalised(
                        &crate::scenario::contracts::plain_name(list)
                    ),
                    delivered_by(list, scenario)
                ),
                y_label: if measure == "median_wait_weeks" {
                    "weeks (mean, 5th-95th percentile)".into()
                } else {
                    "pathways (mean, 5th-95th percentile)".into()
                },
                series: worlds
                    .iter()
                    .map(|w| {
                        let points = of(w)
                            .iter()
                            .map(|f| (f64::from(f.calendar_year), f.mean))
                            .collect();
                        (w.to_string(), points)
                    })
                    .collect(),
                spread: worlds
                    .iter()
                    .map(|w| of(w).iter().map(|f| (f.p5, f.p95)).collect())
                    .collect(),
            });
        }
    }
    panels
}

/// A reader's name for the list an activity type holds: "Waiting list for planned admissions",
/// and whose it is when several providers share the place ("… at other-trusts": a list that is
/// one trust's is not the system's).
pub fn list_name(list: &str, scenario: &Scenario) -> String {
    format!(
        "Waiting list for {}{}",
        crate::scenario::contracts::plain_name(list),
        delivered_by(list, scenario)
    )
}

/// " at provider" for an activity type one of several providers delivers; empty otherwise.
pub fn delivered_by(activity_type: &str, scenario: &Scenario) -> String {
    let providers = scenario.providers();
    let delivering: Vec<&str> = providers
        .iter()
        .filter(|p| p.activity.iter().any(|a| a == activity_type))
        .map(|p| p.name.as_str())
        .collect();
    if providers.len() > 1 && !delivering.is_empty() {
        format!(" at {}", delivering.join(", "))
    } else {
        String::new()
    }
}

#[cfg(test)]
mod tests {
    use super::list_name;
    use crate::scenario::load::load_scenario_str;

    /// A list that is one of several providers' says whose it is; with one provider, the
    /// place's list needs no owner.
    #[test]
    fn a_list_is_named_with_its_provider_when_several_share_the_place() {
        let one = "base = \"default\"\n";
        let two = "base = \"default\"\n[[provider]]\nname = \"acute\"\nactivity = [\"outpatient\", \
                   \"ae\", \"elective\", \"non_elective\", \"nel_bed_days\", \"ambulance\"]\n\
                   [[provider]]\nname = \"community\"\nactivity = [\"gp\", \"community\", \
                   \"mental_health\", \"prescribing\"]\n";
        let scenario = |text: &str| {
            load_scenario_str("s.toml", text, std::path::Path::new("."))
                .unwrap()
                .scenario
        };
        assert_eq!(
            list_name("elective", &scenario(one)),
            "Waiting list for planned admissions"
        );
        assert_eq!(
            list_name("elective", &scenario(two)),
            "Waiting list for planned admissions at acute"
        );
    }
}
