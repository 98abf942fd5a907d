//! A model parameter: a fixed number, or a distribution drawn once per replication.
//!
//! In a scenario file a parameter is written as a plain number (`0.04`), as a table with a value
//! and a source (`{ value = 0.04, source = "..." }`), or as a distribution
//! (`{ dist = "normal", mean = 0.015, sd = 0.01, source = "..." }`). The `source` note travels
//! into the resolved scenario saved beside every run.

use std::borrow::Cow;
use std::fmt;

use rand_distr::{Beta, Distribution, Gamma, LogNormal, Normal, Triangular, Uniform};
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::value::MapAccessDeserializer;
use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Value, json};

use crate::rng::Rng;

/// The shape of a parameter's uncertainty.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Dist {
    Fixed(f64),
    /// Normal with the given mean and standard deviation.
    Normal {
        mean: f64,
        sd: f64,
    },
    /// Lognormal with the given mean and standard deviation *of the variable itself*.
    LogNormal {
        mean: f64,
        sd: f64,
    },
    Beta {
        alpha: f64,
        beta: f64,
    },
    Gamma {
        shape: f64,
        scale: f64,
    },
    Uniform {
        min: f64,
        max: f64,
    },
    Triangular {
        min: f64,
        mode: f64,
        max: f64,
    },
}

/// A parameter with an optional note of where its value comes from.
#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    pub dist: Dist,
    pub source: Option<String>,
}

impl std::fmt::Display for Dist {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {
            Dist::Fixed(v) => write!(f, "{v}"),
            Dist::Normal { mean, sd } => write!(f, "normal(mean {mean}, sd {sd})"),
            Dist::LogNormal { mean, sd } => write!(f, "lognormal(mean {mean}, sd {sd})"),
            Dist::Beta { alpha, beta } => write!(f, "beta(alpha {alpha}, beta {beta})"),
            Dist::Gamma { shape, scale } => write!(f, "gamma(shape {shape}, scale {scale})"),
            Dist::Uniform { min, max } => write!(f, "uniform({min} to {max})"),
            Dist::Triangular { min, mode, max } => {
                write!(f, "triangular({min}, mode {mode}, {max})")
            }
        }
    }
}

impl Param {
    pub fn fixed(value: f64) -> Self {
        Param {
            dist: Dist::Fixed(value),
            source: None,
        }
    }

    /// A fixed 0 (a field's default).
    pub fn zero() -> Self {
        Param::fixed(0.0)
    }

    /// A fixed 1 (a field's default).
    pub fn one() -> Self {
        Param::fixed(1.0)
    }

    pub fn is_fixed(&self) -> bool {
        matches!(self.dist, Dist::Fixed(_))
    }

    /// The value's expectation: the fixed value, or the distribution's mean.
    pub fn mean(&self) -> f64 {
        match self.dist {
            Dist::Fixed(v) => v,
            Dist::Normal { mean, .. } | Dist::LogNormal { mean, .. } => mean,
            Dist::Beta { alpha, beta } => alpha / (alpha + beta),
            Dist::Gamma { shape, scale } => shape * scale,
            Dist::Uniform { min, max } => 0.5 * (min + max),
            Dist::Triangular { min, mode, max } => (min + mode + max) / 3.0,
        }
    }

    /// Smallest and largest value a draw can take.
    pub fn support(&self) -> (f64, f64) {
        match self.dist {
            Dist::Fixed(v) => (v, v),
            Dist::Normal { .. } => (f64::NEG_INFINITY, f64::INFINITY),
            Dist::LogNormal { .. } | Dist::Gamma { .. } => (0.0, f64::INFINITY),
            Dist::Beta { .. } => (0.0, 1.0),
            Dist::Uniform { min, max } | Dist::Triangular { min, max, .. } => (min, max),
        }
    }

    /// The largest value a draw takes in practice: the upper bound of a bounded distribution,
    /// mean + 5 sd of an unbounded one.
    pub fn practical_max(&self) -> f64 {
        match self.dist {
            Dist::Normal { mean, sd } | Dist::LogNormal { mean, sd } => mean + 5.0 * sd,
            Dist::Gamma { shape, scale } => shape * scale + 5.0 * shape.sqrt() * scale,
            _ => self.support().1,
        }
    }

