//! `capsim drivers DIR`: which uncertain inputs drive the spread of each arm's results.
//!
//! Every run records each replication's draw of every uncertain parameter
//! (`parameters.parquet`); with the number of bad winters in the term (a systematic shock drawn
//! per year) these are the drivers. For each arm, each driver is ranked by its rank (Spearman)
//! correlation with the providers' surplus over the term and with the commissioner's spend, and
//! measured by a swing: the mean result in the replications where the driver was in its lowest
//! tenth against its highest tenth (the bars of a tornado chart). Together the drivers explain
//! a share of the spread (adjusted R² of a regression on ranks). The rest is mostly chance (which
//! people fall ill and what their care costs, which no parameter describes), and partly what a
//! regression on ranks cannot see: effects that rise then fall, and inputs acting together.

use std::path::Path;

use polars::prelude::*;

use super::charts;
use super::{f64s, strs};
use crate::error::InputError;
use crate::run_folder::staging::StagedFolder;
use crate::run_folder::tables::write_csv_rounded_as;
use crate::run_folder::{self, PARAMETERS, RunFolder};

/// The name of the driver counting bad winters.
pub const BAD_WINTERS: &str = "bad winters in the term";

/// Share of replications at each end whose mean result gives the swing.
const TAIL: f64 = 0.1;

/// What a driver is measured against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Measure {
    ProviderSurplus,
    CommissionerSpend,
}

impl Measure {
    fn name(self) -> &'static str {
        match self {
            Measure::ProviderSurplus => "providers_surplus",
            Measure::CommissionerSpend => "commissioner_spend",
        }
    }
}

/// One driver's effect on one arm's measure.
struct Effect {
    arm: String,
    measure: Measure,
    driver: String,
    rank_correlation: f64,
    rank_correlation_se: f64,
    /// The measure's mean over all replications.
    mean: f64,
    mean_when_low: f64,
    mean_when_high: f64,
    /// R² of the measure's ranks on every driver's ranks (the same for every driver of an arm
    /// and measure).
    explained_together: f64,
}

/// Ranks from 1, ties given their mean rank.
fn ranks(values: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    let mut out = vec![0.0; values.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && values[order[j + 1]] == values[order[i]] {
            j += 1;
        }
        let rank = (i + j) as f64 / 2.0 + 1.0;
        for &k in &order[i..=j] {
            out[k] = rank;
        }
        i = j + 1;
    }
    out
}

fn correlation(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len() as f64;
    let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx).powi(2);
        syy += (b - my).powi(2);
    }
    if sxx > 0.0 && syy > 0.0 {
        sxy / (sxx * syy).sqrt()
    } else {
        f64::NAN
    }
}

/// Standard error of a rank correlation (Bonett and Wright's variance of its Fisher z, carried
/// back to the correlation's scale).
fn rank_correlation_se(rho: f64, n: usize) -> f64 {
    if n <= 3 {
        return f64::NAN;
    }
    (1.0 - rho * rho) * ((1.0 + rho * rho / 2.0) / (n as f64 - 3.0)).sqrt()
}

/// Adjusted R² of the least-squares regression of `y` on the columns `xs` (with an
/// intercept), by the normal equations on centred data; NaN when they are singular or there
/// are too few rows.
fn r_squared(xs: &[Vec<f64>], y: &[f64]) -> f64 {
    let (p, n) = (xs.len(), y.len());
    let centred = |v: &[f64]| -> Vec<f64> {
        let m = v.iter().sum::<f64>() / n as f64;
        v.iter().map(|x| x - m).collect()
    };
    let xc: Vec<Vec<f64>> = xs.iter().map(|x| centred(x)).collect();
    let yc = centred(y);
    let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>();
    // Augmented matrix [X'X | X'y], solved by Gaussian elimination with partial pivoting.
    let mut m: Vec<Vec<f64>> = (0..p)
        .map(|i| {
            let mut row: Vec<f64> = (0..p).map(|j| dot(&xc[i], &xc[j])).collect();
            row.push(dot(&xc[i], &yc));
            row
        })
        .collect();
    // Too few replications for the drivers: no fit can be told from chance.
    if p + 1 >= n {
        return f64::NAN;
    }
    let largest = (0..p).map(|i| m[i][i].abs()).fold(0.0, f64::max);
    for col in 0..p {
        let pivot = (col..p)
            .max_by(|&a, &b| m[a][col].abs().total_cmp(&m[b][col].abs()))
            .expect("rows left");
        if m[pivot][col].abs() <= 1e-10 * largest {
            return f64::NAN;
        }
        m.swap(col, pivot);
        let pivot_row = m[col].clone();
        for (r, row) in m.iter_mut().enumerate() {
            if r != col {
                let f = row[col] / pivot_row[col];
                for (x, &y) in row[col..].iter_mut().zip(&pivot_row[col..]) {
                    *x -= f * y;
                }
            }
        }
    }
    let beta: Vec<f64> = (0..p).map(|i| m[i][p] / m[i][i]).collect();
    let total = dot(&yc, &yc);
    if total <= 0.0 {
        return f64::NAN;
    }
    let fitted: Vec<f64> = (0..n)
        .map(|r| (0..p).map(|i| beta[i] * xc[i][r]).sum())
        .collect();
    // Adjusted for the number of drivers: pure noise explains about p/(n − 1) by chance.
    let r2 = dot(&fitted, &fitted) / total;
    1.0 - (1.0 - r2) * (n as f64 - 1.0) / (n as f64 - p as f64 - 1.0)
}

