//! `--precision ARM:FIGURE=HALF_WIDTH`: keep adding replications until one headline figure is
//! known to the half-width asked for (95% interval), or the maximum is reached.
//!
//! Replication r depends only on (scenario, seed, r), so a run that stops at n replications is
//! exactly the run `--reps n` would give, and its folder records n.

use super::mc_error::{Z95, mean_se, proportion_se, quantile_se};
use crate::engine::ReplicationResult;
use crate::error::InputError;
use crate::scenario::Scenario;

/// A figure of the providers' surplus over the term whose precision can be asked for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Figure {
    Mean,
    Median,
    ProbabilityOfLoss,
}

impl Figure {
    fn name(self) -> &'static str {
        match self {
            Figure::Mean => "mean",
            Figure::Median => "p50",
            Figure::ProbabilityOfLoss => "p_loss",
        }
    }
}

/// What `--precision` asks for.
#[derive(Debug, Clone, PartialEq)]
pub struct PrecisionTarget {
    pub arm: usize,
    pub arm_name: String,
    pub figure: Figure,
    /// Half-width of the figure's 95% interval: £ for the mean and median, a probability for
    /// P(loss).
    pub half_width: f64,
}

const FORM: &str = "expected ARM:FIGURE=HALF_WIDTH, FIGURE one of mean, p50 (£: 2m, 500k or \
                    2000000) or p_loss (a probability), e.g. capitation:p50=2m or \
                    capitation:p_loss=0.02";

/// Smallest half-width in £ taken for the mean or median: a surplus over a term known to the
/// pound would take millions of replications, and `=1` is more likely meant as £1m.
const MIN_POUNDS: f64 = 1_000.0;

/// An amount of £ as written: 2000000, 2m, £2m, 500k or 1.5bn.
fn pounds(text: &str) -> Option<f64> {
    let text = text.trim().trim_start_matches('£');
    let lower = text.to_ascii_lowercase();
    let (number, scale) = if let Some(n) = lower.strip_suffix("bn") {
        (n.to_string(), 1e9)
    } else if let Some(n) = lower.strip_suffix('m') {
        (n.to_string(), 1e6)
    } else if let Some(n) = lower.strip_suffix('k') {
        (n.to_string(), 1e3)
    } else {
        (lower, 1.0)
    };
    number.trim().parse::<f64>().ok().map(|x| x * scale)
}

/// The figures `--precision` can name.
const FIGURES: [&str; 4] = ["mean", "p50", "median", "p_loss"];

impl PrecisionTarget {
    /// Reads `--precision` against the scenario's arms.
    pub fn parse(text: &str, scenario: &Scenario) -> Result<PrecisionTarget, InputError> {
        let bad = |why: String| InputError::new("command line", "--precision", why);
        let (arm_name, rest) = text
            .split_once(':')
            .ok_or_else(|| bad(format!("{FORM}; found \"{text}\"")))?;
        let (figure, width) = rest
            .split_once('=')
            .ok_or_else(|| bad(format!("{FORM}; found \"{text}\"")))?;
        let arm = scenario
            .arm
            .iter()
            .position(|a| a.name == arm_name)
            .ok_or_else(|| {
                let names: Vec<&str> = scenario.arm.iter().map(|a| a.name.as_str()).collect();
                bad(crate::unknown_name::unknown(
                    "arm",
                    arm_name,
                    &names,
                    "an arm (the scenario has none)",
                ))
            })?;
        let figure = match figure {
            "mean" => Figure::Mean,
            "p50" | "median" => Figure::Median,
            "p_loss" => Figure::ProbabilityOfLoss,
            other => {
                let hint = crate::unknown_name::did_you_mean(other, &FIGURES, "\"");
                return Err(bad(format!("unknown figure \"{other}\"{hint}; {FORM}")));
            }
        };
        let parsed = match figure {
            Figure::ProbabilityOfLoss => width.trim().parse().ok(),
            Figure::Mean | Figure::Median => pounds(width),
        };
        let what = match figure {
            Figure::ProbabilityOfLoss => "a probability such as 0.02",
            Figure::Mean | Figure::Median => "£ such as 2m, 500k or 2000000 (no commas)",
        };
        let half_width: f64 = parsed
            .filter(|w: &f64| w.is_finite() && *w > 0.0)
            .ok_or_else(|| {
                bad(format!(
                    "expected a half-width above 0 in {what}, found \"{width}\""
                ))
            })?;
        if figure == Figure::ProbabilityOfLoss && half_width >= 1.0 {
            return Err(bad(format!(
                "expected a half-width below 1 for p_loss (a probability), found {half_width}"
            )));
        }
        if figure != Figure::ProbabilityOfLoss && half_width < MIN_POUNDS {
            return Err(bad(format!(
                "expected a half-width in £ of at least {MIN_POUNDS:.0}, found \"{width}\" (£1m \
                 is written 1m or 1000000)"
            )));
        }
        Ok(PrecisionTarget {
            arm,
            arm_name: arm_name.to_string(),
            figure,
            half_width,
        })
    }

