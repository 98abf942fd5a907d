//! How contracts are written in a scenario: providers, arms, and the components of each arm.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Strata;

/// A provider: who delivers a set of activity types and bears their cost.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProviderSpec {
    pub name: String,
    /// Activity types this provider delivers; every type belongs to exactly one provider.
    pub activity: Vec<String>,
}

/// One contract (arm) to compare with others on the same simulated years.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ArmSpec {
    pub name: String,
    /// Start from a preset: block, pbr, capitation, outcomes or blended. Components listed
    /// below are added after the preset's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preset: Option<Preset>,
    /// A lead provider holds the contract for all activity and pays the other providers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lead: Option<String>,
    /// How a lead provider pays its subcontractors (default: tariff).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subcontract: Option<Subcontract>,
    /// How the lead pays a subcontractor on terms of its own, by name: `{ physio = "block" }`
    /// (the others as `subcontract` says).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub subcontract_for: BTreeMap<String, Subcontract>,
    /// Share of the lead provider's outcome and shared-savings payments (gains and losses)
    /// passed on to its subcontractors, split by their share of expected cost (Camden,
    /// Oxfordshire).
    #[serde(default, skip_serializing_if = "is_zero")]
    #[schemars(range(min = 0, max = 1))]
    pub pass_through: f64,
    /// Interventions running in this arm's world, by name (none: the status quo). The contract
    /// is still set on the status quo; `who_gains` compares it with the same contract there.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub interventions: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub component: Vec<ComponentSpec>,
    /// Indicators reported for this arm with no money attached (outcomes monitored, not paid:
    /// Bedfordshire MSK), in `monitoring.csv`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub monitor: Vec<MonitoredIndicator>,
}

/// An indicator monitored for an arm, with an optional target it is judged against.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MonitoredIndicator {
    /// An indicator the world reports (see docs/contracts.md).
    pub indicator: String,
    #[serde(default)]
    pub better: Better,
    /// Target value; or give `target_vs_expected`; or neither, to report the value alone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<f64>,
    /// Target as a multiple of the indicator's expected value that year: the status quo's,
    /// projected year by year (waiting-list figures at the first year's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_vs_expected: Option<f64>,
    /// Target as a multiple of the value the year before in the same simulated future; in the
    /// first year, of the value expected that year.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_vs_previous: Option<f64>,
}

impl ArmSpec {
    /// What a lead provider holds and how it pays the others, for the report (None without a
    /// lead): "community holds the contract for all care and pays the other providers: acute at
    /// tariff, physio a block".
    pub fn lead_words(&self, providers: &[ProviderSpec]) -> Option<String> {
        let lead = self.lead.as_ref()?;
        let paid: Vec<String> = providers
            .iter()
            .filter(|p| &p.name != lead)
            .map(|p| {
                let how = match self.subcontract_terms(&p.name) {
                    Subcontract::Tariff => "at tariff",
                    Subcontract::Cost => "its cost",
                    Subcontract::Block => "a block (its expected cost, uplifted with tariffs)",
                };
                format!("{} {how}", p.name)
            })
            .collect();
        let passed = if self.pass_through > 0.0 {
            format!(
                "; it passes on {} of its outcome and shared-savings payments",
                pct(self.pass_through)
            )
        } else {
            String::new()
        };
        Some(format!(
            "{lead} holds the contract for all care and pays the other providers: {}{passed}.",
            paid.join(", ")
        ))
    }

    /// How the arm's lead pays subcontractor `provider`: its own terms, else the arm's.
    pub fn subcontract_terms(&self, provider: &str) -> Subcontract {
        self.subcontract_for
            .get(provider)
            .copied()
            .or(self.subcontract)
            .unwrap_or_default()
    }

    /// Where the arm's fields live, by its name (its position when it has none): `arm.<name>`.
    pub fn path(&self, index: usize) -> String {
        if self.name.is_empty() {
            format!("arm.{index}")
        } else {
            format!("arm.{}", self.name)
        }
    }

    /// The arm's components, its preset's first, each with the ledger column it pays into:
    /// the component's `name`, or its kind, numbered from 2 when the arm repeats one.
    pub fn components(&self) -> Vec<(String, ComponentSpec)> {
        let mut specs = self
            .preset
            .map(super::presets::components)
            .unwrap_or_default();
        specs.extend(self.component.iter().cloned());
        let mut named: Vec<(String, ComponentSpec)> = Vec::new();
        for spec in specs {
            let stem = spec.custom_name().unwrap_or(spec.kind()).to_string();
            let mut column = stem.clone();
            let mut n = 2;
            while named.iter().any(|(c, _)| *c == column) {
                column = format!("{stem}_{n}");
                n += 1;
            }
            named.push((column, spec));
        }
        named
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Preset {
    Block,
    Pbr,
    Capitation,
    Outcomes,
    Blended,
}

impl Preset {
    pub fn name(self) -> &'static str {
        match self {
            Preset::Block => "block",
            Preset::Pbr => "pbr",
            Preset::Capitation => "capitation",
            Preset::Outcomes => "outcomes",
            Preset::Blended => "blended",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Subcontract {
    /// Subcontractors are paid tariff (price × count) for their activity.
    #[default]
    Tariff,
    /// Subcontractors are paid their cost: the lead carries all the risk.
    Cost,
    /// Subcontractors are paid a block: their activity's expected cost in the baseline year,
    /// uplifted with tariffs; they carry their own volume and cost risk.
    Block,
}

fn is_zero(x: &f64) -> bool {
    *x == 0.0
}

/// How a set amount moves from year to year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Index {
    /// With the price (tariff) uplift.
    #[default]
    Price,
    /// With expected cost on trend: the forecast demand growth and cost inflation, and the
    /// head count covered (unweighted: "intelligent fixed payment"). For capitation, per head:
    /// demand growth and cost inflation only.
    ExpectedCost,
    /// Not at all: the first year's amount every year.
    None,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RiskAdjustment {
    /// Same payment per head for everyone.
    None,
    /// Weighted by the expected cost of the person's age and sex.
    AgeSex,
    /// Weighted by the expected cost of the person's age, sex, deprivation and rurality: the
    /// seeds' capitation formula, which leaves long-term conditions out.
    AgeSexDeprivationRurality,
    /// Weighted by the expected cost of the person's age, sex, deprivation, rurality and LTC count
    /// (and the scenario's condition, when it has one).
    #[default]
    Full,
}

/// What shared savings are measured on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SavingsAgainst {
    /// The holder's cost of care.
    #[default]
    Cost,
    /// What the commissioner pays the holder under the arm's other components.
    Spend,
}

/// What moves a cost norm from one year to the next.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum BenchmarkTrend {
    /// Demand and cost inflation at their expected rates, set before the term: the holder
    /// bears what every population shares (a demand surge, a bad winter, inflation above
    /// the mean) as well as its own.
    #[default]
    Expected,
    /// The year's demand, winter and cost inflation as they turned out: a norm worked out after
    /// the year from national spending (Kinzigtal's), so that only the population's own
    /// departure from it is a saving or a loss.
    Realised,
}

/// When risk weights are taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Weights {
    /// Each year's population as it is that year: a person who gains a condition brings a
    /// higher weight, so a programme that prevents conditions lowers the payment.
    #[default]
    Concurrent,
    /// Set at contract start for the whole term: with `full` adjustment, each stratum of age,
    /// sex, deprivation and rurality is weighted by the long-term conditions the status quo
    /// expects its people to have that year, so the conditions a population is expected to
    /// gather are paid for and those its people actually gain, or a programme prevents, are
    /// not. The same as `concurrent` for adjustments without long-term conditions.
    Fixed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Better {
    /// Lower values are better (admissions, spend, waiters).
    #[default]
    Lower,
    Higher,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Settle {
    /// Settled each year on that year's figures.
    #[default]
    Yearly,
    /// Settled once, in the last of its years: a risk share or shared savings on the totals of
    /// its years, an incentive (outcome pool, per-unit payment, quality deduction) on the mean
    /// of its years' indicator values, for the sum of what its years put at stake.
    Term,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// The provider's result: cost against the contract's other payments (ACA-style corridor).
    #[default]
    Result,
    /// Cost against expected cost on trend.
    Cost,
}

/// One payment component: a transfer from the commissioner to the contract holder each year
/// (negative when money flows back).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ComponentSpec {
    Fixed(FixedSpec),
    Activity(ActivitySpec),
    Capitation(CapitationSpec),
    Outcome(OutcomeSpec),
    PerUnit(PerUnitSpec),
    RiskShare(RiskShareSpec),
    SharedSavings(SharedSavingsSpec),
    QualityDeduction(QualitySpec),
}

fn one() -> f64 {
    1.0
}

fn one_year() -> u32 {
    1
}

/// Re-setting a set amount on an earlier year's outturn, as annual contracts are rolled
/// forward: the amount of a re-basing year is the holder's outturn of a year before it, instead
/// of the baseline's expected cost. Between re-basings the amount moves with its `index`.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Rebase {
    /// Years between re-basings, counted from the component's first year: 1 re-sets the amount
    /// every year (annual contracts), 3 at the start of each three-year term.
    #[serde(default = "one_year")]
    #[schemars(range(min = 1))]
    pub every: u32,
    /// How many years before a re-basing year its outturn is taken from: 1, the year just
    /// ended (a forecast outturn taken as exact); 2, the last complete year's accounts. A
    /// re-basing year with no simulated year that far back is set on the baseline.
    #[serde(default = "one_year")]
    #[schemars(range(min = 1))]
    pub lag: u32,
    /// What the outturn is: for a set amount `cost` (default) or `tariff`; an activity
    /// component's baseline volume is set on its `volume`, the only outturn it takes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on: Option<RebaseOn>,
}

impl Rebase {
    /// What the outturn is, `cost` when not given (loading fills it in: an activity plan's is
    /// `volume`, [`ComponentSpec::fill_rebase_outturn`]).
    pub fn on_or_cost(&self) -> RebaseOn {
        self.on.unwrap_or_default()
    }

