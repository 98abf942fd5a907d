//! Contracts: turning a simulated year into transfers between the commissioner and providers.
//!
//! An arm is a list of components ([`spec::ComponentSpec`]), optionally starting from a preset
//! ([`presets`]). Each provider holds the arm's contract for the activity it delivers, or a lead
//! provider holds it for everything and pays the others ([`spec::Subcontract`]). Every component
//! is a pure function of the holder's year ([`components`]); [`Contracts::settle_year`] applies
//! them in order (risk shares and shared savings last, on the result of the rest) and writes
//! ledger rows in which every transfer is the commissioner's spend once and a provider's income
//! once.

pub mod components;
pub mod indicators;
pub mod presets;
pub mod spec;

use crate::error::{InputError, Problems};
use components::HolderYear;
use spec::*;

/// A set of activity types held together, with the baseline figures contracts are set on.
#[derive(Debug, Clone)]
pub struct Scope {
    pub in_scope: Vec<bool>,
    /// Risk weights per cell (age-sex and full), averaging 1 over the baseline population.
    pub weights_age_sex: Vec<f64>,
    pub weights_full: Vec<f64>,
    /// Expected cost of the scope's activity in the baseline year.
    pub expected_cost: f64,
    /// Expected baseline-year count per type (zero outside the scope).
    pub expected_count: Vec<f64>,
    pub baseline_heads: f64,
}

/// A component ready to settle.
#[derive(Debug, Clone)]
pub struct Component {
    pub spec: ComponentSpec,
    /// Ledger column the amount goes to.
    pub column: usize,
    /// Activity type filter (activity components).
    pub types: Option<Vec<usize>>,
    /// Indicator indices (outcome targets; per-unit and quality use the first).
    pub indicators: Vec<usize>,
    /// Slot in the term accumulator (risk share and shared savings settled over the term).
    pub accumulator: Option<usize>,
}

#[derive(Debug, Clone)]
pub struct Holder {
    /// Party index (0 is the commissioner).
    pub party: usize,
    /// Activity the contract covers (everything, for a lead provider).
    pub scope: usize,
    /// Activity the holder delivers itself.
    pub own_scope: usize,
    pub components: Vec<Component>,
}

#[derive(Debug, Clone)]
pub struct Arm {
    pub name: String,
    pub holders: Vec<Holder>,
    /// With a lead provider: (party, scope) of each subcontractor.
    pub subcontractors: Vec<(usize, usize)>,
    pub subcontract: Subcontract,
}

/// Everything the contracts need, resolved once per scenario.
#[derive(Debug, Clone)]
pub struct Contracts {
    /// Party names; 0 is the commissioner.
    pub parties: Vec<String>,
    pub scopes: Vec<Scope>,
    pub arms: Vec<Arm>,
    /// Ledger component columns.
    pub columns: Vec<String>,
    pub indicator_names: Vec<String>,
    pub expected_indicators: Vec<f64>,
    /// Growth of expected cost per head per year (demand trend × cost inflation, at their means).
    pub expected_growth: f64,
    /// Growth of activity per head per year (the demand trend at its mean).
    pub expected_trend: f64,
    pub accumulators: usize,
}

/// What the scenario knows that the contracts are built from.
pub struct BuildInputs<'a> {
    pub file: &'a str,
    pub type_names: &'a [String],
    pub providers: &'a [ProviderSpec],
    pub arms: &'a [ArmSpec],
    /// Expected cost per cell and type in the baseline year (cells × types).
    pub expected_cost_cell: &'a [f64],
    /// Expected count per cell and type in the baseline year.
    pub expected_count_cell: &'a [f64],
    /// Baseline head counts per cell (covered cells only).
    pub baseline: &'a [f64],
    pub expected_indicators: Vec<f64>,
    pub expected_growth: f64,
    pub expected_trend: f64,
}

fn share_ok(problems: &mut Problems, path: &str, field: &str, v: f64) {
    if !(0.0..=1.0).contains(&v) {
        problems.push(
            format!("{path}.{field}"),
            format!("expected a share between 0 and 1, found {v}"),
        );
    }
}

