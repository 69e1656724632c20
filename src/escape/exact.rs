//! Exact exit probabilities and mean exit times of the saddle SDE, from its scale
//! function and speed measure.
//!
//! The saddle SDE has the same law as the one-noise diffusion
//! `dx = a x dt + b(x) dB`, `b²(x) = σ²x² + 2ρστx + τ²`
//! ([`LawEquivalentSaddle`](crate::models::LawEquivalentSaddle)), so every exit
//! quantity is that of a one-dimensional diffusion with generator
//! `L = ½b²(x) d²/dx² + a x d/dx`.
//!
//! # Scale function
//! `s'(x) = exp(−F(x))` with `F' = 2a x/b²`. Writing `q = b² = σ²(x + ρτ/σ)² + ω²`,
//! `ω = τ√(1−ρ²)`, and `2a x = (a/σ²) q' − 2aρτ/σ`:
//!
//! ```text
//! σ > 0, ω > 0:  F(x) = (a/σ²) ln q(x) − 2aρτ/(σ²ω) · atan((σx + ρτ)/ω)
//! σ > 0, ω = 0:  F(x) = (a/σ²) ln q(x) + 2aρτ/(σ²(σx + ρτ))      (x ≠ −ρτ/σ)
//! σ = 0:         F(x) = a x²/τ²
//! ```
//!
//! (the log and atan terms; [`scale_exponent`] evaluates it, and the tests check it
//! against quadrature of `2ax/b²`). From `x₀ ∈ (l, r)` the exit probability through
//! `r` is `P = (s(x₀) − s(l))/(s(r) − s(l))`.
//!
//! # Mean exit time
//! `u(x) = E_x[T]` solves `½b²u'' + a x u' = −1`, `u(l) = u(r) = 0`. With the speed
//! density `m = 2/(b² s')` and the Green's function
//! `G(x, y) = (s(x∧y) − s(l))(s(r) − s(x∨y))/(s(r) − s(l))`, `u(x₀) = ∫ G(x₀, y) m(y) dy`:
//!
//! ```text
//! u(x₀) = (1−P) ∫_l^{x₀} dy ∫_l^y K(y, z) dz  +  P ∫_{x₀}^r dy ∫_y^r K(y, z) dz,
//! K(y, z) = 2 exp(F(y) − F(z)) / b²(y).
//! ```
//!
//! Writing `K` through the difference `F(y) − F(z)` keeps every factor in range. The
//! double integral is evaluated by nested tanh-sinh quadrature (the crate's one engine),
//! split at the origin and bisected adaptively until the error estimate of every panel
//! is below its share of a relative tolerance of `1e-12`.
//!
//! # One-sided level
//! For a level `r > x₀` and no lower barrier, as `l → −∞`:
//! `s(−∞)` is finite iff `σ² < 2a` (`s' ~ |x|^{−2a/σ²}`, or `exp(−ax²/τ²)` when
//! `σ = 0`). So the level is reached with probability
//! `P = ∫_{−∞}^{x₀} s' / ∫_{−∞}^{r} s' < 1` when `σ² < 2a` — the path may run off to
//! `−∞` instead — and with probability 1 when `σ² ≥ 2a`. The mean hitting time is
//! finite iff the speed measure is integrable at `−∞`, `m ~ |x|^{2a/σ² − 2}`, i.e. iff
//! `σ² > 2a`; then
//! `u(x₀) = ∫_{x₀}^r dy ∫_y^r K + ∫_{−∞}^{x₀} dy ∫_{x₀}^r K`.
//! At `σ² = 2a` the level is hit surely but after an infinite mean time. The transition
//! of the blog, `σ²/(2a) = 1`, is exactly where the one-sided escape changes nature.
//! A lower level `l < x₀` is the upper level `−l` of the mirrored process `−x`, which is
//! the saddle SDE with `τ → −τ`.
//!
//! # Exit before a horizon
//! `P(T ≤ t)` has no closed form; [`exit_time_cdf`] solves the backward equation
//! `∂_t v = ½b²∂²_x v + a x ∂_x v`, `v(0, ·) = 0` inside, `v = 1` on the barriers, by
//! Crank–Nicolson (Rannacher start) on a fine grid: second order in space and time,
//! accurate to about `1e-6` at the default resolution.

