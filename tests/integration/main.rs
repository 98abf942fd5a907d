//! Integration tests: one binary, one module per concern.

mod bad_input;
mod case_studies;
mod cli;
mod common;
mod concentration;
mod conditions;
mod contracts;
mod determinism;
mod engine;
mod extremes;
mod interventions;
mod measures;
mod population;
mod report;
mod run_folder;
mod scenarios;
mod scheduler;
mod shards;
mod snapshot;
mod stress;
