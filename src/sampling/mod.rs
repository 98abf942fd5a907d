//! Samplers specialised to the cohort's draws, exact in distribution (tested against the exact
//! probabilities by chi-square in every regime they serve).
//!
//! The cohort draws millions of binomials and Poissons a second, each with parameters of its
//! own (a cell's head count changes every year), so nothing can be set up once and reused.
//! rand_distr builds a distribution for every draw (a `powf` for a small binomial, logarithms
//! and a log-gamma for a large Poisson) and draws a large binomial by BTPE, whose set-up alone
//! costs more than a whole draw here. Instead:
//! - small means (below 10 for a Poisson, 30 for a binomial) are drawn by inversion: one
//!   uniform, a walk up the probabilities four at a time, its start (1 − p)^n by branch-free
//!   squaring (or e^(n·ln(1−p)) when the caller keeps the logarithm, [`binomial_with_log`], or
//!   from tables for a probability of the whole replication, [`FixedProbability`]) or e^−λ, and
//!   a table of reciprocals for the recurrence. A uniform below a lower bound of P(0) (1 − n·p,
//!   1 − λ) is a 0 at once: most of the cohort's draws have means far below 1;
//! - larger means by Hörmann's transformed rejection with squeeze (BTRS for the binomial,
//!   PTRS for the Poisson): two uniforms and a square root a try, most tries accepted by the
//!   squeeze. BTRS's exact test within 20 of the mode multiplies the ratios of successive
//!   probabilities, with no logarithm or division; farther out, and in PTRS, it uses log n!
//!   from a table below 256 and Stirling's series (error below 1e-20) above. Beyond 1e8
//!   trials or a mean of 1e8 those logarithms lose digits, and rand_distr draws instead;
//! - gammas by Marsaglia and Tsang's method ([`gamma`]), with normals and exponentials by an
//!   inlined ziggurat ([`standard_normal`], [`standard_exponential`]);
//! - Dirichlet shares with small shapes by Jöhnk's method ([`dirichlet_small`]).
//!
//! W. Hörmann (1993), "The generation of binomial random variates", J. Statist. Comput. Simul.
//! 46:101-110; "The transformed rejection method for generating Poisson random variables",
//! Insurance: Mathematics and Economics 12:39-45. V. Kachitvichyanukul and B. Schmeiser (1988),
//! "Binomial random variate generation", Comm. ACM 31:216-222 (inversion, BINV).
//! G. Marsaglia and W. W. Tsang (2000), "A simple method for generating gamma variables", ACM
//! Trans. Math. Softw. 26:363-372.

use rand::RngExt;
use rand_distr::{Binomial, Distribution, Poisson};

use crate::rng::UnitRng;

mod ziggurat;
pub use ziggurat::{standard_exponential, standard_normal};

/// Poisson means below this are drawn by inversion, at or above it by transformed rejection
/// (the threshold Hörmann's methods are built for). Binomials of more than [`BTRS_UP_TO`]
/// trials switch from inversion to rand_distr here too.
const INVERSION_BELOW: f64 = 10.0;

/// Binomial means below this are drawn by inversion, at or above it by transformed rejection.
/// BTRS is built for means of 10 and more, but between 10 and 30 the walk is still the
/// cheaper (`cargo bench --bench draws`: about 40 ns at a mean of 10 and 59 at 30, where
/// BTRS takes 65-80, two tries in three needing its exact test).
const BINOMIAL_INVERSION_BELOW: f64 = 30.0;

/// Probabilities below this are drawn as a Poisson of the same mean (its distribution differs
/// from the binomial's by less than p), since 1 − p would lose their digits.
const POISSON_BELOW: f64 = 1e-10;

/// Inversion restarts beyond this many events: with a mean below 30 a count above 150 is
/// more than 20 standard deviations out, so a restart only guards against rounding.
const INVERSION_MAX: usize = 150;

/// Binomials of more trials than this go to rand_distr when their mean is 10 or more: the
/// rejection test's log-probabilities (log n! and the like, of order n·ln n) would lose more
/// than 1e-7 of their value, and an inversion walk's start (1 − p)^n by squaring about n·2^−53.
const BTRS_UP_TO: f64 = 1e8;

/// Poisson means above this go to rand_distr: the rejection test's log-probability
/// (λ·ln λ − ln k! − λ, terms of order λ·ln λ) would lose more than 1e-7 of its value.
const PTRS_UP_TO: f64 = 1e8;

/// Steps of an inversion walk taken together ([`inversion_walk`]).
const WALK_CHUNK: usize = 4;

/// 1/x for x = 0..INVERSION_MAX + WALK_CHUNK (index 0 unused): a walk's last chunk may look
/// up to WALK_CHUNK − 1 beyond its limit.
static RECIPROCALS: [f64; INVERSION_MAX + WALK_CHUNK] = {
    let mut r = [0.0; INVERSION_MAX + WALK_CHUNK];
    let mut x = 1;
    while x < r.len() {
        r[x] = 1.0 / x as f64;
        x += 1;
    }
    r
};

/// log x! is read from this table below its length.
const LOG_FACTORIAL_TABLE: usize = 256;

static LOG_FACTORIALS: std::sync::LazyLock<[f64; LOG_FACTORIAL_TABLE]> =
    std::sync::LazyLock::new(|| {
        let mut t = [0.0; LOG_FACTORIAL_TABLE];
        for x in 2..LOG_FACTORIAL_TABLE {
            t[x] = t[x - 1] + (x as f64).ln();
        }
        t
    });

/// log x! for a whole number x ≥ 0.
pub fn log_factorial(x: f64) -> f64 {
    if x < LOG_FACTORIAL_TABLE as f64 {
        return LOG_FACTORIALS[x as usize];
    }
    // Stirling's series for log Γ(y), y = x + 1 ≥ 257: the next term is below 1e-20.
    let y = x + 1.0;
    let r = 1.0 / (y * y);
    (y - 0.5) * y.ln() - y
        + 0.5 * std::f64::consts::TAU.ln()
        + (1.0 / 12.0 - r * (1.0 / 360.0 - r * (1.0 / 1260.0 - r / 1680.0))) / y
}

