//! Settling a year: every arm's components applied to the world's year, booked in the ledger.

use super::components::{self, HolderYear, Outturn};
use super::equity;
use super::heads::WeightedHeads;
use super::indicators::{NO_VALUE, has_value};
use super::{Arm, Component, Contracts, Holder, Scope, WorldYear};
use crate::ledger::{EquityCell, LedgerRow};
use crate::population::GROUPS;
use crate::scenario::Indicator;
use crate::scenario::contracts::{
    Basis as CorridorBasis, BenchmarkTrend, ComponentSpec, RiskAdjustment, SavingsAgainst, Settle,
    SharedSavingsSpec, Subcontract, Weights,
};

/// Running sums of a component settled over the whole term.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct TermSum {
    /// What the holder's components settled on the year's figures paid, incentive payments
    /// counted at what the year expected of the holder would earn: the spend shared savings
    /// `against = "spend"` measure, so that neither a missed incentive nor a payment settled
    /// on the result counts as spend saved or overrun.
    pub spend: f64,
    /// The same with the result components settled before this one, as paid: what a corridor
    /// on the result is set on.
    pub planned: f64,
    /// The holder's cost of care.
    pub cost: f64,
    /// Expected cost on trend of the people covered.
    pub benchmark: f64,
}

impl TermSum {
    /// The two sums added: a term's years, or a pool's members.
    fn plus(&self, other: &TermSum) -> TermSum {
        TermSum {
            spend: self.spend + other.spend,
            planned: self.planned + other.planned,
            cost: self.cost + other.cost,
            benchmark: self.benchmark + other.benchmark,
        }
    }
}

/// A holder's account while its arm's year is settled ([`Contracts::open_holder`]): its row,
/// the inputs of its year, and what the components settled so far paid and planned.
struct OpenHolder<'h> {
    h: &'h Holder,
    row: LedgerRow,
    /// Its subcontractors' rows this year.
    subs: std::ops::Range<usize>,
    /// Its cost of care and what it paid its subcontractors.
    cost: f64,
    heads: WeightedHeads,
    growth_index: f64,
    realised_cost: f64,
    expected_count: Vec<f64>,
    count_per_weighted_head: Vec<f64>,
    indicators: Vec<f64>,
    expected_indicators: Vec<f64>,
    /// Its earlier years in this world ([`TermSums`]).
    outturns: Vec<Outturn>,
    /// What its components settled on the year's figures planned ([`TermSum::spend`]), and
    /// with the result components so far ([`TermSum::planned`]).
    spend: f64,
    planned: f64,
    /// What a lead passes on to its subcontractors: of the amounts paid, and as planned.
    passed: f64,
    passed_as_planned: f64,
    /// The cost a re-based benchmark is set on ([`Outturn::measured_cost`]).
    measured_cost: f64,
    /// The care of the people its components paying for some people alone pay for, one per
    /// such scope ([`Component::scope`]).
    people: Vec<PeopleYear>,
}

/// Some people's care within a holder's scope this year, as a component paying for it alone
/// sees it ([`Component::scope`]): their activity and cost, their heads, and what was planned
/// of them.
struct PeopleYear {
    scope: usize,
    count: Vec<f64>,
    cost: f64,
    heads: WeightedHeads,
    expected_count: Vec<f64>,
    count_per_weighted_head: Vec<f64>,
}

impl OpenHolder<'_> {
    /// The holder's year, as its components see it.
    fn year<'a>(
        &'a self,
        scope: &'a Scope,
        w: &WorldYear<'a>,
        realised_trend: &'a [f64],
    ) -> HolderYear<'a> {
        HolderYear {
            expected_cost: scope.expected_cost,
            baseline_heads: scope.baseline_heads,
            price_index: w.price_index,
            cost: self.cost,
            expected_cost_per_head: scope.expected_cost_per_head_in(w.year),
            count: w.count,
            price: w.price,
            expected_count: &self.expected_count,
            count_per_weighted_head: &self.count_per_weighted_head,
            in_scope: &scope.in_scope,
            weighted_heads: self.heads,
            growth_index: self.growth_index,
            realised_trend,
            realised_cost: self.realised_cost,
            indicators: &self.indicators,
            expected_indicators: &self.expected_indicators,
            // The year before: the first year's own expectation when there is none simulated.
            previous_indicators: self
                .outturns
                .last()
                .map_or(self.expected_indicators.as_slice(), |o| {
                    o.indicators.as_slice()
                }),
            contract_year: w.year + 1,
            last_year: w.last_year,
            outturns: &self.outturns,
        }
    }

    /// The year as component `c` sees it: the holder's, or for a component paying for some
    /// people's care, the same year with their activity, cost, heads and plan alone.
    fn year_of<'a>(
        &'a self,
        c: &Component,
        scopes: &'a [Scope],
        w: &WorldYear<'a>,
        realised_trend: &'a [f64],
    ) -> HolderYear<'a> {
        let y = self.year(&scopes[self.h.scope], w, realised_trend);
        let Some(people) = self.people.iter().find(|p| p.scope == c.scope) else {
            return y;
        };
        let scope = &scopes[c.scope];
        HolderYear {
            expected_cost: scope.expected_cost,
            baseline_heads: scope.baseline_heads,
            cost: people.cost,
            expected_cost_per_head: scope.expected_cost_per_head_in(w.year),
            count: &people.count,
            expected_count: &people.expected_count,
            count_per_weighted_head: &people.count_per_weighted_head,
            weighted_heads: people.heads,
            ..y
        }
    }
}

