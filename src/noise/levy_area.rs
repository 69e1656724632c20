//! Lévy areas of Brownian motions given their increments.
//!
//! For independent standard Brownian motions `Z_j, Z_k` over a step of length `h`, the
//! Lévy area is `A_jk = ½(I_(j,k) − I_(k,j))`, with
//! `I_(j,k) = ∫∫_{s₁<s₂} dZ_j(s₁) dZ_k(s₂)`. Then `I_(j,k) = ½ΔZ_jΔZ_k + A_jk`.
//! Given the increments, `A_jk` has mean 0 and variance
//! `h²/12 + h(ΔZ_j² + ΔZ_k²)/12`.
//!
//! # Method
//! The Kloeden–Platen–Wright Fourier expansion[^kpw] of the Brownian bridge gives
//!
//! ```text
//! A_jk = h/(2π) Σ_{r≥1} (1/r) [ ζ_{j,r}(η_{k,r} + √(2/h) ΔZ_k) − ζ_{k,r}(η_{j,r} + √(2/h) ΔZ_j) ]
//! ```
//!
//! with all `ζ, η` independent standard normals, independent of the increments. We keep
//! `p` terms exactly and, for two motions, replace the tail `r > p` by a normal with
//! its exact conditional variance `h²/(4π²) a_p (2 + (ΔZ_j² + ΔZ_k²)·2/h)`,
//! `a_p = Σ_{r>p} 1/r²` (Wiktorsson's tail approximation[^wik]). The sampled area then
//! has exactly the conditional mean and variance above.
//!
//! # Accuracy, and the number of terms
//! For two motions three published samplers coincide *in law*: Wiktorsson's, the
//! Mrongowius–Rößler one[^mr] and this one. Given the increments, each adds to the same
//! `p` terms an independent centred normal tail with the variance above (Mrongowius and
//! Rößler write it as `√(2a_p)(w_j Ψ_k − w_k Ψ_j) + √(2a_p) G` with three normals, with
//! `w = ΔZ/√h`; its conditional variance is the same). So every coupling
//! bound proved for one of them holds for the others, and the best proved bound applies.
//! In Mrongowius and Rößler's coupling the part of the tail that is linear in the
//! increments is matched exactly, and the mean-square error of an area is
//!
//! ```text
//! E|A_jk − Ã_jk|² ≤ m h² / (12 π² p²) = h² / (6 π² p²)    (m = 2),
//! ```
//!
//! a constant 5 times below Wiktorsson's `5m²(m−1)/(24π²)` for `m = 2`
//! (`0.0169 h²/p²` against `0.0844 h²/p²`).
//!
//! Milstein's local error from the area is `|σω|·|A − Ã|`, with mean zero, so it keeps
//! strong order 1 when `E|A − Ã|² ≤ C h³`, that is `p ≥ c/√h`.
//! [`LevyArea::for_step`] picks `p = ⌈1/(π√(6h))⌉ = ⌈0.130/√h⌉`, so that the RMS area
//! error is at most `h^{3/2}` by the bound above (before this release it used
//! Wiktorsson's bound and `p = ⌈0.3/√h⌉`, twice the terms). The bound is not tight:
//! `tests/schemes/levy_area.rs` builds an explicit coupling (the tail's part that is
//! linear in the second Fourier coefficients is exactly normal given the first ones) and
//! measures its RMS error at 0.29, 0.37, 0.44 and 0.47 of the bound for p = 1, 2, 5, 10
//! (tending to ½).
//!
//! **Cost per step:** `4p + 1` standard normals (`h = 10⁻³`: `p = 5`, 21 normals).
//!
//! For more than two motions the terms are shared across pairs (so the joint law of
//! the truncated series is right), but no tail correction is added: the RMS error is
//! then `h/(π√(2p))`, and order 1 needs `p ∝ 1/h`.
//!
//! [^kpw]: P. E. Kloeden, E. Platen, I. W. Wright, *The approximation of multiple
//!     stochastic integrals*, Stoch. Anal. Appl. 10 (1992) 431–441.
//! [^wik]: M. Wiktorsson, *Joint characteristic function and simultaneous simulation of
//!     iterated Itô integrals for multiple independent Brownian motions*, Ann. Appl.
//!     Probab. 11 (2001) 470–487.
//! [^mr]: F. Mrongowius, A. Rößler, *On the approximation and simulation of iterated
//!     stochastic integrals and the corresponding Lévy areas in terms of a
//!     multidimensional Brownian motion*, Stoch. Anal. Appl. 40 (2022) 397–425.

use super::normal::standard_normal;
use crate::error::{Error, Result, count, positive};
use rand::Rng;
use std::f64::consts::PI;

