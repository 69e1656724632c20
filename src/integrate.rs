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
    let reason = if x.is_finite() {
        StopReason::EndTime
    } else {
        StopReason::NonFinite
    };
    Ok(Terminal { x, reason })
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
        // the symmetric iterated integrals ½(ΔZ_jΔZ_k − hδ_jk) must follow the
        // increments: Milstein reads them even when it needs no Lévy area
        let noise = StepNoise::<M>::without_areas(h, dz);
        x = scheme.step(sde, n as f64 * h, x, &noise);
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
    let mut x = x0;
    for n in 0..grid.steps {
        let noise = StepNoise::<M>::sample(rng, h, Some(areas));
        x = scheme.step(sde, n as f64 * h, x, &noise);
    }
    x
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
