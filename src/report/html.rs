//! report.html: one self-contained page (charts embedded) a non-technical reader understands.
//!
//! Built with maud templates, which escape every spliced value: scenario names, descriptions and
//! arm names come from user files and reach the page only as text.

use std::path::Path;

use base64::Engine as _;
use maud::{DOCTYPE, Markup, PreEscaped, html};

use super::{Chart, RunFolder, Tables, f64s, strs};
use crate::scenario::CohortMode;
use crate::scenario::contracts::plain_name;

/// £ millions: one decimal below £100m, whole millions with separators above.
fn money_m(x: f64) -> String {
    if x.is_nan() {
        return "–".into();
    }
    let m = x / 1e6;
    let body = if m.abs() >= 100.0 {
        thousands(m.abs().round() as u64)
    } else {
        format!("{:.1}", m.abs())
    };
    format!("{}£{body}m", if m < 0.0 { "−" } else { "" })
}

fn pct(x: f64) -> String {
    if x.is_nan() {
        "–".into()
    } else {
        format!("{:.0}%", 100.0 * x)
    }
}

fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
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
        (Some(_), _, _) => "a population loaded from a GP-register extract",
        (None, None, None) => {
            "a population with England's mix of ages, deprivation and rural living"
        }
        _ => "a population with its own mix of deprivation and rural living",
    };
    let cohort = s.population.cohort.as_ref().map(|c| {
        let mut parts = Vec::new();
        if c.age_min.is_some() || c.age_max.is_some() {
            parts.push(format!(
                "aged {}–{}",
                c.age_min.unwrap_or(0),
                c.age_max.unwrap_or(100)
            ));
        }
        if let Some(k) = c.ltc_min {
            parts.push(format!("with at least {k} long-term conditions"));
        }
        let mode = match c.mode {
            CohortMode::Closed => "the same people followed over time",
            CohortMode::Open => {
                "people join as they meet the criteria and leave as they stop meeting them"
            }
        };
        (parts.join(" "), mode)
    });
    let providers = &s.provider;
    Ok(html! {
        p {
            "This run follows " b { (thousands(heads)) } " people (" (place) ") for "
            b { (s.years) " years" } " from " (s.start_year)
            @if let Some((who, mode)) = &cohort {
                ", restricted to a cohort " (who) " (" (mode) ")"
            }
            ". The future is simulated " b { (thousands(u64::from(s.replications))) " times" }
            ": people age, develop long-term conditions, die, move away and arrive; each simulated \
             future has its own demand growth, cost inflation and bad winters. Every payment model \
             below is applied to the " em { "same" } " simulated futures, so the differences \
             between them come from how they pay, not from chance."
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
        @if !s.description.is_empty() {
            p.note { (s.description) }
        }
    })
}

fn headline(run: &RunFolder, t: &Tables) -> anyhow::Result<Markup> {
    let s = &t.summary;
    let (arm, party, hor) = (strs(s, "arm")?, strs(s, "party")?, strs(s, "horizon")?);
    let g = |c: &str| f64s(s, c);
    let (p5, p50, p95, pl, pl2, es, mean, per_head) = (
        g("p5")?,
        g("p50")?,
        g("p95")?,
        g("p_loss")?,
        g("p_loss_over_2pct")?,
        g("expected_shortfall_5pct")?,
        g("mean")?,
        g("spend_per_head")?,
    );
    let who = run.headline_party();
    // Per arm, the summary rows of the headline party and of the commissioner over the term.
    let rows: Vec<(String, usize, usize)> = run
        .arms()
        .into_iter()
        .filter_map(|a| {
            let find = |p: &str| {
                (0..arm.len()).find(|&i| arm[i] == a && party[i] == p && hor[i] == "term")
            };
            let (i, c) = (find(&who)?, find("commissioner")?);
            Some((a, i, c))
        })
        .collect();
    Ok(html! {
        table {
            thead {
                tr {
                    th rowspan="2" { "Payment model" }
                    th colspan="5" { "Surplus of " (who) " over the whole term" }
                    th colspan="2" { "Commissioner spend" }
                }
                tr {
                    th { "median" }
                    th { "5th–95th percentile" }
                    th { "chance of a loss" }
                    th { "chance of losing more than 2% of income" }
                    th { "average of the worst 5%" }
                    th { "average over the term" }
                    th { "per person per year" }
                }
            }
            tbody {
                @for (a, i, c) in &rows {
                    tr {
                        td { (a) }
                        td.n { (money_m(p50[*i])) }
                        td.n { (money_m(p5[*i])) " to " (money_m(p95[*i])) }
                        td.n { (pct(pl[*i])) }
                        td.n { (pct(pl2[*i])) }
                        td.n { (money_m(es[*i])) }
                        td.n { (money_m(mean[*c])) }
                        td.n { "£" (format!("{:.0}", per_head[*c])) }
                    }
                }
            }
        }
    })
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
                        @if let Some(lead) = &arm.lead {
                            li { (lead) " holds the contract for all care and pays the other providers." }
                        }
                        @for (_, c) in arm.components() {
                            li { (c.describe()) }
                        }
                    }
                }
            }
        }
    }
}

