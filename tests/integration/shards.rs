//! Sharded runs: disjoint blocks of replications computed apart, merged into exactly the folder
//! one run writes; merging refuses shards of different runs or an incomplete set.

use std::path::Path;
use std::process::Command;

use crate::common::{SMALL, capsim};

/// The tables of a run folder that must not depend on how it was computed (run.json records
/// the time and command; report.html and the workbook quote them).
pub const TABLES: [&str; 13] = [
    "world.parquet",
    "outcomes.parquet",
    "outcomes.csv",
    "ledger.parquet",
    "ledger_term.parquet",
    "equity.parquet",
    "who_gains.parquet",
    "who_gains_by_year.parquet",
    "who_gains_by_year.csv",
    "parameters.parquet",
    "summary.csv",
    "equity.csv",
    "scenario.toml",
];

/// Asserts the tables of two run folders are byte for byte the same: each written by both or
/// neither, and all of them but who_gains_by_year.csv (written when an arm runs an
/// intervention) written.
pub fn assert_same_tables(a: &Path, b: &Path) {
    for file in TABLES {
        let (x, y) = (a.join(file), b.join(file));
        assert_eq!(x.exists(), y.exists(), "{file} is in one folder only");
        if !x.exists() && file == "who_gains_by_year.csv" {
            continue;
        }
        assert!(x.exists(), "{} was not written", x.display());
        assert!(
            std::fs::read(&x).unwrap() == std::fs::read(&y).unwrap(),
            "{} and {} differ",
            x.display(),
            y.display()
        );
    }
}

/// Runs one shard outside any scheduler (so `auto` finds no task number).
fn shard(dir: &Path, spec: &str, out: &str, extra: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_capsim"))
        .args(["run", "s.toml", "--shard", spec, "--out", out])
        .args(extra)
        .env_remove("SLURM_ARRAY_TASK_ID")
        .env_remove("SLURM_ARRAY_TASK_MIN")
        .env_remove("SLURM_ARRAY_TASK_COUNT")
        .env_remove("JOB_COMPLETION_INDEX")
        .current_dir(dir)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Runs `--shard auto/3` as task `task` of a Slurm array of `tasks` tasks starting at 5.
fn slurm_task(dir: &Path, task: &str, tasks: &str, out: &str) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_capsim"))
        .args(["run", "s.toml", "--shard", "auto/3", "--out", out])
        .env("SLURM_ARRAY_TASK_ID", task)
        .env("SLURM_ARRAY_TASK_MIN", "5")
        .env("SLURM_ARRAY_TASK_COUNT", tasks)
        .current_dir(dir)
        .output()
        .unwrap()
}

#[test]
fn three_shards_merged_are_the_unsharded_run_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("s.toml"), SMALL).unwrap();
    let (code, _, err) = capsim(&["run", "s.toml", "--out", "plain"], dir.path());
    assert_eq!(code, 0, "{err}");
    for k in 1..=2 {
        let (code, err) = shard(dir.path(), &format!("{k}/3"), &format!("s{k}"), &[]);
        assert_eq!(code, 0, "{err}");
    }
    // The third as a Slurm array task would run it: K from the environment (tasks 5-7).
    let out = slurm_task(dir.path(), "7", "3", "s3");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("shard 3 of 3: replications 17 to 24"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    // A task beyond the shards is refused, naming the variable and value it came from; so is
    // any task of an array of another size (--array=5 for one task, say), which would
    // otherwise be found out only at merge; and a negative Kubernetes index.
    for (task, tasks, expected) in [
        (
            "8",
            "4",
            "the Slurm array has 4 tasks (SLURM_ARRAY_TASK_COUNT) for 3 shards: submit it with \
             sbatch --array=1-3",
        ),
        (
            "5",
            "1",
            "the Slurm array has 1 task (SLURM_ARRAY_TASK_COUNT) for 3 shards",
        ),
        (
            "8",
            "3",
            "auto gives shard 4 of 3 (SLURM_ARRAY_TASK_ID=8 of an array from 5): the array has \
             more tasks than 3 shards",
        ),
    ] {
        let out = slurm_task(dir.path(), task, tasks, "s4");
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(expected), "{err}");
        assert!(!dir.path().join("s4").exists());
    }
    // A step of 0 is no array Slurm makes: refused, not read as 1.
    let out = Command::new(env!("CARGO_BIN_EXE_capsim"))
        .args(["run", "s.toml", "--shard", "auto/3", "--out", "s4"])
        .env("SLURM_ARRAY_TASK_ID", "5")
        .env("SLURM_ARRAY_TASK_MIN", "5")
        .env("SLURM_ARRAY_TASK_STEP", "0")
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("expected SLURM_ARRAY_TASK_STEP to be 1 or more (Slurm's step between an array's tasks), found 0"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!dir.path().join("s4").exists());
    let out = Command::new(env!("CARGO_BIN_EXE_capsim"))
        .args(["run", "s.toml", "--shard", "auto/3", "--out", "s4"])
        .env_remove("SLURM_ARRAY_TASK_ID")
        .env("JOB_COMPLETION_INDEX", "-1")
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("JOB_COMPLETION_INDEX -1 is not an index (0 or more, counted from 0)"),
        "{err}"
    );
    assert!(!dir.path().join("s4").exists());
    // In any order.
    let (code, merged, err) = capsim(&["merge", "s3", "s1", "s2", "--out", "merged"], dir.path());
    assert_eq!(code, 0, "{err}");
    assert!(merged.contains("merged 3 shards"), "{merged}");
    assert_same_tables(&dir.path().join("plain"), &dir.path().join("merged"));
}

