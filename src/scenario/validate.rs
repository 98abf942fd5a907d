//! Checks a parsed scenario as a whole and reports every problem with its path.

use super::{Param, Scenario, Strata};
use crate::data;
use crate::error::Problems;
use crate::unknown_name::did_you_mean;

/// What values a parameter may take.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    /// A probability: every possible draw in [0, 1].
    Probability,
    /// A rate, cost or multiplier: every possible draw >= 0.
    NonNegative,
    /// Strictly positive (a dispersion, a ratio).
    Positive,
    /// A growth rate: above -1.
    Growth,
}

/// Checks one parameter: its kind, and its maximum (the check of a probability's upper bound
/// is its kind's).
pub fn check_param(problems: &mut Problems, spec: &ParamSpec) {
    let (path, p, kind) = (spec.path.as_str(), spec.param, spec.kind);
    check_kind(problems, path, p, kind);
    let largest = p.practical_max();
    if !matches!(kind, Kind::Probability) && (largest.is_nan() || largest > spec.max) {
        let found = if p.is_fixed() {
            format!("found {}", show(largest))
        } else {
            format!(
                "this distribution reaches {} (its upper bound, or mean + 5 sd)",
                show(largest)
            )
        };
        problems.push(
            path,
            format!("expected at most {}, {found}", show(spec.max)),
        );
    }
}

/// A number as a user would write it: plain, or in e-notation when very large or small.
pub(crate) fn show(x: f64) -> String {
    if x != 0.0 && x.is_finite() && !(1e-4..1e7).contains(&x.abs()) {
        format!("{x:e}")
    } else {
        x.to_string()
    }
}

fn check_kind(problems: &mut Problems, path: &str, p: &Param, kind: Kind) {
    let (lo, hi) = p.support();
    let fixed = p.is_fixed();
    let describe = |what: &str| {
        if fixed {
            format!("expected {what}, found {}", show(lo))
        } else {
            format!(
                "expected {what}; this distribution can draw values in [{}, {}] (use beta, \
                 uniform or triangular for probabilities, lognormal or gamma for positive values)",
                show(lo),
                show(hi)
            )
        }
    };
    match kind {
        Kind::Probability => {
            if !(lo >= 0.0 && hi <= 1.0) {
                problems.push(path, describe("a probability between 0 and 1"));
            }
        }
        Kind::NonNegative => {
            // A normal far from zero is allowed (its draws are clipped at 0 with negligible
            // probability); one that would often go negative is an error.
            let ok = match p.dist {
                super::Dist::Normal { mean, sd } => mean - 5.0 * sd >= 0.0,
                _ => lo >= 0.0,
            };
            if !ok {
                problems.push(path, describe("a value >= 0"));
            }
        }
        Kind::Positive => {
            let ok = match p.dist {
                super::Dist::Normal { mean, sd } => mean - 5.0 * sd > 0.0,
                super::Dist::Fixed(v) => v > 0.0,
                _ => lo >= 0.0,
            };
            if !ok {
                problems.push(path, describe("a value > 0"));
            }
        }
        Kind::Growth => {
            let ok = match p.dist {
                super::Dist::Normal { mean, sd } => mean - 5.0 * sd > -1.0,
                _ => lo > -1.0,
            };
            if !ok {
                problems.push(path, describe("a growth rate above -1 (-100%)"));
            }
        }
    }
}

/// Most replications one run may ask for: every replication's years and ledger are held in
/// memory until the run is written (100,000 of the default scenario take about 3 GiB).
pub const MAX_REPLICATIONS: u32 = 100_000;

/// Largest population simulated: every cell's head count must fit the model's counters with
/// room for growth over the horizon.
pub const MAX_POPULATION: u64 = 200_000_000;

/// Checks a number of replications; the error says what is expected.
pub fn check_replications(n: u32) -> Result<(), String> {
    if (1..=MAX_REPLICATIONS).contains(&n) {
        Ok(())
    } else {
        Err(format!(
            "expected 1 to {MAX_REPLICATIONS} replications, found {n}"
        ))
    }
}

