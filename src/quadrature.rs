//! The crate's one quadrature engine: double-exponential (tanh-sinh) quadrature.
//!
//! [`tanh_sinh`] integrates over `[0, L]` with the integrand called as `f(s, L − s)`,
//! so that both distances to the ends are exact (no cancellation near an endpoint
//! singularity), abscissae out to `|t| = 4.5` (weights below `10⁻⁵⁰` beyond), and the
//! step halved until two successive levels agree. Two stopping rules:
//!
//! - [`Stop::Relative`]: `|I_k − I_{k−1}| ≤ tol |I_k|`, the rule of
//!   [`crate::analytic::special::tanh_sinh`] (the stationary law);
//! - [`Stop::Absolute`]: an error estimate below `tol`, where the estimate is
//!   `δ_k = |I_k − I_{k−1}|`, or `δ_k²` once the convergence is visibly quadratic
//!   (`ln δ_k / ln δ_{k−1} ≈ 2`), the usual double-exponential heuristic.
//!
//! [`gauss_legendre_10`] is the fixed rule used for short smooth increments.
//!
//! [`integrate`] is the adaptive wrapper used by the exit references: panels with
//! breakpoints at 0 and `±2^k`, each bisected until its error estimate is below its
//! share of a relative tolerance.

use std::f64::consts::PI;

/// Truncation of the tanh-sinh abscissae: `|t| ≤ T_MAX`.
const T_MAX: f64 = 4.5;
/// Bisection depth limit of [`integrate`] (at most `2^MAX_DEPTH` sub-panels per panel).
const MAX_DEPTH: u32 = 10;
/// Step halvings of one tanh-sinh call inside [`integrate`] before it bisects instead.
const ADAPT_HALVINGS: u32 = 6;

/// When a tanh-sinh call stops refining.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Stop {
    /// Two successive levels agree to this relative tolerance.
    Relative(f64),
    /// The error estimate is below this absolute tolerance.
    Absolute(f64),
}

/// A quadrature result.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Estimate {
    /// The integral.
    pub(crate) value: f64,
    /// Its error estimate (see [`Stop`]); `f64::MAX` if only one level was computed.
    pub(crate) error: f64,
}

/// `∫₀ᴸ f(s, L − s) ds` by tanh-sinh quadrature with at most `max_halvings` halvings of
/// the initial step `1/2`. Non-finite integrand values count as 0 (endpoint
/// singularities met exactly); returns 0 for `L ≤ 0` or NaN.
pub(crate) fn tanh_sinh(
    f: impl Fn(f64, f64) -> f64,
    len: f64,
    stop: Stop,
    max_halvings: u32,
) -> Estimate {
    if len.is_nan() || len <= 0.0 {
        return Estimate {
            value: 0.0,
            error: 0.0,
        };
    }
    // node at t: s = L / (1 + e^{−2u}), L − s = L / (1 + e^{2u}), u = (π/2) sinh t,
    // ds/dt = L (π/2) cosh t / (2 cosh² u)
    let node = |t: f64| -> f64 {
        let u = 0.5 * PI * t.sinh();
        let left = len / (1.0 + (-2.0 * u).exp());
        let right = len / (1.0 + (2.0 * u).exp());
        let cu = u.cosh();
        let w = len * 0.5 * PI * t.cosh() / (2.0 * cu * cu);
        if w == 0.0 || !w.is_finite() {
            return 0.0;
        }
        let v = f(left, right);
        if v.is_finite() { w * v } else { 0.0 }
    };
    let mut h = 0.5;
    let mut sum = node(0.0);
    let mut k = 1;
    while k as f64 * h <= T_MAX {
        let t = k as f64 * h;
        sum += node(t) + node(-t);
        k += 1;
    }
    let mut est = sum * h;
    let mut error = f64::MAX;
    let mut prev_delta = f64::NAN;
    for _ in 0..max_halvings {
        h *= 0.5;
        // add the new (odd) nodes
        let mut k = 1;
        let mut add = 0.0;
        while k as f64 * h <= T_MAX {
            let t = k as f64 * h;
            add += node(t) + node(-t);
            k += 2;
        }
        sum += add;
        let new = sum * h;
        let delta = (new - est).abs();
        est = new;
        let done = match stop {
            Stop::Relative(tol) => {
                error = delta;
                delta <= tol * new.abs()
            }
            Stop::Absolute(tol) => {
                let r = delta.ln() / prev_delta.ln();
                error = if delta == 0.0 {
                    0.0
                } else if r > 1.9 && r < 2.1 {
                    delta * delta
                } else {
                    delta
                };
                prev_delta = delta;
                error <= tol
            }
        };
        if done {
            break;
        }
    }
    Estimate { value: est, error }
}

