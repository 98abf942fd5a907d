//! Reading a scenario: its base chain, the merge, the typed parse, validation.

use std::path::{Path, PathBuf};

use toml::{Table, Value};

use serde_path_to_error::Segment;

use super::Scenario;
use super::contracts::{
    ActivitySpec, CapitationSpec, FixedSpec, OutcomeSpec, PerUnitSpec, QualitySpec, RiskShareSpec,
    SharedSavingsSpec,
};
use super::counts::{HeadCounts, load_counts};
use super::defaults::defaults_table;
use super::overrides::{self, Override};
use super::validate::validate;
use super::validate_contracts::delivered_by_no_provider;
use crate::data;
use crate::error::{InputError, InputProblem, Problems};
use crate::unknown_name;

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
    pub counts: Option<HeadCounts>,
    /// The fields `--set` changed: a problem found later in one of them (or inside one) is the
    /// command line's, not the file's ([`LoadedScenario::origin_of`]).
    pub set_fields: Vec<String>,
}

impl LoadedScenario {
    /// Where a problem with `field` found after loading comes from ([`origin_of`]).
    pub fn origin_of(&self, field: &str) -> &str {
        origin_of(&self.file, &self.set_fields, field)
    }

    /// As [`LoadedScenario::origin_of`] for a problem any of `fields` may have caused: the
    /// command line's when a `--set` wrote any of them.
    pub fn origin_of_any(&self, fields: &[&str]) -> &str {
        fields
            .iter()
            .map(|field| self.origin_of(field))
            .find(|&origin| origin != self.file)
            .unwrap_or(&self.file)
    }
}

/// Where a problem with `field` found after loading comes from: the command line when a `--set`
/// (of those at `set_fields`) wrote it, or a table holding it, else the scenario `file`.
pub fn origin_of<'a>(file: &'a str, set_fields: &[String], field: &str) -> &'a str {
    if set_by_override(field, set_fields.iter().map(String::as_str)) {
        overrides::ORIGIN
    } else {
        file
    }
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

/// Whether a table is a parameter's (`{ value = .. }` or `{ dist = .. }`), which replaces whole.
pub fn is_param_table(t: &Table) -> bool {
    t.contains_key("value") || t.contains_key("dist")
}

fn parse_table(file: &str, text: &str) -> Result<Table, InputError> {
    toml::from_str::<Table>(text).map_err(|e| {
        let mut msg = e.message().to_string();
        if let Some(span) = e.span() {
            let line = text[..span.start].matches('\n').count() + 1;
            msg = format!("line {line}: {msg}");
            // The value the parser stopped at, or failing that the line's (inside an inline
            // table the line's first value is not the one).
            let at_error = text[span.start..]
                .split([',', '}', ']', '\n', '#'])
                .next()
                .and_then(number_with_units);
            let line_text = text.lines().nth(line - 1).unwrap_or("");
            if let Some(hint) = at_error.or_else(|| number_with_units_hint(line_text)) {
                msg = format!("{msg} ({hint})");
            }
        }
        InputError::new(file, "", format!("not valid TOML: {msg}"))
    })
}

/// What to write instead of a number with a unit (`5%`, `£2m`, `2bn`), which TOML reads as an
/// unquoted string: its own advice, to quote it, would only lead to a second error.
fn number_with_units_hint(line: &str) -> Option<&'static str> {
    let value = line.split_once('=')?.1;
    let value = value
        .split('#')
        .next()
        .unwrap_or("")
        .trim()
        .trim_end_matches([',', '}']);
    number_with_units(value)
}

/// What to write instead of `value` when it is a number with a unit (`5%`, `£2m`, `2bn`).
fn number_with_units(value: &str) -> Option<&'static str> {
    let value = value.trim();
    let bare = value.trim_start_matches('£');
    let numeric_start = bare.starts_with(|c: char| c.is_ascii_digit() || c == '-' || c == '.');
    if !numeric_start {
        return None;
    }
    let unit = bare.trim_start_matches(|c: char| c.is_ascii_digit() || "-+._eE".contains(c));
    let unit = unit.trim().to_ascii_lowercase();
    if unit == "%" {
        Some("numbers are written without units: a share as 0.05 for 5%, not 5%")
    } else if value.starts_with('£') {
        Some("amounts are written in £ without units: 2_300_000_000 for £2.3bn, not £2.3bn")
    } else if ["k", "m", "bn", "b"].contains(&unit.as_str()) {
        // A head count as much as an amount: the hint must fit both.
        Some(
            "numbers are written in full, without k, m or bn: 300_000 for 300k, \
             2_300_000_000 for £2.3bn",
        )
    } else {
        None
    }
}

/// Each file of a scenario's base chain with its own table, the scenario's own first.
type Layers = Vec<(String, Table)>;

