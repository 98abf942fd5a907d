//! Results people can use: summary and equity tables (CSV and Excel), charts (PNG and SVG) and
//! a self-contained HTML report, all rebuilt from a run folder's own files.
//!
//! A report is a function of the run folder ([`RunFolder`]): `capsim run` writes the folder's
//! results and then its outputs from them, and `capsim report DIR` / `capsim plot DIR` rebuild
//! the outputs from the same files.

pub mod charts;
pub mod compare;
pub mod console;
pub mod differences;
pub mod drivers;
pub mod html;
pub mod mc_error;
pub mod outcomes;
pub mod precision;
pub mod tables;
pub mod waiting_lists;
pub mod xlsx;

use std::fmt::Write as _;
use std::path::Path;

use anyhow::Context;
use polars::prelude::*;

use crate::run_folder::tables::{write_csv, write_rounded_csv};
use crate::run_folder::{RunFolder, side_by_side};
use crate::scenario::contracts::ComponentSpec;
use charts::{PanelScale, Spread};

impl RunFolder {
    pub fn arms(&self) -> Vec<String> {
        self.scenario.arm.iter().map(|a| a.name.clone()).collect()
    }

    /// People covered at the start of the first year (the same in every replication).
    pub fn initial_heads(&self) -> anyhow::Result<u64> {
        let first = self
            .world
            .clone()
            .lazy()
            .filter(col("rep").eq(lit(0u32)).and(col("year").eq(lit(1u32))))
            .select([col("covered_head_count")])
            .collect()?;
        // Unsigned in a run's own tables, signed as read back from Parquet.
        Ok(first
            .column("covered_head_count")?
            .cast(&DataType::UInt64)?
            .u64()?
            .get(0)
            .unwrap_or(0))
    }

    /// Parties in report order: the commissioner, each provider, then all providers together.
    pub fn parties(&self) -> Vec<String> {
        let mut p = self.scenario.parties();
        if p.len() > 2 {
            p.push(ALL_PROVIDERS.into());
        }
        p
    }

    /// The party whose surplus the headline figures show.
    /// The headline party in words ([`HeadlineWords`]).
    pub fn headline_words(&self) -> HeadlineWords {
        HeadlineWords::of(&self.headline_party())
    }

    pub fn headline_party(&self) -> String {
        let p = self.parties();
        if p.len() > 2 {
            ALL_PROVIDERS.into()
        } else {
            p[1].clone()
        }
    }
}

pub const ALL_PROVIDERS: &str = "all providers";

/// The headline party as a sentence names it: as a subject ("the providers together", "the
/// provider", "provider acute") and in the possessive ("the providers'", …).
pub struct HeadlineWords {
    pub subject: String,
    pub possessive: String,
}

impl HeadlineWords {
    fn of(party: &str) -> Self {
        let (subject, possessive) = match party {
            ALL_PROVIDERS => ("the providers together".into(), "the providers'".into()),
            "provider" => ("the provider".into(), "the provider's".into()),
            name => (format!("provider {name}"), format!("provider {name}'s")),
        };
        HeadlineWords {
            subject,
            possessive,
        }
    }

    /// The possessive at the start of a sentence.
    pub fn possessive_capitalised(&self) -> String {
        crate::scenario::contracts::capitalised(&self.possessive)
    }
}

/// With several providers, adds rows for all providers together: their income from the
/// commissioner, their care cost and their combined surplus (subcontract flows cancel).
fn with_all_providers(df: &DataFrame, keys: &[&str], providers: usize) -> PolarsResult<DataFrame> {
    if providers < 2 {
        return Ok(df.clone());
    }
    let mut group: Vec<Expr> = keys.iter().map(|k| col(*k)).collect();
    group.push(col("arm"));
    let mut sort_keys: Vec<String> = keys.iter().map(|k| k.to_string()).collect();
    sort_keys.extend(["arm".to_string(), "party".to_string()]);
    let total = df
        .clone()
        .lazy()
        .filter(col("role").neq(lit("commissioner")))
        .sort(sort_keys, SortMultipleOptions::default())
        .group_by_stable(group)
        .agg([
            (col("income")
                - when(col("subcontract").gt(lit(0.0)))
                    .then(col("subcontract"))
                    .otherwise(lit(0.0)))
            .sort(SortOptions::default())
            .sum()
            .alias("income"),
            (col("cost")
                + when(col("subcontract").lt(lit(0.0)))
                    .then(col("subcontract"))
                    .otherwise(lit(0.0)))
            .sort(SortOptions::default())
            .sum()
            .alias("cost"),
            col("surplus")
                .sort(SortOptions::default())
                .sum()
                .alias("surplus"),
        ])
        .with_columns([
            lit(ALL_PROVIDERS).alias("party"),
            lit(ALL_PROVIDERS).alias("role"),
        ]);
    let mut cols: Vec<Expr> = keys.iter().map(|k| col(*k)).collect();
    cols.extend([
        col("arm"),
        col("party"),
        col("role"),
        col("income"),
        col("cost"),
        col("surplus"),
    ]);
    concat(
        [df.clone().lazy().select(cols.clone()), total.select(cols)],
        UnionArgs::default(),
    )?
    .collect()
}

/// The summary, equity and who-gains tables.
pub struct Tables {
    pub summary: DataFrame,
    pub equity: DataFrame,
    /// Empty when no arm runs an intervention.
    pub who_gains: DataFrame,
    /// The same per contract year (None for a run folder without who_gains_by_year.parquet).
    pub who_gains_by_year: Option<DataFrame>,
    /// Every indicator per world and horizon (None for a run folder without outcomes.parquet).
    pub outcomes: Option<DataFrame>,
    /// Each waiting list's year ends per world (None when no activity type has a list).
    pub waiting_lists: Option<DataFrame>,
    /// Each pair of arms compared party by party (empty with fewer than two arms).
    pub arm_differences: DataFrame,
}

pub fn tables(run: &RunFolder) -> anyhow::Result<Tables> {
    let providers = run.scenario.parties().len() - 1;
    let ledger = with_all_providers(
        &run.ledger,
        &["rep", "world", "year", "calendar_year"],
        providers,
    )?;
    let term = with_all_providers(&run.term, &["rep", "world"], providers)?;
    let budget = run.scenario.budget.map(|budget| tables::BudgetTerm {
        budget,
        start_year: run.scenario.start_year,
        years: run.scenario.years,
    });
    // Three independent summaries, worked out side by side as far as the run's threads allow.
    let threads = run.info.threads;
    let (summary, (equity, who_gains)) = side_by_side(
        threads,
        || {
            tables::summary(
                &ledger,
                &term,
                &run.world,
                &run.arms(),
                &run.parties(),
                budget.as_ref(),
            )
        },
        || {
            side_by_side(
                threads.saturating_sub(1),
                || tables::equity(&run.equity, &run.arms()),
                || {
                    let parties = run.scenario.parties();
                    let who_gains = tables::who_gains(&run.gains, &run.arms(), &parties);
                    let by_year = run
                        .gains_by_year
                        .as_ref()
                        .map(|g| tables::who_gains_by_year(g, &run.arms(), &parties))
                        .transpose();
                    let outcomes = run
                        .outcomes
                        .as_ref()
                        .map(|per_rep| outcomes::outcomes(per_rep, &run.scenario))
                        .transpose();
                    (who_gains, by_year, outcomes)
                },
            )
        },
    );
    let (who_gains, who_gains_by_year, outcomes) = who_gains;
    Ok(Tables {
        summary: summary?,
        equity: equity?,
        who_gains: who_gains?,
        who_gains_by_year: who_gains_by_year?,
        outcomes: outcomes?,
        waiting_lists: waiting_lists::table(&run.world, &run.scenario)?,
        arm_differences: differences::arm_differences(&term, &run.arms(), &run.parties(), threads)?,
    })
}

