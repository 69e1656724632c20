//! Multilevel Monte Carlo (Giles 2008): `E[φ(x_T)]`, a smoothed `P(x_T > K)`, and exit
//! probabilities and mean exit times ([`ExitPayoff`]) to a root-mean-square error `ε` at
//! the least cost.
//!
//! # The estimator
//! Level `ℓ = 0, 1, …, L` uses `n_ℓ = n₀·R^ℓ` steps of `h_ℓ = T/n_ℓ` (refinement
//! factor `R = 2` or `4`). With `P_ℓ` the payoff of a path on level `ℓ`,
//!
//! ```text
//! E[P_L] = E[P₀] + Σ_{ℓ=1}^{L} E[P_ℓ − P_{ℓ−1}],
//! ```
//!
//! and each term is estimated from `N_ℓ` independent samples of `Y_ℓ = P_ℓ − P_{ℓ−1}`,
//! where the fine path (`h_ℓ`) and the coarse path (`h_{ℓ−1}`) of one sample are driven
//! by **the same Brownian motion**: the coarse step's increments and iterated integrals
//! are those of its `R` fine steps, summed exactly by Chen's relation
//! ([`chen`](crate::noise::chen)). With `V_ℓ = Var Y_ℓ` and cost `C_ℓ` per sample, the
//! variance `Σ V_ℓ/N_ℓ` is least for a given cost at `N_ℓ ∝ √(V_ℓ/C_ℓ)`. If
//! `|E[P_ℓ − P]| ∝ h_ℓ^α`, `V_ℓ ∝ h_ℓ^β` and `C_ℓ ∝ h_ℓ^{−γ}`, the cost to reach an
//! RMSE `ε` is `O(ε⁻²)` when `β > γ`, `O(ε⁻²(log ε)²)` when `β = γ` (Giles 2008,
//! Theorem 3.1), against `O(ε^{−2−γ/α})` for plain Monte Carlo.
//!
//! # The adaptive algorithm
//! [`Mlmc::estimate`] follows Giles' `mlmc` routine (Acta Numerica 2015, §2.1) with
//! the mean square error split evenly, `ε² = ε²/2 (variance) + ε²/2 (bias²)`:
//! 1. start with levels `0…L_min` and `N_init` samples on each;
//! 2. estimate `V_ℓ` and `C_ℓ`, set `N_ℓ = ⌈2ε⁻² √(V_ℓ/C_ℓ) Σ_k √(V_k C_k)⌉` and draw
//!    the extra samples (`V_ℓ` and `|E Y_ℓ|` on levels `ℓ ≥ 2` are floored at half their
//!    extrapolation from the level below, as Giles does, against a level whose few
//!    samples happen to agree);
//! 3. once no level needs more than 1 % more samples, estimate the remaining bias as
//!    `max_{k ≤ 2} |E Y_{L−k}| R^{−kα}/(R^α − 1)` (the last three levels ≥ 1) and add a
//!    level while it exceeds `ε/√2`.
//!
//! `α`, `β`, `γ` are fitted by least squares on `ln` against `ln h` over the levels
//! `ℓ ≥ 1` (floored at ½, as Giles does; the `α` of the bias test is also capped at 1,
//! the weak order of every scheme here, unless fixed by [`Mlmc::weak_order`]).
//! **Costs are counted in path-steps** (fine + coarse steps per sample), not seconds, so
//! that the number of samples, and with it every result, is fixed by the seed; the wall
//! time per level is measured and reported beside it.
//!
//! # Couplings
//! | [`Coupling`] | fine and coarse scheme | `β` (saddle SDE, non-commutative noise) |
//! |---|---|---|
//! | `EulerMaruyama` | EM on both | 1 |
//! | `Milstein` | Milstein with Lévy areas (the coarse area from the fine ones by Chen) | 2 |
//! | `TruncatedMilstein` | Milstein without areas | 1 (the dropped area is `O(h)` per step) |
//! | `Antithetic` | Giles–Szpruch (2014): the fine payoff is the mean over the path and its antithetic twin, which takes each pair of fine increments in swapped order; no areas (`R = 2`) | 2 for smooth payoffs |
//!
//! # Reproducibility
//! Sample `i` of level `ℓ` is path [`path_rng`]`(s_ℓ, i)` with `s_ℓ` a fixed function of
//! `(seed, ℓ)`; samples added later on a level continue its index range. Batches merge
//! in index order ([`run_ordered_part`]), so results are the same bit for bit on any
//! thread count. Every decision of the adaptive algorithm is a function of the level
//! sums, so a run can be stopped between two batches and continued from its
//! [`MlmcState`] ([`Mlmc::estimate_part`]) to the same bits.
//!
//! References: M. B. Giles, *Multilevel Monte Carlo path simulation*, Oper. Res. 56
//! (2008) 607–617; *Multilevel Monte Carlo methods*, Acta Numerica 24 (2015) 259–328;
//! M. B. Giles and L. Szpruch, *Antithetic multilevel Monte Carlo estimation for
//! multi-dimensional SDEs without Lévy area simulation*, Ann. Appl. Probab. 24 (2014)
//! 1585–1620.
//!
//! ```
//! use saddle_sde::{mlmc::{Coupling, Mlmc, Terminal}, models::SaddleSde};
//! let m = SaddleSde::new(1.0, 1.0, 0.5, 0.3)?;
//! let r = Mlmc::new(&m, Coupling::Milstein).start(0.1).horizon(1.0).seed(1)
//!     .estimate(&Terminal(|x: f64| x * x), 0.02)?;
//! let exact = saddle_sde::analytic::saddle::second_moment(&m, 0.1, 1.0);
//! assert!(r.rmse() <= 0.02 * 1.001);
//! // a 4-sigma bound on the estimator's own error (bias and sampling)
//! assert!((r.estimate - exact).abs() < 4.0 * r.rmse());
//! # Ok::<(), saddle_sde::Error>(())
//! ```

use crate::ensemble::{CHUNK, Collect, MeanVar, Merge, Partial, run_ordered, run_ordered_part};
use crate::error::{Error, Result, count, finite, param, positive};
use crate::integrate::monitor::{EndValue, LocalVariance, ModelVariance, Monitor, bridge_crossing};
use crate::integrate::{Grid, ScalarStepper, Stepper, StopReason, run};
use crate::noise::{
    GAUSSIAN_BLOCK, Gaussian, GaussianAreas, LevyArea, NoiseSource, ScalarNoise, StepNoise,
    Stepwise, path_rng, sub_seed,
};
use crate::scheme::{CommutativeMilstein, EulerMaruyama, Milstein, ScalarScheme};
use crate::sde::{ScalarMilsteinSde, ScalarSde};
use statrs::function::erf::erfc;
use std::ops::ControlFlow;
use std::time::Instant;

/// How the fine and coarse paths of a level are coupled (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Coupling {
    /// Euler–Maruyama on both levels (`β = 1`).
    EulerMaruyama,
    /// Milstein with Lévy areas on both levels (`β = 2`).
    Milstein,
    /// Milstein without the Lévy area on both levels (`β = 1` for non-commutative noise).
    TruncatedMilstein,
    /// The antithetic truncated Milstein of Giles and Szpruch (`β = 2` for smooth
    /// payoffs, no areas; refinement factor 2 only).
    Antithetic,
}

impl Coupling {
    /// The name used by the CLI and in JSON.
    pub fn name(self) -> &'static str {
        match self {
            Coupling::EulerMaruyama => "em",
            Coupling::Milstein => "milstein",
            Coupling::TruncatedMilstein => "truncated-milstein",
            Coupling::Antithetic => "antithetic",
        }
    }
}

/// What is estimated: a functional of the end state, possibly with the last step
/// integrated out analytically.
pub trait Payoff<S: ScalarSde<M>, const M: usize>: Sync {
    /// Whether the last fine step (and the last coarse step, given the increments of
    /// its first `R − 1` fine steps) is replaced by its conditional expectation.
    const SMOOTHED: bool;
    /// `φ(x)` at the end state (used when not [`SMOOTHED`](Self::SMOOTHED)).
    fn terminal(&self, x: f64) -> f64;
    /// Checks the payoff's own parameters before a run (default: nothing to check).
    ///
    /// # Errors
    /// A parameter error naming the payoff's bad parameter.
    fn check(&self) -> Result<()> {
        Ok(())
    }
    /// For a smoothed payoff: `E[φ(x + f(t, x) h + Σ_k G_k(t, x)(known_k + ΔZ_k))]` with
    /// `ΔZ_k ~ N(0, h_rest)` independent: the conditional expectation over the rest of
    /// an Euler step of length `h` of which increments `known` are already drawn.
    fn last_step(&self, sde: &S, t: f64, x: f64, h: f64, known: &[f64; M], h_rest: f64) -> f64;
}

/// `E[φ(x_T)]` for a function `φ` (`x_T`, `x_T²`, a Lipschitz payoff, …).
#[derive(Debug, Clone, Copy)]
pub struct Terminal<F>(pub F);

impl<S: ScalarSde<M>, F: Fn(f64) -> f64 + Sync, const M: usize> Payoff<S, M> for Terminal<F> {
    const SMOOTHED: bool = false;
    #[inline]
    fn terminal(&self, x: f64) -> f64 {
        (self.0)(x)
    }
    fn last_step(&self, _: &S, _: f64, x: f64, _: f64, _: &[f64; M], _: f64) -> f64 {
        (self.0)(x)
    }
}

