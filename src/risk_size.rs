//! `capsim risk-size SCENARIO --arm NAME --sizes 2000,5000,…`: how the spread of a provider's
//! result per head falls with the size of the population it is paid for, split into the part
//! that averages out (idiosyncratic: which people fall ill, like 1/√N) and the part that does not
//! (systematic: demand trend and noise, inflation, bad winters, uncertain parameters). The
//! evidence for when a cohort of 5,300 needs a risk corridor and a system of 1.5 million does not.

use crate::cli::{check_replications_fit, refuse_set_twice};
use std::path::Path;

use polars::prelude::*;
use toml::Value;

use crate::engine::{self, Model, Observer};
use crate::error::InputError;
use crate::report::charts;
use crate::report::mc_error::{mean_and_variance, mean_se, proportion_se, sd_se, variance_se};
use crate::run_folder::staging::{Destination, StagedFolder};
use crate::run_folder::tables::write_csv_rounded_as;
use crate::scenario::validate::{MAX_POPULATION, parameters};
use crate::scenario::{Override, load_scenario_with};

/// Marks a folder written by `capsim risk-size`.
pub const MARKER: &str = "risk_size.json";

/// The spread of one arm's providers' result per person per year over the term, at one size.
#[derive(Debug, Clone, Copy)]
struct Spread {
    mean: f64,
    sd: f64,
    p_loss: f64,
    /// Monte Carlo standard errors of the mean, of the variance sd², and of p_loss.
    mean_se: f64,
    variance_se: f64,
    p_loss_se: f64,
}

/// One size's result: the spread with everything, and its two parts.
struct SizeRow {
    /// People the contracts cover at the start (the cohort, or everyone).
    people: u64,
    all: Spread,
    idiosyncratic: Spread,
    systematic: f64,
    /// The systematic sd's Monte Carlo error: its variance is the difference of the two runs',
    /// whose errors are added as if the runs were independent (they share their seeds).
    systematic_se: f64,
}

/// What `risk-size` was asked.
pub struct RiskSizeArgs<'a> {
    pub scenario: Option<&'a Path>,
    /// Scenario fields changed for every size, as `capsim run --set`.
    pub set: &'a [String],
    pub arm: &'a str,
    pub sizes: &'a [u64],
    pub reps: Option<u32>,
    pub seed: Option<u64>,
    pub threads: usize,
}

fn check_destination(out: &Path) -> Result<Destination, InputError> {
    Destination::check_marked_folder(
        out,
        MARKER,
        "a capsim risk-size folder (it has no risk_size.json)",
    )
}

/// Fewest people a size may cover: below it one or two people's care is the whole result, and
/// a spread per head says nothing a contract could be designed on.
pub const MIN_SIZE: u64 = 100;

/// A caution for a run whose people covered at the start number fewer than [`MIN_SIZE`].
pub fn too_few_people(model: &Model) -> Option<crate::scenario::cautions::Caution> {
    let people = model.initial.total_in(&model.activity_mask);
    too_few_people_note(people).map(|message| crate::scenario::cautions::Caution {
        field: "population".into(),
        message,
    })
}

/// What is said of results for fewer than [`MIN_SIZE`] people: their spread, chances of loss
/// and rankings are those few people's care.
pub fn too_few_people_note(people: u64) -> Option<String> {
    (people < MIN_SIZE).then(|| {
        format!(
            "only {} followed: below {MIN_SIZE} people a person or two's care is the whole \
             result, so its spread, chances of loss and rankings describe those few people, \
             not the payment models",
            match people {
                1 => "1 person is".to_string(),
                n => format!("{n} people are"),
            }
        )
    })
}

/// Reads `--sizes`: head counts separated by commas.
pub fn parse_sizes(text: &str) -> Result<Vec<u64>, InputError> {
    let sizes: Result<Vec<u64>, &str> = text
        .split(',')
        .map(|s| s.trim().parse().ok().filter(|n| *n > 0).ok_or(s.trim()))
        .collect();
    if let Err(bad) = sizes
        && !bad.is_empty()
    {
        return Err(InputError::new(
            "command line",
            "--sizes",
            format!(
                "expected head counts, whole numbers of {MIN_SIZE} or more; \"{bad}\" is not one"
            ),
        ));
    }
    if let Ok(s) = &sizes
        && let Some(small) = s.iter().find(|&&n| n < MIN_SIZE)
    {
        return Err(InputError::new(
            "command line",
            "--sizes",
            format!(
                "expected head counts of {MIN_SIZE} or more (below that a person or two's care \
                 is the whole result); {small} is fewer"
            ),
        ));
    }
    match sizes {
        Ok(s) if (2..=20).contains(&s.len()) => {
            match s.iter().enumerate().find(|(i, n)| s[..*i].contains(n)) {
                Some((_, n)) => Err(InputError::new(
                    "command line",
                    "--sizes",
                    format!("expected each head count once; {n} is given twice"),
                )),
                None => Ok(s),
            }
        }
        _ => Err(InputError::new(
            "command line",
            "--sizes",
            format!("expected 2 to 20 head counts separated by commas, found \"{text}\""),
        )),
    }
}

