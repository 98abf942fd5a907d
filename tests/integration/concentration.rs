//! How concentrated cost is across people. Risk corridors exist because a few people cost a lot:
//! a person-level reference draws individual people from the same model (frailty, Poisson
//! events, each event's cost with its long stays) and checks the shares of cost held by the most
//! expensive 1% and 5% against published figures for England; and the engine, which draws whole
//! cells and groups at once, gives exactly the spread of cost per head those people imply.

use capsim::activity::TypeInputs;
use capsim::activity::expected::unit_cost_at;
use capsim::engine::{self, Model, Silent};
use rand::SeedableRng;
use rand_distr::{Distribution, Gamma, Poisson};
use rand_xoshiro::Xoshiro256PlusPlus;

use crate::common::model;

/// One person's cost of one event of `ty` whose mean cost is `unit`: a long stay with
/// probability `long_stay_share`, the mean kept.
fn one_event(rng: &mut Xoshiro256PlusPlus, ty: &TypeInputs, unit: f64) -> f64 {
    let (q, ratio) = (ty.long_stay_share, ty.long_stay_cost_ratio);
    let mean = if q > 0.0 && rand::RngExt::random::<f64>(rng) < q {
        unit * ratio
    } else {
        unit * (1.0 - q * ratio) / (1.0 - q)
    };
    let cv2 = ty.cost_cv * ty.cost_cv;
    if cv2 == 0.0 {
        mean
    } else {
        Gamma::new(1.0 / cv2, mean * cv2).unwrap().sample(rng)
    }
}

/// Each person of `m`'s starting population, one year, at the parameters' means: cost by
/// activity type.
fn people(m: &Model, seed: u64) -> Vec<Vec<f64>> {
    let params = m.mean_parameters();
    let inputs = &params.activity;
    let mut scratch = Vec::new();
    let lam = m.activity_rates(&params, &mut scratch);
    let nt = inputs.types.len();
    let k = inputs.frailty_shape;
    let frailty = Gamma::new(k, 1.0 / k).unwrap();
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut out = Vec::new();
    for (key, n) in engine::occupied(&m.initial) {
        let c = key.index();
        let rural = key.rural == 1;
        for _ in 0..n {
            let f = frailty.sample(&mut rng);
            let mut person = vec![0.0; nt];
            for (t, ty) in inputs.types.iter().enumerate() {
                let mean = lam[c * nt + t] * f;
                if mean <= 0.0 {
                    continue;
                }
                let events = Poisson::new(mean).unwrap().sample(&mut rng) as u64;
                let unit = unit_cost_at(ty.unit_cost, rural, inputs.rural_cost_factor);
                person[t] = (0..events).map(|_| one_event(&mut rng, ty, unit)).sum();
            }
            out.push(person);
        }
    }
    out
}

/// Share of the total held by the largest `top` fraction of `values`.
fn top_share(mut values: Vec<f64>, top: f64) -> f64 {
    values.sort_by(|a, b| b.total_cmp(a));
    let total: f64 = values.iter().sum();
    let n = ((values.len() as f64) * top).round() as usize;
    values[..n].iter().sum::<f64>() / total
}

fn type_index(m: &Model, name: &str) -> usize {
    m.type_names.iter().position(|t| t == name).unwrap()
}

