//! Indicators the world reports each year, which outcome-based components can name.
//!
//! Rates are per head (or per 1,000) of the population covered that year; deaths and onsets are
//! of the whole simulated population.

/// Indicator names in order: population-level first, then two per activity type.
pub fn names(type_names: &[String]) -> Vec<String> {
    let mut v: Vec<String> = [
        "head_count",
        "spend_per_head",
        "deaths",
        "deaths_per_1000",
        "onsets",
        "onsets_per_1000",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for t in type_names {
        v.push(format!("{t}_count"));
        v.push(format!("{t}_per_1000"));
    }
    v
}

/// Indicator values in [`names`] order, written into `out`.
pub fn values(
    heads: f64,
    total_cost: f64,
    deaths: f64,
    onsets: f64,
    counts: &[f64],
    out: &mut Vec<f64>,
) {
    let per = |x: f64, k: f64| if heads > 0.0 { x / heads * k } else { 0.0 };
    out.clear();
    out.extend_from_slice(&[
        heads,
        per(total_cost, 1.0),
        deaths,
        per(deaths, 1000.0),
        onsets,
        per(onsets, 1000.0),
    ]);
    for &c in counts {
        out.push(c);
        out.push(per(c, 1000.0));
    }
}
