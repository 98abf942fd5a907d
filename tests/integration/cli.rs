//! What the command line tells a user: progress in a log, a replaced run, precision reached.

use polars::prelude::*;

use crate::common::{SMALL, capsim, read_csv_rows, read_parquet};

fn small_scenario(dir: &std::path::Path) {
    std::fs::write(dir.join("s.toml"), SMALL).unwrap();
}

/// Run from R's system2 or Python's subprocess, stderr is not a terminal: progress still
/// reaches it, as lines.
#[test]
fn progress_reaches_a_log_when_stderr_is_not_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    small_scenario(dir.path());
    let (code, _, err) = capsim(&["run", "s.toml", "--out", "o"], dir.path());
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("capsim: simulating 24 replications"), "{err}");
    assert!(err.contains("capsim: 24/24 replications (100%)"), "{err}");
    // Regression: a command running several batches counted on from the first (risk-size
    // logged 1862/300). Each batch, two per size, counts from 0 to its own total.
    let risk_size = |more: &[&'static str]| {
        let mut args = vec![
            "risk-size",
            "s.toml",
            "--arm",
            "capitation",
            "--sizes",
            "2000,4000",
            "--reps",
            "3",
        ];
        args.extend(more);
        capsim(&args, dir.path())
    };
    let (code, _, err) = risk_size(&["--out", "rs"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        err.matches("capsim: 3/3 replications (100%)").count(),
        4,
        "{err}"
    );
    assert!(!err.contains("capsim: 4/3"), "{err}");
    // --seed draws other futures, and the study records the seed it ran on.
    let (code, _, err) = risk_size(&["--seed", "7", "--out", "rs7"]);
    assert_eq!(code, 0, "{err}");
    let read = |f: &str| std::fs::read_to_string(dir.path().join(f)).unwrap();
    assert_ne!(read("rs/risk_size.csv"), read("rs7/risk_size.csv"));
    let recorded: serde_json::Value = serde_json::from_str(&read("rs7/risk_size.json")).unwrap();
    assert_eq!(recorded["seed"], 7);
    assert_eq!(recorded["replications"], 3);
}

/// Replacing an earlier run is said; a first run into a new folder says nothing of the kind.
#[test]
fn replacing_an_earlier_run_is_said() {
    let dir = tempfile::tempdir().unwrap();
    small_scenario(dir.path());
    let (_, first, _) = capsim(&["run", "s.toml", "--out", "o"], dir.path());
    assert!(!first.contains("replacing"), "{first}");
    let (code, second, err) = capsim(&["run", "s.toml", "--out", "o"], dir.path());
    assert_eq!(code, 0, "{err}");
    assert!(
        second.contains("results in o (replacing the earlier run there)"),
        "{second}"
    );
}

/// `--precision` doubles the replications until the figure is known well enough, and the run
/// it stops at is byte for byte the run of that many replications.
#[test]
fn precision_adds_replications_and_equals_a_plain_run_of_that_many() {
    let dir = tempfile::tempdir().unwrap();
    small_scenario(dir.path());
    let (code, out, err) = capsim(
        &[
            "run",
            "s.toml",
            "--reps",
            "10",
            "--precision",
            "capitation:p_loss=0.06",
            "--out",
            "precise",
        ],
        dir.path(),
    );
    assert_eq!(code, 0, "{err}");
    let info: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("precise/run.json")).unwrap(),
    )
    .unwrap();
    let n = info["replications"].as_u64().unwrap();
    // 10, 20, 40, …: a P(loss) near one half needs about 270 for ± 6 points.
    assert!(n > 10 && (n / 10).is_power_of_two(), "{n} replications");
    assert!(
        out.contains("precision: capitation p_loss") && out.contains("reached"),
        "{out}"
    );
    // Before each doubling it says how far the figure is known and where the run goes next.
    assert!(
        err.contains("replications; target ± 6.0 points: running to 20 (at most"),
        "{err}"
    );
    assert!(
        std::fs::read_to_string(dir.path().join("precise/scenario.toml"))
            .unwrap()
            .contains(&format!("replications = {n}")),
        "the resolved scenario records the replications run"
    );
    let (code, _, err) = capsim(
        &["run", "s.toml", "--reps", &n.to_string(), "--out", "plain"],
        dir.path(),
    );
    assert_eq!(code, 0, "{err}");
    for file in ["summary.csv", "equity.csv"] {
        assert_eq!(
            std::fs::read(dir.path().join("precise").join(file)).unwrap(),
            std::fs::read(dir.path().join("plain").join(file)).unwrap(),
            "{file} differs from the plain run"
        );
    }
    // A sweep with a target says, point by point, what each reached.
    let (code, out, err) = capsim(
        &[
            "sweep",
            "s.toml",
            "--param",
            "population.size=4000,6000",
            "--reps",
            "10",
            "--precision",
            "capitation:p_loss=0.06",
            "--out",
            "sw",
        ],
        dir.path(),
    );
    assert_eq!(code, 0, "{err}");
    for point in [
        "point-1: precision: capitation",
        "point-2: precision: capitation",
    ] {
        assert!(out.contains(point), "{out}");
    }
    // Figures are called rough for the replications the points ran, not the 10 they began at.
    let fewest = ["point-1", "point-2"]
        .iter()
        .map(|p| {
            let info: serde_json::Value = serde_json::from_str(
                &std::fs::read_to_string(dir.path().join("sw").join(p).join("run.json")).unwrap(),
            )
            .unwrap();
            info["replications"].as_u64().unwrap()
        })
        .min()
        .unwrap();
    assert!(fewest > 10, "{fewest}");
    assert!(!out.contains("Only 10 replications"), "{out}");
    assert_eq!(
        out.contains(&format!("Only {fewest} replications")),
        fewest < 200,
        "{out}"
    );
}

