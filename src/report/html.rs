//! report.html: one self-contained page (charts embedded) a non-technical reader understands.

use std::fmt::Write as _;
use std::path::Path;

use base64::Engine as _;

use super::{Chart, RunFolder, Tables, f64s, strs};
use crate::scenario::CohortMode;
use crate::scenario::presets;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

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
fn scenario_words(run: &RunFolder) -> anyhow::Result<String> {
    let s = &run.scenario;
    let heads = run.initial_heads()?;
    let mut p = String::new();
    let place = match (
        &s.population.counts_csv,
        s.population.imd_shares,
        s.population.rural_share,
    ) {
        (Some(_), _, _) => "a population loaded from a GP-register extract".to_string(),
        (None, None, None) => {
            "a population with England's mix of ages, deprivation and rural living".to_string()
        }
        _ => "a population with its own mix of deprivation and rural living".to_string(),
    };
    let _ = write!(
        p,
        "<p>This run follows <b>{}</b> people ({place}) for <b>{} years</b> from {}",
        thousands(heads),
        s.years,
        s.start_year
    );
    if let Some(c) = &s.population.cohort {
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
        let _ = write!(p, ", restricted to a cohort {} ({mode})", parts.join(" "));
    }
    let _ = write!(
        p,
        ". The future is simulated <b>{} times</b>: people age, develop long-term conditions, die, move away and arrive; each simulated future has its own demand growth, cost inflation and bad winters. Every payment model below is applied to the <em>same</em> simulated futures, so the differences between them come from how they pay, not from chance.</p>",
        thousands(u64::from(s.replications))
    );
    if !s.description.is_empty() {
        let _ = write!(p, "<p class=\"note\">{}</p>", esc(&s.description));
    }
    Ok(p)
}

fn headline(run: &RunFolder, t: &Tables) -> anyhow::Result<String> {
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
    let mut h = String::new();
    let _ = write!(
        h,
        "<table><thead><tr><th rowspan=\"2\">Payment model</th><th colspan=\"5\">Surplus of {} over the whole term</th><th colspan=\"2\">Commissioner spend</th></tr>\
         <tr><th>median</th><th>5th–95th percentile</th><th>chance of a loss</th><th>chance of losing more than 2% of income</th><th>average of the worst 5%</th><th>average over the term</th><th>per person per year</th></tr></thead><tbody>",
        esc(&who)
    );
    for a in run.arms() {
        let find =
            |p: &str| (0..arm.len()).find(|&i| arm[i] == a && party[i] == p && hor[i] == "term");
        let (Some(i), Some(c)) = (find(&who), find("commissioner")) else {
            continue;
        };
        let _ = write!(
            h,
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{} to {}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">£{:.0}</td></tr>",
            esc(&a),
            money_m(p50[i]),
            money_m(p5[i]),
            money_m(p95[i]),
            pct(pl[i]),
            pct(pl2[i]),
            money_m(es[i]),
            money_m(mean[c]),
            per_head[c]
        );
    }
    h.push_str("</tbody></table>");
    Ok(h)
}

fn models(run: &RunFolder) -> String {
    let mut h = String::from("<dl>");
    for arm in &run.scenario.arm {
        let mut items: Vec<String> = arm
            .preset
            .map(presets::components)
            .unwrap_or_default()
            .iter()
            .map(|c| c.describe())
            .collect();
        items.extend(arm.component.iter().map(|c| c.describe()));
        let preset = arm
            .preset
            .map(|p| format!(" <span class=\"tag\">preset: {}</span>", p.name()))
            .unwrap_or_default();
        let lead = arm
            .lead
            .as_ref()
            .map(|l| {
                format!(
                    "<li>{} holds the contract for all care and pays the other providers.</li>",
                    esc(l)
                )
            })
            .unwrap_or_default();
        let _ = write!(h, "<dt>{}{preset}</dt><dd><ul>{lead}", esc(&arm.name));
        for i in items {
            let _ = write!(h, "<li>{}</li>", esc(&i));
        }
        h.push_str("</ul></dd>");
    }
    h.push_str("</dl>");
    h
}

