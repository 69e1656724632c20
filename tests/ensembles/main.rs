//! Test crate `ensembles`: the run engine and the ensemble summaries, bitwise
//! reproducibility across thread counts, and the pinned outputs for fixed seeds.
//!
//! One test binary for what used to be four; every file is a module here and its tests
//! keep their names, e.g. `cargo test --release --test ensembles -- value_stability::`.

#[path = "../common/mod.rs"]
mod common;

mod determinism;
mod engine;
mod ensemble_stats;
mod value_stability;
