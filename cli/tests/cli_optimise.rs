//! `saddle optimise`: escape statistics and iterates on quadratic saddles, their JSON,
//! thread-count invariance and one-line errors.

mod common;

use common::{json, saddle};

/// The default: GD (η = 0.1) on x₁² − x₂² from (0.5, 10⁻³) escapes the unit ball after
/// ⌈ln(10³)/ln 1.2⌉ = 38 steps; Newton is attracted; saddle-free Newton escapes after
/// ⌈ln(10³)/ln 1.5⌉ = 18.
#[test]
fn deterministic_runs_match_the_multipliers() {
    let v = json(&["optimise", "--json"]);
    assert_eq!(v["escaped"], 1);
    assert_eq!(v["mean_escape_steps"]["estimate"], 38.0);
    assert!(v["mean_escape_steps"]["stderr"].is_null());
    assert_eq!(v["growth_factors"][0], 1.2);
    let v = json(&["optimise", "--json", "--method", "newton", "--lr", "1"]);
    assert_eq!(
        (v["attracted"].as_u64(), v["escaped"].as_u64()),
        (Some(1), Some(0))
    );
    assert_eq!(v["mean_attract_steps"]["estimate"], 1.0);
    let v = json(&["optimise", "--json", "--method", "sfn", "--lr", "0.5"]);
    assert_eq!(v["mean_escape_steps"]["estimate"], 18.0);
}

#[test]
fn json_has_the_documented_fields() {
    let v = json(&[
        "optimise",
        "--json",
        "--radius",
        "1e-3",
        "--runs",
        "500",
        "--noise",
        "1e-4",
        "--eigenvalues=-0.5,1,2",
        "--rotate",
        "3",
        "--method",
        "nesterov",
    ]);
    for key in ["p_escape", "p_attracted"] {
        assert!(
            v[key]["estimate"].is_f64() && v[key]["stderr"].is_f64(),
            "{key}"
        );
        assert_eq!(
            v[key]["wilson95"].as_array().map(Vec::len),
            Some(2),
            "{key}"
        );
    }
    for key in ["runs", "escaped", "attracted", "censored", "non_finite"] {
        assert!(v[key].is_u64(), "{key}");
    }
    assert_eq!(v["runs"], 500);
    assert_eq!(v["escaped"], 500);
    assert_eq!(v["method"], "nesterov");
    assert_eq!(v["eigenvalues"].as_array().map(Vec::len), Some(3));
    assert!(v["mean_escape_steps"]["stderr"].as_f64().unwrap() > 0.0);
}

#[test]
fn iterates_are_printed() {
    let v = json(&["optimise", "--json", "--iterates", "3"]);
    let it = v["iterates"].as_array().unwrap();
    assert_eq!(it.len(), 4);
    // x₁ ← 0.8 x₁, x₂ ← 1.2 x₂
    assert!((it[1]["x"][0].as_f64().unwrap() - 0.4).abs() < 1e-15);
    assert!((it[1]["x"][1].as_f64().unwrap() - 1.2e-3).abs() < 1e-15);
    // GD's x₂ grows by 1.2 per step: ‖x‖² overflows near step 1 950; the run stops at
    // its last representable iterate instead of printing ±∞ or null
    let v = json(&["optimise", "--json", "--iterates", "2500"]);
    assert_eq!(v["overflowed"], true);
    let it = v["iterates"].as_array().unwrap();
    assert!(it.len() < 2501 && it.len() > 1900, "{}", it.len());
    assert!(it.iter().all(|r| r["f"].is_f64() && r["norm"].is_f64()));
    let out = saddle(&["optimise", "--iterates", "2"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.lines().count(), 4, "{text}");
}

#[test]
fn results_do_not_depend_on_the_thread_count() {
    let args = |t: &'static str| {
        vec![
            "optimise",
            "--json",
            "--radius",
            "1e-2",
            "--runs",
            "700",
            "--noise",
            "0.01",
            "--method",
            "momentum",
            "--beta",
            "0.5",
            "--threads",
            t,
        ]
    };
    assert_eq!(json(&args("1")), json(&args("2")));
}

#[test]
fn bad_input_is_one_line_naming_the_parameter() {
    for (args, name) in [
        (vec!["optimise", "--lr", "0"], "lr"),
        (
            vec!["optimise", "--method", "momentum", "--beta", "1"],
            "beta",
        ),
        (
            vec!["optimise", "--method", "newton", "--damping", "-1"],
            "damping",
        ),
        (
            vec!["optimise", "--method", "newton", "--damping", "2"],
            "damping",
        ),
        (vec!["optimise", "--noise", "-1"], "noise"),
        (vec!["optimise", "--x0", "1,2,3"], "x0"),
        (vec!["optimise", "--radius", "2"], "radius"),
        (vec!["optimise", "--eigenvalues", "nan,1"], "eigenvalues"),
        (vec!["optimise", "--iterates", "0"], "iterates"),
        (vec!["optimise", "--radius", "0.1", "--runs", "0"], "runs"),
        (vec!["optimise", "--x0", "0,1e-13"], "x0"),
        (vec!["optimise", "--lr", "1e308"], "lr"),
    ] {
        let out = saddle(&args);
        assert!(!out.status.success(), "{args:?}");
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(err.trim().lines().count(), 1, "{args:?}: {err}");
        assert!(err.contains(name), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
}

#[test]
fn ignored_options_are_named() {
    let out = saddle(&["optimise", "--beta", "0.5"]);
    assert!(out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("--beta is ignored"), "{err}");
}
