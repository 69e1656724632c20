//! Monitors: what watches each step of a path, and may stop it.
//!
//! The run engine ([`run`](super::run), [`run_lanes`](super::run_lanes),
//! [`run_stream`](super::run_stream)) calls a
//! monitor before and after every step (a monitor that screens its steps, see
//! [`Monitor::quiet`], only around the steps it can act on). A monitor records what it needs (nothing, the
//! states at chosen times, the time spent in a set) and may stop the path with a
//! [`StopReason`]. Monitors are concrete generic types, so the engine is monomorphised
//! for each and a monitor that never stops costs nothing.
//!
//! | monitor | watches | stops with |
//! |---|---|---|
//! | [`EndValue`] | nothing (the end state is the run's result) | never |
//! | [`Snapshots`] | the state at chosen grid indices | never |
//! | [`Exit`] | leaving a domain, with Brownian-bridge or shift correction | [`StopReason::Exited`], [`StopReason::BlownUp`], [`StopReason::NonFinite`] |
//! | [`BlowUp`] | `|x| > bound` or non-finite at any step | [`StopReason::BlownUp`], [`StopReason::NonFinite`] |
//! | [`Occupation`] | time spent in `[lo, hi]` (how long the path lingers near the saddle) | never |
//! | [`Trajectory`] | every state | never |
//! | [`Ball`] | the norm of (part of) an n-dimensional state | [`StopReason::Exited`] (escaped or attracted), [`StopReason::NonFinite`] |
//! | [`Closure`] | a user predicate on `(n, t, x)` | [`StopReason::Requested`] |
//! | `(A, B)` | both; the first that stops wins | either's reason |

use super::{Side, StopReason};
use crate::sde::ScalarSde;
use rand::{Rng, RngExt};

/// Watches each step of a path and may stop it.
///
/// `X` is the state: `f64` for scalar models, `[f64]` for n-dimensional ones.
pub trait Monitor<X: ?Sized> {
    /// Whether [`after_step`](Self::after_step) can ever return `Some`. Lanes of paths
    /// whose monitor can stop stream through [`run_stream`](super::run_stream); the
    /// others run in lock-step with no per-lane "stopped" mask.
    const CAN_STOP: bool;
    /// Whether [`quiet`](Self::quiet) may give a non-empty range (a compile-time switch:
    /// a stream of such monitors steps its lanes together in vector registers and calls
    /// the monitors only on the steps that leave the range, see
    /// [`run_stream`](super::run_stream)). Default `false`.
    const SCREENS: bool = false;
    /// An open range `(lo, hi)` of scalar states where the monitor is quiet: for a step
    /// from `x` to `y` with `lo < x < hi` and `lo < y < hi`, at any `n`, `t` and `h`,
    /// [`before_step`](Self::before_step) then [`after_step`](Self::after_step) would
    /// return `None`, draw nothing from the generator, and leave nothing that a later
    /// call, or whoever reads the monitor after the run, can tell from skipping them; so
    /// the run engine may skip both calls. It is read once, after
    /// [`start`](Self::start), and must hold for the whole path. A range with a NaN end,
    /// or with `lo ≥ hi`, is empty. Read only for scalar states. Default: empty,
    /// `(+∞, −∞)`.
    #[inline(always)]
    fn quiet(&self) -> (f64, f64) {
        (f64::INFINITY, f64::NEG_INFINITY)
    }
    /// Called once with the start state.
    #[inline(always)]
    fn start(&mut self, _x0: &X) {}
    /// Called before step `n`, which starts at time `t` from `x`.
    #[inline(always)]
    fn before_step(&mut self, _n: usize, _t: f64, _x: &X) {}
    /// Called after step `n` (from `t` to `t + h`) reached `y`; may draw from the path's
    /// generator (after the step's noise). `Some(reason)` stops the path.
    fn after_step<R: Rng + ?Sized>(
        &mut self,
        n: usize,
        t: f64,
        h: f64,
        y: &X,
        rng: &mut R,
    ) -> Option<StopReason>;
}

/// Records nothing: the end state is the run's result.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EndValue;

impl<X: ?Sized> Monitor<X> for EndValue {
    const CAN_STOP: bool = false;
    const SCREENS: bool = true;
    /// Every state: the monitor does nothing.
    #[inline(always)]
    fn quiet(&self) -> (f64, f64) {
        (f64::NEG_INFINITY, f64::INFINITY)
    }
    #[inline(always)]
    fn after_step<R: Rng + ?Sized>(
        &mut self,
        _: usize,
        _: f64,
        _: f64,
        _: &X,
        _: &mut R,
    ) -> Option<StopReason> {
        None
    }
}

