//! Bad input: a message naming the file, the field and what is expected; exit code 2; nothing written.

use crate::common::capsim;

/// Runs `capsim run bad.toml --out out` on a scenario and checks the failure is clean.
fn rejected(scenario: &str, extra_files: &[(&str, &str)], expect_in_message: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bad.toml"), scenario).unwrap();
    for (name, text) in extra_files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    let (code, _, err) = capsim(
        &["run", "bad.toml", "--out", "out", "--reps", "2"],
        dir.path(),
    );
    assert_eq!(code, 2, "stderr: {err}");
    for s in expect_in_message {
        assert!(err.contains(s), "expected {s:?} in: {err}");
    }
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(
        !dir.path().join("out").exists(),
        "output written despite the error: {left:?}"
    );
    assert_eq!(left.len(), 1 + extra_files.len(), "stray files: {left:?}");
    // validate reports the same problem with the same exit code.
    let (code, _, err2) = capsim(&["validate", "bad.toml"], dir.path());
    assert_eq!(code, 2);
    assert_eq!(err, err2);
}

/// What `capsim validate` says of a scenario it refuses (exit code 2).
fn validation_errors(scenario: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bad.toml"), scenario).unwrap();
    let (code, _, err) = capsim(&["validate", "bad.toml"], dir.path());
    assert_eq!(code, 2, "{err}");
    err
}

#[test]
fn malformed_toml() {
    rejected(
        "name = \"x\"\nyears = [",
        &[],
        &["bad.toml", "not valid TOML", "line 2"],
    );
}

/// A number written with its unit, bare or quoted, is told how numbers are written.
#[test]
fn a_number_with_a_unit_says_how_numbers_are_written() {
    let share = "numbers are written without units: a share as 0.05 for 5%, not 5%";
    let pounds = "amounts are written in £ without units: 2_300_000_000 for £2.3bn, not £2.3bn";
    rejected(
        "base = \"default\"\n[transitions]\nleaver_rate = 5%\n",
        &[],
        &["not valid TOML", "line 3", share],
    );
    // Inside an inline table, where the line's first value is another.
    rejected(
        "base = \"default\"\n[transitions]\nleaver_rate = { value = 5%, source = \"x\" }\n",
        &[],
        &["line 3", share],
    );
    let suffixed = "numbers are written in full, without k, m or bn: 300_000 for 300k, \
                    2_300_000_000 for £2.3bn";
    rejected(
        "base = \"default\"\n[budget]\nfirst_year = 2.3bn   # £\n",
        &[],
        &["line 3", suffixed],
    );
    rejected(
        "base = \"default\"\n[population]\nsize = \"300k\"\n",
        &[],
        &["population.size", "expected a whole number", suffixed],
    );
    rejected(
        "base = \"default\"\n[population]\nrural_share = \"30%\"\n",
        &[],
        &["population.rural_share", "expected a number", share],
    );
    rejected(
        "base = \"default\"\n[budget]\nfirst_year = \"£2m\"\n",
        &[],
        &["budget.first_year", pounds],
    );
}

#[test]
fn unknown_field_is_named_with_its_path() {
    rejected(
        "base = \"default\"\n[transitions]\nleaver_rat = 0.1\n",
        &[],
        &["bad.toml", "transitions", "unknown field `leaver_rat`"],
    );
}

#[test]
fn probability_outside_unit_interval() {
    rejected(
        "base = \"default\"\n[transitions]\nleaver_rate = 1.4\n",
        &[],
        &["bad.toml: transitions.leaver_rate: expected a probability between 0 and 1, found 1.4"],
    );
    rejected(
        "base = \"default\"\n[shocks]\nbad_winter_probability = { dist = \"normal\", mean = 0.2, sd = 0.1 }\n",
        &[],
        &["shocks.bad_winter_probability", "use beta"],
    );
}

#[test]
fn shares_not_summing_to_one() {
    rejected(
        "base = \"default\"\n[population]\nimd_shares = [0.3, 0.3, 0.3, 0.3, 0.3]\n",
        &[],
        &["population.imd_shares", "summing to 1, found a sum of 1.5"],
    );
}

#[test]
fn wrong_types_and_bad_distributions() {
    rejected(
        "base = \"default\"\nyears = \"five\"\n",
        &[],
        &["bad.toml: years: invalid type: string \"five\", expected a whole number\n"],
    );
    // Beyond what the field can hold: the field's own range and the number as written, not
    // the range of its storage (a byte's 0 to 255, an integer's 0 to 4,294,967,295).
    rejected(
        "base = \"default\"\n[population.cohort]\nage_max = 300\n",
        &[],
        &["population.cohort: expected 0 <= age_min <= age_max <= 100, found 0..300\n"],
    );
    rejected(
        "base = \"default\"\nyears = 99999999999\n",
        &[],
        &["bad.toml: years: expected 1 to 100 years, found 99999999999\n"],
    );
    rejected(
        "base = \"default\"\nreplications = -3\n",
        &[],
        &["bad.toml: replications: expected 1 to 100000 replications, found -3\n"],
    );
    rejected(
        "base = \"default\"\n[population.cohort]\nimd = [2, 300]\n",
        &[],
        &["population.cohort.imd[1]: expected a quintile from 1 (most deprived) to 5, found 300\n"],
    );
    // With no check of its own, a field's range is what it can hold.
    rejected(
        "base = \"default\"\n[population.cohort]\nage_min = -5\n",
        &[],
        &[
            "population.cohort.age_min: invalid value: integer `-5`, expected a whole number, 0 or more\n",
        ],
    );
    rejected(
        "base = \"default\"\n[activity.types.gp]\nrate = { dist = \"normal\", mean = 5 }\n",
        &[],
        &["activity.types.gp.rate", "needs `sd`"],
    );
    rejected(
        "base = \"default\"\n[activity.types.gp]\nunit_cost = -3\n",
        &[],
        &["activity.types.gp.unit_cost", "expected a value >= 0"],
    );
}

/// A lognormal whose logarithm's variance overflows passes every range check but cannot be
/// drawn from.
#[test]
fn lognormal_too_wide_to_draw_from() {
    rejected(
        "base = \"default\"\n[shocks]\ndemand_noise_sd = { dist = \"lognormal\", mean = 1e-300, sd = 1 }\n",
        &[],
        &["bad.toml: shocks.demand_noise_sd: expected `sd` at most 1e150 times `mean`"],
    );
}

#[test]
fn every_problem_is_reported_at_once() {
    rejected(
        "base = \"default\"\nreplications = 0\n[transitions]\nleaver_rate = -0.1\n[population]\nrural_share = 2\n",
        &[],
        &[
            "replications",
            "transitions.leaver_rate",
            "population.rural_share",
        ],
    );
}

/// Every missing field of a table comes back from one run, not one a run (serde names the first
/// only): a condition of one's own with none of its fields, and a per-unit component without
/// its indicator and rate. A field of the wrong type is reported once, not again as missing, and
/// values given in place of the missing ones say nothing of their own.
#[test]
fn every_missing_field_is_reported_at_once() {
    let (code, _, err) = {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("bad.toml"),
            "base = \"default\"\n[condition]\nname = \"mine\"\nltc_ratio = \"high\"\n\
             [[arm]]\nname = \"x\"\n[[arm.component]]\nkind = \"per_unit\"\n",
        )
        .unwrap();
        capsim(&["validate", "bad.toml"], dir.path())
    };
    assert_eq!(code, 2, "{err}");
    let lines: Vec<&str> = err.lines().collect();
    let expected = [
        "error: bad.toml: arm.x.component[0]: missing field `indicator`",
        "bad.toml: arm.x.component[0]: missing field `rate`",
        "bad.toml: condition.ltc_ratio: invalid type: string \"high\", expected a number",
        "bad.toml: condition: missing field `prevalence`",
        "bad.toml: condition: missing field `deprivation_ratio`",
        "bad.toml: condition: missing field `incidence_multiplier`",
        "bad.toml: condition: missing field `exit_rate`",
        "bad.toml: condition: missing field `mortality_ratio`",
    ];
    assert_eq!(lines, expected, "{err}");
    // A name and nothing else is most likely a built-in condition misspelt: one problem, at it.
    rejected(
        "base = \"default\"\n[condition]\nname = \"mine\"\n",
        &[],
        &[
            "condition.name: unknown built-in condition \"mine\"; expected one of: copd, frailty, msk, smi; or, for a condition of the scenario's own, every field written: prevalence, deprivation_ratio, ltc_ratio, incidence_multiplier, exit_rate, mortality_ratio missing",
        ],
    );
    // A missing field does not hide the other problems of its table or list (two interventions
    // of one name, a shift to the same type), and a missing name is never given one.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("bad.toml"),
        "base = \"default\"\n[[intervention]]\nname = \"p\"\nuptake = 0.5\n\
         [[intervention]]\nname = \"p\"\neffect.onset = 0.8\n[[intervention]]\nname = \"q\"\nuptake = 0.5\n\
         shift = [{ from = \"gp\", to = \"gp\" }]\n[[intervention]]\ndescription = \"x\"\n",
    )
    .unwrap();
    let (code, _, err) = capsim(&["validate", "bad.toml"], dir.path());
    assert_eq!(code, 2, "{err}");
    for expected in [
        "intervention.p.uptake: expected the share of the eligible enrolled",
        "intervention.q.shift[0]: missing field `share`",
        "intervention.p: expected a unique, non-empty intervention name",
        "intervention.q.shift[0]: expected `from` and `to` to be different types",
        "intervention[3]: missing field `name`",
    ] {
        assert!(err.contains(expected), "{expected:?} in {err}");
    }
    assert!(!err.contains("stand-in"), "{err}");
}

/// Structural problems (an unknown field, a misspelt distribution, an unknown preset) and value
/// problems (a probability of 1.5, overlapping corridor bands) in one file: all five come back
/// from one run, each with its path.
#[test]
fn structural_and_value_problems_are_reported_in_one_pass() {
    let scenario = r#"
base = "default"
[population]
sise = 20000
[transitions]
leaver_rate = { dist = "normall", mean = 0.05, sd = 0.01 }
[shocks]
bad_winter_probability = 1.5
[[arm]]
name = "a"
preset = "capitaton"
[[arm]]
name = "b"
[[arm.component]]
kind = "risk_share"
bands = [ { above = 0.02, provider_share = 0.5 }, { above = 0.02, provider_share = 0.2 } ]
"#;
    rejected(
        scenario,
        &[],
        &[
            "bad.toml: population.sise: unknown field `sise`",
            "bad.toml: transitions.leaver_rate: unknown dist \"normall\"",
            "bad.toml: shocks.bad_winter_probability: expected a probability between 0 and 1, found 1.5",
            "bad.toml: arm.a.preset: unknown name `capitaton`",
            "bad.toml: arm.b.component[0] (risk_share).bands[1]: overlapping corridor bands",
        ],
    );
}

/// A problem in a base scenario names the base file, not the variant that names it.
#[test]
fn problems_in_a_base_scenario_name_the_base_file() {
    rejected(
        "base = \"place.toml\"\nname = \"variant\"\nyears = 0\n",
        &[(
            "place.toml",
            "base = \"default\"\nname = \"place\"\n[transitions]\nleaver_rate = 1.4\n[population]\nsise = 5\n",
        )],
        &[
            "place.toml: population.sise: unknown field `sise`",
            "place.toml: transitions.leaver_rate: expected a probability between 0 and 1, found 1.4",
            "bad.toml: years: expected 1 to 100 years, found 0",
        ],
    );
}

/// Inside a component, a bad enum value, a string for a number and an unknown field each name
/// their field.
#[test]
fn problems_inside_components_name_their_field() {
    rejected(
        "base = \"default\"\n[[arm]]\nname = \"x\"\n[[arm.component]]\nkind = \"capitation\"\nindex = \"prices\"\n[[arm.component]]\nkind = \"fixed\"\nshare = \"0.9\"\n[[arm.component]]\nkind = \"risk_share\"\nsettle = \"term\"\nbandz = []\n",
        &[],
        &[
            "bad.toml: arm.x.component[0].index: unknown name `prices`",
            "bad.toml: arm.x.component[1].share: invalid type: string \"0.9\"",
            "bad.toml: arm.x.component[2].bandz: unknown field `bandz`",
        ],
    );
}

