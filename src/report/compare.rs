//! `capsim compare DIR DIR…`: several runs side by side (two scenarios, two sizes, two seeds),
//! in £ and per person per year so places of different size compare.

use std::path::{Path, PathBuf};

use polars::prelude::*;

use super::charts::{self, Spread};
use super::{f64s, strs};
use crate::error::InputError;
use crate::run_folder::RunFolder;
use crate::run_folder::staging::{Committed, Destination, StagedFolder};
use crate::run_folder::tables::write_rounded_csv;

/// Marks a folder written by `capsim compare`, so a later comparison may replace it.
pub const MARKER: &str = "compare.json";

/// One arm of one run, over the term: the headline party's surplus (or the commissioner's
/// spend) and the person-years it is spread over.
#[derive(Debug, Clone)]
struct Row {
    run: String,
    scenario: String,
    years: u32,
    start_year: i32,
    arm: String,
    party: String,
    role: String,
    replications: f64,
    person_years: f64,
    mean: f64,
    p5: f64,
    p25: f64,
    p50: f64,
    p50_se: f64,
    p75: f64,
    p95: f64,
    p_loss: f64,
    p_loss_se: f64,
    p_loss_over_2pct: f64,
    p_loss_over_2pct_se: f64,
}

impl Row {
    fn is_commissioner(&self) -> bool {
        self.role == "commissioner"
    }

    fn per_head(&self, x: f64) -> f64 {
        if self.person_years > 0.0 {
            x / self.person_years
        } else {
            f64::NAN
        }
    }
}

/// Checks the folders to compare and where the comparison goes, before reading anything.
pub fn check(dirs: &[PathBuf], out: &Path) -> Result<Destination, InputError> {
    if dirs.len() < 2 {
        return Err(InputError::new(
            "command line",
            "the run folders",
            format!(
                "expected at least two run folders to compare, found {}",
                dirs.len()
            ),
        ));
    }
    // The same run twice (however its path is written) compares nothing with itself.
    let same = |d: &PathBuf| std::fs::canonicalize(d).unwrap_or_else(|_| d.clone());
    for (i, dir) in dirs.iter().enumerate() {
        if let Some(earlier) = dirs[..i].iter().find(|e| same(e) == same(dir)) {
            return Err(InputError::new(
                "command line",
                "the run folders",
                format!(
                    "expected different run folders; {} and {} are the same folder",
                    earlier.display(),
                    dir.display()
                ),
            ));
        }
    }
    check_destination(out)
}

/// The comparison's folder: new, empty, or an earlier comparison.
fn check_destination(out: &Path) -> Result<Destination, InputError> {
    Destination::check_marked_folder(
        out,
        MARKER,
        "a capsim comparison folder (it has no compare.json)",
    )
}

/// Short names for the runs: their folder names, or their paths when two share a name.
fn labels(dirs: &[PathBuf]) -> Vec<String> {
    let names: Vec<String> = dirs
        .iter()
        .map(|d| {
            d.file_name()
                .map_or_else(|| d.display().to_string(), |n| n.to_string_lossy().into())
        })
        .collect();
    let unique = names
        .iter()
        .all(|n| names.iter().filter(|m| *m == n).count() == 1);
    if unique {
        names
    } else {
        dirs.iter().map(|d| d.display().to_string()).collect()
    }
}

fn rows_of(label: &str, run: &RunFolder) -> anyhow::Result<Vec<Row>> {
    let t = super::tables(run)?;
    let s = &t.summary;
    let (arm, party, role, horizon) = (
        strs(s, "arm")?,
        strs(s, "party")?,
        strs(s, "role")?,
        strs(s, "horizon")?,
    );
    let g = |c: &str| f64s(s, c);
    let columns = [
        "replications",
        "person_years",
        "mean",
        "p5",
        "p25",
        "p50",
        "p50_se",
        "p75",
        "p95",
        "p_loss",
        "p_loss_se",
        "p_loss_over_2pct",
        "p_loss_over_2pct_se",
    ];
    let v: Vec<Vec<f64>> = columns.iter().map(|c| g(c)).collect::<PolarsResult<_>>()?;
    let headline = run.headline_party();
    Ok((0..arm.len())
        .filter(|&i| horizon[i] == "term" && (party[i] == headline || role[i] == "commissioner"))
        .map(|i| Row {
            run: label.to_string(),
            scenario: run.scenario.name.clone(),
            years: run.scenario.years,
            start_year: run.scenario.start_year,
            arm: arm[i].clone(),
            party: party[i].clone(),
            role: role[i].clone(),
            replications: v[0][i],
            person_years: v[1][i],
            mean: v[2][i],
            p5: v[3][i],
            p25: v[4][i],
            p50: v[5][i],
            p50_se: v[6][i],
            p75: v[7][i],
            p95: v[8][i],
            p_loss: v[9][i],
            p_loss_se: v[10][i],
            p_loss_over_2pct: v[11][i],
            p_loss_over_2pct_se: v[12][i],
        })
        .collect())
}

