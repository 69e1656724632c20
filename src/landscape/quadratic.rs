//! Optimisers on a quadratic saddle `f(x) = ½ xᵀHx`: gradient descent, heavy-ball
//! momentum, Nesterov, Newton and saddle-free Newton, deterministic or with Gaussian
//! gradient noise, each a stepper of the run engine.
//!
//! # The maps
//! With `H = QΛQᵀ` (eigenvalues `λ_i`, orthonormal eigenvectors `q_i`), the gradient is
//! `∇f = Hx`, and a step with learning rate `η` and gradient noise of size `s` reads
//! (`ξ_n ~ N(0, I)` independent)
//!
//! ```text
//! g_n = H y_n + s ξ_n                                     (y_n = x_n, or x_n + β v_n for Nesterov)
//! gradient descent       x_{n+1} = x_n − η g_n
//! Newton, damping μ      x_{n+1} = x_n − η (H + μI)⁻¹ g_n
//! saddle-free Newton     x_{n+1} = x_n − η (|H| + μI)⁻¹ g_n      |H| = Q|Λ|Qᵀ
//! heavy ball, Nesterov   v_{n+1} = β v_n − η g_n,   x_{n+1} = x_n + v_{n+1}
//! ```
//!
//! Every map is linear and commutes with `H`, so in the coordinates `c_i = q_iᵀx` the
//! directions decouple. Without noise, a first-order method multiplies `c_i` by
//! `m_i = 1 − η p(λ_i) λ_i` per step, with the preconditioner's eigenvalue
//! `p(λ) = 1` (GD), `1/(λ + μ)` (Newton), `1/(|λ| + μ)` (saddle-free Newton):
//!
//! | method | stable `λ > 0` | unstable `λ < 0` |
//! |---|---|---|
//! | GD | `1 − ηλ` | `1 + η|λ|`: slow when `|λ|` is small |
//! | Newton (`μ = 0`) | `1 − η` | `1 − η`: **the saddle attracts** (the change is `Δc = −ηc`, towards it) |
//! | damped Newton | `1 − ηλ/(λ + μ)` | `1 + η|λ|/(μ − |λ|)` for `|λ| < μ` (escapes); `1 − η|λ|/(|λ| − μ)` for `|λ| > μ`: escapes by oscillation up to `|λ| = 2μ/(2 − η)`, attracted beyond |
//! | saddle-free Newton | `1 − ηλ/(λ + μ)` | `1 + η|λ|/(|λ| + μ)`: `1 + η` for `μ = 0`, **independent of `|λ|`** |
//!
//! Heavy ball obeys `c_{n+1} = (1 + β − ηλ) c_n − β c_{n−1}` and Nesterov
//! `c_{n+1} = (1 − ηλ)((1 + β) c_n − β c_{n−1})`; the growth factor of a direction is
//! the largest modulus of the roots of `r² − (1 + β − ηλ) r + β` and
//! `r² − (1 + β)(1 − ηλ) r + β(1 − ηλ)` ([`Optimiser::growth_factors`]). For
//! `η|λ| ≪ (1 − β)²` both give `1 + η|λ|/(1 − β)` in an unstable direction: momentum is
//! gradient descent at the learning rate `η/(1 − β)`.
//!
//! A deterministic start a distance `ε` from the saddle along an unstable direction with
//! factor `m > 1` reaches radius `R` after `⌈ln(R/ε)/ln m⌉` steps, so gradient descent
//! needs `ln(R/ε)/ln(1 + η|λ|) ≈ ln(R/ε)/(η|λ|)` steps: the time spent near the saddle
//! grows like `1/|λ|` (seed 002) and like `ln(1/ε)` (seed 003). A start with `c_i = 0`
//! in every direction with `m_i > 1` stays there: the stable manifold, a set of measure
//! zero.
//!
//! # With gradient noise
//! Per direction, `c_{n+1} = m c_n − η p(λ) s ξ`: for small `η` this is the
//! Euler–Maruyama step, in time `t = nη`, of `dc = −p(λ)λ c dt + √η s p(λ) dU`: the
//! d-dimensional local saddle of [`crate::models::LocalSaddle`] with `a_i = −p(λ_i)λ_i`,
//! `σ_i = 0`, `τ_i = √η s p(λ_i)` ([`Optimiser::diffusion_limit`]; for momentum with
//! `η/(1 − β)` in place of `η`). The noise pushes the path off the stable manifold, so
//! noisy gradient descent escapes from any start. A direction whose factor
//! `m = 1 − ηp(λ)λ` has `|m| < 1` stays attracted and fluctuates around the saddle with
//! stationary variance `η² s² p(λ)² / (1 − m²)`: for undamped Newton (`m = 1 − η`,
//! `0 < η < 2`) that is every direction, so noisy Newton stays at the saddle.
//!
//! # Runs
//! [`Optimiser::escape`] runs many starts through the run engine
//! ([`crate::integrate::run`], [`crate::ensemble::run_ordered`], path `i` drawing from
//! [`path_rng`]`(seed, i)`: random starts first, then the
//! gradient noise), watched by a [`Ball`] monitor; [`Optimiser::path`] records one
//! path's iterates. Both are the same bit for bit for any thread count. The stepper is
//! compiled once per kind of update (GD, preconditioned, heavy ball, Nesterov), so no
//! step dispatches on the method.

