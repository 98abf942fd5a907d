//! report.html: one self-contained page (charts embedded) a non-technical reader understands.
//!
//! Built with maud templates, which escape every spliced value: scenario names, descriptions and
//! arm names come from user files and reach the page only as text.

use std::path::Path;

use base64::Engine as _;
use maud::{DOCTYPE, Markup, PreEscaped, html};

use polars::prelude::*;

use super::{
    ALL_PROVIDERS, ArmHeadline, Chart, Estimate, MoneyUnit, PartyGain, RunFolder, Tables,
    WHO_GAINS_BY_YEAR_CHART, WHO_GAINS_CHART, arm_headlines, estimates, f64s, gain_label,
    gains_by_arm, money_gain, strs, thousands, with_sign,
};
use crate::scenario::CohortMode;
use crate::scenario::contracts::{capitalised, plain_name};

/// A probability in whole percent; one that is not 0 or 1 never reads as "0%" or "100%" ("a 0%
/// chance of a loss" for a loss in 1 future in 300).
fn pct(x: f64) -> String {
    if x.is_nan() {
        return "–".into();
    }
    match format!("{:.0}", super::percent_rounded(x, 0)) {
        zero if zero == "0" && x > 0.0 => "<1%".into(),
        all if all == "100" && x < 1.0 => ">99%".into(),
        shown => format!("{shown}%"),
    }
}

/// The scenario in plain words.
fn scenario_words(run: &RunFolder) -> anyhow::Result<Markup> {
    let s = &run.scenario;
    let heads = run.initial_heads()?;
    let place = match (
        &s.population.counts_csv,
        s.population.imd_shares,
        s.population.rural_share,
    ) {
        (Some(csv), _, _) => format!(
            "a population loaded from the head counts in {}",
            Path::new(csv)
                .file_name()
                .map_or(csv.clone(), |f| f.to_string_lossy().into_owned())
        ),
        (None, None, None) => {
            "a population with England's mix of ages, deprivation and rural living".to_string()
        }
        _ => "a population with its own mix of deprivation and rural living".to_string(),
    };
    let condition = s.condition.as_ref().map(|k| k.name.as_str());
    let cohort = s.population.cohort.as_ref().map(|c| {
        let who = c.strata().words(condition);
        let mode = match c.mode {
            CohortMode::Closed => "the same people followed over time",
            CohortMode::Open => {
                "people join as they meet the criteria and leave as they stop meeting them"
            }
        };
        (who, mode)
    });
    // A closed cohort admits nobody: its people only age, gain conditions, die or leave.
    let closed = s
        .population
        .cohort
        .as_ref()
        .is_some_and(|c| c.mode == CohortMode::Closed);
    let flows = if closed {
        "the same people age, develop long-term conditions, die or move away, and nobody joins"
    } else {
        "people age, develop long-term conditions, die, move away and arrive"
    };
    let providers = &s.provider;
    Ok(html! {
        p {
            "This run follows " b { (thousands(heads)) } (if heads == 1 { " person" } else { " people" })
            " (" (place) ") for "
            b { (super::count(s.years, "year")) } " from " (s.start_year)
            @if let Some((who, mode)) = &cohort {
                ", restricted to a cohort " (who) " (" (mode) ")"
            }
            ". The future is simulated " b { (if s.replications == 1 { "once".to_string() } else { format!("{} times", thousands(u64::from(s.replications))) }) }
            ": " (flows) "; each simulated future has its own demand growth, cost inflation and bad \
             winters. Every payment model below is applied to the " em { "same" } " simulated \
             futures, so the differences between them come from how they pay, not from chance."
        }
        @if let Some(note) = crate::risk_size::too_few_people_note(heads) {
            p.warning { (note[..1].to_uppercase()) (&note[1..]) "." }
        }
        @if providers.len() > 1 {
            p {
                "Care is delivered by " (providers.len()) " providers: "
                @for (k, p) in providers.iter().enumerate() {
                    @if k + 1 == providers.len() {
                        " and "
                    } @else if k > 0 {
                        ", "
                    }
                    b { (p.name) } " ("
                    (p.activity.iter().map(|a| plain_name(a)).collect::<Vec<_>>().join(", ")) ")"
                }
                ". The headline figures take them together as “all providers”: what they \
                 receive from the commissioner less the cost of their care (a lead provider's \
                 payments to the others cancel out)."
            }
        }
    })
}

/// The scenario file's own description, first on the page under its name; a run that changed
/// fields on the command line says the description may not fit it.
fn description(run: &RunFolder) -> Markup {
    let s = &run.scenario;
    html! {
        @if !s.description.is_empty() {
            p.lead {
                (s.description)
                @if changed_on_command_line(&run.info.command) {
                    " (These are the scenario file's words: this run changed some of its fields \
                     on the command line, as “How to reproduce” shows, and “The scenario” below \
                     describes the run itself.)"
                }
            }
        }
    }
}

/// The page's title, as a browser tab, a bookmark or a printed page's header shows it: the
/// scenario's name and description.
fn page_title(run: &RunFolder) -> String {
    let s = &run.scenario;
    if s.description.is_empty() {
        format!("{} (capsim)", s.name)
    } else {
        format!("{}: {} (capsim)", s.name, s.description)
    }
}

/// Whether a run's command changed fields of its scenario (`--set`, or a sweep's `--param`), so
/// that the description the file gives may not describe it.
fn changed_on_command_line(command: &str) -> bool {
    command.split_whitespace().any(|word| {
        word == "--set"
            || word == "--param"
            || word.starts_with("--set=")
            || word.starts_with("--param=")
    })
}

/// A figure in `unit` with its error beside it, smaller.
fn money_se(e: Estimate, unit: MoneyUnit) -> Markup {
    html! { (unit.show(e.value)) span.se { " ± " (unit.error(e.se)) } }
}

/// A per-head figure's error in £ from a tenth of a pound, to the places it needs not to read 0
/// as in the terminal (£0.04, not £0.0); "–" where one replication gives none.
fn per_head_se(se: f64) -> String {
    MoneyUnit::pounds(1).error(se)
}

/// A probability as % with its error in points.
fn pct_se(e: Estimate) -> Markup {
    let sign = super::probability_error_sign(e.value, 0);
    html! { (pct(e.value)) span.se { " " (sign) " " (format!("{:.0}", 100.0 * e.se)) } }
}

/// Pairs of arms whose median results differ by less than twice the Monte Carlo error of
/// their difference (paired, from arm_differences: the arms share their simulated futures): the
/// run cannot tell which is better. `differences` is that table; `party` the headline party.
fn too_close_to_rank<'a>(
    rows: &'a [ArmHeadline],
    differences: &DataFrame,
    party: &str,
) -> anyhow::Result<Vec<(&'a str, &'a str)>> {
    let (of, arm, against) = (
        strs(differences, "party")?,
        strs(differences, "arm")?,
        strs(differences, "against")?,
    );
    let (difference, error) = (
        f64s(differences, "difference_of_p50s")?,
        f64s(differences, "difference_of_p50s_se")?,
    );
    let mut pairs = Vec::new();
    for (k, a) in rows.iter().enumerate() {
        for b in &rows[k + 1..] {
            let found = (0..of.len()).find(|&i| {
                of[i] == party
                    && ((arm[i] == b.arm && against[i] == a.arm)
                        || (arm[i] == a.arm && against[i] == b.arm))
            });
            if let Some(i) = found
                && difference[i].abs() < 2.0 * error[i]
                && error[i] > 0.0
            {
                pairs.push((a.arm.as_str(), b.arm.as_str()));
            }
        }
    }
    Ok(pairs)
}