/// Per activity type, the count planned for `heads` people of `scope` in year `year` (0-based)
/// on trend (`trend_index`), and the baseline's count per risk-weighted head on trend.
fn planned_counts(scope: &Scope, heads: f64, trend_index: f64, year: u32) -> (Vec<f64>, Vec<f64>) {
    let expected_count = scope
        .expected_count_per_head_in(year)
        .iter()
        .map(|c| c * heads * trend_index)
        .collect();
    let count_per_weighted_head = scope
        .expected_count
        .iter()
        .map(|c| c * scope.per_baseline_head() * trend_index)
        .collect();
    (expected_count, count_per_weighted_head)
}

/// Each member's amount of a risk share or shared savings settled on a pool of holders (an
/// alliance): the commissioner's transfer is worked out once, on the members' sums, and split
/// so that each member's variance against the component's target (its target less what the
/// component measures: for a corridor on the result, its planned income less its cost; for
/// shared savings, its benchmark less its cost or spend) comes, with its part of the transfer,
/// to its share of the pool's, the shares in proportion to the members' targets. The amounts
/// add up to the pool's transfer: what one member saves beyond its share pays for another's
/// overspend. A member with no target has no share, so the others carry its whole variance
/// (its cost, with nothing planned); a pool with no target pays nothing.
fn pooled_transfers(c: &Component, members: &[TermSum]) -> Vec<f64> {
    let pool = members
        .iter()
        .fold(TermSum::default(), |total, member| total.plus(member));
    let transfer = c.pay_on_result(&pool);
    if members.len() == 1 {
        // A pool of one is its own component.
        return vec![transfer];
    }
    let targets: Vec<f64> = members.iter().map(|m| c.target(m).max(0.0)).collect();
    let total_target: f64 = targets.iter().sum();
    if total_target <= 0.0 {
        // Nothing to share against (a risk share or shared savings pays nothing then too).
        return vec![0.0; members.len()];
    }
    let after = c.variance(&pool) + transfer;
    members
        .iter()
        .zip(&targets)
        .map(|(member, target)| target / total_target * after - c.variance(member))
        .collect()
}

/// What a world's settlement carries from one year to the next: one running sum per result
/// component settled over the term ([`Component::term_slot`]), and for each holder
/// ([`Holder::slot`]) its outturn of every year so far: what re-based amounts are set on, and
/// its indicators, which targets against the year before and incentives settled over the term
/// are judged on.
#[derive(Debug, Clone, Default)]
pub struct TermSums {
    sums: Vec<TermSum>,
    outturns: Vec<Vec<Outturn>>,
}