use crate::error::{finite, param, Error, Result};
use crate::models::SaddleSde;

/// Relative tolerance of the quadratures.
const REL_TOL: f64 = 1e-12;

/// `∫_a^b f` to relative accuracy [`REL_TOL`] by the crate's adaptive tanh-sinh
/// quadrature (panels split at 0 and `±2^k`, bisected adaptively).
fn integrate<F: Fn(f64) -> f64>(f: F, a: f64, b: f64) -> f64 {
    crate::quadrature::integrate(f, a, b, REL_TOL)
}

/// The functions of a saddle model that the exit formulas need.
#[derive(Debug, Clone, Copy)]
struct Coeffs {
    a: f64,
    s2: f64,
    sigma: f64,
    rt: f64,
    omega: f64,
    tau2: f64,
}

impl Coeffs {
    fn new(m: &SaddleSde) -> Self {
        Self {
            a: m.a(),
            s2: m.sigma() * m.sigma(),
            sigma: m.sigma(),
            rt: m.rho() * m.tau(),
            // ω = τ√(1−ρ²) carries the sign of τ; only ω² enters b², so use |ω|
            omega: m.omega().abs(),
            tau2: m.tau() * m.tau(),
        }
    }
    #[inline]
    fn b2(&self, x: f64) -> f64 {
        let g = self.sigma * x + self.rt;
        g * g + self.omega * self.omega
    }
    /// `F(x)` up to an additive constant.
    #[inline]
    fn f(&self, x: f64) -> f64 {
        if self.sigma == 0.0 {
            self.a * x * x / self.tau2
        } else if self.omega > 0.0 {
            let c = 2.0 * self.a * self.rt / (self.s2 * self.omega);
            self.a / self.s2 * self.b2(x).ln()
                - c * ((self.sigma * x + self.rt) / self.omega).atan()
        } else {
            let g = self.sigma * x + self.rt;
            self.a / self.s2 * (g * g).ln() + 2.0 * self.a * self.rt / (self.s2 * g)
        }
    }
    /// `ln b²(y)` at `y = y0 − e^v` (`y0 < 0`), without overflow for large `v`.
    fn ln_b2_far(&self, y0: f64, v: f64) -> f64 {
        if self.sigma == 0.0 {
            return self.tau2.ln();
        }
        let e = (-v).exp();
        let t = 1.0 - y0 * e; // |y| e^{−v} ≥ 1
        let inv_y = -e / t;
        2.0 * (v + t.ln())
            + (self.s2 + 2.0 * self.sigma * self.rt * inv_y + self.tau2 * inv_y * inv_y).ln()
    }
    /// `F(y)` at `y = y0 − e^v`, without overflow for large `v`.
    fn f_far(&self, y0: f64, v: f64) -> f64 {
        let y = y0 - v.exp();
        if self.sigma == 0.0 {
            return self.f(y);
        }
        let log_part = self.a / self.s2 * self.ln_b2_far(y0, v);
        let g = self.sigma * y + self.rt; // may be −∞: the terms below have limits
        if self.omega > 0.0 {
            let c = 2.0 * self.a * self.rt / (self.s2 * self.omega);
            log_part - c * (g / self.omega).atan()
        } else {
            log_part + 2.0 * self.a * self.rt / (self.s2 * g)
        }
    }
    /// The point where `b` vanishes, if any.
    fn zero_of_b(&self) -> Option<f64> {
        if self.omega > 0.0 || (self.sigma == 0.0 && self.tau2 > 0.0) {
            None
        } else if self.sigma > 0.0 {
            Some(-self.rt / self.sigma)
        } else {
            // σ = 0 and ω = 0 means τ = 0: b ≡ 0
            Some(f64::NAN)
        }
    }
    fn check_positive_on(&self, lo: f64, hi: f64) -> Result<()> {
        match self.zero_of_b() {
            None => Ok(()),
            Some(z) if z.is_nan() => Err(Error::DoesNotExist {
                what: "exit reference",
                condition: "the diffusion b(x) vanishes everywhere (sigma = tau = 0)".into(),
            }),
            Some(z) if z >= lo && z <= hi => Err(Error::DoesNotExist {
                what: "exit reference",
                condition: format!(
                    "b(x)² = σ²x² + 2ρστx + τ² must be > 0 on the domain, but b({z}) = 0"
                ),
            }),
            Some(_) => Ok(()),
        }
    }
}