#[test]
fn a_bad_precision_request_is_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    small_scenario(dir.path());
    for (flag, expected) in [
        ("capitation", "expected ARM:FIGURE=HALF_WIDTH"),
        (
            "nosuch:p50=1e6",
            "unknown arm \"nosuch\"; expected one of: block, pbr",
        ),
        (
            "capitation:p99=1e6",
            "unknown figure \"p99\"; expected ARM:FIGURE",
        ),
        (
            "capitation:means=1e6",
            "unknown figure \"means\" (did you mean \"mean\"?); expected",
        ),
        ("capitation:p50=-1", "expected a half-width above 0"),
        ("capitation:p_loss=1.5", "expected a half-width below 1"),
        // £1 is surely meant as £1m, and would run to the maximum of replications.
        (
            "capitation:p50=1",
            "expected a half-width in £ of at least 1000",
        ),
        ("capitation:mean=2x", "expected a half-width above 0"),
    ] {
        let (code, _, err) = capsim(
            &["run", "s.toml", "--precision", flag, "--out", "o"],
            dir.path(),
        );
        assert_eq!(code, 2, "{flag}: {err}");
        assert!(
            err.contains("command line: --precision") && err.contains(expected),
            "{flag}: {err}"
        );
        assert!(!dir.path().join("o").exists());
    }
}

/// Two places of different size compare per person per year: the per-head figures are the £
/// figures over the person-years covered, and the same model gives nearly the same spend per
/// head at both sizes.
#[test]
fn compare_puts_runs_side_by_side_per_head() {
    let dir = tempfile::tempdir().unwrap();
    small_scenario(dir.path());
    let bigger = SMALL.replace("size = 20000", "size = 40000");
    assert_ne!(bigger, SMALL);
    std::fs::write(dir.path().join("big.toml"), bigger).unwrap();
    for (scenario, out) in [("s.toml", "small"), ("big.toml", "big")] {
        let (code, _, err) = capsim(&["run", scenario, "--out", out], dir.path());
        assert_eq!(code, 0, "{err}");
    }
    let (code, out, err) = capsim(&["compare", "small", "big", "--out", "cmp"], dir.path());
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("small · capitation") && out.contains("big · capitation"),
        "{out}"
    );
    // Same seed: nothing said of chance; a third run on another seed is named with its seed.
    assert!(!out.contains("different seeds"), "{out}");
    let (code, _, err) = capsim(
        &["run", "s.toml", "--seed", "7", "--out", "other"],
        dir.path(),
    );
    assert_eq!(code, 0, "{err}");
    let (code, other, err) = capsim(&["compare", "small", "other", "--out", "cmp2"], dir.path());
    assert_eq!(code, 0, "{err}");
    assert!(
        other.contains("different seeds (small ")
            && other.contains(", other 7): they do not share"),
        "{other}"
    );
    for file in ["compare.csv", "compare.png", "compare.svg", "compare.json"] {
        assert!(
            dir.path().join("cmp").join(file).is_file(),
            "{file} missing"
        );
    }
    let rows = read_csv_rows(&dir.path().join("cmp/compare.csv"));
    assert_eq!(
        rows.len(),
        2 * 6 * 2,
        "two runs × six arms × provider and commissioner"
    );
    let f =
        |r: &std::collections::HashMap<String, String>, c: &str| -> f64 { r[c].parse().unwrap() };
    // The chart's box is in the table: p25 and p75 are the run's own, between p5 and p95.
    let summary = read_csv_rows(&dir.path().join("small/summary.csv"));
    for r in rows.iter().filter(|r| r["run"] == "small") {
        let own = summary
            .iter()
            .find(|s| s["arm"] == r["arm"] && s["party"] == r["party"] && s["horizon"] == "term")
            .unwrap();
        for q in ["p25", "p75"] {
            assert_eq!(r[q], own[q], "{q}: {r:?}");
        }
        assert!(
            f(r, "p5") <= f(r, "p25") && f(r, "p25") <= f(r, "p50"),
            "{r:?}"
        );
        assert!(
            f(r, "p50") <= f(r, "p75") && f(r, "p75") <= f(r, "p95"),
            "{r:?}"
        );
    }
    for r in &rows {
        let per_head = f(r, "p50") / f(r, "person_years");
        // compare.csv rounds money to pence and person-years to 0.1.
        assert!((f(r, "p50_per_head") - per_head).abs() <= 0.01 + 1e-5 * per_head.abs());
    }
    let spend = |run: &str| -> (f64, f64) {
        let r = rows
            .iter()
            .find(|r| r["run"] == run && r["arm"] == "capitation" && r["role"] == "commissioner")
            .unwrap();
        (f(r, "person_years"), f(r, "mean_per_head"))
    };
    // Each later run's change is against the first run's same arm and party; the first run's
    // rows have none.
    for r in &rows {
        let first = rows
            .iter()
            .find(|f| f["run"] == "small" && f["arm"] == r["arm"] && f["party"] == r["party"])
            .unwrap();
        if r["run"] == "small" {
            assert_eq!(r["p50_per_head_change"], "");
        } else {
            let change = f(r, "p50_per_head") - f(first, "p50_per_head");
            assert!(
                (f(r, "p50_per_head_change") - change).abs() <= 0.011,
                "{r:?}"
            );
        }
    }
    assert!(out.contains("Against small's same arm"), "{out}");
    let ((small_py, small_head), (big_py, big_head)) = (spend("small"), spend("big"));
    assert!(
        (big_py / small_py - 2.0).abs() < 0.02,
        "{small_py} vs {big_py} person-years"
    );
    assert!(
        (big_head / small_head - 1.0).abs() < 0.05,
        "£{small_head} vs £{big_head} per head"
    );
    // A second comparison replaces the first; a folder of the user's is refused.
    let (code, _, err) = capsim(&["compare", "small", "big", "--out", "cmp"], dir.path());
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = capsim(&["compare", "small", "big", "--out", "small"], dir.path());
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("is not a capsim comparison folder"), "{err}");
    let (code, _, err) = capsim(&["compare", "small", "--out", "one"], dir.path());
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("expected at least two run folders"), "{err}");
    assert!(!dir.path().join("one").exists());
}