/// Mean of `y` over the replications whose `x` is among the lowest and among the highest
/// [`TAIL`] share. Replications tied at a tail's edge (a count of bad winters that half of them
/// share) count in it by the share of them it takes, each with their mean: what any order of
/// the ties would give on average, not the few a replication order happens to pick.
fn tails(x: &[f64], y: &[f64]) -> (f64, f64) {
    let mut order: Vec<usize> = (0..x.len()).collect();
    order.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
    let k = ((x.len() as f64 * TAIL).ceil() as usize).clamp(1, x.len().max(1));
    let low = tail_mean(&order, k, x, y);
    order.reverse();
    (low, tail_mean(&order, k, x, y))
}

/// Mean of `y` over the first `k` replications of `order` (sorted on `x`), those tied with
/// the k-th taking part by the share of them inside.
fn tail_mean(order: &[usize], k: usize, x: &[f64], y: &[f64]) -> f64 {
    let edge = x[order[k - 1]];
    let same = |i: usize| x[i].total_cmp(&edge).is_eq();
    let before: Vec<usize> = order[..k].iter().copied().filter(|&i| !same(i)).collect();
    let tied: Vec<f64> = order.iter().filter(|&&i| same(i)).map(|&i| y[i]).collect();
    let tied_mean = tied.iter().sum::<f64>() / tied.len() as f64;
    let taken = (k - before.len()) as f64;
    (before.iter().map(|&i| y[i]).sum::<f64>() + taken * tied_mean) / k as f64
}

/// The drivers of a run: each uncertain parameter's draws, and bad winters, by replication.
fn drivers_of(run: &RunFolder) -> anyhow::Result<Vec<(String, Vec<f64>)>> {
    let reps = run.scenario.replications as usize;
    let mut out = Vec::new();
    // Written when the run had an uncertain parameter: then it must still be there.
    if run_folder::was_written(&run.dir, PARAMETERS) {
        let params = run_folder::read_run_table(&run.dir, PARAMETERS, run.info.replications)?;
        let rep = f64s(&params, "rep")?;
        for name in params.get_column_names() {
            if name.as_str() == "rep" {
                continue;
            }
            let mut values = vec![f64::NAN; reps];
            for (r, v) in rep.iter().zip(f64s(&params, name)?) {
                values[*r as usize] = v;
            }
            out.push((name.to_string(), values));
        }
    }
    let world = &run.world;
    let (names, rep, winter) = (
        strs(world, "world")?,
        f64s(world, "rep")?,
        f64s(world, "bad_winter")?,
    );
    let mut winters = vec![0.0; reps];
    for i in 0..names.len() {
        if names[i] == crate::engine::STATUS_QUO {
            winters[rep[i] as usize] += winter[i];
        }
    }
    out.push((BAD_WINTERS.to_string(), winters));
    // A driver that never varies drives nothing.
    out.retain(|(_, v)| {
        let first = v[0];
        v.iter().all(|x| x.is_finite()) && v.iter().any(|x| *x != first)
    });
    Ok(out)
}

/// Per arm: (providers' surplus, commissioner's spend) over the term, by replication.
/// An arm's providers' surplus and commissioner's spend over the term, by replication.
type ArmOutcomes = (String, Vec<f64>, Vec<f64>);

