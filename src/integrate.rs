//! The driver: draws the noise, takes the steps, decides when to stop.

use crate::error::{finite, positive, Error, Result};
use crate::noise::{LevyArea, StepNoise};
use crate::scheme::ScalarScheme;
use crate::sde::ScalarSde;
use rand::Rng;
use rand_distr::{Distribution, StandardNormal};

/// A uniform time grid on `[0, T]`.
///
/// ```
/// use saddle_sde::integrate::Grid;
/// let g = Grid::new(1.0, 1e-3).unwrap();
/// assert_eq!(g.steps(), 1000);
/// assert!(Grid::new(1.0, 0.0).is_err());
/// assert!(Grid::new(-1.0, 0.1).is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
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
    /// finite and `> 0`), or `dt` if `T/dt` exceeds 2⁴⁸ steps.
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
        let h = if steps == 0 { dt } else { t_end / steps as f64 };
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

/// Why a run stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum StopReason {
    /// The end time was reached with a finite state.
    EndTime,
    /// The state became non-finite (overflow). Non-finite values are absorbing for
    /// these schemes, so this is detected once, at the end, without a per-step branch.
    NonFinite,
}

/// The end of one path.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Terminal {
    /// The state at the end (non-finite if `reason` is [`StopReason::NonFinite`]).
    pub x: f64,
    /// Why the run stopped.
    pub reason: StopReason,
}

impl Terminal {
    /// The end of a run at state `x`: [`StopReason::NonFinite`] if `x` is not finite
    /// (non-finite values are absorbing, so one check at the end suffices).
    pub(crate) fn ended(x: f64) -> Self {
        let reason = if x.is_finite() {
            StopReason::EndTime
        } else {
            StopReason::NonFinite
        };
        Self { x, reason }
    }
}

/// Runs one path of a scalar model from `x0` over `grid`, drawing the noise from `rng`,
/// and returns the terminal state.
///
/// The Lévy areas are drawn only if the scheme needs them for this model (decided once,
/// before the loop), with [`LevyArea::for_step`]. Nothing is allocated.
///
/// # Errors
/// A parameter error naming `x0` if it is not finite.
///
/// ```
/// use rand::SeedableRng;
/// use saddle_sde::{integrate::{terminal, Grid}, models::SaddleSde, scheme::EulerMaruyama};
/// let m = SaddleSde::new(1.0, 1.0, 0.5, 0.3).unwrap();
/// let mut rng = saddle_sde::noise::path_rng(42, 0);
/// let end = terminal(&m, &EulerMaruyama, 0.1, &Grid::new(1.0, 1e-3).unwrap(), &mut rng).unwrap();
/// assert!(end.x.is_finite());
/// ```
#[inline]
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
    let x = if scheme.needs_areas(sde) {
        let areas = LevyArea::for_step(grid.h)?;
        run_with_areas(sde, scheme, x0, grid, &areas, rng)
    } else {
        run_increments_only(sde, scheme, x0, grid, rng)
    };
    Ok(Terminal::ended(x))
}

#[inline(always)]
fn run_increments_only<S, Sch, R, const M: usize>(
    sde: &S,
    scheme: &Sch,
    x0: f64,
    grid: &Grid,
    rng: &mut R,
) -> f64
where
    S: ScalarSde<M>,
    Sch: ScalarScheme<S, M>,
    R: Rng + ?Sized,
{
    let h = grid.h;
    let sq = h.sqrt();
    let mut x = x0;
    for n in 0..grid.steps {
        let mut dz = [0.0; M];
        for v in dz.iter_mut() {
            let z: f64 = StandardNormal.sample(rng);
            *v = sq * z;
        }
        // The symmetric iterated integrals follow from dz; a scheme that does not read
        // them (EM) lets the compiler drop them.
        x = scheme.step(sde, n as f64 * h, x, &StepNoise::without_areas(h, dz));
    }
    x
}

fn run_with_areas<S, Sch, R, const M: usize>(
    sde: &S,
    scheme: &Sch,
    x0: f64,
    grid: &Grid,
    areas: &LevyArea,
    rng: &mut R,
) -> f64
where
    S: ScalarSde<M>,
    Sch: ScalarScheme<S, M>,
    R: Rng + ?Sized,
{
    let h = grid.h;
    let sq = h.sqrt();
    let mut x = x0;
    for n in 0..grid.steps {
        let noise = StepNoise::<M>::sample_unchecked(rng, h, sq, Some(areas));
        x = scheme.step(sde, n as f64 * h, x, &noise);
    }
    x
}

