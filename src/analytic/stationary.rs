//! The stationary law of the saddle SDE: a Pearson type IV distribution.
//!
//! # Derivation
//! With `μ = ρτ/σ`, `ω = τ√(1−ρ²)` and `y = x + μ`, the SDE reads
//! `dy = a(y − μ) dt + σy dW + ω dV` (`σx + ρτ = σy`), so the Fokker–Planck drift and
//! diffusion in `y` are `A(y) = a(y − μ)` and `D(y) = ½(σ²y² + ω²)` — the blog's are
//! right. Zero probability flux, `(D p)' = A p`, gives `(D p)'/(D p) = A/D`, and
//!
//! ```text
//! p(y) ∝ (σ²y² + ω²)^{a/σ² − 1} · exp(−2aμ atan(σy/|ω|) / (σ|ω|)).
//! ```
//!
//! (`atan(σy/ω)/ω` is even in `ω`, so the blog's form with a signed `ω` is the same.)
//! In Pearson's notation `p(y) = k [1 + (y/α)²]^{−m} e^{−ν atan(y/α)}` with
//!
//! ```text
//! α = |ω|/σ,     m = 1 − a/σ²,     ν = 2aμ/(σ|ω|),     location λ = −μ in x.
//! ```
//!
//! # When it exists
//! `p` is integrable iff `m > ½`, i.e. **`a < σ²/2`** (tails `∝ |y|^{−2m}`), and it is a
//! density on ℝ iff **`ω ≠ 0`**, i.e. `τ ≠ 0` and `|ρ| < 1`; also `σ > 0`. This covers
//! `a ≤ 0` too (at `a = 0` it is a Cauchy law, for `a < 0` lighter tails). Otherwise:
//! `|ρ| = 1` gives the inverse-gamma law of [`crate::analytic::inverse_gamma_limit`];
//! `τ = 0` gives `x_t → 0`; `σ = 0` with `a < 0` gives the Gaussian `N(0, τ²/(2|a|))`
//! ([`gaussian_limit`]);
//! `a ≥ σ²/2` (to 8 ulps: `a = 1`, `σ = √2` in floating point counts as the boundary)
//! gives no stationary law (`|x_t| → ∞` for `a > σ²/2`, null recurrence at
//! equality).
//!
//! # Normalising constant (closed form)
//! Substituting `y = α tan θ`, `Θ = atan(y/α)` has density
//! `C cos^{2m−2}θ e^{−νθ}` on `(−π/2, π/2)`, and
//!
//! ```text
//! C = k α = |Γ(m + iν/2) / Γ(m)|² / B(m − ½, ½).
//! ```
//!
//! The CDF is `C e^{νπ/2} ∫₀^φ sin^{2m−2}s e^{−νs} ds` with `φ = θ + π/2` (and the mirror
//! image for the upper tail), evaluated by tanh-sinh quadrature after the substitution
//! `s ↦ s^{2m−1}` that removes the endpoint singularity.
//!
//! Accuracy: CDF and quantiles to ~1e-13 relative for moderate parameters. The
//! closed-form constant involves `ln|Γ(m + iν/2)|` of size `~ m + |ν|`, so for very small
//! `σ` (where `m ~ |a|/σ²`) the accuracy degrades to about `10⁻¹⁴ (m + |ν|)`
//! (`~10⁻⁸` at `σ = 10⁻³`, `a = −1`). [`StationaryLaw::new`] refuses `m + |ν| > 10⁸`
//! ([`MAX_M_PLUS_NU`]) and non-finite parameters with [`Error::DoesNotExist`].
//!
//! # Mode, moments, reduction
//! `p'(y) = 0` iff `A(y) = D'(y)`: `y = aμ/(a − σ²)`, i.e. **`x = ρστ/(a − σ²)`** (the
//! blog's formula holds). Moments of order `r` exist iff `r < 1 − 2a/σ²`; then
//! `E[x] = 0` (for `a < 0`) and `Var[x] = τ²/(−2a − σ²)` (for `a < −σ²/2`), the fixed
//! points of the moment equations. For `ρ = 0` (`ν = 0`) the law is a Student-t with
//! `1 − 2a/σ²` degrees of freedom and scale `|τ|/(σ√(1 − 2a/σ²))`.
//!
//! Reference: K. Pearson, *Contributions to the mathematical theory of evolution II*,
//! Phil. Trans. R. Soc. A 186 (1895); J. Heinrich, *A guide to the Pearson type IV
//! distribution*, CDF/MEMO/STATISTICS/PUBLIC/6820 (2004).

