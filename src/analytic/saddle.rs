//! Closed forms for the saddle SDE: the blog's pathwise solution and the exact
//! first two moments.
//!
//! # Pathwise solution
//! With `μ = τρ/σ`, `ω = τ√(1−ρ²)`, `V = (U − ρW)/√(1−ρ²)` and `y = x + μ`, the saddle
//! SDE becomes `dy = a(y − μ) dt + σ y dW + ω dV` with `V` independent of `W`, solved by
//!
//! ```text
//! y_t = Φ_t [ y₀ + ∫₀ᵗ Φ_s⁻¹ (ω dV_s − aμ ds) ],     Φ_t = exp((a − σ²/2)t + σW_t)
//! ```
//!
//! (Itô's product rule: `d(Φ⁻¹y) = Φ⁻¹(ω dV − aμ dt)` because `d⟨Φ⁻¹, V⟩ = 0`). This is
//! the blog's formula written with `Φ_t Φ_s⁻¹ = exp((a−σ²/2)(t−s) + σ(W_t − W_s))` and
//! `ν_s = ωV_s − aμs`.
//!
//! # Evaluating it on a discrete path
//! `Φ` is exact at the grid points. The stochastic integral is **not** a left-point
//! sum: that would leave a local error `−σω∫(W_s − W_i) dV_s` whose sum is `O(√h)`
//! and would flatten every strong-order slope measured against it. We use, over each
//! step, `∫ Φ_s⁻¹ dV_s ≈ Φ_i⁻¹(ΔV_i − σ I_(W,V),i)` with the step's iterated integral,
//! and the trapezoid rule for `∫ Φ_s⁻¹ ds`. The remaining local errors are mean-zero
//! and `O(h^{3/2})`, so the reference is strong order 1 in the fine step, written as the
//! stable recursion
//!
//! ```text
//! y_{i+1} = r_i (y_i + ω(ΔV_i − σ I_(W,V),i) − aμh/2) − aμh/2,     r_i = exp((a−σ²/2)h + σΔW_i).
//! ```
//!
//! Special cases: `τ = 0` gives `x_t = x₀Φ_t` exactly (the recursion reduces to it);
//! `|ρ| = 1` has `ω = 0` and only the `ds` integral; `σ = 0` has no `μ` and is solved
//! directly, `x_t = e^{at}x₀ + τ∫₀ᵗ e^{a(t−s)} dU_s`, with the midpoint weight
//! `e^{a(t−s_{i+½})}` on each `ΔU_i`.
//!
//! # Moments
//! `m(t) = E[x_t]` solves `m' = a m`, so `m(t) = x₀e^{at}`. `s(t) = E[x_t²]` solves
//! `s' = (2a + σ²)s + 2ρστ m + τ²` (Itô: `d(x²) = 2x dx + ((σx + ρτ)² + ω²) dt`):
//!
//! ```text
//! E[x_t²] = x₀² e^{(2a+σ²)t} + 2ρστ x₀ e^{at} φ(a + σ², t) + τ² φ(2a + σ², t),
//! φ(c, t) = (e^{ct} − 1)/c   (= t at c = 0).
//! ```

use crate::error::{Error, Result, Show, finite, non_negative};
use crate::models::SaddleSde;
use crate::noise::StepNoise;

/// `(e^{ct} − 1)/c`, continuous at `c = 0`.
pub(crate) fn phi(c: f64, t: f64) -> f64 {
    if c == 0.0 { t } else { (c * t).exp_m1() / c }
}

/// `E[x_t]` for `x_0 = x0`: `x₀ e^{at}`.
///
/// ```
/// use saddle_sde::{analytic::saddle::mean, models::SaddleSde};
/// let m = SaddleSde::new(1.0, 1.0, 0.5, 0.3).unwrap();
/// assert!((mean(&m, 0.1, 1.0) - 0.1 * 1f64.exp()).abs() < 1e-15);
/// ```
pub fn mean(sde: &SaddleSde, x0: f64, t: f64) -> f64 {
    let a = sde.a();
    term(x0 * (a * t).exp(), &[x0], || a * t)
}

