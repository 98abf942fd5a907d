//! The command line: raw flags ([`Cli`]) → a resolved plan (scenario read and validated, model
//! built, destination checked) → a library call. Nothing here prints: each command returns the
//! text the binary shows.

use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::{Args, Parser, Subcommand};

use crate::engine::{self, Model, Observer};
use crate::error::InputError;
use crate::report;
use crate::report::precision::PrecisionTarget;
use crate::run_folder::shard::{self, Shard};
use crate::run_folder::staging::{self, Committed, Destination, StagedFolder};
use crate::run_folder::{self, RunFolder, RunInfo, tables};
use crate::scenario::validate::{MAX_REPLICATIONS, check_replications};
use crate::scenario::{Override, Scenario, load_scenario, load_scenario_with};

#[derive(Debug, Parser)]
#[command(
    name = "capsim",
    version = concat!(env!("CARGO_PKG_VERSION"), " (source ", env!("CAPSIM_SOURCE"), ")"),
    about = "Population capitation simulator: the spread of financial outcomes of NHS payment models"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Simulate a scenario (the built-in default when none is given) and write its results.
    Run(RunArgs),
    /// Check a scenario file and report every problem.
    Validate {
        /// Scenario file (TOML) to check, without simulating it.
        scenario: PathBuf,
    },
    /// Write a scenario's starting population as head counts per cell (.csv or .parquet).
    Population {
        /// Scenario file (the built-in default when omitted).
        scenario: Option<PathBuf>,
        /// The file to write, ending in .csv or .parquet: a new file (capsim never writes over
        /// one).
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
    /// Compare run folders side by side, in £ and per person per year: writes compare.csv and
    /// the compare chart.
    Compare {
        /// Two or more folders written by `capsim run`.
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
        /// Output folder (default: `output/compare`): a new or empty folder, or an earlier
        /// comparison holding nothing of yours.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Run a scenario at each value of one field, or each pair of values of two (same seed): a
    /// run folder per point, and a table and chart (lines, or a heat map for two fields) of the
    /// providers' and commissioner's risks against the values.
    // Sweeps are not sharded (shard a point's run instead): no --shard in its help. Their
    // folder is a sweep's, not a run's.
    #[command(mut_arg("shard", |a| a.hide(true)))]
    #[command(mut_arg("out", |a| a.help(
        "Output folder (default: `output/sweep`): a new or empty folder, or an earlier sweep \
         holding nothing of yours"
    )))]
    Sweep {
        #[command(flatten)]
        run: RunArgs,
        /// A field and its values: PATH=FROM..TO:STEPS (both ends included) or PATH=A,B,C,
        /// e.g. population.size=5000..50000:4. Give it twice for a two-field grid.
        #[arg(long, value_name = "PATH=FROM..TO:STEPS", required = true)]
        param: Vec<String>,
        /// The arm to chart (default: every arm; required for two fields when there are
        /// several arms).
        #[arg(long)]
        arm: Option<String>,
        /// The figure charted and shown (sweep.csv has them all).
        #[arg(long, value_enum, default_value = "p-loss")]
        metric: crate::sweep::Metric,
        /// What the chart calls a --param's axis (default: its path); give one per --param,
        /// in the same order, e.g. --label 'Overspend band starts (share of budget)'.
        #[arg(long, value_name = "TEXT")]
        label: Vec<String>,
    },
    /// How the spread of one arm's providers' result per head falls with population size,
    /// split into the part that averages out and the part that does not.
    RiskSize {
        /// Scenario file (the built-in default when omitted).
        scenario: Option<PathBuf>,
        /// The arm whose providers' result is measured.
        #[arg(long)]
        arm: String,
        /// People the contracts cover (the cohort's size when the scenario has one; the place
        /// is scaled to match), separated by commas: 2000,5000,20000,100000.
        #[arg(long, allow_hyphen_values = true)]
        sizes: String,
        /// Change a scenario field for every size, as for `capsim run` (repeatable).
        #[arg(long = "set", value_name = "PATH=VALUE")]
        set: Vec<String>,
        /// Replications at each size (default: the scenario's).
        #[arg(long, allow_negative_numbers = true, value_parser = replications)]
        reps: Option<u32>,
        /// Random seed (default: the scenario's).
        #[arg(long, allow_negative_numbers = true, value_parser = seed)]
        seed: Option<u64>,
        /// Worker threads (default: RAYON_NUM_THREADS if set, else all cores).
        #[arg(long, allow_negative_numbers = true, value_parser = thread_count)]
        threads: Option<usize>,
        /// Output folder (default: `output/risk-size`).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Search risk-corridor designs (band width, provider share beyond it, cap) for those
    /// that keep every provider's chance of losing more than a threshold share of its income
    /// under a limit; report the boundary against the commissioner's mean and 95th-percentile
    /// spend, draw it, and write the recommended design as a scenario.
    Corridor {
        /// Scenario file (the built-in default when omitted).
        scenario: Option<PathBuf>,
        /// The arm to protect (its own corridors are replaced by each design).
        #[arg(long)]
        arm: String,
        /// Largest acceptable chance of a loss beyond the threshold, per provider.
        #[arg(long, default_value_t = 0.05, allow_negative_numbers = true, value_parser = number)]
        max_prob_loss: f64,
        /// A loss counts when it exceeds this share of the provider's income over the term.
        #[arg(long, default_value_t = 0.02, allow_negative_numbers = true, value_parser = number)]
        loss_threshold: f64,
        /// Band widths tried (share of the target either side).
        #[arg(long, default_value = crate::corridor::DEFAULT_WIDTHS, allow_hyphen_values = true)]
        widths: String,
        /// Shares of a deviation beyond the band the provider keeps.
        #[arg(long, default_value = crate::corridor::DEFAULT_SHARES, allow_hyphen_values = true)]
        shares: String,
        /// Caps on the provider's loss and gain (share of the target), or none.
        #[arg(long, default_value = crate::corridor::DEFAULT_CAPS, allow_hyphen_values = true)]
        caps: String,
        /// Change a scenario field, as for `capsim run` (repeatable).
        #[arg(long = "set", value_name = "PATH=VALUE")]
        set: Vec<String>,
        /// Replications (default: the scenario's).
        #[arg(long, allow_negative_numbers = true, value_parser = replications)]
        reps: Option<u32>,
        /// Random seed (default: the scenario's).
        #[arg(long, allow_negative_numbers = true, value_parser = seed)]
        seed: Option<u64>,
        /// Worker threads (default: RAYON_NUM_THREADS if set, else all cores).
        #[arg(long, allow_negative_numbers = true, value_parser = thread_count)]
        threads: Option<usize>,
        /// Output folder (default: `output/corridor`).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Rank which uncertain inputs drive the spread of each arm's providers' surplus and
    /// commissioner's spend in a run folder: writes drivers.csv and a tornado chart into it.
    Drivers {
        /// A folder written by `capsim run`.
        dir: PathBuf,
        /// The arm charted (default: the first).
        #[arg(long)]
        arm: Option<String>,
    },
    /// Combine the folders of `capsim run --shard K/N` (all N) into exactly the run folder
    /// one run would have written.
    Merge {
        /// The shard folders, in any order.
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
        /// Output folder (default: `output/<scenario name>`).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Worker threads for the tables (default: RAYON_NUM_THREADS if set, else all cores).
        #[arg(long, allow_negative_numbers = true, value_parser = thread_count)]
        threads: Option<usize>,
    },
    /// Print the JSON Schema of scenario files (for editors).
    Schema,
}

/// The flags of `capsim run`, as typed.
#[derive(Debug, Clone, Default, Args)]
pub struct RunArgs {
    /// Scenario file (TOML; the built-in default when omitted).
    pub scenario: Option<PathBuf>,
    /// Number of replications (overrides the scenario).
    #[arg(long, allow_negative_numbers = true, value_parser = replications)]
    pub reps: Option<u32>,
    /// Master seed (overrides the scenario).
    #[arg(long, allow_negative_numbers = true, value_parser = seed)]
    pub seed: Option<u64>,
    /// Worker threads (default: RAYON_NUM_THREADS if set, else all cores). Results do not depend on it.
    #[arg(long, allow_negative_numbers = true, value_parser = thread_count)]
    pub threads: Option<usize>,
    /// Output folder (default: `output/<scenario name>`): a new or empty folder, or an earlier
    /// capsim run holding nothing of yours.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Keep doubling the replications (from --reps or the scenario's) until one figure of the
    /// providers' term surplus is known to ± HALF_WIDTH (95%): ARM:FIGURE=HALF_WIDTH, FIGURE
    /// mean or p50 (£: 2m, 500k or 2000000) or p_loss (a probability), e.g. capitation:p50=2m.
    #[arg(long, value_name = "ARM:FIGURE=HALF_WIDTH")]
    pub precision: Option<String>,
    /// Change a scenario field for this run, validated like the file and recorded in the
    /// resolved scenario: PATH=VALUE, e.g. population.size=5300 or
    /// `arm.capitation-flat.component[0].risk_adjustment=age_sex` (arms, providers and
    /// interventions by name, components by position from 0). Repeatable.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub set: Vec<String>,
    /// Compute only shard K of N (a contiguous block of the replications) and write a partial
    /// folder for `capsim merge`; `auto/N` takes K from Slurm's SLURM_ARRAY_TASK_ID or a
    /// Kubernetes Indexed Job's JOB_COMPLETION_INDEX.
    #[arg(long, value_name = "K/N", allow_hyphen_values = true)]
    pub shard: Option<String>,
}

/// A run with every input resolved and checked: nothing is simulated or written until this
/// exists, so bad input never costs a simulation or leaves files behind.
pub struct RunPlan {
    pub model: Model,
    /// How the user named the scenario file.
    pub scenario_file: String,
    pub threads: usize,
    pub destination: Destination,
    /// The command line, recorded in run.json.
    pub command: String,
    /// Replications are added until this figure is precise enough.
    pub precision: Option<PrecisionTarget>,
    /// Only this block of the replications, written as a partial folder.
    pub shard: Option<Shard>,
    /// Which point of a sweep this run is, and its swept values (recorded in run.json).
    pub sweep_point: Option<String>,
}

impl RunPlan {
    pub fn resolve(args: &RunArgs) -> anyhow::Result<RunPlan> {
        let overrides = Override::parse_all(&args.set)?;
        refuse_set_twice(
            &overrides,
            &[
                ("--reps", args.reps.is_some(), "replications"),
                ("--seed", args.seed.is_some(), "seed"),
            ],
        )?;
        let mut loaded = load_scenario_with(args.scenario.as_deref(), &overrides)?;
        if let Some(r) = args.reps {
            check_reps_flag(r)?;
            loaded.scenario.replications = r;
        }
        if let Some(s) = args.seed {
            loaded.scenario.seed = s;
        }
        let threads = threads_flag(args.threads)?;
        let precision = args
            .precision
            .as_deref()
            .map(|p| PrecisionTarget::parse(p, &loaded.scenario))
            .transpose()?;
        let shard = args.shard.as_deref().map(Shard::parse).transpose()?;
        let destination = match shard {
            None => Destination::check_folder(
                &args
                    .out
                    .clone()
                    .unwrap_or_else(|| Path::new("output").join(&loaded.scenario.name)),
            )?,
            Some(shard) => {
                check_shard(shard, &loaded.scenario, precision.is_some())?;
                let dest = args.out.clone().unwrap_or_else(|| {
                    Path::new("output").join(format!(
                        "{}-shard-{}-of-{}",
                        loaded.scenario.name, shard.k, shard.n
                    ))
                });
                Destination::check_own_folder(
                    &dest,
                    shard::is_shard_folder,
                    "a capsim shard folder (it has no shard.json)",
                )?
            }
        };
        let model = Model::build(&loaded)?;
        let held = match shard {
            Some(shard) => shard.range(model.scenario.replications).count() as u64,
            None => u64::from(model.scenario.replications),
        };
        check_replications_fit(&model, model.result_bytes(), held, args.reps)?;
        Ok(RunPlan {
            model,
            scenario_file: loaded.file,
            threads,
            destination,
            command: std::env::args().collect::<Vec<_>>().join(" "),
            precision,
            shard,
            sweep_point: None,
        })
    }
}

/// A shard must hold at least one replication, and cannot add replications as it goes.
fn check_shard(shard: Shard, scenario: &Scenario, precision: bool) -> Result<(), InputError> {
    if precision {
        return Err(InputError::new(
            "command line",
            "--shard",
            "expected --shard or --precision, not both: a shard computes a fixed block of the \
             replications",
        ));
    }
    if shard.n > scenario.replications {
        return Err(InputError::new(
            "command line",
            "--shard",
            format!(
                "expected at most as many shards as replications: {} shards of {} replications",
                shard.n, scenario.replications
            ),
        ));
    }
    Ok(())
}

/// What a finished run reports.
pub struct RunOutcome {
    pub dir: PathBuf,
    /// The world's totals year by year, and the headline table of the contracts.
    pub summary: String,
    pub elapsed_seconds: f64,
    /// With a precision target: the line saying whether it was reached (empty otherwise).
    pub precision: String,
    /// Replications run (with a precision target, as many as it took).
    pub replications: u32,
}

/// Simulates the plan, writes the run folder (results, then tables, charts and report built
/// from the folder's own files, as `capsim report` would) and moves it into place.
pub fn run(plan: RunPlan, observer: &dyn Observer) -> anyhow::Result<RunOutcome> {
    if let Some(shard) = plan.shard {
        return run_shard(plan, shard, observer);
    }
    // Before any work: a destination capsim cannot write to is reported at once.
    let staged = StagedFolder::new(plan.destination.clone())?;
    let started = Instant::now();
    let mut results = engine::run(&plan.model, plan.threads, observer)?;
    let mut precision_line = String::new();
    if let Some(target) = &plan.precision {
        precision_line = add_replications_until_precise(&plan, target, &mut results, observer)?;
    }
    let elapsed_seconds = started.elapsed().as_secs_f64();
    write_run(plan, staged, &results, elapsed_seconds, &precision_line)
}

/// Simulates one shard's block of the replications and writes its partial folder.
fn run_shard(plan: RunPlan, shard: Shard, observer: &dyn Observer) -> anyhow::Result<RunOutcome> {
    let staged = StagedFolder::with_check(plan.destination.clone(), |d| {
        Destination::check_own_folder(
            d,
            shard::is_shard_folder,
            "a capsim shard folder (it has no shard.json)",
        )
    })?;
    let model = &plan.model;
    let range = shard.range(model.scenario.replications);
    let started = Instant::now();
    let results = engine::run_replications(model, range.clone(), plan.threads, observer)?;
    let elapsed_seconds = started.elapsed().as_secs_f64();
    let info = shard::ShardInfo {
        capsim_version: crate::VERSION.into(),
        capsim_source: crate::SOURCE.into(),
        scenario: model.scenario.name.clone(),
        scenario_file: plan.scenario_file.clone(),
        seed: model.scenario.seed,
        replications: model.scenario.replications,
        shard,
        first: range.start,
        end: range.end,
        threads: plan.threads,
        elapsed_seconds,
        command: plan.command.clone(),
        // Filled in as the replications are written.
        replications_digest: String::new(),
    };
    shard::write_shard(staged.dir(), model, &results, &info)?;
    let dir = staged.commit()?.dir;
    let summary = format!(
        "shard {} of {}: replications {} to {} of {} in {elapsed_seconds:.2} s on {}; \
         results in {}\nWhen all {} shards are done: capsim merge DIR… (their folders)\n",
        shard.k,
        shard.n,
        range.start + 1,
        range.end,
        model.scenario.replications,
        crate::report::count(plan.threads as u64, "thread"),
        dir.display(),
        shard.n
    );
    Ok(RunOutcome {
        dir,
        summary,
        elapsed_seconds,
        precision: String::new(),
        replications: model.scenario.replications,
    })
}

/// The merged folder cannot go inside a shard: the shard would then hold what is not a
/// shard's, and could be neither merged again nor rerun.
fn refuse_out_inside_shards(dest: &Path, dirs: &[PathBuf]) -> Result<(), InputError> {
    let resolved = resolved_path(dest);
    match dirs.iter().find(|d| resolved.starts_with(resolved_path(d))) {
        Some(shard) => Err(InputError::new(
            dest.display().to_string(),
            "--out",
            format!(
                "expected a folder outside the shard folders: it is inside {}",
                shard.display()
            ),
        )),
        None => Ok(()),
    }
}

/// `path` with links and `..` resolved as far as it exists, the rest as written with `..`
/// taken as the folder above (`ghost/../s1` is `s1` even when `ghost` does not exist yet).
fn resolved_path(path: &Path) -> PathBuf {
    use std::path::Component;
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut path = PathBuf::new();
    for part in absolute.components() {
        match part {
            Component::ParentDir => {
                path.pop();
            }
            Component::CurDir => {}
            other => path.push(other),
        }
    }
    let mut existing = path.as_path();
    let mut rest = Vec::new();
    loop {
        if let Ok(real) = existing.canonicalize() {
            return rest.iter().rev().fold(real, |p, part| p.join(part));
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                existing = parent;
            }
            _ => return path.clone(),
        }
    }
}

