//! Test crate `escape`: exit probabilities and exit times — the exact references
//! against independent solves, the generic references against closed forms, Monte
//! Carlo against the references, and the order of the barrier corrections.
//!
//! One test binary for what used to be four; every file is a module here and its tests
//! keep their names, e.g. `cargo test --release --test escape -- escape_mc::`.

#[path = "../common/mod.rs"]
mod common;

mod escape_exact;
mod escape_generic;
mod escape_mc;
mod escape_order;
mod quiet_band;
