//! Running the `saddle` binary from the command-line tests.

use std::process::{Command, Output};

pub mod kill;

/// Runs `saddle ARGS…` and returns its output.
pub fn saddle(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_saddle"))
        .args(args)
        .output()
        .expect("run saddle")
}

/// Runs `saddle ARGS…`, which must succeed, and parses its standard output as one JSON
/// value.
#[allow(dead_code)] // not every test binary that includes this module uses it
pub fn json(args: &[&str]) -> serde_json::Value {
    let out = saddle(args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("one JSON value")
}

/// The two-sided z critical value at the suite's per-test level
/// `saddle_sde::report::CHECK_ALPHA` = 2·10⁻⁶: Φ⁻¹(1 − α/2) (the same value as
/// `tests/common/tol.rs::Z_EACH`, which checks it against the formula).
#[allow(dead_code)] // not every test binary that includes this module uses it
pub const Z_EACH: f64 = 4.753_424_308_822_899;