/// TOML allows `nan` and `inf`; capsim does not, wherever they are written, and says so once.
#[test]
fn non_finite_numbers_are_rejected_with_their_paths() {
    rejected(
        "base = \"default\"\n[transitions]\nleaver_rate = { dist = \"normal\", mean = nan, sd = 0.01 }\n[shocks]\ncost_inflation = inf\n[[arm]]\nname = \"corridor\"\npreset = \"capitation\"\n[[arm.component]]\nkind = \"risk_share\"\nprovider_loss_cap = nan\nbands = [ { above = 0.02, provider_share = -inf } ]\n",
        &[],
        &[
            "bad.toml: transitions.leaver_rate.mean: expected a finite number, found NaN",
            "bad.toml: shocks.cost_inflation: expected a finite number, found inf",
            "bad.toml: arm.corridor.component[0].provider_loss_cap: expected a finite number, found NaN",
            "bad.toml: arm.corridor.component[0].bands[0].provider_share: expected a finite number, found -inf",
        ],
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("bad.toml"),
        "base = \"default\"\n[transitions]\nleaver_rate = { dist = \"normal\", mean = nan, sd = 0.01 }\n",
    )
    .unwrap();
    let (_, _, err) = capsim(&["validate", "bad.toml"], dir.path());
    assert_eq!(err.lines().count(), 1, "reported once: {err}");
}

/// Regression: a NaN read as 0 where a whole number goes, or an infinite bound of a
/// distribution, added a second line about a value the file does not hold ("floating point
/// `0.0`, expected a whole number", "min 0 and max 0").
#[test]
fn a_non_finite_number_is_reported_once_and_never_as_the_zero_it_is_read_as() {
    let err = validation_errors(
        "base = \"default\"\nyears = nan\n[transitions]\nleaver_rate = { dist = \"uniform\", min = 0, max = inf }\n",
    );
    assert!(
        err.contains("bad.toml: years: expected a finite number, found NaN"),
        "{err}"
    );
    assert!(
        err.contains("bad.toml: transitions.leaver_rate.max: expected a finite number, found inf"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 2, "{err}");
    // What is wrong further up is still said: an arm without a name holding a NaN.
    let err = validation_errors(
        "base = \"default\"\n[[arm]]\npreset = \"block\"\n[[arm.component]]\nkind = \"fixed\"\namount = nan\n",
    );
    assert!(
        err.contains("amount: expected a finite number, found NaN"),
        "{err}"
    );
    assert!(
        err.contains("bad.toml: arm[0]: missing field `name`"),
        "{err}"
    );
}

/// Regression: each of these ran without a word. A target of 1e300 paid 1e301 and wrote
/// infinities; two shifts out of A&E of 1.0 each gave GP and community care all of it, making
/// care from nothing; an empty list of types paid nothing for activity, an empty list of tiers
/// never paid the pool; a blank name became a ledger column named "".
#[test]
fn targets_shifts_and_empty_lists_that_cannot_mean_anything_are_refused() {
    let arm = "base = \"default\"\n[[arm]]\nname = \"x\"\n";
    rejected(
        &format!(
            "{arm}[[arm.component]]\nkind = \"per_unit\"\nindicator = \"deaths_per_1000\"\nrate = 5\ntarget = 1e300\n[[arm.component]]\nkind = \"activity\"\ntypes = []\n[[arm.component]]\nkind = \"fixed\"\nname = \" \"\namount = 5\n[[arm.component]]\nkind = \"outcome\"\npool_share = 0.1\nindicators = [ {{ indicator = \"deaths_per_1000\", weight = 1, target = -2e12, tiers = [] }} ]\n[[arm.component]]\nkind = \"quality_deduction\"\nindicator = \"deaths\"\nminimum = 1e13\ndeduction = 3\n"
        ),
        &[],
        &[
            "bad.toml: arm.x.component[0] (per_unit).target: expected a value the indicator can take, from -1e12 to 1e12, found 1e300",
            "bad.toml: arm.x.component[1] (activity).types: expected at least one activity type (leave `types` out to pay for all)",
            "bad.toml: arm.x.component[2] (fixed).name: expected a name with something in it",
            "bad.toml: arm.x.component[3] (outcome).indicators[0].target: expected a value the indicator can take, from -1e12 to 1e12, found -2e12",
            "bad.toml: arm.x.component[3] (outcome).indicators[0].tiers: expected at least one tier",
            "bad.toml: arm.x.component[4] (quality_deduction).minimum: expected a value the indicator can take, from -1e12 to 1e12, found 1e13",
        ],
    );
    rejected(
        "base = \"default\"\n[[intervention]]\nname = \"p\"\ntarget = { age_min = 20 }\nuptake = 1.0\ncost_per_person_year = 10\n[[intervention.shift]]\nfrom = \"ae\"\nto = \"gp\"\nshare = 0.7\n[[intervention.shift]]\nfrom = \"ae\"\nto = \"community\"\nshare = { dist = \"uniform\", min = 0.1, max = 0.4 }\n[[intervention.shift]]\nfrom = \"gp\"\nto = \"community\"\nshare = 0.9\n[[arm]]\nname = \"x\"\npreset = \"pbr\"\ninterventions = [\"p\"]\n",
        &[],
        &[
            "bad.toml: intervention.p.shift: expected the shares moved out of \"ae\" to sum to at most 1 (each at the largest it can draw), found 1.1",
        ],
    );
    // Shares out of one type that can reach 1 together, and no more, are a programme's to set.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("ok.toml"),
        "base = \"default\"\n[[intervention]]\nname = \"p\"\ntarget = { age_min = 20 }\nuptake = 1.0\ncost_per_person_year = 10\n[[intervention.shift]]\nfrom = \"ae\"\nto = \"gp\"\nshare = 0.6\n[[intervention.shift]]\nfrom = \"ae\"\nto = \"community\"\nshare = 0.4\n[[arm]]\nname = \"x\"\npreset = \"pbr\"\ninterventions = [\"p\"]\n",
    )
    .unwrap();
    let (code, _, err) = capsim(&["validate", "ok.toml"], dir.path());
    assert_eq!(code, 0, "{err}");
}

/// Money that can only flow one way is never negative.
#[test]
fn negative_caps_pools_rates_and_deductions_are_rejected() {
    let arm = "base = \"default\"\n[[arm]]\nname = \"x\"\n";
    rejected(
        &format!(
            "{arm}[[arm.component]]\nkind = \"activity\"\ncap = -1\n[[arm.component]]\nkind = \"outcome\"\npool = -5\n[[arm.component.indicators]]\nindicator = \"ae_per_1000\"\nweight = 1\ntarget = 300\n[[arm.component]]\nkind = \"per_unit\"\nindicator = \"deaths\"\ntarget = 1\nrate = -2000\n[[arm.component]]\nkind = \"quality_deduction\"\nindicator = \"deaths\"\nminimum = 1\ndeduction = -3\n[[arm.component]]\nkind = \"shared_savings\"\nprovider_share = 0.5\ncap = -0.1\n"
        ),
        &[],
        &[
            "arm.x.component[0] (activity).cap: expected an amount in £ between 0 and 1e13, found -1",
            "arm.x.component[1] (outcome).pool: expected an amount in £ between 0 and 1e13, found -5",
            "arm.x.component[2] (per_unit).rate: expected an amount in £ between 0 and 1e13, found -2000",
            "arm.x.component[3] (quality_deduction).deduction: expected an amount in £ between 0 and 1e13, found -3",
            "arm.x.component[4] (shared_savings).cap: expected a multiple between 0 and 1000, found -0.1",
        ],
    );
}

/// Regression: a huge uplift or share validated, then the run wrote infinities and hung
/// drawing them; a negative amount or an outcome weight below 0 (a pool the provider pays
/// into) validated too.
#[test]
fn huge_or_negative_contract_amounts_are_rejected() {
    let arm = "base = \"default\"\n[[arm]]\nname = \"x\"\n";
    rejected(
        &format!(
            "{arm}[[arm.component]]\nkind = \"capitation\"\nuplift = 1e300\n[[arm.component]]\nkind = \"fixed\"\nshare = 1e308\n[[arm.component]]\nkind = \"fixed\"\namount = -1e9\nuplift = -3\n[[arm.component]]\nkind = \"outcome\"\npool = 1e6\n[[arm.component.indicators]]\nindicator = \"ae_per_1000\"\nweight = 1.5\ntarget = 300\n[[arm.component.indicators]]\nindicator = \"deaths_per_1000\"\nweight = -0.5\ntarget = 10\n"
        ),
        &[],
        &[
            "arm.x.component[0] (capitation).uplift: expected an uplift above -1 and at most 1, found 1e300",
            "arm.x.component[1] (fixed).share: expected a multiple between 0 and 1000, found 1e308",
            "arm.x.component[2] (fixed).amount: expected an amount in £ between 0 and 1e13, found -1e9",
            "arm.x.component[2] (fixed).uplift: expected an uplift above -1 and at most 1, found -3",
            "arm.x.component[3] (outcome).indicators[1].weight: expected a weight >= 0, found -0.5",
        ],
    );
}

#[test]
fn a_population_beyond_what_the_model_represents_is_refused() {
    rejected(
        "base = \"default\"\n[population]\nsize = 100000000000\n",
        &[],
        &["bad.toml: population.size: expected a head count from 1 to 200000000"],
    );
}

/// Counts and seeds typed as fractions, negative numbers or words are refused in words that
/// say what is expected (clap's own were "invalid digit found in string", and "-1" was taken
/// for a flag), by every command that takes them.
#[test]
fn a_flag_that_is_not_a_whole_number_says_what_is_expected() {
    let dir = tempfile::tempdir().unwrap();
    for (args, expected) in [
        (
            &["run", "--reps", "1.5"][..],
            "invalid value '1.5' for '--reps <REPS>': expected a whole number, 1 to 100000",
        ),
        (
            &["run", "--reps", "-1"],
            "invalid value '-1' for '--reps <REPS>': expected a whole number, 1 to 100000",
        ),
        (
            &["run", "--reps", "5000000000"],
            "expected 1 to 100000 replications, found 5000000000",
        ),
        (
            &["run", "--threads", "two"],
            "invalid value 'two' for '--threads <THREADS>': expected a whole number, 1 to 1024",
        ),
        // One range for every wrong count, as the check beyond the flag's parsing said.
        (
            &["run", "--threads", "0"],
            "invalid value '0' for '--threads <THREADS>': expected a whole number, 1 to 1024",
        ),
        (
            &["run", "--threads", "-1"],
            "invalid value '-1' for '--threads <THREADS>': expected a whole number, 1 to 1024",
        ),
        (
            &["run", "--seed", "-3"],
            "invalid value '-3' for '--seed <SEED>': expected a whole number from 0 to 9223372036854775807",
        ),
        (
            &["run", "--seed", "99999999999999999999"],
            "expected a whole number from 0 to 9223372036854775807",
        ),
        // Beyond what the run folder's scenario.toml can hold: refused before anything is
        // simulated (it had failed after the whole run, naming a staging file).
        (
            &["run", "--seed", "9223372036854775808"],
            "for '--seed <SEED>': expected a whole number from 0 to 9223372036854775807",
        ),
        (
            &[
                "risk-size",
                "--arm",
                "capitation",
                "--sizes",
                "2000",
                "--seed",
                "18446744073709551615",
            ],
            "for '--seed <SEED>': expected a whole number from 0 to 9223372036854775807",
        ),
        (
            &[
                "risk-size",
                "--arm",
                "capitation",
                "--sizes",
                "2000",
                "--reps",
                "-4",
            ],
            "for '--reps <REPS>': expected a whole number, 1 to 100000",
        ),
        (
            &["corridor", "--arm", "capitation", "--threads", "0.5"],
            "for '--threads <THREADS>': expected a whole number, 1 to 1024",
        ),
        // Negative values reach the checks that say what each takes, not clap's "unexpected
        // argument '-0'".
        (
            &["corridor", "--arm", "capitation", "--max-prob-loss", "-0.1"],
            "command line: --max-prob-loss: expected a share from 0 to 1, found -0.1",
        ),
        (
            &["corridor", "--arm", "capitation", "--max-prob-loss", "5%"],
            "expected a number, such as 0.05 for 5%",
        ),
        (
            &["corridor", "--arm", "capitation", "--widths", "-0.1,0.1"],
            "command line: --widths: expected numbers from 0 to 1",
        ),
        (
            &["risk-size", "--arm", "capitation", "--sizes", "-5,5000"],
            "command line: --sizes: expected head counts, whole numbers of 100 or more; \"-5\" is \
             not one",
        ),
        (
            &["risk-size", "--arm", "capitation", "--sizes", "5000.5,6000"],
            "\"5000.5\" is not one",
        ),
        (
            &["run", "--shard", "-1/3"],
            "command line: --shard: expected K/N with 1 <= K <= N",
        ),
    ] {
        let mut args = args.to_vec();
        args.extend(["--out", "o"]);
        let (code, _, err) = capsim(&args, dir.path());
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.contains(expected), "{args:?}: {err}");
        assert!(!dir.path().join("o").exists());
    }
}

