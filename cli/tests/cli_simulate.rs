//! `saddle simulate` end to end: every estimate with its uncertainty, z from the exact
//! variance, the heavy-tail warning with median and quantile intervals, plain progress
//! lines when stderr is not a terminal, and `--out` files that record the input.

use saddle_sde::analytic::saddle as exact;
use saddle_sde::models::SaddleSde;
use serde_json::Value;
mod common;

use common::{json, saddle};
use std::process::Command;

#[test]
fn light_tail_uses_the_exact_variance_for_z() {
    let v = json(&["simulate", "--paths", "20000", "--dt", "1e-2", "--json"]);
    let m = SaddleSde::new(1.0, 1.0, 0.5, 0.3).unwrap();
    let ev = exact::variance(&m, 0.1, 1.0);
    let se = v["mean"]["stderr"].as_f64().unwrap();
    assert_eq!(se, (ev / 20000.0).sqrt());
    assert_eq!(v["mean"]["stderr_from"], "exact variance");
    let z = v["mean"]["z"].as_f64().unwrap();
    let est = v["mean"]["estimate"].as_f64().unwrap();
    assert!((z - (est - exact::mean(&m, 0.1, 1.0)) / se).abs() < 1e-12);
    // light tail: sample and exact standard errors agree, no warning
    let sample = v["mean"]["sample_stderr"].as_f64().unwrap();
    assert!((sample / se - 1.0).abs() < 0.1, "{sample} vs {se}");
    assert!(v["heavy_tail"].is_null());
    assert!(v["variance"]["stderr"].as_f64().unwrap() > 0.0);
    // two-sided band at 1 − 2·10⁻⁶ for a correct scheme (EM's bias at dt = 1e-2 is about
    // 1e-3 absolute, 0.14 se: realistic size 2.5·10⁻⁶)
    assert!(z.abs() < common::Z_EACH, "{v}");
    assert_eq!(v["quantiles"].as_array().unwrap().len(), 3);
    assert_eq!(v["blown_up"]["wilson"][0], 0.0);
    assert!(v["blown_up"]["wilson"][1].as_f64().unwrap() > 0.0);
    assert_eq!(v["input"]["seed"], 1);
    assert_eq!(v["input"]["version"], env!("CARGO_PKG_VERSION"));
}

#[test]
fn heavy_tail_warns_and_reports_median_and_quantile_intervals() {
    let args = [
        "simulate", "--a", "1", "--sigma", "2", "--tau", "-1", "--rho", "0.95", "--t", "5",
        "--paths", "20000", "--dt", "1e-2",
    ];
    let out = saddle(&args);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("warning: heavy tail"), "{text}");
    assert!(text.contains("95% order-statistic interval"), "{text}");
    assert!(text.contains("50%"), "{text}");
    assert!(!text.contains("std. error  ["), "{text}");
    let mut j = args.to_vec();
    j.push("--json");
    let v = json(&j);
    assert!(v["heavy_tail"].as_str().unwrap().starts_with("heavy tail"));
    // z uses the exact variance: its standard error is hundreds of times the sample's
    let (se, sample) = (
        v["mean"]["stderr"].as_f64().unwrap(),
        v["mean"]["sample_stderr"].as_f64().unwrap(),
    );
    assert!(se > 100.0 * sample, "{se} vs {sample}");
    let med = &v["quantiles"][1];
    assert_eq!(med["p"], 0.5);
    let (lo, est, hi) = (
        med["lower"].as_f64().unwrap(),
        med["estimate"].as_f64().unwrap(),
        med["upper"].as_f64().unwrap(),
    );
    assert!(lo <= est && est <= hi && hi - lo < 1.0, "{med}");
}

#[test]
fn progress_lines_when_stderr_is_not_a_terminal() {
    let out = Command::new(env!("CARGO_BIN_EXE_saddle"))
        .args(["simulate", "--paths", "40000", "--dt", "0.1"])
        .env("SADDLE_PROGRESS_SECS", "0")
        .output()
        .unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("simulate: ") && err.contains("/40000 paths"),
        "{err}"
    );
}

#[test]
fn out_files_record_the_full_input() {
    let dir = std::env::temp_dir().join(format!("saddle-sim-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (js, cs) = (dir.join("r.json"), dir.join("r.csv"));
    for f in [&js, &cs] {
        let out = saddle(&[
            "simulate",
            "--paths",
            "1000",
            "--dt",
            "1e-2",
            "--seed",
            "9",
            "--scheme",
            "law-em",
            "--out",
            f.to_str().unwrap(),
        ]);
        assert!(out.status.success());
    }
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&js).unwrap()).unwrap();
    let i = &v["input"];
    for (k, want) in [
        ("seed", "9"),
        ("scheme", "\"law-em\""),
        ("paths", "1000"),
        ("a", "1.0"),
    ] {
        assert_eq!(i[k].to_string(), want, "{k}");
    }
    for k in ["sigma", "tau", "rho", "x0", "t", "dt", "steps", "version"] {
        assert!(!i[k].is_null(), "{k}");
    }
    let csv = std::fs::read_to_string(&cs).unwrap();
    let mut lines = csv.lines();
    let (h, r) = (lines.next().unwrap(), lines.next().unwrap());
    assert_eq!(h.split(',').count(), r.split(',').count());
    assert!(h.contains("input.seed") && h.contains("input.version") && r.contains("law-em"));
    std::fs::remove_dir_all(&dir).unwrap();
}
