//! The run folder: everything a run writes, and the only place that reads it back.
//!
//! A run folder holds the results (`world.parquet`, `outcomes.parquet`, `ledger.parquet`,
//! `ledger_term.parquet`, `equity.parquet`, `who_gains.parquet`), the fully resolved scenario (`scenario.toml`, plus `population_counts.csv`
//! when the scenario loaded one) and `run.json` (version, seed, replications, threads, elapsed
//! seconds, command): enough to reproduce the run, and to rebuild every table, chart and the
//! report, from the folder alone. `run.json` also marks the folder as capsim's: only such a
//! folder (or an empty one) is ever replaced by a later run ([`staging`]).

pub mod dictionary;
pub mod shard;
pub mod staging;
pub mod tables;

use std::path::{Path, PathBuf};

use anyhow::Context;
use polars::prelude::*;
use serde::{Deserialize, Serialize};

use crate::engine::{Model, ReplicationResult};
use crate::error::InputError;
use crate::ledger::gains::{Gain, gains_by_year_frame, gains_frame};
use crate::ledger::{self, EquityCell, RepRows};
use crate::scenario::{Scenario, load_scenario};

pub const WORLD: &str = "world.parquet";
/// Every indicator per replication, world and year.
pub const OUTCOMES: &str = "outcomes.parquet";
pub const LEDGER: &str = "ledger.parquet";
pub const LEDGER_TERM: &str = "ledger_term.parquet";
pub const EQUITY: &str = "equity.parquet";
pub const GAINS: &str = "who_gains.parquet";
/// Who gains per replication, arm, party and year.
pub const GAINS_BY_YEAR: &str = "who_gains_by_year.parquet";
/// Per replication, the value drawn for each uncertain parameter (written when there is one).
pub const PARAMETERS: &str = "parameters.parquet";
/// Indicators the arms monitor without paying on them (written only when one does).
pub const MONITORING: &str = "monitoring.csv";
/// The contract basis: every indicator's expected value, year by year ([`tables::basis_frame`]).
pub const BASIS: &str = "basis.csv";
/// Each waiting list's year ends across replications (only when a type has a list).
pub const WAITING_LIST: &str = "waiting_list.csv";
pub const SCENARIO: &str = "scenario.toml";
pub const COUNTS: &str = "population_counts.csv";
pub const RUN_INFO: &str = "run.json";

/// Provenance written beside every run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunInfo {
    pub capsim_version: String,
    /// The fingerprint of the source capsim was built from ([`crate::SOURCE`]).
    #[serde(default)]
    pub capsim_source: String,
    pub scenario: String,
    pub scenario_file: String,
    pub seed: u64,
    pub replications: u32,
    pub years: u32,
    pub threads: usize,
    pub elapsed_seconds: f64,
    pub command: String,
    /// For a point of a sweep, which point and its value of each swept field
    /// ("point 2 of 3: transitions.leaver_rate = 0.05").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sweep_point: Option<String>,
}

impl RunInfo {
    /// The capsim that wrote the run, as `capsim --version` prints it (the version alone for a
    /// run written before the source was recorded).
    pub fn capsim_build(&self) -> String {
        if self.capsim_source.is_empty() {
            self.capsim_version.clone()
        } else {
            format!("{} (source {})", self.capsim_version, self.capsim_source)
        }
    }
}

fn read_run_info(dir: &Path) -> Option<RunInfo> {
    let text = std::fs::read_to_string(dir.join(RUN_INFO)).ok()?;
    serde_json::from_str(&text).ok()
}

/// Writes `contents` to `path`, saying which file could not be written (a full disk's
/// "No space left on device" alone names none).
pub fn write_named(path: &Path, contents: impl AsRef<[u8]>) -> anyhow::Result<()> {
    std::fs::write(path, contents).with_context(|| format!("writing {}", path.display()))
}

/// Whether `dir` was written by capsim: it holds a readable `run.json`.
pub fn is_run_folder(dir: &Path) -> bool {
    read_run_info(dir).is_some()
}

/// Writes a run's results, resolved scenario and provenance into `dir` (a staging folder).
/// The Parquet tables are independent files, written side by side.
pub fn write_results(
    dir: &Path,
    model: &Model,
    results: &[ReplicationResult],
    info: &RunInfo,
) -> anyhow::Result<()> {
    let threads = info.threads;
    let (world, contracts) = side_by_side(
        threads,
        || write_world_tables(dir, model, results),
        || write_contract_tables(dir, model, results, threads.saturating_sub(1)),
    );
    world?;
    contracts?;
    if let Some(basis) = tables::basis_frame(model)? {
        tables::write_rounded_csv(&basis, "basis", &dir.join(BASIS))?;
    }
    if let Some(monitoring) = tables::monitoring_frame(model, results)? {
        tables::write_rounded_csv(&monitoring, "monitoring", &dir.join(MONITORING))?;
    }
    let resolved = standing_alone(&model.scenario, dir)?;
    let header = "# Fully resolved scenario of this run (base merged, defaults filled).\n# Reproduce: capsim run scenario.toml --threads N (any N gives identical results)\n";
    write_named(
        &dir.join(SCENARIO),
        header.to_string() + &resolved.to_toml(),
    )?;
    write_named(
        &dir.join(RUN_INFO),
        serde_json::to_string_pretty(info)? + "\n",
    )?;
    Ok(())
}