impl TermSums {
    /// Zeroes the sums at the start of a replication and forgets the years before.
    pub fn reset(&mut self, contracts: &Contracts) {
        self.sums.clear();
        self.sums.resize(contracts.term_slots, TermSum::default());
        self.outturns.resize(contracts.holder_slots, Vec::new());
        for o in &mut self.outturns {
            o.clear();
        }
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
    /// Settles the arms listed in `arms` on one year of the world, appending ledger rows (each
    /// party's programme cost booked on its row), and, when `equity` is given, adds each arm's
    /// payments, care cost and heads by reporting group to it (arms × groups).
    pub fn settle_year(
        &self,
        w: &WorldYear,
        arms: &[usize],
        term: &mut TermSums,
        rows: &mut Vec<LedgerRow>,
        mut equity: Option<&mut [EquityCell]>,
    ) {
        let expected_indicators = self.basis.expected_indicators_in(w.year);
        let mut realised_trend = Vec::new();
        let (inflation, prices) = self
            .basis
            .realised_trend(w.shock, w.year, &mut realised_trend);
        let realised = Realised {
            trend: &realised_trend,
            inflation,
            prices,
        };
        for &a in arms {
            let arm = &self.arms[a];
            let first = rows.len();
            let mut group_income = vec![0.0; GROUPS];
            let mut open: Vec<OpenHolder> = arm
                .holders
                .iter()
                .map(|h| {
                    self.open_holder(
                        a,
                        arm,
                        h,
                        w,
                        expected_indicators,
                        &realised,
                        term,
                        rows,
                        &mut group_income,
                    )
                })
                .collect();
            for &column in &arm.result_columns {
                self.settle_on_result(
                    arm,
                    column,
                    &mut open,
                    w,
                    &realised,
                    term,
                    &mut group_income,
                );
            }
            let mut commissioner = LedgerRow::open(w.year + 1, a, 0, self.columns.len());
            for holder in open {
                let row = self.close_holder(arm, holder, w, &realised, term, rows);
                for (total, x) in commissioner.components.iter_mut().zip(&row.components) {
                    *total += x;
                }
                commissioner.cost += row.income;
                rows.push(row);
            }
            rows.push(commissioner);
            for row in &mut rows[first..] {
                let programme = w.programme_cost[row.party];
                row.programme += programme;
                row.cost += programme;
            }
            if let Some(equity) = equity.as_deref_mut() {
                equity::book_year(&mut equity[a * GROUPS..(a + 1) * GROUPS], &group_income, w);
            }
        }
    }

    /// The care of the people each of `h`'s components paying for some people alone pays for
    /// ([`Component::scope`]): their activity and cost this year, summed over their reporting
    /// groups, their heads, and what was planned of them.
    fn people_years(&self, h: &Holder, w: &WorldYear, trend_index: f64) -> Vec<PeopleYear> {
        let nt = w.price.len();
        let mut scopes: Vec<usize> = h
            .components
            .iter()
            .map(|c| c.scope)
            .filter(|&s| s != h.scope)
            .collect();
        scopes.sort_unstable();
        scopes.dedup();
        scopes
            .into_iter()
            .map(|s| {
                let scope = &self.scopes[s];
                let mut count = vec![0.0; nt];
                let mut cost = 0.0;
                for g in (0..GROUPS).filter(|&g| scope.holds_group(g)) {
                    for t in (0..nt).filter(|&t| scope.in_scope[t]) {
                        count[t] += w.group_count[g * nt + t];
                        cost += w.group_cost[g * nt + t];
                    }
                }
                let heads = w.heads.totals[s];
                let (expected_count, count_per_weighted_head) =
                    planned_counts(scope, heads.plain, trend_index, w.year);
                PeopleYear {
                    scope: s,
                    count,
                    cost,
                    heads,
                    expected_count,
                    count_per_weighted_head,
                }
            })
            .collect()
    }

    /// Pays a lead provider's subcontractors (their rows are appended to `rows`); returns what
    /// the lead paid them.
    fn pay_subcontractors(
        &self,
        a: usize,
        arm: &Arm,
        w: &WorldYear,
        rows: &mut Vec<LedgerRow>,
    ) -> f64 {
        let value: Vec<f64> = w
            .count
            .iter()
            .zip(w.price)
            .map(|(c, p)| c * p * w.price_index)
            .collect();
        let mut paid = 0.0;
        for sub in &arm.subcontractors {
            let scope = &self.scopes[sub.scope].in_scope;
            let pay = match sub.terms {
                Subcontract::Tariff => scope_sum(&value, scope),
                Subcontract::Cost => scope_sum(w.cost, scope),
                Subcontract::Block => self.scopes[sub.scope].expected_cost * w.price_index,
            };
            paid += pay;
            let mut row = LedgerRow::open(w.year + 1, a, sub.party, self.columns.len());
            row.income = pay;
            row.cost = scope_sum(w.cost, scope);
            row.subcontract = pay;
            rows.push(row);
        }
        paid
    }

    /// Opens one contract holder's account for the year: pays its subcontractors and every
    /// component settled on the year's own figures. The risk shares and shared savings follow
    /// ([`Self::settle_on_result`]), on the result of these, then [`Self::close_holder`].
    #[allow(clippy::too_many_arguments)]
    fn open_holder<'h>(
        &self,
        a: usize,
        arm: &Arm,
        h: &'h Holder,
        w: &WorldYear,
        expected_indicators: &[f64],
        realised: &Realised,
        term: &mut TermSums,
        rows: &mut Vec<LedgerRow>,
        group_income: &mut [f64],
    ) -> OpenHolder<'h> {
        let scope = &self.scopes[h.scope];
        let own_cost = scope_sum(w.cost, &self.scopes[h.own_scope].in_scope);
        let first_sub = rows.len();
        let paid_to_subs = self.pay_subcontractors(a, arm, w, rows);
        let heads = w.heads.totals[h.scope];
        let trend_index = self.basis.trend_index(w.year);
        let (expected_count, count_per_weighted_head) =
            planned_counts(scope, heads.plain, trend_index, w.year);
        // Spend per head is the holder's own: its scope's cost per head covered.
        let spend = Indicator::SpendPerHead.slot();
        let mut indicators = w.indicators.to_vec();
        indicators[spend] = if heads.plain > 0.0 {
            scope_sum(w.cost, &scope.in_scope) / heads.plain
        } else {
            NO_VALUE
        };
        let growth_index = self.basis.growth_index(w.year);
        let mut expected_indicators = expected_indicators.to_vec();
        expected_indicators[spend] = scope.expected_cost_per_head_in(w.year) * growth_index;
        let mut open = OpenHolder {
            h,
            row: LedgerRow::open(w.year + 1, a, h.party, self.columns.len()),
            subs: first_sub..rows.len(),
            cost: own_cost + paid_to_subs,
            heads,
            growth_index,
            realised_cost: realised.cost_of(
                scope,
                &self.scopes[h.own_scope],
                &arm.subcontract_by_type,
            ),
            expected_count,
            count_per_weighted_head,
            indicators,
            expected_indicators,
            outturns: std::mem::take(&mut term.outturns[h.slot]),
            spend: 0.0,
            planned: 0.0,
            passed: 0.0,
            passed_as_planned: 0.0,
            measured_cost: 0.0,
            people: self.people_years(h, w, trend_index),
        };
        open.row.cost = open.cost;
        // 0 − x, not −x: a holder paying no subcontractor books 0, not −0.
        open.row.subcontract = 0.0 - paid_to_subs;
        let y = open.year(scope, w, realised.trend);
        // The income a corridor on the result is set on: incentives at what the year expected
        // of the holder would earn, everything else as paid.
        let expected_count = expected_counts(&y, RiskAdjustment::Full, Weights::Concurrent);
        let expected = expected_year(
            &y,
            RiskAdjustment::Full,
            Weights::Concurrent,
            &expected_count,
        );
        // A component outside its contract years pays nothing and is not measured.
        let contract_year = w.year + 1;
        // What is passed on of it is planned the same way: a missed pool the lead would have
        // shared with its subcontractors is not a saving on its cost.
        let mut amounts = Vec::new();
        for c in h
            .components
            .iter()
            .filter(|c| !c.spec.settles_on_result() && c.spec.active_in(contract_year))
        {
            let amount = c.pay_settled(&open.year_of(c, &self.scopes, w, realised.trend));
            // An incentive is planned at what this year was expected to earn, settled over the
            // term or not: a payment put off to the term's end is neither an overspend in the
            // years before nor an underspend in the last.
            let planned = if c.spec.is_incentive() {
                c.pay(&expected)
            } else {
                amount
            };
            amounts.push((c, amount, planned));
        }
        for (c, amount, planned) in amounts {
            self.book(arm, &mut open, c, amount, w, group_income);
            open.planned += planned;
            open.passed_as_planned += arm.passed_on(c, planned);
        }
        open.spend = open.planned;
        // The cost a result component measures, before any result payment is passed on: what a
        // re-based benchmark is set on.
        open.measured_cost = open.cost + open.passed_as_planned;
        open
    }

    /// Books `amount` of component `c` on the holder's row, spread over the reporting groups
    /// for the equity table, and keeps what a lead passes on of it.
    fn book(
        &self,
        arm: &Arm,
        open: &mut OpenHolder,
        c: &Component,
        amount: f64,
        w: &WorldYear,
        group_income: &mut [f64],
    ) {
        open.row.components[c.column] += amount;
        open.row.income += amount;
        open.passed += arm.passed_on(c, amount);
        let scope = &self.scopes[c.scope];
        let scope_groups = w.heads.groups_of(c.scope);
        equity::allocate(
            &c.spec,
            c.types.as_deref(),
            amount,
            scope,
            scope_groups,
            w,
            group_income,
        );
    }

    /// Settles the risk share or shared savings in ledger column `column` for every holder it
    /// pays, on each one's result of the components before it: each on its own result, or
    /// pooled on all of theirs ([`pooled_transfers`]).
    #[allow(clippy::too_many_arguments)]
    fn settle_on_result(
        &self,
        arm: &Arm,
        column: usize,
        open: &mut [OpenHolder],
        w: &WorldYear,
        realised: &Realised,
        term: &mut TermSums,
        group_income: &mut [f64],
    ) {
        let contract_year = w.year + 1;
        let mut pool: Vec<(usize, &Component, TermSum)> = Vec::new();
        for (i, holder) in open.iter_mut().enumerate() {
            let h = holder.h;
            let Some(c) = h.components.iter().find(|c| c.column == column) else {
                continue;
            };
            if !c.spec.active_in(contract_year) {
                continue;
            }
            let Some(sums) = self.result_sums(holder, c, w, realised, term) else {
                continue;
            };
            if c.spec.pooled() {
                pool.push((i, c, sums));
            } else {
                let amount = c.pay_on_result(&sums);
                self.book_result(arm, holder, c, amount, w, group_income);
            }
        }
        let members: Vec<TermSum> = pool.iter().map(|(_, _, sums)| *sums).collect();
        if let Some((_, c, _)) = pool.first() {
            let amounts = pooled_transfers(c, &members);
            for ((i, c, _), amount) in pool.iter().zip(amounts) {
                self.book_result(arm, &mut open[*i], c, amount, w, group_income);
            }
        }
    }

    /// What a result component settles on for the holder this year: its year's figures, or
    /// the term's so far (None until the last of its years).
    fn result_sums(
        &self,
        holder: &OpenHolder,
        c: &Component,
        w: &WorldYear,
        realised: &Realised,
        term: &mut TermSums,
    ) -> Option<TermSum> {
        let contract_year = w.year + 1;
        let y = holder.year(&self.scopes[holder.h.scope], w, realised.trend);
        let benchmark = match &c.spec {
            ComponentSpec::SharedSavings(s) if s.against == SavingsAgainst::Spend => {
                expected_spend(holder, &self.scopes, w, realised, s)
            }
            _ => c.benchmark(&y),
        };
        let year = TermSum {
            spend: holder.spend,
            planned: holder.planned,
            cost: y.cost + holder.passed_as_planned,
            benchmark,
        };
        let Some(slot) = c.term_slot else {
            return Some(year);
        };
        let s = &mut term.sums[slot];
        *s = s.plus(&year);
        // Settled once, on the totals of its years, in the last of them.
        settles_now(&c.spec, w.last_year, contract_year).then_some(*s)
    }

    /// Books a result component's `amount`: what the components after it settle on moves
    /// with it.
    fn book_result(
        &self,
        arm: &Arm,
        holder: &mut OpenHolder,
        c: &Component,
        amount: f64,
        w: &WorldYear,
        group_income: &mut [f64],
    ) {
        self.book(arm, holder, c, amount, w, group_income);
        holder.passed_as_planned += arm.passed_on(c, amount);
        holder.planned += amount;
    }

    /// Closes a holder's account: passes on what a lead shares with its subcontractors, keeps
    /// the year's outturn, and returns the holder's ledger row.
    fn close_holder(
        &self,
        arm: &Arm,
        mut holder: OpenHolder,
        w: &WorldYear,
        realised: &Realised,
        term: &mut TermSums,
        rows: &mut [LedgerRow],
    ) -> LedgerRow {
        if holder.passed != 0.0 {
            let subs = &mut rows[holder.subs.clone()];
            self.pass_through(arm, holder.passed, &mut holder.row, subs);
        }
        // A lead's outturn cost is what it paid for care and its subcontractors, with what it
        // passed on to them: its ledger cost less the programmes it paid for.
        let y = holder.year(&self.scopes[holder.h.scope], w, realised.trend);
        let outturn = Outturn {
            cost: y.cost + holder.passed,
            measured_cost: holder.measured_cost,
            ..Outturn::of(&y)
        };
        holder.outturns.push(outturn);
        term.outturns[holder.h.slot] = holder.outturns;
        holder.row
    }

    /// Passes `amount` of the lead's payments (`lead`) on to its subcontractors (`subs`, their
    /// rows this year), split by their share of expected cost (equally when none has any).
    fn pass_through(&self, arm: &Arm, amount: f64, lead: &mut LedgerRow, subs: &mut [LedgerRow]) {
        let weights: Vec<f64> = arm
            .subcontractors
            .iter()
            .map(|s| self.scopes[s.scope].expected_cost)
            .collect();
        let total: f64 = weights.iter().sum();
        for (row, weight) in subs.iter_mut().zip(&weights) {
            let share = if total > 0.0 {
                weight / total
            } else {
                1.0 / weights.len() as f64
            };
            let passed = amount * share;
            row.income += passed;
            row.subcontract += passed;
            lead.cost += passed;
            lead.subcontract -= passed;
        }
    }
}