use crate::analytic::special::{ln_gamma_ratio_sq, solve_increasing, tanh_sinh};
use crate::error::{Error, Result, Show};
use crate::models::SaddleSde;
use crate::quadrature::gauss_legendre_10;
use rand::Rng;
use rand_distr::Open01;
use statrs::distribution::{Continuous, ContinuousCDF, Normal, StudentsT};
use statrs::function::beta::ln_beta;
use statrs::statistics::{Max, Min};
use std::f64::consts::FRAC_PI_2;

/// Relative tolerance of the CDF quadrature (successive tanh-sinh levels).
const QUAD_TOL: f64 = 1e-14;

/// The stationary law without multiplicative noise: for `σ = 0`, `a < 0`, `τ ≠ 0` the
/// saddle SDE is an Ornstein–Uhlenbeck process with stationary law `N(0, τ²/(2|a|))`
/// (the `σ → 0` limit of `Var = τ²/(−2a − σ²)`).
///
/// # Errors
/// [`Error::DoesNotExist`] unless `σ = 0`, `a < 0` and `τ ≠ 0` (for `σ > 0` see
/// [`StationaryLaw`]).
///
/// ```
/// use saddle_sde::analytic::stationary::gaussian_limit;
/// use saddle_sde::models::SaddleSde;
/// use statrs::statistics::Distribution;
/// let n = gaussian_limit(&SaddleSde::new(-2.0, 0.0, 2.0, 0.3)?)?;
/// assert!((n.variance().unwrap() - 1.0).abs() < 1e-15);
/// # Ok::<(), saddle_sde::Error>(())
/// ```
pub fn gaussian_limit(sde: &SaddleSde) -> Result<Normal> {
    let (a, sigma, tau) = (sde.a(), sde.sigma(), sde.tau());
    if sigma == 0.0 && a < 0.0 && tau != 0.0 {
        Normal::new(0.0, tau.abs() / (-2.0 * a).sqrt()).map_err(|_| Error::DoesNotExist {
            what: "Gaussian stationary law",
            condition: format!("variance tau^2/(2|a|) must be finite; here a = {a}, tau = {tau}"),
        })
    } else {
        Err(Error::DoesNotExist {
            what: "Gaussian stationary law",
            condition: format!(
                "requires sigma = 0, a < 0 and tau != 0; here sigma = {sigma}, a = {a}, tau = {tau}"
            ),
        })
    }
}

/// The stationary law of `x_t` (a Pearson type IV distribution; see the module docs).
///
/// ```
/// use saddle_sde::analytic::stationary::StationaryLaw;
/// use saddle_sde::models::SaddleSde;
/// use statrs::distribution::{Continuous, ContinuousCDF};
/// // the blog's first figure: a = 1, σ = 2, τ = −1, ρ = 0: Student-t, ν = 1/2, scale 1/√2
/// let law = StationaryLaw::new(&SaddleSde::new(1.0, 2.0, -1.0, 0.0)?)?;
/// assert_eq!(law.family(), "Pearson type IV");
/// assert!((law.cdf(0.0) - 0.5).abs() < 1e-13);
/// // Student-t(ν=½) density at 0, divided by the scale 1/√2
/// let t0 = (statrs::function::gamma::ln_gamma(0.75) - statrs::function::gamma::ln_gamma(0.25)).exp()
///     / (0.5 * std::f64::consts::PI).sqrt();
/// assert!((law.pdf(0.0) - t0 * 2f64.sqrt()).abs() < 1e-13);
/// // a = σ²/2: no stationary law
/// assert!(StationaryLaw::new(&SaddleSde::new(1.0, 2f64.sqrt(), -1.0, 0.0)?).is_err());
/// # Ok::<(), saddle_sde::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct StationaryLaw {
    a: f64,
    sigma: f64,
    tau: f64,
    rho: f64,
    mu: f64,
    /// Pearson scale α = |ω|/σ.
    alpha: f64,
    /// Pearson exponent m = 1 − a/σ².
    m: f64,
    /// Pearson skewness parameter ν = 2aμ/(σ|ω|).
    nu: f64,
    /// ln C, C the normalising constant of Θ = atan(y/α).
    ln_c: f64,
    /// P(y ≤ 0) = P(x ≤ −μ).
    p0: f64,
    /// Tables of (angle, tail mass) for the lower and upper halves (inversion starts).
    lower_table: Vec<(f64, f64)>,
    upper_table: Vec<(f64, f64)>,
}

