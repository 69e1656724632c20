//! Schemes: how a step is taken.
//!
//! A scheme's step is a pure function of the model, the time, the state and the given
//! noise ([`StepNoise`]): the same inputs give the same output, which is what the
//! fixed-increment unit tests and the strong-order tests on one shared Brownian path
//! rely on. Drawing the noise and deciding when to stop belong to the driver
//! ([`crate::integrate`]).
//!
//! | scheme | update (scalar state, independent noises `Z_k`) | strong / weak order |
//! |---|---|---|
//! | [`EulerMaruyama`] | `x + f h + Σ G_k ΔZ_k` | 0.5 / 1 |
//! | [`Milstein`] | EM `+ Σ_{j,k} G_j ∂G_k I_(j,k)` | 1 / 1 |
//! | [`CommutativeMilstein`] | EM `+ ½ Σ_{j,k} G_j ∂G_k (ΔZ_jΔZ_k − hδ_jk)` | 1 if the noise commutes, else 0.5 |
//!
//! References: P. E. Kloeden, E. Platen, *Numerical Solution of Stochastic Differential
//! Equations*, Springer 1992, §10.2–10.3.

mod nd;

pub use nd::{EmWorkspace, MilsteinWorkspace};

use crate::noise::{NoiseNeeds, StepNoise};
use crate::sde::{ScalarMilsteinSde, ScalarSde};

/// A one-step method for scalar models with `M` independent noises.
pub trait ScalarScheme<S: ScalarSde<M>, const M: usize> {
    /// What the step reads of a step's noise for this model: the increments only, or
    /// the Lévy areas in [`StepNoise::iterated`] too. The run engine draws exactly
    /// this ([`ScalarNoise::for_run`](crate::noise::ScalarNoise::for_run) is the one
    /// place that reads it); with [`NoiseNeeds::Increments`] the areas are left zero.
    fn noise_needs(&self, sde: &S) -> NoiseNeeds;

    /// Advances `x` at time `t` over `noise.h` with the given noise.
    fn step(&self, sde: &S, t: f64, x: f64, noise: &StepNoise<M>) -> f64;

    /// A short name for tables and JSON (`"em"`, `"milstein"`, …).
    fn name(&self) -> &'static str;
}

/// Euler–Maruyama: `x_{n+1} = x_n + f(t_n, x_n) h + Σ_k G_k(t_n, x_n) ΔZ_k`.
///
/// Strong order 0.5 for multiplicative noise, 1 for additive noise; weak order 1.
///
/// ```
/// use saddle_sde::models::SaddleSde;
/// use saddle_sde::noise::StepNoise;
/// use saddle_sde::scheme::{EulerMaruyama, ScalarScheme};
/// let m = SaddleSde::new(1.0, 1.0, 0.5, 0.0).unwrap();
/// let n = StepNoise::without_areas(0.01, [0.1, -0.2]);
/// // 1 + 1·0.01 + (1·1 + 0)·0.1 + 0.5·(−0.2) = 1.01
/// assert!((EulerMaruyama.step(&m, 0.0, 1.0, &n) - 1.01).abs() < 1e-15);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EulerMaruyama;

impl<S: ScalarSde<M>, const M: usize> ScalarScheme<S, M> for EulerMaruyama {
    #[inline(always)]
    fn noise_needs(&self, _sde: &S) -> NoiseNeeds {
        NoiseNeeds::Increments
    }
    #[inline(always)]
    fn step(&self, sde: &S, t: f64, x: f64, noise: &StepNoise<M>) -> f64 {
        let g = sde.diffusion(t, x);
        let mut dx = sde.drift(t, x) * noise.h;
        for k in 0..M {
            dx += g[k] * noise.dz[k];
        }
        x + dx
    }
    fn name(&self) -> &'static str {
        "em"
    }
}

