//! Exact exit probabilities and mean exit times of the saddle SDE — and of any
//! time-homogeneous scalar diffusion — from the scale function and speed measure.
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
//!
//! # Any time-homogeneous scalar diffusion
//! Nothing above uses more of the saddle than its drift `f(x) = a x` and
//! `b²(x) = Σ_k G_k(x)²`. For a diffusion `dx = f(x) dt + b(x) dB` given as a
//! [`OneDimDiffusion`] (or any [`ScalarSde`] wrapped in [`Homogeneous`], evaluated at
//! `t = 0`: the model must be time-homogeneous), the `…_of` functions use the same
//! formulas with
//!
//! ```text
//! F(x) = ∫ 2f(y)/b²(y) dy,   s'(x) = exp(−F(x)),   m(x) = 2/(b²(x) s'(x)),
//! P(exit through r) = ∫_l^{x0} s' / ∫_l^r s',   u(x0) = ∫ G(x0, y) m(y) dy,
//! ```
//!
//! where `F` is tabulated by quadrature at 128 anchors of the interval and evaluated
//! between them by quadrature from the nearest anchor ([`scale_exponent_of`],
//! [`interval_exit_of`]); [`exit_time_cdf_of`] runs the Crank–Nicolson solve with `f`
//! and `b²`. `b² > 0` is required on the interval (checked where evaluated). The
//! one-sided [`level_passage_of`] needs to know whether `∫_{far} s'` and `∫_{far} m`
//! converge, which a generic routine can only decide numerically from the shape of
//! the tail: see its documentation for what it can and cannot decide. For the saddle
//! SDE the closed form [`scale_exponent`] and [`level_passage`] stay the reference
//! (they decide the transition `σ² = 2a` exactly).

use crate::error::{Error, Result, Show, finite, param};
use crate::models::SaddleSde;
use crate::sde::ScalarSde;
use std::cell::Cell;

/// Relative tolerance of the quadratures.
const REL_TOL: f64 = 1e-12;

/// `∫_a^b f` to relative accuracy [`REL_TOL`] by the crate's adaptive tanh-sinh
/// quadrature (panels split at 0 and `±2^k`, bisected adaptively).
fn integrate<F: Fn(f64) -> f64>(f: F, a: f64, b: f64) -> f64 {
    crate::quadrature::integrate(f, a, b, REL_TOL)
}