/// Largest growth a year (demand, inflation, price uplift, population):
/// 100%. Compounded over the horizon it must still leave every total finite.
pub const MAX_GROWTH: f64 = 1.0;
/// Most events of one type per person and year (GP consultations are about 5, bed days 0.5).
pub const MAX_RATE: f64 = 1_000.0;
/// Largest amount of money per event or per person-year, in £.
pub const MAX_MONEY: f64 = 1e9;
/// Largest yearly budget, in £ (NHS England's whole budget is about 2e11).
pub const MAX_BUDGET: f64 = 1e13;
/// Largest ratio, multiplier or relative risk.
pub const MAX_RATIO: f64 = 100.0;
/// Largest coefficient of variation of cost per event.
pub const MAX_COST_CV: f64 = 100.0;
/// Largest frailty shape: beyond it people are practically identical.
pub const MAX_FRAILTY_SHAPE: f64 = 1e6;
/// Largest extra demand of a bad winter: eleven times a normal one's.
pub const MAX_WINTER_EFFECT: f64 = 10.0;
/// Largest sd of the log of the yearly demand noise.
pub const MAX_DEMAND_NOISE_SD: f64 = 2.0;

/// One uncertain parameter of a scenario: where it is, what values it may take and the most
/// it may take.
#[derive(Debug, Clone)]
pub struct ParamSpec<'a> {
    /// Dotted path in the scenario.
    pub path: String,
    pub param: &'a Param,
    pub kind: Kind,
    /// Largest value accepted (for a distribution, its mean plus 5 sd or its upper bound).
    pub max: f64,
}

