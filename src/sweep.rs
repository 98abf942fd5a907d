//! `capsim sweep SCENARIO --param PATH=FROM..TO:STEPS [--param …]`: the scenario run at each
//! value of one field, or each pair of values of two, on the same seed (common random numbers).
//! Each point is a complete run folder (`point-1`, …), byte for byte the run `capsim run --set
//! PATH=VALUE` gives, and a table and a chart (lines for one field, a heat map for two) show how
//! the providers' and the commissioner's risks move with the values.
//!
//! Points that differ only in their contracts (any `arm.…` field) simulate the same worlds, so
//! the worlds are simulated once and every point's contracts are settled on them: such a sweep
//! costs little more than one run.

use std::path::{Path, PathBuf};
use std::time::Instant;

use polars::prelude::*;
use toml::Value;

use crate::cli::{self, RunArgs, RunPlan};
use crate::contracts::Contracts;
use crate::engine::{self, Observer};
use crate::error::InputError;
use crate::report::{Estimate, charts};
use crate::run_folder::staging::{Destination, StagedFolder};
use crate::run_folder::tables::write_csv_rounded_as;
use crate::scenario::contracts::capitalised;

/// Marks a folder written by `capsim sweep`.
pub const MARKER: &str = "sweep.json";

/// Most values one field takes in a sweep.
pub const MAX_POINTS: usize = 50;

/// Most points (value pairs) one sweep of two fields runs.
pub const MAX_GRID_POINTS: usize = 100;

/// Most fields one sweep varies.
pub const MAX_FIELDS: usize = 2;

/// Memory the results of the points simulated together may take (they are settled on one
/// simulation, then written).
const SHARED_RESULTS_BUDGET: f64 = 600e6;

/// The values one field takes in a sweep.
#[derive(Debug, Clone, PartialEq)]
pub struct Grid {
    pub path: String,
    pub values: Vec<Value>,
}

impl Grid {
    /// Reads `PATH=FROM..TO:STEPS` (STEPS values from FROM to TO, both included, to six
    /// significant figures; whole numbers when FROM and TO are and the steps are at least 1) or
    /// `PATH=A,B,C`.
    pub fn parse(text: &str) -> Result<Grid, InputError> {
        let bad = |why: String| InputError::new("command line", "--param", why);
        let form = "expected PATH=FROM..TO:STEPS (e.g. population.size=5000..50000:4) or \
                    PATH=A,B,C";
        let (path, range) = text
            .split_once('=')
            .ok_or_else(|| bad(format!("{form}; found \"{text}\"")))?;
        let number = |s: &str| -> Result<Value, InputError> {
            let s = s.trim();
            if let Ok(i) = s.parse::<i64>() {
                Ok(Value::Integer(i))
            } else {
                s.parse::<f64>()
                    .ok()
                    .filter(|x| x.is_finite())
                    .map(Value::Float)
                    .ok_or_else(|| {
                        bad(format!(
                            "{form}; \"{s}\" is not a number (a sweep runs a numeric field; to \
                             compare settings that are not numbers, run each with --set and \
                             compare the runs with `capsim compare`)"
                        ))
                    })
            }
        };
        if range.contains("..") && !range.contains(':') {
            return Err(bad(format!(
                "{form}; \"{range}\" has no number of steps: write {}:4 for 4 points from one \
                 end to the other",
                range.trim()
            )));
        }
        let values = if let Some((span, steps)) = range.split_once(':') {
            let (from, to) = span
                .split_once("..")
                .ok_or_else(|| bad(format!("{form}; found \"{text}\"")))?;
            let steps: usize = steps
                .trim()
                .parse()
                .ok()
                .filter(|n| (2..=MAX_POINTS).contains(n))
                .ok_or_else(|| {
                    bad(format!(
                        "expected 2 to {MAX_POINTS} steps, found \"{steps}\""
                    ))
                })?;
            let (from, to) = (number(from)?, number(to)?);
            let (a, b) = (as_f64(&from), as_f64(&to));
            // Whole numbers (a head count) when both ends are and the points are at least one
            // apart; otherwise 0..1:5 would round to 0, 0, 1, 1, 1.
            let whole = matches!((&from, &to), (Value::Integer(_), Value::Integer(_)))
                && (b - a).abs() >= (steps - 1) as f64;
            if whole {
                whole_points_land(a, b, steps).map_err(bad)?;
            }
            (0..steps)
                .map(|k| {
                    let x = a + (b - a) * k as f64 / (steps - 1) as f64;
                    if whole {
                        Value::Integer(x.round() as i64)
                    } else {
                        // Six significant figures: the value run is the value shown.
                        Value::Float(format!("{x:.5e}").parse().expect("a number"))
                    }
                })
                .collect()
        } else {
            let values = range
                .split(',')
                .map(number)
                .collect::<Result<Vec<_>, _>>()?;
            if values.len() < 2 || values.len() > MAX_POINTS {
                return Err(bad(format!(
                    "expected 2 to {MAX_POINTS} values separated by commas, found \"{range}\" \
                     (one value is a setting, not a sweep: give it with --set {}={range})",
                    path.trim()
                )));
            }
            values
        };
        Ok(Grid {
            path: path.trim().to_string(),
            values,
        })
    }
}