/// A Binomial(n, p) draw.
#[inline]
pub fn binomial(rng: &mut UnitRng, n: u32, p: f64) -> u32 {
    binomial_u64(rng, u64::from(n), p) as u32
}

/// A Binomial(n, p) draw for any n below 2^53.
#[inline]
pub fn binomial_u64(rng: &mut UnitRng, n: u64, p: f64) -> u64 {
    binomial_given(rng, n, p, Unknown)
}

/// A Binomial(n, p) draw given ln(1 − p) too, for a probability used for many draws: a small
/// mean's inversion then starts at e^(n·ln(1−p)) instead of squaring its way to (1 − p)^n.
/// The same distribution, and the same draw to rounding, as [`binomial`].
#[inline]
pub fn binomial_with_log(rng: &mut UnitRng, n: u32, p: f64, log_q: f64) -> u32 {
    binomial_given(rng, u64::from(n), p, LogComplement(log_q)) as u32
}

/// A Binomial(n, p) draw for a probability of the whole run or replication
/// ([`FixedProbability`]): a small mean's inversion starts at (1 − p)^n read from its tables.
/// The same distribution, and the same draw to rounding, as [`binomial`].
#[inline]
pub fn binomial_fixed(rng: &mut UnitRng, n: u32, p: &FixedProbability) -> u32 {
    binomial_given(rng, u64::from(n), p.p, p) as u32
}

/// A probability p drawn with for every cell of a replication (the leaver rate), with
/// (1 − p)^m tabulated for m below 2^16 as (1 − p)^(256·hi) · (1 − p)^lo: an inversion's start
/// is two look-ups and a product where e^(m·ln(1−p)) is an `exp`, to the same precision.
#[derive(Debug, Clone)]
pub struct FixedProbability {
    p: f64,
    log_q: f64,
    low: [f64; 256],
    high: [f64; 256],
}

impl FixedProbability {
    pub fn new(p: f64) -> Self {
        let log_q = (-p).ln_1p();
        FixedProbability {
            p,
            log_q,
            low: std::array::from_fn(|j| (j as f64 * log_q).exp()),
            high: std::array::from_fn(|k| ((256 * k) as f64 * log_q).exp()),
        }
    }

    pub fn p(&self) -> f64 {
        self.p
    }

    /// (1 − p)^m.
    #[inline]
    fn complement_power(&self, m: u64) -> f64 {
        if m < 1 << 16 {
            self.high[(m >> 8) as usize & 255] * self.low[m as usize & 255]
        } else {
            (m as f64 * self.log_q).exp()
        }
    }
}

/// (1 − p)^n worked out from what a binomial draw's caller keeps of its probability p: each
/// way its own type, so that each caller's draw is compiled with its own way alone (one `match`
/// over the ways had the compiler work out an `exp` for every draw, needed or not).
trait ComplementPower: Copy {
    fn complement_power(self, p: f64, n: u64) -> f64;
}

/// Nothing beyond p: (1 − p)^n by squaring.
#[derive(Clone, Copy)]
struct Unknown;

impl ComplementPower for Unknown {
    #[inline]
    fn complement_power(self, p: f64, n: u64) -> f64 {
        power(1.0 - p, n)
    }
}

/// ln(1 − p).
#[derive(Clone, Copy)]
struct LogComplement(f64);

impl ComplementPower for LogComplement {
    #[inline]
    fn complement_power(self, _: f64, n: u64) -> f64 {
        (n as f64 * self.0).exp()
    }
}

impl ComplementPower for &FixedProbability {
    #[inline]
    fn complement_power(self, _: f64, n: u64) -> f64 {
        FixedProbability::complement_power(self, n)
    }
}

/// A Binomial(n, p) draw, with what the caller keeps of 1 − p.
#[inline]
fn binomial_given(rng: &mut UnitRng, n: u64, p: f64, complement: impl ComplementPower) -> u64 {
    if n == 0 || p <= 0.0 {
        return 0;
    }
    if p >= 1.0 {
        return n;
    }
    // Symmetric: draw the rarer outcome.
    let (p, flipped) = if p > 0.5 { (1.0 - p, true) } else { (p, false) };
    let mean = n as f64 * p;
    let many_trials = n as f64 > BTRS_UP_TO;
    let x = if mean >= BINOMIAL_INVERSION_BELOW && !many_trials {
        binomial_rejection(rng, n, p)
    } else if mean >= INVERSION_BELOW && many_trials {
        // Beyond 1e8 trials BTRS's logarithms lose digits, and so does the squaring start of
        // an inversion walk long enough to matter (an error of about n·2^−53 in P(0)).
        Binomial::new(n, p).expect("a probability").sample(rng)
    } else if p < POISSON_BELOW {
        // 1 − p loses p's digits: a Poisson of the same mean, within p of the binomial.
        poisson_inversion(rng, mean) as u64
    } else {
        // Inversion (BINV) from P(0) = (1 − p)^n; what is kept is of the unflipped p's.
        let start = || {
            if flipped {
                power(1.0 - p, n)
            } else {
                complement.complement_power(p, n)
            }
        };
        // (1 − p)^n ≥ 1 − n·p (Bernoulli's inequality).
        inversion_from(rng, n, p, start, 1.0 - mean)
    };
    // A draw as a Poisson, or an inversion walk that rounding carried past n, is kept to n.
    let x = x.min(n);
    if flipped { n - x } else { x }
}