/// Geometric angle nodes `(π/2)·(2/3)^j`, `j = 0..TABLE_NODES`, down to ~1e-12.
const TABLE_NODES: i32 = 68;

/// `ln ∫_lo^hi sin^p s · e^{−ns} ds` for `0 ≤ lo < hi ≤ π/2`, with no singularity inside
/// (`p ≥ 0`, or `lo > 0`). The log-integrand `f(s) = p ln sin s − ns` is scaled by its
/// maximum `c` (so nothing underflows even when `p` and `|n|` are in the thousands, as
/// for small `σ`), and for `p ≥ 0` (concave `f`) the interval is split at the interior
/// maximiser `s* = atan2(p, n)`, so that tanh-sinh clusters its nodes on the peak.
fn ln_smooth_integral(lo: f64, hi: f64, p: f64, n: f64) -> f64 {
    if lo.is_nan() || hi.is_nan() || hi <= lo {
        return f64::NEG_INFINITY;
    }
    let f = |s: f64| {
        if p == 0.0 {
            -n * s
        } else {
            p * s.sin().ln() - n * s
        }
    };
    let peak = if p >= 0.0 {
        p.atan2(n).clamp(lo, hi)
    } else if f(lo) >= f(hi) {
        lo
    } else {
        hi
    };
    let c = f(peak);
    let piece = |a: f64, b: f64| {
        if b <= a {
            0.0
        } else {
            tanh_sinh(|s, _| (f(a + s) - c).exp(), b - a, QUAD_TOL)
        }
    };
    (piece(lo, peak) + piece(peak, hi)).ln() + c
}

/// `a < σ²/2` with a margin of 8 ulps: values that agree to rounding (such as `a = 1`,
/// `σ = √2` in floating point, whose `σ²/2` is `1 + 2.2e-16`) are treated as the
/// boundary, where no law exists.
pub(crate) fn below_half_sigma_sq(a: f64, sigma: f64) -> bool {
    let h = 0.5 * sigma * sigma;
    a < h && h - a > 8.0 * f64::EPSILON * h.abs().max(a.abs())
}

/// Largest `m + |ν|` accepted by [`StationaryLaw::new`]: the closed-form constant
/// carries an absolute error of about `10⁻¹⁴ (m + |ν|)` in its logarithm, so beyond
/// `10⁸` the CDF would have less than 6 correct digits.
pub const MAX_M_PLUS_NU: f64 = 1e8;

/// The condition under which the stationary law exists, in words.
pub const EXISTENCE_CONDITION: &str = "sigma > 0, tau != 0, |rho| < 1 and a < sigma^2/2";