impl Contracts {
    pub fn build(inputs: BuildInputs) -> Result<Contracts, InputError> {
        let mut problems = Problems::new(inputs.file);
        let nt = inputs.type_names.len();
        let type_index = |name: &str| inputs.type_names.iter().position(|t| t == name);

        // Providers: every type delivered by exactly one.
        let default_provider = [ProviderSpec {
            name: "provider".into(),
            activity: inputs.type_names.to_vec(),
        }];
        let providers: &[ProviderSpec] = if inputs.providers.is_empty() {
            &default_provider
        } else {
            inputs.providers
        };
        let mut owner: Vec<Option<usize>> = vec![None; nt];
        let mut provider_scopes: Vec<Vec<bool>> = Vec::new();
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
            let mut scope = vec![false; nt];
            for t in &prov.activity {
                match type_index(t) {
                    None => problems.push(
                        format!("{path}.activity"),
                        format!(
                            "unknown activity type \"{t}\"; expected one of: {}",
                            inputs.type_names.join(", ")
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
                        scope[i] = true;
                    }
                }
            }
            provider_scopes.push(scope);
        }
        for (i, o) in owner.iter().enumerate() {
            if o.is_none() {
                problems.push(
                    "provider",
                    format!(
                        "activity type \"{}\" is delivered by no provider",
                        inputs.type_names[i]
                    ),
                );
            }
        }
        let indicator_names = indicators::names(inputs.type_names);

        let mut contracts = Contracts {
            parties: std::iter::once("commissioner".to_string())
                .chain(providers.iter().map(|p| p.name.clone()))
                .collect(),
            scopes: Vec::new(),
            arms: Vec::new(),
            columns: Vec::new(),
            indicator_names: indicator_names.clone(),
            expected_indicators: inputs.expected_indicators.clone(),
            expected_growth: inputs.expected_growth,
            expected_trend: inputs.expected_trend,
            accumulators: 0,
        };
        let scope_of = |in_scope: Vec<bool>, contracts: &mut Contracts| -> usize {
            if let Some(i) = contracts.scopes.iter().position(|s| s.in_scope == in_scope) {
                return i;
            }
            contracts.scopes.push(build_scope(in_scope, &inputs));
            contracts.scopes.len() - 1
        };

        for (a, arm) in inputs.arms.iter().enumerate() {
            let arm_path = format!(
                "arm.{}",
                if arm.name.is_empty() {
                    a.to_string()
                } else {
                    arm.name.clone()
                }
            );
            if arm.name.trim().is_empty() || inputs.arms[..a].iter().any(|b| b.name == arm.name) {
                problems.push(&arm_path, "expected a unique, non-empty arm name");
            }
            let mut specs = arm.preset.map(presets::components).unwrap_or_default();
            specs.extend(arm.component.iter().cloned());
            if specs.is_empty() {
                problems.push(&arm_path, "expected a preset or at least one component");
            }
            let mut components = Vec::new();
            let mut names_in_arm: Vec<String> = Vec::new();
            for (k, spec) in specs.into_iter().enumerate() {
                let path = format!("{arm_path}.component[{k}] ({})", spec.kind());
                let mut name = spec.custom_name().unwrap_or(spec.kind()).to_string();
                let mut n = 2;
                while names_in_arm.contains(&name) {
                    name = format!("{}_{n}", spec.custom_name().unwrap_or(spec.kind()));
                    n += 1;
                }
                names_in_arm.push(name.clone());
                let column = match contracts.columns.iter().position(|c| *c == name) {
                    Some(c) => c,
                    None => {
                        contracts.columns.push(name);
                        contracts.columns.len() - 1
                    }
                };
                let (types, indicators_used) =
                    check_component(&spec, &path, &mut problems, &type_index, &indicator_names);
                // Settled over the term: gets a slot in the accumulator (numbered below).
                let settles_over_term = match &spec {
                    ComponentSpec::RiskShare(r) => r.settle == Settle::Term,
                    ComponentSpec::SharedSavings(s) => s.settle == Settle::Term,
                    _ => false,
                };
                let accumulator = settles_over_term.then_some(0);
                components.push(Component {
                    spec,
                    column,
                    types,
                    indicators: indicators_used,
                    accumulator,
                });
            }
            let (holders, subcontractors) = match &arm.lead {
                Some(lead) => match providers.iter().position(|p| &p.name == lead) {
                    None => {
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
                        (Vec::new(), Vec::new())
                    }
                    Some(l) => {
                        let all = scope_of(vec![true; nt], &mut contracts);
                        let own = scope_of(provider_scopes[l].clone(), &mut contracts);
                        let subs = (0..providers.len())
                            .filter(|&p| p != l)
                            .map(|p| (p + 1, scope_of(provider_scopes[p].clone(), &mut contracts)))
                            .collect();
                        (
                            vec![Holder {
                                party: l + 1,
                                scope: all,
                                own_scope: own,
                                components: components.clone(),
                            }],
                            subs,
                        )
                    }
                },
                None => (
                    (0..providers.len())
                        .map(|p| {
                            let scope = scope_of(provider_scopes[p].clone(), &mut contracts);
                            Holder {
                                party: p + 1,
                                scope,
                                own_scope: scope,
                                components: components.clone(),
                            }
                        })
                        .collect(),
                    Vec::new(),
                ),
            };
            contracts.arms.push(Arm {
                name: arm.name.clone(),
                holders,
                subcontractors,
                subcontract: arm.subcontract,
            });
        }
        // Term accumulators: three sums (income, cost, benchmark) per component that needs one.
        let mut slot = 0;
        for arm in &mut contracts.arms {
            for h in &mut arm.holders {
                for c in &mut h.components {
                    if c.accumulator.is_some() {
                        c.accumulator = Some(slot);
                        slot += 3;
                    }
                }
            }
        }
        contracts.accumulators = slot;
        problems.into_result().map(|_| contracts)
    }
}

