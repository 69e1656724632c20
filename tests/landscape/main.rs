//! Test crate `landscape`: saddles in d dimensions.
//!
//! `cargo test --release --test landscape`.

#[path = "../common/mod.rs"]
mod common;

mod goe;