/// What the commissioner expects to pay `holder` this year under its components settled on
/// the year's figures, for the people covered at their risk: each component paid on the year
/// expected of the people it pays for (activity and cost on trend, risk-adjusted as shared
/// savings `s` says, and the expected indicators). Shared savings `against = "spend"` measure the
/// spend against it, so that tariff spend is never set against a cost: a tariff that pays a rural
/// provider less than its cost is not a saving.
fn expected_spend(
    holder: &OpenHolder,
    scopes: &[Scope],
    w: &WorldYear,
    realised: &Realised,
    s: &SharedSavingsSpec,
) -> f64 {
    let contract_year = w.year + 1;
    holder
        .h
        .components
        .iter()
        .filter(|c| !c.spec.settles_on_result() && c.spec.active_in(contract_year))
        .map(|c| {
            let y = holder.year_of(c, scopes, w, realised.trend);
            let mut count = expected_counts(&y, s.risk_adjustment, s.weights);
            let mut expected = expected_year(&y, s.risk_adjustment, s.weights, &[]);
            if s.benchmark_trend == BenchmarkTrend::Realised {
                for (c, r) in count.iter_mut().zip(y.realised_trend) {
                    *c *= r;
                }
                expected.cost *= y.realised_cost;
            }
            c.pay(&HolderYear {
                count: &count,
                ..expected
            })
        })
        .sum()
}