    /// The contract year whose outturn sets the amount paid in contract year `year` by a
    /// component first paying in `first`: `lag` years before the last re-basing year (`first`,
    /// then every `every` years). None when that is before the first year: the baseline's.
    pub fn source_year(&self, first: u32, year: u32) -> Option<u32> {
        let every = self.every.max(1);
        let rebased_in = first + year.checked_sub(first)? / every * every;
        rebased_in.checked_sub(self.lag).filter(|&y| y >= 1)
    }
}

/// What a holder's outturn of a year is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RebaseOn {
    /// Its cost of care (for a lead, with what it paid its subcontractors and passed on to
    /// them): what the baseline sets an amount on. Programme costs are not in it.
    #[default]
    Cost,
    /// Its activity at the year's tariff prices: what PbR would have paid it.
    Tariff,
    /// Its count of each activity type, moved on by the type's planned growth since: the
    /// baseline volume of an activity component, as activity plans are rolled forward.
    Volume,
}

/// Some of the people a contract covers, chosen on the axes activity is counted and costed by
/// (the reporting groups): every bound inclusive, an omitted one not filtering.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct People {
    /// true: only people with the scenario's condition; false: only people without it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<bool>,
    /// Minimum LTC count (5 means 5 or more).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(max = 5))]
    pub ltc_min: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(max = 5))]
    pub ltc_max: Option<u8>,
    /// IMD quintiles included (1 = most deprived).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1), inner(range(min = 1, max = 5)))]
    pub imd: Option<Vec<u8>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rurality: Option<Vec<super::Rurality>>,
}

impl People {
    /// The same filter on strata, every age and sex admitted.
    pub fn strata(&self) -> Strata {
        Strata {
            condition: self.condition,
            ltc_min: self.ltc_min,
            ltc_max: self.ltc_max,
            imd: self.imd.clone(),
            rurality: self.rurality.clone(),
            ..Strata::default()
        }
    }
}

/// A set amount: a sum in £, or a share of the holder's expected cost in the baseline year.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FixedSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// First contract year this component pays in (from 1; default: the first).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub from_year: Option<u32>,
    /// Last contract year this component pays in (default: the last). With `from_year`, an arm
    /// can move from one payment model to another during the term.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub to_year: Option<u32>,
    /// The providers this component pays (default: whoever holds the arm's contracts), so that
    /// one arm can pay its providers differently: the acute trust by activity, the community
    /// provider a block.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1))]
    pub providers: Option<Vec<String>>,
    /// The people whose care this component pays for (default: everyone the contract covers),
    /// chosen by what activity is counted by: the scenario's condition, LTC count, deprivation
    /// quintile and rurality, not age or sex. With another component for the others, an arm
    /// pays a group of people one way (a year-of-care capitation for people with the
    /// condition) and everyone else another (activity at tariff).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub people: Option<People>,
    /// £ per year (in the first year's prices). Default: `share` × expected cost.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<f64>,
    /// Share of the baseline year's expected cost ("intelligent fixed payment").
    #[serde(default = "one")]
    pub share: f64,
    /// Uplift on top of the baseline, e.g. 0.02 for expected cost + 2%.
    #[serde(default)]
    pub uplift: f64,
    /// How the amount moves from year to year.
    #[serde(default)]
    pub index: Index,
    /// Re-set the amount on the holder's outturn of an earlier year (default: never, the
    /// baseline's for the whole term). The outturn replaces `amount` or expected cost; `share`
    /// and `uplift` apply to it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rebase: Option<Rebase>,
}

/// Price × count per activity type, optionally with a baseline volume and a marginal rate.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivitySpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// First contract year this component pays in (from 1; default: the first).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub from_year: Option<u32>,
    /// Last contract year this component pays in (default: the last). With `from_year`, an arm
    /// can move from one payment model to another during the term.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub to_year: Option<u32>,
    /// The providers this component pays (default: whoever holds the arm's contracts), so that
    /// one arm can pay its providers differently: the acute trust by activity, the community
    /// provider a block.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1))]
    pub providers: Option<Vec<String>>,
    /// The people whose care this component pays for (default: everyone the contract covers),
    /// chosen by what activity is counted by: the scenario's condition, LTC count, deprivation
    /// quintile and rurality, not age or sex. With another component for the others, an arm
    /// pays a group of people one way (a year-of-care capitation for people with the
    /// condition) and everyone else another (activity at tariff).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub people: Option<People>,
    /// Activity types paid (default: all the holder delivers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1))]
    pub types: Option<Vec<String>>,
    /// Multiple of the price paid per unit up to the baseline volume (all units if no
    /// baseline): 1 is the national price, 0.5 half of it, 1.1 a local price 10% above it.
    #[serde(default = "one")]
    #[schemars(range(min = 0, max = 10))]
    pub price_share: f64,
    /// Baseline volume as a multiple of planned volume: the expected volume on trend for the
    /// people covered that year (1 = as planned).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0))]
    pub baseline_volume: Option<f64>,
    /// Multiple of the price paid per unit above the baseline volume (default: `price_share`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = 10))]
    pub marginal_rate: Option<f64>,
    /// Share of the price deducted per unit of shortfall below the baseline volume.
    #[serde(default)]
    #[schemars(range(min = 0, max = 1))]
    pub below_baseline_rate: f64,
    /// Most this component pays in a year, £.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0))]
    pub cap: Option<f64>,
    /// Re-set the baseline volume on the holder's count of each type in an earlier year, moved
    /// on by the type's planned growth since (default: never; needs `baseline_volume`), as
    /// activity plans are rolled forward on outturn.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rebase: Option<Rebase>,
}

