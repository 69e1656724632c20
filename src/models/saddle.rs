//! The one-dimensional saddle SDE of the blog post.

use crate::correlation::Correlation;
use crate::error::{Result, finite, in_closed, non_negative};
use crate::sde::{DiffusionJacobian, ScalarMilsteinSde, ScalarSde, Sde};

/// The saddle SDE along one unstable axis of a noisy saddle:
///
/// ```text
/// dx = a x dt + σ x dW + τ dU,     d⟨W, U⟩ = ρ dt        (Itô)
/// ```
///
/// `a x` is the gradient-descent drift along the axis, `σ x dW` the *attractive*
/// (multiplicative) noise from the noisy curvature, `τ dU` the *diffusive* noise from
/// the noisy slope. With `U = ρW + √(1−ρ²) V`, `V` independent of `W`:
///
/// ```text
/// dx = a x dt + (σx + ρτ) dW + ω dV,      ω = τ√(1−ρ²).
/// ```
///
/// This independent `(W, V)` frame is the one [`ScalarSde`] exposes:
/// `G_W = σx + ρτ`, `G_V = ω`. Their Milstein cross terms differ,
/// `G_W ∂G_V/∂x = 0 ≠ G_V ∂G_W/∂x = σω`, so the noise is **non-commutative** whenever
/// `σ ≠ 0`, `τ ≠ 0` and `|ρ| < 1`, and strong order 1 needs the Lévy area of `(W, V)`.
///
/// `a` may have either sign (`a > 0`: the unstable axis of a saddle; `a < 0`: a stable
/// one); `σ ≥ 0`; `τ` any real; `ρ ∈ [−1, 1]`.
///
/// ```
/// use saddle_sde::models::SaddleSde;
/// let m = SaddleSde::new(1.0, 1.0, 0.5, 0.3).unwrap();
/// assert!((m.omega() - 0.5 * (1.0f64 - 0.09).sqrt()).abs() < 1e-15);
/// assert_eq!(m.lyapunov_rate(), 0.5);
/// assert!(SaddleSde::new(1.0, 1.0, 0.5, 1.5).is_err());
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct SaddleSde {
    a: f64,
    sigma: f64,
    tau: f64,
    rho: f64,
    omega: f64,
    rho_tau: f64,
    correlation: Correlation,
}

impl SaddleSde {
    /// Builds the model.
    ///
    /// # Errors
    /// A parameter error naming the parameter if `a`, `tau` are not finite, `sigma` is
    /// not finite and `≥ 0`, or `rho ∉ [−1, 1]`.
    pub fn new(a: f64, sigma: f64, tau: f64, rho: f64) -> Result<Self> {
        finite("a", a)?;
        non_negative("sigma", sigma)?;
        finite("tau", tau)?;
        in_closed("rho", rho, -1.0, 1.0)?;
        let omega = tau * (1.0 - rho * rho).max(0.0).sqrt();
        Ok(Self {
            a,
            sigma,
            tau,
            rho,
            omega,
            rho_tau: rho * tau,
            correlation: Correlation::two(rho)?,
        })
    }

    /// Drift rate `a`.
    pub fn a(&self) -> f64 {
        self.a
    }
    /// Multiplicative noise intensity `σ`.
    pub fn sigma(&self) -> f64 {
        self.sigma
    }
    /// Additive noise intensity `τ`.
    pub fn tau(&self) -> f64 {
        self.tau
    }
    /// Correlation `ρ` of `W` and `U`.
    pub fn rho(&self) -> f64 {
        self.rho
    }
    /// `ω = τ√(1−ρ²)`, the intensity of the part of `U` independent of `W`.
    pub fn omega(&self) -> f64 {
        self.omega
    }
    /// `μ = τρ/σ`, the blog's shift `y = x + μ`; `None` when `σ = 0`.
    pub fn mu(&self) -> Option<f64> {
        (self.sigma > 0.0).then(|| self.rho_tau / self.sigma)
    }
    /// The almost-sure growth rate of `|x|` without diffusive noise, `a − σ²/2`
    /// (the Lyapunov exponent of `dx = a x dt + σ x dW`).
    pub fn lyapunov_rate(&self) -> f64 {
        self.a - 0.5 * self.sigma * self.sigma
    }
    /// Whether the noise is commutative (`σω = 0`): then Milstein needs no Lévy area.
    pub fn is_commutative(&self) -> bool {
        self.sigma * self.omega == 0.0
    }
    /// Squared diffusion of the law-equivalent one-noise form,
    /// `σ²x² + 2ρστx + τ² = (σx + ρτ)² + ω²`.
    #[inline(always)]
    pub fn diffusion_squared(&self, x: f64) -> f64 {
        let gw = self.sigma * x + self.rho_tau;
        gw * gw + self.omega * self.omega
    }
}