/// Sampler of the Lévy area of two independent Brownian motions given their increments
/// (truncated Fourier series with `p` terms plus Wiktorsson's Gaussian tail).
///
/// ```
/// use saddle_sde::noise::LevyArea;
/// let s = LevyArea::for_step(1e-3).unwrap();
/// assert_eq!(s.step(), 1e-3);
/// assert_eq!(s.terms(), 5);
/// assert_eq!(s.normals_per_sample(), 21);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LevyArea {
    p: usize,
    /// `a_p = Σ_{r>p} 1/r²`.
    tail: f64,
    /// Step length `h`, validated at construction.
    h: f64,
    /// `√(2/h)`.
    scale: f64,
    /// `h/(2π)`.
    c: f64,
}

impl LevyArea {
    /// A sampler for steps of length `h` with `p ≥ 1` Fourier terms.
    ///
    /// # Errors
    /// A parameter error naming `terms` if `p = 0`, or `h` unless it is in
    /// `[1e-300, 1e100]`.
    pub fn with_terms(p: usize, h: f64) -> Result<Self> {
        count("terms", p)?;
        super::step::check_step(h)?;
        Ok(Self {
            p,
            tail: tail_sum(p),
            h,
            scale: (2.0 / h).sqrt(),
            c: h / (2.0 * PI),
        })
    }

    /// The sampler that keeps Milstein at strong order 1 for step `h`:
    /// `p = ⌈1/(π√(6h))⌉ ≈ ⌈0.130/√h⌉`, so that the RMS area error, at most
    /// `h/(π√6·p)` by Mrongowius and Rößler's bound (module docs), is `≤ h^{3/2}`.
    ///
    /// # Errors
    /// A parameter error naming `h` unless `h` is finite and `≥ 1e-13` (below that the
    /// series would need more than 400 000 terms per step).
    pub fn for_step(h: f64) -> Result<Self> {
        Self::with_terms(terms_for(h, 1.0 / (PI * 6f64.sqrt()))?, h)
    }

    /// The sampler whose number of terms reaches a given strong error of Milstein at
    /// nearly the least cost, to leading order as `h → 0` (fitted on the blog's model):
    /// `p = ⌈c_e/√h⌉` with `c_e =` [`ECONOMICAL_TERMS_CONSTANT`](Self::ECONOMICAL_TERMS_CONSTANT)
    /// `= 0.028`, about a fifth of [`for_step`](Self::for_step)'s `0.130`
    /// (`p = 1` for `h > c_e² = 7.84·10⁻⁴`, `p = 2` down to `1.96·10⁻⁴`, `p = 4` at
    /// `h = 2⁻¹⁴`).
    ///
    /// **Why.** With `p ≥ c/√h` the RMS area error per step is at most
    /// `h^{3/2}/(π√6·c)` (module docs), with mean zero given the step's increments and
    /// the past, and independent across steps. For this model the area's coefficient in
    /// Milstein's step, `στ√(1 − ρ²)`, does not depend on `x`, so the area adds a
    /// martingale error of RMS `O(h/c)` at `T`: Milstein keeps **strong order 1 for every
    /// `c > 0`**, with an error constant that grows like `1/c`. (The order shows only for
    /// `h ≪ c²`: above `c_e²` the rule takes `p = 1`, whose area error falls like `√h`.)
    /// So `c` trades the area's share of the error, `≈ K₂√h/p ≤ K₂h/c`, against the cost
    /// per step, `a + b·p`. Neglecting the fixed cost `a` (valid for `h ≪ (c·b/a)²`), a
    /// target error ε costs `∝ c·g(c)^{3/2}·ε^{−3/2}` with `g(c) = K₁ + K₂/c` (errors
    /// added) or `√(K₁² + K₂²/c²)` (in quadrature), where `K₁h` is Milstein's error with
    /// the exact area. That is least at `c = K₂/(2K₁)` (added) or `K₂/(√2·K₁)`
    /// (quadrature), where the area's share is 2× or √2× the scheme's own error. On W1's
    /// model (the blog's parameters) the measured `K₁ = 0.966` and `K₂ = 0.042`
    /// (`examples/strong_error_cost.rs`, 2 000 paths, `h = 2⁻⁴ … 2⁻¹²`) give
    /// `c = 0.022` and `0.031`; `c_e = 0.028` is within 1 % of the least leading cost in
    /// both error models, and [`for_step`](Self::for_step)'s `c = 0.130` costs 1.75×
    /// (added) to 2.0× (quadrature) as much for the same strong error, to leading order.
    /// At finite `h` the fixed cost narrows the gap (1.35–1.4× measured at a strong error
    /// of `5·10⁻⁴`).
    ///
    /// The constants depend on the model: `K₂` grows with the commutator
    /// `|στ|√(1 − ρ²)`. On three other models the optimum was 0.015–0.055 and `c_e` within
    /// 14 % of the least leading cost (docs/performance.md). For a model whose area term
    /// dominates, pass more terms with [`with_terms`](Self::with_terms) (or
    /// `Ensemble::area_terms`); the example re-fits both constants for any model.
    ///
    /// ```
    /// use saddle_sde::noise::LevyArea;
    /// assert_eq!(LevyArea::economical(1e-3)?.terms(), 1);
    /// assert_eq!(LevyArea::economical(1e-4)?.terms(), 3);
    /// assert_eq!(LevyArea::for_step(1e-3)?.terms(), 5);
    /// # Ok::<(), saddle_sde::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`for_step`](Self::for_step).
    pub fn economical(h: f64) -> Result<Self> {
        Self::with_terms(terms_for(h, Self::ECONOMICAL_TERMS_CONSTANT)?, h)
    }