/// The raw layers of a scenario: its own table on top of its base's, recursively; returns the
/// merged table and the layers it came from.
fn layered(
    file: &str,
    text: &str,
    dir: &Path,
    depth: usize,
) -> Result<(Table, Layers), InputError> {
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
    let (mut merged, mut layers) = match own.get("base") {
        None => (defaults_table(), Vec::new()),
        Some(Value::String(b)) if b == DEFAULT_NAME => layered(
            "the built-in default scenario",
            data::DEFAULT_SCENARIO_TOML,
            dir,
            depth + 1,
        )?,
        Some(Value::String(b)) => {
            let path = dir.join(b);
            let base_text = read_scenario_text(&path).map_err(|e| {
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
    // A description says what its own file models: a variant that changes its base without
    // describing itself must not be reported under its base's words.
    if own.contains_key("base") && !own.contains_key("description") {
        merged.insert("description".into(), Value::String(String::new()));
    }
    layers.insert(0, (file.to_string(), own.clone()));
    merge(&mut merged, own);
    Ok((merged, layers))
}

/// The file a problem's value comes from: the first layer of the chain that writes it (an arm or
/// provider list is written whole by one layer), or the scenario itself.
fn origin<'a>(field: &str, layers: &'a Layers) -> Option<&'a str> {
    let mut keys: Vec<&str> = Vec::new();
    for part in field.split('.') {
        let key = part.split(['[', ' ']).next().unwrap_or("");
        keys.push(key);
        if key != part || ["arm", "provider", "intervention"].contains(&key) {
            break;
        }
    }
    layers
        .iter()
        .find(|(_, table)| {
            let mut here = Some(table);
            let mut value = None;
            for key in &keys {
                value = here.and_then(|t| t.get(*key));
                here = value.and_then(Value::as_table);
            }
            value.is_some()
        })
        .map(|(file, _)| file.as_str())
}

/// Most structural problems reported from one file before giving up.
const MAX_STRUCTURAL_PROBLEMS: usize = 50;

/// What [`parse_collecting`] found: the scenario when the file is otherwise sound enough to
/// check its values, the arms whose structure was broken, and the fields given stand-ins because
/// they were missing (their values are not the user's, so nothing is said of them).
struct Parsed {
    scenario: Option<Scenario>,
    broken_arms: Vec<usize>,
    stand_ins: Vec<String>,
    beyond_storage: Vec<BeyondStorage>,
}

/// A whole number beyond what its field can hold (`age_min = 300`, `years = -1`). It is held
/// at the nearest number the field can hold, so that the field's own check, which knows the
/// field's real range (0 to 100, not the 0 to 255 a byte holds), says what is expected; that
/// message then shows the number as written. With no such check the holding range is the
/// field's range, and its message says so.
struct BeyondStorage {
    field: String,
    /// Its path's keys, to know it again.
    raw: String,
    /// The number as written, and the one held in its place.
    written: String,
    held: i64,
    /// What the field can hold.
    message: String,
}

impl BeyondStorage {
    /// From a serde message (in plain words) refusing a whole number, if it is out of range.
    fn from_message(field: &str, raw: &str, message: &str) -> Option<BeyondStorage> {
        let rest = message.strip_prefix("invalid value: integer `")?;
        let written = &rest[..rest.find('`')?];
        let held = if written.starts_with('-') {
            0
        } else {
            let top = &message[message.find(" to ")? + 4..];
            let top: String = top
                .chars()
                .take_while(|c| c.is_ascii_digit() || *c == ',')
                .filter(char::is_ascii_digit)
                .collect();
            top.parse().ok()?
        };
        Some(BeyondStorage {
            field: field.to_string(),
            raw: raw.to_string(),
            written: written.to_string(),
            held,
            message: message.to_string(),
        })
    }

    /// The field's own check's complaint about the number held, as about the number written:
    /// the held number after the message's last "found" is replaced. None if it is not about it.
    fn as_written(&self, problem_field: &str, expected: &str) -> Option<String> {
        if !within(&self.field, problem_field) {
            return None;
        }
        let at = expected.rfind("found ")? + "found ".len();
        let held = self.held.to_string();
        // Part of another number: a digit, or a decimal point beside one (2.55, not 255..100).
        let joined = |mut beside: std::iter::Peekable<std::str::Chars>| match beside.next() {
            Some(c) if c.is_ascii_digit() => true,
            Some('.') => beside.peek().is_some_and(char::is_ascii_digit),
            _ => false,
        };
        let mut from = at;
        while let Some(i) = expected[from..].find(&held) {
            let start = from + i;
            let end = start + held.len();
            let before: String = expected[..start].chars().rev().collect();
            if !joined(before.chars().peekable()) && !joined(expected[end..].chars().peekable()) {
                return Some(format!(
                    "{}{}{}",
                    &expected[..start],
                    self.written,
                    &expected[end..]
                ));
            }
            from = end;
        }
        None
    }
}

/// Values tried, in turn, in place of a missing field so the parse can go on to the table's
/// other missing fields (serde names one at a time): the first the field's type takes stays.
fn stand_in_values() -> [Value; 6] {
    [
        Value::Float(1.0),
        Value::Integer(1),
        Value::String("stand-in".into()),
        Value::Table(Table::new()),
        Value::Array(Vec::new()),
        Value::Boolean(false),
    ]
}

/// A field given a stand-in: where it is, the table it is missing from, and which value of
/// [`stand_in_values`] it holds.
struct StandIn {
    /// As problems name it (arms and interventions by name).
    field: String,
    /// By position, as bookkeeping compares it (names can be shared, or missing).
    raw: String,
    path: Vec<Segment>,
    parent: Vec<Segment>,
    tried: usize,
}

/// Whether `field` is `path` or lies inside it.
/// Whether a problem with `field` is an override's (of those at `paths`): the override's own
/// field, one inside it, or a table it made or changed.
fn set_by_override<'a>(field: &str, mut paths: impl Iterator<Item = &'a str>) -> bool {
    let field = without_kinds(field);
    let field = field.as_str();
    paths.any(|path| {
        let path = without_kinds(path);
        let path = path.as_str();
        within(field, path)
            || within(path, field)
            // One field of a component set against another of it (an amount beside its share):
            // the --set made the contradiction.
            || component_of(field).is_some_and(|c| Some(c) == component_of(path))
    })
}

/// A problem's field without the kinds it names its components by: `…component[0] (fixed).share`
/// as `…component[0].share`.
fn without_kinds(field: &str) -> String {
    let mut out = String::with_capacity(field.len());
    let mut rest = field;
    while let Some(at) = rest.find(" (") {
        out.push_str(&rest[..at]);
        rest = rest[at..].find(')').map_or("", |end| &rest[at + end + 1..]);
    }
    out.push_str(rest);
    out
}

/// The component a path is in (`arm.x.component[0]`), if any.
fn component_of(path: &str) -> Option<&str> {
    let at = path.find(".component[")?;
    let end = path[at..].find(']')?;
    Some(&path[..at + end + 1])
}

fn within(field: &str, path: &str) -> bool {
    field
        .strip_prefix(path)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('.') || rest.starts_with('['))
}

/// Writes out what each re-based component is set on where the file leaves it to the default
/// (an activity plan on volume, an amount on cost), so the resolved scenario states it.
fn fill_rebase_outturns(scenario: &mut Scenario) {
    for arm in &mut scenario.arm {
        for spec in &mut arm.component {
            spec.fill_rebase_outturn();
        }
    }
}