/// Writes summary.csv, equity.csv, who_gains.csv and who_gains_by_year.csv (when an arm runs
/// an intervention), arm_differences.csv (with two arms or more), outcomes.csv,
/// waiting_list.csv (when a type has a list) and summary.xlsx into `out`.
pub fn write_tables(run: &RunFolder, t: &Tables, out: &Path) -> anyhow::Result<()> {
    write_rounded_csv(&t.summary, "summary", &out.join("summary.csv"))?;
    write_rounded_csv(&t.equity, "equity", &out.join("equity.csv"))?;
    if t.who_gains.height() > 0 {
        write_rounded_csv(&t.who_gains, "who_gains", &out.join(WHO_GAINS_CSV))?;
    }
    if let Some(by_year) = t.who_gains_by_year.as_ref().filter(|t| t.height() > 0) {
        let path = out.join(WHO_GAINS_BY_YEAR_CSV);
        write_rounded_csv(by_year, "who_gains_by_year", &path)?;
    }
    if t.arm_differences.height() > 0 {
        let path = out.join(differences::ARM_DIFFERENCES_CSV);
        write_rounded_csv(&t.arm_differences, "arm_differences", &path)?;
    }
    write_world_csvs(t.outcomes.as_ref(), t.waiting_lists.as_ref(), out)?;
    xlsx::write_workbook(&out.join("summary.xlsx"), run, t)
}

/// Writes the world's tables that are there, outcomes.csv and waiting_list.csv, into `out`;
/// returns the names of the files written.
fn write_world_csvs(
    outcomes: Option<&DataFrame>,
    lists: Option<&DataFrame>,
    out: &Path,
) -> anyhow::Result<Vec<&'static str>> {
    let mut written = Vec::new();
    if let Some(outcomes) = outcomes {
        write_rounded_csv(outcomes, "outcomes", &out.join(outcomes::OUTCOMES_CSV))?;
        written.push(outcomes::OUTCOMES_CSV);
    }
    if let Some(lists) = lists {
        write_csv(
            &mut lists.clone(),
            &out.join(crate::run_folder::WAITING_LIST),
        )?;
        written.push(crate::run_folder::WAITING_LIST);
    }
    Ok(written)
}

/// Writes what a run without contracts can still show as a table: outcomes.csv (each
/// indicator's spread per year, from outcomes.parquet) and waiting_list.csv (when a type has a
/// list), into the run folder `dir`. Returns the names of the files written.
pub fn write_world_tables(
    dir: &Path,
    scenario: &crate::scenario::Scenario,
    replications: u32,
) -> anyhow::Result<Vec<&'static str>> {
    use crate::run_folder::{OUTCOMES, WORLD, read_run_table};
    let outcomes = dir
        .join(OUTCOMES)
        .is_file()
        .then(|| read_run_table(dir, OUTCOMES, replications))
        .transpose()?
        .map(|per_rep| outcomes::outcomes(&per_rep, scenario))
        .transpose()?;
    let world = read_run_table(dir, WORLD, replications)?;
    let lists = waiting_lists::table(&world, scenario)?;
    write_world_csvs(outcomes.as_ref(), lists.as_ref(), dir)
}

/// Who gains, per intervention arm and party: written when some arm runs an intervention.
pub const WHO_GAINS_CSV: &str = "who_gains.csv";
/// The same per contract year.
pub const WHO_GAINS_BY_YEAR_CSV: &str = "who_gains_by_year.csv";
/// The stem of the who-gains chart (drawn when some arm runs an intervention).
pub const WHO_GAINS_CHART: &str = "who_gains";
/// The stem of the year-by-year who-gains chart.
pub const WHO_GAINS_BY_YEAR_CHART: &str = "who_gains_by_year";

/// One party's (or the whole system's) gain over the term in one intervention arm (£), from
/// the who-gains table.
#[derive(Debug, Clone, PartialEq)]
pub struct PartyGain {
    pub party: String,
    /// `commissioner`, `provider` or `system`.
    pub role: String,
    /// The mean gain: what the report's sentences state, since means add up across the
    /// parties to the system's and medians need not.
    pub mean: f64,
    pub p5: f64,
    pub p50: f64,
    pub p95: f64,
    /// Share of simulated futures in which the party is better off.
    pub p_gain: f64,
    /// Monte Carlo standard errors of the median and of that share.
    pub p50_se: f64,
    pub p_gain_se: f64,
    /// Mean programme cost this party paid over the term (for the system: all of it).
    pub programme_cost: f64,
    /// Mean change in the cost this party bears beyond the programme's (for the system: the
    /// cost of care; positive when the programme adds care).
    pub other_cost_change: f64,
}

impl PartyGain {
    pub fn is_system(&self) -> bool {
        self.role == "system"
    }

    /// Whether the programme leaves this party exactly where it was (for instance the
    /// commissioner under a block contract): its percentiles and its mean all under 50p. The
    /// mean counts too, since a large change in a few futures moves it and no percentile.
    pub fn unchanged(&self) -> bool {
        [self.p5, self.p50, self.p95, self.mean]
            .iter()
            .all(|v| v.abs() < 0.5)
    }

    /// Whether this party pays for (some of) the programme.
    pub fn pays(&self) -> bool {
        !self.is_system() && self.programme_cost > 0.5
    }
}

