//! Known-answer fixtures: a model, a start and a horizon together with the exact
//! answers at that horizon, in one place, so that tests, benchmarks and examples run
//! the same problems against the same references.
//!
//! | fixture | model | exact answers from |
//! |---|---|---|
//! | [`w1`] | the saddle SDE of benchmark W1, `(a, σ, τ, ρ, x0, T) = (1, 1, 0.5, 0.3, 0.1, 1)` | [`analytic::saddle`](crate::analytic::saddle) |
//! | [`attracting_saddle`] | a saddle with `σ² > 2a` and `ρ ≠ 0`, `τ < 0` | [`analytic::saddle`](crate::analytic::saddle) |
//! | [`gbm`] | geometric Brownian motion | [`analytic::known`](crate::analytic::known) |
//! | [`ou`] | Ornstein–Uhlenbeck | [`analytic::known`](crate::analytic::known) |
//!
//! ```
//! use saddle_sde::{ensemble::Ensemble, fixtures, integrate::Grid, scheme::EulerMaruyama};
//! let f = fixtures::w1();
//! let s = Ensemble::new(&f.model, &EulerMaruyama).start(f.x0).grid(Grid::new(f.t, 1e-2)?).paths(20_000).terminal()?;
//! // 20 000 paths: standard error √(1.97/20 000) ≈ 0.0099; EM's weak bias at h = 0.01 is ≈ 0.0014
//! assert!((s.mean() - f.mean).abs() < 4.0 * (f.variance / 20_000.0).sqrt());
//! # Ok::<(), saddle_sde::Error>(())
//! ```

use crate::analytic::{known, saddle};
use crate::models::{Gbm, OrnsteinUhlenbeck, SaddleSde};

/// A model with a start, a horizon and the exact mean and variance of `x_T`.
#[derive(Debug, Clone, PartialEq)]
pub struct KnownAnswer<S> {
    /// A short name for tables.
    pub name: &'static str,
    /// The model.
    pub model: S,
    /// The start `x₀`.
    pub x0: f64,
    /// The horizon `T`.
    pub t: f64,
    /// Exact `E[x_T]`.
    pub mean: f64,
    /// Exact `Var[x_T]`.
    pub variance: f64,
}

fn saddle_fixture(
    name: &'static str,
    a: f64,
    s: f64,
    tau: f64,
    rho: f64,
    x0: f64,
    t: f64,
) -> KnownAnswer<SaddleSde> {
    // the parameters are constants that satisfy the constructor's conditions
    let model =
        SaddleSde::new(a, s, tau, rho).unwrap_or_else(|e| unreachable!("fixture {name}: {e}"));
    KnownAnswer {
        name,
        mean: saddle::mean(&model, x0, t),
        variance: saddle::variance(&model, x0, t),
        model,
        x0,
        t,
    }
}

/// Benchmark W1's problem: `(a, σ, τ, ρ, x0, T) = (1, 1, 0.5, 0.3, 0.1, 1)`.
pub fn w1() -> KnownAnswer<SaddleSde> {
    saddle_fixture("w1", 1.0, 1.0, 0.5, 0.3, 0.1, 1.0)
}

/// An attracting saddle (`σ² = 2.25 > 2a = 1`) with correlated, negative diffusive
/// noise: `(a, σ, τ, ρ, x0, T) = (0.5, 1.5, −1, 0.8, 0.1, 1)`.
pub fn attracting_saddle() -> KnownAnswer<SaddleSde> {
    saddle_fixture("attracting", 0.5, 1.5, -1.0, 0.8, 0.1, 1.0)
}

/// Geometric Brownian motion `dx = 0.5 x dt + 0.4 x dW` from 1 to `T = 1`.
pub fn gbm() -> KnownAnswer<Gbm> {
    let model = Gbm::new(0.5, 0.4).unwrap_or_else(|e| unreachable!("fixture gbm: {e}"));
    let (x0, t) = (1.0, 1.0);
    let mean = known::gbm_mean(&model, x0, t);
    KnownAnswer {
        name: "gbm",
        variance: known::gbm_second_moment(&model, x0, t) - mean * mean,
        mean,
        model,
        x0,
        t,
    }
}

/// Ornstein–Uhlenbeck `dx = 2(0.5 − x) dt + 0.7 dW` from −1 to `T = 1`.
pub fn ou() -> KnownAnswer<OrnsteinUhlenbeck> {
    let model =
        OrnsteinUhlenbeck::new(2.0, 0.5, 0.7).unwrap_or_else(|e| unreachable!("fixture ou: {e}"));
    let (x0, t) = (-1.0, 1.0);
    KnownAnswer {
        name: "ou",
        mean: known::ou_mean(&model, x0, t),
        variance: known::ou_variance(&model, t),
        model,
        x0,
        t,
    }
}
