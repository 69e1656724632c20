//! The optimisers' update rules and rates as separate types, so that the run loops of
//! [`Sgd`](super::Sgd) are compiled once per (rule, rate) pair with no per-step dispatch
//! (`with_stepper!`); [`OptimStep`](super::OptimStep) applies the same functions through
//! a `match`.

use super::BatchNoise;

/// One update of `[x, auxiliary]` at rate `lr` with perturbation `p`.
pub(crate) trait Rule: Copy + Send + Sync {
    fn apply(self, a: f64, lr: f64, p: f64, s: &mut [f64], noise: &BatchNoise);
}
#[derive(Clone, Copy)]
pub(crate) struct Sgd;
#[derive(Clone, Copy)]
pub(crate) struct Momentum {
    pub(crate) beta: f64,
}
#[derive(Clone, Copy)]
pub(crate) struct Svrg {
    pub(crate) inner: usize,
}
#[derive(Clone, Copy)]
pub(crate) struct Relu {
    pub(crate) width: f64,
}
impl Rule for Sgd {
    #[inline(always)]
    fn apply(self, a: f64, lr: f64, p: f64, s: &mut [f64], noise: &BatchNoise) {
        let x = s[0];
        s[0] = x + lr * ((a + noise.xi) * x + noise.eta) + p * noise.z;
    }
}
impl Rule for Momentum {
    #[inline(always)]
    fn apply(self, a: f64, lr: f64, p: f64, s: &mut [f64], noise: &BatchNoise) {
        let x = s[0];
        let v = self.beta * s[1] + lr * ((a + noise.xi) * x + noise.eta);
        s[1] = v;
        s[0] = x + v + p * noise.z;
    }
}
impl Rule for Svrg {
    #[inline(always)]
    fn apply(self, a: f64, lr: f64, p: f64, s: &mut [f64], noise: &BatchNoise) {
        let x = s[0];
        if (noise.n - 1).is_multiple_of(self.inner) {
            s[1] = x; // the landmark x*, whose full gradient is −a x*
        }
        s[0] = x + lr * (a * x + noise.xi * (x - s[1])) + p * noise.z;
    }
}
impl Rule for Relu {
    #[inline(always)]
    fn apply(self, a: f64, lr: f64, p: f64, s: &mut [f64], noise: &BatchNoise) {
        let x = s[0];
        let sign = if x > 0.0 {
            1.0
        } else if x < 0.0 {
            -1.0
        } else {
            0.0
        };
        s[0] = x + lr * ((a + noise.xi) * self.width * sign + noise.eta) + p * noise.z;
    }
}

/// The rate `lr_n` of step `n` (as [`super::Schedule::rate`]).
pub(crate) trait Rate: Copy + Send + Sync {
    fn rate(self, lr0: f64, n: usize) -> f64;
}
#[derive(Clone, Copy)]
pub(crate) struct Constant;
#[derive(Clone, Copy)]
pub(crate) struct Harmonic;
#[derive(Clone, Copy)]
pub(crate) struct InverseTime {
    pub(crate) n0: f64,
}
impl Rate for Constant {
    #[inline(always)]
    fn rate(self, lr0: f64, _: usize) -> f64 {
        lr0
    }
}
impl Rate for Harmonic {
    #[inline(always)]
    fn rate(self, lr0: f64, n: usize) -> f64 {
        lr0 / n as f64
    }
}
impl Rate for InverseTime {
    #[inline(always)]
    fn rate(self, lr0: f64, n: usize) -> f64 {
        lr0 / (1.0 + n as f64 / self.n0)
    }
}

/// A stepper with its rule and rate fixed at compile time.
#[derive(Clone, Copy)]
pub(crate) struct Fixed<R, Q> {
    pub(crate) a: f64,
    pub(crate) lr0: f64,
    pub(crate) perturb: f64,
    pub(crate) rule: R,
    pub(crate) rate: Q,
}
impl<R: Rule, Q: Rate> crate::integrate::Stepper for Fixed<R, Q> {
    type State = [f64];
    type Noise = BatchNoise;
    #[inline(always)]
    fn step(&mut self, _t: f64, s: &mut [f64], noise: &BatchNoise) {
        let lr = self.rate.rate(self.lr0, noise.n);
        self.rule.apply(self.a, lr, self.perturb, s, noise);
    }
    fn is_finite(s: &[f64]) -> bool {
        s.iter().all(|v| v.is_finite())
    }
}

/// Binds `$st` to the (rule, rate)-specialised stepper of the [`Sgd`] `$sgd` and
/// evaluates `$body` (compiled once per pair).
macro_rules! with_stepper {
    ($sgd:expr, $st:ident => $body:expr) => {{
        let sgd: &Sgd<'_> = $sgd;
        match sgd.schedule {
            Schedule::Constant => with_stepper!(@rule sgd, rule::Constant, $st => $body),
            Schedule::Harmonic => with_stepper!(@rule sgd, rule::Harmonic, $st => $body),
            Schedule::InverseTime { n0 } => {
                with_stepper!(@rule sgd, rule::InverseTime { n0 }, $st => $body)
            }
        }
    }};
    (@rule $sgd:ident, $rate:expr, $st:ident => $body:expr) => {{
        let (a, lr0, perturb) = ($sgd.data.a(), $sgd.lr, $sgd.perturb);
        match $sgd.optimizer {
            Optimizer::Sgd => {
                let $st = rule::Fixed { a, lr0, perturb, rule: rule::Sgd, rate: $rate };
                $body
            }
            Optimizer::Momentum { beta } => {
                let $st = rule::Fixed { a, lr0, perturb, rule: rule::Momentum { beta }, rate: $rate };
                $body
            }
            Optimizer::Svrg { inner } => {
                let $st = rule::Fixed { a, lr0, perturb, rule: rule::Svrg { inner }, rate: $rate };
                $body
            }
            Optimizer::Relu { width } => {
                let $st = rule::Fixed { a, lr0, perturb, rule: rule::Relu { width }, rate: $rate };
                $body
            }
        }
    }};
}
