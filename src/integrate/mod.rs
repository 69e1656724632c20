//! The run engine: one stepping loop for one path ([`run`]), one for `L` paths in
//! lock-step ([`run_lanes`]) and one for a stream of paths through `L` lanes, each lane
//! taking the next path when its path stops ([`run_stream`], for monitors that stop
//! paths). These are the only stepping loops in the crate; everything else that moves
//! paths forward ([`terminal`], the [`Ensemble`](crate::ensemble::Ensemble) builder,
//! exit problems) composes them, and a path's numbers are the same whichever runs it.
//!
//! A run is a **stepper** (a model and a scheme: what one step does to a state), a
//! **noise source** ([`crate::noise::NoiseSource`]: one step's noise, validated once
//! before any parallel section), a **monitor** ([`monitor::Monitor`]: watches each step
//! and may stop the path), a number of steps (from the source's grid) and a start
//! state. It returns a [`StopReason`].
//!
//! ```text
//! for each step n (t = n h):
//!     noise ← source.draw(rng)             (Gaussian | with Lévy areas | two-point | given)
//!     monitor.before_step(n, t, x)
//!     x ← stepper.step(t, x, noise)        (EM, Milstein, … on a scalar or n-dim model)
//!     monitor.after_step(n, t, h, x, rng)  → stop?   (end value | snapshots | exit | blow-up | …)
//! end: EndTime, or NonFinite if the state is not finite (non-finite values are absorbing)
//! ```
//!
//! Sources and monitors are concrete generic types, so each combination is compiled
//! into its own loop: no dynamic dispatch, and no per-step branch for a choice that is
//! fixed for the run (a monitor that cannot stop, the bridge test, the source kind).

pub mod monitor;

use crate::error::{Error, Result, finite, positive};
use crate::noise::{
    CacheAligned, Given, NdGaussian, NdNoise, NoiseNeeds, NoiseSource, ScalarNoise, StepNoise,
};
use crate::scheme::ScalarScheme;
use crate::sde::{DiffusionJacobian, ScalarSde};
use monitor::{EndValue, Monitor};
use rand::Rng;

/// A uniform time grid on `[0, T]`.
///
/// ```
/// use saddle_sde::integrate::Grid;
/// let g = Grid::new(1.0, 1e-3).unwrap();
/// assert_eq!(g.steps(), 1000);
/// assert!(Grid::new(1.0, 0.0).is_err());
/// assert!(Grid::new(-1.0, 0.1).is_err());
/// ```
// Serialize only: a grid is rebuilt through its checked constructors, never read back
// unchecked.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Grid {
    t_end: f64,
    steps: usize,
    h: f64,
}

impl Grid {
    /// The grid with end time `T ≥ 0` and the largest step `h ≤ dt` that divides `T`
    /// (`steps = ⌈T/dt⌉`, `h = T/steps`; `T/dt` within 1e-9 of an integer is rounded).
    ///
    /// # Errors
    /// Parameter errors naming `t_end` (must be finite and `≥ 0`) or `dt` (must be
    /// finite and `> 0`), `dt` if `T/dt` exceeds 2⁴⁸ steps, and `dt` or `t_end` if the
    /// step is below `1e-300` (which the noise sources refuse).
    pub fn new(t_end: f64, dt: f64) -> Result<Self> {
        crate::error::non_negative("t_end", t_end)?;
        positive("dt", dt)?;
        let ratio = t_end / dt;
        if ratio > 2f64.powi(48) {
            return Err(crate::error::param(
                "dt",
                dt,
                format!("> t_end / 2^48 = {:e}", t_end / 2f64.powi(48)),
            ));
        }
        let near = ratio.round();
        let steps = if (ratio - near).abs() <= 1e-9 * near.max(1.0) {
            near
        } else {
            ratio.ceil()
        } as usize;
        // a step longer than T gives one step of T (T/dt ≤ 1e-9 would round to none)
        let steps = if t_end > 0.0 { steps.max(1) } else { steps };
        let h = if steps == 0 { dt } else { t_end / steps as f64 };
        // a step below what the noise sources accept (√h and h² stay normal)
        if h < 1e-300 {
            let (name, v) = if t_end > 0.0 && t_end < dt {
                ("t_end", t_end)
            } else {
                ("dt", dt)
            };
            return Err(crate::error::param(
                name,
                v,
                ">= 1e-300 (the step is min(dt, t_end))",
            ));
        }
        Ok(Self { t_end, steps, h })
    }

    /// `n ≥ 1` steps on `[0, T]`.
    ///
    /// # Errors
    /// As [`Grid::new`], and `steps` must be `≥ 1`.
    pub fn with_steps(t_end: f64, n: usize) -> Result<Self> {
        positive("t_end", t_end)?;
        crate::error::count("steps", n)?;
        Ok(Self {
            t_end,
            steps: n,
            h: t_end / n as f64,
        })
    }

    /// `steps` steps of length `h` (validated by the caller).
    pub(crate) fn uniform(steps: usize, h: f64) -> Self {
        Self {
            t_end: steps as f64 * h,
            steps,
            h,
        }
    }

