//! How rare minima are among random critical points: the probability `P_n` that a
//! random symmetric `n × n` matrix from the Gaussian orthogonal ensemble (GOE:
//! `M_ii ~ N(0, 1)`, `M_ij = M_ji ~ N(0, ½)`, density `∝ exp(−tr(M²)/2)`) is positive
//! definite, against the claim of seed 002 that, "assuming the eigenvalue signs are
//! random", it is `1/2ⁿ`.
//!
//! # Estimators
//! [`PositiveDefinite::run`] computes, for each `n`:
//!
//! - **plain Monte Carlo**: GOE matrices ([`fill_goe`]), their eigenvalues
//!   (nalgebra's `symmetric_eigenvalues`) and the distribution of the index (the number
//!   of negative eigenvalues, `0 … n`); `P̂_n` = the share of index 0, with the
//!   plug-in standard error `√(p̂(1 − p̂)/N)` and the Wilson 95 % interval (honest at
//!   zero hits, which is what `N = 10⁶` gives from `n = 7`);
//! - **the sequential conditional estimator** ([`PositiveDefiniteSampler`]): the matrix
//!   is built row by row, each diagonal entry drawn above the value `c_k` that keeps the
//!   next Cholesky pivot positive, with the weight `Π Φ̄(c_k)`; its mean is `P_n`
//!   exactly, its variance is below `P_n(2⁻ⁿ − P_n)` (at least `2ⁿ − 1` times smaller
//!   than plain Monte Carlo's), and its sample standard error is reported with the
//!   effective sample size `(ΣW)²/ΣW²`. In practice its weights **degenerate** as `n`
//!   grows (a pivot drawn just above 0 makes every later `c_k` huge): with 10⁶ draws the
//!   effective sample size falls from 11 % of the draws at `n = 4` to 13 draws at
//!   `n = 8`, where its sample standard error is no longer a guide (it reports
//!   `(1.9 ± 0.5)·10⁻⁹` for `P_8 = 9.7·10⁻¹⁰`);
//! - **the same conditional estimator with resampling** ([`ResampledPositiveDefinite`]):
//!   a particle system of `N` partial matrices resampled by their weights after each
//!   row, unbiased, repeated `R` times with independent generators; the standard error
//!   is the spread of the `R` estimates. This is the estimate to use for `n ≥ 6`, and
//!   the one the large-deviation fit uses.
//!
//! Every estimator draws sample (or repetition) `i` of size `n` from
//! [`path_rng`]`(s, i)` with a seed `s` derived from the study's seed, `n` and the
//! estimator, and merges in index order ([`run_ordered_chunks`],
//! [`run_ordered_grouped`]), so results are the same bit for bit on any thread count,
//! and the estimate for one `n` does not depend on which other sizes are run.
//!
//! # References
//! - **exact**: `P_1 = ½`, `P_2 = (2 − √2)/4` ([`exact`], derived there); none is
//!   given here for `n ≥ 3`;
//! - **independent signs**: `2⁻ⁿ` ([`independent_signs`]); it is an upper bound for
//!   `n ≥ 1`, strict from `n = 2` (every factor of the conditional weight is at most ½);
//! - **large deviations** (Dean and Majumdar[^dm]): `ln P_n = −θ n² + o(n²)` with
//!   `θ = ln 3/4 = 0.274653` ([`LD_RATE`], [`large_deviation`]), for every Gaussian
//!   ensemble with Dyson index `β = 1`; the finite-`n` corrections (`n`, `ln n` and
//!   constant terms, Borot et al.[^bemn]) are not used here. The study fits
//!   `ln P_n = −θ n² + a n + b` by weighted least squares to the resampled estimates
//!   ([`LdFit`]).
//!
//! # Saddles against minima
//! In this model a critical point whose Hessian is a GOE matrix is a minimum with
//! probability `P_n`, a maximum with the same probability (`−M` has the law of `M`) and
//! a saddle otherwise, so the expected number of saddles per minimum is
//! `P(0 < index < n)/P(index = 0) = (1 − 2P_n)/P_n`; the independence heuristic says
//! `2ⁿ − 2`. The study gives it from the plain index counts (delta-method standard
//! error) and from the resampled estimate through the identity above.
//!
//! # How wrong the heuristic is
//! A run of `saddle hessian --max-n 8 --samples 1000000` (seed 1; 10⁶ plain samples
//! and conditional draws per `n`; the resampled estimate from 100 repetitions of 2 000
//! particles):
//!
//! | n | `P_n` (resampled, ± s.e.) | plain hits in 10⁶ | `2⁻ⁿ` | `2⁻ⁿ/P_n` |
//! |---|---|---|---|---|
//! | 1 | 0.5 (exact) | 499 913 | 0.5 | 1 |
//! | 2 | 0.14658 ± 0.00022 (exact 0.146447) | 146 762 | 0.25 | 1.706 ± 0.003 |
//! | 3 | 0.024774 ± 0.000064 | 24 786 | 0.125 | 5.046 ± 0.013 |
//! | 4 | (2.4386 ± 0.0115)·10⁻³ | 2 506 | 0.0625 | 25.63 ± 0.12 |
//! | 5 | (1.4039 ± 0.0104)·10⁻⁴ | 148 | 0.03125 | 222.6 ± 1.6 |
//! | 6 | (4.531 ± 0.045)·10⁻⁶ | 6 | 0.015625 | 3 448 ± 34 |
//! | 7 | (9.017 ± 0.123)·10⁻⁸ | 0 | 0.0078125 | (8.66 ± 0.12)·10⁴ |
//! | 8 | (9.634 ± 0.195)·10⁻¹⁰ | 0 | 0.00390625 | (4.05 ± 0.08)·10⁶ |
//!
//! At `n = 8` a GOE matrix is positive definite about four million times less often
//! than the heuristic says, and there are (1.04 ± 0.02)·10⁹ saddles per minimum, not
//! `2⁸ − 2 = 254`. (The test suite's exact reference, de Bruijn's Pfaffian formula for
//! the eigenvalue integral, gives `P_8 = 9.6945·10⁻¹⁰`.) The decay is Gaussian in `n`,
//! not exponential: the fit over `n = 3 … 12` gives θ̂ = 0.2735 ± 0.0008 against
//! ln 3/4 = 0.27465 (χ² = 8.0 on 7 degrees of freedom), with a linear correction
//! `a = −0.401 ± 0.009`, so that `exp(−θ n²)` alone overstates `P_8` about 24 times.
//! Fitted to the exact values over the same sizes the model gives θ = 0.2740: the `ln n`
//! term it leaves out biases θ̂ by −0.0006.
//!
//! ```
//! use saddle_sde::landscape::goe::{PositiveDefinite, exact};
//! let study = PositiveDefinite::new(2, 20_000, 7)?.fit_range(2, 5)?.replicates(20)?.particles(200)?;
//! let r = study.run(&mut |_| {})?;
//! let p2 = &r.rows[1];
//! // plain Monte Carlo: 20 000 samples, standard error √(p(1 − p)/N) = 0.0025
//! let plain = p2.plain.as_ref().unwrap().estimate();
//! assert!((plain.estimate - exact(2).unwrap()).abs() < 4.0 * plain.stderr);
//! // the 1/2ⁿ heuristic (0.25) is far outside
//! assert!((plain.estimate - 0.25).abs() > 20.0 * plain.stderr);
//! # Ok::<(), saddle_sde::Error>(())
//! ```
//!
//! [^dm]: D. S. Dean, S. N. Majumdar, *Large deviations of extreme eigenvalues of random
//!     matrices*, Phys. Rev. Lett. 97 (2006) 160201; *Extreme value statistics of
//!     eigenvalues of Gaussian random matrices*, Phys. Rev. E 77 (2008) 041108.
//! [^bemn]: G. Borot, B. Eynard, S. N. Majumdar, C. Nadal, *Large deviations of the
//!     maximal eigenvalue of random matrices*, J. Stat. Mech. (2011) P11024.