/// Pairs too close to rank, each listed under its first arm, arms in their first order.
fn close_by_arm<'a>(close: &[(&'a str, &'a str)]) -> Vec<(&'a str, Vec<&'a str>)> {
    let mut by_arm: Vec<(&str, Vec<&str>)> = Vec::new();
    for &(a, b) in close {
        match by_arm.iter_mut().find(|(arm, _)| *arm == a) {
            Some((_, others)) => others.push(b),
            None => by_arm.push((a, vec![b])),
        }
    }
    by_arm
}

/// One sentence per arm: who carries the risk, and what each side can expect.
fn trade_offs(run: &RunFolder, rows: &[ArmHeadline]) -> Markup {
    let words = run.headline_words();
    let term = format!("the {}-year term", run.scenario.years);
    html! {
        ul {
            @for r in rows {
                @let provider_range = r.p95.value - r.p5.value;
                @let commissioner_range = r.spend_p95.value - r.spend_p5.value;
                li {
                    b { (r.arm) } ": "
                    @if provider_range > 2.0 * commissioner_range {
                        "most of the risk falls on " (words.subject)
                    } @else if commissioner_range > 2.0 * provider_range {
                        "the commissioner carries most of the risk"
                    } @else {
                        "the risk is shared"
                    }
                    " (over " (term) ", " (words.possessive) " result spans " (money_gain(provider_range))
                    " between its 5th and 95th percentiles, the commissioner's spend "
                    (money_gain(commissioner_range)) "). " (words.possessive_capitalised()) " median result is "
                    (money_gain(r.p50.value)) ", with a " (pct(r.p_loss.value)) " chance of a loss; \
                    the commissioner spends " (money_gain(r.spend_mean.value)) " over the term on average"
                    @if run.scenario.budget.is_some() {
                        ", with a " (pct(r.over_budget.value)) " chance of exceeding its budget"
                    }
                    "."
                }
            }
        }
    }
}

fn headline(
    run: &RunFolder,
    rows: &[ArmHeadline],
    differences: &DataFrame,
    replications: u32,
) -> anyhow::Result<Markup> {
    let who = run.headline_words().subject;
    let budget = run.scenario.budget.map(|b| b.over_term(run.scenario.years));
    let close = too_close_to_rank(rows, differences, &run.headline_party())?;
    // One unit for the surplus columns and one for the spend columns.
    let surplus = MoneyUnit::for_values(
        rows.iter()
            .flat_map(|r| [r.p50, r.p5, r.p95, r.shortfall].map(|e| e.value)),
    );
    let spend = MoneyUnit::for_values(
        rows.iter()
            .flat_map(|r| [r.spend_mean, r.spend_p5, r.spend_p95].map(|e| e.value)),
    );
    Ok(html! {
        table.headline {
            thead {
                tr {
                    th rowspan="2" { "Payment model" }
                    th colspan="6" { "Surplus of " (who) " over the whole term" }
                    th colspan=(if budget.is_some() { 5 } else { 4 }) {
                        "Commissioner spend over the term"
                        @if let Some(b) = budget { " (budget " (super::budget_shown(b, spend)) ")" }
                    }
                }
                tr {
                    th { "median" }
                    th { "5th percentile" }
                    th { "95th percentile" }
                    th { "chance of a loss" }
                    th { "chance of losing more than 2% of income" }
                    th { "average of the worst 5%" }
                    th { "average" }
                    th { "5th percentile" }
                    th { "95th percentile" }
                    th { "per person per year" }
                    @if budget.is_some() {
                        th { "chance of exceeding the budget" }
                    }
                }
            }
            tbody {
                @for r in rows {
                    tr {
                        td { (r.arm) }
                        td.n { (money_se(r.p50, surplus)) }
                        td.n { (money_se(r.p5, surplus)) }
                        td.n { (money_se(r.p95, surplus)) }
                        td.n { (pct_se(r.p_loss)) }
                        td.n { (pct_se(r.p_loss_2pct)) }
                        td.n { (money_se(r.shortfall, surplus)) }
                        td.n { (money_se(r.spend_mean, spend)) }
                        td.n { (money_se(r.spend_p5, spend)) }
                        td.n { (money_se(r.spend_p95, spend)) }
                        td.n {
                            (MoneyUnit::pounds(0).show(r.spend_per_head.value))
                            span.se { " ± " (per_head_se(r.spend_per_head.se)) }
                        }
                        @if budget.is_some() {
                            td.n { (pct_se(r.over_budget)) }
                        }
                    }
                }
            }
        }
        p.note {
            "± is the Monte Carlo error (standard error) from " (super::count(replications, "replication"))
            ": how far a figure may be from what unlimited replications would \
             give (within twice that about 95% of the time); a chance shown as 0% \
             or 100% has it one way only (0% + 1: it could be up to 1 point more). Every figure \
             in summary.csv has one (columns ending _se). Each arm's error is its own: arms \
             settle the same futures, so the difference between two is usually more precise than \
             their errors together suggest (arm_differences.csv has its own)."
        }
        @if !close.is_empty() && close.len() <= 4 {
            p.warning {
                "Too close to rank with " (super::count(replications, "replication")) ": "
                @for (k, (a, b)) in close.iter().enumerate() {
                    @if k > 0 { "; " }
                    (a) " and " (b)
                }
                ". Their medians differ by less than twice the Monte Carlo error of their difference; \
                 run more replications (--reps) before saying one is better."
            }
        } @else if !close.is_empty() {
            // Many pairs read as a list: each arm with those it cannot be told from.
            div.warning {
                "Too close to rank with " (super::count(replications, "replication")) " ("
                (close.len()) " pairs): their medians differ by less than twice the Monte Carlo \
                 error of their difference; run more replications (--reps) before saying one is \
                 better."
                ul {
                    @for (arm, others) in close_by_arm(&close) {
                        li { b { (arm) } ": with " (others.join(", ")) }
                    }
                }
            }
        }
    })
}

/// Each provider's own surplus over the term, arm by arm, when there are several: the headline
/// takes them together, and one provider's gain can hide another's loss (a lead no better off
/// while its subcontractor gains). None with one provider.
fn each_provider(run: &RunFolder, t: &Tables) -> anyhow::Result<Option<Markup>> {
    let parties = run.parties();
    let providers: Vec<&String> = parties
        .iter()
        .filter(|p| p.as_str() != "commissioner" && p.as_str() != ALL_PROVIDERS)
        .collect();
    if providers.len() < 2 {
        return Ok(None);
    }
    let s = &t.summary;
    let (arm, party, horizon) = (strs(s, "arm")?, strs(s, "party")?, strs(s, "horizon")?);
    let (p5, p50, p95, p_loss) = (
        estimates(s, "p5")?,
        estimates(s, "p50")?,
        estimates(s, "p95")?,
        estimates(s, "p_loss")?,
    );
    let row = |a: &str, p: &str| {
        (0..arm.len()).find(|&i| arm[i] == a && party[i] == p && horizon[i] == "term")
    };
    let arms = run.arms();
    let unit = MoneyUnit::for_values(
        arms.iter()
            .flat_map(|a| providers.iter().filter_map(move |p| row(a, p)))
            .flat_map(|i| [p5[i].value, p50[i].value, p95[i].value]),
    );
    Ok(Some(html! {
        h3 { "Each provider" }
        table.headline {
            thead {
                tr {
                    th rowspan="2" { "Payment model" }
                    @for p in &providers {
                        th colspan="2" { (party_name(p)) }
                    }
                }
                tr {
                    @for _ in &providers {
                        th { "median surplus (5th to 95th percentile)" }
                        th { "chance of a loss" }
                    }
                }
            }
            tbody {
                @for a in run.arms() {
                    tr {
                        td { (a) }
                        @for p in &providers {
                            @if let Some(i) = row(&a, p) {
                                td.n {
                                    (money_se(p50[i], unit))
                                    br;
                                    span.se {
                                        "(" (unit.show(p5[i].value)) " to " (unit.show(p95[i].value)) ")"
                                    }
                                }
                                td.n { (pct_se(p_loss[i])) }
                            } @else {
                                td.n { "–" }
                                td.n { "–" }
                            }
                        }
                    }
                }
            }
        }
        p.note {
            "Each provider's own surplus over the term (what it receives, from the commissioner or \
             a lead provider, less the cost of its care and of what it pays others): the headline \
             takes them together. summary.csv has every figure by party."
        }
    }))
}