    /// The first `steps` steps of this grid, with the same step length `h` (bit for
    /// bit), so a run over the prefix draws and steps exactly as the full run does.
    ///
    /// # Errors
    /// A parameter error naming `steps` if it exceeds this grid's.
    pub fn prefix(&self, steps: usize) -> Result<Self> {
        if steps > self.steps {
            return Err(crate::error::param(
                "steps",
                steps as f64,
                format!("<= {}", self.steps),
            ));
        }
        Ok(Self::uniform(steps, self.h))
    }

    /// The grid index nearest to time `t ∈ [0, T]`.
    ///
    /// # Errors
    /// A parameter error naming `times` unless `t` is in `[0, T]`.
    pub fn index_of(&self, t: f64) -> Result<usize> {
        if !(t >= 0.0 && t <= self.t_end) {
            return Err(crate::error::param(
                "times",
                t,
                format!("in [0, {}]", self.t_end),
            ));
        }
        Ok(((t / self.h).round() as usize).min(self.steps))
    }

    /// End time `T`.
    pub fn t_end(&self) -> f64 {
        self.t_end
    }
    /// Number of steps.
    pub fn steps(&self) -> usize {
        self.steps
    }
    /// Step length `h`.
    pub fn h(&self) -> f64 {
        self.h
    }
}

/// Which side of a domain a path left through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Side {
    /// The lower end.
    Lower,
    /// The upper end.
    Upper,
}

/// Why a run stopped.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum StopReason {
    /// The end time was reached with a finite state.
    EndTime,
    /// The state became non-finite (overflow). Non-finite values are absorbing for
    /// these schemes, so without a monitor that checks every step this is detected
    /// once, at the end.
    NonFinite,
    /// The path left its domain through `side` at time `t`
    /// ([`monitor::Exit`]).
    Exited {
        /// The side it left through.
        side: Side,
        /// The exit time (a grid time).
        t: f64,
    },
    /// The path passed a blow-up bound at time `t` ([`monitor::BlowUp`], or a side of an
    /// exit window that is only a bound).
    BlownUp {
        /// The time the bound was passed.
        t: f64,
    },
    /// A user predicate asked to stop at time `t` ([`monitor::Closure`]).
    Requested {
        /// The time of the stop.
        t: f64,
    },
}

impl StopReason {
    /// The reason a run that was not stopped by its monitor ends with.
    #[inline]
    fn at_end(finite: bool) -> Self {
        if finite {
            StopReason::EndTime
        } else {
            StopReason::NonFinite
        }
    }
}

/// A model and a scheme together: what one step does to a state.
///
/// `State` is `f64` for scalar models ([`ScalarStepper`]) and `[f64]` for
/// n-dimensional ones ([`NdStepper`]).
pub trait Stepper {
    /// The state.
    type State: ?Sized;
    /// One step's noise.
    type Noise;
    /// Advances `x` from time `t` by one step with the given noise, in place.
    fn step(&mut self, t: f64, x: &mut Self::State, noise: &Self::Noise);
    /// Whether every component of `x` is finite.
    fn is_finite(x: &Self::State) -> bool;
}

/// A scalar model and a [`ScalarScheme`]: the stepper of scalar runs.
#[derive(Debug)]
pub struct ScalarStepper<'a, S, Sch, const M: usize> {
    sde: &'a S,
    scheme: &'a Sch,
}

impl<'a, S: ScalarSde<M>, Sch: ScalarScheme<S, M>, const M: usize> ScalarStepper<'a, S, Sch, M> {
    /// Pairs `sde` with `scheme`.
    pub fn new(sde: &'a S, scheme: &'a Sch) -> Self {
        Self { sde, scheme }
    }
}

impl<S, Sch, const M: usize> Clone for ScalarStepper<'_, S, Sch, M> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<S, Sch, const M: usize> Copy for ScalarStepper<'_, S, Sch, M> {}

impl<S: ScalarSde<M>, Sch: ScalarScheme<S, M>, const M: usize> Stepper
    for ScalarStepper<'_, S, Sch, M>
{
    type State = f64;
    type Noise = StepNoise<M>;
    #[inline(always)]
    fn step(&mut self, t: f64, x: &mut f64, noise: &StepNoise<M>) {
        *x = self.scheme.step(self.sde, t, *x, noise);
    }
    #[inline(always)]
    fn is_finite(x: &f64) -> bool {
        x.is_finite()
    }
}

/// The schemes available for n-dimensional models ([`crate::sde::Sde`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NdScheme {
    /// Euler–Maruyama.
    EulerMaruyama,
    /// Milstein with all iterated integrals (Lévy areas from
    /// [`crate::noise::LevyArea::sample_all`]: exact conditional variance for two
    /// motions, truncated series with `p = ⌈0.3/√h⌉` terms for more, [`LevyArea::for_step_many`](crate::noise::LevyArea::for_step_many)).
    Milstein,
}

impl NdScheme {
    /// What the scheme needs drawn per step.
    pub fn noise_needs(self) -> NoiseNeeds {
        match self {
            NdScheme::EulerMaruyama => NoiseNeeds::Increments,
            NdScheme::Milstein => NoiseNeeds::IncrementsAndAreas,
        }
    }
    /// The noise source for `sde` on `grid`.
    ///
    /// # Errors
    /// As [`NdGaussian::new`].
    pub fn source<S: crate::sde::Sde + ?Sized>(self, sde: &S, grid: &Grid) -> Result<NdGaussian> {
        NdGaussian::new(sde.noise_dim(), grid, self.noise_needs())
    }
}