#[test]
fn replications_beyond_the_maximum_are_refused_before_any_allocation() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = capsim(&["run", "--reps", "4294967295", "--out", "o"], dir.path());
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("--reps: expected 1 to 100000 replications, found 4294967295"),
        "{err}"
    );
    assert!(!dir.path().join("o").exists());
    rejected(
        "base = \"default\"\nreplications = 100001\n",
        &[],
        &["bad.toml: replications: expected 1 to 100000 replications"],
    );
}

/// A head-count CSV is checked in the same pass as the scenario that names it.
#[test]
fn scenario_and_csv_problems_are_reported_together() {
    rejected(
        "base = \"default\"\n[population]\ncounts_csv = \"register.csv\"\nrural_share = 1.0\n[transitions]\nleaver_rate = 1.4\n",
        &[(
            "register.csv",
            "age,sex,imd_quintile,rurality,ltc_count,count\n45,X,1,urban,3,120\n",
        )],
        &[
            "bad.toml: transitions.leaver_rate: expected a probability",
            "register.csv: line 2, column sex: expected F or M",
            // Regression: a mix beside the file was ignored silently.
            "bad.toml: population.rural_share: expected no mix beside counts_csv",
        ],
    );
}

/// A provider without a name is reported once; the types it was to deliver are not also listed
/// as delivered by no provider, but a type it did not list is. Without a broken provider, such
/// gaps are all reported; when a set-aside provider's list cannot be read, none is.
#[test]
fn a_provider_set_aside_adds_no_lines_about_its_types() {
    let acute = "base = \"default\"\n[[provider]]\nname = \"acute\"\nactivity = [\"elective\", \"outpatient\", \"ae\", \"non_elective\", \"nel_bed_days\", \"ambulance\"]\n";
    let err = validation_errors(&format!(
        "{acute}[[provider]]\nactivity = [\"gp\", \"community\", \"mental_health\", \"prescribing\"]\n"
    ));
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("bad.toml: provider[1]: missing field `name`"),
        "{err}"
    );
    let err = validation_errors(&format!(
        "{acute}[[provider]]\nactivity = [\"gp\", \"community\", \"mental_health\"]\n"
    ));
    assert_eq!(err.lines().count(), 2, "{err}");
    assert!(
        err.contains(
            "bad.toml: provider: activity type \"prescribing\" is delivered by no provider"
        ),
        "{err}"
    );
    let err = validation_errors(&format!("{acute}[[provider]]\nactivity = \"gp\"\n"));
    assert_eq!(err.lines().count(), 2, "{err}");
    assert!(
        err.lines().all(|l| l.contains("bad.toml: provider[1]")),
        "{err}"
    );
    let err = validation_errors(acute);
    assert_eq!(err.lines().count(), 4, "{err}");
    assert!(
        err.contains("bad.toml: provider: activity type \"gp\" is delivered by no provider"),
        "{err}"
    );
    // A misspelt field beside a good list hides no gaps.
    let err = validation_errors(&format!("{acute}colour = \"red\"\n"));
    assert_eq!(err.lines().count(), 5, "{err}");
    assert!(
        err.contains("bad.toml: provider[0].colour: unknown field"),
        "{err}"
    );
}

/// A component with a value of the wrong type still has its missing fields reported in the
/// same run: the wrong value is set aside and the search goes on.
#[test]
fn a_components_wrong_value_and_missing_fields_are_reported_together() {
    rejected(
        "base = \"default\"\n[[arm]]\nname = \"x\"\n[[arm.component]]\nkind = \"risk_share\"\nprovider_loss_cap = \"lots\"\nsettle = \"yearly\"\n",
        &[],
        &[
            "bad.toml: arm.x.component[0].provider_loss_cap: invalid type: string \"lots\", expected a number",
            "bad.toml: arm.x.component[0]: missing field `bands`",
        ],
    );
}

/// A broken arm is reported once, for what is wrong with it, not again for what setting it
/// aside left behind.
#[test]
fn a_structurally_broken_arm_is_not_reported_twice() {
    let err = validation_errors(
        "base = \"default\"\n[[arm]]\nname = \"x\"\n[[arm.component]]\nkind = \"capitation\"\nrisk_adjustment = \"ful\"\n",
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("bad.toml: arm.x.component[0].risk_adjustment: unknown name `ful`"),
        "{err}"
    );
}

#[test]
fn missing_base_and_missing_csv() {
    rejected(
        "base = \"nowhere.toml\"\n",
        &[],
        &["bad.toml: base", "nowhere.toml"],
    );
    rejected(
        "base = \"default\"\n[population]\ncounts_csv = \"missing.csv\"\n",
        &[],
        &[
            "bad.toml: population.counts_csv: expected a readable head-count file (.csv or \
             .parquet), found ",
            "missing.csv (a path in a scenario is read from the scenario's folder",
        ],
    );
}

#[test]
fn malformed_csv_names_line_and_column() {
    rejected(
        "base = \"default\"\n[population]\ncounts_csv = \"gp.csv\"\n",
        &[(
            "gp.csv",
            "age,sex,imd_quintile,rurality,ltc_count,count\n40,F,1,urban,2,10\n41,F,9,urban,2,10\n",
        )],
        &["gp.csv: line 3, column imd_quintile: expected 1-5, found \"9\""],
    );
}

#[test]
fn population_command_rejects_unknown_extensions_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = capsim(&["population", "--out", "cells.xlsx"], dir.path());
    assert_eq!(code, 2, "{err}");
    assert!(err.contains(".csv or .parquet"), "{err}");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

const ARM: &str = "base = \"default\"\n[[arm]]\nname = \"corridor\"\npreset = \"capitation\"\n[[arm.component]]\n";

#[test]
fn misconfigured_components_name_the_arm_and_component() {
    rejected(
        &format!(
            "{ARM}kind = \"risk_share\"\nbands = [ {{ above = 0.02, provider_share = 1.5 }} ]\n"
        ),
        &[],
        &[
            "bad.toml: arm.corridor.component[0] (risk_share).bands[0].provider_share: expected a share between 0 and 1, found 1.5",
        ],
    );
    rejected(
        &format!(
            "{ARM}kind = \"risk_share\"\nbands = [ {{ above = 0.02, provider_share = 0.5 }}, {{ above = 0.02, provider_share = 0.2 }} ]\n"
        ),
        &[],
        &[
            "arm.corridor.component[0] (risk_share).bands[1]",
            "overlapping corridor bands",
        ],
    );
    // A marginal rate (or a deduction below baseline) without a baseline to be marginal to.
    rejected(
        &format!("{ARM}kind = \"activity\"\nmarginal_rate = 0.2\nbelow_baseline_rate = 0.5\n"),
        &[],
        &[
            "arm.corridor.component[0] (activity).marginal_rate: expected a baseline_volume with `marginal_rate`: it prices units against the baseline volume, so without one every unit is paid at price_share (for every unit at 20% of the price, write price_share = 0.2)",
            "arm.corridor.component[0] (activity).below_baseline_rate: expected a baseline_volume with `below_baseline_rate`",
        ],
    );
    // Percentages written as whole numbers: a band of 200% overspend, an impossible underspend.
    rejected(
        &format!(
            "{ARM}kind = \"risk_share\"\nbands = [ {{ above = 2, provider_share = 0.5 }}, {{ below = -5, provider_share = 0.5 }} ]\n"
        ),
        &[],
        &[
            "arm.corridor.component[0] (risk_share).bands[0].above: expected a deviation from the target as a share of it, between -1 and 1 (0.02 is 2%), found 2",
            "arm.corridor.component[0] (risk_share).bands[1].below: expected a deviation from the target as a share of it, between -1 and 1 (0.02 is 2%), found -5",
        ],
    );
    rejected(
        &format!(
            "{ARM}kind = \"per_unit\"\nindicator = \"waiters_52wk\"\ntarget = 10\nrate = 2000\n"
        ),
        &[],
        &[
            "arm.corridor.component[0] (per_unit).indicator",
            "unknown indicator \"waiters_52wk\"",
            "non_elective_per_1000",
        ],
    );
    rejected(
        &format!("{ARM}kind = \"activity\"\ntypes = [\"dentistry\"]\n"),
        &[],
        &[
            "arm.corridor.component[0] (activity).types",
            "unknown activity type \"dentistry\"; expected one of: gp, community",
        ],
    );
    rejected(
        &format!(
            "{ARM}kind = \"outcome\"\npool_share = 0.1\n[[arm.component.indicators]]\nindicator = \"ae_per_1000\"\nweight = 0.7\ntarget = 300\n"
        ),
        &[],
        &[
            "(outcome).indicators",
            "weights summing to 1, found a sum of 0.7",
        ],
    );
    rejected(
        &format!("{ARM}kind = \"bonus\"\n"),
        &[],
        &["bad.toml: arm", "unknown name `bonus`"],
    );
    rejected(
        "base = \"default\"\n[[arm]]\nname = \"x\"\npreset = \"pbr\"\nlead = \"nobody\"\n",
        &[],
        &["arm.x.lead", "unknown provider \"nobody\""],
    );
    rejected(
        "base = \"default\"\n[[provider]]\nname = \"acute\"\nactivity = [\"ae\", \"ambulance\"]\n",
        &[],
        &["activity type \"gp\" is delivered by no provider"],
    );
}

#[test]
fn misconfigured_interventions_name_their_fields() {
    let scenario = r#"
base = "default"
name = "bad"
years = 3
[[intervention]]
name = "prevention"
uptake = 1.5
start_year = 4
ramp_years = 0
paid_by = "nobody"
target = { age_min = 70, age_max = 20 }
[intervention.effect]
onset = -0.2
[intervention.effect.activity]
a_and_e = 0.9
[[intervention.shift]]
from = "gp"
to = "gp"
share = 0.2
[[arm]]
name = "pbr"
preset = "pbr"
interventions = ["prevention", "smoking"]
"#;
    rejected(
        scenario,
        &[],
        &[
            "intervention.prevention.uptake",
            "intervention.prevention.start_year: expected a simulated year from 1 to 3",
            "intervention.prevention.ramp_years",
            "intervention.prevention.paid_by: expected `commissioner` or a provider (provider)",
            "intervention.prevention.target: expected 0 <= age_min <= age_max",
            "intervention.prevention.effect.onset",
            "intervention.prevention.effect.activity.a_and_e: unknown activity type",
            "intervention.prevention.shift[0]: expected `from` and `to` to be different",
            "arm.pbr.interventions: unknown intervention \"smoking\"",
        ],
    );
}

