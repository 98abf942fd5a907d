//! capsim: a population capitation simulator.
//!
//! The pipeline, one module per stage: a [`scenario`] (TOML, merged onto its base and the model
//! defaults in `data/`, validated) describes a place. [`population`] turns it into head counts per
//! cell (age × sex × IMD quintile × rurality × LTC count), synthesised from England's published
//! structure or loaded from a CSV. Each replication ([`engine`]) draws its uncertain parameters,
//! then each year [`activity`] draws the year's activity and cost on the population (frailty sums,
//! Poisson counts and gamma costs per reporting group, with systematic shocks) and
//! [`transitions`] moves the population a year on (deaths, leavers, LTC onset, ageing,
//! arrivals). Every random draw comes from a stream derived from (seed, replication, stage)
//! ([`rng`]), so results are identical for any thread count. [`output`] writes the world table
//! and the run's provenance; [`cli`] is the command line.

pub mod activity;
pub mod cli;
pub mod contracts;
pub mod data;
pub mod engine;
pub mod error;
pub mod ledger;
pub mod population;
pub mod report;
pub mod rng;
pub mod run_folder;
pub mod scenario;
pub mod transitions;

pub use error::InputError;
