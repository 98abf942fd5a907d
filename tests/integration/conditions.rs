//! Condition cohorts: prevalence as published, kept by incidence, life tables and activity rates
//! kept while the condition redistributes them, and a cohort scoped to the condition.

use capsim::engine::{self, Model, Silent, project};
use capsim::population::{CellKey, Population};
use capsim::scenario::condition::{ConditionSpec, PrevalenceBand};

use super::common::model;

fn place(condition: &str, size: u64, extra: &str) -> Model {
    model(&format!(
        "base = \"default\"\nname = \"c\"\nreplications = 8\nyears = 5\narm = []\n\
         [population]\nsize = {size}\n{extra}\n[condition]\nname = \"{condition}\"\n"
    ))
}

/// People with the condition / everyone, among cells `keep` admits.
fn share_with(pop: &Population, keep: impl Fn(CellKey) -> bool) -> f64 {
    let (mut all, mut with) = (0.0, 0.0);
    for (c, &n) in pop.as_slice().iter().enumerate() {
        let k = CellKey::from_index(c);
        if keep(k) {
            all += f64::from(n);
            if k.condition == 1 {
                with += f64::from(n);
            }
        }
    }
    with / all
}

/// People in the cells `keep` admits.
fn count(pop: &Population, keep: impl Fn(CellKey) -> bool) -> u64 {
    pop.as_slice()
        .iter()
        .enumerate()
        .filter(|&(c, _)| keep(CellKey::from_index(c)))
        .map(|(_, &n)| u64::from(n))
        .sum()
}

fn spec(m: &Model) -> &ConditionSpec {
    m.scenario.condition.as_ref().expect("a condition")
}

/// The condition's age bands whose published prevalence is not below the band before it: a
/// band below can only fall through deaths and exits (incidence 0), so it drifts up until they
/// catch up, whoever has the condition.
fn kept_bands(m: &Model) -> impl Iterator<Item = &PrevalenceBand> {
    let bands = &spec(m).prevalence;
    let highest = |b: &PrevalenceBand| b.female.max(b.male);
    bands
        .iter()
        .enumerate()
        .filter(move |&(b, band)| b == 0 || highest(band) >= highest(&bands[b - 1]))
        .map(|(_, band)| band)
}

fn in_band(band: &PrevalenceBand, k: CellKey) -> bool {
    k.age >= usize::from(band.age_min) && k.age <= usize::from(band.age_max)
}

/// The synthetic population's prevalence in every age band and sex is the published one
/// (data/conditions.toml) within 2% of it (or 0.0002 absolute): England's deprivation and LTC
/// mix averages the gradients out, and rounding to people moves a band by at most one.
#[test]
fn prevalence_by_age_band_and_sex_is_the_published_one() {
    for name in ["smi", "frailty", "copd", "msk"] {
        let m = place(name, 3_000_000, "");
        for band in &spec(&m).prevalence {
            for (sex, published) in [(0, band.female), (1, band.male)] {
                let got = share_with(&m.initial, |k| {
                    k.sex == sex
                        && k.age >= usize::from(band.age_min)
                        && k.age <= usize::from(band.age_max)
                });
                assert!(
                    (got - published).abs() <= (0.02 * published).max(0.0002),
                    "{name} {}-{} sex {sex}: {got} against {published}",
                    band.age_min,
                    band.age_max
                );
            }
        }
    }
}

/// The deprivation gradient is the stated odds ratio between the extreme quintiles (people aged
/// 45-64 with one LTC; within 5% for rounding to people), and the all-ages SMI prevalence is
/// about 0.9% (QOF 0.84-0.95% of the list).
#[test]
fn deprivation_gradient_and_all_age_prevalence() {
    let m = place("smi", 3_000_000, "");
    let odds = |imd: usize| {
        let p = share_with(&m.initial, |k| {
            k.imd == imd && k.ltc == 1 && (45..=64).contains(&k.age)
        });
        p / (1.0 - p)
    };
    let ratio = odds(0) / odds(4);
    assert!(
        (ratio / 2.0 - 1.0).abs() < 0.05,
        "most/least deprived {ratio}"
    );
    let all = share_with(&m.initial, |_| true);
    assert!((0.0084..=0.0095).contains(&all), "all ages {all}");
}

/// COPD's prevalence is the registers': 1.9% of all ages (QOF, 2017/18) and 3.9% of people 40
/// and over (the QOF method, 2019), each within 5%, on England's population.
#[test]
fn copd_prevalence_is_the_registers() {
    let m = place("copd", 3_000_000, "");
    let all = share_with(&m.initial, |_| true);
    let over_40 = share_with(&m.initial, |k| k.age >= 40);
    assert!((all / 0.019 - 1.0).abs() < 0.05, "all ages {all}");
    assert!(
        (over_40 / 0.039 - 1.0).abs() < 0.05,
        "40 and over {over_40}"
    );
}

