//! The d-dimensional local model of a noisy saddle.

use crate::correlation::Correlation;
use crate::error::{Error, Result, finite, non_negative};
use crate::sde::{DiffusionJacobian, Sde};
use nalgebra::DMatrix;

/// The blog's local saddle in `d` principal directions, each with its own noisy
/// curvature and slope:
///
/// ```text
/// dx_i = a_i x_i dt + σ_i x_i dW_i + τ_i dU_i,      i = 1, …, d
/// ```
///
/// `a_i > 0` is an unstable (concave, repulsive) direction and `a_i < 0` a stable one,
/// so the blog's `f = −Σ_{i≤k} a_i x_i²/2 + Σ_{i>k} a_i x_i²/2` has `k` positive and
/// `d − k` negative `a_i` here. The `2d` Brownian motions are ordered
/// `(W_1, …, W_d, U_1, …, U_d)` and have a full `2d × 2d` correlation matrix.
///
/// ```
/// use saddle_sde::models::LocalSaddle;
/// use saddle_sde::Correlation;
/// let m = LocalSaddle::new(vec![1.0, -2.0], vec![0.5, 0.5], vec![0.1, 0.1],
///                          Correlation::identity(4)).unwrap();
/// assert_eq!(m.unstable_directions(), 1);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct LocalSaddle {
    a: Vec<f64>,
    sigma: Vec<f64>,
    tau: Vec<f64>,
    correlation: Correlation,
}

impl LocalSaddle {
    /// # Errors
    /// [`Error::Dimension`] if the lengths disagree (or are zero) or the correlation is
    /// not `2d × 2d`; a parameter error naming `a`, `sigma` or `tau` for a non-finite
    /// entry or a negative `sigma`.
    pub fn new(
        a: Vec<f64>,
        sigma: Vec<f64>,
        tau: Vec<f64>,
        correlation: Correlation,
    ) -> Result<Self> {
        let d = a.len();
        crate::error::count("d (length of a)", d)?;
        for (what, v) in [("sigma", &sigma), ("tau", &tau)] {
            if v.len() != d {
                return Err(Error::Dimension {
                    what,
                    expected: d,
                    got: v.len(),
                });
            }
        }
        if correlation.dim() != 2 * d {
            return Err(Error::Dimension {
                what: "correlation",
                expected: 2 * d,
                got: correlation.dim(),
            });
        }
        for &x in &a {
            finite("a", x)?;
        }
        for &x in &sigma {
            non_negative("sigma", x)?;
        }
        for &x in &tau {
            finite("tau", x)?;
        }
        Ok(Self {
            a,
            sigma,
            tau,
            correlation,
        })
    }

    /// Builds the model with `corr(W_i, U_i) = ρ_i` and all other pairs independent.
    ///
    /// # Errors
    /// As [`LocalSaddle::new`], and a parameter error naming `rho` if `|ρ_i| > 1`.
    pub fn with_pairwise_rho(
        a: Vec<f64>,
        sigma: Vec<f64>,
        tau: Vec<f64>,
        rho: &[f64],
    ) -> Result<Self> {
        let d = a.len();
        if rho.len() != d {
            return Err(Error::Dimension {
                what: "rho",
                expected: d,
                got: rho.len(),
            });
        }
        let mut c = DMatrix::identity(2 * d, 2 * d);
        for (i, &r) in rho.iter().enumerate() {
            crate::error::in_closed("rho", r, -1.0, 1.0)?;
            c[(i, d + i)] = r;
            c[(d + i, i)] = r;
        }
        Self::new(a, sigma, tau, Correlation::new(c)?)
    }

    /// Number of unstable directions `k` (those with `a_i > 0`).
    pub fn unstable_directions(&self) -> usize {
        self.a.iter().filter(|&&x| x > 0.0).count()
    }
    /// Rates `a_i`.
    pub fn a(&self) -> &[f64] {
        &self.a
    }
    /// Multiplicative intensities `σ_i`.
    pub fn sigma(&self) -> &[f64] {
        &self.sigma
    }
    /// Additive intensities `τ_i`.
    pub fn tau(&self) -> &[f64] {
        &self.tau
    }
    /// The law of direction `i` alone: `dx_i = a_i x_i dt + σ_i x_i dW_i + τ_i dU_i` is the
    /// scalar saddle SDE with `ρ = corr(W_i, U_i)`, whatever the correlations with the
    /// other directions (they shape the joint law only). Its exact exit results apply to
    /// each direction's marginal.
    ///
    /// # Errors
    /// A parameter error naming `direction` if `i ≥ d`.
    ///
    /// ```
    /// use saddle_sde::models::LocalSaddle;
    /// let m = LocalSaddle::with_pairwise_rho(vec![1.0, -2.0], vec![0.5, 0.1], vec![0.1, 0.2], &[0.3, 0.0])?;
    /// assert_eq!(m.marginal(0)?.rho(), 0.3);
    /// # Ok::<(), saddle_sde::Error>(())
    /// ```
    pub fn marginal(&self, i: usize) -> Result<crate::models::SaddleSde> {
        let d = self.a.len();
        if i >= d {
            return Err(crate::error::param(
                "direction",
                i as f64,
                format!("an index in 0..{d}"),
            ));
        }
        // a valid correlation matrix has |ρ| ≤ 1; the clamp removes rounding only
        let rho = self.correlation.matrix()[(i, d + i)].clamp(-1.0, 1.0);
        crate::models::SaddleSde::new(self.a[i], self.sigma[i], self.tau[i], rho)
    }
}

impl Sde for LocalSaddle {
    fn dim(&self) -> usize {
        self.a.len()
    }
    fn noise_dim(&self) -> usize {
        2 * self.a.len()
    }
    fn correlation(&self) -> &Correlation {
        &self.correlation
    }
    fn drift(&self, _t: f64, x: &[f64], out: &mut [f64]) {
        for i in 0..self.a.len() {
            out[i] = self.a[i] * x[i];
        }
    }
    fn diffusion(&self, _t: f64, x: &[f64], out: &mut [f64]) {
        let d = self.a.len();
        out.iter_mut().for_each(|v| *v = 0.0);
        for i in 0..d {
            out[i + d * i] = self.sigma[i] * x[i];
            out[i + d * (d + i)] = self.tau[i];
        }
    }
}

impl DiffusionJacobian for LocalSaddle {
    fn diffusion_jacobian(&self, _t: f64, _x: &[f64], out: &mut [f64]) {
        let d = self.a.len();
        out.iter_mut().for_each(|v| *v = 0.0);
        for i in 0..d {
            // column k = i (W_i), row i, derivative wrt x_i
            out[(i * d + i) * d + i] = self.sigma[i];
        }
    }
}
