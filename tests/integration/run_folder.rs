//! The run folder: capsim replaces only its own earlier runs (or an empty folder), refuses
//! anything else before simulating, and leaves no staging files behind.

use crate::common::{SMALL, capsim};
use polars::prelude::*;
use std::path::Path;

/// Every file under `dir` with its contents, sorted: a fingerprint to compare before and after.
fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            let name = path.strip_prefix(dir).unwrap().display().to_string();
            if path.is_dir() {
                out.push((name + "/", Vec::new()));
                stack.push(path);
            } else {
                out.push((name, std::fs::read(&path).unwrap()));
            }
        }
    }
    out.sort();
    out
}

/// A folder holding a small scenario and a user's results folder with notes in it.
fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("s.toml"), SMALL).unwrap();
    std::fs::create_dir_all(dir.path().join("results/figures")).unwrap();
    std::fs::write(dir.path().join("results/notes.txt"), "board paper draft").unwrap();
    std::fs::write(dir.path().join("results/figures/a.png"), "png").unwrap();
    dir
}

/// `capsim run s.toml --out <out>` run in `cwd` must fail with exit 2, naming --out, and
/// leave every file in `cwd` as it was.
fn refused(cwd: &Path, out: &str, reason: &str) {
    let before = snapshot(cwd);
    let (code, _, err) = capsim(&["run", "s.toml", "--reps", "2", "--out", out], cwd);
    assert_eq!(code, 2, "--out {out}: {err}");
    assert!(err.contains("--out") && err.contains(reason), "{err}");
    assert_eq!(snapshot(cwd), before, "--out {out} changed files on disk");
}

#[test]
fn regression_out_pointing_at_a_users_folder_does_not_delete_its_contents() {
    let dir = workspace();
    refused(dir.path(), "results", "not a capsim run folder");
}

#[test]
fn regression_out_the_current_folder_is_refused_and_the_scenario_survives() {
    let dir = workspace();
    refused(dir.path(), ".", "current folder");
    let inner = dir.path().join("results");
    std::fs::write(inner.join("s.toml"), SMALL).unwrap();
    refused(&inner, "..", "current folder");
}

#[test]
fn regression_out_an_existing_file_is_not_replaced_by_a_folder() {
    let dir = workspace();
    std::fs::write(dir.path().join("results.csv"), "a,b\n1,2\n").unwrap();
    refused(dir.path(), "results.csv", "not a folder");
}

#[test]
fn out_a_symbolic_link_is_refused() {
    let dir = workspace();
    std::os::unix::fs::symlink(dir.path().join("results"), dir.path().join("link")).unwrap();
    refused(dir.path(), "link", "symbolic link");
    // Regression: a trailing slash looked through the link, at an earlier run it pointed to,
    // and the run failed only when moving its results into place (exit 1).
    let (code, _, err) = capsim(
        &["run", "s.toml", "--reps", "2", "--out", "runs/a"],
        dir.path(),
    );
    assert_eq!(code, 0, "{err}");
    std::os::unix::fs::symlink(dir.path().join("runs/a"), dir.path().join("to-run")).unwrap();
    refused(dir.path(), "to-run/", "symbolic link");
    // A population export where nothing can be written is bad input too (it was exit 1).
    let (code, _, err) = capsim(
        &["population", "s.toml", "--out", "/proc/cells.csv"],
        dir.path(),
    );
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("--out: expected a location capsim can write to"),
        "{err}"
    );
}

