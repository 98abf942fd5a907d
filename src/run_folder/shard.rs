//! Sharded runs: `capsim run … --shard K/N` computes a disjoint block of the replications and
//! writes a partial folder; `capsim merge DIR…` combines the N partials into exactly the folder
//! one run would have written. Replications depend only on (scenario, seed, r), so the merged
//! results are the unsharded ones, and the folder is written by the same code from them.
//!
//! A shard folder holds `shard.json` (what it is part of), `scenario.toml` (the resolved
//! scenario, compared byte for byte at merge) and `replications.jsonl`, one replication's full
//! result per line (floats written so that they read back exactly).

use std::io::{BufRead, BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::{Deserialize, Serialize};

use super::{COUNTS, SCENARIO};
use crate::engine::{self, Model, ReplicationResult, Workspace};
use crate::error::InputError;
use crate::fnv::Fnv;
use crate::scenario::validate::MAX_REPLICATIONS;

/// Marks a shard folder and says what it is part of.
pub const SHARD: &str = "shard.json";
/// The shard's replications, one JSON object per line.
pub const REPLICATIONS: &str = "replications.jsonl";

/// Which block of the replications a shard computes: shard `k` (from 1) of `n`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    pub k: u32,
    pub n: u32,
}

impl Shard {
    /// Reads `K/N`, or `auto/N` with K from the scheduler: Slurm's array task (counted from
    /// the array's first index, by its step) or a Kubernetes Indexed Job's completion index
    /// (from 0).
    pub fn parse(text: &str) -> Result<Shard, InputError> {
        let bad = |why: String| InputError::new("command line", "--shard", why);
        let form = "expected K/N with 1 <= K <= N (e.g. 2/8), or auto/N";
        let (k, n) = text
            .split_once('/')
            .ok_or_else(|| bad(format!("{form}; found \"{text}\"")))?;
        let n: u32 = n
            .trim()
            .parse()
            .ok()
            .filter(|n| *n >= 1)
            .ok_or_else(|| bad(format!("{form}; found \"{text}\"")))?;
        let (k, from) = if k.trim() == "auto" {
            let (k, from, tasks) = scheduler_index().map_err(bad)?;
            // An array of another size than the shards would run, and be found out only at
            // merge, after all its work: a missing shard, or one run twice.
            if let Some(tasks) = tasks.filter(|t| *t != i64::from(n)) {
                return Err(bad(format!(
                    "{form}; the Slurm array has {tasks} task{} (SLURM_ARRAY_TASK_COUNT) for {n} \
                     shards: submit it with sbatch --array=1-{n}",
                    if tasks == 1 { "" } else { "s" }
                )));
            }
            (k, Some(from))
        } else {
            let k = k
                .trim()
                .parse()
                .map_err(|_| bad(format!("{form}; found \"{text}\"")))?;
            (k, None)
        };
        if !(1..=n).contains(&k) {
            return Err(bad(match from {
                Some(from) => format!(
                    "{form}; auto gives shard {k} of {n} ({from}): the array has more tasks \
                     than {n} shards (sbatch --array=1-{n}, or {n} completions)"
                ),
                None => format!("{form}; shard {k} of {n} is not one of them"),
            }));
        }
        Ok(Shard { k, n })
    }

    /// The replications of this shard out of `replications`: the k-th of n contiguous blocks.
    pub fn range(self, replications: u32) -> std::ops::Range<u64> {
        let r = u64::from(replications);
        let (k, n) = (u64::from(self.k), u64::from(self.n));
        (k - 1) * r / n..k * r / n
    }
}

