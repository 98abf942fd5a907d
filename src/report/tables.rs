//! The summary and equity tables, computed with polars from the run's own files.
//!
//! Deterministic: every group's statistics depend only on its values, and rows are sorted by
//! the scenario's arm order, party order and horizon before writing.

use polars::prelude::*;

use super::mc_error::{maritz_jarrett_weights, sorted_quantile_se};
use crate::scenario::Budget;

/// Quantiles reported for every arm, party and horizon.
pub const QUANTILES: [(f64, &str); 5] = [
    (0.05, "p5"),
    (0.25, "p25"),
    (0.5, "p50"),
    (0.75, "p75"),
    (0.95, "p95"),
];

/// A commissioner's budget and the term it covers.
#[derive(Debug, Clone, Copy)]
pub struct BudgetTerm {
    pub budget: Budget,
    pub start_year: i32,
    pub years: u32,
}

/// The column's values in ascending order. Aggregating sorted values makes every float sum
/// independent of row order and of how polars splits the work between threads, so the same
/// run always gives the same bytes.
fn sorted(name: &str) -> Expr {
    col(name).sort(SortOptions::default())
}

fn order_frame(name: &str, values: &[String]) -> PolarsResult<LazyFrame> {
    let n = values.len();
    Ok(DataFrame::new(
        n,
        vec![
            Column::new(name.into(), values.to_vec()),
            Column::new(
                format!("{name}_order").into(),
                (0..n as u32).collect::<Vec<u32>>(),
            ),
        ],
    )?
    .lazy())
}

fn join_on(left: LazyFrame, right: LazyFrame, keys: &[&str]) -> LazyFrame {
    let k: Vec<Expr> = keys.iter().map(|s| col(*s)).collect();
    left.join(right, k.clone(), k, JoinArgs::new(JoinType::Left))
}

/// Share of replications in an expected shortfall's tail.
const TAIL: f64 = 0.05;

/// The value at risk a tail starts from: the [`TAIL`] quantile of "value" (`upper`: the
/// 1 − [`TAIL`] quantile).
fn tail_start(upper: bool) -> Expr {
    let at = if upper { 1.0 - TAIL } else { TAIL };
    col("value").quantile(lit(at), QuantileMethod::Linear)
}

/// The replications in the worst [`TAIL`] of "value": at or below its start, or at or above it
/// (`upper`, for the commissioner's spend). Their mean is the expected shortfall.
fn tail(upper: bool) -> Expr {
    let beyond = if upper {
        sorted("value").gt_eq(tail_start(upper))
    } else {
        sorted("value").lt_eq(tail_start(upper))
    };
    sorted("value").filter(beyond)
}

/// Monte Carlo standard error of an expected shortfall, the mean of [`tail`]`(upper)`. The
/// estimate moves with the tail's own spread and with where the tail starts:
/// √((s²_tail + (1 − α)(ES − VaR)²) / (n·α)), α = [`TAIL`], the empirical conditional tail
/// expectation's asymptotic variance (Brazauskas, Jones, Puri and Zitikis 2008, J. Stat. Plan.
/// Inference 138:3590-3604). The tail's spread alone understated the error by a third to a half.
fn shortfall_se(upper: bool) -> Expr {
    let distance = tail(upper).mean() - tail_start(upper);
    ((tail(upper).std(1).pow(2) + lit(1.0 - TAIL) * distance.pow(2))
        / (len().cast(DataType::Float64) * lit(TAIL)))
    .sqrt()
}

/// The Monte Carlo standard error of column `name`'s mean over a group, sd / √n, its nulls
/// (replications without a value) left out of both.
fn mean_se_of(name: &str) -> Expr {
    sorted(name).std(1) / sorted(name).count().cast(DataType::Float64).sqrt()
}

