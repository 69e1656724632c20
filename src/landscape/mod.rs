//! Saddles in `d` dimensions: deterministic and noisy optimisers on quadratic saddles,
//! how rare minima are among random critical points, and the stochastic escape of the
//! d-dimensional local saddle.
//!
//! These are the claims of the crate's other seed documents (lecture notes, slides and
//! a talk on Dauphin et al.), checked in the second table of `docs/blog-claims.md`.

pub mod escape;
pub mod quadratic;

pub use escape::{BallObs, DirectionMonitor, DirectionObs, DirectionStats, StopWhen};
pub use quadratic::{EscapeSpec, EscapeSummary, Method, Optimiser, QuadStepper, Quadratic, Start};
