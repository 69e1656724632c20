//! The `|ρ| = 1` limit law: a shifted, signed inverse gamma.
//!
//! # Derivation
//! With `|ρ| = 1`, `ω = 0` and `y = x + μ`, `μ = ρτ/σ`, the SDE is
//! `dy = a(y − μ) dt + σy dW`: the diffusion vanishes at `y = 0`, where the drift is
//! `−aμ`. The process therefore crosses `y = 0` only in the direction `s = −sign(aμ)`
//! and, when `a < σ²/2`, settles on that half-line. Zero flux there gives
//! `(σ²y²p/2)' = a(y − μ)p`, so with `z = s·y > 0`
//!
//! ```text
//! p(z) ∝ z^{2a/σ² − 2} exp(−2|aμ|/(σ²z)),
//! ```
//!
//! an inverse gamma with **shape `1 − 2a/σ²`** and **scale `2|aμ|/σ² = 2|aτ|/σ³`**
//! (density `∝ z^{−shape−1} e^{−scale/z}`; statrs calls this parameter the *rate*,
//! since `1/Z` is then Gamma with that rate). So
//!
//! ```text
//! x_∞ = shift + sign·Z,    shift = −ρτ/σ,    sign = −sign(aρτ),
//! ```
//!
//! with mode `shift + sign·scale/(shape + 1) = ρστ/(a − σ²)`.
//!
//! # The blog's statement
//! The post writes `x_∞ = −(γ⁻¹ + τ/σ)` with `γ` Gamma of *scale* `2|aτ|/σ³` and shape
//! `1 − 2a/σ²`. Two corrections: `2|aτ|/σ³` is the **rate** of `γ` (its scale is
//! `σ³/(2|aτ|)`), and the sign `−` is right only when `aρτ > 0` (the post's `ρ = 1`
//! with `aτ > 0`). At its own figure's parameters `a = 1, σ = 2, τ = −2` the limit is
//! `x_∞ = 1 + Z` (support `x > 1`), not `1 − Z`; its stated mode
//! `−τσ/(σ² − a) = 4/3` is that of the corrected law (and lies outside the support of
//! the uncorrected one).
//!
//! Reference: D. Dufresne, *The distribution of a perpetuity, with applications to risk
//! theory and pension funding*, Scand. Actuarial J. 1990, 39–79.

use crate::analytic::special::solve_increasing;
use crate::error::{Error, Result};
use crate::models::SaddleSde;
use rand::Rng;
use statrs::distribution::{Continuous, ContinuousCDF, Gamma, InverseGamma};
use statrs::function::gamma::{gamma_lr, gamma_ur, ln_gamma};
use statrs::statistics::{Max, Min};

/// The regularised lower incomplete gamma `P(k, x)`, also at `x = 0` and `x = ∞`
/// (where statrs panics; `x / z` underflows to 0 for extreme parameters).
fn reg_lower(k: f64, x: f64) -> f64 {
    if x.is_nan() {
        f64::NAN
    } else if x <= 0.0 {
        0.0
    } else if x == f64::INFINITY {
        1.0
    } else {
        gamma_lr(k, x)
    }
}

/// The regularised upper incomplete gamma `Q(k, x) = 1 − P(k, x)`, as [`reg_lower`].
fn reg_upper(k: f64, x: f64) -> f64 {
    if x.is_nan() {
        f64::NAN
    } else if x <= 0.0 {
        1.0
    } else if x == f64::INFINITY {
        0.0
    } else {
        gamma_ur(k, x)
    }
}