use crate::ensemble::{CHUNK, MeanVar, Merge, Partial, run_ordered_part};
use crate::error::{Error, Result, count, finite, non_negative, param, positive};
use crate::escape::Estimate;
use crate::integrate::monitor::{Ball, Closure};
use crate::integrate::{Grid, Side, Stepper, StopReason, run};
use crate::models::LocalSaddle;
use crate::noise::{NdGaussian, NdNoise, NdSilent, NoiseNeeds, path_rng, uniform_direction};
use crate::uncertainty::Proportion;
use nalgebra::DMatrix;
use std::ops::ControlFlow;

/// The most steps [`Optimiser::path`] takes: it keeps every iterate, each a vector of
/// `d` coordinates (at least 8·d + 24 bytes: 10⁷ of them are 0.3 GB at d = 1, more in
/// higher dimensions).
pub const MAX_PATH_STEPS: usize = 10_000_000;

/// A quadratic `f(x) = ½ xᵀHx` with a symmetric Hessian `H`, kept with its
/// eigen-decomposition (eigenvalues ascending).
///
/// ```
/// use saddle_sde::landscape::Quadratic;
/// let q = Quadratic::x1_squared_minus_x2_squared();
/// assert_eq!(q.index(), 1);
/// assert_eq!(q.eigenvalues(), &[-2.0, 2.0]);
/// assert_eq!(q.value(&[1.0, 1.0])?, 0.0);
/// # Ok::<(), saddle_sde::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Quadratic {
    hessian: DMatrix<f64>,
    values: Vec<f64>,
    vectors: DMatrix<f64>,
}

impl Quadratic {
    /// The quadratic with Hessian `hessian`.
    ///
    /// # Errors
    /// [`Error::Dimension`] if it is empty or not square; a parameter error naming
    /// `hessian` for a non-finite entry or an asymmetry `|H_ij − H_ji|` above
    /// `1e-12·max|H|`.
    pub fn new(hessian: DMatrix<f64>) -> Result<Self> {
        let d = hessian.nrows();
        count("d (rows of the hessian)", d)?;
        if hessian.ncols() != d {
            return Err(Error::Dimension {
                what: "hessian (columns)",
                expected: d,
                got: hessian.ncols(),
            });
        }
        if let Some(v) = hessian.iter().find(|v| !v.is_finite()) {
            return Err(param("hessian", *v, "finite entries"));
        }
        let scale = hessian.amax();
        let asym = (&hessian - hessian.transpose()).amax();
        if asym > 1e-12 * scale {
            return Err(param(
                "hessian",
                asym,
                "a symmetric matrix (the value is max |H_ij − H_ji|)",
            ));
        }
        let sym = (&hessian + hessian.transpose()) * 0.5;
        let eig = sym.clone().symmetric_eigen();
        let mut order: Vec<usize> = (0..d).collect();
        order.sort_by(|&i, &j| eig.eigenvalues[i].total_cmp(&eig.eigenvalues[j]));
        let values = order.iter().map(|&i| eig.eigenvalues[i]).collect();
        let vectors = DMatrix::from_fn(d, d, |r, c| eig.eigenvectors[(r, order[c])]);
        Ok(Self {
            hessian: sym,
            values,
            vectors,
        })
    }

    /// The diagonal Hessian `diag(λ_1, …, λ_d)`: the coordinates are the eigenvectors.
    ///
    /// # Errors
    /// As [`Quadratic::new`].
    pub fn diagonal(eigenvalues: &[f64]) -> Result<Self> {
        count("d (number of eigenvalues)", eigenvalues.len())?;
        Self::new(DMatrix::from_diagonal(
            &nalgebra::DVector::from_column_slice(eigenvalues),
        ))
    }

    /// `H = Q diag(λ) Qᵀ` with `Q` a Haar-random rotation drawn from
    /// [`path_rng`]`(seed, 2⁶⁴ − 1)`, a stream no run uses for a path (so that path 0 of
    /// a run with the same seed does not start along the first column of `Q`): the same
    /// spectrum in general position.
    ///
    /// # Errors
    /// As [`Quadratic::new`].
    pub fn rotated(eigenvalues: &[f64], seed: u64) -> Result<Self> {
        let d = count("d (number of eigenvalues)", eigenvalues.len())?;
        for &l in eigenvalues {
            finite("eigenvalues", l)?;
        }
        let q = crate::noise::haar_orthogonal(&mut path_rng(seed, u64::MAX), d);
        let l = DMatrix::from_diagonal(&nalgebra::DVector::from_column_slice(eigenvalues));
        let h = &q * l * q.transpose();
        Self::new((&h + h.transpose()) * 0.5)
    }

    /// `f(x₁, x₂) = x₁² − x₂²`, the saddle of the lecture slides (seed 003):
    /// `H = diag(2, −2)`, stable axis `x₁`, unstable axis `x₂`.
    pub fn x1_squared_minus_x2_squared() -> Self {
        match Self::diagonal(&[2.0, -2.0]) {
            Ok(q) => q,
            Err(_) => unreachable!("a finite diagonal matrix is a valid Hessian"),
        }
    }