/// Capacity is added to a type with a waiting list, and a programme acting on the people it
/// enrols says how many enrol; one that only adds capacity need not.
#[test]
fn a_capacity_programme_names_a_list_and_people_need_an_uptake() {
    let programmes = r#"
[[intervention]]
name = "theatres"
cost_per_year = -5
effect.waiting_list_capacity = { gp = 1.1 }
[[intervention]]
name = "prevention"
effect.onset = 0.8
[[arm]]
name = "block"
preset = "block"
interventions = ["theatres", "prevention"]
"#;
    rejected(
        &format!("base = \"default\"\nname = \"bad\"\n{programmes}"),
        &[],
        &[
            "intervention.theatres.effect.waiting_list_capacity.gp: \"gp\" is not an activity \
             type with a waiting list; the scenario gives no type one",
            "intervention.theatres.cost_per_year",
            "intervention.prevention.uptake: expected the share of the eligible enrolled",
        ],
    );
    let with_list = format!(
        "base = \"default\"\nname = \"bad\"\n\
         [activity.types.elective.waiting_list]\ninitial = 100\n{programmes}"
    );
    let err = validation_errors(&with_list);
    assert!(
        err.contains("waiting_list_capacity.gp: \"gp\" is not an activity type with a waiting list; expected one of: elective"),
        "{err}"
    );
    // A slip of typing is answered with the type meant.
    let misspelt = with_list.replace(
        "waiting_list_capacity = { gp",
        "waiting_list_capacity = { electiv",
    );
    assert_ne!(misspelt, with_list);
    let err = validation_errors(&misspelt);
    assert!(
        err.contains("\"electiv\" is not an activity type with a waiting list (did you mean \"elective\"?); expected one of: elective"),
        "{err}"
    );
    // Capacity alone, with no uptake, is a programme.
    let fine = with_list
        .replace("cost_per_year = -5", "cost_per_year = 5")
        .replace("gp = 1.1", "elective = 1.1")
        .replace("effect.onset = 0.8", "uptake = 0.5\neffect.onset = 0.8");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("ok.toml"), fine).unwrap();
    let (code, _, err) = capsim(&["validate", "ok.toml"], dir.path());
    assert_eq!(code, 0, "{err}");
}

/// An effect on gaining the condition needs a condition, and eligible people without it.
#[test]
fn a_condition_onset_effect_needs_someone_who_can_gain_the_condition() {
    let without_condition = r#"
base = "default"
name = "bad"
[[intervention]]
name = "prevention"
uptake = 0.5
[intervention.effect]
condition_onset = 0.5
"#;
    rejected(
        without_condition,
        &[],
        &[
            "bad.toml: intervention.prevention.effect.condition_onset: expected a [condition] in the scenario",
        ],
    );
    // No effect, with its source cited, needs no condition.
    let dir = tempfile::tempdir().unwrap();
    let no_effect = without_condition.replace(
        "condition_onset = 0.5",
        "condition_onset = { value = 1.0, source = \"no effect assumed\" }",
    );
    std::fs::write(dir.path().join("ok.toml"), no_effect).unwrap();
    let (code, _, err) = capsim(&["validate", "ok.toml"], dir.path());
    assert_eq!(code, 0, "{err}");
    let everyone_has_it = r#"
base = "default"
name = "bad"
[condition]
name = "frailty"
[[intervention]]
name = "prevention"
uptake = 0.5
target = { condition = true }
[intervention.effect]
condition_onset = { dist = "uniform", min = 0.5, max = 0.9 }
"#;
    rejected(
        everyone_has_it,
        &[],
        &[
            "intervention.prevention.effect.condition_onset: expected eligible people without the condition",
        ],
    );
    // A cohort of people with the condition leaves nobody to prevent it in.
    rejected(
        &everyone_has_it
            .replace(
                "target = { condition = true }\n",
                "target = { age_min = 50 }\n",
            )
            .replace(
                "[[intervention]]",
                "[population.cohort]\ncondition = true\n[[intervention]]",
            ),
        &[],
        &[
            "intervention.prevention.effect.condition_onset: expected eligible people without the condition",
        ],
    );
    rejected(
        &everyone_has_it
            .replace("target = { condition = true }\n", "")
            .replace("{ dist = \"uniform\", min = 0.5, max = 0.9 }", "-0.5"),
        &[],
        &["intervention.prevention.effect.condition_onset"],
    );
}

#[test]
fn an_unknown_field_in_an_intervention_is_named_by_the_intervention() {
    let scenario = r#"
base = "default"
name = "bad"
[[intervention]]
name = "prevention"
uptake = 0.5
[intervention.effect]
onsets = 0.5
"#;
    rejected(scenario, &[], &["intervention.prevention.effect", "onsets"]);
}

/// A name too long for a folder is refused before anything is simulated, not when the results
/// are moved into place.
#[test]
fn a_name_too_long_for_a_folder_is_refused() {
    rejected(
        &format!("base = \"default\"\nname = \"{}\"\n", "a".repeat(256)),
        &[],
        &[
            "name: expected a name that can be a folder's",
            "at most 255 bytes",
        ],
    );
}