/// The Monte Carlo standard error of probability column `name`, a share of `reps`
/// replications: [`crate::report::mc_error::proportion_se`] (Agresti–Coull) as an expression.
fn proportion_se_of(name: &str, reps: usize) -> Expr {
    let n = reps as f64;
    let adjusted = (col(name) * lit(n) + lit(2.0)) / lit(n + 4.0);
    (adjusted.clone() * (lit(1.0) - adjusted) / lit(n + 4.0)).sqrt()
}

/// What summary.csv has a row for: each arm, party (with its role) and horizon.
const GROUP: [&str; 4] = ["arm", "party", "role", "horizon"];

/// The `group` columns and `value` (as "value"), sorted by them in that order: what
/// [`quantile_errors`] reads.
fn sorted_by_group(frame: LazyFrame, group: &[&str], value: Expr) -> PolarsResult<DataFrame> {
    frame
        .select(
            group
                .iter()
                .map(|k| col(*k))
                .chain([value.alias("value")])
                .collect::<Vec<_>>(),
        )
        .sort(
            group.iter().copied().chain(["value"]).collect::<Vec<_>>(),
            SortMultipleOptions::default(),
        )
        .collect()
}

/// Each group's quantiles' Monte Carlo standard errors, `p5_se` … `p95_se`, worked out from its
/// values (`values`: the `group` columns, of any type, and "value", sorted by them in that order;
/// every group holds `reps` values, so each quantile's Maritz-Jarrett weights are worked out
/// once).
fn quantile_errors(values: DataFrame, group: &[&str], reps: usize) -> PolarsResult<DataFrame> {
    // Keys compared as text (a year too); each group's own keys are taken from its first row.
    let key_text: Vec<Column> = group
        .iter()
        .map(|k| values.column(k)?.cast(&DataType::String))
        .collect::<PolarsResult<_>>()?;
    let key_columns: Vec<&StringChunked> = key_text
        .iter()
        .map(|c| c.str())
        .collect::<PolarsResult<_>>()?;
    let value: Vec<f64> = values
        .column("value")?
        .f64()?
        .iter()
        .map(|v| v.unwrap_or(f64::NAN))
        .collect();
    let weights: Vec<Option<Vec<f64>>> = QUANTILES
        .iter()
        .map(|&(q, _)| maritz_jarrett_weights(q, reps))
        .collect();
    let key =
        |row: usize| -> Vec<Option<&str>> { key_columns.iter().map(|c| c.get(row)).collect() };
    let mut firsts: Vec<IdxSize> = Vec::new();
    let mut errors: Vec<Vec<Option<f64>>> = vec![Vec::new(); QUANTILES.len()];
    let mut start = 0;
    while start < value.len() {
        let first = key(start);
        let mut end = start + 1;
        while end < value.len() && key(end) == first {
            end += 1;
        }
        firsts.push(start as IdxSize);
        // A replication without a value (an equity group nobody was in) is left out, as the
        // quantile itself leaves it out; a group with none has no error.
        let sorted: Vec<f64> = value[start..end]
            .iter()
            .copied()
            .filter(|v| !v.is_nan())
            .collect();
        for ((q, _), (column, w)) in QUANTILES.iter().zip(errors.iter_mut().zip(&weights)) {
            column.push(match sorted.len() {
                0 | 1 => None,
                n if n == reps => Some(sorted_quantile_se(&sorted, *q, w.as_deref())),
                n => Some(sorted_quantile_se(
                    &sorted,
                    *q,
                    maritz_jarrett_weights(*q, n).as_deref(),
                )),
            });
        }
        start = end;
    }
    let groups = firsts.len();
    let firsts = IdxCa::from_vec("first".into(), firsts);
    let mut columns: Vec<Column> = group
        .iter()
        .map(|name| values.column(name)?.take(&firsts))
        .collect::<PolarsResult<_>>()?;
    for ((_, name), values) in QUANTILES.iter().zip(errors) {
        columns.push(Column::new(format!("{name}_se").into(), values));
    }
    DataFrame::new(groups, columns)
}