/// Every parameter of a scenario with its path, kind and maximum, in a fixed order.
pub fn parameters(s: &Scenario) -> Vec<ParamSpec<'_>> {
    use Kind::*;
    let t = &s.transitions;
    let a = &s.activity;
    let k = &s.shocks;
    let mut v = Vec::new();
    let mut add = |path: String, param, kind, max| {
        v.push(ParamSpec {
            path,
            param,
            kind,
            max,
        })
    };
    let at = |path: &str| path.to_string();
    add(
        at("transitions.growth_rate"),
        &t.growth_rate,
        Growth,
        MAX_GROWTH,
    );
    add(
        at("transitions.leaver_rate"),
        &t.leaver_rate,
        Probability,
        1.0,
    );
    add(
        at("transitions.birth_rate"),
        &t.birth_rate,
        Probability,
        1.0,
    );
    add(
        at("transitions.mortality_multiplier"),
        &t.mortality_multiplier,
        NonNegative,
        MAX_RATIO,
    );
    add(
        at("transitions.onset_multiplier"),
        &t.onset_multiplier,
        NonNegative,
        MAX_RATIO,
    );
    add(
        at("activity.frailty_shape"),
        &a.frailty_shape,
        Positive,
        MAX_FRAILTY_SHAPE,
    );
    add(
        at("activity.frailty_persistence"),
        &a.frailty_persistence,
        Probability,
        1.0,
    );
    add(
        at("activity.rural_cost_factor"),
        &a.rural_cost_factor,
        NonNegative,
        MAX_RATIO,
    );
    add(
        at("shocks.demand_trend"),
        &k.demand_trend,
        Growth,
        MAX_GROWTH,
    );
    add(
        at("shocks.demand_noise_sd"),
        &k.demand_noise_sd,
        NonNegative,
        MAX_DEMAND_NOISE_SD,
    );
    add(
        at("shocks.cost_inflation"),
        &k.cost_inflation,
        Growth,
        MAX_GROWTH,
    );
    add(
        at("shocks.price_uplift"),
        &k.price_uplift,
        Growth,
        MAX_GROWTH,
    );
    add(
        at("shocks.bad_winter_probability"),
        &k.bad_winter_probability,
        Probability,
        1.0,
    );
    add(
        at("shocks.bad_winter_effect"),
        &k.bad_winter_effect,
        Growth,
        MAX_WINTER_EFFECT,
    );
    for m in &s.measure {
        let p = |f: &str| format!("{}.{f}", m.path());
        add(p("value"), &m.value, NonNegative, MAX_BUDGET);
        add(p("trend"), &m.trend, Growth, MAX_GROWTH);
        add(p("noise_sd"), &m.noise_sd, NonNegative, MAX_DEMAND_NOISE_SD);
    }
    for (i, spec) in s.intervention.iter().enumerate() {
        let at = spec.path(i);
        let p = |f: &str| format!("{at}.{f}");
        if let Some(uptake) = &spec.uptake {
            add(p("uptake"), uptake, Probability, 1.0);
        }
        add(
            p("cost_per_person_year"),
            &spec.cost_per_person_year,
            NonNegative,
            MAX_MONEY,
        );
        add(
            p("cost_per_year"),
            &spec.cost_per_year,
            NonNegative,
            MAX_BUDGET,
        );
        for (field, ratio) in spec.effect.ratios() {
            add(p(&format!("effect.{field}")), ratio, NonNegative, MAX_RATIO);
        }
        for (k, shift) in spec.shift.iter().enumerate() {
            add(
                p(&format!("shift[{k}].share")),
                &shift.share,
                Probability,
                1.0,
            );
            add(
                p(&format!("shift[{k}].ratio")),
                &shift.ratio,
                NonNegative,
                MAX_RATIO,
            );
        }
    }
    for name in a.ordered_types() {
        let ty = &a.types[name];
        let p = |f: &str| format!("activity.types.{name}.{f}");
        add(p("rate"), &ty.rate, NonNegative, MAX_RATE);
        add(p("unit_cost"), &ty.unit_cost, NonNegative, MAX_MONEY);
        add(p("price"), &ty.price, NonNegative, MAX_MONEY);
        add(p("cost_cv"), &ty.cost_cv, NonNegative, MAX_COST_CV);
        add(p("long_stay_share"), &ty.long_stay_share, Probability, 1.0);
        add(
            p("long_stay_cost_ratio"),
            &ty.long_stay_cost_ratio,
            Positive,
            MAX_RATIO,
        );
        add(p("ltc_ratio"), &ty.ltc_ratio, Positive, MAX_RATIO);
        add(
            p("deprivation_ratio"),
            &ty.deprivation_ratio,
            Positive,
            MAX_RATIO,
        );
        add(
            p("rural_rate_ratio"),
            &ty.rural_rate_ratio,
            NonNegative,
            MAX_RATIO,
        );
        add(
            p("fixed_cost_share"),
            &ty.fixed_cost_share,
            Probability,
            1.0,
        );
        if let Some(list) = &ty.waiting_list {
            for (field, param, kind, max) in list.parameters() {
                add(p(&format!("waiting_list.{field}")), param, kind, max);
            }
        }
    }
    if let Some(condition) = &s.condition {
        for (path, param, kind, max) in condition.parameters() {
            add(path, param, kind, max);
        }
    }
    v
}

/// Longest scenario name, in bytes: a folder's name on common file systems.
const MAX_NAME_BYTES: usize = 255;

/// Whether `name` can name a folder of its own: `output/<name>`.
fn is_folder_name(name: &str) -> bool {
    !name.trim().is_empty()
        && name != "."
        && name != ".."
        && name.len() <= MAX_NAME_BYTES
        && !name.contains(['/', '\\'])
        && !name.chars().any(char::is_control)
}

/// Years a simulation may run. Checks of other years against the horizon are made only when
/// it is one of these: against a wrong one they would only repeat that it is wrong.
pub(super) const YEARS: std::ops::RangeInclusive<u32> = 1..=100;

/// Calendar years a simulation may start in.
const START_YEARS: std::ops::RangeInclusive<i32> = 1900..=2200;

/// Longest name of an arm, provider, intervention or activity type, in characters: names
/// label charts and tables.
const MAX_LABEL_CHARS: usize = 100;

