use std::ffi::OsStr;
use std::path::Path;
use std::process::{Command, Output};

use capsim::engine::Model;
use capsim::scenario::{LoadedScenario, load_scenario_str};

/// A scenario written inline on top of the built-in default.
pub fn scenario(text: &str) -> LoadedScenario {
    load_scenario_str("test.toml", text, Path::new(".")).unwrap_or_else(|e| panic!("{e}"))
}

pub fn model(text: &str) -> Model {
    Model::build(&scenario(text)).unwrap_or_else(|e| panic!("{e}"))
}

/// A small place, quick to simulate.
pub const SMALL: &str = r#"
base = "default"
name = "small"
replications = 24
years = 3
[population]
size = 20000
"#;

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