/// A run with one provider compares with a run of two: the headline (the provider, or all
/// providers) is paired by arm whatever its name, so every provider row has its change. Arms
/// the first run lacks, a different term and a replaced comparison are each said.
#[test]
fn compare_pairs_the_headline_whatever_its_name_and_says_what_is_not_alike() {
    let dir = tempfile::tempdir().unwrap();
    small_scenario(dir.path());
    let two = SMALL.to_string()
        + "[[provider]]\nname = \"acute\"\n\
           activity = [\"outpatient\", \"ae\", \"elective\", \"non_elective\", \"nel_bed_days\", \"ambulance\"]\n\
           [[provider]]\nname = \"community\"\n\
           activity = [\"gp\", \"community\", \"mental_health\", \"prescribing\"]\n\
           [[arm]]\nname = \"block\"\npreset = \"block\"\n\
           [[arm]]\nname = \"pbr\"\npreset = \"pbr\"\n\
           [[arm]]\nname = \"extra\"\npreset = \"block\"\n";
    std::fs::write(dir.path().join("two.toml"), two).unwrap();
    for args in [
        &["run", "s.toml", "--out", "one"][..],
        &["run", "two.toml", "--out", "two"],
        &["run", "s.toml", "--set", "years=2", "--out", "short"],
    ] {
        let (code, _, err) = capsim(args, dir.path());
        assert_eq!(code, 0, "{args:?}: {err}");
    }
    let (code, out, err) = capsim(&["compare", "one", "two", "--out", "cmp"], dir.path());
    assert_eq!(code, 0, "{err}");
    let rows = read_csv_rows(&dir.path().join("cmp/compare.csv"));
    let providers: Vec<_> = rows
        .iter()
        .filter(|r| r["run"] == "two" && r["role"] != "commissioner")
        .collect();
    assert_eq!(providers.len(), 3, "block, pbr and the extra arm");
    for r in &providers {
        assert_eq!(r["party"], "all providers");
        let paired = r["arm"] != "extra";
        assert_eq!(!r["p50_per_head_change"].is_empty(), paired, "{r:?}");
        assert_eq!(!r["p_loss_change"].is_empty(), paired, "{r:?}");
    }
    assert!(out.contains("two · pbr"), "{out}");
    assert!(out.contains("Against one's same arm"), "{out}");
    assert!(
        out.contains(
            "two's arm extra has no arm of the same name in one, so no change is given for it."
        ),
        "{out}"
    );
    assert!(!out.contains("different terms"), "{out}");
    assert!(
        rows.iter()
            .all(|r| r["years"] == "3" && r["start_year"] == "2025")
    );
    let (code, out, err) = capsim(&["compare", "one", "short", "--out", "cmp"], dir.path());
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("(replacing the earlier comparison there)")
            && out.contains("different terms (one 3 years from 2025, short 2 years from 2025)"),
        "{out}"
    );
    // An empty folder given as --out replaces nothing, and says nothing of it.
    std::fs::create_dir(dir.path().join("fresh")).unwrap();
    let (code, out, err) = capsim(&["compare", "one", "two", "--out", "fresh"], dir.path());
    assert_eq!(code, 0, "{err}");
    assert!(!out.contains("replacing"), "{out}");
}

/// `--set` changes a field as if the file said so: the run is byte for byte the run of a file
/// with those values, and the resolved scenario records them. A table given merges into the
/// one it changes, as a file's table merges into its base's.
#[test]
fn set_overrides_a_field_exactly_as_the_file_would() {
    let dir = tempfile::tempdir().unwrap();
    small_scenario(dir.path());
    let edited = SMALL
        .replace("size = 20000", "size = 5300")
        .replace("years = 3", "years = 2")
        + "[transitions]\nleaver_rate = 0.05\n";
    assert_ne!(edited, SMALL);
    std::fs::write(dir.path().join("edited.toml"), edited).unwrap();
    let (code, _, err) = capsim(
        &[
            "run",
            "s.toml",
            "--set",
            "population.size=5300",
            "--set",
            "years=2",
            "--set",
            "arm.capitation={ preset = \"capitation\" }",
            "--set",
            "transitions={ leaver_rate = 0.05 }",
            "--out",
            "set",
        ],
        dir.path(),
    );
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = capsim(&["run", "edited.toml", "--out", "file"], dir.path());
    assert_eq!(code, 0, "{err}");
    for file in ["summary.csv", "equity.csv"] {
        assert_eq!(
            std::fs::read(dir.path().join("set").join(file)).unwrap(),
            std::fs::read(dir.path().join("file").join(file)).unwrap(),
            "{file}"
        );
    }
    let resolved = std::fs::read_to_string(dir.path().join("set/scenario.toml")).unwrap();
    assert!(resolved.contains("size = 5300") && resolved.contains("years = 2"));
    assert!(resolved.contains("leaver_rate = 0.05"), "{resolved}");
    // A parameter's table replaces it whole, as in a file: a distribution for a fixed value.
    let (code, _, err) = capsim(
        &[
            "run",
            "s.toml",
            "--set",
            "transitions.growth_rate={ dist = \"normal\", mean = 0.01, sd = 0.001 }",
            "--out",
            "dist",
        ],
        dir.path(),
    );
    assert_eq!(code, 0, "{err}");
    let resolved = std::fs::read_to_string(dir.path().join("dist/scenario.toml")).unwrap();
    let growth = resolved
        .split("[transitions.growth_rate]")
        .nth(1)
        .and_then(|rest| rest.split("\n[").next())
        .unwrap_or_default();
    assert!(
        growth.contains("dist = \"normal\"") && !growth.contains("value ="),
        "{resolved}"
    );
}

