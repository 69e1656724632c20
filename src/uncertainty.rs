//! Honest uncertainty for Monte Carlo summaries: intervals for proportions and
//! quantiles, and a rule for when a sample standard error of a mean can be trusted.
//!
//! - [`Proportion`]: `k` successes in `n` trials, with the Wilson score interval and
//!   the Clopper–Pearson ("exact") interval. Neither has zero width at `k = 0` or
//!   `k = n`, where the plug-in standard error `√(p̂(1−p̂)/n)` is 0; and
//!   [`Proportion::p_value_against`], the exact-in-`k` test of the count against a
//!   reference probability known as an estimate with a standard error.
//! - [`QuantileInterval`]: a distribution-free confidence interval for the
//!   `p`-quantile from order statistics (binomial ranks), from a sample or from a
//!   histogram. It is an *interval*, not a standard error, and prints as one.
//! - [`ks_distance`], [`ks_distance_two`], [`kolmogorov_sf`], [`KS_COEFF_001`]: the
//!   Kolmogorov–Smirnov distances of a sample from a law or from another sample, and
//!   the asymptotic p-value and critical value behind them.
//! - [`MeanReport`] / [`mean_report`]: a sample mean with the standard error to use,
//!   and whether the sample's own standard error is trustworthy (see [`mean_report`]
//!   for the rule). Heavy tails make the sample variance badly underestimate the true
//!   one; when exact moments are known (for the saddle SDE from
//!   [`analytic::saddle`](crate::analytic::saddle)) the exact variance is used.
//!
//! Errors are the crate's parameter errors ([`Error::Param`](crate::Error::Param)),
//! naming `trials`, `successes`, `confidence`, `p`, `se`, `sample` or `n`.

use crate::ensemble::Histogram;
use crate::error::{Result, param};
use statrs::distribution::{Beta, ContinuousCDF, Normal};
use statrs::function::beta::beta_reg;
use statrs::function::gamma::ln_gamma;

fn check_confidence(confidence: f64) -> Result<f64> {
    if confidence > 0.0 && confidence < 1.0 {
        Ok(confidence)
    } else {
        Err(param("confidence", confidence, "in (0, 1)"))
    }
}

/// The two-sided standard normal quantile `z = Φ⁻¹(1 − α/2)` for confidence `1 − α`.
fn z_two_sided(confidence: f64) -> f64 {
    let n = Normal::standard();
    n.inverse_cdf(0.5 + 0.5 * confidence)
}

/// A closed interval `[lower, upper]` at a stated confidence.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Interval {
    /// Lower end.
    pub lower: f64,
    /// Upper end.
    pub upper: f64,
    /// Nominal confidence `1 − α` it was built for.
    pub confidence: f64,
}

impl Interval {
    /// Whether `x` lies in `[lower, upper]`.
    pub fn contains(&self, x: f64) -> bool {
        self.lower <= x && x <= self.upper
    }
    /// `upper − lower`.
    pub fn width(&self) -> f64 {
        self.upper - self.lower
    }
}

/// `successes` out of `trials` independent trials: the estimate of a probability.
///
/// ```
/// use saddle_sde::uncertainty::Proportion;
/// let p = Proportion::new(0, 10)?;
/// assert_eq!(p.estimate(), 0.0);
/// assert_eq!(p.stderr(), 0.0); // the plug-in standard error is useless here …
/// let w = p.wilson(0.95)?;     // … the intervals are not
/// assert_eq!(w.lower, 0.0);
/// assert!((w.upper - 0.27753).abs() < 1e-5);
/// let cp = p.clopper_pearson(0.95)?;
/// assert!((cp.upper - (1.0 - 0.025f64.powf(0.1))).abs() < 1e-9); // 0.30850
/// # Ok::<(), saddle_sde::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Proportion {
    /// Number of successes `k`.
    pub successes: u64,
    /// Number of trials `n ≥ 1`.
    pub trials: u64,
}

impl Proportion {
    /// `k` successes out of `n` trials.
    ///
    /// # Errors
    /// A parameter error naming `trials` when `n = 0`, or `successes` when `k > n`.
    pub fn new(successes: u64, trials: u64) -> Result<Self> {
        if trials == 0 {
            return Err(param("trials", 0.0, ">= 1"));
        }
        if successes > trials {
            return Err(param(
                "successes",
                successes as f64,
                format!("<= trials = {trials}"),
            ));
        }
        Ok(Self { successes, trials })
    }

    /// The point estimate `p̂ = k/n`.
    pub fn estimate(&self) -> f64 {
        self.successes as f64 / self.trials as f64
    }

    /// The plug-in standard error `√(p̂(1 − p̂)/n)`. It is 0 at `k = 0` and `k = n`:
    /// report an interval there ([`wilson`](Self::wilson)).
    pub fn stderr(&self) -> f64 {
        let p = self.estimate();
        (p * (1.0 - p) / self.trials as f64).sqrt()
    }

    /// The Wilson score interval at confidence `1 − α`: the set of `p` whose score
    /// test `|p̂ − p| ≤ z √(p(1−p)/n)` accepts, `z = Φ⁻¹(1 − α/2)`:
    ///
    /// ```text
    /// centre = (p̂ + z²/(2n)) / (1 + z²/n),
    /// half   = z/(1 + z²/n) · √(p̂(1−p̂)/n + z²/(4n²)).
    /// ```
    ///
    /// At `k = 0` it is `[0, (z²/n)/(1 + z²/n)]`, at `k = n` the mirror image.
    ///
    /// # Errors
    /// A parameter error naming `confidence` unless it is in `(0, 1)`.
    pub fn wilson(&self, confidence: f64) -> Result<Interval> {
        check_confidence(confidence)?;
        let z = z_two_sided(confidence);
        let n = self.trials as f64;
        let p = self.estimate();
        let z2n = z * z / n;
        let centre = (p + 0.5 * z2n) / (1.0 + z2n);
        let half = z / (1.0 + z2n) * (p * (1.0 - p) / n + 0.25 * z2n / n).sqrt();
        // the ends are exact at k = 0 and k = n; avoid rounding to the wrong side
        let lower = if self.successes == 0 {
            0.0
        } else {
            (centre - half).max(0.0)
        };
        let upper = if self.successes == self.trials {
            1.0
        } else {
            (centre + half).min(1.0)
        };
        Ok(Interval {
            lower,
            upper,
            confidence,
        })
    }