/// The who-gains table by intervention arm, in its own order (scenario arm order, parties in
/// ledger order, the system last); empty when no arm runs an intervention.
pub fn gains_by_arm(t: &Tables) -> anyhow::Result<Vec<(String, Vec<PartyGain>)>> {
    let g = &t.who_gains;
    if g.height() == 0 {
        return Ok(Vec::new());
    }
    let (arm, party, role) = (strs(g, "arm")?, strs(g, "party")?, strs(g, "role")?);
    let mean = f64s(g, "mean")?;
    let (p5, p50, p95, p_gain, cost) = (
        f64s(g, "p5")?,
        f64s(g, "p50")?,
        f64s(g, "p95")?,
        f64s(g, "p_gain")?,
        f64s(g, "mean_programme_cost")?,
    );
    let cost_change = f64s(g, "mean_cost_change")?;
    let (p50_se, p_gain_se) = (f64s(g, "p50_se")?, f64s(g, "p_gain_se")?);
    let mut out: Vec<(String, Vec<PartyGain>)> = Vec::new();
    for i in 0..g.height() {
        let row = PartyGain {
            party: party[i].clone(),
            role: role[i].clone(),
            mean: mean[i],
            p5: p5[i],
            p50: p50[i],
            p95: p95[i],
            p_gain: p_gain[i],
            p50_se: p50_se[i],
            p_gain_se: p_gain_se[i],
            programme_cost: cost[i],
            other_cost_change: cost_change[i] - cost[i],
        };
        match out.last_mut() {
            Some((a, rows)) if *a == arm[i] => rows.push(row),
            _ => out.push((arm[i].clone(), vec![row])),
        }
    }
    Ok(out)
}

/// A budget in the unit of the spend beside it, or in its own where that unit would show
/// nothing of it (a budget of £2,300 read as "£0m").
pub fn budget_shown(budget: f64, spend: MoneyUnit) -> String {
    let shown = spend.show(budget);
    if budget != 0.0 && !shown.chars().any(|c| ('1'..='9').contains(&c)) {
        MoneyUnit::for_values([budget]).show(budget)
    } else {
        shown
    }
}

/// A chart written by [`write_charts`].
#[derive(Debug, Clone)]
pub struct Chart {
    pub stem: String,
    pub title: String,
    pub caption: String,
}

/// A whole number with thousands separators: 1,500,000.
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `n` of `noun`, with thousands separated and the noun plural unless `n` is 1: "1 replication",
/// "1,000 replications".
pub fn count(n: impl Into<u64>, noun: &str) -> String {
    match n.into() {
        1 => format!("1 {noun}"),
        n => format!("{} {noun}s", thousands(n)),
    }
}

/// A column as floats (missing values as NaN).
pub(crate) fn f64s(df: &DataFrame, name: &str) -> PolarsResult<Vec<f64>> {
    let c = df.column(name)?.cast(&DataType::Float64)?;
    Ok(c.f64()?.iter().map(|v| v.unwrap_or(f64::NAN)).collect())
}

/// A column as text (missing values empty).
pub(crate) fn strs(df: &DataFrame, name: &str) -> PolarsResult<Vec<String>> {
    let c = df.column(name)?.cast(&DataType::String)?;
    Ok(c.str()?
        .iter()
        .map(|v| v.unwrap_or("").to_string())
        .collect())
}

/// One year of one world under a risk-sharing arm, as the commissioner's ledger row and the
/// world's costs give it (£).
struct CommissionerYear {
    /// What the commissioner spent: its payments and its own programme cost.
    spent: f64,
    own_programme: f64,
    /// The risk share's payments to the providers (negative: repaid by them).
    risk_share: f64,
    /// Care cost and every programme's cost in the world.
    care: f64,
    programme: f64,
}

/// A point of the corridor chart, both as % of the contract's other payments: the overrun of
/// care cost over them, and the providers' result. The commissioner's spend less its own
/// programme is what the providers were paid; their result bears the programmes they pay for
/// (all but the commissioner's). The overrun is on care alone, as the corridor shares it. None
/// when there are no other payments to compare with.
fn corridor_point(y: CommissionerYear) -> Option<(f64, f64)> {
    let paid = y.spent - y.own_programme;
    let before = paid - y.risk_share;
    let providers_programme = y.programme - y.own_programme;
    (before > 0.0).then(|| {
        (
            100.0 * (y.care - before) / before,
            100.0 * (paid - y.care - providers_programme) / before,
        )
    })
}

/// Arms with a risk share, and the ledger columns it pays into.
fn risk_sharing_arms(run: &RunFolder) -> Vec<(String, Vec<String>)> {
    run.scenario
        .arm
        .iter()
        .filter_map(|arm| {
            let cols: Vec<String> = arm
                .components()
                .into_iter()
                .filter(|(_, spec)| matches!(spec, ComponentSpec::RiskShare(_)))
                .map(|(column, _)| column)
                .collect();
            (!cols.is_empty()).then(|| (arm.name.clone(), cols))
        })
        .collect()
}

/// Draws every chart into `out` (PNG and SVG each).
pub fn write_charts(run: &RunFolder, t: &Tables, out: &Path) -> anyhow::Result<Vec<Chart>> {
    let mut written = summary_charts(run, t, out)?;
    written.extend(corridor_chart(run, out)?);
    written.push(deprivation_chart(run, t, out)?);
    written.extend(waiting_list_chart(run, t, out)?);
    written.extend(who_gains_charts(run, t, out)?);
    Ok(written)
}

/// Charts 1 and 2, the providers' surplus over the term and the commissioner's spend per year.
fn summary_charts(run: &RunFolder, t: &Tables, out: &Path) -> anyhow::Result<Vec<Chart>> {
    let arms = run.arms();
    let headline = run.headline_party();
    let years = run.scenario.years;
    let mut written = Vec::new();

    // Charts 1 and 2 draw percentiles straight from the summary table, so they show the same
    // numbers as summary.csv and the headline table.
    let s = &t.summary;
    let (s_arm, s_party, s_role, s_hor) = (
        strs(s, "arm")?,
        strs(s, "party")?,
        strs(s, "role")?,
        strs(s, "horizon")?,
    );
    let cols: Vec<Vec<f64>> = ["p5", "p25", "p50", "p75", "p95", "mean"]
        .iter()
        .map(|c| f64s(s, c))
        .collect::<PolarsResult<_>>()?;
    // Summary row `i` in £m.
    let spread_m = |i: usize| {
        let m = |k: usize| cols[k][i] / 1e6;
        Spread {
            p5: m(0),
            p25: m(1),
            p50: m(2),
            p75: m(3),
            p95: m(4),
            mean: m(5),
        }
    };

    // 1. Provider surplus over the term.
    let surplus: Vec<(String, Spread)> = arms
        .iter()
        .map(|a| {
            let i = (0..s_arm.len())
                .find(|&i| &s_arm[i] == a && s_party[i] == headline && s_hor[i] == "term")
                .with_context(|| format!("summary has no term row for {headline} in arm {a}"))?;
            Ok((a.clone(), spread_m(i)))
        })
        .collect::<anyhow::Result<_>>()?;
    // Whose surplus the chart shows: with several providers, theirs added together.
    let whose_surplus = if run.headline_party() == ALL_PROVIDERS {
        "All providers' combined surplus".to_string()
    } else {
        format!("{} surplus", run.headline_words().possessive_capitalised())
    };
    charts::render(
        out,
        "provider_surplus",
        |r| charts::surplus_distribution(r, &surplus, years, &whose_surplus),
        |r| charts::surplus_distribution(r, &surplus, years, &whose_surplus),
    )?;
    written.push(Chart {
        stem: "provider_surplus".into(),
        title: format!("{whose_surplus} over the contract term"),
        caption: format!(
            "{} surplus over the {years}-year term under each payment model, across {} simulated futures. Left of zero is a loss.",
            run.headline_words().possessive_capitalised(),
            run.scenario.replications
        ),
    });

    // 2. Commissioner spend per year.
    let fan: Vec<(String, Vec<(i32, Spread)>)> = arms
        .iter()
        .map(|a| {
            let pts = (0..s_arm.len())
                .filter(|&i| &s_arm[i] == a && s_role[i] == "commissioner" && s_hor[i] != "term")
                .map(|i| (s_hor[i].parse().unwrap_or(0), spread_m(i)))
                .collect();
            (a.clone(), pts)
        })
        .collect();
    charts::render(
        out,
        "commissioner_spend",
        |r| charts::spend_fan(r, &fan),
        |r| charts::spend_fan(r, &fan),
    )?;
    written.push(Chart {
        stem: "commissioner_spend".into(),
        title: "Commissioner spend per year".into(),
        caption: "Dark band: the middle half of simulated futures (25th-75th percentile); light band: 90% of them (5th-95th); line: the median.".into(),
    });
    Ok(written)
}

