//! Ensembles: many paths in parallel, summarised as they finish.
//!
//! [`Ensemble`] (scalar models) and [`NdEnsemble`] (n-dimensional models) are builders
//! over the run engine ([`crate::integrate::run`], [`crate::integrate::run_lanes`]):
//! they validate everything once, then run path `i` with the generator
//! [`path_rng`]`(seed, i)` and fold it into a summary. An ensemble only **orders and
//! merges**; it never draws a normal or takes a step itself.
//!
//! What is summarised is an **observable** ([`Observe`]): it makes the monitor of each
//! path and folds the finished path into a mergeable summary. Built in:
//! [`TerminalObs`] → [`TerminalSummary`], [`SnapshotObs`] → [`Snapshots`], the exit
//! problems of [`crate::escape`] → [`ExitStats`](crate::escape::ExitStats), and
//! [`ProjectedObs`] for a functional of an n-dimensional state.
//!
//! # Determinism
//! Paths are grouped in fixed chunks of [`CHUNK`] consecutive indices; each chunk is
//! summarised on its own, and chunk summaries are merged along **one fixed binary tree
//! over chunk indices** ([`Partial`]). Neither the grouping nor the tree depends on the
//! thread count, so results are the same bit for bit on any rayon pool, and a run split
//! into shards or interrupted and resumed merges back to the same bits. Chunks run in batches of [`BATCH`], so memory
//! does not grow with the number of paths. Within a chunk, paths whose monitor cannot
//! stop run in lock-step lanes, and paths whose monitor can (exits) stream through
//! lanes that each take the chunk's next path when theirs stops; either way each path
//! is bit-identical to a lone path.
//!
//! ```
//! use saddle_sde::{analytic::saddle as exact, ensemble::Ensemble, integrate::Grid,
//!                  models::SaddleSde, scheme::EulerMaruyama};
//! let m = SaddleSde::new(1.0, 1.0, 0.5, 0.3)?;
//! let s = Ensemble::new(&m, &EulerMaruyama)
//!     .start(0.1)
//!     .grid(Grid::new(1.0, 1e-2)?)
//!     .paths(20_000)
//!     .seed(7)
//!     .terminal()?;
//! // 20 000 paths: the standard error of the mean is √(var/n) ≈ √(1.98/20 000) ≈ 0.010;
//! // a two-sided z-test at the crate's per-check level 2·10⁻⁶ (|z| < 4.7534)
//! let (mean, var) = (exact::mean(&m, 0.1, 1.0), exact::variance(&m, 0.1, 1.0));
//! assert!((s.mean() - mean).abs() < 4.7534 * (var / 20_000.0).sqrt());
//! # Ok::<(), saddle_sde::Error>(())
//! ```

mod histogram;
mod observe;
mod stats;
mod tree;

pub use histogram::Histogram;
pub use observe::{Observe, ProjectedObs, SnapshotObs, Snapshots, TerminalObs, TerminalSummary};
pub use stats::MeanVar;
pub use tree::{PartError, Partial, run_ordered_part};

use crate::error::{Result, count, finite, param};
use crate::integrate::{
    Grid, NdScheme, NdStepper, ScalarStepper, Stepper, StopReason, run, run_lanes, run_stream,
};
use crate::noise::{
    CacheAligned, Gaussian, GaussianAreas, LevyArea, NoiseSource, PathRng, ScalarNoise, StepNoise,
    TwoPoint, path_rng,
};
use crate::scheme::ScalarScheme;
use crate::sde::{DiffusionJacobian, ScalarSde};
use std::ops::ControlFlow;

/// Paths per chunk (the unit of work and of ordered merging).
pub const CHUNK: u64 = 256;
/// Chunks per parallel batch.
pub const BATCH: u64 = 64;

/// Runs `paths` independent units of work `f(i)` for `i in 0..paths`, each summarised
/// into an accumulator `A`, merged in index order, with `progress(done, total)` called
/// after each batch. Deterministic for any thread count.
pub fn run_ordered<A, F, P>(paths: u64, init: impl Fn() -> A + Sync, f: F, progress: P) -> A
where
    A: Send + Merge,
    F: Fn(u64, &mut A) + Sync,
    P: FnMut(u64, u64),
{
    run_ordered_chunks(
        paths,
        init,
        |range, acc| {
            for i in range {
                f(i, acc);
            }
        },
        progress,
    )
}