/// The activity expected of the people covered this year: each type's planned count, scaled
/// by their risk as `adjustment` and `weights` measure it.
fn expected_counts(y: &HolderYear, adjustment: RiskAdjustment, weights: Weights) -> Vec<f64> {
    if adjustment == RiskAdjustment::None {
        return y.expected_count.to_vec();
    }
    let heads = y.heads(adjustment, weights);
    y.count_per_weighted_head
        .iter()
        .map(|c| c * heads)
        .collect()
}

/// The year expected of the people covered: `count` from [`expected_counts`], cost on trend
/// risk-adjusted the same way, every indicator at its expected value, and the year before at
/// what was expected of it too. An improvement on the year before is then planned on two
/// expectations: on the year before as it turned out, the plan (what a corridor and a lead's
/// pass-on count an incentive at) moved by the whole pool with last year's chance.
fn expected_year<'a>(
    y: &HolderYear<'a>,
    adjustment: RiskAdjustment,
    weights: Weights,
    count: &'a [f64],
) -> HolderYear<'a> {
    HolderYear {
        cost: y.benchmark(adjustment, weights),
        count,
        indicators: y.expected_indicators,
        previous_indicators: y
            .outturns
            .last()
            .map_or(y.expected_indicators, |o| o.expected_indicators.as_slice()),
        ..*y
    }
}

