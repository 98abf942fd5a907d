//! capsim: a population capitation simulator.
//!
//! The pipeline, one module per stage, each importing only the ones before it: a [`scenario`]
//! (TOML, merged onto its base and the model defaults in `data/`, then validated in one pass that
//! reports every problem with its path) describes a place and the contracts to compare.
//! [`population`] turns it into head counts per cell (age × sex × IMD quintile × rurality × LTC
//! count), synthesised from England's published structure or loaded from a CSV. The
//! [`contracts`] are set once on the status quo's expectations ([`activity::expected`]). Each
//! replication ([`engine`]) draws its uncertain parameters, then each year draws the year's
//! shocks, [`activity`] and cost (frailty sums, Poisson counts and gamma costs per reporting
//! group), refers elective demand onto each [`waiting_list`] and delivers what capacity treats,
//! weighs the heads the contracts pay for, moves the population a year on
//! ([`transitions`]: deaths, leavers, LTC onset, ageing, arrivals), computes the indicators and
//! settles every arm into the [`ledger`]. An arm's [`interventions`] change the rates of its
//! world, simulated on the same random numbers as the status quo, whose contracts they never
//! change. Every random draw comes from a stream derived from (seed, replication, stage, and
//! for the cohort stages year and cell) ([`rng`]), so results are identical for any thread
//! count. The
//! [`run_folder`] module writes the results atomically and reads them back; [`report`] turns a
//! run folder into tables, charts and an HTML page; [`cli`] resolves flags into a run plan.

/// capsim's version.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// A fingerprint of the source this binary was built from (its code, embedded data and
/// scenarios, and locked dependencies; `build.rs`): two builds of one version from different
/// source can simulate different numbers.
pub const SOURCE: &str = env!("CAPSIM_SOURCE");

// In data-flow order.
/// Writes a line on standard error for the user (progress, warnings, errors). A closed stderr
/// (`capsim run … 2>&1 | head`) loses the line, never the run: `eprintln!` would panic.
#[macro_export]
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

pub mod activity;
pub mod bisect;
pub mod cli;
pub mod contracts;
pub mod corridor;
pub mod data;
pub mod engine;
pub mod error;
pub mod fnv;
pub mod interventions;
pub mod ledger;
pub mod population;
pub mod report;
pub mod risk_size;
pub mod rng;
pub mod run_folder;
pub mod sampling;
pub mod scenario;
pub mod sweep;
pub mod transitions;
pub mod unknown_name;
pub mod waiting_list;

pub use error::InputError;