#[test]
fn a_bad_set_is_bad_input_naming_the_path() {
    let dir = tempfile::tempdir().unwrap();
    small_scenario(dir.path());
    for (set, expected) in [
        ("population.sise=5", "population.sise: unknown field `sise`"),
        (
            "transitions.leaver_rate=1.5",
            "transitions.leaver_rate: expected a probability between 0 and 1",
        ),
        (
            "arm.nosuch.preset=pbr",
            "arm.nosuch.preset: unknown arm \"nosuch\"; expected one of: block, pbr,",
        ),
        (
            "arm.capitaton.preset=pbr",
            "arm.capitaton.preset: unknown arm \"capitaton\" (did you mean \"capitation\"?); expected one of: block,",
        ),
        (
            "intervention.nosuch.uptake=0.1",
            "intervention.nosuch.uptake: no intervention named \"nosuch\": the scenario has none",
        ),
        (
            "arm.capitation=5",
            "arm.capitation: expected a table of the arm's fields",
        ),
        // A value meant as TOML but not TOML is said to be so, not read as text.
        (
            "population.cohort.imd=[1,2",
            "population.cohort.imd: expected a value written as in a scenario file (a number, \
             \"text\", [a, list] or { key = value }); unclosed array",
        ),
        (
            "seed=99999999999999999999",
            "seed: expected a whole number a scenario file can hold, at most 9223372036854775807",
        ),
        // A bad name is the command line's, though the problem names the arm by position.
        (
            "arm.capitation.name=cap:v2",
            "command line (--set): arm[2].name: expected a name of at most 100 characters",
        ),
        ("years=\"many\"", "years"),
        ("nonsense", "expected PATH=VALUE"),
        (
            "arm.capitation.component[1].provider_share=0.5",
            "`component` has no item 1 (an arm given by a preset has no components",
        ),
        (
            "arm.capitation-flat.component[3].risk_adjustment=age_sex",
            "arm.capitation-flat.component[3].risk_adjustment: `component` has no item 3 (it has 1, item 0)\n",
        ),
        // Regression: problems the override made on a table above it were blamed on the file.
        (
            "populaton.size=5300",
            "populaton: unknown field `populaton`",
        ),
        ("budget.growth=0.03", "budget: missing field `first_year`"),
        // Regression: found when the model is built, it was blamed on the file.
        (
            "population.cohort={ age_min = 0, age_max = 0, ltc_min = 5 }",
            "population: expected at least one person after the cohort filter",
        ),
        // Regression: a base given by --set was ignored.
        ("base=other.toml", "base: expected a field of the scenario"),
    ] {
        let (code, _, err) = capsim(&["run", "s.toml", "--set", set, "--out", "o"], dir.path());
        assert_eq!(code, 2, "{set}: {err}");
        assert!(
            err.contains("command line (--set)") && err.contains(expected),
            "{set}: {err}"
        );
        assert!(!dir.path().join("o").exists());
    }
    // Regression: a name of the wrong type was reported, then again as missing from the file.
    let (code, _, err) = capsim(
        &["run", "s.toml", "--set", "name=2025", "--out", "o"],
        dir.path(),
    );
    assert_eq!(code, 2, "{err}");
    assert_eq!(
        err.trim(),
        "error: command line (--set): name: invalid type: integer `2025`, expected a string"
    );
    // Regression: --threads 0 was an error for run but every core elsewhere, and a million
    // threads were taken at their word.
    for args in [
        vec!["run", "s.toml", "--threads", "0", "--out", "o"],
        vec!["run", "s.toml", "--threads", "1000000", "--out", "o"],
        vec![
            "risk-size",
            "s.toml",
            "--arm",
            "capitation",
            "--sizes",
            "2000,4000",
            "--threads",
            "0",
            "--out",
            "o",
        ],
    ] {
        let (code, _, err) = capsim(&args, dir.path());
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(
            err.contains("for '--threads <THREADS>': expected a whole number, 1 to 1024"),
            "{err}"
        );
        assert!(!dir.path().join("o").exists());
    }
    // Regression: a field given by --set or a sweep's --param and by its own flag took the
    // flag's value silently (a sweep over seeds ran one seed three times).
    for args in [
        vec![
            "run",
            "s.toml",
            "--set",
            "replications=5",
            "--reps",
            "3",
            "--out",
            "o",
        ],
        vec![
            "sweep",
            "s.toml",
            "--param",
            "seed=1,2,3",
            "--seed",
            "5",
            "--out",
            "o",
        ],
        // corridor and risk-size had let --reps win silently.
        vec![
            "corridor",
            "s.toml",
            "--arm",
            "capitation",
            "--set",
            "replications=30",
            "--reps",
            "20",
            "--out",
            "o",
        ],
        vec![
            "risk-size",
            "s.toml",
            "--arm",
            "capitation",
            "--sizes",
            "2000,4000",
            "--set",
            "replications=30",
            "--reps",
            "20",
            "--out",
            "o",
        ],
    ] {
        let (code, _, err) = capsim(&args, dir.path());
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.contains("set once"), "{args:?}: {err}");
        assert!(!dir.path().join("o").exists());
    }
}

/// A sweep reruns into its own folder (its points are capsim's folders, listed in its
/// manifest), which it had refused, the default `output/sweep` included; a file of the user's
/// inside a point is still refused and kept.
#[test]
fn a_sweep_reruns_into_its_folder_but_keeps_a_users_file() {
    let dir = tempfile::tempdir().unwrap();
    small_scenario(dir.path());
    let sweep = [
        "sweep",
        "s.toml",
        "--param",
        "population.size=4000,6000",
        "--out",
        "sw",
    ];
    for _ in 0..2 {
        let (code, _, err) = capsim(&sweep, dir.path());
        assert_eq!(code, 0, "{err}");
    }
    let mine = dir.path().join("sw/point-1/notes.txt");
    std::fs::write(&mine, "mine").unwrap();
    let (code, _, err) = capsim(&sweep, dir.path());
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("holds what capsim did not write there"),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(&mine).unwrap(), "mine");
}