/// Chart 3, the corridor's shape, for the arms that share risk; None when none does.
fn corridor_chart(run: &RunFolder, out: &Path) -> anyhow::Result<Option<Chart>> {
    let sharing = risk_sharing_arms(run);
    if sharing.is_empty() {
        return Ok(None);
    }
    let world_cost = run.world.clone().lazy().select([
        col("rep"),
        col("world"),
        col("year"),
        col("total_cost"),
        col("programme_cost"),
    ]);
    let comm = run
        .ledger
        .clone()
        .lazy()
        .filter(col("role").eq(lit("commissioner")));
    let joined = comm
        .join(
            world_cost,
            [col("rep"), col("world"), col("year")],
            [col("rep"), col("world"), col("year")],
            JoinArgs::new(JoinType::Left),
        )
        .collect()?;
    let (j_arm, spent, own_programme, care, programme) = (
        strs(&joined, "arm")?,
        f64s(&joined, "cost")?,
        f64s(&joined, "programme")?,
        f64s(&joined, "total_cost")?,
        f64s(&joined, "programme_cost")?,
    );
    let mut panels = Vec::new();
    for (arm, risk_cols) in &sharing {
        let mut risk = vec![0.0; joined.height()];
        for c in risk_cols {
            for (x, v) in risk.iter_mut().zip(f64s(&joined, c)?) {
                *x += v;
            }
        }
        let pts: Vec<(f64, f64)> = (0..joined.height())
            .filter(|&i| &j_arm[i] == arm)
            .filter_map(|i| {
                corridor_point(CommissionerYear {
                    spent: spent[i],
                    own_programme: own_programme[i],
                    risk_share: risk[i],
                    care: care[i],
                    programme: programme[i],
                })
            })
            .collect();
        panels.push((arm.clone(), pts));
    }
    let words = run.headline_words();
    let whose = words.possessive_capitalised();
    charts::render(
        out,
        "risk_corridors",
        |r| charts::corridor_shape(r, &panels, &whose),
        |r| charts::corridor_shape(r, &panels, &whose),
    )?;
    Ok(Some(Chart {
        stem: "risk_corridors".into(),
        title: format!("How the risk share shapes {} result", words.possessive),
        caption: format!(
            "Each point is one simulated year of {}: the result (income less care and the programmes paid for) against the overrun of the care cost over the contract's payments before risk sharing (its other payments), both as a share of those payments. Without risk sharing the result would fall on the dashed line: every pound of overspend a pound of loss. Where the points flatten, the commissioner is sharing the risk. The corridor is set on planned income, outcome and per-unit payments at what the expected year earns, so a year that missed or beat those sits off its line by the difference.",
            words.subject
        ),
    }))
}

/// Chart 4, each quintile's margin per person-year against the arm's average.
fn deprivation_chart(run: &RunFolder, t: &Tables, out: &Path) -> anyhow::Result<Chart> {
    let arms = run.arms();
    let e = &t.equity;
    let (e_arm, e_dim, e_lvl, e_margin, e_se) = (
        strs(e, "arm")?,
        strs(e, "dimension")?,
        f64s(e, "level")?,
        f64s(e, "margin_vs_average_mean")?,
        f64s(e, "margin_vs_average_mean_se")?,
    );
    let lines: Vec<(String, Vec<charts::QuintileMargin>)> = arms
        .iter()
        .map(|a| {
            let pts = (0..e_arm.len())
                .filter(|&i| &e_arm[i] == a && e_dim[i] == "imd_quintile")
                .map(|i| charts::QuintileMargin {
                    quintile: e_lvl[i] as i32,
                    mean: e_margin[i],
                    // A single replication has no error to draw.
                    se: if e_se[i].is_finite() { e_se[i] } else { 0.0 },
                })
                .collect();
            (a.clone(), pts)
        })
        .collect();
    charts::render(
        out,
        "margin_by_deprivation",
        |r| charts::margin_by_deprivation(r, &lines),
        |r| charts::margin_by_deprivation(r, &lines),
    )?;
    Ok(Chart {
        stem: "margin_by_deprivation".into(),
        title: "Provider margin per person-year by deprivation, against each payment model's average".into(),
        caption: "What the providers gain or lose per person-year over the term by serving people in each IMD quintile rather than the average person: the quintile's margin less the payment model's margin over everyone (equity.csv, margin_vs_average_mean, beside each margin itself; the tables below give everyone's margin and each group's gap). A line above £0 marks patients a provider would want, one below patients it would avoid; a flat line on £0 gives it no reason to choose, which is what risk adjustment aims at. Each whisker is the 95% Monte Carlo interval: a slope within the whiskers may be the simulation's noise, so run more replications to tell.".into(),
    })
}

/// Chart 5, each waiting list's year ends per world; None without a waiting list.
fn waiting_list_chart(run: &RunFolder, t: &Tables, out: &Path) -> anyhow::Result<Option<Chart>> {
    let Some(lists) = &t.waiting_lists else {
        return Ok(None);
    };
    let panels = waiting_lists::panels(&waiting_lists::figures(lists)?, &run.scenario);
    let title = "Waiting lists at each year's end";
    charts::render_sized(
        out,
        waiting_lists::CHART,
        charts::line_panels_size(panels.len()),
        |r| charts::line_panels(r, &panels, title, PanelScale::Own),
        |r| charts::line_panels(r, &panels, title, PanelScale::Own),
    )?;
    Ok(Some(Chart {
        stem: waiting_lists::CHART.into(),
        title: title.into(),
        caption: format!(
            "Each world's mean at each year's end across {} simulated futures (line), and its 5th to 95th percentile (whisker): pathways waiting, those waiting 52 weeks or more, and the median wait. waiting_list.csv has these and the year's referrals, treatments and removals.",
            run.scenario.replications
        ),
    }))
}

