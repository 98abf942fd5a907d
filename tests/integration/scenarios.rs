//! The shipped scenarios, the base mechanism, the schema and the population export.

use std::path::Path;
use std::process::Command;

use capsim::scenario::{Scenario, load_scenario, load_scenario_str};

#[test]
fn every_shipped_scenario_is_valid() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut n = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            let loaded = load_scenario(Some(&path)).unwrap_or_else(|e| panic!("{e}"));
            capsim::engine::Model::build(&loaded).unwrap_or_else(|e| panic!("{e}"));
            n += 1;
        }
    }
    assert!(n >= 1);
}

/// `capsim run` with no file and `capsim run scenarios/default.toml` simulate the same place, and
/// it is the place the README describes.
#[test]
fn running_without_a_scenario_runs_scenarios_default_toml() {
    let built_in = load_scenario(None).unwrap_or_else(|e| panic!("{e}"));
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/default.toml");
    let from_file = load_scenario(Some(&path)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(built_in.scenario, from_file.scenario);
    let s = built_in.scenario;
    assert_eq!(s.name, "default");
    assert_eq!(
        (s.population.size, s.years, s.replications),
        (1_500_000, 5, 1000)
    );
    assert_eq!(
        (
            &s.population.counts_csv,
            s.population.imd_shares,
            s.population.rural_share,
            &s.population.cohort
        ),
        (&None, None, None, &None),
        "the default place has England's mix and no cohort"
    );
    let arms: Vec<&str> = s.arm.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(
        arms,
        [
            "block",
            "pbr",
            "capitation",
            "outcomes",
            "blended",
            "capitation-flat"
        ]
    );
}

#[test]
fn a_three_line_variant_overrides_only_what_it_says() {
    let base = load_scenario(None).unwrap().scenario;
    let v = load_scenario_str(
        "v.toml",
        "base = \"default\"\nname = \"rural\"\npopulation.rural_share = 0.4\n",
        Path::new("."),
    )
    .unwrap()
    .scenario;
    assert_eq!(v.population.rural_share, Some(0.4));
    assert_eq!(v.name, "rural");
    let mut expect = base.clone();
    expect.name = "rural".into();
    expect.base = Some("default".into());
    expect.population.rural_share = Some(0.4);
    // A variant that does not describe itself is not reported under its base's description.
    expect.description = String::new();
    assert_eq!(v, expect);
    // Regression: a variant without a name took its base's, so it ran into output/default and
    // replaced the default's results. It is named after its file.
    let unnamed = load_scenario_str(
        "scenarios/coastal.toml",
        "base = \"default\"\npopulation.rural_share = 0.3\n",
        Path::new("."),
    )
    .unwrap()
    .scenario;
    assert_eq!(unnamed.name, "coastal");
}

#[test]
fn a_base_can_be_another_file_and_paths_resolve_against_their_own_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("place")).unwrap();
    std::fs::write(
        dir.path().join("place/counts.csv"),
        "age,sex,imd_quintile,rurality,ltc_count,count\n70,F,2,rural,3,500\n30,M,4,urban,0,1500\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("place/base.toml"),
        "base = \"default\"\nname = \"place\"\n[population]\ncounts_csv = \"counts.csv\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("variant.toml"),
        "base = \"place/base.toml\"\nname = \"variant\"\nyears = 2\n",
    )
    .unwrap();
    let loaded = load_scenario(Some(&dir.path().join("variant.toml"))).unwrap();
    let m = capsim::engine::Model::build(&loaded).unwrap();
    assert_eq!(m.initial.total(), 2000);
    assert_eq!(loaded.scenario.years, 2);
    // The resolved scenario records the file's head count, not the base's 1.5 million it ignores.
    assert_eq!(loaded.scenario.population.size, 1_500_000);
    assert_eq!(m.scenario.population.size, 2000);
}

#[test]
fn the_resolved_scenario_reproduces_the_run() {
    let s = load_scenario(None).unwrap().scenario;
    let text = s.to_toml();
    let back = load_scenario_str("resolved.toml", &text, Path::new("."))
        .unwrap()
        .scenario;
    assert_eq!(back, s);
    // Sources travel with the parameters.
    assert!(
        text.contains("ons_mye2020_t11") || text.contains("ONS"),
        "sources missing from the resolved scenario"
    );
}