/// `scenario` written out to stand alone in folder `dir`: its base already merged (so named no
/// more) and the head-count CSV it names, if any, copied in beside it.
pub fn standing_alone(scenario: &Scenario, dir: &Path) -> anyhow::Result<Scenario> {
    let mut alone = scenario.clone();
    copy_counts_into(&mut alone, dir)?;
    alone.base = None;
    Ok(alone)
}

/// Copies the head counts `scenario` names into folder `dir` as [`COUNTS`] (a Parquet file
/// written as CSV), and names that copy instead.
pub fn copy_counts_into(scenario: &mut Scenario, dir: &Path) -> anyhow::Result<()> {
    if let Some(file) = &scenario.population.counts_csv {
        let csv = crate::scenario::counts::counts_as_csv(Path::new(file))
            .with_context(|| format!("copying {file}"))?;
        write_named(&dir.join(COUNTS), csv)?;
        scenario.population.counts_csv = Some(COUNTS.into());
    }
    Ok(())
}

/// The world's table, its outcomes, and the parameters drawn when any is uncertain.
fn write_world_tables(
    dir: &Path,
    model: &Model,
    results: &[ReplicationResult],
) -> anyhow::Result<()> {
    let mut world = tables::world_frame(model, results)?;
    write_run_table(&mut world, dir, WORLD)?;
    let mut outcomes = tables::outcomes_frame(model, results)?;
    let units: Vec<(String, &str)> = model
        .scenario
        .named_indicators()
        .into_iter()
        .map(|(indicator, name)| (name, indicator.unit()))
        .collect();
    tables::write_parquet_with_units(
        &mut outcomes,
        &dir.join(OUTCOMES),
        Some(run_table(OUTCOMES).0),
        &units,
    )?;
    if let Some(mut draws) = tables::parameters_frame(model, results)? {
        write_run_table(&mut draws, dir, PARAMETERS)?;
    }
    Ok(())
}

/// The arms' tables, when the scenario has arms: the ledger by year and over the term, and
/// equity and who gains per replication.
fn write_contract_tables(
    dir: &Path,
    model: &Model,
    results: &[ReplicationResult],
    threads: usize,
) -> anyhow::Result<()> {
    let Some(contracts) = &model.contracts else {
        return Ok(());
    };
    let world_names = model.world_names();
    let layout = contracts.layout(
        model
            .arm_world
            .iter()
            .map(|&w| world_names[w].clone())
            .collect(),
    );
    let ledgers = || -> anyhow::Result<()> {
        let rows: Vec<RepRows> = results
            .iter()
            .map(|r| (r.replication, r.ledger.as_slice()))
            .collect();
        let start_year = model.scenario.start_year;
        let mut ledger = ledger::ledger_frame(&layout, &rows, start_year)?;
        write_run_table(&mut ledger, dir, LEDGER)?;
        let mut term = ledger::term_frame(&layout, &rows)?;
        write_run_table(&mut term, dir, LEDGER_TERM)
    };
    let equity_and_gains = || -> anyhow::Result<()> {
        let cells: Vec<(u64, &[EquityCell])> = results
            .iter()
            .map(|r| (r.replication, r.equity.as_slice()))
            .collect();
        let mut equity = ledger::equity_frame(&layout, &cells)?;
        write_run_table(&mut equity, dir, EQUITY)?;
        let gains: Vec<(u64, &[Gain])> = results
            .iter()
            .map(|r| (r.replication, r.gains.as_slice()))
            .collect();
        let mut gains = gains_frame(&layout, &gains)?;
        write_run_table(&mut gains, dir, GAINS)?;
        let by_year: Vec<(u64, &[Gain])> = results
            .iter()
            .map(|r| (r.replication, r.gains_by_year.as_slice()))
            .collect();
        let start_year = model.scenario.start_year;
        let mut by_year = gains_by_year_frame(&layout, &by_year, start_year)?;
        write_run_table(&mut by_year, dir, GAINS_BY_YEAR)
    };
    let (ledgers, equity_and_gains) = side_by_side(threads, ledgers, equity_and_gains);
    ledgers?;
    equity_and_gains
}