/// What the exit formulas need of a diffusion: the scale exponent `F` (up to a
/// constant) and `b²`.
trait ExitCoeffs {
    /// `F(x)`, `F' = 2f/b²`, up to an additive constant.
    fn f(&self, x: f64) -> f64;
    /// `b²(x)`.
    fn b2(&self, x: f64) -> f64;
    /// A value not above `F` on `[lo, hi]` (up to rounding), used to keep `exp(−F)` in range.
    fn f_floor(&self, lo: f64, hi: f64) -> f64;
    /// `∫_from^to K(y, z) dz`, `K(y, z) = 2 exp(F(y) − F(z))/b²(y)`, where `from = y` or
    /// `to = y`.
    fn inner(&self, y: f64, from: f64, to: f64) -> f64 {
        // F(y) and b²(y) hoisted out of the inner integral
        let (fy, b2y) = (self.f(y), self.b2(y));
        integrate(|z| 2.0 * (fy - self.f(z)).exp() / b2y, from, to)
    }
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
        // ω = τ√(1−ρ²) carries the sign of τ; only ω² enters b², so use |ω|, and 0
        // where ω² underflows (a subnormal τ): then the formulas for ω = 0 apply
        let omega = m.omega().abs();
        let omega = if omega * omega > 0.0 { omega } else { 0.0 };
        // likewise σ where σ² underflows: the σ = 0 forms are its limit
        let sigma = if m.sigma() * m.sigma() > 0.0 {
            m.sigma()
        } else {
            0.0
        };
        Self {
            a: m.a(),
            s2: sigma * sigma,
            sigma,
            rt: m.rho() * m.tau(),
            omega,
            tau2: m.tau() * m.tau(),
        }
    }
    #[inline]
    fn b2(&self, x: f64) -> f64 {
        let g = self.sigma * x + self.rt;
        g * g + self.omega * self.omega
    }
    /// `F(x)`, with `F(0) = 0` when `τ ≠ 0` (when `τ = 0`, `b` vanishes at 0 and `F` is
    /// taken up to an additive constant).
    ///
    /// With `w = σx/|τ|`, `ρ' = ρ sign τ`, `r = √(1 − ρ'²)`:
    /// `F(x) = (2a/σ²) G(w)`, `G(w) = ∫₀^w t/(1 + 2ρ't + t²) dt`. The closed form of the
    /// module docs subtracts two terms of size `(a/σ²) ln τ²` whose rounding, `a/σ²` times
    /// an ulp, made `F(y) − F(z)` noisy past the quadrature's tolerance for small `σ`
    /// (the reference at `σ = 10⁻³` spent its whole budget). So `G` is evaluated
    /// centred: by its power series `Σ U_n(−ρ') w^{n+2}/(n+2)` (Chebyshev polynomials of
    /// the second kind, the coefficients of `1/(1 + 2ρ't + t²)`) for `|w| ≤ 1/8`, and
    /// otherwise as `½ ln_1p(2ρ'w + w²) − (ρ'/r)·atan(wr/(1 + ρ'w))` (the difference of
    /// the two arctangents, plus `π sign w` past `1 + ρ'w = 0`), or for `r = 0` as
    /// `ln|1 + ρ'w| − ρ'w/(1 + ρ'w)`.
    #[inline]
    fn f(&self, x: f64) -> f64 {
        if self.a == 0.0 {
            // F' = 2ax/b² ≡ 0 (also where b² is 0 in f64 and the forms below read 0·∞)
            0.0
        } else if self.sigma == 0.0 {
            self.a * x * x / self.tau2
        } else if self.tau2 > 0.0 {
            let tau = self.tau2.sqrt();
            let w = self.sigma * x / tau;
            let rho = self.rt / tau;
            if w.abs() <= 0.125 {
                // F = (a x²/τ²) · 2G(w)/w², without dividing by σ²
                let y = -rho;
                let (mut u_prev, mut u) = (0.0, 1.0); // U_{-1}, U_0
                let (mut wn, mut sum) = (1.0, 0.0);
                for n in 0..24 {
                    sum += u * 2.0 * wn / (n as f64 + 2.0);
                    let next = 2.0 * y * u - u_prev;
                    (u_prev, u) = (u, next);
                    wn *= w;
                }
                let ax = self.a * x;
                ax * x / self.tau2 * sum
            } else {
                let r = self.omega / tau;
                let one = 1.0 + rho * w;
                let g = if r > 0.0 {
                    let mut d = (w * r / one).atan();
                    if one < 0.0 {
                        d += std::f64::consts::PI.copysign(w);
                    }
                    0.5 * (2.0 * rho * w + w * w).ln_1p() - rho / r * d
                } else {
                    one.abs().ln() - rho * w / one
                };
                self.a / self.sigma * (2.0 / self.sigma) * g
            }
        } else {
            // τ = 0: b² = σ²x², F = (a/σ²) ln x² up to a constant
            self.raw_f(x)
        }
    }
    /// `F(0)` of the uncentred closed form (0 when `τ = 0`, which keeps that form), the
    /// constant [`f`](Self::f) takes off; the far-tail form subtracts it too.
    fn raw_f0(&self) -> f64 {
        if self.a == 0.0 || self.sigma == 0.0 || self.tau2 == 0.0 {
            0.0
        } else {
            self.raw_f(0.0)
        }
    }
    /// The uncentred closed form of the module docs (`σ > 0`).
    fn raw_f(&self, x: f64) -> f64 {
        if self.omega > 0.0 {
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
        // the centred form wherever it is in range (the uncentred one below differs
        // from it by rounding of size a/σ² ulp, which only the far tail can afford)
        if self.sigma == 0.0
            || (self.tau2 > 0.0 && (self.sigma * y).abs() < 1e150 * self.tau2.sqrt())
        {
            return self.f(y);
        }
        let log_part = self.a / self.s2 * self.ln_b2_far(y0, v);
        let g = self.sigma * y + self.rt; // may be −∞: the terms below have limits
        let raw = if self.omega > 0.0 {
            let c = 2.0 * self.a * self.rt / (self.s2 * self.omega);
            log_part - c * (g / self.omega).atan()
        } else {
            log_part + 2.0 * self.a * self.rt / (self.s2 * g)
        };
        raw - self.raw_f0()
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
                condition: format!(
                    "the diffusion b(x)² = σ²x² + 2ρστx + τ² must be > 0, but with sigma = 0 \
                     it is tau² = {:e} everywhere",
                    self.tau2
                ),
            }),
            Some(z) if z >= lo && z <= hi => Err(Error::DoesNotExist {
                what: "exit reference",
                condition: format!(
                    "b(x)² = σ²x² + 2ρστx + τ² must be > 0 on the domain, but with sigma = {}, \
                     rho·tau = {} and tau² = {} it vanishes at x = {}, inside [{}, {}]",
                    Show(self.sigma),
                    Show(self.rt),
                    Show(self.tau2),
                    Show(z),
                    Show(lo),
                    Show(hi)
                ),
            }),
            Some(_) => Ok(()),
        }
    }
}

impl ExitCoeffs for Coeffs {
    fn f(&self, x: f64) -> f64 {
        Coeffs::f(self, x)
    }
    fn b2(&self, x: f64) -> f64 {
        Coeffs::b2(self, x)
    }
    /// `F` is monotone on each side of 0 (`F' = 2ax/b²`), so its minimum on `[lo, hi]`
    /// is at an end or at 0.
    fn f_floor(&self, lo: f64, hi: f64) -> f64 {
        [lo, hi, 0.0f64.clamp(lo, hi)]
            .iter()
            .map(|&x| Coeffs::f(self, x))
            .fold(f64::INFINITY, f64::min)
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
    if x == 0.0 {
        return Ok(0.0);
    }
    let v = c.f(x) - c.f(0.0);
    if v.is_nan() {
        return Err(Error::DoesNotExist {
            what: "scale exponent",
            condition: format!(
                "F(x) − F(0) must be representable, but b² = σ²x² + 2ρστx + τ² is out of \
                 f64's range between 0 and x = {x:e} (sigma = {:e}, rho·tau = {:e})",
                c.sigma, c.rt
            ),
        });
    }
    Ok(v)
}

/// Exact exit quantities from an interval.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
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
    check_interval(x0, lower, upper)?;
    let c = Coeffs::new(model);
    c.check_positive_on(lower, upper)?;
    Ok(c)
}