/// Merges the shard folders `dirs` into the run folder one run would have written at `out`
/// (default `output/<scenario name>`).
pub fn merge(dirs: &[PathBuf], out: Option<PathBuf>, threads: usize) -> anyhow::Result<String> {
    let shards = dirs
        .iter()
        .map(|d| shard::ShardFolder::open(d))
        .collect::<Result<Vec<_>, _>>()?;
    let shards = shard::check_complete(shards)?;
    let first = &shards[0];
    let loaded = load_scenario(Some(&first.dir.join(run_folder::SCENARIO)))?;
    let dest = out.unwrap_or_else(|| Path::new("output").join(&loaded.scenario.name));
    refuse_out_inside_shards(&dest, dirs)?;
    let destination = Destination::check_folder(&dest)?;
    let mut model = Model::build(&loaded)?;
    model.scenario.seed = first.info.seed;
    // Merging holds every shard's results at once.
    check_fits_in_memory(
        &model,
        model.result_bytes(),
        u64::from(first.info.replications),
        "command line",
        "the shard folders",
    )?;
    let mut results = Vec::with_capacity(first.info.replications as usize);
    let mut elapsed_seconds = 0.0;
    for s in &shards {
        results.extend(s.results(&model)?);
        elapsed_seconds += s.info.elapsed_seconds;
    }
    if results.len() != first.info.replications as usize {
        return Err(InputError::new(
            "command line",
            "the shard folders",
            format!(
                "expected {} replications from the shards, found {}",
                first.info.replications,
                results.len()
            ),
        )
        .into());
    }
    // Once every shard has been read and checked: a damaged one is refused with nothing made.
    let staged = StagedFolder::new(destination.clone())?;
    let plan = RunPlan {
        model,
        scenario_file: first.info.scenario_file.clone(),
        threads,
        destination,
        // The shards' own command too: how they were run (any fields they changed) is how the
        // merged run was.
        command: merged_command(&first.info.command),
        precision: None,
        shard: None,
        sweep_point: None,
    };
    let merged = format!(
        "merged {} shards (their simulation took {elapsed_seconds:.2} s in all)\n",
        shards.len()
    );
    Ok(write_run(plan, staged, &results, elapsed_seconds, &merged)?.summary)
}

