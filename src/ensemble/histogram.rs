//! A fixed-bin streaming histogram: constant memory, exact deterministic merge, and
//! quantiles with a known resolution.

use super::Merge;
use crate::error::{Result, count, finite, param};

/// Counts of observations in `bins` equal bins on `[lo, hi)`, plus the numbers below
/// `lo` and at or above `hi`.
///
/// Merging adds counts, so it is exact and independent of the order of merging.
/// Quantiles are read off the cumulative counts with linear interpolation inside a bin;
/// their error is at most one bin width `(hi − lo)/bins` (the *resolution*) whenever the
/// quantile falls inside `[lo, hi)`.
///
/// ```
/// use saddle_sde::ensemble::{Histogram, Merge};
/// let mut h = Histogram::new(0.0, 1.0, 100)?;
/// let mut g = h.clone();
/// for i in 0..500 { h.push(i as f64 / 1000.0) }
/// for i in 500..1000 { g.push(i as f64 / 1000.0) }
/// h.merge(&g);
/// assert_eq!(h.total(), 1000);
/// let median = h.quantile(0.5).unwrap();
/// assert!((median - 0.5).abs() <= h.resolution());
/// # Ok::<(), saddle_sde::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Histogram {
    lo: f64,
    hi: f64,
    inv_width: f64,
    counts: Vec<u64>,
    below: u64,
    above: u64,
}

impl Histogram {
    /// Adds the counts of `other`, which must have the same range and bins.
    ///
    /// # Errors
    /// A parameter error naming `bins` if the layouts differ (nothing is added).
    pub fn try_merge(&mut self, other: &Self) -> Result<()> {
        if !self.same_layout(other) {
            return Err(param(
                "bins",
                other.counts.len() as f64,
                format!(
                    "the same layout: {} bins on [{}, {}) (the other has {} on [{}, {}))",
                    self.counts.len(),
                    self.lo,
                    self.hi,
                    other.counts.len(),
                    other.lo,
                    other.hi
                ),
            ));
        }
        self.merge(other);
        Ok(())
    }
    /// The most bins a histogram may have (10⁸, 800 MB of counts).
    pub const MAX_BINS: usize = 100_000_000;
    /// An empty histogram of `bins` equal bins on `[lo, hi)`.
    ///
    /// # Errors
    /// A parameter error naming `lo` or `hi` if either is not finite, `hi` if
    /// `hi ≤ lo` or `hi − lo` overflows, or `bins` if it is zero, more than
    /// [`MAX_BINS`](Self::MAX_BINS) or so many that the bin width is not representable.
    pub fn new(lo: f64, hi: f64, bins: usize) -> Result<Self> {
        finite("lo", lo)?;
        finite("hi", hi)?;
        if hi <= lo {
            return Err(param("hi", hi, format!("> lo = {lo}")));
        }
        if !(hi - lo).is_finite() {
            return Err(param(
                "hi",
                hi,
                format!("with hi − lo finite (lo = {lo}: the bin width overflows)"),
            ));
        }
        count("bins", bins)?;
        if bins > Self::MAX_BINS {
            return Err(param(
                "bins",
                bins as f64,
                format!("at most {} (8 bytes each)", Self::MAX_BINS),
            ));
        }
        let inv_width = bins as f64 / (hi - lo);
        if !inv_width.is_finite() {
            return Err(param(
                "bins",
                bins as f64,
                format!(
                    "with (hi − lo)/bins representable (hi − lo = {:e})",
                    hi - lo
                ),
            ));
        }
        Ok(Self {
            lo,
            hi,
            inv_width,
            counts: vec![0; bins],
            below: 0,
            above: 0,
        })
    }

    /// Adds one observation (a NaN is counted as above the range).
    #[inline]
    pub fn push(&mut self, x: f64) {
        if x < self.lo {
            self.below += 1;
        } else if x < self.hi {
            let k = ((x - self.lo) * self.inv_width) as usize;
            // rounding can put x just below hi into bin `bins`
            let k = k.min(self.counts.len() - 1);
            self.counts[k] += 1;
        } else {
            self.above += 1;
        }
    }

    /// Lower end of the range.
    pub fn lo(&self) -> f64 {
        self.lo
    }
    /// Upper end of the range.
    pub fn hi(&self) -> f64 {
        self.hi
    }
    /// Bin width, which bounds the error of [`quantile`](Self::quantile).
    pub fn resolution(&self) -> f64 {
        (self.hi - self.lo) / self.counts.len() as f64
    }
    /// Counts per bin.
    pub fn counts(&self) -> &[u64] {
        &self.counts
    }
    /// Left edge of bin `k`.
    pub fn bin_left(&self, k: usize) -> f64 {
        self.lo + k as f64 * self.resolution()
    }
    /// Number of observations below `lo`.
    pub fn below(&self) -> u64 {
        self.below
    }
    /// Number of observations at or above `hi` (or NaN).
    pub fn above(&self) -> u64 {
        self.above
    }
    /// Total number of observations.
    pub fn total(&self) -> u64 {
        self.below + self.above + self.counts.iter().sum::<u64>()
    }

    /// Empirical CDF at `x`, `#{obs ≤ x}/total`, interpolated linearly inside a bin;
    /// `None` when empty or when `x` is outside `[lo, hi]` (the counts there are not
    /// resolved).
    pub fn cdf(&self, x: f64) -> Option<f64> {
        let n = self.total();
        if n == 0 || !(x >= self.lo && x <= self.hi) {
            return None;
        }
        let pos = (x - self.lo) * self.inv_width;
        let k = (pos as usize).min(self.counts.len());
        let below_k: u64 = self.below + self.counts[..k].iter().sum::<u64>();
        let frac = if k < self.counts.len() {
            (pos - k as f64) * self.counts[k] as f64
        } else {
            0.0
        };
        Some((below_k as f64 + frac) / n as f64)
    }

    /// The `p`-quantile, `inf{x : cdf(x) ≥ p}` with linear interpolation inside a
    /// bin. `None` if the histogram is empty, `p ∉ [0, 1]`, or the quantile lies in
    /// the unresolved tails below `lo` or above `hi`.
    pub fn quantile(&self, p: f64) -> Option<f64> {
        let n = self.total();
        if n == 0 || !(0.0..=1.0).contains(&p) {
            return None;
        }
        let target = p * n as f64;
        let mut cum = self.below as f64;
        if target < cum || (self.below > 0 && target == cum && p == 0.0) {
            return None;
        }
        let w = self.resolution();
        for (k, &c) in self.counts.iter().enumerate() {
            let next = cum + c as f64;
            if next >= target && c > 0 {
                let frac = ((target - cum) / c as f64).clamp(0.0, 1.0);
                // rounding of lo + bins·w can pass hi by an ulp
                return Some((self.lo + (k as f64 + frac) * w).min(self.hi));
            }
            cum = next;
        }
        None
    }

    fn same_layout(&self, o: &Self) -> bool {
        self.lo == o.lo && self.hi == o.hi && self.counts.len() == o.counts.len()
    }
}

impl Merge for Histogram {
    /// Adds the counts of `other`.
    ///
    /// # Panics
    /// If the layouts differ ([`Histogram::try_merge`] returns an error instead).
    fn merge(&mut self, o: &Self) {
        assert!(
            self.same_layout(o),
            "merging histograms of different layouts"
        );
        for (a, b) in self.counts.iter_mut().zip(&o.counts) {
            *a += b;
        }
        self.below += o.below;
        self.above += o.above;
    }
}