/// Per head per year × risk weight.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CapitationSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// First contract year this component pays in (from 1; default: the first).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub from_year: Option<u32>,
    /// Last contract year this component pays in (default: the last). With `from_year`, an arm
    /// can move from one payment model to another during the term.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub to_year: Option<u32>,
    /// The providers this component pays (default: whoever holds the arm's contracts), so that
    /// one arm can pay its providers differently: the acute trust by activity, the community
    /// provider a block.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1))]
    pub providers: Option<Vec<String>>,
    /// The people whose care this component pays for (default: everyone the contract covers),
    /// chosen by what activity is counted by: the scenario's condition, LTC count, deprivation
    /// quintile and rurality, not age or sex. With another component for the others, an arm
    /// pays a group of people one way (a year-of-care capitation for people with the
    /// condition) and everyone else another (activity at tariff).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub people: Option<People>,
    /// £ per weighted head per year (first year's prices). Default: expected cost per head.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0))]
    pub per_head: Option<f64>,
    #[serde(default)]
    pub risk_adjustment: RiskAdjustment,
    /// Whether weights follow each year's population or are fixed at contract start.
    #[serde(default)]
    pub weights: Weights,
    /// Uplift on the per-head rate.
    #[serde(default)]
    pub uplift: f64,
    /// How the per-head rate moves from year to year.
    #[serde(default)]
    pub index: Index,
    /// Re-set the rate per weighted head on the holder's outturn of an earlier year over its
    /// weighted heads that year (default: never). The outturn replaces `per_head` or expected
    /// cost per head; `uplift` applies to it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rebase: Option<Rebase>,
}

/// A target on one indicator, with payment tiers.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IndicatorTarget {
    /// An indicator the world reports (see docs/contracts.md).
    pub indicator: String,
    #[serde(default)]
    pub better: Better,
    /// Weight of this indicator in the pool; weights sum to 1. Default 1: an indicator alone
    /// has the whole pool.
    #[serde(default = "whole_pool")]
    pub weight: f64,
    /// Target value. Or give `target_vs_expected`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<f64>,
    /// Target as a multiple of the indicator's expected value that year: the status quo's,
    /// projected year by year (waiting-list figures at the first year's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_vs_expected: Option<f64>,
    /// Target as a multiple of the holder's own value of the indicator the year before
    /// (improvement on its own record: 0.97 asks for 3% fewer); in the first contract year, of
    /// the value expected that year.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_vs_previous: Option<f64>,
    /// Tiers: `at` is a multiple of the target, `pays` the share of this indicator's pool paid
    /// when the value is at least that good. Default: one tier, the target, paying in full.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1))]
    pub tiers: Option<Vec<Tier>>,
    /// What a value between two tiers earns: `steps` (default), the largest share among the
    /// tiers it reaches; or `linear`, a sliding scale from one tier's share to the next in proportion to
    /// how far the value has come between their thresholds (QOF pays so between its lower and
    /// upper thresholds). Nothing below the least demanding tier either way.
    #[serde(default, skip_serializing_if = "Between::is_steps")]
    pub between: Between,
}

/// The weight of an indicator alone in its pool.
fn whole_pool() -> f64 {
    1.0
}

/// What a value between two of an indicator's tiers earns ([`IndicatorTarget::between`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Between {
    /// The largest share among the tiers reached.
    #[default]
    Steps,
    /// A sliding scale between the tiers on either side of the value.
    Linear,
}

impl Between {
    fn is_steps(&self) -> bool {
        *self == Between::Steps
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Tier {
    pub at: f64,
    #[schemars(range(min = 0, max = 1))]
    pub pays: f64,
}

/// A pool paid by achievement of indicator targets.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OutcomeSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// First contract year this component pays in (from 1; default: the first).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub from_year: Option<u32>,
    /// Last contract year this component pays in (default: the last). With `from_year`, an arm
    /// can move from one payment model to another during the term.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub to_year: Option<u32>,
    /// The providers this component pays (default: whoever holds the arm's contracts), so that
    /// one arm can pay its providers differently: the acute trust by activity, the community
    /// provider a block.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1))]
    pub providers: Option<Vec<String>>,
    /// Pool as a share of contract value (the holder's expected cost, indexed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = 1))]
    pub pool_share: Option<f64>,
    /// Pool in £ per year (first year's prices).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0))]
    pub pool: Option<f64>,
    /// Every provider the pool pays is judged on every target, whoever delivers the activity
    /// (a system outcome the partners share). Default: a target on an activity type judges only
    /// the provider delivering it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub shared: bool,
    /// `yearly`: each year's pool paid on that year's indicators; `term`: the pools of all its
    /// years paid once, in the last of them, on the mean of its years' indicator values.
    #[serde(default)]
    pub settle: Settle,
    pub indicators: Vec<IndicatorTarget>,
}

/// £ per unit of an indicator better (bonus) or worse (penalty) than a target.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PerUnitSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// First contract year this component pays in (from 1; default: the first).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub from_year: Option<u32>,
    /// Last contract year this component pays in (default: the last). With `from_year`, an arm
    /// can move from one payment model to another during the term.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub to_year: Option<u32>,
    /// The providers this component pays (default: whoever holds the arm's contracts), so that
    /// one arm can pay its providers differently: the acute trust by activity, the community
    /// provider a block.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1))]
    pub providers: Option<Vec<String>>,
    pub indicator: String,
    #[serde(default)]
    pub better: Better,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_vs_expected: Option<f64>,
    /// Target as a multiple of the holder's own value the year before (0.97: 3% fewer than
    /// last year); in the first contract year, of the value expected that year.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_vs_previous: Option<f64>,
    /// £ per unit.
    #[schemars(range(min = 0))]
    pub rate: f64,
    /// Largest bonus or penalty in a year, £ (none if omitted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0))]
    pub cap: Option<f64>,
    /// One side only: `penalty` deducts for units worse than the target and pays nothing for
    /// better ("deductions in payments for activity falling below the standard"), `bonus` the
    /// reverse. Both when omitted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub only: Option<PerUnitSide>,
    /// `yearly`: paid each year on that year's value; `term`: paid once, in the last of its
    /// years, on the mean of its years' values, for as many years (a bad year offsets a good
    /// one, and the cap is the yearly cap times the years).
    #[serde(default)]
    pub settle: Settle,
}

/// The side of a target a per-unit payment pays on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PerUnitSide {
    /// Units better than the target earn the rate; worse ones cost nothing.
    Bonus,
    /// Units worse than the target cost the rate; better ones earn nothing.
    Penalty,
}

/// One band of a risk corridor: deviations beyond `above` (overspend) or below `below`
/// (underspend), as fractions of the target, of which the provider keeps `provider_share`.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Band {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0))]
    pub above: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(max = 0))]
    pub below: Option<f64>,
    #[schemars(range(min = 0, max = 1))]
    pub provider_share: f64,
}