/// Inversion (BINV) from P(0) = `start()` = (1 − p)^n, at least `zero_below`: walk the
/// probabilities up, P(x+1) = P(x) · ((n+1)/x − 1) · p/q, until a uniform is used up. For
/// n·p < 30.
#[inline]
fn inversion_from(
    rng: &mut UnitRng,
    n: u64,
    p: f64,
    start: impl Fn() -> f64,
    zero_below: f64,
) -> u64 {
    let q = 1.0 - p;
    let s = p / q;
    let a = (n as f64 + 1.0) * s;
    inversion_walk(rng, start, zero_below, |reciprocal| a * reciprocal - s) as u64
}

/// Walks the probabilities up from P(0) = `start()` until a uniform is used up:
/// P(x) = P(x − 1) · `ratio`(1/x). A walk whose chunk passes [`INVERSION_MAX`] restarts with a
/// new uniform.
///
/// `zero_below` is a lower bound on P(0): a uniform at or below it is a 0 without working out
/// P(0) (an `exp` or a chain of squarings). Most of the cohort's draws have means far below 1,
/// so most of its draws end there, with the result the walk gives (to rounding: the bound and
/// P(0) are each rounded once).
///
/// The walk takes [`WALK_CHUNK`] steps at a time: their probabilities and running sums, then
/// how many of the sums the uniform passes, counted without a branch. A step at a time, where
/// the walk ends is a branch the processor cannot foresee, mispredicted once a draw; by chunks
/// most draws end in their first chunk, and the branch of going on is mostly foreseen.
/// The draw is the same: the first x whose running sum P(0) + … + P(x) reaches the uniform.
#[inline]
fn inversion_walk(
    rng: &mut UnitRng,
    start: impl Fn() -> f64,
    zero_below: f64,
    ratio: impl Fn(f64) -> f64,
) -> usize {
    'draw: loop {
        let u: f64 = rng.random();
        if u <= zero_below {
            return 0;
        }
        let mut p = start();
        let mut below = 0.0;
        let mut x = 0usize;
        loop {
            let mut passed = 0;
            let mut sum = below;
            for step in 0..WALK_CHUNK {
                if step > 0 {
                    p *= ratio(RECIPROCALS[x + step]);
                }
                sum += p;
                passed += usize::from(u > sum);
            }
            if passed < WALK_CHUNK {
                return x + passed;
            }
            x += WALK_CHUNK;
            if x > INVERSION_MAX {
                continue 'draw;
            }
            below = sum;
            p *= ratio(RECIPROCALS[x]);
        }
    }
}

/// Transformed rejection with squeeze (BTRS), for n·p ≥ 10 (used from 30) and p ≤ 1/2.
fn binomial_rejection(rng: &mut UnitRng, n: u64, p: f64) -> u64 {
    let (n, q) = (n as f64, 1.0 - p);
    let spq = (n * p * q).sqrt();
    let b = 1.15 + 2.53 * spq;
    let a = -0.0873 + 0.0248 * b + 0.01 * p;
    let c = n * p + 0.5;
    // The squeeze v ≤ 0.92 − 4.2/b, multiplied through by b to keep a division off the path.
    let b_v_r = 0.92 * b - 4.2;
    // The mode ⌊(n + 1)·p⌋, by truncation (inline, where `floor` is a call).
    let m = (((n + 1.0) * p) as u64) as f64;
    // For the exact test far from the mode, computed when first needed: log(m! (n − m)!)
    // and log(p/q).
    let mut far: Option<(f64, f64)> = None;
    loop {
        let u = rng.random::<f64>() - 0.5;
        let v: f64 = rng.random();
        let us = 0.5 - u.abs();
        let x = (2.0 * a / us + b) * u + c;
        // k = ⌊x⌋ must lie in 0..=n; truncation is the floor there, and inline.
        if !(x >= 0.0 && x < n + 1.0) {
            continue;
        }
        let k = (x as u64) as f64;
        if us >= 0.07 && v * b <= b_v_r {
            return k as u64;
        }
        // The exact test: v, scaled to the hat, against P(k) / P(mode):
        // v·α / (a/us² + b) ≤ P(k)/P(m) with α = (2.83 + 5.1/b)·√(npq). Near the mode both
        // sides are multiplied through by b·(a + b·us²) and the ratio's denominator, so the
        // test has no division.
        let accept = if (k - m).abs() <= RATIO_BY_PRODUCT_UP_TO {
            let (above, below) = binomial_ratio_to_mode(n, p / q, k, m);
            let us2 = us * us;
            v * (2.83 * b + 5.1) * spq * us2 * below <= b * (a + b * us2) * above
        } else {
            let scaled = v * (2.83 + 5.1 / b) * spq / (a / (us * us) + b);
            let (log_mode, log_odds) =
                *far.get_or_insert_with(|| (log_factorial(m) + log_factorial(n - m), (p / q).ln()));
            let log_ratio = log_mode - log_factorial(k) - log_factorial(n - k) + (k - m) * log_odds;
            scaled.ln() <= log_ratio
        };
        if accept {
            return k as u64;
        }
    }
}

/// Within this many of the mode, BTRS's exact test works out P(k)/P(mode) as a product
/// ([`binomial_ratio_to_mode`]) rather than by logarithms of factorials: most of its tests
/// are that close, and the product needs no logarithm.
const RATIO_BY_PRODUCT_UP_TO: f64 = 20.0;

/// P(k)/P(m) of a Binomial(n, p) with odds `odds` = p/q, for |k − m| ≤ 20, as a numerator and
/// a denominator: the product of P(j)/P(j − 1) = (n − j + 1)/j · p/q over j between them.
/// Each is at most (n + 1)^20, far inside an f64's range for n ≤ 1e8.
#[inline]
fn binomial_ratio_to_mode(n: f64, odds: f64, k: f64, m: f64) -> (f64, f64) {
    let (lo, hi) = if k > m { (m, k) } else { (k, m) };
    let (mut up, mut down) = (1.0, 1.0);
    let mut j = lo + 1.0;
    while j <= hi {
        up *= (n - j + 1.0) * odds;
        down *= j;
        j += 1.0;
    }
    if k > m { (up, down) } else { (down, up) }
}