use crate::ensemble::{MeanVar, Merge, run_ordered_chunks, run_ordered_grouped};
use crate::error::{Error, Result, param};
use crate::escape::Estimate;
use crate::noise::{PositiveDefiniteSampler, ResampledPositiveDefinite, fill_goe, path_rng};
use crate::uncertainty::{Interval, Proportion};
use nalgebra::{DMatrix, Matrix3, Vector3};
use rand::Rng;
use std::f64::consts::LN_2;

/// The Dean–Majumdar rate `θ = ln 3/4 = 0.274653…`: `ln P_n = −θ n² + o(n²)`.
pub const LD_RATE: f64 = 0.274_653_072_167_027_4;

/// The largest size a study accepts. The conditional estimators keep
/// `W·2ⁿ = exp(ln W + n ln 2)`, whose mean `P_n 2ⁿ ≈ exp(−0.27n² + 0.3n)` must stay far
/// above the smallest double (`e⁻⁷⁴⁵`); and from `n ≈ 14` the resampled estimator
/// needs more than a few thousand particles for a useful standard error anyway.
pub const MAX_N: usize = 32;

/// The exact `P_n` where it is known here: `n = 1`: `½`; `n = 2`: `(2 − √2)/4`;
/// `None` otherwise.
///
/// `n = 1`: `M = M_11 ~ N(0, 1)` is positive with probability ½.
///
/// `n = 2`: `M = [[a, c], [c, b]]` with `a, b ~ N(0, 1)`, `c ~ N(0, ½)`. With
/// `s = (a + b)/√2`, `t = (a − b)/√2` and `u = √2 c`, independent standard normals, the
/// eigenvalues are `(s ± √(t² + u²))/√2`, so `M ≻ 0` exactly when `s > R = √(t² + u²)`,
/// and `R` has the Rayleigh density `r e^{−r²/2}`. Integrating by parts,
///
/// ```text
/// P_2 = ∫_0^∞ r e^{−r²/2} Φ̄(r) dr = [−e^{−r²/2} Φ̄(r)]_0^∞ − ∫_0^∞ e^{−r²/2} φ(r) dr
///     = ½ − (1/√(2π)) ∫_0^∞ e^{−r²} dr = ½ − (1/√(2π))·(√π/2) = ½ − 1/(2√2)
///     = (2 − √2)/4 = 0.146447.
/// ```
///
/// ```
/// use saddle_sde::landscape::goe::exact;
/// assert_eq!(exact(1), Some(0.5));
/// assert!((exact(2).unwrap() - 0.1464466094067262).abs() < 1e-16);
/// assert_eq!(exact(3), None);
/// ```
pub fn exact(n: usize) -> Option<f64> {
    match n {
        1 => Some(0.5),
        2 => Some((2.0 - std::f64::consts::SQRT_2) / 4.0),
        _ => None,
    }
}

