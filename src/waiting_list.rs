//! The elective waiting list: a stock of people waiting for treatment, by weeks waited.
//!
//! One list belongs to an activity type (an elective service) and so to the provider delivering
//! it. Each year the world's demand for that type refers people onto the list, and the provider's
//! capacity treats them; the year is stepped week by week, in this order:
//!
//! 1. everyone on the list waits one week more (the last bucket, [`MAX_WEEKS`] and over, keeps
//!    its people);
//! 2. the week's referrals join with no wait;
//! 3. some leave without treatment (validation, treated elsewhere, died): each bucket loses the
//!    weekly share equivalent to the yearly `removal_rate`;
//! 4. urgent referrals, `urgent_share` of the week's, are treated first, on arrival;
//! 5. `in_order_share` of the rest of the week's capacity treats the longest waiters first (in
//!    order); the remainder treats people whatever their wait, in proportion to how many wait
//!    each week (clinical priority and specialties that do not follow the order), which is what
//!    keeps a tail of long waiters on a list that is not growing.
//!
//! The list is a fluid: people are counted as real numbers, split evenly over the weeks of a
//! year. Its randomness is that of what drives it: referrals follow the world's drawn demand
//! (Poisson counts on frailty and shocks), capacity is a parameter that may be uncertain. The
//! year's treatments deliver that type's activity: its count, cost and value are scaled by
//! the events treated (treated / `treated_per_event`) over the events demanded, held to the
//! demand plus the backlog cleared ([`ListInputs::delivered_share`]), so a provider short of
//! capacity does less (and costs less) and its list grows, and one clearing a backlog does more
//! than its demand.

/// Longest wait tracked week by week; longer waits share the last bucket.
pub const MAX_WEEKS: usize = 260;
/// Weeks in a simulated year.
pub const WEEKS_PER_YEAR: usize = 52;
/// The wait the long-waiter indicator counts from (the NHS's 52-week standard).
pub const LONG_WAIT_WEEKS: usize = 52;

/// A list's parameters in one replication.
#[derive(Debug, Clone, PartialEq)]
pub struct ListInputs {
    /// People waiting at the start of year 1.
    pub initial: f64,
    /// Share of the initial list in each week of wait (sums to 1; [`MAX_WEEKS`] + 1 buckets).
    pub initial_profile: Vec<f64>,
    /// Pathways referred onto the list per event of the type demanded.
    pub referrals_per_event: f64,
    /// Pathways treated per event of the type delivered.
    pub treated_per_event: f64,
    /// Year-1 treatments as a share of the year's expected referrals.
    pub capacity_ratio: f64,
    /// Yearly growth of capacity.
    pub capacity_growth: f64,
    /// Share of referrals treated on arrival.
    pub urgent_share: f64,
    /// Share of routine capacity that treats the longest waiters first.
    pub in_order_share: f64,
    /// Share of those waiting who leave without treatment in a year.
    pub removal_rate: f64,
}

impl ListInputs {
    /// Events of the type delivered per event demanded when `treated` of `referrals` pathways
    /// are treated and the list shrank by `drawdown` pathways (negative: grew). Treatments, not
    /// referrals, are activity: a treated pathway is 1/`treated_per_event` events where a
    /// referred one is 1/`referrals_per_event` (fewer treated than referred on a steady list,
    /// the rest removed). But never more than the demand plus the backlog the year cleared,
    /// less what it added, each waiting pathway 1/`treated_per_event` events: a list kept empty
    /// by spare capacity removes almost nobody, and the pathways a longer wait would have
    /// removed (validated away, treated elsewhere) are not extra activity; and a list that grows
    /// and then clears delivers its demand over the two years, not more.
    pub fn delivered_share(&self, treated: f64, referrals: f64, drawdown: f64) -> f64 {
        let demanded = referrals / self.referrals_per_event;
        let most = (demanded + drawdown / self.treated_per_event).max(0.0);
        self.events_treated(treated).min(most) / demanded
    }

    /// Events of the type `treated` pathways deliver.
    pub fn events_treated(&self, treated: f64) -> f64 {
        treated / self.treated_per_event
    }

    /// Treatments the provider can give in year `year` (0-based): `capacity_ratio` of the
    /// first year's planned referrals, growing by `capacity_growth` a year.
    pub fn capacity(&self, planned_referrals: f64, year: u32) -> f64 {
        self.capacity_ratio * planned_referrals * (1.0 + self.capacity_growth).powi(year as i32)
    }
}