/// The commissioner's row of `run`'s arm `arm`, if it has one.
fn commissioner_row<'a>(rows: &'a [Row], run: &str, arm: &str) -> Option<&'a Row> {
    rows.iter()
        .find(|c| c.run == run && c.arm == arm && c.is_commissioner())
}

/// The row of the first run for the same arm as `r` and the same side (the headline
/// providers, or the commissioner), if it has one: what a change is measured from. The
/// headline is matched whatever its name: one run's single `provider` against another's
/// `all providers` is the providers' result in each.
fn first_runs<'a>(rows: &'a [Row], r: &Row) -> Option<&'a Row> {
    let first = &rows.first()?.run;
    rows.iter()
        .find(|f| &f.run == first && f.arm == r.arm && f.is_commissioner() == r.is_commissioner())
}

fn frame(rows: &[Row]) -> PolarsResult<DataFrame> {
    let text = |f: fn(&Row) -> &str| -> Vec<&str> { rows.iter().map(f).collect() };
    let num = |f: &dyn Fn(&Row) -> f64| -> Vec<f64> { rows.iter().map(f).collect() };
    let optional = |f: &dyn Fn(&Row) -> f64| -> Vec<Option<f64>> {
        rows.iter()
            .map(|r| Some(f(r)).filter(|x| x.is_finite()))
            .collect()
    };
    let change = |f: &dyn Fn(&Row) -> f64| -> Vec<Option<f64>> {
        rows.iter()
            .map(|r| {
                let first = first_runs(rows, r).filter(|f| f.run != r.run)?;
                Some(f(r) - f(first)).filter(|x| x.is_finite())
            })
            .collect()
    };
    DataFrame::new(
        rows.len(),
        vec![
            Column::new("run".into(), text(|r| &r.run)),
            Column::new("scenario".into(), text(|r| &r.scenario)),
            Column::new(
                "start_year".into(),
                rows.iter().map(|r| r.start_year).collect::<Vec<i32>>(),
            ),
            Column::new(
                "years".into(),
                rows.iter().map(|r| r.years).collect::<Vec<u32>>(),
            ),
            Column::new("arm".into(), text(|r| &r.arm)),
            Column::new("party".into(), text(|r| &r.party)),
            Column::new("role".into(), text(|r| &r.role)),
            Column::new(
                "replications".into(),
                rows.iter()
                    .map(|r| r.replications as u32)
                    .collect::<Vec<u32>>(),
            ),
            Column::new("person_years".into(), num(&|r| r.person_years)),
            Column::new("mean".into(), num(&|r| r.mean)),
            Column::new("p5".into(), num(&|r| r.p5)),
            Column::new("p25".into(), num(&|r| r.p25)),
            Column::new("p50".into(), num(&|r| r.p50)),
            Column::new("p50_se".into(), num(&|r| r.p50_se)),
            Column::new("p75".into(), num(&|r| r.p75)),
            Column::new("p95".into(), num(&|r| r.p95)),
            Column::new("p_loss".into(), optional(&|r| r.p_loss)),
            Column::new("p_loss_se".into(), optional(&|r| r.p_loss_se)),
            Column::new("mean_per_head".into(), num(&|r| r.per_head(r.mean))),
            Column::new("p5_per_head".into(), num(&|r| r.per_head(r.p5))),
            Column::new("p50_per_head".into(), num(&|r| r.per_head(r.p50))),
            Column::new("p50_se_per_head".into(), num(&|r| r.per_head(r.p50_se))),
            Column::new("p95_per_head".into(), num(&|r| r.per_head(r.p95))),
            Column::new("p_loss_over_2pct".into(), optional(&|r| r.p_loss_over_2pct)),
            Column::new(
                "p_loss_over_2pct_se".into(),
                optional(&|r| r.p_loss_over_2pct_se),
            ),
            // Against the first run's same arm and side (providers or commissioner); empty in
            // the first run's rows and for an arm it does not have.
            Column::new("p50_per_head_change".into(), change(&|r| r.per_head(r.p50))),
            Column::new(
                "mean_per_head_change".into(),
                change(&|r| r.per_head(r.mean)),
            ),
            Column::new("p95_per_head_change".into(), change(&|r| r.per_head(r.p95))),
            Column::new("p_loss_change".into(), change(&|r| r.p_loss)),
        ],
    )
}

