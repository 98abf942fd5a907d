//! Interventions: worlds on common random numbers, contracts set on the status quo, who gains.

use capsim::engine::{self, ReplicationResult, Silent};
use capsim::ledger::LedgerRow;

use crate::common::model;

/// Two providers; a prevention programme paid by the community provider, under PbR and block.
pub const PREVENTION: &str = r#"
base = "default"
name = "prevention-test"
replications = 40
years = 4
[population]
size = 60000
[[provider]]
name = "acute"
activity = ["outpatient", "ae", "elective", "non_elective", "nel_bed_days"]
[[provider]]
name = "community"
activity = ["gp", "community", "mental_health"]
[[intervention]]
name = "prevention"
target = { age_min = 20, age_max = 64, ltc_min = 2 }
uptake = { dist = "beta", alpha = 30, beta = 20 }
ramp_years = 2
cost_per_person_year = 150
paid_by = "community"
[intervention.effect]
onset = 0.7
mortality = 0.9
[intervention.effect.activity]
non_elective = { dist = "uniform", min = 0.7, max = 0.9 }
nel_bed_days = 0.8
[[intervention.shift]]
from = "nel_bed_days"
to = "community"
share = 0.1
ratio = 2.0
[[arm]]
name = "pbr"
preset = "pbr"
[[arm]]
name = "pbr-prevention"
preset = "pbr"
interventions = ["prevention"]
[[arm]]
name = "block-prevention"
preset = "block"
interventions = ["prevention"]
[[arm]]
name = "capitation-prevention"
preset = "capitation"
interventions = ["prevention"]
"#;

fn care_cost(r: &ReplicationResult, world: usize) -> f64 {
    r.world(world).map(|y| y.cost.iter().sum::<f64>()).sum()
}

#[test]
fn the_basis_is_identical_with_and_without_interventions() {
    let without: String = PREVENTION.split("[[arm]]").next().unwrap().to_string()
        + "[[arm]]\nname = \"pbr\"\npreset = \"pbr\"\n";
    let with = model(PREVENTION);
    let plain = model(&without);
    let (a, b) = (with.contracts.unwrap(), plain.contracts.unwrap());
    assert_eq!(a.basis, b.basis);
    assert_eq!(a.scopes, b.scopes);
    // A stronger programme changes the worlds, never what the contracts are set on.
    let stronger = model(&PREVENTION.replace("onset = 0.7", "onset = 0.2"));
    assert_eq!(stronger.contracts.unwrap().basis, a.basis);
}

/// Within each world every transfer is paid once and received once; across the two worlds the
/// parties' gains add up to the system's net saving, in every replication.
#[test]
fn money_is_conserved_across_worlds() {
    let m = model(PREVENTION);
    let contracts = m.contracts.as_ref().unwrap();
    assert_eq!(m.worlds.len(), 2, "one status quo, one prevention world");
    let results = engine::run(&m, 2, &Silent).unwrap();
    for r in &results {
        for ledger in [&r.ledger, &r.status_quo_ledger] {
            for (year, arm) in ledger.iter().map(|l| (l.year, l.arm)) {
                let rows: Vec<&LedgerRow> = ledger
                    .iter()
                    .filter(|l| l.year == year && l.arm == arm)
                    .collect();
                let c = rows.iter().find(|l| l.party == 0).unwrap();
                let paid: f64 = rows.iter().filter(|l| l.party != 0).map(|l| l.income).sum();
                let spend = c.cost - c.programme;
                assert!((spend - paid).abs() < 1e-6 * spend.abs().max(1.0));
            }
        }
        let arms_with = (0..contracts.arms.len()).filter(|&a| m.arm_world[a] != 0);
        for a in arms_with {
            let gains: Vec<_> = r.gains.iter().filter(|g| g.arm == a).collect();
            let system = gains.iter().find(|g| g.party.is_none()).unwrap();
            let parties: f64 = gains
                .iter()
                .filter(|g| g.party.is_some())
                .map(|g| g.gain)
                .sum();
            let scale = care_cost(r, 0);
            assert!(
                (parties - system.gain).abs() < 1e-9 * scale,
                "arm {a}, rep {}: parties {parties} vs system {}",
                r.replication,
                system.gain
            );
            let saving = care_cost(r, 0) - care_cost(r, 1);
            let programme: f64 = r.world(1).map(|y| y.programme_cost).sum();
            assert!((system.gain - (saving - programme)).abs() < 1e-9 * scale);
            assert!(programme > 0.0);
        }
    }
}

/// "With minus without" on common random numbers against two independent runs: the variance
/// of the care cost saved.
#[test]
fn common_random_numbers_shrink_the_variance_of_the_effect() {
    let m = model(PREVENTION);
    let other = model(&PREVENTION.replace("name = \"prevention-test\"", "name = \"x\"\nseed = 99"));
    let crn = engine::run(&m, 2, &Silent).unwrap();
    let independent = engine::run(&other, 2, &Silent).unwrap();
    let var = |v: &[f64]| {
        let mean = v.iter().sum::<f64>() / v.len() as f64;
        v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (v.len() - 1) as f64
    };
    let paired: Vec<f64> = crn
        .iter()
        .map(|r| care_cost(r, 0) - care_cost(r, 1))
        .collect();
    let unpaired: Vec<f64> = crn
        .iter()
        .zip(&independent)
        .map(|(a, b)| care_cost(a, 0) - care_cost(b, 1))
        .collect();
    let ratio = var(&unpaired) / var(&paired);
    eprintln!("variance of the saving: independent / common random numbers = {ratio:.0}");
    assert!(ratio > 50.0, "ratio only {ratio}");
    let mean = paired.iter().sum::<f64>() / paired.len() as f64;
    assert!(mean > 0.0, "the programme saves care cost on average");
}

/// Cells the programme does not reach draw the same numbers in both worlds until the
/// programme's effects reach them: in the first year, before anyone ages into or out of the
/// target, the untargeted people's activity is identical.
#[test]
fn untargeted_people_draw_identical_numbers_in_the_first_year() {
    let text = PREVENTION.replace("[[intervention.shift]]\nfrom = \"nel_bed_days\"\nto = \"community\"\nshare = 0.1\nratio = 2.0\n", "");
    let m = model(&text);
    let gp = m.type_names.iter().position(|t| t == "gp").unwrap();
    let nel = m
        .type_names
        .iter()
        .position(|t| t == "non_elective")
        .unwrap();
    let (mut sq_nel, mut world_nel) = (0.0, 0.0);
    for r in engine::run(&m, 1, &Silent).unwrap() {
        let (sq, world) = (r.world(0).next().unwrap(), r.world(1).next().unwrap());
        assert_eq!(
            sq.count[gp], world.count[gp],
            "an untouched type, untouched cells"
        );
        assert_eq!(sq.demography.start, world.demography.start);
        sq_nel += sq.count[nel];
        world_nel += world.count[nel];
    }
    assert!(world_nel < sq_nel, "{world_nel} vs {sq_nel}");
}
