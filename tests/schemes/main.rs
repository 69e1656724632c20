//! Test crate `schemes`: the one-step schemes, their strong and weak orders, the
//! Lévy-area sampler, the closed-form pathwise reference, and the moments every
//! scheme and increment source must reproduce.
//!
//! One test binary for what used to be nine (each file under `tests/` is its own crate,
//! compiled and linked separately); every file is a module here and its tests keep their
//! names, e.g. `cargo test --release --test schemes -- strong_order::`.

#[path = "../common/mod.rs"]
mod common;

mod closed_form;
mod driver_milstein_increments;
mod levy_area;
mod local_saddle;
mod moments_mc;
mod normal_sampler;
mod steps;
mod strong_order;
mod two_point;
mod weak_order;
