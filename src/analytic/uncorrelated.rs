//! The law of `x_t` at a finite time in the uncorrelated case `ρ = 0`.
//!
//! With `Φ_t = exp((a − σ²/2)t + σW_t)` the pathwise solution is
//! `x_t = x₀Φ_t + τ Φ_t ∫₀ᵗ Φ_s⁻¹ dV_s` with `V` independent of `W`. Conditionally on
//! the whole path of `W`, the stochastic integral is a Wiener integral with a
//! deterministic integrand, so
//!
//! ```text
//! x_t | W  ~  N( x₀Φ_t ,  τ² Φ_t² ∫₀ᵗ Φ_s⁻² ds ):
//! ```
//!
//! the law of `x_t` is a **Gaussian mixture**. The component means `x₀Φ_t` are exactly
//! lognormal (`ln(Φ_t) ~ N((a − σ²/2)t, σ²t)`); the component variances are the
//! exponential functional `τ²∫₀ᵗ exp(2(a − σ²/2)(t − s) + 2σ(W_t − W_s)) ds`, which is
//! *not* lognormal (Yor's functional), so "lognormal mixture of Gaussians" is exact
//! for the means only. What is exact in closed form:
//!
//! ```text
//! E[x_t] = x₀e^{at},
//! E[within-component variance]  = τ² (e^{(2a+σ²)t} − 1)/(2a + σ²),
//! Var[component mean]           = x₀² (e^{(2a+σ²)t} − e^{2at}),
//! Var[x_t] = sum of the two       (the law of total variance).
//! ```
//!
//! With `σ = 0` there is a single component: `x_t ~ N(x₀e^{at}, τ²(e^{2at} − 1)/(2a))`.

use crate::analytic::saddle::{mean as exact_mean, phi, variance as exact_variance};
use crate::error::{Result, count, finite, non_negative, param};
use crate::models::SaddleSde;
use rand::Rng;
use rand_distr::{Distribution, StandardNormal};
use statrs::distribution::{LogNormal, Normal};

/// Largest number of steps accepted by [`UncorrelatedLaw::with_steps`] (`2²⁴`: one
/// draw then takes about 0.1 s; the trapezoid bias `O(t/steps)` is far below any
/// sampling error by then).
pub const MAX_STEPS: usize = 1 << 24;

/// The law of `x_t` for `ρ = 0` started at `x₀` (see the module docs).
///
/// ```
/// use saddle_sde::analytic::uncorrelated::UncorrelatedLaw;
/// use saddle_sde::models::SaddleSde;
/// let law = UncorrelatedLaw::new(&SaddleSde::new(1.0, 2.0, -1.0, 0.0)?, 0.5, 1.0)?;
/// let k = (2.0f64 + 4.0).exp(); // e^{(2a+σ²)t}
/// assert!((law.mean_within_variance() - (k - 1.0) / 6.0).abs() < 1e-9);
/// assert!((law.variance() - law.mean_within_variance() - law.variance_of_means()).abs() < 1e-9);
/// # Ok::<(), saddle_sde::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct UncorrelatedLaw {
    sde: SaddleSde,
    x0: f64,
    t: f64,
    steps: usize,
}

impl UncorrelatedLaw {
    /// The law at time `t` started from `x0`. The sampler resolves `W` on 4096 steps;
    /// see [`UncorrelatedLaw::with_steps`].
    ///
    /// # Errors
    /// Parameter errors naming `rho` (must be 0), `x0` (finite) or `t` (finite, `≥ 0`,
    /// and small enough that `E[x_t]`, `Var[x_t]` and its two parts are finite: roughly
    /// `max(2a + σ², 2a)·t < 709`, otherwise they overflow to `∞` or `NaN`).
    pub fn new(sde: &SaddleSde, x0: f64, t: f64) -> Result<Self> {
        if sde.rho() != 0.0 {
            return Err(param("rho", sde.rho(), "0 (the uncorrelated case)"));
        }
        finite("x0", x0)?;
        non_negative("t", t)?;
        let law = Self {
            sde: sde.clone(),
            x0,
            t,
            steps: 4096,
        };
        for (what, v) in [
            ("E[x_t]", law.mean()),
            ("Var[x_t]", law.variance()),
            (
                "the mean within-component variance",
                law.mean_within_variance(),
            ),
            (
                "the variance of the component means",
                law.variance_of_means(),
            ),
        ] {
            if !v.is_finite() {
                return Err(param(
                    "t",
                    t,
                    format!(
                        "finite, >= 0 and small enough that the moments of x_t are finite \
                         (here {what} = {v} for a = {}, sigma = {}, tau = {}, x0 = {x0})",
                        sde.a(),
                        sde.sigma(),
                        sde.tau()
                    ),
                ));
            }
        }
        Ok(law)
    }