#[test]
fn an_earlier_run_or_an_empty_folder_is_replaced_without_leftovers() {
    let dir = workspace();
    let run = |out: &str, seed: &str| {
        let (code, _, err) = capsim(
            &["run", "s.toml", "--reps", "2", "--seed", seed, "--out", out],
            dir.path(),
        );
        assert_eq!(code, 0, "{err}");
        std::fs::read_to_string(dir.path().join(out).join("run.json")).unwrap()
    };
    let first = run("runs/a", "1");
    // A table the first run wrote that the second does not (one of an arm since removed).
    let manifest = dir.path().join("runs/a/.capsim-files");
    // Listed by name, as an earlier capsim (which kept no hashes) listed every file.
    let listed: Vec<serde_json::Value> =
        serde_json::from_str(&std::fs::read_to_string(&manifest).unwrap()).unwrap();
    let mut names: Vec<String> = listed
        .iter()
        .map(|l| l["name"].as_str().unwrap().to_string())
        .collect();
    names.push("stale.csv".into());
    std::fs::write(&manifest, serde_json::to_string(&names).unwrap()).unwrap();
    std::fs::write(dir.path().join("runs/a/stale.csv"), "from the first run").unwrap();
    let second = run("runs/a", "2");
    assert!(first.contains("\"seed\": 1") && second.contains("\"seed\": 2"));
    assert!(
        !dir.path().join("runs/a/stale.csv").exists(),
        "the earlier run was not replaced whole"
    );
    std::fs::create_dir(dir.path().join("empty")).unwrap();
    run("empty", "3");
    let names: Vec<String> = std::fs::read_dir(dir.path().join("runs"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, vec!["a".to_string()], "staging left behind");
}

#[test]
fn report_refuses_a_folder_that_is_not_a_run_and_writes_nothing() {
    let dir = workspace();
    let before = snapshot(dir.path());
    for args in [
        ["report", "results"],
        ["plot", "results"],
        ["report", "nowhere"],
    ] {
        let (code, _, err) = capsim(&args, dir.path());
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(
            err.contains("expected a run folder written by `capsim run`"),
            "{err}"
        );
    }
    assert_eq!(snapshot(dir.path()), before);
}

#[test]
fn report_rebuilds_in_place_from_inside_the_folder() {
    let dir = workspace();
    let (code, _, err) = capsim(&["run", "s.toml", "--reps", "2", "--out", "r"], dir.path());
    assert_eq!(code, 0, "{err}");
    let run = dir.path().join("r");
    std::fs::remove_file(run.join("summary.csv")).unwrap();
    let (code, _, err) = capsim(&["report", "."], &run);
    assert_eq!(code, 0, "{err}");
    assert!(run.join("summary.csv").exists());
    let hidden: Vec<_> = std::fs::read_dir(&run)
        .unwrap()
        .filter_map(|e| {
            let name = e.unwrap().file_name().to_string_lossy().into_owned();
            name.starts_with('.').then_some(name)
        })
        .collect();
    assert_eq!(hidden, vec![".capsim-files"], "staging left behind");
    // What the report wrote is still capsim's: a later run may replace the folder.
    let (code, _, err) = capsim(&["run", "s.toml", "--reps", "2", "--out", "r"], dir.path());
    assert_eq!(code, 0, "{err}");
}

/// A population export writes only a new file: a register of the user's, even one with the
/// export's very columns (made from an earlier export), is never replaced.
#[test]
fn population_export_writes_only_a_new_file() {
    let dir = workspace();
    std::fs::write(dir.path().join("mine.csv"), "name,value\nx,1\n").unwrap();
    std::fs::write(
        dir.path().join("register.csv"),
        "age,sex,imd_quintile,rurality,ltc_count,count\n45,F,1,urban,3,120\n",
    )
    .unwrap();
    // The extension in any case, as a scenario's counts are read.
    for file in ["cells.csv", "cells.parquet", "CELLS2.CSV"] {
        let (code, _, err) = capsim(&["population", "s.toml", "--out", file], dir.path());
        assert_eq!(code, 0, "exporting {file}: {err}");
    }
    let upper = std::fs::read_to_string(dir.path().join("CELLS2.CSV")).unwrap();
    assert!(upper.starts_with("age,sex,"), "{upper}");
    let before = snapshot(dir.path());
    for file in ["mine.csv", "register.csv", "cells.csv", "cells.parquet"] {
        let (code, _, err) = capsim(&["population", "s.toml", "--out", file], dir.path());
        assert_eq!(code, 2, "{file}: {err}");
        assert!(
            err.contains(&format!(
                "{file}: --out: exists; capsim writes only a new file"
            )),
            "{err}"
        );
        assert_eq!(snapshot(dir.path()), before, "{file}");
    }
    // Written through a temporary file, but readable like any file the user creates.
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    std::fs::write(dir.path().join("probe.txt"), "").unwrap();
    assert_eq!(
        mode(&dir.path().join("cells.csv")),
        mode(&dir.path().join("probe.txt"))
    );
}

/// Starts a long run in `cwd` writing to `out`, waits until its staging folder exists, sends
/// `signal`, and returns the exit code.
fn interrupted_run(cwd: &Path, out: &str, signal: &str) -> Option<i32> {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_capsim"))
        .args(["run", "--reps", "100000", "--out", out])
        .current_dir(cwd)
        .stderr(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let staging_exists = || {
        // The folder to hold it may not exist yet.
        std::fs::read_dir(cwd.join(Path::new(out).parent().unwrap_or(Path::new("")))).is_ok_and(
            |mut entries| {
                entries.any(|e| {
                    e.unwrap()
                        .file_name()
                        .to_string_lossy()
                        .starts_with(".capsim-staging-")
                })
            },
        )
    };
    let started = std::time::Instant::now();
    while !staging_exists() {
        assert!(
            started.elapsed().as_secs() < 30,
            "no staging folder appeared"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    // Let the simulation get under way.
    std::thread::sleep(std::time::Duration::from_millis(300));
    let sent = std::process::Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    child.wait().unwrap().code()
}

/// Ctrl-C (SIGINT) or SIGTERM during a run: exit 130, no hidden staging folder left, no
/// folder made to hold the output left, and an earlier run at the destination untouched.
#[test]
fn an_interrupted_run_leaves_no_leftovers_and_keeps_the_earlier_run() {
    let dir = workspace();
    let (code, _, err) = capsim(
        &["run", "s.toml", "--reps", "2", "--out", "runs/a"],
        dir.path(),
    );
    assert_eq!(code, 0, "{err}");
    let before = snapshot(dir.path());
    for signal in ["-INT", "-TERM"] {
        assert_eq!(
            interrupted_run(dir.path(), "runs/a", signal),
            Some(130),
            "{signal}"
        );
        assert_eq!(
            snapshot(dir.path()),
            before,
            "{signal} changed files on disk"
        );
    }
    for out in ["fresh", "new/deeper/run"] {
        assert_eq!(
            interrupted_run(dir.path(), out, "-TERM"),
            Some(130),
            "{out}"
        );
        assert_eq!(
            snapshot(dir.path()),
            before,
            "an interrupted new run at {out} left files or folders"
        );
    }
}

/// A run killed outright (SIGKILL) cannot remove its staging folder: the next run writing
/// beside it says so, naming it, and leaves it, as it leaves one whose run is still going.
#[test]
fn a_killed_runs_staging_folder_is_named_and_left() {
    let dir = workspace();
    let runs = dir.path().join("runs");
    std::fs::create_dir(&runs).unwrap();
    // Process 4294967 is beyond any system's largest; this test's own process is running.
    let killed = runs.join(".capsim-staging-4294967-AbC123");
    let running = runs.join(format!(".capsim-staging-{}-XyZ789", std::process::id()));
    for staging in [&killed, &running] {
        std::fs::create_dir(staging).unwrap();
        std::fs::write(staging.join("ledger.parquet"), "partial").unwrap();
    }
    let (code, _, err) = capsim(
        &["run", "s.toml", "--reps", "2", "--out", "runs/a"],
        dir.path(),
    );
    assert_eq!(code, 0, "{err}");
    let warnings: Vec<&str> = err.lines().filter(|l| l.contains("warning")).collect();
    assert_eq!(warnings.len(), 1, "{err}");
    assert!(
        warnings[0].contains(".capsim-staging-4294967-AbC123 seems to be what a capsim run that was killed had written (its process is not running here); delete it, unless a run in another container"),
        "{err}"
    );
    for staging in [&killed, &running] {
        assert_eq!(
            std::fs::read_to_string(staging.join("ledger.parquet")).unwrap(),
            "partial"
        );
    }
}

/// An output location capsim cannot write to is bad input: exit 2, naming --out, before
/// anything is simulated.
#[test]
fn unwritable_output_locations_are_refused_before_simulating() {
    let dir = workspace();
    for out in [
        "/proc/capsim-run",
        "/sys/capsim-run",
        "/proc/self/capsim/run",
    ] {
        let started = std::time::Instant::now();
        let (code, _, err) = capsim(&["run", "--reps", "100000", "--out", out], dir.path());
        assert_eq!(code, 2, "--out {out}: {err}");
        assert!(
            err.contains("--out") && err.contains("expected a location capsim can write to"),
            "{err}"
        );
        assert!(started.elapsed().as_secs() < 10, "simulated before failing");
    }
}

/// An earlier run folder (or an empty folder) the user may not change cannot be moved aside
/// for the new results: refused with exit 2 before anything is simulated, not after the run
/// when its results would be moved in, and left as it was. Root may change anything, so as
/// root the run is made as the unprivileged user `nobody` (setpriv, util-linux).
#[test]
fn a_folder_capsim_may_not_replace_is_refused_before_simulating() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let dir = workspace();
    let (code, _, err) = capsim(
        &["run", "s.toml", "--reps", "2", "--out", "run"],
        dir.path(),
    );
    assert_eq!(code, 0, "{err}");
    std::fs::create_dir(dir.path().join("empty")).unwrap();
    let as_root = dir.path().metadata().unwrap().uid() == 0;
    let mode = |path: &Path, mode: u32| {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap()
    };
    if as_root {
        // Others may write in the workspace and read the scenario, not change the folders.
        mode(dir.path(), 0o777);
    } else {
        mode(&dir.path().join("run"), 0o555);
        mode(&dir.path().join("empty"), 0o555);
    }
    for out in ["run", "empty"] {
        let before = snapshot(dir.path());
        let mut command = if as_root {
            let mut c = std::process::Command::new("setpriv");
            c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
                .arg(env!("CARGO_BIN_EXE_capsim"));
            c
        } else {
            std::process::Command::new(env!("CARGO_BIN_EXE_capsim"))
        };
        let started = std::time::Instant::now();
        let output = command
            .args(["run", "s.toml", "--reps", "100000", "--out", out])
            .current_dir(dir.path())
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "--out {out}: {err}");
        assert!(
            err.contains(&format!(
                "{out}: --out: cannot be replaced: capsim may not move it aside (Permission denied)"
            )),
            "{err}"
        );
        assert!(started.elapsed().as_secs() < 10, "simulated before failing");
        assert_eq!(
            snapshot(dir.path()),
            before,
            "--out {out}: the workspace changed"
        );
    }
    if !as_root {
        mode(&dir.path().join("run"), 0o755);
        mode(&dir.path().join("empty"), 0o755);
    }
}

/// A run folder whose tables were damaged, or whose scenario.toml no longer matches them, is
/// refused by `report` and `plot` with exit 2, and nothing in it changes.
#[test]
fn report_refuses_damaged_or_mismatched_run_folders() {
    let dir = workspace();
    let (code, _, err) = capsim(
        &["run", "s.toml", "--reps", "3", "--out", "run"],
        dir.path(),
    );
    assert_eq!(code, 0, "{err}");
    let folder = dir.path().join("run");
    let pristine = snapshot(&folder);
    let restore = || {
        for (name, bytes) in &pristine {
            if !name.ends_with('/') {
                std::fs::write(folder.join(name), bytes).unwrap();
            }
        }
    };
    let ledger = std::fs::read(folder.join("ledger.parquet")).unwrap();
    let scenario = std::fs::read_to_string(folder.join("scenario.toml")).unwrap();
    let damage: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "ledger.parquet",
            b"\x00\x13random bytes".to_vec(),
            "ledger.parquet",
        ),
        (
            "ledger.parquet",
            ledger[..ledger.len() / 2].to_vec(),
            "ledger.parquet",
        ),
        ("ledger.parquet", Vec::new(), "ledger.parquet"),
        (
            "scenario.toml",
            scenario.replace("years = 3", "years = 4").into_bytes(),
            "the scenario 4 years",
        ),
        (
            "scenario.toml",
            scenario
                .replace("replications = 3", "replications = 5")
                .into_bytes(),
            "replications",
        ),
        (
            "scenario.toml",
            scenario
                .replace("name = \"pbr\"", "name = \"activity\"")
                .into_bytes(),
            "the ledger's arms are not activity, blended, block, capitation, capitation-flat, \
             outcomes",
        ),
    ];
    for (file, bytes, expected) in damage {
        restore();
        std::fs::write(folder.join(file), &bytes).unwrap();
        let before = snapshot(&folder);
        for command in ["report", "plot"] {
            let (code, _, err) = capsim(&[command, "run"], dir.path());
            assert_eq!(code, 2, "{command} with a damaged {file}: {err}");
            assert!(err.contains(expected), "{err}");
            assert_eq!(snapshot(&folder), before, "{command} changed the folder");
        }
    }
}