/// Runs `L` independent paths in lock-step, path `l` drawing from `rngs[l]`, and
/// returns their terminal states.
///
/// Each lane performs exactly the operations [`terminal`] performs for one path, in
/// the same order, so lane `l` equals `terminal(…, &mut rngs[l])` **bit for bit**.
/// Interleaving lets the processor overlap the latency of one path's step (the square
/// root of the law-equivalent form, the ziggurat's table loads) with the others'.
/// Schemes that need Lévy areas fall back to one path at a time.
///
/// # Errors
/// A parameter error naming `x0` if it is not finite.
///
/// ```
/// use saddle_sde::{integrate::{terminal, terminal_lanes, Grid}, models::SaddleSde,
///                  noise::path_rng, scheme::EulerMaruyama};
/// let m = SaddleSde::new(1.0, 1.0, 0.5, 0.3).unwrap();
/// let g = Grid::new(1.0, 1e-2).unwrap();
/// let mut rngs = [path_rng(3, 0), path_rng(3, 1)];
/// let lanes = terminal_lanes(&m, &EulerMaruyama, 0.1, &g, &mut rngs).unwrap();
/// let one = terminal(&m, &EulerMaruyama, 0.1, &g, &mut path_rng(3, 1)).unwrap();
/// assert_eq!(lanes[1].x.to_bits(), one.x.to_bits());
/// ```
#[inline]
pub fn terminal_lanes<S, Sch, R, const M: usize, const L: usize>(
    sde: &S,
    scheme: &Sch,
    x0: f64,
    grid: &Grid,
    rngs: &mut [R; L],
) -> Result<[Terminal; L]>
where
    S: ScalarSde<M>,
    Sch: ScalarScheme<S, M>,
    R: Rng,
{
    finite("x0", x0)?;
    let xs = if scheme.needs_areas(sde) {
        let areas = LevyArea::for_step(grid.h)?;
        let mut xs = [x0; L];
        for (x, rng) in xs.iter_mut().zip(rngs.iter_mut()) {
            *x = run_with_areas(sde, scheme, x0, grid, &areas, rng);
        }
        xs
    } else {
        let h = grid.h;
        let sq = h.sqrt();
        let mut xs = [x0; L];
        let mut dz = [[0.0; M]; L];
        for n in 0..grid.steps {
            let t = n as f64 * h;
            for l in 0..L {
                for k in 0..M {
                    let z: f64 = StandardNormal.sample(&mut rngs[l]);
                    dz[l][k] = sq * z;
                }
            }
            for l in 0..L {
                xs[l] = scheme.step(sde, t, xs[l], &StepNoise::without_areas(h, dz[l]));
            }
        }
        xs
    };
    Ok(xs.map(Terminal::ended))
}

/// Runs `L` paths in lock-step like [`terminal_lanes`], but with **two-point
/// increments** `ΔZ_k = ±√h` (each sign with probability ½) instead of Gaussian ones:
/// the simplified weak Euler scheme (Kloeden–Platen 1992, §14.1).
///
/// The increments have the Gaussian's mean 0 and variance `h` and are independent, so
/// Euler–Maruyama keeps **weak order 1** and its moment recursions are exactly those of
/// Gaussian EM (for the saddle SDE, `E[x_n]` and `E[x_n²]` are identical). One random
/// `u64` gives 64 steps of one noise, so a step costs a fraction of a normal.
///
/// **Only for distributional questions** (moments, laws at a fixed time, long-run laws).
/// Paths are not Brownian: no strong convergence, and the Brownian-bridge exit
/// correction of [`crate::escape`] does not apply. With Milstein on a one-noise model
/// the correction term `(ΔZ² − h)/2` is identically zero, so it equals EM.
///
/// Lane `l` draws from `rngs[l]` only, so each path is fixed by its own generator.
///
/// # Errors
/// A parameter error naming `x0` if it is not finite.
///
/// ```
/// use saddle_sde::{integrate::{terminal_lanes_two_point, Grid}, models::{LawEquivalentSaddle, SaddleSde},
///                  noise::path_rng, scheme::EulerMaruyama};
/// let m = LawEquivalentSaddle::new(SaddleSde::new(1.0, 1.0, 0.5, 0.3).unwrap());
/// let mut rngs = [path_rng(1, 0), path_rng(1, 1)];
/// let ends = terminal_lanes_two_point(&m, &EulerMaruyama, 0.1, &Grid::new(1.0, 1e-2).unwrap(), &mut rngs).unwrap();
/// assert!(ends.iter().all(|e| e.x.is_finite()));
/// ```
#[inline]
pub fn terminal_lanes_two_point<S, Sch, R, const M: usize, const L: usize>(
    sde: &S,
    scheme: &Sch,
    x0: f64,
    grid: &Grid,
    rngs: &mut [R; L],
) -> Result<[Terminal; L]>
where
    S: ScalarSde<M>,
    Sch: ScalarScheme<S, M>,
    R: Rng,
{
    finite("x0", x0)?;
    let h = grid.h;
    let sq_bits = h.sqrt().to_bits();
    let mut xs = [x0; L];
    let mut n = 0;
    while n < grid.steps {
        let block = (grid.steps - n).min(64);
        let mut bits = [[0u64; M]; L];
        for l in 0..L {
            for k in 0..M {
                bits[l][k] = rngs[l].next_u64();
            }
        }
        for j in 0..block {
            let t = (n + j) as f64 * h;
            for l in 0..L {
                let mut dz = [0.0; M];
                for k in 0..M {
                    // bit j of the word is the sign: ±√h without a branch
                    dz[k] = f64::from_bits(sq_bits | ((bits[l][k] >> j) & 1) << 63);
                }
                xs[l] = scheme.step(sde, t, xs[l], &StepNoise::without_areas(h, dz));
            }
        }
        n += block;
    }
    Ok(xs.map(Terminal::ended))
}