impl<X: ?Sized, A: Monitor<X>, B: Monitor<X>> Monitor<X> for (A, B) {
    const CAN_STOP: bool = A::CAN_STOP || B::CAN_STOP;
    const SCREENS: bool = A::SCREENS && B::SCREENS;
    /// Where both are quiet: the intersection of their ranges (empty if either is,
    /// including a range with a NaN end).
    #[inline(always)]
    fn quiet(&self) -> (f64, f64) {
        let (a, b) = (self.0.quiet(), self.1.quiet());
        // (`max`/`min` would drop a NaN end, which means empty)
        if a.0 < a.1 && b.0 < b.1 {
            (a.0.max(b.0), a.1.min(b.1))
        } else {
            (f64::INFINITY, f64::NEG_INFINITY)
        }
    }
    #[inline(always)]
    fn start(&mut self, x0: &X) {
        self.0.start(x0);
        self.1.start(x0);
    }
    #[inline(always)]
    fn before_step(&mut self, n: usize, t: f64, x: &X) {
        self.0.before_step(n, t, x);
        self.1.before_step(n, t, x);
    }
    #[inline(always)]
    fn after_step<R: Rng + ?Sized>(
        &mut self,
        n: usize,
        t: f64,
        h: f64,
        y: &X,
        rng: &mut R,
    ) -> Option<StopReason> {
        let a = self.0.after_step(n, t, h, y, rng);
        let b = self.1.after_step(n, t, h, y, rng);
        a.or(b)
    }
}

/// Records a scalar state at chosen grid indices (ascending; index `k` is time `k h`).
///
/// ```
/// use saddle_sde::integrate::{monitor::Snapshots, run, Grid, ScalarStepper};
/// use saddle_sde::{models::SaddleSde, noise::{path_rng, Gaussian}, scheme::EulerMaruyama};
/// let m = SaddleSde::new(1.0, 0.0, 0.0, 0.0)?; // dx = x dt: x_n = (1 + h)^n x0
/// let g = Grid::new(1.0, 0.25)?;
/// let mut snap = Snapshots::new(&[0, 2, 4])?;
/// let mut x = 1.0;
/// run(&mut ScalarStepper::new(&m, &EulerMaruyama), &Gaussian::new(&g)?, &mut snap, &mut x, &mut path_rng(1, 0));
/// assert_eq!(snap.values(), &[1.0, 1.5625, 1.25f64.powi(4)]);
/// # Ok::<(), saddle_sde::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshots<'a> {
    idx: &'a [usize],
    next: usize,
    vals: Vec<f64>,
}

impl<'a> Snapshots<'a> {
    /// A recorder for the grid indices `idx` (non-decreasing).
    ///
    /// # Errors
    /// A parameter error naming `times` if `idx` is empty or decreases.
    pub fn new(idx: &'a [usize]) -> crate::Result<Self> {
        if idx.is_empty() {
            return Err(crate::error::param("times", f64::NAN, "non-empty"));
        }
        if let Some(w) = idx.windows(2).find(|w| w[1] < w[0]) {
            return Err(crate::error::param("times", w[1] as f64, "ascending"));
        }
        Ok(Self {
            idx,
            next: 0,
            vals: vec![0.0; idx.len()],
        })
    }
    /// The recorded values, one per index (entries not yet reached are 0).
    pub fn values(&self) -> &[f64] {
        &self.vals
    }
    /// Whether every index was reached.
    pub fn complete(&self) -> bool {
        self.next == self.idx.len()
    }
    #[inline(always)]
    fn record(&mut self, k: usize, x: f64) {
        while self.next < self.idx.len() && self.idx[self.next] == k {
            self.vals[self.next] = x;
            self.next += 1;
        }
    }
}

impl Monitor<f64> for Snapshots<'_> {
    const CAN_STOP: bool = false;
    #[inline(always)]
    fn start(&mut self, x0: &f64) {
        self.record(0, *x0);
    }
    #[inline(always)]
    fn after_step<R: Rng + ?Sized>(
        &mut self,
        n: usize,
        _: f64,
        _: f64,
        y: &f64,
        _: &mut R,
    ) -> Option<StopReason> {
        self.record(n + 1, *y);
        None
    }
}

/// Records every state of a scalar path (`steps + 1` values, from the start).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Trajectory {
    /// The states, `values[k]` at time `k h`.
    pub values: Vec<f64>,
}

impl Monitor<f64> for Trajectory {
    const CAN_STOP: bool = false;
    fn start(&mut self, x0: &f64) {
        self.values.clear();
        self.values.push(*x0);
    }
    #[inline(always)]
    fn after_step<R: Rng + ?Sized>(
        &mut self,
        _: usize,
        _: f64,
        _: f64,
        y: &f64,
        _: &mut R,
    ) -> Option<StopReason> {
        self.values.push(*y);
        None
    }
}

/// Stops a path when `|x| > bound` (or `x` is not finite) after any step. For
/// n-dimensional states the largest `|x_i|` is compared.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BlowUp {
    bound: f64,
}