/// The independence heuristic `2⁻ⁿ` of seed 002.
pub fn independent_signs(n: usize) -> f64 {
    0.5f64.powi(n as i32)
}

/// The large-deviation form `exp(−θ n²)` with `θ = ln 3/4` ([`LD_RATE`]), without the
/// finite-`n` corrections.
pub fn large_deviation(n: usize) -> f64 {
    (-LD_RATE * (n * n) as f64).exp()
}

/// The study: plain, conditional and resampled conditional Monte Carlo for
/// `n = 1 … max_n` (the resampled estimator up to the end of the fit range), and the
/// large-deviation fit. See the [module documentation](self).
#[derive(Debug, Clone, PartialEq)]
pub struct PositiveDefinite {
    max_n: usize,
    samples: u64,
    seed: u64,
    conditional_samples: u64,
    particles: usize,
    replicates: u64,
    fit_from: usize,
    fit_to: usize,
}

impl PositiveDefinite {
    /// `samples` plain Monte Carlo samples (and as many conditional ones) for each
    /// `n = 1 … max_n`, with `seed`. The resampled estimator runs 100 repetitions of
    /// 2 000 particles for each `n` up to `max(max_n, 12)`, and the fit covers
    /// `n = 3 … max(max_n, 12)`.
    ///
    /// # Errors
    /// A parameter error naming `max_n` (outside `[1, 32]`) or `samples` (zero).
    pub fn new(max_n: usize, samples: u64, seed: u64) -> Result<Self> {
        check_n("max_n", max_n)?;
        if samples == 0 {
            return Err(param("samples", 0.0, ">= 1"));
        }
        Ok(Self {
            max_n,
            samples,
            seed,
            conditional_samples: samples.max(2),
            particles: 2_000,
            replicates: 100,
            fit_from: 3,
            fit_to: max_n.max(12),
        })
    }
    /// The number of draws of the (unresampled) conditional estimator per `n` (default:
    /// `samples`, at least 2).
    ///
    /// # Errors
    /// A parameter error naming `conditional_samples` unless it is at least 2.
    pub fn conditional_samples(mut self, k: u64) -> Result<Self> {
        if k < 2 {
            return Err(param("conditional_samples", k as f64, ">= 2"));
        }
        self.conditional_samples = k;
        Ok(self)
    }
    /// The particles of each resampled estimate (default 2 000).
    ///
    /// # Errors
    /// A parameter error naming `particles` unless it is in `[2, 10⁶]`.
    pub fn particles(mut self, particles: usize) -> Result<Self> {
        if !(2..=1_000_000).contains(&particles) {
            return Err(param("particles", particles as f64, "in [2, 1e6]"));
        }
        self.particles = particles;
        Ok(self)
    }
    /// The independent repetitions of the resampled estimate per `n` (default 100);
    /// its standard error is their standard deviation over `√R`.
    ///
    /// # Errors
    /// A parameter error naming `replicates` unless it is at least 2.
    pub fn replicates(mut self, r: u64) -> Result<Self> {
        if r < 2 {
            return Err(param("replicates", r as f64, ">= 2"));
        }
        self.replicates = r;
        Ok(self)
    }
    /// The sizes `from … to` of the large-deviation fit; the resampled estimator runs
    /// up to `max(max_n, to)`.
    ///
    /// # Errors
    /// A parameter error naming `fit_from` (below 2: `P̂_1 = ½` has no error to weight)
    /// or `fit_to` (above 32, or fewer than 4 sizes for the 3 parameters).
    pub fn fit_range(mut self, from: usize, to: usize) -> Result<Self> {
        if from < 2 {
            return Err(param("fit_from", from as f64, ">= 2"));
        }
        check_n("fit_to", to)?;
        if from.checked_add(3).is_none_or(|least| to < least) {
            return Err(param(
                "fit_to",
                to as f64,
                format!(
                    ">= fit_from + 3 = {} (4 sizes for 3 parameters)",
                    from as f64 + 3.0
                ),
            ));
        }
        self.fit_from = from;
        self.fit_to = to;
        Ok(self)
    }
    /// The largest `n` of the plain and conditional estimators.
    pub fn max_n(&self) -> usize {
        self.max_n
    }
    /// The largest `n` of the resampled estimator.
    pub fn resampled_max_n(&self) -> usize {
        self.max_n.max(self.fit_to)
    }