/// Names that `--set`, `--param`, `--precision` and the tables address fields by (arms,
/// providers, interventions, activity types) hold no `.`, `[` or `]`, which would split the
/// path, no `:` or `=`, which split a flag's value, and no control characters; and they fit a
/// chart's legend. An empty arm, provider or intervention name is reported by its own
/// uniqueness check; an empty type name here.
fn check_addressable_names(problems: &mut Problems, s: &Scenario) {
    let mut check = |field: String, name: &str, empty_too: bool| {
        let empty = empty_too && name.trim().is_empty();
        let splits = name.contains(['.', '[', ']', ':', '=']) || name.chars().any(char::is_control);
        let chars = name.chars().count();
        if empty || splits || chars > MAX_LABEL_CHARS {
            // A long name by its start and length: its start shows what else is wrong with it.
            let found = if chars > 60 {
                let start: String = name.chars().take(40).collect();
                format!("{start:?}… ({chars} characters)")
            } else {
                format!("{name:?}")
            };
            problems.push(
                field,
                format!(
                    "expected a name of at most {MAX_LABEL_CHARS} characters without '.', '[', \
                     ']', ':', '=' or control characters (--set, --param and --precision \
                     address fields by it), not empty; found {found}"
                ),
            );
        }
    };
    for (i, a) in s.arm.iter().enumerate() {
        check(format!("arm[{i}].name"), &a.name, false);
    }
    for (i, p) in s.provider.iter().enumerate() {
        check(format!("provider[{i}].name"), &p.name, false);
    }
    for (i, v) in s.intervention.iter().enumerate() {
        check(format!("intervention[{i}].name"), &v.name, false);
    }
    for name in s.activity.type_names() {
        check(format!("activity.types.{name}"), &name, true);
    }
}

