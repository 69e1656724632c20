//! Stochastic gradient descent near a saddle, at the optimiser level: a finite-sum
//! model of the post's noisy loss, and the optimisers of its second half (SGD with and
//! without replacement, perturbed SGD, learning-rate schedules, heavy-ball momentum,
//! SVRG, and SGD on a piecewise-linear "ReLU" loss), each a [`Stepper`] of the run
//! engine.
//!
//! # The model
//! The loss is `f(x) = (1/N) Σ_j f_j(x)` with
//!
//! ```text
//! f_j(x) = −(a + ξ_j) x²/2 − η_j x,        ∇f_j(x) = −(a + ξ_j) x − η_j
//! ```
//!
//! (the post's noisy model with the factor ½ of docs/blog-claims.md row 3). The pairs
//! `(ξ_j, η_j)` are drawn once from a correlated Gaussian and then transformed affinely
//! so that their **population** mean is exactly 0 and their population covariance is
//! exactly `[[s_ξ², ρ s_ξ s_η], [ρ s_ξ s_η, s_η²]]` ([`FiniteSum::new`]): the full
//! gradient is exactly `−a x`, and the minibatch moments below are exact.
//!
//! # Minibatches
//! A step draws a minibatch `J` of `B` indices and uses the batch means `ξ̄_J`, `η̄_J`
//! ([`BatchSource`], the noise source of the engine). With replacement they have
//! variance `s²/B`; without replacement `s²/B · (N − B)/(N − 1)` (the finite-population
//! factor), and `B = N` is full-batch gradient descent.
//!
//! # Optimisers ([`Optimizer`]), with the learning rate `lr_n` of a [`Schedule`]
//! - SGD: `x ← x − lr_n ∇f_J(x) = x + lr_n((a + ξ̄_J)x + η̄_J)`;
//! - perturbed: any of them plus `p·Z`, `Z ~ N(0, 1)` independent, every step;
//! - heavy-ball momentum: `v ← βv − lr_n ∇f_J(x)`, `x ← x + v`;
//! - ReLU: plain SGD on the piecewise-linear loss `−(a + ξ_j) w |x| − η_j x`
//!   ([`Optimizer::Relu`]), whose curvature noise no longer multiplies `x`;
//! - SVRG, as the post writes it: every `m` steps the landmark `x* ← x` (with the full
//!   gradient `∇f(x*) = −a x*`), and the step uses
//!   `∇f_J(x) − ∇f_J(x*) + ∇f(x*) = −a x − ξ̄_J (x − x*)`: the slope noise `η`
//!   **cancels exactly** in this model, and the curvature noise acts on `x − x*`.
//!
//! # Diffusion limit
//! With time `t = n·lr` and a constant rate, SGD with replacement is an Euler-type scheme
//! (step `lr`, increments with the first two moments of Brownian ones but not Gaussian)
//! of the saddle SDE `dx = a x dt + σ x dW + τ dU` with `σ² = lr·s_ξ²/B`,
//! `τ² = lr·s_η²/B` and the same `ρ` ([`FiniteSum::diffusion_limit`]); heavy-ball
//! momentum is SGD at `lr/(1 − β)` in the limit ([`Sgd::diffusion_limit`]).
//!
//! # What each strategy does ([`theory`])
//! - SVRG: `(x − x*)/x*` at the end of a long inner loop is inverse gamma in the trap
//!   regime, and `|x*|` grows geometrically per outer loop ([`Sgd::landmarks`],
//!   [`theory::SvrgLimit`]);
//! - annealing `lr₀/n`: escape is certain but its time has the power tail `n^{−a·lr₀}`
//!   ([`Sgd::escape_tail`], [`theory::tail_exponent`]);
//! - the ReLU loss: a Brownian motion with drift `a·w·sign x` in the limit
//!   ([`theory::ReluLimit`]);
//! - perturbation, minibatch size and learning rate act through `σ` and `τ` of the
//!   diffusion limit: the trap condition `σ² = lr s_ξ²/B > 2a` ignores the perturbation.
//!
//! The claims these answer are rows 31, 32, 41–48 of `docs/blog-claims.md`.
//!
//! ```
//! use saddle_sde::optim::{EscapeRun, FiniteSum, Optimizer, Sampling, Schedule, Sgd};
//! let data = FiniteSum::new(1.0, 2.0, 1.0, 0.0, 1000, 7)?;
//! let sgd = Sgd::new(&data, 0.01, 10, Sampling::WithReplacement)?;
//! let run = EscapeRun::new(0.1, -1.0, 1.0, 2_000, 500)?;
//! let stats = sgd.escape(&run, 3, &mut |_| {})?;
//! assert_eq!(stats.paths(), 500);
//! # Ok::<(), saddle_sde::Error>(())
//! ```

pub use crate::noise::{BatchNoise, BatchSource, Sampling};

#[macro_use]
mod rule;
pub mod theory;

use rule::Rule;