/// An n-dimensional model and an [`NdScheme`], with the workspace of the step (all
/// buffers allocated once, at construction).
#[derive(Debug)]
pub struct NdStepper<'a, S: ?Sized> {
    sde: &'a S,
    ws: NdWorkspace,
}

impl<S: ?Sized> Clone for NdStepper<'_, S> {
    fn clone(&self) -> Self {
        Self {
            sde: self.sde,
            ws: self.ws.clone(),
        }
    }
}

#[derive(Debug, Clone)]
enum NdWorkspace {
    Em(crate::scheme::EmWorkspace),
    Milstein(crate::scheme::MilsteinWorkspace),
}

impl<'a, S: DiffusionJacobian + ?Sized> NdStepper<'a, S> {
    /// Pairs `sde` with `scheme`.
    pub fn new(sde: &'a S, scheme: NdScheme) -> Self {
        let ws = match scheme {
            NdScheme::EulerMaruyama => NdWorkspace::Em(crate::scheme::EmWorkspace::new(sde)),
            NdScheme::Milstein => NdWorkspace::Milstein(crate::scheme::MilsteinWorkspace::new(sde)),
        };
        Self { sde, ws }
    }
}

impl<S: DiffusionJacobian + ?Sized> Stepper for NdStepper<'_, S> {
    type State = [f64];
    type Noise = NdNoise;
    #[inline]
    fn step(&mut self, t: f64, x: &mut [f64], noise: &NdNoise) {
        // A step costs O(n m²) flops, against which these O(1) checks are negligible.
        // A state or noise of the wrong size (a source built for another model or
        // scheme) makes the state NaN, so the run ends with `StopReason::NonFinite`
        // instead of reading out of bounds.
        let (n, m) = (self.sde.dim(), self.sde.noise_dim());
        let iterated_ok = match self.ws {
            NdWorkspace::Em(_) => true,
            NdWorkspace::Milstein(_) => noise.iterated.len() == m * m,
        };
        if x.len() != n || noise.dz.len() != m || !iterated_ok {
            x.iter_mut().for_each(|v| *v = f64::NAN);
            return;
        }
        match &mut self.ws {
            NdWorkspace::Em(ws) => ws.step_unchecked(self.sde, t, x, noise.h, &noise.dz),
            NdWorkspace::Milstein(ws) => {
                ws.step_unchecked(self.sde, t, x, noise.h, &noise.dz, &noise.iterated)
            }
        }
    }
    fn is_finite(x: &[f64]) -> bool {
        x.iter().all(|v| v.is_finite())
    }
}

/// Runs one path: `source.steps()` steps of `stepper` from the state in `x` (replaced by
/// the end state), drawing the noise with `source` from `rng` and calling `monitor`
/// around every step. Returns why the path stopped.
///
/// **One of the crate's three stepping loops** (with [`run_lanes`] and [`run_stream`]). Nothing is
/// allocated per step, and nothing can fail: everything that can was validated when
/// the stepper, the source and the monitor were built. The source must fit the stepper:
/// build it with [`ScalarNoise::for_run`] (scalar models) or [`NdScheme::source`]
/// (n-dimensional ones). A scalar scheme given a [`Gaussian`](crate::noise::Gaussian)
/// source where it needs Lévy areas runs with zero areas (the commutative form); an
/// n-dimensional stepper given noise or a state of the wrong size ends the path with
/// [`StopReason::NonFinite`].
///
/// ```
/// use saddle_sde::integrate::{monitor::EndValue, run, Grid, ScalarStepper, StopReason};
/// use saddle_sde::{models::SaddleSde, noise::{path_rng, Gaussian}, scheme::EulerMaruyama};
/// let m = SaddleSde::new(1.0, 1.0, 0.5, 0.3)?;
/// let source = Gaussian::new(&Grid::new(1.0, 1e-3)?)?;
/// let mut x = 0.1;
/// let why = run(&mut ScalarStepper::new(&m, &EulerMaruyama), &source, &mut EndValue, &mut x, &mut path_rng(42, 0));
/// assert_eq!(why, StopReason::EndTime);
/// assert!(x.is_finite());
/// # Ok::<(), saddle_sde::Error>(())
/// ```
#[inline]
pub fn run<St, Src, Mon, R>(
    stepper: &mut St,
    source: &Src,
    monitor: &mut Mon,
    x: &mut St::State,
    rng: &mut R,
) -> StopReason
where
    St: Stepper<Noise = Src::Noise> + ?Sized,
    Src: NoiseSource,
    Mon: Monitor<St::State>,
    R: Rng + ?Sized,
{
    const { assert!(Src::BLOCK > 0, "a noise source's BLOCK must be at least 1") };
    let h = source.h();
    let steps = source.steps();
    let mut state = source.path_state();
    let mut noise = source.buffer();
    monitor.start(x);
    let mut n = 0;
    while n < steps {
        let block = (steps - n).min(Src::BLOCK);
        source.refill(&mut state, rng);
        for j in 0..block {
            let k = n + j;
            let t = k as f64 * h;
            source.draw(&mut state, k, j, rng, &mut noise);
            monitor.before_step(k, t, x);
            source.with_noise(&noise, |w| stepper.step(t, x, w));
            if let Some(reason) = monitor.after_step(k, t, h, x, rng) {
                return reason;
            }
        }
        n += block;
    }
    StopReason::at_end(St::is_finite(x))
}

