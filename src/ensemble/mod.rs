//! Ensembles: many paths in parallel, summarised as they finish.
//!
//! Path `i` of seed `s` always uses [`path_rng`]`(s, i)`. Paths are grouped in fixed
//! chunks of [`CHUNK`] consecutive indices; each chunk is summarised on its own, and
//! chunk summaries are merged **in index order**. Neither the grouping nor the merge
//! order depends on the thread count, so results are the same bit for bit on any
//! rayon pool. Chunks run in batches of [`BATCH`], so memory does not grow with the
//! number of paths.
//!
//! Summaries, all mergeable and of fixed size: [`MeanVar`] (Welford/Chan),
//! [`Histogram`] (fixed bins, quantiles to one bin width), [`TerminalSummary`]
//! (moments, histogram and blow-up count under a bound), [`Snapshots`] (moments and
//! histograms at chosen times, plus the first paths in full), and the exit-time
//! distribution of [`crate::escape::ExitStats`]. Every runner takes a
//! `progress(done, total)` callback, called after each batch.

mod histogram;
mod stats;
mod summary;

pub use histogram::Histogram;
pub use stats::MeanVar;
pub use summary::{snapshots, terminal_summary, Snapshots, TerminalSummary};

use crate::error::{count, Result};
use crate::integrate::{terminal_lanes, Grid, StopReason, Terminal};
use crate::noise::{path_rng, PathRng};
use crate::scheme::ScalarScheme;
use crate::sde::ScalarSde;
use rayon::prelude::*;

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
pub fn run_ordered_chunks<A, F, P>(
    paths: u64,
    init: impl Fn() -> A + Sync,
    f: F,
    mut progress: P,
) -> A
where
    A: Send + Merge,
    F: Fn(std::ops::Range<u64>, &mut A) + Sync,
    P: FnMut(u64, u64),
{
    let chunks = paths.div_ceil(CHUNK);
    let mut total = init();
    let mut c0 = 0;
    while c0 < chunks {
        let c1 = (c0 + BATCH).min(chunks);
        let parts: Vec<A> = (c0..c1)
            .into_par_iter()
            .map(|c| {
                let mut acc = init();
                f(c * CHUNK..((c + 1) * CHUNK).min(paths), &mut acc);
                acc
            })
            .collect();
        for p in parts {
            total.merge(&p);
        }
        c0 = c1;
        progress((c1 * CHUNK).min(paths), paths);
    }
    total
}

/// An accumulator that can absorb another (merge must be deterministic).
pub trait Merge {
    /// Absorbs `other` (which summarises later paths than `self`).
    fn merge(&mut self, other: &Self);
}

/// Terminal statistics of an ensemble.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct TerminalStats {
    /// Mean and variance of the finite terminal values.
    pub moments: MeanVar,
    /// Paths whose state became non-finite (counted, never averaged in).
    pub blown_up: u64,
}

impl TerminalStats {
    /// Mean of the finite terminal values.
    pub fn mean(&self) -> f64 {
        self.moments.mean()
    }
    /// Unbiased sample variance of the finite terminal values.
    pub fn variance(&self) -> f64 {
        self.moments.variance()
    }
    /// Number of finite terminal values.
    pub fn count(&self) -> u64 {
        self.moments.count()
    }
}

impl Merge for TerminalStats {
    fn merge(&mut self, other: &Self) {
        self.moments.merge(&other.moments);
        self.blown_up += other.blown_up;
    }
}

/// Runs `paths` paths of a scalar model from `x0` over `grid` with seed `seed`, keeping
/// only the terminal mean and variance (no path storage), on the current rayon pool.
///
/// # Errors
/// A parameter error naming `paths` if it is zero, or `x0` if it is not finite.
pub fn terminal_stats<S, Sch, const M: usize>(
    sde: &S,
    scheme: &Sch,
    x0: f64,
    grid: &Grid,
    paths: u64,
    seed: u64,
) -> Result<TerminalStats>
where
    S: ScalarSde<M> + Sync,
    Sch: ScalarScheme<S, M> + Sync,
{
    terminal_stats_with_progress(sde, scheme, x0, grid, paths, seed, |_, _| {})
}

