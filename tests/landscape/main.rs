//! Test crate `landscape`: saddles in d dimensions (seeds 002, 003, 004).
//!
//! `cargo test --release --test landscape`.

mod escape_nd;
mod quadratic;