/// Refuses whole ends whose `steps` points would be rounded further than a hundredth of their
/// spacing to land on whole numbers: `years=1..4:3` would run 1, 3 and 4 (2.5 rounded), an
/// uneven grid, where rounding 5000..50001:4 moves a point by a person in 15,000.
fn whole_points_land(a: f64, b: f64, steps: usize) -> Result<(), String> {
    let spacing = |steps: usize| (b - a).abs() / (steps - 1) as f64;
    let off = |steps: usize| {
        (0..steps).any(|k| {
            let x = a + (b - a) * k as f64 / (steps - 1) as f64;
            (x - x.round()).abs() > 0.01 * spacing(steps).max(1.0)
        })
    };
    if !off(steps) {
        return Ok(());
    }
    let (from, to) = (a as i64, b as i64);
    let landing: Vec<String> = (2..=MAX_POINTS)
        .filter(|&n| (b - a).abs() >= (n - 1) as f64 && !off(n))
        .map(|n| format!("{from}..{to}:{n}"))
        .collect();
    let choices = match landing.len() {
        0 => String::new(),
        1..=4 => format!(" ({})", landing.join(", ")),
        _ => format!(" (e.g. {})", landing[..4].join(", ")),
    };
    Err(format!(
        "expected points that are whole numbers between whole ends: {from}..{to}:{steps} \
         puts them {:.3} apart; choose STEPS so that they land on whole numbers{choices}, \
         list the values, or write the ends with a decimal point ({from}.0..{to}) for a field \
         that takes fractions",
        spacing(steps)
    ))
}

fn as_f64(v: &Value) -> f64 {
    match v {
        Value::Integer(i) => *i as f64,
        Value::Float(x) => *x,
        _ => f64::NAN,
    }
}

fn check_destination(out: &Path) -> Result<Destination, InputError> {
    Destination::check_marked_folder(out, MARKER, "a capsim sweep folder (it has no sweep.json)")
}

/// A figure a sweep charts and tabulates, for each arm at each point (over the term).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Metric {
    /// The providers' chance of a loss.
    PLoss,
    /// The providers' chance of a loss beyond 2% of their income.
    #[value(name = "p-loss-over-2pct", alias = "p-loss-over2pct")]
    PLossOver2pct,
    /// The providers' 5th-percentile surplus (a bad outcome, £m).
    ProviderP5,
    /// The commissioner's mean spend (£m).
    CommissionerMean,
    /// The commissioner's 95th-percentile spend (£m).
    CommissionerP95,
}