/// England's published concentration: the 1% of people with the highest hospital (inpatient)
/// costs hold about a third of them (Kelly, Stoye and Vera-Hernández, IFS W15/21, 2015: 32%);
/// the top 5% of patients hold about half of GP, prescribing and hospital cost (Dreyer et al.,
/// Health Foundation 2019: 51%).
#[test]
fn the_most_expensive_people_hold_the_published_shares_of_cost() {
    let m = model("base = \"default\"\n[population]\nsize = 400000\n");
    let people = people(&m, 11);
    assert_eq!(people.len(), m.initial.total() as usize);
    let inpatient: Vec<usize> = ["elective", "non_elective", "nel_bed_days"]
        .iter()
        .map(|t| type_index(&m, t))
        .collect();
    let gp_and_hospital: Vec<usize> = [
        "gp",
        "prescribing",
        "outpatient",
        "ae",
        "elective",
        "non_elective",
        "nel_bed_days",
    ]
    .iter()
    .map(|t| type_index(&m, t))
    .collect();
    let sum = |p: &Vec<f64>, types: &[usize]| types.iter().map(|&t| p[t]).sum::<f64>();
    let inpatient_cost: Vec<f64> = people.iter().map(|p| sum(p, &inpatient)).collect();
    let top1 = top_share(inpatient_cost.clone(), 0.01);
    assert!(
        (0.29..=0.36).contains(&top1),
        "top 1% of people hold {top1:.3} of inpatient cost (published: 0.32)"
    );
    // Among people admitted at all the published share is 18%; the model's gamma severities
    // reach about 15%: the published tail is closer to a Pareto (docs/model.md).
    let patients: Vec<f64> = inpatient_cost.into_iter().filter(|c| *c > 0.0).collect();
    let top1_patients = top_share(patients, 0.01);
    assert!(
        top1_patients >= 0.12,
        "top 1% of inpatients hold {top1_patients:.3} (published: 0.18)"
    );
    let top5 = top_share(
        people.iter().map(|p| sum(p, &gp_and_hospital)).collect(),
        0.05,
    );
    eprintln!(
        "inpatient top 1%: {top1:.3}; top 1% of inpatients: {top1_patients:.3}; \
         GP, prescribing and hospital top 5%: {top5:.3}"
    );
    assert!(
        (0.45..=0.55).contains(&top5),
        "top 5% hold {top5:.3} of GP, prescribing and hospital cost (published: 0.51)"
    );
}

/// The engine draws a cell's frailty as one gamma sum and a group's events as one Poisson with
/// one gamma cost per part: over replications its year-1 cost must spread exactly as the same
/// people drawn one by one would, Var = Σ people (A + M²/k), with M = Σ λu the person's
/// expected cost, A = Σ λ E[cost of an event²] and k the frailty shape.
#[test]
fn the_engine_spreads_cost_as_its_people_would() {
    let m = model(
        "base = \"default\"\nyears = 1\nreplications = 400\narm = []\n\
         [population]\nsize = 20000\n[shocks]\ndemand_noise_sd = 0.0\nbad_winter_probability = 0.0\n",
    );
    let params = m.mean_parameters();
    let inputs = &params.activity;
    let mut scratch = Vec::new();
    let lam = m.activity_rates(&params, &mut scratch).to_vec();
    let nt = inputs.types.len();
    let (mut mean, mut var) = (0.0, 0.0);
    for (key, n) in engine::occupied(&m.initial) {
        let c = key.index();
        let (mut expected, mut second) = (0.0, 0.0);
        for (t, ty) in inputs.types.iter().enumerate() {
            let u = unit_cost_at(ty.unit_cost, key.rural == 1, inputs.rural_cost_factor);
            let (q, l) = (ty.long_stay_share, ty.long_stay_cost_ratio);
            let s = (1.0 - q * l) / (1.0 - q);
            let squared = u * u * (1.0 + ty.cost_cv.powi(2)) * ((1.0 - q) * s * s + q * l * l);
            expected += lam[c * nt + t] * u;
            second += lam[c * nt + t] * squared;
        }
        let n = f64::from(n);
        mean += n * expected;
        var += n * (second + expected * expected / inputs.frailty_shape);
    }
    let cv_people = var.sqrt() / mean;
    let totals: Vec<f64> = engine::run(&m, 2, &Silent)
        .unwrap()
        .iter()
        .map(|r| r.years[0].cost.iter().sum())
        .collect();
    let n = totals.len() as f64;
    let engine_mean = totals.iter().sum::<f64>() / n;
    let engine_sd = (totals
        .iter()
        .map(|t| (t - engine_mean).powi(2))
        .sum::<f64>()
        / (n - 1.0))
        .sqrt();
    assert!(
        (engine_mean / mean - 1.0).abs() < 3.0 * cv_people / n.sqrt(),
        "mean {engine_mean} vs {mean}"
    );
    // The sd of 400 draws is known to about 3.5% (more with heavy tails).
    let ratio = (engine_sd / engine_mean) / cv_people;
    eprintln!(
        "cv of year-1 cost, 20,000 people: engine {:.5}, people {cv_people:.5} (per person {:.3})",
        engine_sd / engine_mean,
        cv_people * (m.initial.total() as f64).sqrt()
    );
    assert!(
        (0.88..=1.12).contains(&ratio),
        "engine cv {:.5} vs people {cv_people:.5}",
        engine_sd / engine_mean
    );
}