fn equity_table(run: &RunFolder, t: &Tables, dimension: &str) -> anyhow::Result<Markup> {
    let e = &t.equity;
    let (arm, dim, lvl, m) = (
        strs(e, "arm")?,
        strs(e, "dimension")?,
        f64s(e, "level")?,
        f64s(e, "margin_per_head_mean")?,
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
    let cell = |a: &str, q: i32| {
        let v = (0..arm.len())
            .find(|&i| arm[i] == a && dim[i] == dimension && lvl[i] as i32 == q)
            .map(|i| m[i])
            .unwrap_or(f64::NAN);
        if v.is_nan() {
            "–".to_string()
        } else {
            format!(
                "{}£{}",
                if v < 0.0 { "−" } else { "" },
                thousands(v.abs().round() as u64)
            )
        }
    };
    Ok(html! {
        table {
            thead {
                tr {
                    th { "Payment model" }
                    @for (_, label) in &levels {
                        th { (label) }
                    }
                }
            }
            tbody {
                @for a in run.arms() {
                    tr {
                        td { (a) }
                        @for (q, _) in &levels {
                            td.n { (cell(&a, *q)) }
                        }
                    }
                }
            }
        }
    })
}

fn reproduce(run: &RunFolder) -> Markup {
    let s = &run.scenario;
    let i = &run.info;
    html! {
        ul {
            li {
                "capsim version " b { (i.capsim_version) } ", seed " b { (s.seed) } ", "
                (s.replications) " replications of " (s.years) " years."
            }
            li {
                "Run with " code { (i.command) } " on " (i.threads) " threads in "
                (format!("{:.1}", i.elapsed_seconds)) " s."
            }
            li {
                "To reproduce exactly, from this folder: " code { "capsim run scenario.toml --out rerun" }
                ". The same seed gives identical results on any number of threads."
            }
            li { "To rebuild these tables, charts and this page: " code { "capsim report ." } }
            li {
                "Files: " code { "summary.csv" } ", " code { "equity.csv" } " and "
                code { "summary.xlsx" } " (tables), " code { "ledger.parquet" }
                " (every party's account per simulated year), " code { "world.parquet" }
                " (activity and cost), " code { "scenario.toml" } " (every assumption, with its source)."
            }
        }
    }
}

const STYLE: &str = "body{font-family:'DejaVu Sans',Verdana,Arial,sans-serif;color:#111;max-width:1100px;margin:2em auto;padding:0 1em;line-height:1.45}\
h1{font-size:1.8em;margin-bottom:.2em}h2{margin-top:1.8em;border-bottom:2px solid #333;padding-bottom:.2em}\
table{border-collapse:collapse;margin:1em 0;font-size:.92em}th,td{border:1px solid #999;padding:.35em .6em}th{background:#e6e6e6}td:first-child{white-space:nowrap}\
td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}figure{margin:1.5em 0}figure img{width:100%;border:1px solid #ccc}\
figcaption{font-size:.92em;color:#333;margin-top:.4em}.note{color:#444;font-style:italic}.tag{font-size:.8em;color:#555;font-weight:normal}\
dt{font-weight:bold;margin-top:.8em}code{background:#f2f2f2;padding:0 .25em}";

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
    let page = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { "capsim: " (s.name) }
                // The stylesheet is a constant of this file, not data, so it needs no escaping.
                style { (PreEscaped(STYLE)) }
            }
            body {
                h1 { (s.name) }
                p { "What each party gains or loses under " (s.arm.len()) " payment models, simulated with capsim." }
                h2 { "The scenario" }
                (scenario_words(run)?)
                h2 { "Headline results" }
                (headline(run, t)?)
                p.note {
                    "Surplus = payments received − cost of care. The 5th–95th percentile range \
                     holds 90% of the simulated futures. Full tables: summary.csv / summary.xlsx."
                }
                h2 { "Charts" }
                @for (c, data) in &figures {
                    figure id=(c.stem) {
                        img alt=(c.title) src={ "data:image/png;base64," (data) } data-file={ (c.stem) ".png" };
                        figcaption {
                            b { (c.title) "." } " " (c.caption)
                            " (Also as " (c.stem) ".png and " (c.stem) ".svg.)"
                        }
                    }
                }
                h2 { "What each payment model does" }
                (models(run))
                h2 { "Who would a provider want as patients?" }
                p {
                    "Average provider margin per person per year over the term, by deprivation \
                     (all providers together). Large differences between columns mean a provider \
                     gains by attracting some groups and avoiding others; risk-adjusted capitation \
                     is designed to remove them."
                }
                h3 { "By deprivation" }
                (equity_table(run, t, "imd_quintile")?)
                h3 { "By number of long-term conditions (LTCs)" }
                (equity_table(run, t, "ltc_count")?)
                h2 { "How to reproduce this run" }
                (reproduce(run))
                p.note {
                    "Assumptions and their sources: scenario.toml in this folder, and docs/model.md \
                     and docs/contracts.md in capsim."
                }
            }
        }
    };
    std::fs::write(out.join("report.html"), page.into_string() + "\n")?;
    Ok(())
}
