//! What the optimisers of [`crate::optim`] should do: the limit laws and rates derived
//! from the finite-sum model, which the tests and the report check against simulation.
//!
//! # SVRG's inner loop: an inverse-gamma perpetuity
//! With the landmark `x*` fixed, `y = x − x*` obeys, exactly,
//!
//! ```text
//! y_{k+1} = (1 + lr(a + ξ̄_k)) y_k + lr·a·x*,        y_0 = 0,
//! ```
//!
//! a random linear recursion driven by the curvature noise alone (`η` cancels). It is
//! linear in `x*`, so `Y = y/x*` has a law that does not depend on `x*`: the end of every
//! inner loop is `x*·(1 + Y)` with `Y` independent across loops. In the diffusion limit
//! (`t = n·lr`, `σ² = lr s_ξ² φ/B` as for SGD) `dy = a(y + x*) dt + σ y dW`, whose solution
//! from `y_0 = 0` is, in law, `y_T = a x* ∫₀ᵀ exp((a − σ²/2)u + σB_u) du`. When
//! `σ² > 2a` (the trap regime of plain SGD) this converges as `T → ∞` (Dufresne's
//! perpetuity) and the stationary Fokker–Planck equation gives
//!
//! ```text
//! p(Y) ∝ Y^{2a/σ² − 2} exp(−(2a/σ²)/Y):   Y ~ InverseGamma(shape 1 − 2a/σ², scale 2a/σ²),
//! ```
//!
//! so `x − x*` is inverse gamma with scale `2a|x*|/σ²`, proportional to the distance of
//! `x*` from the saddle: the post's claim, **in the diffusion limit, for `σ² > 2a`, and
//! for a long inner loop** (`m·lr` large against the relaxation time `1/(σ²/2 − a)` of
//! `ln y`). At finite `m` the law is that of the finite-time exponential functional,
//! stochastically smaller than the limit (the integral grows with `T`), and for
//! `σ² ≤ 2a` there is no limit at all (`y` grows like `e^{(a − σ²/2)T}`).
//!
//! # SVRG's geometric escape
//! `ln|x*_K| = ln|x*_0| + Σ_k ln(1 + Y_k)`: the landmark grows geometrically, by
//! `g = E ln(1 + Y)` per outer loop on average ([`SvrgLimit::log_growth`]). And
//! deterministically: if `1 + lr(a + ξ_j) > 0` for every sample `j` (so for every batch
//! mean), then by induction `y_k ≥ lr·a·x*` keeps the sign of `x*` after the first step,
//! and `|x*|` grows by at least the factor `1 + lr·a` per outer loop on every path —
//! provided `x*_0 ≠ 0`: from the saddle itself every landmark stays at 0 (η cancels and
//! the curvature noise acts on `x − x*`), where plain SGD escapes through η.
//!
//! # Annealing: a power-law escape time
//! With `lr_n = lr₀/n`, `x_n = P_n (x_0 + S_n)` with `P_n = Π_{k≤n}(1 + lr_k(a + ξ̄_k))`
//! and `S_n = Σ_{k≤n} lr_k η̄_k / P_k`. `ln|P_n| = a lr₀ H_n + Σ lr_k ξ̄_k − O(Σ lr_k²)`:
//! the drift `a lr₀ ln n` diverges while the noise sums converge (`Σ lr_k² < ∞`), so
//! `|P_n| ≈ Q n^{a lr₀}` with an a.s. finite, positive random `Q`, and `S_n → S_∞`.
//! Hence `|x_n| → ∞` a.s.: **escape is certain**. But the time to reach a level `L` is
//! `N ≈ (L/(Q|x_0 + S_∞|))^{1/(a lr₀)}`, and since `x_0 + S_∞` has a positive density at
//! zero when `η` is noisy,
//!
//! ```text
//! P(N > n) ~ C n^{−a·lr₀}:
//! ```
//!
//! a power tail ([`tail_exponent`]); for `a·lr₀ ≤ 1` the mean escape time is infinite.
//! The schedule `lr₀/(1 + n/n₀)` behaves like `lr₀n₀/n` for `n ≫ n₀`: exponent
//! `a·lr₀·n₀`.
//!
//! # ReLU: a Brownian motion with a kink
//! On the piecewise-linear loss of [`Optimizer::Relu`] the step is
//! `x + lr((a + ξ̄)w·sign x + η̄)`. With `t = n·lr` its diffusion limit
//! ([`ReluLimit`]) has the constant drift `a·w·sign x` and the piecewise-constant
//! variance rate `lr(w²s_ξ² ± 2ρ w s_ξ s_η + s_η²)φ/B` on `x ≷ 0`: no noise multiplies `x`,
//! so nothing can trap the iterate; it leaves `(−L, L)` in time of order `L/(a w)`
//! instead of `ln(L/x_0)/a`.

use crate::error::{Error, Result, param, positive};
use crate::escape::exact::OneDimDiffusion;
use crate::optim::{Optimizer, Sampling, Schedule, Sgd};
use statrs::distribution::InverseGamma;
use statrs::function::gamma::digamma;

