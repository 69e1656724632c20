//! Saddles in `d` dimensions: deterministic and noisy optimisers on quadratic saddles,
//! how rare minima are among random critical points, and the stochastic escape of the
//! d-dimensional local saddle.
//!
//! These are the claims of the crate's other seed documents (lecture notes, slides and
//! a talk on Dauphin et al.), checked in the second table of `docs/blog-claims.md`.
//!
//! - [`quadratic`]: gradient descent, heavy ball, Nesterov, Newton and saddle-free
//!   Newton on `f = ½ xᵀHx`, deterministic or with gradient noise, as steppers of the
//!   run engine;
//! - [`goe`]: the probability that a random symmetric (GOE) Hessian is positive
//!   definite, and saddles per minimum, against seed 002's independence heuristic `2⁻ⁿ`;
//! - [`escape`]: escape of the d-dimensional local saddle (ball exits, per-direction
//!   attraction) against the 1-D exact laws.

pub mod escape;
pub mod goe;
pub mod quadratic;

pub use escape::{BallObs, DirectionMonitor, DirectionObs, DirectionStats, StopWhen};
pub use quadratic::{
    EscapeSpec, EscapeSummary, MAX_PATH_STEPS, Method, Optimiser, QuadStepper, Quadratic, Start,
};