/// What a merged run records as its command: the merge, and the command of its shards (how they
/// ran, any fields they changed, is how the merged run did) when they recorded it.
fn merged_command(shards: &str) -> String {
    let merge = std::env::args().collect::<Vec<_>>().join(" ");
    if shards.is_empty() {
        merge
    } else {
        // Said to be one shard's, lest it be rerun as the whole run's.
        format!("{merge} (merging the shards of one run; the first shard's command: {shards})")
    }
}

/// Writes the run folder of `plan` from its replications' results, simulated in
/// `elapsed_seconds` (alone or with other plans' contracts settled on the same worlds), into
/// `staged`, and moves it into place; `precision_line` (what a precision target
/// reached, or empty) is added to what the terminal shows.
pub(crate) fn write_run(
    mut plan: RunPlan,
    staged: StagedFolder,
    results: &[engine::ReplicationResult],
    elapsed_seconds: f64,
    precision_line: &str,
) -> anyhow::Result<RunOutcome> {
    // A run that added replications is exactly the run of that many, and records it.
    plan.model.scenario.replications = results.len() as u32;
    let model = &plan.model;
    let info = RunInfo {
        capsim_version: crate::VERSION.into(),
        capsim_source: crate::SOURCE.into(),
        scenario: model.scenario.name.clone(),
        scenario_file: plan.scenario_file.clone(),
        seed: model.scenario.seed,
        replications: model.scenario.replications,
        years: model.scenario.years,
        threads: plan.threads,
        elapsed_seconds,
        command: plan.command.clone(),
        sweep_point: plan.sweep_point.clone(),
    };
    run_folder::write_results(staged.dir(), model, results, &info)?;
    let mut summary = report::console::world_summary(model, results);
    if model.contracts.is_some() {
        summary += &report::write_outputs(&RunFolder::open(staged.dir())?, staged.dir())?;
    } else {
        let tables = report::write_world_tables(staged.dir(), &model.scenario, info.replications)?;
        let mut files = vec!["world.parquet", "outcomes.parquet"];
        files.extend(tables);
        summary += &format!(
            "no contracts: the scenario has no [[arm]] (none in its file or base, or removed \
             with --set), so only the world's results were written ({}, and the draws of \
             uncertain inputs, parameters.parquet); arms add the contracts' tables, charts and \
             report (base = \"default\" brings six)\n",
            files.join(", ")
        );
    }
    // Said on the terminal: a quick look at the default replaces output/default each time.
    let Committed { dir, replaced } = staged.commit()?;
    summary += precision_line;
    summary += &format!(
        "{} in {elapsed_seconds:.2} s on {}; results in {}{}\n",
        crate::report::count(model.scenario.replications, "replication"),
        crate::report::count(plan.threads as u64, "thread"),
        dir.display(),
        if replaced {
            " (replacing the earlier run there)"
        } else {
            ""
        }
    );
    Ok(RunOutcome {
        dir,
        summary,
        elapsed_seconds,
        precision: precision_line.to_string(),
        replications: model.scenario.replications,
    })
}

