//! Brownian increments and paths with their iterated integrals.

use super::levy_area::LevyArea;
use crate::error::{count, positive, Error, Result};
use rand::Rng;
use rand_distr::{Distribution, StandardNormal};

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

    /// Draws independent increments `ΔZ_k ~ N(0, h)` and, when `areas` is given, the
    /// Lévy areas (for `M = 2` with [`LevyArea::sample`]; `M > 2` shares the series
    /// terms across pairs). Allocates nothing.
    ///
    /// # Errors
    /// A parameter error naming `h` unless it is in `[1e-300, 1e100]` (where `√h`, `ΔZ²`
    /// and `√(2/h)` are finite) and, when `areas` is given, equal to the sampler's
    /// [`LevyArea::step`] (to 1e-12 relative).
    pub fn sample<R: Rng + ?Sized>(rng: &mut R, h: f64, areas: Option<&LevyArea>) -> Result<Self> {
        check_step(h)?;
        if let Some(a) = areas {
            check_area_step(h, a)?;
        }
        Ok(Self::sample_unchecked(rng, h, h.sqrt(), areas))
    }

    /// [`sample`](Self::sample) for callers that validated `h` once (the drivers) and
    /// pass `sq = √h`, computed once: no per-step checks and no per-step square root.
    #[inline(always)]
    pub(crate) fn sample_unchecked<R: Rng + ?Sized>(
        rng: &mut R,
        h: f64,
        sq: f64,
        areas: Option<&LevyArea>,
    ) -> Self {
        let mut dz = [0.0; M];
        for v in dz.iter_mut() {
            let z: f64 = StandardNormal.sample(rng);
            *v = sq * z;
        }
        let area = match areas {
            Some(sampler) if M >= 2 => sampler.sample_matrix(rng, &dz),
            _ => [[0.0; M]; M],
        };
        Self::from_areas(h, dz, area)
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

/// The Lévy-area sampler must be for the step being drawn.
pub(crate) fn check_area_step(h: f64, a: &LevyArea) -> Result<()> {
    if (a.step() - h).abs() <= 1e-12 * h {
        Ok(())
    } else {
        Err(crate::error::param(
            "h",
            h,
            format!("equal to the Lévy-area sampler's step {}", a.step()),
        ))
    }
}

/// A Brownian path of `M` independent motions on a fine uniform grid, with the
/// iterated integrals over each fine step, coarsened **exactly**.
///
/// Coarsening uses Chen's relation: for consecutive steps `[s, u]`, `[u, v]`,
///
/// ```text
/// ΔZ[s,v] = ΔZ[s,u] + ΔZ[u,v],     I_(j,k)[s,v] = I_(j,k)[s,u] + I_(j,k)[u,v] + ΔZ_j[s,u] ΔZ_k[u,v].
/// ```
///
/// Several step sizes can then be run on the same path, which is what strong
/// convergence tests need: coarse increments and iterated integrals are those of the
/// fine path, not fresh draws.
///
/// ```
/// use rand::SeedableRng;
/// use saddle_sde::noise::{BrownianPath, LevyArea};
/// let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(1);
/// let areas = LevyArea::with_terms(4, 1.0 / 64.0).unwrap();
/// let path = BrownianPath::<2>::sample(&mut rng, 1.0, 64, Some(&areas)).unwrap();
/// let coarse = path.coarsen(8).unwrap();
/// assert_eq!(coarse.len(), 8);
/// let sum: f64 = path.steps().iter().map(|s| s.dz[0]).sum();
/// let csum: f64 = coarse.iter().map(|s| s.dz[0]).sum();
/// assert!((sum - csum).abs() < 1e-12);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct BrownianPath<const M: usize> {
    steps: Vec<StepNoise<M>>,
}