/// As [`run_ordered`], but `f` receives a whole chunk of consecutive path indices
/// (at most [`CHUNK`]), so that it can run several paths in lock-step.
pub fn run_ordered_chunks<A, F, P>(paths: u64, init: impl Fn() -> A + Sync, f: F, progress: P) -> A
where
    A: Send + Merge,
    F: Fn(std::ops::Range<u64>, &mut A) + Sync,
    P: FnMut(u64, u64),
{
    run_ordered_grouped(paths, CHUNK, init, f, progress)
}

/// As [`run_ordered_chunks`], with chunks of `group ≥ 1` consecutive indices instead of
/// [`CHUNK`]: for units of work so large that a few of them should already spread over
/// the threads (`group = 1`: each unit is its own chunk). The grouping depends on
/// `group` only, never on the thread count, so the result is still the same bit for
/// bit on any pool.
///
/// # Panics
/// If `group` is 0.
pub fn run_ordered_grouped<A, F, P>(
    paths: u64,
    group: u64,
    init: impl Fn() -> A + Sync,
    f: F,
    mut progress: P,
) -> A
where
    A: Send + Merge,
    F: Fn(std::ops::Range<u64>, &mut A) + Sync,
    P: FnMut(u64, u64),
{
    assert!(group >= 1, "run_ordered_grouped: group must be >= 1");
    if paths == 0 {
        return init();
    }
    let mut part = Partial::whole(paths, group).expect("paths and group checked above");
    run_ordered_part(&mut part, init, f, |p| {
        progress(p.paths_done(), paths);
        std::ops::ControlFlow::Continue(())
    });
    part.finish().expect("the whole run was folded")
}

/// An accumulator that can absorb another (merge must be deterministic).
pub trait Merge {
    /// Absorbs `other` (which summarises later paths than `self`).
    fn merge(&mut self, other: &Self);
}

/// Values collected in path order: the accumulator of [`run_ordered`] when the whole
/// sample is needed (a law to test, a histogram drawn after the fact).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Collect(pub(crate) Vec<f64>);

impl Merge for Collect {
    fn merge(&mut self, other: &Self) {
        self.0.extend_from_slice(&other.0);
    }
}

/// Which increments a scalar ensemble draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Increments {
    /// Gaussian, with Lévy areas when the scheme needs them for the model
    /// ([`ScalarNoise::for_run`]).
    #[default]
    Gaussian,
    /// Two-point `±√h` ([`TwoPoint`]): weak order 1, distributional questions only.
    TwoPoint,
}

/// Where paths start.
enum Start<'a, X: ?Sized + ToOwned> {
    Unset,
    Fixed(X::Owned),
    PerPath(Box<dyn Fn(u64) -> X::Owned + Sync + 'a>),
}

impl<'a, X: ?Sized + ToOwned> Start<'a, X>
where
    X::Owned: Sync + 'a,
{
    /// The start of every path, each checked with `check` before any path runs (a
    /// per-path start function is called once per path for that).
    #[allow(clippy::type_complexity)]
    fn resolve(
        self,
        paths: u64,
        check: impl Fn(&X) -> Result<()>,
    ) -> Result<Box<dyn Fn(u64) -> X::Owned + Sync + 'a>> {
        use std::borrow::Borrow;
        match self {
            Start::Unset => Err(param("x0", f64::NAN, "given (call .start(x0))")),
            Start::Fixed(x0) => {
                check(x0.borrow())?;
                Ok(Box::new(move |_| x0.borrow().to_owned()))
            }
            Start::PerPath(f) => {
                for i in 0..paths {
                    check(f(i).borrow())?;
                }
                Ok(f)
            }
        }
    }
}

/// The settings every ensemble shares.
struct Common<'a> {
    grid: Option<Grid>,
    paths: u64,
    seed: u64,
    progress: Option<Box<dyn FnMut(u64, u64) + 'a>>,
}

impl Common<'_> {
    fn new() -> Self {
        Self {
            grid: None,
            paths: 0,
            seed: DEFAULT_SEED,
            progress: None,
        }
    }
    fn grid(&self) -> Result<Grid> {
        self.grid.ok_or_else(|| {
            param(
                "grid",
                f64::NAN,
                "given (call .grid(Grid::new(t_end, dt)?))",
            )
        })
    }
    fn paths(&self) -> Result<u64> {
        count("paths", self.paths as usize).map(|_| self.paths)
    }
}

/// The seed used when none is given.
pub const DEFAULT_SEED: u64 = 1;