#[test]
fn schema_is_json_describing_the_scenario() {
    let out = Command::new(env!("CARGO_BIN_EXE_capsim"))
        .arg("schema")
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8(out.stdout).unwrap().trim_end(),
        Scenario::json_schema()
    );
    let v: serde_json::Value = serde_json::from_str(&Scenario::json_schema()).unwrap();
    let props = v["properties"].as_object().expect("top-level properties");
    for key in [
        "name",
        "description",
        "base",
        "seed",
        "replications",
        "years",
        "start_year",
        "population",
        "transitions",
        "activity",
        "shocks",
        "provider",
        "arm",
    ] {
        assert!(props.contains_key(key), "schema lacks {key}");
    }
    // Editors show these descriptions as help: every field a user writes at the top level or
    // under [population] needs one.
    let population = v["$defs"]["PopulationSpec"]["properties"]
        .as_object()
        .expect("population properties");
    for (table, fields) in [("", props), ("population.", population)] {
        for (name, field) in fields {
            assert!(
                field["description"].as_str().is_some_and(|d| !d.is_empty()),
                "schema has no description for {table}{name}"
            );
        }
    }
    // Every payment component kind and every preset docs/contracts.md describes.
    let kinds: Vec<&str> = v["$defs"]["ComponentSpec"]["oneOf"]
        .as_array()
        .expect("component variants")
        .iter()
        .map(|c| c["properties"]["kind"]["const"].as_str().expect("kind"))
        .collect();
    assert_eq!(kinds, capsim::scenario::contracts::ComponentSpec::KINDS);
    let presets: Vec<&str> = v["$defs"]["Preset"]["enum"]
        .as_array()
        .expect("preset names")
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    assert_eq!(
        presets,
        ["block", "pbr", "capitation", "outcomes", "blended"]
    );
    // Fields of the scenario and of its tables are optional in a file: they come from the base
    // or the defaults. Items of lists, and parameter tables, are written whole: they keep the
    // fields they cannot do without.
    assert!(v.get("required").is_none());
    let mut with_required: Vec<&str> = v["$defs"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, def)| def.to_string().contains("\"required\""))
        .map(|(name, _)| name.as_str())
        .collect();
    with_required.sort();
    assert_eq!(
        with_required,
        [
            "ArmSpec",
            "Band",
            "ComponentSpec",
            "IndicatorTarget",
            "InterventionSpec",
            "MeasureSpec",
            "MonitoredIndicator",
            "Param",
            "PrevalenceBand",
            "ProviderSpec",
            "Shift",
            "Tier",
            "WaitBand"
        ]
    );
    let required = |def: &str| -> Vec<&str> {
        v["$defs"][def]["required"]
            .as_array()
            .unwrap_or_else(|| panic!("{def} has no required list"))
            .iter()
            .map(|r| r.as_str().unwrap())
            .collect()
    };
    assert_eq!(required("ArmSpec"), ["name"]);
    assert_eq!(required("ProviderSpec"), ["name", "activity"]);
    // `uptake` may be left out by a programme that only adds waiting-list capacity, which the
    // schema cannot say: validation asks for it elsewhere.
    assert_eq!(required("InterventionSpec"), ["name"]);
    assert_eq!(required("Shift"), ["from", "to", "share"]);
    assert_eq!(required("MeasureSpec"), ["name", "value"]);
    assert_eq!(required("Band"), ["provider_share"]);
    // An indicator alone in its pool may leave its weight out (default 1).
    assert_eq!(required("IndicatorTarget"), ["indicator"]);
    for variant in v["$defs"]["ComponentSpec"]["oneOf"].as_array().unwrap() {
        assert!(
            variant["required"]
                .as_array()
                .unwrap()
                .contains(&"kind".into())
        );
    }
    // Distribution names are an enum, not a free string.
    let dist = &v["$defs"]["Param"]["anyOf"][2]["properties"]["dist"]["enum"];
    assert_eq!(
        *dist,
        serde_json::json!([
            "normal",
            "lognormal",
            "beta",
            "gamma",
            "uniform",
            "triangular"
        ])
    );
}

/// A scenario file as the JSON an editor checks against the schema.
fn toml_as_json(text: &str) -> serde_json::Value {
    serde_json::to_value(toml::from_str::<toml::Table>(text).unwrap()).unwrap()
}

