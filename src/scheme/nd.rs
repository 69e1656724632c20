//! Steps for n-dimensional models ([`Sde`]) with correlated noise.
//!
//! The noise is given in the independent frame: increments `ΔZ` (length `m`) and, for
//! Milstein, the iterated integrals `I_(j,k)` (row-major `m × m`). The workspace holds
//! every buffer, so a step allocates nothing.

use crate::error::{Error, Result};
use crate::sde::{DiffusionJacobian, Sde};

fn check(what: &'static str, expected: usize, got: usize) -> Result<()> {
    if expected == got {
        Ok(())
    } else {
        Err(Error::Dimension {
            what,
            expected,
            got,
        })
    }
}

/// Buffers for [`EmWorkspace::step`].
#[derive(Debug, Clone)]
pub struct EmWorkspace {
    n: usize,
    m: usize,
    f: Vec<f64>,
    g: Vec<f64>,
    db: Vec<f64>,
}

impl EmWorkspace {
    /// Buffers sized for `sde`.
    pub fn new<S: Sde + ?Sized>(sde: &S) -> Self {
        let (n, m) = (sde.dim(), sde.noise_dim());
        Self {
            n,
            m,
            f: vec![0.0; n],
            g: vec![0.0; n * m],
            db: vec![0.0; m],
        }
    }

    /// One Euler–Maruyama step `x ← x + f h + g L ΔZ` in place.
    ///
    /// # Errors
    /// [`Error::Dimension`] if `x` or `dz` has the wrong length.
    pub fn step<S: Sde + ?Sized>(
        &mut self,
        sde: &S,
        t: f64,
        x: &mut [f64],
        h: f64,
        dz: &[f64],
    ) -> Result<()> {
        check("x", self.n, x.len())?;
        check("dz", self.m, dz.len())?;
        self.step_unchecked(sde, t, x, h, dz);
        Ok(())
    }

    /// [`step`](Self::step) for callers that checked the lengths once (the run engine).
    #[inline]
    pub(crate) fn step_unchecked<S: Sde + ?Sized>(
        &mut self,
        sde: &S,
        t: f64,
        x: &mut [f64],
        h: f64,
        dz: &[f64],
    ) {
        sde.drift(t, x, &mut self.f);
        sde.diffusion(t, x, &mut self.g);
        sde.correlation().correlate_unchecked(dz, &mut self.db);
        for i in 0..self.n {
            let mut dx = self.f[i] * h;
            for k in 0..self.m {
                dx += self.g[i + self.n * k] * self.db[k];
            }
            x[i] += dx;
        }
    }
}

/// Buffers for [`MilsteinWorkspace::step`].
#[derive(Debug, Clone)]
pub struct MilsteinWorkspace {
    em: EmWorkspace,
    /// `G = g L`, column-major `n × m`.
    big_g: Vec<f64>,
    /// Jacobian of `g`, `[(k*n + i)*n + p]`.
    jac: Vec<f64>,
    /// Jacobian of `G`.
    big_jac: Vec<f64>,
}

impl MilsteinWorkspace {
    /// Buffers sized for `sde`.
    pub fn new<S: Sde + ?Sized>(sde: &S) -> Self {
        let (n, m) = (sde.dim(), sde.noise_dim());
        Self {
            em: EmWorkspace::new(sde),
            big_g: vec![0.0; n * m],
            jac: vec![0.0; m * n * n],
            big_jac: vec![0.0; m * n * n],
        }
    }

    /// One Milstein step in place:
    /// `x ← x + f h + G ΔZ + Σ_{j,k} (L^j G_k) I_(j,k)` with `G = g L`,
    /// `(L^j G_k)_i = Σ_p G_{pj} ∂G_{ik}/∂x_p`, `iterated[j*m + k] = I_(j,k)`.
    ///
    /// # Errors
    /// [`Error::Dimension`] if `x`, `dz` or `iterated` has the wrong length.
    pub fn step<S: DiffusionJacobian + ?Sized>(
        &mut self,
        sde: &S,
        t: f64,
        x: &mut [f64],
        h: f64,
        dz: &[f64],
        iterated: &[f64],
    ) -> Result<()> {
        let (n, m) = (self.em.n, self.em.m);
        check("x", n, x.len())?;
        check("dz", m, dz.len())?;
        check("iterated", m * m, iterated.len())?;
        self.step_unchecked(sde, t, x, h, dz, iterated);
        Ok(())
    }

    /// [`step`](Self::step) for callers that checked the lengths once (the run engine).
    #[inline]
    pub(crate) fn step_unchecked<S: DiffusionJacobian + ?Sized>(
        &mut self,
        sde: &S,
        t: f64,
        x: &mut [f64],
        h: f64,
        dz: &[f64],
        iterated: &[f64],
    ) {
        let (n, m) = (self.em.n, self.em.m);
        let l = sde.correlation().factor();
        sde.drift(t, x, &mut self.em.f);
        sde.diffusion(t, x, &mut self.em.g);
        sde.diffusion_jacobian(t, x, &mut self.jac);
        for i in 0..n {
            for k in 0..m {
                let mut s = 0.0;
                for c in k..m {
                    s += self.em.g[i + n * c] * l[(c, k)];
                }
                self.big_g[i + n * k] = s;
                for p in 0..n {
                    let mut s = 0.0;
                    for c in k..m {
                        s += self.jac[(c * n + i) * n + p] * l[(c, k)];
                    }
                    self.big_jac[(k * n + i) * n + p] = s;
                }
            }
        }
        for i in 0..n {
            let mut dx = self.em.f[i] * h;
            for k in 0..m {
                dx += self.big_g[i + n * k] * dz[k];
            }
            for j in 0..m {
                for k in 0..m {
                    let ijk = iterated[j * m + k];
                    let mut ljgk = 0.0;
                    for p in 0..n {
                        ljgk += self.big_g[p + n * j] * self.big_jac[(k * n + i) * n + p];
                    }
                    dx += ljgk * ijk;
                }
            }
            x[i] += dx;
        }
    }
}