/// The user's `--set`s; the population's size is --sizes' to set.
fn user_overrides(args: &RiskSizeArgs) -> Result<Vec<Override>, InputError> {
    let overrides = Override::parse_all(args.set)?;
    if overrides.iter().any(|o| o.path == "population.size") {
        return Err(InputError::new(
            "command line",
            "--set",
            "expected population.size set by --sizes alone: risk-size runs the scenario at each \
             of its sizes",
        ));
    }
    Ok(overrides)
}

/// How many people the scenario simulates for each person its contracts cover: 1 without a
/// cohort; for a cohort, the place's size over the cohort's.
fn people_per_covered(args: &RiskSizeArgs) -> Result<f64, InputError> {
    let loaded = load_scenario_with(args.scenario, &user_overrides(args)?)?;
    crate::cli::warn_of_cautions(&loaded.scenario, &loaded.file);
    if loaded.scenario.population.counts_csv.is_some() {
        return Err(InputError::new(
            loaded.origin_of("population.counts_csv"),
            "population.counts_csv",
            "expected a synthetic population (population.size) for risk-size, which resizes it",
        ));
    }
    let model = Model::build(&loaded)?;
    // Its own sizes replace the scenario's, and are 100 or more: a small base says nothing.
    crate::cli::warn_of_model_cautions(&model, &loaded.file, false);
    let covered = model.initial.total_in(&model.activity_mask).max(1);
    Ok(loaded.scenario.population.size as f64 / covered as f64)
}

/// The people a place needs for `covered` of them to be covered, at `per_covered` a head.
fn place_size(covered: u64, per_covered: f64) -> i64 {
    ((covered as f64 * per_covered).round() as i64).max(1)
}

/// The model whose contracts cover about `covered` people, with or without systematic
/// variation (every uncertain parameter at its mean, no demand noise, no bad winters).
fn model_at(
    args: &RiskSizeArgs,
    covered: u64,
    per_covered: f64,
    systematic: bool,
) -> Result<Model, InputError> {
    let size = place_size(covered, per_covered);
    if size as u64 > MAX_POPULATION {
        return Err(InputError::new(
            "command line",
            "--sizes",
            format!(
                "expected sizes whose population is at most {MAX_POPULATION} people; {covered} \
                 covered needs {size}"
            ),
        ));
    }
    let mut overrides = user_overrides(args)?;
    overrides.push(Override {
        path: "population.size".into(),
        value: Value::Integer(size),
    });
    if !systematic {
        let plain = load_scenario_with(args.scenario, &overrides)?;
        for spec in parameters(&plain.scenario) {
            if !spec.param.is_fixed() {
                overrides.push(Override {
                    path: spec.path.clone(),
                    value: Value::Float(spec.param.mean()),
                });
            }
        }
        for path in ["shocks.demand_noise_sd", "shocks.bad_winter_probability"] {
            overrides.push(Override {
                path: path.into(),
                value: Value::Float(0.0),
            });
        }
    }
    refuse_set_twice(
        &overrides,
        &[
            ("--reps", args.reps.is_some(), "replications"),
            ("--seed", args.seed.is_some(), "seed"),
        ],
    )?;
    let mut loaded = load_scenario_with(args.scenario, &overrides)?;
    if let Some(r) = args.reps {
        loaded.scenario.replications = r;
    }
    if let Some(seed) = args.seed {
        loaded.scenario.seed = seed;
    }
    Model::build(&loaded)
}