    /// Runs the study, calling `progress` with the fraction done (in `[0, 1]`).
    ///
    /// # Errors
    /// [`Error::DoesNotExist`] for the fit if some resampled estimate in its range has
    /// a zero standard error (not seen with 2 or more repetitions of 2 or more
    /// particles at `n ≥ 2`).
    pub fn run(&self, progress: &mut dyn FnMut(f64)) -> Result<PositiveDefiniteResult> {
        let top = self.resampled_max_n();
        // cost units, about µs on one core: plain ~0.07 n², conditional ~0.1 n,
        // resampled ~0.05 n² per particle (all rough, for the progress bar only)
        let cost_plain = |n: usize| self.samples as f64 * (0.07 * (n * n) as f64 + 0.05);
        let cost_cond = |n: usize| self.conditional_samples as f64 * 0.1 * n as f64;
        let cost_smc = |n: usize| {
            (self.replicates * self.particles as u64) as f64 * (0.05 * (n * n) as f64 + 0.1)
        };
        let total: f64 = (1..=self.max_n)
            .map(|n| cost_plain(n) + cost_cond(n))
            .chain((1..=top).map(cost_smc))
            .sum();
        let mut done = 0.0;
        let mut rows = Vec::with_capacity(top);
        for n in 1..=top {
            let (plain, conditional) = if n <= self.max_n {
                let c = cost_plain(n);
                let plain = self.plain(n, &mut |f| progress((done + f * c) / total));
                done += c;
                let c = cost_cond(n);
                let cond = self.conditional(n, &mut |f| progress((done + f * c) / total));
                done += c;
                (Some(plain), Some(cond))
            } else {
                (None, None)
            };
            let c = cost_smc(n);
            let resampled = self.resampled(n, &mut |f| progress((done + f * c) / total));
            done += c;
            rows.push(Row {
                n,
                plain,
                conditional,
                resampled,
                exact: exact(n),
            });
        }
        let fit = LdFit::of(&rows[self.fit_from - 1..self.fit_to])?;
        progress(1.0);
        Ok(PositiveDefiniteResult {
            rows,
            fit,
            samples: self.samples,
            conditional_samples: self.conditional_samples,
            particles: self.particles,
            replicates: self.replicates,
            seed: self.seed,
        })
    }