/// q^n by repeated squaring (a few multiplications, no `powf`), without a branch on n's bits:
/// each bit picks its factor, the square or 1, by a mask (a conditional the compiler would
/// otherwise turn into a branch that n's bits make unpredictable).
#[inline]
fn power(q: f64, n: u64) -> f64 {
    let (mut base, mut e, mut out) = (q, n, 1.0f64);
    while e > 0 {
        let take = 0u64.wrapping_sub(e & 1);
        out *= f64::from_bits((base.to_bits() & take) | (1.0f64.to_bits() & !take));
        base *= base;
        e >>= 1;
    }
    out
}

/// A Poisson(mean) draw (0 for a mean of 0 or less). Counts beyond 2^53 are not whole numbers
/// in an f64; means that large are refused upstream.
#[inline]
pub fn poisson(rng: &mut UnitRng, mean: f64) -> f64 {
    if mean <= 0.0 {
        0.0
    } else if mean < INVERSION_BELOW {
        poisson_inversion(rng, mean) as f64
    } else if mean <= PTRS_UP_TO {
        poisson_rejection(rng, mean)
    } else {
        Poisson::new(mean).expect("a finite mean").sample(rng)
    }
}

/// Inversion for a mean below 10 (below 30 for a binomial drawn as a Poisson):
/// P(x+1) = P(x) · λ / (x+1) from P(0) = e^−λ.
#[inline]
fn poisson_inversion(rng: &mut UnitRng, mean: f64) -> u32 {
    // e^−λ ≥ 1 − λ.
    inversion_walk(
        rng,
        || (-mean).exp(),
        1.0 - mean,
        |reciprocal| mean * reciprocal,
    ) as u32
}

/// Transformed rejection with squeeze (PTRS), for a mean of 10 or more.
fn poisson_rejection(rng: &mut UnitRng, mean: f64) -> f64 {
    let root = mean.sqrt();
    let b = 0.931 + 2.53 * root;
    let a = -0.059 + 0.02483 * b;
    // The squeeze v ≤ 0.9277 − 3.6224/(b − 2), multiplied through by b − 2 (positive).
    let b2_v_r = 0.9277 * (b - 2.0) - 3.6224;
    // For the exact test, computed when first needed: the hat's scale and log λ.
    let mut exact: Option<(f64, f64)> = None;
    loop {
        let u = rng.random::<f64>() - 0.5;
        let v: f64 = rng.random();
        let us = 0.5 - u.abs();
        let x = (2.0 * a / us + b) * u + mean + 0.43;
        // k = ⌊x⌋ must be 0 or more (the squeeze never gives less for a mean of 10);
        // truncation is the floor there, and inline.
        if x.is_nan() || x < 0.0 {
            continue;
        }
        let k = (x as u64) as f64;
        if us >= 0.07 && v * (b - 2.0) <= b2_v_r {
            return k;
        }
        if us < 0.013 && v > us {
            continue;
        }
        let (inv_alpha, log_mean) =
            *exact.get_or_insert_with(|| (1.1239 + 1.1328 / (b - 3.4), mean.ln()));
        if (v * inv_alpha / (a / (us * us) + b)).ln() <= -mean + k * log_mean - log_factorial(k) {
            return k;
        }
    }
}

/// A Gamma(shape, scale) draw; 0 for a shape of 0 or less, NaN for a NaN shape.
///
/// Marsaglia and Tsang's method (2000, ACM TOMS 26:363-372) for shapes of 1 and more: a normal
/// and a uniform, accepted by a squeeze without a logarithm about 98% of the time. A shape a
/// below 1 draws Gamma(a + 1) · U^(1/a), written as e^(−E/a) with E exponential (no `powf`,
/// no logarithm).
#[inline]
pub fn gamma(rng: &mut UnitRng, shape: f64, scale: f64) -> f64 {
    if shape.is_nan() {
        // Not a shape: passed on (a NaN expected count is reported upstream), never a hang.
        f64::NAN
    } else if shape <= 0.0 {
        0.0
    } else if shape < 1.0 {
        // U^(1/a) = e^(−E/a) with E = −ln U exponential, drawn by ziggurat without a log.
        let exponential = standard_exponential(rng);
        let boost = (-exponential / shape).exp();
        gamma_large(rng, shape + 1.0) * boost * scale
    } else {
        gamma_large(rng, shape) * scale
    }
}

/// Marsaglia and Tsang's Gamma(shape, 1) for a shape of 1 or more.
#[inline]
fn gamma_large(rng: &mut UnitRng, shape: f64) -> f64 {
    let d = shape - 1.0 / 3.0;
    let c = 1.0 / (9.0 * d).sqrt();
    loop {
        let x = standard_normal(rng);
        let v = 1.0 + c * x;
        if v <= 0.0 {
            continue;
        }
        let v = v * v * v;
        let u: f64 = rng.random();
        let x2 = x * x;
        if u < 1.0 - 0.0331 * x2 * x2 || u.ln() < 0.5 * x2 + d * (1.0 - v + v.ln()) {
            return d * v;
        }
    }
}