    /// The constant `c_e` of [`economical`](Self::economical)'s `p = ⌈c_e/√h⌉`.
    pub const ECONOMICAL_TERMS_CONSTANT: f64 = 0.028;

    /// The sampler for steps of length `h` when **more than two** motions share the
    /// series terms ([`sample_all`](Self::sample_all) with `m > 2`, which adds no tail):
    /// `p = ⌈0.3/√h⌉`, as before the two-motion bound was sharpened. The RMS area error is
    /// then `h/(π√(2p))`; the Mrongowius–Rößler argument behind
    /// [`for_step`](Self::for_step) does not apply without the tail.
    ///
    /// # Errors
    /// As [`for_step`](Self::for_step).
    pub fn for_step_many(h: f64) -> Result<Self> {
        Self::with_terms(terms_for(h, 0.3)?, h)
    }

    /// Number of Fourier terms `p`.
    pub fn terms(&self) -> usize {
        self.p
    }

    /// The step length `h` the sampler is for.
    pub fn step(&self) -> f64 {
        self.h
    }

    /// Standard normals drawn per sample, `4p + 1`.
    pub fn normals_per_sample(&self) -> usize {
        4 * self.p + 1
    }

    /// Samples `A_12` over a step of length [`step`](Self::step) given the increments
    /// `dz1, dz2`.
    #[inline]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R, dz1: f64, dz2: f64) -> f64 {
        let (c1, c2) = (self.scale * dz1, self.scale * dz2);
        let mut s = 0.0;
        for r in 1..=self.p {
            let z1 = standard_normal(rng);
            let e1 = standard_normal(rng);
            let z2 = standard_normal(rng);
            let e2 = standard_normal(rng);
            s += (z1 * (e2 + c2) - z2 * (e1 + c1)) / r as f64;
        }
        let g = standard_normal(rng);
        s += (self.tail * (2.0 + c1 * c1 + c2 * c2)).sqrt() * g;
        self.c * s
    }

    /// [`sample`](Self::sample) from given standard normals: `z` holds the
    /// [`normals_per_sample`](Self::normals_per_sample) `= 4p + 1` normals in the order
    /// `sample` draws them (`ζ₁, η₁, ζ₂, η₂` for each term, then the tail's).
    /// `z` must hold at least `4p + 1` values (the run engine sizes it once per path).
    #[inline]
    pub(crate) fn sample_from(&self, z: &[f64], dz1: f64, dz2: f64) -> f64 {
        let (c1, c2) = (self.scale * dz1, self.scale * dz2);
        let (terms, tail) = z[..4 * self.p + 1].split_at(4 * self.p);
        let mut s = 0.0;
        for (r, q) in terms.chunks_exact(4).enumerate() {
            s += (q[0] * (q[3] + c2) - q[2] * (q[1] + c1)) / (r + 1) as f64;
        }
        s += (self.tail * (2.0 + c1 * c1 + c2 * c2)).sqrt() * tail[0];
        self.c * s
    }

    /// Samples all areas of `M` motions as an antisymmetric matrix, without
    /// allocating: for `M = 2` exactly [`sample`](Self::sample); for `M > 2` the
    /// truncated series with shared terms (see the module docs).
    #[inline]
    pub fn sample_matrix<R: Rng + ?Sized, const M: usize>(
        &self,
        rng: &mut R,
        dz: &[f64; M],
    ) -> [[f64; M]; M] {
        let mut out = [[0.0; M]; M];
        if M == 2 {
            let a = self.sample(rng, dz[0], dz[1]);
            out[0][1] = a;
            out[1][0] = -a;
            return out;
        }
        let scale = self.scale;
        let mut zeta = [0.0; M];
        let mut eta = [0.0; M];
        for r in 1..=self.p {
            for j in 0..M {
                zeta[j] = standard_normal(rng);
                eta[j] = standard_normal(rng);
            }
            for j in 0..M {
                for k in j + 1..M {
                    out[j][k] += (zeta[j] * (eta[k] + scale * dz[k])
                        - zeta[k] * (eta[j] + scale * dz[j]))
                        / r as f64;
                }
            }
        }
        let c = self.c;
        for j in 0..M {
            for k in j + 1..M {
                out[j][k] *= c;
                out[k][j] = -out[j][k];
            }
        }
        out
    }

    /// Samples all areas `A_jk`, `j < k`, of `m = dz.len()` motions, written
    /// antisymmetrically into `out` (row-major `m × m`, zero diagonal). The `p` series
    /// terms are shared across pairs; for `m = 2` this equals [`sample`](Self::sample)
    /// in law; for `m > 2` the tail is dropped (see the module docs).
    ///
    /// `scratch` must have length `≥ 2m` and `out` length `≥ m²`.
    ///
    /// # Errors
    /// [`Error::Dimension`] if `scratch` or `out` is too short.
    pub fn sample_all<R: Rng + ?Sized>(
        &self,
        rng: &mut R,
        dz: &[f64],
        scratch: &mut [f64],
        out: &mut [f64],
    ) -> Result<()> {
        let m = dz.len();
        if scratch.len() < 2 * m {
            return Err(Error::Dimension {
                what: "scratch",
                expected: 2 * m,
                got: scratch.len(),
            });
        }
        if out.len() < m * m {
            return Err(Error::Dimension {
                what: "out",
                expected: m * m,
                got: out.len(),
            });
        }
        out[..m * m].iter_mut().for_each(|v| *v = 0.0);
        if m == 2 {
            let a = self.sample(rng, dz[0], dz[1]);
            out[1] = a;
            out[2] = -a;
            return Ok(());
        }
        let (zeta, eta) = scratch[..2 * m].split_at_mut(m);
        for r in 1..=self.p {
            for j in 0..m {
                zeta[j] = standard_normal(rng);
                eta[j] = standard_normal(rng);
            }
            for j in 0..m {
                for k in j + 1..m {
                    let v = (zeta[j] * (eta[k] + self.scale * dz[k])
                        - zeta[k] * (eta[j] + self.scale * dz[j]))
                        / r as f64;
                    out[j * m + k] += v;
                }
            }
        }
        for j in 0..m {
            for k in j + 1..m {
                out[j * m + k] *= self.c;
                out[k * m + j] = -out[j * m + k];
            }
        }
        Ok(())
    }
}

