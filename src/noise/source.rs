//! Noise sources: how one step's noise is drawn.
//!
//! A source is built and validated **once per run**, before any parallel section, from
//! the step length and what the scheme needs ([`NoiseNeeds`]); drawing a step's noise
//! can then no longer fail. The run engine ([`crate::integrate::run`],
//! [`crate::integrate::run_lanes`], [`crate::integrate::run_stream`]) asks the source for one step's noise at a time;
//! Gaussian sources draw the normals of a block of [`GAUSSIAN_BLOCK`] steps at once
//! ([`fill_standard_normals`](super::fill_standard_normals)).
//!
//! | source | what a step gets | cost per step and noise |
//! |---|---|---|
//! | [`Gaussian`] | `ΔZ_k ~ N(0, h)` (the symmetric iterated integrals follow) | one normal |
//! | [`GaussianAreas`] | `ΔZ_k` and the Lévy areas ([`LevyArea`]) | `4p + 1` normals per pair |
//! | [`TwoPoint`] | `ΔZ_k = ±√h`, each sign with probability ½ (weak order 1 only) | 1/64 of a `u64` |
//! | [`Given`] | the steps of a given path (a [`BrownianPath`](super::BrownianPath), your own increments) | a copy |
//! | [`NdGaussian`] | increments (and areas, for Milstein) for n-dimensional models | as above |
//! | [`NdSilent`] | zero increments (deterministic n-dimensional runs) | nothing |
//!
//! [`ScalarNoise::for_run`] is the one place where a scheme's declared needs
//! ([`ScalarScheme::noise_needs`]) decide between [`Gaussian`] and [`GaussianAreas`].
//!
//! Every source draws in a fixed order (a block's increments, then any area terms), so a
//! path's noise depends only on its generator.

use super::levy_area::{LevyArea, check_area_step};
use super::normal::{fill_standard_normals, standard_normal};
use super::seeding::{CacheAligned, detected_arch};
use super::simd::transpose_rows8;
use super::step::{StepNoise, check_step};
use crate::error::{Result, param};
use crate::integrate::Grid;
use crate::scheme::ScalarScheme;
use crate::sde::ScalarSde;
use rand::Rng;

/// What a scheme needs drawn for each step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum NoiseNeeds {
    /// The increments `ΔZ_k` only; the symmetric parts of the iterated integrals follow
    /// from them.
    Increments,
    /// The increments and the Lévy areas of every pair of noises.
    IncrementsAndAreas,
}