/// The limit law of SVRG's inner loop (module docs): `(x − x*)/x* ~ InverseGamma(1 −
/// 2a/σ², 2a/σ²)` at the end of a long inner loop, in the diffusion limit with
/// `σ² > 2a`.
///
/// ```
/// use saddle_sde::optim::theory::SvrgLimit;
/// let l = SvrgLimit::new(1.0, 4.0)?; // σ² = 16: shape 7/8, scale 1/8
/// assert!((l.shape() - 0.875).abs() < 1e-15 && (l.scale() - 0.125).abs() < 1e-15);
/// assert!(l.log_growth() > 0.0);
/// # Ok::<(), saddle_sde::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct SvrgLimit {
    a: f64,
    sigma: f64,
    law: InverseGamma,
}

impl SvrgLimit {
    /// The limit for curvature `a > 0` and curvature noise `σ` (per unit time).
    ///
    /// # Errors
    /// A parameter error naming `a` or `sigma` unless positive and finite, and
    /// [`Error::DoesNotExist`] unless `σ² > 2a` (then `x − x*` grows without limit).
    pub fn new(a: f64, sigma: f64) -> Result<Self> {
        positive("a", a)?;
        positive("sigma", sigma)?;
        if !crate::analytic::stationary::below_half_sigma_sq(a, sigma) {
            return Err(Error::DoesNotExist {
                what: "inverse-gamma limit of SVRG's inner loop",
                condition: format!(
                    "requires sigma^2 > 2a; sigma^2 = {} and 2a = {}: the inner loop's \
                     x - x* then grows without limit",
                    sigma * sigma,
                    2.0 * a
                ),
            });
        }
        let r = 2.0 * a / (sigma * sigma);
        let law = InverseGamma::new(1.0 - r, r).map_err(|e| Error::DoesNotExist {
            what: "inverse-gamma limit of SVRG's inner loop",
            condition: format!("statrs rejected shape {} and scale {r}: {e}", 1.0 - r),
        })?;
        Ok(Self { a, sigma, law })
    }
    /// The limit of an SVRG optimiser's inner loop: `σ² = lr s_ξ² φ/B` (`φ` the
    /// finite-population factor without replacement).
    ///
    /// # Errors
    /// A parameter error naming `optimizer` unless `sgd` is SVRG with a constant rate and
    /// no perturbation, and as [`SvrgLimit::new`].
    pub fn of(sgd: &Sgd<'_>) -> Result<Self> {
        if !matches!(sgd.optimizer, Optimizer::Svrg { .. })
            || sgd.schedule != Schedule::Constant
            || sgd.perturb != 0.0
        {
            return Err(param(
                "optimizer",
                f64::NAN,
                "SVRG with a constant rate and no perturbation",
            ));
        }
        Self::new(sgd.data.a(), curvature_noise(sgd))
    }
    /// Shape `1 − 2a/σ² ∈ (0, 1)`: the mean of the limit is infinite.
    pub fn shape(&self) -> f64 {
        self.law.shape()
    }
    /// Scale of `(x − x*)/x*`, `2a/σ²` (statrs' `rate`).
    pub fn scale(&self) -> f64 {
        self.law.rate()
    }
    /// The law of `(x − x*)/x*` (statrs: density `∝ y^{−shape−1} e^{−scale/y}`).
    pub fn law(&self) -> &InverseGamma {
        &self.law
    }
    /// The relaxation time `1/(σ²/2 − a)` of the inner loop (in `t = n·lr`): the inner
    /// loop must be long against it for the limit to apply.
    pub fn relaxation_time(&self) -> f64 {
        1.0 / (0.5 * self.sigma * self.sigma - self.a)
    }
    /// `g = E ln(1 + Y)`, the mean growth of `ln|x*|` per outer loop in the limit.
    ///
    /// With `Y = β/G`, `G ~ Gamma(α, 1)`: `g = E ln(G + β) − ψ(α)`, and the first term is
    /// `∫₀^∞ ln(u^{1/α} + β) e^{−u^{1/α}} du / Γ(α + 1)` after `g = u^{1/α}` (a smooth
    /// integrand), by tanh-sinh quadrature on `u = s/(1 − s)`.
    pub fn log_growth(&self) -> f64 {
        let (al, be) = (self.shape(), self.scale());
        let inv = 1.0 / al;
        let f = |s: f64, c: f64| {
            // s ∈ (0, 1), c = 1 − s (accurate near 1)
            if c <= 0.0 {
                return 0.0;
            }
            let u = s / c;
            let g = u.powf(inv);
            let v = (g + be).ln() * (-g).exp() / (c * c);
            if v.is_finite() { v } else { 0.0 }
        };
        let integral = crate::analytic::special::tanh_sinh(f, 1.0, 1e-12);
        integral / statrs::function::gamma::gamma(al + 1.0) - digamma(al)
    }
}

/// `lr·φ/B`: a batch mean's variance per unit time is this times the per-sample
/// variance (`φ` the finite-population factor without replacement, 1 with).
fn batch_factor(sgd: &Sgd<'_>) -> f64 {
    let (n, b) = (sgd.data.samples() as f64, sgd.batch as f64);
    let phi = match sgd.sampling {
        Sampling::WithReplacement => 1.0,
        Sampling::WithoutReplacement => (n - b) / (n - 1.0),
    };
    sgd.lr * phi / b
}

