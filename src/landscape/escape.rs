//! Stochastic escape of the d-dimensional local saddle
//! ([`crate::models::LocalSaddle`]): `dx_i = a_i x_i dt + σ_i x_i dW_i + τ_i dU_i`
//! with `k` unstable directions (`a_i > 0`) among `d`.
//!
//! Two questions, two observables of the ensemble engine
//! ([`NdEnsemble::observe`](crate::ensemble::NdEnsemble::observe)):
//!
//! - **[`BallObs`]: the time to leave the ball `‖x‖ < R`** (tested at the grid points;
//!   summarised as an [`EscapeSummary`]).
//! - **[`DirectionObs`]: how each watched direction leaves its own interval**
//!   `(lower, upper)`, with the Brownian-bridge test of [`Exit`] applied to each
//!   coordinate (its local variance from the direction's marginal law), stopping at the
//!   first exit ([`StopWhen::First`]: the exit from a box) or when every watched
//!   direction has left ([`StopWhen::All`]). With `lower = r > 0` and a start in
//!   `(r, R)`, leaving through `r` means the direction was **attracted** to the saddle
//!   (the multiplicative noise wins when `σ_i² > 2a_i`) before it could escape through
//!   `R`.
//!
//! # The checks when directions decouple
//! Each direction's marginal law is the scalar saddle SDE
//! ([`LocalSaddle::marginal`](crate::models::LocalSaddle::marginal)), so its exit
//! probabilities and exit-time law are those of [`crate::escape::exact`]. When the `2d`
//! Brownian motions are independent across directions (the pairwise-ρ model), the
//! directions are independent and
//!
//! ```text
//! P(every watched direction attracted) = Π_i p_i,        p_i = P_i(hit r before R)
//! P(T_box > t) = Π_i P(T_i > t),                         E[T_box] = ∫₀^∞ Π_i P(T_i > t) dt
//! ```
//!
//! so that with `k` identical unstable directions the probability that the saddle holds
//! all of them falls like `p^k`: a trap in many directions is exponentially rarer than
//! in one. The number of attracted directions is Binomial(`k`, `p`)
//! ([`DirectionStats::attracted_count`]). With correlated directions the marginals are
//! still exact but the joint law is not a product, and the per-coordinate bridge tests
//! are then an approximation of the joint crossing law.

use super::EscapeSummary;
use crate::ensemble::{MeanVar, Merge, Observe};
use crate::error::{Result, param};
use crate::integrate::monitor::{Ball, Exit, ExitWindow, ModelVariance, Monitor};
use crate::integrate::{Side, StopReason};
use crate::models::{LocalSaddle, SaddleSde};
use crate::sde::Sde;
use rand::Rng;

/// The observable "time to leave the ball `‖x‖ < outer`" (or to enter `‖x‖ ≤ inner`,
/// counted as attracted) of an n-dimensional state, summarised as an
/// [`EscapeSummary`] in the model's time.
///
/// ```
/// use saddle_sde::ensemble::NdEnsemble;
/// use saddle_sde::integrate::{Grid, NdScheme};
/// use saddle_sde::landscape::BallObs;
/// use saddle_sde::models::LocalSaddle;
/// // no noise: x₁ = 0.1·e^t leaves the unit ball at t ≈ ln 10
/// let m = LocalSaddle::with_pairwise_rho(vec![1.0, -1.0], vec![0.0; 2], vec![0.0; 2], &[0.0; 2])?;
/// let s = NdEnsemble::new(&m, NdScheme::EulerMaruyama)
///     .start(vec![0.1, 0.0]).grid(Grid::new(5.0, 1e-4)?).paths(1)
///     .observe(&BallObs::new(2, 0.0, 1.0)?)?;
/// assert!((s.mean_escape_time().unwrap().estimate - 10f64.ln()).abs() < 1e-3);
/// # Ok::<(), saddle_sde::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BallObs {
    ball: Ball,
    inner: f64,
    outer: f64,
    dims: usize,
}

impl BallObs {
    /// The ball of radius `outer` (and the attraction ball of radius `inner`, `0` for
    /// none) in the first `dims` coordinates.
    ///
    /// # Errors
    /// As [`Ball::new`].
    pub fn new(dims: usize, inner: f64, outer: f64) -> Result<Self> {
        Ok(Self {
            ball: Ball::new(dims, inner, outer)?,
            inner,
            outer,
            dims,
        })
    }
}

