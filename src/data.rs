//! The default data tables, embedded in the binary so a run needs nothing but the executable.
//!
//! Each table lives in `data/` with its sources in its header; this module only parses them.
//! They are shipped with the program, so a malformed table is a bug (a test parses them all).

use serde::Deserialize;

pub const POPULATION_CSV: &str = include_str!("../data/population_england_single_year.csv");
pub const IMD_BY_AGE_CSV: &str = include_str!("../data/imd_by_age.csv");
pub const MORTALITY_CSV: &str = include_str!("../data/mortality_qx.csv");
pub const MORTALITY_MODIFIERS_CSV: &str = include_str!("../data/mortality_modifiers.csv");
pub const MULTIMORBIDITY_CURVE_CSV: &str = include_str!("../data/multimorbidity_curve.csv");
pub const MULTIMORBIDITY_ANCHORS_CSV: &str = include_str!("../data/multimorbidity_anchors.csv");
pub const ACTIVITY_TYPES_CSV: &str = include_str!("../data/activity_types.csv");
pub const ACTIVITY_AGE_PROFILE_CSV: &str = include_str!("../data/activity_age_profile.csv");
pub const DEFAULTS_TOML: &str = include_str!("../data/defaults.toml");
pub const WAITING_LIST_TOML: &str = include_str!("../data/waiting_list.toml");
pub const CONDITIONS_TOML: &str = include_str!("../data/conditions.toml");
pub const DEFAULT_SCENARIO_TOML: &str = include_str!("../scenarios/default.toml");

/// Multimorbidity model constants (see data/derive/fit_multimorbidity.py and docs/model.md).
pub const MULTIMORBIDITY_IMD_OR_Q1_VS_Q5: f64 = 2.06;
pub const MULTIMORBIDITY_SEX_OR_F_VS_M: f64 = 1.25;
/// Dispersion (size) of the negative binomial that spreads 2+ LTCs over 2, 3, 4, 5+.
pub const LTC_COUNT_DISPERSION: f64 = 2.0;

fn parse<T: for<'de> Deserialize<'de>>(name: &str, text: &str) -> Vec<T> {
    csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .from_reader(text.as_bytes())
        .deserialize()
        .enumerate()
        .map(|(i, r)| r.unwrap_or_else(|e| panic!("embedded table {name}, record {i}: {e}")))
        .collect()
}

#[derive(Debug, Deserialize)]
pub struct PopulationRow {
    /// "0".."89" or "90+".
    pub age: String,
    pub sex: String,
    pub population: f64,
}

pub fn population() -> Vec<PopulationRow> {
    parse("population_england_single_year.csv", POPULATION_CSV)
}

#[derive(Debug, Deserialize)]
pub struct ImdRow {
    pub imd_quintile: u8,
    pub age_band: String,
    pub population: f64,
    pub share_rural: f64,
}

pub fn imd_by_age() -> Vec<ImdRow> {
    parse("imd_by_age.csv", IMD_BY_AGE_CSV)
}

#[derive(Debug, Deserialize)]
pub struct MortalityRow {
    pub age_band: String,
    pub sex: String,
    pub qx: f64,
}

pub fn mortality() -> Vec<MortalityRow> {
    parse("mortality_qx.csv", MORTALITY_CSV)
}

#[derive(Debug, Deserialize)]
pub struct ModifierRow {
    pub stratifier: String,
    pub level: u8,
    pub relative_risk: f64,
}

pub fn mortality_modifiers() -> Vec<ModifierRow> {
    parse("mortality_modifiers.csv", MORTALITY_MODIFIERS_CSV)
}

#[derive(Debug, Deserialize)]
pub struct CurveKnot {
    pub age: f64,
    pub logit_p2plus: f64,
}

pub fn multimorbidity_curve() -> Vec<CurveKnot> {
    parse("multimorbidity_curve.csv", MULTIMORBIDITY_CURVE_CSV)
}

#[derive(Debug, Deserialize)]
pub struct AnchorRow {
    pub measure: String,
    pub group: String,
    pub value: f64,
    pub tolerance: f64,
    pub source: String,
}

pub fn multimorbidity_anchors() -> Vec<AnchorRow> {
    parse("multimorbidity_anchors.csv", MULTIMORBIDITY_ANCHORS_CSV)
}

#[derive(Debug, Deserialize)]
pub struct ActivityTypeRow {
    #[serde(rename = "type")]
    pub name: String,
    pub rate: f64,
    pub unit_cost: f64,
    pub price_year: String,
    pub uplift_to_2024_25: f64,
    pub price_ratio: f64,
    pub cost_cv: f64,
    pub long_stay_share: f64,
    pub long_stay_cost_ratio: f64,
    pub ltc_ratio: f64,
    pub deprivation_ratio: f64,
    pub rural_rate_ratio: f64,
    pub winter: bool,
    pub fixed_cost_share: f64,
    pub rate_source: String,
    pub cost_source: String,
}

pub fn activity_types() -> Vec<ActivityTypeRow> {
    parse("activity_types.csv", ACTIVITY_TYPES_CSV)
}

/// Age bands of the activity age profiles.
pub const PROFILE_BANDS: [(u8, u8); 8] = [
    (0, 4),
    (5, 14),
    (15, 24),
    (25, 44),
    (45, 64),
    (65, 74),
    (75, 84),
    (85, 100),
];

#[derive(Debug, Deserialize)]
pub struct AgeProfileRow {
    #[serde(rename = "type")]
    pub name: String,
    pub sex: String,
    #[serde(rename = "0-4")]
    pub b0: f64,
    #[serde(rename = "5-14")]
    pub b1: f64,
    #[serde(rename = "15-24")]
    pub b2: f64,
    #[serde(rename = "25-44")]
    pub b3: f64,
    #[serde(rename = "45-64")]
    pub b4: f64,
    #[serde(rename = "65-74")]
    pub b5: f64,
    #[serde(rename = "75-84")]
    pub b6: f64,
    #[serde(rename = "85+")]
    pub b7: f64,
}

impl AgeProfileRow {
    pub fn bands(&self) -> [f64; 8] {
        [
            self.b0, self.b1, self.b2, self.b3, self.b4, self.b5, self.b6, self.b7,
        ]
    }
}

pub fn activity_age_profiles() -> Vec<AgeProfileRow> {
    parse("activity_age_profile.csv", ACTIVITY_AGE_PROFILE_CSV)
}

/// Parses "a-b" or "a+" into inclusive bounds (a+ runs to 100).
pub fn parse_band(band: &str) -> (u8, u8) {
    if let Some(lo) = band.strip_suffix('+') {
        (lo.parse().expect("band"), 100)
    } else {
        let (lo, hi) = band.split_once('-').expect("band a-b");
        (lo.parse().expect("band"), hi.parse().expect("band"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_embedded_table_parses() {
        assert_eq!(population().len(), 182);
        assert_eq!(imd_by_age().len(), 45);
        assert_eq!(mortality().len(), 38);
        assert_eq!(mortality_modifiers().len(), 11);
        assert!(multimorbidity_curve().len() >= 2);
        assert_eq!(multimorbidity_anchors().len(), 5);
        assert_eq!(activity_types().len(), 10);
        assert_eq!(activity_age_profiles().len(), 20);
    }
}