/// A risk corridor: the commissioner absorbs part of the provider's over- or underspend.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RiskShareSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// First contract year this component pays in (from 1; default: the first).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub from_year: Option<u32>,
    /// Last contract year this component pays in (default: the last). With `from_year`, an arm
    /// can move from one payment model to another during the term.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub to_year: Option<u32>,
    /// The providers this component pays (default: whoever holds the arm's contracts), so that
    /// one arm can pay its providers differently: the acute trust by activity, the community
    /// provider a block.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1))]
    pub providers: Option<Vec<String>>,
    #[serde(default)]
    pub basis: Basis,
    /// The providers it pays share one corridor as an alliance: it is set on their targets and
    /// costs added together, and each ends the year with its target's share of the alliance's
    /// variance against them and the corridor, so that one provider's gain pays for another's
    /// loss. Default: a corridor of each provider's own.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub pooled: bool,
    /// Largest loss the provider bears, as a share of the target (the commissioner covers the rest).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0))]
    pub provider_loss_cap: Option<f64>,
    /// Largest gain the provider keeps, as a share of the target (the rest returns).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0))]
    pub provider_gain_cap: Option<f64>,
    #[serde(default)]
    pub settle: Settle,
    /// Corridor bands (written last: TOML puts arrays of tables after plain keys).
    pub bands: Vec<Band>,
}

/// A share of (benchmark − actual cost) paid to the provider; optionally losses shared too.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SharedSavingsSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// First contract year this component pays in (from 1; default: the first).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub from_year: Option<u32>,
    /// Last contract year this component pays in (default: the last). With `from_year`, an arm
    /// can move from one payment model to another during the term.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub to_year: Option<u32>,
    /// The providers this component pays (default: whoever holds the arm's contracts), so that
    /// one arm can pay its providers differently: the acute trust by activity, the community
    /// provider a block.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1))]
    pub providers: Option<Vec<String>>,
    /// Share of savings paid to the provider.
    #[schemars(range(min = 0, max = 1))]
    pub provider_share: f64,
    /// The providers it pays share one benchmark as an alliance: savings are measured on their
    /// costs and benchmarks added together, and each ends the year with its benchmark's share
    /// of the alliance's savings and the payment on them. Default: each provider's own.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub pooled: bool,
    /// Savings below this share of the benchmark are not shared (minimum savings rate).
    #[serde(default)]
    #[schemars(range(min = 0, max = 1))]
    pub min_savings_rate: f64,
    /// Share of losses the provider repays (0: one-sided).
    #[serde(default)]
    #[schemars(range(min = 0, max = 1))]
    pub loss_share: f64,
    /// Losses below this share of the benchmark are not shared.
    #[serde(default)]
    #[schemars(range(min = 0, max = 1))]
    pub min_loss_rate: f64,
    /// Largest payment either way, as a share of the benchmark.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0))]
    pub cap: Option<f64>,
    /// Benchmark as a multiple of expected cost on trend for the population actually covered
    /// (a risk-adjusted cost norm); below 1 builds a required saving into it.
    #[serde(default = "one")]
    #[schemars(extend("exclusiveMinimum" = 0))]
    pub benchmark_vs_expected: f64,
    /// What is measured against the benchmark: the holder's cost of care, or the
    /// commissioner's spend on it under the arm's other components (Kinzigtal: the insurers'
    /// savings against the cost norm).
    #[serde(default)]
    pub against: SavingsAgainst,
    /// How the benchmark is adjusted for the risk of the people covered.
    #[serde(default)]
    pub risk_adjustment: RiskAdjustment,
    /// Whether the benchmark's weights follow each year's population or are fixed at start.
    #[serde(default)]
    pub weights: Weights,
    /// Whether the benchmark moves with demand and inflation as expected before the term or
    /// as they turned out.
    #[serde(default)]
    pub benchmark_trend: BenchmarkTrend,
    #[serde(default)]
    pub settle: Settle,
    /// Re-set the benchmark on the holder's cost of an earlier year, moved on by the cost norm's
    /// growth since (default: never): a saving made then lowers every benchmark set on it, a
    /// ratchet. Needs `against = "cost"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rebase: Option<Rebase>,
}

/// A deduction when an indicator is worse than a minimum standard.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct QualitySpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// First contract year this component pays in (from 1; default: the first).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub from_year: Option<u32>,
    /// Last contract year this component pays in (default: the last). With `from_year`, an arm
    /// can move from one payment model to another during the term.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub to_year: Option<u32>,
    /// The providers this component pays (default: whoever holds the arm's contracts), so that
    /// one arm can pay its providers differently: the acute trust by activity, the community
    /// provider a block.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1))]
    pub providers: Option<Vec<String>>,
    pub indicator: String,
    #[serde(default)]
    pub better: Better,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minimum: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minimum_vs_expected: Option<f64>,
    /// Deduction as a share of contract value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = 1))]
    pub deduction_share: Option<f64>,
    /// Deduction in £ at the first year's prices, uplifted with the price index.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0))]
    pub deduction: Option<f64>,
    /// `yearly`: deducted in each year the indicator falls short; `term`: the deductions of all
    /// its years, once, in the last of them, when the mean of its years' values falls short.
    #[serde(default)]
    pub settle: Settle,
}

impl ComponentSpec {
    /// Every [`ComponentSpec::kind`], in the order the schema lists them.
    pub const KINDS: [&'static str; 8] = [
        "fixed",
        "activity",
        "capitation",
        "outcome",
        "per_unit",
        "risk_share",
        "shared_savings",
        "quality_deduction",
    ];