/// A Dirichlet draw for shapes summing to at most [`JOHNK_UP_TO`] (shapes of 0 give 0), by
/// Jöhnk's method: X_i = U_i^(1/a_i), written e^(−E_i/a_i) with E_i exponential, until
/// ΣX_i ≤ 1; then X/ΣX is the draw (given ΣX ≤ 1 it is independent of ΣX and Dirichlet).
/// An exponential and an `exp` per shape a try, where normalised gammas would each need a
/// boost at such shapes; a try succeeds with probability ΠΓ(a_i+1)/Γ(Σa_i+1), at least 56%.
/// M. D. Jöhnk (1964), "Erzeugung von betaverteilten und gammaverteilten Zufallszahlen",
/// Metrika 8:5-15; L. Devroye (1986), Non-Uniform Random Variate Generation, IX.3 and XI.4.
#[inline]
pub fn dirichlet_small<const N: usize>(rng: &mut UnitRng, shapes: [f64; N]) -> [f64; N] {
    if shapes.iter().all(|&a| a <= 0.0) {
        return [0.0; N];
    }
    loop {
        let mut log_x = [f64::NEG_INFINITY; N];
        let mut x = [0.0; N];
        for ((&a, log_x), x) in shapes.iter().zip(&mut log_x).zip(&mut x) {
            if a > 0.0 {
                *log_x = -standard_exponential(rng) / a;
                *x = log_x.exp();
            }
        }
        let largest = log_x.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        if largest < ALL_BUT_UNDERFLOWING {
            // Every X is at most e^−650 (tiny shapes): ΣX is far below 1, so the try succeeds,
            // and the shares are worked out relative to the largest, where X itself would lose
            // its digits below 2.2e-308 or underflow to 0.
            let relative = log_x.map(|l| (l - largest).exp());
            let total: f64 = relative.iter().sum();
            return relative.map(|r| r / total);
        }
        let sum: f64 = x.iter().sum();
        if sum <= 1.0 {
            return x.map(|x| x / sum);
        }
    }
}

/// Below this log, an X of [`dirichlet_small`] is near the smallest f64 with full precision
/// (e^−708): shares are then worked out in logarithms.
const ALL_BUT_UNDERFLOWING: f64 = -650.0;

/// Largest sum of shapes [`dirichlet_small`] is for: with two shapes a try succeeds at least
/// 72% of the time, with five 56%; beyond, normalised gammas cost less.
pub const JOHNK_UP_TO: f64 = 1.2;

/// Checks of draws against exact probabilities, for the samplers' tests and their callers'.
#[cfg(test)]
pub(crate) mod fit {
    /// Probabilities of k = lo..=hi, by a recurrence in logs from the mode (exact to rounding)
    /// and normalised over the window, which holds all but a negligible mass (the window is
    /// the mean ± 14 standard deviations and more). `next(k)` is log P(k+1) − log P(k).
    fn window(mode: f64, sd: f64, max: f64, next: impl Fn(f64) -> f64) -> (u64, Vec<f64>) {
        let lo = (mode - 14.0 * sd - 20.0).max(0.0).floor();
        let hi = (mode + 14.0 * sd + 20.0).min(max).ceil();
        let (lo, hi, mode) = (lo as u64, hi as u64, mode.floor() as u64);
        let mut log = vec![0.0; (hi - lo + 1) as usize];
        for k in mode..hi {
            let i = (k - lo) as usize;
            log[i + 1] = log[i] + next(k as f64);
        }
        for k in (lo..mode).rev() {
            let i = (k - lo) as usize;
            log[i] = log[i + 1] - next(k as f64);
        }
        let probs: Vec<f64> = log.iter().map(|l| l.exp()).collect();
        let total: f64 = probs.iter().sum();
        (lo, probs.iter().map(|p| p / total).collect())
    }

    pub(crate) fn binomial_pmf(n: u64, p: f64) -> (u64, Vec<f64>) {
        let (nf, q) = (n as f64, 1.0 - p);
        let sd = (nf * p * q).sqrt();
        window(((nf + 1.0) * p).floor().min(nf), sd, nf, |k| {
            ((nf - k) / (k + 1.0)).ln() + (p / q).ln()
        })
    }

    pub(crate) fn poisson_pmf(mean: f64) -> (u64, Vec<f64>) {
        window(mean.floor(), mean.sqrt(), f64::MAX, |k| {
            mean.ln() - (k + 1.0).ln()
        })
    }

    /// Pearson's chi-square of `draws` against the probabilities `probs` of lo, lo+1, …:
    /// neighbouring counts merged until each cell expects at least 5 (the first and last cells
    /// take the tails); returns (statistic, degrees of freedom).
    fn chi_square(lo: u64, probs: &[f64], draws: &[u64]) -> (f64, usize) {
        let total = draws.len() as f64;
        let mut counts = vec![0.0; probs.len()];
        for &d in draws {
            let i = d.saturating_sub(lo) as usize;
            counts[i.min(probs.len() - 1)] += 1.0;
        }
        let (mut stat, mut cells) = (0.0, 0);
        let (mut expected, mut observed) = (0.0, 0.0);
        let (mut expected_closed, mut observed_closed) = (0.0, 0.0);
        for (pk, ok) in probs.iter().zip(&counts) {
            expected += pk * total;
            observed += ok;
            if expected >= 5.0 && total - expected_closed - expected >= 5.0 {
                stat += (observed - expected).powi(2) / expected;
                cells += 1;
                expected_closed += expected;
                observed_closed += observed;
                (expected, observed) = (0.0, 0.0);
            }
        }
        let (last_e, last_o) = (total - expected_closed, total - observed_closed);
        stat += (last_o - last_e).powi(2) / last_e;
        // cells + 1 cells in all, one constraint (they sum to the total).
        (stat, cells)
    }

    /// The chi-square critical value at 1 − 1e-6 for `df` degrees of freedom
    /// (Wilson–Hilferty), so that a correct sampler fails about once in a million checks.
    pub(crate) fn critical(df: usize) -> f64 {
        let k = df.max(1) as f64;
        let z = 4.753_424; // the normal's 1 − 1e-6 quantile
        k * (1.0 - 2.0 / (9.0 * k) + z * (2.0 / (9.0 * k)).sqrt()).powi(3)
    }