impl Component {
    /// Expected cost on trend of the people covered, as a risk share (on cost) or shared
    /// savings against cost measures against it: the component's own risk adjustment for
    /// shared savings.
    fn benchmark(&self, y: &HolderYear) -> f64 {
        match &self.spec {
            ComponentSpec::SharedSavings(s) => components::shared_savings::benchmark(s, y),
            _ => y.benchmark(RiskAdjustment::Full, Weights::Concurrent),
        }
    }

    /// What a component settled on the figures of its years pays this year: as [`Self::pay`]
    /// for one settled yearly. An incentive settled over the term pays nothing until the last
    /// of its years, and then what all of them put at stake (their pools or deductions, or
    /// for a per-unit payment its rate in each year judged), judged on the mean of their
    /// indicator values against the mean of their targets ([`TermIndicators`]).
    fn pay_settled(&self, y: &HolderYear) -> f64 {
        if !self.spec.is_incentive() || self.spec.settle() == Settle::Yearly {
            return self.pay(y);
        }
        if !settles_now(&self.spec, y.last_year, y.contract_year) {
            return 0.0;
        }
        let term = TermIndicators::of(y, self.spec.years().0.unwrap_or(1));
        let term_year = HolderYear {
            indicators: &term.values,
            expected_indicators: &term.expected,
            // Validation refuses a target against the year before in a term's judgement.
            previous_indicators: &term.expected,
            // Amounts at stake are this year's prices times the price index: their sum over
            // the years is the same amount times the indices' sum.
            price_index: term.price_index,
            ..*y
        };
        // A per-unit payment's rate and cap are the same every year, not indexed: it pays for
        // each year judged.
        let years = match self.spec {
            ComponentSpec::PerUnit(_) => term.judged[self.indicators[0].slot()],
            _ => 1.0,
        };
        self.pay(&term_year) * years
    }

