//! Noise: how Brownian increments and iterated integrals are drawn.
//!
//! - [`StepNoise`]: increments and iterated Itô integrals over one step;
//! - [`BrownianPath`]: a fine path, coarsened exactly by Chen's relation;
//! - [`LevyArea`]: the Lévy area of two motions given their increments;
//! - [`correlated_increments`]: increments with a given correlation;
//! - [`path_rng`]: the generator of path `i` of seed `s`.

mod levy_area;
mod path;
mod seeding;

pub use levy_area::{conditional_variance, LevyArea};
pub use path::{chen, correlated_increments, BrownianPath, StepNoise};
pub use seeding::{path_rng, PathRng};