/// Doubles the replications in `results` until `target` is met or the maximum is reached (the
/// scenario's limit, or fewer if no more would fit in memory); returns a line saying what was
/// reached.
fn add_replications_until_precise(
    plan: &RunPlan,
    target: &PrecisionTarget,
    results: &mut Vec<engine::ReplicationResult>,
    observer: &dyn Observer,
) -> anyhow::Result<String> {
    // At most what the scenario may have, and what fits in memory (as checked for the start).
    let fits = machine_memory()?.map_or(f64::INFINITY, |m| {
        replications_that_fit(plan.model.result_bytes(), m)
    });
    let most = (results.len() as u32).max(fits.min(f64::from(MAX_REPLICATIONS)) as u32);
    loop {
        let achieved = target.achieved(results);
        let n = results.len() as u32;
        if achieved <= target.half_width || n >= most {
            return Ok(target.report(achieved, n, most));
        }
        let next = n.saturating_mul(2).min(most);
        crate::say!("{}", target.progress(achieved, n, next, most));
        results.extend(engine::run_replications(
            &plan.model,
            u64::from(n)..u64::from(next),
            plan.threads,
            observer,
        )?);
    }
}

/// Rebuilds a run folder's outputs: written to a staging folder first, then moved in file by
/// file, so a failure leaves the folder as it was.
fn rebuild(dir: &Path, charts_only: bool) -> anyhow::Result<String> {
    let run = RunFolder::open(dir)?;
    let staged = StagedFolder::inside(dir)?;
    let printed = if charts_only {
        let t = report::tables(&run)?;
        report::write_charts(&run, &t, staged.dir())?;
        format!("charts rebuilt in {}\n", dir.display())
    } else {
        let headline = report::write_outputs(&run, staged.dir())?;
        format!(
            "{headline}tables, charts and report rebuilt in {}\n",
            dir.display()
        )
    };
    staged.commit_files_into()?;
    Ok(printed)
}