impl Observe<[f64]> for BallObs {
    type Monitor<'s> = Ball;
    type Summary = EscapeSummary;
    const STOPS: bool = true;
    fn check_start(&self, x0: &[f64]) -> Result<()> {
        let r = x0.iter().take(self.dims).map(|v| v * v).sum::<f64>().sqrt();
        if r > self.inner && r < self.outer {
            Ok(())
        } else {
            Err(param(
                "x0",
                r,
                format!("a norm in ({}, {})", self.inner, self.outer),
            ))
        }
    }
    fn summary(&self) -> EscapeSummary {
        EscapeSummary::default()
    }
    fn monitor(&self, _: u64) -> Ball {
        self.ball
    }
    fn record(&self, acc: &mut EscapeSummary, _: u64, _: Ball, _: &[f64], reason: StopReason) {
        acc.push(reason);
    }
}

/// When a [`DirectionObs`] run stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum StopWhen {
    /// At the first exit of any watched direction: the exit from the box
    /// `Π (lower, upper)`.
    First,
    /// When every watched direction has left its interval (each is then frozen in the
    /// record, while the path goes on for the others).
    All,
}

/// The observable "how each watched direction of a [`LocalSaddle`] leaves
/// `(lower, upper)`", with the bridge test of each direction's marginal law.
#[derive(Debug, Clone, PartialEq)]
pub struct DirectionObs {
    marginals: Vec<SaddleSde>,
    watched: Vec<usize>,
    window: ExitWindow,
    stop: StopWhen,
}

impl DirectionObs {
    /// Watches the directions `watched` of `model` in the interval `(lower, upper)`.
    ///
    /// # Errors
    /// A parameter error naming `watched` if it is empty, repeats a direction or names
    /// one beyond `d`; `lower` or `upper` unless `lower < upper`, both finite.
    ///
    /// ```
    /// use saddle_sde::ensemble::NdEnsemble;
    /// use saddle_sde::escape::exact::interval_exit;
    /// use saddle_sde::integrate::{Grid, NdScheme};
    /// use saddle_sde::landscape::{DirectionObs, StopWhen};
    /// use saddle_sde::models::LocalSaddle;
    /// // two identical unstable directions whose attractive noise wins (σ² = 4 > 2a = 2)
    /// let m = LocalSaddle::with_pairwise_rho(vec![1.0; 2], vec![2.0; 2], vec![0.1; 2], &[0.0; 2])?;
    /// let obs = DirectionObs::new(&m, &[0, 1], 0.01, 1.0, StopWhen::All)?;
    /// let s = NdEnsemble::new(&m, NdScheme::EulerMaruyama)
    ///     .start(vec![0.1, 0.1]).grid(Grid::new(200.0, 1e-3)?).paths(2_000).seed(1)
    ///     .observe(&obs)?;
    /// let p = interval_exit(&m.marginal(0)?, 0.1, 0.01, 1.0)?.p_lower;
    /// // both attracted: p² (2 000 paths: standard error ≤ 0.011; 4 s.e.)
    /// assert!((s.all_attracted().unwrap().estimate() - p * p).abs() < 0.045);
    /// # Ok::<(), saddle_sde::Error>(())
    /// ```
    pub fn new(
        model: &LocalSaddle,
        watched: &[usize],
        lower: f64,
        upper: f64,
        stop: StopWhen,
    ) -> Result<Self> {
        let d = model.dim();
        if watched.is_empty() {
            return Err(param("watched", 0.0, "at least one direction"));
        }
        let mut seen = vec![false; d];
        for &i in watched {
            if i >= d || seen[i] {
                return Err(param(
                    "watched",
                    i as f64,
                    format!("distinct directions in 0..{d}"),
                ));
            }
            seen[i] = true;
        }
        crate::error::finite("lower", lower)?;
        crate::error::finite("upper", upper)?;
        if lower >= upper {
            return Err(param("upper", upper, format!("> lower = {lower}")));
        }
        let marginals = watched
            .iter()
            .map(|&i| model.marginal(i))
            .collect::<Result<Vec<_>>>()?;
        Ok(Self {
            marginals,
            watched: watched.to_vec(),
            window: ExitWindow {
                lo: lower,
                hi: upper,
                lo_is_exit: true,
                hi_is_exit: true,
                bridge_lo: lower,
                bridge_hi: upper,
            },
            stop,
        })
    }
}