/// Checks `lower < x0 < upper`, all finite.
fn check_interval(x0: f64, lower: f64, upper: f64) -> Result<()> {
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
    Ok(())
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
    crate::quadrature::call_scope(|| interval_exit_unscoped(model, x0, lower, upper))
}

fn interval_exit_unscoped(
    model: &SaddleSde,
    x0: f64,
    lower: f64,
    upper: f64,
) -> Result<IntervalExit> {
    let c = interval_coeffs(model, x0, lower, upper)?;
    // F is monotone on each side of 0: its range on [l, r] is from its floor to an end
    let range = c.f(lower).max(c.f(upper)) - c.f_floor(lower, upper);
    if range.is_nan() || range > F_RANGE_MAX {
        return Err(Error::DoesNotExist {
            what: "exit reference",
            condition: format!(
                "the scale exponent F = ∫2ax/b² must vary by at most {F_RANGE_MAX:e} on                  [{}, {}] for the quadrature, but it varies by {}: the noise (sigma = {},                  tau = {}) is too weak against the drift a = {} there",
                Show(lower),
                Show(upper),
                Show(range),
                Show(model.sigma()),
                Show(model.tau()),
                Show(model.a())
            ),
        });
    }
    interval_exit_with(&c, x0, lower, upper)
}

/// The largest range of the scale exponent `F` on an interval that [`interval_exit`]
/// integrates. Past it the densities `exp(±F)` are peaked on widths below `1/√range` of
/// the interval, and nested quadrature spent its whole panel budget (a minute or more)
/// before giving up: at `σ = τ = 3·10⁻³`, `a = 1` on `(−1, 1)` the range is 7.7·10⁴. At
/// 7·10³ (`σ = τ = 10⁻²`) the references take a fraction of a second.
const F_RANGE_MAX: f64 = 5e4;

/// [`interval_exit`] for any scale exponent (the interval already checked).
fn interval_exit_with<C: ExitCoeffs>(
    c: &C,
    x0: f64,
    lower: f64,
    upper: f64,
) -> Result<IntervalExit> {
    // normalise F by its minimum on [l, r] so that s' = exp(−(F − F_min)) ≤ 1
    let f_min = c.f_floor(lower, upper);
    let sp = |x: f64| (-(c.f(x) - f_min)).exp();
    let s_lo = integrate(sp, lower, x0);
    let s_hi = integrate(sp, x0, upper);
    let total = s_lo + s_hi;
    let p_upper = s_lo / total;
    let p_lower = s_hi / total;
    // K(y, z) = 2 exp(F(y) − F(z))/b²(y), with F(y) and b²(y) hoisted out of the inner
    // integral
    let inner_lo = |y: f64| c.inner(y, lower, y);
    let inner_hi = |y: f64| c.inner(y, y, upper);
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

/// Refuses a distribution function with a value that is not finite (an interval too
/// narrow or coefficients too large for the solver's grid).
fn finite_cdf(v: Vec<f64>) -> Result<Vec<f64>> {
    match v.iter().find(|p| !p.is_finite()) {
        None => Ok(v),
        Some(p) => Err(Error::DoesNotExist {
            what: "exit-time distribution",
            condition: format!(
                "the backward equation's solution must be finite on its grid of 2000 cells, \
                 but it gives {p} (an interval too narrow or coefficients too large for it)"
            ),
        }),
    }
}

/// Exact quantities for the first passage to one level.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
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
    crate::quadrature::call_scope(|| level_passage_unscoped(model, x0, level))
}

