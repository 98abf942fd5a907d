//! Each pair of arms compared party by party over the term, with the Monte Carlo error of the
//! difference itself. Every arm settles the same simulated futures, so much of what moves one
//! arm's result from seed to seed moves the other's too: the difference is more precise, often
//! far more, than the two arms' own errors in summary.csv together suggest, and only errors
//! worked out on the pairs (each replication's difference) say how precise.

use std::collections::BTreeMap;

use polars::prelude::*;
use rayon::prelude::*;

use super::console::quantile;
use super::mc_error::{
    maritz_jarrett_weights, mean_se, median_difference_se, proportion_se, sorted_quantile_se,
};
use super::{f64s, strs};

/// The file the table is written to (when the run has two arms or more).
pub const ARM_DIFFERENCES_CSV: &str = "arm_differences.csv";

/// What each party's term result is in each arm, by replication: a provider's surplus, the
/// commissioner's spend (as summary.csv summarises them).
type Results = BTreeMap<String, BTreeMap<u64, f64>>;

/// For every party (with several providers, all providers together too) and every pair of
/// arms, the arm's term result against an earlier arm's (`against`), replication by
/// replication, from `term` (the term ledger with the providers' total rows): the mean
/// difference, the difference of the two medians, the 5th, 50th and 95th percentiles of the
/// replication-by-replication difference, and the share of replications in which the arm's
/// figure is the higher; each with its paired standard error. Arms in `arms`' order, parties
/// in `parties`'; worked out on `threads` threads (the run's), the same on any number.
pub fn arm_differences(
    term: &DataFrame,
    arms: &[String],
    parties: &[String],
    threads: usize,
) -> anyhow::Result<DataFrame> {
    let by_party = results_by_party(term)?;
    let mut pairs = Vec::new();
    for party in parties {
        let Some(results) = by_party.get(party) else {
            continue;
        };
        for (j, against) in arms.iter().enumerate() {
            for arm in &arms[j + 1..] {
                if let (Some(a), Some(b)) = (results.get(arm), results.get(against)) {
                    pairs.push((party, arm, against, paired(a, b)));
                }
            }
        }
    }
    // The percentiles' weights depend on the count alone: worked out once for the usual one.
    let usual = pairs.first().map_or(0, |p| p.3.0.len());
    let weights = Weights::for_count(usual);
    // Each pair's bootstrap on its own thread: a scenario of eight arms and five parties has
    // 140 pairs. Each is seeded by its count alone, so the table is the same on any thread count.
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .build()?;
    let figures: Vec<[Option<f64>; FIGURES.len()]> = pool.install(|| {
        pairs
            .par_iter()
            .map(|(_, _, _, (a, b))| {
                let own;
                let weights = if a.len() == usual {
                    &weights
                } else {
                    own = Weights::for_count(a.len());
                    &own
                };
                pair_figures(a, b, weights)
            })
            .collect()
    });
    let mut rows = Rows::default();
    for ((party, arm, against, (a, _)), values) in pairs.iter().zip(figures) {
        rows.push(party, arm, against, a.len(), values);
    }
    Ok(rows.frame()?)
}

/// The two arms' results in the replications both have, in replication order.
fn paired(a: &BTreeMap<u64, f64>, b: &BTreeMap<u64, f64>) -> (Vec<f64>, Vec<f64>) {
    a.iter()
        .filter_map(|(rep, &x)| b.get(rep).map(|&y| (x, y)))
        .unzip()
}

/// Each party's results per arm.
fn results_by_party(term: &DataFrame) -> PolarsResult<BTreeMap<String, Results>> {
    let (party, arm, role) = (
        strs(term, "party")?,
        strs(term, "arm")?,
        strs(term, "role")?,
    );
    let (rep, cost, surplus) = (
        f64s(term, "rep")?,
        f64s(term, "cost")?,
        f64s(term, "surplus")?,
    );
    let mut by_party: BTreeMap<String, Results> = BTreeMap::new();
    for i in 0..party.len() {
        let value = if role[i] == "commissioner" {
            cost[i]
        } else {
            surplus[i]
        };
        by_party
            .entry(party[i].clone())
            .or_default()
            .entry(arm[i].clone())
            .or_default()
            .insert(rep[i] as u64, value);
    }
    Ok(by_party)
}