/// Milstein, right for non-commutative noise:
///
/// ```text
/// x_{n+1} = x_n + f h + Σ_k G_k ΔZ_k + Σ_{j,k} (L^j G_k) I_(j,k),     L^j G_k = G_j ∂G_k/∂x
/// ```
///
/// with the iterated integrals `I_(j,k)` from [`StepNoise`] (their antisymmetric part is
/// the Lévy area). Strong order 1 for any noise structure, provided the areas are
/// exact or accurate to `O(h^{3/2})` in mean square (see [`crate::noise::LevyArea`]).
/// When the model reports commutative noise ([`ScalarMilsteinSde::is_commutative`]),
/// the areas cancel and the driver does not sample them: this is the cheaper
/// commutative form (for the saddle SDE: `τ = 0`, `σ = 0` or `|ρ| = 1`).
///
/// For the saddle SDE in the `(W, V)` frame this reads
/// `x + a x h + (σx + ρτ)ΔW + ωΔV + σ(σx + ρτ)(ΔW² − h)/2 + σω I_(V,W)`.
///
/// ```
/// use saddle_sde::models::SaddleSde;
/// use saddle_sde::noise::StepNoise;
/// use saddle_sde::scheme::{Milstein, ScalarScheme};
/// let m = SaddleSde::new(1.0, 1.0, 1.0, 0.0).unwrap();
/// // ΔW = 0.1, ΔV = −0.2, A_WV = 0.003  ⇒  I_(V,W) = ½·(−0.02) − 0.003 = −0.013
/// let n = StepNoise::from_areas(0.01, [0.1, -0.2], [[0.0, 0.003], [-0.003, 0.0]]);
/// let x1 = Milstein.step(&m, 0.0, 1.0, &n);
/// let expect = 1.0 + 0.01 + 0.1 - 0.2 + 0.5 * (0.01 - 0.01) + (-0.013);
/// assert!((x1 - expect).abs() < 1e-15);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Milstein;

impl<S: ScalarMilsteinSde<M>, const M: usize> ScalarScheme<S, M> for Milstein {
    #[inline(always)]
    fn noise_needs(&self, sde: &S) -> NoiseNeeds {
        if sde.is_commutative() {
            NoiseNeeds::Increments
        } else {
            NoiseNeeds::IncrementsAndAreas
        }
    }
    #[inline(always)]
    fn step(&self, sde: &S, t: f64, x: f64, noise: &StepNoise<M>) -> f64 {
        let g = sde.diffusion(t, x);
        let l = sde.milstein_terms(t, x, &g);
        let mut dx = sde.drift(t, x) * noise.h;
        for k in 0..M {
            dx += g[k] * noise.dz[k];
        }
        for j in 0..M {
            for k in 0..M {
                dx += l[j][k] * noise.iterated[j][k];
            }
        }
        x + dx
    }
    fn name(&self) -> &'static str {
        "milstein"
    }
}

/// Milstein in its commutative form: the iterated integrals are replaced by their
/// symmetric parts, `I_(j,k) → ½(ΔZ_jΔZ_k − hδ_jk)`, so no Lévy area is used.
///
/// Exact Milstein (strong order 1) when the noise commutes. For non-commutative noise
/// — the saddle SDE with `σ ≠ 0`, `τ ≠ 0`, `|ρ| < 1` — it is **only strong order 0.5**:
/// the cross term `σω ΔW ΔV/2` is not the conditional mean of the true one in `L²`.
/// It is kept to show, in tests, that the Lévy-area term matters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CommutativeMilstein;

impl<S: ScalarMilsteinSde<M>, const M: usize> ScalarScheme<S, M> for CommutativeMilstein {
    #[inline(always)]
    fn noise_needs(&self, _sde: &S) -> NoiseNeeds {
        NoiseNeeds::Increments
    }
    /// [`Milstein`]'s step with the areas dropped from the iterated integrals.
    #[inline(always)]
    fn step(&self, sde: &S, t: f64, x: f64, noise: &StepNoise<M>) -> f64 {
        Milstein.step(sde, t, x, &StepNoise::without_areas(noise.h, noise.dz))
    }
    fn name(&self) -> &'static str {
        "milstein-commutative"
    }
}