fn models(run: &RunFolder) -> Markup {
    html! {
        dl {
            @for arm in &run.scenario.arm {
                dt {
                    (arm.name)
                    @if let Some(p) = arm.preset {
                        " " span.tag { "preset: " (p.name()) }
                    }
                }
                dd {
                    ul {
                        @if let Some(words) = arm.lead_words(&run.scenario.providers()) {
                            li { (words) }
                        }
                        @for (_, c) in arm.components() {
                            li { (c.describe(run.scenario.condition.as_ref().map(|k| k.name.as_str()))) }
                        }
                    }
                }
            }
        }
    }
}

fn equity_table(run: &RunFolder, t: &Tables, dimension: &str) -> anyhow::Result<Markup> {
    let e = &t.equity;
    let (arm, dim, lvl, everyone, gap, gap_se) = (
        strs(e, "arm")?,
        strs(e, "dimension")?,
        f64s(e, "level")?,
        f64s(e, "margin_everyone_mean")?,
        f64s(e, "margin_vs_average_mean")?,
        f64s(e, "margin_vs_average_mean_se")?,
    );
    let levels: Vec<(i32, String)> = if dimension == "imd_quintile" {
        (1..=5)
            .map(|q| {
                let note = match q {
                    1 => " (most deprived)",
                    5 => " (least deprived)",
                    _ => "",
                };
                (q, format!("IMD {q}{note}"))
            })
            .collect()
    } else {
        (0..=5)
            .map(|k| {
                (
                    k,
                    if k == 5 {
                        "5 or more".to_string()
                    } else {
                        k.to_string()
                    },
                )
            })
            .collect()
    };
    let pounds = MoneyUnit::pounds(0);
    let rows = |a: &str| -> Vec<usize> {
        (0..arm.len())
            .filter(|&i| arm[i] == a && dim[i] == dimension)
            .collect()
    };
    // The arm's margin over everyone, the same on each of its rows.
    let average = |a: &str| -> Markup {
        let shown = rows(a)
            .into_iter()
            .map(|i| everyone[i])
            .find(|v| v.is_finite());
        html! { (shown.map_or("–".into(), |v| pounds.show(v))) }
    };
    // A group's gap from the average, and its Monte Carlo error when there is one.
    let cell = |a: &str, q: i32| -> Markup {
        let Some(i) = rows(a).into_iter().find(|&i| lvl[i] as i32 == q) else {
            return html! { "–" };
        };
        if gap[i].is_nan() {
            return html! { "–" };
        }
        html! {
            (pounds.signed(gap[i]))
            @if gap_se[i].is_finite() && gap_se[i] > 0.0 {
                span.se { " ± " (per_head_se(gap_se[i])) }
            }
        }
    };
    Ok(html! {
        table {
            thead {
                tr {
                    th rowspan="2" { "Payment model" }
                    th rowspan="2" { "Margin per person-year, everyone" }
                    th colspan=(levels.len()) { "Each group's margin less everyone's" }
                }
                tr {
                    @for (_, label) in &levels {
                        th { (label) }
                    }
                }
            }
            tbody {
                @for a in run.arms() {
                    tr {
                        td { (a) }
                        td.n { (average(&a)) }
                        @for (q, _) in &levels {
                            td.n { (cell(&a, *q)) }
                        }
                    }
                }
            }
        }
    })
}

/// A party as a sentence names it.
fn party_name(p: &str) -> String {
    match p {
        "commissioner" | "provider" => format!("the {p}"),
        _ => p.to_string(),
    }
}

/// Joins clauses as "a", "a and b", "a, b and c".
fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// A note on intervention arms under which every party gains the same (each party's mean,
/// percentiles and chance of gaining within 50p): a reader comparing payment models otherwise
/// wonders whether the table repeated a row. When the commissioner's spend is unchanged under
/// them, neither contract pays for anything the programme changes, and the note says so.
pub fn same_gains_note(arms: &[(String, Vec<PartyGain>)]) -> Option<String> {
    let alike = |a: &[PartyGain], b: &[PartyGain]| {
        a.len() == b.len()
            && a.iter().zip(b).all(|(x, y)| {
                x.party == y.party
                    && [
                        (x.mean, y.mean),
                        (x.p5, y.p5),
                        (x.p50, y.p50),
                        (x.p95, y.p95),
                    ]
                    .iter()
                    .all(|(u, v)| (u - v).abs() < 0.5)
                    && (x.p_gain - y.p_gain).abs() < 1e-9
            })
    };
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for (k, (_, rows)) in arms.iter().enumerate() {
        match groups.iter_mut().find(|g| alike(&arms[g[0]].1, rows)) {
            Some(group) => group.push(k),
            None => groups.push(vec![k]),
        }
    }
    let sentences: Vec<String> = groups
        .iter()
        .filter(|g| g.len() > 1)
        .map(|g| {
            let names: Vec<String> = g.iter().map(|&k| arms[k].0.clone()).collect();
            let spend_unchanged = arms[g[0]]
                .1
                .iter()
                .any(|r| r.role == "commissioner" && r.unchanged());
            let (none, all) = if g.len() == 2 {
                ("neither contract", "both contracts'")
            } else {
                ("none of these contracts", "these contracts'")
            };
            let why = if spend_unchanged {
                format!(
                    "{none} pays for anything the programme changes (the commissioner's spend is \
                     the same with and without it), so its savings and costs stay with whoever's \
                     care or budget they touch"
                )
            } else {
                format!("the programme moves {all} payments alike")
            };
            format!(
                "Under {} every party gains the same: {why}.",
                and_list(&names)
            )
        })
        .collect();
    (!sentences.is_empty()).then(|| sentences.join(" "))
}

/// How a party (or the system) fares under an intervention, by the mean of its gain.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Outcome {
    /// No change in (almost) every simulated future.
    Unchanged,
    /// An average too small to matter: under 2% of the arm's largest, or under £0.50.
    Even,
    Gain(f64),
    Loss(f64),
}

/// `scale`: the largest mean gain or loss in the arm; a mean under 2% of it, or under £0.50,
/// counts as breaking even.
fn outcome(r: &PartyGain, scale: f64) -> Outcome {
    if r.unchanged() {
        Outcome::Unchanged
    } else if r.mean.abs() < 0.5 || r.mean.abs() < 0.02 * scale {
        Outcome::Even
    } else if r.mean > 0.0 {
        Outcome::Gain(r.mean)
    } else {
        Outcome::Loss(-r.mean)
    }
}

