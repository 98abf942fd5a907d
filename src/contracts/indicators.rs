//! Indicator values of one year of the world, for the people covered.

use crate::scenario::Indicator;
use crate::waiting_list::ListYear;

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
    /// Events per activity type.
    pub counts: &'a [f64],
    /// Per activity type, its waiting list's year (all zero for a type without one).
    pub lists: &'a [ListYear],
    /// People with the condition at the start of the year, and those gaining it.
    pub condition_heads: f64,
    pub condition_onsets: f64,
}

/// Every indicator's value, in [`Indicator::slot`] order, written into `out`.
pub fn values(x: &IndicatorInputs, out: &mut Vec<f64>) {
    let per = |v: f64, k: f64| {
        if x.heads > 0.0 { v / x.heads * k } else { 0.0 }
    };
    out.clear();
    out.extend(Indicator::all(x.counts.len()).into_iter().map(|i| match i {
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
                0.0
            }
        }
        Indicator::ConditionCount => x.condition_heads,
        Indicator::ConditionOnsets => x.condition_onsets,
        Indicator::ConditionOnsetsPer1000 => per(x.condition_onsets, 1000.0),
        Indicator::Count(t) => x.counts[t],
        Indicator::Per1000(t) => per(x.counts[t], 1000.0),
        Indicator::WaitingList(t) => x.lists[t].size,
        Indicator::MedianWaitWeeks(t) => x.lists[t].median_wait_weeks,
        Indicator::LongWaiters(t) => x.lists[t].long_waiters,
    }));
}
