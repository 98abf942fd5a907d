//! `capsim sweep SCENARIO --param PATH=FROM..TO:STEPS`: the scenario run at each value of one
//! field, on the same seed (common random numbers), each point a complete run folder
//! (`point-1`, …, byte for byte the run `capsim run --set PATH=VALUE` gives), and a table and a
//! chart of how the providers' and the commissioner's risks move with the value.

use std::path::{Path, PathBuf};

use polars::prelude::*;
use toml::Value;

use crate::cli::{self, RunArgs, RunPlan};
use crate::engine::Observer;
use crate::error::InputError;
use crate::report::charts;
use crate::run_folder::staging::{Destination, StagedFolder};
use crate::run_folder::tables::write_csv;

/// Marks a folder written by `capsim sweep`.
pub const MARKER: &str = "sweep.json";

/// Most points one sweep runs.
pub const MAX_POINTS: usize = 50;

/// The values one field takes in a sweep.
#[derive(Debug, Clone, PartialEq)]
pub struct Grid {
    pub path: String,
    pub values: Vec<Value>,
}

impl Grid {
    /// Reads `PATH=FROM..TO:STEPS` (STEPS values from FROM to TO, both included; whole numbers
    /// when FROM and TO are) or `PATH=A,B,C`.
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
                    .ok_or_else(|| bad(format!("{form}; \"{s}\" is not a number")))
            }
        };
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
            let whole = matches!((&from, &to), (Value::Integer(_), Value::Integer(_)));
            let (a, b) = (as_f64(&from), as_f64(&to));
            (0..steps)
                .map(|k| {
                    let x = a + (b - a) * k as f64 / (steps - 1) as f64;
                    if whole {
                        Value::Integer(x.round() as i64)
                    } else {
                        Value::Float(x)
                    }
                })
                .collect()
        } else {
            let values = range
                .split(',')
                .map(number)
                .collect::<Result<Vec<_>, _>>()?;
            if values.is_empty() || values.len() > MAX_POINTS {
                return Err(bad(format!("expected 1 to {MAX_POINTS} values")));
            }
            values
        };
        Ok(Grid {
            path: path.trim().to_string(),
            values,
        })
    }
}

fn as_f64(v: &Value) -> f64 {
    match v {
        Value::Integer(i) => *i as f64,
        Value::Float(x) => *x,
        _ => f64::NAN,
    }
}

fn check_destination(out: &Path) -> Result<Destination, InputError> {
    Destination::check_own_folder(
        out,
        |d| d.join(MARKER).is_file(),
        "a capsim sweep folder (it has no sweep.json)",
    )
}

/// One point's headline risks over the term, per arm.
struct PointRow {
    value: f64,
    arm: String,
    p_loss: f64,
    p_loss_se: f64,
    p_loss_over_2pct: f64,
    provider_p5: f64,
    commissioner_mean: f64,
    commissioner_p95: f64,
}

fn read_points(dir: &Path, value: f64) -> anyhow::Result<Vec<PointRow>> {
    let run = crate::run_folder::RunFolder::open(dir)?;
    let t = crate::report::tables(&run)?;
    Ok(crate::report::arm_headlines(&run, &t)?
        .into_iter()
        .map(|h| PointRow {
            value,
            arm: h.arm,
            p_loss: h.p_loss.value,
            p_loss_se: h.p_loss.se,
            p_loss_over_2pct: h.p_loss_2pct.value,
            provider_p5: h.p5.value,
            commissioner_mean: h.spend_mean.value,
            commissioner_p95: h.spend_p95.value,
        })
        .collect())
}

