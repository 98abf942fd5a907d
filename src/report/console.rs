//! The short table printed after a run.

use std::fmt::Write as _;

use crate::engine::{Model, ReplicationResult};

/// Quantile of sorted data by linear interpolation (type 7, as R and numpy default).
pub fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let h = (sorted.len() - 1) as f64 * q;
    let lo = h.floor() as usize;
    let hi = h.ceil() as usize;
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

/// The mean across replications of cost per head covered. A replication with nobody covered
/// that year (a closed cohort that has died out) has no cost per head and is left out; `None`
/// when none has anybody.
fn mean_cost_per_head(cost: &[f64], heads: &[f64]) -> Option<f64> {
    let per_head: Vec<f64> = cost
        .iter()
        .zip(heads)
        .filter(|(_, h)| **h > 0.0)
        .map(|(c, h)| c / h)
        .collect();
    (!per_head.is_empty()).then(|| mean(&per_head))
}

/// One year of [`world_summary`]: means across replications, and the care cost's 5th, 50th and
/// 95th percentiles.
struct YearRow {
    year: i32,
    heads: f64,
    deaths: f64,
    onsets: f64,
    cost: [f64; 3],
    per_head: Option<f64>,
}

/// A year-by-year table of the world's totals across replications.
pub fn world_summary(model: &Model, results: &[ReplicationResult]) -> String {
    let mut out = String::new();
    let s = &model.scenario;
    let _ = writeln!(
        out,
        "{} — {}, {}, seed {}{}",
        s.name,
        crate::report::count(s.replications, "replication"),
        crate::report::count(s.years, "year"),
        s.seed,
        if model.worlds.len() > 1 {
            " (status quo world)"
        } else {
            ""
        }
    );
    // A cohort's figures are not the place's: the heading says whose they are.
    let cohort = s.population.cohort.is_some();
    let rows: Vec<YearRow> = (0..s.years as usize)
        .map(|y| {
            let pick = |f: &dyn Fn(&crate::engine::YearRecord) -> f64| -> Vec<f64> {
                // The status quo's years come first.
                results.iter().map(|r| f(&r.years[y])).collect()
            };
            let heads = pick(&|r| r.covered as f64);
            // Of the people covered, like the head count and cost (a cohort's, not the place's).
            let deaths = pick(&|r| r.demography.covered_deaths as f64);
            let onsets = pick(&|r| r.demography.covered_onsets as f64);
            let mut cost = pick(&|r| r.cost.iter().sum::<f64>());
            let per_head = mean_cost_per_head(&cost, &heads);
            cost.sort_by(f64::total_cmp);
            YearRow {
                year: s.start_year + y as i32,
                heads: mean(&heads),
                deaths: mean(&deaths),
                onsets: mean(&onsets),
                cost: [0.05, 0.5, 0.95].map(|q| quantile(&cost, q)),
                per_head,
            }
        })
        .collect();
    // The care cost in the unit its largest year needs (£m to one place read 0.0 for a small
    // cohort).
    let unit = super::MoneyUnit::for_values(rows.iter().flat_map(|r| r.cost));
    let care = |what: &str| format!("care {} {what}", unit.label());
    let _ = writeln!(
        out,
        "{:>6} {:>12} {:>9} {:>9} {:>13} {:>13} {:>13} {:>15}",
        "year",
        if cohort { "covered" } else { "head count" },
        "deaths",
        "onsets",
        care("p5"),
        care("p50"),
        care("p95"),
        "care £/head/yr"
    );
    for r in &rows {
        let [p5, p50, p95] = r.cost.map(|c| unit.number(c));
        let _ = writeln!(
            out,
            "{:>6} {:>12.0} {:>9.0} {:>9.0} {:>13} {:>13} {:>13} {:>15}",
            r.year,
            r.heads,
            r.deaths,
            r.onsets,
            p5,
            p50,
            p95,
            r.per_head
                .map_or("-".into(), |x| super::MoneyUnit::pounds(0).number(x))
        );
    }
    if cohort {
        let _ = writeln!(
            out,
            "People covered by the cohort (population.cohort): their deaths, onsets and cost, \
             not the whole place's (world.parquet has the place's)."
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{mean_cost_per_head, quantile};

    #[test]
    fn cost_per_head_leaves_out_replications_with_nobody() {
        assert_eq!(
            mean_cost_per_head(&[100.0, 0.0, 300.0], &[10.0, 0.0, 10.0]),
            Some(20.0)
        );
        assert_eq!(mean_cost_per_head(&[0.0, 0.0], &[0.0, 0.0]), None);
    }

    #[test]
    fn quantiles_interpolate_like_r_type_7() {
        let v = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(quantile(&v, 0.0), 1.0);
        assert_eq!(quantile(&v, 1.0), 4.0);
        assert_eq!(quantile(&v, 0.5), 2.5);
        assert!((quantile(&v, 0.05) - 1.15).abs() < 1e-12);
    }
}