/// The `|ρ| = 1` limit law `x_∞ = shift + sign·Z`, `Z ~ InverseGamma(shape, scale)`.
///
/// ```
/// use saddle_sde::analytic::inverse_gamma_limit::InverseGammaLimit;
/// use saddle_sde::models::SaddleSde;
/// use statrs::distribution::ContinuousCDF;
/// // the blog's correlated figure: a = 1, σ = 2, τ = −2, ρ = 1
/// let law = InverseGammaLimit::new(&SaddleSde::new(1.0, 2.0, -2.0, 1.0)?)?;
/// assert_eq!((law.shape(), law.scale(), law.shift(), law.sign()), (0.5, 0.5, 1.0, 1.0));
/// assert!((law.mode() - 4.0 / 3.0).abs() < 1e-15);
/// assert_eq!(law.cdf(1.0), 0.0); // support x > 1
/// // P(x ≤ 2) = P(Z ≤ 1) = Q(½, ½) = erfc(√(1/2)) (statrs' incomplete gamma: ~1e-11)
/// assert!((law.cdf(2.0) - statrs::function::erf::erfc(0.5f64.sqrt())).abs() < 1e-10);
/// # Ok::<(), saddle_sde::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct InverseGammaLimit {
    shape: f64,
    scale: f64,
    shift: f64,
    sign: f64,
    z: InverseGamma,
}

/// The condition under which the limit law exists, in words.
pub const EXISTENCE_CONDITION: &str = "|rho| = 1, sigma > 0, tau != 0, a != 0 and a < sigma^2/2";

impl InverseGammaLimit {
    /// The limit law of `sde`.
    ///
    /// # Errors
    /// [`Error::DoesNotExist`] naming the failing part of
    /// `|ρ| = 1, σ > 0, τ ≠ 0, a ≠ 0, a < σ²/2` (at `a = 0` or `τ = 0` the limit is the
    /// point mass at `−ρτ/σ`; for `|ρ| < 1` see
    /// [`crate::analytic::stationary::StationaryLaw`]), and also when the shape or the
    /// scale `2|aτ|/σ³` is not finite and positive in double precision (underflow or
    /// overflow for extreme parameters), the shift `−ρτ/σ` or the mode overflows, or the
    /// shape exceeds `2·10⁸` (`σ` tiny against
    /// `|a|`; the incomplete gamma functions would take too long and lose accuracy).
    pub fn new(sde: &SaddleSde) -> Result<Self> {
        let (a, sigma, tau, rho) = (sde.a(), sde.sigma(), sde.tau(), sde.rho());
        let fail = |why: String| Error::DoesNotExist {
            what: "inverse-gamma limit law",
            condition: format!("requires {EXISTENCE_CONDITION}; {why}"),
        };
        if rho.abs() != 1.0 {
            return Err(fail(format!("here |rho| = {} < 1", rho.abs())));
        }
        if sigma <= 0.0 {
            return Err(fail("here sigma = 0".into()));
        }
        if tau == 0.0 || a == 0.0 {
            return Err(fail(format!(
                "here {} = 0 (the limit is the point mass at -rho*tau/sigma)",
                if tau == 0.0 { "tau" } else { "a" }
            )));
        }
        let s2 = sigma * sigma;
        if !crate::analytic::stationary::below_half_sigma_sq(a, sigma) {
            return Err(fail(format!("here a = {a} >= sigma^2/2 = {}", 0.5 * s2)));
        }
        let shape = 1.0 - 2.0 * a / s2;
        let scale = 2.0 * (a * tau).abs() / (s2 * sigma);
        // in floating point the scale can underflow to 0 (or overflow), where statrs'
        // incomplete gamma functions panic: refuse it rather than build a broken law
        if !(scale > 0.0 && scale.is_finite() && shape.is_finite())
            || shape > 2.0 * crate::analytic::stationary::MAX_M_PLUS_NU
        {
            return Err(fail(format!(
                "here shape 1 - 2a/sigma^2 = {shape} (at most 2e8 is supported: sigma too \
                 small against |a|) or scale 2|a tau|/sigma^3 = {scale} is not finite and \
                 > 0 in double precision (a = {a}, sigma = {sigma}, tau = {tau})"
            )));
        }
        // the shift −ρτ/σ and the mode ρστ/(a − σ²) overflow when τ/σ does (σ tiny
        // against a huge τ): no finite location to report, so refuse it too
        let shift = -rho * tau / sigma;
        let mode = shift - (a * rho * tau).signum() * scale / (shape + 1.0);
        if !(shift.is_finite() && mode.is_finite()) {
            return Err(fail(format!(
                "here the shift -rho*tau/sigma = {shift} or the mode rho*sigma*tau/(a - \
                 sigma^2) = {mode} is not finite in double precision (a = {a}, sigma = \
                 {sigma}, tau = {tau})"
            )));
        }
        let z = InverseGamma::new(shape, scale).map_err(|_| {
            fail(format!(
                "shape {shape} and scale {scale} must be finite and > 0"
            ))
        })?;
        Ok(Self {
            shape,
            scale,
            shift,
            sign: -(a * rho * tau).signum(),
            z,
        })
    }

