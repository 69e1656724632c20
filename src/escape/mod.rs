//! Exit problems: first exit of a scalar SDE from an interval or past a level, by Monte
//! Carlo with a correction for discrete monitoring, and exact references
//! ([`exact`]) for the saddle SDE.
//!
//! # Discrete monitoring and its correction
//! Checking the barrier only at grid points misses excursions between them, so the
//! naive exit time is late by `O(√h)` (Broadie, Glasserman & Kou 1997; Gobet 2000).
//! [`Correction`] offers two remedies:
//!
//! - [`Correction::Bridge`]: between `x_n` and `x_{n+1}`, both inside, the path is
//!   treated as a Brownian bridge with the local diffusion `g(x_n)`
//!   (`g² = Σ_k G_k²`), which crosses a barrier `b` with probability
//!   `p_b = exp(−2(b − x_n)(b − x_{n+1})/(g(x_n)² h))`. A uniform `U` is drawn (only
//!   when some `p_b > e^{−40}`), and the path exits through the lower barrier if
//!   `U < p_l`, through the upper if `p_l ≤ U < p_l + p_u`, at time `t_{n+1}`. The
//!   remaining bias is `O(h)` (Gobet 2000).
//! - [`Correction::Shift`]: each barrier is moved inward by `β g(b) √h`,
//!   `β = −ζ(½)/√(2π) ≈ 0.5826` (Broadie–Glasserman–Kou), with `g` taken at the barrier;
//!   the remaining bias is `o(√h)`, in practice close to `O(h)`.
//! - [`Correction::None`]: the naive check, bias `O(√h)`.
//!
//! # What is reported
//! Every path ends in exactly one of four ways, all counted in [`ExitStats`]: exit
//! through the upper or the lower side, *censored* (still inside at the horizon — never
//! dropped), or *blown up* (non-finite, or beyond the bound `|x| > bound` on a side
//! without a barrier — never averaged in). Probabilities are fractions of all paths.
//!
//! References: M. Broadie, P. Glasserman, S. Kou, *A continuity correction for discrete
//! barrier options*, Math. Finance 7 (1997); E. Gobet, *Weak approximation of killed
//! diffusion using Euler schemes*, Stoch. Proc. Appl. 87 (2000).

pub mod exact;

use crate::ensemble::{run_ordered, Histogram, MeanVar, Merge};
use crate::error::{count, finite, param, positive, Result};
use crate::integrate::Grid;
use crate::noise::{path_rng, LevyArea, StepNoise};
use crate::scheme::ScalarScheme;
use crate::sde::ScalarSde;
use rand::{Rng, RngExt};
use rand_distr::{Distribution, StandardNormal};

/// The Broadie–Glasserman–Kou constant `β = −ζ(½)/√(2π)`.
pub const BGK_BETA: f64 = 0.582_597_157_939_010_7;

/// Exponent above which a bridge crossing probability `e^{−E}` is treated as zero
/// (`e^{−40} ≈ 4e-18`, far below any Monte Carlo resolution).
const BRIDGE_CUTOFF: f64 = 40.0;

/// How exits between grid points are accounted for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Correction {
    /// Brownian-bridge crossing probability with the local diffusion (bias `O(h)`).
    #[default]
    Bridge,
    /// Barriers shifted inward by `0.5826 g(b) √h`.
    Shift,
    /// Barriers checked at grid points only (bias `O(√h)`).
    None,
}

impl Correction {
    /// The lower-case name used by the CLI and in output files.
    pub fn name(self) -> &'static str {
        match self {
            Correction::Bridge => "bridge",
            Correction::Shift => "shift",
            Correction::None => "none",
        }
    }
}

/// The region a path must leave: an interval, or one side of a level.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ExitDomain {
    lower: Option<f64>,
    upper: Option<f64>,
}