/// What a list did in one year, and where it stands at the year's end.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ListYear {
    pub referrals: f64,
    pub treated: f64,
    pub removed: f64,
    /// At the year's end: people waiting, their median wait in weeks, and those waiting
    /// [`LONG_WAIT_WEEKS`] weeks or more.
    pub size: f64,
    pub median_wait_weeks: f64,
    pub long_waiters: f64,
}

/// A measure of a list's year: its name and how to read it.
pub type Measure = (&'static str, fn(&ListYear) -> f64);

impl ListYear {
    /// Each measure's name (the suffix of its `world.parquet` column and its row in
    /// `waiting_list.csv`) and value.
    pub const MEASURES: [Measure; 6] = [
        ("referrals", |l| l.referrals),
        ("treated", |l| l.treated),
        ("removed", |l| l.removed),
        ("waiting_list", |l| l.size),
        ("median_wait_weeks", |l| l.median_wait_weeks),
        ("52_week_waiters", |l| l.long_waiters),
    ];
}

/// People waiting by weeks waited (bucket w holds waits of w to w + 1 weeks).
#[derive(Debug, Clone, PartialEq)]
pub struct WaitingList {
    waiting: Vec<f64>,
}

impl WaitingList {
    /// The list at the start of year 1.
    pub fn start(inputs: &ListInputs) -> Self {
        WaitingList {
            waiting: inputs
                .initial_profile
                .iter()
                .map(|s| s * inputs.initial)
                .collect(),
        }
    }

    pub fn size(&self) -> f64 {
        self.waiting.iter().sum()
    }

    /// People waiting `weeks` weeks or more.
    pub fn waiting_at_least(&self, weeks: usize) -> f64 {
        self.waiting[weeks.min(MAX_WEEKS)..].iter().sum()
    }

    /// Median wait in weeks of those waiting, interpolated within the week (0 when empty).
    pub fn median_wait_weeks(&self) -> f64 {
        let half = self.size() / 2.0;
        if half <= 0.0 {
            return 0.0;
        }
        let mut below = 0.0;
        for (w, &n) in self.waiting.iter().enumerate() {
            if n > 0.0 && below + n >= half {
                return w as f64 + (half - below) / n;
            }
            below += n;
        }
        MAX_WEEKS as f64
    }

    /// One year: `referrals` join over its weeks and `capacity` treats, in the order the module
    /// describes.
    pub fn run_year(&mut self, referrals: f64, capacity: f64, inputs: &ListInputs) -> ListYear {
        let weeks = WEEKS_PER_YEAR as f64;
        let arriving = referrals / weeks;
        let weekly_capacity = capacity / weeks;
        let stay = (1.0 - inputs.removal_rate).powf(1.0 / weeks);
        let mut year = ListYear {
            referrals,
            ..ListYear::default()
        };
        for _ in 0..WEEKS_PER_YEAR {
            let (treated, removed) = self.run_week(arriving, weekly_capacity, stay, inputs);
            year.treated += treated;
            year.removed += removed;
        }
        year.size = self.size();
        year.median_wait_weeks = self.median_wait_weeks();
        year.long_waiters = self.waiting_at_least(LONG_WAIT_WEEKS);
        year
    }

    /// One week; returns (treated, removed).
    fn run_week(
        &mut self,
        arriving: f64,
        capacity: f64,
        stay: f64,
        inputs: &ListInputs,
    ) -> (f64, f64) {
        let last = self.waiting.len() - 1;
        let oldest = self.waiting[last] + self.waiting[last - 1];
        self.waiting.copy_within(0..last - 1, 1);
        self.waiting[last] = oldest;
        self.waiting[0] = arriving;
        let mut removed = 0.0;
        for n in &mut self.waiting {
            let left = *n * (1.0 - stay);
            removed += left;
            *n -= left;
        }
        let urgent = (inputs.urgent_share * self.waiting[0]).min(capacity);
        self.waiting[0] -= urgent;
        let routine = capacity - urgent;
        let mut spare = routine * (1.0 - inputs.in_order_share);
        let mut in_order = routine - spare;
        for n in self.waiting.iter_mut().rev() {
            if in_order <= 0.0 {
                break;
            }
            let treated = n.min(in_order);
            *n -= treated;
            in_order -= treated;
        }
        spare += in_order;
        let left = self.size();
        if spare > 0.0 && left > 0.0 {
            let treated = spare.min(left);
            let keep = 1.0 - treated / left;
            self.waiting.iter_mut().for_each(|n| *n *= keep);
            spare -= treated;
        }
        (capacity - spare, removed)
    }
}

/// Spreads shares of a list over weeks of wait: `bands` are (upper bound in weeks, share), in
/// increasing order from 0, each share spread evenly over its band's weeks.
pub fn profile_from_bands(bands: &[(f64, f64)]) -> Vec<f64> {
    let mut profile = vec![0.0; MAX_WEEKS + 1];
    let mut from = 0usize;
    for &(to, share) in bands {
        let to = (to.round() as usize).clamp(from + 1, MAX_WEEKS + 1);
        let per_week = share / (to - from) as f64;
        for p in &mut profile[from..to] {
            *p += per_week;
        }
        from = to.min(MAX_WEEKS);
    }
    profile
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inputs(urgent_share: f64, removal_rate: f64) -> ListInputs {
        ListInputs {
            initial: 0.0,
            initial_profile: vec![0.0; MAX_WEEKS + 1],
            referrals_per_event: 1.0,
            treated_per_event: 1.0,
            capacity_ratio: 1.0,
            capacity_growth: 0.0,
            urgent_share,
            in_order_share: 1.0,
            removal_rate,
        }
    }

    /// England's ratios: 2.04 pathways referred and 1.733 treated per spell delivered.
    fn england_ratios() -> ListInputs {
        ListInputs {
            referrals_per_event: 2.04,
            treated_per_event: 1.733,
            ..inputs(0.1, 0.33)
        }
    }

    /// A steady list treating 85.3% of its referrals delivers its demand (held to it, the
    /// ratios' rounding would give 1.004); an empty list treating all of them delivers its
    /// demand, not 1.18 times it; clearing a backlog delivers more, by the backlog's events.
    #[test]
    fn treatments_deliver_the_demand_and_the_backlog_cleared() {
        let l = england_ratios();
        assert!((l.delivered_share(853.0, 1000.0, 0.0) - 1.0).abs() < 1e-12);
        assert!((l.delivered_share(1000.0, 1000.0, 0.0) - 1.0).abs() < 1e-12);
        // 1,000 referred and 200 from the backlog treated, nobody removed.
        let clearing = l.delivered_share(1200.0, 1000.0, 200.0);
        let expected = (1000.0 / 2.04 + 200.0 / 1.733) / (1000.0 / 2.04);
        assert!(
            clearing > 1.2 && (clearing - expected).abs() < 1e-12,
            "{clearing}"
        );
        // Short of capacity, 700 treated, 200 removed, the list 100 longer: what is treated.
        assert!(
            (l.delivered_share(700.0, 1000.0, -100.0) - 700.0 / 1.733 / (1000.0 / 2.04)).abs()
                < 1e-12
        );
    }

    /// A list that grows in one year and clears in the next, removing nobody, delivers over the
    /// two years exactly the events its referrals stand for.
    #[test]
    fn a_list_that_grows_then_clears_delivers_its_demand_over_both_years() {
        let l = england_ratios();
        let (r1, r2) = (1100.0, 900.0);
        let grown = 100.0; // treated 1000 of 1100 in year 1, 1000 of 900 in year 2
        let delivered = l.delivered_share(1000.0, r1, -grown) * r1 / 2.04
            + l.delivered_share(1000.0, r2, grown) * r2 / 2.04;
        assert!(delivered <= (r1 + r2) / 2.04 + 1e-9, "{delivered}");
    }

    fn list(waiting: &[(usize, f64)]) -> WaitingList {
        let mut l = WaitingList {
            waiting: vec![0.0; MAX_WEEKS + 1],
        };
        for &(w, n) in waiting {
            l.waiting[w] = n;
        }
        l
    }

    /// A queue worked by hand, week by week: 10 arrive each week, 6 are treated, 2 of them
    /// urgent (20% of 10), the other 4 the longest waiters.
    #[test]
    fn a_week_matches_the_queue_worked_by_hand() {
        let x = inputs(0.2, 0.0);
        let mut l = list(&[(0, 10.0), (3, 5.0)]);
        let (treated, removed) = l.run_week(10.0, 6.0, 1.0, &x);
        assert_eq!((treated, removed), (6.0, 0.0));
        // Waits move on a week: 10 at week 1, 5 at week 4. Arrivals 10 at week 0, 2 treated
        // urgently (8 left), then 4 of the 5 at week 4.
        assert_eq!(l.waiting[0], 8.0);
        assert_eq!(l.waiting[1], 10.0);
        assert_eq!(l.waiting[4], 1.0);
        assert_eq!(l.size(), 19.0);
        // Next week: 1 at week 5 and 3 of the 10 at week 2 are treated after 2 urgent.
        l.run_week(10.0, 6.0, 1.0, &x);
        assert_eq!(l.waiting[5], 0.0);
        assert_eq!(l.waiting[2], 7.0);
        assert_eq!(l.waiting[1], 8.0);
        assert_eq!(l.waiting[0], 8.0);
        assert_eq!(l.size(), 23.0);
    }

    #[test]
    fn removals_take_the_weekly_equivalent_of_the_yearly_rate() {
        let x = inputs(0.0, 0.5);
        let mut l = list(&[(10, 1000.0)]);
        let year = l.run_year(0.0, 0.0, &x);
        assert!((year.size - 500.0).abs() < 1e-9, "{}", year.size);
        assert!((year.removed - 500.0).abs() < 1e-9);
        // They have all waited a year more.
        assert!((l.waiting[62] - 500.0).abs() < 1e-9);
        assert_eq!(year.long_waiters, year.size);
    }

    /// People are conserved (start + referrals = treated + removed + end), capacity is used in
    /// full while anyone waits, and the oldest go first.
    #[test]
    fn a_year_conserves_people_and_a_shortfall_grows_the_list() {
        let x = inputs(0.1, 0.05);
        let mut l = list(&[(0, 300.0), (20, 700.0), (60, 50.0)]);
        let before = l.size();
        let y = l.run_year(5200.0, 4680.0, &x);
        let after = l.size();
        assert!((before + y.referrals - y.treated - y.removed - after).abs() < 1e-6);
        assert!((y.treated - 4680.0).abs() < 1e-6, "capacity used in full");
        assert_eq!(y.long_waiters, 0.0, "the oldest are treated first");

        // Capacity for everyone: the list is cleared and each week's referrals are treated in
        // the week they arrive.
        let mut l = list(&[(30, 1000.0)]);
        let y = l.run_year(5200.0, 1e9, &inputs(0.0, 0.0));
        assert_eq!(
            (y.size, y.median_wait_weeks, y.long_waiters),
            (0.0, 0.0, 0.0)
        );
        assert!((y.treated - 6200.0).abs() < 1e-6);
    }

    /// With half the routine capacity in order: 4 of the 8 routine places go to the oldest, the
    /// other 4 are spread over the 16 left in proportion (a quarter of each week's waiters).
    #[test]
    fn capacity_not_in_order_treats_in_proportion() {
        let x = ListInputs {
            in_order_share: 0.5,
            ..inputs(0.0, 0.0)
        };
        let mut l = list(&[(0, 8.0), (9, 12.0)]);
        let (treated, _) = l.run_week(0.0, 8.0, 1.0, &x);
        assert_eq!(treated, 8.0);
        // After the week's move: 8 at week 1, 12 at week 10; 4 of the oldest go, leaving 8 and
        // 8; a quarter of each is treated.
        assert_eq!(l.waiting[1], 6.0);
        assert_eq!(l.waiting[10], 6.0);
    }

    #[test]
    fn the_last_bucket_keeps_the_longest_waiters() {
        let mut l = list(&[(MAX_WEEKS, 4.0), (MAX_WEEKS - 1, 6.0)]);
        l.run_week(0.0, 0.0, 1.0, &inputs(0.0, 0.0));
        assert_eq!(l.waiting[MAX_WEEKS], 10.0);
        assert_eq!(l.size(), 10.0);
    }

    #[test]
    fn the_median_wait_interpolates_within_a_week() {
        // 10 waiting 0-1 weeks and 30 waiting 5-6 weeks: the 20th person is a third into week 5.
        let l = list(&[(0, 10.0), (5, 30.0)]);
        assert!((l.median_wait_weeks() - (5.0 + 10.0 / 30.0)).abs() < 1e-12);
        assert_eq!(list(&[]).median_wait_weeks(), 0.0);
    }

    #[test]
    fn bands_spread_evenly_over_their_weeks() {
        let p = profile_from_bands(&[(18.0, 0.6), (52.0, 0.3), (104.0, 0.1)]);
        assert_eq!(p.len(), MAX_WEEKS + 1);
        assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        assert!((p[0] - 0.6 / 18.0).abs() < 1e-15);
        assert!((p[51] - 0.3 / 34.0).abs() < 1e-15);
        assert!((p[52] - 0.1 / 52.0).abs() < 1e-15);
        assert_eq!(p[104], 0.0);
        let l = WaitingList::start(&ListInputs {
            initial: 1000.0,
            initial_profile: p,
            ..inputs(0.0, 0.0)
        });
        assert!((l.waiting_at_least(LONG_WAIT_WEEKS) - 100.0).abs() < 1e-9);
    }
}