impl<const M: usize> BrownianPath<M> {
    /// Samples a path on `[0, t_end]` with `n` fine steps. `areas = None` gives a path
    /// without Lévy areas (all zero), enough for schemes that do not use them.
    ///
    /// # Errors
    /// Parameter errors naming `t_end` (must be `> 0`) or `steps` (must be `≥ 1`), or
    /// `h` if `h = t_end/n` is outside `[1e-300, 1e100]` or `areas` is for another step.
    pub fn sample<R: Rng + ?Sized>(
        rng: &mut R,
        t_end: f64,
        n: usize,
        areas: Option<&LevyArea>,
    ) -> Result<Self> {
        positive("t_end", t_end)?;
        count("steps", n)?;
        let h = check_step(t_end / n as f64)?;
        if let Some(a) = areas {
            check_area_step(h, a)?;
        }
        let sq = h.sqrt();
        let steps = (0..n)
            .map(|_| StepNoise::sample_unchecked(rng, h, sq, areas))
            .collect();
        Ok(Self { steps })
    }

    /// Refills `self` in place with a new path of the same grid (no allocation).
    ///
    /// # Errors
    /// As [`BrownianPath::sample`] if `areas` is for another step.
    pub fn resample<R: Rng + ?Sized>(
        &mut self,
        rng: &mut R,
        areas: Option<&LevyArea>,
    ) -> Result<()> {
        let Some(h) = self.steps.first().map(|s| s.h) else {
            return Ok(());
        };
        if let Some(a) = areas {
            check_area_step(h, a)?;
        }
        let sq = h.sqrt();
        for s in self.steps.iter_mut() {
            *s = StepNoise::sample_unchecked(rng, h, sq, areas);
        }
        Ok(())
    }

    /// Builds a path from given fine steps.
    pub fn from_steps(steps: Vec<StepNoise<M>>) -> Self {
        Self { steps }
    }

    /// The fine steps.
    pub fn steps(&self) -> &[StepNoise<M>] {
        &self.steps
    }

    /// Groups the fine steps `factor` at a time (Chen's relation, exact).
    ///
    /// # Errors
    /// [`Error::Dimension`] unless `factor ≥ 1` divides the number of fine steps.
    pub fn coarsen(&self, factor: usize) -> Result<Vec<StepNoise<M>>> {
        let mut out = Vec::new();
        self.coarsen_into(factor, &mut out)?;
        Ok(out)
    }

    /// As [`coarsen`](Self::coarsen), reusing `out`'s allocation.
    ///
    /// # Errors
    /// As [`coarsen`](Self::coarsen).
    pub fn coarsen_into(&self, factor: usize, out: &mut Vec<StepNoise<M>>) -> Result<()> {
        if factor == 0 || self.steps.len() % factor != 0 {
            return Err(Error::Dimension {
                what: "coarsening factor (must divide the number of fine steps)",
                expected: self.steps.len(),
                got: factor,
            });
        }
        out.clear();
        out.extend(self.steps.chunks_exact(factor).map(chen));
        Ok(())
    }
}

/// Concatenates consecutive steps with Chen's relation.
pub fn chen<const M: usize>(steps: &[StepNoise<M>]) -> StepNoise<M> {
    let mut acc = StepNoise {
        h: 0.0,
        dz: [0.0; M],
        iterated: [[0.0; M]; M],
    };
    for s in steps {
        for j in 0..M {
            for k in 0..M {
                acc.iterated[j][k] += s.iterated[j][k] + acc.dz[j] * s.dz[k];
            }
        }
        for j in 0..M {
            acc.dz[j] += s.dz[j];
        }
        acc.h += s.h;
    }
    acc
}

/// Correlated Brownian increments: draws `m` independent `N(0, h)` into `dz` and
/// writes `db = L dz`, `L` the factor of `corr`, so that `Cov(db) = h C`.
///
/// # Errors
/// A parameter error naming `h` unless finite and `> 0`; [`crate::Error::Dimension`] if
/// `dz` or `db` is not of length `m`.
pub fn correlated_increments<R: Rng + ?Sized>(
    rng: &mut R,
    corr: &crate::Correlation,
    h: f64,
    dz: &mut [f64],
    db: &mut [f64],
) -> Result<()> {
    positive("h", h)?;
    if dz.len() != corr.dim() {
        return Err(Error::Dimension {
            what: "dz",
            expected: corr.dim(),
            got: dz.len(),
        });
    }
    let sq = h.sqrt();
    for v in dz.iter_mut() {
        let z: f64 = StandardNormal.sample(rng);
        *v = sq * z;
    }
    corr.correlate(dz, db)
}