/// `F(x) = ∫₀ˣ 2a y / b²(y) dy`, the exponent of the scale density
/// `s'(x) = exp(−F(x))`, in closed form (log and atan terms, see the
/// [module docs](self)).
///
/// # Errors
/// [`Error::DoesNotExist`] if `b²` vanishes between 0 and `x` (then the integral
/// diverges), and a parameter error naming `x` if it is not finite.
///
/// ```
/// use saddle_sde::{escape::exact::scale_exponent, models::SaddleSde};
/// // ρ = 0: F(x) = (a/σ²) ln(1 + σ²x²/τ²)
/// let m = SaddleSde::new(1.0, 2.0, 1.0, 0.0)?;
/// assert!((scale_exponent(&m, 1.0)? - 0.25 * 5f64.ln()).abs() < 1e-15);
/// # Ok::<(), saddle_sde::Error>(())
/// ```
pub fn scale_exponent(model: &SaddleSde, x: f64) -> Result<f64> {
    finite("x", x)?;
    let c = Coeffs::new(model);
    c.check_positive_on(x.min(0.0), x.max(0.0))?;
    Ok(c.f(x) - c.f(0.0))
}

/// Exact exit quantities from an interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IntervalExit {
    /// Probability of leaving through the upper end.
    pub p_upper: f64,
    /// Probability of leaving through the lower end, `1 − p_upper` (computed from its
    /// own integral, so it keeps its relative accuracy when small).
    pub p_lower: f64,
    /// Mean exit time `E[T]`.
    pub mean_exit_time: f64,
}

/// Checks `lower < x0 < upper` (all finite) and that the diffusion does not vanish on
/// `[lower, upper]`; returns the coefficients of the scale and speed densities.
fn interval_coeffs(model: &SaddleSde, x0: f64, lower: f64, upper: f64) -> Result<Coeffs> {
    finite("lower", lower)?;
    finite("upper", upper)?;
    finite("x0", x0)?;
    if !(lower < x0 && x0 < upper) {
        return Err(param(
            "x0",
            x0,
            format!("in (lower, upper) = ({lower}, {upper})"),
        ));
    }
    let c = Coeffs::new(model);
    c.check_positive_on(lower, upper)?;
    Ok(c)
}