/// Runs `a` and `b`, on two threads when `threads` (the run's `--threads`) allows more than one,
/// one after the other otherwise: independent outputs, each written to its own file, so the
/// files do not depend on which finishes first.
pub(crate) fn side_by_side<A: Send, B: Send>(
    threads: usize,
    a: impl FnOnce() -> A + Send,
    b: impl FnOnce() -> B + Send,
) -> (A, B) {
    if threads <= 1 {
        let first = a();
        return (first, b());
    }
    std::thread::scope(|scope| {
        let second = scope.spawn(b);
        let first = a();
        let second = second
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (first, second)
    })
}

/// A run folder read back: the resolved scenario, the provenance and the result tables.
pub struct RunFolder {
    pub dir: PathBuf,
    pub scenario: Scenario,
    pub info: RunInfo,
    pub world: DataFrame,
    /// Every indicator per replication, world and year (None in a folder written before
    /// capsim wrote them).
    pub outcomes: Option<DataFrame>,
    pub ledger: DataFrame,
    pub term: DataFrame,
    pub equity: DataFrame,
    /// Who gains per replication, arm and party (no rows when no arm runs an intervention).
    pub gains: DataFrame,
    /// The same per contract year (None in a folder written before capsim wrote it).
    pub gains_by_year: Option<DataFrame>,
}

impl RunFolder {
    /// Opens a folder written by `capsim run`; anything else is refused with a clear error.
    pub fn open(dir: &Path) -> anyhow::Result<RunFolder> {
        let not_a_run = |why: String| {
            InputError::new(
                dir.display().to_string(),
                "",
                format!("expected a run folder written by `capsim run`: {why}"),
            )
        };
        if dir.exists() && !dir.is_dir() {
            return Err(not_a_run("this is a file, not a folder".into()).into());
        }
        if !dir.is_dir() {
            return Err(not_a_run("no such folder".into()).into());
        }
        let info = read_run_info(dir)
            .ok_or_else(|| not_a_run(format!("{RUN_INFO} is missing or unreadable")))?;
        let scenario = load_scenario(Some(&dir.join(SCENARIO)))?.scenario;
        if scenario.arm.is_empty() {
            return Err(InputError::new(
                dir.join(SCENARIO).display().to_string(),
                "arm",
                "expected at least one [[arm]]: tables, charts and the report compare contracts",
            )
            .into());
        }
        let reps = info.replications;
        let table = |file: &str| read_run_table(dir, file, reps);
        let written = |file: &str| was_written(dir, file);
        let run = RunFolder {
            world: table(WORLD)?,
            outcomes: written(OUTCOMES).then(|| table(OUTCOMES)).transpose()?,
            ledger: table(LEDGER)?,
            term: table(LEDGER_TERM)?,
            equity: table(EQUITY)?,
            gains: table(GAINS)?,
            gains_by_year: written(GAINS_BY_YEAR)
                .then(|| table(GAINS_BY_YEAR))
                .transpose()?,
            dir: dir.to_path_buf(),
            scenario,
            info,
        };
        run.check_consistent()?;
        Ok(run)
    }

    /// The tables must be the ones this scenario produced: the same arms, parties, years and
    /// replications. Tables from another run (or an edited scenario.toml) would give a report
    /// that describes one run with another's numbers.
    fn check_consistent(&self) -> anyhow::Result<()> {
        let mismatch = |what: String| -> anyhow::Error {
            InputError::new(
                self.dir.join(LEDGER).display().to_string(),
                "",
                format!(
                    "expected the tables of the run described by {SCENARIO} and {RUN_INFO}: {what}; \
                     run the scenario again"
                ),
            )
            .into()
        };
        // The distinct values are found before they are written out as text: casting and
        // sorting every row's took most of the time of reading a folder back.
        let distinct = |df: &DataFrame, name: &str| -> anyhow::Result<Vec<String>> {
            let column = df
                .column(name)
                .map_err(|e| mismatch(e.to_string()))?
                .unique()?
                .cast(&DataType::String)?;
            let mut values: Vec<String> = column
                .str()?
                .iter()
                .map(|v| v.unwrap_or_default().to_string())
                .collect();
            values.sort();
            values.dedup();
            Ok(values)
        };
        let sorted = |mut v: Vec<String>| {
            v.sort();
            v
        };
        let arms = sorted(self.scenario.arm.iter().map(|a| a.name.clone()).collect());
        if distinct(&self.ledger, "arm")? != arms {
            return Err(mismatch(format!(
                "the ledger's arms are not {}",
                arms.join(", ")
            )));
        }
        let parties = sorted(self.scenario.parties());
        if distinct(&self.ledger, "party")? != parties {
            return Err(mismatch(format!(
                "the ledger's parties are not {}",
                parties.join(", ")
            )));
        }
        let years = sorted((1..=self.scenario.years).map(|y| y.to_string()).collect());
        let found_years = distinct(&self.ledger, "year")?;
        if found_years != years {
            return Err(mismatch(format!(
                "the ledger has years {}, the scenario {} years",
                found_years.join(", "),
                self.scenario.years
            )));
        }
        let reps = distinct(&self.ledger, "rep")?.len();
        if reps != self.info.replications as usize
            || self.scenario.replications != self.info.replications
        {
            return Err(mismatch(format!(
                "the ledger has {reps} replications, {RUN_INFO} {} and {SCENARIO} {}",
                self.info.replications, self.scenario.replications
            )));
        }
        Ok(())
    }
}

