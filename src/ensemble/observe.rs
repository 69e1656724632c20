//! Observables: what an ensemble watches on each path and how it folds the paths into a
//! mergeable summary.

use super::{Histogram, MeanVar, Merge};
use crate::error::{Result, param};
use crate::integrate::monitor::{EndValue, Monitor, Projected, Snapshots as SnapshotMonitor};
use crate::integrate::{Grid, StopReason};

/// What an ensemble watches on each path, and how it summarises the paths.
///
/// For each path the ensemble asks for a fresh [`Monitor`](Self::Monitor), runs the
/// path with it, and hands the monitor, the end state and the stop reason to
/// [`record`](Self::record). Summaries of consecutive chunks of paths are merged in
/// index order ([`Merge`]), so the result does not depend on the thread count.
pub trait Observe<X: ?Sized>: Sync {
    /// The per-path monitor.
    type Monitor<'s>: Monitor<X>
    where
        Self: 's;
    /// The summary of many paths.
    type Summary: Merge + Send;
    /// Whether the monitor can stop a path. Informational: the engine reads the
    /// monitor's own [`Monitor::CAN_STOP`](crate::integrate::monitor::Monitor::CAN_STOP)
    /// (paths that can stop stream through the lanes, others run in lock-step).
    const STOPS: bool;
    /// The grid the paths actually run on, given the ensemble's (for example only up
    /// to the last snapshot).
    ///
    /// # Errors
    /// What the observable cannot work with.
    fn grid(&self, grid: &Grid) -> Result<Grid> {
        Ok(*grid)
    }
    /// Whether the observable depends on the model given to the ensemble (an exit
    /// window shifted by the diffusion, the bridge test): such an observable cannot
    /// serve per-path models.
    fn uses_model(&self) -> bool {
        false
    }
    /// Checks a start state (called before any path runs).
    ///
    /// # Errors
    /// A start the observable cannot work with (for exits, one outside the domain).
    fn check_start(&self, _x0: &X) -> Result<()> {
        Ok(())
    }
    /// An empty summary.
    fn summary(&self) -> Self::Summary;
    /// The monitor of path `path`. For monitors that can stop a path, the ensemble
    /// makes the monitors of a whole chunk of 256 paths before running it (its paths
    /// stream through the lanes and are recorded in index order), so a monitor that holds
    /// much data is held 256 times per thread.
    fn monitor(&self, path: u64) -> Self::Monitor<'_>;
    /// Folds a finished path into `acc`.
    fn record(
        &self,
        acc: &mut Self::Summary,
        path: u64,
        monitor: Self::Monitor<'_>,
        x: &X,
        reason: StopReason,
    );
}

/// Whether `x` counts as blown up: non-finite or `|x| > bound`.
#[inline]
fn blown(x: f64, bound: f64) -> bool {
    !x.is_finite() || x.abs() > bound
}

fn check_bound(bound: f64) -> Result<()> {
    if bound.is_nan() || bound <= 0.0 {
        return Err(param("bound", bound, "> 0 (may be infinite)"));
    }
    Ok(())
}

fn check_template(h: &Histogram) -> Result<()> {
    if h.total() > 0 {
        return Err(param(
            "histogram",
            h.total() as f64,
            "empty (a template giving range and bins; it holds counts)",
        ));
    }
    Ok(())
}

/// Terminal values of an ensemble: moments and an optional histogram of the values
/// that ended finite and within the bound, and the count of the others.
#[derive(Debug, Clone, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct TerminalSummary {
    /// Mean and variance of the retained terminal values.
    pub moments: MeanVar,
    /// Histogram of the retained terminal values, if one was asked for.
    pub histogram: Option<Histogram>,
    /// Paths whose terminal value was non-finite or beyond the bound (never averaged).
    pub blown_up: u64,
}

