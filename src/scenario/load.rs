//! Reading a scenario: its base chain, the merge, the typed parse, validation.

use std::path::{Path, PathBuf};

use toml::{Table, Value};

use serde_path_to_error::Segment;

use super::Scenario;
use super::counts::{HeadCount, load_counts};
use super::defaults::defaults_table;
use super::validate::validate;
use crate::data;
use crate::error::{InputError, Problems};

/// Name of the built-in scenario, usable as `base = "default"`.
pub const DEFAULT_NAME: &str = "default";

/// A scenario as read, with where it came from (paths inside it are relative to `dir`).
#[derive(Debug, Clone)]
pub struct LoadedScenario {
    pub scenario: Scenario,
    /// How the user named the file ("the built-in default scenario" when none was given).
    pub file: String,
    /// Folder relative paths in the scenario resolve against.
    pub dir: PathBuf,
    /// The head counts of `population.counts_csv`, when the scenario names one.
    pub counts: Option<Vec<HeadCount>>,
}

/// Deep merge: tables merge key by key, anything else in `over` replaces `base`. A parameter
/// written as a table (`{ value = .. }` or `{ dist = .. }`) replaces its base whole: a
/// distribution must not inherit the fixed value it overrides.
pub fn merge(base: &mut Table, over: Table) {
    for (k, v) in over {
        match (base.get_mut(&k), v) {
            (Some(Value::Table(b)), Value::Table(o)) if !is_param_table(&o) => merge(b, o),
            (_, v) => {
                base.insert(k, v);
            }
        }
    }
}

fn is_param_table(t: &Table) -> bool {
    t.contains_key("value") || t.contains_key("dist")
}

fn parse_table(file: &str, text: &str) -> Result<Table, InputError> {
    toml::from_str::<Table>(text).map_err(|e| {
        let mut msg = e.message().to_string();
        if let Some(span) = e.span() {
            let line = text[..span.start].matches('\n').count() + 1;
            msg = format!("line {line}: {msg}");
        }
        InputError::new(file, "", format!("not valid TOML: {msg}"))
    })
}

/// The raw layers of a scenario: its own table on top of its base's, recursively.
fn layered(file: &str, text: &str, dir: &Path, depth: usize) -> Result<Table, InputError> {
    if depth > 8 {
        return Err(InputError::new(
            file,
            "base",
            "expected a chain of at most 8 base scenarios (is there a cycle?)",
        ));
    }
    let mut own = parse_table(file, text)?;
    // A relative path in a scenario is relative to that scenario's own file.
    if let Some(Value::Table(pop)) = own.get_mut("population")
        && let Some(Value::String(csv)) = pop.get_mut("counts_csv")
    {
        *csv = dir.join(&*csv).display().to_string();
    }
    let mut merged = match own.get("base") {
        None => defaults_table(),
        Some(Value::String(b)) if b == DEFAULT_NAME => layered(
            "the built-in default scenario",
            data::DEFAULT_SCENARIO_TOML,
            dir,
            depth + 1,
        )?,
        Some(Value::String(b)) => {
            let path = dir.join(b);
            let base_text = std::fs::read_to_string(&path).map_err(|e| {
                InputError::new(
                    file,
                    "base",
                    format!(
                        "expected \"default\" or a readable scenario file; {}: {e}",
                        path.display()
                    ),
                )
            })?;
            let base_dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
            layered(
                &path.display().to_string(),
                &base_text,
                &base_dir,
                depth + 1,
            )?
        }
        Some(other) => {
            return Err(InputError::new(
                file,
                "base",
                format!("expected a string, found {}", other.type_str()),
            ));
        }
    };
    merge(&mut merged, own);
    Ok(merged)
}

/// Most structural problems reported from one file before giving up.
const MAX_STRUCTURAL_PROBLEMS: usize = 50;