/// A run folder holding another run's table (more replications), a table in another's place,
/// or missing one it was written with, is refused by `report`, `plot` and `drivers` with exit 2
/// naming the file; and none of them replaces a file or folder of the user's that shares a
/// name with what it writes. In every case nothing in the folder changes.
#[test]
fn tables_from_another_run_or_in_anothers_place_are_refused_and_nothing_is_replaced() {
    let dir = workspace();
    for (reps, out) in [("20", "run"), ("21", "more")] {
        let (code, _, err) = capsim(&["run", "s.toml", "--reps", reps, "--out", out], dir.path());
        assert_eq!(code, 0, "{err}");
    }
    let (run, more) = (dir.path().join("run"), dir.path().join("more"));
    let pristine = snapshot(&run);
    let restore = || {
        for entry in std::fs::read_dir(&run).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                std::fs::remove_dir_all(&path).unwrap();
            }
        }
        for (name, bytes) in &pristine {
            std::fs::write(run.join(name), bytes).unwrap();
        }
    };
    type Damage<'a> = (&'static str, Box<dyn Fn() + 'a>, &'static str);
    let damage: Vec<Damage<'_>> = vec![
        (
            "world.parquet",
            Box::new(|| {
                std::fs::copy(more.join("world.parquet"), run.join("world.parquet")).unwrap();
            }),
            "run/world.parquet: expected the world.parquet that `capsim run` writes for this \
             run: replication 20 is not one of the run's 20",
        ),
        (
            "parameters.parquet",
            Box::new(|| std::fs::remove_file(run.join("parameters.parquet")).unwrap()),
            "run/parameters.parquet: expected the parameters.parquet that `capsim run` writes",
        ),
        (
            "equity.parquet",
            Box::new(|| {
                std::fs::copy(run.join("ledger.parquet"), run.join("equity.parquet")).unwrap();
            }),
            "run/equity.parquet: expected the equity.parquet that `capsim run` writes for this \
             run: `year` is not one of its columns",
        ),
        (
            "drivers.csv",
            Box::new(|| std::fs::write(run.join("drivers.csv"), "my notes\n").unwrap()),
            "run/drivers.csv: expected nothing of that name, or what capsim wrote there",
        ),
        (
            "summary.csv",
            Box::new(|| {
                std::fs::remove_file(run.join("summary.csv")).unwrap();
                std::fs::create_dir(run.join("summary.csv")).unwrap();
            }),
            "run/summary.csv: expected nothing of that name, or what capsim wrote there",
        ),
    ];
    for (what, damage, expected) in &damage {
        // Each damage is to what the commands read or write: report and plot read no
        // parameters and write no drivers, drivers and plot write no summary.
        let commands: &[&str] = match *what {
            "drivers.csv" | "parameters.parquet" => &["drivers"],
            "summary.csv" => &["report"],
            _ => &["report", "plot", "drivers"],
        };
        for command in commands {
            restore();
            damage();
            let before = snapshot(&run);
            let (code, _, err) = capsim(&[command, "run"], dir.path());
            assert_eq!(code, 2, "{command} with {what}: {err}");
            assert!(err.contains(expected), "{command} with {what}: {err}");
            assert!(
                snapshot(&run) == before,
                "{command} with {what} changed the folder"
            );
        }
    }
    // A table deleted stays missed after another command rewrites the folder's list of what
    // capsim wrote there.
    restore();
    std::fs::remove_file(run.join("parameters.parquet")).unwrap();
    let (code, _, err) = capsim(&["plot", "run"], dir.path());
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = capsim(&["drivers", "run"], dir.path());
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("run/parameters.parquet"), "{err}");
}