impl TerminalSummary {
    /// Mean of the retained terminal values (`NaN` if there are none).
    pub fn mean(&self) -> f64 {
        self.moments.mean()
    }
    /// Unbiased sample variance of the retained terminal values.
    pub fn variance(&self) -> f64 {
        self.moments.variance()
    }
    /// Number of retained terminal values.
    pub fn count(&self) -> u64 {
        self.moments.count()
    }
    /// Number of paths, retained or blown up.
    pub fn paths(&self) -> u64 {
        self.moments.count() + self.blown_up
    }
}

impl Merge for TerminalSummary {
    fn merge(&mut self, o: &Self) {
        self.moments.merge(&o.moments);
        if let (Some(a), Some(b)) = (&mut self.histogram, &o.histogram) {
            a.merge(b);
        }
        self.blown_up += o.blown_up;
    }
}

/// The terminal value of each path ([`TerminalSummary`]), with an optional blow-up
/// bound and histogram.
///
/// ```
/// use saddle_sde::ensemble::{Ensemble, Histogram, TerminalObs};
/// use saddle_sde::{integrate::Grid, models::SaddleSde, scheme::EulerMaruyama};
/// let m = SaddleSde::new(1.0, 1.0, 0.5, 0.3)?;
/// let obs = TerminalObs::new().bound(1.5)?.histogram(Histogram::new(-3.0, 3.0, 60)?)?;
/// let s = Ensemble::new(&m, &EulerMaruyama).start(0.1).grid(Grid::new(1.0, 1e-2)?)
///     .paths(4096).seed(7).observe(&obs)?;
/// // paths ending beyond |x| = 1.5 are counted, not averaged
/// assert!(s.blown_up > 0);
/// assert_eq!(s.count() + s.blown_up, 4096);
/// assert_eq!(s.histogram.as_ref().unwrap().total(), s.count());
/// # Ok::<(), saddle_sde::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct TerminalObs {
    bound: f64,
    histogram: Option<Histogram>,
}

impl Default for TerminalObs {
    fn default() -> Self {
        Self::new()
    }
}

impl TerminalObs {
    /// Moments of the finite terminal values; no bound, no histogram.
    pub fn new() -> Self {
        Self {
            bound: f64::INFINITY,
            histogram: None,
        }
    }
    /// A path whose terminal value has `|x| > bound` is counted as blown up.
    ///
    /// # Errors
    /// A parameter error naming `bound` unless it is `> 0` (it may be infinite).
    pub fn bound(mut self, bound: f64) -> Result<Self> {
        check_bound(bound)?;
        self.bound = bound;
        Ok(self)
    }
    /// Also histogram the retained terminal values in bins like `template`'s.
    ///
    /// # Errors
    /// A parameter error naming `histogram` if `template` already holds counts (they
    /// would be added to the ensemble's).
    pub fn histogram(mut self, template: Histogram) -> Result<Self> {
        check_template(&template)?;
        self.histogram = Some(template);
        Ok(self)
    }
}

impl Observe<f64> for TerminalObs {
    type Monitor<'s> = EndValue;
    type Summary = TerminalSummary;
    const STOPS: bool = false;
    fn summary(&self) -> TerminalSummary {
        TerminalSummary {
            moments: MeanVar::default(),
            histogram: self.histogram.clone(),
            blown_up: 0,
        }
    }
    #[inline(always)]
    fn monitor(&self, _: u64) -> EndValue {
        EndValue
    }
    #[inline]
    fn record(&self, acc: &mut TerminalSummary, _: u64, _: EndValue, x: &f64, reason: StopReason) {
        if reason == StopReason::EndTime && !blown(*x, self.bound) {
            acc.moments.push(*x);
            if let Some(h) = &mut acc.histogram {
                h.push(*x);
            }
        } else {
            acc.blown_up += 1;
        }
    }
}

