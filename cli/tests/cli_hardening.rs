//! Input and faults that cannot hurt: hostile or careless input gets a one-line refusal
//! that names the flag, never a panic, a hang or a file written where it should not be.

mod common;

use common::saddle;
use std::path::PathBuf;

fn dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("saddle-hard-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Runs saddle, which must refuse with status 2 and one line naming `name`, before any
/// path runs (with a progress line after every batch, none may appear).
fn refused(args: &[&str], name: &str) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_saddle"))
        .args(args)
        .env("SADDLE_PROGRESS_SECS", "0")
        .output()
        .expect("run saddle");
    let e = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {e}");
    assert!(e.contains(name), "{args:?} should name {name}: {e}");
    assert!(!e.contains("panicked"), "{args:?}: {e}");
    assert!(
        !e.contains("% ("),
        "{args:?} ran paths before refusing: {e}"
    );
}

#[test]
fn hostile_numbers_are_refused_by_name() {
    refused(
        &[
            "escape",
            "--time-bins",
            "18446744073709551615",
            "--paths",
            "10",
        ],
        "time_bins",
    );
    refused(
        &["escape", "--time-bins", "1000000000000", "--paths", "10"],
        "time_bins",
    );
    refused(
        &["escape", "--paths", "10", "--threads", "100000"],
        "threads",
    );
    refused(&["simulate", "--paths", "-1"], "paths");
    refused(&["escape", "--lower", "-inf", "--paths", "10"], "lower");
    refused(&["escape", "--x0", "-nan", "--paths", "10"], "x0");
    refused(
        &[
            "simulate",
            "--paths",
            "18446744073709551615",
            "--dt",
            "1e-3",
        ],
        "paths",
    );
    refused(
        &["simulate", "--checkpoint-secs", "-1", "--paths", "10"],
        "checkpoint-secs",
    );
    // found by the 10⁵-case property run: the exit histogram's time axis underflowed
    refused(&["sgd", "--lr", "5e-324", "--runs", "8"], "lr");
    // every iterate is kept: 2^64 − 1 of them were collected until the process was
    // killed (found by the 10^5-case property test)
    refused(
        &[
            "optimise",
            "--x0",
            "1,2",
            "--lr",
            "5e-324",
            "--iterates",
            "18446744073709551615",
        ],
        "iterates",
    );
}

#[test]
fn mlmc_stops_at_its_cost_cap_before_drawing_the_plan() {
    for v in ["nan", "-1", "0", "-inf"] {
        refused(&["mlmc", "--max-cost", v], "max_cost");
    }
    // σ = 3: the variance of x_T² is about e³⁶ times its square mean, so reaching
    // eps = 0.2 needs far more than 10⁸ path-steps; the pilot rounds show it
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_saddle"))
        .args(["mlmc", "--sigma", "3", "--eps", "0.2", "--max-cost", "1e8"])
        .output()
        .expect("run saddle");
    let e = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{e}");
    assert!(e.contains("max_cost") && e.contains("planned"), "{e}");
    assert_eq!(e.trim().lines().count(), 1, "{e}");
    // and a run within the cap is not stopped: the default model at eps = 0.05 plans
    // about 10⁷ path-steps
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_saddle"))
        .args(["mlmc", "--eps", "0.05", "--max-cost", "1e8", "--json"])
        .output()
        .expect("run saddle");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_step_longer_than_the_horizon_is_one_step_not_none() {
    let out = saddle(&["simulate", "--dt", "1e308", "--paths", "1000", "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["input"]["steps"], 1);
    // one EM step of h = 1 moves every path: the mean is no longer x0 = 0.1 exactly
    assert_ne!(v["mean"]["estimate"].as_f64().unwrap(), 0.1);
}

#[test]
fn an_unresolvable_exact_reference_ends_as_not_available() {
    // the scale density exp(−F) with F of order 10⁶: the quadrature gives up within its
    // budget (about a minute here) instead of running for days
    let out = saddle(&[
        "escape",
        "--a",
        "1e6",
        "--paths",
        "100",
        "--horizon",
        "1",
        "--json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["exact"].is_null(), "{}", v["exact"]);
}

#[test]
fn out_is_checked_before_the_run_and_never_follows_a_symlink() {
    let d = dir("out");
    // a missing directory: refused before the run (no progress line), naming the path
    let missing = d.join("no/such/dir/r.json");
    refused(
        &[
            "escape",
            "--paths",
            "2000000",
            "--out",
            missing.to_str().unwrap(),
        ],
        "does not exist",
    );
    // a read-only target is not replaced
    let ro = d.join("ro.json");
    std::fs::write(&ro, "keep").unwrap();
    let mut p = std::fs::metadata(&ro).unwrap().permissions();
    p.set_readonly(true);
    std::fs::set_permissions(&ro, p).unwrap();
    let out = saddle(&["escape", "--paths", "100", "--out", ro.to_str().unwrap()]);
    // root can write read-only files, so the check, not the OS, must refuse
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(std::fs::read_to_string(&ro).unwrap(), "keep");
    // the temporary's name is not predictable: planting symlinks at the old names
    // (.NAME.tmp-PID) for a range of pids changes nothing
    let victim = d.join("victim.txt");
    std::fs::write(&victim, "victim").unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let target = d.join("r.json");
        std::fs::write(&target, "{}").unwrap();
        std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o600)).unwrap();
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_saddle"))
            .args([
                "escape",
                "--paths",
                "100",
                "--out",
                target.to_str().unwrap(),
            ])
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let pid = child.id();
        let _ = std::os::unix::fs::symlink(&victim, d.join(format!(".r.json.tmp-{pid}")));
        assert!(child.wait().unwrap().success());
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "victim");
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&target).unwrap()).unwrap();
        assert!(v["p_exit_upper"].is_object());
        // the replaced file keeps its permissions
        let mode = std::fs::metadata(&target).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    // no temporaries left
    let stray = std::fs::read_dir(&d)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .count();
    assert_eq!(stray, 0);
}
