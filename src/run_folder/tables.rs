//! The run folder's own tables (the world and its outcomes per replication and year, the
//! starting population)
//! and the Parquet and CSV writers every table goes through.

use std::fs;
use std::path::Path;

use anyhow::Context;
use polars::prelude::*;

use crate::engine::{Model, ReplicationResult, YearRecord, occupied};
use crate::population::Population;
use crate::waiting_list::ListYear;

/// The world table: one row per replication and year.
pub fn world_frame(model: &Model, results: &[ReplicationResult]) -> PolarsResult<DataFrame> {
    let rows = year_rows(results);
    let n = rows.len();
    let u = |f: &dyn Fn(&crate::transitions::StepCounts) -> u64| -> Vec<u64> {
        rows.iter().map(|(_, y)| f(&y.demography)).collect()
    };
    let mut cols = year_keys(model, &rows);
    cols.extend([
        Column::new("head_count".into(), u(&|d| d.start)),
        Column::new(
            "covered_head_count".into(),
            rows.iter().map(|(_, y)| y.covered).collect::<Vec<u64>>(),
        ),
        Column::new("deaths".into(), u(&|d| d.deaths)),
        Column::new("leavers".into(), u(&|d| d.leavers)),
        Column::new("births".into(), u(&|d| d.births)),
        Column::new("migrants_in".into(), u(&|d| d.migrants)),
        Column::new("onsets".into(), u(&|d| d.onsets)),
        Column::new("end_head_count".into(), u(&|d| d.end)),
        Column::new(
            "bad_winter".into(),
            rows.iter()
                .map(|(_, y)| y.shock.bad_winter)
                .collect::<Vec<bool>>(),
        ),
        Column::new(
            "demand_index".into(),
            rows.iter()
                .map(|(_, y)| y.shock.demand)
                .collect::<Vec<f64>>(),
        ),
        Column::new(
            "cost_index".into(),
            rows.iter()
                .map(|(_, y)| y.shock.cost_index)
                .collect::<Vec<f64>>(),
        ),
        Column::new(
            "price_index".into(),
            rows.iter()
                .map(|(_, y)| y.shock.price_index)
                .collect::<Vec<f64>>(),
        ),
    ]);
    for (t, name) in model.type_names.iter().enumerate() {
        cols.push(Column::new(
            format!("{name}_count").into(),
            rows.iter().map(|(_, y)| y.count[t]).collect::<Vec<f64>>(),
        ));
        cols.push(Column::new(
            format!("{name}_cost").into(),
            rows.iter().map(|(_, y)| y.cost[t]).collect::<Vec<f64>>(),
        ));
        cols.push(Column::new(
            format!("{name}_value").into(),
            rows.iter().map(|(_, y)| y.value[t]).collect::<Vec<f64>>(),
        ));
    }
    // The condition's people, when the scenario has one.
    if model.scenario.condition.is_some() {
        cols.push(Column::new(
            "condition_head_count".into(),
            rows.iter()
                .map(|(_, y)| y.covered_with_condition)
                .collect::<Vec<u64>>(),
        ));
        cols.push(Column::new(
            "condition_onsets".into(),
            u(&|d| d.covered_condition_onsets),
        ));
        cols.push(Column::new(
            "condition_exits".into(),
            u(&|d| d.covered_condition_exits),
        ));
    }
    // Each waiting list's year, for the types that have one.
    for (t, name) in model.type_names.iter().enumerate() {
        if model.scenario.activity.types[name].waiting_list.is_none() {
            continue;
        }
        for (suffix, value) in ListYear::MEASURES {
            let values: Vec<f64> = rows.iter().map(|(_, y)| value(&y.lists[t])).collect();
            cols.push(Column::new(format!("{name}_{suffix}").into(), values));
        }
    }
    cols.push(Column::new(
        "enrolled".into(),
        rows.iter().map(|(_, y)| y.enrolled).collect::<Vec<f64>>(),
    ));
    cols.push(Column::new(
        "programme_cost".into(),
        rows.iter()
            .map(|(_, y)| y.programme_cost)
            .collect::<Vec<f64>>(),
    ));
    // Summed in type order, row by row: deterministic.
    cols.push(Column::new(
        "total_cost".into(),
        rows.iter()
            .map(|(_, y)| y.cost.iter().sum::<f64>())
            .collect::<Vec<f64>>(),
    ));
    cols.push(Column::new(
        "total_value".into(),
        rows.iter()
            .map(|(_, y)| y.value.iter().sum::<f64>())
            .collect::<Vec<f64>>(),
    ));
    DataFrame::new(n, cols)
}