    /// The Clopper–Pearson interval at confidence `1 − α`, which inverts the two
    /// one-sided binomial tests and so covers with probability at least `1 − α` for
    /// every `p`:
    ///
    /// ```text
    /// lower = B⁻¹(α/2; k, n − k + 1)      (0 at k = 0),
    /// upper = B⁻¹(1 − α/2; k + 1, n − k)  (1 at k = n),
    /// ```
    ///
    /// with `B⁻¹(q; a, b)` the `q`-quantile of the Beta(a, b) law.
    ///
    /// # Errors
    /// A parameter error naming `confidence` unless it is in `(0, 1)`.
    pub fn clopper_pearson(&self, confidence: f64) -> Result<Interval> {
        check_confidence(confidence)?;
        let alpha = 1.0 - confidence;
        let (k, n) = (self.successes as f64, self.trials as f64);
        let beta_q = |a: f64, b: f64, q: f64| {
            Beta::new(a, b)
                .map(|d| d.inverse_cdf(q))
                .map_err(|_| param("successes", k, "a valid binomial count"))
        };
        let lower = if self.successes == 0 {
            0.0
        } else {
            beta_q(k, n - k + 1.0, 0.5 * alpha)?
        };
        let upper = if self.successes == self.trials {
            1.0
        } else {
            beta_q(k + 1.0, n - k, 1.0 - 0.5 * alpha)?
        };
        Ok(Interval {
            lower,
            upper,
            confidence,
        })
    }

    /// The two-sided p-value of `k` successes in `n` trials against a reference
    /// probability that is itself an estimate, `p₀ ± se₀` (an independent, normally
    /// distributed estimate, e.g. the mean of many replicates of another estimator):
    ///
    /// ```text
    /// upper = P(B + Y ≥ k − ½),  lower = P(B + Y ≤ k + ½),  p = min(1, 2·min(upper, lower)),
    /// B ~ Binomial(n, p₀),  Y ~ N(0, (n·se₀)²) independent,
    /// ```
    ///
    /// summed exactly over `B` (its mass within 12 standard deviations of `np₀`) with
    /// the normal tail of `Y` in each term. `B + Y − np₀` has the law that
    /// `k − n·p̂₀` has when `p = p₀` (up to `p₀` standing in for `p` in the binomial
    /// part), so the skewness of a small count is carried exactly instead of being
    /// approximated by a normal z, whose plug-in (Wald) form rejects a true `p` up to
    /// 10–25 times more often than its nominal level at a hundred successes and a
    /// critical value of 4.75. At `se₀ = 0` this is the exact binomial test
    /// `2·min(P(B ≥ k), P(B ≤ k))`, whose size is at most its level for every `p₀`
    /// and `n`.
    ///
    /// ```
    /// use saddle_sde::uncertainty::Proportion;
    /// // 3 successes in 10 against p₀ = ½ exactly: 2·P(B ≤ 3) = 2 · 176/1024
    /// let p = Proportion::new(3, 10)?.p_value_against(0.5, 0.0)?;
    /// assert!((p - 2.0 * 176.0 / 1024.0).abs() < 1e-12);
    /// // an uncertain reference makes the same count less surprising
    /// assert!(Proportion::new(3, 10)?.p_value_against(0.5, 0.05)? > p);
    /// # Ok::<(), saddle_sde::Error>(())
    /// ```
    ///
    /// # Errors
    /// Parameter errors naming `p` (the reference outside `(0, 1)`), `se` (negative
    /// or not finite) or `trials` (a binomial so wide that the exact sum would take more
    /// than [`MAX_EXACT_TERMS`] terms, or more than [`MAX_EXACT_TRIALS`] trials).
    pub fn p_value_against(&self, reference: f64, reference_se: f64) -> Result<f64> {
        if !(reference > 0.0 && reference < 1.0) {
            return Err(param("p", reference, "in (0, 1)"));
        }
        if !(reference_se >= 0.0 && reference_se.is_finite()) {
            return Err(param("se", reference_se, ">= 0 and finite"));
        }
        let (k, n) = (self.successes as f64, self.trials as f64);
        let mean = n * reference;
        let sd = (mean * (1.0 - reference)).sqrt();
        let lo = (mean - 12.0 * sd - 10.0).floor().max(0.0) as u64;
        let hi = ((mean + 12.0 * sd + 10.0).ceil() as u64).min(self.trials);
        if n > MAX_EXACT_TRIALS {
            return Err(param(
                "trials",
                n,
                format!(
                    "at most {MAX_EXACT_TRIALS:e} (the binomial terms are exp of differences of \
                     ln Γ near n·ln n, which lose their precision beyond)"
                ),
            ));
        }
        if hi - lo > MAX_EXACT_TERMS {
            return Err(param(
                "trials",
                n,
                format!(
                    "small enough that the exact sum over the counts within 12 standard \
                     deviations of n·p has at most {MAX_EXACT_TERMS} terms (here {}; n·p(1 − p) \
                     must be below about 7·10⁹)",
                    hi - lo
                ),
            ));
        }
        let spread = n * reference_se;
        let std = Normal::standard();
        let ln_norm = ln_gamma(n + 1.0);
        let (ln_p, ln_q) = (reference.ln(), (-reference).ln_1p());
        let (mut upper, mut lower) = (0.0, 0.0);
        for b in lo..=hi {
            let b = b as f64;
            let pmf =
                (ln_norm - ln_gamma(b + 1.0) - ln_gamma(n - b + 1.0) + b * ln_p + (n - b) * ln_q)
                    .exp();
            if spread > 0.0 {
                upper += pmf * std.sf((k - b - 0.5) / spread);
                lower += pmf * std.cdf((k - b + 0.5) / spread);
            } else {
                if b >= k {
                    upper += pmf;
                }
                if b <= k {
                    lower += pmf;
                }
            }
        }
        Ok((2.0 * upper.min(lower)).min(1.0))
    }
}