    /// Plain Monte Carlo for size `n`: index counts.
    fn plain(&self, n: usize, progress: &mut dyn FnMut(f64)) -> PlainMc {
        let seed = stream_seed(self.seed, n, Stream::Plain);
        let counts = run_ordered_chunks(
            self.samples,
            || IndexCounts(vec![0; n + 1]),
            |range, acc| {
                let mut m = DMatrix::zeros(n, n);
                for i in range {
                    fill_goe(&mut m, &mut path_rng(seed, i));
                    let negative = m
                        .symmetric_eigenvalues()
                        .iter()
                        .filter(|&&l| l < 0.0)
                        .count();
                    acc.0[negative] += 1;
                }
            },
            |d, t| progress(d as f64 / t as f64),
        );
        PlainMc {
            samples: self.samples,
            index_counts: counts.0,
        }
    }

    /// The sequential conditional estimator for size `n`: the mean of `W·2ⁿ`.
    fn conditional(&self, n: usize, progress: &mut dyn FnMut(f64)) -> Weighted {
        let seed = stream_seed(self.seed, n, Stream::Conditional);
        let shift = n as f64 * LN_2;
        let mv = run_ordered_chunks(
            self.conditional_samples,
            MeanVar::default,
            |range, acc| {
                let mut sampler = PositiveDefiniteSampler::new(n);
                let mut m = DMatrix::zeros(n, n);
                for i in range {
                    let ln_w = sampler.sample(&mut m, &mut path_rng(seed, i));
                    acc.push((ln_w + shift).exp());
                }
            },
            |d, t| progress(d as f64 / t as f64),
        );
        Weighted::from_scaled(&mv, n)
    }