use crate::ensemble::{CHUNK, Collect, Partial, run_ordered, run_ordered_part};
use crate::error::{Result, count, finite, in_closed, non_negative, param, positive};
use crate::escape::{ExitStats, PathExit};
use crate::integrate::monitor::{Exit, ExitWindow, NoVariance, Projected};
use crate::integrate::{Grid, Stepper, run};
use crate::models::SaddleSde;
use crate::noise::path_rng;
use std::ops::ControlFlow;

/// The finite-sum loss `f = (1/N) Σ f_j`, `f_j(x) = −(a + ξ_j)x²/2 − η_j x`.
#[derive(Debug, Clone, PartialEq)]
pub struct FiniteSum {
    a: f64,
    s_xi: f64,
    s_eta: f64,
    rho: f64,
    xi: Vec<f64>,
    eta: Vec<f64>,
}

impl FiniteSum {
    /// `samples` pairs `(ξ_j, η_j)` drawn with `seed`, then made to have population
    /// mean exactly 0 and population covariance exactly that of standard deviations
    /// `s_xi`, `s_eta` and correlation `rho`.
    ///
    /// # Errors
    /// A parameter error naming `a` (not finite), `s_xi` or `s_eta` (negative or not
    /// finite), `rho` (outside `[−1, 1]`) or `samples` (outside `[3, 10⁸]`).
    pub fn new(a: f64, s_xi: f64, s_eta: f64, rho: f64, samples: usize, seed: u64) -> Result<Self> {
        finite("a", a)?;
        non_negative("s_xi", s_xi)?;
        non_negative("s_eta", s_eta)?;
        in_closed("rho", rho, -1.0, 1.0)?;
        if !(3..=100_000_000).contains(&samples) {
            return Err(param("samples", samples as f64, "in [3, 1e8]"));
        }
        let (mut u, mut v) = crate::noise::batch::normal_pairs(samples, seed);
        // centre, then whiten with the Cholesky factor of the population covariance
        let n = samples as f64;
        let (mu, mv) = (u.iter().sum::<f64>() / n, v.iter().sum::<f64>() / n);
        u.iter_mut().for_each(|x| *x -= mu);
        v.iter_mut().for_each(|x| *x -= mv);
        let suu = u.iter().map(|x| x * x).sum::<f64>() / n;
        let suv = u.iter().zip(&v).map(|(x, y)| x * y).sum::<f64>() / n;
        let svv = v.iter().map(|x| x * x).sum::<f64>() / n;
        let l11 = suu.sqrt();
        let l21 = suv / l11;
        let l22 = (svv - l21 * l21).sqrt();
        // colour with L = [[s_ξ, 0], [ρ s_η, √(1 − ρ²) s_η]]
        let c = (1.0 - rho * rho).max(0.0).sqrt();
        let (mut xi, mut eta) = (Vec::with_capacity(samples), Vec::with_capacity(samples));
        for (&x, &y) in u.iter().zip(&v) {
            let w1 = x / l11;
            let w2 = (y - l21 * w1) / l22;
            xi.push(s_xi * w1);
            eta.push(s_eta * (rho * w1 + c * w2));
        }
        Ok(Self {
            a,
            s_xi,
            s_eta,
            rho,
            xi,
            eta,
        })
    }
    /// `a`: the full gradient is `−a x`.
    pub fn a(&self) -> f64 {
        self.a
    }
    /// `(s_ξ, s_η, ρ)`: the population standard deviations and correlation.
    pub fn noise(&self) -> (f64, f64, f64) {
        (self.s_xi, self.s_eta, self.rho)
    }
    /// The number of samples `N`.
    pub fn samples(&self) -> usize {
        self.xi.len()
    }
    /// The curvature offsets `ξ_j`.
    pub fn xi(&self) -> &[f64] {
        &self.xi
    }
    /// The slope offsets `η_j`.
    pub fn eta(&self) -> &[f64] {
        &self.eta
    }
    /// `∇f_j(x) = −(a + ξ_j) x − η_j`.
    pub fn gradient(&self, j: usize, x: f64) -> f64 {
        -(self.a + self.xi[j]) * x - self.eta[j]
    }
    /// `∇f(x) = −a x` (exactly, by construction).
    pub fn full_gradient(&self, x: f64) -> f64 {
        -self.a * x
    }
    /// The SDE that SGD with replacement, constant rate `lr` and minibatch `batch`
    /// approximates in the time `t = n·lr`: `σ = s_ξ √(lr/B)`, `τ = s_η √(lr/B)`, `ρ`.
    ///
    /// # Errors
    /// A parameter error naming `lr` (not positive) or `batch` (zero).
    pub fn diffusion_limit(&self, lr: f64, batch: usize) -> Result<SaddleSde> {
        positive("lr", lr)?;
        count("batch", batch)?;
        let k = (lr / batch as f64).sqrt();
        SaddleSde::new(self.a, self.s_xi * k, self.s_eta * k, self.rho)
    }
}

