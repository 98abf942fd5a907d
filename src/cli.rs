//! Command-line arguments, and the commands they run.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};

use crate::engine::{self, Model, Observer};
use crate::error::InputError;
use crate::output::{self, RunInfo, StagedDir, summary};
use crate::scenario::{Scenario, load_scenario};

#[derive(Debug, Parser)]
#[command(
    name = "capsim",
    version,
    about = "Population capitation simulator: the spread of financial outcomes of NHS payment models"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Simulate a scenario (the built-in default when none is given) and write its results.
    Run {
        /// Scenario file (TOML).
        scenario: Option<PathBuf>,
        /// Number of replications (overrides the scenario).
        #[arg(long)]
        reps: Option<u32>,
        /// Master seed (overrides the scenario).
        #[arg(long)]
        seed: Option<u64>,
        /// Worker threads (default: all cores). Results do not depend on it.
        #[arg(long)]
        threads: Option<usize>,
        /// Output folder (default: output/<scenario name>).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Check a scenario file and report every problem.
    Validate { scenario: PathBuf },
    /// Write a scenario's starting population as head counts per cell (.csv or .parquet).
    Population {
        /// Scenario file (the built-in default when omitted).
        scenario: Option<PathBuf>,
        #[arg(long)]
        out: PathBuf,
    },
    /// Rebuild summary tables, charts and report.html from an existing run folder.
    Report {
        /// A folder written by `capsim run`.
        dir: PathBuf,
    },
    /// Redraw the charts (PNG and SVG) of an existing run folder.
    Plot {
        /// A folder written by `capsim run`.
        dir: PathBuf,
    },
    /// Print the JSON Schema of scenario files (for editors).
    Schema,
}

fn threads_or_all(threads: Option<usize>) -> usize {
    threads.unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    })
}

/// A progress bar on stderr when stderr is a terminal.
struct Progress(Option<ProgressBar>);

impl Progress {
    fn new(total: u64) -> Self {
        if !std::io::stderr().is_terminal() {
            return Progress(None);
        }
        let bar = ProgressBar::new(total);
        bar.set_style(
            ProgressStyle::with_template(
                "{elapsed_precise} [{bar:40}] {pos}/{len} replications ({eta} left)",
            )
            .expect("valid template")
            .progress_chars("=> "),
        );
        Progress(Some(bar))
    }
    fn finish(&self) {
        if let Some(b) = &self.0 {
            b.finish_and_clear();
        }
    }
}

impl Observer for Progress {
    fn replication_done(&self) {
        if let Some(b) = &self.0 {
            b.inc(1);
        }
    }
}

/// Runs the parsed command.
pub fn execute(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Run {
            scenario,
            reps,
            seed,
            threads,
            out,
        } => run(
            scenario.as_deref(),
            reps,
            seed,
            threads,
            out.as_deref(),
            true,
        )
        .map(|_| ()),
        Command::Validate { scenario } => {
            let loaded = load_scenario(Some(&scenario))?;
            Model::build(&loaded)?;
            println!(
                "{}: valid scenario \"{}\"",
                scenario.display(),
                loaded.scenario.name
            );
            Ok(())
        }
        Command::Population { scenario, out } => {
            let loaded = load_scenario(scenario.as_deref())?;
            let model = Model::build(&loaded)?;
            write_population(&model, &out)?;
            eprintln!(
                "{} people in {} occupied cells written to {}",
                model.initial.total(),
                model.initial.occupied_cells(),
                out.display()
            );
            Ok(())
        }
        Command::Report { dir } => rebuild(&dir, false),
        Command::Plot { dir } => rebuild(&dir, true),
        Command::Schema => {
            println!("{}", Scenario::json_schema());
            Ok(())
        }
    }
}

/// Rebuilds a run folder's outputs: written to a staging folder first, then moved in, so a
/// failure leaves the folder as it was.
fn rebuild(dir: &Path, charts_only: bool) -> anyhow::Result<()> {
    let run = crate::report::RunFolder::open(dir)?;
    let staging = dir.join(format!(".rebuild-{}", std::process::id()));
    std::fs::create_dir_all(&staging)?;
    let result = (|| -> anyhow::Result<()> {
        if charts_only {
            let t = crate::report::tables(&run)?;
            crate::report::write_charts(&run, &t, &staging)?;
        } else {
            print!("{}", crate::report::write_outputs(&run, &staging)?);
        }
        for entry in std::fs::read_dir(&staging)? {
            let entry = entry?;
            std::fs::rename(entry.path(), dir.join(entry.file_name()))?;
        }
        Ok(())
    })();
    let _ = std::fs::remove_dir_all(&staging);
    result?;
    eprintln!(
        "{} rebuilt in {}",
        if charts_only {
            "charts"
        } else {
            "tables, charts and report"
        },
        dir.display()
    );
    Ok(())
}

