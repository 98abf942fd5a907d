//! Extreme but valid inputs run, and no table they write holds NaN or infinity.

use crate::common::two_providers;
use crate::common::{assert_parquet_finite, capsim};

/// Runs `scenario` (plus `files` beside it) through the binary and checks every table it
/// writes: the CSV summaries, and the Parquet results, whose NaN the summaries would drop
/// before taking quantiles.
fn runs_clean(name: &str, scenario: &str, files: &[(&str, &str)]) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("s.toml"), scenario).unwrap();
    for (file, text) in files {
        std::fs::write(dir.path().join(file), text).unwrap();
    }
    let (code, _, err) = capsim(&["run", "s.toml", "--out", "r"], dir.path());
    assert_eq!(code, 0, "{name}: {err}");
    let mut checked = 0;
    for entry in std::fs::read_dir(dir.path().join("r")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "csv") {
            let text = std::fs::read_to_string(&path).unwrap().to_lowercase();
            for bad in ["nan", "inf"] {
                assert!(
                    !text
                        .split([',', '\n'])
                        .any(|cell| cell.trim_start_matches('-') == bad),
                    "{name}: {} holds {bad}",
                    path.display()
                );
            }
            checked += 1;
        }
        if path.extension().is_some_and(|e| e == "parquet") {
            assert_parquet_finite(&path);
            checked += 1;
        }
    }
    assert!(checked >= 8, "{name}: only {checked} tables written");
}

/// A contract with every kind of component, on two providers, with a programme.
const EVERY_COMPONENT: &str = concat!(
    two_providers!(),
    r#"
[[intervention]]
name = "p"
uptake = 0.5
cost_per_person_year = 50
paid_by = "community"
[intervention.effect]
onset = 0.8
[[arm]]
name = "everything"
preset = "blended"
interventions = ["p"]
[[arm.component]]
kind = "capitation"
per_head = 10
weights = "fixed"
rebase = { every = 1 }
[[arm.component]]
kind = "per_unit"
indicator = "non_elective_count"
target_vs_expected = 1.0
rate = 100
cap = 1000000
[[arm.component]]
kind = "per_unit"
indicator = "deaths_per_1000"
target_vs_expected = 1.0
rate = 1000
[[arm.component]]
kind = "quality_deduction"
indicator = "ae_per_1000"
minimum_vs_expected = 1.0
deduction = 10000
[[arm.component]]
kind = "outcome"
pool = 100000
[[arm.component.indicators]]
indicator = "mean_age_second_ltc_onset"
better = "higher"
weight = 1.0
target_vs_expected = 1.0
[[arm.component]]
kind = "shared_savings"
provider_share = 0.5
loss_share = 0.5
against = "spend"
settle = "term"
[[arm.component]]
kind = "risk_share"
basis = "cost"
provider_loss_cap = 0.05
bands = [ { above = 0.0, provider_share = 0.5 }, { below = 0.0, provider_share = 0.5 } ]
"#
);

#[test]
fn one_replication_of_a_tiny_place_with_every_component() {
    runs_clean(
        "tiny, every component",
        &format!(
            "base = \"default\"\nname = \"x\"\nreplications = 1\nyears = 2\n[population]\nsize = 3\n{EVERY_COMPONENT}"
        ),
        &[],
    );
}

#[test]
fn a_fifty_year_horizon_with_shocks_at_their_extremes() {
    runs_clean(
        "50 years, extreme shocks",
        &format!(
            r#"base = "default"
name = "x"
replications = 3
years = 50
[population]
size = 20000
[shocks]
demand_trend = 0.3
demand_noise_sd = 1.0
cost_inflation = 0.3
price_uplift = -0.5
bad_winter_probability = 1.0
bad_winter_effect = 2.0
{EVERY_COMPONENT}"#
        ),
        &[],
    );
}

#[test]
fn a_cell_of_a_hundred_million_people() {
    runs_clean(
        "one cell of 10^8",
        "base = \"default\"\nname = \"x\"\nreplications = 2\nyears = 5\n[population]\ncounts_csv = \"c.csv\"\n[[arm]]\nname = \"c\"\npreset = \"capitation\"\n[[arm]]\nname = \"b\"\npreset = \"blended\"\n",
        &[(
            "c.csv",
            "age,sex,imd_quintile,rurality,ltc_count,count\n70,F,1,urban,3,100000000\n",
        )],
    );
}

#[test]
fn a_cohort_that_admits_one_cell() {
    runs_clean(
        "a one-cell cohort",
        "base = \"default\"\nname = \"x\"\nreplications = 5\nyears = 3\n[population]\nsize = 50000\n[population.cohort]\nage_min = 100\nltc_min = 5\nmode = \"open\"\n[[arm]]\nname = \"c\"\npreset = \"capitation\"\n[[arm]]\nname = \"o\"\npreset = \"outcomes\"\n",
        &[],
    );
}