fn terminal_table(rows: &[Row]) -> String {
    let width = rows
        .iter()
        .map(|r| r.run.len() + r.arm.len() + 3)
        .max()
        .unwrap_or(10);
    let mut out = format!(
        "\nOver the term, per person per year (£): provider surplus (below 0 is a loss; P(loss>2%): \
         the chance of losing more than 2% of income), and the commissioner's spend\n\
         {:<width$} {:>20} {:>10} {:>10} {:>12} {:>10} {:>12} {:>10}\n",
        "run · arm", "median ± se", "p5", "p95", "P(loss)", "P(loss>2%)", "spend mean", "spend p95"
    );
    for p in rows.iter().filter(|r| !r.is_commissioner()) {
        let spend = commissioner_row(rows, &p.run, &p.arm);
        out += &format!(
            "{:<width$} {:>20} {:>10.1} {:>10.1} {:>12} {:>10} {:>12.0} {:>10.0}\n",
            format!("{} · {}", p.run, p.arm),
            format!("{:.1} ± {:.1}", p.per_head(p.p50), p.per_head(p.p50_se)),
            p.per_head(p.p5),
            p.per_head(p.p95),
            super::percent_with_error(p.p_loss, p.p_loss_se, 0),
            format!("{:.0}%", super::percent_rounded(p.p_loss_over_2pct, 0)),
            spend.map_or(f64::NAN, |c| c.per_head(c.mean)),
            spend.map_or(f64::NAN, |c| c.per_head(c.p95)),
        );
    }
    out + &changes_table(rows, width)
}

/// Each later run's arms against the first run's same arm: the change in the median surplus,
/// P(loss) and the commissioner's mean spend, per person per year. Nothing when there is one
/// run, or no arm in common.
fn changes_table(rows: &[Row], width: usize) -> String {
    let Some(first) = rows.first().map(|r| r.run.clone()) else {
        return String::new();
    };
    let lines: Vec<String> = rows
        .iter()
        .filter(|r| !r.is_commissioner() && r.run != first)
        .filter_map(|p| {
            let before = first_runs(rows, p)?;
            let spend = |run: &str| commissioner_row(rows, run, &p.arm).map(|c| c.per_head(c.mean));
            let spend_change = match (spend(&p.run), spend(&before.run)) {
                (Some(now), Some(then)) => format!("{:+.0}", now - then),
                _ => "–".into(),
            };
            Some(format!(
                "{:<width$} {:>20} {:>12} {:>14}\n",
                format!("{} · {}", p.run, p.arm),
                format!("{:+.1}", p.per_head(p.p50) - before.per_head(before.p50)),
                format!("{:+.0} points", 100.0 * (p.p_loss - before.p_loss)),
                spend_change,
            ))
        })
        .collect();
    if lines.is_empty() {
        return String::new();
    }
    format!(
        "\nAgainst {first}'s same arm, per person per year (£)\n{:<width$} {:>20} {:>12} {:>14}\n{}",
        "run · arm",
        "median surplus",
        "P(loss)",
        "spend mean",
        lines.concat()
    )
}