fn write_population(model: &Model, out: &Path) -> anyhow::Result<()> {
    let ext = out.extension().and_then(|e| e.to_str()).unwrap_or("");
    if ext != "csv" && ext != "parquet" {
        return Err(InputError::new(
            out.display().to_string(),
            "--out",
            "expected a file name ending in .csv or .parquet",
        )
        .into());
    }
    let mut df = output::population_frame(&model.initial)?;
    // Written beside the target and renamed, so a failure leaves no partial file.
    let tmp = out.with_extension(format!("{ext}.partial"));
    let result = if ext == "csv" {
        output::write_csv(&mut df, &tmp)
    } else {
        output::write_parquet(&mut df, &tmp)
    };
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    std::fs::rename(&tmp, out).with_context(|| format!("moving {} into place", out.display()))?;
    Ok(())
}

/// `capsim run`: simulate, write the run folder, print the summary. Returns the folder.
pub fn run(
    scenario: Option<&Path>,
    reps: Option<u32>,
    seed: Option<u64>,
    threads: Option<usize>,
    out: Option<&Path>,
    print: bool,
) -> anyhow::Result<PathBuf> {
    let mut loaded = load_scenario(scenario)?;
    if let Some(r) = reps {
        if r == 0 {
            return Err(InputError::new(
                "command line",
                "--reps",
                "expected at least 1 replication",
            )
            .into());
        }
        loaded.scenario.replications = r;
    }
    if let Some(s) = seed {
        loaded.scenario.seed = s;
    }
    let threads = threads_or_all(threads);
    let model = Model::build(&loaded)?;
    let dest = out
        .map(Path::to_path_buf)
        .unwrap_or_else(|| Path::new("output").join(&model.scenario.name));
    let staged = StagedDir::new(&dest)?;
    let started = Instant::now();
    let progress = Progress::new(u64::from(model.scenario.replications));
    let results = engine::run(&model, threads, &progress)?;
    progress.finish();
    let elapsed = started.elapsed().as_secs_f64();

    let mut world = output::world_frame(&model, &results)?;
    output::write_parquet(&mut world, &staged.path("world.parquet"))?;
    if let Some(contracts) = &model.contracts {
        let mut ledger =
            crate::ledger::ledger_frame(contracts, &results, model.scenario.start_year)?;
        output::write_parquet(&mut ledger, &staged.path("ledger.parquet"))?;
        let mut term = crate::ledger::term_frame(contracts, &results)?;
        output::write_parquet(&mut term, &staged.path("ledger_term.parquet"))?;
        let mut equity = crate::ledger::equity_frame(contracts, &results)?;
        output::write_parquet(&mut equity, &staged.path("equity.parquet"))?;
    }
    let mut resolved = model.scenario.clone();
    if let Some(csv) = &resolved.population.counts_csv {
        std::fs::copy(csv, staged.path("population_counts.csv"))
            .with_context(|| format!("copying {csv}"))?;
        resolved.population.counts_csv = Some("population_counts.csv".into());
    }
    resolved.base = None;
    let header = "# Fully resolved scenario of this run (base merged, defaults filled).\n# Reproduce: capsim run scenario.toml --threads N (any N gives identical results)\n".to_string();
    std::fs::write(staged.path("scenario.toml"), header + &resolved.to_toml())?;
    let info = RunInfo {
        capsim_version: env!("CARGO_PKG_VERSION").into(),
        scenario: model.scenario.name.clone(),
        scenario_file: loaded.file.clone(),
        seed: model.scenario.seed,
        replications: model.scenario.replications,
        years: model.scenario.years,
        threads,
        elapsed_seconds: elapsed,
        command: std::env::args().collect::<Vec<_>>().join(" "),
    };
    std::fs::write(
        staged.path("run.json"),
        serde_json::to_string_pretty(&info)? + "\n",
    )?;
    // Tables, charts and the report, built from the folder's own files as `capsim report` would.
    let headline = match &model.contracts {
        Some(_) => crate::report::write_outputs(
            &crate::report::RunFolder::open(&staged.tmp)?,
            &staged.tmp,
        )?,
        None => String::new(),
    };
    let dest = staged.commit()?;
    if print {
        print!("{}", summary::world_summary(&model, &results));
        print!("{headline}");
        println!(
            "{} replications in {:.2} s on {} threads; results in {}",
            model.scenario.replications,
            elapsed,
            threads,
            dest.display()
        );
    }
    Ok(dest)
}