/// Problems the schema finds in a scenario file, one line each.
fn schema_problems(validator: &jsonschema::Validator, text: &str) -> Vec<String> {
    let doc = toml_as_json(text);
    validator
        .iter_errors(&doc)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

#[test]
fn the_schema_accepts_every_shipped_scenario() {
    let schema: serde_json::Value = serde_json::from_str(&Scenario::json_schema()).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = vec![];
    for dir in ["scenarios", "tests/snapshots"] {
        for entry in std::fs::read_dir(root.join(dir)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "toml") {
                files.push(path);
            }
        }
    }
    assert!(files.len() >= 6);
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let problems = schema_problems(&validator, &text);
        assert!(problems.is_empty(), "{}: {problems:#?}", path.display());
    }
    // A resolved scenario, every field written out, as saved beside a run.
    for text in [
        capsim::data::DEFAULT_SCENARIO_TOML.to_string(),
        load_scenario(None).unwrap().scenario.to_toml(),
    ] {
        let problems = schema_problems(&validator, &text);
        assert!(problems.is_empty(), "{problems:#?}");
    }
}

#[test]
fn the_schema_catches_what_validation_rejects() {
    let schema: serde_json::Value = serde_json::from_str(&Scenario::json_schema()).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let arm = "base = \"default\"\n[[arm]]\nname = \"a\"\n";
    let good = [
        "base = \"default\"\n[transitions]\nleaver_rate = { dist = \"beta\", alpha = 2, beta = 20, source = \"x\" }\n".to_string(),
        "[shocks]\ndemand_trend = { value = 0.01, source = \"x\" }\n".into(),
        "[shocks]\ncost_inflation = { dist = \"triangular\", min = 0, mode = 0.02, max = 0.05 }\n".into(),
        format!("{arm}preset = \"block\"\n[[arm.component]]\nkind = \"shared_savings\"\nprovider_share = 0.5\n"),
        format!("{arm}[[arm.component]]\nkind = \"risk_share\"\n[[arm.component.bands]]\nabove = 0.02\nprovider_share = 0.5\n"),
    ];
    for text in &good {
        let problems = schema_problems(&validator, text);
        assert!(problems.is_empty(), "{text}\n{problems:#?}");
        load_scenario_str("good.toml", text, Path::new(".")).unwrap_or_else(|e| panic!("{e}"));
    }
    let bad = [
        // A misspelt distribution, and a parameter the distribution does not have.
        "[transitions]\nleaver_rate = { dist = \"normall\", mean = 0.1, sd = 0.01 }\n".to_string(),
        "[transitions]\nleaver_rate = { dist = \"normal\", mean = 0.1, sd = 0.01, alpha = 1 }\n"
            .into(),
        "[transitions]\nleaver_rate = { dist = \"gamma\", shape = 2 }\n".into(),
        "[transitions]\nleaver_rate = { value = 0.1, dist = \"normal\" }\n".into(),
        // Empty lists of the types and providers paid for and of an outcome's tiers.
        format!("{arm}[[arm.component]]\nkind = \"activity\"\ntypes = []\n"),
        format!("{arm}[[arm.component]]\nkind = \"fixed\"\nshare = 1.0\nproviders = []\n"),
        format!(
            "{arm}[[arm.component]]\nkind = \"outcome\"\npool = 5\nindicators = [ {{ indicator = \"deaths\", weight = 1, target = 1, tiers = [] }} ]\n"
        ),
        // An arm without a name; a component without a kind.
        "[[arm]]\npreset = \"block\"\n".into(),
        format!("{arm}[[arm.component]]\nshare = 1.0\n"),
        format!("{arm}[[arm.component]]\nkind = \"bonus\"\n"),
        // Shares, ages, years and counts out of range.
        format!(
            "{arm}[[arm.component]]\nkind = \"risk_share\"\n[[arm.component.bands]]\nabove = 0.02\nprovider_share = 1.5\n"
        ),
        format!("{arm}[[arm.component]]\nkind = \"activity\"\nprice_share = -0.1\n"),
        "[population.cohort]\nage_max = 120\n".into(),
        "[population.cohort]\nimd = [0, 1]\n".into(),
        "years = 0\n".into(),
        "replications = 1000000\n".into(),
        "[[provider]]\nname = \"p\"\n".into(),
        "[[intervention]]\nuptake = 0.5\n".into(),
        "[arm]\nname = \"a\"\n".into(),
    ];
    for text in &bad {
        assert!(
            !schema_problems(&validator, text).is_empty(),
            "the schema accepts:\n{text}"
        );
        assert!(
            load_scenario_str("bad.toml", text, Path::new(".")).is_err(),
            "validation accepts:\n{text}"
        );
    }
}