/// Draws one step's noise at a time.
///
/// A source holds the step length and whatever it needs, validated when it was built,
/// so drawing cannot fail. Per-path state (the unused bits of a two-point word, …)
/// lives in [`PathState`](Self::PathState), so one source serves every path and
/// thread. Draws come in blocks of [`BLOCK`](Self::BLOCK) steps: [`refill`](Self::refill)
/// is called at the start of each block (for lanes in lock-step, through
/// [`refill_lanes`](Self::refill_lanes), whose default calls it), so a source that draws
/// once for many steps needs no per-step branch.
pub trait NoiseSource: Sync {
    /// What is drawn for one step and kept until the step is taken (for Gaussian
    /// increments only the increments: the iterated integrals are formed when the step
    /// reads them, so a scheme that ignores them costs nothing).
    type Draw;
    /// One step's noise, as the stepper reads it.
    type Noise;
    /// Per-path state carried between draws.
    type PathState;
    /// Steps per block (see [`refill`](Self::refill)); at least 1 (the run engine
    /// refuses a source with 0 at compile time).
    const BLOCK: usize = usize::MAX;
    /// Whether paths in lock-step ([`run_lanes`](crate::integrate::run_lanes) with a
    /// monitor that cannot stop; a stopping monitor's lanes stream through
    /// [`run_stream`](crate::integrate::run_stream), which draws lane by lane, or in its
    /// screened lock-step each lane's draw just before its step) draw every
    /// lane's noise for a step before stepping any lane (`true`), or each lane draws and
    /// steps in one pass (`false`, the default). Speed only: each lane's operations and
    /// their order are the same either way. Measured in `docs/performance.md` for
    /// [`Gaussian`] (one pass faster) and blocked two-noise [`GaussianAreas`] (drawing
    /// first faster); the Lévy-area sources' other cases follow the latter unmeasured.
    const DRAW_LANES_FIRST: bool = false;
    /// Whether [`draw`](Self::draw) and [`draw_lane`](Self::draw_lane) read only the path
    /// state, `j` and the source itself (never the generator, nor what `out` held before), and
    /// [`refill`](Self::refill) and [`refill_lanes`](Self::refill_lanes) overwrite the whole
    /// state (nothing carries from one block to the next). Then a stream of paths whose
    /// monitors screen their steps ([`Monitor::SCREENS`](crate::integrate::monitor::Monitor::SCREENS))
    /// steps its lanes together, block by block ([`run_stream`](crate::integrate::run_stream)),
    /// and draws for lanes whose path has ended, to the end of their block (`n` may then
    /// reach past the grid's end). Default `false`.
    const DRAWS_FROM_STATE: bool = false;
    /// The step length `h`.
    fn h(&self) -> f64;
    /// Number of steps of the run.
    fn steps(&self) -> usize;
    /// A draw buffer (allocated once per path, never per step).
    fn buffer(&self) -> Self::Draw;
    /// The state of a new path.
    fn path_state(&self) -> Self::PathState;
    /// Called at the start of each block of [`BLOCK`](Self::BLOCK) steps (for lanes in
    /// lock-step, through [`refill_lanes`](Self::refill_lanes)). A source that
    /// draws a block at once draws a whole block even when fewer steps remain, so that a
    /// run over a prefix of a grid draws exactly what the full run draws.
    #[inline(always)]
    fn refill<R: Rng + ?Sized>(&self, _state: &mut Self::PathState, _rng: &mut R) {}
    /// Draws the noise of step `n` (the `j`-th of its block) into `out`.
    fn draw<R: Rng + ?Sized>(
        &self,
        state: &mut Self::PathState,
        n: usize,
        j: usize,
        rng: &mut R,
        out: &mut Self::Draw,
    );
    /// Calls `f` with the step's noise formed from a draw.
    fn with_noise<T>(&self, draw: &Self::Draw, f: impl FnOnce(&Self::Noise) -> T) -> T;
    /// Lanes in lock-step ([`run_lanes`](crate::integrate::run_lanes), and the screened
    /// lock-step of [`run_stream`](crate::integrate::run_stream)): called at the start of
    /// each block instead of [`refill`](Self::refill), with the states and
    /// generators of all `L` lanes. The default refills lane by lane. A source may lay
    /// the lanes' blocks out differently across `states` (step-major, so that a step
    /// of all lanes reads contiguous memory), as long as [`draw_lane`](Self::draw_lane)
    /// reads them back, each lane's values are those of its own
    /// [`refill`](Self::refill) and [`draw`](Self::draw), and each generator is left
    /// where that lane's own `refill` leaves it (monitors draw from it between blocks).
    /// States filled this way are read only through `draw_lane`, with the same `L`.
    #[inline(always)]
    fn refill_lanes<R: Rng, const L: usize>(
        &self,
        states: &mut [Self::PathState; L],
        rngs: &mut [R; L],
    ) {
        refill_each(self, states, rngs);
    }
    /// Lanes in lock-step: draws lane `l`'s noise of step `n` (the `j`-th of its block)
    /// after [`refill_lanes`](Self::refill_lanes). The default is lane `l`'s
    /// [`draw`](Self::draw).
    #[inline(always)]
    fn draw_lane<R: Rng, const L: usize>(
        &self,
        states: &mut [Self::PathState; L],
        l: usize,
        n: usize,
        j: usize,
        rng: &mut R,
        out: &mut Self::Draw,
    ) {
        self.draw(&mut states[l], n, j, rng, out);
    }
}

/// Each lane's own [`refill`](NoiseSource::refill): the default of
/// [`refill_lanes`](NoiseSource::refill_lanes), and a source's fallback when it keeps
/// the lanes' blocks lane by lane.
#[inline(always)]
fn refill_each<S: NoiseSource + ?Sized, R: Rng, const L: usize>(
    source: &S,
    states: &mut [S::PathState; L],
    rngs: &mut [R; L],
) {
    for (s, r) in states.iter_mut().zip(rngs.iter_mut()) {
        source.refill(s, r);
    }
}

/// Gaussian increments `ΔZ_k = √h·N(0, 1)` for `M` independent noises, without areas.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Gaussian<const M: usize> {
    h: f64,
    sq: f64,
    steps: usize,
}

impl<const M: usize> Gaussian<M> {
    /// The source for `grid`.
    ///
    /// # Errors
    /// A parameter error naming `h` unless the grid's step is in `[1e-300, 1e100]`.
    pub fn new(grid: &Grid) -> Result<Self> {
        let h = check_step(grid.h())?;
        Ok(Self {
            h,
            sq: h.sqrt(),
            steps: grid.steps(),
        })
    }
}

#[inline(always)]
fn increments<R: Rng + ?Sized, const M: usize>(rng: &mut R, sq: f64) -> [f64; M] {
    let mut dz = [0.0; M];
    for v in dz.iter_mut() {
        *v = sq * standard_normal(rng);
    }
    dz
}

/// Steps per block of bulk-drawn normals ([`Gaussian`], [`GaussianAreas`]).
pub const GAUSSIAN_BLOCK: usize = 64;

/// Lanes laid out at a time by [`Gaussian`]'s [`NoiseSource::refill_lanes`] (one
/// 512-bit vector of `f64`).
const LANE_GROUP: usize = 8;

/// Whether [`Gaussian`] lays `L` lanes' blocks of `M` noises out step-major (the one
/// test both [`NoiseSource::refill_lanes`] and [`NoiseSource::draw_lane`] make).
const fn step_major<const M: usize, const L: usize>() -> bool {
    M >= 2 && L >= LANE_GROUP
}