fn outcomes(run: &RunFolder) -> anyhow::Result<Vec<ArmOutcomes>> {
    let reps = run.scenario.replications as usize;
    let t = &run.term;
    let (arm, party, rep) = (strs(t, "arm")?, strs(t, "party")?, f64s(t, "rep")?);
    let (surplus, cost) = (f64s(t, "surplus")?, f64s(t, "cost")?);
    Ok(run
        .arms()
        .into_iter()
        .map(|a| {
            let (mut providers, mut spend) = (vec![0.0; reps], vec![0.0; reps]);
            for i in 0..arm.len() {
                if arm[i] != a {
                    continue;
                }
                let r = rep[i] as usize;
                if party[i] == "commissioner" {
                    spend[r] += cost[i];
                } else {
                    providers[r] += surplus[i];
                }
            }
            (a, providers, spend)
        })
        .collect())
}

/// Fewer replications than this cannot tell a driver from chance: a rank correlation's error is
/// then above 0.2 even at 0.
const MIN_REPLICATIONS: u32 = 20;

fn effects(run: &RunFolder) -> anyhow::Result<(Vec<Effect>, usize)> {
    let replications = run.scenario.replications;
    if replications < MIN_REPLICATIONS {
        return Err(InputError::new(
            run.dir.display().to_string(),
            "replications",
            format!(
                "expected a run of at least {MIN_REPLICATIONS} replications to tell what drives \
                 the spread from chance, found {replications}: run the scenario again with \
                 --reps 200 or more, and ask capsim drivers of that run's folder"
            ),
        )
        .into());
    }
    let drivers = drivers_of(run)?;
    if drivers.is_empty() {
        return Err(InputError::new(
            run.dir.join(PARAMETERS).display().to_string(),
            "",
            "expected uncertain inputs to rank: every parameter of this run is fixed and no \
             winter was bad; give parameters distributions (docs/model.md) and run again",
        )
        .into());
    }
    let driver_ranks: Vec<Vec<f64>> = drivers.iter().map(|(_, v)| ranks(v)).collect();
    let mut out = Vec::new();
    for (arm, providers, spend) in outcomes(run)? {
        for (measure, y) in [
            (Measure::ProviderSurplus, &providers),
            (Measure::CommissionerSpend, &spend),
        ] {
            let y_ranks = ranks(y);
            let varies = y.iter().any(|v| *v != y[0]);
            // A measure the contract fixes (a block's spend) has nothing to explain.
            let together = if varies {
                r_squared(&driver_ranks, &y_ranks)
            } else {
                f64::NAN
            };
            let mean = y.iter().sum::<f64>() / y.len() as f64;
            for ((name, x), x_ranks) in drivers.iter().zip(&driver_ranks) {
                let rho = correlation(x_ranks, &y_ranks);
                let (low, high) = tails(x, y);
                out.push(Effect {
                    arm: arm.clone(),
                    measure,
                    driver: name.clone(),
                    rank_correlation: rho,
                    rank_correlation_se: rank_correlation_se(rho, y.len()),
                    mean,
                    mean_when_low: low,
                    mean_when_high: high,
                    explained_together: together,
                });
            }
        }
    }
    Ok((out, drivers.len()))
}

/// drivers.csv: each arm's and measure's drivers strongest first, ranked from 1 (no rank, and
/// no correlation, for a measure the contract fixes).
fn frame(effects: &[Effect], arms: &[String]) -> PolarsResult<DataFrame> {
    let rows: Vec<(usize, &Effect)> = arms
        .iter()
        .flat_map(|a| {
            [Measure::ProviderSurplus, Measure::CommissionerSpend]
                .into_iter()
                .flat_map(move |m| ranked(effects, a, m).into_iter().enumerate())
        })
        .map(|(i, e)| (i + 1, e))
        .collect();
    let num = |f: &dyn Fn(&Effect) -> f64| -> Vec<f64> { rows.iter().map(|(_, e)| f(e)).collect() };
    // NaN (nothing to rank) is an empty cell, as everywhere else in capsim's tables.
    let known = |f: &dyn Fn(&Effect) -> f64| -> Vec<Option<f64>> {
        rows.iter()
            .map(|(_, e)| Some(f(e)).filter(|x| !x.is_nan()))
            .collect()
    };
    let text =
        |f: &dyn Fn(&Effect) -> String| -> Vec<String> { rows.iter().map(|(_, e)| f(e)).collect() };
    let rank: Vec<Option<u32>> = rows
        .iter()
        .map(|(rank, e)| (!e.rank_correlation.is_nan()).then_some(*rank as u32))
        .collect();
    DataFrame::new(
        rows.len(),
        vec![
            Column::new("arm".into(), text(&|e| e.arm.clone())),
            Column::new("measure".into(), text(&|e| e.measure.name().into())),
            Column::new("rank".into(), rank),
            Column::new("driver".into(), text(&|e| e.driver.clone())),
            Column::new("rank_correlation".into(), known(&|e| e.rank_correlation)),
            Column::new(
                "rank_correlation_se".into(),
                known(&|e| e.rank_correlation_se),
            ),
            Column::new("mean".into(), num(&|e| e.mean)),
            Column::new("mean_when_low".into(), num(&|e| e.mean_when_low)),
            Column::new("mean_when_high".into(), num(&|e| e.mean_when_high)),
            Column::new("swing".into(), num(&|e| e.mean_when_high - e.mean_when_low)),
            Column::new(
                "explained_together".into(),
                known(&|e| e.explained_together),
            ),
        ],
    )
}

