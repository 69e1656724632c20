//! Test crate `landscape`: saddles in d dimensions (seeds 002, 003, 004).
//!
//! `cargo test --release --test landscape`.

#[path = "../common/mod.rs"]
mod common;

mod escape_nd;
mod goe;
mod quadratic;
