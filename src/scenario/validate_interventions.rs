//! Checks of the scenario's interventions and of the arms that name them, in the same pass as
//! everything else. Their parameters (uptake, cost, effects) are checked with the rest
//! ([`super::validate::parameters`]).

use super::validate::{YEARS, check_strata};
use super::{Dist, InterventionSpec, Scenario};
use crate::error::Problems;
use crate::population::{BASE_CELLS, cohort_mask, strata_mask_within};
use crate::unknown_name::unknown;

pub(super) fn check(problems: &mut Problems, s: &Scenario) {
    let type_names = s.activity.type_names();
    let known_type = |problems: &mut Problems, at: String, name: &str| {
        if !type_names.iter().any(|t| t == name) {
            problems.push(
                at,
                unknown("activity type", name, &type_names, "an activity type"),
            );
        }
    };
    let payers: Vec<String> = s.parties();
    for (i, spec) in s.intervention.iter().enumerate() {
        let at = spec.path(i);
        if spec.name.trim().is_empty() || s.intervention[..i].iter().any(|x| x.name == spec.name) {
            problems.push(&at, "expected a unique, non-empty intervention name");
        }
        let before = problems.len();
        check_strata(
            problems,
            &format!("{at}.target"),
            &spec.target,
            s.condition.is_some(),
        );
        let target_is_valid = problems.len() == before;
        if spec.ramp_years == 0 {
            problems.push(
                format!("{at}.ramp_years"),
                "expected at least 1 year (1: full uptake from the start)",
            );
        }
        // Against a wrong horizon (reported at `years`) these would only repeat it.
        if YEARS.contains(&s.years) {
            if !(1..=s.years).contains(&spec.start_year) {
                problems.push(
                    format!("{at}.start_year"),
                    format!(
                        "expected a simulated year from 1 to {}, found {}",
                        s.years, spec.start_year
                    ),
                );
            }
            if spec.lag_years >= s.years {
                problems.push(
                    format!("{at}.lag_years"),
                    format!(
                        "expected fewer than the {} simulated years (the effect would never be seen), found {}",
                        s.years, spec.lag_years
                    ),
                );
            } else if (1..=s.years).contains(&spec.start_year)
                && spec.start_year - 1 + spec.lag_years >= s.years
            {
                problems.push(
                    format!("{at}.lag_years"),
                    format!(
                        "expected the effect within the {} simulated years: starting in year {} with a \
                         lag of {} it would first act in year {} (only the programme's cost would be \
                         seen), found {}",
                        s.years,
                        spec.start_year,
                        spec.lag_years,
                        spec.start_year + spec.lag_years,
                        spec.lag_years
                    ),
                );
            }
        }
        if !payers.contains(&spec.paid_by) {
            problems.push(
                format!("{at}.paid_by"),
                format!(
                    "expected `commissioner` or a provider ({}), found \"{}\"{}",
                    payers[1..].join(", "),
                    spec.paid_by,
                    crate::unknown_name::did_you_mean(&spec.paid_by, &payers, "\"")
                ),
            );
        }
        for ty in spec.effect.activity.keys() {
            known_type(problems, format!("{at}.effect.activity.{ty}"), ty);
        }
        for ty in spec.effect.unit_cost.keys() {
            known_type(problems, format!("{at}.effect.unit_cost.{ty}"), ty);
        }
        check_capacity(problems, s, spec, &at);
        for name in spec.effect.measure.keys() {
            if !s.measure.iter().any(|m| &m.name == name) {
                let known = s.measure_names();
                problems.push(
                    format!("{at}.effect.measure.{name}"),
                    unknown(
                        "measure",
                        name,
                        &known,
                        "a measure the scenario defines in [[measure]] (it defines none)",
                    ),
                );
            }
        }
        let service_alone = spec.acts_on_service() && !spec.acts_on_people();
        if spec.uptake.is_none() && !service_alone {
            problems.push(
                format!("{at}.uptake"),
                "expected the share of the eligible enrolled (0 to 1, or a distribution); only a \
                 programme that acts on nobody it enrols (it adds waiting-list capacity, changes \
                 unit costs or costs a fixed sum a year) may leave it out",
            );
        }
        if !target_is_valid {
            // Said already; whom it admits is not known.
        } else if let Some(eligible) = eligible_cells(s, spec) {
            check_condition_onset(problems, s, spec, &eligible, &at);
        } else {
            problems.push(
                format!("{at}.target"),
                "expected a target that admits someone the scenario covers: with the cohort, \
                 nobody is eligible (the programme would do nothing)",
            );
        }
        for (k, shift) in spec.shift.iter().enumerate() {
            let here = format!("{at}.shift[{k}]");
            known_type(problems, format!("{here}.from"), &shift.from);
            known_type(problems, format!("{here}.to"), &shift.to);
            if shift.from == shift.to {
                problems.push(here, "expected `from` and `to` to be different types");
            }
        }
        check_shift_shares(problems, spec, &at);
    }
    for (a, arm) in s.arm.iter().enumerate() {
        for (k, name) in arm.interventions.iter().enumerate() {
            let at = format!("{}.interventions", arm.path(a));
            if !s.intervention.iter().any(|x| &x.name == name) {
                let known: Vec<&str> = s.intervention.iter().map(|x| x.name.as_str()).collect();
                problems.push(
                    at,
                    unknown(
                        "intervention",
                        name,
                        &known,
                        "an intervention the scenario defines in [[intervention]] (it defines none)",
                    ),
                );
            } else if arm.interventions[..k].contains(name) {
                problems.push(at, format!("\"{name}\" is listed twice"));
            }
        }
    }
}