impl BlowUp {
    /// A monitor with the given bound.
    ///
    /// # Errors
    /// A parameter error naming `bound` unless it is `> 0` (it may be infinite, which
    /// stops only on non-finite states).
    pub fn new(bound: f64) -> crate::Result<Self> {
        if bound.is_nan() || bound <= 0.0 {
            return Err(crate::error::param("bound", bound, "> 0 (may be infinite)"));
        }
        Ok(Self { bound })
    }
    #[inline(always)]
    fn check(&self, worst: f64, t1: f64) -> Option<StopReason> {
        if !worst.is_finite() {
            Some(StopReason::NonFinite)
        } else if worst > self.bound {
            Some(StopReason::BlownUp { t: t1 })
        } else {
            None
        }
    }
}

impl Monitor<f64> for BlowUp {
    const CAN_STOP: bool = true;
    #[inline(always)]
    fn after_step<R: Rng + ?Sized>(
        &mut self,
        _: usize,
        t: f64,
        h: f64,
        y: &f64,
        _: &mut R,
    ) -> Option<StopReason> {
        self.check(y.abs(), t + h)
    }
}

impl Monitor<[f64]> for BlowUp {
    const CAN_STOP: bool = true;
    #[inline(always)]
    fn after_step<R: Rng + ?Sized>(
        &mut self,
        _: usize,
        t: f64,
        h: f64,
        y: &[f64],
        _: &mut R,
    ) -> Option<StopReason> {
        let worst = y.iter().fold(0.0f64, |m, v| {
            if v.is_nan() || m.is_nan() {
                f64::NAN
            } else {
                m.max(v.abs())
            }
        });
        self.check(worst, t + h)
    }
}

/// The time a scalar path spends in `[lo, hi]`, by the left-point rule: step `n`
/// counts `h` if `x_n ∈ [lo, hi]`. With `lo = −r`, `hi = r` this is how long the path
/// lingers within `r` of the saddle.
///
/// ```
/// use saddle_sde::integrate::{monitor::Occupation, run, Grid, ScalarStepper};
/// use saddle_sde::{models::SaddleSde, noise::{path_rng, Gaussian}, scheme::EulerMaruyama};
/// let m = SaddleSde::new(1.0, 0.0, 0.0, 0.0)?; // x_n = 1.1^n · 0.5 with h = 0.1
/// let g = Grid::new(1.0, 0.1)?;
/// let mut occ = Occupation::new(-1.0, 1.0)?;
/// run(&mut ScalarStepper::new(&m, &EulerMaruyama), &Gaussian::new(&g)?, &mut occ, &mut 0.5, &mut path_rng(1, 0));
/// // 0.5·1.1^n ≤ 1 for n ≤ 7: eight steps start inside
/// assert!((occ.time() - 0.8).abs() < 1e-12);
/// # Ok::<(), saddle_sde::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Occupation {
    lo: f64,
    hi: f64,
    inside: bool,
    steps_inside: u64,
    h: f64,
}

impl Occupation {
    /// Time spent in `[lo, hi]`.
    ///
    /// # Errors
    /// Parameter errors naming `lo` (NaN) or `hi` (NaN or `< lo`).
    pub fn new(lo: f64, hi: f64) -> crate::Result<Self> {
        if lo.is_nan() {
            return Err(crate::error::param("lo", lo, "a number"));
        }
        if hi.is_nan() || hi < lo {
            return Err(crate::error::param("hi", hi, format!(">= lo = {lo}")));
        }
        Ok(Self {
            lo,
            hi,
            inside: false,
            steps_inside: 0,
            h: 0.0,
        })
    }
    /// The time spent in the set so far.
    pub fn time(&self) -> f64 {
        self.steps_inside as f64 * self.h
    }
    /// The number of steps that started in the set.
    pub fn steps_inside(&self) -> u64 {
        self.steps_inside
    }
}

impl Monitor<f64> for Occupation {
    const CAN_STOP: bool = false;
    #[inline(always)]
    fn start(&mut self, x0: &f64) {
        self.inside = *x0 >= self.lo && *x0 <= self.hi;
        self.steps_inside = 0;
    }
    #[inline(always)]
    fn after_step<R: Rng + ?Sized>(
        &mut self,
        _: usize,
        _: f64,
        h: f64,
        y: &f64,
        _: &mut R,
    ) -> Option<StopReason> {
        self.h = h;
        self.steps_inside += self.inside as u64;
        self.inside = *y >= self.lo && *y <= self.hi;
        None
    }
}