/// A sweep runs each value of one field on the same seed; each point is byte for byte the run
/// `capsim run --set PATH=VALUE` gives, and the table has a row per point and arm. The chart
/// calls the field by its label when given one.
#[test]
fn a_sweep_point_is_the_plain_run_with_that_value() {
    let dir = tempfile::tempdir().unwrap();
    small_scenario(dir.path());
    let (code, out, err) = capsim(
        &[
            "sweep",
            "s.toml",
            "--param",
            "population.size=4000..12000:3",
            "--label",
            "People covered",
            "--out",
            "sw",
        ],
        dir.path(),
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("3 points in sw"), "{out}");
    let chart = std::fs::read_to_string(dir.path().join("sw/sweep.svg")).unwrap();
    assert!(
        chart.contains(">\nPeople covered\n</text>"),
        "the x axis: {chart}"
    );
    assert!(
        chart.contains("by People covered\n</text>"),
        "the title: {chart}"
    );
    assert!(!chart.contains("population.size"), "{chart}");
    let (code, _, err) = capsim(
        &[
            "run",
            "s.toml",
            "--set",
            "population.size=8000",
            "--out",
            "plain",
        ],
        dir.path(),
    );
    assert_eq!(code, 0, "{err}");
    for file in ["summary.csv", "equity.csv"] {
        assert_eq!(
            std::fs::read(dir.path().join("sw/point-2").join(file)).unwrap(),
            std::fs::read(dir.path().join("plain").join(file)).unwrap(),
            "{file}"
        );
    }
    // The point's folder says which point it is, in run.json and in its report.
    let point = "point 2 of 3: population.size = 8000";
    let info = std::fs::read_to_string(dir.path().join("sw/point-2/run.json")).unwrap();
    assert!(
        info.contains(&format!("\"sweep_point\": \"{point}\"")),
        "{info}"
    );
    let report = std::fs::read_to_string(dir.path().join("sw/point-2/report.html")).unwrap();
    assert!(
        report.contains(&format!("This run is <b>{point}</b> of the sweep")),
        "{report}"
    );
    let plain = std::fs::read_to_string(dir.path().join("plain/run.json")).unwrap();
    assert!(!plain.contains("sweep_point"), "{plain}");
    let rows = read_csv_rows(&dir.path().join("sw/sweep.csv"));
    assert_eq!(rows.len(), 3 * 6);
    let sizes: std::collections::BTreeSet<&str> =
        rows.iter().map(|r| r["population.size"].as_str()).collect();
    assert_eq!(
        sizes,
        ["12000", "4000", "8000"].into(),
        "a head count is written as a whole number"
    );
    for (bad, why) in [
        ("population.size", "expected PATH=FROM..TO:STEPS"),
        ("population.size=1..2:1", "expected 2 to"),
        ("population.size=a..b:3", "\"a\" is not a number"),
        (
            "population.size=5000..50000",
            "\"5000..50000\" has no number of steps: write 5000..50000:4 for 4 points",
        ),
        ("name=north,south", "`capsim compare`"),
        // Whole ends whose points would round to an uneven grid (1, 3, 4).
        (
            "years=1..4:3",
            "expected points that are whole numbers between whole ends: 1..4:3 puts them 1.500 \
             apart; choose STEPS so that they land on whole numbers (1..4:2, 1..4:4)",
        ),
    ] {
        let (code, _, err) = capsim(
            &["sweep", "s.toml", "--param", bad, "--out", "bad"],
            dir.path(),
        );
        assert_eq!(code, 2, "{bad}: {err}");
        assert!(err.contains("command line: --param"), "{err}");
        assert!(err.contains(why), "{bad}: {err}");
        assert!(!dir.path().join("bad").exists());
    }
    // Whole-number ends with fractional steps: the point that is not whole says what to do.
    let (code, _, err) = capsim(
        &["sweep", "s.toml", "--param", "years=1..3:5", "--out", "bad"],
        dir.path(),
    );
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("expected a whole number; this field takes whole numbers"),
        "{err}"
    );
    assert!(!dir.path().join("bad").exists());
    for labels in [&["Size", "Again"][..], &[" "]] {
        let mut args = vec!["sweep", "s.toml", "--param", "population.size=4000,8000"];
        for l in labels {
            args.extend(["--label", l]);
        }
        args.extend(["--out", "bad"]);
        let (code, _, err) = capsim(&args, dir.path());
        assert_eq!(code, 2, "{labels:?}: {err}");
        assert!(err.contains("command line: --label: expected"), "{err}");
        assert!(!dir.path().join("bad").exists());
    }
    // A value the field cannot take fails before anything is simulated, and the folders made
    // to hold the sweep go again.
    let (code, _, err) = capsim(
        &[
            "sweep",
            "s.toml",
            "--param",
            "transitions.leaver_rate=0.5,1.5",
            "--out",
            "results/a/bad",
        ],
        dir.path(),
    );
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("command line (--param transitions.leaver_rate=1.5): transitions.leaver_rate"),
        "{err}"
    );
    assert!(!dir.path().join("results").exists());
}