/// The shares a programme moves out of one type add up to at most all of it, each at the
/// largest its distribution draws: two shifts of all A&E to GP and to community care each
/// received the whole of it, making care from nothing.
fn check_shift_shares(problems: &mut Problems, spec: &InterventionSpec, at: &str) {
    let mut froms: Vec<&str> = spec.shift.iter().map(|x| x.from.as_str()).collect();
    froms.sort_unstable();
    froms.dedup();
    for from in froms {
        let largest: f64 = spec
            .shift
            .iter()
            .filter(|x| x.from == from)
            .map(|x| x.share.support().1)
            .sum();
        if largest > 1.0 + 1e-9 {
            problems.push(
                format!("{at}.shift"),
                format!(
                    "expected the shares moved out of \"{from}\" to sum to at most 1 (each at the \
                     largest it can draw), found {}",
                    crate::scenario::validate::show(largest)
                ),
            );
        }
    }
}

/// Capacity is added to a waiting list: each type named must be one the scenario gives a list.
fn check_capacity(problems: &mut Problems, s: &Scenario, spec: &InterventionSpec, at: &str) {
    let with_lists: Vec<&str> = s
        .activity
        .ordered_types()
        .into_iter()
        .filter(|t| s.activity.types[*t].waiting_list.is_some())
        .collect();
    for ty in spec.effect.waiting_list_capacity.keys() {
        if with_lists.contains(&ty.as_str()) {
            continue;
        }
        let known = if with_lists.is_empty() {
            "the scenario gives no type one ([activity.types.<type>.waiting_list])".to_string()
        } else {
            format!("expected one of: {}", with_lists.join(", "))
        };
        let hint = crate::unknown_name::did_you_mean(ty, &with_lists, "\"");
        problems.push(
            format!("{at}.effect.waiting_list_capacity.{ty}"),
            format!("\"{ty}\" is not an activity type with a waiting list{hint}; {known}"),
        );
    }
}

/// An effect on gaining the scenario's condition needs a condition, and someone eligible who
/// does not have it yet (`eligible`: the cells in the target and in the cohort).
fn check_condition_onset(
    problems: &mut Problems,
    s: &Scenario,
    spec: &InterventionSpec,
    eligible: &[bool],
    at: &str,
) {
    // A relative risk fixed at 1 is no effect, whatever source it cites.
    if spec.effect.condition_onset.dist == Dist::Fixed(1.0) {
        return;
    }
    let here = format!("{at}.effect.condition_onset");
    if s.condition.is_none() {
        problems.push(
            here,
            "expected a [condition] in the scenario: this is the relative risk of gaining it",
        );
    } else if !eligible[..BASE_CELLS].iter().any(|&e| e) {
        problems.push(
            here,
            "expected eligible people without the condition: the target (and the cohort, when there is one) admits only people who have it already",
        );
    }
}

/// The cells both in the intervention's target and covered by the scenario's cohort, or None
/// when there are none.
fn eligible_cells(s: &Scenario, spec: &InterventionSpec) -> Option<Vec<bool>> {
    let covered = cohort_mask(s.population.cohort.as_ref());
    let eligible = strata_mask_within(&spec.target, &covered);
    eligible.iter().any(|&e| e).then_some(eligible)
}