/// Runs a scalar scheme over given steps (for example a coarsened
/// [`crate::noise::BrownianPath`]) and returns the terminal state.
pub fn terminal_on_path<S, Sch, const M: usize>(
    sde: &S,
    scheme: &Sch,
    x0: f64,
    steps: &[StepNoise<M>],
) -> f64
where
    S: ScalarSde<M>,
    Sch: ScalarScheme<S, M>,
{
    let mut x = x0;
    let mut t = 0.0;
    for s in steps {
        x = scheme.step(sde, t, x, s);
        t += s.h;
    }
    x
}

/// Runs a scalar scheme over given steps and writes the state at every grid point
/// (`steps.len() + 1` values, starting with `x0`) into `out`.
pub fn path_on_steps<S, Sch, const M: usize>(
    sde: &S,
    scheme: &Sch,
    x0: f64,
    steps: &[StepNoise<M>],
    out: &mut Vec<f64>,
) where
    S: ScalarSde<M>,
    Sch: ScalarScheme<S, M>,
{
    out.clear();
    out.push(x0);
    let mut x = x0;
    let mut t = 0.0;
    for s in steps {
        x = scheme.step(sde, t, x, s);
        t += s.h;
        out.push(x);
    }
}

#[allow(dead_code)]
fn _assert_error_is_send_sync() {
    fn is<T: Send + Sync>() {}
    is::<Error>();
}

/// The schemes available for n-dimensional models ([`crate::sde::Sde`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NdScheme {
    /// Euler–Maruyama.
    EulerMaruyama,
    /// Milstein with all iterated integrals (Lévy areas from
    /// [`LevyArea::sample_all`]: exact conditional variance for two motions, truncated
    /// series with `p = ⌈0.3/√h⌉` terms for more).
    Milstein,
}

/// Runs one path of an n-dimensional model and writes the terminal state into `x`
/// (which holds `x₀` on entry). Buffers are allocated once per call, never per step.
///
/// # Errors
/// [`Error::Dimension`] if `x.len()` is not the model's dimension; a parameter error
/// naming `x0` if an entry is not finite.
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
    S: crate::sde::DiffusionJacobian + ?Sized,
    R: Rng + ?Sized,
{
    if x.len() != sde.dim() {
        return Err(Error::Dimension {
            what: "x0",
            expected: sde.dim(),
            got: x.len(),
        });
    }
    for &v in x.iter() {
        finite("x0", v)?;
    }
    let m = sde.noise_dim();
    let h = grid.h;
    let sq = h.sqrt();
    let mut dz = vec![0.0; m];
    match scheme {
        NdScheme::EulerMaruyama => {
            let mut ws = crate::scheme::EmWorkspace::new(sde);
            for n in 0..grid.steps {
                for v in dz.iter_mut() {
                    let z: f64 = StandardNormal.sample(rng);
                    *v = sq * z;
                }
                ws.step(sde, n as f64 * h, x, h, &dz)?;
            }
        }
        NdScheme::Milstein => {
            let mut ws = crate::scheme::MilsteinWorkspace::new(sde);
            let areas = LevyArea::for_step(h)?;
            let mut area = vec![0.0; m * m];
            let mut iterated = vec![0.0; m * m];
            let mut scratch = vec![0.0; 2 * m];
            for n in 0..grid.steps {
                for v in dz.iter_mut() {
                    let z: f64 = StandardNormal.sample(rng);
                    *v = sq * z;
                }
                if m >= 2 {
                    areas.sample_all(rng, &dz, &mut scratch, &mut area)?;
                }
                for j in 0..m {
                    for k in 0..m {
                        iterated[j * m + k] = 0.5 * dz[j] * dz[k] + area[j * m + k];
                    }
                    iterated[j * m + j] -= 0.5 * h;
                }
                ws.step(sde, n as f64 * h, x, h, &dz, &iterated)?;
            }
        }
    }
    Ok(if x.iter().all(|v| v.is_finite()) {
        StopReason::EndTime
    } else {
        StopReason::NonFinite
    })
}