/// Points that differ only in a contract simulate the worlds once and settle each point's
/// contracts on them: every table of a point is byte for byte the plain run's. Two fields make
/// a grid (a heat map of one arm).
#[test]
fn a_contract_sweep_settles_every_point_on_one_simulation_exactly() {
    let dir = tempfile::tempdir().unwrap();
    small_scenario(dir.path());
    let field = "arm.capitation-flat.component[0].uplift";
    let (code, out, err) = capsim(
        &[
            "sweep",
            "s.toml",
            "--param",
            &format!("{field}=-0.04..0.04:3"),
            "--param",
            "budget.first_year=30000000,32000000",
            "--arm",
            "capitation-flat",
            "--metric",
            "commissioner-p95",
            "--out",
            "sw",
        ],
        dir.path(),
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("6 points in sw"), "{out}");
    // One simulation for all six points.
    assert_eq!(
        err.matches("capsim: simulating 24 replications").count(),
        1,
        "{err}"
    );
    let (code, _, err) = capsim(
        &[
            "run",
            "s.toml",
            "--set",
            &format!("{field}=0.04"),
            "--set",
            "budget.first_year=32000000",
            "--out",
            "plain",
        ],
        dir.path(),
    );
    assert_eq!(code, 0, "{err}");
    for file in [
        "summary.csv",
        "equity.csv",
        "ledger.parquet",
        "ledger_term.parquet",
        "world.parquet",
        "scenario.toml",
    ] {
        assert_eq!(
            std::fs::read(dir.path().join("sw/point-6").join(file)).unwrap(),
            std::fs::read(dir.path().join("plain").join(file)).unwrap(),
            "{file}"
        );
    }
    let rows = read_csv_rows(&dir.path().join("sw/sweep.csv"));
    assert_eq!(rows.len(), 6 * 6);
    // Paying more per head moves money from the commissioner to the provider.
    let spend = |uplift: &str| -> f64 {
        rows.iter()
            .find(|r| {
                r["arm"] == "capitation-flat"
                    && r[field] == uplift
                    && r["budget.first_year"] == "30000000"
            })
            .unwrap_or_else(|| panic!("{uplift}: {rows:?}"))["commissioner_mean_spend"]
            .parse()
            .unwrap()
    };
    assert!(spend("0.04") > spend("-0.04"));
    for (args, expected) in [
        (
            vec!["--param", "years=2,3", "--param", "years=3,4"],
            "expected two different fields",
        ),
        (
            vec!["--param", "years=2,3", "--param", "seed=1..2:2"],
            "expected --arm with two fields",
        ),
        (
            vec!["--param", "years=1..20:20", "--param", "seed=1..10:10"],
            "expected at most 100 points",
        ),
        (
            vec!["--param", "years=2,3", "--arm", "nosuch"],
            "unknown arm \"nosuch\"",
        ),
    ] {
        let mut all = vec!["sweep", "s.toml", "--out", "bad"];
        all.extend(args);
        let (code, _, err) = capsim(&all, dir.path());
        assert_eq!(code, 2, "{err}");
        assert!(err.contains(expected), "{err}");
        assert!(!dir.path().join("bad").exists());
    }
}

/// An arm running an intervention is settled in its own world, whose people live longer here:
/// risk-size's result per head divides by that world's person-years, not the status quo's.
#[test]
fn risk_size_per_head_counts_the_arms_own_world() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("longer.toml"),
        r#"
base = "default"
name = "longer"
replications = 12
years = 3
[population]
size = 20000
[[intervention]]
name = "longer-lives"
target = { age_min = 50 }
uptake = 1.0
cost_per_person_year = 0
[intervention.effect]
mortality = 0.1
[[arm]]
name = "capitation"
preset = "capitation"
interventions = ["longer-lives"]
"#,
    )
    .unwrap();
    let (code, _, err) = capsim(&["run", "longer.toml", "--out", "run"], dir.path());
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = capsim(
        &[
            "risk-size",
            "longer.toml",
            "--arm",
            "capitation",
            "--sizes",
            "20000,40000",
            "--out",
            "rs",
        ],
        dir.path(),
    );
    assert_eq!(code, 0, "{err}");
    // Person-years per replication and world, from the run's own tables.
    let world = read_parquet(&dir.path().join("run/world.parquet"));
    let strings = |df: &DataFrame, c: &str| -> Vec<String> {
        let column = df.column(c).unwrap().cast(&DataType::String).unwrap();
        column
            .str()
            .unwrap()
            .iter()
            .map(|x| x.unwrap().to_string())
            .collect()
    };
    let numbers = |df: &DataFrame, c: &str| -> Vec<f64> {
        let column = df.column(c).unwrap().cast(&DataType::Float64).unwrap();
        column.f64().unwrap().into_no_null_iter().collect()
    };
    let mut person_years: std::collections::BTreeMap<(i64, String), f64> = Default::default();
    for ((rep, w), heads) in numbers(&world, "rep")
        .into_iter()
        .zip(strings(&world, "world"))
        .zip(numbers(&world, "covered_head_count"))
    {
        *person_years.entry((rep as i64, w)).or_default() += heads;
    }
    let term = read_parquet(&dir.path().join("run/ledger_term.parquet"));
    let mut surplus: std::collections::BTreeMap<i64, (f64, String)> = Default::default();
    for (((rep, w), role), s) in numbers(&term, "rep")
        .into_iter()
        .zip(strings(&term, "world"))
        .zip(strings(&term, "role"))
        .zip(numbers(&term, "surplus"))
    {
        if role != "commissioner" {
            let entry = surplus.entry(rep as i64).or_insert((0.0, w.clone()));
            entry.0 += s;
            assert_eq!(entry.1, w);
        }
    }
    assert_eq!(surplus.len(), 12);
    let (mut own, mut status_quo) = (0.0, 0.0);
    for (rep, (s, w)) in &surplus {
        assert_ne!(w, "status quo");
        own += s / person_years[&(*rep, w.clone())] / 12.0;
        status_quo += s / person_years[&(*rep, "status quo".to_string())] / 12.0;
    }
    // The two divisors differ enough to tell apart at the penny risk-size writes (by about
    // 20p: 0.7% more person-years).
    assert!(
        (own - status_quo).abs() > 0.05,
        "{own} against {status_quo}"
    );
    let rows = read_csv_rows(&dir.path().join("rs/risk_size.csv"));
    let reported: f64 = rows[0]["mean_per_head"].parse().unwrap();
    assert!(
        (reported - own).abs() <= 0.006,
        "risk-size £{reported} a head; the arm's world gives £{own:.2}, the status quo's \
         £{status_quo:.2}"
    );
}