/// Parses the merged table into a [`Scenario`], collecting every structural problem (unknown
/// fields, wrong types, misspelt names, missing fields) rather than stopping at the first: after
/// each error the offending value is set aside (reset to the model default where there is one,
/// removed otherwise), or a missing field given a stand-in, and the parse is tried again.
fn parse_collecting(mut table: Table, problems: &mut Problems) -> Parsed {
    let defaults = defaults_table();
    let mut broken_arms = set_aside_broken_components(&mut table, problems);
    let mut previous = String::new();
    let mut set_aside_fields: Vec<String> = Vec::new();
    let mut stand_ins: Vec<StandIn> = Vec::new();
    let mut reported = 0;
    let mut new_types = NewTypes::default();
    let mut beyond_storage: Vec<BeyondStorage> = Vec::new();
    for _ in 0..MAX_STRUCTURAL_PROBLEMS * stand_in_values().len() {
        let error = match serde_path_to_error::deserialize(Value::Table(table.clone())) {
            Ok(mut scenario) => {
                fill_rebase_outturns(&mut scenario);
                new_types.report(problems, &defaults);
                return Parsed {
                    scenario: Some(scenario),
                    broken_arms,
                    stand_ins: stand_ins.into_iter().map(|s| s.field).collect(),
                    beyond_storage,
                };
            }
            Err(e) => e,
        };
        let segments: Vec<Segment> = error.path().iter().cloned().collect();
        let msg = message(&error.into_inner());
        let (segments, msg) = naming_the_variants(&table, segments, msg, first_problem::<Scenario>);
        let field = field_path(&segments, &table);
        let raw = keys(&segments).join(".");
        if let [Segment::Map { key }, Segment::Seq { index }, ..] = segments.as_slice()
            && key == "arm"
        {
            broken_arms.push(*index);
        }
        if !beyond_storage.iter().any(|b| b.raw == raw)
            && let Some(beyond) = BeyondStorage::from_message(&field, &raw, &msg)
            && put(&mut table, &segments, Value::Integer(beyond.held))
        {
            beyond_storage.push(beyond);
            continue;
        }
        // A missing name gets no stand-in: messages and checks would name the item by it.
        let missing = missing_field(&msg).filter(|&name| name != "name");
        if let Some(name) = missing {
            let mut path = segments.clone();
            path.push(Segment::Map { key: name.into() });
            let child = field_path(&path, &table);
            let child_raw = keys(&path).join(".");
            // Missing because it was set aside, or inside a stand-in: not news.
            let known = set_aside_fields.contains(&child_raw)
                || stand_ins.iter().any(|s| within(&raw, &s.raw));
            let of_a_new_type = new_types.lacks(&segments, name, &defaults);
            if !known && !of_a_new_type && reported < MAX_STRUCTURAL_PROBLEMS {
                problems.push(field.clone(), msg);
                reported += 1;
            }
            if put(&mut table, &path, stand_in_values()[0].clone()) {
                stand_ins.push(StandIn {
                    field: child,
                    raw: child_raw,
                    path,
                    parent: segments,
                    tried: 0,
                });
                continue;
            }
        } else if let Some(s) = stand_ins.iter_mut().rev().find(|s| within(&raw, &s.raw)) {
            // The stand-in is not of the field's type: the next one, or, with none left, the
            // table it stands in is set aside (as before stand-ins).
            s.tried += 1;
            if let Some(value) = stand_in_values().get(s.tried) {
                put(&mut table, &s.path, value.clone());
                continue;
            }
            let parent = s.parent.clone();
            if !set_aside(&mut table, &defaults, &parent) {
                break;
            }
            continue;
        } else {
            // A value reset to its default that still fails is the same problem, not a new one;
            // nor is a name missing because its wrong value was set aside.
            let set_aside_name = missing_field(&msg).is_some_and(|name| {
                let mut path = segments.clone();
                path.push(Segment::Map { key: name.into() });
                set_aside_fields.contains(&keys(&path).join("."))
            }) || set_aside_fields.iter().any(|aside| {
                // A table's own complaint that a key set aside is missing ("a uniform
                // distribution needs `min`" once `min = "0.6"` is set aside).
                aside
                    .strip_prefix(&format!("{raw}."))
                    .is_some_and(|key| !key.contains('.') && msg.contains(&format!("`{key}`")))
            });
            if field != previous && !set_aside_name && reported < MAX_STRUCTURAL_PROBLEMS {
                problems.push(field.clone(), msg);
                reported += 1;
            }
            set_aside_fields.push(raw);
        }
        if !set_aside(&mut table, &defaults, &segments) {
            break;
        }
        previous = field;
    }
    new_types.report(problems, &defaults);
    Parsed {
        scenario: None,
        broken_arms,
        stand_ins: Vec::new(),
        beyond_storage,
    }
}

/// Activity types the scenario adds (`[activity.types.walk_in]`, or a misspelt `gpp`), with the
/// settings each lacks: one problem per type, not one per missing setting.
#[derive(Default)]
struct NewTypes(Vec<(String, Vec<String>)>);

impl NewTypes {
    /// Whether `name` is missing from a type no base scenario has; if so it is noted.
    fn lacks(&mut self, segments: &[Segment], name: &str, defaults: &Table) -> bool {
        let [
            Segment::Map { key: a },
            Segment::Map { key: t },
            Segment::Map { key: ty },
        ] = segments
        else {
            return false;
        };
        if a != "activity" || t != "types" || built_in_types(defaults).contains(&ty.as_str()) {
            return false;
        }
        match self.0.iter_mut().find(|(known, _)| known == ty) {
            Some((_, names)) => names.push(name.to_string()),
            None => self.0.push((ty.clone(), vec![name.to_string()])),
        }
        true
    }

    fn report(&self, problems: &mut Problems, defaults: &Table) {
        let built_in_names = built_in_types(defaults);
        let built_in = built_in_names.join(", ");
        for (ty, names) in &self.0 {
            let lacking: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
            problems.push(
                format!("activity.types.{ty}"),
                format!(
                    "expected one of the built-in activity types ({built_in}) or a new type with \
                     all of its settings; \"{ty}\"{} lacks {} (scenarios/west-yorkshire.toml's \
                     elective_leeds is a new type written out)",
                    unknown_name::did_you_mean(ty, &built_in_names, "\""),
                    lacking.join(", ")
                ),
            );
        }
    }
}

/// The built-in scenario's activity types.
fn built_in_types(defaults: &Table) -> Vec<&str> {
    defaults
        .get("activity")
        .and_then(|a| a.get("types"))
        .and_then(Value::as_table)
        .map(|t| t.keys().map(String::as_str).collect())
        .unwrap_or_default()
}

/// The activity types each `[[provider]]` item of the raw scenario lists, where its list reads
/// as strings: what a provider set aside during the parse was to deliver.
fn listed_types(table: &Table) -> Vec<Option<Vec<String>>> {
    let Some(Value::Array(items)) = table.get("provider") else {
        return Vec::new();
    };
    items
        .iter()
        .map(|item| {
            let Some(Value::Array(types)) = item.get("activity") else {
                return None;
            };
            types
                .iter()
                .map(|t| t.as_str().map(str::to_string))
                .collect()
        })
        .collect()
}

/// The activity types whose provider the parse's problems leave unknown, so that they are not
/// news as delivered by none.
#[derive(Debug, PartialEq)]
enum OwnersUnknown {
    /// Those a provider set aside for want of a name (`provider[1]`) listed.
    Types(Vec<String>),
    /// Every type: a set-aside provider's list, or any provider's `activity`, could not be read.
    All,
}