impl FiniteSum {
    /// The almost-sure growth rate per step of plain SGD with minibatches of one sample
    /// (with replacement), constant rate `lr` and no slope noise:
    /// `λ = (1/N) Σ_j ln|1 + lr(a + ξ_j)|`, exact for this population (`x_n` is `x₀`
    /// times a product of independent factors `1 + lr(a + ξ_J)`). The diffusion limit's
    /// rate per step is `lr(a − σ²/2)` with `σ² = lr s_ξ²`; they agree to leading
    /// order in `lr`, and the saddle attracts when `λ < 0`.
    ///
    /// # Errors
    /// A parameter error naming `lr` unless it is positive and finite.
    pub fn discrete_rate(&self, lr: f64) -> Result<f64> {
        positive("lr", lr)?;
        let n = self.xi.len() as f64;
        Ok(self
            .xi
            .iter()
            .map(|x| (1.0 + lr * (self.a + x)).abs().ln())
            .sum::<f64>()
            / n)
    }
}

/// The learning rate `lr_n` of step `n = 1, 2, …`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Schedule {
    /// `lr_n = lr₀`.
    Constant,
    /// `lr_n = lr₀/n`, the post's annealing.
    Harmonic,
    /// `lr_n = lr₀/(1 + n/n₀)`, the form used in practice.
    InverseTime {
        /// `n₀ > 0`.
        n0: f64,
    },
}

impl Schedule {
    #[inline(always)]
    fn rate(self, lr0: f64, n: usize) -> f64 {
        match self {
            Schedule::Constant => lr0,
            Schedule::Harmonic => lr0 / n as f64,
            Schedule::InverseTime { n0 } => lr0 / (1.0 + n as f64 / n0),
        }
    }
}

/// The optimiser's update rule.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Optimizer {
    /// Plain (minibatch) SGD.
    Sgd,
    /// Heavy-ball momentum `β ∈ [0, 1)`.
    Momentum {
        /// `β`.
        beta: f64,
    },
    /// SVRG with inner loops of `m ≥ 1` steps.
    Svrg {
        /// `m`.
        inner: usize,
    },
    /// Plain SGD on the piecewise-linear ("ReLU") loss
    /// `f_j(x) = −(a + ξ_j)·w·(max(0, x) + max(0, −x)) − η_j x = −(a + ξ_j) w |x| − η_j x`
    /// with width `w > 0`: the step is `x + lr((a + ξ̄_J) w sign(x) + η̄_J)`. The Hessian
    /// is zero away from the kink, so the curvature noise no longer multiplies `x`: it
    /// becomes a bounded push of size `lr·w·ξ̄` (no attractive noise), and the drift
    /// away from the saddle is the constant `a·w` instead of `a·x`.
    Relu {
        /// `w`.
        width: f64,
    },
}

/// An optimiser on a [`FiniteSum`]: rule, rate, schedule, minibatch and perturbation.
#[derive(Debug, Clone)]
pub struct Sgd<'a> {
    data: &'a FiniteSum,
    lr: f64,
    batch: usize,
    sampling: Sampling,
    schedule: Schedule,
    optimizer: Optimizer,
    perturb: f64,
}

