//! The report's two-minimum surface and (shaken) gradient descent on it as a stepper of
//! the run engine.

use crate::ensemble::{MeanVar, Merge, run_ordered};
use crate::error::Result;
use crate::integrate::monitor::Closure;
use crate::integrate::{Grid, Stepper, run};
use crate::noise::{NdGaussian, NdNoise, NoiseNeeds, path_rng};
use crate::report::{Colour, Kind, Series};

/// `f(x, y) = (x² − c²)²/(4c²) + y²/2`: minima at `(±c, 0)` (value 0, Hessian
/// `diag(2, 1)`), a saddle at the origin (value `c²/4`, Hessian `diag(−1, 1)`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct DoubleWell {
    pub c: f64,
}

impl DoubleWell {
    pub fn f(&self, x: f64, y: f64) -> f64 {
        let c2 = self.c * self.c;
        (x * x - c2).powi(2) / (4.0 * c2) + 0.5 * y * y
    }
    pub fn grad(&self, x: f64, y: f64) -> (f64, f64) {
        let c2 = self.c * self.c;
        (x * (x * x - c2) / c2, y)
    }
    pub fn formula(&self) -> String {
        let c2 = self.c * self.c;
        format!("f(x, y) = (x² − {c2})²/{} + y²/2", 4.0 * c2)
    }
    /// The level set `f = level` as closed polylines (exact: `y = ±√(2(level − g(x)))`
    /// between the roots of `g(x) = level`, cosine-spaced to resolve the vertical
    /// tangents at the ends).
    pub fn contour(&self, level: f64, k: usize) -> Vec<Vec<(f64, f64)>> {
        let c = self.c;
        let r = 2.0 * c * level.sqrt();
        let outer = (c * c + r).sqrt();
        let intervals: Vec<(f64, f64)> = if c * c - r > 0.0 {
            let inner = (c * c - r).sqrt();
            vec![(-outer, -inner), (inner, outer)]
        } else {
            vec![(-outer, outer)]
        };
        intervals
            .into_iter()
            .map(|(a, b)| {
                let xs: Vec<f64> = (0..=k)
                    .map(|i| {
                        a + (b - a)
                            * 0.5
                            * (1.0 - (std::f64::consts::PI * i as f64 / k as f64).cos())
                    })
                    .collect();
                let y = |x: f64| (2.0 * (level - self.f(x, 0.0))).max(0.0).sqrt();
                let mut loop_: Vec<(f64, f64)> = xs.iter().map(|&x| (x, y(x))).collect();
                loop_.extend(xs.iter().rev().map(|&x| (x, -y(x))));
                loop_
            })
            .collect()
    }
    /// Contour series at `levels` (grey, the first one labelled).
    pub fn contour_series(&self, levels: &[f64]) -> Vec<Series> {
        let mut out = Vec::new();
        for &l in levels {
            for poly in self.contour(l, 120) {
                out.push(Series::new(None, Kind::Line, Colour::Grey, poly));
            }
        }
        if let Some(s) = out.first_mut() {
            s.label = Some(format!(
                "contours f = {}",
                levels
                    .iter()
                    .map(|l| l.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        out
    }
}

/// One step of gradient descent on the surface translated by `s·Z`, `Z ~ N(0, I₂)`
/// (the step's increments, drawn on a grid with `h = 1`):
/// `x ← x − lr·∇f(x − s·Z)`. With `s = 0` it is plain gradient descent.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ShakenDescent {
    pub well: DoubleWell,
    pub lr: f64,
    pub s: f64,
}

impl Stepper for ShakenDescent {
    type State = [f64];
    type Noise = NdNoise;
    #[inline]
    fn step(&mut self, _: f64, x: &mut [f64], noise: &NdNoise) {
        let (gx, gy) = self
            .well
            .grad(x[0] - self.s * noise.dz[0], x[1] - self.s * noise.dz[1]);
        x[0] -= self.lr * gx;
        x[1] -= self.lr * gy;
    }
    fn is_finite(x: &[f64]) -> bool {
        x.iter().all(|v| v.is_finite())
    }
}

/// What a set of descent runs records.
#[derive(Debug, Clone, Default)]
pub(crate) struct Runs {
    /// Runs within `radius` of the saddle after step `(j + 1)·every`.
    pub near: Vec<u64>,
    /// Runs.
    pub paths: u64,
    /// End points of the first `keep` runs.
    pub ends: Vec<(f64, f64)>,
    /// Every iterate of run 0, from the start.
    pub path0: Vec<(f64, f64)>,
    /// Runs that ended non-finite.
    pub diverged: u64,
    /// Per run, the fraction of checkpoints at which it was within `radius` of the
    /// saddle: its occupation time near the saddle, as a fraction of the run.
    pub occupation: MeanVar,
    /// Runs that ended within `radius` of a minimum `(±c, 0)`.
    pub at_minimum: u64,
}

impl Merge for Runs {
    fn merge(&mut self, o: &Self) {
        if self.near.is_empty() {
            self.near = o.near.clone();
        } else {
            for (a, b) in self.near.iter_mut().zip(&o.near) {
                *a += b;
            }
        }
        self.paths += o.paths;
        self.ends.extend_from_slice(&o.ends);
        if self.path0.is_empty() {
            self.path0 = o.path0.clone();
        }
        self.diverged += o.diverged;
        self.occupation.merge(&o.occupation);
        self.at_minimum += o.at_minimum;
    }
}

/// How a descent study is run.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Plan {
    pub start: (f64, f64),
    pub steps: usize,
    pub paths: u64,
    pub every: usize,
    pub radius: f64,
    pub keep: u64,
    pub seed: u64,
}

/// Runs `plan.paths` descents through the engine (path `i` draws from
/// `path_rng(seed, i)`), merged in path order.
pub(crate) fn descend(
    step: ShakenDescent,
    plan: &Plan,
    progress: &mut dyn FnMut(f64),
) -> Result<Runs> {
    let grid = Grid::with_steps(plan.steps as f64, plan.steps)?;
    let source = NdGaussian::new(2, &grid, NoiseNeeds::Increments)?;
    let checkpoints = plan.steps / plan.every;
    let r2 = plan.radius * plan.radius;
    Ok(run_ordered(
        plan.paths,
        Runs::default,
        |i, acc: &mut Runs| {
            if acc.near.is_empty() {
                acc.near = vec![0; checkpoints];
            }
            let mut x = [plan.start.0, plan.start.1];
            let mut trace = Vec::new();
            if i == 0 {
                trace.push(plan.start);
            }
            let near = &mut acc.near;
            let mut inside = 0usize;
            let mut monitor = Closure::new(|n: usize, _t: f64, x: &[f64]| {
                if i == 0 {
                    trace.push((x[0], x[1]));
                }
                if (n + 1).is_multiple_of(plan.every) && x[0] * x[0] + x[1] * x[1] < r2 {
                    near[(n + 1) / plan.every - 1] += 1;
                    inside += 1;
                }
                false
            });
            let mut st = step;
            run(
                &mut st,
                &source,
                &mut monitor,
                &mut x[..],
                &mut path_rng(plan.seed, i),
            );
            acc.occupation.push(inside as f64 / checkpoints as f64);
            let c = step.well.c;
            if (x[0].abs() - c).hypot(x[1]) < plan.radius {
                acc.at_minimum += 1;
            }
            acc.paths += 1;
            if !(x[0].is_finite() && x[1].is_finite()) {
                acc.diverged += 1;
            }
            if i < plan.keep {
                acc.ends.push((x[0], x[1]));
            }
            if i == 0 {
                acc.path0 = trace;
            }
        },
        |d, t| progress(d as f64 / t as f64),
    ))
}