impl ExitDomain {
    /// The interval `(lower, upper)`.
    ///
    /// # Errors
    /// Parameter errors naming `lower`/`upper` if not finite, or `upper` if
    /// `upper ≤ lower`.
    pub fn interval(lower: f64, upper: f64) -> Result<Self> {
        finite("lower", lower)?;
        finite("upper", upper)?;
        if upper <= lower {
            return Err(param("upper", upper, format!("> lower = {lower}")));
        }
        Ok(Self {
            lower: Some(lower),
            upper: Some(upper),
        })
    }
    /// The half-line below an upper level: exit when `x ≥ level`.
    ///
    /// # Errors
    /// A parameter error naming `upper` if `level` is not finite.
    pub fn below_level(level: f64) -> Result<Self> {
        finite("upper", level)?;
        Ok(Self {
            lower: None,
            upper: Some(level),
        })
    }
    /// The half-line above a lower level: exit when `x ≤ level`.
    ///
    /// # Errors
    /// A parameter error naming `lower` if `level` is not finite.
    pub fn above_level(level: f64) -> Result<Self> {
        finite("lower", level)?;
        Ok(Self {
            lower: Some(level),
            upper: None,
        })
    }
    /// From optional ends: at least one must be given.
    ///
    /// # Errors
    /// As the three constructors, and a parameter error naming `upper` if neither end
    /// is given.
    pub fn from_ends(lower: Option<f64>, upper: Option<f64>) -> Result<Self> {
        match (lower, upper) {
            (Some(l), Some(r)) => Self::interval(l, r),
            (None, Some(r)) => Self::below_level(r),
            (Some(l), None) => Self::above_level(l),
            (None, None) => Err(param(
                "upper",
                f64::NAN,
                "given (at least one of lower and upper is required)",
            )),
        }
    }
    /// The lower end, if any.
    pub fn lower(&self) -> Option<f64> {
        self.lower
    }
    /// The upper end, if any.
    pub fn upper(&self) -> Option<f64> {
        self.upper
    }
    /// Whether `x` is strictly inside.
    pub fn contains(&self, x: f64) -> bool {
        self.lower.is_none_or(|l| x > l) && self.upper.is_none_or(|r| x < r)
    }
}

/// An exit problem together with its numerical settings.
#[derive(Debug, Clone, PartialEq)]
pub struct ExitSpec {
    domain: ExitDomain,
    x0: f64,
    grid: Grid,
    correction: Correction,
    bound: f64,
    time_bins: usize,
}

impl ExitSpec {
    /// Paths start at `x0` inside `domain` and are followed with step `dt` up to the
    /// `horizon`; defaults: [`Correction::Bridge`], blow-up bound `1e12`, 1000 bins
    /// for the exit-time histogram on `[0, horizon]`.
    ///
    /// # Errors
    /// Parameter errors naming `x0` (finite and strictly inside the domain), `horizon`
    /// (finite and `> 0`) or `dt` (finite and `> 0`).
    pub fn new(domain: ExitDomain, x0: f64, horizon: f64, dt: f64) -> Result<Self> {
        finite("x0", x0)?;
        if !domain.contains(x0) {
            let range = format!(
                "in ({}, {})",
                domain.lower.map_or("-inf".into(), |l| l.to_string()),
                domain.upper.map_or("inf".into(), |r| r.to_string())
            );
            return Err(param("x0", x0, range));
        }
        positive("horizon", horizon)?;
        positive("dt", dt)?;
        let grid = Grid::new(horizon, dt)?;
        let spec = Self {
            domain,
            x0,
            grid,
            correction: Correction::Bridge,
            bound: 1e12,
            time_bins: 1000,
        };
        spec.check_bound(spec.bound)?;
        Ok(spec)
    }
    fn check_bound(&self, bound: f64) -> Result<()> {
        let need = [self.domain.lower, self.domain.upper, Some(self.x0)]
            .iter()
            .flatten()
            .fold(0.0f64, |m, v| m.max(v.abs()));
        if bound.is_nan() || bound <= need {
            return Err(param(
                "bound",
                bound,
                format!("> {need} (beyond |x0| and the barriers)"),
            ));
        }
        Ok(())
    }
    /// Sets the monitoring correction.
    pub fn with_correction(mut self, correction: Correction) -> Self {
        self.correction = correction;
        self
    }
    /// Sets the blow-up bound: a path with `|x| > bound` (or non-finite) on a side
    /// without a barrier is counted as blown up.
    ///
    /// # Errors
    /// A parameter error naming `bound` unless it exceeds `|x0|` and the barriers.
    pub fn with_bound(mut self, bound: f64) -> Result<Self> {
        self.check_bound(bound)?;
        self.bound = bound;
        Ok(self)
    }
    /// Sets the number of bins of the exit-time histogram on `[0, horizon]`.
    ///
    /// # Errors
    /// A parameter error naming `bins` if zero.
    pub fn with_time_bins(mut self, bins: usize) -> Result<Self> {
        count("bins", bins)?;
        self.time_bins = bins;
        Ok(self)
    }
    /// The domain.
    pub fn domain(&self) -> ExitDomain {
        self.domain
    }
    /// The start.
    pub fn x0(&self) -> f64 {
        self.x0
    }
    /// The time grid (`horizon` and the step actually used, `h ≤ dt`).
    pub fn grid(&self) -> &Grid {
        &self.grid
    }
    /// The correction.
    pub fn correction(&self) -> Correction {
        self.correction
    }
    /// The blow-up bound.
    pub fn bound(&self) -> f64 {
        self.bound
    }
}