    /// Sets the number of steps on which the sampler resolves `W` (the increments are
    /// streamed, not stored; each draw costs `O(steps)` time).
    ///
    /// # Errors
    /// A parameter error naming `steps` unless `1 ≤ steps ≤` [`MAX_STEPS`].
    pub fn with_steps(mut self, steps: usize) -> Result<Self> {
        count("steps", steps)?;
        if steps > MAX_STEPS {
            return Err(param("steps", steps as f64, format!("in [1, {MAX_STEPS}]")));
        }
        self.steps = steps;
        Ok(self)
    }

    /// `E[x_t] = x₀e^{at}`.
    pub fn mean(&self) -> f64 {
        exact_mean(&self.sde, self.x0, self.t)
    }

    /// `Var[x_t]`, from [`crate::analytic::saddle::variance`].
    pub fn variance(&self) -> f64 {
        exact_variance(&self.sde, self.x0, self.t)
    }

    /// `E[τ²Φ_t²∫₀ᵗΦ_s⁻²ds] = τ²(e^{(2a+σ²)t} − 1)/(2a + σ²)`.
    pub fn mean_within_variance(&self) -> f64 {
        let (a, s, tau) = (self.sde.a(), self.sde.sigma(), self.sde.tau());
        tau * tau * phi(2.0 * a + s * s, self.t)
    }

    /// `Var[x₀Φ_t] = x₀²(e^{(2a+σ²)t} − e^{2at})`.
    pub fn variance_of_means(&self) -> f64 {
        let (a, s) = (self.sde.a(), self.sde.sigma());
        let x0 = self.x0;
        x0 * x0 * (2.0 * a * self.t).exp() * (s * s * self.t).exp_m1()
    }

    /// The law of `Φ_t = x_t's component mean / x₀`: `LogNormal((a − σ²/2)t, σ√t)`;
    /// `None` when `σ√t = 0` (a point mass).
    pub fn component_mean_factor_law(&self) -> Option<LogNormal> {
        let s = self.sde.sigma() * self.t.sqrt();
        LogNormal::new(self.sde.lyapunov_rate() * self.t, s).ok()
    }

    /// For `σ = 0` the exact Gaussian law of `x_t`; `None` otherwise (and when `τ = 0`
    /// or `t = 0`, where it is a point mass).
    pub fn gaussian_law(&self) -> Option<Normal> {
        if self.sde.sigma() != 0.0 {
            return None;
        }
        Normal::new(self.mean(), self.variance().sqrt()).ok()
    }

    /// Given a path of `W` on a uniform grid of `[0, t]` (its increments), the
    /// component `(mean, variance)` of `x_t | W`: `Φ` is exact at the grid points and
    /// `∫₀ᵗ Φ_s⁻² ds` is taken by the trapezoid rule on the grid (bias `O(h)`).
    ///
    /// # Errors
    /// A parameter error naming `dw.len()` if `dw` is empty (no path of `W` given).
    pub fn component_given_w(&self, dw: &[f64]) -> Result<(f64, f64)> {
        if dw.is_empty() {
            return Err(param(
                "dw.len()",
                0.0,
                ">= 1 (the increments of W on a uniform grid of [0, t])",
            ));
        }
        Ok(self.component_from(dw.len(), dw.iter().copied()))
    }

    /// [`Self::component_given_w`] on `n ≥ 1` streamed increments.
    fn component_from(&self, n: usize, dw: impl Iterator<Item = f64>) -> (f64, f64) {
        let mut tr = Trapezoid::new(&self.sde, self.t / n as f64);
        for d in dw {
            tr.push(d);
        }
        self.component_of(&tr)
    }

    /// The component `(mean, variance)` from a finished trapezoid recursion.
    fn component_of(&self, tr: &Trapezoid) -> (f64, f64) {
        let tau = self.sde.tau();
        let mean = if self.x0 == 0.0 {
            0.0
        } else {
            self.x0 * tr.ln_phi.exp()
        };
        let var = if tau == 0.0 { 0.0 } else { tau * tau * tr.j };
        (mean, var)
    }
}

/// `ln Φ` at the grid points and `J_k = Φ_k² ∫₀^{t_k} Φ_s⁻² ds` by the trapezoid rule,
/// `J_{k+1} = g²(J_k + h/2) + h/2` with `g = Φ_{k+1}/Φ_k`: no `Φ⁻²` that overflows while
/// `Φ_t²` underflows (`0·∞ = NaN`).
struct Trapezoid {
    theta: f64,
    sigma: f64,
    h: f64,
    ln_phi: f64,
    j: f64,
}

impl Trapezoid {
    fn new(sde: &SaddleSde, h: f64) -> Self {
        Self {
            theta: sde.lyapunov_rate(),
            sigma: sde.sigma(),
            h,
            ln_phi: 0.0,
            j: 0.0,
        }
    }
    #[inline]
    fn push(&mut self, dw: f64) {
        let step = self.theta * self.h + self.sigma * dw;
        self.ln_phi += step;
        self.j = (2.0 * step).exp() * (self.j + 0.5 * self.h) + 0.5 * self.h;
    }
}

