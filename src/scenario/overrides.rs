//! `--set PATH=VALUE`: a scenario field changed from the command line, applied on top of the
//! file (and its bases) before the scenario is parsed, so it is validated like the file and
//! recorded in the resolved scenario.

use toml::{Table, Value};

use super::load::{is_param_table, merge};
use crate::error::InputError;

/// Whether two overrides (their paths with named items by position) set a field in common:
/// the same path, or one inside what the other sets whole.
fn sets_the_same_field(a: &str, a_value: &Value, b: &str, b_value: &Value) -> bool {
    a == b || holds(a, a_value, b) || holds(b, b_value, a)
}

/// Whether `value`, set at `outer`, holds the field at `inner`: `inner` lies on a path through
/// it, or reaches a list or a parameter's table in it, which a value set replaces whole (a
/// list's items are not merged, nor a parameter's `{ value }` with `{ dist }`).
fn holds(outer: &str, value: &Value, inner: &str) -> bool {
    let Some(rest) = inner.strip_prefix(outer) else {
        return false;
    };
    let rest = match rest.strip_prefix('.') {
        Some(rest) => rest,
        None if rest.starts_with('[') => rest,
        None => return false,
    };
    let mut here = value;
    for segment in rest.split('.') {
        let replaced_whole = match here {
            Value::Array(_) => true,
            Value::Table(t) => is_param_table(t),
            _ => false,
        };
        if replaced_whole {
            return true;
        }
        // A malformed position is the override's own problem, reported when it is applied.
        let Ok((key, index)) = split_index(segment) else {
            return false;
        };
        if !key.is_empty() {
            match here.get(key) {
                Some(v) => here = v,
                None => return false,
            }
        }
        if index.is_some() {
            // An item of a list: the list is set whole (or is not a list, and the parser says so).
            return matches!(here, Value::Array(_));
        }
    }
    true
}

/// Where problems with an override are reported.
pub const ORIGIN: &str = "command line (--set)";

/// One `--set`: a dotted path (`population.size`, `arm.capitation.component[1].share`: arms,
/// providers and interventions by name, components by position) and a TOML value.
#[derive(Debug, Clone, PartialEq)]
pub struct Override {
    pub path: String,
    pub value: Value,
}

impl Override {
    /// Reads every `--set`, in order ([`Override::refuse_overlaps`] then refuses a field given
    /// twice, once the scenario's named items are known).
    pub fn parse_all(texts: &[String]) -> Result<Vec<Override>, InputError> {
        texts.iter().map(|text| Override::parse(text)).collect()
    }

    /// Refuses a field set twice, however it is spelt: which of two values was meant is the
    /// user's to say (`--set years=x --set years=2` would otherwise hide the first, and the
    /// order of the flags decide). The same field written with an item's name and with its
    /// position (`arm.block.preset`, `arm[0].preset`), or set inside a table and then again on
    /// its own (`transitions={ leaver_rate = 0.05 }`, `transitions.leaver_rate=0.06`), is the
    /// same field. `table` is the scenario before the overrides, where items' names are read.
    pub fn refuse_overlaps(overrides: &[Override], table: &Table) -> Result<(), InputError> {
        let paths: Vec<String> = overrides
            .iter()
            .map(|o| o.indexed_path(table).unwrap_or_else(|| o.path.clone()))
            .collect();
        for (j, later) in overrides.iter().enumerate() {
            for (i, first) in overrides[..j].iter().enumerate() {
                if sets_the_same_field(&paths[i], &first.value, &paths[j], &later.value) {
                    return Err(InputError::new(
                        ORIGIN,
                        &later.path,
                        format!(
                            "expected each field set once; found {} = {} and then {} = {}",
                            first.path, first.value, later.path, later.value
                        ),
                    ));
                }
            }
        }
        Ok(())
    }

