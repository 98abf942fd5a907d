//! Stress-testing risk corridors: the corridor search and what drives the spread.

use crate::common::{SMALL, capsim, read_csv_rows};

/// The corridor search's answer meets its constraint when the scenario it writes is run on
/// its own, with the same figure; the next wider band of the same share on its grid does not.
/// The scenario it writes stands alone: the base of the one searched is merged into it.
#[test]
fn the_recommended_corridor_meets_the_limit_and_the_next_wider_does_not() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("base.toml"), SMALL).unwrap();
    std::fs::write(dir.path().join("s.toml"), "base = \"base.toml\"\n").unwrap();
    let (code, out, err) = capsim(
        &[
            "corridor",
            "s.toml",
            "--arm",
            "capitation",
            "--reps",
            "300",
            "--max-prob-loss",
            "0.05",
            "--loss-threshold",
            "0.02",
            "--widths",
            "0,0.005,0.01,0.02,0.04,0.08",
            "--shares",
            "0,0.5",
            "--caps",
            "none",
            "--set",
            "years=3",
            "--out",
            "cor",
        ],
        dir.path(),
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("Recommended: "), "{out}");
    let rows = read_csv_rows(&dir.path().join("cor/corridor.csv"));
    assert_eq!(rows.len(), 1 + 6 * 2, "no corridor, then every design");
    let f = |r: &std::collections::HashMap<String, String>, c: &str| -> f64 {
        r[c].parse().unwrap_or(f64::NAN)
    };
    let none = &rows[0];
    assert_eq!(none["design"], "no corridor");
    assert!(
        f(none, "p_loss_beyond_threshold") > 0.05,
        "without a corridor the limit must bind for this test: {none:?}"
    );
    // The answer: a boundary design named in the terminal, meeting the limit.
    let recommended = rows
        .iter()
        .find(|r| out.contains(&format!("Recommended: {}.", r["design"])))
        .expect("the recommended design is a row");
    assert_eq!(recommended["meets_limit"], "true");
    assert_eq!(recommended["boundary"], "true");
    let (width, share) = (
        f(recommended, "band_width"),
        f(recommended, "provider_share"),
    );
    let p = f(recommended, "p_loss_beyond_threshold");
    assert!(p <= 0.05, "{p}");
    // Within its row every narrower band meets the limit, the next wider does not.
    let row: Vec<_> = rows
        .iter()
        .filter(|r| f(r, "provider_share") == share)
        .collect();
    for r in &row {
        let w = f(r, "band_width");
        assert_eq!(r["meets_limit"] == "true", w <= width, "{r:?}");
    }
    assert!(
        row.iter().any(|r| f(r, "band_width") > width),
        "the grid must have a wider band to check: {recommended:?}"
    );
    // Run on its own, the recommended scenario's corridor arm loses beyond 2% of income as often
    // as the search said.
    let written = std::fs::read_to_string(dir.path().join("cor/recommended.toml")).unwrap();
    assert!(
        written.contains("Searched with --set years=3, which this file's values include."),
        "{written}"
    );
    assert!(!written.contains("base ="), "{written}");
    let (code, _, err) = capsim(
        &["run", "cor/recommended.toml", "--out", "rerun"],
        dir.path(),
    );
    assert_eq!(code, 0, "{err}");
    let resolved = std::fs::read_to_string(dir.path().join("rerun/scenario.toml")).unwrap();
    // s.toml names nothing: it is named after its file, not its base.
    assert!(resolved.contains("name = \"s-corridor\""), "{resolved}");
    let summary = read_csv_rows(&dir.path().join("rerun/summary.csv"));
    let arms: std::collections::BTreeSet<&str> =
        summary.iter().map(|r| r["arm"].as_str()).collect();
    assert_eq!(arms, ["capitation", "capitation-corridor"].into());
    let providers: Vec<_> = summary
        .iter()
        .filter(|r| {
            r["arm"] == "capitation-corridor"
                && r["horizon"] == "term"
                && r["party"] != "commissioner"
        })
        .collect();
    assert!(!providers.is_empty());
    let worst = providers
        .iter()
        .map(|r| f(r, "p_loss_over_2pct"))
        .fold(0.0, f64::max);
    // summary.csv gives probabilities to 4 decimals.
    assert!((worst - p).abs() <= 0.5e-4, "re-run {worst} vs search {p}");
}

