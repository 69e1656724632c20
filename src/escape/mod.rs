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

pub use crate::integrate::monitor::BRIDGE_CUTOFF;

use crate::ensemble::{CHUNK, Ensemble, Histogram, Increments, MeanVar, Merge, Observe, Partial};
use crate::error::{Result, count, finite, param, positive};
use crate::integrate::monitor::{
    Exit, ExitWindow, LocalVariance, ModelVariance, NoVariance, QuietBand,
};
use crate::integrate::{Grid, ScalarStepper, Side, StopReason, run};
use crate::noise::{ScalarNoise, path_rng};
use crate::scheme::ScalarScheme;
use crate::sde::ScalarSde;
use crate::uncertainty::Proportion;
use std::ops::ControlFlow;

/// The most bins an exit-time histogram may have (10⁶, 8 MB: each chunk of paths in
/// flight holds its own, 64 at a time, and so does each pending node of the merge tree,
/// up to about two per level).
pub const MAX_TIME_BINS: usize = 1_000_000;

/// The Broadie–Glasserman–Kou constant `β = −ζ(½)/√(2π)`.
pub const BGK_BETA: f64 = 0.582_597_157_939_010_7;

/// How exits between grid points are accounted for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
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
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
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
// Serialize only: a spec is an input, rebuilt through `ExitSpec::new` (which checks it),
// never read back unchecked.
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
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
        check_inside(&domain, x0)?;
        positive("horizon", horizon)?;
        positive("dt", dt)?;
        // the step min(dt, horizon) must be one the noise sources can draw for
        if horizon.min(dt) < 1e-300 {
            let (name, v) = if horizon < dt {
                ("horizon", horizon)
            } else {
                ("dt", dt)
            };
            return Err(param(name, v, ">= 1e-300 (the step is min(dt, horizon))"));
        }
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
                format!(
                    "> {} (beyond |x0| and the barriers lower and upper)",
                    crate::error::Show(need)
                ),
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
    /// A parameter error naming `time_bins` if zero or more than [`MAX_TIME_BINS`].
    pub fn with_time_bins(mut self, bins: usize) -> Result<Self> {
        count("time_bins", bins)?;
        // every chunk of paths in flight holds its own histogram (64 at a time)
        if bins > MAX_TIME_BINS {
            return Err(param(
                "time_bins",
                bins as f64,
                format!("at most {MAX_TIME_BINS} (each batch of paths holds 64 histograms)"),
            ));
        }
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
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Estimate {
    /// The estimate.
    pub estimate: f64,
    /// Its standard error (one standard deviation of the sampling error).
    pub stderr: f64,
}

/// How one path ended.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
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
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
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
    /// Probability of exit through the upper side before the horizon, as the count out
    /// of all paths: its [`Proportion::wilson`] interval stays honest at 0 and 1, where
    /// the plug-in standard error is 0. `None` for an empty summary.
    pub fn p_upper(&self) -> Option<Proportion> {
        Proportion::new(self.upper, self.paths).ok()
    }
    /// Probability of exit through the lower side before the horizon (as
    /// [`p_upper`](Self::p_upper)).
    pub fn p_lower(&self) -> Option<Proportion> {
        Proportion::new(self.lower, self.paths).ok()
    }
    /// Probability of exit (either side) before the horizon (as
    /// [`p_upper`](Self::p_upper)).
    pub fn p_exit_before_horizon(&self) -> Option<Proportion> {
        Proportion::new(self.upper + self.lower, self.paths).ok()
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

impl ExitSpec {
    /// The window of the exit monitor: the barriers (shifted inward by
    /// `β g(b) √h` for [`Correction::Shift`]), and the blow-up bound on a side without
    /// a barrier.
    fn window<S: ScalarSde<M>, const M: usize>(&self, sde: &S) -> ExitWindow {
        self.window_with(|b| ModelVariance(sde).b2(0.0, b).sqrt())
    }

    /// The window, with `g_at(b)` the diffusion at a barrier (read only for the shift).
    fn window_with(&self, g_at: impl Fn(f64) -> f64) -> ExitWindow {
        let h = self.grid.h();
        let shift = |b: f64| match self.correction {
            Correction::Shift => BGK_BETA * g_at(b) * h.sqrt(),
            _ => 0.0,
        };
        let (lo, lo_is_exit, bridge_lo) = match self.domain.lower {
            Some(l) => (l + shift(l), true, l),
            None => (-self.bound, false, f64::NEG_INFINITY),
        };
        let (hi, hi_is_exit, bridge_hi) = match self.domain.upper {
            Some(r) => (r - shift(r), true, r),
            None => (self.bound, false, f64::INFINITY),
        };
        ExitWindow {
            lo,
            hi,
            lo_is_exit,
            hi_is_exit,
            bridge_lo,
            bridge_hi,
        }
    }
}

impl PathExit {
    /// How a path that stopped for `reason` ended.
    pub fn from_stop(reason: StopReason) -> Self {
        match reason {
            StopReason::Exited {
                side: Side::Upper,
                t,
            } => PathExit::Upper(t),
            StopReason::Exited {
                side: Side::Lower,
                t,
            } => PathExit::Lower(t),
            StopReason::EndTime => PathExit::Censored,
            _ => PathExit::BlownUp,
        }
    }
}

/// The exit observable of an ensemble: an [`Exit`] monitor on each path, summarised in
/// [`ExitStats`]. `BRIDGE` selects the bridge test at compile time.
#[derive(Debug, Clone)]
pub struct ExitObs<V, const BRIDGE: bool> {
    window: ExitWindow,
    var: V,
    /// Where the bridge test cannot fire, built once for all paths.
    band: QuietBand,
    domain: ExitDomain,
    grid: Grid,
    correction: Correction,
    bins: usize,
}

impl<V: LocalVariance + Copy + Sync, const BRIDGE: bool> ExitObs<V, BRIDGE> {
    /// The exit observable of `spec` with the local variance `var` (used only by the
    /// bridge test), the shift of the window read from `sde`. [`Ensemble::exits`] builds
    /// it from the spec's correction.
    ///
    /// # Errors
    /// A parameter error naming `correction` unless `BRIDGE` is whether the spec's
    /// correction is [`Correction::Bridge`]; one naming `x0` if the start is not inside
    /// the window (a shift larger than half the interval empties it).
    pub fn new<S: ScalarSde<M>, const M: usize>(sde: &S, spec: &ExitSpec, var: V) -> Result<Self> {
        if BRIDGE != (spec.correction == Correction::Bridge) {
            return Err(param(
                "correction",
                f64::NAN,
                format!(
                    "{} (the observable was built {} the bridge test)",
                    spec.correction.name(),
                    if BRIDGE { "with" } else { "without" }
                ),
            ));
        }
        let window = spec.window(sde);
        let band = if BRIDGE {
            QuietBand::new(&window, &var, spec.grid.h())
        } else {
            QuietBand::NONE
        };
        let obs = Self {
            window,
            var,
            band,
            domain: spec.domain,
            grid: spec.grid,
            correction: spec.correction,
            bins: spec.time_bins,
        };
        obs.check_start(&spec.x0)?;
        Ok(obs)
    }
}

impl ExitObs<NoVariance, false> {
    /// The exit observable of `spec` without any model: only for
    /// [`Correction::None`] (the bridge test and the shift need the diffusion). This is
    /// the exit of a functional `φ(x)` of an n-dimensional state, through
    /// [`ProjectedObs`](crate::ensemble::ProjectedObs).
    ///
    /// # Errors
    /// A parameter error naming `correction` unless it is [`Correction::None`].
    ///
    /// ```
    /// use saddle_sde::ensemble::{NdEnsemble, ProjectedObs};
    /// use saddle_sde::escape::{Correction, ExitDomain, ExitObs, ExitSpec};
    /// use saddle_sde::{integrate::NdScheme, models::LocalSaddle};
    /// // escape of the unstable coordinate from (−1, 1): no noise, x₁ = 0.1·e^t leaves at t ≈ ln 10
    /// let m = LocalSaddle::with_pairwise_rho(vec![1.0, -1.0], vec![0.0, 0.0], vec![0.0, 0.0], &[0.0, 0.0])?;
    /// let spec = ExitSpec::new(ExitDomain::interval(-1.0, 1.0)?, 0.1, 5.0, 1e-3)?.with_correction(Correction::None);
    /// let obs = ProjectedObs::new(|x: &[f64]| x[0], ExitObs::without_model(&spec)?);
    /// let s = NdEnsemble::new(&m, NdScheme::EulerMaruyama).start(vec![0.1, 0.5]).grid(*spec.grid()).paths(4).observe(&obs)?;
    /// assert_eq!(s.exits_upper(), 4);
    /// assert!((s.mean_exit_time().unwrap().estimate - 10f64.ln()).abs() < 2e-3);
    /// # Ok::<(), saddle_sde::Error>(())
    /// ```
    pub fn without_model(spec: &ExitSpec) -> Result<Self> {
        if spec.correction != Correction::None {
            return Err(param(
                "correction",
                f64::NAN,
                "none (the bridge test and the shift need the model's diffusion)",
            ));
        }
        Ok(Self {
            window: spec.window_with(|_| 0.0),
            var: NoVariance,
            band: QuietBand::NONE,
            domain: spec.domain,
            grid: spec.grid,
            correction: spec.correction,
            bins: spec.time_bins,
        })
    }
}

impl<V: LocalVariance + Copy + Sync, const BRIDGE: bool> Observe<f64> for ExitObs<V, BRIDGE> {
    type Monitor<'s>
        = Exit<V, BRIDGE>
    where
        Self: 's;
    type Summary = ExitStats;
    const STOPS: bool = true;
    fn grid(&self, grid: &Grid) -> Result<Grid> {
        if grid != &self.grid {
            return Err(param(
                "grid",
                grid.h(),
                format!(
                    "the exit spec's grid (h = {}, {} steps)",
                    self.grid.h(),
                    self.grid.steps()
                ),
            ));
        }
        Ok(*grid)
    }
    fn uses_model(&self) -> bool {
        self.correction != Correction::None
    }
    fn check_start(&self, x0: &f64) -> Result<()> {
        check_inside(&self.domain, *x0)?;
        check_in_window(&self.window, self.correction, *x0)
    }
    fn summary(&self) -> ExitStats {
        // ExitSpec (whose fields are private and not deserialisable) checked
        // horizon > 0 and bins ≥ 1, which is all that `ExitStats::new` checks
        match ExitStats::new(self.grid.t_end(), self.bins) {
            Ok(s) => s,
            Err(_) => unreachable!("checked by ExitSpec::new"),
        }
    }
    #[inline(always)]
    fn monitor(&self, _: u64) -> Exit<V, BRIDGE> {
        Exit::with_band(self.window, self.var, self.band)
    }
    #[inline]
    fn record(&self, acc: &mut ExitStats, _: u64, _: Exit<V, BRIDGE>, _: &f64, reason: StopReason) {
        acc.push(PathExit::from_stop(reason));
    }
}

/// The start must be inside the window the monitor uses (a shift larger than half the
/// interval leaves none).
fn check_in_window(w: &ExitWindow, correction: Correction, x0: f64) -> Result<()> {
    if x0 > w.lo && x0 < w.hi {
        return Ok(());
    }
    Err(param(
        "x0",
        x0,
        format!(
            "inside the shifted window ({}, {}) of the {} correction",
            w.lo,
            w.hi,
            correction.name()
        ),
    ))
}

fn check_inside(domain: &ExitDomain, x0: f64) -> Result<()> {
    if !domain.contains(x0) {
        use crate::error::Show;
        let allowed = match (domain.lower, domain.upper) {
            (Some(l), Some(r)) => format!("in (lower, upper) = ({}, {})", Show(l), Show(r)),
            (None, Some(r)) => format!("below upper = {}", Show(r)),
            (Some(l), None) => format!("above lower = {}", Show(l)),
            (None, None) => "finite".into(),
        };
        return Err(param("x0", x0, allowed));
    }
    Ok(())
}

impl std::fmt::Display for ExitDomain {
    /// `(l, r)`, `x < r` or `x > l`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use crate::error::Show;
        match (self.lower, self.upper) {
            (Some(l), Some(r)) => write!(f, "({}, {})", Show(l), Show(r)),
            (None, Some(r)) => write!(f, "x < {}", Show(r)),
            (Some(l), None) => write!(f, "x > {}", Show(l)),
            (None, None) => write!(f, "ℝ"),
        }
    }
}

impl<'a, S, Sch, const M: usize> Ensemble<'a, S, Sch, M>
where
    S: ScalarSde<M> + Sync,
    Sch: ScalarScheme<S, M> + Sync,
{
    /// Runs the exit problem `spec` (its start and grid replace the ensemble's) and
    /// summarises how the paths left ([`ExitStats`]).
    ///
    /// Path `i` uses `path_rng(seed, i)`, and summaries are
    /// merged in index order, so the result is the same bit for bit for any number of
    /// threads. Memory does not grow with the number of paths.
    ///
    /// # Errors
    /// As [`Ensemble::observe`].
    ///
    /// ```
    /// use saddle_sde::escape::{exact, Correction, ExitDomain, ExitSpec};
    /// use saddle_sde::{ensemble::Ensemble, models::{LawEquivalentSaddle, SaddleSde}, scheme::EulerMaruyama};
    /// let saddle = SaddleSde::new(1.0, 1.0, 0.5, 0.3)?;
    /// let model = LawEquivalentSaddle::new(saddle.clone());
    /// let spec = ExitSpec::new(ExitDomain::interval(-0.5, 0.5)?, 0.1, 50.0, 1e-3)?
    ///     .with_correction(Correction::Bridge);
    /// let stats = Ensemble::new(&model, &EulerMaruyama).paths(4_000).seed(1).exits(&spec)?;
    /// let exact = exact::interval_exit(&saddle, 0.1, -0.5, 0.5)?;
    /// let p = stats.p_upper().unwrap();
    /// // 4 000 paths: binomial standard error ≈ 0.008; a 99.99% Wilson interval
    /// assert!(p.wilson(0.9999)?.contains(exact.p_upper));
    /// assert_eq!(stats.censored(), 0);
    /// # Ok::<(), saddle_sde::Error>(())
    /// ```
    pub fn exits(self, spec: &ExitSpec) -> Result<ExitStats> {
        let mut part = Partial::whole(self.paths_ref()?, CHUNK)?;
        self.exits_part(spec, &mut part, |_| ControlFlow::Continue(()))?;
        part.finish()
    }

    /// [`exits`](Self::exits) for the chunks of `part` not yet done: a shard of the
    /// run, or a checkpoint to resume, with `after_batch` as in
    /// [`observe_part`](Self::observe_part). Merged and finished, the parts give
    /// [`exits`](Self::exits)'s result bit for bit.
    ///
    /// # Errors
    /// As [`exits`](Self::exits) and [`observe_part`](Self::observe_part).
    pub fn exits_part(
        self,
        spec: &ExitSpec,
        part: &mut Partial<ExitStats>,
        after_batch: impl FnMut(&Partial<ExitStats>) -> ControlFlow<()>,
    ) -> Result<()> {
        let Some(sde) = self.model() else {
            return Err(param(
                "model",
                f64::NAN,
                "one model for every path (exit windows and the bridge test use it)",
            ));
        };
        if self.increments_ref() == Increments::TwoPoint {
            return Err(param(
                "increments",
                f64::NAN,
                "Gaussian for exits (two-point paths are not Brownian between grid points)",
            ));
        }
        let ens = self.start(spec.x0).grid(spec.grid);
        match spec.correction {
            Correction::Bridge => ens.observe_part(
                &ExitObs::<_, true>::new(sde, spec, ModelVariance(sde))?,
                part,
                after_batch,
            ),
            _ => ens.observe_part(
                &ExitObs::<_, false>::new(sde, spec, NoVariance)?,
                part,
                after_batch,
            ),
        }
    }
}

/// Simulates path `index` of run `seed` of an exit problem and says how it ended: the
/// unit of work of [`Ensemble::exits`], public so that single paths can be inspected
/// and so that tests can check the ensemble against it.
///
/// # Errors
/// As [`Ensemble::exits`] with one path.
pub fn exit_path<S, Sch, const M: usize>(
    sde: &S,
    scheme: &Sch,
    spec: &ExitSpec,
    seed: u64,
    index: u64,
) -> Result<PathExit>
where
    S: ScalarSde<M> + Sync,
    Sch: ScalarScheme<S, M> + Sync,
{
    let noise = ScalarNoise::for_run(scheme, sde, &spec.grid)?;
    let window = spec.window(sde);
    check_in_window(&window, spec.correction, spec.x0)?;
    let mut stepper = ScalarStepper::new(sde, scheme);
    let mut x = spec.x0;
    let mut rng = path_rng(seed, index);
    let reason = crate::with_source!(noise, |src| match spec.correction {
        Correction::Bridge => run(
            &mut stepper,
            src,
            &mut Exit::<_, true>::new(window, ModelVariance(sde)),
            &mut x,
            &mut rng
        ),
        _ => run(
            &mut stepper,
            src,
            &mut Exit::<_, false>::new(window, NoVariance),
            &mut x,
            &mut rng
        ),
    });
    Ok(PathExit::from_stop(reason))
}