fn frame(rows: &[PointRow], path: &str) -> PolarsResult<DataFrame> {
    let num = |f: &dyn Fn(&PointRow) -> f64| -> Vec<f64> { rows.iter().map(f).collect() };
    DataFrame::new(
        rows.len(),
        vec![
            Column::new(path.into(), num(&|r| r.value)),
            Column::new(
                "arm".into(),
                rows.iter().map(|r| r.arm.as_str()).collect::<Vec<_>>(),
            ),
            Column::new("provider_p_loss".into(), num(&|r| r.p_loss)),
            Column::new("provider_p_loss_se".into(), num(&|r| r.p_loss_se)),
            Column::new(
                "provider_p_loss_over_2pct".into(),
                num(&|r| r.p_loss_over_2pct),
            ),
            Column::new("provider_p5_surplus".into(), num(&|r| r.provider_p5)),
            Column::new(
                "commissioner_mean_spend".into(),
                num(&|r| r.commissioner_mean),
            ),
            Column::new(
                "commissioner_p95_spend".into(),
                num(&|r| r.commissioner_p95),
            ),
        ],
    )
}

/// Runs the sweep; returns what the terminal shows.
pub fn sweep(
    base: &RunArgs,
    grid: &Grid,
    out: &Path,
    observer: &dyn Observer,
) -> anyhow::Result<String> {
    let destination = check_destination(out)?;
    // Every point resolved (read, validated, model built) before any is simulated.
    let staged = StagedFolder::with_check(destination, check_destination)?;
    let mut plans = Vec::new();
    let mut dirs: Vec<PathBuf> = Vec::new();
    for (k, value) in grid.values.iter().enumerate() {
        let dir = staged.dir().join(format!("point-{}", k + 1));
        let mut args = base.clone();
        args.set.push(format!("{}={value}", grid.path));
        args.out = Some(dir.clone());
        plans.push(RunPlan::resolve(&args)?);
        dirs.push(dir);
    }
    let mut rows = Vec::new();
    for ((plan, dir), value) in plans.into_iter().zip(&dirs).zip(&grid.values) {
        cli::run(plan, observer)?;
        rows.extend(read_points(dir, as_f64(value))?);
    }
    write_csv(
        &mut frame(&rows, &grid.path)?,
        &staged.dir().join("sweep.csv"),
    )?;
    let arms: Vec<String> = {
        let mut a: Vec<String> = Vec::new();
        for r in &rows {
            if !a.contains(&r.arm) {
                a.push(r.arm.clone());
            }
        }
        a
    };
    let series: Vec<(String, Vec<(f64, f64)>)> = arms
        .iter()
        .map(|a| {
            (
                a.clone(),
                rows.iter()
                    .filter(|r| &r.arm == a)
                    .map(|r| (r.value, 100.0 * r.p_loss))
                    .collect(),
            )
        })
        .collect();
    let title = format!(
        "Providers' chance of a loss over the term, by {}",
        grid.path
    );
    let axes = charts::LineAxes {
        x_label: &grid.path,
        log_x: false,
        y_label: "P(loss) (%)",
        y_range: Some((0.0, 100.0)),
        legend_upper: false,
    };
    charts::render(
        staged.dir(),
        "sweep",
        |r| charts::lines(r, &series, &title, axes),
        |r| charts::lines(r, &series, &title, axes),
    )?;
    let marker = serde_json::json!({
        "capsim_version": env!("CARGO_PKG_VERSION"),
        "param": grid.path,
        "values": grid.values.iter().map(|v| v.to_string()).collect::<Vec<_>>(),
    });
    std::fs::write(
        staged.dir().join(MARKER),
        serde_json::to_string_pretty(&marker)? + "\n",
    )?;
    let dir = staged.commit()?;
    let mut text = format!("\nProviders' P(loss) over the term by {}\n", grid.path);
    text += &format!("{:>14}", grid.path.rsplit('.').next().unwrap_or(&grid.path));
    for a in &arms {
        text += &format!(" {a:>16}");
    }
    text.push('\n');
    for value in &grid.values {
        text += &format!("{:>14}", value.to_string());
        for a in &arms {
            let r = rows
                .iter()
                .find(|r| &r.arm == a && r.value == as_f64(value));
            text += &format!(
                " {:>16}",
                r.map_or("–".to_string(), |r| format!(
                    "{:.0}% ± {:.0}",
                    100.0 * r.p_loss,
                    100.0 * r.p_loss_se
                ))
            );
        }
        text.push('\n');
    }
    Ok(text + &format!("{} points in {}\n", grid.values.len(), dir.display()))
}
