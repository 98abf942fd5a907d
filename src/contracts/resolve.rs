//! Turning a validated scenario's providers and arms into contracts ready to settle: who holds
//! which contract for which activity, and each component's ledger column, activity types,
//! indicators and term sums.

use super::basis::{Basis, Scope};
use super::components::activity::pays_for;
use super::{Arm, Component, Contracts, Holder, Subcontractor};
use crate::activity::expected::CellExpectations;
use crate::ledger::{LedgerLayout, Role};
use crate::population::strata_group_mask;
use crate::scenario::contracts::{ComponentSpec, Settle, Subcontract};
use crate::scenario::indicator::IndicatorNames;
use crate::scenario::{Indicator, Scenario};

impl Contracts {
    /// Resolves the arms of a scenario that has passed validation, setting every contract on
    /// `basis`, on the expected activity of `baseline` (heads per covered cell), with risk
    /// weights averaged over the place's `mix` year by year ([`Scope::new`]), and on the
    /// covered heads the status quo expects each year, `projected`.
    pub fn resolve(
        scenario: &Scenario,
        type_names: &[String],
        basis: Basis,
        expected: &CellExpectations,
        baseline: &[f64],
        mix: &[Vec<f64>],
        projected: &[Vec<f64>],
    ) -> Contracts {
        let providers = scenario.providers();
        let provider_scopes: Vec<Vec<bool>> = providers
            .iter()
            .map(|p| type_names.iter().map(|t| p.activity.contains(t)).collect())
            .collect();
        let mut contracts = Contracts {
            parties: scenario.parties(),
            scopes: Vec::new(),
            arms: Vec::new(),
            columns: Vec::new(),
            basis,
            term_slots: 0,
            holder_slots: 0,
        };
        let scope_of_people =
            |in_scope: &Vec<bool>, people: Option<Vec<bool>>, scopes: &mut Vec<Scope>| -> usize {
                if let Some(i) = scopes
                    .iter()
                    .position(|s| &s.in_scope == in_scope && s.people == people)
                {
                    return i;
                }
                scopes.push(Scope::new(
                    in_scope.clone(),
                    people,
                    expected,
                    baseline,
                    mix,
                    projected,
                ));
                scopes.len() - 1
            };
        let scope_of = |in_scope: &Vec<bool>, scopes: &mut Vec<Scope>| -> usize {
            scope_of_people(in_scope, None, scopes)
        };
        let measures = scenario.measure_names();
        let names = IndicatorNames {
            types: type_names,
            measures: &measures,
        };
        for spec in &scenario.arm {
            let components: Vec<Component> = spec
                .components()
                .into_iter()
                .map(|(column, spec)| contracts.component(column, spec, names))
                .collect();
            let lead = spec.lead.as_ref().map(|l| {
                providers
                    .iter()
                    .position(|p| &p.name == l)
                    .expect("validated")
            });
            let (holders, subcontractors) = match lead {
                Some(l) => {
                    let everything = vec![true; type_names.len()];
                    let holder = Holder {
                        party: l + 1,
                        scope: scope_of(&everything, &mut contracts.scopes),
                        own_scope: scope_of(&provider_scopes[l], &mut contracts.scopes),
                        components: paying(&components, &providers[l].name),
                        slot: 0,
                    };
                    let subs = (0..providers.len())
                        .filter(|&p| p != l)
                        .map(|p| Subcontractor {
                            party: p + 1,
                            scope: scope_of(&provider_scopes[p], &mut contracts.scopes),
                            terms: spec.subcontract_terms(&providers[p].name),
                        })
                        .collect();
                    (vec![holder], subs)
                }
                None => {
                    let holders = (0..providers.len())
                        .map(|p| {
                            let scope = scope_of(&provider_scopes[p], &mut contracts.scopes);
                            Holder {
                                party: p + 1,
                                scope,
                                own_scope: scope,
                                components: paying(&components, &providers[p].name),
                                slot: 0,
                            }
                        })
                        .collect();
                    (holders, Vec::new())
                }
            };
            let result_columns = components
                .iter()
                .filter(|c| c.spec.settles_on_result())
                .map(|c| c.column)
                .collect();
            // Each type is delivered by one provider: a lead pays for it on that one's terms.
            let subcontract_by_type = (0..type_names.len())
                .map(|t| {
                    subcontractors
                        .iter()
                        .find(|s: &&Subcontractor| contracts.scopes[s.scope].in_scope[t])
                        .map_or(Subcontract::default(), |s| s.terms)
                })
                .collect();
            let mut holders = holders;
            // Each component pays for its holder's scope, or for the same activity of some
            // people alone.
            for h in &mut holders {
                let in_scope = contracts.scopes[h.scope].in_scope.clone();
                for c in &mut h.components {
                    c.scope = match c.spec.people() {
                        Some(people) => scope_of_people(
                            &in_scope,
                            Some(strata_group_mask(&people)),
                            &mut contracts.scopes,
                        ),
                        None => h.scope,
                    };
                }
            }
            contracts.assign_indicators(&mut holders);
            contracts.arms.push(Arm {
                name: spec.name.clone(),
                holders,
                subcontractors,
                subcontract_by_type,
                pass_through: spec.pass_through,
                result_columns,
            });
        }
        contracts.number_term_sums();
        contracts
    }