/// The catalogue: one way of getting a scenario wrong per line, each on top of the built-in
/// default, each with the path and the words its message must hold. Every case must exit 2,
/// write nothing, and give the same message from `validate` (see `rejected`).
const CATALOGUE: &[(&str, &[&str])] = &[
    (
        "name = \"\"",
        &["name: expected a name that can be a folder's", "found \"\""],
    ),
    (
        "name = \"a/b\"",
        &[
            "name: expected a name that can be a folder's",
            "without slashes",
        ],
    ),
    (
        "name = \"..\"",
        &[
            "name: expected a name that can be a folder's",
            "found \"..\"",
        ],
    ),
    (
        "name = \"a\\u0000b\"",
        &["name: expected a name that can be a folder's", "control"],
    ),
    ("years = 0", &["years: expected 1 to 100 years"]),
    ("years = 101", &["years: expected 1 to 100 years"]),
    ("replications = 0", &["replications: expected 1 to 100000"]),
    ("seed = -1", &["seed"]),
    ("start_year = \"2025\"", &["start_year", "invalid type"]),
    ("colour = \"red\"", &["unknown field `colour`"]),
    (
        "[population]\nsize = 0",
        &["population.size: expected a head count from 1"],
    ),
    (
        "[population]\nrural_share = 1.2",
        &["population.rural_share: expected a share between 0 and 1"],
    ),
    (
        "[population]\nimd_shares = [0.2, 0.2, 0.2, 0.2]",
        &["population.imd_shares"],
    ),
    (
        "[population.cohort]\nltc_min = 6",
        &["population.cohort: expected 0 <= ltc_min <= ltc_max <= 5"],
    ),
    (
        "[population.cohort]\nimd = [0]",
        &["population.cohort.imd[0]: expected a quintile from 1 (most deprived) to 5, found 0"],
    ),
    (
        "[population.cohort]\nmode = \"half\"",
        &["population.cohort.mode", "unknown name"],
    ),
    (
        "[transitions]\nbirth_rate = -0.1",
        &["transitions.birth_rate: expected a probability"],
    ),
    (
        "[transitions]\ngrowth_rate = -1.5",
        &["transitions.growth_rate: expected a growth rate above -1"],
    ),
    (
        "[transitions]\nmortality_multiplier = { dist = \"normal\", mean = 1, sd = 1 }",
        &["transitions.mortality_multiplier", "can draw values"],
    ),
    (
        "[transitions]\nonset_multiplier = { dist = \"gamma\", shape = 2 }",
        &["transitions.onset_multiplier"],
    ),
    (
        "[activity]\nfrailty_shape = 0",
        &["activity.frailty_shape: expected a value > 0"],
    ),
    (
        "[activity.types.gp]\nrate = -1",
        &["activity.types.gp.rate: expected a value >= 0"],
    ),
    (
        "[activity.types.gp]\nage_profile = \"nobody\"",
        &["activity.types.gp.age_profile: expected one of the profiles"],
    ),
    (
        "[activity.types.gp]\nfixed_cost_share = 1.5",
        &["activity.types.gp.fixed_cost_share: expected a probability"],
    ),
    (
        "[shocks]\nbad_winter_probability = { dist = \"uniform\", min = 0.5, max = 1.5 }",
        &["shocks.bad_winter_probability"],
    ),
    (
        "[shocks]\ndemand_noise_sd = inf",
        &["shocks.demand_noise_sd: expected a finite number"],
    ),
    (
        "[[provider]]\nname = \"a\"\nactivity = [\"gp\", \"gp\", \"prescribing\"]",
        &["provider"],
    ),
    (
        "[[arm]]\nname = \"a\"",
        &["arm.a: expected a preset or at least one component"],
    ),
    (
        "[[arm]]\nname = \"a\"\npreset = \"block\"\n[[arm]]\nname = \"a\"\npreset = \"pbr\"",
        &["arm.a: expected a unique, non-empty arm name"],
    ),
    (
        "[[arm]]\nname = \"a\"\n[[arm.component]]\nkind = \"bonus\"",
        &["arm.a.component[0]", "bonus"],
    ),
    (
        "[[arm]]\nname = \"a\"\n[[arm.component]]\nkind = \"capitation\"\nrisk_adjustment = \"ltc\"",
        &["arm.a.component[0].risk_adjustment", "unknown name"],
    ),
    (
        "[[arm]]\nname = \"a\"\n[[arm.component]]\nkind = \"capitation\"\nweights = \"frozen\"",
        &["arm.a.component[0].weights", "unknown name"],
    ),
    (
        "[[arm]]\nname = \"a\"\n[[arm.component]]\nkind = \"activity\"\ntypes = [\"xray\"]",
        &["arm.a.component[0] (activity)", "xray"],
    ),
    (
        "[[arm]]\nname = \"a\"\n[[arm.component]]\nkind = \"outcome\"\npool_share = 0.1\n[[arm.component.indicators]]\nindicator = \"deaths\"\nweight = 0.5",
        &["arm.a.component[0] (outcome)", "weights"],
    ),
    (
        "[[arm]]\nname = \"a\"\n[[arm.component]]\nkind = \"shared_savings\"\nprovider_share = 0.5\nagainst = \"income\"",
        &["arm.a.component[0].against", "unknown name"],
    ),
    (
        "[[arm]]\nname = \"a\"\n[[arm.component]]\nkind = \"risk_share\"\nbands = [ { above = 0.02, provider_share = 1.5 } ]",
        &["arm.a.component[0] (risk_share)", "provider_share"],
    ),
    (
        "[[intervention]]\nname = \"p\"",
        &["intervention", "uptake"],
    ),
    (
        "[[intervention]]\nname = \"p\"\nuptake = 0.5\nlag_years = 10",
        &["intervention.p.lag_years: expected fewer than the 5 simulated years"],
    ),
    (
        // Starting in year 4 of 5 with a 2-year lag, it would only cost money.
        "[[intervention]]\nname = \"p\"\nuptake = 0.5\nstart_year = 4\nlag_years = 2",
        &[
            "intervention.p.lag_years: expected the effect within the 5 simulated years: starting in year 4 with a lag of 2 it would first act in year 6",
        ],
    ),
    (
        // A cohort of people aged 65+ and a programme for under-40s: nobody is eligible.
        "[population.cohort]\nage_min = 65\n[[intervention]]\nname = \"p\"\nuptake = 0.5\ntarget = { age_max = 39 }",
        &["intervention.p.target: expected a target that admits someone the scenario covers"],
    ),
    (
        "[[intervention]]\nname = \"p\"\nuptake = 0.5\n[[intervention.shift]]\nfrom = \"gp\"\nto = \"xray\"\nshare = 0.1",
        &["intervention.p.shift[0].to: unknown activity type"],
    ),
    (
        "[[intervention]]\nname = \"p\"\nuptake = 0.5\n[[intervention]]\nname = \"p\"\nuptake = 0.2",
        &["intervention.p: expected a unique, non-empty intervention name"],
    ),
    (
        "[activity.types.gp]\nrate = 1e20",
        &["activity.types.gp.rate: expected at most 1000, found 1e20"],
    ),
    (
        "[activity.types.gp]\ncost_cv = 1e200",
        &["activity.types.gp.cost_cv: expected at most 100"],
    ),
    (
        "[shocks]\ndemand_noise_sd = { dist = \"gamma\", shape = 1e300, scale = 1e300 }",
        &["shocks.demand_noise_sd: expected at most 2, this distribution reaches inf"],
    ),
    (
        "[shocks]\ncost_inflation = { dist = \"lognormal\", mean = 0.5, sd = 0.2 }",
        &["shocks.cost_inflation: expected at most 1, this distribution reaches 1.5"],
    ),
    (
        "[[intervention]]\nname = \"p\"\nuptake = 0.5\ncost_per_person_year = 1e12",
        &["intervention.p.cost_per_person_year: expected at most 1e9"],
    ),
    (
        "[budget]\nfirst_year = -5",
        &["budget.first_year: expected the first year's budget in £, above 0"],
    ),
    (
        "[budget]\nfirst_year = 1e9\ngrowth = 3",
        &["budget.growth: expected a yearly growth above -1 and at most 1"],
    ),
    (
        "years = 100\n[population]\nsize = 200000000\n[transitions]\ngrowth_rate = 0.5",
        &[
            "transitions.growth_rate: expected a population capsim can hold",
            "reach 8.131e25",
        ],
    ),
    (
        "[[arm]]\nname = \"late\"\n[[arm.component]]\nkind = \"fixed\"\nshare = 1.0\nfrom_year = 7",
        &["arm.late.component[0] (fixed).from_year: expected a contract year from 1 to 5"],
    ),
    (
        "[[arm]]\nname = \"backwards\"\n[[arm.component]]\nkind = \"fixed\"\nshare = 1.0\nfrom_year = 4\nto_year = 2",
        &[
            "arm.backwards.component[0] (fixed).to_year: expected to_year no earlier than from_year (4)",
        ],
    ),
    (
        "[[arm]]\nname = \"annual\"\n[[arm.component]]\nkind = \"fixed\"\nrebase = { every = 0, lag = 6 }",
        &[
            "arm.annual.component[0] (fixed).rebase.every: expected a number of years from 1 to 5 (years), found 0",
            "arm.annual.component[0] (fixed).rebase.lag: expected a number of years from 1 to 5 (years), found 6",
        ],
    ),
    (
        "[[arm]]\nname = \"annual\"\n[[arm.component]]\nkind = \"capitation\"\nrebase = { on = \"spend\" }",
        &[
            "arm.annual.component[0]",
            "unknown name `spend`, expected one of `cost`, `tariff`, `volume`",
        ],
    ),
    (
        "[[arm]]\nname = \"ratchet\"\n[[arm.component]]\nkind = \"shared_savings\"\nprovider_share = 0.5\nagainst = \"spend\"\nrebase = { on = \"tariff\" }",
        &[
            "arm.ratchet.component[0] (shared_savings).against: expected \"cost\" with `rebase`: a benchmark is re-set on the holder's cost",
            "arm.ratchet.component[0] (shared_savings).rebase.on: expected \"cost\"",
        ],
    ),
    (
        "[[arm]]\nname = \"annual\"\n[[arm.component]]\nkind = \"activity\"\nrebase = { every = 1 }",
        &[
            "arm.annual.component[0] (activity).rebase: expected a baseline_volume with `rebase`: it re-sets the baseline volume on the holder's count of each type",
        ],
    ),
    (
        "[[arm]]\nname = \"annual\"\n[[arm.component]]\nkind = \"activity\"\nbaseline_volume = 1.0\nrebase = { on = \"tariff\" }",
        &[
            "arm.annual.component[0] (activity).rebase.on: expected \"volume\" (or nothing): an activity component's baseline volume is re-set on the holder's count of each type",
        ],
    ),
    (
        "[[arm]]\nname = \"annual\"\n[[arm.component]]\nkind = \"capitation\"\nrebase = { on = \"volume\" }",
        &[
            "arm.annual.component[0] (capitation).rebase.on: expected \"cost\" or \"tariff\": \"volume\" re-sets an activity component's baseline volume, and a capitation amount is set in £",
        ],
    ),
    (
        "[[arm]]\nname = \"zero\"\n[[arm.component]]\nkind = \"capitation\"\nto_year = 0",
        &["arm.zero.component[0] (capitation).to_year: expected a contract year from 1 to 5"],
    ),
    (
        "[[arm]]\nname = \"solo\"\npreset = \"outcomes\"\npass_through = 0.3",
        &["arm.solo.pass_through: expected a lead provider"],
    ),
    (
        "[[arm]]\nname = \"watched\"\npreset = \"block\"\n[[arm.monitor]]\nindicator = \"waiters\"",
        &["arm.watched.monitor[0].indicator: unknown indicator \"waiters\"; expected one of: "],
    ),
    // A slip of typing is answered with the name meant.
    (
        "[[arm]]\nname = \"watched\"\npreset = \"block\"\n[[arm.monitor]]\nindicator = \"ae_per_100\"",
        &[
            "arm.watched.monitor[0].indicator: unknown indicator \"ae_per_100\" (did you mean \"ae_per_1000\"?); expected one of: ",
        ],
    ),
    (
        "replicatons = 10",
        &[
            "replicatons: unknown field `replicatons` (did you mean `replications`?), expected one of `name`,",
        ],
    ),
    // A built-in condition misspelt: one problem at its name, not a missing field each.
    (
        "[condition]\nname = \"copdd\"",
        &[
            "condition.name: unknown built-in condition \"copdd\" (did you mean \"copd\"?); expected one of: copd, frailty, msk, smi; or, for a condition of the scenario's own, every field written: prevalence, deprivation_ratio, ltc_ratio, incidence_multiplier, exit_rate, mortality_ratio missing",
        ],
    ),
    (
        "[condition]\nname = \"smi\"\nprevalence = [{ age_min = 0, age_max = 100, female = 0.0, male = 0.0 }]",
        &[
            "condition.prevalence: expected a prevalence above 0 in some band: nobody would have the condition or gain it",
        ],
    ),
    // Two indicators without weights: each counts as 1.
    (
        "[[arm]]\nname = \"o\"\n[[arm.component]]\nkind = \"outcome\"\npool = 1e6\n[[arm.component.indicators]]\nindicator = \"ae_per_1000\"\ntarget = 300\n[[arm.component.indicators]]\nindicator = \"deaths_per_1000\"\ntarget = 9",
        &[
            "arm.o.component[0] (outcome).indicators: expected indicator weights summing to 1, found a sum of 2 (an indicator's `weight` left out counts as 1)",
        ],
    ),
    (
        "[[arm]]\nname = \"watched\"\npreset = \"block\"\n[[arm.monitor]]\nindicator = \"ae_per_1000\"\ntarget = 300\ntarget_vs_expected = 1.0",
        &[
            "arm.watched.monitor[0]: expected at most one of target, target_vs_expected and target_vs_previous",
        ],
    ),
    // A term is judged once, on its years together: none of them has a year before.
    (
        "[[arm]]\nname = \"t\"\npreset = \"block\"\n[[arm.component]]\nkind = \"per_unit\"\nindicator = \"ae_per_1000\"\nrate = 20\ntarget_vs_previous = 0.98\nsettle = \"term\"\n[[arm.component]]\nkind = \"outcome\"\npool = 1e6\nsettle = \"term\"\n[[arm.component.indicators]]\nindicator = \"ae_per_1000\"\nweight = 1.0\ntarget_vs_previous = 1.0",
        &[
            "arm.t.component[0] (per_unit).target_vs_previous: expected `target` or `target_vs_expected` with settle = \"term\": a term is judged once, on the mean of its years, not against a year before",
            "arm.t.component[1] (outcome).indicators[0].target_vs_previous: expected `target` or `target_vs_expected` with settle = \"term\"",
        ],
    ),
    // A waiting list's indicators exist only for a type with a list.
    (
        "[[arm]]\nname = \"wy\"\npreset = \"block\"\n[[arm.component]]\nkind = \"per_unit\"\nindicator = \"elective_52_week_waiters\"\nrate = 2000\ntarget = 100",
        &[
            "arm.wy.component[0] (per_unit).indicator: unknown indicator \"elective_52_week_waiters\"",
        ],
    ),
    (
        "[activity.types.elective.waiting_list]\ninitial = 1000\ninitial_waits = [{ to_weeks = 18, share = 0.6 }, { to_weeks = 52, share = 0.3 }]",
        &[
            "activity.types.elective.waiting_list.initial_waits: expected shares summing to 1, found a sum of 0.9",
        ],
    ),
    (
        "[activity.types.elective.waiting_list]\ninitial = 1000\ninitial_waits = [{ to_weeks = 52, share = 0.6 }, { to_weeks = 18, share = 0.4 }]",
        &[
            "activity.types.elective.waiting_list.initial_waits[1].to_weeks: expected whole weeks, increasing from band to band, above 52",
        ],
    ),
    (
        "[activity.types.elective.waiting_list]\ninitial = 1000\ninitial_waits = [{ to_weeks = 400, share = 1.0 }]",
        &[
            "initial_waits[0].to_weeks: expected whole weeks, increasing from band to band, above 0 and at most 260, found 400",
        ],
    ),
    (
        "[activity.types.elective.waiting_list]\ninitial = 1000\ninitial_waits = []",
        &["activity.types.elective.waiting_list.initial_waits: expected at least one band"],
    ),
    (
        "[activity.types.elective.waiting_list]\ninitial = -5\ninitial_waits = [{ to_weeks = 18, share = 1.0 }]",
        &["activity.types.elective.waiting_list.initial"],
    ),
    (
        "[activity.types.elective.waiting_list]\ninitial = 1000\ninitial_waits = [{ to_weeks = 18, share = 1.0 }]\nurgent_share = 1.5",
        &["activity.types.elective.waiting_list.urgent_share"],
    ),
    (
        "[activity.types.elective.waiting_list]\ninitial_waits = [{ to_weeks = 18, share = 1.0 }]",
        &["initial"],
    ), // Condition cohorts.
    (
        "[condition]\nname = \"smi\"\n[condition.activity_ratio]\nwalk_in = 2.0",
        &["condition.activity_ratio.walk_in: unknown activity type \"walk_in\""],
    ),
    (
        "[condition]\nname = \"smi\"\nprevalence = [{ age_min = 0, age_max = 40, female = 0.01, male = 0.01 }, { age_min = 50, age_max = 100, female = 0.01, male = 0.01 }]",
        &[
            "condition.prevalence[1]: expected bands in increasing order covering ages 0-100 without gaps: this one should start at 41, found 50-100",
        ],
    ),
    (
        "[condition]\nname = \"smi\"\nprevalence = [{ age_min = 0, age_max = 100, female = 1.5, male = 0.01 }]",
        &["condition.prevalence[0].female: expected a share between 0 and 1, found 1.5"],
    ),
    (
        "[condition]\nname = \"Serious Illness\"\nprevalence = [{ age_min = 0, age_max = 100, female = 0.01, male = 0.01 }]\ndeprivation_ratio = 1.0\nltc_ratio = 1.0\nincidence_multiplier = 1.0\nexit_rate = 0.0\nmortality_ratio = 1.0",
        &["condition.name: expected a short name of lower-case letters"],
    ),
    (
        "[condition]\nname = \"smi\"\nltc_min = 6",
        &[
            "condition.ltc_min: expected a count of long-term conditions from 0 to 5 (5 meaning 5 or more), found 6",
        ],
    ),
    (
        "[condition]\nname = \"smi\"\nmortality_ratio = -1.0",
        &["condition.mortality_ratio"],
    ),
    (
        "[condition]\nname = \"mystery\"",
        &["condition", "prevalence"],
    ),
    (
        "[population.cohort]\ncondition = true",
        &["population.cohort.condition: expected a [condition]"],
    ),
    (
        "[activity.types.gp]\ncondition_only = true",
        &["activity.types.gp.condition_only: expected a [condition]"],
    ),
    (
        "[[intervention]]\nname = \"p\"\ntarget = { condition = true }\nuptake = 0.5\ncost_per_person_year = 10\npaid_by = \"commissioner\"",
        &["intervention.p.target.condition: expected a [condition]"],
    ),
    (
        "[activity.types.condition]\norder = 20\nrate = 1.0\nunit_cost = 10\nprice = 10\ncost_cv = 0.5\nltc_ratio = 1.0\ndeprivation_ratio = 1.0\nrural_rate_ratio = 1.0\nfixed_cost_share = 0.2\nwinter = false\nage_profile = \"gp\"",
        &[
            "activity.types.condition: expected a type name whose indicators are its own: its indicator \"condition_count\"",
        ],
    ),
    (
        "[activity.types.elective.waiting_list]\ninitial = 1000\nreferrals_per_event = 0.0",
        &["activity.types.elective.waiting_list.referrals_per_event"],
    ),
];