/// `∫_a^b f` over a finite interval by [`tanh_sinh`] with [`Stop::Absolute`]; nodes
/// are placed from the nearer end, so they resolve both ends to full precision.
fn panel(f: &impl Fn(f64) -> f64, a: f64, b: f64, tol: f64, max_halvings: u32) -> Estimate {
    if !take_panel() {
        return Estimate {
            value: f64::NAN,
            error: 0.0,
        };
    }
    let mid = 0.5 * (b - a);
    tanh_sinh(
        |s, r| f(if s <= mid { a + s } else { b - r }),
        b - a,
        Stop::Absolute(tol),
        max_halvings,
    )
}

/// `∫_a^b f` (finite `a`, `b`, either order) by tanh-sinh quadrature on panels with
/// breakpoints at 0 and at `±2^k` (so that wide ranges with mass near the origin, and
/// algebraic tails, are resolved), each bisected adaptively until its error estimate is
/// below its share of `rel_tol` times a first estimate of the whole integral.
pub(crate) fn integrate(f: impl Fn(f64) -> f64, a: f64, b: f64, rel_tol: f64) -> f64 {
    with_budget(|| integrate_within_budget(f, a, b, rel_tol))
}

/// Adaptive panels (of up to about a thousand evaluations each) that one outermost
/// quadrature, nested ones included (or all the quadratures of one [`call_scope`]), may
/// bisect into before it gives up with NaN: an integrand too sharp to resolve (a scale
/// density `exp(−F)` with `F` of order 10⁶, say) would otherwise make nested quadratures
/// run for days. Spending a whole budget takes 20–70 s on one core here; the largest
/// use by one answer in the test suite is 2.5·10⁵ panels.
const PANEL_BUDGET: u64 = 1_000_000;

thread_local! {
    /// Panels left to the outermost quadrature running on this thread (`None`: none
    /// runs), and whether it ran out.
    static PANELS_LEFT: std::cell::Cell<Option<u64>> = const { std::cell::Cell::new(None) };
    static EXHAUSTED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    /// Panels left to the [`call_scope`] running on this thread (`None`: none runs).
    static SCOPE_LEFT: std::cell::Cell<Option<u64>> = const { std::cell::Cell::new(None) };
}

/// Runs `body` as one answer made of several quadratures, which then share one panel
/// budget: once they have spent it (and the one that ran out returned NaN, which makes
/// the answer an error), the later ones return NaN at once. This bounds the time of a
/// hopeless call by about one budget, not one per integral. Scopes nest (the outermost
/// one counts).
pub(crate) fn call_scope<T>(body: impl FnOnce() -> T) -> T {
    struct ScopeGuard;
    impl Drop for ScopeGuard {
        fn drop(&mut self) {
            SCOPE_LEFT.with(|s| s.set(None));
        }
    }
    if SCOPE_LEFT.with(|s| s.get().is_some()) {
        return body();
    }
    SCOPE_LEFT.with(|s| s.set(Some(PANEL_BUDGET)));
    let _guard = ScopeGuard;
    body()
}

/// Ends the outermost quadrature's budget, also when its integrand panics.
struct BudgetGuard;

impl Drop for BudgetGuard {
    fn drop(&mut self) {
        PANELS_LEFT.with(|b| b.set(None));
        EXHAUSTED.with(|e| e.set(false));
    }
}

/// Runs `body` under the panel budget: the outermost call sets it, nested calls share
/// it; the outermost call returns NaN if the budget ran out.
fn with_budget(body: impl FnOnce() -> f64) -> f64 {
    let outermost = PANELS_LEFT.with(|b| {
        let none = b.get().is_none();
        if none {
            // the scope's remainder, if one runs
            b.set(Some(SCOPE_LEFT.with(|s| s.get()).unwrap_or(PANEL_BUDGET)));
            EXHAUSTED.with(|e| e.set(false));
        }
        none
    });
    if !outermost {
        return body();
    }
    let _guard = BudgetGuard;
    if SCOPE_LEFT.with(|s| s.get() == Some(0)) {
        return f64::NAN;
    }
    let v = body();
    // hand the remainder back to the scope
    let left = PANELS_LEFT.with(|b| b.get()).unwrap_or(0);
    SCOPE_LEFT.with(|s| {
        if s.get().is_some() {
            s.set(Some(left));
        }
    });
    if EXHAUSTED.with(|e| e.get()) {
        f64::NAN
    } else {
        v
    }
}

