//! `capsim corridor SCENARIO --arm NAME --max-prob-loss 0.05 --loss-threshold 0.02`: which risk
//! corridor keeps every provider's chance of losing more than a threshold share of its income
//! under a limit, and at what cost to the commissioner.
//!
//! Each design adds one symmetric corridor to the arm (its own corridors removed): deviations of
//! the provider's result beyond ± `width` of its target are shared, the provider keeping `share`
//! of them, and an optional cap limits its loss and gain to `cap` of the target. Every design is
//! settled on one simulation of the scenario's worlds (common random numbers), so designs differ
//! only by their contracts. For each share and cap the search scans the bands from the narrowest
//! and keeps the widest before the first that fails the limit (the corridor's boundary: every
//! narrower band of that row meets it, the next wider does not); the recommended design is the boundary design with the lowest 95th
//! percentile of commissioner spend, then the lowest mean.

use crate::cli::{check_replications_fit, refuse_set_twice};
use std::path::Path;

use polars::prelude::*;

use crate::engine::{self, Model, Observer, ReplicationResult};
use crate::error::InputError;
use crate::report::console::quantile;
use crate::report::mc_error::{mean_se, proportion_se, quantile_se};
use crate::report::{MoneyUnit, charts};
use crate::run_folder::staging::{Destination, StagedFolder};
use crate::run_folder::tables::write_csv_rounded_as;
use crate::scenario::contracts::{ArmSpec, Band, Basis, ComponentSpec, RiskShareSpec, Settle, pct};
use crate::scenario::{Override, load_scenario_with};

/// Marks a folder written by `capsim corridor`.
pub const MARKER: &str = "corridor.json";

/// The scenario with the recommended corridor, ready to run.
pub const RECOMMENDED: &str = "recommended.toml";

/// Most designs one search settles.
pub const MAX_DESIGNS: usize = 500;

/// Band widths tried when none are given (share of the target either side).
pub const DEFAULT_WIDTHS: &str = "0,0.005,0.01,0.02,0.03,0.05,0.08";
/// Provider shares beyond the band tried when none are given.
pub const DEFAULT_SHARES: &str = "0,0.25,0.5,0.75";
/// Caps on the provider's loss and gain tried when none are given.
pub const DEFAULT_CAPS: &str = "none,0.05,0.1";

/// One corridor design.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Design {
    /// Deviations within ± width of the target stay with the provider.
    pub width: f64,
    /// Share of a deviation beyond the band the provider keeps.
    pub share: f64,
    /// Largest loss (and gain) the provider keeps, as a share of the target.
    pub cap: Option<f64>,
}

/// What `capsim corridor` was asked.
pub struct CorridorArgs<'a> {
    pub scenario: Option<&'a Path>,
    pub set: &'a [String],
    pub arm: &'a str,
    pub max_prob_loss: f64,
    pub loss_threshold: f64,
    pub widths: Vec<f64>,
    pub shares: Vec<f64>,
    pub caps: Vec<Option<f64>>,
    pub reps: Option<u32>,
    pub seed: Option<u64>,
    pub threads: usize,
}

/// One replication's term totals under one design.
struct Outcome {
    /// Per provider: (surplus, income) over the term.
    providers: Vec<(f64, f64)>,
    /// The commissioner's spend over the term.
    spend: f64,
}

/// Smallest block the allocator hands out, header included.
const SMALLEST_ALLOCATION: usize = 32;

/// What the search holds of each replication until it is assessed: per design, an [`Outcome`]
/// and its providers' figures on the heap, held first by replication and then by design, and
/// about as much again that the allocator cannot give back between those small blocks (the
/// workers free whole replications' results around them). Measured on the default scenario's
/// search (85 designs, one provider): about 190 bytes per design and replication, 18.8 KB a
/// replication in all; this gives 192 and 16.4 KB.
fn held_per_replication(designs: usize, providers: usize) -> f64 {
    let heap = (providers * std::mem::size_of::<(f64, f64)>() + 16).max(SMALLEST_ALLOCATION);
    let per_design = 3 * (std::mem::size_of::<Outcome>() + heap);
    (designs * per_design + 2 * SMALLEST_ALLOCATION) as f64
}