/// Every year of every world of every replication, with its replication, in the order the
/// world and outcomes tables list them.
fn year_rows(results: &[ReplicationResult]) -> Vec<(u64, &YearRecord)> {
    results
        .iter()
        .flat_map(|r| r.years.iter().map(move |y| (r.replication, y)))
        .collect()
}

/// The columns that say which row is which: replication, world, year and calendar year.
fn year_keys(model: &Model, rows: &[(u64, &YearRecord)]) -> Vec<Column> {
    let start_year = model.scenario.start_year;
    let world_names = model.world_names();
    vec![
        Column::new(
            "rep".into(),
            rows.iter().map(|(r, _)| *r as u32).collect::<Vec<u32>>(),
        ),
        Column::new(
            "world".into(),
            rows.iter()
                .map(|(_, y)| world_names[y.world].as_str())
                .collect::<Vec<&str>>(),
        ),
        Column::new(
            "year".into(),
            rows.iter().map(|(_, y)| y.year).collect::<Vec<u32>>(),
        ),
        Column::new(
            "calendar_year".into(),
            rows.iter()
                .map(|(_, y)| start_year + y.year as i32 - 1)
                .collect::<Vec<i32>>(),
        ),
    ]
}

/// The outcomes table: one row per replication, world and year, and a column per indicator
/// the scenario reports ([`crate::scenario::Scenario::indicators`]), for the people covered:
/// what a contract judges, in every world, whether or not a contract names it. Empty where
/// the indicator has no value that year.
pub fn outcomes_frame(model: &Model, results: &[ReplicationResult]) -> PolarsResult<DataFrame> {
    use crate::contracts::indicators::has_value;
    let rows = year_rows(results);
    let mut cols = year_keys(model, &rows);
    for (indicator, name) in model.scenario.named_indicators() {
        let slot = indicator.slot();
        let values: Vec<Option<f64>> = rows
            .iter()
            .map(|(_, y)| Some(y.indicators[slot]).filter(|&v| has_value(v)))
            .collect();
        cols.push(Column::new(name.into(), values));
    }
    DataFrame::new(rows.len(), cols)
}

/// Per replication, the value drawn for each uncertain parameter, a column per parameter
/// path; `None` when every parameter is fixed.
pub fn parameters_frame(
    model: &Model,
    results: &[ReplicationResult],
) -> PolarsResult<Option<DataFrame>> {
    let draws: Vec<Vec<(String, f64)>> = results
        .iter()
        .map(|r| model.uncertain_draws(r.replication))
        .collect();
    let Some(first) = draws.first().filter(|d| !d.is_empty()) else {
        return Ok(None);
    };
    let mut columns = vec![Column::new(
        "rep".into(),
        results
            .iter()
            .map(|r| r.replication as u32)
            .collect::<Vec<u32>>(),
    )];
    for (k, (path, _)) in first.iter().enumerate() {
        columns.push(Column::new(
            path.as_str().into(),
            draws.iter().map(|d| d[k].1).collect::<Vec<f64>>(),
        ));
    }
    DataFrame::new(results.len(), columns).map(Some)
}

/// Writes `df` as Parquet; with `table`, its columns' units and descriptions from the data
/// dictionary go in the file's metadata.
pub fn write_parquet(df: &mut DataFrame, path: &Path, table: Option<&str>) -> anyhow::Result<()> {
    write_parquet_with_units(df, path, table, &[])
}

/// As [`write_parquet`], with the units of columns the dictionary describes only as a family
/// (each indicator's in outcomes.parquet) given in `units`.
pub fn write_parquet_with_units(
    df: &mut DataFrame,
    path: &Path,
    table: Option<&str>,
    units: &[(String, &str)],
) -> anyhow::Result<()> {
    let file = fs::File::create(path).with_context(|| format!("creating {}", path.display()))?;
    let df = &mut signed(df)?;
    let mut metadata = table
        .map(|t| {
            let names: Vec<&str> = df.get_column_names().iter().map(|n| n.as_str()).collect();
            super::dictionary::parquet_metadata(t, &names, units)
        })
        .unwrap_or_default();
    metadata.push(readable_arrow_schema(df));
    ParquetWriter::new(file)
        .with_key_value_metadata(Some(KeyValueMetadata::from_static(metadata)))
        .finish(df)
        .map_err(|e| anyhow::anyhow!("writing {}: {e}", path.display()))?;
    Ok(())
}