/// Runs the paths of one chunk in `L` lanes (in lock-step, or streaming when the
/// monitor can stop paths), folding each into `acc` in index order.
fn scalar_chunk<St, Src, O, const L: usize>(
    stepper: &St,
    source: &Src,
    obs: &O,
    start: &(dyn Fn(u64) -> f64 + Sync),
    seed: u64,
    range: std::ops::Range<u64>,
    acc: &mut O::Summary,
) where
    St: Stepper<State = f64, Noise = Src::Noise> + Clone,
    Src: NoiseSource,
    O: Observe<f64>,
{
    let mut stepper = stepper.clone();
    // Observers that stop paths (exits) stream through the lanes (`run_stream`): a lane
    // whose path stops takes the chunk's next path (in the screened lock-step, at the end
    // of its block), and every path still equals its lone run. The loop is compiled for the CPU's widest vector
    // instructions (chosen at run time); no result depends on which (no FMA contraction,
    // the same IEEE operations), as the lane-against-lone-path tests check.
    crate::noise::vectorized(
        #[inline(always)]
        || lanes_loop::<St, Src, O, L>(&mut stepper, source, obs, start, seed, range, acc),
    );
}

#[inline(always)]
fn lanes_loop<St, Src, O, const L: usize>(
    stepper: &mut St,
    source: &Src,
    obs: &O,
    start: &(dyn Fn(u64) -> f64 + Sync),
    seed: u64,
    range: std::ops::Range<u64>,
    acc: &mut O::Summary,
) where
    St: Stepper<State = f64, Noise = Src::Noise> + Clone,
    Src: NoiseSource,
    O: Observe<f64>,
{
    if <O::Monitor<'_> as crate::integrate::monitor::Monitor<f64>>::CAN_STOP {
        // Paths that stop early (exits) stream through the lanes: a lane whose path has
        // stopped takes the next path of the chunk. They finish out of order; they are
        // recorded in index order, as a lone-path run records them, so the chunk's
        // monitors (CHUNK of them, not L) live until its end.
        let mut rngs: Vec<PathRng> = range.clone().map(|i| path_rng(seed, i)).collect();
        let mut mons: Vec<O::Monitor<'_>> = range.clone().map(|i| obs.monitor(i)).collect();
        let mut ends = vec![(0.0, StopReason::EndTime); rngs.len()];
        let paths = range
            .clone()
            .zip(mons.iter_mut().zip(rngs.iter_mut()))
            .map(|(i, (m, r))| (start(i), m, r));
        run_stream::<_, _, _, _, L>(stepper, source, paths, |k, x, why| ends[k] = (x, why));
        for ((i, mon), (x, why)) in range.zip(mons).zip(ends) {
            obs.record(acc, i, mon, &x, why);
        }
        return;
    }
    let mut i = range.start;
    while i < range.end {
        // A short last group is padded with the last path's start and generators past
        // the range, whose results are discarded; lanes are independent, so this
        // changes no result.
        let live = ((range.end - i) as usize).min(L);
        let idx = |l: usize| i + l.min(live - 1) as u64;
        let mut rngs: [PathRng; L] = std::array::from_fn(|l| path_rng(seed, i + l as u64));
        let mut xs = CacheAligned::<[f64; L]>(std::array::from_fn(|l| start(idx(l))));
        let xs = &mut xs.0;
        let mut mons: [O::Monitor<'_>; L] = std::array::from_fn(|l| obs.monitor(idx(l)));
        let why = run_lanes(stepper, source, &mut mons, xs, &mut rngs);
        for (l, mon) in mons.into_iter().enumerate().take(live) {
            obs.record(acc, i + l as u64, mon, &xs[l], why[l]);
        }
        i += L as u64;
    }
}

/// An ensemble of paths of a scalar model: a builder over the run engine.
///
/// Required: a start ([`start`](Self::start) or [`start_with`](Self::start_with)), a
/// [`grid`](Self::grid) and a number of [`paths`](Self::paths). Optional: the
/// [`seed`](Self::seed) (default [`DEFAULT_SEED`]), the [`increments`](Self::increments)
/// and a [`progress`](Self::progress) callback. Then one of [`terminal`](Self::terminal),
/// [`snapshots`](Self::snapshots), [`exits`](Self::exits) or
/// [`observe`](Self::observe) runs it. Everything that can fail is checked before any
/// path runs.
pub struct Ensemble<'a, S, Sch, const M: usize> {
    sde: &'a S,
    models: Option<Box<dyn Fn(u64) -> S + Sync + 'a>>,
    scheme: &'a Sch,
    start: Start<'a, f64>,
    common: Common<'a>,
    increments: Increments,
    area_terms: Option<usize>,
}