impl<'a> Sgd<'a> {
    /// Plain SGD with constant rate `lr` and minibatches of `batch` samples.
    ///
    /// # Errors
    /// A parameter error naming `lr` (not positive and finite, or so large that `lr·s_ξ²`
    /// or `lr·s_η²` overflows) or `batch` (zero, or
    /// above `N` without replacement).
    pub fn new(data: &'a FiniteSum, lr: f64, batch: usize, sampling: Sampling) -> Result<Self> {
        positive("lr", lr)?;
        let (s_xi, s_eta, _) = data.noise();
        if !(lr * s_xi * s_xi).is_finite() || !(lr * s_eta * s_eta).is_finite() {
            return Err(param(
                "lr",
                lr,
                format!(
                    "small enough that lr·s_xi² and lr·s_eta² are finite (s_xi = {s_xi}, s_eta = {s_eta})"
                ),
            ));
        }
        count("batch", batch)?;
        if sampling == Sampling::WithoutReplacement && batch > data.samples() {
            return Err(param(
                "batch",
                batch as f64,
                format!("<= samples = {} without replacement", data.samples()),
            ));
        }
        Ok(Self {
            data,
            lr,
            batch,
            sampling,
            schedule: Schedule::Constant,
            optimizer: Optimizer::Sgd,
            perturb: 0.0,
        })
    }
    /// The learning-rate schedule (default constant).
    ///
    /// # Errors
    /// A parameter error naming `n0` unless it is positive and finite.
    pub fn schedule(mut self, schedule: Schedule) -> Result<Self> {
        if let Schedule::InverseTime { n0 } = schedule {
            positive("n0", n0)?;
        }
        self.schedule = schedule;
        Ok(self)
    }
    /// The update rule (default SGD).
    ///
    /// # Errors
    /// A parameter error naming `beta` (outside `[0, 1)`), `inner` (zero) or `width`
    /// (not positive and finite).
    pub fn optimizer(mut self, optimizer: Optimizer) -> Result<Self> {
        match optimizer {
            Optimizer::Momentum { beta } => {
                if !(0.0..1.0).contains(&beta) {
                    return Err(param("beta", beta, "in [0, 1)"));
                }
            }
            Optimizer::Svrg { inner } => {
                count("inner", inner)?;
            }
            Optimizer::Relu { width } => {
                positive("width", width)?;
            }
            Optimizer::Sgd => {}
        }
        self.optimizer = optimizer;
        Ok(self)
    }
    /// Independent Gaussian perturbation of standard deviation `p ≥ 0` every step.
    ///
    /// # Errors
    /// A parameter error naming `perturb` unless it is finite and `≥ 0`.
    pub fn perturb(mut self, p: f64) -> Result<Self> {
        self.perturb = non_negative("perturb", p)?;
        Ok(self)
    }
    /// The saddle SDE this optimiser approximates, and the time `t` one step stands for:
    /// `None` when it is not a saddle SDE (annealed schedules are not time-homogeneous;
    /// SVRG and the ReLU loss have the limits of [`theory`]).
    ///
    /// - SGD with a constant rate: `σ² = lr·s_ξ²·φ/B`, `τ₀² = lr·s_η²·φ/B`, `ρ`, one
    ///   step is `t = lr`, with `φ = 1` with replacement and `φ = (N − B)/(N − 1)`
    ///   without (`φ = 0`, full batch: no noise);
    /// - perturbed: the perturbation adds `p²` of variance per step, i.e. `p²/lr` per unit
    ///   time: `τ² = τ₀² + p²/lr`, and the correlation becomes `ρ τ₀/τ`.
    ///
    /// - heavy-ball momentum `β`: SGD with the rate `lr_eff = lr/(1 − β)`, one step is
    ///   `t = lr_eff`. Exactly, `y = x + βv/(1 − β)` obeys `y ← y + lr_eff((a + ξ̄)x + η̄)`:
    ///   plain SGD at `lr_eff` with the gradient taken at `x = y − βv/(1 − β)`, whose gap
    ///   has standard deviation `O(√lr_eff)`. The one-step variance of `x` is smaller by
    ///   `(1 − β)/(1 + β)`, but successive steps are correlated (`β^k`), which restores it
    ///   exactly over many steps: no extra noise factor and no Itô correction.
    ///
    /// The approach is slower with momentum. Its small parameter is the velocity's
    /// relaxation time `lr/(1 − β)²`; the velocity's memory moves the effective exit
    /// boundary out by about `ℓ_β·b(x)·√lr_eff` (`b² = σ²x² + 2ρστx + τ²`; measured
    /// `ℓ_β = 0.58, 1.22, 2.20, 3.22` for `β = 0, 0.5, 0.8, 0.9`; `β = 0` is Siegmund's
    /// `0.5826`), so at `β = 0.9`, `lr = 5·10⁻⁴` the mean exit step is 26 % above the
    /// limit's (395.9 ± 0.5 against 313.3) and 13 % above at `lr = 1.25·10⁻⁴`.
    ///
    /// # Errors
    /// As [`SaddleSde::new`] (none for valid optimisers).
    pub fn diffusion_limit(&self) -> Result<Option<(SaddleSde, f64)>> {
        if self.schedule != Schedule::Constant {
            return Ok(None);
        }
        let lr = match self.optimizer {
            Optimizer::Sgd => self.lr,
            Optimizer::Momentum { beta } => self.lr / (1.0 - beta),
            Optimizer::Svrg { .. } | Optimizer::Relu { .. } => {
                return Ok(None);
            }
        };
        let (n, b) = (self.data.samples() as f64, self.batch as f64);
        let phi = match self.sampling {
            Sampling::WithReplacement => 1.0,
            Sampling::WithoutReplacement => (n - b) / (n - 1.0),
        };
        let (s_xi, s_eta, rho) = self.data.noise();
        let k = (lr * phi / b).sqrt();
        let (sigma, tau0) = (s_xi * k, s_eta * k);
        let tau = (tau0 * tau0 + self.perturb * self.perturb / lr).sqrt();
        let rho = if tau > 0.0 { rho * tau0 / tau } else { rho };
        Ok(Some((SaddleSde::new(self.data.a(), sigma, tau, rho)?, lr)))
    }
    /// The standard deviation of the multiplicative factor's noise in one step,
    /// `lr·s_ξ·√(φ/B)`: the diffusion limit of
    /// [`diffusion_limit`](Self::diffusion_limit) needs it small (it is `σ√(time per
    /// step)`); `None` where there is no limit.
    pub fn step_noise(&self) -> Result<Option<f64>> {
        Ok(self.diffusion_limit()?.map(|(m, dt)| m.sigma() * dt.sqrt()))
    }
    /// The stepper of the run engine (state `[x, auxiliary]`: the momentum's velocity
    /// or SVRG's landmark).
    pub fn stepper(&self) -> OptimStep {
        OptimStep {
            a: self.data.a(),
            lr0: self.lr,
            schedule: self.schedule,
            optimizer: self.optimizer,
            perturb: self.perturb,
        }
    }
    /// `steps·lr`, the time `steps` steps stand for.
    fn horizon(&self, steps: usize) -> Result<f64> {
        let t = steps as f64 * self.lr;
        if t.is_finite() {
            Ok(t)
        } else {
            Err(param(
                "lr",
                self.lr,
                format!("small enough that lr·steps is finite (steps = {steps})"),
            ))
        }
    }
    /// The noise source over `steps` steps (grid step `lr`, so `t = n·lr` at constant rate).
    ///
    /// # Errors
    /// As [`Grid::with_steps`].
    pub fn source(&self, steps: usize) -> Result<BatchSource<'a>> {
        let grid = Grid::with_steps(self.horizon(steps)?, steps)?;
        Ok(BatchSource::new(
            self.data,
            self.batch,
            self.sampling,
            self.perturb > 0.0,
            &grid,
        ))
    }

    /// Escape from `(lower, upper)`: `run.runs` runs from `x0`, each stopped when an
    /// iterate leaves the interval or after `max_steps` steps; run `i` draws from
    /// `path_rng(seed, i)`, and the summary merges in run order (the same for any
    /// thread count). Exit times are in units of `t = n·lr₀`.
    ///
    /// # Errors
    /// As [`ExitStats::new`] and [`Grid::with_steps`].
    pub fn escape(
        &self,
        run_spec: &EscapeRun,
        seed: u64,
        progress: &mut dyn FnMut(f64),
    ) -> Result<ExitStats> {
        let empty = ExitStats::new(self.horizon(run_spec.max_steps)?, 64)?;
        self.escape_with(run_spec, seed, || empty.clone(), ExitStats::push, progress)
    }

    /// The tail of the escape step `N` (steps to leave `(lower, upper)`), as
    /// [`escape`](Self::escape) runs it: the survival `P(N > n)` on a logarithmic grid of
    /// `n` and the censored maximum-likelihood exponent `γ` of a power tail
    /// `P(N > n) ∝ n^{−γ}` fitted beyond `from` steps ([`EscapeTail`]).
    ///
    /// # Errors
    /// As [`escape`](Self::escape), and a parameter error naming `from` unless
    /// `1 ≤ from < max_steps`.
    pub fn escape_tail(
        &self,
        run_spec: &EscapeRun,
        from: usize,
        seed: u64,
        progress: &mut dyn FnMut(f64),
    ) -> Result<EscapeTail> {
        if from == 0 || from >= run_spec.max_steps {
            return Err(param(
                "from",
                from as f64,
                format!("in [1, max_steps = {})", run_spec.max_steps),
            ));
        }
        let empty = EscapeTail::new(from, run_spec.max_steps);
        let lr = self.lr;
        self.escape_with(
            run_spec,
            seed,
            || empty.clone(),
            |acc: &mut EscapeTail, e| acc.push(e, lr),
            progress,
        )
    }

    /// [`escape`](Self::escape) for the chunks of `part` not yet done: a checkpoint to
    /// resume (or a shard), with `after_batch(&part)` called after each batch of chunks
    /// as in [`Ensemble::observe_part`](crate::ensemble::Ensemble::observe_part) (it may
    /// save the part or stop the run). Finished, the part gives
    /// [`escape`](Self::escape)'s result bit for bit.
    ///
    /// # Errors
    /// As [`escape`](Self::escape), and a parameter error naming `paths` if `part` is
    /// of a run with another number of runs or another chunk size than
    /// [`CHUNK`].
    pub fn escape_part(
        &self,
        run_spec: &EscapeRun,
        seed: u64,
        part: &mut Partial<ExitStats>,
        after_batch: impl FnMut(&Partial<ExitStats>) -> ControlFlow<()>,
    ) -> Result<()> {
        crate::ensemble::check_part(part, run_spec.runs)?;
        let empty = ExitStats::new(self.horizon(run_spec.max_steps)?, 64)?;
        self.escape_into(
            run_spec,
            seed,
            || empty.clone(),
            ExitStats::push,
            part,
            after_batch,
        )
    }

    /// The escape runs of [`escape`](Self::escape), summarised by `push` into `A`.
    fn escape_with<A: Send + crate::ensemble::Merge>(
        &self,
        run_spec: &EscapeRun,
        seed: u64,
        init: impl Fn() -> A + Sync,
        push: impl Fn(&mut A, PathExit) + Sync,
        progress: &mut dyn FnMut(f64),
    ) -> Result<A> {
        let runs = run_spec.runs;
        let mut part = Partial::whole(runs, CHUNK)?;
        self.escape_into(run_spec, seed, init, push, &mut part, |p| {
            progress(p.paths_done() as f64 / runs as f64);
            ControlFlow::Continue(())
        })?;
        part.finish()
    }

    /// The escape runs of [`escape`](Self::escape) for the chunks of `part` not yet
    /// done, summarised by `push` into `A`.
    fn escape_into<A: Send + crate::ensemble::Merge>(
        &self,
        run_spec: &EscapeRun,
        seed: u64,
        init: impl Fn() -> A + Sync,
        push: impl Fn(&mut A, PathExit) + Sync,
        part: &mut Partial<A>,
        mut after_batch: impl FnMut(&Partial<A>) -> ControlFlow<()>,
    ) -> Result<()> {
        let source = self.source(run_spec.max_steps)?;
        let window = ExitWindow {
            lo: run_spec.lower,
            hi: run_spec.upper,
            lo_is_exit: true,
            hi_is_exit: true,
            bridge_lo: f64::NEG_INFINITY,
            bridge_hi: f64::INFINITY,
        };
        let x0 = run_spec.x0;
        with_stepper!(self, step => run_ordered_part(
            part,
            &init,
            |range: std::ops::Range<u64>, acc: &mut A| {
                for i in range {
                    let mut st = step;
                    let mut state = [x0, 0.0]; // x and the velocity (0) or landmark (set at step 1)
                    let mut mon = Projected::new(
                        |s: &[f64]| s[0],
                        Exit::<NoVariance, false>::new(window, NoVariance),
                    );
                    let why = run(
                        &mut st,
                        &source,
                        &mut mon,
                        &mut state[..],
                        &mut path_rng(seed, i),
                    );
                    push(acc, PathExit::from_stop(why));
                }
            },
            &mut after_batch,
        ));
        Ok(())
    }

    /// SVRG's landmarks: `x*_k`, the iterate at the start of outer loop `k = 0, …,
    /// outer` (`x*_0 = x0`, then the iterate after every `m` steps), for `runs` runs
    /// (run `i` from `path_rng(seed, i)`, stored in run order).
    ///
    /// # Errors
    /// A parameter error naming `optimizer` unless this is SVRG, `x0` (not finite),
    /// `outer` or `runs` (zero).
    pub fn landmarks(
        &self,
        x0: f64,
        outer: usize,
        runs: u64,
        seed: u64,
        progress: &mut dyn FnMut(f64),
    ) -> Result<Landmarks> {
        let Optimizer::Svrg { inner } = self.optimizer else {
            return Err(param("optimizer", f64::NAN, "SVRG (Optimizer::Svrg)"));
        };
        finite("x0", x0)?;
        count("outer", outer)?;
        count("runs", runs as usize)?;
        let source = self.source(outer * inner)?;
        let idx: Vec<usize> = (0..=outer).map(|k| k * inner).collect();
        let rows = with_stepper!(self, step => run_ordered(
            runs,
            Collect::default,
            |i, acc: &mut Collect| {
                let mut st = step;
                let mut state = [x0, x0];
                let mut mon = Projected::new(
                    |s: &[f64]| s[0],
                    crate::integrate::monitor::Snapshots::new(&idx).expect("ascending, non-empty"),
                );
                run(
                    &mut st,
                    &source,
                    &mut mon,
                    &mut state[..],
                    &mut path_rng(seed, i),
                );
                acc.0.extend_from_slice(mon.inner().values());
            },
            |d, t| progress(d as f64 / t as f64),
        ));
        Ok(Landmarks {
            outer,
            values: rows.0,
        })
    }
}