/// Runs `L` scalar paths in lock-step: lane `l` starts from `xs[l]`, draws from
/// `rngs[l]` and is watched by `monitors[l]`. Returns each lane's stop reason.
///
/// **One of the crate's three stepping loops** (with [`run`] and [`run_stream`]). Each lane performs
/// exactly the operations [`run`] performs for one path, in the same order, so lane
/// `l` equals a lone run with `rngs[l]` **bit for bit** (a source may lay the lanes'
/// blocks of noise out across lanes, through [`NoiseSource::refill_lanes`] and
/// [`NoiseSource::draw_lane`]; each lane gets the same values). Interleaving lets the
/// processor overlap the latency of one path's step (a square root, the ziggurat's
/// table loads) with the others'. Monitors that can stop a path hand the lanes to
/// [`run_stream`] (a lane whose path has stopped takes no more steps, or idles at most to
/// the end of its block); for monitors that cannot, every lane runs to the end of the
/// grid and no per-lane mask is kept.
///
/// ```
/// use saddle_sde::integrate::{monitor::EndValue, run, run_lanes, Grid, ScalarStepper};
/// use saddle_sde::{models::SaddleSde, noise::{path_rng, Gaussian}, scheme::EulerMaruyama};
/// let m = SaddleSde::new(1.0, 1.0, 0.5, 0.3)?;
/// let src = Gaussian::new(&Grid::new(1.0, 1e-2)?)?;
/// let mut st = ScalarStepper::new(&m, &EulerMaruyama);
/// let mut xs = [0.1; 4];
/// run_lanes(&mut st, &src, &mut [EndValue; 4], &mut xs, &mut std::array::from_fn(|l| path_rng(3, l as u64)));
/// let mut x = 0.1;
/// run(&mut st, &src, &mut EndValue, &mut x, &mut path_rng(3, 2));
/// assert_eq!(xs[2].to_bits(), x.to_bits());
/// # Ok::<(), saddle_sde::Error>(())
/// ```
#[inline(always)]
pub fn run_lanes<St, Src, Mon, R, const L: usize>(
    stepper: &mut St,
    source: &Src,
    monitors: &mut [Mon; L],
    xs: &mut [f64; L],
    rngs: &mut [R; L],
) -> [StopReason; L]
where
    St: Stepper<State = f64, Noise = Src::Noise> + ?Sized,
    Src: NoiseSource,
    Mon: Monitor<f64>,
    R: Rng,
{
    const { assert!(Src::BLOCK > 0, "a noise source's BLOCK must be at least 1") };
    if Mon::CAN_STOP {
        // Paths that may stop early run as a stream through the lanes, so that a lane
        // whose path has stopped costs little.
        let x0 = *xs;
        let mut why = [StopReason::EndTime; L];
        let paths = x0
            .into_iter()
            .zip(monitors.iter_mut())
            .zip(rngs.iter_mut())
            .map(|((x, m), r)| (x, m, r));
        run_stream::<_, _, _, _, L>(stepper, source, paths, |i, x, reason| {
            xs[i] = x;
            why[i] = reason;
        });
        return why;
    }
    let h = source.h();
    let steps = source.steps();
    // (the lanes' block of normals aligned to a cache line: else its vector loads
    // straddle lines or not depending on the caller's stack depth, and W1's run took up
    // to 8 % longer at some depths; see CacheAligned)
    let mut state =
        CacheAligned::<[Src::PathState; L]>(std::array::from_fn(|_| source.path_state()));
    let state = &mut state.0;
    let mut noise: [Src::Draw; L] = std::array::from_fn(|_| source.buffer());
    for l in 0..L {
        monitors[l].start(&xs[l]);
    }
    let mut n = 0;
    while n < steps {
        let block = (steps - n).min(Src::BLOCK);
        // The source may lay the lanes' blocks out step-major (Gaussian with two noises
        // or more), so a step of all lanes reads contiguous memory; `draw_lane` reads
        // them back.
        source.refill_lanes(state, rngs);
        for j in 0..block {
            let k = n + j;
            let t = k as f64 * h;
            // Each lane draws and steps in one pass, unless the source asks for every
            // lane's draw first (NoiseSource::DRAW_LANES_FIRST, a constant: no branch per
            // step). With a cheap draw (Gaussian increments) one pass made W1's two-noise EM
            // faster, median ×1.20 in five A/B pairs (docs/performance.md); with Lévy areas
            // drawing first was faster.
            if Src::DRAW_LANES_FIRST {
                for l in 0..L {
                    source.draw_lane(state, l, k, j, &mut rngs[l], &mut noise[l]);
                }
            }
            for l in 0..L {
                if !Src::DRAW_LANES_FIRST {
                    source.draw_lane(state, l, k, j, &mut rngs[l], &mut noise[l]);
                }
                monitors[l].before_step(k, t, &xs[l]);
                source.with_noise(&noise[l], |w| stepper.step(t, &mut xs[l], w));
                let stop = monitors[l].after_step(k, t, h, &xs[l], &mut rngs[l]);
                debug_assert!(stop.is_none(), "a monitor with CAN_STOP = false stopped");
            }
        }
        n += block;
    }
    std::array::from_fn(|l| StopReason::at_end(xs[l].is_finite()))
}