    pub(crate) fn assert_fits(what: &str, (lo, probs): (u64, Vec<f64>), draws: &[u64]) {
        let (stat, df) = chi_square(lo, &probs, draws);
        assert!(
            stat < critical(df),
            "{what}: chi-square {stat:.1} on {df} df (critical {:.1})",
            critical(df)
        );
    }
}

#[cfg(test)]
mod tests {
    use super::fit::*;
    use super::*;
    use rand::SeedableRng;

    const DRAWS: usize = 200_000;

    #[test]
    fn binomial_draws_follow_the_exact_probabilities_in_every_regime() {
        let mut rng = UnitRng::seed_from_u64(7);
        // Means from 0.01 to 10 million: inversion (below 30), both sides of the switch,
        // transformed rejection; p from 1e-11 (drawn as a Poisson) to 0.97 (flipped above 0.5);
        // n from 1 to 4 billion.
        let cases: &[(u64, f64)] = &[
            (1, 0.3),
            (3, 0.5),
            (7, 0.97),
            (20, 0.002),
            (124, 0.009),
            (124, 0.04),
            (500, 0.019),
            (1_000, 0.0099),
            (1_000, 0.0101),
            (1_000, 0.02),
            (300, 0.099),
            (1_000, 0.0301),
            (45, 0.6),
            (20, 0.5),
            (21, 0.48),
            (60, 0.7),
            (150, 0.04),
            (1_500, 0.04),
            (400, 0.3),
            (10_000_000, 1e-7),
            (2_000_000, 4e-6),
            (5_000, 0.2),
            (100_000, 0.01),
            (60_000, 0.5),
            (100_000_000, 0.3),
            (4_000_000_000, 0.0025),
            (4_000_000_000, 1e-11),
            // p below 1e-10 with a mean between 10 and 30: a Poisson drawn by inversion.
            (220_000_000_000, 9e-11),
        ];
        for &(n, p) in cases {
            let draws: Vec<u64> = (0..DRAWS).map(|_| binomial_u64(&mut rng, n, p)).collect();
            assert!(draws.iter().all(|&x| x <= n), "n {n}, p {p}: above n");
            assert_fits(
                &format!("binomial n {n}, p {p}"),
                binomial_pmf(n, p),
                &draws,
            );
        }
    }

    #[test]
    fn binomial_with_a_known_log_follows_the_exact_probabilities() {
        let mut rng = UnitRng::seed_from_u64(17);
        for (n, p) in [
            (1u32, 0.3f64),
            (20, 0.002),
            (124, 0.04),
            (1_000, 0.0099),
            (150, 0.2),
        ] {
            let log_q = (-p).ln_1p();
            assert_binomial_fits("with log", n, p, || {
                binomial_with_log(&mut rng, n, p, log_q)
            });
        }
    }

    /// Draws of Binomial(n, p) by `draw` fit the exact probabilities.
    fn assert_binomial_fits(way: &str, n: u32, p: f64, mut draw: impl FnMut() -> u32) {
        let draws: Vec<u64> = (0..DRAWS).map(|_| u64::from(draw())).collect();
        let what = format!("binomial {way} n {n}, p {p}");
        assert_fits(&what, binomial_pmf(n.into(), p), &draws);
    }

    /// A fixed probability's tables, read for every n that falls in them and beyond: draws fit
    /// the exact probabilities (the leaver rate at the cell sizes the cohort has, a flipped p,
    /// n beyond the tables), and (1 − p)^m matches e^(m·ln(1−p)) to its rounding.
    #[test]
    fn binomial_with_a_fixed_probability_follows_the_exact_probabilities() {
        let mut rng = UnitRng::seed_from_u64(19);
        for (n, p) in [
            (1u32, 0.04f64),
            (37, 0.04),
            (255, 0.04),
            (256, 0.04),
            (700, 0.04),
            (20_000, 0.001),
            (70_000, 0.0003),
            (40, 0.9),
        ] {
            let fixed = FixedProbability::new(p);
            assert_binomial_fits("with a fixed probability", n, p, || {
                binomial_fixed(&mut rng, n, &fixed)
            });
        }
        let fixed = FixedProbability::new(0.04);
        for m in [0u64, 1, 255, 256, 257, 1_000, 65_535, 65_536, 100_000] {
            let exact = (m as f64 * (-0.04f64).ln_1p()).exp();
            let tabled = fixed.complement_power(m);
            assert!(
                (tabled - exact).abs() <= exact * 1e-12,
                "(1 - 0.04)^{m}: {tabled} against {exact}"
            );
        }
    }

    #[test]
    fn poisson_draws_follow_the_exact_probabilities_in_every_regime() {
        let mut rng = UnitRng::seed_from_u64(11);
        // Inversion below 10, transformed rejection from 10 to 1e8, rand_distr beyond.
        let means = [
            1e-3, 0.2, 1.0, 3.7, 9.99, 10.0, 10.5, 14.0, 37.0, 250.0, 4_000.0, 1e6, 9e7, 1e9,
        ];
        for mean in means {
            let draws: Vec<u64> = (0..DRAWS).map(|_| poisson(&mut rng, mean) as u64).collect();
            assert_fits(&format!("poisson mean {mean}"), poisson_pmf(mean), &draws);
        }
    }

    /// log Γ(x) for x > 0 (Lanczos, g = 7, nine terms: relative error about 1e-15).
    fn log_gamma(x: f64) -> f64 {
        const G: [f64; 9] = [
            0.999_999_999_999_809_9,
            676.520_368_121_885_1,
            -1_259.139_216_722_402_8,
            771.323_428_777_653_1,
            -176.615_029_162_140_6,
            12.507_343_278_686_905,
            -0.138_571_095_265_720_12,
            9.984_369_578_019_572e-6,
            1.505_632_735_149_311_6e-7,
        ];
        if x < 0.5 {
            let pi = std::f64::consts::PI;
            return (pi / (pi * x).sin()).ln() - log_gamma(1.0 - x);
        }
        let x = x - 1.0;
        let t = x + 7.5;
        let sum = G[0] + (1..9).map(|i| G[i] / (x + i as f64)).sum::<f64>();
        0.5 * std::f64::consts::TAU.ln() + (x + 0.5) * t.ln() - t + sum.ln()
    }

