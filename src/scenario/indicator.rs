//! The indicators a contract can name: what the world reports each year for the people covered.
//!
//! Everything is of the people covered (the cohort, or everyone): rates per head (or per 1,000)
//! of those covered that year, deaths and onsets among them; and the scenario's own measures,
//! which the model does not simulate but takes as stated ([`MeasureSpec`]).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Param;

/// An indicator of the people covered that the cohort model does not simulate (employment, a
/// recovery score, crisis response within four hours), stated as an assumption so that a
/// contract can pay on it: the status quo's value each year is its level, uncertain across
/// replications, on a trend, with noise from year to year; a programme moves it for the people
/// it enrols (`effect.measure`). Named in contracts like any indicator.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MeasureSpec {
    /// The indicator's name (lower case, digits and `_`), as contracts name it.
    pub name: String,
    /// What it measures, in a sentence a reader of the results understands.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// The status quo's value in the first year (a distribution: drawn once per replication).
    pub value: Param,
    /// Relative change a year in the status quo (0.01: 1% a year higher).
    #[serde(default = "zero")]
    pub trend: Param,
    /// Standard deviation of each year's value around its level and trend, relative to it
    /// (0.05: 5%), drawn afresh every year and shared by every world.
    #[serde(default = "zero")]
    pub noise_sd: Param,
    /// Least value it can take (default 0).
    #[serde(default)]
    pub min: f64,
    /// Greatest value it can take (a share: 1; default none). A measure bounded by 1 is
    /// reported as a share.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
}

fn zero() -> Param {
    Param::fixed(0.0)
}

impl MeasureSpec {
    /// Where the measure's fields live: `measure.<name>`.
    pub fn path(&self) -> String {
        format!("measure.{}", self.name)
    }

    /// `value` held within the measure's bounds.
    pub fn bounded(&self, value: f64) -> f64 {
        value.max(self.min).min(self.max.unwrap_or(f64::INFINITY))
    }
}

/// What indicator names are made of: the activity types (in output order) and the scenario's
/// measures.
#[derive(Debug, Clone, Copy)]
pub struct IndicatorNames<'a> {
    pub types: &'a [String],
    pub measures: &'a [String],
}

/// One indicator. Activity types are referred to by their position in output order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Indicator {
    HeadCount,
    SpendPerHead,
    Deaths,
    DeathsPer1000,
    Onsets,
    OnsetsPer1000,
    /// People gaining a second long-term condition (the BNSSG outcome), per 1,000, and their
    /// mean age at the start of that year.
    SecondLtcOnsets,
    SecondLtcOnsetsPer1000,
    MeanAgeSecondLtcOnset,
    /// The share of the people covered at the start of the year with two or more long-term
    /// conditions (multimorbidity).
    MultimorbidityShare,
    /// People with the scenario's condition among those covered at the start of the year, and
    /// those gaining it during the year (count and per 1,000 covered).
    ConditionCount,
    ConditionOnsets,
    ConditionOnsetsPer1000,
    /// Events of one activity type.
    Count(usize),
    /// Events of one activity type per 1,000 people covered.
    Per1000(usize),
    /// An activity type's elective waiting list at the year's end: people waiting, their median
    /// wait in weeks, and those waiting 52 weeks or more.
    WaitingList(usize),
    MedianWaitWeeks(usize),
    LongWaiters(usize),
    /// One of the scenario's measures, by position; its value comes after those of the
    /// scenario's `types` activity types.
    Measure {
        index: usize,
        types: usize,
    },
}

/// Indicators per activity type, in slot order.
const PER_TYPE: usize = 5;

const POPULATION: [Indicator; 13] = [
    Indicator::HeadCount,
    Indicator::SpendPerHead,
    Indicator::Deaths,
    Indicator::DeathsPer1000,
    Indicator::Onsets,
    Indicator::OnsetsPer1000,
    Indicator::SecondLtcOnsets,
    Indicator::SecondLtcOnsetsPer1000,
    Indicator::MeanAgeSecondLtcOnset,
    Indicator::MultimorbidityShare,
    Indicator::ConditionCount,
    Indicator::ConditionOnsets,
    Indicator::ConditionOnsetsPer1000,
];