/// A Monte Carlo estimate with its standard error.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Estimate {
    /// The estimate.
    pub estimate: f64,
    /// Its standard error (one standard deviation of the sampling error).
    pub stderr: f64,
}

impl Estimate {
    /// The estimate of a probability from `k` successes out of `n`, with the binomial
    /// standard error `√(p(1−p)/n)`.
    pub fn proportion(k: u64, n: u64) -> Self {
        let p = k as f64 / n as f64;
        Self {
            estimate: p,
            stderr: (p * (1.0 - p) / n as f64).sqrt(),
        }
    }
}

/// How one path ended.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PathExit {
    /// Left through the upper side at this time.
    Upper(f64),
    /// Left through the lower side at this time.
    Lower(f64),
    /// Still inside at the horizon.
    Censored,
    /// Non-finite, or beyond the bound on a side without a barrier.
    BlownUp,
}

/// Streaming summary of an exit ensemble; memory does not depend on the number of
/// paths, and merging is deterministic.
#[derive(Debug, Clone, PartialEq)]
pub struct ExitStats {
    paths: u64,
    upper: u64,
    lower: u64,
    censored: u64,
    blown_up: u64,
    times: MeanVar,
    times_upper: MeanVar,
    times_lower: MeanVar,
    histogram: Histogram,
}