/// One year of the world, as the contracts see it.
#[derive(Debug, Clone, Copy)]
pub struct WorldYear<'a> {
    /// 0-based year of the simulation.
    pub year: u32,
    pub last_year: bool,
    /// Per activity type: count, cost, and price per unit in the first year's prices.
    pub count: &'a [f64],
    pub cost: &'a [f64],
    pub price: &'a [f64],
    pub price_index: f64,
    /// Per scope: Σ heads × weight for none / age_sex / full adjustment.
    pub weighted_heads: &'a [[f64; 3]],
    /// The same per scope and reporting group (scopes × groups).
    pub group_weighted: &'a [[f64; 3]],
    /// Per reporting group and type (groups × types): cost, and count × price (first year's prices).
    pub group_cost: &'a [f64],
    pub group_count: &'a [f64],
    pub indicators: &'a [f64],
}

/// Where a component's money goes, by reporting group: activity payments follow the activity,
/// capitation follows the (weighted) heads, everything else follows expected cost.
fn allocate(
    spec: &ComponentSpec,
    amount: f64,
    scope: &Scope,
    scope_groups: &[[f64; 3]],
    w: &WorldYear,
    income: &mut [f64],
) {
    if amount == 0.0 {
        return;
    }
    let nt = w.price.len();
    let share = |g: usize| -> f64 {
        match spec {
            ComponentSpec::Activity(_) => (0..nt)
                .filter(|&t| scope.in_scope[t])
                .map(|t| w.group_count[g * nt + t] * w.price[t])
                .sum(),
            ComponentSpec::Capitation(c) => {
                let k = match c.risk_adjustment {
                    RiskAdjustment::None => 0,
                    RiskAdjustment::AgeSex => 1,
                    RiskAdjustment::Full => 2,
                };
                scope_groups[g][k]
            }
            _ => scope_groups[g][2],
        }
    };
    let weights: Vec<f64> = (0..income.len()).map(share).collect();
    let total: f64 = weights.iter().sum();
    if total > 0.0 {
        for (x, wt) in income.iter_mut().zip(&weights) {
            *x += amount * wt / total;
        }
    }
}

/// One ledger row: a party's account in one arm and year.
#[derive(Debug, Clone, PartialEq)]
pub struct LedgerRow {
    pub year: u32,
    pub arm: usize,
    pub party: usize,
    /// Received from the commissioner and, for a subcontractor, from the lead provider.
    pub income: f64,
    /// Care delivered, plus payments to subcontractors; for the commissioner, its spend.
    pub cost: f64,
    /// Net subcontract flow: negative for the lead provider, positive for subcontractors.
    pub subcontract: f64,
    /// Amount per component column (paid by the commissioner, received by the holder).
    pub components: Vec<f64>,
}