    /// The providers' surplus over the term in each replication, for the target's arm.
    fn surpluses(&self, results: &[ReplicationResult]) -> Vec<f64> {
        results
            .iter()
            .map(|r| r.providers_surplus(self.arm))
            .collect()
    }

    /// Half-width of the figure's 95% interval from these replications.
    pub fn achieved(&self, results: &[ReplicationResult]) -> f64 {
        let values = self.surpluses(results);
        let se = match self.figure {
            Figure::Mean => mean_se(&values),
            Figure::Median => quantile_se(&values, 0.5),
            Figure::ProbabilityOfLoss => {
                let losses = values.iter().filter(|v| **v < 0.0).count();
                proportion_se(losses as f64 / values.len() as f64, values.len())
            }
        };
        Z95 * se
    }

    /// One line saying what was reached.
    /// A half-width as the figure is read: £ or percentage points.
    fn show(&self, x: f64) -> String {
        match self.figure {
            Figure::ProbabilityOfLoss => format!("{:.1} points", 100.0 * x),
            _ if x >= 1e5 => format!("£{:.2}m", x / 1e6),
            _ => format!("£{}", super::thousands(x.round() as u64)),
        }
    }

    /// The line said before each doubling: how far the figure is known, and how far the run
    /// goes next and may go in all (a doubling takes as long as everything before it).
    pub fn progress(&self, achieved: f64, replications: u32, next: u32, maximum: u32) -> String {
        format!(
            "precision: {} {} known to ± {} with {} replications; target ± {}: running to {} \
             (at most {}, each doubling as long as all before it)",
            self.arm_name,
            self.figure.name(),
            self.show(achieved),
            super::thousands(u64::from(replications)),
            self.show(self.half_width),
            super::thousands(u64::from(next)),
            super::thousands(u64::from(maximum)),
        )
    }

    pub fn report(&self, achieved: f64, replications: u32, maximum: u32) -> String {
        let verdict = if achieved <= self.half_width {
            "reached".to_string()
        } else {
            format!("not reached at the maximum of {maximum} replications")
        };
        format!(
            "precision: {} {} of the providers' term surplus known to ± {} (95%) with {} \
             replications; target ± {}: {verdict}\n",
            self.arm_name,
            self.figure.name(),
            self.show(achieved),
            super::thousands(u64::from(replications)),
            self.show(self.half_width)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::pounds;

    /// A half-width in £ is written as people write money.
    #[test]
    fn pounds_are_read_with_their_multiples() {
        assert_eq!(pounds("2000000"), Some(2e6));
        assert_eq!(pounds("2m"), Some(2e6));
        assert_eq!(pounds("£1.5M"), Some(1.5e6));
        assert_eq!(pounds("500k"), Some(5e5));
        assert_eq!(pounds("1bn"), Some(1e9));
        assert_eq!(pounds("1e6"), Some(1e6));
        assert_eq!(pounds("two"), None);
    }
}
