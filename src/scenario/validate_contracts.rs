//! Checks of the scenario's providers and arms, in the same pass as its parameters: every
//! problem is collected with its path before anything is built.

use super::Scenario;
use super::contracts::*;
use super::indicator::Indicator;
use crate::error::Problems;

/// Checks providers and every arm not in `skip_arms` (arms whose structure was already
/// reported broken).
pub(super) fn check(problems: &mut Problems, s: &Scenario, skip_arms: &[usize]) {
    let type_names = s.activity.type_names();
    let providers = s.providers();
    check_providers(problems, &providers, &type_names);
    let has_list: Vec<bool> = type_names
        .iter()
        .map(|t| s.activity.types[t].waiting_list.is_some())
        .collect();
    let indicator_names: Vec<String> = Indicator::available(&has_list, s.condition.is_some())
        .into_iter()
        .map(|i| i.name(&type_names))
        .collect();
    let type_index = |name: &str| type_names.iter().position(|t| t == name);
    for (a, arm) in s.arm.iter().enumerate() {
        if skip_arms.contains(&a) {
            continue;
        }
        let arm_path = format!(
            "arm.{}",
            if arm.name.is_empty() {
                a.to_string()
            } else {
                arm.name.clone()
            }
        );
        if arm.name.trim().is_empty() || s.arm[..a].iter().any(|b| b.name == arm.name) {
            problems.push(&arm_path, "expected a unique, non-empty arm name");
        }
        if arm.preset.is_none() && arm.component.is_empty() {
            problems.push(&arm_path, "expected a preset or at least one component");
        }
        // Numbered as written in the file (`[[arm.component]]` in order); a preset's own
        // components are valid by construction.
        for (k, spec) in arm.component.iter().enumerate() {
            let path = format!("{arm_path}.component[{k}] ({})", spec.kind());
            check_component(spec, &path, problems, &type_index, &indicator_names);
            check_years(spec, &path, problems, s.years);
        }
        for (k, m) in arm.monitor.iter().enumerate() {
            let path = format!("{arm_path}.monitor[{k}]");
            if !indicator_names.contains(&m.indicator) {
                problems.push(
                    format!("{path}.indicator"),
                    format!(
                        "unknown indicator \"{}\"; expected one of: {}",
                        m.indicator,
                        indicator_names.join(", ")
                    ),
                );
            }
            if m.target.is_some() && m.target_vs_expected.is_some() {
                problems.push(
                    &path,
                    "expected at most one of target and target_vs_expected",
                );
            }
            for value in [m.target, m.target_vs_expected].into_iter().flatten() {
                if !value.is_finite() {
                    problems.push(&path, format!("expected a finite target, found {value}"));
                }
            }
        }
        if !(0.0..=1.0).contains(&arm.pass_through) {
            problems.push(
                format!("{arm_path}.pass_through"),
                format!("expected a share from 0 to 1, found {}", arm.pass_through),
            );
        } else if arm.pass_through > 0.0 && arm.lead.is_none() {
            problems.push(
                format!("{arm_path}.pass_through"),
                "expected a lead provider (lead = \"…\"): pass_through shares a lead's outcome \
                 and savings payments with its subcontractors",
            );
        }
        if let Some(lead) = &arm.lead
            && !providers.iter().any(|p| &p.name == lead)
        {
            problems.push(
                format!("{arm_path}.lead"),
                format!(
                    "unknown provider \"{lead}\"; expected one of: {}",
                    providers
                        .iter()
                        .map(|p| p.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            );
        }
    }
}

/// Every activity type delivered by exactly one provider, names unique.
fn check_providers(problems: &mut Problems, providers: &[ProviderSpec], type_names: &[String]) {
    let mut owner: Vec<Option<usize>> = vec![None; type_names.len()];
    for (p, prov) in providers.iter().enumerate() {
        let path = format!("provider.{}", prov.name);
        if prov.name.trim().is_empty()
            || prov.name == "commissioner"
            || providers[..p].iter().any(|q| q.name == prov.name)
        {
            problems.push(
                &path,
                "expected a unique provider name other than \"commissioner\"",
            );
        }
        for t in &prov.activity {
            match type_names.iter().position(|x| x == t) {
                None => problems.push(
                    format!("{path}.activity"),
                    format!(
                        "unknown activity type \"{t}\"; expected one of: {}",
                        type_names.join(", ")
                    ),
                ),
                Some(i) => {
                    if let Some(other) = owner[i] {
                        problems.push(
                            format!("{path}.activity"),
                            format!(
                                "\"{t}\" is already delivered by provider \"{}\"",
                                providers[other].name
                            ),
                        );
                    }
                    owner[i] = Some(p);
                }
            }
        }
    }
    for (i, o) in owner.iter().enumerate() {
        if o.is_none() {
            problems.push("provider", delivered_by_no_provider(&type_names[i]));
        }
    }
}

/// What is said of an activity type that no provider lists.
pub fn delivered_by_no_provider(activity_type: &str) -> String {
    format!("activity type \"{activity_type}\" is delivered by no provider")
}

/// Money that can only be paid one way (a cap, a pool, a rate, a deduction) must be >= 0.
fn not_negative(problems: &mut Problems, path: &str, field: &str, v: Option<f64>) {
    if let Some(x) = v.filter(|x| *x < 0.0) {
        problems.push(
            format!("{path}.{field}"),
            format!("expected an amount >= 0, found {x}"),
        );
    }
}

fn share_ok(problems: &mut Problems, path: &str, field: &str, v: f64) {
    if !(0.0..=1.0).contains(&v) {
        problems.push(
            format!("{path}.{field}"),
            format!("expected a share between 0 and 1, found {v}"),
        );
    }
}

type TypeIndex<'a> = dyn Fn(&str) -> Option<usize> + 'a;

/// A component's contract years lie within the horizon, the first no later than the last.
fn check_years(spec: &ComponentSpec, path: &str, problems: &mut Problems, horizon: u32) {
    let (from, to) = spec.years();
    for (field, year) in [("from_year", from), ("to_year", to)] {
        if let Some(y) = year
            && !(1..=horizon).contains(&y)
        {
            problems.push(
                format!("{path}.{field}"),
                format!("expected a contract year from 1 to {horizon} (years), found {y}"),
            );
        }
    }
    if let (Some(f), Some(t)) = (from, to)
        && f > t
    {
        problems.push(
            format!("{path}.to_year"),
            format!("expected to_year no earlier than from_year ({f}), found {t}"),
        );
    }
}

/// Checks one component's values, activity types and indicators.
fn check_component(
    spec: &ComponentSpec,
    path: &str,
    problems: &mut Problems,
    type_index: &TypeIndex,
    indicator_names: &[String],
) {
    let indicator = |problems: &mut Problems, field: &str, name: &str| {
        if !indicator_names.iter().any(|n| n == name) {
            problems.push(
                format!("{path}.{field}"),
                format!(
                    "unknown indicator \"{name}\"; expected one of: {}",
                    indicator_names.join(", ")
                ),
            );
        }
    };
    let one_of = |problems: &mut Problems, a: Option<f64>, b: Option<f64>, names: &str| {
        if a.is_some() == b.is_some() {
            problems.push(path, format!("expected exactly one of {names}"));
        }
    };
    match spec {
        ComponentSpec::Fixed(c) => {
            if c.amount.is_none() && c.share < 0.0 {
                problems.push(
                    format!("{path}.share"),
                    format!("expected a share of expected cost >= 0, found {}", c.share),
                );
            }
        }
        ComponentSpec::Activity(c) => {
            not_negative(problems, path, "cap", c.cap);
            share_ok(problems, path, "price_share", c.price_share);
            if let Some(m) = c.marginal_rate {
                share_ok(problems, path, "marginal_rate", m);
            }
            share_ok(problems, path, "below_baseline_rate", c.below_baseline_rate);
            if c.baseline_volume.is_some_and(|b| b < 0.0) {
                problems.push(
                    format!("{path}.baseline_volume"),
                    "expected a multiple of expected volume >= 0",
                );
            }
            for t in c.types.iter().flatten() {
                if type_index(t).is_none() {
                    problems.push(
                        format!("{path}.types"),
                        format!("unknown activity type \"{t}\""),
                    );
                }
            }
        }
        ComponentSpec::Capitation(c) => {
            if c.per_head.is_some_and(|p| p < 0.0) {
                problems.push(format!("{path}.per_head"), "expected £ per head >= 0");
            }
        }
        ComponentSpec::Outcome(c) => {
            not_negative(problems, path, "pool", c.pool);
            one_of(problems, c.pool, c.pool_share, "`pool` (£) or `pool_share`");
            if let Some(s) = c.pool_share {
                share_ok(problems, path, "pool_share", s);
            }
            let total: f64 = c.indicators.iter().map(|t| t.weight).sum();
            if c.indicators.is_empty() || (total - 1.0).abs() > 1e-9 {
                problems.push(
                    format!("{path}.indicators"),
                    format!("expected indicator weights summing to 1, found a sum of {total}"),
                );
            }
            for (i, t) in c.indicators.iter().enumerate() {
                let field = format!("indicators[{i}]");
                if t.target.is_some() == t.target_vs_expected.is_some() {
                    problems.push(
                        format!("{path}.{field}"),
                        "expected exactly one of `target` or `target_vs_expected`",
                    );
                }
                for tier in t.tiers.iter().flatten() {
                    share_ok(problems, path, &format!("{field}.tiers.pays"), tier.pays);
                }
                indicator(problems, &format!("{field}.indicator"), &t.indicator);
            }
        }
        ComponentSpec::PerUnit(c) => {
            not_negative(problems, path, "rate", Some(c.rate));
            one_of(
                problems,
                c.target,
                c.target_vs_expected,
                "`target` or `target_vs_expected`",
            );
            if c.cap.is_some_and(|x| x < 0.0) {
                problems.push(format!("{path}.cap"), "expected a cap >= 0");
            }
            indicator(problems, "indicator", &c.indicator);
        }
        ComponentSpec::QualityDeduction(c) => {
            not_negative(problems, path, "deduction", c.deduction);
            one_of(
                problems,
                c.minimum,
                c.minimum_vs_expected,
                "`minimum` or `minimum_vs_expected`",
            );
            one_of(
                problems,
                c.deduction,
                c.deduction_share,
                "`deduction` (£) or `deduction_share`",
            );
            if let Some(s) = c.deduction_share {
                share_ok(problems, path, "deduction_share", s);
            }
            indicator(problems, "indicator", &c.indicator);
        }
        ComponentSpec::RiskShare(c) => {
            check_bands(&c.bands, path, problems);
            for (f, v) in [
                ("provider_loss_cap", c.provider_loss_cap),
                ("provider_gain_cap", c.provider_gain_cap),
            ] {
                if v.is_some_and(|x| x < 0.0) {
                    problems.push(format!("{path}.{f}"), "expected a share of the target >= 0");
                }
            }
        }
        ComponentSpec::SharedSavings(c) => {
            not_negative(problems, path, "cap", c.cap);
            for (f, v) in [
                ("provider_share", c.provider_share),
                ("min_savings_rate", c.min_savings_rate),
                ("loss_share", c.loss_share),
                ("min_loss_rate", c.min_loss_rate),
            ] {
                share_ok(problems, path, f, v);
            }
            if c.benchmark_vs_expected <= 0.0 {
                problems.push(
                    format!("{path}.benchmark_vs_expected"),
                    "expected a multiple of expected cost > 0",
                );
            }
        }
    }
}

fn check_bands(bands: &[Band], path: &str, problems: &mut Problems) {
    if bands.is_empty() {
        problems.push(format!("{path}.bands"), "expected at least one band");
    }
    let mut above: Vec<f64> = Vec::new();
    let mut below: Vec<f64> = Vec::new();
    for (i, b) in bands.iter().enumerate() {
        let p = format!("{path}.bands[{i}]");
        share_ok(problems, &p, "provider_share", b.provider_share);
        match (b.above, b.below) {
            (Some(a), None) if a >= 0.0 => {
                if above.contains(&a) {
                    problems.push(
                        &p,
                        format!("overlapping corridor bands: two bands start above {a}"),
                    );
                }
                above.push(a);
            }
            (None, Some(x)) if x <= 0.0 => {
                if below.contains(&x) {
                    problems.push(
                        &p,
                        format!("overlapping corridor bands: two bands start below {x}"),
                    );
                }
                below.push(x);
            }
            (Some(_), Some(_)) | (None, None) => problems.push(
                &p,
                "expected exactly one of `above` (a deviation >= 0) or `below` (<= 0)",
            ),
            _ => problems.push(
                &p,
                "expected `above` >= 0 (overspend) or `below` <= 0 (underspend)",
            ),
        }
    }
}