/// Chart 6, who gains from the interventions over the term and year by year; none without
/// an arm that runs one.
fn who_gains_charts(run: &RunFolder, t: &Tables, out: &Path) -> anyhow::Result<Vec<Chart>> {
    let years = run.scenario.years;
    let mut written = Vec::new();
    let gains = gains_by_arm(t)?;
    if !gains.is_empty() {
        let groups: Vec<charts::GainGroup> = gains
            .iter()
            .map(|(arm, rows)| {
                let programmes = run
                    .scenario
                    .arm
                    .iter()
                    .find(|a| &a.name == arm)
                    .map(|a| a.interventions.join(", "))
                    .unwrap_or_default();
                charts::GainGroup {
                    heading: format!("{arm} (with {programmes})"),
                    bars: rows
                        .iter()
                        .map(|r| charts::GainBar {
                            label: gain_label(r),
                            p5: r.p5,
                            p50: r.p50,
                            p95: r.p95,
                            system: r.is_system(),
                        })
                        .collect(),
                }
            })
            .collect();
        let reps = run.scenario.replications;
        charts::render_sized(
            out,
            WHO_GAINS_CHART,
            charts::who_gains_size(&groups),
            |r| charts::who_gains(r, &groups, years, reps),
            |r| charts::who_gains(r, &groups, years, reps),
        )?;
        written.push(Chart {
            stem: WHO_GAINS_CHART.into(),
            title: "Who gains and who loses from the intervention".into(),
            caption: format!(
                "For each payment model that runs an intervention: what each party and the whole system gain (right of zero) or lose (left of zero) over the {years}-year term, against the same contract in the same simulated futures without the programme. Bar: median; whisker: 5th-95th percentile."
            ),
        });
    }
    if let Some(arms) = gains_by_year(t)?.filter(|_| years > 1) {
        let title = "Who gains, year by year";
        charts::render_sized(
            out,
            WHO_GAINS_BY_YEAR_CHART,
            charts::line_panels_size(arms.len()),
            |r| charts::line_panels(r, &arms, title, PanelScale::Shared),
            |r| charts::line_panels(r, &arms, title, PanelScale::Shared),
        )?;
        written.push(Chart {
            stem: WHO_GAINS_BY_YEAR_CHART.into(),
            title: title.into(),
            caption: "Each party's (and the whole system's) median gain in each year, against the same contract in the same simulated futures without the programme (who_gains_by_year.csv); each whisker runs from the 5th to the 95th percentile of that year's gain, and the parties are drawn a little apart so that theirs do not hide each other. A contract re-set on outturn takes a saving back from the year after it is made; one set for the term leaves it where it falls. Medians of single years need not add up to the term's: a payment made in some years and not others shows in the mean (who_gains_by_year.csv).".into(),
        });
    }
    Ok(written)
}

/// Each intervention arm's median gains year by year, a line per party (labelled as the
/// who-gains chart labels them) and the system last, in £m; None without the table or rows.
fn gains_by_year(t: &Tables) -> anyhow::Result<Option<Vec<charts::LinePanel>>> {
    let Some(table) = t.who_gains_by_year.as_ref().filter(|t| t.height() > 0) else {
        return Ok(None);
    };
    let (arm, party) = (strs(table, "arm")?, strs(table, "party")?);
    let year = f64s(table, "calendar_year")?;
    let in_millions = |column: &str| -> anyhow::Result<Vec<f64>> {
        Ok(f64s(table, column)?.iter().map(|m| m / 1e6).collect())
    };
    let (median, p5, p95) = (in_millions("p50")?, in_millions("p5")?, in_millions("p95")?);
    // Labels as the term's chart has them (who pays for the programme, the whole system).
    let labels: Vec<(String, String, String)> = gains_by_arm(t)?
        .into_iter()
        .flat_map(|(arm, rows)| {
            rows.into_iter()
                .map(move |r| (arm.clone(), r.party.clone(), gain_label(&r)))
        })
        .collect();
    let mut out: Vec<charts::LinePanel> = Vec::new();
    for i in 0..table.height() {
        if out.last().is_none_or(|a| a.title != arm[i]) {
            out.push(charts::LinePanel {
                title: arm[i].clone(),
                y_label: "£m gain that year (median, 5th-95th percentile)".into(),
                series: Vec::new(),
                spread: Vec::new(),
            });
        }
        let panel = out.last_mut().expect("pushed");
        let label = labels
            .iter()
            .find(|(a, p, _)| *a == arm[i] && *p == party[i])
            .map_or_else(|| party[i].clone(), |l| l.2.clone());
        if panel.series.last().is_none_or(|s| s.0 != label) {
            panel.series.push((label, Vec::new()));
            panel.spread.push(Vec::new());
        }
        let last = panel.series.len() - 1;
        panel.series[last].1.push((year[i], median[i]));
        panel.spread[last].push((p5[i], p95[i]));
    }
    Ok(Some(out))
}

/// A gain in £ as the report's sentences state it: £m with one decimal from £1m (whole
/// millions, thousands separated, from £100m), whole £k below, whole £ below £1k; "−" for a
/// loss.
pub fn money_gain(x: f64) -> String {
    if x.is_nan() {
        return "–".into();
    }
    let a = x.abs();
    let body = if a >= 99.95e6 {
        format!("£{}m", thousands((a / 1e6).round() as u64))
    } else if a >= 0.9995e6 {
        format!("£{:.1}m", a / 1e6)
    } else if a >= 999.5 {
        format!("£{:.0}k", a / 1e3)
    } else {
        format!("£{a:.0}")
    };
    if x < 0.0 && body != "£0" {
        format!("−{body}")
    } else {
        body
    }
}

/// One unit for £ figures shown side by side (a table's money columns, a chart's labels): £m,
/// £k or £, with the places the largest of them needs, so that figures read together are in
/// one unit (a column had "£7.6m ± £141k" beside "−£88k", and a place of £0.1m results showed
/// every contract as "−£0.1m ± £0.1m").
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MoneyUnit {
    divisor: f64,
    suffix: &'static str,
    decimals: usize,
}