/// One design's figures over the replications.
struct Assessed {
    design: Option<Design>,
    /// The largest of the providers' chances of a loss beyond the threshold, whose it is, and
    /// its standard error.
    p_loss: f64,
    p_loss_se: f64,
    worst_provider: String,
    spend_mean: f64,
    spend_mean_se: f64,
    spend_p95: f64,
    spend_p95_se: f64,
    meets: bool,
    boundary: bool,
}

fn bad(field: &str, why: String) -> InputError {
    InputError::new("command line", field, why)
}

/// Reads a list of numbers in `range` separated by commas.
pub fn parse_list(
    field: &str,
    text: &str,
    range: std::ops::RangeInclusive<f64>,
) -> Result<Vec<f64>, InputError> {
    let values: Option<Vec<f64>> = text
        .split(',')
        .map(|s| s.trim().parse::<f64>().ok().filter(|x| range.contains(x)))
        .collect();
    match values {
        Some(mut v) if !v.is_empty() => {
            v.sort_by(f64::total_cmp);
            // A value given twice would try the same designs twice; said, as --sizes and
            // --param say it, rather than silently dropped.
            if let Some(w) = v.windows(2).find(|w| w[0] == w[1]) {
                return Err(bad(
                    field,
                    format!("expected each value once; {} is given twice", w[0]),
                ));
            }
            Ok(v)
        }
        _ => Err(bad(
            field,
            format!(
                "expected numbers from {} to {} separated by commas, found \"{text}\"",
                range.start(),
                range.end()
            ),
        )),
    }
}

/// Reads caps: shares of the target above 0 and at most 1, or `none`.
pub fn parse_caps(text: &str) -> Result<Vec<Option<f64>>, InputError> {
    let caps: Option<Vec<Option<f64>>> = text
        .split(',')
        .map(|s| match s.trim() {
            "none" => Some(None),
            s => s
                .parse::<f64>()
                .ok()
                .filter(|x| *x > 0.0 && *x <= 1.0)
                .map(Some),
        })
        .collect();
    match caps {
        Some(mut c) if !c.is_empty() => {
            // Each design once, as for the other lists: none first, then the caps in order.
            c.sort_by(|a, b| match (a, b) {
                (None, None) => std::cmp::Ordering::Equal,
                (None, Some(_)) => std::cmp::Ordering::Less,
                (Some(_), None) => std::cmp::Ordering::Greater,
                (Some(x), Some(y)) => x.total_cmp(y),
            });
            if let Some(w) = c.windows(2).find(|w| w[0] == w[1]) {
                let cap = w[0].map_or("none".to_string(), |x| x.to_string());
                return Err(bad(
                    "--caps",
                    format!("expected each cap once; {cap} is given twice"),
                ));
            }
            Ok(c)
        }
        _ => Err(bad(
            "--caps",
            format!(
                "expected shares of the target above 0 and at most 1, or none, separated by \
                 commas, found \"{text}\""
            ),
        )),
    }
}

fn check_destination(out: &Path) -> Result<Destination, InputError> {
    Destination::check_marked_folder(
        out,
        MARKER,
        "a capsim corridor folder (it has no corridor.json)",
    )
}

/// The arm with its own corridors removed and `design`'s added, for the providers they were
/// for; its preset's components are written out so that the arm stands alone.
fn design_arm(base: &ArmSpec, design: Option<Design>, name: &str) -> ArmSpec {
    let (own, mut component): (Vec<ComponentSpec>, Vec<ComponentSpec>) = base
        .components()
        .into_iter()
        .map(|(_, spec)| spec)
        .partition(|spec| matches!(spec, ComponentSpec::RiskShare(_)));
    if let Some(d) = design {
        component.push(ComponentSpec::RiskShare(RiskShareSpec {
            name: Some("corridor".into()),
            from_year: None,
            to_year: None,
            providers: shared_by(&own),
            basis: Basis::Result,
            // An alliance's corridor is redesigned as an alliance's.
            pooled: !own.is_empty() && own.iter().all(ComponentSpec::pooled),
            provider_loss_cap: d.cap,
            provider_gain_cap: d.cap,
            settle: Settle::Yearly,
            bands: vec![
                Band {
                    above: Some(d.width),
                    below: None,
                    provider_share: d.share,
                },
                Band {
                    above: None,
                    // A zero-width band is written 0, not -0.
                    below: Some(0.0 - d.width),
                    provider_share: d.share,
                },
            ],
        }));
    }
    ArmSpec {
        name: name.to_string(),
        preset: None,
        component,
        ..base.clone()
    }
}