impl<'a, S, Sch, const M: usize> Ensemble<'a, S, Sch, M>
where
    S: ScalarSde<M> + Sync,
    Sch: ScalarScheme<S, M> + Sync,
{
    /// An ensemble of `sde` stepped with `scheme`.
    pub fn new(sde: &'a S, scheme: &'a Sch) -> Self {
        Self {
            sde,
            models: None,
            scheme,
            start: Start::Unset,
            common: Common::new(),
            increments: Increments::Gaussian,
            area_terms: None,
        }
    }
    /// Path `i` uses the model `model(i)` instead of the one given to
    /// [`new`](Self::new): per-path parameters, as in a parameter sweep. The function is
    /// called once per path before the run (to check that the grid can carry the noise
    /// each model needs) and again when the path runs; it must be deterministic.
    /// Paths then run one at a time. [`exits`](Self::exits) needs one model and refuses
    /// per-path models.
    ///
    /// ```
    /// use saddle_sde::{ensemble::Ensemble, integrate::Grid, models::SaddleSde, scheme::EulerMaruyama};
    /// // half the paths with a = 1, half with a = −1; no noise, so x_T = x0 (1 + a h)^n
    /// let base = SaddleSde::new(1.0, 0.0, 0.0, 0.0)?;
    /// let models = [base.clone(), SaddleSde::new(-1.0, 0.0, 0.0, 0.0)?];
    /// let s = Ensemble::new(&base, &EulerMaruyama)
    ///     .model_with(|i| models[(i % 2) as usize].clone())
    ///     .start(1.0).grid(Grid::new(1.0, 0.5)?).paths(4)
    ///     .terminal()?;
    /// assert!((s.mean() - (1.5f64.powi(2) + 0.5f64.powi(2)) / 2.0).abs() < 1e-15);
    /// # Ok::<(), saddle_sde::Error>(())
    /// ```
    pub fn model_with(mut self, model: impl Fn(u64) -> S + Sync + 'a) -> Self {
        self.models = Some(Box::new(model));
        self
    }
    /// Every path starts at `x0`.
    pub fn start(mut self, x0: f64) -> Self {
        self.start = Start::Fixed(x0);
        self
    }
    /// Path `i` starts at `x0(i)`. The function is called once per path before the run
    /// (to validate every start) and again when the path runs; it must be
    /// deterministic.
    pub fn start_with(mut self, x0: impl Fn(u64) -> f64 + Sync + 'a) -> Self {
        self.start = Start::PerPath(Box::new(x0));
        self
    }
    /// The time grid.
    pub fn grid(mut self, grid: Grid) -> Self {
        self.common.grid = Some(grid);
        self
    }
    /// The number of paths (`≥ 1`).
    pub fn paths(mut self, paths: u64) -> Self {
        self.common.paths = paths;
        self
    }
    /// The seed: path `i` draws from [`path_rng`]`(seed, i)`.
    pub fn seed(mut self, seed: u64) -> Self {
        self.common.seed = seed;
        self
    }
    /// Which increments are drawn (default Gaussian).
    pub fn increments(mut self, increments: Increments) -> Self {
        self.increments = increments;
        self
    }
    /// Calls `progress(done, total)` after each batch of paths.
    pub fn progress(mut self, progress: impl FnMut(u64, u64) + 'a) -> Self {
        self.common.progress = Some(Box::new(progress));
        self
    }
    /// The number `p ≥ 1` of Fourier terms in each step's Lévy area, when the scheme
    /// needs areas (default [`LevyArea::for_step`](crate::noise::LevyArea::for_step),
    /// which keeps Milstein at strong order 1). A step then draws `4p + 1` normals for
    /// the area: fewer terms are cheaper, with an area error of RMS at most
    /// `h/(π√6·p)` (see [`LevyArea`]). For nearly the least cost at a given strong error on
    /// the blog's model, pass
    /// [`LevyArea::economical`](crate::noise::LevyArea::economical)`(h)?.terms()`
    /// (still strong order 1; `p = 1` at `h = 10⁻³`). `p = 0` is refused
    /// when the ensemble runs. The lone-path drivers (`integrate::terminal`,
    /// `escape::exit_path`) use the default; for a lone path with another `p`, run
    /// [`run`] on `GaussianAreas::with_areas`.
    ///
    /// ```
    /// use saddle_sde::{ensemble::Ensemble, integrate::Grid, models::SaddleSde, scheme::Milstein};
    /// let m = SaddleSde::new(1.0, 1.0, 0.5, 0.3)?;
    /// let s = Ensemble::new(&m, &Milstein).start(0.1).grid(Grid::new(1.0, 1e-3)?)
    ///     .paths(64).area_terms(2).terminal()?;
    /// assert!(s.mean().is_finite());
    /// let e = Ensemble::new(&m, &Milstein).start(0.1).grid(Grid::new(1.0, 1e-3)?)
    ///     .paths(64).area_terms(0).terminal().unwrap_err();
    /// assert!(e.to_string().contains("terms"));
    /// # Ok::<(), saddle_sde::Error>(())
    /// ```
    pub fn area_terms(mut self, p: usize) -> Self {
        self.area_terms = Some(p);
        self
    }

    /// The number of paths (an error if zero).
    pub(crate) fn paths_ref(&self) -> Result<u64> {
        self.common.paths()
    }
    /// The increments the ensemble draws.
    pub(crate) fn increments_ref(&self) -> Increments {
        self.increments
    }
    /// The one model of the ensemble (`None` with per-path models).
    pub(crate) fn model(&self) -> Option<&'a S> {
        self.models.is_none().then_some(self.sde)
    }

    /// Terminal values: moments over all paths that ended finite (paths that blew up
    /// are counted, never averaged in). [`observe`](Self::observe) with
    /// [`TerminalObs`] gives a blow-up bound and a histogram.
    ///
    /// # Errors
    /// As [`observe`](Self::observe).
    pub fn terminal(self) -> Result<TerminalSummary> {
        self.observe(&TerminalObs::new())
    }

    /// The ensemble at the grid points nearest to `times` (ascending, in `[0, T]`),
    /// keeping the first `keep` paths in full. A path beyond `bound` (or non-finite)
    /// at a recorded time is counted as blown up. [`observe`](Self::observe) with
    /// [`SnapshotObs`] gives histograms too.
    ///
    /// # Errors
    /// As [`SnapshotObs::new`] and [`observe`](Self::observe).
    pub fn snapshots(self, times: &[f64], keep: u64) -> Result<Snapshots> {
        let grid = self.common.grid()?;
        let obs = SnapshotObs::new(&grid, times, keep)?;
        self.observe(&obs)
    }

    /// Runs the ensemble with the observable `obs` and returns its summary.
    ///
    /// # Errors
    /// Parameter errors naming `paths` (zero), `grid` or `x0` (not given), `x0` (a
    /// start not finite, or one the observable rejects), `h` (a step that cannot carry
    /// the noise the scheme needs), or what the observable's checks report.
    pub fn observe<O: Observe<f64>>(self, obs: &O) -> Result<O::Summary> {
        let mut part = Partial::whole(self.common.paths()?, CHUNK)?;
        self.observe_part(obs, &mut part, |_| ControlFlow::Continue(()))?;
        part.finish()
    }

    /// Runs the chunks of `part` not yet done (a shard of the run, or a checkpoint to
    /// resume: see [`Partial`]) and folds them into it. After each batch of chunks,
    /// `after_batch(&part)` may save the part or stop the run with
    /// [`ControlFlow::Break`]; the part then holds every chunk finished so far.
    /// [`Partial::finish`] on the whole run (after [`Partial::merge_all`] of its shards)
    /// gives, bit for bit, what [`observe`](Self::observe) gives.
    ///
    /// ```
    /// use saddle_sde::{ensemble::{CHUNK, Ensemble, Partial, TerminalObs}, integrate::Grid,
    ///                  models::SaddleSde, scheme::EulerMaruyama};
    /// use std::ops::ControlFlow;
    /// let m = SaddleSde::new(1.0, 1.0, 0.5, 0.3)?;
    /// let ens = || Ensemble::new(&m, &EulerMaruyama).start(0.1)
    ///     .grid(Grid::new(1.0, 1e-2).unwrap()).paths(5_000).seed(3);
    /// let whole = ens().terminal()?;
    /// let mut shards = Vec::new();
    /// for k in 1..=3 {
    ///     let mut part = Partial::shard(5_000, CHUNK, k, 3)?;
    ///     ens().observe_part(&TerminalObs::new(), &mut part, |_| ControlFlow::Continue(()))?;
    ///     shards.push(part);
    /// }
    /// assert_eq!(Partial::merge_all(shards)?.finish()?, whole);
    /// # Ok::<(), saddle_sde::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`observe`](Self::observe), and a parameter error naming `paths` if `part`
    /// is of a run with another number of paths or another chunk size than
    /// [`CHUNK`].
    pub fn observe_part<O: Observe<f64>>(
        self,
        obs: &O,
        part: &mut Partial<O::Summary>,
        mut after_batch: impl FnMut(&Partial<O::Summary>) -> ControlFlow<()>,
    ) -> Result<()> {
        let Self {
            sde,
            models,
            scheme,
            start,
            mut common,
            increments,
            area_terms,
        } = self;
        let paths = common.paths()?;
        check_part(part, paths)?;
        if let Some(p) = area_terms {
            crate::error::count("terms", p)?;
        }
        let grid = obs.grid(&common.grid()?)?;
        if models.is_some() && obs.uses_model() {
            return Err(param(
                "model",
                f64::NAN,
                "one model for every path (this observable reads the model's diffusion)",
            ));
        }
        if increments == Increments::TwoPoint {
            if obs.uses_model() {
                return Err(param(
                    "increments",
                    f64::NAN,
                    "Gaussian (the bridge test and the shift assume Brownian paths)",
                ));
            }
            let needs_areas = match &models {
                Some(f) => (0..paths).any(|i| ScalarNoise::wants_areas(scheme, &f(i))),
                None => ScalarNoise::wants_areas(scheme, sde),
            };
            if needs_areas {
                return Err(param(
                    "increments",
                    f64::NAN,
                    "Gaussian (the scheme needs Lévy areas for this model; two-point increments have none)",
                ));
            }
        }
        let start = start.resolve(paths, |x0| {
            finite("x0", *x0)?;
            obs.check_start(x0)
        })?;
        let seed = common.seed;
        let mut progress = common.progress.take();
        let total = part.path_range().end - part.path_range().start;
        let mut report = |p: &Partial<O::Summary>| {
            if let Some(progress) = progress.as_mut() {
                progress(p.paths_done(), total)
            }
            after_batch(p)
        };
        if let Some(models) = models {
            return per_path_models(
                &*models,
                scheme,
                obs,
                &grid,
                (part, &*start),
                seed,
                (increments, area_terms),
                &mut report,
            );
        }
        let stepper = ScalarStepper::new(sde, scheme);
        let mut chunk = |src: &(dyn Fn(std::ops::Range<u64>, &mut O::Summary) + Sync)| {
            run_ordered_part(part, || obs.summary(), src, &mut report)
        };
        // The source is chosen once, here, and each arm compiles its own loop.
        match increments {
            Increments::TwoPoint => {
                let src = TwoPoint::<M>::new(&grid)?;
                chunk(&|r, acc| lanes_for::<_, _, _, M>(&stepper, &src, obs, &*start, seed, r, acc))
            }
            Increments::Gaussian => {
                let noise = ScalarNoise::for_run_with_terms(scheme, sde, &grid, area_terms)?;
                crate::with_source!(noise, |src| chunk(&|r, acc| {
                    lanes_for::<_, _, _, M>(&stepper, src, obs, &*start, seed, r, acc)
                }))
            }
        }
        Ok(())
    }
}

