//! An elective waiting list as a scenario states it (see [`crate::waiting_list`] for the queue).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Param;
use super::validate::{Kind, MAX_GROWTH, MAX_RATIO};
use crate::error::Problems;
use crate::waiting_list::MAX_WEEKS;

/// Largest initial list: more than England's whole list (about 7.6 million in 2023/24).
pub const MAX_LIST: f64 = 1e9;

/// The waiting list of an elective activity type, held by the provider delivering it. Every
/// field but `initial` defaults to England's calibrated flows (data/waiting_list.toml).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WaitingListSpec {
    /// People waiting at the start of the first year (RTT incomplete pathways).
    pub initial: Param,
    /// How long they have waited: bands of weeks, in increasing order from 0, each with its
    /// share of the initial list (shares sum to 1).
    pub initial_waits: Vec<WaitBand>,
    /// Pathways referred onto the list per event of this type demanded (RTT clock starts per
    /// elective spell; with `treated_per_event = 1` too, 1 counts the list in spells).
    pub referrals_per_event: Param,
    /// Pathways treated (RTT clock stops) per event of this type delivered: each treatment
    /// delivers 1/`treated_per_event` events. Many clock stops are outpatient treatments, so
    /// at England's flows there are about 1.73 per elective spell; with `referrals_per_event`
    /// and `capacity_ratio` from the same source, a steady list delivers the type's `rate`.
    pub treated_per_event: Param,
    /// Treatments in the first year as a share of that year's expected referrals: below 1 the
    /// list grows, above 1 it shrinks.
    pub capacity_ratio: Param,
    /// Yearly growth of capacity.
    pub capacity_growth: Param,
    /// Share of referrals that are urgent and treated on arrival.
    pub urgent_share: Param,
    /// Share of routine capacity that treats the longest waiters first; the rest treats people
    /// whatever their wait (clinical priority, specialties), which keeps a tail of long waiters.
    pub in_order_share: Param,
    /// Share of those waiting who leave the list without treatment in a year.
    pub removal_rate: Param,
}

/// One band of the initial list's waits: up to `to_weeks` weeks (from the previous band's end).
#[derive(Debug, Clone, Copy, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WaitBand {
    #[schemars(range(min = 1))]
    pub to_weeks: f64,
    #[schemars(range(min = 0, max = 1))]
    pub share: f64,
}

impl WaitingListSpec {
    /// The initial waits as (upper bound in weeks, share).
    pub fn bands(&self) -> Vec<(f64, f64)> {
        self.initial_waits
            .iter()
            .map(|b| (b.to_weeks, b.share))
            .collect()
    }

    /// Checks what its parameters' own checks do not: the bands of the initial waits.
    pub fn check(&self, at: &str, problems: &mut Problems) {
        let path = format!("{at}.initial_waits");
        if self.initial_waits.is_empty() {
            problems.push(
                &path,
                "expected at least one band, e.g. [{ to_weeks = 18, share = 0.6 }, \
                 { to_weeks = 52, share = 0.4 }]",
            );
            return;
        }
        let mut from = 0.0;
        for (i, b) in self.initial_waits.iter().enumerate() {
            let whole = b.to_weeks.fract() == 0.0;
            if !(whole && b.to_weeks > from && b.to_weeks <= MAX_WEEKS as f64) {
                problems.push(
                    format!("{path}[{i}].to_weeks"),
                    format!(
                        "expected whole weeks, increasing from band to band, above {from} and at \
                         most {MAX_WEEKS}, found {}",
                        b.to_weeks
                    ),
                );
            }
            if !(0.0..=1.0).contains(&b.share) {
                problems.push(
                    format!("{path}[{i}].share"),
                    format!("expected a share between 0 and 1, found {}", b.share),
                );
            }
            from = b.to_weeks.max(from);
        }
        let sum: f64 = self.initial_waits.iter().map(|b| b.share).sum();
        if (sum - 1.0).abs() > 1e-6 {
            problems.push(
                &path,
                format!(
                    "expected shares summing to 1, found a sum of {}",
                    (sum * 1e9).round() / 1e9
                ),
            );
        }
    }
}

impl WaitingListSpec {
    /// The list's parameters, for validation and drawing: (field, parameter, kind, maximum).
    pub fn parameters(&self) -> [(&'static str, &Param, Kind, f64); 8] {
        [
            ("initial", &self.initial, Kind::NonNegative, MAX_LIST),
            (
                "referrals_per_event",
                &self.referrals_per_event,
                Kind::Positive,
                MAX_RATIO,
            ),
            (
                "treated_per_event",
                &self.treated_per_event,
                Kind::Positive,
                MAX_RATIO,
            ),
            (
                "capacity_ratio",
                &self.capacity_ratio,
                Kind::NonNegative,
                MAX_RATIO,
            ),
            (
                "capacity_growth",
                &self.capacity_growth,
                Kind::Growth,
                MAX_GROWTH,
            ),
            ("urgent_share", &self.urgent_share, Kind::Probability, 1.0),
            (
                "in_order_share",
                &self.in_order_share,
                Kind::Probability,
                1.0,
            ),
            ("removal_rate", &self.removal_rate, Kind::Probability, 1.0),
        ]
    }
}