    /// A component with its ledger column (shared by every arm that names it alike).
    fn component(
        &mut self,
        column: String,
        spec: ComponentSpec,
        names: IndicatorNames,
    ) -> Component {
        let types = names.types;
        let column = match self.columns.iter().position(|c| *c == column) {
            Some(c) => c,
            None => {
                self.columns.push(column);
                self.columns.len() - 1
            }
        };
        let type_index = |t: &String| types.iter().position(|x| x == t).expect("validated");
        let indicator = |name: &str| Indicator::parse(name, names).expect("validated");
        let (activity_types, indicators) = match &spec {
            ComponentSpec::Activity(c) => (
                c.types
                    .as_ref()
                    .map(|list| list.iter().map(type_index).collect()),
                Vec::new(),
            ),
            ComponentSpec::Outcome(c) => (
                None,
                c.indicators
                    .iter()
                    .map(|t| indicator(&t.indicator))
                    .collect(),
            ),
            ComponentSpec::PerUnit(c) => (None, vec![indicator(&c.indicator)]),
            ComponentSpec::QualityDeduction(c) => (None, vec![indicator(&c.indicator)]),
            _ => (None, Vec::new()),
        };
        // A result component settled over the term keeps running sums (`TermSum`); an
        // incentive settled so reads its years' indicators from the holder's outturns.
        let settles_over_term = spec.settles_on_result() && spec.settle() == Settle::Term;
        Component {
            spec,
            column,
            // Set per holder once the holders are known.
            scope: 0,
            types: activity_types,
            indicators,
            // Numbered once every arm is resolved.
            term_slot: settles_over_term.then_some(0),
            // Set per holder once the holders are known.
            owned: Vec::new(),
            shared_amount: 1.0,
        }
    }

    /// Gives each holder's components their indicators' ownership and the holder's share of
    /// amounts set in £: its share, among the holders the component pays, of the expected cost
    /// of what the component covers (an activity component's types, otherwise the holder's
    /// whole scope). One holder gets all.
    fn assign_indicators(&self, holders: &mut [Holder]) {
        let mut columns: Vec<usize> = holders
            .iter()
            .flat_map(|h| h.components.iter().map(|c| c.column))
            .collect();
        columns.sort_unstable();
        columns.dedup();
        for column in columns {
            let covered: Vec<Option<f64>> = holders
                .iter()
                .map(|h| {
                    let component = h.components.iter().find(|c| c.column == column)?;
                    let scope = &self.scopes[component.scope];
                    if !matches!(component.spec, ComponentSpec::Activity(_)) {
                        return Some(scope.expected_cost);
                    }
                    let types = component.types.as_deref();
                    Some(
                        (0..scope.in_scope.len())
                            .filter(|&t| pays_for(types, &scope.in_scope, t))
                            .map(|t| scope.expected_cost_by_type[t])
                            .sum(),
                    )
                })
                .collect();
            let total: f64 = covered.iter().flatten().sum();
            let paid = covered.iter().flatten().count();
            for (h, e) in holders.iter_mut().zip(&covered) {
                let Some(e) = e else { continue };
                let in_scope = &self.scopes[h.scope].in_scope;
                let component = h
                    .components
                    .iter_mut()
                    .find(|c| c.column == column)
                    .expect("found above");
                let shared = matches!(&component.spec, ComponentSpec::Outcome(pool) if pool.shared);
                component.owned = component
                    .indicators
                    .iter()
                    .map(|i| shared || i.activity_type().is_none_or(|t| in_scope[t]))
                    .collect();
                component.shared_amount = if total > 0.0 {
                    e / total
                } else {
                    1.0 / paid as f64
                };
            }
        }
    }

    /// Gives each component settled over the term its own running sum, and each holder its
    /// place for the year before.
    fn number_term_sums(&mut self) {
        let mut slot = 0;
        let mut holder_slot = 0;
        for arm in &mut self.arms {
            for h in &mut arm.holders {
                h.slot = holder_slot;
                holder_slot += 1;
                for c in &mut h.components {
                    if c.term_slot.is_some() {
                        c.term_slot = Some(slot);
                        slot += 1;
                    }
                }
            }
        }
        self.term_slots = slot;
        self.holder_slots = holder_slot;
    }

    /// The names behind the ledger's indices; `worlds` names each arm's world.
    pub fn layout(&self, worlds: Vec<String>) -> LedgerLayout {
        let roles = self
            .arms
            .iter()
            .map(|arm| {
                (0..self.parties.len())
                    .map(|party| {
                        if party == 0 {
                            Role::Commissioner
                        } else if arm.subcontractors.iter().any(|s| s.party == party) {
                            Role::Subcontractor
                        } else if !arm.subcontractors.is_empty() {
                            Role::LeadProvider
                        } else {
                            Role::Provider
                        }
                    })
                    .collect()
            })
            .collect();
        LedgerLayout {
            arms: self.arms.iter().map(|a| a.name.clone()).collect(),
            worlds,
            parties: self.parties.clone(),
            columns: self.columns.clone(),
            roles,
        }
    }
}

/// The arm's `components` that pay provider `name` ([`ComponentSpec::pays_provider`]).
fn paying(components: &[Component], name: &str) -> Vec<Component> {
    components
        .iter()
        .filter(|c| c.spec.pays_provider(name))
        .cloned()
        .collect()
}
