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
//! | [`noise`] | noise sources for the engine (Gaussian, with Lévy areas, two-point, a given path), Brownian paths coarsened exactly (Chen), Lévy areas, per-path seeding |
//! | [`scheme`] | Euler–Maruyama, Milstein (non-commutative, with Lévy areas), commutative Milstein; each declares the noise it needs |
//! | [`integrate`] | the run engine: the only stepping loops ([`run`](integrate::run) for one path, [`run_lanes`](integrate::run_lanes) for lock-step lanes, [`run_stream`](integrate::run_stream) for paths that stop early, streaming through lanes), monitors (end value, snapshots, exits, blow-up, occupation time, closures), stop reasons, grids |
//! | [`analytic`] | closed forms: the pathwise solution, exact moments, the stationary law (Pearson IV), the `|ρ| = 1` inverse-gamma limit, growth rates, the blog's discrete models |
//! | [`ensemble`] | the [`Ensemble`](ensemble::Ensemble) builder: many paths in parallel, bit-for-bit reproducible for any thread count; streaming moments, histograms, quantiles, snapshots; per-path starts and models |
//! | [`fixtures`] | known-answer problems (a model, a start, a horizon and the exact answers), shared by tests, benchmarks and examples |
//! | [`escape`] | exit problems: Monte Carlo with bridge or shift correction of discrete monitoring, and exact references from the scale function and speed measure |
//! | [`claims`] | the blog post's claims with their verdicts, tests and figures: the one source of `docs/blog-claims.md` and the report's `claims.json` |
//! | [`convergence`] | strong errors of EM and both Milsteins on shared Brownian paths against the pathwise solution (the strong-order harness), log-log slopes |
//! | [`landscape`] | saddles in d dimensions: gradient descent, momentum, Nesterov, Newton and saddle-free Newton on quadratic saddles (deterministic and with gradient noise, as steppers of the run engine); the probability that a random symmetric (GOE) Hessian is positive definite; escape of the d-dimensional local saddle |
//! | [`optim`] | SGD at the optimiser level on a finite-sum model of the post's noisy saddle: minibatches with and without replacement, perturbation, learning-rate schedules, momentum, SVRG, a piecewise-linear (ReLU) loss, each a stepper of the run engine; the diffusion-limit SDE |
//! | [`report`] | the blog post's figures recomputed and checked, as data (panels, series, captions, numeric checks): what `saddle report` draws |
//! | [`uncertainty`] | Wilson and Clopper–Pearson intervals for proportions, order-statistic intervals for quantiles, Kolmogorov–Smirnov distances, and when a sample standard error can be trusted |
//!
//! ## Example: EM against the exact moments
//!
//! ```
//! use saddle_sde::{analytic::saddle as exact, ensemble::Ensemble, integrate::Grid,
//!                  models::SaddleSde, scheme::EulerMaruyama};
//! let m = SaddleSde::new(1.0, 1.0, 0.5, 0.3)?;
//! let s = Ensemble::new(&m, &EulerMaruyama)
//!     .start(0.1)
//!     .grid(Grid::new(1.0, 1e-2)?)
//!     .paths(20_000)
//!     .seed(7)
//!     .terminal()?;
//! let (mean, var) = (exact::mean(&m, 0.1, 1.0), exact::variance(&m, 0.1, 1.0));
//! // 20 000 paths: the standard error of the mean is √(var/n) ≈ √(1.98/20 000) ≈ 0.010
//! assert!((s.mean() - mean).abs() < 4.0 * (var / 20_000.0).sqrt());
//! # Ok::<(), saddle_sde::Error>(())
//! ```
//! ## Dependencies in the public API
//!
//! Generators, distributions, laws and matrices in the signatures come from
//! [`rand`], [`rand_distr`], [`statrs`] and [`nalgebra`], re-exported here so that a
//! program on another version of one of them can still name the ones this crate uses
//! (`saddle_sde::rand::SeedableRng`, …). The [`prelude`] brings the everyday names into
//! scope at once.
//!
//! ## Features
//!
//! `serde`: `Serialize` and `Deserialize` for every result and summary type (moments,
//! histograms, terminal and snapshot summaries, exit statistics, estimates, stop
//! reasons, grids), so that they can be saved and reloaded; `Serialize` for the
//! [`claims`].

pub mod analytic;
pub mod claims;
pub mod convergence;
pub mod correlation;
pub mod ensemble;
pub mod error;
pub mod escape;
pub mod fixtures;
pub mod integrate;
pub mod landscape;
pub mod mlmc;
pub mod models;
pub mod noise;
pub mod optim;
mod quadrature;
pub mod report;
pub mod scheme;
pub mod sde;
pub mod uncertainty;

pub use correlation::Correlation;
pub use error::{Error, ParamError, Result};

pub use nalgebra;
pub use rand;
pub use rand_distr;
pub use statrs;

/// The everyday names: models, schemes, the grid, the engine, ensembles and exits.
///
/// ```
/// use saddle_sde::prelude::*;
/// let m = SaddleSde::new(1.0, 1.0, 0.5, 0.3)?;
/// let s = Ensemble::new(&m, &EulerMaruyama).start(0.1).grid(Grid::new(1.0, 1e-2)?).paths(100).terminal()?;
/// assert_eq!(s.paths(), 100);
/// # Ok::<(), saddle_sde::Error>(())
/// ```
pub mod prelude {
    pub use crate::Correlation;
    pub use crate::ensemble::{
        Ensemble, Histogram, Increments, MeanVar, Merge, NdEnsemble, Observe, SnapshotObs,
        Snapshots, TerminalObs, TerminalSummary,
    };
    pub use crate::error::{Error, Result};
    pub use crate::escape::{Correction, ExitDomain, ExitSpec, ExitStats};
    pub use crate::integrate::monitor::Monitor;
    pub use crate::integrate::{
        Grid, NdScheme, ScalarStepper, Side, StopReason, Terminal, run, run_lanes, terminal,
    };
    pub use crate::models::{Gbm, LawEquivalentSaddle, LocalSaddle, OrnsteinUhlenbeck, SaddleSde};
    pub use crate::noise::{NoiseNeeds, NoiseSource, PathRng, ScalarNoise, StepNoise, path_rng};
    pub use crate::scheme::{CommutativeMilstein, EulerMaruyama, Milstein, ScalarScheme};
    pub use crate::sde::{ScalarMilsteinSde, ScalarSde, Sde};
}

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
        send_sync_clone::<crate::ensemble::TerminalSummary>();
        send_sync_clone::<crate::ensemble::Snapshots>();
        send_sync_clone::<crate::ensemble::SnapshotObs>();
        send_sync_clone::<crate::ensemble::TerminalObs>();
        send_sync_clone::<crate::escape::ExitStats>();
        send_sync_clone::<crate::escape::ExitSpec>();
        send_sync_clone::<crate::integrate::StopReason>();
        send_sync_clone::<crate::noise::ScalarNoise<2>>();
        send_sync_clone::<crate::noise::TwoPoint<2>>();
        send_sync_clone::<crate::noise::NdGaussian>();
        send_sync_clone::<crate::noise::PositiveDefiniteSampler>();
        send_sync_clone::<crate::noise::ResampledPositiveDefinite>();
        send_sync_clone::<crate::landscape::goe::PositiveDefinite>();
        send_sync_clone::<crate::landscape::goe::PositiveDefiniteResult>();
        send_sync_clone::<crate::Error>();
    }
}