fn level_passage_unscoped(model: &SaddleSde, x0: f64, level: f64) -> Result<LevelPassage> {
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
    // |dy/dv| = e^v, behave like a Gaussian in e^v (scale τ/√|a|) while |y| ≪ |τ|/σ,
    // and decay like e^{−κv} with κ = |2a/σ² − 1| once |y| ≫ |τ|/σ (σ > 0), so
    // v ∈ [−40, v_hi] covers both: past the Gaussian core, and 40/κ past the crossover
    // ln(|τ|/σ) (for small σ, 40/κ alone would stop inside the core). F is evaluated in
    // log form there, so no intermediate overflows.
    let y0 = x0.min(0.0) - 1.0;
    let v_lo = -40.0;
    let gauss = if a != 0.0 {
        1.0 + 0.5 * (60.0 * c.tau2 / a.abs()).ln().max(0.0)
    } else {
        0.0
    };
    let v_hi = if c.sigma > 0.0 {
        let cross = (c.tau2.sqrt() / c.sigma).ln().max(0.0);
        (cross + 40.0 / (2.0 * a / c.s2 - 1.0).abs()).max(gauss)
    } else {
        gauss
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
    if !(0.0..=1.0).contains(&probability) {
        return Err(Error::DoesNotExist {
            what: "passage probability",
            condition: format!(
                "the scale integrals must be representable in f64, but they give {probability} \
                 (a = {a:e}, sigma = {:e}, tau² = {:e}, x0 = {x0:e}, level = {level:e})",
                c.sigma, c.tau2
            ),
        });
    }
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
    crate::quadrature::call_scope(|| exit_time_cdf_unscoped(model, x0, lower, upper, times))
        .and_then(finite_cdf)
}

fn exit_time_cdf_unscoped(
    model: &SaddleSde,
    x0: f64,
    lower: f64,
    upper: f64,
    times: &[f64],
) -> Result<Vec<f64>> {
    let c = interval_coeffs(model, x0, lower, upper)?;
    cdf_with(|x| c.a * x, |x| c.b2(x), x0, lower, upper, times)
}

/// The Crank–Nicolson solve of [`exit_time_cdf`] for a drift and `b²` (the interval
/// already checked); `b²` must be positive and finite at the grid nodes.
fn cdf_with(
    drift: impl Fn(f64) -> f64,
    b2: impl Fn(f64) -> f64,
    x0: f64,
    lower: f64,
    upper: f64,
    times: &[f64],
) -> Result<Vec<f64>> {
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
        let (b2x, fx) = (b2(x), drift(x));
        if !(b2x > 0.0 && b2x.is_finite() && fx.is_finite()) {
            return Err(not_positive(x));
        }
        let diff = 0.5 * b2x / (dx * dx);
        let adv = fx / (2.0 * dx);
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

/// A time-homogeneous scalar diffusion `dx = f(x) dt + b(x) dB`, given by its drift
/// `f(x)` and squared diffusion `b²(x)`: everything the exit references need.
///
/// Implement it directly, or wrap any [`ScalarSde`] in [`Homogeneous`].
pub trait OneDimDiffusion {
    /// Drift `f(x)`.
    fn drift(&self, x: f64) -> f64;
    /// Squared diffusion `b²(x)` (for several independent noises, `Σ_k G_k(x)²`).
    fn b2(&self, x: f64) -> f64;
}

/// A [`ScalarSde`] seen as a [`OneDimDiffusion`]: `f(x) = drift(0, x)` and
/// `b²(x) = Σ_k G_k(0, x)²`, the coefficients **at `t = 0`**.
///
/// The exit references are those of a time-homogeneous diffusion, so the wrapped model
/// must not depend on `t`; for a time-dependent model they describe the process frozen
/// at `t = 0`. Correlated noises must already be factored into independent ones (as
/// [`ScalarSde`] requires), so that `Σ_k G_k²` is the quadratic variation rate.
///
/// ```
/// use saddle_sde::escape::exact::{Homogeneous, OneDimDiffusion};
/// use saddle_sde::models::SaddleSde;
/// let m = SaddleSde::new(1.0, 2.0, 0.5, 0.3)?;
/// let d = Homogeneous::new(&m);
/// assert!((d.b2(0.7) - m.diffusion_squared(0.7)).abs() < 1e-15);
/// # Ok::<(), saddle_sde::Error>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Homogeneous<'a, S, const M: usize> {
    sde: &'a S,
}

impl<'a, S: ScalarSde<M>, const M: usize> Homogeneous<'a, S, M> {
    /// Wraps `sde` (which must be time-homogeneous).
    pub fn new(sde: &'a S) -> Self {
        Self { sde }
    }
}

impl<S: ScalarSde<M>, const M: usize> OneDimDiffusion for Homogeneous<'_, S, M> {
    fn drift(&self, x: f64) -> f64 {
        self.sde.drift(0.0, x)
    }
    fn b2(&self, x: f64) -> f64 {
        self.sde.diffusion(0.0, x).iter().map(|g| g * g).sum()
    }
}

/// The process `−x`: drift `−f(−x)`, `b²(−x)`.
struct Mirror<'a, D: ?Sized>(&'a D);

impl<D: OneDimDiffusion + ?Sized> OneDimDiffusion for Mirror<'_, D> {
    fn drift(&self, x: f64) -> f64 {
        -self.0.drift(-x)
    }
    fn b2(&self, x: f64) -> f64 {
        self.0.b2(-x)
    }
}

/// Absolute tolerance of `F` between anchors (an absolute error in `F` is a relative
/// error in `exp(±F)`).
const F_TOL: f64 = 1e-14;

/// Number of anchors of [`Numeric`] on its interval.
const ANCHORS: usize = 128;

/// `F' = 2f/b²` of a generic diffusion, with `F` tabulated at equispaced anchors of
/// `[lo, hi]` (cumulative quadrature, `F(lo) = 0`) and evaluated elsewhere as the nearest
/// anchor's value plus the quadrature from it. Records the first point where `b² ≤ 0`
/// or `2f/b²` is not finite.
struct Numeric<'a, D: ?Sized> {
    d: &'a D,
    lo: f64,
    hi: f64,
    step: f64,
    fs: Vec<f64>,
    /// `∫ exp(F(x_k) − F(z)) dz` over `[x_k, x_{k+1}]`.
    cells: Vec<f64>,
    bad: Cell<Option<f64>>,
}