/// The most terms the exact binomial sum of [`Proportion::p_value_against`] takes (about
/// 0.1 s).
pub const MAX_EXACT_TERMS: u64 = 2_000_000;

/// The most trials [`Proportion::p_value_against`] takes: beyond, `ln Γ(n + 1)` is so large
/// that its rounding (an ulp of 3·10⁻⁵ at 10¹⁰) no longer leaves the terms' relative
/// precision below 10⁻⁴ (at 10¹³ the summed mass is off by 0.7 %).
pub const MAX_EXACT_TRIALS: f64 = 1e10;

/// `P(B ≤ j)` for `B ~ Binomial(n, p)`, from the regularised incomplete beta function:
/// `P(B ≤ j) = 1 − I_p(j + 1, n − j)`.
fn binomial_cdf(n: u64, p: f64, j: u64) -> f64 {
    if j >= n {
        1.0
    } else {
        1.0 - beta_reg((j + 1) as f64, (n - j) as f64, p)
    }
}

/// The ranks `(l, u)` (1-based) of the order statistics that bracket the
/// `p`-quantile with confidence at least `confidence`, and the exact coverage
/// `P(l ≤ B < u)`, `B ~ Binomial(n, p)`.
///
/// `B = #{i : X_i ≤ ξ_p}` is Binomial(n, p) for a continuous law, and
/// `X_(l) ≤ ξ_p < X_(u)` exactly when `l ≤ B < u`. We take the largest `l` with
/// `P(B < l) ≤ α/2` and the smallest `u` with `P(B ≥ u) ≤ α/2`, so the interval is
/// distribution-free. A side is `None` when no rank in `1..=n` qualifies (the sample
/// is too small to bound that side at this confidence; that side is then unbounded).
///
/// ```
/// use saddle_sde::uncertainty::order_statistic_ranks;
/// // the textbook median interval for n = 100: X_(40) … X_(61), coverage 0.9648
/// let (l, u, cov) = order_statistic_ranks(100, 0.5, 0.95)?;
/// assert_eq!((l, u), (Some(40), Some(61)));
/// assert!((cov - 0.9648).abs() < 1e-4);
/// # Ok::<(), saddle_sde::Error>(())
/// ```
///
/// # Errors
/// Parameter errors naming `n` (zero), `p` (outside `(0, 1)`) or `confidence`.
pub fn order_statistic_ranks(
    n: u64,
    p: f64,
    confidence: f64,
) -> Result<(Option<u64>, Option<u64>, f64)> {
    if n == 0 {
        return Err(param("n", 0.0, ">= 1"));
    }
    if !(p > 0.0 && p < 1.0) {
        return Err(param("p", p, "in (0, 1)"));
    }
    check_confidence(confidence)?;
    let half = 0.5 * (1.0 - confidence);
    let cdf = |j: u64| binomial_cdf(n, p, j);
    // P(B < l) = cdf(l − 1) is increasing in l: largest l in 1..=n with cdf(l−1) ≤ α/2
    // (l = 1 always has P(B < 1) = (1−p)^n; if even that exceeds α/2, no lower rank).
    let lower = if cdf(0) > half {
        None
    } else {
        let (mut lo, mut hi) = (1u64, n); // invariant: cdf(lo − 1) ≤ half
        while lo < hi {
            let mid = lo + (hi - lo).div_ceil(2);
            if cdf(mid - 1) <= half {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        Some(lo)
    };
    // P(B ≥ u) = 1 − cdf(u − 1) is decreasing in u: smallest u in 1..=n with
    // 1 − cdf(u − 1) ≤ α/2.
    let upper = if 1.0 - cdf(n - 1) > half {
        None
    } else {
        let (mut lo, mut hi) = (1u64, n); // invariant: 1 − cdf(hi − 1) ≤ half
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if 1.0 - cdf(mid - 1) <= half {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        Some(lo)
    };
    let p_lo = lower.map_or(0.0, |l| cdf(l - 1)); // P(B < l)
    let p_hi = upper.map_or(0.0, |u| 1.0 - cdf(u - 1)); // P(B ≥ u)
    Ok((lower, upper, 1.0 - p_lo - p_hi))
}

/// A distribution-free confidence interval for the `p`-quantile `ξ_p`, from order
/// statistics (see [`order_statistic_ranks`]). It is an interval, not a standard
/// error: print it as `[lower, upper]` with its [`label`](Self::label).
///
/// An end that the sample cannot bound (too few observations for the confidence, or
/// a histogram rank in the unresolved tail) is `−∞` or `+∞`.
///
/// ```
/// use saddle_sde::uncertainty::QuantileInterval;
/// let sample: Vec<f64> = (1..=100).map(f64::from).collect();
/// let q = QuantileInterval::from_sample(&sample, 0.5, 0.95)?;
/// assert_eq!((q.estimate, q.lower, q.upper), (50.0, 40.0, 61.0));
/// assert_eq!(q.label(), "95% order-statistic interval");
/// # Ok::<(), saddle_sde::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct QuantileInterval {
    /// The probability `p` of the quantile.
    pub p: f64,
    /// The point estimate (the order statistic of rank `⌈np⌉`, or the histogram's
    /// interpolated quantile).
    pub estimate: f64,
    /// Lower end (`−∞` when not bounded).
    pub lower: f64,
    /// Upper end (`+∞` when not bounded).
    pub upper: f64,
    /// Nominal confidence asked for.
    pub confidence: f64,
    /// The exact coverage of the chosen ranks (≥ `confidence` when both ends are
    /// bounded; for a histogram the interval is wider still).
    pub coverage: f64,
    /// Whether it came from a histogram (ends rounded out to bin edges).
    pub from_histogram: bool,
}

impl QuantileInterval {
    /// From an unsorted sample (NaN not allowed; the sample is copied and sorted).
    ///
    /// # Errors
    /// Parameter errors naming `sample` (empty or containing NaN), `p`, `confidence`.
    pub fn from_sample(sample: &[f64], p: f64, confidence: f64) -> Result<Self> {
        if sample.iter().any(|x| x.is_nan()) {
            return Err(param("sample", f64::NAN, "free of NaN"));
        }
        let mut v = sample.to_vec();
        v.sort_by(f64::total_cmp);
        Self::from_sorted(&v, p, confidence)
    }

    /// From a sample sorted in increasing order.
    ///
    /// # Errors
    /// As [`from_sample`](Self::from_sample).
    pub fn from_sorted(sorted: &[f64], p: f64, confidence: f64) -> Result<Self> {
        if sorted.is_empty() {
            return Err(param("sample", 0.0, "non-empty (length >= 1)"));
        }
        let n = sorted.len() as u64;
        let (l, u, coverage) = order_statistic_ranks(n, p, confidence)?;
        let rank = ((p * n as f64).ceil() as usize).clamp(1, sorted.len());
        Ok(Self {
            p,
            estimate: sorted[rank - 1],
            lower: l.map_or(f64::NEG_INFINITY, |l| sorted[l as usize - 1]),
            upper: u.map_or(f64::INFINITY, |u| sorted[u as usize - 1]),
            confidence,
            coverage,
            from_histogram: false,
        })
    }

    /// From a histogram of the sample: the ranks of [`order_statistic_ranks`] are
    /// located in their bins and the interval runs from the left edge of the bin
    /// holding `X_(l)` to the right edge of the bin holding `X_(u)`, so it contains
    /// the order-statistic interval and covers at least as often. Ranks below `lo`
    /// give `−∞`, above `hi` give `+∞`. The estimate is [`Histogram::quantile`]
    /// (NaN when it lies in an unresolved tail).
    ///
    /// ```
    /// use saddle_sde::{ensemble::Histogram, uncertainty::QuantileInterval};
    /// let mut h = Histogram::new(0.0, 100.0, 100)?;
    /// for i in 1..=100 { h.push(i as f64 - 0.5) } // one value per bin
    /// let q = QuantileInterval::from_histogram(&h, 0.5, 0.95)?;
    /// assert_eq!((q.lower, q.upper), (39.0, 61.0)); // bins of X_(40) and X_(61)
    /// # Ok::<(), saddle_sde::Error>(())
    /// ```
    ///
    /// # Errors
    /// Parameter errors naming `sample` (empty histogram), `p`, `confidence`.
    pub fn from_histogram(h: &Histogram, p: f64, confidence: f64) -> Result<Self> {
        let n = h.total();
        if n == 0 {
            return Err(param("sample", 0.0, "non-empty (histogram total >= 1)"));
        }
        let (l, u, coverage) = order_statistic_ranks(n, p, confidence)?;
        // (bin index or None for the tails, side) of the observation of rank r
        let locate = |r: u64| -> Result<usize, bool> {
            if r <= h.below() {
                return Err(false); // below lo
            }
            let mut cum = h.below();
            for (k, &c) in h.counts().iter().enumerate() {
                cum += c;
                if cum >= r {
                    return Ok(k);
                }
            }
            Err(true) // above hi
        };
        let w = h.resolution();
        let lower = match l.map(locate) {
            None | Some(Err(false)) => f64::NEG_INFINITY,
            Some(Ok(k)) => h.bin_left(k),
            Some(Err(true)) => h.hi(),
        };
        let upper = match u.map(locate) {
            None | Some(Err(true)) => f64::INFINITY,
            Some(Ok(k)) => h.bin_left(k) + w,
            Some(Err(false)) => h.lo(),
        };
        Ok(Self {
            p,
            estimate: h.quantile(p).unwrap_or(f64::NAN),
            lower,
            upper,
            confidence,
            coverage,
            from_histogram: true,
        })
    }

    /// What the interval is, for printing beside it: e.g.
    /// `"95% order-statistic interval"` (or `"… (histogram bins)"`).
    pub fn label(&self) -> String {
        let pct = format!("{}", (self.confidence * 1000.0).round() / 10.0);
        if self.from_histogram {
            format!("{pct}% order-statistic interval (histogram bins)")
        } else {
            format!("{pct}% order-statistic interval")
        }
    }
}

/// Exact moments of the sampled law where the caller knows them (`None`: unknown).
/// An infinite value means the moment does not exist.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ExactMoments {
    /// `E[X]`.
    pub mean: Option<f64>,
    /// `Var[X]`.
    pub variance: Option<f64>,
    /// The fourth central moment `E[(X − E X)⁴]`.
    pub fourth_central: Option<f64>,
}

/// Why a sample standard error is not trustworthy.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum HeavyTail {
    /// The variance or the fourth moment does not exist: the sample variance does
    /// not estimate anything (or does so with infinite variance).
    MomentDoesNotExist,
    /// The exact kurtosis `κ = μ₄/σ⁴` makes the sample variance too noisy:
    /// its relative standard deviation `√((κ − 1)/n)` exceeds 1/2.
    Kurtosis {
        /// `√((κ − 1)/n)`.
        relative_sd_of_variance: f64,
    },
    /// The sample and exact standard errors differ by more than a factor of 2.
    Disagreement {
        /// sample standard error / exact standard error.
        ratio: f64,
    },
}