/// The shard number (from 1) a scheduler gives this task, where it came from, and how many
/// tasks the scheduler says there are (Slurm's array size, when it says).
fn scheduler_index() -> Result<(u32, String, Option<i64>), String> {
    // A variable set to something other than a whole number is reported as what it is, not
    // as missing.
    let var = |name: &str| -> Result<Option<i64>, String> {
        match std::env::var(name) {
            Err(_) => Ok(None),
            Ok(v) => v
                .trim()
                .parse::<i64>()
                .map(Some)
                .map_err(|_| format!("expected a whole number in {name}, found \"{v}\"")),
        }
    };
    if let Some(task) = var("SLURM_ARRAY_TASK_ID")? {
        let first = var("SLURM_ARRAY_TASK_MIN")?.ok_or(
            "expected SLURM_ARRAY_TASK_MIN beside SLURM_ARRAY_TASK_ID (Slurm sets both in an \
             array task)",
        )?;
        let step = var("SLURM_ARRAY_TASK_STEP")?.unwrap_or(1);
        if step < 1 {
            return Err(format!(
                "expected SLURM_ARRAY_TASK_STEP to be 1 or more (Slurm's step between an \
                 array's tasks), found {step}"
            ));
        }
        if task < first || (task - first) % step != 0 {
            return Err(format!(
                "SLURM_ARRAY_TASK_ID {task} is not one of the array's tasks from {first} by {step}"
            ));
        }
        let k = u32::try_from((task - first) / step + 1)
            .map_err(|_| format!("SLURM_ARRAY_TASK_ID {task} is out of range"))?;
        let from = format!(
            "SLURM_ARRAY_TASK_ID={task} of an array from {first}{}",
            if step > 1 {
                format!(" by {step}")
            } else {
                String::new()
            }
        );
        return Ok((k, from, var("SLURM_ARRAY_TASK_COUNT")?));
    }
    if let Some(index) = var("JOB_COMPLETION_INDEX")? {
        let k = u32::try_from(index)
            .ok()
            .and_then(|i| i.checked_add(1))
            .ok_or_else(|| {
                format!("JOB_COMPLETION_INDEX {index} is not an index (0 or more, counted from 0)")
            })?;
        return Ok((
            k,
            format!("JOB_COMPLETION_INDEX={index}, counted from 0"),
            None,
        ));
    }
    Err(
        "expected SLURM_ARRAY_TASK_ID (a Slurm array job) or JOB_COMPLETION_INDEX (a Kubernetes \
         Indexed Job) in the environment for --shard auto/N"
            .into(),
    )
}

/// What a shard folder is part of.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShardInfo {
    pub capsim_version: String,
    /// The fingerprint of the source capsim was built from ([`crate::SOURCE`]); empty in shards
    /// written before it was recorded.
    #[serde(default)]
    pub capsim_source: String,
    pub scenario: String,
    pub scenario_file: String,
    pub seed: u64,
    pub replications: u32,
    pub shard: Shard,
    /// The replications computed, from `first` up to (not including) `end`.
    pub first: u64,
    pub end: u64,
    pub threads: usize,
    pub elapsed_seconds: f64,
    /// The command that ran the shard (empty in shards written before it was recorded).
    #[serde(default)]
    pub command: String,
    /// The FNV-1a hash of `replications.jsonl` as written ([`crate::fnv`]); empty in shards
    /// written before it was recorded, which are refused.
    #[serde(default)]
    pub replications_digest: String,
}

/// Writes a shard folder's files into `dir`.
pub fn write_shard(
    dir: &Path,
    model: &Model,
    results: &[ReplicationResult],
    info: &ShardInfo,
) -> anyhow::Result<()> {
    let mut resolved = model.scenario.clone();
    super::copy_counts_into(&mut resolved, dir)?;
    resolved.base = None;
    super::write_named(&dir.join(SCENARIO), resolved.to_toml())?;
    let path = dir.join(REPLICATIONS);
    let writing = || format!("writing {}", path.display());
    let mut out = BufWriter::new(std::fs::File::create(&path).with_context(writing)?);
    let mut digest = Fnv::new();
    for r in results {
        let mut line = serde_json::to_vec(r)?;
        line.push(b'\n');
        digest.write(&line);
        out.write_all(&line).with_context(writing)?;
    }
    out.flush().with_context(writing)?;
    let info = ShardInfo {
        replications_digest: digest.hex(),
        ..info.clone()
    };
    super::write_named(
        &dir.join(SHARD),
        serde_json::to_string_pretty(&info)? + "\n",
    )?;
    Ok(())
}