impl<'a, D: OneDimDiffusion + ?Sized> Numeric<'a, D> {
    fn new(d: &'a D, lo: f64, hi: f64) -> Self {
        let step = (hi - lo) / ANCHORS as f64;
        let mut n = Self {
            d,
            lo,
            hi,
            step,
            fs: Vec::with_capacity(ANCHORS + 1),
            cells: Vec::with_capacity(ANCHORS),
            bad: Cell::new(None),
        };
        let mut acc = 0.0;
        n.fs.push(0.0);
        for k in 1..=ANCHORS {
            let (a, b) = (n.anchor(k - 1), n.anchor(k));
            acc += integrate(|x| n.phi(x), a, b);
            n.fs.push(acc);
        }
        // only for usable coefficients (the caller reports the bad point)
        for k in (0..ANCHORS).take_while(|_| n.bad.get().is_none()) {
            let fk = n.fs[k];
            let cell = integrate(|z| (fk - n.f(z)).exp(), n.anchor(k), n.anchor(k + 1));
            n.cells.push(cell);
        }
        n
    }
    /// The anchor cell `j` with `x_j ≤ y ≤ x_{j+1}`.
    fn cell_of(&self, y: f64) -> usize {
        (((y - self.lo) / self.step).floor().max(0.0) as usize).min(ANCHORS - 1)
    }
    fn anchor(&self, k: usize) -> f64 {
        if k == ANCHORS {
            self.hi
        } else {
            self.lo + self.step * k as f64
        }
    }
    fn phi(&self, x: f64) -> f64 {
        let b2 = self.d.b2(x);
        let v = 2.0 * self.d.drift(x) / b2;
        if !(b2 > 0.0 && v.is_finite()) && self.bad.get().is_none() {
            self.bad.set(Some(x));
        }
        v
    }
    fn check(&self) -> Result<()> {
        if let Some(x) = self.bad.get() {
            return Err(not_positive(x));
        }
        // a table entry the quadrature could not resolve within its budget
        if !self.fs.iter().chain(&self.cells).all(|v| v.is_finite()) {
            return Err(Error::DoesNotExist {
                what: "exit reference",
                condition: "a scale density the quadrature resolves (this one is too sharp)".into(),
            });
        }
        Ok(())
    }
}

fn not_positive(x: f64) -> Error {
    Error::DoesNotExist {
        what: "exit reference",
        condition: format!("b²(x) > 0 and 2f(x)/b²(x) finite on the domain, but not at x = {x}"),
    }
}

impl<D: OneDimDiffusion + ?Sized> ExitCoeffs for Numeric<'_, D> {
    fn f(&self, x: f64) -> f64 {
        let k = ((x - self.lo) / self.step)
            .round()
            .clamp(0.0, ANCHORS as f64) as usize;
        self.fs[k] + crate::quadrature::integrate_short(|y| self.phi(y), self.anchor(k), x, F_TOL)
    }
    fn b2(&self, x: f64) -> f64 {
        self.d.b2(x)
    }
    fn f_floor(&self, _lo: f64, _hi: f64) -> f64 {
        self.fs.iter().copied().fold(f64::INFINITY, f64::min)
    }
    /// From the tabulated cells: `Σ_k exp(F(y) − F(x_k)) · cell_k` over the whole cells
    /// between `y` and the end of the table, plus the part of `y`'s own cell.
    fn inner(&self, y: f64, from: f64, to: f64) -> f64 {
        let (fy, b2y) = (self.f(y), self.b2(y));
        let j = self.cell_of(y);
        let piece = |a: f64, b: f64| integrate(|z| (fy - self.f(z)).exp(), a, b);
        let whole = |k: usize| (fy - self.fs[k]).exp() * self.cells[k];
        let tabulated = self.cells.len() == ANCHORS;
        let sum = if tabulated && from == self.lo && to == y {
            piece(self.anchor(j), y) + (0..j).map(whole).sum::<f64>()
        } else if tabulated && from == y && to == self.hi {
            piece(y, self.anchor(j + 1)) + (j + 1..ANCHORS).map(whole).sum::<f64>()
        } else {
            integrate(|z| (fy - self.f(z)).exp(), from, to)
        };
        2.0 * sum / b2y
    }
}

/// Checks the interval and returns the tabulated scale exponent on it.
fn numeric_on<'a, D: OneDimDiffusion + ?Sized>(
    d: &'a D,
    x0: f64,
    lower: f64,
    upper: f64,
) -> Result<Numeric<'a, D>> {
    check_interval(x0, lower, upper)?;
    let n = Numeric::new(d, lower, upper);
    n.check()?;
    Ok(n)
}

/// `F(x) = ∫₀ˣ 2f(y)/b²(y) dy`, the exponent of the scale density `s' = exp(−F)` of
/// any time-homogeneous diffusion, by adaptive tanh-sinh quadrature (relative accuracy
/// about `1e-12`). For the saddle SDE, [`scale_exponent`] is its closed form.
///
/// # Errors
/// A parameter error naming `x` if it is not finite; [`Error::DoesNotExist`] if
/// `b² ≤ 0` (or `2f/b²` is not finite) somewhere between 0 and `x`.
///
/// ```
/// use saddle_sde::escape::exact::{scale_exponent_of, Homogeneous};
/// use saddle_sde::models::OrnsteinUhlenbeck;
/// // OU dx = −θx dt + s dB: F(x) = −θx²/s², here −2·1.5²/0.25 = −18
/// let ou = OrnsteinUhlenbeck::new(2.0, 0.0, 0.5)?;
/// assert!((scale_exponent_of(&Homogeneous::new(&ou), 1.5)? + 18.0).abs() < 1e-12);
/// # Ok::<(), saddle_sde::Error>(())
/// ```
pub fn scale_exponent_of<D: OneDimDiffusion + ?Sized>(d: &D, x: f64) -> Result<f64> {
    crate::quadrature::call_scope(|| scale_exponent_of_unscoped(d, x))
}