/// `df` with its unsigned whole-number columns (replications, years, head counts) as signed
/// 64-bit ones: pandas and R keep a column's type through arithmetic, and an unsigned one
/// wraps round below 0 without a word (deaths − births, with 2,873 more births than deaths,
/// read as 1.8e19).
fn signed(df: &DataFrame) -> PolarsResult<DataFrame> {
    let columns = df
        .columns()
        .iter()
        .map(|c| {
            if c.dtype().is_unsigned_integer() {
                c.cast(&DataType::Int64)
            } else {
                Ok(c.clone())
            }
        })
        .collect::<PolarsResult<Vec<Column>>>()?;
    DataFrame::new(df.height(), columns)
}

/// The Arrow schema a Parquet file's footer records for readers that rebuild Arrow types from
/// it (pyarrow, R arrow), in Arrow's oldest types: polars would record its newest, string
/// views, and a reader older than Arrow 15 (pyarrow 14, for one) then refuses the whole file
/// ("Unrecognized type: 24"). The data pages are the same either way: a string is a UTF-8
/// byte array in Parquet whatever Arrow type it is read into.
fn readable_arrow_schema(df: &DataFrame) -> (String, String) {
    let schema = df.schema().to_arrow(CompatLevel::oldest());
    let key = polars_parquet::write::schema_to_metadata_key(&schema);
    (key.key, key.value.unwrap_or_default())
}

/// Writes `df` as CSV for people to read: each float column rounded as the data dictionary
/// says for `table` ([`super::dictionary::csv_decimals`]).
pub fn write_rounded_csv(df: &DataFrame, table: &str, path: &Path) -> anyhow::Result<()> {
    write_csv(&mut rounded_for_reading(df, table)?, path)
}

/// `df` with each float column rounded as the data dictionary says for `table`
/// ([`super::dictionary::csv_decimals`]): what people read, in a CSV file or a workbook.
pub fn rounded_for_reading(df: &DataFrame, table: &str) -> PolarsResult<DataFrame> {
    rounded(df, |column| super::dictionary::csv_decimals(table, column))
}

/// Writes `df` as CSV for people to read, each float column named in `decimals` rounded to its
/// places and each `<name>_se` to `<name>`'s: for the tables of the studies (sweep, corridor,
/// risk-size, drivers), which the data dictionary does not describe.
pub fn write_csv_rounded_as(
    df: &DataFrame,
    decimals: &[(&str, i32)],
    path: &Path,
) -> anyhow::Result<()> {
    let places = |column: &str| {
        let figure = column.strip_suffix("_se").unwrap_or(column);
        decimals.iter().find(|(n, _)| *n == figure).map(|(_, d)| *d)
    };
    write_csv(&mut rounded(df, places)?, path)
}

/// `df` with each float column rounded to the places `decimals` gives it (none: as it is).
fn rounded(df: &DataFrame, decimals: impl Fn(&str) -> Option<i32>) -> PolarsResult<DataFrame> {
    let mut columns = Vec::with_capacity(df.width());
    for c in df.columns() {
        match decimals(c.name().as_str()) {
            Some(d) if c.dtype() == &DataType::Float64 => {
                let error = c.name().ends_with("_se");
                let rounded: Vec<Option<f64>> = c
                    .f64()?
                    .iter()
                    .map(|x| x.map(|x| round_for_reading(x, d, error)))
                    .collect();
                columns.push(Column::new(c.name().clone(), rounded));
            }
            _ => columns.push(c.clone()),
        }
    }
    DataFrame::new(df.height(), columns)
}