/// Exact exit probabilities and mean exit time of the saddle SDE from `(lower, upper)`
/// starting at `x0`.
///
/// Relative accuracy about `1e-12` (nested adaptive tanh-sinh quadrature; the tests
/// check `1e-8` against an independent boundary-value solve).
///
/// # Errors
/// A parameter error naming `x0` unless `lower < x0 < upper` (all finite), and
/// [`Error::DoesNotExist`] if the diffusion vanishes in `[lower, upper]` or the result
/// overflows.
///
/// ```
/// use saddle_sde::{escape::exact::interval_exit, models::SaddleSde};
/// // a = 0, σ = 0: Brownian motion with variance τ² t; E[T] = (x−l)(r−x)/τ²
/// let m = SaddleSde::new(0.0, 0.0, 0.5, 0.0)?;
/// let e = interval_exit(&m, 0.2, -1.0, 1.0)?;
/// assert!((e.p_upper - 0.6).abs() < 1e-12);
/// assert!((e.mean_exit_time - 0.96 / 0.25).abs() < 1e-10);
/// # Ok::<(), saddle_sde::Error>(())
/// ```
pub fn interval_exit(model: &SaddleSde, x0: f64, lower: f64, upper: f64) -> Result<IntervalExit> {
    let c = interval_coeffs(model, x0, lower, upper)?;
    // normalise F by its minimum on [l, r] so that s' = exp(−(F − F_min)) ≤ 1
    let f_min = [lower, upper, 0.0f64.clamp(lower, upper)]
        .iter()
        .map(|&x| c.f(x))
        .fold(f64::INFINITY, f64::min);
    let sp = |x: f64| (-(c.f(x) - f_min)).exp();
    let s_lo = integrate(sp, lower, x0);
    let s_hi = integrate(sp, x0, upper);
    let total = s_lo + s_hi;
    let p_upper = s_lo / total;
    let p_lower = s_hi / total;
    let k = |y: f64, z: f64| 2.0 * (c.f(y) - c.f(z)).exp() / c.b2(y);
    let inner_lo = |y: f64| integrate(|z| k(y, z), lower, y);
    let inner_hi = |y: f64| integrate(|z| k(y, z), y, upper);
    let mean = p_lower * integrate(inner_lo, lower, x0) + p_upper * integrate(inner_hi, x0, upper);
    if !(mean.is_finite() && p_upper.is_finite()) {
        return Err(Error::DoesNotExist {
            what: "exit reference",
            condition: "the mean exit time must be representable as a finite f64".into(),
        });
    }
    Ok(IntervalExit {
        p_upper,
        p_lower,
        mean_exit_time: mean,
    })
}

/// Exact quantities for the first passage to one level.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LevelPassage {
    /// Probability that the level is ever reached.
    pub probability: f64,
    /// Mean passage time; `None` when it is infinite (`σ² ≤ 2a` for `a > 0`: either the
    /// level may never be reached, or it is reached surely but with infinite mean).
    pub mean_time: Option<f64>,
}