impl LedgerRow {
    pub fn surplus(&self) -> f64 {
        self.income - self.cost
    }
}

impl Contracts {
    /// Expected indicator values in year `year` (0-based): activity rates per head rise with the
    /// demand trend, spend per head with demand and cost inflation; counts and deaths stay at
    /// the baseline year's. Targets written `*_vs_expected` are relative to these.
    pub fn expected_indicators_in(&self, year: u32) -> Vec<f64> {
        let demand = (1.0 + self.expected_trend).powi(year as i32);
        let cost = (1.0 + self.expected_growth).powi(year as i32);
        self.indicator_names
            .iter()
            .zip(&self.expected_indicators)
            .map(|(name, &v)| {
                if name == "spend_per_head" {
                    v * cost
                } else if name.ends_with("_per_1000")
                    && !name.starts_with("deaths")
                    && !name.starts_with("onsets")
                {
                    v * demand
                } else {
                    v
                }
            })
            .collect()
    }
}

fn scope_sum(values: &[f64], in_scope: &[bool]) -> f64 {
    values
        .iter()
        .zip(in_scope)
        .filter(|(_, s)| **s)
        .map(|(v, _)| v)
        .sum()
}

impl Contracts {
    /// Settles every arm on one year of the world, appending ledger rows. `acc` holds the
    /// sums of components settled over the whole term (zeroed at the start of a replication).
    ///
    /// `equity` (arms × groups × [income, cost, heads]) accumulates each arm's payments, care
    /// cost and head count by reporting group: where a provider would gain by selecting patients.
    pub fn settle_year(
        &self,
        w: &WorldYear,
        acc: &mut [f64],
        rows: &mut Vec<LedgerRow>,
        equity: &mut [f64],
    ) {
        let groups = crate::population::GROUPS;
        let nt = w.price.len();
        let nc = self.columns.len();
        let value: Vec<f64> = w
            .count
            .iter()
            .zip(w.price)
            .map(|(c, p)| c * p * w.price_index)
            .collect();
        let expected_indicators = self.expected_indicators_in(w.year);
        for (a, arm) in self.arms.iter().enumerate() {
            let mut group_income = vec![0.0; groups];
            let mut commissioner = LedgerRow {
                year: w.year + 1,
                arm: a,
                party: 0,
                income: 0.0,
                cost: 0.0,
                subcontract: 0.0,
                components: vec![0.0; nc],
            };
            for h in &arm.holders {
                let scope = &self.scopes[h.scope];
                let own_cost = scope_sum(w.cost, &self.scopes[h.own_scope].in_scope);
                let mut paid_to_subs = 0.0;
                for &(party, s) in &arm.subcontractors {
                    let sub = &self.scopes[s];
                    let pay = match arm.subcontract {
                        Subcontract::Tariff => scope_sum(&value, &sub.in_scope),
                        Subcontract::Cost => scope_sum(w.cost, &sub.in_scope),
                    };
                    paid_to_subs += pay;
                    let sub_cost = scope_sum(w.cost, &sub.in_scope);
                    rows.push(LedgerRow {
                        year: w.year + 1,
                        arm: a,
                        party,
                        income: pay,
                        cost: sub_cost,
                        subcontract: pay,
                        components: vec![0.0; nc],
                    });
                }
                let heads = w.weighted_heads[h.scope];
                // Planned volume this year: the baseline's expected volume on trend, for the
                // head count actually covered.
                let volume_index = if scope.baseline_heads > 0.0 {
                    heads[0] / scope.baseline_heads
                } else {
                    0.0
                } * (1.0 + self.expected_trend).powi(w.year as i32);
                let expected_count: Vec<f64> = scope
                    .expected_count
                    .iter()
                    .map(|c| c * volume_index)
                    .collect();
                let growth = (1.0 + self.expected_growth).powi(w.year as i32);
                let trend_index = growth;
                let benchmark = if scope.baseline_heads > 0.0 {
                    scope.expected_cost * heads[2] / scope.baseline_heads * growth
                } else {
                    0.0
                };
                let y = HolderYear {
                    expected_cost: scope.expected_cost,
                    baseline_heads: scope.baseline_heads,
                    price_index: w.price_index,
                    cost: own_cost + paid_to_subs,
                    count: w.count,
                    price: w.price,
                    expected_count: &expected_count,
                    in_scope: &scope.in_scope,
                    weighted_heads: heads,
                    benchmark,
                    trend_index,
                    indicators: w.indicators,
                    expected_indicators: &expected_indicators,
                };
                let mut row = LedgerRow {
                    year: w.year + 1,
                    arm: a,
                    party: h.party,
                    income: 0.0,
                    cost: y.cost,
                    subcontract: -paid_to_subs,
                    components: vec![0.0; nc],
                };
                let scope_groups = &w.group_weighted[h.scope * groups..(h.scope + 1) * groups];
                // Books a component's amount in the holder's row and by reporting group.
                let record =
                    |row: &mut LedgerRow, group_income: &mut [f64], c: &Component, amount: f64| {
                        row.components[c.column] += amount;
                        row.income += amount;
                        allocate(&c.spec, amount, scope, scope_groups, w, group_income);
                    };
                // Everything but risk shares and shared savings first: those settle on the result.
                for c in h.components.iter().filter(|c| !c.spec.settles_on_result()) {
                    let amount = match &c.spec {
                        ComponentSpec::Fixed(s) => components::fixed(s, &y),
                        ComponentSpec::Activity(s) => {
                            components::activity(s, c.types.as_deref(), &y)
                        }
                        ComponentSpec::Capitation(s) => components::capitation(s, &y),
                        ComponentSpec::Outcome(s) => components::outcome(s, &c.indicators, &y),
                        ComponentSpec::PerUnit(s) => components::per_unit(s, c.indicators[0], &y),
                        ComponentSpec::QualityDeduction(s) => {
                            components::quality_deduction(s, c.indicators[0], &y)
                        }
                        ComponentSpec::RiskShare(_) | ComponentSpec::SharedSavings(_) => {
                            unreachable!()
                        }
                    };
                    record(&mut row, &mut group_income, c, amount);
                }
                for c in h.components.iter().filter(|c| c.spec.settles_on_result()) {
                    let (income, cost, bench) = match c.accumulator {
                        None => (row.income, y.cost, benchmark),
                        Some(slot) => {
                            acc[slot] += row.income;
                            acc[slot + 1] += y.cost;
                            acc[slot + 2] += benchmark;
                            if !w.last_year {
                                continue;
                            }
                            (acc[slot], acc[slot + 1], acc[slot + 2])
                        }
                    };
                    let amount = match &c.spec {
                        ComponentSpec::RiskShare(s) => {
                            components::risk_share(s, income, cost, bench)
                        }
                        ComponentSpec::SharedSavings(s) => {
                            components::shared_savings(s, cost, bench * s.benchmark_vs_expected)
                        }
                        _ => unreachable!(),
                    };
                    record(&mut row, &mut group_income, c, amount);
                }
                for (total, x) in commissioner.components.iter_mut().zip(&row.components) {
                    *total += x;
                }
                commissioner.cost += row.income;
                rows.push(row);
            }
            rows.push(commissioner);
            let eq = &mut equity[a * groups * 3..(a + 1) * groups * 3];
            for g in 0..groups {
                eq[g * 3] += group_income[g];
                eq[g * 3 + 1] += (0..nt).map(|t| w.group_cost[g * nt + t]).sum::<f64>();
                // Every scope sees the same heads; take the first.
                eq[g * 3 + 2] += w.group_weighted[g][0];
            }
        }
    }
}

