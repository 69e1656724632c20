//! Test crate `analytic`: the analytic results (stationary Pearson IV law, |ρ| = 1
//! inverse-gamma limit, finite-time law, discrete models and growth rates, the blog's
//! Case 1 pathwise formula) against independent evaluations and simulation.
//!
//! One test binary for what used to be seven; every file is a module here and its tests
//! keep their names, e.g. `cargo test --release --test analytic -- analytic_discrete::`.

#[path = "../common/mod.rs"]
mod common;

mod analytic_case1_pathwise;
mod analytic_discrete;
mod analytic_finite_time;
mod analytic_inverse_gamma;
mod analytic_limits_mc;
mod analytic_stationary;
mod analytic_stationary_prop;