    pub fn kind(&self) -> &'static str {
        match self {
            ComponentSpec::Fixed(_) => "fixed",
            ComponentSpec::Activity(_) => "activity",
            ComponentSpec::Capitation(_) => "capitation",
            ComponentSpec::Outcome(_) => "outcome",
            ComponentSpec::PerUnit(_) => "per_unit",
            ComponentSpec::RiskShare(_) => "risk_share",
            ComponentSpec::SharedSavings(_) => "shared_savings",
            ComponentSpec::QualityDeduction(_) => "quality_deduction",
        }
    }

    pub fn custom_name(&self) -> Option<&str> {
        match self {
            ComponentSpec::Fixed(c) => c.name.as_deref(),
            ComponentSpec::Activity(c) => c.name.as_deref(),
            ComponentSpec::Capitation(c) => c.name.as_deref(),
            ComponentSpec::Outcome(c) => c.name.as_deref(),
            ComponentSpec::PerUnit(c) => c.name.as_deref(),
            ComponentSpec::RiskShare(c) => c.name.as_deref(),
            ComponentSpec::SharedSavings(c) => c.name.as_deref(),
            ComponentSpec::QualityDeduction(c) => c.name.as_deref(),
        }
    }

    /// The contract years (from 1) this component pays in: (from, to), each absent for open.
    pub fn years(&self) -> (Option<u32>, Option<u32>) {
        match self {
            ComponentSpec::Fixed(c) => (c.from_year, c.to_year),
            ComponentSpec::Activity(c) => (c.from_year, c.to_year),
            ComponentSpec::Capitation(c) => (c.from_year, c.to_year),
            ComponentSpec::Outcome(c) => (c.from_year, c.to_year),
            ComponentSpec::PerUnit(c) => (c.from_year, c.to_year),
            ComponentSpec::RiskShare(c) => (c.from_year, c.to_year),
            ComponentSpec::SharedSavings(c) => (c.from_year, c.to_year),
            ComponentSpec::QualityDeduction(c) => (c.from_year, c.to_year),
        }
    }

    /// How the component's amount (an activity component's plan) is re-set on outturn, with
    /// what it is set on filled in where the file leaves it out: an amount on `cost`, a plan on
    /// `volume`.
    pub fn rebase(&self) -> Option<Rebase> {
        let (rebase, default) = match self {
            ComponentSpec::Fixed(c) => (c.rebase, RebaseOn::Cost),
            ComponentSpec::Activity(c) => (c.rebase, RebaseOn::Volume),
            ComponentSpec::Capitation(c) => (c.rebase, RebaseOn::Cost),
            ComponentSpec::SharedSavings(c) => (c.rebase, RebaseOn::Cost),
            _ => return None,
        };
        rebase.map(|r| Rebase {
            on: r.on.or(Some(default)),
            ..r
        })
    }

    /// Writes [`ComponentSpec::rebase`], its `on` filled in, into the component, so that the
    /// resolved scenario states it.
    pub fn fill_rebase_outturn(&mut self) {
        let filled = self.rebase();
        match self {
            ComponentSpec::Fixed(c) => c.rebase = filled,
            ComponentSpec::Activity(c) => c.rebase = filled,
            ComponentSpec::Capitation(c) => c.rebase = filled,
            ComponentSpec::SharedSavings(c) => c.rebase = filled,
            _ => {}
        }
    }

    /// The providers the component pays, when it names them ([`FixedSpec::providers`]).
    pub fn providers(&self) -> Option<&[String]> {
        match self {
            ComponentSpec::Fixed(c) => c.providers.as_deref(),
            ComponentSpec::Activity(c) => c.providers.as_deref(),
            ComponentSpec::Capitation(c) => c.providers.as_deref(),
            ComponentSpec::Outcome(c) => c.providers.as_deref(),
            ComponentSpec::PerUnit(c) => c.providers.as_deref(),
            ComponentSpec::RiskShare(c) => c.providers.as_deref(),
            ComponentSpec::SharedSavings(c) => c.providers.as_deref(),
            ComponentSpec::QualityDeduction(c) => c.providers.as_deref(),
        }
    }

    /// The people whose care the component pays for, when it names them
    /// ([`FixedSpec::people`]).
    pub fn people(&self) -> Option<Strata> {
        let people = match self {
            ComponentSpec::Fixed(c) => c.people.as_ref(),
            ComponentSpec::Activity(c) => c.people.as_ref(),
            ComponentSpec::Capitation(c) => c.people.as_ref(),
            _ => None,
        };
        people.map(People::strata)
    }

    /// Whether the component pays provider `name` when it holds a contract of the arm.
    pub fn pays_provider(&self, name: &str) -> bool {
        self.providers()
            .is_none_or(|names| names.iter().any(|n| n == name))
    }

    /// Whether the component pays in contract year `year` (from 1).
    pub fn active_in(&self, year: u32) -> bool {
        let (from, to) = self.years();
        from.is_none_or(|f| year >= f) && to.is_none_or(|t| year <= t)
    }

    /// Whether a lead provider passes a share of this component's payments to its
    /// subcontractors (`pass_through`): outcome and shared-savings payments.
    pub fn passes_through(&self) -> bool {
        matches!(
            self,
            ComponentSpec::Outcome(_) | ComponentSpec::SharedSavings(_)
        )
    }

    /// Pays for performance against indicators: what a holder earns from it is uncertain by
    /// design, so a corridor on the result does not share it back.
    pub fn is_incentive(&self) -> bool {
        matches!(
            self,
            ComponentSpec::Outcome(_)
                | ComponentSpec::PerUnit(_)
                | ComponentSpec::QualityDeduction(_)
        )
    }

    /// Whether the component settles each year or once over its years ([`Settle`]): amounts
    /// set in advance (fixed, activity, capitation) are paid each year.
    pub fn settle(&self) -> Settle {
        match self {
            ComponentSpec::Outcome(c) => c.settle,
            ComponentSpec::PerUnit(c) => c.settle,
            ComponentSpec::QualityDeduction(c) => c.settle,
            ComponentSpec::RiskShare(c) => c.settle,
            ComponentSpec::SharedSavings(c) => c.settle,
            ComponentSpec::Fixed(_) | ComponentSpec::Activity(_) | ComponentSpec::Capitation(_) => {
                Settle::Yearly
            }
        }
    }

    /// Whether a risk share or shared savings is settled on the pooled result of the providers
    /// it pays (an alliance), not on each one's own.
    pub fn pooled(&self) -> bool {
        match self {
            ComponentSpec::RiskShare(s) => s.pooled,
            ComponentSpec::SharedSavings(s) => s.pooled,
            _ => false,
        }
    }

    /// Risk shares and shared savings settle on the result of everything else.
    pub fn settles_on_result(&self) -> bool {
        matches!(
            self,
            ComponentSpec::RiskShare(_) | ComponentSpec::SharedSavings(_)
        )
    }
}

/// How a risk share or shared savings pooled between its providers (an alliance) works, for
/// its description ("" when each provider's is its own): `by` is what the shares follow.
fn pooled_words(pooled: bool, by: &str) -> String {
    if pooled {
        format!(
            "; pooled between the providers it pays as an alliance, each ending with its {by}'s \
             share of theirs"
        )
    } else {
        String::new()
    }
}

/// How an incentive settled over the term is paid, for its description ("" when yearly):
/// `what` is what happens once, in the last of its years.
fn settled_over_term_words(settle: Settle, what: &str) -> String {
    match settle {
        Settle::Yearly => String::new(),
        Settle::Term => {
            format!(", judged once on the average of its years' values, {what} in the last of them")
        }
    }
}

/// A share as a percentage, with one place only where it needs one: 0.02 as "2%", 0.025 as
/// "2.5%".
pub(crate) fn pct(x: f64) -> String {
    // Rounded as every percentage the outputs show: a half up, after the product's residue.
    let shown = format!("{:.1}", crate::report::percent_rounded(x, 1));
    format!("{}%", shown.strip_suffix(".0").unwrap_or(&shown))
}

/// `text` with its first letter a capital, to start a sentence or a label.
pub fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// A reader's name for an indicator or activity type.
pub fn plain_name(name: &str) -> String {
    // A waiting list's indicators: named after the care waited for.
    for (suffix, words) in [
        ("_52_week_waiters", "people waiting 52 weeks or more for "),
        ("_waiting_list", "people waiting for "),
        ("_median_wait_weeks", "median wait in weeks for "),
    ] {
        if let Some(list) = name.strip_suffix(suffix) {
            return format!("{words}{}", plain_name(list));
        }
    }
    let (stem, unit) = match name.rsplit_once('_') {
        Some((stem, "count")) => (stem, ""),
        _ => match name.strip_suffix("_per_1000") {
            Some(stem) => (stem, " per 1,000 people"),
            None => (name, ""),
        },
    };
    if let Some((_, label)) = LABELS.iter().find(|(code, _)| *code == stem) {
        return format!("{label}{unit}");
    }
    // A type of a scenario's own named after a standard one (elective_leeds): the standard
    // one's words, and what sets it apart.
    let widest = LABELS
        .iter()
        .filter(|(code, _)| stem.len() > code.len() + 1 && stem.starts_with(&format!("{code}_")))
        .max_by_key(|(code, _)| code.len());
    match widest {
        Some((code, label)) => format!(
            "{label} ({}){unit}",
            stem[code.len() + 1..].replace('_', " ")
        ),
        None => format!("{}{unit}", stem.replace('_', " ")),
    }
}

