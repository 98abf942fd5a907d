//! Checks a parsed scenario as a whole and reports every problem with its path.

use super::{Param, Scenario, Strata};
use crate::data;
use crate::error::Problems;

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

/// Checks one parameter; `path` is its dotted path in the scenario.
pub fn check_param(problems: &mut Problems, path: &str, p: &Param, kind: Kind) {
    let (lo, hi) = p.support();
    let fixed = p.is_fixed();
    let describe = |what: &str| {
        if fixed {
            format!("expected {what}, found {lo}")
        } else {
            format!(
                "expected {what}; this distribution can draw values in [{lo}, {hi}] (use beta, \
                 uniform or triangular for probabilities, lognormal or gamma for positive values)"
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

/// Every parameter of a scenario with its path and kind, in a fixed order.
pub fn parameters(s: &Scenario) -> Vec<(String, &Param, Kind)> {
    use Kind::*;
    let t = &s.transitions;
    let a = &s.activity;
    let k = &s.shocks;
    let mut v: Vec<(String, &Param, Kind)> = vec![
        ("transitions.growth_rate".into(), &t.growth_rate, Growth),
        (
            "transitions.leaver_rate".into(),
            &t.leaver_rate,
            Probability,
        ),
        ("transitions.birth_rate".into(), &t.birth_rate, Probability),
        (
            "transitions.mortality_multiplier".into(),
            &t.mortality_multiplier,
            NonNegative,
        ),
        (
            "transitions.onset_multiplier".into(),
            &t.onset_multiplier,
            NonNegative,
        ),
        ("activity.frailty_shape".into(), &a.frailty_shape, Positive),
        (
            "activity.rural_cost_factor".into(),
            &a.rural_cost_factor,
            NonNegative,
        ),
        ("shocks.demand_trend".into(), &k.demand_trend, Growth),
        (
            "shocks.demand_noise_sd".into(),
            &k.demand_noise_sd,
            NonNegative,
        ),
        ("shocks.cost_inflation".into(), &k.cost_inflation, Growth),
        ("shocks.price_uplift".into(), &k.price_uplift, Growth),
        (
            "shocks.bad_winter_probability".into(),
            &k.bad_winter_probability,
            Probability,
        ),
        (
            "shocks.bad_winter_effect".into(),
            &k.bad_winter_effect,
            Growth,
        ),
    ];
    for (i, spec) in s.intervention.iter().enumerate() {
        let at = spec.path(i);
        let p = |f: &str| format!("{at}.{f}");
        v.push((p("uptake"), &spec.uptake, Probability));
        v.push((
            p("cost_per_person_year"),
            &spec.cost_per_person_year,
            NonNegative,
        ));
        v.push((p("effect.onset"), &spec.effect.onset, NonNegative));
        v.push((p("effect.mortality"), &spec.effect.mortality, NonNegative));
        for (ty, rr) in &spec.effect.activity {
            v.push((p(&format!("effect.activity.{ty}")), rr, NonNegative));
        }
        for (k, shift) in spec.shift.iter().enumerate() {
            v.push((p(&format!("shift[{k}].share")), &shift.share, Probability));
            v.push((p(&format!("shift[{k}].ratio")), &shift.ratio, NonNegative));
        }
    }
    for name in a.ordered_types() {
        let ty = &a.types[name];
        let p = |f: &str| format!("activity.types.{name}.{f}");
        v.push((p("rate"), &ty.rate, NonNegative));
        v.push((p("unit_cost"), &ty.unit_cost, NonNegative));
        v.push((p("price"), &ty.price, NonNegative));
        v.push((p("cost_cv"), &ty.cost_cv, NonNegative));
        v.push((p("ltc_ratio"), &ty.ltc_ratio, Positive));
        v.push((p("deprivation_ratio"), &ty.deprivation_ratio, Positive));
        v.push((p("rural_rate_ratio"), &ty.rural_rate_ratio, NonNegative));
        v.push((p("fixed_cost_share"), &ty.fixed_cost_share, Probability));
    }
    v
}

/// Validates a scenario: every problem is added to `problems`. Arms listed in `skip_arms` had
/// structural problems already reported and are not checked again.
pub fn validate(problems: &mut Problems, s: &Scenario, skip_arms: &[usize]) {
    if s.name.trim().is_empty() || s.name.contains(['/', '\\']) {
        problems.push(
            "name",
            "expected a non-empty name without slashes (it names the output folder)",
        );
    }
    if let Err(expected) = check_replications(s.replications) {
        problems.push("replications", expected);
    }
    if !(1..=100).contains(&s.years) {
        problems.push(
            "years",
            format!("expected 1 to 100 years, found {}", s.years),
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
        check_strata(problems, "population.cohort", &c.strata());
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
                format!("expected one of the profiles in data/activity_age_profile.csv ({}), found \"{}\"",
                    dedup(&profiles).join(", "), ty.age_profile),
            );
        }
    }
    for (path, p, kind) in parameters(s) {
        check_param(problems, &path, p, kind);
    }
    super::validate_contracts::check(problems, s, skip_arms);
    super::validate_interventions::check(problems, s);
}

/// Bounds in order and within the model's axes, quintiles 1-5.
pub(super) fn check_strata(problems: &mut Problems, path: &str, c: &Strata) {
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
    if let Some(q) = &c.imd
        && (q.is_empty() || q.iter().any(|x| !(1..=5).contains(x)))
    {
        problems.push(
            format!("{path}.imd"),
            "expected a non-empty list of quintiles 1-5",
        );
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