    /// Shape `1 − 2a/σ²` of `Z`.
    pub fn shape(&self) -> f64 {
        self.shape
    }
    /// Scale `2|aτ|/σ³` of `Z` (density `∝ z^{−shape−1}e^{−scale/z}`).
    pub fn scale(&self) -> f64 {
        self.scale
    }
    /// Shift `−ρτ/σ`.
    pub fn shift(&self) -> f64 {
        self.shift
    }
    /// Sign `−sign(aρτ)`: `+1` when the support is `(shift, ∞)`.
    pub fn sign(&self) -> f64 {
        self.sign
    }
    /// `Z` as a statrs `InverseGamma` (whose second parameter, called *rate* there, is
    /// our scale).
    pub fn inverse_gamma(&self) -> &InverseGamma {
        &self.z
    }
    /// `γ = 1/Z`: Gamma with the same shape and **rate** `scale`.
    pub fn reciprocal_gamma(&self) -> Gamma {
        // shape and scale were validated as finite and > 0 in `new`
        Gamma::new(self.shape, self.scale).expect("validated parameters")
    }
    /// Mode `shift + sign·scale/(shape + 1) = ρστ/(a − σ²)`.
    pub fn mode(&self) -> f64 {
        self.shift + self.sign * self.scale / (self.shape + 1.0)
    }
    /// Median `shift + sign·F_Z⁻¹(½)`.
    pub fn median(&self) -> f64 {
        self.inverse_cdf(0.5)
    }
    /// Mean `shift + sign·scale/(shape − 1) = 0`; exists iff `shape > 1` (`a < 0`).
    pub fn mean(&self) -> Option<f64> {
        (self.shape > 1.0).then(|| self.shift + self.sign * self.scale / (self.shape - 1.0))
    }
    /// Variance `scale²/((shape − 1)²(shape − 2))`; exists iff `a < −σ²/2`.
    pub fn variance(&self) -> Option<f64> {
        let (k, b) = (self.shape, self.scale);
        (k > 2.0).then(|| b * b / ((k - 1.0) * (k - 1.0) * (k - 2.0)))
    }
    /// `ln g` with `P(G ≤ g) = p` (or `P(G > g) = p` if `upper`), `G = 1/Z ~
    /// Gamma(shape, rate scale)`, `0 < p < 1`: Newton–bisection in `v = ln g` on the log
    /// of the tail probability, so tiny `p` keep their relative digits.
    fn ln_reciprocal_quantile(&self, p: f64, upper: bool) -> f64 {
        let (k, b) = (self.shape, self.scale);
        let g = self.reciprocal_gamma();
        let ln_tail = |v: f64| {
            if upper {
                -reg_upper(k, b * v.exp()).ln()
            } else {
                reg_lower(k, b * v.exp()).ln()
            }
        };
        let ln_p = |v: f64| {
            if upper {
                reg_upper(k, b * v.exp()).ln()
            } else {
                reg_lower(k, b * v.exp()).ln()
            }
        };
        let d_ln_tail = |v: f64| (v + g.ln_pdf(v.exp()) - ln_p(v)).exp();
        // b e^{lo} = e^{-745} (the smallest subnormal), b e^{hi} = e^{690} (tail 0 or 1)
        let (lo, hi) = (-745.0 - b.ln(), 690.0 - b.ln());
        let target = if upper { -p.ln() } else { p.ln() };
        solve_increasing(ln_tail, d_ln_tail, target, lo, hi)
    }
    /// `ln` of Z's density, `k ln b − ln Γ(k) − (k + 1) ln z − b/z`, in logs throughout
    /// (statrs' `InverseGamma::pdf` forms `b^k` and overflows to NaN for large scales).
    fn z_ln_pdf(&self, z: f64) -> f64 {
        let (k, b) = (self.shape, self.scale);
        k * b.ln() - ln_gamma(k) - (k + 1.0) * z.ln() - b / z
    }
    /// `P(Z ≤ z)` for `z > 0`.
    fn z_cdf(&self, z: f64) -> f64 {
        reg_upper(self.shape, self.scale / z)
    }
    /// `P(Z > z)` for `z > 0`.
    fn z_sf(&self, z: f64) -> f64 {
        reg_lower(self.shape, self.scale / z)
    }
    fn z_of(&self, x: f64) -> f64 {
        self.sign * (x - self.shift)
    }
}

