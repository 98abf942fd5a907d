//! How concentrated cost is across people. Risk corridors exist because a few people cost a lot:
//! a person-level reference draws individual people from the same model (frailty, Poisson
//! events, each event's cost with its long stays) and checks the shares of cost held by the most
//! expensive 1% and 5% against published figures for England; and the engine, which draws whole
//! cells and groups at once, gives exactly the spread of cost per head those people imply.

use capsim::activity::expected::unit_cost_at;
use capsim::activity::{ActivityInputs, TypeInputs};
use capsim::engine::{self, Model, Silent};
use capsim::population::{CellKey, LTCS};
use capsim::transitions::{Calibration, TransitionRates, next_cell};
use rand::SeedableRng;
use rand_distr::{Beta, Distribution, Gamma, Poisson};
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

/// One person's cost by activity type in a year, given their frailty `f`: Poisson events of
/// each type at the cell's rates `lam_row`, each event costed with its long stays.
fn one_year(
    rng: &mut Xoshiro256PlusPlus,
    inputs: &ActivityInputs,
    lam_row: &[f64],
    rural: bool,
    f: f64,
) -> Vec<f64> {
    let mut person = vec![0.0; inputs.types.len()];
    for (t, ty) in inputs.types.iter().enumerate() {
        let mean = lam_row[t] * f;
        if mean <= 0.0 {
            continue;
        }
        let events = Poisson::new(mean).unwrap().sample(rng) as u64;
        let unit = unit_cost_at(ty.unit_cost, rural, inputs.rural_cost_factor);
        person[t] = (0..events).map(|_| one_event(rng, ty, unit)).sum();
    }
    person
}

/// Each person of `m`'s starting population at the parameters' means, for `years` years in
/// their starting cell: cost by year, then by activity type. Frailty follows the gamma AR(1)
/// person by person, f' = B·f + G with B ~ Beta(kρ, k(1−ρ)) and G ~ Gamma(k(1−ρ), 1/k).
fn people_over(m: &Model, seed: u64, years: usize) -> Vec<Vec<Vec<f64>>> {
    let params = m.mean_parameters();
    let inputs = &params.activity;
    let mut scratch = Vec::new();
    let lam = m.activity_rates(&params, &mut scratch);
    let nt = inputs.types.len();
    let (k, rho) = (inputs.frailty_shape, inputs.frailty_persistence);
    let frailty = Gamma::new(k, 1.0 / k).unwrap();
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut out = vec![Vec::new(); years];
    for (key, n) in engine::occupied(&m.initial) {
        let row = &lam[key.index() * nt..(key.index() + 1) * nt];
        for _ in 0..n {
            let mut f = frailty.sample(&mut rng);
            for (y, year) in out.iter_mut().enumerate() {
                if y > 0 {
                    let kept = if rho >= 1.0 {
                        1.0
                    } else if rho <= 0.0 {
                        0.0
                    } else {
                        Beta::new(k * rho, k * (1.0 - rho))
                            .unwrap()
                            .sample(&mut rng)
                    };
                    let fresh = if rho < 1.0 {
                        Gamma::new(k * (1.0 - rho), 1.0 / k)
                            .unwrap()
                            .sample(&mut rng)
                    } else {
                        0.0
                    };
                    f = kept * f + fresh;
                }
                year.push(one_year(&mut rng, inputs, row, key.rural == 1, f));
            }
        }
    }
    out
}