impl OwnersUnknown {
    /// From the fields of the parse's problems and what each provider item listed. A misspelt
    /// field beside a good list leaves nothing unknown.
    fn from_problems<'a>(
        fields: impl Iterator<Item = &'a str>,
        listed: &[Option<Vec<String>>],
    ) -> Self {
        let mut types = Vec::new();
        for field in fields {
            let Some(rest) = field.strip_prefix("provider") else {
                continue;
            };
            if rest
                .split('.')
                .any(|key| key == "activity" || key.starts_with("activity["))
            {
                return OwnersUnknown::All;
            }
            let whole_item = rest.strip_prefix('[').and_then(|r| r.strip_suffix(']'));
            if let Some(index) = whole_item {
                match index.parse::<usize>().ok().and_then(|i| listed.get(i)) {
                    Some(Some(listed)) => types.extend(listed.iter().cloned()),
                    _ => return OwnersUnknown::All,
                }
            }
        }
        OwnersUnknown::Types(types)
    }

    /// Whether a validation problem is a gap these unknown owners explain.
    fn explains(&self, problem: &InputProblem) -> bool {
        problem.field == "provider"
            && match self {
                OwnersUnknown::All => true,
                OwnersUnknown::Types(types) => types
                    .iter()
                    .any(|t| problem.expected == delivered_by_no_provider(t)),
            }
    }
}

/// The field a serde "missing field `x`" message names.
fn missing_field(message: &str) -> Option<&str> {
    message.strip_prefix("missing field `")?.split('`').next()
}

/// Sets the value at `path` (creating nothing but the last key, replacing a list's item); false
/// when its table or item is gone.
fn put(table: &mut Table, path: &[Segment], value: Value) -> bool {
    let mut root = Value::Table(std::mem::take(table));
    let done = put_in(&mut root, path, value);
    if let Value::Table(t) = root {
        *table = t;
    }
    done
}

fn put_in(here: &mut Value, path: &[Segment], value: Value) -> bool {
    match (path, here) {
        ([Segment::Map { key }], Value::Table(t)) => {
            t.insert(key.clone(), value);
            true
        }
        ([Segment::Map { key }, rest @ ..], Value::Table(t)) => {
            t.get_mut(key).is_some_and(|v| put_in(v, rest, value))
        }
        ([Segment::Seq { index }], Value::Array(a)) => match a.get_mut(*index) {
            Some(item) => {
                *item = value;
                true
            }
            None => false,
        },
        ([Segment::Seq { index }, rest @ ..], Value::Array(a)) => {
            a.get_mut(*index).is_some_and(|v| put_in(v, rest, value))
        }
        _ => false,
    }
}

/// A serde error's message without the TOML layer's repeat of the path ("in `years`"): the path
/// is reported as the field.
fn message(error: &impl std::fmt::Display) -> String {
    let text = error.to_string();
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| !l.starts_with("in `") && !l.trim().is_empty())
        .collect();
    plain_types(&lines.join(" "))
}

/// A list given where a table of settings belongs.
const LIST_WHERE_TABLE: &str = "expected a table of settings ([name] or { … }), found a list \
     ([ … ]): a list's values would be read in the order of the table's fields, unnamed";

/// serde names the Rust type a field wants (`expected u32`, `expected struct PopulationSpec`);
/// a user reads what it means.
fn plain_types(message: &str) -> String {
    let mut text = message.to_string();
    // A whole number's bounds matter when a number is out of them ("invalid value: 300" for a
    // u8), not when the value is not a number at all.
    let wrong_type = text.starts_with("invalid type");
    // Below 0 is what is wrong with a negative number, whatever the top of the range.
    let negative = text.starts_with("invalid value: integer `-");
    let bounded = |bounds: &'static str| {
        if wrong_type {
            "a whole number"
        } else if negative {
            "a whole number, 0 or more"
        } else {
            bounds
        }
    };
    if let Some(at) = text.find("expected struct ") {
        let rest = &text[at + "expected struct ".len()..];
        let end = rest
            .find(|c: char| !c.is_alphanumeric() && c != '_')
            .unwrap_or(rest.len());
        let end = at + "expected struct ".len() + end;
        text.replace_range(at..end, "expected a table of settings ([name] or { … })");
    }
    text = text.replace("expected a sequence", "expected a list ([ … ])");
    // A list of the wrong length read as a table, or a list where a map belongs.
    let table = "expected a table of settings ([name] or { … })";
    if (text.starts_with("invalid length") && text.contains(&format!("{table} with ")))
        || text.starts_with("invalid type: sequence, expected a map")
    {
        return LIST_WHERE_TABLE.to_string();
    }
    text = text
        .replace("invalid type: sequence,", "invalid type: a list,")
        .replace("invalid type: map,", "invalid type: a table,")
        .replace("expected a map", table)
        .replace("expected an array of length", "expected a list of length")
        .replace("elements in array", "items in the list");
    if let Some(rest) = text.strip_prefix("invalid length ")
        && let Some((found, expected)) = rest.split_once(", expected a list of length ")
    {
        let expected = expected.trim_end_matches(|c: char| !c.is_ascii_digit());
        text = format!("expected a list of {expected} items, found {found}");
    }
    if text.starts_with("invalid type: a table, expected a list ([ … ])") {
        text.push_str(" (a list of tables is written [[name]] above each item)");
    }
    for (rust, plain) in [
        ("u8", bounded("a whole number from 0 to 255")),
        ("u16", bounded("a whole number from 0 to 65,535")),
        ("u32", bounded("a whole number from 0 to 4,294,967,295")),
        ("u64", bounded("a whole number, 0 or more")),
        ("usize", bounded("a whole number, 0 or more")),
        ("i32", "a whole number"),
        ("i64", "a whole number"),
        ("f64", "a number"),
    ] {
        let word = format!("expected {rust}");
        if let Some(at) = text.find(&word)
            && !text[at + word.len()..].starts_with(|c: char| c.is_alphanumeric())
        {
            text.replace_range(at..at + word.len(), &format!("expected {plain}"));
        }
    }
    text = text.replacen("unknown variant", UNKNOWN_NAME, 1);
    // The probe for a field's names (naming_the_variants) is refused as it is.
    if !text.contains(NO_VARIANT) {
        text = unknown_name::suggest_in_serde_message(&text);
    }
    text.push_str(&how_numbers_are_written(&text));
    text
}

/// What a number with a decimal point or exponent where a whole number belongs is told.
pub const WHOLE_NUMBER_HINT: &str =
    " (a whole number is written without a decimal point or exponent: 10000, not 1e4)";

