//! Sharded runs through a real scheduler: docs/slurm/test-local.sh starts a one-node Slurm
//! cluster on this machine (installing it when missing), submits a 3-task array job and a
//! dependent merge job, and stops the cluster whatever happens. The merged folder must hold the
//! unsharded run's tables byte for byte. `.ci/run` installs Slurm before the tests.

use std::process::Command;

use crate::shards::assert_same_tables;

#[test]
fn a_slurm_array_job_merges_into_the_unsharded_run() {
    let work = tempfile::tempdir().unwrap();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/slurm/test-local.sh");
    let out = Command::new("timeout")
        .args(["400", script])
        .arg(work.path())
        .env("CAPSIM", env!("CARGO_BIN_EXE_capsim"))
        .output()
        .expect("bash and timeout run the script");
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "the Slurm test failed:\n{log}");
    assert!(
        log.contains("every table equals the unsharded run's"),
        "{log}"
    );
    assert_same_tables(
        &work.path().join("plain"),
        &work.path().join("sharded/merged"),
    );
    for k in 1..=3 {
        assert!(
            work.path()
                .join(format!("sharded/shard-{k}/shard.json"))
                .is_file()
        );
    }
}

/// The Kubernetes manifests pass a schema-aware lint: every document against Kubernetes'
/// batch/v1 Job schema with unknown fields refused, and the shard count the same in the Job and
/// in `--shard auto/N`. A misspelt field or a mismatched count fails it.
#[test]
fn the_kubernetes_jobs_match_the_job_schema() {
    let python = std::env::var("CAPSIM_PYTHON").unwrap_or_else(|_| "python3".into());
    let docs = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/kubernetes");
    let lint = |manifest: &std::path::Path| {
        let out = Command::new(&python)
            .arg(format!("{docs}/lint.py"))
            .arg(manifest)
            .output()
            .expect("python runs");
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned()
                + &String::from_utf8_lossy(&out.stderr),
        )
    };
    let manifest = std::path::PathBuf::from(format!("{docs}/capsim-jobs.yaml"));
    let (ok, text) = lint(&manifest);
    assert!(ok && text.contains("2 jobs valid"), "{text}");
    let original = std::fs::read_to_string(&manifest).unwrap();
    let dir = tempfile::tempdir().unwrap();
    for (from, to, expected) in [
        (
            "completionMode: Indexed",
            "completionMode: Indexed\n  completionz: 8",
            "'completionz' was unexpected",
        ),
        ("parallelism: 8", "parallelism: \"eight\"", "parallelism"),
        (
            "--shard auto/8 --threads",
            "--shard auto/4 --threads",
            "must agree",
        ),
        // The merge waiting for fewer shards than there are would start before they are done.
        ("wc -l)\" -ge 8", "wc -l)\" -ge 4", "must agree"),
    ] {
        assert!(original.contains(from), "{from}");
        let bad = dir.path().join("bad.yaml");
        std::fs::write(&bad, original.replacen(from, to, 1)).unwrap();
        let (ok, text) = lint(&bad);
        assert!(!ok && text.contains(expected), "{to}: {text}");
    }
}