/// Compares the run folders `dirs`, writing compare.csv and the compare chart into `out`;
/// returns the table the terminal shows.
pub fn compare(dirs: &[PathBuf], destination: Destination) -> anyhow::Result<String> {
    let runs: Vec<RunFolder> = dirs
        .iter()
        .map(|d| RunFolder::open(d))
        .collect::<anyhow::Result<_>>()?;
    let labels = labels(dirs);
    let mut rows = Vec::new();
    for (label, run) in labels.iter().zip(&runs) {
        rows.extend(rows_of(label, run)?);
    }
    let staged = StagedFolder::with_check(destination, check_destination)?;
    write_rounded_csv(&frame(&rows)?, "compare", &staged.dir().join("compare.csv"))?;
    let spreads: Vec<(String, Spread)> = rows
        .iter()
        .filter(|r| !r.is_commissioner())
        .map(|r| {
            (
                format!("{} · {}", r.run, r.arm),
                Spread {
                    p5: r.per_head(r.p5),
                    p25: r.per_head(r.p25),
                    p50: r.per_head(r.p50),
                    p75: r.per_head(r.p75),
                    p95: r.per_head(r.p95),
                    mean: r.per_head(r.mean),
                },
            )
        })
        .collect();
    let title = "Provider surplus per person per year over the term, by run and payment model";
    let x_label = "Surplus per person per year (£); left of 0 = loss";
    let size = charts::rows_size(spreads.len());
    charts::render_sized(
        staged.dir(),
        "compare",
        size,
        |r| charts::spread_rows(r, &spreads, title, x_label),
        |r| charts::spread_rows(r, &spreads, title, x_label),
    )?;
    let marker = serde_json::json!({
        "capsim_version": crate::VERSION,
        "capsim_source": crate::SOURCE,
        "runs": dirs.iter().map(|d| d.display().to_string()).collect::<Vec<_>>(),
    });
    crate::run_folder::write_named(
        &staged.dir().join(MARKER),
        serde_json::to_string_pretty(&marker)? + "\n",
    )?;
    // An empty folder given as --out is a new one; only an earlier comparison is replaced.
    let Committed { dir, replaced } = staged.commit()?;
    Ok(terminal_table(&rows)
        + &format!(
            "comparison of {} runs in {}{}\n",
            runs.len(),
            dir.display(),
            if replaced {
                " (replacing the earlier comparison there)"
            } else {
                ""
            }
        )
        + &unpaired(&rows)
        + &how_they_differ(&labels, &runs))
}

/// What a reader should know of runs that differ in more than their scenarios: different seeds
/// do not share their futures (a difference between them includes chance), and fewer
/// replications make rough figures.
fn how_they_differ(labels: &[String], runs: &[RunFolder]) -> String {
    let mut text = String::new();
    let seeds: Vec<u64> = runs.iter().map(|r| r.info.seed).collect();
    if seeds.iter().any(|&s| s != seeds[0]) {
        let each: Vec<String> = labels
            .iter()
            .zip(&seeds)
            .map(|(l, s)| format!("{l} {s}"))
            .collect();
        text += &format!(
            "The runs have different seeds ({}): they do not share their simulated futures, so \
             their differences include chance as well as the scenarios.\n",
            each.join(", ")
        );
    }
    let terms: Vec<(u32, i32)> = runs
        .iter()
        .map(|r| (r.scenario.years, r.scenario.start_year))
        .collect();
    if terms.iter().any(|&t| t != terms[0]) {
        let each: Vec<String> = labels
            .iter()
            .zip(&terms)
            .map(|(l, (years, start))| format!("{l} {years} years from {start}"))
            .collect();
        text += &format!(
            "The runs cover different terms ({}): each figure is over its own run's term, so \
             the chances of a loss and the percentiles are not like for like, and the per-head \
             figures average over terms of different lengths, whose prices rise year by year.\n",
            each.join(", ")
        );
    }
    let fewest = runs.iter().map(|r| r.info.replications).min().unwrap_or(0);
    text += &super::rough_note(fewest);
    text
}

/// The arms of later runs that the first run does not have, by run: no change is given for
/// them.
fn unpaired(rows: &[Row]) -> String {
    let Some(first) = rows.first().map(|r| r.run.clone()) else {
        return String::new();
    };
    let mut lines = String::new();
    let mut runs: Vec<&str> = rows.iter().map(|r| r.run.as_str()).collect();
    runs.dedup();
    for run in runs.into_iter().filter(|r| *r != first) {
        let missing: Vec<&str> = rows
            .iter()
            .filter(|r| r.run == run && !r.is_commissioner() && first_runs(rows, r).is_none())
            .map(|r| r.arm.as_str())
            .collect();
        if !missing.is_empty() {
            lines += &format!(
                "{run}'s {} no arm of the same name in {first}, so no change is given for {}.\n",
                match missing.as_slice() {
                    [one] => format!("arm {one} has"),
                    more => format!("arms {} have", more.join(", ")),
                },
                if missing.len() == 1 { "it" } else { "them" }
            );
        }
    }
    lines
}
