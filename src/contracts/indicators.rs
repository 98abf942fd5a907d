//! Indicator values of one year of the world, for the people covered.

use crate::scenario::Indicator;
use crate::waiting_list::ListYear;

/// An indicator's value in a year it has none (NaN): a contract judges nothing on it
/// ([`has_value`]), and tables leave it out of their statistics.
pub const NO_VALUE: f64 = f64::NAN;

/// Whether an indicator value (or a target worked out from one) is there to be judged.
#[inline]
pub fn has_value(v: f64) -> bool {
    !v.is_nan()
}

/// What the indicators are computed from.
#[derive(Debug, Clone, Copy)]
pub struct IndicatorInputs<'a> {
    pub heads: f64,
    pub total_cost: f64,
    pub deaths: f64,
    pub onsets: f64,
    pub second_ltc_onsets: f64,
    /// Sum of the ages of those gaining a second condition.
    pub second_ltc_onset_ages: f64,
    /// People with two or more long-term conditions at the start of the year.
    pub multimorbid_heads: f64,
    /// Events per activity type.
    pub counts: &'a [f64],
    /// Per activity type, its waiting list's year (all zero for a type without one).
    pub lists: &'a [ListYear],
    /// People with the condition at the start of the year, and those gaining it.
    pub condition_heads: f64,
    pub condition_onsets: f64,
    /// The scenario's measures' values this year.
    pub measures: &'a [f64],
}

/// Every indicator's value, in [`Indicator::slot`] order, written into `out`.
///
/// An indicator that has no value this year is [`NO_VALUE`]: a rate per head when nobody is
/// covered, the mean age at a second condition when nobody covered gains one. A count stays a
/// count (0), and an empty waiting list's median wait is 0 weeks.
pub fn values(x: &IndicatorInputs, out: &mut Vec<f64>) {
    let per = |v: f64, k: f64| {
        if x.heads > 0.0 {
            v / x.heads * k
        } else {
            NO_VALUE
        }
    };
    out.clear();
    out.extend(
        Indicator::all(x.counts.len(), x.measures.len())
            .into_iter()
            .map(|i| match i {
                Indicator::HeadCount => x.heads,
                Indicator::SpendPerHead => per(x.total_cost, 1.0),
                Indicator::Deaths => x.deaths,
                Indicator::DeathsPer1000 => per(x.deaths, 1000.0),
                Indicator::Onsets => x.onsets,
                Indicator::OnsetsPer1000 => per(x.onsets, 1000.0),
                Indicator::SecondLtcOnsets => x.second_ltc_onsets,
                Indicator::SecondLtcOnsetsPer1000 => per(x.second_ltc_onsets, 1000.0),
                Indicator::MeanAgeSecondLtcOnset => {
                    if x.second_ltc_onsets > 0.0 {
                        x.second_ltc_onset_ages / x.second_ltc_onsets
                    } else {
                        NO_VALUE
                    }
                }
                Indicator::MultimorbidityShare => per(x.multimorbid_heads, 1.0),
                Indicator::ConditionCount => x.condition_heads,
                Indicator::ConditionOnsets => x.condition_onsets,
                Indicator::ConditionOnsetsPer1000 => per(x.condition_onsets, 1000.0),
                Indicator::Count(t) => x.counts[t],
                Indicator::Per1000(t) => per(x.counts[t], 1000.0),
                Indicator::WaitingList(t) => x.lists[t].size,
                Indicator::MedianWaitWeeks(t) => x.lists[t].median_wait_weeks,
                Indicator::LongWaiters(t) => x.lists[t].long_waiters,
                Indicator::Measure { index, .. } => x.measures[index],
            }),
    );
}

/// Every indicator's value in one year ([`values`], [`Indicator::slot`] order), NaN where one
/// has none. Two are equal when each value is the same number or both have none, so that runs
/// with the same results compare equal (NaN is equal to nothing, not even itself). A shard's
/// JSON writes a value with none as `null`.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct IndicatorValues(#[serde(with = "json")] pub Vec<f64>);

impl PartialEq for IndicatorValues {
    fn eq(&self, other: &Self) -> bool {
        self.0.len() == other.0.len()
            && self
                .0
                .iter()
                .zip(&other.0)
                .all(|(a, b)| a == b || (!has_value(*a) && !has_value(*b)))
    }
}

impl std::ops::Deref for IndicatorValues {
    type Target = [f64];

    fn deref(&self) -> &[f64] {
        &self.0
    }
}

/// Indicator values in JSON, where a value with none is `null`: JSON has no NaN.
mod json {
    use super::{NO_VALUE, has_value};
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(values: &[f64], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(values.iter().map(|&v| has_value(v).then_some(v)))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<f64>, D::Error> {
        let values: Vec<Option<f64>> = Deserialize::deserialize(d)?;
        Ok(values.into_iter().map(|v| v.unwrap_or(NO_VALUE)).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inputs(heads: f64, second_ltc_onsets: f64) -> IndicatorInputs<'static> {
        IndicatorInputs {
            heads,
            total_cost: 0.0,
            deaths: 0.0,
            onsets: 0.0,
            second_ltc_onsets,
            second_ltc_onset_ages: 70.0 * second_ltc_onsets,
            multimorbid_heads: 0.25 * heads,
            counts: &[],
            lists: &[],
            condition_heads: 0.0,
            condition_onsets: 0.0,
            measures: &[],
        }
    }

    fn value(x: &IndicatorInputs, indicator: Indicator) -> f64 {
        let mut out = Vec::new();
        values(x, &mut out);
        out[indicator.slot()]
    }

    /// The mean age at a second condition is a value only when someone gains one, and rates
    /// per head only when someone is covered; counts are counts either way.
    #[test]
    fn indicators_without_a_value_are_no_value() {
        let age = Indicator::MeanAgeSecondLtcOnset;
        assert_eq!(value(&inputs(100.0, 2.0), age), 70.0);
        assert!(!has_value(value(&inputs(100.0, 0.0), age)));
        assert_eq!(value(&inputs(100.0, 0.0), Indicator::SecondLtcOnsets), 0.0);
        assert_eq!(value(&inputs(100.0, 0.0), Indicator::DeathsPer1000), 0.0);
        assert_eq!(
            value(&inputs(100.0, 0.0), Indicator::MultimorbidityShare),
            0.25
        );
        assert!(!has_value(value(
            &inputs(0.0, 0.0),
            Indicator::MultimorbidityShare
        )));
        assert!(!has_value(value(
            &inputs(0.0, 0.0),
            Indicator::DeathsPer1000
        )));
        assert!(!has_value(value(
            &inputs(0.0, 0.0),
            Indicator::SpendPerHead
        )));
        assert_eq!(value(&inputs(0.0, 0.0), Indicator::HeadCount), 0.0);
    }

    /// A shard's JSON writes a value with none as null and reads it back as none, and the
    /// values read back equal those written.
    #[test]
    fn no_value_survives_a_shards_json() {
        let written = IndicatorValues(vec![1.5, NO_VALUE, 0.0]);
        let text = serde_json::to_string(&written).unwrap();
        assert_eq!(text, "[1.5,null,0.0]");
        let read: IndicatorValues = serde_json::from_str(&text).unwrap();
        assert!(!has_value(read[1]));
        assert_eq!(read, written);
        assert_ne!(read, IndicatorValues(vec![1.5, 0.0, 0.0]));
        assert_ne!(read, IndicatorValues(vec![1.5, NO_VALUE]));
    }
}