impl MoneyUnit {
    /// The unit for `values`, from the largest in size: whole £m from £100m, one place from
    /// £10m, two from £1m; whole £k from £10k, one place from £1k; whole £ below.
    pub fn for_values(values: impl IntoIterator<Item = f64>) -> Self {
        let largest = values
            .into_iter()
            .filter(|v| v.is_finite())
            .fold(0.0_f64, |a, v| a.max(v.abs()));
        let (divisor, suffix, decimals) = if largest >= 99.95e6 {
            (1e6, "m", 0)
        } else if largest >= 9.995e6 {
            (1e6, "m", 1)
        } else if largest >= 0.9995e6 {
            (1e6, "m", 2)
        } else if largest >= 9_995.0 {
            (1e3, "k", 0)
        } else if largest >= 999.5 {
            (1e3, "k", 1)
        } else {
            (1.0, "", 0)
        };
        MoneyUnit {
            divisor,
            suffix,
            decimals,
        }
    }

    /// Whole pounds to `decimals` places (figures per head).
    pub fn pounds(decimals: usize) -> Self {
        MoneyUnit {
            divisor: 1.0,
            suffix: "",
            decimals,
        }
    }

    /// What one of the unit is worth in £.
    pub fn divisor(&self) -> f64 {
        self.divisor
    }

    /// The unit as an axis names it: "£m", "£k" or "£".
    pub fn label(&self) -> String {
        format!("£{}", self.suffix)
    }

    /// `x` in this unit: "−£1.25m", "£48k", "£1,204m"; "–" when unknown.
    pub fn show(&self, x: f64) -> String {
        self.with_sign(x, false)
    }

    /// `x` in this unit as a number alone, for a table whose heading names the unit: "-1.25".
    pub fn number(&self, x: f64) -> String {
        thousands_f64(x / self.divisor, self.decimals)
    }

    /// [`MoneyUnit::number`] with its Monte Carlo error: "-1.25 ± 0.03".
    pub fn number_with_error(&self, value: f64, se: f64) -> String {
        plus_minus(value / self.divisor, se / self.divisor, self.decimals, "")
    }

    /// `x` with its sign, + for a gain: "+£1.25m", "−£48k", "£0".
    pub fn signed(&self, x: f64) -> String {
        self.with_sign(x, true)
    }

    fn with_sign(&self, x: f64, signed: bool) -> String {
        if !x.is_finite() {
            return "–".into();
        }
        let magnitude = thousands_f64(x.abs() / self.divisor, self.decimals);
        with_sign(format!("£{magnitude}{}", self.suffix), x, signed)
    }

    /// A Monte Carlo error in this unit, to the places it needs not to read 0 ([`error_shown`]):
    /// "£0.03m", "<£0.0001m"; "–" when unknown.
    pub fn error(&self, se: f64) -> String {
        if !se.is_finite() {
            return "–".into();
        }
        let shown = error_shown(se / self.divisor, self.decimals);
        match shown.strip_prefix('<') {
            Some(bound) => format!("<£{bound}{}", self.suffix),
            None => format!("£{shown}{}", self.suffix),
        }
    }
}

/// `body`, the magnitude of `x` as shown, with − before a fall and, when `signed`, + before a
/// rise; none when it shows as zero.
pub(crate) fn with_sign(body: String, x: f64, signed: bool) -> String {
    let sign = if !body.chars().any(|c| ('1'..='9').contains(&c)) {
        ""
    } else if x < 0.0 {
        "−"
    } else if signed && x > 0.0 {
        "+"
    } else {
        ""
    };
    format!("{sign}{body}")
}

/// How the who-gains chart and table name a party.
pub fn gain_label(r: &PartyGain) -> String {
    if r.is_system() {
        "whole system (net)".into()
    } else if r.pays() {
        format!("{} (pays for programme)", r.party)
    } else {
        r.party.clone()
    }
}

/// One arm's headline figures over the term: the headline party's surplus and the
/// commissioner's spend, each with its Monte Carlo error where it has one.
pub(crate) struct ArmHeadline {
    pub(crate) arm: String,
    pub(crate) p5: Estimate,
    pub(crate) p50: Estimate,
    pub(crate) p95: Estimate,
    pub(crate) p_loss: Estimate,
    pub(crate) p_loss_2pct: Estimate,
    pub(crate) shortfall: Estimate,
    pub(crate) spend_mean: Estimate,
    pub(crate) spend_p5: Estimate,
    pub(crate) spend_p95: Estimate,
    pub(crate) spend_per_head: Estimate,
    /// The chance the commissioner's spend exceeds its budget (NaN without one).
    pub(crate) over_budget: Estimate,
}

/// A figure and its Monte Carlo standard error.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Estimate {
    pub(crate) value: f64,
    pub(crate) se: f64,
}

/// Every arm's headline figures over the term, from the summary table.
pub(crate) fn arm_headlines(run: &RunFolder, t: &Tables) -> anyhow::Result<Vec<ArmHeadline>> {
    let s = &t.summary;
    let (arm, party, hor) = (strs(s, "arm")?, strs(s, "party")?, strs(s, "horizon")?);
    let figure = |c: &str| estimates(s, c);
    let (p5, p50, p95, pl, pl2, es, mean, per_head) = (
        figure("p5")?,
        figure("p50")?,
        figure("p95")?,
        figure("p_loss")?,
        figure("p_loss_over_2pct")?,
        figure("expected_shortfall_5pct")?,
        figure("mean")?,
        figure("spend_per_head")?,
    );
    let over_budget = figure("p_over_budget")?;
    let who = run.headline_party();
    Ok(run
        .arms()
        .into_iter()
        .filter_map(|a| {
            let find = |p: &str| {
                (0..arm.len()).find(|&i| arm[i] == a && party[i] == p && hor[i] == "term")
            };
            let (i, c) = (find(&who)?, find("commissioner")?);
            Some(ArmHeadline {
                arm: a,
                p5: p5[i],
                p50: p50[i],
                p95: p95[i],
                p_loss: pl[i],
                p_loss_2pct: pl2[i],
                shortfall: es[i],
                spend_mean: mean[c],
                spend_p5: p5[c],
                spend_p95: p95[c],
                spend_per_head: per_head[c],
                over_budget: over_budget[c],
            })
        })
        .collect())
}

/// A summary column with its Monte Carlo error (the `_se` column beside it), row by row.
pub(crate) fn estimates(summary: &DataFrame, column: &str) -> anyhow::Result<Vec<Estimate>> {
    let (value, se) = (
        f64s(summary, column)?,
        f64s(summary, &format!("{column}_se"))?,
    );
    Ok(value
        .into_iter()
        .zip(se)
        .map(|(value, se)| Estimate { value, se })
        .collect())
}

/// `value` to `decimals` places (thousands separated, then `unit`) ± its standard error `se`,
/// given to as many more places (up to two) as it takes not to read 0; the value alone when the
/// error is unknown (a single replication has none).
fn plus_minus(value: f64, se: f64, decimals: usize, unit: &str) -> String {
    let shown = format!("{}{unit}", thousands_f64(value, decimals));
    if !se.is_finite() {
        return shown;
    }
    format!("{shown} ± {}", error_shown(se, decimals))
}

