//! Test crate `inputs`: bad input to the simulation API and to the analytic
//! constructors is a typed error, never a panic, a hang or a NaN (property tests).
//!
//! One test binary for what used to be two; every file is a module here and its tests
//! keep their names, e.g. `cargo test --release --test inputs -- bad_input::`.
//!
//! proptest's committed regressions for these modules are read from
//! `tests/proptest-regressions/<module>.txt`: with a `main.rs` beside the source file,
//! proptest's default `FileFailurePersistence::SourceParallel("proptest-regressions")`
//! takes the directory holding `main.rs` as the source root and looks in a sibling
//! directory named `proptest-regressions`.

#[path = "../common/mod.rs"]
mod common;

mod analytic_bad_input;
mod bad_input;
mod public_numbers;
