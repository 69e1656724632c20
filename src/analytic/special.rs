//! Numerical building blocks for the analytic laws: the log-gamma function of a
//! complex argument, double-exponential (tanh-sinh) quadrature and a safeguarded
//! Newton–bisection root finder.
//!
//! They are public so that tests and users can reuse them, but they are deliberately
//! small: each does one thing to double precision for the arguments the laws need.

use num_complex::Complex64;
use std::f64::consts::PI;

/// `ln Γ(z)` for complex `z` with `Re z > 0`, by the Stirling series after shifting
/// the argument to `Re z ≥ 20` with the recurrence `ln Γ(z) = ln Γ(z + n) − Σ ln(z + k)`.
///
/// The imaginary part is continuous along paths in the right half-plane (it is the
/// analytic continuation, not reduced modulo 2π). The series is truncated after the
/// `B₁₆` term; at `|z| ≥ 20` its remainder is below `10⁻¹⁷`.
///
/// Returns NaN for `Re z ≤ 0` or non-finite input.
///
/// ```
/// use num_complex::Complex64;
/// use saddle_sde::analytic::special::ln_gamma_complex;
/// // Γ(1/2 + i)·Γ(1/2 − i) = π / cosh(π)
/// let g = ln_gamma_complex(Complex64::new(0.5, 1.0));
/// assert!((2.0 * g.re - (std::f64::consts::PI / std::f64::consts::PI.cosh()).ln()).abs() < 1e-13);
/// ```
pub fn ln_gamma_complex(z: Complex64) -> Complex64 {
    if z.re.is_nan() || z.re <= 0.0 || !z.im.is_finite() || !z.re.is_finite() {
        return Complex64::new(f64::NAN, f64::NAN);
    }
    let mut w = z;
    let mut shift = Complex64::new(0.0, 0.0);
    while w.re < 20.0 {
        shift += w.ln();
        w += 1.0;
    }
    // Stirling: (w − ½) ln w − w + ½ ln 2π + Σ B_{2k} / (2k(2k−1) w^{2k−1})
    const B: [f64; 8] = [
        1.0 / 6.0,
        -1.0 / 30.0,
        1.0 / 42.0,
        -1.0 / 30.0,
        5.0 / 66.0,
        -691.0 / 2730.0,
        7.0 / 6.0,
        -3617.0 / 510.0,
    ];
    let inv = w.inv();
    let inv2 = inv * inv;
    let mut term = inv;
    let mut series = Complex64::new(0.0, 0.0);
    for (k, b) in B.iter().enumerate() {
        let n = 2.0 * (k as f64 + 1.0);
        series += term * (b / (n * (n - 1.0)));
        term *= inv2;
    }
    (w - 0.5) * w.ln() - w + 0.5 * (2.0 * PI).ln() + series - shift
}

/// `ln |Γ(x + iy) / Γ(x)|²` for `x > 0`: the log of the Pearson type IV
/// normalising factor (always `≤ 0`).
///
/// Both gamma functions are evaluated by the same Stirling series, so their shared
/// errors cancel; the function is even in `y` and `0` at `y = 0`.
///
/// ```
/// use saddle_sde::analytic::special::ln_gamma_ratio_sq;
/// // |Γ(1 + iy)|² = πy / sinh(πy)
/// let y = 0.7_f64;
/// let pi = std::f64::consts::PI;
/// assert!((ln_gamma_ratio_sq(1.0, y) - (pi * y / (pi * y).sinh()).ln()).abs() < 1e-14);
/// ```
pub fn ln_gamma_ratio_sq(x: f64, y: f64) -> f64 {
    let num = ln_gamma_complex(Complex64::new(x, y.abs())).re;
    let den = ln_gamma_complex(Complex64::new(x, 0.0)).re;
    2.0 * (num - den)
}

/// `∫₀ᴸ f(s) ds` by tanh-sinh quadrature, for `f` continuous on `(0, L)` and integrable,
/// possibly with integrable endpoint singularities.
///
/// `f` is called as `f(s, L − s)`: both distances to the ends are computed without
/// cancellation, so that integrands such as `sin(π − s)` can be written accurately.
/// The step is halved until two successive estimates agree to `rel_tol` (relative) or
/// 12 halvings are reached; the abscissae are truncated at `|t| ≤ 4.5`, beyond which the
/// weights are below `10⁻⁵⁰` of the total for bounded integrands. For a singularity
/// `s^{−β}` the truncation loses about `10^{−61(1−β)}/(1 − β)` (`10⁻⁵` at `β = 0.9`):
/// remove strong singularities by a substitution first.
///
/// Returns `0` for `L ≤ 0`.
///
/// ```
/// use saddle_sde::analytic::special::tanh_sinh;
/// // ∫₀¹ s^{−1/2} ds = 2
/// let v = tanh_sinh(|s, _| s.powf(-0.5), 1.0, 1e-13);
/// assert!((v - 2.0).abs() < 1e-9);
/// ```
pub fn tanh_sinh(f: impl Fn(f64, f64) -> f64, len: f64, rel_tol: f64) -> f64 {
    use crate::quadrature::{Stop, tanh_sinh};
    tanh_sinh(f, len, Stop::Relative(rel_tol), 12).value
}

/// Solves `g(x) = target` for an increasing `g` on the bracket `[lo, hi]` with
/// `g(lo) ≤ target ≤ g(hi)`, by Newton steps with derivative `dg`, falling back to
/// bisection whenever a step leaves the current bracket. Stops when the bracket is
/// narrower than `4 ε max(|x|, 1e-300)` or after 200 iterations.
///
/// ```
/// use saddle_sde::analytic::special::solve_increasing;
/// let x = solve_increasing(|x| x * x * x, |x| 3.0 * x * x, 2.0, 0.0, 5.0);
/// assert!((x - 2f64.cbrt()).abs() < 1e-15);
/// ```
pub fn solve_increasing(
    g: impl Fn(f64) -> f64,
    dg: impl Fn(f64) -> f64,
    target: f64,
    mut lo: f64,
    mut hi: f64,
) -> f64 {
    let mut x = 0.5 * (lo + hi);
    for _ in 0..200 {
        let v = g(x) - target;
        if v == 0.0 {
            return x;
        }
        if v < 0.0 {
            lo = x;
        } else {
            hi = x;
        }
        if hi - lo <= 4.0 * f64::EPSILON * x.abs().max(1e-300) {
            break;
        }
        let d = dg(x);
        let newton = x - v / d;
        if d > 0.0 && (newton - x).abs() <= 2.0 * f64::EPSILON * x.abs() {
            return newton;
        }
        x = if d > 0.0 && newton > lo && newton < hi {
            newton
        } else {
            0.5 * (lo + hi)
        };
    }
    x
}