    /// The regularised lower incomplete gamma P(a, x): its series below a + 1, Lentz's
    /// continued fraction for the upper part above.
    fn gamma_cdf(a: f64, x: f64) -> f64 {
        if x <= 0.0 {
            return 0.0;
        }
        let front = (a * x.ln() - x - log_gamma(a)).exp();
        if x < a + 1.0 {
            let (mut term, mut sum, mut n) = (1.0 / a, 1.0 / a, a);
            while term.abs() > sum.abs() * 1e-17 {
                n += 1.0;
                term *= x / n;
                sum += term;
            }
            sum * front
        } else {
            let tiny = 1e-300;
            let mut b = x + 1.0 - a;
            let mut c = 1.0 / tiny;
            let mut d = 1.0 / b;
            let mut h = d;
            for i in 1..10_000 {
                let an = -(i as f64) * (i as f64 - a);
                b += 2.0;
                d = an * d + b;
                d = if d.abs() < tiny { tiny } else { d };
                c = b + an / c;
                c = if c.abs() < tiny { tiny } else { c };
                d = 1.0 / d;
                let delta = d * c;
                h *= delta;
                if (delta - 1.0).abs() < 1e-16 {
                    break;
                }
            }
            1.0 - front * h
        }
    }

    #[test]
    fn gamma_cdf_is_right_where_it_is_known() {
        // Shape 1 is the exponential; shape 1/2 is a half chi-square with one degree of freedom.
        for x in [0.01, 0.5, 1.0, 3.0, 20.0] {
            assert!(
                (gamma_cdf(1.0, x) - (1.0 - (-x).exp())).abs() < 1e-13,
                "{x}"
            );
        }
        let erf_1 = 0.842_700_792_949_714_9; // P(1/2, 1) = erf(1)
        assert!((gamma_cdf(0.5, 1.0) - erf_1).abs() < 1e-13);
        assert!((log_gamma(10.0) - 362_880f64.ln()).abs() < 1e-12);
    }

    /// Counts a Gamma(shape, 1) draw `x` in the equal-probability bin of the exact
    /// distribution it falls in.
    fn bin_by_gamma_cdf(counts: &mut [f64], shape: f64, x: f64) {
        let bins = counts.len();
        let p = gamma_cdf(shape, x);
        counts[((p * bins as f64) as usize).min(bins - 1)] += 1.0;
    }

    /// Chi-square of `DRAWS` draws' counts in equal-probability bins.
    fn equal_bins_chi_square(counts: &[f64]) -> f64 {
        let expected = DRAWS as f64 / counts.len() as f64;
        counts
            .iter()
            .map(|o| (o - expected).powi(2) / expected)
            .sum()
    }

    /// Draws binned by 50 equal-probability bins of the exact distribution: each bin expects
    /// 1/50 of the draws.
    #[test]
    fn gamma_draws_follow_the_exact_distribution_in_every_regime() {
        let mut rng = UnitRng::seed_from_u64(13);
        // Below 1 (boosted), at 1, just above, the frailty and cost shapes, and very large.
        let shapes = [
            0.05, 0.18, 0.42, 0.6, 0.999, 1.0, 1.3, 2.5, 8.4, 63.0, 900.0, 2.5e6,
        ];
        let bins = 50;
        for shape in shapes {
            let scale = 0.37;
            let mut counts = vec![0.0; bins];
            for _ in 0..DRAWS {
                let x = gamma(&mut rng, shape, scale);
                assert!(x >= 0.0 && x.is_finite(), "shape {shape}: {x}");
                bin_by_gamma_cdf(&mut counts, shape, x / scale);
            }
            let stat = equal_bins_chi_square(&counts);
            assert!(
                stat < critical(bins - 1),
                "gamma shape {shape}: chi-square {stat:.1} on {} df (critical {:.1})",
                bins - 1,
                critical(bins - 1)
            );
        }
    }

    /// Jöhnk's Dirichlet, checked through gamma algebra: with T ~ Gamma(Σa) drawn apart, T·D_i
    /// is Gamma(a_i), and T·(D_i + D_j) is Gamma(a_i + a_j), each checked like the gammas.
    #[test]
    fn small_dirichlet_draws_follow_the_exact_distribution() {
        let mut rng = UnitRng::seed_from_u64(17);
        let bins = 50;
        let cases: [[f64; 3]; 6] = [
            [0.42, 0.18, 0.0],
            [0.84, 0.36, 0.0],
            [0.42, 0.78, 0.0],
            [0.42, 0.42, 0.36],
            [0.6, 0.6, 0.0],
            [0.02, 0.05, 0.3],
        ];
        for shapes in cases {
            let total: f64 = shapes.iter().sum();
            assert!(total <= JOHNK_UP_TO);
            // Each shape's own part, and the first two's together.
            let parts: Vec<(f64, Vec<usize>)> = vec![
                (shapes[0], vec![0]),
                (shapes[1], vec![1]),
                (shapes[2], vec![2]),
                (shapes[0] + shapes[1], vec![0, 1]),
            ];
            let mut counts = vec![vec![0.0; bins]; parts.len()];
            for _ in 0..DRAWS {
                let d = dirichlet_small(&mut rng, shapes);
                assert!((d.iter().sum::<f64>() - 1.0).abs() < 1e-12, "{d:?}");
                let t = gamma(&mut rng, total, 1.0);
                for ((shape, members), counts) in parts.iter().zip(&mut counts) {
                    if *shape == 0.0 {
                        assert!(members.iter().all(|&i| d[i] == 0.0));
                        continue;
                    }
                    let x = t * members.iter().map(|&i| d[i]).sum::<f64>();
                    bin_by_gamma_cdf(counts, *shape, x);
                }
            }
            for ((shape, members), counts) in parts.iter().zip(&counts) {
                if *shape == 0.0 {
                    continue;
                }
                let stat = equal_bins_chi_square(counts);
                assert!(
                    stat < critical(bins - 1),
                    "Dirichlet {shapes:?}, parts {members:?}: chi-square {stat:.1} on {} df",
                    bins - 1
                );
            }
        }
        // Shapes so small that every X is below e^−650 or underflows: worked out in logs, the
        // shares still sum to 1, and Beta(a, b) with a, b → 0 is nearly all at 0 or 1, at 1
        // with probability a/(a + b) (to within b·ln 2 of it, here 0.0005).
        let (a, b) = (1e-3, 2e-3);
        let mut high = 0;
        for _ in 0..DRAWS {
            let d = dirichlet_small(&mut rng, [a, b]);
            assert!(d.iter().all(|s| (0.0..=1.0).contains(s)), "{d:?}");
            assert!((d[0] + d[1] - 1.0).abs() < 1e-12, "{d:?}");
            high += usize::from(d[0] > 0.5);
        }
        let share = high as f64 / DRAWS as f64;
        assert!((share - a / (a + b)).abs() < 0.004, "{share}");
        assert_eq!(dirichlet_small(&mut rng, [0.0, 0.0]), [0.0, 0.0]);
    }

