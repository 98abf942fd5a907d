//! The one root finder the calibrations use: bisection on a function that rises with its
//! argument, halving a bracket a fixed number of times so results never depend on a tolerance.

/// The x in [`lo`, `hi`] at which the increasing `f` reaches `target`, after `halvings`
/// halvings of the bracket (its midpoint; `hi` when `f` never reaches it).
pub fn increasing(
    mut f: impl FnMut(f64) -> f64,
    target: f64,
    (mut lo, mut hi): (f64, f64),
    halvings: u32,
) -> f64 {
    for _ in 0..halvings {
        let mid = 0.5 * (lo + hi);
        if f(mid) < target {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// As [`increasing`] for an `f` of x >= 0, the bracket starting at [0, 1] and doubling its top
/// until `f` reaches `target` there; 100 halvings.
pub fn increasing_from_zero(mut f: impl FnMut(f64) -> f64, target: f64) -> f64 {
    let mut hi = 1.0_f64;
    while f(hi) < target {
        hi *= 2.0;
    }
    increasing(f, target, (0.0, hi), 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_where_an_increasing_function_reaches_its_target() {
        let x = increasing(|x| x * x * x, 27.0, (0.0, 10.0), 100);
        assert!((x - 3.0).abs() < 1e-12);
        let y = increasing_from_zero(|x| x.sqrt(), 30.0);
        assert!((y - 900.0).abs() < 1e-9);
    }
}