/// Checks that `part` is of a run of `paths` paths in chunks of [`CHUNK`].
pub(crate) fn check_part<A: Merge>(part: &Partial<A>, paths: u64) -> Result<()> {
    if part.paths() != paths || part.group() != CHUNK {
        return Err(param(
            "paths",
            part.paths() as f64,
            format!(
                "{paths} in chunks of {CHUNK} (the part given is of {} paths in chunks of {})",
                part.paths(),
                part.group()
            ),
        ));
    }
    Ok(())
}

/// An ensemble whose path `i` has its own model `models(i)`: every model's noise needs
/// are checked against the grid first, then paths run one at a time.
#[allow(clippy::too_many_arguments)]
fn per_path_models<S, Sch, O, P, const M: usize>(
    models: &(dyn Fn(u64) -> S + Sync),
    scheme: &Sch,
    obs: &O,
    grid: &Grid,
    (part, start): (&mut Partial<O::Summary>, &(dyn Fn(u64) -> f64 + Sync)),
    seed: u64,
    (increments, area_terms): (Increments, Option<usize>),
    report: P,
) -> Result<()>
where
    S: ScalarSde<M> + Sync,
    Sch: ScalarScheme<S, M> + Sync,
    O: Observe<f64>,
    P: FnMut(&Partial<O::Summary>) -> ControlFlow<()>,
{
    let paths = part.paths();
    let gauss = Gaussian::<M>::new(grid)?;
    let two_point = TwoPoint::<M>::new(grid)?;
    let areas = match area_terms {
        Some(p) => {
            LevyArea::with_terms(p, grid.h()).and_then(|a| GaussianAreas::<M>::with_areas(grid, a))
        }
        None => GaussianAreas::<M>::new(grid),
    };
    if increments == Increments::Gaussian {
        for i in 0..paths {
            ScalarNoise::for_run_with_terms(scheme, &models(i), grid, area_terms)?;
        }
    }
    let areas = areas.ok();
    run_ordered_part(
        part,
        || obs.summary(),
        |range, acc| {
            for i in range {
                let model = models(i);
                let mut stepper = ScalarStepper::new(&model, scheme);
                let mut x = start(i);
                let mut mon = obs.monitor(i);
                let mut rng = path_rng(seed, i);
                let wants_areas = ScalarNoise::wants_areas(scheme, &model);
                let why = match (increments, &areas) {
                    (Increments::TwoPoint, _) => {
                        run(&mut stepper, &two_point, &mut mon, &mut x, &mut rng)
                    }
                    // every model that wants areas was checked above to have them
                    (_, Some(a)) if wants_areas => run(&mut stepper, a, &mut mon, &mut x, &mut rng),
                    _ => run(&mut stepper, &gauss, &mut mon, &mut x, &mut rng),
                };
                obs.record(acc, i, mon, &x, why);
            }
        },
        report,
    );
    Ok(())
}

