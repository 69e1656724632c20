//! The `saddle escape` command: JSON schema, reproducibility across --threads, atomic
//! --out files, and typed errors.

mod common;

use common::{json, saddle};

const RUN: [&str; 12] = [
    "escape", "--lower", "-0.5", "--upper", "1", "--paths", "20000", "--dt", "1e-3", "--seed", "7",
    "--json",
];

#[test]
fn json_follows_the_schema_and_agrees_with_the_exact_reference() {
    let v = json(&RUN);
    for key in ["p_exit_upper", "p_exit_lower", "mean_exit_time"] {
        assert!(
            v[key]["estimate"].is_f64() && v[key]["stderr"].is_f64(),
            "{key}: {v}"
        );
    }
    assert_eq!(v["censored"], 0);
    assert_eq!(v["blown_up"], 0);
    assert_eq!(v["paths"], 20000);
    assert_eq!(v["seed"], 7);
    let exact = v["exact"]["p_exit_upper"].as_f64().unwrap();
    assert!(v["exact"]["mean_exit_time"].is_f64());
    let (p, se) = (
        v["p_exit_upper"]["estimate"].as_f64().unwrap(),
        v["p_exit_upper"]["stderr"].as_f64().unwrap(),
    );
    // 20 000 paths: 1 − 2·10⁻⁶ two-sided band, 4.75 standard errors (bias with the bridge
    // correction at dt = 1e-3 is ≈ 1e-4, a thirtieth of the standard error 3.5e-3)
    assert!(
        (p - exact).abs() < common::Z_EACH * se,
        "{p} ± {se} vs {exact}"
    );
}

#[test]
fn threads_do_not_change_the_numbers() {
    let mut one = RUN.to_vec();
    one.extend(["--threads", "1"]);
    let mut two = RUN.to_vec();
    two.extend(["--threads", "2"]);
    let mut five = RUN.to_vec();
    five.extend(["--threads", "5"]);
    let a = saddle(&one).stdout;
    assert!(!a.is_empty());
    assert_eq!(a, saddle(&two).stdout);
    assert_eq!(a, saddle(&five).stdout);
}