/// A folder of the user's that happens to hold a file named like the description a sweep,
/// corridor search, risk-size study, comparison or shard writes is not taken for capsim's: the
/// command refuses it with exit 2 and changes nothing.
#[test]
fn a_file_named_like_a_marker_does_not_make_a_folder_capsims() {
    let dir = workspace();
    let (code, _, err) = capsim(&["run", "s.toml", "--out", "run"], dir.path());
    assert_eq!(code, 0, "{err}");
    // A second run to compare with the first: a copy of it in a folder of its own.
    crate::common::copy_folder(&dir.path().join("run"), &dir.path().join("run2"));
    for (marker, args) in [
        (
            "sweep.json",
            &["sweep", "s.toml", "--param", "years=2,3"][..],
        ),
        (
            "corridor.json",
            &["corridor", "s.toml", "--arm", "capitation"][..],
        ),
        (
            "risk_size.json",
            &[
                "risk-size",
                "s.toml",
                "--arm",
                "capitation",
                "--sizes",
                "2000,4000",
            ][..],
        ),
        ("compare.json", &["compare", "run", "run2"][..]),
        ("shard.json", &["run", "s.toml", "--shard", "1/2"][..]),
    ] {
        std::fs::write(
            dir.path().join("results").join(marker),
            "{\"mine\": true}\n",
        )
        .unwrap();
        let before = snapshot(dir.path());
        let mut args = args.to_vec();
        args.extend(["--out", "results"]);
        let (code, _, err) = capsim(&args, dir.path());
        assert_eq!(code, 2, "{marker}: {err}");
        assert!(
            err.contains("results: --out: exists and is not"),
            "{marker}: {err}"
        );
        assert_eq!(snapshot(dir.path()), before, "{marker}");
        std::fs::remove_file(dir.path().join("results").join(marker)).unwrap();
    }
}