/// Parses the merged table into a [`Scenario`], collecting every structural problem (unknown
/// fields, wrong types, misspelt names) rather than stopping at the first: after each error the
/// offending value is set aside (reset to the model default where there is one, removed
/// otherwise) and the parse is tried again. Returns the scenario when the file is otherwise
/// sound enough to check its values, and the arms whose structure was broken.
fn parse_collecting(mut table: Table, problems: &mut Problems) -> (Option<Scenario>, Vec<usize>) {
    let defaults = defaults_table();
    let mut broken_arms = Vec::new();
    let mut previous = String::new();
    for _ in 0..MAX_STRUCTURAL_PROBLEMS {
        let error = match serde_path_to_error::deserialize(Value::Table(table.clone())) {
            Ok(scenario) => return (Some(scenario), broken_arms),
            Err(e) => e,
        };
        let segments: Vec<Segment> = error.path().iter().cloned().collect();
        let field = field_path(&segments, &table);
        // The TOML layer repeats the path ("in `years`"); the path is already in `field`.
        let inner = error.into_inner().to_string();
        let msg: Vec<&str> = inner
            .lines()
            .filter(|l| !l.starts_with("in `") && !l.trim().is_empty())
            .collect();
        // A value reset to its default that still fails is the same problem, not a new one.
        if field != previous {
            problems.push(field.clone(), msg.join(" "));
        }
        if let [Segment::Map { key }, Segment::Seq { index }, ..] = segments.as_slice()
            && key == "arm"
        {
            broken_arms.push(*index);
        }
        if !set_aside(&mut table, &defaults, &segments) {
            break;
        }
        previous = field;
    }
    (None, broken_arms)
}

/// A problem's path as the rest of validation writes it: dotted keys, `[i]` for list items, and
/// an arm by its name (`arm.capitation.component[1].kind`), as the user wrote it.
fn field_path(segments: &[Segment], table: &Table) -> String {
    let mut out = String::new();
    for (i, seg) in segments.iter().enumerate() {
        match seg {
            Segment::Seq { index } => {
                let arm_name = (i == 1
                    && matches!(&segments[0], Segment::Map { key } if key == "arm"))
                .then(|| table.get("arm")?.get(*index)?.get("name")?.as_str())
                .flatten()
                .filter(|n| !n.trim().is_empty());
                match arm_name {
                    Some(name) => out.push_str(&format!(".{name}")),
                    None => out.push_str(&format!("[{index}]")),
                }
            }
            Segment::Map { key } | Segment::Enum { variant: key } => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(key);
            }
            Segment::Unknown => {}
        }
    }
    out
}

/// Reports every number in the file that is not finite (TOML allows `nan` and `inf`) and
/// replaces it with 0 so the rest of the file can still be checked. Returns each one's path and,
/// when it lies inside an arm, the arm's index.
fn replace_non_finite(table: &mut Table, problems: &mut Problems) -> Vec<(String, Option<usize>)> {
    fn walk(value: &mut Value, path: &mut Vec<Segment>, found: &mut Vec<(Vec<Segment>, f64)>) {
        match value {
            Value::Float(x) if !x.is_finite() => {
                found.push((path.clone(), *x));
                *x = 0.0;
            }
            Value::Table(t) => {
                for (key, v) in t.iter_mut() {
                    path.push(Segment::Map {
                        key: key.to_string(),
                    });
                    walk(v, path, found);
                    path.pop();
                }
            }
            Value::Array(items) => {
                for (index, v) in items.iter_mut().enumerate() {
                    path.push(Segment::Seq { index });
                    walk(v, path, found);
                    path.pop();
                }
            }
            _ => {}
        }
    }
    let mut found = Vec::new();
    let mut root = Value::Table(std::mem::take(table));
    walk(&mut root, &mut Vec::new(), &mut found);
    if let Value::Table(t) = root {
        *table = t;
    }
    found
        .into_iter()
        .map(|(segments, x)| {
            let field = field_path(&segments, table);
            problems.push(&field, format!("expected a finite number, found {x}"));
            let arm = match segments.as_slice() {
                [Segment::Map { key }, Segment::Seq { index }, ..] if key == "arm" => Some(*index),
                _ => None,
            };
            (field, arm)
        })
        .collect()
}