/// The providers a designed corridor covers: those the arm's own risk shares cover (every
/// provider when one of them, or none at all, names nobody).
fn shared_by(risk_shares: &[ComponentSpec]) -> Option<Vec<String>> {
    let mut names: Vec<String> = Vec::new();
    for share in risk_shares {
        for name in share.providers()? {
            if !names.contains(name) {
                names.push(name.clone());
            }
        }
    }
    (!names.is_empty()).then_some(names)
}

fn designs(args: &CorridorArgs) -> Vec<Design> {
    let mut out = Vec::new();
    for &cap in &args.caps {
        for &share in &args.shares {
            for &width in &args.widths {
                out.push(Design { width, share, cap });
            }
        }
    }
    out
}

/// Term totals of the one arm of a design's result.
fn outcome(result: ReplicationResult, parties: usize) -> Outcome {
    let mut providers = vec![(0.0, 0.0); parties - 1];
    let mut spend = 0.0;
    for row in &result.ledger {
        if row.party == 0 {
            spend += row.cost;
        } else {
            let p = &mut providers[row.party - 1];
            p.0 += row.surplus();
            p.1 += row.income;
        }
    }
    Outcome { providers, spend }
}

fn assess(
    design: Option<Design>,
    outcomes: &[Outcome],
    args: &CorridorArgs,
    names: &[String],
) -> Assessed {
    let n = outcomes.len();
    let (mut p_loss, mut worst) = (-1.0, 0);
    for (p, _) in names.iter().enumerate() {
        let losses = outcomes
            .iter()
            .filter(|o| {
                let (surplus, income) = o.providers[p];
                crate::ledger::loses_beyond(surplus, income, args.loss_threshold)
            })
            .count();
        let share = losses as f64 / n as f64;
        if share > p_loss {
            (p_loss, worst) = (share, p);
        }
    }
    let mut spend: Vec<f64> = outcomes.iter().map(|o| o.spend).collect();
    let spend_mean = spend.iter().sum::<f64>() / n as f64;
    let spend_mean_se = mean_se(&spend);
    let spend_p95_se = quantile_se(&spend, 0.95);
    spend.sort_by(f64::total_cmp);
    Assessed {
        design,
        p_loss,
        p_loss_se: proportion_se(p_loss, n),
        worst_provider: names[worst].clone(),
        spend_mean,
        spend_mean_se,
        spend_p95: quantile(&spend, 0.95),
        spend_p95_se,
        meets: p_loss <= args.max_prob_loss,
        boundary: false,
    }
}

/// Marks, for each share and cap, the widest band that meets the limit with every narrower
/// band of its row meeting it too: widths are scanned from the narrowest and the scan stops at
/// the first that fails (a wider band is not always riskier, and chance adds noise).
fn mark_boundary(assessed: &mut [Assessed]) {
    let mut rows: Vec<(f64, Option<f64>)> = Vec::new();
    for d in assessed.iter().filter_map(|a| a.design) {
        if !rows.contains(&(d.share, d.cap)) {
            rows.push((d.share, d.cap));
        }
    }
    for (share, cap) in rows {
        let mut row: Vec<usize> = (0..assessed.len())
            .filter(|&i| {
                assessed[i]
                    .design
                    .is_some_and(|d| d.share == share && d.cap == cap)
            })
            .collect();
        row.sort_by(|&a, &b| {
            let width = |i: usize| assessed[i].design.expect("a design").width;
            width(a).total_cmp(&width(b))
        });
        let last_met = row.iter().take_while(|&&i| assessed[i].meets).last();
        if let Some(&i) = last_met {
            assessed[i].boundary = true;
        }
    }
}

/// The boundary design with the lowest p95 spend, then mean spend.
fn recommended(assessed: &[Assessed]) -> Option<usize> {
    (0..assessed.len())
        .filter(|&i| assessed[i].boundary)
        .min_by(|&a, &b| {
            let (x, y) = (&assessed[a], &assessed[b]);
            x.spend_p95
                .total_cmp(&y.spend_p95)
                .then(x.spend_mean.total_cmp(&y.spend_mean))
        })
}