impl Metric {
    fn label(self) -> &'static str {
        match self {
            Metric::PLoss => "providers' P(loss) (%)",
            Metric::PLossOver2pct => "providers' P(loss > 2% of income) (%)",
            Metric::ProviderP5 => "providers' 5th-percentile surplus (£m)",
            Metric::CommissionerMean => "commissioner's mean spend (£m)",
            Metric::CommissionerP95 => "commissioner's 95th-percentile spend (£m)",
        }
    }

    fn is_probability(self) -> bool {
        matches!(self, Metric::PLoss | Metric::PLossOver2pct)
    }

    /// The figure, in the unit of its label (% or £m), and its standard error.
    fn of(self, r: &PointRow) -> (f64, f64) {
        let (e, scale) = match self {
            Metric::PLoss => (r.p_loss, 100.0),
            Metric::PLossOver2pct => (r.p_loss_over_2pct, 100.0),
            Metric::ProviderP5 => (r.provider_p5, 1e-6),
            Metric::CommissionerMean => (r.commissioner_mean, 1e-6),
            Metric::CommissionerP95 => (r.commissioner_p95, 1e-6),
        };
        (e.value * scale, e.se * scale)
    }

    fn show(self, r: &PointRow) -> String {
        let (v, se) = self.of(r);
        if self.is_probability() {
            crate::report::percent_with_error(v / 100.0, se / 100.0, 0)
        } else {
            format!("{v:.1} ± {se:.1}")
        }
    }
}

/// What `capsim sweep` was asked.
pub struct SweepArgs {
    pub run: RunArgs,
    pub grids: Vec<Grid>,
    /// The arm charted (all arms when `None` and one field is swept).
    pub arm: Option<String>,
    pub metric: Metric,
    /// What the chart calls each field, in the order of `grids` (its path when none is given).
    pub labels: Vec<String>,
}

impl SweepArgs {
    /// The name field `i` goes by in the chart: its label, or its path.
    fn title(&self, i: usize) -> &str {
        self.labels.get(i).unwrap_or(&self.grids[i].path)
    }
}

/// One point's headline risks over the term, per arm.
struct PointRow {
    values: Vec<f64>,
    arm: String,
    p_loss: Estimate,
    p_loss_over_2pct: Estimate,
    provider_p5: Estimate,
    commissioner_mean: Estimate,
    commissioner_p95: Estimate,
}

fn read_points(dir: &Path, values: &[f64]) -> anyhow::Result<Vec<PointRow>> {
    let run = crate::run_folder::RunFolder::open(dir)?;
    let t = crate::report::tables(&run)?;
    Ok(crate::report::arm_headlines(&run, &t)?
        .into_iter()
        .map(|h| PointRow {
            values: values.to_vec(),
            arm: h.arm,
            p_loss: h.p_loss,
            p_loss_over_2pct: h.p_loss_2pct,
            provider_p5: h.p5,
            commissioner_mean: h.spend_mean,
            commissioner_p95: h.spend_p95,
        })
        .collect())
}

/// Reads one figure of a point's row.
type Figure = fn(&PointRow) -> Estimate;

fn frame(rows: &[PointRow], grids: &[Grid]) -> PolarsResult<DataFrame> {
    let num = |f: &dyn Fn(&PointRow) -> f64| -> Vec<f64> { rows.iter().map(f).collect() };
    let mut columns: Vec<Column> = grids
        .iter()
        .enumerate()
        .map(|(i, g)| {
            let values = num(&|r| r.values[i]);
            // A whole-number field (a head count, years) is written as one: 5000, not 5000.0.
            if g.values.iter().all(|v| matches!(v, Value::Integer(_))) {
                let whole: Vec<i64> = values.iter().map(|&x| x as i64).collect();
                Column::new(g.path.as_str().into(), whole)
            } else {
                Column::new(g.path.as_str().into(), values)
            }
        })
        .collect();
    columns.push(Column::new(
        "arm".into(),
        rows.iter().map(|r| r.arm.as_str()).collect::<Vec<_>>(),
    ));
    let figures: [(&str, Figure); 5] = [
        ("provider_p_loss", |r| r.p_loss),
        ("provider_p_loss_over_2pct", |r| r.p_loss_over_2pct),
        ("provider_p5_surplus", |r| r.provider_p5),
        ("commissioner_mean_spend", |r| r.commissioner_mean),
        ("commissioner_p95_spend", |r| r.commissioner_p95),
    ];
    for (name, get) in figures {
        columns.push(Column::new(name.into(), num(&|r| get(r).value)));
        columns.push(Column::new(
            format!("{name}_se").into(),
            num(&|r| get(r).se),
        ));
    }
    DataFrame::new(rows.len(), columns)
}