fn scale_exponent_of_unscoped<D: OneDimDiffusion + ?Sized>(d: &D, x: f64) -> Result<f64> {
    finite("x", x)?;
    let n = Numeric::new(d, 0.0, x);
    let v = n.fs[ANCHORS];
    n.check()?;
    Ok(v)
}

/// Exact exit probabilities and mean exit time of any time-homogeneous diffusion from
/// `(lower, upper)` starting at `x0`: the formulas of [`interval_exit`] with the scale
/// exponent `F` computed by quadrature of `2f/b²` (see the module docs).
///
/// # Errors
/// A parameter error naming `x0` unless `lower < x0 < upper` (all finite);
/// [`Error::DoesNotExist`] if `b² ≤ 0` or `2f/b²` is not finite at a point of
/// `[lower, upper]` where it was evaluated, or the result overflows.
///
/// ```
/// use saddle_sde::escape::exact::{interval_exit_of, Homogeneous};
/// use saddle_sde::models::Gbm;
/// // GBM dx = μx dt + s x dB: s'(x) = x^{−2μ/s²}; μ = 0.5, s = 1 gives s(x) = ln x
/// let g = Gbm::new(0.5, 1.0)?;
/// let e = interval_exit_of(&Homogeneous::new(&g), 1.0, 0.5, 2.0)?;
/// assert!((e.p_upper - 0.5).abs() < 1e-12);
/// // ln x is driftless Brownian motion: E[T] = ln 2 · ln 2
/// assert!((e.mean_exit_time - 2f64.ln().powi(2)).abs() < 1e-11);
/// # Ok::<(), saddle_sde::Error>(())
/// ```
pub fn interval_exit_of<D: OneDimDiffusion + ?Sized>(
    d: &D,
    x0: f64,
    lower: f64,
    upper: f64,
) -> Result<IntervalExit> {
    crate::quadrature::call_scope(|| interval_exit_of_unscoped(d, x0, lower, upper))
}

fn interval_exit_of_unscoped<D: OneDimDiffusion + ?Sized>(
    d: &D,
    x0: f64,
    lower: f64,
    upper: f64,
) -> Result<IntervalExit> {
    let n = numeric_on(d, x0, lower, upper)?;
    let e = interval_exit_with(&n, x0, lower, upper)?;
    n.check()?;
    Ok(e)
}

/// `P(T ≤ t)` for the exit of any time-homogeneous diffusion from `(lower, upper)`:
/// the Crank–Nicolson solve of [`exit_time_cdf`] with the drift `f(x)` and `b²(x)`
/// of `d`.
///
/// # Errors
/// As [`interval_exit_of`] (`b²` is checked at the grid nodes), and a parameter error
/// naming `times` if they are not finite, non-negative and ascending.
///
/// ```
/// use saddle_sde::escape::exact::{exit_time_cdf_of, Homogeneous};
/// use saddle_sde::models::OrnsteinUhlenbeck;
/// let ou = OrnsteinUhlenbeck::new(1.0, 0.0, 1.0)?;
/// let cdf = exit_time_cdf_of(&Homogeneous::new(&ou), 0.0, -1.0, 1.0, &[0.5, 30.0])?;
/// assert!(cdf[0] > 0.0 && cdf[0] < 1.0);
/// assert!((cdf[1] - 1.0).abs() < 1e-6);
/// # Ok::<(), saddle_sde::Error>(())
/// ```
pub fn exit_time_cdf_of<D: OneDimDiffusion + ?Sized>(
    d: &D,
    x0: f64,
    lower: f64,
    upper: f64,
    times: &[f64],
) -> Result<Vec<f64>> {
    crate::quadrature::call_scope(|| exit_time_cdf_of_unscoped(d, x0, lower, upper, times))
        .and_then(finite_cdf)
}

fn exit_time_cdf_of_unscoped<D: OneDimDiffusion + ?Sized>(
    d: &D,
    x0: f64,
    lower: f64,
    upper: f64,
    times: &[f64],
) -> Result<Vec<f64>> {
    check_interval(x0, lower, upper)?;
    cdf_with(|x| d.drift(x), |x| d.b2(x), x0, lower, upper, times)
}

/// Step of the tail sweep of [`level_passage_of`] in the tail variable `v`.
const TAIL_DV: f64 = 0.5;
/// Decay (or growth) of the log-integrand, in nats, at which a tail is classified.
const TAIL_DROP: f64 = 37.0;
/// Smallest slope `|dg/dv|` of the log-integrand accepted as a decided trend.
const TAIL_SLOPE: f64 = 0.05;
/// Largest `v` of the tail sweep.
const TAIL_V_MAX: f64 = 700.0;

/// What the sweep found about a tail integral `∫₀^∞ e^{g(v)} dv`.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Tail {
    /// Still undecided.
    Open,
    /// Negligible beyond this `v`.
    Converges(f64),
    /// Grows without bound.
    Diverges,
}

/// The tail `(far, x0)` of a diffusion parametrised by `v ≥ 0`: `y = x0 − (e^v − 1)` to
/// `far = −∞`, or `y = far + (x0 − far) e^{−v}` to a finite `far < x0`, with `F` tabulated
/// at `v_k = k·TAIL_DV` (`F(x0) = 0`).
struct TailSweep<'a, D: ?Sized> {
    d: &'a D,
    x0: f64,
    far: f64,
    fs: Vec<f64>,
}