fn write_population(model: &Model, out: &Path) -> anyhow::Result<()> {
    // Any case, as the counts a scenario loads are read (`POP.CSV` from a Windows share).
    let ext = out
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    if ext != "csv" && ext != "parquet" {
        return Err(InputError::new(
            out.display().to_string(),
            "--out",
            "expected a file name ending in .csv or .parquet",
        )
        .into());
    }
    let destination = Destination::check_new_file(out)?;
    let mut df = tables::population_frame(&model.initial)?;
    staging::write_file(&destination, |tmp| {
        if ext == "csv" {
            tables::write_csv(&mut df, tmp)
        } else {
            tables::write_parquet(&mut df, tmp, None)
        }
    })
}

/// Share of the machine's memory a run's results may take.
const MEMORY_SHARE: f64 = 0.8;

/// The memory a run may plan for, in bytes: `CAPSIM_MEMORY_GIB` when set (a job's share of a
/// shared node, say), else this machine's (Linux's MemTotal) or, when lower, the limit of the
/// control group the process runs in (a Slurm job's `--mem`, a container's limit), if it can be
/// read.
fn machine_memory() -> Result<Option<f64>, InputError> {
    if let Ok(text) = std::env::var("CAPSIM_MEMORY_GIB") {
        return match text.trim().parse::<f64>() {
            Ok(gib) if gib > 0.0 && gib.is_finite() => Ok(Some(gib * f64::from(1u32 << 30))),
            _ => Err(InputError::new(
                "environment",
                "CAPSIM_MEMORY_GIB",
                format!("expected the memory capsim may use, in GiB (above 0), found \"{text}\""),
            )),
        };
    }
    let read = || -> Option<f64> {
        let info = std::fs::read_to_string("/proc/meminfo").ok()?;
        let line = info.lines().find(|l| l.starts_with("MemTotal:"))?;
        let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
        Some(kib * 1024.0)
    };
    Ok(match (read(), control_group_memory_limit()) {
        (Some(machine), Some(limit)) => Some(machine.min(limit)),
        (machine, limit) => machine.or(limit),
    })
}