/// SVRG's landmarks `x*_k`, `k = 0, …, outer`, of every run ([`Sgd::landmarks`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Landmarks {
    outer: usize,
    values: Vec<f64>,
}

impl Landmarks {
    /// Number of runs.
    pub fn runs(&self) -> usize {
        self.values.len() / (self.outer + 1)
    }
    /// Number of outer loops.
    pub fn outer(&self) -> usize {
        self.outer
    }
    /// The landmarks of run `i`.
    pub fn run(&self, i: usize) -> &[f64] {
        &self.values[i * (self.outer + 1)..(i + 1) * (self.outer + 1)]
    }
    /// `(x*_{k+1} − x*_k)/x*_k`, the end of inner loop `k + 1` relative to its landmark,
    /// over all runs (`k = 0, …, outer − 1`); a zero landmark gives no ratio.
    pub fn ratios(&self, k: usize) -> Vec<f64> {
        (0..self.runs())
            .filter_map(|i| {
                let r = self.run(i);
                (r[k] != 0.0).then(|| (r[k + 1] - r[k]) / r[k])
            })
            .collect()
    }
    /// The growth of `ln|x*|` per outer loop, `(ln|x*_K| − ln|x*_0|)/K`, averaged over
    /// runs with its standard error; runs whose landmarks are not finite and non-zero
    /// are left out and counted in the second value.
    pub fn log_growth(&self) -> (Option<crate::escape::Estimate>, usize) {
        let mut mv = crate::ensemble::MeanVar::default();
        let mut bad = 0;
        let k = self.outer as f64;
        for i in 0..self.runs() {
            let r = self.run(i);
            let g = (r[self.outer].abs().ln() - r[0].abs().ln()) / k;
            if g.is_finite() {
                mv.push(g);
            } else {
                bad += 1;
            }
        }
        let est = (mv.count() > 1).then(|| crate::escape::Estimate {
            estimate: mv.mean(),
            stderr: mv.stderr(),
        });
        (est, bad)
    }
    /// The fraction of inner loops after which `|x*|` did not grow, over all runs and
    /// loops.
    pub fn shrinking(&self) -> crate::uncertainty::Proportion {
        let mut shrink = 0u64;
        let mut all = 0u64;
        for i in 0..self.runs() {
            for w in self.run(i).windows(2) {
                all += 1;
                shrink += u64::from(
                    w[1].abs().partial_cmp(&w[0].abs()) != Some(std::cmp::Ordering::Greater),
                );
            }
        }
        crate::uncertainty::Proportion::new(shrink, all).expect("all > 0")
    }
}