/// Readers' names for the standard activity types and indicators.
const LABELS: [(&str, &str); 17] = [
    ("gp", "GP and practice nurse appointments"),
    ("community", "community contacts"),
    ("mental_health", "mental health contacts"),
    ("outpatient", "outpatient attendances"),
    ("ae", "A&E attendances"),
    ("elective", "planned admissions"),
    ("non_elective", "emergency admissions"),
    ("nel_bed_days", "emergency excess bed days"),
    // The cost of the care delivered, not what the commissioner pays (summary.csv's).
    ("spend_per_head", "cost of care per head"),
    ("head_count", "people covered"),
    ("deaths", "deaths"),
    ("condition", "people with the condition"),
    ("condition_onsets", "people gaining the condition"),
    ("onsets", "new long-term conditions"),
    (
        "second_ltc_onsets",
        "people gaining a second long-term condition",
    ),
    (
        "mean_age_second_ltc_onset",
        "mean age at a second long-term condition",
    ),
    (
        "multimorbidity_share",
        "share with two or more long-term conditions",
    ),
];

/// A number as a reader writes it: 1,500, or 12.5 when not whole.
fn thousands_f64(x: f64) -> String {
    pounds(x).replacen('£', "", 1)
}

/// Pounds as a reader writes them: £2,000, or £12.50 when not whole (the report's format).
fn pounds(x: f64) -> String {
    let whole = (x - x.round()).abs() < 0.005;
    crate::report::MoneyUnit::pounds(if whole { 0 } else { 2 }).show(x)
}

/// A component's yearly cap: ", capped at £1,000,000 a year".
fn capped_words(cap: f64) -> String {
    format!(", capped at {} a year", pounds(cap))
}

/// An uplift on an amount: " plus 2%", " less 20%", or nothing.
fn uplift_words(uplift: f64) -> String {
    if uplift > 0.0 {
        format!(" plus {}", pct(uplift))
    } else if uplift < 0.0 {
        format!(" less {}", pct(-uplift))
    } else {
        String::new()
    }
}

/// How a re-based amount is re-set: "re-set each year on …".
fn rebase_words(r: Rebase) -> String {
    let when = match r.every {
        1 => "each year".to_string(),
        n => format!("every {n} years"),
    };
    let then = match r.lag {
        1 => "the year before".to_string(),
        n => format!("{n} years before"),
    };
    match r.on_or_cost() {
        RebaseOn::Cost => format!("re-set {when} on the provider's cost {then}."),
        RebaseOn::Tariff => format!("re-set {when} on the provider's activity at tariff {then}."),
        RebaseOn::Volume => format!(
            "re-set {when} on the provider's count of each type {then}, moved on by the type's \
             planned growth since."
        ),
    }
}

/// How an amount moves from year to year, as a phrase after it (", uplifted each year …"),
/// told for when it pays: nothing moves in a component paying in year 1 only; one paying in one
/// later year is moved there from year 1; one re-set every year is moved on from the year it is
/// set on, never "each year" beside "re-set each year".
fn moves_words(i: Index, years: (Option<u32>, Option<u32>), rebase: Option<Rebase>) -> String {
    let single_year = match years {
        (None, Some(1)) => Some(1),
        (Some(from), Some(to)) if from == to => Some(from),
        _ => None,
    };
    let reset_yearly = rebase.is_some_and(|r| r.every == 1);
    let phrase = match (
        single_year,
        rebase.is_some() && (reset_yearly || single_year.is_some()),
    ) {
        (_, true) => match i {
            Index::Price => {
                "moved on from the year it is set on with tariff prices only, not with demand \
                 growth, which the provider carries"
            }
            Index::ExpectedCost => {
                "moved on from the year it is set on with expected cost on trend"
            }
            Index::None => "not moved on from the year it is set on",
        },
        (Some(1), false) => return String::new(),
        (Some(_), false) => match i {
            Index::Price => {
                "uplifted from year 1 with tariff prices only, not with demand growth, which the \
                 provider carries"
            }
            Index::ExpectedCost => "moved from year 1 with expected cost on trend",
            Index::None => "at year-1 prices, neither prices nor demand growth funded",
        },
        (None, false) => index_words(i),
    };
    format!(", {phrase}")
}

fn index_words(i: Index) -> &'static str {
    match i {
        Index::Price => {
            "uplifted each year with tariff prices only, not with demand growth, which the \
             provider carries"
        }
        Index::ExpectedCost => "moving each year with expected cost on trend",
        Index::None => "the same every year, neither prices nor demand growth funded",
    }
}

/// A monitored indicator's target: the value given, or a multiple of the expected baseline
/// value, or none.
pub fn resolve_target_opt(
    target: Option<f64>,
    vs_expected: Option<f64>,
    expected: f64,
) -> Option<f64> {
    target.or(vs_expected.map(|v| v * expected))
}

impl ComponentSpec {
    /// One sentence a non-technical reader understands, with the providers it pays, the people
    /// whose care it pays for and the years it pays in when they are not all of them;
    /// `condition` names the scenario's condition.
    pub fn describe(&self, condition: Option<&str>) -> String {
        let terms = self.describe_terms();
        let years = match self.years() {
            (None, None) => None,
            (Some(f), None) => Some(format!("from year {f}")),
            (None, Some(1)) => Some("in year 1".to_string()),
            (None, Some(t)) => Some(format!("in years 1 to {t}")),
            (Some(f), Some(t)) if f == t => Some(format!("in year {f}")),
            (Some(f), Some(t)) => Some(format!("in years {f} to {t}")),
        };
        let providers = self
            .providers()
            .map(|names| format!("for {} only", names.join(" and ")));
        let people = self.people().map(|p| match p.words(condition).as_str() {
            "" => "for the care of everyone".to_string(),
            who => format!("for the care of people {who}"),
        });
        let when: Vec<String> = [years, providers, people].into_iter().flatten().collect();
        if when.is_empty() {
            terms
        } else {
            format!("{}: {terms}", capitalised(&when.join(", ")))
        }
    }

    fn describe_terms(&self) -> String {
        match (self.rebase(), self) {
            (Some(r), ComponentSpec::SharedSavings(_)) => {
                format!(
                    "{} The benchmark is {}",
                    self.describe_amount(),
                    rebase_words(r)
                )
            }
            (Some(r), ComponentSpec::Activity(_)) => {
                format!(
                    "{} The planned volume is {}",
                    self.describe_amount(),
                    rebase_words(r)
                )
            }
            (Some(r), _) => format!("{} Re{}", self.describe_amount(), &rebase_words(r)[2..]),
            (None, _) => self.describe_amount(),
        }
    }

