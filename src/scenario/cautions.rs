//! Cautions: a valid scenario that probably does not say what its author meant. Each is shown
//! as a warning by `capsim validate` and `capsim run`, which go on; none stops a run.

use super::Scenario;
use super::contracts::{ComponentSpec, SavingsAgainst};

/// One caution: the field it concerns and what to look at.
#[derive(Debug, Clone, PartialEq)]
pub struct Caution {
    pub field: String,
    pub message: String,
}

/// Every caution about a scenario that has passed validation.
pub fn cautions(s: &Scenario) -> Vec<Caution> {
    let mut out = Vec::new();
    unpaid_providers(s, &mut out);
    providers_without_activity(s, &mut out);
    pools_with_nothing_to_judge(s, &mut out);
    incentives_paid_to_nobody(s, &mut out);
    enrolment_without_effect(s, &mut out);
    uptake_of_nobody(s, &mut out);
    interventions_no_arm_runs(s, &mut out);
    effects_written_as_percentages(s, &mut out);
    measures_beyond_bounds(s, &mut out);
    rebasing_that_never_happens(s, &mut out);
    tiers_that_never_pay_in_full(s, &mut out);
    savings_shared_on_top_of_a_set_budget(s, &mut out);
    budget_in_other_units(s, &mut out);
    out
}

/// Below this a year's budget is more likely written in £m or £k than in £.
const IMPLAUSIBLE_BUDGET: f64 = 1e6;

/// Above this a budget's yearly growth is more likely a number of percent than a share.
const IMPLAUSIBLE_BUDGET_GROWTH: f64 = 0.5;

/// A budget written in £m (2300 for £2.3bn) or its growth in percent (3 for 3%): the results
/// would set every contract against a budget a thousand times too small, or growing threefold
/// a year.
fn budget_in_other_units(s: &Scenario, out: &mut Vec<Caution>) {
    let Some(budget) = s.budget else {
        return;
    };
    if budget.first_year > 0.0 && budget.first_year < IMPLAUSIBLE_BUDGET {
        out.push(Caution {
            field: "budget.first_year".into(),
            message: format!(
                "a budget of £{} for a year: budgets are in £, not £m or £k (2_300_000_000 \
                 for £2.3bn)",
                budget.first_year
            ),
        });
    }
    if budget.growth > IMPLAUSIBLE_BUDGET_GROWTH {
        out.push(Caution {
            field: "budget.growth".into(),
            message: format!(
                "a budget growing by {} is {:.0}% a year: growth is a share (0.03 for 3%), not \
                 a number of percent",
                budget.growth,
                100.0 * budget.growth
            ),
        });
    }
}

/// Shared savings against the holder's cost, in a year its income is a capitation or fixed
/// payment with nothing paid by activity: that income does not fall when its cost does, so
/// the holder keeps every pound saved already, and the shared savings pay it a share again
/// (150% of each saving at 50:50, and of each overspend). Splitting savings against a budget
/// with the commissioner is a risk share around it.
fn savings_shared_on_top_of_a_set_budget(s: &Scenario, out: &mut Vec<Caution>) {
    for (a, arm) in s.arm.iter().enumerate() {
        let components = arm.components();
        for (k, spec) in arm.component.iter().enumerate() {
            let ComponentSpec::SharedSavings(savings) = spec else {
                continue;
            };
            if savings.against != SavingsAgainst::Cost {
                continue;
            }
            let set_budget_only = |holder: &str, year: u32| {
                let paying = || {
                    components
                        .iter()
                        .map(|(_, c)| c)
                        .filter(move |c| c.active_in(year) && c.pays_provider(holder))
                };
                paying()
                    .any(|c| matches!(c, ComponentSpec::Capitation(_) | ComponentSpec::Fixed(_)))
                    && !paying().any(|c| matches!(c, ComponentSpec::Activity(_)))
            };
            let doubled = holders(s, a).iter().any(|holder| {
                spec.pays_provider(holder)
                    && (1..=s.years).any(|y| spec.active_in(y) && set_budget_only(holder, y))
            });
            if doubled {
                out.push(Caution {
                    field: format!("{}.component[{k}] (shared_savings)", arm.path(a)),
                    message: "shared savings against the provider's cost on top of a capitation \
                              or fixed payment, which already leaves it every pound it saves: \
                              it keeps the saving and is paid a share of it again (and bears an \
                              overspend more than once); to split savings and overspends against \
                              the budget with the commissioner, use a risk_share with bands at 0 \
                              (scenarios/now-next-future.toml, arm \"in-future\")"
                        .into(),
                });
            }
        }
    }
}