/// MSK's prevalence is the share of England consulting for an MSK condition in a year, 21.4%
/// (Jordan et al. 2014): it was 19.3%.
#[test]
fn msk_prevalence_is_the_consulting_prevalence() {
    let m = place("msk", 3_000_000, "");
    let all = share_with(&m.initial, |_| true);
    assert!((all / 0.2143 - 1.0).abs() < 0.01, "all ages {all}");
}

/// Incidence keeps prevalence by age: after five years of deaths (at the condition's higher
/// rate), exits and ageing, each band's prevalence is within 5% of where it started. (A band
/// whose published prevalence is below the band before it can only fall through deaths and
/// exits, so it drifts up until they catch up: not checked.)
#[test]
fn incidence_keeps_prevalence_steady() {
    for name in ["smi", "frailty", "copd", "msk"] {
        let m = place(name, 2_000_000, "");
        let later = project(&m, 0, 5);
        for band in kept_bands(&m) {
            let keep = |k: CellKey| in_band(band, k);
            let (before, after) = (share_with(&m.initial, keep), share_with(&later, keep));
            if before > 0.005 {
                assert!(
                    (after / before - 1.0).abs() < 0.05,
                    "{name} {}-{}: {before} -> {after}",
                    band.age_min,
                    band.age_max
                );
            }
        }
    }
}

/// The condition redistributes deaths and activity within each age-sex group: over five years
/// the place dies at England's rates with or without it and is admitted as often (each within
/// 0.5%, same seed; with incidence by age alone the condition drifted towards people with fewer
/// LTCs, and deaths fell 0.8% and admissions 1.4%), while people with the condition are admitted
/// far more.
#[test]
fn life_tables_and_activity_rates_are_kept() {
    let with = place("frailty", 2_000_000, "");
    let without = model(
        "base = \"default\"\nname = \"c\"\nreplications = 8\nyears = 5\narm = []\n\
         [population]\nsize = 2000000\n",
    );
    let totals = |m: &Model| {
        let r = engine::run(m, 2, &Silent).unwrap();
        let nel = m
            .type_names
            .iter()
            .position(|t| t == "non_elective")
            .unwrap();
        let (mut deaths, mut admissions, mut heads) = (0.0, 0.0, 0.0);
        for y in r.iter().flat_map(|r| r.world(0)) {
            deaths += y.demography.deaths as f64;
            admissions += y.count[nel];
            heads += y.covered as f64;
        }
        (deaths / heads, admissions / heads)
    };
    let (d1, a1) = totals(&with);
    let (d0, a0) = totals(&without);
    assert!((d1 / d0 - 1.0).abs() < 0.005, "deaths {d1} vs {d0}");
    assert!((a1 / a0 - 1.0).abs() < 0.005, "admissions {a1} vs {a0}");

    // A cohort of the people with frailty: older and sicker, so far more admissions per head,
    // and the cohort's heads are the condition's count.
    let cohort = place(
        "frailty",
        500_000,
        "[population.cohort]\ncondition = true\nmode = \"open\"\n",
    );
    let r = engine::run(&cohort, 2, &Silent).unwrap();
    let y1 = r[0].world(0).next().unwrap();
    assert_eq!(y1.covered, y1.covered_with_condition);
    let nel = cohort
        .type_names
        .iter()
        .position(|t| t == "non_elective")
        .unwrap();
    let per_head = y1.count[nel] / y1.covered as f64;
    assert!(per_head > 4.0 * a0, "{per_head} vs {a0} for everyone");
}

/// A type only people with the condition use has the stated rate per person with it, and none
/// without it.
#[test]
fn a_condition_only_type_has_its_rate_among_people_with_the_condition() {
    let m = place(
        "msk",
        400_000,
        "[activity.types.msk_physio]\norder = 20\nrate = 1.25\nunit_cost = 50\nprice = 50\n\
         cost_cv = 0.5\nltc_ratio = 1.0\ndeprivation_ratio = 1.0\nrural_rate_ratio = 1.0\n\
         fixed_cost_share = 0.2\nwinter = false\nage_profile = \"outpatient\"\n\
         condition_only = true\n",
    );
    let physio = m.type_names.iter().position(|t| t == "msk_physio").unwrap();
    let r = engine::run(&m, 2, &Silent).unwrap();
    let (mut events, mut people) = (0.0, 0.0);
    for y in r.iter().flat_map(|r| r.world(0)).filter(|y| y.year == 1) {
        events += y.count[physio];
        people += y.covered_with_condition as f64;
    }
    // England's mix of people with MSK conditions: 1.25 a year each (3% for chance and mix).
    assert!(
        (events / people / 1.25 - 1.0).abs() < 0.03,
        "{}",
        events / people
    );
}