/// A cap inside a band makes the share beyond it irrelevant, and the terminal says so; a
/// search on few replications says its figures are rough.
#[test]
fn a_cap_inside_the_band_and_few_replications_are_named() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("base.toml"), SMALL).unwrap();
    std::fs::write(dir.path().join("s.toml"), "base = \"base.toml\"\n").unwrap();
    let args = |caps: &str, out: &str| {
        vec![
            "corridor",
            "s.toml",
            "--arm",
            "capitation",
            "--reps",
            "20",
            "--widths",
            "0,0.02",
            "--shares",
            "0,0.5",
            "--caps",
            caps,
            "--set",
            "years=2",
            "--out",
        ]
        .into_iter()
        .map(String::from)
        .chain([out.to_string()])
        .collect::<Vec<_>>()
    };
    let run = |caps: &str, out: &str| {
        let a = args(caps, out);
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        let (code, out, err) = capsim(&a, dir.path());
        assert_eq!(code, 0, "{err}");
        out
    };
    let out = run("0.01", "inside");
    // The chance in the table is the one the limit is on: a loss beyond the threshold.
    assert!(
        out.contains("providers' P(loss > 2%) of income at most 5%"),
        "{out}"
    );
    assert!(
        out.lines().any(|l| l.starts_with("design (widest band")
            && l.contains("P(loss > 2%)")
            && !l.contains("P(loss) ")),
        "{out}"
    );
    assert!(
        out.contains("Note: a cap of 1.0% is at or inside some of the bands"),
        "{out}"
    );
    assert!(
        out.contains("Only 20 replications: these figures are rough"),
        "{out}"
    );
    let out = run("0.05", "outside");
    assert!(!out.contains("Note: a cap"), "{out}");
}

/// Bad corridor input is named and nothing is written.
#[test]
fn bad_corridor_input_is_named_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("s.toml"), SMALL).unwrap();
    for (args, expected) in [
        (
            vec!["--arm", "nosuch"],
            "command line: --arm: unknown arm \"nosuch\"",
        ),
        (
            vec!["--arm", "capitation", "--widths", "0,2"],
            "command line: --widths: expected numbers from 0 to 1",
        ),
        (
            vec!["--arm", "capitation", "--caps", "none,0"],
            "command line: --caps",
        ),
        (
            vec!["--arm", "capitation", "--widths", "0.02,0.05,0.020"],
            "command line: --widths: expected each value once; 0.02 is given twice",
        ),
        (
            vec!["--arm", "capitation", "--shares", "0.5,0.5"],
            "command line: --shares: expected each value once; 0.5 is given twice",
        ),
        (
            vec!["--arm", "capitation", "--caps", "none,0.1,none"],
            "command line: --caps: expected each cap once; none is given twice",
        ),
        (
            vec!["--arm", "capitation", "--max-prob-loss", "1.5"],
            "command line: --max-prob-loss: expected a share from 0 to 1",
        ),
        (
            vec!["--arm", "capitation", "--set", "population.size=-5"],
            "population.size",
        ),
    ] {
        let mut all = vec!["corridor", "s.toml", "--out", "bad"];
        all.extend(args);
        let (code, _, err) = capsim(&all, dir.path());
        assert_eq!(code, 2, "{err}");
        assert!(err.contains(expected), "{err}");
        assert!(!dir.path().join("bad").exists());
    }
}

/// A planted driver: with every shock fixed, one parameter (the cost of an elective admission)
/// drawn widely is what moves a block contract's provider result; drivers ranks it first, with
/// a strong rank correlation, and nothing else near it.
#[test]
fn drivers_recover_a_planted_parameter() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("p.toml"),
        r#"