/// An outcome indicator whose tiers all pay part of its share: tiers given replace the default
/// (the target paying in full), so meeting the target pays only the best tier's part.
fn tiers_that_never_pay_in_full(s: &Scenario, out: &mut Vec<Caution>) {
    for (a, arm) in s.arm.iter().enumerate() {
        for (k, spec) in arm.component.iter().enumerate() {
            let ComponentSpec::Outcome(pool) = spec else {
                continue;
            };
            for (i, t) in pool.indicators.iter().enumerate() {
                let Some(tiers) = t.tiers.as_deref().filter(|t| !t.is_empty()) else {
                    continue;
                };
                let best = tiers.iter().map(|t| t.pays).fold(0.0, f64::max);
                if best < 1.0 {
                    out.push(Caution {
                        field: format!(
                            "{}.component[{k}] (outcome).indicators[{i}].tiers",
                            arm.path(a)
                        ),
                        message: format!(
                            "no tier pays in full, so even meeting the target pays {:.0}% of \
                             this indicator's share; tiers replace the default, so add \
                             {{ at = 1.0, pays = 1.0 }} if meeting the target should pay it all",
                            100.0 * best
                        ),
                    });
                }
            }
        }
    }
}

/// The providers holding an arm's contracts: its lead, or every provider.
fn holders(s: &Scenario, a: usize) -> Vec<String> {
    match &s.arm[a].lead {
        Some(lead) => vec![lead.clone()],
        None => s.providers().into_iter().map(|p| p.name).collect(),
    }
}

/// Whether an indicator is `provider`'s own in arm `a`: it delivers the activity the indicator
/// counts (population-wide indicators and measures belong to everyone), or it leads the arm,
/// holding every indicator (docs/contracts.md, "Whose indicator").
fn owns(s: &Scenario, a: usize, provider: &str, indicator: &str) -> bool {
    if s.arm[a].lead.as_deref() == Some(provider) {
        return true;
    }
    let Some(t) = s.indicator_named(indicator).and_then(|i| i.activity_type()) else {
        return true;
    };
    let type_name = &s.activity.type_names()[t];
    s.providers()
        .iter()
        .any(|p| p.name == provider && p.activity.contains(type_name))
}

/// Whether a component can ever pay `holder`: it names it (or no one), and a per-unit payment
/// or quality deduction is on the holder's own indicator (they go to its owner alone).
fn can_pay(s: &Scenario, a: usize, spec: &ComponentSpec, holder: &str) -> bool {
    spec.pays_provider(holder)
        && match spec {
            ComponentSpec::PerUnit(c) => owns(s, a, holder, &c.indicator),
            ComponentSpec::QualityDeduction(c) => owns(s, a, holder, &c.indicator),
            _ => true,
        }
}

/// A provider holding an arm's contracts that none of its components can pay (each names other
/// `providers`, or judges another's activity): its income is nothing, and its whole cost a
/// loss.
fn unpaid_providers(s: &Scenario, out: &mut Vec<Caution>) {
    for (a, arm) in s.arm.iter().enumerate() {
        let components = arm.components();
        for holder in holders(s, a) {
            if !components.iter().any(|(_, c)| can_pay(s, a, c, &holder)) {
                out.push(Caution {
                    field: s.arm[a].path(a),
                    message: format!(
                        "no component pays provider \"{holder}\" (each names other `providers` \
                         or judges another provider's activity): its income is 0 and its whole \
                         cost a loss"
                    ),
                });
            }
        }
    }
}