/// The data dictionary's table of a run folder's Parquet `file` (docs/outputs.md), and the key
/// columns it always has: one home for what is written and what is checked on reading.
fn run_table(file: &str) -> (&'static str, &'static [&'static str]) {
    match file {
        WORLD => ("world", &["rep", "world", "year"]),
        OUTCOMES => ("outcomes_reps", &["rep", "world", "year"]),
        LEDGER => ("ledger", &["rep", "year", "arm", "party", "role"]),
        LEDGER_TERM => ("ledger", &["rep", "arm", "party", "role"]),
        EQUITY => ("equity_reps", &["rep", "arm", "dimension", "level"]),
        GAINS => ("who_gains_reps", &["rep", "arm", "party"]),
        GAINS_BY_YEAR => ("who_gains_by_year_reps", &["rep", "year", "arm", "party"]),
        PARAMETERS => ("parameters", &["rep"]),
        _ => unreachable!("{file} is not a table of a run folder"),
    }
}

/// Writes `df` as the run folder's Parquet `file`, its columns described from its table.
fn write_run_table(df: &mut DataFrame, dir: &Path, file: &str) -> anyhow::Result<()> {
    tables::write_parquet(df, &dir.join(file), Some(run_table(file).0))
}

/// Whether capsim wrote `file` into run folder `dir`: it is there, or the folder's manifest
/// lists it (then it must be there: a table written with the run and since deleted is missed).
pub(crate) fn was_written(dir: &Path, file: &str) -> bool {
    dir.join(file).exists() || staging::manifest_lists(dir, file)
}

/// The table of run folder `dir` in `file`, checked to be the one `capsim run` writes for a run
/// of `reps` replications, so that a damaged or misplaced file is refused by name rather than
/// read as another: every column one of the file's (docs/outputs.md), its key columns there,
/// and each replication 0..reps in it equally often and no other.
pub(crate) fn read_run_table(dir: &Path, file: &str, reps: u32) -> anyhow::Result<DataFrame> {
    let df = read_parquet(dir, file)?;
    let path = dir.join(file);
    let damaged = |why: String| -> anyhow::Error {
        InputError::new(
            path.display().to_string(),
            "",
            format!("expected the {file} that `capsim run` writes for this run: {why}"),
        )
        .into()
    };
    let (table, keys) = run_table(file);
    let names: Vec<String> = df
        .get_column_names()
        .iter()
        .map(|n| n.to_string())
        .collect();
    if let Some(stranger) = names
        .iter()
        .find(|n| dictionary::describe_any(table, n).is_none())
    {
        return Err(damaged(format!("`{stranger}` is not one of its columns")));
    }
    if let Some(missing) = keys.iter().find(|k| !names.iter().any(|n| n == *k)) {
        return Err(damaged(format!("it has no `{missing}` column")));
    }
    let rep = df.column("rep")?.cast(&DataType::Float64)?;
    let mut seen = vec![0usize; reps as usize];
    for r in rep.f64()?.iter() {
        let r = r.unwrap_or(f64::NAN);
        if !(r >= 0.0 && r < f64::from(reps) && r.fract() == 0.0) {
            return Err(damaged(format!(
                "replication {r} is not one of the run's {reps} (0 to {})",
                reps.saturating_sub(1)
            )));
        }
        seen[r as usize] += 1;
    }
    // An empty table (who gains, without interventions) holds no replication at all.
    if df.height() > 0
        && let Some(r) = seen.iter().position(|&n| n != seen[0])
    {
        return Err(damaged(format!(
            "replication {r} has {} rows, replication 0 {}",
            seen[r], seen[0]
        )));
    }
    Ok(df)
}

pub(crate) fn read_parquet(dir: &Path, file: &str) -> anyhow::Result<DataFrame> {
    let path = dir.join(file);
    let damaged = |e: String| {
        InputError::new(
            path.display().to_string(),
            "",
            format!("expected the {file} that `capsim run` writes: {e}"),
        )
    };
    let f = std::fs::File::open(&path).map_err(|e| damaged(e.to_string()))?;
    Ok(ParquetReader::new(f)
        .finish()
        .map_err(|e| damaged(e.to_string()))?)
}