#[test]
fn population_export_round_trips_through_csv_and_parquet() {
    use polars::prelude::*;
    let dir = tempfile::tempdir().unwrap();
    for file in ["cells.csv", "cells.parquet"] {
        crate::common::capsim_ok(&["population", "--out", file], dir.path());
    }
    let csv = CsvReadOptions::default()
        .try_into_reader_with_file_path(Some(dir.path().join("cells.csv")))
        .unwrap()
        .finish()
        .unwrap();
    let pq = ParquetReader::new(std::fs::File::open(dir.path().join("cells.parquet")).unwrap())
        .finish()
        .unwrap();
    let total = |df: &DataFrame| {
        df.column("count")
            .unwrap()
            .cast(&DataType::UInt64)
            .unwrap()
            .u64()
            .unwrap()
            .sum()
            .unwrap()
    };
    assert_eq!(total(&csv), 1_500_000);
    assert_eq!(total(&pq), 1_500_000);
    // The exported CSV is itself a valid head-count input.
    let text = std::fs::read_to_string(dir.path().join("cells.csv")).unwrap();
    let rows = capsim::scenario::counts::parse_counts("cells.csv", &text).unwrap();
    let pop = capsim::population::Population::from_head_counts(&rows.rows);
    let default = capsim::engine::Model::build(&load_scenario(None).unwrap())
        .unwrap()
        .initial;
    assert_eq!(pop, default);
    // So is the Parquet file, named by a scenario as counts_csv is.
    let scenario = dir.path().join("s.toml");
    std::fs::write(
        &scenario,
        "base = \"default\"\nname = \"s\"\n[population]\ncounts_csv = \"cells.parquet\"\n",
    )
    .unwrap();
    let loaded = load_scenario(Some(&scenario)).unwrap();
    assert_eq!(
        capsim::engine::Model::build(&loaded).unwrap().initial,
        default
    );
}

/// Head counts from pandas or a Parquet file: whole numbers written as decimals ("11.0") are
/// read as the numbers they are, and a Parquet file's problems name its rows, not the lines of
/// the CSV it is read through.
#[test]
fn head_counts_read_whole_decimals_and_name_parquet_rows() {
    use polars::prelude::*;
    let dir = tempfile::tempdir().unwrap();
    let csv = "age,sex,imd_quintile,rurality,ltc_count,count\n30.0,F,2.0,urban,1.0,11.0\n";
    let rows = capsim::scenario::counts::parse_counts("p.csv", csv).unwrap();
    assert_eq!(rows.rows[0].count, 11);
    assert_eq!(
        (rows.rows[0].age, rows.rows[0].imd, rows.rows[0].ltc),
        (30, 1, 1)
    );
    let fractional = csv.replace("11.0", "11.5");
    let e = capsim::scenario::counts::parse_counts("p.csv", &fractional).unwrap_err();
    assert!(e.to_string().contains("p.csv: line 2, column count"), "{e}");
    let mut df = df!(
        "age" => [30.0, 31.0],
        "sex" => ["F", "X"],
        "imd_quintile" => [2i64, 2],
        "rurality" => ["urban", "urban"],
        "ltc_count" => [1i64, 1],
        "count" => [11.0, 4.0],
    )
    .unwrap();
    ParquetWriter::new(std::fs::File::create(dir.path().join("bad.parquet")).unwrap())
        .finish(&mut df)
        .unwrap();
    std::fs::write(
        dir.path().join("s.toml"),
        "base = \"default\"\nname = \"s\"\n[population]\ncounts_csv = \"bad.parquet\"\n",
    )
    .unwrap();
    let e = load_scenario(Some(&dir.path().join("s.toml"))).unwrap_err();
    assert!(
        e.to_string()
            .contains("bad.parquet: row 2, column sex: expected F or M, found \"X\""),
        "{e}"
    );
}

/// A problem found after loading in a field --set wrote (or in a table it wrote) is the command
/// line's; elsewhere, the file's.
#[test]
fn a_field_set_on_the_command_line_is_the_command_lines() {
    let set = [capsim::scenario::Override::parse("population.size=5000").unwrap()];
    let loaded = capsim::scenario::load_scenario_str_with(
        "p.toml",
        "base = \"default\"\nname = \"p\"\n",
        Path::new("."),
        &set,
    )
    .unwrap();
    assert_eq!(loaded.origin_of("population.size"), "command line (--set)");
    assert_eq!(loaded.origin_of("population"), "command line (--set)");
    assert_eq!(loaded.origin_of("population.rural_share"), "p.toml");
    assert_eq!(loaded.origin_of("years"), "p.toml");
}
