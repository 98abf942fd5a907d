//! The root finders the calibrations use: bisection on a function that rises with its argument,
//! halving a bracket a fixed number of times, and Newton's method on one that is also concave,
//! stepping until a step no longer moves it; neither depends on a tolerance.

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

/// The x ≥ 0 at which `f`, increasing and concave on x ≥ 0 with f(0) ≤ `target`, reaches
/// `target`, by Newton's method from 0. `f` gives its value and slope. Each tangent lies above a
/// concave function, so every step lands at or short of the root and the steps rise until
/// rounding stops them: the result is as close as floating point gets, in a few steps where
/// bisection takes a hundred.
pub fn increasing_concave_from_zero(mut f: impl FnMut(f64) -> (f64, f64), target: f64) -> f64 {
    let mut x = 0.0_f64;
    for _ in 0..200 {
        let (value, slope) = f(x);
        let next = x + (target - value) / slope;
        // A step that does not rise (or is not a number) is rounding's: done.
        if next.partial_cmp(&x) != Some(std::cmp::Ordering::Greater) {
            break;
        }
        x = next;
    }
    x
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
        let z = increasing_concave_from_zero(|x| (1.0 - (-x).exp(), (-x).exp()), 0.75);
        assert!((z - 4.0_f64.ln()).abs() < 1e-15);
    }
}