/// The monitor of a [`DirectionObs`]: one bridge-tested [`Exit`] per watched direction
/// (allocated once per path).
#[derive(Debug, Clone)]
pub struct DirectionMonitor<'s> {
    exits: Vec<Exit<ModelVariance<'s, SaddleSde, 2>, true>>,
    watched: &'s [usize],
    ended: Vec<Option<StopReason>>,
    left: usize,
    stop: StopWhen,
}

impl Monitor<[f64]> for DirectionMonitor<'_> {
    const CAN_STOP: bool = true;
    #[inline]
    fn before_step(&mut self, n: usize, t: f64, x: &[f64]) {
        for (j, e) in self.exits.iter_mut().enumerate() {
            if self.ended[j].is_none() {
                e.before_step(n, t, &x[self.watched[j]]);
            }
        }
    }
    #[inline]
    fn after_step<R: Rng + ?Sized>(
        &mut self,
        n: usize,
        t: f64,
        h: f64,
        y: &[f64],
        rng: &mut R,
    ) -> Option<StopReason> {
        let mut last = None;
        for (j, e) in self.exits.iter_mut().enumerate() {
            if self.ended[j].is_some() {
                continue;
            }
            if let Some(r) = e.after_step(n, t, h, &y[self.watched[j]], rng) {
                self.ended[j] = Some(r);
                self.left -= 1;
                last = Some(r);
                if self.stop == StopWhen::First {
                    return last;
                }
            }
        }
        if self.left == 0 { last } else { None }
    }
}

impl Observe<[f64]> for DirectionObs {
    type Monitor<'s> = DirectionMonitor<'s>;
    type Summary = DirectionStats;
    const STOPS: bool = true;
    fn check_start(&self, x0: &[f64]) -> Result<()> {
        for &i in &self.watched {
            let v = x0.get(i).copied().unwrap_or(f64::NAN);
            if !(v > self.window.lo && v < self.window.hi) {
                return Err(param(
                    "x0",
                    v,
                    format!(
                        "direction {i} inside ({}, {})",
                        self.window.lo, self.window.hi
                    ),
                ));
            }
        }
        Ok(())
    }
    fn summary(&self) -> DirectionStats {
        DirectionStats::new(self.watched.len(), self.stop)
    }
    fn monitor(&self, _: u64) -> DirectionMonitor<'_> {
        DirectionMonitor {
            exits: self
                .marginals
                .iter()
                .map(|m| Exit::new(self.window, ModelVariance(m)))
                .collect(),
            watched: &self.watched,
            ended: vec![None; self.watched.len()],
            left: self.watched.len(),
            stop: self.stop,
        }
    }
    fn record(
        &self,
        acc: &mut DirectionStats,
        _: u64,
        mon: DirectionMonitor<'_>,
        _: &[f64],
        reason: StopReason,
    ) {
        acc.push(&mon.ended, reason);
    }
}

/// How the watched directions of a [`DirectionObs`] run left their intervals.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct DirectionStats {
    stop: StopWhen,
    paths: u64,
    lower: Vec<u64>,
    upper: Vec<u64>,
    non_finite: u64,
    /// `count[j]`: paths with exactly `j` directions out through the lower end.
    lower_count: Vec<u64>,
    all_lower: u64,
    any_exit: u64,
    first_exit: MeanVar,
    all_left: u64,
    last_exit: MeanVar,
}

