//! Test crate `examples`: the examples under `examples/` run and print what they
//! claim.

mod cli_quickstart;