/// `P(x_T > K)`, with the last step integrated out: given the state before it, an
/// Euler step ends above `K` with probability `Φ((x + f h + Σ G_k known_k − K)/(|G|√h_rest))`.
/// Without smoothing the indicator's level differences are `O(1)` on the event that the
/// fine and coarse paths end on different sides of `K`, whose probability is of the
/// order of the strong error: `β` collapses to ½ with EM and to 1 with Milstein.
/// Smoothed, `β ≈ 1.5` with Milstein (Giles 2008b).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tail {
    /// The threshold `K`.
    pub threshold: f64,
}

impl<S: ScalarSde<M>, const M: usize> Payoff<S, M> for Tail {
    const SMOOTHED: bool = true;
    fn check(&self) -> Result<()> {
        finite("threshold", self.threshold).map(|_| ())
    }
    fn terminal(&self, x: f64) -> f64 {
        f64::from(u8::from(x > self.threshold))
    }
    fn last_step(&self, sde: &S, t: f64, x: f64, h: f64, known: &[f64; M], h_rest: f64) -> f64 {
        let g = sde.diffusion(t, x);
        let mut mean = x + sde.drift(t, x) * h;
        let mut g2 = 0.0;
        for k in 0..M {
            mean += g[k] * known[k];
            g2 += g[k] * g[k];
        }
        let sd = (g2 * h_rest).sqrt();
        let d = mean - self.threshold;
        if sd > 0.0 {
            // Φ(d/sd) = erfc(−d/(sd√2))/2, accurate in both tails
            0.5 * erfc(-d / (sd * std::f64::consts::SQRT_2))
        } else {
            f64::from(u8::from(d > 0.0))
        }
    }
}

/// An exit quantity of the interval `(lower, upper)` by the horizon `T`, for
/// [`Mlmc::estimate_exit`]: `P(τ ≤ T, x_τ = upper)` or `E[min(τ, T)]`, `τ` the first
/// exit time (one end may be infinite).
///
/// Each path carries its **conditional survival** instead of a random bridge test:
/// between steps `x → y` both inside, a Brownian bridge with the local variance `b²(t, x)`
/// crosses the end `c` with probability `p_c = exp(−2(c − x)(c − y)/(b² h))` (the test of
/// [`Exit`](crate::integrate::monitor::Exit)). Where that monitor draws a uniform and
/// stops the path, this one multiplies the probability of being alive by
/// `1 − min(p_l + p_u, 1)` and adds the alive mass times the upper share to the exit
/// probability. The result is the conditional expectation of the randomised test given
/// the path, with the same mean and a smaller variance. Because no uniform is drawn, the
/// fine and coarse payoffs are smooth functions of the shared Brownian path. A discrete
/// exit `y ∉ (lower, upper)` ends the path.
/// `E[min(τ, T)]` adds `h` times the alive mass over each step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ExitPayoff {
    /// The lower end (`−∞` for none).
    pub lower: f64,
    /// The upper end (`+∞` for none).
    pub upper: f64,
    /// What is estimated.
    pub quantity: ExitQuantity,
}

/// Which exit quantity [`ExitPayoff`] estimates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum ExitQuantity {
    /// `P(τ ≤ T, x_τ = upper)`: exit through the upper end before the horizon.
    UpperBeforeHorizon,
    /// `E[min(τ, T)]`: the mean exit time capped at the horizon.
    MeanExitTime,
}

/// One path's conditional survival (see [`ExitPayoff`]).
#[derive(Debug, Clone, Copy)]
struct Survival {
    /// Probability that the path has not exited.
    alive: f64,
    /// Probability that it has exited through the upper end.
    up: f64,
    /// `E[min(τ, t)]` so far.
    time: f64,
    /// The state at the start of the step.
    x: f64,
    /// A non-finite state was met.
    failed: bool,
}

impl Survival {
    fn new(x0: f64) -> Self {
        Self {
            alive: 1.0,
            up: 0.0,
            time: 0.0,
            x: x0,
            failed: false,
        }
    }
    /// One step to `y` of length `h`, with `b2h = b²(t, x)·h`.
    #[inline(always)]
    fn step(&mut self, exit: &ExitPayoff, b2h: f64, y: f64, h: f64) {
        if self.alive == 0.0 {
            return;
        }
        self.time += self.alive * h;
        let x = self.x;
        self.x = y;
        let (lo, hi) = (exit.lower, exit.upper);
        if !y.is_finite() {
            // a blown-up path is a failure, never an exit through an infinite end
            self.failed = true;
            self.alive = 0.0;
        } else if y >= hi {
            self.up += self.alive;
            self.alive = 0.0;
        } else if y <= lo {
            self.alive = 0.0;
        } else if let Some((p_lo, p_hi)) = bridge_crossing(x, y, lo, hi, b2h) {
            // the randomised test exits below when U < p_lo and above when
            // p_lo <= U < p_lo + p_hi
            let q_lo = p_lo.min(1.0);
            let q_hi = (p_lo + p_hi).min(1.0) - q_lo;
            self.up += self.alive * q_hi;
            self.alive *= 1.0 - q_lo - q_hi;
        }
    }
}

/// The exit monitor of a lone path (level 0): stops it once it has surely exited.
struct LoneExit<'a, S, const M: usize> {
    sde: &'a S,
    exit: &'a ExitPayoff,
    path: Survival,
}

impl<S: ScalarSde<M>, const M: usize> Monitor<f64> for LoneExit<'_, S, M> {
    const CAN_STOP: bool = true;
    #[inline(always)]
    fn after_step<R: rand::Rng + ?Sized>(
        &mut self,
        _: usize,
        t: f64,
        h: f64,
        y: &f64,
        _: &mut R,
    ) -> Option<StopReason> {
        let b2h = ModelVariance::<S, M>(self.sde).b2(t, self.path.x) * h;
        self.path.step(self.exit, b2h, *y, h);
        (self.path.alive == 0.0).then_some(StopReason::Requested { t: t + h })
    }
}

/// The exit monitor of a coupled sample: the fine path after every fine step, the
/// coarse path after every `R`-th (each with its own step and local variance); stops
/// the sample once both have surely exited.
struct CoupledExit<'a, S, const M: usize> {
    sde: &'a S,
    exit: &'a ExitPayoff,
    h_coarse: f64,
    fine: Survival,
    coarse: Survival,
}

impl<S: ScalarSde<M>, const M: usize> Monitor<CoupledState<M>> for CoupledExit<'_, S, M> {
    const CAN_STOP: bool = true;
    #[inline(always)]
    fn after_step<R: rand::Rng + ?Sized>(
        &mut self,
        _: usize,
        t: f64,
        h: f64,
        y: &CoupledState<M>,
        _: &mut R,
    ) -> Option<StopReason> {
        let b2h = ModelVariance::<S, M>(self.sde).b2(t, self.fine.x) * h;
        self.fine.step(self.exit, b2h, y.fine, h);
        if y.j == 0 {
            // a coarse step from t_coarse has just been taken
            let hc = self.h_coarse;
            let b2h = ModelVariance::<S, M>(self.sde).b2(y.t_coarse, self.coarse.x) * hc;
            self.coarse.step(self.exit, b2h, y.coarse, hc);
        }
        (self.fine.alive == 0.0 && self.coarse.alive == 0.0)
            .then_some(StopReason::Requested { t: t + h })
    }
}

/// The state of one coupled sample: the fine path, its antithetic twin (used by
/// [`Coupling::Antithetic`] only) and the coarse path, with the noise of the coarse
/// step in progress.
#[derive(Debug, Clone, Copy)]
struct CoupledState<const M: usize> {
    fine: f64,
    anti: f64,
    coarse: f64,
    /// Start time of the coarse step in progress.
    t_coarse: f64,
    /// Its noise so far (Chen's relation over its first `j` fine steps).
    acc: StepNoise<M>,
    /// The first fine increment of the pair (antithetic).
    first: [f64; M],
    /// Fine steps taken of the coarse step in progress.
    j: usize,
}

impl<const M: usize> CoupledState<M> {
    fn new(x0: f64) -> Self {
        Self {
            fine: x0,
            anti: x0,
            coarse: x0,
            t_coarse: 0.0,
            acc: StepNoise {
                h: 0.0,
                dz: [0.0; M],
                iterated: [[0.0; M]; M],
            },
            first: [0.0; M],
            j: 0,
        }
    }
}

/// One fine step of a coupled sample and, every `R` fine steps, one coarse step on
/// their summed noise. `CHEN`: the coarse step reads the iterated integrals (Chen's
/// relation over the fine ones); otherwise only the summed increments. `ANTI`: the
/// antithetic twin takes each pair of fine steps in swapped order.
#[derive(Debug, Clone, Copy)]
struct CoupledStepper<'a, S, Sch, const M: usize, const CHEN: bool, const ANTI: bool> {
    sde: &'a S,
    scheme: Sch,
    r: usize,
    h_coarse: f64,
}

impl<S, Sch, const M: usize, const CHEN: bool, const ANTI: bool> Stepper
    for CoupledStepper<'_, S, Sch, M, CHEN, ANTI>