/// Lane width: 16 (measured on W1 with bulk normals: 1.5e8 path-steps/s with 4 lanes,
/// 2.1e8 with 8, 2.1e8–2.5e8 with 16 on one core), and 32 for streams of paths whose
/// monitors screen their steps, which run in `run_stream`'s screened lock-step (the exit
/// row with the bridge test, median ×1.05 over 16 lanes in four concurrent A/B pairs,
/// without it ×1.00: `docs/performance.md`), and for lock-step runs of one noise. That
/// was measured on the law-equivalent form, whose step waits on a square root: 16 lanes
/// (two vectors of eight) leave its latency exposed, 32 keep four roots in flight (W1's
/// law-equivalent row ×1.10–×1.11 in concurrent A/B pairs); other one-noise runs (GBM,
/// OU, two-point increments) follow unmeasured. With two noises 32 lanes gained nothing
/// measurable. Each lane is bit-identical to a lone path,
/// so results do not depend on it.
fn lanes_for<St, Src, O, const M: usize>(
    stepper: &St,
    source: &Src,
    obs: &O,
    start: &(dyn Fn(u64) -> f64 + Sync),
    seed: u64,
    range: std::ops::Range<u64>,
    acc: &mut O::Summary,
) where
    St: Stepper<State = f64, Noise = Src::Noise> + Clone,
    Src: NoiseSource<Noise = StepNoise<M>>,
    O: Observe<f64>,
{
    use crate::integrate::monitor::Monitor;
    type Mon<'m, O> = <O as Observe<f64>>::Monitor<'m>;
    let can_stop = <Mon<'_, O> as Monitor<f64>>::CAN_STOP;
    if (can_stop && <Mon<'_, O> as Monitor<f64>>::SCREENS && Src::DRAWS_FROM_STATE)
        || (!can_stop && M == 1)
    {
        scalar_chunk::<_, _, _, 32>(stepper, source, obs, start, seed, range, acc)
    } else {
        scalar_chunk::<_, _, _, 16>(stepper, source, obs, start, seed, range, acc)
    }
}

/// An ensemble of paths of an n-dimensional model ([`crate::sde::Sde`] with the
/// Milstein capability): the same builder as [`Ensemble`], with a vector start.
///
/// Observables of a scalar functional `φ(x)` (a coordinate, a norm, a loss) come from
/// [`terminal_of`](Self::terminal_of), [`snapshots_of`](Self::snapshots_of) and
/// [`ProjectedObs`] (exits of `φ` without the bridge test, occupation times, …).
///
/// ```
/// use saddle_sde::{ensemble::NdEnsemble, integrate::{Grid, NdScheme}, models::LocalSaddle};
/// // two independent directions: unstable a = 1 and stable a = −1, no noise
/// let m = LocalSaddle::with_pairwise_rho(vec![1.0, -1.0], vec![0.0, 0.0], vec![0.0, 0.0], &[0.0, 0.0])?;
/// let s = NdEnsemble::new(&m, NdScheme::EulerMaruyama)
///     .start(vec![0.1, 0.1]).grid(Grid::new(1.0, 1e-3)?).paths(16)
///     .terminal_of(|x: &[f64]| x[0])?;
/// // EM: 0.1·(1 + 10⁻³)¹⁰⁰⁰
/// assert!((s.mean() - 0.1 * 1.001f64.powi(1000)).abs() < 1e-12);
/// # Ok::<(), saddle_sde::Error>(())
/// ```
pub struct NdEnsemble<'a, S: ?Sized> {
    sde: &'a S,
    scheme: NdScheme,
    start: Start<'a, [f64]>,
    common: Common<'a>,
}