impl<D: OneDimDiffusion + ?Sized> TailSweep<'_, D> {
    fn y(&self, v: f64) -> f64 {
        if self.far == f64::NEG_INFINITY {
            self.x0 - v.exp_m1()
        } else {
            self.far + (self.x0 - self.far) * (-v).exp()
        }
    }
    /// `ln |dy/dv|`.
    fn ln_jac(&self, v: f64) -> f64 {
        if self.far == f64::NEG_INFINITY {
            v
        } else {
            (self.x0 - self.far).ln() - v
        }
    }
    /// `dF(y(v))/dv`, or NaN where the coefficients are not usable.
    fn dfdv(&self, v: f64) -> f64 {
        let y = self.y(v);
        let b2 = self.d.b2(y);
        let g = -2.0 * self.d.drift(y) / b2 * self.ln_jac(v).exp();
        if b2 > 0.0 && g.is_finite() {
            g
        } else {
            f64::NAN
        }
    }
    fn f(&self, v: f64) -> f64 {
        let k = ((v / TAIL_DV).round() as usize).min(self.fs.len() - 1);
        let bad = Cell::new(false);
        let r = self.fs[k]
            + crate::quadrature::integrate_short(
                |w| {
                    let g = self.dfdv(w);
                    if g.is_nan() {
                        bad.set(true);
                    }
                    g
                },
                k as f64 * TAIL_DV,
                v,
                F_TOL,
            );
        if bad.get() { f64::NAN } else { r }
    }
    /// `ln s'(y) |dy/dv|` and `ln m(y) |dy/dv|` (relative to `F(x0) = 0`).
    fn logs(&self, v: f64, f: f64) -> (f64, f64) {
        let j = self.ln_jac(v);
        let b2 = self.d.b2(self.y(v));
        (-f + j, f - b2.ln() + 2f64.ln() + j)
    }
}

/// Updates the classification of a tail from its log-integrand samples `g`.
fn classify(state: &mut Tail, g: &[f64]) {
    if *state != Tail::Open || g.len() < 9 {
        return;
    }
    let k = g.len() - 1;
    let now = g[k];
    let slope = (now - g[k - 8]) / (8.0 * TAIL_DV);
    let peak = g.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if now <= peak - TAIL_DROP && slope <= -TAIL_SLOPE {
        *state = Tail::Converges(k as f64 * TAIL_DV);
    } else if now >= g[0] + TAIL_DROP && slope >= TAIL_SLOPE {
        *state = Tail::Diverges;
    }
}

/// `ln ∫₀^V e^{g(v)} dv`, scaled by the sampled maximum so that nothing overflows.
fn ln_tail_integral(g: impl Fn(f64) -> f64, peak: f64, v_end: f64) -> f64 {
    peak + integrate(|v| (g(v) - peak).exp(), 0.0, v_end).ln()
}

/// Exact first passage from `x0` to `level` of any time-homogeneous diffusion whose
/// state space extends from `x0` away from the level to `far` (`far = −∞` for an upper
/// level on ℝ, `+∞` for a lower one, or a finite boundary that is never reached, such
/// as 0 for geometric Brownian motion).
///
/// With `F(x0) = 0`, the level is reached with probability
/// `P = S/(S + ∫_{x0}^{level} s')`, `S = ∫_{far}^{x0} s'`, which is 1 iff `S = ∞`; the
/// mean passage time is finite iff `S = ∞` and the speed measure is integrable at
/// `far`, and is then `∫_{x0}^{r} dy ∫_y^{r} K + ∫_{x0}^{r} s' · ∫_{far}^{x0} m`.
///
/// # What the generic version can decide
/// Whether `S` and `∫_{far} m` are finite is a property of the tail, which no finite
/// number of evaluations can prove; this function samples the log-integrands
/// `g(v) = ln(s'(y)|dy/dv|)` and `ln(m(y)|dy/dv|)` on `v = 0, ½, 1, …` along
/// `y = x0 − (e^v − 1)` (or `y = far + (x0 − far)e^{−v}` for a finite `far`) and decides,
/// **assuming the integrand is eventually monotone in `v`**:
///
/// - *finite* once `g` has dropped 37 nats below its maximum (`< 1e-16` relative) while
///   still falling at a rate of at least 0.05 per unit of `v`; the integral is then
///   truncated there;
/// - *infinite* once `g` has risen 37 nats above its start while still rising at least
///   as fast.
///
/// Power-law tails `s' ~ |y|^{−γ}` are therefore decided when `|1 − γ|` is larger than
/// about `0.05`–`0.1` (depending on how far `b²` stays finite: the sweep stops where
/// `y`, `f` or `b²` overflow, at `v = 700` at most), and exponential tails always. Close
/// to the critical exponent (for the saddle SDE, `σ²` close to `2a`) and at it (a
/// logarithmically divergent `S`, the saddle at `σ² = 2a` exactly) the generic version
/// returns an error; [`level_passage`] decides those cases for the saddle SDE from
/// its closed form.
///
/// # Errors
/// Parameter errors naming `level` (equal to `x0`, or not finite), `x0` (not finite),
/// or `far` (NaN, or not on the far side of `x0`); [`Error::DoesNotExist`] if `b² ≤ 0`
/// between `x0` and `level`, if the tail could not be classified as above, or the mean
/// overflows.
///
/// ```
/// use saddle_sde::escape::exact::{level_passage_of, Homogeneous};
/// use saddle_sde::models::Gbm;
/// // GBM with μ = 0.2 < s²/2 = 0.5 drifts to 0 almost surely: P(reach 2 from 1) = 2^{−0.6}
/// let g = Gbm::new(0.2, 1.0)?;
/// let p = level_passage_of(&Homogeneous::new(&g), 1.0, 2.0, 0.0)?;
/// assert!((p.probability - 2f64.powf(-0.6)).abs() < 1e-12);
/// assert_eq!(p.mean_time, None);
/// # Ok::<(), saddle_sde::Error>(())
/// ```
pub fn level_passage_of<D: OneDimDiffusion + ?Sized>(
    d: &D,
    x0: f64,
    level: f64,
    far: f64,
) -> Result<LevelPassage> {
    crate::quadrature::call_scope(|| level_passage_of_unscoped(d, x0, level, far))
}