/// Each person of `m`'s starting population, one year, at the parameters' means: cost by
/// activity type.
fn people(m: &Model, seed: u64) -> Vec<Vec<f64>> {
    people_over(m, seed, 1).remove(0)
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

/// Share of the people in the top `top` fraction by cost in one year who are in it again in
/// each of the following years given.
fn stay_on_top(first: &[f64], later: &[&[f64]], top: f64) -> f64 {
    let threshold = |values: &[f64]| {
        let mut v = values.to_vec();
        v.sort_by(|a, b| b.total_cmp(a));
        v[((v.len() as f64) * top) as usize]
    };
    let on_top: Vec<bool> = {
        let t = threshold(first);
        first.iter().map(|&c| c > t).collect()
    };
    let later_top: Vec<Vec<bool>> = later
        .iter()
        .map(|year| {
            let t = threshold(year);
            year.iter().map(|&c| c > t).collect()
        })
        .collect();
    let top_people = on_top.iter().filter(|&&x| x).count();
    let stayed = (0..first.len())
        .filter(|&i| on_top[i] && later_top.iter().all(|y| y[i]))
        .count();
    stayed as f64 / top_people as f64
}

/// High cost persists: of England's top 5% of children and young people by primary and
/// secondary care cost, 29% are there again the next year (Arch Dis Child 2022;107:346); in
/// Ontario a third of the top 5% of all ages stay there for both of the next two years (Wodchis
/// et al., CMAJ 2016), a wider base that persists more. Adults persist more than children, so the
/// default's next-year share should lie between the two, 0.25 to 0.45.
#[test]
fn the_most_expensive_people_stay_expensive_as_published() {
    let m = model("base = \"default\"\n[population]\nsize = 150000\n");
    let years = people_over(&m, 23, 3);
    let base: Vec<usize> = [
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
    let cost = |y: usize| -> Vec<f64> {
        years[y]
            .iter()
            .map(|p| base.iter().map(|&t| p[t]).sum())
            .collect()
    };
    let (y1, y2, y3) = (cost(0), cost(1), cost(2));
    let next_year = stay_on_top(&y1, &[&y2], 0.05);
    let both_years = stay_on_top(&y1, &[&y2, &y3], 0.05);
    eprintln!(
        "top 5% by GP, prescribing and hospital cost: {next_year:.3} again next year, \
         {both_years:.3} in both of the next two"
    );
    assert!(
        (0.25..=0.45).contains(&next_year),
        "{next_year:.3} of the top 5% are top 5% next year (published 0.29 for children, 0.33 \
         over two years in Ontario)"
    );
    assert!(
        (0.10..next_year).contains(&both_years),
        "{both_years:.3} of the top 5% stay for two more years"
    );
}

/// The engine carries each cell's frailty sum forward in whole-cell draws, splitting it between
/// the people who stay, gain a condition, die or leave: across replications its year-1 and
/// year-2 costs must co-vary exactly as the same people's would with each person's frailty a
/// gamma AR(1). Flows do not depend on frailty, so
/// Cov(C₁, C₂) = (ρ/k) Σ_cells n·M·(1−q)(1−l)·((1−o)·M_next + o·M_next+1), with M a person's
/// expected cost in a cell, q, l and o the chances of death, leaving and a new condition.
#[test]
fn the_engine_carries_frailty_as_its_people_would() {
    let m = model(
        "base = \"default\"\nyears = 2\nreplications = 2000\narm = []\n\
         [population]\nsize = 20000\n\
         [shocks]\ndemand_trend = 0.0\ncost_inflation = 0.0\ndemand_noise_sd = 0.0\n\
         bad_winter_probability = 0.0\n",
    );
    let params = m.mean_parameters();
    let inputs = &params.activity;
    let (k, rho) = (inputs.frailty_shape, inputs.frailty_persistence);
    assert!(rho > 0.0, "the default carries frailty");
    let mut scratch = Vec::new();
    let lam = m.activity_rates(&params, &mut scratch).to_vec();
    let nt = inputs.types.len();
    let expected_cost = |c: usize| -> f64 {
        let rural = CellKey::from_index(c).rural == 1;
        inputs
            .types
            .iter()
            .enumerate()
            .map(|(t, ty)| {
                lam[c * nt + t] * unit_cost_at(ty.unit_cost, rural, inputs.rural_cost_factor)
            })
            .sum()
    };
    let mut rates = TransitionRates::empty();
    rates.fill(Calibration::england(), 1.0, 1.0);
    let leave = params.leaver_rate;
    let mut predicted = 0.0;
    for (key, n) in engine::occupied(&m.initial) {
        let c = key.index();
        let (q, o) = (rates.death()[c], rates.onset[c]);
        let j = next_cell(c);
        let next = if key.ltc + 1 < LTCS {
            (1.0 - o) * expected_cost(j) + o * expected_cost(j + 1)
        } else {
            expected_cost(j)
        };
        predicted += f64::from(n) * expected_cost(c) * (1.0 - q) * (1.0 - leave) * next;
    }
    predicted *= rho / k;
    let results = engine::run(&m, 2, &Silent).unwrap();
    assert!(results.iter().all(|r| r.years[1].shock.demand == 1.0));
    let cost = |y: usize| -> Vec<f64> {
        results
            .iter()
            .map(|r| r.years[y].cost.iter().sum())
            .collect()
    };
    let (c1, c2) = (cost(0), cost(1));
    let n = c1.len() as f64;
    let mean = |v: &[f64]| v.iter().sum::<f64>() / n;
    let (m1, m2) = (mean(&c1), mean(&c2));
    let cov = c1
        .iter()
        .zip(&c2)
        .map(|(a, b)| (a - m1) * (b - m2))
        .sum::<f64>()
        / (n - 1.0);
    let ratio = cov / predicted;
    eprintln!("year-1, year-2 cost covariance: engine / people {ratio:.3}");
    // The covariance of 2,000 draws is known to about 7% here (1 se).
    assert!(
        (0.8..=1.2).contains(&ratio),
        "engine covariance {cov:.4e} vs people {predicted:.4e}"
    );
}