/// `p = ⌈c/√h⌉ ≥ 1` Fourier terms for step `h`, refusing steps below `1e-13` (more than
/// 400 000 terms per step for `c = 0.13`).
fn terms_for(h: f64, c: f64) -> Result<usize> {
    positive("h", h)?;
    if h < 1e-13 {
        return Err(crate::error::param(
            "h",
            h,
            ">= 1e-13 (a Lévy area needs p = 0.13/√h Fourier terms)",
        ));
    }
    Ok((c / h.sqrt()).ceil().max(1.0) as usize)
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

/// `Σ_{r>p} 1/r² = π²/6 − Σ_{r≤p} 1/r²`, summed from the small end for accuracy.
fn tail_sum(p: usize) -> f64 {
    let head: f64 = (1..=p).rev().map(|r| 1.0 / (r as f64 * r as f64)).sum();
    (PI * PI / 6.0 - head).max(0.0)
}

/// The exact conditional variance of the Lévy area given the increments,
/// `h²/12 + h(ΔZ₁² + ΔZ₂²)/12`.
pub fn conditional_variance(h: f64, dz1: f64, dz2: f64) -> f64 {
    h * h / 12.0 + h * (dz1 * dz1 + dz2 * dz2) / 12.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tail_sum_matches_trigamma_values() {
        // ψ'(2) = π²/6 − 1, ψ'(11) = π²/6 − H_10^{(2)}
        assert!((tail_sum(1) - (PI * PI / 6.0 - 1.0)).abs() < 1e-15);
        let h10: f64 = (1..=10).map(|r| 1.0 / (r * r) as f64).sum();
        assert!((tail_sum(10) - (PI * PI / 6.0 - h10)).abs() < 1e-15);
        // a_p ~ 1/p − 1/(2p²) + 1/(6p³)
        let p = 1000.0;
        assert!(
            (tail_sum(1000) - (1.0 / p - 0.5 / (p * p) + 1.0 / (6.0 * p * p * p))).abs() < 1e-12
        );
    }
}
