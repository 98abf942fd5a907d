//! Speed of a replication-year at three sizes (a 5,300-person cohort, the default scenario's
//! 1.5 million people, England's 56.6 million, each with the default's six contracts; timed as
//! five-year replications, reported per year), and of the default's stages. Run with
//! `cargo bench --bench replication_year`; see README "Benchmarks".

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

use capsim::activity::frailty::{FrailtyDraws, FrailtySums};
use capsim::activity::{self, ActivityStreams, GroupMeans, YearActivity, shocks};
use capsim::engine::{Model, Workspace, run_replication};
use capsim::population::Population;
use capsim::population::synthesis::england_reference_shares;
use capsim::scenario::load_scenario_str;
use capsim::transitions::{
    Calibration, CellDraws, NoDraws, StepCounts, StepStreams, TransitionRates, step,
};

fn default_model(years: u32) -> Model {
    sized_model(years, 1_500_000)
}

fn sized_model(years: u32, people: u64) -> Model {
    let text = format!(
        "base = \"default\"\nname = \"bench\"\nyears = {years}\n[population]\nsize = {people}\n"
    );
    let loaded = load_scenario_str("bench.toml", &text, Path::new(".")).expect("scenario");
    Model::build(&loaded).expect("model")
}

/// One year's step of the model's starting population, with `draws` in each cell.
fn step_initial(
    model: &Model,
    rates: &TransitionRates,
    streams: &StepStreams,
    year: u32,
    next: &mut Population,
    draws: &mut impl CellDraws,
) -> StepCounts {
    step(
        &model.initial,
        next,
        &model.activity_mask,
        rates,
        &model.arrivals,
        streams,
        year,
        None,
        draws,
        &mut Vec::new(),
    )
}

/// Years per replication in the size benches: a whole five-year replication, as the default
/// runs it (a world's first year draws every frailty afresh and its last splits none, so one
/// year alone is not a typical year), reported per replication-year.
const YEARS: u32 = 5;

fn sizes(c: &mut Criterion) {
    let mut group = c.benchmark_group("replication_year");
    group.sample_size(20);
    group.throughput(Throughput::Elements(u64::from(YEARS)));
    for (label, people) in [("5300", 5_300), ("1.5M", 1_500_000), ("56.6M", 56_550_138)] {
        let model = sized_model(YEARS, people);
        let mut ws = Workspace::new();
        let mut r = 0u64;
        group.bench_function(label, |b| {
            b.iter(|| {
                r += 1;
                black_box(run_replication(&model, r, &mut ws))
            })
        });
    }
    group.finish();
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("default_1.5M");
    group.sample_size(30);

    let model = default_model(1);
    let mut ws = Workspace::new();
    let mut r = 0u64;
    group.bench_function("replication_year", |b| {
        b.iter(|| {
            r += 1;
            black_box(run_replication(&model, r, &mut ws))
        })
    });

    let params = model.draw_parameters(0);
    let mut lam = Vec::new();
    activity::fill_rates(&params.activity, england_reference_shares(), &mut lam);
    let nt = params.activity.types.len();
    let (k, rho) = (
        params.activity.frailty_shape,
        params.activity.frailty_persistence,
    );
    let mut rates = TransitionRates::empty();
    rates.fill(Calibration::england(), 1.0, 1.0);
    rates.set_leaver_rate(params.leaver_rate);
    rates.birth_rate = params.birth_rate;
    rates.growth_rate = params.growth_rate;
    let mut next = Population::zeros();
    let step_streams = StepStreams::new(1, 0);
    let mask = &model.activity_mask;

    // The cohort step alone (exits, onsets, arrivals), then with each cell's frailty sum, its
    // split and the groups' expected events, as the engine runs it.
    let mut year = 0;
    group.bench_function("transition_step", |b| {
        b.iter(|| {
            year += 1;
            black_box(step_initial(
                &model,
                &rates,
                &step_streams,
                year,
                &mut next,
                &mut NoDraws,
            ))
        })
    });
    // A first year: nothing carried in, as when a world starts.
    let mut frailty = FrailtySums::default();
    let mut means = GroupMeans::default();
    let mut step_with_frailty = |year: u32, frailty: &mut FrailtySums, means: &mut GroupMeans| {
        frailty.restart();
        means.reset(nt);
        let mut draws = FrailtyDraws::new(frailty, means, &lam, mask, k, rho);
        let counts = step_initial(&model, &rates, &step_streams, year, &mut next, &mut draws);
        frailty.end_year();
        counts
    };
    group.bench_function("step_with_frailty", |b| {
        b.iter(|| {
            year += 1;
            black_box(step_with_frailty(year, &mut frailty, &mut means))
        })
    });

    // The groups' counts and costs, given the expected events of a year's step.
    step_with_frailty(0, &mut frailty, &mut means);
    let mut out = YearActivity::default();
    let streams = ActivityStreams::new(1, 0);
    let shock = shocks::YearShock::NONE;
    group.bench_function("group_draws", |b| {
        b.iter(|| {
            year += 1;
            activity::simulate_year(&means, &params.activity, &shock, &streams, year, &mut out);
            black_box(&out);
        })
    });

    group.bench_function("parameters_per_replication", |b| {
        b.iter(|| {
            r += 1;
            black_box(model.draw_parameters(r))
        })
    });

    group.bench_function("rates_per_replication", |b| {
        b.iter(|| {
            activity::fill_rates(&params.activity, england_reference_shares(), &mut lam);
            black_box(&lam);
        })
    });
    group.finish();
}

criterion_group!(benches, sizes, bench);
criterion_main!(benches);
