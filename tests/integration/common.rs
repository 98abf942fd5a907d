use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use capsim::cli::{RunArgs, RunPlan};
use capsim::engine::{Model, ReplicationResult, Silent};
use capsim::ledger::LedgerRow;
use capsim::scenario::{LoadedScenario, load_scenario_str};
use polars::prelude::{DataFrame, DataType, ParquetReader, SerReader};

/// A scenario written inline on top of the built-in default.
pub fn scenario(text: &str) -> LoadedScenario {
    load_scenario_str("test.toml", text, Path::new(".")).unwrap_or_else(|e| panic!("{e}"))
}

pub fn model(text: &str) -> Model {
    Model::build(&scenario(text)).unwrap_or_else(|e| panic!("{e}"))
}

/// Two providers splitting every activity type: an acute trust (hospital and ambulance) and a
/// community provider (GP, community, mental health, prescribing). A literal, so scenarios can
/// be built from it with `concat!`.
macro_rules! two_providers {
    () => {
        r#"
[[provider]]
name = "acute"
activity = ["outpatient", "ae", "elective", "non_elective", "nel_bed_days", "ambulance"]
[[provider]]
name = "community"
activity = ["gp", "community", "mental_health", "prescribing"]
"#
    };
}
pub(crate) use two_providers;

/// A small place, quick to simulate.
pub const SMALL: &str = r#"
base = "default"
name = "small"
replications = 24
years = 3
[population]
size = 20000
"#;

/// Runs the capsim binary in `cwd`: exit code, stdout and stderr.
pub fn capsim(args: &[&str], cwd: &Path) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_capsim"))
        .args(args)
        .current_dir(cwd)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Runs the capsim binary and insists it succeeds.
pub fn capsim_ok<S: AsRef<OsStr>>(args: &[S], cwd: &Path) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_capsim"))
        .args(args)
        .current_dir(cwd)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "capsim failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Runs a scenario file through the same plan and library call as `capsim run`, on `threads`
/// threads, into `out`; returns the run folder.
pub fn run_to(scenario: &Path, threads: usize, out: &Path) -> PathBuf {
    let args = RunArgs {
        scenario: Some(scenario.to_path_buf()),
        threads: Some(threads),
        out: Some(out.to_path_buf()),
        ..RunArgs::default()
    };
    let plan = RunPlan::resolve(&args).unwrap_or_else(|e| panic!("{e:#}"));
    capsim::cli::run(plan, &Silent)
        .unwrap_or_else(|e| panic!("{e:#}"))
        .dir
}

/// The rows of a CSV file as maps from column name to text (quoted fields may hold commas).
pub fn read_csv_rows(path: &Path) -> Vec<std::collections::HashMap<String, String>> {
    let text = std::fs::read_to_string(path).unwrap();
    let fields = |line: &str| -> Vec<String> {
        let (mut out, mut field, mut quoted) = (Vec::new(), String::new(), false);
        let mut chars = line.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '"' if quoted && chars.peek() == Some(&'"') => {
                    field.push('"');
                    chars.next();
                }
                '"' => quoted = !quoted,
                ',' if !quoted => out.push(std::mem::take(&mut field)),
                c => field.push(c),
            }
        }
        out.push(field);
        out
    };
    let mut lines = text.lines();
    let header = fields(lines.next().unwrap());
    lines
        .map(|l| header.iter().cloned().zip(fields(l)).collect())
        .collect()
}

/// The index of party `name` (0 is the commissioner) in a model's contracts.
pub fn party_index(m: &Model, name: &str) -> usize {
    m.contracts
        .as_ref()
        .expect("arms")
        .parties
        .iter()
        .position(|p| p == name)
        .expect("party")
}

/// Replication `r`'s ledger row of `arm`, `year` and `party` (which must have one).
pub fn ledger_row(r: &ReplicationResult, arm: usize, year: u32, party: usize) -> &LedgerRow {
    r.ledger
        .iter()
        .find(|l| l.arm == arm && l.year == year && l.party == party)
        .expect("a ledger row for the arm, year and party")
}

/// The ledger column a model's contracts book `name` in.
pub fn ledger_column(m: &Model, name: &str) -> usize {
    m.contracts
        .as_ref()
        .expect("arms")
        .columns
        .iter()
        .position(|c| c == name)
        .expect("column")
}

/// Copies the files of folder `from` into folder `to` (created if need be).
pub fn copy_folder(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
    }
}

/// A Parquet table a run wrote.
pub fn read_parquet(path: &Path) -> DataFrame {
    ParquetReader::new(std::fs::File::open(path).unwrap())
        .finish()
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Panics, naming the file and column, if a float column of a Parquet table holds NaN or an
/// infinity (a value nobody has is null, not NaN).
pub fn assert_parquet_finite(path: &Path) {
    let df = read_parquet(path);
    for column in df.columns() {
        if !matches!(column.dtype(), DataType::Float64 | DataType::Float32) {
            continue;
        }
        let values = column.cast(&DataType::Float64).unwrap();
        for v in values.f64().unwrap().iter().flatten() {
            assert!(
                v.is_finite(),
                "{}: column {} holds {v}",
                path.display(),
                column.name()
            );
        }
    }
}