/// The effects of one arm's measure, strongest first.
fn ranked<'a>(effects: &'a [Effect], arm: &str, measure: Measure) -> Vec<&'a Effect> {
    let mut v: Vec<&Effect> = effects
        .iter()
        .filter(|e| e.arm == arm && e.measure == measure)
        .collect();
    // Strongest first; a measure that does not vary keeps the drivers' order.
    let strength = |e: &Effect| {
        if e.rank_correlation.is_nan() {
            0.0
        } else {
            e.rank_correlation.abs()
        }
    };
    v.sort_by(|a, b| strength(b).total_cmp(&strength(a)));
    v
}

fn draw(dir: &Path, effects: &[Effect], arm: &str, years: u32) -> anyhow::Result<()> {
    let providers = ranked(effects, arm, Measure::ProviderSurplus);
    let bar = |e: &Effect| charts::TornadoBar {
        label: e.driver.clone(),
        low: (e.mean_when_low - e.mean) / 1e6,
        high: (e.mean_when_high - e.mean) / 1e6,
        note: if e.rank_correlation.is_nan() {
            "fixed".into()
        } else {
            format!("ρ {}", charts::with_minus(e.rank_correlation, 2))
        },
    };
    let commissioner: Vec<charts::TornadoBar> = providers
        .iter()
        .map(|p| {
            effects
                .iter()
                .find(|e| {
                    e.arm == arm && e.measure == Measure::CommissionerSpend && e.driver == p.driver
                })
                .map(bar)
                .expect("both measures")
        })
        .collect();
    let providers: Vec<charts::TornadoBar> = providers.into_iter().map(bar).collect();
    let tornado = charts::Tornado {
        title: &format!("What drives the spread under {arm}: results over {years} years"),
        left: ("providers' surplus against its mean (£m)", &providers, 0.0),
        right: (
            "commissioner's spend against its mean (£m)",
            &commissioner,
            0.0,
        ),
        key: "Bars: mean result when the driver is in its lowest tenth (light end) and its \
              highest tenth (dark end), against the mean of all replications; ρ: rank correlation",
    };
    let size = charts::tornado_size(providers.len());
    charts::render_sized(
        dir,
        "drivers",
        size,
        |r| charts::tornado(r, &tornado),
        |r| charts::tornado(r, &tornado),
    )
}