/// `x` to `decimals` places; a Monte Carlo `error` of a probability or share (four places or
/// more) that would read 0 keeps two significant figures instead: P(loss)'s error at 40,000
/// replications is about 0.00003, and it is never 0 unless the chance is. (An error in £ below
/// half a penny is nothing to a reader, and is often a rounding residue of an exact 0.) An
/// error below [`ERROR_RESIDUE`] is such a residue whatever its unit (a share the same in every
/// future has a standard deviation of 1e-17 as floats add it up) and reads 0.
fn round_for_reading(x: f64, decimals: i32, error: bool) -> f64 {
    if error && x.abs() < ERROR_RESIDUE {
        return 0.0;
    }
    let at = |places: i32| {
        let scale = 10f64.powi(places);
        // + 0.0 turns a −0 (a tiny negative rounded away) into 0.
        (x * scale).round() / scale + 0.0
    };
    let shown = at(decimals);
    if error && decimals >= 4 && shown == 0.0 && x != 0.0 && x.is_finite() {
        at(1 - x.abs().log10().floor() as i32)
    } else {
        shown
    }
}

/// Below this a Monte Carlo error is the rounding residue of a figure that does not vary: a
/// real one this small would take some 10^20 replications.
const ERROR_RESIDUE: f64 = 1e-12;

pub fn write_csv(df: &mut DataFrame, path: &Path) -> anyhow::Result<()> {
    let file = fs::File::create(path).with_context(|| format!("creating {}", path.display()))?;
    // Polars' error says what the system said, and gives it again as its source.
    CsvWriter::new(file)
        .finish(df)
        .map_err(|e| anyhow::anyhow!("writing {}: {e}", path.display()))?;
    Ok(())
}

/// Head counts per occupied cell as a long table.
pub fn population_frame(pop: &Population) -> PolarsResult<DataFrame> {
    let cells: Vec<_> = occupied(pop).collect();
    let n = cells.len();
    let mut df = DataFrame::new(
        n,
        vec![
            Column::new(
                "age".into(),
                cells
                    .iter()
                    .map(|(k, _)| k.age as u32)
                    .collect::<Vec<u32>>(),
            ),
            Column::new(
                "sex".into(),
                cells
                    .iter()
                    .map(|(k, _)| if k.sex == 0 { "F" } else { "M" })
                    .collect::<Vec<&str>>(),
            ),
            Column::new(
                "imd_quintile".into(),
                cells
                    .iter()
                    .map(|(k, _)| k.imd as u32 + 1)
                    .collect::<Vec<u32>>(),
            ),
            Column::new(
                "rurality".into(),
                cells
                    .iter()
                    .map(|(k, _)| if k.rural == 0 { "urban" } else { "rural" })
                    .collect::<Vec<&str>>(),
            ),
            Column::new(
                "ltc_count".into(),
                cells
                    .iter()
                    .map(|(k, _)| k.ltc as u32)
                    .collect::<Vec<u32>>(),
            ),
        ],
    )?;
    // The condition column only when someone has the condition: the file then reads back the
    // same, and a place without one exports what it always did.
    if cells.iter().any(|(k, _)| k.condition == 1) {
        df.with_column(Column::new(
            "condition".into(),
            cells
                .iter()
                .map(|(k, _)| k.condition as u32)
                .collect::<Vec<u32>>(),
        ))?;
    }
    df.with_column(Column::new(
        "count".into(),
        cells.iter().map(|(_, c)| *c).collect::<Vec<u32>>(),
    ))?;
    Ok(df)
}

/// The mean, 5th and 95th percentiles of a figure across replications, each with its Monte
/// Carlo standard error (as summary.csv's: sd / √n, and Maritz and Jarrett's).
pub(crate) struct Spread {
    pub mean: f64,
    pub mean_se: f64,
    pub p5: f64,
    pub p5_se: f64,
    pub p95: f64,
    pub p95_se: f64,
}

impl Spread {
    /// Of `values` (sorted in place; the mean summed in that order); `None` when empty. The
    /// percentiles' weights are kept in `weights` for the next figure of as many values.
    pub fn of(values: &mut [f64], weights: &mut SpreadWeights) -> Option<Spread> {
        use crate::report::console::quantile;
        use crate::report::mc_error::{mean_se, sorted_quantile_se};
        if values.is_empty() {
            return None;
        }
        values.sort_by(f64::total_cmp);
        let [low, high] = weights.of(values.len());
        let se = |q: f64, w: &Option<Vec<f64>>| sorted_quantile_se(values, q, w.as_deref());
        let (p5_se, p95_se) = (se(0.05, low), se(0.95, high));
        Some(Spread {
            mean: values.iter().sum::<f64>() / values.len() as f64,
            mean_se: mean_se(values),
            p5: quantile(values, 0.05),
            p5_se,
            p95: quantile(values, 0.95),
            p95_se,
        })
    }