/// Exact first passage of the saddle SDE from `x0` to the level `level` (`level > x0`
/// for an upper level, `level < x0` for a lower one), with no barrier on the other side.
///
/// # Errors
/// A parameter error naming `level` if it equals `x0` or either is not finite;
/// [`Error::DoesNotExist`] if the diffusion vanishes on the side of the level that
/// contains `x0`.
///
/// ```
/// use saddle_sde::{escape::exact::level_passage, models::SaddleSde};
/// // attractive regime σ² = 4 > 2a = 2: the level is hit surely, in finite mean time
/// let m = SaddleSde::new(1.0, 2.0, 0.5, 0.0)?;
/// let p = level_passage(&m, 0.0, 1.0)?;
/// assert_eq!(p.probability, 1.0);
/// assert!(p.mean_time.is_some());
/// // repulsive regime σ² = 1 < 2a: by symmetry (ρ = 0, x₀ = 0) the path leaves to
/// // −∞ or reaches the level... with probability < 1 of the latter
/// let m = SaddleSde::new(1.0, 1.0, 0.5, 0.0)?;
/// let p = level_passage(&m, 0.0, 1.0)?;
/// assert!(p.probability < 1.0 && p.mean_time.is_none());
/// # Ok::<(), saddle_sde::Error>(())
/// ```
pub fn level_passage(model: &SaddleSde, x0: f64, level: f64) -> Result<LevelPassage> {
    finite("x0", x0)?;
    finite("level", level)?;
    if level == x0 {
        return Err(param("level", level, format!("≠ x0 = {x0}")));
    }
    if level < x0 {
        let mirrored = SaddleSde::new(model.a(), model.sigma(), -model.tau(), model.rho())?;
        return level_passage(&mirrored, -x0, -level);
    }
    let c = Coeffs::new(model);
    c.check_positive_on(f64::NEG_INFINITY, level)?;
    let r = level;
    let a = c.a;
    // σ² within relative 1e-12 of 2a counts as the transition itself (there the mean is
    // infinite; next to it, it is astronomically large and its quadrature meaningless)
    let gap = c.s2 - 2.0 * a;
    let at_transition = gap.abs() <= 1e-12 * (c.s2 + 2.0 * a.abs());
    let transient = gap < 0.0 && !at_transition; // s(−∞) finite
    let recurrent_positive = gap > 0.0 && !at_transition; // ∫_{−∞} m finite
                                                          // y = y0 − e^v maps v ∈ ℝ onto (−∞, y0). The integrands below, times
                                                          // |dy/dv| = e^v, decay like e^{−κv} with κ = |2a/σ² − 1| (σ > 0) or like a
                                                          // Gaussian in e^v (σ = 0), so v ∈ [−40, v_hi] with e^{−κ v_hi} < e^{−40} suffices.
                                                          // F is evaluated in log form there, so no intermediate overflows.
    let y0 = x0.min(0.0) - 1.0;
    let v_lo = -40.0;
    let v_hi = if c.sigma > 0.0 {
        40.0 / (2.0 * a / c.s2 - 1.0).abs()
    } else {
        1.0 + 0.5 * (60.0 * c.tau2 / a.abs()).ln().max(0.0)
    };
    let f_ref = c.f(x0);
    let probability = if transient {
        let sp = |x: f64| (f_ref - c.f(x)).exp();
        let tail = integrate(|v: f64| (f_ref - c.f_far(y0, v) + v).exp(), v_lo, v_hi);
        let below = tail + integrate(sp, y0, x0);
        below / (below + integrate(sp, x0, r))
    } else {
        1.0
    };
    let mean_time = if recurrent_positive {
        let k = |y: f64, z: f64| 2.0 * (c.f(y) - c.f(z)).exp() / c.b2(y);
        let near = integrate(|y| integrate(|z| k(y, z), y, r), x0, r);
        // ∫_{−∞}^{x0} dy ∫_{x0}^r K(y, z) dz factorises: K = 2e^{F(y)}/b²(y) · e^{−F(z)}
        let s_up = integrate(|z| (f_ref - c.f(z)).exp(), x0, r);
        let m = |y: f64| 2.0 * (c.f(y) - f_ref).exp() / c.b2(y);
        let m_far = |v: f64| 2.0 * (c.f_far(y0, v) - f_ref - c.ln_b2_far(y0, v) + v).exp();
        let far = s_up * (integrate(m, y0, x0) + integrate(m_far, v_lo, v_hi));
        let u = near + far;
        if !u.is_finite() {
            return Err(Error::DoesNotExist {
                what: "mean passage time",
                condition: "the result must be representable as a finite f64".into(),
            });
        }
        Some(u)
    } else {
        None
    };
    Ok(LevelPassage {
        probability,
        mean_time,
    })
}