/// Whether `dir` is a shard folder.
pub fn is_shard_folder(dir: &Path) -> bool {
    super::staging::has_capsim_marker(dir, SHARD)
}

/// A shard description's numbers within what a run can have: a shard k of n with 1 <= k <= n,
/// 1 to [`MAX_REPLICATIONS`] replications, and the block of them shard k of n holds.
fn check_description(marker: &Path, info: &ShardInfo) -> Result<(), InputError> {
    let bad = |field: &str, why: String| {
        InputError::new(
            marker.display().to_string(),
            field,
            format!("{why}; run the shard again"),
        )
    };
    let Shard { k, n } = info.shard;
    if !(1..=n).contains(&k) {
        return Err(bad(
            "shard",
            format!("expected k of n with 1 <= k <= n, found {k} of {n}"),
        ));
    }
    if !(1..=MAX_REPLICATIONS).contains(&info.replications) {
        return Err(bad(
            "replications",
            format!(
                "expected 1 to {MAX_REPLICATIONS} replications, found {}",
                info.replications
            ),
        ));
    }
    let block = info.shard.range(info.replications);
    if (info.first, info.end) != (block.start, block.end) {
        return Err(bad(
            if info.first == block.start {
                "end"
            } else {
                "first"
            },
            format!(
                "expected shard {k} of {n} to hold replications {} to {}, found {} to {}",
                block.start + 1,
                block.end,
                info.first + 1,
                info.end
            ),
        ));
    }
    Ok(())
}

/// The head counts a shard's scenario names (copied into its folder), if any.
fn counts(shard: &ShardFolder) -> Option<Vec<u8>> {
    std::fs::read(shard.dir.join(COUNTS)).ok()
}

/// One shard folder read back.
pub struct ShardFolder {
    pub dir: PathBuf,
    pub info: ShardInfo,
    pub scenario_text: String,
}

impl ShardFolder {
    pub fn open(dir: &Path) -> Result<ShardFolder, InputError> {
        let marker = dir.join(SHARD);
        let text = std::fs::read_to_string(&marker).map_err(|_| {
            InputError::new(
                dir.display().to_string(),
                "",
                "expected a shard folder written by `capsim run --shard K/N` (it has no shard.json)",
            )
        })?;
        let info: ShardInfo = serde_json::from_str(&text).map_err(|e| {
            InputError::new(
                marker.display().to_string(),
                "",
                format!("expected the shard description capsim writes: {e}"),
            )
        })?;
        check_description(&marker, &info)?;
        let scenario_text = std::fs::read_to_string(dir.join(SCENARIO)).map_err(|e| {
            InputError::new(
                dir.join(SCENARIO).display().to_string(),
                "",
                format!("expected the shard's resolved scenario: {e}"),
            )
        })?;
        Ok(ShardFolder {
            dir: dir.to_path_buf(),
            info,
            scenario_text,
        })
    }