/// risk-size splits the spread of a provider's result per head: with the systematic variation
/// off, it falls like 1/√N (halves when the population quadruples); the systematic part does not
/// fall with size.
#[test]
fn idiosyncratic_risk_falls_like_one_over_root_n_and_systematic_risk_does_not() {
    let dir = tempfile::tempdir().unwrap();
    small_scenario(dir.path());
    let (code, out, err) = capsim(
        &[
            "risk-size",
            "s.toml",
            "--arm",
            "capitation",
            "--sizes",
            "2000,8000,32000",
            "--reps",
            "200",
            "--out",
            "rs",
        ],
        dir.path(),
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("results in rs"), "{out}");
    let rows = read_csv_rows(&dir.path().join("rs/risk_size.csv"));
    assert_eq!(rows.len(), 3);
    let f = |i: usize, c: &str| -> f64 { rows[i][c].parse().unwrap() };
    // Rounded for reading: £ to the penny, P(loss) to four places (it printed 17 digits).
    for row in &rows {
        for (column, value) in row {
            let places = value.split_once('.').map_or(0, |(_, d)| d.len());
            let most = if column.starts_with("p_loss") { 4 } else { 2 };
            assert!(places <= most, "{column} = {value}");
        }
    }
    // Beside each figure its Monte Carlo error: the mean's sd/√n; an sd's near the normal
    // sd/√(2(n − 1)) (the results are near normal); P(loss)'s never 0.
    for i in 0..3 {
        let sd = f(i, "sd_per_head");
        // Both written to the penny.
        assert!((f(i, "mean_per_head_se") - sd / 200f64.sqrt()).abs() <= 0.0051);
        for c in ["sd_per_head", "sd_idiosyncratic"] {
            let ratio = f(i, &format!("{c}_se")) / (f(i, c) / (2.0f64 * 199.0).sqrt());
            assert!((0.7..1.5).contains(&ratio), "{c} at size {i}: {ratio}");
        }
        assert!(f(i, "sd_systematic_se") > 0.0 && f(i, "p_loss_se") > 0.0);
    }
    for i in 0..2 {
        // The sd of 200 replications is known to about 5%: the ratio of two within 20% of 2.
        let ratio = f(i, "sd_idiosyncratic") / f(i + 1, "sd_idiosyncratic");
        assert!(
            (1.6..=2.4).contains(&ratio),
            "sizes {i}/{}: ratio {ratio}",
            i + 1
        );
    }
    let (small, large) = (f(0, "sd_systematic"), f(2, "sd_systematic"));
    assert!(
        large > 0.6 * small && small > 0.0,
        "systematic {small} -> {large}"
    );
    // So the systematic share of the spread rises with size.
    let share = |i: usize| f(i, "sd_systematic").powi(2) / f(i, "sd_per_head").powi(2);
    assert!(
        share(2) > share(0),
        "systematic share {} at 2,000 -> {} at 32,000",
        share(0),
        share(2)
    );
    for (args, expected) in [
        (
            vec!["--arm", "nosuch", "--sizes", "2000,4000"],
            "unknown arm \"nosuch\"",
        ),
        (
            vec!["--arm", "capitation", "--sizes", "2000"],
            "expected 2 to 20 head counts",
        ),
        (
            vec!["--arm", "capitation", "--sizes", "2000,300000000"],
            "command line: --sizes: expected sizes whose population is at most 200000000 \
             people; 300000000 covered needs 300000000",
        ),
        (
            vec!["--arm", "capitation", "--sizes", "2000,4000", "--reps", "1"],
            "command line: --reps: expected at least 2 replications",
        ),
    ] {
        let mut all = vec!["risk-size", "s.toml", "--out", "bad"];
        all.extend(args);
        let (code, _, err) = capsim(&all, dir.path());
        assert_eq!(code, 2, "{err}");
        assert!(err.contains(expected), "{err}");
        assert!(!dir.path().join("bad").exists());
    }
    // Regression: a size whose cohort is empty (one person covered in a place of working-age
    // people with three or more conditions) hung drawing a chart of 0/0. Sizes that small are
    // refused now, before any model is built.
    let cohort =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/bnssg-cohort.toml");
    let (code, _, err) = capsim(
        &[
            "risk-size",
            cohort.to_str().unwrap(),
            "--arm",
            "capitation",
            "--sizes",
            "1,2000",
            "--set",
            "years=2",
            "--reps",
            "4",
            "--out",
            "bad",
        ],
        dir.path(),
    );
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains(
            "command line: --sizes: expected head counts of 100 or more (below that a person \
             or two's care is the whole result); 1 is fewer"
        ),
        "{err}"
    );
    assert!(!dir.path().join("bad").exists());
}

/// A scenario's description is written for its file: a report of a run that changed fields on
/// the command line says so beside it (it had quoted "over 15 years" under a 5-year run), and
/// one that did not says nothing more. The resolved scenario keeps the file's words, so the
/// order of --set flags changes nothing written but the command (every table compared).
#[test]
fn a_report_says_when_the_command_line_changed_what_the_description_describes() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("d.toml"),
        format!("description = \"A place over three years.\"\n{SMALL}"),
    )
    .unwrap();
    let note = "this run changed some of its fields on the command line";
    let report = |args: &[&str], out: &str| {
        let mut all = vec!["run", "d.toml"];
        all.extend(args);
        all.extend(["--out", out]);
        let (code, _, err) = capsim(&all, dir.path());
        assert_eq!(code, 0, "{err}");
        std::fs::read_to_string(dir.path().join(out).join("report.html")).unwrap()
    };
    let plain = report(&[], "plain");
    assert!(plain.contains("A place over three years.") && !plain.contains(note));
    // The description heads the page, under the scenario's name, and titles it (a browser's
    // tab, a printed page's header).
    assert!(
        plain.contains("A place over three years. (capsim)</title>"),
        "{plain}"
    );
    let lead = plain
        .find("<p class=\"lead\">A place over three years.")
        .expect("the description as the page's lead");
    assert!(lead < plain.find("<h2>The scenario</h2>").unwrap());
    let set = ["--set", "years=2", "--set", "population.size=5000"];
    let changed = report(&set, "changed");
    assert!(changed.contains(note), "{changed}");
    let reversed = report(
        &["--set", "population.size=5000", "--set", "years=2"],
        "reversed",
    );
    assert!(reversed.contains(note));
    crate::shards::assert_same_tables(&dir.path().join("changed"), &dir.path().join("reversed"));
}