    /// The six figures as table columns, in the order mean, mean_se, p5, p5_se, p95, p95_se.
    pub fn columns(spreads: &[Option<Spread>]) -> Vec<Column> {
        Spread::columns_named(spreads, "")
    }

    /// The same columns, each name after `prefix` (`change_mean`, …).
    pub fn columns_named(spreads: &[Option<Spread>], prefix: &str) -> Vec<Column> {
        let figure = |name: &str, f: fn(&Spread) -> f64| {
            let values: Vec<Option<f64>> = spreads
                .iter()
                .map(|s| s.as_ref().map(f).filter(|x| x.is_finite()))
                .collect();
            Column::new(format!("{prefix}{name}").into(), values)
        };
        vec![
            figure("mean", |s| s.mean),
            figure("mean_se", |s| s.mean_se),
            figure("p5", |s| s.p5),
            figure("p5_se", |s| s.p5_se),
            figure("p95", |s| s.p95),
            figure("p95_se", |s| s.p95_se),
        ]
    }
}

/// The Maritz-Jarrett weights of the 5th and 95th percentiles by count of values: they depend
/// on the count alone and take a few thousand incomplete beta functions to work out, so a table
/// of many figures over the same replications works them out once.
#[derive(Default)]
pub(crate) struct SpreadWeights(std::collections::HashMap<usize, [Option<Vec<f64>>; 2]>);

impl SpreadWeights {
    fn of(&mut self, n: usize) -> &[Option<Vec<f64>>; 2] {
        use crate::report::mc_error::maritz_jarrett_weights;
        self.0
            .entry(n)
            .or_insert_with(|| [0.05, 0.95].map(|q| maritz_jarrett_weights(q, n)))
    }
}

/// The contract basis (basis.csv): every indicator's expected value in the status quo, year by
/// year, on which contracts and targets set against expected values are set. The same in every
/// replication and world; None without contracts, which have no basis.
pub fn basis_frame(model: &Model) -> PolarsResult<Option<DataFrame>> {
    use crate::contracts::indicators::has_value;
    let Some(contracts) = &model.contracts else {
        return Ok(None);
    };
    let s = &model.scenario;
    let (mut indicator, mut unit, mut year, mut calendar_year) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut expected: Vec<Option<f64>> = Vec::new();
    for (ind, name) in s.named_indicators() {
        for y in 1..=s.years {
            let value = contracts.basis.expected_indicators_in(y - 1)[ind.slot()];
            indicator.push(name.clone());
            unit.push(ind.unit());
            year.push(y);
            calendar_year.push(s.start_year + y as i32 - 1);
            expected.push(has_value(value).then_some(value));
        }
    }
    let rows = expected.len();
    DataFrame::new(
        rows,
        vec![
            Column::new("indicator".into(), indicator),
            Column::new("unit".into(), unit),
            Column::new("year".into(), year),
            Column::new("calendar_year".into(), calendar_year),
            Column::new("expected".into(), expected),
        ],
    )
    .map(Some)
}