/// One term `c₁⋯c_k · e` of a moment, with `e > 0` given by its direct value's
/// computation (`direct`) and its logarithm (`ln_e`). A term with a zero factor is 0
/// (never `0·∞ = NaN`); a term whose direct value is finite and non-zero is that value
/// (so ordinary inputs keep the plain formula's bits); otherwise (a factor that
/// underflowed, or an `e` that overflowed) it is `±exp(Σ ln|c_i| + ln e)`, which is right
/// whenever the term itself is representable.
fn term(direct: f64, factors: &[f64], ln_e: impl FnOnce() -> f64) -> f64 {
    if factors.contains(&0.0) {
        return 0.0;
    }
    if direct.is_finite() && direct != 0.0 {
        return direct;
    }
    let sign: f64 = factors.iter().map(|f| f.signum()).product();
    let ln = factors.iter().map(|f| f.abs().ln()).sum::<f64>() + ln_e();
    sign * ln.exp()
}

/// `ln(e^{bt} φ(c, t))`, `φ(c, t) = (e^{ct} − 1)/c` (`t ≥ 0`; `−∞` at `t = 0`).
fn ln_e_phi(b: f64, c: f64, t: f64) -> f64 {
    if t == 0.0 {
        f64::NEG_INFINITY
    } else if c == 0.0 {
        b * t + t.ln()
    } else if c * t > 0.0 {
        (b + c) * t + (-(-c * t).exp_m1()).ln() - c.ln()
    } else {
        b * t + ((c * t).exp_m1() / c).ln()
    }
}

/// `ln(e^{bt}(e^{ct} − 1))` for `c ≥ 0` (`−∞` where `ct = 0`).
fn ln_bump(b: f64, c: f64, t: f64) -> f64 {
    if c * t == 0.0 {
        f64::NEG_INFINITY
    } else {
        (b + c) * t + (-(-c * t).exp_m1()).ln()
    }
}

/// The three terms of `E[x_t²]` and the first of `Var[x_t]`, each from [`term`].
fn terms(sde: &SaddleSde, x0: f64, t: f64) -> [f64; 4] {
    let (a, s, tau, rho) = (sde.a(), sde.sigma(), sde.tau(), sde.rho());
    let k = 2.0 * a + s * s;
    [
        term(x0 * x0 * (k * t).exp(), &[x0, x0], || k * t),
        term(
            2.0 * rho * s * tau * x0 * (a * t).exp() * phi(a + s * s, t),
            &[2.0 * rho, s, tau, x0],
            || ln_e_phi(a, a + s * s, t),
        ),
        term(tau * tau * phi(k, t), &[tau, tau], || ln_e_phi(0.0, k, t)),
        term(
            x0 * x0 * (2.0 * a * t).exp() * (s * s * t).exp_m1(),
            &[x0, x0],
            || ln_bump(2.0 * a, s * s, t),
        ),
    ]
}

/// The first two moments at one time, from [`moments`].
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Moments {
    /// `E[x_t]`.
    pub mean: f64,
    /// `E[x_t²]`.
    pub second_moment: f64,
    /// `Var[x_t]`, without the cancellation of `E[x_t²] − E[x_t]²`.
    pub variance: f64,
}