impl StationaryLaw {
    /// The stationary law of `sde`.
    ///
    /// # Errors
    /// [`Error::DoesNotExist`] naming the failing part of the condition
    /// `σ > 0, τ ≠ 0, |ρ| < 1, a < σ²/2` (see the module docs for what happens instead).
    /// Also [`Error::DoesNotExist`] when the law exists mathematically but not in double
    /// precision: when `m`, `ν`, `α`, `μ` or `ln C` is not finite (e.g. `σ = 10⁻¹⁷⁰`, where
    /// `σ²` underflows), or when `m + |ν| >` [`MAX_M_PLUS_NU`] (`σ` tiny against `|a|`),
    /// where the accuracy `~10⁻¹⁴ (m + |ν|)` would be useless. For `a < 0` the law is
    /// then close to the Gaussian `N(0, τ²/(−2a − σ²))`.
    pub fn new(sde: &SaddleSde) -> Result<Self> {
        let (a, sigma, tau, rho) = (sde.a(), sde.sigma(), sde.tau(), sde.rho());
        let fail = |why: String| Error::DoesNotExist {
            what: "Pearson IV stationary law",
            condition: format!("requires {EXISTENCE_CONDITION}; {why}"),
        };
        if sigma <= 0.0 {
            return Err(fail(
                "here sigma = 0 (then for a < 0 the limit is Gaussian N(0, tau^2/(2|a|)))".into(),
            ));
        }
        if tau == 0.0 {
            return Err(fail(
                "here tau = 0 (then x_t -> 0 when a < sigma^2/2)".into(),
            ));
        }
        if rho.abs() >= 1.0 {
            return Err(fail(
                "here |rho| = 1 (omega = 0: see the inverse-gamma limit)".to_string(),
            ));
        }
        if !below_half_sigma_sq(a, sigma) {
            return Err(fail(format!(
                "here a = {a} >= sigma^2/2 = {}",
                0.5 * sigma * sigma
            )));
        }
        let mu = rho * tau / sigma;
        let omega = sde.omega().abs();
        let alpha = omega / sigma;
        let m = 1.0 - a / (sigma * sigma);
        let nu = 2.0 * a * mu / (sigma * omega);
        let ln_c = ln_gamma_ratio_sq(m, 0.5 * nu) - ln_beta(m - 0.5, 0.5);
        let representable = [mu, alpha, m, nu, ln_c].iter().all(|v| v.is_finite()) && alpha > 0.0;
        if !representable || m + nu.abs() > MAX_M_PLUS_NU {
            return Err(Error::DoesNotExist {
                what: "Pearson IV stationary law (in double precision)",
                condition: format!(
                    "requires finite Pearson parameters with m + |nu| <= {MAX_M_PLUS_NU:e}, \
                     m = 1 - a/sigma^2, nu = 2 a rho tau/(sigma^2 |omega|); here a = {}, \
                     sigma = {}, tau = {}, rho = {rho} give m = {}, nu = {}, \
                     alpha = {}, ln C = {} (sigma too small against |a|: for a < 0 \
                     the law is close to the Gaussian N(0, tau^2/(-2a - sigma^2)))",
                    Show(a),
                    Show(sigma),
                    Show(tau),
                    Show(m),
                    Show(nu),
                    Show(alpha),
                    Show(ln_c)
                ),
            });
        }
        let mut law = Self {
            a,
            sigma,
            tau,
            rho,
            mu,
            alpha,
            m,
            nu,
            ln_c,
            p0: 0.0,
            lower_table: Vec::new(),
            upper_table: Vec::new(),
        };
        law.p0 = law.lower_mass(FRAC_PI_2);
        let angles: Vec<f64> = (0..=TABLE_NODES)
            .rev()
            .map(|j| FRAC_PI_2 * (2.0f64 / 3.0).powi(j))
            .collect();
        law.lower_table = angles.iter().map(|&u| (u, law.lower_mass(u))).collect();
        law.upper_table = angles.iter().map(|&u| (u, law.upper_mass(u))).collect();
        Ok(law)
    }