    /// The dimension `d`.
    pub fn dim(&self) -> usize {
        self.values.len()
    }
    /// The index: the number of negative eigenvalues.
    pub fn index(&self) -> usize {
        self.values.iter().filter(|&&l| l < 0.0).count()
    }
    /// The eigenvalues, ascending.
    pub fn eigenvalues(&self) -> &[f64] {
        &self.values
    }
    /// The eigenvectors, as the columns of `Q` in the order of
    /// [`eigenvalues`](Self::eigenvalues).
    pub fn eigenvectors(&self) -> &DMatrix<f64> {
        &self.vectors
    }
    /// The Hessian `H`.
    pub fn hessian(&self) -> &DMatrix<f64> {
        &self.hessian
    }
    /// `f(x) = ½ xᵀHx` for the first `d` entries of `x` (extra entries, such as an
    /// optimiser's velocity, are ignored).
    ///
    /// # Errors
    /// [`Error::Dimension`] if `x` has fewer than `d` entries.
    pub fn value(&self, x: &[f64]) -> Result<f64> {
        let d = self.check_len(x)?;
        let mut f = 0.0;
        for j in 0..d {
            for i in 0..d {
                f += x[i] * self.hessian[(i, j)] * x[j];
            }
        }
        Ok(0.5 * f)
    }
    /// The first `d` entries of `x` in the eigen-coordinates, `c = Qᵀx`.
    ///
    /// # Errors
    /// [`Error::Dimension`] if `x` has fewer than `d` entries.
    pub fn eigen_coordinates(&self, x: &[f64]) -> Result<Vec<f64>> {
        let d = self.check_len(x)?;
        Ok((0..d)
            .map(|c| (0..d).map(|r| self.vectors[(r, c)] * x[r]).sum())
            .collect())
    }
    fn check_len(&self, x: &[f64]) -> Result<usize> {
        let d = self.dim();
        if x.len() < d {
            return Err(Error::Dimension {
                what: "x",
                expected: d,
                got: x.len(),
            });
        }
        Ok(d)
    }
}

/// An optimiser's update rule (see the [module docs](self) for the maps).
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Method {
    /// `x ← x − η g`.
    GradientDescent,
    /// Heavy-ball momentum: `v ← βv − η g(x)`, `x ← x + v`, `0 ≤ β < 1`.
    HeavyBall {
        /// The momentum `β`.
        beta: f64,
    },
    /// Nesterov: `v ← βv − η g(x + βv)`, `x ← x + v`, `0 ≤ β < 1`.
    Nesterov {
        /// The momentum `β`.
        beta: f64,
    },
    /// Newton's method `x ← x − η (H + μI)⁻¹ g`; `μ = 0` is the pure method.
    Newton {
        /// The damping `μ ≥ 0`.
        damping: f64,
    },
    /// Saddle-free Newton (Dauphin et al. 2014) `x ← x − η (|H| + μI)⁻¹ g`.
    SaddleFreeNewton {
        /// The damping `μ ≥ 0`.
        damping: f64,
    },
}

impl Method {
    /// The name as the CLI spells it: `gd`, `momentum`, `nesterov`, `newton`, `sfn`.
    pub fn name(&self) -> &'static str {
        match self {
            Self::GradientDescent => "gd",
            Self::HeavyBall { .. } => "momentum",
            Self::Nesterov { .. } => "nesterov",
            Self::Newton { .. } => "newton",
            Self::SaddleFreeNewton { .. } => "sfn",
        }
    }
    fn beta(&self) -> f64 {
        match self {
            Self::HeavyBall { beta } | Self::Nesterov { beta } => *beta,
            _ => 0.0,
        }
    }
    /// The preconditioner's eigenvalue `p(λ)`.
    fn precond(&self, l: f64) -> f64 {
        match self {
            Self::Newton { damping } => 1.0 / (l + damping),
            Self::SaddleFreeNewton { damping } => 1.0 / (l.abs() + damping),
            _ => 1.0,
        }
    }
}

/// An optimiser on a [`Quadratic`]: a method, a learning rate `η` and a gradient-noise
/// size `s ≥ 0` (`0`: deterministic).
///
/// ```
/// use saddle_sde::landscape::{Method, Optimiser, Quadratic};
/// let q = Quadratic::x1_squared_minus_x2_squared();
/// // Newton rescales the unstable direction by −1/λ: the saddle attracts, in one step
/// let newton = Optimiser::new(&q, Method::Newton { damping: 0.0 }, 1.0)?;
/// let path = newton.path(&[0.3, 0.2], 1, 0)?;
/// assert!(path[1].iter().all(|v| v.abs() < 1e-15));
/// // saddle-free Newton multiplies the unstable coordinate by 1 + η
/// let sfn = Optimiser::new(&q, Method::SaddleFreeNewton { damping: 0.0 }, 0.5)?;
/// assert_eq!(sfn.growth_factors(), vec![1.5, 0.5]);
/// # Ok::<(), saddle_sde::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Optimiser {
    quad: Quadratic,
    method: Method,
    lr: f64,
    noise: f64,
    /// `(H + μI)⁻¹` or `(|H| + μI)⁻¹` for the Newton methods, empty otherwise.
    precond: DMatrix<f64>,
}