impl std::fmt::Display for HeavyTail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::MomentDoesNotExist => write!(
                f,
                "heavy tail: the fourth moment does not exist, the sample standard error is meaningless"
            ),
            Self::Kurtosis {
                relative_sd_of_variance,
            } => write!(
                f,
                "heavy tail: the sample variance has relative error ~{relative_sd_of_variance:.1e} at this n"
            ),
            Self::Disagreement { ratio } => write!(
                f,
                "heavy tail: sample standard error is {ratio:.2e} x the exact one"
            ),
        }
    }
}

/// A sample mean with the standard error to use for it.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct MeanReport {
    /// The sample mean.
    pub estimate: f64,
    /// The standard error to use: the exact `√(Var/n)` when the variance is known
    /// and finite, else the sample one.
    pub stderr: f64,
    /// `√(s²/n)` from the sample variance `s²`.
    pub sample_stderr: f64,
    /// `√(Var/n)` from the exact variance, when known.
    pub exact_stderr: Option<f64>,
    /// `(estimate − E X)/stderr` when the exact mean is known.
    pub z: Option<f64>,
    /// Why the sample standard error is not trustworthy (`None`: no sign of trouble).
    pub heavy_tail: Option<HeavyTail>,
}

impl MeanReport {
    /// Whether [`stderr`](Self::stderr) comes from the exact variance.
    pub fn uses_exact_variance(&self) -> bool {
        self.exact_stderr.is_some()
    }
}