/// The next wider band of the same share and cap on the grid, if any.
fn next_wider(assessed: &[Assessed], d: Design) -> Option<&Assessed> {
    assessed
        .iter()
        .filter(|a| {
            a.design
                .is_some_and(|e| e.share == d.share && e.cap == d.cap && e.width > d.width)
        })
        .min_by(|a, b| {
            let (x, y) = (a.design.expect("a design"), b.design.expect("a design"));
            x.width.total_cmp(&y.width)
        })
}

fn describe(d: Option<Design>) -> String {
    match d {
        None => "no corridor".into(),
        Some(d) => format!(
            "±{:.1}% band, provider keeps {:.0}% beyond it{}",
            100.0 * d.width,
            100.0 * d.share,
            d.cap
                .map_or(String::new(), |c| format!(", capped at {:.0}%", 100.0 * c))
        ),
    }
}

/// Loads the scenario and builds the model that simulates its worlds, with the base arm.
fn base_model(args: &CorridorArgs, designs: usize) -> anyhow::Result<(Model, ArmSpec, String)> {
    let overrides = Override::parse_all(args.set)?;
    refuse_set_twice(
        &overrides,
        &[
            ("--reps", args.reps.is_some(), "replications"),
            ("--seed", args.seed.is_some(), "seed"),
        ],
    )?;
    let mut loaded = load_scenario_with(args.scenario, &overrides)?;
    crate::cli::warn_of_cautions(&loaded.scenario, &loaded.file);
    if let Some(r) = args.reps {
        loaded.scenario.replications = r;
    }
    if let Some(seed) = args.seed {
        loaded.scenario.seed = seed;
    }
    let names: Vec<&str> = loaded
        .scenario
        .arm
        .iter()
        .map(|a| a.name.as_str())
        .collect();
    let Some(base) = loaded
        .scenario
        .arm
        .iter()
        .find(|a| a.name == args.arm)
        .cloned()
    else {
        return Err(bad(
            "--arm",
            crate::unknown_name::unknown("arm", args.arm, &names, "an arm (the scenario has none)"),
        )
        .into());
    };
    let file = loaded.file.clone();
    // The model simulates the arm's worlds; designs are settled on them.
    loaded.scenario.arm = vec![design_arm(&base, None, &base.name)];
    let model = Model::build(&loaded)?;
    crate::cli::warn_of_model_cautions(&model, &file, true);
    let providers = model.scenario.parties().len() - 1;
    check_replications_fit(
        &model,
        held_per_replication(designs, providers),
        u64::from(model.scenario.replications),
        args.reps,
    )?;
    Ok((model, base, file))
}