/// A probability in percent, to `decimals` places, as someone rounding the tables' p would:
/// the float product's residue taken off first (100 × 0.575 is 57.49999…), then a half rounded
/// away from zero (193 futures in 200, 96.5%, read 97%, where formatting alone rounds a half to
/// even, 96%).
pub(crate) fn percent_rounded(p: f64, decimals: usize) -> f64 {
    let scale = 10f64.powi(decimals as i32);
    let percent = (100.0 * p * 1e9).round() / 1e9;
    (percent * scale).round() / scale
}

/// The sign before a probability's Monte Carlo error, the probability shown in percent to
/// `decimals` places: ± inside, but one way only at an edge, where a shown 100% can only be
/// less and 0% only more ("100% ± 2" read as possibly above 100%).
pub(crate) fn probability_error_sign(p: f64, decimals: usize) -> &'static str {
    let shown = format!("{:.decimals$}", percent_rounded(p, decimals));
    let edge = |v: f64| shown.parse::<f64>().is_ok_and(|x| x == v);
    if edge(100.0) {
        "−"
    } else if edge(0.0) {
        "+"
    } else {
        "±"
    }
}

/// A probability in percent to `decimals` places with its Monte Carlo error: "63% ± 2", and
/// at an edge "100% − 2" or "0% + 2" ([`probability_error_sign`]).
pub(crate) fn percent_with_error(p: f64, se: f64, decimals: usize) -> String {
    if !se.is_finite() {
        return format!("{:.decimals$}%", percent_rounded(p, decimals));
    }
    format!(
        "{:.decimals$}% {} {}",
        percent_rounded(p, decimals),
        probability_error_sign(p, decimals),
        error_shown(100.0 * se, decimals)
    )
}

/// A Monte Carlo error to the places it needs not to read 0: from its figure's `decimals` up to
/// two more; one too small even then is "<" its last place (not nothing).
pub(crate) fn error_shown(se: f64, decimals: usize) -> String {
    let places = (decimals..=decimals + 2)
        .find(|&d| se == 0.0 || se * 10f64.powi(d as i32) >= 0.95)
        .unwrap_or(decimals + 2);
    let shown = format!("{se:.places$}");
    if se > 0.0 && !shown.chars().any(|c| ('1'..='9').contains(&c)) {
        format!("<{}", 10f64.powi(-(places as i32)))
    } else {
        shown
    }
}

/// `x` to `decimals` places with thousands separated: 12,121.4.
fn thousands_f64(x: f64, decimals: usize) -> String {
    if !x.is_finite() {
        return "–".into();
    }
    let text = format!("{:.decimals$}", x.abs());
    let (whole, fraction) = text
        .split_once('.')
        .map_or((text.as_str(), ""), |(w, f)| (w, f));
    let whole = thousands(whole.parse::<u64>().unwrap_or(0));
    let sign = if x < 0.0 && text.chars().any(|c| c.is_ascii_digit() && c != '0') {
        "-"
    } else {
        ""
    };
    if fraction.is_empty() {
        format!("{sign}{whole}")
    } else {
        format!("{sign}{whole}.{fraction}")
    }
}

/// Fewest replications whose headline figures are not called rough.
const ROUGH_BELOW: u32 = 200;

/// The line said of results from fewer than [`ROUGH_BELOW`] replications (empty from there on),
/// by every command that reports them.
pub fn rough_note(replications: u32) -> String {
    if replications < ROUGH_BELOW {
        format!(
            "Only {}: these figures are rough; run {ROUGH_BELOW} or \
             more (--reps) before quoting them.\n",
            count(replications, "replication")
        )
    } else {
        String::new()
    }
}

/// Compact, aligned tables of the headline figures over the term: the provider's surplus, then
/// the commissioner's spend, every figure with its Monte Carlo standard error. Each table's money
/// is in the unit its largest figure needs ([`MoneyUnit::for_values`]): in £m to one place a
/// small cohort's loss of £40k read "0.0", its sign lost.
pub fn headline_table(run: &RunFolder, t: &Tables) -> anyhow::Result<String> {
    let rows = arm_headlines(run, t)?;
    let money = |e: Estimate, unit: MoneyUnit| unit.number_with_error(e.value, e.se);
    let share = |e: Estimate| percent_with_error(e.value, e.se, 0);
    let headline = run.headline_words().subject;
    let years = run.scenario.years;
    let width = run.arms().iter().map(|a| a.len()).max().unwrap_or(4).max(4);
    let surplus_unit = MoneyUnit::for_values(
        rows.iter()
            .flat_map(|r| [r.p5.value, r.p50.value, r.p95.value]),
    );
    let mut out = String::new();
    writeln!(
        out,
        "\nSurplus of {headline} over the {years}-year term, {} (± Monte Carlo standard \
         error; below 0 is a loss)\nP(loss > 2%): the chance of losing more than 2% of income",
        surplus_unit.label()
    )?;
    if t.who_gains.height() > 0 {
        // The year table above is the status quo's; these are each arm's own world.
        writeln!(
            out,
            "An arm that runs interventions is shown with them (the year table above is the \
             status quo's)"
        )?;
    }
    writeln!(
        out,
        "{:<width$} {:>17} {:>17} {:>17} {:>10} {:>14}",
        "arm", "p5", "median", "p95", "P(loss)", "P(loss > 2%)"
    )?;
    for r in &rows {
        writeln!(
            out,
            "{:<width$} {:>17} {:>17} {:>17} {:>10} {:>14}",
            r.arm,
            money(r.p5, surplus_unit),
            money(r.p50, surplus_unit),
            money(r.p95, surplus_unit),
            share(r.p_loss),
            share(r.p_loss_2pct),
        )?;
    }
    let budget = run.scenario.budget.map(|b| b.over_term(years));
    let spend_unit = MoneyUnit::for_values(
        rows.iter()
            .flat_map(|r| [r.spend_mean.value, r.spend_p5.value, r.spend_p95.value])
            .chain(budget),
    );
    let spend_heading = format!(
        "\nThe commissioner's spend over the {years}-year term, {}",
        spend_unit.label()
    );
    match budget {
        Some(b) => writeln!(
            out,
            "{spend_heading} (budget {})",
            budget_shown(b, spend_unit)
        )?,
        None => writeln!(out, "{spend_heading}")?,
    }
    writeln!(
        out,
        "{:<width$} {:>17} {:>17} {:>17} {:>17}{}",
        "arm",
        "mean",
        "p5",
        "p95",
        "£/head/yr",
        if budget.is_some() {
            format!(" {:>12}", "P(>budget)")
        } else {
            String::new()
        }
    )?;
    for r in &rows {
        writeln!(
            out,
            "{:<width$} {:>17} {:>17} {:>17} {:>17}{}",
            r.arm,
            money(r.spend_mean, spend_unit),
            money(r.spend_p5, spend_unit),
            money(r.spend_p95, spend_unit),
            plus_minus(r.spend_per_head.value, r.spend_per_head.se, 0, ""),
            if budget.is_some() {
                format!(" {:>12}", share(r.over_budget))
            } else {
                String::new()
            }
        )?;
    }
    out += &who_gains_table(t, years, width)?;
    out += &rough_note(run.scenario.replications);
    Ok(out)
}