impl Optimiser {
    /// `method` on `quad` with learning rate `lr`, without gradient noise.
    ///
    /// # Errors
    /// A parameter error naming `lr` unless it is positive and finite; `beta` unless
    /// `0 ≤ β < 1`; `damping` unless it is finite and `≥ 0`, or if the preconditioned
    /// matrix is singular (a `λ_i + μ` or `|λ_i| + μ` at most `1e-12·max(max|λ|, μ)`;
    /// named `hessian` for undamped Newton on a singular `H`); `lr` if a growth factor
    /// overflows (`η·|λ|` too large to represent).
    pub fn new(quad: &Quadratic, method: Method, lr: f64) -> Result<Self> {
        positive("lr", lr)?;
        let mut precond = DMatrix::zeros(0, 0);
        match method {
            Method::GradientDescent => {}
            Method::HeavyBall { beta } | Method::Nesterov { beta } => {
                if !(0.0..1.0).contains(&beta) {
                    return Err(param("beta", beta, "in [0, 1)"));
                }
            }
            Method::Newton { damping } | Method::SaddleFreeNewton { damping } => {
                non_negative("damping", damping)?;
                let scale = quad.values.iter().fold(0.0f64, |m, l| m.max(l.abs()));
                let d = quad.dim();
                let mut p = DMatrix::zeros(d, d);
                for (k, &l) in quad.values.iter().enumerate() {
                    let denom = 1.0 / method.precond(l);
                    if denom.abs() <= 1e-12 * scale.max(damping) || !denom.is_finite() {
                        return Err(param(
                            if damping == 0.0 { "hessian" } else { "damping" },
                            damping,
                            format!(
                                "a value that keeps the preconditioned Hessian invertible \
                                 (eigenvalue λ = {l} gives a pivot {denom:e})"
                            ),
                        ));
                    }
                    let q = quad.vectors.column(k);
                    p += (q * q.transpose()) / denom;
                }
                precond = p;
            }
        }
        let opt = Self {
            quad: quad.clone(),
            method,
            lr,
            noise: 0.0,
            precond,
        };
        if let Some(g) = opt.growth_factors().into_iter().find(|g| !g.is_finite()) {
            return Err(param(
                "lr",
                lr,
                format!(
                    "a rate whose growth factors are finite with these eigenvalues (η·|λ| \
                     overflows to {g})"
                ),
            ));
        }
        Ok(opt)
    }

    /// The same optimiser with Gaussian gradient noise `s ξ`, `ξ ~ N(0, I)`.
    ///
    /// # Errors
    /// A parameter error naming `noise` unless it is finite and `≥ 0`.
    pub fn gradient_noise(mut self, s: f64) -> Result<Self> {
        self.noise = non_negative("noise", s)?;
        Ok(self)
    }

    /// The quadratic.
    pub fn quadratic(&self) -> &Quadratic {
        &self.quad
    }
    /// The method.
    pub fn method(&self) -> Method {
        self.method
    }
    /// The learning rate `η`.
    pub fn lr(&self) -> f64 {
        self.lr
    }
    /// The gradient-noise size `s`.
    pub fn noise(&self) -> f64 {
        self.noise
    }
    /// The state's length: `d`, or `2d` (position, then velocity) for the momentum
    /// methods.
    pub fn state_len(&self) -> usize {
        match self.method {
            Method::HeavyBall { .. } | Method::Nesterov { .. } => 2 * self.quad.dim(),
            _ => self.quad.dim(),
        }
    }

    /// The growth factor of each eigendirection (in the order of
    /// [`Quadratic::eigenvalues`]) without noise: the modulus of the multiplier of a
    /// first-order method, the largest root modulus of a momentum method's two-term
    /// recurrence. A factor above 1 is an escaping direction, below 1 an attracted one.
    pub fn growth_factors(&self) -> Vec<f64> {
        let (eta, beta) = (self.lr, self.method.beta());
        self.quad
            .values
            .iter()
            .map(|&l| match self.method {
                Method::HeavyBall { .. } => root_modulus(1.0 + beta - eta * l, beta),
                Method::Nesterov { .. } => {
                    let m = 1.0 - eta * l;
                    root_modulus((1.0 + beta) * m, beta * m)
                }
                _ => (1.0 - eta * self.method.precond(l) * l).abs(),
            })
            .collect()
    }

    /// The diffusion limit with its time per step (see the [module docs](self)): in the
    /// eigen-coordinates `c = Qᵀx`, the local saddle with `a_i = −p(λ_i)λ_i`,
    /// `σ_i = 0`, `τ_i = √η s p(λ_i)`, in time `t = n η` (`η/(1 − β)` for momentum,
    /// whose `a_i` are then those of gradient descent).
    ///
    /// # Errors
    /// As [`LocalSaddle::new`].
    pub fn diffusion_limit(&self) -> Result<(LocalSaddle, f64)> {
        let eta = self.lr / (1.0 - self.method.beta());
        let d = self.quad.dim();
        let a = self
            .quad
            .values
            .iter()
            .map(|&l| -self.method.precond(l) * l)
            .collect();
        let tau = self
            .quad
            .values
            .iter()
            .map(|&l| eta.sqrt() * self.noise * self.method.precond(l))
            .collect();
        let model = LocalSaddle::with_pairwise_rho(a, vec![0.0; d], tau, &vec![0.0; d])?;
        Ok((model, eta))
    }