/// Per arm, party and horizon (each calendar year and the whole term): statistics of the
/// provider's surplus, or of the commissioner's spend.
pub fn summary(
    ledger: &DataFrame,
    term: &DataFrame,
    world: &DataFrame,
    arms: &[String],
    parties: &[String],
    budget: Option<&BudgetTerm>,
) -> PolarsResult<DataFrame> {
    let reps = term.column("rep")?.n_unique()?;
    let heads = world.clone().lazy().select([
        col("rep"),
        col("world"),
        col("year"),
        col("covered_head_count")
            .cast(DataType::Float64)
            .alias("heads"),
    ]);
    let yearly = join_on(
        ledger.clone().lazy(),
        heads.clone(),
        &["rep", "world", "year"],
    )
    .with_columns([
        col("calendar_year").cast(DataType::String).alias("horizon"),
        match budget {
            Some(b) => (lit(b.budget.first_year)
                * lit(1.0 + b.budget.growth).pow(
                    col("calendar_year").cast(DataType::Float64) - lit(f64::from(b.start_year)),
                ))
            .alias("budget"),
            None => lit(Null {}).cast(DataType::Float64).alias("budget"),
        },
    ]);
    let term_heads = heads
        .group_by_stable([col("rep"), col("world")])
        .agg([sorted("heads").sum()]);
    let term = join_on(term.clone().lazy(), term_heads, &["rep", "world"]).with_columns([
        lit("term").alias("horizon"),
        match budget {
            Some(b) => lit(b.budget.over_term(b.years)).alias("budget"),
            None => lit(Null {}).cast(DataType::Float64).alias("budget"),
        },
    ]);
    let columns = [
        col("arm"),
        col("party"),
        col("role"),
        col("horizon"),
        col("rep"),
        col("income"),
        col("cost"),
        col("surplus"),
        col("heads"),
        col("budget"),
    ];
    let both = concat(
        [yearly.select(columns.clone()), term.select(columns)],
        UnionArgs::default(),
    )?;
    let is_commissioner = col("role").eq(lit("commissioner"));
    let value = when(is_commissioner.clone())
        .then(col("cost"))
        .otherwise(col("surplus"));
    let mut aggs = vec![
        len().alias("replications"),
        sorted("value").mean().alias("mean"),
        sorted("value").std(1).alias("sd"),
    ];
    for (q, name) in QUANTILES {
        aggs.push(
            col("value")
                .quantile(lit(q), QuantileMethod::Linear)
                .alias(name),
        );
    }
    aggs.extend([
        sorted("loss").mean().alias("p_loss"),
        sorted("loss_2pct").mean().alias("p_loss_over_2pct"),
        tail(false).mean().alias("es_low"),
        tail(true).mean().alias("es_high"),
        shortfall_se(false).alias("es_low_se"),
        shortfall_se(true).alias("es_high_se"),
        sorted("per_head_value").mean().alias("per_head"),
        mean_se_of("per_head_value").alias("per_head_se"),
        sorted("income").mean().alias("mean_income"),
        sorted("heads").mean().alias("person_years"),
        sorted("over_budget").mean().alias("p_over_budget"),
    ]);
    // Standard errors: of a mean, sd / √n; of a quantile, Maritz and Jarrett's (worked out from
    // each group's values, [`quantile_errors`]); of a probability, Agresti–Coull's (never 0 when
    // no replication lost, since that does not make the chance zero); of an expected shortfall,
    // [`shortfall_se`].
    let n = reps as f64;
    let proportion_se = |p: &str| proportion_se_of(p, reps);
    let errors = [(col("sd") / lit(n.sqrt())).alias("mean_se")];
    let null = || lit(Null {});
    let group = || GROUP.map(col);
    let quantile_se = quantile_errors(
        sorted_by_group(both.clone(), &GROUP, value.clone())?,
        &GROUP,
        reps,
    )?;
    let stats = both
        .with_columns([
            value.clone().alias("value"),
            // A year in which nobody was covered has no spend per head.
            when(col("heads").gt(lit(0.0)))
                .then(value.clone() / col("heads"))
                .otherwise(lit(Null {}))
                .alias("per_head_value"),
            col("surplus")
                .lt(lit(0.0))
                .cast(DataType::Float64)
                .alias("loss"),
            crate::ledger::loses_beyond_expr(col("surplus"), col("income"), 0.02)
                .cast(DataType::Float64)
                .alias("loss_2pct"),
            col("cost")
                .gt(col("budget"))
                .cast(DataType::Float64)
                .alias("over_budget"),
        ])
        // Rows in a fixed order, groups kept in it: joins do not promise an order, and polars
        // may drop a sort that only precedes a sum, so float sums would otherwise change in
        // their last bits from run to run.
        .sort(
            ["arm", "party", "horizon", "rep"],
            SortMultipleOptions::default(),
        )
        .group_by_stable(group())
        .agg(aggs)
        .with_columns(errors);
    let stats = join_on(stats, quantile_se.lazy(), &GROUP)
        .with_columns([
            when(is_commissioner.clone())
                .then(null())
                .otherwise(proportion_se("p_loss"))
                .alias("p_loss_se"),
            when(is_commissioner.clone())
                .then(null())
                .otherwise(proportion_se("p_loss_over_2pct"))
                .alias("p_loss_over_2pct_se"),
            when(is_commissioner.clone())
                .then(col("es_high_se"))
                .otherwise(col("es_low_se"))
                .alias("expected_shortfall_5pct_se"),
            when(is_commissioner.clone())
                .then(col("per_head_se"))
                .otherwise(null())
                .alias("spend_per_head_se"),
            when(
                is_commissioner
                    .clone()
                    .and(col("p_over_budget").is_not_null()),
            )
            .then(proportion_se("p_over_budget"))
            .otherwise(null())
            .alias("p_over_budget_se"),
            when(is_commissioner.clone())
                .then(col("p_over_budget"))
                .otherwise(null())
                .alias("p_over_budget"),
        ])
        .with_columns([
            when(is_commissioner.clone())
                .then(lit("spend"))
                .otherwise(lit("surplus"))
                .alias("measure"),
            when(is_commissioner.clone())
                .then(null())
                .otherwise(col("p_loss"))
                .alias("p_loss"),
            when(is_commissioner.clone())
                .then(null())
                .otherwise(col("p_loss_over_2pct"))
                .alias("p_loss_over_2pct"),
            // Expected shortfall at 5%: the mean of the worst 5% of outcomes (lowest surplus,
            // highest spend).
            when(is_commissioner.clone())
                .then(col("es_high"))
                .otherwise(col("es_low"))
                .alias("expected_shortfall_5pct"),
            when(is_commissioner)
                .then(col("per_head"))
                .otherwise(null())
                .alias("spend_per_head"),
            when(col("horizon").eq(lit("term")))
                .then(lit(i32::MAX))
                .otherwise(col("horizon").cast(DataType::Int32))
                .alias("horizon_order"),
        ]);
    let sorted = join_on(
        join_on(stats, order_frame("arm", arms)?, &["arm"]),
        order_frame("party", parties)?,
        &["party"],
    )
    .sort(
        ["arm_order", "party_order", "horizon_order"],
        SortMultipleOptions::default(),
    );
    let mut out = vec![
        col("arm"),
        col("party"),
        col("role"),
        col("horizon"),
        col("measure"),
        col("replications"),
        col("mean"),
        col("mean_se"),
        col("sd"),
    ];
    for (_, name) in QUANTILES {
        out.extend([col(name), col(format!("{name}_se"))]);
    }
    out.extend([
        col("p_loss"),
        col("p_loss_se"),
        col("p_loss_over_2pct"),
        col("p_loss_over_2pct_se"),
        col("expected_shortfall_5pct"),
        col("expected_shortfall_5pct_se"),
        col("spend_per_head"),
        col("spend_per_head_se"),
        col("mean_income"),
        col("person_years"),
        col("p_over_budget"),
        col("p_over_budget_se"),
    ]);
    sorted.select(out).collect()
}

