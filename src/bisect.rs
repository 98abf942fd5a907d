//! The root finders the calibrations use: bisection on a function that rises with its argument,
//! halving a bracket a fixed number of times; Newton's method on one that is also concave,
//! stepping until a step no longer moves it; and Newton's method kept inside a bracket that
//! narrows at every step, for one that only rises. None depends on a tolerance.

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

/// The x in [`lo`, `hi`] at which the increasing `f` reaches `target`, by Newton's method from
/// `start` where its step stays inside the bracket, which every step narrows, and by halving
/// the bracket where it would not. `f` gives its value and slope. Stops when a step no longer
/// moves x: a few steps where bisection takes a hundred, for any rising `f`.
pub fn increasing_newton(
    mut f: impl FnMut(f64) -> (f64, f64),
    target: f64,
    (mut lo, mut hi): (f64, f64),
    start: f64,
) -> f64 {
    let mut x = start.clamp(lo, hi);
    for _ in 0..200 {
        let (value, slope) = f(x);
        if value < target {
            lo = x;
        } else {
            hi = x;
        }
        let newton = x - (value - target) / slope;
        let next = if newton > lo && newton < hi {
            newton
        } else {
            0.5 * (lo + hi)
        };
        if next == x {
            break;
        }
        x = next;
    }
    x
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
        // Newton in a bracket: a logistic (flat far out, where a free Newton step overshoots),
        // a cube (zero slope at 0) and a step it cannot take (it halves instead).
        let logistic = |x: f64| {
            let p = 1.0 / (1.0 + (-x).exp());
            (p, p * (1.0 - p))
        };
        let w = increasing_newton(logistic, 0.9, (-50.0, 50.0), -40.0);
        assert!((w - 9.0_f64.ln()).abs() < 1e-12, "{w}");
        let c = increasing_newton(|x| (x * x * x, 3.0 * x * x), 27.0, (-10.0, 10.0), 0.0);
        assert!((c - 3.0).abs() < 1e-12, "{c}");
        let step = increasing_newton(
            |x| (if x < 1.0 { 0.0 } else { 1.0 }, 0.0),
            0.5,
            (0.0, 4.0),
            0.0,
        );
        assert!((step - 1.0).abs() < 1e-12, "{step}");
    }
}