/// The lowest memory limit on the control group this process runs in and those above it
/// (cgroup v2's `memory.max`, or v1's `memory.limit_in_bytes`), in bytes; None where there is
/// none ("max") or it cannot be read. A process beyond it is killed without a word, so a run
/// is judged against it rather than against the whole machine's memory.
fn control_group_memory_limit() -> Option<f64> {
    let groups = std::fs::read_to_string("/proc/self/cgroup").ok()?;
    let mut places = Vec::new();
    for line in groups.lines() {
        let mut fields = line.splitn(3, ':');
        let (Some(id), Some(controllers), Some(path)) =
            (fields.next(), fields.next(), fields.next())
        else {
            continue;
        };
        if id == "0" && controllers.is_empty() {
            // cgroup v2, mounted alone or (on a hybrid system) under "unified".
            for root in ["/sys/fs/cgroup", "/sys/fs/cgroup/unified"] {
                places.push((root, path, "memory.max"));
            }
        } else if controllers.split(',').any(|c| c == "memory") {
            places.push(("/sys/fs/cgroup/memory", path, "memory.limit_in_bytes"));
        }
    }
    places
        .into_iter()
        .filter_map(|(root, path, file)| lowest_limit_from(Path::new(root), path, file))
        .reduce(f64::min)
}

/// The lowest limit in `file` in the group at `path` under `root` and each group above it; a
/// container may not see its group's path, and the folder at the root is then its own.
fn lowest_limit_from(root: &Path, path: &str, file: &str) -> Option<f64> {
    let mut folder = root.join(path.trim_start_matches('/'));
    let mut lowest: Option<f64> = None;
    loop {
        // "max" (no limit) does not read as a number.
        let limit = std::fs::read_to_string(folder.join(file))
            .ok()
            .and_then(|t| t.trim().parse::<f64>().ok());
        if let Some(limit) = limit {
            lowest = Some(lowest.map_or(limit, |l| l.min(limit)));
        }
        if folder == root || !folder.pop() {
            return lowest;
        }
    }
}

/// How many replications, each holding `per_replication` bytes, fit in [`MEMORY_SHARE`] of
/// `memory` bytes.
fn replications_that_fit(per_replication: f64, memory: f64) -> f64 {
    (MEMORY_SHARE * memory / per_replication).floor()
}

/// Why `replications` of `model`, each holding `per_replication` bytes until written, would not
/// fit in `memory` bytes, or None when they fit: refused before anything is simulated or
/// written, where the system would otherwise end the run without a word.
fn too_big_for_memory(
    model: &Model,
    per_replication: f64,
    replications: u64,
    memory: f64,
) -> Option<String> {
    let size = |bytes: f64| match bytes / f64::from(1u32 << 30) {
        gib if gib >= 1.0 => format!("{gib:.1} GiB"),
        gib => format!("{:.1} MiB", gib * 1024.0),
    };
    (replications as f64 > replications_that_fit(per_replication, memory)).then(|| {
        let need = per_replication * replications as f64;
        format!(
            "expected results that fit in memory: {replications} replications of {} years \
             need about {}, more than {:.0}% of the {} capsim may use (this machine's, the \
             job's limit, or CAPSIM_MEMORY_GIB); run fewer replications or years",
            model.scenario.years,
            size(need),
            100.0 * MEMORY_SHARE,
            size(memory)
        )
    })
}

/// Refuses `replications` of `model`, each holding `per_replication` bytes (its results, or what
/// a command keeps of them), that would not fit in memory (the machine's, or
/// CAPSIM_MEMORY_GIB), naming `file` and `field` as where the count came from. Every command
/// that holds a run's results checks this before simulating.
pub fn check_fits_in_memory(
    model: &Model,
    per_replication: f64,
    replications: u64,
    file: &str,
    field: &str,
) -> Result<(), InputError> {
    match machine_memory()?
        .and_then(|m| too_big_for_memory(model, per_replication, replications, m))
    {
        Some(why) => Err(InputError::new(file, field, why)),
        None => Ok(()),
    }
}

/// [`check_fits_in_memory`] for a model whose replications came from `--reps` when it was
/// given (`reps_flag`), else from its `replications` (a `--set`, or the scenario file): the
/// refusal names where the number came from.
pub fn check_replications_fit(
    model: &Model,
    per_replication: f64,
    replications: u64,
    reps_flag: Option<u32>,
) -> Result<(), InputError> {
    let (file, field) = match reps_flag {
        Some(_) => ("command line", "--reps"),
        None => (model.origin_of("replications"), "replications"),
    };
    check_fits_in_memory(model, per_replication, replications, file, field)
}

/// Refuses a field set twice, by `--set` (or a sweep's `--param`) and by its own flag: the
/// flag would win unseen. `flags` are (flag, whether given, the field it sets).
pub fn refuse_set_twice(
    overrides: &[Override],
    flags: &[(&str, bool, &str)],
) -> Result<(), InputError> {
    for &(flag, given, field) in flags {
        if given && overrides.iter().any(|o| o.path == field) {
            return Err(InputError::new(
                "command line",
                flag,
                format!("expected {field} set once: by {flag} or by --set/--param, not both"),
            ));
        }
    }
    Ok(())
}

/// The whole-number types of the command line's counts and seeds, with their largest value.
pub trait WholeNumber: std::str::FromStr + Clone + Send + Sync + 'static {
    const LARGEST: u64;
}

impl WholeNumber for u64 {
    const LARGEST: u64 = u64::MAX;
}

impl WholeNumber for usize {
    const LARGEST: u64 = usize::MAX as u64;
}