impl<const M: usize> NoiseSource for Gaussian<M> {
    type Draw = [f64; M];
    type Noise = StepNoise<M>;
    /// The block's standard normals, step by step; in lanes in lock-step with two
    /// noises or more, the lanes' states together hold all lanes' blocks step-major
    /// (see [`refill_lanes`](NoiseSource::refill_lanes)).
    type PathState = [[f64; M]; GAUSSIAN_BLOCK];
    const BLOCK: usize = GAUSSIAN_BLOCK;
    const DRAWS_FROM_STATE: bool = true;
    fn h(&self) -> f64 {
        self.h
    }
    fn steps(&self) -> usize {
        self.steps
    }
    fn buffer(&self) -> [f64; M] {
        [0.0; M]
    }
    fn path_state(&self) -> [[f64; M]; GAUSSIAN_BLOCK] {
        [[0.0; M]; GAUSSIAN_BLOCK]
    }
    /// The block's `64·M` normals in one bulk fill ([`fill_standard_normals`]); a
    /// whole block even when fewer steps remain (see [`NoiseSource::refill`]).
    #[inline(always)]
    fn refill<R: Rng + ?Sized>(&self, z: &mut [[f64; M]; GAUSSIAN_BLOCK], rng: &mut R) {
        fill_standard_normals(rng, z.as_flattened_mut());
    }
    #[inline(always)]
    fn draw<R: Rng + ?Sized>(
        &self,
        z: &mut [[f64; M]; GAUSSIAN_BLOCK],
        _: usize,
        j: usize,
        _: &mut R,
        out: &mut [f64; M],
    ) {
        let sq = self.sq;
        // (a plain loop: a generic array helper left out of line would leave the
        // caller's vector context and stop the lanes' loop from vectorising)
        for (o, &v) in out.iter_mut().zip(z[j].iter()) {
            *o = sq * v;
        }
    }
    #[inline(always)]
    fn with_noise<T>(&self, dz: &[f64; M], f: impl FnOnce(&StepNoise<M>) -> T) -> T {
        // The symmetric iterated integrals follow from dz; a scheme that does not read
        // them (EM) lets the compiler drop them.
        f(&StepNoise::without_areas(self.h, *dz))
    }
    /// With two noises or more, each lane's block drawn as
    /// [`refill`](NoiseSource::refill) draws it, then laid out step-major across the
    /// lanes' states: normal `i` of lane `l` at flat place `i·L + l`, so that a step of
    /// all lanes reads `M` runs of `L` contiguous values. Read lane by lane from
    /// separate blocks, the compiler gathered them, slow on AMD's CPUs. Lanes are laid
    /// out eight at a time by a transposition in vector registers, the last `L mod 8`
    /// one by one. With one noise, or fewer than eight lanes, lane by lane as
    /// [`refill`](NoiseSource::refill): the transposition made W1's two-noise EM faster
    /// and its one-noise law-equivalent form slower (`docs/performance.md`).
    #[inline(always)]
    fn refill_lanes<R: Rng, const L: usize>(
        &self,
        states: &mut [[[f64; M]; GAUSSIAN_BLOCK]; L],
        rngs: &mut [R; L],
    ) {
        if !step_major::<M, L>() {
            refill_each(self, states, rngs);
            return;
        }
        let arch = detected_arch();
        let mut z = CacheAligned([[[0.0; M]; GAUSSIAN_BLOCK]; LANE_GROUP]);
        let z = &mut z.0;
        let whole = L / LANE_GROUP * LANE_GROUP;
        for (g, rg) in rngs[..whole].chunks_exact_mut(LANE_GROUP).enumerate() {
            for (za, r) in z.iter_mut().zip(rg.iter_mut()) {
                fill_standard_normals(r, za.as_flattened_mut());
            }
            transpose_rows8(arch, z, states, g);
        }
        let flat = states.as_flattened_mut().as_flattened_mut();
        for (l, rng) in rngs.iter_mut().enumerate().skip(whole) {
            let z = z[0].as_flattened_mut();
            fill_standard_normals(rng, z);
            for (i, &v) in z.iter().enumerate() {
                flat[i * L + l] = v;
            }
        }
    }
    #[inline(always)]
    fn draw_lane<R: Rng, const L: usize>(
        &self,
        states: &mut [[[f64; M]; GAUSSIAN_BLOCK]; L],
        l: usize,
        n: usize,
        j: usize,
        rng: &mut R,
        out: &mut [f64; M],
    ) {
        if !step_major::<M, L>() {
            self.draw(&mut states[l], n, j, rng, out);
            return;
        }
        // step j's row of all lanes (one bounds check, the same for every lane of a
        // step, so lanes stepped together stay vectorised)
        let row = &states.as_flattened().as_flattened()[j * M * L..][..M * L];
        let sq = self.sq;
        for (m, o) in out.iter_mut().enumerate() {
            *o = sq * row[m * L + l];
        }
    }
}

/// Gaussian increments with the Lévy areas of every pair ([`LevyArea::for_step`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GaussianAreas<const M: usize> {
    h: f64,
    sq: f64,
    steps: usize,
    areas: LevyArea,
}