    /// The shard's replications, checked to be the ones it says it holds and the ones `model`
    /// (its scenario) gives: its first is simulated again and must be the same to the bit, and
    /// every other must hold the same years, ledger rows and groups, so that a file changed
    /// after it was written is refused rather than merged.
    pub fn results(&self, model: &Model) -> anyhow::Result<Vec<ReplicationResult>> {
        let path = self.dir.join(REPLICATIONS);
        let damaged = |why: String| {
            InputError::new(
                path.display().to_string(),
                "",
                format!("expected the replications capsim wrote: {why}; run the shard again"),
            )
        };
        let file = std::fs::File::open(&path).map_err(|e| damaged(e.to_string()))?;
        // Read and hashed in one pass, without holding the text: a line that does not read is
        // reported after the digest, which says whether the file was changed.
        let mut out = Vec::new();
        let mut unreadable = None;
        let mut digest = Fnv::new();
        for (i, line) in std::io::BufReader::new(file).lines().enumerate() {
            let line = line.map_err(|e| damaged(e.to_string()))?;
            digest.write(line.as_bytes());
            digest.write(b"\n");
            match serde_json::from_str::<ReplicationResult>(&line) {
                Ok(r) => out.push(r),
                Err(e) => {
                    unreadable.get_or_insert(format!("line {}: {e}", i + 1));
                }
            }
        }
        // Every line, not only the one simulated again below: a number changed in any
        // replication would otherwise be merged.
        if digest.hex() != self.info.replications_digest {
            return Err(damaged(if self.info.replications_digest.is_empty() {
                "shard.json has no replications_digest (a shard from an older capsim)".to_string()
            } else {
                "this is not the file the shard wrote (its digest is not shard.json's \
                 replications_digest): it was changed or damaged since"
                    .to_string()
            })
            .into());
        }
        if let Some(why) = unreadable {
            return Err(damaged(why).into());
        }
        // The block itself was checked against the shard's number on opening.
        let expected: Vec<u64> = (self.info.first..self.info.end).collect();
        let found: Vec<u64> = out.iter().map(|r| r.replication).collect();
        if found != expected {
            return Err(damaged(format!(
                "replications {}..{} in order, found {} lines",
                self.info.first + 1,
                self.info.end,
                found.len()
            ))
            .into());
        }
        let Some(first) = out.first() else {
            return Ok(out);
        };
        let again = engine::run_replication(model, first.replication, &mut Workspace::new());
        // Compared as written: what a shard does not write (the movers a world follows within
        // its replication) cannot differ in what is merged.
        if serde_json::to_string(first)? != serde_json::to_string(&again)? {
            return Err(damaged(format!(
                "replication {} as this scenario gives it, found other numbers or rows: the \
                 file was changed after the shard wrote it",
                first.replication + 1
            ))
            .into());
        }
        let layout = layout_of(&again);
        if let Some(r) = out.iter().find(|r| layout_of(r) != layout) {
            return Err(damaged(format!(
                "replication {} with the years, ledger rows and groups of this scenario's \
                 replications, found others",
                r.replication + 1
            ))
            .into());
        }
        Ok(out)
    }
}

/// What a replication's results hold, without their numbers: each year's world, year and the
/// lengths of its per-type and per-indicator lists; each ledger row's year, arm, party and
/// number of components; who gains' rows; the equity cells. Every replication of one run has
/// the same.
fn layout_of(r: &ReplicationResult) -> Vec<[u64; 4]> {
    let n = |len: usize| len as u64;
    let section = |id: u64, len: usize| [u64::MAX, id, n(len), 0];
    let rows = |ledger: &[crate::ledger::LedgerRow]| {
        ledger
            .iter()
            .map(|l| {
                [
                    u64::from(l.year),
                    n(l.arm),
                    n(l.party),
                    n(l.components.len()),
                ]
            })
            .collect::<Vec<_>>()
    };
    let gains = |gains: &[crate::ledger::gains::Gain]| {
        gains
            .iter()
            .map(|g| [n(g.arm), u64::from(g.year), g.party.map_or(u64::MAX, n), 0])
            .collect::<Vec<_>>()
    };
    let mut out = vec![section(0, r.years.len())];
    for y in &r.years {
        out.push([
            n(y.world),
            u64::from(y.year),
            n(y.count.len()),
            n(y.indicators.len()),
        ]);
        out.push([n(y.cost.len()), n(y.value.len()), n(y.lists.len()), 0]);
    }
    out.push(section(1, r.ledger.len()));
    out.extend(rows(&r.ledger));
    out.push(section(2, r.status_quo_ledger.len()));
    out.extend(rows(&r.status_quo_ledger));
    out.push(section(3, r.gains.len()));
    out.extend(gains(&r.gains));
    out.push(section(4, r.gains_by_year.len()));
    out.extend(gains(&r.gains_by_year));
    out.push(section(5, r.equity.len()));
    out.push([u64::from(r.beyond_limit.is_some()), 0, 0, 0]);
    out
}