/// A register extract can flag people with the condition: the flagged counts are the
/// condition's people; the same file without a `[condition]` is refused (exit 2, nothing
/// written), and a file without the column is split by the condition's prevalence. Risk weights
/// average over that split before it is rounded to whole people.
#[test]
fn a_head_count_file_can_flag_the_condition() {
    let dir = tempfile::tempdir().unwrap();
    // Writes `rows` as head-count file `file` and builds the default scenario on it, with the
    // frailty condition or without one.
    let register = |file: &str, rows: &str, condition: bool| {
        std::fs::write(dir.path().join(file), rows).unwrap();
        let text = format!(
            "base = \"default\"\n[population]\ncounts_csv = \"{file}\"\n{}",
            if condition {
                "[condition]\nname = \"frailty\"\n"
            } else {
                ""
            }
        );
        capsim::scenario::load_scenario_str("s.toml", &text, dir.path())
            .and_then(|l| Model::build(&l))
    };
    const FLAGGED: &str = "age,sex,imd_quintile,rurality,ltc_count,condition,count\n\
         70,F,1,urban,2,1,400\n70,F,1,urban,2,0,600\n40,M,3,rural,0,no,1000\n";
    let flagged = register("gp.csv", FLAGGED, true).unwrap();
    let with: u64 = flagged.initial.as_slice()[capsim::population::BASE_CELLS..]
        .iter()
        .map(|&n| u64::from(n))
        .sum();
    assert_eq!((with, flagged.initial.total()), (400, 2000));
    // A register that flags who has it is its own mix.
    let given: Vec<f64> = flagged
        .initial
        .as_slice()
        .iter()
        .map(|&n| f64::from(n))
        .collect();
    assert_eq!(flagged.expected_initial, given);

    let refused = register("gp.csv", FLAGGED, false).unwrap_err();
    assert!(
        refused
            .to_string()
            .contains("population.counts_csv: expected a [condition]"),
        "{refused}"
    );

    // A register flagging nobody is a place where nobody has the condition, not one to split.
    let nobody = register(
        "nobody.csv",
        "age,sex,imd_quintile,rurality,ltc_count,condition,count\n80,F,1,urban,3,0,1000\n",
        true,
    )
    .unwrap();
    assert_eq!(share_with(&nobody.initial, |_| true), 0.0);

    let plain = |count: u32| {
        format!("age,sex,imd_quintile,rurality,ltc_count,count\n80,F,1,urban,3,{count}\n")
    };
    let split = register("plain.csv", &plain(100_000), true).unwrap();
    let p = share_with(&split.initial, |_| true);
    let cell = CellKey {
        age: 80,
        sex: 0,
        imd: 0,
        rural: 0,
        ltc: 3,
        condition: 0,
    }
    .index();
    let expected = split.condition.as_ref().unwrap().prevalence[cell];
    assert!((p - expected).abs() < 1e-5, "{p} vs {expected}");

    // 7 people of whom a share p has the condition are 7·(1 − p) and 7·p to the weights, not
    // the 5 and 2 they are rounded to.
    let few = register("few.csv", &plain(7), true).unwrap();
    let mix = &few.expected_initial;
    let base = capsim::population::BASE_CELLS;
    assert!(
        (mix[cell] - 7.0 * (1.0 - expected)).abs() < 1e-12,
        "{}",
        mix[cell]
    );
    assert!(
        (mix[cell + base] - 7.0 * expected).abs() < 1e-12,
        "{}",
        mix[cell + base]
    );
    assert_eq!(mix.iter().sum::<f64>(), 7.0);
}