/// Watches the Euclidean norm of the first `dims` components of an n-dimensional state
/// (the position of an optimiser whose state also holds a velocity, or the whole state
/// of a d-dimensional model) and stops the path when it leaves the ball `‖x‖ < outer`
/// ([`StopReason::Exited`] through [`Side::Upper`]: escaped) or enters the ball
/// `‖x‖ ≤ inner` ([`Side::Lower`]: attracted by the critical point at the origin), or
/// when the norm is not a number ([`StopReason::NonFinite`]). The norm is tested at the
/// grid points only (no bridge test).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ball {
    dims: usize,
    inner2: f64,
    outer2: f64,
}

impl Ball {
    /// The monitor of the shell `inner < ‖x_{1..dims}‖ < outer`; `inner = 0` never
    /// stops a path for attraction unless it reaches the origin exactly.
    ///
    /// # Errors
    /// A parameter error naming `dims` if it is 0, `outer` unless it is positive and
    /// finite, `inner` unless `0 ≤ inner < outer`.
    ///
    /// ```
    /// use saddle_sde::integrate::monitor::Ball;
    /// assert!(Ball::new(2, 1e-6, 1.0).is_ok());
    /// assert!(Ball::new(2, 1.0, 1.0).is_err());
    /// ```
    pub fn new(dims: usize, inner: f64, outer: f64) -> crate::Result<Self> {
        crate::error::count("dims", dims)?;
        crate::error::positive("outer", outer)?;
        if !(inner >= 0.0 && inner < outer) {
            return Err(crate::error::param(
                "inner",
                inner,
                format!("in [0, outer = {outer})"),
            ));
        }
        Ok(Self {
            dims,
            inner2: inner * inner,
            outer2: outer * outer,
        })
    }
}

impl Monitor<[f64]> for Ball {
    const CAN_STOP: bool = true;
    #[inline(always)]
    fn after_step<R: Rng + ?Sized>(
        &mut self,
        _: usize,
        t: f64,
        h: f64,
        y: &[f64],
        _: &mut R,
    ) -> Option<StopReason> {
        let r2: f64 = y.iter().take(self.dims).map(|v| v * v).sum();
        if r2 < self.outer2 && r2 > self.inner2 {
            return None;
        }
        let t = t + h;
        Some(if r2 >= self.outer2 {
            StopReason::Exited {
                side: Side::Upper,
                t,
            }
        } else if r2 <= self.inner2 {
            StopReason::Exited {
                side: Side::Lower,
                t,
            }
        } else {
            StopReason::NonFinite
        })
    }
}

/// Stops a path when a user predicate `stop(n, t, x)` holds after step `n` (`t` is the
/// time reached), with [`StopReason::Requested`].
#[derive(Debug, Clone, Copy)]
pub struct Closure<F> {
    stop: F,
}

impl<F> Closure<F> {
    /// A monitor calling `stop(n, t, x)` after every step.
    pub fn new(stop: F) -> Self {
        Self { stop }
    }
}

impl<X: ?Sized, F: FnMut(usize, f64, &X) -> bool> Monitor<X> for Closure<F> {
    const CAN_STOP: bool = true;
    #[inline(always)]
    fn after_step<R: Rng + ?Sized>(
        &mut self,
        n: usize,
        t: f64,
        h: f64,
        y: &X,
        _: &mut R,
    ) -> Option<StopReason> {
        let t1 = t + h;
        (self.stop)(n, t1, y).then_some(StopReason::Requested { t: t1 })
    }
}

/// Exponent above which a bridge crossing probability `e^{−E}` is treated as zero
/// (`e^{−40} ≈ 4e-18`, far below any Monte Carlo resolution).
pub const BRIDGE_CUTOFF: f64 = 40.0;

/// The local variance `b²(t, x) = Σ_k G_k(t, x)²` the bridge test needs.
pub trait LocalVariance {
    /// `b²(t, x)`.
    fn b2(&self, t: f64, x: f64) -> f64;
    /// An upper bound of `b²(t, x)` over every `t` and every `x` in `[lo, hi]`, or `None`
    /// (the default): see [`ScalarSde::local_variance_bound`].
    #[inline]
    fn bound(&self, lo: f64, hi: f64) -> Option<f64> {
        let _ = (lo, hi);
        None
    }
}

/// [`LocalVariance`] of a scalar model.
#[derive(Debug)]
pub struct ModelVariance<'a, S, const M: usize>(pub &'a S);

impl<S, const M: usize> Clone for ModelVariance<'_, S, M> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<S, const M: usize> Copy for ModelVariance<'_, S, M> {}

impl<S: ScalarSde<M>, const M: usize> LocalVariance for ModelVariance<'_, S, M> {
    #[inline(always)]
    fn b2(&self, t: f64, x: f64) -> f64 {
        self.0.diffusion(t, x).iter().map(|g| g * g).sum::<f64>()
    }
    #[inline]
    fn bound(&self, lo: f64, hi: f64) -> Option<f64> {
        self.0.local_variance_bound(lo, hi)
    }
}