/// One plain-English sentence on who gains and who loses under an intervention arm, from the
/// means of the who-gains table (they add up to the system's, as a reader checks; the table's
/// medians need not), and a second naming the results that could go either way.
pub fn gains_sentence(arm: &str, rows: &[PartyGain]) -> String {
    // The first figure stated is marked as an average.
    let mut average_said = false;
    let mut with_figure = |clause: String| {
        if average_said {
            clause
        } else {
            average_said = true;
            format!("{clause} on average")
        }
    };
    let scale = rows.iter().map(|r| r.mean.abs()).fold(0.0, f64::max);
    let outcome = |r: &PartyGain| outcome(r, scale);
    let parties: Vec<&PartyGain> = rows.iter().filter(|r| !r.is_system()).collect();
    // Providers that neither pay for the programme nor see their median move are named together.
    let grouped =
        |r: &PartyGain, o: Outcome| !r.pays() && r.role != "commissioner" && outcome(r) == o;
    let names_of = |o: Outcome| -> Vec<String> {
        parties
            .iter()
            .filter(|r| grouped(r, o))
            .map(|r| party_name(&r.party))
            .collect()
    };
    let mut clauses = Vec::new();
    // Parties named together, said after the others ("…, while a and b roughly break even").
    let mut together = Vec::new();
    let mut said_unchanged = false;
    let mut said_even = false;
    for r in &parties {
        let name = party_name(&r.party);
        let commissioner = r.role == "commissioner";
        let o = outcome(r);
        if grouped(r, Outcome::Unchanged) {
            if !said_unchanged {
                said_unchanged = true;
                together.push(match names_of(o).as_slice() {
                    [one] => format!("{one}'s surplus is unchanged"),
                    many => format!("the surpluses of {} are unchanged", and_list(many)),
                });
            }
            continue;
        }
        if grouped(r, Outcome::Even) {
            if !said_even {
                said_even = true;
                together.push(match names_of(o).as_slice() {
                    [one] => format!("{one} roughly breaks even"),
                    many => format!("{} roughly break even", and_list(many)),
                });
            }
            continue;
        }
        let who = if r.pays() {
            format!(
                "{name}, which pays for the programme ({} over the term),",
                money_gain(r.programme_cost)
            )
        } else {
            name.clone()
        };
        clauses.push(match (o, commissioner) {
            (Outcome::Unchanged, true) if !r.pays() => format!("{name}'s spend is unchanged"),
            (Outcome::Even, true) if !r.pays() => format!("{name}'s spend barely changes"),
            (Outcome::Unchanged | Outcome::Even, _) => format!("{who} ends up about where it was"),
            (Outcome::Gain(x), true) => with_figure(format!("{who} saves {}", money_gain(x))),
            (Outcome::Gain(x), false) => with_figure(format!("{who} gains {}", money_gain(x))),
            (Outcome::Loss(x), true) => with_figure(format!("{who} spends {} more", money_gain(x))),
            (Outcome::Loss(x), false) => with_figure(format!("{who} loses {}", money_gain(x))),
        });
    }
    let mut sentence = format!("Under {arm}, {}", and_list(&clauses));
    if !together.is_empty() {
        if !clauses.is_empty() {
            sentence.push_str(", while ");
        }
        sentence.push_str(&and_list(&together));
    }
    if let Some(sys) = rows.iter().find(|r| r.is_system()) {
        let clause = match outcome(sys) {
            Outcome::Unchanged => "the cost of care is unchanged".to_string(),
            Outcome::Even => "the system as a whole roughly breaks even".to_string(),
            Outcome::Gain(x) => with_figure(format!("the system saves {} net", money_gain(x))),
            // Care that costs more on average with the programme than without is care it added
            // (capacity, a shift that adds events), not too little care avoided.
            Outcome::Loss(x) => format!(
                "{}: {}",
                with_figure(format!("the system loses {} net", money_gain(x))),
                match (sys.other_cost_change > 0.0, sys.programme_cost > 0.5) {
                    (true, true) => "the programme adds care, and its own cost comes on top",
                    (true, false) => "the programme adds care",
                    (false, _) => "the programme costs more than the care it avoids",
                }
            ),
        };
        sentence.push_str(if clauses.is_empty() && together.is_empty() {
            ""
        } else {
            "; "
        });
        sentence.push_str(&clause);
    }
    sentence.push('.');
    // Gains or losses stated whose 5th-95th percentile range spans zero could go either way.
    let uncertain: Vec<String> = rows
        .iter()
        .filter(|r| matches!(outcome(r), Outcome::Gain(_) | Outcome::Loss(_)))
        .filter(|r| r.p5 < 0.0 && r.p95 > 0.0)
        .enumerate()
        .map(|(k, r)| {
            let name = if r.is_system() {
                "the system".to_string()
            } else {
                party_name(&r.party)
            };
            if k == 0 {
                format!(
                    "{name} (better off in {} of simulated futures)",
                    pct(r.p_gain)
                )
            } else {
                format!("{name} ({})", pct(r.p_gain))
            }
        })
        .collect();
    if !uncertain.is_empty() {
        sentence.push_str(&format!(
            " This could go either way for {}.",
            and_list(&uncertain)
        ));
    }
    sentence
}

fn figure(c: &Chart, data: &str) -> Markup {
    html! {
        figure id=(c.stem) {
            img alt=(c.title) src={ "data:image/png;base64," (data) } data-file={ (c.stem) ".png" };
            figcaption {
                b { (c.title) "." } " " (c.caption)
                " (Also as " (c.stem) ".png and " (c.stem) ".svg.)"
            }
        }
    }
}