/// Regression: a run into an earlier run folder replaced it whole, deleting what the user had
/// put there (notes, an analysis folder). Now a folder holding anything capsim did not write
/// there (by its manifest) is refused with exit 2, naming what it holds, and left as it was,
/// and so is one without its manifest.
#[test]
fn an_earlier_run_holding_the_users_files_is_not_replaced() {
    let dir = workspace();
    let run = |out: &str| capsim(&["run", "s.toml", "--reps", "2", "--out", out], dir.path());
    assert_eq!(run("runs/a").0, 0);
    std::fs::write(dir.path().join("runs/a/notes.md"), "what I found").unwrap();
    std::fs::create_dir(dir.path().join("runs/a/analysis")).unwrap();
    let before = snapshot(dir.path());
    let (code, _, err) = run("runs/a");
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("holds what capsim did not write there (analysis/, notes.md)"),
        "{err}"
    );
    assert_eq!(snapshot(dir.path()), before);
    // Without its manifest (copied with `cp dir/*`, say), nothing shows which files are
    // capsim's, even those of the kinds it writes: a CSV of the user's was once deleted.
    std::fs::remove_file(dir.path().join("runs/a/.capsim-files")).unwrap();
    std::fs::remove_dir(dir.path().join("runs/a/analysis")).unwrap();
    std::fs::remove_file(dir.path().join("runs/a/notes.md")).unwrap();
    std::fs::write(dir.path().join("runs/a/mine.csv"), "a,b\n1,2\n").unwrap();
    let before = snapshot(dir.path());
    let (code, _, err) = run("runs/a");
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("has no .capsim-files"), "{err}");
    assert_eq!(snapshot(dir.path()), before);
    // Nor does rebuilding its report in place write over what is there.
    let (code, _, err) = capsim(&["report", "runs/a"], dir.path());
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("has no .capsim-files"), "{err}");
    assert_eq!(snapshot(dir.path()), before);
}