/// A reader that stops early (`capsim schema | head`) is not an error: the schema, longer than
/// a pipe holds, meets a closed pipe, and capsim exits 0 without a panic's backtrace.
#[test]
fn output_into_a_closed_pipe_is_not_a_panic() {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_capsim"))
        .arg("schema")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    // The test needs more output than a pipe holds (64 KiB on Linux).
    let (_, schema, _) = capsim(&["schema"], std::path::Path::new("."));
    assert!(
        schema.len() > 65_536,
        "the schema is {} bytes",
        schema.len()
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

/// A sweep names the points a caution concerns when only some raise it: re-basing every three
/// years in a three-year run never re-bases.
#[test]
fn a_sweep_names_the_points_a_caution_concerns() {
    let dir = tempfile::tempdir().unwrap();
    let text = "base = \"default\"\nname = \"c\"\nyears = 3\n[population]\nsize = 2000\n\
                [[arm]]\nname = \"annual\"\n[[arm.component]]\nkind = \"fixed\"\n\
                rebase = { every = 1 }\n";
    std::fs::write(dir.path().join("c.toml"), text).unwrap();
    let path = "arm.annual.component[0].rebase.every";
    let (code, _, err) = capsim(
        &[
            "sweep",
            "c.toml",
            "--param",
            &format!("{path}=1,3"),
            "--reps",
            "2",
        ],
        dir.path(),
    );
    assert_eq!(code, 0, "{err}");
    let warnings: Vec<&str> = err.lines().filter(|l| l.contains("warning")).collect();
    assert_eq!(warnings.len(), 1, "{err}");
    assert!(
        warnings[0].starts_with("capsim: warning: c.toml: arm.annual.component[0] (fixed).rebase:"),
        "{err}"
    );
    assert!(warnings[0].ends_with(&format!("(at {path}=3)")), "{err}");
}

/// A valid scenario that probably does not say what its author meant is run, with a warning
/// naming the file and the field: here a pool on admissions pays a community provider that
/// delivers none of them.
#[test]
fn a_caution_is_a_warning_and_the_run_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "base = \"default\"\nname = \"c\"\n[population]\nsize = 2000\n{}[[arm]]\nname = \"p\"\n\
         preset = \"block\"\n[[arm.component]]\nkind = \"outcome\"\npool_share = 0.1\n\
         [[arm.component.indicators]]\nindicator = \"non_elective_per_1000\"\nweight = 1\n\
         target_vs_expected = 1.0\n",
        crate::common::two_providers!()
    );
    std::fs::write(dir.path().join("c.toml"), &text).unwrap();
    let warning = "capsim: warning: c.toml: arm.p.component[0] (outcome): provider \"community\" \
                   delivers none of the activity this pool judges";
    let (code, out, err) = capsim(&["validate", "c.toml"], dir.path());
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("valid scenario"), "{out}");
    assert!(err.contains(warning), "{err}");
    let (code, _, err) = capsim(&["run", "c.toml", "--reps", "2", "--out", "o"], dir.path());
    assert_eq!(code, 0, "{err}");
    assert!(err.contains(warning), "{err}");
    assert!(dir.path().join("o/summary.csv").exists());
    // The other commands that run a scenario warn too; a sweep once for all its points.
    for args in [
        &[
            "sweep",
            "c.toml",
            "--param",
            "population.size=2000..3000:2",
            "--reps",
            "2",
        ][..],
        &[
            "risk-size",
            "c.toml",
            "--arm",
            "p",
            "--sizes",
            "1000,2000",
            "--reps",
            "2",
        ],
        &[
            "corridor", "c.toml", "--arm", "p", "--widths", "0.02", "--shares", "0.5", "--reps",
            "2",
        ],
    ] {
        let (code, _, err) = capsim(args, dir.path());
        assert_eq!(code, 0, "{args:?}: {err}");
        assert_eq!(err.matches(warning).count(), 1, "{args:?}: {err}");
    }
    // Said plainly, the warning goes.
    std::fs::write(
        dir.path().join("c.toml"),
        text.replace("pool_share = 0.1\n", "pool_share = 0.1\nshared = true\n"),
    )
    .unwrap();
    let (_, _, err) = capsim(&["validate", "c.toml"], dir.path());
    assert!(!err.contains("warning"), "{err}");
}

/// A reader of standard error that stops early (`capsim run … 2>&1 | head`) loses the progress
/// lines, not the run: the run finishes and writes its folder (it exited 101 when the next
/// progress line found the pipe closed).
#[test]
fn a_closed_stderr_loses_lines_not_the_run() {
    let dir = tempfile::tempdir().unwrap();
    small_scenario(dir.path());
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_capsim"))
        .args(["run", "s.toml", "--set", "years=1", "--out", "o"])
        .current_dir(dir.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stderr.take());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0));
    assert!(dir.path().join("o/summary.csv").exists());
}

/// A programme whose target holds nobody of the population (newborns with five conditions)
/// is warned of by validate and run, which go on: it had reported no change, as if the
/// programme did nothing, when it reached nobody. A target people are in raises nothing.
#[test]
fn a_target_holding_nobody_is_warned_of() {
    let dir = tempfile::tempdir().unwrap();
    let text = "base = \"default\"\nname = \"c\"\nyears = 2\n[population]\nsize = 2000\n\
                [[arm]]\nname = \"p\"\npreset = \"pbr\"\ninterventions = [\"cut\"]\n\
                [[intervention]]\nname = \"cut\"\nuptake = 0.5\neffect.onset = 0.8\n\
                target = { age_min = 0, age_max = 0, ltc_min = 5 }\n";
    std::fs::write(dir.path().join("c.toml"), text).unwrap();
    let warning = "capsim: warning: c.toml: intervention.cut.target: nobody in the starting \
                   population is in this target";
    let (code, _, err) = capsim(&["validate", "c.toml"], dir.path());
    assert_eq!(code, 0, "{err}");
    assert!(err.contains(warning), "{err}");
    let (code, _, err) = capsim(&["run", "c.toml", "--reps", "2", "--out", "o"], dir.path());
    assert_eq!(code, 0, "{err}");
    assert!(err.contains(warning), "{err}");
    let reached = text.replace("age_min = 0, age_max = 0, ltc_min = 5", "age_min = 65");
    std::fs::write(dir.path().join("c.toml"), reached).unwrap();
    let (code, _, err) = capsim(&["validate", "c.toml"], dir.path());
    assert_eq!(code, 0, "{err}");
    assert!(!err.contains("warning"), "{err}");
}