/// The tail of the escape step ([`Sgd::escape_tail`]): survival counts on a logarithmic
/// grid and the censored Pareto fit beyond `from`.
///
/// For the runs still inside after `from` steps, with `k` of them escaping by `M =
/// max_steps`, the maximum-likelihood exponent of `P(N > n | N > from) = (n/from)^{−γ}`
/// under censoring at `M` is `γ̂ = k / Σ ln(min(N_i, M)/from)`, with standard error
/// `γ̂/√k` (Fisher information).
#[derive(Debug, Clone, PartialEq)]
pub struct EscapeTail {
    runs: u64,
    from: usize,
    max_steps: usize,
    marks: Vec<usize>,
    alive: Vec<u64>,
    tail_exits: u64,
    tail_log: f64,
    blown_up: u64,
}

impl EscapeTail {
    fn new(from: usize, max_steps: usize) -> Self {
        // ten marks per decade, 1 … max_steps
        let mut marks: Vec<usize> = (0..)
            .map(|k| 10f64.powf(k as f64 / 10.0).round() as usize)
            .take_while(|&n| n < max_steps)
            .collect();
        marks.dedup();
        marks.push(max_steps);
        let len = marks.len();
        Self {
            runs: 0,
            from,
            max_steps,
            marks,
            alive: vec![0; len],
            tail_exits: 0,
            tail_log: 0.0,
            blown_up: 0,
        }
    }
    fn push(&mut self, e: PathExit, lr: f64) {
        self.runs += 1;
        let n = match e {
            PathExit::Upper(t) | PathExit::Lower(t) => (t / lr).round() as usize,
            PathExit::Censored => usize::MAX,
            PathExit::BlownUp => {
                self.blown_up += 1;
                return;
            }
        };
        for (m, a) in self.marks.iter().zip(self.alive.iter_mut()) {
            if n > *m {
                *a += 1;
            } else {
                break;
            }
        }
        if n > self.from {
            let end = n.min(self.max_steps);
            self.tail_log += (end as f64 / self.from as f64).ln();
            if n <= self.max_steps {
                self.tail_exits += 1;
            }
        }
    }
    /// Number of runs.
    pub fn runs(&self) -> u64 {
        self.runs
    }
    /// Runs that ended non-finite (not in the survival counts).
    pub fn blown_up(&self) -> u64 {
        self.blown_up
    }
    /// `(n, P(N > n))` on the grid of ten steps per decade up to `max_steps`, each a
    /// proportion of the runs that did not blow up.
    pub fn survival(&self) -> Vec<(usize, crate::uncertainty::Proportion)> {
        let trials = self.runs - self.blown_up;
        self.marks
            .iter()
            .zip(&self.alive)
            .filter_map(|(&m, &a)| Some((m, crate::uncertainty::Proportion::new(a, trials).ok()?)))
            .collect()
    }
    /// The fitted tail exponent `γ̂` beyond `from` steps with its standard error, and the
    /// number `k` of escapes it rests on; `None` without escapes beyond `from`.
    pub fn tail_exponent(&self) -> Option<(crate::escape::Estimate, u64)> {
        (self.tail_exits > 0 && self.tail_log > 0.0).then(|| {
            let g = self.tail_exits as f64 / self.tail_log;
            (
                crate::escape::Estimate {
                    estimate: g,
                    stderr: g / (self.tail_exits as f64).sqrt(),
                },
                self.tail_exits,
            )
        })
    }
}