    /// The name of the family, `"Pearson type IV"`.
    pub fn family(&self) -> &'static str {
        "Pearson type IV"
    }

    /// Pearson's parameters `(m, ν, α, λ)`: density
    /// `k [1 + ((x − λ)/α)²]^{−m} exp(−ν atan((x − λ)/α))` with `λ = −μ = −ρτ/σ`.
    pub fn pearson_parameters(&self) -> (f64, f64, f64, f64) {
        (self.m, self.nu, self.alpha, -self.mu)
    }

    /// Pearson's normalising constant `k = |Γ(m + iν/2)/Γ(m)|² / (α B(m − ½, ½))`.
    pub fn normalising_constant(&self) -> f64 {
        (self.ln_c - self.alpha.ln()).exp()
    }

    /// For `ρ = 0` the law is a scaled Student-t: returns it (location 0, scale
    /// `|τ|/(σ√ν)`, `ν = 1 − 2a/σ²` degrees of freedom); `None` for `ρ ≠ 0`.
    pub fn student_t(&self) -> Option<StudentsT> {
        if self.rho != 0.0 {
            return None;
        }
        let dof = 2.0 * self.m - 1.0;
        StudentsT::new(0.0, self.alpha / dof.sqrt(), dof).ok()
    }

    /// Moments `E|x|^r` exist iff `r <` this bound, `1 − 2a/σ² = 2m − 1`.
    pub fn moment_order_bound(&self) -> f64 {
        2.0 * self.m - 1.0
    }

    /// The mode, `x = ρστ/(a − σ²)`.
    pub fn mode(&self) -> f64 {
        let s2 = self.sigma * self.sigma;
        self.rho * self.sigma * self.tau / (self.a - s2)
    }

    /// The median, by [`ContinuousCDF::inverse_cdf`] at ½.
    pub fn median(&self) -> f64 {
        self.inverse_cdf(0.5)
    }

    /// `E[x] = 0`, which exists iff `a < 0`.
    pub fn mean(&self) -> Option<f64> {
        (self.moment_order_bound() > 1.0).then_some(0.0)
    }

    /// `Var[x] = τ²/(−2a − σ²)`, which exists iff `a < −σ²/2`.
    pub fn variance(&self) -> Option<f64> {
        (self.moment_order_bound() > 2.0)
            .then(|| self.tau * self.tau / (-2.0 * self.a - self.sigma * self.sigma))
    }

    /// `ln ∫₀ᵘ sin^{2m−2}s e^{−n s} ds` for `0 ≤ u ≤ π/2` (−∞ at `u = 0`).
    fn ln_tail_integral(&self, u: f64, n: f64) -> f64 {
        if u.is_nan() || u <= 0.0 {
            return f64::NEG_INFINITY;
        }
        let p = 2.0 * self.m - 2.0;
        if p >= 0.0 {
            return ln_smooth_integral(0.0, u, p, n);
        }
        // s = φ^q/q, q = p + 1 ∈ (0, 1): ds = φ^p dφ, integrand (sin φ/φ)^p e^{−nφ},
        // bounded by (π/2)^{|p|} e^{c} with c = max(0, −nu)
        let c = (-n * u).max(0.0);
        let q = p + 1.0;
        let big_s = u.powf(q) / q;
        let v = tanh_sinh(
            |s, _| {
                let phi = (q * s).powf(1.0 / q);
                let sinc = if phi > 0.0 { phi.sin() / phi } else { 1.0 };
                sinc.powf(p) * (-n * phi - c).exp()
            },
            big_s,
            QUAD_TOL,
        );
        v.ln() + c
    }

    /// `P(Θ < φ − π/2)`, `φ ∈ [0, π/2]`.
    fn lower_mass(&self, phi: f64) -> f64 {
        (self.ln_c + self.nu * FRAC_PI_2 + self.ln_tail_integral(phi, self.nu)).exp()
    }

    /// `P(Θ > π/2 − ψ)`, `ψ ∈ [0, π/2]`.
    fn upper_mass(&self, psi: f64) -> f64 {
        (self.ln_c - self.nu * FRAC_PI_2 + self.ln_tail_integral(psi, -self.nu)).exp()
    }

    /// The density of the lower (`upper = false`, angle `φ` from `−π/2`) or upper (angle
    /// `ψ` from `π/2`) tail mass with respect to its angle.
    fn half_density(&self, u: f64, upper: bool) -> f64 {
        let n = if upper { -self.nu } else { self.nu };
        (self.ln_c + n * FRAC_PI_2 + (2.0 * self.m - 2.0) * u.sin().ln() - n * u).exp()
    }

    /// `∫_{u0}^{u1}` of [`Self::half_density`] by 10-point Gauss–Legendre (used only on
    /// intervals at most half as long as their distance to the singular end 0).
    fn half_increment(&self, u0: f64, u1: f64, upper: bool) -> f64 {
        gauss_legendre_10(|u| self.half_density(u, upper), u0, u1)
    }

    /// The angle at which the lower (or upper) tail mass equals `target`: bracketed
    /// Newton from the table node below, with mass increments by Gauss–Legendre while
    /// the step stays short relative to the distance from the singular end, and by the
    /// full tanh-sinh integral otherwise.
    fn invert_half(&self, target: f64, upper: bool) -> f64 {
        let table = if upper {
            &self.upper_table
        } else {
            &self.lower_table
        };
        let j = table.partition_point(|&(_, mass)| mass <= target);
        if j == 0 {
            return self.invert_extreme_tail(target, table[0].0, upper);
        }
        let (lo, mass_lo) = table[j - 1];
        let hi = if j < table.len() {
            table[j].0
        } else {
            FRAC_PI_2
        };
        let full = |u: f64| {
            if upper {
                self.upper_mass(u)
            } else {
                self.lower_mass(u)
            }
        };
        let p_pos = (2.0 * self.m - 2.0).max(0.0);
        let mass = |u: f64| {
            // Gauss–Legendre only on steps short against both the distance to the
            // singular end and the width sin(u)/√p of the peak of sin^p (p ≥ 0)
            let step = (u - lo).abs();
            if step <= 0.5 * lo.min(u) && step * p_pos.sqrt() <= 2.0 * lo.min(u).sin() {
                mass_lo + self.half_increment(lo, u, upper)
            } else {
                full(u)
            }
        };
        solve_increasing(mass, |u| self.half_density(u, upper), target, lo, hi)
    }

    /// Inversion below the smallest table angle `u1`, in `v = ln u`, where the log tail
    /// mass is nearly linear (`≈ (2m − 1)v + const`): Newton–bisection on
    /// `[ln(min positive f64), ln u1]`. Returns an angle that may underflow to 0 (the
    /// quantile is then beyond the `f64` range, which happens near `a = σ²/2`).
    fn invert_extreme_tail(&self, target: f64, u1: f64, upper: bool) -> f64 {
        let n = if upper { -self.nu } else { self.nu };
        let k = self.ln_c + n * FRAC_PI_2;
        let ln_mass = |v: f64| k + self.ln_tail_integral(v.exp(), n);
        let v_min = f64::MIN_POSITIVE.ln();
        let goal = target.ln();
        if ln_mass(v_min) >= goal {
            return 0.0;
        }
        let v = solve_increasing(
            ln_mass,
            |v| {
                let u = v.exp();
                u * self.half_density(u, upper) / ln_mass(v).exp()
            },
            goal,
            v_min,
            u1.ln(),
        );
        v.exp()
    }

    /// `(P(X ≤ x), P(X > x))`. The mass on the far side of `x` from the centre is
    /// integrated directly; the other is its complement when it exceeds ½, and is
    /// otherwise integrated directly too (the centre's half-mass plus the part between
    /// the centre and `x`), so both are accurate relative to their own size. A directly
    /// integrated mass carries the closed-form constant's error (about
    /// `10⁻¹⁴ (m + |ν|)` relative), which once made a far-side mass `1 + 1.9·10⁻⁹` at
    /// `m + |ν| ≈ 4.6·10⁶`: a mass is reported as at most 1, its nearest probability.
    fn masses(&self, x: f64) -> (f64, f64) {
        let y = x + self.mu;
        if y.is_nan() {
            return (f64::NAN, f64::NAN);
        }
        if y <= 0.0 {
            let phi = self.alpha.atan2(-y);
            let lower = self.lower_mass(phi).min(1.0);
            if lower <= 0.5 {
                (lower, 1.0 - lower)
            } else {
                (lower, self.between_mass(phi, false) + self.upper_total())
            }
        } else {
            let psi = self.alpha.atan2(y);
            let upper = self.upper_mass(psi).min(1.0);
            if upper <= 0.5 {
                (1.0 - upper, upper)
            } else {
                (self.p0 + self.between_mass(psi, true), upper)
            }
        }
    }

    /// The mass above `−μ`, `P(Θ > 0)`.
    fn upper_total(&self) -> f64 {
        self.upper_table.last().map_or(0.0, |&(_, m)| m)
    }

    /// The mass between angle `u0` (from the lower end, or from the upper end if
    /// `upper`) and the centre `Θ = 0`, by tanh-sinh on `[u0, π/2]` (no singularity
    /// inside for `u0 > 0`).
    fn between_mass(&self, u0: f64, upper: bool) -> f64 {
        let n = if upper { -self.nu } else { self.nu };
        let lnv = ln_smooth_integral(u0, FRAC_PI_2, 2.0 * self.m - 2.0, n);
        (self.ln_c + n * FRAC_PI_2 + lnv).exp()
    }

    /// `P(x ≤ −μ)` and `P(x > −μ)` computed separately from the closed-form constant;
    /// their sum is 1 up to quadrature error (a check of the constant).
    pub fn split_masses(&self) -> (f64, f64) {
        (self.p0, self.upper_mass(FRAC_PI_2))
    }
}

