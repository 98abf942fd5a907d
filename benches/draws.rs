//! Nanoseconds per draw of each sampler at the parameters the cohort draws with most.
//! Run with `cargo bench --bench draws`.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use rand::{RngExt, SeedableRng};
use rand_distr::{Exp1, StandardNormal};

use capsim::rng::UnitRng;
use capsim::sampling::{
    FixedProbability, binomial, binomial_fixed, binomial_with_log, dirichlet_small, gamma, poisson,
    standard_exponential, standard_normal,
};

fn draws(c: &mut Criterion) {
    let mut group = c.benchmark_group("draws");
    let mut rng = UnitRng::seed_from_u64(1);
    group.bench_function("uniform", |b| b.iter(|| rng.random::<f64>()));
    group.bench_function("normal", |b| {
        b.iter(|| rng.sample::<f64, _>(StandardNormal))
    });
    group.bench_function("exp1", |b| b.iter(|| rng.sample::<f64, _>(Exp1)));
    // The same draws by capsim's inlined ziggurat.
    group.bench_function("normal_inlined", |b| b.iter(|| standard_normal(&mut rng)));
    group.bench_function("exp1_inlined", |b| {
        b.iter(|| standard_exponential(&mut rng))
    });
    let mut x = 0.3f64;
    group.bench_function("libm_exp", |b| {
        b.iter(|| {
            x = black_box(x).exp() * 0.5;
            x
        })
    });
    for shape in [0.18, 0.42, 2.5, 40.0] {
        group.bench_function(format!("gamma_{shape}"), |b| {
            b.iter(|| gamma(&mut rng, black_box(shape), 1.0))
        });
    }
    for (a, b) in [(0.42, 0.18), (0.84, 0.36), (0.42, 0.78)] {
        group.bench_function(format!("beta_by_gammas_{a}_{b}"), |b2| {
            b2.iter(|| {
                let x = gamma(&mut rng, black_box(a), 1.0);
                let y = gamma(&mut rng, black_box(b), 1.0);
                x / (x + y)
            })
        });
        group.bench_function(format!("dirichlet_small_{a}_{b}"), |b2| {
            b2.iter(|| dirichlet_small(&mut rng, [black_box(a), black_box(b)]))
        });
    }
    for (n, p) in [
        (1u32, 0.01f64),
        (5, 0.01),
        (100, 0.01),
        (100, 0.05),
        (1000, 0.0099),
        (1000, 0.01),
        (1000, 0.015),
        (1000, 0.02),
        (1000, 0.03),
        (2000, 0.02),
    ] {
        let log_q = (-p).ln_1p();
        group.bench_function(format!("binomial_log_{n}_{p}"), |b| {
            b.iter(|| binomial_with_log(&mut rng, black_box(n), p, log_q))
        });
        let fixed = FixedProbability::new(p);
        group.bench_function(format!("binomial_fixed_{n}_{p}"), |b| {
            b.iter(|| binomial_fixed(&mut rng, black_box(n), &fixed))
        });
        group.bench_function(format!("binomial_{n}_{p}"), |b| {
            b.iter(|| binomial(&mut rng, black_box(n), p))
        });
    }
    for mean in [0.5, 6.0, 40.0] {
        group.bench_function(format!("poisson_{mean}"), |b| {
            b.iter(|| poisson(&mut rng, black_box(mean)))
        });
    }
    group.finish();
}

criterion_group!(benches, draws);
criterion_main!(benches);