/// A file capsim wrote and the user then changed (a table re-saved from a spreadsheet) is
/// theirs: neither rebuilding the report in place nor a new run into the folder replaces it.
/// A folder listed by a capsim that kept names alone is still its own.
#[test]
fn a_file_changed_since_capsim_wrote_it_is_not_replaced() {
    let dir = workspace();
    let run = || {
        capsim(
            &["run", "s.toml", "--reps", "2", "--out", "runs/a"],
            dir.path(),
        )
    };
    assert_eq!(run().0, 0);
    let (code, _, err) = capsim(&["report", "runs/a"], dir.path());
    assert_eq!(code, 0, "rebuilding what capsim wrote: {err}");
    let summary = dir.path().join("runs/a/summary.csv");
    let edited = std::fs::read_to_string(&summary).unwrap() + "my note,,,\n";
    std::fs::write(&summary, &edited).unwrap();
    let before = snapshot(dir.path());
    let (code, _, err) = capsim(&["report", "runs/a"], dir.path());
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains(
            "runs/a/summary.csv: expected nothing of that name, or what capsim wrote \
                      there: it was changed since capsim wrote it"
        ),
        "{err}"
    );
    let (code, _, err) = run();
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains(
            "holds what capsim did not write there (summary.csv (changed since capsim \
                      wrote it))"
        ),
        "{err}"
    );
    assert_eq!(snapshot(dir.path()), before);
    // The same folder with a manifest of names alone, as capsim wrote before it kept hashes:
    // every file it names is capsim's, as it was then.
    let manifest = dir.path().join("runs/a/.capsim-files");
    let listed: Vec<serde_json::Value> =
        serde_json::from_str(&std::fs::read_to_string(&manifest).unwrap()).unwrap();
    let mut names: Vec<String> = listed
        .iter()
        .map(|l| l["name"].as_str().or(l.as_str()).unwrap().to_string())
        .collect();
    names.push("summary.csv".into());
    std::fs::write(&manifest, serde_json::to_string(&names).unwrap()).unwrap();
    let (code, _, err) = run();
    assert_eq!(code, 0, "{err}");
    assert_ne!(std::fs::read_to_string(&summary).unwrap(), edited);
}