/// Takes one panel from the budget; `false` when it is spent.
fn take_panel() -> bool {
    PANELS_LEFT.with(|b| match b.get() {
        Some(0) => {
            EXHAUSTED.with(|e| e.set(true));
            false
        }
        Some(n) => {
            b.set(Some(n - 1));
            true
        }
        None => true,
    })
}

fn integrate_within_budget(f: impl Fn(f64) -> f64, a: f64, b: f64, rel_tol: f64) -> f64 {
    if a == b {
        return 0.0;
    }
    let (a, b, sign) = if a < b { (a, b, 1.0) } else { (b, a, -1.0) };
    let mut cuts: Vec<f64> = vec![a];
    let mut push = |x: f64| {
        if x > a && x < b {
            cuts.push(x);
        }
    };
    push(0.0);
    for k in -2..64 {
        let p = 2f64.powi(k);
        push(p);
        push(-p);
    }
    cuts.push(b);
    cuts.sort_by(f64::total_cmp);
    let rough: f64 = cuts
        .windows(2)
        .map(|w| panel(&f, w[0], w[1], 1e-6 * (w[1] - w[0]), 3).value)
        .sum();
    let tol = rel_tol * rough.abs().max(f64::MIN_POSITIVE);
    let panels = (cuts.len() - 1) as f64;
    let sum: f64 = cuts
        .windows(2)
        .map(|w| adapt(&f, w[0], w[1], tol / panels, 0))
        .sum();
    sign * sum
}

/// `∫_a^b f` (either order) to the absolute tolerance `abs_tol`, on one panel bisected
/// adaptively: for short intervals of a smooth integrand, without the panel set-up of
/// [`integrate`].
pub(crate) fn integrate_short(f: impl Fn(f64) -> f64, a: f64, b: f64, abs_tol: f64) -> f64 {
    if a == b {
        return 0.0;
    }
    let (lo, hi, sign) = if a < b { (a, b, 1.0) } else { (b, a, -1.0) };
    with_budget(|| sign * adapt(&f, lo, hi, abs_tol, 0))
}

fn adapt(f: &impl Fn(f64) -> f64, a: f64, b: f64, tol: f64, depth: u32) -> f64 {
    let o = panel(f, a, b, tol, ADAPT_HALVINGS);
    if o.error <= tol || depth >= MAX_DEPTH {
        return o.value;
    }
    let m = 0.5 * (a + b);
    adapt(f, a, m, 0.5 * tol, depth + 1) + adapt(f, m, b, 0.5 * tol, depth + 1)
}

/// 10-point Gauss–Legendre nodes and weights on [−1, 1] (positive half).
const GL_X: [f64; 5] = [
    0.148_874_338_981_631_2,
    0.433_395_394_129_247_2,
    0.679_409_568_299_024_4,
    0.865_063_366_688_984_5,
    0.973_906_528_517_171_7,
];
const GL_W: [f64; 5] = [
    0.295_524_224_714_752_9,
    0.269_266_719_309_996_4,
    0.219_086_362_515_982,
    0.149_451_349_150_580_6,
    0.066_671_344_308_688_1,
];

/// `∫_a^b f` by the fixed 10-point Gauss–Legendre rule: a cheap increment for short
/// steps of a smooth integrand (the stationary-law inversion), not a general engine.
pub(crate) fn gauss_legendre_10(f: impl Fn(f64) -> f64, a: f64, b: f64) -> f64 {
    let (c, h) = (0.5 * (a + b), 0.5 * (b - a));
    let mut acc = 0.0;
    for (x, w) in GL_X.iter().zip(GL_W.iter()) {
        acc += w * (f(c - h * x) + f(c + h * x));
    }
    acc * h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smooth_and_singular_integrands() {
        let e = integrate(|x: f64| x.exp(), -1.0, 2.0, 1e-12);
        assert!((e - (2f64.exp() - (-1f64).exp())).abs() < 1e-13);
        assert!(
            (integrate(|x: f64| 1.0 / (1.0 + x * x), 50.0, -50.0, 1e-12) + 2.0 * 50f64.atan())
                .abs()
                < 1e-12
        );
        let s = tanh_sinh(|s, _| s.powf(-0.5), 1.0, Stop::Relative(1e-14), 12);
        assert!((s.value - 2.0).abs() < 1e-13);
    }
}
