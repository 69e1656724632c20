//! Richer ensemble summaries: terminal values with a blow-up bound and a histogram,
//! and snapshots of the paths at chosen times.

use super::{run_ordered, Histogram, MeanVar, Merge};
use crate::error::{count, finite, param, Result};
use crate::integrate::{terminal, Grid, StopReason};
use crate::noise::{path_rng, LevyArea, StepNoise};
use crate::scheme::ScalarScheme;
use crate::sde::ScalarSde;
use rand_distr::{Distribution, StandardNormal};

/// Whether `x` counts as blown up: non-finite or `|x| > bound`.
#[inline]
fn blown(x: f64, bound: f64) -> bool {
    x.is_nan() || x.abs() > bound
}

/// Terminal values of an ensemble: moments and an optional histogram of the values
/// that stayed finite and within the bound, and the count of the others.
#[derive(Debug, Clone, PartialEq)]
pub struct TerminalSummary {
    /// Mean and variance of the retained terminal values.
    pub moments: MeanVar,
    /// Histogram of the retained terminal values, if one was asked for.
    pub histogram: Option<Histogram>,
    /// Paths whose terminal value was non-finite or beyond the bound (never averaged).
    pub blown_up: u64,
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

/// Terminal statistics with a blow-up bound and an optional histogram (a template
/// giving range and bins; it should be empty), calling `progress(done, total)` after
/// each batch.
///
/// Path `i` is exactly the path of [`terminal_stats`](super::terminal_stats) (same
/// generator, same draws), so with `bound = ∞` the moments are the same bit for bit.
/// The bound is applied to the terminal value (non-finite values are absorbing, and a
/// path beyond the bound at the end has blown up for any purpose of the summary).
///
/// # Errors
/// Parameter errors naming `paths` (zero), `x0` (not finite) or `bound` (NaN or ≤ 0).
///
/// ```
/// use saddle_sde::ensemble::{terminal_summary, Histogram};
/// use saddle_sde::{integrate::Grid, models::SaddleSde, scheme::EulerMaruyama};
/// let m = SaddleSde::new(1.0, 1.0, 0.5, 0.3)?;
/// let grid = Grid::new(1.0, 1e-2)?;
/// let hist = Histogram::new(-3.0, 3.0, 60)?;
/// let s = terminal_summary(&m, &EulerMaruyama, 0.1, &grid, 4096, 7, 1.5, Some(hist), |_, _| {})?;
/// // paths ending beyond |x| = 1.5 are counted, not averaged
/// assert!(s.blown_up > 0);
/// assert_eq!(s.moments.count() + s.blown_up, 4096);
/// assert!(s.moments.mean().abs() < 1.5);
/// # Ok::<(), saddle_sde::Error>(())
/// ```
#[allow(clippy::too_many_arguments)]
pub fn terminal_summary<S, Sch, P, const M: usize>(
    sde: &S,
    scheme: &Sch,
    x0: f64,
    grid: &Grid,
    paths: u64,
    seed: u64,
    bound: f64,
    histogram: Option<Histogram>,
    progress: P,
) -> Result<TerminalSummary>
where
    S: ScalarSde<M> + Sync,
    Sch: ScalarScheme<S, M> + Sync,
    P: FnMut(u64, u64),
{
    count("paths", paths as usize)?;
    finite("x0", x0)?;
    if bound.is_nan() || bound <= 0.0 {
        return Err(param("bound", bound, "> 0 (may be infinite)"));
    }
    let init = TerminalSummary {
        moments: MeanVar::default(),
        histogram,
        blown_up: 0,
    };
    Ok(run_ordered(
        paths,
        || init.clone(),
        |i, acc: &mut TerminalSummary| {
            let mut rng = path_rng(seed, i);
            // x0 was checked above, so `terminal` cannot fail here
            if let Ok(end) = terminal(sde, scheme, x0, grid, &mut rng) {
                if end.reason == StopReason::EndTime && !blown(end.x, bound) {
                    acc.moments.push(end.x);
                    if let Some(h) = &mut acc.histogram {
                        h.push(end.x);
                    }
                } else {
                    acc.blown_up += 1;
                }
            }
        },
        progress,
    ))
}

/// The state of an ensemble at chosen times: streaming moments (and optional
/// histograms) at every time, plus the full record of the first `kept` paths.
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshots {
    /// The grid times actually recorded (each requested time rounded to the grid).
    pub times: Vec<f64>,
    /// Moments at each time over the paths that never blew up at a recorded time.
    pub moments: Vec<MeanVar>,
    /// Histograms at each time (same paths), if asked for.
    pub histograms: Option<Vec<Histogram>>,
    /// The values of paths `0, 1, …, kept − 1` at the recorded times, path-major
    /// (`values[p * times.len() + k]`), blown-up paths included as they are.
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

/// Records an ensemble at the grid points nearest to `times` (ascending, in
/// `[0, T]`), keeping the first `keep` paths in full. Memory is
/// `O(times · (bins + keep))`, independent of `paths`.
///
/// The noise is drawn exactly as by [`terminal`], so the value at `T` of path `i` is
/// the terminal value of [`terminal_stats`](super::terminal_stats)' path `i`.
///
/// # Errors
/// Parameter errors naming `paths`, `x0`, `bound` (NaN or ≤ 0) or `times` (empty, not
/// ascending, or outside `[0, T]`).
///
/// ```
/// use saddle_sde::ensemble::snapshots;
/// use saddle_sde::{analytic::saddle as exact, integrate::Grid, models::SaddleSde, scheme::EulerMaruyama};
/// let m = SaddleSde::new(1.0, 1.0, 0.5, 0.3)?;
/// let grid = Grid::new(1.0, 1e-2)?;
/// let s = snapshots(&m, &EulerMaruyama, 0.1, &grid, &[0.5, 1.0], 3, 8192, 1, f64::INFINITY, None, |_, _| {})?;
/// assert_eq!(s.kept.len(), 3 * 2);
/// // E[x_t] = x0 e^{at}; 8192 paths, stderr √(Var/n) ≈ 0.005 at t = 0.5
/// let var = exact::variance(&m, 0.1, 0.5);
/// assert!((s.moments[0].mean() - exact::mean(&m, 0.1, 0.5)).abs() < 4.0 * (var / 8192.0).sqrt());
/// # Ok::<(), saddle_sde::Error>(())
/// ```
#[allow(clippy::too_many_arguments)]
pub fn snapshots<S, Sch, P, const M: usize>(
    sde: &S,
    scheme: &Sch,
    x0: f64,
    grid: &Grid,
    times: &[f64],
    keep: u64,
    paths: u64,
    seed: u64,
    bound: f64,
    histogram: Option<Histogram>,
    progress: P,
) -> Result<Snapshots>
where
    S: ScalarSde<M> + Sync,
    Sch: ScalarScheme<S, M> + Sync,
    P: FnMut(u64, u64),
{
    count("paths", paths as usize)?;
    finite("x0", x0)?;
    if bound.is_nan() || bound <= 0.0 {
        return Err(param("bound", bound, "> 0 (may be infinite)"));
    }
    if times.is_empty() {
        return Err(param("times", f64::NAN, "non-empty"));
    }
    let h = grid.h();
    let mut idx = Vec::with_capacity(times.len());
    for &t in times {
        if !(t >= 0.0 && t <= grid.t_end()) {
            return Err(param("times", t, format!("in [0, {}]", grid.t_end())));
        }
        let k = ((t / h).round() as usize).min(grid.steps());
        if idx.last().is_some_and(|&p| k < p) {
            return Err(param("times", t, "ascending"));
        }
        idx.push(k);
    }
    let n_t = idx.len();
    let areas = scheme
        .needs_areas(sde)
        .then(|| LevyArea::for_step(h))
        .transpose()?;
    let init = Snapshots {
        times: idx.iter().map(|&k| k as f64 * h).collect(),
        moments: vec![MeanVar::default(); n_t],
        histograms: histogram.map(|hist| vec![hist; n_t]),
        kept: Vec::new(),
        blown_up: 0,
    };
    let last = *idx.last().unwrap_or(&0);
    let sq = h.sqrt();
    Ok(run_ordered(
        paths,
        || Snapshots {
            times: Vec::new(),
            ..init.clone()
        },
        |i, acc: &mut Snapshots| {
            let mut rng = path_rng(seed, i);
            let mut row = [0.0f64; 64];
            let mut big = Vec::new();
            let vals: &mut [f64] = if n_t <= 64 {
                &mut row[..n_t]
            } else {
                big.resize(n_t, 0.0);
                &mut big
            };
            let mut x = x0;
            let mut next = 0;
            for n in 0..=last {
                while next < n_t && idx[next] == n {
                    vals[next] = x;
                    next += 1;
                }
                if n == last {
                    break;
                }
                let noise = match &areas {
                    Some(a) => StepNoise::<M>::sample_unchecked(&mut rng, h, sq, Some(a)),
                    None => {
                        let mut dz = [0.0; M];
                        for v in dz.iter_mut() {
                            let z: f64 = StandardNormal.sample(&mut rng);
                            *v = sq * z;
                        }
                        StepNoise::without_areas(h, dz)
                    }
                };
                x = scheme.step(sde, n as f64 * h, x, &noise);
            }
            if i < keep {
                acc.kept.extend_from_slice(vals);
            }
            if vals.iter().any(|&v| blown(v, bound)) {
                acc.blown_up += 1;
                return;
            }
            for (k, &v) in vals.iter().enumerate() {
                acc.moments[k].push(v);
                if let Some(hs) = &mut acc.histograms {
                    hs[k].push(v);
                }
            }
        },
        progress,
    ))
    .map(|mut s| {
        s.times = init.times.clone();
        s
    })
}