    /// The amount of a component that settles on one year's figures (or a term's, as
    /// [`Self::pay_settled`] presents them).
    fn pay(&self, y: &HolderYear) -> f64 {
        let slot = |i: usize| self.indicators[i].slot();
        // A £ amount on an indicator every holder has (population-wide, or spend per head,
        // each holder's own) is split between the holders, so the arm pays it once; one on an
        // activity type's indicator is its one holder's.
        let split = |i: usize| {
            if self.indicators[i].activity_type().is_none() {
                self.shared_amount
            } else {
                1.0
            }
        };
        // An amount the scenario sets in £ is the arm's, paid once between its holders; what
        // follows from a holder's own figures (shares of its contract value, its expected cost
        // per head) is its own.
        let arms = |set_in_pounds: bool| {
            if set_in_pounds {
                self.shared_amount
            } else {
                1.0
            }
        };
        match &self.spec {
            ComponentSpec::Fixed(s) => {
                components::fixed::fixed(s, y) * arms(components::fixed::in_pounds(s, y))
            }
            ComponentSpec::Activity(s) => {
                components::activity::activity(s, self.types.as_deref(), self.shared_amount, y)
            }
            ComponentSpec::Capitation(s) => {
                let in_pounds = components::capitation::in_pounds(s, y);
                components::capitation::capitation(s, y) * arms(in_pounds)
            }
            ComponentSpec::Outcome(s) => {
                let slots: Vec<usize> = (0..self.indicators.len()).map(slot).collect();
                components::outcome::outcome(s, &slots, &self.owned, y) * arms(s.pool.is_some())
            }
            ComponentSpec::PerUnit(_) | ComponentSpec::QualityDeduction(_) if !self.owned[0] => 0.0,
            ComponentSpec::PerUnit(s) => components::per_unit::per_unit(s, slot(0), y) * split(0),
            ComponentSpec::QualityDeduction(s) => {
                let amount = components::quality::quality_deduction(s, slot(0), y);
                // A share of contract value is already the holder's own.
                if s.deduction.is_some() {
                    amount * split(0)
                } else {
                    amount
                }
            }
            ComponentSpec::RiskShare(_) | ComponentSpec::SharedSavings(_) => {
                unreachable!("settled on the result")
            }
        }
    }

    /// What a risk share or shared savings measures a holder's result against: the income a
    /// corridor on the result is set on, or the benchmark.
    fn target(&self, sums: &TermSum) -> f64 {
        match &self.spec {
            ComponentSpec::RiskShare(s) if s.basis == CorridorBasis::Result => sums.planned,
            ComponentSpec::SharedSavings(s) => sums.benchmark * s.benchmark_vs_expected,
            _ => sums.benchmark,
        }
    }

    /// The holder's variance against [`Self::target`]: the target less what the component
    /// measures against it (its cost, or for shared savings against spend, its spend).
    fn variance(&self, sums: &TermSum) -> f64 {
        let measured = match &self.spec {
            ComponentSpec::SharedSavings(s) if s.against == SavingsAgainst::Spend => sums.spend,
            _ => sums.cost,
        };
        self.target(sums) - measured
    }

    /// The amount of a risk share or shared savings, on the holder's result (this year's, or
    /// the term's in its final year).
    fn pay_on_result(&self, sums: &TermSum) -> f64 {
        match &self.spec {
            ComponentSpec::RiskShare(s) => {
                components::risk_share::risk_share(s, sums.planned, sums.cost, sums.benchmark)
            }
            ComponentSpec::SharedSavings(s) => components::shared_savings::shared_savings(
                s,
                match s.against {
                    SavingsAgainst::Cost => sums.cost,
                    SavingsAgainst::Spend => sums.spend,
                },
                sums.benchmark * s.benchmark_vs_expected,
            ),
            _ => unreachable!("settled on the year's own figures"),
        }
    }
}

/// Whether a component settled over the term settles this year: in the last of its years (its
/// `to_year`, or the world's last).
fn settles_now(spec: &ComponentSpec, last_year: bool, contract_year: u32) -> bool {
    last_year || spec.years().1 == Some(contract_year)
}

/// A holder's indicators over the years of an incentive settled over the term, from its first
/// year to this one. Each indicator is judged over the years in which both it and its expected
/// value have a value (a year with nothing to judge is left out, as settled yearly): its mean
/// and its expected value's mean over those years ([`NO_VALUE`] with none), and how many they
/// are; and the sum of all the years' price indices.
struct TermIndicators {
    values: Vec<f64>,
    expected: Vec<f64>,
    judged: Vec<f64>,
    price_index: f64,
}