/// A programme halving the risk of gaining the condition, everyone enrolled from the start: in
/// the first year both worlds start from the same people and draw the same deaths and LTC
/// onsets (the condition's draws come after them in each cell's stream), so the world gains
/// the condition half as often as the status quo (within sampling error); by the last year
/// fewer of its people have it.
#[test]
fn preventing_the_condition_halves_its_onsets() {
    let m = model(
        r#"
base = "default"
name = "c"
replications = 12
years = 3
[population]
size = 300000
[condition]
name = "frailty"
[[intervention]]
name = "prevent"
uptake = 1.0
[intervention.effect]
condition_onset = 0.5
[[arm]]
name = "pbr"
preset = "pbr"
[[arm]]
name = "pbr-prevent"
preset = "pbr"
interventions = ["prevent"]
"#,
    );
    let (mut status_quo, mut prevented) = (0, 0);
    for r in engine::run(&m, 2, &Silent).unwrap() {
        let (a, b) = (r.world(0).next().unwrap(), r.world(1).next().unwrap());
        assert_eq!(a.demography.deaths, b.demography.deaths);
        assert_eq!(a.demography.onsets, b.demography.onsets);
        status_quo += a.demography.condition_onsets;
        prevented += b.demography.condition_onsets;
        let (a, b) = (r.world(0).last().unwrap(), r.world(1).last().unwrap());
        assert!(b.covered_with_condition < a.covered_with_condition);
    }
    let ratio = prevented as f64 / status_quo as f64;
    assert!(status_quo > 10_000, "{status_quo} onsets: too few to test");
    assert!(
        (ratio - 0.5).abs() < 0.03,
        "{prevented} / {status_quo} = {ratio}"
    );
}

/// A cohort of people with the condition is joined by its onsets and a cohort without it is
/// left by them: both count them (covered before or after the change), as the contract's basis
/// expects them. The simulated year-1 mean matches the expected count within 4 standard errors,
/// and the joiners of a `condition = true` cohort are not zero, as they were when onsets were
/// counted only by the cell people start the year in.
#[test]
fn condition_onsets_count_the_people_joining_or_leaving_a_cohort() {
    use capsim::scenario::Indicator;
    for (with, ltc_min) in [(true, 0), (false, 0), (true, 2)] {
        let m = model(&format!(
            r#"
base = "default"
name = "c"
replications = 16
years = 1
[population]
size = 300000
[population.cohort]
condition = {with}
age_min = 65
ltc_min = {ltc_min}
mode = "open"
[condition]
name = "frailty"
[[arm]]
name = "pbr"
preset = "pbr"
"#
        ));
        let expected = m
            .contracts
            .as_ref()
            .unwrap()
            .basis
            .expected_indicators_in(0)[Indicator::ConditionOnsets.slot()];
        let onsets: Vec<f64> = engine::run(&m, 2, &Silent)
            .unwrap()
            .iter()
            .map(|r| {
                r.world(0)
                    .next()
                    .unwrap()
                    .demography
                    .covered_condition_onsets as f64
            })
            .collect();
        let n = onsets.len() as f64;
        let mean = onsets.iter().sum::<f64>() / n;
        let sd = (onsets.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
        assert!(
            expected > 500.0,
            "condition = {with}, ltc_min = {ltc_min}: {expected} expected"
        );
        assert!(
            (mean - expected).abs() < 4.0 * sd / n.sqrt(),
            "condition = {with}, ltc_min = {ltc_min}: simulated {mean} (sd {sd}) against {expected} expected"
        );
    }
}

/// The condition stays with the people with more long-term conditions: incidence keeps every
/// cell's prevalence, LTC count included, so after ten years the prevalence among people with
/// two or more LTCs against those with fewer, in each band where at least 1% have it and 2,000
/// people with two or more LTCs have it (so chance moves the ratio by about 2%), is within 10%
/// of where it started. (Incidence by age alone let frailty's ratio at 65-74 fall from 3.3
/// to 1.3.) Bands whose prevalence is below the band before it are not checked, as in
/// `incidence_keeps_prevalence_steady`: there incidence is 0 and the prevalence falls only
/// through deaths and exits, whoever has the condition.
#[test]
fn the_condition_stays_with_multimorbidity() {
    for name in ["smi", "frailty", "copd", "msk"] {
        let m = place(name, 10_000_000, "");
        let later = project(&m, 0, 10);
        for band in kept_bands(&m) {
            let in_band = |k: CellKey| in_band(band, k);
            let multimorbid_with = |k: CellKey| in_band(k) && k.ltc >= 2 && k.condition == 1;
            if share_with(&m.initial, in_band) < 0.01
                || count(&later, multimorbid_with).min(count(&m.initial, multimorbid_with)) < 2000
            {
                continue;
            }
            let ratio = |p: &Population| {
                share_with(p, |k| in_band(k) && k.ltc >= 2)
                    / share_with(p, |k| in_band(k) && k.ltc < 2)
            };
            let (before, after) = (ratio(&m.initial), ratio(&later));
            assert!(
                (after / before - 1.0).abs() < 0.10,
                "{name} {}-{}: prevalence with 2+ LTCs / fewer {before:.3} -> {after:.3}",
                band.age_min,
                band.age_max
            );
        }
    }
}