/// A scenario whose values each pass validation can still compound beyond what can be drawn
/// (here demand doubling every year for 100 years): the run stops with the field to change,
/// exit 2, nothing written, instead of a panic inside the Poisson sampler.
#[test]
fn activity_compounding_beyond_what_can_be_drawn_is_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = "base = \"default\"\nyears = 100\n[population]\nsize = 100000\n\
                    [activity.types.gp]\nrate = 1000\n[shocks]\ndemand_trend = 1.0\n";
    std::fs::write(dir.path().join("grow.toml"), scenario).unwrap();
    let (code, _, err) = capsim(
        &["run", "grow.toml", "--out", "out", "--reps", "2"],
        dir.path(),
    );
    assert_eq!(code, 2, "stderr: {err}");
    assert!(
        err.contains("grow.toml: activity.types.gp.rate: expected activity capsim can draw")
            && err.contains("shocks.demand_trend"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(left.len(), 1, "only the scenario remains");
    // The same rate given with --set is the command line's to change.
    let file = scenario.replace("rate = 1000\n", "");
    std::fs::write(dir.path().join("grow.toml"), file).unwrap();
    let (code, _, err) = capsim(
        &[
            "run",
            "grow.toml",
            "--set",
            "activity.types.gp.rate=1000",
            "--out",
            "out",
            "--reps",
            "2",
        ],
        dir.path(),
    );
    assert_eq!(code, 2, "stderr: {err}");
    assert!(
        err.contains("command line (--set): activity.types.gp.rate: expected activity capsim"),
        "{err}"
    );
}

#[test]
fn the_bad_input_catalogue() {
    let mut failed = Vec::new();
    for (text, expected) in CATALOGUE {
        // The case's own top-level fields replace the header's.
        let mut header = String::from("base = \"default\"\n");
        for (key, value) in [("name", "\"bad\""), ("years", "5")] {
            if !text.starts_with(&format!("{key} =")) {
                header += &format!("{key} = {value}\n");
            }
        }
        let scenario = format!("{header}{text}\n");
        let case = std::panic::catch_unwind(|| rejected(&scenario, &[], expected));
        if case.is_err() {
            failed.push(*text);
        }
    }
    assert!(
        failed.is_empty(),
        "cases not rejected as expected: {failed:#?}"
    );
}

/// A run whose results would not fit in the memory capsim may use (here 1 GiB, as
/// CAPSIM_MEMORY_GIB says) is refused before anything is simulated or written, naming where
/// the replications came from; a bad CAPSIM_MEMORY_GIB is named too. Within it, it runs.
/// validate, risk-size and corridor check the same (merge too, untested here).
#[test]
fn a_run_too_big_for_memory_is_refused_up_front() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("s.toml"),
        "base = \"default\"\nreplications = 100000\n",
    )
    .unwrap();
    let run = |memory: &str, args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_capsim"))
            .args(args)
            .env("CAPSIM_MEMORY_GIB", memory)
            .current_dir(dir.path())
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    for (memory, args, expected) in [
        (
            "1",
            &["run", "--reps", "100000", "--out", "o"][..],
            "command line: --reps: expected results that fit in memory: 100000 replications of 5 years need about",
        ),
        (
            "1",
            &["run", "s.toml", "--out", "o"][..],
            "s.toml: replications: expected results that fit in memory",
        ),
        (
            "1",
            &["run", "--set", "replications=100000", "--out", "o"][..],
            "command line (--set): replications: expected results that fit in memory",
        ),
        (
            "lots",
            &["run", "--reps", "2", "--out", "o"][..],
            "environment: CAPSIM_MEMORY_GIB: expected the memory capsim may use, in GiB (above 0), found \"lots\"",
        ),
        // Regression: only run checked; validate said "valid", and risk-size and corridor
        // went ahead.
        (
            "1",
            &["validate", "s.toml"][..],
            "s.toml: replications: expected results that fit in memory",
        ),
        (
            "1",
            &[
                "risk-size",
                "s.toml",
                "--arm",
                "capitation",
                "--sizes",
                "2000,4000",
                "--out",
                "o",
            ][..],
            "s.toml: replications: expected results that fit in memory",
        ),
        (
            "0.5",
            &[
                "corridor",
                "--arm",
                "capitation",
                "--reps",
                "100000",
                "--out",
                "o",
            ][..],
            "command line: --reps: expected results that fit in memory",
        ),
        (
            // What the search keeps of each replication (85 designs' outcomes, about 16 KB),
            // not one run's results (7 KB), which had let this through to hold 1.6 GB.
            "1.2",
            &[
                "corridor",
                "--arm",
                "capitation",
                "--reps",
                "100000",
                "--out",
                "o",
            ][..],
            "command line: --reps: expected results that fit in memory",
        ),
    ] {
        let (code, err) = run(memory, args);
        assert_eq!(code, Some(2), "{args:?}: {err}");
        assert!(err.contains(expected), "{args:?}: {err}");
        assert!(
            std::fs::read_dir(dir.path()).unwrap().count() == 1,
            "only s.toml"
        );
    }
    let (code, err) = run("1", &["run", "--reps", "20", "--out", "o"]);
    assert_eq!(code, Some(0), "{err}");
    // --precision stops doubling at what fits: here about 20 replications of 1 MiB's 80%.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_capsim"))
        .args(["run", "--reps", "4", "--set", "population.size=20000"])
        .args(["--precision", "capitation:p50=1000", "--out", "p"])
        .env("CAPSIM_MEMORY_GIB", "0.001")
        .current_dir(dir.path())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    let reached: u32 = text
        .split("not reached at the maximum of ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{text}"));
    assert!((9..100).contains(&reached), "{text}");
}

/// Regression: an arm named with a '.' validated but could not be addressed by --set (risk-size
/// failed on an override the user never typed), a start year near i32's limit wrapped, and an
/// empty list of sexes selected nobody.
#[test]
fn names_that_split_a_path_and_impossible_start_years_are_rejected() {
    rejected(
        "base = \"default\"\nstart_year = 2147483647\n[[arm]]\nname = \"cap.v2\"\npreset = \"capitation\"\n[population.cohort]\nsex = []\n",
        &[],
        &[
            "start_year: expected a calendar year from 1900 to 2200, found 2147483647",
            "arm[0].name: expected a name of at most 100 characters without '.', '[', ']', ':', '=' or control characters",
            "population.cohort.sex: expected a non-empty list",
        ],
    );
    // Names a flag could not address (`--precision ARM:FIGURE=…`, `--set PATH=VALUE`), or too
    // long for a chart's legend; and any text longer than a spreadsheet cell holds.
    let long = "x".repeat(32_768);
    rejected(
        &format!(
            "base = \"default\"\ndescription = \"{long}\"\n[[arm]]\nname = \"cap:v2\"\npreset = \"capitation\"\n\
             [[arm]]\nname = \"a=b\"\npreset = \"pbr\"\n[[arm]]\nname = \"{}\"\npreset = \"block\"\n",
            "y".repeat(101)
        ),
        &[],
        &[
            "description: expected at most 32767 characters (a spreadsheet cell's limit: the run's workbook carries it), found 32768",
            "arm[0].name: expected a name of at most 100 characters without '.', '[', ']', ':', '='",
            "arm[1].name: expected a name of at most 100 characters",
            "arm[2].name: expected a name of at most 100 characters without '.', '[', ']', ':', '=' or control characters (--set, --param and --precision address fields by it), not empty; found \"yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy\"… (101 characters)",
        ],
    );
    // A base that never ends is refused after 16 MiB, not read until memory runs out.
    rejected(
        "base = \"/dev/zero\"\n",
        &[],
        &["base: expected \"default\" or a readable scenario file; /dev/zero: larger than 16 MiB"],
    );
    // An empty arm name is reported once, by the arm's own check.
    let err = validation_errors("base = \"default\"\n[[arm]]\nname = \"\"\npreset = \"pbr\"\n");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("expected a unique, non-empty arm name"),
        "{err}"
    );
}

/// Regression: a component named like one of the ledger's own columns passed validation, then
/// the run failed after simulating ("duplicate column"), writing nothing. It is refused first.
/// And the names refused are the ledger's columns, every one of them.
#[test]
fn a_component_named_like_a_ledger_column_is_refused() {
    rejected(
        "base = \"default\"\n[[arm]]\nname = \"a\"\n[[arm.component]]\nkind = \"fixed\"\n\
         name = \"cost\"\nshare = 1.0\n",
        &[],
        &[
            "bad.toml: arm.a.component[0] (fixed).name: expected a name of the component's own: \"cost\" is one of the ledger's columns",
        ],
    );
    rejected(
        "base = \"default\"\n[[arm]]\nname = \"a\"\n[[arm.component]]\nkind = \"capitation\"\n\
         name = \"fixed\"\n",
        &[],
        &[
            "bad.toml: arm.a.component[0] (capitation).name: expected a name other than another kind's",
        ],
    );
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = capsim(
        &[
            "run",
            "--reps",
            "2",
            "--set",
            "years=1",
            "--set",
            "population.size=2000",
            "--out",
            "o",
        ],
        dir.path(),
    );
    assert_eq!(code, 0, "{err}");
    use polars::prelude::*;
    let ledger = std::fs::File::open(dir.path().join("o/ledger.parquet")).unwrap();
    let df = ParquetReader::new(ledger).finish().unwrap();
    let names: Vec<String> = df
        .get_column_names()
        .iter()
        .map(|n| n.to_string())
        .collect();
    assert_eq!(
        names[..capsim::ledger::LEDGER_COLUMNS.len()],
        capsim::ledger::LEDGER_COLUMNS.map(String::from)
    );
}

/// Settings that validated but meant nothing: a tier at a negative (or absurd) multiple of its
/// target, a subcontract rule without a lead, and pass-through with nobody to pass on to.
#[test]
fn contract_settings_that_mean_nothing_are_refused() {
    rejected(
        "base = \"default\"\n[[arm]]\nname = \"a\"\n[[arm.component]]\nkind = \"outcome\"\n\
         pool_share = 0.1\nindicators = [ { indicator = \"deaths_per_1000\", weight = 1.0, \
         target_vs_expected = 1.0, tiers = [ { at = -1.0, pays = 0.5 } ] } ]\n",
        &[],
        &["tiers.at: expected a multiple of the target above 0 and at most 100, found -1"],
    );
    rejected(
        "base = \"default\"\n[[arm]]\nname = \"a\"\nsubcontract = \"block\"\n\
         [[arm.component]]\nkind = \"fixed\"\n",
        &[],
        &["bad.toml: arm.a.subcontract: expected a lead provider"],
    );
    rejected(
        "base = \"default\"\n[[provider]]\nname = \"all\"\nactivity = [\"gp\", \"community\", \
         \"mental_health\", \"prescribing\", \"outpatient\", \"ae\", \"elective\", \
         \"non_elective\", \"nel_bed_days\", \"ambulance\"]\n[[arm]]\nname = \"a\"\n\
         lead = \"all\"\npass_through = 0.5\n[[arm.component]]\nkind = \"fixed\"\n",
        &[],
        &["bad.toml: arm.a.pass_through: expected subcontractors for the lead"],
    );
}