impl Indicator {
    /// Every indicator, in the order of [`Indicator::slot`]: population-level first, then five
    /// per activity type (those of a waiting list are 0 for a type without one), then the
    /// scenario's measures.
    pub fn all(types: usize, measures: usize) -> Vec<Indicator> {
        let mut v = POPULATION.to_vec();
        for t in 0..types {
            v.extend([
                Indicator::Count(t),
                Indicator::Per1000(t),
                Indicator::WaitingList(t),
                Indicator::MedianWaitWeeks(t),
                Indicator::LongWaiters(t),
            ]);
        }
        v.extend((0..measures).map(|index| Indicator::Measure { index, types }));
        v
    }

    /// The indicators a scenario may name: every one, but a waiting list's only for the types
    /// that have one (`has_list`, by type) and a condition's only with a condition.
    pub fn available(has_list: &[bool], has_condition: bool, measures: usize) -> Vec<Indicator> {
        Indicator::all(has_list.len(), measures)
            .into_iter()
            .filter(|i| !i.is_waiting_list() || i.activity_type().is_some_and(|t| has_list[t]))
            .filter(|i| has_condition || !i.is_condition())
            .collect()
    }

    fn is_condition(self) -> bool {
        matches!(
            self,
            Indicator::ConditionCount
                | Indicator::ConditionOnsets
                | Indicator::ConditionOnsetsPer1000
        )
    }

    fn is_waiting_list(self) -> bool {
        matches!(
            self,
            Indicator::WaitingList(_) | Indicator::MedianWaitWeeks(_) | Indicator::LongWaiters(_)
        )
    }

    /// Position of the indicator's value in a year's list of values.
    pub fn slot(self) -> usize {
        let per_type = |t: usize, k: usize| POPULATION.len() + PER_TYPE * t + k;
        match self {
            Indicator::Measure { index, types } => per_type(types, index),
            Indicator::Count(t) => per_type(t, 0),
            Indicator::Per1000(t) => per_type(t, 1),
            Indicator::WaitingList(t) => per_type(t, 2),
            Indicator::MedianWaitWeeks(t) => per_type(t, 3),
            Indicator::LongWaiters(t) => per_type(t, 4),
            other => POPULATION.iter().position(|&p| p == other).expect("listed"),
        }
    }

    pub fn name(self, names: IndicatorNames) -> String {
        let type_names = names.types;
        match self {
            Indicator::Measure { index, .. } => names.measures[index].clone(),
            Indicator::HeadCount => "head_count".into(),
            Indicator::SpendPerHead => "spend_per_head".into(),
            Indicator::Deaths => "deaths".into(),
            Indicator::DeathsPer1000 => "deaths_per_1000".into(),
            Indicator::Onsets => "onsets".into(),
            Indicator::OnsetsPer1000 => "onsets_per_1000".into(),
            Indicator::SecondLtcOnsets => "second_ltc_onsets".into(),
            Indicator::SecondLtcOnsetsPer1000 => "second_ltc_onsets_per_1000".into(),
            Indicator::MeanAgeSecondLtcOnset => "mean_age_second_ltc_onset".into(),
            Indicator::MultimorbidityShare => "multimorbidity_share".into(),
            Indicator::ConditionCount => "condition_count".into(),
            Indicator::ConditionOnsets => "condition_onsets".into(),
            Indicator::ConditionOnsetsPer1000 => "condition_onsets_per_1000".into(),
            Indicator::Count(t) => format!("{}_count", type_names[t]),
            Indicator::Per1000(t) => format!("{}_per_1000", type_names[t]),
            Indicator::WaitingList(t) => format!("{}_waiting_list", type_names[t]),
            Indicator::MedianWaitWeeks(t) => format!("{}_median_wait_weeks", type_names[t]),
            Indicator::LongWaiters(t) => format!("{}_52_week_waiters", type_names[t]),
        }
    }