/// A hint for a number written as a spreadsheet would show it: quoted or with thousands
/// separators ("5,300"), or with a decimal point or exponent where a whole number belongs
/// (1e4 is read as 10000.0).
fn how_numbers_are_written(text: &str) -> String {
    let wants_number =
        text.contains("expected a whole number") || text.contains("expected a number");
    if !wants_number {
        return String::new();
    }
    if text.starts_with("invalid type: floating point") && text.contains("expected a whole number")
    {
        return WHOLE_NUMBER_HINT.into();
    }
    let quoted = text
        .strip_prefix("invalid type: string \"")
        .and_then(|rest| rest.split_once('"'))
        .map(|(given, _)| given);
    let Some(given) = quoted else {
        return String::new();
    };
    let plain = given.replace([',', '_'], "");
    match plain.trim().parse::<f64>().ok().filter(|x| x.is_finite()) {
        Some(_) if given.contains(',') => {
            format!(
                " (write the number without quotes or thousands separators: {})",
                plain.trim()
            )
        }
        Some(_) => format!(" (write the number without quotes: {})", given.trim()),
        None => number_with_units(given).map_or(String::new(), |hint| format!(" ({hint})")),
    }
}

/// Components are a tagged union, inside which serde loses the path of a problem; each is
/// parsed here as its own kind first, so a problem names its field
/// (`arm.x.component[0].risk_adjustment`). A broken component is reported and taken out, and
/// its arm returned so its values are not checked again.
fn set_aside_broken_components(table: &mut Table, problems: &mut Problems) -> Vec<usize> {
    let names = table.clone();
    let mut broken_arms = Vec::new();
    let Some(Value::Array(arms)) = table.get_mut("arm") else {
        return broken_arms;
    };
    for (a, arm) in arms.iter_mut().enumerate() {
        let Some(Value::Array(components)) = arm.get_mut("component") else {
            continue;
        };
        let mut kept = Vec::new();
        for (k, component) in std::mem::take(components).into_iter().enumerate() {
            let found = component_problems(&component);
            if found.is_empty() {
                kept.push(component);
                continue;
            }
            for (inner, msg) in found {
                let mut path = vec![
                    Segment::Map { key: "arm".into() },
                    Segment::Seq { index: a },
                    Segment::Map {
                        key: "component".into(),
                    },
                    Segment::Seq { index: k },
                ];
                path.extend(inner);
                problems.push(field_path(&path, &names), msg);
            }
            broken_arms.push(a);
        }
        *components = kept;
    }
    broken_arms
}

/// The problems of a component parsed as the kind it names, with their paths inside the
/// component: every missing field (each given a stand-in in turn, as [`parse_collecting`] does)
/// and every wrong value (set aside in turn), up to a wrong item of a list. A component without
/// a known `kind` is left to the full parse, which names the kinds there are.
fn component_problems(component: &Value) -> Vec<(Vec<Segment>, String)> {
    let Value::Table(fields) = component else {
        return Vec::new();
    };
    let mut body = fields.clone();
    let Some(kind) = body.remove("kind") else {
        return Vec::new();
    };
    let mut found = Vec::new();
    // The stand-in being tried: its path and which value it holds.
    let mut trying: Option<(Vec<Segment>, usize)> = None;
    let mut set_aside_fields: Vec<Vec<String>> = Vec::new();
    for _ in 0..MAX_STRUCTURAL_PROBLEMS {
        let Some((inner, msg)) = component_problem(kind.as_str(), &body) else {
            break;
        };
        let (inner, msg) = naming_the_variants(&body, inner, msg, |probe| {
            component_problem(kind.as_str(), probe)
        });
        let on_stand_in = trying
            .as_ref()
            .is_some_and(|(path, _)| keys(&inner).starts_with(&keys(path)));
        if on_stand_in {
            let (path, tried) = trying.as_mut().expect("a stand-in");
            *tried += 1;
            match stand_in_values().get(*tried) {
                Some(value) => {
                    put(&mut body, path, value.clone());
                    continue;
                }
                None => break,
            }
        }
        match missing_field(&msg) {
            Some(name) => {
                let mut path = inner.clone();
                path.push(Segment::Map { key: name.into() });
                // Missing because its wrong value was set aside: already reported.
                if !set_aside_fields.contains(&keys(&path)) {
                    found.push((inner, msg));
                }
                put(&mut body, &path, stand_in_values()[0].clone());
                trying = Some((path, 0));
            }
            // A value of the wrong type, an unknown field or variant: reported and set aside,
            // and the search goes on. An item of a list is not taken out (the items after it
            // would be named by the wrong index): the search ends there.
            None => {
                let msg = why_not_people(&keys(&inner), &msg).unwrap_or(msg);
                found.push((inner.clone(), msg));
                let named_by_key = matches!(inner.last(), Some(Segment::Map { .. }));
                if !named_by_key || !set_aside(&mut body, &Table::new(), &inner) {
                    break;
                }
                set_aside_fields.push(keys(&inner));
            }
        }
    }
    found
}

/// A kind of component that does not take `people`, or a filter in it by age or sex, says
/// why (serde's words would only list the fields there are).
fn why_not_people(path: &[String], msg: &str) -> Option<String> {
    if msg.starts_with("unknown field `people`") {
        return Some(
            "expected `people` only on a fixed, activity or capitation component: a component \
             of this kind is settled on the holder's whole year (pay for some people's care \
             with a component of its own beside one for the others)"
                .to_string(),
        );
    }
    let by_age_or_sex = ["age_min", "age_max", "sex"]
        .iter()
        .any(|field| msg.starts_with(&format!("unknown field `{field}`")));
    let in_people = path.len() >= 2 && path[path.len() - 2] == "people";
    (by_age_or_sex && in_people).then(|| {
        format!(
            "{msg}: activity is counted per reporting group, which has no age or sex (choose \
             ages for the whole scenario with [population.cohort])"
        )
    })
}

/// A path's segments as text, to compare paths.
fn keys(path: &[Segment]) -> Vec<String> {
    path.iter()
        .map(|s| match s {
            Segment::Seq { index } => format!("[{index}]"),
            Segment::Map { key } | Segment::Enum { variant: key } => key.clone(),
            _ => "?".into(),
        })
        .collect()
}

/// A value of the wrong type where one of a list of names belongs (`risk_adjustment = 5`):
/// serde's words ("invalid type: unit variant, expected string only") name neither what was
/// given nor what would do. The value, or the table holding it, is tried as a name no field
/// takes; when `parse` then refuses it as an unknown variant of the same field, the names that
/// refusal lists are what is expected. Otherwise the problem is returned as it was.
fn naming_the_variants(
    table: &Table,
    segments: Vec<Segment>,
    msg: String,
    parse: impl Fn(&Table) -> Option<(Vec<Segment>, String)>,
) -> (Vec<Segment>, String) {
    if !msg.starts_with("invalid type") && !msg.starts_with("expected table") {
        return (segments, msg);
    }
    for depth in [segments.len(), segments.len().saturating_sub(1)] {
        let field = &segments[..depth];
        if !matches!(
            field.last(),
            Some(Segment::Map { .. } | Segment::Seq { .. })
        ) {
            continue;
        }
        let Some(given) = value_at(table, field).map(described) else {
            continue;
        };
        let mut probe = table.clone();
        if !put(&mut probe, field, Value::String(NO_VARIANT.into())) {
            continue;
        }
        let Some((at, refused)) = parse(&probe) else {
            continue;
        };
        let unknown = format!("{UNKNOWN_NAME} `{NO_VARIANT}`, ");
        if keys(&at) == keys(field)
            && let Some(expected) = refused.strip_prefix(&unknown)
        {
            return (field.to_vec(), format!("invalid type: {given}, {expected}"));
        }
    }
    (segments, msg)
}