/// A count or seed as typed (`--reps 1.5`, `--threads -1`): clap's own words would be "invalid
/// digit found in string", or a negative number taken for a flag.
fn whole<T: WholeNumber>(text: &str) -> Result<T, String> {
    text.trim()
        .parse::<T>()
        .map_err(|_| match text.trim().parse::<i128>() {
            Ok(n) if n >= 0 => format!("expected a whole number from 0 to {}", T::LARGEST),
            _ => "expected a whole number, 0 or more".to_string(),
        })
}

/// Largest seed: the run folder's `scenario.toml` records it, and a TOML integer is a signed
/// 64-bit one, so a larger seed could not be read back (rebuilding a report, merging shards).
pub const MAX_SEED: u64 = i64::MAX as u64;

/// `--seed` as typed: a whole number from 0 to [`MAX_SEED`], refused before anything is run.
fn seed(text: &str) -> Result<u64, String> {
    whole::<u64>(text)
        .ok()
        .filter(|&n| n <= MAX_SEED)
        .ok_or_else(|| format!("expected a whole number from 0 to {MAX_SEED}"))
}

/// A share or probability as typed (`--max-prob-loss 5%`): clap's own words would be "invalid
/// float literal". Its range is checked with the rest.
fn number(text: &str) -> Result<f64, String> {
    text.trim()
        .parse::<f64>()
        .map_err(|_| "expected a number, such as 0.05 for 5%".to_string())
}

/// `--reps` as typed: a whole number, and beyond what the scenario's `replications` takes said
/// in its words rather than a u32's.
fn replications(text: &str) -> Result<u32, String> {
    let most = crate::scenario::validate::MAX_REPLICATIONS;
    let n = whole::<u64>(text).map_err(|_| format!("expected a whole number, 1 to {most}"))?;
    u32::try_from(n).map_err(|_| format!("expected 1 to {most} replications, found {n}"))
}

/// `--reps` as given on the command line, checked like the scenario's `replications`.
fn check_reps_flag(reps: u32) -> Result<(), InputError> {
    check_replications(reps).map_err(|e| InputError::new("command line", "--reps", e))
}

/// Most worker threads `--threads` takes: far beyond any machine's cores, short of what would
/// exhaust the process's memory for stacks.
const MAX_THREADS: usize = 1024;

/// `--threads` as typed: a whole number from 1 to [`MAX_THREADS`], in one message whatever is
/// wrong with it (-1, 0, 1.5 or 5000).
fn thread_count(text: &str) -> Result<usize, String> {
    whole::<usize>(text)
        .ok()
        .filter(|t| (1..=MAX_THREADS).contains(t))
        .ok_or_else(|| format!("expected a whole number, 1 to {MAX_THREADS}"))
}

/// `--threads` as given ([`thread_count`]); absent, `RAYON_NUM_THREADS` (how a job on a
/// shared node is often told its share), else every core this process may use.
fn threads_flag(threads: Option<usize>) -> Result<usize, InputError> {
    match threads {
        None => match std::env::var("RAYON_NUM_THREADS") {
            // Rayon's own reading: unset, empty or 0 means every core.
            Ok(text) if !matches!(text.trim(), "" | "0") => text
                .trim()
                .parse::<usize>()
                .ok()
                .filter(|t| (1..=MAX_THREADS).contains(t))
                .ok_or_else(|| {
                    InputError::new(
                        "environment",
                        "RAYON_NUM_THREADS",
                        format!("expected 1 to {MAX_THREADS} threads, found \"{text}\""),
                    )
                }),
            _ => Ok(std::thread::available_parallelism().map_or(1, |n| n.get())),
        },
        // In range: `thread_count` read it.
        Some(t) => Ok(t),
    }
}

/// Prints each caution about a valid scenario (docs/errors.md, "Warnings") on stderr: the run
/// goes on.
pub(crate) fn warn_of_cautions(scenario: &crate::scenario::Scenario, file: &str) {
    for c in crate::scenario::cautions::cautions(scenario) {
        crate::say!("capsim: warning: {file}: {}: {}", c.field, c.message);
    }
}

/// Prints each caution about a built model that its scenario alone does not show (a target
/// holding nobody of the population): the run goes on.
pub(crate) fn warn_of_model_cautions(model: &Model, file: &str, size_matters: bool) {
    for c in model_cautions(model, size_matters) {
        crate::say!("capsim: warning: {file}: {}: {}", c.field, c.message);
    }
}

/// The cautions [`warn_of_model_cautions`] prints.
/// `size_matters`: whether the scenario's own size is the one simulated (risk-size replaces it).
pub(crate) fn model_cautions(
    model: &Model,
    size_matters: bool,
) -> Vec<crate::scenario::cautions::Caution> {
    let mut cautions = crate::interventions::targets_holding_nobody(
        &model.scenario,
        &model.programmes,
        &model.expected_initial,
    );
    if size_matters {
        cautions.extend(crate::risk_size::too_few_people(model));
    }
    cautions
}