impl ExitStats {
    /// An empty summary whose exit-time histogram has `bins` bins on `[0, horizon]`.
    ///
    /// # Errors
    /// As [`Histogram::new`].
    pub fn new(horizon: f64, bins: usize) -> Result<Self> {
        Ok(Self {
            paths: 0,
            upper: 0,
            lower: 0,
            censored: 0,
            blown_up: 0,
            times: MeanVar::default(),
            times_upper: MeanVar::default(),
            times_lower: MeanVar::default(),
            histogram: Histogram::new(0.0, horizon, bins)?,
        })
    }
    /// Records one path.
    #[inline]
    pub fn push(&mut self, e: PathExit) {
        self.paths += 1;
        match e {
            PathExit::Upper(t) => {
                self.upper += 1;
                self.times.push(t);
                self.times_upper.push(t);
                self.histogram.push(t);
            }
            PathExit::Lower(t) => {
                self.lower += 1;
                self.times.push(t);
                self.times_lower.push(t);
                self.histogram.push(t);
            }
            PathExit::Censored => {
                self.censored += 1;
                // beyond the horizon: counted above the histogram's range
                self.histogram.push(f64::INFINITY);
            }
            PathExit::BlownUp => self.blown_up += 1,
        }
    }
    /// Number of paths.
    pub fn paths(&self) -> u64 {
        self.paths
    }
    /// Number of exits through the upper side.
    pub fn exits_upper(&self) -> u64 {
        self.upper
    }
    /// Number of exits through the lower side.
    pub fn exits_lower(&self) -> u64 {
        self.lower
    }
    /// Paths still inside at the horizon.
    pub fn censored(&self) -> u64 {
        self.censored
    }
    /// Paths that blew up (non-finite or beyond the bound).
    pub fn blown_up(&self) -> u64 {
        self.blown_up
    }
    /// Probability of exit through the upper side before the horizon.
    pub fn p_upper(&self) -> Estimate {
        Estimate::proportion(self.upper, self.paths)
    }
    /// Probability of exit through the lower side before the horizon.
    pub fn p_lower(&self) -> Estimate {
        Estimate::proportion(self.lower, self.paths)
    }
    /// Probability of exit (either side) before the horizon.
    pub fn p_exit_before_horizon(&self) -> Estimate {
        Estimate::proportion(self.upper + self.lower, self.paths)
    }
    /// Mean exit time with its standard error — `None` unless every path exited
    /// (with censored or blown-up paths the mean of the observed times would be biased
    /// low; see [`mean_exit_time_given_exit`](Self::mean_exit_time_given_exit)).
    pub fn mean_exit_time(&self) -> Option<Estimate> {
        (self.censored == 0 && self.blown_up == 0 && self.times.count() >= 2).then(|| Estimate {
            estimate: self.times.mean(),
            stderr: self.times.stderr(),
        })
    }
    /// Mean exit time among the paths that exited (`None` with fewer than two).
    pub fn mean_exit_time_given_exit(&self) -> Option<Estimate> {
        (self.times.count() >= 2).then(|| Estimate {
            estimate: self.times.mean(),
            stderr: self.times.stderr(),
        })
    }
    /// Moments of the exit times through the upper side.
    pub fn times_upper(&self) -> &MeanVar {
        &self.times_upper
    }
    /// Moments of the exit times through the lower side.
    pub fn times_lower(&self) -> &MeanVar {
        &self.times_lower
    }
    /// The exit-time distribution: histogram on `[0, horizon]`, censored paths counted
    /// above the range, blown-up paths not counted.
    pub fn histogram(&self) -> &Histogram {
        &self.histogram
    }
    /// The `p`-quantile of the exit time (censored paths count as `+∞`), to within the
    /// histogram's resolution; `None` if it lies beyond the horizon.
    pub fn quantile(&self, p: f64) -> Option<f64> {
        self.histogram.quantile(p)
    }
}

impl Merge for ExitStats {
    fn merge(&mut self, o: &Self) {
        self.paths += o.paths;
        self.upper += o.upper;
        self.lower += o.lower;
        self.censored += o.censored;
        self.blown_up += o.blown_up;
        self.times.merge(&o.times);
        self.times_upper.merge(&o.times_upper);
        self.times_lower.merge(&o.times_lower);
        self.histogram.merge(&o.histogram);
    }
}

/// Everything the per-path loop needs, prepared once.
#[derive(Debug, Clone, Copy)]
struct Prepared {
    /// Fast-path window: the state is "inside, nothing to do" iff `lo < x < hi`.
    lo: f64,
    hi: f64,
    /// Whether leaving the window through that side is an exit (else a blow-up).
    lo_is_exit: bool,
    hi_is_exit: bool,
    /// Barriers for the bridge test (`±∞` when absent).
    bridge_lo: f64,
    bridge_hi: f64,
    h: f64,
    steps: usize,
}