/// Ranks the drivers of the run in `dir` and writes drivers.csv and the tornado chart of
/// `arm` (the first arm when `None`) into it; returns what the terminal shows.
pub fn drivers(dir: &Path, arm: Option<&str>) -> anyhow::Result<String> {
    let run = RunFolder::open(dir)?;
    let arms = run.arms();
    let charted = match arm {
        Some(a) if arms.iter().any(|x| x == a) => a.to_string(),
        Some(a) => {
            return Err(InputError::new(
                "command line",
                "--arm",
                crate::unknown_name::unknown("arm", a, &arms, "an arm (the run has none)"),
            )
            .into());
        }
        None => arms[0].clone(),
    };
    let (effects, count) = effects(&run)?;
    let staged = StagedFolder::inside(dir)?;
    write_csv_rounded_as(
        &frame(&effects, &arms)?,
        &[
            ("rank_correlation", 4),
            ("explained_together", 4),
            ("mean", 2),
            ("mean_when_low", 2),
            ("mean_when_high", 2),
            ("swing", 2),
        ],
        &staged.dir().join("drivers.csv"),
    )?;
    draw(staged.dir(), &effects, &charted, run.scenario.years)?;
    staged.commit_files_into()?;
    // The name column as wide as the longest name (an intervention's effect paths run long).
    let width = effects
        .iter()
        .map(|e| e.driver.chars().count())
        .chain(["explained together by these inputs".len()])
        .max()
        .unwrap_or(0);
    let mut text = String::new();
    for a in &arms {
        text += &format!("\n{a}: what drives the results over the term (rank correlation)\n");
        text += &format!(
            "{:<width$} {:>16} {:>16}\n",
            "", "providers", "commissioner"
        );
        let providers = ranked(&effects, a, Measure::ProviderSurplus);
        for p in &providers {
            let c = effects
                .iter()
                .find(|e| {
                    e.arm == *a && e.measure == Measure::CommissionerSpend && e.driver == p.driver
                })
                .expect("both measures");
            let show = |e: &Effect| {
                if e.rank_correlation.is_nan() {
                    "–".to_string()
                } else {
                    // A correlation that rounds to 0 is 0.00, not -0.00.
                    let r = if e.rank_correlation.abs() < 0.005 {
                        0.0
                    } else {
                        e.rank_correlation
                    };
                    format!("{r:.2} ± {:.2}", e.rank_correlation_se)
                }
            };
            text += &format!("{:<width$} {:>16} {:>16}\n", p.driver, show(p), show(c));
        }
        let together = |m: Measure| {
            effects
                .iter()
                .find(|e| e.arm == *a && e.measure == m)
                .map_or(f64::NAN, |e| e.explained_together)
        };
        let share = |x: f64| {
            if x.is_nan() {
                "fixed".to_string()
            } else {
                // An adjusted R² at or below 0 is nothing explained (drivers.csv keeps its
                // value), not "-9%".
                if x <= 0.005 {
                    "none".to_string()
                } else {
                    format!("{:.0}%", 100.0 * x)
                }
            }
        };
        text += &format!(
            "{:<width$} {:>16} {:>16}\n",
            "explained together by these inputs",
            share(together(Measure::ProviderSurplus)),
            share(together(Measure::CommissionerSpend))
        );
    }
    Ok(text
        + &format!(
            "{count} drivers ranked; drivers.csv and the chart of {charted} in {}\n",
            dir.display()
        ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tail whose edge falls among tied values (19 of 40 futures with no bad winter) is the
    /// tied futures' mean, whichever order they come in; untied, it is the tail's own mean.
    #[test]
    fn a_tail_ending_among_ties_takes_their_mean() {
        let x: Vec<f64> = (0..40)
            .map(|i| if i < 19 { 0.0 } else { f64::from(i) })
            .collect();
        let y: Vec<f64> = (0..40).map(f64::from).collect();
        let tied_mean = (0..19).map(f64::from).sum::<f64>() / 19.0;
        let (low, high) = tails(&x, &y);
        assert!((low - tied_mean).abs() < 1e-12, "{low}");
        assert!(
            (high - (36.0 + 37.0 + 38.0 + 39.0) / 4.0).abs() < 1e-12,
            "{high}"
        );
        let mut reversed = y.clone();
        reversed[..19].reverse();
        assert!((tails(&x, &reversed).0 - tied_mean).abs() < 1e-12);
        // Part of a tied group: two of three tied futures inside a tail of four.
        let x = [
            0.0, 1.0, 2.0, 2.0, 2.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0, 15.0,
            16.0, 17.0, 18.0, 19.0, 20.0, 21.0, 22.0, 23.0, 24.0, 25.0, 26.0, 27.0, 28.0, 29.0,
            30.0, 31.0,
        ];
        let y: Vec<f64> = (0..x.len()).map(|i| i as f64).collect();
        let expected = (0.0 + 1.0 + 2.0 * (2.0 + 3.0 + 4.0) / 3.0) / 4.0;
        assert!((tails(&x, &y).0 - expected).abs() < 1e-12);
    }

    #[test]
    fn ties_share_their_mean_rank() {
        assert_eq!(ranks(&[3.0, 1.0, 3.0, 2.0]), vec![3.5, 1.0, 3.5, 2.0]);
    }

    #[test]
    fn r_squared_of_an_exact_line_is_one_and_of_noise_near_zero() {
        let x: Vec<f64> = (0..200).map(f64::from).collect();
        let y: Vec<f64> = x.iter().map(|v| 3.0 * v + 1.0).collect();
        assert!((r_squared(std::slice::from_ref(&x), &y) - 1.0).abs() < 1e-12);
        // A scrambled order of the same values is unrelated to x.
        let noise: Vec<f64> = (0..200).map(|i| ((i * 7919) % 200) as f64).collect();
        assert!(r_squared(&[x], &noise) < 0.05);
    }
}