/// A run without contracts still gives a table to open in a spreadsheet: outcomes.csv, the
/// spread of each indicator worked out from outcomes.parquet, and waiting_list.csv when a type
/// has a list; no ledger, and the terminal names what was written.
#[test]
fn a_run_without_contracts_writes_the_worlds_tables() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/now-next-future.toml");
    let (code, out, err) = capsim(
        &[
            "run",
            scenario.to_str().unwrap(),
            "--set",
            "arm=[]",
            "--set",
            "population.size=20000",
            "--reps",
            "20",
            "--out",
            "o",
        ],
        dir.path(),
    );
    assert_eq!(code, 0, "{err}");
    let o = dir.path().join("o");
    assert!(
        out.contains(
            "(world.parquet, outcomes.parquet, outcomes.csv, waiting_list.csv, and the draws"
        ),
        "{out}"
    );
    assert!(o.join("waiting_list.csv").is_file());
    assert!(!o.join("ledger.parquet").exists());
    let per_rep = ParquetReader::new(std::fs::File::open(o.join("outcomes.parquet")).unwrap())
        .finish()
        .unwrap();
    let rows = crate::common::read_csv_rows(&o.join("outcomes.csv"));
    let deaths_2024 = rows
        .iter()
        .find(|r| r["indicator"] == "deaths" && r["horizon"] == "2024")
        .unwrap_or_else(|| panic!("{:?}", &rows[..3]));
    let (year, deaths) = (
        per_rep
            .column("year")
            .unwrap()
            .cast(&polars::prelude::DataType::Float64)
            .unwrap(),
        per_rep
            .column("deaths")
            .unwrap()
            .cast(&polars::prelude::DataType::Float64)
            .unwrap(),
    );
    let first: Vec<f64> = year
        .f64()
        .unwrap()
        .into_no_null_iter()
        .zip(deaths.f64().unwrap().into_no_null_iter())
        .filter(|(y, _)| *y == 1.0)
        .map(|(_, d)| d)
        .collect();
    assert_eq!(first.len(), 20);
    let mean = first.iter().sum::<f64>() / 20.0;
    let shown: f64 = deaths_2024["mean"].parse().unwrap();
    assert!(
        (shown - mean).abs() < 1e-6 * mean.max(1.0),
        "{shown} vs {mean}"
    );
}
