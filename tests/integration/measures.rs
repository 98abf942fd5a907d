//! Measures: indicators the model does not simulate, stated as assumptions, paid on and moved
//! by programmes.

use capsim::engine::{self, Silent};

use crate::common::model;

/// A measure with a fixed level of 30% on a 1% trend and 5% noise a year, and a programme
/// raising it by 40% for the half it enrols; an outcome pool pays on it.
const MEASURED: &str = r#"
base = "default"
name = "measured"
years = 4
replications = 400
[population]
size = 20000
[[measure]]
name = "employment_rate"
value = 0.3
trend = 0.01
noise_sd = 0.05
max = 1
[[intervention]]
name = "ips"
uptake = 0.5
ramp_years = 2
effect.measure = { employment_rate = 1.4 }
[[arm]]
name = "outcomes-ips"
preset = "block"
interventions = ["ips"]
[[arm.component]]
kind = "outcome"
pool_share = 0.05
[[arm.component.indicators]]
indicator = "employment_rate"
better = "higher"
weight = 1
target_vs_expected = 1.0
"#;

/// The status quo's value each year has the level and trend as its mean and the noise as its
/// relative spread, and is the same in every world; a programme multiplies it by 1 − s + s·m
/// for the share s of the people covered it acts on; the basis expects the level on its trend.
#[test]
fn a_measure_follows_its_level_trend_and_noise_and_the_programme_moves_it() {
    let m = model(MEASURED);
    let slot = m
        .scenario
        .indicator_named("employment_rate")
        .unwrap()
        .slot();
    let basis = &m.contracts.as_ref().unwrap().basis;
    for y in 0..4 {
        let expected = basis.expected_indicators_in(y)[slot];
        assert!(
            (expected - 0.3 * 1.01f64.powi(y as i32)).abs() < 1e-15,
            "{expected}"
        );
    }
    let results = engine::run(&m, 2, &Silent).unwrap();
    for y in 1..=4u32 {
        let values: Vec<f64> = results
            .iter()
            .map(|r| r.world(0).find(|x| x.year == y).unwrap().indicators[slot])
            .collect();
        let n = values.len() as f64;
        let mean = values.iter().sum::<f64>() / n;
        let sd = (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
        let level = 0.3 * 1.01f64.powi(y as i32 - 1);
        // The mean within 4 standard errors, the sd within 15% (400 replications).
        assert!(
            (mean - level).abs() < 4.0 * 0.05 * level / n.sqrt(),
            "year {y}: {mean}"
        );
        assert!(
            (sd / (0.05 * level) - 1.0).abs() < 0.15,
            "year {y}: sd {sd}"
        );
    }
    // The pool is paid in exactly the years the measure reaches the value expected of it.
    let contracts = m.contracts.as_ref().unwrap();
    let column = contracts
        .columns
        .iter()
        .position(|c| c == "outcome")
        .unwrap();
    let (mut met, mut missed) = (0, 0);
    for r in &results {
        for w in r.world(1) {
            let target = basis.expected_indicators_in(w.year - 1)[slot];
            let row = r
                .ledger
                .iter()
                .find(|l| l.year == w.year && l.party == 1)
                .unwrap();
            let paid = row.components[column];
            if w.indicators[slot] >= target {
                met += 1;
                assert!(paid > 0.0);
            } else {
                missed += 1;
                assert_eq!(paid, 0.0);
            }
        }
    }
    assert!(met > 100 && missed > 10, "met {met}, missed {missed}");
    for r in &results {
        for (sq, w) in r.world(0).zip(r.world(1)) {
            let s = w.enrolled / w.covered as f64;
            let want = sq.indicators[slot] * (1.0 - s + s * 1.4);
            assert!((w.indicators[slot] - want).abs() < 1e-12, "{w:?}");
            // The ramp: a quarter of the covered acted on in year 1, half from year 2.
            let share = if w.year == 1 { 0.25 } else { 0.5 };
            assert!((s - share).abs() < 1e-12, "year {}: {s}", w.year);
        }
    }
}

/// A measure is held within its bounds, in the status quo and under a programme.
#[test]
fn a_measure_stays_within_its_bounds() {
    let m = model(
        &MEASURED
            .replace("max = 1", "max = 0.32\nmin = 0.28")
            .replace("noise_sd = 0.05", "noise_sd = 0.5"),
    );
    let slot = m
        .scenario
        .indicator_named("employment_rate")
        .unwrap()
        .slot();
    let results = engine::run(&m, 2, &Silent).unwrap();
    let values: Vec<f64> = results
        .iter()
        .flat_map(|r| {
            r.years
                .iter()
                .map(|y| y.indicators[slot])
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(values.iter().all(|v| (0.28..=0.32).contains(v)));
    assert!(values.contains(&0.28) && values.contains(&0.32));
}

/// A run reports the measure like any indicator: in outcomes.csv, with the programme's change
/// in the same futures, and in the report's "What the programme changes", as a share (it is
/// bounded by 1) whose change is in points.
#[test]
fn a_run_reports_the_measure_and_what_the_programme_changes() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("m.toml"), MEASURED).unwrap();
    let (code, _, err) = crate::common::capsim(
        &["run", "m.toml", "--out", "out", "--reps", "50"],
        dir.path(),
    );
    assert_eq!(code, 0, "{err}");
    let csv = std::fs::read_to_string(dir.path().join("out/outcomes.csv")).unwrap();
    let rows: Vec<&str> = csv
        .lines()
        .filter(|l| l.contains(",employment_rate,"))
        .collect();
    assert_eq!(rows.len(), 8, "{rows:#?}");
    let last = rows
        .iter()
        .find(|r| r.starts_with("ips,employment_rate,the measure's own,2028,"))
        .unwrap();
    let change: f64 = last.split(',').nth(12).unwrap().parse().unwrap();
    // Half of the people covered, 40% higher: a fifth more than about 0.31.
    assert!(
        (change - 0.2 * 0.3 * 1.01f64.powi(3)).abs() < 0.005,
        "{last}"
    );
    let report = std::fs::read_to_string(dir.path().join("out/report.html")).unwrap();
    assert!(
        report.contains("Employment rate, 2028"),
        "no measure in the report"
    );
    assert!(report.contains("points"));
}