#[test]
fn out_file_is_written_atomically_as_csv_or_json() {
    let dir = std::env::temp_dir().join(format!("saddle-cli-escape-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let csv = dir.join("r.csv");
    let js = dir.join("r.json");
    let mut args = RUN.to_vec();
    let (c, j) = (
        csv.to_str().unwrap().to_owned(),
        js.to_str().unwrap().to_owned(),
    );
    args.extend(["--out", &c]);
    let printed = json(&args);
    let text = std::fs::read_to_string(&csv).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let row: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(header.len(), row.len());
    assert_eq!(header[0], "p_exit_upper");
    let p: f64 = row[0].parse().unwrap();
    assert_eq!(p, printed["p_exit_upper"]["estimate"].as_f64().unwrap());
    let mut args = RUN.to_vec();
    args.extend(["--out", &j]);
    let printed = json(&args);
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&js).unwrap()).unwrap();
    assert_eq!(written, printed);
    // no temporary file is left behind
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.contains(".tmp-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    // an unknown extension is refused before any work, and nothing is written
    let bad = dir.join("r.txt");
    let mut args = RUN.to_vec();
    let b = bad.to_str().unwrap().to_owned();
    args.extend(["--out", &b]);
    let out = saddle(&args);
    assert!(!out.status.success());
    assert!(!bad.exists());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn bad_input_names_the_parameter() {
    for (args, name) in [
        (vec!["escape", "--lower", "0.5", "--upper", "1"], "x0"),
        (
            vec!["escape", "--lower", "-1", "--upper", "1", "--dt", "0"],
            "dt",
        ),
        (
            vec!["escape", "--lower", "-1", "--upper", "1", "--paths", "0"],
            "paths",
        ),
        (
            vec!["escape", "--lower", "-1", "--upper", "1", "--rho", "1.5"],
            "rho",
        ),
        (
            vec!["escape", "--lower", "-1", "--upper", "1", "--sigma", "-1"],
            "sigma",
        ),
        (vec!["escape", "--lower", "0.5", "--upper", "1"], "x0"),
        (vec!["escape", "--lower", "1", "--upper", "-1"], "upper"),
    ] {
        let out = saddle(&args);
        assert!(!out.status.success(), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(&format!("invalid parameter {name}")),
            "{args:?}: {err}"
        );
        assert!(!err.contains("panicked"), "{err}");
    }
}

#[test]
fn one_sided_level_reports_censored_paths_and_null_mean() {
    let v = json(&[
        "escape",
        "--upper",
        "1",
        "--x0",
        "0.1",
        "--horizon",
        "2",
        "--paths",
        "5000",
        "--json",
    ]);
    assert!(v["censored"].as_u64().unwrap() > 0);
    assert!(v["mean_exit_time"].is_null());
    // σ²/(2a) = 0.5: the level may never be reached; its exact mean is infinite
    assert!(v["exact"]["mean_exit_time"].is_null());
    assert!(v["exact"]["p_exit_upper"].as_f64().unwrap() < 1.0);
}

#[test]
fn study_prints_both_tables() {
    let out = saddle(&["escape-study", "--paths", "500", "--dt", "1e-2"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("across the transition") && text.contains("against the radius"));
}

#[test]
fn milstein_and_shift_options_run_and_agree_with_the_exact_reference() {
    let v = json(&[
        "escape",
        "--lower",
        "-0.5",
        "--upper",
        "1",
        "--paths",
        "20000",
        "--dt",
        "1e-3",
        "--seed",
        "3",
        "--scheme",
        "law-milstein",
        "--correction",
        "shift",
        "--json",
    ]);
    let exact = v["exact"]["mean_exit_time"].as_f64().unwrap();
    let (m, se) = (
        v["mean_exit_time"]["estimate"].as_f64().unwrap(),
        v["mean_exit_time"]["stderr"].as_f64().unwrap(),
    );
    // 1 − 2·10⁻⁶ band (4.75 standard errors, se ≈ 6e-3) plus 2e-3 for the shifted
    // barrier's remaining bias at dt = 1e-3 (≈ 1.6e-3 at dt = 1e-2 in escape_order)
    assert!(
        (m - exact).abs() < common::Z_EACH * se + 2e-3,
        "{m} ± {se} vs {exact}"
    );
}

#[test]
fn no_barrier_means_the_interval_minus_one_to_one() {
    // With neither --lower nor --upper, escape uses (−1, 1): the same numbers as
    // giving that interval explicitly.
    let implicit = saddle(&["escape", "--paths", "2000", "--dt", "1e-2", "--json"]);
    let explicit = saddle(&[
        "escape", "--lower", "-1", "--upper", "1", "--paths", "2000", "--dt", "1e-2", "--json",
    ]);
    assert!(implicit.status.success() && explicit.status.success());
    assert_eq!(implicit.stdout, explicit.stdout);
}

#[test]
fn names_print_as_typed_and_one_sided_domains_read_naturally() {
    let out = saddle(&[
        "escape",
        "--upper",
        "1",
        "--paths",
        "2000",
        "--dt",
        "1e-2",
        "--horizon",
        "1",
    ]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("out of x < 1"), "{text}");
    assert!(
        text.contains("scheme em,") && !text.contains("Em"),
        "{text}"
    );
    assert!(!text.contains("inf/"), "{text}");
    assert!(
        text.contains("Wilson") && text.contains("order-statistic interval"),
        "{text}"
    );
    // the default seed is the one every subcommand uses
    assert!(text.contains("seed 1,"), "{text}");
}

#[test]
fn json_carries_intervals_and_the_full_input() {
    let v = json(&RUN);
    let w = &v["intervals"]["p_exit_upper"];
    let p = v["p_exit_upper"]["estimate"].as_f64().unwrap();
    assert!(w[0].as_f64().unwrap() < p && p < w[1].as_f64().unwrap());
    assert_eq!(v["input"]["scheme"], "em");
    assert_eq!(v["input"]["seed"], 7);
    assert_eq!(v["input"]["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(v["input"]["lower"], -0.5);
    assert_eq!(v["exit_time_quantiles"][1]["p"], 0.5);
}

#[test]
fn two_point_is_refused_with_a_reason() {
    let out = saddle(&["escape", "--scheme", "law-two-point", "--paths", "10"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("simulate"));
}

#[test]
fn study_takes_ratios_and_radii_as_lists_and_validates_them() {
    let out = saddle(&[
        "escape-study",
        "--paths",
        "200",
        "--dt",
        "1e-2",
        "--ratios",
        "0.5,2",
        "--radii",
        "1",
        "--radius-ratios",
        "2",
        "--json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["transition"].as_array().unwrap().len(), 2);
    assert_eq!(v["radius"].as_array().unwrap().len(), 1);
    for (args, name) in [
        (["escape-study", "--ratios=-1,2"], "ratios"),
        (["escape-study", "--radii=0"], "radii"),
        (["escape-study", "--radius-ratios=nan"], "radius-ratios"),
    ] {
        let out = saddle(&args);
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(&format!("invalid parameter {name}")), "{err}");
    }
}