impl<const M: usize> GaussianAreas<M> {
    /// The source for `grid`, with [`LevyArea::for_step`].
    ///
    /// # Errors
    /// As [`LevyArea::for_step`]: a parameter error naming `h` if the step is below
    /// `1e-13` or outside `[1e-300, 1e100]`.
    pub fn new(grid: &Grid) -> Result<Self> {
        Self::with_areas(grid, LevyArea::for_step(grid.h())?)
    }
    /// The source for `grid` with a given area sampler.
    ///
    /// # Errors
    /// A parameter error naming `h` unless the sampler is for the grid's step.
    pub fn with_areas(grid: &Grid, areas: LevyArea) -> Result<Self> {
        let h = check_step(grid.h())?;
        check_area_step(h, &areas)?;
        Ok(Self {
            h,
            sq: h.sqrt(),
            steps: grid.steps(),
            areas,
        })
    }
}

/// Most normals a [`GaussianAreas`] block holds per path (32 KiB): a block of
/// [`GAUSSIAN_BLOCK`] steps is drawn at once when its increments and area normals fit,
/// otherwise each step's are drawn in one fill of their own.
pub const AREA_BLOCK_NORMALS: usize = 4096;

impl<const M: usize> GaussianAreas<M> {
    /// Normals per step for two noises: 2 increments and `4p + 1` for the area.
    fn per_step(&self) -> usize {
        2 + self.areas.normals_per_sample()
    }
    /// Whether a whole block's normals are drawn at once (two noises, small enough).
    fn blocked(&self) -> bool {
        M == 2 && self.per_step() * GAUSSIAN_BLOCK <= AREA_BLOCK_NORMALS
    }
    #[inline(always)]
    fn step_from_normals(&self, z: &[f64]) -> StepNoise<M> {
        let mut dz = [0.0; M];
        dz[0] = self.sq * z[0];
        dz[1] = self.sq * z[1];
        let a = self.areas.sample_from(&z[2..], dz[0], dz[1]);
        let mut area = [[0.0; M]; M];
        area[0][1] = a;
        area[1][0] = -a;
        StepNoise::from_areas(self.h, dz, area)
    }
}

impl<const M: usize> NoiseSource for GaussianAreas<M> {
    type Draw = StepNoise<M>;
    type Noise = StepNoise<M>;
    /// For two noises, the normals of a block of steps (or of one step when a block
    /// would exceed [`AREA_BLOCK_NORMALS`]), step by step: 2 increments, then the area's
    /// `4p + 1`.
    type PathState = Vec<f64>;
    const BLOCK: usize = GAUSSIAN_BLOCK;
    /// The area's draw is the costly part of a step: lanes in lock-step draw first.
    const DRAW_LANES_FIRST: bool = true;
    fn h(&self) -> f64 {
        self.h
    }
    fn steps(&self) -> usize {
        self.steps
    }
    fn buffer(&self) -> StepNoise<M> {
        StepNoise::without_areas(self.h, [0.0; M])
    }
    fn path_state(&self) -> Vec<f64> {
        if self.blocked() {
            vec![0.0; self.per_step() * GAUSSIAN_BLOCK]
        } else if M == 2 {
            vec![0.0; self.per_step()]
        } else {
            Vec::new()
        }
    }
    #[inline(always)]
    fn refill<R: Rng + ?Sized>(&self, z: &mut Vec<f64>, rng: &mut R) {
        if self.blocked() {
            fill_standard_normals(rng, z);
        }
    }
    #[inline(always)]
    fn draw<R: Rng + ?Sized>(
        &self,
        z: &mut Vec<f64>,
        _: usize,
        j: usize,
        rng: &mut R,
        out: &mut StepNoise<M>,
    ) {
        if self.blocked() {
            let k = self.per_step();
            *out = self.step_from_normals(&z[j * k..(j + 1) * k]);
        } else if M == 2 {
            fill_standard_normals(rng, z);
            *out = self.step_from_normals(z);
        } else {
            *out = StepNoise::sample_unchecked(rng, self.h, self.sq, Some(&self.areas));
        }
    }
    #[inline(always)]
    fn with_noise<T>(&self, noise: &StepNoise<M>, f: impl FnOnce(&StepNoise<M>) -> T) -> T {
        f(noise)
    }
}

/// Gaussian increments, and with `AREAS` the Lévy areas of every pair
/// ([`LevyArea`]), drawn **step by step** with the scalar ziggurat: no block and no
/// per-path buffer, so a path of a few steps costs only its own normals.
///
/// For many short paths, such as the coarse levels of multilevel Monte Carlo
/// ([`crate::mlmc`]), where [`Gaussian`] would fill a block of [`GAUSSIAN_BLOCK`]
/// steps for a path of one or two and [`GaussianAreas`] would allocate its block
/// buffer per path. Long runs are faster with those. The law is the same; the values
/// are not (the normals are drawn in another order).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stepwise<const M: usize, const AREAS: bool> {
    h: f64,
    sq: f64,
    steps: usize,
    areas: Option<LevyArea>,
}

impl<const M: usize> Stepwise<M, false> {
    /// Increments only, for `grid`.
    ///
    /// # Errors
    /// As [`Gaussian::new`].
    pub fn new(grid: &Grid) -> Result<Self> {
        let h = check_step(grid.h())?;
        Ok(Self {
            h,
            sq: h.sqrt(),
            steps: grid.steps(),
            areas: None,
        })
    }
}