fn prepare<S: ScalarSde<M>, const M: usize>(sde: &S, spec: &ExitSpec) -> Prepared {
    let h = spec.grid.h();
    let g_at = |b: f64| {
        sde.diffusion(0.0, b)
            .iter()
            .map(|g| g * g)
            .sum::<f64>()
            .sqrt()
    };
    let shift = |b: f64| match spec.correction {
        Correction::Shift => BGK_BETA * g_at(b) * h.sqrt(),
        _ => 0.0,
    };
    let (lo, lo_is_exit, bridge_lo) = match spec.domain.lower {
        Some(l) => (l + shift(l), true, l),
        None => (-spec.bound, false, f64::NEG_INFINITY),
    };
    let (hi, hi_is_exit, bridge_hi) = match spec.domain.upper {
        Some(r) => (r - shift(r), true, r),
        None => (spec.bound, false, f64::INFINITY),
    };
    Prepared {
        lo,
        hi,
        lo_is_exit,
        hi_is_exit,
        bridge_lo,
        bridge_hi,
        h,
        steps: spec.grid.steps(),
    }
}

/// Follows one path until it exits, blows up or reaches the horizon.
///
/// `BRIDGE` selects the bridge test at compile time, so the loop carries no branch on
/// the correction.
#[inline(always)]
fn follow<S, Sch, R, N, const M: usize, const BRIDGE: bool>(
    sde: &S,
    scheme: &Sch,
    x0: f64,
    p: &Prepared,
    rng: &mut R,
    draw: N,
) -> PathExit
where
    S: ScalarSde<M>,
    Sch: ScalarScheme<S, M>,
    R: Rng + ?Sized,
    N: Fn(&mut R) -> StepNoise<M>,
{
    let h = p.h;
    let mut x = x0;
    for n in 0..p.steps {
        let t = n as f64 * h;
        let noise = draw(rng);
        let y = scheme.step(sde, t, x, &noise);
        if y > p.lo && y < p.hi {
            if BRIDGE {
                let g2h = sde.diffusion(t, x).iter().map(|g| g * g).sum::<f64>() * h;
                let e_lo = 2.0 * (x - p.bridge_lo) * (y - p.bridge_lo);
                let e_hi = 2.0 * (p.bridge_hi - x) * (p.bridge_hi - y);
                let cut = BRIDGE_CUTOFF * g2h;
                if e_lo < cut || e_hi < cut {
                    let p_lo = (-e_lo / g2h).exp();
                    let p_hi = (-e_hi / g2h).exp();
                    let u: f64 = rng.random();
                    if u < p_lo {
                        return PathExit::Lower(t + h);
                    }
                    if u < p_lo + p_hi {
                        return PathExit::Upper(t + h);
                    }
                }
            }
            x = y;
            continue;
        }
        let t1 = t + h;
        return if y >= p.hi {
            if p.hi_is_exit {
                PathExit::Upper(t1)
            } else {
                PathExit::BlownUp
            }
        } else if y <= p.lo {
            if p.lo_is_exit {
                PathExit::Lower(t1)
            } else {
                PathExit::BlownUp
            }
        } else {
            PathExit::BlownUp // NaN
        };
    }
    PathExit::Censored
}

/// Simulates path `index` of run `seed` of an exit problem and says how it ended.
///
/// This is the unit of work of [`exit_ensemble`]; it is public so that single paths
/// can be inspected and so that tests can check the ensemble against it.
///
/// # Errors
/// Only if the scheme needs Lévy areas and the step is invalid for them.
pub fn exit_path<S, Sch, const M: usize>(
    sde: &S,
    scheme: &Sch,
    spec: &ExitSpec,
    seed: u64,
    index: u64,
) -> Result<PathExit>
where
    S: ScalarSde<M>,
    Sch: ScalarScheme<S, M>,
{
    let p = prepare(sde, spec);
    let areas = scheme
        .needs_areas(sde)
        .then(|| LevyArea::for_step(p.h))
        .transpose()?;
    Ok(run_one(sde, scheme, spec, &p, areas.as_ref(), seed, index))
}

