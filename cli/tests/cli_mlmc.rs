//! The `saddle mlmc` command: JSON schema and agreement with the exact value,
//! reproducibility across --threads, and typed errors.

mod common;

use common::{json, saddle};

/// A light case (E[x_T²] has moderate tails), ε = 0.01.
const RUN: [&str; 16] = [
    "mlmc", "--a", "-1", "--sigma", "0.5", "--tau", "1", "--rho", "0", "--x0", "0.5", "--eps",
    "0.01", "--seed", "3", "--json",
];

#[test]
fn json_follows_the_schema_and_agrees_with_the_exact_value() {
    let v = json(&RUN);
    let est = v["estimate"].as_f64().unwrap();
    let rmse = v["rmse"].as_f64().unwrap();
    let exact = v["exact"].as_f64().unwrap();
    assert!(rmse <= 0.01 * (1.0 + 1e-9) && v["converged"] == true, "{v}");
    assert!(v["std_error"].is_f64() && v["bias"].is_f64() && v["rates"]["beta"].is_f64());
    let levels = v["levels"].as_array().unwrap();
    assert!(levels.len() >= 3);
    for (l, row) in levels.iter().enumerate() {
        assert_eq!(row["level"], l);
        assert!(row["samples"].as_u64().unwrap() >= 2);
        assert!(row["variance"].is_f64() && row["cost"].is_f64());
    }
    assert!(v["plain_path_steps"].as_f64().unwrap() > 0.0);
    // the estimator's RMSE bounds its error: a 4.75-RMSE band (α = 2·10⁻⁶ if the error
    // is normal; Chebyshev: at most 1/22.6 of runs outside even without normality)
    assert!(
        (est - exact).abs() < common::Z_EACH * rmse,
        "{est} vs {exact} (rmse {rmse})"
    );
}

#[test]
fn threads_do_not_change_the_numbers() {
    let strip = |mut v: serde_json::Value| {
        v.as_object_mut().unwrap().remove("seconds");
        for l in v["levels"].as_array_mut().unwrap() {
            l.as_object_mut().unwrap().remove("seconds");
        }
        v
    };
    let mut one = RUN.to_vec();
    one.extend(["--threads", "1"]);
    let mut two = RUN.to_vec();
    two.extend(["--threads", "2"]);
    assert_eq!(strip(json(&one)), strip(json(&two)));
}

#[test]
fn bad_input_names_the_parameter() {
    for (extra, name) in [
        (vec!["--eps", "0"], "eps"),
        (vec!["--eps", "-1"], "eps"),
        (vec!["--refine", "3"], "refine"),
        (vec!["--base-steps", "0"], "base_steps"),
        (vec!["--quantity", "tail"], "threshold"),
        (vec!["--threshold", "1"], "threshold"),
        (
            vec![
                "--quantity",
                "tail",
                "--threshold",
                "1",
                "--coupling",
                "antithetic",
            ],
            "coupling",
        ),
        (vec!["--rho", "2"], "rho"),
        (vec!["--lower", "-1"], "lower"),
        (vec!["--max-level", "1"], "max_level"),
        (vec!["--quantity", "exit-upper", "--lower", "0.5"], "lower"),
        (
            vec!["--quantity", "exit-time", "--coupling", "antithetic"],
            "coupling",
        ),
        (vec!["--weak-order", "0"], "weak_order"),
    ] {
        let mut args = vec!["mlmc"];
        args.extend(extra.iter().copied());
        let out = saddle(&args);
        assert!(!out.status.success(), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(&format!("invalid parameter {name}")),
            "{args:?}: {err}"
        );
        assert!(!err.contains("panicked"), "{err}");
        assert_eq!(err.trim().lines().count(), 1, "{err}");
    }
}

#[test]
fn tail_probability_table() {
    let out = saddle(&[
        "mlmc",
        "--a",
        "-1",
        "--sigma",
        "0.5",
        "--tau",
        "1",
        "--rho",
        "0",
        "--x0",
        "0.5",
        "--quantity",
        "tail",
        "--threshold",
        "0.5",
        "--eps",
        "0.01",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("P(x_T > 0.5)") && text.contains("fitted over ℓ ≥ 1"),
        "{text}"
    );
}