where
    S: ScalarSde<M>,
    Sch: ScalarScheme<S, M>,
{
    type State = CoupledState<M>;
    type Noise = StepNoise<M>;
    #[inline(always)]
    fn step(&mut self, t: f64, x: &mut CoupledState<M>, noise: &StepNoise<M>) {
        if x.j == 0 {
            x.t_coarse = t;
            if ANTI {
                x.first = noise.dz;
            }
        }
        x.fine = self.scheme.step(self.sde, t, x.fine, noise);
        if CHEN {
            for j in 0..M {
                for k in 0..M {
                    x.acc.iterated[j][k] += noise.iterated[j][k] + x.acc.dz[j] * noise.dz[k];
                }
            }
        }
        for k in 0..M {
            x.acc.dz[k] += noise.dz[k];
        }
        x.j += 1;
        if x.j == self.r {
            let coarse = if CHEN {
                StepNoise {
                    h: self.h_coarse,
                    dz: x.acc.dz,
                    iterated: x.acc.iterated,
                }
            } else {
                StepNoise::without_areas(self.h_coarse, x.acc.dz)
            };
            x.coarse = self.scheme.step(self.sde, x.t_coarse, x.coarse, &coarse);
            if ANTI {
                // r = 2: the twin takes the second increment first
                let h = noise.h;
                let second = StepNoise::without_areas(h, noise.dz);
                let first = StepNoise::without_areas(h, x.first);
                x.anti = self.scheme.step(self.sde, x.t_coarse, x.anti, &second);
                x.anti = self.scheme.step(self.sde, x.t_coarse + h, x.anti, &first);
            }
            x.acc = CoupledState::<M>::new(0.0).acc;
            x.j = 0;
        }
    }
    fn is_finite(x: &CoupledState<M>) -> bool {
        x.fine.is_finite() && x.coarse.is_finite() && (!ANTI || x.anti.is_finite())
    }
}

/// Streaming central moments up to the fourth (Pébay 2008: one-pass update and an
/// exact pairwise merge), for the level variances and their kurtosis.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
struct Moments {
    n: u64,
    mean: f64,
    m2: f64,
    m3: f64,
    m4: f64,
}

impl Moments {
    #[inline]
    fn push(&mut self, x: f64) {
        self.merge(&Moments {
            n: 1,
            mean: x,
            ..Moments::default()
        });
    }
    fn merge(&mut self, o: &Moments) {
        if o.n == 0 {
            return;
        }
        if self.n == 0 {
            *self = *o;
            return;
        }
        let (na, nb) = (self.n as f64, o.n as f64);
        let n = na + nb;
        let d = o.mean - self.mean;
        let (d2, d3, d4) = (d * d, d * d * d, d * d * d * d);
        let m2 = self.m2 + o.m2 + d2 * na * nb / n;
        let m3 = self.m3
            + o.m3
            + d3 * na * nb * (na - nb) / (n * n)
            + 3.0 * d * (na * o.m2 - nb * self.m2) / n;
        let m4 = self.m4
            + o.m4
            + d4 * na * nb * (na * na - na * nb + nb * nb) / (n * n * n)
            + 6.0 * d2 * (na * na * o.m2 + nb * nb * self.m2) / (n * n)
            + 4.0 * d * (na * o.m3 - nb * self.m3) / n;
        self.mean += d * nb / n;
        self.m2 = m2;
        self.m3 = m3;
        self.m4 = m4;
        self.n += o.n;
    }
    fn count(&self) -> u64 {
        self.n
    }
    fn mean(&self) -> f64 {
        if self.n == 0 { f64::NAN } else { self.mean }
    }
    /// Unbiased variance (NaN below two samples).
    fn variance(&self) -> f64 {
        if self.n < 2 {
            f64::NAN
        } else {
            self.m2 / (self.n - 1) as f64
        }
    }
    /// Kurtosis `n·m4/m2²` (3 for a normal; NaN when the variance is 0).
    fn kurtosis(&self) -> f64 {
        self.n as f64 * self.m4 / (self.m2 * self.m2)
    }
}

/// The running sums of one level: `Y_ℓ = P_ℓ − P_{ℓ−1}` and the fine payoff `P_ℓ`.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
struct LevelSums {
    y: Moments,
    p: MeanVar,
    /// Samples whose path was not finite, and the first such index.
    failed: u64,
    first_failed: u64,
}

impl Merge for LevelSums {
    fn merge(&mut self, o: &Self) {
        self.y.merge(&o.y);
        self.p.merge(&o.p);
        if self.failed == 0 {
            self.first_failed = o.first_failed;
        }
        self.failed += o.failed;
    }
}

impl LevelSums {
    #[inline]
    fn push(&mut self, i: u64, y: f64, p: f64, ok: bool) {
        if ok && y.is_finite() && p.is_finite() {
            self.y.push(y);
            self.p.push(p);
        } else {
            if self.failed == 0 {
                self.first_failed = i;
            }
            self.failed += 1;
        }
    }
}

/// One level's results.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct LevelStats {
    /// The level `ℓ`.
    pub level: usize,
    /// Fine steps `n_ℓ = n₀R^ℓ`.
    pub steps: usize,
    /// Samples `N_ℓ`.
    pub samples: u64,
    /// Sample mean of `Y_ℓ = P_ℓ − P_{ℓ−1}` (of `P₀` on level 0).
    pub mean: f64,
    /// Sample variance `V_ℓ` of `Y_ℓ`.
    pub variance: f64,
    /// Sample kurtosis of `Y_ℓ`: the relative standard error of `V_ℓ` is about
    /// `√((κ − 1)/N_ℓ)`, so a large `κ` (rare large differences, as for an unsmoothed
    /// indicator) means `V_ℓ` and the fitted `β` are not to be trusted.
    pub kurtosis: f64,
    /// Sample mean of the fine payoff `P_ℓ`.
    pub mean_fine: f64,
    /// Sample variance of `P_ℓ` (what plain Monte Carlo on this level would face).
    pub variance_fine: f64,
    /// Path-steps per sample (fine + coarse + antithetic steps).
    pub cost: f64,
    /// Wall time spent on this level, seconds (measured; not used in any decision).
    pub seconds: f64,
}

/// The fitted rates: `|E Y_ℓ| ∝ h^α`, `V_ℓ ∝ h^β`, `C_ℓ ∝ h^{−γ}` (least squares over
/// the levels `ℓ ≥ 1`; NaN with fewer than two such levels).
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Rates {
    /// Weak rate `α`.
    pub alpha: f64,
    /// Variance rate `β`.
    pub beta: f64,
    /// Cost rate `γ`.
    pub gamma: f64,
}

/// One batch of samples of one level.
#[derive(Debug, Clone, Copy)]
struct Job {
    level: usize,
    /// The level's seed.
    seed: u64,
    /// Index of the first sample and number of samples.
    first: u64,
    n: u64,
    /// Refinement factor and coarse step.
    r: usize,
    h_coarse: f64,
}

/// A level's fine noise source.
enum LevelNoise<const M: usize> {
    /// Fewer steps than a block: step by step.
    Short(Stepwise<M, false>),
    /// Fewer steps than a block, with areas.
    ShortAreas(Stepwise<M, true>),
    /// Bulk-drawn blocks.
    Long(ScalarNoise<M>),
}

/// The result of [`Mlmc::estimate`].
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct MlmcEstimate {
    /// The estimate `Σ_ℓ mean(Y_ℓ)` of `E[φ(x_T)]`.
    pub estimate: f64,
    /// The target RMSE `ε`.
    pub eps: f64,
    /// The estimated standard deviation of the estimator, `√(Σ V_ℓ/N_ℓ)`.
    pub std_error: f64,
    /// The estimated bias `max_{k ≤ 2} |E Y_{L−k}| R^{−kα}/(R^α − 1)` (levels ≥ 1), from
    /// the level means as sampled (the stopping rule used them after Giles' floors, so it
    /// may have seen a slightly larger value).
    pub bias: f64,
    /// Whether the bias estimate is below `ε/√2` (false when `L_max` was reached first).
    pub converged: bool,
    /// The level table.
    pub levels: Vec<LevelStats>,
    /// Rates fitted over the levels `ℓ ≥ 1`.
    pub rates: Rates,
    /// The weak order `α` the bias test used (see [`Mlmc::weak_order`]).
    pub alpha_used: f64,
    /// Total path-steps.
    pub path_steps: f64,
    /// Path-steps plain Monte Carlo would need for the same `ε` with the finest level's
    /// step: `2ε⁻² Var(P)·n_L` (the bias budget ε²/2 is the same), with `Var(P)` pooled
    /// over the finest three levels' fine payoffs.
    pub plain_path_steps: f64,
    /// The coupling used.
    pub coupling: Coupling,
    /// Refinement factor `R`.
    pub refine: usize,
}

impl MlmcEstimate {
    /// The estimated RMSE `√(std_error² + bias²)`.
    pub fn rmse(&self) -> f64 {
        self.std_error.hypot(self.bias)
    }
}

/// The state of an adaptive run ([`Mlmc::estimate_part`]) between two batches of
/// chunks of samples: the running sums of every level, the samples each level still
/// gets in the current round, the algorithm's decisions so far, and the merge tree of
/// the level batch under way. Saved (with serde) and given
/// back to a run with the same settings, it continues that run to the result of the
/// uninterrupted run, bit for bit (the wall times aside).
#[derive(Debug, Clone, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct MlmcState {
    sums: Vec<LevelSums>,
    secs: Vec<f64>,
    extra: Vec<u64>,
    /// The next level of the current round to sample.
    next: usize,
    converged: bool,
    /// The `α` of the last bias test.
    alpha: f64,
    done: bool,
    /// The unfinished batch of level `next`, if the run stopped inside one.
    inflight: Option<Partial<LevelSums>>,
}