/// When an arm runs interventions: each party's mean gain from them over the term, per arm
/// (who_gains.csv's means, with their errors), the question such a run asks. Empty otherwise.
fn who_gains_table(t: &Tables, years: u32, width: usize) -> anyhow::Result<String> {
    let g = &t.who_gains;
    if g.height() == 0 {
        return Ok(String::new());
    }
    let (arm, party) = (strs(g, "arm")?, strs(g, "party")?);
    let (mean, se) = (f64s(g, "mean")?, f64s(g, "mean_se")?);
    let mut parties: Vec<&str> = Vec::new();
    let mut arms: Vec<&str> = Vec::new();
    for (a, p) in arm.iter().zip(&party) {
        if !parties.contains(&p.as_str()) {
            parties.push(p);
        }
        if !arms.contains(&a.as_str()) {
            arms.push(a);
        }
    }
    let unit = MoneyUnit::for_values(mean.iter().copied());
    let column = parties.iter().map(|p| p.len()).max().unwrap_or(0).max(15);
    let mut out = String::new();
    writeln!(
        out,
        "\nWho gains from the interventions over the {years}-year term, {}: each party's mean \
         gain against the same contract without them (a provider's surplus, the commissioner's \
         spend saved; who_gains.csv has the spread)",
        unit.label()
    )?;
    write!(out, "{:<width$}", "arm")?;
    for p in &parties {
        write!(out, " {p:>column$}")?;
    }
    out.push('\n');
    for a in &arms {
        write!(out, "{a:<width$}")?;
        for p in &parties {
            let cell = (0..arm.len())
                .find(|&i| arm[i] == *a && party[i] == *p)
                .map_or("–".to_string(), |i| {
                    unit.number_with_error(mean[i], se[i])
                });
            write!(out, " {cell:>column$}")?;
        }
        out.push('\n');
    }
    Ok(out)
}

/// Writes the tables, charts and report of `run` into `out`; returns the headline table.
pub fn write_outputs(run: &RunFolder, out: &Path) -> anyhow::Result<String> {
    let t = tables(run)?;
    let (written, charts) = side_by_side(
        run.info.threads,
        || write_tables(run, &t, out),
        || write_charts(run, &t, out),
    );
    written?;
    let charts = charts?;
    html::write_report(run, &t, &charts, out)?;
    headline_table(run, &t)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Figures shown together read in one unit, to the places the largest needs, and an error
    /// never reads 0.
    #[test]
    fn money_shown_together_is_in_one_unit() {
        let unit = MoneyUnit::for_values([7.6e6, -88e3, 852e3, f64::NAN]);
        assert_eq!(
            [unit.show(7.6e6), unit.show(-88e3), unit.show(852e3)],
            ["£7.60m", "−£0.09m", "£0.85m"]
        );
        assert_eq!(unit.error(141e3), "£0.14m");
        assert_eq!(unit.signed(852e3), "+£0.85m");
        let small = MoneyUnit::for_values([-95e3, 310e3]);
        assert_eq!([small.show(-95e3), small.error(60e3)], ["−£95k", "£60k"]);
        let spend = MoneyUnit::for_values([49.03e6]);
        assert_eq!(
            [spend.show(49.03e6), spend.error(30e3)],
            ["£49.0m", "£0.03m"]
        );
        assert_eq!(spend.error(1.0), "<£0.001m");
        let large = MoneyUnit::for_values([1_204.4e6]);
        assert_eq!(
            [large.show(-1_204.4e6), large.label()],
            ["−£1,204m".into(), "£m".to_string()]
        );
        assert_eq!(MoneyUnit::for_values([412.0]).show(-412.0), "−£412");
        assert_eq!(MoneyUnit::for_values([2_500.0]).show(2_540.0), "£2.5k");
        assert_eq!(MoneyUnit::for_values([1e6]).show(-1.0), "£0.00m");
    }

    /// A figure's error is shown to the places it needs not to read 0, and left out when a
    /// single replication has none; values have thousands separated.
    #[test]
    fn a_figure_and_its_error_read_as_numbers() {
        assert_eq!(super::plus_minus(12121.44, 4.4, 1, ""), "12,121.4 ± 4.4");
        assert_eq!(super::plus_minus(2417.3, 0.02, 1, ""), "2,417.3 ± 0.02");
        assert_eq!(super::plus_minus(1540.2, 0.04, 0, ""), "1,540 ± 0.04");
        assert_eq!(super::plus_minus(-146.4, 17.6, 1, ""), "-146.4 ± 17.6");
        assert_eq!(super::plus_minus(63.0, 2.0, 0, "%"), "63% ± 2");
        // A probability's error at an edge goes one way only.
        assert_eq!(super::percent_with_error(0.63, 0.02, 0), "63% ± 2");
        assert_eq!(super::percent_with_error(1.0, 0.02, 0), "100% − 2");
        assert_eq!(super::percent_with_error(0.9996, 0.004, 0), "100% − 0.4");
        assert_eq!(super::percent_with_error(0.0, 0.005, 1), "0.0% + 0.5");
        assert_eq!(super::plus_minus(-0.04, 0.0, 1, ""), "0.0 ± 0.0");
        assert_eq!(super::plus_minus(1604.0, 0.001, 0, ""), "1,604 ± <0.01");
        assert_eq!(super::plus_minus(-995.6, f64::NAN, 1, ""), "-995.6");
    }

    /// £100m paid, £110m of care: a 10% overrun and, without sharing or programmes, a 10% loss
    /// (the dashed line). A £2m programme the providers pay for lowers their result by 2 points
    /// and leaves the overrun; the commissioner's own £3m programme moves neither; a £4m risk
    /// share is income but not part of the payments the overrun is measured against.
    #[test]
    fn corridor_points_bear_the_programmes_the_providers_pay() {
        let year = |spent, own_programme, risk_share, programme| CommissionerYear {
            spent,
            own_programme,
            risk_share,
            care: 110.0,
            programme,
        };
        assert_eq!(
            corridor_point(year(100.0, 0.0, 0.0, 0.0)),
            Some((10.0, -10.0))
        );
        assert_eq!(
            corridor_point(year(100.0, 0.0, 0.0, 2.0)),
            Some((10.0, -12.0))
        );
        assert_eq!(
            corridor_point(year(103.0, 3.0, 0.0, 5.0)),
            Some((10.0, -12.0))
        );
        assert_eq!(
            corridor_point(year(104.0, 0.0, 4.0, 0.0)),
            Some((10.0, -6.0))
        );
        assert_eq!(corridor_point(year(3.0, 3.0, 0.0, 3.0)), None);
    }
}