/// Validates a scenario: every problem is added to `problems`. Arms listed in `skip_arms` had
/// structural problems already reported and are not checked again.
pub fn validate(problems: &mut Problems, s: &Scenario, skip_arms: &[usize]) {
    if !is_folder_name(&s.name) {
        problems.push(
            "name",
            format!(
                "expected a name that can be a folder's (it names the output folder): not empty, \
                 . or .., at most {MAX_NAME_BYTES} bytes, without slashes or control characters; \
                 found {:?}",
                s.name
            ),
        );
    }
    check_addressable_names(problems, s);
    if !(START_YEARS).contains(&s.start_year) {
        problems.push(
            "start_year",
            format!(
                "expected a calendar year from {} to {}, found {}",
                START_YEARS.start(),
                START_YEARS.end(),
                s.start_year
            ),
        );
    }
    if let Err(expected) = check_replications(s.replications) {
        problems.push("replications", expected);
    }
    if !YEARS.contains(&s.years) {
        problems.push(
            "years",
            format!(
                "expected {} to {} years, found {}",
                YEARS.start(),
                YEARS.end(),
                s.years
            ),
        );
    }
    let pop = &s.population;
    if pop.counts_csv.is_none() && !(1..=MAX_POPULATION).contains(&pop.size) {
        problems.push(
            "population.size",
            format!(
                "expected a head count from 1 to {MAX_POPULATION} (England is about 57 million), found {}",
                pop.size
            ),
        );
    }
    // A head-count file gives the mix itself: shares beside it would be ignored.
    if pop.counts_csv.is_some() {
        for (field, given) in [
            ("imd_shares", pop.imd_shares.is_some()),
            ("rural_share", pop.rural_share.is_some()),
        ] {
            if given {
                problems.push(
                    format!("population.{field}"),
                    "expected no mix beside counts_csv: the head-count file gives the place's \
                     deprivation and rurality",
                );
            }
        }
    }
    if let Some(shares) = pop.imd_shares {
        if shares.iter().any(|x| !(0.0..=1.0).contains(x)) {
            problems.push(
                "population.imd_shares",
                "expected five shares each between 0 and 1",
            );
        }
        let sum: f64 = shares.iter().sum();
        if (sum - 1.0).abs() > 1e-6 {
            problems.push(
                "population.imd_shares",
                format!("expected shares summing to 1, found a sum of {sum}"),
            );
        }
    }
    if let Some(r) = pop.rural_share
        && !(0.0..=1.0).contains(&r)
    {
        problems.push(
            "population.rural_share",
            format!("expected a share between 0 and 1, found {r}"),
        );
    }
    if let Some(c) = &pop.cohort {
        check_strata(
            problems,
            "population.cohort",
            &c.strata(),
            s.condition.is_some(),
        );
    }
    if s.activity.types.is_empty() {
        problems.push("activity.types", "expected at least one activity type");
    }
    let profiles: Vec<String> = data::activity_age_profiles()
        .into_iter()
        .map(|r| r.name)
        .collect();
    for (name, ty) in &s.activity.types {
        if !profiles.contains(&ty.age_profile) {
            problems.push(
                format!("activity.types.{name}.age_profile"),
                format!(
                    "expected one of the profiles in data/activity_age_profile.csv ({}), found \"{}\"{}",
                    dedup(&profiles).join(", "),
                    ty.age_profile,
                    did_you_mean(&ty.age_profile, &profiles, "\"")
                ),
            );
        }
    }
    for spec in parameters(s) {
        check_param(problems, &spec);
    }
    let type_names = s.activity.type_names();
    // An indicator is named by the type it counts: a type named `condition` would give its
    // count the population indicator's name `condition_count`. These are the built-in
    // indicators; the measures are checked against them.
    let indicators = super::Indicator::all(type_names.len(), 0);
    let names: Vec<String> = indicators
        .iter()
        .map(|i| {
            i.name(super::indicator::IndicatorNames {
                types: &type_names,
                measures: &[],
            })
        })
        .collect();
    check_measures(problems, s, &names);
    for (t, ty) in type_names.iter().enumerate() {
        let clash = indicators
            .iter()
            .zip(&names)
            .filter(|(i, _)| i.activity_type() == Some(t))
            .map(|(_, n)| n)
            .find(|n| names.iter().filter(|m| m == n).count() > 1);
        if let Some(clash) = clash {
            problems.push(
                format!("activity.types.{ty}"),
                format!(
                    "expected a type name whose indicators are its own: its indicator \"{clash}\" \
                     has the name of another indicator; rename the type"
                ),
            );
        }
    }
    match &s.condition {
        Some(condition) => condition.check(&type_names, problems),
        None => {
            for (name, ty) in &s.activity.types {
                if ty.condition_only {
                    problems.push(
                        format!("activity.types.{name}.condition_only"),
                        "expected a [condition] for a type used only by people with it",
                    );
                }
            }
        }
    }
    for (name, ty) in &s.activity.types {
        if let Some(list) = &ty.waiting_list {
            list.check(&format!("activity.types.{name}.waiting_list"), problems);
        }
    }
    for (name, ty) in &s.activity.types {
        // The long stays' cost must fit inside the mean: the other events cost
        // (1 - share x ratio) / (1 - share) of it.
        let (q, ratio) = (
            ty.long_stay_share.practical_max(),
            ty.long_stay_cost_ratio.practical_max(),
        );
        if q * ratio >= 1.0 {
            problems.push(
                format!("activity.types.{name}.long_stay_share"),
                format!(
                    "expected long_stay_share x long_stay_cost_ratio below 1 (the long stays' \
                     share of the cost), found {} x {}",
                    show(q),
                    show(ratio)
                ),
            );
        }
    }
    if let Some(b) = &s.budget {
        if !(b.first_year > 0.0 && b.first_year <= MAX_BUDGET) {
            problems.push(
                "budget.first_year",
                format!(
                    "expected the first year's budget in £, above 0 and at most {}, found {}",
                    show(MAX_BUDGET),
                    show(b.first_year)
                ),
            );
        }
        if !(b.growth > -1.0 && b.growth <= MAX_GROWTH) {
            problems.push(
                "budget.growth",
                format!(
                    "expected a yearly growth above -1 and at most {MAX_GROWTH} (100%), found {}",
                    show(b.growth)
                ),
            );
        }
    }
    super::validate_contracts::check(problems, s, skip_arms);
    super::validate_interventions::check(problems, s);
}