    /// The iterates `x_0, …, x_steps` (positions) of one path from `x0`; the gradient
    /// noise (if any) is drawn from [`path_rng`]`(seed, 0)`. A path whose squared norm
    /// or value `f` overflows ends early, at its last iterate where both are finite
    /// (fewer than `steps + 1` iterates are returned).
    ///
    /// # Errors
    /// [`Error::Dimension`] if `x0` does not have length `d`; a parameter error naming
    /// `x0` for a non-finite entry, `steps` if it is 0 or above [`MAX_PATH_STEPS`] (every
    /// iterate is kept).
    pub fn path(&self, x0: &[f64], steps: usize, seed: u64) -> Result<Vec<Vec<f64>>> {
        self.check_point(x0)?;
        count("steps", steps)?;
        if steps > MAX_PATH_STEPS {
            return Err(param(
                "steps",
                steps as f64,
                format!("in [1, {MAX_PATH_STEPS}] (every iterate is kept in memory)"),
            ));
        }
        let d = self.quad.dim();
        let grid = Grid::uniform(steps, 1.0);
        let mut out = vec![x0.to_vec()];
        let mut x = self.initial_state(x0);
        let mut rng = path_rng(seed, 0);
        let q = &self.quad;
        let mut mon = Closure::new(|_, _, y: &[f64]| {
            let r2: f64 = y[..d].iter().map(|v| v * v).sum();
            let f = q.value(y).unwrap_or(f64::NAN);
            if r2.is_finite() && f.is_finite() {
                out.push(y[..d].to_vec());
                false
            } else {
                true
            }
        });
        let sources = Sources::new(self, &grid)?;
        with_run!(self, sources, |st, src| run(
            st,
            src,
            &mut mon,
            &mut x[..],
            &mut rng
        ));
        Ok(out)
    }

    /// Runs `spec.paths` starts until each leaves the ball of radius `spec.outer`
    /// (escaped), enters the ball of radius `spec.inner` (attracted) or uses
    /// `spec.max_steps` steps (censored), and summarises them.
    ///
    /// Path `i` draws its start (if random) and then its gradient noise from
    /// [`path_rng`]`(spec.seed, i)`; summaries are merged in index order, so the result
    /// is the same bit for bit for any number of threads.
    ///
    /// # Errors
    /// As [`EscapeSpec::new`] and [`Ball::new`]; [`Error::Dimension`] for a start of
    /// the wrong length.
    pub fn escape(&self, spec: &EscapeSpec) -> Result<EscapeSummary> {
        self.escape_with_progress(spec, |_, _| {})
    }

    /// As [`escape`](Self::escape), calling `progress(done, total)` after each batch of
    /// paths.
    ///
    /// # Errors
    /// As [`escape`](Self::escape).
    pub fn escape_with_progress(
        &self,
        spec: &EscapeSpec,
        mut progress: impl FnMut(u64, u64),
    ) -> Result<EscapeSummary> {
        if spec.paths == 0 {
            return Err(param("paths", 0.0, ">= 1"));
        }
        let mut part = Partial::whole(spec.paths, CHUNK)?;
        self.escape_part(spec, &mut part, |p| {
            progress(p.paths_done(), spec.paths);
            ControlFlow::Continue(())
        })?;
        part.finish()
    }

    /// [`escape`](Self::escape) for the chunks of `part` not yet done: a checkpoint to
    /// resume (or a shard), with `after_batch(&part)` called after each batch of chunks
    /// as in [`Ensemble::observe_part`](crate::ensemble::Ensemble::observe_part) (it may
    /// save the part or stop the run). Finished, the part gives
    /// [`escape`](Self::escape)'s result bit for bit.
    ///
    /// # Errors
    /// As [`escape`](Self::escape), and a parameter error naming `paths` if `part` is
    /// of a run with another number of paths or another chunk size than
    /// [`CHUNK`].
    pub fn escape_part(
        &self,
        spec: &EscapeSpec,
        part: &mut Partial<EscapeSummary>,
        after_batch: impl FnMut(&Partial<EscapeSummary>) -> ControlFlow<()>,
    ) -> Result<()> {
        let d = self.quad.dim();
        if let Start::Point(x0) = &spec.start {
            self.check_point(x0)?;
        }
        let stable: Vec<usize> = (0..d).filter(|&k| self.quad.values[k] > 0.0).collect();
        if let Start::StableSphere { .. } = spec.start
            && stable.is_empty()
        {
            return Err(param(
                "start",
                f64::NAN,
                "a Hessian with a positive eigenvalue (the stable subspace is empty)",
            ));
        }
        if spec.paths == 0 {
            return Err(param("paths", 0.0, ">= 1"));
        }
        // a start inside the attraction ball would count as attracted after one step,
        // whatever the method does there
        if spec.inner > 0.0 {
            match &spec.start {
                Start::Point(x0) => {
                    let r = x0.iter().map(|v| v * v).sum::<f64>().sqrt();
                    if r <= spec.inner {
                        return Err(param(
                            "x0",
                            r,
                            format!("a norm above inner = {}", spec.inner),
                        ));
                    }
                }
                Start::Sphere { radius } | Start::StableSphere { radius } => {
                    if *radius <= spec.inner {
                        return Err(param(
                            "radius",
                            *radius,
                            format!("above inner = {}", spec.inner),
                        ));
                    }
                }
            }
        }
        let ball = Ball::new(d, spec.inner, spec.outer)?;
        let grid = Grid::uniform(spec.max_steps, 1.0);
        crate::ensemble::check_part(part, spec.paths)?;
        let sources = Sources::new(self, &grid)?;
        run_ordered_part(
            part,
            EscapeSummary::default,
            |range, acc| {
                for i in range {
                    let mut rng = path_rng(spec.seed, i);
                    let x0 = spec.start.draw(&self.quad, &stable, &mut rng);
                    let mut x = self.initial_state(&x0);
                    let mut mon = ball;
                    let why = with_run!(self, sources, |st, src| run(
                        st,
                        src,
                        &mut mon,
                        &mut x[..],
                        &mut rng
                    ));
                    acc.push(why);
                }
            },
            after_batch,
        );
        Ok(())
    }