impl Continuous<f64, f64> for StationaryLaw {
    /// `k [1 + (y/α)²]^{−m} exp(−ν atan(y/α))`, `y = x + μ`.
    fn pdf(&self, x: f64) -> f64 {
        self.ln_pdf(x).exp()
    }
    fn ln_pdf(&self, x: f64) -> f64 {
        let z = (x + self.mu) / self.alpha;
        let l1 = if z.abs() > 1e150 {
            2.0 * z.abs().ln()
        } else {
            (z * z).ln_1p()
        };
        self.ln_c - self.alpha.ln() - self.m * l1 - self.nu * z.atan()
    }
}

impl Min<f64> for StationaryLaw {
    fn min(&self) -> f64 {
        f64::NEG_INFINITY
    }
}

impl Max<f64> for StationaryLaw {
    fn max(&self) -> f64 {
        f64::INFINITY
    }
}

impl ContinuousCDF<f64, f64> for StationaryLaw {
    fn cdf(&self, x: f64) -> f64 {
        self.masses(x).0
    }
    fn sf(&self, x: f64) -> f64 {
        self.masses(x).1
    }
    /// Newton–bisection on the CDF in the angle variable (NaN for `p ∉ [0, 1]`). Near
    /// `a = σ²/2` the far quantiles can exceed the `f64` range; they are returned as
    /// `±∞`.
    fn inverse_cdf(&self, p: f64) -> f64 {
        if !(0.0..=1.0).contains(&p) {
            return f64::NAN;
        }
        if p == 0.0 {
            return f64::NEG_INFINITY;
        }
        if p == 1.0 {
            return f64::INFINITY;
        }
        let y = if p <= self.p0 {
            -self.alpha / self.invert_half(p, false).tan()
        } else if p < 0.5 {
            // lower tail above the centre (p0 < p < ½, a strongly skewed law): solve
            // p0 + P(0 < Θ < u) = p directly, since 1 − p would lose p's relative digits
            let g = |u: f64| {
                if u >= FRAC_PI_2 {
                    1.0
                } else {
                    self.p0 + self.between_mass(FRAC_PI_2 - u, true)
                }
            };
            let u = solve_increasing(
                g,
                |u| self.half_density(FRAC_PI_2 - u, true),
                p,
                0.0,
                FRAC_PI_2,
            );
            self.alpha * u.tan()
        } else {
            self.alpha / self.invert_half(1.0 - p, true).tan()
        };
        y - self.mu
    }
}

impl statrs::statistics::Distribution<f64> for StationaryLaw {
    fn mean(&self) -> Option<f64> {
        StationaryLaw::mean(self)
    }
    fn variance(&self) -> Option<f64> {
        StationaryLaw::variance(self)
    }
}

impl rand_distr::Distribution<f64> for StationaryLaw {
    /// Inversion: `F⁻¹(U)` with `U` uniform on `(0, 1)`.
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        let u: f64 = Open01.sample(rng);
        self.inverse_cdf(u)
    }
}