/// `P(T ≤ t)` for each `t` in `times` (ascending, `≥ 0`): the distribution function of
/// the exit time from `(lower, upper)` started at `x0`, from the backward Kolmogorov
/// equation solved by Crank–Nicolson on 2000 cells with 4 implicit-Euler half steps
/// first (Rannacher) to damp the discontinuity at the barriers, and time steps of at
/// most `1e-3 · t_max`. Second order in space and time; about `1e-6` absolute accuracy
/// for moderate coefficients (the tests compare it with the mean exit time through
/// `E[T] = ∫ (1 − P(T ≤ t)) dt`).
///
/// # Errors
/// As [`interval_exit`], and a parameter error naming `times` if they are not finite,
/// non-negative and ascending.
///
/// ```
/// use saddle_sde::{escape::exact::exit_time_cdf, models::SaddleSde};
/// let m = SaddleSde::new(1.0, 1.0, 0.5, 0.3)?;
/// let cdf = exit_time_cdf(&m, 0.1, -0.5, 1.0, &[0.0, 1.0, 20.0])?;
/// assert_eq!(cdf[0], 0.0);
/// assert!(cdf[1] > 0.3 && cdf[1] < 0.9);
/// assert!((cdf[2] - 1.0).abs() < 1e-6);
/// # Ok::<(), saddle_sde::Error>(())
/// ```
pub fn exit_time_cdf(
    model: &SaddleSde,
    x0: f64,
    lower: f64,
    upper: f64,
    times: &[f64],
) -> Result<Vec<f64>> {
    let c = interval_coeffs(model, x0, lower, upper)?;
    let mut prev = 0.0;
    for &t in times {
        if !(t.is_finite() && t >= prev) {
            return Err(param("times", t, "finite, >= 0 and ascending"));
        }
        prev = t;
    }
    let cells = 2000;
    let dx = (upper - lower) / cells as f64;
    let n = cells - 1; // interior unknowns x_1 … x_{cells−1}
                       // L v_i = lo_i v_{i−1} + di_i v_i + up_i v_{i+1}
    let mut lo = vec![0.0; n];
    let mut di = vec![0.0; n];
    let mut up = vec![0.0; n];
    for i in 0..n {
        let x = lower + (i + 1) as f64 * dx;
        let diff = 0.5 * c.b2(x) / (dx * dx);
        let adv = c.a * x / (2.0 * dx);
        lo[i] = diff - adv;
        di[i] = -2.0 * diff;
        up[i] = diff + adv;
    }
    let t_max = times.last().copied().unwrap_or(0.0);
    let mut v = vec![0.0; n];
    let mut out = Vec::with_capacity(times.len());
    let mut t = 0.0;
    let dt_max = 1e-3 * t_max.max(f64::MIN_POSITIVE);
    let mut rannacher = 4; // implicit-Euler half steps first
    let mut rhs = vec![0.0; n];
    let mut scratch = vec![0.0; n];
    let interp = |v: &[f64]| {
        let pos = (x0 - lower) / dx; // in cells; node k ↔ v[k−1], boundary nodes = 1
        let k = (pos.floor() as usize).min(cells - 1);
        let frac = pos - k as f64;
        let node = |j: usize| if j == 0 || j == cells { 1.0 } else { v[j - 1] };
        node(k) * (1.0 - frac) + node(k + 1) * frac
    };
    for &target in times {
        while target - t > 1e-12 * target {
            let (h, theta) = if rannacher > 0 {
                rannacher -= 1;
                ((0.5 * dt_max).min(target - t), 1.0)
            } else {
                (dt_max.min(target - t), 0.5)
            };
            // (I − θhL) v' = (I + (1−θ)hL) v + h·(boundary terms, both times = 1)
            for i in 0..n {
                let l_v = lo[i] * if i == 0 { 1.0 } else { v[i - 1] }
                    + di[i] * v[i]
                    + up[i] * if i + 1 == n { 1.0 } else { v[i + 1] };
                let mut r = v[i] + (1.0 - theta) * h * l_v;
                if i == 0 {
                    r += theta * h * lo[i];
                }
                if i + 1 == n {
                    r += theta * h * up[i];
                }
                rhs[i] = r;
            }
            // Thomas algorithm on the tridiagonal (I − θhL)
            let a_ = |i: usize| -theta * h * lo[i];
            let b_ = |i: usize| 1.0 - theta * h * di[i];
            let c_ = |i: usize| -theta * h * up[i];
            scratch[0] = c_(0) / b_(0);
            rhs[0] /= b_(0);
            for i in 1..n {
                let m = b_(i) - a_(i) * scratch[i - 1];
                scratch[i] = c_(i) / m;
                rhs[i] = (rhs[i] - a_(i) * rhs[i - 1]) / m;
            }
            v[n - 1] = rhs[n - 1];
            for i in (0..n - 1).rev() {
                v[i] = rhs[i] - scratch[i] * v[i + 1];
            }
            t += h;
        }
        out.push(if target == 0.0 { 0.0 } else { interp(&v) });
    }
    Ok(out)
}
