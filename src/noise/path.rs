//! Brownian increments and paths with their iterated integrals.

use super::levy_area::{LevyArea, check_area_step};
use super::step::{StepNoise, check_step};
use crate::error::{Error, Result, count, positive};
use rand::Rng;

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

    /// Builds a path from given fine steps (your own increments and iterated
    /// integrals), for example to run several schemes or step sizes on them.
    ///
    /// ```
    /// use saddle_sde::noise::{BrownianPath, StepNoise};
    /// let fine = vec![StepNoise::without_areas(0.5, [0.1, 0.2]), StepNoise::without_areas(0.5, [0.3, -0.1])];
    /// let c = BrownianPath::from_steps(fine).coarsen(2).unwrap();
    /// // Chen: I_(1,2) = I_(1,2)[first] + I_(1,2)[second] + ΔZ₁[first]·ΔZ₂[second] = 0.01 − 0.015 − 0.01
    /// assert!((c[0].iterated[0][1] - (0.01 - 0.015 - 0.01)).abs() < 1e-15);
    /// assert!((c[0].dz[0] - 0.4).abs() < 1e-15);
    /// ```
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
        if factor == 0 || !self.steps.len().is_multiple_of(factor) {
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
        let z = super::normal::standard_normal(rng);
        *v = sq * z;
    }
    corr.correlate(dz, db)
}