impl MlmcState {
    /// A run not yet started.
    pub fn new() -> Self {
        Self::default()
    }
    /// Whether the run is finished ([`Mlmc::estimate_part`] then only reports it).
    pub fn is_complete(&self) -> bool {
        self.done
    }
    /// The levels so far.
    pub fn levels(&self) -> usize {
        self.sums.len()
    }
    /// Samples drawn so far, over all levels.
    pub fn samples(&self) -> u64 {
        self.sums
            .iter()
            .map(|s| s.y.count() + s.failed)
            .chain(self.inflight.as_ref().map(Partial::paths_done))
            .fold(0, u64::saturating_add)
    }
    /// Whether the state can be of a run with these settings.
    fn check(&self, min_levels: usize, max_levels: usize) -> Result<()> {
        let n = self.sums.len();
        let fresh = self.sums.is_empty();
        if !fresh
            && (n < min_levels + 1
                || n > max_levels + 1
                || self.secs.len() != n
                || self.extra.len() != n
                || self.next > n
                || self.inflight.as_ref().is_some_and(|p| {
                    p.check().is_err()
                        || p.group() != CHUNK
                        || self.extra.get(self.next) != Some(&p.paths())
                }))
        {
            return Err(param(
                "state",
                n as f64,
                format!(
                    "the state of a run of levels {min_levels} to {max_levels} (it has {n}                      levels, {} times, {} sample counts, next level {})",
                    self.secs.len(),
                    self.extra.len(),
                    self.next
                ),
            ));
        }
        Ok(())
    }
}

/// The multilevel estimator for a scalar model (a builder; see the module docs).
pub struct Mlmc<'a, S, const M: usize> {
    sde: &'a S,
    coupling: Coupling,
    x0: f64,
    t_end: f64,
    base_steps: usize,
    refine: usize,
    seed: u64,
    initial_samples: u64,
    min_levels: usize,
    max_levels: usize,
    weak_order: Option<f64>,
    max_cost: f64,
    progress: Progress<'a>,
}

/// The progress callback of a run.
type Progress<'a> = Option<Box<dyn FnMut(usize, u64) + 'a>>;

/// Called after each batch of chunks of a level's samples (it may stop the batch).
type AfterChunks<'b> = &'b mut dyn FnMut(&Partial<LevelSums>) -> ControlFlow<()>;