/// A merged run records how its shards were run: a field they changed on the command line is
/// still said to have been changed, in run.json and in the report's note on the description.
#[test]
fn a_merged_run_remembers_the_fields_its_shards_changed() {
    let dir = tempfile::tempdir().unwrap();
    let described = format!("description = \"A small place.\"\n{SMALL}");
    std::fs::write(dir.path().join("s.toml"), described).unwrap();
    for k in 1..=2 {
        let (code, err) = shard(
            dir.path(),
            &format!("{k}/2"),
            &format!("s{k}"),
            &["--set", "population.size=3000"],
        );
        assert_eq!(code, 0, "{err}");
    }
    let (code, _, err) = capsim(&["merge", "s1", "s2", "--out", "merged"], dir.path());
    assert_eq!(code, 0, "{err}");
    let info = std::fs::read_to_string(dir.path().join("merged/run.json")).unwrap();
    assert!(info.contains("population.size=3000"), "{info}");
    let report = std::fs::read_to_string(dir.path().join("merged/report.html")).unwrap();
    assert!(
        report.contains("changed some of its fields"),
        "the report forgot the shards' --set"
    );
}

#[test]
fn merge_refuses_shards_of_different_runs_or_an_incomplete_set() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("s.toml"), SMALL).unwrap();
    for (spec, out, extra) in [
        ("1/3", "a1", &[][..]),
        ("2/3", "a2", &[][..]),
        ("3/3", "a3", &[][..]),
        ("2/3", "seed", &["--seed", "7"][..]),
        ("2/3", "years", &["--set", "years=2"][..]),
        ("2/2", "two", &[][..]),
    ] {
        let (code, err) = shard(dir.path(), spec, out, extra);
        assert_eq!(code, 0, "{out}: {err}");
    }
    // Shard 2 as another capsim wrote it: another version, the same version built from other
    // source, and a shard from before the source was recorded.
    let info = std::fs::read_to_string(dir.path().join("a2/shard.json")).unwrap();
    let version = format!("\"capsim_version\": \"{}\"", capsim::VERSION);
    let source = format!("\"capsim_source\": \"{}\",\n", capsim::SOURCE);
    assert!(info.contains(&version) && info.contains(&source), "{info}");
    for (name, info) in [
        (
            "old",
            info.replace(&version, "\"capsim_version\": \"0.0.1\""),
        ),
        (
            "rebuilt",
            info.replace(&source, "\"capsim_source\": \"0123456789abcdef\",\n"),
        ),
        ("unrecorded", info.replace(&source, "")),
        // Damaged descriptions: no shard k of 0, no run of 4294967295 replications.
        ("zero", info.replace("\"n\": 3", "\"n\": 0")),
        (
            "huge",
            info.replace("\"replications\": 24", "\"replications\": 4294967295"),
        ),
        // The same scenario text but head counts beside it that the others lack.
        ("counts", info.clone()),
    ] {
        std::fs::create_dir(dir.path().join(name)).unwrap();
        for f in ["scenario.toml", "replications.jsonl"] {
            std::fs::copy(dir.path().join("a2").join(f), dir.path().join(name).join(f)).unwrap();
        }
        std::fs::write(dir.path().join(name).join("shard.json"), info).unwrap();
    }
    std::fs::write(
        dir.path().join("counts/population_counts.csv"),
        "age,sex,imd_quintile,rurality,ltc_count,count\n45,F,1,urban,3,120\n",
    )
    .unwrap();
    // Shard 2's replications changed after it wrote them. A number of its last: the file's
    // digest in shard.json no longer matches. With the digest made to match (a shard that is
    // consistent but not what this scenario gives): a number of its first, which merge
    // simulates again, and a year gone from its second (a line that still reads as JSON).
    let lines: Vec<String> = std::fs::read_to_string(dir.path().join("a2/replications.jsonl"))
        .unwrap()
        .lines()
        .map(String::from)
        .collect();
    let changed = |name: &str, line: usize, redigest: bool, edit: &dyn Fn(&str) -> String| {
        let shard = dir.path().join(name);
        std::fs::create_dir(&shard).unwrap();
        std::fs::copy(
            dir.path().join("a2/scenario.toml"),
            shard.join("scenario.toml"),
        )
        .unwrap();
        let mut edited = lines.clone();
        edited[line] = edit(&edited[line]);
        assert_ne!(edited[line], lines[line], "{name}: nothing changed");
        let text = edited.join("\n") + "\n";
        std::fs::write(shard.join("replications.jsonl"), &text).unwrap();
        let (mut was, mut now) = (capsim::fnv::Fnv::new(), capsim::fnv::Fnv::new());
        was.write((lines.join("\n") + "\n").as_bytes());
        now.write(text.as_bytes());
        assert!(info.contains(&was.hex()), "{info}");
        let described = if redigest {
            info.replace(&was.hex(), &now.hex())
        } else {
            info.clone()
        };
        std::fs::write(shard.join("shard.json"), described).unwrap();
    };
    changed("tampered", lines.len() - 1, false, &|l| {
        l.replacen("\"deaths\":", "\"deaths\":1", 1)
    });
    changed("number", 0, true, &|l| {
        l.replacen("\"deaths\":", "\"deaths\":1", 1)
    });
    changed("year", 1, true, &|l| {
        // The second year's record, cut out of the list of years.
        let second = l.match_indices("{\"world\":").nth(1).unwrap().0;
        let third = l.match_indices("{\"world\":").nth(2).unwrap().0;
        format!("{}{}", &l[..second], &l[third..])
    });
    std::fs::create_dir(dir.path().join("mine")).unwrap();
    for (dirs, expected) in [
        (vec!["a1", "a3"], "shard 2 is missing"),
        (
            vec!["a1", "a2", "a2", "a3"],
            "expected each shard once: shard 2 of 3",
        ),
        (
            vec!["a1", "seed", "a3"],
            "seed/shard.json: seed: expected 20261123",
        ),
        (
            vec!["a1", "years", "a3"],
            "these shards are of different runs; line 5: `years = 2` where the first has \
             `years = 3`",
        ),
        (
            vec!["a1", "two", "a3"],
            "two/shard.json: shard: expected one of 3 shards",
        ),
        (
            vec!["a1", "old", "a3"],
            "old/shard.json: capsim_version: expected a shard written by this capsim",
        ),
        (
            vec!["a1", "rebuilt", "a3"],
            "rebuilt/shard.json: capsim_source: expected a shard written by this capsim",
        ),
        (
            vec!["a1", "a3", "unrecorded"],
            "source not recorded: merge with the capsim that wrote the shards",
        ),
        (vec!["a1", "mine", "a3"], "mine: expected a shard folder"),
        (
            vec!["a1", "zero", "a3"],
            "zero/shard.json: shard: expected k of n with 1 <= k <= n, found 2 of 0",
        ),
        (
            vec!["a1", "huge", "a3"],
            "huge/shard.json: replications: expected 1 to 100000 replications, found 4294967295",
        ),
        (
            vec!["a1", "counts", "a3"],
            "these shards are of different runs; their population_counts.csv differ",
        ),
        (
            vec!["a1", "tampered", "a3"],
            "tampered/replications.jsonl: expected the replications capsim wrote: this is not \
             the file the shard wrote (its digest is not shard.json's replications_digest)",
        ),
        (
            vec!["a1", "number", "a3"],
            "number/replications.jsonl: expected the replications capsim wrote: replication 9 as \
             this scenario gives it, found other numbers or rows",
        ),
        (
            vec!["a1", "year", "a3"],
            "year/replications.jsonl: expected the replications capsim wrote: replication 10 \
             with the years, ledger rows and groups of this scenario's replications",
        ),
    ] {
        let mut args = vec!["merge"];
        args.extend(&dirs);
        args.extend(["--out", "m"]);
        let modified = || dir.path().metadata().unwrap().modified().unwrap();
        let before = modified();
        let (code, _, err) = capsim(&args, dir.path());
        assert_eq!(code, 2, "{dirs:?}: {err}");
        assert!(err.contains(expected), "{dirs:?}: {err}");
        assert!(!dir.path().join("m").exists());
        // Nothing made and removed again either: no staging folder came and went.
        assert_eq!(modified(), before, "{dirs:?}: the folder was written to");
    }
    // The merged run cannot go inside a shard (it would stop being one).
    for out in ["a1/merged", "./a3/../a3/x/y", "ghost/../a1/q"] {
        let (code, _, err) = capsim(&["merge", "a1", "a2", "a3", "--out", out], dir.path());
        assert_eq!(code, 2, "{out}: {err}");
        assert!(
            err.contains(&format!(
                "{out}: --out: expected a folder outside the shard folders: it is inside a"
            )),
            "{err}"
        );
        for made in ["a1/merged", "a3/x", "a1/q", "ghost"] {
            assert!(!dir.path().join(made).exists(), "{out}: made {made}");
        }
    }
    for (spec, extra, expected) in [
        ("0/3", &[][..], "shard 0 of 3 is not one of them"),
        ("4/3", &[][..], "shard 4 of 3 is not one of them"),
        ("a/b", &[][..], "expected K/N"),
        ("auto/3", &[][..], "expected SLURM_ARRAY_TASK_ID"),
        (
            "30/30",
            &[][..],
            "at most as many shards as replications: 30 shards of 24",
        ),
        (
            "1/3",
            &["--precision", "capitation:p50=1000000"][..],
            "not both",
        ),
    ] {
        let (code, err) = shard(dir.path(), spec, "bad", extra);
        assert_eq!(code, 2, "{spec}: {err}");
        assert!(err.contains(expected), "{spec}: {err}");
        assert!(!dir.path().join("bad").exists());
    }
}