/// The state of an ensemble at chosen times: streaming moments (and optional
/// histograms) at every time, plus the full record of the first `kept` paths.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Snapshots {
    /// The grid times actually recorded (each requested time rounded to the grid).
    pub times: Vec<f64>,
    /// Moments at each time over the paths that never blew up at a recorded time.
    pub moments: Vec<MeanVar>,
    /// Histograms at each time (same paths), if asked for.
    pub histograms: Option<Vec<Histogram>>,
    /// The values of paths `0, 1, …, kept − 1` at the recorded times, path-major
    /// (`kept[p * times.len() + k]`), blown-up paths included as they are.
    pub kept: Vec<f64>,
    /// Paths non-finite or beyond the bound at some recorded time.
    pub blown_up: u64,
}

impl Merge for Snapshots {
    fn merge(&mut self, o: &Self) {
        for (a, b) in self.moments.iter_mut().zip(&o.moments) {
            a.merge(b);
        }
        if let (Some(a), Some(b)) = (&mut self.histograms, &o.histograms) {
            for (x, y) in a.iter_mut().zip(b) {
                x.merge(y);
            }
        }
        self.kept.extend_from_slice(&o.kept);
        self.blown_up += o.blown_up;
    }
}

/// The state at chosen times ([`Snapshots`]): records at the grid points nearest to the
/// requested times, and runs each path only up to the last of them. Memory is
/// `O(times · (bins + keep))`, independent of the number of paths.
///
/// ```
/// use saddle_sde::ensemble::{Ensemble, Histogram, SnapshotObs};
/// use saddle_sde::{analytic::saddle as exact, integrate::Grid, models::SaddleSde, scheme::EulerMaruyama};
/// let m = SaddleSde::new(1.0, 1.0, 0.5, 0.3)?;
/// let grid = Grid::new(1.0, 1e-2)?;
/// let obs = SnapshotObs::new(&grid, &[0.5, 1.0], 3)?.histogram(Histogram::new(-3.0, 3.0, 30)?)?;
/// let s = Ensemble::new(&m, &EulerMaruyama).start(0.1).grid(grid).paths(8192).seed(1).observe(&obs)?;
/// assert_eq!(s.kept.len(), 3 * 2);
/// // E[x_t] = x0 e^{at}; 8192 paths, stderr √(Var/n) ≈ 0.005 at t = 0.5; a two-sided
/// // z-test at the crate's per-check level 2·10⁻⁶ (|z| < 4.7534)
/// let var = exact::variance(&m, 0.1, 0.5);
/// assert!((s.moments[0].mean() - exact::mean(&m, 0.1, 0.5)).abs() < 4.7534 * (var / 8192.0).sqrt());
/// # Ok::<(), saddle_sde::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct SnapshotObs {
    grid: Grid,
    idx: Vec<usize>,
    times: Vec<f64>,
    keep: u64,
    bound: f64,
    histogram: Option<Histogram>,
}

impl SnapshotObs {
    /// Records at the points of `grid` nearest to `times` (ascending, in `[0, T]`) and
    /// keeps the first `keep` paths in full.
    ///
    /// # Errors
    /// A parameter error naming `times` if it is empty, not ascending, or outside
    /// `[0, T]`.
    pub fn new(grid: &Grid, times: &[f64], keep: u64) -> Result<Self> {
        if times.is_empty() {
            return Err(param("times", f64::NAN, "non-empty"));
        }
        let mut idx: Vec<usize> = Vec::with_capacity(times.len());
        for &t in times {
            let k = grid.index_of(t)?;
            if idx.last().is_some_and(|&p| k < p) {
                return Err(param("times", t, "ascending"));
            }
            idx.push(k);
        }
        Ok(Self {
            times: idx.iter().map(|&k| k as f64 * grid.h()).collect(),
            grid: *grid,
            idx,
            keep,
            bound: f64::INFINITY,
            histogram: None,
        })
    }
    /// A path with `|x| > bound` (or non-finite) at a recorded time is counted as
    /// blown up and left out of the moments and histograms.
    ///
    /// # Errors
    /// A parameter error naming `bound` unless it is `> 0` (it may be infinite).
    pub fn bound(mut self, bound: f64) -> Result<Self> {
        check_bound(bound)?;
        self.bound = bound;
        Ok(self)
    }
    /// Also histogram the values at every time in bins like `template`'s.
    ///
    /// # Errors
    /// A parameter error naming `histogram` if `template` already holds counts.
    pub fn histogram(mut self, template: Histogram) -> Result<Self> {
        check_template(&template)?;
        self.histogram = Some(template);
        Ok(self)
    }
    /// The grid times that are recorded.
    pub fn times(&self) -> &[f64] {
        &self.times
    }
}