/// [`mean`], [`second_moment`] and [`variance`] with the input checked and the result
/// guaranteed finite.
///
/// # Errors
/// A parameter error naming `x0` if it is not finite or `t` if it is negative or not
/// finite; [`Error::DoesNotExist`] when a moment overflows `f64`, naming the term that
/// overflows and the parameters it grows with (the exponent `(2a + σ²)t` against
/// `ln f64::MAX ≈ 709.8`, or a large `x₀` or `τ`), so that the message blames the
/// parameter responsible rather than `t` alone.
///
/// ```
/// use saddle_sde::{analytic::saddle::moments, models::SaddleSde};
/// let m = SaddleSde::new(1.0, 1.0, 0.5, 0.3)?;
/// let mo = moments(&m, 0.1, 1.0)?;
/// assert!((mo.mean - 0.1 * 1f64.exp()).abs() < 1e-15);
/// // x0 = 0 with a growth exponent past f64: the x0 terms vanish and τ² φ overflows
/// let e = moments(&m, 0.0, 400.0).unwrap_err().to_string();
/// assert!(e.contains("τ² φ(2a + σ², t)") && e.contains("(2a + σ²)t = 1.200000e3"));
/// // a huge x0 at a moderate time: x0 is to blame
/// assert!(moments(&m, 1e300, 1.0).unwrap_err().to_string().contains("x0² e^{(2a + σ²)t}"));
/// # Ok::<(), saddle_sde::Error>(())
/// ```
pub fn moments(sde: &SaddleSde, x0: f64, t: f64) -> Result<Moments> {
    finite("x0", x0)?;
    non_negative("t", t)?;
    let (a, s, tau, rho) = (sde.a(), sde.sigma(), sde.tau(), sde.rho());
    let k = 2.0 * a + s * s;
    let [t1, t2, t3, t1v] = terms(sde, x0, t);
    let terms = [
        ("x0² e^{(2a + σ²)t}", t1, t1v),
        ("2ρστ x0 e^{at} φ(a + σ², t)", t2, 0.0),
        ("τ² φ(2a + σ², t)", t3, 0.0),
    ];
    let m = mean(sde, x0, t);
    let m2 = terms.iter().map(|t| t.1).sum::<f64>();
    let v = terms[0].2 + terms[1].1 + terms[2].1;
    if m.is_finite() && m2.is_finite() && v.is_finite() {
        return Ok(Moments {
            mean: m,
            second_moment: m2,
            variance: v,
        });
    }
    let culprit = if !m.is_finite() {
        "x0 e^{at}"
    } else {
        terms
            .iter()
            .find(|t| !(t.1.is_finite() && t.2.is_finite()))
            .map_or("the sum of its terms", |t| t.0)
    };
    Err(Error::DoesNotExist {
        what: if m.is_finite() { "E[x_t²]" } else { "E[x_t]" },
        condition: format!(
            "a finite f64; at a = {}, sigma = {}, tau = {}, rho = {rho}, x0 = {}, t = {} its \
             term {culprit} overflows ((2a + σ²)t = {kt:.6e}, at = {at:.6e}; e^z overflows \
             past z = 709.78)",
            Show(a),
            Show(s),
            Show(tau),
            Show(x0),
            Show(t),
            kt = k * t,
            at = a * t,
        ),
    })
}

/// `E[x_t²]` for `x_0 = x0` (see the module docs).
///
/// ```
/// use saddle_sde::{analytic::saddle::second_moment, models::SaddleSde};
/// // σ = 0, ρ = 0: OU-like, E[x²] = x0² e^{2at} + τ²(e^{2at} − 1)/(2a)
/// let m = SaddleSde::new(0.5, 0.0, 2.0, 0.0).unwrap();
/// let e = 1f64.exp();
/// assert!((second_moment(&m, 1.0, 1.0) - (e + 4.0 * (e - 1.0))).abs() < 1e-12);
/// ```
pub fn second_moment(sde: &SaddleSde, x0: f64, t: f64) -> f64 {
    let [t1, t2, t3, _] = terms(sde, x0, t);
    t1 + t2 + t3
}

/// `Var[x_t]`, written without the cancellation of `E[x_t²] − E[x_t]²`:
///
/// ```text
/// Var[x_t] = x₀² e^{2at} (e^{σ²t} − 1) + 2ρστ x₀ e^{at} φ(a + σ², t) + τ² φ(2a + σ², t).
/// ```
///
/// ```
/// use saddle_sde::{analytic::saddle::variance, models::SaddleSde};
/// // σ = 0 with a tiny τ: the exact variance τ²(e^{2a} − 1)/(2a) = 3.19e-18 survives,
/// // where E[x²] − E[x]² would return rounding noise of order 1e-16.
/// let m = SaddleSde::new(1.0, 0.0, 1e-9, 0.0).unwrap();
/// let v = variance(&m, 1.0, 1.0);
/// assert!((v - 1e-18 * (2f64.exp() - 1.0) / 2.0).abs() < 1e-30);
/// ```
pub fn variance(sde: &SaddleSde, x0: f64, t: f64) -> f64 {
    let [_, t2, t3, t1v] = terms(sde, x0, t);
    t1v + t2 + t3
}