/// `name` per person-year; null for a group nobody belonged to.
fn per_person_year(name: &str) -> Expr {
    when(col("person_years").gt(lit(0.0)))
        .then(col(name) / col("person_years"))
        .otherwise(lit(Null {}))
}

/// Provider margin per head (all providers of an arm together) by IMD quintile and by LTC
/// count: where a provider would gain by selecting patients, and where risk adjustment stops it.
pub fn equity(equity: &DataFrame, arms: &[String]) -> PolarsResult<DataFrame> {
    // The margin's percentiles' errors, by group (its level as text, as the errors' keys are).
    const KEYS: [&str; 3] = ["arm", "dimension", "level_key"];
    // A group's margin less its arm's margin over everyone in the same replication: what a
    // provider gains per head by taking one group rather than the average patient. Its error
    // is smaller than the margin's own (in a large population far smaller), since a
    // replication's shocks move every group together: it shows whether a slope is the
    // contract's or the noise.
    // Everyone's margin is the groups' income less cost over their person-years, each summed
    // over sorted values: the same bytes whatever order the rows come in.
    let replication = [col("rep"), col("arm"), col("dimension")];
    let everyone = ((col("income") - col("cost"))
        .sort(SortOptions::default())
        .sum()
        / sorted("person_years").sum())
    .over(replication)?;
    let keyed = equity
        .clone()
        .lazy()
        .with_columns([
            col("level").cast(DataType::String).alias("level_key"),
            everyone.alias("margin_everyone"),
        ])
        .with_column((col("margin_per_head") - col("margin_everyone")).alias("margin_vs_average"));
    let reps = equity.column("rep")?.n_unique()?;
    let quantile_se = quantile_errors(
        sorted_by_group(keyed.clone(), &KEYS, col("margin_per_head"))?,
        &KEYS,
        reps,
    )?;
    let summary = keyed
        .with_columns([
            per_person_year("income").alias("income_per_head"),
            per_person_year("cost").alias("cost_per_head"),
        ])
        .group_by([col("arm"), col("dimension"), col("level"), col("level_key")])
        .agg([
            mean_se_of("margin_per_head").alias("margin_per_head_mean_se"),
            sorted("margin_vs_average")
                .mean()
                .alias("margin_vs_average_mean"),
            mean_se_of("margin_vs_average").alias("margin_vs_average_mean_se"),
            sorted("margin_everyone")
                .mean()
                .alias("margin_everyone_mean"),
            sorted("person_years").mean(),
            sorted("income_per_head").mean(),
            sorted("cost_per_head").mean(),
            sorted("margin_per_head")
                .mean()
                .alias("margin_per_head_mean"),
            col("margin_per_head")
                .quantile(lit(0.05), QuantileMethod::Linear)
                .alias("margin_per_head_p5"),
            col("margin_per_head")
                .quantile(lit(0.95), QuantileMethod::Linear)
                .alias("margin_per_head_p95"),
        ]);
    let summary = join_on(summary, quantile_se.lazy(), &KEYS);
    join_on(summary, order_frame("arm", arms)?, &["arm"])
        .sort(
            ["arm_order", "dimension", "level"],
            SortMultipleOptions::default(),
        )
        .select([
            col("arm"),
            col("dimension"),
            col("level").cast(DataType::Int32),
            col("person_years"),
            col("income_per_head"),
            col("cost_per_head"),
            col("margin_per_head_mean"),
            col("margin_per_head_mean_se"),
            col("margin_per_head_p5"),
            col("p5_se").alias("margin_per_head_p5_se"),
            col("margin_per_head_p95"),
            col("p95_se").alias("margin_per_head_p95_se"),
            col("margin_vs_average_mean"),
            col("margin_vs_average_mean_se"),
            col("margin_everyone_mean"),
        ])
        .collect()
}