impl<const M: usize> Stepwise<M, true> {
    /// Increments and areas from `areas`, for `grid`.
    ///
    /// # Errors
    /// As [`GaussianAreas::with_areas`].
    pub fn with_areas(grid: &Grid, areas: LevyArea) -> Result<Self> {
        let h = check_step(grid.h())?;
        check_area_step(h, &areas)?;
        Ok(Self {
            h,
            sq: h.sqrt(),
            steps: grid.steps(),
            areas: Some(areas),
        })
    }
}

impl<const M: usize, const AREAS: bool> NoiseSource for Stepwise<M, AREAS> {
    type Draw = StepNoise<M>;
    type Noise = StepNoise<M>;
    type PathState = ();
    /// With areas, their draw is the costly part of a step (as for [`GaussianAreas`]).
    const DRAW_LANES_FIRST: bool = AREAS;
    fn h(&self) -> f64 {
        self.h
    }
    fn steps(&self) -> usize {
        self.steps
    }
    fn buffer(&self) -> StepNoise<M> {
        StepNoise::without_areas(self.h, [0.0; M])
    }
    fn path_state(&self) {}
    #[inline(always)]
    fn draw<R: Rng + ?Sized>(
        &self,
        _: &mut (),
        _: usize,
        _: usize,
        rng: &mut R,
        out: &mut StepNoise<M>,
    ) {
        // AREAS is a constant: the branch is resolved at compile time
        let areas = if AREAS { self.areas.as_ref() } else { None };
        *out = StepNoise::sample_unchecked(rng, self.h, self.sq, areas);
    }
    #[inline(always)]
    fn with_noise<T>(&self, noise: &StepNoise<M>, f: impl FnOnce(&StepNoise<M>) -> T) -> T {
        f(noise)
    }
}

/// Two-point increments `ΔZ_k = ±√h`, each sign with probability ½: the simplified
/// weak Euler scheme (Kloeden–Platen 1992, §14.1).
///
/// The increments have the Gaussian's mean 0 and variance `h` and are independent, so
/// Euler–Maruyama keeps **weak order 1** and its moment recursions are exactly those of
/// Gaussian EM. One random `u64` gives 64 steps of one noise.
///
/// **Only for distributional questions** (moments, laws at a fixed time): the paths are
/// not Brownian, so there is no strong convergence, and the Brownian-bridge exit
/// correction does not apply. With Milstein on a one-noise model the correction term
/// `(ΔZ² − h)/2` is identically zero, so it equals EM.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TwoPoint<const M: usize> {
    h: f64,
    sq_bits: u64,
    steps: usize,
}

impl<const M: usize> TwoPoint<M> {
    /// The source for `grid`.
    ///
    /// # Errors
    /// A parameter error naming `h` unless the grid's step is in `[1e-300, 1e100]`.
    pub fn new(grid: &Grid) -> Result<Self> {
        let h = check_step(grid.h())?;
        Ok(Self {
            h,
            sq_bits: h.sqrt().to_bits(),
            steps: grid.steps(),
        })
    }
}

impl<const M: usize> NoiseSource for TwoPoint<M> {
    type Draw = [f64; M];
    type Noise = StepNoise<M>;
    type PathState = [u64; M];
    const BLOCK: usize = 64;
    const DRAWS_FROM_STATE: bool = true;
    fn h(&self) -> f64 {
        self.h
    }
    fn steps(&self) -> usize {
        self.steps
    }
    fn buffer(&self) -> [f64; M] {
        [0.0; M]
    }
    fn path_state(&self) -> [u64; M] {
        [0; M]
    }
    #[inline(always)]
    fn refill<R: Rng + ?Sized>(&self, bits: &mut [u64; M], rng: &mut R) {
        for b in bits.iter_mut() {
            *b = rng.next_u64();
        }
    }
    #[inline(always)]
    fn draw<R: Rng + ?Sized>(
        &self,
        bits: &mut [u64; M],
        _: usize,
        j: usize,
        _: &mut R,
        dz: &mut [f64; M],
    ) {
        for k in 0..M {
            // bit j of the word is the sign: ±√h without a branch
            dz[k] = f64::from_bits(self.sq_bits | ((bits[k] >> j) & 1) << 63);
        }
    }
    #[inline(always)]
    fn with_noise<T>(&self, dz: &[f64; M], f: impl FnOnce(&StepNoise<M>) -> T) -> T {
        f(&StepNoise::without_areas(self.h, *dz))
    }
}

/// The steps of a given path: for the strong-order harness (one fine
/// [`BrownianPath`](super::BrownianPath) run at several step sizes) and for users who
/// bring their own increments. Draws nothing from the generator.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Given<'a, const M: usize> {
    steps: &'a [StepNoise<M>],
    h: f64,
}