    /// One draw. Parameters were validated when read, so construction cannot fail here.
    pub fn sample(&self, rng: &mut Rng) -> f64 {
        const OK: &str = "parameters are validated when the scenario is read";
        match self.dist {
            Dist::Fixed(v) => v,
            Dist::Normal { mean, sd } => Normal::new(mean, sd).expect(OK).sample(rng),
            Dist::LogNormal { mean, sd } => {
                let sigma2 = (1.0 + (sd / mean).powi(2)).ln();
                let mu = mean.ln() - 0.5 * sigma2;
                LogNormal::new(mu, sigma2.sqrt()).expect(OK).sample(rng)
            }
            Dist::Beta { alpha, beta } => Beta::new(alpha, beta).expect(OK).sample(rng),
            Dist::Gamma { shape, scale } => Gamma::new(shape, scale).expect(OK).sample(rng),
            Dist::Uniform { min, max } => Uniform::new_inclusive(min, max).expect(OK).sample(rng),
            Dist::Triangular { min, mode, max } => {
                Triangular::new(min, max, mode).expect(OK).sample(rng)
            }
        }
    }
}

/// How a parameter is written as a table in a scenario file.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct ParamTable {
    /// A fixed value (use this or `dist`).
    #[serde(skip_serializing_if = "Option::is_none")]
    value: Option<f64>,
    /// normal | lognormal | beta | gamma | uniform | triangular
    #[serde(skip_serializing_if = "Option::is_none")]
    dist: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    mean: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sd: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    alpha: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    beta: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    shape: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    scale: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    min: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    mode: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max: Option<f64>,
    /// Where the value comes from; copied into the run's resolved scenario.
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<String>,
}

const DIST_NAMES: &str = "normal, lognormal, beta, gamma, uniform or triangular";

/// Each distribution a parameter may be drawn from, with the parameters it needs.
const DIST_FORMS: [(&str, &[&str]); 6] = [
    ("normal", &["mean", "sd"]),
    ("lognormal", &["mean", "sd"]),
    ("beta", &["alpha", "beta"]),
    ("gamma", &["shape", "scale"]),
    ("uniform", &["min", "max"]),
    ("triangular", &["min", "mode", "max"]),
];

impl ParamTable {
    fn into_param(self) -> Result<Param, String> {
        let need = |v: Option<f64>, name: &str, dist: &str| {
            v.ok_or_else(|| format!("a {dist} distribution needs `{name}`"))
        };
        let dist = match (self.value, self.dist.as_deref()) {
            (Some(_), Some(_)) => return Err("give either `value` or `dist`, not both".into()),
            (None, None) => {
                return Err(
                    "expected `value = <number>` or `dist = \"<kind>\"` with its parameters".into(),
                );
            }
            (Some(v), None) => Dist::Fixed(v),
            (None, Some(kind)) => match kind {
                "normal" => Dist::Normal {
                    mean: need(self.mean, "mean", kind)?,
                    sd: need(self.sd, "sd", kind)?,
                },
                "lognormal" => Dist::LogNormal {
                    mean: need(self.mean, "mean", kind)?,
                    sd: need(self.sd, "sd", kind)?,
                },
                "beta" => Dist::Beta {
                    alpha: need(self.alpha, "alpha", kind)?,
                    beta: need(self.beta, "beta", kind)?,
                },
                "gamma" => Dist::Gamma {
                    shape: need(self.shape, "shape", kind)?,
                    scale: need(self.scale, "scale", kind)?,
                },
                "uniform" => Dist::Uniform {
                    min: need(self.min, "min", kind)?,
                    max: need(self.max, "max", kind)?,
                },
                "triangular" => Dist::Triangular {
                    min: need(self.min, "min", kind)?,
                    mode: need(self.mode, "mode", kind)?,
                    max: need(self.max, "max", kind)?,
                },
                other => {
                    let names: Vec<&str> = DIST_FORMS.iter().map(|(name, _)| *name).collect();
                    let hint = crate::unknown_name::did_you_mean(other, &names, "\"");
                    return Err(format!(
                        "unknown dist \"{other}\"{hint}: expected {DIST_NAMES}"
                    ));
                }
            },
        };
        // Reject fields that the chosen form does not use: a typo'd parameter silently ignored
        // is the worst kind of error in a model.
        let used: &[&str] = match dist {
            Dist::Fixed(_) => &[],
            Dist::Normal { .. } | Dist::LogNormal { .. } => &["mean", "sd"],
            Dist::Beta { .. } => &["alpha", "beta"],
            Dist::Gamma { .. } => &["shape", "scale"],
            Dist::Uniform { .. } => &["min", "max"],
            Dist::Triangular { .. } => &["min", "mode", "max"],
        };
        let given = [
            ("mean", self.mean),
            ("sd", self.sd),
            ("alpha", self.alpha),
            ("beta", self.beta),
            ("shape", self.shape),
            ("scale", self.scale),
            ("min", self.min),
            ("mode", self.mode),
            ("max", self.max),
        ];
        for (name, v) in given {
            if v.is_some() && !used.contains(&name) {
                return Err(format!(
                    "`{name}` does not apply here (it is not a parameter of this form)"
                ));
            }
        }
        check_dist(&dist)?;
        Ok(Param {
            dist,
            source: self.source,
        })
    }