/// An open cohort nobody meets at the start leaves contracts nothing to be set on (they paid
/// 0/0 a head, and the ledger held NaN): refused with arms, accepted without them.
#[test]
fn an_open_cohort_empty_at_the_start_is_refused_with_arms() {
    let cohort = "[population]\nsize = 5000\n\
                  cohort = { age_max = 30, ltc_min = 5, mode = \"open\" }\n";
    let header = "base = \"default\"\nname = \"late\"\nyears = 2\n";
    rejected(
        &format!("{header}{cohort}"),
        &[],
        &[
            "bad.toml: population.cohort: expected someone to meet the open cohort's filter at the start",
            "run it without arms",
        ],
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("late.toml"),
        format!("{header}arm = []\n{cohort}"),
    )
    .unwrap();
    let (code, _, err) = capsim(
        &["run", "late.toml", "--out", "out", "--reps", "2"],
        dir.path(),
    );
    assert_eq!(code, 0, "{err}");
    // The starting population needs no contracts: it is written, arms or not.
    std::fs::write(dir.path().join("armed.toml"), format!("{header}{cohort}")).unwrap();
    let (code, _, err) = capsim(&["population", "armed.toml", "--out", "p.csv"], dir.path());
    assert_eq!(code, 0, "{err}");
    // A sweep whose point leaves the cohort empty names the point, not a --set never written.
    // Every point is checked before anything is made: no staging folder comes and goes.
    let modified = || dir.path().metadata().unwrap().modified().unwrap();
    let before = modified();
    let (code, _, err) = capsim(
        &[
            "sweep",
            "armed.toml",
            "--param",
            "population.size=5000,6000",
            "--reps",
            "2",
            "--out",
            "sweep",
        ],
        dir.path(),
    );
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("command line (the sweep's point population.size=5000): population.cohort"),
        "{err}"
    );
    assert!(!dir.path().join("sweep").exists());
    assert_eq!(modified(), before, "the refused sweep wrote to its folder");
}

/// A measure's name is its own (not a built-in indicator's, well formed, unique), its bounds are
/// in order, its parameters in range, and what names it (a contract, a programme) names one
/// that exists.
#[test]
fn measures_name_their_fields() {
    rejected(
        r#"
base = "default"
name = "bad"
[[measure]]
name = "deaths"
value = 0.3
[[measure]]
name = "Employment rate"
value = 0.3
[[measure]]
name = "recovery"
value = -1
noise_sd = 5
min = 0.5
max = 0.2
[[intervention]]
name = "ips"
uptake = 0.5
effect.measure = { employment = 1.2 }
[[arm]]
name = "pool"
preset = "block"
interventions = ["ips"]
[[arm.component]]
kind = "outcome"
pool_share = 0.05
[[arm.component.indicators]]
indicator = "employment"
weight = 1
target = 0.3
"#,
        &[],
        &[
            "measure.deaths.name: expected a name of the measure's own: \"deaths\" is an \
             indicator or a column capsim reports already",
            "measure.Employment rate.name: expected a name of lower-case letters, digits and `_`",
            "measure.recovery.value",
            "measure.recovery.noise_sd",
            "measure.recovery.max: expected finite bounds with 0 <= min <= max, found min 0.5 \
             and max 0.2",
            "intervention.ips.effect.measure.employment: unknown measure \"employment\" (did you mean \"Employment rate\"?); \
             expected one of: deaths, Employment rate, recovery",
            "arm.pool.component[0] (outcome).indicators[0].indicator",
        ],
    );
    // A key column's name, or a type's indicator's, is taken; a bad minimum is named as such,
    // and the type whose indicator the measure copies is not blamed.
    let taken = r#"
base = "default"
name = "bad"
[[measure]]
name = "year"
value = 0.3
[[measure]]
name = "gp_count"
value = 0.3
[[measure]]
name = "recovery"
value = 0.3
min = -1
"#;
    rejected(
        taken,
        &[],
        &[
            "measure.year.name: expected a name of the measure's own: \"year\" is an indicator \
             or a column capsim reports already",
            "measure.gp_count.name: expected a name of the measure's own",
            "measure.recovery.min: expected finite bounds with 0 <= min <= max",
        ],
    );
    let err = validation_errors(taken);
    assert!(!err.contains("rename the type"), "{err}");
}

/// Settings that contradict each other are refused, each at its field, rather than one of
/// them quietly winning: a fixed amount beside a share of expected cost, two components of an
/// arm given one name (the second used to be booked as `name_2`), two outcome tiers at one
/// multiple, and subcontracting with no subcontractor.
#[test]
fn contradictory_contract_settings_are_refused() {
    rejected(
        &format!("{ARM}kind = \"fixed\"\namount = 5e6\nshare = 0.9\n"),
        &[],
        &[
            "arm.corridor.component[0] (fixed).share",
            "expected `amount` (£ a year) or `share` (of expected cost), not both",
        ],
    );
    rejected(
        &format!(
            "{ARM}kind = \"fixed\"\nname = \"block\"\nto_year = 2\n[[arm.component]]\nkind = \"fixed\"\nname = \"block\"\nfrom_year = 3\n"
        ),
        &[],
        &[
            "arm.corridor.component[1] (fixed).name",
            "expected a name used once in the arm: \"block\" names another of its components",
        ],
    );
    // A name a component before it was given by its kind: the user's "fixed" would have
    // been booked as fixed_3.
    rejected(
        &format!(
            "{ARM}kind = \"fixed\"\nshare = 0.5\n[[arm.component]]\nkind = \"fixed\"\nshare = 0.4\n[[arm.component]]\nkind = \"fixed\"\nname = \"fixed\"\nshare = 0.1\n"
        ),
        &[],
        &["arm.corridor.component[2] (fixed).name", "\"fixed\""],
    );
    // A preset's component counts too: the capitation preset books "capitation".
    rejected(
        &format!("{ARM}kind = \"fixed\"\nname = \"capitation\"\n"),
        &[],
        &["(fixed).name", "\"capitation\""],
    );
    rejected(
        &format!(
            "{ARM}kind = \"outcome\"\npool_share = 0.1\n[[arm.component.indicators]]\nindicator = \"ae_per_1000\"\nweight = 1.0\ntarget = 300\ntiers = [ {{ at = 1.0, pays = 1.0 }}, {{ at = 1.0, pays = 0.5 }} ]\n"
        ),
        &[],
        &[
            "(outcome).indicators[0].tiers.at",
            "expected each tier at a different multiple; 1 is given twice",
        ],
    );
    rejected(
        "base = \"default\"\n[[arm]]\nname = \"x\"\npreset = \"block\"\nlead = \"provider\"\nsubcontract = \"tariff\"\n",
        &[],
        &[
            "arm.x.subcontract",
            "expected subcontractors for the lead to pay: the scenario has one provider",
        ],
    );
}

/// serde's words for a wrong type name what the field takes, not a Rust type.
#[test]
fn a_wrong_type_is_named_in_a_readers_words() {
    let err = validation_errors("base = \"default\"\npopulation = 5\n");
    assert!(
        err.contains("population: invalid type: integer `5`, expected a table of settings"),
        "{err}"
    );
    assert!(!err.contains("PopulationSpec"), "{err}");
    let err = validation_errors("base = \"default\"\nyears = \"three\"\n");
    assert!(
        err.contains("years: invalid type: string \"three\", expected a whole number\n"),
        "{err}"
    );
    let err = validation_errors("base = \"default\"\narm = 3\n");
    assert!(
        err.contains("arm: invalid type: integer `3`, expected a list"),
        "{err}"
    );
    let err = validation_errors("base = \"default\"\n[population.cohort]\nltc_min = -3\n");
    assert!(
        err.contains("ltc_min: invalid value: integer `-3`, expected a whole number, 0 or more\n"),
        "{err}"
    );
    // Where one of a list of names belongs, the names, whatever was given instead: in a
    // component (parsed on its own), in a list's item, and at the top.
    let component =
        "base = \"default\"\n[[arm]]\nname = \"x\"\n[[arm.component]]\nkind = \"capitation\"\n";
    let names = "expected one of `none`, `age_sex`, `age_sex_deprivation_rurality`, `full`";
    for (value, given) in [
        ("5", "integer `5`"),
        ("{ age_sex = 1 }", "a table"),
        ("[\"age_sex\"]", "a list"),
    ] {
        let err = validation_errors(&format!("{component}risk_adjustment = {value}\n"));
        assert!(
            err.contains(&format!(
                "arm.x.component[0].risk_adjustment: invalid type: {given}, {names}\n"
            )),
            "{value}: {err}"
        );
    }
    let err = validation_errors("base = \"default\"\n[population]\ncohort = { sex = [1] }\n");
    assert!(
        err.contains("population.cohort.sex[0]: invalid type: integer `1`, expected `F` or `M`\n"),
        "{err}"
    );
    // The item set aside leaves the list empty: not news.
    assert!(!err.contains("non-empty"), "{err}");
    let err = validation_errors("base = \"default\"\n[[arm]]\nname = \"x\"\npreset = 4\n");
    assert!(
        err.contains("arm.x.preset: invalid type: integer `4`, expected one of `block`"),
        "{err}"
    );
}

/// A type the built-in scenario lacks (a misspelt `gpp`, or a new type half written) is one
/// problem listing what it lacks, not one line per missing setting.
#[test]
fn a_new_activity_type_lacking_settings_is_one_problem() {
    let err = validation_errors("base = \"default\"\n[activity.types.gpp]\nrate = 1\n");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains(
            "activity.types.gpp: expected one of the built-in activity types (ae, ambulance, \
             community, elective, gp,"
        ) && err.contains("\"gpp\" (did you mean \"gp\"?) lacks `order`, `unit_cost`, `price`,"),
        "{err}"
    );
}

/// A value set aside for its type is reported once: not also as missing, nor by its table
/// as lacking it (regression: `uptake = "40%"` was also "left out", and `min = "0.6"` also
/// "a uniform distribution needs `min`").
#[test]
fn a_value_of_the_wrong_type_is_reported_once() {
    let shipped = include_str!("../../scenarios/prevention.toml");
    for (line, with, field) in [
        (
            "uptake = ",
            "uptake = \"40%\"",
            "intervention.proactive-care.uptake: invalid type",
        ),
        (
            "onset = ",
            "onset = { dist = \"uniform\", min = \"0.6\", max = 0.8 }",
            "intervention.proactive-care.effect.onset.min: invalid type",
        ),
    ] {
        let scenario: String = shipped
            .lines()
            .map(|l| if l.starts_with(line) { with } else { l })
            .collect::<Vec<_>>()
            .join("\n");
        assert_ne!(scenario, shipped);
        let err = validation_errors(&scenario);
        assert!(err.contains(field), "{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
    }
}

/// A list where a table of settings belongs would be read into the table's fields in order
/// (`cohort = [20, 64]` as its youngest and oldest ages): refused, at any depth, in an arm's
/// component as in the population, and from the command line as from a file.
#[test]
fn a_list_where_a_table_belongs_is_refused() {
    let expected = "expected a table of settings ([name] or { … }), found a list ([ … ])";
    for (scenario, field) in [
        ("population = [20000]\n", "population:"),
        // Lists of other lengths than the table's fields, once each.
        ("transitions = [0.05]\n", "transitions:"),
        ("condition = [\"smi\"]\n", "condition:"),
        ("[activity]\ntypes = []\n", "activity.types:"),
        ("[population]\ncohort = [20, 64]\n", "population.cohort:"),
        (
            "[[arm]]\nname = \"x\"\n[[arm.component]]\nkind = \"capitation\"\nrebase = [1, 1]\n",
            "arm.x.component[0].rebase:",
        ),
    ] {
        let err = validation_errors(&format!("base = \"default\"\n{scenario}"));
        assert!(
            err.contains(&format!("{field} {expected}")),
            "{scenario}: {err}"
        );
        assert_eq!(err.lines().count(), 1, "{err}");
    }
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = capsim(
        &["run", "--set", "population.cohort=[20, 64]", "--out", "o"],
        dir.path(),
    );
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains(&format!(
            "command line (--set): population.cohort: {expected}"
        )),
        "{err}"
    );
    assert!(!dir.path().join("o").exists());
}