/// The table's columns, filled pair by pair.
#[derive(Default)]
struct Rows {
    party: Vec<String>,
    arm: Vec<String>,
    against: Vec<String>,
    replications: Vec<u32>,
    figures: [Vec<Option<f64>>; FIGURES.len()],
}

/// The figures of a pair, each followed by its standard error.
const FIGURES: [&str; 12] = [
    "mean_difference",
    "mean_difference_se",
    "difference_of_p50s",
    "difference_of_p50s_se",
    "difference_p5",
    "difference_p5_se",
    "difference_p50",
    "difference_p50_se",
    "difference_p95",
    "difference_p95_se",
    "p_higher",
    "p_higher_se",
];

/// The percentiles of the difference, with their Maritz-Jarrett weights for a count.
struct Weights([(f64, Option<Vec<f64>>); 3]);

impl Weights {
    fn for_count(n: usize) -> Self {
        Weights([0.05, 0.5, 0.95].map(|q| (q, maritz_jarrett_weights(q, n))))
    }
}

/// The figures of one arm's results `a` against another's `b` (the same replications), in
/// [`FIGURES`]' order.
fn pair_figures(a: &[f64], b: &[f64], weights: &Weights) -> [Option<f64>; FIGURES.len()] {
    let n = a.len();
    let mut difference: Vec<f64> = a.iter().zip(b).map(|(x, y)| x - y).collect();
    let mean = difference.iter().sum::<f64>() / n as f64;
    let mean_error = mean_se(&difference);
    difference.sort_by(f64::total_cmp);
    let median = |v: &[f64]| {
        let mut s = v.to_vec();
        s.sort_by(f64::total_cmp);
        quantile(&s, 0.5)
    };
    let higher = difference.iter().filter(|&&d| d > 0.0).count() as f64 / n.max(1) as f64;
    // One replication says nothing of how far another seed would move a figure.
    let error = |e: f64| (n > 1 && e.is_finite()).then_some(e);
    let [p5, p50, p95] = weights.0.each_ref().map(|(q, w)| {
        (
            Some(quantile(&difference, *q)),
            error(sorted_quantile_se(&difference, *q, w.as_deref())),
        )
    });
    [
        Some(mean),
        error(mean_error),
        Some(median(a) - median(b)),
        error(median_difference_se(a, b)),
        p5.0,
        p5.1,
        p50.0,
        p50.1,
        p95.0,
        p95.1,
        Some(higher),
        error(proportion_se(higher, n)),
    ]
}

impl Rows {
    fn push(
        &mut self,
        party: &str,
        arm: &str,
        against: &str,
        replications: usize,
        values: [Option<f64>; FIGURES.len()],
    ) {
        for (column, value) in self.figures.iter_mut().zip(values) {
            column.push(value);
        }
        self.party.push(party.to_string());
        self.arm.push(arm.to_string());
        self.against.push(against.to_string());
        self.replications.push(replications as u32);
    }