base = "default"
name = "planted"
replications = 300
years = 3
[population]
size = 20000
[activity.types.elective]
unit_cost = { dist = "uniform", min = 1000, max = 2600, source = "test: a planted driver" }
[activity.types.gp]
cost_cv = { dist = "uniform", min = 0.2, max = 0.4, source = "test: a parameter that drives little" }
[shocks]
demand_trend = 0.015
cost_inflation = 0.018
bad_winter_effect = 0.08
"#,
    )
    .unwrap();
    let (code, _, err) = capsim(&["run", "p.toml", "--out", "o"], dir.path());
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = capsim(&["drivers", "o", "--arm", "block"], dir.path());
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("drivers.csv and the chart of block"), "{out}");
    assert!(dir.path().join("o/drivers.png").is_file());
    let rows = read_csv_rows(&dir.path().join("o/drivers.csv"));
    let block: Vec<_> = rows
        .iter()
        .filter(|r| r["arm"] == "block" && r["measure"] == "providers_surplus")
        .collect();
    let rho = |name: &str| -> f64 {
        block
            .iter()
            .find(|r| r["driver"] == name)
            .unwrap_or_else(|| panic!("{name}: {block:?}"))["rank_correlation"]
            .parse()
            .unwrap()
    };
    let planted = rho("activity.types.elective.unit_cost");
    assert!(
        planted < -0.8,
        "dearer admissions cut the block provider's surplus: {planted}"
    );
    for r in &block {
        if r["driver"] != "activity.types.elective.unit_cost" {
            let other: f64 = r["rank_correlation"].parse().unwrap();
            assert!(other.abs() < 0.25, "{r:?}");
        }
    }
    // Rows come strongest first, ranked from 1: the planted driver is rank 1 and the first row.
    assert_eq!(block[0]["driver"], "activity.types.elective.unit_cost");
    let strengths: Vec<f64> = block
        .iter()
        .enumerate()
        .map(|(i, r)| {
            assert_eq!(r["rank"], (i + 1).to_string(), "{r:?}");
            r["rank_correlation"].parse::<f64>().unwrap().abs()
        })
        .collect();
    assert!(strengths.windows(2).all(|w| w[0] >= w[1]), "{strengths:?}");
    // A block's spend is fixed: nothing to rank, and empty cells rather than NaN, on a row
    // per input as for any other measure.
    let fixed: Vec<_> = rows
        .iter()
        .filter(|r| r["arm"] == "block" && r["measure"] == "commissioner_spend")
        .collect();
    assert_eq!(
        fixed.len(),
        block.len(),
        "a row per input for the fixed spend"
    );
    for r in fixed {
        for column in [
            "rank",
            "rank_correlation",
            "rank_correlation_se",
            "explained_together",
        ] {
            assert_eq!(r[column], "", "{column}: {r:?}");
        }
    }
    // Too few replications to rank anything (with one, every input had looked fixed; with
    // three, every error was NaN).
    for reps in ["1", "3"] {
        let out = format!("few-{reps}");
        let (code, _, err) = capsim(
            &["run", "p.toml", "--reps", reps, "--out", &out],
            dir.path(),
        );
        assert_eq!(code, 0, "{err}");
        let (code, _, err) = capsim(&["drivers", &out], dir.path());
        assert_eq!(code, 2, "{err}");
        assert!(
            err.contains(&format!(
                "{out}: replications: expected a run of at least 20 replications to tell what \
                 drives the spread from chance, found {reps}: run the scenario again with"
            )),
            "{err}"
        );
    }
    // Not a run folder, or an arm it does not have: named, exit 2.
    for (args, expected) in [
        (vec!["drivers", "nosuch"], "expected a run folder"),
        (
            vec!["drivers", "o", "--arm", "nosuch"],
            "unknown arm \"nosuch\"",
        ),
    ] {
        let (code, _, err) = capsim(&args, dir.path());
        assert_eq!(code, 2, "{err}");
        assert!(err.contains(expected), "{err}");
    }
}