impl crate::ensemble::Merge for EscapeTail {
    fn merge(&mut self, o: &Self) {
        self.runs += o.runs;
        self.blown_up += o.blown_up;
        for (a, b) in self.alive.iter_mut().zip(&o.alive) {
            *a += b;
        }
        self.tail_exits += o.tail_exits;
        self.tail_log += o.tail_log;
    }
}

impl Sgd<'_> {
    /// `φ(x_n)` after `steps` steps from `x0`, summarised over `runs` runs (run `i`
    /// draws from `path_rng(seed, i)`, merged in run order): mean and variance with their
    /// standard error. Runs that end non-finite are counted in the second value.
    ///
    /// # Errors
    /// A parameter error naming `x0` (not finite), `steps` or `runs` (zero).
    pub fn terminal_of(
        &self,
        x0: f64,
        steps: usize,
        runs: u64,
        seed: u64,
        phi: impl Fn(f64) -> f64 + Sync,
        progress: &mut dyn FnMut(f64),
    ) -> Result<(crate::ensemble::MeanVar, u64)> {
        #[derive(Default)]
        struct Acc(crate::ensemble::MeanVar, u64);
        impl crate::ensemble::Merge for Acc {
            fn merge(&mut self, o: &Self) {
                self.0.merge(&o.0);
                self.1 += o.1;
            }
        }
        let acc = self.terminal_with(
            x0,
            steps,
            runs,
            seed,
            Acc::default,
            |acc: &mut Acc, x| {
                let v = phi(x);
                if v.is_finite() {
                    acc.0.push(v);
                } else {
                    acc.1 += 1;
                }
            },
            progress,
        )?;
        Ok((acc.0, acc.1))
    }

    /// The runs of [`terminal_of`](Self::terminal_of): `x_n` after `steps` steps of run
    /// `i` (from `path_rng(seed, i)`), summarised by `push` into `A` in run order.
    #[allow(clippy::too_many_arguments)]
    fn terminal_with<A: Send + crate::ensemble::Merge>(
        &self,
        x0: f64,
        steps: usize,
        runs: u64,
        seed: u64,
        init: impl Fn() -> A + Sync,
        push: impl Fn(&mut A, f64) + Sync,
        progress: &mut dyn FnMut(f64),
    ) -> Result<A> {
        finite("x0", x0)?;
        count("steps", steps)?;
        count("runs", runs as usize)?;
        let source = self.source(steps)?;
        Ok(with_stepper!(self, step => run_ordered(
            runs,
            init,
            |i, acc: &mut A| {
                let mut st = step;
                let mut state = [x0, 0.0]; // x and the velocity (0) or landmark (set at step 1)
                run(
                    &mut st,
                    &source,
                    &mut crate::integrate::monitor::EndValue,
                    &mut state[..],
                    &mut path_rng(seed, i),
                );
                push(acc, state[0]);
            },
            |d, t| progress(d as f64 / t as f64),
        )))
    }
}