/// The monitoring table: for every indicator an arm monitors ([`crate::scenario::contracts::
/// MonitoredIndicator`]), its value in each contract year across replications (mean, 5th and
/// 95th percentiles) and, with a target, the share of replications meeting it, over the
/// replications where it has a value; and the share where it has none. `None` when no arm
/// monitors anything.
pub fn monitoring_frame(
    model: &Model,
    results: &[ReplicationResult],
) -> PolarsResult<Option<DataFrame>> {
    use crate::contracts::indicators::has_value;
    use crate::report::mc_error::proportion_se;
    use crate::scenario::contracts::{Better, resolve_target_opt};
    let Some(contracts) = &model.contracts else {
        return Ok(None);
    };
    let s = &model.scenario;
    let mut arm = Vec::new();
    let mut indicator = Vec::new();
    let mut better = Vec::new();
    let mut target: Vec<Option<f64>> = Vec::new();
    let mut year = Vec::new();
    let mut calendar_year = Vec::new();
    // Empty where no replication gives the indicator a value.
    let mut spreads = Vec::new();
    let mut weights = SpreadWeights::default();
    let mut met: Vec<Option<f64>> = Vec::new();
    let mut met_se: Vec<Option<f64>> = Vec::new();
    let mut no_value = Vec::new();
    for (a, spec) in s.arm.iter().enumerate() {
        let world = model.arm_world[a];
        for m in &spec.monitor {
            let ind = s.indicator_named(&m.indicator).expect("validated");
            let slot = ind.slot();
            for y in 1..=s.years {
                // A target against the expected value moves with it, as outcome targets do.
                let goal = resolve_target_opt(
                    m.target,
                    m.target_vs_expected,
                    contracts.basis.expected_indicators_in(y - 1)[slot],
                );
                // Replications where the indicator has no value that year (nobody covered
                // gained a second condition) are counted apart and left out of the rest.
                let value_in = |r: &ReplicationResult, y: u32| {
                    r.world(world)
                        .find(|rec| rec.year == y)
                        .map(|rec| rec.indicators[slot])
                };
                let all: Vec<f64> = results.iter().filter_map(|r| value_in(r, y)).collect();
                let mut values: Vec<f64> = all.iter().copied().filter(|&v| has_value(v)).collect();
                let goal = goal.filter(|&t| has_value(t));
                no_value.push((all.len() - values.len()) as f64 / all.len().max(1) as f64);
                let meets = |v: f64, t: f64| match m.better {
                    Better::Lower => v <= t,
                    Better::Higher => v >= t,
                };
                // Each replication's value and its target: the same for all, or (against the
                // year before) its own, judged where both have a value.
                let pairs: Vec<(f64, f64)> = results
                    .iter()
                    .filter_map(|r| {
                        let target = match m.target_vs_previous {
                            Some(multiple) if y > 1 => multiple * value_in(r, y - 1)?,
                            Some(multiple) => {
                                multiple * contracts.basis.expected_indicators_in(0)[slot]
                            }
                            None => goal?,
                        };
                        Some((value_in(r, y)?, target))
                    })
                    .filter(|&(v, t)| has_value(v) && has_value(t))
                    .collect();
                let share = (!pairs.is_empty()).then(|| {
                    pairs.iter().filter(|&&(v, t)| meets(v, t)).count() as f64 / pairs.len() as f64
                });
                met.push(share);
                met_se.push(share.map(|p| proportion_se(p, pairs.len())));
                spreads.push(Spread::of(&mut values, &mut weights));
                arm.push(spec.name.clone());
                indicator.push(m.indicator.clone());
                better.push(match m.better {
                    Better::Lower => "lower",
                    Better::Higher => "higher",
                });
                target.push(goal);
                year.push(y);
                calendar_year.push(s.start_year + y as i32 - 1);
            }
        }
    }
    if arm.is_empty() {
        return Ok(None);
    }
    let mut columns = vec![
        Column::new("arm".into(), arm),
        Column::new("indicator".into(), indicator),
        Column::new("better".into(), better),
        Column::new("target".into(), target),
        Column::new("year".into(), year),
        Column::new("calendar_year".into(), calendar_year),
    ];
    columns.extend(Spread::columns(&spreads));
    columns.extend([
        Column::new("p_target_met".into(), met),
        Column::new("p_target_met_se".into(), met_se),
        Column::new("p_no_value".into(), no_value),
    ]);
    DataFrame::new(spreads.len(), columns).map(Some)
}

#[cfg(test)]
mod tests {
    use super::round_for_reading;

    /// A figure rounds to its places; an error that would read 0 keeps two significant figures.
    #[test]
    fn an_error_is_never_rounded_to_zero() {
        assert_eq!(round_for_reading(0.123456, 4, false), 0.1235);
        assert_eq!(round_for_reading(0.0000312, 4, false), 0.0);
        assert_eq!(round_for_reading(0.0000312, 4, true), 0.000031);
        assert_eq!(round_for_reading(0.0123, 4, true), 0.0123);
        assert_eq!(round_for_reading(0.0, 4, true), 0.0);
        assert_eq!(round_for_reading(1.7e-8, 2, true), 0.0);
        // The standard error of a share the same in every future, as floats add it up.
        assert_eq!(round_for_reading(1.6e-17, 6, true), 0.0);
        assert_eq!(round_for_reading(4.7e-7, 6, true), 4.7e-7);
        assert_eq!(
            round_for_reading(-0.00001, 2, false).to_bits(),
            0.0f64.to_bits()
        );
    }
}
