//! Checks of the scenario's providers and arms, in the same pass as its parameters: every
//! problem is collected with its path before anything is built.

use super::Scenario;
use super::contracts::*;
use crate::error::Problems;
use crate::scenario::validate::{MAX_GROWTH, YEARS, show};
use crate::unknown_name::{did_you_mean, unknown};

/// Checks providers and every arm not in `skip_arms` (arms whose structure was already
/// reported broken).
pub(super) fn check(problems: &mut Problems, s: &Scenario, skip_arms: &[usize]) {
    let type_names = s.activity.type_names();
    let providers = s.providers();
    check_providers(problems, &providers, &type_names);
    let indicator_names: Vec<String> = s.named_indicators().into_iter().map(|(_, n)| n).collect();
    let type_index = |name: &str| type_names.iter().position(|t| t == name);
    for (a, arm) in s.arm.iter().enumerate() {
        if skip_arms.contains(&a) {
            continue;
        }
        let arm_path = arm.path(a);
        if arm.name.trim().is_empty() || s.arm[..a].iter().any(|b| b.name == arm.name) {
            problems.push(&arm_path, "expected a unique, non-empty arm name");
        }
        if arm.preset.is_none() && arm.component.is_empty() {
            problems.push(&arm_path, "expected a preset or at least one component");
        }
        // Each component's ledger column: a name given is kept only if no component before
        // it (the preset's, or one named or numbered by its kind) has that column.
        let columns = arm.components();
        let preset_count = columns.len() - arm.component.len();
        // Numbered as written in the file (`[[arm.component]]` in order); a preset's own
        // components are valid by construction.
        for (k, spec) in arm.component.iter().enumerate() {
            let path = format!("{arm_path}.component[{k}] ({})", spec.kind());
            // A name taken by another component would be booked under another, numbered one.
            if let Some(name) = spec.custom_name()
                && columns[preset_count + k].0 != name
            {
                problems.push(
                    format!("{path}.name"),
                    format!(
                        "expected a name used once in the arm: \"{name}\" names another of its \
                         components (each has a ledger column of its own)"
                    ),
                );
            }
            check_component(
                spec,
                &path,
                problems,
                (&type_index, &type_names),
                &indicator_names,
            );
            check_years(
                spec,
                &path,
                problems,
                YEARS.contains(&s.years).then_some(s.years),
            );
            if let Some(rebase) = spec.rebase() {
                check_rebased_outturn(spec, rebase, &path, problems);
            }
            check_paid_providers(spec, &path, problems, &providers, arm.lead.as_deref());
            check_pooled(spec, &path, problems, &providers, arm.lead.as_deref());
            check_people(spec, &path, problems, s.condition.is_some());
            // Another kind's name would book this component in that kind's column.
            if let Some(name) = spec.custom_name()
                && ComponentSpec::KINDS.contains(&name)
                && name != spec.kind()
            {
                problems.push(
                    format!("{path}.name"),
                    format!(
                        "expected a name other than another kind's: a {} named \"{name}\" would \
                         be booked in the {name} column",
                        spec.kind()
                    ),
                );
            }
            if let Some(name) = spec.custom_name()
                && crate::ledger::LEDGER_COLUMNS.contains(&name)
            {
                problems.push(
                    format!("{path}.name"),
                    format!(
                        "expected a name of the component's own: \"{name}\" is one of the \
                         ledger's columns ({})",
                        crate::ledger::LEDGER_COLUMNS.join(", ")
                    ),
                );
            }
            // It names a column of the ledger and the workbook.
            if spec
                .custom_name()
                .is_some_and(|name| name.trim().is_empty())
            {
                problems.push(
                    format!("{path}.name"),
                    "expected a name with something in it (leave `name` out for the kind's own)",
                );
            }
            if let Some(name) = spec.custom_name()
                && (name.chars().count() > MAX_COLUMN_NAME_CHARS
                    || name.chars().any(char::is_control))
            {
                problems.push(
                    format!("{path}.name"),
                    format!(
                        "expected a column name of at most {MAX_COLUMN_NAME_CHARS} characters \
                         without control characters, found {} characters",
                        name.chars().count()
                    ),
                );
            }
        }
        for (k, m) in arm.monitor.iter().enumerate() {
            let path = format!("{arm_path}.monitor[{k}]");
            if !indicator_names.contains(&m.indicator) {
                problems.push(
                    format!("{path}.indicator"),
                    unknown("indicator", &m.indicator, &indicator_names, "an indicator"),
                );
            }
            let targets = [m.target, m.target_vs_expected, m.target_vs_previous];
            if targets.iter().filter(|t| t.is_some()).count() > 1 {
                problems.push(
                    &path,
                    "expected at most one of target, target_vs_expected and target_vs_previous",
                );
            }
            indicator_value_ok(problems, &path, "target", m.target);
            multiple_ok(problems, &path, "target_vs_expected", m.target_vs_expected);
            multiple_ok(problems, &path, "target_vs_previous", m.target_vs_previous);
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
        if arm.lead.is_none() && arm.subcontract.is_some() {
            problems.push(
                format!("{arm_path}.subcontract"),
                "expected a lead provider (lead = \"…\"): subcontract says how a lead pays its \
                 subcontractors",
            );
        }
        for name in arm.subcontract_for.keys() {
            let field = format!("{arm_path}.subcontract_for.{name}");
            match arm.lead.as_deref() {
                None => problems.push(
                    &field,
                    "expected a lead provider (lead = \"…\"): subcontract_for says how a lead \
                     pays a subcontractor",
                ),
                Some(lead) if lead == name => problems.push(
                    &field,
                    format!(
                        "expected a subcontractor: {lead} is the lead, paid by the arm's \
                         components"
                    ),
                ),
                Some(lead) if !providers.iter().any(|p| &p.name == name) => {
                    problems.push(&field, {
                        let subcontractors: Vec<&str> = providers
                            .iter()
                            .map(|p| p.name.as_str())
                            .filter(|p| *p != lead)
                            .collect();
                        format!(
                            "unknown provider \"{name}\"{}; expected one of the lead's \
                             subcontractors: {}",
                            did_you_mean(name, &subcontractors, "\""),
                            subcontractors.join(", ")
                        )
                    })
                }
                Some(_) => {}
            }
        }
        if arm.lead.is_some() && arm.subcontract.is_some() && providers.len() < 2 {
            problems.push(
                format!("{arm_path}.subcontract"),
                "expected subcontractors for the lead to pay: the scenario has one provider",
            );
        }
        if arm.lead.is_some() && arm.pass_through > 0.0 && providers.len() < 2 {
            problems.push(
                format!("{arm_path}.pass_through"),
                "expected subcontractors for the lead to pass payments on to: the scenario has \
                 one provider",
            );
        }
        if let Some(lead) = &arm.lead
            && !providers.iter().any(|p| &p.name == lead)
        {
            problems.push(
                format!("{arm_path}.lead"),
                unknown(
                    "provider",
                    lead,
                    &providers
                        .iter()
                        .map(|p| p.name.as_str())
                        .collect::<Vec<_>>(),
                    "a [[provider]] (the scenario has none)",
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
                    unknown("activity type", t, type_names, "an activity type"),
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
/// Largest amount in £ a contract field takes: far above any NHS budget (about £200bn a year),
/// well inside what sums of amounts hold without overflowing to infinity.
const MAX_AMOUNT: f64 = 1e13;

/// Largest multiple of an expected figure (of cost, volume or an indicator) a field takes.
const MAX_MULTIPLE: f64 = 1_000.0;

/// An amount in £, when given: between 0 and [`MAX_AMOUNT`].
fn amount_ok(problems: &mut Problems, path: &str, field: &str, v: Option<f64>) {
    if let Some(x) = v.filter(|x| !(0.0..=MAX_AMOUNT).contains(x)) {
        problems.push(
            format!("{path}.{field}"),
            format!(
                "expected an amount in £ between 0 and {MAX_AMOUNT:e}, found {}",
                show(x)
            ),
        );
    }
}

/// A multiple of an expected figure, when given: between 0 and [`MAX_MULTIPLE`].
fn multiple_ok(problems: &mut Problems, path: &str, field: &str, v: Option<f64>) {
    if let Some(x) = v.filter(|x| !(0.0..=MAX_MULTIPLE).contains(x)) {
        problems.push(
            format!("{path}.{field}"),
            format!(
                "expected a multiple between 0 and {MAX_MULTIPLE}, found {}",
                show(x)
            ),
        );
    }
}

/// Largest size of an indicator's value a target or minimum is given as: beyond any count of
/// people or events (a billion on a waiting list) or rate. A target of 1e300 made payments of
/// 1e301 and infinities.
const MAX_INDICATOR_VALUE: f64 = 1e12;

/// An indicator's value given as a target or minimum, when given: finite and at most
/// [`MAX_INDICATOR_VALUE`] in size.
fn indicator_value_ok(problems: &mut Problems, path: &str, field: &str, v: Option<f64>) {
    if let Some(x) = v.filter(|x| !(-MAX_INDICATOR_VALUE..=MAX_INDICATOR_VALUE).contains(x)) {
        problems.push(
            format!("{path}.{field}"),
            format!(
                "expected a value the indicator can take, from -{MAX_INDICATOR_VALUE:e} to \
                 {MAX_INDICATOR_VALUE:e}, found {}",
                show(x)
            ),
        );
    }
}

/// A yearly uplift: above −1 (a payment cannot fall below nothing) and at most
/// [`MAX_GROWTH`].
fn uplift_ok(problems: &mut Problems, path: &str, uplift: f64) {
    if !(uplift > -1.0 && uplift <= MAX_GROWTH) {
        problems.push(
            format!("{path}.uplift"),
            format!(
                "expected an uplift above -1 and at most {MAX_GROWTH}, found {}",
                show(uplift)
            ),
        );
    }
}

/// Most a price can be multiplied by: a local price, or a premium for extra activity, well above
/// the national one.
const MAX_PRICE_MULTIPLE: f64 = 10.0;

/// Longest name of a component, in characters: it names a ledger column.
const MAX_COLUMN_NAME_CHARS: usize = 100;

/// A term's incentive is judged once, on its years together: no year of it has a year before.
const TERM_AGAINST_PREVIOUS: &str = "expected `target` or `target_vs_expected` with settle = \
     \"term\": a term is judged once, on the mean of its years, not against a year before";

/// A multiple of the national price: from 0 to [`MAX_PRICE_MULTIPLE`].
fn price_multiple_ok(problems: &mut Problems, path: &str, field: &str, v: f64) {
    if !(0.0..=MAX_PRICE_MULTIPLE).contains(&v) {
        problems.push(
            format!("{path}.{field}"),
            format!(
                "expected a multiple of the price between 0 and {MAX_PRICE_MULTIPLE} (1: the \
                 national price), found {}",
                show(v)
            ),
        );
    }
}

fn share_ok(problems: &mut Problems, path: &str, field: &str, v: f64) {
    if !(0.0..=1.0).contains(&v) {
        problems.push(
            format!("{path}.{field}"),
            format!("expected a share between 0 and 1, found {}", show(v)),
        );
    }
}

type TypeIndex<'a> = dyn Fn(&str) -> Option<usize> + 'a;

/// A component's contract years lie within the horizon, the first no later than the last, and
/// so do the years between its re-basings and back to the outturn they are set on. With no
/// `horizon` (`years` is itself wrong) only the order of the first and last is checked.
fn check_years(spec: &ComponentSpec, path: &str, problems: &mut Problems, horizon: Option<u32>) {
    let (from, to) = spec.years();
    for (field, year) in [("from_year", from), ("to_year", to)] {
        if let (Some(y), Some(horizon)) = (year, horizon)
            && !(1..=horizon).contains(&y)
        {
            problems.push(
                format!("{path}.{field}"),
                format!("expected a contract year from 1 to {horizon} (years), found {y}"),
            );
        }
    }
    if let (Some(rebase), Some(horizon)) = (spec.rebase(), horizon) {
        for (field, years) in [("every", rebase.every), ("lag", rebase.lag)] {
            if !(1..=horizon).contains(&years) {
                problems.push(
                    format!("{path}.rebase.{field}"),
                    format!(
                        "expected a number of years from 1 to {horizon} (years), found {years}"
                    ),
                );
            }
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

/// What a component re-sets on outturn must be there to re-set: an activity component's
/// baseline volume, on the holder's volume; a set amount on its cost or its tariff.
fn check_rebased_outturn(
    spec: &ComponentSpec,
    rebase: Rebase,
    path: &str,
    problems: &mut Problems,
) {
    match spec {
        ComponentSpec::Activity(c) => {
            if c.baseline_volume.is_none() {
                problems.push(
                    format!("{path}.rebase"),
                    "expected a baseline_volume with `rebase`: it re-sets the baseline volume on \
                     the holder's count of each type",
                );
            }
            if rebase.on.is_some_and(|on| on != RebaseOn::Volume) {
                problems.push(
                    format!("{path}.rebase.on"),
                    "expected \"volume\" (or nothing): an activity component's baseline volume is \
                     re-set on the holder's count of each type",
                );
            }
        }
        // Its own check: a benchmark is re-set on cost alone.
        ComponentSpec::SharedSavings(_) => {}
        _ if rebase.on == Some(RebaseOn::Volume) => problems.push(
            format!("{path}.rebase.on"),
            format!(
                "expected \"cost\" or \"tariff\": \"volume\" re-sets an activity component's \
                 baseline volume, and a {} amount is set in £",
                spec.kind()
            ),
        ),
        _ => {}
    }
}

/// The people a component pays for are chosen by something (on the axes activity is counted
/// by, which the format admits), and an amount re-set on outturn would be set on the holder's
/// whole year, not on theirs.
fn check_people(spec: &ComponentSpec, path: &str, problems: &mut Problems, has_condition: bool) {
    let Some(people) = spec.people() else {
        return;
    };
    let path = format!("{path}.people");
    if people == crate::scenario::Strata::default() {
        problems.push(
            &path,
            "expected at least one of condition, ltc_min, ltc_max, imd or rurality (leave \
             `people` out to pay for everyone's care)",
        );
    }
    crate::scenario::validate::check_strata(problems, &path, &people, has_condition);
    if spec.rebase().is_some() {
        problems.push(
            path,
            "expected no `rebase` with `people`: an outturn is the holder's whole year, not these \
             people's",
        );
    }
}

/// A pooled risk share or shared savings pools two providers or more: a lead holds the
/// contract alone, and one provider has nobody to share with.
fn check_pooled(
    spec: &ComponentSpec,
    path: &str,
    problems: &mut Problems,
    providers: &[ProviderSpec],
    lead: Option<&str>,
) {
    if !spec.pooled() {
        return;
    }
    let members = spec.providers().map_or(providers.len(), |names| {
        let mut distinct: Vec<&String> = names.iter().collect();
        distinct.sort();
        distinct.dedup();
        distinct.len()
    });
    let why = if let Some(lead) = lead {
        format!("the lead, {lead}, holds the contract alone")
    } else if members < 2 {
        "it pays one provider".to_string()
    } else {
        return;
    };
    problems.push(
        format!("{path}.pooled"),
        format!(
            "expected two or more providers to pool between (an alliance): {why}; leave pooled \
             out"
        ),
    );
}

/// A component's `providers` name providers of the scenario that hold the arm's contracts:
/// with a lead, the lead alone (its subcontractors are paid as `subcontract` says).
fn check_paid_providers(
    spec: &ComponentSpec,
    path: &str,
    problems: &mut Problems,
    providers: &[ProviderSpec],
    lead: Option<&str>,
) {
    let Some(names) = spec.providers() else {
        return;
    };
    let field = format!("{path}.providers");
    if names.is_empty() {
        problems.push(
            &field,
            "expected at least one provider (leave providers out to pay every provider)",
        );
    }
    let known: Vec<&str> = providers.iter().map(|p| p.name.as_str()).collect();
    for name in names {
        if !known.contains(&name.as_str()) {
            problems.push(
                &field,
                unknown(
                    "provider",
                    name,
                    &known,
                    "a [[provider]] (the scenario has none)",
                ),
            );
        } else if let Some(lead) = lead
            && name != lead
        {
            problems.push(
                &field,
                format!(
                    "expected the lead, {lead}, alone: {name} is its subcontractor, paid as the \
                     arm's subcontract says"
                ),
            );
        }
    }
    // Without a lead, each provider is paid for its own activity: a type none of the named
    // providers delivers would be paid to nobody.
    if let (ComponentSpec::Activity(c), None) = (spec, lead) {
        let named: Vec<&ProviderSpec> = providers
            .iter()
            .filter(|p| names.contains(&p.name))
            .collect();
        for t in c.types.iter().flatten() {
            if !named.is_empty() && !named.iter().any(|p| p.activity.contains(t)) {
                problems.push(
                    format!("{path}.types"),
                    format!(
                        "expected activity delivered by {}: \"{t}\" is not",
                        names.join(" or ")
                    ),
                );
            }
        }
    }
}

/// Checks one component's values, activity types and indicators.
fn check_component(
    spec: &ComponentSpec,
    path: &str,
    problems: &mut Problems,
    (type_index, type_names): (&TypeIndex, &[String]),
    indicator_names: &[String],
) {
    let indicator = |problems: &mut Problems, field: &str, name: &str| {
        if !indicator_names.iter().any(|n| n == name) {
            problems.push(
                format!("{path}.{field}"),
                unknown("indicator", name, indicator_names, "an indicator"),
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
            amount_ok(problems, path, "amount", c.amount);
            if c.amount.is_none() {
                multiple_ok(problems, path, "share", Some(c.share));
            } else if c.share != 1.0 {
                problems.push(
                    format!("{path}.share"),
                    "expected `amount` (£ a year) or `share` (of expected cost), not both",
                );
            }
            uplift_ok(problems, path, c.uplift);
        }
        ComponentSpec::Activity(c) => {
            amount_ok(problems, path, "cap", c.cap);
            price_multiple_ok(problems, path, "price_share", c.price_share);
            if let Some(m) = c.marginal_rate {
                price_multiple_ok(problems, path, "marginal_rate", m);
            }
            share_ok(problems, path, "below_baseline_rate", c.below_baseline_rate);
            multiple_ok(problems, path, "baseline_volume", c.baseline_volume);
            // Both price units against the baseline: without one they would do nothing, and a
            // variable payment meant at 20% of tariff would pay every unit in full.
            if c.baseline_volume.is_none() {
                for (field, set) in [
                    ("marginal_rate", c.marginal_rate.is_some()),
                    ("below_baseline_rate", c.below_baseline_rate > 0.0),
                ] {
                    if set {
                        problems.push(
                            format!("{path}.{field}"),
                            format!(
                                "expected a baseline_volume with `{field}`: it prices units \
                                 against the baseline volume, so without one every unit is paid \
                                 at price_share (for every unit at 20% of the price, write \
                                 price_share = 0.2)"
                            ),
                        );
                    }
                }
            }
            if c.types.as_ref().is_some_and(Vec::is_empty) {
                problems.push(
                    format!("{path}.types"),
                    "expected at least one activity type (leave `types` out to pay for all)",
                );
            }
            for t in c.types.iter().flatten() {
                if type_index(t).is_none() {
                    problems.push(
                        format!("{path}.types"),
                        unknown("activity type", t, type_names, "an activity type"),
                    );
                }
            }
        }
        ComponentSpec::Capitation(c) => {
            amount_ok(problems, path, "per_head", c.per_head);
            uplift_ok(problems, path, c.uplift);
        }
        ComponentSpec::Outcome(c) => {
            amount_ok(problems, path, "pool", c.pool);
            one_of(problems, c.pool, c.pool_share, "`pool` (£) or `pool_share`");
            if let Some(s) = c.pool_share {
                share_ok(problems, path, "pool_share", s);
            }
            let total: f64 = c.indicators.iter().map(|t| t.weight).sum();
            if c.indicators.is_empty() || (total - 1.0).abs() > 1e-9 {
                problems.push(
                    format!("{path}.indicators"),
                    format!(
                        "expected indicator weights summing to 1, found a sum of {}{}",
                        show(total + 0.0),
                        if c.indicators.len() > 1 {
                            " (an indicator's `weight` left out counts as 1)"
                        } else {
                            ""
                        }
                    ),
                );
            }
            for (i, t) in c.indicators.iter().enumerate() {
                let field = format!("indicators[{i}]");
                if t.weight.is_nan() || t.weight < 0.0 {
                    problems.push(
                        format!("{path}.{field}.weight"),
                        format!("expected a weight >= 0, found {}", show(t.weight)),
                    );
                }
                for (name, multiple) in [
                    ("target_vs_expected", t.target_vs_expected),
                    ("target_vs_previous", t.target_vs_previous),
                ] {
                    multiple_ok(problems, path, &format!("{field}.{name}"), multiple);
                }
                indicator_value_ok(problems, path, &format!("{field}.target"), t.target);
                let given = [
                    t.target.is_some(),
                    t.target_vs_expected.is_some(),
                    t.target_vs_previous.is_some(),
                ];
                if given.iter().filter(|&&g| g).count() != 1 {
                    problems.push(
                        format!("{path}.{field}"),
                        "expected exactly one of `target`, `target_vs_expected` or \
                         `target_vs_previous`",
                    );
                }
                if c.settle == Settle::Term && t.target_vs_previous.is_some() {
                    problems.push(
                        format!("{path}.{field}.target_vs_previous"),
                        TERM_AGAINST_PREVIOUS,
                    );
                }
                if t.tiers.as_ref().is_some_and(Vec::is_empty) {
                    problems.push(
                        format!("{path}.{field}.tiers"),
                        "expected at least one tier (leave `tiers` out to pay in full when the \
                         target is met)",
                    );
                }
                let tiers = t.tiers.as_deref().unwrap_or_default();
                for (k, tier) in tiers.iter().enumerate() {
                    if tiers[..k].iter().any(|other| other.at == tier.at) {
                        problems.push(
                            format!("{path}.{field}.tiers.at"),
                            format!(
                                "expected each tier at a different multiple; {} is given twice",
                                tier.at
                            ),
                        );
                    }
                    share_ok(problems, path, &format!("{field}.tiers.pays"), tier.pays);
                    // A multiple of the target, as ratios are elsewhere.
                    if !(tier.at > 0.0 && tier.at <= 100.0) {
                        problems.push(
                            format!("{path}.{field}.tiers.at"),
                            format!(
                                "expected a multiple of the target above 0 and at most 100, \
                                 found {}",
                                tier.at
                            ),
                        );
                    }
                }
                indicator(problems, &format!("{field}.indicator"), &t.indicator);
            }
        }
        ComponentSpec::PerUnit(c) => {
            amount_ok(problems, path, "rate", Some(c.rate));
            let given = [c.target, c.target_vs_expected, c.target_vs_previous];
            if given.iter().filter(|t| t.is_some()).count() != 1 {
                problems.push(
                    path,
                    "expected exactly one of `target`, `target_vs_expected` or \
                     `target_vs_previous`",
                );
            }
            amount_ok(problems, path, "cap", c.cap);
            indicator_value_ok(problems, path, "target", c.target);
            multiple_ok(problems, path, "target_vs_expected", c.target_vs_expected);
            multiple_ok(problems, path, "target_vs_previous", c.target_vs_previous);
            if c.settle == Settle::Term && c.target_vs_previous.is_some() {
                problems.push(format!("{path}.target_vs_previous"), TERM_AGAINST_PREVIOUS);
            }
            indicator(problems, "indicator", &c.indicator);
        }
        ComponentSpec::QualityDeduction(c) => {
            amount_ok(problems, path, "deduction", c.deduction);
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
            multiple_ok(problems, path, "minimum_vs_expected", c.minimum_vs_expected);
            indicator_value_ok(problems, path, "minimum", c.minimum);
            indicator(problems, "indicator", &c.indicator);
        }
        ComponentSpec::RiskShare(c) => {
            check_bands(&c.bands, path, problems);
            for (f, v) in [
                ("provider_loss_cap", c.provider_loss_cap),
                ("provider_gain_cap", c.provider_gain_cap),
            ] {
                multiple_ok(problems, path, f, v);
            }
        }
        ComponentSpec::SharedSavings(c) => {
            multiple_ok(problems, path, "cap", c.cap);
            // A benchmark re-set on outturn is set on the holder's cost, which it is measured
            // against.
            if let Some(rebase) = c.rebase {
                if c.against != SavingsAgainst::Cost {
                    problems.push(
                        format!("{path}.against"),
                        "expected \"cost\" with `rebase`: a benchmark is re-set on the holder's cost",
                    );
                }
                if rebase.on_or_cost() != RebaseOn::Cost {
                    problems.push(
                        format!("{path}.rebase.on"),
                        "expected \"cost\": a benchmark is re-set on the holder's cost",
                    );
                }
            }
            for (f, v) in [
                ("provider_share", c.provider_share),
                ("min_savings_rate", c.min_savings_rate),
                ("loss_share", c.loss_share),
                ("min_loss_rate", c.min_loss_rate),
            ] {
                share_ok(problems, path, f, v);
            }
            if !(c.benchmark_vs_expected > 0.0 && c.benchmark_vs_expected <= MAX_MULTIPLE) {
                problems.push(
                    format!("{path}.benchmark_vs_expected"),
                    format!(
                        "expected a multiple of expected cost above 0 and at most {MAX_MULTIPLE}, found {}",
                        show(c.benchmark_vs_expected)
                    ),
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
        // A deviation is a share of the target: 2 meant as 2% would be a band no year reaches
        // (a deviation of 200%), and a cost cannot fall a whole target or more below it.
        for (field, value) in [("above", b.above), ("below", b.below)] {
            if let Some(v) = value.filter(|v| v.abs() >= 1.0) {
                problems.push(
                    format!("{p}.{field}"),
                    format!(
                        "expected a deviation from the target as a share of it, between -1 and \
                         1 (0.02 is 2%), found {v}"
                    ),
                );
            }
        }
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