    /// Reads `PATH=VALUE`; a value that is not TOML (`name=north`) is taken as text.
    pub fn parse(text: &str) -> Result<Override, InputError> {
        let bad = |why: &str| InputError::new(ORIGIN, text, why.to_string());
        let (path, raw) = text
            .split_once('=')
            .ok_or_else(|| bad("expected PATH=VALUE, e.g. population.size=5300"))?;
        let path = path.trim();
        if path.is_empty() || path.split('.').any(|s| s.trim().is_empty()) {
            return Err(bad(
                "expected a dotted field path before '=', e.g. population.size",
            ));
        }
        if path == "base" {
            return Err(InputError::new(
                ORIGIN,
                "base",
                "expected a field of the scenario: its base is read before --set applies, so \
                 name the base in the scenario file",
            ));
        }
        let raw = raw.trim();
        let value = match toml::from_str::<Table>(&format!("v = {raw}")) {
            Ok(mut t) => t.remove("v").unwrap_or(Value::String(String::new())),
            // Meant as a list, table, quoted text or number, but not one: said, not read as
            // text (`[1,2` would be the text "[1,2", refused as not a list).
            Err(_) if is_whole_number(raw) => {
                return Err(InputError::new(
                    ORIGIN,
                    path,
                    format!(
                        "expected a whole number a scenario file can hold, at most \
                         9223372036854775807; found {raw}"
                    ),
                ));
            }
            Err(e) if looks_like_toml(raw) => {
                return Err(InputError::new(
                    ORIGIN,
                    path,
                    format!(
                        "expected a value written as in a scenario file (a number, \"text\", \
                         [a, list] or {{ key = value }}); {}, found {raw}",
                        e.message()
                    ),
                ));
            }
            Err(_) => Value::String(raw.to_string()),
        };
        Ok(Override {
            path: path.to_string(),
            value,
        })
    }

    /// The path with each named item written by its position (`arm[2].name` for
    /// `arm.capitation.name`), as a problem with an item's name names the item: read in `table`
    /// before the override is applied. None when a name is not found.
    pub fn indexed_path(&self, table: &Table) -> Option<String> {
        let segments: Vec<&str> = self.path.split('.').collect();
        let mut out: Vec<String> = Vec::new();
        let mut here = Some(table);
        let mut k = 0;
        while k < segments.len() {
            let key = segments[k];
            match here.and_then(|t| t.get(key)) {
                Some(Value::Array(items))
                    if NAMED_LISTS.contains(&key) && k + 1 < segments.len() =>
                {
                    let name = segments[k + 1];
                    let i = items
                        .iter()
                        .position(|v| v.get("name").and_then(Value::as_str) == Some(name))?;
                    out.push(format!("{key}[{i}]"));
                    here = items[i].as_table();
                    k += 2;
                }
                found => {
                    out.push(key.to_string());
                    here = found.and_then(Value::as_table);
                    k += 1;
                }
            }
        }
        Some(out.join("."))
    }

    /// Sets the value in a scenario table (every default already filled in). A missing key is
    /// created, so a misspelt field is reported by the parser as unknown, with its path. A table
    /// given for a table merges into it as a scenario file's table merges into its base's (a
    /// parameter's `{ value = … }` or `{ dist = … }` replaces it whole).
    pub fn apply(&self, table: &mut Table) -> Result<(), InputError> {
        let bad = |why: String| InputError::new(ORIGIN, self.path.as_str(), why);
        let segments: Vec<&str> = self.path.split('.').collect();
        let mut here = table;
        let mut k = 0;
        while k + 1 < segments.len() {
            let (key, index) = split_index(segments[k]).map_err(bad)?;
            if NAMED_LISTS.contains(&key) && index.is_none() && !here.contains_key(key) {
                return Err(bad(format!(
                    "no {key} named \"{}\": the scenario has none",
                    segments[k + 1]
                )));
            }
            let value = here
                .entry(key.to_string())
                .or_insert_with(|| Value::Table(Table::new()));
            here = match (value, index) {
                (Value::Table(t), None) => t,
                (Value::Array(items), Some(i)) => {
                    let len = items.len();
                    match items.get_mut(i) {
                        Some(Value::Table(t)) => t,
                        _ => return Err(bad(no_item(key, i, Some(len)))),
                    }
                }
                (_, Some(i)) => return Err(bad(no_item(key, i, None))),
                // A list of named tables: the next segment is a name.
                (Value::Array(items), None) => {
                    let name = segments[k + 1];
                    k += 1;
                    // For the message if no item has the name.
                    let names: Vec<String> = items
                        .iter()
                        .filter_map(|v| v.get("name").and_then(Value::as_str))
                        .map(String::from)
                        .collect();
                    let item = match items.iter_mut().find_map(|v| match v {
                        Value::Table(t) if t.get("name").and_then(Value::as_str) == Some(name) => {
                            Some(t)
                        }
                        _ => None,
                    }) {
                        Some(t) => t,
                        None => {
                            let none = format!("a {key} the scenario names (it has none)");
                            return Err(bad(crate::unknown_name::unknown(
                                key, name, &names, &none,
                            )));
                        }
                    };
                    if k + 1 == segments.len() {
                        // The item itself (`arm.capitation={ preset = "pbr" }`): its fields
                        // merge into it.
                        let Value::Table(over) = &self.value else {
                            return Err(bad(format!(
                                "expected a table of the {key}'s fields, e.g. {{ preset = \"pbr\" }}"
                            )));
                        };
                        merge(item, over.clone());
                        return Ok(());
                    }
                    item
                }
                _ => return Err(bad(format!("`{key}` has no field `{}`", segments[k + 1]))),
            };
            k += 1;
        }
        let (key, index) = split_index(segments[k]).map_err(bad)?;
        match index {
            // A table merges into the one it changes, key by key, as a file over its base.
            None => match (here.get_mut(key), &self.value) {
                (Some(Value::Table(base)), Value::Table(over)) if !is_param_table(over) => {
                    merge(base, over.clone())
                }
                _ => {
                    here.insert(key.to_string(), self.value.clone());
                }
            },
            Some(i) => match here.get_mut(key) {
                Some(Value::Array(a)) if i < a.len() => a[i] = self.value.clone(),
                _ => {
                    return Err(bad(format!(
                        "expected an existing list `{key}` with item {i}"
                    )));
                }
            },
        }
        Ok(())
    }
}