/// Assesses a sample mean of `n` observations with unbiased sample variance
/// `sample_variance`, given what is known exactly.
///
/// The rule, checked in this order (the first that fires is reported):
///
/// 1. if the exact variance or fourth central moment is infinite, the sample standard
///    error is meaningless: [`HeavyTail::MomentDoesNotExist`];
/// 2. if the exact kurtosis `κ = μ₄/Var²` is known, the sample variance from `n`
///    observations has relative standard deviation ≈ `√((κ − 1)/n)`
///    (`Var[s²] ≈ (μ₄ − Var²)/n`); above 1/2 the sample standard error can be off by
///    a factor of 2 or more: [`HeavyTail::Kurtosis`];
/// 3. if the exact variance is known and the sample and exact standard errors differ
///    by more than a factor of 2: [`HeavyTail::Disagreement`].
///
/// The standard error reported is the exact `√(Var/n)` whenever the variance is known
/// and finite, and `z` uses it. When a heavy tail is flagged, report the median and
/// quantiles ([`QuantileInterval`]) beside the mean.
///
/// ```
/// use saddle_sde::uncertainty::{mean_report, ExactMoments, HeavyTail};
/// // the saddle SDE a = 1, σ = 2, τ = −1, ρ = 0.95, x0 = 0.1 at t = 5 with 100 000
/// // EM paths: sample s.e. 7.0, but the exact Var 1.0758e12 gives s.e. 3 280
/// let exact = ExactMoments { mean: Some(14.84), variance: Some(1.0758e12), fourth_central: None };
/// let r = mean_report(29.94, 7.0f64.powi(2) * 1e5, 100_000, exact)?;
/// assert!((r.stderr - 3279.9).abs() < 0.1);
/// assert!(r.z.unwrap().abs() < 0.01);
/// assert!(matches!(r.heavy_tail, Some(HeavyTail::Disagreement { .. })));
/// # Ok::<(), saddle_sde::Error>(())
/// ```
///
/// # Errors
/// A parameter error naming `n` when `n < 2`.
pub fn mean_report(
    mean: f64,
    sample_variance: f64,
    n: u64,
    exact: ExactMoments,
) -> Result<MeanReport> {
    if n < 2 {
        return Err(param("n", n as f64, ">= 2"));
    }
    let nf = n as f64;
    let sample_stderr = (sample_variance / nf).sqrt();
    // An exact variance of 0 (a deterministic x_T, or t = 0) gives no standard error
    // to compare with: no z and no heavy-tail verdict, only the estimate.
    let var = exact.variance.filter(|&v| v != 0.0);
    let degenerate = exact.variance == Some(0.0);
    let exact_stderr = var.filter(|v| v.is_finite()).map(|v| (v / nf).sqrt());
    let stderr = exact_stderr.unwrap_or(sample_stderr);
    let z = exact
        .mean
        .filter(|_| !degenerate && stderr > 0.0)
        .map(|m| (mean - m) / stderr);
    let infinite = |x: Option<f64>| x.is_some_and(|v| v.is_infinite());
    let heavy_tail = if degenerate {
        None
    } else if infinite(var) || infinite(exact.fourth_central) {
        Some(HeavyTail::MomentDoesNotExist)
    } else if let (Some(v), Some(m4)) = (var, exact.fourth_central) {
        let kappa = m4 / (v * v);
        let rel = ((kappa - 1.0).max(0.0) / nf).sqrt();
        (rel > 0.5).then_some(HeavyTail::Kurtosis {
            relative_sd_of_variance: rel,
        })
    } else {
        None
    };
    let heavy_tail = heavy_tail.or_else(|| {
        exact_stderr
            .filter(|&e| e > 0.0 && sample_stderr.is_finite())
            .and_then(|e| {
                let ratio = sample_stderr / e;
                (!(0.5..=2.0).contains(&ratio)).then_some(HeavyTail::Disagreement { ratio })
            })
    });
    Ok(MeanReport {
        estimate: mean,
        stderr,
        sample_stderr,
        exact_stderr,
        z,
        heavy_tail,
    })
}

/// The asymptotic Kolmogorov–Smirnov critical coefficient at `α ≈ 0.001`: reject a
/// one-sample fit when `D > 1.95/√n`, a two-sample one when
/// `D > 1.95·√((n + m)/(n m))` ([`kolmogorov_sf`]`(1.95) = 9.96·10⁻⁴`; the exact
/// 0.001 point is 1.9495). The test suite uses the same value.
pub const KS_COEFF_001: f64 = 1.95;

/// The upper tail of the Kolmogorov distribution,
/// `P(K > x) = 2 Σ_{k≥1} (−1)^{k−1} e^{−2k²x²}`: the asymptotic p-value of
/// `√n·D` (one sample) or `√(nm/(n+m))·D` (two samples). 1 for `x ≤ 0`.
///
/// ```
/// use saddle_sde::uncertainty::kolmogorov_sf;
/// assert!((kolmogorov_sf(1.95) - 9.96e-4).abs() < 1e-6);
/// assert!((kolmogorov_sf(1.358) - 0.05).abs() < 1e-3);
/// ```
pub fn kolmogorov_sf(x: f64) -> f64 {
    // below 0.2 the alternating series converges slowly and P(K > 0.2) = 1 − 4e-13;
    // NaN gives 1 as well
    if x.is_nan() || x < 0.2 {
        return 1.0;
    }
    let mut s = 0.0;
    for k in 1..=100 {
        let kf = f64::from(k);
        let term = (-2.0 * kf * kf * x * x).exp();
        s += if k % 2 == 1 { term } else { -term };
        if term < 1e-17 {
            break;
        }
    }
    (2.0 * s).clamp(0.0, 1.0)
}