/// Runs the search; returns what the terminal shows.
pub fn corridor(
    args: &CorridorArgs,
    out: &Path,
    observer: &dyn Observer,
) -> anyhow::Result<String> {
    let designs = designs(args);
    if designs.len() > MAX_DESIGNS {
        return Err(bad(
            "--widths",
            format!(
                "expected at most {MAX_DESIGNS} designs; {} widths × {} shares × {} caps make {}",
                args.widths.len(),
                args.shares.len(),
                args.caps.len(),
                designs.len()
            ),
        )
        .into());
    }
    let destination = check_destination(out)?;
    // Each design, and the arm as it stands.
    let (model, base, file) = base_model(args, designs.len() + 1)?;
    let providers: Vec<String> = model.scenario.parties()[1..].to_vec();
    let candidates: Vec<Option<Design>> = std::iter::once(None)
        .chain(designs.into_iter().map(Some))
        .collect();
    let sets: Vec<_> = candidates
        .iter()
        .map(|&d| {
            model
                .with_arms(vec![design_arm(&base, d, &base.name)])
                .contracts
                .expect("one arm")
        })
        .collect();
    let staged = StagedFolder::with_check(destination, check_destination)?;
    let parties = providers.len() + 1;
    let outcomes = engine::run_settling(
        &model,
        &sets,
        0..u64::from(model.scenario.replications),
        args.threads,
        observer,
        |_, result| outcome(result, parties),
    )?;
    let mut assessed: Vec<Assessed> = candidates
        .iter()
        .zip(&outcomes)
        .map(|(&d, o)| assess(d, o, args, &providers))
        .collect();
    mark_boundary(&mut assessed);
    let pick = recommended(&assessed);
    write_csv_rounded_as(
        &frame(&assessed)?,
        &[
            ("p_loss_beyond_threshold", 4),
            ("commissioner_mean_spend", 2),
            ("commissioner_p95_spend", 2),
        ],
        &staged.dir().join("corridor.csv"),
    )?;
    if let Some(i) = pick {
        // Runnable where it is written: no base to look for, its head counts beside it.
        let mut scenario = crate::run_folder::standing_alone(&model.scenario, staged.dir())?;
        let name = format!("{}-corridor", base.name);
        // The searched scenario's own words describe its arms, of which this file keeps one:
        // they are quoted as that scenario's.
        let searched = if scenario.description.trim().is_empty() {
            String::new()
        } else {
            format!(
                " The scenario searched ({}): {}",
                scenario.name,
                scenario.description.trim()
            )
        };
        scenario.description = format!(
            "Arm {} of {}, and beside it the same arm with the corridor capsim corridor \
             recommends (P(loss beyond {:.1}% of income) at most {:.1}%): {}.{searched}",
            base.name,
            scenario.name,
            100.0 * args.loss_threshold,
            100.0 * args.max_prob_loss,
            describe(assessed[i].design)
        );
        if !args.set.is_empty() {
            // The words before were written for the file searched; these values are this one's.
            scenario.description += &format!(
                " Searched with --set {}, which this file's values include.",
                args.set.join(", --set ")
            );
        }
        scenario.arm = vec![base.clone(), design_arm(&base, assessed[i].design, &name)];
        // A name of its own, so its run goes to a folder of its own, not over the original's.
        scenario.name = format!("{}-corridor", scenario.name);
        crate::run_folder::write_named(&staged.dir().join(RECOMMENDED), scenario.to_toml())?;
    }
    draw(staged.dir(), args, &assessed, pick)?;
    crate::run_folder::write_named(
        &staged.dir().join(MARKER),
        serde_json::to_string_pretty(&serde_json::json!({
            "capsim_version": crate::VERSION,
            "capsim_source": crate::SOURCE,
            "scenario_file": file,
            "arm": args.arm,
            "max_prob_loss": args.max_prob_loss,
            "loss_threshold": args.loss_threshold,
            "replications": model.scenario.replications,
            "seed": model.scenario.seed,
        }))? + "\n",
    )?;
    let dir = staged.commit()?.dir;
    Ok(terminal(
        args,
        &assessed,
        pick,
        model.scenario.replications,
        &dir,
    ))
}

fn frame(assessed: &[Assessed]) -> PolarsResult<DataFrame> {
    let num = |f: &dyn Fn(&Assessed) -> f64| -> Vec<f64> { assessed.iter().map(f).collect() };
    let design = |f: &dyn Fn(Design) -> Option<f64>| -> Vec<Option<f64>> {
        assessed.iter().map(|a| a.design.and_then(f)).collect()
    };
    DataFrame::new(
        assessed.len(),
        vec![
            Column::new(
                "design".into(),
                assessed
                    .iter()
                    .map(|a| describe(a.design))
                    .collect::<Vec<_>>(),
            ),
            Column::new("band_width".into(), design(&|d| Some(d.width))),
            Column::new("provider_share".into(), design(&|d| Some(d.share))),
            Column::new("cap".into(), design(&|d| d.cap)),
            Column::new("p_loss_beyond_threshold".into(), num(&|a| a.p_loss)),
            Column::new("p_loss_beyond_threshold_se".into(), num(&|a| a.p_loss_se)),
            Column::new(
                "worst_provider".into(),
                assessed
                    .iter()
                    .map(|a| a.worst_provider.as_str())
                    .collect::<Vec<_>>(),
            ),
            Column::new("commissioner_mean_spend".into(), num(&|a| a.spend_mean)),
            Column::new(
                "commissioner_mean_spend_se".into(),
                num(&|a| a.spend_mean_se),
            ),
            Column::new("commissioner_p95_spend".into(), num(&|a| a.spend_p95)),
            Column::new("commissioner_p95_spend_se".into(), num(&|a| a.spend_p95_se)),
            Column::new(
                "meets_limit".into(),
                assessed.iter().map(|a| a.meets).collect::<Vec<_>>(),
            ),
            Column::new(
                "boundary".into(),
                assessed.iter().map(|a| a.boundary).collect::<Vec<_>>(),
            ),
        ],
    )
}

