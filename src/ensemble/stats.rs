//! Streaming, mergeable summaries.

use super::Merge;

/// Count, mean and variance by Welford's update, merged with Chan et al.'s formula.
///
/// ```
/// use saddle_sde::ensemble::{MeanVar, Merge};
/// let mut a = MeanVar::default();
/// let mut b = MeanVar::default();
/// for x in [1.0, 2.0] { a.push(x) }
/// for x in [3.0, 4.0, 5.0] { b.push(x) }
/// a.merge(&b);
/// assert_eq!(a.mean(), 3.0);
/// assert!((a.variance() - 2.5).abs() < 1e-15);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct MeanVar {
    n: u64,
    mean: f64,
    m2: f64,
}

impl MeanVar {
    /// Adds one observation.
    #[inline]
    pub fn push(&mut self, x: f64) {
        self.n += 1;
        let d = x - self.mean;
        self.mean += d / self.n as f64;
        self.m2 += d * (x - self.mean);
    }
    /// Number of observations.
    pub fn count(&self) -> u64 {
        self.n
    }
    /// Sample mean (NaN when empty).
    pub fn mean(&self) -> f64 {
        if self.n == 0 { f64::NAN } else { self.mean }
    }
    /// Unbiased sample variance (NaN with fewer than two observations).
    pub fn variance(&self) -> f64 {
        if self.n < 2 {
            f64::NAN
        } else {
            self.m2 / (self.n - 1) as f64
        }
    }
    /// Standard error of the mean, `√(variance/n)`.
    pub fn stderr(&self) -> f64 {
        (self.variance() / self.n as f64).sqrt()
    }
}

impl Merge for MeanVar {
    fn merge(&mut self, o: &Self) {
        if o.n == 0 {
            return;
        }
        if self.n == 0 {
            *self = *o;
            return;
        }
        let n = self.n + o.n;
        let d = o.mean - self.mean;
        let w = o.n as f64 / n as f64;
        self.mean += d * w;
        self.m2 += o.m2 + d * d * self.n as f64 * w;
        self.n = n;
    }
}