/// The blog's pathwise solution on a discrete Brownian path of `(W, V)`, returning
/// `x_T` at the end of `steps` (see the module docs for the quadrature and its order).
///
/// `steps[i].dz = [ΔW_i, ΔV_i]`, and `steps[i].iterated[0][1] = I_(W,V),i` is used when
/// `σω ≠ 0`. `U = ρW + √(1−ρ²)V`.
///
/// ```
/// use saddle_sde::{analytic::saddle::pathwise_terminal, models::SaddleSde, noise::StepNoise};
/// // τ = 0: exact geometric Brownian motion, x0·exp((a − σ²/2)T + σW_T)
/// let m = SaddleSde::new(1.0, 0.5, 0.0, 0.0).unwrap();
/// let steps = [StepNoise::without_areas(0.5, [0.3, 0.0]), StepNoise::without_areas(0.5, [-0.1, 0.0])];
/// let x = pathwise_terminal(&m, 2.0, &steps);
/// assert!((x - 2.0 * (0.875f64 + 0.5 * 0.2).exp()).abs() < 1e-14);
/// ```
pub fn pathwise_terminal(sde: &SaddleSde, x0: f64, steps: &[StepNoise<2>]) -> f64 {
    let mut x = x0;
    pathwise_for_each(sde, x0, steps, |xi| x = xi);
    x
}

/// As [`pathwise_terminal`], writing `x` at every grid point (`steps.len() + 1` values)
/// into `out`: the exact path beside a scheme's (see
/// [`monitor::Trajectory`](crate::integrate::monitor::Trajectory)).
///
/// ```
/// use saddle_sde::{analytic::saddle::{pathwise_path, pathwise_terminal}, models::SaddleSde, noise::StepNoise};
/// // τ = 0: x_k = x0·exp((a − σ²/2) t_k + σ W_{t_k}), here with a − σ²/2 = 0.875
/// let m = SaddleSde::new(1.0, 0.5, 0.0, 0.0).unwrap();
/// let steps = [StepNoise::without_areas(0.5, [0.3, 0.0]), StepNoise::without_areas(0.5, [-0.1, 0.0])];
/// let mut path = Vec::new();
/// pathwise_path(&m, 2.0, &steps, &mut path);
/// assert_eq!(path.len(), 3);
/// assert_eq!(path[0], 2.0);
/// assert!((path[1] - 2.0 * (0.4375f64 + 0.15).exp()).abs() < 1e-14);
/// assert_eq!(path[2], pathwise_terminal(&m, 2.0, &steps));
/// ```
pub fn pathwise_path(sde: &SaddleSde, x0: f64, steps: &[StepNoise<2>], out: &mut Vec<f64>) {
    out.clear();
    out.push(x0);
    pathwise_for_each(sde, x0, steps, |xi| out.push(xi));
}

fn pathwise_for_each(sde: &SaddleSde, x0: f64, steps: &[StepNoise<2>], mut visit: impl FnMut(f64)) {
    let (a, s, omega) = (sde.a(), sde.sigma(), sde.omega());
    let rho = sde.rho();
    let rho_c = (1.0 - rho * rho).max(0.0).sqrt();
    match sde.mu() {
        None => {
            // σ = 0: x_{i+1} = e^{ah} x_i + τ e^{ah/2} ΔU_i
            let tau = sde.tau();
            let mut x = x0;
            for st in steps {
                let du = rho * st.dz[0] + rho_c * st.dz[1];
                x = (a * st.h).exp() * x + tau * (0.5 * a * st.h).exp() * du;
                visit(x);
            }
        }
        Some(mu) => {
            let theta = a - 0.5 * s * s;
            let mut y = x0 + mu;
            for st in steps {
                let half = 0.5 * a * mu * st.h;
                let r = (theta * st.h + s * st.dz[0]).exp();
                let noise = omega * (st.dz[1] - s * st.iterated[0][1]);
                y = r * (y + noise - half) - half;
                visit(y - mu);
            }
        }
    }
}