    /// The indicator a scenario names.
    pub fn parse(name: &str, names: IndicatorNames) -> Option<Indicator> {
        Indicator::all(names.types.len(), names.measures.len())
            .into_iter()
            .find(|i| i.name(names) == name)
    }

    /// Whether the indicator counts what happened during a year (deaths, onsets, events), so
    /// that its years add up to the term's; head counts, rates, ages and waiting lists do not.
    pub fn is_flow(self) -> bool {
        matches!(
            self,
            Indicator::Deaths
                | Indicator::Onsets
                | Indicator::SecondLtcOnsets
                | Indicator::ConditionOnsets
                | Indicator::Count(_)
        )
    }

    /// What the indicator's values count or measure (outcomes.csv's `unit`, and its column's
    /// unit in outcomes.parquet's metadata).
    pub fn unit(self) -> &'static str {
        match self {
            Indicator::HeadCount
            | Indicator::Deaths
            | Indicator::Onsets
            | Indicator::SecondLtcOnsets
            | Indicator::ConditionCount
            | Indicator::ConditionOnsets => "people",
            Indicator::SpendPerHead => "£ per head covered (nominal)",
            Indicator::DeathsPer1000
            | Indicator::OnsetsPer1000
            | Indicator::SecondLtcOnsetsPer1000
            | Indicator::ConditionOnsetsPer1000 => "people per 1,000 covered",
            Indicator::MeanAgeSecondLtcOnset => "years of age",
            Indicator::MultimorbidityShare => "share (0 to 1)",
            Indicator::Count(_) => "events of the type",
            Indicator::Per1000(_) => "events per 1,000 people covered",
            Indicator::WaitingList(_) | Indicator::LongWaiters(_) => "pathways",
            Indicator::MedianWaitWeeks(_) => "weeks",
            Indicator::Measure { .. } => "the measure's own",
        }
    }

    /// The activity type an indicator counts, if any: it belongs to the provider delivering it
    /// (a waiting list's too: the provider treating the list holds it).
    pub fn activity_type(self) -> Option<usize> {
        match self {
            Indicator::Count(t)
            | Indicator::Per1000(t)
            | Indicator::WaitingList(t)
            | Indicator::MedianWaitWeeks(t)
            | Indicator::LongWaiters(t) => Some(t),
            _ => None,
        }
    }
}

impl crate::scenario::Scenario {
    /// The indicators this scenario reports and its contracts may name ([`Indicator::available`]),
    /// in slot order.
    pub fn indicators(&self) -> Vec<Indicator> {
        let has_list: Vec<bool> = self
            .activity
            .type_names()
            .iter()
            .map(|t| self.activity.types[t].waiting_list.is_some())
            .collect();
        Indicator::available(&has_list, self.condition.is_some(), self.measure.len())
    }

    /// The measures' names, in scenario order.
    pub fn measure_names(&self) -> Vec<String> {
        self.measure.iter().map(|m| m.name.clone()).collect()
    }

    /// Every indicator this scenario reports ([`Scenario::indicators`]) with its name.
    pub fn named_indicators(&self) -> Vec<(Indicator, String)> {
        let (types, measures) = (self.activity.type_names(), self.measure_names());
        let names = IndicatorNames {
            types: &types,
            measures: &measures,
        };
        self.indicators()
            .into_iter()
            .map(|i| (i, i.name(names)))
            .collect()
    }

    /// The indicator this scenario calls `name`, if it reports one.
    pub fn indicator_named(&self, name: &str) -> Option<Indicator> {
        self.named_indicators()
            .into_iter()
            .find(|(_, n)| n == name)
            .map(|(i, _)| i)
    }
}