impl<'a, const M: usize> Given<'a, M> {
    /// The source over `steps`, which must all have the same length `h`.
    ///
    /// # Errors
    /// A parameter error naming `steps` if there are none, or `h` if the first step is
    /// outside `[1e-300, 1e100]` or another step differs from it by more than `1e-12`
    /// relative.
    pub fn new(steps: &'a [StepNoise<M>]) -> Result<Self> {
        let Some(first) = steps.first() else {
            return Err(param("steps", 0.0, ">= 1 step"));
        };
        let h = check_step(first.h)?;
        if let Some(s) = steps
            .iter()
            .find(|s| s.h.is_nan() || (s.h - h).abs() > 1e-12 * h)
        {
            return Err(param(
                "h",
                s.h,
                format!("equal to the first step's h = {h}"),
            ));
        }
        Ok(Self { steps, h })
    }
    /// The grid the steps cover: `steps.len()` steps of length `h`.
    pub fn grid(&self) -> Grid {
        Grid::uniform(self.steps.len(), self.h)
    }
}

impl<const M: usize> NoiseSource for Given<'_, M> {
    type Draw = StepNoise<M>;
    type Noise = StepNoise<M>;
    type PathState = ();
    fn h(&self) -> f64 {
        self.h
    }
    fn steps(&self) -> usize {
        self.steps.len()
    }
    fn buffer(&self) -> StepNoise<M> {
        StepNoise::without_areas(self.h, [0.0; M])
    }
    fn path_state(&self) {}
    #[inline(always)]
    fn draw<R: Rng + ?Sized>(
        &self,
        _: &mut (),
        n: usize,
        _: usize,
        _: &mut R,
        out: &mut StepNoise<M>,
    ) {
        *out = self.steps[n];
    }
    #[inline(always)]
    fn with_noise<T>(&self, noise: &StepNoise<M>, f: impl FnOnce(&StepNoise<M>) -> T) -> T {
        f(noise)
    }
}

/// The Gaussian source a scalar scheme needs for a model: [`Gaussian`] or
/// [`GaussianAreas`], decided from [`ScalarScheme::noise_needs`].
///
/// The run engine is generic over the source, so a run dispatches on this enum once,
/// outside the stepping loop ([`with_source!`](crate::with_source)).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ScalarNoise<const M: usize> {
    /// Increments only.
    Gaussian(Gaussian<M>),
    /// Increments and Lévy areas.
    WithAreas(GaussianAreas<M>),
}

impl<const M: usize> ScalarNoise<M> {
    /// The source `scheme` needs for `sde` on `grid`: **the one place** where a scheme's
    /// declared needs pick the noise.
    ///
    /// # Errors
    /// As [`Gaussian::new`] or [`GaussianAreas::new`] (a step below `1e-13` cannot
    /// carry Lévy areas).
    ///
    /// ```
    /// use saddle_sde::{integrate::Grid, models::SaddleSde, noise::ScalarNoise, scheme::{EulerMaruyama, Milstein}};
    /// let m = SaddleSde::new(1.0, 1.0, 0.5, 0.3)?;
    /// let g = Grid::new(1.0, 1e-3)?;
    /// assert!(matches!(ScalarNoise::for_run(&EulerMaruyama, &m, &g)?, ScalarNoise::Gaussian(_)));
    /// assert!(matches!(ScalarNoise::for_run(&Milstein, &m, &g)?, ScalarNoise::WithAreas(_)));
    /// assert!(ScalarNoise::for_run(&Milstein, &m, &Grid::new(1e-14, 1e-14)?).is_err());
    /// # Ok::<(), saddle_sde::Error>(())
    /// ```
    pub fn for_run<S, Sch>(scheme: &Sch, sde: &S, grid: &Grid) -> Result<Self>
    where
        S: ScalarSde<M>,
        Sch: ScalarScheme<S, M>,
    {
        Self::for_run_with_terms(scheme, sde, grid, None)
    }

    /// As [`for_run`](Self::for_run), with `terms` Fourier terms in the Lévy-area
    /// sampler when the scheme needs areas ([`LevyArea::with_terms`]; `None`:
    /// [`LevyArea::for_step`]). Fewer terms are cheaper and less accurate.
    ///
    /// # Errors
    /// As [`for_run`](Self::for_run), and a parameter error naming `terms` if
    /// `terms = Some(0)` (checked whether or not areas are needed).
    pub fn for_run_with_terms<S, Sch>(
        scheme: &Sch,
        sde: &S,
        grid: &Grid,
        terms: Option<usize>,
    ) -> Result<Self>
    where
        S: ScalarSde<M>,
        Sch: ScalarScheme<S, M>,
    {
        if let Some(p) = terms {
            crate::error::count("terms", p)?;
        }
        if Self::wants_areas(scheme, sde) {
            Ok(Self::WithAreas(match terms {
                Some(p) => GaussianAreas::with_areas(grid, LevyArea::with_terms(p, grid.h())?)?,
                None => GaussianAreas::new(grid)?,
            }))
        } else {
            Ok(Self::Gaussian(Gaussian::new(grid)?))
        }
    }

    /// Whether `scheme` needs Lévy areas for `sde` (with one noise there are none).
    pub(crate) fn wants_areas<S, Sch>(scheme: &Sch, sde: &S) -> bool
    where
        S: ScalarSde<M>,
        Sch: ScalarScheme<S, M>,
    {
        M >= 2 && scheme.noise_needs(sde) == NoiseNeeds::IncrementsAndAreas
    }
}