    /// The lower bounds on P(0) that let inversion return a 0 at once are below P(0) as
    /// computed, by either start, flipped or not, for every regime inversion serves.
    #[test]
    fn inversion_zero_bounds_are_below_the_starts() {
        let ns = [1u64, 2, 3, 7, 50, 1_000, 123_457, 1_000_000, 100_000_000];
        let ps = [1e-10, 3.7e-9, 1e-6, 0.001, 0.0173, 0.2, 0.49, 0.5];
        for n in ns {
            for p in ps {
                let mean = n as f64 * p;
                if mean >= BINOMIAL_INVERSION_BELOW {
                    continue;
                }
                let bound = 1.0 - mean;
                let by_log = (n as f64 * (-p).ln_1p()).exp();
                assert!(bound <= by_log * (1.0 + 4.0 * f64::EPSILON), "n {n} p {p}");
                // Squaring carries 1 − p's rounding n times over: an error of about n·2^−53.
                let by_squaring = power(1.0 - p, n);
                let slack = (n as f64 + 4.0) * f64::EPSILON;
                assert!(bound <= by_squaring * (1.0 + slack), "n {n} p {p}");
            }
        }
        for mean in [1e-9f64, 0.01, 0.3, 0.999, 5.0] {
            assert!(1.0 - mean <= (-mean).exp());
        }
    }

    /// The product form of P(k)/P(m) agrees with the logarithms of factorials on both sides
    /// of the mode, small and large n.
    #[test]
    fn binomial_ratio_to_the_mode_matches_the_factorials() {
        for (n, p) in [
            (40.0f64, 0.3f64),
            (1_000.0, 0.01),
            (2e5, 0.002),
            (1e8, 3e-7),
        ] {
            let q = 1.0 - p;
            // The mode ⌊(n + 1)·p⌋, by truncation (inline, where `floor` is a call).
            let m = (((n + 1.0) * p) as u64) as f64;
            let log_pmf = |k: f64| {
                log_factorial(n) - log_factorial(k) - log_factorial(n - k)
                    + k * p.ln()
                    + (n - k) * q.ln()
            };
            for d in -20i32..=20 {
                let k = m + f64::from(d);
                if k < 0.0 || k > n {
                    continue;
                }
                let (above, below) = binomial_ratio_to_mode(n, p / q, k, m);
                let got = above / below;
                let want = (log_pmf(k) - log_pmf(m)).exp();
                // The reference's logarithms of factorials (1.7e9 at 1e8 trials) lose digits
                // in proportion to their size: it is the less exact side.
                let tolerance = 1e-13 + 4e-15 * log_factorial(n);
                assert!(
                    (got - want).abs() <= tolerance * want,
                    "n {n} p {p} k {k}: {got} vs {want}"
                );
            }
        }
    }

    #[test]
    fn log_factorial_matches_the_sum_of_logs_on_both_sides_of_the_table() {
        let mut sum = 0.0;
        for x in 1..5_000u32 {
            sum += f64::from(x).ln();
            let got = log_factorial(f64::from(x));
            assert!(
                (got - sum).abs() <= 1e-12 * sum.max(1.0),
                "{x}: {got} vs {sum}"
            );
        }
        assert_eq!(log_factorial(0.0), 0.0);
    }

    #[test]
    fn edges() {
        let mut rng = UnitRng::seed_from_u64(1);
        assert_eq!(binomial(&mut rng, 0, 0.5), 0);
        assert_eq!(binomial(&mut rng, 10, 0.0), 0);
        assert_eq!(binomial(&mut rng, 10, 1.0), 10);
        assert!((0..1000).all(|_| binomial(&mut rng, 10, 0.999_999) <= 10));
        assert_eq!(power(0.5, 10), 0.5f64.powi(10));
        assert_eq!(poisson(&mut rng, 0.0), 0.0);
        assert_eq!(poisson(&mut rng, -1.0), 0.0);
        assert_eq!(gamma(&mut rng, 0.0, 1.0), 0.0);
        assert!(gamma(&mut rng, f64::NAN, 1.0).is_nan());
        // Drawn as a Poisson (p below 1e-10) and flipped: never more than n.
        assert!((0..10_000).all(|_| binomial_u64(&mut rng, 3, 1.0 - 1e-12) <= 3));
    }
}