fn equity_table(run: &RunFolder, t: &Tables, dimension: &str) -> anyhow::Result<String> {
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
    let mut h = String::from("<table><thead><tr><th>Payment model</th>");
    for (_, label) in &levels {
        let _ = write!(h, "<th>{label}</th>");
    }
    h.push_str("</tr></thead><tbody>");
    for a in run.arms() {
        let _ = write!(h, "<tr><td>{}</td>", esc(&a));
        for &(q, _) in &levels {
            let v = (0..arm.len())
                .find(|&i| arm[i] == a && dim[i] == dimension && lvl[i] as i32 == q)
                .map(|i| m[i])
                .unwrap_or(f64::NAN);
            let cell = if v.is_nan() {
                "–".to_string()
            } else {
                format!(
                    "{}£{}",
                    if v < 0.0 { "−" } else { "" },
                    thousands(v.abs().round() as u64)
                )
            };
            let _ = write!(h, "<td class=\"n\">{cell}</td>");
        }
        h.push_str("</tr>");
    }
    h.push_str("</tbody></table>");
    Ok(h)
}

fn reproduce(run: &RunFolder) -> String {
    let s = &run.scenario;
    let mut h = String::from("<ul>");
    let i = &run.info;
    let _ = write!(
        h,
        "<li>capsim version <b>{}</b>, seed <b>{}</b>, {} replications of {} years.</li>",
        esc(&i.capsim_version),
        s.seed,
        s.replications,
        s.years
    );
    let _ = write!(
        h,
        "<li>Run with <code>{}</code> on {} threads in {:.1} s.</li>",
        esc(&i.command),
        i.threads,
        i.elapsed_seconds
    );
    h.push_str("<li>To reproduce exactly, from this folder: <code>capsim run scenario.toml --out rerun</code>. The same seed gives identical results on any number of threads.</li>");
    h.push_str(
        "<li>To rebuild these tables, charts and this page: <code>capsim report .</code></li>",
    );
    h.push_str("<li>Files: <code>summary.csv</code>, <code>equity.csv</code> and <code>summary.xlsx</code> (tables), <code>ledger.parquet</code> (every party's account per simulated year), <code>world.parquet</code> (activity and cost), <code>scenario.toml</code> (every assumption, with its source).</li></ul>");
    h
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
    let mut h = String::new();
    let _ = write!(
        h,
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>capsim: {}</title><style>{STYLE}</style></head><body>",
        esc(&s.name)
    );
    let _ = write!(
        h,
        "<h1>{}</h1><p>What each party gains or loses under {} payment models, simulated with capsim.</p>",
        esc(&s.name),
        s.arm.len()
    );
    let _ = write!(h, "<h2>The scenario</h2>{}", scenario_words(run)?);
    let _ = write!(h, "<h2>Headline results</h2>{}", headline(run, t)?);
    h.push_str("<p class=\"note\">Surplus = payments received − cost of care. The 5th–95th percentile range holds 90% of the simulated futures. Full tables: summary.csv / summary.xlsx.</p>");
    h.push_str("<h2>Charts</h2>");
    for c in charts {
        let png = std::fs::read(out.join(format!("{}.png", c.stem)))?;
        let data = base64::engine::general_purpose::STANDARD.encode(png);
        let _ = write!(
            h,
            "<figure id=\"{stem}\"><img alt=\"{title}\" src=\"data:image/png;base64,{data}\" data-file=\"{stem}.png\"><figcaption><b>{title}.</b> {caption} (Also as {stem}.png and {stem}.svg.)</figcaption></figure>",
            stem = esc(&c.stem),
            title = esc(&c.title),
            caption = esc(&c.caption)
        );
    }
    let _ = write!(h, "<h2>What each payment model does</h2>{}", models(run));
    let _ = write!(
        h,
        "<h2>Who would a provider want as patients?</h2><p>Average provider margin per person per year over the term, by deprivation (all providers together). Large differences between columns mean a provider gains by attracting some groups and avoiding others; risk-adjusted capitation is designed to remove them.</p><h3>By deprivation</h3>{}<h3>By number of long-term conditions (LTCs)</h3>{}",
        equity_table(run, t, "imd_quintile")?,
        equity_table(run, t, "ltc_count")?
    );
    let _ = write!(h, "<h2>How to reproduce this run</h2>{}", reproduce(run));
    h.push_str("<p class=\"note\">Assumptions and their sources: scenario.toml in this folder, and docs/model.md and docs/contracts.md in capsim.</p></body></html>\n");
    std::fs::write(out.join("report.html"), h)?;
    Ok(())
}