/// As [`terminal_stats`], calling `progress(done, total)` after each batch of paths.
///
/// # Errors
/// As [`terminal_stats`].
pub fn terminal_stats_with_progress<S, Sch, P, const M: usize>(
    sde: &S,
    scheme: &Sch,
    x0: f64,
    grid: &Grid,
    paths: u64,
    seed: u64,
    progress: P,
) -> Result<TerminalStats>
where
    S: ScalarSde<M> + Sync,
    Sch: ScalarScheme<S, M> + Sync,
    P: FnMut(u64, u64),
{
    // Lock-step lanes hide the latency of each path's step; each lane is bit-identical
    // to a lone path, so results do not depend on the lane width.
    terminal_stats_by(paths, x0, progress, |range, acc| {
        if M == 1 {
            lanes_into::<8>(seed, range, acc, |r| {
                terminal_lanes(sde, scheme, x0, grid, r)
            })
        } else {
            lanes_into::<4>(seed, range, acc, |r| {
                terminal_lanes(sde, scheme, x0, grid, r)
            })
        }
    })
}

/// As [`terminal_stats`], but with two-point increments `±√h`
/// ([`crate::integrate::terminal_lanes_two_point`]): weak order 1 with Euler–Maruyama,
/// the same moment recursions as Gaussian EM, at a fraction of the cost of a normal per
/// step. **For distributional questions only** (see that function's docs).
///
/// # Errors
/// As [`terminal_stats`].
///
/// ```
/// use saddle_sde::{ensemble::terminal_stats_two_point, integrate::Grid,
///                  models::{LawEquivalentSaddle, SaddleSde}, scheme::EulerMaruyama};
/// let law = LawEquivalentSaddle::new(SaddleSde::new(1.0, 1.0, 0.5, 0.3)?);
/// let s = terminal_stats_two_point(&law, &EulerMaruyama, 0.1, &Grid::new(1.0, 1e-2)?, 20_000, 1)?;
/// // EM's exact mean 0.1·1.01¹⁰⁰ = 0.2705; standard error ≈ √(1.98/20 000) ≈ 0.01
/// assert!((s.mean() - 0.1 * 1.01f64.powi(100)).abs() < 0.04);
/// # Ok::<(), saddle_sde::Error>(())
/// ```
pub fn terminal_stats_two_point<S, Sch, const M: usize>(
    sde: &S,
    scheme: &Sch,
    x0: f64,
    grid: &Grid,
    paths: u64,
    seed: u64,
) -> Result<TerminalStats>
where
    S: ScalarSde<M> + Sync,
    Sch: ScalarScheme<S, M> + Sync,
{
    terminal_stats_by(
        paths,
        x0,
        |_, _| {},
        |range, acc| {
            lanes_into::<8>(seed, range, acc, |r| {
                crate::integrate::terminal_lanes_two_point(sde, scheme, x0, grid, r)
            })
        },
    )
}

/// Validates the run and summarises chunks of paths with `chunk`, merged in order.
fn terminal_stats_by<P, F>(paths: u64, x0: f64, progress: P, chunk: F) -> Result<TerminalStats>
where
    P: FnMut(u64, u64),
    F: Fn(std::ops::Range<u64>, &mut TerminalStats) + Sync,
{
    count("paths", paths as usize)?;
    crate::error::finite("x0", x0)?;
    Ok(run_ordered_chunks(
        paths,
        TerminalStats::default,
        chunk,
        progress,
    ))
}

/// Runs the paths of `range` `L` at a time with `run` (path `i` drawing from
/// `path_rng(seed, i)`) and pushes their ends in index order. A short last group is
/// padded with paths past the range whose ends are discarded; lanes are independent,
/// so this changes no result.
fn lanes_into<const L: usize>(
    seed: u64,
    range: std::ops::Range<u64>,
    acc: &mut TerminalStats,
    run: impl Fn(&mut [PathRng; L]) -> Result<[Terminal; L]>,
) {
    let mut i = range.start;
    while i < range.end {
        let mut rngs: [PathRng; L] = std::array::from_fn(|l| path_rng(seed, i + l as u64));
        // x0 was checked by the caller, so `run` cannot fail.
        if let Ok(ends) = run(&mut rngs) {
            for e in ends.iter().take((range.end - i).min(L as u64) as usize) {
                match e.reason {
                    StopReason::EndTime => acc.moments.push(e.x),
                    _ => acc.blown_up += 1,
                }
            }
        }
        i += L as u64;
    }
}