impl Sgd<'_> {
    /// `x_n` after `steps` steps from `x0` for each of `runs` runs (run `i` draws from
    /// `path_rng(seed, i)`), in run order: the sample of the law at `t = steps·lr`
    /// (non-finite ends included as they are).
    ///
    /// # Errors
    /// As [`terminal_of`](Self::terminal_of).
    pub fn terminal_values(
        &self,
        x0: f64,
        steps: usize,
        runs: u64,
        seed: u64,
        progress: &mut dyn FnMut(f64),
    ) -> Result<Vec<f64>> {
        let out = self.terminal_with(
            x0,
            steps,
            runs,
            seed,
            Collect::default,
            |acc: &mut Collect, x| acc.0.push(x),
            progress,
        )?;
        Ok(out.0)
    }
}

/// An escape experiment: start, interval, step budget and number of runs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EscapeRun {
    x0: f64,
    lower: f64,
    upper: f64,
    max_steps: usize,
    runs: u64,
}

impl EscapeRun {
    /// Runs from `x0` until they leave `(lower, upper)` or take `max_steps` steps.
    ///
    /// # Errors
    /// A parameter error naming `lower`/`upper` (not finite, or `lower ≥ upper`), `x0`
    /// (not strictly inside), `max_steps` or `runs` (zero).
    pub fn new(x0: f64, lower: f64, upper: f64, max_steps: usize, runs: u64) -> Result<Self> {
        finite("lower", lower)?;
        finite("upper", upper)?;
        if lower >= upper {
            return Err(param("upper", upper, format!("> lower = {lower}")));
        }
        if !(x0 > lower && x0 < upper) {
            return Err(param(
                "x0",
                x0,
                format!("in (lower, upper) = ({lower}, {upper})"),
            ));
        }
        count("max_steps", max_steps)?;
        count("runs", runs as usize)?;
        Ok(Self {
            x0,
            lower,
            upper,
            max_steps,
            runs,
        })
    }
}

/// One step of an optimiser on the finite-sum saddle model: a [`Stepper`] with state
/// `[x, auxiliary]` and the noise of a [`BatchSource`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OptimStep {
    a: f64,
    lr0: f64,
    schedule: Schedule,
    optimizer: Optimizer,
    perturb: f64,
}

impl Stepper for OptimStep {
    type State = [f64];
    type Noise = BatchNoise;
    #[inline(always)]
    fn step(&mut self, _t: f64, s: &mut [f64], noise: &BatchNoise) {
        // the step's index n = 1, 2, … comes with the noise (exact, not from t)
        let lr = self.schedule.rate(self.lr0, noise.n);
        let p = self.perturb;
        match self.optimizer {
            Optimizer::Sgd => rule::Sgd.apply(self.a, lr, p, s, noise),
            Optimizer::Momentum { beta } => rule::Momentum { beta }.apply(self.a, lr, p, s, noise),
            Optimizer::Svrg { inner } => rule::Svrg { inner }.apply(self.a, lr, p, s, noise),
            Optimizer::Relu { width } => rule::Relu { width }.apply(self.a, lr, p, s, noise),
        }
    }
    fn is_finite(s: &[f64]) -> bool {
        s.iter().all(|v| v.is_finite())
    }
}