/// serde's "unknown variant" in a reader's words: a name that is not one of a field's choices.
const UNKNOWN_NAME: &str = "unknown name";

/// A name no field of a scenario takes, to find which names one does.
const NO_VARIANT: &str = "\u{1}";

/// The value at `path` in `table`.
fn value_at<'a>(table: &'a Table, path: &[Segment]) -> Option<&'a Value> {
    let (Segment::Map { key }, rest) = path.split_first()? else {
        return None;
    };
    let mut here = table.get(key)?;
    for segment in rest {
        here = match (segment, here) {
            (Segment::Map { key }, Value::Table(t)) => t.get(key)?,
            (Segment::Seq { index }, Value::Array(a)) => a.get(*index)?,
            _ => return None,
        };
    }
    Some(here)
}

/// A value as serde's messages describe what was given (integer `5`, a table).
fn described(value: &Value) -> String {
    match value {
        Value::String(s) => format!("string {s:?}"),
        Value::Integer(i) => format!("integer `{i}`"),
        Value::Float(f) => format!("floating point `{f}`"),
        Value::Boolean(b) => format!("boolean `{b}`"),
        Value::Datetime(d) => format!("date `{d}`"),
        Value::Array(_) => "a list".into(),
        Value::Table(_) => "a table".into(),
    }
}

/// The first problem of `table` parsed as a `T`, with its path and in a reader's words.
fn first_problem<T: serde::de::DeserializeOwned>(table: &Table) -> Option<(Vec<Segment>, String)> {
    serde_path_to_error::deserialize::<_, T>(Value::Table(table.clone()))
        .err()
        .map(|e| (e.path().iter().cloned().collect(), message(&e.into_inner())))
}

/// The first problem of a component's `body` parsed as `kind`, with its path inside it.
fn component_problem(kind: Option<&str>, body: &Table) -> Option<(Vec<Segment>, String)> {
    match kind? {
        "fixed" => first_problem::<FixedSpec>(body),
        "activity" => first_problem::<ActivitySpec>(body),
        "capitation" => first_problem::<CapitationSpec>(body),
        "outcome" => first_problem::<OutcomeSpec>(body),
        "per_unit" => first_problem::<PerUnitSpec>(body),
        "risk_share" => first_problem::<RiskShareSpec>(body),
        "shared_savings" => first_problem::<SharedSavingsSpec>(body),
        "quality_deduction" => first_problem::<QualitySpec>(body),
        _ => None,
    }
}