    fn check_point(&self, x0: &[f64]) -> Result<()> {
        if x0.len() != self.quad.dim() {
            return Err(Error::Dimension {
                what: "x0",
                expected: self.quad.dim(),
                got: x0.len(),
            });
        }
        for &v in x0 {
            finite("x0", v)?;
        }
        Ok(())
    }

    fn initial_state(&self, x0: &[f64]) -> Vec<f64> {
        let mut x = vec![0.0; self.state_len()];
        x[..x0.len()].copy_from_slice(x0);
        x
    }

    /// The stepper of kind `K` (see [`QuadStepper`]).
    fn stepper<const K: u8>(&self) -> QuadStepper<'_, K> {
        let d = self.quad.dim();
        QuadStepper {
            h: &self.quad.hessian,
            p: &self.precond,
            lr: self.lr,
            beta: self.method.beta(),
            s: self.noise,
            d,
            g: vec![0.0; d],
            y: vec![0.0; d],
        }
    }
}

/// Largest modulus of the roots of `r² − b r + c`.
fn root_modulus(b: f64, c: f64) -> f64 {
    let disc = b * b - 4.0 * c;
    if disc >= 0.0 {
        let s = disc.sqrt();
        ((b + s) / 2.0).abs().max(((b - s) / 2.0).abs())
    } else {
        c.abs().sqrt()
    }
}

/// Runs `$body` with the stepper of the optimiser's kind and the source its noise needs
/// (silent without noise, standard normals with): the only dispatch on the method, once
/// per path.
macro_rules! with_run {
    ($opt:expr, $sources:expr, |$st:ident, $src:ident| $body:expr) => {{
        let opt = $opt;
        match $sources {
            Sources::Noisy(ref $src) => with_run!(@kind opt, $src, |$st| $body),
            Sources::Silent(ref $src) => with_run!(@kind opt, $src, |$st| $body),
        }
    }};
    (@kind $opt:expr, $src:ident, |$st:ident| $body:expr) => {
        match $opt.method {
            Method::GradientDescent => {
                let $st = &mut $opt.stepper::<GD>();
                $body
            }
            Method::Newton { .. } | Method::SaddleFreeNewton { .. } => {
                let $st = &mut $opt.stepper::<PRECONDITIONED>();
                $body
            }
            Method::HeavyBall { .. } => {
                let $st = &mut $opt.stepper::<HEAVY_BALL>();
                $body
            }
            Method::Nesterov { .. } => {
                let $st = &mut $opt.stepper::<NESTEROV>();
                $body
            }
        }
    };
}
use with_run;

/// The noise source of a run, built (and validated) once, before any parallel section.
enum Sources {
    Noisy(NdGaussian),
    Silent(NdSilent),
}

impl Sources {
    fn new(opt: &Optimiser, grid: &Grid) -> Result<Self> {
        let d = opt.quad.dim();
        Ok(if opt.noise > 0.0 {
            Self::Noisy(NdGaussian::new(d, grid, NoiseNeeds::Increments)?)
        } else {
            Self::Silent(NdSilent::new(d, grid)?)
        })
    }
}

const GD: u8 = 0;
const PRECONDITIONED: u8 = 1;
const HEAVY_BALL: u8 = 2;
const NESTEROV: u8 = 3;

/// One optimiser step as a [`Stepper`] of the run engine, for the update kind `K`
/// (gradient descent, preconditioned, heavy ball, Nesterov). The state is the position
/// (and then the velocity, for momentum); the noise is `d` standard normals (a
/// [`NdGaussian`] source on a grid of step 1) or zeros ([`NdSilent`]). Workspace
/// allocated once per path.
#[derive(Debug, Clone)]
pub struct QuadStepper<'a, const K: u8> {
    h: &'a DMatrix<f64>,
    p: &'a DMatrix<f64>,
    lr: f64,
    beta: f64,
    s: f64,
    d: usize,
    g: Vec<f64>,
    y: Vec<f64>,
}