/// Whether a value is written as a whole number (digits, perhaps signed).
fn is_whole_number(raw: &str) -> bool {
    let digits = raw.trim_start_matches(['-', '+']);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

/// Whether a value that is not TOML was meant as TOML rather than as bare text (`north`): it
/// opens a list, table or quotation, or is written as a number.
fn looks_like_toml(raw: &str) -> bool {
    raw.starts_with(['[', '{', '"', '\''])
        || raw.starts_with(|c: char| c.is_ascii_digit() || c == '-' || c == '+' || c == '.')
            && raw.chars().any(|c| c.is_ascii_digit())
            && raw
                .chars()
                .all(|c| c.is_ascii_digit() || "+-._eE".contains(c))
}

/// The lists whose items a path names by their `name`.
const NAMED_LISTS: [&str; 3] = ["arm", "provider", "intervention"];

/// The message for a position past the end of a list of `len` items, or of a list not written
/// at all (`None`).
fn no_item(key: &str, i: usize, len: Option<usize>) -> String {
    let hint = match len {
        None if key == "component" => {
            " (an arm given by a preset has no components of its own to change: write them \
             out in the scenario file, or --set the arm's preset)"
                .to_string()
        }
        None => String::new(),
        Some(1) => " (it has 1, item 0)".to_string(),
        Some(n) => format!(" (it has {n}, items 0 to {})", n - 1),
    };
    format!("`{key}` has no item {i}{hint}")
}

/// `component[1]` → ("component", Some(1)).
fn split_index(segment: &str) -> Result<(&str, Option<usize>), String> {
    match segment.split_once('[') {
        None => Ok((segment, None)),
        Some((key, rest)) => {
            let i = rest
                .strip_suffix(']')
                .and_then(|n| n.parse().ok())
                .ok_or_else(|| format!("expected `{key}[N]` with N a position from 0"))?;
            Ok((key, Some(i)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Bare words and nothing at all are text; what opens TOML but is not TOML is refused.
    #[test]
    fn a_value_is_toml_or_bare_text() {
        let value = |text: &str| Override::parse(text).map(|o| o.value);
        assert_eq!(value("description=").unwrap(), Value::String(String::new()));
        assert_eq!(value("name=north").unwrap(), Value::String("north".into()));
        assert_eq!(value("years=3").unwrap(), Value::Integer(3));
        assert_eq!(value("seed=-").unwrap(), Value::String("-".into()));
        for meant_as_toml in [
            "imd=[1,2",
            "x={ a = 1",
            "name=\"north",
            "seed=99999999999999999999",
        ] {
            assert!(value(meant_as_toml).is_err(), "{meant_as_toml}");
        }
    }
}
