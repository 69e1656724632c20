//! # saddle-sde
//!
//! Simulation and analysis of the stochastic differential equation that models noisy
//! gradient descent along an unstable axis of a saddle point:
//!
//! ```text
//! dx = a x dt + σ x dW + τ dU        (Itô;  W, U standard Brownian motions, corr(W, U) = ρ)
//! ```
//!
//! `a x` is the gradient step, `σ x dW` the *attractive* noise (noisy curvature) and
//! `τ dU` the *diffusive* noise (noisy slope). The multiplicative noise lowers the
//! almost-sure growth rate from `a` to `a − σ²/2`, so for `σ² > 2a` the saddle
//! becomes attractive.
//!
//! ## Layout
//!
//! | module | what lives there |
//! |---|---|
//! | [`sde`] | model traits: [`Sde`](sde::Sde) (n-dimensional, correlated noise), the Milstein capability [`DiffusionJacobian`](sde::DiffusionJacobian), and allocation-free scalar traits [`ScalarSde`](sde::ScalarSde), [`ScalarMilsteinSde`](sde::ScalarMilsteinSde) |
//! | [`models`] | the saddle SDE, its law-equivalent one-noise form, the d-dimensional local saddle, GBM and OU |
//! | [`noise`] | increments, Brownian paths coarsened exactly (Chen), Lévy areas, per-path seeding |
//! | [`scheme`] | Euler–Maruyama, Milstein (non-commutative, with Lévy areas), commutative Milstein |
//! | [`integrate`] | the driver: grids, stop reasons, one path, paths in lock-step lanes (Gaussian or two-point increments), n-dimensional models |
//! | [`analytic`] | closed forms: the pathwise solution, exact moments, the stationary law (Pearson IV), the `|ρ| = 1` inverse-gamma limit, growth rates, the blog's discrete models |
//! | [`ensemble`] | many paths in parallel, bit-for-bit reproducible for any thread count; streaming moments, histograms, quantiles, snapshots |
//! | [`escape`] | exit problems: Monte Carlo with bridge or shift correction of discrete monitoring, and exact references from the scale function and speed measure |
//!
//! ## Example: EM against the exact moments
//!
//! ```
//! use saddle_sde::{analytic::saddle as exact, ensemble, integrate::Grid, models::SaddleSde,
//!                  scheme::EulerMaruyama};
//! let m = SaddleSde::new(1.0, 1.0, 0.5, 0.3)?;
//! let grid = Grid::new(1.0, 1e-2)?;
//! let s = ensemble::terminal_stats(&m, &EulerMaruyama, 0.1, &grid, 20_000, 7)?;
//! let (mean, var) = (exact::mean(&m, 0.1, 1.0), exact::variance(&m, 0.1, 1.0));
//! // 20 000 paths: the standard error of the mean is √(var/n) ≈ √(1.98/20 000) ≈ 0.010
//! assert!((s.mean() - mean).abs() < 4.0 * (var / 20_000.0).sqrt());
//! # Ok::<(), saddle_sde::Error>(())
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod analytic;
pub mod correlation;
pub mod ensemble;
pub mod error;
pub mod escape;
pub mod integrate;
pub mod models;
pub mod noise;
mod quadrature;
pub mod scheme;
pub mod sde;

pub use correlation::Correlation;
pub use error::{Error, ParamError, Result};

#[cfg(test)]
mod trait_impls {
    //! Public types are Send + Sync + Clone, so models can be shared across threads.
    fn send_sync_clone<T: Send + Sync + Clone>() {}
    #[test]
    fn public_types() {
        send_sync_clone::<crate::models::SaddleSde>();
        send_sync_clone::<crate::models::LawEquivalentSaddle>();
        send_sync_clone::<crate::models::LocalSaddle>();
        send_sync_clone::<crate::models::Gbm>();
        send_sync_clone::<crate::models::OrnsteinUhlenbeck>();
        send_sync_clone::<crate::Correlation>();
        send_sync_clone::<crate::noise::LevyArea>();
        send_sync_clone::<crate::noise::BrownianPath<2>>();
        send_sync_clone::<crate::scheme::Milstein>();
        send_sync_clone::<crate::integrate::Grid>();
        send_sync_clone::<crate::ensemble::TerminalStats>();
        send_sync_clone::<crate::Error>();
    }
}