impl DirectionStats {
    fn new(k: usize, stop: StopWhen) -> Self {
        Self {
            stop,
            paths: 0,
            lower: vec![0; k],
            upper: vec![0; k],
            non_finite: 0,
            lower_count: vec![0; k + 1],
            all_lower: 0,
            any_exit: 0,
            first_exit: MeanVar::default(),
            all_left: 0,
            last_exit: MeanVar::default(),
        }
    }
    fn push(&mut self, ended: &[Option<StopReason>], reason: StopReason) {
        self.paths += 1;
        if matches!(reason, StopReason::NonFinite | StopReason::BlownUp { .. }) {
            self.non_finite += 1;
        }
        let (mut n_lower, mut first, mut last, mut left) = (0, f64::INFINITY, 0.0f64, 0);
        for (j, e) in ended.iter().enumerate() {
            if let Some(StopReason::Exited { side, t }) = e {
                left += 1;
                match side {
                    Side::Lower => {
                        self.lower[j] += 1;
                        n_lower += 1;
                    }
                    Side::Upper => self.upper[j] += 1,
                }
                first = first.min(*t);
                last = last.max(*t);
            }
        }
        self.lower_count[n_lower] += 1;
        if n_lower == ended.len() {
            self.all_lower += 1;
        }
        if left > 0 {
            self.any_exit += 1;
            self.first_exit.push(first);
        }
        if left == ended.len() {
            self.all_left += 1;
            self.last_exit.push(last);
        }
    }
    /// Number of paths.
    pub fn paths(&self) -> u64 {
        self.paths
    }
    /// Number of watched directions `k`.
    pub fn directions(&self) -> usize {
        self.lower.len()
    }
    /// Per watched direction, the fraction of paths in which it left through the lower
    /// end (attracted, for an interval `(r, R)` around an unstable direction).
    pub fn p_lower(&self, j: usize) -> Option<crate::uncertainty::Proportion> {
        crate::uncertainty::Proportion::new(*self.lower.get(j)?, self.paths).ok()
    }
    /// Per watched direction, the fraction that left through the upper end.
    pub fn p_upper(&self, j: usize) -> Option<crate::uncertainty::Proportion> {
        crate::uncertainty::Proportion::new(*self.upper.get(j)?, self.paths).ok()
    }
    /// The fraction of paths in which every watched direction left through the lower
    /// end: all attracted. Meaningful for [`StopWhen::All`] (with [`StopWhen::First`]
    /// a path stops at its first exit, so only one direction can have left).
    pub fn all_attracted(&self) -> Option<crate::uncertainty::Proportion> {
        crate::uncertainty::Proportion::new(self.all_lower, self.paths).ok()
    }
    /// `count[j]`: the number of paths with exactly `j` directions attracted,
    /// `j = 0…k` (for [`StopWhen::All`], as [`all_attracted`](Self::all_attracted)).
    pub fn attracted_count(&self) -> &[u64] {
        &self.lower_count
    }
    /// The fraction of paths with an exit before the horizon (the first exit of the box,
    /// for [`StopWhen::First`]).
    pub fn p_exit(&self) -> Option<crate::uncertainty::Proportion> {
        crate::uncertainty::Proportion::new(self.any_exit, self.paths).ok()
    }
    /// The mean time of the first exit among paths with one (the box's exit time).
    pub fn mean_first_exit(&self) -> Option<crate::escape::Estimate> {
        (self.any_exit > 0).then(|| crate::escape::Estimate {
            estimate: self.first_exit.mean(),
            stderr: self.first_exit.stderr(),
        })
    }
    /// The mean time at which the last watched direction left, among paths where all
    /// left ([`StopWhen::All`]).
    pub fn mean_last_exit(&self) -> Option<crate::escape::Estimate> {
        (self.all_left > 0).then(|| crate::escape::Estimate {
            estimate: self.last_exit.mean(),
            stderr: self.last_exit.stderr(),
        })
    }
    /// Paths censored by the horizon: for [`StopWhen::All`] those in which some
    /// watched direction had not left; for [`StopWhen::First`] those in which none had.
    pub fn censored(&self) -> u64 {
        match self.stop {
            StopWhen::All => self.paths - self.all_left,
            StopWhen::First => self.paths - self.any_exit,
        }
    }
    /// Paths that overflowed.
    pub fn non_finite(&self) -> u64 {
        self.non_finite
    }
}

impl Merge for DirectionStats {
    fn merge(&mut self, o: &Self) {
        self.paths += o.paths;
        for (a, b) in self.lower.iter_mut().zip(&o.lower) {
            *a += b;
        }
        for (a, b) in self.upper.iter_mut().zip(&o.upper) {
            *a += b;
        }
        for (a, b) in self.lower_count.iter_mut().zip(&o.lower_count) {
            *a += b;
        }
        self.non_finite += o.non_finite;
        self.all_lower += o.all_lower;
        self.any_exit += o.any_exit;
        self.first_exit.merge(&o.first_exit);
        self.all_left += o.all_left;
        self.last_exit.merge(&o.last_exit);
    }
}