fn build_scope(in_scope: Vec<bool>, inputs: &BuildInputs) -> Scope {
    let nt = in_scope.len();
    let cells = inputs.baseline.len();
    let cell_cost: Vec<f64> = (0..cells)
        .map(|c| {
            (0..nt)
                .filter(|&t| in_scope[t])
                .map(|t| inputs.expected_cost_cell[c * nt + t])
                .sum()
        })
        .collect();
    let heads: f64 = inputs.baseline.iter().sum();
    let expected_cost: f64 = inputs
        .baseline
        .iter()
        .zip(&cell_cost)
        .map(|(n, e)| n * e)
        .sum();
    let mean = if heads > 0.0 {
        expected_cost / heads
    } else {
        0.0
    };
    let norm = |x: f64| if mean > 0.0 { x / mean } else { 1.0 };
    let weights_full: Vec<f64> = cell_cost.iter().map(|&e| norm(e)).collect();
    // Age-sex weights: the baseline population's expected cost per head within each age-sex group.
    let per_age_sex = cells / (crate::population::AGES * crate::population::SEXES);
    let mut weights_age_sex = vec![1.0; cells];
    for g in 0..cells / per_age_sex {
        let range = g * per_age_sex..(g + 1) * per_age_sex;
        let n: f64 = inputs.baseline[range.clone()].iter().sum();
        let cost: f64 = range
            .clone()
            .map(|c| inputs.baseline[c] * cell_cost[c])
            .sum();
        // A group absent from the baseline gets England's structure's weight via its cells' mean.
        let w = if n > 0.0 {
            norm(cost / n)
        } else {
            norm(cell_cost[range.clone()].iter().sum::<f64>() / per_age_sex as f64)
        };
        weights_age_sex[range].iter_mut().for_each(|x| *x = w);
    }
    let expected_count = (0..nt)
        .map(|t| {
            if in_scope[t] {
                (0..cells)
                    .map(|c| inputs.baseline[c] * inputs.expected_count_cell[c * nt + t])
                    .sum()
            } else {
                0.0
            }
        })
        .collect();
    Scope {
        in_scope,
        weights_age_sex,
        weights_full,
        expected_cost,
        expected_count,
        baseline_heads: heads,
    }
}