/// Runs a parsed command; returns what to show on the terminal.
pub fn execute(cli: Cli, observer: &dyn Observer) -> anyhow::Result<String> {
    match cli.command {
        Command::Run(args) => {
            let plan = RunPlan::resolve(&args)?;
            warn_of_cautions(&plan.model.scenario, &plan.scenario_file);
            warn_of_model_cautions(&plan.model, &plan.scenario_file, true);
            Ok(run(plan, observer)?.summary)
        }
        Command::Validate { scenario } => {
            let loaded = load_scenario(Some(&scenario))?;
            let model = Model::build(&loaded)?;
            warn_of_cautions(&loaded.scenario, &loaded.file);
            warn_of_model_cautions(&model, &loaded.file, true);
            let replications = u64::from(model.scenario.replications);
            let held = model.result_bytes();
            check_fits_in_memory(&model, held, replications, &loaded.file, "replications")?;
            Ok(format!(
                "{}: valid scenario \"{}\"\n",
                scenario.display(),
                loaded.scenario.name
            ))
        }
        Command::Population { scenario, out } => {
            // The starting population needs no contracts: an open cohort nobody meets yet,
            // which arms could not be set on, is still a population to write.
            let mut loaded = load_scenario(scenario.as_deref())?;
            loaded.scenario.arm.clear();
            let model = Model::build(&loaded)?;
            write_population(&model, &out)?;
            Ok(format!(
                "{} people in {} occupied cells written to {}\n",
                model.initial.total(),
                model.initial.occupied_cells(),
                out.display()
            ))
        }
        Command::Report { dir } => rebuild(&dir, false),
        Command::Plot { dir } => rebuild(&dir, true),
        Command::Compare { dirs, out } => {
            let out = out.unwrap_or_else(|| Path::new("output").join("compare"));
            let destination = report::compare::check(&dirs, &out)?;
            report::compare::compare(&dirs, destination)
        }
        Command::Sweep {
            run,
            param,
            arm,
            metric,
            label,
        } => {
            let grids = param
                .iter()
                .map(|p| crate::sweep::Grid::parse(p))
                .collect::<Result<Vec<_>, _>>()?;
            let out = run
                .out
                .clone()
                .unwrap_or_else(|| Path::new("output").join("sweep"));
            let args = crate::sweep::SweepArgs {
                run: RunArgs { out: None, ..run },
                grids,
                arm,
                metric,
                labels: label,
            };
            crate::sweep::sweep(&args, &out, observer)
        }
        Command::RiskSize {
            scenario,
            arm,
            sizes,
            set,
            reps,
            seed,
            threads,
            out,
        } => {
            if let Some(r) = reps {
                check_reps_flag(r)?;
            }
            let sizes = crate::risk_size::parse_sizes(&sizes)?;
            let args = crate::risk_size::RiskSizeArgs {
                scenario: scenario.as_deref(),
                set: &set,
                arm: &arm,
                sizes: &sizes,
                reps,
                seed,
                threads: threads_flag(threads)?,
            };
            let out = out.unwrap_or_else(|| Path::new("output").join("risk-size"));
            crate::risk_size::risk_size(&args, &out, observer)
        }
        Command::Corridor {
            scenario,
            arm,
            max_prob_loss,
            loss_threshold,
            widths,
            shares,
            caps,
            set,
            reps,
            seed,
            threads,
            out,
        } => {
            if let Some(r) = reps {
                check_reps_flag(r)?;
            }
            for (field, value) in [
                ("--max-prob-loss", max_prob_loss),
                ("--loss-threshold", loss_threshold),
            ] {
                if !(0.0..=1.0).contains(&value) {
                    return Err(InputError::new(
                        "command line",
                        field,
                        format!("expected a share from 0 to 1, found {value}"),
                    )
                    .into());
                }
            }
            use crate::corridor::{parse_caps, parse_list};
            let args = crate::corridor::CorridorArgs {
                scenario: scenario.as_deref(),
                set: &set,
                arm: &arm,
                max_prob_loss,
                loss_threshold,
                widths: parse_list("--widths", &widths, 0.0..=1.0)?,
                shares: parse_list("--shares", &shares, 0.0..=1.0)?,
                caps: parse_caps(&caps)?,
                reps,
                seed,
                threads: threads_flag(threads)?,
            };
            let out = out.unwrap_or_else(|| Path::new("output").join("corridor"));
            crate::corridor::corridor(&args, &out, observer)
        }
        Command::Drivers { dir, arm } => report::drivers::drivers(&dir, arm.as_deref()),
        Command::Merge { dirs, out, threads } => merge(&dirs, out, threads_flag(threads)?),
        Command::Schema => Ok(Scenario::json_schema() + "\n"),
    }
}

#[cfg(test)]
mod tests {
    use super::lowest_limit_from;

    /// A job's memory is the lowest limit on its control group and those above it: a node's
    /// 2 GiB for a job given 1 GiB is 1 GiB, "max" is no limit, and a group without limits
    /// has none.
    #[test]
    fn the_lowest_control_group_limit_is_the_jobs() {
        let root = tempfile::tempdir().unwrap();
        let job = root.path().join("slurm/uid_0/job_7");
        std::fs::create_dir_all(&job).unwrap();
        std::fs::write(root.path().join("memory.max"), "max\n").unwrap();
        std::fs::write(root.path().join("slurm/memory.max"), "2147483648\n").unwrap();
        std::fs::write(job.join("memory.max"), "1073741824\n").unwrap();
        let limit = |path: &str| lowest_limit_from(root.path(), path, "memory.max");
        assert_eq!(limit("/slurm/uid_0/job_7"), Some(1073741824.0));
        assert_eq!(limit("/slurm/uid_0"), Some(2147483648.0));
        assert_eq!(limit("/"), None);
        // A path the container cannot see: the root's own, here none.
        assert_eq!(limit("/elsewhere/job"), None);
    }
}