    fn frame(self) -> PolarsResult<DataFrame> {
        let height = self.party.len();
        let mut columns = vec![
            Column::new("party".into(), self.party),
            Column::new("arm".into(), self.arm),
            Column::new("against".into(), self.against),
            Column::new("replications".into(), self.replications),
        ];
        for (name, values) in FIGURES.iter().zip(self.figures) {
            columns.push(Column::new((*name).into(), values));
        }
        DataFrame::new(height, columns)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A term ledger of rows (arm, party, role, replication, cost, surplus).
    fn term(rows: &[(&str, &str, &str, u32, f64, f64)]) -> DataFrame {
        DataFrame::new(
            rows.len(),
            vec![
                Column::new("arm".into(), rows.iter().map(|r| r.0).collect::<Vec<_>>()),
                Column::new("party".into(), rows.iter().map(|r| r.1).collect::<Vec<_>>()),
                Column::new("role".into(), rows.iter().map(|r| r.2).collect::<Vec<_>>()),
                Column::new("rep".into(), rows.iter().map(|r| r.3).collect::<Vec<_>>()),
                Column::new("cost".into(), rows.iter().map(|r| r.4).collect::<Vec<_>>()),
                Column::new(
                    "surplus".into(),
                    rows.iter().map(|r| r.5).collect::<Vec<_>>(),
                ),
            ],
        )
        .unwrap()
    }

    /// Two arms that move together replication by replication differ by a constant: the
    /// difference has no error at all, though each arm's own spread is large; the provider's
    /// figure is its surplus, the commissioner's its spend; pairs run against earlier arms.
    #[test]
    fn a_difference_is_paired_replication_by_replication() {
        let mut rows = Vec::new();
        for rep in 0..50u32 {
            let future = f64::from(rep * 37 % 50) * 1e5;
            for (arm, shift) in [("pbr", 0.0), ("capitation", 2e5), ("block", -1e5)] {
                rows.push((
                    arm,
                    "commissioner",
                    "commissioner",
                    rep,
                    5e6 + future - shift,
                    0.0,
                ));
                rows.push((arm, "trust", "provider", rep, 4e6, future + shift));
            }
        }
        let arms = ["pbr", "capitation", "block"].map(String::from);
        let parties = ["commissioner", "trust"].map(String::from);
        let d = arm_differences(&term(&rows), &arms, &parties, 2).unwrap();
        assert_eq!(d.height(), 6);
        assert_eq!(
            strs(&d, "party").unwrap(),
            [
                "commissioner",
                "commissioner",
                "commissioner",
                "trust",
                "trust",
                "trust"
            ]
        );
        assert_eq!(
            strs(&d, "arm").unwrap()[..3],
            ["capitation", "block", "block"]
        );
        assert_eq!(
            strs(&d, "against").unwrap()[..3],
            ["pbr", "pbr", "capitation"]
        );
        let (mean, mean_se) = (
            f64s(&d, "mean_difference").unwrap(),
            f64s(&d, "mean_difference_se").unwrap(),
        );
        let expected = [-2e5, 1e5, 3e5, 2e5, -1e5, -3e5];
        for k in 0..6 {
            assert!((mean[k] - expected[k]).abs() < 1e-6, "{k}: {}", mean[k]);
            assert!(mean_se[k].abs() < 1e-6, "{k}: {}", mean_se[k]);
        }
        for column in [
            "difference_of_p50s_se",
            "difference_p5_se",
            "difference_p50_se",
            "difference_p95_se",
        ] {
            assert!(
                f64s(&d, column).unwrap().iter().all(|e| e.abs() < 1e-6),
                "{column}"
            );
        }
        let higher = f64s(&d, "p_higher").unwrap();
        assert_eq!(higher, [0.0, 1.0, 1.0, 1.0, 0.0, 0.0]);
    }

    /// Replications are paired by number, not by position: an arm missing one is compared
    /// over the replications both have, and says how many.
    #[test]
    fn replications_are_paired_by_number() {
        let mut rows = Vec::new();
        for rep in 0..10u32 {
            rows.push(("x", "p", "provider", rep, 0.0, f64::from(rep)));
            if rep != 3 {
                rows.push(("y", "p", "provider", rep, 0.0, f64::from(rep) + 1.0));
            }
        }
        let arms = ["x", "y"].map(String::from);
        let d = arm_differences(&term(&rows), &arms, &["p".to_string()], 1).unwrap();
        assert_eq!(f64s(&d, "replications").unwrap(), [9.0]);
        assert_eq!(f64s(&d, "mean_difference").unwrap(), [1.0]);
        assert_eq!(f64s(&d, "mean_difference_se").unwrap(), [0.0]);
    }

    /// Arms whose results are unrelated replication by replication: the mean difference's
    /// error is the root of the two arms' squared errors, and the share of replications in
    /// which one is higher is counted.
    #[test]
    fn unrelated_arms_have_the_errors_of_independent_estimates() {
        let mut rows = Vec::new();
        for rep in 0..400u32 {
            let a = f64::from(rep);
            let b = f64::from(rep * 7919 % 400);
            rows.push(("x", "p", "provider", rep, 0.0, a));
            rows.push(("y", "p", "provider", rep, 0.0, b));
        }
        let arms = ["x", "y"].map(String::from);
        let d = arm_differences(&term(&rows), &arms, &["p".to_string()], 2).unwrap();
        let values: Vec<f64> = (0..400).map(f64::from).collect();
        let independent = (2.0 * mean_se(&values).powi(2)).sqrt();
        let se = f64s(&d, "mean_difference_se").unwrap()[0];
        assert!(
            (se / independent - 1.0).abs() < 0.15,
            "{se} against {independent}"
        );
        let higher = f64s(&d, "p_higher").unwrap()[0];
        let counted = (0..400u32)
            .filter(|&r| f64::from(r * 7919 % 400) > f64::from(r))
            .count() as f64
            / 400.0;
        assert_eq!(higher, counted);
    }
}
