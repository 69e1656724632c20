//! Noise: how Brownian increments and iterated integrals are drawn.
//!
//! - [`StepNoise`]: increments and iterated Itô integrals over one step;
//! - [`NoiseSource`] and its sources ([`Gaussian`], [`GaussianAreas`], [`TwoPoint`],
//!   [`Given`], [`NdGaussian`]): one step's noise at a time, for the run engine;
//! - [`BrownianPath`]: a fine path, coarsened exactly by Chen's relation;
//! - [`LevyArea`]: the Lévy area of two motions given their increments;
//! - [`correlated_increments`]: increments with a given correlation;
//! - [`uniform_direction`], [`haar_orthogonal`]: random directions and rotations;
//! - [`fill_goe`], [`PositiveDefiniteSampler`], [`normal_excess`]: random symmetric
//!   (GOE) matrices, and the GOE restricted to positive definite matrices with
//!   likelihood-ratio weights;
//! - [`path_rng`]: the generator of path `i` of seed `s` ([`PathRng`], eight
//!   vectorised xoshiro256++ lanes);
//! - [`fill_standard_normals`]: standard normals in bulk (a vectorised ziggurat), and
//!   [`standard_normal`] one at a time.
//!
//! Modules depend on each other in one direction only:
//! `step` ← `levy_area` ← `source` ← `path`.

pub(crate) mod batch;
mod geometry;
mod goe;
mod levy_area;
mod normal;
mod path;
mod seeding;
mod simd;
mod source;
mod step;
mod ziggurat_tables;

pub use batch::{BatchNoise, BatchSource, IndexSet, Sampling};
pub use geometry::{haar_orthogonal, uniform_direction};
pub use goe::{
    PositiveDefiniteSampler, ResampledPositiveDefinite, fill_goe, ln_normal_sf, normal_above,
    normal_excess,
};
pub use levy_area::{LevyArea, conditional_variance};
pub use normal::{
    CHUNK as NORMAL_CHUNK, Kernel, ZigguratNormal, fill_standard_normals,
    fill_standard_normals_with, standard_normal,
};
pub use path::{BrownianPath, chen, correlated_increments};
pub(crate) use seeding::{CacheAligned, sub_seed, vectorized};
pub use seeding::{LANES as PATH_RNG_LANES, PathRng, path_rng};
pub use source::{
    AREA_BLOCK_NORMALS, GAUSSIAN_BLOCK, Gaussian, GaussianAreas, Given, NdGaussian, NdNoise,
    NdSilent, NoiseNeeds, NoiseSource, ScalarNoise, Stepwise, TwoPoint,
};
pub use step::StepNoise;