fn spread(
    model: &Model,
    arm: usize,
    threads: usize,
    observer: &dyn Observer,
) -> anyhow::Result<Spread> {
    let results = engine::run(model, threads, observer)?;
    let per_head: Vec<f64> = results
        .iter()
        .map(|r| {
            // The arm is settled in its own world, whose interventions may change who is
            // covered: its person-years, as summary.csv's per-head figures use.
            let person_years: f64 = r
                .world(model.arm_world[arm])
                .map(|y| y.covered as f64)
                .sum();
            r.providers_surplus(arm) / person_years
        })
        .collect();
    let (mean, variance) = mean_and_variance(&per_head);
    let p_loss = per_head.iter().filter(|x| **x < 0.0).count() as f64 / per_head.len() as f64;
    Ok(Spread {
        mean,
        sd: variance.sqrt(),
        p_loss,
        mean_se: mean_se(&per_head),
        variance_se: variance_se(&per_head),
        p_loss_se: proportion_se(p_loss, per_head.len()),
    })
}

/// Runs every size twice (with and without systematic variation); writes risk_size.csv and
/// the chart into `out`; returns what the terminal shows.
pub fn risk_size(
    args: &RiskSizeArgs,
    out: &Path,
    observer: &dyn Observer,
) -> anyhow::Result<String> {
    let destination = check_destination(out)?;
    // Every model built (every size validated) before anything is simulated.
    let per_covered = people_per_covered(args)?;
    let mut models = Vec::new();
    for &size in args.sizes {
        let empty = |place: String| {
            InputError::new(
                "command line",
                "--sizes",
                format!(
                    "expected sizes that cover somebody; {size} covered makes a place of \
                     {place} in which the cohort is empty"
                ),
            )
        };
        // The scenario itself built (`people_per_covered`), so a cohort refused at this size
        // is refused for being empty at it.
        let with = match model_at(args, size, per_covered, true) {
            Err(e)
                if e.problems
                    .iter()
                    .any(|p| p.field == "population" || p.field == "population.cohort") =>
            {
                let place = place_size(size, per_covered);
                return Err(empty(format!("{place} people")).into());
            }
            built => built?,
        };
        let covered = with.initial.total_in(&with.activity_mask);
        if covered == 0 {
            return Err(empty(format!("{} people", with.initial.total())).into());
        }
        let held = with.result_bytes();
        check_replications_fit(
            &with,
            held,
            u64::from(with.scenario.replications),
            args.reps,
        )?;
        if with.scenario.replications < 2 {
            return Err(InputError::new(
                "command line",
                "--reps",
                "expected at least 2 replications: risk-size measures a spread",
            )
            .into());
        }
        models.push((covered, with, model_at(args, size, per_covered, false)?));
    }
    let arm = {
        let m = &models[0].1;
        let names: Vec<&str> = m.scenario.arm.iter().map(|a| a.name.as_str()).collect();
        names.iter().position(|a| *a == args.arm).ok_or_else(|| {
            InputError::new(
                "command line",
                "--arm",
                crate::unknown_name::unknown(
                    "arm",
                    args.arm,
                    &names,
                    "an arm (the scenario has none)",
                ),
            )
        })?
    };
    let staged = StagedFolder::with_check(destination, check_destination)?;
    let mut rows = Vec::new();
    for (size, with, without) in &models {
        let people = crate::report::thousands(*size);
        observer.stage(&format!(
            "{people} people, with uncertain parameters and shared shocks"
        ));
        let all = spread(with, arm, args.threads, observer)?;
        observer.stage(&format!(
            "{people} people, parameters at their means and no shared shocks"
        ));
        let idiosyncratic = spread(without, arm, args.threads, observer)?;
        let systematic = (all.sd.powi(2) - idiosyncratic.sd.powi(2)).max(0.0).sqrt();
        let systematic_se = sd_se(systematic, all.variance_se.hypot(idiosyncratic.variance_se));
        rows.push(SizeRow {
            people: *size,
            all,
            idiosyncratic,
            systematic,
            systematic_se,
        });
    }
    let column = |f: &dyn Fn(&SizeRow) -> f64| -> Vec<Option<f64>> {
        rows.iter()
            .map(|r| Some(f(r)).filter(|x| x.is_finite()))
            .collect()
    };
    let df = DataFrame::new(
        rows.len(),
        vec![
            Column::new(
                "people".into(),
                rows.iter().map(|r| r.people).collect::<Vec<u64>>(),
            ),
            Column::new("mean_per_head".into(), column(&|r| r.all.mean)),
            Column::new("mean_per_head_se".into(), column(&|r| r.all.mean_se)),
            Column::new("sd_per_head".into(), column(&|r| r.all.sd)),
            Column::new(
                "sd_per_head_se".into(),
                column(&|r| sd_se(r.all.sd, r.all.variance_se)),
            ),
            Column::new("sd_idiosyncratic".into(), column(&|r| r.idiosyncratic.sd)),
            Column::new(
                "sd_idiosyncratic_se".into(),
                column(&|r| sd_se(r.idiosyncratic.sd, r.idiosyncratic.variance_se)),
            ),
            Column::new("sd_systematic".into(), column(&|r| r.systematic)),
            Column::new("sd_systematic_se".into(), column(&|r| r.systematic_se)),
            Column::new("p_loss".into(), column(&|r| r.all.p_loss)),
            Column::new("p_loss_se".into(), column(&|r| r.all.p_loss_se)),
        ],
    )?;
    write_csv_rounded_as(
        &df,
        &[
            ("mean_per_head", 2),
            ("sd_per_head", 2),
            ("sd_idiosyncratic", 2),
            ("sd_systematic", 2),
            ("p_loss", 4),
        ],
        &staged.dir().join("risk_size.csv"),
    )?;
    let log = |n: u64| (n as f64).log10();
    let series = vec![
        (
            "all variation".to_string(),
            rows.iter().map(|r| (log(r.people), r.all.sd)).collect(),
        ),
        (
            "idiosyncratic (falls like 1/√N)".to_string(),
            rows.iter()
                .map(|r| (log(r.people), r.idiosyncratic.sd))
                .collect(),
        ),
        (
            "systematic (shared by everyone, whatever the size)".to_string(),
            rows.iter().map(|r| (log(r.people), r.systematic)).collect(),
        ),
    ];
    let title = format!(
        "Spread of the providers' result per head under {}, by population size",
        args.arm
    );
    let axes = charts::LineAxes {
        x_label: "people covered (log scale)",
        x_ticks: charts::XTicks::Log10,
        y_label: "sd of surplus per person per year (£)",
        y_range: None,
    };
    charts::render(
        staged.dir(),
        "risk_size",
        |r| charts::lines(r, &series, &title, axes),
        |r| charts::lines(r, &series, &title, axes),
    )?;
    crate::run_folder::write_named(
        &staged.dir().join(MARKER),
        serde_json::to_string_pretty(&serde_json::json!({
            "capsim_version": crate::VERSION,
            "capsim_source": crate::SOURCE,
            "scenario": models[0].1.scenario.name,
            "scenario_file": args.scenario.map_or_else(
                || "the built-in default scenario".to_string(),
                |f| f.display().to_string()
            ),
            "set": args.set,
            "arm": args.arm,
            "sizes": args.sizes,
            "replications": models[0].1.scenario.replications,
            "seed": models[0].1.scenario.seed,
        }))? + "\n",
    )?;
    let dir = staged.commit()?.dir;
    let mut text = format!(
        "\nProviders' result per person per year under {}, £: its mean, its standard deviation \
         (sd), and the sd's parts that average out with size (idiosyncratic) and that do not \
         (systematic)\n{:>12} {:>10} {:>10} {:>14} {:>12} {:>8}\n",
        args.arm, "people", "mean", "sd", "idiosyncratic", "systematic", "P(loss)"
    );
    for r in &rows {
        text += &format!(
            "{:>12} {:>10.1} {:>10.2} {:>14.2} {:>12.2} {:>7.0}%\n",
            r.people,
            r.all.mean,
            r.all.sd,
            r.idiosyncratic.sd,
            r.systematic,
            100.0 * r.all.p_loss
        );
    }
    // The systematic part is the difference of two variances, each with its Monte Carlo
    // error: where the part that averages out comes out the larger, it is shown as 0.
    let unresolved: Vec<String> = rows
        .iter()
        .filter(|r| r.idiosyncratic.sd >= r.all.sd)
        .map(|r| r.people.to_string())
        .collect();
    if !unresolved.is_empty() {
        text += &format!(
            "At {} people the part that averages out came out at least as large as the whole \
             spread (Monte Carlo error): the systematic part there is shown as 0, not measured; \
             run more replications (--reps).\n",
            unresolved.join(", ")
        );
    }
    Ok(text
        + &format!("results in {}\n", dir.display())
        + &crate::report::rough_note(models[0].1.scenario.replications))
}