/// One-sample Kolmogorov–Smirnov distance `sup |F_n − F|` between the empirical
/// distribution of `sorted` (increasing, no NaN) and the continuous CDF `cdf`; 0 for
/// an empty sample.
///
/// ```
/// use saddle_sde::uncertainty::ks_distance;
/// // two points at the quartiles of U(0, 1): the empirical CDF jumps to 1/2 and 1
/// assert!((ks_distance(&[0.25, 0.75], |x| x) - 0.25).abs() < 1e-15);
/// ```
pub fn ks_distance(sorted: &[f64], cdf: impl Fn(f64) -> f64) -> f64 {
    let n = sorted.len() as f64;
    sorted.iter().enumerate().fold(0.0f64, |d, (i, &x)| {
        let f = cdf(x);
        d.max((f - i as f64 / n).abs())
            .max(((i + 1) as f64 / n - f).abs())
    })
}

/// Two-sample Kolmogorov–Smirnov distance `sup |F_a − F_b|` between two samples,
/// each sorted increasingly (no NaN); 0 if either is empty.
///
/// ```
/// use saddle_sde::uncertainty::ks_distance_two;
/// assert_eq!(ks_distance_two(&[1.0, 2.0], &[3.0, 4.0]), 1.0);
/// assert_eq!(ks_distance_two(&[1.0, 3.0], &[1.0, 3.0]), 0.0);
/// ```
pub fn ks_distance_two(a: &[f64], b: &[f64]) -> f64 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let (na, nb) = (a.len() as f64, b.len() as f64);
    let (mut i, mut j, mut d) = (0usize, 0usize, 0.0f64);
    while i < a.len() && j < b.len() {
        let x = a[i].min(b[j]);
        while i < a.len() && a[i] <= x {
            i += 1;
        }
        while j < b.len() && b[j] <= x {
            j += 1;
        }
        d = d.max((i as f64 / na - j as f64 / nb).abs());
    }
    d
}

/// The discretisation-bias allowance of a one-sample KS test from a Richardson pair
/// (see [`richardson_ks_allowance`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RichardsonKs {
    /// `B₀ = sup_x |F̂_2h(x) − F̂_h(x)|`: the estimated CDF bias of the fine law.
    pub b0: f64,
    /// `q_max`: the largest fraction of pairs whose two values straddle one `x`.
    pub q_max: f64,
    /// `B̂ = B₀ + 2·k·√(q_max/n)`: the allowance to add to `D_crit`.
    pub allowance: f64,
}