impl UncorrelatedLaw {
    /// Draws one mixture component: a path of `W` on the sampler's grid, and the
    /// component `(mean, variance)` of `x_t | W` ([`Self::component_given_w`]). The
    /// average of the component densities over many draws estimates the density of
    /// `x_t` (a Monte Carlo curve, smooth in `x`).
    ///
    /// ```
    /// use saddle_sde::{analytic::uncorrelated::UncorrelatedLaw, models::SaddleSde, noise::path_rng};
    /// let law = UncorrelatedLaw::new(&SaddleSde::new(1.0, 0.0, 1.0, 0.0)?, 1.0, 1.0)?;
    /// // σ = 0: one component, N(e, (e² − 1)/2)
    /// let (m, v) = law.sample_component(&mut path_rng(1, 0));
    /// let e = 1f64.exp();
    /// assert!((m - e).abs() < 1e-12 && (v - (e * e - 1.0) / 2.0).abs() < 1e-5);
    /// # Ok::<(), saddle_sde::Error>(())
    /// ```
    pub fn sample_component<R: Rng + ?Sized>(&self, rng: &mut R) -> (f64, f64) {
        let h = self.t / self.steps as f64;
        let sq = h.sqrt();
        let dw = (0..self.steps).map(|_| {
            let z: f64 = StandardNormal.sample(rng);
            sq * z
        });
        self.component_from(self.steps, dw)
    }

    /// A Richardson pair of draws: `x = m + √v·Z` on the sampler's grid and on the grid
    /// of half as many steps, from the same path of `W` (the coarse increments are sums of
    /// two fine ones) and the same `Z`. The component mean is exact on any grid; the
    /// variance's trapezoid rule has an `O(h)` bias, which the pair estimates
    /// (`F_h − F = F_2h − F_h + O(h²)`; see
    /// [`richardson_ks_allowance`](crate::uncertainty::richardson_ks_allowance)).
    ///
    /// # Errors
    /// A parameter error naming `steps` if the sampler's step count is odd.
    pub fn sample_richardson<R: Rng + ?Sized>(&self, rng: &mut R) -> Result<(f64, f64)> {
        if !self.steps.is_multiple_of(2) {
            return Err(param(
                "steps",
                self.steps as f64,
                "even (the coarse grid takes pairs of steps)",
            ));
        }
        let h = self.t / self.steps as f64;
        let sq = h.sqrt();
        let mut fine = Trapezoid::new(&self.sde, h);
        let mut coarse = Trapezoid::new(&self.sde, 2.0 * h);
        for _ in 0..self.steps / 2 {
            let z1: f64 = StandardNormal.sample(rng);
            let z2: f64 = StandardNormal.sample(rng);
            fine.push(sq * z1);
            fine.push(sq * z2);
            coarse.push(sq * (z1 + z2));
        }
        let z: f64 = StandardNormal.sample(rng);
        let (mf, vf) = self.component_of(&fine);
        let (mc, vc) = self.component_of(&coarse);
        Ok((mf + vf.sqrt() * z, mc + vc.sqrt() * z))
    }
}

impl Distribution<f64> for UncorrelatedLaw {
    /// Draws `W` on the grid, then `x = m + √v·Z` from the component `(m, v)`.
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        let (m, v) = self.sample_component(rng);
        let z: f64 = StandardNormal.sample(rng);
        m + v.sqrt() * z
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::noise::path_rng;

    /// The fine value of the Richardson pair is the sampler's own draw, bit for bit; the
    /// coarse one is the component on the summed increments (half the steps, the same
    /// `W`) with the same `Z`; an odd step count is refused.
    #[test]
    fn richardson_pair_extends_the_sampler() {
        let sde = SaddleSde::new(0.5, 0.8, 0.5, 0.0).unwrap();
        let law = UncorrelatedLaw::new(&sde, 1.0, 1.0)
            .unwrap()
            .with_steps(64)
            .unwrap();
        for i in 0..50 {
            let (f, c) = law.sample_richardson(&mut path_rng(3, i)).unwrap();
            assert_eq!(f.to_bits(), law.sample(&mut path_rng(3, i)).to_bits());
            let mut rng = path_rng(3, i);
            let zs: Vec<f64> = (0..64).map(|_| StandardNormal.sample(&mut rng)).collect();
            let z: f64 = StandardNormal.sample(&mut rng);
            let sq = (1.0f64 / 64.0).sqrt();
            let dw: Vec<f64> = zs.chunks(2).map(|p| sq * (p[0] + p[1])).collect();
            let (m, v) = law.component_given_w(&dw).unwrap();
            assert_eq!(c.to_bits(), (m + v.sqrt() * z).to_bits(), "sample {i}");
            assert_ne!(f, c);
        }
        let odd = law.with_steps(33).unwrap();
        assert!(matches!(
            odd.sample_richardson(&mut path_rng(3, 0)),
            Err(crate::Error::Param(p)) if p.name == "steps"
        ));
    }
}
