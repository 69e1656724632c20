//! Known-answer models for tests: geometric Brownian motion and Ornstein–Uhlenbeck.
//! Their exact solutions live in [`crate::analytic`].

use crate::correlation::Correlation;
use crate::error::{Result, finite, non_negative};
use crate::sde::{DiffusionJacobian, ScalarMilsteinSde, ScalarSde, Sde};

/// Geometric Brownian motion `dx = μ x dt + σ x dW`.
///
/// Exact solution `x_t = x₀ exp((μ − σ²/2)t + σW_t)`, see
/// [`crate::analytic::known::gbm_exact`].
///
/// ```
/// use saddle_sde::models::Gbm;
/// assert!(Gbm::new(0.1, -0.2).is_err());
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Gbm {
    mu: f64,
    sigma: f64,
    corr: Correlation,
}

impl Gbm {
    /// # Errors
    /// A parameter error if `mu` is not finite or `sigma` is not finite and `≥ 0`.
    pub fn new(mu: f64, sigma: f64) -> Result<Self> {
        finite("mu", mu)?;
        non_negative("sigma", sigma)?;
        Ok(Self {
            mu,
            sigma,
            corr: Correlation::identity(1),
        })
    }
    /// Drift rate `μ`.
    pub fn mu(&self) -> f64 {
        self.mu
    }
    /// Volatility `σ`.
    pub fn sigma(&self) -> f64 {
        self.sigma
    }
}

impl ScalarSde<1> for Gbm {
    #[inline(always)]
    fn drift(&self, _t: f64, x: f64) -> f64 {
        self.mu * x
    }
    #[inline(always)]
    fn diffusion(&self, _t: f64, x: f64) -> [f64; 1] {
        [self.sigma * x]
    }
    /// `b²(x) = σ²x²` is convex in `x` and free of `t`: its maximum over `[lo, hi]` is at
    /// an end.
    fn local_variance_bound(&self, lo: f64, hi: f64) -> Option<f64> {
        crate::sde::convex_variance_bound::<_, 1>(self, lo, hi)
    }
}

impl ScalarMilsteinSde<1> for Gbm {
    #[inline(always)]
    fn diffusion_derivative(&self, _t: f64, _x: f64) -> [f64; 1] {
        [self.sigma]
    }
}

impl Sde for Gbm {
    fn dim(&self) -> usize {
        1
    }
    fn noise_dim(&self) -> usize {
        1
    }
    fn correlation(&self) -> &Correlation {
        &self.corr
    }
    fn drift(&self, _t: f64, x: &[f64], out: &mut [f64]) {
        out[0] = self.mu * x[0];
    }
    fn diffusion(&self, _t: f64, x: &[f64], out: &mut [f64]) {
        out[0] = self.sigma * x[0];
    }
}

impl DiffusionJacobian for Gbm {
    fn diffusion_jacobian(&self, _t: f64, _x: &[f64], out: &mut [f64]) {
        out[0] = self.sigma;
    }
}

/// Ornstein–Uhlenbeck process `dx = θ(m − x) dt + s dW`.
///
/// Gaussian with mean `m + (x₀ − m)e^{−θt}` and variance `s²(1 − e^{−2θt})/(2θ)`, see
/// [`crate::analytic::known::ou_mean`]. `θ` may have either sign (`θ < 0` is the
/// repulsive, diffusive-noise-only saddle with `σ = 0`).
#[derive(Debug, Clone, PartialEq)]
pub struct OrnsteinUhlenbeck {
    theta: f64,
    mean: f64,
    s: f64,
    corr: Correlation,
}

impl OrnsteinUhlenbeck {
    /// # Errors
    /// A parameter error if `theta` or `mean` is not finite, or `s` is not finite and
    /// `≥ 0`.
    pub fn new(theta: f64, mean: f64, s: f64) -> Result<Self> {
        finite("theta", theta)?;
        finite("mean", mean)?;
        non_negative("s", s)?;
        Ok(Self {
            theta,
            mean,
            s,
            corr: Correlation::identity(1),
        })
    }
    /// Mean-reversion rate `θ`.
    pub fn theta(&self) -> f64 {
        self.theta
    }
    /// Long-run mean `m`.
    pub fn mean(&self) -> f64 {
        self.mean
    }
    /// Noise intensity `s`.
    pub fn s(&self) -> f64 {
        self.s
    }
}

impl ScalarSde<1> for OrnsteinUhlenbeck {
    #[inline(always)]
    fn drift(&self, _t: f64, x: f64) -> f64 {
        self.theta * (self.mean - x)
    }
    #[inline(always)]
    fn diffusion(&self, _t: f64, _x: f64) -> [f64; 1] {
        [self.s]
    }
    /// `b² = s²`, the same at every `x` and `t` (a constant is convex).
    fn local_variance_bound(&self, lo: f64, hi: f64) -> Option<f64> {
        crate::sde::convex_variance_bound::<_, 1>(self, lo, hi)
    }
}

impl ScalarMilsteinSde<1> for OrnsteinUhlenbeck {
    #[inline(always)]
    fn diffusion_derivative(&self, _t: f64, _x: f64) -> [f64; 1] {
        [0.0]
    }
}

impl Sde for OrnsteinUhlenbeck {
    fn dim(&self) -> usize {
        1
    }
    fn noise_dim(&self) -> usize {
        1
    }
    fn correlation(&self) -> &Correlation {
        &self.corr
    }
    fn drift(&self, _t: f64, x: &[f64], out: &mut [f64]) {
        out[0] = self.theta * (self.mean - x[0]);
    }
    fn diffusion(&self, _t: f64, _x: &[f64], out: &mut [f64]) {
        out[0] = self.s;
    }
}

impl DiffusionJacobian for OrnsteinUhlenbeck {
    fn diffusion_jacobian(&self, _t: f64, _x: &[f64], out: &mut [f64]) {
        out[0] = 0.0;
    }
}