/// A provider that delivers no activity, in an arm without a lead whose components share
/// payments out (a capitation, a pool, shared savings, a corridor): each provider's share is
/// its share of the expected cost, so this one's is 0. An integrator or prime contractor that
/// should hold the contract and pay the others is the arm's lead.
fn providers_without_activity(s: &Scenario, out: &mut Vec<Caution>) {
    for (a, arm) in s.arm.iter().enumerate() {
        if arm.lead.is_some() {
            continue;
        }
        let components = arm.components();
        for p in s.providers().iter().filter(|p| p.activity.is_empty()) {
            let shared = components.iter().any(|(_, c)| {
                !matches!(
                    c,
                    ComponentSpec::Activity(_)
                        | ComponentSpec::PerUnit(_)
                        | ComponentSpec::QualityDeduction(_)
                ) && c.pays_provider(&p.name)
            });
            if shared {
                out.push(Caution {
                    field: s.arm[a].path(a),
                    message: format!(
                        "provider \"{}\" delivers no activity, and without a lead each \
                         provider's share of a payment is its share of the expected cost: its \
                         share is 0; if it should hold the contract and pay the others (an \
                         integrator), make it the arm's lead (lead = \"{}\")",
                        p.name, p.name
                    ),
                });
            }
        }
    }
}

/// A per-unit payment or quality deduction none of whose payees delivers the indicator's
/// activity: it goes to the indicator's owner alone, so it is never paid.
fn incentives_paid_to_nobody(s: &Scenario, out: &mut Vec<Caution>) {
    for (a, arm) in s.arm.iter().enumerate() {
        for (k, spec) in arm.component.iter().enumerate() {
            let indicator = match spec {
                ComponentSpec::PerUnit(c) => &c.indicator,
                ComponentSpec::QualityDeduction(c) => &c.indicator,
                _ => continue,
            };
            let payees: Vec<String> = holders(s, a)
                .into_iter()
                .filter(|h| spec.pays_provider(h))
                .collect();
            if !payees.is_empty() && !payees.iter().any(|h| owns(s, a, h, indicator)) {
                out.push(Caution {
                    field: format!("{}.component[{k}] ({})", s.arm[a].path(a), spec.kind()),
                    message: format!(
                        "none of the providers it pays ({}) delivers the activity \"{indicator}\" \
                         counts, and it goes to the provider that does: it is never paid",
                        payees.join(", ")
                    ),
                });
            }
        }
    }
}

/// An outcome pool the user wrote paying a provider none of whose targets are its own (each on
/// an activity type another provider delivers) pays it the whole pool every year: there is
/// nothing of its own to judge. A preset's pool does this by design (docs/contracts.md, "Whose
/// indicator") and has no `providers` to name, so it is left alone.
fn pools_with_nothing_to_judge(s: &Scenario, out: &mut Vec<Caution>) {
    for (a, arm) in s.arm.iter().enumerate() {
        // Numbered as written in the file, as validation numbers them.
        for (k, spec) in arm.component.iter().enumerate() {
            let ComponentSpec::Outcome(pool) = spec else {
                continue;
            };
            if pool.shared {
                continue;
            }
            for holder in holders(s, a).iter().filter(|h| spec.pays_provider(h)) {
                if pool
                    .indicators
                    .iter()
                    .any(|t| owns(s, a, holder, &t.indicator))
                {
                    continue;
                }
                out.push(Caution {
                    field: format!("{}.component[{k}] (outcome)", s.arm[a].path(a)),
                    message: format!(
                        "provider \"{holder}\" delivers none of the activity this pool judges, \
                         so it is paid its whole pool every year; name `providers = [...]` to \
                         pay the pool to those it judges, or set `shared = true` to judge every \
                         provider it pays on every target"
                    ),
                });
            }
        }
    }
}