impl<'a, S: DiffusionJacobian + Sync + ?Sized> NdEnsemble<'a, S> {
    /// An ensemble of `sde` stepped with `scheme`.
    pub fn new(sde: &'a S, scheme: NdScheme) -> Self {
        Self {
            sde,
            scheme,
            start: Start::Unset,
            common: Common::new(),
        }
    }
    /// Every path starts at `x0`.
    pub fn start(mut self, x0: Vec<f64>) -> Self {
        self.start = Start::Fixed(x0);
        self
    }
    /// Path `i` starts at `x0(i)` (called once per path to validate, and again to run).
    pub fn start_with(mut self, x0: impl Fn(u64) -> Vec<f64> + Sync + 'a) -> Self {
        self.start = Start::PerPath(Box::new(x0));
        self
    }
    /// The time grid.
    pub fn grid(mut self, grid: Grid) -> Self {
        self.common.grid = Some(grid);
        self
    }
    /// The number of paths (`≥ 1`).
    pub fn paths(mut self, paths: u64) -> Self {
        self.common.paths = paths;
        self
    }
    /// The seed: path `i` draws from [`path_rng`]`(seed, i)`.
    pub fn seed(mut self, seed: u64) -> Self {
        self.common.seed = seed;
        self
    }
    /// Calls `progress(done, total)` after each batch of paths.
    pub fn progress(mut self, progress: impl FnMut(u64, u64) + 'a) -> Self {
        self.common.progress = Some(Box::new(progress));
        self
    }