/// `out = M v + s z` for a column-major `d × d` matrix `M`.
#[inline(always)]
fn mat_vec_plus(m: &DMatrix<f64>, v: &[f64], s: f64, z: &[f64], out: &mut [f64]) {
    for (o, zi) in out.iter_mut().zip(z) {
        *o = s * zi;
    }
    for (col, &vj) in m.as_slice().chunks_exact(v.len()).zip(v) {
        for (o, &mij) in out.iter_mut().zip(col) {
            *o += mij * vj;
        }
    }
}

impl<const K: u8> Stepper for QuadStepper<'_, K> {
    type State = [f64];
    type Noise = NdNoise;
    #[inline]
    fn step(&mut self, _t: f64, x: &mut [f64], noise: &NdNoise) {
        let d = self.d;
        // the stepper is built only by its optimiser, which sizes the state and the
        // source: no per-step check beyond the debug build's
        debug_assert_eq!(
            x.len(),
            if K == HEAVY_BALL || K == NESTEROV {
                2 * d
            } else {
                d
            }
        );
        debug_assert_eq!(noise.dz.len(), d);
        let (lr, beta, s) = (self.lr, self.beta, self.s);
        match K {
            GD => {
                mat_vec_plus(self.h, x, s, &noise.dz, &mut self.g);
                for (xi, gi) in x.iter_mut().zip(&self.g) {
                    *xi -= lr * gi;
                }
            }
            PRECONDITIONED => {
                mat_vec_plus(self.h, x, s, &noise.dz, &mut self.g);
                mat_vec_plus(self.p, &self.g, 0.0, &self.g, &mut self.y);
                for (xi, yi) in x.iter_mut().zip(&self.y) {
                    *xi -= lr * yi;
                }
            }
            _ => {
                let (pos, vel) = x.split_at_mut(d);
                if K == NESTEROV {
                    for ((yi, pi), vi) in self.y.iter_mut().zip(pos.iter()).zip(vel.iter()) {
                        *yi = pi + beta * vi;
                    }
                    mat_vec_plus(self.h, &self.y, s, &noise.dz, &mut self.g);
                } else {
                    mat_vec_plus(self.h, pos, s, &noise.dz, &mut self.g);
                }
                for ((pi, vi), gi) in pos.iter_mut().zip(vel.iter_mut()).zip(&self.g) {
                    *vi = beta * *vi - lr * gi;
                    *pi += *vi;
                }
            }
        }
    }
    fn is_finite(x: &[f64]) -> bool {
        x.iter().all(|v| v.is_finite())
    }
}

/// Where the paths of [`Optimiser::escape`] start.
#[derive(Debug, Clone, PartialEq)]
pub enum Start {
    /// Every path at this point.
    Point(Vec<f64>),
    /// Uniformly on the sphere of this radius around the saddle.
    Sphere {
        /// The radius `ε`.
        radius: f64,
    },
    /// Uniformly on the sphere of this radius within the stable subspace (the span of
    /// the eigenvectors with `λ > 0`): on the stable manifold of gradient descent.
    StableSphere {
        /// The radius `ε`.
        radius: f64,
    },
}

impl Start {
    fn draw<R: rand::Rng + ?Sized>(
        &self,
        q: &Quadratic,
        stable: &[usize],
        rng: &mut R,
    ) -> Vec<f64> {
        let d = q.dim();
        match self {
            Start::Point(x) => x.clone(),
            Start::Sphere { radius } => {
                let mut u = vec![0.0; d];
                uniform_direction(rng, &mut u);
                u.iter_mut().for_each(|v| *v *= radius);
                u
            }
            Start::StableSphere { radius } => {
                let mut u = vec![0.0; stable.len()];
                uniform_direction(rng, &mut u);
                let mut x = vec![0.0; d];
                for (&k, &uk) in stable.iter().zip(&u) {
                    for (r, xr) in x.iter_mut().enumerate() {
                        *xr += radius * uk * q.vectors[(r, k)];
                    }
                }
                x
            }
        }
    }
}

/// The escape problem of [`Optimiser::escape`]: starts, the radii of the escape and
/// attraction balls, a step budget, the number of paths and the seed.
///
/// ```
/// use saddle_sde::landscape::{EscapeSpec, Start};
/// let spec = EscapeSpec::new(Start::Sphere { radius: 1e-3 }, 1.0, 10_000)?.paths(100).seed(3);
/// assert_eq!(spec.max_steps(), 10_000);
/// # Ok::<(), saddle_sde::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct EscapeSpec {
    start: Start,
    inner: f64,
    outer: f64,
    max_steps: usize,
    paths: u64,
    seed: u64,
}