#[inline(always)]
fn run_one<S, Sch, const M: usize>(
    sde: &S,
    scheme: &Sch,
    spec: &ExitSpec,
    p: &Prepared,
    areas: Option<&LevyArea>,
    seed: u64,
    index: u64,
) -> PathExit
where
    S: ScalarSde<M>,
    Sch: ScalarScheme<S, M>,
{
    let mut rng = path_rng(seed, index);
    let h = p.h;
    let sq = h.sqrt();
    let bridge = spec.correction == Correction::Bridge;
    match (areas, bridge) {
        (Some(a), true) => follow::<_, _, _, _, M, true>(sde, scheme, spec.x0, p, &mut rng, |r| {
            StepNoise::sample_unchecked(r, h, sq, Some(a))
        }),
        (Some(a), false) => {
            follow::<_, _, _, _, M, false>(sde, scheme, spec.x0, p, &mut rng, |r| {
                StepNoise::sample_unchecked(r, h, sq, Some(a))
            })
        }
        (None, true) => follow::<_, _, _, _, M, true>(sde, scheme, spec.x0, p, &mut rng, |r| {
            increments(r, h, sq)
        }),
        (None, false) => follow::<_, _, _, _, M, false>(sde, scheme, spec.x0, p, &mut rng, |r| {
            increments(r, h, sq)
        }),
    }
}

#[inline(always)]
fn increments<R: Rng + ?Sized, const M: usize>(rng: &mut R, h: f64, sq: f64) -> StepNoise<M> {
    let mut dz = [0.0; M];
    for v in dz.iter_mut() {
        let z: f64 = StandardNormal.sample(rng);
        *v = sq * z;
    }
    StepNoise::without_areas(h, dz)
}

/// Runs `paths` paths of an exit problem in parallel (rayon, current pool) and
/// summarises them; `progress(done, total)` is called after each batch.
///
/// Path `i` uses [`path_rng`]`(seed, i)`, and summaries are merged in index order, so
/// the result is the same bit for bit for any number of threads. Memory does not grow
/// with `paths`.
///
/// # Errors
/// A parameter error naming `paths` if it is zero; an error if the scheme needs Lévy
/// areas and the step is invalid for them.
///
/// ```
/// use saddle_sde::escape::{exit_ensemble, exact, Correction, ExitDomain, ExitSpec};
/// use saddle_sde::models::{LawEquivalentSaddle, SaddleSde};
/// use saddle_sde::scheme::EulerMaruyama;
/// let saddle = SaddleSde::new(1.0, 1.0, 0.5, 0.3)?;
/// let model = LawEquivalentSaddle::new(saddle.clone());
/// let spec = ExitSpec::new(ExitDomain::interval(-0.5, 0.5)?, 0.1, 50.0, 1e-3)?
///     .with_correction(Correction::Bridge);
/// let stats = exit_ensemble(&model, &EulerMaruyama, &spec, 4_000, 1, |_, _| {})?;
/// let exact = exact::interval_exit(&saddle, 0.1, -0.5, 0.5)?;
/// let p = stats.p_upper();
/// // 4 000 paths: binomial standard error ≈ 0.008; 4 of them is a 99.99% band
/// assert!((p.estimate - exact.p_upper).abs() < 4.0 * p.stderr);
/// assert_eq!(stats.censored(), 0);
/// # Ok::<(), saddle_sde::Error>(())
/// ```
pub fn exit_ensemble<S, Sch, P, const M: usize>(
    sde: &S,
    scheme: &Sch,
    spec: &ExitSpec,
    paths: u64,
    seed: u64,
    progress: P,
) -> Result<ExitStats>
where
    S: ScalarSde<M> + Sync,
    Sch: ScalarScheme<S, M> + Sync,
    P: FnMut(u64, u64),
{
    crate::error::count("paths", paths as usize)?;
    let p = prepare(sde, spec);
    let areas = scheme
        .needs_areas(sde)
        .then(|| LevyArea::for_step(p.h))
        .transpose()?;
    let init = ExitStats::new(spec.grid.t_end(), spec.time_bins)?;
    Ok(run_ordered(
        paths,
        || init.clone(),
        |i, acc: &mut ExitStats| acc.push(run_one(sde, scheme, spec, &p, areas.as_ref(), seed, i)),
        progress,
    ))
}