/// Bounds in order and within the model's axes, quintiles 1-5, and a condition filter only in a
/// scenario with a condition.
pub(super) fn check_strata(problems: &mut Problems, path: &str, c: &Strata, has_condition: bool) {
    if c.condition.is_some() && !has_condition {
        problems.push(
            format!("{path}.condition"),
            "expected a [condition] to select people with or without it",
        );
    }
    let (amin, amax) = (c.age_min.unwrap_or(0), c.age_max.unwrap_or(100));
    if amax > 100 || amin > amax {
        problems.push(
            path,
            format!("expected 0 <= age_min <= age_max <= 100, found {amin}..{amax}"),
        );
    }
    let (lmin, lmax) = (c.ltc_min.unwrap_or(0), c.ltc_max.unwrap_or(5));
    if lmax > 5 || lmin > lmax {
        problems.push(
            path,
            format!("expected 0 <= ltc_min <= ltc_max <= 5 (5 = 5 or more), found {lmin}..{lmax}"),
        );
    }
    if let Some(q) = &c.imd {
        if q.is_empty() {
            problems.push(
                format!("{path}.imd"),
                "expected a non-empty list of quintiles 1-5 (leave it out to select everyone)",
            );
        }
        for (i, x) in q.iter().enumerate().filter(|(_, x)| !(1..=5).contains(*x)) {
            problems.push(
                format!("{path}.imd[{i}]"),
                format!("expected a quintile from 1 (most deprived) to 5, found {x}"),
            );
        }
    }
    // An empty list would select nobody; leave the field out to select everyone.
    for (field, empty) in [
        ("sex", c.sex.as_ref().is_some_and(Vec::is_empty)),
        ("rurality", c.rurality.as_ref().is_some_and(Vec::is_empty)),
    ] {
        if empty {
            problems.push(
                format!("{path}.{field}"),
                "expected a non-empty list (leave it out to select everyone)",
            );
        }
    }
}

fn dedup(v: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for x in v {
        if !out.contains(x) {
            out.push(x.clone());
        }
    }
    out
}

/// The columns of outcomes.parquet that say which row is which, beside the indicators'.
const KEY_COLUMNS: [&str; 4] = ["rep", "world", "year", "calendar_year"];

/// Each measure has a name of its own, that no other indicator has, in lower case, digits and
/// `_` (it is a column of outcomes.parquet), and bounds in order. `built_in`: the other
/// indicators' names.
fn check_measures(problems: &mut Problems, s: &Scenario, built_in: &[String]) {
    for (i, m) in s.measure.iter().enumerate() {
        let at = if m.name.is_empty() {
            format!("measure[{i}]")
        } else {
            m.path()
        };
        let well_formed = !m.name.is_empty()
            && m.name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !well_formed {
            problems.push(
                format!("{at}.name"),
                format!(
                    "expected a name of lower-case letters, digits and `_`, found \"{}\"",
                    m.name
                ),
            );
        } else if built_in.contains(&m.name) || KEY_COLUMNS.contains(&m.name.as_str()) {
            problems.push(
                format!("{at}.name"),
                format!(
                    "expected a name of the measure's own: \"{}\" is an indicator or a column \
                     capsim reports already",
                    m.name
                ),
            );
        } else if s.measure[..i].iter().any(|x| x.name == m.name) {
            problems.push(format!("{at}.name"), "expected a unique measure name");
        }
        let min_ok = m.min >= 0.0 && m.min.is_finite();
        if !min_ok || m.max.is_some_and(|max| !max.is_finite() || max < m.min) {
            problems.push(
                format!("{at}.{}", if min_ok { "max" } else { "min" }),
                format!(
                    "expected finite bounds with 0 <= min <= max, found min {} and max {}",
                    show(m.min),
                    m.max.map_or("none".into(), show)
                ),
            );
        }
    }
}