/// No local variance: for exits without the bridge test (`BRIDGE = false`), where it is
/// never asked for.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoVariance;

impl LocalVariance for NoVariance {
    #[inline(always)]
    fn b2(&self, _: f64, _: f64) -> f64 {
        0.0
    }
}

/// The Brownian-bridge crossing probabilities `(p_lo, p_hi)` of one step `x → y`
/// (both inside `(lo, hi)`) with `g2h = b²h`: `p_c = exp(−2(c − x)(c − y)/g2h)`, taken
/// as 0 when its exponent exceeds [`BRIDGE_CUTOFF`] (`p_c < e⁻⁴⁰ ≈ 4·10⁻¹⁸`), and
/// `None` when both do (no crossing worth a draw). Only a barrier within reach costs an
/// `exp` (the far one's would underflow, slowly). The one formula of the [`Exit`]
/// monitor's test and of its conditional form in [`crate::mlmc::ExitPayoff`].
#[inline(always)]
pub(crate) fn bridge_crossing(x: f64, y: f64, lo: f64, hi: f64, g2h: f64) -> Option<(f64, f64)> {
    let e_lo = 2.0 * (x - lo) * (y - lo);
    let e_hi = 2.0 * (hi - x) * (hi - y);
    let cut = BRIDGE_CUTOFF * g2h;
    let (near_lo, near_hi) = (e_lo < cut, e_hi < cut);
    if !(near_lo || near_hi) {
        return None;
    }
    let p = |e: f64, near: bool| if near { (-e / g2h).exp() } else { 0.0 };
    Some((p(e_lo, near_lo), p(e_hi, near_hi)))
}

/// Exit of a scalar state from the window `(lo, hi)`.
///
/// After each step to `y`: if `lo < y < hi` the path goes on (with `BRIDGE`, after the
/// Brownian-bridge test below); otherwise it stops at `t + h` through the side it left,
/// as [`StopReason::Exited`] if that side is a barrier and [`StopReason::BlownUp`] if it
/// is only a blow-up bound, or as [`StopReason::NonFinite`] if `y` is NaN.
///
/// **Bridge test** (`BRIDGE = true`, chosen at compile time so the loop has no branch
/// on it): between `x` and `y`, both inside, the path is a Brownian bridge with the
/// local variance `b²(t, x)`, which crosses a barrier `c` with probability
/// `p_c = exp(−2(c − x)(c − y)/(b² h))`. A uniform `U` is drawn from the path's
/// generator (only when some `p_c > e^{−40}`) and the path exits through the lower
/// barrier if `U < p_l`, through the upper if `p_l ≤ U < p_l + p_u`. The remaining
/// bias is `O(h)` (Gobet 2000). The barriers of the bridge test are given separately
/// from the window, so the window may be shifted inward (Broadie–Glasserman–Kou).
#[derive(Debug, Clone, Copy)]
pub struct Exit<V, const BRIDGE: bool> {
    window: ExitWindow,
    var: V,
    x: f64,
    band: QuietBand,
}

/// Where the bridge test cannot fire: an interval `(lo, hi)` inside the window such that
/// for every step with both ends in it, both barriers' exponents `2(c − x)(c − y)`
/// exceed [`BRIDGE_CUTOFF`]`·b²(t, x)·h`. On such a step the [`Exit`] monitor's test
/// would return "no exit" without drawing, so the monitor skips it: the result is the
/// same bit for bit, and on the blog's exit problem most steps cost no bridge
/// arithmetic.
///
/// With `B(I)` an upper bound of `b²` over an interval `I` (the model's
/// [`LocalVariance::bound`]) and barriers `c_lo < c_hi`, the band is built in two stages.
///
/// 1. **Both sides at one distance.** `(c_lo + D, c_hi − D)` for the smallest `D` found
///    by bisection with `2D² ≥ 40·B([c_lo + D, c_hi − D])·h·(1 + 10⁻⁶)` (the right side
///    falls as `D` grows, so the valid `D` form an interval below `(c_hi − c_lo)/2`):
///    then for `x, y` in the band, `2(x − c_lo)(y − c_lo) > 2D² ≥ 40·b²(t, x)·h`, and the
///    same at `c_hi`. The factor `1 + 10⁻⁶` covers the rounding of both sides
///    (`x > fl(c_lo + D)` gives `fl(x − c_lo) ≥ D`, rounding being monotone).
/// 2. **Each side at its own distance.** `D` uses the largest `b²` of the whole band,
///    which on the blog's model is near the upper barrier; near the lower one `b²` is
///    about a quarter of it. A side's distance `D_c` only has to keep
///    `2|x − c|·D_c ≥ 40·b²(t, x)·h` for the starts `x` the band lets in (the end `y` is
///    at least `D_c` from `c`), which is checked on pieces of `|x − c|` growing by 10 %
///    with the bound `B` of each piece. The lower side is narrowed against the band's
///    top, then the upper against the new bottom; the pair is kept only if each side's
///    check covers the starts the other lets in (else the lower side alone, else `D` on
///    both). On the blog's exit problem at `h = 10⁻³` this takes the lower side from
///    0.156 to 0.078 (`tests/escape/quiet_band.rs`); the share of steps that run the
///    full test, measured in `docs/performance.md`, falls from 4.7 % to 1.9 %.
///
/// The band is clipped to the window. Empty ([`QuietBand::NONE`]) when a barrier is
/// infinite, when the model gives no bound, when no such `D` leaves room between the
/// barriers, or when `D` is below `10⁻⁶` of the barriers' magnitude (zero variance, steps
/// near `10⁻¹³`), where a band would save nothing.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QuietBand {
    lo: f64,
    hi: f64,
}

