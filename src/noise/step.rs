//! The noise over one step: increments and iterated integrals, and the step-length
//! checks every sampler shares.

use crate::error::Result;

/// The noise over one step of length `h` for `M` independent Brownian motions: the
/// increments `ΔZ_k` and the iterated Itô integrals
/// `I_(j,k) = ∫∫_{s₁<s₂} dZ_j(s₁) dZ_k(s₂)`.
///
/// Always `I_(j,j) = (ΔZ_j² − h)/2` and `I_(j,k) + I_(k,j) = ΔZ_j ΔZ_k`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StepNoise<const M: usize> {
    /// Step length `h`.
    pub h: f64,
    /// Increments `ΔZ_k`.
    pub dz: [f64; M],
    /// Iterated integrals, `iterated[j][k] = I_(j,k)`.
    pub iterated: [[f64; M]; M],
}

impl<const M: usize> StepNoise<M> {
    /// The noise given increments and Lévy areas `area[j][k] = A_jk` (antisymmetric):
    /// `I_(j,k) = ½ΔZ_jΔZ_k + A_jk − ½hδ_jk`.
    pub fn from_areas(h: f64, dz: [f64; M], area: [[f64; M]; M]) -> Self {
        let mut iterated = [[0.0; M]; M];
        for j in 0..M {
            for k in 0..M {
                iterated[j][k] = 0.5 * dz[j] * dz[k] + area[j][k];
            }
            iterated[j][j] -= 0.5 * h;
        }
        Self { h, dz, iterated }
    }

    /// The noise given increments only, with all Lévy areas set to zero. Exact for
    /// schemes that need only the symmetric part `½(I_(j,k) + I_(k,j))`.
    pub fn without_areas(h: f64, dz: [f64; M]) -> Self {
        Self::from_areas(h, dz, [[0.0; M]; M])
    }

    /// Lévy area `A_jk = ½(I_(j,k) − I_(k,j))`.
    pub fn area(&self, j: usize, k: usize) -> f64 {
        0.5 * (self.iterated[j][k] - self.iterated[k][j])
    }
}

/// A step length for which every sampled quantity is finite: `h ∈ [1e-300, 1e100]`.
pub(crate) fn check_step(h: f64) -> Result<f64> {
    if (1e-300..=1e100).contains(&h) {
        Ok(h)
    } else {
        Err(crate::error::param("h", h, "in [1e-300, 1e100]"))
    }
}