/// A problem's path as the rest of validation writes it: dotted keys, `[i]` for list items, and
/// an arm by its name (`arm.capitation.component[1].kind`), as the user wrote it.
fn field_path(segments: &[Segment], table: &Table) -> String {
    let mut out = String::new();
    for (i, seg) in segments.iter().enumerate() {
        match seg {
            Segment::Seq { index } => {
                // Arms and interventions are named by their name, as validation names them.
                let list = match &segments[0] {
                    Segment::Map { key } if i == 1 && (key == "arm" || key == "intervention") => {
                        Some(key.as_str())
                    }
                    _ => None,
                };
                let arm_name = list
                    .and_then(|list| table.get(list)?.get(*index)?.get("name")?.as_str())
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

/// Largest scenario file read: scenarios are a few kilobytes of text.
const MAX_SCENARIO_BYTES: u64 = 16 << 20;

/// A scenario file's text, refused when larger than [`MAX_SCENARIO_BYTES`].
fn read_scenario_text(path: &Path) -> std::io::Result<String> {
    let bytes = read_at_most(path, MAX_SCENARIO_BYTES, "scenario")?;
    String::from_utf8(bytes).map_err(|_| std::io::Error::other("not UTF-8 text"))
}

/// The bytes of the `what` file at `path`, refused when more than `limit`: an input file that
/// never ends (a device) must not fill the memory.
pub(crate) fn read_at_most(path: &Path, limit: u64, what: &str) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(limit + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(std::io::Error::other(format!(
            "larger than {} MiB, which no {what} file is",
            limit >> 20
        )));
    }
    Ok(bytes)
}

/// Longest text a scenario may hold in one value, in characters: a spreadsheet cell's limit,
/// and the run's workbook carries its names, description and sources.
pub const MAX_TEXT_CHARS: usize = 32_767;

/// Visits every value of `table` that is not itself a table or an array, with its path, and
/// returns the paths `visit` finds something at, with what it found; `visit` may change the
/// value (so that later checks do not trip over it again).
fn find_in_values<T>(
    table: &mut Table,
    mut visit: impl FnMut(&mut Value) -> Option<T>,
) -> Vec<(Vec<Segment>, T)> {
    fn walk<T>(
        value: &mut Value,
        path: &mut Vec<Segment>,
        visit: &mut impl FnMut(&mut Value) -> Option<T>,
        found: &mut Vec<(Vec<Segment>, T)>,
    ) {
        match value {
            Value::Table(t) => {
                for (key, v) in t.iter_mut() {
                    path.push(Segment::Map {
                        key: key.to_string(),
                    });
                    walk(v, path, visit, found);
                    path.pop();
                }
            }
            Value::Array(items) => {
                for (index, v) in items.iter_mut().enumerate() {
                    path.push(Segment::Seq { index });
                    walk(v, path, visit, found);
                    path.pop();
                }
            }
            other => {
                if let Some(t) = visit(other) {
                    found.push((path.clone(), t));
                }
            }
        }
    }
    let mut found = Vec::new();
    let mut root = Value::Table(std::mem::take(table));
    walk(&mut root, &mut Vec::new(), &mut visit, &mut found);
    if let Value::Table(t) = root {
        *table = t;
    }
    found
}

/// Reports every string longer than [`MAX_TEXT_CHARS`], and shortens it so that the rest of
/// the checks do not work through it.
fn refuse_long_text(table: &mut Table, problems: &mut Problems) {
    let found = find_in_values(table, |value| match value {
        Value::String(text) if text.chars().count() > MAX_TEXT_CHARS => {
            let chars = text.chars().count();
            *text = text.chars().take(40).collect();
            Some(chars)
        }
        _ => None,
    });
    for (segments, chars) in found {
        problems.push(
            field_path(&segments, table),
            format!(
                "expected at most {MAX_TEXT_CHARS} characters (a spreadsheet cell's limit: the \
                 run's workbook carries it), found {chars}"
            ),
        );
    }
}

/// Reports every number in the file that is not finite (TOML allows `nan` and `inf`) and
/// replaces it with 0 so the rest of the file can still be checked. Returns each one's path and,
/// when it lies inside an arm, the arm's index.
fn replace_non_finite(table: &mut Table, problems: &mut Problems) -> Vec<(String, Option<usize>)> {
    let found = find_in_values(table, |value| match value {
        Value::Float(x) if !x.is_finite() => Some(std::mem::replace(x, 0.0)),
        _ => None,
    });
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
    load_scenario_str_with(file, text, dir, &[])
}

/// As [`load_scenario_str`], with `--set` overrides applied on top of the file and its bases.
pub fn load_scenario_str_with(
    file: &str,
    text: &str,
    dir: &Path,
    overrides: &[Override],
) -> Result<LoadedScenario, InputError> {
    let (mut table, layers) = layered(file, text, dir, 0)?;
    // A scenario without a name of its own is named after its file, not its base: a variant of
    // the default would otherwise run into the default's folder and replace its results.
    let named_here = layers
        .first()
        .is_some_and(|(_, own)| own.contains_key("name"));
    if !named_here {
        let stem = Path::new(file)
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("scenario");
        table.insert("name".into(), Value::String(stem.into()));
    }
    // The overrides' paths with named items by position too, as a problem naming an item by
    // its position (its name being what is wrong) gives them.
    Override::refuse_overlaps(overrides, &table)?;
    let mut set_paths: Vec<String> = overrides.iter().map(|o| o.path.clone()).collect();
    set_paths.extend(overrides.iter().filter_map(|o| o.indexed_path(&table)));
    for o in overrides {
        o.apply(&mut table)?;
    }
    fill_waiting_list_defaults(&mut table);
    let own_condition = fill_condition_defaults(&mut table);
    let mut problems = Problems::new(file);
    refuse_long_text(&mut table, &mut problems);
    let non_finite = replace_non_finite(&mut table, &mut problems);
    let listed = listed_types(&table);
    let as_written = table.clone();
    let mut structural = Problems::new(file);
    let Parsed {
        scenario,
        mut broken_arms,
        stand_ins,
        beyond_storage,
    } = parse_collecting(table, &mut structural);
    if let Some(own) = &own_condition {
        collapse_missing_condition_fields(&mut structural, own);
    }
    // A value that was NaN or infinite is read as 0 only so the rest can be: what its field, or
    // the table holding it, then says of that 0 ("years = nan" read as a float where a whole
    // number goes; a uniform's `max = inf` as a max of 0) is not the user's value.
    // Only the field itself, or the table right above it speaking of it by name: a problem of
    // its own further up (an arm's missing name) is still the user's.
    for p in structural.list() {
        let of_non_finite = non_finite.iter().any(|(path, _)| {
            path == &p.field
                || path
                    .strip_prefix(&format!("{}.", p.field))
                    .is_some_and(|key| !key.contains('.') && p.expected.contains(key))
        });
        if !of_non_finite {
            problems.push(p.field.clone(), p.expected.clone());
        }
    }
    // Numbers beyond their field's storage whose own check has not spoken for them.
    let mut storage_unexplained: Vec<&BeyondStorage> = beyond_storage.iter().collect();
    broken_arms.extend(non_finite.iter().filter_map(|(_, arm)| *arm));
    let mut counts = None;
    if let Some(s) = &scenario {
        let reported: Vec<String> = problems.fields().map(str::to_string).collect();
        for field in lists_read_as_tables(&as_written, s) {
            if !reported.contains(&field) {
                problems.push(field, LIST_WHERE_TABLE);
            }
        }
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
            // Nor is what a stand-in for a missing field, already reported, says.
            found
                .problems
                .retain(|p| !stand_ins.iter().any(|s| within(&p.field, s)));
            // A provider set aside (no name) or whose list of types is broken: that the types it
            // was to deliver are delivered by none is not news.
            let unknown = OwnersUnknown::from_problems(problems.fields(), &listed);
            found.problems.retain(|p| !unknown.explains(p));
            // Nor what is wrong with a value set aside for its type (reset to the default, or
            // removed): the user's value is reported already ("uptake = \"40%\"" is not also
            // left out).
            // (A missing field's table is given a stand-in, not set aside.)
            let set_aside: Vec<String> = problems
                .list()
                .iter()
                .filter(|p| missing_field(&p.expected).is_none())
                .map(|p| without_kinds(&p.field))
                .collect();
            found.problems.retain(|p| {
                let field = without_kinds(&p.field);
                !set_aside.iter().any(|s| within(&field, s))
            });
            // A number held in place of one beyond its field's storage: the field's check
            // speaks of the number as written.
            for p in &mut found.problems {
                let spoken = storage_unexplained
                    .iter()
                    .enumerate()
                    .find_map(|(i, b)| b.as_written(&p.field, &p.expected).map(|text| (i, text)));
                if let Some((at, text)) = spoken {
                    p.expected = text;
                    storage_unexplained.remove(at);
                }
            }
            // Nor that a list is empty once its wrong items were set aside.
            let items: Vec<String> = problems.fields().map(|f| f.to_string()).collect();
            found.problems.retain(|p| {
                let item = format!("{}[", p.field);
                !(p.expected.contains("non-empty list")
                    && items.iter().any(|f| f.starts_with(&item)))
            });
            problems.absorb(found);
        }
        if s.population.counts_csv.is_some() && size_beside_counts(&layers, overrides) {
            problems.push(
                "population.size",
                "expected no size beside population.counts_csv: the head-count file gives the \
                 people, and a size would be ignored",
            );
        }
        if let Some(csv) = &s.population.counts_csv {
            match load_counts(Path::new(csv), file, "population.counts_csv") {
                Ok(rows) => counts = Some(rows),
                Err(e) => problems.absorb(e),
            }
        }
    }
    for b in storage_unexplained {
        problems.push(&b.field, &b.message);
    }
    problems.into_result().map_err(|mut e| {
        for p in e.problems.iter_mut().filter(|p| p.file == file) {
            if set_by_override(&p.field, set_paths.iter().map(String::as_str)) {
                p.file = overrides::ORIGIN.to_string();
            } else if let Some(from) = origin(&p.field, &layers) {
                p.file = from.to_string();
            }
        }
        e
    })?;
    let scenario = scenario.expect("a scenario that parsed");
    Ok(LoadedScenario {
        scenario,
        file: file.to_string(),
        dir: dir.to_path_buf(),
        counts,
        set_fields: overrides.iter().map(|o| o.path.clone()).collect(),
    })
}

/// The fields written as a list (`cohort = [20, 64]`) where the scenario holds a table of
/// settings: serde reads a list into a table field by field, in order, so such a file parses
/// and means something its author may not have meant. Found by walking the table as written
/// beside the parsed scenario written back: a list on one side and a table on the other.
fn lists_read_as_tables(written: &Table, scenario: &Scenario) -> Vec<String> {
    let Ok(parsed) = Table::try_from(scenario) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    let mut path = Vec::new();
    for (key, value) in written {
        if let Some(back) = parsed.get(key) {
            path.push(Segment::Map { key: key.clone() });
            walk_list_table(value, back, &mut path, &mut found);
            path.pop();
        }
    }
    found
        .iter()
        .map(|segments| field_path(segments, written))
        .collect()
}

fn walk_list_table(
    written: &Value,
    parsed: &Value,
    path: &mut Vec<Segment>,
    found: &mut Vec<Vec<Segment>>,
) {
    match (written, parsed) {
        (Value::Array(_), Value::Table(_)) => found.push(path.clone()),
        (Value::Table(w), Value::Table(p)) => {
            for (key, value) in w {
                if let Some(back) = p.get(key) {
                    path.push(Segment::Map { key: key.clone() });
                    walk_list_table(value, back, path, found);
                    path.pop();
                }
            }
        }
        (Value::Array(w), Value::Array(p)) if w.len() == p.len() => {
            for (index, (value, back)) in w.iter().zip(p).enumerate() {
                path.push(Segment::Seq { index });
                walk_list_table(value, back, path, found);
                path.pop();
            }
        }
        _ => {}
    }
}

/// Whether population.size is written where a head-count file makes it meaningless: by a
/// `--set`, or by the layer naming the file or one closer to the scenario (a base's size is
/// what a variant naming a file replaces).
fn size_beside_counts(layers: &Layers, overrides: &[Override]) -> bool {
    let set = |path: &str| overrides.iter().any(|o| o.path == path);
    if set("population.size") {
        return true;
    }
    if set("population.counts_csv") {
        return false;
    }
    let writes = |table: &Table, key: &str| {
        table
            .get("population")
            .and_then(Value::as_table)
            .is_some_and(|p| p.contains_key(key))
    };
    let closest = |key: &str| layers.iter().position(|(_, t)| writes(t, key));
    match (closest("size"), closest("counts_csv")) {
        (Some(size), Some(counts)) => size <= counts,
        _ => false,
    }
}

/// Gives every activity type's waiting list the fields it does not write from
/// data/waiting_list.toml (England's calibrated flows), after every layer and override.
fn fill_waiting_list_defaults(table: &mut Table) {
    let Some(Value::Table(types)) = table
        .get_mut("activity")
        .and_then(|a| a.as_table_mut())
        .and_then(|a| a.get_mut("types"))
    else {
        return;
    };
    let defaults: Table = toml::from_str(data::WAITING_LIST_TOML).expect("valid data file");
    for (_, ty) in types.iter_mut() {
        if let Some(Value::Table(list)) = ty.as_table_mut().and_then(|t| t.get_mut("waiting_list"))
        {
            under_defaults(list, &defaults);
        }
    }
}

/// Gives a condition named in data/conditions.toml the fields it does not write from there
/// (tables merge key by key, as layers do). Returns a condition of the scenario's own, one not
/// in the file, which must write every field itself.
fn fill_condition_defaults(table: &mut Table) -> Option<OwnCondition> {
    let Some(Value::Table(condition)) = table.get_mut("condition") else {
        return None;
    };
    let name = condition.get("name").and_then(Value::as_str)?.to_string();
    let known: Table = toml::from_str(data::CONDITIONS_TOML).expect("valid data file");
    match known.get(&name) {
        Some(Value::Table(defaults)) => {
            under_defaults(condition, defaults);
            None
        }
        _ => Some(OwnCondition {
            name,
            names_only: condition.len() == 1,
            built_in: known.keys().cloned().collect(),
        }),
    }
}

/// A `[condition]` whose name is not a built-in one.
struct OwnCondition {
    name: String,
    /// Whether it writes its name and nothing else.
    names_only: bool,
    /// The conditions data/conditions.toml holds.
    built_in: Vec<String>,
}

/// A condition of the scenario's own that writes nothing but its name, or whose name is near a
/// built-in one, is most often a built-in one misspelt ("diabetis", "COPD"): one problem at its
/// name, naming the built-in conditions and what a condition of one's own must write, in place
/// of a missing field each. One being written field by field keeps them.
fn collapse_missing_condition_fields(problems: &mut Problems, own: &OwnCondition) {
    let built_in = &own.built_in;
    if !own.names_only && unknown_name::closest(&own.name, built_in).is_none() {
        return;
    }
    let missing: Vec<String> = problems
        .list()
        .iter()
        .filter(|p| p.field == "condition")
        .filter_map(|p| missing_field(&p.expected).map(str::to_string))
        .collect();
    if missing.is_empty() {
        return;
    }
    problems.retain(|p| !(p.field == "condition" && missing_field(&p.expected).is_some()));
    problems.push(
        "condition.name",
        format!(
            "{}; or, for a condition of the scenario's own, every field written: {} missing",
            unknown_name::unknown("built-in condition", &own.name, built_in, ""),
            missing.join(", ")
        ),
    );
}

/// `table` merged onto `defaults`: what it writes wins, the rest comes from them.
fn under_defaults(table: &mut Table, defaults: &Table) {
    let mut filled = defaults.clone();
    merge(&mut filled, std::mem::take(table));
    *table = filled;
}

/// Reads a scenario file, or the built-in default when `path` is `None`.
pub fn load_scenario(path: Option<&Path>) -> Result<LoadedScenario, InputError> {
    load_scenario_with(path, &[])
}

/// As [`load_scenario`], with `--set` overrides applied on top of the file and its bases.
pub fn load_scenario_with(
    path: Option<&Path>,
    overrides: &[Override],
) -> Result<LoadedScenario, InputError> {
    match path {
        None => load_scenario_str_with(
            "the built-in default scenario",
            data::DEFAULT_SCENARIO_TOML,
            Path::new("."),
            overrides,
        ),
        Some(p) => {
            let file = p.display().to_string();
            let text = read_scenario_text(p).map_err(|e| {
                InputError::new(&file, "", format!("expected a readable scenario file: {e}"))
            })?;
            let dir = p.parent().map(Path::to_path_buf).unwrap_or_default();
            load_scenario_str_with(&file, &text, &dir, overrides)
        }
    }
}