impl QuietBand {
    /// The empty band: every step runs the full test.
    pub const NONE: Self = Self {
        lo: f64::INFINITY,
        hi: f64::NEG_INFINITY,
    };

    /// The band of `window`'s bridge barriers for steps of length `h`, with the bound of
    /// `var` (see the type's docs).
    pub fn new<V: LocalVariance>(window: &ExitWindow, var: &V, h: f64) -> Self {
        let (c_lo, c_hi) = (window.bridge_lo, window.bridge_hi);
        let finite = c_lo.is_finite() && c_hi.is_finite() && h.is_finite();
        if !(finite && c_lo < c_hi && h > 0.0 && window.lo < window.hi) {
            return Self::NONE;
        }
        // the least D with 2D² ≥ 40·B·h·(1 + 1e-6), B over [c_lo + D, c_hi − D]
        let need = |d: f64| -> Option<f64> {
            let b = var.bound(c_lo + d, c_hi - d)?;
            Some((0.5 * BRIDGE_CUTOFF * b * h * (1.0 + 1e-6)).sqrt())
        };
        // d − need(d) grows with d (a narrower band has a smaller bound), so the valid d
        // form an interval up to half the barriers' distance: bisect from its top
        let valid = |d: f64| c_lo + d < c_hi - d && need(d).is_some_and(|n| d >= n);
        let Some(whole) = need(0.0) else {
            return Self::NONE;
        };
        let Some(d) = least_valid(whole.min(0.5 * (c_hi - c_lo) * (1.0 - 1e-9)), valid) else {
            return Self::NONE;
        };
        // a band whose D is tiny against the barriers (zero variance, h near 1e-13) saves
        // almost nothing and would bring D² near the subnormals: none
        if c_lo.abs().max(c_hi.abs()) > 1e6 * d {
            return Self::NONE;
        }
        // Each side narrower where b² is small near its barrier: the lower side against
        // the band's top c_hi − D, then the upper against the new bottom. The pair is kept
        // only if each side's check covers the starts the other side lets in; else the
        // lower side alone, else D on both sides (whose check covers the band it makes).
        let clear = |c: f64, far: f64, dd: f64| Self::side_clear(var, h, c, far, dd);
        let d_lo = Self::narrow_side(var, h, c_lo, c_hi - d, d).unwrap_or(d);
        let d_hi = Self::narrow_side(var, h, c_hi, c_lo + d_lo, d).unwrap_or(d);
        let (d_lo, d_hi) = if clear(c_lo, c_hi - d_hi, d_lo) && clear(c_hi, c_lo + d_lo, d_hi) {
            (d_lo, d_hi)
        } else if clear(c_lo, c_hi - d, d_lo) && clear(c_hi, c_lo + d_lo, d) {
            (d_lo, d)
        } else {
            (d, d)
        };
        let band = Self {
            lo: (c_lo + d_lo).max(window.lo),
            hi: (c_hi - d_hi).min(window.hi),
        };
        if band.lo < band.hi { band } else { Self::NONE }
    }

    /// The ratio of the ends of the pieces in [`side_clear`](Self::side_clear): near 1,
    /// so that a piece's bound is close to `b²` at its near end (where the check binds),
    /// and far enough from 1 that a side takes a few dozen pieces.
    const PIECE_RATIO: f64 = 1.1;