fn level_passage_of_unscoped<D: OneDimDiffusion + ?Sized>(
    d: &D,
    x0: f64,
    level: f64,
    far: f64,
) -> Result<LevelPassage> {
    finite("x0", x0)?;
    finite("level", level)?;
    if level == x0 {
        return Err(param("level", level, format!("≠ x0 = {x0}")));
    }
    if level > x0 {
        if far.is_nan() || far >= x0 {
            return Err(param("far", far, format!("< x0 = {x0} (level above x0)")));
        }
        upper_passage(d, x0, level, far)
    } else {
        if far.is_nan() || far <= x0 {
            return Err(param("far", far, format!("> x0 = {x0} (level below x0)")));
        }
        upper_passage(&Mirror(d), -x0, -level, -far)
    }
}

fn upper_passage<D: OneDimDiffusion + ?Sized>(
    d: &D,
    x0: f64,
    r: f64,
    far: f64,
) -> Result<LevelPassage> {
    let near = Numeric::new(d, x0, r);
    near.check()?;
    let f_min = near.f_floor(x0, r);
    let ln_above = -f_min + integrate(|z| (f_min - near.f(z)).exp(), x0, r).ln();
    near.check()?;
    // sweep the tail until both integrals are classified or the coefficients overflow
    let mut sweep = TailSweep {
        d,
        x0,
        far,
        fs: vec![0.0],
    };
    let (mut gs, mut gm) = (Vec::new(), Vec::new());
    let (mut s_tail, mut m_tail) = (Tail::Open, Tail::Open);
    let mut k = 0usize;
    loop {
        let v = k as f64 * TAIL_DV;
        let f = sweep.fs[k];
        let (a, b) = sweep.logs(v, f);
        if !(a.is_finite() && b.is_finite()) {
            break;
        }
        gs.push(a);
        gm.push(b);
        classify(&mut s_tail, &gs);
        classify(&mut m_tail, &gm);
        let settled = |t: Tail| t != Tail::Open;
        if settled(s_tail) && (settled(m_tail) || matches!(s_tail, Tail::Converges(_))) {
            break;
        }
        let v_next = v + TAIL_DV;
        if v_next > TAIL_V_MAX {
            break;
        }
        let f_next = sweep.f(v_next);
        if !f_next.is_finite() || sweep.y(v_next) == sweep.y(v) {
            break;
        }
        sweep.fs.push(f_next);
        k += 1;
    }
    let undecided = |what: &'static str| Error::DoesNotExist {
        what,
        condition: format!(
            "the tail toward {far} could not be classified as integrable or not \
             (see level_passage_of: the integrand must fall or rise by {TAIL_DROP} nats \
             at a rate of at least {TAIL_SLOPE} per unit of ln distance before v = {})",
            k as f64 * TAIL_DV
        ),
    };
    let peak = |g: &[f64]| g.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let (probability, recurrent) = match s_tail {
        Tail::Open => return Err(undecided("level passage probability")),
        Tail::Diverges => (1.0, true),
        Tail::Converges(v_end) => {
            let ln_below = ln_tail_integral(|v| sweep.logs(v, sweep.f(v)).0, peak(&gs), v_end);
            (1.0 / (1.0 + (ln_above - ln_below).exp()), false)
        }
    };
    let mean_time = if !recurrent {
        None
    } else {
        match m_tail {
            Tail::Open => return Err(undecided("mean passage time")),
            Tail::Diverges => None,
            Tail::Converges(v_end) => {
                let ln_m = ln_tail_integral(|v| sweep.logs(v, sweep.f(v)).1, peak(&gm), v_end);
                let inner = integrate(|y| near.inner(y, y, r), x0, r);
                let u = inner + (ln_above + ln_m).exp();
                near.check()?;
                if !u.is_finite() {
                    return Err(Error::DoesNotExist {
                        what: "mean passage time",
                        condition: "the result must be representable as a finite f64".into(),
                    });
                }
                Some(u)
            }
        }
    };
    if !probability.is_finite() {
        return Err(undecided("level passage probability"));
    }
    Ok(LevelPassage {
        probability,
        mean_time,
    })
}