    /// Terminal values of `φ(x_T)`.
    ///
    /// # Errors
    /// As [`observe`](Self::observe).
    pub fn terminal_of<F: Fn(&[f64]) -> f64 + Sync>(self, phi: F) -> Result<TerminalSummary> {
        self.observe(&ProjectedObs::new(phi, TerminalObs::new()))
    }

    /// Snapshots of `φ(x_t)` at the grid points nearest to `times`.
    ///
    /// # Errors
    /// As [`SnapshotObs::new`] and [`observe`](Self::observe).
    pub fn snapshots_of<F: Fn(&[f64]) -> f64 + Sync>(
        self,
        phi: F,
        times: &[f64],
        keep: u64,
    ) -> Result<Snapshots> {
        let grid = self.common.grid()?;
        let obs = SnapshotObs::new(&grid, times, keep)?;
        self.observe(&ProjectedObs::new(phi, obs))
    }

    /// Runs the ensemble with the observable `obs` and returns its summary.
    ///
    /// # Errors
    /// As [`Ensemble::observe`], and [`crate::Error::Dimension`] if a start does not
    /// have the model's dimension.
    pub fn observe<O: Observe<[f64]>>(self, obs: &O) -> Result<O::Summary> {
        let Self {
            sde,
            scheme,
            start,
            mut common,
        } = self;
        let paths = common.paths()?;
        let grid = obs.grid(&common.grid()?)?;
        let start = start.resolve(paths, |x0| {
            crate::integrate::check_nd_start(sde, x0)?;
            obs.check_start(x0)
        })?;
        let source = scheme.source(sde, &grid)?;
        let stepper = NdStepper::new(sde, scheme);
        let seed = common.seed;
        let mut progress = common.progress.take();
        Ok(run_ordered_chunks(
            paths,
            || obs.summary(),
            |range, acc| {
                let mut stepper = stepper.clone();
                for i in range {
                    let mut x = start(i);
                    let mut mon = obs.monitor(i);
                    let why = run(
                        &mut stepper,
                        &source,
                        &mut mon,
                        &mut x[..],
                        &mut path_rng(seed, i),
                    );
                    obs.record(acc, i, mon, &x, why);
                }
            },
            |d, t| {
                if let Some(p) = progress.as_mut() {
                    p(d, t)
                }
            },
        ))
    }
}