    fn describe_amount(&self) -> String {
        let moves = |index| moves_words(index, self.years(), self.rebase());
        match self {
            ComponentSpec::Fixed(c) => match c.amount {
                Some(a) => format!(
                    "A fixed payment of £{:.1}m a year{}{}.",
                    a / 1e6,
                    uplift_words(c.uplift),
                    moves(c.index)
                ),
                None => format!(
                    "A fixed payment of {} of expected cost{}{}.",
                    pct(c.share),
                    uplift_words(c.uplift),
                    moves(c.index)
                ),
            },
            ComponentSpec::Activity(c) => {
                let what = match &c.types {
                    Some(t) => t
                        .iter()
                        .map(|x| plain_name(x))
                        .collect::<Vec<_>>()
                        .join(", "),
                    None => "all activity".into(),
                };
                let cap = c.cap.map(capped_words).unwrap_or_default();
                let pays = match c.baseline_volume {
                    None => format!(
                        "Pays {} of the national price for each unit of {what}",
                        pct(c.price_share)
                    ),
                    Some(b) => {
                        let short = if c.below_baseline_rate > 0.0 {
                            format!(
                                ", and deducts {} of price for each unit short of it",
                                pct(c.below_baseline_rate)
                            )
                        } else {
                            String::new()
                        };
                        let above = pct(c.marginal_rate.unwrap_or(c.price_share));
                        if c.price_share == 0.0 {
                            // Planned volume is paid for elsewhere (a block or capitation).
                            format!(
                                "Pays {above} of price for each unit of {what} beyond {} of planned volume{short}",
                                pct(b)
                            )
                        } else {
                            format!(
                                "Pays {} of price up to {} of planned volume of {what}, {above} of price for each unit above it{short}",
                                pct(c.price_share),
                                pct(b)
                            )
                        }
                    }
                };
                format!("{pays}{cap}.")
            }
            ComponentSpec::Capitation(c) => format!(
                "Pays {}{} per person, {}{}{}.",
                c.per_head
                    .map(|p| format!("£{p:.0}"))
                    .unwrap_or_else(|| "expected cost".into()),
                uplift_words(c.uplift),
                match c.risk_adjustment {
                    RiskAdjustment::None => "the same for everyone",
                    RiskAdjustment::AgeSex => "weighted by age and sex",
                    RiskAdjustment::AgeSexDeprivationRurality =>
                        "weighted by age, sex, deprivation and rurality",
                    RiskAdjustment::Full =>
                        "weighted by age, sex, deprivation, rurality and long-term conditions",
                },
                match (c.risk_adjustment, c.weights) {
                    (RiskAdjustment::Full, Weights::Fixed) =>
                        " (long-term conditions as at contract start)",
                    _ => "",
                },
                moves(c.index)
            ),
            ComponentSpec::Outcome(c) => format!(
                "Holds back {} and pays it by results on {}{}.",
                match (c.pool, c.pool_share) {
                    (Some(p), _) => format!("£{:.1}m", p / 1e6),
                    (None, Some(s)) => format!("{} of contract value", pct(s)),
                    _ => "a pool".into(),
                },
                c.indicators
                    .iter()
                    .map(|i| plain_name(&i.indicator))
                    .collect::<Vec<_>>()
                    .join(" and "),
                settled_over_term_words(c.settle, "every year's pool paid")
            ),
            ComponentSpec::PerUnit(c) => {
                let (rate, name) = (c.rate, plain_name(&c.indicator));
                let target = match (c.target, c.target_vs_expected, c.target_vs_previous) {
                    (_, _, Some(m)) if m != 1.0 => format!("{m} times its level the year before"),
                    (_, _, Some(_)) => "its level the year before".to_string(),
                    (_, Some(m), _) if m != 1.0 => {
                        format!("{} of the level the year is expected to bring", pct(m))
                    }
                    (_, Some(_), _) => "the level the year is expected to bring".to_string(),
                    (Some(t), _, _) => format!("a target of {}", thousands_f64(t)),
                    _ => "the target".to_string(),
                };
                let (good, bad) = match c.better {
                    Better::Lower => ("below", "above"),
                    Better::Higher => ("above", "below"),
                };
                let rate = pounds(rate);
                let cap = c.cap.map(capped_words).unwrap_or_else(|| ", no cap".into());
                let cap = format!(
                    "{cap}{}",
                    settled_over_term_words(c.settle, "every year's units netted and paid")
                );
                match c.only {
                    None => format!(
                        "{rate} bonus for each unit {good} {target}, and {rate} penalty for each \
                         unit {bad} it, in {name}{cap}."
                    ),
                    Some(PerUnitSide::Bonus) => format!(
                        "{rate} bonus for each unit {good} {target} in {name}, no penalty{cap}."
                    ),
                    Some(PerUnitSide::Penalty) => format!(
                        "{rate} deducted for each unit {bad} {target} in {name}, no bonus{cap}."
                    ),
                }
            }
            ComponentSpec::RiskShare(c) => {
                let bands: Vec<String> = c
                    .bands
                    .iter()
                    .map(|b| match (b.above, b.below) {
                        (Some(a), _) => format!(
                            "overspend beyond {} shared {}:{}",
                            pct(a),
                            pct(b.provider_share),
                            pct(1.0 - b.provider_share)
                        ),
                        (_, Some(x)) => format!(
                            "underspend beyond {} shared {}:{}",
                            pct(x.abs()),
                            pct(b.provider_share),
                            pct(1.0 - b.provider_share)
                        ),
                        _ => String::new(),
                    })
                    .collect();
                format!(
                    "Risk share (provider:commissioner): {}{}{}{}{}.",
                    bands.join("; "),
                    c.provider_loss_cap
                        .map(|x| format!("; provider's loss limited to {}", pct(x)))
                        .unwrap_or_default(),
                    c.provider_gain_cap
                        .map(|x| format!("; provider's gain limited to {}", pct(x)))
                        .unwrap_or_default(),
                    if c.settle == Settle::Term {
                        "; settled over the whole term"
                    } else {
                        ""
                    },
                    pooled_words(c.pooled, "target")
                )
            }
            ComponentSpec::SharedSavings(c) => format!(
                "Shares with the provider {} of any saving in {} against {}expected cost {}{}{}{}{}.",
                pct(c.provider_share),
                match c.against {
                    SavingsAgainst::Cost => "the provider's cost",
                    SavingsAgainst::Spend => "the commissioner's spend",
                },
                if c.benchmark_vs_expected != 1.0 {
                    format!("{} of ", pct(c.benchmark_vs_expected))
                } else {
                    String::new()
                },
                match c.benchmark_trend {
                    BenchmarkTrend::Expected => "on its expected trend",
                    BenchmarkTrend::Realised => "at the year's national demand and inflation",
                },
                if c.min_savings_rate > 0.0 {
                    format!(" once they exceed {}", pct(c.min_savings_rate))
                } else {
                    String::new()
                },
                if c.loss_share > 0.0 {
                    format!("; the provider repays {} of overspends", pct(c.loss_share))
                } else {
                    String::new()
                },
                match c.settle {
                    Settle::Yearly => "",
                    Settle::Term => ", settled once on the whole term's totals",
                },
                pooled_words(c.pooled, "benchmark")
            ),
            ComponentSpec::QualityDeduction(c) => format!(
                "Deducts {} when {} is {} {} (the minimum standard){}.",
                match (c.deduction, c.deduction_share) {
                    (Some(d), _) => format!("£{d:.0}"),
                    (None, Some(s)) => format!("{} of contract value", pct(s)),
                    _ => "an amount".into(),
                },
                plain_name(&c.indicator),
                // Worse than the standard: above it where lower is better.
                match c.better {
                    Better::Lower => "above",
                    Better::Higher => "below",
                },
                match (c.minimum, c.minimum_vs_expected) {
                    (Some(m), _) => format!("{m}"),
                    (None, Some(r)) => format!("{} of its expected value", pct(r)),
                    _ => "the standard".into(),
                },
                settled_over_term_words(c.settle, "every year's deduction made")
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Which year's outturn sets each year's amount, for a component first paying in `first`.
    fn sources(every: u32, lag: u32, first: u32, years: u32) -> Vec<Option<u32>> {
        let rebase = Rebase {
            every,
            lag,
            on: None,
        };
        (1..=years).map(|y| rebase.source_year(first, y)).collect()
    }

    /// The report says how a re-based amount is re-set, and a capitation's uplift or cut.
    #[test]
    fn a_rebased_component_says_how_it_is_reset() {
        let component: ComponentSpec = toml::from_str(
            "kind = \"fixed\"\nindex = \"expected_cost\"\nrebase = { every = 3, lag = 2, on = \"tariff\" }",
        )
        .unwrap();
        assert_eq!(
            component.describe(None),
            "A fixed payment of 100% of expected cost, moving each year with expected cost on \
             trend. Re-set every 3 years on the provider's activity at tariff 2 years before."
        );
        let component: ComponentSpec =
            toml::from_str("kind = \"capitation\"\nuplift = -0.2\nrebase = { every = 1 }").unwrap();
        let words = component.describe(None);
        assert!(
            words.starts_with("Pays expected cost less 20% per person"),
            "{words}"
        );
        assert!(
            words.ends_with("Re-set each year on the provider's cost the year before."),
            "{words}"
        );
        let component: ComponentSpec = toml::from_str(
            "kind = \"shared_savings\"\nprovider_share = 0.5\nbenchmark_vs_expected = 0.98\n\
             settle = \"term\"\nrebase = { every = 1 }",
        )
        .unwrap();
        let words = component.describe(None);
        assert!(words.contains("against 98% of expected cost"), "{words}");
        assert!(
            words.contains("settled once on the whole term's totals."),
            "{words}"
        );
        let words = component.describe(None);
        assert!(
            words.ends_with(
                "The benchmark is re-set each year on the provider's cost the year before."
            ),
            "{words}"
        );
        let component: ComponentSpec = toml::from_str(
            "kind = \"activity\"\nprice_share = 0.0\nbaseline_volume = 1.0\nmarginal_rate = 0.5\nrebase = { lag = 2 }",
        )
        .unwrap();
        assert!(
            component.describe(None).ends_with(
                "Pays 50% of price for each unit of all activity beyond 100% of planned volume. \
                 The planned volume is re-set each year on the provider's count of each type 2 \
                 years before, moved on by the type's planned growth since."
            ),
            "{}",
            component.describe(None)
        );
    }

    /// Indicators read as words, money as a reader writes it, and a per-unit payment says on
    /// which side of its target it pays (regression: "£2000 bonus for each unit of elective 52
    /// week waiters better than target" and "non elective per 1000").
    #[test]
    fn components_are_described_in_words_not_codes() {
        assert_eq!(
            plain_name("elective_52_week_waiters"),
            "people waiting 52 weeks or more for planned admissions"
        );
        assert_eq!(
            plain_name("non_elective_per_1000"),
            "emergency admissions per 1,000 people"
        );
        assert_eq!(pounds(2000.0), "£2,000");
        assert_eq!(pounds(1_250_000.0), "£1,250,000");
        assert_eq!(pounds(12.5), "£12.50");
        let component: ComponentSpec = toml::from_str(
            "kind = \"per_unit\"\nindicator = \"elective_52_week_waiters\"\ntarget = 1500\nrate = 2000\nto_year = 1",
        )
        .unwrap();
        assert_eq!(
            component.describe(None),
            "In year 1: £2,000 bonus for each unit below a target of 1,500, and £2,000 penalty \
             for each unit above it, in people waiting 52 weeks or more for planned admissions, no \
             cap."
        );
        assert_eq!(
            plain_name("elective_leeds_waiting_list"),
            "people waiting for planned admissions (leeds)"
        );
        assert_eq!(plain_name("non_elective_count"), "emergency admissions");
        let component: ComponentSpec = toml::from_str(
            "kind = \"outcome\"\npool = 1e6\n[[indicators]]\nindicator = \"non_elective_per_1000\"\nweight = 1.0\ntarget = 80",
        )
        .unwrap();
        assert!(
            component
                .describe(None)
                .contains("on emergency admissions per 1,000 people"),
            "{}",
            component.describe(None)
        );
    }

    /// An activity component's cap is told, as a per-unit component's is.
    #[test]
    fn an_activity_components_cap_is_told() {
        let describe = |toml: &str| {
            toml::from_str::<ComponentSpec>(&format!("kind = \"activity\"\n{toml}"))
                .unwrap()
                .describe(None)
        };
        assert_eq!(
            describe("cap = 1_000_000"),
            "Pays 100% of the national price for each unit of all activity, capped at \
             £1,000,000 a year."
        );
        assert_eq!(
            describe("price_share = 0.0\nbaseline_volume = 1.0\nmarginal_rate = 0.5\ncap = 0"),
            "Pays 50% of price for each unit of all activity beyond 100% of planned volume, \
             capped at £0 a year."
        );
        assert_eq!(
            describe(""),
            "Pays 100% of the national price for each unit of all activity."
        );
    }

    /// How an amount moves is told for the years it pays: nothing moves in year 1 alone, one
    /// later year is reached from year 1, and an amount re-set every year is moved on from the
    /// year it is set on (regression: "uplifted each year" for a year-1 block, and beside
    /// "re-set each year").
    #[test]
    fn how_an_amount_moves_is_told_for_the_years_it_pays() {
        let describe = |toml: &str| {
            toml::from_str::<ComponentSpec>(&format!("kind = \"fixed\"\nshare = 1.0\n{toml}"))
                .unwrap()
                .describe(None)
        };
        assert_eq!(
            describe("to_year = 1"),
            "In year 1: A fixed payment of 100% of expected cost."
        );
        assert_eq!(
            describe("from_year = 3\nto_year = 3\nindex = \"none\""),
            "In year 3: A fixed payment of 100% of expected cost, at year-1 prices, neither \
             prices nor demand growth funded."
        );
        assert_eq!(
            describe("rebase = { every = 1 }"),
            "A fixed payment of 100% of expected cost, moved on from the year it is set on with \
             tariff prices only, not with demand growth, which the provider carries. Re-set each \
             year on the provider's cost the year before."
        );
        let every_three = describe("rebase = { every = 3 }");
        assert!(
            every_three.contains("uplifted each year with tariff prices")
                && every_three
                    .ends_with("Re-set every 3 years on the provider's cost the year before."),
            "{every_three}"
        );
        let capitation: ComponentSpec =
            toml::from_str("kind = \"capitation\"\nto_year = 1").unwrap();
        assert!(
            capitation.describe(None).ends_with("long-term conditions."),
            "{}",
            capitation.describe(None)
        );
    }

    #[test]
    fn a_rebased_amount_is_set_on_the_outturn_lag_years_before_its_last_rebasing_year() {
        // Annual contracts on the year just ended: the first year on the baseline.
        assert_eq!(sources(1, 1, 1, 4), [None, Some(1), Some(2), Some(3)]);
        // On the last complete year's accounts.
        assert_eq!(sources(1, 2, 1, 4), [None, None, Some(1), Some(2)]);
        // Three-year terms: re-set in years 1 and 4, held for the rest of each term.
        assert_eq!(
            sources(3, 1, 1, 6),
            [None, None, None, Some(3), Some(3), Some(3)]
        );
        // A block starting in year 3 is set on year 2, the year before it (Bedfordshire's on
        // the year before the contract); before its first year it pays nothing to set.
        assert_eq!(
            sources(2, 1, 3, 6),
            [None, None, Some(2), Some(2), Some(4), Some(4)]
        );
    }
}