/// `σ = s_ξ √(lr φ/B)`, the curvature noise per unit time of `sgd`'s minibatches.
fn curvature_noise(sgd: &Sgd<'_>) -> f64 {
    sgd.data.noise().0 * batch_factor(sgd).sqrt()
}

impl Sgd<'_> {
    /// `σ = s_ξ √(lr φ/B)`: the curvature noise of the minibatches per unit time
    /// `t = n·lr` (the `σ` of the diffusion limit of plain SGD, and of SVRG's inner loop).
    pub fn curvature_noise(&self) -> f64 {
        curvature_noise(self)
    }
}

/// The exponent `γ` of the power tail `P(N > n) ~ C n^{−γ}` of the escape step under an
/// annealed schedule (module docs): `a·lr₀` for `lr₀/n`, `a·lr₀·n₀` for
/// `lr₀/(1 + n/n₀)`; `None` for a constant rate (no power tail).
///
/// ```
/// use saddle_sde::optim::{theory::tail_exponent, Schedule};
/// assert_eq!(tail_exponent(Schedule::Harmonic, 2.0, 0.25), Some(0.5));
/// assert_eq!(tail_exponent(Schedule::InverseTime { n0: 100.0 }, 1.0, 0.01), Some(1.0));
/// assert_eq!(tail_exponent(Schedule::Constant, 1.0, 0.1), None);
/// ```
pub fn tail_exponent(schedule: Schedule, a: f64, lr0: f64) -> Option<f64> {
    match schedule {
        Schedule::Constant => None,
        Schedule::Harmonic => Some(a * lr0),
        Schedule::InverseTime { n0 } => Some(a * lr0 * n0),
    }
}

/// The diffusion limit of SGD on the ReLU loss (module docs): drift `a·w·sign x` and
/// squared diffusion `v₊` for `x > 0`, `v₋` for `x < 0`, in `t = n·lr`. At the kink
/// itself the drift is 0 and `b²(0) = (v₊ + v₋)/2`: a single point carries no time, so
/// the value does not change the process, but grid solvers with a node at 0 (such as
/// [`exit_time_cdf_of`](crate::escape::exact::exit_time_cdf_of)) would turn a smaller
/// value there (the step at exactly `x = 0` has only the slope noise) into a sticky
/// point. A [`OneDimDiffusion`], so the escape module's exit references apply
/// ([`interval_exit_of`](crate::escape::exact::interval_exit_of),
/// [`exit_time_cdf_of`](crate::escape::exact::exit_time_cdf_of)).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReluLimit {
    drift: f64,
    v_pos: f64,
    v_neg: f64,
}

impl ReluLimit {
    /// The limit of `sgd`, which must be the ReLU optimiser at a constant rate.
    ///
    /// # Errors
    /// A parameter error naming `optimizer` otherwise, and [`Error::DoesNotExist`] if a
    /// variance rate vanishes (no diffusion to compare with).
    pub fn of(sgd: &Sgd<'_>) -> Result<Self> {
        let Optimizer::Relu { width } = sgd.optimizer else {
            return Err(param("optimizer", f64::NAN, "ReLU (Optimizer::Relu)"));
        };
        if sgd.schedule != Schedule::Constant {
            return Err(param("optimizer", f64::NAN, "ReLU with a constant rate"));
        }
        let (s_xi, s_eta, rho) = sgd.data.noise();
        let k = batch_factor(sgd);
        let p = sgd.perturb * sgd.perturb / sgd.lr;
        let w = width;
        let v = |sign: f64| {
            k * (w * w * s_xi * s_xi + 2.0 * sign * rho * w * s_xi * s_eta + s_eta * s_eta) + p
        };
        let out = Self {
            drift: sgd.data.a() * w,
            v_pos: v(1.0),
            v_neg: v(-1.0),
        };
        if !(out.v_pos > 0.0 && out.v_neg > 0.0) {
            return Err(Error::DoesNotExist {
                what: "diffusion limit of ReLU SGD",
                condition: "requires a positive variance rate on both sides of the kink".into(),
            });
        }
        Ok(out)
    }
}

impl ReluLimit {
    /// The drift speed `a·w`.
    pub fn drift_speed(&self) -> f64 {
        self.drift
    }
    /// The variance rates `(v₊, v₋)` on `x > 0` and `x < 0`.
    pub fn variance_rates(&self) -> (f64, f64) {
        (self.v_pos, self.v_neg)
    }
}

impl OneDimDiffusion for ReluLimit {
    fn drift(&self, x: f64) -> f64 {
        if x > 0.0 {
            self.drift
        } else if x < 0.0 {
            -self.drift
        } else {
            0.0
        }
    }
    fn b2(&self, x: f64) -> f64 {
        if x > 0.0 {
            self.v_pos
        } else if x < 0.0 {
            self.v_neg
        } else {
            0.5 * (self.v_pos + self.v_neg)
        }
    }
}