impl<'a, S, const M: usize> Mlmc<'a, S, M>
where
    S: ScalarMilsteinSde<M> + Sync,
{
    /// The estimator for `sde` with `coupling`. Defaults: `x0 = 0`, `T = 1`, `n₀ = 1`
    /// step on level 0, `R = 2`, seed 0, `N_init = 1000` samples per new level, levels
    /// `L_min = 2` to `L_max = 20`.
    pub fn new(sde: &'a S, coupling: Coupling) -> Self {
        Self {
            sde,
            coupling,
            x0: 0.0,
            t_end: 1.0,
            base_steps: 1,
            refine: 2,
            seed: 0,
            initial_samples: 1000,
            min_levels: 2,
            max_levels: 20,
            weak_order: None,
            max_cost: f64::INFINITY,
            progress: None,
        }
    }
    /// The start `x0`.
    pub fn start(mut self, x0: f64) -> Self {
        self.x0 = x0;
        self
    }
    /// The horizon `T`.
    pub fn horizon(mut self, t_end: f64) -> Self {
        self.t_end = t_end;
        self
    }
    /// Steps `n₀` on level 0.
    pub fn base_steps(mut self, n0: usize) -> Self {
        self.base_steps = n0;
        self
    }
    /// Refinement factor `R` (2 or 4; the antithetic coupling needs 2).
    pub fn refine(mut self, r: usize) -> Self {
        self.refine = r;
        self
    }
    /// The seed.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }
    /// Samples `N_init ≥ 2` drawn on each new level before its variance is estimated.
    pub fn initial_samples(mut self, n: u64) -> Self {
        self.initial_samples = n;
        self
    }
    /// The first and the largest finest level, `2 ≤ L_min ≤ L_max ≤ 40`.
    pub fn levels(mut self, min: usize, max: usize) -> Self {
        self.min_levels = min;
        self.max_levels = max;
        self
    }
    /// Fixes the weak order `α` used in the bias test (Giles' `alpha_0`). By default
    /// `α` is fitted over the levels `ℓ ≥ 1` and clamped to `[½, 1]`: 1 is the weak
    /// order of every scheme and payoff here (EM and Milstein, the smoothed tail, exits
    /// with the bridge test), and a fit over two or three noisy level means can come
    /// out far above it, which would extrapolate a small bias and stop too early (seen
    /// on an exit probability: a fit of 1.9 from levels 1 and 2).
    /// `α` must be in `[0.25, 10]` (checked when the run starts).
    pub fn weak_order(mut self, alpha: f64) -> Self {
        self.weak_order = Some(alpha);
        self
    }
    /// The most path-steps the run may plan to spend (default: no limit). After each
    /// round the sample counts the target needs are planned from the running estimates;
    /// a plan costing more than this (counting the fine and coarse steps of every
    /// sample, as [`MlmcEstimate::path_steps`] does) stops the run with an error on
    /// `max_cost` that gives the planned cost, before those samples are drawn. Must be
    /// positive (checked when the run starts).
    pub fn max_cost(mut self, path_steps: f64) -> Self {
        self.max_cost = path_steps;
        self
    }
    /// Called with `(level, samples so far on it)` after each batch of samples.
    pub fn progress(mut self, f: impl FnMut(usize, u64) + 'a) -> Self {
        self.progress = Some(Box::new(f));
        self
    }

    fn validate<P: Payoff<S, M>>(&self, payoff: &P) -> Result<()> {
        payoff.check()?;
        let refuse = P::SMOOTHED.then_some(
            "em, milstein or truncated-milstein for a smoothed tail probability (the \
             antithetic twin's last step is not conditionally Gaussian given the coarse path)",
        );
        self.validate_with(P::SMOOTHED, refuse)
    }

    /// The checks of every run: `smoothed` if the last fine step is integrated out,
    /// `no_antithetic` the reason the quantity refuses the antithetic coupling.
    fn validate_with(&self, smoothed: bool, no_antithetic: Option<&str>) -> Result<()> {
        finite("x0", self.x0)?;
        positive("t_end", self.t_end)?;
        if let Some(a) = self.weak_order
            && !(0.25..=10.0).contains(&a)
        {
            return Err(param("weak_order", a, "in [0.25, 10]"));
        }
        count("base_steps", self.base_steps)?;
        if self.max_cost.is_nan() || self.max_cost <= 0.0 {
            return Err(param("max_cost", self.max_cost, "> 0 path-steps"));
        }
        if !(self.refine == 2 || self.refine == 4) {
            return Err(param("refine", self.refine as f64, "2 or 4"));
        }
        if self.coupling == Coupling::Antithetic && self.refine != 2 {
            return Err(param(
                "refine",
                self.refine as f64,
                "2 with the antithetic coupling (it swaps pairs of fine steps)",
            ));
        }
        if let (Coupling::Antithetic, Some(why)) = (self.coupling, no_antithetic) {
            return Err(param("coupling", f64::NAN, why));
        }
        if self.initial_samples < 2 {
            return Err(param(
                "initial_samples",
                self.initial_samples as f64,
                ">= 2 (a level's variance needs two samples)",
            ));
        }
        if self.min_levels < 2 || self.min_levels > self.max_levels {
            return Err(param(
                "min_level",
                self.min_levels as f64,
                format!(
                    "in [2, L_max = {}] (the rates and the bias need two levels >= 1)",
                    self.max_levels
                ),
            ));
        }
        if self.max_levels > 40 {
            return Err(param("max_level", self.max_levels as f64, "in [2, 40]"));
        }
        let finest = (self.base_steps as f64) * (self.refine as f64).powi(self.max_levels as i32);
        if finest > 2f64.powi(48) {
            return Err(param(
                "max_level",
                self.max_levels as f64,
                format!(
                    "at most {} with base_steps = {} and refine = {} (n_L <= 2^48 steps)",
                    (48.0 * 2f64.ln() - (self.base_steps as f64).ln())
                        .div_euclid((self.refine as f64).ln()),
                    self.base_steps,
                    self.refine
                ),
            ));
        }
        // every level's grid must carry the noise its coupling draws
        for l in 0..=self.max_levels {
            self.fine_noise(l, smoothed).map_err(|e| match e {
                Error::Param(p) if p.name == "h" => param(
                    "max_level",
                    self.max_levels as f64,
                    format!(
                        "small enough that level {l}'s step T/n = {} is allowed ({})",
                        self.t_end / self.steps(l) as f64,
                        p.allowed
                    ),
                ),
                e => e,
            })?;
        }
        Ok(())
    }

    fn steps(&self, level: usize) -> usize {
        self.base_steps * self.refine.pow(level as u32)
    }

    fn grid(&self, level: usize) -> Result<Grid> {
        Grid::with_steps(self.t_end, self.steps(level))
    }

    /// The fine source of a level: what the fine scheme needs, over the whole grid or,
    /// for a smoothed payoff, all but its last step (a grid prefix draws exactly what
    /// the full run draws for those steps). Levels shorter than half a block of
    /// [`GAUSSIAN_BLOCK`] steps draw step by step ([`Stepwise`]): a bulk source would
    /// fill a whole block (and, with areas, allocate its buffer) for every sample.
    /// Measured on W1 with Milstein: level 0 (1 step) went from 400 to 80 ns per sample;
    /// at 32 steps the bulk source is faster again (730 against 950 ns per sample).
    fn fine_noise(&self, level: usize, smoothed: bool) -> Result<LevelNoise<M>> {
        let full = self.grid(level)?;
        let g = full.prefix(full.steps() - usize::from(smoothed))?;
        let areas = self.coupling == Coupling::Milstein
            && ScalarNoise::<M>::wants_areas(&Milstein, self.sde);
        Ok(match (full.steps() < GAUSSIAN_BLOCK / 2, areas) {
            (true, true) => {
                LevelNoise::ShortAreas(Stepwise::with_areas(&g, LevyArea::for_step(g.h())?)?)
            }
            (true, false) => LevelNoise::Short(Stepwise::new(&g)?),
            (false, true) => LevelNoise::Long(ScalarNoise::WithAreas(GaussianAreas::new(&g)?)),
            (false, false) => LevelNoise::Long(ScalarNoise::Gaussian(Gaussian::new(&g)?)),
        })
    }

    /// Path-steps per sample of a level.
    fn cost(&self, level: usize) -> f64 {
        let n = self.steps(level) as f64;
        match (level, self.coupling) {
            (0, _) => n,
            (_, Coupling::Antithetic) => 2.0 * n + n / self.refine as f64,
            _ => n + n / self.refine as f64,
        }
    }

    /// Samples `first..first + n` of `level`.
    fn sample_level<P: Payoff<S, M>>(
        &self,
        level: usize,
        first: u64,
        n: u64,
        payoff: &P,
        part: &mut Partial<LevelSums>,
        after: AfterChunks<'_>,
    ) -> Result<Option<LevelSums>> {
        let noise = self.fine_noise(level, P::SMOOTHED)?;
        let job = self.job(level, first, n);
        // the source and the coupling are resolved here, once per batch: each arm
        // compiles its own stepping loop
        macro_rules! by_coupling {
            ($src:expr) => {
                match self.coupling {
                    Coupling::EulerMaruyama => self.batch::<_, _, _, false, false>(
                        $src,
                        EulerMaruyama,
                        &job,
                        payoff,
                        (&mut *part, &mut *after),
                    ),
                    Coupling::Milstein => self.batch::<_, _, _, true, false>(
                        $src,
                        Milstein,
                        &job,
                        payoff,
                        (&mut *part, &mut *after),
                    ),
                    Coupling::TruncatedMilstein => self.batch::<_, _, _, false, false>(
                        $src,
                        CommutativeMilstein,
                        &job,
                        payoff,
                        (&mut *part, &mut *after),
                    ),
                    Coupling::Antithetic => self.batch::<_, _, _, false, true>(
                        $src,
                        CommutativeMilstein,
                        &job,
                        payoff,
                        (&mut *part, &mut *after),
                    ),
                }
            };
        }
        match noise {
            LevelNoise::Short(src) => by_coupling!(&src),
            LevelNoise::ShortAreas(src) => by_coupling!(&src),
            LevelNoise::Long(long) => crate::with_source!(long, |src| by_coupling!(src)),
        }
        self.finished(part, level, n)
    }

    /// The sums of a finished batch, checked; `None` while it is unfinished.
    fn finished(
        &self,
        part: &Partial<LevelSums>,
        level: usize,
        n: u64,
    ) -> Result<Option<LevelSums>> {
        if !part.is_complete() {
            return Ok(None);
        }
        self.check_finite(part.clone().finish()?, level, n)
            .map(Some)
    }

    /// Runs `sample` on a new batch of `n` samples to its end (`n = 0`: empty sums).
    fn whole_batch(
        n: u64,
        sample: impl FnOnce(&mut Partial<LevelSums>, AfterChunks<'_>) -> Result<Option<LevelSums>>,
    ) -> Result<LevelSums> {
        if n == 0 {
            return Ok(LevelSums::default());
        }
        let mut part = Partial::whole(n, CHUNK)?;
        Ok(sample(&mut part, &mut |_| ControlFlow::Continue(()))?
            .expect("a batch that is never stopped finishes"))
    }

    fn batch<Src, Sch, P, const CHEN: bool, const ANTI: bool>(
        &self,
        src: &Src,
        scheme: Sch,
        job: &Job,
        payoff: &P,
        (part, after): (&mut Partial<LevelSums>, AfterChunks<'_>),
    ) where
        Src: NoiseSource<Noise = StepNoise<M>>,
        Sch: ScalarScheme<S, M> + Copy + Sync,
        P: Payoff<S, M>,
    {
        let Job {
            level,
            seed,
            first,
            n,
            r,
            h_coarse,
        } = *job;
        let sde = self.sde;
        let x0 = self.x0;
        let h = src.h();
        // a smoothed payoff stops one fine step short (the source is a grid prefix) and
        // integrates the last one out
        let t_last = (self.steps(level) - 1) as f64 * h;
        debug_assert_eq!(part.paths(), n);
        run_ordered_part(
            part,
            LevelSums::default,
            |range, acc| {
                for k in range {
                    let i = first + k;
                    let mut rng = path_rng(seed, i);
                    if level == 0 {
                        let mut st = ScalarStepper::new(sde, &scheme);
                        let mut x = x0;
                        let why = run(&mut st, src, &mut EndValue, &mut x, &mut rng);
                        let p = if P::SMOOTHED {
                            payoff.last_step(sde, t_last, x, h, &[0.0; M], h)
                        } else {
                            payoff.terminal(x)
                        };
                        acc.push(i, p, p, why == StopReason::EndTime);
                    } else {
                        let mut st = CoupledStepper::<S, Sch, M, CHEN, ANTI> {
                            sde,
                            scheme,
                            r,
                            h_coarse,
                        };
                        let mut x = CoupledState::new(x0);
                        let why = run(&mut st, src, &mut EndValue, &mut x, &mut rng);
                        let (pf, pc) = if P::SMOOTHED {
                            (
                                payoff.last_step(sde, t_last, x.fine, h, &[0.0; M], h),
                                payoff.last_step(sde, x.t_coarse, x.coarse, h_coarse, &x.acc.dz, h),
                            )
                        } else if ANTI {
                            (
                                0.5 * (payoff.terminal(x.fine) + payoff.terminal(x.anti)),
                                payoff.terminal(x.coarse),
                            )
                        } else {
                            (payoff.terminal(x.fine), payoff.terminal(x.coarse))
                        };
                        acc.push(i, pf - pc, pf, why == StopReason::EndTime);
                    }
                }
            },
            after,
        );
    }

    /// Samples `first..first + n` of `level`: its seed, refinement and coarse step.
    fn job(&self, level: usize, first: u64, n: u64) -> Job {
        Job {
            level,
            seed: sub_seed(self.seed, level as u64),
            first,
            n,
            r: self.refine,
            h_coarse: self.t_end / self.steps(level.max(1) - 1) as f64,
        }
    }

    /// Samples `first..first + n` of `level` for an exit quantity.
    fn sample_exit_level(
        &self,
        level: usize,
        first: u64,
        n: u64,
        exit: &ExitPayoff,
        part: &mut Partial<LevelSums>,
        after: AfterChunks<'_>,
    ) -> Result<Option<LevelSums>> {
        let noise = self.fine_noise(level, false)?;
        let job = self.job(level, first, n);
        macro_rules! by_coupling {
            ($src:expr) => {
                match self.coupling {
                    Coupling::EulerMaruyama => self.batch_exit::<_, _, false>(
                        $src,
                        EulerMaruyama,
                        &job,
                        exit,
                        (&mut *part, &mut *after),
                    ),
                    Coupling::Milstein => self.batch_exit::<_, _, true>(
                        $src,
                        Milstein,
                        &job,
                        exit,
                        (&mut *part, &mut *after),
                    ),
                    // refused by validate_exit; the truncated coupling otherwise
                    Coupling::TruncatedMilstein | Coupling::Antithetic => self
                        .batch_exit::<_, _, false>(
                            $src,
                            CommutativeMilstein,
                            &job,
                            exit,
                            (&mut *part, &mut *after),
                        ),
                }
            };
        }
        match noise {
            LevelNoise::Short(src) => by_coupling!(&src),
            LevelNoise::ShortAreas(src) => by_coupling!(&src),
            LevelNoise::Long(long) => crate::with_source!(long, |src| by_coupling!(src)),
        }
        self.finished(part, level, n)
    }

    fn check_finite(&self, out: LevelSums, level: usize, n: u64) -> Result<LevelSums> {
        if out.failed > 0 {
            return Err(Error::DoesNotExist {
                what: "multilevel estimate",
                condition: format!(
                    "requires paths and payoffs that stay finite; {} of {n} samples on level \
                     {level} did not (the first is sample {}): shorten the horizon, take more \
                     base steps or bound the payoff",
                    out.failed, out.first_failed
                ),
            });
        }
        Ok(out)
    }

    /// As [`batch`](Self::batch) for an exit quantity: each path carries its
    /// conditional survival ([`Survival`]) through an exit monitor.
    fn batch_exit<Src, Sch, const CHEN: bool>(
        &self,
        src: &Src,
        scheme: Sch,
        job: &Job,
        exit: &ExitPayoff,
        (part, after): (&mut Partial<LevelSums>, AfterChunks<'_>),
    ) where
        Src: NoiseSource<Noise = StepNoise<M>>,
        Sch: ScalarScheme<S, M> + Copy + Sync,
    {
        let Job {
            level,
            seed,
            first,
            n,
            r,
            h_coarse,
        } = *job;
        let (sde, x0) = (self.sde, self.x0);
        let value = |s: &Survival| match exit.quantity {
            ExitQuantity::UpperBeforeHorizon => s.up,
            ExitQuantity::MeanExitTime => s.time,
        };
        debug_assert_eq!(part.paths(), n);
        run_ordered_part(
            part,
            LevelSums::default,
            |range, acc| {
                for k in range {
                    let i = first + k;
                    let mut rng = path_rng(seed, i);
                    if level == 0 {
                        let mut st = ScalarStepper::new(sde, &scheme);
                        let mut mon = LoneExit::<S, M> {
                            sde,
                            exit,
                            path: Survival::new(x0),
                        };
                        let mut x = x0;
                        run(&mut st, src, &mut mon, &mut x, &mut rng);
                        let p = value(&mon.path);
                        acc.push(i, p, p, !mon.path.failed);
                    } else {
                        let mut st = CoupledStepper::<S, Sch, M, CHEN, false> {
                            sde,
                            scheme,
                            r,
                            h_coarse,
                        };
                        let mut mon = CoupledExit {
                            sde,
                            exit,
                            h_coarse,
                            fine: Survival::new(x0),
                            coarse: Survival::new(x0),
                        };
                        let mut x = CoupledState::new(x0);
                        run(&mut st, src, &mut mon, &mut x, &mut rng);
                        let (pf, pc) = (value(&mon.fine), value(&mon.coarse));
                        acc.push(i, pf - pc, pf, !(mon.fine.failed || mon.coarse.failed));
                    }
                }
            },
            after,
        );
    }

    /// Draws `samples[ℓ]` samples on each level `ℓ = 0…samples.len() − 1` and returns the
    /// level table with the fitted rates: Giles' `mlmc_test` survey, to check a
    /// coupling's `β` before trusting it.
    ///
    /// # Errors
    /// Parameter errors naming `x0`, `t_end`, `base_steps`, `refine`, `min_level`,
    /// `max_level`, `weak_order`, `threshold` (a payoff's own parameter), `coupling`
    /// (the antithetic coupling with a smoothed payoff) or `samples` (an
    /// empty list or a zero count); [`Error::DoesNotExist`] when a path or a payoff is
    /// not finite.
    pub fn survey<P: Payoff<S, M>>(
        mut self,
        payoff: &P,
        samples: &[u64],
    ) -> Result<(Vec<LevelStats>, Rates)> {
        self.survey_levels(samples)?;
        self.validate(payoff)?;
        let mut progress = self.progress.take();
        self.survey_with(samples, &mut progress, |l, first, n| {
            Self::whole_batch(n, |part, after| {
                self.sample_level(l, first, n, payoff, part, after)
            })
        })
    }

    /// As [`survey`](Self::survey), for an exit quantity.
    ///
    /// # Errors
    /// As [`survey`](Self::survey) and [`estimate_exit`](Self::estimate_exit).
    pub fn survey_exit(
        mut self,
        exit: &ExitPayoff,
        samples: &[u64],
    ) -> Result<(Vec<LevelStats>, Rates)> {
        self.survey_levels(samples)?;
        self.validate_exit(exit)?;
        let mut progress = self.progress.take();
        self.survey_with(samples, &mut progress, |l, first, n| {
            Self::whole_batch(n, |part, after| {
                self.sample_exit_level(l, first, n, exit, part, after)
            })
        })
    }

    /// The end values `x_T` of `samples` coupled samples of `level ≥ 1`: the fine path
    /// (step `h_ℓ = T/(n₀R^ℓ)`) and the coarse path (step `R·h_ℓ`) of each sample, driven
    /// by the same Brownian path exactly as on that level of the estimator, returned as
    /// `(fine, coarse)` in sample order. With `R = 2` this is a **Richardson pair**: for a
    /// weak-order-1 scheme the law of the fine end value is `F_h = F + h·c + O(h²)`, so
    /// `F_h − F = F_2h − F_h + O(h²)`, and because both paths share their noise the
    /// difference of the pair is small and its estimate precise (see
    /// [`richardson_ks_allowance`](crate::uncertainty::richardson_ks_allowance)).
    /// Sample `i` is path [`path_rng`]`(s_ℓ, i)` as in [`survey`](Self::survey), so the
    /// result is the same bit for bit on any thread count.
    ///
    /// # Errors
    /// Parameter errors naming `level` (0, or past 40 or `2⁴⁸` steps), `samples` (0 or
    /// past `2³²`),
    /// `coupling` (the antithetic coupling: its fine value is an average of two paths),
    /// and those of [`survey`](Self::survey); [`Error::DoesNotExist`] when a path is not
    /// finite.
    pub fn richardson_pair(mut self, level: usize, samples: u64) -> Result<(Vec<f64>, Vec<f64>)> {
        if level == 0 {
            return Err(param("level", 0.0, ">= 1 (level 0 has no coarse path)"));
        }
        if samples == 0 || samples > 1 << 32 {
            return Err(param(
                "samples",
                samples as f64,
                "in [1, 2^32] (the end values are kept in memory)",
            ));
        }
        // validate the grids of levels 0 … max(level, 2) only: the run uses no finer one
        self.max_levels = level.max(2);
        self.min_levels = 2;
        self.validate_with(
            false,
            Some("em, milstein or truncated-milstein (the antithetic fine value is an average of two paths)"),
        )
        .map_err(|e| match e {
            // the level asked for is the finest level of this run
            Error::Param(mut p) if p.name == "max_level" => {
                p.name = "level";
                p.value = level as f64;
                Error::Param(p)
            }
            e => e,
        })?;
        let noise = self.fine_noise(level, false)?;
        let job = self.job(level, 0, samples);
        macro_rules! by_coupling {
            ($src:expr) => {
                match self.coupling {
                    Coupling::EulerMaruyama => {
                        self.pair_batch::<_, _, false>($src, EulerMaruyama, &job)
                    }
                    Coupling::Milstein => self.pair_batch::<_, _, true>($src, Milstein, &job),
                    // the antithetic coupling is refused above
                    Coupling::TruncatedMilstein | Coupling::Antithetic => {
                        self.pair_batch::<_, _, false>($src, CommutativeMilstein, &job)
                    }
                }
            };
        }
        let out = match noise {
            LevelNoise::Short(src) => by_coupling!(&src),
            LevelNoise::ShortAreas(src) => by_coupling!(&src),
            LevelNoise::Long(long) => crate::with_source!(long, |src| by_coupling!(src)),
        };
        if let Some(i) = out
            .chunks_exact(2)
            .position(|p| !(p[0].is_finite() && p[1].is_finite()))
        {
            return Err(Error::DoesNotExist {
                what: "Richardson pair",
                condition: format!(
                    "requires paths that stay finite; sample {i} of {samples} on level {level} \
                     did not: shorten the horizon or take more base steps"
                ),
            });
        }
        Ok((
            out.iter().step_by(2).copied().collect(),
            out.iter().skip(1).step_by(2).copied().collect(),
        ))
    }

    /// The coupled end values of a level, interleaved `[fine, coarse, …]` in sample order.
    fn pair_batch<Src, Sch, const CHEN: bool>(&self, src: &Src, scheme: Sch, job: &Job) -> Vec<f64>
    where
        Src: NoiseSource<Noise = StepNoise<M>>,
        Sch: ScalarScheme<S, M> + Copy + Sync,
    {
        let Job {
            seed,
            n,
            r,
            h_coarse,
            ..
        } = *job;
        let (sde, x0) = (self.sde, self.x0);
        run_ordered(
            n,
            Collect::default,
            |i, acc| {
                let mut rng = path_rng(seed, i);
                let mut st = CoupledStepper::<S, Sch, M, CHEN, false> {
                    sde,
                    scheme,
                    r,
                    h_coarse,
                };
                let mut x = CoupledState::new(x0);
                let why = run(&mut st, src, &mut EndValue, &mut x, &mut rng);
                let (f, c) = if why == StopReason::EndTime {
                    (x.fine, x.coarse)
                } else {
                    (f64::NAN, f64::NAN)
                };
                acc.0.extend_from_slice(&[f, c]);
            },
            |_, _| {},
        )
        .0
    }

    fn survey_levels(&mut self, samples: &[u64]) -> Result<()> {
        if samples.is_empty() || samples.contains(&0) {
            return Err(param("samples", 0.0, "one count >= 1 per level"));
        }
        self.max_levels = self.max_levels.max(samples.len() - 1).max(2);
        self.min_levels = 2;
        Ok(())
    }

    fn survey_with(
        &self,
        samples: &[u64],
        progress: &mut Progress<'a>,
        sample: impl Fn(usize, u64, u64) -> Result<LevelSums>,
    ) -> Result<(Vec<LevelStats>, Rates)> {
        let mut table = Vec::with_capacity(samples.len());
        for (l, &n) in samples.iter().enumerate() {
            let t0 = Instant::now();
            let s = sample(l, 0, n)?;
            if let Some(p) = progress.as_mut() {
                p(l, n);
            }
            table.push(self.stats(l, &s, t0.elapsed().as_secs_f64()));
        }
        let rates = self.rates(&table);
        Ok((table, rates))
    }

    fn stats(&self, level: usize, s: &LevelSums, seconds: f64) -> LevelStats {
        LevelStats {
            level,
            steps: self.steps(level),
            samples: s.y.count(),
            mean: s.y.mean(),
            variance: s.y.variance(),
            kurtosis: s.y.kurtosis(),
            mean_fine: s.p.mean(),
            variance_fine: s.p.variance(),
            cost: self.cost(level),
            seconds,
        }
    }

    fn rates(&self, table: &[LevelStats]) -> Rates {
        let rest = table.get(1..).unwrap_or(&[]);
        let h: Vec<f64> = rest.iter().map(|l| self.t_end / l.steps as f64).collect();
        let fit = |v: Vec<f64>| crate::convergence::loglog_slope(&h, &v);
        Rates {
            alpha: fit(rest.iter().map(|l| l.mean.abs()).collect()),
            beta: fit(rest.iter().map(|l| l.variance).collect()),
            gamma: -fit(rest.iter().map(|l| l.cost).collect()),
        }
    }

    /// Runs Giles' adaptive algorithm to RMSE `eps` (see the module docs).
    ///
    /// # Errors
    /// Parameter errors naming `eps` (finite and `> 0`), `x0`, `t_end`, `base_steps`,
    /// `refine`, `min_level`, `max_level`, `weak_order`, `initial_samples`, `coupling` or
    /// a payoff's own parameter (`threshold`), and `eps` when the samples
    /// it needs would exceed `2⁶²`; [`Error::DoesNotExist`] when a path or a payoff is
    /// not finite.
    pub fn estimate<P: Payoff<S, M>>(self, payoff: &P, eps: f64) -> Result<MlmcEstimate> {
        let mut state = MlmcState::new();
        let r = self.estimate_part(payoff, eps, &mut state, |_| ControlFlow::Continue(()))?;
        Ok(r.expect("a run that is never stopped finishes"))
    }

    /// [`estimate`](Self::estimate) from `state` (a new one, or one saved by a run with
    /// the same settings), calling `after_batch(&state)` after each batch of chunks of
    /// samples of a level ([`BATCH`](crate::ensemble::BATCH) chunks of
    /// [`CHUNK`] samples) and after each level's samples of a round: it may save the
    /// state, or stop the run with [`ControlFlow::Break`]
    /// (then `Ok(None)`; the state continues it). The result is
    /// [`estimate`](Self::estimate)'s bit for bit, the wall times aside.
    ///
    /// # Errors
    /// As [`estimate`](Self::estimate), and a parameter error naming `state` if it
    /// cannot be of a run with these levels.
    pub fn estimate_part<P: Payoff<S, M>>(
        mut self,
        payoff: &P,
        eps: f64,
        state: &mut MlmcState,
        mut after_batch: impl FnMut(&MlmcState) -> ControlFlow<()>,
    ) -> Result<Option<MlmcEstimate>> {
        positive("eps", eps)?;
        self.validate(payoff)?;
        let mut progress = self.progress.take();
        self.adaptive(
            eps,
            &mut progress,
            state,
            &mut after_batch,
            |l, first, n, part, after| self.sample_level(l, first, n, payoff, part, after),
        )
    }

    /// Runs Giles' adaptive algorithm to RMSE `eps` for an exit quantity (see
    /// [`ExitPayoff`]).
    ///
    /// # Errors
    /// As [`estimate`](Self::estimate); parameter errors naming `lower` or `upper`
    /// unless `lower < x0 < upper` with at least one of them finite, and `coupling` for
    /// the antithetic coupling.
    pub fn estimate_exit(self, exit: &ExitPayoff, eps: f64) -> Result<MlmcEstimate> {
        let mut state = MlmcState::new();
        let r = self.estimate_exit_part(exit, eps, &mut state, |_| ControlFlow::Continue(()))?;
        Ok(r.expect("a run that is never stopped finishes"))
    }

    /// [`estimate_exit`](Self::estimate_exit) from `state`, as
    /// [`estimate_part`](Self::estimate_part).
    ///
    /// # Errors
    /// As [`estimate_exit`](Self::estimate_exit) and
    /// [`estimate_part`](Self::estimate_part).
    pub fn estimate_exit_part(
        mut self,
        exit: &ExitPayoff,
        eps: f64,
        state: &mut MlmcState,
        mut after_batch: impl FnMut(&MlmcState) -> ControlFlow<()>,
    ) -> Result<Option<MlmcEstimate>> {
        positive("eps", eps)?;
        self.validate_exit(exit)?;
        let mut progress = self.progress.take();
        self.adaptive(
            eps,
            &mut progress,
            state,
            &mut after_batch,
            |l, first, n, part, after| self.sample_exit_level(l, first, n, exit, part, after),
        )
    }

    fn validate_exit(&self, exit: &ExitPayoff) -> Result<()> {
        finite("x0", self.x0)?;
        let (lo, hi) = (exit.lower, exit.upper);
        if lo.is_nan() || lo >= self.x0 || lo == f64::INFINITY {
            return Err(param("lower", lo, format!("< x0 = {}", self.x0)));
        }
        if hi.is_nan() || hi <= self.x0 || hi == f64::NEG_INFINITY {
            return Err(param("upper", hi, format!("> x0 = {}", self.x0)));
        }
        if lo == f64::NEG_INFINITY && hi == f64::INFINITY {
            return Err(param(
                "upper",
                hi,
                "finite, or lower finite (an exit needs a barrier)",
            ));
        }
        self.validate_with(
            false,
            Some(
                "em, milstein or truncated-milstein for an exit quantity (the antithetic \
                 twin is seen only every other fine step, so its bridge test would differ)",
            ),
        )
    }

    /// The adaptive loop of [`estimate`](Self::estimate) over a level sampler, from
    /// `state`; `Ok(None)` when `after_batch` stopped it.
    fn adaptive(
        &self,
        eps: f64,
        progress: &mut Progress<'a>,
        state: &mut MlmcState,
        after_batch: &mut dyn FnMut(&MlmcState) -> ControlFlow<()>,
        sample: impl Fn(
            usize,
            u64,
            u64,
            &mut Partial<LevelSums>,
            AfterChunks<'_>,
        ) -> Result<Option<LevelSums>>,
    ) -> Result<Option<MlmcEstimate>> {
        let r = self.refine as f64;
        let theta = 0.5;
        state.check(self.min_levels, self.max_levels)?;
        if state.sums.is_empty() {
            let n = self.min_levels + 1;
            *state = MlmcState {
                sums: vec![LevelSums::default(); n],
                secs: vec![0.0; n],
                extra: vec![self.initial_samples; n],
                next: 0,
                converged: true,
                alpha: f64::NAN,
                done: false,
                inflight: None,
            };
        }
        while !state.done {
            // the cost of a round's plan, before any of it is drawn
            if state.next == 0 && state.inflight.is_none() {
                let planned: f64 = (0..state.sums.len())
                    .map(|l| {
                        (state.sums[l].y.count() as f64 + state.extra[l] as f64) * self.cost(l)
                    })
                    .sum();
                if planned > self.max_cost {
                    return Err(param(
                        "max_cost",
                        self.max_cost,
                        format!(
                            "at least the planned {planned:.2e} path-steps that eps = {eps} \
                             needs on levels 0..={} (from the estimates so far; the first plan \
                             is initial_samples on each), or a larger eps",
                            state.sums.len() - 1
                        ),
                    ));
                }
            }
            // a round: the extra samples of each level, a batch per level, each followed
            // by `after_batch` (the state then holds what the round still has to do)
            while state.next < state.sums.len() {
                let l = state.next;
                if state.extra[l] > 0 {
                    let t0 = Instant::now();
                    // the batch of this level, continued if a saved state holds it
                    let mut part = match state.inflight.take() {
                        Some(p) => p,
                        None => Partial::whole(state.extra[l], CHUNK)?,
                    };
                    let view = &*state;
                    let mut stopped = false;
                    let done = sample(
                        l,
                        view.sums[l].y.count(),
                        view.extra[l],
                        &mut part,
                        &mut |p: &Partial<LevelSums>| {
                            if p.is_complete() {
                                // saved after the merge below
                                return ControlFlow::Continue(());
                            }
                            let mut v = view.clone();
                            v.inflight = Some(p.clone());
                            v.secs[l] += t0.elapsed().as_secs_f64();
                            let flow = after_batch(&v);
                            stopped = flow.is_break();
                            flow
                        },
                    )?;
                    state.secs[l] += t0.elapsed().as_secs_f64();
                    let Some(s) = done else {
                        debug_assert!(stopped);
                        state.inflight = Some(part);
                        return Ok(None);
                    };
                    state.sums[l].merge(&s);
                    if let Some(p) = progress.as_mut() {
                        p(l, state.sums[l].y.count());
                    }
                }
                state.next = l + 1;
                if state.extra[l] > 0 && after_batch(state).is_break() {
                    return Ok(None);
                }
            }
            state.next = 0;
            let MlmcState {
                sums,
                secs,
                extra,
                converged,
                alpha,
                done,
                ..
            } = &mut *state;
            let big_l = sums.len() - 1;
            let table: Vec<LevelStats> = (0..=big_l)
                .map(|l| self.stats(l, &sums[l], secs[l]))
                .collect();
            let fitted = self.rates(&table);
            let rates = Rates {
                alpha: self.weak_order.unwrap_or(if fitted.alpha.is_nan() {
                    1.0
                } else {
                    fitted.alpha.clamp(0.5, 1.0)
                }),
                beta: fitted.beta.max(0.5),
                gamma: fitted.gamma.max(0.5),
            };
            *alpha = rates.alpha;
            // Giles' floors against levels whose few samples happen to agree
            let mut ml: Vec<f64> = table.iter().map(|l| l.mean.abs()).collect();
            let mut vl: Vec<f64> = table.iter().map(|l| l.variance.max(0.0)).collect();
            for l in 2..=big_l {
                ml[l] = ml[l].max(0.5 * ml[l - 1] / r.powf(rates.alpha));
                vl[l] = vl[l].max(0.5 * vl[l - 1] / r.powf(rates.beta));
            }
            let cl: Vec<f64> = (0..=big_l).map(|l| self.cost(l)).collect();
            let want = |vl: &[f64], cl: &[f64], sums: &[LevelSums]| -> Result<Vec<u64>> {
                let total: f64 = vl.iter().zip(cl).map(|(v, c)| (v * c).sqrt()).sum();
                vl.iter()
                    .zip(cl)
                    .zip(sums)
                    .enumerate()
                    .map(|(l, ((v, c), s))| {
                        let ns = ((v / c).sqrt() * total / ((1.0 - theta) * eps * eps)).ceil();
                        if ns > 2f64.powi(62) && ns * c > self.max_cost {
                            // the cap is what stops the run: name it, as for any plan
                            return Err(param(
                                "max_cost",
                                self.max_cost,
                                format!(
                                    "at least the planned {:.2e} path-steps that eps = {eps} \
                                     needs on level {} alone, or a larger eps",
                                    ns * c,
                                    l
                                ),
                            ));
                        }
                        if ns.is_nan() || ns > 2f64.powi(62) {
                            return Err(param(
                                "eps",
                                eps,
                                format!(
                                    "large enough that each level needs at most 2^62 samples \
                                     (here {ns:e})"
                                ),
                            ));
                        }
                        Ok((ns as u64).saturating_sub(s.y.count()))
                    })
                    .collect()
            };
            *extra = want(&vl, &cl, sums)?;
            let nearly = extra
                .iter()
                .zip(sums.iter())
                .all(|(&d, s)| (d as f64) <= 0.01 * s.y.count() as f64);
            if nearly {
                let bias = remaining_bias(&ml, r, rates.alpha);
                if bias > theta.sqrt() * eps {
                    if big_l >= self.max_levels {
                        *converged = false;
                    } else {
                        sums.push(LevelSums::default());
                        secs.push(0.0);
                        vl.push(vl[big_l] / r.powf(rates.beta));
                        ml.push(ml[big_l] / r.powf(rates.alpha));
                        let cl: Vec<f64> = (0..=big_l + 1).map(|l| self.cost(l)).collect();
                        *extra = want(&vl, &cl, sums)?;
                        // a new level starts with at least N_init samples, so that its
                        // variance (and so the standard error) is estimated
                        extra[big_l + 1] = extra[big_l + 1].max(self.initial_samples);
                        continue;
                    }
                }
            }
            if extra.iter().all(|&d| d == 0) {
                *done = true;
            }
        }
        let MlmcState {
            sums,
            secs,
            converged,
            ..
        } = &*state;
        let (converged, alpha) = (*converged, state.alpha);
        let big_l = sums.len() - 1;
        let levels: Vec<LevelStats> = (0..=big_l)
            .map(|l| self.stats(l, &sums[l], secs[l]))
            .collect();
        let ml: Vec<f64> = levels.iter().map(|l| l.mean.abs()).collect();
        let estimate = levels.iter().map(|l| l.mean).sum();
        let variance: f64 = levels.iter().map(|l| l.variance / l.samples as f64).sum();
        let bias = remaining_bias(&ml, r, alpha);
        let path_steps = levels.iter().map(|l| l.cost * l.samples as f64).sum();
        // Var(P) from the finest three levels pooled by sample count (they estimate
        // nearly the same variance; the finest alone has the fewest samples)
        let top = &levels[big_l.saturating_sub(2).max(1).min(big_l)..];
        let n_top: f64 = top.iter().map(|l| l.samples as f64).sum();
        let var_p = top
            .iter()
            .map(|l| l.samples as f64 * l.variance_fine)
            .sum::<f64>()
            / n_top;
        let plain_path_steps = (2.0 / (eps * eps) * var_p).ceil() * levels[big_l].steps as f64;
        let out = MlmcEstimate {
            estimate,
            eps,
            std_error: variance.sqrt(),
            bias,
            converged: converged && bias <= theta.sqrt() * eps,
            rates: self.rates(&levels),
            alpha_used: alpha,
            levels,
            path_steps,
            plain_path_steps,
            coupling: self.coupling,
            refine: self.refine,
        };
        if !out.estimate.is_finite() {
            return Err(Error::DoesNotExist {
                what: "multilevel estimate",
                condition: format!("a finite sum of level means; got {}", out.estimate),
            });
        }
        Ok(Some(out))
    }
}

/// `max_{k=0,1,2} |E Y_{L−k}|/R^{kα} / (R^α − 1)`: the bias left after level `L` if the
/// level means fall like `h^α`, extrapolated from each of the last three levels ≥ 1
/// (as Giles' `mlmc` routine does), so that one level whose mean happens to be near 0
/// cannot end the run early.
fn remaining_bias(ml: &[f64], r: f64, alpha: f64) -> f64 {
    let l = ml.len() - 1;
    let ra = r.powf(alpha);
    let worst = (0..=2usize.min(l.saturating_sub(1)))
        .map(|k| ml[l - k] / ra.powi(k as i32))
        .fold(0.0, f64::max);
    worst / (ra - 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::SaddleSde;
    use crate::noise::{BrownianPath, Given, LevyArea};
    use rand::SeedableRng;

    /// The streaming moments equal the two-pass ones, whatever the merge tree.
    #[test]
    fn moments_match_two_pass() {
        let xs: Vec<f64> = (0..1000)
            .map(|i| {
                ((i * 7919) % 1000) as f64 / 100.0 - 3.0 + (i as f64 * 0.37).sin().powi(3) * 5.0
            })
            .collect();
        let n = xs.len() as f64;
        let mean = xs.iter().sum::<f64>() / n;
        let c = |p: i32| xs.iter().map(|x| (x - mean).powi(p)).sum::<f64>();
        let mut a = Moments::default();
        xs.iter().for_each(|&x| a.push(x));
        let mut b = Moments::default();
        for chunk in xs.chunks(37) {
            let mut part = Moments::default();
            chunk.iter().for_each(|&x| part.push(x));
            b.merge(&part);
        }
        for m in [a, b] {
            assert!((m.mean() - mean).abs() < 1e-12);
            assert!((m.variance() - c(2) / (n - 1.0)).abs() < 1e-10 * c(2));
            assert!((m.kurtosis() - n * c(4) / (c(2) * c(2))).abs() < 1e-10 * m.kurtosis());
        }
    }

    /// The coarse path of a coupled sample is the lone Milstein path on the fine steps
    /// coarsened by Chen's relation (same increments and iterated integrals), and the
    /// fine path is the lone path on the fine steps.
    #[test]
    fn coupled_paths_are_the_lone_paths_on_one_brownian_path() {
        let m = SaddleSde::new(-0.5, 0.8, 0.6, 0.2).unwrap();
        let (n, r, t) = (64usize, 4usize, 1.0);
        let areas = LevyArea::for_step(t / n as f64).unwrap();
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(9);
        let path = BrownianPath::<2>::sample(&mut rng, t, n, Some(&areas)).unwrap();
        let coarse = path.coarsen(r).unwrap();
        let lone = |steps: &[StepNoise<2>]| {
            let src = Given::new(steps).unwrap();
            let mut x = 0.3;
            run(
                &mut ScalarStepper::new(&m, &Milstein),
                &src,
                &mut EndValue,
                &mut x,
                &mut path_rng(0, 0),
            );
            x
        };
        let mut st = CoupledStepper::<_, _, 2, true, false> {
            sde: &m,
            scheme: Milstein,
            r,
            h_coarse: t / (n / r) as f64,
        };
        let mut x = CoupledState::new(0.3);
        let src = Given::new(path.steps()).unwrap();
        run(&mut st, &src, &mut EndValue, &mut x, &mut path_rng(0, 0));
        assert_eq!(x.fine.to_bits(), lone(path.steps()).to_bits());
        let c = lone(&coarse);
        assert!(
            (x.coarse - c).abs() <= 1e-13 * c.abs().max(1.0),
            "{} vs {c}",
            x.coarse
        );
        assert!((x.fine - x.coarse).abs() > 0.0);
    }

    /// The antithetic twin is the lone truncated-Milstein path on the fine increments
    /// with each pair swapped.
    #[test]
    fn antithetic_twin_takes_each_pair_swapped() {
        let m = SaddleSde::new(-0.5, 0.8, 0.6, 0.2).unwrap();
        let n = 16usize;
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(4);
        let path = BrownianPath::<2>::sample(&mut rng, 1.0, n, None).unwrap();
        let mut swapped = path.steps().to_vec();
        for pair in swapped.chunks_exact_mut(2) {
            pair.swap(0, 1);
        }
        let src = Given::new(&swapped).unwrap();
        let mut lone = 0.3;
        run(
            &mut ScalarStepper::new(&m, &CommutativeMilstein),
            &src,
            &mut EndValue,
            &mut lone,
            &mut path_rng(0, 0),
        );
        let mut st = CoupledStepper::<_, _, 2, false, true> {
            sde: &m,
            scheme: CommutativeMilstein,
            r: 2,
            h_coarse: 2.0 / n as f64,
        };
        let mut x = CoupledState::new(0.3);
        run(
            &mut st,
            &Given::new(path.steps()).unwrap(),
            &mut EndValue,
            &mut x,
            &mut path_rng(0, 0),
        );
        assert_eq!(x.anti.to_bits(), lone.to_bits());
        assert_ne!(x.anti.to_bits(), x.fine.to_bits());
    }
}