type TypeIndex<'a> = dyn Fn(&str) -> Option<usize> + 'a;

/// Validates one component; returns its resolved activity types and indicators.
fn check_component(
    spec: &ComponentSpec,
    path: &str,
    problems: &mut Problems,
    type_index: &TypeIndex,
    indicator_names: &[String],
) -> (Option<Vec<usize>>, Vec<usize>) {
    let indicator = |problems: &mut Problems, field: &str, name: &str| -> usize {
        match indicator_names.iter().position(|n| n == name) {
            Some(i) => i,
            None => {
                problems.push(
                    format!("{path}.{field}"),
                    format!(
                        "unknown indicator \"{name}\"; expected one of: {}",
                        indicator_names.join(", ")
                    ),
                );
                0
            }
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
            (None, Vec::new())
        }
        ComponentSpec::Activity(c) => {
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
            let types = c.types.as_ref().map(|list| {
                list.iter()
                    .filter_map(|t| {
                        let i = type_index(t);
                        if i.is_none() {
                            problems.push(
                                format!("{path}.types"),
                                format!("unknown activity type \"{t}\""),
                            );
                        }
                        i
                    })
                    .collect()
            });
            (types, Vec::new())
        }
        ComponentSpec::Capitation(c) => {
            if c.per_head.is_some_and(|p| p < 0.0) {
                problems.push(format!("{path}.per_head"), "expected £ per head >= 0");
            }
            (None, Vec::new())
        }
        ComponentSpec::Outcome(c) => {
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
            let ids = c
                .indicators
                .iter()
                .enumerate()
                .map(|(i, t)| {
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
                    indicator(problems, &format!("{field}.indicator"), &t.indicator)
                })
                .collect();
            (None, ids)
        }
        ComponentSpec::PerUnit(c) => {
            one_of(
                problems,
                c.target,
                c.target_vs_expected,
                "`target` or `target_vs_expected`",
            );
            if c.cap.is_some_and(|x| x < 0.0) {
                problems.push(format!("{path}.cap"), "expected a cap >= 0");
            }
            (None, vec![indicator(problems, "indicator", &c.indicator)])
        }
        ComponentSpec::QualityDeduction(c) => {
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
            (None, vec![indicator(problems, "indicator", &c.indicator)])
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
            (None, Vec::new())
        }
        ComponentSpec::SharedSavings(c) => {
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
            (None, Vec::new())
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