/// Refuses a shard written by another capsim, of another version or built from other source
/// ([`crate::SOURCE`]): its replications may hold other numbers than this capsim's would, and
/// the merged folder would be no run's.
fn check_written_here(s: &ShardFolder) -> Result<(), InputError> {
    let info = &s.info;
    let field = if info.capsim_version != crate::VERSION {
        "capsim_version"
    } else if info.capsim_source != crate::SOURCE {
        "capsim_source"
    } else {
        return Ok(());
    };
    let source = if info.capsim_source.is_empty() {
        "not recorded"
    } else {
        &info.capsim_source
    };
    Err(InputError::new(
        s.dir.join(SHARD).display().to_string(),
        field,
        format!(
            "expected a shard written by this capsim ({}, source {}), found {}, source {source}: \
             merge with the capsim that wrote the shards, or run them again",
            crate::VERSION,
            crate::SOURCE,
            info.capsim_version,
        ),
    ))
}

/// Where two resolved scenarios first differ, as "line N: `theirs` where the first has
/// `ours`" (a missing line shown as nothing); None when they are the same.
fn first_difference(ours: &str, theirs: &str) -> Option<String> {
    let (mut a, mut b) = (ours.lines(), theirs.lines());
    for line in 1.. {
        match (a.next(), b.next()) {
            (None, None) => return None,
            (x, y) if x == y => continue,
            (x, y) => {
                let shown = |l: Option<&str>| l.map_or("nothing".into(), |l| format!("`{l}`"));
                return Some(format!(
                    "line {line}: {} where the first has {}",
                    shown(y),
                    shown(x)
                ));
            }
        }
    }
    None
}

/// Checks that `shards` are all N shards of one run, each once, written by this capsim, and
/// returns them in order.
pub fn check_complete(mut shards: Vec<ShardFolder>) -> Result<Vec<ShardFolder>, InputError> {
    for s in &shards {
        check_written_here(s)?;
    }
    let first = &shards[0];
    let mismatch = |s: &ShardFolder, field: &str, theirs: String, ours: String| {
        InputError::new(
            s.dir.join(SHARD).display().to_string(),
            field,
            format!(
                "expected {ours} like {} (shards of one run merge), found {theirs}",
                first.dir.display()
            ),
        )
    };
    for s in &shards[1..] {
        let (a, b) = (&s.info, &first.info);
        if a.seed != b.seed {
            return Err(mismatch(s, "seed", a.seed.to_string(), b.seed.to_string()));
        }
        if a.replications != b.replications {
            return Err(mismatch(
                s,
                "replications",
                a.replications.to_string(),
                b.replications.to_string(),
            ));
        }
        if a.shard.n != b.shard.n {
            return Err(mismatch(
                s,
                "shard",
                format!("one of {}", a.shard.n),
                format!("one of {} shards", b.shard.n),
            ));
        }
        if s.scenario_text != first.scenario_text || counts(s) != counts(first) {
            return Err(InputError::new(
                s.dir.join(SCENARIO).display().to_string(),
                "",
                format!(
                    "expected the same resolved scenario as {} (and head counts, when it has \
                     them): these shards are of different runs; {}",
                    first.dir.join(SCENARIO).display(),
                    first_difference(&first.scenario_text, &s.scenario_text)
                        .unwrap_or_else(|| format!("their {COUNTS} differ"))
                ),
            ));
        }
    }
    let n = first.info.shard.n;
    shards.sort_by_key(|s| s.info.shard.k);
    for pair in shards.windows(2) {
        if pair[0].info.shard.k == pair[1].info.shard.k {
            return Err(InputError::new(
                "command line",
                "the shard folders",
                format!(
                    "expected each shard once: shard {} of {n} is both {} and {}",
                    pair[0].info.shard.k,
                    pair[0].dir.display(),
                    pair[1].dir.display()
                ),
            ));
        }
    }
    let missing: Vec<String> = (1..=n)
        .filter(|k| !shards.iter().any(|s| s.info.shard.k == *k))
        .map(|k| k.to_string())
        .collect();
    if !missing.is_empty() {
        return Err(InputError::new(
            "command line",
            "the shard folders",
            format!(
                "expected {} of the run: shard{} {} {} missing",
                if n == 1 {
                    "its one shard".to_string()
                } else {
                    format!("all {n} shards")
                },
                if missing.len() > 1 { "s" } else { "" },
                missing.join(", "),
                if missing.len() > 1 { "are" } else { "is" }
            ),
        ));
    }
    Ok(shards)
}