/// Runs `$body` with `$s` bound to the concrete source inside a [`ScalarNoise`], so
/// that the stepping loop is monomorphised for it (no per-step dispatch).
#[macro_export]
macro_rules! with_source {
    ($noise:expr, |$s:ident| $body:expr) => {
        match $noise {
            $crate::noise::ScalarNoise::Gaussian(ref $s) => $body,
            $crate::noise::ScalarNoise::WithAreas(ref $s) => $body,
        }
    };
}

/// One step's noise for an n-dimensional model with `m` noises: increments and, for
/// Milstein, the iterated integrals (row-major `m × m`).
#[derive(Debug, Clone, PartialEq)]
pub struct NdNoise {
    /// Step length `h`.
    pub h: f64,
    /// Increments `ΔZ_k`.
    pub dz: Vec<f64>,
    /// Iterated integrals, `iterated[j*m + k] = I_(j,k)` (empty when not needed).
    pub iterated: Vec<f64>,
    area: Vec<f64>,
    scratch: Vec<f64>,
}

/// Gaussian noise for n-dimensional models with `m` independent noises: increments
/// only, or with all Lévy areas ([`LevyArea::sample_all`]) and iterated integrals.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NdGaussian {
    m: usize,
    h: f64,
    sq: f64,
    steps: usize,
    areas: Option<LevyArea>,
}

impl NdGaussian {
    /// The source for `m ≥ 1` noises on `grid`, with Lévy areas and iterated integrals
    /// when `needs` asks for them.
    ///
    /// # Errors
    /// A parameter error naming `noises` if `m = 0`; as [`Gaussian::new`] or
    /// [`LevyArea::for_step`] (`m ≤ 2`) / [`LevyArea::for_step_many`] (`m > 2`).
    pub fn new(m: usize, grid: &Grid, needs: NoiseNeeds) -> Result<Self> {
        crate::error::count("noises", m)?;
        let h = check_step(grid.h())?;
        let areas = match needs {
            // two motions: the tail makes the Mrongowius–Rößler bound hold; more: no tail
            NoiseNeeds::IncrementsAndAreas if m <= 2 => Some(LevyArea::for_step(h)?),
            NoiseNeeds::IncrementsAndAreas => Some(LevyArea::for_step_many(h)?),
            NoiseNeeds::Increments => None,
        };
        Ok(Self {
            m,
            h,
            sq: h.sqrt(),
            steps: grid.steps(),
            areas,
        })
    }
    /// Number of noises `m`.
    pub fn noise_dim(&self) -> usize {
        self.m
    }
    /// Whether iterated integrals are drawn.
    pub fn has_iterated(&self) -> bool {
        self.areas.is_some()
    }
}

impl NoiseSource for NdGaussian {
    type Draw = NdNoise;
    type Noise = NdNoise;
    type PathState = ();
    fn h(&self) -> f64 {
        self.h
    }
    fn steps(&self) -> usize {
        self.steps
    }
    fn buffer(&self) -> NdNoise {
        let m = self.m;
        let it = if self.areas.is_some() { m * m } else { 0 };
        NdNoise {
            h: self.h,
            dz: vec![0.0; m],
            iterated: vec![0.0; it],
            area: vec![0.0; it],
            scratch: vec![0.0; if it > 0 { 2 * m } else { 0 }],
        }
    }
    fn path_state(&self) {}
    #[inline]
    fn draw<R: Rng + ?Sized>(
        &self,
        _: &mut (),
        _: usize,
        _: usize,
        rng: &mut R,
        out: &mut NdNoise,
    ) {
        for v in out.dz.iter_mut() {
            *v = self.sq * standard_normal(rng);
        }
        if let Some(areas) = &self.areas {
            let m = self.m;
            if m >= 2 {
                // lengths were fixed by `buffer`, so this cannot fail
                let filled = areas.sample_all(rng, &out.dz, &mut out.scratch, &mut out.area);
                debug_assert!(filled.is_ok());
            }
            for j in 0..m {
                for k in 0..m {
                    out.iterated[j * m + k] = 0.5 * out.dz[j] * out.dz[k] + out.area[j * m + k];
                }
                out.iterated[j * m + j] -= 0.5 * self.h;
            }
        }
    }
    #[inline(always)]
    fn with_noise<T>(&self, noise: &NdNoise, f: impl FnOnce(&NdNoise) -> T) -> T {
        f(noise)
    }
}

/// No noise: `m` zero increments per step, and nothing drawn. The source of
/// deterministic runs of n-dimensional steppers (gradient descent without gradient
/// noise) through the engine: the generator is never touched.
///
/// ```
/// use saddle_sde::integrate::Grid;
/// use saddle_sde::noise::{NdSilent, NoiseSource};
/// let s = NdSilent::new(2, &Grid::new(3.0, 1.0)?)?;
/// assert_eq!((s.steps(), s.h()), (3, 1.0));
/// assert_eq!(s.buffer().dz, vec![0.0, 0.0]);
/// # Ok::<(), saddle_sde::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NdSilent {
    m: usize,
    h: f64,
    steps: usize,
}

