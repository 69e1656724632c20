//! Saddles in `d` dimensions: deterministic and noisy optimisers on quadratic saddles,
//! how rare minima are among random critical points, and the stochastic escape of the
//! d-dimensional local saddle.
//!
//! These are the claims of the crate's other seed documents (lecture notes, slides and
//! a talk on Dauphin et al.), checked in the second table of `docs/blog-claims.md`.
//!
//! - [`goe`]: the probability that a random symmetric (GOE) Hessian is positive
//!   definite, and saddles per minimum, against seed 002's independence heuristic `2⁻ⁿ`.

pub mod goe;
