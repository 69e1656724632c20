//! Model traits: what an Itô SDE is, split by capability.
//!
//! An Itô SDE with state `x ∈ ℝⁿ` driven by `m` standard Brownian motions
//! `B = (B₁, …, B_m)` with constant correlation matrix `C` (`d⟨B_j, B_k⟩ = C_jk dt`):
//!
//! ```text
//! dx = f(t, x) dt + g(t, x) dB,        g(t, x) ∈ ℝ^{n×m}
//! ```
//!
//! Schemes never see `C` directly. Writing `C = L Lᵀ` (a lower-triangular factor, see
//! [`Correlation`]) and `B = L Z` with `Z` independent, the same equation reads
//! `dx = f dt + G dZ` with `G = g L`. Milstein's correction is written in that
//! independent frame:
//!
//! ```text
//! Σ_{j,k} (L^j G_k)(x) I_(j,k),     L^j = Σ_p G_{pj} ∂/∂x_p,
//! ```
//!
//! with `I_(j,k) = ∫∫_{s₁<s₂} dZ_j(s₁) dZ_k(s₂)` over the step. The derivative terms need
//! the Jacobian of the diffusion: that is the separate capability
//! [`DiffusionJacobian`], so a model without it does not compile with Milstein.
//!
//! Scalar models (`n = 1`) also implement [`ScalarSde`], whose methods return
//! fixed-size arrays: stepping them allocates nothing and inlines into the hot loop.
//! [`ScalarSde`] is written directly in the independent frame.

use crate::correlation::Correlation;

/// An Itô SDE `dx = f(t, x) dt + g(t, x) dB` with `n` states and `m` correlated
/// Brownian motions.
///
/// Buffers are written in place; nothing is allocated per evaluation.
pub trait Sde {
    /// State dimension `n`.
    fn dim(&self) -> usize;
    /// Number of Brownian motions `m`.
    fn noise_dim(&self) -> usize;
    /// Correlation matrix of the `m` Brownian motions, validated and factored.
    fn correlation(&self) -> &Correlation;
    /// Writes the drift `f(t, x)` into `out` (length `n`).
    fn drift(&self, t: f64, x: &[f64], out: &mut [f64]);
    /// Writes the diffusion `g(t, x)` into `out`, column-major `n × m`:
    /// `out[i + n*k]` is the coefficient of `x_i` against `B_k`.
    fn diffusion(&self, t: f64, x: &[f64], out: &mut [f64]);
}

/// The extra capability Milstein needs: the Jacobian of each diffusion column.
pub trait DiffusionJacobian: Sde {
    /// Writes `∂g_{ik}/∂x_p` into `out[(k*n + i)*n + p]` (length `m·n·n`).
    fn diffusion_jacobian(&self, t: f64, x: &[f64], out: &mut [f64]);
}

/// A scalar SDE `dx = f(t, x) dt + Σ_k G_k(t, x) dZ_k` written against `M`
/// **independent** standard Brownian motions `Z_k`.
///
/// Models with correlated noise implement this in the frame where the correlation has
/// been factored out (the saddle SDE uses `Z = (W, V)` with `U = ρW + √(1−ρ²) V`).
pub trait ScalarSde<const M: usize> {
    /// Drift `f(t, x)`.
    fn drift(&self, t: f64, x: f64) -> f64;
    /// Diffusion coefficients `G_k(t, x)` against the independent motions.
    fn diffusion(&self, t: f64, x: f64) -> [f64; M];
    /// An upper bound of the local variance `b²(t, x) = Σ_k G_k(t, x)²` (computed as the
    /// sum of the squares of [`diffusion`](Self::diffusion)) over every `t ≥ 0` and every
    /// `x` in `[lo, hi]`, or `None` when the model cannot give one (the default).
    ///
    /// The bridge test of exit problems uses it to skip its arithmetic on steps that
    /// stay far from both barriers (the result is the same bit for bit). A bound that
    /// is too small would change results, so a model that cannot bound `b²` must keep
    /// the default.
    #[inline]
    fn local_variance_bound(&self, lo: f64, hi: f64) -> Option<f64> {
        let _ = (lo, hi);
        None
    }
}

/// `max(b²(lo), b²(hi))` of `sde`'s local variance `b² = Σ_k G_k²` (at `t = 0`), widened
/// by `10⁻⁹` relatively, for a model whose `b²(x)` is a convex function of `x` alone
/// (each `G_k` affine in `x`, or `b²` a convex quadratic): then its maximum over
/// `[lo, hi]` is at an end, and the widening covers the rounding of `b²` at points in
/// between. `None` unless both ends and both values are finite.
pub(crate) fn convex_variance_bound<S: ScalarSde<M>, const M: usize>(
    sde: &S,
    lo: f64,
    hi: f64,
) -> Option<f64> {
    if !(lo.is_finite() && hi.is_finite() && lo <= hi) {
        return None;
    }
    let b2 = |x: f64| sde.diffusion(0.0, x).iter().map(|g| g * g).sum::<f64>();
    let (a, b) = (b2(lo), b2(hi));
    let ok = |v: f64| v.is_finite() && v >= 0.0;
    (ok(a) && ok(b)).then_some(a.max(b) * (1.0 + 1e-9) + f64::MIN_POSITIVE)
}

/// Milstein's capability for scalar models: `∂G_k/∂x`.
///
/// For a scalar state the Milstein terms are `L^j G_k = G_j ∂G_k/∂x`.
pub trait ScalarMilsteinSde<const M: usize>: ScalarSde<M> {
    /// Derivatives `∂G_k/∂x (t, x)`.
    fn diffusion_derivative(&self, t: f64, x: f64) -> [f64; M];

    /// Whether the noise is commutative, `L^j G_k = L^k G_j` for all `j, k` and all
    /// `x`. When it is, Milstein needs no Lévy areas. The default is the safe answer
    /// `false` for `M > 1`.
    fn is_commutative(&self) -> bool {
        M <= 1
    }

    /// The Milstein terms `L^j G_k = G_j ∂G_k/∂x`, as `out[j][k]`, given `g = G(t, x)`.
    ///
    /// The default multiplies out [`diffusion_derivative`](Self::diffusion_derivative);
    /// a model may override it when the products are simpler than the factors (the
    /// law-equivalent saddle has `b b' = σ(σx + ρτ)` with no square root).
    #[inline(always)]
    fn milstein_terms(&self, t: f64, x: f64, g: &[f64; M]) -> [[f64; M]; M] {
        let dg = self.diffusion_derivative(t, x);
        let mut out = [[0.0; M]; M];
        for j in 0..M {
            for k in 0..M {
                out[j][k] = g[j] * dg[k];
            }
        }
        out
    }
}