/// The raw moments `[1, E[x_t], E[x_t²], E[x_t³], E[x_t⁴]]` for `x_0 = x0`.
///
/// Itô's formula on `x^k` with `b²(x) = (σx + ρτ)² + ω² = σ²x² + 2ρστx + τ²` gives
/// the closed lower-triangular system
///
/// ```text
/// m_k' = (k a + k(k−1)σ²/2) m_k + k(k−1)ρστ m_{k−1} + k(k−1)τ²/2 m_{k−2},
/// ```
///
/// solved here by the matrix exponential. Every moment is finite at finite `t`; the
/// fourth grows like `e^{(4a + 6σ²)t}` against `Var² ~ e^{2(2a + σ²)t}`, so the
/// kurtosis grows like `e^{4σ²t}` (see [`fourth_central_moment`]).
///
/// ```
/// use saddle_sde::{analytic::saddle::{raw_moments, second_moment}, models::SaddleSde};
/// let m = SaddleSde::new(1.0, 1.0, 0.5, 0.3).unwrap();
/// let r = raw_moments(&m, 0.1, 1.0);
/// assert!((r[1] - 0.1 * 1f64.exp()).abs() < 1e-12);
/// assert!((r[2] / second_moment(&m, 0.1, 1.0) - 1.0).abs() < 1e-12);
/// // τ = 0: geometric Brownian motion, E[x⁴] = x0⁴ e^{(4a + 6σ²)t}
/// let g = SaddleSde::new(0.5, 0.5, 0.0, 0.0).unwrap();
/// assert!((raw_moments(&g, 2.0, 1.0)[4] / (16.0 * 3.5f64.exp()) - 1.0).abs() < 1e-12);
/// ```
pub fn raw_moments(sde: &SaddleSde, x0: f64, t: f64) -> [f64; 5] {
    let (a, s, tau, rho) = (sde.a(), sde.sigma(), sde.tau(), sde.rho());
    let mut generator = nalgebra::Matrix5::<f64>::zeros();
    for k in 1..5 {
        let kf = k as f64;
        let c = kf * (kf - 1.0);
        generator[(k, k)] = kf * a + 0.5 * c * s * s;
        generator[(k, k - 1)] = c * rho * s * tau;
        if k >= 2 {
            generator[(k, k - 2)] = 0.5 * c * tau * tau;
        }
    }
    let start = nalgebra::Vector5::new(1.0, x0, x0 * x0, x0.powi(3), x0.powi(4));
    let m = (generator * t).exp() * start;
    [m[0], m[1], m[2], m[3], m[4]]
}

/// The fourth central moment `E[(x_t − E x_t)⁴]` from [`raw_moments`] (finite for
/// every finite `t`; computed from raw moments, so it carries their rounding error
/// relative to `E[x_t⁴]` — good for judging how heavy the tail is, not for digits).
///
/// ```
/// use saddle_sde::{analytic::saddle::{fourth_central_moment, variance}, models::SaddleSde};
/// // σ = 0: x_t is Gaussian, so μ₄ = 3 Var²
/// let m = SaddleSde::new(0.5, 0.0, 2.0, 0.0).unwrap();
/// let v = variance(&m, 1.0, 1.0);
/// assert!((fourth_central_moment(&m, 1.0, 1.0) / (3.0 * v * v) - 1.0).abs() < 1e-10);
/// ```
pub fn fourth_central_moment(sde: &SaddleSde, x0: f64, t: f64) -> f64 {
    let [_, m1, m2, m3, m4] = raw_moments(sde, x0, t);
    m4 - 4.0 * m1 * m3 + 6.0 * m1 * m1 * m2 - 3.0 * m1.powi(4)
}