impl TermIndicators {
    fn of(y: &HolderYear, first_year: u32) -> Self {
        let earlier = y
            .outturns
            .get(first_year as usize - 1..y.contract_year as usize - 1)
            .unwrap_or(&[]);
        let years: Vec<(&[f64], &[f64])> = earlier
            .iter()
            .map(|o| (o.indicators.as_slice(), o.expected_indicators.as_slice()))
            .chain([(y.indicators, y.expected_indicators)])
            .collect();
        let slots = y.indicators.len();
        let (mut values, mut expected, mut judged) = (
            vec![NO_VALUE; slots],
            vec![NO_VALUE; slots],
            vec![0.0; slots],
        );
        for i in 0..slots {
            let both: Vec<(f64, f64)> = years
                .iter()
                .map(|(v, e)| (v[i], e[i]))
                .filter(|&(v, e)| has_value(v) && has_value(e))
                .collect();
            if both.is_empty() {
                continue;
            }
            let n = both.len() as f64;
            values[i] = both.iter().map(|p| p.0).sum::<f64>() / n;
            expected[i] = both.iter().map(|p| p.1).sum::<f64>() / n;
            judged[i] = n;
        }
        TermIndicators {
            values,
            expected,
            judged,
            price_index: earlier.iter().map(|o| o.price_index).sum::<f64>() + y.price_index,
        }
    }
}

/// What every population shared in a year against what the basis expected
/// ([`super::basis::Basis::realised_trend`]): per activity type the realised demand on trend
/// over the expected, and cost inflation and prices likewise.
struct Realised<'a> {
    trend: &'a [f64],
    inflation: f64,
    prices: f64,
}

impl Realised<'_> {
    /// The realised cost per head on trend over the expected of what a holder covering `scope`
    /// and delivering `own` pays for, its types weighed by their expected cost: its own care
    /// moves with demand and cost inflation; a lead's subcontracted care as it pays for it
    /// (`subcontract`): tariff with demand and prices, a block with prices alone, cost as its
    /// own. The inflation ratio alone for a scope expecting no cost.
    fn cost_of(&self, scope: &Scope, own: &Scope, subcontract: &[Subcontract]) -> f64 {
        let expected: f64 = scope.expected_cost_by_type.iter().sum();
        if expected <= 0.0 {
            return self.inflation;
        }
        let realised: f64 = (0..scope.expected_cost_by_type.len())
            .map(|t| {
                let ratio = if own.in_scope[t] {
                    self.trend[t] * self.inflation
                } else {
                    match subcontract[t] {
                        Subcontract::Tariff => self.trend[t] * self.prices,
                        Subcontract::Block => self.prices,
                        Subcontract::Cost => self.trend[t] * self.inflation,
                    }
                };
                scope.expected_cost_by_type[t] * ratio
            })
            .sum();
        realised / expected
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::contracts::{Band, RiskShareSpec};

    fn pooled_corridor() -> Component {
        let band = |above, below| Band {
            above,
            below,
            provider_share: 0.5,
        };
        Component {
            spec: ComponentSpec::RiskShare(RiskShareSpec {
                name: None,
                from_year: None,
                to_year: None,
                providers: None,
                basis: CorridorBasis::Result,
                pooled: true,
                provider_loss_cap: None,
                provider_gain_cap: None,
                settle: Settle::Yearly,
                bands: vec![band(Some(0.01), None), band(None, Some(-0.01))],
            }),
            column: 0,
            scope: 0,
            types: None,
            indicators: Vec::new(),
            term_slot: None,
            owned: Vec::new(),
            shared_amount: 1.0,
        }
    }

    fn member(planned: f64, cost: f64) -> TermSum {
        TermSum {
            spend: planned,
            planned,
            cost,
            benchmark: 0.0,
        }
    }

    /// Two providers planned £100 and £300 and cost £120 and £270: together 2.5% under, so
    /// the commissioner takes back half of the 1.5% beyond the band, £3. Of the £7 the
    /// alliance keeps, the first has a quarter (its share of the £400), £1.75, so it receives
    /// £21.75 for its £20 overspend, and the second pays £24.75 of its £30 underspend.
    #[test]
    fn an_alliance_ends_with_its_share_of_the_pooled_result() {
        let c = pooled_corridor();
        let amounts = pooled_transfers(&c, &[member(100.0, 120.0), member(300.0, 270.0)]);
        assert!((amounts[0] - 21.75).abs() < 1e-12, "{amounts:?}");
        assert!((amounts[1] + 24.75).abs() < 1e-12, "{amounts:?}");
        // A pool of one is the provider's own corridor.
        let own = c.pay_on_result(&member(100.0, 120.0));
        assert_eq!(pooled_transfers(&c, &[member(100.0, 120.0)]), vec![own]);
        // With nothing planned there is no target to share against: nothing is paid.
        let amounts = pooled_transfers(&c, &[member(0.0, 10.0), member(0.0, 30.0)]);
        assert_eq!(amounts, vec![0.0, 0.0]);
    }
}