/// Prints each caution the points raise once (docs/errors.md, "Warnings"); one that only some
/// points raise names their values.
fn warn_of_cautions(plans: &[RunPlan], grids: &[Grid], points: &[Vec<Value>]) {
    let mut raised: Vec<(String, Vec<usize>)> = Vec::new();
    for (k, plan) in plans.iter().enumerate() {
        let scenario = crate::scenario::cautions::cautions(&plan.model.scenario);
        for c in scenario
            .into_iter()
            .chain(crate::cli::model_cautions(&plan.model, true))
        {
            let line = format!("{}: {}: {}", plan.scenario_file, c.field, c.message);
            match raised.iter_mut().find(|(l, _)| *l == line) {
                Some((_, at)) => at.push(k),
                None => raised.push((line, vec![k])),
            }
        }
    }
    for (line, at) in raised {
        if at.len() == plans.len() {
            crate::say!("capsim: warning: {line}");
            continue;
        }
        let values: Vec<String> = at
            .iter()
            .map(|&k| {
                grids
                    .iter()
                    .zip(&points[k])
                    .map(|(g, v)| format!("{}={v}", g.path))
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .collect();
        crate::say!("capsim: warning: {line} (at {})", values.join("; "));
    }
}

/// Every combination of the grids' values, the first field varying slowest.
fn points(grids: &[Grid]) -> Vec<Vec<Value>> {
    grids.iter().fold(vec![Vec::new()], |acc, g| {
        acc.iter()
            .flat_map(|head| {
                g.values.iter().map(move |v| {
                    let mut p = head.clone();
                    p.push(v.clone());
                    p
                })
            })
            .collect()
    })
}

fn command_line_error(field: &str, why: String) -> InputError {
    InputError::new("command line", field, why)
}

/// Checks the fields, the arm and the number of points before anything is read.
fn check_args(args: &SweepArgs) -> Result<(), InputError> {
    if args.run.shard.is_some() {
        return Err(command_line_error(
            "--shard",
            "expected a sweep without --shard: shard the runs of single points instead".into(),
        ));
    }
    if args.grids.is_empty() || args.grids.len() > MAX_FIELDS {
        return Err(command_line_error(
            "--param",
            format!("expected 1 or {MAX_FIELDS} fields to sweep"),
        ));
    }
    if args.grids.len() == 2 && args.grids[0].path == args.grids[1].path {
        return Err(command_line_error(
            "--param",
            format!(
                "expected two different fields; {} is given twice",
                args.grids[0].path
            ),
        ));
    }
    for grid in &args.grids {
        // A value given twice would run the same point twice.
        if let Some((_, v)) = grid
            .values
            .iter()
            .enumerate()
            .find(|(k, v)| grid.values[..*k].contains(v))
        {
            return Err(command_line_error(
                "--param",
                format!(
                    "expected each value of {} once; {v} is given twice",
                    grid.path
                ),
            ));
        }
    }
    // A --set on a swept field would be overridden at every point, unseen.
    for grid in &args.grids {
        let set_too = args.run.set.iter().any(|s| {
            crate::scenario::overrides::Override::parse(s).is_ok_and(|o| o.path == grid.path)
        });
        if set_too {
            return Err(command_line_error(
                "--param",
                format!(
                    "expected {} set once: by --param (swept) or by --set (fixed), not both",
                    grid.path
                ),
            ));
        }
    }
    if args.labels.len() > args.grids.len() {
        return Err(command_line_error(
            "--label",
            format!(
                "expected at most one label for each --param ({}), found {}",
                args.grids.len(),
                args.labels.len()
            ),
        ));
    }
    if args.labels.iter().any(|l| l.trim().is_empty()) {
        return Err(command_line_error(
            "--label",
            "expected some text (a label names a --param's axis)".into(),
        ));
    }
    let total: usize = args.grids.iter().map(|g| g.values.len()).product();
    if total > MAX_GRID_POINTS {
        return Err(command_line_error(
            "--param",
            format!("expected at most {MAX_GRID_POINTS} points in all; these values make {total}"),
        ));
    }
    Ok(())
}

/// The arm charted: the one named (which must exist), or, for a heat map, the only arm.
fn charted_arm(args: &SweepArgs, arms: &[String]) -> Result<Option<String>, InputError> {
    match &args.arm {
        Some(a) if arms.contains(a) => Ok(Some(a.clone())),
        Some(a) => Err(command_line_error(
            "--arm",
            crate::unknown_name::unknown("arm", a, arms, "an arm (the scenario has none)"),
        )),
        None if args.grids.len() == 2 && arms.len() > 1 => Err(command_line_error(
            "--arm",
            format!(
                "expected --arm with two fields (a heat map shows one arm): one of {}",
                arms.join(", ")
            ),
        )),
        None if args.grids.len() == 2 => Ok(arms.first().cloned()),
        None => Ok(None),
    }
}

/// Groups points (by index) whose worlds are the same, each group in point order; a point
/// with a precision target or without contracts is simulated on its own.
fn world_groups(plans: &[RunPlan]) -> Vec<Vec<usize>> {
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for (i, plan) in plans.iter().enumerate() {
        let alone = plan.precision.is_some() || plan.model.contracts.is_none();
        let group = groups.iter_mut().find(|g| {
            let first = &plans[g[0]];
            !alone
                && first.precision.is_none()
                && first.model.contracts.is_some()
                && first.model.shares_worlds_with(&plan.model)
        });
        match group {
            Some(g) => g.push(i),
            None => groups.push(vec![i]),
        }
    }
    groups
}

/// Simulates each group's worlds once, settles its points' contracts on them and writes every
/// point's run folder; returns the points' rows and what each point's precision target reached.
fn run_points(
    plans: Vec<RunPlan>,
    values: &[Vec<f64>],
    dirs: &[PathBuf],
    observer: &dyn Observer,
) -> anyhow::Result<(Vec<PointRow>, String, u32)> {
    let groups = world_groups(&plans);
    // What each point's precision target reached, in point order.
    let mut notes = Vec::new();
    // The fewest replications a point ran (a precision target runs each as many as it takes).
    let mut fewest = u32::MAX;
    let mut plans: Vec<Option<RunPlan>> = plans.into_iter().map(Some).collect();
    let mut rows = Vec::new();
    for group in groups {
        let first = plans[group[0]].as_ref().expect("not yet run");
        if group.len() == 1 && (first.precision.is_some() || first.model.contracts.is_none()) {
            let plan = plans[group[0]].take().expect("not yet run");
            let outcome = cli::run(plan, observer)?;
            fewest = fewest.min(outcome.replications);
            if !outcome.precision.is_empty() {
                notes.push(format!("point-{}: {}", group[0] + 1, outcome.precision));
            }
            rows.extend(read_points(&dirs[group[0]], &values[group[0]])?);
            continue;
        }
        fewest = fewest.min(first.model.scenario.replications);
        let reps = f64::from(first.model.scenario.replications);
        let per_batch = (SHARED_RESULTS_BUDGET / (reps * first.model.result_bytes())).max(1.0);
        for batch in group.chunks(per_batch as usize) {
            let staged: Vec<StagedFolder> = batch
                .iter()
                .map(|&i| {
                    let plan = plans[i].as_ref().expect("not yet run");
                    StagedFolder::new(plan.destination.clone())
                })
                .collect::<Result<_, _>>()?;
            let sets: Vec<Contracts> = batch
                .iter()
                .map(|&i| {
                    let plan = plans[i].as_ref().expect("not yet run");
                    plan.model
                        .contracts
                        .clone()
                        .expect("grouped with contracts")
                })
                .collect();
            let lead = plans[batch[0]].as_ref().expect("not yet run");
            let started = Instant::now();
            let results = engine::run_settling(
                &lead.model,
                &sets,
                0..u64::from(lead.model.scenario.replications),
                lead.threads,
                observer,
                |_, result| result,
            )?;
            let elapsed = started.elapsed().as_secs_f64();
            for ((&i, staged), results) in batch.iter().zip(staged).zip(results) {
                let plan = plans[i].take().expect("not yet run");
                cli::write_run(plan, staged, &results, elapsed, "")?;
                rows.extend(read_points(&dirs[i], &values[i])?);
            }
        }
    }
    Ok((rows, notes.concat(), fewest))
}

/// A problem with a swept field's value is the `--param`'s, not a `--set` the user never wrote:
/// it names the value of the point that has it.
fn named_by_param(
    error: anyhow::Error,
    grids: &[Grid],
    point: &[Value],
    user_set: &[String],
) -> anyhow::Error {
    let mut input = match error.downcast::<InputError>() {
        Ok(input) => input,
        Err(other) => return other,
    };
    for problem in &mut input.problems {
        // The swept field itself, or a table on its path that the scenario has no such field
        // as (`--param nosuch.field=…` is refused at `nosuch`).
        let unknown = problem.expected.contains("unknown field");
        let swept = grids.iter().zip(point).find(|(g, _)| {
            problem.field.starts_with(&g.path)
                || (unknown && g.path.starts_with(&format!("{}.", problem.field)))
        });
        if problem.file != crate::scenario::overrides::ORIGIN {
            continue;
        }
        if let Some((grid, value)) = swept {
            problem.file = format!("command line (--param {}={value})", grid.path);
            if matches!(value, Value::Float(_)) && problem.expected.contains("a whole number") {
                // The sweep's own hint, in place of how a file would write the number.
                problem.expected = problem
                    .expected
                    .replace(crate::scenario::load::WHOLE_NUMBER_HINT, "");
                problem.expected += "; this field takes whole numbers: choose FROM..TO:STEPS \
                                    with whole steps (e.g. years=1..5:5) or list the values";
            }
        } else if led_to_by_the_point(&problem.field, grids, user_set) {
            // A problem of a field the point's values lead to but do not name (an empty
            // cohort at a swept size): the point is what the user can change.
            let at: Vec<String> = grids
                .iter()
                .zip(point)
                .map(|(g, v)| format!("{}={v}", g.path))
                .collect();
            problem.file = format!("command line (the sweep's point {})", at.join(", "));
        }
    }
    input.into()
}

/// Whether a problem at `field` that names no swept path is the point's: a swept path shares
/// its table (`population.cohort` beside `population.size`) and the user's own `--set` did not
/// write it.
fn led_to_by_the_point(field: &str, grids: &[Grid], user_set: &[String]) -> bool {
    let table = |path: &str| path.split('.').next().unwrap_or_default().to_string();
    let written = user_set.iter().any(|s| {
        let path = s.split('=').next().unwrap_or_default().trim();
        path.starts_with(field) || field.starts_with(path)
    });
    !written && grids.iter().any(|g| table(&g.path) == table(field))
}

/// A name no sweep folder holds: each point is resolved with its folder there, then given its
/// own folder in the staging folder.
const POINT_PLACEHOLDER: &str = ".capsim-point";

/// Runs the sweep; returns what the terminal shows.
pub fn sweep(args: &SweepArgs, out: &Path, observer: &dyn Observer) -> anyhow::Result<String> {
    check_args(args)?;
    let destination = check_destination(out)?;
    // Every point resolved (read, validated, model built) before anything is written, so a
    // value out of range is refused with nothing made on disk; each point's folder inside the
    // staging folder is given once that exists.
    let points = points(&args.grids);
    let mut plans = Vec::new();
    for (k, point) in points.iter().enumerate() {
        let mut run = args.run.clone();
        for (grid, value) in args.grids.iter().zip(point) {
            run.set.push(format!("{}={value}", grid.path));
        }
        // Not written to: the destination is the staging folder's, set below.
        run.out = Some(out.join(POINT_PLACEHOLDER));
        let mut plan = RunPlan::resolve(&run)
            .map_err(|e| named_by_param(e, &args.grids, point, &args.run.set))?;
        let values: Vec<String> = args
            .grids
            .iter()
            .zip(point)
            .map(|(grid, value)| format!("{} = {value}", grid.path))
            .collect();
        plan.sweep_point = Some(format!(
            "point {} of {}: {}",
            k + 1,
            points.len(),
            values.join(", ")
        ));
        plans.push(plan);
    }
    warn_of_cautions(&plans, &args.grids, &points);
    let arms: Vec<String> = plans[0]
        .model
        .scenario
        .arm
        .iter()
        .map(|a| a.name.clone())
        .collect();
    if arms.is_empty() {
        return Err(InputError::new(
            &plans[0].scenario_file,
            "arm",
            "expected at least one arm: a sweep shows the contracts' risks",
        )
        .into());
    }
    let charted = charted_arm(args, &arms)?;
    let values: Vec<Vec<f64>> = points
        .iter()
        .map(|p| p.iter().map(as_f64).collect())
        .collect();
    let staged = StagedFolder::with_check(destination, check_destination)?;
    let dirs: Vec<PathBuf> = (1..=plans.len())
        .map(|k| staged.dir().join(format!("point-{k}")))
        .collect();
    for (plan, dir) in plans.iter_mut().zip(&dirs) {
        plan.destination = Destination::New(dir.clone());
    }
    let (rows, precision, replications) = run_points(plans, &values, &dirs, observer)?;
    write_csv_rounded_as(
        &frame(&rows, &args.grids)?,
        &[
            ("provider_p_loss", 4),
            ("provider_p_loss_over_2pct", 4),
            ("provider_p5_surplus", 2),
            ("commissioner_mean_spend", 2),
            ("commissioner_p95_spend", 2),
        ],
        &staged.dir().join("sweep.csv"),
    )?;
    let shown: Vec<String> = match &charted {
        Some(a) => vec![a.clone()],
        None => arms.clone(),
    };
    if args.grids.len() == 1 {
        draw_lines(staged.dir(), args, &rows, &shown)?;
    } else {
        draw_heat_map(staged.dir(), args, &rows, &shown[0])?;
    }
    let marker = serde_json::json!({
        "capsim_version": crate::VERSION,
        "capsim_source": crate::SOURCE,
        "params": args.grids.iter().enumerate().map(|(i, g)| serde_json::json!({
            "path": g.path,
            "label": args.title(i),
            "values": g.values.iter().map(|v| v.to_string()).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    });
    crate::run_folder::write_named(
        &staged.dir().join(MARKER),
        serde_json::to_string_pretty(&marker)? + "\n",
    )?;
    let dir = staged.commit()?.dir;
    let text = if args.grids.len() == 1 {
        line_table(args, &rows, &shown)
    } else {
        grid_table(args, &rows, &shown[0])
    };
    Ok(text
        + &precision
        + &format!("{} points in {}\n", points.len(), dir.display())
        + &crate::report::rough_note(replications))
}

fn short(path: &str) -> &str {
    path.rsplit('.').next().unwrap_or(path)
}

fn draw_lines(
    dir: &Path,
    args: &SweepArgs,
    rows: &[PointRow],
    arms: &[String],
) -> anyhow::Result<()> {
    let series: Vec<(String, Vec<(f64, f64)>)> = arms
        .iter()
        .map(|a| {
            (
                a.clone(),
                rows.iter()
                    .filter(|r| &r.arm == a)
                    .map(|r| (r.values[0], args.metric.of(r).0))
                    .collect(),
            )
        })
        .collect();
    let title = format!(
        "{} over the term, by {}",
        capitalised(args.metric.label()),
        args.title(0)
    );
    let axes = charts::LineAxes {
        x_label: args.title(0),
        x_ticks: charts::XTicks::Plain,
        y_label: args.metric.label(),
        y_range: args.metric.is_probability().then_some((0.0, 100.0)),
    };
    charts::render(
        dir,
        "sweep",
        |r| charts::lines(r, &series, &title, axes),
        |r| charts::lines(r, &series, &title, axes),
    )
}

fn draw_heat_map(dir: &Path, args: &SweepArgs, rows: &[PointRow], arm: &str) -> anyhow::Result<()> {
    let (gx, gy) = (&args.grids[0], &args.grids[1]);
    let labels = |g: &Grid| -> Vec<String> { g.values.iter().map(|v| v.to_string()).collect() };
    let cells: Vec<Vec<f64>> = gy
        .values
        .iter()
        .map(|vy| {
            gx.values
                .iter()
                .map(|vx| {
                    rows.iter()
                        .find(|r| {
                            r.arm == arm && r.values[0] == as_f64(vx) && r.values[1] == as_f64(vy)
                        })
                        .map_or(f64::NAN, |r| args.metric.of(r).0)
                })
                .collect()
        })
        .collect();
    let map = charts::HeatMap {
        title: &format!("{}: {}", arm, capitalised(args.metric.label())),
        x_label: args.title(0),
        y_label: args.title(1),
        x_values: &labels(gx),
        y_values: &labels(gy),
        cells: &cells,
        decimals: if args.metric.is_probability() { 0 } else { 1 },
    };
    charts::render(
        dir,
        "sweep",
        |r| charts::heat_map(r, &map),
        |r| charts::heat_map(r, &map),
    )
}

/// One row per value, one column per arm.
fn line_table(args: &SweepArgs, rows: &[PointRow], arms: &[String]) -> String {
    let grid = &args.grids[0];
    let mut text = format!(
        "\n{} over the term by {}\n",
        capitalised(args.metric.label()),
        args.title(0)
    );
    text += &format!("{:>14}", short(&grid.path));
    for a in arms {
        text += &format!(" {a:>16}");
    }
    text.push('\n');
    for value in &grid.values {
        text += &format!("{:>14}", value.to_string());
        for a in arms {
            let r = rows
                .iter()
                .find(|r| &r.arm == a && r.values[0] == as_f64(value));
            text += &format!(
                " {:>16}",
                r.map_or("–".to_string(), |r| args.metric.show(r))
            );
        }
        text.push('\n');
    }
    text
}

/// One row per value of the second field, one column per value of the first.
fn grid_table(args: &SweepArgs, rows: &[PointRow], arm: &str) -> String {
    let (gx, gy) = (&args.grids[0], &args.grids[1]);
    let mut text = format!(
        "\n{}: {} over the term\n{:>14} across, {} down\n",
        arm,
        args.metric.label(),
        short(&gx.path),
        short(&gy.path)
    );
    text += &format!("{:>14}", "");
    for vx in &gx.values {
        text += &format!(" {:>14}", vx.to_string());
    }
    text.push('\n');
    for vy in &gy.values {
        text += &format!("{:>14}", vy.to_string());
        for vx in &gx.values {
            let r = rows
                .iter()
                .find(|r| r.arm == arm && r.values[0] == as_f64(vx) && r.values[1] == as_f64(vy));
            text += &format!(
                " {:>14}",
                r.map_or("–".to_string(), |r| args.metric.show(r))
            );
        }
        text.push('\n');
    }
    text
}