    /// The resampled estimator for size `n`: the mean of `P̂·2ⁿ` over the repetitions,
    /// each its own unit of parallel work.
    fn resampled(&self, n: usize, progress: &mut dyn FnMut(f64)) -> Weighted {
        let seed = stream_seed(self.seed, n, Stream::Resampled);
        let shift = n as f64 * LN_2;
        let particles = self.particles;
        let mv = run_ordered_grouped(
            self.replicates,
            1,
            MeanVar::default,
            |range, acc| {
                // one allocation per repetition (2N n² doubles), against its N n³/3
                // multiply-adds
                let mut smc = ResampledPositiveDefinite::new(n, particles);
                for i in range {
                    let ln_p = smc.ln_estimate(&mut path_rng(seed, i));
                    acc.push((ln_p + shift).exp());
                }
            },
            |d, t| progress(d as f64 / t as f64),
        );
        Weighted::from_scaled(&mv, n)
    }
}

fn check_n(name: &'static str, n: usize) -> Result<usize> {
    if (1..=MAX_N).contains(&n) {
        Ok(n)
    } else {
        Err(param(name, n as f64, format!("in [1, {MAX_N}]")))
    }
}

/// Which estimator a generator stream belongs to.
#[derive(Clone, Copy)]
enum Stream {
    Plain = 1,
    Conditional = 2,
    Resampled = 3,
}

/// The seed of the stream of estimator `kind` at size `n`: the first output of
/// `path_rng(seed, kind·2³² + n)`, so that every (size, estimator) pair has its own
/// generators `path_rng(stream, i)`, whatever other sizes are run.
fn stream_seed(seed: u64, n: usize, kind: Stream) -> u64 {
    path_rng(seed, ((kind as u64) << 32) + n as u64).next_u64()
}

/// Counts of the index `0 … n`.
#[derive(Debug, Clone)]
struct IndexCounts(Vec<u64>);

impl Merge for IndexCounts {
    fn merge(&mut self, other: &Self) {
        for (a, b) in self.0.iter_mut().zip(&other.0) {
            *a += b;
        }
    }
}

/// Plain Monte Carlo at one size: the distribution of the index over the samples.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct PlainMc {
    /// The number of matrices drawn.
    pub samples: u64,
    /// `index_counts[k]`: how many had exactly `k` negative eigenvalues, `k = 0 … n`.
    pub index_counts: Vec<u64>,
}

impl PlainMc {
    /// The number of positive definite matrices (index 0).
    pub fn hits(&self) -> u64 {
        self.index_counts[0]
    }
    /// The hits as a proportion.
    pub fn proportion(&self) -> Proportion {
        Proportion {
            successes: self.hits(),
            trials: self.samples,
        }
    }
    /// `P̂ = hits/N` with the plug-in standard error `√(P̂(1 − P̂)/N)` (0 at zero hits:
    /// use [`wilson95`](Self::wilson95) there).
    pub fn estimate(&self) -> Estimate {
        let p = self.proportion();
        Estimate {
            estimate: p.estimate(),
            stderr: p.stderr(),
        }
    }
    /// The Wilson 95 % interval of `P_n`.
    pub fn wilson95(&self) -> Interval {
        self.proportion()
            .wilson(0.95)
            .expect("0.95 is a valid confidence")
    }
    /// Saddles per minimum, `P(0 < index < n)/P(index = 0) = s/h` from the counts `s`
    /// (index strictly between 0 and `n`) and `h` (index 0), with the delta-method
    /// standard error `(s/h)·√(1/s + 1/h)` (for multinomial counts,
    /// `Var(ln(s/h)) ≈ 1/(N p_s) + 1/(N p_h)`, the covariance term cancelling the `−1/N`
    /// terms). `None` for `n = 1`, or with fewer than 20 hits or saddles, where the
    /// delta method's standard error is no guide (use the resampled
    /// [`Row::saddle_ratio`] there).
    pub fn saddle_ratio(&self) -> Option<Estimate> {
        let n = self.index_counts.len() - 1;
        let h = self.hits();
        let s: u64 = self.index_counts[1..n.max(1)].iter().sum();
        if n < 2 || h < 20 || s < 20 {
            return None;
        }
        let r = s as f64 / h as f64;
        Some(Estimate {
            estimate: r,
            stderr: r * (1.0 / s as f64 + 1.0 / h as f64).sqrt(),
        })
    }
}