    fn from_param(p: &Param) -> Self {
        let mut t = ParamTable {
            source: p.source.clone(),
            ..Default::default()
        };
        let name = |s: &str| Some(s.to_string());
        match p.dist {
            Dist::Fixed(v) => t.value = Some(v),
            Dist::Normal { mean, sd } => {
                (t.dist, t.mean, t.sd) = (name("normal"), Some(mean), Some(sd))
            }
            Dist::LogNormal { mean, sd } => {
                (t.dist, t.mean, t.sd) = (name("lognormal"), Some(mean), Some(sd))
            }
            Dist::Beta { alpha, beta } => {
                (t.dist, t.alpha, t.beta) = (name("beta"), Some(alpha), Some(beta))
            }
            Dist::Gamma { shape, scale } => {
                (t.dist, t.shape, t.scale) = (name("gamma"), Some(shape), Some(scale))
            }
            Dist::Uniform { min, max } => {
                (t.dist, t.min, t.max) = (name("uniform"), Some(min), Some(max))
            }
            Dist::Triangular { min, mode, max } => {
                (t.dist, t.min, t.mode, t.max) =
                    (name("triangular"), Some(min), Some(mode), Some(max))
            }
        }
        t
    }
}

/// Widest lognormal accepted, as its coefficient of variation `sd / mean`: beyond about 1e154
/// the variance of its logarithm is not a finite number.
const MAX_LOGNORMAL_CV: f64 = 1e150;

fn check_dist(d: &Dist) -> Result<(), String> {
    let finite = |v: f64, n: &str| {
        if v.is_finite() {
            Ok(())
        } else {
            Err(format!("expected `{n}` to be a finite number"))
        }
    };
    let positive = |v: f64, n: &str| {
        if v > 0.0 && v.is_finite() {
            Ok(())
        } else {
            Err(format!("expected `{n}` above 0, found {v}"))
        }
    };
    match *d {
        Dist::Fixed(v) => finite(v, "value"),
        Dist::Normal { mean, sd } => finite(mean, "mean").and(positive(sd, "sd")),
        Dist::LogNormal { mean, sd } => {
            positive(mean, "mean")?;
            positive(sd, "sd")?;
            // Drawn as exp(normal) with variance ln(1 + (sd / mean)²), which must be finite.
            if sd / mean <= MAX_LOGNORMAL_CV {
                Ok(())
            } else {
                Err(format!(
                    "expected `sd` at most {MAX_LOGNORMAL_CV:e} times `mean`, found sd {sd} and \
                     mean {mean} (a lognormal this wide cannot be drawn)"
                ))
            }
        }
        Dist::Beta { alpha, beta } => positive(alpha, "alpha").and(positive(beta, "beta")),
        Dist::Gamma { shape, scale } => positive(shape, "shape").and(positive(scale, "scale")),
        Dist::Uniform { min, max } => {
            finite(min, "min")?;
            finite(max, "max")?;
            finite(max - min, "max - min")?;
            if min < max {
                Ok(())
            } else {
                Err(format!(
                    "expected `min` below `max`, found min {min} and max {max}"
                ))
            }
        }
        Dist::Triangular { min, mode, max } => {
            finite(min, "min")?;
            finite(max, "max")?;
            finite(max - min, "max - min")?;
            if min <= mode && mode <= max && min < max {
                Ok(())
            } else {
                Err(format!(
                    "expected min <= mode <= max with min < max, found {min}, {mode}, {max}"
                ))
            }
        }
    }
}