    /// Whether the bridge test against barrier `c` cannot fire on a step that starts at
    /// `x` and ends at `y`, both at least `dd` from `c` (strictly beyond `fl(c ± dd)`, as
    /// the band's membership test is strict) with the start no farther than `far`. The
    /// start's distance `r = |x − c|` is cut into pieces `[r_k, q·r_k]` (`r_0 = dd`,
    /// `q` = [`PIECE_RATIO`](Self::PIECE_RATIO), up to `|far − c|`); on piece `k`,
    /// `2(c − x)(c − y) ≥ 2r_k·dd`, so `2r_k·dd ≥ 40·B(piece)·h·(1 + 10⁻⁶)` on every
    /// piece keeps the exponent above the cutoff. Neighbouring pieces share the end
    /// computed once as `fl(c ± r_k)`, so they cover the starts without a gap, and a float
    /// strictly beyond `fl(c ± r)` is at least `r` from `c` exactly (no float lies
    /// between `c ± r` and its rounding). The factor `1 + 10⁻⁶` covers the rounding of
    /// the monitor's products and of `b²h`.
    fn side_clear<V: LocalVariance>(var: &V, h: f64, c: f64, far: f64, dd: f64) -> bool {
        let width = (far - c).abs();
        if !(dd > 0.0 && dd < width) {
            return false;
        }
        let toward = |r: f64| if far > c { c + r } else { c - r };
        let mut r = dd;
        loop {
            let next = (Self::PIECE_RATIO * r).min(width);
            let (a, b) = (toward(r), if next >= width { far } else { toward(next) });
            let Some(bound) = var.bound(a.min(b), a.max(b)) else {
                return false;
            };
            // (a NaN or infinite bound fails)
            if !bound.is_finite() || 2.0 * r * dd < BRIDGE_CUTOFF * bound * h * (1.0 + 1e-6) {
                return false;
            }
            if next >= width {
                return true;
            }
            r = next;
        }
    }

    /// A distance `D'` in `(0, d·(1 + 10⁻⁹)]` that passes
    /// [`side_clear`](Self::side_clear) for barrier `c` and starts up to `far`, found by
    /// bisection (the check need not be monotone in the distance, as the pieces move
    /// with it, so `D'` may not be the least that passes), or `None` if `d·(1 + 10⁻⁹)` fails
    /// it. Where `b²` near `c` is well below its largest value on the band (the blog's
    /// lower barrier: about 0.30 near −0.42 against 1.22 at 0.844), `D'` is well below
    /// the two-sided `d`, whose bound is that largest `b²`.
    fn narrow_side<V: LocalVariance>(var: &V, h: f64, c: f64, far: f64, d: f64) -> Option<f64> {
        // d is D's bisection minimum, at which the first piece's check can fail by a
        // rounding: start just above it
        least_valid(d * (1.0 + 1e-9), |dd| Self::side_clear(var, h, c, far, dd))
    }

    /// The band's ends `(lo, hi)`, or `None` for the empty band.
    pub fn ends(&self) -> Option<(f64, f64)> {
        (self.lo < self.hi).then_some((self.lo, self.hi))
    }

    /// Whether `x` lies in the band (never for the empty band).
    #[inline(always)]
    fn contains(&self, x: f64) -> bool {
        x > self.lo && x < self.hi
    }
}

/// A distance in `(0, top]` that passes `valid`, found by 64 bisection steps from `top`
/// towards 0 (each step keeps the half whose top end passes), or `None` if `top` fails:
/// the result always passed `valid`, and it is the least that does where the valid
/// distances form an interval up to `top`.
fn least_valid(top: f64, valid: impl Fn(f64) -> bool) -> Option<f64> {
    if !valid(top) {
        return None;
    }
    let (mut lo, mut hi) = (0.0, top);
    for _ in 0..64 {
        let mid = 0.5 * (lo + hi);
        if valid(mid) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    Some(hi)
}

/// Where an [`Exit`] monitor stops a path: the window `(lo, hi)`, whether each side is a
/// barrier (else a blow-up bound), and the barriers of the bridge test (`±∞` when
/// absent).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ExitWindow {
    /// Lower end of the window.
    pub lo: f64,
    /// Upper end of the window.
    pub hi: f64,
    /// Whether leaving below `lo` is an exit (else a blow-up).
    pub lo_is_exit: bool,
    /// Whether leaving above `hi` is an exit (else a blow-up).
    pub hi_is_exit: bool,
    /// Lower barrier of the bridge test (`−∞` if none).
    pub bridge_lo: f64,
    /// Upper barrier of the bridge test (`+∞` if none).
    pub bridge_hi: f64,
}

impl ExitWindow {
    /// Barriers at `lo` and `hi`: leaving either side is an exit, and both are the
    /// bridge test's barriers.
    ///
    /// ```
    /// use saddle_sde::integrate::monitor::ExitWindow;
    /// let w = ExitWindow::barriers(-0.5, 1.0);
    /// assert!(w.lo_is_exit && w.hi_is_exit && w.bridge_lo == -0.5 && w.bridge_hi == 1.0);
    /// ```
    pub fn barriers(lo: f64, hi: f64) -> Self {
        Self {
            lo,
            hi,
            lo_is_exit: true,
            hi_is_exit: true,
            bridge_lo: lo,
            bridge_hi: hi,
        }
    }
}