/// Each waiting list year by year, its chart and a table per list and world: shown only when
/// some activity type has a list.
fn waiting_lists(
    run: &RunFolder,
    t: &Tables,
    chart: Option<(&Chart, &str)>,
) -> anyhow::Result<Markup> {
    let Some(table) = &t.waiting_lists else {
        return Ok(html! {});
    };
    let figures = super::waiting_lists::figures(table)?;
    let mut tables: Vec<(&str, &str)> = Vec::new();
    for f in &figures {
        if !tables.contains(&(f.list.as_str(), f.world.as_str())) {
            tables.push((&f.list, &f.world));
        }
    }
    // A world whose programmes leave a list as the status quo has it (extra capacity at one
    // trust, another's list) gets a line, not a table of the same figures again.
    let figures_of = |list: &str, world: &str| -> Vec<(&str, i32, f64, f64, f64)> {
        figures
            .iter()
            .filter(|f| f.list == list && f.world == world)
            .map(|f| (f.measure.as_str(), f.calendar_year, f.mean, f.p5, f.p95))
            .collect()
    };
    let unchanged: Vec<(&str, &str)> = tables
        .iter()
        .copied()
        .filter(|&(list, world)| {
            world != crate::engine::STATUS_QUO
                && figures_of(list, world) == figures_of(list, crate::engine::STATUS_QUO)
        })
        .collect();
    tables.retain(|t| !unchanged.contains(t));
    let years: Vec<i32> = (0..run.scenario.years as i32)
        .map(|y| run.scenario.start_year + y)
        .collect();
    // Where the list stands after what flowed through it.
    const ROWS: [&str; 6] = [
        "referrals",
        "treated",
        "removed",
        "waiting_list",
        "52_week_waiters",
        "median_wait_weeks",
    ];
    let words = |measure: &'static str| match measure {
        "referrals" => "referred in the year",
        "treated" => "treated in the year",
        "removed" => "left without treatment in the year",
        "waiting_list" => "waiting at the year's end",
        "52_week_waiters" => "of whom waiting 52 weeks or more",
        "median_wait_weeks" => "median wait at the year's end, weeks",
        other => other,
    };
    // Weeks to a tenth, pathways whole.
    let value = |f: &super::waiting_lists::ListFigure, x: f64| {
        if !x.is_finite() {
            "–".to_string()
        } else if f.measure == "median_wait_weeks" {
            format!("{x:.1}")
        } else {
            thousands(x.max(0.0).round() as u64)
        }
    };
    Ok(html! {
        section id="waiting-lists" {
            h2 { "Waiting lists" }
            p {
                "Pathways on each elective waiting list at each year's end, how many have \
                 waited 52 weeks or more, and the median wait, as each simulated future's demand, \
                 capacity and removals move them. Each figure is the mean across the "
                (super::count(run.scenario.replications, "simulated future")) ", with the 5th \
                 to 95th percentile beneath it. "
                code { (crate::run_folder::WAITING_LIST) } " has every figure with its Monte \
                 Carlo error."
            }
            @if let Some((c, data)) = chart {
                (figure(c, data))
            }
            @for (list, world) in &unchanged {
                p.note {
                    "With " (world) ", the "
                    (super::waiting_lists::list_name(list, &run.scenario)
                        .replacen("Waiting list", "waiting list", 1))
                    " has the same figures as in the status quo: its table is that one."
                }
            }
            @for (list, world) in &tables {
                table.years {
                    thead {
                        tr {
                            th {
                                (super::waiting_lists::list_name(list, &run.scenario))
                                @if *world != crate::engine::STATUS_QUO {
                                    ", with " (world)
                                }
                            }
                            @for y in &years { th { (y) } }
                        }
                    }
                    tbody {
                        @for measure in ROWS {
                            tr {
                                td { (capitalised(words(measure))) }
                                @for y in &years {
                                    @match figures.iter().find(|f| f.list == *list && f.world == *world
                                        && f.measure == measure && f.calendar_year == *y) {
                                        Some(f) => td.n {
                                            (value(f, f.mean))
                                            span.se { (value(f, f.p5)) "–" (value(f, f.p95)) }
                                        },
                                        None => td.n { "–" },
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    })
}

/// Who gains from the interventions: shown only when some arm runs one.
fn who_gains(
    run: &RunFolder,
    t: &Tables,
    chart: Option<(&Chart, &str)>,
    by_year: Option<(&Chart, &str)>,
) -> anyhow::Result<Markup> {
    let arms = gains_by_arm(t)?;
    if arms.is_empty() {
        return Ok(html! {});
    }
    let unit = MoneyUnit::for_values(
        arms.iter()
            .flat_map(|(_, rows)| rows.iter().flat_map(|r| [r.p5, r.p50, r.p95])),
    );
    let programmes = |arm: &str| {
        run.scenario
            .arm
            .iter()
            .find(|a| a.name == arm)
            .map(|a| a.interventions.join(", "))
            .unwrap_or_default()
    };
    let described: Vec<(&str, &str)> = run
        .scenario
        .intervention
        .iter()
        .filter(|i| !i.description.is_empty())
        .filter(|i| {
            arms.iter()
                .any(|(a, _)| programmes(a).split(", ").any(|p| p == i.name))
        })
        .map(|i| (i.name.as_str(), i.description.as_str()))
        .collect();
    let years = run.scenario.years;
    Ok(html! {
        section id="who-gains" {
            h2 { "Who gains from the intervention?" }
            p {
                @for (k, (arm, _)) in arms.iter().enumerate() {
                    @if k + 1 == arms.len() && k > 0 {
                        " and "
                    } @else if k > 0 {
                        ", "
                    }
                    b { (arm) } " (with " (programmes(arm)) ")"
                }
                @if arms.len() == 1 { " runs " } @else { " run " }
                "a programme that changes the care people need or receive, or what it costs. Each is compared with the same \
                 contract, in the same simulated futures, without the programme. A gain is the \
                 change over the " (years) "-year term in what each party keeps: for a provider \
                 its surplus (payments received less the cost of care, and of the programme if it \
                 pays for it); for the commissioner, the spend it saves; for the whole system, the \
                 cost of care avoided (negative when it buys more care) less the cost of the \
                 programme. Money paid from one party to \
                 another is a gain to one and a loss to the other, so in every simulated future the \
                 parties' gains add up to the system's, and so do their averages, which the \
                 sentences below state; the table's medians need not."
            }
            @for (name, description) in &described {
                p.note { b { (name) } ": " (description) }
            }
            ul.sentences {
                @for (arm, rows) in &arms {
                    li { (gains_sentence(arm, rows)) }
                }
            }
            @if let Some(note) = same_gains_note(&arms) {
                p.note { (note) }
            }
            @if let Some((c, data)) = chart {
                (figure(c, data))
            }
            table {
                thead {
                    tr {
                        th { "Payment model" }
                        th { "Party" }
                        th { "median gain over the term" }
                        th { "5th–95th percentile" }
                        th { "chance of being better off" }
                    }
                }
                tbody {
                    @for (arm, rows) in &arms {
                        @for (k, r) in rows.iter().enumerate() {
                            tr {
                                @if k == 0 {
                                    td rowspan=(rows.len()) { (arm) }
                                }
                                td { (gain_label(r)) }
                                @if r.unchanged() {
                                    td.n { "no change" }
                                    td.n { "–" }
                                    td.n { "–" }
                                } @else {
                                    td.n {
                                        (unit.show(r.p50))
                                        span.se { " ± " (unit.error(r.p50_se)) }
                                    }
                                    td.n { (unit.show(r.p5)) " to " (unit.show(r.p95)) }
                                    td.n { (pct_se(Estimate { value: r.p_gain, se: r.p_gain_se })) }
                                }
                            }
                        }
                    }
                }
            }
            p.note {
                "Below zero is a loss. ± is the Monte Carlo error (standard error): how far a \
                 figure may be from what unlimited replications would give (one way only at a \
                 chance of 0% or 100%: 0% + 1); who_gains.csv holds one for the mean, each \
                 percentile and the chance of gaining (columns ending _se). Medians need not add up across the parties; averages do \
                 (column mean in who_gains.csv, which also holds the changes in income and cost \
                 behind each gain)."
            }
            @if let Some((c, data)) = by_year {
                (figure(c, data))
            }
            (programme_effects(run, t)?)
        }
    })
}

/// Decimals for percentages whose Monte Carlo error is `se` (in the same points): two, or
/// enough to show the error's first digit (a change of 0.0026 pp ± 0.0010 is not
/// "+0.00 ± 0.00"; more digits than that would be noise), at most six.
fn share_decimals(se: f64) -> usize {
    if !(se.is_finite() && se > 0.0) {
        return 2;
    }
    (-se.log10().floor()).clamp(2.0, 6.0) as usize
}

/// `x` to `decimals`, with − before a fall and, when `signed`, + before a rise; no sign when
/// it rounds to zero (never "−0.00").
fn points(x: f64, decimals: usize, signed: bool) -> String {
    if !x.is_finite() {
        return "–".into();
    }
    with_sign(format!("{:.decimals$}", x.abs()), x, signed)
}

/// A count of people or events (or weeks): whole numbers with separators from 100 on, one
/// decimal below, two below 1 (an error of 0.04 weeks is not 0.0), and none at all at 0;
/// `signed` puts + before a rise.
fn count(x: f64, signed: bool) -> String {
    if !x.is_finite() {
        return "–".into();
    }
    let body = if x == 0.0 {
        "0".to_string()
    } else if x.abs() >= 100.0 {
        thousands(x.abs().round() as u64)
    } else if x.abs() >= 1.0 {
        format!("{:.1}", x.abs())
    } else {
        format!("{:.2}", x.abs())
    };
    with_sign(body, x, signed)
}

/// What each intervention world changes among the people covered, against the status quo in
/// the same futures: deaths, new conditions and each activity's events over the term, and
/// levels (waiting lists, the share with two or more conditions) in the last year.
fn programme_effects(run: &RunFolder, t: &Tables) -> anyhow::Result<Markup> {
    let Some(outcomes) = &t.outcomes else {
        return Ok(html! {});
    };
    let changes = super::outcomes::programme_changes(outcomes, &run.scenario.measure)?;
    let mut worlds: Vec<&str> = Vec::new();
    for c in &changes {
        if !worlds.contains(&c.world.as_str()) {
            worlds.push(&c.world);
        }
    }
    let label = |c: &super::outcomes::ProgrammeChange| {
        // An activity's or a list's indicator says whose it is, when several providers share
        // the place.
        let whose = run
            .scenario
            .indicator_named(&c.indicator)
            .and_then(|i| i.activity_type())
            .map(|t| {
                let types = run.scenario.activity.type_names();
                super::waiting_lists::delivered_by(&types[t], &run.scenario)
            })
            .unwrap_or_default();
        let name = format!("{}{whose}", capitalised(&plain_name(&c.indicator)));
        if c.horizon == super::outcomes::TERM {
            name
        } else {
            format!("{name}, {}", c.horizon)
        }
    };
    // A measure's own description, shown when the reader points at its name.
    let description = |c: &super::outcomes::ProgrammeChange| {
        run.scenario
            .measure
            .iter()
            .find(|m| m.name == c.indicator && !m.description.is_empty())
            .map(|m| m.description.clone())
    };
    // A share in percent (to two decimals) and its change in percentage points (to as many
    // as the row's Monte Carlo error needs); a count as a count.
    let level = |c: &super::outcomes::ProgrammeChange, x: f64, signed: bool| {
        if c.share {
            let unit = if signed { " pp" } else { "%" };
            let decimals = if signed {
                share_decimals(100.0 * c.mean_se)
            } else {
                2
            };
            format!("{}{unit}", points(100.0 * x, decimals, signed))
        } else {
            count(x, signed)
        }
    };
    // The change's error, to the change's decimals.
    let error = |c: &super::outcomes::ProgrammeChange| {
        if c.share {
            let decimals = share_decimals(100.0 * c.mean_se);
            format!("{} pp", points(100.0 * c.mean_se, decimals, false))
        } else {
            count(c.mean_se, false)
        }
    };
    Ok(html! {
        @if !worlds.is_empty() {
            h3 { "What the programme changes" }
            p {
                "What each programme changes for the people covered, against the status quo \
                 in the same simulated futures: what the contracts above pay for, or do not. \
                 Events (deaths, new conditions, care) are summed over the "
                (run.scenario.years)
                "-year term; levels (waiting lists, the share with two or more conditions, the \
                 scenario's measures) are those of the last year. A share's change is in \
                 percentage points (pp); the last column is the change as a percentage of the \
                 status quo. Indicators that are 0 in both worlds are left out. "
                code { (super::outcomes::OUTCOMES_CSV) } " holds every indicator year by year, \
                 and " code { "outcomes.parquet" } " each simulated future."
            }
            @for world in &worlds {
                table {
                    thead {
                        tr {
                            th { "With " (world) }
                            th { "status quo, average" }
                            th { "change, average" }
                            th { "5th–95th percentile" }
                            th { "change, % of status quo" }
                        }
                    }
                    tbody {
                        @for c in changes.iter().filter(|c| c.world == *world) {
                            tr {
                                td title=[description(c)] { (label(c)) }
                                td.n { (level(c, c.status_quo, false)) }
                                @if c.none() {
                                    td.n { "no change" }
                                    td.n { "–" }
                                    td.n { "–" }
                                } @else {
                                    td.n {
                                        (level(c, c.mean, true))
                                        span.se { " ± " (error(c)) }
                                    }
                                    td.n { (level(c, c.p5, true)) " to " (level(c, c.p95, true)) }
                                    td.n { (percent_change(c.mean, c.status_quo)) }
                                }
                            }
                        }
                    }
                }
            }
        }
    })
}

/// A change as a share of what it changes: to a tenth of a percent, or a hundredth below 1%.
fn percent_change(change: f64, base: f64) -> String {
    if base == 0.0 || !base.is_finite() || !change.is_finite() {
        return "–".into();
    }
    let v = 100.0 * change / base;
    let body = if v.abs() < 1.0 {
        format!("{:.2}", v.abs())
    } else {
        format!("{:.1}", v.abs())
    };
    with_sign(body, v, true) + "%"
}

fn reproduce(run: &RunFolder, t: &Tables) -> Markup {
    let s = &run.scenario;
    let i = &run.info;
    html! {
        ul {
            li {
                "capsim version " b { (i.capsim_build()) } ", seed " b { (s.seed) } ", "
                (super::count(s.replications, "replication")) " of " (super::count(s.years, "year")) "."
            }
            li {
                "Run with " code { (i.command) } " on " (i.threads) " threads in "
                (format!("{:.1}", i.elapsed_seconds)) " s."
            }
            @if let Some(point) = &i.sweep_point {
                li {
                    "This run is " b { (point) } " of the sweep; the sweep's folder, one up, \
                    compares the points (sweep.csv, sweep.png)."
                }
            }
            li {
                "To reproduce exactly, from this folder: " code { "capsim run scenario.toml --out ../rerun" }
                ". The same seed gives identical results on any number of threads."
            }
            li { "To rebuild these tables, charts and this page: " code { "capsim report ." } }
            li {
                "Files: " code { "summary.csv" } ", " code { "equity.csv" } " and "
                code { "summary.xlsx" } " (tables), "
                @if t.who_gains.height() > 0 {
                    code { (super::WHO_GAINS_CSV) } " (who gains from each intervention, per \
                    payment model and party; per simulated future in " code { "who_gains.parquet" } "), "
                }
                @if t.who_gains_by_year.as_ref().is_some_and(|t| t.height() > 0) {
                    code { (super::WHO_GAINS_BY_YEAR_CSV) } " (the same year by year; per \
                    simulated future in " code { "who_gains_by_year.parquet" } "), "
                }
                code { (super::outcomes::OUTCOMES_CSV) } " (deaths, new conditions and \
                activity per world and year; per simulated future in " code { "outcomes.parquet" } "), "
                @if t.waiting_lists.is_some() {
                    code { (crate::run_folder::WAITING_LIST) } " (each waiting list year by \
                    year; per simulated future in " code { "world.parquet" } "), "
                }
                @if run.dir.join(crate::run_folder::BASIS).exists() {
                    code { (crate::run_folder::BASIS) } " (what the contracts are set on: \
                    every indicator's expected value in the status quo, year by year), "
                }
                @if run.dir.join(crate::run_folder::MONITORING).exists() {
                    code { (crate::run_folder::MONITORING) } " (the indicators the contracts \
                    judge, per arm and year, against their targets), "
                }
                code { "ledger.parquet" }
                " (every party's account per simulated year), " code { "world.parquet" }
                " (activity and cost), " code { "scenario.toml" } " (every assumption, with its source)."
            }
        }
    }
}

const STYLE: &str = "body{font-family:'DejaVu Sans',Verdana,Arial,sans-serif;color:#111;max-width:1100px;margin:2em auto;padding:0 1em;line-height:1.45}\
h1{font-size:1.8em;margin-bottom:.2em}h2{margin-top:1.8em;border-bottom:2px solid #333;padding-bottom:.2em}\
table{border-collapse:collapse;margin:1em 0;font-size:.92em}th,td{border:1px solid #999;padding:.35em .6em}th{background:#e6e6e6}td:first-child{min-width:7em;max-width:18em}\
td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}figure{margin:1.5em 0}figure img{max-width:100%;height:auto;border:1px solid #ccc}\
figcaption{font-size:.92em;color:#333;margin-top:.4em}.note{color:#444;font-style:italic}.lead{font-size:1.1em;color:#222;margin-top:0}.tag{font-size:.8em;color:#555;font-weight:normal}\
dt{font-weight:bold;margin-top:.8em}code{background:#f2f2f2;padding:0 .25em}\
.se{color:#555;font-size:.85em}table.headline .se,table.years .se{display:block}table.headline{font-size:.85em;display:block;overflow-x:auto;max-width:100%}.warning{border-left:4px solid #b00;padding:.3em .8em;background:#fbeaea}\
@media print{@page{size:A4;margin:15mm}body{max-width:none;margin:0;padding:0;font-size:10pt}\
h2,h3,p.note,dt{break-after:avoid;page-break-after:avoid}table,figure,tr,dl>dd{break-inside:avoid;page-break-inside:avoid}\
table.headline{font-size:8pt;width:100%;display:table}table.headline th,table.headline td{padding:.2em .3em}\
td:first-child{white-space:normal}figure img{max-height:200mm;object-fit:contain}}.nb{white-space:nowrap}";

/// Writes report.html into `out`, with the charts (already written there) embedded.
pub fn write_report(
    run: &RunFolder,
    t: &Tables,
    charts: &[Chart],
    out: &Path,
) -> anyhow::Result<()> {
    let s = &run.scenario;
    let figures: Vec<(&Chart, String)> = charts
        .iter()
        .map(|c| {
            let png = std::fs::read(out.join(format!("{}.png", c.stem)))?;
            Ok((c, base64::engine::general_purpose::STANDARD.encode(png)))
        })
        .collect::<std::io::Result<_>>()?;
    let rows = arm_headlines(run, t)?;
    let chart = |stem: &str| {
        figures
            .iter()
            .find(|(c, _)| c.stem == stem)
            .map(|(c, data)| (*c, data.as_str()))
    };
    // Who gains and the waiting lists have sections of their own, with their charts.
    let in_section = |c: &Chart| {
        [
            WHO_GAINS_CHART,
            WHO_GAINS_BY_YEAR_CHART,
            super::waiting_lists::CHART,
        ]
        .contains(&c.stem.as_str())
    };
    let page = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (page_title(run)) }
                // The stylesheet is a constant of this file, not data, so it needs no escaping.
                style { (PreEscaped(STYLE)) }
            }
            body {
                h1 { (s.name) }
                (description(run))
                p { "What each party gains or loses under " (s.arm.len()) " payment models, simulated with capsim." }
                h2 { "The scenario" }
                (scenario_words(run)?)
                h2 { "Trade-offs at a glance" }
                (trade_offs(run, &rows))
                h2 { "Headline results" }
                // What the figures mean before the figures.
                p.note {
                    "Surplus = payments received − cost of care − the cost of any programme the \
                     providers pay for (and, for a lead provider, what it pays its subcontractors); \
                     below zero is a loss. The \
                     5th–95th percentile range holds 90% of the simulated futures. Full tables: \
                     summary.csv / summary.xlsx."
                    @if t.who_gains.height() > 0 {
                        " An arm that runs interventions is shown with them; who gains from \
                         them is below."
                    }
                }
                (headline(run, &rows, &t.arm_differences, s.replications)?)
                @if let Some(table) = each_provider(run, t)? {
                    (table)
                }
                h2 { "Charts" }
                @for (c, data) in figures.iter().filter(|(c, _)| !in_section(c)) {
                    (figure(c, data))
                }
                (waiting_lists(run, t, chart(super::waiting_lists::CHART))?)
                (who_gains(run, t, chart(WHO_GAINS_CHART), chart(WHO_GAINS_BY_YEAR_CHART))?)
                h2 { "What each payment model does" }
                (models(run))
                h2 { "Who would a provider want as patients?" }
                p {
                    "The providers' average margin per person per year over the term (all \
                     providers together): payments less the cost of care, before any programme's \
                     cost (which the headline surplus also takes off). Beside it, what each group \
                     of patients earns above (+) or below (−) that average: a provider gains by \
                     attracting the groups above and avoiding those below, and risk-adjusted \
                     capitation is designed to bring every group to the average. ± is the \
                     difference's Monte Carlo standard error; a difference within about two of them \
                     may be the simulation's noise. equity.csv has each group's margin itself, \
                     with its percentiles."
                }
                h3 { "By deprivation" }
                (equity_table(run, t, "imd_quintile")?)
                h3 { "By number of long-term conditions (LTCs)" }
                (equity_table(run, t, "ltc_count")?)
                h2 { "How to reproduce this run" }
                (reproduce(run, t))
                p.note {
                    "Assumptions and their sources: scenario.toml in this folder, and docs/model.md \
                     and docs/contracts.md in capsim."
                }
            }
        }
    };
    let page = negative_pounds_unbroken(&page.into_string());
    crate::run_folder::write_named(&out.join("report.html"), page + "\n")?;
    Ok(())
}

/// `html` with every negative amount of money in its text ("−£283m") kept on one line.
/// Browsers may break a line between the minus sign and the pound sign (both prefixes to a
/// number in Unicode's line-breaking rules), leaving a "−" at the end of one line and a
/// positive-looking figure on the next. A span that does not wrap holds them together and,
/// unlike a joining character, leaves the figure as it is when copied. Only text is touched:
/// maud escapes `<` and `>` in text and attributes, so every `<` starts a tag.
fn negative_pounds_unbroken(html: &str) -> String {
    const NEGATIVE_POUNDS: &str = "−£";
    let mut out = String::with_capacity(html.len() + 1024);
    let mut rest = html;
    while let Some(start) = rest.find(['<', '−']) {
        out.push_str(&rest[..start]);
        rest = &rest[start..];
        if rest.starts_with('<') {
            // A tag; the title and the stylesheet are copied whole (markup there is not markup).
            let mut end = rest.find('>').map_or(rest.len(), |e| e + 1);
            for (open, close) in [("<title", "</title>"), ("<style", "</style>")] {
                if rest.starts_with(open) {
                    end = rest.find(close).map_or(rest.len(), |e| e + close.len());
                }
            }
            out.push_str(&rest[..end]);
            rest = &rest[end..];
        } else if rest.starts_with(NEGATIVE_POUNDS) {
            let end = rest
                .find(|c: char| c.is_whitespace() || c == '<')
                .unwrap_or(rest.len());
            out.push_str("<span class=\"nb\">");
            out.push_str(&rest[..end]);
            out.push_str("</span>");
            rest = &rest[end..];
        } else {
            out.push('−');
            rest = &rest['−'.len_utf8()..];
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A negative amount of money in text is held on one line; attributes, other minus
    /// signs and positive amounts are left as they are.
    #[test]
    fn a_negative_amount_of_money_is_not_broken_across_lines() {
        assert_eq!(
            negative_pounds_unbroken(
                "<title>a: −£5m</title><p title=\"−£5m\">a loses −£283m, b gains £3m (−£1.2m).\
                 </p><td>−£4k</td> a − b"
            ),
            "<title>a: −£5m</title><p title=\"−£5m\">a loses <span class=\"nb\">−£283m,</span> \
             b gains £3m (<span class=\"nb\">−£1.2m).</span></p><td><span class=\"nb\">−£4k\
             </span></td> a − b"
        );
    }

    /// A chance that is neither 0 nor 1 never shows as one: a loss in 1 future in 300 is "<1%".
    #[test]
    fn a_chance_rounds_to_0_or_100_percent_only_when_it_is_one() {
        assert_eq!(pct(0.0), "0%");
        assert_eq!(pct(1.0 / 300.0), "<1%");
        assert_eq!(pct(0.0049), "<1%");
        assert_eq!(pct(0.005), "1%");
        // A half rounds up, as someone reading p = 0.965 from summary.csv would round it.
        assert_eq!(pct(0.965), "97%");
        assert_eq!(pct(0.525), "53%");
        assert_eq!(pct(0.845), "85%");
        assert_eq!(pct(0.575), "58%");
        assert_eq!(super::super::percent_with_error(0.965, 0.013, 0), "97% ± 1");
        assert_eq!(pct(0.42), "42%");
        assert_eq!(pct(0.994), "99%");
        assert_eq!(pct(299.0 / 300.0), ">99%");
        assert_eq!(pct(1.0), "100%");
        assert_eq!(pct(f64::NAN), "–");
    }

    fn party(party: &str, role: &str, p5: f64, p50: f64, p95: f64, paid: f64) -> PartyGain {
        PartyGain {
            p50_se: 0.0,
            p_gain_se: 0.0,
            party: party.into(),
            role: role.into(),
            mean: p50,
            p5,
            p50,
            p95,
            p_gain: 0.8,
            programme_cost: paid,
            other_cost_change: 0.0,
        }
    }

    /// Arms under which every party gains the same are named together, and why when the
    /// commissioner's spend does not move; arms that differ are not.
    #[test]
    fn arms_with_the_same_gains_are_said_to_have_them() {
        let rows = |provider: f64, commissioner: f64| {
            vec![
                party(
                    "commissioner",
                    "commissioner",
                    commissioner,
                    commissioner,
                    commissioner,
                    0.0,
                ),
                party(
                    "acute",
                    "provider",
                    provider - 1e4,
                    provider,
                    provider + 1e4,
                    0.0,
                ),
                party("system", "system", provider, provider, provider, 0.0),
            ]
        };
        let arms = vec![
            ("block-p".to_string(), rows(2e6, 0.0)),
            ("pbr-p".to_string(), rows(-1e6, 3e6)),
            ("capitation-p".to_string(), rows(2e6, 0.0)),
        ];
        let note = same_gains_note(&arms).expect("a note");
        assert!(
            note.starts_with(
                "Under block-p and capitation-p every party gains the same: neither contract \
                 pays for anything the programme changes"
            ),
            "{note}"
        );
        assert!(!note.contains("pbr-p"), "{note}");
        let moving = vec![
            ("a".to_string(), rows(2e6, 1e6)),
            ("b".to_string(), rows(2e6, 1e6)),
        ];
        assert_eq!(
            same_gains_note(&moving).as_deref(),
            Some(
                "Under a and b every party gains the same: the programme moves both contracts' payments alike."
            )
        );
        assert_eq!(same_gains_note(&arms[..2]), None);
    }

    /// A party whose percentiles are all 0 but whose mean is not (a large change in a few
    /// futures) is not "unchanged": its average is stated.
    #[test]
    fn a_change_in_a_few_futures_is_not_called_no_change() {
        let mut rare = party("commissioner", "commissioner", 0.0, 0.0, 0.0, 0.0);
        assert!(rare.unchanged());
        rare.mean = 2.0e6;
        assert!(!rare.unchanged());
        let rows = [rare, party("system", "system", 0.0, 0.0, 0.0, 0.0)];
        let sentence = gains_sentence("a", &rows);
        assert!(!sentence.contains("spend is unchanged"), "{sentence}");
        assert!(
            sentence.contains("the commissioner saves £2.0m on average"),
            "{sentence}"
        );
    }

    #[test]
    fn the_sentence_names_gainers_losers_and_the_payer() {
        let rows = [
            party("commissioner", "commissioner", 0.0, 0.0, 0.0, 0.0),
            party("acute", "provider", 12.3e6, 14.0e6, 16.0e6, 0.0),
            party("community", "provider", -14.3e6, -13.3e6, -12.3e6, 15.8e6),
            party("system", "system", 0.2e6, 0.7e6, 1.2e6, 15.8e6),
        ];
        assert_eq!(
            gains_sentence("block-prevention", &rows),
            "Under block-prevention, the commissioner's spend is unchanged, acute gains £14.0m \
             on average and community, which pays for the programme (£15.8m over the term), loses \
             £13.3m; the system saves £700k net."
        );
    }

    /// A programme that buys care (capacity) loses the system more than its own cost: the
    /// sentence says so, rather than that it avoided too little.
    #[test]
    fn a_loss_beyond_the_programmes_cost_is_care_it_added() {
        let rows = [
            party("commissioner", "commissioner", 0.0, 0.0, 0.0, 0.0),
            party("leeds", "provider", -13.0e6, -9.6e6, -9.3e6, 3.1e6),
            PartyGain {
                other_cost_change: 7.0e6,
                ..party("system", "system", -13.0e6, -9.6e6, -9.3e6, 3.1e6)
            },
        ];
        assert!(
            gains_sentence("block", &rows).ends_with(
                "the system loses £9.6m net: the programme adds care, and its own cost comes on \
                 top."
            ),
            "{}",
            gains_sentence("block", &rows)
        );
        // A median loss beyond the programme's mean cost, with care avoided on average (a
        // skewed uptake): too little avoided, not care added.
        let avoided = [
            rows[0].clone(),
            rows[1].clone(),
            PartyGain {
                other_cost_change: -9.0e3,
                ..rows[2].clone()
            },
        ];
        assert!(
            gains_sentence("block", &avoided)
                .ends_with("the programme costs more than the care it avoids."),
            "{}",
            gains_sentence("block", &avoided)
        );
    }

    #[test]
    fn small_averages_break_even_together_and_uncertain_results_are_flagged() {
        let rows = [
            party(
                "commissioner",
                "commissioner",
                -1.3e6,
                -1.2e6,
                -1.1e6,
                1.2e6,
            ),
            party("acute", "provider", -0.1e6, 0.01e6, 0.1e6, 0.0),
            party("gp", "provider", -0.1e6, -0.01e6, 0.1e6, 0.0),
            party("system", "system", -0.9e6, -0.4e6, 0.1e6, 1.2e6),
        ];
        assert_eq!(
            gains_sentence("pbr", &rows),
            "Under pbr, the commissioner, which pays for the programme (£1.2m over the term), \
             spends £1.2m more on average, while acute and gp roughly break even; the system loses \
             £400k net: the programme costs more than the care it avoids. This could go either \
             way for the system (better off in 80% of simulated futures)."
        );
    }

    #[test]
    fn gains_are_stated_in_millions_thousands_or_pounds() {
        assert_eq!(money_gain(14.04e6), "£14.0m");
        assert_eq!(money_gain(-250.4e6), "−£250m");
        assert_eq!(money_gain(1_204.4e6), "£1,204m");
        assert_eq!(money_gain(683_700.0), "£684k");
        assert_eq!(money_gain(-999_600.0), "−£1.0m");
        assert_eq!(money_gain(-412.0), "−£412");
        assert_eq!(money_gain(-0.2), "£0");
    }
}