impl NdSilent {
    /// The silent source of `m ≥ 1` noises on `grid`.
    ///
    /// # Errors
    /// A parameter error naming `noises` if `m = 0`; as [`Gaussian::new`].
    pub fn new(m: usize, grid: &Grid) -> Result<Self> {
        crate::error::count("noises", m)?;
        let h = check_step(grid.h())?;
        Ok(Self {
            m,
            h,
            steps: grid.steps(),
        })
    }
}

impl NoiseSource for NdSilent {
    type Draw = NdNoise;
    type Noise = NdNoise;
    type PathState = ();
    fn h(&self) -> f64 {
        self.h
    }
    fn steps(&self) -> usize {
        self.steps
    }
    fn buffer(&self) -> NdNoise {
        NdNoise {
            h: self.h,
            dz: vec![0.0; self.m],
            iterated: Vec::new(),
            area: Vec::new(),
            scratch: Vec::new(),
        }
    }
    fn path_state(&self) {}
    #[inline(always)]
    fn draw<R: Rng + ?Sized>(&self, _: &mut (), _: usize, _: usize, _: &mut R, _: &mut NdNoise) {}
    #[inline(always)]
    fn with_noise<T>(&self, noise: &NdNoise, f: impl FnOnce(&NdNoise) -> T) -> T {
        f(noise)
    }
}

impl<const M: usize> StepNoise<M> {
    /// Draws independent increments `ΔZ_k ~ N(0, h)` and, when `areas` is given, the
    /// Lévy areas (for `M = 2` with [`LevyArea::sample`]; `M > 2` shares the series
    /// terms across pairs). Allocates nothing.
    ///
    /// # Errors
    /// A parameter error naming `h` unless it is in `[1e-300, 1e100]` (where `√h`, `ΔZ²`
    /// and `√(2/h)` are finite) and, when `areas` is given, equal to the sampler's
    /// [`LevyArea::step`] (to 1e-12 relative).
    pub fn sample<R: Rng + ?Sized>(rng: &mut R, h: f64, areas: Option<&LevyArea>) -> Result<Self> {
        check_step(h)?;
        if let Some(a) = areas {
            check_area_step(h, a)?;
        }
        Ok(Self::sample_unchecked(rng, h, h.sqrt(), areas))
    }

    /// [`sample`](Self::sample) for callers that validated `h` once and pass
    /// `sq = √h`: no per-step checks and no per-step square root.
    #[inline(always)]
    pub(crate) fn sample_unchecked<R: Rng + ?Sized>(
        rng: &mut R,
        h: f64,
        sq: f64,
        areas: Option<&LevyArea>,
    ) -> Self {
        let dz = increments(rng, sq);
        let area = match areas {
            Some(sampler) if M >= 2 => sampler.sample_matrix(rng, &dz),
            _ => [[0.0; M]; M],
        };
        Self::from_areas(h, dz, area)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::noise::{PathRng, path_rng};

    /// `Gaussian`'s `refill_lanes` and `draw_lane` give every lane, at every step of a
    /// block, the bits its own `refill` and `draw` give, and leave each generator where
    /// its own `refill` leaves it: one to three noises; 1, 3, 8, 12, 16 and 17 lanes
    /// (lane by lane, whole groups of eight, and groups with a remainder); three blocks
    /// in a row.
    #[test]
    fn lanes_layout_gives_each_lane_its_own_draws() {
        fn check<const M: usize, const L: usize>() {
            let src = Gaussian::<M>::new(&Grid::new(1.0, 1e-3).unwrap()).unwrap();
            let mut states: [[[f64; M]; GAUSSIAN_BLOCK]; L] =
                std::array::from_fn(|_| src.path_state());
            let mut rngs: [PathRng; L] = std::array::from_fn(|l| path_rng(5, l as u64));
            let mut lone_states: [[[f64; M]; GAUSSIAN_BLOCK]; L] =
                std::array::from_fn(|_| src.path_state());
            let mut lone_rngs = rngs.clone();
            for block in 0..3 {
                src.refill_lanes(&mut states, &mut rngs);
                for (s, r) in lone_states.iter_mut().zip(lone_rngs.iter_mut()) {
                    src.refill(s, r);
                }
                assert_eq!(rngs, lone_rngs, "M {M}, L {L}, block {block}: generators");
                for j in 0..GAUSSIAN_BLOCK {
                    let n = block * GAUSSIAN_BLOCK + j;
                    for l in 0..L {
                        let (mut a, mut b) = ([0.0; M], [0.0; M]);
                        src.draw_lane(&mut states, l, n, j, &mut rngs[l], &mut a);
                        src.draw(&mut lone_states[l], n, j, &mut lone_rngs[l], &mut b);
                        assert_eq!(
                            a.map(f64::to_bits),
                            b.map(f64::to_bits),
                            "M {M}, L {L}, block {block}, step {j}, lane {l}"
                        );
                    }
                }
            }
        }
        check::<1, 1>();
        check::<1, 16>();
        check::<2, 1>();
        check::<2, 3>();
        check::<2, 8>();
        check::<2, 12>();
        check::<2, 16>();
        check::<2, 17>();
        check::<3, 8>();
        check::<3, 17>();
    }
}