/// Runs a stream of scalar paths through `L` lanes: each lane runs one path and, when
/// that path stops (its monitor stops it, or the grid ends), takes the next path of
/// `paths`. Path `i` of the stream (its start, its monitor and its generator) ends with
/// `done(i, x_end, reason)`, in the order the paths finish.
///
/// **The crate's third stepping loop** (with [`run`] and [`run_lanes`], which hands its
/// lanes to this loop when the monitor can stop). Each lane performs exactly the
/// operations [`run`] performs for one path, in the same order (a block of noise at
/// each block boundary, the draw, the monitor's calls, the step; a screening monitor's
/// quiet steps skipped, which changes nothing by its contract), with its own step
/// index, so path `i` equals a lone [`run`] with its generator **bit for bit**; which
/// lane it ran in, and what ran beside it, changes nothing. Unlike lanes in lock-step
/// over a whole grid, a lane idles at most to the end of a block while another path of
/// its group is still running: for exit problems, whose paths stop at very different
/// times, lanes in lock-step spent most of their time on paths that had already
/// stopped. When the stream runs dry, a finished lane is swapped out of the set the
/// loop visits.
///
/// **Screened lock-step.** When the source draws each step from its block alone
/// ([`NoiseSource::DRAWS_FROM_STATE`]) and the monitors screen their steps
/// ([`Monitor::SCREENS`]), the lanes first move block by
/// block, every lane starting its paths at a block boundary, while every lane holds a
/// path: each block's noise is drawn for all lanes at once
/// ([`NoiseSource::refill_lanes`]); all lanes step through the block together, in vector
/// registers and with no per-step branch, keeping each round's states; then each lane's
/// monitor is called, in order, only on the steps that start or end outside its quiet
/// range ([`Monitor::quiet`]), up to the first that stops the
/// path. A lane whose path stopped idles to the block's end (its later steps are thrown
/// away) and then takes the stream's next path. On the blog's exit problem with the
/// bridge test, 98 % of steps call no monitor, and idling costs about 3 % of the
/// lane-steps (`docs/performance.md`). When the stream runs dry the running lanes go on
/// as below, from a block boundary. The stepper, the model and the source are then
/// also evaluated where no lone run goes: on lanes whose path has ended, to the end of
/// the block (past an exit, possibly on non-finite states, and past the grid's end); those
/// results are thrown away, but a model or stepper must not panic there.
///
/// Otherwise, and for the last paths, the lanes move in **rounds** (one step of every running lane), in batches of as many
/// rounds as no running lane's block of noise ends within; a batch ends early after the
/// round in which some path stops. Between batches, a lane at the end of its block draws
/// the next block, and a lane whose path ended takes the stream's next path. So the
/// per-step loop tests no block boundary (with 16 lanes at random places in their
/// blocks of 64 steps, a batch is about four rounds; streams that start in the
/// screened lock-step start these rounds with every lane at a block boundary); measured
/// in `docs/performance.md`.
///
/// ```
/// use saddle_sde::integrate::{monitor::{Exit, ExitWindow, NoVariance}, run, run_stream, Grid, ScalarStepper, StopReason};
/// use saddle_sde::{models::SaddleSde, noise::{path_rng, Gaussian, PathRng}, scheme::EulerMaruyama};
/// let m = SaddleSde::new(1.0, 1.0, 0.5, 0.3)?;
/// let src = Gaussian::new(&Grid::new(5.0, 1e-2)?)?;
/// let w = ExitWindow { lo: -0.5, hi: 1.0, lo_is_exit: true, hi_is_exit: true,
///                      bridge_lo: f64::NEG_INFINITY, bridge_hi: f64::INFINITY };
/// let mut st = ScalarStepper::new(&m, &EulerMaruyama);
/// let mut mons = vec![Exit::<_, false>::new(w, NoVariance); 10];
/// let mut rngs: Vec<PathRng> = (0..10).map(|i| path_rng(3, i)).collect();
/// let mut ends = vec![(0.0, StopReason::EndTime); 10];
/// let paths = mons.iter_mut().zip(rngs.iter_mut()).map(|(m, r)| (0.1, m, r));
/// run_stream::<_, _, _, _, 4>(&mut st, &src, paths, |i, x, why| ends[i] = (x, why));
/// // path 7 on its own
/// let mut x = 0.1;
/// let why = run(&mut st, &src, &mut Exit::<_, false>::new(w, NoVariance), &mut x, &mut path_rng(3, 7));
/// assert_eq!((ends[7].0.to_bits(), ends[7].1), (x.to_bits(), why));
/// # Ok::<(), saddle_sde::Error>(())
/// ```
#[inline(always)]
pub fn run_stream<'p, St, Src, Mon, R, const L: usize>(
    stepper: &mut St,
    source: &Src,
    paths: impl IntoIterator<Item = (f64, &'p mut Mon, &'p mut R)>,
    mut done: impl FnMut(usize, f64, StopReason),
) where
    St: Stepper<State = f64, Noise = Src::Noise> + ?Sized,
    Src: NoiseSource,
    Mon: Monitor<f64> + 'p,
    R: Rng + 'p,
{
    let h = source.h();
    let steps = source.steps();
    const { assert!(L > 0, "run_stream needs at least one lane") };
    const { assert!(Src::BLOCK > 0, "a noise source's BLOCK must be at least 1") };
    let mut paths = paths.into_iter().enumerate().fuse();
    // Lanes 0..active hold running paths; each has its own step index `k`, its place
    // `j` in the current block and the block's length. (The states, the block of
    // normals, the band's ends and the rounds' states are aligned to cache lines, as in
    // `run_lanes`: the exit run took up to 17 % longer at some stack depths.)
    let mut xs = CacheAligned([0.0f64; L]);
    let xs = &mut xs.0;
    let mut mons: [Option<&'p mut Mon>; L] = std::array::from_fn(|_| None);
    let mut rngs: [Option<&'p mut R>; L] = std::array::from_fn(|_| None);
    let mut state =
        CacheAligned::<[Src::PathState; L]>(std::array::from_fn(|_| source.path_state()));
    let state = &mut state.0;
    let mut noise: [Src::Draw; L] = std::array::from_fn(|_| source.buffer());
    let mut ks = [0usize; L];
    let mut js = [0usize; L];
    let mut blocks = [0usize; L];
    let mut ids = [0usize; L];
    let mut active = 0;
    // Puts the next path of the stream into lane `l`; false when there is none.
    let mut take = |l: usize,
                    xs: &mut [f64; L],
                    mons: &mut [Option<&'p mut Mon>; L],
                    rngs: &mut [Option<&'p mut R>; L],
                    ids: &mut [usize; L]|
     -> bool {
        let Some((i, (x0, mon, rng))) = paths.next() else {
            return false;
        };
        mon.start(&x0);
        xs[l] = x0;
        mons[l] = Some(mon);
        rngs[l] = Some(rng);
        ids[l] = i;
        true
    };
    while active < L && take(active, xs, &mut mons, &mut rngs, &mut ids) {
        active += 1;
    }
    // Screened lock-step, while every lane holds a path (see the docs above): block by
    // block, each lane starting its paths at block boundaries.
    if Src::DRAWS_FROM_STATE && Mon::SCREENS && active == L && steps > 0 {
        let quiet = |m: &Option<&'p mut Mon>| m.as_deref().map_or((1.0, 0.0), |m| m.quiet());
        let mut lo = CacheAligned([0.0f64; L]);
        let lo = &mut lo.0;
        let mut hi = CacheAligned([0.0f64; L]);
        let hi = &mut hi.0;
        for l in 0..L {
            (lo[l], hi[l]) = quiet(&mons[l]);
        }
        // Worth it only when the first paths' ranges are not empty (results do not
        // depend on it).
        let mut go = (0..L).all(|l| lo[l] < hi[l]);
        // each lane's state after every round of a stretch (below)
        let mut hist = CacheAligned([[0.0f64; L]; SCREENED_ROUNDS]);
        let hist = &mut hist.0;
        while go {
            let mut live = [true; L];
            {
                let mut rr: [&mut R; L] = rngs.each_mut().map(|r| match r {
                    Some(r) => &mut **r,
                    None => unreachable!("every lane holds a path"),
                });
                let mm: [&mut Mon; L] = mons.each_mut().map(|m| match m {
                    Some(m) => &mut **m,
                    None => unreachable!("every lane holds a path"),
                });
                source.refill_lanes(state, &mut rr);
                // each lane's block: the source's, or what is left of its grid
                let ends: [usize; L] = std::array::from_fn(|l| (steps - ks[l]).min(Src::BLOCK));
                let mut j = 0;
                // Stretches of rounds up to the nearest end of a running lane's block
                // (at most SCREENED_ROUNDS): first every lane's steps, in vector
                // registers and with no branch; then each running lane's monitor on its
                // flagged steps, in order, up to the first that stops the path (the
                // lane's later steps are thrown away; it idles to the block's end).
                while let Some(end) = (0..L)
                    .filter(|&l| live[l] && ends[l] > j)
                    .map(|l| ends[l])
                    .min()
                {
                    // (`ends` are at most BLOCK; saying so lets the compiler drop the
                    // bounds checks of the block's reads and vectorise the lanes)
                    let seg = end.min(Src::BLOCK).min(j + SCREENED_ROUNDS);
                    let x0 = *xs;
                    // bit r: round r ended outside the quiet range
                    let mut out = [0u64; L];
                    let n = seg - j;
                    // (local copies the compiler keeps in vector registers)
                    let mut x = *xs;
                    let mut d: [Src::Draw; L] = std::array::from_fn(|_| source.buffer());
                    for (r, row) in hist[..n].iter_mut().enumerate() {
                        let j = j + r;
                        for l in 0..L {
                            let k = ks[l] + j;
                            let t = k as f64 * h;
                            source.draw_lane(state, l, k, j, &mut *rr[l], &mut d[l]);
                            source.with_noise(&d[l], |w| stepper.step(t, &mut x[l], w));
                        }
                        for l in 0..L {
                            out[l] |= u64::from(!((x[l] > lo[l]) & (x[l] < hi[l]))) << r;
                        }
                        *row = x;
                    }
                    *xs = x;
                    for l in 0..L {
                        // the steps the monitor must see: those that start or end
                        // outside the range (a step starts where the last ended)
                        let start_out = !((x0[l] > lo[l]) & (x0[l] < hi[l]));
                        let flags =
                            (out[l] | out[l] << 1 | u64::from(start_out)) & (u64::MAX >> (64 - n));
                        let mut bits = if live[l] { flags } else { 0 };
                        while bits != 0 {
                            let r = bits.trailing_zeros() as usize;
                            bits &= bits - 1;
                            let k = ks[l] + j + r;
                            let t = k as f64 * h;
                            let x = if r == 0 { x0[l] } else { hist[r - 1][l] };
                            let y = hist[r][l];
                            mm[l].before_step(k, t, &x);
                            if let Some(why) = mm[l].after_step(k, t, h, &y, &mut *rr[l]) {
                                live[l] = false;
                                done(ids[l], y, why);
                                break;
                            }
                        }
                    }
                    j = seg;
                    for l in 0..L {
                        if live[l] && ends[l] == seg && ks[l] + seg == steps {
                            live[l] = false;
                            done(ids[l], xs[l], StopReason::at_end(St::is_finite(&xs[l])));
                        }
                    }
                }
                for l in 0..L {
                    if live[l] {
                        ks[l] += ends[l];
                    }
                }
            }
            // Lanes whose path ended take the stream's next path; when it runs dry, the
            // running lanes go on below (at a block boundary: js = blocks = 0).
            for l in 0..L {
                if live[l] {
                    continue;
                }
                if take(l, xs, &mut mons, &mut rngs, &mut ids) {
                    // (no fresh path state or draw buffer: with DRAWS_FROM_STATE the next
                    // refill overwrites the state, and a draw writes its buffer whole)
                    ks[l] = 0;
                    (lo[l], hi[l]) = quiet(&mons[l]);
                } else {
                    go = false;
                    mons[l] = None;
                    rngs[l] = None;
                }
            }
        }
        // the lanes left empty go to the end
        let mut l = 0;
        while l < active {
            if mons[l].is_some() {
                l += 1;
                continue;
            }
            active -= 1;
            xs.swap(l, active);
            mons.swap(l, active);
            rngs.swap(l, active);
            ks.swap(l, active);
            ids.swap(l, active);
        }
    }
    // Why each lane's path stopped in the last batch of rounds, if it did.
    let mut stopped: [Option<StopReason>; L] = [None; L];
    while active > 0 {
        // Lanes whose path stopped, or that are at the end of a block: a new block of
        // noise, or the path's end and the stream's next path.
        let mut l = 0;
        while l < active {
            let reason = match stopped[l].take() {
                Some(why) => Some(why),
                None if js[l] == blocks[l] => {
                    if ks[l] == steps {
                        Some(StopReason::at_end(St::is_finite(&xs[l])))
                    } else {
                        let Some(rng) = rngs[l].as_deref_mut() else {
                            unreachable!("every lane below `active` holds a path");
                        };
                        blocks[l] = (steps - ks[l]).min(Src::BLOCK);
                        js[l] = 0;
                        source.refill(&mut state[l], rng);
                        None
                    }
                }
                None => None,
            };
            let Some(reason) = reason else {
                l += 1;
                continue;
            };
            done(ids[l], xs[l], reason);
            (ks[l], js[l], blocks[l]) = (0, 0, 0);
            if take(l, xs, &mut mons, &mut rngs, &mut ids) {
                // a new path starts from a new path state, as a lone run does; the lane
                // is looked at again (its first block)
                state[l] = source.path_state();
                noise[l] = source.buffer();
            } else {
                // the stream is dry: the last running lane takes this one's place and is
                // looked at in its turn
                active -= 1;
                xs.swap(l, active);
                mons.swap(l, active);
                rngs.swap(l, active);
                state.swap(l, active);
                noise.swap(l, active);
                ks.swap(l, active);
                js.swap(l, active);
                blocks.swap(l, active);
                ids.swap(l, active);
                stopped.swap(l, active);
                mons[active] = None;
                rngs[active] = None;
            }
        }
        if active == 0 {
            break;
        }
        // Rounds of one step in every lane, as many as no lane's block ends within, until
        // some path stops (the round is finished in every lane).
        let rounds = (0..active).fold(usize::MAX, |r, l| r.min(blocks[l] - js[l]));
        let mut j = 0;
        let mut any = false;
        while j < rounds && !any {
            for l in 0..active {
                let (Some(mon), Some(rng)) = (mons[l].as_deref_mut(), rngs[l].as_deref_mut())
                else {
                    unreachable!("every lane below `active` holds a path");
                };
                let k = ks[l] + j;
                let t = k as f64 * h;
                source.draw(&mut state[l], k, js[l] + j, rng, &mut noise[l]);
                mon.before_step(k, t, &xs[l]);
                source.with_noise(&noise[l], |w| stepper.step(t, &mut xs[l], w));
                if let Some(why) = mon.after_step(k, t, h, &xs[l], rng) {
                    stopped[l] = Some(why);
                    any = true;
                }
            }
            j += 1;
        }
        for l in 0..active {
            ks[l] += j;
            js[l] += j;
        }
    }
}

/// Rounds of a stretch in [`run_stream`]'s screened lock-step (the bits of a `u64`).
const SCREENED_ROUNDS: usize = 64;

/// The end of one path.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Terminal {
    /// The state at the end (non-finite if `reason` is [`StopReason::NonFinite`]).
    pub x: f64,
    /// Why the run stopped.
    pub reason: StopReason,
}

/// Runs one path of a scalar model from `x0` over `grid`, drawing the noise from `rng`,
/// and returns the terminal state: [`run`] with the Gaussian source the scheme needs
/// ([`ScalarNoise::for_run`]) and the [`EndValue`] monitor.
///
/// # Errors
/// A parameter error naming `x0` if it is not finite, or `h` if the step cannot carry
/// the noise the scheme needs (see [`ScalarNoise::for_run`]).
///
/// ```
/// use saddle_sde::{integrate::{terminal, Grid}, models::SaddleSde, scheme::EulerMaruyama};
/// let m = SaddleSde::new(1.0, 1.0, 0.5, 0.3).unwrap();
/// let mut rng = saddle_sde::noise::path_rng(42, 0);
/// let end = terminal(&m, &EulerMaruyama, 0.1, &Grid::new(1.0, 1e-3).unwrap(), &mut rng).unwrap();
/// assert!(end.x.is_finite());
/// ```
pub fn terminal<S, Sch, R, const M: usize>(
    sde: &S,
    scheme: &Sch,
    x0: f64,
    grid: &Grid,
    rng: &mut R,
) -> Result<Terminal>
where
    S: ScalarSde<M>,
    Sch: ScalarScheme<S, M>,
    R: Rng + ?Sized,
{
    finite("x0", x0)?;
    let noise = ScalarNoise::for_run(scheme, sde, grid)?;
    let mut stepper = ScalarStepper::new(sde, scheme);
    let mut x = x0;
    let reason = crate::with_source!(noise, |src| run(
        &mut stepper,
        src,
        &mut EndValue,
        &mut x,
        rng
    ));
    Ok(Terminal { x, reason })
}

/// Runs a scalar scheme over given steps (for example a coarsened
/// [`crate::noise::BrownianPath`], or your own increments) and returns the terminal
/// state: [`run`] with the [`Given`] source.
///
/// # Errors
/// As [`Given::new`] (no steps, or steps of different lengths), and a parameter error
/// naming `x0` if it is not finite.
///
/// ```
/// use saddle_sde::{integrate::terminal_on_path, models::SaddleSde, noise::StepNoise, scheme::EulerMaruyama};
/// let m = SaddleSde::new(1.0, 1.0, 0.0, 0.0)?;
/// let steps = [StepNoise::without_areas(0.5, [0.1, 0.0]), StepNoise::without_areas(0.5, [-0.2, 0.0])];
/// // x1 = 1 + 0.5 + 0.1 = 1.6,  x2 = 1.6 + 0.8 − 0.32 = 2.08
/// assert!((terminal_on_path(&m, &EulerMaruyama, 1.0, &steps)?.x - 2.08).abs() < 1e-14);
/// # Ok::<(), saddle_sde::Error>(())
/// ```
pub fn terminal_on_path<S, Sch, const M: usize>(
    sde: &S,
    scheme: &Sch,
    x0: f64,
    steps: &[StepNoise<M>],
) -> Result<Terminal>
where
    S: ScalarSde<M>,
    Sch: ScalarScheme<S, M>,
{
    finite("x0", x0)?;
    let source = Given::new(steps)?;
    let mut x = x0;
    let reason = run(
        &mut ScalarStepper::new(sde, scheme),
        &source,
        &mut EndValue,
        &mut x,
        // the given source draws nothing
        &mut crate::noise::path_rng(0, 0),
    );
    Ok(Terminal { x, reason })
}

/// Runs one path of an n-dimensional model and writes the terminal state into `x`
/// (which holds `x₀` on entry): [`run`] with [`NdStepper`] and [`NdGaussian`].
/// Buffers are allocated once per call, never per step.
///
/// # Errors
/// [`Error::Dimension`] if `x.len()` is not the model's dimension; a parameter error
/// naming `x0` if an entry is not finite; as [`NdGaussian::new`].
///
/// ```
/// use saddle_sde::{integrate::{terminal_nd, Grid, NdScheme}, models::LocalSaddle, noise::path_rng};
/// let m = LocalSaddle::with_pairwise_rho(vec![1.0, -1.0], vec![0.5, 0.5], vec![0.1, 0.1], &[0.3, -0.3]).unwrap();
/// let mut x = [0.1, 0.2];
/// terminal_nd(&m, NdScheme::Milstein, &mut x, &Grid::new(1.0, 1e-2).unwrap(), &mut path_rng(1, 0)).unwrap();
/// assert!(x.iter().all(|v| v.is_finite()));
/// ```
pub fn terminal_nd<S, R>(
    sde: &S,
    scheme: NdScheme,
    x: &mut [f64],
    grid: &Grid,
    rng: &mut R,
) -> Result<StopReason>
where
    S: DiffusionJacobian + ?Sized,
    R: Rng + ?Sized,
{
    check_nd_start(sde, x)?;
    let source = scheme.source(sde, grid)?;
    Ok(run(
        &mut NdStepper::new(sde, scheme),
        &source,
        &mut EndValue,
        x,
        rng,
    ))
}

/// Checks an n-dimensional start: its length and that every entry is finite.
pub(crate) fn check_nd_start<S: crate::sde::Sde + ?Sized>(sde: &S, x: &[f64]) -> Result<()> {
    if x.len() != sde.dim() {
        return Err(Error::Dimension {
            what: "x0",
            expected: sde.dim(),
            got: x.len(),
        });
    }
    for &v in x {
        finite("x0", v)?;
    }
    Ok(())
}