/// A weighted estimate of `P_n`: the mean of unbiased single estimates, with its sample
/// standard error and effective sample size.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Weighted {
    /// The number of single estimates (draws of the conditional sampler, or repetitions
    /// of the resampled one).
    pub samples: u64,
    /// Their mean and its standard error, `sd/√samples`.
    pub estimate: Estimate,
    /// `(Σ w)²/Σ w²` over the single estimates `w`: the number of equally weighted
    /// samples with the same relative variance; far below `samples` the weights are
    /// degenerate and the sample standard error is not to be trusted.
    pub effective_samples: f64,
}

impl Weighted {
    /// From the moments of `w·2ⁿ`.
    fn from_scaled(mv: &MeanVar, n: usize) -> Self {
        let scale = independent_signs(n);
        let k = mv.count() as f64;
        let (m, v) = (mv.mean(), mv.variance());
        // Σw² = (k − 1)v + k m², Σw = k m
        // all weights zero (underflowed): no effective sample at all
        let ess = if m > 0.0 {
            (k * m) * (k * m) / ((k - 1.0) * v + k * m * m)
        } else {
            0.0
        };
        Self {
            samples: mv.count(),
            estimate: Estimate {
                estimate: m * scale,
                stderr: mv.stderr() * scale,
            },
            effective_samples: ess,
        }
    }
    /// `ln P̂` with the delta-method standard error `se/P̂`; `None` if `P̂ = 0` (every
    /// weight underflowed).
    pub fn ln_estimate(&self) -> Option<Estimate> {
        (self.estimate.estimate > 0.0).then(|| Estimate {
            estimate: self.estimate.estimate.ln(),
            stderr: self.estimate.stderr / self.estimate.estimate,
        })
    }
}

/// The results at one size `n`.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Row {
    /// The size.
    pub n: usize,
    /// Plain Monte Carlo (`None` above `max_n`).
    pub plain: Option<PlainMc>,
    /// The sequential conditional estimator (`None` above `max_n`).
    pub conditional: Option<Weighted>,
    /// The resampled conditional estimator.
    pub resampled: Weighted,
    /// The exact value ([`exact`]).
    pub exact: Option<f64>,
}

impl Row {
    /// `2⁻ⁿ`.
    pub fn independent_signs(&self) -> f64 {
        independent_signs(self.n)
    }
    /// `exp(−(ln 3/4) n²)`.
    pub fn large_deviation(&self) -> f64 {
        large_deviation(self.n)
    }
    /// How many times the heuristic overstates `P_n`: `2⁻ⁿ/P̂_n` from the resampled
    /// estimate, with the delta-method standard error `(2⁻ⁿ/P̂)·se/P̂`; `None` if
    /// `P̂ = 0`.
    pub fn heuristic_factor(&self) -> Option<Estimate> {
        let e = self.resampled.estimate;
        (e.estimate > 0.0).then(|| {
            let f = self.independent_signs() / e.estimate;
            Estimate {
                estimate: f,
                stderr: f * e.stderr / e.estimate,
            }
        })
    }
    /// Saddles per minimum from the resampled estimate and the symmetry
    /// `P(index = n) = P(index = 0)`: `(1 − 2P̂)/P̂`, with the delta-method standard
    /// error `se/P̂²`. `None` for `n = 1` or if `P̂ = 0`.
    pub fn saddle_ratio(&self) -> Option<Estimate> {
        (self.n >= 2 && self.resampled.estimate.estimate > 0.0).then(|| {
            let e = self.resampled.estimate;
            Estimate {
                estimate: (1.0 - 2.0 * e.estimate) / e.estimate,
                stderr: e.stderr / (e.estimate * e.estimate),
            }
        })
    }
    /// The heuristic's saddles per minimum, `2ⁿ − 2`.
    pub fn heuristic_saddle_ratio(&self) -> f64 {
        2f64.powi(self.n as i32) - 2.0
    }
}