/// Who gains, per intervention arm and party (and the system): statistics over replications of
/// the change in surplus against the same contract in the status quo, with the mean changes in
/// income, cost and the programme cost paid. Rows in the scenario's arm order, parties in
/// ledger order, the system last.
pub fn who_gains(
    gains: &DataFrame,
    arms: &[String],
    parties: &[String],
) -> PolarsResult<DataFrame> {
    gains_by(gains, arms, parties, &[])
}

/// Who gains year by year: [`who_gains`] for each contract year of `gains` (per replication,
/// arm, party and year), years in order within each party.
pub fn who_gains_by_year(
    gains: &DataFrame,
    arms: &[String],
    parties: &[String],
) -> PolarsResult<DataFrame> {
    gains_by(gains, arms, parties, &["year", "calendar_year"])
}

/// Statistics of the gains per arm, party and role, and per each of `within` (rows in their
/// order within a party).
fn gains_by(
    gains: &DataFrame,
    arms: &[String],
    parties: &[String],
    within: &[&str],
) -> PolarsResult<DataFrame> {
    let who: &[&str] = &[["arm", "party", "role"].as_slice(), within].concat();
    let mut aggs = vec![
        len().alias("replications"),
        sorted("gain").mean().alias("mean"),
        sorted("gain").std(1).alias("sd"),
    ];
    for (q, name) in QUANTILES {
        aggs.push(
            col("gain")
                .quantile(lit(q), QuantileMethod::Linear)
                .alias(name),
        );
    }
    aggs.extend([
        col("gain")
            .gt(lit(0.0))
            .cast(DataType::Float64)
            .mean()
            .alias("p_gain"),
        sorted("income_change").mean().alias("mean_income_change"),
        sorted("cost_change").mean().alias("mean_cost_change"),
        sorted("programme_cost").mean().alias("mean_programme_cost"),
    ]);
    let mut party_order: Vec<String> = parties.to_vec();
    party_order.push("system".into());
    // Standard errors as summary.csv's: of the mean sd / √n, of each quantile Maritz and
    // Jarrett's, of the chance of gaining Agresti–Coull's.
    let reps = gains.column("rep")?.n_unique()?;
    let n = reps as f64;
    let errors = [
        (col("sd") / lit(n.sqrt())).alias("mean_se"),
        proportion_se_of("p_gain", reps).alias("p_gain_se"),
    ];
    let quantile_se = quantile_errors(
        sorted_by_group(gains.clone().lazy(), who, col("gain"))?,
        who,
        reps,
    )?;
    let mut sort_by: Vec<&str> = who.to_vec();
    sort_by.push("rep");
    let stats = gains
        .clone()
        .lazy()
        .sort(sort_by, SortMultipleOptions::default())
        .group_by_stable(who.iter().map(|c| col(*c)).collect::<Vec<_>>())
        .agg(aggs)
        .with_columns(errors);
    let stats = join_on(stats, quantile_se.lazy(), who);
    let mut out: Vec<Expr> = who.iter().map(|c| col(*c)).collect();
    out.extend([col("replications"), col("mean"), col("mean_se"), col("sd")]);
    for (_, name) in QUANTILES {
        out.extend([col(name), col(format!("{name}_se"))]);
    }
    out.extend([
        col("p_gain"),
        col("p_gain_se"),
        col("mean_income_change"),
        col("mean_cost_change"),
        col("mean_programme_cost"),
    ]);
    join_on(
        join_on(stats, order_frame("arm", arms)?, &["arm"]),
        order_frame("party", &party_order)?,
        &["party"],
    )
    .sort(
        [["arm_order", "party_order"].as_slice(), within].concat(),
        SortMultipleOptions::default(),
    )
    .select(out)
    .collect()
}