impl Continuous<f64, f64> for InverseGammaLimit {
    fn pdf(&self, x: f64) -> f64 {
        let z = self.z_of(x);
        if z > 0.0 {
            self.z_ln_pdf(z).exp()
        } else if z.is_nan() {
            f64::NAN
        } else {
            0.0
        }
    }
    fn ln_pdf(&self, x: f64) -> f64 {
        let z = self.z_of(x);
        if z > 0.0 {
            self.z_ln_pdf(z)
        } else if z.is_nan() {
            f64::NAN
        } else {
            f64::NEG_INFINITY
        }
    }
}

impl Min<f64> for InverseGammaLimit {
    fn min(&self) -> f64 {
        if self.sign > 0.0 {
            self.shift
        } else {
            f64::NEG_INFINITY
        }
    }
}

impl Max<f64> for InverseGammaLimit {
    fn max(&self) -> f64 {
        if self.sign > 0.0 {
            f64::INFINITY
        } else {
            self.shift
        }
    }
}

impl ContinuousCDF<f64, f64> for InverseGammaLimit {
    fn cdf(&self, x: f64) -> f64 {
        let z = self.z_of(x);
        if z.is_nan() {
            return f64::NAN;
        }
        match (self.sign > 0.0, z > 0.0) {
            (true, true) => self.z_cdf(z),
            (true, false) => 0.0,
            (false, true) => self.z_sf(z),
            (false, false) => 1.0,
        }
    }
    fn sf(&self, x: f64) -> f64 {
        let z = self.z_of(x);
        if z.is_nan() {
            return f64::NAN;
        }
        match (self.sign > 0.0, z > 0.0) {
            (true, true) => self.z_sf(z),
            (true, false) => 1.0,
            (false, true) => self.z_cdf(z),
            (false, false) => 0.0,
        }
    }
    fn inverse_cdf(&self, p: f64) -> f64 {
        if !(0.0..=1.0).contains(&p) {
            return f64::NAN;
        }
        let (lo, hi) = (self.min(), self.max());
        if p == 0.0 {
            return lo;
        }
        if p == 1.0 {
            return hi;
        }
        // sign +1: P(x ≤ shift + z) = P(Z ≤ z) = P(G ≥ 1/z);
        // sign −1: P(x ≤ shift − z) = P(Z ≥ z) = P(G ≤ 1/z). Either way p itself is the
        // tail probability of G that is inverted, so p < 1e-16 is not lost in 1 − p.
        let z = (-self.ln_reciprocal_quantile(p, self.sign > 0.0)).exp();
        self.shift + self.sign * z
    }
}

impl statrs::statistics::Distribution<f64> for InverseGammaLimit {
    fn mean(&self) -> Option<f64> {
        InverseGammaLimit::mean(self)
    }
    fn variance(&self) -> Option<f64> {
        InverseGammaLimit::variance(self)
    }
}

impl rand_distr::Distribution<f64> for InverseGammaLimit {
    /// `shift + sign·Z`, `Z` drawn by statrs (`1/Gamma`).
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        let z: f64 = rand_distr::Distribution::sample(&self.z, rng);
        self.shift + self.sign * z
    }
}