impl Observe<f64> for SnapshotObs {
    type Monitor<'s> = SnapshotMonitor<'s>;
    type Summary = Snapshots;
    const STOPS: bool = false;
    fn grid(&self, grid: &Grid) -> Result<Grid> {
        if grid != &self.grid {
            return Err(param(
                "grid",
                grid.h(),
                format!(
                    "the grid the snapshot times were placed on (h = {}, {} steps)",
                    self.grid.h(),
                    self.grid.steps()
                ),
            ));
        }
        grid.prefix(*self.idx.last().unwrap_or(&0))
    }
    fn summary(&self) -> Snapshots {
        let n_t = self.idx.len();
        Snapshots {
            times: self.times.clone(),
            moments: vec![MeanVar::default(); n_t],
            histograms: self.histogram.as_ref().map(|h| vec![h.clone(); n_t]),
            kept: Vec::new(),
            blown_up: 0,
        }
    }
    fn monitor(&self, _: u64) -> SnapshotMonitor<'_> {
        // `idx` was validated in `new`
        SnapshotMonitor::new(&self.idx)
            .unwrap_or_else(|_| unreachable!("validated in SnapshotObs::new"))
    }
    fn record(
        &self,
        acc: &mut Snapshots,
        path: u64,
        mon: SnapshotMonitor<'_>,
        _: &f64,
        _: StopReason,
    ) {
        let vals = mon.values();
        if path < self.keep {
            acc.kept.extend_from_slice(vals);
        }
        if vals.iter().any(|&v| blown(v, self.bound)) {
            acc.blown_up += 1;
            return;
        }
        for (k, &v) in vals.iter().enumerate() {
            acc.moments[k].push(v);
            if let Some(hs) = &mut acc.histograms {
                hs[k].push(v);
            }
        }
    }
}

/// A scalar observable applied to a functional `φ(x)` of an n-dimensional state: for
/// example the terminal value, the snapshots or the exit of one coordinate, a norm or
/// a loss. The inner observable sees `φ(x)` wherever it would see the state.
#[derive(Debug, Clone)]
pub struct ProjectedObs<F, O> {
    phi: F,
    inner: O,
}

impl<F, O> ProjectedObs<F, O> {
    /// Observes `φ(x)` with `inner`.
    pub fn new(phi: F, inner: O) -> Self {
        Self { phi, inner }
    }
}

impl<F, O> Observe<[f64]> for ProjectedObs<F, O>
where
    F: Fn(&[f64]) -> f64 + Sync,
    O: Observe<f64>,
{
    type Monitor<'s>
        = Projected<&'s F, O::Monitor<'s>>
    where
        Self: 's;
    type Summary = O::Summary;
    const STOPS: bool = O::STOPS;
    fn grid(&self, grid: &Grid) -> Result<Grid> {
        self.inner.grid(grid)
    }
    fn uses_model(&self) -> bool {
        self.inner.uses_model()
    }
    fn check_start(&self, x0: &[f64]) -> Result<()> {
        self.inner.check_start(&(self.phi)(x0))
    }
    fn summary(&self) -> O::Summary {
        self.inner.summary()
    }
    fn monitor(&self, path: u64) -> Self::Monitor<'_> {
        Projected::new(&self.phi, self.inner.monitor(path))
    }
    fn record(
        &self,
        acc: &mut O::Summary,
        path: u64,
        mon: Self::Monitor<'_>,
        x: &[f64],
        reason: StopReason,
    ) {
        self.inner
            .record(acc, path, mon.into_inner(), &(self.phi)(x), reason)
    }
}