fn draw(
    dir: &Path,
    args: &CorridorArgs,
    assessed: &[Assessed],
    pick: Option<usize>,
) -> anyhow::Result<()> {
    let point = |a: &Assessed| (a.spend_p95 / 1e6, 100.0 * a.p_loss);
    let frontier = charts::Frontier {
        title: &format!(
            "Corridor designs for {}: provider risk against commissioner tail spend",
            args.arm
        ),
        x_label: "Commissioner's 95th-percentile spend over the term (£m)",
        y_label: &format!(
            "Providers' P(loss > {:.1}% of income) (%)",
            100.0 * args.loss_threshold
        ),
        all: &assessed.iter().map(point).collect::<Vec<_>>(),
        boundary: &assessed
            .iter()
            .filter(|a| a.boundary)
            .map(point)
            .collect::<Vec<_>>(),
        none: assessed.iter().find(|a| a.design.is_none()).map(point),
        pick: pick.map(|i| (point(&assessed[i]), describe(assessed[i].design))),
        limit: 100.0 * args.max_prob_loss,
    };
    charts::render(
        dir,
        "corridor",
        |r| charts::frontier(r, &frontier),
        |r| charts::frontier(r, &frontier),
    )
}

fn terminal(
    args: &CorridorArgs,
    assessed: &[Assessed],
    pick: Option<usize>,
    replications: u32,
    dir: &Path,
) -> String {
    let row = |a: &Assessed| {
        format!(
            "{:<58} {:>12} {:>14} {:>14}\n",
            describe(a.design),
            crate::report::percent_with_error(a.p_loss, a.p_loss_se, 1),
            MoneyUnit::for_values([1e6]).number(a.spend_mean),
            MoneyUnit::for_values([1e6]).number(a.spend_p95),
        )
    };
    let p_loss = format!("P(loss > {})", pct(args.loss_threshold));
    let mut text = format!(
        "\nCorridors for {}: providers' {p_loss} of income at most {}\n\
         {:<58} {:>12} {:>14} {:>14}\n",
        args.arm,
        pct(args.max_prob_loss),
        "design (widest band meeting the limit, by share and cap)",
        p_loss,
        "mean spend £m",
        "p95 spend £m"
    );
    if let Some(none) = assessed.iter().find(|a| a.design.is_none()) {
        text += &row(none);
    }
    let mut boundary: Vec<&Assessed> = assessed.iter().filter(|a| a.boundary).collect();
    boundary.sort_by(|a, b| a.spend_p95.total_cmp(&b.spend_p95));
    // A cap that does not change the figures shown is left out: the uncapped design, listed
    // first, stands for it.
    let shown = |x: &Assessed| {
        format!(
            "{:.1} {:.2} {:.2}",
            crate::report::percent_rounded(x.p_loss, 1),
            x.spend_mean / 1e6,
            x.spend_p95 / 1e6
        )
    };
    boundary.dedup_by(|later, earlier| {
        shown(later) == shown(earlier)
            && later.design.map(|d| (d.width, d.share))
                == earlier.design.map(|d| (d.width, d.share))
    });
    for a in &boundary {
        text += &row(a);
    }
    match pick {
        Some(i) => {
            let a = &assessed[i];
            let d = a.design.expect("a design");
            text += &format!("\nRecommended: {}.\n", describe(a.design));
            text += &match next_wider(assessed, d) {
                Some(w) => format!(
                    "The next wider band on the grid ({}) gives {p_loss} {:.1}%, above the limit.\n",
                    describe(w.design),
                    crate::report::percent_rounded(w.p_loss, 1)
                ),
                None => "It is the widest band on the grid: try wider --widths.\n".into(),
            };
            if a.p_loss + 2.0 * a.p_loss_se > args.max_prob_loss {
                text += &format!(
                    "Its {p_loss} is within two Monte Carlo errors of the limit ({}): run more \
                     replications (--reps) before relying on it.\n",
                    crate::report::percent_with_error(a.p_loss, a.p_loss_se, 1)
                );
            }
            text += &format!("Run it: capsim run {}\n", dir.join(RECOMMENDED).display());
        }
        None => text += &none_meets(args.loss_threshold, assessed),
    }
    // A cap at or inside the band holds the provider's result before the band's edge, so
    // what it keeps beyond the band never applies: such designs differ only in their name.
    let capped_inside: Vec<String> = args
        .caps
        .iter()
        .flatten()
        .filter(|&&cap| args.widths.iter().any(|&w| w > 0.0 && cap <= w))
        .map(|cap| format!("{:.1}%", 100.0 * cap))
        .collect();
    // Said of caps the user chose: the default grid's 5% cap is inside its wider bands by
    // design, and the table already leaves out the designs it makes repeat.
    let default_caps = parse_caps(DEFAULT_CAPS).is_ok_and(|caps| caps == args.caps);
    if !capped_inside.is_empty() && args.shares.len() > 1 && !default_caps {
        text += &format!(
            "Note: a cap of {} is at or inside some of the bands: there it holds the provider's \
             result before the band's edge, so the share kept beyond the band changes nothing \
             and those designs repeat each other.\n",
            capped_inside.join(", ")
        );
    }
    text + &format!(
        "{} designs and no corridor settled on {} replications; results in {}\n",
        assessed.iter().filter(|a| a.design.is_some()).count(),
        replications,
        dir.display()
    ) + &crate::report::rough_note(replications)
}

