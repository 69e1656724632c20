//! The noise source of the optimisers ([`crate::optim`]): minibatch means of
//! `(ξ_j, η_j)` and the perturbation, drawn per step for the run engine; and the one
//! draw of a finite-sum data set.

use crate::integrate::Grid;
use crate::noise::{NoiseSource, path_rng};
use crate::optim::FiniteSum;
use rand::{Rng, RngExt};
use rand_distr::{Distribution, StandardNormal};

/// How a minibatch is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sampling {
    /// `B` independent uniform indices: batch means have variance `s²/B`.
    WithReplacement,
    /// `B` distinct indices (Floyd's algorithm): variance `s²/B · (N − B)/(N − 1)`.
    WithoutReplacement,
}

/// One step's noise: the step's index `n = 1, 2, …`, the batch means `ξ̄_J`, `η̄_J`
/// and a standard normal `z` for the perturbation (0 when there is none).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct BatchNoise {
    /// The step's index, from 1.
    pub n: usize,
    /// `ξ̄_J`.
    pub xi: f64,
    /// `η̄_J`.
    pub eta: f64,
    /// `Z ~ N(0, 1)`, or 0 without perturbation.
    pub z: f64,
}

/// Draws minibatches of a [`FiniteSum`] (see [`Sampling`]) and, if asked, one standard
/// normal per step.
#[derive(Debug, Clone)]
pub struct BatchSource<'a> {
    data: &'a FiniteSum,
    batch: usize,
    sampling: Sampling,
    normal: bool,
    h: f64,
    steps: usize,
}

impl<'a> BatchSource<'a> {
    /// The source for `grid` (validated by the caller: `1 ≤ batch`, and `batch ≤ N`
    /// without replacement).
    pub(crate) fn new(
        data: &'a FiniteSum,
        batch: usize,
        sampling: Sampling,
        normal: bool,
        grid: &Grid,
    ) -> Self {
        Self {
            data,
            batch,
            sampling,
            normal,
            h: grid.h(),
            steps: grid.steps(),
        }
    }
}

impl NoiseSource for BatchSource<'_> {
    type Draw = BatchNoise;
    type Noise = BatchNoise;
    /// Scratch for the indices of a batch without replacement (allocated once per path).
    type PathState = IndexSet;
    fn h(&self) -> f64 {
        self.h
    }
    fn steps(&self) -> usize {
        self.steps
    }
    fn buffer(&self) -> BatchNoise {
        BatchNoise::default()
    }
    fn path_state(&self) -> IndexSet {
        match self.sampling {
            Sampling::WithReplacement => IndexSet::with_capacity(0),
            Sampling::WithoutReplacement => IndexSet::with_capacity(self.batch),
        }
    }
    #[inline]
    fn draw<R: Rng + ?Sized>(
        &self,
        chosen: &mut IndexSet,
        n: usize,
        _: usize,
        rng: &mut R,
        out: &mut BatchNoise,
    ) {
        let (xi, eta) = (self.data.xi(), self.data.eta());
        let total = xi.len();
        let (mut sx, mut se) = (0.0, 0.0);
        match self.sampling {
            Sampling::WithReplacement => {
                for _ in 0..self.batch {
                    let j = rng.random_range(0..total);
                    sx += xi[j];
                    se += eta[j];
                }
            }
            Sampling::WithoutReplacement if self.batch == total => {
                // the full batch: the means are exactly 0
            }
            Sampling::WithoutReplacement => {
                // Floyd: a uniform B-subset of {0, …, N − 1}, in O(B) expected time
                chosen.clear();
                for k in total - self.batch..total {
                    let t = rng.random_range(0..=k);
                    // k itself is never in the set yet (all earlier picks are < k)
                    let j = if chosen.insert(t) { t } else { k };
                    if j == k {
                        chosen.insert(k);
                    }
                    sx += xi[j];
                    se += eta[j];
                }
            }
        }
        let b = self.batch as f64;
        out.n = n + 1;
        out.xi = sx / b;
        out.eta = se / b;
        out.z = if self.normal {
            StandardNormal.sample(rng)
        } else {
            0.0
        };
    }
    #[inline(always)]
    fn with_noise<T>(&self, draw: &BatchNoise, f: impl FnOnce(&BatchNoise) -> T) -> T {
        f(draw)
    }
}

/// A set of indices for Floyd's sampling: open addressing with linear probing in a
/// power-of-two table at most half full, cleared in time proportional to its size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexSet {
    table: Vec<usize>,
    shift: u32,
}

impl IndexSet {
    const EMPTY: usize = usize::MAX;
    /// A set for up to `n` indices.
    fn with_capacity(n: usize) -> Self {
        let bits = (2 * n.max(1)).next_power_of_two().trailing_zeros().max(1);
        Self {
            table: vec![Self::EMPTY; 1 << bits],
            shift: 64 - bits,
        }
    }
    #[inline]
    fn clear(&mut self) {
        self.table.fill(Self::EMPTY);
    }
    /// Inserts `v`; `false` if it was already there.
    #[inline]
    fn insert(&mut self, v: usize) -> bool {
        let mask = self.table.len() - 1;
        // Fibonacci hashing: the top bits of v·2⁶⁴/φ
        let mut i = ((v as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> self.shift) as usize;
        loop {
            let slot = &mut self.table[i];
            if *slot == v {
                return false;
            }
            if *slot == Self::EMPTY {
                *slot = v;
                return true;
            }
            i = (i + 1) & mask;
        }
    }
}

/// `n` pairs of independent standard normals for a finite-sum data set, drawn once
/// from `path_rng(seed, u64::MAX)` (a stream no path uses).
pub(crate) fn normal_pairs(n: usize, seed: u64) -> (Vec<f64>, Vec<f64>) {
    let mut rng = path_rng(seed, u64::MAX);
    let u: Vec<f64> = (0..n).map(|_| StandardNormal.sample(&mut rng)).collect();
    let v: Vec<f64> = (0..n).map(|_| StandardNormal.sample(&mut rng)).collect();
    (u, v)
}

#[cfg(test)]
mod tests {
    use super::IndexSet;

    /// Insert reports membership exactly, across collisions and after clearing.
    #[test]
    fn index_set_is_a_set() {
        for n in [1usize, 3, 64, 1000] {
            let mut s = IndexSet::with_capacity(n);
            for round in 0..2 {
                s.clear();
                let mut seen = std::collections::HashSet::new();
                for k in 0..3 * n {
                    let v = (k * 7919 + round) % (2 * n);
                    if seen.len() == n && !seen.contains(&v) {
                        continue; // stay within capacity
                    }
                    assert_eq!(s.insert(v), seen.insert(v), "n = {n}, v = {v}");
                }
            }
        }
    }
}