impl<'de> Deserialize<'de> for Param {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ParamVisitor;
        impl<'de> Visitor<'de> for ParamVisitor {
            type Value = Param;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(
                    "a number, or a table such as { value = 0.5, source = \"...\" } or \
                     { dist = \"normal\", mean = 1.0, sd = 0.1 }",
                )
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Param, E> {
                if v.is_finite() {
                    Ok(Param::fixed(v))
                } else {
                    Err(E::custom("expected a finite number"))
                }
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Param, E> {
                Ok(Param::fixed(v as f64))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Param, E> {
                Ok(Param::fixed(v as f64))
            }
            fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<Param, A::Error> {
                let table = ParamTable::deserialize(MapAccessDeserializer::new(map))?;
                table.into_param().map_err(de::Error::custom)
            }
        }
        deserializer.deserialize_any(ParamVisitor)
    }
}

impl Serialize for Param {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match (&self.dist, &self.source) {
            (Dist::Fixed(v), None) => serializer.serialize_f64(*v),
            _ => ParamTable::from_param(self).serialize(serializer),
        }
    }
}

impl JsonSchema for Param {
    fn schema_name() -> Cow<'static, str> {
        "Param".into()
    }

    /// A number, a fixed value with its source, or one distribution with exactly its own
    /// parameters: what `ParamTable::into_param` accepts, bar the checks across fields
    /// (uniform's `min` below `max`, ...).
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        let source = json!({
            "description": "Where the value comes from; copied into the run's resolved scenario.",
            "type": "string"
        });
        let number = |description: &str| json!({ "description": description, "type": "number" });
        let positive = |description: &str| json!({ "description": description, "type": "number", "exclusiveMinimum": 0 });
        let forms: Vec<Value> = DIST_FORMS
            .iter()
            .map(|(name, needs)| {
                let mut properties = serde_json::Map::new();
                properties.insert("dist".into(), json!({ "const": name }));
                for field in *needs {
                    properties.insert((*field).into(), json!(true));
                }
                properties.insert("source".into(), json!(true));
                if *name == "lognormal" {
                    properties.insert("mean".into(), json!({ "exclusiveMinimum": 0 }));
                }
                let mut required = vec!["dist"];
                required.extend_from_slice(needs);
                json!({
                    "properties": properties,
                    "required": required,
                    "additionalProperties": false
                })
            })
            .collect();
        let names: Vec<&str> = DIST_FORMS.iter().map(|(name, _)| *name).collect();
        json_schema!({
            "description": "A number, or a table: { value, source } for a fixed value, or { dist, <its parameters>, source } for a distribution drawn once per replication (normal: mean, sd; lognormal: mean, sd of the variable; beta: alpha, beta; gamma: shape, scale; uniform: min, max; triangular: min, mode, max).",
            "anyOf": [
                { "type": "number" },
                {
                    "description": "A fixed value and where it comes from.",
                    "type": "object",
                    "properties": {
                        "value": number("The value."),
                        "source": source
                    },
                    "required": ["value"],
                    "additionalProperties": false
                },
                {
                    "description": "A distribution, drawn once per replication, and where it comes from.",
                    "type": "object",
                    "properties": {
                        "dist": {
                            "description": "The distribution: normal | lognormal | beta | gamma | uniform | triangular.",
                            "enum": names
                        },
                        "mean": number("Mean (normal, lognormal: of the variable itself, > 0)."),
                        "sd": positive("Standard deviation (normal, lognormal: of the variable itself)."),
                        "alpha": positive("First shape parameter (beta)."),
                        "beta": positive("Second shape parameter (beta)."),
                        "shape": positive("Shape k (gamma)."),
                        "scale": positive("Scale θ (gamma); the mean is shape × scale."),
                        "min": number("Smallest value (uniform, triangular)."),
                        "mode": number("Most likely value (triangular)."),
                        "max": number("Largest value (uniform, triangular)."),
                        "source": source
                    },
                    "required": ["dist"],
                    "oneOf": forms
                }
            ]
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{Stage, stage_stream};

    #[derive(Deserialize, Serialize)]
    struct Holder {
        p: Param,
    }

    fn parse(s: &str) -> Result<Param, String> {
        toml::from_str::<Holder>(s)
            .map(|h| h.p)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn numbers_tables_and_distributions_parse() {
        assert_eq!(parse("p = 3").unwrap(), Param::fixed(3.0));
        assert_eq!(parse("p = 0.25").unwrap(), Param::fixed(0.25));
        let p = parse("p = { value = 0.5, source = \"ONS\" }").unwrap();
        assert_eq!(p.source.as_deref(), Some("ONS"));
        let p = parse("p = { dist = \"triangular\", min = 0, mode = 1, max = 3 }").unwrap();
        assert_eq!(p.mean(), 4.0 / 3.0);
    }

    #[test]
    fn every_form_the_schema_lists_parses_with_exactly_its_parameters() {
        let names: Vec<&str> = DIST_FORMS.iter().map(|(name, _)| *name).collect();
        assert_eq!(
            DIST_NAMES,
            format!("{} or {}", names[..5].join(", "), names[5])
        );
        for (name, needs) in DIST_FORMS {
            let fields: Vec<String> = needs
                .iter()
                .zip([0.2, 0.5, 0.8])
                .map(|(f, v)| format!("{f} = {v}"))
                .collect();
            parse(&format!(
                "p = {{ dist = \"{name}\", {} }}",
                fields.join(", ")
            ))
            .unwrap();
            for (i, field) in needs.iter().enumerate() {
                let mut fewer = fields.clone();
                fewer.remove(i);
                let table = format!("p = {{ dist = \"{name}\", {} }}", fewer.join(", "));
                assert!(
                    parse(&table)
                        .unwrap_err()
                        .contains(&format!("needs `{field}`"))
                );
            }
        }
    }

    #[test]
    fn bad_tables_say_what_is_expected() {
        assert!(
            parse("p = { dist = \"normal\", mean = 1 }")
                .unwrap_err()
                .contains("needs `sd`")
        );
        assert!(
            parse("p = { dist = \"poisson\", mean = 1 }")
                .unwrap_err()
                .contains("unknown dist")
        );
        assert!(
            parse("p = { value = 1, sd = 2 }")
                .unwrap_err()
                .contains("`sd` does not apply")
        );
        assert!(
            parse("p = { value = 1, sdd = 2 }")
                .unwrap_err()
                .contains("unknown field")
        );
        assert!(
            parse("p = { dist = \"lognormal\", mean = 1e-300, sd = 1 }")
                .unwrap_err()
                .contains("cannot be drawn")
        );
        assert!(
            parse("p = { dist = \"uniform\", min = -1e308, max = 1e308 }")
                .unwrap_err()
                .contains("expected `max - min` to be a finite number")
        );
        assert!(
            parse("p = { dist = \"uniform\", min = 2, max = 1 }")
                .unwrap_err()
                .contains("below")
        );
        assert!(
            parse("p = \"high\"")
                .unwrap_err()
                .contains("a number, or a table")
        );
    }

    #[test]
    fn round_trips_through_toml() {
        for s in [
            "p = 0.5",
            "p = { value = 0.5, source = \"x\" }",
            "p = { dist = \"lognormal\", mean = 2.0, sd = 0.5 }",
            "p = { dist = \"beta\", alpha = 2.0, beta = 5.0, source = \"y\" }",
        ] {
            let p = parse(s).unwrap();
            let back = toml::to_string(&Holder { p: p.clone() }).unwrap();
            assert_eq!(parse(&back).unwrap(), p, "{s} -> {back}");
        }
    }

    #[test]
    fn lognormal_has_the_stated_mean_and_sd() {
        let p = parse("p = { dist = \"lognormal\", mean = 2.0, sd = 0.5 }").unwrap();
        let mut rng = stage_stream(3, 0, Stage::Shocks);
        let n = 200_000;
        let xs: Vec<f64> = (0..n).map(|_| p.sample(&mut rng)).collect();
        let mean = xs.iter().sum::<f64>() / n as f64;
        let sd = (xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64).sqrt();
        assert!((mean - 2.0).abs() < 0.01, "mean {mean}");
        assert!((sd - 0.5).abs() < 0.01, "sd {sd}");
    }
}