/// A programme that enrols people (an uptake) but does nothing for them: no relative risk or
/// rate, no shift and no cost per person. They are counted as enrolled all the same.
fn enrolment_without_effect(s: &Scenario, out: &mut Vec<Caution>) {
    for (i, spec) in s.intervention.iter().enumerate() {
        if spec.uptake.is_some() && !spec.acts_on_people() {
            let message = if spec.acts_on_service() {
                "the programme enrols people but changes nothing for them (no relative risk or \
                 rate, shift or cost per person): they are counted in `enrolled` all the same; \
                 leave `uptake` out, as a programme that only adds capacity, changes unit costs \
                 or costs a fixed sum may"
            } else {
                "the programme enrols people but changes nothing: no effect, no shift and no cost"
            };
            out.push(Caution {
                field: format!("{}.uptake", spec.path(i)),
                message: message.into(),
            });
        }
    }
}

/// A programme acting on people whose uptake can only be 0: it enrols nobody, so its effects
/// never apply, and the run reports no change, as if the programme did nothing.
fn uptake_of_nobody(s: &Scenario, out: &mut Vec<Caution>) {
    for (i, spec) in s.intervention.iter().enumerate() {
        let nobody = spec.uptake.as_ref().is_some_and(|u| u.support().1 <= 0.0);
        if nobody && spec.acts_on_people() {
            out.push(Caution {
                field: format!("{}.uptake", spec.path(i)),
                message: "an uptake of 0 enrols nobody, so the programme's effects on people \
                          never apply and every arm running it reports no change"
                    .into(),
            });
        }
    }
}

/// An intervention no arm names in `interventions`: simulated nowhere, so nothing shows it was
/// left out but a missing who-gains table.
fn interventions_no_arm_runs(s: &Scenario, out: &mut Vec<Caution>) {
    // Without arms there is nothing to run it under, which validation says already.
    if s.arm.is_empty() {
        return;
    }
    for (i, spec) in s.intervention.iter().enumerate() {
        if !s.arm.iter().any(|a| a.interventions.contains(&spec.name)) {
            out.push(Caution {
                field: spec.path(i),
                message: format!(
                    "no arm runs this intervention, so it is not simulated; add \
                     interventions = [\"{}\"] to the arms that should run it",
                    spec.name
                ),
            });
        }
    }
}

/// Relative risks and rates above which an effect is more likely a percentage, or a change
/// written as a number of percent, than a real multiple of the status quo's rate.
const IMPLAUSIBLE_RELATIVE_RISK: f64 = 5.0;

/// A relative risk or rate whose mean is above [`IMPLAUSIBLE_RELATIVE_RISK`]: 90 meant as 90%,
/// or 10 meant as a 10% cut, multiplies the rate ninety or ten times.
fn effects_written_as_percentages(s: &Scenario, out: &mut Vec<Caution>) {
    for (i, spec) in s.intervention.iter().enumerate() {
        for (field, p) in spec.effect.ratios() {
            let mean = p.mean();
            if mean > IMPLAUSIBLE_RELATIVE_RISK {
                // Named for what it multiplies: a service effect is no risk.
                let (effect, what) = if field.starts_with("unit_cost.") {
                    ("a relative unit cost", "cost per unit")
                } else if field.starts_with("waiting_list_capacity.") {
                    ("a relative capacity", "capacity")
                } else if field.starts_with("measure.") {
                    ("a relative value", "value")
                } else {
                    ("a relative risk", "rate")
                };
                out.push(Caution {
                    field: format!("{}.effect.{field}", spec.path(i)),
                    message: format!(
                        "{effect} of {mean} multiplies the status quo's {what} {mean} times; \
                         effects are multiples of it (1 = no effect, 0.9 = 10% less, 1.1 = 10% \
                         more), not percentages"
                    ),
                });
            }
        }
    }
}

/// A measure whose level, at its mean, is outside its bounds: every value is clipped to the
/// bound.
fn measures_beyond_bounds(s: &Scenario, out: &mut Vec<Caution>) {
    for m in &s.measure {
        let level = m.value.mean();
        if m.bounded(level) != level {
            out.push(Caution {
                field: format!("{}.value", m.path()),
                message: format!(
                    "its mean, {level}, is outside its bounds (min {}, max {}): most of its values \
                     will be the bound",
                    m.min,
                    m.max.map_or("none".into(), |x| x.to_string())
                ),
            });
        }
    }
}

