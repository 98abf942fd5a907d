//! End-to-end snapshots: small fixed runs whose numbers are pinned as CSV files in
//! `tests/snapshots/`, so any change to the model's numbers shows up as a reviewable diff.
//!
//! Each scenario `tests/snapshots/NAME.toml` is run with the binary; its folder
//! `tests/snapshots/NAME/` holds:
//! - `world_by_year.csv`: every column of `world.parquet` summed over replications, per year
//!   (demography, shocks, and per activity type the count, cost and value at tariff);
//! - `summary.csv`: the run's own summary table, byte for byte;
//! - `ledger_term_totals.csv`: income, cost, surplus, subcontract flows and every payment
//!   component over the term, summed over replications, per arm and party;
//! - `who_gains.csv`: the run's own who-gains table, when an arm runs an intervention.
//!
//! A deliberate change to the model's numbers is accepted by regenerating the files and
//! committing them with the change, saying why in the message:
//!
//! ```sh
//! CAPSIM_UPDATE_SNAPSHOTS=1 cargo test --release snapshot
//! git diff tests/snapshots
//! ```

use std::ffi::OsStr;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::common::read_parquet;
use polars::prelude::*;

fn snapshots_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots")
}

fn floats(df: &DataFrame, name: &str) -> Vec<f64> {
    let c = df.column(name).unwrap().cast(&DataType::Float64).unwrap();
    c.f64().unwrap().iter().map(|v| v.unwrap()).collect()
}

fn strings(df: &DataFrame, name: &str) -> Vec<String> {
    let c = df.column(name).unwrap().cast(&DataType::String).unwrap();
    c.str()
        .unwrap()
        .iter()
        .map(|v| v.unwrap().to_string())
        .collect()
}

/// Sums of `columns` over rows sharing a key, in the order keys first appear; sums run in row
/// order (replication order), so the result is exact and repeatable.
fn sums_by_key(df: &DataFrame, keys: &[Vec<String>], columns: &[String]) -> String {
    let values: Vec<Vec<f64>> = columns.iter().map(|c| floats(df, c)).collect();
    let mut order: Vec<Vec<&str>> = Vec::new();
    let mut totals: Vec<Vec<f64>> = Vec::new();
    for row in 0..df.height() {
        let key: Vec<&str> = keys.iter().map(|k| k[row].as_str()).collect();
        let i = match order.iter().position(|k| *k == key) {
            Some(i) => i,
            None => {
                order.push(key);
                totals.push(vec![0.0; columns.len()]);
                order.len() - 1
            }
        };
        for (t, v) in totals[i].iter_mut().zip(&values) {
            *t += v[row];
        }
    }
    let mut out = String::new();
    for (key, sums) in order.iter().zip(&totals) {
        let cells: Vec<String> = key
            .iter()
            .map(|k| k.to_string())
            .chain(sums.iter().map(|v| v.to_string()))
            .collect();
        writeln!(out, "{}", cells.join(",")).unwrap();
    }
    out
}

fn world_by_year(dir: &Path) -> String {
    let world = read_parquet(&dir.join("world.parquet"));
    let columns: Vec<String> = world
        .get_column_names()
        .iter()
        .map(|c| c.to_string())
        .filter(|c| !["rep", "world", "year", "calendar_year"].contains(&c.as_str()))
        .collect();
    let keys = [strings(&world, "world"), strings(&world, "calendar_year")];
    format!(
        "world,calendar_year,{}\n{}",
        columns.join(","),
        sums_by_key(&world, &keys, &columns)
    )
}

fn ledger_term_totals(dir: &Path) -> String {
    let term = read_parquet(&dir.join("ledger_term.parquet"));
    let columns: Vec<String> = term
        .get_column_names()
        .iter()
        .map(|c| c.to_string())
        .filter(|c| !["rep", "arm", "world", "party", "role"].contains(&c.as_str()))
        .collect();
    let keys = [
        strings(&term, "arm"),
        strings(&term, "world"),
        strings(&term, "party"),
        strings(&term, "role"),
    ];
    format!(
        "arm,world,party,role,{}\n{}",
        columns.join(","),
        sums_by_key(&term, &keys, &columns)
    )
}

/// The first line where `expected` and `actual` differ, for the failure message.
fn first_difference(expected: &str, actual: &str) -> String {
    for (i, (e, a)) in expected.lines().zip(actual.lines()).enumerate() {
        if e != a {
            return format!("line {}:\n  pinned: {e}\n  now:    {a}", i + 1);
        }
    }
    format!(
        "the files have {} and {} lines",
        expected.lines().count(),
        actual.lines().count()
    )
}

fn check_snapshot(name: &str) {
    let scenario = snapshots_dir().join(format!("{name}.toml"));
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("run");
    crate::common::capsim_ok(
        &[
            OsStr::new("run"),
            scenario.as_os_str(),
            OsStr::new("--threads"),
            OsStr::new("2"),
            OsStr::new("--out"),
            out.as_os_str(),
        ],
        tmp.path(),
    );
    let mut files = vec![
        ("world_by_year.csv", world_by_year(&out)),
        (
            "summary.csv",
            std::fs::read_to_string(out.join("summary.csv")).unwrap(),
        ),
        ("ledger_term_totals.csv", ledger_term_totals(&out)),
    ];
    if let Ok(gains) = std::fs::read_to_string(out.join("who_gains.csv")) {
        files.push(("who_gains.csv", gains));
    }
    let pinned_dir = snapshots_dir().join(name);
    let update = std::env::var("CAPSIM_UPDATE_SNAPSHOTS").is_ok_and(|v| v == "1");
    let mut changed = Vec::new();
    // A pinned file the run no longer writes (who_gains.csv without its table) is a change too.
    if !update {
        for entry in std::fs::read_dir(&pinned_dir).into_iter().flatten() {
            let pinned = entry.unwrap().file_name().to_string_lossy().into_owned();
            if !files.iter().any(|(file, _)| *file == pinned) {
                changed.push(format!("{pinned}: pinned, and the run no longer writes it"));
            }
        }
    }
    for (file, actual) in &files {
        let path = pinned_dir.join(file);
        if update {
            std::fs::create_dir_all(&pinned_dir).unwrap();
            std::fs::write(&path, actual).unwrap();
            continue;
        }
        let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "{}: {e}; create it with CAPSIM_UPDATE_SNAPSHOTS=1",
                path.display()
            )
        });
        if &expected != actual {
            changed.push(format!(
                "{}: {}",
                path.display(),
                first_difference(&expected, actual)
            ));
        }
    }
    assert!(
        changed.is_empty(),
        "the model's numbers changed:\n{}\n\nIf the change is deliberate, accept it with\n  \
         CAPSIM_UPDATE_SNAPSHOTS=1 cargo test --release snapshot\nand commit tests/snapshots/ \
         with the reason in the message.",
        changed.join("\n")
    );
}

#[test]
fn snapshot_default_arms() {
    check_snapshot("default-arms");
}

#[test]
fn snapshot_lead_provider() {
    check_snapshot("lead-provider");
}

#[test]
fn snapshot_prevention() {
    check_snapshot("prevention");
}