/// What to say when no design meets the limit: tighter designs, or, when the grid holds the
/// tightest (no band, the provider keeping nothing beyond it, uncapped), that the loss left is
/// one no corridor shares.
fn none_meets(loss_threshold: f64, assessed: &[Assessed]) -> String {
    let tightest = assessed.iter().find(|a| {
        a.design
            .is_some_and(|d| d.width == 0.0 && d.share == 0.0 && d.cap.is_none())
    });
    match tightest {
        Some(t) => format!(
            "\nNo design on the grid meets the limit. Even the tightest ({}) leaves {} a {:.1}% \
             chance of losing more than {:.1}% of its income: the loss is one a corridor does not \
             share (an outcome pool missed, a quality deduction or per-unit penalty, counted at \
             what the planned year would earn; docs/contracts.md, \"risk_share\"). Look at that \
             provider's payments in summary.csv, or try a higher --loss-threshold or \
             --max-prob-loss.\n",
            describe(t.design),
            t.worst_provider,
            crate::report::percent_rounded(t.p_loss, 1),
            100.0 * loss_threshold
        ),
        None => "\nNo design on the grid meets the limit: try narrower --widths, smaller \
                 --shares or tighter --caps.\n"
            .into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// When even the tightest design fails, the advice is not to tighten it further but where
    /// the loss comes from; with tighter designs left, to try them.
    #[test]
    fn no_design_meeting_the_limit_is_explained() {
        let assessed = |design: Option<Design>| Assessed {
            design,
            p_loss: 0.8,
            p_loss_se: 0.06,
            worst_provider: "mental-health-trust".into(),
            spend_mean: 1.0,
            spend_mean_se: 0.0,
            spend_p95: 1.0,
            spend_p95_se: 0.0,
            meets: false,
            boundary: false,
        };
        let tightest = Design {
            width: 0.0,
            share: 0.0,
            cap: None,
        };
        let wider = Design {
            width: 0.02,
            ..tightest
        };
        let text = none_meets(0.02, &[assessed(None), assessed(Some(tightest))]);
        assert!(
            text.contains(
                "Even the tightest (±0.0% band, provider keeps 0% beyond it) leaves \
                           mental-health-trust a 80.0% chance of losing more than 2.0%"
            ),
            "{text}"
        );
        assert!(!text.contains("try narrower"), "{text}");
        let text = none_meets(0.02, &[assessed(None), assessed(Some(wider))]);
        assert!(text.contains("try narrower --widths"), "{text}");
    }

    /// Regression: a cap given twice was a design settled twice, then silently dropped; it is
    /// refused now, as a value given twice to --sizes or --param is. Caps come in order, none
    /// first.
    #[test]
    fn each_cap_is_a_design_once() {
        assert_eq!(
            parse_caps("0.1,none,0.05").unwrap(),
            vec![None, Some(0.05), Some(0.1)]
        );
        for twice in ["none,0.1,none", "0.1,0.05,0.10"] {
            let e = parse_caps(twice).unwrap_err().to_string();
            assert!(e.contains("is given twice"), "{e}");
        }
        assert!(parse_caps("0").is_err());
    }
}