impl ScalarSde<2> for SaddleSde {
    #[inline(always)]
    fn drift(&self, _t: f64, x: f64) -> f64 {
        self.a * x
    }
    #[inline(always)]
    fn diffusion(&self, _t: f64, x: f64) -> [f64; 2] {
        [self.sigma * x + self.rho_tau, self.omega]
    }
    /// `b²(x) = (σx + ρτ)² + ω²` is convex in `x` and free of `t`: its maximum over
    /// `[lo, hi]` is at an end.
    fn local_variance_bound(&self, lo: f64, hi: f64) -> Option<f64> {
        crate::sde::convex_variance_bound::<_, 2>(self, lo, hi)
    }
}

impl ScalarMilsteinSde<2> for SaddleSde {
    #[inline(always)]
    fn diffusion_derivative(&self, _t: f64, _x: f64) -> [f64; 2] {
        [self.sigma, 0.0]
    }
    fn is_commutative(&self) -> bool {
        SaddleSde::is_commutative(self)
    }
}

impl Sde for SaddleSde {
    fn dim(&self) -> usize {
        1
    }
    fn noise_dim(&self) -> usize {
        2
    }
    fn correlation(&self) -> &Correlation {
        &self.correlation
    }
    fn drift(&self, _t: f64, x: &[f64], out: &mut [f64]) {
        out[0] = self.a * x[0];
    }
    /// Against the correlated pair `(W, U)`: `g = [σx, τ]`.
    fn diffusion(&self, _t: f64, x: &[f64], out: &mut [f64]) {
        out[0] = self.sigma * x[0];
        out[1] = self.tau;
    }
}

impl DiffusionJacobian for SaddleSde {
    fn diffusion_jacobian(&self, _t: f64, _x: &[f64], out: &mut [f64]) {
        out[0] = self.sigma;
        out[1] = 0.0;
    }
}

/// The law-equivalent one-noise form of the saddle SDE:
///
/// ```text
/// dx = a x dt + b(x) dB,     b(x) = √(σ²x² + 2ρστx + τ²)
/// ```
///
/// It has the same generator as [`SaddleSde`] (the same quadratic variation
/// `(σx + ρτ)² + ω²`), hence the same law as a process: same transition densities, same
/// moments, same exit times and exit probabilities. It needs one normal per step
/// instead of two, and its Milstein step needs no Lévy area (one noise is always
/// commutative), with `b b' = σ(σx + ρτ)`, a polynomial.
///
/// **When to use it:** weak, distributional questions — moments, densities, the
/// stationary law, exit-time distributions and escape probabilities.
/// **When not:** pathwise comparison with a given `(W, U)`. `B` is a different Brownian
/// motion (`dB = (G_W dW + ω dV)/b`), so a path of this model is not the path of
/// [`SaddleSde`] driven by the same `W, U`, and strong errors against the blog's
/// pathwise solution are meaningless for it.
///
/// ```
/// use saddle_sde::models::{LawEquivalentSaddle, SaddleSde};
/// use saddle_sde::sde::ScalarSde;
/// let m = LawEquivalentSaddle::new(SaddleSde::new(1.0, 2.0, 1.0, 0.5).unwrap());
/// // b(1)² = 4 + 2·0.5·2·1·1 + 1 = 7
/// assert!((m.diffusion(0.0, 1.0)[0] - 7f64.sqrt()).abs() < 1e-15);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct LawEquivalentSaddle {
    inner: SaddleSde,
}

impl LawEquivalentSaddle {
    /// Wraps a saddle model.
    pub fn new(inner: SaddleSde) -> Self {
        Self { inner }
    }
    /// The two-noise model it is law-equivalent to.
    pub fn saddle(&self) -> &SaddleSde {
        &self.inner
    }
}

impl ScalarSde<1> for LawEquivalentSaddle {
    #[inline(always)]
    fn drift(&self, _t: f64, x: f64) -> f64 {
        self.inner.a * x
    }
    #[inline(always)]
    fn diffusion(&self, _t: f64, x: f64) -> [f64; 1] {
        [self.inner.diffusion_squared(x).sqrt()]
    }
    /// `b²(x) = (σx + ρτ)² + ω²`, a convex quadratic free of `t` (rounded through the
    /// square root, which the bound's widening covers).
    fn local_variance_bound(&self, lo: f64, hi: f64) -> Option<f64> {
        crate::sde::convex_variance_bound::<_, 1>(self, lo, hi)
    }
}

impl ScalarMilsteinSde<1> for LawEquivalentSaddle {
    /// `b'(x) = σ(σx + ρτ)/b(x)`, taken as 0 where `b(x) = 0` (possible only when
    /// `|ρ| = 1`, at `x = −ρτ/σ`; there `b b' = 0` either way).
    fn diffusion_derivative(&self, _t: f64, x: f64) -> [f64; 1] {
        let b = self.inner.diffusion_squared(x).sqrt();
        let bb = self.inner.sigma * (self.inner.sigma * x + self.inner.rho_tau);
        [if b > 0.0 { bb / b } else { 0.0 }]
    }
    #[inline(always)]
    fn milstein_terms(&self, _t: f64, x: f64, _g: &[f64; 1]) -> [[f64; 1]; 1] {
        [[self.inner.sigma * (self.inner.sigma * x + self.inner.rho_tau)]]
    }
}