/// The weighted least-squares fit `ln P_n = −θ n² + a n + b` to the resampled
/// estimates over `n = from … to`, with weights `1/se_n²`, `se_n = se(P̂_n)/P̂_n`.
///
/// The standard errors are `√diag((XᵀWX)⁻¹)`: sampling errors only, exact if the model
/// holds. `chi2 = Σ (residual/se)²` against `dof = sizes − 3` says whether it does; the
/// model leaves out the `ln n` and `1/n` terms of the finite-`n` expansion.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct LdFit {
    /// The first size.
    pub from: usize,
    /// The last size.
    pub to: usize,
    /// `θ`, against `ln 3/4 = 0.274653`.
    pub theta: Estimate,
    /// `a`, the linear correction.
    pub linear: Estimate,
    /// `b`, the constant.
    pub constant: Estimate,
    /// `Σ (residual/se)²`.
    pub chi2: f64,
    /// Degrees of freedom, `to − from − 2`.
    pub dof: usize,
}

impl LdFit {
    fn of(rows: &[Row]) -> Result<Self> {
        let mut xtwx = Matrix3::<f64>::zeros();
        let mut xtwy = Vector3::<f64>::zeros();
        let mut pts = Vec::with_capacity(rows.len());
        for r in rows {
            let e = match r.resampled.ln_estimate() {
                Some(e) if e.stderr > 0.0 && e.stderr.is_finite() && e.estimate.is_finite() => e,
                _ => {
                    return Err(Error::DoesNotExist {
                        what: "large-deviation fit",
                        condition: format!(
                            "every resampled estimate in the fit range needs a positive P̂ with a positive, finite standard error; n = {} has P̂ = {} ± {}",
                            r.n, r.resampled.estimate.estimate, r.resampled.estimate.stderr
                        ),
                    });
                }
            };
            let n = r.n as f64;
            let x = Vector3::new(-n * n, n, 1.0);
            let w = 1.0 / (e.stderr * e.stderr);
            xtwx += w * x * x.transpose();
            xtwy += w * e.estimate * x;
            pts.push((x, e));
        }
        let cov = xtwx.try_inverse().ok_or_else(|| Error::DoesNotExist {
            what: "large-deviation fit",
            condition: "at least 3 distinct sizes".into(),
        })?;
        let beta = cov * xtwy;
        let chi2 = pts
            .iter()
            .map(|(x, e)| ((e.estimate - x.dot(&beta)) / e.stderr).powi(2))
            .sum();
        let est = |i: usize| Estimate {
            estimate: beta[i],
            stderr: cov[(i, i)].sqrt(),
        };
        Ok(Self {
            from: rows[0].n,
            to: rows[rows.len() - 1].n,
            theta: est(0),
            linear: est(1),
            constant: est(2),
            chi2,
            dof: rows.len() - 3,
        })
    }
    /// `ln P` predicted at `n`.
    pub fn ln_p(&self, n: usize) -> f64 {
        let n = n as f64;
        -self.theta.estimate * n * n + self.linear.estimate * n + self.constant.estimate
    }
}

/// The results of [`PositiveDefinite::run`].
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct PositiveDefiniteResult {
    /// One row per size `n = 1 … max(max_n, fit end)`.
    pub rows: Vec<Row>,
    /// The large-deviation fit.
    pub fit: LdFit,
    /// Plain samples per size.
    pub samples: u64,
    /// Conditional draws per size.
    pub conditional_samples: u64,
    /// Particles per resampled estimate.
    pub particles: usize,
    /// Resampled estimates per size.
    pub replicates: u64,
    /// The seed.
    pub seed: u64,
}
