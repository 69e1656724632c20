//! Running the `saddle` binary from the command-line tests.

use std::path::PathBuf;
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

/// A fresh directory `saddle-{name}-{pid}` under the system's temporary directory.
#[allow(dead_code)] // not every test binary that includes this module uses it
pub fn dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("saddle-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Runs `saddle ARGS…`, which must succeed, and returns its standard output.
#[allow(dead_code)] // not every test binary that includes this module uses it
pub fn ok(args: &[&str]) -> Vec<u8> {
    let out = saddle(args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Runs `saddle ARGS…`, which must be refused with status 2 and one line on stderr (the
/// note of a long run's cost aside), and returns that stderr.
#[allow(dead_code)] // not every test binary that includes this module uses it
pub fn refused(args: &[&str]) -> String {
    let out = saddle(args);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{args:?} should be refused: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let e = String::from_utf8_lossy(&out.stderr).into_owned();
    let lines: Vec<&str> = e
        .lines()
        .filter(|l| !(l.contains("path-steps") && l.contains("core-hours")))
        .collect();
    assert_eq!(lines.len(), 1, "one line: {e}");
    e
}