/// The bias allowance of a one-sample Kolmogorov–Smirnov test of `fine`, the end values
/// of `n` paths at step `h`, from `coarse`, the same paths at step `2h` on the same
/// Brownian path (a Richardson pair, e.g. from
/// [`Mlmc::richardson_pair`](crate::mlmc::Mlmc::richardson_pair)), at the critical
/// coefficient `k` (the test's `D_crit = k/√n`).
///
/// For a weak-order-1 scheme the fine CDF is `F_h = F + h·c + O(h²)`, so the bias
/// `F_h − F = F_2h − F_h + O(h²)` is estimated by `B₀ = sup |F̂_2h − F̂_h|`. The pair
/// difference `1{X_2h ≤ x} − 1{X_h ≤ x}` is non-zero only on the fraction `q(x)` of pairs
/// that straddle `x`, so its variance is at most `q(x) ≤ q_max`, and the sampling error
/// of `B₀` is bounded at the test's level by `2·k·√(q_max/n)` (the Kolmogorov
/// coefficient of a Brownian bridge, whose variance is at most ¼, scaled to a variance
/// at most `q_max`). Rejecting at `D > k/√n + B̂` then has size at most about twice the
/// level of `k`, plus the `O(h²)` remainder, which is not allowed for.
///
/// ```
/// use saddle_sde::uncertainty::richardson_ks_allowance;
/// // identical pairs: no bias and no straddling pair
/// let r = richardson_ks_allowance(&[0.1, 0.5, 0.9], &[0.1, 0.5, 0.9], 2.628)?;
/// assert_eq!((r.b0, r.q_max, r.allowance), (0.0, 0.0, 0.0));
/// # Ok::<(), saddle_sde::Error>(())
/// ```
///
/// # Errors
/// A parameter error naming `coarse` if the lengths differ or either is empty, `fine`
/// or `coarse` if a value is not finite, `k` outside `(0, 40]`.
pub fn richardson_ks_allowance(fine: &[f64], coarse: &[f64], k: f64) -> Result<RichardsonKs> {
    if fine.len() != coarse.len() || fine.is_empty() {
        return Err(param(
            "coarse",
            coarse.len() as f64,
            format!("as many values as fine ({}), at least one", fine.len()),
        ));
    }
    if let Some(&x) = fine.iter().find(|x| !x.is_finite()) {
        return Err(param("fine", x, "finite values"));
    }
    if let Some(&x) = coarse.iter().find(|x| !x.is_finite()) {
        return Err(param("coarse", x, "finite values"));
    }
    if !(k > 0.0 && k <= 40.0) {
        return Err(param(
            "k",
            k,
            "in (0, 40] (a Kolmogorov coefficient: the tail at 40 is 2e^(-3200))",
        ));
    }
    let n = fine.len();
    let (mut a, mut b) = (fine.to_vec(), coarse.to_vec());
    a.sort_by(f64::total_cmp);
    b.sort_by(f64::total_cmp);
    let b0 = ks_distance_two(&a, &b);
    // q_max: the most intervals [min, max) of a pair that contain one x
    let mut ends: Vec<(f64, i32)> = fine
        .iter()
        .zip(coarse)
        .flat_map(|(&f, &c)| [(f.min(c), 1), (f.max(c), -1)])
        .collect();
    ends.sort_by(|x, y| x.0.total_cmp(&y.0).then(x.1.cmp(&y.1)));
    let (mut open, mut most) = (0i32, 0i32);
    for (_, d) in ends {
        open += d;
        most = most.max(open);
    }
    let q_max = f64::from(most) / n as f64;
    Ok(RichardsonKs {
        b0,
        q_max,
        allowance: b0 + 2.0 * k * (q_max / n as f64).sqrt(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_distr::{Binomial, Distribution};
    use rand_xoshiro::Xoshiro256PlusPlus;

    /// The two-sided critical value at the report's per-check level
    /// [`crate::report::CHECK_ALPHA`] (4.753), which the size tests below use.
    fn z_each() -> f64 {
        z_two_sided(1.0 - crate::report::CHECK_ALPHA)
    }

    fn binom_pmf(n: u64, p: f64, k: u64) -> f64 {
        let c = if k == 0 {
            0.0
        } else {
            binomial_cdf(n, p, k - 1)
        };
        binomial_cdf(n, p, k) - c
    }

    #[test]
    fn errors_are_typed() {
        use crate::Error;
        let name = |e: Error| match e {
            Error::Param(p) => p.name,
            other => panic!("{other}"),
        };
        assert_eq!(name(Proportion::new(0, 0).unwrap_err()), "trials");
        assert_eq!(name(Proportion::new(3, 2).unwrap_err()), "successes");
        let p = Proportion::new(1, 2).unwrap();
        for c in [0.0, 1.0, -0.5, 1.5, f64::NAN] {
            assert_eq!(name(p.wilson(c).unwrap_err()), "confidence");
            assert_eq!(name(p.clopper_pearson(c).unwrap_err()), "confidence");
        }
        assert_eq!(name(order_statistic_ranks(0, 0.5, 0.9).unwrap_err()), "n");
        assert_eq!(name(order_statistic_ranks(5, 1.0, 0.9).unwrap_err()), "p");
        assert_eq!(
            name(QuantileInterval::from_sample(&[], 0.5, 0.9).unwrap_err()),
            "sample"
        );
        assert_eq!(
            name(mean_report(0.0, 1.0, 1, ExactMoments::default()).unwrap_err()),
            "n"
        );
    }

    #[test]
    fn ends_have_positive_width() {
        for n in [1u64, 2, 10, 1000, 1_000_000] {
            for k in [0, n] {
                let p = Proportion::new(k, n).unwrap();
                for iv in [p.wilson(0.95).unwrap(), p.clopper_pearson(0.95).unwrap()] {
                    assert!(iv.width() > 0.0, "k={k} n={n} {iv:?}");
                    assert!(iv.contains(p.estimate()));
                    assert!((0.0..=1.0).contains(&iv.lower) && (0.0..=1.0).contains(&iv.upper));
                }
            }
        }
        // k = n mirrors k = 0
        let (a, b) = (
            Proportion::new(0, 10).unwrap(),
            Proportion::new(10, 10).unwrap(),
        );
        let (wa, wb) = (a.wilson(0.9).unwrap(), b.wilson(0.9).unwrap());
        assert!((wa.upper - (1.0 - wb.lower)).abs() < 1e-15);
        let (ca, cb) = (
            a.clopper_pearson(0.9).unwrap(),
            b.clopper_pearson(0.9).unwrap(),
        );
        assert!((ca.upper - (1.0 - cb.lower)).abs() < 1e-12);
    }

    #[test]
    fn wilson_textbook_value() {
        // k = 3, n = 50, 95%: [0.0206, 0.1622] (Newcombe 1998, method 3)
        let w = Proportion::new(3, 50).unwrap().wilson(0.95).unwrap();
        assert!((w.lower - 0.02062).abs() < 5e-5, "{w:?}");
        assert!((w.upper - 0.16217).abs() < 5e-5, "{w:?}");
    }

    /// Coverage check. Statistic: the fraction of N = 2000 draws k ~ Binomial(50, 0.02)
    /// whose 95% interval contains p = 0.02 (α = 0.05 nominal). Wilson's actual
    /// coverage at this (n, p) is not 0.95 but exactly P(K ≤ 2) = 0.9216 (its intervals
    /// for k ≥ 3 start above 0.02; the known dip at small np), Clopper–Pearson's is
    /// P(K ≤ 3) = 0.9822 ≥ 0.95. Each empirical count of covering draws is tested against
    /// its exact coverage c by the exact two-sided binomial test at
    /// `report::CHECK_ALPHA` (size ≤ α; about 156 and 36 misses are expected).
    #[test]
    fn coverage_matches_exact_coverage() {
        let (n, p, trials) = (50u64, 0.02, 2000u64);
        let exact = |f: &dyn Fn(&Proportion) -> Interval| -> f64 {
            (0..=n)
                .map(|k| {
                    let iv = f(&Proportion::new(k, n).unwrap());
                    if iv.contains(p) {
                        binom_pmf(n, p, k)
                    } else {
                        0.0
                    }
                })
                .sum()
        };
        let wilson = |q: &Proportion| q.wilson(0.95).unwrap();
        let cp = |q: &Proportion| q.clopper_pearson(0.95).unwrap();
        let (cw, ccp) = (exact(&wilson), exact(&cp));
        assert!((cw - 0.9216).abs() < 1e-3, "{cw}");
        assert!(ccp >= 0.95, "{ccp}");
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(20_240_607);
        let dist = Binomial::new(n, p).unwrap();
        let (mut hw, mut hcp) = (0u64, 0u64);
        for _ in 0..trials {
            let q = Proportion::new(dist.sample(&mut rng), n).unwrap();
            hw += u64::from(wilson(&q).contains(p));
            hcp += u64::from(cp(&q).contains(p));
        }
        for (hits, c) in [(hw, cw), (hcp, ccp)] {
            let f = hits as f64 / trials as f64;
            // the exact binomial test (about 36 misses are expected for Clopper–Pearson,
            // where the normal z had size 8.8·10⁻⁶)
            let pv = Proportion::new(hits, trials)
                .unwrap()
                .p_value_against(c, 0.0)
                .unwrap();
            eprintln!("coverage: empirical {f:.4}, exact {c:.4}, exact p {pv:.3e}");
            assert!(
                pv >= crate::report::CHECK_ALPHA,
                "coverage {f} vs exact {c}"
            );
        }
    }

    /// Power check. Statistic: the fraction of N = 2000 draws k ~ Binomial(1000, 0.55)
    /// whose 95% Wilson interval excludes 0.5 (a test of p = 0.5 at α = 0.05).
    /// Exact power Σ_k P(k)·[0.5 ∉ interval(k)] ≈ 0.89 (normal approximation
    /// Φ(0.05/√(0.2475/1000) − 1.96) = 0.89); the empirical fraction must be within 4.75
    /// binomial standard errors of the exact power, which must exceed 0.85.
    #[test]
    fn power_against_a_wrong_value() {
        let (n, p, p0, trials) = (1000u64, 0.55, 0.5, 2000u64);
        let excl = |k: u64| {
            !Proportion::new(k, n)
                .unwrap()
                .wilson(0.95)
                .unwrap()
                .contains(p0)
        };
        let power: f64 = (0..=n)
            .filter(|&k| excl(k))
            .map(|k| binom_pmf(n, p, k))
            .sum();
        assert!(power > 0.85, "{power}");
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(7);
        let dist = Binomial::new(n, p).unwrap();
        let hits = (0..trials).filter(|_| excl(dist.sample(&mut rng))).count();
        let f = hits as f64 / trials as f64;
        let se = (power * (1.0 - power) / trials as f64).sqrt();
        eprintln!("power: empirical {f:.4}, exact {power:.4}, se {se:.4}");
        assert!((f - power).abs() < z_each() * se, "{f} vs {power}");
    }

    #[test]
    fn clopper_pearson_is_exact_at_k0() {
        // k = 0: P(K = 0) = (1 − p)^n = α/2 at the upper end
        let cp = Proportion::new(0, 50)
            .unwrap()
            .clopper_pearson(0.95)
            .unwrap();
        assert!((cp.upper - (1.0 - 0.025f64.powf(1.0 / 50.0))).abs() < 1e-10);
    }

    /// Quantile coverage. Statistic: the fraction of N = 2000 samples of 200 standard
    /// exponentials whose 90% order-statistic interval for the median contains ln 2.
    /// Exact coverage of the chosen ranks is reported by `order_statistic_ranks`
    /// (≥ 0.90); the empirical fraction must be within 4.75 binomial standard errors
    /// (two-sided at `report::CHECK_ALPHA`).
    #[test]
    fn quantile_interval_coverage() {
        let (m, trials) = (200usize, 2000u64);
        let (_, _, cov) = order_statistic_ranks(m as u64, 0.5, 0.9).unwrap();
        assert!((0.9..0.95).contains(&cov), "{cov}");
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(3);
        let exp = rand_distr::Exp1;
        let mut hits = 0u64;
        let mut hist_hits = 0u64;
        for _ in 0..trials {
            let s: Vec<f64> = (0..m).map(|_| exp.sample(&mut rng)).collect();
            let q = QuantileInterval::from_sample(&s, 0.5, 0.9).unwrap();
            hits += u64::from(q.lower <= 2f64.ln() && 2f64.ln() <= q.upper);
            let mut h = Histogram::new(0.0, 4.0, 40).unwrap();
            s.iter().for_each(|&x| h.push(x));
            let qh = QuantileInterval::from_histogram(&h, 0.5, 0.9).unwrap();
            assert!(qh.lower <= q.lower && q.upper <= qh.upper);
            hist_hits += u64::from(qh.lower <= 2f64.ln() && 2f64.ln() <= qh.upper);
        }
        let f = hits as f64 / trials as f64;
        let se = (cov * (1.0 - cov) / trials as f64).sqrt();
        eprintln!("median interval: empirical {f:.4}, exact {cov:.4}, histogram {hist_hits}");
        assert!((f - cov).abs() < z_each() * se, "{f} vs {cov}");
        assert!(hist_hits >= hits);
    }

    #[test]
    fn small_samples_leave_a_side_unbounded() {
        // n = 3, median, 95%: P(B < 1) = 1/8 > 2.5%, so no order statistic bounds it
        let q = QuantileInterval::from_sample(&[1.0, 2.0, 3.0], 0.5, 0.95).unwrap();
        assert_eq!((q.lower, q.upper), (f64::NEG_INFINITY, f64::INFINITY));
        assert_eq!(q.estimate, 2.0);
    }

    #[test]
    fn light_tail_keeps_the_sample_error() {
        let exact = ExactMoments {
            mean: Some(1.0),
            variance: Some(4.0),
            fourth_central: Some(3.0 * 16.0),
        };
        let r = mean_report(1.01, 4.2, 10_000, exact).unwrap();
        assert_eq!(r.heavy_tail, None);
        assert!((r.stderr - 0.02).abs() < 1e-15);
        assert!((r.z.unwrap() - 0.5).abs() < 1e-9);
        let r = mean_report(1.0, 4.0, 10, ExactMoments::default()).unwrap();
        assert_eq!((r.heavy_tail, r.z), (None, None));
        assert_eq!(r.stderr, r.sample_stderr);
        let inf = ExactMoments {
            fourth_central: Some(f64::INFINITY),
            ..exact
        };
        assert_eq!(
            mean_report(1.0, 4.0, 10, inf).unwrap().heavy_tail,
            Some(HeavyTail::MomentDoesNotExist)
        );
        let heavy = ExactMoments {
            fourth_central: Some(1e6 * 16.0),
            ..exact
        };
        assert!(matches!(
            mean_report(1.0, 4.0, 10_000, heavy).unwrap().heavy_tail,
            Some(HeavyTail::Kurtosis { .. })
        ));
    }

    /// A hand-computed pair: one of four pairs straddles [0, 0.5), where the fine CDF
    /// is ¼ above the coarse one; bad input names the parameter.
    #[test]
    fn richardson_allowance_by_hand() {
        let r = richardson_ks_allowance(&[0.0, 1.0, 2.0, 3.0], &[0.5, 1.0, 2.0, 3.0], 2.0).unwrap();
        assert_eq!((r.b0, r.q_max), (0.25, 0.25));
        assert!((r.allowance - (0.25 + 2.0 * 2.0 * 0.25)).abs() < 1e-15);
        let name = |r: Result<RichardsonKs>| match r {
            Err(crate::Error::Param(p)) => p.name,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            name(richardson_ks_allowance(&[1.0], &[1.0, 2.0], 2.0)),
            "coarse"
        );
        assert_eq!(name(richardson_ks_allowance(&[], &[], 2.0)), "coarse");
        assert_eq!(
            name(richardson_ks_allowance(&[f64::NAN], &[1.0], 2.0)),
            "fine"
        );
        assert_eq!(
            name(richardson_ks_allowance(&[1.0], &[f64::INFINITY], 2.0)),
            "coarse"
        );
        assert_eq!(name(richardson_ks_allowance(&[1.0], &[1.0], 0.0)), "k");
    }
}