/// Flags that contradict each other or the command are refused before anything runs: a field
/// both swept and set, a size given twice or set behind --sizes' back, a run compared with
/// itself, a file where a run folder is expected, and a scheduler's task number that is not a
/// number.
#[test]
fn contradictory_flags_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("c.toml"),
        "base = \"default\"\n[[arm]]\nname = \"b\"\n[[arm.component]]\nkind = \"fixed\"\nshare = 0.9\n",
    )
    .unwrap();
    let cases: [(&[&str], &str); 10] = [
        // A --set contradicting the file is the command line's doing.
        (
            &[
                "run",
                "c.toml",
                "--set",
                "arm.b.component[0].amount=1e6",
                "--out",
                "o",
            ],
            "error: command line (--set): arm.b.component[0] (fixed).share: expected `amount`",
        ),
        (
            &["sweep", "--param", "years=2,3,2", "--out", "o"],
            "command line: --param: expected each value of years once; 2 is given twice",
        ),
        (
            &["sweep", "--param", "years=2", "--out", "o"],
            "command line: --param: expected 2 to 50 values separated by commas, found \"2\" (one \
             value is a setting, not a sweep: give it with --set years=2)",
        ),
        (
            &[
                "run",
                "--precision",
                "capitation:p50=2,000,000",
                "--out",
                "o",
            ],
            "expected a half-width above 0 in £ such as 2m, 500k or 2000000 (no commas), found \"2,000,000\"",
        ),
        (
            &[
                "sweep",
                "--param",
                "population.size=1000,2000",
                "--set",
                "population.size=5000",
                "--out",
                "o",
            ],
            "command line: --param: expected population.size set once: by --param (swept) or by --set (fixed), not both",
        ),
        (
            &[
                "risk-size",
                "--arm",
                "capitation",
                "--sizes",
                "1000,2000,1000",
                "--out",
                "o",
            ],
            "command line: --sizes: expected each head count once; 1000 is given twice",
        ),
        (
            &[
                "risk-size",
                "--arm",
                "capitation",
                "--sizes",
                "1000,2000",
                "--set",
                "population.size=9",
                "--out",
                "o",
            ],
            "command line: --set: expected population.size set by --sizes alone",
        ),
        (
            &[
                "risk-size",
                "--arm",
                "capitation",
                "--sizes",
                "1000,2000",
                "--seed",
                "3",
                "--set",
                "seed=4",
                "--out",
                "o",
            ],
            "expected seed set once: by --seed or by --set/--param, not both",
        ),
        (
            &["compare", "run", "./run", "--out", "o"],
            "expected different run folders; run and ./run are the same folder",
        ),
        (
            &["drivers", "notes.txt"],
            "notes.txt: expected a run folder written by `capsim run`: this is a file, not a folder",
        ),
    ];
    std::fs::create_dir(dir.path().join("run")).unwrap();
    std::fs::write(dir.path().join("notes.txt"), "mine").unwrap();
    for (args, expected) in cases {
        let (code, _, err) = capsim(args, dir.path());
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.contains(expected), "{args:?}: {err}");
        assert!(!dir.path().join("o").exists(), "{args:?} wrote output");
    }
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_capsim"))
        .args(["run", "--reps", "2", "--shard", "auto/3", "--out", "o"])
        .env("SLURM_ARRAY_TASK_ID", "abc")
        .current_dir(dir.path())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("expected a whole number in SLURM_ARRAY_TASK_ID, found \"abc\""),
        "{err}"
    );
    assert!(!dir.path().join("o").exists());
    assert_eq!(
        std::fs::read_to_string(dir.path().join("notes.txt")).unwrap(),
        "mine"
    );
}

/// A size beside a head-count file would be ignored: refused when the scenario (or a --set, or
/// a sweep's --param) writes it, accepted when it comes from a base the file replaces.
#[test]
fn a_size_beside_a_head_count_file_is_refused() {
    const CSV: &str =
        "age,sex,imd_quintile,rurality,ltc_count,count\n45,F,1,urban,0,3000\n70,M,3,rural,2,2000\n";
    rejected(
        "base = \"default\"\n[population]\ncounts_csv = \"register.csv\"\nsize = 20000\n",
        &[("register.csv", CSV)],
        &["bad.toml: population.size: expected no size beside population.counts_csv"],
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("s.toml"),
        "base = \"default\"\n[population]\ncounts_csv = \"register.csv\"\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("register.csv"), CSV).unwrap();
    // The default's size is the base's, which the file replaces.
    let (code, _, err) = capsim(&["validate", "s.toml"], dir.path());
    assert_eq!(code, 0, "{err}");
    for args in [
        &[
            "run",
            "s.toml",
            "--set",
            "population.size=5000",
            "--out",
            "o",
        ][..],
        &[
            "sweep",
            "s.toml",
            "--param",
            "population.size=5000,20000",
            "--out",
            "o",
        ],
    ] {
        let (code, _, err) = capsim(args, dir.path());
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(
            err.contains("population.size: expected no size beside population.counts_csv"),
            "{args:?}: {err}"
        );
        assert!(!dir.path().join("o").exists());
    }
}

/// A number beyond what its field can hold is one problem, in the field's own range and with
/// the number as written (it had also, or only, given the storage's 0 to 255); and a wrong
/// `years` is said once, not again by every check of a year against it.
#[test]
fn a_number_beyond_its_storage_is_one_problem_in_the_fields_own_words() {
    for (scenario, only) in [
        (
            "base = \"default\"\n[population.cohort]\nage_min = 300\n",
            "error: bad.toml: population.cohort: expected 0 <= age_min <= age_max <= 100, found 300..100",
        ),
        (
            "base = \"default\"\nyears = -2\n",
            "error: bad.toml: years: expected 1 to 100 years, found -2",
        ),
    ] {
        assert_eq!(validation_errors(scenario).trim_end(), only, "{scenario}");
    }
    // Re-based components and interventions' years are not judged against it.
    for shipped in [
        include_str!("../../scenarios/prevention.toml"),
        include_str!("../../scenarios/west-yorkshire.toml"),
    ] {
        let years = shipped.lines().find(|l| l.starts_with("years =")).unwrap();
        assert_eq!(
            validation_errors(&shipped.replacen(years, "years = 0", 1)).trim_end(),
            "error: bad.toml: years: expected 1 to 100 years, found 0"
        );
    }
}

/// A field given twice by `--set` is refused: which was meant is the user's to say. So is one
/// spelt two ways (an arm by its name and by its position; a field inside a table set whole
/// and then on its own), whichever comes first; a table's other fields are not the same field.
#[test]
fn a_field_set_twice_on_the_command_line_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let refused = [
        (
            ["years=x", "years=2"],
            "command line (--set): years: expected each field set once; found years = \"x\" and then years = 2",
        ),
        (
            ["arm[0].preset=pbr", "arm.block.preset=capitation"],
            "command line (--set): arm.block.preset: expected each field set once; found arm[0].preset = \"pbr\" and then arm.block.preset = \"capitation\"",
        ),
        (
            [
                "transitions={ leaver_rate = 0.05 }",
                "transitions.leaver_rate=0.06",
            ],
            "command line (--set): transitions.leaver_rate: expected each field set once; found transitions = { leaver_rate = 0.05 } and then transitions.leaver_rate = 0.06",
        ),
        // A list is set whole: an item of it set again is the same field.
        (
            [
                "arm=[{ name = \"a\", preset = \"pbr\" }]",
                "arm.a.preset=block",
            ],
            "command line (--set): arm.a.preset: expected each field set once; found arm = [{ name = \"a\", preset = \"pbr\" }] and then arm.a.preset = \"block\"",
        ),
        (
            [
                "transitions.leaver_rate=0.06",
                "transitions={ leaver_rate = 0.05 }",
            ],
            "command line (--set): transitions: expected each field set once; found transitions.leaver_rate = 0.06 and then transitions = { leaver_rate = 0.05 }",
        ),
    ];
    for ([first, then], says) in refused {
        let (code, _, err) = capsim(
            &["run", "--set", first, "--set", then, "--out", "out"],
            dir.path(),
        );
        assert_eq!(code, 2, "{err}");
        assert!(err.contains(says), "{err}");
        assert!(!dir.path().join("out").exists());
    }
    let (code, _, err) = capsim(
        &[
            "run",
            "--reps",
            "2",
            "--set",
            "population.size=2000",
            "--set",
            "transitions={ leaver_rate = 0.05 }",
            "--set",
            "transitions.growth_rate=0.01",
            "--out",
            "out",
        ],
        dir.path(),
    );
    assert_eq!(code, 0, "{err}");
}

/// A number written as a spreadsheet shows it is refused with how to write it; a name that is
/// not one of a field's choices is an unknown name, not serde's "variant".
#[test]
fn numbers_written_as_a_spreadsheet_shows_them_are_answered_with_how_to_write_them() {
    for (scenario, says) in [
        (
            "base = \"default\"\n[population]\nsize = 1e4\n",
            "population.size: invalid type: floating point `10000.0`, expected a whole number (a whole number is written without a decimal point or exponent: 10000, not 1e4)\n",
        ),
        (
            "base = \"default\"\n[population]\nsize = \"5,300\"\n",
            "population.size: invalid type: string \"5,300\", expected a whole number (write the number without quotes or thousands separators: 5300)\n",
        ),
        (
            "base = \"default\"\n[transitions]\nleaver_rate = \"0.05\"\n",
            "(write the number without quotes: 0.05)\n",
        ),
        (
            "base = \"default\"\n[[arm]]\nname = \"a\"\npreset = \"capitaton\"\n",
            "arm.a.preset: unknown name `capitaton` (did you mean `capitation`?), expected one of `block`, `pbr`, `capitation`, `outcomes`, `blended`\n",
        ),
    ] {
        let err = validation_errors(scenario);
        assert!(err.contains(says), "{scenario}: {err}");
    }
    // Text that is not a number gets no hint.
    let err = validation_errors("base = \"default\"\n[population]\nsize = \"five\"\n");
    assert!(err.contains("expected a whole number\n"), "{err}");
    // A list of the wrong length says how many items it takes.
    let err = validation_errors("base = \"default\"\n[population]\nimd_shares = [0.5, 0.5]\n");
    assert!(
        err.contains("population.imd_shares: expected a list of 5 items, found 2\n"),
        "{err}"
    );
}

/// Without --threads, RAYON_NUM_THREADS (how a scheduler or a user caps a job's threads) is
/// the number of threads, as run.json records; --threads overrides it, and a value that is not
/// a number of threads is named. Regression: it was ignored, and a job capped at 1 thread ran
/// on every core.
#[test]
fn rayon_num_threads_caps_the_threads_without_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("s.toml"), crate::common::SMALL).unwrap();
    let run = |threads: &str, args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_capsim"))
            .args(args)
            .env("RAYON_NUM_THREADS", threads)
            .current_dir(dir.path())
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let recorded = |folder: &str| {
        let text = std::fs::read_to_string(dir.path().join(folder).join("run.json")).unwrap();
        let json: serde_json::Value = serde_json::from_str(&text).unwrap();
        json["threads"].as_u64().unwrap()
    };
    for (threads, args, expected) in [
        (
            "1",
            &["run", "s.toml", "--reps", "3", "--out", "one"][..],
            1,
        ),
        (
            "3",
            &["run", "s.toml", "--reps", "3", "--out", "three"][..],
            3,
        ),
        (
            "1",
            &[
                "run",
                "s.toml",
                "--reps",
                "3",
                "--threads",
                "2",
                "--out",
                "flag",
            ][..],
            2,
        ),
    ] {
        let (code, err) = run(threads, args);
        assert_eq!(code, Some(0), "{err}");
        assert_eq!(recorded(args[args.len() - 1]), expected);
    }
    let (code, err) = run("lots", &["run", "s.toml", "--reps", "3", "--out", "bad"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("environment: RAYON_NUM_THREADS: expected 1 to 1024 threads, found \"lots\""),
        "{err}"
    );
    assert!(!dir.path().join("bad").exists());
}

/// A scenario that is missing, or a folder, is named with the system's words for why, without
/// its error number (" (os error 2)" meant nothing to a reader), and nothing is written.
#[test]
fn an_unreadable_scenario_is_named_without_the_systems_error_number() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("folder.toml")).unwrap();
    for (file, why) in [
        ("nosuch.toml", "No such file or directory"),
        ("folder.toml", "Is a directory"),
    ] {
        let (code, _, err) = capsim(&["run", file, "--out", "o"], dir.path());
        assert_eq!(code, 2, "{err}");
        assert_eq!(
            err.trim_end(),
            format!("error: {file}: expected a readable scenario file: {why}")
        );
        assert!(!dir.path().join("o").exists());
    }
}