impl<V: LocalVariance, const BRIDGE: bool> Exit<V, BRIDGE> {
    /// An exit monitor for `window`, with the local variance `var` for the bridge test.
    pub fn new(window: ExitWindow, var: V) -> Self {
        Self::with_band(window, var, QuietBand::NONE)
    }

    /// As [`new`](Self::new), skipping the bridge test's arithmetic on steps that start
    /// and end in `band`. The band **must** be [`QuietBand::new`] of this window and
    /// variance for the step length of the run; the results are then those of
    /// [`new`](Self::new), bit for bit. A band built for a shorter step, another window
    /// or another model is too wide and biases the exits (nothing checks it here). Build
    /// the band once for many paths.
    pub fn with_band(window: ExitWindow, var: V, band: QuietBand) -> Self {
        Self {
            window,
            var,
            x: 0.0,
            band,
        }
    }
}

impl<V: LocalVariance, const BRIDGE: bool> Monitor<f64> for Exit<V, BRIDGE> {
    const CAN_STOP: bool = true;
    const SCREENS: bool = true;
    /// With the bridge test, its quiet band ([`QuietBand`], empty unless given with
    /// [`with_band`](Self::with_band)); without, the window: a step that ends inside it
    /// goes on, and nothing is drawn.
    #[inline(always)]
    fn quiet(&self) -> (f64, f64) {
        if BRIDGE {
            (self.band.lo, self.band.hi)
        } else {
            (self.window.lo, self.window.hi)
        }
    }
    #[inline(always)]
    fn before_step(&mut self, _: usize, _: f64, x: &f64) {
        if BRIDGE {
            self.x = *x;
        }
    }
    #[inline(always)]
    fn after_step<R: Rng + ?Sized>(
        &mut self,
        _: usize,
        t: f64,
        h: f64,
        y: &f64,
        rng: &mut R,
    ) -> Option<StopReason> {
        let (y, w) = (*y, &self.window);
        if BRIDGE {
            // both ends of the step in the quiet band: no exit and no draw (QuietBand)
            if self.band.contains(self.x) && self.band.contains(y) {
                return None;
            }
        }
        if y > w.lo && y < w.hi {
            if BRIDGE {
                let x = self.x;
                let g2h = self.var.b2(t, x) * h;
                if let Some((p_lo, p_hi)) = bridge_crossing(x, y, w.bridge_lo, w.bridge_hi, g2h) {
                    let u: f64 = rng.random();
                    if u < p_lo {
                        return Some(StopReason::Exited {
                            side: Side::Lower,
                            t: t + h,
                        });
                    }
                    if u < p_lo + p_hi {
                        return Some(StopReason::Exited {
                            side: Side::Upper,
                            t: t + h,
                        });
                    }
                }
            }
            return None;
        }
        let t1 = t + h;
        Some(if y >= w.hi {
            if w.hi_is_exit {
                StopReason::Exited {
                    side: Side::Upper,
                    t: t1,
                }
            } else {
                StopReason::BlownUp { t: t1 }
            }
        } else if y <= w.lo {
            if w.lo_is_exit {
                StopReason::Exited {
                    side: Side::Lower,
                    t: t1,
                }
            } else {
                StopReason::BlownUp { t: t1 }
            }
        } else {
            StopReason::NonFinite
        })
    }
}

/// A scalar monitor applied to a functional `φ(x)` of an n-dimensional state (a
/// coordinate, a norm, a loss): snapshots, exits (without the bridge test) and
/// occupation times of `φ(x_t)`.
#[derive(Debug, Clone, Copy)]
pub struct Projected<F, Mon> {
    phi: F,
    inner: Mon,
}

impl<F, Mon> Projected<F, Mon> {
    /// Watches `φ(x)` with `inner`.
    pub fn new(phi: F, inner: Mon) -> Self {
        Self { phi, inner }
    }
    /// The inner monitor.
    pub fn inner(&self) -> &Mon {
        &self.inner
    }
    /// The inner monitor, by value.
    pub fn into_inner(self) -> Mon {
        self.inner
    }
}

impl<F: Fn(&[f64]) -> f64, Mon: Monitor<f64>> Monitor<[f64]> for Projected<F, Mon> {
    const CAN_STOP: bool = Mon::CAN_STOP;
    #[inline(always)]
    fn start(&mut self, x0: &[f64]) {
        self.inner.start(&(self.phi)(x0));
    }
    #[inline(always)]
    fn before_step(&mut self, n: usize, t: f64, x: &[f64]) {
        self.inner.before_step(n, t, &(self.phi)(x));
    }
    #[inline(always)]
    fn after_step<R: Rng + ?Sized>(
        &mut self,
        n: usize,
        t: f64,
        h: f64,
        y: &[f64],
        rng: &mut R,
    ) -> Option<StopReason> {
        self.inner.after_step(n, t, h, &(self.phi)(y), rng)
    }
}