/// Replaces the value at `path` with the default at the same path, or removes it; returns
/// false when there is nothing left to set aside (the problem is with the file as a whole).
fn set_aside(table: &mut Table, defaults: &Table, path: &[Segment]) -> bool {
    // An arm is kept (so later arms keep their numbers) but emptied to a placeholder.
    if let [Segment::Map { key }, Segment::Seq { index }] = path
        && key == "arm"
        && let Some(Value::Array(arms)) = table.get_mut("arm")
        && let Some(arm) = arms.get_mut(*index)
    {
        let placeholder = format!("name = \"arm {index}\"\npreset = \"block\"\n");
        *arm = Value::Table(toml::from_str(&placeholder).expect("valid placeholder"));
        return true;
    }
    let mut root = Value::Table(std::mem::take(table));
    let done = set_aside_in(&mut root, Some(&Value::Table(defaults.clone())), path);
    if let Value::Table(t) = root {
        *table = t;
    }
    done
}

fn set_aside_in(value: &mut Value, default: Option<&Value>, path: &[Segment]) -> bool {
    match path {
        [Segment::Map { key }] => {
            let Value::Table(t) = value else {
                return false;
            };
            match default.and_then(|d| d.get(key)) {
                Some(d) if t.get(key) != Some(d) => {
                    t.insert(key.clone(), d.clone());
                    true
                }
                _ => t.remove(key).is_some(),
            }
        }
        [Segment::Seq { index }] => match value {
            Value::Array(a) if *index < a.len() => {
                a.remove(*index);
                true
            }
            _ => false,
        },
        [Segment::Map { key }, rest @ ..] => match value {
            Value::Table(t) => t
                .get_mut(key)
                .is_some_and(|v| set_aside_in(v, default.and_then(|d| d.get(key)), rest)),
            _ => false,
        },
        [Segment::Seq { index }, rest @ ..] => match value {
            Value::Array(a) => a
                .get_mut(*index)
                .is_some_and(|v| set_aside_in(v, None, rest)),
            _ => false,
        },
        _ => false,
    }
}

/// Reads, merges, parses and validates a scenario given as text.
pub fn load_scenario_str(file: &str, text: &str, dir: &Path) -> Result<LoadedScenario, InputError> {
    let mut table = layered(file, text, dir, 0)?;
    if !table.contains_key("name") {
        let stem = Path::new(file)
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("scenario");
        table.insert("name".into(), Value::String(stem.into()));
    }
    let mut problems = Problems::new(file);
    let non_finite = replace_non_finite(&mut table, &mut problems);
    let (scenario, mut broken_arms) = parse_collecting(table, &mut problems);
    broken_arms.extend(non_finite.iter().filter_map(|(_, arm)| *arm));
    let mut counts = None;
    if let Some(s) = &scenario {
        let mut checks = Problems::new(file);
        validate(&mut checks, s, &broken_arms);
        if let Err(found) = checks.into_result() {
            // A value that was NaN is checked as 0 only so the rest can be; what that says
            // about the value (or the parameter holding it) is not news.
            let mut found = found;
            found.problems.retain(|p| {
                !non_finite
                    .iter()
                    .any(|(path, _)| path.starts_with(&p.field))
            });
            problems.absorb(found);
        }
        if let Some(csv) = &s.population.counts_csv {
            match load_counts(Path::new(csv)) {
                Ok(rows) => counts = Some(rows),
                Err(e) => problems.absorb(e),
            }
        }
    }
    problems.into_result()?;
    let scenario = scenario.expect("a scenario that parsed");
    Ok(LoadedScenario {
        scenario,
        file: file.to_string(),
        dir: dir.to_path_buf(),
        counts,
    })
}

/// Reads a scenario file, or the built-in default when `path` is `None`.
pub fn load_scenario(path: Option<&Path>) -> Result<LoadedScenario, InputError> {
    match path {
        None => load_scenario_str(
            "the built-in default scenario",
            data::DEFAULT_SCENARIO_TOML,
            Path::new("."),
        ),
        Some(p) => {
            let file = p.display().to_string();
            let text = std::fs::read_to_string(p).map_err(|e| {
                InputError::new(&file, "", format!("expected a readable scenario file: {e}"))
            })?;
            let dir = p.parent().map(Path::to_path_buf).unwrap_or_default();
            load_scenario_str(&file, &text, &dir)
        }
    }
}