impl EscapeSpec {
    /// Paths from `start` until `‖x‖ ≥ outer`, at most `max_steps` steps each; one path,
    /// seed 0, attraction radius `1e-12·outer`.
    ///
    /// # Errors
    /// A parameter error naming `outer` unless positive and finite, `max_steps` if 0,
    /// `radius` unless a random start's radius is in `(0, outer)`, `x0` unless a fixed
    /// start is finite and inside the ball.
    pub fn new(start: Start, outer: f64, max_steps: usize) -> Result<Self> {
        positive("outer", outer)?;
        count("max_steps", max_steps)?;
        match &start {
            Start::Sphere { radius } | Start::StableSphere { radius } => {
                if !(*radius > 0.0 && *radius < outer) {
                    return Err(param("radius", *radius, format!("in (0, outer = {outer})")));
                }
            }
            Start::Point(x) => {
                for &v in x {
                    finite("x0", v)?;
                }
                let r = x.iter().map(|v| v * v).sum::<f64>().sqrt();
                if r >= outer {
                    return Err(param("x0", r, format!("a norm below outer = {outer}")));
                }
            }
        }
        Ok(Self {
            start,
            inner: 1e-12 * outer,
            outer,
            max_steps,
            paths: 1,
            seed: 0,
        })
    }
    /// The attraction radius: a path with `‖x‖ ≤ inner` counts as attracted.
    ///
    /// # Errors
    /// A parameter error naming `inner` unless `0 ≤ inner < outer`.
    pub fn inner(mut self, inner: f64) -> Result<Self> {
        if !(inner >= 0.0 && inner < self.outer) {
            return Err(param(
                "inner",
                inner,
                format!("in [0, outer = {})", self.outer),
            ));
        }
        self.inner = inner;
        Ok(self)
    }
    /// The number of paths (checked to be at least 1 when the run starts).
    pub fn paths(mut self, paths: u64) -> Self {
        self.paths = paths;
        self
    }
    /// The seed.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }
    /// The step budget.
    pub fn max_steps(&self) -> usize {
        self.max_steps
    }
}

/// How the paths of an escape run ([`Optimiser::escape`], [`BallObs`](crate::landscape::BallObs))
/// ended: counts, and the times to escape and to attraction, in the run's unit of time
/// (steps for an optimiser, `t` for an SDE). Mergeable in path order.
#[derive(Debug, Clone, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct EscapeSummary {
    paths: u64,
    escaped: u64,
    attracted: u64,
    non_finite: u64,
    escape_times: MeanVar,
    attract_times: MeanVar,
    min_escape: Option<f64>,
    max_escape: Option<f64>,
}

impl EscapeSummary {
    pub(crate) fn push(&mut self, why: StopReason) {
        self.paths += 1;
        match why {
            StopReason::Exited { side, t } => {
                if side == Side::Upper {
                    self.escaped += 1;
                    self.escape_times.push(t);
                    self.min_escape = Some(self.min_escape.map_or(t, |m| m.min(t)));
                    self.max_escape = Some(self.max_escape.map_or(t, |m| m.max(t)));
                } else {
                    self.attracted += 1;
                    self.attract_times.push(t);
                }
            }
            StopReason::EndTime => {}
            _ => self.non_finite += 1,
        }
    }
    /// Number of paths.
    pub fn paths(&self) -> u64 {
        self.paths
    }
    /// Paths that left the outer ball.
    pub fn escaped(&self) -> u64 {
        self.escaped
    }
    /// Paths that entered the inner ball.
    pub fn attracted(&self) -> u64 {
        self.attracted
    }
    /// Paths still between the balls after the step budget.
    pub fn censored(&self) -> u64 {
        self.paths - self.escaped - self.attracted - self.non_finite
    }
    /// Paths whose state overflowed.
    pub fn non_finite(&self) -> u64 {
        self.non_finite
    }
    /// The fraction that escaped, with its Wilson interval (`None` without paths).
    pub fn p_escape(&self) -> Option<Proportion> {
        Proportion::new(self.escaped, self.paths).ok()
    }
    /// The fraction attracted (`None` without paths).
    pub fn p_attracted(&self) -> Option<Proportion> {
        Proportion::new(self.attracted, self.paths).ok()
    }
    /// Mean time (steps, for an optimiser) to escape among the escaped paths, with its
    /// standard error (`None` if none escaped). Conditional on escaping within the
    /// budget: read it with [`censored`](Self::censored).
    pub fn mean_escape_time(&self) -> Option<Estimate> {
        (self.escaped > 0).then(|| Estimate {
            estimate: self.escape_times.mean(),
            stderr: self.escape_times.stderr(),
        })
    }
    /// Mean time to attraction among the attracted paths (`None` if none).
    pub fn mean_attract_time(&self) -> Option<Estimate> {
        (self.attracted > 0).then(|| Estimate {
            estimate: self.attract_times.mean(),
            stderr: self.attract_times.stderr(),
        })
    }
    /// The shortest and longest time any path took to escape.
    pub fn escape_range(&self) -> Option<(f64, f64)> {
        self.min_escape.zip(self.max_escape)
    }
}

impl Merge for EscapeSummary {
    fn merge(&mut self, o: &Self) {
        self.paths += o.paths;
        self.escaped += o.escaped;
        self.attracted += o.attracted;
        self.non_finite += o.non_finite;
        self.escape_times.merge(&o.escape_times);
        self.attract_times.merge(&o.attract_times);
        self.min_escape = match (self.min_escape, o.min_escape) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self.max_escape = match (self.max_escape, o.max_escape) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
    }
}
