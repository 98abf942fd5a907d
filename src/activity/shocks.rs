//! Systematic variation: shared by everyone in a replication, so it does not shrink with N.

use rand::RngExt as _;
use rand_distr::{Distribution, StandardNormal};

use crate::rng::Rng;

/// This replication's systematic parameters (already drawn from their distributions).
#[derive(Debug, Clone, Copy)]
pub struct ShockInputs {
    pub demand_trend: f64,
    pub demand_noise_sd: f64,
    pub cost_inflation: f64,
    pub price_uplift: f64,
    pub bad_winter_probability: f64,
    pub bad_winter_effect: f64,
}

impl ShockInputs {
    /// What winters multiply a winter-sensitive rate by in expectation: 1 + the chance of a bad
    /// winter × its effect (what a contract is set on).
    pub fn expected_winter(&self) -> f64 {
        1.0 + self.bad_winter_probability * self.bad_winter_effect
    }
}

/// Multipliers for one simulated year.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct YearShock {
    /// Multiplies every activity rate: trend and the year's noise.
    pub demand: f64,
    /// Multiplies winter-sensitive rates (1 unless a bad winter).
    pub winter: f64,
    pub bad_winter: bool,
    /// Providers' unit costs relative to the first year.
    pub cost_index: f64,
    /// Prices relative to the first year.
    pub price_index: f64,
}

impl YearShock {
    pub const NONE: YearShock = YearShock {
        demand: 1.0,
        winter: 1.0,
        bad_winter: false,
        cost_index: 1.0,
        price_index: 1.0,
    };
}

/// Draws year `year` (0-based) from the shocks stream. Exactly two draws per year, whatever the
/// parameters, so a change to one parameter never shifts another year's draws.
pub fn draw_year(inputs: &ShockInputs, year: u32, rng: &mut Rng) -> YearShock {
    let z: f64 = StandardNormal.sample(rng);
    let u: f64 = rng.random();
    let sd = inputs.demand_noise_sd;
    // Lognormal with mean 1: noise never changes expected demand.
    let noise = (sd * z - 0.5 * sd * sd).exp();
    let y = year as i32;
    let bad_winter = u < inputs.bad_winter_probability;
    YearShock {
        demand: (1.0 + inputs.demand_trend).powi(y) * noise,
        winter: if bad_winter {
            1.0 + inputs.bad_winter_effect
        } else {
            1.0
        },
        bad_winter,
        cost_index: (1.0 + inputs.cost_inflation).powi(y),
        price_index: (1.0 + inputs.price_uplift).powi(y),
    }
}
