//! The bottom layer every scenario is merged onto: model defaults from `data/`.

use toml::{Table, Value};

use crate::data;

fn sourced(value: f64, source: &str) -> Value {
    let mut t = Table::new();
    t.insert("value".into(), Value::Float(value));
    t.insert("source".into(), Value::String(source.into()));
    Value::Table(t)
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// Activity types as TOML, from data/activity_types.csv (costs uplifted to 2024/25 prices).
fn activity_types() -> Table {
    let mut types = Table::new();
    for (i, row) in data::activity_types().into_iter().enumerate() {
        let cost = round2(row.unit_cost * row.uplift_to_2024_25);
        let cost_note = format!(
            "{}: £{} ({} prices) x {} uplift to 2024/25 (data/activity_types.csv)",
            row.cost_source, row.unit_cost, row.price_year, row.uplift_to_2024_25
        );
        let assumption = "assumption (data/activity_types.csv)";
        let mut t = Table::new();
        t.insert("order".into(), Value::Integer(i as i64));
        t.insert("rate".into(), sourced(row.rate, &row.rate_source));
        t.insert("unit_cost".into(), sourced(cost, &cost_note));
        t.insert(
            "price".into(),
            sourced(
                round2(cost * row.price_ratio),
                "tariff at the national average cost (NHS Payment Scheme principle)",
            ),
        );
        t.insert("cost_cv".into(), sourced(row.cost_cv, assumption));
        let calibrated = "calibrated to kelly2015_ifs and dreyer2019_hf cost concentration \
                          (data/activity_types.csv; docs/model.md)";
        t.insert(
            "long_stay_share".into(),
            sourced(row.long_stay_share, calibrated),
        );
        t.insert(
            "long_stay_cost_ratio".into(),
            sourced(row.long_stay_cost_ratio, calibrated),
        );
        t.insert(
            "ltc_ratio".into(),
            sourced(
                row.ltc_ratio,
                "derived from soleybori2021_bjgp / cassell2018 (data/activity_types.csv)",
            ),
        );
        t.insert(
            "deprivation_ratio".into(),
            sourced(row.deprivation_ratio, assumption),
        );
        t.insert(
            "rural_rate_ratio".into(),
            sourced(row.rural_rate_ratio, assumption),
        );
        t.insert(
            "fixed_cost_share".into(),
            sourced(
                row.fixed_cost_share,
                "assumption; cf. seed 001 marginal-cost variable payment (data/activity_types.csv)",
            ),
        );
        t.insert("winter".into(), Value::Boolean(row.winter));
        t.insert("age_profile".into(), Value::String(row.name.clone()));
        types.insert(row.name, Value::Table(t));
    }
    types
}

/// Model defaults as a TOML table: data/defaults.toml plus the activity-type table and the
/// run settings every scenario shares unless it says otherwise.
pub fn defaults_table() -> Table {
    let mut t: Table = toml::from_str(data::DEFAULTS_TOML).expect("data/defaults.toml parses");
    t.insert("seed".into(), Value::Integer(20_261_123));
    t.insert("replications".into(), Value::Integer(1000));
    t.insert("years".into(), Value::Integer(5));
    t.insert("start_year".into(), Value::Integer(2025));
    let activity = t
        .get_mut("activity")
        .and_then(Value::as_table_mut)
        .expect("defaults.toml has [activity]");
    activity.insert("types".into(), Value::Table(activity_types()));
    t
}