/// A re-based amount whose every re-basing year within its contract years looks back before
/// the first year is set on the baseline throughout: `rebase` changes nothing.
fn rebasing_that_never_happens(s: &Scenario, out: &mut Vec<Caution>) {
    for (a, arm) in s.arm.iter().enumerate() {
        for (k, spec) in arm.component.iter().enumerate() {
            let Some(rebase) = spec.rebase() else {
                continue;
            };
            let (from, to) = spec.years();
            let first = from.unwrap_or(1);
            let last = to.unwrap_or(s.years);
            if (first..=last).all(|year| rebase.source_year(first, year).is_none()) {
                out.push(Caution {
                    field: format!("{}.component[{k}] ({}).rebase", arm.path(a), spec.kind()),
                    message: format!(
                        "no re-basing year within its contract years ({first} to {last}) has an \
                         outturn {} year(s) before it: {} throughout",
                        rebase.lag,
                        match spec {
                            ComponentSpec::Activity(_) =>
                                "the baseline volume stays the original plan",
                            _ => "the amount is the baseline's",
                        }
                    ),
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::load_scenario_str;

    fn cautions_of(text: &str) -> Vec<String> {
        let loaded = load_scenario_str("s.toml", text, std::path::Path::new("."))
            .unwrap_or_else(|e| panic!("{e}"));
        cautions(&loaded.scenario)
            .into_iter()
            .map(|c| format!("{}: {}", c.field, c.message))
            .collect()
    }

    const TWO: &str = r#"
base = "default"
name = "c"
[[provider]]
name = "acute"
activity = ["outpatient", "ae", "elective", "non_elective", "nel_bed_days", "ambulance"]
[[provider]]
name = "community"
activity = ["gp", "community", "mental_health", "prescribing"]
"#;

    /// Shared savings against cost on a capitation (or a block) alone are warned of; against
    /// spend, or beside activity payments (Kinzigtal's fee-for-service, the prevention
    /// scenario's PbR), they are not, nor in years the capitation does not pay.
    #[test]
    fn savings_shared_on_top_of_a_set_budget_are_named() {
        let arm = |preset: &str, savings: &str| {
            format!(
                "base = \"default\"\nyears = 4\n[[arm]]\nname = \"x\"\npreset = \"{preset}\"\n\
                 [[arm.component]]\nkind = \"shared_savings\"\nprovider_share = 0.5\n{savings}"
            )
        };
        let warned = |text: &str| {
            cautions_of(text)
                .iter()
                .any(|c| c.contains("already leaves it every pound it saves"))
        };
        assert!(warned(&arm("capitation", "")));
        assert!(warned(&arm("block", "")));
        assert!(
            cautions_of(&arm("capitation", ""))[0]
                .starts_with("arm.x.component[0] (shared_savings)")
        );
        assert!(!warned(&arm("capitation", "against = \"spend\"\n")));
        assert!(!warned(&arm("pbr", "")));
        assert!(!warned(&arm("blended", "")));
        // A capitation in years 1-2 and shared savings in years 3-4, on activity payments.
        let moving = "base = \"default\"\nyears = 4\n[[arm]]\nname = \"x\"\n\
            [[arm.component]]\nkind = \"capitation\"\nto_year = 2\n\
            [[arm.component]]\nkind = \"activity\"\nfrom_year = 3\n\
            [[arm.component]]\nkind = \"shared_savings\"\nprovider_share = 0.5\nfrom_year = 3\n";
        assert!(!warned(moving), "{:?}", cautions_of(moving));
        // From year 2, it shares savings in a year the capitation alone pays.
        assert!(warned(&moving.replace(
            "provider_share = 0.5\nfrom_year = 3",
            "provider_share = 0.5\nfrom_year = 2"
        )));
    }

    /// Tiers replace the target's paying in full: an indicator whose tiers all pay part never
    /// pays its whole share, which is warned of; a tier paying in full silences it.
    #[test]
    fn tiers_that_never_pay_in_full_are_named() {
        let arm = |tiers: &str| {
            format!(
                "base = \"default\"\n[[arm]]\nname = \"o\"\n[[arm.component]]\nkind = \"outcome\"\n\
                 pool_share = 0.05\n[[arm.component.indicators]]\nindicator = \"ae_per_1000\"\n\
                 weight = 1.0\ntarget_vs_expected = 1.0\ntiers = {tiers}\n"
            )
        };
        assert_eq!(
            cautions_of(&arm("[{ at = 1.1, pays = 0.5 }]")),
            [
                "arm.o.component[0] (outcome).indicators[0].tiers: no tier pays in full, so even \
                 meeting the target pays 50% of this indicator's share; tiers replace the \
                 default, so add { at = 1.0, pays = 1.0 } if meeting the target should pay it all"
            ]
        );
        assert!(
            cautions_of(&arm("[{ at = 1.0, pays = 1.0 }, { at = 1.1, pays = 0.5 }]")).is_empty()
        );
    }

    /// A budget written in £m, or its growth in percent, is named; £2.3bn growing 3% is not.
    #[test]
    fn a_budget_in_pounds_millions_or_percent_is_named() {
        let budget = |first_year: &str, growth: &str| {
            cautions_of(&format!(
                "base = \"default\"\n[budget]\nfirst_year = {first_year}\ngrowth = {growth}\n"
            ))
        };
        assert_eq!(
            budget("2300", "1"),
            [
                "budget.first_year: a budget of £2300 for a year: budgets are in £, not £m or £k \
                 (2_300_000_000 for £2.3bn)",
                "budget.growth: a budget growing by 1 is 100% a year: growth is a share (0.03 for \
                 3%), not a number of percent"
            ]
        );
        assert!(budget("2.3e9", "0.03").is_empty());
    }

    #[test]
    fn a_provider_no_component_pays_is_named() {
        let text = format!(
            "{TWO}[[arm]]\nname = \"acute-only\"\n[[arm.component]]\nkind = \"activity\"\n\
             providers = [\"acute\"]\n"
        );
        assert_eq!(
            cautions_of(&text),
            [
                "arm.acute-only: no component pays provider \"community\" (each names other \
                 `providers` or judges another provider's activity): its income is 0 and its \
                 whole cost a loss"
            ]
        );
    }

    /// A per-unit payment goes to the provider delivering its indicator's activity alone: paying
    /// only another, it is never paid, and that provider may be paid by nothing else.
    #[test]
    fn an_incentive_only_another_could_earn_is_named() {
        let text = format!(
            "{TWO}[[arm]]\nname = \"a\"\n[[arm.component]]\nkind = \"activity\"\n\
             providers = [\"acute\"]\n[[arm.component]]\nkind = \"per_unit\"\n\
             providers = [\"community\"]\nindicator = \"non_elective_per_1000\"\n\
             target_vs_expected = 1.0\nrate = 100\n"
        );
        let found = cautions_of(&text);
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found[0].starts_with("arm.a: no component pays provider \"community\""));
        assert!(found[1].starts_with(
            "arm.a.component[1] (per_unit): none of the providers it pays (community) delivers \
             the activity \"non_elective_per_1000\" counts"
        ));
        // On the community's own activity, it is paid.
        assert!(
            cautions_of(&text.replace("non_elective_per_1000", "community_per_1000")).is_empty()
        );
    }

    /// A lead provider holds every indicator (docs/contracts.md, "Whose indicator"): a per-unit
    /// payment or quality deduction on another provider's activity is paid to it, not warned of
    /// as never paid.
    #[test]
    fn a_lead_earns_incentives_on_every_indicator() {
        let text = format!(
            "{TWO}[[arm]]\nname = \"led\"\nlead = \"community\"\n[[arm.component]]\n\
             kind = \"capitation\"\n[[arm.component]]\nkind = \"quality_deduction\"\n\
             indicator = \"ae_per_1000\"\nminimum_vs_expected = 0.5\ndeduction_share = 0.1\n\
             [[arm.component]]\nkind = \"per_unit\"\nindicator = \"ae_count\"\n\
             target_vs_expected = 1.0\nrate = 100\n"
        );
        assert_eq!(cautions_of(&text), Vec::<String>::new());
    }

    #[test]
    fn a_pool_judging_only_anothers_activity_is_named_and_its_cure_is_quiet() {
        let pool = "[[arm]]\nname = \"p\"\npreset = \"block\"\n[[arm.component]]\nkind = \
                    \"outcome\"\npool_share = 0.1\n";
        let target = "[[arm.component.indicators]]\nindicator = \"non_elective_per_1000\"\n\
                      weight = 1\ntarget_vs_expected = 1.0\n";
        let text = format!("{TWO}{pool}{target}");
        let found = cautions_of(&text);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].starts_with(
            "arm.p.component[0] (outcome): provider \"community\" delivers none of the activity"
        ));
        let named = format!("{TWO}{pool}providers = [\"acute\"]\n{target}");
        assert!(cautions_of(&named).is_empty());
        let shared = format!("{TWO}{pool}shared = true\n{target}");
        assert!(cautions_of(&shared).is_empty());
        // A population-wide target is everyone's.
        let deaths = text.replace("non_elective_per_1000", "deaths_per_1000");
        assert!(cautions_of(&deaths).is_empty());
    }

    #[test]
    fn enrolment_that_changes_nothing_and_a_clipped_measure_are_named() {
        let text = r#"
base = "default"
name = "c"
arm = []
[activity.types.elective.waiting_list]
initial = 100
[[measure]]
name = "m"
value = 2
max = 1
[[intervention]]
name = "theatres"
uptake = 0.5
effect.waiting_list_capacity = { elective = 1.1 }
"#;
        let found = cautions_of(text);
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found[0].starts_with("intervention.theatres.uptake: the programme enrols people"));
        assert!(found[0].ends_with(
            "leave `uptake` out, as a programme that only adds capacity, changes unit costs or costs a fixed sum may"
        ));
        assert!(found[1].starts_with("measure.m.value: its mean, 2, is outside its bounds"));
        assert!(
            cautions_of(
                &text
                    .replace("uptake = 0.5\n", "")
                    .replace("value = 2", "value = 0.5")
            )
            .is_empty()
        );
    }

    /// An intervention no arm runs is named; so are relative risks that read as percentages
    /// (90 for 90%, in a rate by type too), and a rate written as a fixed 1 changes nothing,
    /// as one left out does.
    #[test]
    fn an_intervention_nobody_runs_and_percentages_for_risks_are_named() {
        let text = r#"
base = "default"
name = "c"
[[arm]]
name = "a"
preset = "pbr"
interventions = ["used"]
[[intervention]]
name = "used"
uptake = 0.5
effect.onset = 90
effect.activity = { non_elective = 10 }
effect.unit_cost = { elective = 95 }
[[intervention]]
name = "spare"
uptake = 0.5
effect.onset = 0.9
"#;
        assert_eq!(
            cautions_of(text),
            [
                "intervention.spare: no arm runs this intervention, so it is not simulated; add \
                 interventions = [\"spare\"] to the arms that should run it",
                "intervention.used.effect.unit_cost.elective: a relative unit cost of 95 \
                 multiplies the status quo's cost per unit 95 times; effects are multiples of it \
                 (1 = no effect, 0.9 = 10% less, 1.1 = 10% more), not percentages",
                "intervention.used.effect.onset: a relative risk of 90 multiplies the status \
                 quo's rate 90 times; effects are multiples of it (1 = no effect, 0.9 = 10% \
                 less, 1.1 = 10% more), not percentages",
                "intervention.used.effect.activity.non_elective: a relative risk of 10 \
                 multiplies the status quo's rate 10 times; effects are multiples of it (1 = no \
                 effect, 0.9 = 10% less, 1.1 = 10% more), not percentages",
            ]
        );
        let neutral = text
            .replace("effect.onset = 90", "effect.onset = 1.0")
            .replace("non_elective = 10", "non_elective = 1.0")
            .replace("effect.unit_cost = { elective = 95 }\n", "")
            .replace(
                "interventions = [\"used\"]",
                "interventions = [\"used\", \"spare\"]",
            );
        assert_eq!(
            cautions_of(&neutral),
            [
                "intervention.used.uptake: the programme enrols people but changes nothing: no \
              effect, no shift and no cost"
            ]
        );
    }

    /// A programme on people with an uptake that can only be 0 is told it enrols nobody; one
    /// whose uptake is drawn and may be above 0 is not.
    #[test]
    fn an_uptake_of_nobody_is_told() {
        let text = r#"
base = "default"
[[arm]]
name = "a"
preset = "block"
interventions = ["p"]
[[intervention]]
name = "p"
uptake = 0
effect.onset = 0.9
"#;
        assert_eq!(
            cautions_of(text),
            [
                "intervention.p.uptake: an uptake of 0 enrols nobody, so the programme's effects \
                 on people never apply and every arm running it reports no change"
            ]
        );
        let drawn = text.replace(
            "uptake = 0\n",
            "uptake = { dist = \"uniform\", min = 0, max = 0.2 }\n",
        );
        assert!(cautions_of(&drawn).is_empty());
    }

    /// An integrator delivering no care, in an arm without a lead that shares savings out, is
    /// named (its share of the expected cost, and so of the savings, is 0); as the lead, or in
    /// an arm paying activity alone, it is not.
    #[test]
    fn a_provider_without_activity_sharing_savings_is_named() {
        let text = r#"
base = "default"
name = "c"
[[provider]]
name = "integrator"
activity = []
[[provider]]
name = "care"
activity = ["gp", "community", "mental_health", "outpatient", "ae", "elective", "non_elective", "nel_bed_days", "prescribing", "ambulance"]
[[arm]]
name = "fees"
preset = "pbr"
[[arm]]
name = "deal"
preset = "pbr"
[[arm.component]]
kind = "shared_savings"
provider_share = 0.5
"#;
        assert_eq!(
            cautions_of(text),
            [
                "arm.deal: provider \"integrator\" delivers no activity, and without a lead each \
              provider's share of a payment is its share of the expected cost: its share is 0; \
              if it should hold the contract and pay the others (an integrator), make it the \
              arm's lead (lead = \"integrator\")"
            ]
        );
        let led = text.replace(
            "name = \"deal\"\n",
            "name = \"deal\"\nlead = \"integrator\"\n",
        );
        assert!(cautions_of(&led).is_empty(), "{:?}", cautions_of(&led));
    }

    /// Three-year terms in a three-year run re-base only in the first year, on the baseline;
    /// a block from year 2 re-based on the year before is set on year 1's outturn.
    #[test]
    fn a_rebase_that_never_looks_back_far_enough_is_named() {
        let arm = |name: &str, component: &str| {
            format!(
                "[[arm]]\nname = \"{name}\"\n[[arm.component]]\nkind = \"fixed\"\n{component}\n"
            )
        };
        let text = format!(
            "base = \"default\"\nname = \"c\"\nyears = 3\n{}{}",
            arm("terms", "rebase = { every = 3 }"),
            arm("late", "from_year = 2\nrebase = { every = 3 }")
        );
        assert_eq!(
            cautions_of(&text),
            [
                "arm.terms.component[0] (fixed).rebase: no re-basing year within its contract \
                 years (1 to 3) has an outturn 1 year(s) before it: the amount is the \
                 baseline's throughout"
            ]
        );
    }

    /// A programme that only costs a fixed sum a year needs no uptake, and with none raises no
    /// caution.
    #[test]
    fn a_fixed_cost_alone_needs_no_uptake() {
        let text = "base = \"default\"\nname = \"c\"\narm = []\n[[intervention]]\nname = \"hub\"\n\
                    cost_per_year = 100000\n";
        assert!(cautions_of(text).is_empty());
        let with_uptake = text.replace("cost_per_year", "uptake = 0.5\ncost_per_year");
        assert_eq!(cautions_of(&with_uptake).len(), 1);
    }

    /// The shipped scenarios say what they mean.
    #[test]
    fn the_shipped_scenarios_raise_no_caution() {
        for entry in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios")).unwrap() {
            let path = entry.unwrap().path();
            let loaded = crate::scenario::load_scenario(Some(&path)).unwrap();
            let found = cautions(&loaded.scenario);
            assert!(found.is_empty(), "{}: {found:?}", path.display());
        }
    }
}
